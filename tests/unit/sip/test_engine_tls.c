/*
 * A call between two engines over TLS (";transport=tls"): the callee
 * presents the test certificate, the caller (a client without one) trusts
 * the test CA; the callee's requests reuse the caller's connection.
 * Its own program because of the LeakSanitizer note in test_tls.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <gio/gio.h>
#include <glib/gstdio.h>

#include "sip/sip_call.h"
#include "sip/sip_engine.h"
#include "platform.h"
#include "tls_fixtures.h"
#include "../../common/test_time.h"

#ifdef __SANITIZE_ADDRESS__
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
    return "detect_leaks=0";    /* see test_tls.c */
}
#endif

static GPtrArray *events;

static void on_incoming(struct sip_engine *engine, struct sip_call *call, void *user_data)
{
    (void)engine;
    (void)user_data;
    g_ptr_array_add(events, g_strdup("incoming"));
    assert_true(sip_call_answer(call, NULL));
}

static void on_state(struct sip_call *call, enum sip_call_state state, guint code, const char *reason,
                     void *user_data)
{
    (void)reason;
    (void)user_data;
    g_ptr_array_add(events, g_strdup_printf("%s %s %u", sip_call_is_incoming(call) ? "in" : "out",
                                            sip_call_state_name(state), code));
}

static gboolean seen(const char *event)
{
    guint i;

    for (i = 0; i < events->len; i++)
        if (!strcmp(g_ptr_array_index(events, i), event))
            return TRUE;
    return FALSE;
}

static gboolean wait_for(const char *event)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)test_seconds(10) * G_USEC_PER_SEC;

    while (!seen(event) && g_get_monotonic_time() < deadline)
        g_main_context_iteration(NULL, TRUE);
    return seen(event);
}

static char *write_temp(const char *text)
{
    GError *error = NULL;
    char *path = NULL;
    int fd = g_file_open_tmp("rtcshim-tls-XXXXXX.pem", &path, &error);

    assert_true(fd >= 0);
    assert_true(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
    close(fd);
    return path;
}

static void test_tls_call(void **state)
{
    struct sip_engine_callbacks callbacks = { 0 };
    struct sip_engine *caller, *callee;
    char *ca, *certificate, *key, *target;
    struct sip_call *call;
    GError *error = NULL;
    guint16 port;

    (void)state;
    /* GIO keeps the first backend it is asked for: the one the engine registers before its
     * first transport (rtcshim.dll links its own, platform.h) must be there first. */
    sip_platform_init();
    if (!g_tls_backend_supports_tls(g_tls_backend_get_default()))
        skip();
    events = g_ptr_array_new_with_free_func(g_free);
    callbacks.incoming_call = on_incoming;
    callbacks.call_state_changed = on_state;
    ca = write_temp(test_ca_pem);
    certificate = write_temp(test_leaf_pem);
    key = write_temp(test_leaf_key);

    callee = sip_engine_new(NULL, &callbacks, NULL, &error);
    assert_true(sip_engine_set_tls_certificate(callee, certificate, key, &error));
    assert_true(sip_engine_listen(callee, SIP_TRANSPORT_TLS, "127.0.0.1", 0, &port, &error));
    /* The caller has no certificate and so no TLS listener: a client. */
    caller = sip_engine_new(NULL, &callbacks, NULL, &error);
    assert_true(sip_engine_trust_ca_file(caller, ca, &error));
    assert_false(sip_engine_listen(caller, SIP_TRANSPORT_TLS, "127.0.0.1", 0, NULL, NULL));

    target = g_strdup_printf("sip:bob@127.0.0.1:%u;transport=tls", port);
    call = sip_call_invite(caller, "<sip:alice@127.0.0.1>", target, &error);
    g_free(target);
    if (!call)
        print_error("%s\n", error->message);
    assert_non_null(call);
    assert_true(wait_for("out connected 200"));
    assert_true(wait_for("in connected 200"));
    assert_true(sip_call_hangup(call, NULL));
    assert_true(wait_for("in terminated 200"));
    sip_call_unref(call);

    sip_engine_free(caller);
    sip_engine_free(callee);
    /* glib-networking dispatches its last TLS work on the context. */
    for (int i = 0; i < 20; i++)
        g_main_context_iteration(NULL, FALSE);
    g_unlink(ca);
    g_unlink(certificate);
    g_unlink(key);
    g_free(ca);
    g_free(certificate);
    g_free(key);
    g_ptr_array_free(events, TRUE);
}

int main(void)
{
    const struct CMUnitTest tests[] =
    {
        cmocka_unit_test(test_tls_call),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
