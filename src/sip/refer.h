/*
 * The transfer code's side that faces calls and the engine (internal; the
 * API is sip_refer.h). Called from call.c for REFER and NOTIFY in a dialog
 * and when the dialog's call ends.
 */
#ifndef RTCSHIM_SIP_REFER_INTERNAL_H
#define RTCSHIM_SIP_REFER_INTERNAL_H

#include <sys/time.h>     /* libosip2's headers need struct timeval first */
#include <osip2/osip.h>

#include "sip/sip_refer.h"

G_BEGIN_DECLS

/* Defaults: how long an incoming REFER waits for a decision (then 603),
 * how long its final response may wait for it (then 202, and the decision
 * goes in a NOTIFY), and the implicit subscription we grant (s). */
#define SIP_REFER_DEFAULT_DECISION_TIMEOUT_MS 30000
#define SIP_REFER_DEFAULT_RESPONSE_BOUND_MS 4000
#define SIP_REFER_DEFAULT_EXPIRES_S 120

/* A REFER in the call's dialog (checked here: 400/603 or a decision). */
void refer_handle_request(struct sip_call *call, osip_transaction_t *transaction, osip_message_t *request);
/* A NOTIFY in the call's dialog: routed to the outgoing refer it reports on. */
void refer_handle_notify(struct sip_call *call, osip_transaction_t *transaction, osip_message_t *request);
/* A SUBSCRIBE in the call's dialog: refreshes an incoming refer's subscription. */
void refer_handle_subscribe(struct sip_call *call, osip_transaction_t *transaction, osip_message_t *request);
/* The call is ending. can_send: the dialog still carries requests (we are
 * the one ending it), so an accepted incoming refer sends its terminated
 * NOTIFY now, before the BYE. */
void refer_call_ending(struct sip_refer *refer, gboolean can_send);

G_END_DECLS

#endif /* RTCSHIM_SIP_REFER_INTERNAL_H */
