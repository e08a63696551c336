/*
 * The transaction layer's inside, shared by the files of the engine's core:
 * transaction.c (life cycle, sending, libosip2's callbacks),
 * transaction_timers.c (FSM timers, retired transactions), digest_retry.c
 * (a challenged request sent again), timer_source.c and dispatch.c (the
 * receive path). Transaction users see transaction.h only.
 */
#ifndef RTCSHIM_SIP_TRANSACTION_PRIVATE_H
#define RTCSHIM_SIP_TRANSACTION_PRIVATE_H

#include "engine.h"
#include "resolver.h"
#include "transaction.h"

G_BEGIN_DECLS

/* What the engine keeps per libosip2 transaction (its "your_instance"). */
struct transaction_context
{
    struct sip_engine *engine;
    enum sip_transport_protocol protocol;
    guint connection_id;
    const struct engine_transaction_user *user;
    void *data;
    GDestroyNotify destroy;
    char *key;                          /* in server_/client_transactions, or NULL */
    gboolean queued;                    /* in engine->ready */
    gint64 deadline;                    /* next FSM timer, monotonic us (-1: none) */
    guint64 timer_order;                /* keeps equal deadlines in order */
    GSequenceIter *timer_iter;          /* in engine->transaction_timers */
    gboolean dead;                      /* killed, awaiting free */
    gboolean final_reported;            /* client: a final outcome went to the user */
    guint auth_attempts;                /* client: times the request was re-sent with credentials */
    GPtrArray *answered_realms;         /* client: realms already answered (char *) */
    struct sip_request_verdict verdict; /* server: answer this instead of dispatching */
    gboolean awaiting_ack;              /* server: our 3xx-6xx to an INVITE went out, no ACK yet */

    /* client: where the request goes (targets.c) */
    GArray *targets;                    /* struct sip_target in RFC 3263 order; NULL: the hop as given */
    guint target;                       /* the one in use */
    char *server_name;                  /* the hop's host name: TLS identity (RFC 5922); NULL for an IP */
    struct sip_resolve_query *resolving;/* the name is being looked up: nothing sent yet */
    osip_message_t *pending;            /* the request while resolving (libosip2 takes it when it goes) */
    enum sip_delivery_failure failure;  /* why no server answered, with the 408/503 reported */
    gboolean certificate_refused;       /* a target's TLS certificate was refused */
    osip_transaction_t *successor;      /* the transaction the request moved on to (fail-over) */
};

static inline struct transaction_context *context_of(osip_transaction_t *transaction)
{
    return osip_transaction_get_your_instance(transaction);
}

/* ---- transaction.c ---- */

/* A new transaction of type for request (not sent yet), filed under its
 * key; NULL if libosip2 refuses it. */
osip_transaction_t *transaction_new(struct sip_engine *engine, osip_fsm_type_t type, osip_message_t *request,
                                    enum sip_transport_protocol protocol, guint connection_id);
/* Queues an event for the transaction's FSM (engine_run() runs it). */
void transaction_add_event(struct sip_engine *engine, osip_transaction_t *transaction, osip_event_t *event);
/* Ends a transaction as libosip2's kill callback does: its user hears
 * terminated, it is freed after the FSM run. */
void transaction_kill(struct sip_engine *engine, osip_transaction_t *transaction);
/* The server transaction key of a request (§17.2.3; an ACK maps to its
 * INVITE), g_free; NULL if it has none. */
char *transaction_server_key(const osip_message_t *request);
/* The same from the parts of a top Via with an RFC 3261 branch (magic
 * cookie); port NULL when the Via names none. */
char *transaction_server_key_of_branch(const char *branch, const char *host, const char *port, const char *method);
/* The client transaction key of our request or of a response to it
 * (§17.1.3), g_free; NULL without an RFC 3261 branch. */
char *transaction_client_key(const osip_message_t *message);

/* The receive path (dispatch.c): */
osip_transaction_t *transaction_find_server(struct sip_engine *engine, osip_message_t *request);
osip_transaction_t *transaction_find_client(struct sip_engine *engine, osip_message_t *response);
/* The INVITE server transaction a CANCEL names (§9.2), or NULL. */
osip_transaction_t *transaction_find_cancelled_invite(struct sip_engine *engine, const osip_message_t *cancel);
/* A new server transaction for request; verdict (the checks' outcome,
 * taken over) is answered instead of dispatching if it has a code. */
osip_transaction_t *transaction_new_server(struct sip_engine *engine, osip_message_t *request,
                                           enum sip_transport_protocol protocol, guint connection_id,
                                           const struct sip_request_verdict *verdict);
/* Gives a received message (taken) to its transaction and runs it. */
void transaction_deliver(struct sip_engine *engine, osip_transaction_t *transaction, osip_message_t *message);
/* Files a client transaction under the key of its request's (new) top Via. */
void transaction_rekey(struct sip_engine *engine, osip_transaction_t *transaction, const osip_message_t *request);
/* A client transaction gives up without an answer: its user hears code
 * (408/503, response NULL) and it is killed. */
void transaction_fail(struct sip_engine *engine, osip_transaction_t *transaction, guint code);

/* The engine's life cycle (engine.c): */
void transaction_register_callbacks(osip_t *osip);
/* transport.c's failure callback (user_data is the engine): the client
 * transactions waiting on that connection, or on that UDP destination
 * without an answer yet, fail with 503 (and move on to their next target). */
void transaction_connection_failed(const struct sip_transport_failure *failure, void *user_data);
/* sip_engine_free(): frees every transaction. */
void transaction_free_all(struct sip_engine *engine);

/* ---- targets.c: where a client transaction's request goes ---- */

/* Sends the new client transaction's request (adopted; it has a Via for
 * hop) to hop: at once for an IP address (or a name in the cache), else
 * once the name is resolved. The caller runs the engine. FALSE with error
 * when it cannot even start (request freed). */
gboolean targets_start(struct sip_engine *engine, osip_transaction_t *transaction, osip_message_t *request,
                       const struct sip_next_hop *hop, GError **error);
/* The request got no answer (response NULL: timeout or transport error)
 * or a 503 from the current target: TRUE if it went on to the next target
 * in a new transaction (context->successor), which took over the user. */
gboolean targets_fail_over(struct sip_engine *engine, osip_transaction_t *transaction,
                           const osip_message_t *response, guint code);
/* The retry of a challenged request goes where the old one went, with the
 * rest of its targets. */
void targets_inherit(struct transaction_context *to, const struct transaction_context *from);
/* Frees what a context keeps about targets; stops a lookup. */
void targets_clear(struct transaction_context *context);
/* Puts our address for target in the request's (first) Contact: the one
 * its registrar saw us at, if known (NAT), else the local one. */
void targets_fit_contact(struct sip_engine *engine, osip_message_t *request, enum sip_transport_protocol protocol,
                         const char *ip, guint16 port);

/* ---- transaction_timers.c ---- */

/* Files the transaction under its next FSM timer after an FSM step (a
 * finished one is retired instead: see transaction_timers.c). */
void transaction_reschedule(struct sip_engine *engine, osip_transaction_t *transaction);
/* Takes it off the timer sequence. */
void transaction_unschedule(struct transaction_context *context);
/* The earliest FSM timer, monotonic us (-1: none). */
gint64 transaction_timers_next_deadline(struct sip_engine *engine);
/* Queues a timeout event for every transaction whose timer is due at now
 * (the caller runs them). */
void transaction_timers_fire(struct sip_engine *engine, gint64 now);
/* A retransmitted request whose transaction was retired: answered again
 * from what is kept. FALSE if there is none. */
gboolean transaction_answer_retransmission(struct sip_engine *engine, const osip_message_t *request);
/* A copy of an initial INVITE we answered 2xx within 64*T1
 * (engine_remember_accepted_invite): TRUE, to be dropped. */
gboolean transaction_absorb_accepted_invite(struct sip_engine *engine, const osip_message_t *invite);
/* A retransmitted final response for our INVITE whose transaction was
 * retired: ACKed again. FALSE if there is none. */
gboolean transaction_answer_retransmitted_response(struct sip_engine *engine, const osip_message_t *response);

G_END_DECLS

#endif /* RTCSHIM_SIP_TRANSACTION_PRIVATE_H */
