/*
 * Unit tests for the SIP transports: stream framing, and UDP and TCP on
 * loopback through a real GMainContext (bounded waits everywhere). TLS is in
 * test_tls.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "transport.h"
#include "../../common/test_time.h"

/* ---- framing -------------------------------------------------------------------- */

static void test_frame_whole_message(void **state)
{
    const char *msg = "OPTIONS sip:a@b SIP/2.0\r\nContent-Length: 5\r\n\r\nhelloNEXT";
    gsize skip, length;

    (void)state;
    assert_int_equal(sip_stream_frame(msg, strlen(msg), &skip, &length), SIP_FRAME_MESSAGE);
    assert_int_equal(skip, 0);
    assert_int_equal(length, strlen(msg) - 4);
}

static void test_frame_incomplete(void **state)
{
    const char *msg = "OPTIONS sip:a@b SIP/2.0\r\nContent-Length: 5\r\n\r\nhel";
    gsize skip, length;

    (void)state;
    assert_int_equal(sip_stream_frame(msg, strlen(msg), &skip, &length), SIP_FRAME_INCOMPLETE);
    assert_int_equal(sip_stream_frame(msg, 20, &skip, &length), SIP_FRAME_INCOMPLETE);
    assert_int_equal(sip_stream_frame("", 0, &skip, &length), SIP_FRAME_INCOMPLETE);
}

static void test_frame_keepalive_and_compact(void **state)
{
    const char *msg = "\r\n\r\n\r\nBYE sip:a@b SIP/2.0\r\nl:  2 \r\n\r\nok";
    gsize skip, length;

    (void)state;
    assert_int_equal(sip_stream_frame(msg, strlen(msg), &skip, &length), SIP_FRAME_MESSAGE);
    assert_int_equal(skip, 6);
    assert_int_equal(length, strlen(msg) - 6);
    /* Only keep-alives: nothing yet, all skippable. */
    assert_int_equal(sip_stream_frame("\r\n\r\n", 4, &skip, &length), SIP_FRAME_INCOMPLETE);
    assert_int_equal(skip, 4);
}

static void test_frame_missing_length_means_empty(void **state)
{
    const char *msg = "ACK sip:a@b SIP/2.0\r\nVia: x\r\n\r\nINVITE";
    gsize skip, length;

    (void)state;
    assert_int_equal(sip_stream_frame(msg, strlen(msg), &skip, &length), SIP_FRAME_MESSAGE);
    assert_int_equal(length, strlen(msg) - strlen("INVITE"));
}

static void test_frame_broken_length(void **state)
{
    const char *bad[] =
    {
        "BYE sip:a@b SIP/2.0\r\nContent-Length: abc\r\n\r\n",
        "BYE sip:a@b SIP/2.0\r\nContent-Length: -1\r\n\r\n",
        "BYE sip:a@b SIP/2.0\r\nContent-Length: 1 2\r\n\r\n",
        "BYE sip:a@b SIP/2.0\r\nContent-Length: 99999999999\r\n\r\n",
    };
    gsize skip, length, i;

    (void)state;
    for (i = 0; i < G_N_ELEMENTS(bad); i++)
        assert_int_equal(sip_stream_frame(bad[i], strlen(bad[i]), &skip, &length), SIP_FRAME_BROKEN);
}

static void test_frame_oversize(void **state)
{
    const char *msg = "MESSAGE sip:a@b SIP/2.0\r\nContent-Length: 70000\r\n\r\nxyz";
    gsize skip, length, header;
    char *huge;

    (void)state;
    assert_int_equal(sip_stream_frame(msg, strlen(msg), &skip, &length), SIP_FRAME_OVERSIZE);
    header = strlen(msg) - 3;
    assert_int_equal(length, header + 70000);

    /* A header section that never ends within 64 KiB cannot be resynced. */
    huge = g_malloc(SIP_MAX_MESSAGE_SIZE + 10);
    memset(huge, 'a', SIP_MAX_MESSAGE_SIZE + 10);
    assert_int_equal(sip_stream_frame(huge, SIP_MAX_MESSAGE_SIZE + 10, &skip, &length), SIP_FRAME_BROKEN);
    assert_int_equal(sip_stream_frame(huge, 1000, &skip, &length), SIP_FRAME_INCOMPLETE);
    g_free(huge);
}

static void test_host_is_usable(void **state)
{
    (void)state;
    assert_true(sip_transport_host_is_usable("127.0.0.1"));
    assert_true(sip_transport_host_is_usable("::1"));
    assert_true(sip_transport_host_is_usable("[::1]"));
    assert_true(sip_transport_host_is_usable("localhost"));
    assert_false(sip_transport_host_is_usable("example.com"));
    assert_false(sip_transport_host_is_usable(""));
    assert_false(sip_transport_host_is_usable(NULL));
    assert_false(sip_transport_host_is_usable("[::1"));
}

/* ---- live sockets ------------------------------------------------------------------ */

struct received
{
    GPtrArray *messages;                /* char * */
    enum sip_transport_protocol protocol;
    char remote_ip[SIP_HOST_BUFFER_SIZE];
    guint16 remote_port;
    guint connection_id;
    guint backlog_ms;
};

static void on_receive(const char *data, gsize length, const struct sip_transport_peer *peer, void *user_data)
{
    struct received *received = user_data;

    g_ptr_array_add(received->messages, g_strndup(data, length));
    received->protocol = peer->protocol;
    g_strlcpy(received->remote_ip, peer->remote_ip, sizeof(received->remote_ip));
    received->remote_port = peer->remote_port;
    received->connection_id = peer->connection_id;
    received->backlog_ms = peer->backlog_ms;
}

static void received_init(struct received *received)
{
    memset(received, 0, sizeof(*received));
    received->messages = g_ptr_array_new_with_free_func(g_free);
}

/* Runs the loop until count messages are in, for at most 5 s. */
static gboolean wait_for(GMainContext *context, struct received *received, guint count)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)test_seconds(5) * G_USEC_PER_SEC;

    while (received->messages->len < count && g_get_monotonic_time() < deadline)
        if (!g_main_context_iteration(context, FALSE))
            g_usleep(1000);
    return received->messages->len >= count;
}

/* Runs the loop for ms milliseconds. */
static void spin(GMainContext *context, guint ms)
{
    gint64 deadline = g_get_monotonic_time() + ms * 1000;

    while (g_get_monotonic_time() < deadline)
        if (!g_main_context_iteration(context, FALSE))
            g_usleep(1000);
}

/* Two transport layers on context, each listening on UDP 127.0.0.1. */
static void start_udp_pair(GMainContext *context, struct sip_transport_layer **a, struct received *ra,
                           guint16 *port_a, struct sip_transport_layer **b, struct received *rb, guint16 *port_b)
{
    GError *error = NULL;

    received_init(ra);
    received_init(rb);
    *a = sip_transport_layer_new(context, on_receive, ra);
    *b = sip_transport_layer_new(context, on_receive, rb);
    assert_true(sip_transport_listen(*a, SIP_TRANSPORT_UDP, "127.0.0.1", 0, port_a, &error));
    assert_true(sip_transport_listen(*b, SIP_TRANSPORT_UDP, "127.0.0.1", 0, port_b, &error));
}

static const char options_request[] = "OPTIONS sip:b@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP x\r\nContent-Length: 0\r\n\r\n";

static void test_udp_loopback(void **state)
{
    GMainContext *context = g_main_context_new();
    struct sip_transport_layer *a, *b;
    struct received ra, rb;
    struct sip_transport_stats stats;
    char host[SIP_HOST_BUFFER_SIZE];
    guint16 port_a, port_b, port;
    GError *error = NULL;
    char *big;

    (void)state;
    start_udp_pair(context, &a, &ra, &port_a, &b, &rb, &port_b);
    assert_int_not_equal(port_a, 0);

    assert_true(sip_transport_send(a, SIP_TRANSPORT_UDP, "127.0.0.1", port_b, 0, options_request,
                                   strlen(options_request), NULL, &error));
    assert_true(wait_for(context, &rb, 1));
    assert_string_equal(g_ptr_array_index(rb.messages, 0), options_request);
    assert_string_equal(rb.remote_ip, "127.0.0.1");
    assert_int_equal(rb.remote_port, port_a);
    assert_int_equal(rb.connection_id, 0);

    /* What to advertise is the bound address. */
    assert_true(sip_transport_local_address(a, SIP_TRANSPORT_UDP, "127.0.0.1", host, &port));
    assert_string_equal(host, "127.0.0.1");
    assert_int_equal(port, port_a);
    assert_false(sip_transport_local_address(a, SIP_TRANSPORT_TCP, NULL, host, &port));

    /* No IPv6 listener, no name resolution, no messages over 64 KiB. */
    assert_false(sip_transport_send(a, SIP_TRANSPORT_UDP, "::1", port_b, 0, "x", 1, NULL, &error));
    assert_true(g_error_matches(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_NO_TRANSPORT));
    g_clear_error(&error);
    assert_false(sip_transport_send(a, SIP_TRANSPORT_UDP, "example.com", port_b, 0, "x", 1, NULL, &error));
    assert_true(g_error_matches(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_UNRESOLVABLE));
    g_clear_error(&error);
    big = g_malloc0(SIP_MAX_MESSAGE_SIZE + 1);
    assert_false(sip_transport_send(a, SIP_TRANSPORT_UDP, "127.0.0.1", port_b, 0, big, SIP_MAX_MESSAGE_SIZE + 1,
                                    NULL, &error));
    g_clear_error(&error);
    g_free(big);

    /* CRLF keep-alives are not messages. */
    assert_true(sip_transport_send(a, SIP_TRANSPORT_UDP, "127.0.0.1", port_b, 0, "\r\n\r\n", 4, NULL, &error));
    spin(context, 50);
    assert_int_equal(rb.messages->len, 1);

    sip_transport_get_stats(a, &stats);
    assert_int_equal(stats.messages_sent, 2);
    assert_int_equal(stats.send_failures, 3);

    sip_transport_layer_free(a);
    sip_transport_layer_free(b);
    g_ptr_array_free(ra.messages, TRUE);
    g_ptr_array_free(rb.messages, TRUE);
    g_main_context_unref(context);
}

/* The sender's address as the engine sees it, for one-, two- and
 * three-digit and zero parts (all of 127/8 is loopback). */
static void test_udp_sender_addresses(void **state)
{
    static const char *const senders[] = { "127.0.10.200", "127.100.0.9", "127.255.1.0", "127.3.45.67" };
    GMainContext *context = g_main_context_new();
    struct sip_transport_layer *layer;
    struct received received;
    GSocketAddress *to;
    GError *error = NULL;
    guint16 port;
    gsize i;

    (void)state;
    received_init(&received);
    layer = sip_transport_layer_new(context, on_receive, &received);
    assert_true(sip_transport_listen(layer, SIP_TRANSPORT_UDP, "127.0.0.1", 0, &port, &error));
    to = g_inet_socket_address_new_from_string("127.0.0.1", port);
    for (i = 0; i < G_N_ELEMENTS(senders); i++)
    {
        GSocket *socket = g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, &error);
        GSocketAddress *from = g_inet_socket_address_new_from_string(senders[i], 0);

        assert_non_null(socket);
        assert_true(g_socket_bind(socket, from, FALSE, &error));
        assert_int_equal(g_socket_send_to(socket, to, options_request, strlen(options_request), NULL, &error),
                         (gssize)strlen(options_request));
        assert_true(wait_for(context, &received, i + 1));
        assert_string_equal(received.remote_ip, senders[i]);
        g_object_unref(from);
        g_object_unref(socket);
    }
    g_object_unref(to);
    sip_transport_layer_free(layer);
    g_ptr_array_free(received.messages, TRUE);
    g_main_context_unref(context);
}

/* The overload signal: how long a datagram waited unread in the socket
 * (the kernel's arrival time), at least the time nobody read it. */
static void test_udp_waited(void **state)
{
    GMainContext *context;
    struct sip_transport_layer *a, *b;
    struct received ra, rb;
    guint16 port_a, port_b;
    GError *error = NULL;

#ifdef G_OS_WIN32
    /* Winsock stamps no arrival times: there the signal is how long the socket
     * has not been drained (src/sip/platform.h), which a single datagram is not. */
    skip();
#endif

    (void)state;
    context = g_main_context_new();
    start_udp_pair(context, &a, &ra, &port_a, &b, &rb, &port_b);
    assert_true(sip_transport_send(a, SIP_TRANSPORT_UDP, "127.0.0.1", port_b, 0, options_request,
                                   strlen(options_request), NULL, &error));
    g_usleep(300 * 1000);       /* nobody reads meanwhile */
    assert_true(wait_for(context, &rb, 1));
    assert_true(rb.backlog_ms >= 300);

    sip_transport_layer_free(a);
    sip_transport_layer_free(b);
    g_ptr_array_free(ra.messages, TRUE);
    g_ptr_array_free(rb.messages, TRUE);
    g_main_context_unref(context);
}

static void test_udp_ipv6(void **state)
{
    GMainContext *context = g_main_context_new();
    struct sip_transport_layer *a;
    struct received ra;
    GError *error = NULL;
    guint16 port;

    (void)state;
    received_init(&ra);
    a = sip_transport_layer_new(context, on_receive, &ra);
    if (!sip_transport_listen(a, SIP_TRANSPORT_UDP, "::1", 0, &port, &error))
    {
        /* No IPv6 on this machine: nothing to test. */
        g_clear_error(&error);
        sip_transport_layer_free(a);
        g_ptr_array_free(ra.messages, TRUE);
        g_main_context_unref(context);
        skip();
    }
    assert_true(sip_transport_send(a, SIP_TRANSPORT_UDP, "[::1]", port, 0, options_request, strlen(options_request),
                                   NULL, &error));
    assert_true(wait_for(context, &ra, 1));
    assert_string_equal(ra.remote_ip, "::1");
    assert_int_equal(ra.remote_port, port);
    sip_transport_layer_free(a);
    g_ptr_array_free(ra.messages, TRUE);
    g_main_context_unref(context);
}

static void test_tcp_framing_and_reuse(void **state)
{
    GMainContext *context = g_main_context_new();
    struct sip_transport_layer *client, *server;
    struct received rc, rs;
    struct sip_transport_stats stats;
    guint16 server_port, client_port;
    guint used = 0, used_again = 0;
    GError *error = NULL;
    GString *stream;
    const char *two = "MESSAGE sip:b@127.0.0.1 SIP/2.0\r\nContent-Length: 3\r\n\r\none"
                      "\r\n\r\nMESSAGE sip:b@127.0.0.1 SIP/2.0\r\nl: 3\r\n\r\ntwo";

    (void)state;
    received_init(&rc);
    received_init(&rs);
    client = sip_transport_layer_new(context, on_receive, &rc);
    server = sip_transport_layer_new(context, on_receive, &rs);
    assert_true(sip_transport_listen(server, SIP_TRANSPORT_TCP, "127.0.0.1", 0, &server_port, &error));
    assert_true(sip_transport_listen(client, SIP_TRANSPORT_TCP, "127.0.0.1", 0, &client_port, &error));

    /* Two messages and a keep-alive in one write, then one in two pieces. */
    assert_true(sip_transport_send(client, SIP_TRANSPORT_TCP, "127.0.0.1", server_port, 0, two, strlen(two), &used,
                                   &error));
    assert_int_not_equal(used, 0);
    assert_true(wait_for(context, &rs, 2));
    assert_string_equal(g_ptr_array_index(rs.messages, 0),
                        "MESSAGE sip:b@127.0.0.1 SIP/2.0\r\nContent-Length: 3\r\n\r\none");
    assert_string_equal(g_ptr_array_index(rs.messages, 1), "MESSAGE sip:b@127.0.0.1 SIP/2.0\r\nl: 3\r\n\r\ntwo");
    assert_true(sip_transport_send(client, SIP_TRANSPORT_TCP, "127.0.0.1", server_port, 0, options_request, 20,
                                   &used_again, &error));
    spin(context, 30);
    assert_int_equal(rs.messages->len, 2);
    assert_true(sip_transport_send(client, SIP_TRANSPORT_TCP, "127.0.0.1", server_port, 0, options_request + 20,
                                   strlen(options_request) - 20, &used_again, &error));
    assert_true(wait_for(context, &rs, 3));
    assert_string_equal(g_ptr_array_index(rs.messages, 2), options_request);
    assert_int_equal(used_again, used);     /* the connection was reused */

    /* The answer goes back on the server's side of the same connection. */
    assert_true(sip_transport_send(server, SIP_TRANSPORT_TCP, rs.remote_ip, rs.remote_port, rs.connection_id,
                                   options_request, strlen(options_request), NULL, &error));
    assert_true(wait_for(context, &rc, 1));
    assert_int_equal(rc.connection_id, used);
    sip_transport_get_stats(client, &stats);
    assert_int_equal(stats.connections_opened, 1);

    /* A message over 64 KiB is skipped; the stream stays usable. */
    stream = g_string_new("MESSAGE sip:b@127.0.0.1 SIP/2.0\r\nContent-Length: 70000\r\n\r\n");
    while (stream->len < 70000 + 60)
        g_string_append_c(stream, 'x');
    g_string_truncate(stream, strlen("MESSAGE sip:b@127.0.0.1 SIP/2.0\r\nContent-Length: 70000\r\n\r\n") + 70000);
    g_string_append(stream, options_request);
    /* Sent raw through the connection, bypassing the 64 KiB send check. */
    for (gsize offset = 0; offset < stream->len; offset += 60000)
        assert_true(sip_transport_send(client, SIP_TRANSPORT_TCP, "127.0.0.1", server_port, used,
                                       stream->str + offset, MIN(60000, stream->len - offset), NULL, &error));
    assert_true(wait_for(context, &rs, 4));
    assert_string_equal(g_ptr_array_index(rs.messages, 3), options_request);
    sip_transport_get_stats(server, &stats);
    assert_int_equal(stats.oversize_dropped, 1);
    g_string_free(stream, TRUE);

    /* Closing one side is seen by the other; a new send reconnects. */
    sip_transport_close_connection(client, used);
    assert_false(sip_transport_connection_is_open(client, used));
    assert_true(sip_transport_send(client, SIP_TRANSPORT_TCP, "127.0.0.1", server_port, used, options_request,
                                   strlen(options_request), &used_again, &error));
    assert_int_not_equal(used_again, used);
    assert_true(wait_for(context, &rs, 5));

    sip_transport_layer_free(client);
    sip_transport_layer_free(server);
    g_ptr_array_free(rc.messages, TRUE);
    g_ptr_array_free(rs.messages, TRUE);
    g_main_context_unref(context);
}

static void test_tcp_garbage_closes(void **state)
{
    GMainContext *context = g_main_context_new();
    struct sip_transport_layer *client, *server;
    struct received rc, rs;
    GError *error = NULL;
    guint16 port;
    guint used;
    const char *bad = "BYE sip:a@b SIP/2.0\r\nContent-Length: lots\r\n\r\n";

    (void)state;
    received_init(&rc);
    received_init(&rs);
    client = sip_transport_layer_new(context, on_receive, &rc);
    server = sip_transport_layer_new(context, on_receive, &rs);
    assert_true(sip_transport_listen(server, SIP_TRANSPORT_TCP, "127.0.0.1", 0, &port, &error));
    assert_true(sip_transport_listen(client, SIP_TRANSPORT_TCP, "127.0.0.1", 0, NULL, &error));
    assert_true(sip_transport_send(client, SIP_TRANSPORT_TCP, "127.0.0.1", port, 0, bad, strlen(bad), &used, &error));
    /* The server cannot frame it and hangs up; the client sees the close. */
    for (int i = 0; i < 500 && sip_transport_connection_is_open(client, used); i++)
        spin(context, 10);
    assert_false(sip_transport_connection_is_open(client, used));
    assert_int_equal(rs.messages->len, 0);
    sip_transport_layer_free(client);
    sip_transport_layer_free(server);
    g_ptr_array_free(rc.messages, TRUE);
    g_ptr_array_free(rs.messages, TRUE);
    g_main_context_unref(context);
}

int main(void)
{
    const struct CMUnitTest tests[] =
    {
        cmocka_unit_test(test_frame_whole_message),
        cmocka_unit_test(test_frame_incomplete),
        cmocka_unit_test(test_frame_keepalive_and_compact),
        cmocka_unit_test(test_frame_missing_length_means_empty),
        cmocka_unit_test(test_frame_broken_length),
        cmocka_unit_test(test_frame_oversize),
        cmocka_unit_test(test_host_is_usable),
        cmocka_unit_test(test_udp_loopback),
        cmocka_unit_test(test_udp_sender_addresses),
        cmocka_unit_test(test_udp_waited),
        cmocka_unit_test(test_udp_ipv6),
        cmocka_unit_test(test_tcp_framing_and_reuse),
        cmocka_unit_test(test_tcp_garbage_closes),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
