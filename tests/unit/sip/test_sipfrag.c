/*
 * Unit tests for sipfrag bodies and Subscription-State.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "sipfrag.h"

static void test_build(void **state)
{
    char *s;

    (void)state;
    s = sip_sipfrag_build(200, NULL);
    assert_string_equal(s, "SIP/2.0 200 OK\r\n");
    g_free(s);
    s = sip_sipfrag_build(100, "");
    assert_string_equal(s, "SIP/2.0 100 Trying\r\n");
    g_free(s);
    s = sip_sipfrag_build(180, NULL);
    assert_string_equal(s, "SIP/2.0 180 Ringing\r\n");
    g_free(s);
    s = sip_sipfrag_build(486, NULL);
    assert_string_equal(s, "SIP/2.0 486 Busy Here\r\n");
    g_free(s);
    s = sip_sipfrag_build(503, "Service Unavailable");
    assert_string_equal(s, "SIP/2.0 503 Service Unavailable\r\n");
    g_free(s);
    s = sip_sipfrag_build(603, "Nope, not today");
    assert_string_equal(s, "SIP/2.0 603 Nope, not today\r\n");
    g_free(s);
    s = sip_sipfrag_build(499, NULL);
    assert_string_equal(s, "SIP/2.0 499 Client Error\r\n");
    g_free(s);

    assert_null(sip_sipfrag_build(99, NULL));
    assert_null(sip_sipfrag_build(700, NULL));
    assert_null(sip_sipfrag_build(0, "OK"));
    assert_null(sip_sipfrag_build(200, "OK\r\nVia: evil"));
    assert_null(sip_sipfrag_build(200, "OK\n"));
}

static void test_reason_phrases(void **state)
{
    (void)state;
    assert_string_equal(sip_reason_phrase(202), "Accepted");
    assert_string_equal(sip_reason_phrase(481), "Call/Transaction Does Not Exist");
    assert_string_equal(sip_reason_phrase(487), "Request Terminated");
    assert_string_equal(sip_reason_phrase(488), "Not Acceptable Here");
    assert_string_equal(sip_reason_phrase(489), "Bad Event");
    assert_string_equal(sip_reason_phrase(603), "Decline");
    assert_string_equal(sip_reason_phrase(199), "Early Dialog Terminated");
    assert_string_equal(sip_reason_phrase(150), "Provisional");
    assert_string_equal(sip_reason_phrase(299), "Success");
    assert_string_equal(sip_reason_phrase(399), "Redirection");
    assert_string_equal(sip_reason_phrase(599), "Server Error");
    assert_string_equal(sip_reason_phrase(699), "Global Failure");
    assert_null(sip_reason_phrase(0));
    assert_null(sip_reason_phrase(700));
}

static void check_parse(const char *body, gssize length, guint code, const char *reason)
{
    GError *error = NULL;
    char *r = NULL;
    guint c = 0;

    assert_true(sip_sipfrag_parse(body, length, &c, &r, &error));
    assert_null(error);
    assert_int_equal(c, code);
    assert_string_equal(r, reason);
    g_free(r);
}

static void test_parse(void **state)
{
    static const char with_headers[] =
        "SIP/2.0 180 Ringing\r\nFrom: <sip:a@b>;tag=1\r\nContent-Length: 0\r\n\r\n";
    static const char not_terminated[] = "SIP/2.0 200 OK trailing junk";

    (void)state;
    check_parse("SIP/2.0 200 OK\r\n", -1, 200, "OK");
    check_parse("SIP/2.0 200 OK", -1, 200, "OK");                     /* no CRLF */
    check_parse("SIP/2.0 100 Trying\n", -1, 100, "Trying");           /* bare LF */
    check_parse(with_headers, -1, 180, "Ringing");
    check_parse("  \r\n\tSIP/2.0 486 Busy Here  \r\n", -1, 486, "Busy Here");
    check_parse("sip/2.0 603 Declined\r\n", -1, 603, "Declined");
    check_parse("SIP/2.0   503   Service Unavailable\r\n", -1, 503, "Service Unavailable");
    check_parse("SIP/2.0 200\r\n", -1, 200, "");                      /* no reason */
    check_parse("SIP/2.0 200", -1, 200, "");
    check_parse("SIP/2.0 200 OK\r\nX", 14, 200, "OK");                /* length, not NUL */
    check_parse(not_terminated, 14, 200, "OK");
}

static void check_parse_fails(const char *body, gssize length)
{
    GError *error = NULL;
    char *reason = (char *)"untouched";
    guint code = 0;

    assert_false(sip_sipfrag_parse(body, length, &code, &reason, &error));
    assert_non_null(error);
    assert_true(g_error_matches(error, SIP_SIPFRAG_ERROR, SIP_SIPFRAG_ERROR_INVALID));
    assert_true(strlen(error->message) > 0);
    assert_null(reason);
    assert_int_equal(code, 0);
    g_error_free(error);
}

static void test_parse_garbage(void **state)
{
    (void)state;
    check_parse_fails(NULL, -1);
    check_parse_fails("", -1);
    check_parse_fails("\r\n\r\n", -1);
    check_parse_fails("hello world", -1);
    check_parse_fails("INVITE sip:bob@example.com SIP/2.0\r\n", -1);
    check_parse_fails("SIP/2.0\r\n", -1);
    check_parse_fails("SIP/2.0 OK 200\r\n", -1);
    check_parse_fails("SIP/2.0 20 OK\r\n", -1);
    check_parse_fails("SIP/2.0 2000 OK\r\n", -1);
    check_parse_fails("SIP/2.0 200OK\r\n", -1);
    check_parse_fails("SIP/2.0 099 Low\r\n", -1);
    check_parse_fails("SIP/2.0 700 High\r\n", -1);
    check_parse_fails("SIP/3.0 200 OK\r\n", -1);
    check_parse_fails("SIP/2.0200 OK\r\n", -1);
    check_parse_fails("SIP/2.0 200 OK", 10);                          /* cut short */
    check_parse_fails("SIP/2.0 2\0000 OK", 14);                       /* embedded NUL */
}

static void test_round_trip(void **state)
{
    static const guint codes[] = { 100, 180, 183, 200, 202, 404, 481, 486, 487, 488, 500, 603 };
    gsize i;

    (void)state;
    for (i = 0; i < G_N_ELEMENTS(codes); i++)
    {
        char *body = sip_sipfrag_build(codes[i], NULL);

        check_parse(body, -1, codes[i], sip_reason_phrase(codes[i]));
        g_free(body);
    }
}

static void check_substate(const char *value, enum sip_substate st, const char *name,
                           const char *reason, gint64 expires, gint64 retry_after)
{
    struct sip_subscription_state s;
    GError *error = NULL;

    assert_true(sip_subscription_state_parse(value, &s, &error));
    assert_null(error);
    assert_int_equal(s.state, st);
    assert_string_equal(s.state_name, name);
    if (reason) assert_string_equal(s.reason, reason);
    else assert_null(s.reason);
    assert_int_equal(s.expires, expires);
    assert_int_equal(s.retry_after, retry_after);
    sip_subscription_state_clear(&s);
    assert_null(s.state_name);
    assert_null(s.reason);
}

static void test_subscription_state(void **state)
{
    (void)state;
    check_substate("active", SIP_SUBSTATE_ACTIVE, "active", NULL, -1, -1);
    check_substate("active;expires=60", SIP_SUBSTATE_ACTIVE, "active", NULL, 60, -1);
    check_substate("pending;expires=0", SIP_SUBSTATE_PENDING, "pending", NULL, 0, -1);
    check_substate("terminated;reason=noresource", SIP_SUBSTATE_TERMINATED, "terminated",
                   "noresource", -1, -1);
    /* linphone */
    check_substate("terminated;reason=reason=noresource", SIP_SUBSTATE_TERMINATED, "terminated",
                   "noresource", -1, -1);
    check_substate(" Terminated ; Reason = Timeout ; retry-after = 30 ", SIP_SUBSTATE_TERMINATED,
                   "terminated", "timeout", -1, 30);
    check_substate("terminated;retry-after=20;reason=giveup;expires=0", SIP_SUBSTATE_TERMINATED,
                   "terminated", "giveup", 0, 20);
    check_substate("terminated;reason=\"rejected\"", SIP_SUBSTATE_TERMINATED, "terminated",
                   "rejected", -1, -1);
    check_substate("ACTIVE;EXPIRES=3600;foo=bar;flag", SIP_SUBSTATE_ACTIVE, "active", NULL, 3600, -1);
    check_substate("active;expires=abc", SIP_SUBSTATE_ACTIVE, "active", NULL, -1, -1);
    check_substate("active;expires=99999999999999999999", SIP_SUBSTATE_ACTIVE, "active", NULL,
                   G_MAXUINT32, -1);
    check_substate("terminated;reason=", SIP_SUBSTATE_TERMINATED, "terminated", NULL, -1, -1);
    check_substate("waiting;expires=5", SIP_SUBSTATE_EXTENSION, "waiting", NULL, 5, -1);
}

static void test_subscription_state_bad(void **state)
{
    static const char *const bad[] = { "", "   ", ";expires=5", "act ive", "active@x", "\"active\"" };
    struct sip_subscription_state s;
    GError *error = NULL;
    gsize i;

    (void)state;
    assert_false(sip_subscription_state_parse(NULL, &s, &error));
    assert_true(g_error_matches(error, SIP_SIPFRAG_ERROR, SIP_SIPFRAG_ERROR_INVALID));
    g_clear_error(&error);
    for (i = 0; i < G_N_ELEMENTS(bad); i++)
    {
        assert_false(sip_subscription_state_parse(bad[i], &s, &error));
        assert_true(g_error_matches(error, SIP_SIPFRAG_ERROR, SIP_SIPFRAG_ERROR_INVALID));
        assert_null(s.state_name);
        assert_null(s.reason);
        g_clear_error(&error);
    }
    sip_subscription_state_clear(NULL);
}

static void test_subscription_state_build(void **state)
{
    struct sip_subscription_state s = { SIP_SUBSTATE_ACTIVE, NULL, NULL, 60, -1 };
    char *v;

    (void)state;
    v = sip_subscription_state_build(&s);
    assert_string_equal(v, "active;expires=60");
    g_free(v);

    s.state = SIP_SUBSTATE_TERMINATED;
    s.reason = (char *)"noresource";
    s.expires = -1;
    v = sip_subscription_state_build(&s);
    assert_string_equal(v, "terminated;reason=noresource");
    g_free(v);

    s.reason = (char *)"timeout";
    s.retry_after = 30;
    v = sip_subscription_state_build(&s);
    assert_string_equal(v, "terminated;reason=timeout;retry-after=30");
    g_free(v);

    s.state = SIP_SUBSTATE_PENDING;
    s.reason = NULL;
    s.expires = 0;
    s.retry_after = -1;
    v = sip_subscription_state_build(&s);
    assert_string_equal(v, "pending;expires=0");
    g_free(v);

    s.state = SIP_SUBSTATE_EXTENSION;
    assert_null(sip_subscription_state_build(&s));
    s.state_name = (char *)"waiting";
    v = sip_subscription_state_build(&s);
    assert_string_equal(v, "waiting;expires=0");
    g_free(v);

    assert_null(sip_subscription_state_build(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] =
    {
        cmocka_unit_test(test_build),
        cmocka_unit_test(test_reason_phrases),
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_parse_garbage),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_subscription_state),
        cmocka_unit_test(test_subscription_state_bad),
        cmocka_unit_test(test_subscription_state_build),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
