/*
 * INVITE sessions (RFC 3261 §13-15) with SDP offer/answer (RFC 3264): the
 * call object, its life cycle and state, the events it reports, its timers,
 * the requests it sends in its dialog (BYE, ACK) and its getters. The
 * other call_*.c files each take one part of the session; call_private.h
 * lists them.
 *
 * The API side is sip_call.h, the engine side call.h. A call is owned by
 * whoever holds references: the API layer, the engine's registry (until a
 * while after the call ends, so late retransmissions still find it), its
 * transactions, timers and queued events.
 */

#ifndef G_LOG_DOMAIN
#define G_LOG_DOMAIN "rtcshim"
#endif

#include "call_private.h"
#include "call_registry.h"
#include "event_queue.h"
#include "message.h"
#include "osip_memory.h"
#include "refer.h"
#include "sipfrag.h"
#include "wire.h"

/* How long an ended call stays findable: long enough for the peer's
 * retransmissions (64*T1) to be answered from the dialog. */
#define CALL_LINGER_MS SIP_TIMER_64T1_MS

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
    if (call->held_requests)
        g_ptr_array_free(call->held_requests, TRUE);
    osip_message_free(call->invite);
    if (call->pending_2xx)
    {
        engine_sent_response_clear(call->pending_2xx);
        g_free(call->pending_2xx);
    }
    osip_message_free(call->last_ack);
    sip_media_params_clear(&call->media);
    sip_media_params_clear(&call->prepared_media);
    g_free(call->prepared_answer);
    g_free(call->remote_offer);
    g_free(call->offer_text);
    if (call->offer_sdp)
        sdp_message_free(call->offer_sdp);
    g_free(call->call_id);
    g_free(call->local_tag);
    g_free(call->remote_tag);
    g_free(call->local_uri);
    g_free(call->local_user);
    g_free(call->remote_uri);
    g_free(call->remote_display_name);
    g_free(call->reason_phrase);
    g_ptr_array_free(call->redirect_contacts, TRUE);
    osip_memory_free(call);
}

struct sip_call *call_new(struct sip_engine *engine, gboolean incoming)
{
    struct sip_call *call = osip_memory_alloc0(sizeof(*call));

    call->refcount = 1;
    call->engine = engine;
    call->incoming = incoming;
    call->state = incoming ? SIP_CALL_STATE_INCOMING : SIP_CALL_STATE_CALLING;
    call->reason_phrase = g_strdup("");
    call->redirect_contacts = g_ptr_array_new_with_free_func(g_free);
    g_ptr_array_add(call->redirect_contacts, NULL);
    call->early_dialogs = g_ptr_array_new_with_free_func((GDestroyNotify)sip_dialog_free);
    sip_sdp_origin_init(&call->origin);
    call->media_volume[SIP_MEDIA_SPEAKER] = call->media_volume[SIP_MEDIA_MICROPHONE] = 1.0;
    call->without_audio = !engine->calls_audio;
    call->media_limit = call->negotiated_limit = engine->calls_audio ? engine->calls_audio : SIP_MEDIA_SENDRECV;
    call->max_bandwidth = engine->calls_max_bandwidth;
    engine->call_count++;
    engine_track_call(engine, call);
    return call;
}

void call_register(struct sip_call *call)
{
    engine_register_call(call->engine, call, call->call_id, call->local_tag, call->incoming ? call->remote_tag : NULL);
    call->registered = TRUE;
}

void call_unregister(struct sip_call *call)
{
    if (!call->registered)
        return;
    call->registered = FALSE;
    engine_unregister_call(call->engine, call, call->call_id, call->local_tag,
                           call->incoming ? call->remote_tag : NULL);
}

void call_set_status(struct sip_call *call, guint code, const char *reason)
{
    if (!reason || !*reason)
        reason = sip_reason_phrase(code);
    call->status_code = code;
    g_free(call->reason_phrase);
    call->reason_phrase = g_strdup(reason ? reason : "");
}

void call_set_decided(struct sip_call *call)
{
    if (!call->undecided)
        return;
    call->undecided = FALSE;
    if (call->engine)
        call->engine->undecided_calls--;
}

gboolean call_check_attached(struct sip_call *call, GError **error)
{
    if (call->engine)
        return TRUE;
    g_set_error(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_DETACHED, "the engine is gone");
    return FALSE;
}

/* Where our responses and media go: the transport the INVITE came on. */
enum sip_transport_protocol call_protocol(struct sip_call *call)
{
    return call->dialog ? call->dialog->protocol : call->invite_hop.protocol;
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

void call_report_state(struct sip_call *call)
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

void call_report_media(struct sip_call *call)
{
    struct media_event *event = g_new0(struct media_event, 1);

    event->call = sip_call_ref(call);
    event->local_hold = call->local_hold;
    event->remote_hold = call->remote_hold;
    engine_queue_event(call->engine, deliver_media, event, media_event_free);
}

void call_set_state(struct sip_call *call, enum sip_call_state state)
{
    if (call->state == SIP_CALL_STATE_TERMINATED)
        return;
    call->state = state;
    call_report_state(call);
}

/* ---- timers ------------------------------------------------------------------------ */

struct engine_timer *call_timer_start(struct sip_call *call, guint delay_ms, engine_timer_func func)
{
    return engine_timer_start(call->engine, delay_ms, func, sip_call_ref(call), (GDestroyNotify)sip_call_unref);
}

void call_timer_cancel(struct sip_call *call, struct engine_timer **timer)
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

/* Tells the refers of the dialog that the call ends (see refer_call_ending). */
void call_end_refers(struct sip_call *call, gboolean can_send)
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
void call_terminate(struct sip_call *call, enum sip_call_end_reason reason, guint code, const char *phrase)
{
    if (call->state == SIP_CALL_STATE_TERMINATED)
        return;
    call->end_reason = reason;
    if (code)
        call_set_status(call, code, phrase);
    call_timer_cancel(call, &call->glare_timer);
    call_timer_cancel(call, &call->trying_timer);
    call_set_decided(call);
    /* Nothing restarts the media of an ended call: its ports go back now
     * (also while the application still holds the call). */
    call_release_stream(call);
    call_end_refers(call, FALSE);
    call_refuse_held_requests(call);
    call_drop_offer(call, 487);
    call->engine->call_count--;
    if (call->engine->trace)    /* g_debug() would format the line even when it is dropped */
        g_debug("call %s terminated: %s (%u %s)", call->call_id, sip_call_end_reason_name(reason),
                call->status_code, call->reason_phrase);
    call->state = SIP_CALL_STATE_TERMINATED;
    call_report_state(call);

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
    call_retire(call);
}

/* ---- sending in the dialog ---------------------------------------------------------- */

void call_add_contact_for(struct sip_call *call, osip_message_t *message, enum sip_transport_protocol protocol)
{
    engine_add_contact(call->engine, message, call->local_user, protocol, call_peer_host(call));
}

osip_transaction_t *call_send_in_dialog(struct sip_call *call, struct sip_dialog *dialog, osip_message_t *request,
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

/* ---- hang-ups in progress ------------------------------------------------------------------ */

guint sip_engine_pending_hangups(struct sip_engine *engine)
{
    g_return_val_if_fail(engine != NULL, 0);
    return engine->byes_in_flight + engine->byes_owed + engine->rejections_unacked;
}

static void deliver_hangups_finished(struct sip_engine *engine, void *data)
{
    (void)data;
    /* Queued when the count reached 0; a new hang-up may have begun since. */
    if (engine->callbacks.hangups_finished && !sip_engine_pending_hangups(engine))
        engine->callbacks.hangups_finished(engine, engine->user_data);
}

/* A hang-up finished (or could not start): tell the user if it was the last. */
void engine_hangup_settled(struct sip_engine *engine)
{
    if (!sip_engine_pending_hangups(engine))
        engine_queue_event(engine, deliver_hangups_finished, NULL, NULL);
}

static void bye_response(struct sip_engine *engine, osip_transaction_t *transaction, const osip_message_t *response,
                         guint status_code, void *data)
{
    struct sip_call *call = data;

    (void)transaction;
    (void)response;
    if (status_code < 200)
        return;
    g_debug("call %s: BYE answered %u", call->call_id, status_code);
    engine->byes_in_flight--;
    call->byes_unanswered--;
    engine_hangup_settled(engine);
    call_retire(call);
}

/* Any in-dialog request answered with credentials moves the dialog's CSeq on. */
void call_dialog_request_replaced(struct sip_engine *engine, osip_transaction_t *old_transaction,
                                  osip_transaction_t *replacement, const osip_message_t *request, void *data)
{
    (void)engine;
    (void)old_transaction;
    (void)replacement;
    call_note_cseq(data, engine_cseq_number(request));
}

static const struct engine_transaction_user bye_user = { bye_response, NULL, call_dialog_request_replaced };

gboolean call_send_bye_in(struct sip_call *call, struct sip_dialog *dialog, GError **error)
{
    osip_message_t *bye = sip_dialog_build_request(dialog, "BYE");

    if (!bye)
    {
        g_set_error(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_INVALID_ARGUMENT, "cannot build the BYE");
        return FALSE;
    }
    if (!call_send_in_dialog(call, dialog, bye, &bye_user, sip_call_ref(call), (GDestroyNotify)sip_call_unref, error))
        return FALSE;
    call->engine->byes_in_flight++;
    call->byes_unanswered++;
    return TRUE;
}

void call_owe_bye(struct sip_call *call)
{
    if (call->bye_after_ack)
        return;
    call->bye_after_ack = TRUE;
    call->engine->byes_owed++;
}

void call_settle_owed_bye(struct sip_call *call, gboolean send)
{
    if (!call->bye_after_ack)
        return;
    call->bye_after_ack = FALSE;
    call->engine->byes_owed--;
    if (send)
        call_send_bye(call);
    engine_hangup_settled(call->engine);
}

void call_send_bye(struct sip_call *call)
{
    GError *error = NULL;

    if (call->bye_sent || !call->dialog)
        return;
    call->bye_sent = TRUE;
    if (!call_send_bye_in(call, call->dialog, &error))
    {
        g_message("call %s: BYE not sent: %s", call->call_id, error ? error->message : "?");
        g_clear_error(&error);
        engine_hangup_settled(call->engine);     /* it may have been owed after the ACK */
    }
}

void call_send_ack(struct sip_call *call, struct sip_dialog *dialog, guint32 cseq)
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

/* ---- the engine goes away ------------------------------------------------------------------------- */

void call_detach(struct sip_call *call)
{
    struct sip_engine *engine = call->engine;

    if (!engine)
        return;
    call_end_refers(call, call->state != SIP_CALL_STATE_TERMINATED);
    if (call->held_requests)
        g_ptr_array_set_size(call->held_requests, 0);  /* the engine frees their transactions */
    if (call->bye_after_ack)
        engine->byes_owed--;
    call_timer_cancel(call, &call->cancel_timer);
    call_timer_cancel(call, &call->trying_timer);
    call_set_decided(call);
    call_timer_cancel(call, &call->retransmit_timer);
    call_timer_cancel(call, &call->glare_timer);
    call_timer_cancel(call, &call->linger_timer);
    call_timer_cancel(call, &call->offer_timer);
    call->invite_transaction = NULL;
    call->invite_server = NULL;
    call->offer_server = NULL;          /* the engine frees the transaction */
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

enum sip_delivery_failure sip_call_get_delivery_failure(struct sip_call *call)
{
    g_return_val_if_fail(call != NULL, SIP_DELIVERY_OK);
    return call->delivery_failure;
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

gboolean sip_call_is_replacement_authorized(struct sip_call *call)
{
    g_return_val_if_fail(call != NULL, FALSE);
    return call->replaced_call && call->replacement_authorized;
}

gboolean sip_call_is_local_hold(struct sip_call *call)
{
    g_return_val_if_fail(call != NULL, FALSE);
    return call->local_hold;
}

guint sip_call_get_reinvite_status(struct sip_call *call)
{
    return call->reinvite_status;
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
        call_add_contact_for(call, message, call_protocol(call));
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
    return call_send_in_dialog(call, call->dialog, request, user, data, destroy, error);
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
