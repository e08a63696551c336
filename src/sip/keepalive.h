/*
 * Keeping a registration's path open through NATs (keepalive.c): CRLF
 * keep-alives on UDP, RFC 5626 §4.4.1 ping/pong on TCP/TLS, and the public
 * address a registrar saw us at (received/rport, RFC 3581). Internal to
 * src/sip/; the interval is set with sip_engine_set_keepalive().
 */
#ifndef RTCSHIM_SIP_KEEPALIVE_H
#define RTCSHIM_SIP_KEEPALIVE_H

#include "engine.h"

G_BEGIN_DECLS

struct keepalive;

/* The flow to the registrar failed (a pong that did not come, a connection
 * gone): the owner registers again. */
typedef void (*keepalive_failed_func)(struct sip_engine *engine, void *data);

/* Starts keep-alives to target (where a REGISTER was answered from: its
 * transport, address and, for a stream, connection). NULL when the
 * interval for that transport is 0. */
struct keepalive *keepalive_start(struct sip_engine *engine, const struct sip_next_hop *target,
                                  keepalive_failed_func failed, void *data);
void keepalive_stop(struct keepalive *keepalive);
/* TRUE if keepalive (may be NULL) already serves target. */
gboolean keepalive_serves(const struct keepalive *keepalive, const struct sip_next_hop *target);

/* transport.c's pong callback (user_data is the engine). */
void keepalive_pong_received(guint connection_id, void *user_data);

/* A 2xx to a REGISTER sent over UDP to target: when its top Via's received
 * and rport show an address other than the one our Contact (as sent) gave,
 * remember it for target (later Contacts to target carry it) and return
 * TRUE: the binding should be refreshed with it. */
gboolean keepalive_learn_public_address(struct sip_engine *engine, const struct sip_next_hop *target,
                                        const osip_message_t *request, const osip_message_t *response);

/* sip_engine_free(): every keep-alive is stopped. */
void keepalive_stop_all(struct sip_engine *engine);

G_END_DECLS

#endif /* RTCSHIM_SIP_KEEPALIVE_H */
