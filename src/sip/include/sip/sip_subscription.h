/*
 * Event subscriptions (RFC 6665) as the API layers see them, both roles:
 *
 *  - subscriber: sip_subscribe() sends a SUBSCRIBE outside any dialog and
 *    follows the subscription: every NOTIFY is answered and reported (with
 *    its body parsed for the "presence" and "presence.winfo" packages), the
 *    subscription is refreshed before it expires, and when the notifier ends
 *    it the engine subscribes again where RFC 6665 §4.1.3 lets it
 *    (deactivated, timeout: at once; probation, giveup: after retry-after).
 *    If the SUBSCRIBE forks, every notifier whose NOTIFY arrives gets a
 *    dialog of its own (a "fork", numbered from 0 in the order they came);
 *    each is refreshed and ended on its own;
 *  - notifier: a SUBSCRIBE for a package the layer above serves is checked
 *    (Event, Expires, Accept) and reported; the layer above decides (accept
 *    as active or pending, or reject) and then sends the state and the
 *    documents. Refreshes are answered and followed by a NOTIFY with the
 *    last document, as RFC 6665 §4.2.1.2 wants; the subscription ends with
 *    a terminated NOTIFY when it expires, is unsubscribed or is ended here.
 *
 * What a peer sees is in docs/wire-mapping.md ("Subscriptions"): 489 for a
 * package nobody serves (with Allow-Events), 423 below the minimum expiry,
 * 406 for an Accept without the package's document type, 400 for a NOTIFY
 * without Subscription-State or with a malformed body, 415 for a body of
 * another type, 481 for a subscription that does not exist.
 *
 * Plain C and GLib types only; reports come from the main context through
 * struct sip_subscription_callbacks, never from inside these functions.
 */
#ifndef RTCSHIM_SIP_SUBSCRIPTION_H
#define RTCSHIM_SIP_SUBSCRIPTION_H

#include "sip_engine.h"
#include "sip_presence.h"

G_BEGIN_DECLS

struct sip_subscription;

enum sip_subscription_status
{
    SIP_SUBSCRIPTION_SUBSCRIBING,   /* subscriber: SUBSCRIBE sent, no NOTIFY yet (also when subscribing again) */
    SIP_SUBSCRIPTION_PENDING,       /* the notifier has not authorised it yet */
    SIP_SUBSCRIPTION_ACTIVE,
    SIP_SUBSCRIPTION_TERMINATED,    /* over for good; reported exactly once, last */
};

/* Why a subscription (or one fork of it) ended: the RFC 6665 reasons of the
 * terminated NOTIFY, or what the engine saw. */
enum sip_subscription_reason
{
    SIP_SUBSCRIPTION_REASON_NONE,
    SIP_SUBSCRIPTION_REASON_DEACTIVATED,
    SIP_SUBSCRIPTION_REASON_PROBATION,
    SIP_SUBSCRIPTION_REASON_REJECTED,       /* reason=rejected, or the SUBSCRIBE got 3xx-6xx (status code) */
    SIP_SUBSCRIPTION_REASON_TIMEOUT,        /* reason=timeout, or expired without a refresh */
    SIP_SUBSCRIPTION_REASON_GIVEUP,
    SIP_SUBSCRIPTION_REASON_NORESOURCE,
    SIP_SUBSCRIPTION_REASON_INVARIANT,
    SIP_SUBSCRIPTION_REASON_UNSUBSCRIBED,   /* ended by its subscriber (us, or the peer for a notifier) */
    SIP_SUBSCRIPTION_REASON_GONE,           /* the other side answered 481: it knows no such subscription */
    SIP_SUBSCRIPTION_REASON_FAILED,         /* no answer (408) or transport failure (503) */
    SIP_SUBSCRIPTION_REASON_NO_NOTIFY,      /* accepted, but no NOTIFY within 64*T1 */
};

/* ---- subscriber ------------------------------------------------------------------------------ */

struct sip_subscribe_options
{
    const char *proxy;                  /* outbound proxy (sip_engine.h); NULL = the engine's default, "" = none */
    guint expires;                      /* seconds asked for; 0 = the package's default (3600) */
    const char *event_id;               /* Event: package;id=<event_id>, NULL for none */
    const char *const *headers;         /* extra "Name: value" lines; NULL-terminated, may be NULL */
    gboolean no_resubscribe;            /* TRUE: end instead of subscribing again after deactivated ... */
    gboolean fetch;                     /* a one-time fetch (RFC 6665 §4.4.3): Expires: 0, one NOTIFY,
                                           then TERMINATED (timeout); never subscribes again */
};

/* Subscribes from (a name-addr or URI: our identity) to package events of
 * target (a sip:/sips: URI whose host is an IP literal, the Request-URI and
 * To). Accept is the package's document type for presence (application/pidf+xml)
 * and presence.winfo (application/watcherinfo+xml). Returns a new reference
 * in SIP_SUBSCRIPTION_SUBSCRIBING, or NULL with error. */
struct sip_subscription *sip_subscribe(struct sip_engine *engine, const char *from, const char *target,
                                       const char *package, const struct sip_subscribe_options *options,
                                       GError **error);

/* Ends the subscription: SUBSCRIBE with Expires: 0 in every fork's dialog;
 * TERMINATED (UNSUBSCRIBED) follows once every fork sent its terminated
 * NOTIFY, failed or timed out. A SUBSCRIBE still unanswered is unsubscribed
 * as soon as it is. No-op when already ending or over. */
gboolean sip_subscription_unsubscribe(struct sip_subscription *subscription, GError **error);

/* Refreshes every fork now (a SUBSCRIBE in its dialog): the notifier answers
 * with a NOTIFY carrying the current state (RTC's IRTCBuddy2::Refresh). */
gboolean sip_subscription_refresh(struct sip_subscription *subscription, GError **error);

/* One NOTIFY, valid during the callback only. */
struct sip_subscription_notify
{
    guint fork;                         /* which notifier (fork of the SUBSCRIBE); 0 for the first */
    enum sip_subscription_status state;  /* what its Subscription-State said */
    enum sip_subscription_reason reason;/* with TERMINATED */
    const char *content_type;           /* NULL without a body */
    const char *body;                   /* NUL-terminated for convenience */
    gsize body_length;
    const struct sip_presence_document *presence;       /* "presence" with a body: parsed */
    const struct sip_watcherinfo *watcherinfo;          /* "presence.winfo" with a body: parsed */
};

/* ---- notifier ------------------------------------------------------------------------------- */

/* Answers a reported SUBSCRIBE (only from subscription_received, or before
 * anything was decided): 200 OK, then the first NOTIFY at once, active or
 * pending (pending NOTIFYs carry no body unless one is given). With
 * Expires: 0 in the SUBSCRIBE (a fetch) the NOTIFY says terminated;reason=timeout
 * and the subscription is over. content_type/body may be NULL (no body). */
gboolean sip_subscription_accept(struct sip_subscription *subscription, gboolean active, const char *content_type,
                                 const char *body, gsize body_length, GError **error);
/* Refuses it with a final response (300-699, not 423/489 which the engine
 * itself uses; reason NULL = the standard phrase). */
gboolean sip_subscription_reject(struct sip_subscription *subscription, guint status_code, const char *reason,
                                 GError **error);
/* Sends the current state and document (NOTIFY). Pending -> active
 * authorises it. The engine keeps the document for the NOTIFYs of refreshes.
 * NOTIFYs go one at a time: one given while another is unanswered replaces
 * any waiting one (only the latest state matters). */
gboolean sip_subscription_notify(struct sip_subscription *subscription, gboolean active, const char *content_type,
                                 const char *body, gsize body_length, GError **error);
/* Ends it: NOTIFY terminated;reason=<reason> (rejected, deactivated,
 * probation, giveup, noresource, timeout, invariant), with retry-after when
 * given (> 0) and the document when given. TERMINATED is reported at once;
 * the NOTIFY's answer comes as notify_completed (see
 * sip_subscription_notify_pending()). */
gboolean sip_subscription_terminate(struct sip_subscription *subscription, enum sip_subscription_reason reason,
                                    guint retry_after, const char *content_type, const char *body, gsize body_length,
                                    GError **error);

/* Notifier: a NOTIFY is unanswered or waiting to be sent (also the final
 * one, after TERMINATED): a layer that shuts down waits for it to be FALSE. */
gboolean sip_subscription_notify_pending(struct sip_subscription *subscription);

/* ---- both ---------------------------------------------------------------------------------- */

/* The engine keeps every subscription until it is TERMINATED (or the engine
 * is freed, which detaches it: its functions then fail with
 * SIP_ENGINE_ERROR_DETACHED); ending one is always explicit
 * (unsubscribe, reject, terminate). References only keep the object. */
struct sip_subscription *sip_subscription_ref(struct sip_subscription *subscription);
void sip_subscription_unref(struct sip_subscription *subscription);

gboolean sip_subscription_is_notifier(struct sip_subscription *subscription);
enum sip_subscription_status sip_subscription_get_status(struct sip_subscription *subscription);
const char *sip_subscription_get_package(struct sip_subscription *subscription);
const char *sip_subscription_get_event_id(struct sip_subscription *subscription);   /* NULL when none */
/* Subscriber: the target. Notifier: the resource subscribed to (the SUBSCRIBE's Request-URI). */
const char *sip_subscription_get_resource(struct sip_subscription *subscription);
/* Notifier: the subscriber (From URI) and its display name (NULL when none). */
const char *sip_subscription_get_watcher(struct sip_subscription *subscription);
const char *sip_subscription_get_watcher_display_name(struct sip_subscription *subscription);
/* Seconds the subscription was last granted for (0 for a fetch or before any answer). */
guint sip_subscription_get_expires(struct sip_subscription *subscription);
/* The status code of the SUBSCRIBE's final response that ended it (subscriber), 0 when none. */
guint sip_subscription_get_status_code(struct sip_subscription *subscription);
enum sip_subscription_reason sip_subscription_get_reason(struct sip_subscription *subscription);

void sip_subscription_set_user_data(struct sip_subscription *subscription, void *user_data);
void *sip_subscription_get_user_data(struct sip_subscription *subscription);

const char *sip_subscription_status_name(enum sip_subscription_status state);
const char *sip_subscription_reason_name(enum sip_subscription_reason reason);

/* ---- reports ------------------------------------------------------------------------------------ */

struct sip_subscription_callbacks
{
    /* Notifier: a new SUBSCRIBE for one of the packages given to
     * sip_engine_set_subscription_callbacks(). The engine keeps a reference
     * until it is decided: sip_subscription_ref() it to keep it longer. If
     * the handler returns without accepting or rejecting, the engine
     * accepts it as pending (200 + NOTIFY pending). */
    void (*subscription_received)(struct sip_engine *engine, struct sip_subscription *subscription,
                                  void *user_data);

    /* Either role: the subscription's overall state changed (subscriber:
     * the best state of its forks). status_code is the final response that
     * ended it (REJECTED/FAILED) or 0. TERMINATED comes exactly once, last. */
    void (*state_changed)(struct sip_subscription *subscription, enum sip_subscription_status state,
                          enum sip_subscription_reason reason, guint status_code, void *user_data);

    /* Subscriber: a NOTIFY arrived and was answered 200. */
    void (*notify_received)(struct sip_subscription *subscription, const struct sip_subscription_notify *notify,
                            void *user_data);

    /* Subscriber: one fork ended while the subscription goes on (another
     * fork lives, or it subscribes again). */
    void (*fork_ended)(struct sip_subscription *subscription, guint fork, enum sip_subscription_reason reason,
                       void *user_data);

    /* Notifier: a NOTIFY was answered (status_code; 408/503 when it failed). */
    void (*notify_completed)(struct sip_subscription *subscription, guint status_code, void *user_data);
};

/* Installs the subscription reports (user_data is the engine's) and the
 * packages the layer above serves as a notifier ("presence",
 * "presence.winfo"; NULL-terminated, NULL = none): a SUBSCRIBE for any other
 * package gets 489 Bad Event. */
void sip_engine_set_subscription_callbacks(struct sip_engine *engine, const struct sip_subscription_callbacks *callbacks,
                                           const char *const *packages);

/* Notifier: the longest and shortest subscription granted (defaults 3600
 * and 60 seconds; a shorter request gets 423 with Min-Expires). */
void sip_engine_set_subscription_expires(struct sip_engine *engine, guint maximum, guint minimum);

G_END_DECLS

#endif /* RTCSHIM_SIP_SUBSCRIPTION_H */
