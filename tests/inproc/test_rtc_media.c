/*
 * Audio between RTC clients in one process, proven by what was heard: each
 * client captures its own tone (RTCSHIM_AUDIO_SOURCE, read when the client
 * initializes) and records what it plays (RTCSHIM_AUDIO_SINK, a WAV file).
 * The recordings must carry the other side's frequency for at least 80 % of
 * the audio the other side sent (counted in RTP packets: no clocks). Also the
 * media events per direction, MediaTypes from the SDP, hold, DTMF, mute,
 * levels, rings, devices and preferences, and a source that does not exist.
 */
#include <stdio.h>
#include <string.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <glib/gstdio.h>
#include "rtc_party.h"
#include "rtcshim.h"
#include "../common/test_time.h"
#include "../common/wav.h"

#define WAIT 10000

static char *workdir;

/* Sets what the next client captures and where it records; NULL source = silence. */
static char *set_devices(const char *name, const char *source)
{
    char *wav = g_strdup_printf("%s/%s.wav", workdir, name);
    char *sink = g_strdup_printf("wavenc ! filesink location=%s", wav);

    g_setenv("RTCSHIM_AUDIO_SOURCE", source ? source : "audiotestsrc is-live=true wave=silence", TRUE);
    g_setenv("RTCSHIM_AUDIO_SINK", sink, TRUE);
    g_free(sink);
    return wav;
}

/* A party whose events include RTCE_MEDIA (and RTCE_INTENSITY if asked). */
static void media_party_init(struct party *party, const char *name, LONG extra_events)
{
    party_init(party, name);
    assert_int_equal(IRTCClient_put_EventFilter(party->client, (RTCEF_ALL & ~RTCEF_INTENSITY) | extra_events), S_OK);
}

static void stats_of(IRTCSession *session, struct rtcshim_media_stats *stats)
{
    assert_int_equal(rtcshim_get_media_stats(session, stats), S_OK);
}

/* Iterates until the session has received `count` RTP packets (bounded, not measured). */
static void wait_received(IRTCSession *session, ULONGLONG count)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)test_ms(30000) * 1000;
    struct rtcshim_media_stats stats;

    for (;;)
    {
        stats_of(session, &stats);
        if (stats.rtp_packets_received >= count) return;
        if (g_get_monotonic_time() > deadline) fail_msg("only %llu RTP packets received", stats.rtp_packets_received);
        run_loop_for(20);
    }
}

static gboolean log_contains(struct party *party, const char *line)
{
    guint i;

    for (i = 0; i < party->log->len; i++)
        if (!strcmp(g_ptr_array_index(party->log, i), line)) return TRUE;
    return FALSE;
}

static int index_of(struct party *party, const char *line)
{
    guint i;

    for (i = 0; i < party->log->len; i++)
        if (!strcmp(g_ptr_array_index(party->log, i), line)) return i;
    return -1;
}

static int first_media_line(struct party *party)
{
    guint i;

    for (i = 0; i < party->log->len; i++)
        if (g_str_has_prefix(g_ptr_array_index(party->log, i), "media ")) return i;
    return -1;
}

/* The media lines of a log, in order. */
static char *media_lines(struct party *party)
{
    GString *out = g_string_new(NULL);
    guint i;

    for (i = 0; i < party->log->len; i++)
    {
        const char *line = g_ptr_array_index(party->log, i);
        if (!g_str_has_prefix(line, "media ")) continue;
        if (out->len) g_string_append_c(out, '|');
        g_string_append(out, line);
    }
    return g_string_free(out, FALSE);
}

static void check_heard(const char *wav_path, const char *who, double frequency, ULONGLONG packets_sent_to_it)
{
    double dominant, seconds, expected = packets_sent_to_it * 0.020;
    struct wav wav;

    assert_true(wav_load(wav_path, &wav));
    assert_true(wav.count > wav.rate);
    dominant = wav_dominant_frequency(&wav, wav.count / 4, MIN(wav.count / 2, wav.rate));
    seconds = wav_tone_seconds(&wav, frequency);
    print_message("%s heard %.1f Hz: %.2f s of %.0f Hz for %.2f s sent\n", who, dominant, seconds, frequency, expected);
    assert_true(fabs(dominant - frequency) <= 5.0);
    assert_true(seconds >= 0.8 * expected);
    wav_clear(&wav);
}

/* RTC calls RTC: each hears the other's tone; the media events come per direction. */
static void test_two_way_tones(void **state)
{
    struct rtcshim_media_stats sa, sb;
    struct party a, b;
    IRTCSession *session;
    char *wav_a, *wav_b, *lines;

    wav_a = set_devices("alice", "audiotestsrc is-live=true freq=440 volume=0.4");
    media_party_init(&a, "alice", 0);
    wav_b = set_devices("bob", "audiotestsrc is-live=true freq=880 volume=0.4");
    media_party_init(&b, "bob", 0);
    b.answer = ANSWER_AT_ONCE;

    session = party_call(&a, &b, RTCST_PC_TO_PC);
    assert_true(party_wait(&a, "session CONNECTED 0", WAIT));
    /* MediaTypes from the SDP: audio both ways */
    assert_int_equal(a.last_media_types, RTCMT_AUDIO_SEND | RTCMT_AUDIO_RECEIVE);
    assert_true(party_wait(&b, "session CONNECTED 0", WAIT));
    assert_int_equal(b.last_media_types, RTCMT_AUDIO_SEND | RTCMT_AUDIO_RECEIVE);
    assert_true(party_wait(&a, "media send STARTED 0", WAIT));
    assert_true(party_wait(&a, "media receive STARTED 0", WAIT));
    assert_true(party_wait(&b, "media send STARTED 0", WAIT));
    assert_true(party_wait(&b, "media receive STARTED 0", WAIT));
    /* nothing about media before the session is up */
    assert_true(first_media_line(&a) > index_of(&a, "session CONNECTED 0"));
    assert_true(first_media_line(&b) > index_of(&b, "session CONNECTED 0"));

    wait_received(session, 150);
    wait_received(b.incoming, 150);
    stats_of(session, &sa);
    stats_of(b.incoming, &sb);
    assert_string_equal(sa.codec, "opus");      /* first in both lists */
    assert_true(sa.rtp_packets_sent > 0 && sb.rtp_packets_sent > 0);

    IRTCSession_Terminate(session, RTCTR_NORMAL);
    assert_true(party_wait(&b, "session DISCONNECTED 0", WAIT));
    assert_true(party_wait(&a, "session DISCONNECTED 0", WAIT));
    /* each direction that started stopped with the call, after it disconnected */
    lines = media_lines(&a);
    assert_true(!strcmp(lines, "media send STARTED 0|media receive STARTED 0|media send STOPPED 0|media receive STOPPED 0")
                || !strcmp(lines, "media receive STARTED 0|media send STARTED 0|media send STOPPED 0|media receive STOPPED 0"));
    g_free(lines);
    assert_true(log_contains(&b, "media send STOPPED 0") && log_contains(&b, "media receive STOPPED 0"));
    IRTCSession_Release(session);
    /* Shutdown ends the audio; the recordings are finished then. */
    party_cleanup(&a);
    party_cleanup(&b);
    check_heard(wav_a, "alice", 880.0, sb.rtp_packets_sent);
    check_heard(wav_b, "bob", 440.0, sa.rtp_packets_sent);
    g_unlink(wav_a);
    g_unlink(wav_b);
    g_free(wav_a);
    g_free(wav_b);
}

/* Hold: the holder's directions stop (HOLD), nothing goes out; the held side's
 * too; resume starts them again. */
static void test_hold(void **state)
{
    struct rtcshim_media_stats held;
    IRTCSessionCallControl *control;
    struct rtcshim_media_stats now;
    struct party a, b;
    IRTCSession *session;
    char *wav_a, *wav_b;

    wav_a = set_devices("alice", "audiotestsrc is-live=true freq=440");
    media_party_init(&a, "alice", 0);
    wav_b = set_devices("bob", "audiotestsrc is-live=true freq=880");
    media_party_init(&b, "bob", 0);
    b.answer = ANSWER_AT_ONCE;
    session = party_call(&a, &b, RTCST_PC_TO_PC);
    assert_true(party_wait(&a, "media send STARTED 0", WAIT));
    assert_true(party_wait(&a, "media receive STARTED 0", WAIT));
    assert_true(party_wait(&b, "media receive STARTED 0", WAIT));
    g_free(party_take_log(&a));
    g_free(party_take_log(&b));

    assert_int_equal(IRTCSession_QueryInterface(session, &IID_IRTCSessionCallControl, (void **)&control), S_OK);
    assert_int_equal(IRTCSessionCallControl_Hold(control, 5), S_OK);
    assert_true(party_wait(&a, "complete 5 0", WAIT));
    assert_true(party_wait(&a, "media send STOPPED 1", WAIT));
    assert_true(party_wait(&a, "media receive STOPPED 1", WAIT));
    assert_true(party_wait(&b, "media send STOPPED 1", WAIT));
    assert_true(party_wait(&b, "media receive STOPPED 1", WAIT));
    assert_true(log_contains(&a, "session HOLD 0"));
    /* Nothing goes out while held, either way (bob answered recvonly): two
     * seconds pass, the counters stand. A slower machine only sends less. */
    stats_of(session, &held);
    {
        struct rtcshim_media_stats bob_held, bob_now;

        stats_of(b.incoming, &bob_held);
        run_loop_for(2000);
        stats_of(b.incoming, &bob_now);
        assert_true(bob_now.rtp_packets_sent <= bob_held.rtp_packets_sent + 1);
    }
    stats_of(session, &now);
    assert_true(now.rtp_packets_sent <= held.rtp_packets_sent + 1);
    /* DTMF needs the call's audio */
    assert_int_equal(IRTCClient_SendDTMF(a.client, RTC_DTMF_1), RTC_E_MEDIA_SESSION_IN_HOLD);
    assert_int_equal(IRTCClient_SendDTMF(b.client, RTC_DTMF_1), RTC_E_MEDIA_SESSION_IN_HOLD);

    g_free(party_take_log(&a));
    g_free(party_take_log(&b));
    assert_int_equal(IRTCSessionCallControl_UnHold(control, 6), S_OK);
    assert_true(party_wait(&a, "complete 6 0", WAIT));
    assert_true(party_wait(&a, "media send STARTED 0", WAIT));
    assert_true(party_wait(&a, "media receive STARTED 0", WAIT));
    assert_true(party_wait(&b, "media send STARTED 0", WAIT));
    assert_true(party_wait(&b, "media receive STARTED 0", WAIT));
    wait_received(b.incoming, held.rtp_packets_sent + 50);    /* alice's packets reach bob again */

    IRTCSessionCallControl_Release(control);
    IRTCSession_Terminate(session, RTCTR_NORMAL);
    assert_true(party_wait(&b, "session DISCONNECTED 0", WAIT));
    IRTCSession_Release(session);
    party_cleanup(&a);
    party_cleanup(&b);
    g_unlink(wav_a);
    g_unlink(wav_b);
    g_free(wav_a);
    g_free(wav_b);
}

/* SendDTMF: RFC 4733 digits reach the peer, each counted once. */
static void test_dtmf(void **state)
{
    struct rtcshim_media_stats stats;
    struct party a, b;
    IRTCSession *session;
    char *wav_a, *wav_b;

    wav_a = set_devices("alice", NULL);
    media_party_init(&a, "alice", 0);
    wav_b = set_devices("bob", NULL);
    media_party_init(&b, "bob", 0);
    b.answer = ANSWER_AT_ONCE;

    assert_int_equal(IRTCClient_SendDTMF(a.client, RTC_DTMF_5), RTC_E_MEDIA_SESSION_NOT_EXIST);
    session = party_call(&a, &b, RTCST_PC_TO_PC);
    assert_true(party_wait(&a, "media send STARTED 0", WAIT));
    assert_true(party_wait(&b, "media receive STARTED 0", WAIT));
    assert_int_equal(IRTCClient_SendDTMF(a.client, 17), E_INVALIDARG);
    assert_int_equal(IRTCClient_SendDTMF(a.client, RTC_DTMF_1), S_OK);
    assert_int_equal(IRTCClient_SendDTMF(a.client, RTC_DTMF_POUND), S_OK);
    assert_int_equal(IRTCClient_SendDTMF(a.client, RTC_DTMF_A), S_OK);
    do
    {
        wait_received(b.incoming, 10);
        run_loop_for(20);
        stats_of(b.incoming, &stats);
    } while (stats.dtmf_digits_received < 3);
    assert_int_equal(stats.dtmf_digits_received, 3);
    stats_of(session, &stats);
    assert_int_equal(stats.dtmf_digits_sent, 3);

    IRTCSession_Terminate(session, RTCTR_NORMAL);
    assert_true(party_wait(&b, "session DISCONNECTED 0", WAIT));
    IRTCSession_Release(session);
    party_cleanup(&a);
    party_cleanup(&b);

    g_unlink(wav_a);
    g_unlink(wav_b);
    g_free(wav_a);
    g_free(wav_b);
}

/* Volumes and mute: a muted microphone sends silence; errors for bad arguments. */
static void test_volume_and_mute(void **state)
{
    struct rtcshim_media_stats stats;
    struct party a, b;
    IRTCSession *session;
    VARIANT_BOOL muted;
    char *wav_a, *wav_b;
    LONG volume;
    struct wav wav;

    wav_a = set_devices("alice", "audiotestsrc is-live=true freq=440");
    media_party_init(&a, "alice", 0);
    wav_b = set_devices("bob", NULL);
    media_party_init(&b, "bob", 0);
    b.answer = ANSWER_AT_ONCE;

    assert_int_equal(IRTCClient_get_Volume(a.client, RTCAD_SPEAKER, &volume), S_OK);
    assert_int_equal(volume, 0xFFFF);
    assert_int_equal(IRTCClient_put_Volume(a.client, RTCAD_SPEAKER, 0x8000), S_OK);
    assert_int_equal(IRTCClient_get_Volume(a.client, RTCAD_SPEAKER, &volume), S_OK);
    assert_int_equal(volume, 0x8000);
    assert_int_equal(IRTCClient_put_Volume(a.client, RTCAD_SPEAKER, 0x10000), E_INVALIDARG);
    assert_int_equal(IRTCClient_put_Volume(a.client, RTCAD_SPEAKER, -1), E_INVALIDARG);
    assert_int_equal(IRTCClient_put_Volume(a.client, 2, 1), E_INVALIDARG);
    assert_int_equal(IRTCClient_get_Volume(a.client, RTCAD_SPEAKER, NULL), E_POINTER);
    assert_int_equal(IRTCClient_get_AudioMuted(a.client, RTCAD_MICROPHONE, &muted), S_OK);
    assert_int_equal(muted, VARIANT_FALSE);
    assert_int_equal(IRTCClient_put_AudioMuted(a.client, RTCAD_MICROPHONE, VARIANT_TRUE), S_OK);
    assert_int_equal(IRTCClient_get_AudioMuted(a.client, RTCAD_MICROPHONE, &muted), S_OK);
    assert_int_equal(muted, VARIANT_TRUE);

    session = party_call(&a, &b, RTCST_PC_TO_PC);
    assert_true(party_wait(&b, "media receive STARTED 0", WAIT));
    wait_received(b.incoming, 100);
    stats_of(b.incoming, &stats);
    IRTCSession_Terminate(session, RTCTR_NORMAL);
    assert_true(party_wait(&b, "session DISCONNECTED 0", WAIT));
    IRTCSession_Release(session);
    party_cleanup(&a);
    party_cleanup(&b);

    /* Packets came (a muted microphone still sends), but only silence. */
    assert_true(stats.rtp_packets_received >= 100);
    assert_true(wav_load(wav_b, &wav));
    print_message("bob heard %.2f s of sound from a muted alice\n", wav_sound_seconds(&wav));
    assert_true(wav.count > wav.rate);
    assert_true(wav_sound_seconds(&wav) < 0.1);
    wav_clear(&wav);
    g_unlink(wav_a);
    g_unlink(wav_b);
    g_free(wav_a);
    g_free(wav_b);
}

static int count_intensity;
static LONG intensity_min = -1, intensity_max = -1;
static gboolean intensity_directions[2];

static void intensity_hook(struct party *party, RTC_EVENT type, IDispatch *event)
{
    IRTCIntensityEvent *e;
    RTC_AUDIO_DEVICE direction;
    LONG level, min, max;

    if (type != RTCE_INTENSITY || FAILED(IDispatch_QueryInterface(event, &IID_IRTCIntensityEvent, (void **)&e)))
        return;
    IRTCIntensityEvent_get_Level(e, &level);
    IRTCIntensityEvent_get_Min(e, &min);
    IRTCIntensityEvent_get_Max(e, &max);
    IRTCIntensityEvent_get_Direction(e, &direction);
    assert_true(level >= min && level <= max);
    intensity_min = min;
    intensity_max = max;
    if ((unsigned int)direction < 2) intensity_directions[direction] = TRUE;
    count_intensity++;
    IRTCIntensityEvent_Release(e);
}

/* RTCE_INTENSITY while RTCEF_INTENSITY is in the filter, and not otherwise. */
static void test_intensity(void **state)
{
    struct party a, b;
    IRTCSession *session;
    char *wav_a, *wav_b;
    int before;

    wav_a = set_devices("alice", "audiotestsrc is-live=true freq=440 volume=0.5");
    media_party_init(&a, "alice", 0);
    wav_b = set_devices("bob", "audiotestsrc is-live=true freq=880 volume=0.5");
    media_party_init(&b, "bob", 0);
    b.answer = ANSWER_AT_ONCE;
    a.hook = intensity_hook;
    count_intensity = 0;

    session = party_call(&a, &b, RTCST_PC_TO_PC);
    assert_true(party_wait(&a, "media receive STARTED 0", WAIT));
    wait_received(session, 50);
    assert_int_equal(count_intensity, 0);

    assert_int_equal(IRTCClient_put_EventFilter(a.client, RTCEF_ALL), S_OK);
    while (!intensity_directions[RTCAD_SPEAKER] || !intensity_directions[RTCAD_MICROPHONE])
        run_loop_for(50);
    assert_int_equal(intensity_min, 0);
    assert_int_equal(intensity_max, 100);

    assert_int_equal(IRTCClient_put_EventFilter(a.client, RTCEF_ALL & ~RTCEF_INTENSITY), S_OK);
    run_loop_for(200);      /* whatever was queued before the filter changed */
    before = count_intensity;
    {
        struct rtcshim_media_stats stats;

        stats_of(session, &stats);
        wait_received(session, stats.rtp_packets_received + 50);
    }
    assert_int_equal(count_intensity, before);

    IRTCSession_Terminate(session, RTCTR_NORMAL);
    assert_true(party_wait(&b, "session DISCONNECTED 0", WAIT));
    IRTCSession_Release(session);
    party_cleanup(&a);
    party_cleanup(&b);
    g_unlink(wav_a);
    g_unlink(wav_b);
    g_free(wav_a);
    g_free(wav_b);
}

/* A source that names no element: the call connects, sending FAILED/BAD_DEVICE, receiving works. */
static void test_no_device(void **state)
{
    struct rtcshim_media_stats stats;
    struct party a, b;
    IRTCSession *session;
    char *wav_a, *wav_b;

    wav_a = set_devices("alice", "nosuchelement-rtcshim");
    media_party_init(&a, "alice", 0);
    wav_b = set_devices("bob", "audiotestsrc is-live=true freq=880");
    media_party_init(&b, "bob", 0);
    b.answer = ANSWER_AT_ONCE;

    session = party_call(&a, &b, RTCST_PC_TO_PC);
    assert_true(party_wait(&a, "session CONNECTED 0", WAIT));
    assert_true(party_wait(&a, "media send FAILED 3", WAIT));
    assert_true(party_wait(&a, "media receive STARTED 0", WAIT));
    wait_received(session, 50);
    stats_of(session, &stats);
    assert_int_equal(stats.rtp_packets_sent, 0);
    assert_false(log_contains(&b, "media receive STARTED 0"));
    IRTCSession_Terminate(session, RTCTR_NORMAL);
    assert_true(party_wait(&b, "session DISCONNECTED 0", WAIT));
    /* the failed direction is not reported stopped: it never ran */
    assert_false(log_contains(&a, "media send STOPPED 0"));
    IRTCSession_Release(session);
    party_cleanup(&a);
    party_cleanup(&b);
    g_unlink(wav_a);
    g_unlink(wav_b);
    g_free(wav_a);
    g_free(wav_b);
}

/* The peer's RTP stops (its source ends): RECEIVE STOPPED/TIMEOUT after the set timeout. */
static void test_rtp_timeout(void **state)
{
    struct party a, b;
    IRTCSession *session;
    char *wav_a, *wav_b;

    wav_a = set_devices("alice", NULL);
    media_party_init(&a, "alice", 0);
    /* 100 buffers of 10 ms: one second of audio, then nothing */
    wav_b = set_devices("bob", "audiotestsrc is-live=true num-buffers=100 samplesperbuffer=80 freq=880");
    media_party_init(&b, "bob", 0);
    b.answer = ANSWER_AT_ONCE;
    assert_int_equal(rtcshim_set_media_timeout(a.client, 0), E_INVALIDARG);
    assert_int_equal(rtcshim_set_media_timeout(a.client, 1000), S_OK);

    session = party_call(&a, &b, RTCST_PC_TO_PC);
    assert_true(party_wait(&a, "media receive STARTED 0", WAIT));
    assert_true(party_wait(&a, "media receive STOPPED 2", WAIT));
    assert_false(log_contains(&a, "session DISCONNECTED 0"));
    IRTCSession_Terminate(session, RTCTR_NORMAL);
    assert_true(party_wait(&b, "session DISCONNECTED 0", WAIT));
    IRTCSession_Release(session);
    party_cleanup(&a);
    party_cleanup(&b);
    g_unlink(wav_a);
    g_unlink(wav_b);
    g_free(wav_a);
    g_free(wav_b);
}

/* PlayRing: a 440 Hz ring plays to the speaker until stopped. */
static void test_ring(void **state)
{
    struct party a;
    char *wav_a;
    struct wav wav;
    GStatBuf st;
    gint64 deadline = g_get_monotonic_time() + (gint64)test_ms(30000) * 1000;

    wav_a = set_devices("ring", NULL);
    media_party_init(&a, "alice", 0);
    assert_int_equal(IRTCClient_PlayRing(a.client, 7, VARIANT_TRUE), E_INVALIDARG);
    assert_int_equal(IRTCClient_PlayRing(a.client, RTCRT_PHONE, VARIANT_TRUE), S_OK);
    assert_int_equal(IRTCClient_PlayRing(a.client, RTCRT_PHONE, VARIANT_TRUE), S_OK);     /* already ringing */
    /* at least half a second of ring recorded (16-bit, rate unknown yet: 8000 Hz at least) */
    while (g_stat(wav_a, &st) || st.st_size < 8000)
    {
        if (g_get_monotonic_time() > deadline) fail_msg("no ring recorded");
        run_loop_for(50);
    }
    assert_int_equal(IRTCClient_PlayRing(a.client, RTCRT_PHONE, VARIANT_FALSE), S_OK);
    assert_int_equal(IRTCClient_PlayRing(a.client, RTCRT_RINGBACK, VARIANT_FALSE), S_OK);  /* not playing */
    party_cleanup(&a);
    assert_true(wav_load(wav_a, &wav));
    assert_true(fabs(wav_dominant_frequency(&wav, 0, MIN(wav.count, wav.rate / 2)) - 440.0) <= 5.0);
    wav_clear(&wav);
    g_unlink(wav_a);
    g_free(wav_a);
}

/* Devices, tuning, capabilities and the preferences that persist. */
static void test_devices_and_preferences(void **state)
{
    VARIANT_BOOL flag;
    struct party a;
    LONG value;
    BSTR name, empty = bstr(""), bogus = bstr("No Such Device (rtcshim)");
    char *wav_a;

    wav_a = set_devices("alice", NULL);
    media_party_init(&a, "alice", 0);
    /* devices given by the environment: both directions, chosen */
    assert_int_equal(IRTCClient_get_MediaCapabilities(a.client, &value), S_OK);
    assert_int_equal(value, RTCMT_AUDIO_SEND | RTCMT_AUDIO_RECEIVE);
    assert_int_equal(IRTCClient_get_IsTuned(a.client, &flag), S_OK);
    assert_int_equal(flag, VARIANT_TRUE);
    assert_int_equal(IRTCClient_put_PreferredAudioDevice(a.client, RTCAD_SPEAKER, bogus), E_INVALIDARG);
    assert_int_equal(IRTCClient_put_PreferredAudioDevice(a.client, RTCAD_SPEAKER, empty), S_OK);
    assert_int_equal(IRTCClient_get_PreferredAudioDevice(a.client, RTCAD_SPEAKER, &name), S_OK);
    assert_int_equal(SysStringLen(name), 0);
    SysFreeString(name);
    assert_int_equal(IRTCClient_get_PreferredAudioDevice(a.client, 3, &name), E_INVALIDARG);

    assert_int_equal(IRTCClient_put_PreferredVolume(a.client, RTCAD_MICROPHONE, 1234), S_OK);
    assert_int_equal(IRTCClient_put_PreferredAEC(a.client, VARIANT_TRUE), S_OK);
    assert_int_equal(IRTCClient_get_PreferredAEC(a.client, &flag), S_OK);
    assert_int_equal(flag, VARIANT_TRUE);
    party_cleanup(&a);

    /* a new client finds them again (they live under XDG_CONFIG_HOME) */
    media_party_init(&a, "alice", 0);
    assert_int_equal(IRTCClient_get_PreferredVolume(a.client, RTCAD_MICROPHONE, &value), S_OK);
    assert_int_equal(value, 1234);
    assert_int_equal(IRTCClient_get_PreferredVolume(a.client, RTCAD_SPEAKER, &value), S_OK);
    assert_int_equal(value, 0xFFFF);
    assert_int_equal(IRTCClient_get_PreferredAEC(a.client, &flag), S_OK);
    assert_int_equal(flag, VARIANT_TRUE);
    assert_int_equal(IRTCClient_put_PreferredAEC(a.client, VARIANT_FALSE), S_OK);
    party_cleanup(&a);

    /* without the environment's devices nothing is chosen: not tuned */
    g_unsetenv("RTCSHIM_AUDIO_SOURCE");
    g_unsetenv("RTCSHIM_AUDIO_SINK");
    media_party_init(&a, "alice", 0);
    assert_int_equal(IRTCClient_get_IsTuned(a.client, &flag), S_OK);
    assert_int_equal(flag, VARIANT_FALSE);
    party_cleanup(&a);

    /* media disabled at InitializeEx */
    {
        IRTCClient2 *client2;
        IRTCClient *client;

        assert_int_equal(CoInitializeEx(NULL, COINIT_APARTMENTTHREADED) & ~1u, S_OK);
        assert_int_equal(CoCreateInstance(&CLSID_RTCClient, NULL, CLSCTX_INPROC_SERVER, &IID_IRTCClient2,
                                          (void **)&client2), S_OK);
        client = (IRTCClient *)client2;
        assert_int_equal(IRTCClient_get_Volume(client, RTCAD_SPEAKER, &value), RTC_E_CLIENT_NOT_INITIALIZED);
        assert_int_equal(IRTCClient2_InitializeEx(client2, RTCIF_DISABLE_MEDIA), S_OK);
        assert_int_equal(IRTCClient_get_MediaCapabilities(client, &value), S_OK);
        assert_int_equal(value, 0);
        assert_int_equal(IRTCClient_get_Volume(client, RTCAD_SPEAKER, &value), RTC_E_MEDIA_DISABLED);
        assert_int_equal(IRTCClient_SendDTMF(client, RTC_DTMF_1), RTC_E_MEDIA_DISABLED);
        assert_int_equal(IRTCClient_Shutdown(client), S_OK);
        IRTCClient2_Release(client2);
        CoUninitialize();
    }
    SysFreeString(empty);
    SysFreeString(bogus);
    g_free(wav_a);
}

/* This process's UDP sockets bound in the RTP range (16384-32767): the
 * socket inodes of /proc/self/fd found in /proc/net/udp and udp6. */
static int rtp_sockets(void)
{
    GHashTable *ours = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    const char *tables[] = { "/proc/net/udp", "/proc/net/udp6" };
    GDir *dir = g_dir_open("/proc/self/fd", 0, NULL);
    const char *name;
    int count = 0;
    guint t;

    assert_non_null(dir);
    while ((name = g_dir_read_name(dir)))
    {
        char *path = g_strdup_printf("/proc/self/fd/%s", name), *target = g_file_read_link(path, NULL);

        if (target && g_str_has_prefix(target, "socket:["))
            g_hash_table_add(ours, g_strndup(target + 8, strlen(target) - 9));
        g_free(target);
        g_free(path);
    }
    g_dir_close(dir);
    for (t = 0; t < G_N_ELEMENTS(tables); t++)
    {
        char *text = NULL, **lines, **line;

        if (!g_file_get_contents(tables[t], &text, NULL, NULL)) continue;
        lines = g_strsplit(text, "\n", -1);
        for (line = lines; *line; line++)
        {
            char **fields = g_strsplit_set(g_strstrip(*line), " ", -1), **f, *local = NULL, *inode = NULL;
            int column = 0;

            /* sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode */
            for (f = fields; *f; f++)
            {
                if (!**f) continue;
                if (column == 1) local = *f;
                if (column == 9) inode = *f;
                column++;
            }
            if (local && inode && strchr(local, ':') && g_hash_table_contains(ours, inode))
            {
                guint port = strtoul(strrchr(local, ':') + 1, NULL, 16);

                if (port >= 16384 && port <= 32767) count++;
            }
            g_strfreev(fields);
        }
        g_strfreev(lines);
        g_free(text);
    }
    g_hash_table_destroy(ours);
    return count;
}

/* alice and bob with a live test source and a fake sink: for tests that
 * count packets and events, not what was heard. */
static void quiet_parties_init(struct party *a, struct party *b)
{
    g_setenv("RTCSHIM_AUDIO_SOURCE", "audiotestsrc is-live=true", TRUE);
    g_setenv("RTCSHIM_AUDIO_SINK", "fakesink", TRUE);
    media_party_init(a, "alice", 0);
    media_party_init(b, "bob", 0);
}

static void quiet_parties_cleanup(struct party *a, struct party *b)
{
    party_cleanup(a);
    party_cleanup(b);
    g_unsetenv("RTCSHIM_AUDIO_SOURCE");
    g_unsetenv("RTCSHIM_AUDIO_SINK");
}

/* SetPreferredMediaTypes(0): a signalling-only client's calls bind no port
 * and carry no stream, placed or answered; a peer with audio connects with
 * it all the same (docs/wire-mapping.md, "Preferred media types"). */
static void test_preferred_no_media(void **state)
{
    struct party a, b;
    IRTCSession *session;
    LONG types;

    quiet_parties_init(&a, &b);
    assert_int_equal(IRTCClient_SetPreferredMediaTypes(a.client, 0, VARIANT_FALSE), S_OK);
    assert_int_equal(IRTCClient_get_PreferredMediaTypes(a.client, &types), S_OK);
    assert_int_equal(types, 0);

    /* alice calls: her offer has no stream, bob's answer none either, no socket is bound */
    b.answer = ANSWER_AT_ONCE;
    assert_int_equal(rtp_sockets(), 0);
    session = party_call(&a, &b, RTCST_PC_TO_PC);
    assert_true(party_wait(&a, "session CONNECTED 0", WAIT));
    assert_int_equal(a.last_media_types, 0);
    assert_true(party_wait(&b, "session CONNECTED 0", WAIT));
    assert_int_equal(b.last_media_types, 0);
    assert_int_equal(rtp_sockets(), 0);
    assert_int_equal(IRTCSession_Terminate(session, RTCTR_NORMAL), S_OK);
    assert_true(party_wait(&a, "session DISCONNECTED 0", WAIT));
    assert_true(party_wait(&b, "session DISCONNECTED 0", WAIT));
    assert_int_equal(first_media_line(&a), -1);
    assert_int_equal(first_media_line(&b), -1);
    IRTCSession_Release(session);
    g_free(party_take_log(&a));
    g_free(party_take_log(&b));

    /* bob calls: alice refuses his audio stream (port 0), the call connects without audio */
    a.answer = ANSWER_AT_ONCE;
    b.answer = ANSWER_NEVER;
    session = party_call(&b, &a, RTCST_PC_TO_PC);
    assert_true(party_wait(&b, "session CONNECTED 0", WAIT));
    assert_int_equal(b.last_media_types, 0);
    assert_true(party_wait(&a, "session CONNECTED 0", WAIT));
    assert_int_equal(a.last_media_types, 0);
    assert_int_equal(IRTCSession_Terminate(session, RTCTR_NORMAL), S_OK);
    assert_true(party_wait(&a, "session DISCONNECTED 0", WAIT));
    assert_true(party_wait(&b, "session DISCONNECTED 0", WAIT));
    assert_int_equal(first_media_line(&a), -1);
    assert_int_equal(first_media_line(&b), -1);
    IRTCSession_Release(session);

    /* audio again for the calls made from now on */
    assert_int_equal(IRTCClient_SetPreferredMediaTypes(a.client, RTCMT_AUDIO_SEND | RTCMT_AUDIO_RECEIVE,
                                                       VARIANT_FALSE), S_OK);
    g_free(party_take_log(&a));
    g_free(party_take_log(&b));
    b.answer = ANSWER_AT_ONCE;
    session = party_call(&a, &b, RTCST_PC_TO_PC);
    assert_true(party_wait(&a, "session CONNECTED 0", WAIT));
    assert_int_equal(a.last_media_types, RTCMT_AUDIO_SEND | RTCMT_AUDIO_RECEIVE);
    assert_true(party_wait(&a, "media send STARTED 0", WAIT));
    assert_int_equal(rtp_sockets(), 4);     /* an RTP and an RTCP socket each side: the count counts */
    IRTCSession_Terminate(session, RTCTR_NORMAL);
    assert_true(party_wait(&b, "session DISCONNECTED 0", WAIT));
    IRTCSession_Release(session);

    quiet_parties_cleanup(&a, &b);
}

/* One call of the one-way test: `caller` calls `callee`; `sender` is the one
 * whose audio flows, to `receiver`. Only those two directions start, the
 * receiver gets the sender's packets, nothing goes the other way. */
static void one_way_call(struct party *caller, struct party *callee, struct party *sender, struct party *receiver)
{
    struct rtcshim_media_stats sent, received;
    IRTCSession *session, *sender_session, *receiver_session;
    char *lines;

    g_free(party_take_log(caller));
    g_free(party_take_log(callee));
    callee->answer = ANSWER_AT_ONCE;
    caller->answer = ANSWER_NEVER;
    session = party_call(caller, callee, RTCST_PC_TO_PC);
    assert_true(party_wait(caller, "session CONNECTED 0", WAIT));
    assert_true(party_wait(callee, "session CONNECTED 0", WAIT));
    /* MediaTypes from the SDP, each side's view */
    assert_int_equal(sender->last_media_types, RTCMT_AUDIO_SEND);
    assert_int_equal(receiver->last_media_types, RTCMT_AUDIO_RECEIVE);
    assert_true(party_wait(sender, "media send STARTED 0", WAIT));
    assert_true(party_wait(receiver, "media receive STARTED 0", WAIT));
    sender_session = sender == caller ? session : sender->incoming;
    receiver_session = receiver == caller ? session : receiver->incoming;
    wait_received(receiver_session, 100);
    stats_of(sender_session, &sent);
    stats_of(receiver_session, &received);
    assert_int_equal(sent.rtp_packets_received, 0);
    assert_int_equal(received.rtp_packets_sent, 0);

    IRTCSession_Terminate(session, RTCTR_NORMAL);
    assert_true(party_wait(caller, "session DISCONNECTED 0", WAIT));
    assert_true(party_wait(callee, "session DISCONNECTED 0", WAIT));
    lines = media_lines(sender);
    assert_string_equal(lines, "media send STARTED 0|media send STOPPED 0");
    g_free(lines);
    lines = media_lines(receiver);
    assert_string_equal(lines, "media receive STARTED 0|media receive STOPPED 0");
    g_free(lines);
    IRTCSession_Release(session);
}

/* SetPreferredMediaTypes with audio one way: alice's calls, placed or
 * answered, send only (her offer sendonly, her answer to bob's sendrecv
 * offer sendonly), then receive only; her hold makes the stream inactive
 * (docs/wire-mapping.md, "Preferred media types"). */
static void test_preferred_one_way(void **state)
{
    IRTCSessionCallControl *control;
    struct party a, b;
    IRTCSession *session;
    LONG types;

    quiet_parties_init(&a, &b);

    assert_int_equal(IRTCClient_SetPreferredMediaTypes(a.client, RTCMT_AUDIO_SEND, VARIANT_FALSE), S_OK);
    assert_int_equal(IRTCClient_get_PreferredMediaTypes(a.client, &types), S_OK);
    assert_int_equal(types, RTCMT_AUDIO_SEND);
    one_way_call(&a, &b, &a, &b);
    one_way_call(&b, &a, &a, &b);

    assert_int_equal(IRTCClient_SetPreferredMediaTypes(a.client, RTCMT_AUDIO_RECEIVE, VARIANT_FALSE), S_OK);
    one_way_call(&a, &b, &b, &a);
    one_way_call(&b, &a, &b, &a);

    /* Hold of a send-only call: alice stops sending, and bob's stream ends
     * too (inactive, not a sendonly that would change nothing); resume
     * sends again. */
    assert_int_equal(IRTCClient_SetPreferredMediaTypes(a.client, RTCMT_AUDIO_SEND, VARIANT_FALSE), S_OK);
    g_free(party_take_log(&a));
    g_free(party_take_log(&b));
    b.answer = ANSWER_AT_ONCE;
    session = party_call(&a, &b, RTCST_PC_TO_PC);
    assert_true(party_wait(&a, "media send STARTED 0", WAIT));
    assert_true(party_wait(&b, "media receive STARTED 0", WAIT));
    assert_int_equal(IRTCSession_QueryInterface(session, &IID_IRTCSessionCallControl, (void **)&control), S_OK);
    assert_int_equal(IRTCSessionCallControl_Hold(control, 7), S_OK);
    assert_true(party_wait(&a, "complete 7 0", WAIT));
    assert_true(party_wait(&a, "media send STOPPED 1", WAIT));
    assert_true(party_wait(&b, "media receive STOPPED 1", WAIT));
    assert_int_equal(IRTCSessionCallControl_UnHold(control, 8), S_OK);
    assert_true(party_wait(&a, "complete 8 0", WAIT));
    assert_true(party_wait(&a, "media send STARTED 0", WAIT));
    assert_true(party_wait(&b, "media receive STARTED 0", WAIT));
    IRTCSessionCallControl_Release(control);
    IRTCSession_Terminate(session, RTCTR_NORMAL);
    assert_true(party_wait(&b, "session DISCONNECTED 0", WAIT));
    IRTCSession_Release(session);

    quiet_parties_cleanup(&a, &b);
}

/* get_NetworkQuality: S_FALSE without a call; during one, once the peer's
 * first receiver report is in, a rating announced by
 * RTCCET_NETWORK_QUALITY_CHANGE (loopback: no loss, little delay, so good);
 * S_FALSE again when the call has ended, announced too. */
static void test_network_quality(void **state)
{
    struct party a, b;
    IRTCSession *session;
    LONG quality = -1;

    quiet_parties_init(&a, &b);
    assert_int_equal(IRTCClient_get_NetworkQuality(a.client, NULL), E_POINTER);
    assert_int_equal(IRTCClient_get_NetworkQuality(a.client, &quality), S_FALSE);
    assert_int_equal(quality, 0);

    b.answer = ANSWER_AT_ONCE;
    session = party_call(&a, &b, RTCST_PC_TO_PC);
    assert_true(party_wait(&a, "session CONNECTED 0", WAIT));
    /* RTCP comes every few seconds: the first report makes the rating */
    assert_true(party_wait(&a, "client NETWORK_QUALITY_CHANGE", 4 * WAIT));
    assert_true(index_of(&a, "client NETWORK_QUALITY_CHANGE") > index_of(&a, "session CONNECTED 0"));
    assert_int_equal(IRTCClient_get_NetworkQuality(a.client, &quality), S_OK);
    print_message("loopback network quality %ld\n", (long)quality);
    /* Nothing is lost on loopback, so only delay counts: a quiet machine
     * gives 100, and even 200 ms of jitter (a machine loaded to its limit,
     * sanitizers on) keeps it above 50. The exact ratings: test_network_quality.c. */
    assert_true(quality > 50 && quality <= 100);
    /* the same report, as rtcshim_get_media_stats gives it */
    {
        struct rtcshim_media_stats stats;

        stats_of(session, &stats);
        assert_true(stats.rtcp_report_received);
        assert_int_equal(stats.packets_lost, 0);
    }

    g_free(party_take_log(&a));
    IRTCSession_Terminate(session, RTCTR_NORMAL);
    assert_true(party_wait(&a, "session DISCONNECTED 0", WAIT));
    assert_true(party_wait(&a, "client NETWORK_QUALITY_CHANGE", WAIT));
    assert_int_equal(IRTCClient_get_NetworkQuality(a.client, &quality), S_FALSE);
    IRTCSession_Release(session);
    quiet_parties_cleanup(&a, &b);
}

/* A call from alice to bob, connected and sending: the codec alice sends. */
static void codec_sent_by_caller(struct party *a, struct party *b, char *codec, size_t size)
{
    struct rtcshim_media_stats stats;
    IRTCSession *session;

    g_free(party_take_log(a));
    g_free(party_take_log(b));
    b->answer = ANSWER_AT_ONCE;
    session = party_call(a, b, RTCST_PC_TO_PC);
    assert_true(party_wait(a, "media send STARTED 0", WAIT));
    stats_of(session, &stats);
    g_strlcpy(codec, stats.codec, size);
    IRTCSession_Terminate(session, RTCTR_NORMAL);
    assert_true(party_wait(b, "session DISCONNECTED 0", WAIT));
    IRTCSession_Release(session);
}

/* IRTCClient::MaxBitrate: 0 (no limit) until set; 0 to 1,000,000 bit/s, and
 * only a value some codec fits in; the calls made from then on offer only
 * the codecs within it (docs/wire-mapping.md, "Maximum bandwidth"). With
 * PCMU preferred to opus alice sends PCMU; limited to 24 kbit/s (G.711
 * needs 64), opus; with the limit lifted, PCMU again. */
static void test_max_bitrate(void **state)
{
    struct party a, b;
    LONG bitrate = -1;
    char codec[16];

    g_setenv("RTCSHIM_AUDIO_CODECS", "PCMU,opus", TRUE);
    quiet_parties_init(&a, &b);
    assert_int_equal(IRTCClient_get_MaxBitrate(a.client, NULL), E_POINTER);
    assert_int_equal(IRTCClient_get_MaxBitrate(a.client, &bitrate), S_OK);
    assert_int_equal(bitrate, 0);
    assert_int_equal(IRTCClient_put_MaxBitrate(a.client, -1), E_INVALIDARG);
    assert_int_equal(IRTCClient_put_MaxBitrate(a.client, 1000001), E_INVALIDARG);
    assert_int_equal(IRTCClient_put_MaxBitrate(a.client, 5999), E_INVALIDARG);     /* below opus' least */
    assert_int_equal(IRTCClient_get_MaxBitrate(a.client, &bitrate), S_OK);
    assert_int_equal(bitrate, 0);

    codec_sent_by_caller(&a, &b, codec, sizeof(codec));
    assert_string_equal(codec, "PCMU");
    assert_int_equal(IRTCClient_put_MaxBitrate(a.client, 24000), S_OK);
    assert_int_equal(IRTCClient_get_MaxBitrate(a.client, &bitrate), S_OK);
    assert_int_equal(bitrate, 24000);
    codec_sent_by_caller(&a, &b, codec, sizeof(codec));
    assert_string_equal(codec, "opus");
    /* bob, limited, answers alice's PCMU-first offer with opus */
    assert_int_equal(IRTCClient_put_MaxBitrate(a.client, 0), S_OK);
    assert_int_equal(IRTCClient_put_MaxBitrate(b.client, 1000000), S_OK);     /* everything fits */
    codec_sent_by_caller(&a, &b, codec, sizeof(codec));
    assert_string_equal(codec, "PCMU");
    assert_int_equal(IRTCClient_put_MaxBitrate(b.client, 24000), S_OK);
    codec_sent_by_caller(&a, &b, codec, sizeof(codec));
    assert_string_equal(codec, "opus");

    quiet_parties_cleanup(&a, &b);
    g_unsetenv("RTCSHIM_AUDIO_CODECS");
}

static int setup(void **state)
{
    workdir = g_dir_make_tmp("rtcshim-rtc-media-XXXXXX", NULL);
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
        cmocka_unit_test(test_two_way_tones),
        cmocka_unit_test(test_hold),
        cmocka_unit_test(test_dtmf),
        cmocka_unit_test(test_volume_and_mute),
        cmocka_unit_test(test_intensity),
        cmocka_unit_test(test_no_device),
        cmocka_unit_test(test_rtp_timeout),
        cmocka_unit_test(test_ring),
        cmocka_unit_test(test_devices_and_preferences),
        cmocka_unit_test(test_preferred_no_media),
        cmocka_unit_test(test_preferred_one_way),
        cmocka_unit_test(test_network_quality),
        cmocka_unit_test(test_max_bitrate),
    };

    if (g_getenv("RTCSHIM_TEST_FILTER")) cmocka_set_test_filter(g_getenv("RTCSHIM_TEST_FILTER"));
    return cmocka_run_group_tests(tests, setup, teardown);
}
