/*
 * The SIP engine end to end, in-process: several engines on loopback in one
 * GMainContext place, answer, hold, transfer and end calls with each other.
 * Every callback also checks that it is not running inside an API call.
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
#include "sip/sip_media.h"
#include "sip/sip_refer.h"
#include "../../common/test_time.h"

static gboolean in_api;

/* Runs an API call with the re-entrancy guard up. */
#define API(expression) ({ __typeof__(expression) api_result_; in_api = TRUE; api_result_ = (expression); \
                                in_api = FALSE; api_result_; })

enum incoming_action
{
    ANSWER,
    RING,
    REJECT_BUSY,
};

struct party
{
    const char *name;
    struct sip_engine *engine;
    guint16 port;
    char *uri;
    enum incoming_action action;
    GPtrArray *events;                  /* char *, what happened, in order */
    struct sip_call *incoming;          /* the last incoming call, referenced */
    struct sip_refer *refer;            /* the last refer received or sent, referenced */
    gboolean follow_refers;             /* transferee: accept and call the target */
    struct sip_call *transfer_call;     /* the call made for a refer */
    struct sip_refer *following;        /* the refer transfer_call reports to */
};

static void record(struct party *party, const char *format, ...) G_GNUC_PRINTF(2, 3);
static void record(struct party *party, const char *format, ...)
{
    va_list args;

    assert_false(in_api);   /* never called back from inside an API call */
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

static void on_incoming_call(struct sip_engine *engine, struct sip_call *call, void *user_data)
{
    struct party *party = user_data;
    const char *referred_by = sip_call_get_invite_header(call, "Referred-By");

    (void)engine;
    record(party, "incoming%s%s", referred_by ? " referred-by " : "", referred_by ? referred_by : "");
    if (sip_call_get_replaced_call(call))
        record(party, "replaces %s", sip_call_get_call_id(sip_call_get_replaced_call(call)));
    if (party->incoming)
        sip_call_unref(party->incoming);
    party->incoming = sip_call_ref(call);
    switch (party->action)
    {
    case ANSWER:
        assert_true(API(sip_call_answer(call, NULL)));
        if (sip_call_get_replaced_call(call))
            assert_true(API(sip_call_hangup(sip_call_get_replaced_call(call), NULL)));
        break;
    case RING:
        assert_true(API(sip_call_ring(call, NULL)));
        break;
    case REJECT_BUSY:
        assert_true(API(sip_call_reject(call, 486, NULL, NULL)));
        break;
    }
}

static void on_state(struct sip_call *call, enum sip_call_state state, guint code, const char *reason, void *user_data)
{
    struct party *party = user_data;

    (void)reason;
    record(party, "%s %s %u", sip_call_is_incoming(call) ? "in" : "out", sip_call_state_name(state), code);
    if (state == SIP_CALL_STATE_TERMINATED)
        record(party, "ended %s", sip_call_end_reason_name(sip_call_get_end_reason(call)));
    /* A transferee reports its new call's progress to the transferor. */
    if (call == party->transfer_call && party->following)
    {
        if (state == SIP_CALL_STATE_CONNECTED)
            assert_true(API(sip_refer_notify(party->following, 200, NULL, NULL)));
        else if (state == SIP_CALL_STATE_TERMINATED && code >= 300)
            assert_true(API(sip_refer_notify(party->following, code, NULL, NULL)));
    }
}

static void on_media(struct sip_call *call, gboolean local_hold, gboolean remote_hold, void *user_data)
{
    (void)call;
    record(user_data, "media %d %d", local_hold, remote_hold);
}

static void on_message(struct sip_engine *engine, struct sip_call *call, const struct sip_incoming_request *request,
                       void *user_data)
{
    (void)engine;
    record(user_data, "%s %s %s", call ? "dialog-message" : "message", request->content_type, request->body);
}

static void on_info(struct sip_call *call, const struct sip_incoming_request *request, void *user_data)
{
    (void)call;
    record(user_data, "info %s", request->body);
}

static void on_request_completed(struct sip_engine *engine, guint id, guint code, const char *reason, void *user_data)
{
    (void)engine;
    (void)id;
    (void)reason;
    record(user_data, "completed %u", code);
}

static void on_refer_received(struct sip_call *call, struct sip_refer *refer, void *user_data)
{
    struct party *party = user_data;
    struct sip_call_options options = { NULL };
    const char *const *line;
    GPtrArray *headers;
    char *from;

    record(party, "refer-received %s", sip_refer_get_target(refer));
    if (party->refer)
        sip_refer_unref(party->refer);
    party->refer = sip_refer_ref(refer);
    if (!party->follow_refers)
    {
        assert_true(API(sip_refer_reject(refer, 603, NULL, NULL)));
        return;
    }
    assert_true(API(sip_refer_accept(refer, NULL)));
    /* Call the target with what the Refer-To carried (Replaces, ...) and,
     * as RFC 3892 asks, who referred us. */
    headers = g_ptr_array_new_with_free_func(g_free);
    for (line = sip_refer_get_target_headers(refer); *line; line++)
        g_ptr_array_add(headers, g_strdup(*line));
    if (sip_refer_get_referred_by(refer))
        g_ptr_array_add(headers, g_strdup_printf("Referred-By: %s", sip_refer_get_referred_by(refer)));
    g_ptr_array_add(headers, NULL);
    options.headers = (const char *const *)headers->pdata;
    from = g_strdup_printf("<%s>", party->uri);
    party->transfer_call = API(sip_call_invite_full(sip_call_get_engine(call), from, sip_refer_get_target(refer),
                                                    &options, NULL));
    g_free(from);
    g_ptr_array_free(headers, TRUE);
    assert_non_null(party->transfer_call);
    party->following = sip_refer_ref(refer);
}

static void on_refer_progress(struct sip_refer *refer, enum sip_refer_progress progress, guint code,
                              const char *reason, enum sip_refer_end end, void *user_data)
{
    static const char *const progress_names[] = { "accepted", "rejected", "failed", "notify", "ended" };
    static const char *const end_names[] = { "success", "failure", "no-final", "rejected", "call-gone" };

    (void)refer;
    (void)reason;
    if (progress == SIP_REFER_ENDED)
        record(user_data, "refer ended %s", end_names[end]);
    else
        record(user_data, "refer %s %u", progress_names[progress], code);
}

/* ---- media changes: sip_call_update_media, offers the layer above decides ---- */

static void on_media_updated(struct sip_call *call, guint code, void *user_data)
{
    (void)call;
    record(user_data, "updated %u", code);
}

/* "offered audio:2 video:3": each m= line and what we would do with it. */
static void on_media_offered(struct sip_call *call, void *user_data)
{
    struct sip_call_offer_line lines[4];
    guint count = sip_call_get_offer_lines(call, lines, G_N_ELEMENTS(lines)), i;
    GString *text = g_string_new("offered");

    for (i = 0; i < count && i < G_N_ELEMENTS(lines); i++)
        g_string_append_printf(text, " %s:%u", lines[i].media, lines[i].directions);
    record(user_data, "%s", text->str);
    g_string_free(text, TRUE);
}

static void on_media_offer_cancelled(struct sip_call *call, void *user_data)
{
    (void)call;
    record(user_data, "offer cancelled");
}

static guint count_events(struct party *party, const char *event)
{
    guint i, n = 0;

    for (i = 0; i < party->events->len; i++)
        n += !strcmp(g_ptr_array_index(party->events, i), event);
    return n;
}

/* Iterates until event was seen n times (fails after a bound). */
static gboolean wait_count(struct party *party, const char *event, guint n, int seconds)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)test_seconds(seconds) * G_USEC_PER_SEC;

    while (count_events(party, event) < n && g_get_monotonic_time() < deadline)
        g_main_context_iteration(NULL, TRUE);
    return count_events(party, event) >= n;
}

/* Parties started while set decide the peer's offers themselves. */
static gboolean decide_offers;

static void party_start_on(struct party *party, const char *name, enum sip_transport_protocol protocol,
                           const char *address);

static void party_start(struct party *party, const char *name, enum sip_transport_protocol protocol)
{
    party_start_on(party, name, protocol, "127.0.0.1");
}

static void party_start_on(struct party *party, const char *name, enum sip_transport_protocol protocol,
                           const char *address)
{
    struct sip_engine_callbacks callbacks = { 0 };
    struct sip_refer_callbacks refer_callbacks = { on_refer_received, on_refer_progress };
    GError *error = NULL;

    memset(party, 0, sizeof(*party));
    party->name = name;
    party->events = g_ptr_array_new_with_free_func(g_free);
    callbacks.incoming_call = on_incoming_call;
    callbacks.call_state_changed = on_state;
    callbacks.call_media_changed = on_media;
    callbacks.message_received = on_message;
    callbacks.call_info_received = on_info;
    callbacks.request_completed = on_request_completed;
    callbacks.call_media_updated = on_media_updated;
    if (decide_offers)
    {
        callbacks.call_media_offered = on_media_offered;
        callbacks.call_media_offer_cancelled = on_media_offer_cancelled;
    }
    party->engine = sip_engine_new(NULL, &callbacks, party, &error);
    assert_non_null(party->engine);
    sip_engine_set_refer_callbacks(party->engine, &refer_callbacks);
    assert_true(sip_engine_listen(party->engine, protocol, address, 0, &party->port, &error));
    party->uri = g_strdup_printf(strchr(address, ':') ? "sip:%s@[%s]:%u%s" : "sip:%s@%s:%u%s", name, address,
                                 party->port, protocol == SIP_TRANSPORT_TCP ? ";transport=tcp" : "");
}

static void party_stop(struct party *party)
{
    if (party->incoming)
        sip_call_unref(party->incoming);
    if (party->refer)
        sip_refer_unref(party->refer);
    if (party->following)
        sip_refer_unref(party->following);
    if (party->transfer_call)
        sip_call_unref(party->transfer_call);
    sip_engine_free(party->engine);
    g_ptr_array_free(party->events, TRUE);
    g_free(party->uri);
}

/* Runs the loop until party has seen event, for at most seconds. */
static gboolean wait_event(struct party *party, const char *event, int seconds)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)test_seconds(seconds) * G_USEC_PER_SEC;

    while (!has_event(party, event) && g_get_monotonic_time() < deadline)
        g_main_context_iteration(NULL, TRUE);
    if (!has_event(party, event))
    {
        guint i;

        print_error("%s never saw \"%s\"; it saw:\n", party->name, event);
        for (i = 0; i < party->events->len; i++)
            print_error("  %s\n", (char *)g_ptr_array_index(party->events, i));
    }
    return has_event(party, event);
}

static void spin(int ms)
{
    gint64 deadline = g_get_monotonic_time() + ms * 1000;

    while (g_get_monotonic_time() < deadline)
        if (!g_main_context_iteration(NULL, FALSE))
            g_usleep(1000);
}

static struct sip_call *call_party(struct party *from, struct party *to)
{
    char *identity = g_strdup_printf("\"%s\" <%s>", from->name, from->uri);
    struct sip_call *call = API(sip_call_invite(from->engine, identity, to->uri, NULL));

    g_free(identity);
    assert_non_null(call);
    return call;
}

static void basic_call(enum sip_transport_protocol protocol)
{
    struct party alice, bob;
    struct sip_call *call;
    const char *address;
    guint16 port;

    party_start(&alice, "alice", protocol);
    party_start(&bob, "bob", protocol);
    call = call_party(&alice, &bob);
    assert_int_equal(sip_call_get_state(call), SIP_CALL_STATE_CALLING);
    assert_int_equal(alice.events->len, 0);     /* nothing reported inside the call */
    assert_true(wait_event(&alice, "out connected 200", 5));
    assert_true(wait_event(&bob, "in connected 200", 5));
    assert_string_equal(g_ptr_array_index(bob.events, 0), "incoming");
    assert_string_equal(g_ptr_array_index(bob.events, 1), "in incoming 0");
    assert_string_equal(g_ptr_array_index(bob.events, 2), "in answering 200");
    assert_string_equal(sip_call_get_remote_display_name(bob.incoming), "alice");
    assert_true(sip_call_get_remote_media(call, &address, &port));
    assert_string_equal(address, "127.0.0.1");
    assert_int_not_equal(port, 0);

    assert_true(API(sip_call_hangup(call, NULL)));
    assert_true(wait_event(&alice, "ended local-hangup", 5));
    assert_true(wait_event(&bob, "ended remote-hangup", 5));
    /* Terminated is reported once, last. */
    assert_string_equal(g_ptr_array_index(alice.events, alice.events->len - 1), "ended local-hangup");
    assert_true(API(sip_call_hangup(call, NULL)));
    spin(50);
    assert_string_equal(g_ptr_array_index(alice.events, alice.events->len - 1), "ended local-hangup");

    sip_call_unref(call);
    party_stop(&alice);
    party_stop(&bob);
}

static void test_call_udp(void **state)
{
    (void)state;
    basic_call(SIP_TRANSPORT_UDP);
}

static void test_call_tcp(void **state)
{
    (void)state;
    basic_call(SIP_TRANSPORT_TCP);
}

static gboolean have_ipv6_loopback(void)
{
    GSocketAddress *address = g_inet_socket_address_new_from_string("::1", 0);
    GSocket *socket = g_socket_new(G_SOCKET_FAMILY_IPV6, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, NULL);
    gboolean ok = socket && g_socket_bind(socket, address, FALSE, NULL);

    g_clear_object(&socket);
    g_object_unref(address);
    return ok;
}

static void ipv6_call(enum sip_transport_protocol protocol)
{
    struct party alice, bob;
    struct sip_call *call;
    const char *address;
    guint16 port;

    if (!have_ipv6_loopback())
        skip();
    party_start_on(&alice, "alice", protocol, "::1");
    party_start_on(&bob, "bob", protocol, "::1");
    call = call_party(&alice, &bob);
    assert_true(wait_event(&alice, "out connected 200", 5));
    assert_true(wait_event(&bob, "in connected 200", 5));
    /* SDP says IP6 and the media address is ::1. */
    assert_true(sip_call_get_remote_media(call, &address, &port));
    assert_string_equal(address, "::1");
    assert_true(API(sip_call_hangup(call, NULL)));
    assert_true(wait_event(&bob, "ended remote-hangup", 5));
    sip_call_unref(call);
    party_stop(&alice);
    party_stop(&bob);
}

static void test_call_ipv6_udp(void **state)
{
    (void)state;
    ipv6_call(SIP_TRANSPORT_UDP);
}

static void test_call_ipv6_tcp(void **state)
{
    (void)state;
    ipv6_call(SIP_TRANSPORT_TCP);
}

static void test_hold_resume(void **state)
{
    struct party alice, bob;
    struct sip_call *call;

    (void)state;
    party_start(&alice, "alice", SIP_TRANSPORT_UDP);
    party_start(&bob, "bob", SIP_TRANSPORT_UDP);
    call = call_party(&alice, &bob);
    assert_true(wait_event(&bob, "in connected 200", 5));
    assert_true(API(sip_call_hold(call, NULL)));
    assert_true(wait_event(&alice, "media 1 0", 5));
    assert_true(wait_event(&bob, "media 0 1", 5));
    assert_true(sip_call_is_local_hold(call));
    assert_true(sip_call_is_remote_hold(bob.incoming));
    assert_true(API(sip_call_resume(call, NULL)));
    assert_true(wait_event(&alice, "media 0 0", 5));
    assert_true(wait_event(&bob, "media 0 0", 5));
    /* Hold on a call that is not connected is refused. */
    assert_true(API(sip_call_hangup(call, NULL)));
    assert_false(API(sip_call_hold(call, NULL)));
    assert_true(wait_event(&bob, "ended remote-hangup", 5));
    sip_call_unref(call);
    party_stop(&alice);
    party_stop(&bob);
}

static void test_glare(void **state)
{
    struct party alice, bob;
    struct sip_call *call;

    (void)state;
    party_start(&alice, "alice", SIP_TRANSPORT_UDP);
    party_start(&bob, "bob", SIP_TRANSPORT_UDP);
    call = call_party(&alice, &bob);
    assert_true(wait_event(&alice, "out connected 200", 5));
    assert_true(wait_event(&bob, "in connected 200", 5));
    /* Both hold at once: the re-INVITEs cross, both get 491 and retry
     * (RFC 3261 §14.1: Bob within 2 s, Alice, who owns the Call-ID, 2.1-4 s). */
    assert_true(API(sip_call_hold(call, NULL)));
    assert_true(API(sip_call_hold(bob.incoming, NULL)));
    assert_true(wait_event(&alice, "media 1 1", 10));
    assert_true(wait_event(&bob, "media 1 1", 10));
    assert_true(API(sip_call_hangup(call, NULL)));
    assert_true(wait_event(&bob, "ended remote-hangup", 5));
    sip_call_unref(call);
    party_stop(&alice);
    party_stop(&bob);
}

/* sip_call_update_media: one re-INVITE, one report; the directions follow. */
static void test_update_media(void **state)
{
    struct party alice, bob;
    struct sip_call *call;
    GError *error = NULL;

    (void)state;
    party_start(&alice, "alice", SIP_TRANSPORT_UDP);
    party_start(&bob, "bob", SIP_TRANSPORT_UDP);
    call = call_party(&alice, &bob);
    assert_false(API(sip_call_update_media(call, 1, &error)));        /* not connected yet */
    assert_true(g_error_matches(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_WRONG_STATE));
    g_clear_error(&error);
    assert_true(wait_event(&alice, "out connected 200", 5));
    assert_true(wait_event(&bob, "in connected 200", 5));
    assert_false(API(sip_call_update_media(call, 4, &error)));
    assert_true(g_error_matches(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_INVALID_ARGUMENT));
    g_clear_error(&error);

    /* send only: the peer receives only; not a hold of ours */
    assert_true(API(sip_call_update_media(call, 1, NULL)));
    assert_true(wait_event(&alice, "updated 200", 5));
    assert_int_equal(sip_call_get_media_directions(call), 1);
    assert_int_equal(sip_call_get_media_directions(bob.incoming), 2);
    assert_false(sip_call_is_local_hold(call));
    /* receive only: the peer is not holding us, it sends */
    assert_true(API(sip_call_update_media(call, 2, NULL)));
    assert_true(wait_count(&alice, "updated 200", 2, 5));
    assert_int_equal(sip_call_get_media_directions(call), 2);
    assert_int_equal(sip_call_get_media_directions(bob.incoming), 1);
    assert_false(sip_call_is_remote_hold(call));
    /* both again */
    assert_true(API(sip_call_update_media(call, 3, NULL)));
    assert_true(wait_count(&alice, "updated 200", 3, 5));
    assert_int_equal(sip_call_get_media_directions(call), 3);
    assert_int_equal(sip_call_get_media_directions(bob.incoming), 3);

    /* crossing a hold of the peer's: 491 both ways, retried, still one report */
    assert_true(API(sip_call_update_media(call, 1, NULL)));
    assert_true(API(sip_call_hold(bob.incoming, NULL)));
    assert_true(wait_event(&bob, "media 1 1", 10));     /* it holds; our sendonly holds it (RFC 3264 §8.4) */
    assert_true(wait_count(&alice, "updated 200", 4, 10));
    spin(300);
    assert_int_equal(count_events(&alice, "updated 200"), 4);
    assert_int_equal(sip_call_get_media_directions(call), 0);  /* we only send, the peer holds: nothing */

    assert_true(API(sip_call_hangup(call, NULL)));
    assert_true(wait_event(&bob, "ended remote-hangup", 5));
    sip_call_unref(call);
    party_stop(&alice);
    party_stop(&bob);
}

/* The peer's re-INVITE waits for the layer above: reject (the media stays), accept refusing a line,
 * no decision in time (accepted), the call ending meanwhile (cancelled). */
static void test_offer_decided_above(void **state)
{
    struct party alice, bob;
    struct sip_call *call;
    GError *error = NULL;

    (void)state;
    party_start(&alice, "alice", SIP_TRANSPORT_UDP);
    decide_offers = TRUE;
    party_start(&bob, "bob", SIP_TRANSPORT_UDP);
    decide_offers = FALSE;
    call = call_party(&alice, &bob);
    assert_true(wait_event(&bob, "in connected 200", 5));
    assert_true(wait_event(&alice, "out connected 200", 5));
    assert_false(API(sip_call_accept_offer(bob.incoming, 0, &error)));       /* none pending */
    assert_true(g_error_matches(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_WRONG_STATE));
    g_clear_error(&error);

    /* rejected: 488 to the offerer, both keep sendrecv */
    assert_true(API(sip_call_update_media(call, 1, NULL)));
    assert_true(wait_event(&bob, "offered audio:2", 5));
    assert_int_equal(count_events(&alice, "updated 488"), 0);
    assert_false(API(sip_call_reject_offer(bob.incoming, 200, &error)));
    g_clear_error(&error);
    assert_true(API(sip_call_reject_offer(bob.incoming, 488, NULL)));
    assert_true(wait_event(&alice, "updated 488", 5));
    assert_int_equal(sip_call_get_media_directions(call), 3);
    assert_int_equal(sip_call_get_media_directions(bob.incoming), 3);

    /* accepted: the offer's direction */
    g_ptr_array_set_size(bob.events, 0);
    assert_true(API(sip_call_update_media(call, 1, NULL)));
    assert_true(wait_event(&bob, "offered audio:2", 5));
    assert_true(API(sip_call_accept_offer(bob.incoming, 0, NULL)));
    assert_true(wait_event(&alice, "updated 200", 5));
    assert_int_equal(sip_call_get_media_directions(call), 1);
    assert_int_equal(sip_call_get_media_directions(bob.incoming), 2);

    /* the audio line refused: no audio either way, the call stays */
    g_ptr_array_set_size(bob.events, 0);
    g_ptr_array_set_size(alice.events, 0);
    assert_true(API(sip_call_update_media(call, 3, NULL)));
    assert_true(wait_event(&bob, "offered audio:3", 5));
    assert_true(API(sip_call_accept_offer(bob.incoming, 1, NULL)));
    assert_true(wait_event(&alice, "updated 200", 5));
    assert_int_equal(sip_call_get_media_directions(call), 0);
    assert_int_equal(sip_call_get_media_directions(bob.incoming), 0);
    assert_int_equal(sip_call_get_state(call), SIP_CALL_STATE_CONNECTED);

    /* nobody decides: accepted at the bound */
    g_ptr_array_set_size(bob.events, 0);
    g_ptr_array_set_size(alice.events, 0);
    sip_engine_set_offer_decision_timeout(bob.engine, 300);
    assert_true(API(sip_call_update_media(call, 3, NULL)));
    assert_true(wait_event(&bob, "offered audio:3", 5));
    assert_true(wait_event(&alice, "updated 200", 5));
    assert_int_equal(sip_call_get_media_directions(call), 3);
    assert_int_equal(sip_call_get_media_directions(bob.incoming), 3);
    assert_int_equal(count_events(&bob, "offer cancelled"), 0);

    /* the call ends while an offer waits: cancelled, the re-INVITE answered 487 */
    g_ptr_array_set_size(bob.events, 0);
    g_ptr_array_set_size(alice.events, 0);
    sip_engine_set_offer_decision_timeout(bob.engine, 30000);
    assert_true(API(sip_call_update_media(call, 2, NULL)));
    assert_true(wait_event(&bob, "offered audio:1", 5));
    assert_true(API(sip_call_hangup(bob.incoming, NULL)));
    assert_true(wait_event(&bob, "offer cancelled", 5));
    assert_true(wait_event(&alice, "ended remote-hangup", 5));
    assert_true(wait_event(&alice, "updated 487", 5));
    assert_false(API(sip_call_accept_offer(bob.incoming, 0, NULL)));

    sip_call_unref(call);
    party_stop(&alice);
    party_stop(&bob);
}

static void test_messages(void **state)
{
    struct party alice, bob;
    struct sip_call *call;
    char *from;

    (void)state;
    party_start(&alice, "alice", SIP_TRANSPORT_UDP);
    party_start(&bob, "bob", SIP_TRANSPORT_UDP);
    from = g_strdup_printf("<%s>", alice.uri);
    assert_true(API(sip_engine_send_message(alice.engine, from, bob.uri, "text/plain", "hi", 2, NULL)) != 0);
    assert_true(wait_event(&bob, "message text/plain hi", 5));
    assert_true(wait_event(&alice, "completed 200", 5));
    g_free(from);

    call = call_party(&alice, &bob);
    assert_true(wait_event(&bob, "in connected 200", 5));
    assert_true(API(sip_call_send_info(call, "application/dtmf-relay", "Signal=1", 8, NULL)) != 0);
    assert_true(wait_event(&bob, "info Signal=1", 5));
    assert_true(API(sip_call_send_message(bob.incoming, "text/plain", "back", 4, NULL)) != 0);
    assert_true(wait_event(&alice, "dialog-message text/plain back", 5));
    assert_true(API(sip_call_hangup(call, NULL)));
    assert_true(wait_event(&bob, "ended remote-hangup", 5));
    sip_call_unref(call);
    party_stop(&alice);
    party_stop(&bob);
}

static void test_reject_and_cancel(void **state)
{
    struct party alice, bob;
    struct sip_call *call;

    (void)state;
    party_start(&alice, "alice", SIP_TRANSPORT_UDP);
    party_start(&bob, "bob", SIP_TRANSPORT_UDP);
    bob.action = REJECT_BUSY;
    call = call_party(&alice, &bob);
    assert_true(wait_event(&alice, "out terminated 486", 5));
    assert_true(has_event(&alice, "ended rejected"));
    assert_int_equal(sip_call_get_status_code(call), 486);
    assert_string_equal(sip_call_get_reason_phrase(call), "Busy Here");
    sip_call_unref(call);

    bob.action = RING;
    call = call_party(&alice, &bob);
    assert_true(wait_event(&alice, "out ringing 180", 5));
    assert_true(API(sip_call_hangup(call, NULL)));
    assert_true(wait_event(&alice, "ended local-cancel", 5));
    assert_true(wait_event(&bob, "ended remote-cancel", 5));
    assert_true(has_event(&bob, "in terminated 487"));
    sip_call_unref(call);
    party_stop(&alice);
    party_stop(&bob);
}

static void test_garbage_in(void **state)
{
    static const char *const garbage[] =
    {
        "hello", "\r\n\r\n", "SIP/2.0 200 OK\r\n\r\n", "INVITE\r\n\r\n",
        "OPTIONS sip:x SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bKg\r\nCSeq: 1 OPTIONS\r\n\r\n",
        "BYE sip:x@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bKh\r\nf: <<<\r\n\r\n",
        "\xff\xfe\x00\x01 binary",
    };
    struct sip_engine_stats stats;
    struct party alice, bob;
    GSocketAddress *address;
    struct sip_call *call;
    GSocket *socket;
    gsize i;
    int round;

    (void)state;
    party_start(&alice, "alice", SIP_TRANSPORT_UDP);
    party_start(&bob, "bob", SIP_TRANSPORT_UDP);
    socket = g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, NULL);
    address = g_inet_socket_address_new_from_string("127.0.0.1", bob.port);
    for (round = 0; round < 20; round++)
    {
        for (i = 0; i < G_N_ELEMENTS(garbage); i++)
            g_socket_send_to(socket, address, garbage[i], strlen(garbage[i]) + (i == 6 ? 4 : 0), NULL, NULL);
        /* Random bytes, some dressed up as a request line. */
        for (i = 0; i < 20; i++)
        {
            char buffer[512];
            gsize length = g_random_int_range(1, sizeof(buffer)), j;

            for (j = 0; j < length; j++)
                buffer[j] = g_random_int_range(0, 256);
            if (i % 2)
                memcpy(buffer, "INVITE sip:", MIN(length, 11));
            g_socket_send_to(socket, address, buffer, length, NULL, NULL);
        }
        spin(5);
    }
    spin(100);
    sip_engine_get_stats(bob.engine, &stats);
    assert_true(stats.unparseable_dropped > 0);
    assert_true(stats.bad_requests_rejected > 0);
    assert_int_equal(stats.calls, 0);
    g_object_unref(address);
    g_object_unref(socket);

    /* Still working. */
    call = call_party(&alice, &bob);
    assert_true(wait_event(&alice, "out connected 200", 5));
    assert_true(API(sip_call_hangup(call, NULL)));
    assert_true(wait_event(&bob, "ended remote-hangup", 5));
    sip_call_unref(call);
    party_stop(&alice);
    party_stop(&bob);
}

static void test_engine_freed_under_calls(void **state)
{
    struct party alice, bob;
    struct sip_call *call;
    GError *error = NULL;

    (void)state;
    party_start(&alice, "alice", SIP_TRANSPORT_UDP);
    party_start(&bob, "bob", SIP_TRANSPORT_UDP);
    call = call_party(&alice, &bob);
    assert_true(wait_event(&alice, "out connected 200", 5));
    sip_engine_free(alice.engine);
    alice.engine = NULL;
    assert_null(sip_call_get_engine(call));
    assert_false(sip_call_hold(call, &error));
    assert_true(g_error_matches(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_DETACHED));
    g_clear_error(&error);
    assert_false(sip_call_hangup(call, &error));
    g_clear_error(&error);
    assert_int_equal(sip_call_get_state(call), SIP_CALL_STATE_TERMINATED);
    sip_call_unref(call);
    party_stop(&alice);
    party_stop(&bob);
}

static void test_blind_transfer(void **state)
{
    struct party alice, bob, carol;
    struct sip_refer *refer;
    struct sip_call *call;

    (void)state;
    party_start(&alice, "alice", SIP_TRANSPORT_UDP);
    party_start(&bob, "bob", SIP_TRANSPORT_UDP);
    party_start(&carol, "carol", SIP_TRANSPORT_UDP);
    bob.follow_refers = TRUE;
    call = call_party(&alice, &bob);
    assert_true(wait_event(&bob, "in connected 200", 5));

    /* Alice transfers Bob to Carol: 202, NOTIFY 100, Bob calls Carol, NOTIFY 200. */
    refer = API(sip_call_refer(call, carol.uri, NULL, NULL));
    assert_non_null(refer);
    assert_true(wait_event(&alice, "refer ended success", 10));
    assert_true(has_event(&alice, "refer accepted 202"));
    assert_true(has_event(&alice, "refer notify 100"));
    assert_true(has_event(&alice, "refer notify 200"));
    assert_true(wait_event(&carol, "in connected 200", 5));
    /* Carol learns who referred Bob. */
    assert_non_null(strstr(g_ptr_array_index(carol.events, 0), "incoming referred-by <sip:alice@127.0.0.1:"));
    sip_refer_unref(refer);

    /* A transfer the transferee declines. */
    bob.follow_refers = FALSE;
    refer = API(sip_call_refer(call, carol.uri, NULL, NULL));
    assert_true(wait_event(&alice, "refer rejected 603", 5));
    assert_true(wait_event(&alice, "refer ended rejected", 5));
    sip_refer_unref(refer);

    assert_true(API(sip_call_hangup(call, NULL)));
    assert_true(API(sip_call_hangup(bob.transfer_call, NULL)));
    assert_true(wait_event(&carol, "ended remote-hangup", 5));
    sip_call_unref(call);
    party_stop(&alice);
    party_stop(&bob);
    party_stop(&carol);
}

static void test_attended_transfer(void **state)
{
    struct party alice, bob, carol;
    struct sip_call *to_bob, *to_carol;
    struct sip_refer *refer;
    char *refer_to;

    (void)state;
    party_start(&alice, "alice", SIP_TRANSPORT_UDP);
    party_start(&bob, "bob", SIP_TRANSPORT_UDP);
    party_start(&carol, "carol", SIP_TRANSPORT_UDP);
    bob.follow_refers = TRUE;
    to_bob = call_party(&alice, &bob);
    assert_true(wait_event(&bob, "in connected 200", 5));
    to_carol = call_party(&alice, &carol);
    assert_true(wait_event(&carol, "in connected 200", 5));

    /* Bob's INVITE to Carol replaces Alice's call with Carol (RFC 3891). */
    refer_to = sip_call_build_replaces_refer_to(to_carol, NULL);
    assert_non_null(refer_to);
    assert_non_null(strstr(refer_to, "?Replaces="));
    refer = API(sip_call_refer(to_bob, refer_to, NULL, NULL));
    g_free(refer_to);
    assert_non_null(refer);
    assert_true(wait_event(&alice, "refer ended success", 10));
    /* Carol took Bob's call in place of Alice's, which she ended. */
    assert_true(wait_event(&carol, "ended local-hangup", 5));
    assert_true(wait_event(&alice, "ended remote-hangup", 5));
    {
        char *expected = g_strdup_printf("replaces %s", sip_call_get_call_id(to_carol));
        assert_true(has_event(&carol, expected));
        g_free(expected);
    }
    sip_refer_unref(refer);
    assert_true(API(sip_call_hangup(to_bob, NULL)));
    assert_true(API(sip_call_hangup(bob.transfer_call, NULL)));
    spin(100);
    sip_call_unref(to_bob);
    sip_call_unref(to_carol);
    party_stop(&alice);
    party_stop(&bob);
    party_stop(&carol);
}


/* ---- forking, against a hand-driven peer ------------------------------------------------ */

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

/* The next message whose first line starts with prefix (others are
 * dropped), waiting up to 5 s while the engine runs. */
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

static void raw_peer_send(struct raw_peer *peer, const char *text)
{
    assert_true(g_socket_send_to(peer->socket, peer->last_from, text, strlen(text), NULL, NULL) == (gssize)strlen(text));
}

/* The value of a header line in a message (first occurrence), g_free. */
static char *header_line(const char *message, const char *name)
{
    char *pattern = g_strdup_printf("\n%s:", name);
    const char *start = strstr(message, pattern), *end;
    char *value;

    g_free(pattern);
    if (!start)
        return NULL;
    start += strlen(name) + 2;
    while (*start == ' ')
        start++;
    end = strstr(start, "\r\n");
    value = g_strndup(start, end ? end - start : (gssize)strlen(start));
    return value;
}

/* The start of a response to request: its status line, then its Via, From,
 * To (with to_tag if not NULL), Call-ID and CSeq lines copied. */
static char *response_head(const char *request, const char *status, const char *to_tag)
{
    char *via = header_line(request, "Via"), *from = header_line(request, "From"), *to = header_line(request, "To");
    char *call_id = header_line(request, "Call-ID"), *cseq = header_line(request, "CSeq");
    char *text = g_strdup_printf("SIP/2.0 %s\r\nVia: %s\r\nFrom: %s\r\nTo: %s%s%s\r\nCall-ID: %s\r\nCSeq: %s\r\n",
                                 status, via, from, to, to_tag ? ";tag=" : "", to_tag ? to_tag : "", call_id, cseq);

    g_free(via);
    g_free(from);
    g_free(to);
    g_free(call_id);
    g_free(cseq);
    return text;
}

/* A response to the INVITE with To tag tag. */
static char *fork_response(const char *invite, const char *status, const char *tag, gboolean sdp, guint16 port)
{
    const char *body = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
                       "m=audio 30000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";
    char *head = response_head(invite, status, tag);
    char *text = g_strdup_printf("%sContact: <sip:%s@127.0.0.1:%u>\r\n%sContent-Length: %zu\r\n\r\n%s",
                                 head, tag, port, sdp ? "Content-Type: application/sdp\r\n" : "",
                                 sdp ? strlen(body) : 0, sdp ? body : "");

    g_free(head);
    return text;
}

static void test_forked_answers(void **state)
{
    struct party alice;
    struct raw_peer peer;
    struct sip_call *call;
    char *invite, *message, *target, *to, *expected;

    (void)state;
    party_start(&alice, "alice", SIP_TRANSPORT_UDP);
    raw_peer_start(&peer);
    target = g_strdup_printf("sip:bob@127.0.0.1:%u", peer.port);
    call = API(sip_call_invite(alice.engine, "<sip:alice@127.0.0.1>", target, NULL));
    g_free(target);
    assert_non_null(invite = raw_peer_expect(&peer, "INVITE "));

    /* Two branches of a fork ring; the first to answer wins. */
    message = fork_response(invite, "180 Ringing", "branch1", FALSE, peer.port);
    raw_peer_send(&peer, message);
    raw_peer_send(&peer, message);      /* resent, as for a resent INVITE: reported once */
    g_free(message);
    message = fork_response(invite, "180 Ringing", "branch2", FALSE, peer.port);
    raw_peer_send(&peer, message);
    g_free(message);
    message = fork_response(invite, "200 OK", "branch1", TRUE, peer.port);
    raw_peer_send(&peer, message);
    g_free(message);
    assert_non_null(message = raw_peer_expect(&peer, "ACK "));
    to = header_line(message, "To");
    assert_non_null(strstr(to, "tag=branch1"));
    g_free(to);
    g_free(message);
    assert_true(wait_event(&alice, "out connected 200", 5));
    assert_int_equal(count_events(&alice, "out ringing 180"), 2);      /* once per branch */

    /* The 200 again (our ACK was "lost"): the same ACK again. */
    message = fork_response(invite, "200 OK", "branch1", TRUE, peer.port);
    raw_peer_send(&peer, message);
    g_free(message);
    assert_non_null(message = raw_peer_expect(&peer, "ACK "));
    to = header_line(message, "To");
    assert_non_null(strstr(to, "tag=branch1"));
    g_free(to);
    g_free(message);

    /* The other branch answers too: it gets an ACK and at once a BYE. */
    message = fork_response(invite, "200 OK", "branch2", TRUE, peer.port);
    raw_peer_send(&peer, message);
    g_free(message);
    assert_non_null(message = raw_peer_expect(&peer, "ACK "));
    to = header_line(message, "To");
    assert_non_null(strstr(to, "tag=branch2"));
    g_free(to);
    g_free(message);
    assert_non_null(message = raw_peer_expect(&peer, "BYE "));
    to = header_line(message, "To");
    assert_non_null(strstr(to, "tag=branch2"));
    expected = g_strdup_printf("BYE sip:branch2@127.0.0.1:%u ", peer.port);   /* to its Contact */
    assert_true(g_str_has_prefix(message, expected));
    g_free(expected);
    g_free(to);
    g_free(message);

    /* The winning call is untouched. */
    assert_int_equal(sip_call_get_state(call), SIP_CALL_STATE_CONNECTED);
    assert_false(has_event(&alice, "ended local-hangup"));

    g_free(invite);
    sip_call_unref(call);
    raw_peer_stop(&peer);
    party_stop(&alice);
}

/* The next message the peer gets, whatever it is (up to 5 s), but for
 * retransmissions of requests it already got (a busy machine may resend
 * before the answer arrives). seen: the requests so far. */
static char *raw_peer_next(struct raw_peer *peer, GHashTable *seen)
{
    char *message;

    while ((message = raw_peer_expect(peer, "")))
    {
        if (g_str_has_prefix(message, "ACK ") || !g_hash_table_contains(seen, message))
            break;
        g_free(message);
    }
    if (message && !g_str_has_prefix(message, "ACK "))
        g_hash_table_add(seen, g_strdup(message));
    return message;
}

/* The response to a request the peer got, without a body. */
static char *response_to(const char *request, const char *status)
{
    char *head = response_head(request, status, NULL);
    char *text = g_strdup_printf("%sContent-Length: 0\r\n\r\n", head);

    g_free(head);
    return text;
}

/* Asserts that message is a request of method whose To has tag=tag. */
static void assert_request_to_tag(char *message, const char *method, const char *tag)
{
    char *prefix = g_strdup_printf("%s ", method), *to;

    assert_non_null(message);
    if (!g_str_has_prefix(message, prefix))
        print_error("expected a %s, got:\n%s\n", method, message);
    assert_true(g_str_has_prefix(message, prefix));
    to = header_line(message, "To");
    assert_non_null(strstr(to, tag));
    g_free(to);
    g_free(prefix);
    g_free(message);
}

/* The peer answers the INVITE (again) with a 200 carrying To tag tag. */
static void raw_peer_send_2xx(struct raw_peer *peer, const char *invite, const char *tag)
{
    char *message = fork_response(invite, "200 OK", tag, TRUE, peer->port);

    raw_peer_send(peer, message);
    g_free(message);
}

static void test_retired_call(void **state)
{
    struct sip_engine_stats stats;
    struct party alice;
    struct raw_peer peer;
    struct sip_call *call;
    char *invite, *message, *target, *reply;
    gint64 deadline;
    GHashTable *seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

    (void)state;
    party_start(&alice, "alice", SIP_TRANSPORT_UDP);
    raw_peer_start(&peer);
    target = g_strdup_printf("sip:bob@127.0.0.1:%u", peer.port);
    call = API(sip_call_invite(alice.engine, "<sip:alice@127.0.0.1>", target, NULL));
    g_free(target);
    assert_non_null(invite = raw_peer_next(&peer, seen));
    raw_peer_send_2xx(&peer, invite, "branch1");
    assert_request_to_tag(raw_peer_next(&peer, seen), "ACK", "tag=branch1");
    assert_true(wait_event(&alice, "out connected 200", 5));

    /* Hung up, the BYE answered, the application lets go: the ended call
     * leaves, only its record stays. */
    assert_true(API(sip_call_hangup(call, NULL)));
    assert_non_null(message = raw_peer_next(&peer, seen));
    assert_true(g_str_has_prefix(message, "BYE "));
    reply = response_to(message, "200 OK");
    raw_peer_send(&peer, reply);
    g_free(reply);
    g_free(message);
    assert_true(wait_event(&alice, "ended local-hangup", 5));
    sip_call_unref(call);
    deadline = g_get_monotonic_time() + (gint64)test_seconds(5) * G_USEC_PER_SEC;
    do
    {
        g_main_context_iteration(NULL, FALSE);
        sip_engine_get_stats(alice.engine, &stats);
    } while ((stats.call_objects || !stats.retired_calls) && g_get_monotonic_time() < deadline);
    assert_int_equal(stats.call_objects, 0);
    assert_int_equal(stats.retired_calls, 1);

    /* The 200 again (our ACK was "lost"): the same ACK again. */
    raw_peer_send_2xx(&peer, invite, "branch1");
    assert_request_to_tag(raw_peer_next(&peer, seen), "ACK", "tag=branch1");

    /* A fork answers late: an ACK and a BYE to its Contact; its 200 again
     * gets the ACK only (the next message is the ACK for branch1's). */
    raw_peer_send_2xx(&peer, invite, "branch2");
    assert_request_to_tag(raw_peer_next(&peer, seen), "ACK", "tag=branch2");
    assert_non_null(message = raw_peer_next(&peer, seen));
    target = g_strdup_printf("BYE sip:branch2@127.0.0.1:%u ", peer.port);
    assert_true(g_str_has_prefix(message, target));
    g_free(target);
    reply = response_to(message, "200 OK");
    raw_peer_send(&peer, reply);
    g_free(reply);
    assert_request_to_tag(message, "BYE", "tag=branch2");
    raw_peer_send_2xx(&peer, invite, "branch2");
    assert_request_to_tag(raw_peer_next(&peer, seen), "ACK", "tag=branch2");
    raw_peer_send_2xx(&peer, invite, "branch1");
    assert_request_to_tag(raw_peer_next(&peer, seen), "ACK", "tag=branch1");

    /* Nothing of it came back up. */
    assert_false(has_event(&alice, "ended remote-hangup"));
    g_free(invite);
    g_hash_table_destroy(seen);
    raw_peer_stop(&peer);
    party_stop(&alice);
}

int main(void)
{
    const struct CMUnitTest tests[] =
    {
        cmocka_unit_test(test_call_udp),
        cmocka_unit_test(test_call_tcp),
        cmocka_unit_test(test_call_ipv6_udp),
        cmocka_unit_test(test_call_ipv6_tcp),
        cmocka_unit_test(test_hold_resume),
        cmocka_unit_test(test_glare),
        cmocka_unit_test(test_update_media),
        cmocka_unit_test(test_offer_decided_above),
        cmocka_unit_test(test_messages),
        cmocka_unit_test(test_reject_and_cancel),
        cmocka_unit_test(test_garbage_in),
        cmocka_unit_test(test_engine_freed_under_calls),
        cmocka_unit_test(test_blind_transfer),
        cmocka_unit_test(test_attended_transfer),
        cmocka_unit_test(test_forked_answers),
        cmocka_unit_test(test_retired_call),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
