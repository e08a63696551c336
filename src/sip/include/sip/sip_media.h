/*
 * Media as the API layers see it: the audio of calls and the audio devices.
 *
 * Plain C and GLib types only (no GStreamer, no COM). rtccore/ and ucc/
 * reach every media control through this header: per call (DTMF, volume and
 * mute of the call's stream, levels, what flows) through the sip_call_*
 * functions, machine-wide (devices, volumes, echo cancellation, rings)
 * through the engine's media backend. What a stream does is reported by
 * sip_engine_callbacks.call_media_event, from the main context like every
 * other callback.
 *
 * A backend that cannot move audio (the default one, used where rtcshim is
 * built without GStreamer) still binds the ports for the SDP, but reports
 * no flow as started and fails every control with SIP_MEDIA_ERROR_UNSUPPORTED.
 */
#ifndef RTCSHIM_SIP_SIP_MEDIA_H
#define RTCSHIM_SIP_SIP_MEDIA_H

#include <glib.h>

#include "sip/sip_engine.h"

G_BEGIN_DECLS

struct sip_media_backend;

#define SIP_MEDIA_ERROR (sip_media_error_quark())
GQuark sip_media_error_quark(void);

enum sip_media_error
{
    SIP_MEDIA_ERROR_INVALID,        /* bad address, parameters or device name */
    SIP_MEDIA_ERROR_NO_PORTS,       /* no free RTP/RTCP pair in the range */
    SIP_MEDIA_ERROR_UNSUPPORTED,    /* the backend cannot do this (no audio, no echo canceller) */
    SIP_MEDIA_ERROR_NO_STREAM,      /* the call has no running stream (not connected, or on hold) */
    SIP_MEDIA_ERROR_NO_DEVICE,      /* no audio device for that direction */
};

/* The two devices of a machine; the values are RTC_AUDIO_DEVICE's. */
enum sip_media_device
{
    SIP_MEDIA_SPEAKER = 0,          /* plays what a call receives */
    SIP_MEDIA_MICROPHONE = 1,       /* captures what a call sends */
};

/* One direction of a call's audio. */
enum sip_media_flow
{
    SIP_MEDIA_FLOW_SEND,            /* microphone -> network */
    SIP_MEDIA_FLOW_RECEIVE,         /* network -> speaker */
};

enum sip_media_flow_state
{
    SIP_MEDIA_FLOW_STOPPED,
    SIP_MEDIA_FLOW_STARTED,
    SIP_MEDIA_FLOW_FAILED,
};

enum sip_media_flow_reason
{
    SIP_MEDIA_REASON_NORMAL,        /* started, or stopped because the call changed or ended */
    SIP_MEDIA_REASON_HOLD,          /* stopped by hold (ours or the peer's) */
    SIP_MEDIA_REASON_TIMEOUT,       /* receive: no RTP for the RTP timeout */
    SIP_MEDIA_REASON_BAD_DEVICE,    /* the device could not be opened or failed */
};

/* How long received RTP may pause before the receive flow reports
 * STOPPED/TIMEOUT, unless set otherwise (docs/wire-mapping.md). */
#define SIP_MEDIA_RTP_TIMEOUT_MS 15000

enum sip_media_event_type
{
    SIP_MEDIA_EVENT_FLOW,           /* flow, state, reason */
    SIP_MEDIA_EVENT_LEVEL,          /* device, level: only while level reporting is on */
};

struct sip_media_event
{
    enum sip_media_event_type type;
    enum sip_media_flow flow;
    enum sip_media_flow_state state;
    enum sip_media_flow_reason reason;
    enum sip_media_device device;
    guint level;                    /* SIP_MEDIA_LEVEL_MIN .. SIP_MEDIA_LEVEL_MAX */
};

/* Levels: the peak of the last 100 ms, -60 dBFS (or less) = 0 .. 0 dBFS = 100. */
#define SIP_MEDIA_LEVEL_MIN 0
#define SIP_MEDIA_LEVEL_MAX 100

/* Volumes are linear gains, 0.0 (silent) .. 1.0 (as captured / as received). */

/* Counters of a stream since it was created (tests, benchmarks). */
struct sip_media_stats
{
    guint64 rtp_packets_sent;
    guint64 rtp_payload_octets_sent;    /* what those packets carried after their RTP header */
    guint64 rtp_packets_received;
    guint64 dtmf_events_sent;           /* RFC 4733 events (digits) sent */
    guint64 dtmf_events_received;       /* RFC 4733 events (digits) received */
    guint64 packets_lost;               /* from the peer's RTCP receiver reports (0 before one) */
    guint jitter;                       /* interarrival jitter, RTP clock units, from the peer's RTCP */
    guint jitter_ms;                    /* the same in milliseconds */
    guint fraction_lost;                /* lost in the last report's interval, /256 (RFC 3550 §6.4.1) */
    guint round_trip_ms;                /* from the last report's LSR and DLSR; 0 when it had none */
    gboolean rtcp_received;             /* a receiver report about our stream came in */
    guint64 received_lost;              /* what our own receiver reports say about the peer's stream */
    guint received_jitter;              /* (lost packets, jitter in RTP clock units) */
    const char *codec;                  /* the codec being sent, NULL when nothing is sent */
};

/* ---- per call (the call's stream; the call must be connected) ---- */

/* Sends an RFC 4733 event (0-9, 10 '*', 11 '#', 12-15 'A'-'D', 16 flash)
 * in the call's stream, and plays it on the speaker as feedback. Digits
 * sent quickly one after another are queued. Fails with
 * SIP_MEDIA_ERROR_NO_STREAM when the call sends no audio (not connected,
 * on hold), SIP_MEDIA_ERROR_UNSUPPORTED when the peer did not agree to
 * telephone-event or the backend moves no audio. */
gboolean sip_call_send_dtmf(struct sip_call *call, guint event, GError **error);

/* The call's own gain and mute for one device, on top of the backend's;
 * kept across hold and re-INVITEs. */
gboolean sip_call_set_media_volume(struct sip_call *call, enum sip_media_device device, double volume,
                                   GError **error);
double sip_call_get_media_volume(struct sip_call *call, enum sip_media_device device);
gboolean sip_call_set_media_muted(struct sip_call *call, enum sip_media_device device, gboolean muted,
                                  GError **error);
gboolean sip_call_get_media_muted(struct sip_call *call, enum sip_media_device device);

/* Silence suppression of the audio the call sends: while enabled, no RTP
 * packet goes out while the microphone is silent (the RTP timestamps jump
 * over the gap); kept across hold and re-INVITEs. Off unless set. Fails with
 * SIP_MEDIA_ERROR_UNSUPPORTED when the backend cannot (the default backend,
 * or GStreamer without removesilence); the setting is then unchanged. */
gboolean sip_call_set_silence_suppression(struct sip_call *call, gboolean enabled, GError **error);
gboolean sip_call_get_silence_suppression(struct sip_call *call);

/* The most bit/s of RTP payload the call's audio may use (0: no limit):
 * from the next offer or answer on, only the codecs that fit are offered
 * and accepted, the SDP says the limit (b=TIAS, b=AS), and what is sent
 * keeps within it and within the peer's own b= limit (opus' bit rate).
 * Fails with SIP_MEDIA_ERROR_INVALID when no codec of the backend fits;
 * the setting is then unchanged. */
gboolean sip_call_set_max_bandwidth(struct sip_call *call, guint bits_per_second, GError **error);
guint sip_call_get_max_bandwidth(struct sip_call *call);
/* The same limit for the calls made from now on (a client-wide setting);
 * calls already made keep theirs. */
gboolean sip_engine_set_calls_max_bandwidth(struct sip_engine *engine, guint bits_per_second, GError **error);
guint sip_engine_get_calls_max_bandwidth(struct sip_engine *engine);
/* Whether some audio codec of the engine's backend fits in bits_per_second
 * (0: no limit, always); else SIP_MEDIA_ERROR_INVALID. */
gboolean sip_engine_audio_fits(struct sip_engine *engine, guint bits_per_second, GError **error);

/* The last level measured on the call's stream for a device (0 when none). */
guint sip_call_get_media_level(struct sip_call *call, enum sip_media_device device);

/* The state of one direction of the call's audio as last reported. */
enum sip_media_flow_state sip_call_get_media_flow(struct sip_call *call, enum sip_media_flow flow,
                                                  enum sip_media_flow_reason *reason);

/* FALSE (stats zeroed) when the call has no stream. */
gboolean sip_call_get_media_stats(struct sip_call *call, struct sip_media_stats *stats);

/* The RTCMT_AUDIO_* style directions the call's SDP agreed on, from our
 * side: SIP_MEDIA_SENDONLY etc. of media.h as a bit mask
 * (1 = we send, 2 = we receive); 0 before an offer/answer. */
guint sip_call_get_media_directions(struct sip_call *call);

/* ---- the machine's audio (the engine's backend) ---- */

struct sip_media_backend *sip_engine_get_media_backend(struct sip_engine *engine);

/* Which ways the audio of the calls made from now on goes: a mask of 1
 * (send) and 2 (receive) as sip_call_update_media takes, 3 by default. One
 * way only limits what those calls offer and answer, as
 * sip_call_update_media does for one call. 0: a call without audio binds no port and creates no
 * stream: it offers an SDP with no m= line and refuses every stream offered
 * to it (port 0, RFC 3264 §6), so a signalling-only application costs no
 * sockets. Calls already made keep what they had. */
void sip_engine_set_calls_audio(struct sip_engine *engine, guint directions);

/* TRUE when the backend moves audio at all (not the default backend). */
gboolean sip_media_backend_moves_audio(struct sip_media_backend *backend);

/* Gain and mute of a device for every call. */
gboolean sip_media_backend_set_volume(struct sip_media_backend *backend, enum sip_media_device device,
                                      double volume, GError **error);
double sip_media_backend_get_volume(struct sip_media_backend *backend, enum sip_media_device device);
gboolean sip_media_backend_set_muted(struct sip_media_backend *backend, enum sip_media_device device,
                                     gboolean muted, GError **error);
gboolean sip_media_backend_get_muted(struct sip_media_backend *backend, enum sip_media_device device);

/* The names of the devices of one kind the system has (NULL-terminated,
 * g_strfreev() it; empty when none or not known). */
char **sip_media_backend_list_devices(struct sip_media_backend *backend, enum sip_media_device device);
/* Picks a device by one of those names for the calls that start from now
 * on (NULL or "" = the system's default). An unknown name fails with
 * SIP_MEDIA_ERROR_INVALID. */
gboolean sip_media_backend_set_device(struct sip_media_backend *backend, enum sip_media_device device,
                                      const char *name, GError **error);
/* The device picked ("" = the system's default); g_free() it. */
char *sip_media_backend_get_device(struct sip_media_backend *backend, enum sip_media_device device);
/* TRUE when the backend has something to capture from / play to for the
 * device: a device, or a source/sink given by the environment. */
gboolean sip_media_backend_has_device(struct sip_media_backend *backend, enum sip_media_device device);
/* TRUE when the device in use was chosen (by set_device or the environment)
 * rather than left to the system's default. */
gboolean sip_media_backend_device_chosen(struct sip_media_backend *backend, enum sip_media_device device);

/* Acoustic echo cancellation for the calls that start from now on. */
gboolean sip_media_backend_set_echo_cancellation(struct sip_media_backend *backend, gboolean enabled,
                                                 GError **error);
gboolean sip_media_backend_get_echo_cancellation(struct sip_media_backend *backend);

/* Whether streams measure and report levels (SIP_MEDIA_EVENT_LEVEL). */
void sip_media_backend_set_level_reporting(struct sip_media_backend *backend, gboolean enabled);

/* How long received RTP may pause before the receive flow reports
 * STOPPED/TIMEOUT, for the streams started from now on (0 is ignored). */
void sip_media_backend_set_rtp_timeout(struct sip_media_backend *backend, guint milliseconds);

/* Local tones, played on the speaker, not in any call. */
enum sip_media_tone
{
    SIP_MEDIA_TONE_RING,            /* an incoming call rings */
    SIP_MEDIA_TONE_MESSAGE,         /* a message arrived */
    SIP_MEDIA_TONE_RINGBACK,        /* the called party is being alerted */
};
/* Starts (play TRUE) or stops a tone; a ring or ringback repeats until stopped. */
gboolean sip_media_backend_play_tone(struct sip_media_backend *backend, enum sip_media_tone tone, gboolean play,
                                     GError **error);

G_END_DECLS

#endif /* RTCSHIM_SIP_SIP_MEDIA_H */
