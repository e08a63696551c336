/*
 * The transactions' FSM timers (A-K), served by the engine's one timer
 * source (timer_source.c), and the shortcut past timers D, J and K:
 * finished transactions retired into what they still have to resend.
 */

#ifndef G_LOG_DOMAIN
#define G_LOG_DOMAIN "rtcshim"
#endif

#include <string.h>

#include "engine.h"
#include "message.h"
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

/* ---- finished transactions -------------------------------------------------------
 *
 * A libosip2 transaction carries some 15 KB (an embedded DNS SRV record),
 * and after its outcome most of it only waits out a timer that absorbs
 * retransmissions: J (64*T1) for a non-INVITE server transaction, K (T4)
 * for a non-INVITE client one, D (64*T1) for a failed INVITE we sent. At
 * thousands of requests or transfers a second that is hundreds of MB
 * held. So once such a transaction has its outcome it is retired:
 *  - completed NIST: into its key and what of its final response a copy of
 *    the request cannot give (below), made again for a retransmitted
 *    request until timer J;
 *  - completed ICT (a 3xx-6xx final response): into its key and the ACK as
 *    sent, resent for a retransmitted final response until timer D;
 *  - completed NICT: into nothing. A response again finds no transaction
 *    and is dropped (dispatch.c), which is all timer K would have done.
 * A confirmed INVITE server transaction keeps its timer I (T4): retired,
 * a late retransmission of its INVITE would start a new call.
 *
 * A response's head, from the status line to CSeq (Via with received and
 * rport, Record-Route, From, To, Call-ID, CSeq), is the request's own
 * (engine_build_response); a retransmitted request is the same request, so
 * only the status, our To tag and the lines after CSeq (Contact, Server,
 * Expires, the body ...) are kept, a few hundred bytes less for each of
 * the records a busy engine holds 32 s (two per transfer, one per call). */

struct rebuilt_response
{
    guint code;
    enum sip_transport_protocol protocol;
    guint connection_id;
    gsize tail_length;
    char text[];                        /* reason, NUL, our To tag, NUL, the lines after CSeq */
};

struct retired_transaction
{
    char *key;                          /* the server or client key: the two never look alike */
    struct engine_sent_response *sent;  /* the ACK (ICT) or a response as sent; NULL if none */
    struct rebuilt_response *response;  /* a final response made again from its request; NULL if none */
};

static void retired_free(void *data)
{
    struct retired_transaction *retired = data;

    g_free(retired->key);
    if (retired->sent)
    {
        engine_sent_response_clear(retired->sent);
        g_free(retired->sent);
    }
    g_free(retired->response);
    g_free(retired);
}

static void retired_expired(struct sip_engine *engine, void *data)
{
    struct retired_transaction *retired = data;

    if (g_hash_table_lookup(engine->completed, retired->key) == retired)
        g_hash_table_remove(engine->completed, retired->key);
}

/* Files retired under key (adopted) for duration_ms. */
static void keep_retired(struct sip_engine *engine, struct retired_transaction *retired, char *key, int duration_ms)
{
    retired->key = key;
    g_hash_table_replace(engine->completed, retired->key, retired);
    engine_timer_start(engine, duration_ms, retired_expired, retired, retired_free);
}

/* Keeps what retired holds under the transaction's key for duration_ms,
 * and ends the transaction. */
static void retire_keeping(struct sip_engine *engine, osip_transaction_t *transaction,
                           struct retired_transaction *retired, int duration_ms)
{
    keep_retired(engine, retired, g_strdup(context_of(transaction)->key), duration_ms);
    transaction_kill(engine, transaction);
}

/* Where a serialised message's head ends: past the CSeq line (0: none). */
static gsize head_length(const char *text, gsize length)
{
    const char *cseq = g_strstr_len(text, length, "\r\nCSeq:"), *end;

    if (!cseq || !(end = g_strstr_len(cseq + 2, length - (cseq + 2 - text), "\r\n")))
        return 0;
    return end + 2 - text;
}

/* What of response (serialised in sent) its request cannot give; NULL if
 * its head cannot be told from the rest. */
static struct rebuilt_response *rebuilt_response_new(const osip_message_t *response,
                                                     const struct engine_sent_response *sent)
{
    gsize head = head_length(sent->text, sent->length);
    const char *reason = response->reason_phrase ? response->reason_phrase : "";
    const char *tag = response->to ? sip_header_tag(response->to) : NULL;
    gsize reason_size = strlen(reason) + 1, tag_size = (tag ? strlen(tag) : 0) + 1;
    struct rebuilt_response *rebuilt;

    if (!head)
        return NULL;
    rebuilt = g_malloc(sizeof(*rebuilt) + reason_size + tag_size + sent->length - head);
    rebuilt->code = osip_message_get_status_code(response);
    rebuilt->protocol = sent->protocol;
    rebuilt->connection_id = sent->connection_id;
    rebuilt->tail_length = sent->length - head;
    memcpy(rebuilt->text, reason, reason_size);
    memcpy(rebuilt->text + reason_size, tag ? tag : "", tag_size);
    memcpy(rebuilt->text + reason_size + tag_size, sent->text + head, rebuilt->tail_length);
    return rebuilt;
}

/* Sends the response again, its head made from request (a copy of the one it answered). */
static void rebuilt_response_send(struct sip_engine *engine, const struct rebuilt_response *rebuilt,
                                   const osip_message_t *request)
{
    const char *reason = rebuilt->text, *tag = reason + strlen(reason) + 1, *tail = tag + strlen(tag) + 1;
    osip_message_t *response = engine_build_response(engine, request, rebuilt->code, reason, *tag ? tag : NULL);
    struct engine_sent_response sent;
    gboolean serialised;
    gsize head;
    char *text;

    if (!response)
        return;
    serialised = engine_sent_response_init(&sent, response, rebuilt->protocol, rebuilt->connection_id);
    osip_message_free(response);
    if (!serialised)
        return;
    if ((head = head_length(sent.text, sent.length)))
    {
        text = osip_malloc(head + rebuilt->tail_length + 1);
        memcpy(text, sent.text, head);
        memcpy(text + head, tail, rebuilt->tail_length);
        text[head + rebuilt->tail_length] = 0;
        osip_free(sent.text);
        sent.text = text;
        sent.length = head + rebuilt->tail_length;
        engine_sent_response_send(engine, &sent);
    }
    else
        g_debug("a retired %u response could not be made again", rebuilt->code);
    engine_sent_response_clear(&sent);
}

/* Keeps response (serialised in sent, which this takes) in retired: its
 * rebuildable form, or as sent when its head cannot be told apart. */
static void retired_take_response(struct retired_transaction *retired, const osip_message_t *response,
                                  struct engine_sent_response *sent)
{
    if ((retired->response = rebuilt_response_new(response, sent)))
        engine_sent_response_clear(sent);
    else
        retired->sent = g_memdup2(sent, sizeof(*sent));
}

/* Retires a transaction that has its outcome; FALSE to keep it as it is. */
static gboolean retire_finished(struct sip_engine *engine, osip_transaction_t *transaction)
{
    struct transaction_context *context = context_of(transaction);
    struct retired_transaction *retired;
    struct engine_sent_response sent;

    switch (transaction->ctx_type)
    {
    case NICT:
        if (transaction->state != NICT_COMPLETED)
            return FALSE;
        transaction_kill(engine, transaction);
        return TRUE;
    case NIST:
        /* Over a reliable transport timer J is zero: nothing to keep. */
        if (transaction->state != NIST_COMPLETED || !context->key || !transaction->last_response
            || transaction->nist_context->timer_j_length <= 0
            || !engine_sent_response_init(&sent, transaction->last_response, context->protocol,
                                          context->connection_id))
            return FALSE;
        retired = g_new0(struct retired_transaction, 1);
        retired_take_response(retired, transaction->last_response, &sent);
        retire_keeping(engine, transaction, retired, transaction->nist_context->timer_j_length);
        return TRUE;
    case ICT:
        if (transaction->state != ICT_COMPLETED || !context->key || !transaction->ack
            || transaction->ict_context->timer_d_length <= 0 || !transaction->ict_context->destination
            || !engine_sent_message_init(&sent, transaction->ack, context->protocol,
                                         transaction->ict_context->destination, transaction->ict_context->port,
                                         context->connection_id))
            return FALSE;
        retired = g_new0(struct retired_transaction, 1);
        retired->sent = g_memdup2(&sent, sizeof(sent));
        retire_keeping(engine, transaction, retired, transaction->ict_context->timer_d_length);
        return TRUE;
    default:
        return FALSE;
    }
}

void engine_respond_at_once(struct sip_engine *engine, const osip_message_t *request, osip_message_t *response,
                            const struct sip_transport_peer *peer)
{
    struct retired_transaction *retired;
    struct engine_sent_response sent;
    char *key;

    if (!response)
        return;
    if (!engine_sent_response_init(&sent, response, peer->protocol, peer->connection_id))
    {
        osip_message_free(response);
        return;
    }
    engine_sent_response_send(engine, &sent);
    /* Timer J: 64*T1 over UDP, nothing to keep over a reliable transport. */
    if (peer->protocol != SIP_TRANSPORT_UDP || !(key = transaction_server_key(request)))
    {
        engine_sent_response_clear(&sent);
        osip_message_free(response);
        return;
    }
    retired = g_new0(struct retired_transaction, 1);
    retired_take_response(retired, response, &sent);
    osip_message_free(response);
    keep_retired(engine, retired, key, SIP_TIMER_64T1_MS);
}

void engine_remember_accepted_invite(struct sip_engine *engine, osip_transaction_t *server)
{
    struct transaction_context *context = context_of(server);
    struct retired_transaction *retired;

    if (!context->key || context->protocol != SIP_TRANSPORT_UDP || !server->orig_request
        || sip_header_tag(server->orig_request->to))
        return;
    retired = g_new0(struct retired_transaction, 1);   /* nothing to resend: it absorbs */
    keep_retired(engine, retired, g_strdup(context->key), SIP_TIMER_64T1_MS);
}

gboolean transaction_absorb_accepted_invite(struct sip_engine *engine, const osip_message_t *invite)
{
    char *key = transaction_server_key(invite);
    struct retired_transaction *retired = key ? g_hash_table_lookup(engine->completed, key) : NULL;

    g_free(key);
    return retired && !retired->sent && !retired->response;
}

gboolean transaction_answer_retransmission(struct sip_engine *engine, const osip_message_t *request)
{
    char *key = transaction_server_key(request);
    struct retired_transaction *retired = key ? g_hash_table_lookup(engine->completed, key) : NULL;

    g_free(key);
    if (!retired)
        return FALSE;
    if (retired->response)
        rebuilt_response_send(engine, retired->response, request);
    else if (retired->sent)     /* an accepted INVITE's record keeps nothing */
        engine_sent_response_send(engine, retired->sent);
    return TRUE;
}

gboolean transaction_answer_retransmitted_response(struct sip_engine *engine, const osip_message_t *response)
{
    char *key = transaction_client_key(response);
    struct retired_transaction *retired = key ? g_hash_table_lookup(engine->completed, key) : NULL;

    g_free(key);
    if (!retired)
        return FALSE;
    if (retired->sent)
        engine_sent_response_send(engine, retired->sent);
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

    if (!context->dead && retire_finished(engine, transaction))
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
