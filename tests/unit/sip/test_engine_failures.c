/*
 * The engine when things go away: calls that outlive their engine (with
 * media streams), TCP connections that cannot be opened, and the 302 with
 * several Contacts. Engines on loopback in one GMainContext.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include <gio/gio.h>

#include "media.h"
#include "sip/sip_call.h"
#include "sip/sip_engine.h"
#include "sip/sip_refer.h"
#include "sip/sip_register.h"
#include "../../common/test_time.h"

/* ---- a media backend that checks its streams die before it does ---------------------- */

struct checking_backend
{
    struct sip_media_backend backend;
    int live_streams;
    int streams_made;
    gboolean destroyed;
};

struct checking_stream
{
    struct sip_media_stream stream;
    guint16 port;
};

static struct sip_media_stream *checking_stream_new(struct sip_media_backend *backend, const char *address,
                                                    sip_media_stream_func callback, gpointer user_data,
                                                    GError **error)
{
    struct checking_backend *checking = (struct checking_backend *)backend;
    struct checking_stream *stream = g_new0(struct checking_stream, 1);

    (void)address;
    (void)error;
    assert_false(checking->destroyed);
    stream->stream.backend = backend;
    stream->port = 40000 + 2 * checking->streams_made++;
    checking->live_streams++;
    return &stream->stream;
}

static guint16 checking_stream_get_port(struct sip_media_stream *stream)
{
    return ((struct checking_stream *)stream)->port;
}

static gboolean checking_stream_start(struct sip_media_stream *stream, const struct sip_media_params *params,
                                      GError **error)
{
    (void)params;
    (void)error;
    assert_false(((struct checking_backend *)stream->backend)->destroyed);
    return TRUE;
}

static void checking_stream_stop(struct sip_media_stream *stream)
{
    assert_false(((struct checking_backend *)stream->backend)->destroyed);
}

static void checking_stream_free(struct sip_media_stream *stream)
{
    struct checking_backend *checking = (struct checking_backend *)stream->backend;

    /* The bug this file was written for: a stream freed after its backend. */
    assert_false(checking->destroyed);
    checking->live_streams--;
    g_free(stream);
}

static void checking_backend_destroy(struct sip_media_backend *backend)
{
    struct checking_backend *checking = (struct checking_backend *)backend;

    assert_int_equal(checking->live_streams, 0);
    checking->destroyed = TRUE;     /* the test frees it */
}

static const struct sip_media_format *checking_get_formats(struct sip_media_backend *backend)
{
    return sip_media_default_formats;
}

static const struct sip_media_backend_funcs checking_funcs =
{
    .stream_new = checking_stream_new,
    .stream_get_port = checking_stream_get_port,
    .stream_start = checking_stream_start,
    .stream_stop = checking_stream_stop,
    .stream_free = checking_stream_free,
    .destroy = checking_backend_destroy,
    .get_formats = checking_get_formats,
};

/* ---- parties -------------------------------------------------------------------------------------- */

struct party
{
    const char *name;
    struct sip_engine *engine;
    struct checking_backend *media;
    guint16 port;
    char *uri;
    GPtrArray *events;
    struct sip_call *incoming;
    const char *const *redirect_to;     /* answer incoming calls 302 with these */
    gboolean redirect_single;           /* with sip_call_redirect(redirect_to[0]) */
};

static void record(struct party *party, const char *format, ...) G_GNUC_PRINTF(2, 3);
static void record(struct party *party, const char *format, ...)
{
    va_list args;

    va_start(args, format);
    g_ptr_array_add(party->events, g_strdup_vprintf(format, args));
    va_end(args);
}

static gboolean has_event(struct party *party, const char *event)
{
    guint i;

    for (i = 0; i < party->events->len; i++)
        if (!strcmp(g_ptr_array_index(party->events, i), event))
            return TRUE;
    return FALSE;
}

static gboolean wait_event(struct party *party, const char *event, double seconds)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)(seconds * test_time_scale() * G_USEC_PER_SEC);
    guint i;

    while (!has_event(party, event) && g_get_monotonic_time() < deadline)
        if (!g_main_context_iteration(NULL, FALSE))
            g_usleep(1000);
    if (has_event(party, event))
        return TRUE;
    print_error("%s never saw \"%s\"; it saw:\n", party->name, event);
    for (i = 0; i < party->events->len; i++)
        print_error("  %s\n", (char *)g_ptr_array_index(party->events, i));
    return FALSE;
}

static void spin(int ms)
{
    gint64 deadline = g_get_monotonic_time() + ms * 1000;

    while (g_get_monotonic_time() < deadline)
        if (!g_main_context_iteration(NULL, FALSE))
            g_usleep(1000);
}

static void on_incoming_call(struct sip_engine *engine, struct sip_call *call, void *user_data)
{
    struct party *party = user_data;

    (void)engine;
    record(party, "incoming");
    if (party->incoming)
        sip_call_unref(party->incoming);
    party->incoming = sip_call_ref(call);
    if (party->redirect_to)
    {
        static const char *const none[] = { NULL };
        GError *error = NULL;

        assert_false(sip_call_redirect_many(call, none, NULL));
        if (party->redirect_single ? sip_call_redirect(call, party->redirect_to[0], &error)
                                   : sip_call_redirect_many(call, party->redirect_to, &error))
            return;
        /* Refused as a whole: nothing went out, the call still waits. */
        record(party, "redirect refused");
        assert_true(g_error_matches(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_INVALID_ARGUMENT));
        g_error_free(error);
        assert_true(sip_call_reject(call, 486, NULL, NULL));
    }
    else
        assert_true(sip_call_answer(call, NULL));
}

static void on_state(struct sip_call *call, enum sip_call_state state, guint code, const char *reason, void *user_data)
{
    (void)reason;
    record(user_data, "%s %s %u", sip_call_is_incoming(call) ? "in" : "out", sip_call_state_name(state), code);
    if (state == SIP_CALL_STATE_TERMINATED)
        record(user_data, "ended %s", sip_call_end_reason_name(sip_call_get_end_reason(call)));
}

static void on_request_completed(struct sip_engine *engine, guint id, guint code, const char *reason, void *user_data)
{
    (void)engine;
    (void)id;
    (void)reason;
    record(user_data, "completed %u", code);
}

static void on_refer_progress(struct sip_refer *refer, enum sip_refer_progress progress, guint code,
                              const char *reason, enum sip_refer_end end, void *user_data)
{
    static const char *const names[] = { "accepted", "rejected", "failed", "notify", "ended" };

    (void)refer;
    (void)reason;
    (void)end;
    record(user_data, "refer %s %u", names[progress], code);
}

static void on_registration(struct sip_registration *registration, enum sip_registration_state state, guint code,
                            const char *reason, void *user_data)
{
    (void)registration;
    (void)reason;
    record(user_data, "registration %s %u", sip_registration_state_name(state), code);
}

static void party_start(struct party *party, const char *name, enum sip_transport_protocol protocol)
{
    struct sip_engine_callbacks callbacks = { 0 };
    struct sip_refer_callbacks refer_callbacks = { NULL, on_refer_progress };
    struct sip_registration_callbacks registration_callbacks = { on_registration };
    struct sip_engine_config config = { 0 };
    GError *error = NULL;

    memset(party, 0, sizeof(*party));
    party->name = name;
    party->events = g_ptr_array_new_with_free_func(g_free);
    party->media = g_new0(struct checking_backend, 1);
    sip_media_backend_init(&party->media->backend, &checking_funcs);
    config.media_backend = &party->media->backend;
    callbacks.incoming_call = on_incoming_call;
    callbacks.call_state_changed = on_state;
    callbacks.request_completed = on_request_completed;
    party->engine = sip_engine_new(&config, &callbacks, party, &error);
    assert_non_null(party->engine);
    sip_engine_set_refer_callbacks(party->engine, &refer_callbacks);
    sip_engine_set_registration_callbacks(party->engine, &registration_callbacks);
    assert_true(sip_engine_listen(party->engine, protocol, "127.0.0.1", 0, &party->port, &error));
    party->uri = g_strdup_printf("sip:%s@127.0.0.1:%u%s", name, party->port,
                                 protocol == SIP_TRANSPORT_TCP ? ";transport=tcp" : "");
}

static void party_free_engine(struct party *party)
{
    sip_engine_free(party->engine);
    party->engine = NULL;
    /* The engine destroyed the backend (after every stream): now its memory goes. */
    assert_true(party->media->destroyed);
    assert_int_equal(party->media->live_streams, 0);
}

static void party_stop(struct party *party)
{
    if (party->incoming)
        sip_call_unref(party->incoming);
    if (party->engine)
        party_free_engine(party);
    g_free(party->media);
    g_ptr_array_free(party->events, TRUE);
    g_free(party->uri);
}

static struct sip_call *call_party(struct party *from, struct party *to)
{
    char *identity = g_strdup_printf("<%s>", from->uri);
    struct sip_call *call = sip_call_invite(from->engine, identity, to->uri, NULL);

    g_free(identity);
    assert_non_null(call);
    return call;
}

/* A TCP port on 127.0.0.1 that nothing listens on (bound, then closed). */
static guint16 closed_tcp_port(void)
{
    GSocketAddress *any = g_inet_socket_address_new_from_string("127.0.0.1", 0), *bound;
    GSocket *socket = g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
    guint16 port;

    assert_true(g_socket_bind(socket, any, FALSE, NULL));
    bound = g_socket_get_local_address(socket, NULL);
    port = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(bound));
    g_object_unref(bound);
    g_object_unref(any);
    g_socket_close(socket, NULL);
    g_object_unref(socket);
    return port;
}

/* ---- calls that outlive their engine ------------------------------------------------------------- */

static void test_calls_outlive_engine(void **state)
{
    struct party alice, bob;
    struct sip_call *call, *ended;
    GError *error = NULL;

    (void)state;
    party_start(&alice, "alice", SIP_TRANSPORT_UDP);
    party_start(&bob, "bob", SIP_TRANSPORT_UDP);

    /* A first call that ends: Bob's side leaves the engine's registry at
     * once (nothing to linger for) but the test keeps a reference. */
    call = call_party(&alice, &bob);
    assert_true(wait_event(&bob, "in connected 200", 5));
    ended = sip_call_ref(bob.incoming);
    assert_true(sip_call_hangup(call, NULL));
    assert_true(wait_event(&bob, "ended remote-hangup", 5));
    spin(50);
    sip_call_unref(call);
    /* Ended calls give their streams back at once. */
    assert_int_equal(bob.media->live_streams, 0);
    assert_int_equal(alice.media->live_streams, 0);

    /* A second call, connected, with a media stream on each side. */
    g_ptr_array_set_size(alice.events, 0);
    g_ptr_array_set_size(bob.events, 0);
    call = call_party(&alice, &bob);
    assert_true(wait_event(&bob, "in connected 200", 5));
    assert_true(wait_event(&alice, "out connected 200", 5));
    assert_int_equal(alice.media->live_streams, 1);
    assert_int_equal(bob.media->live_streams, 1);

    /* Both engines go while the calls are still referenced. */
    party_free_engine(&bob);
    party_free_engine(&alice);

    /* Every call is detached, the ended one too (it was no longer in the
     * registry): no engine, calls fail cleanly, unref frees nothing twice. */
    assert_null(sip_call_get_engine(call));
    assert_null(sip_call_get_engine(bob.incoming));
    assert_null(sip_call_get_engine(ended));
    assert_false(sip_call_hold(call, &error));
    assert_true(g_error_matches(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_DETACHED));
    g_clear_error(&error);
    assert_false(sip_call_hangup(ended, &error));
    assert_true(g_error_matches(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_DETACHED));
    g_clear_error(&error);
    assert_null(sip_call_refer(call, "sip:carol@127.0.0.1", NULL, &error));
    g_clear_error(&error);
    sip_call_unref(ended);
    sip_call_unref(call);
    party_stop(&alice);
    party_stop(&bob);
}

/* ---- TCP connections that cannot be opened -------------------------------------------------------- */

static void test_tcp_connect_refused(void **state)
{
    struct sip_registration *registration;
    struct party alice;
    struct sip_call *call;
    gint64 started;
    char *target;
    guint16 port;

    (void)state;
    party_start(&alice, "alice", SIP_TRANSPORT_TCP);
    port = closed_tcp_port();

    /* INVITE: the call ends at once, transport-error 503 (not 32 s later). */
    started = g_get_monotonic_time();
    target = g_strdup_printf("sip:bob@127.0.0.1:%u;transport=tcp", port);
    call = sip_call_invite(alice.engine, "<sip:alice@127.0.0.1>", target, NULL);
    assert_non_null(call);
    assert_true(wait_event(&alice, "out terminated 503", 2));
    assert_true(has_event(&alice, "ended transport-error"));
    assert_int_equal(sip_call_get_end_reason(call), SIP_CALL_END_TRANSPORT_ERROR);
    assert_int_equal(sip_call_get_status_code(call), 503);
    assert_true(g_get_monotonic_time() - started < 2 * G_USEC_PER_SEC);
    sip_call_unref(call);

    /* MESSAGE: completed 503. */
    assert_true(sip_engine_send_message(alice.engine, "<sip:alice@127.0.0.1>", target, "text/plain", "x", 1, NULL));
    assert_true(wait_event(&alice, "completed 503", 2));
    g_free(target);

    /* REGISTER: failed 503. */
    target = g_strdup_printf("sip:127.0.0.1:%u;transport=tcp", port);
    registration = sip_register(alice.engine, "sip:alice@127.0.0.1", target, 60, NULL);
    g_free(target);
    assert_non_null(registration);
    assert_true(wait_event(&alice, "registration failed 503", 2));
    assert_int_equal(sip_registration_get_status_code(registration), 503);
    sip_registration_unref(registration);

    assert_true(g_get_monotonic_time() - started < 4 * G_USEC_PER_SEC);
    party_stop(&alice);
}

static void test_tcp_refer_to_vanished_peer(void **state)
{
    struct party alice, bob;
    struct sip_refer *refer;
    struct sip_call *call;

    (void)state;
    party_start(&alice, "alice", SIP_TRANSPORT_TCP);
    party_start(&bob, "bob", SIP_TRANSPORT_TCP);
    call = call_party(&alice, &bob);
    assert_true(wait_event(&alice, "out connected 200", 5));
    assert_true(wait_event(&bob, "in connected 200", 5));

    /* Bob vanishes without a BYE: his connection and listener close. */
    party_free_engine(&bob);
    spin(100);

    /* Alice's REFER needs a new connection, which is refused: it fails at once. */
    refer = sip_call_refer(call, "sip:carol@127.0.0.1:5999", NULL, NULL);
    assert_non_null(refer);
    assert_true(wait_event(&alice, "refer failed 503", 2));
    sip_refer_unref(refer);
    /* So does the BYE; the call ends locally all the same. */
    assert_true(sip_call_hangup(call, NULL));
    assert_true(wait_event(&alice, "ended local-hangup", 2));
    sip_call_unref(call);
    party_stop(&alice);
    party_stop(&bob);
}

/* ---- 302 with several Contacts ------------------------------------------------------------------- */

static void test_redirect_many(void **state)
{
    static const char *const targets[] = { "sip:one@127.0.0.1:5071;transport=tcp", "\"Two\" <sip:two@127.0.0.1:5072>",
                                           "<sip:three@[::1]:5073>;q=0.5", NULL };
    struct party alice, bob;
    const char *const *contacts;
    struct sip_call *call;
    GError *error = NULL;

    (void)state;
    party_start(&alice, "alice", SIP_TRANSPORT_UDP);
    party_start(&bob, "bob", SIP_TRANSPORT_UDP);
    bob.redirect_to = targets;
    call = call_party(&alice, &bob);
    assert_true(wait_event(&alice, "out terminated 302", 5));
    assert_true(has_event(&alice, "ended redirected"));
    assert_true(wait_event(&bob, "ended redirected", 5));
    contacts = sip_call_get_redirect_contacts(call);
    assert_non_null(contacts[0]);
    assert_string_equal(contacts[0], "sip:one@127.0.0.1:5071;transport=tcp");
    assert_non_null(contacts[1]);
    assert_string_equal(contacts[1], "sip:two@127.0.0.1:5072");
    assert_non_null(contacts[2]);
    assert_string_equal(contacts[2], "sip:three@[::1]:5073");
    assert_null(contacts[3]);
    sip_call_unref(call);

    /* The single-string form takes a comma-separated list, as a Contact
     * header value: commas inside <...> and quotes do not separate. */
    {
        static const char *const one[] = { "<sip:a,b@127.0.0.1:5074>, \"Smith, J\" <sip:j@127.0.0.1:5075>,", NULL };

        bob.redirect_to = one;
        bob.redirect_single = TRUE;
        g_ptr_array_set_size(alice.events, 0);
        call = call_party(&alice, &bob);
        assert_true(wait_event(&alice, "out terminated 302", 5));
        contacts = sip_call_get_redirect_contacts(call);
        assert_non_null(contacts[0]);
        assert_string_equal(contacts[0], "sip:a,b@127.0.0.1:5074");
        assert_non_null(contacts[1]);
        assert_string_equal(contacts[1], "sip:j@127.0.0.1:5075");
        assert_null(contacts[2]);
        sip_call_unref(call);
        bob.redirect_single = FALSE;
    }

    /* A bad entry refuses the whole redirect; the call still waits. */
    {
        static const char *const bad[] = { "sip:ok@127.0.0.1", "not a uri <", NULL };

        bob.redirect_to = bad;
        g_ptr_array_set_size(alice.events, 0);
        call = call_party(&alice, &bob);
        assert_true(wait_event(&bob, "redirect refused", 5));
        assert_true(wait_event(&alice, "out terminated 486", 5));
        assert_null(sip_call_get_redirect_contacts(call)[0]);
        sip_call_unref(call);
    }
    (void)error;
    party_stop(&alice);
    party_stop(&bob);
}

int main(void)
{
    const struct CMUnitTest tests[] =
    {
        cmocka_unit_test(test_calls_outlive_engine),
        cmocka_unit_test(test_tcp_connect_refused),
        cmocka_unit_test(test_tcp_refer_to_vanished_peer),
        cmocka_unit_test(test_redirect_many),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
