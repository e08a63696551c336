/*
 * The engine's inside: libosip2 transactions on a GLib main context, the
 * transaction-user dispatch, timers, and the queue of upward callbacks.
 *
 * Internal to src/sip/ (uses libosip2 types); the API layers use
 * sip_engine.h and sip_call.h.
 *
 * How a message flows:
 *  - in: transport -> engine_receive() -> parse, validate (400/416/420/
 *    483/505 with the right reason) -> the matching server/client
 *    transaction, or a new server transaction -> libosip2 FSM -> its
 *    callback -> the transaction user (call.c for INVITE sessions, the
 *    engine itself for OPTIONS and out-of-dialog MESSAGE, 481 for a dialog
 *    that does not exist);
 *  - out: engine_send_request() / engine_respond() add an event to a
 *    transaction; engine_run() drives the FSMs, whose send callback
 *    serialises onto the transport.
 * libosip2's kill callback fires inside its FSM, so killed transactions are
 * only freed after the FSM run that killed them.
 */
#ifndef RTCSHIM_SIP_ENGINE_INTERNAL_H
#define RTCSHIM_SIP_ENGINE_INTERNAL_H

#include <sys/time.h>     /* libosip2's headers need struct timeval first */
#include <osip2/osip.h>

#include "sip_engine.h"
#include "sip_call.h"
#include "sip_refer.h"
#include "sip_register.h"
#include "dialog.h"
#include "media.h"
#include "request_check.h"
#include "timers.h"
#include "transport.h"

G_BEGIN_DECLS

struct engine_timer;
typedef void (*engine_timer_func)(struct sip_engine *engine, void *data);

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

struct engine_pending_event;

struct sip_engine
{
    GMainContext *context;
    osip_t *osip;
    struct sip_transport_layer *transports;
    struct sip_engine_callbacks callbacks;
    struct sip_refer_callbacks refer_callbacks;
    guint refer_decision_timeout;       /* ms */
    struct sip_registration_callbacks registration_callbacks;
    GHashTable *credentials;            /* realm ("" = default) -> struct engine_credentials * */
    GPtrArray *registrations;           /* struct sip_registration *, not referenced */
    void *user_data;
    char *user_agent;
    char *advertised_host;
    osip_uri_t *outbound_proxy;         /* default for out-of-dialog requests, with ;lr; NULL = none */
    char *outbound_proxy_text;
    GRand *rand;
    gboolean trace;                     /* G_MESSAGES_DEBUG shows messages */

    /* One timer source for the transactions' FSM timers (A-K) and ours:
     * both are kept ordered by deadline, and the source polls until the
     * earliest one (see "transaction timers" in engine.c). */
    GSource *timer_source;
    GSequence *timers;                  /* struct engine_timer *, by deadline */
    GSequence *transaction_timers;      /* osip_transaction_t *, by next FSM timer */
    GHashTable *transactions;           /* every live osip_transaction_t * */
    GHashTable *completed;              /* key -> retired completed NIST (see engine.c) */

    /* Transactions with events to run, and those killed and awaiting free. */
    GQueue ready;
    GPtrArray *dead;
    gboolean running;
    guint dead_hold;                    /* > 0: killed transactions are not freed yet */
    gboolean *freed;                    /* set when the engine is freed under a callback */
    GHashTable *server_transactions;    /* "branch\nsent-by\nMETHOD" -> osip_transaction_t * */
    GHashTable *client_transactions;    /* "branch\nMETHOD" -> osip_transaction_t * */

    /* Upward callbacks, delivered by an idle source in order. */
    GSource *event_source;
    GQueue events;

    /* Calls by "Call-ID\nlocal tag" (every live call) and, for incoming
     * calls, by "Call-ID\nremote tag" (INVITE retransmissions after 2xx). */
    GHashTable *calls;
    GHashTable *incoming_calls;
    GHashTable *all_calls;              /* every struct sip_call not yet freed, not referenced:
                                           sip_engine_free() detaches them all */
    guint call_count;                   /* calls not yet terminated */
    guint last_request_id;
    struct sip_media_backend *media;

    struct sip_engine_stats stats;
};

/* ---- identifiers ---- */
/* Tests and the fuzzer: makes tags, branches and Call-IDs repeatable. */
void engine_set_random_seed(struct sip_engine *engine, guint32 seed);
/* Tests and the fuzzer: "time passes" for the engine's own timers (2xx
 * retransmission, linger, glare, CANCEL, refer decision and subscription,
 * registration refresh): up to max of them fire now, earliest first, as
 * the timer source would fire them later (the transactions' FSM timers are
 * left alone). Returns how many fired. */
guint engine_expire_timers(struct sip_engine *engine, guint max);
char *engine_new_token(struct sip_engine *engine);         /* 16 hex digits, g_free */
char *engine_new_branch(struct sip_engine *engine);        /* "z9hG4bK" + token */
guint engine_next_request_id(struct sip_engine *engine);

/* ---- messages ---- */

/* Adds our top Via for hop (sent-by, a new branch, rport). */
gboolean engine_add_via(struct sip_engine *engine, osip_message_t *request, const struct sip_next_hop *hop);

/* Adds Contact <sip:user@our-address:port[;transport=x]> for protocol. */
void engine_add_contact(struct sip_engine *engine, osip_message_t *message, const char *user,
                        enum sip_transport_protocol protocol, const char *destination_ip);

/* A response to request: Via, From, To (with to_tag added if the request
 * had none and code > 100; NULL picks a new one), Call-ID, CSeq,
 * Record-Route for 1xx/2xx to dialog-creating requests, Server. */
osip_message_t *engine_build_response(struct sip_engine *engine, const osip_message_t *request, guint code,
                                      const char *reason, const char *to_tag);

/* A new out-of-dialog request: Request-URI to, From from (with a new tag),
 * To to, a new Call-ID, CSeq 1 method, Max-Forwards. from and to are
 * name-addr or URI strings. NULL on a malformed from/to. */
osip_message_t *engine_build_request(struct sip_engine *engine, const char *method, const char *from,
                                     const char *to, GError **error);

/* Sets a body and its Content-Type. */
void engine_set_body(osip_message_t *message, const char *content_type, const char *body, gsize length);

/* ---- transactions ---- */

/* Sends request (adopted) in a new client transaction to hop. Adds a Via
 * unless the request has one (CANCEL copies the INVITE's). user/data get
 * the responses; destroy releases data when the transaction is freed.
 * Returns the transaction (valid until user->terminated) or NULL with error
 * (request and data released). */
osip_transaction_t *engine_send_request(struct sip_engine *engine, osip_message_t *request,
                                        const struct sip_next_hop *hop,
                                        const struct engine_transaction_user *user, void *data,
                                        GDestroyNotify destroy, GError **error);

/* Sends response (adopted) through server transaction. */
void engine_respond(struct sip_engine *engine, osip_transaction_t *transaction, osip_message_t *response);

/* Builds and sends a body-less response to the transaction's request. */
void engine_respond_simple(struct sip_engine *engine, osip_transaction_t *transaction, guint code,
                           const char *reason);

/* Answers OPTIONS 200 with Allow, Accept and Supported. */
void engine_answer_options(struct sip_engine *engine, osip_transaction_t *transaction, osip_message_t *request);

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

/* Sends an ACK for a 2xx (no transaction, §17.1.1.3) to hop; adds a Via
 * the first time, so a retransmitted ACK is the same message. */
gboolean engine_send_ack(struct sip_engine *engine, osip_message_t *ack, const struct sip_next_hop *hop);

/* Sends a response again outside its (finished) transaction, to where its
 * Via says, over protocol and preferably connection_id. */
gboolean engine_resend_response(struct sip_engine *engine, osip_message_t *response,
                                enum sip_transport_protocol protocol, guint connection_id);

/* Runs the transactions that have events, frees the killed ones. */
void engine_run(struct sip_engine *engine);

/* ---- timers on the engine's one timer source ---- */
struct engine_timer *engine_timer_start(struct sip_engine *engine, guint delay_ms, engine_timer_func func,
                                        void *data, GDestroyNotify destroy);
/* Cancels a timer that has not fired (NULL is fine); its destroy runs. */
void engine_timer_cancel(struct sip_engine *engine, struct engine_timer *timer);

/* ---- upward callbacks ---- */
typedef void (*engine_event_func)(struct sip_engine *engine, void *data);
void engine_queue_event(struct sip_engine *engine, engine_event_func deliver, void *data, GDestroyNotify destroy);

/* Queues message_received (MESSAGE) or call_info_received (INFO) for a
 * request; call is NULL outside a dialog. */
void engine_report_incoming_request(struct sip_engine *engine, struct sip_call *call,
                                    const osip_message_t *request);
/* Queues request_completed. */
void engine_report_request_result(struct sip_engine *engine, guint request_id, guint status_code,
                                  const char *reason);

/* ---- small helpers ---- */
char *engine_uri_string(const osip_uri_t *uri);                /* g_free */
char *engine_display_name(const osip_from_t *header);          /* unquoted, NULL if none; g_free */
char *engine_call_id_string(const osip_call_id_t *call_id);    /* g_free */
guint32 engine_cseq_number(const osip_message_t *message);

/* ---- registrations (register.c) ---- */
void registration_detach(struct sip_registration *registration);

/* ---- calls (call.c registers itself) ---- */
/* A call object exists / is being freed (call_new, the last unref). */
void engine_track_call(struct sip_engine *engine, struct sip_call *call);
void engine_untrack_call(struct sip_engine *engine, struct sip_call *call);
void engine_register_call(struct sip_engine *engine, struct sip_call *call, const char *call_id,
                          const char *local_tag, const char *remote_tag);
void engine_unregister_call(struct sip_engine *engine, struct sip_call *call, const char *call_id,
                            const char *local_tag, const char *remote_tag);

/* The address to put in SDP and bind media on when talking to
 * destination_ip over protocol (host: SIP_HOST_BUFFER_SIZE bytes), and the
 * one to advertise (advertised_host if configured). */
gboolean engine_media_address(struct sip_engine *engine, enum sip_transport_protocol protocol,
                              const char *destination_ip, char *bind_host, const char **advertised);

/* The call with this Call-ID and local tag, not referenced; NULL if none. */
struct sip_call *engine_lookup_call(struct sip_engine *engine, const char *call_id, const char *local_tag);

/* The outbound proxy a request uses (see sip_engine.h): proxy as given
 * (NULL = the engine's default, "" = none). *uri gets a copy with ";lr"
 * (NULL for none). FALSE with error for a malformed or unreachable one. */
gboolean engine_pick_proxy(struct sip_engine *engine, const char *proxy, osip_uri_t **uri, GError **error);

/* Puts "Route: <proxy>" on top of the request's routes. */
void engine_add_proxy_route(osip_message_t *request, const osip_uri_t *proxy);

/* Where an out-of-dialog request goes: to proxy if not NULL (its Route is
 * added to the request), else to its Request-URI. */
gboolean engine_route_request(struct sip_engine *engine, osip_message_t *request, const osip_uri_t *proxy,
                              struct sip_next_hop *hop, GError **error);

/* The hop for a request to uri: explicit transport, else UDP if we listen on
 * UDP, else TCP. */
gboolean engine_hop_for_uri(struct sip_engine *engine, const osip_uri_t *uri, struct sip_next_hop *hop,
                            GError **error);

G_END_DECLS

#endif /* RTCSHIM_SIP_ENGINE_INTERNAL_H */
