/*
 * Event subscriptions (RFC 6665): the object both roles share, the engine's
 * registry of them, their state reports and the header helpers. The roles
 * are in subscriber.c and notifier.c; sip_subscription.h is the API.
 *
 * Who holds a subscription: the engine's registry while it lives (until
 * TERMINATED: ending one is always explicit), each transaction and timer
 * working for it, queued reports, and the application.
 */
#ifndef G_LOG_DOMAIN
#define G_LOG_DOMAIN "rtcshim"
#endif

#include <stdlib.h>
#include <string.h>

#include "dialog.h"
#include "event_queue.h"
#include "message.h"
#include "subscription_private.h"

static const char *const state_names[] = { "subscribing", "pending", "active", "terminated" };
/* Index = enum sip_subscription_reason; the RFC 6665 tokens first. */
static const char *const reason_names[] = { "none", "deactivated", "probation", "rejected", "timeout", "giveup",
                                            "noresource", "invariant", "unsubscribed", "gone", "failed", "no-notify" };

const char *sip_subscription_status_name(enum sip_subscription_status state)
{
    return (guint)state < G_N_ELEMENTS(state_names) ? state_names[state] : "unknown";
}

const char *sip_subscription_reason_name(enum sip_subscription_reason reason)
{
    return (guint)reason < G_N_ELEMENTS(reason_names) ? reason_names[reason] : "unknown";
}

enum sip_subscription_reason subscription_reason_from_name(const char *name)
{
    guint i;

    /* Only the RFC 6665 event-reason-values; an unknown one means nothing more. */
    for (i = SIP_SUBSCRIPTION_REASON_DEACTIVATED; name && i <= SIP_SUBSCRIPTION_REASON_INVARIANT; i++)
        if (!g_ascii_strcasecmp(name, reason_names[i]))
            return i;
    return SIP_SUBSCRIPTION_REASON_NONE;
}

const char *subscription_reason_token(enum sip_subscription_reason reason)
{
    if (reason >= SIP_SUBSCRIPTION_REASON_DEACTIVATED && reason <= SIP_SUBSCRIPTION_REASON_INVARIANT)
        return reason_names[reason];
    return "noresource";
}

guint subscription_refresh_delay_s(guint expires)
{
    if (expires > 2 * SUBSCRIPTION_REFRESH_MARGIN_S)
        return expires - SUBSCRIPTION_REFRESH_MARGIN_S;
    return MAX(expires / 2, 1);
}

/* ---- life cycle ---------------------------------------------------------------------------- */

struct sip_subscription *subscription_new(struct sip_engine *engine, gboolean notifier, const char *package,
                                          const char *event_id)
{
    struct sip_subscription *subscription = g_new0(struct sip_subscription, 1);

    subscription->refcount = 1;
    subscription->engine = engine;
    subscription->notifier = notifier;
    subscription->package = g_ascii_strdown(package, -1);
    subscription->event_id = g_strdup(event_id);
    subscription->state = notifier ? SIP_SUBSCRIPTION_PENDING : SIP_SUBSCRIPTION_SUBSCRIBING;
    subscription->forks = g_ptr_array_new();
    g_ptr_array_add(engine->all_subscriptions, subscription);
    return subscription;
}

struct sip_subscription *sip_subscription_ref(struct sip_subscription *subscription)
{
    g_return_val_if_fail(subscription != NULL, NULL);
    g_atomic_int_inc(&subscription->refcount);
    return subscription;
}

void sip_subscription_unref(struct sip_subscription *subscription)
{
    if (!subscription || !g_atomic_int_dec_and_test(&subscription->refcount))
        return;
    if (subscription->engine)
        g_ptr_array_remove_fast(subscription->engine->all_subscriptions, subscription);
    if (subscription->notifier)
        notifier_free(subscription);
    else
        subscriber_free(subscription);
    g_ptr_array_free(subscription->forks, TRUE);
    g_free(subscription->package);
    g_free(subscription->event_id);
    g_free(subscription->key);
    g_free(subscription);
}

/* ---- the registry ------------------------------------------------------------------------------ */

static char *registry_key(const char *call_id, const char *local_tag)
{
    return g_strdup_printf("%s\n%s", call_id ? call_id : "", local_tag ? local_tag : "");
}

void subscription_register(struct sip_subscription *subscription, const char *call_id, const char *local_tag)
{
    subscription_unregister(subscription);
    subscription->key = registry_key(call_id, local_tag);
    g_hash_table_replace(subscription->engine->subscriptions, g_strdup(subscription->key),
                         sip_subscription_ref(subscription));
}

void subscription_unregister(struct sip_subscription *subscription)
{
    char *key = subscription->key;

    if (!key)
        return;
    subscription->key = NULL;
    if (subscription->engine && g_hash_table_lookup(subscription->engine->subscriptions, key) == subscription)
        g_hash_table_remove(subscription->engine->subscriptions, key);     /* may drop the last reference */
    g_free(key);
}

struct sip_subscription *engine_find_subscription(struct sip_engine *engine, const osip_message_t *request)
{
    char *call_id = engine_call_id_string(request->call_id), *key;
    struct sip_subscription *subscription;

    if (!call_id)
        return NULL;
    key = registry_key(call_id, sip_header_tag(request->to));
    subscription = g_hash_table_lookup(engine->subscriptions, key);
    g_free(key);
    g_free(call_id);
    return subscription;
}

void subscription_handle_request(struct sip_subscription *subscription, osip_transaction_t *transaction,
                                 osip_message_t *request)
{
    sip_subscription_ref(subscription);
    if (subscription->notifier)
        notifier_handle_request(subscription, transaction, request);
    else
        subscriber_handle_request(subscription, transaction, request);
    sip_subscription_unref(subscription);
}

void engine_subscriptions_init(struct sip_engine *engine)
{
    engine->subscriptions = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                                  (GDestroyNotify)sip_subscription_unref);
    engine->all_subscriptions = g_ptr_array_new();
    engine->subscription_max_expires = SUBSCRIPTION_DEFAULT_EXPIRES_S;
    engine->subscription_min_expires = SUBSCRIPTION_DEFAULT_MIN_EXPIRES_S;
}

void engine_subscriptions_detach(struct sip_engine *engine)
{
    GPtrArray *all = engine->all_subscriptions;
    guint i;

    /* Detached first (timers cancelled, engine forgotten), so the references
     * the registry and the transactions drop later find nothing to send. */
    for (i = 0; i < all->len; i++)
    {
        struct sip_subscription *subscription = g_ptr_array_index(all, i);

        if (subscription->notifier)
            notifier_detach(subscription);
        else
            subscriber_detach(subscription);
        subscription->engine = NULL;
    }
    g_ptr_array_set_size(all, 0);
    g_hash_table_destroy(engine->subscriptions);
    engine->subscriptions = NULL;
    g_ptr_array_free(all, TRUE);
    engine->all_subscriptions = NULL;
    g_strfreev(engine->subscription_packages);
    engine->subscription_packages = NULL;
}

/* ---- reports ---------------------------------------------------------------------------------- */

struct state_event
{
    struct sip_subscription *subscription;
    enum sip_subscription_status state;
    enum sip_subscription_reason reason;
    guint code;
};

static void state_event_free(void *data)
{
    struct state_event *event = data;

    sip_subscription_unref(event->subscription);
    g_free(event);
}

static void deliver_state(struct sip_engine *engine, void *data)
{
    struct state_event *event = data;

    if (engine->subscription_callbacks.state_changed)
        engine->subscription_callbacks.state_changed(event->subscription, event->state, event->reason, event->code,
                                                     engine->user_data);
}

void subscription_set_state(struct sip_subscription *subscription, enum sip_subscription_status state,
                            enum sip_subscription_reason reason, guint status_code)
{
    struct state_event *event;

    if (subscription->state == state || subscription->state == SIP_SUBSCRIPTION_TERMINATED)
        return;
    subscription->state = state;
    if (state == SIP_SUBSCRIPTION_TERMINATED)
    {
        subscription->reason = reason;
        subscription->status_code = status_code;
    }
    if (subscription->engine)
    {
        event = g_new0(struct state_event, 1);
        event->subscription = sip_subscription_ref(subscription);
        event->state = state;
        event->reason = reason;
        event->code = status_code;
        engine_queue_event(subscription->engine, deliver_state, event, state_event_free);
    }
    if (state == SIP_SUBSCRIPTION_TERMINATED)
        subscription_unregister(subscription);
}

/* ---- timers and sending --------------------------------------------------------------------------- */

struct engine_timer *subscription_timer_start(struct sip_subscription *subscription, guint delay_ms,
                                              engine_timer_func func)
{
    return engine_timer_start(subscription->engine, delay_ms, func, sip_subscription_ref(subscription),
                              (GDestroyNotify)sip_subscription_unref);
}

void subscription_timer_cancel(struct sip_subscription *subscription, struct engine_timer **timer)
{
    struct engine_timer *pending = *timer;

    *timer = NULL;
    if (pending && subscription->engine)
        engine_timer_cancel(subscription->engine, pending);     /* may drop a reference: last */
}

osip_transaction_t *subscription_send_in_dialog(struct sip_subscription *subscription, struct sip_dialog *dialog,
                                                osip_message_t *request, const struct engine_transaction_user *user,
                                                GError **error)
{
    struct sip_next_hop hop;

    if (!sip_dialog_next_hop(dialog, &hop))
    {
        g_set_error(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_UNRESOLVABLE,
                    "cannot reach the peer at \"%s\" (IP addresses only)", hop.host);
        osip_message_free(request);
        return NULL;
    }
    return engine_send_request(subscription->engine, request, &hop, user, sip_subscription_ref(subscription),
                               (GDestroyNotify)sip_subscription_unref, error);
}

/* ---- headers ------------------------------------------------------------------------------------ */

const char *subscription_header(const osip_message_t *message, const char *name, const char *compact)
{
    osip_header_t *header = NULL;

    if (osip_message_header_get_byname(message, name, 0, &header) >= 0 && header && header->hvalue)
        return header->hvalue;
    if (compact && osip_message_header_get_byname(message, compact, 0, &header) >= 0 && header && header->hvalue)
        return header->hvalue;
    return NULL;
}

gboolean subscription_parse_event(const char *value, char **package, char **id)
{
    char **parts, **part;
    gboolean ok;

    *package = NULL;
    *id = NULL;
    if (!value)
        return FALSE;
    parts = g_strsplit(value, ";", -1);
    ok = parts[0] && *g_strstrip(parts[0]);
    if (ok)
        *package = g_ascii_strdown(parts[0], -1);
    for (part = parts + (parts[0] ? 1 : 0); ok && *part; part++)
    {
        char *item = g_strstrip(*part), *equals = strchr(item, '=');

        if (equals && equals - item == 2 && !g_ascii_strncasecmp(item, "id", 2) && !*id)
            *id = g_strdup(g_strstrip(equals + 1));
    }
    g_strfreev(parts);
    return ok;
}

char *subscription_event_value(struct sip_subscription *subscription)
{
    if (subscription->event_id)
        return g_strdup_printf("%s;id=%s", subscription->package, subscription->event_id);
    return g_strdup(subscription->package);
}

gboolean subscription_event_matches(struct sip_subscription *subscription, const char *value)
{
    char *package, *id;
    gboolean matches;

    if (!subscription_parse_event(value, &package, &id))
        return FALSE;
    matches = !strcmp(package, subscription->package) && !g_strcmp0(id, subscription->event_id);
    g_free(package);
    g_free(id);
    return matches;
}

const char *subscription_document_type(const char *package)
{
    if (!g_ascii_strcasecmp(package, "presence"))
        return SIP_PIDF_CONTENT_TYPE;
    if (!g_ascii_strcasecmp(package, "presence.winfo"))
        return SIP_WATCHERINFO_CONTENT_TYPE;
    return NULL;
}

char *subscription_content_type(const osip_message_t *message)
{
    const osip_content_type_t *type = message->content_type;
    char *text, *lower;

    if (!type || !type->type || !type->subtype)
        return NULL;
    text = g_strdup_printf("%s/%s", type->type, type->subtype);
    lower = g_ascii_strdown(text, -1);
    g_free(text);
    return lower;
}

char *engine_allow_events(struct sip_engine *engine)
{
    GString *value = g_string_new(NULL);
    char **package;

    for (package = engine->subscription_packages; package && *package; package++)
        g_string_append_printf(value, "%s, ", *package);
    g_string_append(value, "refer");
    return g_string_free(value, FALSE);
}

/* ---- accessors ------------------------------------------------------------------------------------ */

void sip_engine_set_subscription_callbacks(struct sip_engine *engine, const struct sip_subscription_callbacks *callbacks,
                                           const char *const *packages)
{
    g_return_if_fail(engine != NULL);
    if (callbacks)
        engine->subscription_callbacks = *callbacks;
    else
        memset(&engine->subscription_callbacks, 0, sizeof(engine->subscription_callbacks));
    g_strfreev(engine->subscription_packages);
    engine->subscription_packages = g_strdupv((char **)packages);
}

void sip_engine_set_subscription_expires(struct sip_engine *engine, guint maximum, guint minimum)
{
    g_return_if_fail(engine != NULL);
    engine->subscription_max_expires = maximum ? maximum : SUBSCRIPTION_DEFAULT_EXPIRES_S;
    engine->subscription_min_expires = MIN(minimum, engine->subscription_max_expires);
}

gboolean sip_subscription_is_notifier(struct sip_subscription *subscription)
{
    g_return_val_if_fail(subscription != NULL, FALSE);
    return subscription->notifier;
}

enum sip_subscription_status sip_subscription_get_status(struct sip_subscription *subscription)
{
    g_return_val_if_fail(subscription != NULL, SIP_SUBSCRIPTION_TERMINATED);
    return subscription->state;
}

const char *sip_subscription_get_package(struct sip_subscription *subscription)
{
    g_return_val_if_fail(subscription != NULL, NULL);
    return subscription->package;
}

const char *sip_subscription_get_event_id(struct sip_subscription *subscription)
{
    g_return_val_if_fail(subscription != NULL, NULL);
    return subscription->event_id;
}

const char *sip_subscription_get_resource(struct sip_subscription *subscription)
{
    g_return_val_if_fail(subscription != NULL, NULL);
    return subscription->notifier ? subscription->resource : subscription->target;
}

const char *sip_subscription_get_watcher(struct sip_subscription *subscription)
{
    g_return_val_if_fail(subscription != NULL, NULL);
    return subscription->watcher;
}

const char *sip_subscription_get_watcher_display_name(struct sip_subscription *subscription)
{
    g_return_val_if_fail(subscription != NULL, NULL);
    return subscription->watcher_display_name;
}

guint sip_subscription_get_expires(struct sip_subscription *subscription)
{
    g_return_val_if_fail(subscription != NULL, 0);
    return subscription->expires;
}

guint sip_subscription_get_status_code(struct sip_subscription *subscription)
{
    g_return_val_if_fail(subscription != NULL, 0);
    return subscription->status_code;
}

enum sip_subscription_reason sip_subscription_get_reason(struct sip_subscription *subscription)
{
    g_return_val_if_fail(subscription != NULL, SIP_SUBSCRIPTION_REASON_NONE);
    return subscription->reason;
}

void sip_subscription_set_user_data(struct sip_subscription *subscription, void *user_data)
{
    g_return_if_fail(subscription != NULL);
    subscription->user_data = user_data;
}

void *sip_subscription_get_user_data(struct sip_subscription *subscription)
{
    g_return_val_if_fail(subscription != NULL, NULL);
    return subscription->user_data;
}
