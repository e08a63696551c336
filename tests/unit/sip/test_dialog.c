/*
 * Unit tests for SIP dialogs (RFC 3261 §12): creation from requests and
 * responses, matching, route sets with loose and strict routers, CSeq
 * rules, target refresh and the next hop.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "dialog.h"

static osip_message_t *parse(const char *text)
{
    osip_message_t *message;

    assert_int_equal(osip_message_init(&message), 0);
    assert_int_equal(osip_message_parse(message, text, strlen(text)), 0);
    return message;
}

static char *header_string(const osip_message_t *message, int (*to_str)(const void *, char **), const void *header)
{
    char *text = NULL, *copy;

    (void)message;
    assert_int_equal(to_str(header, &text), 0);
    copy = g_strdup(text);
    osip_free(text);
    return copy;
}

static char *uri_string(const osip_uri_t *uri)
{
    return header_string(NULL, (int (*)(const void *, char **))osip_uri_to_str, uri);
}

static char *route_string(const osip_message_t *message, int position)
{
    osip_route_t *route = NULL;

    osip_message_get_route(message, position, &route);
    assert_non_null(route);
    return header_string(message, (int (*)(const void *, char **))osip_route_to_str, route);
}

/* Alice (us) calls Bob through two record-routing proxies. */
static const char invite_text[] =
    "INVITE sip:bob@192.0.2.4 SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKa\r\n"
    "From: Alice <sip:alice@atlanta.example.com>;tag=alicetag\r\n"
    "To: Bob <sip:bob@biloxi.example.com>\r\n"
    "Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n"
    "CSeq: 314159 INVITE\r\n"
    "Contact: <sip:alice@192.0.2.1>\r\n"
    "Content-Length: 0\r\n\r\n";

static const char ringing_text[] =
    "SIP/2.0 180 Ringing\r\n"
    "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKa\r\n"
    "Record-Route: <sip:p2.example.com;lr>, <sip:p1.example.com;lr>\r\n"
    "From: Alice <sip:alice@atlanta.example.com>;tag=alicetag\r\n"
    "To: Bob <sip:bob@biloxi.example.com>;tag=bobtag\r\n"
    "Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n"
    "CSeq: 314159 INVITE\r\n"
    "Contact: <sip:bob@192.0.2.4>\r\n"
    "Content-Length: 0\r\n\r\n";

static const char ok_text[] =
    "SIP/2.0 200 OK\r\n"
    "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKa\r\n"
    "Record-Route: <sip:192.0.2.20:5070;lr>\r\n"
    "From: Alice <sip:alice@atlanta.example.com>;tag=alicetag\r\n"
    "To: Bob <sip:bob@biloxi.example.com>;tag=bobtag\r\n"
    "Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n"
    "CSeq: 314159 INVITE\r\n"
    "Contact: <sip:bob@192.0.2.5:5062;transport=tcp>\r\n"
    "Content-Length: 0\r\n\r\n";

static void test_uac_dialog_from_provisional(void **state)
{
    osip_message_t *invite = parse(invite_text), *ringing = parse(ringing_text), *ok = parse(ok_text);
    struct sip_dialog *dialog;
    char *text;

    (void)state;
    dialog = sip_dialog_new_uac(invite, ringing);
    assert_non_null(dialog);
    assert_int_equal(dialog->state, SIP_DIALOG_EARLY);
    assert_true(dialog->is_uac);
    assert_string_equal(dialog->call_id, "a84b4c76e66710@pc33.atlanta.example.com");
    assert_string_equal(dialog->local_tag, "alicetag");
    assert_string_equal(dialog->remote_tag, "bobtag");
    assert_int_equal(dialog->local_cseq, 314159);
    assert_false(dialog->remote_cseq_known);
    /* §12.1.2: the UAC's route set is the Record-Route reversed. */
    assert_int_equal(osip_list_size(&dialog->route_set), 2);
    text = header_string(NULL, (int (*)(const void *, char **))osip_route_to_str, osip_list_get(&dialog->route_set, 0));
    assert_string_equal(text, "<sip:p1.example.com;lr>");
    g_free(text);
    text = uri_string(dialog->remote_target);
    assert_string_equal(text, "sip:bob@192.0.2.4");
    g_free(text);
    assert_true(sip_dialog_matches_response(dialog, ringing));

    /* §13.2.2.4: the 2xx confirms it and recomputes route set and target. */
    sip_dialog_confirm_uac(dialog, ok);
    assert_int_equal(dialog->state, SIP_DIALOG_CONFIRMED);
    assert_int_equal(osip_list_size(&dialog->route_set), 1);
    text = uri_string(dialog->remote_target);
    assert_string_equal(text, "sip:bob@192.0.2.5:5062;transport=tcp");
    g_free(text);

    sip_dialog_free(dialog);
    osip_message_free(invite);
    osip_message_free(ringing);
    osip_message_free(ok);
}

static void test_uac_needs_to_tag(void **state)
{
    osip_message_t *invite = parse(invite_text), *trying;
    char *text = g_strdup(ringing_text);

    (void)state;
    /* A 100 without a To tag creates no dialog. */
    *strstr(text, ";tag=bobtag") = 0;
    strcat(text, "\r\nCall-ID: a84b4c76e66710@pc33.atlanta.example.com\r\nCSeq: 314159 INVITE\r\n\r\n");
    trying = parse(text);
    assert_null(sip_dialog_new_uac(invite, trying));
    g_free(text);
    osip_message_free(trying);
    osip_message_free(invite);
}

static void test_matching(void **state)
{
    osip_message_t *invite = parse(invite_text), *ok = parse(ok_text), *request;
    struct sip_dialog *dialog;
    gsize i;
    static const struct
    {
        const char *from, *to, *call_id;
        gboolean matches;
    } cases[] =
    {
        { "<sip:bob@b>;tag=bobtag", "<sip:alice@a>;tag=alicetag", "a84b4c76e66710@pc33.atlanta.example.com", TRUE },
        { "<sip:bob@b>;tag=other", "<sip:alice@a>;tag=alicetag", "a84b4c76e66710@pc33.atlanta.example.com", FALSE },
        { "<sip:bob@b>;tag=bobtag", "<sip:alice@a>;tag=other", "a84b4c76e66710@pc33.atlanta.example.com", FALSE },
        { "<sip:bob@b>;tag=bobtag", "<sip:alice@a>", "a84b4c76e66710@pc33.atlanta.example.com", FALSE },
        { "<sip:bob@b>;tag=bobtag", "<sip:alice@a>;tag=alicetag", "a84b4c76e66710@pc33", FALSE },
        { "<sip:bob@b>;tag=bobtag", "<sip:alice@a>;tag=alicetag", "a84b4c76e66710", FALSE },
        { "<sip:bob@b>;tag=bobtag", "<sip:alice@a>;tag=alicetag", "A84b4c76e66710@pc33.atlanta.example.com", FALSE },
    };

    (void)state;
    dialog = sip_dialog_new_uac(invite, ok);
    assert_int_equal(dialog->state, SIP_DIALOG_CONFIRMED);
    for (i = 0; i < G_N_ELEMENTS(cases); i++)
    {
        char *text = g_strdup_printf("BYE sip:alice@192.0.2.1 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.4;branch=z9hG4bKb\r\n"
                                     "From: %s\r\nTo: %s\r\nCall-ID: %s\r\nCSeq: 1 BYE\r\n\r\n",
                                     cases[i].from, cases[i].to, cases[i].call_id);

        request = parse(text);
        assert_int_equal(sip_dialog_matches_request(dialog, request), cases[i].matches);
        osip_message_free(request);
        g_free(text);
    }
    /* Our own request does not match as a received one (tags the other way). */
    assert_false(sip_dialog_matches_request(dialog, invite));
    sip_dialog_free(dialog);
    osip_message_free(invite);
    osip_message_free(ok);
}

static const char incoming_invite_text[] =
    "INVITE sip:alice@192.0.2.1 SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 192.0.2.20:5070;branch=z9hG4bKp\r\n"
    "Via: SIP/2.0/UDP 192.0.2.4;branch=z9hG4bKb\r\n"
    "Record-Route: <sip:192.0.2.20:5070;lr>, <sip:p9.example.com;lr>\r\n"
    "From: \"Bob\" <sip:bob@biloxi.example.com>;tag=bobtag\r\n"
    "To: <sip:alice@atlanta.example.com>\r\n"
    "Call-ID: 3848276298220188511@biloxi.example.com\r\n"
    "CSeq: 10 INVITE\r\n"
    "Contact: <sip:bob@192.0.2.4>\r\n"
    "Content-Length: 0\r\n\r\n";

static void test_uas_dialog_and_cseq(void **state)
{
    osip_message_t *invite = parse(incoming_invite_text), *request;
    struct sip_dialog *dialog;
    char *text;
    static const struct
    {
        const char *cseq;
        gboolean accepted;
    } sequence[] =
    {
        { "10 INFO", FALSE },       /* the INVITE's own number: not new */
        { "9 INFO", FALSE },
        { "11 INFO", TRUE },
        { "11 BYE", FALSE },
        { "10 ACK", TRUE },         /* ACK and CANCEL reuse the INVITE's number */
        { "10 CANCEL", TRUE },
        { "4000000000 INFO", TRUE },
        { "12 INFO", FALSE },
    };
    gsize i;

    (void)state;
    dialog = sip_dialog_new_uas(invite, "alicetag");
    assert_non_null(dialog);
    assert_false(dialog->is_uac);
    assert_int_equal(dialog->state, SIP_DIALOG_EARLY);
    assert_string_equal(dialog->local_tag, "alicetag");
    assert_string_equal(dialog->remote_tag, "bobtag");
    assert_string_equal(sip_header_tag(dialog->local), "alicetag");
    assert_true(dialog->remote_cseq_known);
    assert_int_equal(dialog->remote_cseq, 10);
    /* §12.1.1: the UAS keeps the Record-Route order. */
    text = header_string(NULL, (int (*)(const void *, char **))osip_route_to_str, osip_list_get(&dialog->route_set, 0));
    assert_string_equal(text, "<sip:192.0.2.20:5070;lr>");
    g_free(text);
    sip_dialog_set_confirmed(dialog);
    assert_int_equal(dialog->state, SIP_DIALOG_CONFIRMED);

    for (i = 0; i < G_N_ELEMENTS(sequence); i++)
    {
        const char *space = strchr(sequence[i].cseq, ' ');
        char *method = g_strdup(space + 1);

        text = g_strdup_printf("%s sip:alice@192.0.2.1 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.4;branch=z9hG4bKc%zu\r\n"
                               "From: <sip:bob@b>;tag=bobtag\r\nTo: <sip:alice@a>;tag=alicetag\r\n"
                               "Call-ID: 3848276298220188511@biloxi.example.com\r\nCSeq: %s\r\n\r\n",
                               method, i, sequence[i].cseq);
        request = parse(text);
        assert_true(sip_dialog_matches_request(dialog, request));
        assert_int_equal(sip_dialog_accept_remote_cseq(dialog, request), sequence[i].accepted);
        osip_message_free(request);
        g_free(text);
        g_free(method);
    }
    assert_int_equal(dialog->remote_cseq, 4000000000u);
    sip_dialog_free(dialog);
    osip_message_free(invite);
}

static void test_build_request_loose_routing(void **state)
{
    osip_message_t *invite = parse(incoming_invite_text), *bye, *second;
    struct sip_dialog *dialog;
    struct sip_next_hop hop;
    char *text;

    (void)state;
    dialog = sip_dialog_new_uas(invite, "alicetag");
    dialog->local_cseq = 41;
    bye = sip_dialog_build_request(dialog, "BYE");
    assert_non_null(bye);
    text = uri_string(bye->req_uri);
    assert_string_equal(text, "sip:bob@192.0.2.4");
    g_free(text);
    assert_int_equal(osip_list_size(&bye->routes), 2);
    text = route_string(bye, 0);
    assert_string_equal(text, "<sip:192.0.2.20:5070;lr>");
    g_free(text);
    assert_string_equal(sip_header_tag(bye->from), "alicetag");
    assert_string_equal(sip_header_tag(bye->to), "bobtag");
    assert_string_equal(bye->cseq->number, "42");
    assert_string_equal(bye->cseq->method, "BYE");
    assert_int_equal(osip_list_size(&bye->vias), 0);     /* the sender adds Via */

    /* CSeq goes up for each request but not for ACK or CANCEL. */
    second = sip_dialog_build_request(dialog, "INFO");
    assert_string_equal(second->cseq->number, "43");
    osip_message_free(second);
    second = sip_dialog_build_ack(dialog, 43);
    assert_string_equal(second->cseq->number, "43");
    assert_string_equal(second->cseq->method, "ACK");
    assert_string_equal(second->sip_method, "ACK");
    osip_message_free(second);
    assert_int_equal(dialog->local_cseq, 43);

    /* Loose routing: the first route is the next hop. */
    assert_true(sip_dialog_next_hop(dialog, &hop));
    assert_string_equal(hop.host, "192.0.2.20");
    assert_int_equal(hop.port, 5070);
    assert_int_equal(hop.protocol, SIP_TRANSPORT_UDP);

    osip_message_free(bye);
    sip_dialog_free(dialog);
    osip_message_free(invite);
}

static void test_build_request_strict_routing(void **state)
{
    const char *text =
        "INVITE sip:alice@192.0.2.1 SIP/2.0\r\n"
        "Via: SIP/2.0/UDP 192.0.2.30;branch=z9hG4bKs\r\n"
        "Record-Route: <sip:192.0.2.30:5080;maddr=192.0.2.30>, <sip:192.0.2.31;lr>\r\n"
        "From: <sip:bob@b>;tag=bobtag\r\nTo: <sip:alice@a>\r\n"
        "Call-ID: strict@b\r\nCSeq: 1 INVITE\r\nContact: <sip:bob@192.0.2.4:5099>\r\n\r\n";
    osip_message_t *invite = parse(text), *bye;
    struct sip_dialog *dialog;
    struct sip_next_hop hop;
    char *string;

    (void)state;
    dialog = sip_dialog_new_uas(invite, "alicetag");
    bye = sip_dialog_build_request(dialog, "BYE");
    /* §12.2.1.1: a strict router goes into the Request-URI (parameters
     * stripped), the remote target becomes the last Route. */
    string = uri_string(bye->req_uri);
    assert_string_equal(string, "sip:192.0.2.30:5080");
    g_free(string);
    assert_int_equal(osip_list_size(&bye->routes), 2);
    string = route_string(bye, 0);
    assert_string_equal(string, "<sip:192.0.2.31;lr>");
    g_free(string);
    string = route_string(bye, 1);
    assert_string_equal(string, "<sip:bob@192.0.2.4:5099>");
    g_free(string);
    assert_true(sip_dialog_next_hop(dialog, &hop));
    assert_string_equal(hop.host, "192.0.2.30");   /* maddr */
    assert_int_equal(hop.port, 5080);
    osip_message_free(bye);
    sip_dialog_free(dialog);
    osip_message_free(invite);
}

static void test_target_refresh(void **state)
{
    osip_message_t *invite = parse(incoming_invite_text), *reinvite;
    struct sip_dialog *dialog;
    char *text;

    (void)state;
    dialog = sip_dialog_new_uas(invite, "alicetag");
    reinvite = parse("INVITE sip:alice@192.0.2.1 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.4;branch=z9hG4bKr\r\n"
                     "From: <sip:bob@b>;tag=bobtag\r\nTo: <sip:alice@a>;tag=alicetag\r\n"
                     "Call-ID: 3848276298220188511@biloxi.example.com\r\nCSeq: 11 INVITE\r\n"
                     "Contact: <sip:bob@[2001:db8::9]:5090;transport=tcp>\r\n\r\n");
    sip_dialog_refresh_target(dialog, reinvite);
    text = uri_string(dialog->remote_target);
    assert_string_equal(text, "sip:bob@[2001:db8::9]:5090;transport=tcp");
    g_free(text);
    /* No Contact: the target stays. */
    osip_message_free(reinvite);
    reinvite = parse("INFO sip:alice@192.0.2.1 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.4;branch=z9hG4bKi\r\n"
                     "From: <sip:bob@b>;tag=bobtag\r\nTo: <sip:alice@a>;tag=alicetag\r\n"
                     "Call-ID: 3848276298220188511@biloxi.example.com\r\nCSeq: 12 INFO\r\n\r\n");
    sip_dialog_refresh_target(dialog, reinvite);
    text = uri_string(dialog->remote_target);
    assert_string_equal(text, "sip:bob@[2001:db8::9]:5090;transport=tcp");
    g_free(text);
    osip_message_free(reinvite);
    sip_dialog_free(dialog);
    osip_message_free(invite);
}

static void check_hop(const char *uri_text, enum sip_transport_protocol fallback, gboolean usable,
                      enum sip_transport_protocol protocol, const char *host, guint16 port)
{
    struct sip_next_hop hop;
    osip_uri_t *uri;

    osip_uri_init(&uri);
    assert_int_equal(osip_uri_parse(uri, uri_text), 0);
    assert_int_equal(sip_uri_next_hop(uri, fallback, &hop), usable);
    if (usable)
    {
        assert_int_equal(hop.protocol, protocol);
        assert_string_equal(hop.host, host);
        assert_int_equal(hop.port, port);
        assert_string_equal(hop.name, "");
        assert_false(sip_next_hop_needs_dns(&hop));
    }
    osip_uri_free(uri);
}

/* A host name is left to DNS (RFC 3263): no address, the URI's port (0 for none). */
static void check_name_hop(const char *uri_text, enum sip_transport_protocol fallback, const char *name,
                           enum sip_transport_protocol protocol, guint16 port, gboolean transport_given,
                           gboolean secure)
{
    struct sip_next_hop hop;
    osip_uri_t *uri;

    osip_uri_init(&uri);
    assert_int_equal(osip_uri_parse(uri, uri_text), 0);
    assert_true(sip_uri_next_hop(uri, fallback, &hop));
    assert_true(sip_next_hop_needs_dns(&hop));
    assert_string_equal(hop.host, "");
    assert_string_equal(hop.name, name);
    assert_int_equal(hop.protocol, protocol);
    assert_int_equal(hop.port, port);
    assert_int_equal(hop.transport_given, transport_given);
    assert_int_equal(hop.secure, secure);
    osip_uri_free(uri);
}

static void test_uri_next_hop(void **state)
{
    (void)state;
    check_hop("sip:bob@127.0.0.1", SIP_TRANSPORT_UDP, TRUE, SIP_TRANSPORT_UDP, "127.0.0.1", 5060);
    check_hop("sip:bob@127.0.0.1:5070", SIP_TRANSPORT_TCP, TRUE, SIP_TRANSPORT_TCP, "127.0.0.1", 5070);
    check_hop("sip:bob@127.0.0.1;transport=TCP", SIP_TRANSPORT_UDP, TRUE, SIP_TRANSPORT_TCP, "127.0.0.1", 5060);
    check_hop("sip:bob@127.0.0.1;transport=udp", SIP_TRANSPORT_TCP, TRUE, SIP_TRANSPORT_UDP, "127.0.0.1", 5060);
    check_hop("sips:bob@127.0.0.1", SIP_TRANSPORT_UDP, TRUE, SIP_TRANSPORT_TLS, "127.0.0.1", 5061);
    check_hop("sip:bob@[::1]:5062;transport=tls", SIP_TRANSPORT_UDP, TRUE, SIP_TRANSPORT_TLS, "::1", 5062);
    check_hop("sip:bob@example.com;maddr=127.0.0.2", SIP_TRANSPORT_UDP, TRUE, SIP_TRANSPORT_UDP, "127.0.0.2", 5060);
    check_hop("sip:bob@127.0.0.1:99999", SIP_TRANSPORT_UDP, FALSE, 0, NULL, 0);
    check_hop("sip:bob@exa..mple.com", SIP_TRANSPORT_UDP, FALSE, 0, NULL, 0);
    check_name_hop("sip:bob@example.com", SIP_TRANSPORT_UDP, "example.com", SIP_TRANSPORT_UDP, 0, FALSE, FALSE);
    check_name_hop("sip:bob@example.com:5070", SIP_TRANSPORT_TCP, "example.com", SIP_TRANSPORT_TCP, 5070, FALSE, FALSE);
    check_name_hop("sip:example.com;transport=tcp", SIP_TRANSPORT_UDP, "example.com", SIP_TRANSPORT_TCP, 0, TRUE,
                   FALSE);
    check_name_hop("sips:example.com", SIP_TRANSPORT_UDP, "example.com", SIP_TRANSPORT_TLS, 0, TRUE, TRUE);
    check_name_hop("sip:bob@127.0.0.1;maddr=proxy.example.com", SIP_TRANSPORT_UDP, "proxy.example.com",
                   SIP_TRANSPORT_UDP, 0, FALSE, FALSE);
}

int main(void)
{
    const struct CMUnitTest tests[] =
    {
        cmocka_unit_test(test_uac_dialog_from_provisional),
        cmocka_unit_test(test_uac_needs_to_tag),
        cmocka_unit_test(test_matching),
        cmocka_unit_test(test_uas_dialog_and_cseq),
        cmocka_unit_test(test_build_request_loose_routing),
        cmocka_unit_test(test_build_request_strict_routing),
        cmocka_unit_test(test_target_refresh),
        cmocka_unit_test(test_uri_next_hop),
    };

    parser_init();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
