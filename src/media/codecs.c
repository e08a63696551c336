/*
 * The codecs of the GStreamer backend: which SDP format is which elements,
 * which of them are installed, and the bins that send and receive them.
 */
#include <string.h>

#include <gst/base/gstbasetransform.h>

#include "media_private.h"

/* Default order of preference (docs/wire-mapping.md): wideband first, then
 * G.711. G.722's RTP clock is 8000 although it samples at 16000 (RFC 3551 §4.5.2). */
static const struct media_codec codecs[] =
{
    { { "opus", 48000, 2, 111, "useinbandfec=1" }, "opusenc", "rtpopuspay", "rtpopusdepay", "opusdec", 48000 },
    { { "G722", 8000, 1, 9, NULL }, "avenc_g722", "rtpg722pay", "rtpg722depay", "avdec_g722", 16000 },
    { { "PCMU", 8000, 1, 0, NULL }, "mulawenc", "rtppcmupay", "rtppcmudepay", "mulawdec", 8000 },
    { { "PCMA", 8000, 1, 8, NULL }, "alawenc", "rtppcmapay", "rtppcmadepay", "alawdec", 8000 },
    { { SIP_MEDIA_TELEPHONE_EVENT, 8000, 1, 101, "0-16" }, NULL, "rtpdtmfsrc", "rtpdtmfdepay", NULL, 8000 },
};

#define SILENCE_FACTORY "removesilence"
#define SILENCE_ELEMENT "silence"

/* Offered next to opus: events at opus' clock (RFC 4733 §2.1 wants the
 * audio's rate); the 8000 one serves the other codecs and older peers. */
static const struct sip_media_format telephone_event_48000 = { SIP_MEDIA_TELEPHONE_EVENT, 48000, 1, 102, "0-16" };

const struct media_codec *media_codec_find(const char *name)
{
    guint i;

    for (i = 0; name && i < G_N_ELEMENTS(codecs); i++)
        if (!g_ascii_strcasecmp(codecs[i].format.name, name)) return &codecs[i];
    return NULL;
}

static gboolean factory_exists(const char *name)
{
    GstElementFactory *factory;

    if (!name) return TRUE;
    if (!(factory = gst_element_factory_find(name))) return FALSE;
    gst_object_unref(factory);
    return TRUE;
}

static gboolean codec_installed(const struct media_codec *codec)
{
    return factory_exists(codec->encoder) && factory_exists(codec->payloader) && factory_exists(codec->depayloader)
            && factory_exists(codec->decoder);
}

struct sip_media_format *media_codecs_available(void)
{
    const char *wanted = g_getenv("RTCSHIM_AUDIO_CODECS");
    struct sip_media_format *formats = g_new0(struct sip_media_format, G_N_ELEMENTS(codecs) + 2);
    gboolean opus = FALSE;
    const struct media_codec *telephone_event = media_codec_find(SIP_MEDIA_TELEPHONE_EVENT);
    guint count = 0, i;

    if (wanted && *wanted)
    {
        char **names = g_strsplit(wanted, ",", -1);

        for (i = 0; names[i]; i++)
        {
            const struct media_codec *codec = media_codec_find(g_strstrip(names[i]));
            guint j;

            if (!codec || codec == telephone_event || !codec_installed(codec))
            {
                if (*names[i]) g_warning("RTCSHIM_AUDIO_CODECS: no codec \"%s\" here", names[i]);
                continue;
            }
            for (j = 0; j < count && strcmp(formats[j].name, codec->format.name); j++)
                ;
            if (j == count) formats[count++] = codec->format;
        }
        g_strfreev(names);
    }
    if (!count)
    {
        for (i = 0; i < G_N_ELEMENTS(codecs); i++)
            if (&codecs[i] != telephone_event && codec_installed(&codecs[i])) formats[count++] = codecs[i].format;
    }
    for (i = 0; i < count; i++)
        if (!strcmp(formats[i].name, "opus")) opus = TRUE;
    if (codec_installed(telephone_event))
    {
        formats[count++] = telephone_event->format;
        if (opus) formats[count++] = telephone_event_48000;
    }
    return formats;
}

guint media_codec_sample_rate(const char *name)
{
    const struct media_codec *codec = media_codec_find(name);

    return codec ? codec->sample_rate : 8000;
}

GstCaps *media_codec_rtp_caps(const struct sip_media_codec *codec)
{
    char *encoding = g_ascii_strup(codec->name, -1);
    GstCaps *caps;

    caps = gst_caps_new_simple("application/x-rtp", "media", G_TYPE_STRING, "audio",
                               "clock-rate", G_TYPE_INT, (int)codec->clock_rate,
                               "encoding-name", G_TYPE_STRING, encoding,
                               "payload", G_TYPE_INT, codec->payload_type, NULL);
    if (codec->channels > 1)
    {
        char *channels = g_strdup_printf("%u", codec->channels);
        gst_caps_set_simple(caps, "encoding-params", G_TYPE_STRING, channels, NULL);
        g_free(channels);
    }
    g_free(encoding);
    return caps;
}

static GstElement *make(const char *factory, GError **error)
{
    GstElement *element = gst_element_factory_make(factory, NULL);

    if (!element)
        g_set_error(error, SIP_MEDIA_ERROR, SIP_MEDIA_ERROR_UNSUPPORTED, "No GStreamer element %s", factory);
    return element;
}

/* A bin of elements linked in a row, with ghost pads at both ends. */
static GstElement *make_chain(const char *name, GstElement **elements, guint count, GError **error)
{
    GstElement *bin = gst_bin_new(name);
    GstPad *pad;
    guint i;

    for (i = 0; i < count; i++)
    {
        if (!elements[i])
        {
            for (; i < count; i++)
                if (elements[i]) gst_object_unref(gst_object_ref_sink(elements[i]));
            gst_object_unref(bin);
            return NULL;
        }
        gst_bin_add(GST_BIN(bin), elements[i]);
        if (i && !gst_element_link(elements[i - 1], elements[i]))
        {
            g_set_error(error, SIP_MEDIA_ERROR, SIP_MEDIA_ERROR_UNSUPPORTED, "Cannot link %s to %s",
                        GST_OBJECT_NAME(elements[i - 1]), GST_OBJECT_NAME(elements[i]));
            for (i++; i < count; i++)
                if (elements[i]) gst_object_unref(gst_object_ref_sink(elements[i]));
            gst_object_unref(bin);
            return NULL;
        }
    }
    pad = gst_element_get_static_pad(elements[0], "sink");
    gst_element_add_pad(bin, gst_ghost_pad_new("sink", pad));
    gst_object_unref(pad);
    pad = gst_element_get_static_pad(elements[count - 1], "src");
    gst_element_add_pad(bin, gst_ghost_pad_new("src", pad));
    gst_object_unref(pad);
    return bin;
}

/* Opus frames are 10, 20, 40 or 60 ms here; the nearest to the asked ptime. */
static guint opus_frame_ms(guint ptime)
{
    static const guint sizes[] = { 10, 20, 40, 60 };
    guint i, best = 20;

    for (i = 0; i < G_N_ELEMENTS(sizes); i++)
        if ((guint)ABS((int)sizes[i] - (int)ptime) < (guint)ABS((int)best - (int)ptime)) best = sizes[i];
    return best;
}

GstElement *media_codec_make_sender(const struct sip_media_params *params, GError **error)
{
    const struct media_codec *codec = media_codec_find(params->codec_name);
    GstElement *elements[3], *encoder, *payloader;
    guint ptime = CLAMP(params->ptime ? params->ptime : 20, 10, 120), count = 0;
    GError *inner = NULL;
    GstElement *bin;

    if (!codec || !codec->encoder)
    {
        g_set_error(error, SIP_MEDIA_ERROR, SIP_MEDIA_ERROR_UNSUPPORTED, "No codec %s", params->codec_name);
        return NULL;
    }
    /* Silence suppression: removesilence (gst-plugins-bad) drops silent
     * buffers while its "remove" is on (media_codec_set_silence_suppression);
     * off, it is put in passthrough, so its voice detector does not run on
     * every buffer of every call. Without it the stream cannot suppress. */
    if (factory_exists(SILENCE_FACTORY))
    {
        elements[count] = gst_element_factory_make(SILENCE_FACTORY, SILENCE_ELEMENT);
        g_object_set(elements[count], "remove", FALSE, "silent", TRUE, NULL);
        gst_base_transform_set_passthrough(GST_BASE_TRANSFORM(elements[count++]), TRUE);
    }
    elements[count++] = encoder = make(codec->encoder, &inner);
    elements[count++] = payloader = inner ? NULL : make(codec->payloader, &inner);
    if (encoder && !strcmp(codec->encoder, "opusenc"))
        g_object_set(encoder, "frame-size", opus_frame_ms(ptime), "bitrate", 32000, "inband-fec", TRUE, NULL);
    if (payloader)
    {
        gint64 ns = (gint64)ptime * GST_MSECOND;

        g_object_set(payloader, "pt", (guint)params->payload_type, NULL);
        /* G.711 and G.722 payloaders cut packets of exactly ptime. */
        if (strcmp(codec->payloader, "rtpopuspay"))
            g_object_set(payloader, "min-ptime", ns, "max-ptime", ns, NULL);
    }
    if (!(bin = make_chain("sender", elements, count, inner ? NULL : error)))
    {
        if (inner) g_propagate_error(error, inner);
        return NULL;
    }
    return bin;
}

gboolean media_codec_set_silence_suppression(GstElement *pipeline, gboolean enabled, GError **error)
{
    GstElement *silence = pipeline ? gst_bin_get_by_name(GST_BIN(pipeline), SILENCE_ELEMENT) : NULL;

    if (silence)
    {
        g_object_set(silence, "remove", enabled, NULL);
        gst_base_transform_set_passthrough(GST_BASE_TRANSFORM(silence), !enabled);
        gst_object_unref(silence);
        return TRUE;
    }
    if (!enabled || (!pipeline && factory_exists(SILENCE_FACTORY)))
        return TRUE;
    g_set_error_literal(error, SIP_MEDIA_ERROR, SIP_MEDIA_ERROR_UNSUPPORTED,
                        "No GStreamer element " SILENCE_FACTORY " (gst-plugins-bad): no silence suppression");
    return FALSE;
}

GstElement *media_codec_make_receiver(const struct sip_media_codec *negotiated, GError **error)
{
    const struct media_codec *codec = media_codec_find(negotiated->name);
    GError *inner = NULL;
    GstElement *elements[4];
    guint count = 0;

    if (!codec || !codec->decoder)
    {
        g_set_error(error, SIP_MEDIA_ERROR, SIP_MEDIA_ERROR_UNSUPPORTED, "No audio codec %s", negotiated->name);
        return NULL;
    }
    elements[count++] = make(codec->depayloader, &inner);
    if (!inner) elements[count++] = make(codec->decoder, &inner);
    if (!inner)
    {
        if (!strcmp(codec->decoder, "opusdec"))
            g_object_set(elements[count - 1], "use-inband-fec", TRUE, "plc", TRUE, NULL);
        elements[count++] = gst_element_factory_make("audioconvert", NULL);
        elements[count++] = gst_element_factory_make("audioresample", NULL);
    }
    if (inner)
    {
        while (count--)
            if (elements[count]) gst_object_unref(gst_object_ref_sink(elements[count]));
        g_propagate_error(error, inner);
        return NULL;
    }
    return make_chain(NULL, elements, count, error);
}
