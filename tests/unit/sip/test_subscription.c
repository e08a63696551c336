/*
 * Event subscriptions (RFC 6665) end to end, in-process: a watcher's engine
 * subscribes to a presentity's engine on loopback; the presentity accepts,
 * notifies, refuses, terminates; refreshes, expiry and subscribing again
 * are made to happen with the engine's own timers fired at once. Every
 * callback checks that it does not run inside an API call.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "sip/sip_engine.h"
#include "sip/sip_subscription.h"
#include "timer_source.h"
#include "../../common/test_time.h"

static gboolean in_api;

#define API(expression) ({ __typeof__(expression) api_result_; in_api = TRUE; api_result_ = (expression); \
                                in_api = FALSE; api_result_; })

enum decision
{
    DECIDE_ACTIVE,
    DECIDE_PENDING,
    DECIDE_NOTHING,     /* the engine accepts as pending by itself */
    DECIDE_REJECT,
};

struct party
{
    const char *name;
    struct sip_engine *engine;
    guint16 port;
    char *uri;
    GPtrArray *events;
    enum decision decision;
    struct sip_subscription *received;      /* notifier: the last one, referenced */
};

static const char open_doc[] =
    "<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" entity=\"sip:bob@127.0.0.1\">"
    "<tuple id=\"t\"><status><basic>open</basic></status></tuple></presence>";
static const char busy_doc[] =
    "<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" xmlns:dm=\"urn:ietf:params:xml:ns:pidf:data-model\" "
    "xmlns:rpid=\"urn:ietf:params:xml:ns:pidf:rpid\" entity=\"sip:bob@127.0.0.1\">"
    "<tuple id=\"t\"><status><basic>open</basic></status></tuple>"
    "<dm:person id=\"p\"><rpid:activities><rpid:busy/></rpid:activities></dm:person></presence>";

static void record(struct party *party, const char *format, ...) G_GNUC_PRINTF(2, 3);
static void record(struct party *party, const char *format, ...)
{
    va_list args;

    assert_false(in_api);
    va_start(args, format);
    g_ptr_array_add(party->events, g_strdup_vprintf(format, args));
    va_end(args);
}

static void on_received(struct sip_engine *engine, struct sip_subscription *subscription, void *user_data)
{
    struct party *party = user_data;

    record(party, "received %s from %s expires %u", sip_subscription_get_package(subscription),
           sip_subscription_get_watcher(subscription), sip_subscription_get_expires(subscription));
    if (party->received)
        sip_subscription_unref(party->received);
    party->received = sip_subscription_ref(subscription);
    switch (party->decision)
    {
    case DECIDE_ACTIVE:
        assert_true(API(sip_subscription_accept(subscription, TRUE, SIP_PIDF_CONTENT_TYPE, open_doc,
                                                strlen(open_doc), NULL)));
        break;
    case DECIDE_PENDING:
        assert_true(API(sip_subscription_accept(subscription, FALSE, NULL, NULL, 0, NULL)));
        break;
    case DECIDE_REJECT:
        assert_true(API(sip_subscription_reject(subscription, 403, NULL, NULL)));
        break;
    case DECIDE_NOTHING:
        break;
    }
}

static void on_state(struct sip_subscription *subscription, enum sip_subscription_status state,
                     enum sip_subscription_reason reason, guint code, void *user_data)
{
    record(user_data, "%s %s %s %u", sip_subscription_is_notifier(subscription) ? "notifier" : "subscriber",
           sip_subscription_status_name(state), sip_subscription_reason_name(reason), code);
}

static void on_notify(struct sip_subscription *subscription, const struct sip_subscription_notify *notify,
                      void *user_data)
{
    const char *basic = "none", *activity = "";

    if (notify->presence && notify->presence->tuples->len)
    {
        const struct sip_presence_tuple *tuple = g_ptr_array_index(notify->presence->tuples, 0);

        basic = tuple->basic == SIP_PRESENCE_BASIC_OPEN ? "open" : "closed";
    }
    if (notify->presence && notify->presence->persons->len)
    {
        const struct sip_presence_person *person = g_ptr_array_index(notify->presence->persons, 0);

        if (person->activities->len)
            activity = g_ptr_array_index(person->activities, 0);
    }
    record(user_data, "notify fork %u %s %s %s%s%s", notify->fork, sip_subscription_status_name(notify->state),
           sip_subscription_reason_name(notify->reason), basic, *activity ? " " : "", activity);
}

static void on_fork_ended(struct sip_subscription *subscription, guint fork, enum sip_subscription_reason reason,
                          void *user_data)
{
    record(user_data, "fork %u ended %s", fork, sip_subscription_reason_name(reason));
}

static void on_notify_completed(struct sip_subscription *subscription, guint code, void *user_data)
{
    record(user_data, "notify answered %u", code);
}

static void party_start(struct party *party, const char *name, enum sip_transport_protocol protocol)
{
    static const char *const packages[] = { "presence", "presence.winfo", NULL };
    struct sip_subscription_callbacks callbacks = { on_received, on_state, on_notify, on_fork_ended,
                                                    on_notify_completed };
    GError *error = NULL;

    memset(party, 0, sizeof(*party));
    party->name = name;
    party->events = g_ptr_array_new_with_free_func(g_free);
    party->engine = sip_engine_new(NULL, NULL, party, &error);
    assert_non_null(party->engine);
    sip_engine_set_subscription_callbacks(party->engine, &callbacks, packages);
    assert_true(sip_engine_listen(party->engine, protocol, "127.0.0.1", 0, &party->port, &error));
    party->uri = g_strdup_printf("sip:%s@127.0.0.1:%u%s", name, party->port,
                                 protocol == SIP_TRANSPORT_TCP ? ";transport=tcp" : "");
}

static void party_stop(struct party *party)
{
    if (party->received)
        sip_subscription_unref(party->received);
    sip_engine_free(party->engine);
    g_ptr_array_free(party->events, TRUE);
    g_free(party->uri);
}

static gboolean has_event(struct party *party, const char *event)
{
    guint i;

    for (i = 0; i < party->events->len; i++)
        if (!strcmp(g_ptr_array_index(party->events, i), event))
            return TRUE;
    return FALSE;
}

static gboolean wait_event(struct party *party, const char *event)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)test_seconds(5) * G_USEC_PER_SEC;

    while (!has_event(party, event) && g_get_monotonic_time() < deadline)
        g_main_context_iteration(NULL, TRUE);
    if (!has_event(party, event))
    {
        guint i;

        print_error("%s never saw \"%s\"; it saw:\n", party->name, event);
        for (i = 0; i < party->events->len; i++)
            print_error("  %s\n", (char *)g_ptr_array_index(party->events, i));
        return FALSE;
    }
    return TRUE;
}

static void spin(int ms)
{
    gint64 deadline = g_get_monotonic_time() + ms * 1000;

    while (g_get_monotonic_time() < deadline)
        if (!g_main_context_iteration(NULL, FALSE))
            g_usleep(1000);
}

/* The events so far joined with '|', then forgotten. */
static char *take(struct party *party)
{
    GString *text = g_string_new(NULL);
    guint i;

    for (i = 0; i < party->events->len; i++)
        g_string_append_printf(text, "%s%s", i ? "|" : "", (char *)g_ptr_array_index(party->events, i));
    g_ptr_array_set_size(party->events, 0);
    return g_string_free(text, FALSE);
}

static void forget(struct party *party)
{
    g_ptr_array_set_size(party->events, 0);
}

static void assert_events(struct party *party, const char *expected)
{
    char *events = take(party);

    assert_string_equal(events, expected);
    g_free(events);
}

/* Fires engine's own timers one by one (earliest first: retired
 * transactions' timer J come before subscription timers) until party saw
 * event. */
static gboolean fire_until(struct sip_engine *engine, struct party *party, const char *event)
{
    int fired;

    for (fired = 0; fired < 5 && !has_event(party, event); fired++)
    {
        if (!engine_expire_timers(engine, 1))
            break;
        spin(30);
    }
    return wait_event(party, event);
}

static struct sip_subscription *subscribe(struct party *watcher, struct party *presentity, const char *package,
                                          const struct sip_subscribe_options *options)
{
    char *from = g_strdup_printf("\"%s\" <%s>", watcher->name, watcher->uri);
    struct sip_subscription *subscription = API(sip_subscribe(watcher->engine, from, presentity->uri, package,
                                                              options, NULL));

    g_free(from);
    assert_non_null(subscription);
    assert_int_equal(sip_subscription_get_status(subscription), SIP_SUBSCRIPTION_SUBSCRIBING);
    return subscription;
}

/* Alice subscribes to bob's presence over UDP, bob accepts and notifies;
 * what they saw until then is forgotten. */
static struct sip_subscription *subscribe_active(struct party *alice, struct party *bob)
{
    struct sip_subscription *subscription;

    party_start(alice, "alice", SIP_TRANSPORT_UDP);
    party_start(bob, "bob", SIP_TRANSPORT_UDP);
    bob->decision = DECIDE_ACTIVE;
    subscription = subscribe(alice, bob, "presence", NULL);
    assert_true(wait_event(alice, "subscriber active none 0"));
    assert_true(wait_event(bob, "notify answered 200"));
    forget(alice);
    forget(bob);
    return subscription;
}

/* Accepted, notified, unsubscribed: what each side sees, in order. */
static void full_cycle(enum sip_transport_protocol protocol)
{
    struct party alice, bob;
    struct sip_subscription *subscription;
    char *expected;

    party_start(&alice, "alice", protocol);
    party_start(&bob, "bob", protocol);
    bob.decision = DECIDE_ACTIVE;
    subscription = subscribe(&alice, &bob, "presence", NULL);
    assert_int_equal(alice.events->len, 0);     /* nothing reported inside the call */
    assert_true(wait_event(&alice, "subscriber active none 0"));
    assert_true(wait_event(&alice, "notify fork 0 active none open"));
    assert_true(wait_event(&bob, "notify answered 200"));
    expected = g_strdup_printf("received presence from sip:alice@127.0.0.1:%u%s expires 3600|"
                               "notifier active none 0|notify answered 200", alice.port,
                               protocol == SIP_TRANSPORT_TCP ? ";transport=tcp" : "");
    assert_events(&bob, expected);
    g_free(expected);
    assert_events(&alice, "subscriber active none 0|notify fork 0 active none open");
    assert_string_equal(sip_subscription_get_watcher_display_name(bob.received), "alice");
    assert_int_equal(sip_subscription_get_expires(subscription), 3600);

    /* A new document. */
    assert_true(API(sip_subscription_notify(bob.received, TRUE, SIP_PIDF_CONTENT_TYPE, busy_doc, strlen(busy_doc),
                                            NULL)));
    assert_true(wait_event(&alice, "notify fork 0 active none open busy"));
    assert_true(wait_event(&bob, "notify answered 200"));
    assert_events(&alice, "notify fork 0 active none open busy");
    assert_events(&bob, "notify answered 200");

    /* The watcher leaves: the last NOTIFY says terminated and carries the last document. */
    assert_true(API(sip_subscription_unsubscribe(subscription, NULL)));
    assert_true(wait_event(&alice, "subscriber terminated unsubscribed 0"));
    assert_true(wait_event(&bob, "notify answered 200"));
    assert_events(&alice, "notify fork 0 terminated timeout open busy|subscriber terminated unsubscribed 0");
    assert_events(&bob, "notifier terminated unsubscribed 0|notify answered 200");
    assert_int_equal(sip_subscription_get_status(bob.received), SIP_SUBSCRIPTION_TERMINATED);

    /* Nothing can be sent on either any more. */
    assert_false(API(sip_subscription_notify(bob.received, TRUE, NULL, NULL, 0, NULL)));
    assert_true(API(sip_subscription_unsubscribe(subscription, NULL)));
    spin(100);
    assert_int_equal(alice.events->len, 0);
    sip_subscription_unref(subscription);
    party_stop(&alice);
    party_stop(&bob);
}

static void test_full_cycle_udp(void **state)
{
    full_cycle(SIP_TRANSPORT_UDP);
}

static void test_full_cycle_tcp(void **state)
{
    full_cycle(SIP_TRANSPORT_TCP);
}

/* Pending first (no decision in the handler: the engine's default), then authorised. */
static void test_pending_then_active(void **state)
{
    struct party alice, bob;
    struct sip_subscription *subscription;

    party_start(&alice, "alice", SIP_TRANSPORT_UDP);
    party_start(&bob, "bob", SIP_TRANSPORT_UDP);
    bob.decision = DECIDE_NOTHING;
    subscription = subscribe(&alice, &bob, "presence", NULL);
    assert_true(wait_event(&alice, "notify fork 0 pending none none"));
    assert_events(&alice, "subscriber pending none 0|notify fork 0 pending none none");
    assert_true(API(sip_subscription_notify(bob.received, TRUE, SIP_PIDF_CONTENT_TYPE, open_doc, strlen(open_doc),
                                            NULL)));
    assert_true(wait_event(&alice, "notify fork 0 active none open"));
    assert_events(&alice, "subscriber active none 0|notify fork 0 active none open");
    assert_true(wait_event(&bob, "notifier active none 0"));
    sip_subscription_unref(subscription);
    party_stop(&alice);
    party_stop(&bob);
}

/* Refused by the notifier; and a package nobody serves gets 489. */
static void test_rejected(void **state)
{
    struct party alice, bob;
    struct sip_subscription *subscription, *other;

    party_start(&alice, "alice", SIP_TRANSPORT_UDP);
    party_start(&bob, "bob", SIP_TRANSPORT_UDP);
    bob.decision = DECIDE_REJECT;
    subscription = subscribe(&alice, &bob, "presence", NULL);
    assert_true(wait_event(&alice, "subscriber terminated rejected 403"));
    assert_events(&alice, "subscriber terminated rejected 403");
    assert_int_equal(sip_subscription_get_status_code(subscription), 403);
    other = subscribe(&alice, &bob, "dialog", NULL);
    assert_true(wait_event(&alice, "subscriber terminated rejected 489"));
    spin(50);
    assert_events(&alice, "subscriber terminated rejected 489");
    assert_true(has_event(&bob, "notifier terminated rejected 403"));
    sip_subscription_unref(subscription);
    sip_subscription_unref(other);
    party_stop(&alice);
    party_stop(&bob);
}

/* The subscriber refreshes before expiry; the notifier answers with a NOTIFY
 * carrying the last document (RFC 6665 §4.2.1.2). */
static void test_refresh(void **state)
{
    struct party alice, bob;
    struct sip_subscription *subscription;

    subscription = subscribe_active(&alice, &bob);
    /* Alice's refresh comes 32 s before the expiry. */
    assert_true(fire_until(alice.engine, &alice, "notify fork 0 active none open"));
    assert_true(wait_event(&bob, "notify answered 200"));
    assert_events(&alice, "notify fork 0 active none open");
    assert_events(&bob, "notify answered 200");
    assert_int_equal(sip_subscription_get_status(bob.received), SIP_SUBSCRIPTION_ACTIVE);
    /* Refresh on request (RTC's Buddy Refresh). */
    assert_true(API(sip_subscription_refresh(subscription, NULL)));
    assert_true(wait_event(&alice, "notify fork 0 active none open"));
    sip_subscription_unref(subscription);
    party_stop(&alice);
    party_stop(&bob);
}

/* Unsubscribing while a refresh is in flight: the SUBSCRIBE with Expires 0
 * goes once the refresh is answered, and the subscription ends at once on
 * both sides (it used to wait for its expiry timer, 64*T1, on the
 * subscriber's side, and to go on at the notifier's). */
static void test_unsubscribe_during_refresh(void **state)
{
    struct party alice, bob;
    struct sip_subscription *subscription;

    subscription = subscribe_active(&alice, &bob);
    assert_true(API(sip_subscription_refresh(subscription, NULL)));
    assert_true(API(sip_subscription_unsubscribe(subscription, NULL)));
    assert_true(wait_event(&bob, "notifier terminated unsubscribed 0"));
    assert_true(wait_event(&alice, "subscriber terminated unsubscribed 0"));
    assert_int_equal(sip_subscription_get_status(bob.received), SIP_SUBSCRIPTION_TERMINATED);
    sip_subscription_unref(subscription);
    party_stop(&alice);
    party_stop(&bob);
}

/* The notifier lets it expire: terminated;reason=timeout, and the
 * subscriber subscribes again at once (RFC 6665 §4.1.3). */
static void test_expiry_resubscribe(void **state)
{
    struct party alice, bob;
    struct sip_subscription *subscription;
    struct sip_subscription *first;

    subscription = subscribe_active(&alice, &bob);
    first = sip_subscription_ref(bob.received);
    assert_true(fire_until(bob.engine, &bob, "notifier terminated timeout 0"));
    assert_true(wait_event(&alice, "notify fork 1 active none open"));
    assert_events(&alice, "notify fork 0 terminated timeout none|fork 0 ended timeout|subscriber subscribing timeout 0|"
                          "subscriber active none 0|notify fork 1 active none open");
    assert_true(bob.received != first);
    assert_int_equal(sip_subscription_get_status(bob.received), SIP_SUBSCRIPTION_ACTIVE);
    sip_subscription_unref(first);
    sip_subscription_unref(subscription);
    party_stop(&alice);
    party_stop(&bob);
}

/* Ended by the notifier: deactivated means "come again" (at once), rejected
 * means the end. */
static void test_terminated_reasons(void **state)
{
    struct party alice, bob;
    struct sip_subscription *subscription;

    party_start(&alice, "alice", SIP_TRANSPORT_UDP);
    party_start(&bob, "bob", SIP_TRANSPORT_UDP);
    bob.decision = DECIDE_ACTIVE;
    subscription = subscribe(&alice, &bob, "presence", NULL);
    assert_true(wait_event(&alice, "subscriber active none 0"));
    forget(&alice);
    assert_true(API(sip_subscription_terminate(bob.received, SIP_SUBSCRIPTION_REASON_DEACTIVATED, 0, NULL, NULL, 0,
                                               NULL)));
    assert_true(wait_event(&alice, "notify fork 1 active none open"));
    assert_events(&alice, "notify fork 0 terminated deactivated none|fork 0 ended deactivated|"
                          "subscriber subscribing deactivated 0|subscriber active none 0|notify fork 1 active none open");
    assert_true(API(sip_subscription_terminate(bob.received, SIP_SUBSCRIPTION_REASON_REJECTED, 0, NULL, NULL, 0,
                                               NULL)));
    assert_true(wait_event(&alice, "subscriber terminated rejected 0"));
    spin(100);
    assert_events(&alice, "notify fork 1 terminated rejected none|subscriber terminated rejected 0");
    /* Only the reasons of RFC 6665 go on the wire. */
    assert_false(API(sip_subscription_terminate(bob.received, SIP_SUBSCRIPTION_REASON_GONE, 0, NULL, NULL, 0, NULL)));
    sip_subscription_unref(subscription);
    party_stop(&alice);
    party_stop(&bob);
}

/* With no_resubscribe, a deactivated subscription simply ends. */
static void test_no_resubscribe(void **state)
{
    struct sip_subscribe_options options = { .no_resubscribe = TRUE, .expires = 600, .event_id = "7" };
    struct party alice, bob;
    struct sip_subscription *subscription;

    party_start(&alice, "alice", SIP_TRANSPORT_UDP);
    party_start(&bob, "bob", SIP_TRANSPORT_UDP);
    bob.decision = DECIDE_ACTIVE;
    subscription = subscribe(&alice, &bob, "presence", &options);
    assert_true(wait_event(&alice, "subscriber active none 0"));
    assert_int_equal(sip_subscription_get_expires(bob.received), 600);
    assert_string_equal(sip_subscription_get_event_id(bob.received), "7");
    forget(&alice);
    assert_true(API(sip_subscription_terminate(bob.received, SIP_SUBSCRIPTION_REASON_DEACTIVATED, 0, NULL, NULL, 0,
                                               NULL)));
    assert_true(wait_event(&alice, "subscriber terminated deactivated 0"));
    assert_events(&alice, "notify fork 0 terminated deactivated none|subscriber terminated deactivated 0");
    sip_subscription_unref(subscription);
    party_stop(&alice);
    party_stop(&bob);
}

/* A fetch (Expires: 0 is not something sip_subscribe sends, so the
 * notifier's minimum is what is tested): below it, 423 and the subscriber
 * asks again with Min-Expires. */
static void test_interval_too_brief(void **state)
{
    struct sip_subscribe_options options = { .expires = 10 };
    struct party alice, bob;
    struct sip_subscription *subscription;

    party_start(&alice, "alice", SIP_TRANSPORT_UDP);
    party_start(&bob, "bob", SIP_TRANSPORT_UDP);
    bob.decision = DECIDE_ACTIVE;
    subscription = subscribe(&alice, &bob, "presence", &options);
    assert_true(wait_event(&alice, "subscriber active none 0"));
    assert_int_equal(sip_subscription_get_expires(bob.received), 60);
    assert_int_equal(sip_subscription_get_expires(subscription), 60);
    sip_subscription_unref(subscription);
    party_stop(&alice);
    party_stop(&bob);
}

/* The subscriber's engine goes away: the notifier's next NOTIFY gets no
 * answer over TCP (the connection is gone) or 481 from a new engine. */
static void test_engine_freed(void **state)
{
    struct party alice, bob;
    struct sip_subscription *subscription;
    GError *error = NULL;

    party_start(&alice, "alice", SIP_TRANSPORT_UDP);
    party_start(&bob, "bob", SIP_TRANSPORT_UDP);
    bob.decision = DECIDE_ACTIVE;
    subscription = subscribe(&alice, &bob, "presence", NULL);
    assert_true(wait_event(&alice, "subscriber active none 0"));
    assert_true(wait_event(&bob, "notify answered 200"));
    /* A new engine on the same port knows nothing of the subscription. */
    sip_engine_free(alice.engine);
    alice.engine = sip_engine_new(NULL, NULL, &alice, &error);
    assert_true(sip_engine_listen(alice.engine, SIP_TRANSPORT_UDP, "127.0.0.1", alice.port, NULL, &error));
    assert_false(sip_subscription_unsubscribe(subscription, &error));
    assert_int_equal(error->code, SIP_ENGINE_ERROR_DETACHED);
    g_clear_error(&error);
    forget(&bob);
    assert_true(API(sip_subscription_notify(bob.received, TRUE, SIP_PIDF_CONTENT_TYPE, busy_doc, strlen(busy_doc),
                                            NULL)));
    assert_true(wait_event(&bob, "notifier terminated gone 481"));
    assert_events(&bob, "notify answered 481|notifier terminated gone 481");
    sip_subscription_unref(subscription);
    party_stop(&alice);
    party_stop(&bob);
}

int main(void)
{
    const struct CMUnitTest tests[] =
    {
        cmocka_unit_test(test_full_cycle_udp),
        cmocka_unit_test(test_full_cycle_tcp),
        cmocka_unit_test(test_pending_then_active),
        cmocka_unit_test(test_rejected),
        cmocka_unit_test(test_refresh),
        cmocka_unit_test(test_unsubscribe_during_refresh),
        cmocka_unit_test(test_expiry_resubscribe),
        cmocka_unit_test(test_terminated_reasons),
        cmocka_unit_test(test_no_resubscribe),
        cmocka_unit_test(test_interval_too_brief),
        cmocka_unit_test(test_engine_freed),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
