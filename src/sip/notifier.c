/*
 * The notifier (RFC 6665 §4.2): a SUBSCRIBE received outside any dialog is
 * checked and reported; the layer above decides; then the 200 OK and the
 * first NOTIFY go at once (§4.2.1.1). Refreshes are answered and followed
 * by a NOTIFY with the last document (§4.2.1.2), an unsubscribe or the
 * expiry ends the subscription with a terminated NOTIFY, and a NOTIFY the
 * subscriber answers 481 (or that gets no answer) ends it too (§4.2.2).
 * See sip_subscription.h.
 */
#ifndef G_LOG_DOMAIN
#define G_LOG_DOMAIN "rtcshim"
#endif

#include <stdlib.h>
#include <string.h>

#include "dialog.h"
#include "dispatch.h"
#include "event_queue.h"
#include "message.h"
#include "subscription_private.h"

static void send_notify(struct sip_subscription *subscription, enum sip_subscription_status state,
                        enum sip_subscription_reason reason, guint retry_after, const char *content_type,
                        GBytes *body);

/* ---- reports ------------------------------------------------------------------------------------ */

struct received_event
{
    struct sip_subscription *subscription;
};

static void received_event_free(void *data)
{
    struct received_event *event = data;

    sip_subscription_unref(event->subscription);
    g_free(event);
}

static void deliver_received(struct sip_engine *engine, void *data)
{
    struct received_event *event = data;

    if (engine->subscription_callbacks.subscription_received)
        engine->subscription_callbacks.subscription_received(engine, event->subscription, engine->user_data);
    notifier_after_report(event->subscription);
}

struct completed_event
{
    struct sip_subscription *subscription;
    guint code;
};

static void completed_event_free(void *data)
{
    struct completed_event *event = data;

    sip_subscription_unref(event->subscription);
    g_free(event);
}

static void deliver_completed(struct sip_engine *engine, void *data)
{
    struct completed_event *event = data;

    if (engine->subscription_callbacks.notify_completed)
        engine->subscription_callbacks.notify_completed(event->subscription, event->code, engine->user_data);
}

/* ---- helpers ------------------------------------------------------------------------------------- */

static void respond_with(struct sip_engine *engine, osip_transaction_t *transaction, const osip_message_t *request,
                         guint code, const char *reason, const char *header_name, const char *header_value)
{
    osip_message_t *response = engine_build_response(engine, request, code, reason, NULL);

    if (!response)
        return;
    if (header_name)
        osip_message_set_header(response, header_name, header_value);
    engine_respond(engine, transaction, response);
}

static void respond_bad_event(struct sip_engine *engine, osip_transaction_t *transaction, const osip_message_t *request)
{
    char *allow_events = engine_allow_events(engine);

    respond_with(engine, transaction, request, 489, NULL, "Allow-Events", allow_events);
    g_free(allow_events);
}

/* The Expires a SUBSCRIBE asks for: -1 when malformed, the maximum when absent. */
static gint64 requested_expires(struct sip_engine *engine, const osip_message_t *request)
{
    osip_header_t *header = NULL;
    char *end;
    guint64 value;

    if (osip_message_get_expires(request, 0, &header) < 0 || !header || !header->hvalue)
        return engine->subscription_max_expires;
    if (!g_ascii_isdigit(*header->hvalue))
        return -1;
    value = g_ascii_strtoull(header->hvalue, &end, 10);
    if (*g_strchomp(end))
        return -1;
    return (gint64)MIN(value, (guint64)G_MAXUINT32);
}

/* FALSE when an Accept header is present and none of its types covers document_type. */
static gboolean accepts(const osip_message_t *request, const char *document_type)
{
    osip_accept_t *accept = NULL;
    gboolean any = FALSE;
    int i;

    for (i = 0; osip_message_get_accept(request, i, &accept) >= 0; i++)
    {
        char *type;
        gboolean match;

        if (!accept || !accept->type)
            continue;
        any = TRUE;
        type = g_ascii_strdown(accept->type, -1);
        match = !strcmp(type, "*") || (!strncmp(document_type, type, strlen(type))
                                       && document_type[strlen(type)] == '/'
                                       && accept->subtype
                                       && (!strcmp(accept->subtype, "*")
                                           || !g_ascii_strcasecmp(document_type + strlen(type) + 1, accept->subtype)));
        g_free(type);
        if (match)
            return TRUE;
    }
    return !any;
}

static guint remaining_seconds(struct sip_subscription *subscription)
{
    gint64 left = subscription->expiry_deadline - g_get_monotonic_time();

    return left > 0 ? (guint)((left + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC) : 0;
}

static GBytes *body_bytes(const char *body, gsize length)
{
    return body && length ? g_bytes_new(body, length) : NULL;
}

static void keep_document(struct sip_subscription *subscription, const char *content_type, const char *body,
                          gsize length)
{
    g_free(subscription->content_type);
    subscription->content_type = g_strdup(content_type);
    if (subscription->body)
        g_bytes_unref(subscription->body);
    subscription->body = body_bytes(body, length);
}

/* ---- expiry --------------------------------------------------------------------------------------- */

static void expiry_due(struct sip_engine *engine, void *data)
{
    struct sip_subscription *subscription = data;

    subscription->expiry_timer = NULL;
    if (subscription->state == SIP_SUBSCRIPTION_TERMINATED)
        return;
    g_debug("subscription of %s to %s expired", subscription->watcher, subscription->resource);
    send_notify(subscription, SIP_SUBSCRIPTION_TERMINATED, SIP_SUBSCRIPTION_REASON_TIMEOUT, 0, NULL, NULL);
    subscription_set_state(subscription, SIP_SUBSCRIPTION_TERMINATED, SIP_SUBSCRIPTION_REASON_TIMEOUT, 0);
}

static void restart_expiry(struct sip_subscription *subscription)
{
    subscription_timer_cancel(subscription, &subscription->expiry_timer);
    subscription->expiry_deadline = g_get_monotonic_time() + (gint64)subscription->expires * G_USEC_PER_SEC;
    subscription->expiry_timer = subscription_timer_start(subscription, subscription->expires * 1000, expiry_due);
}

/* ---- NOTIFY ------------------------------------------------------------------------------------- */

static void queued_notify_free(struct queued_notify *queued)
{
    if (!queued)
        return;
    g_free(queued->content_type);
    if (queued->body)
        g_bytes_unref(queued->body);
    g_free(queued);
}

static void send_queued(struct sip_subscription *subscription, struct queued_notify *queued);

static void notify_response(struct sip_engine *engine, osip_transaction_t *transaction, const osip_message_t *response,
                            guint code, void *data)
{
    struct sip_subscription *subscription = data;
    struct completed_event *event;
    struct queued_notify *next;

    if (code < 200 || subscription->notify != transaction || !subscription->engine)
        return;
    subscription->notify = NULL;
    event = g_new0(struct completed_event, 1);
    event->subscription = sip_subscription_ref(subscription);
    event->code = code;
    engine_queue_event(engine, deliver_completed, event, completed_event_free);
    if (!response || code == 481)
    {
        /* §4.2.2: the subscriber knows no such subscription, or is unreachable. */
        queued_notify_free(subscription->next_notify);
        subscription->next_notify = NULL;
        subscription->final_notify = TRUE;
        subscription_timer_cancel(subscription, &subscription->expiry_timer);
        subscription_set_state(subscription, SIP_SUBSCRIPTION_TERMINATED,
                               response ? SIP_SUBSCRIPTION_REASON_GONE : SIP_SUBSCRIPTION_REASON_FAILED, code);
        return;
    }
    if (code >= 300)
        g_debug("NOTIFY to %s answered %u", subscription->watcher, code);
    if ((next = subscription->next_notify))
    {
        subscription->next_notify = NULL;
        send_queued(subscription, next);
    }
}

static void notify_replaced(struct sip_engine *engine, osip_transaction_t *old_transaction,
                            osip_transaction_t *replacement, const osip_message_t *request, void *data)
{
    struct sip_subscription *subscription = data;
    guint32 cseq = engine_cseq_number(request);

    if (subscription->notify == old_transaction)
        subscription->notify = replacement;
    if (subscription->dialog && cseq > subscription->dialog->local_cseq)
        subscription->dialog->local_cseq = cseq;
}

static const struct engine_transaction_user notify_user = { notify_response, NULL, notify_replaced };

static char *state_header(struct sip_subscription *subscription, const struct queued_notify *queued)
{
    if (queued->state == SIP_SUBSCRIPTION_TERMINATED)
    {
        if (queued->retry_after)
            return g_strdup_printf("terminated;reason=%s;retry-after=%u", subscription_reason_token(queued->reason),
                                   queued->retry_after);
        return g_strdup_printf("terminated;reason=%s", subscription_reason_token(queued->reason));
    }
    return g_strdup_printf("%s;expires=%u", queued->state == SIP_SUBSCRIPTION_ACTIVE ? "active" : "pending",
                           remaining_seconds(subscription));
}

static void send_queued(struct sip_subscription *subscription, struct queued_notify *queued)
{
    struct sip_next_hop hop;
    osip_message_t *request;
    char *value;
    GError *error = NULL;

    if (!subscription->engine || !(request = sip_dialog_build_request(subscription->dialog, "NOTIFY")))
    {
        queued_notify_free(queued);
        return;
    }
    value = subscription_event_value(subscription);
    osip_message_set_header(request, "Event", value);
    g_free(value);
    value = state_header(subscription, queued);
    osip_message_set_header(request, "Subscription-State", value);
    g_free(value);
    sip_dialog_next_hop(subscription->dialog, &hop);
    engine_add_contact(subscription->engine, request, subscription->contact_user, subscription->dialog->protocol,
                       hop.host);
    if (queued->body)
    {
        gsize length;
        const char *data = g_bytes_get_data(queued->body, &length);

        engine_set_body(request, queued->content_type ? queued->content_type : subscription->accept_type, data,
                        length);
    }
    queued_notify_free(queued);
    subscription->notify = subscription_send_in_dialog(subscription, subscription->dialog, request, &notify_user,
                                                       &error);
    if (!subscription->notify)
    {
        g_message("NOTIFY to %s not sent: %s", subscription->watcher, error->message);
        g_error_free(error);
    }
}

/* One NOTIFY at a time keeps them in order; a newer one replaces one that
 * waits (only the latest state matters), and nothing follows a terminated one. */
static void send_notify(struct sip_subscription *subscription, enum sip_subscription_status state,
                        enum sip_subscription_reason reason, guint retry_after, const char *content_type,
                        GBytes *body)
{
    struct queued_notify *queued;

    if (subscription->final_notify || !subscription->engine)
        return;
    if (state == SIP_SUBSCRIPTION_TERMINATED)
        subscription->final_notify = TRUE;
    queued = g_new0(struct queued_notify, 1);
    queued->state = state;
    queued->reason = reason;
    queued->retry_after = retry_after;
    queued->content_type = g_strdup(content_type);
    queued->body = body ? g_bytes_ref(body) : NULL;
    if (subscription->notify)
    {
        queued_notify_free(subscription->next_notify);
        subscription->next_notify = queued;
        return;
    }
    send_queued(subscription, queued);
}

/* The current state and document again (after a refresh). */
static void send_current(struct sip_subscription *subscription)
{
    send_notify(subscription, subscription->active ? SIP_SUBSCRIPTION_ACTIVE : SIP_SUBSCRIPTION_PENDING,
                SIP_SUBSCRIPTION_REASON_NONE, 0, subscription->content_type, subscription->body);
}

/* ---- SUBSCRIBE received ------------------------------------------------------------------------ */

static void server_terminated(struct sip_engine *engine, osip_transaction_t *transaction, void *data)
{
    struct sip_subscription *subscription = data;

    if (subscription->server == transaction)
        subscription->server = NULL;
}

static const struct engine_transaction_user server_user = { NULL, server_terminated, NULL };

static gboolean served(struct sip_engine *engine, const char *package)
{
    char **served_package;

    if (!engine->subscription_callbacks.subscription_received)
        return FALSE;
    for (served_package = engine->subscription_packages; served_package && *served_package; served_package++)
        if (!g_ascii_strcasecmp(*served_package, package))
            return TRUE;
    return FALSE;
}

void subscription_handle_subscribe(struct sip_engine *engine, osip_transaction_t *transaction, osip_message_t *request)
{
    struct sip_subscription *subscription;
    struct received_event *event;
    struct sip_dialog *dialog;
    const char *document_type;
    char *package, *id, *tag, value[16];
    gint64 expires;

    if (!subscription_parse_event(subscription_header(request, "event", "o"), &package, &id)
        || !served(engine, package))
    {
        respond_bad_event(engine, transaction, request);
        g_free(package);
        g_free(id);
        return;
    }
    expires = requested_expires(engine, request);
    document_type = subscription_document_type(package);
    if (expires < 0)
    {
        respond_with(engine, transaction, request, 400, "Bad Expires", NULL, NULL);
        goto refused;
    }
    if (expires > 0 && expires < engine->subscription_min_expires)
    {
        g_snprintf(value, sizeof(value), "%u", engine->subscription_min_expires);
        respond_with(engine, transaction, request, 423, NULL, "Min-Expires", value);
        goto refused;
    }
    if (document_type && !accepts(request, document_type))
    {
        respond_with(engine, transaction, request, 406, NULL, "Accept", document_type);
        goto refused;
    }
    if (!osip_list_size(&request->contacts))
    {
        respond_with(engine, transaction, request, 400, "Missing Contact", NULL, NULL);
        goto refused;
    }
    expires = MIN(expires, (gint64)engine->subscription_max_expires);

    tag = engine_new_token(engine);
    if (!(dialog = sip_dialog_new_uas(request, tag)))
    {
        respond_with(engine, transaction, request, 400, "Bad Request", NULL, NULL);
        g_free(tag);
        goto refused;
    }
    dialog->protocol = engine_transaction_protocol(transaction);
    dialog->connection_id = engine_transaction_connection(transaction);

    subscription = subscription_new(engine, TRUE, package, id);
    g_free(package);
    g_free(id);
    subscription->dialog = dialog;
    subscription->resource = engine_uri_string(request->req_uri);
    subscription->contact_user = g_strdup(request->req_uri->username);
    subscription->watcher = engine_uri_string(request->from->url);
    subscription->watcher_display_name = engine_display_name(request->from);
    subscription->accept_type = g_strdup(document_type);
    subscription->expires = (guint)expires;
    subscription->fetch = expires == 0;
    subscription->server = transaction;
    osip_message_clone(request, &subscription->subscribe);
    engine_set_transaction_user(transaction, &server_user, sip_subscription_ref(subscription),
                                (GDestroyNotify)sip_subscription_unref);
    subscription_register(subscription, dialog->call_id, tag);
    g_free(tag);

    event = g_new0(struct received_event, 1);
    event->subscription = subscription;     /* the creation reference */
    engine_queue_event(engine, deliver_received, event, received_event_free);
    return;

refused:
    g_free(package);
    g_free(id);
}

void notifier_after_report(struct sip_subscription *subscription)
{
    if (!subscription->decided && subscription->engine && subscription->state != SIP_SUBSCRIPTION_TERMINATED)
        sip_subscription_accept(subscription, FALSE, NULL, NULL, 0, NULL);
}

/* ---- refresh and unsubscribe ----------------------------------------------------------------------- */

void notifier_handle_request(struct sip_subscription *subscription, osip_transaction_t *transaction,
                             osip_message_t *request)
{
    struct sip_engine *engine = subscription->engine;
    osip_message_t *response;
    struct sip_next_hop hop;
    gint64 expires;
    char value[16];

    if (MSG_IS_OPTIONS(request))
    {
        engine_answer_options(engine, transaction, request);
        return;
    }
    if (!MSG_IS_SUBSCRIBE(request) || subscription->state == SIP_SUBSCRIPTION_TERMINATED || !subscription->decided)
    {
        engine_respond_simple(engine, transaction, 481, NULL);
        return;
    }
    if (!sip_dialog_accept_remote_cseq(subscription->dialog, request))
    {
        engine_respond_simple(engine, transaction, 500, "CSeq Out of Order");
        return;
    }
    if (!subscription_event_matches(subscription, subscription_header(request, "event", "o")))
    {
        respond_bad_event(engine, transaction, request);
        return;
    }
    if ((expires = requested_expires(engine, request)) < 0)
    {
        respond_with(engine, transaction, request, 400, "Bad Expires", NULL, NULL);
        return;
    }
    if (expires > 0 && expires < engine->subscription_min_expires)
    {
        g_snprintf(value, sizeof(value), "%u", engine->subscription_min_expires);
        respond_with(engine, transaction, request, 423, NULL, "Min-Expires", value);
        return;
    }
    subscription->expires = (guint)MIN(expires, (gint64)engine->subscription_max_expires);
    sip_dialog_refresh_target(subscription->dialog, request);
    if ((response = engine_build_response(engine, request, 200, NULL, NULL)))
    {
        g_snprintf(value, sizeof(value), "%u", subscription->expires);
        osip_message_set_expires(response, value);
        sip_dialog_next_hop(subscription->dialog, &hop);
        engine_add_contact(engine, response, subscription->contact_user, subscription->dialog->protocol, hop.host);
        engine_respond(engine, transaction, response);
    }
    if (!subscription->expires)
    {
        /* Unsubscribed: the last NOTIFY says so, with the last document. */
        subscription_timer_cancel(subscription, &subscription->expiry_timer);
        send_notify(subscription, SIP_SUBSCRIPTION_TERMINATED, SIP_SUBSCRIPTION_REASON_TIMEOUT, 0,
                    subscription->content_type, subscription->body);
        subscription_set_state(subscription, SIP_SUBSCRIPTION_TERMINATED, SIP_SUBSCRIPTION_REASON_UNSUBSCRIBED, 0);
        return;
    }
    restart_expiry(subscription);
    send_current(subscription);
}

/* ---- the API ------------------------------------------------------------------------------------------ */

static gboolean check_notifier(struct sip_subscription *subscription, GError **error)
{
    if (!subscription->engine)
    {
        g_set_error(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_DETACHED, "the engine is gone");
        return FALSE;
    }
    if (!subscription->notifier)
    {
        g_set_error(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_WRONG_STATE, "not a notifier's subscription");
        return FALSE;
    }
    if (subscription->state == SIP_SUBSCRIPTION_TERMINATED)
    {
        g_set_error(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_WRONG_STATE, "the subscription is over");
        return FALSE;
    }
    return TRUE;
}

static gboolean check_undecided(struct sip_subscription *subscription, GError **error)
{
    if (!check_notifier(subscription, error))
        return FALSE;
    if (subscription->decided || !subscription->server)
    {
        g_set_error(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_WRONG_STATE, "the SUBSCRIBE was already answered");
        return FALSE;
    }
    return TRUE;
}

gboolean sip_subscription_accept(struct sip_subscription *subscription, gboolean active, const char *content_type,
                                 const char *body, gsize body_length, GError **error)
{
    struct sip_engine *engine;
    osip_message_t *response;
    struct sip_next_hop hop;
    char value[16];

    g_return_val_if_fail(subscription != NULL, FALSE);
    if (!check_undecided(subscription, error))
        return FALSE;
    engine = subscription->engine;
    subscription->decided = TRUE;
    subscription->active = active;
    keep_document(subscription, content_type, body, body_length);
    response = engine_build_response(engine, subscription->subscribe, 200, NULL, subscription->dialog->local_tag);
    if (response)
    {
        g_snprintf(value, sizeof(value), "%u", subscription->expires);
        osip_message_set_expires(response, value);
        sip_dialog_next_hop(subscription->dialog, &hop);
        engine_add_contact(engine, response, subscription->contact_user, subscription->dialog->protocol, hop.host);
        engine_respond(engine, subscription->server, response);
    }
    subscription->server = NULL;
    osip_message_free(subscription->subscribe);
    subscription->subscribe = NULL;
    sip_dialog_set_confirmed(subscription->dialog);

    sip_subscription_ref(subscription);
    if (subscription->fetch)
    {
        /* A fetch (Expires: 0): one NOTIFY with the state, and it is over. */
        send_notify(subscription, SIP_SUBSCRIPTION_TERMINATED, SIP_SUBSCRIPTION_REASON_TIMEOUT, 0,
                    subscription->content_type, subscription->body);
        subscription_set_state(subscription, SIP_SUBSCRIPTION_TERMINATED, SIP_SUBSCRIPTION_REASON_TIMEOUT, 0);
    }
    else
    {
        restart_expiry(subscription);
        subscription_set_state(subscription, active ? SIP_SUBSCRIPTION_ACTIVE : SIP_SUBSCRIPTION_PENDING,
                               SIP_SUBSCRIPTION_REASON_NONE, 0);
        send_current(subscription);
    }
    sip_subscription_unref(subscription);
    return TRUE;
}

gboolean sip_subscription_reject(struct sip_subscription *subscription, guint status_code, const char *reason,
                                 GError **error)
{
    g_return_val_if_fail(subscription != NULL, FALSE);
    if (!check_undecided(subscription, error))
        return FALSE;
    if (status_code < 300 || status_code > 699)
    {
        g_set_error(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_INVALID_ARGUMENT, "%u is not a final error code",
                    status_code);
        return FALSE;
    }
    subscription->decided = TRUE;
    respond_with(subscription->engine, subscription->server, subscription->subscribe, status_code, reason, NULL, NULL);
    subscription->server = NULL;
    subscription->final_notify = TRUE;
    subscription_set_state(subscription, SIP_SUBSCRIPTION_TERMINATED, SIP_SUBSCRIPTION_REASON_REJECTED, status_code);
    return TRUE;
}

gboolean sip_subscription_notify(struct sip_subscription *subscription, gboolean active, const char *content_type,
                                 const char *body, gsize body_length, GError **error)
{
    g_return_val_if_fail(subscription != NULL, FALSE);
    if (!check_notifier(subscription, error))
        return FALSE;
    if (!subscription->decided)
    {
        g_set_error(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_WRONG_STATE, "the SUBSCRIBE is not answered yet");
        return FALSE;
    }
    sip_subscription_ref(subscription);
    subscription->active = active;
    keep_document(subscription, content_type, body, body_length);
    subscription_set_state(subscription, active ? SIP_SUBSCRIPTION_ACTIVE : SIP_SUBSCRIPTION_PENDING,
                           SIP_SUBSCRIPTION_REASON_NONE, 0);
    send_current(subscription);
    sip_subscription_unref(subscription);
    return TRUE;
}

gboolean sip_subscription_terminate(struct sip_subscription *subscription, enum sip_subscription_reason reason,
                                    guint retry_after, const char *content_type, const char *body, gsize body_length,
                                    GError **error)
{
    GBytes *document;

    g_return_val_if_fail(subscription != NULL, FALSE);
    if (!check_notifier(subscription, error))
        return FALSE;
    if (reason < SIP_SUBSCRIPTION_REASON_DEACTIVATED || reason > SIP_SUBSCRIPTION_REASON_INVARIANT)
    {
        g_set_error(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_INVALID_ARGUMENT, "\"%s\" is not a reason to send",
                    sip_subscription_reason_name(reason));
        return FALSE;
    }
    if (!subscription->decided)
        return sip_subscription_reject(subscription, reason == SIP_SUBSCRIPTION_REASON_REJECTED ? 403 : 480, NULL,
                                       error);
    sip_subscription_ref(subscription);
    subscription_timer_cancel(subscription, &subscription->expiry_timer);
    document = body_bytes(body, body_length);
    send_notify(subscription, SIP_SUBSCRIPTION_TERMINATED, reason, retry_after, content_type, document);
    if (document)
        g_bytes_unref(document);
    subscription_set_state(subscription, SIP_SUBSCRIPTION_TERMINATED, reason, 0);
    sip_subscription_unref(subscription);
    return TRUE;
}

gboolean sip_subscription_notify_pending(struct sip_subscription *subscription)
{
    g_return_val_if_fail(subscription != NULL, FALSE);
    return sip_subscription_is_notifier(subscription) && subscription->engine
           && (subscription->notify || subscription->next_notify);
}

/* ---- life cycle -------------------------------------------------------------------------------------- */

void notifier_detach(struct sip_subscription *subscription)
{
    subscription_timer_cancel(subscription, &subscription->expiry_timer);
    subscription->notify = NULL;
    subscription->server = NULL;
    g_free(subscription->key);      /* the registry goes with the engine */
    subscription->key = NULL;
}

void notifier_free(struct sip_subscription *subscription)
{
    sip_dialog_free(subscription->dialog);
    g_free(subscription->resource);
    g_free(subscription->contact_user);
    g_free(subscription->watcher);
    g_free(subscription->watcher_display_name);
    g_free(subscription->accept_type);
    osip_message_free(subscription->subscribe);
    queued_notify_free(subscription->next_notify);
    g_free(subscription->content_type);
    if (subscription->body)
        g_bytes_unref(subscription->body);
}
