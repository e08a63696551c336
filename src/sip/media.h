/*
 * The media backend interface the engine drives for each call's audio
 * stream, and the default backend.
 *
 * A backend hands out streams. A stream owns its local transport from
 * creation on (so its port can go into an SDP offer), is started with what
 * offer/answer negotiated, may be started again when a re-INVITE changes
 * something, is stopped, and is freed. All calls happen on the engine's
 * thread (the thread-default main context at stream_new). What a stream
 * does (a direction started, failed, timed out; levels) comes back through
 * the stream's callback, always from a source dispatched on that context,
 * never from inside one of these functions and never from another thread.
 *
 * A backend also says which formats it can send and receive (the engine
 * offers and accepts those, in that order) and may implement the controls of
 * sip_media.h; a control it leaves NULL fails with
 * SIP_MEDIA_ERROR_UNSUPPORTED.
 *
 * The default backend binds an even RTP port and the RTCP port above it
 * (RFC 3550 §11) as two UDP GSockets and moves no audio: it reports no flow
 * as started. The GStreamer backend is in src/media/.
 */
#ifndef RTCSHIM_SIP_MEDIA_H
#define RTCSHIM_SIP_MEDIA_H

#include <glib.h>
#include <gio/gio.h>

#include "sip/sip_media.h"

G_BEGIN_DECLS

/* A bit mask: SENDRECV == SEND | RECV, from the point of view of whoever
 * wrote the SDP (or, in struct sip_media_params, of our own stream). */
enum sip_media_direction
{
    SIP_MEDIA_INACTIVE = 0,
    SIP_MEDIA_SENDONLY = 1,
    SIP_MEDIA_RECVONLY = 2,
    SIP_MEDIA_SENDRECV = 3,
};

/* "inactive", "sendonly", "recvonly", "sendrecv" (the SDP attribute names). */
const char *sip_media_direction_name(enum sip_media_direction direction);

/* The other side's view: sendonly <-> recvonly, the others unchanged. */
enum sip_media_direction sip_media_direction_reverse(enum sip_media_direction direction);

/* A format a backend sends and receives, as SDP names it. A backend lists
 * its formats in order of preference, audio codecs first; an entry named
 * SIP_MEDIA_TELEPHONE_EVENT says it does RFC 4733 (at any clock rate the
 * peer offers). The list ends with an entry whose name is NULL. */
struct sip_media_format
{
    const char *name;               /* encoding name: "PCMU", "G722", "opus", "telephone-event" */
    guint clock_rate;               /* RTP clock rate (8000 for G722, 48000 for opus) */
    guint channels;                 /* rtpmap channels: 1, 2 for opus (RFC 7587) */
    int payload_type;               /* static type, or the dynamic one we offer */
    const char *fmtp;               /* our a=fmtp value, or NULL */
};

#define SIP_MEDIA_TELEPHONE_EVENT "telephone-event"

/* PCMU, PCMA and telephone-event: what the default backend lists. */
extern const struct sip_media_format sip_media_default_formats[];

/* One payload type of a negotiated stream. */
struct sip_media_codec
{
    int payload_type;
    char *name;                     /* as in our format list ("PCMU", "opus", "telephone-event") */
    guint clock_rate;
    guint channels;
    char *fmtp;                     /* the peer's a=fmtp value for it, or NULL */
};

#define SIP_MEDIA_MAX_CODECS 8

/* What offer/answer agreed for one audio stream. */
struct sip_media_params
{
    char *remote_address;           /* IPv4 or IPv6 literal (or host) from c= */
    guint16 remote_port;            /* RTP port */
    guint16 remote_rtcp_port;       /* a=rtcp (RFC 3605), else remote_port + 1 */
    int payload_type;               /* the codec we send with */
    char *codec_name;               /* "PCMU", "PCMA", "G722", "opus" */
    guint clock_rate;               /* its RTP clock rate */
    guint channels;                 /* its rtpmap channels */
    char *fmtp;                     /* the peer's a=fmtp for it, or NULL */
    guint ptime;                    /* ms of audio per packet we send (the peer's a=ptime, else 20) */
    int telephone_event_pt;         /* RFC 4733 events, -1 when not agreed */
    guint telephone_event_clock_rate;
    /* Every payload type the peer may send us: the agreed codecs, telephone-event included. */
    struct sip_media_codec codecs[SIP_MEDIA_MAX_CODECS];
    guint n_codecs;
    enum sip_media_direction direction;     /* what our stream does */
    gboolean hold;                  /* a direction is missing because of hold (ours or the peer's) */
    guint max_bitrate;              /* bit/s of RTP payload we may send (the peer's b=TIAS/AS and
                                     * our own limit); 0: no limit */
};

void sip_media_params_copy(struct sip_media_params *dst, const struct sip_media_params *src);
void sip_media_params_clear(struct sip_media_params *params);
/* TRUE when two negotiations need the same stream (address, codecs, direction). */
gboolean sip_media_params_equal(const struct sip_media_params *a, const struct sip_media_params *b);

struct sip_media_backend;

/* Each backend's stream struct starts with this one. */
struct sip_media_stream
{
    struct sip_media_backend *backend;
};

/* How a stream reports to its owner (the engine's call). */
typedef void (*sip_media_stream_func)(struct sip_media_stream *stream, const struct sip_media_event *event,
                                      gpointer user_data);

struct sip_media_backend_funcs
{
    /* Binds the local transport on local_address (IPv4/IPv6 literal).
     * callback (may be NULL) hears what the stream does. */
    struct sip_media_stream *(*stream_new)(struct sip_media_backend *backend, const char *local_address,
                                           sip_media_stream_func callback, gpointer user_data, GError **error);
    /* The local RTP port (even); RTCP is port + 1. */
    guint16 (*stream_get_port)(struct sip_media_stream *stream);
    /* Starts the stream, or updates a started one (hold, new codec, ...). */
    gboolean (*stream_start)(struct sip_media_stream *stream, const struct sip_media_params *params,
                             GError **error);
    /* Stops a started stream; the ports stay bound. No-op when not started. */
    void (*stream_stop)(struct sip_media_stream *stream);
    /* Stops if needed and releases the ports. */
    void (*stream_free)(struct sip_media_stream *stream);
    /* Frees the backend; all its streams must be freed first. */
    void (*destroy)(struct sip_media_backend *backend);
    /* The formats, in order of preference (see struct sip_media_format). */
    const struct sip_media_format *(*get_formats)(struct sip_media_backend *backend);

    /* Optional (NULL: SIP_MEDIA_ERROR_UNSUPPORTED / nothing): */
    gboolean (*stream_send_dtmf)(struct sip_media_stream *stream, guint event, GError **error);
    gboolean (*stream_set_volume)(struct sip_media_stream *stream, enum sip_media_device device, double volume,
                                  gboolean muted, GError **error);
    void (*stream_get_stats)(struct sip_media_stream *stream, struct sip_media_stats *stats);
    /* Silence suppression of what the stream sends: while enabled, no RTP
     * goes out during silence (the timestamps jump over it); kept across
     * restarts of the stream. */
    gboolean (*stream_set_silence_suppression)(struct sip_media_stream *stream, gboolean enabled, GError **error);
    gboolean (*set_volume)(struct sip_media_backend *backend, enum sip_media_device device, double volume,
                           gboolean muted, GError **error);
    char **(*list_devices)(struct sip_media_backend *backend, enum sip_media_device device);
    gboolean (*set_device)(struct sip_media_backend *backend, enum sip_media_device device, const char *name,
                           GError **error);
    char *(*get_device)(struct sip_media_backend *backend, enum sip_media_device device);
    gboolean (*has_device)(struct sip_media_backend *backend, enum sip_media_device device);
    gboolean (*device_chosen)(struct sip_media_backend *backend, enum sip_media_device device);
    gboolean (*set_echo_cancellation)(struct sip_media_backend *backend, gboolean enabled, GError **error);
    void (*set_level_reporting)(struct sip_media_backend *backend, gboolean enabled);
    gboolean (*play_tone)(struct sip_media_backend *backend, enum sip_media_tone tone, gboolean play,
                          GError **error);
};

/* Settings every backend keeps the same way; the wrappers of sip_media.h
 * maintain them, a backend reads them. */
struct sip_media_backend
{
    const struct sip_media_backend_funcs *funcs;
    double volume[2];               /* by enum sip_media_device; 1.0 at first */
    gboolean muted[2];
    gboolean echo_cancellation;
    gboolean level_reporting;
    guint rtp_timeout_ms;           /* SIP_MEDIA_RTP_TIMEOUT_MS at first */
};

/* Sets the shared fields to their defaults; backends call it on creation. */
void sip_media_backend_init(struct sip_media_backend *backend, const struct sip_media_backend_funcs *funcs);

/* Thin wrappers over the function table; NULL-safe where it makes sense. */
struct sip_media_stream *sip_media_stream_new(struct sip_media_backend *backend, const char *local_address,
                                              sip_media_stream_func callback, gpointer user_data,
                                              GError **error);
guint16 sip_media_stream_get_port(struct sip_media_stream *stream);
gboolean sip_media_stream_start(struct sip_media_stream *stream, const struct sip_media_params *params,
                                GError **error);
void sip_media_stream_stop(struct sip_media_stream *stream);
void sip_media_stream_free(struct sip_media_stream *stream);
gboolean sip_media_stream_send_dtmf(struct sip_media_stream *stream, guint event, GError **error);
gboolean sip_media_stream_set_volume(struct sip_media_stream *stream, enum sip_media_device device,
                                     double volume, gboolean muted, GError **error);
void sip_media_stream_get_stats(struct sip_media_stream *stream, struct sip_media_stats *stats);
/* TRUE without a stream (nothing to apply it to yet). */
gboolean sip_media_stream_set_silence_suppression(struct sip_media_stream *stream, gboolean enabled,
                                                  GError **error);
const struct sip_media_format *sip_media_backend_get_formats(struct sip_media_backend *backend);
void sip_media_backend_free(struct sip_media_backend *backend);

#define SIP_MEDIA_DEFAULT_PORT_MIN 16384
#define SIP_MEDIA_DEFAULT_PORT_MAX 32767

/* Binds an RTP/RTCP pair of UDP sockets on address, from [port_min,
 * port_max] (both 0 for the defaults above), starting at a random even port
 * and taking the first pair that binds. Used by every backend. */
gboolean sip_media_bind_pair(const char *address, guint16 port_min, guint16 port_max, GSocket **rtp,
                             GSocket **rtcp, guint16 *port, GError **error);

/* The default backend: binds ports, moves no audio. */
struct sip_media_backend *sip_media_default_backend_new(guint16 port_min, guint16 port_max);

G_END_DECLS

#endif /* RTCSHIM_SIP_MEDIA_H */
