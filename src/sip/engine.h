/*
 * The engine object: libosip2 transactions on a GLib main context, its
 * timers, and the queue of upward callbacks. This header has the object
 * and its identifiers; each part of the engine has its own header:
 *
 *   wire.h            messages to and from transport.c (serialise, trace, parse)
 *   dispatch.h        what a parsed message does: checks, matching, dispatch
 *   transaction.h     the transaction layer, for transaction users
 *   transaction_private.h  its inside, for the engine core's files
 *   digest_retry.h    credentials and the retry of a challenged request
 *   timer_source.h    the one timer source and the engine's own timers
 *   event_queue.h     callbacks up, queued and delivered from the main context
 *   call_registry.h   the engine's calls, by dialog
 *   routing.h         next hops, the outbound proxy, the media address
 *   resolver.h        names (RFC 3263) over GIO's resolver, cached
 *   transaction_private.h (targets.c) where a client transaction's request
 *                     goes: its targets in order, fail-over
 *   keepalive.h       NAT keep-alive of registrations, public address
 *   message.h         building and reading messages
 *
 * Internal to src/sip/ (uses libosip2 types); the API layers use the
 * sip_*.h headers.
 *
 * How a message flows:
 *  - in: transport -> engine_receive() (wire.c) -> parse -> dispatch.c:
 *    validate (400/416/420/483/505 with the right reason) -> the matching
 *    server/client transaction, or a new server transaction -> libosip2
 *    FSM -> its callback (transaction.c) -> the transaction user (call.c
 *    for INVITE sessions, subscription.c for SUBSCRIBE/NOTIFY dialogs,
 *    dispatch.c for CANCEL, OPTIONS and out-of-dialog MESSAGE, 481 for a
 *    dialog that does not exist);
 *  - out: engine_send_request() / engine_respond() add an event to a
 *    transaction; engine_run() drives the FSMs, whose send callback
 *    serialises onto the transport (wire.c).
 * libosip2's kill callback fires inside its FSM, so killed transactions are
 * only freed after the FSM run that killed them.
 */
#ifndef RTCSHIM_SIP_ENGINE_INTERNAL_H
#define RTCSHIM_SIP_ENGINE_INTERNAL_H

#include <sys/time.h>     /* libosip2's headers need struct timeval first */
#include <osip2/osip.h>

#include "sip/sip_engine.h"
#include "sip/sip_call.h"
#include "sip/sip_refer.h"
#include "sip/sip_register.h"
#include "sip/sip_subscription.h"
#include "sip/sip_publication.h"
#include "dialog.h"
#include "media.h"
#include "request_check.h"
#include "timers.h"
#include "transport.h"

G_BEGIN_DECLS

struct sip_engine
{
    GMainContext *context;
    osip_t *osip;
    struct sip_transport_layer *transports;
    struct sip_engine_callbacks callbacks;
    struct sip_refer_callbacks refer_callbacks;
    guint refer_decision_timeout;       /* ms */
    guint offer_decision_timeout;       /* ms: the peer's re-INVITE waits no longer for a decision */
    guint refer_response_bound;         /* ms: a REFER's final response waits no longer */
    guint refer_expires;                /* s: the implicit subscription we grant */
    char **refer_to_allowed;            /* more Refer-To headers passed on (NULL: none) */
    gboolean refer_to_private;          /* X- headers in Refer-To are passed on */
    struct sip_registration_callbacks registration_callbacks;
    GHashTable *credentials;            /* realm ("" = default) -> struct engine_credentials * */
    GPtrArray *registrations;           /* struct sip_registration *, not referenced */
    struct sip_subscription_callbacks subscription_callbacks;
    char **subscription_packages;       /* served as a notifier; others get 489 */
    guint subscription_max_expires;     /* seconds granted at most, and the least accepted */
    guint subscription_min_expires;
    GHashTable *subscriptions;          /* "Call-ID\nlocal tag" -> struct sip_subscription *, referenced while live */
    GPtrArray *all_subscriptions;       /* every one not yet freed, not referenced: sip_engine_free() detaches them */
    struct sip_publication_callbacks publication_callbacks;
    GPtrArray *publications;            /* struct sip_publication *, not referenced */
    void *user_data;
    char *user_agent;                   /* what is sent: the application's product, then base_user_agent */
    char *base_user_agent;              /* the configured one, or rtcshim's */
    char *advertised_host;
    osip_uri_t *outbound_proxy;         /* default for out-of-dialog requests, with ;lr; NULL = none */
    char *outbound_proxy_text;
    GRand *rand;
    gboolean trace;                     /* G_MESSAGES_DEBUG shows messages */

    /* One timer source for the transactions' FSM timers (A-K) and ours:
     * both are kept ordered by deadline, and the source polls until the
     * earliest one (see timer_source.c). */
    GSource *timer_source;
    GSequence *timers;                  /* struct engine_timer *, by deadline: those of no lane */
    struct timer_lane *timer_lanes;     /* ENGINE_TIMER_LANES FIFOs of timers of one length each */
    GSequence *transaction_timers;      /* osip_transaction_t *, by next FSM timer */
    GHashTable *transactions;           /* every live osip_transaction_t * */
    GHashTable *completed;              /* key -> retired completed NIST (transaction_timers.c) */
    GHashTable *retired_calls;          /* Call-ID and our tag -> ended outgoing call (call_retired.c) */
    struct shed_memory *shed;           /* INVITEs refused unparsed, for their copies (shed.c); NULL: none */

    /* Transactions with events to run, and those killed and awaiting free. */
    GQueue ready;
    GPtrArray *dead;
    gboolean running;
    guint dead_hold;                    /* > 0: killed transactions are not freed yet */
    gboolean *freed;                    /* set when the engine is freed under a callback */
    GHashTable *server_transactions;    /* "branch\nsent-by\nMETHOD" -> osip_transaction_t * */
    GHashTable *client_transactions;    /* "branch\nMETHOD" -> osip_transaction_t * */

    /* Upward callbacks, delivered in order by a source ready while any wait (event_queue.c). */
    GSource *event_source;
    GQueue events;

    /* Calls by "Call-ID\nlocal tag" (every live call) and, for incoming
     * calls, by "Call-ID\nremote tag" (INVITE retransmissions after 2xx). */
    GHashTable *calls;
    GHashTable *incoming_calls;
    GHashTable *all_calls;              /* every struct sip_call not yet freed, not referenced:
                                           sip_engine_free() detaches them all */
    guint call_count;                   /* calls not yet terminated */
    guint undecided_calls;              /* incoming calls offered to the application, not yet decided */
    struct sip_engine_limits limits;    /* overload bounds (dispatch.c) */
    gint64 behind_since;                /* monotonic µs: since when the engine counts as behind on its UDP
                                           socket (receive_backlog_ms); 0 while it reads in time (dispatch.c) */
    gint64 last_late_read;              /* monotonic µs: the last UDP message read late; 0 if none */
    guint byes_in_flight;               /* BYEs sent without a final response yet */
    guint byes_owed;                    /* calls hung up whose BYE waits for the ACK of our 2xx */
    guint rejections_unacked;           /* non-2xx finals to INVITEs whose ACK has not come (transaction.c) */
    guint last_request_id;
    struct sip_media_backend *media;
    guint calls_audio;                  /* sip_engine_set_calls_audio(): SIP_MEDIA_* of new calls, 0: none */
    guint calls_max_bandwidth;          /* sip_engine_set_calls_max_bandwidth(): bit/s, 0: no limit */

    struct sip_resolver *resolver;      /* names (RFC 3263) and their cache */
    GHashTable *public_addresses;       /* "PROTO|ip|port" of a registrar -> "host:port" it saw us at
                                           (received/rport, keepalive.c) */
    guint keepalive_udp_s;              /* 0: none */
    guint keepalive_stream_s;
    GPtrArray *keepalives;              /* struct keepalive *, running (keepalive.c) */
    GHashTable *pending_acks;           /* ACKs waiting for their name to resolve (wire.c) */
    enum sip_delivery_failure completed_failure;  /* during request_completed */

    struct sip_engine_stats stats;
};

/* ---- identifiers ---- */
/* Tests and the fuzzer: makes tags, branches and Call-IDs repeatable. */
void engine_set_random_seed(struct sip_engine *engine, guint32 seed);
char *engine_new_token(struct sip_engine *engine);         /* 16 hex digits, g_free */
char *engine_new_branch(struct sip_engine *engine);        /* "z9hG4bK" + token */
/* One of the hang-ups counted by sip_engine_pending_hangups() is over:
 * the application hears hangups_finished if it was the last (call.c). */
void engine_hangup_settled(struct sip_engine *engine);
guint engine_next_request_id(struct sip_engine *engine);

/* ---- registrations (register.c): sip_engine_free() detaches them ---- */
void registration_detach(struct sip_registration *registration);

/* ---- publications (publication.c): the same ---- */
void publication_detach(struct sip_publication *publication);

G_END_DECLS

#endif /* RTCSHIM_SIP_ENGINE_INTERNAL_H */
