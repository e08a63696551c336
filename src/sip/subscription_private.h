/*
 * Inside a subscription (RFC 6665): the object both roles share and what
 * their files share. Internal to the subscription family:
 *
 *   subscription.c   the object: life cycle, the engine's registry, reports,
 *                    Event / Subscription-State / body helpers, accessors
 *   subscriber.c     our SUBSCRIBEs: forks, NOTIFYs received, refresh,
 *                    subscribing again, unsubscribe
 *   notifier.c       SUBSCRIBEs received: checks, the decision, NOTIFYs sent,
 *                    refresh, expiry, termination
 *
 * The engine sees subscription.h, the API layers sip_subscription.h.
 */
#ifndef RTCSHIM_SIP_SUBSCRIPTION_PRIVATE_H
#define RTCSHIM_SIP_SUBSCRIPTION_PRIVATE_H

#include "engine.h"
#include "sipfrag.h"
#include "subscription.h"
#include "timer_source.h"
#include "transaction.h"

G_BEGIN_DECLS

/* Refresh this long before expiry, or at half the time when that is shorter. */
#define SUBSCRIPTION_REFRESH_MARGIN_S 32
#define SUBSCRIPTION_DEFAULT_EXPIRES_S 3600     /* RFC 3856 and 3857's default */
#define SUBSCRIPTION_DEFAULT_MIN_EXPIRES_S 60
/* Subscribing again after deactivated/probation/... stops after this many
 * attempts in a row that never became active or pending. */
#define SUBSCRIPTION_MAX_RESUBSCRIBES 3

/* One dialog of a subscriber's subscription: the SUBSCRIBE may fork, and
 * every notifier that NOTIFYs gets a fork. */
struct subscription_fork
{
    guint number;
    struct sip_subscription *subscription;  /* not referenced: the fork lives in its array */
    struct sip_dialog *dialog;
    enum sip_subscription_status state;      /* SUBSCRIBING until its first NOTIFY */
    guint expires;                          /* granted, seconds */
    struct engine_timer *refresh_timer;
    struct engine_timer *expiry_timer;      /* lapses without refresh; bounds an unsubscribe */
    osip_transaction_t *request;            /* the refresh or unsubscribe in flight */
    gboolean notified;                      /* a NOTIFY arrived */
    gboolean unsubscribing;
    gboolean unsubscribe_sent;              /* the SUBSCRIBE with Expires 0 went (not only asked for) */
    gboolean ended;
};

/* A NOTIFY waiting for the one in flight (notifier). */
struct queued_notify
{
    enum sip_subscription_status state;
    enum sip_subscription_reason reason;    /* with TERMINATED */
    guint retry_after;
    char *content_type;
    GBytes *body;                           /* NULL: no body */
};

struct sip_subscription
{
    gint refcount;
    struct sip_engine *engine;              /* NULL once detached */
    gboolean notifier;
    char *package;
    char *event_id;                         /* NULL when none */
    void *user_data;
    enum sip_subscription_status state;      /* overall, as last reported */
    enum sip_subscription_reason reason;    /* why it ended */
    guint status_code;                      /* the final response that ended it */
    char *key;                              /* in engine->subscriptions while registered */
    guint expires;                          /* last granted */

    /* subscriber */
    char *from;                             /* as given */
    char *target;                           /* Request-URI and To */
    char *contact_user;
    osip_uri_t *proxy;                      /* NULL = direct */
    struct sip_next_hop hop;
    guint requested_expires;
    char **headers;                         /* extra "Name: value" lines */
    gboolean resubscribe;                   /* subscribe again after deactivated ... */
    guint resubscribes;                     /* attempts in a row that never got a NOTIFY */
    char *call_id;
    char *local_tag;
    guint32 cseq;                           /* of the last out-of-dialog SUBSCRIBE */
    osip_message_t *initial;                /* that SUBSCRIBE as sent */
    osip_transaction_t *initial_transaction;
    gboolean initial_answered;              /* its final 2xx came */
    GPtrArray *forks;                       /* struct subscription_fork * */
    guint next_fork;
    struct engine_timer *notify_wait_timer; /* a 2xx came but no NOTIFY yet */
    struct engine_timer *retry_timer;       /* subscribing again later */
    gboolean unsubscribe_wanted;
    enum sip_subscription_reason last_reason;   /* why the last fork ended */
    guint last_retry_after;

    /* notifier */
    char *resource;
    char *watcher;
    char *watcher_display_name;
    char *accept_type;                      /* the document type NOTIFYs carry */
    struct sip_dialog *dialog;
    osip_transaction_t *server;             /* the SUBSCRIBE, until decided */
    osip_message_t *subscribe;              /* the first SUBSCRIBE, until decided */
    gboolean decided;
    gboolean fetch;                         /* Expires: 0 on the (first) SUBSCRIBE: a fetch */
    gint64 expiry_deadline;                 /* monotonic us */
    struct engine_timer *expiry_timer;
    osip_transaction_t *notify;             /* the NOTIFY in flight */
    struct queued_notify *next_notify;
    gboolean final_notify;                  /* the terminated NOTIFY went (or waits) */
    gboolean active;                        /* authorised */
    char *content_type;                     /* the last document, for refreshes */
    GBytes *body;
};

/* ---- subscription.c: shared ---- */

struct sip_subscription *subscription_new(struct sip_engine *engine, gboolean notifier, const char *package,
                                          const char *event_id);
/* Files it in the engine's registry under "Call-ID\nlocal tag" (a reference). */
void subscription_register(struct sip_subscription *subscription, const char *call_id, const char *local_tag);
void subscription_unregister(struct sip_subscription *subscription);
/* Changes the overall state and queues state_changed; TERMINATED also
 * unregisters. No report when nothing changed. */
void subscription_set_state(struct sip_subscription *subscription, enum sip_subscription_status state,
                            enum sip_subscription_reason reason, guint status_code);
struct engine_timer *subscription_timer_start(struct sip_subscription *subscription, guint delay_ms,
                                              engine_timer_func func);
void subscription_timer_cancel(struct sip_subscription *subscription, struct engine_timer **timer);
/* Sends a request a dialog built (engine_send_request to its next hop). */
osip_transaction_t *subscription_send_in_dialog(struct sip_subscription *subscription, struct sip_dialog *dialog,
                                                osip_message_t *request, const struct engine_transaction_user *user,
                                                GError **error);
/* The first header called name (or its compact form), NULL when none. */
const char *subscription_header(const osip_message_t *message, const char *name, const char *compact);
/* Parses an Event header value: the package (lower-cased, g_free) and its id (g_free, NULL). */
gboolean subscription_parse_event(const char *value, char **package, char **id);
/* The Event value of this subscription: "presence" or "presence;id=x"; g_free. */
char *subscription_event_value(struct sip_subscription *subscription);
/* TRUE when an Event value names this subscription's package and id. */
gboolean subscription_event_matches(struct sip_subscription *subscription, const char *value);
/* The document type of a package (NULL for a package rtcshim does not know). */
const char *subscription_document_type(const char *package);
/* "type/subtype" of the message's Content-Type, lower-cased, NULL without one; g_free. */
char *subscription_content_type(const osip_message_t *message);
enum sip_subscription_reason subscription_reason_from_name(const char *name);
const char *subscription_reason_token(enum sip_subscription_reason reason);
guint subscription_refresh_delay_s(guint expires);

/* ---- subscriber.c ---- */

void subscriber_handle_request(struct sip_subscription *subscription, osip_transaction_t *transaction,
                               osip_message_t *request);
void subscriber_detach(struct sip_subscription *subscription);
void subscriber_free(struct sip_subscription *subscription);

/* ---- notifier.c ---- */

void notifier_handle_request(struct sip_subscription *subscription, osip_transaction_t *transaction,
                             osip_message_t *request);
void notifier_detach(struct sip_subscription *subscription);
void notifier_free(struct sip_subscription *subscription);
/* subscription_received was delivered: accept as pending when nobody decided. */
void notifier_after_report(struct sip_subscription *subscription);

G_END_DECLS

#endif /* RTCSHIM_SIP_SUBSCRIPTION_PRIVATE_H */
