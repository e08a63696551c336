/*
 * rtc_call: places a call with the RTC Client API, prints every event, and
 * hangs up after a given time. The MSDN "Create a Session and Make a Call"
 * sample, with a GLib main loop instead of a Windows message loop. It can
 * also send DTMF digits once its audio goes out (IRTCClient::SendDTMF), and
 * put the call on hold and take it back (IRTCSessionCallControl).
 *
 *   rtc_call [--bind ADDR:PORT] [--from URI] [--hangup-after SECONDS | --hangup-on-signal]
 *            [--timeout SECONDS] [--dtmf DIGITS] [--hold-after SECONDS --resume-after SECONDS] URI
 *
 * Timers count from the moment the call connected. With --hangup-on-signal
 * it hangs up when SIGUSR1 comes instead (a script decides when). The audio devices are the
 * system's, or RTCSHIM_AUDIO_SOURCE / RTCSHIM_AUDIO_SINK (docs/porting.md).
 * Exit status: 0 when the call connected and ended normally, 1 otherwise, 2 for bad arguments.
 */
#include <stdio.h>
#include <stdlib.h>
#include <glib-unix.h>
#include <signal.h>
#include "rtc_sample.h"
#include "rtcshim.h"

static GMainLoop *loop;
static IRTCClient *client;
static IRTCSession *session;
static int hangup_after = 3, hold_after = -1, resume_after = -1;
static char *dtmf;
static gboolean connected, failed, dtmf_sent, hangup_on_signal, hung_up;
static guint hangup_timer, give_up_timer, hold_timer, resume_timer;

/* ---- the event sink, as the MSDN samples write it ------------------------------------ */

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

static gboolean hang_up(gpointer data)
{
    struct rtcshim_media_stats stats;

    hangup_timer = 0;
    if (hung_up)
        return G_SOURCE_REMOVE;
    hung_up = TRUE;
    /* What the audio did (a Linux addition: the RTC API has no counters). */
    if (SUCCEEDED(rtcshim_get_media_stats(session, &stats)))
        printf("[caller] audio: %s, %llu RTP packets sent, %llu received, %llu DTMF digits sent\n",
               stats.codec[0] ? stats.codec : "nothing sent", (unsigned long long)stats.rtp_packets_sent,
               (unsigned long long)stats.rtp_packets_received, (unsigned long long)stats.dtmf_digits_sent);
    printf("[caller] hanging up\n");
    IRTCSession_Terminate(session, RTCTR_NORMAL);
    return G_SOURCE_REMOVE;
}

static gboolean hangup_signalled(gpointer data)
{
    if (!connected)
        fprintf(stderr, "rtc_call: SIGUSR1 before the call connected: ignored\n");
    else
        hang_up(NULL);
    return G_SOURCE_CONTINUE;
}

static gboolean hold_or_resume(gpointer data)
{
    gboolean hold = GPOINTER_TO_INT(data);
    IRTCSessionCallControl *control;
    HRESULT hr;

    if (hold) hold_timer = 0;
    else resume_timer = 0;
    if (FAILED(IRTCSession_QueryInterface(session, &IID_IRTCSessionCallControl, (void **)&control)))
        return G_SOURCE_REMOVE;
    printf("[caller] %s\n", hold ? "holding" : "resuming");
    hr = hold ? IRTCSessionCallControl_Hold(control, 1) : IRTCSessionCallControl_UnHold(control, 2);
    if (FAILED(hr))
        fprintf(stderr, "rtc_call: %s failed: 0x%08x\n", hold ? "Hold" : "UnHold", (unsigned int)hr);
    IRTCSessionCallControl_Release(control);
    return G_SOURCE_REMOVE;
}

/* '0'-'9', '*', '#', 'A'-'D' to RTC_DTMF; -1 for anything else. */
static int dtmf_from_char(char c)
{
    if (c >= '0' && c <= '9') return RTC_DTMF_0 + (c - '0');
    if (c == '*') return RTC_DTMF_STAR;
    if (c == '#') return RTC_DTMF_POUND;
    if (c >= 'A' && c <= 'D') return RTC_DTMF_A + (c - 'A');
    return -1;
}

/* The digits go out once our audio does; the engine queues them one after another. */
static void send_digits(void)
{
    const char *c;
    HRESULT hr;

    dtmf_sent = TRUE;
    for (c = dtmf; *c; c++)
    {
        hr = IRTCClient_SendDTMF(client, dtmf_from_char(*c));
        printf("[caller] dtmf %c: 0x%08x\n", *c, (unsigned int)hr);
    }
}

static HRESULT STDMETHODCALLTYPE Sink_Event(IRTCEventNotification *This, RTC_EVENT type, IDispatch *event)
{
    IRTCSessionStateChangeEvent *change;
    RTC_SESSION_STATE state;
    LONG status;

    sample_print_event("caller", type, event);
    if (type == RTCE_MEDIA && dtmf && !dtmf_sent)
    {
        IRTCMediaEvent *media;
        RTC_MEDIA_EVENT_TYPE media_event;
        LONG media_type;

        if (SUCCEEDED(IDispatch_QueryInterface(event, &IID_IRTCMediaEvent, (void **)&media)))
        {
            IRTCMediaEvent_get_MediaType(media, &media_type);
            IRTCMediaEvent_get_EventType(media, &media_event);
            IRTCMediaEvent_Release(media);
            if (media_type == RTCMT_AUDIO_SEND && media_event == RTCMET_STARTED)
                send_digits();
        }
    }
    if (type != RTCE_SESSION_STATE_CHANGE
        || FAILED(IDispatch_QueryInterface(event, &IID_IRTCSessionStateChangeEvent, (void **)&change)))
        return S_OK;
    IRTCSessionStateChangeEvent_get_State(change, &state);
    IRTCSessionStateChangeEvent_get_StatusCode(change, &status);
    IRTCSessionStateChangeEvent_Release(change);
    if (state == RTCSS_CONNECTED && !connected)
    {
        connected = TRUE;
        if (!hangup_on_signal)
            hangup_timer = g_timeout_add_seconds(hangup_after, hang_up, NULL);
        if (hold_after >= 0)
            hold_timer = g_timeout_add_seconds(hold_after, hold_or_resume, GINT_TO_POINTER(TRUE));
        if (resume_after >= 0)
            resume_timer = g_timeout_add_seconds(resume_after, hold_or_resume, GINT_TO_POINTER(FALSE));
    }
    else if (state == RTCSS_DISCONNECTED)
    {
        failed = !connected || status != S_OK;
        g_main_loop_quit(loop);
    }
    return S_OK;
}

static const IRTCEventNotificationVtbl SinkVtbl = { Sink_QueryInterface, Sink_AddRef, Sink_Release, Sink_Event };
static IRTCEventNotification Sink = { &SinkVtbl };

static gboolean give_up(gpointer data)
{
    give_up_timer = 0;
    if (connected)
        return G_SOURCE_REMOVE;
    fprintf(stderr, "rtc_call: no answer in time\n");
    IRTCSession_Terminate(session, RTCTR_NORMAL);
    return G_SOURCE_REMOVE;
}

int main(int argc, char **argv)
{
    char *bind = NULL, *from = NULL, *client_name = NULL, *client_version = NULL;
    int timeout = 30;
    GOptionEntry options[] =
    {
        { "bind", 'b', 0, G_OPTION_ARG_STRING, &bind, "Listen on ADDR:PORT (default 127.0.0.1:0)", "ADDR:PORT" },
        { "from", 'f', 0, G_OPTION_ARG_STRING, &from, "Local user URI", "URI" },
        { "hangup-after", 'h', 0, G_OPTION_ARG_INT, &hangup_after, "Hang up this long after connecting (default 3)", "SECONDS" },
        { "hangup-on-signal", 0, 0, G_OPTION_ARG_NONE, &hangup_on_signal, "Hang up when SIGUSR1 comes", NULL },
        { "timeout", 't', 0, G_OPTION_ARG_INT, &timeout, "Give up if not connected by then (default 30)", "SECONDS" },
        { "dtmf", 'd', 0, G_OPTION_ARG_STRING, &dtmf, "Send these DTMF digits (0-9*#A-D) once audio goes out", "DIGITS" },
        { "hold-after", 0, 0, G_OPTION_ARG_INT, &hold_after, "Put the call on hold this long after connecting", "SECONDS" },
        { "resume-after", 0, 0, G_OPTION_ARG_INT, &resume_after, "Take it back this long after connecting", "SECONDS" },
        { "client-name", 0, 0, G_OPTION_ARG_STRING, &client_name, "Name this application in User-Agent", "NAME" },
        { "client-version", 0, 0, G_OPTION_ARG_STRING, &client_version, "... and its version", "VERSION" },
        { NULL }
    };
    GOptionContext *context = g_option_context_new("URI - place a call with the RTC Client API");
    GError *error = NULL;
    IConnectionPoint *cp;
    const char *c;
    DWORD cookie;
    guint signal_source;
    BSTR uri;
    HRESULT hr;

    g_option_context_add_main_entries(context, options, NULL);
    if (!g_option_context_parse(context, &argc, &argv, &error) || argc != 2 || hangup_after < 0 || timeout <= 0)
    {
        fprintf(stderr, "rtc_call: %s\nusage: rtc_call [--bind ADDR:PORT] [--from URI] "
                "[--hangup-after SECONDS | --hangup-on-signal] [--timeout SECONDS] [--dtmf DIGITS] "
                "[--hold-after SECONDS --resume-after SECONDS] [--client-name NAME [--client-version VERSION]] URI\n",
                error ? error->message : "give exactly one URI to call");
        return 2;
    }
    for (c = dtmf; c && *c; c++)
    {
        if (dtmf_from_char(*c) < 0)
        {
            fprintf(stderr, "rtc_call: '%c' is not a DTMF digit (0-9, *, #, A-D)\n", *c);
            return 2;
        }
    }
    g_option_context_free(context);

    CoInitializeEx(NULL, COINIT_APARTMENTTHREADED);
    if (FAILED(hr = CoCreateInstance(&CLSID_RTCClient, NULL, CLSCTX_INPROC_SERVER, &IID_IRTCClient, (void **)&client)))
    {
        fprintf(stderr, "rtc_call: CoCreateInstance failed: 0x%08x\n", (unsigned int)hr);
        return 1;
    }
    IRTCClient_Initialize(client);
    IRTCClient_put_EventFilter(client, RTCEF_ALL);
    sample_advise(client, (IUnknown *)&Sink, &cp, &cookie);
    if (FAILED(hr = sample_listen(client, bind ? bind : "127.0.0.1:0")))
    {
        fprintf(stderr, "rtc_call: cannot listen on %s: 0x%08x\n", bind ? bind : "127.0.0.1:0", (unsigned int)hr);
        return 1;
    }
    if (from)
    {
        uri = sample_bstr(from);
        IRTCClient_put_LocalUserURI(client, uri);
        SysFreeString(uri);
    }
    if (client_name)
    {
        /* IRTCClient2: the application's name and version lead the User-Agent header. */
        IRTCClient2 *client2;

        if (SUCCEEDED(IRTCClient_QueryInterface(client, &IID_IRTCClient2, (void **)&client2)))
        {
            uri = sample_bstr(client_name);
            IRTCClient2_put_ClientName(client2, uri);
            SysFreeString(uri);
            if (client_version)
            {
                uri = sample_bstr(client_version);
                IRTCClient2_put_ClientCurVer(client2, uri);
                SysFreeString(uri);
            }
            IRTCClient2_Release(client2);
        }
    }

    loop = g_main_loop_new(NULL, FALSE);
    signal_source = hangup_on_signal ? g_unix_signal_add(SIGUSR1, hangup_signalled, NULL) : 0;
    IRTCClient_CreateSession(client, RTCST_PC_TO_PC, NULL, NULL, 0, &session);
    uri = sample_bstr(argv[1]);
    hr = IRTCSession_AddParticipant(session, uri, NULL, NULL);
    SysFreeString(uri);
    if (FAILED(hr))
    {
        fprintf(stderr, "rtc_call: cannot call %s: 0x%08x%s\n", argv[1], (unsigned int)hr,
                hr == RTC_E_INVALID_SIP_URL ? " (not a SIP URI)" : "");
        failed = TRUE;
    }
    else
    {
        give_up_timer = g_timeout_add_seconds(timeout, give_up, NULL);
        g_main_loop_run(loop);
    }
    if (give_up_timer)
        g_source_remove(give_up_timer);
    if (hangup_timer)
        g_source_remove(hangup_timer);
    if (hold_timer)
        g_source_remove(hold_timer);
    if (resume_timer)
        g_source_remove(resume_timer);
    if (signal_source)
        g_source_remove(signal_source);

    /* Forgotten too: the sink still hears the last events while sample_shutdown waits. */
    IRTCSession_Release(session);
    session = NULL;
    /* Every BYE answered before we go (a lost one would leave the peer's call up). */
    if (!sample_shutdown("caller", client))
        failed = TRUE;
    IConnectionPoint_Unadvise(cp, cookie);
    IConnectionPoint_Release(cp);
    IRTCClient_Release(client);
    CoUninitialize();
    g_main_loop_unref(loop);
    g_free(bind);
    g_free(from);
    g_free(dtmf);
    g_free(client_name);
    g_free(client_version);
    return failed ? 1 : 0;
}
