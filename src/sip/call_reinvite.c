/*
 * re-INVITEs in a confirmed dialog: the peer's (a new offer or a request
 * for ours; 491/500 on glare, §14.2), answered at once or, when the layer
 * above decides offers (call_media_offered), when it does or its time is
 * up; and ours, sent to put the call on hold or resume it or for a media
 * change the layer above asked for (sip_call_update_media), retried after
 * a random wait on glare (§14.1).
 */

#ifndef G_LOG_DOMAIN
#define G_LOG_DOMAIN "rtcshim"
#endif

#include "call_private.h"
#include "event_queue.h"
#include "message.h"

/* ---- events up ------------------------------------------------------------------------------- */

struct reinvite_event
{
    struct sip_call *call;
    guint status_code;
};

static void reinvite_event_free(void *data)
{
    struct reinvite_event *event = data;

    sip_call_unref(event->call);
    g_free(event);
}

static void deliver_updated(struct sip_engine *engine, void *data)
{
    struct reinvite_event *event = data;

    if (engine->callbacks.call_media_updated)
        engine->callbacks.call_media_updated(event->call, event->status_code, engine->user_data);
}

static void deliver_offered(struct sip_engine *engine, void *data)
{
    struct reinvite_event *event = data;

    if (engine->callbacks.call_media_offered)
        engine->callbacks.call_media_offered(event->call, engine->user_data);
}

static void deliver_offer_cancelled(struct sip_engine *engine, void *data)
{
    struct reinvite_event *event = data;

    if (engine->callbacks.call_media_offer_cancelled)
        engine->callbacks.call_media_offer_cancelled(event->call, engine->user_data);
}

static void queue_reinvite_event(struct sip_call *call, engine_event_func deliver, guint status_code)
{
    struct reinvite_event *event = g_new0(struct reinvite_event, 1);

    event->call = sip_call_ref(call);
    event->status_code = status_code;
    engine_queue_event(call->engine, deliver, event, reinvite_event_free);
}

/* The update on the wire is over with this final status. */
static void finish_update(struct sip_call *call, guint code)
{
    if (!call->update_in_flight)
        return;
    call->update_in_flight = FALSE;
    if (code < 300)
        call->negotiated_limit = call->media_limit;
    else if (!call->update_pending)
        call->media_limit = call->negotiated_limit;     /* refused: the media stays as it was */
    queue_reinvite_event(call, deliver_updated, code);
}

/* ---- the peer's re-INVITEs ----------------------------------------------------------------------- */

/* 200 with our answer to offer (NULL: the request had none, our offer goes in the 2xx, §14.2). */
static void answer_reinvite(struct sip_call *call, osip_transaction_t *transaction, osip_message_t *request,
                            const char *offer, guint64 refused)
{
    struct sip_engine *engine = call->engine;
    osip_message_t *response;
    guint code = 488;
    char *body;

    if (offer)
        body = call_build_answer(call, offer, call->dialog->protocol, call_peer_host(call), TRUE, refused, &code);
    else
        body = call_build_offer(call, call->dialog->protocol, call_peer_host(call), call_offer_direction(call), NULL);
    if (!body)
    {
        engine_respond(engine, transaction, engine_build_response(engine, request, offer ? code : 500, NULL, NULL));
        return;
    }
    sip_dialog_refresh_target(call->dialog, request);
    response = engine_build_response(engine, request, 200, NULL, NULL);
    call_add_contact_for(call, response, call->dialog->protocol);
    osip_message_set_allow(response, SIP_ALLOWED_METHODS);
    engine_set_body(response, "application/sdp", body, strlen(body));
    g_free(body);
    call_send_2xx(call, transaction, response, engine_cseq_number(request), offer == NULL);
}

/* The pending offer is decided (or dropped): what it kept goes. */
static osip_transaction_t *take_offer(struct sip_call *call, char **offer_text)
{
    osip_transaction_t *transaction = call->offer_server;

    call_timer_cancel(call, &call->offer_timer);
    call->offer_server = NULL;
    *offer_text = call->offer_text;
    call->offer_text = NULL;
    if (call->offer_sdp)
        sdp_message_free(call->offer_sdp);
    call->offer_sdp = NULL;
    return transaction;
}

static gboolean decide_offer(struct sip_call *call, gboolean accept, guint64 refused, guint code)
{
    osip_transaction_t *transaction;
    char *offer;

    if (!call->offer_server)
        return FALSE;
    transaction = take_offer(call, &offer);
    if (accept)
        answer_reinvite(call, transaction, transaction->orig_request, offer, refused);
    else
        engine_respond(call->engine, transaction,
                       engine_build_response(call->engine, transaction->orig_request, code, NULL, NULL));
    g_free(offer);
    call_maybe_reinvite(call);      /* ours waited for it */
    return TRUE;
}

static void offer_timer_fired(struct sip_engine *engine, void *data)
{
    struct sip_call *call = data;

    (void)engine;
    call->offer_timer = NULL;
    g_debug("call %s: no decision on the peer's offer in time, accepting it", call->call_id);
    decide_offer(call, TRUE, 0, 0);
}

void call_drop_offer(struct sip_call *call, guint code)
{
    osip_transaction_t *transaction;
    char *offer;

    if (!call->offer_server)
        return;
    transaction = take_offer(call, &offer);
    g_free(offer);
    engine_respond(call->engine, transaction,
                   engine_build_response(call->engine, transaction->orig_request, code, NULL, NULL));
    queue_reinvite_event(call, deliver_offer_cancelled, code);
}

/* The server transaction died unanswered: only the engine going does that
 * to an INVITE server transaction waiting for its final response, so
 * nothing is reported (the call ends with the engine). */
static void offer_transaction_terminated(struct sip_engine *engine, osip_transaction_t *transaction, void *data)
{
    struct sip_call *call = data;
    char *offer;

    (void)engine;
    if (call->offer_server != transaction)
        return;
    take_offer(call, &offer);
    g_free(offer);
}

static const struct engine_transaction_user offer_user = { NULL, offer_transaction_terminated, NULL };

/* Keeps the peer's offer for the layer above; FALSE when it cannot be read (answered by the caller). */
static gboolean defer_offer(struct sip_call *call, osip_transaction_t *transaction, char *offer)
{
    sdp_message_t *sdp;

    if (!(sdp = sip_sdp_parse(offer, NULL)))
        return FALSE;
    call->offer_server = transaction;
    call->offer_text = offer;
    call->offer_sdp = sdp;
    engine_set_transaction_user(transaction, &offer_user, sip_call_ref(call), (GDestroyNotify)sip_call_unref);
    engine_respond_simple(call->engine, transaction, 100, NULL);
    call->offer_timer = call_timer_start(call, call->engine->offer_decision_timeout, offer_timer_fired);
    queue_reinvite_event(call, deliver_offered, 0);
    return TRUE;
}

void call_handle_reinvite(struct sip_call *call, osip_transaction_t *transaction, osip_message_t *request)
{
    struct sip_engine *engine = call->engine;
    osip_message_t *response;
    char *offer;

    if (call->state != SIP_CALL_STATE_CONNECTED && call->state != SIP_CALL_STATE_ANSWERING)
    {
        engine_respond_simple(engine, transaction, call->state == SIP_CALL_STATE_TERMINATED ? 481 : 491, NULL);
        return;
    }
    /* §14.2: glare with our own re-INVITE is 491; one of the peer's still
     * unanswered or unacknowledged is 500 with Retry-After. */
    if (call->reinvite_transaction)
    {
        engine_respond_simple(engine, transaction, 491, NULL);
        return;
    }
    if (call->pending_2xx || call->offer_server)
    {
        response = engine_build_response(engine, request, 500, "Previous INVITE Pending", NULL);
        osip_message_set_retry_after(response, "1");
        engine_respond(engine, transaction, response);
        return;
    }

    offer = call_sdp_body(request);
    if (offer && call->state == SIP_CALL_STATE_CONNECTED && engine->callbacks.call_media_offered
            && defer_offer(call, transaction, offer))
        return;
    answer_reinvite(call, transaction, request, offer, 0);
    g_free(offer);
}

gboolean call_offer_is(struct sip_call *call, osip_transaction_t *transaction)
{
    return transaction && call->offer_server == transaction;
}

/* The peer cancelled its re-INVITE (§9.2): 487 if still undecided. */
gboolean call_cancel_offer(struct sip_call *call, osip_transaction_t *transaction)
{
    if (!call->offer_server || call->offer_server != transaction)
        return FALSE;
    call_drop_offer(call, 487);
    return TRUE;
}

guint sip_call_get_offer_lines(struct sip_call *call, struct sip_call_offer_line *lines, guint max)
{
    guint count, i;

    g_return_val_if_fail(call != NULL, 0);
    if (!call->offer_sdp)
        return 0;
    count = sip_sdp_line_count(call->offer_sdp);
    for (i = 0; i < count && i < max; i++)
    {
        enum sip_media_direction direction = SIP_MEDIA_INACTIVE;
        guint port = 0;

        if (!sip_sdp_line_info(call->offer_sdp, i, &lines[i].media, &port, &direction))
            lines[i].media = "";
        lines[i].directions = port ? sip_media_direction_reverse(direction) : 0;
    }
    return count;
}

static gboolean check_offer_pending(struct sip_call *call, GError **error)
{
    if (!call_check_attached(call, error))
        return FALSE;
    if (!call->offer_server)
    {
        g_set_error_literal(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_WRONG_STATE, "no offer waits for a decision");
        return FALSE;
    }
    return TRUE;
}

gboolean sip_call_accept_offer(struct sip_call *call, guint64 refused, GError **error)
{
    g_return_val_if_fail(call != NULL, FALSE);
    return check_offer_pending(call, error) && decide_offer(call, TRUE, refused, 0);
}

gboolean sip_call_reject_offer(struct sip_call *call, guint status_code, GError **error)
{
    g_return_val_if_fail(call != NULL, FALSE);
    if (status_code < 400 || status_code > 699)
    {
        g_set_error(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_INVALID_ARGUMENT, "%u is no rejection", status_code);
        return FALSE;
    }
    return check_offer_pending(call, error) && decide_offer(call, FALSE, 0, status_code);
}

void sip_engine_set_offer_decision_timeout(struct sip_engine *engine, guint milliseconds)
{
    g_return_if_fail(engine != NULL);
    engine->offer_decision_timeout = milliseconds;
}

/* ---- our re-INVITEs: hold, resume, updates ---------------------------------------------------------- */

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
    call->reinvite_status = code;
    if (response && code < 300)
    {
        /* The answer first: a hold's stream stops sending before the ACK
         * goes, not whenever this thread gets to it after. */
        if ((answer = call_sdp_body(response)))
        {
            if (!call_take_answer(call, answer))
                code = 488;     /* acknowledged, but nothing of it could be used */
            g_free(answer);
        }
        call_send_ack(call, call->dialog, call->reinvite_cseq);
        sip_dialog_refresh_target(call->dialog, response);
        call->reinvite_status = code;
        finish_update(call, code);
        call_maybe_reinvite(call);      /* the user changed their mind meanwhile */
        return;
    }
    if (code == 491)
    {
        /* §14.1: retry after a random wait, longer if we own the Call-ID. */
        guint delay = sip_timer_glare_delay(!call->incoming, g_rand_int(engine->rand));

        g_debug("call %s: re-INVITE glare, retrying in %u ms", call->call_id, delay);
        call->update_pending |= call->update_in_flight;     /* the retry carries it */
        call->update_in_flight = FALSE;
        call_timer_cancel(call, &call->glare_timer);
        call->glare_timer = call_timer_start(call, delay, glare_expired);
        return;
    }
    if (code == 481 || code == 408 || !response)
    {
        /* §12.2.1.2: the dialog is gone (or unreachable). */
        call->update_pending = FALSE;
        finish_update(call, response ? code : 408);
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
    finish_update(call, code);
    call_report_media(call);
}

static void reinvite_terminated(struct sip_engine *engine, osip_transaction_t *transaction, void *data)
{
    struct sip_call *call = data;

    (void)engine;
    if (call->reinvite_transaction == transaction)
    {
        call->reinvite_transaction = NULL;      /* ended without a final response */
        finish_update(call, 408);
    }
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

    call->update_in_flight = call->update_pending;
    call->update_pending = FALSE;
    if (!(request = sip_dialog_build_request(call->dialog, "INVITE")))
    {
        finish_update(call, 500);
        return;
    }
    offer = call_build_offer(call, call->dialog->protocol, call_peer_host(call), call_offer_direction(call), &error);
    if (!offer)
    {
        g_message("call %s: no offer for the re-INVITE: %s", call->call_id, error ? error->message : "?");
        g_clear_error(&error);
        osip_message_free(request);
        finish_update(call, 500);
        return;
    }
    call_add_contact_for(call, request, call->dialog->protocol);
    osip_message_set_allow(request, SIP_ALLOWED_METHODS);
    engine_set_body(request, "application/sdp", offer, strlen(offer));
    g_free(offer);
    call->reinvite_cseq = engine_cseq_number(request);
    call->reinvite_transaction = call_send_in_dialog(call, call->dialog, request, &reinvite_user, sip_call_ref(call),
                                                     (GDestroyNotify)sip_call_unref, &error);
    if (!call->reinvite_transaction)
    {
        g_message("call %s: re-INVITE not sent: %s", call->call_id, error->message);
        g_error_free(error);
        call->want_local_hold = call->local_hold;
        finish_update(call, 503);
    }
}

/* Sends a re-INVITE if the hold state the user wants is not the one
 * negotiated, or an update is owed, and nothing else is in the way. */
void call_maybe_reinvite(struct sip_call *call)
{
    if (call->state != SIP_CALL_STATE_CONNECTED || (call->want_local_hold == call->local_hold && !call->update_pending))
        return;
    if (call->reinvite_transaction || call->glare_timer || call->pending_2xx || call->offer_server)
        return;     /* retried when that is over */
    send_reinvite(call);
}

/* What hold and media updates need: a call still in the engine, connected. */
static gboolean call_check_connected(struct sip_call *call, GError **error)
{
    g_return_val_if_fail(call != NULL, FALSE);
    if (!call_check_attached(call, error))
        return FALSE;
    if (call->state != SIP_CALL_STATE_CONNECTED)
    {
        g_set_error(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_WRONG_STATE, "the call is not connected (%s)",
                    sip_call_state_name(call->state));
        return FALSE;
    }
    return TRUE;
}

static gboolean call_set_local_hold(struct sip_call *call, gboolean hold, GError **error)
{
    if (!call_check_connected(call, error))
        return FALSE;
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

gboolean sip_call_update_media(struct sip_call *call, guint directions, GError **error)
{
    if (!call_check_connected(call, error))
        return FALSE;
    if (directions & ~(guint)SIP_MEDIA_SENDRECV)
    {
        g_set_error(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_INVALID_ARGUMENT, "no media directions %#x", directions);
        return FALSE;
    }
    call->media_limit = directions;
    call->update_pending = TRUE;
    call_maybe_reinvite(call);
    return TRUE;
}
