/*
 * Transfer: REFER (RFC 3515) with its implicit subscription (RFC 6665 as
 * far as REFER needs it), Referred-By (RFC 3892), Refer-Sub (RFC 4488) and
 * Replaces in Refer-To (RFC 3891). See sip_refer.h for the API.
 *
 * Who holds a refer:
 *  - incoming: the decision timer (the engine's reference, until decided),
 *    the REFER's server transaction, NOTIFY transactions in flight, queued
 *    events, and the application;
 *  - outgoing: itself while its subscription lives (until ENDED), its
 *    client transaction, queued events, and the application.
 * A call lists the refers of its dialog without referencing them.
 */
#ifndef G_LOG_DOMAIN
#define G_LOG_DOMAIN "rtcshim"
#endif

#include <stdlib.h>
#include <string.h>

#include "call.h"
#include "engine.h"
#include "event_queue.h"
#include "message.h"
#include "refer.h"
#include "sip/refer_to.h"
#include "replaces.h"
#include "sipfrag.h"
#include "timer_source.h"
#include "transaction.h"

/* Subscription-State expires we announce, and how long the transferor waits
 * for a NOTIFY before deciding the subscription is gone. */
#define NOTIFIER_EXPIRES_S 120
#define FIRST_NOTIFY_WAIT_MS SIP_TIMER_64T1_MS
#define EXPIRY_GRACE_MS 5000

enum refer_decision
{
    REFER_UNDECIDED,
    REFER_ACCEPTED,
    REFER_REJECTED,
};

struct queued_notify
{
    guint code;
    char *reason;
};

struct sip_refer
{
    gint refcount;
    struct sip_call *call;                  /* referenced */
    gboolean incoming;
    gboolean listed;                        /* in the call's list */
    void *user_data;
    osip_message_t *request;                /* the REFER as received or as built */
    char *refer_to;                         /* the Refer-To URI with the ?headers passed on */
    char *target;                           /* the URI without headers */
    GPtrArray *target_headers;              /* "Name: value", NULL-terminated */
    char *referred_by;
    gboolean subscription;                  /* an implicit subscription is wanted */
    guint32 id;                             /* the REFER's CSeq: Event: refer;id=<id> */

    /* transferee */
    enum refer_decision decision;
    osip_transaction_t *server;             /* the REFER's, until decided */
    struct engine_timer *decision_timer;
    gboolean final_notified;                /* no NOTIFY can follow any more */
    osip_transaction_t *notify;             /* the NOTIFY in flight */
    GQueue queued_notifies;

    /* transferor */
    osip_transaction_t *client;
    gboolean accepted;                      /* ACCEPTED reported (by the 2xx or a NOTIFY before it) */
    gboolean ended;
    gboolean self_referenced;               /* the subscription's own reference */
    guint final_code;                       /* last final sipfrag */
    char *final_reason;
    struct engine_timer *subscription_timer;
};

static struct sip_engine *refer_engine(struct sip_refer *refer)
{
    return refer->call ? sip_call_get_engine(refer->call) : NULL;
}

/* ---- reports -------------------------------------------------------------------- */

struct progress_event
{
    struct sip_refer *refer;
    enum sip_refer_progress progress;
    guint code;
    char *reason;
    enum sip_refer_end end;
};

static void progress_event_free(void *data)
{
    struct progress_event *event = data;

    sip_refer_unref(event->refer);
    g_free(event->reason);
    g_free(event);
}

static void deliver_progress(struct sip_engine *engine, void *data)
{
    struct progress_event *event = data;

    if (engine->refer_callbacks.refer_progress)
        engine->refer_callbacks.refer_progress(event->refer, event->progress, event->code, event->reason,
                                               event->end, engine->user_data);
}

static void report_progress(struct sip_refer *refer, enum sip_refer_progress progress, guint code,
                            const char *reason, enum sip_refer_end end)
{
    struct sip_engine *engine = refer_engine(refer);
    struct progress_event *event;

    if (!engine)
        return;
    event = g_new0(struct progress_event, 1);
    event->refer = sip_refer_ref(refer);
    event->progress = progress;
    event->code = code;
    if ((!reason || !*reason) && code)
        reason = sip_reason_phrase(code);
    event->reason = g_strdup(reason ? reason : "");
    event->end = end;
    engine_queue_event(engine, deliver_progress, event, progress_event_free);
}

struct received_event
{
    struct sip_call *call;
    struct sip_refer *refer;
};

static void received_event_free(void *data)
{
    struct received_event *event = data;

    sip_refer_unref(event->refer);
    sip_call_unref(event->call);
    g_free(event);
}

static void deliver_received(struct sip_engine *engine, void *data)
{
    struct received_event *event = data;

    if (engine->refer_callbacks.refer_received)
        engine->refer_callbacks.refer_received(event->call, event->refer, engine->user_data);
}

/* ---- life cycle ------------------------------------------------------------------- */

static struct sip_refer *refer_new(struct sip_call *call, gboolean incoming)
{
    struct sip_refer *refer = g_new0(struct sip_refer, 1);

    refer->refcount = 1;
    refer->call = sip_call_ref(call);
    refer->incoming = incoming;
    refer->subscription = TRUE;
    refer->target_headers = g_ptr_array_new_with_free_func(g_free);
    g_queue_init(&refer->queued_notifies);
    return refer;
}

static void unlist(struct sip_refer *refer)
{
    if (!refer->listed)
        return;
    refer->listed = FALSE;
    call_remove_refer(refer->call, refer);
}

struct sip_refer *sip_refer_ref(struct sip_refer *refer)
{
    g_return_val_if_fail(refer != NULL, NULL);
    g_atomic_int_inc(&refer->refcount);
    return refer;
}

static void queued_notify_free(void *data)
{
    struct queued_notify *queued = data;

    g_free(queued->reason);
    g_free(queued);
}

static void send_notify(struct sip_refer *refer, guint code, const char *reason, gboolean terminated,
                        gboolean track);

void sip_refer_unref(struct sip_refer *refer)
{
    if (!refer || !g_atomic_int_dec_and_test(&refer->refcount))
        return;
    /* An accepted transfer nobody reports on any more still ends its
     * subscription properly (transfer rule 2, docs/architecture.md). */
    if (refer->incoming && refer->decision == REFER_ACCEPTED && refer->subscription && !refer->final_notified
        && refer_engine(refer))
        send_notify(refer, 487, NULL, TRUE, FALSE);
    unlist(refer);
    g_queue_clear_full(&refer->queued_notifies, queued_notify_free);
    osip_message_free(refer->request);
    g_free(refer->refer_to);
    g_free(refer->target);
    g_ptr_array_free(refer->target_headers, TRUE);
    g_free(refer->referred_by);
    g_free(refer->final_reason);
    sip_call_unref(refer->call);
    g_free(refer);
}

static void refer_timer_cancel(struct sip_refer *refer, struct engine_timer **timer)
{
    struct engine_timer *pending = *timer;
    struct sip_engine *engine = refer_engine(refer);

    *timer = NULL;
    if (pending && engine)
        engine_timer_cancel(engine, pending);
}

static struct engine_timer *refer_timer_start(struct sip_refer *refer, guint delay_ms, engine_timer_func func)
{
    return engine_timer_start(refer_engine(refer), delay_ms, func, sip_refer_ref(refer),
                              (GDestroyNotify)sip_refer_unref);
}

/* ---- helpers --------------------------------------------------------------------------- */

/* The value of the first header called name or its compact form. */
static const char *header_value(const osip_message_t *message, const char *name, const char *compact, int *count)
{
    const char *names[] = { name, compact };
    const char *first = NULL;
    osip_header_t *header;
    gsize i;
    int position;

    if (count)
        *count = 0;
    for (i = 0; i < G_N_ELEMENTS(names); i++)
    {
        if (!names[i])
            continue;
        for (position = 0; (position = osip_message_header_get_byname(message, names[i], position, &header)) >= 0;
             position++)
        {
            if (!header || !header->hvalue)
                continue;
            if (!first)
                first = header->hvalue;
            if (count)
                (*count)++;
        }
    }
    return first;
}

/* The URI inside a name-addr ("<uri>" or "Name <uri>;p"), or the value itself. */
static char *addr_spec(const char *value)
{
    const char *start = strchr(value, '<'), *end = start ? strchr(start, '>') : NULL;

    if (start && end)
        return g_strndup(start + 1, end - start - 1);
    return g_strstrip(g_strdup(value));
}

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

/* Our own REFER: every header its Refer-To embeds is ours to pass on. */
static void set_own_target(struct sip_refer *refer, const struct sip_refer_to *parsed)
{
    guint i;

    refer->target = g_strdup(parsed->uri);
    for (i = 0; i < parsed->headers->len; i++)
    {
        const struct sip_uri_header *header = g_ptr_array_index(parsed->headers, i);

        if (sip_uri_header_classify(header->name) == SIP_URI_HEADER_COPY)
            g_ptr_array_add(refer->target_headers, g_strdup_printf("%s: %s", header->name, header->value));
    }
    g_ptr_array_add(refer->target_headers, NULL);
}

/* A received Refer-To: only the headers on the allow-list reach the new
 * INVITE (refer_to.h); the others are dropped, and said so once per REFER. */
static void set_received_target(struct sip_refer *refer, struct sip_engine *engine, const struct sip_refer_to *parsed)
{
    GPtrArray *passed = g_ptr_array_new();
    GString *dropped = NULL;
    guint i;

    refer->target = g_strdup(parsed->uri);
    for (i = 0; i < parsed->headers->len; i++)
    {
        struct sip_uri_header *header = g_ptr_array_index(parsed->headers, i);

        if (sip_refer_to_header_allowed(header->name, (const char *const *)engine->refer_to_allowed,
                                        engine->refer_to_private))
        {
            g_ptr_array_add(refer->target_headers, g_strdup_printf("%s: %s", header->name, header->value));
            g_ptr_array_add(passed, header);
        }
        else if (sip_uri_header_classify(header->name) != SIP_URI_HEADER_RESERVED)
        {
            if (!dropped)
                dropped = g_string_new(header->name);
            else
                g_string_append_printf(dropped, ", %s", header->name);
        }
    }
    g_ptr_array_add(refer->target_headers, NULL);
    refer->refer_to = sip_uri_with_headers(parsed->uri, passed);
    g_ptr_array_free(passed, TRUE);
    if (dropped)
    {
        g_message("REFER %u: headers in Refer-To not passed on: %s", refer->id, dropped->str);
        g_string_free(dropped, TRUE);
    }
}

static gboolean check_attached(struct sip_refer *refer, GError **error)
{
    if (refer_engine(refer))
        return TRUE;
    g_set_error(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_DETACHED, "the engine is gone");
    return FALSE;
}

/* ---- transferee: NOTIFYs ----------------------------------------------------------------- */

static void send_notify(struct sip_refer *refer, guint code, const char *reason, gboolean terminated, gboolean track);

/* One NOTIFY at a time keeps them in order at the transferor: the next goes
 * out as soon as the previous one is answered (not when its transaction ends,
 * which over UDP is Timer K later). */
static void send_next_notify(struct sip_refer *refer, osip_transaction_t *transaction)
{
    struct queued_notify *next;

    if (refer->notify != transaction)
        return;
    refer->notify = NULL;
    if ((next = g_queue_pop_head(&refer->queued_notifies)))
    {
        send_notify(refer, next->code, next->reason, next->code >= 200, TRUE);
        queued_notify_free(next);
    }
}

static void notify_response(struct sip_engine *engine, osip_transaction_t *transaction,
                            const osip_message_t *response, guint code, void *data)
{
    struct sip_refer *refer = data;

    (void)engine;
    (void)response;
    if (!refer || code < 200)
        return;
    if (code >= 300)
    {
        /* The subscription is gone at the far end (§4.1.3 of RFC 6665): stop. */
        g_debug("NOTIFY for refer %u answered %u", refer->id, code);
        if (code == 481 || code == 408 || code == 503)
        {
            refer->final_notified = TRUE;
            g_queue_clear_full(&refer->queued_notifies, queued_notify_free);
        }
    }
    send_next_notify(refer, transaction);
}

static void notify_terminated(struct sip_engine *engine, osip_transaction_t *transaction, void *data)
{
    (void)engine;
    if (data)
        send_next_notify(data, transaction);
}

static void notify_replaced(struct sip_engine *engine, osip_transaction_t *old_transaction,
                            osip_transaction_t *replacement, const osip_message_t *request, void *data)
{
    struct sip_refer *refer = data;

    (void)engine;
    if (!refer)
        return;
    if (refer->notify == old_transaction)
        refer->notify = replacement;
    call_note_cseq(refer->call, engine_cseq_number(request));
}

static const struct engine_transaction_user notify_user = { notify_response, notify_terminated, notify_replaced };

/* Sends a NOTIFY with a sipfrag now. track: the refer waits for it (else it
 * goes out on its own, e.g. from a refer being freed). */
static void send_notify(struct sip_refer *refer, guint code, const char *reason, gboolean terminated, gboolean track)
{
    struct sip_dialog *dialog = refer_engine(refer) ? call_confirmed_dialog(refer->call) : NULL;
    char buffer[64], *fragment;
    osip_message_t *request;
    osip_transaction_t *transaction;
    GError *error = NULL;

    if (!dialog || !(request = sip_dialog_build_request(dialog, "NOTIFY")))
        return;
    g_snprintf(buffer, sizeof(buffer), "refer;id=%u", refer->id);
    osip_message_set_header(request, "Event", buffer);
    if (terminated)
        osip_message_set_header(request, "Subscription-State", "terminated;reason=noresource");
    else
    {
        g_snprintf(buffer, sizeof(buffer), "active;expires=%u", NOTIFIER_EXPIRES_S);
        osip_message_set_header(request, "Subscription-State", buffer);
    }
    fragment = sip_sipfrag_build(code, reason);
    if (!fragment)
        fragment = sip_sipfrag_build(code, NULL);
    engine_set_body(request, SIP_SIPFRAG_CONTENT_TYPE, fragment, strlen(fragment));
    g_free(fragment);
    call_add_contact(refer->call, request);
    transaction = call_send_request(refer->call, request, &notify_user, track ? sip_refer_ref(refer) : NULL,
                                    track ? (GDestroyNotify)sip_refer_unref : NULL, &error);
    if (!transaction)
    {
        g_message("NOTIFY for refer %u not sent: %s", refer->id, error->message);
        g_error_free(error);
        return;
    }
    if (track)
        refer->notify = transaction;
}

static void queue_notify(struct sip_refer *refer, guint code, const char *reason)
{
    gboolean final = code >= 200;

    if (refer->final_notified)
        return;
    if (final)
        refer->final_notified = TRUE;
    if (refer->notify)
    {
        struct queued_notify *queued = g_new0(struct queued_notify, 1);

        queued->code = code;
        queued->reason = g_strdup(reason);
        g_queue_push_tail(&refer->queued_notifies, queued);
        return;
    }
    send_notify(refer, code, reason, final, TRUE);
}

/* ---- transferee: the REFER and the decision ---------------------------------------------- */

static void server_terminated(struct sip_engine *engine, osip_transaction_t *transaction, void *data)
{
    struct sip_refer *refer = data;

    (void)engine;
    if (refer->server == transaction)
        refer->server = NULL;
}

static const struct engine_transaction_user refer_server_user = { NULL, server_terminated, NULL };

/* Sends the REFER's final response. */
static gboolean decide(struct sip_refer *refer, guint code, const char *reason, GError **error)
{
    struct sip_engine *engine = refer_engine(refer);
    osip_message_t *response;

    if (!check_attached(refer, error))
        return FALSE;
    if (!refer->incoming || refer->decision != REFER_UNDECIDED || !refer->server)
    {
        g_set_error(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_WRONG_STATE, "the refer is not waiting for a decision");
        return FALSE;
    }
    response = engine_build_response(engine, refer->server->orig_request, code, reason, NULL);
    if (code < 300)
    {
        if (!refer->subscription)
            osip_message_set_header(response, "Refer-Sub", "false");
        call_add_contact(refer->call, response);
    }
    refer->decision = code < 300 ? REFER_ACCEPTED : REFER_REJECTED;
    refer_timer_cancel(refer, &refer->decision_timer);
    engine_respond(engine, refer->server, response);
    return TRUE;
}

static void decision_expired(struct sip_engine *engine, void *data)
{
    struct sip_refer *refer = data;

    (void)engine;
    refer->decision_timer = NULL;
    /* Nobody decided: a REFER is never followed without consent (transfer rule 13). */
    g_debug("refer %u: no decision in time, declining", refer->id);
    if (decide(refer, 603, NULL, NULL))
        unlist(refer);
}

void refer_handle_request(struct sip_call *call, osip_transaction_t *transaction, osip_message_t *request)
{
    struct sip_engine *engine = sip_call_get_engine(call);
    struct sip_refer_to parsed = { 0 };
    struct received_event *event;
    const char *value, *refer_sub;
    struct sip_refer *refer;
    GError *error = NULL;
    int count;

    if (!engine->refer_callbacks.refer_received || sip_call_get_state(call) != SIP_CALL_STATE_CONNECTED
        || !call_confirmed_dialog(call))
    {
        engine_respond_simple(engine, transaction, 603, NULL);
        return;
    }
    value = header_value(request, "refer-to", "r", &count);
    if (count != 1)
    {
        engine_respond_simple(engine, transaction, 400, count ? "Multiple Refer-To Headers" : "Missing Refer-To Header");
        return;
    }
    if (!sip_refer_to_parse(value, &parsed, &error))
    {
        engine_respond_simple(engine, transaction, 400, error->message);
        g_error_free(error);
        return;
    }

    refer = refer_new(call, TRUE);
    osip_message_clone(request, &refer->request);
    refer->id = engine_cseq_number(request);
    set_received_target(refer, engine, &parsed);
    sip_refer_to_clear(&parsed);
    if ((value = header_value(request, "referred-by", "b", NULL)))
        refer->referred_by = g_strdup(value);
    refer_sub = header_value(request, "refer-sub", NULL, NULL);
    refer->subscription = !(refer_sub && !g_ascii_strncasecmp(refer_sub, "false", 5));
    refer->server = transaction;
    engine_set_transaction_user(transaction, &refer_server_user, sip_refer_ref(refer), (GDestroyNotify)sip_refer_unref);
    refer->listed = TRUE;
    call_add_refer(call, refer);
    refer->decision_timer = refer_timer_start(refer, engine->refer_decision_timeout, decision_expired);

    event = g_new0(struct received_event, 1);
    event->call = sip_call_ref(call);
    event->refer = refer;     /* the creation reference */
    engine_queue_event(engine, deliver_received, event, received_event_free);
}

gboolean sip_refer_accept(struct sip_refer *refer, GError **error)
{
    g_return_val_if_fail(refer != NULL, FALSE);
    if (!decide(refer, 202, NULL, error))
        return FALSE;
    if (refer->subscription)
        queue_notify(refer, 100, NULL);
    else
        refer->final_notified = TRUE;
    return TRUE;
}

gboolean sip_refer_reject(struct sip_refer *refer, guint status_code, const char *reason, GError **error)
{
    g_return_val_if_fail(refer != NULL, FALSE);
    if (status_code < 300 || status_code > 699)
    {
        g_set_error(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_INVALID_ARGUMENT, "%u is not a final error code",
                    status_code);
        return FALSE;
    }
    if (!decide(refer, status_code, reason, error))
        return FALSE;
    unlist(refer);
    return TRUE;
}

gboolean sip_refer_notify(struct sip_refer *refer, guint status_code, const char *reason, GError **error)
{
    g_return_val_if_fail(refer != NULL, FALSE);
    if (!check_attached(refer, error))
        return FALSE;
    if (!refer->incoming || refer->decision != REFER_ACCEPTED)
    {
        g_set_error(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_WRONG_STATE, "the refer was not accepted");
        return FALSE;
    }
    if (status_code < 100 || status_code > 699)
    {
        g_set_error(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_INVALID_ARGUMENT, "%u is not a status code", status_code);
        return FALSE;
    }
    if (!refer->subscription)
        return TRUE;
    queue_notify(refer, status_code, reason);
    return TRUE;
}

/* ---- transferor --------------------------------------------------------------------------------- */

static void end_outgoing(struct sip_refer *refer, enum sip_refer_end end, guint code, const char *reason)
{
    if (refer->ended)
        return;
    refer->ended = TRUE;
    refer_timer_cancel(refer, &refer->subscription_timer);
    report_progress(refer, SIP_REFER_ENDED, code, reason, end);
    unlist(refer);
    if (refer->self_referenced)
    {
        refer->self_referenced = FALSE;
        sip_refer_unref(refer);
    }
}

/* Over without a terminated NOTIFY: what we heard decides. */
static void end_by_what_was_heard(struct sip_refer *refer, enum sip_refer_end otherwise)
{
    if (refer->final_code)
        end_outgoing(refer, refer->final_code < 300 ? SIP_REFER_END_SUCCESS : SIP_REFER_END_FAILURE,
                     refer->final_code, refer->final_reason);
    else
        end_outgoing(refer, otherwise, 0, NULL);
}

static void subscription_expired(struct sip_engine *engine, void *data)
{
    struct sip_refer *refer = data;

    (void)engine;
    refer->subscription_timer = NULL;
    g_debug("refer %u: subscription expired", refer->id);
    end_by_what_was_heard(refer, SIP_REFER_END_NO_FINAL);
}

static void restart_subscription_timer(struct sip_refer *refer, guint delay_ms)
{
    refer_timer_cancel(refer, &refer->subscription_timer);
    refer->subscription_timer = refer_timer_start(refer, delay_ms, subscription_expired);
}

static void client_response(struct sip_engine *engine, osip_transaction_t *transaction,
                            const osip_message_t *response, guint code, void *data)
{
    struct sip_refer *refer = data;
    const char *reason = response ? response->reason_phrase : NULL;
    const char *refer_sub;

    (void)engine;
    (void)transaction;
    if (code < 200 || refer->ended || !refer_engine(refer))
        return;
    if (response && code < 300)
    {
        if (refer->accepted)
            return;     /* a NOTIFY that overtook this 2xx stood for it */
        refer->accepted = TRUE;
        report_progress(refer, SIP_REFER_ACCEPTED, code, reason, SIP_REFER_END_SUCCESS);
        refer_sub = header_value(response, "refer-sub", NULL, NULL);
        if (refer_sub && !g_ascii_strncasecmp(refer_sub, "false", 5))
            end_outgoing(refer, SIP_REFER_END_SUCCESS, code, reason);     /* RFC 4488: no NOTIFY will come */
        else if (!refer->subscription_timer)
            restart_subscription_timer(refer, FIRST_NOTIFY_WAIT_MS);
        return;
    }
    report_progress(refer, response ? SIP_REFER_REJECTED : SIP_REFER_FAILED, code, reason, SIP_REFER_END_REJECTED);
    end_outgoing(refer, SIP_REFER_END_REJECTED, code, reason);
}

static void client_terminated(struct sip_engine *engine, osip_transaction_t *transaction, void *data)
{
    struct sip_refer *refer = data;

    (void)engine;
    if (refer->client == transaction)
        refer->client = NULL;
}

static void client_replaced(struct sip_engine *engine, osip_transaction_t *old_transaction,
                            osip_transaction_t *replacement, const osip_message_t *request, void *data)
{
    struct sip_refer *refer = data;

    (void)engine;
    if (refer->client == old_transaction)
        refer->client = replacement;
    /* NOTIFYs name the REFER that was accepted: the one sent with credentials. */
    refer->id = engine_cseq_number(request);
    call_note_cseq(refer->call, refer->id);
}

static const struct engine_transaction_user refer_client_user = { client_response, client_terminated,
                                                                  client_replaced };

struct sip_refer *sip_call_refer(struct sip_call *call, const char *refer_to,
                                 const struct sip_refer_options *options, GError **error)
{
    struct sip_engine *engine;
    struct sip_refer_to parsed = { 0 };
    struct sip_dialog *dialog;
    osip_message_t *request;
    struct sip_refer *refer;
    char *value, *referred_by;

    g_return_val_if_fail(call != NULL && refer_to != NULL, NULL);
    if (!(engine = sip_call_get_engine(call)))
    {
        g_set_error(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_DETACHED, "the engine is gone");
        return NULL;
    }
    if (sip_call_get_state(call) != SIP_CALL_STATE_CONNECTED || !(dialog = call_confirmed_dialog(call)))
    {
        g_set_error(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_WRONG_STATE, "the call is not connected");
        return NULL;
    }
    if (!(value = sip_refer_to_build(refer_to, error)))
        return NULL;
    if (!sip_refer_to_parse(value, &parsed, error) || !(request = sip_dialog_build_request(dialog, "REFER")))
    {
        sip_refer_to_clear(&parsed);
        g_free(value);
        return NULL;
    }
    osip_message_set_header(request, "Refer-To", value);
    if (options && options->referred_by)
        referred_by = strchr(options->referred_by, '<') ? g_strdup(options->referred_by)
                                                        : g_strdup_printf("<%s>", options->referred_by);
    else
        referred_by = g_strdup_printf("<%s>", sip_call_get_local_uri(call));
    osip_message_set_header(request, "Referred-By", referred_by);
    if (options && options->no_subscription)
        osip_message_set_header(request, "Refer-Sub", "false");
    if (!add_header_lines(request, options ? options->extra_headers : NULL, error))
    {
        osip_message_free(request);
        sip_refer_to_clear(&parsed);
        g_free(referred_by);
        g_free(value);
        return NULL;
    }
    call_add_contact(call, request);

    refer = refer_new(call, FALSE);
    osip_message_clone(request, &refer->request);
    refer->refer_to = addr_spec(value);
    set_own_target(refer, &parsed);
    refer->referred_by = referred_by;
    refer->subscription = !(options && options->no_subscription);
    refer->id = engine_cseq_number(request);
    sip_refer_to_clear(&parsed);
    g_free(value);

    refer->client = call_send_request(call, request, &refer_client_user, sip_refer_ref(refer),
                                      (GDestroyNotify)sip_refer_unref, error);
    if (!refer->client)
    {
        sip_refer_unref(refer);
        return NULL;
    }
    refer->self_referenced = TRUE;
    sip_refer_ref(refer);
    refer->listed = TRUE;
    call_add_refer(call, refer);
    return refer;
}

/* The Event header's package and id (0 when absent). */
static gboolean parse_event(const char *value, guint32 *id)
{
    char **parts = g_strsplit(value, ";", -1), **part;
    gboolean refer = parts[0] && !g_ascii_strcasecmp(g_strstrip(parts[0]), "refer");

    *id = 0;
    for (part = parts; refer && *part; part++)
    {
        char *item = g_strstrip(*part);

        if (!g_ascii_strncasecmp(item, "id", 2))
        {
            char *equals = strchr(item, '=');

            if (equals)
                *id = (guint32)strtoul(g_strstrip(equals + 1), NULL, 10);
        }
    }
    g_strfreev(parts);
    return refer;
}

static struct sip_refer *find_outgoing(GPtrArray *refers, guint32 id)
{
    struct sip_refer *found = NULL;
    guint i;

    for (i = 0; refers && i < refers->len; i++)
    {
        struct sip_refer *refer = g_ptr_array_index(refers, i);

        if (refer->incoming)
            continue;
        if (id ? refer->id == id : !refer->ended)
            found = refer;      /* without an id, the latest one */
    }
    return found;
}

void refer_handle_notify(struct sip_call *call, osip_transaction_t *transaction, osip_message_t *request)
{
    struct sip_engine *engine = sip_call_get_engine(call);
    struct sip_subscription_state state = { 0 };
    const char *event, *substate;
    struct sip_refer *refer;
    osip_body_t *body = NULL;
    guint code = 0;
    char *reason = NULL;
    guint32 id;

    event = header_value(request, "event", "o", NULL);
    if (!event || !parse_event(event, &id))
    {
        engine_respond_simple(engine, transaction, 489, NULL);
        return;
    }
    if (!(refer = find_outgoing(call_refers(call), id)))
    {
        engine_respond_simple(engine, transaction, 481, "No Such Subscription");
        return;
    }
    substate = header_value(request, "subscription-state", NULL, NULL);
    if (!substate || !sip_subscription_state_parse(substate, &state, NULL))
    {
        engine_respond_simple(engine, transaction, 400, "Missing Or Bad Subscription-State");
        return;
    }
    osip_message_get_body(request, 0, &body);
    if (body && body->body && body->length
        && !sip_sipfrag_parse(body->body, body->length, &code, &reason, NULL))
    {
        sip_subscription_state_clear(&state);
        engine_respond_simple(engine, transaction, 400, "Bad Sipfrag Body");
        return;
    }
    engine_respond_simple(engine, transaction, 200, NULL);

    sip_refer_ref(refer);
    if (!refer->ended && !refer->accepted)
    {
        /* The NOTIFY overtook the 2xx to our REFER (lost, or late): it stands
         * for it (RFC 6665 §4.1.2.4), and the application hears "accepted"
         * first, as it would have without the loss. */
        refer->accepted = TRUE;
        report_progress(refer, SIP_REFER_ACCEPTED, 202, "Accepted", SIP_REFER_END_SUCCESS);
        refer_timer_cancel(refer, &refer->subscription_timer);
    }
    if (!refer->ended)
    {
        if (code)
        {
            report_progress(refer, SIP_REFER_NOTIFY, code, reason, SIP_REFER_END_SUCCESS);
            if (code >= 200)
            {
                refer->final_code = code;
                g_free(refer->final_reason);
                refer->final_reason = g_strdup(reason);
            }
        }
        if (state.state == SIP_SUBSTATE_TERMINATED)
            end_by_what_was_heard(refer, SIP_REFER_END_NO_FINAL);
        else
            restart_subscription_timer(refer, state.expires > 0 ? MIN(state.expires, 3600) * 1000 + EXPIRY_GRACE_MS
                                                                : NOTIFIER_EXPIRES_S * 1000 + EXPIRY_GRACE_MS);
    }
    sip_refer_unref(refer);
    sip_subscription_state_clear(&state);
    g_free(reason);
}

/* ---- the call ends ------------------------------------------------------------------------------- */

void refer_call_ending(struct sip_refer *refer, gboolean can_send)
{
    sip_refer_ref(refer);
    if (refer->incoming)
    {
        if (refer->decision == REFER_UNDECIDED && refer->server)
            decide(refer, 603, NULL, NULL);
        if (refer->decision == REFER_ACCEPTED && refer->subscription && !refer->final_notified)
        {
            refer->final_notified = TRUE;
            g_queue_clear_full(&refer->queued_notifies, queued_notify_free);
            if (can_send)
                send_notify(refer, 487, NULL, TRUE, FALSE);
        }
        unlist(refer);
    }
    else
    {
        end_by_what_was_heard(refer, SIP_REFER_END_CALL_GONE);
    }
    sip_refer_unref(refer);
}

/* ---- accessors ------------------------------------------------------------------------------------ */

const char *sip_refer_get_refer_to(struct sip_refer *refer)
{
    g_return_val_if_fail(refer != NULL, NULL);
    return refer->refer_to;
}

const char *sip_refer_get_target(struct sip_refer *refer)
{
    g_return_val_if_fail(refer != NULL, NULL);
    return refer->target;
}

const char *const *sip_refer_get_target_headers(struct sip_refer *refer)
{
    g_return_val_if_fail(refer != NULL, NULL);
    return (const char *const *)refer->target_headers->pdata;
}

const char *sip_refer_get_referred_by(struct sip_refer *refer)
{
    g_return_val_if_fail(refer != NULL, NULL);
    return refer->referred_by;
}

const char *sip_refer_get_header(struct sip_refer *refer, const char *name)
{
    osip_header_t *header = NULL;

    g_return_val_if_fail(refer != NULL && name != NULL, NULL);
    if (!refer->request || osip_message_header_get_byname(refer->request, name, 0, &header) < 0 || !header)
        return NULL;
    return header->hvalue;
}

gboolean sip_refer_is_incoming(struct sip_refer *refer)
{
    g_return_val_if_fail(refer != NULL, FALSE);
    return refer->incoming;
}

gboolean sip_refer_wants_subscription(struct sip_refer *refer)
{
    g_return_val_if_fail(refer != NULL, FALSE);
    return refer->subscription;
}

struct sip_call *sip_refer_get_call(struct sip_refer *refer)
{
    g_return_val_if_fail(refer != NULL, NULL);
    return refer->call;
}

void sip_refer_set_user_data(struct sip_refer *refer, void *user_data)
{
    g_return_if_fail(refer != NULL);
    refer->user_data = user_data;
}

void *sip_refer_get_user_data(struct sip_refer *refer)
{
    g_return_val_if_fail(refer != NULL, NULL);
    return refer->user_data;
}

void sip_engine_set_refer_callbacks(struct sip_engine *engine, const struct sip_refer_callbacks *callbacks)
{
    g_return_if_fail(engine != NULL);
    if (callbacks)
        engine->refer_callbacks = *callbacks;
    else
        memset(&engine->refer_callbacks, 0, sizeof(engine->refer_callbacks));
}

void sip_engine_set_refer_decision_timeout(struct sip_engine *engine, guint milliseconds)
{
    g_return_if_fail(engine != NULL);
    engine->refer_decision_timeout = milliseconds;
}

void sip_engine_set_refer_to_headers(struct sip_engine *engine, const char *const *extra_names,
                                     gboolean allow_private)
{
    g_return_if_fail(engine != NULL);
    g_strfreev(engine->refer_to_allowed);
    engine->refer_to_allowed = g_strdupv((char **)extra_names);
    engine->refer_to_private = allow_private;
}

/* ---- attended transfer ------------------------------------------------------------------------------ */

char *sip_call_build_replaces_refer_to(struct sip_call *call, GError **error)
{
    struct sip_dialog *dialog;
    char *target, *replaces, *escaped, *uri;

    g_return_val_if_fail(call != NULL, NULL);
    if (!(dialog = call_confirmed_dialog(call)) || !dialog->remote_target)
    {
        g_set_error(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_WRONG_STATE, "the call has no confirmed dialog");
        return NULL;
    }
    /* RFC 3891 §3: the tags as the target sees them. */
    replaces = sip_replaces_build(dialog->call_id, dialog->remote_tag, dialog->local_tag, FALSE);
    if (!replaces)
    {
        g_set_error(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_INVALID_ARGUMENT, "the dialog cannot be named in Replaces");
        return NULL;
    }
    target = engine_uri_string(dialog->remote_target);
    escaped = sip_replaces_escape(replaces);
    uri = g_strdup_printf("%s%cReplaces=%s", target, strchr(target, '?') ? '&' : '?', escaped);
    g_free(escaped);
    g_free(replaces);
    g_free(target);
    return uri;
}
