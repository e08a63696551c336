/*
 * The media backend interface, the machine-wide controls of sip_media.h,
 * and the default backend (ports only, no audio).
 */
#ifndef G_LOG_DOMAIN
#define G_LOG_DOMAIN "rtcshim"
#endif

#include <string.h>

#include <gio/gio.h>

#include "media.h"

G_DEFINE_QUARK(rtcshim-sip-media-error-quark, sip_media_error)

const struct sip_media_format sip_media_default_formats[] =
{
    { "PCMU", 8000, 1, 0, NULL },
    { "PCMA", 8000, 1, 8, NULL },
    { SIP_MEDIA_TELEPHONE_EVENT, 8000, 1, 101, "0-16" },
    { 0 },      /* end of the list: no encoding name */
};

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

/* ---- negotiated parameters ---- */

void sip_media_params_copy(struct sip_media_params *dst, const struct sip_media_params *src)
{
    guint i;

    *dst = *src;
    dst->remote_address = g_strdup(src->remote_address);
    dst->codec_name = g_strdup(src->codec_name);
    dst->fmtp = g_strdup(src->fmtp);
    for (i = 0; i < src->n_codecs; i++)
    {
        dst->codecs[i].name = g_strdup(src->codecs[i].name);
        dst->codecs[i].fmtp = g_strdup(src->codecs[i].fmtp);
    }
}

void sip_media_params_clear(struct sip_media_params *params)
{
    guint i;

    if (!params) return;
    g_free(params->remote_address);
    g_free(params->codec_name);
    g_free(params->fmtp);
    for (i = 0; i < params->n_codecs; i++)
    {
        g_free(params->codecs[i].name);
        g_free(params->codecs[i].fmtp);
    }
    memset(params, 0, sizeof(*params));
    params->payload_type = -1;
    params->telephone_event_pt = -1;
}

gboolean sip_media_params_equal(const struct sip_media_params *a, const struct sip_media_params *b)
{
    guint i;

    if (g_strcmp0(a->remote_address, b->remote_address) || a->remote_port != b->remote_port
            || a->remote_rtcp_port != b->remote_rtcp_port || a->payload_type != b->payload_type
            || g_strcmp0(a->codec_name, b->codec_name) || a->clock_rate != b->clock_rate
            || a->channels != b->channels || g_strcmp0(a->fmtp, b->fmtp) || a->ptime != b->ptime
            || a->telephone_event_pt != b->telephone_event_pt
            || a->telephone_event_clock_rate != b->telephone_event_clock_rate
            || a->n_codecs != b->n_codecs || a->direction != b->direction || a->hold != b->hold
            || a->max_bitrate != b->max_bitrate)
        return FALSE;
    for (i = 0; i < a->n_codecs; i++)
    {
        const struct sip_media_codec *x = &a->codecs[i], *y = &b->codecs[i];

        if (x->payload_type != y->payload_type || g_strcmp0(x->name, y->name) || x->clock_rate != y->clock_rate
                || x->channels != y->channels || g_strcmp0(x->fmtp, y->fmtp))
            return FALSE;
    }
    return TRUE;
}

/* ---- the function table ---- */

void sip_media_backend_init(struct sip_media_backend *backend, const struct sip_media_backend_funcs *funcs)
{
    memset(backend, 0, sizeof(*backend));
    backend->funcs = funcs;
    backend->volume[SIP_MEDIA_SPEAKER] = backend->volume[SIP_MEDIA_MICROPHONE] = 1.0;
    backend->rtp_timeout_ms = SIP_MEDIA_RTP_TIMEOUT_MS;
}

static gboolean unsupported(GError **error, const char *what)
{
    g_set_error(error, SIP_MEDIA_ERROR, SIP_MEDIA_ERROR_UNSUPPORTED, "The media backend cannot %s", what);
    return FALSE;
}

struct sip_media_stream *sip_media_stream_new(struct sip_media_backend *backend, const char *local_address,
                                              sip_media_stream_func callback, gpointer user_data,
                                              GError **error)
{
    if (!backend || !local_address)
    {
        g_set_error_literal(error, SIP_MEDIA_ERROR, SIP_MEDIA_ERROR_INVALID, "No media backend or address");
        return NULL;
    }
    return backend->funcs->stream_new(backend, local_address, callback, user_data, error);
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
    if (!params->remote_address || !*params->remote_address || !params->codec_name
            || !sip_media_direction_name(params->direction))
    {
        g_set_error_literal(error, SIP_MEDIA_ERROR, SIP_MEDIA_ERROR_INVALID, "Incomplete media parameters");
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

gboolean sip_media_stream_send_dtmf(struct sip_media_stream *stream, guint event, GError **error)
{
    if (!stream)
    {
        g_set_error_literal(error, SIP_MEDIA_ERROR, SIP_MEDIA_ERROR_NO_STREAM, "No media stream");
        return FALSE;
    }
    if (event > 16)
    {
        g_set_error(error, SIP_MEDIA_ERROR, SIP_MEDIA_ERROR_INVALID, "No DTMF event %u", event);
        return FALSE;
    }
    if (!stream->backend->funcs->stream_send_dtmf) return unsupported(error, "send DTMF");
    return stream->backend->funcs->stream_send_dtmf(stream, event, error);
}

gboolean sip_media_stream_set_volume(struct sip_media_stream *stream, enum sip_media_device device,
                                     double volume, gboolean muted, GError **error)
{
    if (!stream) return TRUE;       /* nothing to apply it to yet */
    if (!stream->backend->funcs->stream_set_volume) return unsupported(error, "change volumes");
    return stream->backend->funcs->stream_set_volume(stream, device, volume, muted, error);
}

void sip_media_stream_get_stats(struct sip_media_stream *stream, struct sip_media_stats *stats)
{
    memset(stats, 0, sizeof(*stats));
    if (stream && stream->backend->funcs->stream_get_stats) stream->backend->funcs->stream_get_stats(stream, stats);
}

gboolean sip_media_stream_set_silence_suppression(struct sip_media_stream *stream, gboolean enabled,
                                                  GError **error)
{
    if (!stream) return TRUE;
    if (!stream->backend->funcs->stream_set_silence_suppression) return unsupported(error, "suppress silence");
    return stream->backend->funcs->stream_set_silence_suppression(stream, !!enabled, error);
}

const struct sip_media_format *sip_media_backend_get_formats(struct sip_media_backend *backend)
{
    return backend ? backend->funcs->get_formats(backend) : sip_media_default_formats;
}

void sip_media_backend_free(struct sip_media_backend *backend)
{
    if (backend) backend->funcs->destroy(backend);
}

/* ---- machine-wide controls (sip_media.h) ---- */

static gboolean check_device(enum sip_media_device device, GError **error)
{
    if (device == SIP_MEDIA_SPEAKER || device == SIP_MEDIA_MICROPHONE) return TRUE;
    g_set_error(error, SIP_MEDIA_ERROR, SIP_MEDIA_ERROR_INVALID, "No audio device %d", device);
    return FALSE;
}

gboolean sip_media_backend_moves_audio(struct sip_media_backend *backend)
{
    return backend && backend->funcs->set_volume != NULL;
}

gboolean sip_media_backend_set_volume(struct sip_media_backend *backend, enum sip_media_device device,
                                      double volume, GError **error)
{
    if (!check_device(device, error)) return FALSE;
    if (!(volume >= 0.0 && volume <= 1.0))
    {
        g_set_error(error, SIP_MEDIA_ERROR, SIP_MEDIA_ERROR_INVALID, "Volume %g outside 0..1", volume);
        return FALSE;
    }
    if (!sip_media_backend_moves_audio(backend)) return unsupported(error, "change volumes");
    if (!backend->funcs->set_volume(backend, device, volume, backend->muted[device], error)) return FALSE;
    backend->volume[device] = volume;
    return TRUE;
}

double sip_media_backend_get_volume(struct sip_media_backend *backend, enum sip_media_device device)
{
    return backend && check_device(device, NULL) ? backend->volume[device] : 0.0;
}

gboolean sip_media_backend_set_muted(struct sip_media_backend *backend, enum sip_media_device device,
                                     gboolean muted, GError **error)
{
    if (!check_device(device, error)) return FALSE;
    if (!sip_media_backend_moves_audio(backend)) return unsupported(error, "mute");
    if (!backend->funcs->set_volume(backend, device, backend->volume[device], !!muted, error)) return FALSE;
    backend->muted[device] = !!muted;
    return TRUE;
}

gboolean sip_media_backend_get_muted(struct sip_media_backend *backend, enum sip_media_device device)
{
    return backend && check_device(device, NULL) && backend->muted[device];
}

char **sip_media_backend_list_devices(struct sip_media_backend *backend, enum sip_media_device device)
{
    if (!backend || !check_device(device, NULL) || !backend->funcs->list_devices) return g_new0(char *, 1);
    return backend->funcs->list_devices(backend, device);
}

gboolean sip_media_backend_set_device(struct sip_media_backend *backend, enum sip_media_device device,
                                      const char *name, GError **error)
{
    if (!check_device(device, error)) return FALSE;
    if (!backend || !backend->funcs->set_device) return unsupported(error, "choose devices");
    return backend->funcs->set_device(backend, device, name && *name ? name : NULL, error);
}

char *sip_media_backend_get_device(struct sip_media_backend *backend, enum sip_media_device device)
{
    if (!backend || !check_device(device, NULL) || !backend->funcs->get_device) return g_strdup("");
    return backend->funcs->get_device(backend, device);
}

gboolean sip_media_backend_has_device(struct sip_media_backend *backend, enum sip_media_device device)
{
    return backend && check_device(device, NULL) && backend->funcs->has_device
            && backend->funcs->has_device(backend, device);
}

gboolean sip_media_backend_device_chosen(struct sip_media_backend *backend, enum sip_media_device device)
{
    return backend && check_device(device, NULL) && backend->funcs->device_chosen
            && backend->funcs->device_chosen(backend, device);
}

gboolean sip_media_backend_set_echo_cancellation(struct sip_media_backend *backend, gboolean enabled,
                                                 GError **error)
{
    if (!backend || !backend->funcs->set_echo_cancellation) return unsupported(error, "cancel echo");
    if (!backend->funcs->set_echo_cancellation(backend, !!enabled, error)) return FALSE;
    backend->echo_cancellation = !!enabled;
    return TRUE;
}

gboolean sip_media_backend_get_echo_cancellation(struct sip_media_backend *backend)
{
    return backend && backend->echo_cancellation;
}

void sip_media_backend_set_level_reporting(struct sip_media_backend *backend, gboolean enabled)
{
    if (!backend || backend->level_reporting == !!enabled) return;
    backend->level_reporting = !!enabled;
    if (backend->funcs->set_level_reporting) backend->funcs->set_level_reporting(backend, !!enabled);
}

void sip_media_backend_set_rtp_timeout(struct sip_media_backend *backend, guint milliseconds)
{
    /* Streams started from now on use it. */
    if (backend && milliseconds) backend->rtp_timeout_ms = milliseconds;
}

gboolean sip_media_backend_play_tone(struct sip_media_backend *backend, enum sip_media_tone tone, gboolean play,
                                     GError **error)
{
    if (tone != SIP_MEDIA_TONE_RING && tone != SIP_MEDIA_TONE_MESSAGE && tone != SIP_MEDIA_TONE_RINGBACK)
    {
        g_set_error(error, SIP_MEDIA_ERROR, SIP_MEDIA_ERROR_INVALID, "No tone %d", tone);
        return FALSE;
    }
    if (!backend || !backend->funcs->play_tone) return unsupported(error, "play tones");
    return backend->funcs->play_tone(backend, tone, !!play, error);
}

/* ---- ports ---- */

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

gboolean sip_media_bind_pair(const char *local_address, guint16 port_min, guint16 port_max, GSocket **rtp_out,
                             GSocket **rtcp_out, guint16 *port_out, GError **error)
{
    GInetAddress *address;
    guint pairs, first, i;

    if (!port_min && !port_max)
    {
        port_min = SIP_MEDIA_DEFAULT_PORT_MIN;
        port_max = SIP_MEDIA_DEFAULT_PORT_MAX;
    }
    if (port_min & 1) port_min++;       /* RTP takes the even port */
    if (!port_min || port_max < port_min + 1)
    {
        g_set_error(error, SIP_MEDIA_ERROR, SIP_MEDIA_ERROR_INVALID, "Bad RTP port range %u-%u", port_min, port_max);
        return FALSE;
    }
    if (!local_address || !(address = g_inet_address_new_from_string(local_address)))
    {
        g_set_error(error, SIP_MEDIA_ERROR, SIP_MEDIA_ERROR_INVALID, "Bad local media address %s",
                    local_address ? local_address : "(null)");
        return FALSE;
    }

    /* Start at a random pair so two streams (or two processes) rarely race
     * for the same ports, then try each pair once. */
    pairs = (port_max - port_min + 1) / 2;
    first = g_random_int_range(0, pairs);
    for (i = 0; i < pairs; i++)
    {
        guint16 port = port_min + 2 * ((first + i) % pairs);
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
        g_object_unref(address);
        *rtp_out = rtp;
        *rtcp_out = rtcp;
        *port_out = port;
        return TRUE;

fatal:
        /* Not a busy port (no such address, no IPv6, ...): more tries won't help. */
        g_propagate_error(error, inner);
        g_object_unref(address);
        return FALSE;
    }

    g_set_error(error, SIP_MEDIA_ERROR, SIP_MEDIA_ERROR_NO_PORTS, "No free RTP port pair in %u-%u",
                port_min, port_max);
    g_object_unref(address);
    return FALSE;
}

/* ---- the default backend ---- */

struct default_backend
{
    struct sip_media_backend backend;
    guint16 port_min, port_max;
};

struct default_stream
{
    struct sip_media_stream stream;
    GSocket *rtp, *rtcp;
    guint16 port;
    gboolean started;
};

static struct default_backend *impl_from_backend(struct sip_media_backend *backend)
{
    return G_STRUCT_MEMBER_P(backend, -G_STRUCT_OFFSET(struct default_backend, backend));
}

static struct default_stream *impl_from_stream(struct sip_media_stream *stream)
{
    return G_STRUCT_MEMBER_P(stream, -G_STRUCT_OFFSET(struct default_stream, stream));
}

static struct sip_media_stream *default_stream_new(struct sip_media_backend *iface, const char *local_address,
                                                   sip_media_stream_func callback, gpointer user_data,
                                                   GError **error)
{
    struct default_backend *backend = impl_from_backend(iface);
    struct default_stream *stream = g_new0(struct default_stream, 1);

    /* Nothing is ever reported: no audio flows. */
    if (!sip_media_bind_pair(local_address, backend->port_min, backend->port_max, &stream->rtp, &stream->rtcp,
                             &stream->port, error))
    {
        g_free(stream);
        return NULL;
    }
    stream->stream.backend = iface;
    return &stream->stream;
}

static guint16 default_stream_get_port(struct sip_media_stream *iface)
{
    return impl_from_stream(iface)->port;
}

static gboolean default_stream_start(struct sip_media_stream *iface, const struct sip_media_params *params,
                                     GError **error)
{
    struct default_stream *stream = impl_from_stream(iface);

    stream->started = TRUE;
    g_debug("media: stream on port %u -> %s:%u %s/%u pt %d %s (no audio backend)", stream->port,
            params->remote_address, params->remote_port, params->codec_name, params->clock_rate,
            params->payload_type, sip_media_direction_name(params->direction));
    return TRUE;
}

static void default_stream_stop(struct sip_media_stream *iface)
{
    struct default_stream *stream = impl_from_stream(iface);

    if (!stream->started) return;
    stream->started = FALSE;
    g_debug("media: stream on port %u stopped", stream->port);
}

static void default_stream_free(struct sip_media_stream *iface)
{
    struct default_stream *stream = impl_from_stream(iface);

    default_stream_stop(iface);
    g_socket_close(stream->rtp, NULL);
    g_socket_close(stream->rtcp, NULL);
    g_object_unref(stream->rtp);
    g_object_unref(stream->rtcp);
    g_free(stream);
}

static void default_backend_destroy(struct sip_media_backend *iface)
{
    g_free(impl_from_backend(iface));
}

static const struct sip_media_format *default_get_formats(struct sip_media_backend *iface)
{
    return sip_media_default_formats;
}

static const struct sip_media_backend_funcs default_backend_funcs =
{
    .stream_new = default_stream_new,
    .stream_get_port = default_stream_get_port,
    .stream_start = default_stream_start,
    .stream_stop = default_stream_stop,
    .stream_free = default_stream_free,
    .destroy = default_backend_destroy,
    .get_formats = default_get_formats,
};

struct sip_media_backend *sip_media_default_backend_new(guint16 port_min, guint16 port_max)
{
    struct default_backend *backend;

    if (!port_min && !port_max)
    {
        port_min = SIP_MEDIA_DEFAULT_PORT_MIN;
        port_max = SIP_MEDIA_DEFAULT_PORT_MAX;
    }
    if (port_min & 1) port_min++;
    if (!port_min || port_max < port_min + 1) return NULL;

    backend = g_new0(struct default_backend, 1);
    sip_media_backend_init(&backend->backend, &default_backend_funcs);
    backend->port_min = port_min;
    backend->port_max = port_max;
    return &backend->backend;
}
