/*
 * Unit tests for Refer-To values and URI header escaping.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "sip/refer_to.h"
#include "replaces.h"

static void test_escape(void **state)
{
    GError *error = NULL;
    char *s;

    (void)state;
    s = sip_uri_header_escape("abc@h;to-tag=1;from-tag=2");
    assert_string_equal(s, "abc%40h%3Bto-tag%3D1%3Bfrom-tag%3D2");
    g_free(s);
    s = sip_uri_header_escape("a&b c%d\"<>,#\x7f\xc3\xa9");
    assert_string_equal(s, "a%26b%20c%25d%22%3C%3E%2C%23%7F%C3%A9");
    g_free(s);
    /* unreserved and hnv-unreserved stay */
    s = sip_uri_header_escape("AZaz09-_.!~*'()[]/?:+$");
    assert_string_equal(s, "AZaz09-_.!~*'()[]/?:+$");
    g_free(s);
    s = sip_uri_header_escape("");
    assert_string_equal(s, "");
    g_free(s);

    s = sip_uri_header_unescape("a%26b%20c%25d+e", &error);
    assert_null(error);
    assert_string_equal(s, "a&b c%d+e");
    g_free(s);
    assert_null(sip_uri_header_unescape("50%", &error));
    assert_true(g_error_matches(error, SIP_REFER_TO_ERROR, SIP_REFER_TO_ERROR_INVALID));
    g_clear_error(&error);
    assert_null(sip_uri_header_unescape("%G0", &error));
    g_clear_error(&error);
}

static void test_classify(void **state)
{
    (void)state;
    assert_int_equal(sip_uri_header_classify("Replaces"), SIP_URI_HEADER_COPY);
    assert_int_equal(sip_uri_header_classify("X-Custom"), SIP_URI_HEADER_COPY);
    assert_int_equal(sip_uri_header_classify("Require"), SIP_URI_HEADER_COPY);
    assert_int_equal(sip_uri_header_classify("Subject"), SIP_URI_HEADER_COPY);
    assert_int_equal(sip_uri_header_classify("call-id"), SIP_URI_HEADER_RESERVED);
    assert_int_equal(sip_uri_header_classify("i"), SIP_URI_HEADER_RESERVED);
    assert_int_equal(sip_uri_header_classify("ROUTE"), SIP_URI_HEADER_RESERVED);
    assert_int_equal(sip_uri_header_classify("Record-Route"), SIP_URI_HEADER_RESERVED);
    assert_int_equal(sip_uri_header_classify("Via"), SIP_URI_HEADER_RESERVED);
    assert_int_equal(sip_uri_header_classify("v"), SIP_URI_HEADER_RESERVED);
    assert_int_equal(sip_uri_header_classify("CSeq"), SIP_URI_HEADER_RESERVED);
    assert_int_equal(sip_uri_header_classify("From"), SIP_URI_HEADER_RESERVED);
    assert_int_equal(sip_uri_header_classify("t"), SIP_URI_HEADER_RESERVED);
    assert_int_equal(sip_uri_header_classify("Contact"), SIP_URI_HEADER_RESERVED);
    assert_int_equal(sip_uri_header_classify("Max-Forwards"), SIP_URI_HEADER_RESERVED);
    assert_int_equal(sip_uri_header_classify("Content-Length"), SIP_URI_HEADER_RESERVED);
    assert_int_equal(sip_uri_header_classify("c"), SIP_URI_HEADER_RESERVED);
    assert_int_equal(sip_uri_header_classify("User-Agent"), SIP_URI_HEADER_IGNORE);
    assert_int_equal(sip_uri_header_classify("Allow"), SIP_URI_HEADER_IGNORE);
    assert_int_equal(sip_uri_header_classify("body"), SIP_URI_HEADER_IGNORE);
    assert_int_equal(sip_uri_header_classify(NULL), SIP_URI_HEADER_IGNORE);
}

static void check_build(const char *uri, const char *expected)
{
    GError *error = NULL;
    char *value = sip_refer_to_build(uri, &error);

    assert_null(error);
    assert_string_equal(value, expected);
    g_free(value);
}

static void check_build_fails(const char *uri, enum sip_refer_to_error code)
{
    GError *error = NULL;

    assert_null(sip_refer_to_build(uri, &error));
    assert_true(g_error_matches(error, SIP_REFER_TO_ERROR, code));
    g_error_free(error);
}

static void test_build(void **state)
{
    (void)state;
    check_build("sip:bob@example.com", "<sip:bob@example.com>");
    check_build("  <sips:bob@example.com:5061;transport=tls>  ", "<sips:bob@example.com:5061;transport=tls>");
    check_build("tel:+1-555-0100", "<tel:+1-555-0100>");
    check_build("sip:[::1]:5070", "<sip:[::1]:5070>");
    check_build("sip:phone_number@domain.com?", "<sip:phone_number@domain.com>");
    /* raw and escaped header parts give the same value */
    check_build("sip:carol@c.example?Replaces=abc@h;to-tag=1;from-tag=2",
                "<sip:carol@c.example?Replaces=abc%40h%3Bto-tag%3D1%3Bfrom-tag%3D2>");
    check_build("sip:carol@c.example?Replaces=abc%40h%3Bto-tag%3D1%3Bfrom-tag%3D2",
                "<sip:carol@c.example?Replaces=abc%40h%3Bto-tag%3D1%3Bfrom-tag%3D2>");
    check_build("sip:phone_number@domain.com?myCustomHeader=value&X-Two=a b",
                "<sip:phone_number@domain.com?myCustomHeader=value&X-Two=a%20b>");
    check_build("sip:a@b?Subject=50%", "<sip:a@b?Subject=50%25>");

    check_build_fails(NULL, SIP_REFER_TO_ERROR_INVALID);
    check_build_fails("", SIP_REFER_TO_ERROR_INVALID);
    check_build_fails("bob", SIP_REFER_TO_ERROR_INVALID);
    check_build_fails("sip:", SIP_REFER_TO_ERROR_INVALID);
    check_build_fails("sip:bob@", SIP_REFER_TO_ERROR_INVALID);
    check_build_fails("sip:b ob@x", SIP_REFER_TO_ERROR_INVALID);
    check_build_fails("sip:bob@x>", SIP_REFER_TO_ERROR_INVALID);
    check_build_fails("http://example.com/", SIP_REFER_TO_ERROR_UNSUPPORTED_SCHEME);
    check_build_fails("mailto:bob@example.com", SIP_REFER_TO_ERROR_UNSUPPORTED_SCHEME);
    check_build_fails("tel:+15550100?X=1", SIP_REFER_TO_ERROR_INVALID);
    check_build_fails("sip:bob@x?Call-ID=evil", SIP_REFER_TO_ERROR_RESERVED_HEADER);
    check_build_fails("sip:bob@x?X-A=1&route=%3Csip:evil%3E", SIP_REFER_TO_ERROR_RESERVED_HEADER);
    check_build_fails("sip:bob@x?=novalue", SIP_REFER_TO_ERROR_INVALID);
    check_build_fails("sip:bob@x?Bad%20Name=1", SIP_REFER_TO_ERROR_INVALID);
}

static void test_build_with_replaces(void **state)
{
    char *replaces, *escaped, *uri, *value;

    (void)state;
    /* How the engine puts an attended transfer together. */
    replaces = sip_replaces_build("8a3f@192.0.2.1", "to1", "from1", FALSE);
    escaped = sip_replaces_escape(replaces);
    uri = g_strdup_printf("sip:carol@192.0.2.3:5062?Replaces=%s", escaped);
    value = sip_refer_to_build(uri, NULL);
    assert_string_equal(value, "<sip:carol@192.0.2.3:5062?Replaces=8a3f%40192.0.2.1%3Bto-tag%3Dto1%3Bfrom-tag%3Dfrom1>");
    g_free(value);
    g_free(uri);
    g_free(escaped);
    g_free(replaces);
}

static void check_target(const char *target, const char *domain, const char *expected)
{
    GError *error = NULL;
    char *uri = sip_refer_to_target_to_uri(target, domain, &error);

    assert_null(error);
    assert_string_equal(uri, expected);
    g_free(uri);
}

static void check_target_fails(const char *target, const char *domain, enum sip_refer_to_error code)
{
    GError *error = NULL;

    assert_null(sip_refer_to_target_to_uri(target, domain, &error));
    assert_true(g_error_matches(error, SIP_REFER_TO_ERROR, code));
    g_error_free(error);
}

static void test_target_to_uri(void **state)
{
    (void)state;
    check_target("1234", "pbx.example.com", "sip:1234@pbx.example.com");
    check_target("+4930123456", "pbx.example.com", "sip:+4930123456@pbx.example.com");
    check_target("+1 (555) 010-0100", "pbx.example.com", "sip:+15550100100@pbx.example.com");
    check_target("bob", "example.com:5080", "sip:bob@example.com:5080");
    check_target("bob@other.example", "example.com", "sip:bob@other.example");
    check_target("bob@other.example", NULL, "sip:bob@other.example");
    check_target("sip:alice@example.com;transport=tcp", NULL, "sip:alice@example.com;transport=tcp");
    check_target("SIPS:alice@example.com", "x", "SIPS:alice@example.com");
    check_target("<sip:alice@example.com?Replaces=a%40b%3Bto-tag%3D1%3Bfrom-tag%3D2>", NULL,
                 "sip:alice@example.com?Replaces=a%40b%3Bto-tag%3D1%3Bfrom-tag%3D2");
    check_target("tel:+1-555-0100", "gw.example.com", "sip:+15550100@gw.example.com;user=phone");
    check_target("tel:7042;phone-context=example.com", "gw.example.com",
                 "sip:7042;phone-context=example.com@gw.example.com;user=phone");
    check_target("tel:*67#1234", "gw", "sip:*67%231234@gw;user=phone");
    check_target("john doe", "example.com", "sip:john%20doe@example.com");

    check_target_fails(NULL, "example.com", SIP_REFER_TO_ERROR_INVALID);
    check_target_fails("", "example.com", SIP_REFER_TO_ERROR_INVALID);
    check_target_fails("   ", "example.com", SIP_REFER_TO_ERROR_INVALID);
    check_target_fails("1234", NULL, SIP_REFER_TO_ERROR_INVALID);
    check_target_fails("bob", "", SIP_REFER_TO_ERROR_INVALID);
    check_target_fails("@example.com", NULL, SIP_REFER_TO_ERROR_INVALID);
    check_target_fails("http://example.com", "example.com", SIP_REFER_TO_ERROR_UNSUPPORTED_SCHEME);
    check_target_fails("tel:", "example.com", SIP_REFER_TO_ERROR_INVALID);
    check_target_fails("tel:+", "example.com", SIP_REFER_TO_ERROR_INVALID);
    check_target_fails("tel:12x4", "example.com", SIP_REFER_TO_ERROR_INVALID);
    check_target_fails("sip:", NULL, SIP_REFER_TO_ERROR_INVALID);
    check_target_fails("sip:bob@x?Via=1", NULL, SIP_REFER_TO_ERROR_RESERVED_HEADER);
    check_target_fails("bob", "bad domain", SIP_REFER_TO_ERROR_INVALID);
}

static void test_parse(void **state)
{
    const struct sip_uri_header *header;
    struct sip_refer_to r;
    GError *error = NULL;

    (void)state;
    assert_true(sip_refer_to_parse("<sip:bob@example.com>", &r, &error));
    assert_null(error);
    assert_null(r.display_name);
    assert_string_equal(r.uri, "sip:bob@example.com");
    assert_int_equal(r.headers->len, 0);
    sip_refer_to_clear(&r);
    assert_null(r.uri);
    assert_null(r.headers);

    /* baresip: no angle brackets */
    assert_true(sip_refer_to_parse(" sip:bob@127.0.0.1:5070;transport=udp ", &r, &error));
    assert_string_equal(r.uri, "sip:bob@127.0.0.1:5070;transport=udp");
    sip_refer_to_clear(&r);

    assert_true(sip_refer_to_parse("\"Carol \\\"C\\\" <x>\" <sip:carol@c.example?Replaces=abc%40h%3Bto-tag%3D1%3Bfrom-tag%3D2&X-Foo=a%20b&Require=replaces>;x=y",
                                   &r, &error));
    assert_string_equal(r.display_name, "Carol \"C\" <x>");
    assert_string_equal(r.uri, "sip:carol@c.example");
    assert_int_equal(r.headers->len, 3);
    header = r.headers->pdata[0];
    assert_string_equal(header->name, "Replaces");
    assert_string_equal(header->value, "abc@h;to-tag=1;from-tag=2");
    header = r.headers->pdata[1];
    assert_string_equal(header->name, "X-Foo");
    assert_string_equal(header->value, "a b");
    assert_string_equal(sip_refer_to_get_header(&r, "replaces"), "abc@h;to-tag=1;from-tag=2");
    assert_string_equal(sip_refer_to_get_header(&r, "require"), "replaces");
    assert_null(sip_refer_to_get_header(&r, "X-Bar"));
    assert_null(sip_refer_to_get_header(&r, NULL));
    sip_refer_to_clear(&r);

    assert_true(sip_refer_to_parse("Transfer Target <tel:+15550100>", &r, &error));
    assert_string_equal(r.display_name, "Transfer Target");
    assert_string_equal(r.uri, "tel:+15550100");
    sip_refer_to_clear(&r);

    /* A sloppy peer that did not escape Replaces, and a literal '%'. */
    assert_true(sip_refer_to_parse("<sip:carol@c.example?Replaces=abc@h;to-tag=1;from-tag=2&Subject=50%>", &r, &error));
    assert_string_equal(r.uri, "sip:carol@c.example");
    assert_string_equal(sip_refer_to_get_header(&r, "Replaces"), "abc@h;to-tag=1;from-tag=2");
    assert_string_equal(sip_refer_to_get_header(&r, "Subject"), "50%");
    sip_refer_to_clear(&r);

    /* Restcomm: empty header part; ignored headers are returned, not refused. */
    assert_true(sip_refer_to_parse("<sip:phone_number@domain.com?>", &r, &error));
    assert_int_equal(r.headers->len, 0);
    sip_refer_to_clear(&r);
    assert_true(sip_refer_to_parse("<sip:a@b?User-Agent=x&&X-Empty=>", &r, &error));
    assert_int_equal(r.headers->len, 2);
    assert_string_equal(sip_refer_to_get_header(&r, "X-Empty"), "");
    sip_refer_to_clear(&r);
    sip_refer_to_clear(NULL);
}

static void check_parse_fails(const char *value, enum sip_refer_to_error code, const char *message)
{
    struct sip_refer_to r;
    GError *error = NULL;

    assert_false(sip_refer_to_parse(value, &r, &error));
    assert_true(g_error_matches(error, SIP_REFER_TO_ERROR, code));
    if (message) assert_string_equal(error->message, message);
    assert_null(r.uri);
    assert_null(r.display_name);
    assert_null(r.headers);
    g_error_free(error);
}

static void test_parse_bad(void **state)
{
    (void)state;
    check_parse_fails(NULL, SIP_REFER_TO_ERROR_INVALID, NULL);
    check_parse_fails("", SIP_REFER_TO_ERROR_INVALID, "Malformed Refer-To");
    check_parse_fails("<>", SIP_REFER_TO_ERROR_INVALID, "Malformed Refer-To");
    check_parse_fails("<sip:bob@example.com", SIP_REFER_TO_ERROR_INVALID, "Malformed Refer-To");
    check_parse_fails("\"Bob <sip:bob@example.com>", SIP_REFER_TO_ERROR_INVALID, "Malformed Refer-To");
    check_parse_fails("\"Bob\" sip:bob@example.com", SIP_REFER_TO_ERROR_INVALID, "Malformed Refer-To");
    check_parse_fails("<sip:bob@example.com> junk", SIP_REFER_TO_ERROR_INVALID, "Malformed Refer-To");
    check_parse_fails("garbage", SIP_REFER_TO_ERROR_INVALID, "Malformed Refer-To URI");
    check_parse_fails("<sip:@>", SIP_REFER_TO_ERROR_INVALID, "Malformed Refer-To URI");
    check_parse_fails("<http://example.com/>", SIP_REFER_TO_ERROR_UNSUPPORTED_SCHEME,
                      "Unsupported URI scheme in Refer-To");
    check_parse_fails("<im:bob@example.com>", SIP_REFER_TO_ERROR_UNSUPPORTED_SCHEME, NULL);
    check_parse_fails("<sip:bob@example.com?Call-ID=1234@evil>", SIP_REFER_TO_ERROR_RESERVED_HEADER,
                      "Reserved header Call-ID in Refer-To");
    check_parse_fails("<sip:bob@example.com?X-A=1&Route=%3Csip:evil%3E>", SIP_REFER_TO_ERROR_RESERVED_HEADER,
                      "Reserved header Route in Refer-To");
    check_parse_fails("<sip:bob@example.com?i=1234>", SIP_REFER_TO_ERROR_RESERVED_HEADER,
                      "Reserved header i in Refer-To");
    check_parse_fails("<sip:bob@example.com?CSeq=1%20INVITE>", SIP_REFER_TO_ERROR_RESERVED_HEADER, NULL);
    check_parse_fails("<sip:bob@example.com?Via=x>", SIP_REFER_TO_ERROR_RESERVED_HEADER, NULL);
    check_parse_fails("<sip:bob@example.com?Contact=x>", SIP_REFER_TO_ERROR_RESERVED_HEADER, NULL);
    check_parse_fails("<sip:bob@example.com?Bad%0AName=x>", SIP_REFER_TO_ERROR_INVALID,
                      "Bad header name in Refer-To");
    check_parse_fails("<sip:bob@example.com?X=a%00b>", SIP_REFER_TO_ERROR_INVALID, NULL);
    check_parse_fails("<tel:+1555?X=1>", SIP_REFER_TO_ERROR_INVALID, NULL);
}

static void test_round_trip(void **state)
{
    struct sip_refer_to r;
    char *value, *again;

    (void)state;
    value = sip_refer_to_build("sip:carol@c.example;transport=tcp?Replaces=x@y;to-tag=a;from-tag=b&X-Note=hello world&X-Sym=a%26b", NULL);
    assert_string_equal(value, "<sip:carol@c.example;transport=tcp?Replaces=x%40y%3Bto-tag%3Da%3Bfrom-tag%3Db&X-Note=hello%20world&X-Sym=a%26b>");
    assert_true(sip_refer_to_parse(value, &r, NULL));
    assert_string_equal(r.uri, "sip:carol@c.example;transport=tcp");
    assert_string_equal(sip_refer_to_get_header(&r, "Replaces"), "x@y;to-tag=a;from-tag=b");
    assert_string_equal(sip_refer_to_get_header(&r, "X-Note"), "hello world");
    assert_string_equal(sip_refer_to_get_header(&r, "X-Sym"), "a&b");
    sip_refer_to_clear(&r);
    again = sip_refer_to_build(value, NULL);
    assert_string_equal(again, value);
    g_free(again);
    g_free(value);
}

int main(void)
{
    const struct CMUnitTest tests[] =
    {
        cmocka_unit_test(test_escape),
        cmocka_unit_test(test_classify),
        cmocka_unit_test(test_build),
        cmocka_unit_test(test_build_with_replaces),
        cmocka_unit_test(test_target_to_uri),
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_parse_bad),
        cmocka_unit_test(test_round_trip),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
