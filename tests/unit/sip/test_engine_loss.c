/*
 * What packet loss asks of the engine, against a hand-driven peer (a plain
 * UDP socket) that loses what a test says it loses:
 *  - requests that overtake the ACK of the engine's 2xx (in the dialog, or
 *    an INVITE with Replaces naming it): the UAS's dialog exists from its
 *    2xx (RFC 3261 §12.1.1), so they wait for that ACK and are then handled
 *    as usual, never refused for coming early;
 *  - a NOTIFY that overtakes the 202 of the engine's REFER;
 *  - hang-ups in progress (sip_engine_pending_hangups, hangups_finished):
 *    a BYE lost on the way is resent and counted until its final response
 *    or its timeout, so an application that waits for them at shutdown
 *    leaves no call up behind it; an INVITE the engine rejected counts
 *    too until its ACK comes (or Timer H), so the ACK never meets a closed
 *    connection.
 * docs/wire-mapping.md, "Packet loss", says what each does and for how long.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include <gio/gio.h>

#include "sip/sip_call.h"
#include "sip/sip_engine.h"
#include "sip/sip_refer.h"
#include "timer_source.h"
#include "transaction_private.h"
#include "../../common/test_time.h"

/* ---- the engine's side: answers every call, accepts every REFER --------------------------- */

struct party
{
    struct sip_engine *engine;
    guint16 port;
    GPtrArray *events;                  /* char *, in order */
    struct sip_call *call;              /* the incoming call, referenced */
    struct sip_refer *refer;            /* the last refer received, referenced */
    guint reject_code;                  /* incoming calls get this final response; 0: answered */
};

static void record(struct party *party, const char *format, ...) G_GNUC_PRINTF(2, 3);
static void record(struct party *party, const char *format, ...)
{
    va_list args;

    va_start(args, format);
    g_ptr_array_add(party->events, g_strdup_vprintf(format, args));
    va_end(args);
}

static char *events_joined(struct party *party)
{
    GString *out = g_string_new(NULL);
    guint i;

    for (i = 0; i < party->events->len; i++)
        g_string_append_printf(out, "%s%s", i ? "|" : "", (char *)g_ptr_array_index(party->events, i));
    return g_string_free(out, FALSE);
}

static void assert_events(struct party *party, const char *expected)
{
    char *events = events_joined(party);

    if (strcmp(events, expected))
        print_error("events: %s\nexpected: %s\n", events, expected);
    assert_string_equal(events, expected);
    g_free(events);
}

static void on_incoming_call(struct sip_engine *engine, struct sip_call *call, void *user_data)
{
    struct party *party = user_data;

    (void)engine;
    if (sip_call_get_replaced_call(call))
        record(party, "incoming replacing %s", sip_call_get_call_id(sip_call_get_replaced_call(call)));
    else
        record(party, "incoming");
    if (!party->call)
        party->call = sip_call_ref(call);
    if (party->reject_code)
        assert_true(sip_call_reject(call, party->reject_code, NULL, NULL));
    else
        assert_true(sip_call_answer(call, NULL));
}

static void on_state(struct sip_call *call, enum sip_call_state state, guint code, const char *reason, void *user_data)
{
    (void)reason;
    record(user_data, "%s %u", sip_call_state_name(state), code);
    if (state == SIP_CALL_STATE_TERMINATED)
        record(user_data, "ended %s", sip_call_end_reason_name(sip_call_get_end_reason(call)));
}

static void on_media(struct sip_call *call, gboolean local_hold, gboolean remote_hold, void *user_data)
{
    (void)call;
    record(user_data, "media %d %d", local_hold, remote_hold);
}

static void on_message(struct sip_engine *engine, struct sip_call *call, const struct sip_incoming_request *request,
                       void *user_data)
{
    (void)engine;
    record(user_data, "%s %s", call ? "dialog-message" : "message", request->body);
}

static void on_info(struct sip_call *call, const struct sip_incoming_request *request, void *user_data)
{
    (void)call;
    record(user_data, "info %s", request->body);
}

static void on_hangups_finished(struct sip_engine *engine, void *user_data)
{
    record(user_data, "hangups finished %u", sip_engine_pending_hangups(engine));
}

static void on_refer_received(struct sip_call *call, struct sip_refer *refer, void *user_data)
{
    struct party *party = user_data;

    (void)call;
    record(party, "refer-received %s", sip_refer_get_target(refer));
    if (party->refer)
        sip_refer_unref(party->refer);
    party->refer = sip_refer_ref(refer);
    assert_true(sip_refer_accept(refer, NULL));
}

static void on_refer_progress(struct sip_refer *refer, enum sip_refer_progress progress, guint code,
                              const char *reason, enum sip_refer_end end, void *user_data)
{
    static const char *const progress_names[] = { "accepted", "rejected", "failed", "notify", "ended" };
    static const char *const end_names[] = { "success", "failure", "no-final", "rejected", "call-gone" };

    (void)refer;
    (void)reason;
    if (progress == SIP_REFER_ENDED)
        record(user_data, "refer ended %s", end_names[end]);
    else
        record(user_data, "refer %s %u", progress_names[progress], code);
}

/* What a test started, stopped by the teardown also when the test failed
 * half-way (an engine left running would call back into a test long gone). */
static GPtrArray *started_parties;   /* struct party * */
static GPtrArray *started_uacs;      /* struct uac * */

static struct party *party_new(void)
{
    struct sip_engine_callbacks callbacks = { 0 };
    struct sip_refer_callbacks refer_callbacks = { on_refer_received, on_refer_progress };
    struct party *party = g_new0(struct party, 1);

    g_ptr_array_add(started_parties, party);
    party->events = g_ptr_array_new_with_free_func(g_free);
    callbacks.incoming_call = on_incoming_call;
    callbacks.call_state_changed = on_state;
    callbacks.call_media_changed = on_media;
    callbacks.message_received = on_message;
    callbacks.call_info_received = on_info;
    callbacks.hangups_finished = on_hangups_finished;
    party->engine = sip_engine_new(NULL, &callbacks, party, NULL);
    assert_non_null(party->engine);
    sip_engine_set_refer_callbacks(party->engine, &refer_callbacks);
    assert_true(sip_engine_listen(party->engine, SIP_TRANSPORT_UDP, "127.0.0.1", 0, &party->port, NULL));
    return party;
}

static void party_free(struct party *party)
{
    if (party->call)
        sip_call_unref(party->call);
    if (party->refer)
        sip_refer_unref(party->refer);
    sip_engine_free(party->engine);
    g_ptr_array_free(party->events, TRUE);
    g_free(party);
}

static gboolean has_event(struct party *party, const char *event)
{
    guint i;

    for (i = 0; i < party->events->len; i++)
        if (!strcmp(g_ptr_array_index(party->events, i), event))
            return TRUE;
    return FALSE;
}

/* Runs the loop until party has seen event (at most 5 s). */
static gboolean wait_event(struct party *party, const char *event)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)test_ms(5000) * 1000;

    while (!has_event(party, event) && g_get_monotonic_time() < deadline)
        if (!g_main_context_iteration(NULL, FALSE))
            g_usleep(1000);
    return has_event(party, event);
}

/* Runs the loop until party has seen count events (at most 5 s). */
static gboolean wait_events(struct party *party, guint count)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)test_ms(5000) * 1000;

    while (party->events->len < count && g_get_monotonic_time() < deadline)
        if (!g_main_context_iteration(NULL, FALSE))
            g_usleep(1000);
    return party->events->len >= count;
}

/* ---- the hand-driven UAC ---------------------------------------------------------------- */

struct uac
{
    GSocket *socket;
    guint16 port;
    GSocketAddress *engine_address;
    guint16 engine_port;
    char *to_tag;                       /* from the engine's 200 */
    char *contact;                      /* the engine's Contact URI (remote target) */
    const char *call_id;
    guint branch;
};

static struct uac *uac_new(guint16 engine_port)
{
    GSocketAddress *local = g_inet_socket_address_new_from_string("127.0.0.1", 0), *bound;
    struct uac *uac = g_new0(struct uac, 1);

    g_ptr_array_add(started_uacs, uac);
    uac->socket = g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, NULL);
    assert_true(g_socket_bind(uac->socket, local, FALSE, NULL));
    g_socket_set_blocking(uac->socket, FALSE);
    bound = g_socket_get_local_address(uac->socket, NULL);
    uac->port = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(bound));
    g_object_unref(bound);
    g_object_unref(local);
    uac->engine_port = engine_port;
    uac->call_id = "early-call@127.0.0.1";
    uac->engine_address = g_inet_socket_address_new_from_string("127.0.0.1", engine_port);
    return uac;
}

static void uac_free(struct uac *uac)
{
    g_object_unref(uac->engine_address);
    g_object_unref(uac->socket);
    g_free(uac->to_tag);
    g_free(uac->contact);
    g_free(uac);
}

static int start_test(void **state)
{
    (void)state;
    started_parties = g_ptr_array_new_with_free_func((GDestroyNotify)party_free);
    started_uacs = g_ptr_array_new_with_free_func((GDestroyNotify)uac_free);
    return 0;
}

static int end_test(void **state)
{
    (void)state;
    g_ptr_array_free(started_uacs, TRUE);
    g_ptr_array_free(started_parties, TRUE);
    return 0;
}

static void uac_send(struct uac *uac, const char *text)
{
    assert_true(g_socket_send_to(uac->socket, uac->engine_address, text, strlen(text), NULL, NULL)
                == (gssize)strlen(text));
}

/* The value of a header (first occurrence), g_free. */
static char *header_value(const char *message, const char *name)
{
    char *pattern = g_strdup_printf("\n%s:", name);
    const char *start = strstr(message, pattern), *end;

    g_free(pattern);
    if (!start)
        return NULL;
    start += strlen(name) + 2;
    while (*start == ' ')
        start++;
    end = strstr(start, "\r\n");
    return g_strndup(start, end ? end - start : (gssize)strlen(start));
}

/* Receives while the engine runs, for at most ms: the first message that
 * starts with prefix and whose CSeq is cseq (NULL: any; "!x": anything but
 * x), or NULL. Others (retransmissions of our 200, NOTIFYs) are dropped. */
static char *uac_receive(struct uac *uac, const char *prefix, const char *cseq, int ms)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)ms * 1000;
    char buffer[65536];

    while (g_get_monotonic_time() < deadline)
    {
        gssize got = g_socket_receive(uac->socket, buffer, sizeof(buffer) - 1, NULL, NULL);

        if (got > 0)
        {
            char *value;
            gboolean match;

            buffer[got] = 0;
            if (!g_str_has_prefix(buffer, prefix))
                continue;
            value = header_value(buffer, "CSeq");
            if (cseq && cseq[0] == '!')
                match = !value || strcmp(value, cseq + 1);
            else
                match = !cseq || (value && !strcmp(value, cseq));
            g_free(value);
            if (match)
                return g_strdup(buffer);
            continue;
        }
        if (!g_main_context_iteration(NULL, FALSE))
            g_usleep(1000);
    }
    return NULL;
}

static char *uac_expect(struct uac *uac, const char *prefix, const char *cseq)
{
    char *message = uac_receive(uac, prefix, cseq, test_ms(5000));

    if (!message)
        print_error("no \"%s\" with CSeq %s came\n", prefix, cseq ? cseq : "(any)");
    return message;
}

/* Nothing that starts with prefix and has CSeq cseq comes within ms. */
static void uac_expect_nothing(struct uac *uac, const char *prefix, const char *cseq, int ms)
{
    char *message = uac_receive(uac, prefix, cseq, ms);

    if (message)
        print_error("unexpected:\n%s\n", message);
    assert_null(message);
}

static const char offer[] = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
                            "m=audio 30000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";

/* A request from the UAC; in the dialog once the engine's 200 gave us its tag. */
static void uac_request(struct uac *uac, const char *method, guint cseq, const char *extra_headers, const char *body)
{
    char *to = uac->to_tag ? g_strdup_printf(";tag=%s", uac->to_tag) : g_strdup("");
    char *uri = uac->contact ? g_strdup(uac->contact) : g_strdup_printf("sip:bob@127.0.0.1:%u", uac->engine_port);
    char *text = g_strdup_printf("%s %s SIP/2.0\r\n"
                                 "Via: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bK-early-%u;rport\r\n"
                                 "From: <sip:alice@127.0.0.1:%u>;tag=alice-early\r\n"
                                 "To: <sip:bob@127.0.0.1:%u>%s\r\n"
                                 "Call-ID: %s\r\n"
                                 "CSeq: %u %s\r\n"
                                 "Contact: <sip:alice@127.0.0.1:%u>\r\n"
                                 "Max-Forwards: 70\r\n"
                                 "%s"
                                 "Content-Length: %zu\r\n\r\n%s",
                                 method, uri, uac->port, ++uac->branch, uac->port, uac->engine_port, to, uac->call_id,
                                 cseq, method,
                                 uac->port, extra_headers ? extra_headers : "", body ? strlen(body) : 0,
                                 body ? body : "");

    uac_send(uac, text);
    g_free(text);
    g_free(uri);
    g_free(to);
}

/* INVITE (with extra_headers, NULL for none), the engine answers 200 (kept:
 * its To tag and Contact); no ACK yet. */
static void uac_call_with(struct uac *uac, const char *extra_headers)
{
    char *ok, *to, *contact, *start, *end, *headers;

    headers = g_strdup_printf("Content-Type: application/sdp\r\n%s", extra_headers ? extra_headers : "");
    uac_request(uac, "INVITE", 1, headers, offer);
    g_free(headers);
    assert_non_null(ok = uac_expect(uac, "SIP/2.0 200 ", "1 INVITE"));
    to = header_value(ok, "To");
    assert_non_null(to);
    assert_non_null(strstr(to, ";tag="));
    uac->to_tag = g_strdup(strstr(to, ";tag=") + 5);
    contact = header_value(ok, "Contact");
    assert_non_null(contact);
    start = strchr(contact, '<');
    end = strchr(contact, '>');
    assert_true(start && end);
    uac->contact = g_strndup(start + 1, end - start - 1);
    g_free(contact);
    g_free(to);
    g_free(ok);
}

static void uac_call(struct uac *uac)
{
    uac_call_with(uac, NULL);
}

static void uac_ack(struct uac *uac, guint cseq)
{
    uac_request(uac, "ACK", cseq, NULL, NULL);
}

/* How long "nothing comes" is watched: several 2xx retransmissions' worth. */
#define QUIET_MS 1200

/* ---- the tests ------------------------------------------------------------------------------ */

/* The transferor's REFER overtakes the ACK: the application is asked once the
 * call is connected, as it would have been without the loss; no 603. */
static void test_refer_before_ack(void **state)
{
    struct party *bob;
    struct uac *alice;
    char *response;

    (void)state;
    bob = party_new();
    alice = uac_new(bob->port);
    uac_call(alice);
    uac_request(alice, "REFER", 2, "Refer-To: <sip:carol@127.0.0.1:5999>\r\n", NULL);
    uac_expect_nothing(alice, "SIP/2.0 ", "2 REFER", QUIET_MS);
    assert_false(has_event(bob, "refer-received sip:carol@127.0.0.1:5999"));

    uac_ack(alice, 1);
    assert_non_null(response = uac_expect(alice, "SIP/2.0 ", "2 REFER"));
    assert_true(g_str_has_prefix(response, "SIP/2.0 202 "));
    g_free(response);
    assert_true(wait_event(bob, "refer-received sip:carol@127.0.0.1:5999"));
    assert_events(bob, "incoming|incoming 0|answering 200|connected 200|refer-received sip:carol@127.0.0.1:5999");
}

/* MESSAGE and INFO that overtake the ACK: answered and reported after it, in order. */
static void test_message_and_info_before_ack(void **state)
{
    struct party *bob;
    struct uac *alice;
    char *response;

    (void)state;
    bob = party_new();
    alice = uac_new(bob->port);
    uac_call(alice);
    uac_request(alice, "MESSAGE", 2, "Content-Type: text/plain\r\n", "hello");
    uac_request(alice, "INFO", 3, "Content-Type: text/plain\r\n", "digits");
    uac_expect_nothing(alice, "SIP/2.0 ", "!1 INVITE", QUIET_MS);

    uac_ack(alice, 1);
    assert_non_null(response = uac_expect(alice, "SIP/2.0 200 ", "2 MESSAGE"));
    g_free(response);
    assert_non_null(response = uac_expect(alice, "SIP/2.0 200 ", "3 INFO"));
    g_free(response);
    assert_true(wait_event(bob, "info digits"));
    assert_events(bob, "incoming|incoming 0|answering 200|connected 200|dialog-message hello|info digits");
}

/* A re-INVITE that overtakes the ACK (RFC 3261 §14.2 would allow 500 with
 * Retry-After; it is held instead): 100 Trying at once, 200 after the ACK. */
static void test_reinvite_before_ack(void **state)
{
    struct party *bob;
    struct uac *alice;
    char *response;

    (void)state;
    bob = party_new();
    alice = uac_new(bob->port);
    uac_call(alice);
    uac_request(alice, "INVITE", 2, "Content-Type: application/sdp\r\n", offer);
    assert_non_null(response = uac_expect(alice, "SIP/2.0 ", "2 INVITE"));
    assert_true(g_str_has_prefix(response, "SIP/2.0 100 "));
    g_free(response);
    uac_expect_nothing(alice, "SIP/2.0 ", "2 INVITE", QUIET_MS);

    uac_ack(alice, 1);
    assert_non_null(response = uac_expect(alice, "SIP/2.0 ", "2 INVITE"));
    assert_true(g_str_has_prefix(response, "SIP/2.0 200 "));
    g_free(response);
    uac_ack(alice, 2);
    assert_int_equal(sip_call_get_state(bob->call), SIP_CALL_STATE_CONNECTED);
}

/* A BYE that overtakes the ACK ends the call at once (§15: only sending a
 * BYE waits for the ACK); it shows the peer had our 200, so the call
 * connects first, as without the loss; our 200 is not sent again. */
static void test_bye_before_ack(void **state)
{
    struct party *bob;
    struct uac *alice;
    char *response;

    (void)state;
    bob = party_new();
    alice = uac_new(bob->port);
    uac_call(alice);
    uac_request(alice, "BYE", 2, NULL, NULL);
    assert_non_null(response = uac_expect(alice, "SIP/2.0 200 ", "2 BYE"));
    g_free(response);
    uac_expect_nothing(alice, "SIP/2.0 200 ", "1 INVITE", QUIET_MS);
    assert_true(wait_event(bob, "ended remote-hangup"));
    assert_events(bob, "incoming|incoming 0|answering 200|connected 200|terminated 200|ended remote-hangup");
}

/* No ACK ever comes: the 2xx gives up after 64*T1 (the engine's timers are
 * fired here), the call ends with a BYE and the held REFER gets 481. */
static void test_refer_before_lost_ack(void **state)
{
    struct party *bob;
    struct uac *alice;
    char *response;
    guint fired = 0;

    (void)state;
    bob = party_new();
    alice = uac_new(bob->port);
    uac_call(alice);
    uac_request(alice, "REFER", 2, "Refer-To: <sip:carol@127.0.0.1:5999>\r\n", NULL);
    uac_expect_nothing(alice, "SIP/2.0 ", "2 REFER", QUIET_MS / 2);
    /* Bounded: each firing is one 2xx retransmission (T1 doubling to T2 over 64*T1). */
    while (sip_call_get_state(bob->call) != SIP_CALL_STATE_TERMINATED && fired < 64)
        fired += engine_expire_timers(bob->engine, 1);
    assert_int_equal(sip_call_get_state(bob->call), SIP_CALL_STATE_TERMINATED);
    assert_non_null(response = uac_expect(alice, "SIP/2.0 ", "2 REFER"));
    assert_true(g_str_has_prefix(response, "SIP/2.0 481 "));
    g_free(response);
    assert_non_null(response = uac_expect(alice, "BYE ", "1 BYE"));
    g_free(response);
    assert_false(has_event(bob, "refer-received sip:carol@127.0.0.1:5999"));
}

/* A response to request (a message as received) with status, adding
 * ";tag=tag" to its To when tag is not NULL; the 200 to an INVITE carries
 * our Contact (contact_port) and an SDP answer. */
static char *response_to(const char *request, const char *status, const char *tag, guint16 contact_port)
{
    char *via = header_value(request, "Via"), *from = header_value(request, "From"), *to = header_value(request, "To");
    char *call_id = header_value(request, "Call-ID"), *cseq = header_value(request, "CSeq");
    char *sdp_headers = contact_port ? g_strdup_printf("Contact: <sip:bob@127.0.0.1:%u>\r\n"
                                                       "Content-Type: application/sdp\r\n", contact_port)
                                     : g_strdup("");
    char *text = g_strdup_printf("SIP/2.0 %s\r\nVia: %s\r\nFrom: %s\r\nTo: %s%s%s\r\nCall-ID: %s\r\nCSeq: %s\r\n"
                                 "%sContent-Length: %zu\r\n\r\n%s",
                                 status, via, from, to, tag ? ";tag=" : "", tag ? tag : "", call_id, cseq, sdp_headers,
                                 contact_port ? strlen(offer) : 0, contact_port ? offer : "");

    g_free(via), g_free(from), g_free(to), g_free(call_id), g_free(cseq), g_free(sdp_headers);
    return text;
}

/* The transferee's NOTIFY overtakes its 202 (lost; the REFER is resent): it
 * stands for the 202 (RFC 6665 §4.1.2.4) and is answered at once; the
 * application hears "accepted" first, as without the loss, and the late 202
 * adds nothing. bob is a hand-driven UAS here. */
static void test_notify_before_202(void **state)
{
    struct party *alice;
    struct uac *bob;
    struct sip_call *call;
    struct sip_refer *refer;
    char *invite, *message, *target, *from, *to, *call_id, *refer_cseq, *notify, *contact, *uri, *start;
    int i;

    (void)state;
    alice = party_new();
    bob = uac_new(alice->port);
    target = g_strdup_printf("sip:bob@127.0.0.1:%u", bob->port);
    call = sip_call_invite(alice->engine, "<sip:alice@127.0.0.1>", target, NULL);
    assert_non_null(call);
    assert_non_null(invite = uac_expect(bob, "INVITE ", "1 INVITE"));
    message = response_to(invite, "200 OK", "bob-tag", bob->port);
    uac_send(bob, message);
    g_free(message);
    assert_non_null(message = uac_expect(bob, "ACK ", "1 ACK"));
    g_free(message);
    assert_true(wait_event(alice, "connected 200"));

    refer = sip_call_refer(call, "sip:carol@127.0.0.1:5999", NULL, NULL);
    assert_non_null(refer);
    assert_non_null(message = uac_expect(bob, "REFER ", NULL));
    refer_cseq = header_value(message, "CSeq");
    from = header_value(invite, "From");
    to = header_value(invite, "To");
    call_id = header_value(invite, "Call-ID");
    contact = header_value(invite, "Contact");
    start = strchr(contact, '<');
    uri = g_strndup(start + 1, strchr(start, '>') - start - 1);
    /* Two NOTIFYs: 100 (active) now, before the 202; 200 (terminated) after it. */
    for (i = 1; i <= 2; i++)
    {
        const char *frag = i == 1 ? "SIP/2.0 100 Trying\r\n" : "SIP/2.0 200 OK\r\n";
        char cseq[32];

        notify = g_strdup_printf("NOTIFY %s SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bK-notify-%d\r\n"
                                 "From: %s;tag=bob-tag\r\nTo: %s\r\nCall-ID: %s\r\nCSeq: %d NOTIFY\r\n"
                                 "Contact: <sip:bob@127.0.0.1:%u>\r\nMax-Forwards: 70\r\nEvent: refer;id=%u\r\n"
                                 "Subscription-State: %s\r\nContent-Type: message/sipfrag;version=2.0\r\n"
                                 "Content-Length: %zu\r\n\r\n%s",
                                 uri, bob->port, i, to, from, call_id, i, bob->port, (guint)atoi(refer_cseq),
                                 i == 1 ? "active;expires=60" : "terminated;reason=noresource", strlen(frag), frag);
        uac_send(bob, notify);
        g_free(notify);
        g_snprintf(cseq, sizeof(cseq), "%d NOTIFY", i);
        assert_non_null(notify = uac_expect(bob, "SIP/2.0 200 ", cseq));
        g_free(notify);
        if (i == 1)
        {
            assert_true(wait_event(alice, "refer notify 100"));
            /* The 202 comes at last: nothing more is reported. */
            notify = response_to(message, "202 Accepted", NULL, 0);
            uac_send(bob, notify);
            g_free(notify);
        }
    }
    assert_true(wait_event(alice, "refer ended success"));
    assert_events(alice, "calling 0|connected 200|refer accepted 202|refer notify 100|refer notify 200|"
                          "refer ended success");

    g_free(uri), g_free(contact), g_free(call_id), g_free(to), g_free(from), g_free(refer_cseq), g_free(message);
    g_free(invite), g_free(target);
    sip_refer_unref(refer);
    sip_call_unref(call);
}

/* Attended transfer right after the consultation call was answered: the
 * transferee's INVITE with Replaces overtakes that call's ACK. It waits for
 * the ACK (100 Trying meanwhile): the replaced call connects first. */
static void test_replaces_before_ack(void **state)
{
    struct party *carol;
    struct uac *alice, *bob;
    char *response, *replaces;

    (void)state;
    carol = party_new();
    alice = uac_new(carol->port);
    uac_call(alice);
    bob = uac_new(carol->port);
    bob->call_id = "replacing-call@127.0.0.1";
    replaces = g_strdup_printf("Replaces: early-call@127.0.0.1;to-tag=%s;from-tag=alice-early\r\n", alice->to_tag);
    uac_request(bob, "INVITE", 1, replaces, NULL);
    assert_non_null(response = uac_expect(bob, "SIP/2.0 ", "1 INVITE"));
    assert_true(g_str_has_prefix(response, "SIP/2.0 100 "));
    g_free(response);
    uac_expect_nothing(bob, "SIP/2.0 ", "1 INVITE", QUIET_MS);
    assert_false(has_event(carol, "incoming replacing early-call@127.0.0.1"));

    uac_ack(alice, 1);
    assert_non_null(response = uac_expect(bob, "SIP/2.0 200 ", "1 INVITE"));
    g_free(response);
    assert_true(wait_events(carol, 7));
    assert_events(carol, "incoming|incoming 0|answering 200|connected 200|incoming replacing early-call@127.0.0.1|"
                          "incoming 0|answering 200");
    g_free(replaces);
}

/* The replaced call never gets its ACK: its 2xx gives up, and the INVITE
 * that waited for it gets 481 (the dialog it names is gone). */
static void test_replaces_before_lost_ack(void **state)
{
    struct party *carol;
    struct uac *alice, *bob;
    char *response, *replaces;
    guint fired = 0;

    (void)state;
    carol = party_new();
    alice = uac_new(carol->port);
    uac_call(alice);
    bob = uac_new(carol->port);
    bob->call_id = "replacing-call@127.0.0.1";
    replaces = g_strdup_printf("Replaces: early-call@127.0.0.1;to-tag=%s;from-tag=alice-early\r\n", alice->to_tag);
    uac_request(bob, "INVITE", 1, replaces, NULL);
    assert_non_null(response = uac_expect(bob, "SIP/2.0 100 ", "1 INVITE"));
    g_free(response);
    while (sip_call_get_state(carol->call) != SIP_CALL_STATE_TERMINATED && fired < 64)
        fired += engine_expire_timers(carol->engine, 1);
    assert_non_null(response = uac_expect(bob, "SIP/2.0 ", "1 INVITE"));
    assert_true(g_str_has_prefix(response, "SIP/2.0 481 "));
    g_free(response);
    assert_false(has_event(carol, "incoming replacing early-call@127.0.0.1"));
    g_free(replaces);
}


/* The engine hangs up while its 2xx still waits for the ACK: the BYE is owed
 * (a hang-up in progress) until the ACK, then sent; done at its 200. */
static void test_hangup_owed_until_ack(void **state)
{
    struct party *bob;
    struct uac *alice;
    char *bye, *ok;

    (void)state;
    bob = party_new();
    alice = uac_new(bob->port);
    uac_call(alice);
    assert_true(wait_event(bob, "answering 200"));
    assert_true(sip_call_hangup(bob->call, NULL));
    assert_int_equal(sip_engine_pending_hangups(bob->engine), 1);
    uac_expect_nothing(alice, "BYE ", NULL, QUIET_MS / 2);
    assert_false(has_event(bob, "hangups finished 0"));

    uac_ack(alice, 1);
    assert_non_null(bye = uac_expect(alice, "BYE ", NULL));
    assert_int_equal(sip_engine_pending_hangups(bob->engine), 1);
    ok = response_to(bye, "200 OK", NULL, 0);
    uac_send(alice, ok);
    assert_true(wait_event(bob, "hangups finished 0"));
    assert_int_equal(sip_engine_pending_hangups(bob->engine), 0);
    assert_events(bob, "incoming|incoming 0|answering 200|terminated 200|ended local-hangup|hangups finished 0");
    g_free(ok);
    g_free(bye);
}

/* The first BYE is lost: it is sent again (T1 over UDP), and the hang-up is
 * in progress until the 200 to the one that got through. */
static void test_lost_bye_resent(void **state)
{
    struct party *bob;
    struct uac *alice;
    char *first, *again, *ok;

    (void)state;
    bob = party_new();
    alice = uac_new(bob->port);
    uac_call(alice);
    uac_ack(alice, 1);
    assert_true(wait_event(bob, "connected 200"));
    assert_true(sip_call_hangup(bob->call, NULL));
    assert_non_null(first = uac_expect(alice, "BYE ", NULL));      /* "lost": not answered */
    assert_non_null(again = uac_expect(alice, "BYE ", NULL));
    {
        char *first_cseq = header_value(first, "CSeq"), *again_cseq = header_value(again, "CSeq");

        assert_string_equal(first_cseq, again_cseq);              /* the same transaction */
        g_free(first_cseq);
        g_free(again_cseq);
    }
    assert_int_equal(sip_engine_pending_hangups(bob->engine), 1);
    assert_false(has_event(bob, "hangups finished 0"));
    ok = response_to(again, "200 OK", NULL, 0);
    uac_send(alice, ok);
    assert_true(wait_event(bob, "hangups finished 0"));
    assert_int_equal(sip_engine_pending_hangups(bob->engine), 0);
    g_free(ok), g_free(again), g_free(first);
}

/* Nobody ever answers the BYE: the hang-up ends at the BYE's timeout
 * (64*T1; the engine's timers are fired here), and is reported finished. */
static void test_unanswered_bye_bounded(void **state)
{
    struct party *bob;
    struct uac *alice;
    char *bye;
    guint fired = 0;

    (void)state;
    bob = party_new();
    alice = uac_new(bob->port);
    uac_call(alice);
    uac_ack(alice, 1);
    assert_true(wait_event(bob, "connected 200"));
    assert_true(sip_call_hangup(bob->call, NULL));
    assert_non_null(bye = uac_expect(alice, "BYE ", NULL));
    /* The transactions' timers fired as if 64*T1 had passed: timer F. */
    while (sip_engine_pending_hangups(bob->engine) && fired++ < 8)
    {
        transaction_timers_fire(bob->engine, g_get_monotonic_time() + (gint64)SIP_TIMER_64T1_MS * 1000 + 1000000);
        engine_run(bob->engine);
    }
    assert_int_equal(sip_engine_pending_hangups(bob->engine), 0);
    assert_true(wait_event(bob, "hangups finished 0"));
    g_free(bye);
}

/* The ACK of the engine's non-2xx to uac's first INVITE: the INVITE's
 * branch, the response's To (RFC 3261 §17.1.1.3). */
static void uac_ack_rejection(struct uac *uac, const char *response)
{
    char *to = header_value(response, "To");
    char *text = g_strdup_printf("ACK sip:bob@127.0.0.1:%u SIP/2.0\r\n"
                                 "Via: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bK-early-1;rport\r\n"
                                 "From: <sip:alice@127.0.0.1:%u>;tag=alice-early\r\n"
                                 "To: %s\r\n"
                                 "Call-ID: %s\r\n"
                                 "CSeq: 1 ACK\r\n"
                                 "Max-Forwards: 70\r\n"
                                 "Content-Length: 0\r\n\r\n",
                                 uac->engine_port, uac->port, uac->port, to, uac->call_id);

    uac_send(uac, text);
    g_free(text);
    g_free(to);
}

/* The engine rejects an INVITE (486): a hang-up in progress until the ACK
 * of the 486 comes; then finished, and the 486 is not sent again. */
static void test_rejection_counted_until_ack(void **state)
{
    struct party *bob;
    struct uac *alice;
    char *busy;

    (void)state;
    bob = party_new();
    bob->reject_code = 486;
    alice = uac_new(bob->port);
    uac_request(alice, "INVITE", 1, "Content-Type: application/sdp\r\n", offer);
    assert_non_null(busy = uac_expect(alice, "SIP/2.0 486 ", "1 INVITE"));
    assert_int_equal(sip_engine_pending_hangups(bob->engine), 1);
    assert_false(has_event(bob, "hangups finished 0"));

    uac_ack_rejection(alice, busy);
    assert_true(wait_event(bob, "hangups finished 0"));
    assert_int_equal(sip_engine_pending_hangups(bob->engine), 0);
    uac_expect_nothing(alice, "SIP/2.0 486 ", NULL, QUIET_MS);     /* the ACK stopped Timer G */
    assert_events(bob, "incoming|incoming 0|terminated 486|ended declined|hangups finished 0");
    g_free(busy);
}

/* The ACK of the rejection never comes: the wait ends with Timer H (64*T1;
 * fired here), and is reported finished. */
static void test_unacked_rejection_bounded(void **state)
{
    struct party *bob;
    struct uac *alice;
    char *busy;
    guint fired = 0;

    (void)state;
    bob = party_new();
    bob->reject_code = 603;
    alice = uac_new(bob->port);
    uac_request(alice, "INVITE", 1, "Content-Type: application/sdp\r\n", offer);
    assert_non_null(busy = uac_expect(alice, "SIP/2.0 603 ", "1 INVITE"));
    assert_int_equal(sip_engine_pending_hangups(bob->engine), 1);
    while (sip_engine_pending_hangups(bob->engine) && fired++ < 8)
    {
        transaction_timers_fire(bob->engine, g_get_monotonic_time() + (gint64)SIP_TIMER_64T1_MS * 1000 + 1000000);
        engine_run(bob->engine);
    }
    assert_int_equal(sip_engine_pending_hangups(bob->engine), 0);
    assert_true(wait_event(bob, "hangups finished 0"));
    g_free(busy);
}

int main(void)
{
    const struct CMUnitTest tests[] =
    {
        cmocka_unit_test_setup_teardown(test_refer_before_ack, start_test, end_test),
        cmocka_unit_test_setup_teardown(test_message_and_info_before_ack, start_test, end_test),
        cmocka_unit_test_setup_teardown(test_reinvite_before_ack, start_test, end_test),
        cmocka_unit_test_setup_teardown(test_bye_before_ack, start_test, end_test),
        cmocka_unit_test_setup_teardown(test_refer_before_lost_ack, start_test, end_test),
        cmocka_unit_test_setup_teardown(test_replaces_before_ack, start_test, end_test),
        cmocka_unit_test_setup_teardown(test_replaces_before_lost_ack, start_test, end_test),
        cmocka_unit_test_setup_teardown(test_notify_before_202, start_test, end_test),
        cmocka_unit_test_setup_teardown(test_hangup_owed_until_ack, start_test, end_test),
        cmocka_unit_test_setup_teardown(test_lost_bye_resent, start_test, end_test),
        cmocka_unit_test_setup_teardown(test_unanswered_bye_bounded, start_test, end_test),
        cmocka_unit_test_setup_teardown(test_rejection_counted_until_ack, start_test, end_test),
        cmocka_unit_test_setup_teardown(test_unacked_rejection_bounded, start_test, end_test),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
