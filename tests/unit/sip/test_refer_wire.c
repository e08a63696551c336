/*
 * Transfer on the wire, byte for byte: Refer-To embedded headers by
 * allow-list. One engine against a scripted peer (wire_peer.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "wire_peer.h"

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

/* ---- Refer-To embedded headers: an allow-list -------------------------------------------------- */

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

int main(void)
{
    const struct CMUnitTest tests[] =
    {
        cmocka_unit_test(test_refer_to_allow_list),
        cmocka_unit_test(test_refer_to_private_headers_opt_in),
        cmocka_unit_test(test_refer_to_reserved_still_400),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
