/*
 * A call's media: its stream (bound once, released when the call ends) and
 * the SDP offer/answer exchange (RFC 3264) over sdp_offer_answer.c,
 * including hold (§8.4) as the offers and answers express it; what the
 * stream reports, queued up to the API layer; the per-call controls of
 * sip_media.h.
 */

#ifndef G_LOG_DOMAIN
#define G_LOG_DOMAIN "rtcshim"
#endif

#include "call_private.h"
#include "event_queue.h"
#include "routing.h"
#include "sip/sip_media.h"

/* The host part of a URI for picking our local address; NULL if none. */
const char *call_peer_host(struct sip_call *call)
{
    if (call->dialog && call->dialog->remote_target)
        return call->dialog->remote_target->host;
    if (call->invite && call->invite->req_uri)
        return call->invite->req_uri->host;
    return NULL;
}

/* ---- what the stream says ---- */

struct stream_event
{
    struct sip_call *call;
    struct sip_media_event event;
};

static void stream_event_free(void *data)
{
    struct stream_event *queued = data;

    sip_call_unref(queued->call);
    g_free(queued);
}

static void deliver_stream_event(struct sip_engine *engine, void *data)
{
    struct stream_event *queued = data;

    if (engine->callbacks.call_media_event)
        engine->callbacks.call_media_event(queued->call, &queued->event, engine->user_data);
}

/* From the stream, on the engine's context: keep it, pass it up in order. */
static void on_stream_event(struct sip_media_stream *stream, const struct sip_media_event *event, gpointer data)
{
    struct sip_call *call = data;
    struct stream_event *queued;

    if (!call->engine || stream != call->stream)
        return;
    if (event->type == SIP_MEDIA_EVENT_FLOW)
    {
        call->flow_state[event->flow] = event->state;
        call->flow_reason[event->flow] = event->reason;
    }
    else if (event->type == SIP_MEDIA_EVENT_LEVEL)
        call->media_level[event->device] = event->level;
    queued = g_new0(struct stream_event, 1);
    queued->call = sip_call_ref(call);
    queued->event = *event;
    engine_queue_event(call->engine, deliver_stream_event, queued, stream_event_free);
}

static void apply_call_volumes(struct sip_call *call)
{
    int device;

    for (device = SIP_MEDIA_SPEAKER; device <= SIP_MEDIA_MICROPHONE; device++)
    {
        if (call->media_volume[device] == 1.0 && !call->media_muted[device])
            continue;
        sip_media_stream_set_volume(call->stream, device, call->media_volume[device], call->media_muted[device],
                                    NULL);
    }
}

void call_release_stream(struct sip_call *call)
{
    if (call->stream)
    {
        sip_media_stream_free(call->stream);
        call->stream = NULL;
    }
}

/* Binds the call's media stream (once; not with bind FALSE, when the SDP
 * will describe no stream) and gives the address for SDP. */
static gboolean call_ensure_stream(struct sip_call *call, enum sip_transport_protocol protocol, const char *peer,
                                   gboolean bind, char address[SIP_HOST_BUFFER_SIZE], GError **error)
{
    char bind_host[SIP_HOST_BUFFER_SIZE];
    const char *advertised;
    GError *inner = NULL;

    if (!engine_media_address(call->engine, protocol, peer, bind_host, &advertised))
    {
        g_set_error(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_NO_TRANSPORT, "no local address for media");
        return FALSE;
    }
    g_strlcpy(address, advertised, SIP_HOST_BUFFER_SIZE);
    if (call->stream || !bind)
        return TRUE;
    call->stream = sip_media_stream_new(call->engine->media, bind_host, on_stream_event, call, error);
    if (!call->stream)
        return FALSE;
    apply_call_volumes(call);
    if (call->silence_suppression && !sip_media_stream_set_silence_suppression(call->stream, TRUE, &inner))
    {
        g_message("call %s: no silence suppression: %s", call->call_id, inner->message);
        g_error_free(inner);
    }
    return TRUE;
}

void call_start_media(struct sip_call *call, const struct sip_media_params *negotiated)
{
    /* nothing to start: no codec agreed (no audio here, or none in the SDP) */
    if (!negotiated->codec_name)
        return;
    sip_media_params_clear(&call->media);
    sip_media_params_copy(&call->media, negotiated);
    /* what we send keeps within the peer's limit and our own */
    if (call->max_bandwidth && (!call->media.max_bitrate || call->max_bandwidth < call->media.max_bitrate))
        call->media.max_bitrate = call->max_bandwidth;
    call->media_negotiated = TRUE;
}

/* The backend's formats that fit in the call's bandwidth; g_free() them. */
static struct sip_media_format *call_formats(struct sip_call *call, GError **error)
{
    return sip_sdp_formats_within(sip_media_backend_get_formats(call->engine->media), call->max_bandwidth, error);
}

/* Starts (or updates) the stream with what was negotiated. Our own hold
 * stops all our audio: we send nothing (no music on hold), whatever our
 * sendonly offer allows. */
static void apply_media(struct sip_call *call)
{
    struct sip_media_params params;
    GError *error = NULL;

    if (!call->stream || !call->media_negotiated)
        return;
    sip_media_params_copy(&params, &call->media);
    if (call->local_hold)
        params.direction &= ~SIP_MEDIA_SENDONLY;
    params.hold = call->local_hold || call->remote_hold;
    if (!sip_media_stream_start(call->stream, &params, &error))
    {
        g_message("call %s: media did not start: %s", call->call_id, error->message);
        g_error_free(error);
    }
    sip_media_params_clear(&params);
}

/* Updates the hold flags, then the stream; reports a change of hold. */
void call_set_hold(struct sip_call *call, gboolean local_hold, gboolean remote_hold)
{
    gboolean changed = call->local_hold != local_hold || call->remote_hold != remote_hold;

    call->local_hold = local_hold;
    call->remote_hold = remote_hold;
    apply_media(call);
    if (changed)
        call_report_media(call);
}

/* Whether an SDP of the peer's (an offer, or the answer to ours that
 * allowed it `allowed`) puts us on hold. It must not want to receive, and
 * either hold us already or take a way away that the stream had (RFC 3264
 * §8.4 holds by changing a stream). A one-way stream is no hold: the peer
 * that sends only from the start (a one-way call, SetPreferredMediaTypes),
 * or answers our sendrecv with sendonly, is heard. Our own hold is left out
 * of what the stream had. */
static gboolean is_remote_hold(const struct sip_call *call, const sdp_message_t *sdp,
                               enum sip_media_direction allowed)
{
    enum sip_media_direction ours, was, now;

    if (!sip_sdp_is_hold(sdp) || !call->media_negotiated)
        return FALSE;
    if (call->remote_hold)
        return TRUE;
    ours = call->media.direction | (call->local_hold ? call->media_limit & SIP_MEDIA_RECVONLY : 0);
    was = sip_media_direction_reverse(ours) & allowed;
    now = sip_sdp_get_direction(sdp);
    return now != was && (now & was) == now;
}

/* What we offer or answer on hold: sendonly, but inactive when our limit
 * leaves us nothing to receive (we only send, and hold stops that too). */
static enum sip_media_direction hold_direction(const struct sip_call *call)
{
    return (call->media_limit & SIP_MEDIA_RECVONLY) ? SIP_MEDIA_SENDONLY : SIP_MEDIA_INACTIVE;
}

/* Our offer's direction (RFC 3264 §8.4): sendonly to hold, inactive if the
 * stream was already recvonly (the peer holds us, or we only receive) or we
 * only send; sendrecv otherwise. */
enum sip_media_direction call_offer_direction(struct sip_call *call)
{
    if (!call->want_local_hold)
        return SIP_MEDIA_SENDRECV;
    if (hold_direction(call) == SIP_MEDIA_INACTIVE)
        return SIP_MEDIA_INACTIVE;
    if (call->media_negotiated && !(call->media.direction & SIP_MEDIA_SENDONLY))
        return SIP_MEDIA_INACTIVE;
    return call->remote_hold ? SIP_MEDIA_INACTIVE : SIP_MEDIA_SENDONLY;
}

char *call_build_offer(struct sip_call *call, enum sip_transport_protocol protocol, const char *peer,
                       enum sip_media_direction direction, GError **error)
{
    char address[SIP_HOST_BUFFER_SIZE];
    struct sip_media_format *formats;
    sdp_message_t *sdp;
    char *text;

    if (!call_ensure_stream(call, protocol, peer, !call->without_audio, address, error))
        return NULL;
    /* Hold's direction, within what the layer above allows (sip_call_update_media). */
    call->offered_hold = direction != SIP_MEDIA_SENDRECV;
    direction &= call->media_limit;
    if (call->without_audio)
        sdp = sip_sdp_build_without_media(NULL, &call->origin, address, error);
    else if (!(formats = call_formats(call, error)))
        return NULL;
    else
    {
        if ((sdp = sip_sdp_build_offer(&call->origin, address, sip_media_stream_get_port(call->stream), direction,
                                       formats, error)))
            sip_sdp_add_bandwidth(sdp, call->max_bandwidth);
        g_free(formats);
    }
    if (!sdp)
        return NULL;
    text = sip_sdp_to_string(sdp);
    sdp_message_free(sdp);
    call->offered_direction = direction;
    return text;
}

/* Answers a received offer; *code gets 400/488/500 on failure. With apply
 * FALSE nothing changes yet: the answer, what it agreed and the offer's hold
 * are kept in call->prepared_* for use_prepared_answer(). */
char *call_build_answer(struct sip_call *call, const char *offer_text, enum sip_transport_protocol protocol,
                        const char *peer, gboolean apply, guint64 refused, guint *code)
{
    struct sip_media_params negotiated = { 0 };
    char address[SIP_HOST_BUFFER_SIZE];
    struct sip_media_format *formats;
    GError *error = NULL;
    sdp_message_t *offer, *answer;
    gboolean remote_hold, refuse_all;
    char *text = NULL;

    *code = 488;
    if (!(offer = sip_sdp_parse(offer_text, &error)))
    {
        *code = 400;
        goto failed;
    }
    remote_hold = is_remote_hold(call, offer, SIP_MEDIA_SENDRECV);
    /* No audio here, or none offered (a session without media, §5): every stream refused. */
    refuse_all = call->without_audio || sip_sdp_has_no_media(offer);
    if (!call_ensure_stream(call, protocol, peer, !refuse_all, address, &error))
    {
        *code = 500;
        sdp_message_free(offer);
        goto failed;
    }
    if (refuse_all)
        answer = sip_sdp_build_without_media(offer, &call->origin, address, &error);
    else if (!(formats = call_formats(call, &error)))
        answer = NULL;
    else
    {
        if ((answer = sip_sdp_build_answer_refusing(offer, &call->origin, address,
                                                    sip_media_stream_get_port(call->stream),
                                                    (call->want_local_hold ? hold_direction(call)
                                                                           : SIP_MEDIA_SENDRECV) & call->media_limit,
                                                    formats, refused, &negotiated, &error))
                && negotiated.codec_name)
            sip_sdp_add_bandwidth(answer, call->max_bandwidth);
        g_free(formats);
    }
    sdp_message_free(offer);
    if (!answer)
    {
        if (g_error_matches(error, SIP_SDP_ERROR, SIP_SDP_ERROR_INVALID))
            *code = 400;
        goto failed;
    }
    text = sip_sdp_to_string(answer);
    sdp_message_free(answer);
    if (apply && !negotiated.codec_name)
    {
        /* Our audio refused (the layer above removed it): the stream keeps
         * its codec and moves nothing until an offer brings audio back. */
        call->media.direction = SIP_MEDIA_INACTIVE;
        call_set_hold(call, call->want_local_hold, FALSE);
    }
    else if (apply)
    {
        call_start_media(call, &negotiated);
        call_set_hold(call, call->want_local_hold, remote_hold);
    }
    else
    {
        g_free(call->prepared_answer);
        call->prepared_answer = g_strdup(text);
        sip_media_params_clear(&call->prepared_media);
        sip_media_params_copy(&call->prepared_media, &negotiated);
        call->prepared_remote_hold = remote_hold;
        call->prepared_local_hold = call->want_local_hold;
    }
    sip_media_params_clear(&negotiated);
    return text;

failed:
    g_debug("call %s: cannot answer the offer: %s", call->call_id, error ? error->message : "?");
    g_clear_error(&error);
    sip_media_params_clear(&negotiated);
    return NULL;
}

/* Whether an SDP has an audio stream with a port. */
static gboolean has_audio(const sdp_message_t *sdp)
{
    enum sip_media_direction direction;
    const char *media;
    guint i, port;

    for (i = 0; i < sip_sdp_line_count(sdp); i++)
        if (sip_sdp_line_info(sdp, i, &media, &port, &direction) && port && !g_ascii_strcasecmp(media, "audio"))
            return TRUE;
    return FALSE;
}

/* Takes the answer to our offer. */
gboolean call_take_answer(struct sip_call *call, const char *answer_text)
{
    struct sip_media_params negotiated = { 0 };
    struct sip_media_format *formats;
    GError *error = NULL;
    sdp_message_t *answer;
    gboolean remote_hold;

    if (!(answer = sip_sdp_parse(answer_text, &error)))
        goto failed;
    if (call->without_audio)
    {
        /* We offered no stream; whatever the answer describes is not used. */
        sdp_message_free(answer);
        return TRUE;
    }
    if (call->media_negotiated && !has_audio(answer))
    {
        /* The peer refused our audio (port 0) in a re-INVITE: the call goes on without it. */
        sdp_message_free(answer);
        call->media.direction = SIP_MEDIA_INACTIVE;
        call_set_hold(call, call->offered_hold, FALSE);
        return TRUE;
    }
    remote_hold = is_remote_hold(call, answer, sip_media_direction_reverse(call->offered_direction));
    /* When our limit took "send" out of the offer, an answer that does not
     * receive only mirrors it: the peer holds us only if it stops sending. */
    if (!(call->offered_direction & SIP_MEDIA_SENDONLY) && !call->offered_hold)
        remote_hold = call->offered_direction ? !(sip_sdp_get_direction(answer) & SIP_MEDIA_SENDONLY)
                                              : call->remote_hold;
    if (!(formats = call_formats(call, &error)))
    {
        sdp_message_free(answer);
        goto failed;
    }
    if (!sip_sdp_parse_answer(answer, call->offered_direction, formats, &negotiated, &error))
    {
        g_free(formats);
        sdp_message_free(answer);
        goto failed;
    }
    g_free(formats);
    sdp_message_free(answer);
    call_start_media(call, &negotiated);
    sip_media_params_clear(&negotiated);
    call_set_hold(call, call->offered_hold, remote_hold);
    return TRUE;

failed:
    g_message("call %s: unusable SDP answer: %s", call->call_id, error->message);
    g_error_free(error);
    sip_media_params_clear(&negotiated);
    return FALSE;
}

/* The SDP body of a message, or NULL. */
char *call_sdp_body(const osip_message_t *message)
{
    osip_body_t *body = NULL;

    if (!message->content_type || !message->content_type->type || !message->content_type->subtype
        || g_ascii_strcasecmp(message->content_type->type, "application")
        || g_ascii_strcasecmp(message->content_type->subtype, "sdp"))
        return NULL;
    osip_message_get_body(message, 0, &body);
    if (!body || !body->body || !body->length)
        return NULL;
    return g_strndup(body->body, body->length);
}

/* ---- per-call controls (sip_media.h) ---- */

static gboolean check_device(enum sip_media_device device, GError **error)
{
    if (device == SIP_MEDIA_SPEAKER || device == SIP_MEDIA_MICROPHONE)
        return TRUE;
    g_set_error(error, SIP_MEDIA_ERROR, SIP_MEDIA_ERROR_INVALID, "No audio device %d", device);
    return FALSE;
}

gboolean sip_call_send_dtmf(struct sip_call *call, guint event, GError **error)
{
    if (!call_check_attached(call, error))
        return FALSE;
    if (call->state != SIP_CALL_STATE_CONNECTED || !call->stream || !call->media_negotiated)
    {
        g_set_error_literal(error, SIP_MEDIA_ERROR, SIP_MEDIA_ERROR_NO_STREAM, "The call is not connected");
        return FALSE;
    }
    return sip_media_stream_send_dtmf(call->stream, event, error);
}

gboolean sip_call_set_media_volume(struct sip_call *call, enum sip_media_device device, double volume,
                                   GError **error)
{
    if (!call_check_attached(call, error) || !check_device(device, error))
        return FALSE;
    if (!(volume >= 0.0 && volume <= 1.0))
    {
        g_set_error(error, SIP_MEDIA_ERROR, SIP_MEDIA_ERROR_INVALID, "Volume %g outside 0..1", volume);
        return FALSE;
    }
    if (!sip_media_stream_set_volume(call->stream, device, volume, call->media_muted[device], error))
        return FALSE;
    call->media_volume[device] = volume;
    return TRUE;
}

double sip_call_get_media_volume(struct sip_call *call, enum sip_media_device device)
{
    return check_device(device, NULL) ? call->media_volume[device] : 0.0;
}

gboolean sip_call_set_media_muted(struct sip_call *call, enum sip_media_device device, gboolean muted,
                                  GError **error)
{
    if (!call_check_attached(call, error) || !check_device(device, error))
        return FALSE;
    if (!sip_media_stream_set_volume(call->stream, device, call->media_volume[device], !!muted, error))
        return FALSE;
    call->media_muted[device] = !!muted;
    return TRUE;
}

gboolean sip_call_get_media_muted(struct sip_call *call, enum sip_media_device device)
{
    return check_device(device, NULL) && call->media_muted[device];
}

gboolean sip_call_set_silence_suppression(struct sip_call *call, gboolean enabled, GError **error)
{
    if (!call_check_attached(call, error))
        return FALSE;
    if (!call->stream && !call->engine->media->funcs->stream_set_silence_suppression)
    {
        g_set_error_literal(error, SIP_MEDIA_ERROR, SIP_MEDIA_ERROR_UNSUPPORTED,
                            "The media backend cannot suppress silence");
        return FALSE;
    }
    if (!sip_media_stream_set_silence_suppression(call->stream, enabled, error))
        return FALSE;
    call->silence_suppression = !!enabled;
    return TRUE;
}

gboolean sip_call_get_silence_suppression(struct sip_call *call)
{
    return call->silence_suppression;
}

gboolean sip_engine_audio_fits(struct sip_engine *engine, guint bits_per_second, GError **error)
{
    struct sip_media_format *formats;
    GError *inner = NULL;

    if (!(formats = sip_sdp_formats_within(sip_media_backend_get_formats(engine->media), bits_per_second, &inner)))
    {
        g_set_error_literal(error, SIP_MEDIA_ERROR, SIP_MEDIA_ERROR_INVALID, inner->message);
        g_error_free(inner);
        return FALSE;
    }
    g_free(formats);
    return TRUE;
}

gboolean sip_engine_set_calls_max_bandwidth(struct sip_engine *engine, guint bits_per_second, GError **error)
{
    if (!sip_engine_audio_fits(engine, bits_per_second, error))
        return FALSE;
    engine->calls_max_bandwidth = bits_per_second;
    return TRUE;
}

guint sip_engine_get_calls_max_bandwidth(struct sip_engine *engine)
{
    return engine->calls_max_bandwidth;
}

gboolean sip_call_set_max_bandwidth(struct sip_call *call, guint bits_per_second, GError **error)
{
    if (!sip_engine_audio_fits(call->engine, bits_per_second, error))
        return FALSE;
    /* An incoming call's answer was made when its INVITE came; unless a 183
     * carried it already (the 200 must repeat it), the 200 makes it anew. */
    if (call->max_bandwidth != bits_per_second && call->prepared_answer && call->state != SIP_CALL_STATE_EARLY_MEDIA)
    {
        g_free(call->prepared_answer);
        call->prepared_answer = NULL;
    }
    call->max_bandwidth = bits_per_second;
    return TRUE;
}

guint sip_call_get_max_bandwidth(struct sip_call *call)
{
    return call->max_bandwidth;
}

guint sip_call_get_media_level(struct sip_call *call, enum sip_media_device device)
{
    return check_device(device, NULL) ? call->media_level[device] : 0;
}

enum sip_media_flow_state sip_call_get_media_flow(struct sip_call *call, enum sip_media_flow flow,
                                                  enum sip_media_flow_reason *reason)
{
    if (flow != SIP_MEDIA_FLOW_SEND && flow != SIP_MEDIA_FLOW_RECEIVE)
        return SIP_MEDIA_FLOW_STOPPED;
    if (reason)
        *reason = call->flow_reason[flow];
    return call->flow_state[flow];
}

gboolean sip_call_get_media_stats(struct sip_call *call, struct sip_media_stats *stats)
{
    sip_media_stream_get_stats(call->stream, stats);
    return call->stream != NULL;
}

guint sip_call_get_media_directions(struct sip_call *call)
{
    return call->media_negotiated ? call->media.direction : 0;
}

void sip_engine_set_calls_audio(struct sip_engine *engine, guint directions)
{
    g_return_if_fail(!(directions & ~(guint)SIP_MEDIA_SENDRECV));
    engine->calls_audio = directions;
}

struct sip_media_backend *sip_engine_get_media_backend(struct sip_engine *engine)
{
    return engine ? engine->media : NULL;
}
