/*
 * SIP transports over GIO: UDP datagrams, and TCP/TLS streams framed by
 * Content-Length. See transport.h for the rules.
 *
 * UDP uses the socket descriptor directly (recvfrom/sendto) so a datagram
 * costs no GObject allocation; GSocket still owns the descriptor and gives
 * the readiness source. Streams go through GIOStream (a GSocketConnection,
 * wrapped in a GTlsConnection for TLS) with the pollable non-blocking API.
 */
#ifndef G_LOG_DOMAIN
#define G_LOG_DOMAIN "rtcshim"
#endif

#include <string.h>

#include "platform.h"
#include "tls_identity.h"
#include "transport.h"

/* Datagrams and stream reads handled per readiness dispatch, so one busy
 * socket cannot starve the rest of the main loop. */
#define READS_PER_DISPATCH 64
#define STREAM_READ_CHUNK 16384
#define UDP_SOCKET_BUFFER (4 * 1024 * 1024)

enum connection_state
{
    CONNECTION_CONNECTING,      /* TCP connect in progress */
    CONNECTION_HANDSHAKING,     /* TLS handshake in progress */
    CONNECTION_OPEN,
    CONNECTION_CLOSED,
};

struct listener
{
    struct sip_transport_layer *layer;
    enum sip_transport_protocol protocol;
    GSocket *socket;
    GSource *source;
    GSocketFamily family;
    gboolean wildcard;                  /* bound to 0.0.0.0 or :: */
    char host[SIP_HOST_BUFFER_SIZE];
    guint16 port;
    gint64 backlog_since;               /* UDP: a read ended with datagrams left since then; 0 = drained
                                           (the backlog where the system stamps no arrival times) */
    gboolean reading;                   /* UDP: inside udp_readable() (its source may recurse) */
};

struct connection
{
    gint refcount;
    struct sip_transport_layer *layer;  /* NULL once closed */
    guint id;
    enum sip_transport_protocol protocol;
    enum connection_state state;
    gboolean incoming;
    char *remote_key;                   /* "TCP|ip|port[|name]", key in layer->connections_by_remote */
    char remote_ip[SIP_HOST_BUFFER_SIZE];
    guint16 remote_port;
    char *server_name;                  /* outgoing TLS: the name the certificate must carry (RFC 5922) */
    gboolean certificate_refused;       /* the handshake failed on the server's certificate */
    guint crlf_lines;                   /* line ends received since the last message (ping/pong) */
    gboolean ping_outstanding;          /* we sent a ping and await its pong */
    GSocket *socket;
    GIOStream *stream;                  /* GSocketConnection, or the GTlsConnection over it */
    GCancellable *cancellable;          /* the TLS handshake */
    GSource *connect_source;
    GSource *read_source;
    GSource *write_source;
    GByteArray *input;
    GByteArray *output;
    guint64 discard;                    /* bytes of an oversize message still to drop */
};

struct sip_transport_layer
{
    GMainContext *context;
    sip_transport_receive_func receive;
    void *receive_data;
    GPtrArray *listeners;               /* struct listener * */
    GHashTable *connections_by_id;      /* id -> struct connection * (holds a reference) */
    GHashTable *connections_by_remote;  /* remote_key -> struct connection * */
    guint last_connection_id;
    GTlsCertificate *certificate;
    GTlsDatabase *ca_database;
    struct sip_transport_stats stats;
    char *datagram;                     /* SIP_MAX_MESSAGE_SIZE + 1 bytes */
    sip_transport_send_func send_override;      /* tests and the fuzzer: the network's stand-in */
    void *send_override_data;
    sip_transport_failure_func failure;         /* outgoing connections that never opened */
    void *failure_data;
    sip_transport_pong_func pong;               /* keep-alive answers */
    void *pong_data;
};

static const char *protocol_name(enum sip_transport_protocol protocol)
{
    return sip_transport_protocol_name(protocol);
}

/* ---- addresses ------------------------------------------------------------ */

/* Parses an IP literal (brackets allowed) or "localhost" into a sockaddr. */
static gboolean parse_address(const char *host, guint16 port, struct sockaddr_storage *address,
                              socklen_t *address_length)
{
    char buffer[SIP_HOST_BUFFER_SIZE];
    struct sockaddr_in *in4 = (struct sockaddr_in *)address;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)address;
    gsize length;

    if (!host)
        return FALSE;
    length = strlen(host);
    if (length >= 2 && host[0] == '[' && host[length - 1] == ']')
    {
        host++;
        length -= 2;
    }
    if (length == 0 || length >= sizeof(buffer))
        return FALSE;
    memcpy(buffer, host, length);
    buffer[length] = 0;
    if (!g_ascii_strcasecmp(buffer, "localhost"))
        strcpy(buffer, "127.0.0.1");

    memset(address, 0, sizeof(*address));
    if (inet_pton(AF_INET, buffer, &in4->sin_addr) == 1)
    {
        in4->sin_family = AF_INET;
        in4->sin_port = htons(port);
        *address_length = sizeof(*in4);
        return TRUE;
    }
    if (inet_pton(AF_INET6, buffer, &in6->sin6_addr) == 1)
    {
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons(port);
        *address_length = sizeof(*in6);
        return TRUE;
    }
    return FALSE;
}

/* Dotted decimal, as inet_ntop() writes it, without the printf() inside
 * it: every datagram we receive is described this way. */
static void format_ipv4(const struct in_addr *address, char *ip)
{
    const guint8 *bytes = (const guint8 *)&address->s_addr;
    int i;

    for (i = 0; i < 4; i++)
    {
        guint8 value = bytes[i];

        if (value >= 100)
            *ip++ = (char)('0' + value / 100);
        if (value >= 10)
            *ip++ = (char)('0' + value / 10 % 10);
        *ip++ = (char)('0' + value % 10);
        *ip++ = i < 3 ? '.' : '\0';
    }
}

/* Canonical text form of a sockaddr's IP, and its port. */
static void describe_address(const struct sockaddr_storage *address, char *ip, guint16 *port)
{
    if (address->ss_family == AF_INET6)
    {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)address;
        inet_ntop(AF_INET6, &in6->sin6_addr, ip, SIP_HOST_BUFFER_SIZE);
        *port = ntohs(in6->sin6_port);
    }
    else
    {
        const struct sockaddr_in *in4 = (const struct sockaddr_in *)address;
        format_ipv4(&in4->sin_addr, ip);
        *port = ntohs(in4->sin_port);
    }
}

gboolean sip_transport_host_is_usable(const char *host)
{
    struct sockaddr_storage address;
    socklen_t length;

    return parse_address(host, 0, &address, &length);
}

/* A TLS connection made for a server name is that name's only. */
static char *make_remote_key(enum sip_transport_protocol protocol, const char *ip, guint16 port,
                             const char *server_name)
{
    if (protocol == SIP_TRANSPORT_TLS && server_name)
        return g_strdup_printf("%s|%s|%u|%s", protocol_name(protocol), ip, port, server_name);
    return g_strdup_printf("%s|%s|%u", protocol_name(protocol), ip, port);
}

/* ---- stream framing --------------------------------------------------------- */

/* Finds the end of the header section (the empty line); returns the offset
 * of the first body byte or 0 if not there yet. Bare LF line ends are
 * accepted as well as CRLF. */
static gsize find_header_end(const char *data, gsize length)
{
    gsize i;

    for (i = 0; i + 1 < length; i++)
    {
        if (data[i] != '\n')
            continue;
        if (data[i + 1] == '\n')
            return i + 2;
        if (data[i + 1] == '\r' && i + 2 < length && data[i + 2] == '\n')
            return i + 3;
    }
    return 0;
}

/* The Content-Length value of a header section, -1 when malformed, 0 when absent. */
static gint64 header_content_length(const char *data, gsize length)
{
    gint64 value = 0;
    gsize i = 0;

    while (i < length)
    {
        gsize line_end = i, name_end;
        const char *line = data + i;

        while (line_end < length && data[line_end] != '\n')
            line_end++;
        /* header name up to ':' (whitespace before the colon is allowed) */
        for (name_end = i; name_end < line_end && data[name_end] != ':'; name_end++)
            ;
        if (name_end < line_end)
        {
            gsize name_length = name_end - i;

            while (name_length && (line[name_length - 1] == ' ' || line[name_length - 1] == '\t'))
                name_length--;
            if ((name_length == 14 && !g_ascii_strncasecmp(line, "Content-Length", 14))
                || (name_length == 1 && g_ascii_tolower(line[0]) == 'l'))
            {
                const char *p = data + name_end + 1, *end = data + line_end;
                gboolean digits = FALSE;

                value = 0;
                while (p < end && (*p == ' ' || *p == '\t'))
                    p++;
                while (p < end && g_ascii_isdigit(*p))
                {
                    value = value * 10 + (*p - '0');
                    if (value > G_MAXINT32)
                        return -1;
                    digits = TRUE;
                    p++;
                }
                while (p < end && (*p == ' ' || *p == '\t' || *p == '\r'))
                    p++;
                if (!digits || p != end)
                    return -1;
            }
        }
        i = line_end + 1;
    }
    return value;
}

enum sip_frame_result sip_stream_frame(const char *data, gsize length, gsize *skip, gsize *message_length)
{
    gsize start = 0, header_end;
    gint64 content_length;

    *message_length = 0;
    while (start < length && (data[start] == '\r' || data[start] == '\n'))
        start++;
    *skip = start;
    data += start;
    length -= start;
    if (!length)
        return SIP_FRAME_INCOMPLETE;

    header_end = find_header_end(data, MIN(length, SIP_MAX_MESSAGE_SIZE));
    if (!header_end)
        return length >= SIP_MAX_MESSAGE_SIZE ? SIP_FRAME_BROKEN : SIP_FRAME_INCOMPLETE;

    content_length = header_content_length(data, header_end);
    if (content_length < 0)
        return SIP_FRAME_BROKEN;
    *message_length = header_end + (gsize)content_length;
    if (*message_length > SIP_MAX_MESSAGE_SIZE)
        return SIP_FRAME_OVERSIZE;
    return length >= *message_length ? SIP_FRAME_MESSAGE : SIP_FRAME_INCOMPLETE;
}

/* ---- connections -------------------------------------------------------------- */

static struct connection *connection_ref(struct connection *conn)
{
    g_atomic_int_inc(&conn->refcount);
    return conn;
}

static void connection_unref(struct connection *conn)
{
    if (!g_atomic_int_dec_and_test(&conn->refcount))
        return;
    g_clear_object(&conn->stream);
    g_clear_object(&conn->socket);
    g_clear_object(&conn->cancellable);
    g_byte_array_unref(conn->input);
    g_byte_array_unref(conn->output);
    g_free(conn->remote_key);
    g_free(conn->server_name);
    g_free(conn);
}

static void clear_source(GSource **source)
{
    if (*source)
    {
        g_source_destroy(*source);
        g_source_unref(*source);
        *source = NULL;
    }
}

static void connection_close(struct connection *conn, const char *why)
{
    struct sip_transport_layer *layer = conn->layer;

    if (conn->state == CONNECTION_CLOSED)
        return;
    g_debug("%s connection %u to %s:%u closed: %s", protocol_name(conn->protocol), conn->id,
            conn->remote_ip, conn->remote_port, why);
    conn->state = CONNECTION_CLOSED;
    clear_source(&conn->connect_source);
    clear_source(&conn->read_source);
    clear_source(&conn->write_source);
    if (conn->cancellable)
        g_cancellable_cancel(conn->cancellable);
    /* Closing the socket is enough: no TLS close_notify, which could block. */
    if (conn->socket)
        g_socket_close(conn->socket, NULL);
    conn->layer = NULL;
    layer->stats.connections_closed++;
    if (g_hash_table_lookup(layer->connections_by_remote, conn->remote_key) == conn)
        g_hash_table_remove(layer->connections_by_remote, conn->remote_key);
    g_hash_table_remove(layer->connections_by_id, GUINT_TO_POINTER(conn->id));   /* drops the table's reference */
}

static gboolean connection_writable(GObject *stream, gpointer user_data);

/* Writes what is queued; keeps a write source while the socket is full. */
static void connection_flush(struct connection *conn)
{
    GPollableOutputStream *out;

    if (conn->state != CONNECTION_OPEN)
        return;
    out = G_POLLABLE_OUTPUT_STREAM(g_io_stream_get_output_stream(conn->stream));
    while (conn->output->len)
    {
        GError *error = NULL;
        gssize written = g_pollable_output_stream_write_nonblocking(out, conn->output->data,
                                                                    conn->output->len, NULL, &error);
        if (written < 0)
        {
            if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
            {
                g_error_free(error);
                if (!conn->write_source)
                {
                    conn->write_source = g_pollable_output_stream_create_source(out, NULL);
                    g_source_set_callback(conn->write_source, G_SOURCE_FUNC(connection_writable), conn, NULL);
                    g_source_attach(conn->write_source, conn->layer->context);
                }
                return;
            }
            connection_close(conn, error->message);
            g_error_free(error);
            return;
        }
        g_byte_array_remove_range(conn->output, 0, written);
    }
    clear_source(&conn->write_source);
}

static gboolean connection_writable(GObject *stream, gpointer user_data)
{
    struct connection *conn = user_data;

    (void)stream;
    connection_ref(conn);
    /* connection_flush() destroys this source once the queue is empty; the
     * reference keeps conn alive until we are out of it. */
    connection_flush(conn);
    connection_unref(conn);
    return G_SOURCE_CONTINUE;
}

static void connection_deliver(struct connection *conn, const char *data, gsize length)
{
    struct sip_transport_layer *layer = conn->layer;
    struct sip_transport_peer peer = { 0 };

    peer.protocol = conn->protocol;
    peer.remote_ip = conn->remote_ip;
    peer.remote_port = conn->remote_port;
    peer.connection_id = conn->id;
    layer->stats.messages_received++;
    layer->receive(data, length, &peer, layer->receive_data);
}

static gboolean connection_send(struct connection *conn, const char *data, gsize length, GError **error);

/* Line ends between messages (RFC 5626 §4.4.1): CRLF CRLF is a ping, which
 * gets a CRLF pong; a lone CRLF after our own ping is its pong. A stray
 * CRLF before a message (RFC 3261 §7.5) is neither. */
static void connection_count_line_ends(struct connection *conn, const guint8 *skipped, gsize length,
                                       gboolean message_follows)
{
    gsize i;

    for (i = 0; i < length; i++)
        if (skipped[i] == '\n')
            conn->crlf_lines++;
    while (conn->crlf_lines >= 2)
    {
        conn->crlf_lines -= 2;
        g_debug("%s connection %u: ping, answering pong", protocol_name(conn->protocol), conn->id);
        connection_send(conn, "\r\n", 2, NULL);
        if (conn->state != CONNECTION_OPEN)
            return;
    }
    if (conn->crlf_lines == 1 && (conn->ping_outstanding || message_follows))
    {
        conn->crlf_lines = 0;
        if (conn->ping_outstanding)
        {
            conn->ping_outstanding = FALSE;
            if (conn->layer->pong)
                conn->layer->pong(conn->id, conn->layer->pong_data);
        }
    }
}

/* Cuts complete messages out of the input buffer and hands them up. */
static void connection_process_input(struct connection *conn)
{
    while (conn->state == CONNECTION_OPEN && conn->input->len)
    {
        gsize skip, message_length;
        enum sip_frame_result result;

        if (conn->discard)
        {
            gsize drop = MIN(conn->discard, conn->input->len);
            g_byte_array_remove_range(conn->input, 0, drop);
            conn->discard -= drop;
            continue;
        }

        result = sip_stream_frame((const char *)conn->input->data, conn->input->len, &skip, &message_length);
        if (skip)
        {
            connection_count_line_ends(conn, conn->input->data, skip, skip < conn->input->len);
            if (conn->state != CONNECTION_OPEN)
                return;
            g_byte_array_remove_range(conn->input, 0, skip);
        }
        else if (conn->crlf_lines)
        {
            connection_count_line_ends(conn, NULL, 0, TRUE);
        }
        switch (result)
        {
        case SIP_FRAME_INCOMPLETE:
            return;
        case SIP_FRAME_MESSAGE:
            connection_deliver(conn, (const char *)conn->input->data, message_length);
            if (conn->state == CONNECTION_OPEN)
                g_byte_array_remove_range(conn->input, 0, message_length);
            break;
        case SIP_FRAME_OVERSIZE:
            g_debug("%s connection %u: dropping a %" G_GSIZE_FORMAT "-byte message",
                    protocol_name(conn->protocol), conn->id, message_length);
            conn->layer->stats.oversize_dropped++;
            conn->discard = message_length;
            break;
        case SIP_FRAME_BROKEN:
            if (conn->input->len >= SIP_MAX_MESSAGE_SIZE)
                conn->layer->stats.oversize_dropped++;
            connection_close(conn, "unframeable input");
            return;
        }
    }
}

static gboolean connection_readable(GObject *stream, gpointer user_data)
{
    struct connection *conn = user_data;
    GPollableInputStream *in = G_POLLABLE_INPUT_STREAM(stream);
    gboolean keep;
    int i;

    connection_ref(conn);
    for (i = 0; i < READS_PER_DISPATCH && conn->state == CONNECTION_OPEN; i++)
    {
        GError *error = NULL;
        guint old_length = conn->input->len;
        gssize got;

        g_byte_array_set_size(conn->input, old_length + STREAM_READ_CHUNK);
        got = g_pollable_input_stream_read_nonblocking(in, conn->input->data + old_length,
                                                       STREAM_READ_CHUNK, NULL, &error);
        g_byte_array_set_size(conn->input, old_length + MAX(got, 0));
        if (got < 0)
        {
            if (!g_error_matches(error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
                connection_close(conn, error->message);
            g_error_free(error);
            break;
        }
        if (got == 0)
        {
            connection_close(conn, "closed by peer");
            break;
        }
        connection_process_input(conn);
    }
    keep = conn->state != CONNECTION_CLOSED;
    connection_unref(conn);
    return keep ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

/* TCP connected (and TLS handshaken): start reading, send what was queued. */
static void connection_opened(struct connection *conn)
{
    GInputStream *in = g_io_stream_get_input_stream(conn->stream);

    conn->state = CONNECTION_OPEN;
    g_debug("%s connection %u to %s:%u open", protocol_name(conn->protocol), conn->id,
            conn->remote_ip, conn->remote_port);
    conn->read_source = g_pollable_input_stream_create_source(G_POLLABLE_INPUT_STREAM(in), NULL);
    g_source_set_callback(conn->read_source, G_SOURCE_FUNC(connection_readable), conn, NULL);
    g_source_attach(conn->read_source, conn->layer->context);
    connection_flush(conn);
}

/* An outgoing connection failed before it opened: close it and tell the
 * layer's user (from a source dispatch, never from inside a send). */
static void connection_fail(struct connection *conn, const char *why)
{
    struct sip_transport_layer *layer = conn->layer;
    gboolean report = layer && !conn->incoming && conn->state != CONNECTION_OPEN && conn->state != CONNECTION_CLOSED;
    struct sip_transport_failure failure;

    /* Closing drops the table's reference, maybe the last: keep it for the report. */
    connection_ref(conn);
    connection_close(conn, why);
    if (report && layer->failure)
    {
        failure.kind = conn->certificate_refused ? SIP_TRANSPORT_FAILURE_CERTIFICATE
                                                 : SIP_TRANSPORT_FAILURE_UNREACHABLE;
        failure.protocol = conn->protocol;
        failure.connection_id = conn->id;
        failure.remote_ip = conn->remote_ip;
        failure.remote_port = conn->remote_port;
        layer->failure(&failure, layer->failure_data);
    }
    connection_unref(conn);
}

/* RFC 5922 §7: does the server's certificate name the server name? Logs why not. */
static gboolean connection_identity_ok(struct connection *conn, GTlsCertificate *certificate)
{
    GByteArray *der = NULL;
    char *identities = NULL;
    gboolean ok;

    if (certificate)
        g_object_get(certificate, "certificate", &der, NULL);
    ok = der && sip_tls_certificate_names_domain(der->data, der->len, conn->server_name, &identities);
    if (!ok)
        g_message("TLS: the certificate of %s:%u is not for the SIP domain \"%s\" (it names %s): refused",
                  conn->remote_ip, conn->remote_port, conn->server_name, identities ? identities : "nothing");
    g_free(identities);
    if (der)
        g_byte_array_unref(der);
    return ok;
}

/* GIO's check found fault with the certificate. A certificate whose only
 * fault is the name is ours to judge (RFC 5922 accepts a sip: URI that
 * GIO's host name check does not know); any other fault stands. */
static gboolean connection_accept_certificate(GTlsConnection *tls, GTlsCertificate *certificate,
                                              GTlsCertificateFlags errors, gpointer user_data)
{
    struct connection *conn = user_data;

    (void)tls;
    if (errors == G_TLS_CERTIFICATE_BAD_IDENTITY && conn->server_name && connection_identity_ok(conn, certificate))
        return TRUE;
    if (errors != G_TLS_CERTIFICATE_BAD_IDENTITY || !conn->server_name)
        g_message("TLS: the certificate of %s:%u is not trusted (flags 0x%x): refused", conn->remote_ip,
                  conn->remote_port, (unsigned int)errors);
    conn->certificate_refused = TRUE;
    return FALSE;
}

static void connection_handshake_done(GObject *object, GAsyncResult *result, gpointer user_data)
{
    struct connection *conn = user_data;    /* the reference taken for the handshake */
    GError *error = NULL;

    if (!g_tls_connection_handshake_finish(G_TLS_CONNECTION(object), result, &error))
    {
        if (conn->state != CONNECTION_CLOSED)
        {
            g_message("TLS handshake with %s:%u failed: %s", conn->remote_ip, conn->remote_port, error->message);
            if (g_error_matches(error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE))
                conn->certificate_refused = TRUE;
            connection_fail(conn, "TLS handshake failed");
        }
        g_error_free(error);
    }
    else if (conn->state == CONNECTION_HANDSHAKING)
    {
        /* GIO accepted the name by its own rules (DNS names, wildcards);
         * RFC 5922's are stricter: a sip: URI wins, no wildcard. */
        if (conn->server_name && !conn->incoming
            && !connection_identity_ok(conn, g_tls_connection_get_peer_certificate(G_TLS_CONNECTION(object))))
        {
            conn->certificate_refused = TRUE;
            connection_fail(conn, "TLS certificate not for the SIP domain");
        }
        else
            connection_opened(conn);
    }
    connection_unref(conn);
}

/* Wraps the connected socket in streams; starts TLS if needed. */
static gboolean connection_start_streams(struct connection *conn, GError **error)
{
    GSocketConnection *base = g_socket_connection_factory_create_connection(conn->socket);
    struct sip_transport_layer *layer = conn->layer;
    GIOStream *tls;

    if (conn->protocol != SIP_TRANSPORT_TLS)
    {
        conn->stream = G_IO_STREAM(base);
        connection_opened(conn);
        return TRUE;
    }

    if (conn->incoming)
    {
        tls = g_tls_server_connection_new(G_IO_STREAM(base), layer->certificate, error);
    }
    else
    {
        /* The name we meant to reach (SNI, and RFC 5922), else the address. */
        GSocketConnectable *identity = g_network_address_new(conn->server_name ? conn->server_name : conn->remote_ip,
                                                             conn->remote_port);
        tls = g_tls_client_connection_new(G_IO_STREAM(base), identity, error);
        g_object_unref(identity);
        if (tls && layer->ca_database)
            g_tls_connection_set_database(G_TLS_CONNECTION(tls), layer->ca_database);
        if (tls)
            g_signal_connect(tls, "accept-certificate", G_CALLBACK(connection_accept_certificate), conn);
    }
    g_object_unref(base);
    if (!tls)
        return FALSE;
    g_tls_connection_set_require_close_notify(G_TLS_CONNECTION(tls), FALSE);
    conn->stream = tls;
    conn->state = CONNECTION_HANDSHAKING;
    conn->cancellable = g_cancellable_new();
    /* The handshake's completion is dispatched on the thread-default context. */
    g_main_context_push_thread_default(layer->context);
    g_tls_connection_handshake_async(G_TLS_CONNECTION(tls), G_PRIORITY_DEFAULT, conn->cancellable,
                                     connection_handshake_done, connection_ref(conn));
    g_main_context_pop_thread_default(layer->context);
    return TRUE;
}

static gboolean connection_connected(GSocket *socket, GIOCondition condition, gpointer user_data)
{
    struct connection *conn = user_data;
    GError *error = NULL;

    (void)condition;
    g_source_unref(conn->connect_source);
    conn->connect_source = NULL;
    if (!g_socket_check_connect_result(socket, &error) || !connection_start_streams(conn, &error))
    {
        g_message("%s connection to %s:%u failed: %s", protocol_name(conn->protocol),
                  conn->remote_ip, conn->remote_port, error->message);
        connection_fail(conn, error->message);
        g_error_free(error);
    }
    return G_SOURCE_REMOVE;
}

static struct connection *connection_new(struct sip_transport_layer *layer, enum sip_transport_protocol protocol,
                                         GSocket *socket, const char *ip, guint16 port, const char *server_name,
                                         gboolean incoming)
{
    struct connection *conn = g_new0(struct connection, 1);

    conn->refcount = 1;     /* the reference of connections_by_id */
    conn->layer = layer;
    conn->id = ++layer->last_connection_id;
    if (!conn->id)
        conn->id = ++layer->last_connection_id;     /* 0 means "none" */
    conn->protocol = protocol;
    conn->incoming = incoming;
    conn->socket = socket;
    g_strlcpy(conn->remote_ip, ip, sizeof(conn->remote_ip));
    conn->remote_port = port;
    conn->server_name = protocol == SIP_TRANSPORT_TLS && server_name ? g_strdup(server_name) : NULL;
    conn->remote_key = make_remote_key(protocol, ip, port, conn->server_name);
    conn->input = g_byte_array_new();
    conn->output = g_byte_array_new();
    g_hash_table_insert(layer->connections_by_id, GUINT_TO_POINTER(conn->id), conn);
    g_hash_table_replace(layer->connections_by_remote, conn->remote_key, conn);
    layer->stats.connections_opened++;
    return conn;
}

static struct connection *connection_connect(struct sip_transport_layer *layer, enum sip_transport_protocol protocol,
                                             const struct sockaddr_storage *address, socklen_t address_length,
                                             const char *server_name, GError **error)
{
    char ip[SIP_HOST_BUFFER_SIZE];
    struct connection *conn;
    GSocketAddress *remote;
    GSocket *socket;
    GError *connect_error = NULL;
    guint16 port;

    if (protocol == SIP_TRANSPORT_TLS && !g_tls_backend_supports_tls(g_tls_backend_get_default()))
    {
        g_set_error(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_TRANSPORT, "no TLS backend (install glib-networking)");
        return NULL;
    }
    if (g_hash_table_size(layer->connections_by_id) >= SIP_TRANSPORT_MAX_CONNECTIONS)
    {
        g_set_error(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_TRANSPORT, "too many connections");
        return NULL;
    }
    describe_address(address, ip, &port);
    socket = g_socket_new(address->ss_family == AF_INET6 ? G_SOCKET_FAMILY_IPV6 : G_SOCKET_FAMILY_IPV4,
                          G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, error);
    if (!socket)
        return NULL;
    g_socket_set_blocking(socket, FALSE);
    remote = g_socket_address_new_from_native((gpointer)address, address_length);
    conn = connection_new(layer, protocol, socket, ip, port, server_name, FALSE);
    conn->state = CONNECTION_CONNECTING;
    if (g_socket_connect(socket, remote, NULL, &connect_error))
    {
        if (!connection_start_streams(conn, error))
        {
            connection_close(conn, "stream setup failed");
            conn = NULL;
        }
    }
    else if (g_error_matches(connect_error, G_IO_ERROR, G_IO_ERROR_PENDING))
    {
        conn->connect_source = g_socket_create_source(socket, G_IO_OUT, NULL);
        g_source_set_callback(conn->connect_source, G_SOURCE_FUNC(connection_connected), conn, NULL);
        g_source_attach(conn->connect_source, layer->context);
        g_clear_error(&connect_error);
    }
    else
    {
        g_propagate_error(error, connect_error);
        connection_close(conn, "connect failed");
        conn = NULL;
    }
    g_object_unref(remote);
    return conn;
}

/* Queues data on a connection and writes as much as the socket takes. */
static gboolean connection_send(struct connection *conn, const char *data, gsize length, GError **error)
{
    if (conn->output->len + length > SIP_TRANSPORT_MAX_QUEUED_OUTPUT)
    {
        g_set_error(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_TRANSPORT,
                    "%s connection to %s:%u is not draining", protocol_name(conn->protocol),
                    conn->remote_ip, conn->remote_port);
        connection_close(conn, "output queue full");
        return FALSE;
    }
    g_byte_array_append(conn->output, (const guint8 *)data, length);
    connection_flush(conn);
    if (conn->state == CONNECTION_CLOSED)
    {
        g_set_error(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_TRANSPORT, "%s connection to %s:%u failed",
                    protocol_name(conn->protocol), conn->remote_ip, conn->remote_port);
        return FALSE;
    }
    return TRUE;
}

/* ---- listeners ------------------------------------------------------------------ */

static void listener_free(struct listener *listener)
{
    clear_source(&listener->source);
    if (listener->socket)
    {
        g_socket_close(listener->socket, NULL);
        g_object_unref(listener->socket);
    }
    g_free(listener);
}

/* ICMP errors for datagrams we sent (where the system reports them with
 * their destination, platform.h): each destination that refused is
 * reported like a failed connection. */
static void udp_read_refusals(struct listener *listener)
{
    struct sip_transport_layer *layer = listener->layer;
    struct sockaddr_storage destination;
    int i;

    for (i = 0; i < READS_PER_DISPATCH && sip_socket_read_refusal(listener->socket, &destination); i++)
    {
        struct sip_transport_failure failure;
        char ip[SIP_HOST_BUFFER_SIZE];
        guint16 port;

        if (!layer->failure)
            continue;
        describe_address(&destination, ip, &port);
        g_debug("UDP %s:%u refused a datagram (ICMP)", ip, port);
        failure.kind = SIP_TRANSPORT_FAILURE_UNREACHABLE;
        failure.protocol = SIP_TRANSPORT_UDP;
        failure.connection_id = 0;
        failure.remote_ip = ip;
        failure.remote_port = port;
        layer->failure(&failure, layer->failure_data);
    }
}

static gboolean udp_readable(GSocket *socket, GIOCondition condition, gpointer user_data)
{
    struct listener *listener = user_data;
    struct sip_transport_layer *layer = listener->layer;
    gint64 now = g_get_monotonic_time();
    guint undrained_ms = listener->backlog_since ? (guint)MIN((now - listener->backlog_since) / 1000, G_MAXUINT) : 0;
    int i;

    /* Its source may recurse (see listen): a main loop run from inside a
     * read must not read again underneath it. */
    if (listener->reading)
        return G_SOURCE_CONTINUE;
    listener->reading = TRUE;
    if (condition & G_IO_ERR)
        udp_read_refusals(listener);
    for (i = 0; i < READS_PER_DISPATCH; i++)
    {
        struct sockaddr_storage from;
        char ip[SIP_HOST_BUFFER_SIZE];
        struct sip_transport_peer peer;
        gboolean oversize;
        gint64 waited_us;
        gssize got, j;
        guint16 port;

        got = sip_socket_receive_datagram(socket, layer->datagram, SIP_MAX_MESSAGE_SIZE + 1, &from, &oversize,
                                          &waited_us);
        if (got < 0)
            break;      /* nothing waiting, or an ICMP error on the socket (udp_read_refusals()) */
        if (oversize || got > SIP_MAX_MESSAGE_SIZE)
        {
            layer->stats.oversize_dropped++;
            continue;
        }
        /* CRLF keep-alives (RFC 5626) and empty datagrams carry nothing. */
        for (j = 0; j < got && (layer->datagram[j] == '\r' || layer->datagram[j] == '\n'); j++)
            ;
        if (j == got)
            continue;

        describe_address(&from, ip, &port);
        peer.protocol = SIP_TRANSPORT_UDP;
        peer.remote_ip = ip;
        peer.remote_port = port;
        peer.connection_id = 0;
        /* The engine's overload signal: how long this message waited unread
         * (reads are in arrival order, so the wait every new one sees). */
        peer.backlog_ms = waited_us >= 0 ? (guint)MIN(waited_us / 1000, G_MAXUINT) : undrained_ms;
        layer->stats.messages_received++;
        layer->receive(layer->datagram, got, &peer, layer->receive_data);
    }
    /* Where the system stamps no arrival times, the signal is how long the
     * socket has not been drained: messages wait longer and longer. */
    if (i < READS_PER_DISPATCH)
        listener->backlog_since = 0;
    else if (!listener->backlog_since)
        listener->backlog_since = now;
    listener->reading = FALSE;
    return G_SOURCE_CONTINUE;
}

static gboolean stream_acceptable(GSocket *socket, GIOCondition condition, gpointer user_data)
{
    struct listener *listener = user_data;
    struct sip_transport_layer *layer = listener->layer;
    int i;

    (void)condition;
    for (i = 0; i < READS_PER_DISPATCH; i++)
    {
        struct sockaddr_storage native;
        char ip[SIP_HOST_BUFFER_SIZE];
        GSocketAddress *remote;
        struct connection *conn;
        GError *error = NULL;
        GSocket *accepted;
        guint16 port;

        accepted = g_socket_accept(socket, NULL, &error);
        if (!accepted)
        {
            g_error_free(error);
            break;
        }
        remote = g_socket_get_remote_address(accepted, NULL);
        if (!remote || g_hash_table_size(layer->connections_by_id) >= SIP_TRANSPORT_MAX_CONNECTIONS
            || !g_socket_address_to_native(remote, &native, sizeof(native), NULL))
        {
            g_message("refusing a %s connection", protocol_name(listener->protocol));
            g_clear_object(&remote);
            g_socket_close(accepted, NULL);
            g_object_unref(accepted);
            continue;
        }
        g_object_unref(remote);
        describe_address(&native, ip, &port);
        g_socket_set_blocking(accepted, FALSE);
        conn = connection_new(layer, listener->protocol, accepted, ip, port, NULL, TRUE);
        if (!connection_start_streams(conn, &error))
        {
            g_message("%s connection from %s:%u: %s", protocol_name(conn->protocol), ip, port, error->message);
            g_error_free(error);
            connection_close(conn, "stream setup failed");
        }
    }
    return G_SOURCE_CONTINUE;
}

gboolean sip_transport_listen(struct sip_transport_layer *layer, enum sip_transport_protocol protocol,
                              const char *address, guint16 port, guint16 *bound_port, GError **error)
{
    struct sockaddr_storage native;
    socklen_t native_length;
    struct listener *listener;
    GSocketAddress *local;
    gboolean stream = protocol != SIP_TRANSPORT_UDP;

    if (!address)
        address = "0.0.0.0";
    if (!parse_address(address, port, &native, &native_length))
    {
        g_set_error(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_INVALID_ARGUMENT,
                    "cannot listen on \"%s\": not an IP address", address);
        return FALSE;
    }
    if (protocol == SIP_TRANSPORT_TLS && !layer->certificate)
    {
        g_set_error(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_INVALID_ARGUMENT,
                    "a TLS listener needs a certificate");
        return FALSE;
    }

    listener = g_new0(struct listener, 1);
    listener->layer = layer;
    listener->protocol = protocol;
    listener->family = native.ss_family == AF_INET6 ? G_SOCKET_FAMILY_IPV6 : G_SOCKET_FAMILY_IPV4;
    listener->socket = g_socket_new(listener->family, stream ? G_SOCKET_TYPE_STREAM : G_SOCKET_TYPE_DATAGRAM,
                                    stream ? G_SOCKET_PROTOCOL_TCP : G_SOCKET_PROTOCOL_UDP, error);
    if (!listener->socket)
        goto failed;
    g_socket_set_blocking(listener->socket, FALSE);
    if (!stream)
    {
        /* Bursts of datagrams (the benchmark) need room in the kernel. */
        g_socket_set_option(listener->socket, SOL_SOCKET, SO_RCVBUF, UDP_SOCKET_BUFFER, NULL);
        g_socket_set_option(listener->socket, SOL_SOCKET, SO_SNDBUF, UDP_SOCKET_BUFFER, NULL);
        /* ICMP errors for our datagrams, with their destination (udp_read_refusals()). */
        sip_socket_enable_refusal_reports(listener->socket, listener->family);
        /* Arrival times: how long a message waited is the overload signal (udp_readable()). */
        sip_socket_enable_receive_times(listener->socket);
    }
    local = g_socket_address_new_from_native(&native, native_length);
    if (!g_socket_bind(listener->socket, local, stream, error))
    {
        g_object_unref(local);
        goto failed;
    }
    g_object_unref(local);
    if (stream)
    {
        g_socket_set_listen_backlog(listener->socket, 128);
        if (!g_socket_listen(listener->socket, error))
            goto failed;
    }

    local = g_socket_get_local_address(listener->socket, error);
    if (!local)
        goto failed;
    g_socket_address_to_native(local, &native, sizeof(native), NULL);
    g_object_unref(local);
    describe_address(&native, listener->host, &listener->port);
    listener->wildcard = !strcmp(listener->host, "0.0.0.0") || !strcmp(listener->host, "::");

    listener->source = g_socket_create_source(listener->socket, G_IO_IN, NULL);
    g_source_set_callback(listener->source,
                          stream ? G_SOURCE_FUNC(stream_acceptable) : G_SOURCE_FUNC(udp_readable), listener, NULL);
    /* GLib takes a source that may not recurse out of the poll set while it
     * dispatches and puts it back after, and each of the two wakes the main
     * loop (an eventfd write, then one more poll and a read): four system
     * calls for every dispatch of the UDP socket, i.e. for every datagram. */
    if (!stream)
        g_source_set_can_recurse(listener->source, TRUE);
    g_source_attach(listener->source, layer->context);
    g_ptr_array_add(layer->listeners, listener);
    g_debug("listening on %s %s:%u", protocol_name(protocol), listener->host, listener->port);
    if (bound_port)
        *bound_port = listener->port;
    return TRUE;

failed:
    g_prefix_error(error, "%s %s:%u: ", protocol_name(protocol), address, port);
    listener_free(listener);
    return FALSE;
}

void sip_transport_unlisten(struct sip_transport_layer *layer, enum sip_transport_protocol protocol, guint16 port)
{
    guint i;

    for (i = layer->listeners->len; i-- > 0;)
    {
        struct listener *listener = g_ptr_array_index(layer->listeners, i);

        if (listener->protocol == protocol && listener->port == port)
        {
            g_debug("no longer listening on %s %s:%u", protocol_name(protocol), listener->host, port);
            g_ptr_array_remove_index(layer->listeners, i);  /* frees it */
            return;
        }
    }
}

static struct listener *find_listener(struct sip_transport_layer *layer, enum sip_transport_protocol protocol,
                                      int family)
{
    guint i;

    for (i = 0; i < layer->listeners->len; i++)
    {
        struct listener *listener = g_ptr_array_index(layer->listeners, i);

        if (listener->protocol != protocol)
            continue;
        if (family == AF_UNSPEC
            || (family == AF_INET6) == (listener->family == G_SOCKET_FAMILY_IPV6))
            return listener;
    }
    return NULL;
}

/* ---- the layer --------------------------------------------------------------------- */

struct sip_transport_layer *sip_transport_layer_new(GMainContext *context, sip_transport_receive_func receive,
                                                    void *user_data)
{
    struct sip_transport_layer *layer = g_new0(struct sip_transport_layer, 1);

    sip_platform_init();
    layer->context = g_main_context_ref(context);
    layer->receive = receive;
    layer->receive_data = user_data;
    layer->listeners = g_ptr_array_new_with_free_func((GDestroyNotify)listener_free);
    layer->connections_by_id = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
                                                     (GDestroyNotify)connection_unref);
    layer->connections_by_remote = g_hash_table_new(g_str_hash, g_str_equal);
    layer->datagram = g_malloc(SIP_MAX_MESSAGE_SIZE + 1);
    return layer;
}

void sip_transport_layer_free(struct sip_transport_layer *layer)
{
    GList *connections, *l;

    if (!layer)
        return;
    connections = g_hash_table_get_values(layer->connections_by_id);
    for (l = connections; l; l = l->next)
        connection_ref(l->data);
    for (l = connections; l; l = l->next)
    {
        connection_close(l->data, "shutting down");
        connection_unref(l->data);
    }
    g_list_free(connections);
    g_hash_table_destroy(layer->connections_by_id);
    g_hash_table_destroy(layer->connections_by_remote);
    g_ptr_array_free(layer->listeners, TRUE);
    g_clear_object(&layer->certificate);
    g_clear_object(&layer->ca_database);
    g_free(layer->datagram);
    g_main_context_unref(layer->context);
    g_free(layer);
}

gboolean sip_transport_send(struct sip_transport_layer *layer, enum sip_transport_protocol protocol,
                            const char *host, guint16 port, guint connection_id,
                            const char *data, gsize length, guint *used_connection_id, GError **error)
{
    return sip_transport_send_named(layer, protocol, host, port, NULL, connection_id, data, length,
                                    used_connection_id, error);
}

gboolean sip_transport_send_named(struct sip_transport_layer *layer, enum sip_transport_protocol protocol,
                                  const char *host, guint16 port, const char *server_name, guint connection_id,
                                  const char *data, gsize length, guint *used_connection_id, GError **error)
{
    struct sockaddr_storage address;
    socklen_t address_length;
    struct connection *conn = NULL;

    if (used_connection_id)
        *used_connection_id = 0;
    if (length > SIP_MAX_MESSAGE_SIZE)
    {
        g_set_error(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_INVALID_ARGUMENT,
                    "message of %" G_GSIZE_FORMAT " bytes is over the 64 KiB limit", length);
        goto failed;
    }
    if (layer->send_override)
    {
        if (used_connection_id)
            *used_connection_id = protocol == SIP_TRANSPORT_UDP ? 0 : connection_id;
        if (!layer->send_override(protocol, host, port, connection_id, data, length, layer->send_override_data))
        {
            g_set_error(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_TRANSPORT, "send to %s:%u refused",
                        host ? host : "(null)", port);
            goto failed;
        }
        layer->stats.messages_sent++;
        return TRUE;
    }

    if (protocol != SIP_TRANSPORT_UDP && connection_id)
    {
        conn = g_hash_table_lookup(layer->connections_by_id, GUINT_TO_POINTER(connection_id));
        if (conn && conn->protocol != protocol)
            conn = NULL;
    }
    if (!conn)
    {
        if (!parse_address(host, port, &address, &address_length))
        {
            g_set_error(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_UNRESOLVABLE,
                        "cannot send to \"%s\": not an IP address (no DNS)", host ? host : "(null)");
            goto failed;
        }
    }

    if (protocol == SIP_TRANSPORT_UDP)
    {
        struct listener *listener = find_listener(layer, SIP_TRANSPORT_UDP, address.ss_family);
        char *reason;

        if (!listener)
        {
            g_set_error(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_NO_TRANSPORT,
                        "no UDP %s listener", address.ss_family == AF_INET6 ? "IPv6" : "IPv4");
            goto failed;
        }
        if (!sip_socket_send_datagram(listener->socket, data, length, &address, address_length, &reason))
        {
            /* A full socket buffer loses the datagram; retransmission covers it. */
            g_set_error(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_TRANSPORT, "UDP send to %s:%u: %s",
                        host, port, reason);
            g_free(reason);
            goto failed;
        }
        layer->stats.messages_sent++;
        return TRUE;
    }

    if (!conn)
    {
        char ip[SIP_HOST_BUFFER_SIZE], *key;
        guint16 canonical_port;

        describe_address(&address, ip, &canonical_port);
        key = make_remote_key(protocol, ip, canonical_port, server_name);
        conn = g_hash_table_lookup(layer->connections_by_remote, key);
        g_free(key);
        if (!conn && !(conn = connection_connect(layer, protocol, &address, address_length, server_name, error)))
            goto failed;
    }
    if (used_connection_id)
        *used_connection_id = conn->id;
    /* A write error closes the connection, which may drop the last reference. */
    connection_ref(conn);
    if (!connection_send(conn, data, length, error))
    {
        connection_unref(conn);
        goto failed;
    }
    connection_unref(conn);
    layer->stats.messages_sent++;
    return TRUE;

failed:
    layer->stats.send_failures++;
    return FALSE;
}

gboolean sip_transport_local_address(struct sip_transport_layer *layer, enum sip_transport_protocol protocol,
                                     const char *destination_ip, char *host, guint16 *port)
{
    struct sockaddr_storage destination;
    socklen_t destination_length;
    struct listener *listener;
    gboolean have_destination;

    have_destination = destination_ip && parse_address(destination_ip, 9, &destination, &destination_length);
    listener = find_listener(layer, protocol, have_destination ? destination.ss_family : AF_UNSPEC);
    if (!listener && protocol == SIP_TRANSPORT_TLS)
    {
        /* Outgoing TLS needs no certificate, so no TLS listener: advertise
         * the TCP one's address (the peer reuses our connection). */
        listener = find_listener(layer, SIP_TRANSPORT_TCP, have_destination ? destination.ss_family : AF_UNSPEC);
        if (!listener)
        {
            g_strlcpy(host, have_destination && destination.ss_family == AF_INET6 ? "::1" : "127.0.0.1",
                      SIP_HOST_BUFFER_SIZE);
            *port = 5061;
            if (have_destination)
            {
                struct sockaddr_storage source;
                guint16 ignored;

                if (sip_socket_route_source(&destination, destination_length, &source))
                    describe_address(&source, host, &ignored);
            }
            return TRUE;
        }
    }
    if (!listener)
        return FALSE;
    *port = listener->port;
    g_strlcpy(host, listener->host, SIP_HOST_BUFFER_SIZE);
    if (!listener->wildcard)
        return TRUE;

    /* A wildcard listener: ask the kernel which source address it would use
     * (connecting a UDP socket sends nothing). Without a destination, take
     * the route to a documentation address, i.e. the default interface. */
    if (!have_destination)
    {
        parse_address(listener->family == G_SOCKET_FAMILY_IPV6 ? "2001:db8::1" : "192.0.2.1", 9,
                      &destination, &destination_length);
    }
    g_strlcpy(host, listener->family == G_SOCKET_FAMILY_IPV6 ? "::1" : "127.0.0.1", SIP_HOST_BUFFER_SIZE);
    {
        struct sockaddr_storage source;
        guint16 ignored;

        if (sip_socket_route_source(&destination, destination_length, &source))
            describe_address(&source, host, &ignored);
    }
    return TRUE;
}

void sip_transport_layer_set_certificate(struct sip_transport_layer *layer, GTlsCertificate *certificate)
{
    g_set_object(&layer->certificate, certificate);
}

gboolean sip_transport_layer_trust_ca_file(struct sip_transport_layer *layer, const char *path, GError **error)
{
    GTlsDatabase *database = g_tls_file_database_new(path, error);

    if (!database)
        return FALSE;
    g_clear_object(&layer->ca_database);
    layer->ca_database = database;
    return TRUE;
}

gboolean sip_transport_send_ping(struct sip_transport_layer *layer, enum sip_transport_protocol protocol,
                                 const char *host, guint16 port, guint connection_id)
{
    struct connection *conn;
    gboolean sent;

    if (protocol == SIP_TRANSPORT_UDP)
        return sip_transport_send(layer, protocol, host, port, 0, "\r\n\r\n", 4, NULL, NULL);
    conn = g_hash_table_lookup(layer->connections_by_id, GUINT_TO_POINTER(connection_id));
    if (!conn || conn->state != CONNECTION_OPEN)
        return FALSE;
    connection_ref(conn);
    sent = connection_send(conn, "\r\n\r\n", 4, NULL);
    if (sent)
        conn->ping_outstanding = TRUE;
    connection_unref(conn);
    return sent;
}

gboolean sip_transport_connection_remote(struct sip_transport_layer *layer, guint connection_id,
                                         enum sip_transport_protocol *protocol, char ip[SIP_HOST_BUFFER_SIZE],
                                         guint16 *port)
{
    struct connection *conn = g_hash_table_lookup(layer->connections_by_id, GUINT_TO_POINTER(connection_id));

    if (!conn || conn->state == CONNECTION_CLOSED)
        return FALSE;
    *protocol = conn->protocol;
    g_strlcpy(ip, conn->remote_ip, SIP_HOST_BUFFER_SIZE);
    *port = conn->remote_port;
    return TRUE;
}

gboolean sip_transport_connection_is_open(struct sip_transport_layer *layer, guint connection_id)
{
    struct connection *conn = g_hash_table_lookup(layer->connections_by_id, GUINT_TO_POINTER(connection_id));

    return conn && conn->state != CONNECTION_CLOSED;
}

void sip_transport_close_connection(struct sip_transport_layer *layer, guint connection_id)
{
    struct connection *conn = g_hash_table_lookup(layer->connections_by_id, GUINT_TO_POINTER(connection_id));

    if (conn)
        connection_close(conn, "closed locally");
}

void sip_transport_get_stats(struct sip_transport_layer *layer, struct sip_transport_stats *stats)
{
    *stats = layer->stats;
}

/* ---- hooks for tests and the fuzzer ------------------------------------------------ */

void sip_transport_layer_set_send_override(struct sip_transport_layer *layer, sip_transport_send_func func,
                                           void *user_data)
{
    layer->send_override = func;
    layer->send_override_data = user_data;
}

void sip_transport_layer_set_failure_callback(struct sip_transport_layer *layer, sip_transport_failure_func func,
                                              void *user_data)
{
    layer->failure = func;
    layer->failure_data = user_data;
}

void sip_transport_layer_set_pong_callback(struct sip_transport_layer *layer, sip_transport_pong_func func,
                                           void *user_data)
{
    layer->pong = func;
    layer->pong_data = user_data;
}

void sip_transport_inject(struct sip_transport_layer *layer, const struct sip_transport_peer *peer,
                          const char *data, gsize length)
{
    gsize offset = 0, i;

    if (peer->protocol == SIP_TRANSPORT_UDP)
    {
        /* What udp_readable() does with a datagram. */
        if (length > SIP_MAX_MESSAGE_SIZE)
        {
            layer->stats.oversize_dropped++;
            return;
        }
        for (i = 0; i < length && (data[i] == '\r' || data[i] == '\n'); i++)
            ;
        if (i == length)
            return;
        layer->stats.messages_received++;
        layer->receive(data, length, peer, layer->receive_data);
        return;
    }
    /* What connection_process_input() does with a stream's bytes. */
    while (offset < length)
    {
        gsize skip, message_length;
        enum sip_frame_result result = sip_stream_frame(data + offset, length - offset, &skip, &message_length);

        offset += skip;
        switch (result)
        {
        case SIP_FRAME_INCOMPLETE:
            return;
        case SIP_FRAME_MESSAGE:
            layer->stats.messages_received++;
            layer->receive(data + offset, message_length, peer, layer->receive_data);
            offset += message_length;
            break;
        case SIP_FRAME_OVERSIZE:
            layer->stats.oversize_dropped++;
            if (message_length >= length - offset)
                return;
            offset += message_length;
            break;
        case SIP_FRAME_BROKEN:
            return;
        }
    }
}
