/*
 * The volume and the level meter of one direction of a call.
 *
 * A pad probe on the direction's raw audio (S16 mono, the caps filter's or
 * the microphone's): at full volume, not muted and with no level reporting
 * (the usual call) a buffer costs one check, where a volume and a level
 * element cost two more hand-overs per 20 ms packet and per call. Scaling
 * writes into the buffer (a shared microphone buffer is copied first);
 * the meter keeps the peak of each 100 ms and posts it on the pipeline's
 * bus as "rtcshim-level" (device, level 0..100: −60..0 dBFS).
 */
#include <math.h>
#include <string.h>

#include "media_private.h"

#define UNITY 65536                 /* the gain factor of full volume */
#define METER_INTERVAL_DIVISOR 10   /* a peak per 100 ms */

struct media_gain
{
    GstElement *pipeline;           /* not referenced: the probe's pad goes before it */
    enum sip_media_device device;
    guint interval;                 /* samples per peak */
    gint factor;                    /* atomic: UNITY * volume, 0 when muted */
    gint metering;                  /* atomic */
    /* the streaming thread's: */
    gint peak;
    guint counted;
};

static void post_level(struct media_gain *gain)
{
    double db = gain->peak ? 20.0 * log10(gain->peak / 32768.0) : -200.0;
    double level = (db + 60.0) * SIP_MEDIA_LEVEL_MAX / 60.0;
    GstStructure *s = gst_structure_new("rtcshim-level", "device", G_TYPE_INT, (int)gain->device,
                                        "level", G_TYPE_UINT,
                                        (guint)CLAMP(level + 0.5, SIP_MEDIA_LEVEL_MIN, SIP_MEDIA_LEVEL_MAX), NULL);

    gst_element_post_message(gain->pipeline, gst_message_new_application(GST_OBJECT(gain->pipeline), s));
}

static GstPadProbeReturn apply_gain(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
    struct media_gain *gain = data;
    gint factor = g_atomic_int_get(&gain->factor);
    gboolean metering = g_atomic_int_get(&gain->metering);
    GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER(info);
    GstMapInfo map;
    gint16 *samples;
    gsize count, i;

    if (factor == UNITY && !metering) return GST_PAD_PROBE_OK;
    if (factor != UNITY)
    {
        buffer = gst_buffer_make_writable(buffer);
        GST_PAD_PROBE_INFO_DATA(info) = buffer;
    }
    if (!gst_buffer_map(buffer, &map, factor != UNITY ? GST_MAP_READWRITE : GST_MAP_READ)) return GST_PAD_PROBE_OK;
    samples = (gint16 *)map.data;
    count = map.size / sizeof(gint16);
    if (!factor)
        memset(map.data, 0, map.size);
    else if (factor != UNITY)
        for (i = 0; i < count; i++)
            samples[i] = (gint16)CLAMP(((gint64)samples[i] * factor) / UNITY, G_MININT16, G_MAXINT16);
    if (metering)
    {
        for (i = 0; i < count; i++)
            gain->peak = MAX(gain->peak, ABS((gint)samples[i]));
        gain->counted += count;
        if (gain->counted >= gain->interval)
        {
            post_level(gain);
            gain->peak = 0;
            gain->counted = 0;
        }
    }
    gst_buffer_unmap(buffer, &map);
    return GST_PAD_PROBE_OK;
}

struct media_gain *media_gain_attach(GstPad *pad, GstElement *pipeline, enum sip_media_device device, guint rate)
{
    struct media_gain *gain = g_new0(struct media_gain, 1);

    gain->pipeline = pipeline;
    gain->device = device;
    gain->interval = MAX(rate / METER_INTERVAL_DIVISOR, 1);
    gain->factor = UNITY;
    gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, apply_gain, gain, g_free);
    return gain;
}

void media_gain_set(struct media_gain *gain, double volume, gboolean muted, gboolean metering)
{
    g_atomic_int_set(&gain->factor, muted ? 0 : (gint)(CLAMP(volume, 0.0, 1.0) * UNITY + 0.5));
    g_atomic_int_set(&gain->metering, metering);
}
