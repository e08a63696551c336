/*
 * re-INVITEs in a confirmed dialog: the peer's (a new offer or a request
 * for ours; 491/500 on glare, §14.2) and ours, sent to put the call on hold
 * or resume it, retried after a random wait on glare (§14.1).
 */

#ifndef G_LOG_DOMAIN
#define G_LOG_DOMAIN "rtcshim"
#endif

#include "call_private.h"
#include "message.h"

void call_handle_reinvite(struct sip_call *call, osip_transaction_t *transaction, osip_message_t *request)
{
    struct sip_engine *engine = call->engine;
    osip_message_t *response;
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

    offer = call_sdp_body(request);
    had_offer = offer != NULL;
    if (had_offer)
        body = call_build_answer(call, offer, call->dialog->protocol, call_peer_host(call), TRUE, &code);
    else
        body = call_build_offer(call, call->dialog->protocol, call_peer_host(call), call_offer_direction(call), NULL);
    g_free(offer);
    if (!body)
    {
        engine_respond(engine, transaction, engine_build_response(engine, request, had_offer ? code : 500, NULL, NULL));
        return;
    }
    sip_dialog_refresh_target(call->dialog, request);
    response = engine_build_response(engine, request, 200, NULL, NULL);
    call_add_contact_for(call, response, call->dialog->protocol);
    osip_message_set_allow(response, SIP_ALLOWED_METHODS);
    engine_set_body(response, "application/sdp", body, strlen(body));
    g_free(body);
    call_send_2xx(call, transaction, response, engine_cseq_number(request), !had_offer);
}

/* ---- our re-INVITEs: hold and resume ---------------------------------------------------------- */

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
        call_send_ack(call, call->dialog, call->reinvite_cseq);
        sip_dialog_refresh_target(call->dialog, response);
        if ((answer = call_sdp_body(response)))
        {
            call_take_answer(call, answer);
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
    call_report_media(call);
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
    offer = call_build_offer(call, call->dialog->protocol, call_peer_host(call), call_offer_direction(call), &error);
    if (!offer)
    {
        g_message("call %s: no offer for the re-INVITE: %s", call->call_id, error ? error->message : "?");
        g_clear_error(&error);
        osip_message_free(request);
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
    }
}

/* Sends a re-INVITE if the hold state the user wants is not the one
 * negotiated and nothing else is in the way. */
void call_maybe_reinvite(struct sip_call *call)
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
    if (!call_check_attached(call, error))
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
