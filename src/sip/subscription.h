/*
 * Subscriptions (RFC 6665) as the engine's receive path sees them
 * (subscription.c, subscriber.c, notifier.c). The API side is
 * sip_subscription.h. Internal to src/sip/ (libosip2 types).
 */
#ifndef RTCSHIM_SIP_SUBSCRIPTION_INTERNAL_H
#define RTCSHIM_SIP_SUBSCRIPTION_INTERNAL_H

#include <sys/time.h>     /* libosip2's headers need struct timeval first */
#include <osip2/osip.h>

#include "sip/sip_subscription.h"

G_BEGIN_DECLS

/* A SUBSCRIBE outside any dialog (no To tag): checked, then reported to the
 * layer above, or answered 489/423/406/400. */
void subscription_handle_subscribe(struct sip_engine *engine, osip_transaction_t *transaction,
                                   osip_message_t *request);

/* The subscription a request with a To tag belongs to (Call-ID and our tag),
 * not referenced; NULL when none. */
struct sip_subscription *engine_find_subscription(struct sip_engine *engine, const osip_message_t *request);

/* A NOTIFY or SUBSCRIBE for that subscription (other methods get 481). */
void subscription_handle_request(struct sip_subscription *subscription, osip_transaction_t *transaction,
                                 osip_message_t *request);

/* The Allow-Events value: every package served, and refer. g_free. */
char *engine_allow_events(struct sip_engine *engine);

/* sip_engine_new() / sip_engine_free(): the registry, and every subscription detached. */
void engine_subscriptions_init(struct sip_engine *engine);
void engine_subscriptions_detach(struct sip_engine *engine);

G_END_DECLS

#endif /* RTCSHIM_SIP_SUBSCRIPTION_INTERNAL_H */
