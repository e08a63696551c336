/*
 * Audio between a UCC endpoint and an RTCClient in one process, proven by
 * what each recorded (RTCSHIM_AUDIO_SOURCE / RTCSHIM_AUDIO_SINK, read when
 * the endpoint is enabled and the client initialized): each hears the
 * other's tone for at least 80 % of what arrived. The UCC side's media
 * channel: OnChannelAdded, NegotiatedMedia, stream states, signal level,
 * volume and mute values, DTMF that the RTC side receives.
 */
#include <math.h>
#include <glib/gstdio.h>
#include "test_ucc_party.h"
#include "rtc_party.h"
#include "rtcshim.h"
#include "../common/test_time.h"
#include "../common/wav.h"

#define WAIT 10000

static char *workdir;

static char *set_devices(const char *name, const char *source)
{
    char *wav = g_strdup_printf("%s/%s.wav", workdir, name);
    char *sink = g_strdup_printf("wavenc ! filesink location=%s", wav);

    g_setenv("RTCSHIM_AUDIO_SOURCE", source, TRUE);
    g_setenv("RTCSHIM_AUDIO_SINK", sink, TRUE);
    g_free(sink);
    return wav;
}

static void stats_of(IRTCSession *session, struct rtcshim_media_stats *stats)
{
    assert_hr(rtcshim_get_media_stats(session, stats), S_OK);
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

struct packets { IRTCSession *session; ULONGLONG count; };

static gboolean enough_received(void *data)
{
    struct packets *p = data;
    struct rtcshim_media_stats stats;

    stats_of(p->session, &stats);
    return stats.rtp_packets_received >= p->count;
}

struct stream_state { IUccAudioVideoMediaChannel *channel; UCC_MEDIA_DIRECTIONS direction; UCC_MEDIA_STREAM_STATE state; };

static gboolean state_reached(void *data)
{
    struct stream_state *s = data;
    UCC_MEDIA_STREAM_STATE state;

    assert_hr(IUccAudioVideoMediaChannel_GetMediaStreamState(s->channel, s->direction, &state), S_OK);
    return state == s->state;
}

static gboolean level_heard(void *data)
{
    LONG level = 0;

    assert_hr(IUccAudioMediaChannel_get_SignalLevel((IUccAudioMediaChannel *)data, UCCMD_RECEIVE, &level), S_OK);
    return level > 20;
}

struct digits { IRTCSession *session; ULONGLONG count; };

static gboolean digits_arrived(void *data)
{
    struct digits *d = data;
    struct rtcshim_media_stats stats;

    stats_of(d->session, &stats);
    return stats.dtmf_digits_received >= d->count;
}

static void check_heard(const char *path, const char *who, double frequency, ULONGLONG packets)
{
    double dominant, seconds, expected = packets * 0.020;
    struct wav wav;

    assert_true(wav_load(path, &wav));
    assert_true(wav.count > wav.rate);
    dominant = wav_dominant_frequency(&wav, wav.count / 4, MIN(wav.count / 2, wav.rate));
    seconds = wav_tone_seconds(&wav, frequency);
    print_message("%s heard %.1f Hz: %.2f s of %.0f Hz for %.2f s of packets\n", who, dominant, seconds, frequency,
                  expected);
    assert_true(fabs(dominant - frequency) <= 5.0);
    assert_true(seconds >= 0.8 * expected);
    wav_clear(&wav);
}

static void test_ucc_calls_rtc(void **state)
{
    struct stream_state stream_state;
    struct rtcshim_media_stats rtc_stats;
    IUccAudioVideoSessionParticipant *av;
    IUccSessionParticipant *participant;
    IUccAudioVideoMediaChannel *av_channel;
    IUccAudioMediaChannel *audio;
    struct ucc_party u;
    struct party r;
    IUccMediaChannel *channel;
    IUccOperationContext *op;
    IUccCollection *channels;
    IUccSession *session;
    struct packets packets;
    struct digits digits;
    VARIANT item;
    VARIANT_BOOL muted;
    char *wav_u, *wav_r;
    LONG value;
    IUccUri *uri;

    ucc_platform_start();
    wav_u = set_devices("ucc", "audiotestsrc is-live=true freq=440 volume=0.4");
    ucc_party_init(&u, "ucc", 0);
    wav_r = set_devices("rtc", "audiotestsrc is-live=true freq=880 volume=0.4");
    party_init(&r, "rtc");
    assert_hr(IRTCClient_put_EventFilter(r.client, RTCEF_ALL & ~RTCEF_INTENSITY), S_OK);
    r.answer = ANSWER_AT_ONCE;

    /* An AV session to the RTC client; the participant's channel events advised first. */
    assert_hr(IUccSessionManager_CreateSession(u.manager, UCCST_AUDIO_VIDEO, NULL, &session), S_OK);
    assert_hr(ucc_sink_advise(&u.sink, (IUnknown *)session, &DIID__IUccSessionEvents, "ucc.s"), S_OK);
    uri = ucc_parse(r.uri);
    assert_hr(IUccSession_CreateParticipant(session, uri, NULL, &participant), S_OK);
    IUccUri_Release(uri);
    assert_hr(ucc_sink_advise(&u.sink, (IUnknown *)participant, &DIID__IUccSessionParticipantEvents, "ucc.p"), S_OK);
    assert_hr(ucc_sink_advise(&u.sink, (IUnknown *)participant, &DIID__IUccMediaChannelCollectionEvents, "ucc.ch"),
              S_OK);
    assert_hr(IUccSessionParticipant_QueryInterface(participant, &IID_IUccAudioVideoSessionParticipant, (void **)&av),
              S_OK);
    assert_hr(IUccAudioVideoSessionParticipant_CreateChannel(av, UCCMT_AUDIO, NULL, &channel), S_OK);
    assert_hr(IUccMediaChannel_QueryInterface(channel, &IID_IUccAudioMediaChannel, (void **)&audio), S_OK);
    assert_hr(IUccMediaChannel_QueryInterface(channel, &IID_IUccAudioVideoMediaChannel, (void **)&av_channel), S_OK);
    /* values set before the call apply when it starts */
    assert_hr(IUccAudioMediaChannel_put_Volume(audio, UCCMD_RECEIVE, 40000), S_OK);
    assert_hr(IUccAudioMediaChannel_get_Volume(audio, UCCMD_RECEIVE, &value), S_OK);
    assert_int_equal(value, 40000);
    assert_hr(IUccAudioMediaChannel_get_Volume(audio, UCCMD_SEND, &value), S_OK);
    assert_int_equal(value, 65535);
    assert_hr(IUccAudioMediaChannel_put_Volume(audio, UCCMD_BOTH, 1), E_INVALIDARG);
    assert_hr(IUccAudioMediaChannel_put_Volume(audio, UCCMD_SEND, 65536), E_INVALIDARG);
    assert_hr(IUccAudioMediaChannel_SendDtmf(audio, UCCDTMF_1), UCC_E_NO_STREAM);
    assert_hr(IUccAudioVideoSessionParticipant_AddChannel(av, channel), S_OK);
    assert_true(ucc_party_wait(&u, "ucc.ch OnChannelAdded AUDIO"));

    op = ucc_operation(1);
    assert_hr(IUccSession_AddParticipant(session, participant, op), S_OK);
    IUccOperationContext_Release(op);
    assert_true(ucc_party_wait(&u, "ucc.s OnAddParticipant 1 0"));
    assert_true(party_wait(&r, "media send STARTED 0", WAIT));
    assert_true(party_wait(&r, "media receive STARTED 0", WAIT));
    assert_hr(IUccMediaChannel_get_NegotiatedMedia(channel, &value), S_OK);
    assert_int_equal(value, UCCMD_BOTH);
    stream_state = (struct stream_state){ av_channel, UCCMD_SEND, UCCMSS_ACTIVE };
    wait_until(state_reached, &stream_state, "sending ACTIVE");
    stream_state.direction = UCCMD_RECEIVE;
    wait_until(state_reached, &stream_state, "receiving ACTIVE");
    wait_until(level_heard, audio, "a signal level");

    /* the channel's collection: the one channel */
    assert_hr(IUccAudioVideoSessionParticipant_get_Channels(av, &channels), S_OK);
    assert_hr(IUccCollection_get_Count(channels, &value), S_OK);
    assert_int_equal(value, 1);
    VariantInit(&item);
    assert_hr(IUccCollection_get_Item(channels, 1, &item), S_OK);
    assert_ptr_equal(V_UNKNOWN(&item), (IUnknown *)channel);
    VariantClear(&item);
    IUccCollection_Release(channels);

    /* DTMF from the channel reaches the RTC side */
    assert_hr(IUccAudioMediaChannel_SendDtmf(audio, 17), E_INVALIDARG);
    assert_hr(IUccAudioMediaChannel_SendDtmf(audio, UCCDTMF_POUND), S_OK);
    digits = (struct digits){ r.incoming, 1 };
    wait_until(digits_arrived, &digits, "the digit");

    assert_hr(IUccAudioMediaChannel_put_IsMuted(audio, UCCMD_RECEIVE, VARIANT_TRUE), S_OK);
    assert_hr(IUccAudioMediaChannel_get_IsMuted(audio, UCCMD_RECEIVE, &muted), S_OK);
    assert_int_equal(muted, VARIANT_TRUE);
    assert_hr(IUccAudioMediaChannel_put_IsMuted(audio, UCCMD_RECEIVE, VARIANT_FALSE), S_OK);
    assert_hr(IUccAudioMediaChannel_get_SilenceSuppression(audio, &muted), S_OK);
    assert_int_equal(muted, VARIANT_FALSE);

    packets = (struct packets){ r.incoming, 150 };
    wait_until(enough_received, &packets, "150 packets at the RTC side");
    stats_of(r.incoming, &rtc_stats);

    assert_hr(IUccSession_Terminate(session, UCCROTR_NOT_SPECIFIED, NULL), S_OK);
    assert_true(party_wait(&r, "session DISCONNECTED 0", WAIT));
    assert_true(ucc_party_wait(&u, "ucc.s OnTerminate - 0"));
    stream_state.state = UCCMSS_STOPPED;
    assert_true(state_reached(&stream_state));
    assert_hr(IUccMediaChannel_get_NegotiatedMedia(channel, &value), S_OK);
    assert_int_equal(value, 0);

    assert_hr(IUccAudioVideoSessionParticipant_RemoveChannel(av, channel), S_OK);
    assert_true(ucc_party_wait(&u, "ucc.ch OnChannelRemoved AUDIO"));
    IUccAudioVideoMediaChannel_Release(av_channel);
    IUccAudioMediaChannel_Release(audio);
    IUccMediaChannel_Release(channel);
    IUccAudioVideoSessionParticipant_Release(av);
    IUccSessionParticipant_Release(participant);
    IUccSession_Release(session);

    ucc_platform_stop();
    ucc_party_cleanup(&u);
    ucc_platform_release();
    party_cleanup(&r);
    /* UCC sent (and RTC received) rtc_stats.rtp_packets_received; RTC sent rtp_packets_sent. */
    check_heard(wav_u, "ucc", 880.0, rtc_stats.rtp_packets_sent);
    check_heard(wav_r, "rtc", 440.0, rtc_stats.rtp_packets_received);
    g_unlink(wav_u);
    g_unlink(wav_r);
    g_free(wav_u);
    g_free(wav_r);
}

static int setup(void **state)
{
    workdir = g_dir_make_tmp("rtcshim-ucc-media-XXXXXX", NULL);
    return workdir ? 0 : -1;
}

static int teardown(void **state)
{
    g_rmdir(workdir);
    g_free(workdir);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] =
    {
        cmocka_unit_test(test_ucc_calls_rtc),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
