/*
 * bench_rtc_uas: an RTC Client API application that answers every call,
 * for bench/run.sh to load with SIPp. Public API only (rtccore.h), the
 * way an application is written: one RTCClient, an event sink, Answer on
 * RTCSS_INCOMING. Transfers are carried out the documented way: Accept the
 * RTCE_SESSION_REFERRED event, call the target with the Referred-By and
 * cookie, report that call's progress with SetReferredSessionState, and
 * hang up on the target once it is connected.
 *
 *   bench_rtc_uas --listen ADDR:PORT [--media none|audio]
 *
 * --media none (the default) is a signalling-only client:
 * SetPreferredMediaTypes(0). --media audio prefers audio send and receive.
 * SIGUSR1 prints a line of figures, SIGTERM prints it and exits:
 *
 *   stats incoming=N connected=N active=N ended=N transfers=N transferred=N
 *         transfer_failures=N rss_kb=N cpu_ms=N fds=N
 *
 * (incoming, connected, ended: incoming sessions that reached those states
 * so far; active: incoming sessions not disconnected yet; transferred:
 * transfers whose target answered.)
 */
#define COBJMACROS
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <windows.h>
#include <ocidl.h>
#include <rtccore.h>
#include <rtcerr.h>
#include <glib.h>
#include <glib-unix.h>

static IRTCClient *client;
static GHashTable *transfers;       /* our IRTCSession * to a target -> IRTCSessionReferredEvent * */
static guint64 incoming, connected, active, ended, transfers_accepted, transferred, transfer_failures;

static BSTR bstr(const char *text)
{
    gunichar *wide = g_utf8_to_ucs4(text, -1, NULL, NULL, NULL);
    BSTR result = SysAllocString((const OLECHAR *)wide);

    g_free(wide);
    return result;
}

/* ---- transfers (transferee) --------------------------------------------------------- */

static void on_referred(IDispatch *event)
{
    IRTCSessionReferredEvent *referred;
    IRTCSessionCallControl *control;
    IRTCSession *to_target = NULL;
    BSTR to = NULL, by = NULL, cookie = NULL;

    if (FAILED(IDispatch_QueryInterface(event, &IID_IRTCSessionReferredEvent, (void **)&referred)))
        return;
    if (FAILED(IRTCSessionReferredEvent_Accept(referred)))
    {
        transfer_failures++;
        IRTCSessionReferredEvent_Release(referred);
        return;
    }
    transfers_accepted++;
    IRTCSessionReferredEvent_get_ReferToURI(referred, &to);
    IRTCSessionReferredEvent_get_ReferredByURI(referred, &by);
    IRTCSessionReferredEvent_get_ReferCookie(referred, &cookie);
    if (SUCCEEDED(IRTCClient_CreateSession(client, RTCST_PC_TO_PC, NULL, NULL, 0, &to_target)))
    {
        if (SUCCEEDED(IRTCSession_QueryInterface(to_target, &IID_IRTCSessionCallControl, (void **)&control)))
        {
            IRTCSessionCallControl_put_ReferredByURI(control, by);
            IRTCSessionCallControl_put_ReferCookie(control, cookie);
            IRTCSessionCallControl_Release(control);
        }
        g_hash_table_insert(transfers, to_target, referred);    /* both references kept */
        if (FAILED(IRTCSession_AddParticipant(to_target, to, NULL, NULL)))
        {
            transfer_failures++;
            IRTCSessionReferredEvent_SetReferredSessionState(referred, RTCSS_DISCONNECTED);
            g_hash_table_remove(transfers, to_target);
        }
    }
    else
    {
        transfer_failures++;
        IRTCSessionReferredEvent_SetReferredSessionState(referred, RTCSS_DISCONNECTED);
        IRTCSessionReferredEvent_Release(referred);
    }
    SysFreeString(to);
    SysFreeString(by);
    SysFreeString(cookie);
}

/* Our call to a transfer target ended or connected: tell the transferor
 * (its outcome only, no ringing); done once connected. */
static void on_transfer_state(IRTCSession *session, IRTCSessionReferredEvent *referred, RTC_SESSION_STATE state)
{
    if (state == RTCSS_CONNECTED)
    {
        transferred++;
        IRTCSessionReferredEvent_SetReferredSessionState(referred, RTCSS_CONNECTED);
        IRTCSession_Terminate(session, RTCTR_NORMAL);
    }
    else if (state == RTCSS_DISCONNECTED)
    {
        IRTCSessionReferredEvent_SetReferredSessionState(referred, RTCSS_DISCONNECTED);
        g_hash_table_remove(transfers, session);
    }
}

/* ---- the event sink --------------------------------------------------------------------- */

static void on_session_state(IDispatch *event)
{
    IRTCSessionStateChangeEvent *change;
    IRTCSessionReferredEvent *referred;
    RTC_SESSION_STATE state;
    IRTCSession *session;

    if (FAILED(IDispatch_QueryInterface(event, &IID_IRTCSessionStateChangeEvent, (void **)&change)))
        return;
    IRTCSessionStateChangeEvent_get_State(change, &state);
    IRTCSessionStateChangeEvent_get_Session(change, &session);
    IRTCSessionStateChangeEvent_Release(change);

    if ((referred = g_hash_table_lookup(transfers, session)))
        on_transfer_state(session, referred, state);
    else if (state == RTCSS_INCOMING)
    {
        incoming++;
        active++;
        IRTCSession_Answer(session);
    }
    else if (state == RTCSS_CONNECTED)
        connected++;
    else if (state == RTCSS_DISCONNECTED)
    {
        ended++;
        if (active)
            active--;
    }
    IRTCSession_Release(session);
}

static HRESULT STDMETHODCALLTYPE sink_QueryInterface(IRTCEventNotification *iface, REFIID riid, void **ppv)
{
    *ppv = (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IRTCEventNotification)) ? iface : NULL;
    return *ppv ? S_OK : E_NOINTERFACE;
}

static ULONG STDMETHODCALLTYPE sink_AddRef(IRTCEventNotification *iface) { return 2; }
static ULONG STDMETHODCALLTYPE sink_Release(IRTCEventNotification *iface) { return 1; }

static HRESULT STDMETHODCALLTYPE sink_Event(IRTCEventNotification *iface, RTC_EVENT type, IDispatch *event)
{
    if (type == RTCE_SESSION_STATE_CHANGE)
        on_session_state(event);
    else if (type == RTCE_SESSION_REFERRED)
        on_referred(event);
    return S_OK;
}

static const IRTCEventNotificationVtbl sink_vtbl = { sink_QueryInterface, sink_AddRef, sink_Release, sink_Event };
static IRTCEventNotification sink = { &sink_vtbl };

/* ---- figures ---------------------------------------------------------------------------- */

static long rss_kb(void)
{
    char *status = NULL, *line;
    long kb = -1;

    if (!g_file_get_contents("/proc/self/status", &status, NULL, NULL))
        return -1;
    if ((line = strstr(status, "VmRSS:")))
        kb = strtol(line + 6, NULL, 10);
    g_free(status);
    return kb;
}

static int open_fds(void)
{
    DIR *dir = opendir("/proc/self/fd");
    int count = 0;

    if (!dir)
        return -1;
    while (readdir(dir))
        count++;
    closedir(dir);
    return count - 3;   /* ".", ".." and the directory's own descriptor */
}

static void print_stats(void)
{
    struct rusage usage;

    getrusage(RUSAGE_SELF, &usage);
    printf("stats incoming=%" G_GUINT64_FORMAT " connected=%" G_GUINT64_FORMAT " active=%" G_GUINT64_FORMAT
           " ended=%" G_GUINT64_FORMAT " transfers=%" G_GUINT64_FORMAT " transferred=%" G_GUINT64_FORMAT
           " transfer_failures=%" G_GUINT64_FORMAT " rss_kb=%ld cpu_ms=%ld fds=%d\n",
           incoming, connected, active, ended, transfers_accepted, transferred, transfer_failures, rss_kb(),
           (long)(usage.ru_utime.tv_sec * 1000 + usage.ru_utime.tv_usec / 1000
                  + usage.ru_stime.tv_sec * 1000 + usage.ru_stime.tv_usec / 1000),
           open_fds());
    fflush(stdout);
}

static gboolean on_usr1(gpointer data)
{
    print_stats();
    return G_SOURCE_CONTINUE;
}

static gboolean on_term(gpointer data)
{
    g_main_loop_quit(data);
    return G_SOURCE_REMOVE;
}

static void release_session(gpointer p) { IRTCSession_Release((IRTCSession *)p); }
static void release_referral(gpointer p) { IRTCSessionReferredEvent_Release((IRTCSessionReferredEvent *)p); }

int main(int argc, char **argv)
{
    char *listen = NULL, *media = NULL;
    GOptionEntry entries[] =
    {
        { "listen", 0, 0, G_OPTION_ARG_STRING, &listen, "Listen on ADDR:PORT (UDP and TCP)", "ADDR:PORT" },
        { "media", 0, 0, G_OPTION_ARG_STRING, &media, "none (signalling only, the default) or audio", "MEDIA" },
        { NULL }
    };
    GOptionContext *context = g_option_context_new("- an RTC API application answering every call");
    IRTCClientPortManagement *ports;
    IConnectionPointContainer *container;
    IConnectionPoint *point;
    GError *error = NULL;
    const char *colon;
    GMainLoop *loop;
    DWORD cookie;
    LONG media_types = 0;
    HRESULT hr;
    BSTR address;
    char *host;

    g_option_context_add_main_entries(context, entries, NULL);
    if (!g_option_context_parse(context, &argc, &argv, &error) || !listen || !(colon = strrchr(listen, ':'))
        || (media && strcmp(media, "none") && strcmp(media, "audio")))
    {
        fprintf(stderr, "bench_rtc_uas: %s\nusage: bench_rtc_uas --listen ADDR:PORT [--media none|audio]\n",
                error ? error->message : "--listen ADDR:PORT is required; --media takes none or audio");
        return 2;
    }
    g_option_context_free(context);
    if (media && !strcmp(media, "audio"))
        media_types = RTCMT_AUDIO_SEND | RTCMT_AUDIO_RECEIVE;

    CoInitializeEx(NULL, COINIT_APARTMENTTHREADED);
    if (FAILED(hr = CoCreateInstance(&CLSID_RTCClient, NULL, CLSCTX_INPROC_SERVER, &IID_IRTCClient, (void **)&client))
        || FAILED(hr = IRTCClient_Initialize(client)))
    {
        fprintf(stderr, "bench_rtc_uas: cannot create the client: 0x%08x\n", (unsigned int)hr);
        return 1;
    }
    IRTCClient_SetPreferredMediaTypes(client, media_types, VARIANT_FALSE);
    /* Only the events it acts on, as a lean application does. */
    IRTCClient_put_EventFilter(client, RTCEF_SESSION_STATE_CHANGE | RTCEF_SESSION_REFERRED);
    IRTCClient_QueryInterface(client, &IID_IConnectionPointContainer, (void **)&container);
    IConnectionPointContainer_FindConnectionPoint(container, &IID_IRTCEventNotification, &point);
    IConnectionPointContainer_Release(container);
    IConnectionPoint_Advise(point, (IUnknown *)&sink, &cookie);

    host = g_strndup(listen, colon - listen);
    address = bstr(host);
    IRTCClient_QueryInterface(client, &IID_IRTCClientPortManagement, (void **)&ports);
    hr = IRTCClientPortManagement_StartListenAddressAndPort(ports, address, atol(colon + 1));
    IRTCClientPortManagement_Release(ports);
    SysFreeString(address);
    g_free(host);
    if (FAILED(hr))
    {
        fprintf(stderr, "bench_rtc_uas: cannot listen on %s: 0x%08x\n", listen, (unsigned int)hr);
        return 1;
    }

    transfers = g_hash_table_new_full(NULL, NULL, release_session, release_referral);
    loop = g_main_loop_new(NULL, FALSE);
    g_unix_signal_add(SIGUSR1, on_usr1, NULL);
    g_unix_signal_add(SIGTERM, on_term, loop);
    g_unix_signal_add(SIGINT, on_term, loop);
    printf("ready %s media %s\n", listen, media_types ? "audio" : "none");
    fflush(stdout);
    g_main_loop_run(loop);
    print_stats();

    g_hash_table_destroy(transfers);
    IConnectionPoint_Unadvise(point, cookie);
    IConnectionPoint_Release(point);
    IRTCClient_Shutdown(client);
    IRTCClient_Release(client);
    CoUninitialize();
    g_main_loop_unref(loop);
    g_free(listen);
    g_free(media);
    return 0;
}
