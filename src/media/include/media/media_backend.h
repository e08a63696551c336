/*
 * The platform's media backend, for the API layers to hand to the engine
 * (sip_engine_config.media_backend).
 *
 * Built with GStreamer (src/media/backend.c) it moves audio: PCMU, PCMA,
 * G.722 and Opus, RFC 4733 events, devices, levels, tones. Built without
 * (RTCSHIM_MEDIA=none, as for the Windows DLL) it is the engine's default
 * backend, which binds ports and moves no audio (src/media/no_media.c).
 *
 * Plain C and GLib: no GStreamer type crosses this header.
 */
#ifndef RTCSHIM_MEDIA_BACKEND_H
#define RTCSHIM_MEDIA_BACKEND_H

#include <glib.h>

G_BEGIN_DECLS

struct sip_media_backend;

/* A new backend on the calling thread's thread-default main context, or
 * NULL (error set) when the media framework cannot start. */
struct sip_media_backend *media_backend_new(GError **error);

/* A backend that binds the ports for the SDP and moves no audio (media
 * disabled, or no media framework). */
struct sip_media_backend *media_backend_new_without_audio(void);

G_END_DECLS

#endif /* RTCSHIM_MEDIA_BACKEND_H */
