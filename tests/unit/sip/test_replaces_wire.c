/*
 * INVITE with Replaces on the wire (RFC 3891): who may take a call over without
 * the user being asked (§7), two Replaces (§3), early dialogs (§3). One engine against a scripted peer (wire_peer.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "wire_peer.h"

/* ---- Replaces: authorization, two of them, early dialogs ------------------------------------------- */

static void replacing_invite(struct wire *wire, const char *call_id, const char *from_uri, const char *extra)
{
    struct wire_dialog dialog = { 0 };

    dialog.call_id = g_strdup(call_id);
    dialog.peer_tag = g_strdup_printf("t-%s", call_id);
    dialog.peer_uri = g_strdup(from_uri);
    dialog.engine_uri = g_strdup_printf("sip:bob@127.0.0.1:%u", wire->port);
    wire_send(wire, &dialog, "INVITE", extra, "application/sdp", wire_sdp);
    wire_dialog_clear(&dialog);
}

static void test_replaces_authorization(void **state)
{
    struct wire wire;
    struct wire_dialog dialog;
    char *replaces, *extra;
    guint from;

    (void)state;
    wire_start(&wire);
    assert_true(wire_call_in(&wire, &dialog, "call-a@127.0.0.1", "sip:carol@127.0.0.1:5070", NULL));
    replaces = g_strdup_printf("Replaces: call-a@127.0.0.1;to-tag=%s;from-tag=%s\r\n", dialog.engine_tag,
                               dialog.peer_tag);

    /* A third party that learnt the dialog's identifiers: a new call to decide on. */
    replacing_invite(&wire, "call-b@127.0.0.1", "sip:mallory@127.0.0.1:5090", replaces);
    assert_true(wire_has_event(&wire, "incoming replaces"));
    /* ... also when it claims to be referred by someone else. */
    extra = g_strdup_printf("%sReferred-By: <sip:mallory@127.0.0.1>\r\n", replaces);
    replacing_invite(&wire, "call-c@127.0.0.1", "sip:mallory@127.0.0.1:5090", extra);
    g_free(extra);
    assert_false(wire_has_event(&wire, "incoming replaces authorized"));

    /* Referred by the party of the replaced call (an attended transfer): authorized. */
    extra = g_strdup_printf("%sReferred-By: \"Carol\" <sip:carol@127.0.0.1>;x=y\r\n", replaces);
    replacing_invite(&wire, "call-d@127.0.0.1", "sip:dave@127.0.0.1:5071", extra);
    g_free(extra);
    assert_true(wire_has_event(&wire, "incoming replaces authorized"));
    g_ptr_array_set_size(wire.events, 0);
    /* The party itself, from another device (other port): authorized. */
    replacing_invite(&wire, "call-e@127.0.0.1", "sip:carol@127.0.0.1:5999", replaces);
    assert_true(wire_has_event(&wire, "incoming replaces authorized"));

    /* Two Replaces: 400, nobody is asked. */
    g_ptr_array_set_size(wire.events, 0);
    from = wire.sent->len;
    extra = g_strdup_printf("%s%s", replaces, replaces);
    replacing_invite(&wire, "call-f@127.0.0.1", "sip:carol@127.0.0.1:5070", extra);
    g_free(extra);
    assert_true(g_str_has_prefix(wire_find(&wire, from, "SIP/2.0 400 "), "SIP/2.0 400 Multiple Replaces Headers"));
    assert_false(wire_has_event(&wire, "incoming replaces authorized"));
    assert_false(wire_has_event(&wire, "incoming replaces"));

    /* Naming no dialog of ours: 481. */
    from = wire.sent->len;
    replacing_invite(&wire, "call-g@127.0.0.1", "sip:carol@127.0.0.1:5070",
                     "Replaces: other@127.0.0.1;to-tag=x;from-tag=y\r\n");
    assert_non_null(wire_find_response(&wire, from, 481, "INVITE"));
    g_free(replaces);
    wire_dialog_clear(&dialog);
    wire_stop(&wire);
}

static void test_replaces_early_dialogs(void **state)
{
    struct wire wire;
    struct wire_dialog dialog;
    struct sip_call *call;
    char *extra;
    guint from;

    (void)state;
    /* An early dialog we did not start (carol's call still rings here): 481. */
    wire_start(&wire);
    wire.answer_calls = FALSE;
    memset(&dialog, 0, sizeof(dialog));
    dialog.call_id = g_strdup("early-in@127.0.0.1");
    dialog.peer_tag = g_strdup("ein");
    dialog.peer_uri = g_strdup("sip:carol@127.0.0.1:5070");
    dialog.engine_uri = g_strdup_printf("sip:bob@127.0.0.1:%u", wire.port);
    wire_send(&wire, &dialog, "INVITE", NULL, "application/sdp", wire_sdp);
    {
        const char *ringing = wire_find_last(&wire, "SIP/2.0 180 ");
        char *to = wire_header(ringing, "To");

        dialog.engine_tag = wire_tag(to);
        g_free(to);
    }
    extra = g_strdup_printf("Replaces: early-in@127.0.0.1;to-tag=%s;from-tag=ein\r\n", dialog.engine_tag);
    from = wire.sent->len;
    replacing_invite(&wire, "early-x@127.0.0.1", "sip:carol@127.0.0.1:5070", extra);
    assert_non_null(wire_find_response(&wire, from, 481, "INVITE"));
    g_free(extra);
    wire_dialog_clear(&dialog);
    wire_stop(&wire);

    /* A confirmed dialog with early-only: 486. */
    wire_start(&wire);
    call = wire_call_out(&wire, &dialog);
    extra = g_strdup_printf("Replaces: %s;to-tag=%s;from-tag=ctag;early-only\r\n", dialog.call_id, dialog.engine_tag);
    from = wire.sent->len;
    replacing_invite(&wire, "early-y@127.0.0.1", "sip:carol@127.0.0.1:5070", extra);
    assert_non_null(wire_find_response(&wire, from, 486, "INVITE"));
    g_free(extra);
    sip_call_unref(call);
    wire_dialog_clear(&dialog);
    wire_stop(&wire);
}

int main(void)
{
    const struct CMUnitTest tests[] =
    {
        cmocka_unit_test(test_replaces_authorization),
        cmocka_unit_test(test_replaces_early_dialogs),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
