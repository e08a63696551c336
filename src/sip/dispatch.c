/*
 * What a parsed message does: a request goes through the checks
 * (request_check.c), then to its server transaction, to a new one, or
 * (ACK for a 2xx, INVITE repeated after our 2xx) straight to its call; a
 * response goes to its client transaction or, if it is a 2xx the INVITE
 * transaction no longer wants, to its call. A new server transaction's
 * request is handed to its transaction user: call.c for INVITE sessions,
 * subscription.c for SUBSCRIBE and the NOTIFYs of our subscriptions, this
 * file for CANCEL, OPTIONS and out-of-dialog MESSAGE, 481 for a dialog
 * that does not exist.
 */

#ifndef G_LOG_DOMAIN
#define G_LOG_DOMAIN "rtcshim"
#endif

#include <string.h>

#include "call.h"
#include "call_registry.h"
#include "dispatch.h"
#include "engine.h"
#include "event_queue.h"
#include "message.h"
#include "shed.h"
#include "subscription.h"
#include "transaction.h"
#include "transaction_private.h"
#include "wire.h"

static void respond_with_verdict(struct sip_engine *engine, osip_transaction_t *transaction,
                                 osip_message_t *request, const struct sip_request_verdict *verdict)
{
    osip_message_t *response = engine_build_response(engine, request, verdict->code, verdict->reason, NULL);

    if (response && verdict->header_name)
        osip_message_set_header(response, verdict->header_name, verdict->header_value);
    engine->stats.bad_requests_rejected++;
    engine_respond(engine, transaction, response);
}

void engine_answer_options(struct sip_engine *engine, osip_transaction_t *transaction, osip_message_t *request)
{
    osip_message_t *response = engine_build_response(engine, request, 200, NULL, NULL);

    if (!response)
        return;
    char *allow_events = engine_allow_events(engine);

    osip_message_set_allow(response, SIP_ALLOWED_METHODS);
    osip_message_set_accept(response, SIP_ACCEPTED_TYPES);
    osip_message_set_supported(response, SIP_SUPPORTED_OPTIONS);
    osip_message_set_header(response, "Allow-Events", allow_events);
    g_free(allow_events);
    engine_respond(engine, transaction, response);
}

/* CANCEL (§9.2): find the INVITE server transaction it names. */
static void handle_cancel(struct sip_engine *engine, osip_transaction_t *transaction, osip_message_t *cancel)
{
    osip_transaction_t *invite_transaction = transaction_find_cancelled_invite(engine, cancel);
    struct sip_call *call = NULL;

    if (invite_transaction && cancel->call_id)
    {
        char *call_id = engine_call_id_string(cancel->call_id);

        call = engine_lookup_incoming_call(engine, call_id, sip_header_tag(cancel->from));
        /* A re-INVITE's CANCEL names our tag in To, whoever called. */
        if ((!call || !call_offer_is(call, invite_transaction)) && sip_header_tag(cancel->to))
        {
            struct sip_call *dialog_call = engine_lookup_call(engine, call_id, sip_header_tag(cancel->to));

            if (dialog_call && call_offer_is(dialog_call, invite_transaction))
                call = dialog_call;
        }
        g_free(call_id);
    }
    if (!invite_transaction)
    {
        engine_respond_simple(engine, transaction, 481, NULL);
        return;
    }
    engine_respond_simple(engine, transaction, 200, NULL);
    if (call)
        call_handle_cancel(call, invite_transaction);
    else
        engine_respond_simple(engine, invite_transaction, 487, NULL);
}

/* A SUBSCRIBE outside a dialog for the refer package: only a REFER creates
 * such a subscription (RFC 3515 §2.4.4), so 403. Other packages go to the
 * notifier (notifier.c), which serves what the layer above serves and
 * answers 489 for the rest (RFC 6665 §4.2.1.1). */
static gboolean refuse_refer_subscription(struct sip_engine *engine, osip_transaction_t *transaction,
                                          const osip_message_t *request)
{
    osip_header_t *event = NULL;

    if (osip_message_header_get_byname(request, "event", 0, &event) < 0 || !event)
        osip_message_header_get_byname(request, "o", 0, &event);
    if (!event || !event->hvalue || g_ascii_strncasecmp(event->hvalue, "refer", 5)
        || (event->hvalue[5] && event->hvalue[5] != ';' && !g_ascii_isspace(event->hvalue[5])))
        return FALSE;
    engine_respond_simple(engine, transaction, 403, NULL);
    return TRUE;
}

/* A new server transaction's request, after the checks. */
static void dispatch_request(struct sip_engine *engine, osip_transaction_t *transaction, osip_message_t *request)
{
    const char *method = request->sip_method;

    if (MSG_IS_CANCEL(request))
    {
        handle_cancel(engine, transaction, request);
        return;
    }
    if (sip_header_tag(request->to))
    {
        struct sip_call *call = engine_find_call(engine, request, TRUE);
        struct sip_subscription *subscription = call ? NULL : engine_find_subscription(engine, request);

        if (call)
            call_handle_request(call, transaction, request);
        else if (subscription)
            subscription_handle_request(subscription, transaction, request);
        else if (MSG_IS_OPTIONS(request))
            engine_answer_options(engine, transaction, request);
        else
            engine_respond_simple(engine, transaction, 481, NULL);
        return;
    }
    if (MSG_IS_INVITE(request))
        call_handle_invite(engine, transaction, request);
    else if (MSG_IS_SUBSCRIBE(request))
    {
        if (!refuse_refer_subscription(engine, transaction, request))
            subscription_handle_subscribe(engine, transaction, request);
    }
    else if (MSG_IS_OPTIONS(request))
        engine_answer_options(engine, transaction, request);
    else if (MSG_IS_MESSAGE(request))
    {
        engine_respond_simple(engine, transaction, 200, NULL);
        engine_report_incoming_request(engine, NULL, request);
    }
    else if (MSG_IS_REFER(request))
        engine_respond_simple(engine, transaction, 603, NULL);     /* only inside a confirmed dialog */
    else if (!strcmp(method, "BYE") || !strcmp(method, "INFO") || MSG_IS_NOTIFY(request))
        /* A NOTIFY without To tag matches no subscription of ours (RFC 6665 §4.1.3). */
        engine_respond_simple(engine, transaction, 481, NULL);
    else
        engine_respond_simple(engine, transaction, 501, NULL);
}

void engine_dispatch_request(struct sip_engine *engine, osip_transaction_t *transaction, osip_message_t *request,
                             const struct sip_request_verdict *verdict)
{
    if (verdict->code)
        respond_with_verdict(engine, transaction, request, verdict);
    else
        dispatch_request(engine, transaction, request);
}

/* ---- receiving ------------------------------------------------------------------------ */

/* §18.2.1 and RFC 3581: record where the request really came from. */
static void fix_top_via(osip_message_t *request, const struct sip_transport_peer *peer)
{
    osip_via_t *via = osip_list_get(&request->vias, 0);
    osip_generic_param_t *rport = NULL, *received = NULL;

    if (!via)
        return;
    osip_via_param_get_byname(via, "rport", &rport);
    osip_via_param_get_byname(via, "received", &received);
    if (!received && (rport || !via->host || strcmp(via->host, peer->remote_ip)))
        osip_via_set_received(via, osip_strdup(peer->remote_ip));
    if (rport && !rport->gvalue)
    {
        char port[8];

        g_snprintf(port, sizeof(port), "%u", peer->remote_port);
        rport->gvalue = osip_strdup(port);
    }
}

/* A response outside any transaction (the request was too broken, or
 * came while we are overloaded). */
static void respond_statelessly(struct sip_engine *engine, osip_message_t *request,
                                const struct sip_transport_peer *peer, const struct sip_request_verdict *verdict,
                                const char *to_tag)
{
    osip_message_t *response;

    if (MSG_IS_ACK(request)
        || !(response = engine_build_response(engine, request, verdict->code, verdict->reason, to_tag)))
        return;
    if (verdict->header_name)
        osip_message_set_header(response, verdict->header_name, verdict->header_value);
    engine_resend_response(engine, response, peer->protocol, peer->connection_id);
    osip_message_free(response);
}

/* The receive backlog counts as overload at once, except after a stall out
 * of the blue: when the engine's thread was held up once (descheduled, a
 * burst of new calls set up) after a calm spell, what waited in the socket
 * meanwhile is read late, but the engine catches up at once. That is taken
 * for up to the bound's length, so a burst of calls is answered instead of
 * half of it refused. Late again soon after (an engine past its capacity
 * catches up and falls behind in turns), it is overload. */
#define CALM_BEFORE_STALL_US (2 * G_USEC_PER_SEC)

void engine_note_backlog(struct sip_engine *engine, const struct sip_transport_peer *peer)
{
    guint bound = engine->limits.receive_backlog_ms;
    gint64 now;

    if (!bound || peer->protocol != SIP_TRANSPORT_UDP)
        return;
    if (peer->backlog_ms < bound)
    {
        engine->behind_since = 0;
        return;
    }
    now = g_get_monotonic_time();
    if (!engine->behind_since)
        engine->behind_since = engine->last_late_read && now - engine->last_late_read < CALM_BEFORE_STALL_US
                               ? now - (gint64)bound * 1000 : now;
    engine->last_late_read = now;
}

void engine_set_behind_for(struct sip_engine *engine, guint ms)
{
    engine->behind_since = MAX(g_get_monotonic_time() - (gint64)ms * 1000, 1);
}

static gboolean behind_on_socket(const struct sip_engine *engine, const struct sip_transport_peer *peer)
{
    guint bound = engine->limits.receive_backlog_ms;

    return bound && peer->backlog_ms >= bound && engine->behind_since
           && g_get_monotonic_time() - engine->behind_since >= (gint64)bound * 1000;
}

const char *engine_overload_bound(const struct sip_engine *engine, gboolean invite,
                                  const struct sip_transport_peer *peer)
{
    const struct sip_engine_limits *limits = &engine->limits;

    if (behind_on_socket(engine, peer))
        return "receive backlog";
    if (limits->undecided_calls && invite && engine->undecided_calls >= limits->undecided_calls)
        return "undecided calls";
    if (limits->pending_events && engine->events.length >= limits->pending_events)
        return "pending events";
    if (limits->transactions && engine->stats.transactions >= limits->transactions)
        return "transactions";
    return NULL;
}

/* 503 with Retry-After for a new request we cannot take now: no
 * transaction, no call; a copy is answered the same way (shed.c remembers
 * it), even once we could take it. */
static void shed_request(struct sip_engine *engine, osip_message_t *request, const struct sip_transport_peer *peer,
                         const char *bound)
{
    struct sip_request_verdict verdict = { 0 };
    char retry_after[16], *tag;

    g_snprintf(retry_after, sizeof(retry_after), "%u", engine->limits.retry_after_s);
    verdict.code = 503;
    verdict.reason = (char *)"Service Unavailable";
    if (engine->limits.retry_after_s)
    {
        verdict.header_name = (char *)"Retry-After";
        verdict.header_value = retry_after;
    }
    if (engine->trace)
        g_debug("overloaded (%s): %s answered 503", bound, request->sip_method);
    engine->stats.overload_rejected++;
    tag = engine_shed_remember(engine, request, peer);
    respond_statelessly(engine, request, peer, &verdict, tag);
    g_free(tag);
}

void engine_handle_request(struct sip_engine *engine, osip_message_t *request, const struct sip_transport_peer *peer,
                           gsize raw_body_length)
{
    struct sip_request_verdict verdict;
    osip_transaction_t *transaction;

    if (!osip_list_size(&request->vias))
    {
        engine->stats.unparseable_dropped++;    /* nowhere to answer */
        osip_message_free(request);
        return;
    }
    fix_top_via(request, peer);

    /* The transaction checks need CSeq and Call-ID: those come first. */
    sip_request_check(request, raw_body_length, &verdict);
    if (verdict.stateless)
    {
        engine->stats.bad_requests_rejected++;
        respond_statelessly(engine, request, peer, &verdict, NULL);
        sip_request_verdict_clear(&verdict);
        osip_message_free(request);
        return;
    }

    /* A retransmission, or the ACK for a non-2xx final response. */
    if (!MSG_IS_INVITE(request) && !MSG_IS_ACK(request) && transaction_answer_retransmission(engine, request))
    {
        sip_request_verdict_clear(&verdict);
        osip_message_free(request);
        return;
    }
    if ((transaction = transaction_find_server(engine, request)))
    {
        sip_request_verdict_clear(&verdict);
        transaction_deliver(engine, transaction, request);
        return;
    }
    if (MSG_IS_ACK(request))
    {
        struct sip_call *call = verdict.code ? NULL : engine_find_call(engine, request, TRUE);

        if (call)
            call_handle_ack(call, request);
        sip_request_verdict_clear(&verdict);
        osip_message_free(request);
        return;
    }
    /* A BYE in a confirmed dialog is answered as it is read: no transaction. */
    if (!verdict.code && MSG_IS_BYE(request) && sip_header_tag(request->to))
    {
        struct sip_call *call = engine_find_call(engine, request, TRUE);

        if (call && call_handle_bye_at_once(call, request, peer))
        {
            sip_request_verdict_clear(&verdict);
            osip_message_free(request);
            return;
        }
    }
    /* An initial INVITE repeated after our 2xx ended its transaction. */
    if (!verdict.code && MSG_IS_INVITE(request) && !sip_header_tag(request->to))
    {
        char *call_id = engine_call_id_string(request->call_id);
        struct sip_call *call = engine_lookup_incoming_call(engine, call_id, sip_header_tag(request->from));

        g_free(call_id);
        if (call)
        {
            call_handle_invite_again(call, request);
            sip_request_verdict_clear(&verdict);
            osip_message_free(request);
            return;
        }
        if (transaction_absorb_accepted_invite(engine, request))
        {
            sip_request_verdict_clear(&verdict);
            osip_message_free(request);
            return;
        }
    }

    /* A new request outside any dialog: taken only if we can. */
    if (!verdict.code && !sip_header_tag(request->to) && !MSG_IS_CANCEL(request))
    {
        const char *bound = engine_overload_bound(engine, MSG_IS_INVITE(request), peer);

        if (!bound && engine_shed_refused_before(engine, request))
            bound = "refused before";
        if (bound)
        {
            shed_request(engine, request, peer, bound);
            osip_message_free(request);
            return;
        }
    }

    transaction = transaction_new_server(engine, request, peer->protocol, peer->connection_id, &verdict);
    if (!transaction)
    {
        sip_request_verdict_clear(&verdict);
        engine->stats.unparseable_dropped++;
        osip_message_free(request);
        return;
    }
    transaction_deliver(engine, transaction, request);
}

void engine_handle_response(struct sip_engine *engine, osip_message_t *response)
{
    osip_transaction_t *transaction;

    if (!osip_list_size(&response->vias) || !response->cseq || !response->cseq->method || !response->call_id
        || !response->from || !response->to || response->status_code < 100 || response->status_code > 699)
    {
        engine->stats.unparseable_dropped++;
        osip_message_free(response);
        return;
    }
    if ((transaction = transaction_find_client(engine, response)))
    {
        transaction_deliver(engine, transaction, response);
        return;
    }
    /* A final response again for our failed INVITE: the ACK again. */
    if (response->status_code >= 300 && MSG_IS_RESPONSE_FOR(response, "INVITE")
        && transaction_answer_retransmitted_response(engine, response))
    {
        osip_message_free(response);
        return;
    }
    /* The INVITE client transaction ends at the first 2xx (§17.1.1.2):
     * retransmissions and forked 2xx are the dialog's business. */
    if (MSG_IS_STATUS_2XX(response) && MSG_IS_RESPONSE_FOR(response, "INVITE"))
    {
        struct sip_call *call = engine_find_call(engine, response, FALSE);

        if (call)
            call_handle_stray_2xx(call, response);
        else
            call_retired_handle_2xx(engine, response);
    }
    osip_message_free(response);
}
