/*
 * The microphone, shared by the calls of a backend.
 *
 * A softphone has one microphone, however many calls it carries. Each
 * sample rate the calls' codecs need gets one capture pipeline:
 *
 *   microphone ! audioconvert ! audioresample ! (rate, mono, S16LE) ! fakesink
 *
 * and a probe on the sink's pad hands every buffer, on the microphone's own
 * streaming thread, to each call sending at that rate (a tap: a source pad
 * of no element, linked into the call's send chain). So all calls encode and
 * send from one thread, woken once per buffer, instead of each call's own
 * source thread waking for each of its buffers: with hundreds of calls the
 * wake-ups cost more than the codecs.
 *
 * Every pipeline runs on the system clock; a tap re-stamps what it passes
 * into its call's running time, so RTP and RTCP timestamps are the call's
 * own, as they were with a microphone of its own.
 *
 * A capture opens its device when the first call attaches and closes it when
 * the last one detaches; attach and detach run on the backend's worker.
 * A device that fails, at start or later, is reported to every call of that
 * capture as "rtcshim-device-failed" on the call's own bus.
 */
#include "media_private.h"

struct media_capture
{
    struct media_devices *devices;
    GList *sources;                 /* struct capture_source *; the worker's only */
};

struct capture_source
{
    guint rate;
    char *device;                   /* the selected microphone when it opened (NULL: default) */
    GstElement *pipeline;
    GstCaps *caps;
    GMutex lock;                    /* taps and over, against the streaming thread */
    GList *taps;                    /* struct media_capture_tap * */
    gboolean over;                  /* failed, or its source ended: new calls open another */
};

struct media_capture_tap
{
    struct capture_source *source;
    GstPad *pad;
    GstElement *pipeline;           /* the call's, for its bus */
    GstClockTimeDiff offset;        /* capture running time to the call's */
};

/* The microphone's streaming thread: each buffer to every tap. */
static GstPadProbeReturn hand_out(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
    struct capture_source *source = data;
    GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER(info);
    GList *link;

    g_mutex_lock(&source->lock);
    for (link = source->taps; link; link = link->next)
    {
        struct media_capture_tap *tap = link->data;
        GstBuffer *copy = gst_buffer_copy(buffer);      /* shares the samples */

        if (GST_BUFFER_PTS_IS_VALID(copy))
        {
            GstClockTimeDiff pts = (GstClockTimeDiff)GST_BUFFER_PTS(copy) + tap->offset;
            GST_BUFFER_PTS(copy) = pts >= 0 ? (GstClockTime)pts : 0;
        }
        GST_BUFFER_DTS(copy) = GST_CLOCK_TIME_NONE;
        /* FLUSHING or NOT_LINKED while the call starts or stops: nothing to do */
        gst_pad_push(tap->pad, copy);
    }
    g_mutex_unlock(&source->lock);
    return GST_PAD_PROBE_OK;
}

/* Any thread: errors of the capture pipeline are its calls' device failures;
 * a source that ends (a test's num-buffers) leaves its calls silent. Every
 * message is dropped here (so unreferenced: a dropping sync handler's job). */
static GstBusSyncReply on_capture_message(GstBus *bus, GstMessage *message, gpointer data)
{
    struct capture_source *source = data;
    GError *error = NULL;
    GList *link;

    switch (GST_MESSAGE_TYPE(message))
    {
    case GST_MESSAGE_EOS:
        g_mutex_lock(&source->lock);
        source->over = TRUE;
        g_mutex_unlock(&source->lock);
        break;

    case GST_MESSAGE_ERROR:
        gst_message_parse_error(message, &error, NULL);
        g_message("media: microphone at %u Hz: %s", source->rate, error->message);
        g_error_free(error);
        g_mutex_lock(&source->lock);
        source->over = TRUE;
        for (link = source->taps; link; link = link->next)
        {
            struct media_capture_tap *tap = link->data;

            media_stream_post_device_failed(tap->pipeline, SIP_MEDIA_MICROPHONE);
        }
        g_mutex_unlock(&source->lock);
        break;

    default:
        break;
    }
    gst_message_unref(message);
    return GST_BUS_DROP;
}

static void source_free(struct capture_source *source)
{
    if (source->pipeline)
    {
        gst_element_set_state(source->pipeline, GST_STATE_NULL);
        gst_object_unref(source->pipeline);
    }
    if (source->caps) gst_caps_unref(source->caps);
    g_mutex_clear(&source->lock);
    g_free(source->device);
    g_free(source);
}

static struct capture_source *source_open(struct media_capture *capture, guint rate, GError **error)
{
    struct capture_source *source = g_new0(struct capture_source, 1);
    GstElement *microphone, *convert, *resample, *filter, *sink;
    GstClock *clock;
    GstBus *bus;
    GstPad *pad;

    g_mutex_init(&source->lock);
    source->rate = rate;
    source->device = media_devices_selected(capture->devices, SIP_MEDIA_MICROPHONE);
    source->caps = gst_caps_new_simple("audio/x-raw", "format", G_TYPE_STRING, "S16LE", "layout", G_TYPE_STRING,
                                       "interleaved", "rate", G_TYPE_INT, (int)rate, "channels", G_TYPE_INT, 1,
                                       NULL);
    if (!(microphone = media_devices_make_element(capture->devices, SIP_MEDIA_MICROPHONE, error)))
    {
        source_free(source);
        return NULL;
    }
    gst_object_ref_sink(microphone);
    if (!media_devices_open(microphone))
    {
        gst_object_unref(microphone);
        g_set_error_literal(error, SIP_MEDIA_ERROR, SIP_MEDIA_ERROR_NO_DEVICE, "No microphone");
        source_free(source);
        return NULL;
    }

    source->pipeline = gst_pipeline_new(NULL);
    clock = gst_system_clock_obtain();
    gst_pipeline_use_clock(GST_PIPELINE(source->pipeline), clock);
    gst_object_unref(clock);
    convert = gst_element_factory_make("audioconvert", NULL);
    resample = gst_element_factory_make("audioresample", NULL);
    filter = gst_element_factory_make("capsfilter", NULL);
    sink = gst_element_factory_make("fakesink", NULL);
    if (!convert || !resample || !filter || !sink)
    {
        g_clear_object(&convert);
        g_clear_object(&resample);
        g_clear_object(&filter);
        g_clear_object(&sink);
        gst_element_set_state(microphone, GST_STATE_NULL);
        gst_object_unref(microphone);
        g_set_error_literal(error, SIP_MEDIA_ERROR, SIP_MEDIA_ERROR_UNSUPPORTED, "Missing audioconvert/audioresample");
        source_free(source);
        return NULL;
    }
    g_object_set(filter, "caps", source->caps, NULL);
    g_object_set(sink, "sync", FALSE, "async", FALSE, NULL);
    gst_bin_add_many(GST_BIN(source->pipeline), microphone, convert, resample, filter, sink, NULL);
    gst_object_unref(microphone);       /* the bin's now */
    if (!gst_element_link_many(microphone, convert, resample, filter, sink, NULL))
    {
        g_set_error_literal(error, SIP_MEDIA_ERROR, SIP_MEDIA_ERROR_NO_DEVICE, "Cannot link the microphone");
        source_free(source);
        return NULL;
    }
    pad = gst_element_get_static_pad(sink, "sink");
    gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, hand_out, source, NULL);
    gst_object_unref(pad);
    bus = gst_element_get_bus(source->pipeline);
    gst_bus_set_sync_handler(bus, on_capture_message, source, NULL);
    gst_object_unref(bus);
    if (gst_element_set_state(source->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
    {
        g_set_error_literal(error, SIP_MEDIA_ERROR, SIP_MEDIA_ERROR_NO_DEVICE, "The microphone does not start");
        source_free(source);
        return NULL;
    }
    g_debug("media: microphone open at %u Hz", rate);
    return source;
}

struct media_capture *media_capture_new(struct media_devices *devices)
{
    struct media_capture *capture = g_new0(struct media_capture, 1);

    capture->devices = devices;
    return capture;
}

void media_capture_free(struct media_capture *capture)
{
    if (capture->sources) g_warning("media: %u microphone captures still open", g_list_length(capture->sources));
    g_list_free_full(capture->sources, (GDestroyNotify)source_free);
    g_free(capture);
}

/* The running capture at that rate, of the microphone selected now. */
static struct capture_source *find_source(struct media_capture *capture, guint rate)
{
    char *device = media_devices_selected(capture->devices, SIP_MEDIA_MICROPHONE);
    struct capture_source *found = NULL;
    GList *link;

    for (link = capture->sources; link && !found; link = link->next)
    {
        struct capture_source *source = link->data;
        gboolean over;

        g_mutex_lock(&source->lock);
        over = source->over;
        g_mutex_unlock(&source->lock);
        if (source->rate == rate && !g_strcmp0(source->device, device) && !over) found = source;
    }
    g_free(device);
    return found;
}

struct media_capture_tap *media_capture_attach(struct media_capture *capture, guint rate, GstPad *pad,
                                               GstElement *pipeline, GError **error)
{
    struct capture_source *source = find_source(capture, rate);
    struct media_capture_tap *tap;
    char *id;

    if (!source)
    {
        if (!(source = source_open(capture, rate, error))) return NULL;
        capture->sources = g_list_prepend(capture->sources, source);
    }
    tap = g_new0(struct media_capture_tap, 1);
    tap->source = source;
    tap->pad = gst_object_ref(pad);
    tap->pipeline = gst_object_ref(pipeline);
    /* Both run on the system clock: a buffer's running time in the capture,
     * plus this, is its running time in the call. */
    tap->offset = GST_CLOCK_DIFF(gst_element_get_base_time(pipeline), gst_element_get_base_time(source->pipeline));

    id = g_strdup_printf("rtcshim-microphone-%p", (void *)tap);
    media_stream_start_pad(pad, id, source->caps);
    g_free(id);

    g_mutex_lock(&source->lock);
    source->taps = g_list_prepend(source->taps, tap);
    g_mutex_unlock(&source->lock);
    return tap;
}

void media_capture_detach(struct media_capture *capture, struct media_capture_tap *tap)
{
    struct capture_source *source = tap->source;
    gboolean last;

    g_mutex_lock(&source->lock);
    source->taps = g_list_remove(source->taps, tap);
    last = !source->taps;
    g_mutex_unlock(&source->lock);
    /* nothing is pushed on the tap's pad from here on */
    gst_pad_set_active(tap->pad, FALSE);
    gst_object_unref(tap->pad);
    gst_object_unref(tap->pipeline);
    g_free(tap);
    if (last)
    {
        capture->sources = g_list_remove(capture->sources, source);
        source_free(source);
    }
}
