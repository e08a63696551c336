/*
 * rtc_register: a test driver for registration through the RTC Client API,
 * written the way an application would (MSDN: "Create and Enable a Profile"): create a profile
 * from provisioning XML, EnableProfile(RTCRF_REGISTER_ALL), print every
 * RTCE_REGISTRATION_STATE_CHANGE, and with --unregister call DisableProfile
 * once REGISTERED and wait for NOT_REGISTERED.
 *
 *   rtc_register --listen ADDR:PORT --registrar HOST:PORT [--protocol UDP|TCP]
 *                --uri URI [--account NAME] [--password SECRET] [--realm REALM]
 *                [--unregister] [--stay SECONDS] [--keepalive SECONDS] [--timeout SECONDS]
 *
 * --keepalive sets the NAT keep-alive interval (rtcshim_set_keepalive_interval);
 * --stay keeps the registration that long before --unregister unregisters it.
 *
 * Output: one line per registration event, "[register] registration STATE status S",
 * then "[register] result OK" or "[register] result FAILED".
 * Exit status: 0 on REGISTERED (and NOT_REGISTERED after DisableProfile with
 * --unregister), 1 on REJECTED, ERROR, a failed call or timeout, 2 for bad arguments.
 */
#include <stdio.h>
#include <string.h>
#include "rtc_sample.h"
#include "rtcshim.h"

static GMainLoop *loop;
static IRTCClient *client;
static IRTCClientProvisioning *provisioning;
static IRTCProfile *profile;
static gboolean unregister, disabled, result_ok;
static int stay_seconds;

static const char *registration_state_name(RTC_REGISTRATION_STATE state)
{
    static const char *const names[] = { "NOT_REGISTERED", "REGISTERING", "REGISTERED", "REJECTED",
                                         "UNREGISTERING", "ERROR", "LOGGED_OFF", "LOCAL_PA_LOGGED_OFF",
                                         "REMOTE_PA_LOGGED_OFF" };
    return (unsigned int)state < G_N_ELEMENTS(names) ? names[state] : "?";
}

static HRESULT STDMETHODCALLTYPE Sink_QueryInterface(IRTCEventNotification *This, REFIID riid, void **ppv)
{
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IRTCEventNotification))
    {
        *ppv = This;
        return S_OK;
    }
    *ppv = NULL;
    return E_NOINTERFACE;
}

static ULONG STDMETHODCALLTYPE Sink_AddRef(IRTCEventNotification *This) { return 2; }
static ULONG STDMETHODCALLTYPE Sink_Release(IRTCEventNotification *This) { return 1; }

static void finish(gboolean ok)
{
    result_ok = ok;
    g_main_loop_quit(loop);
}

static gboolean disable_profile(gpointer data)
{
    HRESULT hr;

    printf("[register] DisableProfile\n");
    fflush(stdout);
    if (FAILED(hr = IRTCClientProvisioning_DisableProfile(provisioning, profile)))
    {
        printf("[register] DisableProfile failed: 0x%08x\n", (unsigned int)hr);
        finish(FALSE);
    }
    return G_SOURCE_REMOVE;
}

static HRESULT STDMETHODCALLTYPE Sink_Event(IRTCEventNotification *This, RTC_EVENT type, IDispatch *event)
{
    IRTCRegistrationStateChangeEvent *change;
    RTC_REGISTRATION_STATE state;
    IRTCProfile *event_profile = NULL;
    LONG status = 0;
    BSTR text = NULL;
    char *s, *t;

    if (type != RTCE_REGISTRATION_STATE_CHANGE)
    {
        sample_print_event("register", type, event);
        return S_OK;
    }
    if (FAILED(IDispatch_QueryInterface(event, &IID_IRTCRegistrationStateChangeEvent, (void **)&change)))
    {
        printf("[register] registration event without IRTCRegistrationStateChangeEvent\n");
        finish(FALSE);
        return S_OK;
    }
    IRTCRegistrationStateChangeEvent_get_State(change, &state);
    IRTCRegistrationStateChangeEvent_get_StatusCode(change, &status);
    IRTCRegistrationStateChangeEvent_get_StatusText(change, &text);
    IRTCRegistrationStateChangeEvent_get_Profile(change, &event_profile);
    IRTCRegistrationStateChangeEvent_Release(change);
    s = sample_status_text(status);
    t = sample_utf8(text);
    printf("[register] registration %s status %s%s%s%s\n", registration_state_name(state), s, *t ? " " : "", t,
           event_profile == profile ? "" : " (another profile!)");
    fflush(stdout);
    g_free(s);
    g_free(t);
    SysFreeString(text);
    if (event_profile)
        IRTCProfile_Release(event_profile);

    if (state == RTCRS_REGISTERED && !disabled)
    {
        if (!unregister)
            finish(TRUE);
        else
        {
            disabled = TRUE;
            if (stay_seconds)
                g_timeout_add_seconds(stay_seconds, disable_profile, NULL);
            else
                disable_profile(NULL);
        }
    }
    else if (state == RTCRS_NOT_REGISTERED && disabled)
        finish(TRUE);
    else if (state == RTCRS_REJECTED || state == RTCRS_ERROR)
        finish(FALSE);
    return S_OK;
}

static const IRTCEventNotificationVtbl SinkVtbl = { Sink_QueryInterface, Sink_AddRef, Sink_Release, Sink_Event };
static IRTCEventNotification Sink = { &SinkVtbl };

static gboolean timed_out(gpointer data)
{
    printf("[register] timed out\n");
    finish(FALSE);
    return G_SOURCE_REMOVE;
}

/* XML attribute value: escape what GMarkup would otherwise read as markup. */
static void append_attribute(GString *xml, const char *name, const char *value)
{
    char *escaped;

    if (!value)
        return;
    escaped = g_markup_escape_text(value, -1);
    g_string_append_printf(xml, " %s=\"%s\"", name, escaped);
    g_free(escaped);
}

int main(int argc, char **argv)
{
    char *listen = NULL, *registrar = NULL, *protocol = NULL, *uri_text = NULL, *account = NULL;
    char *password = NULL, *realm = NULL;
    int timeout = 20, keepalive = -1;
    GOptionEntry options[] =
    {
        { "listen", 'l', 0, G_OPTION_ARG_STRING, &listen, "Listen on ADDR:PORT", "ADDR:PORT" },
        { "registrar", 'r', 0, G_OPTION_ARG_STRING, &registrar, "The registrar's HOST:PORT", "HOST:PORT" },
        { "protocol", 'p', 0, G_OPTION_ARG_STRING, &protocol, "UDP (default) or TCP", "PROTOCOL" },
        { "uri", 'u', 0, G_OPTION_ARG_STRING, &uri_text, "The user's URI (address of record)", "URI" },
        { "account", 'a', 0, G_OPTION_ARG_STRING, &account, "Digest user name", "NAME" },
        { "password", 'P', 0, G_OPTION_ARG_STRING, &password, "Digest password", "SECRET" },
        { "realm", 'R', 0, G_OPTION_ARG_STRING, &realm, "Digest realm", "REALM" },
        { "unregister", 'x', 0, G_OPTION_ARG_NONE, &unregister, "DisableProfile once registered", NULL },
        { "stay", 's', 0, G_OPTION_ARG_INT, &stay_seconds, "Stay registered this long first", "SECONDS" },
        { "keepalive", 'k', 0, G_OPTION_ARG_INT, &keepalive, "NAT keep-alive interval", "SECONDS" },
        { "timeout", 't', 0, G_OPTION_ARG_INT, &timeout, "Give up after this long (default 20)", "SECONDS" },
        { NULL }
    };
    GOptionContext *context = g_option_context_new("- register through an RTC profile");
    GError *error = NULL;
    IConnectionPoint *cp;
    DWORD cookie;
    GString *xml;
    BSTR bxml;
    HRESULT hr;

    g_option_context_add_main_entries(context, options, NULL);
    if (!g_option_context_parse(context, &argc, &argv, &error) || !listen || !registrar || !uri_text || timeout < 1
        || (protocol && g_ascii_strcasecmp(protocol, "UDP") && g_ascii_strcasecmp(protocol, "TCP")))
    {
        fprintf(stderr, "rtc_register: %s\nusage: rtc_register --listen ADDR:PORT --registrar HOST:PORT "
                "[--protocol UDP|TCP] --uri URI [--account NAME] [--password SECRET] [--realm REALM] "
                "[--unregister] [--timeout SECONDS]\n", error ? error->message : "bad arguments");
        return 2;
    }
    g_option_context_free(context);

    xml = g_string_new("<provision key=\"{2b7c3a10-5d8e-4f51-9a3c-7e1d0c4b9f21}\" name=\"rtc-sipp\">");
    g_string_append(xml, "<user");
    append_attribute(xml, "uri", uri_text);
    append_attribute(xml, "account", account);
    append_attribute(xml, "password", password);
    append_attribute(xml, "realm", realm);
    g_string_append(xml, "/><sipsrv");
    append_attribute(xml, "addr", registrar);
    append_attribute(xml, "protocol", protocol ? protocol : "UDP");
    g_string_append(xml, " auth=\"digest\" role=\"registrar\"/></provision>");

    CoInitializeEx(NULL, COINIT_APARTMENTTHREADED);
    if (FAILED(hr = CoCreateInstance(&CLSID_RTCClient, NULL, CLSCTX_INPROC_SERVER, &IID_IRTCClient, (void **)&client)))
    {
        fprintf(stderr, "rtc_register: CoCreateInstance failed: 0x%08x\n", (unsigned int)hr);
        return 1;
    }
    IRTCClient_Initialize(client);
    if (keepalive >= 0 && FAILED(hr = rtcshim_set_keepalive_interval(client, keepalive, keepalive)))
        printf("[register] rtcshim_set_keepalive_interval failed: 0x%08x\n", (unsigned int)hr);
    IRTCClient_put_EventFilter(client, RTCEF_ALL);
    sample_advise(client, (IUnknown *)&Sink, &cp, &cookie);
    if (FAILED(hr = sample_listen(client, listen)))
    {
        fprintf(stderr, "rtc_register: cannot listen on %s: 0x%08x\n", listen, (unsigned int)hr);
        return 1;
    }
    loop = g_main_loop_new(NULL, FALSE);
    IRTCClient_QueryInterface(client, &IID_IRTCClientProvisioning, (void **)&provisioning);
    bxml = sample_bstr(xml->str);
    hr = IRTCClientProvisioning_CreateProfile(provisioning, bxml, &profile);
    SysFreeString(bxml);
    if (FAILED(hr))
        printf("[register] CreateProfile failed: 0x%08x\n", (unsigned int)hr);
    else if (FAILED(hr = IRTCClientProvisioning_EnableProfile(provisioning, profile, RTCRF_REGISTER_ALL)))
        printf("[register] EnableProfile failed: 0x%08x\n", (unsigned int)hr);
    else
    {
        g_timeout_add_seconds(timeout, timed_out, NULL);
        g_main_loop_run(loop);
    }
    printf("[register] result %s\n", result_ok ? "OK" : "FAILED");
    fflush(stdout);

    if (profile)
        IRTCProfile_Release(profile);
    IRTCClientProvisioning_Release(provisioning);
    IConnectionPoint_Unadvise(cp, cookie);
    IConnectionPoint_Release(cp);
    IRTCClient_Shutdown(client);
    IRTCClient_Release(client);
    CoUninitialize();
    g_main_loop_unref(loop);
    g_string_free(xml, TRUE);
    g_free(listen), g_free(registrar), g_free(protocol), g_free(uri_text);
    g_free(account), g_free(password), g_free(realm);
    return result_ok ? 0 : 1;
}
