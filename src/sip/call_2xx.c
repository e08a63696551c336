/*
 * The 2xx to an INVITE and its ACK, which live outside transactions
 * (§13.3.1.4, §13.2.2.4): our 2xx (to an INVITE or re-INVITE), serialised
 * once, sent and resent until its ACK comes, and sent again for a repeated
 * INVITE; a 2xx we receive again (ACKed again) or from another fork (ACKed,
 * then ended with BYE); requests that overtake the ACK of our 2xx, held
 * until it comes.
 */

#ifndef G_LOG_DOMAIN
#define G_LOG_DOMAIN "rtcshim"
#endif

#include "call_private.h"
#include "message.h"
#include "wire.h"

void call_stop_2xx_retransmission(struct sip_call *call)
{
    call_timer_cancel(call, &call->retransmit_timer);
    if (call->pending_2xx)
    {
        engine_sent_response_clear(call->pending_2xx);
        g_free(call->pending_2xx);
        call->pending_2xx = NULL;
    }
}

static void retransmit_2xx(struct sip_engine *engine, void *data);

void call_send_2xx(struct sip_call *call, osip_transaction_t *server, osip_message_t *response, guint32 cseq,
                   gboolean carries_offer)
{
    struct sip_engine *engine = call->engine;
    struct engine_sent_response *sent = g_new(struct engine_sent_response, 1);
    gboolean serialised;

    call_stop_2xx_retransmission(call);
    serialised = engine_sent_response_init(sent, response, engine_transaction_protocol(server),
                                           engine_transaction_connection(server));
    osip_message_free(response);
    /* The transaction ends with its 2xx (§17.2.1); a repeated INVITE now
     * finds the call, which sends the 2xx again, or once the call has gone
     * the record of the accepted INVITE (RFC 6026), which absorbs it. */
    engine_remember_accepted_invite(engine, server);
    engine_abandon_transaction(engine, server);
    if (!serialised)
    {
        g_message("call %s: cannot send the 2xx (no usable Via)", call->call_id);
        g_free(sent);
        return;
    }
    engine_sent_response_send(engine, sent);
    call->pending_2xx = sent;
    call->pending_2xx_cseq = cseq;
    call->pending_2xx_carries_offer = carries_offer;
    call->retransmit_elapsed = 0;
    /* §13.3.1.4: T1, doubling up to T2, over UDP; reliable transports only
     * wait for the ACK (64*T1). */
    call->retransmit_interval = sent->protocol == SIP_TRANSPORT_UDP ? sip_timer_2xx_next_interval(0)
                                                                    : SIP_TIMER_64T1_MS;
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
        call_stop_2xx_retransmission(call);
        call_refuse_held_requests(call);
        call_settle_owed_bye(call, FALSE);
        call_send_bye(call);
        call_terminate(call, SIP_CALL_END_TIMEOUT, 408, "No ACK");
        return;
    }
    engine_sent_response_send(engine, call->pending_2xx);
    call->retransmit_interval = sip_timer_2xx_next_interval(call->retransmit_interval);
    call->retransmit_interval = MIN(call->retransmit_interval, SIP_TIMER_64T1_MS - call->retransmit_elapsed);
    call->retransmit_timer = call_timer_start(call, call->retransmit_interval, retransmit_2xx);
}

/* ---- requests that overtake the ACK ---------------------------------------------------------- */

gboolean call_awaits_ack(struct sip_call *call)
{
    return call->engine && call->incoming && call->state == SIP_CALL_STATE_ANSWERING && call->pending_2xx
           && call->pending_2xx_cseq == call->invite_cseq && !call->bye_after_ack;
}

void call_hold_request(struct sip_call *call, osip_transaction_t *transaction)
{
    osip_message_t *request = transaction->orig_request;

    g_debug("call %s: %s (CSeq %u) came before the ACK: held", call->call_id, request->sip_method,
            engine_cseq_number(request));
    if (!call->held_requests)
        call->held_requests = g_ptr_array_new();
    g_ptr_array_add(call->held_requests, transaction);
    if (MSG_IS_INVITE(request))
        engine_respond(call->engine, transaction, engine_build_response(call->engine, request, 100, NULL, NULL));
}

/* Takes the held transactions that are still alive (the engine may have
 * freed others with their connection). */
static GPtrArray *take_held_requests(struct sip_call *call)
{
    GPtrArray *held = call->held_requests, *alive = g_ptr_array_new();
    guint i;

    call->held_requests = NULL;
    if (!held)
        return alive;
    for (i = 0; i < held->len; i++)
        if (call->engine && g_hash_table_contains(call->engine->transactions, g_ptr_array_index(held, i)))
            g_ptr_array_add(alive, g_ptr_array_index(held, i));
    g_ptr_array_free(held, TRUE);
    return alive;
}

/* The ACK came: each held request is handled as if it came now. */
static void release_held_requests(struct sip_call *call)
{
    struct sip_engine *engine = call->engine;
    GPtrArray *held = take_held_requests(call);
    guint i;

    /* Outside an FSM run, answering a request would free its transaction
     * (and the request) at once: they are kept until the last is handled. */
    engine->dead_hold++;
    sip_call_ref(call);
    for (i = 0; i < held->len; i++)
    {
        osip_transaction_t *transaction = g_ptr_array_index(held, i);
        osip_message_t *request = transaction->orig_request;

        if (sip_header_tag(request->to))
            call_handle_request(call, transaction, request);
        else
            call_handle_invite(engine, transaction, request);     /* with Replaces */
    }
    g_ptr_array_free(held, TRUE);
    sip_call_unref(call);
    engine->dead_hold--;
    engine_run(engine);
}

void call_take_implied_ack(struct sip_call *call)
{
    call_stop_2xx_retransmission(call);
    call_set_state(call, SIP_CALL_STATE_CONNECTED);
    release_held_requests(call);
}

void call_refuse_held_requests(struct sip_call *call)
{
    GPtrArray *held = take_held_requests(call);
    guint i;

    for (i = 0; i < held->len; i++)
        engine_respond_simple(call->engine, g_ptr_array_index(held, i), 481, NULL);
    g_ptr_array_free(held, TRUE);
}

/* ---- the ACK ----------------------------------------------------------------------------------- */

void call_handle_ack(struct sip_call *call, osip_message_t *ack)
{
    char *answer;

    if (!call->engine || !call->dialog || !sip_dialog_matches_request(call->dialog, ack))
        return;
    if (!call->pending_2xx || engine_cseq_number(ack) != call->pending_2xx_cseq)
        return;     /* a retransmitted ACK */
    if (call->pending_2xx_carries_offer && (answer = call_sdp_body(ack)))
    {
        call_take_answer(call, answer);
        g_free(answer);
    }
    call_stop_2xx_retransmission(call);
    if (call->bye_after_ack)
    {
        call_settle_owed_bye(call, TRUE);
        return;
    }
    if (call->state == SIP_CALL_STATE_ANSWERING)
        call_set_state(call, SIP_CALL_STATE_CONNECTED);
    call_maybe_reinvite(call);
    release_held_requests(call);
}

void call_handle_invite_again(struct sip_call *call, osip_message_t *invite)
{
    if (call->engine && call->pending_2xx && engine_cseq_number(invite) == call->pending_2xx_cseq)
        engine_sent_response_send(call->engine, call->pending_2xx);
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
    if (!(fork = call_new_uac_dialog(call, response)))
        return;
    g_debug("call %s: dismissing the fork with tag %s", call->call_id, to_tag);
    if ((ack = sip_dialog_build_ack(fork, cseq)))
    {
        struct sip_next_hop hop;

        sip_dialog_next_hop(fork, &hop);
        engine_send_ack(call->engine, ack, &hop);
        g_hash_table_insert(call->dismissed_forks, g_strdup(to_tag), ack);
    }
    call_send_bye_in(call, fork, NULL);
    sip_dialog_free(fork);
}
