/*
 * The engine under load: 100 Trying only for INVITEs left undecided, 503
 * with Retry-After past each overload bound (receive backlog, undecided
 * calls, pending callbacks, transactions) while requests in existing
 * dialogs are still taken, finished transactions retired into what they
 * still have to resend, and libosip2's block cache. One engine on a
 * loopback listener whose sending is replaced by a recorder; requests are
 * injected as the UDP socket would hand them up.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include <glib.h>

#include "dispatch.h"
#include "engine.h"
#include "osip_memory.h"
#include "sip/sip_call.h"
#include "sip/sip_engine.h"
#include "timer_source.h"
#include "../../common/test_time.h"

#define PEER_IP "127.0.0.1"
#define PEER_PORT 5099

struct harness
{
    struct sip_engine *engine;
    guint16 port;
    GPtrArray *sent;                /* char *, every message the engine sent */
    GPtrArray *calls;               /* struct sip_call *, referenced, in arrival order */
    gboolean answer;                /* answer incoming calls at once */
    guint messages;                 /* MESSAGE requests reported */
    guint completed;                /* outcomes of our requests reported */
    guint completed_status;         /* the last one's status code */
    guint transactions_at_send;     /* live transactions when the last message went */
};

static gboolean record_send(enum sip_transport_protocol protocol, const char *host, guint16 port,
                            guint connection_id, const char *data, gsize length, void *user_data)
{
    struct harness *harness = user_data;

    (void)protocol;
    (void)connection_id;
    assert_string_equal(host, PEER_IP);
    assert_int_equal(port, PEER_PORT);
    g_ptr_array_add(harness->sent, g_strndup(data, length));
    harness->transactions_at_send = harness->engine->stats.transactions;
    return TRUE;
}

static void on_incoming_call(struct sip_engine *engine, struct sip_call *call, void *user_data)
{
    struct harness *harness = user_data;

    (void)engine;
    g_ptr_array_add(harness->calls, sip_call_ref(call));
    if (harness->answer)
        assert_true(sip_call_answer(call, NULL));
}

static void on_message(struct sip_engine *engine, struct sip_call *call, const struct sip_incoming_request *request,
                       void *user_data)
{
    (void)engine;
    (void)call;
    (void)request;
    ((struct harness *)user_data)->messages++;
}

static void on_request_completed(struct sip_engine *engine, guint request_id, guint status_code,
                                 const char *reason_phrase, void *user_data)
{
    struct harness *harness = user_data;

    (void)engine;
    (void)request_id;
    (void)reason_phrase;
    harness->completed++;
    harness->completed_status = status_code;
}

static int setup(void **state)
{
    struct harness *harness = g_new0(struct harness, 1);
    struct sip_engine_callbacks callbacks = { 0 };

    callbacks.incoming_call = on_incoming_call;
    callbacks.message_received = on_message;
    callbacks.request_completed = on_request_completed;
    harness->engine = sip_engine_new(NULL, &callbacks, harness, NULL);
    assert_non_null(harness->engine);
    engine_set_random_seed(harness->engine, 7);
    assert_true(sip_engine_listen(harness->engine, SIP_TRANSPORT_UDP, "127.0.0.1", 0, &harness->port, NULL));
    sip_transport_layer_set_send_override(harness->engine->transports, record_send, harness);
    harness->sent = g_ptr_array_new_with_free_func(g_free);
    harness->calls = g_ptr_array_new_with_free_func((GDestroyNotify)sip_call_unref);
    *state = harness;
    return 0;
}

static int teardown(void **state)
{
    struct harness *harness = *state;

    g_ptr_array_free(harness->calls, TRUE);
    sip_engine_free(harness->engine);
    g_ptr_array_free(harness->sent, TRUE);
    g_free(harness);
    return 0;
}

/* Runs what is ready on the main context (queued callbacks included). */
static void run_ready(void)
{
    int i;

    for (i = 0; i < 20; i++)
        g_main_context_iteration(NULL, FALSE);
}

static void inject(struct harness *harness, guint backlog_ms, const char *format, ...) G_GNUC_PRINTF(3, 4);
static void inject(struct harness *harness, guint backlog_ms, const char *format, ...)
{
    struct sip_transport_peer peer = { 0 };
    va_list args;
    GString *message = g_string_new(NULL);
    char *text;

    va_start(args, format);
    text = g_strdup_vprintf(format, args);
    va_end(args);
    /* Header lines end in CRLF on the wire; the body is as given. */
    for (const char *p = text; *p; p++)
    {
        if (*p == '\n')
            g_string_append_c(message, '\r');
        g_string_append_c(message, *p);
        if (*p == '\n' && p[1] == '\n')
        {
            g_string_append(message, "\r\n");
            g_string_append(message, p + 2);
            break;
        }
    }
    g_free(text);
    peer.protocol = SIP_TRANSPORT_UDP;
    peer.remote_ip = PEER_IP;
    peer.remote_port = PEER_PORT;
    peer.backlog_ms = backlog_ms;
    sip_transport_inject(harness->engine->transports, &peer, message->str, message->len);
    g_string_free(message, TRUE);
}

static const char sdp_offer[] =
    "v=0\r\n"
    "o=peer 1 1 IN IP4 127.0.0.1\r\n"
    "s=-\r\n"
    "c=IN IP4 127.0.0.1\r\n"
    "t=0 0\r\n"
    "m=audio 6000 RTP/AVP 0\r\n"
    "a=rtpmap:0 PCMU/8000\r\n";

static void inject_invite(struct harness *harness, guint backlog_ms, int n)
{
    inject(harness, backlog_ms,
           "INVITE sip:uas@127.0.0.1:%u SIP/2.0\n"
           "Via: SIP/2.0/UDP " PEER_IP ":%u;branch=z9hG4bK-invite-%d\n"
           "Max-Forwards: 70\n"
           "From: <sip:peer@127.0.0.1>;tag=from-%d\n"
           "To: <sip:uas@127.0.0.1>\n"
           "Call-ID: call-%d@127.0.0.1\n"
           "CSeq: 1 INVITE\n"
           "Contact: <sip:peer@" PEER_IP ":%u>\n"
           "Content-Type: application/sdp\n"
           "Content-Length: %zu\n"
           "\n%s",
           harness->port, PEER_PORT, n, n, n, PEER_PORT, strlen(sdp_offer), sdp_offer);
}

static void inject_message(struct harness *harness, guint backlog_ms, int n)
{
    inject(harness, backlog_ms,
           "MESSAGE sip:uas@127.0.0.1:%u SIP/2.0\n"
           "Via: SIP/2.0/UDP " PEER_IP ":%u;branch=z9hG4bK-message-%d\n"
           "Max-Forwards: 70\n"
           "From: <sip:peer@127.0.0.1>;tag=message-%d\n"
           "To: <sip:uas@127.0.0.1>\n"
           "Call-ID: message-%d@127.0.0.1\n"
           "CSeq: 1 MESSAGE\n"
           "Content-Type: text/plain\n"
           "Content-Length: 2\n"
           "\nhi",
           harness->port, PEER_PORT, n, n, n);
}

/* How many messages sent start with prefix. */
static guint count_sent(struct harness *harness, const char *prefix)
{
    guint i, count = 0;

    for (i = 0; i < harness->sent->len; i++)
        if (g_str_has_prefix(g_ptr_array_index(harness->sent, i), prefix))
            count++;
    return count;
}

static const char *last_sent(struct harness *harness)
{
    assert_true(harness->sent->len > 0);
    return g_ptr_array_index(harness->sent, harness->sent->len - 1);
}

static const char *find_header(const char *message, const char *name)
{
    char *pattern = g_strconcat("\r\n", name, ": ", NULL);
    const char *found = strstr(message, pattern);

    g_free(pattern);
    return found ? found + 2 : NULL;
}

/* The tag of the To header of a message we sent (g_free). */
static char *to_tag_of(const char *message)
{
    const char *to = find_header(message, "To"), *tag, *end;

    assert_non_null(to);
    tag = strstr(to, ";tag=");
    assert_non_null(tag);
    tag += 5;
    end = tag + strcspn(tag, ";\r\n");
    return g_strndup(tag, end - tag);
}

/* ---- 100 Trying ---------------------------------------------------------------------------- */

/* An INVITE the application leaves undecided gets 100 Trying once its
 * 200 ms are up (the engine's timers are made to expire here). */
static void test_trying_when_undecided(void **state)
{
    struct harness *harness = *state;

    inject_invite(harness, 0, 1);
    run_ready();
    assert_int_equal(harness->calls->len, 1);
    assert_int_equal(count_sent(harness, "SIP/2.0 100 Trying"), 0);
    engine_expire_timers(harness->engine, 1);
    assert_int_equal(count_sent(harness, "SIP/2.0 100 Trying"), 1);
    assert_int_equal(harness->sent->len, 1);

    /* Answered after: the 200 follows. */
    assert_true(sip_call_answer(g_ptr_array_index(harness->calls, 0), NULL));
    assert_true(g_str_has_prefix(last_sent(harness), "SIP/2.0 200 OK"));
}

/* Answered (or rung) at once: no 100 at all. */
static void test_no_trying_when_answered(void **state)
{
    struct harness *harness = *state;

    harness->answer = TRUE;
    inject_invite(harness, 0, 1);
    run_ready();
    assert_int_equal(harness->calls->len, 1);
    assert_int_equal(count_sent(harness, "SIP/2.0 200 OK"), 1);
    engine_expire_timers(harness->engine, 16);     /* the 2xx is resent; still no 100 */
    assert_int_equal(count_sent(harness, "SIP/2.0 100 Trying"), 0);
    assert_true(count_sent(harness, "SIP/2.0 200 OK") > 1);
}

/* ---- overload ------------------------------------------------------------------------------- */

static void assert_503(struct harness *harness, const char *message, const char *retry_after)
{
    const char *header;

    assert_true(g_str_has_prefix(message, "SIP/2.0 503 Service Unavailable\r\n"));
    header = find_header(message, "Retry-After");
    if (!retry_after)
        assert_null(header);
    else
    {
        char *expected = g_strconcat("Retry-After: ", retry_after, "\r\n", NULL);

        assert_non_null(header);
        assert_true(g_str_has_prefix(header, expected));
        g_free(expected);
    }
    (void)harness;
}

/* A socket not drained for the bound: new INVITEs get 503 + Retry-After
 * without a transaction or a call; the calls already taken go on. */
static void test_receive_backlog(void **state)
{
    struct harness *harness = *state;
    struct sip_engine_stats stats;
    struct sip_call *call;
    char *tag;

    harness->answer = TRUE;
    inject_invite(harness, 0, 1);
    run_ready();
    assert_int_equal(harness->calls->len, 1);
    call = g_ptr_array_index(harness->calls, 0);
    tag = to_tag_of(last_sent(harness));

    g_ptr_array_set_size(harness->sent, 0);
    engine_set_behind_for(harness->engine, SIP_ENGINE_DEFAULT_RECEIVE_BACKLOG_MS);
    inject_invite(harness, SIP_ENGINE_DEFAULT_RECEIVE_BACKLOG_MS, 2);
    run_ready();
    assert_int_equal(harness->calls->len, 1);
    assert_int_equal(harness->sent->len, 1);
    assert_503(harness, last_sent(harness), "1");
    assert_non_null(strstr(last_sent(harness), "Call-ID: call-2@127.0.0.1\r\n"));
    sip_engine_get_stats(harness->engine, &stats);
    assert_int_equal(stats.overload_rejected, 1);
    assert_int_equal(stats.transactions, 0);

    /* Repeated: answered the same way. Its ACK is absorbed. */
    inject_invite(harness, SIP_ENGINE_DEFAULT_RECEIVE_BACKLOG_MS, 2);
    assert_int_equal(harness->sent->len, 2);
    assert_503(harness, last_sent(harness), "1");
    inject(harness, SIP_ENGINE_DEFAULT_RECEIVE_BACKLOG_MS,
           "ACK sip:uas@127.0.0.1:%u SIP/2.0\n"
           "Via: SIP/2.0/UDP " PEER_IP ":%u;branch=z9hG4bK-invite-2\n"
           "Max-Forwards: 70\n"
           "From: <sip:peer@127.0.0.1>;tag=from-2\n"
           "To: <sip:uas@127.0.0.1>;tag=whatever\n"
           "Call-ID: call-2@127.0.0.1\n"
           "CSeq: 1 ACK\n"
           "Content-Length: 0\n\n",
           harness->port, PEER_PORT);
    assert_int_equal(harness->sent->len, 2);

    /* Under the same backlog, the first call's ACK and BYE are taken. */
    inject(harness, SIP_ENGINE_DEFAULT_RECEIVE_BACKLOG_MS,
           "ACK sip:uas@127.0.0.1:%u SIP/2.0\n"
           "Via: SIP/2.0/UDP " PEER_IP ":%u;branch=z9hG4bK-ack-1\n"
           "Max-Forwards: 70\n"
           "From: <sip:peer@127.0.0.1>;tag=from-1\n"
           "To: <sip:uas@127.0.0.1>;tag=%s\n"
           "Call-ID: call-1@127.0.0.1\n"
           "CSeq: 1 ACK\n"
           "Content-Length: 0\n\n",
           harness->port, PEER_PORT, tag);
    run_ready();
    assert_int_equal(sip_call_get_state(call), SIP_CALL_STATE_CONNECTED);
    inject(harness, SIP_ENGINE_DEFAULT_RECEIVE_BACKLOG_MS * 10,
           "BYE sip:uas@127.0.0.1:%u SIP/2.0\n"
           "Via: SIP/2.0/UDP " PEER_IP ":%u;branch=z9hG4bK-bye-1\n"
           "Max-Forwards: 70\n"
           "From: <sip:peer@127.0.0.1>;tag=from-1\n"
           "To: <sip:uas@127.0.0.1>;tag=%s\n"
           "Call-ID: call-1@127.0.0.1\n"
           "CSeq: 2 BYE\n"
           "Content-Length: 0\n\n",
           harness->port, PEER_PORT, tag);
    g_free(tag);
    run_ready();
    assert_true(g_str_has_prefix(last_sent(harness), "SIP/2.0 200 OK\r\n"));
    assert_non_null(strstr(last_sent(harness), "CSeq: 2 BYE\r\n"));
    assert_int_equal(sip_call_get_state(call), SIP_CALL_STATE_TERMINATED);

    /* Drained: taken again. */
    inject_invite(harness, SIP_ENGINE_DEFAULT_RECEIVE_BACKLOG_MS - 1, 3);
    run_ready();
    assert_int_equal(harness->calls->len, 2);
    assert_true(g_str_has_prefix(last_sent(harness), "SIP/2.0 200 OK"));
    sip_engine_get_stats(harness->engine, &stats);
    assert_int_equal(stats.overload_rejected, 2);
}

/* What waited in the socket through one stall of the engine's thread, after
 * a calm spell, is taken if the engine catches up within the bound: a burst
 * of new calls read late, each later than the bound, all ring. Once the
 * engine has been behind for the bound's length, new calls are refused; one
 * message read in time ends that, but late again soon after is overload. */
static void test_receive_backlog_one_stall(void **state)
{
    struct harness *harness = *state;
    struct sip_engine_limits limits;
    struct sip_engine_stats stats;
    guint i;
    int n;

    /* A bound no run of this test outlasts, however slow the machine: the
     * burst is read "at once". */
    sip_engine_get_limits(harness->engine, &limits);
    limits.receive_backlog_ms = 600000;
    sip_engine_set_limits(harness->engine, &limits);

    for (n = 1; n <= 5; n++)
        inject_invite(harness, limits.receive_backlog_ms + n, n);
    run_ready();
    assert_int_equal(harness->calls->len, 5);
    for (i = 0; i < harness->sent->len; i++)
        assert_false(g_str_has_prefix(g_ptr_array_index(harness->sent, i), "SIP/2.0 503"));
    sip_engine_get_stats(harness->engine, &stats);
    assert_int_equal(stats.overload_rejected, 0);

    /* Behind for the bound's length: refused. */
    engine_set_behind_for(harness->engine, limits.receive_backlog_ms);
    inject_invite(harness, limits.receive_backlog_ms, 6);
    run_ready();
    assert_int_equal(harness->calls->len, 5);
    assert_503(harness, last_sent(harness), "1");
    assert_non_null(strstr(last_sent(harness), "Call-ID: call-6@127.0.0.1\r\n"));

    /* A message read in time: no longer behind, taken. Late again so soon
     * after: an engine past its capacity, refused at once. */
    inject_invite(harness, 0, 7);
    run_ready();
    assert_int_equal(harness->calls->len, 6);
    inject_invite(harness, limits.receive_backlog_ms, 8);
    run_ready();
    assert_int_equal(harness->calls->len, 6);
    assert_503(harness, last_sent(harness), "1");
    assert_non_null(strstr(last_sent(harness), "Call-ID: call-8@127.0.0.1\r\n"));
    sip_engine_get_stats(harness->engine, &stats);
    assert_int_equal(stats.overload_rejected, 2);
}

/* The application decides on at most undecided_calls at a time; the bound
 * frees as it answers. */
static void test_undecided_calls(void **state)
{
    struct harness *harness = *state;
    struct sip_engine_limits limits;
    struct sip_engine_stats stats;
    char *tag;

    sip_engine_get_limits(harness->engine, &limits);
    assert_int_equal(limits.undecided_calls, SIP_ENGINE_DEFAULT_UNDECIDED_CALLS);
    limits.undecided_calls = 2;
    limits.retry_after_s = 7;
    sip_engine_set_limits(harness->engine, &limits);

    inject_invite(harness, 0, 1);
    inject_invite(harness, 0, 2);
    inject_invite(harness, 0, 3);
    run_ready();
    assert_int_equal(harness->calls->len, 2);
    assert_int_equal(harness->sent->len, 1);
    assert_503(harness, last_sent(harness), "7");
    assert_non_null(strstr(last_sent(harness), "Call-ID: call-3@127.0.0.1\r\n"));
    tag = to_tag_of(last_sent(harness));
    assert_true(g_str_has_prefix(tag, "shed-"));      /* refused before any parse (shed.c) */
    g_free(tag);
    sip_engine_get_stats(harness->engine, &stats);
    assert_int_equal(stats.undecided_calls, 2);

    /* Still at the bound, a copy of an INVITE that was taken is not refused:
     * the ringing one's transaction has nothing to resend yet, the answered
     * one's call sends its 2xx again. */
    inject_invite(harness, 0, 2);
    run_ready();
    assert_int_equal(harness->sent->len, 1);
    assert_true(sip_call_answer(g_ptr_array_index(harness->calls, 0), NULL));
    assert_true(g_str_has_prefix(last_sent(harness), "SIP/2.0 200 OK\r\n"));
    limits.undecided_calls = 1;
    sip_engine_set_limits(harness->engine, &limits);
    inject_invite(harness, 0, 1);
    run_ready();
    assert_int_equal(harness->sent->len, 3);
    assert_true(g_str_has_prefix(last_sent(harness), "SIP/2.0 200 OK\r\n"));
    assert_string_equal(last_sent(harness), g_ptr_array_index(harness->sent, 1));
    inject_invite(harness, 0, 2);
    run_ready();
    assert_int_equal(harness->sent->len, 3);
    assert_int_equal(harness->calls->len, 2);
    limits.undecided_calls = 2;
    sip_engine_set_limits(harness->engine, &limits);

    /* The other rejected: two places free. */
    assert_true(sip_call_reject(g_ptr_array_index(harness->calls, 1), 486, NULL, NULL));
    sip_engine_get_stats(harness->engine, &stats);
    assert_int_equal(stats.undecided_calls, 0);
    inject_invite(harness, 0, 4);
    run_ready();
    assert_int_equal(harness->calls->len, 3);

    /* A MESSAGE is not a call: not bound by it. */
    limits.undecided_calls = 1;
    sip_engine_set_limits(harness->engine, &limits);
    inject_message(harness, 0, 1);
    run_ready();
    assert_int_equal(harness->messages, 1);
    assert_true(g_str_has_prefix(last_sent(harness), "SIP/2.0 200 OK"));
}

/* Callbacks the application has not taken yet, and live transactions. */
static void test_pending_events_and_transactions(void **state)
{
    struct harness *harness = *state;
    struct sip_engine_limits limits;
    struct sip_engine_stats stats;
    char *refused;

    sip_engine_get_limits(harness->engine, &limits);
    limits.pending_events = 2;
    limits.retry_after_s = 0;
    sip_engine_set_limits(harness->engine, &limits);
    inject_message(harness, 0, 1);
    inject_message(harness, 0, 2);
    inject_message(harness, 0, 3);     /* two callbacks queued: refused */
    assert_int_equal(count_sent(harness, "SIP/2.0 200 OK"), 2);
    assert_503(harness, last_sent(harness), NULL);
    run_ready();
    assert_int_equal(harness->messages, 2);
    /* The bound has passed: a copy of the refused one is refused again, the
     * same way (its sender gave up on it); a new one is taken. */
    refused = g_strdup(last_sent(harness));
    inject_message(harness, 0, 3);
    run_ready();
    assert_string_equal(last_sent(harness), refused);
    assert_int_equal(harness->messages, 2);
    g_free(refused);
    inject_message(harness, 0, 4);
    run_ready();
    assert_int_equal(harness->messages, 3);

    /* An undecided INVITE keeps its transaction: with one allowed, the
     * next new request is refused. */
    limits.pending_events = 0;
    limits.transactions = 1;
    sip_engine_set_limits(harness->engine, &limits);
    inject_invite(harness, 0, 1);
    run_ready();
    sip_engine_get_stats(harness->engine, &stats);
    assert_int_equal(stats.transactions, 1);
    inject_message(harness, 0, 5);
    assert_503(harness, last_sent(harness), NULL);
    assert_int_equal(harness->messages, 3);
    sip_engine_get_stats(harness->engine, &stats);
    assert_int_equal(stats.overload_rejected, 3);
}

/* ---- finished transactions retired ---------------------------------------------------------- */

/* The first message sent that starts with prefix. */
static const char *first_sent(struct harness *harness, const char *prefix)
{
    guint i;

    for (i = 0; i < harness->sent->len; i++)
        if (g_str_has_prefix(g_ptr_array_index(harness->sent, i), prefix))
            return g_ptr_array_index(harness->sent, i);
    fail_msg("nothing sent starts with %s", prefix);
    return NULL;
}

/* The line "Name: value" of a message we sent, without its CRLF (g_free). */
static char *header_line(const char *message, const char *name)
{
    const char *line = find_header(message, name);

    assert_non_null(line);
    return g_strndup(line, strcspn(line, "\r\n"));
}

/* The peer answers a request we sent with status (a To tag added). */
static void inject_response(struct harness *harness, const char *request, const char *status)
{
    char *via = header_line(request, "Via"), *from = header_line(request, "From");
    char *to = header_line(request, "To"), *call_id = header_line(request, "Call-ID");
    char *cseq = header_line(request, "CSeq");

    inject(harness, 0, "SIP/2.0 %s\n%s\n%s\n%s;tag=peer\n%s\n%s\nContent-Length: 0\n\n", status, via, from, to,
           call_id, cseq);
    g_free(via);
    g_free(from);
    g_free(to);
    g_free(call_id);
    g_free(cseq);
}

static guint live_transactions(struct harness *harness)
{
    struct sip_engine_stats stats;

    sip_engine_get_stats(harness->engine, &stats);
    return stats.transactions;
}

/* Our INVITE refused: the transaction ends at the ACK, and a 486 again
 * (the ACK was lost) still gets the same ACK again until timer D. */
static void test_failed_invite_retired(void **state)
{
    struct harness *harness = *state;
    struct sip_call *call;
    char *invite, *ack;

    call = sip_call_invite(harness->engine, "sip:uas@127.0.0.1", "sip:peer@" PEER_IP ":5099", NULL);
    assert_non_null(call);
    run_ready();
    invite = g_strdup(first_sent(harness, "INVITE "));
    assert_int_equal(live_transactions(harness), 1);

    inject_response(harness, invite, "486 Busy Here");
    run_ready();
    assert_int_equal(count_sent(harness, "ACK "), 1);
    ack = g_strdup(last_sent(harness));
    assert_int_equal(live_transactions(harness), 0);
    assert_int_equal(sip_call_get_state(call), SIP_CALL_STATE_TERMINATED);

    inject_response(harness, invite, "486 Busy Here");
    run_ready();
    assert_int_equal(count_sent(harness, "ACK "), 2);
    assert_string_equal(last_sent(harness), ack);
    assert_int_equal(live_transactions(harness), 0);

    /* Past timer D the response is dropped. */
    engine_expire_timers(harness->engine, 50);
    inject_response(harness, invite, "486 Busy Here");
    run_ready();
    assert_int_equal(count_sent(harness, "ACK "), 2);
    g_free(ack);
    g_free(invite);
    sip_call_unref(call);
}

/* Our MESSAGE answered: its transaction ends at once (no timer K held), the
 * outcome is reported once, and a 200 again is dropped. */
static void test_finished_request_retired(void **state)
{
    struct harness *harness = *state;
    char *message;
    guint sent;

    assert_true(sip_engine_send_message(harness->engine, "sip:uas@127.0.0.1", "sip:peer@" PEER_IP ":5099",
                                        "text/plain", "hi", 2, NULL) > 0);
    run_ready();
    message = g_strdup(first_sent(harness, "MESSAGE "));
    assert_int_equal(live_transactions(harness), 1);

    inject_response(harness, message, "200 OK");
    run_ready();
    assert_int_equal(harness->completed, 1);
    assert_int_equal(harness->completed_status, 200);
    assert_int_equal(live_transactions(harness), 0);

    sent = harness->sent->len;
    inject_response(harness, message, "200 OK");
    run_ready();
    assert_int_equal(harness->sent->len, sent);
    assert_int_equal(harness->completed, 1);
    g_free(message);
}

/* Their MESSAGE answered: a retransmission gets the same 200 again from
 * the retired record, without a transaction. */
static void test_answered_request_retired(void **state)
{
    struct harness *harness = *state;
    char *ok;

    inject_message(harness, 0, 1);
    run_ready();
    assert_int_equal(count_sent(harness, "SIP/2.0 200 OK"), 1);
    ok = g_strdup(last_sent(harness));
    assert_int_equal(live_transactions(harness), 0);
    inject_message(harness, 0, 1);
    run_ready();
    assert_int_equal(count_sent(harness, "SIP/2.0 200 OK"), 2);
    assert_string_equal(last_sent(harness), ok);
    assert_int_equal(harness->messages, 1);
    g_free(ok);
}

/* An OPTIONS through a proxy (two Vias, a Record-Route, no To tag) answered:
 * the record keeps only what the request cannot give again (the status, our
 * To tag, the lines after CSeq), and a copy of the request gets the same
 * bytes, Vias and To tag included. */
#define OPTIONS_THROUGH_PROXY \
        "OPTIONS sip:uas@127.0.0.1:%u SIP/2.0\n" \
        "Via: SIP/2.0/UDP " PEER_IP ":%u;branch=z9hG4bK-options-1;rport\n" \
        "Via: SIP/2.0/UDP 127.0.0.7:5062;branch=z9hG4bK-origin;received=127.0.0.8\n" \
        "Record-Route: <sip:" PEER_IP ":%u;lr>\n" \
        "Max-Forwards: 69\n" \
        "From: \"Peer\" <sip:peer@127.0.0.1>;tag=options-1\n" \
        "To: <sip:uas@127.0.0.1>\n" \
        "Call-ID: options-1@127.0.0.1\n" \
        "CSeq: 7 OPTIONS\n" \
        "Accept: application/sdp\n" \
        "Content-Length: 0\n\n"

static void test_answered_request_made_again(void **state)
{
    struct harness *harness = *state;
    char *ok;

    inject(harness, 0, OPTIONS_THROUGH_PROXY, harness->port, PEER_PORT, PEER_PORT);
    run_ready();
    assert_int_equal(count_sent(harness, "SIP/2.0 200 OK"), 1);
    ok = g_strdup(last_sent(harness));
    assert_non_null(strstr(ok, "\r\nVia: SIP/2.0/UDP 127.0.0.7:5062;branch=z9hG4bK-origin;received=127.0.0.8\r\n"));
    assert_non_null(strstr(ok, ";tag="));
    assert_int_equal(live_transactions(harness), 0);

    inject(harness, 0, OPTIONS_THROUGH_PROXY, harness->port, PEER_PORT, PEER_PORT);
    run_ready();
    assert_int_equal(count_sent(harness, "SIP/2.0 200 OK"), 2);
    assert_string_equal(last_sent(harness), ok);
    assert_int_equal(live_transactions(harness), 0);
    g_free(ok);
}

/* message is our response to the peer's request n (branch z9hG4bK-branch,
 * From tag from-n, Call-ID call-n@...): its status line, the headers copied
 * from the request in order with our To tag, and its last lines. */
static void assert_response(const char *message, const char *status, const char *branch, int n, const char *tag,
                            const char *cseq, const char *ending)
{
    char *expected = g_strdup_printf("SIP/2.0 %s\r\n"
                                     "Via: SIP/2.0/UDP " PEER_IP ":%u;branch=z9hG4bK-%s\r\n"
                                     "From: <sip:peer@127.0.0.1>;tag=from-%d\r\n"
                                     "To: <sip:uas@127.0.0.1>;tag=%s\r\n"
                                     "Call-ID: call-%d@127.0.0.1\r\n"
                                     "CSeq: %s\r\n", status, PEER_PORT, branch, n, tag, n, cseq);

    assert_true(g_str_has_prefix(message, expected));
    assert_true(g_str_has_suffix(message, ending));
    g_free(expected);
}

static void inject_in_dialog(struct harness *harness, const char *method, const char *branch, int cseq,
                             const char *tag)
{
    inject(harness, 0,
           "%s sip:uas@127.0.0.1:%u SIP/2.0\n"
           "Via: SIP/2.0/UDP " PEER_IP ":%u;branch=z9hG4bK-%s\n"
           "Max-Forwards: 70\n"
           "From: <sip:peer@127.0.0.1>;tag=from-1\n"
           "To: <sip:uas@127.0.0.1>;tag=%s\n"
           "Call-ID: call-1@127.0.0.1\n"
           "CSeq: %d %s\n"
           "Content-Length: 0\n\n",
           method, harness->port, PEER_PORT, branch, tag, cseq, method);
}

/* The peer's call 1, answered and ACKed; *tag (g_free) is our To tag. */
static struct sip_call *connect_call(struct harness *harness, char **tag)
{
    struct sip_call *call;

    harness->answer = TRUE;
    inject_invite(harness, 0, 1);
    run_ready();
    call = g_ptr_array_index(harness->calls, 0);
    *tag = to_tag_of(last_sent(harness));
    inject_in_dialog(harness, "ACK", "ack-1", 1, *tag);
    run_ready();
    assert_int_equal(sip_call_get_state(call), SIP_CALL_STATE_CONNECTED);
    return call;
}

/* Their BYE in a confirmed dialog is answered as it is read, with no
 * transaction: the exact 200, the call ended by the peer, a copy of the
 * BYE answered with the same bytes and nothing else. A BYE out of order
 * goes the usual way: 500. */
static void test_bye_answered_at_once(void **state)
{
    struct harness *harness = *state;
    struct sip_call *call;
    char *tag, *ok;

    call = connect_call(harness, &tag);

    g_ptr_array_set_size(harness->sent, 0);
    inject_in_dialog(harness, "BYE", "bye-1", 1, tag);     /* CSeq 1 again: out of order */
    run_ready();
    assert_int_equal(harness->sent->len, 1);
    assert_true(g_str_has_prefix(last_sent(harness), "SIP/2.0 500 CSeq Out of Order\r\n"));
    assert_int_equal(harness->transactions_at_send, 1);    /* sent by its transaction */
    assert_int_equal(sip_call_get_state(call), SIP_CALL_STATE_CONNECTED);

    inject_in_dialog(harness, "BYE", "bye-2", 2, tag);
    assert_int_equal(harness->sent->len, 2);
    assert_int_equal(harness->transactions_at_send, 0);    /* sent with none */
    assert_response(last_sent(harness), "200 OK", "bye-2", 1, tag, "2 BYE", "Content-Length: 0\r\n\r\n");
    run_ready();
    assert_int_equal(sip_call_get_state(call), SIP_CALL_STATE_TERMINATED);
    assert_int_equal(sip_call_get_end_reason(call), SIP_CALL_END_REMOTE_HANGUP);

    ok = g_strdup(last_sent(harness));
    inject_in_dialog(harness, "BYE", "bye-2", 2, tag);
    run_ready();
    assert_int_equal(harness->sent->len, 3);
    assert_string_equal(last_sent(harness), ok);
    assert_int_equal(live_transactions(harness), 0);
    g_free(ok);
    g_free(tag);
}

/* RFC 6026: a copy of an INVITE we answered, coming after its call has
 * ended and gone (the peer resent it before our 2xx reached it), is absorbed
 * for 64*T1: not a new call, no response, no 503 past an overload bound. */
static void test_invite_copy_after_call_gone(void **state)
{
    struct harness *harness = *state;
    struct sip_call *call;
    char *tag;

    call = connect_call(harness, &tag);
    inject_in_dialog(harness, "BYE", "bye-2", 2, tag);
    run_ready();
    assert_int_equal(sip_call_get_state(call), SIP_CALL_STATE_TERMINATED);
    g_ptr_array_set_size(harness->sent, 0);     /* the ended call left the registry (0 ms linger) */

    inject_invite(harness, 0, 1);
    run_ready();
    assert_int_equal(harness->calls->len, 1);
    assert_int_equal(harness->sent->len, 0);
    engine_set_behind_for(harness->engine, SIP_ENGINE_DEFAULT_RECEIVE_BACKLOG_MS);
    inject_invite(harness, SIP_ENGINE_DEFAULT_RECEIVE_BACKLOG_MS, 1);
    run_ready();
    assert_int_equal(harness->calls->len, 1);
    assert_int_equal(harness->sent->len, 0);

    /* Another INVITE (a new branch) is a new call. */
    inject_invite(harness, 0, 2);
    run_ready();
    assert_int_equal(harness->calls->len, 2);
    g_free(tag);
}

/* ---- libosip2's block cache ---------------------------------------------------------------- */

static void test_block_cache(void **state)
{
    struct harness *harness = *state;
    struct osip_memory_stats before, after;
    int i;

#if !defined(__GLIBC__)
    /* The cache needs glibc's malloc_usable_size(); elsewhere (rtcshim.dll) libosip2
     * keeps its own allocators (src/sip/osip_memory.c). */
    skip();
#endif

    harness->answer = TRUE;
    inject_invite(harness, 0, 1);
    run_ready();
    osip_memory_get_stats(&before);
    assert_true(before.cached_blocks > 0);
    for (i = 2; i < 12; i++)
    {
        inject_invite(harness, 0, i);
        run_ready();
    }
    osip_memory_get_stats(&after);
    /* The same kinds of blocks again, mostly served from the cache (the
     * misses are what the calls, still up, keep). */
    assert_true(after.hits - before.hits > 5 * (after.misses - before.misses));
    assert_true(after.cached_bytes <= 4 * 1024 * 1024);
}

/* The last of count messages sent is the 503 of a refusal through the
 * parser (dispatch.c), not the unparsed one (its tag is refused-..., not
 * shed-...); returns it (g_free). */
static char *assert_refused_parsed(struct harness *harness, guint count)
{
    char *tag;

    assert_int_equal(harness->sent->len, count);
    assert_503(harness, last_sent(harness), "1");
    tag = to_tag_of(last_sent(harness));
    assert_true(g_str_has_prefix(tag, "refused-"));
    g_free(tag);
    return g_strdup(last_sent(harness));
}

static void inject_named_invite(struct harness *harness, guint backlog_ms)
{
    inject(harness, backlog_ms,
           "INVITE sip:uas@127.0.0.1:%u SIP/2.0\n"
           "Via: SIP/2.0/UDP client.example.org:%u;branch=z9hG4bK-named\n"
           "From: <sip:peer@127.0.0.1>;tag=named\n"
           "To: <sip:uas@127.0.0.1>\n"
           "Call-ID: named@127.0.0.1\n"
           "CSeq: 1 INVITE\n"
           "Content-Length: 0\n\n",
           harness->port, PEER_PORT);
}

static void inject_folded_invite(struct harness *harness, guint backlog_ms)
{
    inject(harness, backlog_ms,
           "INVITE sip:uas@127.0.0.1:%u SIP/2.0\n"
           "Via: SIP/2.0/UDP " PEER_IP ":%u;branch=z9hG4bK-folded\n"
           "From: <sip:peer@127.0.0.1>\n"
           " ;tag=folded\n"
           "To: <sip:uas@127.0.0.1>\n"
           "Call-ID: folded@127.0.0.1\n"
           "CSeq: 1 INVITE\n"
           "Content-Length: 0\n\n",
           harness->port, PEER_PORT);
}

/* Past the receive-backlog bound a new INVITE is refused from its own
 * header lines, before any parse (shed.c): the exact 503, the same again
 * for the INVITE sent again, its ACK dropped; rport filled in. What the scan
 * is not sure of is parsed and refused the usual way (another tag). */
static void test_shed_unparsed(void **state)
{
    struct harness *harness = *state;
    struct sip_engine_stats stats;
    const guint backlog = SIP_ENGINE_DEFAULT_RECEIVE_BACKLOG_MS;
    char *first, *tag, *expected, *named, *folded;

    engine_set_behind_for(harness->engine, backlog);
    inject_invite(harness, backlog, 7);
    assert_int_equal(harness->sent->len, 1);
    tag = to_tag_of(last_sent(harness));
    assert_true(g_str_has_prefix(tag, "shed-"));
    assert_response(last_sent(harness), "503 Service Unavailable", "invite-7", 7, tag, "1 INVITE",
                    "Retry-After: 1\r\nContent-Length: 0\r\n\r\n");
    first = g_strdup(last_sent(harness));

    /* Sent again: the same response, the same tag (RFC 3261 §8.2.7). */
    inject_invite(harness, backlog, 7);
    assert_int_equal(harness->sent->len, 2);
    assert_string_equal(last_sent(harness), first);

    /* Its ACK: nothing. */
    inject(harness, backlog,
           "ACK sip:uas@127.0.0.1:%u SIP/2.0\n"
           "Via: SIP/2.0/UDP " PEER_IP ":%u;branch=z9hG4bK-invite-7\n"
           "From: <sip:peer@127.0.0.1>;tag=from-7\n"
           "To: <sip:uas@127.0.0.1>;tag=%s\n"
           "Call-ID: call-7@127.0.0.1\n"
           "CSeq: 1 ACK\n"
           "Content-Length: 0\n\n",
           harness->port, PEER_PORT, tag);
    run_ready();
    assert_int_equal(harness->sent->len, 2);
    g_free(tag);

    /* rport without a value (RFC 3581): filled with the source port. */
    inject(harness, backlog,
           "INVITE sip:uas@127.0.0.1:%u SIP/2.0\n"
           "v: SIP/2.0/UDP " PEER_IP ":%u;rport;branch=z9hG4bK-rport\n"
           "f: <sip:peer@127.0.0.1>;tag=rport\n"
           "t: <sip:uas@127.0.0.1>\n"
           "i: rport@127.0.0.1\n"
           "CSeq: 3 INVITE\n"
           "l: 0\n\n",
           harness->port, PEER_PORT);
    assert_int_equal(harness->sent->len, 3);
    expected = g_strdup_printf("\r\nVia: SIP/2.0/UDP " PEER_IP ":%u;rport=%u;branch=z9hG4bK-rport\r\n", PEER_PORT,
                               PEER_PORT);
    assert_non_null(strstr(last_sent(harness), expected));
    g_free(expected);
    assert_non_null(strstr(last_sent(harness), "\r\nCall-ID: rport@127.0.0.1\r\n"));

    /* A Via naming another address, or a folded header: parsed, refused
     * there; a copy the same way, with the same tag. */
    inject_named_invite(harness, backlog);
    named = assert_refused_parsed(harness, 4);
    inject_folded_invite(harness, backlog);
    folded = assert_refused_parsed(harness, 5);
    inject_folded_invite(harness, backlog);
    g_free(assert_refused_parsed(harness, 6));
    assert_string_equal(last_sent(harness), folded);

    sip_engine_get_stats(harness->engine, &stats);
    assert_int_equal(stats.overload_rejected, 6);
    assert_int_equal(stats.transactions, 0);
    assert_int_equal(harness->calls->len, 0);

    /* The backlog has passed: a late copy of a refused INVITE is refused
     * again the same way, not taken as a new call, whichever way it was
     * refused; a new INVITE is taken. */
    inject_invite(harness, 0, 7);
    run_ready();
    assert_int_equal(harness->sent->len, 7);
    assert_string_equal(last_sent(harness), first);
    inject_named_invite(harness, 0);
    run_ready();
    assert_int_equal(harness->sent->len, 8);
    assert_string_equal(last_sent(harness), named);
    inject_folded_invite(harness, 0);
    run_ready();
    assert_int_equal(harness->sent->len, 9);
    assert_string_equal(last_sent(harness), folded);
    assert_int_equal(harness->calls->len, 0);
    inject_invite(harness, 0, 8);
    run_ready();
    assert_int_equal(harness->calls->len, 1);
    g_free(first);
    g_free(named);
    g_free(folded);
}

/* libosip2 shrinks the strings it serialises with realloc(): a block that
 * still suits the new size stays where it is (glibc would split it, and the
 * piece would come back to the cache as a block of another size); one that
 * would be mostly empty, or is too small, moves, its content kept. */
static void test_block_cache_realloc(void **state)
{
    struct sip_engine *engine;
    char *block, *same, *moved, *grown;

#if !defined(__GLIBC__)
    /* The cache needs glibc's malloc_usable_size(); elsewhere (rtcshim.dll) libosip2
     * keeps its own allocators (src/sip/osip_memory.c). */
    skip();
#endif

    (void)state;
    engine = sip_engine_new(NULL, NULL, NULL, NULL);
    block = osip_malloc(48);
    strcpy(block, "sip:alice@example.org;transport=tcp");
    same = osip_realloc(block, 40);
    assert_ptr_equal(same, block);
    same[7] = '\0';
    moved = osip_realloc(same, 8);
    assert_ptr_not_equal(moved, same);
    assert_string_equal(moved, "sip:ali");
    grown = osip_realloc(moved, 4000);
    assert_string_equal(grown, "sip:ali");
    memset(grown + 8, 'x', 3990);
    osip_free(grown);
    sip_engine_free(engine);
}

/* The last engine of a thread gives the cached blocks back to malloc. */
static void test_block_cache_emptied(void **state)
{
    struct osip_memory_stats stats;
    struct sip_engine *first, *second;

#if !defined(__GLIBC__)
    /* The cache needs glibc's malloc_usable_size(); elsewhere (rtcshim.dll) libosip2
     * keeps its own allocators (src/sip/osip_memory.c). */
    skip();
#endif

    (void)state;
    first = sip_engine_new(NULL, NULL, NULL, NULL);
    second = sip_engine_new(NULL, NULL, NULL, NULL);
    sip_engine_free(first);
    osip_memory_get_stats(&stats);
    assert_true(stats.cached_blocks > 0);
    sip_engine_free(second);
    osip_memory_get_stats(&stats);
    assert_int_equal(stats.cached_blocks, 0);
    assert_int_equal(stats.cached_bytes, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] =
    {
        cmocka_unit_test(test_block_cache_realloc),
        cmocka_unit_test_setup_teardown(test_trying_when_undecided, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_trying_when_answered, setup, teardown),
        cmocka_unit_test_setup_teardown(test_receive_backlog, setup, teardown),
        cmocka_unit_test_setup_teardown(test_receive_backlog_one_stall, setup, teardown),
        cmocka_unit_test_setup_teardown(test_shed_unparsed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_undecided_calls, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pending_events_and_transactions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_invite_retired, setup, teardown),
        cmocka_unit_test_setup_teardown(test_finished_request_retired, setup, teardown),
        cmocka_unit_test_setup_teardown(test_answered_request_retired, setup, teardown),
        cmocka_unit_test_setup_teardown(test_answered_request_made_again, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bye_answered_at_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_invite_copy_after_call_gone, setup, teardown),
        cmocka_unit_test_setup_teardown(test_block_cache, setup, teardown),
        cmocka_unit_test(test_block_cache_emptied),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
