/*
 * Local tones on the speaker: rings (IRTCClient::PlayRing), a sine with an
 * on/off cadence (docs/wire-mapping.md), and the feedback of a DTMF digit
 * sent (IRTCClient::SendDTMF), each its own small pipeline.
 */
#include "media_private.h"

struct tone_style
{
    double frequency;
    guint on_ms, off_ms;            /* off_ms 0: once */
};

static const struct tone_style styles[] =
{
    [SIP_MEDIA_TONE_RING]     = { 440.0, 1000, 2000 },
    [SIP_MEDIA_TONE_MESSAGE]  = { 880.0, 150, 0 },
    [SIP_MEDIA_TONE_RINGBACK] = { 425.0, 1000, 4000 },
};

struct tone
{
    GstElement *pipeline;
    GstElement *gate;               /* volume, muted during the "off" part */
    GstElement *speaker;
    GstElement *head;               /* where EOS goes at the end */
    GstElement *source;             /* a digit's dtmfsrc */
    int digit;                      /* the RFC 4733 event it plays */
    GSource *timer;
    gboolean on;
    enum sip_media_tone type;
    struct media_tones *tones;
};

struct media_tones
{
    struct media_backend *backend;
    GMainContext *context;
    struct tone *playing[G_N_ELEMENTS(styles)];
    struct tone *digit;             /* the DTMF feedback playing, if any */
};

#define DIGIT_FEEDBACK_MS 150

struct media_tones *media_tones_new(struct media_backend *backend)
{
    struct media_tones *tones = g_new0(struct media_tones, 1);

    tones->backend = backend;
    tones->context = g_main_context_ref_thread_default();
    return tones;
}

static void start_tone_job(gpointer data)
{
    struct tone *tone = data;

    if (gst_element_set_state(tone->speaker, GST_STATE_READY) == GST_STATE_CHANGE_FAILURE)
        g_message("media: no speaker for tone %d", tone->type);
    if (gst_element_set_state(tone->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
        g_message("media: tone %d did not start", tone->type);
}

static void stop_tone_job(gpointer data)
{
    struct tone *tone = data;
    GstPad *pad = gst_element_get_static_pad(tone->head, "sink");

    /* EOS first, if anything played, so that a recording sink finishes its file. */
    if (gst_pad_has_current_caps(pad)) gst_pad_send_event(pad, gst_event_new_eos());
    gst_object_unref(pad);
    gst_element_set_state(tone->pipeline, GST_STATE_NULL);
    gst_object_unref(tone->pipeline);
    g_free(tone);
}

static void stop_tone(struct media_tones *tones, enum sip_media_tone type)
{
    struct tone *tone = tones->playing[type];

    if (!tone) return;
    tones->playing[type] = NULL;
    if (tone->timer) g_source_destroy(tone->timer);
    media_worker_push(media_backend_worker(tones->backend), stop_tone_job, tone);
}

static void stop_digit(struct media_tones *tones)
{
    struct tone *tone = tones->digit;

    if (!tone) return;
    tones->digit = NULL;
    if (tone->timer) g_source_destroy(tone->timer);
    media_worker_push(media_backend_worker(tones->backend), stop_tone_job, tone);
}

static gboolean digit_over(gpointer data)
{
    struct tone *tone = data;

    tone->timer = NULL;
    stop_digit(tone->tones);
    return G_SOURCE_REMOVE;
}

static void start_digit_job(gpointer data)
{
    struct tone *tone = data;
    GstStructure *s;
    GstPad *pad;

    if (gst_element_set_state(tone->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
        return;
    s = gst_structure_new("dtmf-event", "type", G_TYPE_INT, 1, "number", G_TYPE_INT, tone->digit,
                          "volume", G_TYPE_INT, 20, "start", G_TYPE_BOOLEAN, TRUE, NULL);
    pad = gst_element_get_static_pad(tone->source, "src");
    gst_pad_send_event(pad, gst_event_new_custom(GST_EVENT_CUSTOM_UPSTREAM, s));
    gst_object_unref(pad);
}

/* The two tones of a DTMF digit, briefly, so the user hears the key they pressed. */
void media_tones_play_digit(struct media_tones *tones, guint event)
{
    GstElement *source, *convert, *resample;
    struct tone *tone;

    stop_digit(tones);
    tone = g_new0(struct tone, 1);
    tone->tones = tones;
    if (!(tone->speaker = media_devices_make_element(media_backend_devices(tones->backend), SIP_MEDIA_SPEAKER,
                                                     NULL)))
    {
        g_free(tone);
        return;
    }
    tone->pipeline = gst_pipeline_new("rtcshim-digit");
    source = gst_element_factory_make("dtmfsrc", NULL);
    convert = gst_element_factory_make("audioconvert", NULL);
    resample = gst_element_factory_make("audioresample", NULL);
    gst_bin_add_many(GST_BIN(tone->pipeline), source, convert, resample, tone->speaker, NULL);
    if (!gst_element_link_many(source, convert, resample, tone->speaker, NULL))
    {
        gst_object_unref(tone->pipeline);
        g_free(tone);
        return;
    }
    tone->head = convert;
    tone->source = source;
    tone->digit = event;
    tones->digit = tone;
    tone->timer = g_timeout_source_new(DIGIT_FEEDBACK_MS);
    g_source_set_callback(tone->timer, digit_over, tone, NULL);
    g_source_attach(tone->timer, tones->context);
    g_source_unref(tone->timer);
    media_worker_push(media_backend_worker(tones->backend), start_digit_job, tone);
}

static gboolean cadence_step(gpointer data)
{
    struct tone *tone = data;
    const struct tone_style *style = &styles[tone->type];

    tone->timer = NULL;
    if (!style->off_ms)
    {
        stop_tone(tone->tones, tone->type);    /* a single beep is over */
        return G_SOURCE_REMOVE;
    }
    tone->on = !tone->on;
    g_object_set(tone->gate, "mute", !tone->on, NULL);
    tone->timer = g_timeout_source_new(tone->on ? style->on_ms : style->off_ms);
    g_source_set_callback(tone->timer, cadence_step, tone, NULL);
    g_source_attach(tone->timer, tone->tones->context);
    g_source_unref(tone->timer);
    return G_SOURCE_REMOVE;
}

gboolean media_tones_play(struct media_tones *tones, enum sip_media_tone type, gboolean play, GError **error)
{
    GstElement *source, *convert, *resample, *filter;
    GstCaps *caps;
    struct tone *tone;

    if (!play)
    {
        stop_tone(tones, type);
        return TRUE;
    }
    if (tones->playing[type]) return TRUE;

    tone = g_new0(struct tone, 1);
    tone->type = type;
    tone->tones = tones;
    if (!(tone->speaker = media_devices_make_element(media_backend_devices(tones->backend), SIP_MEDIA_SPEAKER,
                                                     error)))
    {
        g_free(tone);
        return FALSE;
    }
    tone->pipeline = gst_pipeline_new("rtcshim-tone");
    source = gst_element_factory_make("audiotestsrc", NULL);
    g_object_set(source, "is-live", TRUE, "freq", styles[type].frequency, "volume", 0.5, NULL);
    tone->gate = gst_element_factory_make("volume", NULL);
    convert = gst_element_factory_make("audioconvert", NULL);
    resample = gst_element_factory_make("audioresample", NULL);
    /* 16-bit mono, as the calls' audio: what every speaker (and recorder) takes. */
    filter = gst_element_factory_make("capsfilter", NULL);
    caps = gst_caps_new_simple("audio/x-raw", "format", G_TYPE_STRING, "S16LE", "channels", G_TYPE_INT, 1, NULL);
    g_object_set(filter, "caps", caps, NULL);
    gst_caps_unref(caps);
    gst_bin_add_many(GST_BIN(tone->pipeline), source, tone->gate, convert, resample, filter, tone->speaker, NULL);
    if (!gst_element_link_many(source, tone->gate, convert, resample, filter, tone->speaker, NULL))
    {
        g_set_error_literal(error, SIP_MEDIA_ERROR, SIP_MEDIA_ERROR_NO_DEVICE, "Cannot link the speaker for a tone");
        gst_object_unref(tone->pipeline);
        g_free(tone);
        return FALSE;
    }
    tone->head = convert;
    tone->on = TRUE;
    tones->playing[type] = tone;
    tone->timer = g_timeout_source_new(styles[type].on_ms);
    g_source_set_callback(tone->timer, cadence_step, tone, NULL);
    g_source_attach(tone->timer, tones->context);
    g_source_unref(tone->timer);
    media_worker_push(media_backend_worker(tones->backend), start_tone_job, tone);
    return TRUE;
}

void media_tones_free(struct media_tones *tones)
{
    guint i;

    stop_digit(tones);
    for (i = 0; i < G_N_ELEMENTS(tones->playing); i++) stop_tone(tones, i);
    g_main_context_unref(tones->context);
    g_free(tones);
}
