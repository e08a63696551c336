/*
 * The transaction layer (transaction.c), as its users see it: call.c,
 * refer.c, register.c, pager.c and dispatch.c send requests and responses
 * through libosip2 transactions and hear back through a
 * struct engine_transaction_user. Internal to src/sip/.
 */
#ifndef RTCSHIM_SIP_TRANSACTION_H
#define RTCSHIM_SIP_TRANSACTION_H

#include "engine.h"
#include "transport.h"

G_BEGIN_DECLS

/* A client transaction's user. response is called for every response
 * (status_code = its code) and once with response NULL on a timeout (408)
 * or a transport failure (503); the message belongs to the transaction.
 * terminated is called when libosip2 kills the transaction; after it,
 * the transaction pointer is dead. Both optional. */
struct engine_transaction_user
{
    void (*response)(struct sip_engine *engine, osip_transaction_t *transaction,
                     const osip_message_t *response, guint status_code, void *data);
    void (*terminated)(struct sip_engine *engine, osip_transaction_t *transaction, void *data);
    /* The request got 401/407 and went out again with credentials as
     * request (new CSeq and branch) in transaction replacement, which now
     * has this user and data; the old transaction reports nothing more. */
    void (*replaced)(struct sip_engine *engine, osip_transaction_t *old_transaction,
                     osip_transaction_t *replacement, const osip_message_t *request, void *data);
};

/* Sends request (adopted) in a new client transaction to hop. Adds a Via
 * unless the request has one (CANCEL copies the INVITE's). user/data get
 * the responses; destroy releases data when the transaction is freed.
 * Returns the transaction (valid until user->terminated) or NULL with error
 * (request and data released). A hop named by a host name is resolved
 * first (RFC 3263): the request goes when the answer comes, and to the
 * next target when one fails (a new transaction: user->replaced); our
 * Via and Contact are made for the target it goes to. */
osip_transaction_t *engine_send_request(struct sip_engine *engine, osip_message_t *request,
                                        const struct sip_next_hop *hop,
                                        const struct engine_transaction_user *user, void *data,
                                        GDestroyNotify destroy, GError **error);

/* Sends response (adopted) through server transaction. */
void engine_respond(struct sip_engine *engine, osip_transaction_t *transaction, osip_message_t *response);

/* Builds and sends a body-less response to the transaction's request. */
void engine_respond_simple(struct sip_engine *engine, osip_transaction_t *transaction, guint code,
                           const char *reason);

/* RFC 6026 §7.1: an initial INVITE's server transaction stays "Accepted"
 * for 64*T1 after its 2xx, absorbing copies of the INVITE. Ours ends with
 * the 2xx (the call resends it); this keeps a record of it that absorbs a
 * copy coming after the call has gone, which would otherwise be taken as a
 * new call (UDP only: nothing is resent over a reliable transport). */
void engine_remember_accepted_invite(struct sip_engine *engine, osip_transaction_t *server);

/* A non-INVITE request from peer answered with its final response at once,
 * with no server transaction: response (adopted) is sent, and kept for
 * copies of the request as long as the finished transaction would have
 * kept it (timer J). For requests the engine answers as it reads them. */
void engine_respond_at_once(struct sip_engine *engine, const osip_message_t *request, osip_message_t *response,
                            const struct sip_transport_peer *peer);

/* Gives up on a transaction libosip2 would keep forever (an INVITE client
 * transaction that never gets a final response after CANCEL): it is
 * killed as if by its FSM (user->terminated runs) and freed. */
void engine_abandon_transaction(struct sip_engine *engine, osip_transaction_t *transaction);

/* Makes the server transaction's user: terminated is called when it is
 * killed (see struct engine_transaction_user). */
void engine_set_transaction_user(osip_transaction_t *transaction, const struct engine_transaction_user *user,
                                 void *data, GDestroyNotify destroy);

/* The transport and connection a transaction uses. */
enum sip_transport_protocol engine_transaction_protocol(osip_transaction_t *transaction);
guint engine_transaction_connection(osip_transaction_t *transaction);

/* Where a client transaction's request went (its current target): protocol,
 * IP, port, connection, and the name it was resolved from. FALSE while the
 * name is still being resolved (nothing sent yet). */
gboolean engine_transaction_hop(osip_transaction_t *transaction, struct sip_next_hop *hop);

/* Why a client transaction's failure (response NULL, or the engine's 408/503)
 * had no server behind it; SIP_DELIVERY_OK when a server answered. */
enum sip_delivery_failure engine_transaction_failure(osip_transaction_t *transaction);

/* Runs the transactions that have events, frees the killed ones. */
void engine_run(struct sip_engine *engine);

G_END_DECLS

#endif /* RTCSHIM_SIP_TRANSACTION_H */
