/*
 * The media backend interface and the default (no audio yet) backend.
 */
#ifndef G_LOG_DOMAIN
#define G_LOG_DOMAIN "rtcshim"
#endif

#include <string.h>

#include <gio/gio.h>

#include "media.h"

G_DEFINE_QUARK(rtcshim-sip-media-error-quark, sip_media_error)

const char *sip_media_direction_name(enum sip_media_direction direction)
{
    static const char *const names[] = { "inactive", "sendonly", "recvonly", "sendrecv" };

    return (guint)direction < G_N_ELEMENTS(names) ? names[direction] : NULL;
}

enum sip_media_direction sip_media_direction_reverse(enum sip_media_direction direction)
{
    if (direction == SIP_MEDIA_SENDONLY) return SIP_MEDIA_RECVONLY;
    if (direction == SIP_MEDIA_RECVONLY) return SIP_MEDIA_SENDONLY;
    return direction;
}

void sip_media_params_copy(struct sip_media_params *dst, const struct sip_media_params *src)
{
    *dst = *src;
    dst->remote_address = g_strdup(src->remote_address);
    dst->codec_name = g_strdup(src->codec_name);
}

void sip_media_params_clear(struct sip_media_params *params)
{
    if (!params) return;
    g_free(params->remote_address);
    g_free(params->codec_name);
    memset(params, 0, sizeof(*params));
    params->payload_type = -1;
    params->telephone_event_pt = -1;
}

struct sip_media_stream *sip_media_stream_new(struct sip_media_backend *backend,
                                              const char *local_address, GError **error)
{
    if (!backend || !local_address)
    {
        g_set_error_literal(error, SIP_MEDIA_ERROR, SIP_MEDIA_ERROR_INVALID, "No media backend or address");
        return NULL;
    }
    return backend->funcs->stream_new(backend, local_address, error);
}

guint16 sip_media_stream_get_port(struct sip_media_stream *stream)
{
    return stream ? stream->backend->funcs->stream_get_port(stream) : 0;
}

gboolean sip_media_stream_start(struct sip_media_stream *stream, const struct sip_media_params *params,
                                GError **error)
{
    if (!stream || !params)
    {
        g_set_error_literal(error, SIP_MEDIA_ERROR, SIP_MEDIA_ERROR_INVALID, "No stream or parameters");
        return FALSE;
    }
    return stream->backend->funcs->stream_start(stream, params, error);
}

void sip_media_stream_stop(struct sip_media_stream *stream)
{
    if (stream) stream->backend->funcs->stream_stop(stream);
}

void sip_media_stream_free(struct sip_media_stream *stream)
{
    if (stream) stream->backend->funcs->stream_free(stream);
}

void sip_media_backend_free(struct sip_media_backend *backend)
{
    if (backend) backend->funcs->destroy(backend);
}

/* The default backend */

struct default_backend
{
    struct sip_media_backend backend;
    guint16 port_min, port_max;     /* port_min even, port_max >= port_min + 1 */
    sip_media_event_func callback;
    gpointer user_data;
};

struct default_stream
{
    struct sip_media_stream stream;
    GSocket *rtp, *rtcp;
    guint16 port;
    gboolean started;
    struct sip_media_params params;
};

static struct default_backend *impl_from_backend(struct sip_media_backend *backend)
{
    return G_STRUCT_MEMBER_P(backend, -G_STRUCT_OFFSET(struct default_backend, backend));
}

static struct default_stream *impl_from_stream(struct sip_media_stream *stream)
{
    return G_STRUCT_MEMBER_P(stream, -G_STRUCT_OFFSET(struct default_stream, stream));
}

/* A UDP socket bound to address:port, or NULL (error set) if that fails. */
static GSocket *bind_udp(GInetAddress *address, guint16 port, GError **error)
{
    GSocketAddress *sockaddr;
    GSocket *socket;

    socket = g_socket_new(g_inet_address_get_family(address), G_SOCKET_TYPE_DATAGRAM,
                          G_SOCKET_PROTOCOL_UDP, error);
    if (!socket) return NULL;
    sockaddr = g_inet_socket_address_new(address, port);
    /* allow_reuse would set SO_REUSEADDR, which for UDP lets a second socket
     * share the port: never for RTP. */
    if (!g_socket_bind(socket, sockaddr, FALSE, error)) g_clear_object(&socket);
    g_object_unref(sockaddr);
    return socket;
}

static struct sip_media_stream *default_stream_new(struct sip_media_backend *iface,
                                                   const char *local_address, GError **error)
{
    struct default_backend *backend = impl_from_backend(iface);
    struct default_stream *stream;
    GInetAddress *address;
    guint pairs, first, i;

    if (!(address = g_inet_address_new_from_string(local_address)))
    {
        g_set_error(error, SIP_MEDIA_ERROR, SIP_MEDIA_ERROR_INVALID, "Bad local media address %s", local_address);
        return NULL;
    }

    /* Start at a random pair so two streams (or two processes) rarely race
     * for the same ports, then try each pair once. */
    pairs = (backend->port_max - backend->port_min + 1) / 2;
    first = g_random_int_range(0, pairs);
    for (i = 0; i < pairs; i++)
    {
        guint16 port = backend->port_min + 2 * ((first + i) % pairs);
        GError *inner = NULL;
        GSocket *rtp, *rtcp;

        if (!(rtp = bind_udp(address, port, &inner)))
        {
            if (!g_error_matches(inner, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE)) goto fatal;
            g_clear_error(&inner);
            continue;
        }
        if (!(rtcp = bind_udp(address, port + 1, &inner)))
        {
            g_object_unref(rtp);
            if (!g_error_matches(inner, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE)) goto fatal;
            g_clear_error(&inner);
            continue;
        }

        stream = g_new0(struct default_stream, 1);
        stream->stream.backend = iface;
        stream->rtp = rtp;
        stream->rtcp = rtcp;
        stream->port = port;
        stream->params.payload_type = -1;
        stream->params.telephone_event_pt = -1;
        g_object_unref(address);
        return &stream->stream;

fatal:
        /* Not a busy port (no such address, no IPv6, ...): more tries won't help. */
        g_propagate_error(error, inner);
        g_object_unref(address);
        return NULL;
    }

    g_set_error(error, SIP_MEDIA_ERROR, SIP_MEDIA_ERROR_NO_PORTS, "No free RTP port pair in %u-%u",
                backend->port_min, backend->port_max);
    g_object_unref(address);
    return NULL;
}

static guint16 default_stream_get_port(struct sip_media_stream *iface)
{
    return impl_from_stream(iface)->port;
}

static gboolean default_stream_start(struct sip_media_stream *iface, const struct sip_media_params *params,
                                     GError **error)
{
    struct default_stream *stream = impl_from_stream(iface);
    struct default_backend *backend = impl_from_backend(iface->backend);

    if (!params->remote_address || !*params->remote_address || !params->codec_name
            || !sip_media_direction_name(params->direction))
    {
        g_set_error_literal(error, SIP_MEDIA_ERROR, SIP_MEDIA_ERROR_INVALID, "Incomplete media parameters");
        return FALSE;
    }
    sip_media_params_clear(&stream->params);
    sip_media_params_copy(&stream->params, params);
    stream->started = TRUE;
    g_debug("media: stream on port %u -> %s:%u %s/%u pt %d %s", stream->port, params->remote_address,
            params->remote_port, params->codec_name, params->clock_rate, params->payload_type,
            sip_media_direction_name(params->direction));
    if (backend->callback) backend->callback(iface, SIP_MEDIA_STREAM_STARTED, &stream->params, backend->user_data);
    return TRUE;
}

static void default_stream_stop(struct sip_media_stream *iface)
{
    struct default_stream *stream = impl_from_stream(iface);
    struct default_backend *backend = impl_from_backend(iface->backend);

    if (!stream->started) return;
    stream->started = FALSE;
    g_debug("media: stream on port %u stopped", stream->port);
    if (backend->callback) backend->callback(iface, SIP_MEDIA_STREAM_STOPPED, NULL, backend->user_data);
}

static void default_stream_free(struct sip_media_stream *iface)
{
    struct default_stream *stream = impl_from_stream(iface);

    default_stream_stop(iface);
    g_socket_close(stream->rtp, NULL);
    g_socket_close(stream->rtcp, NULL);
    g_object_unref(stream->rtp);
    g_object_unref(stream->rtcp);
    sip_media_params_clear(&stream->params);
    g_free(stream);
}

static void default_backend_destroy(struct sip_media_backend *iface)
{
    g_free(impl_from_backend(iface));
}

static const struct sip_media_backend_funcs default_backend_funcs =
{
    default_stream_new,
    default_stream_get_port,
    default_stream_start,
    default_stream_stop,
    default_stream_free,
    default_backend_destroy,
};

struct sip_media_backend *sip_media_default_backend_new(guint16 port_min, guint16 port_max,
                                                        sip_media_event_func callback,
                                                        gpointer user_data)
{
    struct default_backend *backend;

    if (!port_min && !port_max)
    {
        port_min = SIP_MEDIA_DEFAULT_PORT_MIN;
        port_max = SIP_MEDIA_DEFAULT_PORT_MAX;
    }
    if (port_min & 1) port_min++;       /* RTP takes the even port */
    if (!port_min || port_max < port_min + 1) return NULL;

    backend = g_new0(struct default_backend, 1);
    backend->backend.funcs = &default_backend_funcs;
    backend->port_min = port_min;
    backend->port_max = port_max;
    backend->callback = callback;
    backend->user_data = user_data;
    return &backend->backend;
}
