/*
 * Unit tests for Digest authentication, with the RFC 2617 and RFC 7616 vectors.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "digest.h"

/* RFC 2617 §3.5 */
#define RFC2617_CHALLENGE \
    "Digest realm=\"testrealm@host.com\", qop=\"auth,auth-int\", " \
    "nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", opaque=\"5ccc069c403ebaf9f0171e9517f40e41\""
#define RFC2617_NONCE "dcd98b7102dd2f0e8b11d0f600bfb0c093"

/* RFC 7616 §3.9.1 */
#define RFC7616_NONCE "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v"
#define RFC7616_CNONCE "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ"
#define RFC7616_OPAQUE "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"
#define RFC7616_CHALLENGE(alg) \
    "Digest\n realm=\"http-auth@example.org\",\n qop=\"auth, auth-int\",\n algorithm=" alg ",\n" \
    " nonce=\"" RFC7616_NONCE "\",\n opaque=\"" RFC7616_OPAQUE "\""

static void test_challenge_parse(void **state)
{
    struct sip_digest_challenge c;
    GError *error = NULL;

    (void)state;
    assert_true(sip_digest_challenge_parse(RFC2617_CHALLENGE, &c, &error));
    assert_null(error);
    assert_string_equal(c.realm, "testrealm@host.com");
    assert_string_equal(c.nonce, RFC2617_NONCE);
    assert_string_equal(c.opaque, "5ccc069c403ebaf9f0171e9517f40e41");
    assert_int_equal(c.algorithm, SIP_DIGEST_MD5);
    assert_true(c.qop_present);
    assert_true(c.qop_auth);
    assert_true(c.qop_auth_int);
    assert_false(c.stale);
    sip_digest_challenge_clear(&c);
    assert_null(c.realm);

    assert_true(sip_digest_challenge_parse(RFC7616_CHALLENGE("SHA-256"), &c, &error));
    assert_string_equal(c.realm, "http-auth@example.org");
    assert_string_equal(c.nonce, RFC7616_NONCE);
    assert_string_equal(c.opaque, RFC7616_OPAQUE);
    assert_int_equal(c.algorithm, SIP_DIGEST_SHA256);
    assert_true(c.qop_auth);
    sip_digest_challenge_clear(&c);

    /* Kamailio / Asterisk style, case and spacing variations, unquoted values. */
    assert_true(sip_digest_challenge_parse("digest   REALM = \"rtcshim.test\" ,NONCE=\"a\\\"b\",algorithm=md5-SESS,"
                                           "stale=true,qop=auth,domain=\"sip:rtcshim.test\",,", &c, &error));
    assert_string_equal(c.realm, "rtcshim.test");
    assert_string_equal(c.nonce, "a\"b");
    assert_null(c.opaque);
    assert_int_equal(c.algorithm, SIP_DIGEST_MD5_SESS);
    assert_true(c.stale);
    assert_true(c.qop_auth);
    assert_false(c.qop_auth_int);
    sip_digest_challenge_clear(&c);

    assert_true(sip_digest_challenge_parse("Digest realm=\"r\", nonce=\"n\", algorithm=SHA-256-sess", &c, &error));
    assert_int_equal(c.algorithm, SIP_DIGEST_SHA256_SESS);
    assert_false(c.qop_present);
    assert_false(c.qop_auth);
    sip_digest_challenge_clear(&c);

    assert_true(sip_digest_challenge_parse("Digest realm=\"\", nonce=abc/def=", &c, &error));
    assert_string_equal(c.realm, "");
    assert_string_equal(c.nonce, "abc/def=");
    sip_digest_challenge_clear(&c);
}

static void check_challenge_fails(const char *value, enum sip_digest_error code)
{
    struct sip_digest_challenge c;
    GError *error = NULL;

    assert_false(sip_digest_challenge_parse(value, &c, &error));
    assert_true(g_error_matches(error, SIP_DIGEST_ERROR, code));
    assert_null(c.realm);
    assert_null(c.nonce);
    g_error_free(error);
}

static void test_challenge_bad(void **state)
{
    (void)state;
    check_challenge_fails(NULL, SIP_DIGEST_ERROR_INVALID);
    check_challenge_fails("", SIP_DIGEST_ERROR_UNSUPPORTED);
    check_challenge_fails("Basic realm=\"x\"", SIP_DIGEST_ERROR_UNSUPPORTED);
    check_challenge_fails("Digestive realm=\"x\", nonce=\"y\"", SIP_DIGEST_ERROR_UNSUPPORTED);
    check_challenge_fails("Digest realm=\"x\", nonce=\"y\", algorithm=SHA-512-256", SIP_DIGEST_ERROR_UNSUPPORTED);
    check_challenge_fails("Digest realm=\"x\", nonce=\"y\", algorithm=AKAv1-MD5", SIP_DIGEST_ERROR_UNSUPPORTED);
    check_challenge_fails("Digest", SIP_DIGEST_ERROR_INVALID);
    check_challenge_fails("Digest realm=\"x\"", SIP_DIGEST_ERROR_INVALID);
    check_challenge_fails("Digest nonce=\"y\"", SIP_DIGEST_ERROR_INVALID);
    check_challenge_fails("Digest realm=\"x\", nonce=\"\"", SIP_DIGEST_ERROR_INVALID);
    check_challenge_fails("Digest realm=\"x, nonce=\"y\"", SIP_DIGEST_ERROR_INVALID);
    check_challenge_fails("Digest realm=\"x\" nonce=\"y\"", SIP_DIGEST_ERROR_INVALID);
    check_challenge_fails("Digest realm", SIP_DIGEST_ERROR_INVALID);
    check_challenge_fails("Digest =\"x\"", SIP_DIGEST_ERROR_INVALID);
    check_challenge_fails("Digest realm=\"x\", nonce=\"y\"z", SIP_DIGEST_ERROR_INVALID);
}

static void check_response(enum sip_digest_algorithm algorithm, const char *username, const char *realm,
                           const char *password, const char *method, const char *uri, const char *nonce,
                           const char *qop, const char *nc, const char *cnonce, const char *expected)
{
    char *response = sip_digest_compute_response(algorithm, username, realm, password, method, uri,
                                                 nonce, qop, nc, cnonce);

    assert_string_equal(response, expected);
    g_free(response);
}

static void test_compute_response(void **state)
{
    (void)state;
    /* RFC 2617 §3.5 */
    check_response(SIP_DIGEST_MD5, "Mufasa", "testrealm@host.com", "Circle Of Life", "GET", "/dir/index.html",
                   RFC2617_NONCE, "auth", "00000001", "0a4f113b", "6629fae49393a05397450978507c4ef1");
    /* RFC 7616 §3.9.1, MD5 and SHA-256 */
    check_response(SIP_DIGEST_MD5, "Mufasa", "http-auth@example.org", "Circle of Life", "GET", "/dir/index.html",
                   RFC7616_NONCE, "auth", "00000001", RFC7616_CNONCE, "8ca523f5e9506fed4657c9700eebdbec");
    check_response(SIP_DIGEST_SHA256, "Mufasa", "http-auth@example.org", "Circle of Life", "GET", "/dir/index.html",
                   RFC7616_NONCE, "auth", "00000001", RFC7616_CNONCE,
                   "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1");
    /* No qop (RFC 2069 style), and the -sess variants (values cross-checked with Python's hashlib). */
    check_response(SIP_DIGEST_MD5, "Mufasa", "testrealm@host.com", "Circle Of Life", "GET", "/dir/index.html",
                   RFC2617_NONCE, NULL, NULL, NULL, "670fd8c2df070c60b045671b8b24ff02");
    check_response(SIP_DIGEST_MD5_SESS, "Mufasa", "testrealm@host.com", "Circle Of Life", "GET", "/dir/index.html",
                   RFC2617_NONCE, "auth", "00000001", "0a4f113b", "8e3825c57e897f5a0dec6c2d4e5059d0");
    check_response(SIP_DIGEST_SHA256_SESS, "Mufasa", "http-auth@example.org", "Circle of Life", "GET",
                   "/dir/index.html", RFC7616_NONCE, "auth", "00000001", RFC7616_CNONCE,
                   "2fd51b3a77ad75bad6afad6003e818d767133c46d9e2749e7f5232ae1ea3efd7");

    /* Missing input */
    assert_null(sip_digest_compute_response(SIP_DIGEST_MD5, NULL, "r", "p", "GET", "/", "n", NULL, NULL, NULL));
    assert_null(sip_digest_compute_response(SIP_DIGEST_MD5, "u", "r", "p", "GET", "/", "n", "auth", NULL, "c"));
    assert_null(sip_digest_compute_response(SIP_DIGEST_MD5, "u", "r", "p", "GET", "/", "n", "auth", "00000001", NULL));
    assert_null(sip_digest_compute_response(SIP_DIGEST_MD5, "u", "r", "p", "GET", "/", "n", "auth-int", "00000001", "c"));
    assert_null(sip_digest_compute_response(SIP_DIGEST_MD5_SESS, "u", "r", "p", "GET", "/", "n", NULL, NULL, NULL));
    assert_null(sip_digest_compute_response(42, "u", "r", "p", "GET", "/", "n", NULL, NULL, NULL));
}

static void test_build_authorization(void **state)
{
    struct sip_digest_challenge c;
    GError *error = NULL;
    char *value;

    (void)state;
    assert_true(sip_digest_challenge_parse(RFC2617_CHALLENGE, &c, NULL));
    value = sip_digest_build_authorization(&c, "Mufasa", "Circle Of Life", "GET", "/dir/index.html", 1,
                                           "0a4f113b", &error);
    assert_null(error);
    assert_string_equal(value,
        "Digest username=\"Mufasa\", realm=\"testrealm@host.com\", nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", "
        "uri=\"/dir/index.html\", response=\"6629fae49393a05397450978507c4ef1\", algorithm=MD5, "
        "cnonce=\"0a4f113b\", opaque=\"5ccc069c403ebaf9f0171e9517f40e41\", qop=auth, nc=00000001");
    assert_true(sip_digest_verify(value, "Circle Of Life", "GET", NULL));
    g_free(value);
    sip_digest_challenge_clear(&c);

    assert_true(sip_digest_challenge_parse(RFC7616_CHALLENGE("SHA-256"), &c, NULL));
    value = sip_digest_build_authorization(&c, "Mufasa", "Circle of Life", "GET", "/dir/index.html", 1,
                                           RFC7616_CNONCE, &error);
    assert_string_equal(value,
        "Digest username=\"Mufasa\", realm=\"http-auth@example.org\", nonce=\"" RFC7616_NONCE "\", "
        "uri=\"/dir/index.html\", response=\"753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1\", "
        "algorithm=SHA-256, cnonce=\"" RFC7616_CNONCE "\", opaque=\"" RFC7616_OPAQUE "\", qop=auth, nc=00000001");
    g_free(value);
    sip_digest_challenge_clear(&c);

    assert_true(sip_digest_challenge_parse(RFC7616_CHALLENGE("MD5"), &c, NULL));
    value = sip_digest_build_authorization(&c, "Mufasa", "Circle of Life", "GET", "/dir/index.html", 1,
                                           RFC7616_CNONCE, &error);
    assert_non_null(strstr(value, "response=\"8ca523f5e9506fed4657c9700eebdbec\", algorithm=MD5,"));
    g_free(value);
    sip_digest_challenge_clear(&c);

    /* A SIP REGISTER without qop; nc counts in hex. */
    assert_true(sip_digest_challenge_parse("Digest realm=\"rtcshim.test\", nonce=\"abc123\"", &c, NULL));
    value = sip_digest_build_authorization(&c, "alice", "secret", "REGISTER", "sip:rtcshim.test", 1, NULL, &error);
    assert_string_equal(value,
        "Digest username=\"alice\", realm=\"rtcshim.test\", nonce=\"abc123\", uri=\"sip:rtcshim.test\", "
        "response=\"d9978b0e6bc27027fa1756c0eabe2df7\", algorithm=MD5");
    g_free(value);
    c.qop_present = c.qop_auth = TRUE;
    value = sip_digest_build_authorization(&c, "al\"ice", "secret", "REGISTER", "sip:rtcshim.test", 26, "c", &error);
    assert_non_null(strstr(value, "username=\"al\\\"ice\""));
    assert_non_null(strstr(value, ", qop=auth, nc=0000001a"));
    assert_true(sip_digest_verify(value, "secret", "REGISTER", NULL));
    g_free(value);

    /* A random cnonce when none is given. */
    value = sip_digest_build_authorization(&c, "alice", "secret", "REGISTER", "sip:rtcshim.test", 1, NULL, &error);
    assert_non_null(strstr(value, "cnonce=\""));
    assert_true(sip_digest_verify(value, "secret", "REGISTER", NULL));
    assert_false(sip_digest_verify(value, "Secret", "REGISTER", NULL));
    g_free(value);

    /* Only auth-int on offer */
    c.qop_auth = FALSE;
    c.qop_auth_int = TRUE;
    assert_null(sip_digest_build_authorization(&c, "alice", "secret", "REGISTER", "sip:x", 1, NULL, &error));
    assert_true(g_error_matches(error, SIP_DIGEST_ERROR, SIP_DIGEST_ERROR_UNSUPPORTED));
    g_clear_error(&error);
    assert_null(sip_digest_build_authorization(&c, NULL, "secret", "REGISTER", "sip:x", 1, NULL, &error));
    assert_true(g_error_matches(error, SIP_DIGEST_ERROR, SIP_DIGEST_ERROR_INVALID));
    g_clear_error(&error);
    assert_null(sip_digest_build_authorization(NULL, "a", "secret", "REGISTER", "sip:x", 1, NULL, &error));
    g_clear_error(&error);
    sip_digest_challenge_clear(&c);
}

static void test_challenge_build(void **state)
{
    struct sip_digest_challenge c;
    char *value;

    (void)state;
    value = sip_digest_challenge_build("rtcshim.test", "n1", NULL, SIP_DIGEST_MD5, TRUE, FALSE);
    assert_string_equal(value, "Digest realm=\"rtcshim.test\", nonce=\"n1\", algorithm=MD5, qop=\"auth\"");
    g_free(value);
    value = sip_digest_challenge_build("r", "n", "o", SIP_DIGEST_SHA256, FALSE, TRUE);
    assert_string_equal(value, "Digest realm=\"r\", nonce=\"n\", opaque=\"o\", algorithm=SHA-256, stale=TRUE");
    assert_true(sip_digest_challenge_parse(value, &c, NULL));
    assert_string_equal(c.opaque, "o");
    assert_int_equal(c.algorithm, SIP_DIGEST_SHA256);
    assert_true(c.stale);
    sip_digest_challenge_clear(&c);
    g_free(value);
    assert_null(sip_digest_challenge_build(NULL, "n", NULL, SIP_DIGEST_MD5, FALSE, FALSE));
    assert_null(sip_digest_challenge_build("r", "n", NULL, 7, FALSE, FALSE));

    assert_string_equal(sip_digest_algorithm_name(SIP_DIGEST_MD5_SESS), "MD5-sess");
    assert_string_equal(sip_digest_algorithm_name(SIP_DIGEST_SHA256_SESS), "SHA-256-sess");
    assert_null(sip_digest_algorithm_name(4));
}

static void test_verify(void **state)
{
    /* RFC 2617 §3.5: the client's header, as printed there. */
    static const char rfc2617[] =
        "Digest username=\"Mufasa\",\n realm=\"testrealm@host.com\",\n nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\",\n"
        " uri=\"/dir/index.html\",\n qop=auth,\n nc=00000001,\n cnonce=\"0a4f113b\",\n"
        " response=\"6629fae49393a05397450978507c4ef1\",\n opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"";
    /* RFC 7616 §3.9.1, SHA-256 */
    static const char rfc7616[] =
        "Digest username=\"Mufasa\", realm=\"http-auth@example.org\", uri=\"/dir/index.html\", algorithm=SHA-256, "
        "nonce=\"" RFC7616_NONCE "\", nc=00000001, cnonce=\"" RFC7616_CNONCE "\", qop=auth, "
        "response=\"753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1\", opaque=\"" RFC7616_OPAQUE "\"";
    struct sip_digest_credentials cred;
    GError *error = NULL;
    char *upper;

    (void)state;
    assert_true(sip_digest_credentials_parse(rfc2617, &cred, &error));
    assert_null(error);
    assert_string_equal(cred.username, "Mufasa");
    assert_string_equal(cred.realm, "testrealm@host.com");
    assert_string_equal(cred.uri, "/dir/index.html");
    assert_string_equal(cred.qop, "auth");
    assert_string_equal(cred.nc, "00000001");
    assert_string_equal(cred.cnonce, "0a4f113b");
    assert_string_equal(cred.opaque, "5ccc069c403ebaf9f0171e9517f40e41");
    assert_int_equal(cred.algorithm, SIP_DIGEST_MD5);
    assert_true(sip_digest_credentials_verify(&cred, "Circle Of Life", "GET"));
    assert_false(sip_digest_credentials_verify(&cred, "Circle of Life", "GET"));
    assert_false(sip_digest_credentials_verify(&cred, "Circle Of Life", "POST"));
    assert_false(sip_digest_credentials_verify(&cred, NULL, "GET"));
    sip_digest_credentials_clear(&cred);
    assert_null(cred.username);

    assert_true(sip_digest_verify(rfc2617, "Circle Of Life", "GET", &error));
    assert_true(sip_digest_verify(rfc7616, "Circle of Life", "GET", &error));
    assert_false(sip_digest_verify(rfc7616, "Circle Of Life", "GET", &error));
    assert_null(error);

    /* Hex case does not matter. */
    upper = g_strdup(rfc2617);
    memcpy(strstr(upper, "6629fae4"), "6629FAE4", 8);
    assert_true(sip_digest_verify(upper, "Circle Of Life", "GET", NULL));
    /* A changed nc or uri breaks it. */
    memcpy(strstr(upper, "nc=00000001"), "nc=00000002", 11);
    assert_false(sip_digest_verify(upper, "Circle Of Life", "GET", NULL));
    g_free(upper);

    /* Truncated response */
    assert_false(sip_digest_verify("Digest username=\"Mufasa\", realm=\"testrealm@host.com\", "
                                   "nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", uri=\"/dir/index.html\", "
                                   "qop=auth, nc=00000001, cnonce=\"0a4f113b\", response=\"6629fae4\"",
                                   "Circle Of Life", "GET", &error));
    assert_null(error);

    /* Malformed headers are errors, not crashes. */
    assert_false(sip_digest_verify(NULL, "p", "GET", &error));
    g_clear_error(&error);
    assert_false(sip_digest_verify("Digest username=\"u\"", "p", "GET", &error));
    assert_true(g_error_matches(error, SIP_DIGEST_ERROR, SIP_DIGEST_ERROR_INVALID));
    g_clear_error(&error);
    assert_false(sip_digest_verify("Digest username=\"u\", realm=\"r\", nonce=\"n\", uri=\"/\", response=\"x\", qop=auth",
                                   "p", "GET", &error));
    assert_true(g_error_matches(error, SIP_DIGEST_ERROR, SIP_DIGEST_ERROR_INVALID));
    g_clear_error(&error);
    assert_false(sip_digest_verify("Digest username=\"u\", realm=\"r\", nonce=\"n\", uri=\"/\", response=\"x\", algorithm=XYZ",
                                   "p", "GET", &error));
    assert_true(g_error_matches(error, SIP_DIGEST_ERROR, SIP_DIGEST_ERROR_UNSUPPORTED));
    g_clear_error(&error);
    assert_false(sip_digest_verify("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==", "p", "GET", &error));
    assert_true(g_error_matches(error, SIP_DIGEST_ERROR, SIP_DIGEST_ERROR_UNSUPPORTED));
    g_clear_error(&error);
    /* auth-int parses but does not verify */
    assert_false(sip_digest_verify("Digest username=\"u\", realm=\"r\", nonce=\"n\", uri=\"/\", response=\"x\", "
                                   "qop=auth-int, nc=00000001, cnonce=\"c\"", "p", "GET", &error));
    assert_null(error);
    sip_digest_credentials_clear(NULL);
    sip_digest_challenge_clear(NULL);
}

static void test_random_nonce(void **state)
{
    char *a, *b;
    const char *p;

    (void)state;
    a = sip_digest_random_nonce();
    b = sip_digest_random_nonce();
    assert_int_equal(strlen(a), 32);
    for (p = a; *p; p++) assert_true(g_ascii_isxdigit(*p) && !g_ascii_isupper(*p));
    assert_string_not_equal(a, b);
    g_free(a);
    g_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] =
    {
        cmocka_unit_test(test_challenge_parse),
        cmocka_unit_test(test_challenge_bad),
        cmocka_unit_test(test_compute_response),
        cmocka_unit_test(test_build_authorization),
        cmocka_unit_test(test_challenge_build),
        cmocka_unit_test(test_verify),
        cmocka_unit_test(test_random_nonce),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
