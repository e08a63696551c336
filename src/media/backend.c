/*
 * The GStreamer media backend: the function table the engine drives, the
 * worker thread for pipeline state changes, and the machine-wide settings
 * every stream follows.
 */
#include <string.h>

#include "media/media_backend.h"
#include "media_private.h"

struct media_backend
{
    struct sip_media_backend base;
    GThreadPool *worker;
    struct media_devices *devices;
    struct media_tones *tones;
    struct media_capture *capture;  /* the worker's */
    struct media_receiver *receiver;    /* the worker's; made for the first stream that runs */
    struct sip_media_format *formats;
    GList *streams;                 /* struct media_stream *, not referenced */
};

static struct media_backend *impl_from_backend(struct sip_media_backend *iface)
{
    return G_STRUCT_MEMBER_P(iface, -G_STRUCT_OFFSET(struct media_backend, base));
}

/* ---- the worker ---- */

struct job
{
    media_job_func func;
    gpointer data;
};

static void run_job(gpointer data, gpointer user_data)
{
    struct job *job = data;

    job->func(job->data);
    g_free(job);
}

void media_worker_push(GThreadPool *worker, media_job_func func, gpointer data)
{
    struct job *job = g_new(struct job, 1);

    job->func = func;
    job->data = data;
    g_thread_pool_push(worker, job, NULL);
}

GThreadPool *media_backend_worker(struct media_backend *backend)
{
    return backend->worker;
}

struct media_devices *media_backend_devices(struct media_backend *backend)
{
    return backend->devices;
}

struct sip_media_backend *media_backend_base(struct media_backend *backend)
{
    return &backend->base;
}

struct media_tones *media_backend_tones(struct media_backend *backend)
{
    return backend->tones;
}

struct media_capture *media_backend_capture(struct media_backend *backend)
{
    return backend->capture;
}

struct media_receiver *media_backend_receiver(struct media_backend *backend, GError **error)
{
    if (!backend->receiver) backend->receiver = media_receiver_new(error);
    return backend->receiver;
}

guint media_backend_rtp_timeout_ms(struct media_backend *backend)
{
    return backend->base.rtp_timeout_ms;
}

void media_backend_add_stream(struct media_backend *backend, struct media_stream *stream)
{
    backend->streams = g_list_prepend(backend->streams, stream);
}

void media_backend_remove_stream(struct media_backend *backend, struct media_stream *stream)
{
    backend->streams = g_list_remove(backend->streams, stream);
}

static void apply_to_streams(struct media_backend *backend)
{
    GList *link;

    for (link = backend->streams; link; link = link->next)
        media_stream_apply_backend_settings(link->data);
}

/* ---- the function table ---- */

static struct sip_media_stream *backend_stream_new(struct sip_media_backend *iface, const char *local_address,
                                                   sip_media_stream_func callback, gpointer user_data,
                                                   GError **error)
{
    return media_stream_new(impl_from_backend(iface), local_address, callback, user_data, error);
}

static void backend_destroy(struct sip_media_backend *iface)
{
    struct media_backend *backend = impl_from_backend(iface);

    g_warn_if_fail(backend->streams == NULL);
    media_tones_free(backend->tones);
    /* Pipelines still being torn down finish first (their sockets close then). */
    g_thread_pool_free(backend->worker, FALSE, TRUE);
    if (backend->receiver) media_receiver_free(backend->receiver);
    media_capture_free(backend->capture);
    media_devices_free(backend->devices);
    g_free(backend->formats);
    g_free(backend);
}

static const struct sip_media_format *backend_get_formats(struct sip_media_backend *iface)
{
    return impl_from_backend(iface)->formats;
}

static gboolean backend_set_volume(struct sip_media_backend *iface, enum sip_media_device device, double volume,
                                   gboolean muted, GError **error)
{
    struct media_backend *backend = impl_from_backend(iface);

    /* The wrapper stores the values once this returns; streams read them from there. */
    iface->volume[device] = volume;
    iface->muted[device] = muted;
    apply_to_streams(backend);
    return TRUE;
}

static char **backend_list_devices(struct sip_media_backend *iface, enum sip_media_device device)
{
    return media_devices_list(impl_from_backend(iface)->devices, device);
}

static gboolean backend_set_device(struct sip_media_backend *iface, enum sip_media_device device, const char *name,
                                   GError **error)
{
    return media_devices_select(impl_from_backend(iface)->devices, device, name, error);
}

static char *backend_get_device(struct sip_media_backend *iface, enum sip_media_device device)
{
    return media_devices_selected(impl_from_backend(iface)->devices, device);
}

static gboolean backend_has_device(struct sip_media_backend *iface, enum sip_media_device device)
{
    return media_devices_available(impl_from_backend(iface)->devices, device);
}

static gboolean backend_device_chosen(struct sip_media_backend *iface, enum sip_media_device device)
{
    return media_devices_chosen(impl_from_backend(iface)->devices, device);
}

static gboolean element_exists(const char *name)
{
    GstElementFactory *factory = gst_element_factory_find(name);

    if (!factory) return FALSE;
    gst_object_unref(factory);
    return TRUE;
}

static gboolean backend_set_echo_cancellation(struct sip_media_backend *iface, gboolean enabled, GError **error)
{
    if (enabled && (!element_exists("webrtcdsp") || !element_exists("webrtcechoprobe")))
    {
        g_set_error_literal(error, SIP_MEDIA_ERROR, SIP_MEDIA_ERROR_UNSUPPORTED,
                            "No echo canceller (GStreamer's webrtcdsp) installed");
        return FALSE;
    }
    return TRUE;
}

static void backend_set_level_reporting(struct sip_media_backend *iface, gboolean enabled)
{
    apply_to_streams(impl_from_backend(iface));
}

static gboolean backend_play_tone(struct sip_media_backend *iface, enum sip_media_tone tone, gboolean play,
                                  GError **error)
{
    return media_tones_play(impl_from_backend(iface)->tones, tone, play, error);
}

static const struct sip_media_backend_funcs backend_funcs =
{
    .stream_new = backend_stream_new,
    .stream_get_port = media_stream_get_port,
    .stream_start = media_stream_start,
    .stream_stop = media_stream_stop,
    .stream_free = media_stream_free,
    .destroy = backend_destroy,
    .get_formats = backend_get_formats,
    .stream_send_dtmf = media_stream_send_dtmf,
    .stream_set_volume = media_stream_set_volume,
    .stream_get_stats = media_stream_get_stats,
    .stream_set_silence_suppression = media_stream_set_silence_suppression,
    .set_volume = backend_set_volume,
    .list_devices = backend_list_devices,
    .set_device = backend_set_device,
    .get_device = backend_get_device,
    .has_device = backend_has_device,
    .device_chosen = backend_device_chosen,
    .set_echo_cancellation = backend_set_echo_cancellation,
    .set_level_reporting = backend_set_level_reporting,
    .play_tone = backend_play_tone,
};

struct sip_media_backend *media_backend_new(GError **error)
{
    struct media_backend *backend;
    GError *inner = NULL;

    if (!gst_init_check(NULL, NULL, &inner))
    {
        g_set_error(error, SIP_MEDIA_ERROR, SIP_MEDIA_ERROR_UNSUPPORTED, "GStreamer: %s", inner->message);
        g_error_free(inner);
        return NULL;
    }
    backend = g_new0(struct media_backend, 1);
    sip_media_backend_init(&backend->base, &backend_funcs);
    backend->formats = media_codecs_available();
    if (!backend->formats[0].name || !strcmp(backend->formats[0].name, SIP_MEDIA_TELEPHONE_EVENT))
    {
        g_set_error_literal(error, SIP_MEDIA_ERROR, SIP_MEDIA_ERROR_UNSUPPORTED,
                            "No audio codec installed (GStreamer plugins base and good)");
        g_free(backend->formats);
        g_free(backend);
        return NULL;
    }
    if (!(backend->worker = g_thread_pool_new(run_job, backend, 1, TRUE, &inner)))
    {
        g_propagate_error(error, inner);
        g_free(backend->formats);
        g_free(backend);
        return NULL;
    }
    backend->devices = media_devices_new(backend->worker);
    backend->capture = media_capture_new(backend->devices);
    backend->tones = media_tones_new(backend);
    return &backend->base;
}

struct sip_media_backend *media_backend_new_without_audio(void)
{
    return sip_media_default_backend_new(0, 0);
}
