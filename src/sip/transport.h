/*
 * SIP transports (RFC 3261 §18) over GIO: UDP, TCP and TLS, IPv4 and IPv6.
 *
 * Internal to the engine (the API layers talk to sip_engine.h). Plain GLib
 * types only; no libosip2 here, so the layer can be tested on its own.
 *
 * - Everything runs on the GMainContext given to sip_transport_layer_new():
 *   one socket-readiness GSource per socket, no threads, no polling.
 * - Streams are framed with Content-Length (§18.3); CRLF keep-alives between
 *   messages are skipped. A message whose header section or total size goes
 *   over SIP_MAX_MESSAGE_SIZE is refused: a datagram is dropped; on a stream
 *   the body is skipped (the stream stays in sync) or, when the header never
 *   ends, the connection is closed. Either way stats.oversize_dropped counts it.
 * - Connections are reused: a send to a remote address that already has an
 *   open (incoming or outgoing) connection of that protocol uses it, and a
 *   send naming a connection id uses that connection while it is open.
 * - TLS verifies the server certificate against the system trust store by
 *   default. sip_transport_layer_trust_ca_file() replaces the store with a
 *   PEM file of CAs (that is how tests trust their own CA);
 *   sip_transport_layer_set_certificate() gives the certificate a TLS
 *   listener presents. An outgoing TLS connection made for a server name
 *   (sip_transport_send_named) sends that name (SNI) and accepts only a
 *   certificate that names it as RFC 5922 says (tls_identity.h); one made
 *   for an address alone checks the certificate against the address. A
 *   connection made for one name is not reused for another.
 * - Hosts are IP literals (or "localhost"): names are resolved above this
 *   layer (resolver.h), never here, since that would block.
 * - Keep-alive (RFC 5626 §4.4.1): a CRLF CRLF "ping" received on a stream
 *   is answered with a CRLF "pong"; a pong received after our own ping is
 *   reported (sip_transport_layer_set_pong_callback). On UDP, where Linux
 *   reports ICMP errors (IP_RECVERR), a destination that refused a
 *   datagram is reported like a connection that failed.
 */
#ifndef RTCSHIM_SIP_TRANSPORT_H
#define RTCSHIM_SIP_TRANSPORT_H

#include <gio/gio.h>

#include "sip/sip_engine.h"     /* enum sip_transport_protocol */

G_BEGIN_DECLS

/* Messages larger than this (64 KiB) are refused, in and out. */
#define SIP_MAX_MESSAGE_SIZE 65536

/* Bounds that keep a misbehaving peer from growing us without limit. */
#define SIP_TRANSPORT_MAX_CONNECTIONS 1024
#define SIP_TRANSPORT_MAX_QUEUED_OUTPUT (4 * 1024 * 1024)

/* Long enough for any IPv6 literal, without brackets. */
#define SIP_HOST_BUFFER_SIZE 64
/* Long enough for a DNS name (at most 253 characters). */
#define SIP_NAME_BUFFER_SIZE 256

struct sip_transport_layer;

/* Where a received message came from; valid during the receive callback. */
struct sip_transport_peer
{
    enum sip_transport_protocol protocol;
    const char *remote_ip;          /* IP literal, no brackets */
    guint16 remote_port;
    guint connection_id;            /* 0 for UDP */
    guint backlog_ms;               /* UDP: how long the socket has had datagrams
                                       waiting unread (0: drained at the last read) */
};

struct sip_transport_stats
{
    guint64 messages_received;
    guint64 messages_sent;
    guint64 oversize_dropped;       /* received messages over SIP_MAX_MESSAGE_SIZE */
    guint64 send_failures;
    guint64 connections_opened;     /* incoming and outgoing */
    guint64 connections_closed;
};

/* Called once per complete message. data is not NUL-terminated. */
typedef void (*sip_transport_receive_func)(const char *data, gsize length,
                                           const struct sip_transport_peer *peer,
                                           void *user_data);

struct sip_transport_layer *sip_transport_layer_new(GMainContext *context,
                                                    sip_transport_receive_func receive,
                                                    void *user_data);
/* Closes every socket and connection and destroys every source. */
void sip_transport_layer_free(struct sip_transport_layer *layer);

/* Binds address ("127.0.0.1", "::1", "0.0.0.0", "::"; NULL means "0.0.0.0")
 * and port (0 = ephemeral) and starts receiving. *bound_port (optional) gets
 * the port actually bound. A TLS listener needs a certificate first. */
gboolean sip_transport_listen(struct sip_transport_layer *layer, enum sip_transport_protocol protocol,
                              const char *address, guint16 port, guint16 *bound_port, GError **error);

/* Stops the listener of protocol on port (the last one bound there). */
void sip_transport_unlisten(struct sip_transport_layer *layer, enum sip_transport_protocol protocol, guint16 port);

/* Sends one message. connection_id (0 = none) names a preferred stream
 * connection; if it is gone, or for a new destination, an open connection to
 * host:port is reused or a new one started (its output is queued until it
 * is connected). *used_connection_id (optional) gets the connection used
 * (0 for UDP). Fails for an unusable host, a message over
 * SIP_MAX_MESSAGE_SIZE, no listener of the protocol and family (UDP), or an
 * immediate socket error. */
gboolean sip_transport_send(struct sip_transport_layer *layer, enum sip_transport_protocol protocol,
                            const char *host, guint16 port, guint connection_id,
                            const char *data, gsize length, guint *used_connection_id, GError **error);

/* The same for a server known by name (server_name, NULL = none): a new
 * TLS connection checks the certificate against that name (RFC 5922), and
 * only a connection made for that name is reused (or the one connection_id
 * names). host is still the IP address to connect to. */
gboolean sip_transport_send_named(struct sip_transport_layer *layer, enum sip_transport_protocol protocol,
                                  const char *host, guint16 port, const char *server_name, guint connection_id,
                                  const char *data, gsize length, guint *used_connection_id, GError **error);

/* Keep-alive (RFC 5626 §4.4.1): a CRLF CRLF ping to host:port over UDP, or
 * on the open stream connection connection_id (a pong is then awaited and
 * reported through the pong callback). FALSE when it could not be sent
 * (no UDP listener, the connection is gone). */
gboolean sip_transport_send_ping(struct sip_transport_layer *layer, enum sip_transport_protocol protocol,
                                 const char *host, guint16 port, guint connection_id);

/* The remote address of an open connection; FALSE if it is not open. */
gboolean sip_transport_connection_remote(struct sip_transport_layer *layer, guint connection_id,
                                         enum sip_transport_protocol *protocol, char ip[SIP_HOST_BUFFER_SIZE],
                                         guint16 *port);

/* The address and port to advertise (Via sent-by, Contact) for protocol when
 * talking to destination_ip (NULL: any). A listener bound to a wildcard
 * address advertises the local address the kernel would route from.
 * host must hold SIP_HOST_BUFFER_SIZE bytes. FALSE when there is no listener
 * of that protocol (and family, if destination_ip is given) -- except for
 * TLS: sending over TLS needs no certificate, so without a TLS listener the
 * TCP listener's address (else the routed address and 5061) is given, and
 * the peer is expected to reuse our connection (RFC 5923 style). */
gboolean sip_transport_local_address(struct sip_transport_layer *layer, enum sip_transport_protocol protocol,
                                     const char *destination_ip, char *host, guint16 *port);

/* TLS: the certificate (with its private key) TLS listeners present. */
void sip_transport_layer_set_certificate(struct sip_transport_layer *layer, GTlsCertificate *certificate);
/* TLS: trust exactly the CAs in this PEM file for outgoing connections. */
gboolean sip_transport_layer_trust_ca_file(struct sip_transport_layer *layer, const char *path, GError **error);

/* TRUE if the connection is still open. */
gboolean sip_transport_connection_is_open(struct sip_transport_layer *layer, guint connection_id);
/* Closes one connection now (tests, and refusing abusive peers). */
void sip_transport_close_connection(struct sip_transport_layer *layer, guint connection_id);

void sip_transport_get_stats(struct sip_transport_layer *layer, struct sip_transport_stats *stats);

/* TRUE if host is an IP literal (brackets allowed) or "localhost": the only
 * hosts the layer can reach, since names are not resolved. */
gboolean sip_transport_host_is_usable(const char *host);

/* ---- hooks for tests and the fuzzer (tests/fuzz/) ---- */

/* Replaces the network for sending: while set, every sip_transport_send()
 * hands its message to func (after the size check) instead of a socket and
 * succeeds if func returns TRUE; *used_connection_id gets connection_id.
 * NULL restores the network. */
typedef gboolean (*sip_transport_send_func)(enum sip_transport_protocol protocol, const char *host, guint16 port,
                                            guint connection_id, const char *data, gsize length, void *user_data);
void sip_transport_layer_set_send_override(struct sip_transport_layer *layer, sip_transport_send_func func,
                                           void *user_data);

/* Delivers bytes as if they had arrived from peer, through the same checks
 * as the network: for UDP one datagram (over SIP_MAX_MESSAGE_SIZE dropped,
 * CRLF keep-alives ignored); for TCP/TLS a stream segment, framed by
 * Content-Length (complete messages are delivered; an incomplete tail, an
 * oversize message or unframeable bytes are dropped as a connection would). */
void sip_transport_inject(struct sip_transport_layer *layer, const struct sip_transport_peer *peer,
                          const char *data, gsize length);

/* What failed, for the failure callback. */
enum sip_transport_failure_kind
{
    SIP_TRANSPORT_FAILURE_UNREACHABLE,      /* refused, unreachable, reset, TLS handshake failed */
    SIP_TRANSPORT_FAILURE_CERTIFICATE,      /* TLS: the server's certificate was not accepted
                                               (untrusted, expired, or not for the server name) */
};

struct sip_transport_failure
{
    enum sip_transport_failure_kind kind;
    enum sip_transport_protocol protocol;
    guint connection_id;                    /* the stream connection; 0 for UDP */
    const char *remote_ip;                  /* the destination that failed */
    guint16 remote_port;
};

/* Outgoing stream connections that fail before they open (connection
 * refused, unreachable, TLS handshake failed), and UDP destinations that
 * answered a datagram with an ICMP error, are reported to func, from the
 * main context (never from inside sip_transport_send()), so the
 * transactions waiting on them can fail at once. */
typedef void (*sip_transport_failure_func)(const struct sip_transport_failure *failure, void *user_data);
void sip_transport_layer_set_failure_callback(struct sip_transport_layer *layer, sip_transport_failure_func func,
                                              void *user_data);

/* A pong arrived on connection_id after our ping. */
typedef void (*sip_transport_pong_func)(guint connection_id, void *user_data);
void sip_transport_layer_set_pong_callback(struct sip_transport_layer *layer, sip_transport_pong_func func,
                                           void *user_data);

/* The Content-Length framing of a stream (§18.3), exposed for unit tests. */
enum sip_frame_result
{
    SIP_FRAME_INCOMPLETE,       /* need more bytes */
    SIP_FRAME_MESSAGE,          /* a whole message of *message_length bytes */
    SIP_FRAME_OVERSIZE,         /* a valid message over SIP_MAX_MESSAGE_SIZE: discard
                                   *message_length bytes (maybe more than received) */
    SIP_FRAME_BROKEN,           /* unusable Content-Length, or a header section over
                                   SIP_MAX_MESSAGE_SIZE: the stream cannot be resynced */
};

/* Looks at the bytes received so far. *skip is always set: leading CRLF
 * keep-alives to drop before the message (*message_length does not count
 * them). A missing Content-Length means an empty body. */
enum sip_frame_result sip_stream_frame(const char *data, gsize length, gsize *skip, gsize *message_length);

G_END_DECLS

#endif /* RTCSHIM_SIP_TRANSPORT_H */
