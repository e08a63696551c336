/*
 * A media backend that binds nothing, for the fuzz targets: every stream
 * reports port 40000 and moves no audio, so fuzzing touches no socket but
 * the engine's own.
 */
#ifndef RTCSHIM_FUZZ_NULL_BACKEND_H
#define RTCSHIM_FUZZ_NULL_BACKEND_H

#include "media.h"

static struct sip_media_stream *null_stream_new(struct sip_media_backend *backend, const char *address,
                                                sip_media_stream_func callback, gpointer user_data, GError **error)
{
    struct sip_media_stream *stream = g_new0(struct sip_media_stream, 1);

    (void)address;
    (void)callback;
    (void)user_data;
    (void)error;
    stream->backend = backend;
    return stream;
}

static guint16 null_stream_get_port(struct sip_media_stream *stream)
{
    (void)stream;
    return 40000;
}

static gboolean null_stream_start(struct sip_media_stream *stream, const struct sip_media_params *params,
                                  GError **error)
{
    (void)stream;
    (void)params;
    (void)error;
    return TRUE;
}

static void null_stream_stop(struct sip_media_stream *stream)
{
    (void)stream;
}

static void null_stream_free(struct sip_media_stream *stream)
{
    g_free(stream);
}

static void null_backend_destroy(struct sip_media_backend *backend)
{
    g_free(backend);
}

static const struct sip_media_format *null_get_formats(struct sip_media_backend *backend)
{
    (void)backend;
    return sip_media_default_formats;
}

static const struct sip_media_backend_funcs null_backend_funcs =
{
    .stream_new = null_stream_new,
    .stream_get_port = null_stream_get_port,
    .stream_start = null_stream_start,
    .stream_stop = null_stream_stop,
    .stream_free = null_stream_free,
    .destroy = null_backend_destroy,
    .get_formats = null_get_formats,
};

#endif /* RTCSHIM_FUZZ_NULL_BACKEND_H */
