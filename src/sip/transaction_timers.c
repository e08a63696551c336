/*
 * The transactions' FSM timers (A-K), served by the engine's one timer
 * source (timer_source.c), and the shortcut for timer J: completed
 * non-INVITE server transactions retired into their response.
 */

#ifndef G_LOG_DOMAIN
#define G_LOG_DOMAIN "rtcshim"
#endif

#include <string.h>

#include "engine.h"
#include "platform.h"
#include "timer_source.h"
#include "transaction_private.h"
#include "wire.h"

/* ---- transaction timers -------------------------------------------------------------
 *
 * libosip2's FSMs keep each transaction's timers A-K as start times in
 * their contexts; osip_timers_gettimeout() and osip_timers_*_execute() find
 * the due ones by scanning every transaction, and libosip2 appends each new
 * transaction to a linked list by walking it. Both are O(live transactions)
 * per message, and with timers D/J/K keeping transactions 32 s, that made
 * the cost per call grow with the call rate (61 % of the CPU in
 * osip_list_add at 2,500 calls/s). So transactions stay out of libosip2's
 * lists, and after each FSM step the engine files the transaction under
 * its next timer (read from the same fields, with libosip2's rules) in
 * one ordered sequence that the engine's single timer source serves. */

static guint64 timer_sequence;     /* keeps equal deadlines in order */

/* A timer time libosip2 stored, on the engine's monotonic clock (libosip2's clock is
 * the wall clock on Windows: platform.h). */
static gint64 timeval_us(const struct timeval *tv)
{
    return sip_osip_time_to_monotonic(tv);
}

/* The earlier of deadline and a timer; timers "not started" are -1. */
static gint64 earlier(gint64 deadline, const struct timeval *timer)
{
    if (timer->tv_sec == -1)
        return deadline;
    return sip_timer_earliest(deadline, timeval_us(timer));
}

/* When libosip2 would next fire a timer for the transaction (-1: never). */
static gint64 transaction_deadline(osip_transaction_t *transaction)
{
    gint64 deadline = -1;

    switch (transaction->ctx_type)
    {
    case ICT:
        if (transaction->state == ICT_CALLING)
            deadline = earlier(earlier(deadline, &transaction->ict_context->timer_b_start),
                               &transaction->ict_context->timer_a_start);
        else if (transaction->state == ICT_COMPLETED)
            deadline = earlier(deadline, &transaction->ict_context->timer_d_start);
        break;
    case IST:
        if (transaction->state == IST_COMPLETED)
            deadline = earlier(earlier(deadline, &transaction->ist_context->timer_h_start),
                               &transaction->ist_context->timer_g_start);
        else if (transaction->state == IST_CONFIRMED)
            deadline = earlier(deadline, &transaction->ist_context->timer_i_start);
        break;
    case NICT:
        if (transaction->state == NICT_TRYING || transaction->state == NICT_PROCEEDING)
            deadline = earlier(earlier(deadline, &transaction->nict_context->timer_f_start),
                               &transaction->nict_context->timer_e_start);
        else if (transaction->state == NICT_COMPLETED)
            deadline = earlier(deadline, &transaction->nict_context->timer_k_start);
        break;
    case NIST:
        if (transaction->state == NIST_COMPLETED)
            deadline = earlier(deadline, &transaction->nist_context->timer_j_start);
        break;
    }
    return deadline;
}

static gboolean due(const struct timeval *timer, gint64 now)
{
    return timer->tv_sec != -1 && timeval_us(timer) <= now;
}

static osip_event_t *timeout_event(osip_transaction_t *transaction, type_t type)
{
    osip_event_t *event = osip_malloc(sizeof(*event));

    if (!event)
        return NULL;
    memset(event, 0, sizeof(*event));
    event->type = type;
    event->transactionid = transaction->transactionid;
    return event;
}

/* The timeout event libosip2's osip_timers_*_execute() would make now, in
 * its order of precedence (B before A, H before G, F before E), or NULL. */
static osip_event_t *due_timeout(osip_transaction_t *transaction, gint64 now)
{
    switch (transaction->ctx_type)
    {
    case ICT:
    {
        osip_ict_t *ict = transaction->ict_context;

        if (transaction->state == ICT_CALLING && due(&ict->timer_b_start, now))
            return timeout_event(transaction, TIMEOUT_B);
        if (transaction->state == ICT_CALLING && due(&ict->timer_a_start, now))
            return timeout_event(transaction, TIMEOUT_A);
        if (transaction->state == ICT_COMPLETED && due(&ict->timer_d_start, now))
            return timeout_event(transaction, TIMEOUT_D);
        break;
    }
    case IST:
    {
        osip_ist_t *ist = transaction->ist_context;

        if (transaction->state == IST_CONFIRMED && due(&ist->timer_i_start, now))
            return timeout_event(transaction, TIMEOUT_I);
        if (transaction->state == IST_COMPLETED && due(&ist->timer_h_start, now))
            return timeout_event(transaction, TIMEOUT_H);
        if (transaction->state == IST_COMPLETED && due(&ist->timer_g_start, now))
            return timeout_event(transaction, TIMEOUT_G);
        break;
    }
    case NICT:
    {
        osip_nict_t *nict = transaction->nict_context;
        gboolean active = transaction->state == NICT_TRYING || transaction->state == NICT_PROCEEDING;

        if (transaction->state == NICT_COMPLETED && due(&nict->timer_k_start, now))
            return timeout_event(transaction, TIMEOUT_K);
        if (active && due(&nict->timer_f_start, now))
            return timeout_event(transaction, TIMEOUT_F);
        if (active && due(&nict->timer_e_start, now))
            return timeout_event(transaction, TIMEOUT_E);
        break;
    }
    case NIST:
        if (transaction->state == NIST_COMPLETED && due(&transaction->nist_context->timer_j_start, now))
            return timeout_event(transaction, TIMEOUT_J);
        break;
    }
    return NULL;
}

/* ---- completed non-INVITE server transactions -------------------------------------
 *
 * Once it has answered, a non-INVITE server transaction only resends its
 * final response to retransmissions until timer J (64*T1 over UDP). A
 * libosip2 transaction carries some 15 KB (an embedded DNS SRV record), so
 * at thousands of requests a second it is retired into this: the key, the
 * response as sent and where it went, for the same 64*T1. */

struct completed_response
{
    struct sip_engine *engine;
    char *key;
    char *text;
    gsize length;
    enum sip_transport_protocol protocol;
    char host[SIP_HOST_BUFFER_SIZE];
    guint16 port;
    guint connection_id;
};

static void completed_response_free(void *data)
{
    struct completed_response *completed = data;

    g_free(completed->key);
    osip_free(completed->text);
    g_free(completed);
}

static void completed_response_expired(struct sip_engine *engine, void *data)
{
    struct completed_response *completed = data;

    if (g_hash_table_lookup(engine->completed, completed->key) == completed)
        g_hash_table_remove(engine->completed, completed->key);
}

/* Replaces a completed NIST by its response; FALSE to keep the transaction. */
static gboolean retire_completed(struct sip_engine *engine, osip_transaction_t *transaction)
{
    struct transaction_context *context = context_of(transaction);
    struct completed_response *completed;
    char *host = NULL;
    int port = 0;

    /* Over a reliable transport timer J is zero: nothing to keep. */
    if (!context->key || !transaction->last_response || transaction->nist_context->timer_j_length <= 0)
        return FALSE;
    osip_response_get_destination(transaction->last_response, &host, &port);
    if (!host || port <= 0 || port > 65535)
    {
        osip_free(host);
        return FALSE;
    }
    completed = g_new0(struct completed_response, 1);
    completed->engine = engine;
    if (osip_message_to_str(transaction->last_response, &completed->text, &completed->length) || !completed->text)
    {
        osip_free(host);
        completed_response_free(completed);
        return FALSE;
    }
    completed->key = g_strdup(context->key);
    completed->protocol = context->protocol;
    g_strlcpy(completed->host, host, sizeof(completed->host));
    completed->port = port;
    completed->connection_id = context->connection_id;
    osip_free(host);
    g_hash_table_replace(engine->completed, completed->key, completed);
    engine_timer_start(engine, transaction->nist_context->timer_j_length, completed_response_expired, completed,
                       completed_response_free);
    transaction_kill(engine, transaction);
    return TRUE;
}

/* A retransmitted request whose transaction was retired: answer again. */
gboolean transaction_answer_retransmission(struct sip_engine *engine, const osip_message_t *request)
{
    struct completed_response *completed;
    char *key = transaction_server_key(request);

    completed = key ? g_hash_table_lookup(engine->completed, key) : NULL;
    g_free(key);
    if (!completed)
        return FALSE;
    engine_trace_message(engine, "send again to", completed->protocol, completed->host, completed->port, completed->text,
                         completed->length);
    if (sip_transport_send(engine->transports, completed->protocol, completed->host, completed->port,
                           completed->connection_id, completed->text, completed->length, NULL, NULL))
        engine->stats.messages_sent++;
    return TRUE;
}

static gint compare_transaction_deadlines(gconstpointer a, gconstpointer b, gpointer user_data)
{
    const struct transaction_context *ca = context_of((osip_transaction_t *)a);
    const struct transaction_context *cb = context_of((osip_transaction_t *)b);

    (void)user_data;
    if (ca->deadline != cb->deadline)
        return ca->deadline < cb->deadline ? -1 : 1;
    return ca->timer_order < cb->timer_order ? -1 : ca->timer_order > cb->timer_order;
}

void transaction_unschedule(struct transaction_context *context)
{
    if (context->timer_iter)
    {
        g_sequence_remove(context->timer_iter);
        context->timer_iter = NULL;
    }
    context->deadline = -1;
}

/* Files the transaction under its next timer after an FSM step. */
void transaction_reschedule(struct sip_engine *engine, osip_transaction_t *transaction)
{
    struct transaction_context *context = context_of(transaction);
    gint64 deadline = context->dead ? -1 : transaction_deadline(transaction);

    if (!context->dead && transaction->ctx_type == NIST && transaction->state == NIST_COMPLETED
        && retire_completed(engine, transaction))
        return;

    if (deadline == context->deadline && (deadline < 0) == !context->timer_iter)
        return;
    transaction_unschedule(context);
    if (deadline < 0)
        return;
    context->deadline = deadline;
    context->timer_order = ++timer_sequence;
    context->timer_iter = g_sequence_insert_sorted(engine->transaction_timers, transaction,
                                                   compare_transaction_deadlines, NULL);
}

gint64 transaction_timers_next_deadline(struct sip_engine *engine)
{
    GSequenceIter *first = g_sequence_get_begin_iter(engine->transaction_timers);

    return g_sequence_iter_is_end(first) ? -1 : context_of(g_sequence_get(first))->deadline;
}

void transaction_timers_fire(struct sip_engine *engine, gint64 now)
{
    GSequenceIter *first;
    GPtrArray *due_now;
    guint i;

    /* The FSM timers due: one timeout event each. They are taken out
     * first, so none can come round twice in one dispatch. */
    due_now = g_ptr_array_new();
    while (!g_sequence_iter_is_end(first = g_sequence_get_begin_iter(engine->transaction_timers)))
    {
        osip_transaction_t *transaction = g_sequence_get(first);

        if (context_of(transaction)->deadline > now)
            break;
        transaction_unschedule(context_of(transaction));
        g_ptr_array_add(due_now, transaction);
    }
    for (i = 0; i < due_now->len; i++)
    {
        osip_transaction_t *transaction = g_ptr_array_index(due_now, i);
        osip_event_t *event = due_timeout(transaction, now);

        if (event)
            transaction_add_event(engine, transaction, event);
        else
            transaction_reschedule(engine, transaction);
    }
    g_ptr_array_free(due_now, TRUE);
}
