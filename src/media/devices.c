/*
 * Audio devices: the system's (GstDeviceMonitor), the one the application
 * picked, and the environment's override for tests and headless hosts:
 *
 *   RTCSHIM_AUDIO_SOURCE="audiotestsrc freq=1000 is-live=true"
 *   RTCSHIM_AUDIO_SINK="wavenc ! filesink location=in.wav"
 *
 * (gst-launch descriptions, made into a bin per call).
 */
#include <string.h>

#include "media_private.h"

struct media_devices
{
    GMutex lock;                    /* the monitor fills the lists from the worker */
    GstDeviceMonitor *monitor;
    gboolean probed;                /* the monitor has listed what it found */
    GList *devices[2];              /* GstDevice *, by enum sip_media_device */
    char *selected[2];              /* display name, NULL = the system's default */
    char *environment[2];           /* RTCSHIM_AUDIO_SINK / RTCSHIM_AUDIO_SOURCE */
};

static const char *const device_class[2] = { "Audio/Sink", "Audio/Source" };

/* On the worker: starting the monitor may talk to a sound server. */
static void probe_devices(gpointer data)
{
    struct media_devices *devices = data;
    GList *found, *link;

    if (!gst_device_monitor_start(devices->monitor))
        g_debug("media: no device monitor providers");
    found = gst_device_monitor_get_devices(devices->monitor);
    g_mutex_lock(&devices->lock);
    for (link = found; link; link = link->next)
    {
        GstDevice *device = link->data;
        int kind = gst_device_has_classes(device, device_class[SIP_MEDIA_MICROPHONE]) ? SIP_MEDIA_MICROPHONE
                 : gst_device_has_classes(device, device_class[SIP_MEDIA_SPEAKER]) ? SIP_MEDIA_SPEAKER : -1;
        char *name = gst_device_get_display_name(device);

        if (kind >= 0)
        {
            g_debug("media: %s device \"%s\"", kind == SIP_MEDIA_MICROPHONE ? "capture" : "playback", name);
            devices->devices[kind] = g_list_append(devices->devices[kind], gst_object_ref(device));
        }
        g_free(name);
    }
    devices->probed = TRUE;
    g_mutex_unlock(&devices->lock);
    g_list_free_full(found, gst_object_unref);
    gst_device_monitor_stop(devices->monitor);
}

struct media_devices *media_devices_new(GThreadPool *worker)
{
    struct media_devices *devices = g_new0(struct media_devices, 1);
    const char *value;

    g_mutex_init(&devices->lock);
    if ((value = g_getenv("RTCSHIM_AUDIO_SINK")) && *value) devices->environment[SIP_MEDIA_SPEAKER] = g_strdup(value);
    if ((value = g_getenv("RTCSHIM_AUDIO_SOURCE")) && *value)
        devices->environment[SIP_MEDIA_MICROPHONE] = g_strdup(value);
    devices->monitor = gst_device_monitor_new();
    gst_device_monitor_add_filter(devices->monitor, device_class[SIP_MEDIA_SPEAKER], NULL);
    gst_device_monitor_add_filter(devices->monitor, device_class[SIP_MEDIA_MICROPHONE], NULL);
    media_worker_push(worker, probe_devices, devices);
    return devices;
}

/* Called once the worker has finished (the probe job cannot be running). */
void media_devices_free(struct media_devices *devices)
{
    int i;

    for (i = 0; i < 2; i++)
    {
        g_list_free_full(devices->devices[i], gst_object_unref);
        g_free(devices->selected[i]);
        g_free(devices->environment[i]);
    }
    gst_object_unref(devices->monitor);
    g_mutex_clear(&devices->lock);
    g_free(devices);
}

/* The device with that display name (referenced), or NULL. Locked. */
static GstDevice *find_device(struct media_devices *devices, enum sip_media_device kind, const char *name)
{
    GList *link;

    for (link = devices->devices[kind]; link; link = link->next)
    {
        char *display = gst_device_get_display_name(link->data);
        gboolean match = !g_strcmp0(display, name);

        g_free(display);
        if (match) return gst_object_ref(link->data);
    }
    return NULL;
}

char **media_devices_list(struct media_devices *devices, enum sip_media_device kind)
{
    GPtrArray *names = g_ptr_array_new();
    GList *link;

    g_mutex_lock(&devices->lock);
    for (link = devices->devices[kind]; link; link = link->next)
        g_ptr_array_add(names, gst_device_get_display_name(link->data));
    g_mutex_unlock(&devices->lock);
    g_ptr_array_add(names, NULL);
    return (char **)g_ptr_array_free(names, FALSE);
}

gboolean media_devices_select(struct media_devices *devices, enum sip_media_device kind, const char *name,
                              GError **error)
{
    GstDevice *device = NULL;

    g_mutex_lock(&devices->lock);
    if (name && !(device = find_device(devices, kind, name)))
    {
        g_mutex_unlock(&devices->lock);
        g_set_error(error, SIP_MEDIA_ERROR, SIP_MEDIA_ERROR_INVALID, "No %s device \"%s\"",
                    kind == SIP_MEDIA_MICROPHONE ? "capture" : "playback", name);
        return FALSE;
    }
    g_free(devices->selected[kind]);
    devices->selected[kind] = g_strdup(name);
    g_mutex_unlock(&devices->lock);
    if (device) gst_object_unref(device);
    return TRUE;
}

char *media_devices_selected(struct media_devices *devices, enum sip_media_device kind)
{
    char *name;

    g_mutex_lock(&devices->lock);
    name = g_strdup(devices->selected[kind] ? devices->selected[kind] : "");
    g_mutex_unlock(&devices->lock);
    return name;
}

gboolean media_devices_available(struct media_devices *devices, enum sip_media_device kind)
{
    gboolean available;

    if (devices->environment[kind]) return TRUE;
    g_mutex_lock(&devices->lock);
    /* Until the monitor has looked, assume the system has one. */
    available = !devices->probed || devices->devices[kind] != NULL;
    g_mutex_unlock(&devices->lock);
    return available;
}

gboolean media_devices_chosen_by_environment(struct media_devices *devices, enum sip_media_device kind)
{
    return devices->environment[kind] != NULL;
}

gboolean media_devices_chosen(struct media_devices *devices, enum sip_media_device kind)
{
    gboolean chosen;

    if (devices->environment[kind]) return TRUE;
    g_mutex_lock(&devices->lock);
    chosen = devices->selected[kind] != NULL;
    g_mutex_unlock(&devices->lock);
    return chosen;
}

/* A device description: one element as it is, several in a bin with
 * ghost pads (a bin around one element would cost each buffer two more pad
 * hops). */
static GstElement *parse_device(const char *description, GError **error)
{
    GstElement *element = gst_parse_launch_full(description, NULL, GST_PARSE_FLAG_NONE, error);

    if (element && !*error && GST_IS_PIPELINE(element))
    {
        gst_object_unref(element);
        element = gst_parse_bin_from_description(description, TRUE, error);
    }
    return element;
}

GstElement *media_devices_make_element(struct media_devices *devices, enum sip_media_device kind, GError **error)
{
    GstElement *element = NULL;
    GstDevice *device = NULL;
    GError *inner = NULL;

    if (devices->environment[kind])
    {
        element = parse_device(devices->environment[kind], &inner);
        if (!element || inner)
        {
            g_set_error(error, SIP_MEDIA_ERROR, SIP_MEDIA_ERROR_NO_DEVICE, "%s \"%s\": %s",
                        kind == SIP_MEDIA_MICROPHONE ? "RTCSHIM_AUDIO_SOURCE" : "RTCSHIM_AUDIO_SINK",
                        devices->environment[kind], inner ? inner->message : "no element");
            g_clear_error(&inner);
            if (element) gst_object_unref(gst_object_ref_sink(element));
            return NULL;
        }
        return element;
    }
    g_mutex_lock(&devices->lock);
    if (devices->selected[kind]) device = find_device(devices, kind, devices->selected[kind]);
    g_mutex_unlock(&devices->lock);
    if (device)
    {
        element = gst_device_create_element(device, NULL);
        gst_object_unref(device);
    }
    if (!element)
        element = gst_element_factory_make(kind == SIP_MEDIA_MICROPHONE ? "autoaudiosrc" : "autoaudiosink", NULL);
    if (!element)
        g_set_error_literal(error, SIP_MEDIA_ERROR, SIP_MEDIA_ERROR_NO_DEVICE, "No audio device element");
    return element;
}

gboolean media_devices_is_fake(GstElement *element)
{
    const char *type = G_OBJECT_TYPE_NAME(element);
    gboolean fake = FALSE;
    GstIterator *it;
    GValue item = G_VALUE_INIT;

    if (strcmp(type, "GstAutoAudioSink") && strcmp(type, "GstAutoAudioSrc")) return FALSE;
    /* The auto elements fall back to a child named fake-audio-sink / fake-audio-src. */
    it = gst_bin_iterate_elements(GST_BIN(element));
    while (gst_iterator_next(it, &item) == GST_ITERATOR_OK)
    {
        GstElement *child = g_value_get_object(&item);
        GstElementFactory *factory = gst_element_get_factory(child);
        const char *name = factory ? gst_plugin_feature_get_name(GST_PLUGIN_FEATURE(factory)) : "";

        if (!strcmp(name, "fakesink") || !strcmp(name, "fakesrc") || g_str_has_prefix(GST_OBJECT_NAME(child), "fake-"))
            fake = TRUE;
        g_value_reset(&item);
    }
    g_value_unset(&item);
    gst_iterator_free(it);
    return fake;
}

gboolean media_devices_open(GstElement *element)
{
    if (gst_element_set_state(element, GST_STATE_READY) == GST_STATE_CHANGE_FAILURE || media_devices_is_fake(element))
    {
        gst_element_set_state(element, GST_STATE_NULL);
        return FALSE;
    }
    return TRUE;
}
