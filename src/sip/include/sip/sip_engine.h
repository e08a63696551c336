/*
 * The SIP engine: what the RTC and UCC API layers call.
 *
 * Plain C and GLib types only: no libosip2 and no COM types cross this
 * header. Objects are opaque; calls are in sip_call.h.
 *
 * Threading and events: an engine lives on one GMainContext (the caller's
 * thread-default context at sip_engine_new()); every socket, timer and
 * retransmission is a source on it and it starts no threads. Call the API
 * from that context's thread only. Callbacks are never made from inside an
 * API call: they are queued and delivered from the context's dispatch, in
 * order, so a handler may call back into the API freely.
 *
 * Errors: functions that can fail take a GError ** (domain SIP_ENGINE_ERROR).
 */
#ifndef RTCSHIM_SIP_ENGINE_H
#define RTCSHIM_SIP_ENGINE_H

#include <glib.h>

G_BEGIN_DECLS

struct sip_engine;
struct sip_call;
struct sip_media_event;        /* sip_media.h */

/* The life of a call (INVITE session), as the API layers see it. */
enum sip_call_state
{
    SIP_CALL_STATE_CALLING,         /* outgoing: INVITE sent, no (or only 100) answer */
    SIP_CALL_STATE_RINGING,         /* outgoing: 180/181/182 received; incoming: 180 sent */
    SIP_CALL_STATE_EARLY_MEDIA,     /* 183 with SDP received (outgoing) or sent (incoming) */
    SIP_CALL_STATE_INCOMING,        /* incoming: INVITE received, waiting for a decision */
    SIP_CALL_STATE_ANSWERING,       /* incoming: 200 sent, waiting for the ACK */
    SIP_CALL_STATE_CONNECTED,       /* dialog confirmed; see hold flags for media */
    SIP_CALL_STATE_TERMINATED,      /* over; sip_call_get_end_reason() tells why */
};

enum sip_transport_protocol
{
    SIP_TRANSPORT_UDP,
    SIP_TRANSPORT_TCP,
    SIP_TRANSPORT_TLS,
};

#define SIP_ENGINE_ERROR (sip_engine_error_quark())
GQuark sip_engine_error_quark(void);

enum sip_engine_error
{
    SIP_ENGINE_ERROR_INVALID_ARGUMENT,  /* malformed URI, bad status code, ... */
    SIP_ENGINE_ERROR_WRONG_STATE,       /* e.g. answering a call that is not incoming */
    SIP_ENGINE_ERROR_NO_TRANSPORT,      /* nothing listening for the needed protocol/family */
    SIP_ENGINE_ERROR_TRANSPORT,         /* socket or TLS failure */
    SIP_ENGINE_ERROR_UNRESOLVABLE,      /* a name has no SIP server (DNS: no SRV, A or AAAA record) */
    SIP_ENGINE_ERROR_DETACHED,          /* the engine behind this object was freed */
};

/* Why a request ended without any server's answer. The engine then
 * reports a status code of its own making -- 408 when the last target
 * timed out, else 503 -- and this says what lay behind it. */
enum sip_delivery_failure
{
    SIP_DELIVERY_OK,                /* a server answered; its status code tells the rest */
    SIP_DELIVERY_NAME_NOT_FOUND,    /* the host name has no SIP server in DNS (no SRV, A or AAAA
                                       record), or DNS itself failed */
    SIP_DELIVERY_NO_ANSWER,         /* every target (RFC 3263) timed out, refused or was unreachable */
    SIP_DELIVERY_TLS_CERTIFICATE,   /* as NO_ANSWER, and a TLS server's certificate was refused
                                       (untrusted, or not for the SIP domain, RFC 5922) */
};

const char *sip_delivery_failure_name(enum sip_delivery_failure failure);

/* An incoming MESSAGE or INFO, valid during the callback only. */
struct sip_incoming_request
{
    const char *method;                 /* "MESSAGE", "INFO" */
    const char *from_uri;               /* "sip:alice@example.com" */
    const char *from_display_name;      /* unquoted, NULL when absent */
    const char *to_uri;
    const char *content_type;           /* "text/plain"; NULL without a body */
    const char *body;                   /* NUL-terminated for convenience */
    gsize body_length;
};

/* All optional (NULL = not interested). user_data is the one given to
 * sip_engine_new(). The struct is copied. */
struct sip_engine_callbacks
{
    /* A new call came in (INVITE). It is in SIP_CALL_STATE_INCOMING; decide
     * with sip_call_ring/progress/answer/reject. The engine holds the call
     * until it ends: sip_call_ref() it to keep it longer. Without a
     * handler, incoming calls are rejected with 480. */
    void (*incoming_call)(struct sip_engine *engine, struct sip_call *call, void *user_data);

    /* The call reached a new state. status_code and reason_phrase are the
     * SIP response behind it as it was then (180 "Ringing", 486 "Busy
     * Here", 0 "" when none); sip_call_get_end_reason() tells why a call
     * terminated. A call reports SIP_CALL_STATE_TERMINATED exactly once,
     * last. A new provisional code in the same state (181 after 180) is
     * reported too. */
    void (*call_state_changed)(struct sip_call *call, enum sip_call_state state, guint status_code,
                               const char *reason_phrase, void *user_data);

    /* Hold state changed after an offer/answer: we hold the peer
     * (local_hold) and/or the peer holds us (remote_hold). */
    void (*call_media_changed)(struct sip_call *call, gboolean local_hold, gboolean remote_hold,
                               void *user_data);

    /* An INFO arrived in the call's dialog (already answered 200). */
    void (*call_info_received)(struct sip_call *call, const struct sip_incoming_request *request,
                               void *user_data);

    /* A MESSAGE arrived (already answered 200); call is the dialog it came
     * in, NULL for a MESSAGE outside any dialog. */
    void (*message_received)(struct sip_engine *engine, struct sip_call *call,
                             const struct sip_incoming_request *request, void *user_data);

    /* The final outcome of a request sent with sip_engine_send_message(),
     * sip_call_send_message() or sip_call_send_info(): the final status code
     * received, or 408 on timeout, 503 on transport failure. */
    void (*request_completed)(struct sip_engine *engine, guint request_id, guint status_code,
                              const char *reason_phrase, void *user_data);

    /* The call's audio: a direction started, stopped or failed, or a level
     * was measured (sip_media.h). Hold is reported twice on purpose: as
     * call_media_changed (what SDP says) and as flows stopping with
     * SIP_MEDIA_REASON_HOLD (what the audio does). */
    void (*call_media_event)(struct sip_call *call, const struct sip_media_event *event, void *user_data);

    /* The last hang-up in progress has finished on the wire:
     * sip_engine_pending_hangups() went down to 0. */
    void (*hangups_finished)(struct sip_engine *engine, void *user_data);

    /* The re-INVITE that carried a sip_call_update_media() got its final
     * response (sip_call.h): once per update, after glare retries. */
    void (*call_media_updated)(struct sip_call *call, guint status_code, void *user_data);

    /* The peer's re-INVITE offers new media and waits for a decision
     * (sip_call_get_offer_lines, sip_call_accept_offer, sip_call_reject_offer).
     * Without this handler the engine answers re-INVITEs by itself. */
    void (*call_media_offered)(struct sip_call *call, void *user_data);

    /* That offer ended before a decision: the peer cancelled it, or the
     * call ended. */
    void (*call_media_offer_cancelled)(struct sip_call *call, void *user_data);
};

/* Inside request_completed only: why no server answered the request
 * (SIP_DELIVERY_OK when one did). */
enum sip_delivery_failure sip_engine_get_completed_failure(struct sip_engine *engine);

struct sip_media_backend;      /* sip_media.h */

struct sip_engine_config
{
    const char *user_agent;             /* User-Agent and Server value; NULL = "rtcshim/<version>" */
    const char *advertised_host;        /* host for Via, Contact and SDP; NULL = the bound (or routed) address */
    struct sip_media_backend *media_backend;    /* taken over by the engine; NULL = the default
                                                   backend (binds RTP/RTCP ports, moves no audio) */
};

/* Creates an engine on the calling thread's thread-default GMainContext.
 * config may be NULL. Listen on at least one transport before use. */
struct sip_engine *sip_engine_new(const struct sip_engine_config *config,
                                  const struct sip_engine_callbacks *callbacks,
                                  void *user_data, GError **error);

/* Frees the engine at once: no BYE or CANCEL is sent (end calls first and
 * let the loop run if that matters). Every call still referenced -- also
 * one that ended long ago -- stays a valid object but is detached: its
 * media stream is released before the media backend goes, its functions
 * fail with SIP_ENGINE_ERROR_DETACHED, sip_call_get_engine() returns NULL,
 * and sip_call_unref() may come any time later. The same holds for
 * registrations and refers. Queued callbacks are dropped. */
void sip_engine_free(struct sip_engine *engine);

/* Binds address (NULL = "0.0.0.0"; "::1" etc. for IPv6) and port
 * (0 = ephemeral) for protocol; *bound_port (optional) gets the port. TLS
 * needs sip_engine_set_tls_certificate() first. May be called several times
 * (e.g. UDP and TCP, IPv4 and IPv6). */
gboolean sip_engine_listen(struct sip_engine *engine, enum sip_transport_protocol protocol,
                           const char *address, guint16 port, guint16 *bound_port, GError **error);

/* UDP and TCP on one port of address, as RFC 3261 §18.2.1 asks of a server
 * (a peer told "transport=tcp" uses the port it was given for UDP). With
 * port 0 the kernel picks UDP's port; when that number is held for TCP (an
 * outgoing connection's local port, for one) UDP lets it go and another is
 * picked, a few times, before TCP takes any free port of its own. With a
 * given port, TCP there or none. FALSE (and nothing bound) if UDP cannot be
 * had; *udp_port gets its port, *tcp_port TCP's (0: none). */
gboolean sip_engine_listen_udp_and_tcp(struct sip_engine *engine, const char *address, guint16 port,
                                       guint16 *udp_port, guint16 *tcp_port, GError **error);

/* TLS listeners present this certificate (PEM files; key may be the same
 * file as the certificate). */
gboolean sip_engine_set_tls_certificate(struct sip_engine *engine, const char *certificate_file,
                                        const char *key_file, GError **error);

/* Outgoing TLS connections verify the peer against the system CAs by
 * default; this makes them trust exactly the CAs in a PEM file instead. */
gboolean sip_engine_trust_ca_file(struct sip_engine *engine, const char *ca_file, GError **error);

/* ---- names (RFC 3263) ----
 *
 * Wherever a SIP URI goes -- a call's target, a registrar, an outbound
 * proxy, a Refer-To or redirect target, a Contact or Record-Route of a
 * dialog -- its host may be a name. The engine resolves it when the request
 * is sent, without blocking (GIO's resolver): SRV records when the URI has
 * no port (_sips._tcp for sips:, _sip._<transport> for ";transport=", else
 * _sip._udp and _sip._tcp), then the A/AAAA records of each target, or the
 * name's own A/AAAA records with the default port when there is no SRV
 * record or the URI has a port. The request goes to the first target; a
 * transport error, an ICMP or TCP refusal, a timeout (timer B/F) or a 503
 * moves it, as a new transaction, to the next one. The API layers hear one
 * outcome: the first real answer, or -- when every target failed -- a 408
 * or 503 of the engine's making with an enum sip_delivery_failure that says
 * why (sip_call_get_delivery_failure, sip_registration_get_delivery_failure,
 * sip_engine_get_completed_failure). Answers are cached 60 s (GResolver gives no
 * TTL). Over TLS the server's certificate must name the URI's host
 * (RFC 5922); docs/wire-mapping.md, "DNS" and "TLS", has the details. */

/* ---- finding a domain's servers (sign-in discovery) ----
 *
 * The SRV records Office Communicator asks for a sign-in domain
 * (_sipinternaltls._tcp, _sipinternal._tcp, _sip._tls), then RFC 3263's
 * _sips._tcp and _sip._tcp: every server found, in that order and then in
 * SRV order. Not tied to an engine: the answer comes from the calling
 * thread's thread-default main context. */
struct sip_server_location
{
    enum sip_transport_protocol protocol;
    const char *host;                   /* the SRV target's name */
    guint16 port;
};
/* servers (count of them, valid during the call) or, when none was found,
 * error (SIP_ENGINE_ERROR_UNRESOLVABLE). */
typedef void (*sip_find_servers_func)(const struct sip_server_location *servers, guint count, const GError *error,
                                      void *user_data);
struct sip_server_search;
/* Starts the search; NULL with SIP_ENGINE_ERROR_INVALID_ARGUMENT when domain is not a host name. */
struct sip_server_search *sip_find_servers(const char *domain, sip_find_servers_func done, void *user_data,
                                           GError **error);
/* Stops a search before it answered: done is not called. */
void sip_server_search_cancel(struct sip_server_search *search);

/* ---- keep-alive (NAT) ----
 *
 * While a registration is bound, the engine keeps the path to its registrar
 * open: over UDP a CRLF CRLF datagram every udp_seconds; over TCP/TLS an
 * RFC 5626 CRLF CRLF ping every stream_seconds, whose CRLF pong, once a
 * registrar has shown it answers them, must come within 10 s or the
 * connection counts as failed and the registration is sent again.
 * Defaults: 25 and 90 s (docs/wire-mapping.md, "Keep-alive"); 0 turns one off. */
#define SIP_KEEPALIVE_UDP_DEFAULT_S 25
#define SIP_KEEPALIVE_STREAM_DEFAULT_S 90
void sip_engine_set_keepalive(struct sip_engine *engine, guint udp_seconds, guint stream_seconds);

/* The application's product, put before the engine's own in the User-Agent
 * and Server headers from now on: "name/version rtcshim/<version>" (RFC 3261
 * §20.41: products, most significant first). A character that cannot be in
 * a product token (a space, a slash, a control character ...) becomes "_";
 * each part is cut at 64 bytes. NULL or empty name: the engine's alone. */
void sip_engine_set_product(struct sip_engine *engine, const char *name, const char *version);

/* ---- outbound proxy (RFC 3261 §8.1.2, loose routing) ----
 *
 * A proxy is a sip: or sips: URI, e.g. "sip:192.0.2.10:5060;transport=tcp"
 * or "sip:proxy.example.com" (";lr" may be given or not). An
 * out-of-dialog request that uses one (INVITE, REGISTER, MESSAGE) is sent
 * to the proxy's address, over the proxy URI's transport (sips: = TLS;
 * else ";transport=", else UDP when listening on UDP, else TCP), with
 * "Route: <proxy;lr>" on top; its Request-URI stays the target (the
 * registrar for REGISTER). Requests inside a dialog then follow the dialog's
 * route set, i.e. the Record-Route of the proxies that asked to stay on the
 * path; a proxy that did not record-route is not used again for them
 * (RFC 3261 §12.2.1.1). CANCEL and the ACK of a non-2xx take the INVITE's
 * route, and a request re-sent with credentials goes the same way.
 *
 * Which proxy a request uses: the one given with it (sip_call_options.proxy,
 * sip_message_options.proxy, sip_register_options.proxy) if not NULL --
 * "" meaning "none, go direct" --, else the engine's default set here. */

/* Sets the engine's default outbound proxy (NULL or "" = none). Fails with
 * SIP_ENGINE_ERROR_INVALID_ARGUMENT (not a sip:/sips: URI, or a host that
 * is neither an IP literal nor a host name); the previous setting is kept
 * then. A name is resolved when a request goes through the proxy. */
gboolean sip_engine_set_outbound_proxy(struct sip_engine *engine, const char *proxy, GError **error);
/* The default outbound proxy as set (with ";lr"), NULL when none. */
const char *sip_engine_get_outbound_proxy(struct sip_engine *engine);

/* Sends a MESSAGE outside any dialog. from may be a name-addr
 * ("\"Alice\" <sip:alice@example.com>") or a URI; to is a sip: or sips:
 * URI. Returns a request id (> 0) that
 * request_completed reports later, or 0 with error set. Uses the default
 * outbound proxy, if any. */
guint sip_engine_send_message(struct sip_engine *engine, const char *from, const char *to,
                              const char *content_type, const char *body, gsize body_length,
                              GError **error);

struct sip_message_options
{
    const char *proxy;                  /* outbound proxy; NULL = the engine's default, "" = none */
    const char *const *headers;         /* extra "Name: value" lines; NULL-terminated, may be NULL */
};

/* sip_engine_send_message with options (NULL options = sip_engine_send_message). */
guint sip_engine_send_message_full(struct sip_engine *engine, const char *from, const char *to,
                                   const char *content_type, const char *body, gsize body_length,
                                   const struct sip_message_options *options, GError **error);

struct sip_engine_stats
{
    guint64 messages_received;      /* parsed, well-formed enough to handle */
    guint64 messages_sent;
    guint64 unparseable_dropped;    /* not SIP at all: dropped without reply */
    guint64 oversize_dropped;       /* over 64 KiB */
    guint64 bad_requests_rejected;  /* answered 400/416/420/483/505 */
    guint64 overload_rejected;      /* answered 503 + Retry-After (see sip_engine_limits) */
    guint calls;                    /* calls not yet terminated */
    guint call_objects;             /* call objects alive: held by the application, or ended and kept a
                                       while for late messages */
    guint retired_calls;            /* ended outgoing calls kept only as a small record (their ACK) */
    guint transactions;             /* live libosip2 transactions */
    guint undecided_calls;          /* incoming calls not yet answered, rejected or ended */
    guint pending_events;           /* callbacks queued for the application */
    guint64 fail_overs;             /* requests moved on to their next target (RFC 3263 §4.3) */
    guint64 keepalives_sent;        /* CRLF keep-alives and pings sent */
    guint64 pongs_received;         /* RFC 5626 pongs received */
};
void sip_engine_get_stats(struct sip_engine *engine, struct sip_engine_stats *stats);

/* ---- overload (RFC 3261 §21.5.4, RFC 6357 §4 "local overload control") ----
 *
 * The engine takes every request it can. Past any of these bounds it
 * answers a new INVITE, or any other request outside a dialog except ACK
 * and CANCEL, with 503 Service Unavailable and Retry-After, at once and
 * without a transaction (a repeated one is answered again); requests in
 * existing dialogs and all responses are always taken, so the calls it has
 * taken still complete. */
struct sip_engine_limits
{
    /* A message read from a UDP socket had waited there unread this long
     * (ms; the system's arrival time): the engine is behind. Reads are in
     * arrival order, so this is the wait every new message sees; shedding
     * goes on until a message is read sooner. The first late read after a
     * calm spell (2 s) is a stall of the engine's thread, not overload:
     * for the bound's length what waited through it is taken. (Where the
     * system stamps no arrival times, Windows: how long the socket has not
     * been drained.) Default 100 ms (well under T1 = 500 ms, so the calls
     * taken see no retransmissions). 0 = never. */
    guint receive_backlog_ms;
    /* Incoming calls waiting for the application's answer or rejection.
     * Default 1000. 0 = no bound. */
    guint undecided_calls;
    /* Callbacks queued for the application and not yet delivered.
     * Default 10000. 0 = no bound. */
    guint pending_events;
    /* Live transactions (about 15 KB each). Default 20000. 0 = no bound. */
    guint transactions;
    /* The Retry-After value of the 503, in seconds. Default 1; 0 leaves
     * the header out. */
    guint retry_after_s;
};

#define SIP_ENGINE_DEFAULT_RECEIVE_BACKLOG_MS 100
#define SIP_ENGINE_DEFAULT_UNDECIDED_CALLS 1000
#define SIP_ENGINE_DEFAULT_PENDING_EVENTS 10000
#define SIP_ENGINE_DEFAULT_TRANSACTIONS 20000
#define SIP_ENGINE_DEFAULT_RETRY_AFTER_S 1

/* The bounds in force (the defaults above until set). */
void sip_engine_get_limits(struct sip_engine *engine, struct sip_engine_limits *limits);
void sip_engine_set_limits(struct sip_engine *engine, const struct sip_engine_limits *limits);

/* Hang-ups not yet finished on the wire: BYEs sent that have no final
 * response yet (each gives up after 64*T1 = 32 s), BYEs that wait for
 * the ACK of our 2xx before they may go (§15; at most 64*T1 more), and
 * INVITEs we rejected (3xx-6xx) whose ACK has not come (Timer H, 64*T1). An
 * application that is shutting down waits for 0 (callback hangups_finished)
 * so that no peer is left with a call nobody is on. */
guint sip_engine_pending_hangups(struct sip_engine *engine);

/* Whether two SIP/SIPS URIs (addr-spec or name-addr) are the same address: scheme,
 * user, host (case-insensitive) and port (none: the scheme's default) are equal. URI
 * parameters and headers are not compared: a peer's From says sip:bob@host:5070 where
 * we called sip:bob@host:5070;transport=tcp. FALSE when either is not a SIP/SIPS URI. */
gboolean sip_uri_same_address(const char *a, const char *b);

/* "UDP", "TCP", "TLS" (as in a Via header). */
const char *sip_transport_protocol_name(enum sip_transport_protocol protocol);

G_END_DECLS

#endif /* RTCSHIM_SIP_ENGINE_H */
