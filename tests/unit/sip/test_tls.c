/*
 * Unit tests for the TLS transport (glib-networking): a connection to a
 * server whose CA we were told to trust, and verification refusing one we
 * were not.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <glib/gstdio.h>

#include "platform.h"
#include "transport.h"
#include "tls_fixtures.h"
#include "../../common/test_time.h"

#ifdef __SANITIZE_ADDRESS__
/* LeakSanitizer's exit-time scan crashes on the thread-local storage of the
 * dlopen()ed glib-networking module (libsanitizer with glibc 2.36): keep
 * AddressSanitizer and UBSan, leave the leak check to the valgrind run. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
    return "detect_leaks=0";
}
#endif

/* ---- live sockets ------------------------------------------------------------------ */

struct received
{
    GPtrArray *messages;                /* char * */
    enum sip_transport_protocol protocol;
    char remote_ip[SIP_HOST_BUFFER_SIZE];
    guint16 remote_port;
    guint connection_id;
};

static void on_receive(const char *data, gsize length, const struct sip_transport_peer *peer, void *user_data)
{
    struct received *received = user_data;

    g_ptr_array_add(received->messages, g_strndup(data, length));
    received->protocol = peer->protocol;
    g_strlcpy(received->remote_ip, peer->remote_ip, sizeof(received->remote_ip));
    received->remote_port = peer->remote_port;
    received->connection_id = peer->connection_id;
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

static const char options_request[] = "OPTIONS sip:b@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP x\r\nContent-Length: 0\r\n\r\n";

static GTlsCertificate *load_leaf(void)
{
    char *pem = g_strconcat(test_leaf_pem, test_leaf_key, NULL);
    GTlsCertificate *certificate = g_tls_certificate_new_from_pem(pem, -1, NULL);

    g_free(pem);
    return certificate;
}

static void tls_exchange(gboolean trust_ca)
{
    GMainContext *context = g_main_context_new();
    struct sip_transport_layer *client, *server;
    struct received rc, rs;
    GTlsCertificate *certificate;
    GError *error = NULL;
    char *ca_path = NULL;
    int fd;
    guint16 port;
    guint used;

    /* GIO keeps the first backend it is asked for: the one the engine registers before its
     * first transport (rtcshim.dll links its own, platform.h) must be there first. */
    sip_platform_init();
    if (!g_tls_backend_supports_tls(g_tls_backend_get_default()))
    {
        g_main_context_unref(context);
        skip();
    }
    received_init(&rc);
    received_init(&rs);
    client = sip_transport_layer_new(context, on_receive, &rc);
    server = sip_transport_layer_new(context, on_receive, &rs);
    certificate = load_leaf();
    assert_non_null(certificate);
    sip_transport_layer_set_certificate(server, certificate);
    g_object_unref(certificate);
    assert_true(sip_transport_listen(server, SIP_TRANSPORT_TLS, "127.0.0.1", 0, &port, &error));
    assert_true(sip_transport_listen(client, SIP_TRANSPORT_TCP, "127.0.0.1", 0, NULL, &error));
    if (trust_ca)
    {
        fd = g_file_open_tmp("rtcshim-ca-XXXXXX.pem", &ca_path, &error);
        assert_true(fd >= 0);
        assert_true(write(fd, test_ca_pem, strlen(test_ca_pem)) == (ssize_t)strlen(test_ca_pem));
        close(fd);
        assert_true(sip_transport_layer_trust_ca_file(client, ca_path, &error));
    }

    /* Queued while connecting and handshaking, delivered once verified. */
    assert_true(sip_transport_send(client, SIP_TRANSPORT_TLS, "127.0.0.1", port, 0, options_request,
                                   strlen(options_request), &used, &error));
    if (trust_ca)
    {
        assert_true(wait_for(context, &rs, 1));
        assert_string_equal(g_ptr_array_index(rs.messages, 0), options_request);
        assert_int_equal(rs.protocol, SIP_TRANSPORT_TLS);
        assert_true(sip_transport_send(server, SIP_TRANSPORT_TLS, rs.remote_ip, rs.remote_port, rs.connection_id,
                                       options_request, strlen(options_request), NULL, &error));
        assert_true(wait_for(context, &rc, 1));
    }
    else
    {
        /* Verification is on by default: an unknown CA gets nothing through. */
        for (int i = 0; i < 500 && sip_transport_connection_is_open(client, used); i++)
            spin(context, 10);
        assert_false(sip_transport_connection_is_open(client, used));
        assert_int_equal(rs.messages->len, 0);
    }

    sip_transport_layer_free(client);
    sip_transport_layer_free(server);
    /* Let glib-networking finish what it dispatches on the context. */
    spin(context, 20);
    if (ca_path)
    {
        g_unlink(ca_path);
        g_free(ca_path);
    }
    g_ptr_array_free(rc.messages, TRUE);
    g_ptr_array_free(rs.messages, TRUE);
    g_main_context_unref(context);
}

static void test_tls_trusted_ca(void **state)
{
    (void)state;
    tls_exchange(TRUE);
}

static void test_tls_verification_on_by_default(void **state)
{
    (void)state;
    tls_exchange(FALSE);
}

int main(void)
{
    const struct CMUnitTest tests[] =
    {
        cmocka_unit_test(test_tls_trusted_ca),
        cmocka_unit_test(test_tls_verification_on_by_default),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
