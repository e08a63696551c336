/*
 * The media backend interface the engine drives for each call's audio
 * stream, and the default backend.
 *
 * A backend hands out streams. A stream owns its local transport from
 * creation on (so its port can go into an SDP offer), is started with what
 * offer/answer negotiated, may be started again when a re-INVITE changes
 * something, is stopped, and is freed. All calls happen on the engine's
 * thread; backends call back synchronously from inside start/stop/free.
 *
 * The default backend binds an even RTP port and the RTCP port above it
 * (RFC 3550 §11) as two UDP GSockets, reports starts and stops through a
 * callback, and moves no audio yet.
 */
#ifndef RTCSHIM_SIP_MEDIA_H
#define RTCSHIM_SIP_MEDIA_H

#include <glib.h>

G_BEGIN_DECLS

#define SIP_MEDIA_ERROR (sip_media_error_quark())
GQuark sip_media_error_quark(void);

enum sip_media_error
{
    SIP_MEDIA_ERROR_INVALID,        /* bad address or parameters */
    SIP_MEDIA_ERROR_NO_PORTS,       /* no free RTP/RTCP pair in the range */
};

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

/* What offer/answer agreed for one audio stream. */
struct sip_media_params
{
    char *remote_address;           /* IPv4 or IPv6 literal (or host) from c= */
    guint16 remote_port;            /* RTP port; RTCP is remote_port + 1 */
    int payload_type;               /* the codec we send with */
    char *codec_name;               /* "PCMU", "PCMA" */
    guint clock_rate;               /* 8000 */
    int telephone_event_pt;         /* RFC 4733 events, -1 when not agreed */
    enum sip_media_direction direction;     /* what our stream does */
};

void sip_media_params_copy(struct sip_media_params *dst, const struct sip_media_params *src);
void sip_media_params_clear(struct sip_media_params *params);

struct sip_media_backend;

/* Each backend's stream struct starts with this one. */
struct sip_media_stream
{
    struct sip_media_backend *backend;
};

struct sip_media_backend_funcs
{
    /* Binds the local transport on local_address (IPv4/IPv6 literal). */
    struct sip_media_stream *(*stream_new)(struct sip_media_backend *backend,
                                           const char *local_address, GError **error);
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
};

struct sip_media_backend
{
    const struct sip_media_backend_funcs *funcs;
};

/* Thin wrappers over the function table; NULL-safe where it makes sense. */
struct sip_media_stream *sip_media_stream_new(struct sip_media_backend *backend,
                                              const char *local_address, GError **error);
guint16 sip_media_stream_get_port(struct sip_media_stream *stream);
gboolean sip_media_stream_start(struct sip_media_stream *stream, const struct sip_media_params *params,
                                GError **error);
void sip_media_stream_stop(struct sip_media_stream *stream);
void sip_media_stream_free(struct sip_media_stream *stream);
void sip_media_backend_free(struct sip_media_backend *backend);

enum sip_media_event
{
    SIP_MEDIA_STREAM_STARTED,       /* params: what the stream now does */
    SIP_MEDIA_STREAM_STOPPED,       /* params: NULL */
};

typedef void (*sip_media_event_func)(struct sip_media_stream *stream, enum sip_media_event event,
                                     const struct sip_media_params *params, gpointer user_data);

#define SIP_MEDIA_DEFAULT_PORT_MIN 16384
#define SIP_MEDIA_DEFAULT_PORT_MAX 32767

/* The default backend. RTP ports come from [port_min, port_max] (0, 0 for
 * the defaults above), starting at a random even port and taking the first
 * pair that binds. callback (may be NULL) hears every start and stop. */
struct sip_media_backend *sip_media_default_backend_new(guint16 port_min, guint16 port_max,
                                                        sip_media_event_func callback,
                                                        gpointer user_data);

G_END_DECLS

#endif /* RTCSHIM_SIP_MEDIA_H */
