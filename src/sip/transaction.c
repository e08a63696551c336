/*
 * The transaction layer: libosip2's four transaction FSMs, kept out of
 * libosip2's own lists (see transaction_timers.c), with the engine's
 * per-transaction context, their keys (§17.1.3, §17.2.3), sending
 * requests and responses through them, and libosip2's callbacks, which
 * report to each transaction's user. See transaction.h.
 */

#ifndef G_LOG_DOMAIN
#define G_LOG_DOMAIN "rtcshim"
#endif

#include <string.h>

#include "digest_retry.h"
#include "dispatch.h"
#include "engine.h"
#include "message.h"
#include "transaction.h"
#include "transaction_private.h"
#include "wire.h"

static struct sip_engine *engine_of(osip_transaction_t *transaction)
{
    return osip_get_application_context((osip_t *)transaction->config);
}

static const char *via_branch(const osip_via_t *via)
{
    osip_generic_param_t *branch = NULL;

    if (!via)
        return NULL;
    osip_via_param_get_byname((osip_via_t *)via, "branch", &branch);
    return branch && branch->gvalue ? branch->gvalue : NULL;
}

/* Transaction keys (§17.1.3, §17.2.3). Only RFC 3261 branches (magic
 * cookie) are keyed; others fall back to libosip2's own matching. ACK
 * matches its INVITE's server transaction. */
char *transaction_server_key(const osip_message_t *request)
{
    const osip_via_t *via = osip_list_get(&request->vias, 0);
    const char *branch = via_branch(via), *method = request->cseq ? request->cseq->method : NULL;

    if (!method || !via || !via->host)
        return NULL;
    if (!strcmp(method, "ACK"))
        method = "INVITE";
    if (branch && !strncmp(branch, "z9hG4bK", 7))
        return transaction_server_key_of_branch(branch, via->host, via->port, method);
    /* An RFC 2543 peer (§17.2.3): Call-ID, CSeq, From tag and sent-by,
     * without the To tag, which the ACK of a non-2xx adds. */
    if (!request->call_id || !request->call_id->number || !request->cseq->number)
        return NULL;
    return g_strdup_printf("2543\n%s@%s\n%s %s\n%s\n%s:%s", request->call_id->number,
                           request->call_id->host ? request->call_id->host : "", request->cseq->number, method,
                           sip_header_tag(request->from) ? sip_header_tag(request->from) : "", via->host,
                           via->port ? via->port : "5060");
}

char *transaction_server_key_of_branch(const char *branch, const char *host, const char *port, const char *method)
{
    return g_strconcat(branch, "\n", host, ":", port ? port : "5060", "\n", method, NULL);
}

static char *client_key(const osip_message_t *message)
{
    const osip_via_t *via = osip_list_get(&message->vias, 0);
    const char *branch = via_branch(via), *method = message->cseq ? message->cseq->method : NULL;

    if (!branch || !method)
        return NULL;
    return g_strconcat(branch, "\n", method, NULL);
}

char *transaction_client_key(const osip_message_t *message)
{
    return client_key(message);
}

/* libosip2's send callback: requests go to the destination we set on the
 * transaction, responses to what their top Via says (received/rport). */
static int on_send_message(osip_transaction_t *transaction, osip_message_t *message, char *host, int port,
                           int out_socket)
{
    struct sip_engine *engine = engine_of(transaction);
    struct transaction_context *context = context_of(transaction);

    (void)out_socket;
    if (!host || port <= 0 || port > 65535)
        return -1;
    return engine_transmit_named(engine, message, context->protocol, host, port, context->server_name,
                                 &context->connection_id) ? 0 : -1;
}

void transaction_add_event(struct sip_engine *engine, osip_transaction_t *transaction, osip_event_t *event)
{
    struct transaction_context *context = context_of(transaction);

    osip_transaction_add_event(transaction, event);
    if (!context->queued && !context->dead)
    {
        context->queued = TRUE;
        g_queue_push_tail(&engine->ready, transaction);
    }
}

osip_transaction_t *transaction_new(struct sip_engine *engine, osip_fsm_type_t type, osip_message_t *request,
                                    enum sip_transport_protocol protocol, guint connection_id)
{
    struct transaction_context *context;
    osip_transaction_t *transaction;
    GHashTable *table;

    if (osip_transaction_init(&transaction, type, engine->osip, request))
        return NULL;
    /* Out of libosip2's lists at once (see transaction_timers.c): with the
     * lists kept empty, its append and removal cost nothing. */
    osip_remove_transaction(engine->osip, transaction);
    context = g_new0(struct transaction_context, 1);
    context->engine = engine;
    context->protocol = protocol;
    context->connection_id = connection_id;
    context->deadline = -1;
    osip_transaction_set_your_instance(transaction, context);
    g_hash_table_add(engine->transactions, transaction);
    if (type == IST || type == NIST)
    {
        context->key = transaction_server_key(request);
        table = engine->server_transactions;
    }
    else
    {
        context->key = client_key(request);
        table = engine->client_transactions;
    }
    if (context->key)
        g_hash_table_replace(table, context->key, transaction);
    engine->stats.transactions++;
    return transaction;
}

static void transaction_free(struct sip_engine *engine, osip_transaction_t *transaction)
{
    struct transaction_context *context = context_of(transaction);

    if (context)
    {
        targets_clear(context);
        if (context->destroy)
            context->destroy(context->data);
        sip_request_verdict_clear(&context->verdict);
        if (context->answered_realms)
            g_ptr_array_free(context->answered_realms, TRUE);
        g_free(context->key);
        g_free(context);
    }
    osip_transaction_free2(transaction);
    engine->stats.transactions--;
}

static void forget_transaction_key(struct sip_engine *engine, osip_transaction_t *transaction)
{
    struct transaction_context *context = context_of(transaction);
    GHashTable *table;

    if (!context->key)
        return;
    table = transaction->ctx_type == IST || transaction->ctx_type == NIST
            ? engine->server_transactions : engine->client_transactions;
    if (g_hash_table_lookup(table, context->key) == transaction)
        g_hash_table_remove(table, context->key);
}

static void free_dead_transactions(struct sip_engine *engine)
{
    guint i;

    if (engine->running || engine->dead_hold || !engine->dead->len)
        return;
    for (i = 0; i < engine->dead->len; i++)
        transaction_free(engine, g_ptr_array_index(engine->dead, i));
    g_ptr_array_set_size(engine->dead, 0);
}

void engine_run(struct sip_engine *engine)
{
    osip_transaction_t *transaction;

    if (engine->running)
        return;     /* the outer run picks up what was queued */
    engine->running = TRUE;
    while ((transaction = g_queue_pop_head(&engine->ready)))
    {
        struct transaction_context *context = context_of(transaction);
        osip_event_t *event;

        context->queued = FALSE;
        while (!context->dead && (event = osip_fifo_tryget(transaction->transactionff)))
            osip_transaction_execute(transaction, event);
        transaction_reschedule(engine, transaction);
    }
    engine->running = FALSE;
    free_dead_transactions(engine);
}

static osip_event_t *incoming_event(osip_message_t *message)
{
    osip_event_t *event = osip_malloc(sizeof(*event));

    if (!event)
        return NULL;
    memset(event, 0, sizeof(*event));
    event->sip = message;
    if (MSG_IS_REQUEST(message))
        event->type = MSG_IS_INVITE(message) ? RCV_REQINVITE : MSG_IS_ACK(message) ? RCV_REQACK : RCV_REQUEST;
    else if (MSG_IS_STATUS_1XX(message))
        event->type = RCV_STATUS_1XX;
    else if (MSG_IS_STATUS_2XX(message))
        event->type = RCV_STATUS_2XX;
    else
        event->type = RCV_STATUS_3456XX;
    return event;
}

void transaction_deliver(struct sip_engine *engine, osip_transaction_t *transaction, osip_message_t *message)
{
    osip_event_t *event = incoming_event(message);

    if (!event)
    {
        osip_message_free(message);
        return;
    }
    transaction_add_event(engine, transaction, event);
    engine_run(engine);
}

osip_transaction_t *engine_send_request(struct sip_engine *engine, osip_message_t *request,
                                        const struct sip_next_hop *hop,
                                        const struct engine_transaction_user *user, void *data,
                                        GDestroyNotify destroy, GError **error)
{
    struct transaction_context *context;
    osip_header_t *user_agent = NULL;
    osip_transaction_t *transaction, *final;
    gboolean invite = MSG_IS_INVITE(request), started;

    /* For a name, a Via for now: it is made again for the target. */
    if (!osip_list_size(&request->vias) && !engine_add_via(engine, request, hop))
    {
        g_set_error(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_NO_TRANSPORT, "not listening on %s for %s",
                    sip_transport_protocol_name(hop->protocol), hop->host[0] ? hop->host : hop->name);
        goto failed;
    }
    if (osip_message_get_user_agent(request, 0, &user_agent) < 0)
        osip_message_set_user_agent(request, engine->user_agent);
    transaction = transaction_new(engine, invite ? ICT : NICT, request, hop->protocol, hop->connection_id);
    if (!transaction)
    {
        g_set_error(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_INVALID_ARGUMENT, "cannot start a %s transaction",
                    request->sip_method);
        goto failed;
    }
    context = context_of(transaction);
    context->data = data;
    context->destroy = destroy;

    /* A failure to send right now is returned, not reported to the user:
     * hold the transaction (and any it failed over to) until we have
     * looked at it. */
    engine->dead_hold++;
    started = targets_start(engine, transaction, request, hop, error);
    if (started && context->resolving)
    {
        /* Nothing goes out before the name is resolved: the outcome is reported. */
        engine->dead_hold--;
        context->user = user;
        return transaction;
    }
    if (started)
        engine_run(engine);
    engine->dead_hold--;
    for (final = transaction; context_of(final)->successor; final = context_of(final)->successor)
        ;
    if (!started || context_of(final)->dead)
    {
        if (started)
            g_set_error(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_TRANSPORT, "cannot send to %s %s:%u",
                        sip_transport_protocol_name(context_of(final)->protocol),
                        hop->host[0] ? hop->host : hop->name, hop->port);
        if (!started)
            transaction_kill(engine, transaction);
        free_dead_transactions(engine);
        return NULL;
    }
    context_of(final)->user = user;
    return final;

failed:
    osip_message_free(request);
    if (destroy)
        destroy(data);
    return NULL;
}

void engine_respond(struct sip_engine *engine, osip_transaction_t *transaction, osip_message_t *response)
{
    struct transaction_context *context = context_of(transaction);
    osip_event_t *event;

    if (!response)
        return;
    if (context->dead)
    {
        osip_message_free(response);
        return;
    }
    event = osip_new_outgoing_sipmessage(response);
    event->transactionid = transaction->transactionid;
    transaction_add_event(engine, transaction, event);
    engine_run(engine);
}

void engine_respond_simple(struct sip_engine *engine, osip_transaction_t *transaction, guint code, const char *reason)
{
    osip_message_t *request = transaction->orig_request;

    if (!request)
        return;
    engine_respond(engine, transaction, engine_build_response(engine, request, code, reason, NULL));
}

void engine_set_transaction_user(osip_transaction_t *transaction, const struct engine_transaction_user *user,
                                 void *data, GDestroyNotify destroy)
{
    struct transaction_context *context = context_of(transaction);

    if (context->destroy)
        context->destroy(context->data);
    context->user = user;
    context->data = data;
    context->destroy = destroy;
}

enum sip_transport_protocol engine_transaction_protocol(osip_transaction_t *transaction)
{
    return context_of(transaction)->protocol;
}

guint engine_transaction_connection(osip_transaction_t *transaction)
{
    return context_of(transaction)->connection_id;
}

/* ---- libosip2 callbacks ------------------------------------------------------------ */

/* An INVITE we rejected ends a call too: until its ACK (or Timer H) it
 * counts as a hang-up in progress, so an application that shuts down does
 * not close a TCP connection the ACK is still coming on (the peer would
 * see a reset). */
static void settle_awaited_ack(struct transaction_context *context)
{
    if (!context->awaiting_ack)
        return;
    context->awaiting_ack = FALSE;
    context->engine->rejections_unacked--;
    engine_hangup_settled(context->engine);
}

static void on_invite_rejected(int type, osip_transaction_t *transaction, osip_message_t *response)
{
    struct transaction_context *context = context_of(transaction);

    (void)type;
    (void)response;
    if (context->awaiting_ack || context->dead)
        return;
    context->awaiting_ack = TRUE;
    context->engine->rejections_unacked++;
}

static void on_rejection_acked(int type, osip_transaction_t *transaction, osip_message_t *ack)
{
    (void)type;
    (void)ack;
    settle_awaited_ack(context_of(transaction));
}

void transaction_kill(struct sip_engine *engine, osip_transaction_t *transaction)
{
    struct transaction_context *context = context_of(transaction);

    if (context->dead)
        return;
    context->dead = TRUE;
    settle_awaited_ack(context);     /* Timer H, or the engine gives the transaction up */
    sip_resolve_query_cancel(context->resolving);
    context->resolving = NULL;
    transaction_unschedule(context);
    g_hash_table_remove(engine->transactions, transaction);
    forget_transaction_key(engine, transaction);
    g_ptr_array_add(engine->dead, transaction);
    if (context->user && context->user->terminated)
        context->user->terminated(engine, transaction, context->data);
}

static void on_kill_transaction(int type, osip_transaction_t *transaction)
{
    (void)type;
    transaction_kill(engine_of(transaction), transaction);
}

void engine_abandon_transaction(struct sip_engine *engine, osip_transaction_t *transaction)
{
    transaction_kill(engine, transaction);
    free_dead_transactions(engine);
}

static void report_client_outcome(osip_transaction_t *transaction, const osip_message_t *response, guint code)
{
    struct transaction_context *context = context_of(transaction);

    if (response && (code == 401 || code == 407) && !context->final_reported
        && engine_retry_with_credentials(context->engine, transaction, response))
    {
        context->final_reported = TRUE;
        return;
    }
    /* RFC 3263 §4.3: no answer, or 503, from this target: the next one. */
    if (code >= 200 && !context->final_reported && (!response || code == 503)
        && targets_fail_over(context->engine, transaction, response, code))
        return;
    if (code >= 200)
    {
        if (context->final_reported)
            return;
        context->final_reported = TRUE;
        if (!response && context->failure == SIP_DELIVERY_OK)
            context->failure = context->certificate_refused ? SIP_DELIVERY_TLS_CERTIFICATE : SIP_DELIVERY_NO_ANSWER;
    }
    if (context->user && context->user->response)
        context->user->response(context->engine, transaction, response, code, context->data);
}

/* An outgoing TCP/TLS connection never opened (refused, unreachable, TLS
 * handshake failed), or a UDP destination refused a datagram (ICMP): the
 * client transactions that were waiting on it fail now with 503 (and move
 * on to their next target), rather than at timer B/F (32 s later). */
void transaction_connection_failed(const struct sip_transport_failure *failure, void *user_data)
{
    struct sip_engine *engine = user_data;
    GPtrArray *failed = g_ptr_array_new();
    GHashTableIter iter;
    gpointer key;
    guint i;

    g_hash_table_iter_init(&iter, engine->transactions);
    while (g_hash_table_iter_next(&iter, &key, NULL))
    {
        osip_transaction_t *transaction = key;
        struct transaction_context *context = context_of(transaction);
        char *host = NULL;
        int port = 0;
        gboolean waiting;

        if ((transaction->ctx_type != ICT && transaction->ctx_type != NICT) || context->dead
            || context->protocol != failure->protocol)
            continue;
        if (failure->protocol != SIP_TRANSPORT_UDP)
        {
            if (context->connection_id == failure->connection_id)
                g_ptr_array_add(failed, transaction);
            continue;
        }
        /* UDP: a request to that destination with no answer yet. */
        waiting = transaction->state == ICT_CALLING || transaction->state == NICT_TRYING;
        osip_transaction_get_destination(transaction, &host, &port);
        if (waiting && host && port == failure->remote_port && !strcmp(host, failure->remote_ip))
            g_ptr_array_add(failed, transaction);
    }
    /* The users' handlers may end other transactions: none is freed before
     * the loop is over. */
    engine->dead_hold++;
    for (i = 0; i < failed->len; i++)
    {
        osip_transaction_t *transaction = g_ptr_array_index(failed, i);

        if (context_of(transaction)->dead)
            continue;
        g_debug("%s %s:%u failed: transaction %s fails with 503", sip_transport_protocol_name(failure->protocol),
                failure->remote_ip, failure->remote_port,
                context_of(transaction)->key ? context_of(transaction)->key : "?");
        if (failure->kind == SIP_TRANSPORT_FAILURE_CERTIFICATE)
            context_of(transaction)->certificate_refused = TRUE;
        report_client_outcome(transaction, NULL, 503);
        transaction_kill(engine, transaction);
    }
    engine->dead_hold--;
    g_ptr_array_free(failed, TRUE);
    engine_run(engine);
}

void transaction_fail(struct sip_engine *engine, osip_transaction_t *transaction, guint code)
{
    engine->dead_hold++;
    report_client_outcome(transaction, NULL, code);
    transaction_kill(engine, transaction);
    engine->dead_hold--;
    engine_run(engine);
}

static void on_transport_error(int type, osip_transaction_t *transaction, int error)
{
    (void)error;
    if (type == OSIP_ICT_TRANSPORT_ERROR || type == OSIP_NICT_TRANSPORT_ERROR)
        report_client_outcome(transaction, NULL, 503);
}

static void on_client_response(int type, osip_transaction_t *transaction, osip_message_t *response)
{
    (void)type;
    report_client_outcome(transaction, response, osip_message_get_status_code(response));
}

static void on_client_timeout(int type, osip_transaction_t *transaction, osip_message_t *message)
{
    (void)type;
    (void)message;
    report_client_outcome(transaction, NULL, 408);
}

static void on_request_received(int type, osip_transaction_t *transaction, osip_message_t *request)
{
    (void)type;
    engine_dispatch_request(engine_of(transaction), transaction, request, &context_of(transaction)->verdict);
}

void transaction_register_callbacks(osip_t *osip)
{
    static const int client_responses[] =
    {
        OSIP_ICT_STATUS_1XX_RECEIVED, OSIP_ICT_STATUS_2XX_RECEIVED, OSIP_ICT_STATUS_3XX_RECEIVED,
        OSIP_ICT_STATUS_4XX_RECEIVED, OSIP_ICT_STATUS_5XX_RECEIVED, OSIP_ICT_STATUS_6XX_RECEIVED,
        OSIP_NICT_STATUS_1XX_RECEIVED, OSIP_NICT_STATUS_2XX_RECEIVED, OSIP_NICT_STATUS_3XX_RECEIVED,
        OSIP_NICT_STATUS_4XX_RECEIVED, OSIP_NICT_STATUS_5XX_RECEIVED, OSIP_NICT_STATUS_6XX_RECEIVED,
    };
    static const int requests[] =
    {
        OSIP_IST_INVITE_RECEIVED, OSIP_NIST_REGISTER_RECEIVED, OSIP_NIST_BYE_RECEIVED, OSIP_NIST_OPTIONS_RECEIVED,
        OSIP_NIST_INFO_RECEIVED, OSIP_NIST_CANCEL_RECEIVED, OSIP_NIST_NOTIFY_RECEIVED, OSIP_NIST_SUBSCRIBE_RECEIVED,
        OSIP_NIST_UNKNOWN_REQUEST_RECEIVED,
    };
    gsize i;

    for (i = 0; i < G_N_ELEMENTS(client_responses); i++)
        osip_set_message_callback(osip, client_responses[i], on_client_response);
    for (i = 0; i < G_N_ELEMENTS(requests); i++)
        osip_set_message_callback(osip, requests[i], on_request_received);
    osip_set_message_callback(osip, OSIP_IST_STATUS_3XX_SENT, on_invite_rejected);
    osip_set_message_callback(osip, OSIP_IST_STATUS_4XX_SENT, on_invite_rejected);
    osip_set_message_callback(osip, OSIP_IST_STATUS_5XX_SENT, on_invite_rejected);
    osip_set_message_callback(osip, OSIP_IST_STATUS_6XX_SENT, on_invite_rejected);
    osip_set_message_callback(osip, OSIP_IST_ACK_RECEIVED, on_rejection_acked);
    osip_set_message_callback(osip, OSIP_ICT_STATUS_TIMEOUT, on_client_timeout);
    osip_set_message_callback(osip, OSIP_NICT_STATUS_TIMEOUT, on_client_timeout);
    for (i = 0; i < OSIP_KILL_CALLBACK_COUNT; i++)
        osip_set_kill_transaction_callback(osip, i, on_kill_transaction);
    for (i = 0; i < OSIP_TRANSPORT_ERROR_CALLBACK_COUNT; i++)
        osip_set_transport_error_callback(osip, i, on_transport_error);
    osip_set_cb_send_message(osip, on_send_message);
}

void transaction_rekey(struct sip_engine *engine, osip_transaction_t *transaction, const osip_message_t *request)
{
    struct transaction_context *context = context_of(transaction);

    forget_transaction_key(engine, transaction);
    g_free(context->key);
    context->key = client_key(request);
    if (context->key)
        g_hash_table_replace(engine->client_transactions, context->key, transaction);
}

/* ---- lookups for the receive path ------------------------------------------------------ */

osip_transaction_t *transaction_find_server(struct sip_engine *engine, osip_message_t *request)
{
    char *key = transaction_server_key(request);
    osip_transaction_t *transaction;

    if (!key)
        return NULL;
    transaction = g_hash_table_lookup(engine->server_transactions, key);
    g_free(key);
    return transaction;
}

osip_transaction_t *transaction_find_client(struct sip_engine *engine, osip_message_t *response)
{
    char *key = client_key(response);
    osip_transaction_t *transaction;

    /* Our requests always carry an RFC 3261 branch: a response without it
     * is not for us. */
    if (!key)
        return NULL;
    transaction = g_hash_table_lookup(engine->client_transactions, key);
    g_free(key);
    return transaction;
}

osip_transaction_t *transaction_find_cancelled_invite(struct sip_engine *engine, const osip_message_t *cancel)
{
    osip_transaction_t *invite_transaction = NULL;
    char *key = transaction_server_key(cancel);

    if (key)
    {
        /* transaction_server_key() of the CANCEL ends in "CANCEL": look for the INVITE. */
        char *invite_key = g_strdup_printf("%.*sINVITE", (int)(strlen(key) - strlen("CANCEL")), key);
        invite_transaction = g_hash_table_lookup(engine->server_transactions, invite_key);
        g_free(invite_key);
        g_free(key);
    }
    return invite_transaction;
}

osip_transaction_t *transaction_new_server(struct sip_engine *engine, osip_message_t *request,
                                           enum sip_transport_protocol protocol, guint connection_id,
                                           const struct sip_request_verdict *verdict)
{
    osip_transaction_t *transaction = transaction_new(engine, MSG_IS_INVITE(request) ? IST : NIST, request, protocol,
                                                      connection_id);

    if (transaction)
        context_of(transaction)->verdict = *verdict;     /* answered from on_request_received() */
    return transaction;
}

/* ---- the engine goes away ---------------------------------------------------------------- */

static void free_transaction_list(struct sip_engine *engine, osip_list_t *list)
{
    osip_transaction_t *transaction;

    while ((transaction = osip_list_get(list, 0)))
    {
        osip_list_remove(list, 0);
        transaction_free(engine, transaction);
    }
}

void transaction_free_all(struct sip_engine *engine)
{
    GList *transactions = g_hash_table_get_keys(engine->transactions), *l;

    for (l = transactions; l; l = l->next)
    {
        transaction_unschedule(context_of(l->data));
        transaction_free(engine, l->data);
    }
    g_list_free(transactions);
    g_hash_table_remove_all(engine->transactions);
    /* libosip2's own lists are empty; anything left there is freed too. */
    free_transaction_list(engine, &engine->osip->osip_ict_transactions);
    free_transaction_list(engine, &engine->osip->osip_ist_transactions);
    free_transaction_list(engine, &engine->osip->osip_nict_transactions);
    free_transaction_list(engine, &engine->osip->osip_nist_transactions);
    engine->running = FALSE;
    engine->dead_hold = 0;
    free_dead_transactions(engine);
    g_ptr_array_free(engine->dead, TRUE);
    g_queue_clear(&engine->ready);
}
