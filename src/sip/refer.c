/*
 * Transfer: REFER (RFC 3515) with its implicit subscription (RFC 6665),
 * Referred-By (RFC 3892), Refer-Sub (RFC 4488) and Replaces in Refer-To
 * (RFC 3891). See sip_refer.h for the API; what a peer sees is in
 * docs/wire-mapping.md ("The implicit subscription of a REFER").
 *
 * Who holds a refer:
 *  - incoming: the decision timer (the engine's reference, until decided),
 *    the REFER's server transaction, NOTIFY transactions in flight, queued
 *    events, and the application. The subscription's expiry timer holds
 *    none: letting go of an accepted refer still ends it at once (NOTIFY 487);
 *  - outgoing: itself while its subscription lives (until ENDED), its
 *    client transactions (REFER, refreshing SUBSCRIBE), queued events, and
 *    the application.
 * A call lists the refers of its dialog without referencing them.
 */
#ifndef G_LOG_DOMAIN
#define G_LOG_DOMAIN "rtcshim"
#endif

#include <stdlib.h>
#include <string.h>

#include "call.h"
#include "dialog.h"
#include "engine.h"
#include "event_queue.h"
#include "message.h"
#include "refer.h"
#include "sip/refer_to.h"
#include "replaces.h"
#include "sipfrag.h"
#include "timer_source.h"
#include "transaction.h"

/* The longest subscription we grant or believe (RFC 6665 leaves it to us). */
#define MAX_EXPIRES_S 3600
/* The transferor waits this long for the first NOTIFY after the 2xx to its
 * REFER, and this much past the expiry a NOTIFY announced. */
#define FIRST_NOTIFY_WAIT_MS SIP_TIMER_64T1_MS
#define EXPIRY_GRACE_MS 5000

enum refer_decision
{
    REFER_UNDECIDED,
    REFER_ACCEPTED,
    REFER_REJECTED,
};

/* How a NOTIFY leaves the subscription (its Subscription-State). */
enum notify_state
{
    NOTIFY_ACTIVE,          /* active;expires=<seconds left> */
    NOTIFY_FINAL,           /* terminated;reason=noresource: the new call's final status */
    NOTIFY_DECLINED,        /* terminated;reason=rejected: the REFER was declined after our 202 */
    NOTIFY_EXPIRED,         /* terminated;reason=timeout: not refreshed in time, or unsubscribed */
};

struct queued_notify
{
    guint code;
    char *reason;
    enum notify_state state;
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
    gboolean subscription;                  /* an implicit subscription exists or is wanted */
    guint32 id;                             /* the REFER's CSeq: Event: refer;id=<id> */
    gboolean first_in_dialog;               /* the dialog's first REFER this way: matched without id */

    /* transferee (notifier) */
    enum refer_decision decision;
    osip_transaction_t *server;             /* the REFER's, until its final response */
    gboolean responded;                     /* the REFER's final response went out */
    gboolean forced_subscription;           /* asked for none (Refer-Sub: false), got one with our 202 */
    struct engine_timer *decision_timer;    /* the response bound, then the decision bound */
    guint decision_left_ms;                 /* after the response bound: the rest of the decision bound */
    gint64 expires_at;                      /* monotonic time the subscription runs out */
    struct engine_timer *expiry_timer;      /* weak: see the top of the file */
    guint last_code;                        /* the last status NOTIFYed or queued (0: none) */
    char *last_reason;
    gboolean final_notified;                /* no NOTIFY can follow any more */
    osip_transaction_t *notify;             /* the NOTIFY in flight */
    GQueue queued_notifies;

    /* transferor (subscriber) */
    osip_transaction_t *client;
    gboolean accepted;                      /* ACCEPTED reported (by the 2xx or a NOTIFY before it) */
    gboolean ended;
    gboolean self_referenced;               /* the subscription's own reference */
    guint final_code;                       /* last final sipfrag */
    char *final_reason;
    guint announced_expires;                /* s, from the last NOTIFY (0: none yet) */
    struct engine_timer *subscription_timer;
    struct engine_timer *refresh_timer;
    osip_transaction_t *refresh;            /* our refreshing SUBSCRIBE in flight */
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

static void send_notify(struct sip_refer *refer, guint code, const char *reason, enum notify_state state,
                        gboolean track);

static void refer_timer_cancel(struct sip_refer *refer, struct engine_timer **timer)
{
    struct engine_timer *pending = *timer;
    struct sip_engine *engine = refer_engine(refer);

    *timer = NULL;
    if (pending && engine)
        engine_timer_cancel(engine, pending);
}

/* A timer that holds a reference on the refer until it fires or is cancelled. */
static struct engine_timer *refer_timer_start(struct sip_refer *refer, guint delay_ms, engine_timer_func func)
{
    return engine_timer_start(refer_engine(refer), delay_ms, func, sip_refer_ref(refer),
                              (GDestroyNotify)sip_refer_unref);
}

/* One that does not: cancelled when the refer goes. */
static struct engine_timer *refer_weak_timer_start(struct sip_refer *refer, guint delay_ms, engine_timer_func func)
{
    return engine_timer_start(refer_engine(refer), delay_ms, func, refer, NULL);
}

void sip_refer_unref(struct sip_refer *refer)
{
    if (!refer || !g_atomic_int_dec_and_test(&refer->refcount))
        return;
    /* A transfer nobody reports on any more still ends its subscription
     * properly (transfer rule 2, docs/architecture.md): 487 when it was
     * accepted, 603 when it was never decided but our 202 went out. */
    if (refer->incoming && refer->responded && refer->subscription && !refer->final_notified
        && refer_engine(refer))
    {
        if (refer->decision == REFER_ACCEPTED)
            send_notify(refer, 487, NULL, NOTIFY_FINAL, FALSE);
        else
            send_notify(refer, 603, NULL, NOTIFY_DECLINED, FALSE);
    }
    refer_timer_cancel(refer, &refer->expiry_timer);
    unlist(refer);
    g_queue_clear_full(&refer->queued_notifies, queued_notify_free);
    osip_message_free(refer->request);
    g_free(refer->refer_to);
    g_free(refer->target);
    g_ptr_array_free(refer->target_headers, TRUE);
    g_free(refer->referred_by);
    g_free(refer->last_reason);
    g_free(refer->final_reason);
    sip_call_unref(refer->call);
    g_free(refer);
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

/* Event: refer[;id=N] (RFC 6665 §8.2.1, RFC 3515 §2.4.6). FALSE for another
 * package. *id is the id parameter's value as sent, NULL when there is
 * none: it is compared as a string, so "id=07" or "idx=7" never names the
 * REFER with CSeq 7. g_free() *id. */
static gboolean parse_event(const char *value, char **id)
{
    char **parts = g_strsplit(value, ";", -1), **part;
    gboolean refer = parts[0] && !g_ascii_strcasecmp(g_strstrip(parts[0]), "refer");

    *id = NULL;
    for (part = parts; refer && *part && *++part;)
    {
        char *equals = strchr(*part, '=');
        char *name = g_strstrip(g_strndup(*part, equals ? (gsize)(equals - *part) : strlen(*part)));

        if (!g_ascii_strcasecmp(name, "id") && !*id)
            *id = g_strstrip(g_strdup(equals ? equals + 1 : ""));
        g_free(name);
    }
    g_strfreev(parts);
    return refer;
}

/* The refer of the call's dialog, in the given direction, that an Event
 * header names: by id, or without one the dialog's first REFER that way
 * (RFC 3515 §2.4.6). */
static struct sip_refer *find_refer(GPtrArray *refers, gboolean incoming, const char *id)
{
    char number[16];
    guint i;

    for (i = 0; refers && i < refers->len; i++)
    {
        struct sip_refer *refer = g_ptr_array_index(refers, i);

        if (refer->incoming != incoming)
            continue;
        g_snprintf(number, sizeof(number), "%u", refer->id);
        if (id ? !strcmp(id, number) : refer->first_in_dialog)
            return refer;
    }
    return NULL;
}

/* The dialog's first REFER in this direction? (marks it seen) */
static gboolean first_refer_in_dialog(struct sip_call *call, gboolean incoming)
{
    struct sip_dialog *dialog = call_confirmed_dialog(call);
    gboolean *seen;

    if (!dialog)
        return FALSE;
    seen = incoming ? &dialog->refer_received : &dialog->refer_sent;
    if (*seen)
        return FALSE;
    *seen = TRUE;
    return TRUE;
}

/* An Expires value: delta-seconds (RFC 3261 §20.19); FALSE if it is not one. */
static gboolean parse_expires(const char *text, guint *seconds)
{
    guint64 value = 0;
    const char *p;

    while (g_ascii_isspace(*text))
        text++;
    for (p = text; g_ascii_isdigit(*p); p++)
        value = MIN(value * 10 + (*p - '0'), G_MAXUINT32);
    while (g_ascii_isspace(*p))
        p++;
    if (p == text || *p)
        return FALSE;
    *seconds = (guint)value;
    return TRUE;
}

/* ---- transferee: NOTIFYs ----------------------------------------------------------------- */

/* Seconds left of the subscription we granted (at least 1 while it lives). */
static guint seconds_left(struct sip_refer *refer)
{
    gint64 left = refer->expires_at - g_get_monotonic_time();

    return left <= 0 ? 1 : (guint)MAX((left + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC, 1);
}

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
        send_notify(refer, next->code, next->reason, next->state, TRUE);
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
            refer_timer_cancel(refer, &refer->expiry_timer);
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
static void send_notify(struct sip_refer *refer, guint code, const char *reason, enum notify_state state,
                        gboolean track)
{
    static const char *const terminated[] =
    {
        [NOTIFY_FINAL] = "terminated;reason=noresource",
        [NOTIFY_DECLINED] = "terminated;reason=rejected",
        [NOTIFY_EXPIRED] = "terminated;reason=timeout",
    };
    struct sip_dialog *dialog = refer_engine(refer) ? call_confirmed_dialog(refer->call) : NULL;
    char buffer[64], *fragment;
    osip_message_t *request;
    osip_transaction_t *transaction;
    GError *error = NULL;

    if (!dialog || !(request = sip_dialog_build_request(dialog, "NOTIFY")))
        return;
    g_snprintf(buffer, sizeof(buffer), "refer;id=%u", refer->id);
    osip_message_set_header(request, "Event", buffer);
    if (state == NOTIFY_ACTIVE)
    {
        g_snprintf(buffer, sizeof(buffer), "active;expires=%u", seconds_left(refer));
        osip_message_set_header(request, "Subscription-State", buffer);
    }
    else
        osip_message_set_header(request, "Subscription-State", terminated[state]);
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

/* Queues a NOTIFY (sent at once when none is in flight). The last status
 * is kept: a refreshed or expiring subscription reports it again. */
static void enqueue_notify(struct sip_refer *refer, guint code, const char *reason, enum notify_state state)
{
    if (refer->final_notified)
        return;
    refer->last_code = code;
    g_free(refer->last_reason);
    refer->last_reason = g_strdup(reason);
    if (state != NOTIFY_ACTIVE)
    {
        refer->final_notified = TRUE;
        refer_timer_cancel(refer, &refer->expiry_timer);
        unlist(refer);      /* nothing in the dialog can name it any more */
    }
    if (refer->notify)
    {
        struct queued_notify *queued = g_new0(struct queued_notify, 1);

        queued->code = code;
        queued->reason = g_strdup(reason);
        queued->state = state;
        g_queue_push_tail(&refer->queued_notifies, queued);
        return;
    }
    send_notify(refer, code, reason, state, TRUE);
}

/* The subscription ran out without a refresh (RFC 6665 §4.2.2): the last
 * status once more, terminated;reason=timeout. */
static void subscription_ran_out(struct sip_engine *engine, void *data)
{
    struct sip_refer *refer = data;

    (void)engine;
    refer->expiry_timer = NULL;
    if (refer->final_notified)
        return;
    g_debug("refer %u: the subscription ran out", refer->id);
    sip_refer_ref(refer);
    if (refer->decision == REFER_UNDECIDED)
    {
        refer->decision = REFER_REJECTED;       /* too late to follow it now */
        refer_timer_cancel(refer, &refer->decision_timer);
    }
    enqueue_notify(refer, refer->last_code ? refer->last_code : 100, refer->last_reason, NOTIFY_EXPIRED);
    sip_refer_unref(refer);
}

/* The subscription lives `seconds` from now. */
static void grant_subscription(struct sip_refer *refer, guint seconds)
{
    refer->expires_at = g_get_monotonic_time() + (gint64)seconds * G_USEC_PER_SEC;
    refer_timer_cancel(refer, &refer->expiry_timer);
    refer->expiry_timer = refer_weak_timer_start(refer, seconds * 1000, subscription_ran_out);
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

/* Sends the REFER's final response: 202 (with Refer-Sub when it matters,
 * RFC 4488) or a refusal. */
static void send_final_response(struct sip_refer *refer, guint code, const char *reason)
{
    struct sip_engine *engine = refer_engine(refer);
    osip_message_t *response = engine_build_response(engine, refer->server->orig_request, code, reason, NULL);

    if (code < 300)
    {
        if (!refer->subscription)
            osip_message_set_header(response, "Refer-Sub", "false");
        else if (refer->forced_subscription)
            osip_message_set_header(response, "Refer-Sub", "true");
        call_add_contact(refer->call, response);
    }
    else
        refer->final_notified = TRUE;       /* refused: no subscription, nothing to NOTIFY */
    refer->responded = TRUE;
    engine_respond(engine, refer->server, response);
}

/* 202 and the subscription's first NOTIFY, 100 Trying. */
static void accept_and_subscribe(struct sip_refer *refer)
{
    send_final_response(refer, 202, NULL);
    if (!refer->subscription)
    {
        refer->final_notified = TRUE;
        return;
    }
    grant_subscription(refer, refer_engine(refer)->refer_expires);
    enqueue_notify(refer, 100, NULL, NOTIFY_ACTIVE);
}

static gboolean check_undecided(struct sip_refer *refer, GError **error)
{
    if (!check_attached(refer, error))
        return FALSE;
    if (!refer->incoming || refer->decision != REFER_UNDECIDED || (!refer->responded && !refer->server))
    {
        g_set_error(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_WRONG_STATE, "the refer is not waiting for a decision");
        return FALSE;
    }
    return TRUE;
}

/* A refusal: the final response while there is still time, else (our 202
 * went out at the response bound) the subscription's last NOTIFY. */
static void decline(struct sip_refer *refer, guint code, const char *reason)
{
    refer->decision = REFER_REJECTED;
    refer_timer_cancel(refer, &refer->decision_timer);
    if (!refer->responded)
    {
        send_final_response(refer, code, reason);
        unlist(refer);
    }
    else
        enqueue_notify(refer, code, reason, NOTIFY_DECLINED);
}

static void decision_timer_fired(struct sip_engine *engine, void *data)
{
    struct sip_refer *refer = data;
    guint left = refer->decision_left_ms;

    (void)engine;
    refer->decision_timer = NULL;
    if (refer->decision != REFER_UNDECIDED || (!refer->responded && !refer->server))
        return;
    if (!refer->responded && left)
    {
        /* The final response may not wait longer (a proxy's Timer F, RFC
         * 4320): 202 now; the decision follows through the subscription. */
        g_debug("refer %u: no decision within the response bound, answering 202", refer->id);
        refer->decision_left_ms = 0;
        if (!refer->subscription)
            refer->subscription = refer->forced_subscription = TRUE;
        accept_and_subscribe(refer);
        refer->decision_timer = refer_timer_start(refer, left, decision_timer_fired);
        return;
    }
    /* Nobody decided: a REFER is never followed without consent (transfer rule 13). */
    g_debug("refer %u: no decision in time, declining", refer->id);
    decline(refer, 603, NULL);
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
    refer->first_in_dialog = first_refer_in_dialog(call, TRUE);
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
    /* Two bounds: the final response waits for the decision only so long,
     * the decision itself longer (then 603). */
    if (engine->refer_response_bound < engine->refer_decision_timeout)
    {
        refer->decision_left_ms = engine->refer_decision_timeout - engine->refer_response_bound;
        refer->decision_timer = refer_timer_start(refer, engine->refer_response_bound, decision_timer_fired);
    }
    else
        refer->decision_timer = refer_timer_start(refer, engine->refer_decision_timeout, decision_timer_fired);

    event = g_new0(struct received_event, 1);
    event->call = sip_call_ref(call);
    event->refer = refer;     /* the creation reference */
    engine_queue_event(engine, deliver_received, event, received_event_free);
}

gboolean sip_refer_accept(struct sip_refer *refer, GError **error)
{
    g_return_val_if_fail(refer != NULL, FALSE);
    if (!check_undecided(refer, error))
        return FALSE;
    refer->decision = REFER_ACCEPTED;
    refer_timer_cancel(refer, &refer->decision_timer);
    /* After the response bound the 202 and 100 Trying went out already. */
    if (!refer->responded)
        accept_and_subscribe(refer);
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
    if (!check_undecided(refer, error))
        return FALSE;
    decline(refer, status_code, reason);
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
    /* Progress only goes forward: a second 100 Trying (SetReferredSessionState(INPROGRESS)
     * after Accept), a second 180, or a 100 that an application slower than the call reports
     * after the 180 went out tells the transferor nothing, and linphonec logs an error. */
    if (status_code < 200 && refer->last_code && status_code <= refer->last_code)
        return TRUE;
    enqueue_notify(refer, status_code, reason, status_code >= 200 ? NOTIFY_FINAL : NOTIFY_ACTIVE);
    return TRUE;
}

/* A SUBSCRIBE in the dialog refreshes (or with Expires: 0 ends) the
 * subscription of a REFER we accepted (RFC 6665 §4.2.1.2, RFC 3515 §2.4.4):
 * 200 with the Expires granted, then a NOTIFY with the status as it is. */
void refer_handle_subscribe(struct sip_call *call, osip_transaction_t *transaction, osip_message_t *request)
{
    struct sip_engine *engine = sip_call_get_engine(call);
    const char *event = header_value(request, "event", "o", NULL), *expires;
    struct sip_refer *refer;
    osip_message_t *response;
    guint seconds = engine->refer_expires;
    char buffer[16], *id;

    if (!event || !parse_event(event, &id))
    {
        response = engine_build_response(engine, request, 489, NULL, NULL);
        osip_message_set_header(response, "Allow-Events", "refer");
        engine_respond(engine, transaction, response);
        return;
    }
    refer = find_refer(call_refers(call), TRUE, id);
    g_free(id);
    if (!refer || !refer->responded || !refer->subscription || refer->final_notified)
    {
        engine_respond_simple(engine, transaction, 481, "No Such Subscription");
        return;
    }
    if ((expires = header_value(request, "expires", NULL, NULL)) && !parse_expires(expires, &seconds))
    {
        engine_respond_simple(engine, transaction, 400, "Bad Expires Header");
        return;
    }
    seconds = MIN(seconds, MAX_EXPIRES_S);
    if (call_confirmed_dialog(call))
        sip_dialog_refresh_target(call_confirmed_dialog(call), request);     /* a target refresh request */
    response = engine_build_response(engine, request, 200, NULL, NULL);
    g_snprintf(buffer, sizeof(buffer), "%u", seconds);
    osip_message_set_expires(response, buffer);
    call_add_contact(call, response);
    engine_respond(engine, transaction, response);

    sip_refer_ref(refer);
    if (seconds)
    {
        grant_subscription(refer, seconds);
        enqueue_notify(refer, refer->last_code ? refer->last_code : 100, refer->last_reason, NOTIFY_ACTIVE);
    }
    else
        enqueue_notify(refer, refer->last_code ? refer->last_code : 100, refer->last_reason, NOTIFY_EXPIRED);
    sip_refer_unref(refer);
}

/* ---- transferor --------------------------------------------------------------------------------- */

static void end_outgoing(struct sip_refer *refer, enum sip_refer_end end, guint code, const char *reason)
{
    if (refer->ended)
        return;
    refer->ended = TRUE;
    refer_timer_cancel(refer, &refer->subscription_timer);
    refer_timer_cancel(refer, &refer->refresh_timer);
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

static void send_refresh(struct sip_engine *engine, void *data);

/* The subscription lives `seconds` more: refresh it in time (a target that
 * rings for minutes outlives a 120 s subscription), give up a little after. */
static void expect_expiry(struct sip_refer *refer, guint seconds)
{
    guint refresh_s;

    refer->announced_expires = seconds;
    restart_subscription_timer(refer, seconds * 1000 + EXPIRY_GRACE_MS);
    refer_timer_cancel(refer, &refer->refresh_timer);
    if (refer->final_code)
        return;     /* the outcome is known: nothing to wait for */
    /* Early enough for a SUBSCRIBE to be answered over lossy UDP (64*T1),
     * but not before half of the time is used. */
    refresh_s = seconds > 2 * (SIP_TIMER_64T1_MS / 1000) ? seconds - SIP_TIMER_64T1_MS / 1000 : seconds / 2;
    refer->refresh_timer = refer_timer_start(refer, MAX(refresh_s, 1) * 1000, send_refresh);
}

static void refresh_response(struct sip_engine *engine, osip_transaction_t *transaction,
                             const osip_message_t *response, guint code, void *data)
{
    struct sip_refer *refer = data;
    const char *expires;
    guint seconds;

    (void)engine;
    if (code < 200)
        return;
    if (refer->refresh == transaction)
        refer->refresh = NULL;      /* answered: the next refresh may go (Timer K is no reason to wait) */
    if (refer->ended || !refer_engine(refer))
        return;
    if (response && code < 300)
    {
        if ((expires = header_value(response, "expires", NULL, NULL)) && parse_expires(expires, &seconds) && seconds)
            expect_expiry(refer, MIN(seconds, MAX_EXPIRES_S));
        return;
    }
    if (code == 481 || code == 403)
    {
        /* The subscription is gone (RFC 6665 §4.1.2.2; 403 is RFC 3515's
         * word for it); its final NOTIFY may still be on the way. */
        g_debug("refer %u: refresh answered 481", refer->id);
        refer_timer_cancel(refer, &refer->refresh_timer);
        restart_subscription_timer(refer, EXPIRY_GRACE_MS);
    }
    /* Any other failure: the subscription runs to its expiry as announced. */
}

static void refresh_terminated(struct sip_engine *engine, osip_transaction_t *transaction, void *data)
{
    struct sip_refer *refer = data;

    (void)engine;
    if (refer->refresh == transaction)
        refer->refresh = NULL;
}

static void refresh_replaced(struct sip_engine *engine, osip_transaction_t *old_transaction,
                             osip_transaction_t *replacement, const osip_message_t *request, void *data)
{
    struct sip_refer *refer = data;

    (void)engine;
    if (refer->refresh == old_transaction)
        refer->refresh = replacement;
    call_note_cseq(refer->call, engine_cseq_number(request));
}

static const struct engine_transaction_user refresh_user = { refresh_response, refresh_terminated, refresh_replaced };

/* SUBSCRIBE in the dialog: Event: refer;id=<the REFER's CSeq>, the Expires
 * the last NOTIFY announced. */
static void send_refresh(struct sip_engine *engine, void *data)
{
    struct sip_refer *refer = data;
    struct sip_dialog *dialog = call_confirmed_dialog(refer->call);
    osip_message_t *request;
    GError *error = NULL;
    char buffer[32];

    (void)engine;
    refer->refresh_timer = NULL;
    if (refer->ended || refer->refresh || !dialog || !(request = sip_dialog_build_request(dialog, "SUBSCRIBE")))
        return;
    g_snprintf(buffer, sizeof(buffer), "refer;id=%u", refer->id);
    osip_message_set_header(request, "Event", buffer);
    g_snprintf(buffer, sizeof(buffer), "%u", refer->announced_expires);
    osip_message_set_expires(request, buffer);
    osip_message_set_accept(request, "message/sipfrag");
    call_add_contact(refer->call, request);
    g_debug("refer %u: refreshing the subscription", refer->id);
    refer->refresh = call_send_request(refer->call, request, &refresh_user, sip_refer_ref(refer),
                                       (GDestroyNotify)sip_refer_unref, &error);
    if (!refer->refresh)
    {
        g_message("SUBSCRIBE for refer %u not sent: %s", refer->id, error->message);
        g_error_free(error);
    }
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
    refer->first_in_dialog = first_refer_in_dialog(call, FALSE);
    refer->self_referenced = TRUE;
    sip_refer_ref(refer);
    refer->listed = TRUE;
    call_add_refer(call, refer);
    return refer;
}

void refer_handle_notify(struct sip_call *call, osip_transaction_t *transaction, osip_message_t *request)
{
    struct sip_engine *engine = sip_call_get_engine(call);
    struct sip_subscription_state state = { 0 };
    const char *event, *substate;
    struct sip_refer *refer;
    osip_body_t *body = NULL;
    guint code = 0;
    char *reason = NULL, *id;

    event = header_value(request, "event", "o", NULL);
    if (!event || !parse_event(event, &id))
    {
        engine_respond_simple(engine, transaction, 489, NULL);
        return;
    }
    /* Ended subscriptions are no longer listed: their NOTIFYs get 481 too (RFC 6665 §4.1.3). */
    refer = find_refer(call_refers(call), FALSE, id);
    g_free(id);
    if (!refer)
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
    if (!refer->ended && state.state == SIP_SUBSTATE_TERMINATED && state.reason && !strcmp(state.reason, "rejected")
        && code >= 300)
    {
        /* The transferee declined after its 202 (the decision outlived the
         * response bound): the same outcome as that refusal as a response. */
        report_progress(refer, SIP_REFER_REJECTED, code, reason, SIP_REFER_END_REJECTED);
        end_outgoing(refer, SIP_REFER_END_REJECTED, code, reason);
    }
    else if (!refer->ended)
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
            expect_expiry(refer, state.expires > 0 ? (guint)MIN(state.expires, MAX_EXPIRES_S)
                                                   : SIP_REFER_DEFAULT_EXPIRES_S);
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
        if (refer->decision == REFER_UNDECIDED && !refer->responded && refer->server)
            decline(refer, 603, NULL);
        else if (refer->subscription && refer->responded && !refer->final_notified)
        {
            guint code = refer->decision == REFER_ACCEPTED ? 487 : 603;

            refer->final_notified = TRUE;
            refer->decision = refer->decision == REFER_ACCEPTED ? REFER_ACCEPTED : REFER_REJECTED;
            refer_timer_cancel(refer, &refer->decision_timer);
            refer_timer_cancel(refer, &refer->expiry_timer);
            g_queue_clear_full(&refer->queued_notifies, queued_notify_free);
            if (can_send)
                send_notify(refer, code, NULL, code == 487 ? NOTIFY_FINAL : NOTIFY_DECLINED, FALSE);
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

void sip_engine_set_refer_response_bound(struct sip_engine *engine, guint milliseconds)
{
    g_return_if_fail(engine != NULL);
    engine->refer_response_bound = milliseconds;
}

void sip_engine_set_refer_expires(struct sip_engine *engine, guint seconds)
{
    g_return_if_fail(engine != NULL && seconds > 0);
    engine->refer_expires = MIN(seconds, MAX_EXPIRES_S);
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
