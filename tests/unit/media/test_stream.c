/*
 * The GStreamer media backend on its own: two streams in one process (two
 * backends, each with its own test source and WAV recorder from
 * RTCSHIM_AUDIO_SOURCE / RTCSHIM_AUDIO_SINK) send each other a tone over
 * loopback RTP. What each side recorded is checked: the other side's
 * frequency, for most of what the other side sent. Then DTMF, hold, a new
 * address, and devices that do not exist.
 *
 * Under valgrind (tools/check.sh runs every unit test so, for leaks) the
 * pipelines cannot keep real time: the recordings then have gaps, so only
 * the frequencies are checked, and G.722 (libav code valgrind cannot run)
 * and Opus (too slow there) are skipped.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <math.h>
#include <string.h>
#include <cmocka.h>
#include <glib/gstdio.h>
#include <gst/gst.h>
#include <valgrind/valgrind.h>

#include "media/media_backend.h"
#include "media.h"          /* the engine's backend interface (src/sip/media.h) */
#include "common/test_time.h"
#include "common/wav.h"

#define WAIT_MS test_ms(30000)     /* a bound for a busy machine, not a measurement */

struct side
{
    const char *name;
    struct sip_media_backend *backend;
    struct sip_media_stream *stream;
    GPtrArray *events;      /* "send started 0", "receive stopped 2", ... */
    guint level[2];         /* the last level reported, by device */
    guint levels;           /* how many */
    char *wav;
};

static char *workdir;

static void on_event(struct sip_media_stream *stream, const struct sip_media_event *event, gpointer user_data)
{
    static const char *const flows[] = { "send", "receive" };
    static const char *const states[] = { "stopped", "started", "failed" };
    struct side *side = user_data;

    assert_ptr_equal(stream, side->stream);
    if (event->type == SIP_MEDIA_EVENT_FLOW)
        g_ptr_array_add(side->events, g_strdup_printf("%s %s %d", flows[event->flow], states[event->state],
                                                      event->reason));
    else if (event->type == SIP_MEDIA_EVENT_LEVEL)
    {
        side->level[event->device] = event->level;
        side->levels++;
    }
}

static gboolean has_event(struct side *side, const char *line)
{
    guint i;

    for (i = 0; i < side->events->len; i++)
        if (!strcmp(g_ptr_array_index(side->events, i), line)) return TRUE;
    return FALSE;
}

/* Iterates the main context until check() is true; fails after WAIT_MS. */
static void wait_for(gboolean (*check)(gpointer), gpointer data, const char *what)
{
    gint64 deadline = g_get_monotonic_time() + WAIT_MS * 1000;

    while (!check(data))
    {
        if (g_get_monotonic_time() > deadline) fail_msg("gave up waiting for %s", what);
        g_main_context_iteration(NULL, FALSE);
        g_usleep(2000);
    }
}

struct event_wait
{
    struct side *side;
    const char *line;
};

static gboolean event_seen(gpointer data)
{
    struct event_wait *wait = data;
    return has_event(wait->side, wait->line);
}

static void wait_event(struct side *side, const char *line)
{
    struct event_wait wait = { side, line };
    char *what = g_strdup_printf("%s: %s", side->name, line);

    wait_for(event_seen, &wait, what);
    g_free(what);
}

struct packet_wait
{
    struct side *side;
    guint64 received;       /* or sent */
};

static gboolean received_enough(gpointer data)
{
    struct packet_wait *wait = data;
    struct sip_media_stats stats;

    sip_media_stream_get_stats(wait->side->stream, &stats);
    return stats.rtp_packets_received >= wait->received;
}

static guint64 received(struct side *side)
{
    struct sip_media_stats stats;

    sip_media_stream_get_stats(side->stream, &stats);
    return stats.rtp_packets_received;
}

static guint64 sent(struct side *side)
{
    struct sip_media_stats stats;

    sip_media_stream_get_stats(side->stream, &stats);
    return stats.rtp_packets_sent;
}

static gboolean sent_enough(gpointer data)
{
    struct packet_wait *wait = data;
    struct sip_media_stats stats;

    sip_media_stream_get_stats(wait->side->stream, &stats);
    return stats.rtp_packets_sent >= wait->received;
}

static void wait_sent(struct side *side, guint64 count)
{
    struct packet_wait wait = { side, count };
    wait_for(sent_enough, &wait, "RTP packets sent");
}

static void wait_received(struct side *side, guint64 count)
{
    struct packet_wait wait = { side, count };
    wait_for(received_enough, &wait, "RTP packets");
}

static void side_init(struct side *side, const char *name, const char *source)
{
    GError *error = NULL;
    char *sink;

    memset(side, 0, sizeof(*side));
    side->name = name;
    side->events = g_ptr_array_new_with_free_func(g_free);
    side->wav = g_strdup_printf("%s/%s.wav", workdir, name);
    sink = g_strdup_printf("wavenc ! filesink location=%s", side->wav);
    /* The backend reads the devices from the environment when it is made. */
    g_setenv("RTCSHIM_AUDIO_SOURCE", source, TRUE);
    g_setenv("RTCSHIM_AUDIO_SINK", sink, TRUE);
    g_free(sink);
    side->backend = media_backend_new(&error);
    assert_null(error);
    assert_non_null(side->backend);
    assert_true(sip_media_backend_moves_audio(side->backend));
    side->stream = sip_media_stream_new(side->backend, "127.0.0.1", on_event, side, &error);
    assert_null(error);
    assert_non_null(side->stream);
}

/* Frees the stream and the backend; the backend waits for its pipelines, so the WAV is finished. */
static void side_close(struct side *side)
{
    if (side->stream) sip_media_stream_free(side->stream);
    side->stream = NULL;
    sip_media_backend_free(side->backend);
    side->backend = NULL;
}

static void side_clear(struct side *side)
{
    side_close(side);
    g_ptr_array_free(side->events, TRUE);
    g_unlink(side->wav);
    g_free(side->wav);
}

/* What offer/answer would have agreed, towards the other side's port. */
static void params_for(struct sip_media_params *params, struct side *peer, const char *codec, int pt, guint rate,
                       guint channels, enum sip_media_direction direction)
{
    memset(params, 0, sizeof(*params));
    params->remote_address = g_strdup("127.0.0.1");
    params->remote_port = sip_media_stream_get_port(peer->stream);
    params->remote_rtcp_port = params->remote_port + 1;
    params->payload_type = pt;
    params->codec_name = g_strdup(codec);
    params->clock_rate = rate;
    params->channels = channels;
    params->ptime = 20;
    params->telephone_event_pt = 101;
    params->telephone_event_clock_rate = 8000;
    params->codecs[0] = (struct sip_media_codec){ pt, g_strdup(codec), rate, channels, NULL };
    params->codecs[1] = (struct sip_media_codec){ 101, g_strdup(SIP_MEDIA_TELEPHONE_EVENT), 8000, 1, g_strdup("0-16") };
    params->n_codecs = 2;
    params->direction = direction;
}

static void start(struct side *side, struct side *peer, const char *codec, int pt, guint rate, guint channels,
                  enum sip_media_direction direction, gboolean hold)
{
    struct sip_media_params params;
    GError *error = NULL;

    params_for(&params, peer, codec, pt, rate, channels, direction);
    params.hold = hold;
    assert_true(sip_media_stream_start(side->stream, &params, &error));
    assert_null(error);
    sip_media_params_clear(&params);
}

/* The recording heard the other side's tone, for at least 80 % of what the other side sent. */
static void check_heard(struct side *listener, double frequency, guint64 packets_sent_to_it)
{
    struct wav wav;
    double dominant, seconds, expected = packets_sent_to_it * 0.020;

    assert_true(wav_load(listener->wav, &wav));
    assert_true(wav.count > wav.rate);
    dominant = wav_dominant_frequency(&wav, wav.count / 4, MIN(wav.count / 2, wav.rate));
    seconds = wav_tone_seconds(&wav, frequency);
    print_message("%s heard %.1f Hz, %.2f s of %.0f Hz of %.2f s sent (%u Hz recording)\n", listener->name, dominant,
                  seconds, frequency, expected, wav.rate);
    assert_true(fabs(dominant - frequency) <= 5.0);
    if (!RUNNING_ON_VALGRIND) assert_true(seconds >= 0.8 * expected);
    wav_clear(&wav);
}

static void two_way_call(const char *codec, int pt, guint rate, guint channels)
{
    struct side a, b;
    guint64 sent_a, sent_b;

    side_init(&a, "a", "audiotestsrc is-live=true freq=440 volume=0.4");
    side_init(&b, "b", "audiotestsrc is-live=true freq=880 volume=0.4");
    start(&a, &b, codec, pt, rate, channels, SIP_MEDIA_SENDRECV, FALSE);
    start(&b, &a, codec, pt, rate, channels, SIP_MEDIA_SENDRECV, FALSE);
    wait_event(&a, "send started 0");
    wait_event(&a, "receive started 0");
    wait_event(&b, "send started 0");
    wait_event(&b, "receive started 0");
    /* three seconds of audio each way, counted in packets */
    wait_received(&a, 150);
    wait_received(&b, 150);
    sent_a = sent(&a);
    sent_b = sent(&b);
    side_close(&a);
    side_close(&b);
    check_heard(&a, 880.0, sent_b);
    check_heard(&b, 440.0, sent_a);
    side_clear(&a);
    side_clear(&b);
}

static void test_pcmu(void **state) { two_way_call("PCMU", 0, 8000, 1); }
static void test_pcma(void **state) { two_way_call("PCMA", 8, 8000, 1); }
static void test_g722(void **state)
{
    if (RUNNING_ON_VALGRIND) skip();
    two_way_call("G722", 9, 8000, 1);
}

static void test_opus(void **state)
{
    if (RUNNING_ON_VALGRIND) skip();
    two_way_call("opus", 111, 48000, 2);
}

/* The payload bytes per packet a side sends over its next 50 packets. */
static double payload_per_packet(struct side *side)
{
    struct sip_media_stats before, after;

    sip_media_stream_get_stats(side->stream, &before);
    wait_sent(side, before.rtp_packets_sent + 50);
    sip_media_stream_get_stats(side->stream, &after);
    return (double)(after.rtp_payload_octets_sent - before.rtp_payload_octets_sent)
           / (double)(after.rtp_packets_sent - before.rtp_packets_sent);
}

/* A bit rate limit (the peer's b=TIAS or the call's own) reaches opus: white
 * noise, opus' hardest, at 12 kbit/s makes 20 ms packets of about 30 bytes;
 * without a limit, 32 kbit/s, about 80. A new limit in a running call (a
 * re-INVITE's) applies at once, without a new pipeline. */
static void test_opus_bitrate(void **state)
{
    struct sip_media_params params;
    struct side a, b;
    GError *error = NULL;
    double limited, unlimited, lifted;

    if (RUNNING_ON_VALGRIND) skip();
    side_init(&a, "a", "audiotestsrc is-live=true wave=white-noise");
    side_init(&b, "b", "audiotestsrc is-live=true wave=white-noise");
    params_for(&params, &b, "opus", 111, 48000, 2, SIP_MEDIA_SENDRECV);
    params.max_bitrate = 12000;
    assert_true(sip_media_stream_start(a.stream, &params, &error));
    start(&b, &a, "opus", 111, 48000, 2, SIP_MEDIA_SENDRECV, FALSE);
    wait_event(&a, "send started 0");
    wait_event(&b, "send started 0");
    payload_per_packet(&a);             /* the encoder settles */
    limited = payload_per_packet(&a);
    unlimited = payload_per_packet(&b);
    assert_true(limited <= 12000 / 8 / 50 * 1.25);
    assert_true(unlimited >= 32000 / 8 / 50 * 0.6);

    params.max_bitrate = 0;
    assert_true(sip_media_stream_start(a.stream, &params, &error));
    payload_per_packet(&a);
    lifted = payload_per_packet(&a);
    print_message("opus payload bytes per packet: %.1f at 12 kbit/s, %.1f unlimited, %.1f lifted\n", limited,
                  unlimited, lifted);
    assert_true(lifted >= 32000 / 8 / 50 * 0.6);
    assert_false(has_event(&a, "send stopped 0"));
    sip_media_params_clear(&params);
    side_clear(&a);
    side_clear(&b);
}

/* Echo cancellation on one side: that side captures through webrtcdsp
 * (a microphone of its own) and plays through its echo probe; the call
 * still carries both tones. The canceller may shape the tone it sends
 * (noise suppression), so on that direction only its frequency is checked. */
static void test_echo_cancellation(void **state)
{
    GstElementFactory *dsp = gst_element_factory_find("webrtcdsp");
    struct side a, b;
    GError *error = NULL;
    struct wav wav;
    guint64 sent_b;

    if (!dsp || RUNNING_ON_VALGRIND) skip();
    gst_object_unref(dsp);
    side_init(&a, "a", "audiotestsrc is-live=true freq=440 volume=0.4");
    side_init(&b, "b", "audiotestsrc is-live=true freq=880 volume=0.4");
    assert_true(sip_media_backend_set_echo_cancellation(a.backend, TRUE, &error));
    assert_null(error);
    start(&a, &b, "PCMU", 0, 8000, 1, SIP_MEDIA_SENDRECV, FALSE);
    start(&b, &a, "PCMU", 0, 8000, 1, SIP_MEDIA_SENDRECV, FALSE);
    wait_event(&a, "send started 0");
    wait_event(&a, "receive started 0");
    wait_event(&b, "receive started 0");
    wait_received(&a, 150);
    wait_received(&b, 150);
    sent_b = sent(&b);
    side_close(&a);
    side_close(&b);
    check_heard(&a, 880.0, sent_b);
    assert_true(wav_load(b.wav, &wav));
    assert_true(wav.count > wav.rate);
    assert_true(fabs(wav_dominant_frequency(&wav, wav.count / 4, MIN(wav.count / 2, wav.rate)) - 440.0) <= 5.0);
    wav_clear(&wav);
    side_clear(&a);
    side_clear(&b);
}

/* Two calls of one backend share its microphone, at two rates (PCMU and
 * G.722: two captures): both peers hear it; the first call ends and the
 * other goes on sending. */
static void test_shared_microphone(void **state)
{
    struct side a, a2, b, c;
    GError *error = NULL;
    guint64 sent_b, sent_c, before;

    if (RUNNING_ON_VALGRIND) skip();     /* G.722: libav code valgrind cannot run */
    side_init(&a, "a", "audiotestsrc is-live=true freq=440 volume=0.4");
    side_init(&b, "b", "audiotestsrc is-live=true freq=880 volume=0.4");
    side_init(&c, "c", "audiotestsrc is-live=true freq=660 volume=0.4");
    /* a's second call, on a's backend */
    memset(&a2, 0, sizeof(a2));
    a2.name = "a2";
    a2.events = g_ptr_array_new_with_free_func(g_free);
    a2.wav = g_strdup_printf("%s/a2.wav", workdir);
    a2.backend = a.backend;
    a2.stream = sip_media_stream_new(a.backend, "127.0.0.1", on_event, &a2, &error);
    assert_null(error);

    start(&a, &b, "PCMU", 0, 8000, 1, SIP_MEDIA_SENDRECV, FALSE);
    start(&b, &a, "PCMU", 0, 8000, 1, SIP_MEDIA_SENDRECV, FALSE);
    start(&a2, &c, "G722", 9, 8000, 1, SIP_MEDIA_SENDRECV, FALSE);
    start(&c, &a2, "G722", 9, 8000, 1, SIP_MEDIA_SENDRECV, FALSE);
    wait_event(&a, "send started 0");
    wait_event(&a2, "send started 0");
    wait_received(&b, 150);
    wait_received(&c, 150);

    /* the first call ends; the second still sends */
    sip_media_stream_free(a.stream);
    a.stream = NULL;
    before = sent(&a2);
    wait_sent(&a2, before + 50);
    wait_received(&c, received(&c) + 50);

    sent_b = received(&b);
    sent_c = received(&c);
    sip_media_stream_free(a2.stream);
    a2.stream = NULL;
    a2.backend = NULL;
    side_close(&a);
    side_close(&b);
    side_close(&c);
    check_heard(&b, 440.0, sent_b);
    check_heard(&c, 440.0, sent_c);
    side_clear(&a);
    side_clear(&b);
    side_clear(&c);
    g_ptr_array_free(a2.events, TRUE);
    g_free(a2.wav);
}

struct level_wait
{
    struct side *side;
    enum sip_media_device device;
    guint low, high;
    guint after;            /* reports seen before the wait began */
};

static gboolean level_within(gpointer data)
{
    struct level_wait *wait = data;

    return wait->side->levels > wait->after + 2 && wait->side->level[wait->device] >= wait->low
        && wait->side->level[wait->device] <= wait->high;
}

/* Waits for a fresh level report of a device within [low, high]. */
static void wait_level(struct side *side, enum sip_media_device device, guint low, guint high)
{
    struct level_wait wait = { side, device, low, high, side->levels };
    char *what = g_strdup_printf("%s: %s level %u..%u (last %u)", side->name,
                                 device == SIP_MEDIA_MICROPHONE ? "microphone" : "speaker", low, high,
                                 side->level[device]);

    wait_for(level_within, &wait, what);
    g_free(what);
}

/* Levels are the peak of each 100 ms in dBFS, -60..0 onto 0..100: a tone at
 * half scale (-6 dB) reads 90 at a's microphone and, through PCMU, at b's
 * speaker; b's speaker at half volume reads 80 (-12 dB); a muted microphone
 * sends silence, 0 at b's speaker. */
static void test_volume_and_levels(void **state)
{
    struct side a, b;
    GError *error = NULL;

    side_init(&a, "a", "audiotestsrc is-live=true freq=440 volume=0.5");
    side_init(&b, "b", "audiotestsrc is-live=true wave=silence");
    sip_media_backend_set_level_reporting(a.backend, TRUE);
    sip_media_backend_set_level_reporting(b.backend, TRUE);
    start(&a, &b, "PCMU", 0, 8000, 1, SIP_MEDIA_SENDRECV, FALSE);
    start(&b, &a, "PCMU", 0, 8000, 1, SIP_MEDIA_SENDRECV, FALSE);
    wait_event(&b, "receive started 0");
    wait_level(&a, SIP_MEDIA_MICROPHONE, 89, 91);
    wait_level(&b, SIP_MEDIA_SPEAKER, 89, 91);
    wait_level(&b, SIP_MEDIA_MICROPHONE, 0, 0);
    assert_true(sip_media_backend_set_volume(b.backend, SIP_MEDIA_SPEAKER, 0.5, &error));
    wait_level(&b, SIP_MEDIA_SPEAKER, 79, 81);
    assert_true(sip_media_backend_set_muted(a.backend, SIP_MEDIA_MICROPHONE, TRUE, &error));
    wait_level(&a, SIP_MEDIA_MICROPHONE, 0, 0);
    wait_level(&b, SIP_MEDIA_SPEAKER, 0, 0);
    assert_null(error);
    side_clear(&a);
    side_clear(&b);
}

/* A PCMU call between two silent sides, a's audio flowing to b. */
static void start_silent_call(struct side *a, struct side *b)
{
    side_init(a, "a", "audiotestsrc is-live=true wave=silence");
    side_init(b, "b", "audiotestsrc is-live=true wave=silence");
    start(a, b, "PCMU", 0, 8000, 1, SIP_MEDIA_SENDRECV, FALSE);
    start(b, a, "PCMU", 0, 8000, 1, SIP_MEDIA_SENDRECV, FALSE);
    wait_event(a, "send started 0");
    wait_event(b, "receive started 0");
}

/* RFC 4733 digits arrive as events (and are heard as tones). */
static void test_dtmf(void **state)
{
    struct sip_media_stats stats;
    struct side a, b;
    GError *error = NULL;

    start_silent_call(&a, &b);
    assert_true(sip_media_stream_send_dtmf(a.stream, 1, &error));
    assert_true(sip_media_stream_send_dtmf(a.stream, 11, &error));     /* '#' */
    assert_true(sip_media_stream_send_dtmf(a.stream, 5, &error));
    assert_false(sip_media_stream_send_dtmf(a.stream, 17, &error));
    assert_true(g_error_matches(error, SIP_MEDIA_ERROR, SIP_MEDIA_ERROR_INVALID));
    g_clear_error(&error);
    for (;;)
    {
        sip_media_stream_get_stats(b.stream, &stats);
        if (stats.dtmf_events_received >= 3) break;
        wait_received(&b, received(&b) + 5);
    }
    assert_int_equal(stats.dtmf_events_received, 3);
    sip_media_stream_get_stats(a.stream, &stats);
    assert_int_equal(stats.dtmf_events_sent, 3);
    side_clear(&a);
    side_clear(&b);
}

/* Hold closes the send gate (no RTP goes out, STOPPED/HOLD), resume opens it. */
static void test_hold(void **state)
{
    struct side a, b;
    guint64 held_at;
    GError *error = NULL;

    side_init(&a, "a", "audiotestsrc is-live=true freq=440");
    side_init(&b, "b", "audiotestsrc is-live=true freq=880");
    start(&a, &b, "PCMA", 8, 8000, 1, SIP_MEDIA_SENDRECV, FALSE);
    start(&b, &a, "PCMA", 8, 8000, 1, SIP_MEDIA_SENDRECV, FALSE);
    wait_event(&a, "send started 0");
    wait_event(&b, "receive started 0");

    /* b holds a: b sends only (nothing, as an RTC hold does: inactive), a receives nothing */
    start(&b, &a, "PCMA", 8, 8000, 1, SIP_MEDIA_INACTIVE, TRUE);
    start(&a, &b, "PCMA", 8, 8000, 1, SIP_MEDIA_SENDONLY, TRUE);
    wait_event(&b, "send stopped 1");
    wait_event(&b, "receive stopped 1");
    wait_event(&a, "receive stopped 1");
    held_at = sent(&b);
    /* two seconds of a's audio go out (to b's closed gate); b sends nothing meanwhile */
    wait_sent(&a, sent(&a) + 100);
    assert_true(sent(&b) <= held_at + 1);
    assert_false(sip_media_stream_send_dtmf(b.stream, 1, &error));
    assert_true(g_error_matches(error, SIP_MEDIA_ERROR, SIP_MEDIA_ERROR_NO_STREAM));
    g_clear_error(&error);

    /* resume: packets flow again, both flows restart */
    g_ptr_array_set_size(a.events, 0);
    g_ptr_array_set_size(b.events, 0);
    start(&b, &a, "PCMA", 8, 8000, 1, SIP_MEDIA_SENDRECV, FALSE);
    start(&a, &b, "PCMA", 8, 8000, 1, SIP_MEDIA_SENDRECV, FALSE);
    wait_event(&b, "send started 0");
    wait_event(&a, "receive started 0");
    assert_true(sent(&b) > held_at + 1);
    side_clear(&a);
    side_clear(&b);
}

/* Silence suppression, set before the pipeline exists (it is kept for it): a silent side sends
 * nothing while the other's packets flow; turned off, its silence goes out. */
static void test_silence_suppression(void **state)
{
    struct side a, b;
    GError *error = NULL;
    guint64 before;

    side_init(&a, "a", "audiotestsrc is-live=true wave=silence");
    side_init(&b, "b", "audiotestsrc is-live=true wave=silence");
    assert_true(sip_media_stream_set_silence_suppression(a.stream, TRUE, &error));
    start(&a, &b, "PCMU", 0, 8000, 1, SIP_MEDIA_SENDRECV, FALSE);
    start(&b, &a, "PCMU", 0, 8000, 1, SIP_MEDIA_SENDRECV, FALSE);
    wait_event(&a, "receive started 0");
    wait_sent(&b, sent(&b) + 100);
    assert_true(sent(&a) <= 2);

    assert_true(sip_media_stream_set_silence_suppression(a.stream, FALSE, &error));
    wait_sent(&a, sent(&a) + 50);

    /* on again in a running call: the silence stops going out */
    assert_true(sip_media_stream_set_silence_suppression(a.stream, TRUE, &error));
    wait_sent(&b, sent(&b) + 25);       /* what was on its way when it changed */
    before = sent(&a);
    wait_sent(&b, sent(&b) + 100);
    assert_true(sent(&a) <= before + 2);
    side_clear(&a);
    side_clear(&b);
}

/* Silence suppression first switched on in a running call (the sender gets its
 * suppressor between two buffers): the silence stops going out, no flow stops or
 * restarts, and switched off again it goes out as before. */
static void test_silence_suppression_in_a_running_call(void **state)
{
    struct side a, b;
    GError *error = NULL;
    guint64 before;
    guint events;

    start_silent_call(&a, &b);
    wait_sent(&a, sent(&a) + 50);
    events = a.events->len;

    assert_true(sip_media_stream_set_silence_suppression(a.stream, TRUE, &error));
    wait_sent(&b, sent(&b) + 25);       /* what was on its way when it changed */
    before = sent(&a);
    wait_sent(&b, sent(&b) + 100);
    assert_true(sent(&a) <= before + 2);

    assert_true(sip_media_stream_set_silence_suppression(a.stream, FALSE, &error));
    wait_sent(&a, sent(&a) + 50);
    wait_received(&b, received(&b) + 25);
    assert_int_equal(a.events->len, events);
    side_clear(&a);
    side_clear(&b);
}

/* A source description naming no element fails the send flow; receiving goes on. */
static void test_bad_source(void **state)
{
    struct side a, b;

    side_init(&a, "a", "nosuchelement-rtcshim freq=1");
    side_init(&b, "b", "audiotestsrc is-live=true freq=880");
    start(&a, &b, "PCMU", 0, 8000, 1, SIP_MEDIA_SENDRECV, FALSE);
    start(&b, &a, "PCMU", 0, 8000, 1, SIP_MEDIA_SENDRECV, FALSE);
    wait_event(&a, "send failed 3");
    wait_event(&a, "receive started 0");
    wait_received(&a, 50);
    assert_false(has_event(&a, "send started 0"));
    assert_int_equal(sent(&a), 0);
    assert_false(has_event(&b, "receive started 0"));
    side_clear(&a);
    side_clear(&b);
}

/* A sink that cannot open (a file in a directory that does not exist) fails the receive flow. */
static void test_bad_sink(void **state)
{
    struct side a, b;
    GError *error = NULL;

    g_setenv("RTCSHIM_AUDIO_SOURCE", "audiotestsrc is-live=true freq=440", TRUE);
    g_setenv("RTCSHIM_AUDIO_SINK", "wavenc ! filesink location=/nonexistent-rtcshim/dir/x.wav", TRUE);
    memset(&a, 0, sizeof(a));
    a.name = "a";
    a.events = g_ptr_array_new_with_free_func(g_free);
    a.wav = g_strdup_printf("%s/a.wav", workdir);
    a.backend = media_backend_new(&error);
    a.stream = sip_media_stream_new(a.backend, "127.0.0.1", on_event, &a, &error);
    side_init(&b, "b", "audiotestsrc is-live=true freq=880");
    start(&a, &b, "PCMU", 0, 8000, 1, SIP_MEDIA_SENDRECV, FALSE);
    start(&b, &a, "PCMU", 0, 8000, 1, SIP_MEDIA_SENDRECV, FALSE);
    wait_event(&a, "receive failed 3");
    wait_event(&a, "send started 0");
    wait_event(&b, "receive started 0");
    side_clear(&a);
    side_clear(&b);
}

static int setup(void **state)
{
    workdir = g_dir_make_tmp("rtcshim-media-XXXXXX", NULL);
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
        cmocka_unit_test(test_pcmu),
        cmocka_unit_test(test_pcma),
        cmocka_unit_test(test_g722),
        cmocka_unit_test(test_opus),
        cmocka_unit_test(test_opus_bitrate),
        cmocka_unit_test(test_echo_cancellation),
        cmocka_unit_test(test_shared_microphone),
        cmocka_unit_test(test_volume_and_levels),
        cmocka_unit_test(test_dtmf),
        cmocka_unit_test(test_hold),
        cmocka_unit_test(test_silence_suppression),
        cmocka_unit_test(test_silence_suppression_in_a_running_call),
        cmocka_unit_test(test_bad_source),
        cmocka_unit_test(test_bad_sink),
    };

    if (g_getenv("RTCSHIM_TEST_FILTER")) cmocka_set_test_filter(g_getenv("RTCSHIM_TEST_FILTER"));
    return cmocka_run_group_tests(tests, setup, teardown);
}
