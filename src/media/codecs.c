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

/* Unreferences what a failed chain made so far. */
static guint drop_chain(GstElement **elements, guint count)
{
    while (count--)
        if (elements[count]) gst_object_unref(gst_object_ref_sink(elements[count]));
    return 0;
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

guint media_codec_make_sender(const struct sip_media_params *params, gboolean suppress_silence,
                              GstElement **elements, GError **error)
{
    const struct media_codec *codec = media_codec_find(params->codec_name);
    guint ptime = CLAMP(params->ptime ? params->ptime : 20, 10, 120), count = 0;
    GstElement *encoder, *payloader;
    GError *inner = NULL;

    if (!codec || !codec->encoder)
    {
        g_set_error(error, SIP_MEDIA_ERROR, SIP_MEDIA_ERROR_UNSUPPORTED, "No codec %s", params->codec_name);
        return 0;
    }
    if (suppress_silence && !(elements[count++] = media_codec_make_silence_suppressor(&inner)))
    {
        g_propagate_error(error, inner);
        return 0;
    }
    elements[count++] = encoder = make(codec->encoder, &inner);
    elements[count++] = payloader = inner ? NULL : make(codec->payloader, &inner);
    if (inner)
    {
        g_propagate_error(error, inner);
        return drop_chain(elements, count);
    }
    if (!strcmp(codec->encoder, "opusenc"))
        g_object_set(encoder, "frame-size", opus_frame_ms(ptime), "inband-fec", TRUE, NULL);
    media_codec_set_max_bitrate(encoder, params->max_bitrate);
    g_object_set(payloader, "pt", (guint)params->payload_type, NULL);
    /* G.711 and G.722 payloaders cut packets of exactly ptime. */
    if (strcmp(codec->payloader, "rtpopuspay"))
    {
        gint64 ns = (gint64)ptime * GST_MSECOND;

        g_object_set(payloader, "min-ptime", ns, "max-ptime", ns, NULL);
    }
    return count;
}

/* Opus' bit rate: 32 kbit/s (wideband speech with room for its in-band
 * FEC), less when the call's or the peer's limit says so, never below
 * opus' 6 kbit/s. The other codecs have one rate, and are only agreed when
 * it fits (the SDP layer). */
void media_codec_set_max_bitrate(GstElement *encoder, guint max_bitrate)
{
    GstElementFactory *factory = encoder ? gst_element_get_factory(encoder) : NULL;

    if (factory && !strcmp(gst_plugin_feature_get_name(GST_PLUGIN_FEATURE(factory)), "opusenc"))
        g_object_set(encoder, "bitrate", (gint)(max_bitrate ? CLAMP(max_bitrate, 6000, 32000) : 32000), NULL);
}

gboolean media_codec_can_suppress_silence(GError **error)
{
    if (factory_exists(SILENCE_FACTORY)) return TRUE;
    g_set_error_literal(error, SIP_MEDIA_ERROR, SIP_MEDIA_ERROR_UNSUPPORTED,
                        "No GStreamer element " SILENCE_FACTORY " (gst-plugins-bad): no silence suppression");
    return FALSE;
}

GstElement *media_codec_make_silence_suppressor(GError **error)
{
    GstElement *silence;

    if (!media_codec_can_suppress_silence(error)) return NULL;
    silence = gst_element_factory_make(SILENCE_FACTORY, NULL);
    g_object_set(silence, "silent", TRUE, NULL);
    media_codec_set_silence_suppression(silence, TRUE);
    return silence;
}

/* Off, removesilence is put in passthrough, so its voice detector no longer
 * runs on every buffer. */
void media_codec_set_silence_suppression(GstElement *suppressor, gboolean enabled)
{
    g_object_set(suppressor, "remove", enabled, NULL);
    gst_base_transform_set_passthrough(GST_BASE_TRANSFORM(suppressor), !enabled);
}

guint media_codec_make_receiver(const struct sip_media_codec *negotiated, guint play_rate, GstElement **elements,
                                GError **error)
{
    const struct media_codec *codec = media_codec_find(negotiated->name);
    GError *inner = NULL;
    guint count = 0;

    if (!codec || !codec->decoder)
    {
        g_set_error(error, SIP_MEDIA_ERROR, SIP_MEDIA_ERROR_UNSUPPORTED, "No audio codec %s", negotiated->name);
        return 0;
    }
    elements[count++] = make(codec->depayloader, &inner);
    if (!inner) elements[count++] = make(codec->decoder, &inner);
    if (inner)
    {
        g_propagate_error(error, inner);
        return drop_chain(elements, count);
    }
    if (!strcmp(codec->decoder, "opusdec"))
        g_object_set(elements[count - 1], "use-inband-fec", TRUE, "plc", TRUE, NULL);
    /* The G.711 and G.722 decoders give mono S16LE at the codec's rate: at
     * the rate played no conversion is needed (and an element that only
     * passes buffers on still costs each packet a hop). Opus may be stereo.
     * A conversion ends in mono S16LE at play_rate, what the speaker side takes. */
    if (codec->sample_rate != play_rate || !strcmp(codec->decoder, "opusdec"))
    {
        GstCaps *caps = gst_caps_new_simple("audio/x-raw", "format", G_TYPE_STRING, "S16LE", "rate", G_TYPE_INT,
                                            (int)play_rate, "channels", G_TYPE_INT, 1, NULL);

        elements[count++] = gst_element_factory_make("audioconvert", NULL);
        elements[count++] = gst_element_factory_make("audioresample", NULL);
        elements[count] = gst_element_factory_make("capsfilter", NULL);
        if (elements[count]) g_object_set(elements[count], "caps", caps, NULL);
        count++;
        gst_caps_unref(caps);
    }
    return count;
}
