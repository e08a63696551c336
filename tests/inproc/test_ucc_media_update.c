/*
 * What changes the media of a connected UCC audio/video session, seen by an
 * application, against an RTC client: IUccAudioMediaChannel::SilenceSuppression,
 * IUccAudioVideoSessionParticipant::UpdateChannels (OnUpdateChannels) and the
 * peer's re-INVITE as OnMediaRequest (IUccIncomingMediaRequestEvent: Accept,
 * Reject, RemoveChannel, the engine's decision bound, the call ending first).
 * What flows is proven by the RTP packet counters of the RTC side: it sends
 * what the UCC side receives and receives what the UCC side sends. Every wait
 * is on a condition with a generous bound (test_ms), never a sleep tuned for
 * a quiet machine.
 */
#include "test_ucc_party.h"
#include "rtc_party.h"
#include "rtcshim.h"
#include "../common/test_time.h"

#define WAIT 10000

/* HRESULT_FROM_WIN32(ERROR_INVALID_STATE): a call the object's state does not allow (docs/ucc.md). */
#define E_INVALID_STATE 0x8007139F

#define SILENCE "audiotestsrc is-live=true wave=silence"
#define TONE "audiotestsrc is-live=true freq=440 volume=0.4"

/* A UCC endpoint with an AV session to an RTC client that answers at once. */
struct av_call
{
    struct ucc_party u;
    struct party r;
    IUccSession *session;
    IUccSessionParticipant *participant;
    IUccAudioVideoSessionParticipant *av;
    IUccMediaChannel *channel;
    IUccAudioMediaChannel *audio;
    IUccAudioVideoMediaChannel *av_channel;
};

static void set_source(const char *source)
{
    g_setenv("RTCSHIM_AUDIO_SOURCE", source, TRUE);
    g_setenv("RTCSHIM_AUDIO_SINK", "fakesink", TRUE);
}

static void rtc_stats(struct av_call *call, struct rtcshim_media_stats *stats)
{
    assert_hr(rtcshim_get_media_stats(call->r.incoming, stats), S_OK);
}

/* Iterates the loop until check(data) holds; fails after a bound (not a measurement). */
static void wait_until(gboolean (*check)(void *), void *data, const char *what)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)test_ms(30000) * 1000;

    while (!check(data))
    {
        if (g_get_monotonic_time() > deadline) fail_msg("gave up waiting for %s", what);
        run_loop_for(20);
    }
}

/* What the RTC side counted: packets it sent (the UCC side receives them) or received. */
struct packets { struct av_call *call; BOOL sent; guint64 count; };

static gboolean rtc_counted(void *data)
{
    struct packets *p = data;
    struct rtcshim_media_stats stats;

    rtc_stats(p->call, &stats);
    return (p->sent ? stats.rtp_packets_sent : stats.rtp_packets_received) >= p->count;
}

static void wait_rtc_counted(struct av_call *call, BOOL sent, guint64 count, const char *what)
{
    struct packets packets = { call, sent, count };

    wait_until(rtc_counted, &packets, what);
}

struct stream_state { IUccAudioVideoMediaChannel *channel; UCC_MEDIA_DIRECTIONS direction; UCC_MEDIA_STREAM_STATE state; };

static gboolean state_reached(void *data)
{
    struct stream_state *s = data;
    UCC_MEDIA_STREAM_STATE state;

    assert_hr(IUccAudioVideoMediaChannel_GetMediaStreamState(s->channel, s->direction, &state), S_OK);
    return state == s->state;
}

static void wait_stream_state(struct av_call *call, UCC_MEDIA_DIRECTIONS direction, UCC_MEDIA_STREAM_STATE state,
                              const char *what)
{
    struct stream_state s = { call->av_channel, direction, state };

    wait_until(state_reached, &s, what);
}

/* The UCC side (microphone ucc_source) calls the RTC side (rtc_source); with an audio channel whose
 * SilenceSuppression is set to suppress before the call. Returns when both are connected. */
static void av_call_start(struct av_call *call, const char *ucc_source, const char *rtc_source, BOOL suppress)
{
    IUccOperationContext *op;
    VARIANT_BOOL value;
    IUccUri *uri;

    memset(call, 0, sizeof(*call));
    ucc_platform_start();
    set_source(ucc_source);
    ucc_party_init(&call->u, "ucc", 0);
    set_source(rtc_source);
    party_init(&call->r, "rtc");
    assert_hr(IRTCClient_put_EventFilter(call->r.client, RTCEF_ALL & ~RTCEF_INTENSITY), S_OK);
    call->r.answer = ANSWER_AT_ONCE;

    assert_hr(IUccSessionManager_CreateSession(call->u.manager, UCCST_AUDIO_VIDEO, NULL, &call->session), S_OK);
    assert_hr(ucc_sink_advise(&call->u.sink, (IUnknown *)call->session, &DIID__IUccSessionEvents, "ucc.s"), S_OK);
    uri = ucc_parse(call->r.uri);
    assert_hr(IUccSession_CreateParticipant(call->session, uri, NULL, &call->participant), S_OK);
    IUccUri_Release(uri);
    assert_hr(ucc_sink_advise(&call->u.sink, (IUnknown *)call->participant, &DIID__IUccSessionParticipantEvents,
                              "ucc.p"), S_OK);
    assert_hr(IUccSessionParticipant_QueryInterface(call->participant, &IID_IUccAudioVideoSessionParticipant,
                                                    (void **)&call->av), S_OK);
    assert_hr(IUccAudioVideoSessionParticipant_CreateChannel(call->av, UCCMT_AUDIO, NULL, &call->channel), S_OK);
    assert_hr(IUccMediaChannel_QueryInterface(call->channel, &IID_IUccAudioMediaChannel, (void **)&call->audio), S_OK);
    assert_hr(IUccMediaChannel_QueryInterface(call->channel, &IID_IUccAudioVideoMediaChannel,
                                              (void **)&call->av_channel), S_OK);
    /* off unless asked for */
    assert_hr(IUccAudioMediaChannel_get_SilenceSuppression(call->audio, NULL), E_POINTER);
    assert_hr(IUccAudioMediaChannel_get_SilenceSuppression(call->audio, &value), S_OK);
    assert_int_equal(value, VARIANT_FALSE);
    if (suppress)
    {
        assert_hr(IUccAudioMediaChannel_put_SilenceSuppression(call->audio, VARIANT_TRUE), S_OK);
        assert_hr(IUccAudioMediaChannel_get_SilenceSuppression(call->audio, &value), S_OK);
        assert_int_equal(value, VARIANT_TRUE);
    }
    assert_hr(IUccAudioVideoSessionParticipant_AddChannel(call->av, call->channel), S_OK);

    op = ucc_operation(1);
    assert_hr(IUccSession_AddParticipant(call->session, call->participant, op), S_OK);
    IUccOperationContext_Release(op);
    assert_true(ucc_party_wait(&call->u, "ucc.s OnAddParticipant 1 0"));
    assert_true(party_wait(&call->r, "session CONNECTED 0", WAIT));
    /* the UCC side's pipeline plays: what the RTC side sends arrives */
    wait_stream_state(call, UCCMD_RECEIVE, UCCMSS_ACTIVE, "the UCC side receiving");
}

static void av_call_release(struct av_call *call)
{
    IUccAudioVideoMediaChannel_Release(call->av_channel);
    IUccAudioMediaChannel_Release(call->audio);
    IUccMediaChannel_Release(call->channel);
    IUccAudioVideoSessionParticipant_Release(call->av);
    IUccSessionParticipant_Release(call->participant);
    IUccSession_Release(call->session);
    ucc_platform_stop();
    ucc_party_cleanup(&call->u);
    ucc_platform_release();
    party_cleanup(&call->r);
}

static void av_call_end(struct av_call *call)
{
    assert_hr(IUccSession_Terminate(call->session, UCCROTR_NOT_SPECIFIED, NULL), S_OK);
    assert_true(party_wait(&call->r, "session DISCONNECTED 0", WAIT));
    assert_true(ucc_party_wait(&call->u, "ucc.s OnTerminate - 0"));
    /* no call to renegotiate any more */
    assert_hr(IUccAudioVideoSessionParticipant_UpdateChannels(call->av, NULL), E_INVALID_STATE);
    av_call_release(call);
}

/* ---- SilenceSuppression ---------------------------------------------------------------------------- */

/* A silent microphone with suppression sends (almost) nothing while the peer's tone keeps coming;
 * turned off in the call, the silence goes out as usual. */
static void test_silence_suppressed(void **state)
{
    struct rtcshim_media_stats stats;
    struct av_call call;
    guint64 sent_by_ucc;

    av_call_start(&call, SILENCE, TONE, TRUE);
    rtc_stats(&call, &stats);
    wait_rtc_counted(&call, TRUE, stats.rtp_packets_sent + 100, "100 packets from the RTC side");
    rtc_stats(&call, &stats);
    print_message("with suppression: the RTC side sent %" G_GUINT64_FORMAT ", received %" G_GUINT64_FORMAT "\n",
                  (guint64)stats.rtp_packets_sent, (guint64)stats.rtp_packets_received);
    assert_true(stats.rtp_packets_received <= 5);

    assert_hr(IUccAudioMediaChannel_put_SilenceSuppression(call.audio, VARIANT_FALSE), S_OK);
    sent_by_ucc = stats.rtp_packets_received;
    wait_rtc_counted(&call, FALSE, sent_by_ucc + 100, "the UCC side's silence once suppression is off");
    av_call_end(&call);
}

/* Suppression drops silence only: a tone still goes out. */
static void test_silence_suppression_keeps_speech(void **state)
{
    struct av_call call;

    av_call_start(&call, TONE, TONE, TRUE);
    wait_rtc_counted(&call, FALSE, 100, "the UCC side's tone with suppression on");
    av_call_end(&call);
}

/* Without suppression (the default) silence is sent like anything else. */
static void test_silence_sent_by_default(void **state)
{
    struct av_call call;

    av_call_start(&call, SILENCE, TONE, FALSE);
    wait_rtc_counted(&call, FALSE, 100, "the UCC side's silence without suppression");
    av_call_end(&call);
}

/* ---- UpdateChannels --------------------------------------------------------------------------------- */

static LONG negotiated(struct av_call *call)
{
    LONG value = -1;

    assert_hr(IUccMediaChannel_get_NegotiatedMedia(call->channel, &value), S_OK);
    return value;
}

/* PreferredMedia, then UpdateChannels with operation id op; returns when OnUpdateChannels came. */
static void update_channels(struct av_call *call, LONG preferred, LONG_PTR op_id, const char *expected)
{
    IUccOperationContext *op = ucc_operation(op_id);

    assert_hr(IUccMediaChannel_put_PreferredMedia(call->channel, preferred), S_OK);
    assert_hr(IUccAudioVideoSessionParticipant_UpdateChannels(call->av, op), S_OK);
    assert_hr(IUccAudioVideoSessionParticipant_UpdateChannels(call->av, op), E_INVALID_STATE);    /* one at a time */
    IUccOperationContext_Release(op);
    assert_true(ucc_party_wait(&call->u, expected));
}

/* Packets that went one way while the other way carried at least 100: the quiet way moved at most 3
 * (what was in flight when the change took effect). */
static void assert_one_way(struct av_call *call, BOOL rtc_sends)
{
    struct rtcshim_media_stats before, after;
    guint64 quiet;

    rtc_stats(call, &before);
    wait_rtc_counted(call, rtc_sends, (rtc_sends ? before.rtp_packets_sent : before.rtp_packets_received) + 100,
                     "100 packets the way that flows");
    rtc_stats(call, &after);
    quiet = rtc_sends ? after.rtp_packets_received - before.rtp_packets_received
                      : after.rtp_packets_sent - before.rtp_packets_sent;
    print_message("%s way moved %" G_GUINT64_FORMAT " packets\n", rtc_sends ? "UCC->RTC" : "RTC->UCC", quiet);
    assert_true(quiet <= 3);
}

static void assert_both_ways(struct av_call *call)
{
    struct rtcshim_media_stats before;

    rtc_stats(call, &before);
    wait_rtc_counted(call, TRUE, before.rtp_packets_sent + 100, "the RTC side sending");
    wait_rtc_counted(call, FALSE, before.rtp_packets_received + 100, "the UCC side sending");
}

/* Receive only, send only (the peer held, RFC 3264 §8.4), both again: one OnUpdateChannels each,
 * NegotiatedMedia follows, RTP stops and restarts the way the channel says. */
static void test_update_channels(void **state)
{
    struct av_call call;

    av_call_start(&call, TONE, TONE, FALSE);
    assert_hr(ucc_sink_advise(&call.u.sink, (IUnknown *)call.participant, &DIID__IUccAudioVideoSessionParticipantEvents,
                              "ucc.av"), S_OK);
    g_free(ucc_sink_take(&call.u.sink));
    assert_int_equal(negotiated(&call), UCCMD_BOTH);

    update_channels(&call, UCCMD_RECEIVE, 7, "ucc.av OnUpdateChannels 7 0");
    assert_int_equal(negotiated(&call), UCCMD_RECEIVE);
    assert_one_way(&call, TRUE);

    update_channels(&call, UCCMD_SEND, 8, "ucc.av OnUpdateChannels 8 0");
    assert_int_equal(negotiated(&call), UCCMD_SEND);
    assert_one_way(&call, FALSE);

    update_channels(&call, UCCMD_BOTH, 9, "ucc.av OnUpdateChannels 9 0");
    assert_int_equal(negotiated(&call), UCCMD_BOTH);
    assert_both_ways(&call);
    ucc_assert_log(&call.u, "ucc.av OnUpdateChannels 7 0|ucc.av OnUpdateChannels 8 0|ucc.av OnUpdateChannels 9 0");
    av_call_end(&call);
}

/* ---- OnMediaRequest ----------------------------------------------------------------------------------- */

static IRTCSessionCallControl *rtc_call_control(struct av_call *call)
{
    IRTCSessionCallControl *control;

    assert_hr(IRTCSession_QueryInterface(call->r.incoming, &IID_IRTCSessionCallControl, (void **)&control), S_OK);
    return control;
}

/* The RTC side's Hold or UnHold (a re-INVITE), with the UCC log cleared first. */
static void rtc_hold(struct av_call *call, IRTCSessionCallControl *control, BOOL hold, LONG_PTR cookie)
{
    g_free(ucc_sink_take(&call->u.sink));
    if (hold)
        assert_hr(IRTCSessionCallControl_Hold(control, cookie), S_OK);
    else
        assert_hr(IRTCSessionCallControl_UnHold(control, cookie), S_OK);
}

/* The first channel of the last OnMediaRequest. */
static IUccMediaChannel *requested_channel(struct av_call *call)
{
    IUccMediaChannel *channel = NULL;
    IUccCollection *channels;
    VARIANT item;

    assert_hr(IUccIncomingMediaRequestEvent_get_MediaChannels(call->u.sink.media_request, &channels), S_OK);
    VariantInit(&item);
    assert_hr(IUccCollection_get_Item(channels, 1, &item), S_OK);
    assert_hr(IUnknown_QueryInterface(V_UNKNOWN(&item), &IID_IUccMediaChannel, (void **)&channel), S_OK);
    VariantClear(&item);
    IUccCollection_Release(channels);
    return channel;
}

/* The RTC side holds and resumes (re-INVITEs): the UCC application decides each. */
static void test_media_request(void **state)
{
    IUccIncomingMediaRequestEvent *request;
    IRTCSessionCallControl *control;
    IUccMediaChannel *channel;
    struct av_call call;
    LONG count;
    IUccCollection *channels;
    char *log;

    av_call_start(&call, TONE, TONE, FALSE);
    control = rtc_call_control(&call);

    /* no sink on the participant's AV events: accepted at once */
    rtc_hold(&call, control, TRUE, 5);
    assert_true(party_wait(&call.r, "complete 5 0", WAIT));
    assert_int_equal(negotiated(&call), 0);
    rtc_hold(&call, control, FALSE, 6);
    assert_true(party_wait(&call.r, "complete 6 0", WAIT));
    assert_int_equal(negotiated(&call), UCCMD_BOTH);

    assert_hr(ucc_sink_advise(&call.u.sink, (IUnknown *)call.participant, &DIID__IUccAudioVideoSessionParticipantEvents,
                              "ucc.av"), S_OK);
    g_free(ucc_sink_take(&call.u.sink));

    /* Reject: 488 to the hold, the call goes on as it was (the RTC side stays CONNECTED; its Hold
     * completes with RTC_E_STATUS_NOT_ACCEPTABLE_HERE, the refusal) */
    g_free(party_take_log(&call.r));
    rtc_hold(&call, control, TRUE, 7);
    assert_true(ucc_party_wait(&call.u, "ucc.av OnMediaRequest AUDIO:2"));     /* it would only send to us */
    request = call.u.sink.media_request;
    assert_hr(IUccIncomingMediaRequestEvent_Reject(request, UCCROTR_FORWARDED), E_INVALIDARG);
    assert_hr(IUccIncomingMediaRequestEvent_Reject(request, UCCROTR_NOT_SPECIFIED), S_OK);
    assert_hr(IUccIncomingMediaRequestEvent_Reject(request, UCCROTR_NOT_SPECIFIED), E_INVALID_STATE);
    assert_hr(IUccIncomingMediaRequestEvent_Accept(request), E_INVALID_STATE);
    assert_true(party_wait(&call.r, "complete 7 0x80ef01e8", WAIT));
    log = party_take_log(&call.r);
    assert_null(strstr(log, "session HOLD"));
    g_free(log);
    assert_int_equal(negotiated(&call), UCCMD_BOTH);
    assert_both_ways(&call);

    /* Accept: held */
    rtc_hold(&call, control, TRUE, 8);
    assert_true(ucc_party_wait(&call.u, "ucc.av OnMediaRequest AUDIO:2"));
    assert_hr(IUccIncomingMediaRequestEvent_Accept(call.u.sink.media_request), S_OK);
    assert_true(party_wait(&call.r, "complete 8 0", WAIT));
    assert_int_equal(negotiated(&call), 0);
    rtc_hold(&call, control, FALSE, 9);
    assert_true(ucc_party_wait(&call.u, "ucc.av OnMediaRequest AUDIO:3"));
    assert_hr(IUccIncomingMediaRequestEvent_Accept(call.u.sink.media_request), S_OK);
    assert_true(party_wait(&call.r, "complete 9 0", WAIT));
    assert_int_equal(negotiated(&call), UCCMD_BOTH);
    assert_both_ways(&call);

    /* RemoveChannel, then Accept: audio refused (port 0), the call stays up without it */
    rtc_hold(&call, control, TRUE, 10);
    assert_true(ucc_party_wait(&call.u, "ucc.av OnMediaRequest AUDIO:2"));
    channel = requested_channel(&call);
    assert_hr(IUccIncomingMediaRequestEvent_RemoveChannel(call.u.sink.media_request, call.channel), E_INVALIDARG);
    assert_hr(IUccIncomingMediaRequestEvent_RemoveChannel(call.u.sink.media_request, channel), S_OK);
    assert_hr(IUccIncomingMediaRequestEvent_RemoveChannel(call.u.sink.media_request, channel), E_INVALIDARG);
    assert_hr(IUccIncomingMediaRequestEvent_get_MediaChannels(call.u.sink.media_request, &channels), S_OK);
    assert_hr(IUccCollection_get_Count(channels, &count), S_OK);
    assert_int_equal(count, 0);
    IUccCollection_Release(channels);
    IUccMediaChannel_Release(channel);
    assert_hr(IUccIncomingMediaRequestEvent_Accept(call.u.sink.media_request), S_OK);
    assert_true(party_wait(&call.r, "complete 10 0", WAIT));
    assert_int_equal(negotiated(&call), 0);
    assert_true(party_wait(&call.r, "session HOLD 0", WAIT));
    /* the resume brings audio back */
    rtc_hold(&call, control, FALSE, 11);
    assert_true(ucc_party_wait(&call.u, "ucc.av OnMediaRequest AUDIO:3"));
    assert_hr(IUccIncomingMediaRequestEvent_Accept(call.u.sink.media_request), S_OK);
    assert_true(party_wait(&call.r, "complete 11 0", WAIT));
    assert_int_equal(negotiated(&call), UCCMD_BOTH);
    assert_both_ways(&call);

    /* nobody decides: the engine accepts at its bound (4 s); a late Accept is refused */
    rtc_hold(&call, control, TRUE, 12);
    assert_true(ucc_party_wait(&call.u, "ucc.av OnMediaRequest AUDIO:2"));
    assert_true(party_wait(&call.r, "complete 12 0", WAIT));
    assert_hr(IUccIncomingMediaRequestEvent_Accept(call.u.sink.media_request), E_INVALID_STATE);

    /* the call ends while a request waits: OnMediaRequestCancelled */
    rtc_hold(&call, control, FALSE, 13);
    assert_true(ucc_party_wait(&call.u, "ucc.av OnMediaRequest AUDIO:3"));
    request = call.u.sink.media_request;
    IUccIncomingMediaRequestEvent_AddRef(request);
    assert_hr(IRTCSession_Terminate(call.r.incoming, RTCTR_NORMAL), S_OK);
    assert_true(ucc_party_wait(&call.u, "ucc.av OnMediaRequestCancelled"));
    assert_true(ucc_party_wait(&call.u, "ucc.s OnTerminate - 0"));
    assert_hr(IUccIncomingMediaRequestEvent_Accept(request), E_INVALID_STATE);
    IUccIncomingMediaRequestEvent_Release(request);
    IRTCSessionCallControl_Release(control);
    assert_hr(IUccSession_Terminate(call.session, UCCROTR_NOT_SPECIFIED, NULL), S_OK);
    av_call_release(&call);
}

/* UpdateChannels crossing the RTC side's Hold: both re-INVITEs get 491 and are retried (RFC 3261
 * §14.1); the RTC side's comes first (it does not own the Call-ID) and is raised as OnMediaRequest;
 * ours waits for that decision. Each event comes once. */
static void test_update_channels_glare(void **state)
{
    IRTCSessionCallControl *control;
    IUccOperationContext *op;
    struct av_call call;
    char *log;

    av_call_start(&call, TONE, TONE, FALSE);
    op = ucc_operation(20);
    control = rtc_call_control(&call);
    assert_hr(ucc_sink_advise(&call.u.sink, (IUnknown *)call.participant, &DIID__IUccAudioVideoSessionParticipantEvents,
                              "ucc.av"), S_OK);
    g_free(ucc_sink_take(&call.u.sink));
    g_free(party_take_log(&call.r));

    /* both before the loop runs: the requests cross on the wire */
    assert_hr(IUccMediaChannel_put_PreferredMedia(call.channel, UCCMD_SEND), S_OK);
    assert_hr(IUccAudioVideoSessionParticipant_UpdateChannels(call.av, op), S_OK);
    IUccOperationContext_Release(op);
    assert_hr(IRTCSessionCallControl_Hold(control, 21), S_OK);
    assert_true(ucc_party_wait(&call.u, "ucc.av OnMediaRequest AUDIO:2"));
    assert_hr(IUccIncomingMediaRequestEvent_Accept(call.u.sink.media_request), S_OK);
    assert_true(party_wait(&call.r, "complete 21 0", WAIT));
    assert_true(ucc_party_wait(&call.u, "ucc.av OnUpdateChannels 20 0"));

    /* one more update: nothing else came in between */
    update_channels(&call, UCCMD_BOTH, 22, "ucc.av OnUpdateChannels 22 0");
    ucc_assert_log(&call.u, "ucc.av OnMediaRequest AUDIO:2|ucc.av OnUpdateChannels 20 0|ucc.av OnUpdateChannels 22 0");
    log = party_take_log(&call.r);
    assert_non_null(strstr(log, "session HOLD 0|complete 21 0"));
    g_free(log);

    IRTCSessionCallControl_Release(control);
    av_call_end(&call);
}

int main(void)
{
    const struct CMUnitTest tests[] =
    {
        cmocka_unit_test(test_silence_suppressed),
        cmocka_unit_test(test_silence_suppression_keeps_speech),
        cmocka_unit_test(test_silence_sent_by_default),
        cmocka_unit_test(test_update_channels),
        cmocka_unit_test(test_media_request),
        cmocka_unit_test(test_update_channels_glare),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
