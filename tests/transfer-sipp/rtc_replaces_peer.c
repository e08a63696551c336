/*
 * rtc_replaces_peer: a test driver for INVITEs with Replaces at an RTC
 * application. It answers the first incoming call; any later call that
 * reaches the application as RTCSS_INCOMING (an unauthorized replacement
 * among them) is answered or rejected as --second says. An authorized
 * replacement (RFC 3891 §7) never shows as INCOMING: the library takes it.
 * With --other a second IRTCClient in the same process listens there too, so
 * a Replaces naming the first client's call can be sent to the second one.
 *
 *   rtc_replaces_peer --listen ADDR:PORT [--other ADDR:PORT] [--second answer|reject]
 *                     [--calls N] [--timeout SECONDS]
 *
 * Every event is printed ("[bob] ..." for the first client, "[other] ..." for
 * the second). Exit status: 0 once N sessions (default 2) have ended, 1 on
 * timeout, 2 for bad arguments.
 */
#include <stdio.h>
#include <string.h>
#include "rtc_sample.h"

struct peer
{
    IRTCEventNotification IRTCEventNotification_iface;
    const char *who;
    IRTCClient *client;
    IConnectionPoint *point;
    DWORD cookie;
};

static GMainLoop *loop;
static gboolean answer_second;
static int calls_wanted = 2, calls_ended, incoming_seen;
static gboolean timed_out_flag;

static struct peer *impl_from_sink(IRTCEventNotification *iface)
{
    return CONTAINING_RECORD(iface, struct peer, IRTCEventNotification_iface);
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

static HRESULT STDMETHODCALLTYPE Sink_Event(IRTCEventNotification *This, RTC_EVENT type, IDispatch *event)
{
    struct peer *peer = impl_from_sink(This);
    IRTCSessionStateChangeEvent *change;
    RTC_SESSION_STATE state;
    IRTCSession *session;

    sample_print_event(peer->who, type, event);
    if (type != RTCE_SESSION_STATE_CHANGE
        || FAILED(IDispatch_QueryInterface(event, &IID_IRTCSessionStateChangeEvent, (void **)&change)))
        goto done;
    IRTCSessionStateChangeEvent_get_State(change, &state);
    IRTCSessionStateChangeEvent_get_Session(change, &session);
    IRTCSessionStateChangeEvent_Release(change);
    if (state == RTCSS_INCOMING)
    {
        if (incoming_seen++ == 0)
            IRTCSession_Answer(session);
        else if (answer_second)
        {
            printf("[%s] answering another incoming call\n", peer->who);
            IRTCSession_Answer(session);
        }
        else
        {
            printf("[%s] rejecting another incoming call\n", peer->who);
            IRTCSession_Terminate(session, RTCTR_REJECT);
        }
    }
    else if (state == RTCSS_DISCONNECTED && ++calls_ended >= calls_wanted)
        g_main_loop_quit(loop);
    IRTCSession_Release(session);
done:
    fflush(stdout);
    return S_OK;
}

static const IRTCEventNotificationVtbl SinkVtbl = { Sink_QueryInterface, Sink_AddRef, Sink_Release, Sink_Event };

static gboolean timed_out(gpointer data)
{
    printf("[bob] timed out\n");
    timed_out_flag = TRUE;
    g_main_loop_quit(loop);
    return G_SOURCE_REMOVE;
}

static gboolean quit_loop(gpointer data)
{
    g_main_loop_quit(loop);
    return G_SOURCE_REMOVE;
}

static gboolean peer_start(struct peer *peer, const char *who, const char *listen)
{
    HRESULT hr;
    BSTR uri;

    peer->IRTCEventNotification_iface.lpVtbl = &SinkVtbl;
    peer->who = who;
    if (FAILED(hr = CoCreateInstance(&CLSID_RTCClient, NULL, CLSCTX_INPROC_SERVER, &IID_IRTCClient,
                                     (void **)&peer->client)))
    {
        fprintf(stderr, "rtc_replaces_peer: CoCreateInstance failed: 0x%08x\n", (unsigned int)hr);
        return FALSE;
    }
    IRTCClient_Initialize(peer->client);
    IRTCClient_put_EventFilter(peer->client, RTCEF_ALL);
    uri = sample_bstr("sip:bob@127.0.0.1");
    IRTCClient_put_LocalUserURI(peer->client, uri);
    SysFreeString(uri);
    sample_advise(peer->client, (IUnknown *)&peer->IRTCEventNotification_iface, &peer->point, &peer->cookie);
    if (FAILED(hr = sample_listen(peer->client, listen)))
    {
        fprintf(stderr, "rtc_replaces_peer: cannot listen on %s: 0x%08x\n", listen, (unsigned int)hr);
        return FALSE;
    }
    printf("[%s] listening on %s\n", who, listen);
    fflush(stdout);
    return TRUE;
}

static void peer_stop(struct peer *peer)
{
    if (!peer->client)
        return;
    IConnectionPoint_Unadvise(peer->point, peer->cookie);
    IConnectionPoint_Release(peer->point);
    IRTCClient_Shutdown(peer->client);
    IRTCClient_Release(peer->client);
}

int main(int argc, char **argv)
{
    char *listen = NULL, *other = NULL, *second = NULL;
    int timeout = 20;
    GOptionEntry options[] =
    {
        { "listen", 'l', 0, G_OPTION_ARG_STRING, &listen, "Listen on ADDR:PORT", "ADDR:PORT" },
        { "other", 'o', 0, G_OPTION_ARG_STRING, &other, "A second client listens on ADDR:PORT", "ADDR:PORT" },
        { "second", 's', 0, G_OPTION_ARG_STRING, &second, "answer or reject (default) later incoming calls", "MODE" },
        { "calls", 'n', 0, G_OPTION_ARG_INT, &calls_wanted, "Exit after this many sessions ended (default 2)", "N" },
        { "timeout", 't', 0, G_OPTION_ARG_INT, &timeout, "Give up after this long (default 20)", "SECONDS" },
        { NULL }
    };
    GOptionContext *context = g_option_context_new("- an RTC application that INVITEs with Replaces reach");
    struct peer first = { 0 }, second_peer = { 0 };
    GError *error = NULL;
    gboolean ok;

    g_option_context_add_main_entries(context, options, NULL);
    if (!g_option_context_parse(context, &argc, &argv, &error) || !listen || timeout < 1 || calls_wanted < 1
        || (second && strcmp(second, "answer") && strcmp(second, "reject")))
    {
        fprintf(stderr, "rtc_replaces_peer: %s\nusage: rtc_replaces_peer --listen ADDR:PORT [--other ADDR:PORT] "
                "[--second answer|reject] [--calls N] [--timeout SECONDS]\n", error ? error->message : "bad arguments");
        return 2;
    }
    g_option_context_free(context);
    answer_second = second && !strcmp(second, "answer");

    CoInitializeEx(NULL, COINIT_APARTMENTTHREADED);
    loop = g_main_loop_new(NULL, FALSE);
    ok = peer_start(&first, "bob", listen) && (!other || peer_start(&second_peer, "other", other));
    if (ok)
    {
        g_timeout_add_seconds(timeout, timed_out, NULL);
        g_main_loop_run(loop);
        /* Let the last BYE or its answer go out before the transports close. */
        g_timeout_add(300, quit_loop, NULL);
        g_main_loop_run(loop);
    }
    peer_stop(&second_peer);
    peer_stop(&first);
    CoUninitialize();
    g_main_loop_unref(loop);
    g_free(listen);
    g_free(other);
    g_free(second);
    printf("[bob] result %s\n", ok && !timed_out_flag ? "OK" : "FAILED");
    return !ok ? 1 : timed_out_flag ? 1 : 0;
}
