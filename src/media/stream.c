/*
 * One call's audio stream on GStreamer.
 *
 * Each stream runs one pipeline on the two sockets it bound for the SDP
 * (the ports in the SDP are the ports used, and RTP goes out from the port
 * it comes in on: symmetric RTP, RFC 4961):
 *
 *   (the backend's microphone, capture.c) ! (volume, level) ! [removesilence]
 *     ! encoder ! payloader ! [rtpdtmfmux <- rtpdtmfsrc] ! (send gate) ! rtpbin ! udpsink (RTP socket)
 *   (the backend's receiver, receiver.c: RTP socket) ! (receive gate) ! rtpbin (jitter buffer, RTCP)
 *     ! per SSRC and payload type: depayloader ! decoder [! audioconvert ! audioresample ! caps]
 *     ! input-selector (the newest one plays) ! (volume, level) ! [webrtcechoprobe] ! speaker
 *   rtpbin RTCP <-> receiver / udpsink (RTCP socket)
 *
 * (the parts in parentheses are pad probes). The elements sit in the
 * pipeline itself, in no bins of their own, and only those that do
 * something for this call are there (removesilence once the call
 * suppresses silence, a conversion when the rates differ): with hundreds of
 * calls every pad hop of every packet counts, and a bin's ghost pad is two.
 *
 * The microphone and the sockets are read by the backend's threads, one for
 * all calls (a capture per sample rate, one receiver), which push into each
 * call's pipeline: with hundreds of calls, thread wake-ups cost more than
 * the codecs. Sending runs on the microphone's thread, playing on the
 * jitter buffer's. With echo cancellation on, a call captures from a
 * microphone of its own (audioconvert ! audioresample ! webrtcdsp), so the
 * canceller hears this call's speaker only. Received RFC 4733 events are
 * counted, not played.
 *
 * Hold, resume and a new remote address change a running pipeline (the
 * gates are pad probes that drop packets; the udpsinks get the new
 * address); a new codec set builds a new pipeline, once the engine's
 * thread is idle (a low-priority source: SIP comes first). Device elements
 * are put in READY on the worker first: one that fails (or an auto element that
 * finds nothing) reports BAD_DEVICE and the rest of the call goes on.
 *
 * Flows are reported STARTED when the first RTP packet goes out or comes in
 * through an open gate, STOPPED when a gate closes or received RTP pauses
 * for the RTP timeout (the receiver's), FAILED when a device fails.
 */
#include <stdio.h>
#include <string.h>

#include "media_private.h"

#define JITTER_BUFFER_MS 60
#define MAX_RECEIVE_CHAINS 8
#define DTMF_TONE_MS 250            /* how long each digit is sent (rtpdtmfsrc's shortest) */
#define DTMF_GAP_MS 100             /* silence between queued digits */
#define DTMF_REDUNDANCY 3           /* start and end packets sent 3 times (RFC 4733 §2.5.1.4) */
#define DTMF_VOLUME 10              /* dBm0 below full scale, RFC 4733 §2.3.4 */

/* What the streaming threads and the engine's thread both touch. */
struct stream_shared
{
    gint refcount;
    gint send_open, receive_open;               /* the gates */
    gint await_first_sent, await_first_received;
    gint rtp_sent, rtp_received, dtmf_received;
    gsize rtp_payload_sent;                     /* octets, atomic */
};

/* One pipeline run of a stream, for one set of codecs. */
struct media_pipeline
{
    GstElement *pipeline, *rtpbin;
    GstElement *microphone, *speaker;           /* device elements, added on the worker */
    GstElement *mic_head;                       /* where the microphone links to */
    GstElement *speaker_tail;                   /* what links to the speaker */
    GstElement *selector;
    struct media_gain *mic_gain, *speaker_gain;    /* volume and level meter, freed with their pads */
    GstElement *rtp_udpsink, *rtcp_udpsink;
    GstElement *rtpdtmfsrc;
    GstElement *encoder;
    GMutex silence_lock;                        /* the three below, against the sending thread */
    GstElement *silence;                        /* removesilence before the encoder, once suppressing */
    gboolean suppress_silence;
    gulong silence_probe;                       /* putting it in is waiting for the next buffer */
    GstPad *mic_pad;                            /* fed by the backend's microphone (no echo canceller) */
    struct media_capture_tap *mic_tap;
    GstPad *rtp_in, *rtcp_in;                   /* fed by the backend's receiver */
    GMutex readers_lock;                        /* the readers, against the engine's thread */
    struct media_receiver *receiver;
    struct media_receiver_socket *rtp_reader, *rtcp_reader;
    guint rtp_timeout_ms;                       /* 0 while no RTP is expected */
    GSocket *rtp, *rtcp;
    struct sip_media_params params;             /* what it was built for (read by streaming threads) */
    struct media_backend *backend;
    struct stream_shared *shared;
    GMutex chains_lock;
    guint receive_chains;
    gboolean started;                           /* set to PLAYING (worker) */
};

struct media_stream
{
    struct sip_media_stream base;
    struct media_backend *backend;
    GMainContext *context;
    sip_media_stream_func callback;
    gpointer user_data;

    GSocket *rtp, *rtcp;
    guint16 port;
    struct stream_shared *shared;
    struct media_pipeline *pipeline;            /* NULL when stopped, or not built yet */
    GSource *build_source;                      /* the build waiting for the engine's thread to be idle */
    GSource *bus_source;

    struct sip_media_params params;
    gboolean started;
    double volume[2];
    gboolean muted[2];
    gboolean silence_suppression;               /* each new pipeline's sender gets it */
    guint level[2];
    enum sip_media_flow_state flow_state[2];
    enum sip_media_flow_reason flow_reason[2];
    GQueue pending_reports;                     /* struct sip_media_event *, delivered from idle_source */
    GSource *idle_source;

    GQueue dtmf_queue;                          /* digits waiting to be sent (GUINT_TO_POINTER(event + 1)) */
    GSource *dtmf_timer;
    gboolean dtmf_sending;                      /* a digit is on (else: the gap after one) */
    guint64 dtmf_sent;
};

static struct media_stream *impl_from_stream(struct sip_media_stream *iface)
{
    return G_STRUCT_MEMBER_P(iface, -G_STRUCT_OFFSET(struct media_stream, base));
}

static struct stream_shared *shared_ref(struct stream_shared *shared)
{
    g_atomic_int_inc(&shared->refcount);
    return shared;
}

static void shared_unref(struct stream_shared *shared)
{
    if (g_atomic_int_dec_and_test(&shared->refcount)) g_free(shared);
}

/* ---- reports to the owner (always from a source on the stream's context) ---- */

static gboolean deliver_reports(gpointer data)
{
    struct media_stream *stream = data;
    struct sip_media_event *event;

    stream->idle_source = NULL;
    while ((event = g_queue_pop_head(&stream->pending_reports)))
    {
        if (stream->callback) stream->callback(&stream->base, event, stream->user_data);
        g_free(event);
    }
    return G_SOURCE_REMOVE;
}

static void queue_event(struct media_stream *stream, const struct sip_media_event *event)
{
    g_queue_push_tail(&stream->pending_reports, g_memdup2(event, sizeof(*event)));
    if (!stream->idle_source)
    {
        stream->idle_source = g_idle_source_new();
        g_source_set_callback(stream->idle_source, deliver_reports, stream, NULL);
        g_source_attach(stream->idle_source, stream->context);
        g_source_unref(stream->idle_source);
    }
}

static const char *const flow_names[] = { "send", "receive" };
static const char *const state_names[] = { "stopped", "started", "failed" };

/* Records a flow's new state; reports it if it changed. */
static void report_flow(struct media_stream *stream, enum sip_media_flow flow, enum sip_media_flow_state state,
                        enum sip_media_flow_reason reason)
{
    struct sip_media_event event = { .type = SIP_MEDIA_EVENT_FLOW };

    if (stream->flow_state[flow] == state && stream->flow_reason[flow] == reason) return;
    /* A failed device stays failed until the pipeline is built again. */
    if (stream->flow_state[flow] == SIP_MEDIA_FLOW_FAILED && state != SIP_MEDIA_FLOW_STOPPED) return;
    stream->flow_state[flow] = state;
    stream->flow_reason[flow] = reason;
    g_debug("media: stream %u %s %s (reason %d)", stream->port, flow_names[flow], state_names[state], reason);
    event.flow = flow;
    event.state = state;
    event.reason = reason;
    queue_event(stream, &event);
}

/* ---- probes and signals (streaming threads) ---- */

static void post_application(GstPad *pad, const char *name)
{
    GstObject *parent = gst_pad_get_parent(pad);

    if (!parent)
    {
        /* the receiver's pads belong to no element: post through rtpbin's */
        GstPad *peer = gst_pad_get_peer(pad);

        if (peer)
        {
            parent = gst_pad_get_parent(peer);
            gst_object_unref(peer);
        }
    }
    if (parent)
    {
        gst_element_post_message(GST_ELEMENT(parent), gst_message_new_application(parent, gst_structure_new_empty(name)));
        gst_object_unref(parent);
    }
}

/* The sending gate, on the way into rtpbin: what passes is sent (rtpbin
 * and the udpsink drop nothing), so it is counted here, one probe a packet. */
static GstPadProbeReturn send_gate(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
    struct stream_shared *shared = data;
    guint packets = 1, i;
    gsize size = 0;

    if (!g_atomic_int_get(&shared->send_open)) return GST_PAD_PROBE_DROP;
    if (GST_PAD_PROBE_INFO_TYPE(info) & GST_PAD_PROBE_TYPE_BUFFER_LIST)
    {
        GstBufferList *list = GST_PAD_PROBE_INFO_BUFFER_LIST(info);

        packets = gst_buffer_list_length(list);
        for (i = 0; i < packets; i++) size += gst_buffer_get_size(gst_buffer_list_get(list, i));
    }
    else
        size = gst_buffer_get_size(GST_PAD_PROBE_INFO_BUFFER(info));
    /* the payload: what follows each packet's fixed header (we send no CSRC or extension) */
    g_atomic_pointer_add(&shared->rtp_payload_sent, size > packets * 12 ? size - packets * 12 : 0);
    g_atomic_int_add(&shared->rtp_sent, packets);
    if (g_atomic_int_compare_and_exchange(&shared->await_first_sent, 1, 0)) post_application(pad, "rtcshim-rtp-sent");
    return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn rtp_received_probe(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
    struct stream_shared *shared = data;

    if (!g_atomic_int_get(&shared->receive_open)) return GST_PAD_PROBE_DROP;
    g_atomic_int_inc(&shared->rtp_received);
    if (g_atomic_int_compare_and_exchange(&shared->await_first_received, 1, 0))
        post_application(pad, "rtcshim-rtp-received");
    return GST_PAD_PROBE_OK;
}

static const struct sip_media_codec *find_payload(const struct sip_media_params *params, guint pt)
{
    guint i;

    for (i = 0; i < params->n_codecs; i++)
        if (params->codecs[i].payload_type == (int)pt) return &params->codecs[i];
    return NULL;
}

static GstCaps *request_pt_map(GstElement *rtpbin, guint session, guint pt, gpointer data)
{
    struct media_pipeline *pipeline = data;
    const struct sip_media_codec *codec = find_payload(&pipeline->params, pt);

    return codec ? media_codec_rtp_caps(codec) : NULL;
}

static GstElement *make_discard(void)
{
    GstElement *sink = gst_element_factory_make("fakesink", NULL);

    g_object_set(sink, "sync", FALSE, "async", FALSE, NULL);
    return sink;
}

/* Adds elements to the pipeline, linked in a row; FALSE (the elements
 * unreferenced or the pipeline's) when one is missing or does not link. */
static gboolean add_row(struct media_pipeline *pipeline, GstElement **elements, guint count)
{
    guint i;

    for (i = 0; i < count; i++)
        if (!elements[i])
        {
            while (count--)
                if (elements[count]) gst_object_unref(gst_object_ref_sink(elements[count]));
            return FALSE;
        }
    for (i = 0; i < count; i++)
    {
        gst_bin_add(GST_BIN(pipeline->pipeline), elements[i]);
        if (i && !gst_element_link(elements[i - 1], elements[i]))
        {
            g_warning("media: cannot link %s to %s", GST_OBJECT_NAME(elements[i - 1]), GST_OBJECT_NAME(elements[i]));
            while (++i < count) gst_object_unref(gst_object_ref_sink(elements[i]));
            return FALSE;
        }
    }
    return TRUE;
}

/* Links an rtpbin pad into new elements in a row (the first takes the pad,
 * the last links on to `to`, if any) and starts them. */
static void add_and_link(struct media_pipeline *pipeline, GstPad *pad, GstElement **elements, guint count,
                         GstElement *to)
{
    GstPad *sink;

    if (!add_row(pipeline, elements, count)) return;
    sink = gst_element_get_static_pad(elements[0], "sink");
    if (gst_pad_link(pad, sink) != GST_PAD_LINK_OK) g_warning("media: cannot link %s", GST_PAD_NAME(pad));
    gst_object_unref(sink);
    if (to)
    {
        GstPad *selector_pad = gst_element_request_pad_simple(to, "sink_%u");
        GstPad *src = gst_element_get_static_pad(elements[count - 1], "src");

        if (gst_pad_link(src, selector_pad) != GST_PAD_LINK_OK) g_warning("media: cannot link a decoder to the speaker");
        /* The newest stream (a new SSRC or codec from the peer) is the one heard. */
        g_object_set(to, "active-pad", selector_pad, NULL);
        gst_object_unref(src);
        gst_object_unref(selector_pad);
    }
    while (count--) gst_element_sync_state_with_parent(elements[count]);
}

/* The rate the speaker side plays at: what the codec we send decodes to.
 * The microphone side runs at the same rate: webrtcdsp and its echo probe
 * must agree. */
static guint mix_rate(const struct sip_media_params *params)
{
    const struct media_codec *codec = media_codec_find(params->codec_name);

    return codec ? codec->sample_rate : 8000;
}

/* A new SSRC/payload type came out of the jitter buffer: decode it to the speaker. */
static void pad_added(GstElement *rtpbin, GstPad *pad, gpointer data)
{
    struct media_pipeline *pipeline = data;
    const struct sip_media_codec *codec;
    GstElement *chain[MEDIA_CHAIN_MAX];
    guint session, ssrc, pt, count = 0;
    GError *error = NULL;

    if (sscanf(GST_PAD_NAME(pad), "recv_rtp_src_%u_%u_%u", &session, &ssrc, &pt) != 3) return;
    codec = find_payload(&pipeline->params, pt);
    g_debug("media: receiving %s (pt %u, ssrc %08x)", codec ? codec->name : "unknown format", pt, ssrc);
    if (codec && !g_ascii_strcasecmp(codec->name, SIP_MEDIA_TELEPHONE_EVENT))
    {
        /* The depayloader posts a "dtmf-event" message per event: counted, not played. */
        if ((chain[0] = gst_element_factory_make("rtpdtmfdepay", NULL)))
        {
            g_object_set_data(G_OBJECT(chain[0]), "rtcshim-dtmf", GINT_TO_POINTER(1));
            chain[1] = make_discard();
            add_and_link(pipeline, pad, chain, 2, NULL);
            return;
        }
    }
    g_mutex_lock(&pipeline->chains_lock);
    if (codec && pipeline->selector && pipeline->receive_chains < MAX_RECEIVE_CHAINS)
    {
        if (!(count = media_codec_make_receiver(codec, mix_rate(&pipeline->params), chain, &error)))
        {
            g_warning("media: cannot decode %s: %s", codec->name, error->message);
            g_error_free(error);
        }
        else
            pipeline->receive_chains++;
    }
    g_mutex_unlock(&pipeline->chains_lock);
    if (count) add_and_link(pipeline, pad, chain, count, pipeline->selector);
    else
    {
        chain[0] = make_discard();
        add_and_link(pipeline, pad, chain, 1, NULL);
    }
}

/* ---- building ---- */

static GstElement *add(struct media_pipeline *pipeline, const char *factory, const char *name)
{
    GstElement *element = gst_element_factory_make(factory, name);

    if (element) gst_bin_add(GST_BIN(pipeline->pipeline), element);
    else g_warning("media: no GStreamer element %s", factory);
    return element;
}

static gboolean link_many(GstElement *first, ...)
{
    gboolean ok = TRUE;
    GstElement *a = first, *b;
    va_list args;

    va_start(args, first);
    while ((b = va_arg(args, GstElement *)))
    {
        if (ok && a && !gst_element_link(a, b))
        {
            g_warning("media: cannot link %s to %s", GST_OBJECT_NAME(a), GST_OBJECT_NAME(b));
            ok = FALSE;
        }
        a = b;
    }
    va_end(args);
    return ok;
}

static GstElement *caps_filter(struct media_pipeline *pipeline, guint rate)
{
    GstElement *filter = add(pipeline, "capsfilter", NULL);
    GstCaps *caps = gst_caps_new_simple("audio/x-raw", "format", G_TYPE_STRING, "S16LE", "rate", G_TYPE_INT,
                                        (int)rate, "channels", G_TYPE_INT, 1, NULL);

    g_object_set(filter, "caps", caps, NULL);
    gst_caps_unref(caps);
    return filter;
}

static void set_udpsink_target(GstElement *udpsink, const char *host, guint16 port)
{
    g_object_set(udpsink, "host", host, "port", (gint)port, NULL);
}

void media_stream_start_pad(GstPad *pad, const char *stream_id, GstCaps *caps)
{
    GstSegment segment;

    gst_pad_set_active(pad, TRUE);
    /* sticky: they go out before the first buffer */
    gst_pad_push_event(pad, gst_event_new_stream_start(stream_id));
    gst_pad_push_event(pad, gst_event_new_caps(caps));
    gst_segment_init(&segment, GST_FORMAT_TIME);
    gst_pad_push_event(pad, gst_event_new_segment(&segment));
}

/* A source pad of no element, linked to an rtpbin input: the backend's
 * receiver pushes what its socket reads on it, from the receiver's thread. */
static GstPad *make_input(struct media_pipeline *pipeline, const char *name, const char *media_type,
                          const char *rtpbin_pad)
{
    GstPad *pad = gst_pad_new(name, GST_PAD_SRC);
    GstPad *sink = gst_element_request_pad_simple(pipeline->rtpbin, rtpbin_pad);
    GstCaps *caps = gst_caps_new_empty_simple(media_type);
    char *id = g_strdup_printf("rtcshim-%s-%p", name, (void *)pad);

    media_stream_start_pad(pad, id, caps);
    g_free(id);
    gst_caps_unref(caps);
    if (!sink || gst_pad_link(pad, sink) != GST_PAD_LINK_OK)
    {
        if (sink) gst_object_unref(sink);
        gst_pad_set_active(pad, FALSE);
        gst_object_unref(pad);
        return NULL;
    }
    gst_object_unref(sink);
    return pad;
}

static gboolean build_send(struct media_pipeline *pipeline, struct media_stream *stream, gboolean echo_cancel,
                           const char *echo_probe, GError **error)
{
    const struct sip_media_params *params = &pipeline->params;
    GstElement *convert, *resample, *filter, *dsp = NULL, *to_rtpbin, *sender[MEDIA_CHAIN_MAX];
    guint rate = media_codec_sample_rate(params->codec_name), count;
    GstPad *gain_pad, *sender_sink;

    if (!(count = media_codec_make_sender(params, pipeline->suppress_silence, sender, error))) return FALSE;
    if (!add_row(pipeline, sender, count)) goto failed;
    if (pipeline->suppress_silence) pipeline->silence = sender[0];
    pipeline->encoder = sender[pipeline->suppress_silence ? 1 : 0];
    sender_sink = gst_element_get_static_pad(sender[0], "sink");
    if (echo_cancel && (dsp = gst_element_factory_make("webrtcdsp", NULL)))
    {
        /* The canceller works on this call's microphone against this call's
         * speaker (its probe): the call gets a microphone of its own. */
        convert = add(pipeline, "audioconvert", NULL);
        resample = add(pipeline, "audioresample", NULL);
        /* the encoder's rate from here on (webrtcdsp takes 8, 16 and 48 kHz too) */
        filter = caps_filter(pipeline, rate);
        gst_bin_add(GST_BIN(pipeline->pipeline), dsp);
        g_object_set(dsp, "probe", echo_probe, NULL);
        if (!link_many(convert, resample, filter, dsp, sender[0], NULL))
        {
            gst_object_unref(sender_sink);
            goto failed;
        }
        pipeline->mic_head = convert;
        gain_pad = gst_element_get_static_pad(dsp, "src");
    }
    else
    {
        /* The backend's microphone, at the encoder's rate, feeds this pad. */
        pipeline->mic_pad = gst_pad_new("microphone", GST_PAD_SRC);
        if (gst_pad_link(pipeline->mic_pad, sender_sink) != GST_PAD_LINK_OK)
        {
            gst_object_unref(sender_sink);
            goto failed;
        }
        gain_pad = gst_object_ref(pipeline->mic_pad);
    }
    gst_object_unref(sender_sink);
    pipeline->mic_gain = media_gain_attach(gain_pad, pipeline->pipeline, SIP_MEDIA_MICROPHONE, rate);
    gst_object_unref(gain_pad);
    to_rtpbin = sender[count - 1];

    if (params->telephone_event_pt >= 0 && (pipeline->rtpdtmfsrc = add(pipeline, "rtpdtmfsrc", NULL)))
    {
        GstElement *mux = add(pipeline, "rtpdtmfmux", NULL);

        /* Events share the audio's SSRC, so its clock (see pipeline_build). */
        g_object_set(pipeline->rtpdtmfsrc, "pt", (guint)params->telephone_event_pt, "clock-rate", params->clock_rate,
                     "packet-redundancy", DTMF_REDUNDANCY, NULL);
        if (!mux || !gst_element_link_pads(to_rtpbin, "src", mux, "sink_%u")
                || !gst_element_link_pads(pipeline->rtpdtmfsrc, "src", mux, "priority_sink_%u"))
            goto failed;
        to_rtpbin = mux;
    }
    if (!gst_element_link_pads(to_rtpbin, "src", pipeline->rtpbin, "send_rtp_sink_0")) goto failed;
    {
        GstPad *pad = gst_element_get_static_pad(to_rtpbin, "src");
        gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST, send_gate,
                          shared_ref(pipeline->shared), (GDestroyNotify)shared_unref);
        gst_object_unref(pad);
    }

    pipeline->rtp_udpsink = add(pipeline, "udpsink", NULL);
    g_object_set(pipeline->rtp_udpsink, "socket", pipeline->rtp, "close-socket", FALSE, "sync", FALSE,
                 "async", FALSE, NULL);
    set_udpsink_target(pipeline->rtp_udpsink, params->remote_address, params->remote_port);
    if (!gst_element_link_pads(pipeline->rtpbin, "send_rtp_src_0", pipeline->rtp_udpsink, "sink")) goto failed;
    return TRUE;

failed:
    g_set_error_literal(error, SIP_MEDIA_ERROR, SIP_MEDIA_ERROR_UNSUPPORTED, "Cannot build the sending pipeline");
    return FALSE;
}

static gboolean build_receive(struct media_pipeline *pipeline, guint rtp_timeout_ms, gboolean echo_cancel,
                              const char *echo_probe, GError **error)
{
    const struct sip_media_params *params = &pipeline->params;
    GstElement *probe = NULL;
    GstPad *gain_pad;

    if (!(pipeline->rtp_in = make_input(pipeline, "rtp", "application/x-rtp", "recv_rtp_sink_0"))) goto failed;
    gst_pad_add_probe(pipeline->rtp_in, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST,
                      rtp_received_probe, shared_ref(pipeline->shared), (GDestroyNotify)shared_unref);
    pipeline->rtp_timeout_ms = rtp_timeout_ms;

    pipeline->selector = add(pipeline, "input-selector", NULL);
    /* the streams not heard are dropped at once, never waited for */
    g_object_set(pipeline->selector, "sync-streams", FALSE, NULL);
    /* Every decoding chain gives mono S16LE at mix_rate() (a chain that must
     * convert ends in a caps filter), so nothing converts here. */
    pipeline->speaker_tail = pipeline->selector;
    if (echo_cancel && (probe = add(pipeline, "webrtcechoprobe", echo_probe)))
    {
        if (!link_many(pipeline->selector, probe, NULL)) goto failed;
        pipeline->speaker_tail = probe;
    }
    gain_pad = gst_element_get_static_pad(pipeline->selector, "src");
    pipeline->speaker_gain = media_gain_attach(gain_pad, pipeline->pipeline, SIP_MEDIA_SPEAKER, mix_rate(params));
    gst_object_unref(gain_pad);

    return TRUE;

failed:
    g_set_error_literal(error, SIP_MEDIA_ERROR, SIP_MEDIA_ERROR_UNSUPPORTED, "Cannot build the receiving pipeline");
    return FALSE;
}

static void pipeline_free(struct media_pipeline *pipeline)
{
    GstPad **pads[] = { &pipeline->mic_pad, &pipeline->rtp_in, &pipeline->rtcp_in };
    guint i;

    for (i = 0; i < G_N_ELEMENTS(pads); i++)
        if (*pads[i])
        {
            gst_pad_set_active(*pads[i], FALSE);
            gst_object_unref(*pads[i]);
        }
    if (pipeline->pipeline) gst_object_unref(pipeline->pipeline);
    if (pipeline->microphone) gst_object_unref(pipeline->microphone);
    if (pipeline->speaker) gst_object_unref(pipeline->speaker);
    g_object_unref(pipeline->rtp);
    g_object_unref(pipeline->rtcp);
    sip_media_params_clear(&pipeline->params);
    shared_unref(pipeline->shared);
    g_mutex_clear(&pipeline->chains_lock);
    g_mutex_clear(&pipeline->readers_lock);
    g_mutex_clear(&pipeline->silence_lock);
    g_free(pipeline);
}

static struct media_pipeline *pipeline_build(struct media_stream *stream, const struct sip_media_params *params,
                                             GError **error)
{
    const struct sip_media_backend *base = media_backend_base(stream->backend);
    struct media_devices *devices = media_backend_devices(stream->backend);
    struct media_pipeline *pipeline = g_new0(struct media_pipeline, 1);
    char *name = g_strdup_printf("rtcshim-stream-%u", stream->port);
    char *echo_probe = g_strdup_printf("rtcshim-echo-%u", stream->port);
    gboolean echo_cancel = base->echo_cancellation;
    GError *device_error = NULL;
    GstClock *clock;
    guint i;

    g_mutex_init(&pipeline->chains_lock);
    g_mutex_init(&pipeline->readers_lock);
    g_mutex_init(&pipeline->silence_lock);
    pipeline->suppress_silence = stream->silence_suppression;
    sip_media_params_copy(&pipeline->params, params);
    /* telephone-event/8000 next to a codec of another clock (opus): events
     * count in the codec's clock both ways, as baresip and others do
     * (docs/wire-mapping.md); RFC 4733's own answer, telephone-event/48000,
     * is offered next to opus and then agrees anyway. */
    for (i = 0; i < pipeline->params.n_codecs; i++)
        if (!g_ascii_strcasecmp(pipeline->params.codecs[i].name, SIP_MEDIA_TELEPHONE_EVENT))
            pipeline->params.codecs[i].clock_rate = params->clock_rate;
    pipeline->params.telephone_event_clock_rate = params->clock_rate;
    pipeline->backend = stream->backend;
    pipeline->shared = shared_ref(stream->shared);
    pipeline->rtp = g_object_ref(stream->rtp);
    pipeline->rtcp = g_object_ref(stream->rtcp);
    pipeline->pipeline = gst_pipeline_new(name);
    g_free(name);
    /* the clock of the backend's microphone and receiver too */
    clock = gst_system_clock_obtain();
    gst_pipeline_use_clock(GST_PIPELINE(pipeline->pipeline), clock);
    gst_object_unref(clock);

    pipeline->rtpbin = add(pipeline, "rtpbin", NULL);
    g_object_set(pipeline->rtpbin, "latency", JITTER_BUFFER_MS, "do-lost", TRUE, NULL);
    g_signal_connect(pipeline->rtpbin, "request-pt-map", G_CALLBACK(request_pt_map), pipeline);
    g_signal_connect(pipeline->rtpbin, "pad-added", G_CALLBACK(pad_added), pipeline);

    /* RTCP both ways on the RTCP socket. */
    pipeline->rtcp_in = make_input(pipeline, "rtcp", "application/x-rtcp", "recv_rtcp_sink_0");
    pipeline->rtcp_udpsink = add(pipeline, "udpsink", NULL);
    g_object_set(pipeline->rtcp_udpsink, "socket", pipeline->rtcp, "close-socket", FALSE, "sync", FALSE,
                 "async", FALSE, NULL);
    set_udpsink_target(pipeline->rtcp_udpsink, params->remote_address, params->remote_rtcp_port);
    if (!pipeline->rtcp_in
            || !gst_element_link_pads(pipeline->rtpbin, "send_rtcp_src_0", pipeline->rtcp_udpsink, "sink"))
    {
        g_set_error_literal(error, SIP_MEDIA_ERROR, SIP_MEDIA_ERROR_UNSUPPORTED, "Cannot link RTCP");
        goto failed;
    }

    if (!build_receive(pipeline, media_backend_rtp_timeout_ms(stream->backend), echo_cancel, echo_probe, error)
            || !build_send(pipeline, stream, echo_cancel, echo_probe, error))
        goto failed;

    /* The devices; a description that does not parse fails that direction only. */
    if (!(pipeline->speaker = media_devices_make_element(devices, SIP_MEDIA_SPEAKER, &device_error)))
    {
        g_message("media: speaker: %s", device_error->message);
        g_clear_error(&device_error);
        report_flow(stream, SIP_MEDIA_FLOW_RECEIVE, SIP_MEDIA_FLOW_FAILED, SIP_MEDIA_REASON_BAD_DEVICE);
    }
    else gst_object_ref_sink(pipeline->speaker);
    /* (without a microphone of its own, the backend's is attached once PLAYING) */
    if (!pipeline->mic_pad
            && !(pipeline->microphone = media_devices_make_element(devices, SIP_MEDIA_MICROPHONE, &device_error)))
    {
        g_message("media: microphone: %s", device_error->message);
        g_clear_error(&device_error);
        report_flow(stream, SIP_MEDIA_FLOW_SEND, SIP_MEDIA_FLOW_FAILED, SIP_MEDIA_REASON_BAD_DEVICE);
    }
    else if (pipeline->microphone) gst_object_ref_sink(pipeline->microphone);
    g_free(echo_probe);
    return pipeline;

failed:
    g_free(echo_probe);
    pipeline_free(pipeline);
    return NULL;
}

/* ---- the worker's part ---- */

void media_stream_post_device_failed(GstElement *pipeline, enum sip_media_device device)
{
    GstStructure *s = gst_structure_new("rtcshim-device-failed", "device", G_TYPE_INT, (int)device, NULL);

    gst_element_post_message(pipeline, gst_message_new_application(GST_OBJECT(pipeline), s));
}

/* Sinks of a device bin must not wait for preroll: nothing may block the
 * live pipeline (and teardown) on the first received packet. */
static void make_sinks_async_free(GstElement *element)
{
    if (GST_IS_BIN(element))
    {
        GstIterator *it = gst_bin_iterate_sinks(GST_BIN(element));
        GValue item = G_VALUE_INIT;

        while (gst_iterator_next(it, &item) == GST_ITERATOR_OK)
        {
            make_sinks_async_free(g_value_get_object(&item));
            g_value_reset(&item);
        }
        g_value_unset(&item);
        gst_iterator_free(it);
    }
    else if (g_object_class_find_property(G_OBJECT_GET_CLASS(element), "async"))
        g_object_set(element, "async", FALSE, NULL);
}

/* The receiver's thread: no RTP for the timeout. */
static void rtp_timed_out(gpointer data)
{
    struct media_pipeline *pipeline = data;

    gst_element_post_message(pipeline->pipeline, gst_message_new_application(GST_OBJECT(pipeline->pipeline),
                             gst_structure_new_empty("rtcshim-rtp-timeout")));
}

/* On the worker, once PLAYING: the backend's receiver reads the sockets,
 * stamping what arrives in the pipeline's running time. */
static void start_reading(struct media_pipeline *pipeline)
{
    GError *error = NULL;
    GstClock *clock = gst_element_get_clock(pipeline->pipeline);
    GstClockTime base_time = gst_element_get_base_time(pipeline->pipeline);

    g_mutex_lock(&pipeline->readers_lock);
    if (!clock || !(pipeline->receiver = media_backend_receiver(pipeline->backend, &error)))
    {
        g_warning("media: cannot receive: %s", error ? error->message : "no clock");
        g_clear_error(&error);
    }
    else
    {
        pipeline->rtp_reader = media_receiver_add(pipeline->receiver, pipeline->rtp, pipeline->rtp_in, clock,
                                                  base_time);
        pipeline->rtcp_reader = media_receiver_add(pipeline->receiver, pipeline->rtcp, pipeline->rtcp_in, clock,
                                                   base_time);
        media_receiver_set_timeout(pipeline->receiver, pipeline->rtp_reader, pipeline->rtp_timeout_ms, rtp_timed_out,
                                   pipeline);
    }
    g_mutex_unlock(&pipeline->readers_lock);
    if (clock) gst_object_unref(clock);
}

/* The engine's thread: expect RTP (with its timeout) or not. */
static void set_rtp_timeout(struct media_pipeline *pipeline, guint timeout_ms)
{
    g_mutex_lock(&pipeline->readers_lock);
    if (pipeline->rtp_timeout_ms != timeout_ms)
    {
        pipeline->rtp_timeout_ms = timeout_ms;
        if (pipeline->rtp_reader)
            media_receiver_set_timeout(pipeline->receiver, pipeline->rtp_reader, timeout_ms, rtp_timed_out, pipeline);
    }
    g_mutex_unlock(&pipeline->readers_lock);
}

static void start_job(gpointer data)
{
    struct media_pipeline *pipeline = data;

    if (pipeline->speaker)
    {
        if (media_devices_open(pipeline->speaker))
        {
            make_sinks_async_free(pipeline->speaker);
            gst_bin_add(GST_BIN(pipeline->pipeline), pipeline->speaker);
            if (!gst_element_link(pipeline->speaker_tail, pipeline->speaker))
            {
                g_warning("media: cannot link the speaker");
                media_stream_post_device_failed(pipeline->pipeline, SIP_MEDIA_SPEAKER);
            }
        }
        else
        {
            media_stream_post_device_failed(pipeline->pipeline, SIP_MEDIA_SPEAKER);
            gst_clear_object(&pipeline->speaker);
        }
    }
    if (!pipeline->speaker)
    {
        /* Still drain what is received (RTCP, statistics, DTMF). */
        GstElement *discard = make_discard();
        gst_bin_add(GST_BIN(pipeline->pipeline), discard);
        gst_element_link(pipeline->speaker_tail, discard);
    }
    if (pipeline->microphone)
    {
        if (media_devices_open(pipeline->microphone))
        {
            gst_bin_add(GST_BIN(pipeline->pipeline), pipeline->microphone);
            if (!gst_element_link(pipeline->microphone, pipeline->mic_head))
            {
                g_warning("media: cannot link the microphone");
                media_stream_post_device_failed(pipeline->pipeline, SIP_MEDIA_MICROPHONE);
            }
        }
        else
        {
            media_stream_post_device_failed(pipeline->pipeline, SIP_MEDIA_MICROPHONE);
            gst_clear_object(&pipeline->microphone);
        }
    }
    if (gst_element_set_state(pipeline->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
    {
        gst_element_post_message(pipeline->pipeline, gst_message_new_application(GST_OBJECT(pipeline->pipeline),
                                 gst_structure_new_empty("rtcshim-start-failed")));
        pipeline->started = TRUE;
        return;
    }
    pipeline->started = TRUE;
    if (pipeline->mic_pad)
    {
        GError *error = NULL;

        if (!(pipeline->mic_tap = media_capture_attach(media_backend_capture(pipeline->backend),
                                                       media_codec_sample_rate(pipeline->params.codec_name),
                                                       pipeline->mic_pad, pipeline->pipeline, &error)))
        {
            g_message("media: microphone: %s", error->message);
            g_error_free(error);
            media_stream_post_device_failed(pipeline->pipeline, SIP_MEDIA_MICROPHONE);
        }
    }
    start_reading(pipeline);
}

static void stop_job(gpointer data)
{
    struct media_pipeline *pipeline = data;

    if (pipeline->mic_tap) media_capture_detach(media_backend_capture(pipeline->backend), pipeline->mic_tap);
    g_mutex_lock(&pipeline->readers_lock);
    if (pipeline->rtp_reader) media_receiver_remove(pipeline->receiver, pipeline->rtp_reader);
    if (pipeline->rtcp_reader) media_receiver_remove(pipeline->receiver, pipeline->rtcp_reader);
    pipeline->rtp_reader = pipeline->rtcp_reader = NULL;
    g_mutex_unlock(&pipeline->readers_lock);

    /* EOS through the speaker side first, if anything was played: a recording
     * sink (wavenc) writes its header then. */
    if (pipeline->started && pipeline->speaker && pipeline->selector)
    {
        GstPad *src = gst_element_get_static_pad(pipeline->selector, "src");
        GstPad *pad = gst_pad_get_peer(src);

        if (pad && gst_pad_has_current_caps(pad)) gst_pad_send_event(pad, gst_event_new_eos());
        if (pad) gst_object_unref(pad);
        gst_object_unref(src);
    }
    gst_element_set_state(pipeline->pipeline, GST_STATE_NULL);
    pipeline_free(pipeline);
}

/* ---- the bus (the stream's context) ---- */

static gboolean is_inside(GstObject *object, GstElement *element)
{
    return element && (object == GST_OBJECT(element) || gst_object_has_as_ancestor(object, GST_OBJECT(element)));
}

static gboolean on_bus_message(GstBus *bus, GstMessage *message, gpointer data)
{
    struct media_stream *stream = data;
    struct media_pipeline *pipeline = stream->pipeline;
    const GstStructure *s = gst_message_get_structure(message);
    const char *name = s ? gst_structure_get_name(s) : "";

    if (!pipeline) return G_SOURCE_CONTINUE;
    switch (GST_MESSAGE_TYPE(message))
    {
    case GST_MESSAGE_APPLICATION:
        if (!strcmp(name, "rtcshim-rtp-sent") && g_atomic_int_get(&stream->shared->send_open))
            report_flow(stream, SIP_MEDIA_FLOW_SEND, SIP_MEDIA_FLOW_STARTED, SIP_MEDIA_REASON_NORMAL);
        else if (!strcmp(name, "rtcshim-rtp-received") && g_atomic_int_get(&stream->shared->receive_open)
                 && !stream->params.hold)
            report_flow(stream, SIP_MEDIA_FLOW_RECEIVE, SIP_MEDIA_FLOW_STARTED, SIP_MEDIA_REASON_NORMAL);
        else if (!strcmp(name, "rtcshim-device-failed"))
        {
            int device = SIP_MEDIA_SPEAKER;

            gst_structure_get_int(s, "device", &device);
            g_message("media: stream %u: no usable %s", stream->port,
                      device == SIP_MEDIA_MICROPHONE ? "microphone" : "speaker");
            report_flow(stream, device == SIP_MEDIA_MICROPHONE ? SIP_MEDIA_FLOW_SEND : SIP_MEDIA_FLOW_RECEIVE,
                        SIP_MEDIA_FLOW_FAILED, SIP_MEDIA_REASON_BAD_DEVICE);
        }
        else if (!strcmp(name, "rtcshim-level"))
        {
            struct sip_media_event event = { .type = SIP_MEDIA_EVENT_LEVEL };
            int device = SIP_MEDIA_SPEAKER;
            guint level = 0;

            gst_structure_get_int(s, "device", &device);
            gst_structure_get_uint(s, "level", &level);
            event.device = device == SIP_MEDIA_MICROPHONE ? SIP_MEDIA_MICROPHONE : SIP_MEDIA_SPEAKER;
            event.level = stream->level[event.device] = level;
            if (media_backend_base(stream->backend)->level_reporting) queue_event(stream, &event);
        }
        else if (!strcmp(name, "rtcshim-rtp-timeout"))
        {
            if (g_atomic_int_get(&stream->shared->receive_open) && !stream->params.hold)
            {
                report_flow(stream, SIP_MEDIA_FLOW_RECEIVE, SIP_MEDIA_FLOW_STOPPED, SIP_MEDIA_REASON_TIMEOUT);
                g_atomic_int_set(&stream->shared->await_first_received, 1);
            }
        }
        else if (!strcmp(name, "rtcshim-start-failed"))
        {
            g_message("media: stream %u: the pipeline did not start", stream->port);
            report_flow(stream, SIP_MEDIA_FLOW_SEND, SIP_MEDIA_FLOW_FAILED, SIP_MEDIA_REASON_BAD_DEVICE);
            report_flow(stream, SIP_MEDIA_FLOW_RECEIVE, SIP_MEDIA_FLOW_FAILED, SIP_MEDIA_REASON_BAD_DEVICE);
        }
        break;

    case GST_MESSAGE_ELEMENT:
        if (!strcmp(name, "dtmf-event"))
        {
            int number = -1;

            /* rtpdtmfdepay posts one per event (digit) received */
            if (g_object_get_data(G_OBJECT(GST_MESSAGE_SRC(message)), "rtcshim-dtmf"))
            {
                gst_structure_get_int(s, "number", &number);
                g_atomic_int_inc(&stream->shared->dtmf_received);
                g_debug("media: stream %u received DTMF event %d", stream->port, number);
            }
        }
        break;

    case GST_MESSAGE_ERROR:
    {
        GError *error = NULL;
        char *debug = NULL;

        gst_message_parse_error(message, &error, &debug);
        if (is_inside(GST_MESSAGE_SRC(message), pipeline->microphone))
        {
            g_message("media: stream %u: microphone: %s", stream->port, error->message);
            report_flow(stream, SIP_MEDIA_FLOW_SEND, SIP_MEDIA_FLOW_FAILED, SIP_MEDIA_REASON_BAD_DEVICE);
        }
        else if (is_inside(GST_MESSAGE_SRC(message), pipeline->speaker))
        {
            g_message("media: stream %u: speaker: %s", stream->port, error->message);
            report_flow(stream, SIP_MEDIA_FLOW_RECEIVE, SIP_MEDIA_FLOW_FAILED, SIP_MEDIA_REASON_BAD_DEVICE);
        }
        else
            g_warning("media: stream %u: %s: %s (%s)", stream->port, GST_OBJECT_NAME(GST_MESSAGE_SRC(message)),
                      error->message, debug ? debug : "");
        g_error_free(error);
        g_free(debug);
        break;
    }

    case GST_MESSAGE_WARNING:
    {
        GError *error = NULL;

        gst_message_parse_warning(message, &error, NULL);
        g_debug("media: stream %u: %s: %s", stream->port, GST_OBJECT_NAME(GST_MESSAGE_SRC(message)), error->message);
        g_error_free(error);
        break;
    }

    default:
        break;
    }
    return G_SOURCE_CONTINUE;
}

/* ---- settings of a running pipeline ---- */

static void apply_volumes(struct media_stream *stream)
{
    const struct sip_media_backend *base = media_backend_base(stream->backend);
    struct media_pipeline *pipeline = stream->pipeline;
    struct media_gain *gains[2];
    int d;

    if (!pipeline) return;
    gains[SIP_MEDIA_SPEAKER] = pipeline->speaker_gain;
    gains[SIP_MEDIA_MICROPHONE] = pipeline->mic_gain;
    for (d = 0; d < 2; d++)
        if (gains[d])
            media_gain_set(gains[d], base->volume[d] * stream->volume[d], base->muted[d] || stream->muted[d],
                           base->level_reporting);
}

void media_stream_apply_backend_settings(struct media_stream *stream)
{
    apply_volumes(stream);
}

/* Opens and closes the gates for the negotiated direction. While the call
 * is on hold, a receive gate may stay open (music on hold the peer sends is
 * played) but the receive flow reports STOPPED/HOLD and nothing else, and
 * RTP may pause without a timeout. */
static void apply_direction(struct media_stream *stream, const struct sip_media_params *params)
{
    struct media_pipeline *pipeline = stream->pipeline;
    gboolean send = (params->direction & SIP_MEDIA_SENDONLY) != 0;
    gboolean receive = (params->direction & SIP_MEDIA_RECVONLY) != 0;
    gboolean expect_receive = receive && !params->hold;
    enum sip_media_flow_reason reason = params->hold ? SIP_MEDIA_REASON_HOLD : SIP_MEDIA_REASON_NORMAL;

    /* A flow not started yet reports the first packet through its gate. */
    if (send && stream->flow_state[SIP_MEDIA_FLOW_SEND] != SIP_MEDIA_FLOW_STARTED)
        g_atomic_int_set(&stream->shared->await_first_sent, 1);
    g_atomic_int_set(&stream->shared->send_open, send);
    if (!send && stream->flow_state[SIP_MEDIA_FLOW_SEND] != SIP_MEDIA_FLOW_FAILED)
        report_flow(stream, SIP_MEDIA_FLOW_SEND, SIP_MEDIA_FLOW_STOPPED, reason);

    if (expect_receive && stream->flow_state[SIP_MEDIA_FLOW_RECEIVE] != SIP_MEDIA_FLOW_STARTED)
        g_atomic_int_set(&stream->shared->await_first_received, 1);
    g_atomic_int_set(&stream->shared->receive_open, receive);
    if (!expect_receive && stream->flow_state[SIP_MEDIA_FLOW_RECEIVE] != SIP_MEDIA_FLOW_FAILED)
        report_flow(stream, SIP_MEDIA_FLOW_RECEIVE, SIP_MEDIA_FLOW_STOPPED, reason);
    /* No timeout while nothing is expected. */
    if (pipeline) set_rtp_timeout(pipeline, expect_receive ? media_backend_rtp_timeout_ms(stream->backend) : 0);
}

/* TRUE when the running pipeline can take the new parameters without a rebuild. */
static gboolean same_codecs(const struct sip_media_params *a, const struct sip_media_params *b)
{
    struct sip_media_params x = *a, y = *b;

    /* Compare everything but address, direction and hold. */
    x.remote_address = y.remote_address = NULL;
    x.remote_port = y.remote_port = 0;
    x.remote_rtcp_port = y.remote_rtcp_port = 0;
    x.direction = y.direction = SIP_MEDIA_INACTIVE;
    x.hold = y.hold = FALSE;
    x.max_bitrate = y.max_bitrate = 0;      /* the encoder follows (media_codec_set_max_bitrate) */
    return sip_media_params_equal(&x, &y);
}

/* ---- life cycle ---- */

static void dtmf_reset(struct media_stream *stream);

static void pipeline_stop(struct media_stream *stream)
{
    struct media_pipeline *pipeline = stream->pipeline;

    if (stream->build_source)
    {
        g_source_destroy(stream->build_source);
        stream->build_source = NULL;
    }
    if (!pipeline) return;
    dtmf_reset(stream);
    stream->pipeline = NULL;
    if (stream->bus_source)
    {
        g_source_destroy(stream->bus_source);
        g_source_unref(stream->bus_source);
        stream->bus_source = NULL;
    }
    g_atomic_int_set(&stream->shared->send_open, 0);
    g_atomic_int_set(&stream->shared->receive_open, 0);
    media_worker_push(media_backend_worker(stream->backend), stop_job, pipeline);
}

/* A new pipeline: every flow starts over. */
static void flows_start_over(struct media_stream *stream)
{
    int f;

    for (f = 0; f < 2; f++)
    {
        if (stream->flow_state[f] != SIP_MEDIA_FLOW_STOPPED)
            report_flow(stream, f, SIP_MEDIA_FLOW_STOPPED, SIP_MEDIA_REASON_NORMAL);
        stream->flow_state[f] = SIP_MEDIA_FLOW_STOPPED;
        stream->flow_reason[f] = SIP_MEDIA_REASON_NORMAL;
    }
    g_atomic_int_set(&stream->shared->send_open, 0);
    g_atomic_int_set(&stream->shared->receive_open, 0);
}

static gboolean pipeline_start(struct media_stream *stream, const struct sip_media_params *params, GError **error)
{
    struct media_pipeline *pipeline;
    GstBus *bus;

    flows_start_over(stream);
    if (!(pipeline = pipeline_build(stream, params, error))) return FALSE;
    stream->pipeline = pipeline;
    bus = gst_element_get_bus(pipeline->pipeline);
    stream->bus_source = gst_bus_create_watch(bus);
    g_source_set_callback(stream->bus_source, (GSourceFunc)(void (*)(void))on_bus_message, stream, NULL);
    g_source_attach(stream->bus_source, stream->context);
    gst_object_unref(bus);
    apply_volumes(stream);
    apply_direction(stream, params);
    media_worker_push(media_backend_worker(stream->backend), start_job, pipeline);
    return TRUE;
}

/* Builds the pipeline for the stream's parameters once the engine's thread
 * has nothing more urgent: making a pipeline's elements takes milliseconds,
 * and a burst of new calls must get its SIP answered first (else the
 * engine, behind on its socket, refuses calls with 503). */
static gboolean build_when_idle(gpointer data)
{
    struct media_stream *stream = data;
    GError *error = NULL;

    stream->build_source = NULL;
    if (!pipeline_start(stream, &stream->params, &error))
    {
        g_message("media: stream %u did not start: %s", stream->port, error->message);
        g_error_free(error);
    }
    return G_SOURCE_REMOVE;
}

static void build_later(struct media_stream *stream)
{
    flows_start_over(stream);
    stream->build_source = g_idle_source_new();
    g_source_set_priority(stream->build_source, G_PRIORITY_LOW);
    g_source_set_callback(stream->build_source, build_when_idle, stream, NULL);
    g_source_attach(stream->build_source, stream->context);
    g_source_unref(stream->build_source);
}

struct sip_media_stream *media_stream_new(struct media_backend *backend, const char *local_address,
                                          sip_media_stream_func callback, gpointer user_data, GError **error)
{
    struct media_stream *stream = g_new0(struct media_stream, 1);

    if (!sip_media_bind_pair(local_address, 0, 0, &stream->rtp, &stream->rtcp, &stream->port, error))
    {
        g_free(stream);
        return NULL;
    }
    stream->base.backend = media_backend_base(backend);
    stream->backend = backend;
    stream->context = g_main_context_ref_thread_default();
    stream->callback = callback;
    stream->user_data = user_data;
    stream->shared = g_new0(struct stream_shared, 1);
    stream->shared->refcount = 1;
    stream->volume[SIP_MEDIA_SPEAKER] = stream->volume[SIP_MEDIA_MICROPHONE] = 1.0;
    sip_media_params_clear(&stream->params);
    g_queue_init(&stream->pending_reports);
    g_queue_init(&stream->dtmf_queue);
    media_backend_add_stream(backend, stream);
    return &stream->base;
}

guint16 media_stream_get_port(struct sip_media_stream *iface)
{
    return impl_from_stream(iface)->port;
}

gboolean media_stream_start(struct sip_media_stream *iface, const struct sip_media_params *params, GError **error)
{
    struct media_stream *stream = impl_from_stream(iface);

    if (!media_codec_find(params->codec_name))
    {
        g_set_error(error, SIP_MEDIA_ERROR, SIP_MEDIA_ERROR_UNSUPPORTED, "No codec %s", params->codec_name);
        return FALSE;
    }
    g_debug("media: stream %u -> %s:%u %s/%u pt %d ptime %u %s%s", stream->port, params->remote_address,
            params->remote_port, params->codec_name, params->clock_rate, params->payload_type, params->ptime,
            sip_media_direction_name(params->direction), params->hold ? " (hold)" : "");
    if (stream->pipeline && same_codecs(&stream->params, params))
    {
        /* Hold, resume, a new address: the running pipeline follows. */
        if (g_strcmp0(stream->params.remote_address, params->remote_address)
                || stream->params.remote_port != params->remote_port
                || stream->params.remote_rtcp_port != params->remote_rtcp_port)
        {
            if (stream->pipeline->rtp_udpsink)
                set_udpsink_target(stream->pipeline->rtp_udpsink, params->remote_address, params->remote_port);
            set_udpsink_target(stream->pipeline->rtcp_udpsink, params->remote_address, params->remote_rtcp_port);
        }
        if (stream->params.max_bitrate != params->max_bitrate)
            media_codec_set_max_bitrate(stream->pipeline->encoder, params->max_bitrate);
        apply_direction(stream, params);
    }
    else if (!stream->build_source)
    {
        pipeline_stop(stream);
        build_later(stream);
    }
    /* else the build still waiting takes these parameters */
    sip_media_params_clear(&stream->params);
    sip_media_params_copy(&stream->params, params);
    stream->started = TRUE;
    return TRUE;
}

void media_stream_stop(struct sip_media_stream *iface)
{
    struct media_stream *stream = impl_from_stream(iface);
    int f;

    if (!stream->started) return;
    stream->started = FALSE;
    pipeline_stop(stream);
    for (f = 0; f < 2; f++)
        if (stream->flow_state[f] != SIP_MEDIA_FLOW_STOPPED)
            report_flow(stream, f, SIP_MEDIA_FLOW_STOPPED, SIP_MEDIA_REASON_NORMAL);
}

void media_stream_free(struct sip_media_stream *iface)
{
    struct media_stream *stream = impl_from_stream(iface);
    struct sip_media_event *event;

    stream->callback = NULL;
    media_stream_stop(iface);
    pipeline_stop(stream);
    if (stream->idle_source) g_source_destroy(stream->idle_source);
    while ((event = g_queue_pop_head(&stream->pending_reports))) g_free(event);
    media_backend_remove_stream(stream->backend, stream);
    /* The worker's pipeline holds its own references: the sockets close when it is done. */
    g_object_unref(stream->rtp);
    g_object_unref(stream->rtcp);
    shared_unref(stream->shared);
    sip_media_params_clear(&stream->params);
    g_main_context_unref(stream->context);
    g_free(stream);
}

/* ---- DTMF ---- */

static void send_dtmf_event(struct media_stream *stream, int number, gboolean start)
{
    struct media_pipeline *pipeline = stream->pipeline;
    GstElement *targets[1] = { pipeline->rtpdtmfsrc };
    guint i;

    for (i = 0; i < G_N_ELEMENTS(targets); i++)
    {
        GstStructure *s;
        GstPad *pad;

        if (!targets[i]) continue;
        s = start ? gst_structure_new("dtmf-event", "type", G_TYPE_INT, 1, "number", G_TYPE_INT, number,
                                      "volume", G_TYPE_INT, DTMF_VOLUME, "start", G_TYPE_BOOLEAN, TRUE, NULL)
                  : gst_structure_new("dtmf-event", "type", G_TYPE_INT, 1, "start", G_TYPE_BOOLEAN, FALSE, NULL);
        /* As if it came from downstream: the sources handle it on their src pad. */
        pad = gst_element_get_static_pad(targets[i], "src");
        gst_pad_send_event(pad, gst_event_new_custom(GST_EVENT_CUSTOM_UPSTREAM, s));
        gst_object_unref(pad);
    }
}

static gboolean dtmf_step(gpointer data);

static void dtmf_schedule(struct media_stream *stream, guint ms)
{
    stream->dtmf_timer = g_timeout_source_new(ms);
    g_source_set_callback(stream->dtmf_timer, dtmf_step, stream, NULL);
    g_source_attach(stream->dtmf_timer, stream->context);
    g_source_unref(stream->dtmf_timer);
}

/* One step of the digit queue: end the digit that is on, or start the next. */
static gboolean dtmf_step(gpointer data)
{
    struct media_stream *stream = data;
    gpointer next;

    stream->dtmf_timer = NULL;
    if (!stream->pipeline) return G_SOURCE_REMOVE;
    if (stream->dtmf_sending)
    {
        send_dtmf_event(stream, 0, FALSE);
        stream->dtmf_sending = FALSE;
        if (!g_queue_is_empty(&stream->dtmf_queue)) dtmf_schedule(stream, DTMF_GAP_MS);
        return G_SOURCE_REMOVE;
    }
    if ((next = g_queue_pop_head(&stream->dtmf_queue)))
    {
        g_debug("media: stream %u sends DTMF %d", stream->port, GPOINTER_TO_INT(next) - 1);
        send_dtmf_event(stream, GPOINTER_TO_INT(next) - 1, TRUE);
        stream->dtmf_sending = TRUE;
        stream->dtmf_sent++;
        dtmf_schedule(stream, DTMF_TONE_MS);
    }
    return G_SOURCE_REMOVE;
}

static void dtmf_reset(struct media_stream *stream)
{
    if (stream->dtmf_timer) g_source_destroy(stream->dtmf_timer);
    stream->dtmf_timer = NULL;
    if (stream->dtmf_sending && stream->pipeline) send_dtmf_event(stream, 0, FALSE);
    stream->dtmf_sending = FALSE;
    g_queue_clear(&stream->dtmf_queue);
}

gboolean media_stream_send_dtmf(struct sip_media_stream *iface, guint event, GError **error)
{
    struct media_stream *stream = impl_from_stream(iface);

    if (!stream->pipeline || !g_atomic_int_get(&stream->shared->send_open))
    {
        g_set_error_literal(error, SIP_MEDIA_ERROR, SIP_MEDIA_ERROR_NO_STREAM, "The call sends no audio now");
        return FALSE;
    }
    if (!stream->pipeline->rtpdtmfsrc)
    {
        g_set_error_literal(error, SIP_MEDIA_ERROR, SIP_MEDIA_ERROR_UNSUPPORTED,
                            "The peer did not agree to telephone-event");
        return FALSE;
    }
    g_queue_push_tail(&stream->dtmf_queue, GUINT_TO_POINTER(event + 1));
    if (!stream->dtmf_timer) dtmf_schedule(stream, 0);
    /* The key's feedback on the speaker; not where the environment gave a
     * speaker (a recording of the call would be overwritten). */
    if (!media_devices_chosen_by_environment(media_backend_devices(stream->backend), SIP_MEDIA_SPEAKER))
        media_tones_play_digit(media_backend_tones(stream->backend), event);
    return TRUE;
}

/* ---- controls and statistics ---- */

gboolean media_stream_set_volume(struct sip_media_stream *iface, enum sip_media_device device, double volume,
                                 gboolean muted, GError **error)
{
    struct media_stream *stream = impl_from_stream(iface);

    stream->volume[device] = volume;
    stream->muted[device] = muted;
    apply_volumes(stream);
    return TRUE;
}

/* The sending thread, between two buffers: removesilence goes in before
 * the encoder, and the call goes on. A call only carries it once it
 * suppresses: even passing everything on, it would cost every packet. */
static GstPadProbeReturn insert_silence(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
    struct media_pipeline *pipeline = data;
    GstPad *encoder_sink = gst_element_get_static_pad(pipeline->encoder, "sink");
    GstElement *silence;

    g_mutex_lock(&pipeline->silence_lock);
    pipeline->silence_probe = 0;
    if (pipeline->suppress_silence && !pipeline->silence
            && (silence = media_codec_make_silence_suppressor(NULL)))
    {
        GstPad *silence_sink = gst_element_get_static_pad(silence, "sink");

        gst_pad_unlink(pad, encoder_sink);
        gst_bin_add(GST_BIN(pipeline->pipeline), silence);
        if (gst_pad_link(pad, silence_sink) != GST_PAD_LINK_OK || !gst_element_link(silence, pipeline->encoder))
            g_warning("media: cannot put silence suppression in");
        gst_object_unref(silence_sink);
        gst_element_sync_state_with_parent(silence);
        pipeline->silence = silence;
    }
    g_mutex_unlock(&pipeline->silence_lock);
    gst_object_unref(encoder_sink);
    return GST_PAD_PROBE_REMOVE;
}

static void pipeline_suppress_silence(struct media_pipeline *pipeline, gboolean enabled)
{
    g_mutex_lock(&pipeline->silence_lock);
    pipeline->suppress_silence = enabled;
    if (pipeline->silence) media_codec_set_silence_suppression(pipeline->silence, enabled);
    else if (enabled && !pipeline->silence_probe)
    {
        GstPad *encoder_sink = gst_element_get_static_pad(pipeline->encoder, "sink");
        GstPad *feed = gst_pad_get_peer(encoder_sink);

        if (feed)
        {
            pipeline->silence_probe = gst_pad_add_probe(feed, GST_PAD_PROBE_TYPE_BLOCK_DOWNSTREAM, insert_silence,
                                                        pipeline, NULL);
            gst_object_unref(feed);
        }
        gst_object_unref(encoder_sink);
    }
    g_mutex_unlock(&pipeline->silence_lock);
}

gboolean media_stream_set_silence_suppression(struct sip_media_stream *iface, gboolean enabled, GError **error)
{
    struct media_stream *stream = impl_from_stream(iface);

    if (enabled && !media_codec_can_suppress_silence(error)) return FALSE;
    stream->silence_suppression = enabled;
    if (stream->pipeline) pipeline_suppress_silence(stream->pipeline, enabled);
    return TRUE;
}

void media_stream_get_stats(struct sip_media_stream *iface, struct sip_media_stats *stats)
{
    struct media_stream *stream = impl_from_stream(iface);
    struct media_pipeline *pipeline = stream->pipeline;

    stats->rtp_packets_sent = (guint)g_atomic_int_get(&stream->shared->rtp_sent);
    stats->rtp_payload_octets_sent = (guint64)(gsize)g_atomic_pointer_get(&stream->shared->rtp_payload_sent);
    stats->rtp_packets_received = (guint)g_atomic_int_get(&stream->shared->rtp_received);
    stats->dtmf_events_sent = stream->dtmf_sent;
    stats->dtmf_events_received = (guint)g_atomic_int_get(&stream->shared->dtmf_received);
    stats->codec = g_atomic_int_get(&stream->shared->send_open) && stream->params.codec_name
                   ? stream->params.codec_name : NULL;
    if (pipeline && pipeline->rtpbin)
    {
        GObject *session = NULL;
        GstStructure *s = NULL;
        const GValue *sources;
        guint i;

        /* What the peer's receiver reports say about our stream. */
        g_signal_emit_by_name(pipeline->rtpbin, "get-internal-session", 0, &session);
        if (session) g_object_get(session, "stats", &s, NULL);
        if (s && (sources = gst_structure_get_value(s, "source-stats")))
        {
            G_GNUC_BEGIN_IGNORE_DEPRECATIONS
            GValueArray *array = G_VALUE_TYPE(sources) == g_value_array_get_type() ? g_value_get_boxed(sources) : NULL;
            for (i = 0; array && i < array->n_values; i++)
            {
                const GstStructure *source = gst_value_get_structure(g_value_array_get_nth(array, i));
                gboolean internal = FALSE, have_rb = FALSE, is_sender = FALSE;
                guint jitter = 0, fraction = 0, round_trip = 0;
                gint lost = 0;

                gst_structure_get_boolean(source, "internal", &internal);
                gst_structure_get_boolean(source, "have-rb", &have_rb);
                gst_structure_get_boolean(source, "is-sender", &is_sender);
                if (internal) continue;     /* ours: the probes count what we send */
                if (is_sender)
                {
                    /* the peer's stream, as our receiver reports describe it */
                    gst_structure_get_int(source, "packets-lost", &lost);
                    gst_structure_get_uint(source, "jitter", &jitter);
                    stats->received_lost += MAX(lost, 0);
                    stats->received_jitter = MAX(stats->received_jitter, jitter);
                }
                /* The report block the peer's last RTCP report had about our
                 * stream is kept with the peer's source (its rb-* fields). */
                if (!have_rb) continue;
                gst_structure_get_int(source, "rb-packetslost", &lost);
                gst_structure_get_uint(source, "rb-jitter", &jitter);
                gst_structure_get_uint(source, "rb-fractionlost", &fraction);
                gst_structure_get_uint(source, "rb-round-trip", &round_trip);
                stats->rtcp_received = TRUE;
                stats->packets_lost = MAX(lost, 0);
                stats->jitter = jitter;
                if (stream->params.clock_rate)
                    stats->jitter_ms = (guint)((guint64)jitter * 1000 / stream->params.clock_rate);
                stats->fraction_lost = MIN(fraction, 255);
                /* in 1/65536 s, as the report's DLSR */
                stats->round_trip_ms = (guint)((guint64)round_trip * 1000 / 65536);
            }
            G_GNUC_END_IGNORE_DEPRECATIONS
        }
        if (s) gst_structure_free(s);
        if (session) g_object_unref(session);
    }
}
