/*
 * Unit tests for the checks received requests go through (400, 416, 420,
 * 483, 405/501, 505) and for answering requests libosip2 cannot parse.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "request_check.h"

#define HDR_VIA "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKx\r\n"
#define HDR_FROM "From: <sip:a@127.0.0.1>;tag=1\r\n"
#define HDR_TO "To: <sip:b@127.0.0.1>\r\n"
#define HDR_CALL_ID "Call-ID: check@127.0.0.1\r\n"

struct check_case
{
    const char *name;
    const char *text;
    guint code;
    const char *reason;
    const char *header_name;
    const char *header_value;
};

static const struct check_case cases[] =
{
    { "acceptable", "OPTIONS sip:b@127.0.0.1 SIP/2.0\r\n" HDR_VIA HDR_FROM HDR_TO HDR_CALL_ID "CSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\n\r\n",
      0, NULL, NULL, NULL },
    { "no Max-Forwards is fine", "OPTIONS sip:b@127.0.0.1 SIP/2.0\r\n" HDR_VIA HDR_FROM HDR_TO HDR_CALL_ID "CSeq: 1 OPTIONS\r\n\r\n",
      0, NULL, NULL, NULL },
    { "missing Call-ID", "OPTIONS sip:b@127.0.0.1 SIP/2.0\r\n" HDR_VIA HDR_FROM HDR_TO "CSeq: 1 OPTIONS\r\n\r\n",
      400, "Missing Call-ID Header", NULL, NULL },
    { "missing From", "OPTIONS sip:b@127.0.0.1 SIP/2.0\r\n" HDR_VIA HDR_TO HDR_CALL_ID "CSeq: 1 OPTIONS\r\n\r\n",
      400, "Missing From Header", NULL, NULL },
    { "missing Via", "OPTIONS sip:b@127.0.0.1 SIP/2.0\r\n" HDR_FROM HDR_TO HDR_CALL_ID "CSeq: 1 OPTIONS\r\n\r\n",
      400, "Missing Via Header", NULL, NULL },
    { "CSeq not a number", "OPTIONS sip:b@127.0.0.1 SIP/2.0\r\n" HDR_VIA HDR_FROM HDR_TO HDR_CALL_ID "CSeq: abc OPTIONS\r\n\r\n",
      400, "Malformed CSeq Header", NULL, NULL },
    { "CSeq too big", "OPTIONS sip:b@127.0.0.1 SIP/2.0\r\n" HDR_VIA HDR_FROM HDR_TO HDR_CALL_ID "CSeq: 2147483648 OPTIONS\r\n\r\n",
      400, "Malformed CSeq Header", NULL, NULL },
    { "CSeq method mismatch", "OPTIONS sip:b@127.0.0.1 SIP/2.0\r\n" HDR_VIA HDR_FROM HDR_TO HDR_CALL_ID "CSeq: 1 INFO\r\n\r\n",
      400, "CSeq Method Mismatch", NULL, NULL },
    { "Max-Forwards not a number", "OPTIONS sip:b@127.0.0.1 SIP/2.0\r\n" HDR_VIA HDR_FROM HDR_TO HDR_CALL_ID
      "CSeq: 1 OPTIONS\r\nMax-Forwards: lots\r\n\r\n", 400, "Malformed Max-Forwards Header", NULL, NULL },
    { "Max-Forwards 0", "OPTIONS sip:b@127.0.0.1 SIP/2.0\r\n" HDR_VIA HDR_FROM HDR_TO HDR_CALL_ID
      "CSeq: 1 OPTIONS\r\nMax-Forwards: 0\r\n\r\n", 483, "Too Many Hops", NULL, NULL },
    { "tel: Request-URI", "OPTIONS tel:+15550100 SIP/2.0\r\n" HDR_VIA HDR_FROM HDR_TO HDR_CALL_ID "CSeq: 1 OPTIONS\r\n\r\n",
      416, "Unsupported URI Scheme", NULL, NULL },
    { "known method we do not do", "PUBLISH sip:b@127.0.0.1 SIP/2.0\r\n" HDR_VIA HDR_FROM HDR_TO HDR_CALL_ID
      "CSeq: 1 PUBLISH\r\n\r\n", 405, "Method Not Allowed", "Allow", SIP_ALLOWED_METHODS },
    { "SUBSCRIBE (refer subscriptions)", "SUBSCRIBE sip:b@127.0.0.1 SIP/2.0\r\n" HDR_VIA HDR_FROM HDR_TO HDR_CALL_ID
      "CSeq: 1 SUBSCRIBE\r\nEvent: refer\r\n\r\n", 0, NULL, NULL, NULL },
    { "two Replaces", "INVITE sip:b@127.0.0.1 SIP/2.0\r\n" HDR_VIA HDR_FROM HDR_TO HDR_CALL_ID
      "CSeq: 1 INVITE\r\nReplaces: a@h;to-tag=1;from-tag=2\r\nReplaces: b@h;to-tag=3;from-tag=4\r\n\r\n", 400,
      "Multiple Replaces Headers", NULL, NULL },
    { "one Replaces", "INVITE sip:b@127.0.0.1 SIP/2.0\r\n" HDR_VIA HDR_FROM HDR_TO HDR_CALL_ID
      "CSeq: 1 INVITE\r\nReplaces: a@h;to-tag=1;from-tag=2\r\n\r\n", 0, NULL, NULL, NULL },
    { "Replaces on a BYE", "BYE sip:b@127.0.0.1 SIP/2.0\r\n" HDR_VIA HDR_FROM HDR_TO HDR_CALL_ID
      "CSeq: 2 BYE\r\nreplaces: a@h;to-tag=1;from-tag=2\r\n\r\n", 400, "Replaces Outside INVITE", NULL, NULL },
    { "unknown method", "FROBNICATE sip:b@127.0.0.1 SIP/2.0\r\n" HDR_VIA HDR_FROM HDR_TO HDR_CALL_ID "CSeq: 1 FROBNICATE\r\n\r\n",
      501, "Not Implemented", "Allow", SIP_ALLOWED_METHODS },
    { "unknown Require", "INVITE sip:b@127.0.0.1 SIP/2.0\r\n" HDR_VIA HDR_FROM HDR_TO HDR_CALL_ID
      "CSeq: 1 INVITE\r\nRequire: foo, replaces\r\nRequire: bar\r\n\r\n", 420, "Bad Extension", "Unsupported",
      "foo, bar" },
    { "supported Require", "INVITE sip:b@127.0.0.1 SIP/2.0\r\n" HDR_VIA HDR_FROM HDR_TO HDR_CALL_ID
      "CSeq: 1 INVITE\r\nRequire: Replaces\r\n\r\n", 0, NULL, NULL, NULL },
    { "CANCEL's Require is not checked", "CANCEL sip:b@127.0.0.1 SIP/2.0\r\n" HDR_VIA HDR_FROM HDR_TO HDR_CALL_ID
      "CSeq: 1 CANCEL\r\nRequire: foo\r\n\r\n", 0, NULL, NULL, NULL },
    { "Content-Length beyond the body", "MESSAGE sip:b@127.0.0.1 SIP/2.0\r\n" HDR_VIA HDR_FROM HDR_TO HDR_CALL_ID
      "CSeq: 1 MESSAGE\r\nContent-Length: 100\r\n\r\nhello", 400,
      "Content-Length Exceeds Body", NULL, NULL },
};

static void test_verdicts(void **state)
{
    gsize i;

    (void)state;
    for (i = 0; i < G_N_ELEMENTS(cases); i++)
    {
        struct sip_request_verdict verdict;
        const char *body = strstr(cases[i].text, "\r\n\r\n") + 4;
        osip_message_t *request;

        print_message("%s\n", cases[i].name);
        assert_int_equal(osip_message_init(&request), 0);
        assert_int_equal(osip_message_parse(request, cases[i].text, strlen(cases[i].text)), 0);
        sip_request_check(request, strlen(body), &verdict);
        assert_int_equal(verdict.code, cases[i].code);
        if (cases[i].reason)
            assert_string_equal(verdict.reason, cases[i].reason);
        if (cases[i].header_name)
        {
            assert_string_equal(verdict.header_name, cases[i].header_name);
            assert_string_equal(verdict.header_value, cases[i].header_value);
        }
        else
        {
            assert_null(verdict.header_name);
        }
        sip_request_verdict_clear(&verdict);
        assert_int_equal(verdict.code, 0);
        osip_message_free(request);
    }
}

static void test_token_lists(void **state)
{
    (void)state;
    assert_true(sip_token_list_contains(SIP_ALLOWED_METHODS, "INVITE"));
    assert_true(sip_token_list_contains(SIP_ALLOWED_METHODS, "REFER"));
    assert_true(sip_token_list_contains(SIP_ALLOWED_METHODS, "info"));
    assert_false(sip_token_list_contains(SIP_ALLOWED_METHODS, "INV"));
    assert_true(sip_token_list_contains(SIP_ALLOWED_METHODS, "SUBSCRIBE"));
    assert_false(sip_token_list_contains(SIP_ALLOWED_METHODS, "PUBLISH"));     /* we publish, we are no compositor */
    assert_true(sip_token_list_contains(" a ,b,\tc ", "c"));
    assert_false(sip_token_list_contains("", "a"));
}

static void test_rejection_of_unparseable(void **state)
{
    const char *text = "INVITE sip:b@127.0.0.1 SIP/2.0\r\n"
                       "v: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK1\r\n"
                       "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK0\r\n"
                       "i: broken@127.0.0.1\r\n"
                       "f: <<<garbage\r\n"
                       "To: <sip:b@127.0.0.1>\r\n"
                       "CSeq: 7\r\n"
                       "  INVITE\r\n"
                       "Content-Length: 0\r\n\r\n";
    char *response;
    gsize length;

    (void)state;
    response = sip_request_build_rejection(text, strlen(text), "t4g", "rtcshim-test", &length);
    assert_non_null(response);
    assert_int_equal(length, strlen(response));
    assert_string_equal(response,
                        "SIP/2.0 400 Malformed From Header\r\n"
                        "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK1\r\n"
                        "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK0\r\n"
                        "Call-ID: broken@127.0.0.1\r\n"
                        "From: <<<garbage\r\n"
                        "To: <sip:b@127.0.0.1>;tag=t4g\r\n"
                        "CSeq: 7 INVITE\r\n"
                        "Server: rtcshim-test\r\n"
                        "Content-Length: 0\r\n\r\n");
    g_free(response);
}

static void test_rejection_limits(void **state)
{
    static const char *const nothing_to_say[] =
    {
        "ACK sip:b@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1\r\nf: <<<\r\n\r\n",    /* never answer ACK */
        "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1\r\n\r\n",                           /* a response */
        "OPTIONS sip:b@127.0.0.1 SIP/2.0\r\nFrom: <<<\r\n\r\n",                            /* nowhere to answer */
        "hello world",
        "",
        "\x01\x02\x03 \xff\xfe SIP/2.0\r\nVia: x\r\n\r\n",
    };
    const char *short_body = "MESSAGE sip:b@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bK3\r\n"
                             "Content-Type: text/plain\r\nContent-Length: 100\r\n\r\nhello";
    const char *bad_uri = "OPTIONS nonsense SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bK2\r\n"
                          "To: <sip:b@127.0.0.1>;tag=already\r\n\r\n";
    char *response;
    gsize length, i;

    (void)state;
    for (i = 0; i < G_N_ELEMENTS(nothing_to_say); i++)
        assert_null(sip_request_build_rejection(nothing_to_say[i], strlen(nothing_to_say[i]), "t", NULL, &length));

    /* With a Content-Type libosip2 itself refuses a short body. */
    response = sip_request_build_rejection(short_body, strlen(short_body), "t", NULL, &length);
    assert_non_null(response);
    assert_true(g_str_has_prefix(response, "SIP/2.0 400 Content-Length Exceeds Body\r\n"));
    g_free(response);

    response = sip_request_build_rejection(bad_uri, strlen(bad_uri), "t", NULL, &length);
    assert_non_null(response);
    assert_true(g_str_has_prefix(response, "SIP/2.0 400 Malformed Request-URI\r\n"));
    assert_non_null(strstr(response, "To: <sip:b@127.0.0.1>;tag=already\r\n"));   /* a tag is not doubled */
    g_free(response);
}

int main(void)
{
    const struct CMUnitTest tests[] =
    {
        cmocka_unit_test(test_verdicts),
        cmocka_unit_test(test_token_lists),
        cmocka_unit_test(test_rejection_of_unparseable),
        cmocka_unit_test(test_rejection_limits),
    };

    parser_init();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
