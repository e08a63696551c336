/*
 * Requests in a call's dialog: the peer's (dispatched here: re-INVITE,
 * BYE, INFO, MESSAGE, OPTIONS, REFER, NOTIFY), ours (MESSAGE and INFO),
 * and hanging up (CANCEL, reject or BYE, as the call's state wants).
 */

#ifndef G_LOG_DOMAIN
#define G_LOG_DOMAIN "rtcshim"
#endif

#include "call_private.h"
#include "dispatch.h"
#include "event_queue.h"
#include "message.h"
#include "refer.h"

/* ---- in-dialog requests ------------------------------------------------------------------- */

/* The peer's BYE, answered 200: the call ends. */
static void take_bye(struct sip_call *call)
{
    struct sip_engine *engine = call->engine;

    call_stop_2xx_retransmission(call);
    call_settle_owed_bye(call, FALSE);     /* the peer ended the dialog first */
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

gboolean call_handle_bye_at_once(struct sip_call *call, osip_message_t *bye, const struct sip_transport_peer *peer)
{
    struct sip_engine *engine = call->engine;

    /* Anything but a BYE in order in the confirmed dialog of a live call
     * goes the usual way (call_handle_request). */
    if (!engine || !call->dialog || call->state == SIP_CALL_STATE_TERMINATED
        || !sip_dialog_matches_request(call->dialog, bye) || call_awaits_ack(call)
        || !sip_dialog_accept_remote_cseq(call->dialog, bye))
        return FALSE;
    engine_respond_at_once(engine, bye, engine_build_response(engine, bye, 200, NULL, NULL), peer);
    take_bye(call);
    return TRUE;
}

void call_handle_request(struct sip_call *call, osip_transaction_t *transaction, osip_message_t *request)
{
    struct sip_engine *engine = call->engine;
    struct sip_dialog *dialog = call->dialog;

    if (!engine)
        return;
    if (!dialog || !sip_dialog_matches_request(dialog, request))
    {
        dialog = call_find_early_dialog(call, sip_header_tag(request->from), FALSE);
        if (!dialog || !sip_dialog_matches_request(dialog, request))
        {
            engine_respond_simple(engine, transaction, 481, NULL);
            return;
        }
    }
    if (MSG_IS_NOTIFY(request))
    {
        /* Also on an ended call: a NOTIFY may race the BYE (transfer rule 9). */
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
    /* It overtook the ACK of our 2xx: not refused for coming early. A BYE
     * is not held (§15 only stops us sending one before the ACK): it shows
     * the peer had our 2xx, so it stands for the lost ACK first. */
    if (dialog == call->dialog && call_awaits_ack(call))
    {
        if (!MSG_IS_BYE(request))
        {
            call_hold_request(call, transaction);
            return;
        }
        call_take_implied_ack(call);
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
            call_handle_reinvite(call, transaction, request);
    }
    else if (MSG_IS_BYE(request))
    {
        engine_respond_simple(engine, transaction, 200, NULL);
        take_bye(call);
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
    else if (MSG_IS_SUBSCRIBE(request))
    {
        if (dialog != call->dialog)
            engine_respond_simple(engine, transaction, 481, "No Such Subscription");
        else
            refer_handle_subscribe(call, transaction, request);
    }
    else
    {
        engine_respond_simple(engine, transaction, 501, NULL);
    }
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

    if (code >= 200)
        engine_report_request_result(engine, request->id, code, response ? response->reason_phrase : NULL,
                                     engine_transaction_failure(transaction));
}

static void request_replaced(struct sip_engine *engine, osip_transaction_t *old_transaction,
                             osip_transaction_t *replacement, const osip_message_t *request, void *data)
{
    call_dialog_request_replaced(engine, old_transaction, replacement, request, ((struct dialog_request *)data)->call);
}

static const struct engine_transaction_user request_user = { request_response, NULL, request_replaced };

static guint send_dialog_request(struct sip_call *call, const char *method, const char *content_type,
                                 const char *body, gsize body_length, GError **error)
{
    struct dialog_request *pending;
    osip_message_t *request;
    guint id;

    g_return_val_if_fail(call != NULL, 0);
    if (!call_check_attached(call, error))
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
    if (!call_send_in_dialog(call, call->dialog, request, &request_user, pending, dialog_request_free, error))
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
    if (!call_check_attached(call, error))
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
        else if (!call_drop_unsent_invite(call))
            call->cancel_pending = TRUE;
        call_terminate(call, SIP_CALL_END_LOCAL_CANCEL, 0, NULL);
        return TRUE;
    }

    /* A transfer's last NOTIFY goes before the BYE (transfer rule 9). */
    call_end_refers(call, TRUE);
    if (call->pending_2xx && call->incoming && call->state == SIP_CALL_STATE_ANSWERING)
        call_owe_bye(call);     /* §15: no BYE before the ACK (or its timeout) */
    else
        call_send_bye(call);
    call_terminate(call, SIP_CALL_END_LOCAL_HANGUP, 0, NULL);
    return TRUE;
}
