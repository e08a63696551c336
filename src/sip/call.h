/*
 * The INVITE session's side that faces the engine: what dispatch.c calls
 * when a message for a call arrives. The API side is sip_call.h, the
 * inside call_private.h.
 *
 * Internal to src/sip/ (libosip2 types). Every function is called from the
 * engine's receive or FSM path, never from an API call.
 */
#ifndef RTCSHIM_SIP_CALL_INTERNAL_H
#define RTCSHIM_SIP_CALL_INTERNAL_H

#include <sys/time.h>     /* libosip2's headers need struct timeval first */
#include <osip2/osip.h>

#include "sip/sip_call.h"

struct sip_transport_peer;

G_BEGIN_DECLS

/* A new INVITE (no To tag) in server transaction ist. */
void call_handle_invite(struct sip_engine *engine, osip_transaction_t *ist, osip_message_t *invite);
/* A request with a To tag in a call's dialog (re-INVITE, BYE, INFO, ...). */
void call_handle_request(struct sip_call *call, osip_transaction_t *transaction, osip_message_t *request);
/* A BYE in the call's confirmed dialog from peer, answered at once without
 * a server transaction (nothing waits for a decision, and libosip2's
 * transaction is a 15 KB block per BYE); FALSE, nothing done, for anything
 * unusual, left to a transaction and call_handle_request. */
gboolean call_handle_bye_at_once(struct sip_call *call, osip_message_t *bye, const struct sip_transport_peer *peer);
/* A CANCEL matched the call's pending INVITE; the CANCEL got its 200. */
void call_handle_cancel(struct sip_call *call, osip_transaction_t *invite_transaction);
/* TRUE when transaction is the call's re-INVITE from the peer that waits for a decision. */
gboolean call_offer_is(struct sip_call *call, osip_transaction_t *transaction);
/* An ACK for a 2xx (no transaction matches it). */
void call_handle_ack(struct sip_call *call, osip_message_t *ack);
/* An INVITE 2xx that no transaction matched: a retransmission or a fork. */
void call_handle_stray_2xx(struct sip_call *call, osip_message_t *response);
/* The same for an ended outgoing call that was retired (call_retired.c);
 * a 2xx for no such call is dropped. */
void call_retired_handle_2xx(struct sip_engine *engine, const osip_message_t *response);
/* An INVITE without To tag that repeats the call's first one after our 2xx
 * ended its transaction: send the 2xx again. */
void call_handle_invite_again(struct sip_call *call, osip_message_t *invite);
/* The engine is going away: cancel timers, forget transactions, unregister. */
void call_detach(struct sip_call *call);

/* ---- for the transfer code (refer.c) ---- */

struct sip_refer;
struct sip_dialog;
struct engine_transaction_user;

/* The call's confirmed dialog, or NULL. */
struct sip_dialog *call_confirmed_dialog(struct sip_call *call);
/* Adds our Contact for the call's dialog to a request or response. */
void call_add_contact(struct sip_call *call, osip_message_t *message);
/* Sends a request the call's dialog built (see engine_send_request). */
osip_transaction_t *call_send_request(struct sip_call *call, osip_message_t *request,
                                      const struct engine_transaction_user *user, void *data,
                                      GDestroyNotify destroy, GError **error);
/* Refers living in the call's dialog, not referenced: the refer adds and
 * removes itself; the call tells them when it ends. */
void call_add_refer(struct sip_call *call, struct sip_refer *refer);
void call_remove_refer(struct sip_call *call, struct sip_refer *refer);
/* A request of the dialog went out again with CSeq cseq (credentials):
 * the dialog's next request must use a higher one. */
void call_note_cseq(struct sip_call *call, guint32 cseq);
/* Those refers (may be NULL). */
GPtrArray *call_refers(struct sip_call *call);

G_END_DECLS

#endif /* RTCSHIM_SIP_CALL_INTERNAL_H */
