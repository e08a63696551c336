/*
 * What a parsed message does (dispatch.c): the request checks, matching to
 * a transaction or a call, and the transaction user of requests no call
 * takes. Internal to src/sip/.
 */
#ifndef RTCSHIM_SIP_DISPATCH_H
#define RTCSHIM_SIP_DISPATCH_H

#include "engine.h"

G_BEGIN_DECLS

/* A parsed request from peer; raw_body_length is the body's length on the
 * wire (for the Content-Length check). Takes the request. */
void engine_handle_request(struct sip_engine *engine, osip_message_t *request, const struct sip_transport_peer *peer,
                           gsize raw_body_length);

/* Which overload bound (sip_engine_limits) a new request outside a dialog,
 * an INVITE or not, read from peer would hit: a short name, or NULL when it
 * can be taken. */
const char *engine_overload_bound(const struct sip_engine *engine, gboolean invite,
                                  const struct sip_transport_peer *peer);

/* Every message read (before engine_overload_bound): whether it was read
 * late, which starts or ends the time the engine has been behind. */
void engine_note_backlog(struct sip_engine *engine, const struct sip_transport_peer *peer);

/* Tests and the fuzzer: the engine has been behind on its socket for ms
 * already, as if it had read a message late that long ago. */
void engine_set_behind_for(struct sip_engine *engine, guint ms);

/* A parsed response. Takes the response. */
void engine_handle_response(struct sip_engine *engine, osip_message_t *response);

/* A new server transaction's request (libosip2's callback): answered with
 * the verdict of the checks if it has a code, else given to its user. */
void engine_dispatch_request(struct sip_engine *engine, osip_transaction_t *transaction, osip_message_t *request,
                             const struct sip_request_verdict *verdict);

/* Answers OPTIONS 200 with Allow, Accept and Supported. */
void engine_answer_options(struct sip_engine *engine, osip_transaction_t *transaction, osip_message_t *request);

G_END_DECLS

#endif /* RTCSHIM_SIP_DISPATCH_H */
