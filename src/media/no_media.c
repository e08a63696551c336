/*
 * The media backend of a build without GStreamer: the engine's default
 * backend, which binds the ports for the SDP and moves no audio.
 */
#include "media/media_backend.h"
#include "media.h"          /* the engine's backend interface (src/sip/media.h) */

struct sip_media_backend *media_backend_new(GError **error)
{
    return sip_media_default_backend_new(0, 0);
}

struct sip_media_backend *media_backend_new_without_audio(void)
{
    return sip_media_default_backend_new(0, 0);
}
