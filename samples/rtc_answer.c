/*
 * rtc_answer: listens on an address and port, answers incoming calls
 * automatically, at a prompt, or rejects them, and handles transfers
 * (RTCE_SESSION_REFERRED) the documented way: accept (then call the
 * transfer target itself and report that call's progress back with
 * SetReferredSessionState) or reject. The MSDN "Answer a Call" and
 * "Receiving a Session Transfer" samples on a GLib main loop.
 *
 *   rtc_answer --listen ADDR:PORT [--uri URI] [--answer auto|prompt|reject|busy]
 *              [--refer accept|reject] [--refer-delay MS] [--refer-private-headers]
 *              [--calls N] [--hangup-after SECONDS] [--timeout SECONDS]
 *
 * --refer-delay decides on a transfer only after MS milliseconds (a user who
 * takes a while: past a few seconds the library has answered the REFER 202
 * already and tells the decision in a NOTIFY). --refer-private-headers lets X-
 * headers the transferor embedded in Refer-To reach the new call
 * (rtcshim_set_refer_to_private_headers; off by default).
 *
 * Exit status: 0 after N incoming calls have ended, 1 on timeout or failure, 2 for bad arguments.
 */
#include <stdio.h>
#include <string.h>
#include "rtc_sample.h"
#include "rtcshim.h"

enum answer_mode { ANSWER_AUTO, ANSWER_PROMPT, ANSWER_REJECT, ANSWER_BUSY };

static GMainLoop *loop;
static IRTCClient *client;
static enum answer_mode answer_mode = ANSWER_AUTO;
static gboolean accept_refer = TRUE;
static int calls_wanted = 1, calls_ended;
static IRTCSession *pending;                /* waiting for the prompt's answer */
static IRTCSessionReferredEvent *referral;  /* the transfer being carried out */
static IRTCSession *transfer_session;       /* our call to the transfer target */
static gboolean result_failed;
static char who[32] = "callee";   /* the label in front of every line: the user part of --uri */
static int hangup_after;                    /* 0: the other side hangs up */
static int refer_delay;                     /* ms before deciding on a transfer */

static gboolean hang_up(gpointer data)
{
    IRTCSession *session = data;
    RTC_SESSION_STATE state;

    if (SUCCEEDED(IRTCSession_get_State(session, &state)) && state != RTCSS_DISCONNECTED)
    {
        struct rtcshim_media_stats stats;

        /* What the audio did (a Linux addition: the RTC API has no counters). */
        if (SUCCEEDED(rtcshim_get_media_stats(session, &stats)))
            printf("[%s] audio: %s, %llu RTP packets sent, %llu received, %llu DTMF digits received\n", who,
                   stats.codec[0] ? stats.codec : "nothing sent", (unsigned long long)stats.rtp_packets_sent,
                   (unsigned long long)stats.rtp_packets_received, (unsigned long long)stats.dtmf_digits_received);
        printf("[%s] hanging up\n", who);
        IRTCSession_Terminate(session, RTCTR_NORMAL);
    }
    return G_SOURCE_REMOVE;
}

static void release_session(gpointer data)
{
    IRTCSession_Release((IRTCSession *)data);
}

static void schedule_hangup(IRTCSession *session)
{
    if (!hangup_after)
        return;
    IRTCSession_AddRef(session);
    g_timeout_add_seconds_full(G_PRIORITY_DEFAULT, hangup_after, hang_up, session,
                               release_session);
}

static void finish_if_done(void)
{
    if (calls_ended >= calls_wanted && !transfer_session)
        g_main_loop_quit(loop);
}

/* ---- transfer (transferee side) ---------------------------------------------------------- */

static void start_transfer(IRTCSessionReferredEvent *event)
{
    IRTCSessionCallControl *control;
    IRTCSession2 *original;
    BSTR to = NULL, by = NULL, cookie = NULL;
    HRESULT hr;

    if (!accept_refer)
    {
        printf("[%s] rejecting the transfer\n", who);
        IRTCSessionReferredEvent_Reject(event);
        return;
    }
    if (FAILED(hr = IRTCSessionReferredEvent_Accept(event)))
    {
        fprintf(stderr, "rtc_answer: Accept failed: 0x%08x\n", (unsigned int)hr);
        return;
    }
    IRTCSessionReferredEvent_get_ReferToURI(event, &to);
    IRTCSessionReferredEvent_get_ReferredByURI(event, &by);
    IRTCSessionReferredEvent_get_ReferCookie(event, &cookie);

    /* "The original session should be placed on hold before the new session is created." */
    if (SUCCEEDED(IRTCSessionReferredEvent_get_Session(event, &original)))
    {
        if (SUCCEEDED(IRTCSession2_QueryInterface(original, &IID_IRTCSessionCallControl, (void **)&control)))
        {
            IRTCSessionCallControl_Hold(control, 0);
            IRTCSessionCallControl_Release(control);
        }
        IRTCSession2_Release(original);
    }

    IRTCClient_CreateSession(client, RTCST_PC_TO_PC, NULL, NULL, 0, &transfer_session);
    IRTCSession_QueryInterface(transfer_session, &IID_IRTCSessionCallControl, (void **)&control);
    IRTCSessionCallControl_put_ReferredByURI(control, by);
    IRTCSessionCallControl_put_ReferCookie(control, cookie);
    IRTCSessionCallControl_Release(control);
    referral = event;
    IRTCSessionReferredEvent_AddRef(referral);
    if (FAILED(hr = IRTCSession_AddParticipant(transfer_session, to, NULL, NULL)))
    {
        fprintf(stderr, "rtc_answer: cannot call the transfer target: 0x%08x\n", (unsigned int)hr);
        IRTCSessionReferredEvent_SetReferredSessionState(referral, RTCSS_DISCONNECTED);
        IRTCSessionReferredEvent_Release(referral);
        referral = NULL;
        IRTCSession_Release(transfer_session);
        transfer_session = NULL;
    }
    SysFreeString(to);
    SysFreeString(by);
    SysFreeString(cookie);
}

/* Our call to the target moved: tell the transferor (NOTIFY with the matching sipfrag). */
static void transfer_progress(RTC_SESSION_STATE state)
{
    if (!referral)
        return;
    if (state == RTCSS_INPROGRESS || state == RTCSS_CONNECTED || state == RTCSS_DISCONNECTED)
        IRTCSessionReferredEvent_SetReferredSessionState(referral, state);
    if (state == RTCSS_CONNECTED || state == RTCSS_DISCONNECTED)
    {
        IRTCSessionReferredEvent_Release(referral);
        referral = NULL;
    }
}

/* ---- the event sink ---------------------------------------------------------------------- */

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

static void on_session_state(IDispatch *event)
{
    IRTCSessionStateChangeEvent *change;
    RTC_SESSION_STATE state;
    IRTCSession *session;

    if (FAILED(IDispatch_QueryInterface(event, &IID_IRTCSessionStateChangeEvent, (void **)&change)))
        return;
    IRTCSessionStateChangeEvent_get_State(change, &state);
    IRTCSessionStateChangeEvent_get_Session(change, &session);
    IRTCSessionStateChangeEvent_Release(change);

    if (state == RTCSS_CONNECTED)
        schedule_hangup(session);
    if (session == transfer_session)
    {
        transfer_progress(state);
        if (state == RTCSS_DISCONNECTED)
        {
            IRTCSession_Release(transfer_session);
            transfer_session = NULL;
            finish_if_done();
        }
    }
    else if (state == RTCSS_INCOMING)
    {
        switch (answer_mode)
        {
        case ANSWER_AUTO:
            IRTCSession_Answer(session);
            break;
        case ANSWER_REJECT:
            IRTCSession_Terminate(session, RTCTR_REJECT);
            break;
        case ANSWER_BUSY:
            IRTCSession_Terminate(session, RTCTR_BUSY);
            break;
        case ANSWER_PROMPT:
            /* Keep the session until the user decides (IRTCSessionStateChangeEvent: hold a reference while INCOMING). */
            pending = session;
            IRTCSession_AddRef(pending);
            printf("answer the call? [y/n] ");
            fflush(stdout);
            break;
        }
    }
    else if (state == RTCSS_DISCONNECTED)
    {
        if (session == pending)
        {
            IRTCSession_Release(pending);
            pending = NULL;
        }
        calls_ended++;
        finish_if_done();
    }
    IRTCSession_Release(session);
}

static gboolean decide_later(gpointer data)
{
    start_transfer(data);
    return G_SOURCE_REMOVE;
}

static void release_referred(gpointer data)
{
    IRTCSessionReferredEvent_Release((IRTCSessionReferredEvent *)data);
}

static HRESULT STDMETHODCALLTYPE Sink_Event(IRTCEventNotification *This, RTC_EVENT type, IDispatch *event)
{
    IRTCSessionReferredEvent *referred;

    sample_print_event(who, type, event);
    if (type == RTCE_SESSION_STATE_CHANGE)
        on_session_state(event);
    else if (type == RTCE_SESSION_REFERRED
             && SUCCEEDED(IDispatch_QueryInterface(event, &IID_IRTCSessionReferredEvent, (void **)&referred)))
    {
        if (refer_delay)
        {
            /* The event stays valid after the sink returns (IRTCSessionReferredEvent): decide later. */
            printf("[%s] deciding on the transfer in %d ms\n", who, refer_delay);
            g_timeout_add_full(G_PRIORITY_DEFAULT, refer_delay, decide_later, referred, release_referred);
            return S_OK;
        }
        start_transfer(referred);
        IRTCSessionReferredEvent_Release(referred);
    }
    return S_OK;
}

static const IRTCEventNotificationVtbl SinkVtbl = { Sink_QueryInterface, Sink_AddRef, Sink_Release, Sink_Event };
static IRTCEventNotification Sink = { &SinkVtbl };

static gboolean on_stdin(GIOChannel *channel, GIOCondition condition, gpointer data)
{
    char *line = NULL;

    if (g_io_channel_read_line(channel, &line, NULL, NULL, NULL) != G_IO_STATUS_NORMAL)
        return G_SOURCE_REMOVE;
    if (pending)
    {
        if (line[0] == 'y' || line[0] == 'Y')
            IRTCSession_Answer(pending);
        else
            IRTCSession_Terminate(pending, RTCTR_REJECT);
    }
    g_free(line);
    return G_SOURCE_CONTINUE;
}

static gboolean timed_out(gpointer data)
{
    fprintf(stderr, "rtc_answer: timed out\n");
    result_failed = TRUE;
    g_main_loop_quit(loop);
    return G_SOURCE_REMOVE;
}

static gboolean parse_answer(const char *text)
{
    if (!strcmp(text, "auto")) answer_mode = ANSWER_AUTO;
    else if (!strcmp(text, "prompt")) answer_mode = ANSWER_PROMPT;
    else if (!strcmp(text, "reject")) answer_mode = ANSWER_REJECT;
    else if (!strcmp(text, "busy")) answer_mode = ANSWER_BUSY;
    else return FALSE;
    return TRUE;
}

int main(int argc, char **argv)
{
    char *listen = NULL, *uri_text = NULL, *answer = NULL, *refer = NULL;
    gboolean private_headers = FALSE;
    int timeout = 60;
    GOptionEntry options[] =
    {
        { "listen", 'l', 0, G_OPTION_ARG_STRING, &listen, "Listen on ADDR:PORT", "ADDR:PORT" },
        { "uri", 'u', 0, G_OPTION_ARG_STRING, &uri_text, "Local user URI", "URI" },
        { "answer", 'a', 0, G_OPTION_ARG_STRING, &answer, "auto (default), prompt, reject or busy", "MODE" },
        { "refer", 'r', 0, G_OPTION_ARG_STRING, &refer, "accept (default) or reject transfers", "MODE" },
        { "refer-delay", 0, 0, G_OPTION_ARG_INT, &refer_delay, "Decide on a transfer after this long", "MS" },
        { "refer-private-headers", 0, 0, G_OPTION_ARG_NONE, &private_headers,
          "Pass X- headers embedded in Refer-To on to the new call", NULL },
        { "calls", 'n', 0, G_OPTION_ARG_INT, &calls_wanted, "Exit after this many calls ended (default 1)", "N" },
        { "hangup-after", 'h', 0, G_OPTION_ARG_INT, &hangup_after, "Hang up connected calls after this long (default: never)", "SECONDS" },
        { "timeout", 't', 0, G_OPTION_ARG_INT, &timeout, "Give up after this long (default 60)", "SECONDS" },
        { NULL }
    };
    GOptionContext *context = g_option_context_new("- answer calls with the RTC Client API");
    GError *error = NULL;
    GIOChannel *input = NULL;
    IConnectionPoint *cp;
    DWORD cookie;
    HRESULT hr;
    BSTR uri;
    const char *problem = NULL;

    g_option_context_add_main_entries(context, options, NULL);
    if (!g_option_context_parse(context, &argc, &argv, &error))
        problem = error->message;
    else if (!listen)
        problem = "--listen ADDR:PORT is required";
    else if (answer && !parse_answer(answer))
        problem = "--answer takes auto, prompt, reject or busy";
    else if (refer && strcmp(refer, "accept") && strcmp(refer, "reject"))
        problem = "--refer takes accept or reject";
    else if (calls_wanted < 1 || timeout < 1 || hangup_after < 0 || refer_delay < 0)
        problem = "--calls and --timeout must be positive, --hangup-after and --refer-delay not negative";
    if (problem)
    {
        fprintf(stderr, "rtc_answer: %s\nusage: rtc_answer --listen ADDR:PORT [--uri URI] "
                "[--answer auto|prompt|reject|busy] [--refer accept|reject] [--refer-delay MS] "
                "[--refer-private-headers] [--calls N] [--hangup-after SECONDS] [--timeout SECONDS]\n",
                problem);
        return 2;
    }
    g_option_context_free(context);
    accept_refer = !refer || !strcmp(refer, "accept");
    if (uri_text && strchr(uri_text, ':') && strchr(uri_text, '@'))
    {
        const char *user = strchr(uri_text, ':') + 1;
        g_strlcpy(who, user, MIN(sizeof(who), (gsize)(strchr(uri_text, '@') - user + 1)));
    }

    CoInitializeEx(NULL, COINIT_APARTMENTTHREADED);
    if (FAILED(hr = CoCreateInstance(&CLSID_RTCClient, NULL, CLSCTX_INPROC_SERVER, &IID_IRTCClient, (void **)&client)))
    {
        fprintf(stderr, "rtc_answer: CoCreateInstance failed: 0x%08x\n", (unsigned int)hr);
        return 1;
    }
    IRTCClient_Initialize(client);
    IRTCClient_put_EventFilter(client, RTCEF_ALL);
    if (private_headers)
        rtcshim_set_refer_to_private_headers(client, VARIANT_TRUE);
    sample_advise(client, (IUnknown *)&Sink, &cp, &cookie);
    if (FAILED(hr = sample_listen(client, listen)))
    {
        fprintf(stderr, "rtc_answer: cannot listen on %s: 0x%08x\n", listen, (unsigned int)hr);
        return 1;
    }
    if (uri_text)
    {
        uri = sample_bstr(uri_text);
        IRTCClient_put_LocalUserURI(client, uri);
        SysFreeString(uri);
    }
    printf("[%s] listening on %s\n", who, listen);
    fflush(stdout);

    loop = g_main_loop_new(NULL, FALSE);
    if (answer_mode == ANSWER_PROMPT)
    {
        input = g_io_channel_unix_new(0);
        g_io_add_watch(input, G_IO_IN | G_IO_HUP, on_stdin, NULL);
    }
    g_timeout_add_seconds(timeout, timed_out, NULL);
    g_main_loop_run(loop);

    /* Let go of what we hold, and forget it: the sink still hears the last
     * events while sample_shutdown waits for the cleanup. */
    if (pending)
        IRTCSession_Release(pending);
    pending = NULL;
    if (referral)
        IRTCSessionReferredEvent_Release(referral);
    referral = NULL;
    if (transfer_session)
        IRTCSession_Release(transfer_session);
    transfer_session = NULL;
    if (input)
        g_io_channel_unref(input);
    /* Every BYE answered before we go (a lost one would leave the peer's call up). */
    if (!sample_shutdown(who, client))
        result_failed = TRUE;
    IConnectionPoint_Unadvise(cp, cookie);
    IConnectionPoint_Release(cp);
    IRTCClient_Release(client);
    CoUninitialize();
    g_main_loop_unref(loop);
    g_free(listen);
    g_free(uri_text);
    g_free(answer);
    g_free(refer);
    return result_failed ? 1 : 0;
}
