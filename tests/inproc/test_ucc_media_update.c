/*
 * What changes the media of a connected UCC audio/video session, seen by an
 * application: IUccAudioMediaChannel::SilenceSuppression (proven by the RTP
 * packet counters of the RTC peer, which receives what the UCC side sends).
 * Every wait is on a condition with a generous bound (test_ms), never a
 * sleep tuned for a quiet machine.
 */
#include "test_ucc_party.h"
#include "rtc_party.h"
#include "rtcshim.h"
#include "../common/test_time.h"

#define WAIT 10000

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

static void av_call_end(struct av_call *call)
{
    assert_hr(IUccSession_Terminate(call->session, UCCROTR_NOT_SPECIFIED, NULL), S_OK);
    assert_true(party_wait(&call->r, "session DISCONNECTED 0", WAIT));
    assert_true(ucc_party_wait(&call->u, "ucc.s OnTerminate - 0"));
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

int main(void)
{
    const struct CMUnitTest tests[] =
    {
        cmocka_unit_test(test_silence_suppressed),
        cmocka_unit_test(test_silence_suppression_keeps_speech),
        cmocka_unit_test(test_silence_sent_by_default),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
