/*
 * Unit tests for the Replaces header (RFC 3891).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "replaces.h"
#include "sip/sip_engine.h"

static void test_build(void **state)
{
    char *v;

    (void)state;
    v = sip_replaces_build("425928@bobster.example.org", "7743", "6472", FALSE);
    assert_string_equal(v, "425928@bobster.example.org;to-tag=7743;from-tag=6472");
    g_free(v);
    v = sip_replaces_build("abc", "1", "2", TRUE);
    assert_string_equal(v, "abc;to-tag=1;from-tag=2;early-only");
    g_free(v);

    assert_null(sip_replaces_build(NULL, "1", "2", FALSE));
    assert_null(sip_replaces_build("abc", NULL, "2", FALSE));
    assert_null(sip_replaces_build("abc", "1", NULL, FALSE));
    assert_null(sip_replaces_build("", "1", "2", FALSE));
    assert_null(sip_replaces_build("abc", "", "2", FALSE));
    assert_null(sip_replaces_build("a;b", "1", "2", FALSE));
    assert_null(sip_replaces_build("abc", "1\r\n", "2", FALSE));
    assert_null(sip_replaces_build("abc", "1", "2=3", FALSE));
    assert_null(sip_replaces_build("a b", "1", "2", FALSE));
}

static void check_parse(const char *value, const char *call_id, const char *to_tag,
                        const char *from_tag, gboolean early_only)
{
    struct sip_replaces r;
    GError *error = NULL;

    assert_true(sip_replaces_parse(value, &r, &error));
    assert_null(error);
    assert_string_equal(r.call_id, call_id);
    assert_string_equal(r.to_tag, to_tag);
    assert_string_equal(r.from_tag, from_tag);
    assert_int_equal(r.early_only, early_only);
    sip_replaces_clear(&r);
    assert_null(r.call_id);
    assert_null(r.to_tag);
    assert_null(r.from_tag);
}

static void test_parse(void **state)
{
    (void)state;
    /* RFC 3891 §6.1 example */
    check_parse("98732@sip.example.com;from-tag=r33th4x0r;to-tag=ff87ff",
                "98732@sip.example.com", "ff87ff", "r33th4x0r", FALSE);
    check_parse("12345600@atlanta.example.com;from-tag=1234567;to-tag=12345678",
                "12345600@atlanta.example.com", "12345678", "1234567", FALSE);
    check_parse("abc;to-tag=1;from-tag=2", "abc", "1", "2", FALSE);
    check_parse("abc;early-only;from-tag=2;to-tag=1", "abc", "1", "2", TRUE);
    check_parse("  abc@host ; TO-TAG = 1 ; From-Tag=2 ; x-ext=9 ; Early-Only ", "abc@host", "1", "2", TRUE);
    check_parse("a:b@[::1];to-tag=t;from-tag=f", "a:b@[::1]", "t", "f", FALSE);
}

static void check_parse_fails(const char *value)
{
    struct sip_replaces r;
    GError *error = NULL;

    assert_false(sip_replaces_parse(value, &r, &error));
    assert_true(g_error_matches(error, SIP_REPLACES_ERROR, SIP_REPLACES_ERROR_INVALID));
    assert_null(r.call_id);
    assert_null(r.to_tag);
    assert_null(r.from_tag);
    g_error_free(error);
}

static void test_parse_bad(void **state)
{
    (void)state;
    check_parse_fails(NULL);
    check_parse_fails("");
    check_parse_fails(";to-tag=1;from-tag=2");
    check_parse_fails("abc");
    check_parse_fails("abc;to-tag=1");
    check_parse_fails("abc;from-tag=2");
    check_parse_fails("abc;to-tag=;from-tag=2");
    check_parse_fails("abc;to-tag;from-tag=2");
    check_parse_fails("abc;to-tag=1;from-tag=2;to-tag=3");
    check_parse_fails("abc;to-tag=1;from-tag=2;from-tag=2");
    check_parse_fails("a b;to-tag=1;from-tag=2");
    check_parse_fails("abc;to-tag=1 2;from-tag=2");
}

static void test_escape(void **state)
{
    char *e, *u, *v;
    GError *error = NULL;

    (void)state;
    v = sip_replaces_build("12345600@atlanta.example.com", "12345678", "1234567", FALSE);
    e = sip_replaces_escape(v);
    assert_string_equal(e, "12345600%40atlanta.example.com%3Bto-tag%3D12345678%3Bfrom-tag%3D1234567");
    u = sip_replaces_unescape(e, &error);
    assert_null(error);
    assert_string_equal(u, v);
    g_free(u);
    g_free(e);
    g_free(v);

    /* Call-ID characters that need escaping, and ones that do not. */
    e = sip_replaces_escape("a%b c\"d<e>f&g?h/i:j+k$l[m]n(o)p'q~r*s!t_u-v.w;to-tag=1;from-tag=2;early-only");
    assert_string_equal(e, "a%25b%20c%22d%3Ce%3Ef%26g?h/i:j+k$l[m]n(o)p'q~r*s!t_u-v.w%3Bto-tag%3D1%3Bfrom-tag%3D2%3Bearly-only");
    u = sip_replaces_unescape(e, &error);
    assert_string_equal(u, "a%b c\"d<e>f&g?h/i:j+k$l[m]n(o)p'q~r*s!t_u-v.w;to-tag=1;from-tag=2;early-only");
    g_free(u);
    g_free(e);

    /* Lower-case hex and unescaped parts are fine on input. */
    u = sip_replaces_unescape("abc%40h%3bto-tag%3d1;from-tag=2", &error);
    assert_null(error);
    assert_string_equal(u, "abc@h;to-tag=1;from-tag=2");
    g_free(u);

    assert_null(sip_replaces_unescape("abc%4", &error));
    assert_true(g_error_matches(error, SIP_REPLACES_ERROR, SIP_REPLACES_ERROR_INVALID));
    g_clear_error(&error);
    assert_null(sip_replaces_unescape("abc%zz", &error));
    assert_true(g_error_matches(error, SIP_REPLACES_ERROR, SIP_REPLACES_ERROR_INVALID));
    g_clear_error(&error);
    assert_null(sip_replaces_unescape("abc%00def", &error));
    assert_true(g_error_matches(error, SIP_REPLACES_ERROR, SIP_REPLACES_ERROR_INVALID));
    g_clear_error(&error);
    assert_null(sip_replaces_unescape(NULL, &error));
    g_clear_error(&error);
    assert_null(sip_replaces_escape(NULL));
}

static void test_match(void **state)
{
    struct sip_replaces r;

    (void)state;
    assert_true(sip_replaces_parse("call-1@host;to-tag=local;from-tag=remote", &r, NULL));

    /* confirmed dialog, either role */
    assert_int_equal(sip_replaces_match(&r, "call-1@host", "local", "remote", TRUE, TRUE), SIP_REPLACES_MATCH);
    assert_int_equal(sip_replaces_match(&r, "call-1@host", "local", "remote", TRUE, FALSE), SIP_REPLACES_MATCH);
    /* the to-tag is the recipient's local tag, not the dialog's To tag */
    assert_int_equal(sip_replaces_match(&r, "call-1@host", "remote", "local", TRUE, TRUE), SIP_REPLACES_NO_MATCH);
    assert_int_equal(sip_replaces_match(&r, "call-2@host", "local", "remote", TRUE, TRUE), SIP_REPLACES_NO_MATCH);
    assert_int_equal(sip_replaces_match(&r, "CALL-1@host", "local", "remote", TRUE, TRUE), SIP_REPLACES_NO_MATCH);
    assert_int_equal(sip_replaces_match(&r, "call-1@host", "Local", "remote", TRUE, TRUE), SIP_REPLACES_NO_MATCH);
    assert_int_equal(sip_replaces_match(&r, "call-1@host", "local", NULL, FALSE, TRUE), SIP_REPLACES_NO_MATCH);
    assert_int_equal(sip_replaces_match(&r, NULL, NULL, NULL, FALSE, TRUE), SIP_REPLACES_NO_MATCH);
    assert_int_equal(sip_replaces_match(NULL, "call-1@host", "local", "remote", TRUE, TRUE), SIP_REPLACES_NO_MATCH);

    /* early dialog: only one we initiated (semi-attended transfer while ringing) */
    assert_int_equal(sip_replaces_match(&r, "call-1@host", "local", "remote", FALSE, TRUE), SIP_REPLACES_MATCH);
    assert_int_equal(sip_replaces_match(&r, "call-1@host", "local", "remote", FALSE, FALSE),
                     SIP_REPLACES_EARLY_NOT_ALLOWED);
    sip_replaces_clear(&r);

    /* early-only */
    assert_true(sip_replaces_parse("call-1@host;to-tag=local;from-tag=remote;early-only", &r, NULL));
    assert_int_equal(sip_replaces_match(&r, "call-1@host", "local", "remote", TRUE, TRUE), SIP_REPLACES_EARLY_ONLY);
    assert_int_equal(sip_replaces_match(&r, "call-1@host", "local", "remote", FALSE, TRUE), SIP_REPLACES_MATCH);
    sip_replaces_clear(&r);

    assert_int_equal(sip_replaces_match_status(SIP_REPLACES_MATCH), 0);
    assert_int_equal(sip_replaces_match_status(SIP_REPLACES_NO_MATCH), 481);
    assert_int_equal(sip_replaces_match_status(SIP_REPLACES_EARLY_NOT_ALLOWED), 481);
    assert_int_equal(sip_replaces_match_status(SIP_REPLACES_EARLY_ONLY), 486);
}

static void test_round_trip(void **state)
{
    struct sip_replaces r;
    char *v, *e, *u;

    (void)state;
    v = sip_replaces_build("f81d4fae-7dec-11d0-a765-00a0c91e6bf6@192.0.2.4", "as7ab2", "x9k", TRUE);
    e = sip_replaces_escape(v);
    u = sip_replaces_unescape(e, NULL);
    assert_true(sip_replaces_parse(u, &r, NULL));
    assert_string_equal(r.call_id, "f81d4fae-7dec-11d0-a765-00a0c91e6bf6@192.0.2.4");
    assert_string_equal(r.to_tag, "as7ab2");
    assert_string_equal(r.from_tag, "x9k");
    assert_true(r.early_only);
    sip_replaces_clear(&r);
    g_free(u);
    g_free(e);
    g_free(v);
}

/* Parties (Replaces authorization: the port is not compared) and addresses (an IM
 * session's peer: the port is) compare scheme, user and host; parameters never count. */
static void test_same_party_and_address(void **state)
{
    (void)state;
    assert_true(sip_replaces_same_party("<sip:alice@Example.COM:5070>;tag=1", "sip:alice@example.com:5999"));
    assert_false(sip_replaces_same_party("sip:alice@example.com", "sip:Alice@example.com"));
    assert_false(sip_replaces_same_party("sip:alice@example.com", "sips:alice@example.com"));

    assert_true(sip_uri_same_address("sip:bob@127.0.0.1:44564;transport=tcp", "sip:bob@127.0.0.1:44564"));
    assert_true(sip_uri_same_address("\"Bob\" <sip:bob@Host.example;transport=tcp>;tag=x", "sip:bob@host.example:5060"));
    assert_true(sip_uri_same_address("sips:bob@host.example", "sips:bob@host.example:5061;maddr=192.0.2.1"));
    assert_true(sip_uri_same_address("sip:%62ob@host.example", "sip:bob@host.example"));
    assert_false(sip_uri_same_address("sip:bob@127.0.0.1:44564", "sip:bob@127.0.0.1:44565"));
    assert_false(sip_uri_same_address("sip:bob@host.example", "sip:BOB@host.example"));
    assert_false(sip_uri_same_address("sip:bob@host.example", "sips:bob@host.example"));
    assert_false(sip_uri_same_address("sip:bob@host.example", "sip:bob@other.example"));
    assert_false(sip_uri_same_address("tel:+15550100", "tel:+15550100"));      /* not SIP: the caller decides */
    assert_false(sip_uri_same_address(NULL, "sip:bob@host.example"));
    assert_false(sip_uri_same_address("sip:bob@host.example", "not a uri"));
}

int main(void)
{
    const struct CMUnitTest tests[] =
    {
        cmocka_unit_test(test_build),
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_parse_bad),
        cmocka_unit_test(test_escape),
        cmocka_unit_test(test_match),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_same_party_and_address),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
