/*
 * rtc_noconsent: a test driver for a transferee that never consents to a
 * transfer (transfer rule 13 of docs/architecture.md: a received REFER is never followed without
 * the application's consent). It listens, answers the first call and waits
 * for it to end, but:
 *
 *   --mode nofilter   its event filter lacks RTCEF_SESSION_REFERRED, so the
 *                     application never sees the REFER (the library must
 *                     decline it with 603 by itself);
 *   --mode undecided  it sees RTCE_SESSION_REFERRED but neither accepts nor
 *                     rejects; the decision bound (rtcshim_set_refer_decision_timeout,
 *                     --decision-ms) expires and the library declines with 603.
 *
 *   rtc_noconsent --listen ADDR:PORT [--mode nofilter|undecided] [--decision-ms N] [--timeout SECONDS]
 *
 * Exit status: 0 once the call ended (and, for nofilter, no RTCE_SESSION_REFERRED
 * reached the sink), 1 otherwise, 2 for bad arguments.
 */
#include <stdio.h>
#include <string.h>
#include "rtc_sample.h"
#include <rtcshim.h>

static GMainLoop *loop;
static gboolean undecided, call_ended, unexpected_referral;
static IRTCSessionReferredEvent *held_referral;     /* undecided: kept, never answered */

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
    sample_print_event("noconsent", type, event);
    if (type == RTCE_SESSION_REFERRED)
    {
        if (!undecided)
        {
            printf("[noconsent] UNEXPECTED: RTCE_SESSION_REFERRED reached a sink that did not ask for it\n");
            unexpected_referral = TRUE;
        }
        else if (!held_referral)
        {
            /* Keep the event and say nothing: the library's decision bound must decline. */
            IDispatch_QueryInterface(event, &IID_IRTCSessionReferredEvent, (void **)&held_referral);
            printf("[noconsent] not deciding on the transfer\n");
        }
    }
    else if (type == RTCE_SESSION_STATE_CHANGE)
    {
        IRTCSessionStateChangeEvent *change;
        RTC_SESSION_STATE state;
        IRTCSession *session;

        if (FAILED(IDispatch_QueryInterface(event, &IID_IRTCSessionStateChangeEvent, (void **)&change)))
            return S_OK;
        IRTCSessionStateChangeEvent_get_State(change, &state);
        IRTCSessionStateChangeEvent_get_Session(change, &session);
        IRTCSessionStateChangeEvent_Release(change);
        if (state == RTCSS_INCOMING)
            IRTCSession_Answer(session);
        else if (state == RTCSS_DISCONNECTED)
        {
            call_ended = TRUE;
            g_main_loop_quit(loop);
        }
        IRTCSession_Release(session);
    }
    fflush(stdout);
    return S_OK;
}

static const IRTCEventNotificationVtbl SinkVtbl = { Sink_QueryInterface, Sink_AddRef, Sink_Release, Sink_Event };
static IRTCEventNotification Sink = { &SinkVtbl };

static gboolean timed_out(gpointer data)
{
    printf("[noconsent] timed out\n");
    g_main_loop_quit(loop);
    return G_SOURCE_REMOVE;
}

int main(int argc, char **argv)
{
    char *listen = NULL, *mode = NULL;
    int timeout = 20, decision_ms = 0;
    GOptionEntry options[] =
    {
        { "listen", 'l', 0, G_OPTION_ARG_STRING, &listen, "Listen on ADDR:PORT", "ADDR:PORT" },
        { "mode", 'm', 0, G_OPTION_ARG_STRING, &mode, "nofilter (default) or undecided", "MODE" },
        { "decision-ms", 'd', 0, G_OPTION_ARG_INT, &decision_ms, "rtcshim_set_refer_decision_timeout", "MS" },
        { "timeout", 't', 0, G_OPTION_ARG_INT, &timeout, "Give up after this long (default 20)", "SECONDS" },
        { NULL }
    };
    GOptionContext *context = g_option_context_new("- a transferee that never consents");
    GError *error = NULL;
    IRTCClient *client;
    IConnectionPoint *cp;
    DWORD cookie;
    LONG filter = RTCEF_ALL;
    HRESULT hr;

    g_option_context_add_main_entries(context, options, NULL);
    if (!g_option_context_parse(context, &argc, &argv, &error) || !listen || timeout < 1 || decision_ms < 0
        || (mode && strcmp(mode, "nofilter") && strcmp(mode, "undecided")))
    {
        fprintf(stderr, "rtc_noconsent: %s\nusage: rtc_noconsent --listen ADDR:PORT [--mode nofilter|undecided] "
                "[--decision-ms N] [--timeout SECONDS]\n", error ? error->message : "bad arguments");
        return 2;
    }
    g_option_context_free(context);
    undecided = mode && !strcmp(mode, "undecided");
    if (!undecided)
        filter &= ~RTCEF_SESSION_REFERRED;

    CoInitializeEx(NULL, COINIT_APARTMENTTHREADED);
    if (FAILED(hr = CoCreateInstance(&CLSID_RTCClient, NULL, CLSCTX_INPROC_SERVER, &IID_IRTCClient, (void **)&client)))
    {
        fprintf(stderr, "rtc_noconsent: CoCreateInstance failed: 0x%08x\n", (unsigned int)hr);
        return 1;
    }
    IRTCClient_Initialize(client);
    IRTCClient_put_EventFilter(client, filter);
    if (decision_ms && FAILED(hr = rtcshim_set_refer_decision_timeout(client, decision_ms)))
    {
        fprintf(stderr, "rtc_noconsent: rtcshim_set_refer_decision_timeout failed: 0x%08x\n", (unsigned int)hr);
        return 1;
    }
    sample_advise(client, (IUnknown *)&Sink, &cp, &cookie);
    if (FAILED(hr = sample_listen(client, listen)))
    {
        fprintf(stderr, "rtc_noconsent: cannot listen on %s: 0x%08x\n", listen, (unsigned int)hr);
        return 1;
    }
    printf("[noconsent] listening on %s, event filter 0x%08x\n", listen, (unsigned int)filter);
    fflush(stdout);
    loop = g_main_loop_new(NULL, FALSE);
    g_timeout_add_seconds(timeout, timed_out, NULL);
    g_main_loop_run(loop);

    if (held_referral)
        IRTCSessionReferredEvent_Release(held_referral);
    IConnectionPoint_Unadvise(cp, cookie);
    IConnectionPoint_Release(cp);
    IRTCClient_Shutdown(client);
    IRTCClient_Release(client);
    CoUninitialize();
    g_main_loop_unref(loop);
    g_free(listen);
    g_free(mode);
    printf("[noconsent] result %s\n", call_ended && !unexpected_referral ? "OK" : "FAILED");
    return call_ended && !unexpected_referral ? 0 : 1;
}
