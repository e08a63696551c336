/*
 * Unit tests for the media backend interface and the default backend.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include <gio/gio.h>

#include "media.h"

struct recorded_event
{
    struct sip_media_stream *stream;
    enum sip_media_event event;
    struct sip_media_params params;     /* copy; empty for STOPPED */
};

struct recorder
{
    GArray *events;     /* struct recorded_event */
};

static void record_event(struct sip_media_stream *stream, enum sip_media_event event,
                         const struct sip_media_params *params, gpointer user_data)
{
    struct recorder *recorder = user_data;
    struct recorded_event e;

    memset(&e, 0, sizeof(e));
    e.stream = stream;
    e.event = event;
    if (params) sip_media_params_copy(&e.params, params);
    g_array_append_val(recorder->events, e);
}

static void recorder_reset(struct recorder *recorder)
{
    guint i;

    for (i = 0; i < recorder->events->len; i++)
        sip_media_params_clear(&g_array_index(recorder->events, struct recorded_event, i).params);
    g_array_set_size(recorder->events, 0);
}

/* Binds a UDP socket like the backend does; returns whether that worked. */
static gboolean can_bind(const char *address, guint16 port)
{
    GInetAddress *inet = g_inet_address_new_from_string(address);
    GSocketAddress *sockaddr = g_inet_socket_address_new(inet, port);
    GSocket *socket = g_socket_new(g_inet_address_get_family(inet), G_SOCKET_TYPE_DATAGRAM,
                                   G_SOCKET_PROTOCOL_UDP, NULL);
    gboolean ret;

    assert_non_null(socket);
    ret = g_socket_bind(socket, sockaddr, FALSE, NULL);
    g_object_unref(socket);
    g_object_unref(sockaddr);
    g_object_unref(inet);
    return ret;
}

static GSocket *bind_socket(const char *address, guint16 port)
{
    GInetAddress *inet = g_inet_address_new_from_string(address);
    GSocketAddress *sockaddr = g_inet_socket_address_new(inet, port);
    GSocket *socket = g_socket_new(g_inet_address_get_family(inet), G_SOCKET_TYPE_DATAGRAM,
                                   G_SOCKET_PROTOCOL_UDP, NULL);

    if (!g_socket_bind(socket, sockaddr, FALSE, NULL)) g_clear_object(&socket);
    g_object_unref(sockaddr);
    g_object_unref(inet);
    return socket;
}

static void test_direction_helpers(void **state)
{
    (void)state;
    assert_string_equal(sip_media_direction_name(SIP_MEDIA_SENDRECV), "sendrecv");
    assert_string_equal(sip_media_direction_name(SIP_MEDIA_SENDONLY), "sendonly");
    assert_string_equal(sip_media_direction_name(SIP_MEDIA_RECVONLY), "recvonly");
    assert_string_equal(sip_media_direction_name(SIP_MEDIA_INACTIVE), "inactive");
    assert_null(sip_media_direction_name(4));
    assert_int_equal(sip_media_direction_reverse(SIP_MEDIA_SENDONLY), SIP_MEDIA_RECVONLY);
    assert_int_equal(sip_media_direction_reverse(SIP_MEDIA_RECVONLY), SIP_MEDIA_SENDONLY);
    assert_int_equal(sip_media_direction_reverse(SIP_MEDIA_SENDRECV), SIP_MEDIA_SENDRECV);
    assert_int_equal(sip_media_direction_reverse(SIP_MEDIA_INACTIVE), SIP_MEDIA_INACTIVE);
}

static void test_ports(void **state)
{
    struct sip_media_backend *backend;
    struct sip_media_stream *a, *b;
    GError *error = NULL;
    guint16 pa, pb;

    (void)state;
    backend = sip_media_default_backend_new(0, 0, NULL, NULL);
    assert_non_null(backend);

    a = sip_media_stream_new(backend, "127.0.0.1", &error);
    assert_null(error);
    assert_non_null(a);
    b = sip_media_stream_new(backend, "127.0.0.1", &error);
    assert_non_null(b);
    pa = sip_media_stream_get_port(a);
    pb = sip_media_stream_get_port(b);

    /* even RTP, RTCP above it, in the default range, different pairs */
    assert_int_equal(pa % 2, 0);
    assert_int_equal(pb % 2, 0);
    assert_in_range(pa, SIP_MEDIA_DEFAULT_PORT_MIN, SIP_MEDIA_DEFAULT_PORT_MAX - 1);
    assert_in_range(pb, SIP_MEDIA_DEFAULT_PORT_MIN, SIP_MEDIA_DEFAULT_PORT_MAX - 1);
    assert_int_not_equal(pa, pb);

    /* really bound: nobody else gets them */
    assert_false(can_bind("127.0.0.1", pa));
    assert_false(can_bind("127.0.0.1", pa + 1));
    assert_false(can_bind("127.0.0.1", pb));
    assert_false(can_bind("127.0.0.1", pb + 1));

    /* released on free */
    sip_media_stream_free(a);
    assert_true(can_bind("127.0.0.1", pa));
    assert_true(can_bind("127.0.0.1", pa + 1));
    sip_media_stream_free(b);
    assert_true(can_bind("127.0.0.1", pb));
    assert_true(can_bind("127.0.0.1", pb + 1));

    sip_media_backend_free(backend);
}

static void test_port_range(void **state)
{
    struct sip_media_backend *backend, *narrow;
    struct sip_media_stream *a, *b;
    GError *error = NULL;
    GSocket *blocker;
    guint16 p;

    (void)state;
    backend = sip_media_default_backend_new(0, 0, NULL, NULL);
    a = sip_media_stream_new(backend, "127.0.0.1", NULL);
    assert_non_null(a);
    p = sip_media_stream_get_port(a);

    /* The only pair in range is taken. An odd minimum rounds up to p. */
    narrow = sip_media_default_backend_new(p - 1, p + 1, NULL, NULL);
    assert_non_null(narrow);
    assert_null(sip_media_stream_new(narrow, "127.0.0.1", &error));
    assert_true(g_error_matches(error, SIP_MEDIA_ERROR, SIP_MEDIA_ERROR_NO_PORTS));
    g_clear_error(&error);
    sip_media_backend_free(narrow);

    /* Once freed, the same narrow range works and gives exactly p. */
    sip_media_stream_free(a);
    narrow = sip_media_default_backend_new(p, p + 1, NULL, NULL);
    b = sip_media_stream_new(narrow, "127.0.0.1", &error);
    assert_null(error);
    assert_int_equal(sip_media_stream_get_port(b), p);

    /* A pair whose RTCP port is busy is skipped. */
    sip_media_stream_free(b);
    blocker = bind_socket("127.0.0.1", p + 1);
    assert_non_null(blocker);
    assert_null(sip_media_stream_new(narrow, "127.0.0.1", &error));
    assert_true(g_error_matches(error, SIP_MEDIA_ERROR, SIP_MEDIA_ERROR_NO_PORTS));
    g_clear_error(&error);
    assert_true(can_bind("127.0.0.1", p));    /* the RTP socket was let go */
    g_object_unref(blocker);
    sip_media_backend_free(narrow);

    sip_media_backend_free(backend);

    /* Ranges without a pair */
    assert_null(sip_media_default_backend_new(40001, 40001, NULL, NULL));
    assert_null(sip_media_default_backend_new(40000, 40000, NULL, NULL));
    assert_null(sip_media_default_backend_new(50000, 40000, NULL, NULL));
    assert_null(sip_media_default_backend_new(65535, 65535, NULL, NULL));
}

static void test_bad_address(void **state)
{
    struct sip_media_backend *backend = sip_media_default_backend_new(0, 0, NULL, NULL);
    GError *error = NULL;

    (void)state;
    assert_null(sip_media_stream_new(backend, "not-an-address", &error));
    assert_true(g_error_matches(error, SIP_MEDIA_ERROR, SIP_MEDIA_ERROR_INVALID));
    g_clear_error(&error);
    assert_null(sip_media_stream_new(backend, NULL, &error));
    assert_true(g_error_matches(error, SIP_MEDIA_ERROR, SIP_MEDIA_ERROR_INVALID));
    g_clear_error(&error);
    assert_null(sip_media_stream_new(NULL, "127.0.0.1", &error));
    g_clear_error(&error);
    /* An address that is not ours fails at once with the socket error. */
    assert_null(sip_media_stream_new(backend, "192.0.2.1", &error));
    assert_non_null(error);
    assert_true(error->domain == G_IO_ERROR);
    g_clear_error(&error);
    sip_media_backend_free(backend);

    /* NULL-safe wrappers */
    assert_int_equal(sip_media_stream_get_port(NULL), 0);
    sip_media_stream_stop(NULL);
    sip_media_stream_free(NULL);
    sip_media_backend_free(NULL);
}

static void test_ipv6(void **state)
{
    struct sip_media_backend *backend = sip_media_default_backend_new(0, 0, NULL, NULL);
    struct sip_media_stream *stream;
    GError *error = NULL;

    (void)state;
    stream = sip_media_stream_new(backend, "::1", &error);
    if (!stream)
    {
        /* No IPv6 loopback on this machine. */
        g_clear_error(&error);
        sip_media_backend_free(backend);
        skip();
    }
    assert_int_equal(sip_media_stream_get_port(stream) % 2, 0);
    assert_false(can_bind("::1", sip_media_stream_get_port(stream)));
    assert_false(can_bind("::1", sip_media_stream_get_port(stream) + 1));
    sip_media_stream_free(stream);
    sip_media_backend_free(backend);
}

static void test_events(void **state)
{
    struct recorder recorder = { g_array_new(FALSE, TRUE, sizeof(struct recorded_event)) };
    struct sip_media_params params = { (char *)"192.0.2.7", 30000, 8, (char *)"PCMA", 8000, 101, SIP_MEDIA_SENDRECV };
    struct sip_media_backend *backend;
    struct sip_media_stream *stream;
    struct recorded_event *e;
    GError *error = NULL;

    (void)state;
    backend = sip_media_default_backend_new(0, 0, record_event, &recorder);
    stream = sip_media_stream_new(backend, "127.0.0.1", &error);
    assert_non_null(stream);
    assert_int_equal(recorder.events->len, 0);

    /* stop before start: nothing to report */
    sip_media_stream_stop(stream);
    assert_int_equal(recorder.events->len, 0);

    assert_true(sip_media_stream_start(stream, &params, &error));
    assert_int_equal(recorder.events->len, 1);
    e = &g_array_index(recorder.events, struct recorded_event, 0);
    assert_ptr_equal(e->stream, stream);
    assert_int_equal(e->event, SIP_MEDIA_STREAM_STARTED);
    assert_string_equal(e->params.remote_address, "192.0.2.7");
    assert_int_equal(e->params.remote_port, 30000);
    assert_int_equal(e->params.payload_type, 8);
    assert_string_equal(e->params.codec_name, "PCMA");
    assert_int_equal(e->params.clock_rate, 8000);
    assert_int_equal(e->params.telephone_event_pt, 101);
    assert_int_equal(e->params.direction, SIP_MEDIA_SENDRECV);

    /* re-INVITE to hold: started again with the new direction */
    params.direction = SIP_MEDIA_SENDONLY;
    assert_true(sip_media_stream_start(stream, &params, &error));
    assert_int_equal(recorder.events->len, 2);
    e = &g_array_index(recorder.events, struct recorded_event, 1);
    assert_int_equal(e->event, SIP_MEDIA_STREAM_STARTED);
    assert_int_equal(e->params.direction, SIP_MEDIA_SENDONLY);

    sip_media_stream_stop(stream);
    assert_int_equal(recorder.events->len, 3);
    e = &g_array_index(recorder.events, struct recorded_event, 2);
    assert_ptr_equal(e->stream, stream);
    assert_int_equal(e->event, SIP_MEDIA_STREAM_STOPPED);
    sip_media_stream_stop(stream);
    assert_int_equal(recorder.events->len, 3);

    /* ports stay bound while stopped */
    assert_false(can_bind("127.0.0.1", sip_media_stream_get_port(stream)));

    /* bad parameters: refused, nothing reported */
    params.remote_address = NULL;
    assert_false(sip_media_stream_start(stream, &params, &error));
    assert_true(g_error_matches(error, SIP_MEDIA_ERROR, SIP_MEDIA_ERROR_INVALID));
    g_clear_error(&error);
    params.remote_address = (char *)"192.0.2.7";
    params.direction = 9;
    assert_false(sip_media_stream_start(stream, &params, &error));
    g_clear_error(&error);
    assert_false(sip_media_stream_start(stream, NULL, &error));
    g_clear_error(&error);
    assert_false(sip_media_stream_start(NULL, &params, &error));
    g_clear_error(&error);
    assert_int_equal(recorder.events->len, 3);

    /* freeing a started stream stops it first */
    params.direction = SIP_MEDIA_SENDRECV;
    assert_true(sip_media_stream_start(stream, &params, NULL));
    recorder_reset(&recorder);
    sip_media_stream_free(stream);
    assert_int_equal(recorder.events->len, 1);
    e = &g_array_index(recorder.events, struct recorded_event, 0);
    assert_int_equal(e->event, SIP_MEDIA_STREAM_STOPPED);

    recorder_reset(&recorder);
    g_array_free(recorder.events, TRUE);
    sip_media_backend_free(backend);
}

static void test_params_copy(void **state)
{
    struct sip_media_params src = { (char *)"::1", 1234, 0, (char *)"PCMU", 8000, -1, SIP_MEDIA_RECVONLY };
    struct sip_media_params dst;

    (void)state;
    sip_media_params_copy(&dst, &src);
    assert_ptr_not_equal(dst.remote_address, src.remote_address);
    assert_string_equal(dst.remote_address, "::1");
    assert_string_equal(dst.codec_name, "PCMU");
    assert_int_equal(dst.remote_port, 1234);
    assert_int_equal(dst.direction, SIP_MEDIA_RECVONLY);
    sip_media_params_clear(&dst);
    assert_null(dst.remote_address);
    assert_null(dst.codec_name);
    assert_int_equal(dst.payload_type, -1);
    assert_int_equal(dst.telephone_event_pt, -1);
    sip_media_params_clear(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] =
    {
        cmocka_unit_test(test_direction_helpers),
        cmocka_unit_test(test_ports),
        cmocka_unit_test(test_port_range),
        cmocka_unit_test(test_bad_address),
        cmocka_unit_test(test_ipv6),
        cmocka_unit_test(test_events),
        cmocka_unit_test(test_params_copy),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
