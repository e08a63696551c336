/*
 * Outbound proxy (loose routing): what the engine sends when a proxy is set,
 * against hand-driven UDP sockets playing the proxy and the peer.
 * (tests/sipp/proxy_kamailio.sh does the same through a real kamailio.)
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include <gio/gio.h>

#include "sip/sip_call.h"
#include "sip/sip_engine.h"
#include "sip/sip_register.h"
#include "../../common/test_time.h"

struct raw_peer
{
    GSocket *socket;
    guint16 port;
    GSocketAddress *last_from;
};

static void raw_peer_start(struct raw_peer *peer)
{
    GSocketAddress *local = g_inet_socket_address_new_from_string("127.0.0.1", 0), *bound;

    peer->socket = g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, NULL);
    assert_true(g_socket_bind(peer->socket, local, FALSE, NULL));
    g_socket_set_blocking(peer->socket, FALSE);
    bound = g_socket_get_local_address(peer->socket, NULL);
    peer->port = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(bound));
    g_object_unref(bound);
    g_object_unref(local);
    peer->last_from = NULL;
}

static void raw_peer_stop(struct raw_peer *peer)
{
    g_clear_object(&peer->last_from);
    g_object_unref(peer->socket);
}

/* The next message starting with prefix (others dropped), up to 5 s. */
static char *raw_peer_expect(struct raw_peer *peer, const char *prefix)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)test_seconds(5) * G_USEC_PER_SEC;
    char buffer[65536];

    while (g_get_monotonic_time() < deadline)
    {
        GSocketAddress *from = NULL;
        gssize got = g_socket_receive_from(peer->socket, &from, buffer, sizeof(buffer) - 1, NULL, NULL);

        if (got > 0)
        {
            buffer[got] = 0;
            g_clear_object(&peer->last_from);
            peer->last_from = from;
            if (g_str_has_prefix(buffer, prefix))
                return g_strdup(buffer);
            continue;
        }
        g_clear_object(&from);
        if (!g_main_context_iteration(NULL, FALSE))
            g_usleep(1000);
    }
    print_error("no \"%s\" came\n", prefix);
    return NULL;
}

/* TRUE if nothing starting with prefix arrives within ms. */
static gboolean raw_peer_quiet(struct raw_peer *peer, const char *prefix, int ms)
{
    gint64 deadline = g_get_monotonic_time() + ms * 1000;
    char buffer[65536];

    while (g_get_monotonic_time() < deadline)
    {
        gssize got = g_socket_receive(peer->socket, buffer, sizeof(buffer) - 1, NULL, NULL);

        if (got > 0)
        {
            buffer[got] = 0;
            if (g_str_has_prefix(buffer, prefix))
                return FALSE;
            continue;
        }
        if (!g_main_context_iteration(NULL, FALSE))
            g_usleep(1000);
    }
    return TRUE;
}

static void raw_peer_send(struct raw_peer *peer, const char *text)
{
    assert_true(g_socket_send_to(peer->socket, peer->last_from, text, strlen(text), NULL, NULL) == (gssize)strlen(text));
}

static char *header_line(const char *message, const char *name)
{
    char *pattern = g_strdup_printf("\n%s:", name);
    const char *start = strstr(message, pattern), *end;

    g_free(pattern);
    if (!start)
        return NULL;
    start += strlen(name) + 2;
    while (*start == ' ')
        start++;
    end = strstr(start, "\r\n");
    return g_strndup(start, end ? end - start : (gssize)strlen(start));
}

/* A response to request, as the peer (To tag "peer") or a proxy relaying it. */
static char *response_to(const char *request, const char *status, const char *extra, gboolean sdp)
{
    char *via = header_line(request, "Via"), *from = header_line(request, "From"), *to = header_line(request, "To");
    char *call_id = header_line(request, "Call-ID"), *cseq = header_line(request, "CSeq");
    const char *body = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
                       "m=audio 30000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";
    char *text = g_strdup_printf("SIP/2.0 %s\r\nVia: %s\r\nFrom: %s\r\nTo: %s%s\r\nCall-ID: %s\r\nCSeq: %s\r\n%s"
                                 "%sContent-Length: %zu\r\n\r\n%s",
                                 status, via, from, to, strstr(to, "tag=") ? "" : ";tag=peer", call_id, cseq,
                                 extra ? extra : "", sdp ? "Content-Type: application/sdp\r\n" : "",
                                 sdp ? strlen(body) : 0, sdp ? body : "");

    g_free(via);
    g_free(from);
    g_free(to);
    g_free(call_id);
    g_free(cseq);
    return text;
}

static struct sip_engine *engine_start(void)
{
    struct sip_engine *engine = sip_engine_new(NULL, NULL, NULL, NULL);

    assert_non_null(engine);
    assert_true(sip_engine_listen(engine, SIP_TRANSPORT_UDP, "127.0.0.1", 0, NULL, NULL));
    return engine;
}

static void spin(int ms)
{
    gint64 deadline = g_get_monotonic_time() + ms * 1000;

    while (g_get_monotonic_time() < deadline)
        if (!g_main_context_iteration(NULL, FALSE))
            g_usleep(1000);
}

static void test_proxy_uri_checked(void **state)
{
    struct sip_engine *engine = engine_start();
    GError *error = NULL;

    (void)state;
    assert_null(sip_engine_get_outbound_proxy(engine));
    assert_false(sip_engine_set_outbound_proxy(engine, "http://127.0.0.1", &error));
    assert_true(g_error_matches(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_INVALID_ARGUMENT));
    g_clear_error(&error);
    /* A name is resolved when a request goes (RFC 3263); a host that is no name is refused now. */
    assert_false(sip_engine_set_outbound_proxy(engine, "sip:proxy..example.com", &error));
    assert_true(g_error_matches(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_INVALID_ARGUMENT));
    g_clear_error(&error);
    assert_true(sip_engine_set_outbound_proxy(engine, "sip:proxy.example.com;transport=tcp", &error));
    assert_string_equal(sip_engine_get_outbound_proxy(engine), "sip:proxy.example.com;transport=tcp;lr");
    assert_true(sip_engine_set_outbound_proxy(engine, "<sip:127.0.0.1:5090;transport=tcp>", &error));
    assert_string_equal(sip_engine_get_outbound_proxy(engine), "sip:127.0.0.1:5090;transport=tcp;lr");
    assert_true(sip_engine_set_outbound_proxy(engine, "sip:127.0.0.1:5090;lr", &error));
    assert_string_equal(sip_engine_get_outbound_proxy(engine), "sip:127.0.0.1:5090;lr");
    assert_true(sip_engine_set_outbound_proxy(engine, NULL, &error));
    assert_null(sip_engine_get_outbound_proxy(engine));
    sip_engine_free(engine);
}

/* A call through a Record-Routing proxy: INVITE, ACK and BYE all go to the
 * proxy with Route, the Request-URI being the target, then the peer's Contact. */
static void test_call_through_record_routing_proxy(void **state)
{
    struct sip_engine *engine = engine_start();
    struct raw_peer proxy, bob;
    struct sip_call *call;
    char *proxy_uri, *target, *invite, *message, *reply, *expected, *value, *record_route;

    (void)state;
    raw_peer_start(&proxy);
    raw_peer_start(&bob);
    proxy_uri = g_strdup_printf("sip:127.0.0.1:%u", proxy.port);
    assert_true(sip_engine_set_outbound_proxy(engine, proxy_uri, NULL));
    target = g_strdup_printf("sip:bob@127.0.0.1:%u", bob.port);
    call = sip_call_invite(engine, "<sip:alice@127.0.0.1>", target, NULL);
    assert_non_null(call);

    assert_non_null(invite = raw_peer_expect(&proxy, "INVITE "));
    expected = g_strdup_printf("INVITE %s SIP/2.0\r\n", target);
    assert_true(g_str_has_prefix(invite, expected));
    g_free(expected);
    value = header_line(invite, "Route");
    expected = g_strdup_printf("<%s;lr>", proxy_uri);
    assert_string_equal(value, expected);
    g_free(expected);
    g_free(value);

    /* The proxy relays Bob's 200 with its Record-Route. */
    record_route = g_strdup_printf("Record-Route: <sip:127.0.0.1:%u;lr>\r\nContact: <sip:bob@127.0.0.1:%u>\r\n",
                                   proxy.port, bob.port);
    reply = response_to(invite, "200 OK", record_route, TRUE);
    raw_peer_send(&proxy, reply);
    g_free(reply);
    g_free(record_route);

    assert_non_null(message = raw_peer_expect(&proxy, "ACK "));
    expected = g_strdup_printf("ACK sip:bob@127.0.0.1:%u SIP/2.0\r\n", bob.port);
    assert_true(g_str_has_prefix(message, expected));
    g_free(expected);
    value = header_line(message, "Route");
    expected = g_strdup_printf("<sip:127.0.0.1:%u;lr>", proxy.port);
    assert_string_equal(value, expected);
    g_free(value);
    g_free(message);

    assert_true(sip_call_hangup(call, NULL));
    assert_non_null(message = raw_peer_expect(&proxy, "BYE "));
    value = header_line(message, "Route");
    assert_string_equal(value, expected);
    g_free(value);
    reply = response_to(message, "200 OK", NULL, FALSE);
    raw_peer_send(&proxy, reply);
    g_free(reply);
    g_free(message);
    g_free(expected);
    /* Nothing went to Bob directly. */
    assert_true(raw_peer_quiet(&bob, "", 100));

    g_free(invite);
    sip_call_unref(call);
    g_free(target);
    g_free(proxy_uri);
    raw_peer_stop(&proxy);
    raw_peer_stop(&bob);
    sip_engine_free(engine);
}

/* A proxy that does not record-route: in-dialog requests go straight to the
 * Contact. A failed INVITE's ACK (libosip2's) goes the INVITE's way. A
 * call's own proxy beats the default; "" means none. */
static void test_proxy_without_record_route(void **state)
{
    struct sip_engine *engine = engine_start();
    struct sip_call_options options = { NULL };
    struct raw_peer proxy, other, bob;
    struct sip_call *call;
    char *uri, *target, *invite, *message, *reply, *value, *extra;

    (void)state;
    raw_peer_start(&proxy);
    raw_peer_start(&other);
    raw_peer_start(&bob);
    uri = g_strdup_printf("sip:127.0.0.1:%u", other.port);
    assert_true(sip_engine_set_outbound_proxy(engine, uri, NULL));
    g_free(uri);
    target = g_strdup_printf("sip:bob@127.0.0.1:%u", bob.port);

    /* The call's proxy, not the default. */
    uri = g_strdup_printf("sip:127.0.0.1:%u", proxy.port);
    options.proxy = uri;
    call = sip_call_invite_full(engine, "<sip:alice@127.0.0.1>", target, &options, NULL);
    assert_non_null(call);
    assert_non_null(invite = raw_peer_expect(&proxy, "INVITE "));
    extra = g_strdup_printf("Contact: <sip:bob@127.0.0.1:%u>\r\n", bob.port);
    reply = response_to(invite, "200 OK", extra, TRUE);
    raw_peer_send(&proxy, reply);
    g_free(reply);
    g_free(extra);
    /* No Record-Route: the ACK and the BYE go to Bob, without Route. */
    assert_non_null(message = raw_peer_expect(&bob, "ACK "));
    assert_null(header_line(message, "Route"));
    g_free(message);
    assert_true(sip_call_hangup(call, NULL));
    assert_non_null(message = raw_peer_expect(&bob, "BYE "));
    assert_null(header_line(message, "Route"));
    g_free(message);
    sip_call_unref(call);
    g_free(invite);
    assert_true(raw_peer_quiet(&other, "", 50));

    /* Rejected through the proxy: the ACK follows the INVITE's Route. */
    call = sip_call_invite_full(engine, "<sip:alice@127.0.0.1>", target, &options, NULL);
    assert_non_null(invite = raw_peer_expect(&proxy, "INVITE "));
    reply = response_to(invite, "486 Busy Here", NULL, FALSE);
    raw_peer_send(&proxy, reply);
    g_free(reply);
    assert_non_null(message = raw_peer_expect(&proxy, "ACK "));
    value = header_line(message, "Route");
    assert_non_null(value);
    assert_non_null(strstr(value, uri));
    g_free(value);
    g_free(message);
    g_free(invite);
    sip_call_unref(call);

    /* "" = no proxy at all: straight to the target. */
    options.proxy = "";
    call = sip_call_invite_full(engine, "<sip:alice@127.0.0.1>", target, &options, NULL);
    assert_non_null(invite = raw_peer_expect(&bob, "INVITE "));
    assert_null(header_line(invite, "Route"));
    reply = response_to(invite, "180 Ringing", NULL, FALSE);
    raw_peer_send(&bob, reply);
    g_free(reply);
    spin(50);
    assert_true(sip_call_hangup(call, NULL));
    assert_non_null(message = raw_peer_expect(&bob, "CANCEL "));
    g_free(message);
    g_free(invite);
    sip_call_unref(call);

    g_free(uri);
    g_free(target);
    raw_peer_stop(&proxy);
    raw_peer_stop(&other);
    raw_peer_stop(&bob);
    spin(10);
    sip_engine_free(engine);
}

/* REGISTER and MESSAGE through the proxy. */
static void test_register_and_message_through_proxy(void **state)
{
    struct sip_engine *engine = engine_start();
    struct sip_register_options options = { NULL };
    struct sip_registration *registration;
    struct raw_peer proxy, registrar;
    char *uri, *registrar_uri, *message, *expected, *value, *reply;

    (void)state;
    raw_peer_start(&proxy);
    raw_peer_start(&registrar);
    uri = g_strdup_printf("sip:127.0.0.1:%u", proxy.port);
    registrar_uri = g_strdup_printf("sip:127.0.0.1:%u", registrar.port);

    options.proxy = uri;
    registration = sip_register_full(engine, "sip:alice@127.0.0.1", registrar_uri, 60, &options, NULL);
    assert_non_null(registration);
    assert_non_null(message = raw_peer_expect(&proxy, "REGISTER "));
    expected = g_strdup_printf("REGISTER %s SIP/2.0\r\n", registrar_uri);
    assert_true(g_str_has_prefix(message, expected));
    g_free(expected);
    value = header_line(message, "Route");
    expected = g_strdup_printf("<%s;lr>", uri);
    assert_string_equal(value, expected);
    g_free(value);
    reply = response_to(message, "200 OK", "Expires: 60\r\n", FALSE);
    raw_peer_send(&proxy, reply);
    g_free(reply);
    g_free(message);
    spin(50);
    assert_int_equal(sip_registration_get_state(registration), SIP_REGISTRATION_REGISTERED);
    /* The unregister goes the same way. */
    assert_true(sip_registration_unregister(registration, NULL));
    assert_non_null(message = raw_peer_expect(&proxy, "REGISTER "));
    value = header_line(message, "Route");
    assert_string_equal(value, expected);
    g_free(value);
    g_free(message);
    sip_registration_unref(registration);

    /* MESSAGE: the engine's default proxy. */
    assert_true(sip_engine_set_outbound_proxy(engine, uri, NULL));
    assert_true(sip_engine_send_message(engine, "<sip:alice@127.0.0.1>", "sip:bob@127.0.0.1:5999", "text/plain",
                                        "hi", 2, NULL));
    assert_non_null(message = raw_peer_expect(&proxy, "MESSAGE sip:bob@127.0.0.1:5999 SIP/2.0\r\n"));
    value = header_line(message, "Route");
    assert_string_equal(value, expected);
    g_free(value);
    g_free(message);
    g_free(expected);
    assert_true(raw_peer_quiet(&registrar, "", 50));

    g_free(uri);
    g_free(registrar_uri);
    raw_peer_stop(&proxy);
    raw_peer_stop(&registrar);
    sip_engine_free(engine);
}

int main(void)
{
    const struct CMUnitTest tests[] =
    {
        cmocka_unit_test(test_proxy_uri_checked),
        cmocka_unit_test(test_call_through_record_routing_proxy),
        cmocka_unit_test(test_proxy_without_record_route),
        cmocka_unit_test(test_register_and_message_through_proxy),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
