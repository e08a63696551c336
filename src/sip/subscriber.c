/*
 * The subscriber (RFC 6665 §4.1): our SUBSCRIBE outside any dialog, one
 * fork per notifier that answers it with a NOTIFY (§4.1.2.4 and §5.4.9),
 * refreshes in each fork's dialog, the NOTIFYs (checked, answered,
 * reported), subscribing again when a notifier ended it for a reason that
 * allows it (§4.1.3), and unsubscribing. See sip_subscription.h.
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
#include "routing.h"
#include "subscription_private.h"

static gboolean start_subscribing(struct sip_subscription *subscription, GError **error);
static void fork_send_subscribe(struct subscription_fork *fork, guint expires);

/* ---- forks -------------------------------------------------------------------------------------- */

static void fork_cancel_timers(struct subscription_fork *fork)
{
    subscription_timer_cancel(fork->subscription, &fork->refresh_timer);
    subscription_timer_cancel(fork->subscription, &fork->expiry_timer);
}

static void fork_free(gpointer data)
{
    struct subscription_fork *fork = data;

    sip_dialog_free(fork->dialog);
    g_free(fork);
}

static struct subscription_fork *fork_by_tag(struct sip_subscription *subscription, const char *remote_tag)
{
    guint i;

    for (i = 0; remote_tag && i < subscription->forks->len; i++)
    {
        struct subscription_fork *fork = g_ptr_array_index(subscription->forks, i);

        if (!g_strcmp0(fork->dialog->remote_tag, remote_tag))
            return fork;
    }
    return NULL;
}

static struct subscription_fork *fork_by_number(struct sip_subscription *subscription, guint number)
{
    guint i;

    for (i = 0; i < subscription->forks->len; i++)
    {
        struct subscription_fork *fork = g_ptr_array_index(subscription->forks, i);

        if (fork->number == number)
            return fork;
    }
    return NULL;
}

static struct subscription_fork *fork_by_request(struct sip_subscription *subscription, osip_transaction_t *request)
{
    guint i;

    for (i = 0; request && i < subscription->forks->len; i++)
    {
        struct subscription_fork *fork = g_ptr_array_index(subscription->forks, i);

        if (fork->request == request)
            return fork;
    }
    return NULL;
}

static guint live_forks(struct sip_subscription *subscription)
{
    guint i, live = 0;

    for (i = 0; i < subscription->forks->len; i++)
        live += !((struct subscription_fork *)g_ptr_array_index(subscription->forks, i))->ended;
    return live;
}

static struct subscription_fork *fork_add(struct sip_subscription *subscription, struct sip_dialog *dialog)
{
    struct subscription_fork *fork = g_new0(struct subscription_fork, 1);

    fork->number = subscription->next_fork++;
    fork->subscription = subscription;
    fork->dialog = dialog;
    fork->state = SIP_SUBSCRIPTION_SUBSCRIBING;
    g_ptr_array_add(subscription->forks, fork);
    return fork;
}

static void clear_forks(struct sip_subscription *subscription)
{
    while (subscription->forks->len)
    {
        struct subscription_fork *fork = g_ptr_array_steal_index(subscription->forks, subscription->forks->len - 1);

        fork_cancel_timers(fork);
        fork_free(fork);
    }
}

/* The subscription's state is the best of its live forks'. */
static void update_state(struct sip_subscription *subscription)
{
    enum sip_subscription_status best = SIP_SUBSCRIPTION_SUBSCRIBING;
    guint i;

    for (i = 0; i < subscription->forks->len; i++)
    {
        struct subscription_fork *fork = g_ptr_array_index(subscription->forks, i);

        if (fork->ended)
            continue;
        if (fork->state == SIP_SUBSCRIPTION_ACTIVE)
            best = SIP_SUBSCRIPTION_ACTIVE;
        else if (fork->state == SIP_SUBSCRIPTION_PENDING && best != SIP_SUBSCRIPTION_ACTIVE)
            best = SIP_SUBSCRIPTION_PENDING;
    }
    subscription_set_state(subscription, best, SIP_SUBSCRIPTION_REASON_NONE, 0);
}

/* ---- reports ---------------------------------------------------------------------------------- */

struct notify_event
{
    struct sip_subscription *subscription;
    struct sip_subscription_notify notify;
    char *content_type;
    char *body;
    struct sip_presence_document *presence;
    struct sip_watcherinfo *watcherinfo;
};

static void notify_event_free(void *data)
{
    struct notify_event *event = data;

    sip_subscription_unref(event->subscription);
    g_free(event->content_type);
    g_free(event->body);
    sip_presence_document_free(event->presence);
    sip_watcherinfo_free(event->watcherinfo);
    g_free(event);
}

static void deliver_notify(struct sip_engine *engine, void *data)
{
    struct notify_event *event = data;

    event->notify.content_type = event->content_type;
    event->notify.body = event->body;
    event->notify.presence = event->presence;
    event->notify.watcherinfo = event->watcherinfo;
    if (engine->subscription_callbacks.notify_received)
        engine->subscription_callbacks.notify_received(event->subscription, &event->notify, engine->user_data);
}

struct fork_event
{
    struct sip_subscription *subscription;
    guint fork;
    enum sip_subscription_reason reason;
};

static void fork_event_free(void *data)
{
    struct fork_event *event = data;

    sip_subscription_unref(event->subscription);
    g_free(event);
}

static void deliver_fork_ended(struct sip_engine *engine, void *data)
{
    struct fork_event *event = data;

    if (engine->subscription_callbacks.fork_ended)
        engine->subscription_callbacks.fork_ended(event->subscription, event->fork, event->reason, engine->user_data);
}

static void report_fork_ended(struct sip_subscription *subscription, guint number, enum sip_subscription_reason reason)
{
    struct fork_event *event = g_new0(struct fork_event, 1);

    event->subscription = sip_subscription_ref(subscription);
    event->fork = number;
    event->reason = reason;
    engine_queue_event(subscription->engine, deliver_fork_ended, event, fork_event_free);
}

/* ---- the end of a fork, and of the subscription -------------------------------------------------- */

static void retry_due(struct sip_engine *engine, void *data)
{
    struct sip_subscription *subscription = data;
    GError *error = NULL;

    subscription->retry_timer = NULL;
    if (subscription->state == SIP_SUBSCRIPTION_TERMINATED || subscription->unsubscribe_wanted)
        return;
    if (!start_subscribing(subscription, &error))
    {
        g_message("subscription to %s: cannot subscribe again: %s", subscription->target, error->message);
        g_error_free(error);
        subscription_set_state(subscription, SIP_SUBSCRIPTION_TERMINATED, SIP_SUBSCRIPTION_REASON_FAILED, 503);
    }
}

/* Every fork is over: subscribe again where §4.1.3 allows it, else the end. */
static void subscription_over(struct sip_subscription *subscription, enum sip_subscription_reason reason,
                              guint status_code, guint retry_after, const struct subscription_fork *last)
{
    gboolean at_once = reason == SIP_SUBSCRIPTION_REASON_DEACTIVATED || reason == SIP_SUBSCRIPTION_REASON_TIMEOUT
                       || reason == SIP_SUBSCRIPTION_REASON_GONE;
    gboolean later = reason == SIP_SUBSCRIPTION_REASON_PROBATION || reason == SIP_SUBSCRIPTION_REASON_GIVEUP;

    subscription_timer_cancel(subscription, &subscription->notify_wait_timer);
    if (subscription->unsubscribe_wanted)
    {
        subscription_set_state(subscription, SIP_SUBSCRIPTION_TERMINATED, SIP_SUBSCRIPTION_REASON_UNSUBSCRIBED, 0);
        return;
    }
    if (subscription->resubscribe && (at_once || later) && subscription->resubscribes < SUBSCRIPTION_MAX_RESUBSCRIBES)
    {
        subscription->resubscribes++;
        if (last)
            report_fork_ended(subscription, last->number, reason);    /* the subscription goes on */
        subscription_set_state(subscription, SIP_SUBSCRIPTION_SUBSCRIBING, reason, 0);
        subscription_timer_cancel(subscription, &subscription->retry_timer);
        /* Through the loop even "at once": a notifier that keeps deactivating
         * us must not make the engine spin inside one dispatch. */
        subscription->retry_timer = subscription_timer_start(subscription, later ? retry_after * 1000 : 0, retry_due);
        return;
    }
    subscription_set_state(subscription, SIP_SUBSCRIPTION_TERMINATED, reason, status_code);
}

static void fork_end(struct subscription_fork *fork, enum sip_subscription_reason reason, guint retry_after)
{
    struct sip_subscription *subscription = fork->subscription;
    gboolean initial_pending = subscription->initial_transaction != NULL;

    if (fork->ended)
        return;
    fork->ended = TRUE;
    fork_cancel_timers(fork);
    subscription->last_reason = reason;
    subscription->last_retry_after = retry_after;
    if (live_forks(subscription) || initial_pending)
    {
        /* The subscription goes on with the others (or the SUBSCRIBE's answer). */
        report_fork_ended(subscription, fork->number, reason);
        update_state(subscription);
        return;
    }
    subscription_over(subscription, reason, 0, retry_after, fork);
}

static void fork_timers_restart(struct subscription_fork *fork);

static void refresh_due(struct sip_engine *engine, void *data);
static void expiry_due(struct sip_engine *engine, void *data);

/* Timers carry the fork's number: a fork may be gone when one fires. */
struct fork_timer
{
    struct sip_subscription *subscription;
    guint number;
};

static void fork_timer_free(gpointer data)
{
    struct fork_timer *timer = data;

    sip_subscription_unref(timer->subscription);
    g_free(timer);
}

static struct engine_timer *fork_timer_start(struct subscription_fork *fork, guint delay_ms, engine_timer_func func)
{
    struct fork_timer *timer = g_new0(struct fork_timer, 1);

    timer->subscription = sip_subscription_ref(fork->subscription);
    timer->number = fork->number;
    return engine_timer_start(fork->subscription->engine, delay_ms, func, timer, fork_timer_free);
}

static struct subscription_fork *timer_fork(void *data)
{
    struct fork_timer *timer = data;
    struct subscription_fork *fork = fork_by_number(timer->subscription, timer->number);

    return fork && !fork->ended && timer->subscription->engine ? fork : NULL;
}

static void refresh_due(struct sip_engine *engine, void *data)
{
    struct subscription_fork *fork = timer_fork(data);

    if (!fork)
        return;
    fork->refresh_timer = NULL;
    if (!fork->unsubscribing && !fork->request)
        fork_send_subscribe(fork, fork->subscription->requested_expires);
}

static void expiry_due(struct sip_engine *engine, void *data)
{
    struct subscription_fork *fork = timer_fork(data);

    if (!fork)
        return;
    fork->expiry_timer = NULL;
    g_debug("subscription to %s, fork %u: %s", fork->subscription->target, fork->number,
            fork->unsubscribing ? "no final NOTIFY after unsubscribing" : "expired");
    fork_end(fork, fork->unsubscribing ? SIP_SUBSCRIPTION_REASON_UNSUBSCRIBED : SIP_SUBSCRIPTION_REASON_TIMEOUT, 0);
}

static void fork_timers_restart(struct subscription_fork *fork)
{
    fork_cancel_timers(fork);
    if (fork->unsubscribing || fork->subscription->fetch)
        return;
    fork->expiry_timer = fork_timer_start(fork, fork->expires * 1000, expiry_due);
    fork->refresh_timer = fork_timer_start(fork, subscription_refresh_delay_s(fork->expires) * 1000, refresh_due);
}

/* ---- SUBSCRIBE ----------------------------------------------------------------------------------- */

static void add_header_lines(osip_message_t *message, char **lines)
{
    for (; lines && *lines; lines++)
    {
        const char *colon = strchr(*lines, ':');
        char *name = g_strstrip(g_strndup(*lines, colon - *lines)), *value = g_strstrip(g_strdup(colon + 1));

        osip_message_set_header(message, name, value);
        g_free(name);
        g_free(value);
    }
}

/* What every SUBSCRIBE of ours carries besides the dialog's headers. */
static void add_subscribe_headers(struct sip_subscription *subscription, osip_message_t *request, guint expires,
                                  enum sip_transport_protocol protocol, const char *destination)
{
    const char *document_type = subscription_document_type(subscription->package);
    char *event = subscription_event_value(subscription), value[16];

    osip_message_set_header(request, "Event", event);
    g_free(event);
    g_snprintf(value, sizeof(value), "%u", expires);
    osip_message_set_expires(request, value);
    if (document_type)
        osip_message_set_accept(request, document_type);
    osip_message_set_allow(request, SIP_ALLOWED_METHODS);
    engine_add_contact(subscription->engine, request, subscription->contact_user, protocol, destination);
    add_header_lines(request, subscription->headers);
}

static guint response_expires(const osip_message_t *response, guint otherwise)
{
    osip_header_t *header = NULL;

    if (response && osip_message_get_expires(response, 0, &header) >= 0 && header && header->hvalue)
        return (guint)strtoul(header->hvalue, NULL, 10);
    return otherwise;
}

static guint min_expires(const osip_message_t *response)
{
    const char *value = response ? subscription_header(response, "min-expires", NULL) : NULL;

    return value ? (guint)strtoul(value, NULL, 10) : 0;
}

static void notify_wait_due(struct sip_engine *engine, void *data)
{
    struct sip_subscription *subscription = data;
    guint i;

    subscription->notify_wait_timer = NULL;
    if (subscription->state == SIP_SUBSCRIPTION_TERMINATED)
        return;
    g_debug("subscription to %s: accepted, but no NOTIFY came", subscription->target);
    subscription->resubscribe = FALSE;      /* §4.1.2.4: it failed */
    for (i = 0; i < subscription->forks->len; i++)
        ((struct subscription_fork *)g_ptr_array_index(subscription->forks, i))->ended = TRUE;
    clear_forks(subscription);
    subscription_over(subscription, SIP_SUBSCRIPTION_REASON_NO_NOTIFY, 0, 0, NULL);
}

static void fork_send_unsubscribe(struct subscription_fork *fork)
{
    fork->unsubscribe_sent = TRUE;
    fork_send_subscribe(fork, 0);
}

static void fork_unsubscribe(struct subscription_fork *fork)
{
    if (fork->ended || fork->unsubscribing)
        return;
    fork->unsubscribing = TRUE;
    fork_cancel_timers(fork);
    /* The final NOTIFY should follow; if it does not, the fork ends anyway. */
    fork->expiry_timer = fork_timer_start(fork, SIP_TIMER_64T1_MS, expiry_due);
    if (!fork->request)
        fork_send_unsubscribe(fork);
}

static void initial_response(struct sip_engine *engine, osip_transaction_t *transaction,
                             const osip_message_t *response, guint code, void *data)
{
    struct sip_subscription *subscription = data;
    struct subscription_fork *fork;
    const char *tag;
    GError *error = NULL;
    guint i, wanted;

    if (code < 200 || transaction != subscription->initial_transaction || !subscription->engine)
        return;
    subscription->initial_transaction = NULL;
    if (subscription->state == SIP_SUBSCRIPTION_TERMINATED)
        return;
    if (response && code < 300)
    {
        subscription->initial_answered = TRUE;
        subscription->expires = response_expires(response, subscription->requested_expires);
        tag = sip_header_tag(response->to);
        if (tag && !(fork = fork_by_tag(subscription, tag)))
        {
            struct sip_dialog *dialog = sip_dialog_new_uac(subscription->initial, response);

            if (dialog)
            {
                dialog->protocol = subscription->hop.protocol;
                dialog->connection_id = engine_transaction_connection(transaction);
                fork = fork_add(subscription, dialog);
            }
        }
        if (tag && (fork = fork_by_tag(subscription, tag)) && !fork->ended)
        {
            fork->expires = subscription->expires;
            fork_timers_restart(fork);
        }
        for (i = 0; i < subscription->forks->len; i++)
            if (((struct subscription_fork *)g_ptr_array_index(subscription->forks, i))->notified)
                break;
        if (i == subscription->forks->len && !subscription->notify_wait_timer)
            subscription->notify_wait_timer = subscription_timer_start(subscription, SIP_TIMER_64T1_MS, notify_wait_due);
        if (subscription->unsubscribe_wanted)
            for (i = 0; i < subscription->forks->len; i++)
                fork_unsubscribe(g_ptr_array_index(subscription->forks, i));
        /* Every notifier ended it while the SUBSCRIBE was still unanswered. */
        if (subscription->forks->len && !live_forks(subscription))
            subscription_over(subscription, subscription->last_reason, 0, subscription->last_retry_after, NULL);
        return;
    }
    if (response && code == 423 && (wanted = min_expires(response)) > subscription->requested_expires)
    {
        subscription->requested_expires = wanted;
        if (start_subscribing(subscription, &error))
            return;
        g_clear_error(&error);
    }
    /* Refused or unanswered: whatever a fork had is over too. */
    for (i = 0; i < subscription->forks->len; i++)
    {
        fork = g_ptr_array_index(subscription->forks, i);
        fork->ended = TRUE;
        fork_cancel_timers(fork);
    }
    subscription_timer_cancel(subscription, &subscription->notify_wait_timer);
    if (subscription->unsubscribe_wanted)
        subscription_set_state(subscription, SIP_SUBSCRIPTION_TERMINATED, SIP_SUBSCRIPTION_REASON_UNSUBSCRIBED, code);
    else
        subscription_set_state(subscription, SIP_SUBSCRIPTION_TERMINATED,
                               response ? SIP_SUBSCRIPTION_REASON_REJECTED : SIP_SUBSCRIPTION_REASON_FAILED, code);
}

static void initial_replaced(struct sip_engine *engine, osip_transaction_t *old_transaction,
                             osip_transaction_t *replacement, const osip_message_t *request, void *data)
{
    struct sip_subscription *subscription = data;

    if (subscription->initial_transaction != old_transaction)
        return;
    subscription->initial_transaction = replacement;
    subscription->cseq = engine_cseq_number(request);
    osip_message_free(subscription->initial);
    subscription->initial = NULL;
    osip_message_clone(request, &subscription->initial);
}

static const struct engine_transaction_user initial_user = { initial_response, NULL, initial_replaced };

static gboolean send_initial(struct sip_subscription *subscription, GError **error)
{
    struct sip_engine *engine = subscription->engine;
    osip_message_t *request;
    char cseq[64];

    if (!(request = engine_build_request(engine, "SUBSCRIBE", subscription->from, subscription->target, error)))
        return FALSE;
    /* One Call-ID and From tag for every SUBSCRIBE of this attempt. */
    osip_call_id_free(request->call_id);
    request->call_id = NULL;
    osip_message_set_call_id(request, subscription->call_id);
    osip_uri_param_freelist(&request->from->gen_params);
    osip_list_init(&request->from->gen_params);
    osip_from_set_tag(request->from, osip_strdup(subscription->local_tag));
    osip_cseq_free(request->cseq);
    request->cseq = NULL;
    g_snprintf(cseq, sizeof(cseq), "%u SUBSCRIBE", ++subscription->cseq);
    osip_message_set_cseq(request, cseq);
    add_subscribe_headers(subscription, request, subscription->requested_expires, subscription->hop.protocol,
                          subscription->hop.host);
    if (subscription->proxy)
        engine_add_proxy_route(request, subscription->proxy);
    osip_message_free(subscription->initial);
    subscription->initial = NULL;
    osip_message_clone(request, &subscription->initial);
    subscription->initial_transaction = engine_send_request(engine, request, &subscription->hop, &initial_user,
                                                            sip_subscription_ref(subscription),
                                                            (GDestroyNotify)sip_subscription_unref, error);
    return subscription->initial_transaction != NULL;
}

/* A new attempt: a new dialog identity (§4.1.2.1), no forks yet. */
static gboolean start_subscribing(struct sip_subscription *subscription, GError **error)
{
    clear_forks(subscription);
    subscription->initial_answered = FALSE;
    g_free(subscription->call_id);
    g_free(subscription->local_tag);
    subscription->call_id = engine_new_token(subscription->engine);
    subscription->local_tag = engine_new_token(subscription->engine);
    subscription->cseq = 0;
    subscription_register(subscription, subscription->call_id, subscription->local_tag);
    return send_initial(subscription, error);
}

/* ---- refresh and unsubscribe, in a fork's dialog ------------------------------------------------- */

static void fork_response(struct sip_engine *engine, osip_transaction_t *transaction, const osip_message_t *response,
                          guint code, void *data)
{
    struct sip_subscription *subscription = data;
    struct subscription_fork *fork = fork_by_request(subscription, transaction);
    guint wanted;

    if (code < 200 || !fork || !subscription->engine)
        return;
    fork->request = NULL;
    if (fork->ended)
        return;
    if (fork->unsubscribing)
    {
        /* The unsubscribe was asked for while a refresh was in flight: it
         * goes now that the refresh is answered. */
        if (!fork->unsubscribe_sent && response && code < 300)
            fork_send_unsubscribe(fork);
        else if (!response || code >= 300)
            fork_end(fork, SIP_SUBSCRIPTION_REASON_UNSUBSCRIBED, 0);
        return;     /* 2xx to the unsubscribe: the terminated NOTIFY ends it */
    }
    if (response && code < 300)
    {
        fork->expires = subscription->expires = response_expires(response, subscription->requested_expires);
        if (fork->expires)
            fork_timers_restart(fork);
        return;
    }
    if (response && code == 481)
    {
        fork_end(fork, SIP_SUBSCRIPTION_REASON_GONE, 0);
        return;
    }
    if (response && code == 423 && (wanted = min_expires(response)) > subscription->requested_expires)
    {
        subscription->requested_expires = wanted;
        fork_send_subscribe(fork, wanted);
        return;
    }
    /* §4.1.2.2: still valid until it expires; the expiry timer decides. */
    g_debug("subscription to %s, fork %u: refresh answered %u", subscription->target, fork->number, code);
}

static void fork_replaced(struct sip_engine *engine, osip_transaction_t *old_transaction,
                          osip_transaction_t *replacement, const osip_message_t *request, void *data)
{
    struct subscription_fork *fork = fork_by_request(data, old_transaction);
    guint32 cseq = engine_cseq_number(request);

    if (!fork)
        return;
    fork->request = replacement;
    if (cseq > fork->dialog->local_cseq)
        fork->dialog->local_cseq = cseq;
}

static const struct engine_transaction_user fork_user = { fork_response, NULL, fork_replaced };

static void fork_send_subscribe(struct subscription_fork *fork, guint expires)
{
    struct sip_subscription *subscription = fork->subscription;
    struct sip_next_hop hop;
    osip_message_t *request;
    GError *error = NULL;

    if (!(request = sip_dialog_build_request(fork->dialog, "SUBSCRIBE")))
        return;
    sip_dialog_next_hop(fork->dialog, &hop);
    add_subscribe_headers(subscription, request, expires, fork->dialog->protocol, hop.host);
    fork->request = subscription_send_in_dialog(subscription, fork->dialog, request, &fork_user, &error);
    if (!fork->request)
    {
        g_message("subscription to %s, fork %u: SUBSCRIBE not sent: %s", subscription->target, fork->number,
                  error->message);
        g_error_free(error);
        if (fork->unsubscribing)
            fork_end(fork, SIP_SUBSCRIPTION_REASON_UNSUBSCRIBED, 0);
    }
}

/* ---- NOTIFY ------------------------------------------------------------------------------------ */

static void respond(struct sip_engine *engine, osip_transaction_t *transaction, osip_message_t *request, guint code,
                    const char *reason, const char *header_name, const char *header_value)
{
    osip_message_t *response = engine_build_response(engine, request, code, reason, NULL);

    if (!response)
        return;
    if (header_name)
        osip_message_set_header(response, header_name, header_value);
    engine_respond(engine, transaction, response);
}

static struct subscription_fork *fork_from_notify(struct sip_subscription *subscription, osip_transaction_t *transaction,
                                                  const osip_message_t *notify)
{
    struct sip_dialog *dialog = sip_dialog_new_uas(notify, subscription->local_tag);

    if (!dialog)
        return NULL;
    /* We sent the SUBSCRIBE that made it; the NOTIFY's Record-Route is the
     * route set as for a UAS (RFC 6665 §4.4.1). */
    dialog->is_uac = TRUE;
    sip_dialog_set_confirmed(dialog);
    dialog->local_cseq = subscription->cseq;
    dialog->protocol = engine_transaction_protocol(transaction);
    dialog->connection_id = engine_transaction_connection(transaction);
    return fork_add(subscription, dialog);
}

void subscriber_handle_request(struct sip_subscription *subscription, osip_transaction_t *transaction,
                               osip_message_t *request)
{
    struct sip_engine *engine = subscription->engine;
    struct sip_subscription_state substate = { 0 };
    const char *document_type = subscription_document_type(subscription->package);
    struct sip_presence_document *presence = NULL;
    struct sip_watcherinfo *watcherinfo = NULL;
    struct subscription_fork *fork;
    struct notify_event *event;
    osip_body_t *body = NULL;
    osip_message_t *response;
    char *content_type, *allow_events;
    GError *error = NULL;

    if (MSG_IS_OPTIONS(request))
    {
        engine_answer_options(engine, transaction, request);
        return;
    }
    if (!MSG_IS_NOTIFY(request) || subscription->state == SIP_SUBSCRIPTION_TERMINATED)
    {
        engine_respond_simple(engine, transaction, 481, NULL);
        return;
    }
    if (!subscription_event_matches(subscription, subscription_header(request, "event", "o")))
    {
        allow_events = engine_allow_events(engine);
        respond(engine, transaction, request, 489, NULL, "Allow-Events", allow_events);
        g_free(allow_events);
        return;
    }
    if (!sip_subscription_state_parse(subscription_header(request, "subscription-state", NULL), &substate, NULL))
    {
        engine_respond_simple(engine, transaction, 400, "Missing or Bad Subscription-State");
        return;
    }
    if ((fork = fork_by_tag(subscription, sip_header_tag(request->from))))
    {
        if (fork->ended)
        {
            sip_subscription_state_clear(&substate);
            engine_respond_simple(engine, transaction, 481, NULL);
            return;
        }
        if (!sip_dialog_accept_remote_cseq(fork->dialog, request))
        {
            sip_subscription_state_clear(&substate);
            engine_respond_simple(engine, transaction, 500, "CSeq Out of Order");
            return;
        }
    }

    /* The body: the package's document type, well-formed and valid. */
    osip_message_get_body(request, 0, &body);
    content_type = subscription_content_type(request);
    if (body && body->body && body->length && document_type)
    {
        if (g_strcmp0(content_type, document_type))
        {
            respond(engine, transaction, request, 415, NULL, "Accept", document_type);
            goto done;
        }
        if (!strcmp(document_type, SIP_PIDF_CONTENT_TYPE))
            presence = sip_pidf_parse(body->body, body->length, &error);
        else
            watcherinfo = sip_watcherinfo_parse(body->body, body->length, &error);
        if (error)
        {
            g_debug("subscription to %s: NOTIFY body refused: %s", subscription->target, error->message);
            engine_respond_simple(engine, transaction, 400, !strcmp(document_type, SIP_PIDF_CONTENT_TYPE)
                                                            ? "Bad Presence Document" : "Bad Watcherinfo Document");
            g_error_free(error);
            goto done;
        }
    }
    if (!fork && !(fork = fork_from_notify(subscription, transaction, request)))
    {
        engine_respond_simple(engine, transaction, 400, "Missing Contact");
        goto done;
    }

    /* The NOTIFY may have created the dialog: its 200 names our Contact. */
    if ((response = engine_build_response(engine, request, 200, NULL, NULL)))
    {
        engine_add_contact(engine, response, subscription->contact_user, engine_transaction_protocol(transaction),
                           fork->dialog->remote_target ? fork->dialog->remote_target->host : NULL);
        engine_respond(engine, transaction, response);
    }
    sip_dialog_refresh_target(fork->dialog, request);
    fork->notified = TRUE;
    subscription_timer_cancel(subscription, &subscription->notify_wait_timer);

    event = g_new0(struct notify_event, 1);
    event->subscription = sip_subscription_ref(subscription);
    event->notify.fork = fork->number;
    event->notify.state = substate.state == SIP_SUBSTATE_ACTIVE ? SIP_SUBSCRIPTION_ACTIVE
                          : substate.state == SIP_SUBSTATE_TERMINATED ? SIP_SUBSCRIPTION_TERMINATED
                          : SIP_SUBSCRIPTION_PENDING;    /* RFC 6665: an extension state is like pending */
    event->notify.reason = substate.state == SIP_SUBSTATE_TERMINATED ? subscription_reason_from_name(substate.reason)
                                                                     : SIP_SUBSCRIPTION_REASON_NONE;
    if (body && body->body && body->length)
    {
        event->content_type = g_strdup(content_type);
        event->body = g_strndup(body->body, body->length);
        event->notify.body_length = body->length;
    }
    event->presence = presence;
    event->watcherinfo = watcherinfo;
    presence = NULL;
    watcherinfo = NULL;

    if (substate.state == SIP_SUBSTATE_TERMINATED)
    {
        /* The last document first, then the end it announces. */
        engine_queue_event(engine, deliver_notify, event, notify_event_free);
        fork_end(fork, subscription_reason_from_name(substate.reason),
                 substate.retry_after > 0 ? (guint)MIN(substate.retry_after, 3600) : 0);
        goto done;
    }
    fork->state = event->notify.state;
    subscription->resubscribes = 0;
    if (substate.expires >= 0 && !fork->unsubscribing)
    {
        /* The notifier's word on the expiry wins (§4.1.2.3). */
        fork->expires = subscription->expires = (guint)MIN(substate.expires, fork->expires ? fork->expires : G_MAXUINT);
        fork_timers_restart(fork);
    }
    else if (!fork->expiry_timer && !fork->unsubscribing && !subscription->fetch)
    {
        /* A NOTIFY before the 2xx, without expires: what we asked for, until told. */
        fork->expires = subscription->requested_expires;
        fork_timers_restart(fork);
    }
    /* A fetch wants one NOTIFY: a notifier that made it a subscription gets an unsubscribe. */
    if (subscription->unsubscribe_wanted || subscription->fetch)
        fork_unsubscribe(fork);
    /* The state the NOTIFY announces comes before its document: a user sees "active", then what
     * the notifier says. */
    update_state(subscription);
    engine_queue_event(engine, deliver_notify, event, notify_event_free);

done:
    sip_presence_document_free(presence);
    sip_watcherinfo_free(watcherinfo);
    g_free(content_type);
    sip_subscription_state_clear(&substate);
}

/* ---- the API ------------------------------------------------------------------------------------- */

struct sip_subscription *sip_subscribe(struct sip_engine *engine, const char *from, const char *target,
                                       const char *package, const struct sip_subscribe_options *options,
                                       GError **error)
{
    struct sip_subscription *subscription;
    osip_from_t *parsed = NULL;
    osip_uri_t *proxy = NULL, *target_uri = NULL;
    const char *const *line;

    g_return_val_if_fail(engine != NULL, NULL);
    if (!package || !*package || strpbrk(package, " \t;,"))
    {
        g_set_error(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_INVALID_ARGUMENT, "\"%s\" is not an event package",
                    package ? package : "");
        return NULL;
    }
    for (line = options ? options->headers : NULL; line && *line; line++)
        if (!strchr(*line, ':') || **line == ':')
        {
            g_set_error(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_INVALID_ARGUMENT, "not a header line: \"%s\"", *line);
            return NULL;
        }
    if (!from || osip_from_init(&parsed) || osip_from_parse(parsed, from) || !parsed->url)
    {
        osip_from_free(parsed);
        g_set_error(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_INVALID_ARGUMENT, "malformed From \"%s\"",
                    from ? from : "(null)");
        return NULL;
    }
    if (!target || osip_uri_init(&target_uri) || osip_uri_parse(target_uri, target) || !target_uri->host
        || !target_uri->scheme
        || (g_ascii_strcasecmp(target_uri->scheme, "sip") && g_ascii_strcasecmp(target_uri->scheme, "sips")))
    {
        g_set_error(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_INVALID_ARGUMENT, "malformed or non-SIP target \"%s\"",
                    target ? target : "(null)");
        osip_uri_free(target_uri);
        osip_from_free(parsed);
        return NULL;
    }
    if (!engine_pick_proxy(engine, options ? options->proxy : NULL, &proxy, error))
    {
        osip_uri_free(target_uri);
        osip_from_free(parsed);
        return NULL;
    }

    subscription = subscription_new(engine, FALSE, package, options ? options->event_id : NULL);
    subscription->from = g_strdup(from);
    subscription->target = g_strdup(target);
    subscription->contact_user = g_strdup(parsed->url->username);
    subscription->proxy = proxy;
    subscription->requested_expires = options && options->expires ? options->expires : SUBSCRIPTION_DEFAULT_EXPIRES_S;
    subscription->headers = g_strdupv((char **)(options ? options->headers : NULL));
    subscription->resubscribe = !(options && (options->no_resubscribe || options->fetch));
    if ((subscription->fetch = options && options->fetch))
        subscription->requested_expires = 0;
    osip_from_free(parsed);
    if (!engine_hop_for_uri(engine, proxy ? proxy : target_uri, &subscription->hop, error))
    {
        osip_uri_free(target_uri);
        sip_subscription_unref(subscription);
        return NULL;
    }
    osip_uri_free(target_uri);
    if (!start_subscribing(subscription, error))
    {
        subscription_unregister(subscription);
        sip_subscription_unref(subscription);
        return NULL;
    }
    return subscription;
}

static gboolean check_subscriber(struct sip_subscription *subscription, GError **error)
{
    if (!subscription->engine)
    {
        g_set_error(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_DETACHED, "the engine is gone");
        return FALSE;
    }
    if (subscription->notifier)
    {
        g_set_error(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_WRONG_STATE, "not a subscriber's subscription");
        return FALSE;
    }
    return TRUE;
}

gboolean sip_subscription_unsubscribe(struct sip_subscription *subscription, GError **error)
{
    guint i;

    g_return_val_if_fail(subscription != NULL, FALSE);
    if (!check_subscriber(subscription, error))
        return FALSE;
    if (subscription->state == SIP_SUBSCRIPTION_TERMINATED || subscription->unsubscribe_wanted)
        return TRUE;
    subscription->unsubscribe_wanted = TRUE;
    subscription_timer_cancel(subscription, &subscription->retry_timer);
    sip_subscription_ref(subscription);
    for (i = 0; i < subscription->forks->len; i++)
        fork_unsubscribe(g_ptr_array_index(subscription->forks, i));
    if (!live_forks(subscription) && !subscription->initial_transaction)
        subscription_over(subscription, SIP_SUBSCRIPTION_REASON_UNSUBSCRIBED, 0, 0, NULL);
    sip_subscription_unref(subscription);
    return TRUE;
}

gboolean sip_subscription_refresh(struct sip_subscription *subscription, GError **error)
{
    guint i;

    g_return_val_if_fail(subscription != NULL, FALSE);
    if (!check_subscriber(subscription, error))
        return FALSE;
    if (subscription->state == SIP_SUBSCRIPTION_TERMINATED || subscription->unsubscribe_wanted)
    {
        g_set_error(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_WRONG_STATE, "the subscription is ending");
        return FALSE;
    }
    for (i = 0; i < subscription->forks->len; i++)
    {
        struct subscription_fork *fork = g_ptr_array_index(subscription->forks, i);

        if (!fork->ended && !fork->unsubscribing && !fork->request)
            fork_send_subscribe(fork, subscription->requested_expires);
    }
    return TRUE;
}

/* ---- life cycle ------------------------------------------------------------------------------------ */

void subscriber_detach(struct sip_subscription *subscription)
{
    guint i;

    for (i = 0; i < subscription->forks->len; i++)
    {
        struct subscription_fork *fork = g_ptr_array_index(subscription->forks, i);

        fork_cancel_timers(fork);
        fork->request = NULL;
    }
    subscription_timer_cancel(subscription, &subscription->notify_wait_timer);
    subscription_timer_cancel(subscription, &subscription->retry_timer);
    subscription->initial_transaction = NULL;
    g_free(subscription->key);      /* the registry goes with the engine */
    subscription->key = NULL;
}

void subscriber_free(struct sip_subscription *subscription)
{
    while (subscription->forks->len)
        fork_free(g_ptr_array_steal_index(subscription->forks, subscription->forks->len - 1));
    g_free(subscription->from);
    g_free(subscription->target);
    g_free(subscription->contact_user);
    osip_uri_free(subscription->proxy);
    g_strfreev(subscription->headers);
    g_free(subscription->call_id);
    g_free(subscription->local_tag);
    osip_message_free(subscription->initial);
}
