/*
 * Refusing new calls past an overload bound without parsing them (shed.c).
 * Internal to src/sip/.
 */
#ifndef RTCSHIM_SIP_SHED_H
#define RTCSHIM_SIP_SHED_H

#include "engine.h"
#include "transport.h"

G_BEGIN_DECLS

/* A datagram received over UDP. TRUE when it was a new INVITE outside a
 * dialog read while an overload bound is reached (engine_overload_bound),
 * or a copy of one refused so within 64*T1: answered 503 with Retry-After
 * from its own header lines; or the ACK of such a 503, dropped. FALSE
 * (nothing done) for anything else, a copy of an INVITE that was taken
 * among them: parse it as usual. */
gboolean engine_shed_unparsed(struct sip_engine *engine, const char *data, gsize length,
                              const struct sip_transport_peer *peer);

/* A new request outside a dialog, parsed: TRUE if it is a copy of one
 * refused within 64*T1 (engine_shed_remember), to be refused again. */
gboolean engine_shed_refused_before(struct sip_engine *engine, const osip_message_t *request);

/* A new request outside a dialog is refused with 503 after its parse:
 * remembers it (over UDP) for its copies, and returns the To tag of its 503
 * (g_free), the same for every copy (RFC 3261 §8.2.7); NULL where the
 * request has no server transaction key (any tag will do). */
char *engine_shed_remember(struct sip_engine *engine, const osip_message_t *request,
                           const struct sip_transport_peer *peer);

/* sip_engine_free(): forgets the refused requests. */
void engine_shed_memory_free(struct sip_engine *engine);

G_END_DECLS

#endif /* RTCSHIM_SIP_SHED_H */
