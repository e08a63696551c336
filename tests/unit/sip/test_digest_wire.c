/*
 * Answering digest challenges on the wire: of several challenges in one
 * 401/407, one answer per realm, to the topmost one we support (RFC 8760 §2.4). One engine against a scripted peer (wire_peer.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "sip/sip_register.h"
#include "wire_peer.h"

/* ---- one answer per realm ------------------------------------------------------------------------- */

static const char *challenge_and_retry(struct wire *wire, const char *challenges)
{
    guint from = wire->sent->len;
    const char *request;

    g_assert(sip_engine_send_message(wire->engine, "<sip:alice@127.0.0.1>", "sip:carol@127.0.0.1:5070", "text/plain",
                                     "hi", 2, NULL));
    wire_run(wire);
    request = wire_find(wire, from, "MESSAGE ");
    assert_non_null(request);
    from = wire->sent->len;
    wire_respond(wire, request, 401, "Unauthorized", "c1", challenges);
    return wire_find(wire, from, "MESSAGE ");
}

static guint count_lines(const char *message, const char *prefix)
{
    const char *p = message;
    guint count = 0;

    while ((p = strstr(p, prefix)))
    {
        count++;
        p += strlen(prefix);
    }
    return count;
}

static void test_digest_topmost_per_realm(void **state)
{
    struct wire wire;
    const char *retry;

    (void)state;
    /* RFC 8760 §2.4: the server lists its preference first; we answer that one, once. */
    wire_start(&wire);
    sip_engine_set_credentials(wire.engine, NULL, "alice", "secret");
    retry = challenge_and_retry(&wire,
                                "WWW-Authenticate: Digest realm=\"r1\", nonce=\"n1\", algorithm=SHA-256, qop=\"auth\"\r\n"
                                "WWW-Authenticate: Digest realm=\"r1\", nonce=\"n2\", algorithm=MD5, qop=\"auth\"\r\n");
    assert_non_null(retry);
    assert_int_equal(count_lines(retry, "\r\nAuthorization: "), 1);
    assert_non_null(strstr(retry, "algorithm=SHA-256"));
    assert_null(strstr(retry, "algorithm=MD5"));
    wire_stop(&wire);

    /* The topmost one we support: an unknown algorithm above it is passed over. */
    wire_start(&wire);
    sip_engine_set_credentials(wire.engine, NULL, "alice", "secret");
    retry = challenge_and_retry(&wire,
                                "WWW-Authenticate: Digest realm=\"r1\", nonce=\"n0\", algorithm=SHA-512-256, qop=\"auth\"\r\n"
                                "WWW-Authenticate: Digest realm=\"r1\", nonce=\"n1\", algorithm=MD5, qop=\"auth\"\r\n"
                                "WWW-Authenticate: Digest realm=\"r1\", nonce=\"n2\", algorithm=SHA-256, qop=\"auth\"\r\n");
    assert_non_null(retry);
    assert_int_equal(count_lines(retry, "\r\nAuthorization: "), 1);
    assert_non_null(strstr(retry, "algorithm=MD5"));
    wire_stop(&wire);

    /* One answer per realm. */
    wire_start(&wire);
    sip_engine_set_credentials(wire.engine, NULL, "alice", "secret");
    retry = challenge_and_retry(&wire,
                                "WWW-Authenticate: Digest realm=\"r1\", nonce=\"n1\", algorithm=SHA-256\r\n"
                                "WWW-Authenticate: Digest realm=\"r2\", nonce=\"n2\", algorithm=MD5\r\n"
                                "WWW-Authenticate: Digest realm=\"r1\", nonce=\"n3\", algorithm=MD5\r\n");
    assert_non_null(retry);
    assert_int_equal(count_lines(retry, "\r\nAuthorization: "), 2);
    assert_non_null(strstr(retry, "realm=\"r1\", nonce=\"n1\""));
    assert_non_null(strstr(retry, "realm=\"r2\", nonce=\"n2\""));
    assert_null(strstr(retry, "nonce=\"n3\""));
    wire_stop(&wire);
}

int main(void)
{
    const struct CMUnitTest tests[] =
    {
        cmocka_unit_test(test_digest_topmost_per_realm),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
