/*
 * INVITE sessions (RFC 3261 §13-15) with SDP offer/answer (RFC 3264):
 * outgoing and incoming calls, CANCEL, BYE, re-INVITE hold/resume with
 * glare handling, forks, 2xx retransmission, in-dialog INFO and MESSAGE.
 *
 * The API side is sip_call.h, the engine side call.h. A call is owned by
 * whoever holds references: the API layer, the engine's registry (until a
 * while after the call ends, so late retransmissions still find it), its
 * transactions, timers and queued events.
 */
#ifndef G_LOG_DOMAIN
#define G_LOG_DOMAIN "rtcshim"
#endif

#include <string.h>

#include "call.h"
#include "engine.h"
#include "refer.h"
#include "refer_to.h"
#include "replaces.h"
#include "sdp_offer_answer.h"
#include "sipfrag.h"

/* How long an ended call stays findable: long enough for the peer's
 * retransmissions (64*T1) to be answered from the dialog. */
#define CALL_LINGER_MS SIP_TIMER_64T1_MS

struct sip_call
{
    gint refcount;
    struct sip_engine *engine;              /* NULL once detached */
    enum sip_call_state state;
    gboolean incoming;
    gboolean registered;
    void *user_data;

    char *call_id;
    char *local_tag;
    char *remote_tag;                       /* incoming: the caller's From tag */
    char *local_uri;
    char *local_user;                       /* user part for our Contact */
    char *remote_uri;
    char *remote_display_name;

    osip_message_t *invite;                 /* our INVITE as sent (with Via), or the peer's as received */
    struct sip_call *replaced_call;         /* incoming with Replaces: the call it takes over */
    struct sip_dialog *dialog;              /* the call's dialog (confirmed, or early while ringing) */
    GPtrArray *early_dialogs;               /* outgoing: struct sip_dialog *, one per To tag */
    GHashTable *dismissed_forks;            /* outgoing: To tag -> the ACK sent to a losing fork */
    GPtrArray *refers;                      /* struct sip_refer * in this dialog, not referenced */

    /* outgoing INVITE */
    osip_transaction_t *invite_transaction; /* its client transaction while it lives */
    struct sip_next_hop invite_hop;
    gboolean provisional_received;
    gboolean cancel_pending;                /* hung up before any 1xx: CANCEL on the first */
    gboolean cancelled;                     /* hung up before the 2xx (CANCEL sent or pending) */
    struct engine_timer *cancel_timer;

    /* incoming INVITE */
    osip_transaction_t *invite_server;      /* its server transaction while it lives */
    gboolean invite_answered;               /* a final response went out */
    guint32 invite_cseq;
    char *remote_offer;                     /* the INVITE's SDP, NULL if it had none */
    char *prepared_answer;                  /* our answer to it, made when it came */
    struct sip_media_params prepared_media; /* what that answer agreed */
    gboolean prepared_remote_hold;
    gboolean prepared_local_hold;           /* the hold wish it was made with */

    /* our 2xx to an INVITE (initial or re-), retransmitted until ACKed */
    osip_message_t *pending_2xx;
    guint32 pending_2xx_cseq;
    enum sip_transport_protocol pending_2xx_protocol;
    guint pending_2xx_connection;
    gboolean pending_2xx_carries_offer;     /* the ACK must carry the answer */
    struct engine_timer *retransmit_timer;
    guint retransmit_interval;
    guint retransmit_elapsed;
    gboolean bye_after_ack;                 /* hung up while the 2xx waited for its ACK */

    /* the ACK we sent for a 2xx, resent for each 2xx retransmission */
    osip_message_t *last_ack;
    guint32 last_ack_cseq;
    struct sip_next_hop ack_hop;

    /* our re-INVITEs (hold/resume) */
    osip_transaction_t *reinvite_transaction;
    guint32 reinvite_cseq;
    enum sip_media_direction offered_direction;
    gboolean want_local_hold;
    struct engine_timer *glare_timer;

    /* media */
    struct sip_sdp_origin origin;
    struct sip_media_stream *stream;
    struct sip_media_params media;          /* as negotiated; direction is ours */
    gboolean media_negotiated;
    gboolean local_hold;
    gboolean remote_hold;

    /* outcome */
    guint status_code;
    char *reason_phrase;
    enum sip_call_end_reason end_reason;
    GPtrArray *redirect_contacts;           /* char *, NULL-terminated */
    gboolean bye_sent;
    struct engine_timer *linger_timer;
};

static void call_send_bye(struct sip_call *call);
static void call_send_cancel(struct sip_call *call);
static void call_maybe_reinvite(struct sip_call *call);

const char *sip_call_state_name(enum sip_call_state state)
{
    switch (state)
    {
    case SIP_CALL_STATE_CALLING: return "calling";
    case SIP_CALL_STATE_RINGING: return "ringing";
    case SIP_CALL_STATE_EARLY_MEDIA: return "early-media";
    case SIP_CALL_STATE_INCOMING: return "incoming";
    case SIP_CALL_STATE_ANSWERING: return "answering";
    case SIP_CALL_STATE_CONNECTED: return "connected";
    case SIP_CALL_STATE_TERMINATED: return "terminated";
    }
    return "unknown";
}

const char *sip_call_end_reason_name(enum sip_call_end_reason reason)
{
    switch (reason)
    {
    case SIP_CALL_END_NONE: return "none";
    case SIP_CALL_END_LOCAL_HANGUP: return "local-hangup";
    case SIP_CALL_END_REMOTE_HANGUP: return "remote-hangup";
    case SIP_CALL_END_LOCAL_CANCEL: return "local-cancel";
    case SIP_CALL_END_REMOTE_CANCEL: return "remote-cancel";
    case SIP_CALL_END_REJECTED: return "rejected";
    case SIP_CALL_END_REDIRECTED: return "redirected";
    case SIP_CALL_END_DECLINED: return "declined";
    case SIP_CALL_END_TIMEOUT: return "timeout";
    case SIP_CALL_END_TRANSPORT_ERROR: return "transport-error";
    case SIP_CALL_END_DIALOG_GONE: return "dialog-gone";
    }
    return "unknown";
}

/* ---- life cycle ---------------------------------------------------------------- */

struct sip_call *sip_call_ref(struct sip_call *call)
{
    g_return_val_if_fail(call != NULL, NULL);
    g_atomic_int_inc(&call->refcount);
    return call;
}

static void free_dialog_array(GPtrArray *dialogs)
{
    if (dialogs)
        g_ptr_array_free(dialogs, TRUE);
}

static void call_release_stream(struct sip_call *call)
{
    if (call->stream)
    {
        sip_media_stream_free(call->stream);
        call->stream = NULL;
    }
}

void sip_call_unref(struct sip_call *call)
{
    if (!call || !g_atomic_int_dec_and_test(&call->refcount))
        return;
    /* Timers, transactions and the registry hold references: none is left. */
    if (call->engine)
        engine_untrack_call(call->engine, call);
    call_release_stream(call);
    if (call->replaced_call)
        sip_call_unref(call->replaced_call);
    sip_dialog_free(call->dialog);
    free_dialog_array(call->early_dialogs);
    if (call->dismissed_forks)
        g_hash_table_destroy(call->dismissed_forks);
    if (call->refers)
        g_ptr_array_free(call->refers, TRUE);
    osip_message_free(call->invite);
    osip_message_free(call->pending_2xx);
    osip_message_free(call->last_ack);
    sip_media_params_clear(&call->media);
    sip_media_params_clear(&call->prepared_media);
    g_free(call->prepared_answer);
    g_free(call->remote_offer);
    g_free(call->call_id);
    g_free(call->local_tag);
    g_free(call->remote_tag);
    g_free(call->local_uri);
    g_free(call->local_user);
    g_free(call->remote_uri);
    g_free(call->remote_display_name);
    g_free(call->reason_phrase);
    g_ptr_array_free(call->redirect_contacts, TRUE);
    g_free(call);
}

static struct sip_call *call_new(struct sip_engine *engine, gboolean incoming)
{
    struct sip_call *call = g_new0(struct sip_call, 1);

    call->refcount = 1;
    call->engine = engine;
    call->incoming = incoming;
    call->state = incoming ? SIP_CALL_STATE_INCOMING : SIP_CALL_STATE_CALLING;
    call->reason_phrase = g_strdup("");
    call->redirect_contacts = g_ptr_array_new_with_free_func(g_free);
    g_ptr_array_add(call->redirect_contacts, NULL);
    call->early_dialogs = g_ptr_array_new_with_free_func((GDestroyNotify)sip_dialog_free);
    sip_sdp_origin_init(&call->origin);
    engine->call_count++;
    engine_track_call(engine, call);
    return call;
}

static void call_register(struct sip_call *call)
{
    engine_register_call(call->engine, call, call->call_id, call->local_tag, call->incoming ? call->remote_tag : NULL);
    call->registered = TRUE;
}

static void call_unregister(struct sip_call *call)
{
    if (!call->registered)
        return;
    call->registered = FALSE;
    engine_unregister_call(call->engine, call, call->call_id, call->local_tag,
                           call->incoming ? call->remote_tag : NULL);
}

static void set_status(struct sip_call *call, guint code, const char *reason)
{
    if (!reason || !*reason)
        reason = sip_reason_phrase(code);
    call->status_code = code;
    g_free(call->reason_phrase);
    call->reason_phrase = g_strdup(reason ? reason : "");
}

/* ---- events up --------------------------------------------------------------------- */

struct state_event
{
    struct sip_call *call;
    enum sip_call_state state;
    guint status_code;
    char *reason;
};

static void state_event_free(void *data)
{
    struct state_event *event = data;

    sip_call_unref(event->call);
    g_free(event->reason);
    g_free(event);
}

static void deliver_state(struct sip_engine *engine, void *data)
{
    struct state_event *event = data;

    if (engine->callbacks.call_state_changed)
        engine->callbacks.call_state_changed(event->call, event->state, event->status_code, event->reason,
                                             engine->user_data);
}

static void report_state(struct sip_call *call)
{
    struct state_event *event = g_new0(struct state_event, 1);

    event->call = sip_call_ref(call);
    event->state = call->state;
    event->status_code = call->status_code;
    event->reason = g_strdup(call->reason_phrase);
    engine_queue_event(call->engine, deliver_state, event, state_event_free);
}

struct media_event
{
    struct sip_call *call;
    gboolean local_hold, remote_hold;
};

static void media_event_free(void *data)
{
    struct media_event *event = data;

    sip_call_unref(event->call);
    g_free(event);
}

static void deliver_media(struct sip_engine *engine, void *data)
{
    struct media_event *event = data;

    if (engine->callbacks.call_media_changed)
        engine->callbacks.call_media_changed(event->call, event->local_hold, event->remote_hold, engine->user_data);
}

static void report_media(struct sip_call *call)
{
    struct media_event *event = g_new0(struct media_event, 1);

    event->call = sip_call_ref(call);
    event->local_hold = call->local_hold;
    event->remote_hold = call->remote_hold;
    engine_queue_event(call->engine, deliver_media, event, media_event_free);
}

static void deliver_incoming_call(struct sip_engine *engine, void *data)
{
    if (engine->callbacks.incoming_call)
        engine->callbacks.incoming_call(engine, data, engine->user_data);
}

static void call_set_state(struct sip_call *call, enum sip_call_state state)
{
    if (call->state == SIP_CALL_STATE_TERMINATED)
        return;
    call->state = state;
    report_state(call);
}

/* ---- timers ------------------------------------------------------------------------ */

static struct engine_timer *call_timer_start(struct sip_call *call, guint delay_ms, engine_timer_func func)
{
    return engine_timer_start(call->engine, delay_ms, func, sip_call_ref(call), (GDestroyNotify)sip_call_unref);
}

static void call_timer_cancel(struct sip_call *call, struct engine_timer **timer)
{
    struct engine_timer *pending = *timer;

    *timer = NULL;
    engine_timer_cancel(call->engine, pending);
}

static void linger_expired(struct sip_engine *engine, void *data)
{
    struct sip_call *call = data;

    (void)engine;
    call->linger_timer = NULL;
    call_unregister(call);
}

static void stop_2xx_retransmission(struct sip_call *call)
{
    call_timer_cancel(call, &call->retransmit_timer);
    osip_message_free(call->pending_2xx);
    call->pending_2xx = NULL;
}

/* Tells the refers of the dialog that the call ends (see refer_call_ending). */
static void end_refers(struct sip_call *call, gboolean can_send)
{
    GPtrArray *refers;
    guint i;

    if (!call->refers || !call->refers->len)
        return;
    /* Each refer leaves the list as it ends: work on a referenced copy. */
    refers = g_ptr_array_new_full(call->refers->len, (GDestroyNotify)sip_refer_unref);
    for (i = 0; i < call->refers->len; i++)
        g_ptr_array_add(refers, sip_refer_ref(g_ptr_array_index(call->refers, i)));
    for (i = 0; i < refers->len; i++)
        refer_call_ending(g_ptr_array_index(refers, i), can_send);
    g_ptr_array_free(refers, TRUE);
}

/* The call is over for the API layer. What the protocol still has to do
 * (a BYE to send after the ACK, a 2xx racing our CANCEL) goes on. */
static void call_terminate(struct sip_call *call, enum sip_call_end_reason reason, guint code, const char *phrase)
{
    if (call->state == SIP_CALL_STATE_TERMINATED)
        return;
    call->end_reason = reason;
    if (code)
        set_status(call, code, phrase);
    call_timer_cancel(call, &call->glare_timer);
    /* Nothing restarts the media of an ended call: its ports go back now
     * (also while the application still holds the call). */
    call_release_stream(call);
    end_refers(call, FALSE);
    call->engine->call_count--;
    g_debug("call %s terminated: %s (%u %s)", call->call_id, sip_call_end_reason_name(reason), call->status_code,
            call->reason_phrase);
    call->state = SIP_CALL_STATE_TERMINATED;
    report_state(call);

    /* What an ended call no longer needs goes now (10,000s of calls a
     * minute must not pile up). An incoming call keeps its dialog a while
     * only if a 2xx still waits for its ACK or a transfer may still NOTIFY;
     * an outgoing one always does, to ACK again a 2xx that is resent. */
    g_free(call->remote_offer);
    call->remote_offer = NULL;
    g_free(call->prepared_answer);
    call->prepared_answer = NULL;
    sip_media_params_clear(&call->prepared_media);
    g_ptr_array_set_size(call->early_dialogs, 0);
    if (call->incoming)
    {
        osip_message_free(call->invite);
        call->invite = NULL;
    }
    if (!call->linger_timer)
        call->linger_timer = call_timer_start(call, call->incoming && !call->pending_2xx
                                                    && (!call->refers || !call->refers->len) ? 0 : CALL_LINGER_MS,
                                              linger_expired);
}

/* ---- media ------------------------------------------------------------------------- */

/* The host part of a URI for picking our local address; NULL if none. */
static const char *peer_host(struct sip_call *call)
{
    if (call->dialog && call->dialog->remote_target)
        return call->dialog->remote_target->host;
    if (call->invite && call->invite->req_uri)
        return call->invite->req_uri->host;
    return NULL;
}

/* Binds the call's media stream (once) and gives the address for SDP. */
static gboolean call_ensure_stream(struct sip_call *call, enum sip_transport_protocol protocol, const char *peer,
                                   char address[SIP_HOST_BUFFER_SIZE], GError **error)
{
    char bind_host[SIP_HOST_BUFFER_SIZE];
    const char *advertised;

    if (!engine_media_address(call->engine, protocol, peer, bind_host, &advertised))
    {
        g_set_error(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_NO_TRANSPORT, "no local address for media");
        return FALSE;
    }
    g_strlcpy(address, advertised, SIP_HOST_BUFFER_SIZE);
    if (call->stream)
        return TRUE;
    call->stream = sip_media_stream_new(call->engine->media, bind_host, error);
    return call->stream != NULL;
}

static void start_media(struct sip_call *call, const struct sip_media_params *negotiated)
{
    GError *error = NULL;

    sip_media_params_clear(&call->media);
    sip_media_params_copy(&call->media, negotiated);
    call->media_negotiated = TRUE;
    if (call->stream && !sip_media_stream_start(call->stream, negotiated, &error))
    {
        g_message("call %s: media did not start: %s", call->call_id, error->message);
        g_error_free(error);
    }
}

/* Updates the hold flags; reports a change. */
static void set_hold(struct sip_call *call, gboolean local_hold, gboolean remote_hold)
{
    if (call->local_hold == local_hold && call->remote_hold == remote_hold)
        return;
    call->local_hold = local_hold;
    call->remote_hold = remote_hold;
    report_media(call);
}

/* Our offer's direction (RFC 3264 §8.4): sendonly to hold, inactive if the
 * stream was already recvonly (the peer holds us); sendrecv otherwise. */
static enum sip_media_direction offer_direction(struct sip_call *call)
{
    if (!call->want_local_hold)
        return SIP_MEDIA_SENDRECV;
    if (call->media_negotiated && !(call->media.direction & SIP_MEDIA_SENDONLY))
        return SIP_MEDIA_INACTIVE;
    return call->remote_hold ? SIP_MEDIA_INACTIVE : SIP_MEDIA_SENDONLY;
}

static char *build_offer(struct sip_call *call, enum sip_transport_protocol protocol, const char *peer,
                         enum sip_media_direction direction, GError **error)
{
    char address[SIP_HOST_BUFFER_SIZE];
    sdp_message_t *sdp;
    char *text;

    if (!call_ensure_stream(call, protocol, peer, address, error))
        return NULL;
    sdp = sip_sdp_build_offer(&call->origin, address, sip_media_stream_get_port(call->stream), direction, error);
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
static char *build_answer(struct sip_call *call, const char *offer_text, enum sip_transport_protocol protocol,
                          const char *peer, gboolean apply, guint *code)
{
    struct sip_media_params negotiated = { 0 };
    char address[SIP_HOST_BUFFER_SIZE];
    GError *error = NULL;
    sdp_message_t *offer, *answer;
    gboolean remote_hold;
    char *text = NULL;

    *code = 488;
    if (!(offer = sip_sdp_parse(offer_text, &error)))
    {
        *code = 400;
        goto failed;
    }
    remote_hold = sip_sdp_is_hold(offer);
    if (!call_ensure_stream(call, protocol, peer, address, &error))
    {
        *code = 500;
        sdp_message_free(offer);
        goto failed;
    }
    answer = sip_sdp_build_answer(offer, &call->origin, address, sip_media_stream_get_port(call->stream),
                                  call->want_local_hold ? SIP_MEDIA_SENDONLY : SIP_MEDIA_SENDRECV,
                                  &negotiated, &error);
    sdp_message_free(offer);
    if (!answer)
    {
        if (g_error_matches(error, SIP_SDP_ERROR, SIP_SDP_ERROR_INVALID))
            *code = 400;
        goto failed;
    }
    text = sip_sdp_to_string(answer);
    sdp_message_free(answer);
    if (apply)
    {
        start_media(call, &negotiated);
        set_hold(call, call->want_local_hold, remote_hold);
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

/* Takes the answer to our offer. */
static gboolean take_answer(struct sip_call *call, const char *answer_text)
{
    struct sip_media_params negotiated = { 0 };
    GError *error = NULL;
    sdp_message_t *answer;
    gboolean remote_hold;

    if (!(answer = sip_sdp_parse(answer_text, &error)))
        goto failed;
    remote_hold = sip_sdp_is_hold(answer);
    if (!sip_sdp_parse_answer(answer, call->offered_direction, &negotiated, &error))
    {
        sdp_message_free(answer);
        goto failed;
    }
    sdp_message_free(answer);
    start_media(call, &negotiated);
    sip_media_params_clear(&negotiated);
    set_hold(call, call->offered_direction != SIP_MEDIA_SENDRECV, remote_hold);
    return TRUE;

failed:
    g_message("call %s: unusable SDP answer: %s", call->call_id, error->message);
    g_error_free(error);
    sip_media_params_clear(&negotiated);
    return FALSE;
}

/* The SDP body of a message, or NULL. */
static char *sdp_body(const osip_message_t *message)
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

/* ---- sending in the dialog ---------------------------------------------------------- */

static void add_contact(struct sip_call *call, osip_message_t *message, enum sip_transport_protocol protocol)
{
    engine_add_contact(call->engine, message, call->local_user, protocol, peer_host(call));
}

static osip_transaction_t *send_in_dialog(struct sip_call *call, struct sip_dialog *dialog, osip_message_t *request,
                                          const struct engine_transaction_user *user, void *data,
                                          GDestroyNotify destroy, GError **error)
{
    struct sip_next_hop hop;

    if (!sip_dialog_next_hop(dialog, &hop))
    {
        g_set_error(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_UNRESOLVABLE,
                    "cannot reach the peer at \"%s\" (IP addresses only)", hop.host);
        osip_message_free(request);
        if (destroy)
            destroy(data);
        return NULL;
    }
    (void)call;
    return engine_send_request(call->engine, request, &hop, user, data, destroy, error);
}

static void bye_response(struct sip_engine *engine, osip_transaction_t *transaction, const osip_message_t *response,
                         guint status_code, void *data)
{
    (void)engine;
    (void)transaction;
    (void)response;
    if (status_code >= 200)
        g_debug("call %s: BYE answered %u", ((struct sip_call *)data)->call_id, status_code);
}

/* Any in-dialog request answered with credentials moves the dialog's CSeq on. */
static void dialog_request_replaced(struct sip_engine *engine, osip_transaction_t *old_transaction,
                                    osip_transaction_t *replacement, const osip_message_t *request, void *data)
{
    (void)engine;
    (void)old_transaction;
    (void)replacement;
    call_note_cseq(data, engine_cseq_number(request));
}

static const struct engine_transaction_user bye_user = { bye_response, NULL, dialog_request_replaced };

static void call_send_bye(struct sip_call *call)
{
    GError *error = NULL;
    osip_message_t *bye;

    if (call->bye_sent || !call->dialog)
        return;
    call->bye_sent = TRUE;
    if (!(bye = sip_dialog_build_request(call->dialog, "BYE")))
        return;
    if (!send_in_dialog(call, call->dialog, bye, &bye_user, sip_call_ref(call), (GDestroyNotify)sip_call_unref,
                        &error))
    {
        g_message("call %s: BYE not sent: %s", call->call_id, error->message);
        g_error_free(error);
    }
}

static void send_ack(struct sip_call *call, struct sip_dialog *dialog, guint32 cseq)
{
    osip_message_t *ack = sip_dialog_build_ack(dialog, cseq);

    if (!ack)
        return;
    sip_dialog_next_hop(dialog, &call->ack_hop);
    if (!engine_send_ack(call->engine, ack, &call->ack_hop))
        g_message("call %s: cannot send the ACK", call->call_id);
    osip_message_free(call->last_ack);
    call->last_ack = ack;
    call->last_ack_cseq = cseq;
}

/* ---- outgoing calls ------------------------------------------------------------------ */

static void cancel_expired(struct sip_engine *engine, void *data)
{
    struct sip_call *call = data;

    /* §9.1: no final response 64*T1 after the CANCEL: the INVITE is dead. */
    call->cancel_timer = NULL;
    if (call->invite_transaction)
        engine_abandon_transaction(engine, call->invite_transaction);
}

static const struct engine_transaction_user cancel_user = { NULL, NULL, NULL };

static void call_send_cancel(struct sip_call *call)
{
    const osip_message_t *invite = call->invite_transaction ? call->invite_transaction->orig_request : NULL;
    osip_message_t *cancel;
    struct sip_next_hop hop = call->invite_hop;
    GError *error = NULL;
    char buffer[32];
    osip_via_t *via = NULL;
    int i;

    call->cancel_pending = FALSE;
    if (!invite || osip_message_init(&cancel))
        return;
    /* §9.1: same Request-URI, top Via, From, To, Call-ID, CSeq number and Route. */
    osip_message_set_method(cancel, osip_strdup("CANCEL"));
    osip_message_set_version(cancel, osip_strdup("SIP/2.0"));
    osip_uri_clone(invite->req_uri, &cancel->req_uri);
    if (!osip_via_clone(osip_list_get(&invite->vias, 0), &via))
        osip_list_add(&cancel->vias, via, -1);
    osip_from_clone(invite->from, &cancel->from);
    osip_to_clone(invite->to, &cancel->to);
    osip_call_id_clone(invite->call_id, &cancel->call_id);
    g_snprintf(buffer, sizeof(buffer), "%s CANCEL", invite->cseq->number);
    osip_message_set_cseq(cancel, buffer);
    for (i = 0; !osip_list_eol(&invite->routes, i); i++)
    {
        osip_route_t *route = NULL;

        if (!osip_route_clone(osip_list_get(&invite->routes, i), &route))
            osip_list_add(&cancel->routes, route, -1);
    }
    osip_message_set_max_forwards(cancel, "70");
    hop.connection_id = engine_transaction_connection(call->invite_transaction);
    if (!engine_send_request(call->engine, cancel, &hop, &cancel_user, NULL, NULL, &error))
    {
        g_message("call %s: CANCEL not sent: %s", call->call_id, error->message);
        g_error_free(error);
    }
    if (!call->cancel_timer)
        call->cancel_timer = call_timer_start(call, SIP_TIMER_64T1_MS, cancel_expired);
}

static struct sip_dialog *find_early_dialog(struct sip_call *call, const char *remote_tag, gboolean remove)
{
    guint i;

    for (i = 0; i < call->early_dialogs->len; i++)
    {
        struct sip_dialog *dialog = g_ptr_array_index(call->early_dialogs, i);

        if (!g_strcmp0(dialog->remote_tag, remote_tag))
            return remove ? g_ptr_array_steal_index(call->early_dialogs, i) : dialog;
    }
    return NULL;
}

static struct sip_dialog *new_uac_dialog(struct sip_call *call, const osip_message_t *response)
{
    struct sip_dialog *dialog = sip_dialog_new_uac(call->invite, response);

    if (dialog)
    {
        dialog->protocol = call->invite_hop.protocol;
        dialog->connection_id = call->invite_hop.connection_id;
    }
    return dialog;
}

static void invite_provisional(struct sip_call *call, const osip_message_t *response, guint code)
{
    const char *to_tag = sip_header_tag(response->to);
    struct sip_dialog *dialog = NULL;
    char *answer;

    call->provisional_received = TRUE;
    if (call->cancel_pending)
        call_send_cancel(call);
    if (code == 100 || call->state == SIP_CALL_STATE_TERMINATED)
        return;

    if (to_tag && !(dialog = find_early_dialog(call, to_tag, FALSE)) && (dialog = new_uac_dialog(call, response)))
        g_ptr_array_add(call->early_dialogs, dialog);
    set_status(call, code, response->reason_phrase);
    if ((answer = sdp_body(response)))
    {
        /* Early media (183, or a 180 with SDP): the answer to our offer. */
        take_answer(call, answer);
        g_free(answer);
        call->state = SIP_CALL_STATE_EARLY_MEDIA;
    }
    else if (call->state != SIP_CALL_STATE_EARLY_MEDIA)
    {
        call->state = SIP_CALL_STATE_RINGING;
    }
    report_state(call);
}

static void invite_succeeded(struct sip_call *call, const osip_message_t *response)
{
    const char *to_tag = sip_header_tag(response->to);
    struct sip_dialog *dialog;
    char *answer;

    dialog = to_tag ? find_early_dialog(call, to_tag, TRUE) : NULL;
    if (dialog)
        sip_dialog_confirm_uac(dialog, response);
    else if (!(dialog = new_uac_dialog(call, response)))
    {
        g_message("call %s: 2xx without a usable dialog", call->call_id);
        call_terminate(call, SIP_CALL_END_REJECTED, 500, "Unusable 2xx");
        return;
    }
    dialog->connection_id = call->invite_hop.connection_id;
    call->dialog = dialog;
    g_ptr_array_set_size(call->early_dialogs, 0);
    send_ack(call, dialog, call->invite_cseq);

    if (call->cancelled || call->state == SIP_CALL_STATE_TERMINATED)
    {
        /* The 2xx crossed our CANCEL: the session exists, end it (§15). */
        call_send_bye(call);
        return;
    }
    set_status(call, osip_message_get_status_code(response), response->reason_phrase);
    if ((answer = sdp_body(response)))
    {
        take_answer(call, answer);
        g_free(answer);
    }
    call_set_state(call, SIP_CALL_STATE_CONNECTED);
    call_maybe_reinvite(call);
}

static void invite_failed(struct sip_call *call, const osip_message_t *response, guint code)
{
    enum sip_call_end_reason reason;
    int i;

    if (!response)
    {
        reason = call->cancelled ? SIP_CALL_END_LOCAL_CANCEL
                 : code == 408 ? SIP_CALL_END_TIMEOUT : SIP_CALL_END_TRANSPORT_ERROR;
        call_terminate(call, reason, code, NULL);
        return;
    }
    if (code < 400)
    {
        osip_contact_t *contact;

        g_ptr_array_set_size(call->redirect_contacts, 0);
        for (i = 0; osip_message_get_contact(response, i, &contact) >= 0; i++)
            if (contact && contact->url)
                g_ptr_array_add(call->redirect_contacts, engine_uri_string(contact->url));
        g_ptr_array_add(call->redirect_contacts, NULL);
        reason = SIP_CALL_END_REDIRECTED;
    }
    else
    {
        reason = call->cancelled && code == 487 ? SIP_CALL_END_LOCAL_CANCEL : SIP_CALL_END_REJECTED;
    }
    call_terminate(call, reason, code, response->reason_phrase);
}

static void invite_response(struct sip_engine *engine, osip_transaction_t *transaction,
                            const osip_message_t *response, guint code, void *data)
{
    struct sip_call *call = data;

    (void)engine;
    if (!call->engine)
        return;
    if (code >= 200 && call->invite_transaction == transaction)
    {
        /* Final: nothing left to CANCEL (the transaction may linger, timer D). */
        call->invite_transaction = NULL;
        call_timer_cancel(call, &call->cancel_timer);
    }
    if (response && code < 200)
        invite_provisional(call, response, code);
    else if (response && code < 300)
        invite_succeeded(call, response);
    else
        invite_failed(call, response, code);
}

static void invite_terminated(struct sip_engine *engine, osip_transaction_t *transaction, void *data)
{
    struct sip_call *call = data;

    (void)engine;
    if (call->invite_transaction == transaction)
        call->invite_transaction = NULL;
    if (call->engine)
        call_timer_cancel(call, &call->cancel_timer);
}

static void invite_replaced(struct sip_engine *engine, osip_transaction_t *old_transaction,
                            osip_transaction_t *replacement, const osip_message_t *request, void *data)
{
    struct sip_call *call = data;

    (void)engine;
    /* The INVITE went again with credentials: forks and ACKs follow the new one. */
    if (call->invite_transaction == old_transaction)
        call->invite_transaction = replacement;
    call->invite_cseq = engine_cseq_number(request);
    osip_message_free(call->invite);
    call->invite = NULL;
    osip_message_clone(request, &call->invite);
}

static const struct engine_transaction_user invite_user = { invite_response, invite_terminated, invite_replaced };

/* Adds "Name: value" lines to a message; FALSE on a line without a name. */
static gboolean add_header_lines(osip_message_t *message, const char *const *lines, GError **error)
{
    for (; lines && *lines; lines++)
    {
        const char *colon = strchr(*lines, ':');
        char *name, *value;

        if (!colon || colon == *lines)
        {
            g_set_error(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_INVALID_ARGUMENT, "not a header line: \"%s\"",
                        *lines);
            return FALSE;
        }
        name = g_strstrip(g_strndup(*lines, colon - *lines));
        value = g_strstrip(g_strdup(colon + 1));
        osip_message_set_header(message, name, value);
        g_free(name);
        g_free(value);
    }
    return TRUE;
}

/* Splits headers embedded in a target URI (§19.1.5) off: *uri gets the
 * target without them, *lines the ones to copy into the INVITE. */
static gboolean split_target(const char *to, char **uri, GPtrArray **lines, GError **error)
{
    struct sip_refer_to target = { 0 };
    GError *parse_error = NULL;
    guint i;

    *lines = g_ptr_array_new_with_free_func(g_free);
    if (!strchr(to, '?'))
    {
        *uri = g_strdup(to);
        g_ptr_array_add(*lines, NULL);
        return TRUE;
    }
    if (!sip_refer_to_parse(to, &target, &parse_error))
    {
        g_set_error(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_INVALID_ARGUMENT, "bad target \"%s\": %s", to,
                    parse_error->message);
        g_error_free(parse_error);
        g_ptr_array_free(*lines, TRUE);
        *lines = NULL;
        return FALSE;
    }
    *uri = target.display_name ? g_strdup_printf("\"%s\" <%s>", target.display_name, target.uri)
                               : g_strdup(target.uri);
    for (i = 0; i < target.headers->len; i++)
    {
        const struct sip_uri_header *header = g_ptr_array_index(target.headers, i);

        if (sip_uri_header_classify(header->name) == SIP_URI_HEADER_COPY)
            g_ptr_array_add(*lines, g_strdup_printf("%s: %s", header->name, header->value));
    }
    g_ptr_array_add(*lines, NULL);
    sip_refer_to_clear(&target);
    return TRUE;
}

struct sip_call *sip_call_invite_full(struct sip_engine *engine, const char *from, const char *to,
                                      const struct sip_call_options *options, GError **error)
{
    osip_message_t *request = NULL;
    GPtrArray *uri_headers = NULL;
    osip_uri_t *proxy = NULL;
    struct sip_call *call;
    char *target = NULL, *offer;
    gboolean routed;

    g_return_val_if_fail(engine != NULL, NULL);
    if (!to || !split_target(to, &target, &uri_headers, error))
        return NULL;
    request = engine_build_request(engine, "INVITE", from, target, error);
    g_free(target);
    if (!request)
    {
        g_ptr_array_free(uri_headers, TRUE);
        return NULL;
    }
    if (!add_header_lines(request, (const char *const *)uri_headers->pdata, error)
        || !add_header_lines(request, options ? options->headers : NULL, error))
    {
        g_ptr_array_free(uri_headers, TRUE);
        osip_message_free(request);
        return NULL;
    }
    g_ptr_array_free(uri_headers, TRUE);

    if (!engine_pick_proxy(engine, options ? options->proxy : NULL, &proxy, error))
    {
        osip_message_free(request);
        return NULL;
    }
    call = call_new(engine, FALSE);
    routed = engine_route_request(engine, request, proxy, &call->invite_hop, error);
    osip_uri_free(proxy);
    if (!routed || !engine_add_via(engine, request, &call->invite_hop))
    {
        if (error && !*error)
            g_set_error(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_NO_TRANSPORT, "not listening on %s",
                        sip_transport_protocol_name(call->invite_hop.protocol));
        goto failed;
    }
    call->call_id = engine_call_id_string(request->call_id);
    call->local_tag = g_strdup(sip_header_tag(request->from));
    call->local_uri = engine_uri_string(request->from->url);
    call->local_user = g_strdup(request->from->url->username);
    call->remote_uri = engine_uri_string(request->to->url);
    call->remote_display_name = engine_display_name(request->to);
    call->invite_cseq = engine_cseq_number(request);

    if (!(offer = build_offer(call, call->invite_hop.protocol, call->invite_hop.host, SIP_MEDIA_SENDRECV, error)))
        goto failed;
    engine_add_contact(engine, request, call->local_user, call->invite_hop.protocol, call->invite_hop.host);
    osip_message_set_allow(request, SIP_ALLOWED_METHODS);
    osip_message_set_supported(request, SIP_SUPPORTED_OPTIONS);
    engine_set_body(request, "application/sdp", offer, strlen(offer));
    g_free(offer);
    osip_message_clone(request, &call->invite);

    call_register(call);
    call->invite_transaction = engine_send_request(engine, request, &call->invite_hop, &invite_user,
                                                   sip_call_ref(call), (GDestroyNotify)sip_call_unref, error);
    request = NULL;
    if (!call->invite_transaction)
    {
        call_unregister(call);
        goto failed;
    }
    call->invite_hop.connection_id = engine_transaction_connection(call->invite_transaction);
    report_state(call);
    return call;

failed:
    osip_message_free(request);
    call_release_stream(call);
    engine->call_count--;
    call->state = SIP_CALL_STATE_TERMINATED;
    sip_call_unref(call);
    return NULL;
}

struct sip_call *sip_call_invite(struct sip_engine *engine, const char *from, const char *to, GError **error)
{
    return sip_call_invite_full(engine, from, to, NULL, error);
}

const char *sip_call_get_invite_header(struct sip_call *call, const char *name)
{
    osip_header_t *header = NULL;

    g_return_val_if_fail(call != NULL && name != NULL, NULL);
    if (!call->invite || osip_message_header_get_byname(call->invite, name, 0, &header) < 0 || !header)
        return NULL;
    return header->hvalue;
}

struct sip_call *sip_call_get_replaced_call(struct sip_call *call)
{
    g_return_val_if_fail(call != NULL, NULL);
    return call->replaced_call;
}

/* A 2xx no transaction wanted: a retransmission (ACK again) or a fork
 * (§13.2.2.4: ACK it, then BYE it). */
void call_handle_stray_2xx(struct sip_call *call, osip_message_t *response)
{
    const char *to_tag = sip_header_tag(response->to);
    guint32 cseq = engine_cseq_number(response);
    struct sip_dialog *fork;
    osip_message_t *ack;

    if (!call->engine || !to_tag)
        return;
    if (call->dialog && sip_dialog_matches_response(call->dialog, response))
    {
        if (call->last_ack && cseq == call->last_ack_cseq)
            engine_send_ack(call->engine, call->last_ack, &call->ack_hop);
        return;
    }
    if (call->incoming || !call->invite || cseq != call->invite_cseq)
        return;
    if (!call->dismissed_forks)
        call->dismissed_forks = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                                      (GDestroyNotify)osip_message_free);
    if ((ack = g_hash_table_lookup(call->dismissed_forks, to_tag)))
    {
        struct sip_next_hop hop;

        if (sip_uri_next_hop(ack->req_uri, call->invite_hop.protocol, &hop))
            engine_send_ack(call->engine, ack, &hop);
        return;
    }
    if (!(fork = new_uac_dialog(call, response)))
        return;
    g_debug("call %s: dismissing the fork with tag %s", call->call_id, to_tag);
    if ((ack = sip_dialog_build_ack(fork, cseq)))
    {
        struct sip_next_hop hop;

        sip_dialog_next_hop(fork, &hop);
        engine_send_ack(call->engine, ack, &hop);
        g_hash_table_insert(call->dismissed_forks, g_strdup(to_tag), ack);
    }
    send_in_dialog(call, fork, sip_dialog_build_request(fork, "BYE"), &bye_user, sip_call_ref(call),
                   (GDestroyNotify)sip_call_unref, NULL);
    sip_dialog_free(fork);
}

/* ---- incoming calls -------------------------------------------------------------------- */

static void ist_terminated(struct sip_engine *engine, osip_transaction_t *transaction, void *data)
{
    struct sip_call *call = data;

    (void)engine;
    if (call->invite_server == transaction)
        call->invite_server = NULL;
}

static const struct engine_transaction_user ist_user = { NULL, ist_terminated, NULL };

/* Where our responses and media go: the transport the INVITE came on. */
static enum sip_transport_protocol call_protocol(struct sip_call *call)
{
    return call->dialog ? call->dialog->protocol : call->invite_hop.protocol;
}

/* RFC 3891 §3: the call whose dialog a Replaces names, referenced, or
 * NULL with the response code (400, 481, 486, 603). */
static struct sip_call *find_replaced_call(struct sip_engine *engine, const char *value, guint *code)
{
    struct sip_replaces replaces = { 0 };
    enum sip_replaces_match match = SIP_REPLACES_NO_MATCH;
    struct sip_call *call;
    struct sip_dialog *dialog;

    if (!sip_replaces_parse(value, &replaces, NULL))
    {
        *code = 400;
        return NULL;
    }
    call = engine_lookup_call(engine, replaces.call_id, replaces.to_tag);
    if (call)
    {
        dialog = call->dialog && !g_strcmp0(call->dialog->remote_tag, replaces.from_tag)
                 ? call->dialog : find_early_dialog(call, replaces.from_tag, FALSE);
        if (dialog)
            match = sip_replaces_match(&replaces, call->call_id, call->local_tag, dialog->remote_tag,
                                       dialog->state == SIP_DIALOG_CONFIRMED, !call->incoming);
    }
    sip_replaces_clear(&replaces);
    if (match != SIP_REPLACES_MATCH)
    {
        *code = sip_replaces_match_status(match);
        return NULL;
    }
    if (call->state == SIP_CALL_STATE_TERMINATED)
    {
        *code = 603;
        return NULL;
    }
    return sip_call_ref(call);
}

void call_handle_invite(struct sip_engine *engine, osip_transaction_t *ist, osip_message_t *invite)
{
    osip_header_t *replaces = NULL;
    struct sip_call *call;
    char *offer;

    if (!engine->callbacks.incoming_call)
    {
        engine_respond_simple(engine, ist, 480, NULL);
        return;
    }
    call = call_new(engine, TRUE);
    call->call_id = engine_call_id_string(invite->call_id);
    call->local_tag = engine_new_token(engine);
    call->remote_tag = g_strdup(sip_header_tag(invite->from));
    call->local_uri = engine_uri_string(invite->to->url);
    call->local_user = g_strdup(invite->to->url ? invite->to->url->username : NULL);
    call->remote_uri = engine_uri_string(invite->from->url);
    call->remote_display_name = engine_display_name(invite->from);
    call->invite_cseq = engine_cseq_number(invite);
    call->dialog = sip_dialog_new_uas(invite, call->local_tag);
    if (!call->dialog)
    {
        engine_respond_simple(engine, ist, 400, "Unusable Dialog Headers");
        goto discard;
    }
    call->dialog->protocol = engine_transaction_protocol(ist);
    call->dialog->connection_id = engine_transaction_connection(ist);
    call->invite_server = ist;
    engine_set_transaction_user(ist, &ist_user, sip_call_ref(call), (GDestroyNotify)sip_call_unref);
    osip_message_clone(invite, &call->invite);

    if (osip_message_header_get_byname(invite, "replaces", 0, &replaces) >= 0 && replaces && replaces->hvalue)
    {
        guint code = 481;

        if (!(call->replaced_call = find_replaced_call(engine, replaces->hvalue, &code)))
        {
            call->invite_answered = TRUE;
            engine_respond(engine, ist, engine_build_response(engine, invite, code, NULL, call->local_tag));
            goto discard;
        }
    }

    /* An offer we cannot answer is refused before anyone is bothered. */
    if ((offer = sdp_body(invite)))
    {
        guint code;
        char *answer = build_answer(call, offer, call_protocol(call), peer_host(call), FALSE, &code);

        if (!answer)
        {
            g_free(offer);
            call->invite_answered = TRUE;
            engine_respond(engine, ist, engine_build_response(engine, invite, code,
                                                              code == 400 ? "Malformed SDP" : NULL, call->local_tag));
            goto discard;
        }
        g_free(answer);     /* kept as call->prepared_answer */
        call->remote_offer = offer;
    }

    call_register(call);
    engine_respond(engine, ist, engine_build_response(engine, invite, 100, NULL, NULL));
    engine_queue_event(engine, deliver_incoming_call, sip_call_ref(call), (GDestroyNotify)sip_call_unref);
    report_state(call);
    sip_call_unref(call);   /* the registry and the transaction hold it now */
    return;

discard:
    call_release_stream(call);
    engine->call_count--;
    call->state = SIP_CALL_STATE_TERMINATED;
    sip_call_unref(call);
}

static gboolean check_attached(struct sip_call *call, GError **error)
{
    if (call->engine)
        return TRUE;
    g_set_error(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_DETACHED, "the engine is gone");
    return FALSE;
}

static gboolean check_undecided_incoming(struct sip_call *call, GError **error)
{
    if (!check_attached(call, error))
        return FALSE;
    if (!call->incoming || call->invite_answered || !call->invite_server
        || call->state == SIP_CALL_STATE_TERMINATED)
    {
        g_set_error(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_WRONG_STATE, "the call is not waiting for an answer (%s)",
                    sip_call_state_name(call->state));
        return FALSE;
    }
    return TRUE;
}

/* A response to the initial INVITE, with our tag, Contact and (code > 100,
 * when with_sdp) the SDP answer or, if the INVITE had none, our offer. */
static osip_message_t *build_invite_response(struct sip_call *call, guint code, gboolean with_sdp, GError **error)
{
    osip_message_t *response = engine_build_response(call->engine, call->invite_server->orig_request, code, NULL,
                                                     call->local_tag);
    char *body = NULL;

    if (!response)
    {
        g_set_error(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_INVALID_ARGUMENT, "cannot build a %u response", code);
        return NULL;
    }
    add_contact(call, response, call_protocol(call));
    if (with_sdp)
    {
        guint failure;

        if (call->remote_offer && call->prepared_answer && call->prepared_local_hold == call->want_local_hold)
        {
            /* The answer made when the INVITE came: 183 and 200 carry the same SDP. */
            body = g_strdup(call->prepared_answer);
            start_media(call, &call->prepared_media);
            set_hold(call, call->want_local_hold, call->prepared_remote_hold);
        }
        else if (call->remote_offer)
            body = build_answer(call, call->remote_offer, call_protocol(call), peer_host(call), TRUE, &failure);
        else
            body = build_offer(call, call_protocol(call), peer_host(call), offer_direction(call), NULL);
        if (!body)
        {
            g_set_error(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_INVALID_ARGUMENT, "cannot build the SDP");
            osip_message_free(response);
            return NULL;
        }
        engine_set_body(response, "application/sdp", body, strlen(body));
        g_free(body);
    }
    return response;
}

gboolean sip_call_ring(struct sip_call *call, GError **error)
{
    osip_message_t *response;

    g_return_val_if_fail(call != NULL, FALSE);
    if (!check_undecided_incoming(call, error) || !(response = build_invite_response(call, 180, FALSE, error)))
        return FALSE;
    engine_respond(call->engine, call->invite_server, response);
    set_status(call, 180, NULL);
    call_set_state(call, call->state == SIP_CALL_STATE_EARLY_MEDIA ? SIP_CALL_STATE_EARLY_MEDIA : SIP_CALL_STATE_RINGING);
    return TRUE;
}

gboolean sip_call_progress(struct sip_call *call, GError **error)
{
    osip_message_t *response;

    g_return_val_if_fail(call != NULL, FALSE);
    if (!check_undecided_incoming(call, error)
        || !(response = build_invite_response(call, 183, call->remote_offer != NULL, error)))
        return FALSE;
    engine_respond(call->engine, call->invite_server, response);
    set_status(call, 183, NULL);
    call_set_state(call, SIP_CALL_STATE_EARLY_MEDIA);
    return TRUE;
}

static void retransmit_2xx(struct sip_engine *engine, void *data);

static void start_2xx_retransmission(struct sip_call *call, osip_message_t *response, guint32 cseq,
                                     enum sip_transport_protocol protocol, guint connection_id, gboolean carries_offer)
{
    stop_2xx_retransmission(call);
    call->pending_2xx = response;
    call->pending_2xx_cseq = cseq;
    call->pending_2xx_protocol = protocol;
    call->pending_2xx_connection = connection_id;
    call->pending_2xx_carries_offer = carries_offer;
    call->retransmit_elapsed = 0;
    /* §13.3.1.4: T1, doubling up to T2, over UDP; reliable transports only
     * wait for the ACK (64*T1). */
    call->retransmit_interval = protocol == SIP_TRANSPORT_UDP ? sip_timer_2xx_next_interval(0) : SIP_TIMER_64T1_MS;
    call->retransmit_timer = call_timer_start(call, call->retransmit_interval, retransmit_2xx);
}

static void retransmit_2xx(struct sip_engine *engine, void *data)
{
    struct sip_call *call = data;

    call->retransmit_timer = NULL;
    if (!call->pending_2xx)
        return;
    call->retransmit_elapsed += call->retransmit_interval;
    if (call->retransmit_elapsed >= SIP_TIMER_64T1_MS)
    {
        /* No ACK: the dialog is confirmed but the session must end (§13.3.1.4). */
        g_message("call %s: no ACK for our 2xx", call->call_id);
        stop_2xx_retransmission(call);
        call_send_bye(call);
        call_terminate(call, SIP_CALL_END_TIMEOUT, 408, "No ACK");
        return;
    }
    engine_resend_response(engine, call->pending_2xx, call->pending_2xx_protocol, call->pending_2xx_connection);
    call->retransmit_interval = sip_timer_2xx_next_interval(call->retransmit_interval);
    call->retransmit_interval = MIN(call->retransmit_interval, SIP_TIMER_64T1_MS - call->retransmit_elapsed);
    call->retransmit_timer = call_timer_start(call, call->retransmit_interval, retransmit_2xx);
}

gboolean sip_call_answer(struct sip_call *call, GError **error)
{
    osip_message_t *response, *copy = NULL;
    osip_transaction_t *ist;

    g_return_val_if_fail(call != NULL, FALSE);
    if (!check_undecided_incoming(call, error) || !(response = build_invite_response(call, 200, TRUE, error)))
        return FALSE;
    osip_message_set_allow(response, SIP_ALLOWED_METHODS);
    osip_message_set_supported(response, SIP_SUPPORTED_OPTIONS);
    osip_message_clone(response, &copy);
    ist = call->invite_server;
    call->invite_answered = TRUE;
    sip_dialog_set_confirmed(call->dialog);
    set_status(call, 200, NULL);
    call_set_state(call, SIP_CALL_STATE_ANSWERING);
    start_2xx_retransmission(call, copy, call->invite_cseq, call->dialog->protocol, call->dialog->connection_id,
                             call->remote_offer == NULL);
    engine_respond(call->engine, ist, response);     /* the transaction ends with it */
    return TRUE;
}

gboolean sip_call_reject(struct sip_call *call, guint status_code, const char *reason, GError **error)
{
    osip_message_t *response;

    g_return_val_if_fail(call != NULL, FALSE);
    if (status_code < 300 || status_code > 699)
    {
        g_set_error(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_INVALID_ARGUMENT, "%u is not a final error code",
                    status_code);
        return FALSE;
    }
    if (!check_undecided_incoming(call, error))
        return FALSE;
    response = engine_build_response(call->engine, call->invite_server->orig_request, status_code, reason,
                                     call->local_tag);
    call->invite_answered = TRUE;
    engine_respond(call->engine, call->invite_server, response);
    call_terminate(call, SIP_CALL_END_DECLINED, status_code, reason);
    return TRUE;
}

gboolean sip_call_redirect_many(struct sip_call *call, const char *const *contacts, GError **error)
{
    osip_message_t *response;
    gsize i;

    g_return_val_if_fail(call != NULL, FALSE);
    if (!check_undecided_incoming(call, error))
        return FALSE;
    if (!contacts || !contacts[0])
    {
        g_set_error(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_INVALID_ARGUMENT, "no redirect target");
        return FALSE;
    }
    response = engine_build_response(call->engine, call->invite_server->orig_request, 302, NULL, call->local_tag);
    for (i = 0; contacts[i]; i++)
    {
        osip_contact_t *contact = NULL;
        char *value = strchr(contacts[i], '<') ? g_strdup(contacts[i]) : g_strdup_printf("<%s>", contacts[i]);

        /* One header per entry: parsed on its own, so a comma is no separator. */
        if (osip_contact_init(&contact) || osip_contact_parse(contact, value) || !contact->url || !contact->url->host
            || !contact->url->scheme)
        {
            g_set_error(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_INVALID_ARGUMENT, "bad Contact \"%s\"", contacts[i]);
            osip_contact_free(contact);
            g_free(value);
            osip_message_free(response);
            return FALSE;
        }
        g_free(value);
        osip_list_add(&response->contacts, contact, -1);
    }
    call->invite_answered = TRUE;
    engine_respond(call->engine, call->invite_server, response);
    call_terminate(call, SIP_CALL_END_REDIRECTED, 302, NULL);
    return TRUE;
}

/* Splits a Contact header value at its top-level commas (RFC 3261 §7.3.1:
 * not inside <...> or a quoted string); empty items are dropped. */
static GPtrArray *split_contact_list(const char *value)
{
    GPtrArray *items = g_ptr_array_new_with_free_func(g_free);
    gboolean quoted = FALSE;
    int angle = 0;
    const char *start = value, *p;

    for (p = value;; p++)
    {
        if (*p == '\\' && quoted && p[1])
            p++;
        else if (*p == '"')
            quoted = !quoted;
        else if (!quoted && *p == '<')
            angle++;
        else if (!quoted && *p == '>' && angle > 0)
            angle--;
        else if (!*p || (*p == ',' && !quoted && !angle))
        {
            char *item = g_strstrip(g_strndup(start, p - start));

            if (*item)
                g_ptr_array_add(items, item);
            else
                g_free(item);
            if (!*p)
                break;
            start = p + 1;
        }
    }
    g_ptr_array_add(items, NULL);
    return items;
}

gboolean sip_call_redirect(struct sip_call *call, const char *contact, GError **error)
{
    GPtrArray *contacts;
    gboolean ok;

    g_return_val_if_fail(call != NULL, FALSE);
    if (!contact)
    {
        g_set_error(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_INVALID_ARGUMENT, "bad Contact \"(null)\"");
        return FALSE;
    }
    contacts = split_contact_list(contact);
    ok = sip_call_redirect_many(call, (const char *const *)contacts->pdata, error);
    g_ptr_array_free(contacts, TRUE);
    return ok;
}

void call_handle_cancel(struct sip_call *call, osip_transaction_t *invite_transaction)
{
    if (!call->engine || invite_transaction != call->invite_server || call->invite_answered)
        return;     /* too late: the CANCEL has no effect (§9.2) */
    call->invite_answered = TRUE;
    engine_respond(call->engine, invite_transaction,
                   engine_build_response(call->engine, invite_transaction->orig_request, 487, NULL, call->local_tag));
    call_terminate(call, SIP_CALL_END_REMOTE_CANCEL, 487, NULL);
}

void call_handle_invite_again(struct sip_call *call, osip_message_t *invite)
{
    if (call->engine && call->pending_2xx && engine_cseq_number(invite) == call->pending_2xx_cseq)
        engine_resend_response(call->engine, call->pending_2xx, call->pending_2xx_protocol,
                               call->pending_2xx_connection);
}

void call_handle_ack(struct sip_call *call, osip_message_t *ack)
{
    char *answer;

    if (!call->engine || !call->dialog || !sip_dialog_matches_request(call->dialog, ack))
        return;
    if (!call->pending_2xx || engine_cseq_number(ack) != call->pending_2xx_cseq)
        return;     /* a retransmitted ACK */
    if (call->pending_2xx_carries_offer && (answer = sdp_body(ack)))
    {
        take_answer(call, answer);
        g_free(answer);
    }
    stop_2xx_retransmission(call);
    if (call->bye_after_ack)
    {
        call_send_bye(call);
        return;
    }
    if (call->state == SIP_CALL_STATE_ANSWERING)
        call_set_state(call, SIP_CALL_STATE_CONNECTED);
    call_maybe_reinvite(call);
}

/* ---- in-dialog requests ------------------------------------------------------------------- */

static void handle_reinvite(struct sip_call *call, osip_transaction_t *transaction, osip_message_t *request)
{
    struct sip_engine *engine = call->engine;
    osip_message_t *response, *copy = NULL;
    gboolean had_offer;
    char *offer, *body;
    guint code = 488;

    if (call->state != SIP_CALL_STATE_CONNECTED && call->state != SIP_CALL_STATE_ANSWERING)
    {
        engine_respond_simple(engine, transaction, call->state == SIP_CALL_STATE_TERMINATED ? 481 : 491, NULL);
        return;
    }
    /* §14.2: glare with our own re-INVITE is 491; one of the peer's still
     * unacknowledged is 500 with Retry-After. */
    if (call->reinvite_transaction)
    {
        engine_respond_simple(engine, transaction, 491, NULL);
        return;
    }
    if (call->pending_2xx)
    {
        response = engine_build_response(engine, request, 500, "Previous INVITE Pending", NULL);
        osip_message_set_retry_after(response, "1");
        engine_respond(engine, transaction, response);
        return;
    }

    offer = sdp_body(request);
    had_offer = offer != NULL;
    if (had_offer)
        body = build_answer(call, offer, call->dialog->protocol, peer_host(call), TRUE, &code);
    else
        body = build_offer(call, call->dialog->protocol, peer_host(call), offer_direction(call), NULL);
    g_free(offer);
    if (!body)
    {
        engine_respond(engine, transaction, engine_build_response(engine, request, had_offer ? code : 500, NULL, NULL));
        return;
    }
    sip_dialog_refresh_target(call->dialog, request);
    response = engine_build_response(engine, request, 200, NULL, NULL);
    add_contact(call, response, call->dialog->protocol);
    osip_message_set_allow(response, SIP_ALLOWED_METHODS);
    engine_set_body(response, "application/sdp", body, strlen(body));
    g_free(body);
    osip_message_clone(response, &copy);
    start_2xx_retransmission(call, copy, engine_cseq_number(request), engine_transaction_protocol(transaction),
                             engine_transaction_connection(transaction), !had_offer);
    engine_respond(engine, transaction, response);
}

void call_handle_request(struct sip_call *call, osip_transaction_t *transaction, osip_message_t *request)
{
    struct sip_engine *engine = call->engine;
    struct sip_dialog *dialog = call->dialog;

    if (!engine)
        return;
    if (!dialog || !sip_dialog_matches_request(dialog, request))
    {
        dialog = find_early_dialog(call, sip_header_tag(request->from), FALSE);
        if (!dialog || !sip_dialog_matches_request(dialog, request))
        {
            engine_respond_simple(engine, transaction, 481, NULL);
            return;
        }
    }
    if (MSG_IS_NOTIFY(request))
    {
        /* Also on an ended call: a NOTIFY may race the BYE (transfer.md, item 9). */
        if (sip_dialog_accept_remote_cseq(dialog, request))
            refer_handle_notify(call, transaction, request);
        else
            engine_respond_simple(engine, transaction, 500, "CSeq Out of Order");
        return;
    }
    if (call->state == SIP_CALL_STATE_TERMINATED && !MSG_IS_BYE(request))
    {
        engine_respond_simple(engine, transaction, 481, NULL);     /* ended, only lingering */
        return;
    }
    if (!sip_dialog_accept_remote_cseq(dialog, request))
    {
        engine_respond_simple(engine, transaction, 500, "CSeq Out of Order");
        return;
    }

    if (MSG_IS_INVITE(request))
    {
        if (dialog != call->dialog)
            engine_respond_simple(engine, transaction, 491, NULL);
        else
            handle_reinvite(call, transaction, request);
    }
    else if (MSG_IS_BYE(request))
    {
        engine_respond_simple(engine, transaction, 200, NULL);
        stop_2xx_retransmission(call);
        if (call->incoming && !call->invite_answered && call->invite_server)
        {
            call->invite_answered = TRUE;
            engine_respond(engine, call->invite_server,
                           engine_build_response(engine, call->invite_server->orig_request, 487, NULL,
                                                 call->local_tag));
        }
        call->bye_sent = TRUE;      /* the dialog is gone: never BYE it ourselves */
        call_terminate(call, SIP_CALL_END_REMOTE_HANGUP, 0, NULL);
    }
    else if (MSG_IS_INFO(request) || MSG_IS_MESSAGE(request))
    {
        engine_respond_simple(engine, transaction, 200, NULL);
        engine_report_incoming_request(engine, call, request);
    }
    else if (MSG_IS_OPTIONS(request))
    {
        engine_answer_options(engine, transaction, request);
    }
    else if (MSG_IS_REFER(request))
    {
        if (dialog != call->dialog)
            engine_respond_simple(engine, transaction, 603, NULL);
        else
            refer_handle_request(call, transaction, request);
    }
    else
    {
        engine_respond_simple(engine, transaction, 501, NULL);
    }
}

/* ---- our re-INVITEs: hold and resume ---------------------------------------------------------- */

static void send_reinvite(struct sip_call *call);

static void glare_expired(struct sip_engine *engine, void *data)
{
    struct sip_call *call = data;

    (void)engine;
    call->glare_timer = NULL;
    call_maybe_reinvite(call);
}

static void reinvite_response(struct sip_engine *engine, osip_transaction_t *transaction,
                              const osip_message_t *response, guint code, void *data)
{
    struct sip_call *call = data;
    char *answer;

    if (!call->engine || code < 200)
        return;
    /* The re-INVITE is over at its final response, even if its transaction
     * lingers (timer D) to absorb retransmissions. */
    if (call->reinvite_transaction == transaction)
        call->reinvite_transaction = NULL;
    if (response && code < 300)
    {
        send_ack(call, call->dialog, call->reinvite_cseq);
        sip_dialog_refresh_target(call->dialog, response);
        if ((answer = sdp_body(response)))
        {
            take_answer(call, answer);
            g_free(answer);
        }
        call_maybe_reinvite(call);      /* the user changed their mind meanwhile */
        return;
    }
    if (code == 491)
    {
        /* §14.1: retry after a random wait, longer if we own the Call-ID. */
        guint delay = sip_timer_glare_delay(!call->incoming, g_rand_int(engine->rand));

        g_debug("call %s: re-INVITE glare, retrying in %u ms", call->call_id, delay);
        call_timer_cancel(call, &call->glare_timer);
        call->glare_timer = call_timer_start(call, delay, glare_expired);
        return;
    }
    if (code == 481 || code == 408 || !response)
    {
        /* §12.2.1.2: the dialog is gone (or unreachable). */
        if (code != 481)
            call_send_bye(call);
        else
            call->bye_sent = TRUE;
        call_terminate(call, SIP_CALL_END_DIALOG_GONE, code, response ? response->reason_phrase : NULL);
        return;
    }
    /* Refused (488, 500, ...): the session stays as it was. */
    g_message("call %s: re-INVITE refused with %u", call->call_id, code);
    call->want_local_hold = call->local_hold;
    report_media(call);
}

static void reinvite_terminated(struct sip_engine *engine, osip_transaction_t *transaction, void *data)
{
    struct sip_call *call = data;

    (void)engine;
    if (call->reinvite_transaction == transaction)
        call->reinvite_transaction = NULL;      /* ended without a final response */
}

static void reinvite_replaced(struct sip_engine *engine, osip_transaction_t *old_transaction,
                              osip_transaction_t *replacement, const osip_message_t *request, void *data)
{
    struct sip_call *call = data;

    (void)engine;
    if (call->reinvite_transaction == old_transaction)
        call->reinvite_transaction = replacement;
    call->reinvite_cseq = engine_cseq_number(request);
    call_note_cseq(call, call->reinvite_cseq);
}

static const struct engine_transaction_user reinvite_user = { reinvite_response, reinvite_terminated,
                                                              reinvite_replaced };

static void send_reinvite(struct sip_call *call)
{
    GError *error = NULL;
    osip_message_t *request;
    char *offer;

    if (!(request = sip_dialog_build_request(call->dialog, "INVITE")))
        return;
    offer = build_offer(call, call->dialog->protocol, peer_host(call), offer_direction(call), &error);
    if (!offer)
    {
        g_message("call %s: no offer for the re-INVITE: %s", call->call_id, error ? error->message : "?");
        g_clear_error(&error);
        osip_message_free(request);
        return;
    }
    add_contact(call, request, call->dialog->protocol);
    osip_message_set_allow(request, SIP_ALLOWED_METHODS);
    engine_set_body(request, "application/sdp", offer, strlen(offer));
    g_free(offer);
    call->reinvite_cseq = engine_cseq_number(request);
    call->reinvite_transaction = send_in_dialog(call, call->dialog, request, &reinvite_user, sip_call_ref(call),
                                                (GDestroyNotify)sip_call_unref, &error);
    if (!call->reinvite_transaction)
    {
        g_message("call %s: re-INVITE not sent: %s", call->call_id, error->message);
        g_error_free(error);
        call->want_local_hold = call->local_hold;
    }
}

/* Sends a re-INVITE if the hold state the user wants is not the one
 * negotiated and nothing else is in the way. */
static void call_maybe_reinvite(struct sip_call *call)
{
    if (call->state != SIP_CALL_STATE_CONNECTED || call->want_local_hold == call->local_hold)
        return;
    if (call->reinvite_transaction || call->glare_timer || call->pending_2xx)
        return;     /* retried when that is over */
    send_reinvite(call);
}

static gboolean call_set_local_hold(struct sip_call *call, gboolean hold, GError **error)
{
    g_return_val_if_fail(call != NULL, FALSE);
    if (!check_attached(call, error))
        return FALSE;
    if (call->state != SIP_CALL_STATE_CONNECTED)
    {
        g_set_error(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_WRONG_STATE, "the call is not connected (%s)",
                    sip_call_state_name(call->state));
        return FALSE;
    }
    call->want_local_hold = hold;
    call_maybe_reinvite(call);
    return TRUE;
}

gboolean sip_call_hold(struct sip_call *call, GError **error)
{
    return call_set_local_hold(call, TRUE, error);
}

gboolean sip_call_resume(struct sip_call *call, GError **error)
{
    return call_set_local_hold(call, FALSE, error);
}

/* ---- MESSAGE and INFO in the dialog --------------------------------------------------------------- */

struct dialog_request
{
    struct sip_call *call;
    guint id;
};

static void dialog_request_free(void *data)
{
    struct dialog_request *request = data;

    sip_call_unref(request->call);
    g_free(request);
}

static void request_response(struct sip_engine *engine, osip_transaction_t *transaction,
                             const osip_message_t *response, guint code, void *data)
{
    struct dialog_request *request = data;

    (void)transaction;
    if (code >= 200)
        engine_report_request_result(engine, request->id, code, response ? response->reason_phrase : NULL);
}

static void request_replaced(struct sip_engine *engine, osip_transaction_t *old_transaction,
                             osip_transaction_t *replacement, const osip_message_t *request, void *data)
{
    dialog_request_replaced(engine, old_transaction, replacement, request, ((struct dialog_request *)data)->call);
}

static const struct engine_transaction_user request_user = { request_response, NULL, request_replaced };

static guint send_dialog_request(struct sip_call *call, const char *method, const char *content_type,
                                 const char *body, gsize body_length, GError **error)
{
    struct dialog_request *pending;
    osip_message_t *request;
    guint id;

    g_return_val_if_fail(call != NULL, 0);
    if (!check_attached(call, error))
        return 0;
    if (call->state != SIP_CALL_STATE_CONNECTED || !call->dialog)
    {
        g_set_error(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_WRONG_STATE, "the call is not connected (%s)",
                    sip_call_state_name(call->state));
        return 0;
    }
    if (!(request = sip_dialog_build_request(call->dialog, method)))
    {
        g_set_error(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_INVALID_ARGUMENT, "cannot build %s", method);
        return 0;
    }
    engine_set_body(request, content_type ? content_type : "text/plain", body, body_length);
    pending = g_new0(struct dialog_request, 1);
    pending->call = sip_call_ref(call);
    pending->id = id = engine_next_request_id(call->engine);
    if (!send_in_dialog(call, call->dialog, request, &request_user, pending, dialog_request_free, error))
        return 0;
    return id;
}

guint sip_call_send_message(struct sip_call *call, const char *content_type, const char *body, gsize body_length,
                            GError **error)
{
    return send_dialog_request(call, "MESSAGE", content_type, body, body_length, error);
}

guint sip_call_send_info(struct sip_call *call, const char *content_type, const char *body, gsize body_length,
                         GError **error)
{
    return send_dialog_request(call, "INFO", content_type, body, body_length, error);
}

/* ---- hangup ---------------------------------------------------------------------------------------- */

gboolean sip_call_hangup(struct sip_call *call, GError **error)
{
    g_return_val_if_fail(call != NULL, FALSE);
    if (!check_attached(call, error))
        return FALSE;
    if (call->state == SIP_CALL_STATE_TERMINATED)
        return TRUE;

    if (call->incoming && !call->invite_answered)
        return sip_call_reject(call, 603, NULL, error);

    if (!call->incoming && !call->dialog)
    {
        /* Not answered yet: CANCEL, which §9.1 wants after a provisional. */
        call->cancelled = TRUE;
        if (call->provisional_received)
            call_send_cancel(call);
        else
            call->cancel_pending = TRUE;
        call_terminate(call, SIP_CALL_END_LOCAL_CANCEL, 0, NULL);
        return TRUE;
    }

    /* A transfer's last NOTIFY goes before the BYE (transfer.md, item 9). */
    end_refers(call, TRUE);
    if (call->pending_2xx && call->incoming && call->state == SIP_CALL_STATE_ANSWERING)
        call->bye_after_ack = TRUE;     /* §15: no BYE before the ACK (or its timeout) */
    else
        call_send_bye(call);
    call_terminate(call, SIP_CALL_END_LOCAL_HANGUP, 0, NULL);
    return TRUE;
}

/* ---- the engine goes away ------------------------------------------------------------------------- */

void call_detach(struct sip_call *call)
{
    struct sip_engine *engine = call->engine;

    if (!engine)
        return;
    end_refers(call, call->state != SIP_CALL_STATE_TERMINATED);
    call_timer_cancel(call, &call->cancel_timer);
    call_timer_cancel(call, &call->retransmit_timer);
    call_timer_cancel(call, &call->glare_timer);
    call_timer_cancel(call, &call->linger_timer);
    call->invite_transaction = NULL;
    call->invite_server = NULL;
    call->reinvite_transaction = NULL;
    call_release_stream(call);
    if (call->state != SIP_CALL_STATE_TERMINATED)
    {
        call->state = SIP_CALL_STATE_TERMINATED;
        call->end_reason = SIP_CALL_END_TRANSPORT_ERROR;
        engine->call_count--;
    }
    call_unregister(call);
    engine_untrack_call(engine, call);
    call->engine = NULL;
}

/* ---- getters ------------------------------------------------------------------------------------------ */

enum sip_call_state sip_call_get_state(struct sip_call *call)
{
    g_return_val_if_fail(call != NULL, SIP_CALL_STATE_TERMINATED);
    return call->state;
}

gboolean sip_call_is_incoming(struct sip_call *call)
{
    g_return_val_if_fail(call != NULL, FALSE);
    return call->incoming;
}

struct sip_engine *sip_call_get_engine(struct sip_call *call)
{
    g_return_val_if_fail(call != NULL, NULL);
    return call->engine;
}

guint sip_call_get_status_code(struct sip_call *call)
{
    g_return_val_if_fail(call != NULL, 0);
    return call->status_code;
}

const char *sip_call_get_reason_phrase(struct sip_call *call)
{
    g_return_val_if_fail(call != NULL, "");
    return call->reason_phrase;
}

enum sip_call_end_reason sip_call_get_end_reason(struct sip_call *call)
{
    g_return_val_if_fail(call != NULL, SIP_CALL_END_NONE);
    return call->end_reason;
}

const char *const *sip_call_get_redirect_contacts(struct sip_call *call)
{
    g_return_val_if_fail(call != NULL, NULL);
    return (const char *const *)call->redirect_contacts->pdata;
}

const char *sip_call_get_call_id(struct sip_call *call)
{
    g_return_val_if_fail(call != NULL, NULL);
    return call->call_id;
}

const char *sip_call_get_local_uri(struct sip_call *call)
{
    g_return_val_if_fail(call != NULL, NULL);
    return call->local_uri;
}

const char *sip_call_get_remote_uri(struct sip_call *call)
{
    g_return_val_if_fail(call != NULL, NULL);
    return call->remote_uri;
}

const char *sip_call_get_remote_display_name(struct sip_call *call)
{
    g_return_val_if_fail(call != NULL, NULL);
    return call->remote_display_name;
}

gboolean sip_call_is_local_hold(struct sip_call *call)
{
    g_return_val_if_fail(call != NULL, FALSE);
    return call->local_hold;
}

gboolean sip_call_is_remote_hold(struct sip_call *call)
{
    g_return_val_if_fail(call != NULL, FALSE);
    return call->remote_hold;
}

gboolean sip_call_get_remote_media(struct sip_call *call, const char **address, guint16 *port)
{
    g_return_val_if_fail(call != NULL, FALSE);
    if (!call->media_negotiated || !call->media.remote_address)
        return FALSE;
    *address = call->media.remote_address;
    *port = call->media.remote_port;
    return TRUE;
}

void sip_call_set_user_data(struct sip_call *call, void *user_data)
{
    g_return_if_fail(call != NULL);
    call->user_data = user_data;
}

void *sip_call_get_user_data(struct sip_call *call)
{
    g_return_val_if_fail(call != NULL, NULL);
    return call->user_data;
}

/* ---- for the transfer code -------------------------------------------------------------------------- */

struct sip_dialog *call_confirmed_dialog(struct sip_call *call)
{
    return call->dialog && call->dialog->state == SIP_DIALOG_CONFIRMED ? call->dialog : NULL;
}

void call_add_contact(struct sip_call *call, osip_message_t *message)
{
    if (call->engine)
        add_contact(call, message, call_protocol(call));
}

osip_transaction_t *call_send_request(struct sip_call *call, osip_message_t *request,
                                      const struct engine_transaction_user *user, void *data,
                                      GDestroyNotify destroy, GError **error)
{
    if (!call->engine || !call->dialog)
    {
        g_set_error(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_WRONG_STATE, "the call has no dialog");
        osip_message_free(request);
        if (destroy)
            destroy(data);
        return NULL;
    }
    return send_in_dialog(call, call->dialog, request, user, data, destroy, error);
}

void call_add_refer(struct sip_call *call, struct sip_refer *refer)
{
    if (!call->refers)
        call->refers = g_ptr_array_new();
    g_ptr_array_add(call->refers, refer);
}

void call_remove_refer(struct sip_call *call, struct sip_refer *refer)
{
    if (call->refers)
        g_ptr_array_remove(call->refers, refer);
}

GPtrArray *call_refers(struct sip_call *call)
{
    return call->refers;
}

void call_note_cseq(struct sip_call *call, guint32 cseq)
{
    if (call->dialog && cseq > call->dialog->local_cseq)
        call->dialog->local_cseq = cseq;
}
