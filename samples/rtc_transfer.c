/*
 * rtc_transfer: the SIPSorcery CallTransfer example on the RTC Client API.
 * Calls the transferee, waits, refers it to the transfer target with
 * IRTCSessionCallControl::Refer, prints every refer status with its SIP
 * code, and hangs up once the outcome is known (the application decides that,
 * not the library). With --attended it first calls the target itself and
 * refers with Replaces (rtcshim_build_attended_refer_to); then the target
 * ending our call to it is the transfer's success (RFC 5589 §7: the
 * transferee's INVITE replaced that call), as much as a DONE status.
 *
 *   rtc_transfer [--bind ADDR:PORT] [--from URI] [--wait SECONDS] [--cookie TEXT]
 *                [--attended] [--timeout SECONDS] TRANSFEREE-URI TARGET-URI
 *
 * Exit status: 0 when the transfer is DONE, 1 when it was rejected, dropped
 * or failed, or a call did not connect; 2 for bad arguments.
 */
#include <stdio.h>
#include <string.h>
#include "rtc_sample.h"
#include <rtcshim.h>

static GMainLoop *loop;
static IRTCSession *transferee;     /* the call being transferred */
static IRTCSession *consultation;   /* --attended: our call to the target */
static const char *target_uri;
static char *cookie;
static int wait_seconds = 1;
static gboolean attended, done, finished;
static gboolean referred;           /* the REFER went out */
static gboolean replaced_by_target; /* --attended: the target ended our call to it after the REFER */
static int exit_status = 1;

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

static void finish(int status)
{
    if (finished)
        return;
    finished = TRUE;
    exit_status = status;
    /* The transferor leaves the call once it knows how the transfer went. */
    if (transferee)
        IRTCSession_Terminate(transferee, RTCTR_NORMAL);
    if (consultation)
        IRTCSession_Terminate(consultation, RTCTR_NORMAL);
    g_main_loop_quit(loop);
}

static gboolean do_refer(gpointer data)
{
    IRTCSessionCallControl *control;
    BSTR uri, bcookie = sample_bstr(cookie);
    HRESULT hr;

    if (attended)
    {
        if (FAILED(hr = rtcshim_build_attended_refer_to(consultation, &uri)))
        {
            fprintf(stderr, "rtc_transfer: cannot build the Replaces Refer-To: 0x%08x\n", (unsigned int)hr);
            finish(1);
            return G_SOURCE_REMOVE;
        }
    }
    else
        uri = sample_bstr(target_uri);
    {
        char *text = sample_utf8(uri);
        printf("[transferor] referring the call to %s\n", text);
        g_free(text);
    }
    IRTCSession_QueryInterface(transferee, &IID_IRTCSessionCallControl, (void **)&control);
    hr = IRTCSessionCallControl_Refer(control, uri, bcookie);
    IRTCSessionCallControl_Release(control);
    SysFreeString(uri);
    SysFreeString(bcookie);
    if (FAILED(hr))
    {
        fprintf(stderr, "rtc_transfer: Refer failed: 0x%08x\n", (unsigned int)hr);
        finish(1);
    }
    else
        referred = TRUE;
    return G_SOURCE_REMOVE;
}

/* After the target replaced our call: the transferee's final NOTIFY (and its
 * BYE) may still come; do not wait for them long. */
static gboolean finish_replaced(gpointer data)
{
    finish(0);
    return G_SOURCE_REMOVE;
}

static void place_call(IRTCClient *client, IRTCSession **session, const char *uri_text)
{
    BSTR uri = sample_bstr(uri_text);
    HRESULT hr;

    IRTCClient_CreateSession(client, RTCST_PC_TO_PC, NULL, NULL, 0, session);
    if (FAILED(hr = IRTCSession_AddParticipant(*session, uri, NULL, NULL)))
    {
        fprintf(stderr, "rtc_transfer: cannot call %s: 0x%08x\n", uri_text, (unsigned int)hr);
        finish(1);
    }
    SysFreeString(uri);
}

static IRTCClient *client;

static HRESULT STDMETHODCALLTYPE Sink_Event(IRTCEventNotification *This, RTC_EVENT type, IDispatch *event)
{
    sample_print_event("transferor", type, event);
    if (type == RTCE_SESSION_STATE_CHANGE)
    {
        IRTCSessionStateChangeEvent *change;
        RTC_SESSION_STATE state;
        IRTCSession *session;

        IDispatch_QueryInterface(event, &IID_IRTCSessionStateChangeEvent, (void **)&change);
        IRTCSessionStateChangeEvent_get_State(change, &state);
        IRTCSessionStateChangeEvent_get_Session(change, &session);
        IRTCSessionStateChangeEvent_Release(change);
        if (session == transferee && state == RTCSS_CONNECTED && !done && !finished)
        {
            done = TRUE;    /* refer once */
            if (attended)
                place_call(client, &consultation, target_uri);
            else
                g_timeout_add_seconds(wait_seconds, do_refer, NULL);
        }
        else if (session == consultation && state == RTCSS_CONNECTED)
            g_timeout_add_seconds(wait_seconds, do_refer, NULL);
        else if (session == consultation && state == RTCSS_DISCONNECTED && referred && !finished
                 && !replaced_by_target)
        {
            /* RFC 5589 §7: the target hangs up the call the transferee's INVITE
             * with Replaces took over: the transfer worked. */
            printf("[transferor] the target replaced our call to it: transfer done\n");
            replaced_by_target = TRUE;
            g_timeout_add_seconds(2, finish_replaced, NULL);
        }
        else if (session == transferee && state == RTCSS_DISCONNECTED && replaced_by_target)
            finish(0);      /* the transferee left us after its transfer */
        else if (state == RTCSS_DISCONNECTED && !finished && (session == transferee || session == consultation))
        {
            fprintf(stderr, "rtc_transfer: a call ended before the transfer finished\n");
            finish(1);
        }
        IRTCSession_Release(session);
    }
    else if (type == RTCE_SESSION_REFER_STATUS)
    {
        IRTCSessionReferStatusEvent *status_event;
        RTC_SESSION_REFER_STATUS status;

        IDispatch_QueryInterface(event, &IID_IRTCSessionReferStatusEvent, (void **)&status_event);
        IRTCSessionReferStatusEvent_get_ReferStatus(status_event, &status);
        IRTCSessionReferStatusEvent_Release(status_event);
        if (status == RTCSRS_DONE)
            finish(0);
        else if (status == RTCSRS_REJECTED || status == RTCSRS_DROPPED || status == RTCSRS_ERROR)
            finish(replaced_by_target ? 0 : 1);
    }
    return S_OK;
}

static const IRTCEventNotificationVtbl SinkVtbl = { Sink_QueryInterface, Sink_AddRef, Sink_Release, Sink_Event };
static IRTCEventNotification Sink = { &SinkVtbl };

static guint give_up_timer;

static gboolean give_up(gpointer data)
{
    give_up_timer = 0;
    fprintf(stderr, "rtc_transfer: no outcome in time\n");
    finish(1);
    return G_SOURCE_REMOVE;
}

int main(int argc, char **argv)
{
    char *bind = NULL, *from = NULL;
    int timeout = 30;
    GOptionEntry options[] =
    {
        { "bind", 'b', 0, G_OPTION_ARG_STRING, &bind, "Listen on ADDR:PORT (default 127.0.0.1:0)", "ADDR:PORT" },
        { "from", 'f', 0, G_OPTION_ARG_STRING, &from, "Local user URI", "URI" },
        { "wait", 'w', 0, G_OPTION_ARG_INT, &wait_seconds, "Talk this long before referring (default 1)", "SECONDS" },
        { "cookie", 'c', 0, G_OPTION_ARG_STRING, &cookie, "Refer cookie for the transferee", "TEXT" },
        { "attended", 'a', 0, G_OPTION_ARG_NONE, &attended, "Call the target first, then refer with Replaces", NULL },
        { "timeout", 't', 0, G_OPTION_ARG_INT, &timeout, "Give up after this long (default 30)", "SECONDS" },
        { NULL }
    };
    GOptionContext *context = g_option_context_new("TRANSFEREE-URI TARGET-URI - transfer a call with the RTC Client API");
    GError *error = NULL;
    IConnectionPoint *cp;
    DWORD cookie_id;
    BSTR uri;
    HRESULT hr;

    g_option_context_add_main_entries(context, options, NULL);
    if (!g_option_context_parse(context, &argc, &argv, &error) || argc != 3 || wait_seconds < 0 || timeout < 1)
    {
        fprintf(stderr, "rtc_transfer: %s\nusage: rtc_transfer [--bind ADDR:PORT] [--from URI] [--wait SECONDS] "
                "[--cookie TEXT] [--attended] [--timeout SECONDS] TRANSFEREE-URI TARGET-URI\n",
                error ? error->message : "give the transferee's URI and the target's URI");
        return 2;
    }
    g_option_context_free(context);
    target_uri = argv[2];

    CoInitializeEx(NULL, COINIT_APARTMENTTHREADED);
    if (FAILED(hr = CoCreateInstance(&CLSID_RTCClient, NULL, CLSCTX_INPROC_SERVER, &IID_IRTCClient, (void **)&client)))
    {
        fprintf(stderr, "rtc_transfer: CoCreateInstance failed: 0x%08x\n", (unsigned int)hr);
        return 1;
    }
    IRTCClient_Initialize(client);
    IRTCClient_put_EventFilter(client, RTCEF_ALL);
    sample_advise(client, (IUnknown *)&Sink, &cp, &cookie_id);
    if (FAILED(hr = sample_listen(client, bind ? bind : "127.0.0.1:0")))
    {
        fprintf(stderr, "rtc_transfer: cannot listen on %s: 0x%08x\n", bind ? bind : "127.0.0.1:0", (unsigned int)hr);
        return 1;
    }
    if (from)
    {
        uri = sample_bstr(from);
        IRTCClient_put_LocalUserURI(client, uri);
        SysFreeString(uri);
    }

    loop = g_main_loop_new(NULL, FALSE);
    place_call(client, &transferee, argv[1]);
    if (!finished)
    {
        give_up_timer = g_timeout_add_seconds(timeout, give_up, NULL);
        g_main_loop_run(loop);
        if (give_up_timer)
            g_source_remove(give_up_timer);
    }
    printf("[transferor] transfer %s\n", exit_status ? "FAILED" : "DONE");

    /* Forgotten too: the sink still hears the last events while sample_shutdown waits. */
    if (transferee)
        IRTCSession_Release(transferee);
    transferee = NULL;
    if (consultation)
        IRTCSession_Release(consultation);
    consultation = NULL;
    /* Every BYE answered before we go (a lost one would leave the peer's call up). */
    if (!sample_shutdown("transferor", client) && !exit_status)
        exit_status = 1;
    IConnectionPoint_Unadvise(cp, cookie_id);
    IConnectionPoint_Release(cp);
    IRTCClient_Release(client);
    CoUninitialize();
    g_main_loop_unref(loop);
    g_free(bind);
    g_free(from);
    g_free(cookie);
    return exit_status;
}
