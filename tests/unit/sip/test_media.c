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
    backend = sip_media_default_backend_new(0, 0);
    assert_non_null(backend);

    a = sip_media_stream_new(backend, "127.0.0.1", NULL, NULL, &error);
    assert_null(error);
    assert_non_null(a);
    b = sip_media_stream_new(backend, "127.0.0.1", NULL, NULL, &error);
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
    backend = sip_media_default_backend_new(0, 0);
    a = sip_media_stream_new(backend, "127.0.0.1", NULL, NULL, NULL);
    assert_non_null(a);
    p = sip_media_stream_get_port(a);

    /* The only pair in range is taken. An odd minimum rounds up to p. */
    narrow = sip_media_default_backend_new(p - 1, p + 1);
    assert_non_null(narrow);
    assert_null(sip_media_stream_new(narrow, "127.0.0.1", NULL, NULL, &error));
    assert_true(g_error_matches(error, SIP_MEDIA_ERROR, SIP_MEDIA_ERROR_NO_PORTS));
    g_clear_error(&error);
    sip_media_backend_free(narrow);

    /* Once freed, the same narrow range works and gives exactly p. */
    sip_media_stream_free(a);
    narrow = sip_media_default_backend_new(p, p + 1);
    b = sip_media_stream_new(narrow, "127.0.0.1", NULL, NULL, &error);
    assert_null(error);
    assert_int_equal(sip_media_stream_get_port(b), p);

    /* A pair whose RTCP port is busy is skipped. */
    sip_media_stream_free(b);
    blocker = bind_socket("127.0.0.1", p + 1);
    assert_non_null(blocker);
    assert_null(sip_media_stream_new(narrow, "127.0.0.1", NULL, NULL, &error));
    assert_true(g_error_matches(error, SIP_MEDIA_ERROR, SIP_MEDIA_ERROR_NO_PORTS));
    g_clear_error(&error);
    assert_true(can_bind("127.0.0.1", p));    /* the RTP socket was let go */
    g_object_unref(blocker);
    sip_media_backend_free(narrow);

    sip_media_backend_free(backend);

    /* Ranges without a pair */
    assert_null(sip_media_default_backend_new(40001, 40001));
    assert_null(sip_media_default_backend_new(40000, 40000));
    assert_null(sip_media_default_backend_new(50000, 40000));
    assert_null(sip_media_default_backend_new(65535, 65535));
}

static void test_bad_address(void **state)
{
    struct sip_media_backend *backend = sip_media_default_backend_new(0, 0);
    GError *error = NULL;

    (void)state;
    assert_null(sip_media_stream_new(backend, "not-an-address", NULL, NULL, &error));
    assert_true(g_error_matches(error, SIP_MEDIA_ERROR, SIP_MEDIA_ERROR_INVALID));
    g_clear_error(&error);
    assert_null(sip_media_stream_new(backend, NULL, NULL, NULL, &error));
    assert_true(g_error_matches(error, SIP_MEDIA_ERROR, SIP_MEDIA_ERROR_INVALID));
    g_clear_error(&error);
    assert_null(sip_media_stream_new(NULL, "127.0.0.1", NULL, NULL, &error));
    g_clear_error(&error);
    /* An address that is not ours fails at once with the socket error. */
    assert_null(sip_media_stream_new(backend, "192.0.2.1", NULL, NULL, &error));
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
    struct sip_media_backend *backend = sip_media_default_backend_new(0, 0);
    struct sip_media_stream *stream;
    GError *error = NULL;

    (void)state;
    stream = sip_media_stream_new(backend, "::1", NULL, NULL, &error);
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

static void never_called(struct sip_media_stream *stream, const struct sip_media_event *event, gpointer user_data)
{
    fail_msg("the default backend reported event %d", event->type);
}

/* The default backend moves no audio and says so: no flow ever starts, every
 * control fails with UNSUPPORTED. */
static void test_default_backend_is_honest(void **state)
{
    struct sip_media_params params;
    struct sip_media_backend *backend;
    struct sip_media_stream *stream;
    struct sip_media_stats stats;
    GError *error = NULL;
    char **devices, *device;

    (void)state;
    memset(&params, 0, sizeof(params));
    params.remote_address = (char *)"192.0.2.7";
    params.remote_port = 30000;
    params.payload_type = 8;
    params.codec_name = (char *)"PCMA";
    params.clock_rate = 8000;
    params.telephone_event_pt = 101;
    params.direction = SIP_MEDIA_SENDRECV;

    backend = sip_media_default_backend_new(0, 0);
    stream = sip_media_stream_new(backend, "127.0.0.1", never_called, NULL, &error);
    assert_non_null(stream);
    assert_false(sip_media_backend_moves_audio(backend));
    assert_ptr_equal(sip_media_backend_get_formats(backend), sip_media_default_formats);

    sip_media_stream_stop(stream);      /* before start: nothing to do */
    assert_true(sip_media_stream_start(stream, &params, &error));
    params.direction = SIP_MEDIA_SENDONLY;
    assert_true(sip_media_stream_start(stream, &params, &error));
    sip_media_stream_stop(stream);
    sip_media_stream_stop(stream);
    /* ports stay bound while stopped */
    assert_false(can_bind("127.0.0.1", sip_media_stream_get_port(stream)));

    /* bad parameters: refused */
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

    /* controls */
    assert_false(sip_media_stream_send_dtmf(stream, 5, &error));
    assert_true(g_error_matches(error, SIP_MEDIA_ERROR, SIP_MEDIA_ERROR_UNSUPPORTED));
    g_clear_error(&error);
    assert_false(sip_media_stream_send_dtmf(stream, 17, &error));
    assert_true(g_error_matches(error, SIP_MEDIA_ERROR, SIP_MEDIA_ERROR_INVALID));
    g_clear_error(&error);
    assert_false(sip_media_stream_send_dtmf(NULL, 1, &error));
    assert_true(g_error_matches(error, SIP_MEDIA_ERROR, SIP_MEDIA_ERROR_NO_STREAM));
    g_clear_error(&error);
    assert_false(sip_media_stream_set_volume(stream, SIP_MEDIA_SPEAKER, 0.5, FALSE, &error));
    assert_true(g_error_matches(error, SIP_MEDIA_ERROR, SIP_MEDIA_ERROR_UNSUPPORTED));
    g_clear_error(&error);
    sip_media_stream_get_stats(stream, &stats);
    assert_int_equal(stats.rtp_packets_sent, 0);
    assert_null(stats.codec);
    assert_false(sip_media_stream_set_silence_suppression(stream, TRUE, &error));
    assert_true(g_error_matches(error, SIP_MEDIA_ERROR, SIP_MEDIA_ERROR_UNSUPPORTED));
    g_clear_error(&error);
    assert_true(sip_media_stream_set_silence_suppression(NULL, TRUE, &error));     /* no stream yet */

    assert_false(sip_media_backend_set_volume(backend, SIP_MEDIA_SPEAKER, 0.5, &error));
    assert_true(g_error_matches(error, SIP_MEDIA_ERROR, SIP_MEDIA_ERROR_UNSUPPORTED));
    g_clear_error(&error);
    assert_true(sip_media_backend_get_volume(backend, SIP_MEDIA_SPEAKER) == 1.0);
    assert_false(sip_media_backend_set_volume(backend, SIP_MEDIA_SPEAKER, 1.5, &error));
    assert_true(g_error_matches(error, SIP_MEDIA_ERROR, SIP_MEDIA_ERROR_INVALID));
    g_clear_error(&error);
    assert_false(sip_media_backend_set_volume(backend, 7, 0.5, &error));
    assert_true(g_error_matches(error, SIP_MEDIA_ERROR, SIP_MEDIA_ERROR_INVALID));
    g_clear_error(&error);
    assert_false(sip_media_backend_set_muted(backend, SIP_MEDIA_MICROPHONE, TRUE, &error));
    g_clear_error(&error);
    assert_false(sip_media_backend_get_muted(backend, SIP_MEDIA_MICROPHONE));
    assert_false(sip_media_backend_set_echo_cancellation(backend, TRUE, &error));
    assert_true(g_error_matches(error, SIP_MEDIA_ERROR, SIP_MEDIA_ERROR_UNSUPPORTED));
    g_clear_error(&error);
    assert_false(sip_media_backend_get_echo_cancellation(backend));
    assert_false(sip_media_backend_play_tone(backend, SIP_MEDIA_TONE_RING, TRUE, &error));
    g_clear_error(&error);
    assert_false(sip_media_backend_set_device(backend, SIP_MEDIA_SPEAKER, "x", &error));
    g_clear_error(&error);
    assert_false(sip_media_backend_has_device(backend, SIP_MEDIA_SPEAKER));
    assert_false(sip_media_backend_device_chosen(backend, SIP_MEDIA_MICROPHONE));
    devices = sip_media_backend_list_devices(backend, SIP_MEDIA_MICROPHONE);
    assert_null(devices[0]);
    g_strfreev(devices);
    device = sip_media_backend_get_device(backend, SIP_MEDIA_SPEAKER);
    assert_string_equal(device, "");
    g_free(device);
    sip_media_backend_set_level_reporting(backend, TRUE);

    sip_media_stream_free(stream);
    sip_media_backend_free(backend);
}

static void test_params_copy(void **state)
{
    struct sip_media_params src, dst;

    (void)state;
    memset(&src, 0, sizeof(src));
    src.remote_address = (char *)"::1";
    src.remote_port = 1234;
    src.codec_name = (char *)"opus";
    src.fmtp = (char *)"useinbandfec=1";
    src.clock_rate = 48000;
    src.channels = 2;
    src.telephone_event_pt = -1;
    src.direction = SIP_MEDIA_RECVONLY;
    src.codecs[0] = (struct sip_media_codec){ 111, (char *)"opus", 48000, 2, (char *)"useinbandfec=1" };
    src.codecs[1] = (struct sip_media_codec){ 0, (char *)"PCMU", 8000, 1, NULL };
    src.n_codecs = 2;
    sip_media_params_copy(&dst, &src);
    assert_ptr_not_equal(dst.remote_address, src.remote_address);
    assert_string_equal(dst.remote_address, "::1");
    assert_string_equal(dst.codec_name, "opus");
    assert_string_equal(dst.fmtp, "useinbandfec=1");
    assert_ptr_not_equal(dst.codecs[0].name, src.codecs[0].name);
    assert_string_equal(dst.codecs[0].fmtp, "useinbandfec=1");
    assert_null(dst.codecs[1].fmtp);
    assert_int_equal(dst.remote_port, 1234);
    assert_int_equal(dst.direction, SIP_MEDIA_RECVONLY);
    assert_true(sip_media_params_equal(&dst, &src));
    dst.direction = SIP_MEDIA_SENDRECV;
    assert_false(sip_media_params_equal(&dst, &src));
    dst.direction = SIP_MEDIA_RECVONLY;
    g_free(dst.codecs[1].name);
    dst.codecs[1].name = g_strdup("PCMA");
    assert_false(sip_media_params_equal(&dst, &src));
    sip_media_params_clear(&dst);
    assert_int_equal(dst.n_codecs, 0);
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
        cmocka_unit_test(test_default_backend_is_honest),
        cmocka_unit_test(test_params_copy),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
