/*
 * What the files of the GStreamer media backend share.
 *
 * Threads: the backend's functions run on the engine's thread (its
 * GMainContext). GStreamer runs each stream's pipeline on its own threads
 * and on two the backend's streams share (the microphone's, capture.c; the
 * RTP receiver's, receiver.c), which push into every stream's pipeline;
 * what they have to say is posted on the pipeline's bus, whose watch is a
 * source on the engine's context. Pipeline state changes (which may open
 * devices and wait for threads) run on the backend's one worker thread, in
 * the order they were asked for, so no call from the engine waits for them.
 */
#ifndef RTCSHIM_MEDIA_PRIVATE_H
#define RTCSHIM_MEDIA_PRIVATE_H

#include <gst/gst.h>

#include "media.h"          /* the engine's backend interface (src/sip/media.h) */

G_BEGIN_DECLS

/* ---- codecs.c ---- */

/* How one SDP format becomes GStreamer elements. */
struct media_codec
{
    struct sip_media_format format;
    const char *encoder;            /* element factories; NULL for telephone-event */
    const char *payloader;
    const char *depayloader;
    const char *decoder;
    guint sample_rate;              /* of the raw audio the encoder takes and the decoder gives */
};

/* The codec for a format name ("PCMU", "opus", "telephone-event"), any
 * case; NULL when unknown. */
const struct media_codec *media_codec_find(const char *name);
/* The formats whose elements are installed, in the order of
 * RTCSHIM_AUDIO_CODECS (a comma-separated list of names) if set, else
 * opus, G722, PCMU, PCMA; telephone-event last (at 8000, and at 48000
 * too when opus is there). g_free() the array. */
struct sip_media_format *media_codecs_available(void);
/* The rate of the raw audio a codec takes and gives (8000 for unknown names). */
guint media_codec_sample_rate(const char *name);
/* RTP caps for a negotiated payload type. */
GstCaps *media_codec_rtp_caps(const struct sip_media_codec *codec);
/* The most elements a codec chain has. */
#define MEDIA_CHAIN_MAX 5
/* The elements that make what we send of raw audio at the codec's rate
 * (removesilence first when suppressing silence, then encoder, payloader),
 * floating and not linked, into `elements`; how many, 0 on error. A stream
 * adds them to its pipeline itself: a bin around them would cost each
 * packet two more pad hops (its ghost pads). */
guint media_codec_make_sender(const struct sip_media_params *params, gboolean suppress_silence,
                              GstElement **elements, GError **error);
/* Keeps an encoder (opus) within max_bitrate bit/s (0: its usual rate). */
void media_codec_set_max_bitrate(GstElement *encoder, guint max_bitrate);
/* Whether removesilence is installed (else SIP_MEDIA_ERROR_UNSUPPORTED). */
gboolean media_codec_can_suppress_silence(GError **error);
/* A removesilence element, suppressing; NULL without it. */
GstElement *media_codec_make_silence_suppressor(GError **error);
void media_codec_set_silence_suppression(GstElement *suppressor, gboolean enabled);
/* The elements (depayloader, decoder, and a conversion when needed) that
 * make mono S16LE at play_rate of a payload type we receive, as for the
 * sender; how many, 0 on error. */
guint media_codec_make_receiver(const struct sip_media_codec *codec, guint play_rate, GstElement **elements,
                                GError **error);

/* ---- devices.c ---- */

struct media_devices;

/* Watches the system's audio devices (GstDeviceMonitor, started on the
 * worker) and reads RTCSHIM_AUDIO_SOURCE / RTCSHIM_AUDIO_SINK. */
struct media_devices *media_devices_new(GThreadPool *worker);
void media_devices_free(struct media_devices *devices);
char **media_devices_list(struct media_devices *devices, enum sip_media_device device);
gboolean media_devices_select(struct media_devices *devices, enum sip_media_device device, const char *name,
                              GError **error);
char *media_devices_selected(struct media_devices *devices, enum sip_media_device device);
gboolean media_devices_available(struct media_devices *devices, enum sip_media_device device);
gboolean media_devices_chosen(struct media_devices *devices, enum sip_media_device device);
/* TRUE when RTCSHIM_AUDIO_SOURCE / RTCSHIM_AUDIO_SINK gives that device. */
gboolean media_devices_chosen_by_environment(struct media_devices *devices, enum sip_media_device device);
/* A new element to capture from or play to: the environment's description,
 * the selected device, or autoaudiosrc/autoaudiosink. NULL with an error
 * when the description does not parse. */
GstElement *media_devices_make_element(struct media_devices *devices, enum sip_media_device device,
                                       GError **error);
/* After the element reached READY: TRUE when an auto element found no real
 * device and fell back to a fake one. */
gboolean media_devices_is_fake(GstElement *element);
/* Opens a device element on its own (READY); FALSE (element back to NULL)
 * when it cannot, or when an auto element found nothing but a fake one. */
gboolean media_devices_open(GstElement *element);

/* ---- capture.c ---- */

/* The microphone, once per backend and sample rate: one live pipeline whose
 * streaming thread hands each buffer to every call sending at that rate. */
struct media_capture;
struct media_capture_tap;

struct media_capture *media_capture_new(struct media_devices *devices);
/* Every tap must have been detached. */
void media_capture_free(struct media_capture *capture);
/* On the worker, once the call's pipeline (on the system clock) is PLAYING.
 * pad: a source pad of no element, linked into the call's send chain (raw
 * S16LE mono audio at rate); the tap activates it and gives it its events.
 * NULL with an error when the microphone cannot be opened; a failure later
 * is posted on pipeline's bus as "rtcshim-device-failed". */
struct media_capture_tap *media_capture_attach(struct media_capture *capture, guint rate, GstPad *pad,
                                               GstElement *pipeline, GError **error);
/* On the worker. Nothing is pushed on the tap's pad once it returns; the
 * last tap of a rate closes its microphone. */
void media_capture_detach(struct media_capture *capture, struct media_capture_tap *tap);

/* ---- worker (backend.c) ---- */

typedef void (*media_job_func)(gpointer data);
/* Runs func(data) on the backend's worker thread, after every job queued before. */
void media_worker_push(GThreadPool *worker, media_job_func func, gpointer data);

/* ---- gain.c ---- */

/* The volume and level meter of one direction of a call: a probe on a pad
 * carrying S16 mono audio at rate, freed with the pad. Level reports go on
 * pipeline's bus as "rtcshim-level" (device, level). */
struct media_gain;

struct media_gain *media_gain_attach(GstPad *pad, GstElement *pipeline, enum sip_media_device device, guint rate);
/* Any thread. volume: 0.0 .. 1.0 */
void media_gain_set(struct media_gain *gain, double volume, gboolean muted, gboolean metering);

/* ---- receiver.c ---- */

/* One thread per backend reads the RTP and RTCP sockets of every running
 * stream (epoll) and pushes each datagram, as a buffer, on the pad given for
 * its socket: one wake-up for whatever has arrived, not a thread per socket
 * (with hundreds of calls the wake-ups cost more than the packets). */
struct media_receiver;
struct media_receiver_socket;

/* Called on the receiver's thread when a socket has had nothing for its
 * timeout, and again after each further timeout of silence. */
typedef void (*media_receiver_timeout_func)(gpointer data);

/* NULL with an error when the thread or its epoll cannot be made. */
struct media_receiver *media_receiver_new(GError **error);
/* Every socket must have been removed. Joins the thread. */
void media_receiver_free(struct media_receiver *receiver);
/* Reads socket from now on. pad: a source pad of no element, active and
 * linked (or to be linked) into a pipeline that runs on clock; each datagram
 * is pushed on it as a buffer whose DTS and PTS are its arrival in running
 * time (clock time - base_time), as udpsrc would stamp it. Any thread. */
struct media_receiver_socket *media_receiver_add(struct media_receiver *receiver, GSocket *socket, GstPad *pad,
                                                 GstClock *clock, GstClockTime base_time);
/* timeout_ms 0: none (the default). Any thread; restarts the silence count. */
void media_receiver_set_timeout(struct media_receiver *receiver, struct media_receiver_socket *handle,
                                guint timeout_ms, media_receiver_timeout_func func, gpointer data);
/* Stops reading the socket. Once it returns, the receiver's thread no longer
 * pushes on the pad nor calls the timeout function; the socket and pad are
 * only unreferenced. Any thread but the receiver's own. */
void media_receiver_remove(struct media_receiver *receiver, struct media_receiver_socket *handle);

/* ---- stream.c ---- */

struct media_backend;
struct media_stream;

struct sip_media_stream *media_stream_new(struct media_backend *backend, const char *local_address,
                                          sip_media_stream_func callback, gpointer user_data, GError **error);
guint16 media_stream_get_port(struct sip_media_stream *stream);
gboolean media_stream_start(struct sip_media_stream *stream, const struct sip_media_params *params,
                            GError **error);
void media_stream_stop(struct sip_media_stream *stream);
void media_stream_free(struct sip_media_stream *stream);
gboolean media_stream_send_dtmf(struct sip_media_stream *stream, guint event, GError **error);
gboolean media_stream_set_volume(struct sip_media_stream *stream, enum sip_media_device device, double volume,
                                 gboolean muted, GError **error);
void media_stream_get_stats(struct sip_media_stream *stream, struct sip_media_stats *stats);
gboolean media_stream_set_silence_suppression(struct sip_media_stream *stream, gboolean enabled, GError **error);
/* Any thread: tells the stream whose pipeline this is that its device failed
 * (reported as FAILED / BAD_DEVICE for that direction). */
void media_stream_post_device_failed(GstElement *pipeline, enum sip_media_device device);
/* Activates a parentless source pad and sends what a stream starts with
 * (stream-start, caps, a TIME segment), so buffers can be pushed on it. */
void media_stream_start_pad(GstPad *pad, const char *stream_id, GstCaps *caps);
/* Re-applies the backend's volumes and level reporting to a running stream. */
void media_stream_apply_backend_settings(struct media_stream *stream);

/* ---- backend.c: what streams read from their backend ---- */

GThreadPool *media_backend_worker(struct media_backend *backend);
struct media_devices *media_backend_devices(struct media_backend *backend);
struct sip_media_backend *media_backend_base(struct media_backend *backend);
void media_backend_add_stream(struct media_backend *backend, struct media_stream *stream);
void media_backend_remove_stream(struct media_backend *backend, struct media_stream *stream);
guint media_backend_rtp_timeout_ms(struct media_backend *backend);
/* The worker's: the shared microphone, and the receiver (made on first use). */
struct media_capture *media_backend_capture(struct media_backend *backend);
struct media_receiver *media_backend_receiver(struct media_backend *backend, GError **error);

/* ---- tones.c ---- */

struct media_tones;

struct media_tones *media_tones_new(struct media_backend *backend);
void media_tones_free(struct media_tones *tones);
gboolean media_tones_play(struct media_tones *tones, enum sip_media_tone tone, gboolean play, GError **error);
/* A short feedback of a DTMF digit the user sent. */
void media_tones_play_digit(struct media_tones *tones, guint event);
struct media_tones *media_backend_tones(struct media_backend *backend);

G_END_DECLS

#endif /* RTCSHIM_MEDIA_PRIVATE_H */
