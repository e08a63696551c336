/*
 * Transfer on the wire, byte for byte: the implicit subscription as RFC 6665
 * has it on both sides, the REFER's final response bound (RFC 4320), and
 * Refer-To embedded headers by allow-list. One engine against a scripted
 * peer (wire_peer.h); time passes only when a test fires the engine's timers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "wire_peer.h"

/* Whether message has a header line "name: value" exactly. */
static gboolean has_header(const char *message, const char *name, const char *value)
{
    char *line = g_strdup_printf("\r\n%s: %s\r\n", name, value);
    const char *end = strstr(message, "\r\n\r\n");
    const char *found = strstr(message, line);
    gboolean has = found && (!end || found < end + 2);

    g_free(line);
    return has;
}

static gboolean has_header_named(const char *message, const char *name)
{
    char *value = wire_header(message, name);

    g_free(value);
    return value != NULL;
}

/* carol calls the engine and refers it (CSeq 2) with refer_extra headers. */
static struct sip_refer *call_and_refer(struct wire *wire, struct wire_dialog *dialog, const char *refer_extra)
{
    char *extra;

    assert_true(wire_call_in(wire, dialog, "call-a@127.0.0.1", "sip:carol@127.0.0.1:5070", NULL));
    extra = g_strdup_printf("Referred-By: <sip:carol@127.0.0.1>\r\n%s",
                            refer_extra ? refer_extra : "Refer-To: <sip:dave@127.0.0.1:5071>\r\n");
    wire_send(wire, dialog, "REFER", extra, NULL, NULL);
    g_free(extra);
    assert_int_equal(wire->refers->len, 1);
    return g_ptr_array_index(wire->refers, 0);
}

/* carol answers the engine's last NOTIFY 200 OK. */
static void answer_last_notify(struct wire *wire)
{
    const char *notify = wire_find_last(wire, "NOTIFY ");

    assert_non_null(notify);
    wire_respond(wire, notify, 200, "OK", NULL, NULL);
}

/* ---- Refer-To embedded headers: an allow-list -------------------------------------------- */

static const char injecting_refer_to[] =
    "Refer-To: <sip:dave@127.0.0.1:5071?Replaces=abc%40h%3Bto-tag%3D1%3Bfrom-tag%3D2"
    "&P-Asserted-Identity=%3Csip%3Aboss%40example.com%3E&Require=foo&Alert-Info=%3Chttp%3A%2F%2Fx%2Fr%3E"
    "&Subject=hi%20there&X-Custom=abc&Accept-Contact=*%3Baudio&Priority=emergency>\r\n";

static void test_refer_to_allow_list(void **state)
{
    struct wire wire;
    struct wire_dialog dialog;
    struct sip_refer *refer;
    const char *const *lines;

    (void)state;
    wire_start(&wire);
    refer = call_and_refer(&wire, &dialog, injecting_refer_to);
    lines = sip_refer_get_target_headers(refer);
    assert_string_equal(lines[0], "Replaces: abc@h;to-tag=1;from-tag=2");
    assert_string_equal(lines[1], "Subject: hi there");
    assert_string_equal(lines[2], "Accept-Contact: *;audio");
    assert_null(lines[3]);
    /* What the application is given to call (RTC's ReferToURI) carries no more. */
    assert_string_equal(sip_refer_get_refer_to(refer),
                        "sip:dave@127.0.0.1:5071?Replaces=abc%40h%3Bto-tag%3D1%3Bfrom-tag%3D2&Subject=hi%20there"
                        "&Accept-Contact=*%3Baudio");
    assert_string_equal(sip_refer_get_target(refer), "sip:dave@127.0.0.1:5071");
    wire_dialog_clear(&dialog);
    wire_stop(&wire);
}

static void test_refer_to_private_headers_opt_in(void **state)
{
    static const char *const cookie[] = { "X-RTC-Refer-Cookie", NULL };
    struct wire wire;
    struct wire_dialog dialog;
    struct sip_refer *refer;
    const char *const *lines;

    (void)state;
    /* The layer above's own name only. */
    wire_start(&wire);
    sip_engine_set_refer_to_headers(wire.engine, cookie, FALSE);
    refer = call_and_refer(&wire, &dialog,
                           "Refer-To: <sip:dave@127.0.0.1:5071?X-RTC-Refer-Cookie=c1&X-Custom=abc&Require=x>\r\n");
    lines = sip_refer_get_target_headers(refer);
    assert_string_equal(lines[0], "X-RTC-Refer-Cookie: c1");
    assert_null(lines[1]);
    wire_dialog_clear(&dialog);
    wire_stop(&wire);

    /* Every X- header once the application opts in; still no Require. */
    wire_start(&wire);
    sip_engine_set_refer_to_headers(wire.engine, cookie, TRUE);
    refer = call_and_refer(&wire, &dialog,
                           "Refer-To: <sip:dave@127.0.0.1:5071?X-RTC-Refer-Cookie=c1&X-Custom=abc&Require=x>\r\n");
    lines = sip_refer_get_target_headers(refer);
    assert_string_equal(lines[0], "X-RTC-Refer-Cookie: c1");
    assert_string_equal(lines[1], "X-Custom: abc");
    assert_null(lines[2]);
    assert_string_equal(sip_refer_get_refer_to(refer), "sip:dave@127.0.0.1:5071?X-RTC-Refer-Cookie=c1&X-Custom=abc");
    wire_dialog_clear(&dialog);
    wire_stop(&wire);
}

static void test_refer_to_reserved_still_400(void **state)
{
    struct wire wire;
    struct wire_dialog dialog;
    const char *response;
    guint from;

    (void)state;
    wire_start(&wire);
    assert_true(wire_call_in(&wire, &dialog, "call-a@127.0.0.1", "sip:carol@127.0.0.1:5070", NULL));
    from = wire.sent->len;
    wire_send(&wire, &dialog, "REFER",
              "Refer-To: <sip:dave@127.0.0.1:5071?P-Asserted-Identity=%3Csip%3Ab%40x%3E&Route=%3Csip%3Ap%3Blr%3E"
              "&Require=foo>\r\n", NULL, NULL);
    response = wire_find(&wire, from, "SIP/2.0 400 ");
    assert_non_null(response);
    assert_true(g_str_has_prefix(response, "SIP/2.0 400 Reserved header Route in Refer-To\r\n"));
    assert_int_equal(wire.refers->len, 0);
    wire_dialog_clear(&dialog);
    wire_stop(&wire);
}

/* ---- the REFER's final response: a bound ------------------------------------------------- */

/* The application's product (sip_engine_set_product) leads the engine's
 * User-Agent (the NOTIFY, a request) and Server (the 202, a response); what
 * a product token cannot hold becomes "_", so no header can be slipped in. */
static void test_product_in_user_agent_and_server(void **state)
{
    static const char expected[] = "Acme__X-Injected__1/2.1_beta rtcshim/0.1";
    struct wire wire;
    struct wire_dialog dialog;
    struct sip_refer *refer;
    const char *accepted, *notify;
    guint from;

    (void)state;
    wire_start(&wire);
    sip_engine_set_product(wire.engine, "Acme\r\nX-Injected: 1", "2.1 beta");
    refer = call_and_refer(&wire, &dialog, NULL);
    from = wire.sent->len;
    assert_true(sip_refer_accept(refer, NULL));
    wire_run(&wire);
    accepted = wire_find_response(&wire, from, 202, "REFER");
    assert_non_null(accepted);
    assert_true(has_header(accepted, "Server", expected));
    assert_false(has_header_named(accepted, "X-Injected"));
    notify = wire_find(&wire, from, "NOTIFY ");
    assert_non_null(notify);
    assert_true(has_header(notify, "User-Agent", expected));
    /* No name: the engine's own again. */
    answer_last_notify(&wire);
    sip_engine_set_product(wire.engine, NULL, "2.1");
    from = wire.sent->len;
    assert_true(sip_refer_notify(refer, 200, NULL, NULL));
    wire_run(&wire);
    notify = wire_find(&wire, from, "NOTIFY ");
    assert_non_null(notify);
    assert_true(has_header(notify, "User-Agent", "rtcshim/0.1"));
    wire_dialog_clear(&dialog);
    wire_stop(&wire);
}

static void test_quick_decision_is_the_response(void **state)
{
    struct wire wire;
    struct wire_dialog dialog;
    struct sip_refer *refer;
    const char *accepted, *notify;
    guint from;

    (void)state;
    wire_start(&wire);
    refer = call_and_refer(&wire, &dialog, NULL);
    from = wire.sent->len;
    assert_true(sip_refer_accept(refer, NULL));
    wire_run(&wire);
    accepted = wire_find_response(&wire, from, 202, "REFER");
    assert_non_null(accepted);
    assert_false(has_header_named(accepted, "Refer-Sub"));
    notify = wire_find(&wire, from, "NOTIFY ");
    assert_non_null(notify);
    assert_true(has_header(notify, "Event", "refer;id=2"));
    assert_true(has_header(notify, "Subscription-State", "active;expires=120"));
    assert_string_equal(wire_body(notify), "SIP/2.0 100 Trying\r\n");

    /* SetReferredSessionState(INPROGRESS) after Accept is no second 100 Trying. */
    answer_last_notify(&wire);
    from = wire.sent->len;
    assert_true(sip_refer_notify(refer, 100, NULL, NULL));
    wire_run(&wire);
    assert_int_equal(wire_count(&wire, from, "NOTIFY "), 0);
    assert_true(sip_refer_notify(refer, 180, NULL, NULL));
    wire_run(&wire);
    assert_int_equal(wire_count(&wire, from, "NOTIFY "), 1);
    answer_last_notify(&wire);
    assert_true(sip_refer_notify(refer, 180, NULL, NULL));     /* the target rang again */
    wire_run(&wire);
    assert_int_equal(wire_count(&wire, from, "NOTIFY "), 1);
    assert_true(sip_refer_notify(refer, 200, NULL, NULL));
    wire_run(&wire);
    notify = wire_find_last(&wire, "NOTIFY ");
    assert_true(has_header(notify, "Subscription-State", "terminated;reason=noresource"));
    assert_string_equal(wire_body(notify), "SIP/2.0 200 OK\r\n");
    wire_dialog_clear(&dialog);
    wire_stop(&wire);
}

static void test_quick_reject_is_the_response(void **state)
{
    struct wire wire;
    struct wire_dialog dialog;
    struct sip_refer *refer;
    guint from;

    (void)state;
    wire_start(&wire);
    refer = call_and_refer(&wire, &dialog, NULL);
    from = wire.sent->len;
    assert_true(sip_refer_reject(refer, 486, NULL, NULL));
    wire_run(&wire);
    assert_non_null(wire_find_response(&wire, from, 486, "REFER"));
    /* A refused REFER has no subscription: nothing follows, also when it is let go. */
    g_ptr_array_set_size(wire.refers, 0);
    wire_run(&wire);
    engine_expire_timers(wire.engine, 8);
    wire_run(&wire);
    assert_int_equal(wire_count(&wire, from, "NOTIFY "), 0);
    wire_dialog_clear(&dialog);
    wire_stop(&wire);
}

static void test_late_decline_after_202(void **state)
{
    struct wire wire;
    struct wire_dialog dialog;
    struct sip_refer *refer;
    const char *notify;
    guint from;

    (void)state;
    wire_start(&wire);
    refer = call_and_refer(&wire, &dialog, NULL);
    from = wire.sent->len;
    /* The response bound passes with nobody deciding: 202 and NOTIFY 100 go out. */
    assert_int_equal(engine_expire_timers(wire.engine, 1), 1);
    wire_run(&wire);
    assert_non_null(wire_find_response(&wire, from, 202, "REFER"));
    notify = wire_find(&wire, from, "NOTIFY ");
    assert_non_null(notify);
    assert_string_equal(wire_body(notify), "SIP/2.0 100 Trying\r\n");
    assert_true(has_header(notify, "Subscription-State", "active;expires=120"));
    answer_last_notify(&wire);

    /* The user says no: the last NOTIFY carries it. */
    from = wire.sent->len;
    assert_true(sip_refer_reject(refer, 603, NULL, NULL));
    wire_run(&wire);
    assert_int_equal(wire_count(&wire, from, "NOTIFY "), 1);
    notify = wire_find(&wire, from, "NOTIFY ");
    assert_true(has_header(notify, "Subscription-State", "terminated;reason=rejected"));
    assert_string_equal(wire_body(notify), "SIP/2.0 603 Decline\r\n");
    assert_false(sip_refer_accept(refer, NULL));
    assert_false(sip_refer_reject(refer, 603, NULL, NULL));
    wire_dialog_clear(&dialog);
    wire_stop(&wire);
}

static void test_late_accept_sends_nothing_more(void **state)
{
    struct wire wire;
    struct wire_dialog dialog;
    struct sip_refer *refer;
    const char *accepted;
    guint from;

    (void)state;
    wire_start(&wire);
    /* Refer-Sub: false asked for no subscription; a later decision needs one. */
    refer = call_and_refer(&wire, &dialog, "Refer-To: <sip:dave@127.0.0.1:5071>\r\nRefer-Sub: false\r\n");
    from = wire.sent->len;
    assert_int_equal(engine_expire_timers(wire.engine, 1), 1);
    wire_run(&wire);
    accepted = wire_find_response(&wire, from, 202, "REFER");
    assert_non_null(accepted);
    assert_true(has_header(accepted, "Refer-Sub", "true"));
    assert_int_equal(wire_count(&wire, from, "NOTIFY "), 1);
    answer_last_notify(&wire);
    from = wire.sent->len;
    assert_true(sip_refer_accept(refer, NULL));
    wire_run(&wire);
    assert_int_equal(wire.sent->len, from);
    assert_true(sip_refer_wants_subscription(refer));
    assert_true(sip_refer_notify(refer, 486, NULL, NULL));
    wire_run(&wire);
    assert_string_equal(wire_body(wire_find(&wire, from, "NOTIFY ")), "SIP/2.0 486 Busy Here\r\n");
    wire_dialog_clear(&dialog);
    wire_stop(&wire);
}

static void test_no_decision_at_all(void **state)
{
    struct wire wire;
    struct wire_dialog dialog;
    struct sip_refer *refer;
    const char *notify;

    (void)state;
    wire_start(&wire);
    refer = call_and_refer(&wire, &dialog, NULL);
    assert_int_equal(engine_expire_timers(wire.engine, 1), 1);     /* the response bound: 202 */
    wire_run(&wire);
    answer_last_notify(&wire);
    assert_int_equal(engine_expire_timers(wire.engine, 1), 1);     /* the decision bound: declined */
    wire_run(&wire);
    notify = wire_find_last(&wire, "NOTIFY ");
    assert_true(has_header(notify, "Subscription-State", "terminated;reason=rejected"));
    assert_string_equal(wire_body(notify), "SIP/2.0 603 Decline\r\n");
    assert_false(sip_refer_accept(refer, NULL));
    wire_dialog_clear(&dialog);
    wire_stop(&wire);
}

static void test_short_decision_bound_is_a_response(void **state)
{
    struct wire wire;
    struct wire_dialog dialog;
    guint from;

    (void)state;
    wire_start(&wire);
    sip_engine_set_refer_decision_timeout(wire.engine, 1000);     /* within the response bound */
    call_and_refer(&wire, &dialog, NULL);
    from = wire.sent->len;
    assert_int_equal(engine_expire_timers(wire.engine, 1), 1);
    wire_run(&wire);
    assert_non_null(wire_find_response(&wire, from, 603, "REFER"));
    assert_int_equal(wire_count(&wire, from, "NOTIFY "), 0);
    wire_dialog_clear(&dialog);
    wire_stop(&wire);
}

/* ---- the implicit subscription as transferee (notifier) ---------------------------------- */

static void test_subscription_runs_out(void **state)
{
    struct wire wire;
    struct wire_dialog dialog;
    struct sip_refer *refer;
    const char *notify;
    guint from;

    (void)state;
    wire_start(&wire);
    sip_engine_set_refer_expires(wire.engine, 30);
    refer = call_and_refer(&wire, &dialog, NULL);
    assert_true(sip_refer_accept(refer, NULL));
    wire_run(&wire);
    assert_true(has_header(wire_find_last(&wire, "NOTIFY "), "Subscription-State", "active;expires=30"));
    answer_last_notify(&wire);
    assert_true(sip_refer_notify(refer, 180, NULL, NULL));
    wire_run(&wire);
    answer_last_notify(&wire);
    /* Nobody refreshes it: it ends with the last status and reason=timeout. */
    from = wire.sent->len;
    assert_int_equal(engine_expire_timers(wire.engine, 1), 1);
    wire_run(&wire);
    notify = wire_find(&wire, from, "NOTIFY ");
    assert_non_null(notify);
    assert_true(has_header(notify, "Subscription-State", "terminated;reason=timeout"));
    assert_string_equal(wire_body(notify), "SIP/2.0 180 Ringing\r\n");
    answer_last_notify(&wire);
    /* The new call still reports; nothing goes out any more. */
    from = wire.sent->len;
    assert_true(sip_refer_notify(refer, 200, NULL, NULL));
    wire_run(&wire);
    assert_int_equal(wire.sent->len, from);
    wire_dialog_clear(&dialog);
    wire_stop(&wire);
}

static void test_subscribe_refreshes(void **state)
{
    struct wire wire;
    struct wire_dialog dialog;
    struct sip_refer *refer;
    const char *response, *notify;
    guint from;

    (void)state;
    wire_start(&wire);
    refer = call_and_refer(&wire, &dialog, NULL);
    assert_true(sip_refer_accept(refer, NULL));
    wire_run(&wire);
    answer_last_notify(&wire);
    assert_true(sip_refer_notify(refer, 180, NULL, NULL));
    wire_run(&wire);
    answer_last_notify(&wire);

    /* A refresh: 200 with the Expires granted, then a NOTIFY with the status as it is. */
    from = wire.sent->len;
    wire_send(&wire, &dialog, "SUBSCRIBE", "Event: refer;id=2\r\nExpires: 60\r\nAccept: message/sipfrag\r\n",
              NULL, NULL);
    response = wire_find_response(&wire, from, 200, "SUBSCRIBE");
    assert_non_null(response);
    assert_true(has_header(response, "Expires", "60"));
    assert_true(has_header_named(response, "Contact"));
    notify = wire_find(&wire, from, "NOTIFY ");
    assert_non_null(notify);
    assert_true(has_header(notify, "Subscription-State", "active;expires=60"));
    assert_string_equal(wire_body(notify), "SIP/2.0 180 Ringing\r\n");
    answer_last_notify(&wire);

    /* More than we grant is cut down; without an id it names the dialog's first REFER. */
    from = wire.sent->len;
    wire_send(&wire, &dialog, "SUBSCRIBE", "Event: refer\r\nExpires: 7200\r\n", NULL, NULL);
    assert_true(has_header(wire_find_response(&wire, from, 200, "SUBSCRIBE"), "Expires", "3600"));
    answer_last_notify(&wire);

    /* Ids are compared exactly; other packages are not ours. */
    from = wire.sent->len;
    wire_send(&wire, &dialog, "SUBSCRIBE", "Event: refer;id=02\r\nExpires: 60\r\n", NULL, NULL);
    assert_non_null(wire_find_response(&wire, from, 481, "SUBSCRIBE"));
    wire_send(&wire, &dialog, "SUBSCRIBE", "Event: refer;idx=2\r\nExpires: 60\r\n", NULL, NULL);
    assert_non_null(wire_find_response(&wire, from, 200, "SUBSCRIBE"));     /* no id: the first REFER */
    answer_last_notify(&wire);
    from = wire.sent->len;
    wire_send(&wire, &dialog, "SUBSCRIBE", "Event: presence\r\nExpires: 60\r\n", NULL, NULL);
    assert_true(has_header(wire_find_response(&wire, from, 489, "SUBSCRIBE"), "Allow-Events", "refer"));

    /* Expires: 0 ends it; after that the subscription is gone. */
    from = wire.sent->len;
    wire_send(&wire, &dialog, "SUBSCRIBE", "Event: refer;id=2\r\nExpires: 0\r\n", NULL, NULL);
    assert_true(has_header(wire_find_response(&wire, from, 200, "SUBSCRIBE"), "Expires", "0"));
    notify = wire_find(&wire, from, "NOTIFY ");
    assert_true(has_header(notify, "Subscription-State", "terminated;reason=timeout"));
    assert_string_equal(wire_body(notify), "SIP/2.0 180 Ringing\r\n");
    answer_last_notify(&wire);
    from = wire.sent->len;
    wire_send(&wire, &dialog, "SUBSCRIBE", "Event: refer;id=2\r\nExpires: 60\r\n", NULL, NULL);
    assert_non_null(wire_find_response(&wire, from, 481, "SUBSCRIBE"));
    assert_int_equal(wire_count(&wire, from, "NOTIFY "), 0);
    wire_dialog_clear(&dialog);
    wire_stop(&wire);
}

static void test_subscribe_outside_a_dialog(void **state)
{
    struct wire wire;
    struct wire_dialog dialog = { 0 };
    guint from;

    (void)state;
    wire_start(&wire);
    dialog.call_id = g_strdup("sub-1@127.0.0.1");
    dialog.peer_tag = g_strdup("s1");
    dialog.peer_uri = g_strdup("sip:carol@127.0.0.1:5070");
    dialog.engine_uri = g_strdup_printf("sip:bob@127.0.0.1:%u", wire.port);
    from = wire.sent->len;
    /* RFC 3515 §2.4.4: only a REFER creates a refer subscription. */
    wire_send(&wire, &dialog, "SUBSCRIBE", "Event: refer\r\nExpires: 60\r\n", NULL, NULL);
    assert_non_null(wire_find_response(&wire, from, 403, "SUBSCRIBE"));
    wire_send(&wire, &dialog, "SUBSCRIBE", "Event: presence\r\nExpires: 60\r\n", NULL, NULL);
    assert_non_null(wire_find_response(&wire, from, 489, "SUBSCRIBE"));
    wire_dialog_clear(&dialog);
    wire_stop(&wire);
}

/* ---- the implicit subscription as transferor (subscriber) -------------------------------- */

/* The engine calls carol and refers her; carol answers the REFER 202. */
static struct sip_call *call_out_and_refer(struct wire *wire, struct wire_dialog *dialog, struct sip_refer **refer,
                                           char **refer_id)
{
    struct sip_call *call = wire_call_out(wire, dialog);
    guint from = wire->sent->len;
    const char *request;
    char *cseq;

    *refer = sip_call_refer(call, "sip:dave@127.0.0.1:5071", NULL, NULL);
    assert_non_null(*refer);
    wire_run(wire);
    request = wire_find(wire, from, "REFER ");
    assert_non_null(request);
    cseq = wire_header(request, "CSeq");
    *refer_id = g_strndup(cseq, strcspn(cseq, " "));
    g_free(cseq);
    wire_respond(wire, request, 202, "Accepted", NULL, NULL);
    return call;
}

static void notify_in(struct wire *wire, struct wire_dialog *dialog, const char *event, const char *substate,
                      const char *fragment)
{
    char *extra = g_strdup_printf("Event: %s\r\nSubscription-State: %s\r\n", event, substate);

    wire_send(wire, dialog, "NOTIFY", extra, "message/sipfrag;version=2.0", fragment);
    g_free(extra);
}

static void test_stray_notify_gets_481(void **state)
{
    struct wire wire;
    struct wire_dialog dialog;
    struct sip_refer *refer;
    struct sip_call *call;
    char *id, *event;
    guint from;

    (void)state;
    wire_start(&wire);
    call = wire_call_out(&wire, &dialog);
    /* No REFER was ever sent in this dialog: with or without an id, 481. */
    from = wire.sent->len;
    notify_in(&wire, &dialog, "refer;id=7", "active;expires=60", "SIP/2.0 100 Trying\r\n");
    notify_in(&wire, &dialog, "refer", "active;expires=60", "SIP/2.0 100 Trying\r\n");
    assert_int_equal(wire_count(&wire, from, "SIP/2.0 481 "), 2);
    sip_call_unref(call);
    wire_dialog_clear(&dialog);
    wire_stop(&wire);

    /* A subscription that ended: its NOTIFYs get 481 too. */
    wire_start(&wire);
    call = call_out_and_refer(&wire, &dialog, &refer, &id);
    event = g_strdup_printf("refer;id=%s", id);
    notify_in(&wire, &dialog, event, "terminated;reason=noresource", "SIP/2.0 200 OK\r\n");
    assert_true(wire_has_event(&wire, "refer ended success 200"));
    from = wire.sent->len;
    notify_in(&wire, &dialog, event, "terminated;reason=noresource", "SIP/2.0 200 OK\r\n");
    notify_in(&wire, &dialog, "refer", "active;expires=60", "SIP/2.0 180 Ringing\r\n");
    assert_int_equal(wire_count(&wire, from, "SIP/2.0 481 "), 2);
    assert_int_equal(wire_count(&wire, from, "SIP/2.0 200 "), 0);
    g_free(event);
    g_free(id);
    sip_refer_unref(refer);
    sip_call_unref(call);
    wire_dialog_clear(&dialog);
    wire_stop(&wire);
}

static void test_event_id_matched_exactly(void **state)
{
    struct wire wire;
    struct wire_dialog dialog;
    struct sip_refer *refer, *second;
    struct sip_call *call;
    const char *request;
    char *id, *second_id, *cseq, *event;
    guint from;

    (void)state;
    wire_start(&wire);
    call = call_out_and_refer(&wire, &dialog, &refer, &id);
    event = g_strdup_printf("refer;id=%s", id);
    notify_in(&wire, &dialog, event, "terminated;reason=noresource", "SIP/2.0 486 Busy Here\r\n");
    g_free(event);
    assert_true(wire_has_event(&wire, "refer ended failure 486"));

    /* A second REFER: its NOTIFYs name it by id; nothing else does. */
    from = wire.sent->len;
    second = sip_call_refer(call, "sip:erin@127.0.0.1:5072", NULL, NULL);
    assert_non_null(second);
    wire_run(&wire);
    request = wire_find(&wire, from, "REFER ");
    cseq = wire_header(request, "CSeq");
    second_id = g_strndup(cseq, strcspn(cseq, " "));
    g_free(cseq);
    wire_respond(&wire, request, 202, "Accepted", NULL, NULL);
    from = wire.sent->len;
    event = g_strdup_printf("refer;idx=%s", second_id);
    notify_in(&wire, &dialog, event, "active;expires=60", "SIP/2.0 100 Trying\r\n");
    g_free(event);
    event = g_strdup_printf("refer;id=0%s", second_id);
    notify_in(&wire, &dialog, event, "active;expires=60", "SIP/2.0 100 Trying\r\n");
    g_free(event);
    assert_int_equal(wire_count(&wire, from, "SIP/2.0 481 "), 2);
    assert_false(wire_has_event(&wire, "refer notify 100"));
    event = g_strdup_printf("refer ; ID = %s", second_id);
    notify_in(&wire, &dialog, event, "active;expires=60", "SIP/2.0 100 Trying\r\n");
    g_free(event);
    assert_int_equal(wire_count(&wire, from, "SIP/2.0 200 "), 1);
    assert_true(wire_has_event(&wire, "refer notify 100"));
    g_free(id);
    g_free(second_id);
    sip_refer_unref(refer);
    sip_refer_unref(second);
    sip_call_unref(call);
    wire_dialog_clear(&dialog);
    wire_stop(&wire);
}

static void test_transferor_refreshes_while_ringing(void **state)
{
    struct wire wire;
    struct wire_dialog dialog;
    struct sip_refer *refer;
    struct sip_call *call;
    const char *subscribe;
    char *id, *event;
    guint from;

    (void)state;
    wire_start(&wire);
    call = call_out_and_refer(&wire, &dialog, &refer, &id);
    event = g_strdup_printf("refer;id=%s", id);
    notify_in(&wire, &dialog, event, "active;expires=60", "SIP/2.0 100 Trying\r\n");
    notify_in(&wire, &dialog, event, "active;expires=60", "SIP/2.0 180 Ringing\r\n");
    /* Before the 60 s run out, a SUBSCRIBE renews them. */
    from = wire.sent->len;
    assert_int_equal(engine_expire_timers(wire.engine, 1), 1);
    wire_run(&wire);
    subscribe = wire_find(&wire, from, "SUBSCRIBE ");
    assert_non_null(subscribe);
    assert_true(has_header(subscribe, "Event", event));
    assert_true(has_header(subscribe, "Expires", "60"));
    assert_true(has_header_named(subscribe, "Contact"));
    assert_false(wire_has_event(&wire, "refer ended no-final 0"));
    wire_respond(&wire, subscribe, 200, "OK", NULL, "Expires: 60\r\n");
    notify_in(&wire, &dialog, event, "active;expires=60", "SIP/2.0 180 Ringing\r\n");
    /* Again and again while the target rings. */
    from = wire.sent->len;
    assert_int_equal(engine_expire_timers(wire.engine, 1), 1);
    wire_run(&wire);
    subscribe = wire_find(&wire, from, "SUBSCRIBE ");
    assert_non_null(subscribe);
    wire_respond(&wire, subscribe, 200, "OK", NULL, "Expires: 60\r\n");
    /* The final NOTIFY still arrives and tells the real outcome. */
    notify_in(&wire, &dialog, event, "terminated;reason=noresource", "SIP/2.0 200 OK\r\n");
    assert_true(wire_has_event(&wire, "refer notify 200"));
    assert_true(wire_has_event(&wire, "refer ended success 200"));
    /* Nothing is refreshed once it ended. */
    from = wire.sent->len;
    engine_expire_timers(wire.engine, 8);
    wire_run(&wire);
    assert_int_equal(wire_count(&wire, from, "SUBSCRIBE "), 0);
    g_free(event);
    g_free(id);
    sip_refer_unref(refer);
    sip_call_unref(call);
    wire_dialog_clear(&dialog);
    wire_stop(&wire);
}

static void test_refresh_refused_ends_the_wait(void **state)
{
    struct wire wire;
    struct wire_dialog dialog;
    struct sip_refer *refer;
    struct sip_call *call;
    char *id, *event;
    guint from;

    (void)state;
    wire_start(&wire);
    call = call_out_and_refer(&wire, &dialog, &refer, &id);
    event = g_strdup_printf("refer;id=%s", id);
    notify_in(&wire, &dialog, event, "active;expires=60", "SIP/2.0 180 Ringing\r\n");
    from = wire.sent->len;
    assert_int_equal(engine_expire_timers(wire.engine, 1), 1);
    wire_run(&wire);
    wire_respond(&wire, wire_find(&wire, from, "SUBSCRIBE "), 481, "Subscription Does Not Exist", NULL, NULL);
    /* A short grace for a final NOTIFY still on the way, then it is over. */
    assert_int_equal(engine_expire_timers(wire.engine, 1), 1);
    wire_run(&wire);
    assert_true(wire_has_event(&wire, "refer ended no-final 0"));
    g_free(event);
    g_free(id);
    sip_refer_unref(refer);
    sip_call_unref(call);
    wire_dialog_clear(&dialog);
    wire_stop(&wire);
}

static void test_declined_after_202_is_rejected(void **state)
{
    struct wire wire;
    struct wire_dialog dialog;
    struct sip_refer *refer;
    struct sip_call *call;
    char *id, *event;

    (void)state;
    wire_start(&wire);
    call = call_out_and_refer(&wire, &dialog, &refer, &id);
    event = g_strdup_printf("refer;id=%s", id);
    notify_in(&wire, &dialog, event, "active;expires=120", "SIP/2.0 100 Trying\r\n");
    notify_in(&wire, &dialog, event, "terminated;reason=rejected", "SIP/2.0 603 Declined\r\n");
    assert_true(wire_has_event(&wire, "refer accepted 202"));
    assert_true(wire_has_event(&wire, "refer notify 100"));
    assert_true(wire_has_event(&wire, "refer rejected 603"));
    assert_true(wire_has_event(&wire, "refer ended rejected 603"));
    assert_false(wire_has_event(&wire, "refer notify 603"));
    g_free(event);
    g_free(id);
    sip_refer_unref(refer);
    sip_call_unref(call);
    wire_dialog_clear(&dialog);
    wire_stop(&wire);
}

int main(void)
{
    const struct CMUnitTest tests[] =
    {
        cmocka_unit_test(test_refer_to_allow_list),
        cmocka_unit_test(test_refer_to_private_headers_opt_in),
        cmocka_unit_test(test_refer_to_reserved_still_400),
        cmocka_unit_test(test_quick_decision_is_the_response),
        cmocka_unit_test(test_quick_reject_is_the_response),
        cmocka_unit_test(test_late_decline_after_202),
        cmocka_unit_test(test_late_accept_sends_nothing_more),
        cmocka_unit_test(test_no_decision_at_all),
        cmocka_unit_test(test_short_decision_bound_is_a_response),
        cmocka_unit_test(test_subscription_runs_out),
        cmocka_unit_test(test_subscribe_refreshes),
        cmocka_unit_test(test_subscribe_outside_a_dialog),
        cmocka_unit_test(test_stray_notify_gets_481),
        cmocka_unit_test(test_event_id_matched_exactly),
        cmocka_unit_test(test_transferor_refreshes_while_ringing),
        cmocka_unit_test(test_refresh_refused_ends_the_wait),
        cmocka_unit_test(test_declined_after_202_is_rejected),
        cmocka_unit_test(test_product_in_user_agent_and_server),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
