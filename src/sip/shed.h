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

/* sip_engine_free(): forgets the refused INVITEs. */
void engine_shed_memory_free(struct sip_engine *engine);

G_END_DECLS

#endif /* RTCSHIM_SIP_SHED_H */
