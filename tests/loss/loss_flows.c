/*
 * Call, IM and transfer flows between rtcshim clients in one process, on
 * loopback, meant to run while the kernel drops packets (run_loss.sh sets
 * up nftables in a private network namespace). Public API only, the way an
 * application uses it.
 *
 *   loss_flows FLOW[,FLOW...] REPETITIONS [udp|tcp]
 *
 * tcp: every party's URI says ;transport=tcp, so every request goes over
 * TCP (run_loss.sh tcpsyn20); UDP by default.
 * FLOW: rtc-call rtc-im rtc-blind rtc-attended ucc-call ucc-im ucc-blind
 * ucc-consultative. Every repetition is one cmocka test with fresh clients
 * on fresh ports. Each must end with the same events as without loss
 * (only later), session by session; the only events allowed to be missing
 * are those a provisional response raises (ringing, "180" progress), since
 * SIP never retransmits a provisional response (RFC 3261 §17.2.1). Every
 * flow ends the way an application that exits does: PrepareForShutdown and
 * RTCCET_ASYNC_CLEANUP_DONE, then Shutdown (RTC); Disable and OnDisable
 * (UCC); the transferee does so while its call to the target is still up,
 * and the target must then see that call end: nobody may be left with a
 * call the others have ended.
 *
 * Prints one line per flow: "loss-result FLOW SUCCEEDED TOTAL"; a failed
 * repetition also prints its parties ("trace party NAME URI") and the SIP
 * messages its engines sent and received ("trace SECONDS ..."), one a line.
 * Exit status: the number of failed repetitions (0: all succeeded).
 */
#include <stdio.h>
#include <string.h>
#include "../inproc/rtc_party.h"
#include "../inproc/test_ucc_party.h"
#include <rtcshim.h>

/* One step of a flow (the other side saw it) may take this long: longer
 * than any transaction's timeout (64*T1 = 32 s), so only a real failure
 * runs out of it. A whole repetition may take REPETITION_MS: a failed one
 * gives up there rather than wait out each of its steps. Both scaled by
 * RTCSHIM_TEST_TIME_SCALE. */
#define STEP_MS 40000
#define REPETITION_MS 120000

#define S_202 "0x00ef00ca"
#define S_100 "0x00ef0064"
#define S_180 "0x00ef00b4"
#define S_200 "0x00ef00c8"

static gint64 repetition_deadline;     /* monotonic us */

/* How long the next step may wait (unscaled ms, as party_wait and
 * ucc_sink_wait take it): STEP_MS, or what is left of the repetition. */
static int step_ms(void)
{
    gint64 left = (repetition_deadline - g_get_monotonic_time()) / 1000 / test_time_scale();

    return (int)CLAMP(left, 1, STEP_MS);
}

/* ---- matching event sequences ------------------------------------------------------------- */

/* actual (char * lines) against expected, items joined by '|'; an item that
 * starts with '?' may be missing (a provisional response's event). */
static gboolean lines_match(GPtrArray *actual, const char *expected)
{
    char **items = g_strsplit(expected, "|", -1);
    guint i = 0, e;
    gboolean ok = TRUE;

    for (e = 0; items[e] && ok; e++)
    {
        const char *item = items[e][0] == '?' ? items[e] + 1 : items[e];

        if (!*item)
            continue;
        if (i < actual->len && !strcmp(g_ptr_array_index(actual, i), item))
            i++;
        else if (items[e][0] != '?')
            ok = FALSE;
    }
    g_strfreev(items);
    return ok && i == actual->len;
}

static char *lines_joined(GPtrArray *lines)
{
    GString *out = g_string_new(NULL);
    guint i;

    for (i = 0; i < lines->len; i++)
        g_string_append_printf(out, "%s%s", i ? "|" : "", (char *)g_ptr_array_index(lines, i));
    return g_string_free(out, FALSE);
}

static void assert_lines_match(const char *who, GPtrArray *actual, const char *expected)
{
    if (!lines_match(actual, expected))
    {
        char *got = lines_joined(actual);

        print_error("%s:\n  got      %s\n  expected %s\n", who, got, expected);
        g_free(got);
        if (!g_getenv("LOSS_FLOWS_ALL"))
            fail();
    }
}

/* ---- what a repetition holds: let go by the teardown, also after a failure ------------------ */

static GPtrArray *held;                 /* IUnknown *, referenced */
static GPtrArray *rtc_actors;           /* struct rtc_actor * */
static GPtrArray *ucc_actors;           /* struct ucc_actor * */
static BOOL ucc_started;

/* Keeps object (an RTC or UCC session) until the repetition ends; returns it. */
static void *hold(void *object)
{
    g_ptr_array_add(held, object);
    return object;
}

/* ---- the repetition's SIP traffic, printed when it fails ----------------------------------- */

/* With one failure in hundreds of repetitions the events alone rarely say
 * which message went missing: the engines' message trace (debug logging of
 * the "rtcshim" domain, see main) is kept for the running repetition, one
 * line a message, and printed only if it fails. */
#define TRACE_LINES 600

static GQueue trace = G_QUEUE_INIT;     /* char *, oldest first */
static gint64 trace_start;              /* monotonic us: the repetition's start */
static BOOL repetition_passed;

static void trace_reset(void)
{
    g_queue_clear_full(&trace, g_free);
    trace_start = g_get_monotonic_time();
}

/* The value of header name (or its compact form) in a traced message, up to the line's end. */
static char *trace_header(const char *text, const char *name, const char *compact)
{
    const char *line;

    for (line = strchr(text, '\n'); line; line = strchr(line + 1, '\n'))
    {
        const char *p = line + 1;
        gsize length = strlen(name);

        if (!g_ascii_strncasecmp(p, name, length) && p[length] == ':')
            p += length + 1;
        else if (compact && !g_ascii_strncasecmp(p, compact, 1) && (p[1] == ':' || p[1] == ' '))
            p = strchr(p, ':') ? strchr(p, ':') + 1 : p + 1;
        else
            continue;
        while (*p == ' ')
            p++;
        return g_strndup(p, strcspn(p, "\r\n"));
    }
    return g_strdup("?");
}

/* "send to UDP host:port (n bytes)\n<message>" becomes one line: where, the
 * start line, Call-ID and CSeq; other engine lines are kept as they are. */
static char *trace_line(const char *message)
{
    double seconds = (g_get_monotonic_time() - trace_start) / 1e6;
    const char *start = strchr(message, '\n');
    char *where, *first, *call_id, *cseq, *line;

    if (!start || (strncmp(message, "send to ", 8) && strncmp(message, "received from ", 14)))
        return g_strdup_printf("%8.3f %.200s", seconds, message);
    where = g_strndup(message, strcspn(message, "("));
    first = g_strndup(start + 1, strcspn(start + 1, "\r\n"));
    call_id = trace_header(start, "Call-ID", "i");
    cseq = trace_header(start, "CSeq", NULL);
    line = g_strdup_printf("%8.3f %s| %.100s | %.12s | %s", seconds, where, first, call_id, cseq);
    g_free(where), g_free(first), g_free(call_id), g_free(cseq);
    return line;
}

static GLogWriterOutput trace_writer(GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer data)
{
    const char *message = NULL;
    gsize i;

    /* Debug and info are what G_MESSAGES_DEBUG turned on (main): kept, not printed. */
    if (!(level & (G_LOG_LEVEL_DEBUG | G_LOG_LEVEL_INFO)))
        return g_log_writer_default(level, fields, n_fields, data);
    for (i = 0; i < n_fields; i++)
        if (!strcmp(fields[i].key, "MESSAGE") && fields[i].length < 0)
            message = fields[i].value;
    /* libosip2's own lines (transactions made and freed) say nothing the messages do not. */
    if (message && strncmp(message, "libosip2 ", 9))
    {
        g_queue_push_tail(&trace, trace_line(message));
        if (trace.length > TRACE_LINES)
            g_free(g_queue_pop_head(&trace));
    }
    return G_LOG_WRITER_HANDLED;
}

static void trace_print(void)
{
    GList *link;

    printf("trace of the failed repetition (last %u lines; each engine logs what it sends and what reaches it):\n",
           trace.length);
    for (link = trace.head; link; link = link->next)
        printf("trace %s\n", (char *)link->data);
    fflush(stdout);
}

/* ---- RTC: a party whose events are filed per session -------------------------------------- */

struct rtc_actor
{
    struct party party;                 /* first: the hook gets &actor->party */
    GPtrArray *sessions;                /* IRTCSession *, referenced, in order of their first event */
    GPtrArray *session_logs;            /* GPtrArray * of char *, one per session */
    GPtrArray *other_log;               /* events of no session (media, client) */
    BOOL transferee;                    /* accepts REFERs and calls the target, as rtc_answer does */
    IRTCSessionReferredEvent *referral; /* the transfer being carried out */
    IRTCSession *transfer_session;      /* its call to the target */
    BOOL shut_down;
};

static IRTCSession *session_of_event(RTC_EVENT type, IDispatch *event)
{
    IRTCSessionStateChangeEvent *state_change;
    IRTCParticipantStateChangeEvent *participant_change;
    IRTCSessionOperationCompleteEvent *complete;
    IRTCMessagingEvent *messaging;
    IRTCInfoEvent *info;
    IRTCSessionReferStatusEvent *refer_status;
    IRTCSessionReferredEvent *referred;
    IRTCParticipant *participant = NULL;
    IRTCSession *session = NULL;
    IRTCSession2 *session2 = NULL;

    switch (type)
    {
    case RTCE_SESSION_STATE_CHANGE:
        if (SUCCEEDED(IDispatch_QueryInterface(event, &IID_IRTCSessionStateChangeEvent, (void **)&state_change)))
        {
            IRTCSessionStateChangeEvent_get_Session(state_change, &session);
            IRTCSessionStateChangeEvent_Release(state_change);
        }
        break;
    case RTCE_PARTICIPANT_STATE_CHANGE:
        if (SUCCEEDED(IDispatch_QueryInterface(event, &IID_IRTCParticipantStateChangeEvent,
                                               (void **)&participant_change)))
        {
            IRTCParticipantStateChangeEvent_get_Participant(participant_change, &participant);
            IRTCParticipantStateChangeEvent_Release(participant_change);
        }
        if (participant)
        {
            IRTCParticipant_get_Session(participant, &session);
            IRTCParticipant_Release(participant);
        }
        break;
    case RTCE_SESSION_OPERATION_COMPLETE:
        if (SUCCEEDED(IDispatch_QueryInterface(event, &IID_IRTCSessionOperationCompleteEvent, (void **)&complete)))
        {
            IRTCSessionOperationCompleteEvent_get_Session(complete, &session);
            IRTCSessionOperationCompleteEvent_Release(complete);
        }
        break;
    case RTCE_MESSAGING:
        if (SUCCEEDED(IDispatch_QueryInterface(event, &IID_IRTCMessagingEvent, (void **)&messaging)))
        {
            IRTCMessagingEvent_get_Session(messaging, &session);
            IRTCMessagingEvent_Release(messaging);
        }
        break;
    case RTCE_INFO:
        if (SUCCEEDED(IDispatch_QueryInterface(event, &IID_IRTCInfoEvent, (void **)&info)))
        {
            IRTCInfoEvent_get_Session(info, &session2);
            IRTCInfoEvent_Release(info);
        }
        break;
    case RTCE_SESSION_REFER_STATUS:
        if (SUCCEEDED(IDispatch_QueryInterface(event, &IID_IRTCSessionReferStatusEvent, (void **)&refer_status)))
        {
            IRTCSessionReferStatusEvent_get_Session(refer_status, &session2);
            IRTCSessionReferStatusEvent_Release(refer_status);
        }
        break;
    case RTCE_SESSION_REFERRED:
        if (SUCCEEDED(IDispatch_QueryInterface(event, &IID_IRTCSessionReferredEvent, (void **)&referred)))
        {
            IRTCSessionReferredEvent_get_Session(referred, &session2);
            IRTCSessionReferredEvent_Release(referred);
        }
        break;
    default:
        break;
    }
    if (session2)
    {
        IRTCSession2_QueryInterface(session2, &IID_IRTCSession, (void **)&session);
        IRTCSession2_Release(session2);
    }
    return session;
}

static GPtrArray *session_log(struct rtc_actor *actor, IRTCSession *session)
{
    guint i;

    for (i = 0; i < actor->sessions->len; i++)
        if (g_ptr_array_index(actor->sessions, i) == session)
            return g_ptr_array_index(actor->session_logs, i);
    IRTCSession_AddRef(session);
    g_ptr_array_add(actor->sessions, session);
    g_ptr_array_add(actor->session_logs, g_ptr_array_new_with_free_func(g_free));
    return g_ptr_array_index(actor->session_logs, actor->sessions->len - 1);
}

/* The transferee's side, as rtc_answer does it: accept, call the target with
 * Referred-By and the cookie, report that call's outcome. */
static void transferee_event(struct rtc_actor *actor, RTC_EVENT type, IDispatch *event)
{
    if (type == RTCE_SESSION_REFERRED)
    {
        IRTCSessionReferredEvent *referred;
        IRTCSessionCallControl *control;
        BSTR to = NULL, by = NULL, cookie = NULL;

        IDispatch_QueryInterface(event, &IID_IRTCSessionReferredEvent, (void **)&referred);
        assert_int_equal(IRTCSessionReferredEvent_Accept(referred), S_OK);
        IRTCSessionReferredEvent_get_ReferToURI(referred, &to);
        IRTCSessionReferredEvent_get_ReferredByURI(referred, &by);
        IRTCSessionReferredEvent_get_ReferCookie(referred, &cookie);
        assert_int_equal(IRTCClient_CreateSession(actor->party.client, RTCST_PC_TO_PC, NULL, NULL, 0,
                                                  &actor->transfer_session), S_OK);
        IRTCSession_QueryInterface(actor->transfer_session, &IID_IRTCSessionCallControl, (void **)&control);
        IRTCSessionCallControl_put_ReferredByURI(control, by);
        IRTCSessionCallControl_put_ReferCookie(control, cookie);
        IRTCSessionCallControl_Release(control);
        assert_int_equal(IRTCSession_AddParticipant(actor->transfer_session, to, NULL, NULL), S_OK);
        SysFreeString(to), SysFreeString(by), SysFreeString(cookie);
        actor->referral = referred;
    }
    else if (type == RTCE_SESSION_STATE_CHANGE && actor->referral && actor->transfer_session)
    {
        IRTCSessionStateChangeEvent *change;
        IRTCSession *session;
        RTC_SESSION_STATE state;

        IDispatch_QueryInterface(event, &IID_IRTCSessionStateChangeEvent, (void **)&change);
        IRTCSessionStateChangeEvent_get_Session(change, &session);
        IRTCSessionStateChangeEvent_get_State(change, &state);
        if (session == actor->transfer_session && (state == RTCSS_CONNECTED || state == RTCSS_DISCONNECTED))
        {
            assert_int_equal(IRTCSessionReferredEvent_SetReferredSessionState(actor->referral, state), S_OK);
            IRTCSessionReferredEvent_Release(actor->referral);
            actor->referral = NULL;
        }
        IRTCSession_Release(session);
        IRTCSessionStateChangeEvent_Release(change);
    }
}

static void actor_hook(struct party *party, RTC_EVENT type, IDispatch *event)
{
    struct rtc_actor *actor = (struct rtc_actor *)party;
    const char *line = g_ptr_array_index(party->log, party->log->len - 1);
    IRTCSession *session = session_of_event(type, event);

    g_ptr_array_add(session ? session_log(actor, session) : actor->other_log, g_strdup(line));
    if (session)
        IRTCSession_Release(session);
    if (actor->transferee)
        transferee_event(actor, type, event);
}

static void release_session(gpointer session)
{
    IRTCSession_Release((IRTCSession *)session);
}

static struct rtc_actor *actor_new(const char *name)
{
    struct rtc_actor *actor = g_new0(struct rtc_actor, 1);

    party_init(&actor->party, name);
    actor->party.hook = actor_hook;
    actor->party.answer = ANSWER_AT_ONCE;
    actor->sessions = g_ptr_array_new_with_free_func(release_session);
    actor->session_logs = g_ptr_array_new_with_free_func((GDestroyNotify)g_ptr_array_unref);
    actor->other_log = g_ptr_array_new_with_free_func(g_free);
    actor->transferee = FALSE;
    actor->referral = NULL;
    actor->transfer_session = NULL;
    actor->shut_down = FALSE;
    g_ptr_array_add(rtc_actors, actor);
    return actor;
}

static void actor_cleanup(struct rtc_actor *actor)
{
    if (actor->referral)
        IRTCSessionReferredEvent_Release(actor->referral);
    if (actor->transfer_session)
        IRTCSession_Release(actor->transfer_session);
    g_ptr_array_free(actor->sessions, TRUE);
    g_ptr_array_free(actor->session_logs, TRUE);
    g_ptr_array_free(actor->other_log, TRUE);
    party_cleanup(&actor->party);
    g_free(actor);
}

static gboolean actor_wait(struct rtc_actor *actor, const char *line)
{
    return party_wait(&actor->party, line, step_ms());
}

/* Session number n's events (0: the first to report one). */
static void assert_session(struct rtc_actor *actor, guint n, const char *expected)
{
    char who[64];

    g_snprintf(who, sizeof(who), "%s, session %u", actor->party.name, n);
    if (n >= actor->session_logs->len)
    {
        print_error("%s: no such session (%u reported events)\n", who, actor->session_logs->len);
        fail();
    }
    assert_lines_match(who, g_ptr_array_index(actor->session_logs, n), expected);
}

static void assert_sessions(struct rtc_actor *actor, guint count)
{
    if (actor->session_logs->len != count)
        print_error("%s: %u sessions reported events, expected %u\n", actor->party.name,
                    actor->session_logs->len, count);
    assert_int_equal(actor->session_logs->len, count);
}

/* What an application does before it exits: PrepareForShutdown, wait for
 * RTCCET_ASYNC_CLEANUP_DONE, Shutdown. Every session ends on the way. */
static void actor_exit(struct rtc_actor *actor)
{
    assert_int_equal(IRTCClient2_PrepareForShutdown((IRTCClient2 *)actor->party.client), S_OK);
    assert_true(actor_wait(actor, "client CLEANUP_DONE"));
    assert_int_equal(IRTCClient_Shutdown(actor->party.client), S_OK);
    actor->shut_down = TRUE;
}

static HRESULT refer(IRTCSession *session, const WCHAR *uri, const char *cookie)
{
    IRTCSessionCallControl *control;
    BSTR buri = SysAllocString(uri), bcookie = cookie ? bstr(cookie) : NULL;
    HRESULT hr;

    IRTCSession_QueryInterface(session, &IID_IRTCSessionCallControl, (void **)&control);
    hr = IRTCSessionCallControl_Refer(control, buri, bcookie);
    IRTCSessionCallControl_Release(control);
    SysFreeString(buri);
    SysFreeString(bcookie);
    return hr;
}

static WCHAR *wide(const char *utf8)
{
    return (WCHAR *)g_utf8_to_ucs4(utf8, -1, NULL, NULL, NULL);
}

/* The caller's and the callee's side of a call that connects and ends. */
#define CALLER_CONNECTS "participant PENDING 0|session INPROGRESS 0|?participant INPROGRESS 0|?participant ALERTING 0|" \
                        "participant CONNECTED 0|session CONNECTED 0"
#define CALLEE_CONNECTS "session INCOMING 0|participant ANSWERING 0|session ANSWERING 0|participant CONNECTED 0|" \
                        "session CONNECTED 0"
#define ENDS "participant DISCONNECTED 0|session DISCONNECTED 0"

/* ---- RTC flows ------------------------------------------------------------------------------ */

/* alice calls bob, bob answers, alice hangs up; both exit. */
static void rtc_call(void **state)
{
    struct rtc_actor *alice = actor_new("alice"), *bob = actor_new("bob");
    IRTCSession *session;

    (void)state;
    session = hold(party_call(&alice->party, &bob->party, RTCST_PC_TO_PC));
    assert_true(actor_wait(alice, "session CONNECTED 0"));
    assert_true(actor_wait(bob, "session CONNECTED 0"));
    assert_int_equal(IRTCSession_Terminate(session, RTCTR_NORMAL), S_OK);
    assert_true(actor_wait(alice, "session DISCONNECTED 0"));
    assert_true(actor_wait(bob, "session DISCONNECTED 0"));
    actor_exit(alice);
    actor_exit(bob);

    assert_sessions(alice, 1);
    assert_session(alice, 0, CALLER_CONNECTS "|" ENDS);
    assert_sessions(bob, 1);
    assert_session(bob, 0, CALLEE_CONNECTS "|" ENDS);
}

/* alice and bob exchange instant messages (page mode, MESSAGE) both ways. */
static void rtc_im(void **state)
{
    struct rtc_actor *alice = actor_new("alice"), *bob = actor_new("bob");
    IRTCSession *session;
    BSTR text;

    (void)state;
    session = hold(party_call(&alice->party, &bob->party, RTCST_IM));
    assert_true(actor_wait(alice, "session CONNECTED 0"));
    text = bstr("hello bob");
    assert_int_equal(IRTCSession_SendMessage(session, NULL, text, 11), S_OK);
    SysFreeString(text);
    assert_true(actor_wait(alice, "complete 11 0"));
    assert_true(actor_wait(bob, "message hello bob"));
    text = bstr("hi alice");
    assert_int_equal(IRTCSession_SendMessage(bob->party.incoming, NULL, text, 12), S_OK);
    SysFreeString(text);
    assert_true(actor_wait(bob, "complete 12 0"));
    assert_true(actor_wait(alice, "message hi alice"));
    assert_int_equal(IRTCSession_Terminate(session, RTCTR_NORMAL), S_OK);
    assert_true(actor_wait(alice, "session DISCONNECTED 0"));
    actor_exit(alice);
    actor_exit(bob);

    assert_sessions(alice, 1);
    assert_session(alice, 0, "participant PENDING 0|session INPROGRESS 0|participant CONNECTED 0|"
                             "session CONNECTED 0|complete 11 0|message hi alice|" ENDS);
    assert_sessions(bob, 1);
    assert_session(bob, 0, "session INCOMING 0|participant CONNECTED 0|session CONNECTED 0|message hello bob|"
                           "complete 12 0|" ENDS);
}

/* The end of both transfers: alice hangs up when the transfer is done; bob
 * (the transferee) exits while his call to carol is up: carol must see it end. */
static void transfer_end(struct rtc_actor *alice, struct rtc_actor *bob, struct rtc_actor *carol,
                         IRTCSession *to_bob)
{
    assert_true(actor_wait(alice, "refer DONE " S_200));
    assert_int_equal(IRTCSession_Terminate(to_bob, RTCTR_NORMAL), S_OK);
    assert_true(actor_wait(carol, "session CONNECTED 0"));
    assert_true(actor_wait(bob, "session DISCONNECTED 0"));
    assert_true(actor_wait(bob, "participant CONNECTED 0"));
    actor_exit(bob);
    assert_true(actor_wait(carol, "session DISCONNECTED 0"));
    actor_exit(alice);
    actor_exit(carol);
}

#define TRANSFEROR_REFERS "session REFER 0|refer REFERRING 0|refer ACCEPTED " S_202 "|refer ACCEPTED " S_100 "|" \
                          "?refer ACCEPTED " S_180 "|refer DONE " S_200 "|session CONNECTED 0"

/* alice refers bob to carol as soon as her call to bob is connected, as the
 * transferor of issue 15 did. */
static void rtc_blind(void **state)
{
    struct rtc_actor *alice = actor_new("alice"), *bob = actor_new("bob"), *carol = actor_new("carol");
    IRTCSession *to_bob;
    WCHAR *target;
    char *referred;

    (void)state;
    bob->transferee = TRUE;
    to_bob = hold(party_call(&alice->party, &bob->party, RTCST_PC_TO_PC));
    assert_true(actor_wait(alice, "session CONNECTED 0"));
    target = wide(carol->party.uri);
    assert_int_equal(refer(to_bob, target, "cookie-15"), S_OK);
    g_free(target);
    transfer_end(alice, bob, carol, to_bob);

    assert_sessions(alice, 1);
    assert_session(alice, 0, CALLER_CONNECTS "|" TRANSFEROR_REFERS "|" ENDS);
    assert_sessions(bob, 2);
    referred = g_strdup_printf(CALLEE_CONNECTS "|referred %s by %s cookie cookie-15|" ENDS, carol->party.uri,
                               alice->party.uri);
    assert_session(bob, 0, referred);
    g_free(referred);
    assert_session(bob, 1, CALLER_CONNECTS "|" ENDS);
    assert_sessions(carol, 1);
    assert_session(carol, 0, CALLEE_CONNECTS "|" ENDS);
}

/* Attended: alice talks to carol first, then refers bob to carol with
 * Replaces; carol takes bob's call in place of alice's and ends hers. */
static void rtc_attended(void **state)
{
    struct rtc_actor *alice = actor_new("alice"), *bob = actor_new("bob"), *carol = actor_new("carol");
    IRTCSession *to_bob, *to_carol;
    char *referred, *uri;
    BSTR refer_to;

    (void)state;
    bob->transferee = TRUE;
    to_bob = hold(party_call(&alice->party, &bob->party, RTCST_PC_TO_PC));
    assert_true(actor_wait(alice, "session CONNECTED 0"));
    to_carol = hold(party_call(&alice->party, &carol->party, RTCST_PC_TO_PC));
    assert_true(actor_wait(carol, "session CONNECTED 0"));
    assert_int_equal(rtcshim_build_attended_refer_to(to_carol, &refer_to), S_OK);
    assert_int_equal(refer(to_bob, refer_to, NULL), S_OK);
    uri = g_ucs4_to_utf8((const gunichar *)refer_to, -1, NULL, NULL, NULL);
    SysFreeString(refer_to);
    transfer_end(alice, bob, carol, to_bob);

    assert_sessions(alice, 2);
    assert_session(alice, 0, CALLER_CONNECTS "|" TRANSFEROR_REFERS "|" ENDS);
    assert_session(alice, 1, CALLER_CONNECTS "|" ENDS);
    assert_sessions(bob, 2);
    referred = g_strdup_printf(CALLEE_CONNECTS "|referred %s by %s cookie |" ENDS, uri, alice->party.uri);
    assert_session(bob, 0, referred);
    g_free(referred);
    g_free(uri);
    assert_session(bob, 1, CALLER_CONNECTS "|" ENDS);
    assert_sessions(carol, 2);
    assert_session(carol, 0, CALLEE_CONNECTS "|" ENDS);
    assert_session(carol, 1, "participant ANSWERING 0|session ANSWERING 0|participant CONNECTED 0|"
                             "session CONNECTED 0|" ENDS);
}

/* ---- UCC: a party whose sessions carry numbered labels ------------------------------------ */

struct ucc_actor
{
    struct ucc_party party;
    unsigned int sessions;              /* labels <name>.s1, .s2 ... */
    BOOL disabled;
};

/* "<name>.s<n>" style labels: n counts the party's sessions, in or out. */
static void ucc_label(struct ucc_actor *actor, char *label, gsize size, const char *kind, unsigned int n)
{
    g_snprintf(label, size, "%s.%s%u", actor->party.name, kind, n);
}

static char *transfer_progress(IUnknown *data)
{
    IUccOperationProgressEvent *progress = NULL;
    IUccOperationContext *context = NULL;
    VARIANT_BOOL complete = VARIANT_FALSE;
    HRESULT status = E_FAIL;
    LONG_PTR id = 0;
    char *status_text, *line;

    if (!data || FAILED(IUnknown_QueryInterface(data, &IID_IUccOperationProgressEvent, (void **)&progress)))
        return g_strdup("(no progress)");
    IUccOperationProgressEvent_get_OriginalOperationContext(progress, &context);
    IUccOperationProgressEvent_get_IsComplete(progress, &complete);
    IUccOperationProgressEvent_get_StatusCode(progress, &status);
    if (context)
    {
        IUccOperationContext_get_OperationId(context, &id);
        IUccOperationContext_Release(context);
    }
    status_text = ucc_sink_status(status);
    line = g_strdup_printf("%ld %s %s", (long)id, complete == VARIANT_TRUE ? "complete" : "progress", status_text);
    g_free(status_text);
    IUccOperationProgressEvent_Release(progress);
    return line;
}

static void ucc_actor_hook(struct ucc_sink *sink, const char *label, REFIID diid, DISPID dispid, IUnknown *source,
                           IUnknown *data)
{
    struct ucc_actor *actor = sink->user;
    IUccSessionParticipant *inviter;
    UCC_SESSION_TYPE type;
    char l[40];
    unsigned int n;

    (void)source;
    /* The transferor's progress: operation, complete or not, status. */
    if (IsEqualIID(diid, &DIID__IUccSessionCallControlEvents)
        && (dispid == DISPID__IUccSessionCallControlEvents_OnBlindTransfer
            || dispid == DISPID__IUccSessionCallControlEvents_OnConsultativeTransfer))
    {
        char *progress = transfer_progress(data);
        guint last = sink->log->len - 1;

        g_free(g_ptr_array_index(sink->log, last));
        g_ptr_array_index(sink->log, last) = g_strdup_printf("%s %s %s", label,
            dispid == DISPID__IUccSessionCallControlEvents_OnBlindTransfer ? "OnBlindTransfer" : "OnConsultativeTransfer",
            progress);
        g_free(progress);
        return;
    }
    if (!IsEqualIID(diid, &DIID__IUccSessionManagerEvents) || dispid != DISPID__IUccSessionManagerEvents_OnIncomingSession)
        return;
    /* An incoming session: advise it and its inviter with the next number, accept. */
    n = ++actor->sessions;
    ucc_label(actor, l, sizeof(l), "s", n);
    assert_hr(ucc_sink_advise(sink, (IUnknown *)sink->incoming_session, &DIID__IUccSessionEvents, l), S_OK);
    assert_hr(ucc_sink_advise(sink, (IUnknown *)sink->incoming_session, &DIID__IUccSessionParticipantCollectionEvents,
                              l), S_OK);
    ucc_label(actor, l, sizeof(l), "cc", n);
    assert_hr(ucc_sink_advise(sink, (IUnknown *)sink->incoming_session, &DIID__IUccSessionCallControlEvents, l), S_OK);
    IUccSession_get_Type(sink->incoming_session, &type);
    if (type == UCCST_INSTANT_MESSAGING)
    {
        ucc_label(actor, l, sizeof(l), "ims", n);
        assert_hr(ucc_sink_advise(sink, (IUnknown *)sink->incoming_session, &DIID__IUccInstantMessagingSessionEvents,
                                  l), S_OK);
    }
    assert_hr(IUccIncomingSessionEvent_get_Inviter(sink->incoming, &inviter), S_OK);
    ucc_label(actor, l, sizeof(l), "p", n);
    assert_hr(ucc_sink_advise(sink, (IUnknown *)inviter, &DIID__IUccSessionParticipantEvents, l), S_OK);
    if (type == UCCST_INSTANT_MESSAGING)
    {
        ucc_label(actor, l, sizeof(l), "im", n);
        assert_hr(ucc_sink_advise(sink, (IUnknown *)inviter, &DIID__IUccInstantMessagingSessionParticipantEvents, l),
                  S_OK);
    }
    IUccSessionParticipant_Release(inviter);
    assert_hr(IUccIncomingSessionEvent_Accept(sink->incoming), S_OK);
}

/* A UCC party on the process's platform (started with the first one). */
static struct ucc_actor *ucc_actor_new(const char *name)
{
    struct ucc_actor *actor = g_new0(struct ucc_actor, 1);

    if (!ucc_started)
    {
        ucc_platform_start();
        ucc_started = TRUE;
    }
    ucc_party_init(&actor->party, name, 0);
    actor->party.sink.hook = ucc_actor_hook;
    actor->party.sink.user = actor;
    g_ptr_array_add(ucc_actors, actor);
    return actor;
}

static gboolean ucc_actor_wait(struct ucc_actor *actor, const char *line)
{
    return ucc_sink_wait(&actor->party.sink, line, step_ms());
}

/* A session to uri (AV or IM) with the next number; AddParticipant operation op. */
static IUccSession *ucc_actor_invite(struct ucc_actor *from, const char *uri, UCC_SESSION_TYPE type,
                                     IUccContext *context, LONG_PTR op)
{
    unsigned int n = ++from->sessions;
    IUccSessionParticipant *participant;
    IUccOperationContext *operation = ucc_operation(op);
    IUccSession *session;
    IUccUri *target = ucc_parse(uri);
    char l[40];

    assert_hr(IUccSessionManager_CreateSession(from->party.manager, type, context, &session), S_OK);
    ucc_label(from, l, sizeof(l), "s", n);
    assert_hr(ucc_sink_advise(&from->party.sink, (IUnknown *)session, &DIID__IUccSessionEvents, l), S_OK);
    assert_hr(ucc_sink_advise(&from->party.sink, (IUnknown *)session, &DIID__IUccSessionParticipantCollectionEvents, l),
              S_OK);
    ucc_label(from, l, sizeof(l), "cc", n);
    assert_hr(ucc_sink_advise(&from->party.sink, (IUnknown *)session, &DIID__IUccSessionCallControlEvents, l), S_OK);
    if (type == UCCST_INSTANT_MESSAGING)
    {
        ucc_label(from, l, sizeof(l), "ims", n);
        assert_hr(ucc_sink_advise(&from->party.sink, (IUnknown *)session, &DIID__IUccInstantMessagingSessionEvents, l),
                  S_OK);
    }
    assert_hr(IUccSession_CreateParticipant(session, target, NULL, &participant), S_OK);
    IUccUri_Release(target);
    ucc_label(from, l, sizeof(l), "p", n);
    assert_hr(ucc_sink_advise(&from->party.sink, (IUnknown *)participant, &DIID__IUccSessionParticipantEvents, l),
              S_OK);
    if (type == UCCST_INSTANT_MESSAGING)
    {
        ucc_label(from, l, sizeof(l), "im", n);
        assert_hr(ucc_sink_advise(&from->party.sink, (IUnknown *)participant,
                                  &DIID__IUccInstantMessagingSessionParticipantEvents, l), S_OK);
    }
    assert_hr(IUccSession_AddParticipant(session, participant, operation), S_OK);
    IUccSessionParticipant_Release(participant);
    IUccOperationContext_Release(operation);
    return session;
}

/* The lines of session n ("<name>.s<n>", ".p<n>", ".cc<n>", ".ims<n>", ".im<n>"),
 * or with n == 0 those of the endpoint and session manager. */
static GPtrArray *ucc_session_lines(struct ucc_actor *actor, unsigned int n)
{
    static const char *const kinds[] = { "s", "p", "cc", "ims", "im" };
    GPtrArray *lines = g_ptr_array_new_with_free_func(g_free);
    guint i, k;

    for (i = 0; i < actor->party.sink.log->len; i++)
    {
        const char *line = g_ptr_array_index(actor->party.sink.log, i);
        const char *space = strchr(line, ' ');
        gboolean mine = FALSE;
        char label[40];

        if (!space)
            continue;
        for (k = 0; k < G_N_ELEMENTS(kinds) && !mine; k++)
        {
            ucc_label(actor, label, sizeof(label), kinds[k], n);
            mine = n && (gsize)(space - line) == strlen(label) && !strncmp(line, label, space - line);
        }
        if (!n)
        {
            g_snprintf(label, sizeof(label), "%s.ep ", actor->party.name);
            mine = g_str_has_prefix(line, label);
            g_snprintf(label, sizeof(label), "%s.sm ", actor->party.name);
            mine = mine || g_str_has_prefix(line, label);
        }
        if (mine)
            g_ptr_array_add(lines, g_strdup(line));
    }
    return lines;
}

/* Session n's lines with "%N" in expected replaced by the session's labels' number. */
static void ucc_assert_session(struct ucc_actor *actor, unsigned int n, const char *expected)
{
    GPtrArray *lines = ucc_session_lines(actor, n);
    char who[64], number[16], **parts;
    char *wanted;

    g_snprintf(number, sizeof(number), "%u", n);
    parts = g_strsplit(expected, "%N", -1);
    wanted = g_strjoinv(number, parts);
    g_strfreev(parts);
    g_snprintf(who, sizeof(who), "%s, session %u", actor->party.name, n);
    assert_lines_match(who, lines, wanted);
    g_free(wanted);
    g_ptr_array_free(lines, TRUE);
}

/* What an application does before it goes: Disable, OnDisable. */
static void ucc_actor_exit(struct ucc_actor *actor)
{
    IUccOperationContext *operation = ucc_operation(99);
    char line[64];

    assert_hr(IUccEndpoint_Disable(actor->party.endpoint, operation), S_OK);
    IUccOperationContext_Release(operation);
    g_snprintf(line, sizeof(line), "%s.ep OnDisable 0", actor->party.name);
    assert_true(ucc_actor_wait(actor, line));
    actor->disabled = TRUE;
}

static char *format(const char *format, ...) G_GNUC_PRINTF(1, 2);
static char *format(const char *format, ...)
{
    va_list args;
    char *text;

    va_start(args, format);
    text = g_strdup_vprintf(format, args);
    va_end(args);
    return text;
}

/* Format strings: the caller's side (arguments: name, callee's URI, name, name, name), its
 * end (name, name, callee's URI, name; then the OnTerminate operation and status), the
 * callee's end (name, name, caller's URI, name). */
#define UCC_CALLER_CONNECTS "%s.s%%N OnParticipantAdded %s|%s.p%%N OnStateChanged IDLE->CONNECTING NORMAL 0|" \
                            "?%s.p%%N OnStateChanged CONNECTING->CONNECTING RINGING 0|" \
                            "%s.p%%N OnStateChanged CONNECTING->CONNECTED NORMAL 0"
#define UCC_CALLER_ENDS "%s.p%%N OnStateChanged CONNECTED->DISCONNECTED NORMAL 0|%s.s%%N OnParticipantRemoved %s|" \
                        "%s.s%%N OnTerminate "
#define UCC_CALLEE_ENDS "%s.p%%N OnStateChanged CONNECTED->DISCONNECTED REMOTE_HANGUP_ACTION 0|" \
                        "%s.s%%N OnParticipantRemoved %s|%s.s%%N OnTerminate - 0"

/* ---- UCC flows ------------------------------------------------------------------------------ */

/* alice calls bob (AV), bob accepts, alice hangs up; both are disabled. */
static void ucc_call(void **state)
{
    struct ucc_actor *alice = ucc_actor_new("alice"), *bob = ucc_actor_new("bob");
    IUccOperationContext *operation;
    IUccSession *session;
    char *expected;

    (void)state;
    session = hold(ucc_actor_invite(alice, bob->party.uri, UCCST_AUDIO_VIDEO, NULL, 1));
    assert_true(ucc_actor_wait(alice, "alice.s1 OnAddParticipant 1 0"));
    assert_true(ucc_actor_wait(bob, "bob.p1 OnStateChanged CONNECTING->CONNECTED NORMAL 0"));
    operation = ucc_operation(2);
    assert_hr(IUccSession_Terminate(session, UCCROTR_NOT_SPECIFIED, operation), S_OK);
    IUccOperationContext_Release(operation);
    assert_true(ucc_actor_wait(alice, "alice.s1 OnTerminate 2 0"));
    assert_true(ucc_actor_wait(bob, "bob.s1 OnTerminate - 0"));
    ucc_actor_exit(alice);
    ucc_actor_exit(bob);

    expected = format(UCC_CALLER_CONNECTS "|alice.s%%N OnAddParticipant 1 0|" UCC_CALLER_ENDS "2 0", "alice",
                      bob->party.uri, "alice", "alice", "alice", "alice", "alice", bob->party.uri, "alice");
    ucc_assert_session(alice, 1, expected);
    g_free(expected);
    expected = format("bob.p%%N OnStateChanged CONNECTING->CONNECTED NORMAL 0|" UCC_CALLEE_ENDS, "bob", "bob",
                      alice->party.uri, "bob");
    ucc_assert_session(bob, 1, expected);
    g_free(expected);
}

/* alice and bob exchange instant messages in an IM session both ways. */
static void ucc_im(void **state)
{
    struct ucc_actor *alice = ucc_actor_new("alice"), *bob = ucc_actor_new("bob");
    IUccOperationContext *operation;
    IUccSession *session;
    char *expected;

    (void)state;
    session = hold(ucc_actor_invite(alice, bob->party.uri, UCCST_INSTANT_MESSAGING, NULL, 1));
    assert_true(ucc_actor_wait(alice, "alice.s1 OnAddParticipant 1 0"));
    assert_hr(ucc_send(session, "hello bob", 3), S_OK);
    assert_true(ucc_actor_wait(alice, "alice.ims1 OnSendMessage 3 0"));
    assert_true(ucc_actor_wait(bob, "bob.im1 OnInstantMessageReceived text/plain hello bob"));
    assert_hr(ucc_send(bob->party.sink.incoming_session, "hi alice", 4), S_OK);
    assert_true(ucc_actor_wait(bob, "bob.ims1 OnSendMessage 4 0"));
    assert_true(ucc_actor_wait(alice, "alice.im1 OnInstantMessageReceived text/plain hi alice"));
    operation = ucc_operation(2);
    assert_hr(IUccSession_Terminate(session, UCCROTR_NOT_SPECIFIED, operation), S_OK);
    IUccOperationContext_Release(operation);
    assert_true(ucc_actor_wait(alice, "alice.s1 OnTerminate 2 0"));
    assert_true(ucc_actor_wait(bob, "bob.s1 OnTerminate - 0"));
    ucc_actor_exit(alice);
    ucc_actor_exit(bob);

    expected = format(UCC_CALLER_CONNECTS "|alice.s%%N OnAddParticipant 1 0|alice.ims%%N OnSendMessage 3 0|"
                      "alice.im%%N OnInstantMessageReceived text/plain hi alice|" UCC_CALLER_ENDS "2 0",
                      "alice", bob->party.uri, "alice", "alice", "alice", "alice", "alice", bob->party.uri, "alice");
    ucc_assert_session(alice, 1, expected);
    g_free(expected);
    expected = format("bob.p%%N OnStateChanged CONNECTING->CONNECTED NORMAL 0|"
                      "bob.im%%N OnInstantMessageReceived text/plain hello bob|bob.ims%%N OnSendMessage 4 0|"
                      UCC_CALLEE_ENDS, "bob", "bob", alice->party.uri, "bob");
    ucc_assert_session(bob, 1, expected);
    g_free(expected);
}

static HRESULT ucc_transfer(IUccSession *session, IUccSession *consulted, const char *target, LONG_PTR op)
{
    IUccSessionCallControl *control;
    IUccOperationContext *operation = ucc_operation(op);
    IUccUri *uri = target ? ucc_parse(target) : NULL;
    HRESULT hr;

    assert_hr(IUccSession_QueryInterface(session, &IID_IUccSessionCallControl, (void **)&control), S_OK);
    if (consulted)
        hr = IUccSessionCallControl_ConsultativeTransfer(control, consulted, operation);
    else
        hr = IUccSessionCallControl_BlindTransfer(control, uri, operation);
    IUccSessionCallControl_Release(control);
    if (uri)
        IUccUri_Release(uri);
    IUccOperationContext_Release(operation);
    return hr;
}

/* bob accepts the transfer and places the session it asks for (TransferContext kept). */
static IUccSession *ucc_carry_out_transfer(struct ucc_actor *bob, LONG_PTR op)
{
    IUccIncomingSessionTransferEvent *event = bob->party.sink.transfer;
    IUccContext *context = ucc_new_context(), *transfer_context;
    IUccSession *session;
    IUccUri *to;
    BSTR value;
    char *text;
    VARIANT v;

    assert_hr(IUccIncomingSessionTransferEvent_Accept(event), S_OK);
    assert_hr(IUccIncomingSessionTransferEvent_get_ReferredTo(event, &to), S_OK);
    assert_hr(IUccUri_get_Value(to, &value), S_OK);
    text = ucc_sink_utf8(value);
    SysFreeString(value);
    IUccUri_Release(to);
    assert_hr(IUccIncomingSessionTransferEvent_get_TransferContext(event, &transfer_context), S_OK);
    V_VT(&v) = VT_UNKNOWN;
    V_UNKNOWN(&v) = (IUnknown *)transfer_context;
    assert_hr(IUccContext_AddProperty(context, UCCSC_TRANSFER_CONTEXT, v, NULL), S_OK);
    IUccContext_Release(transfer_context);
    session = ucc_actor_invite(bob, text, UCCST_AUDIO_VIDEO, context, op);
    IUccContext_Release(context);
    g_free(text);
    return session;
}

/* alice (AV with bob, and with carol for a consultative transfer) transfers
 * bob to carol; bob accepts and calls carol; alice hangs up when it is done;
 * bob is disabled while his call to carol is up: carol must see it end. */
static void ucc_transfer_flow(gboolean consultative)
{
    struct ucc_actor *alice = ucc_actor_new("alice"), *bob = ucc_actor_new("bob"), *carol = ucc_actor_new("carol");
    const char *kind = consultative ? "OnConsultativeTransfer" : "OnBlindTransfer";
    unsigned int carol_session = consultative ? 2 : 1;
    IUccSession *to_bob, *to_carol = NULL;
    IUccOperationContext *operation;
    char *line, *expected;

    to_bob = hold(ucc_actor_invite(alice, bob->party.uri, UCCST_AUDIO_VIDEO, NULL, 1));
    assert_true(ucc_actor_wait(alice, "alice.s1 OnAddParticipant 1 0"));
    if (consultative)
    {
        to_carol = hold(ucc_actor_invite(alice, carol->party.uri, UCCST_AUDIO_VIDEO, NULL, 2));
        assert_true(ucc_actor_wait(alice, "alice.s2 OnAddParticipant 2 0"));
    }
    assert_hr(ucc_transfer(to_bob, to_carol, consultative ? NULL : carol->party.uri, 7), S_OK);
    line = format("bob.cc1 OnIncomingTransfer %s by %s", carol->party.uri, alice->party.uri);
    assert_true(ucc_actor_wait(bob, line));
    g_free(line);
    hold(ucc_carry_out_transfer(bob, 8));
    line = format("alice.cc1 %s 7 complete 0", kind);
    assert_true(ucc_actor_wait(alice, line));
    g_free(line);
    operation = ucc_operation(3);
    assert_hr(IUccSession_Terminate(to_bob, UCCROTR_NOT_SPECIFIED, operation), S_OK);
    IUccOperationContext_Release(operation);
    assert_true(ucc_actor_wait(bob, "bob.s2 OnAddParticipant 8 0"));
    assert_true(ucc_actor_wait(bob, "bob.s1 OnTerminate - 0"));
    line = format("carol.p%u OnStateChanged CONNECTING->CONNECTED NORMAL 0", carol_session);
    assert_true(ucc_actor_wait(carol, line));
    g_free(line);
    ucc_actor_exit(bob);
    line = format("carol.s%u OnTerminate - 0", carol_session);
    assert_true(ucc_actor_wait(carol, line));
    g_free(line);
    if (consultative)
        assert_true(ucc_actor_wait(alice, "alice.s2 OnTerminate - 0"));
    ucc_actor_exit(alice);
    ucc_actor_exit(carol);

    expected = format(UCC_CALLER_CONNECTS "|alice.s%%N OnAddParticipant 1 0|"
                      "alice.cc%%N %s 7 progress " S_202 "|alice.cc%%N %s 7 progress " S_100 "|"
                      "?alice.cc%%N %s 7 progress " S_180 "|alice.cc%%N %s 7 complete 0|" UCC_CALLER_ENDS "3 0",
                      "alice", bob->party.uri, "alice", "alice", "alice", kind, kind, kind, kind, "alice", "alice",
                      bob->party.uri, "alice");
    ucc_assert_session(alice, 1, expected);
    g_free(expected);
    expected = format("bob.p%%N OnStateChanged CONNECTING->CONNECTED NORMAL 0|bob.cc%%N OnIncomingTransfer %s by %s|"
                      UCC_CALLEE_ENDS, carol->party.uri, alice->party.uri, "bob", "bob", alice->party.uri, "bob");
    ucc_assert_session(bob, 1, expected);
    g_free(expected);
    expected = format(UCC_CALLER_CONNECTS "|bob.s%%N OnAddParticipant 8 0|" UCC_CALLER_ENDS "- 0", "bob",
                      carol->party.uri, "bob", "bob", "bob", "bob", "bob", carol->party.uri, "bob");
    ucc_assert_session(bob, 2, expected);
    g_free(expected);
    expected = format("carol.p%%N OnStateChanged CONNECTING->CONNECTED NORMAL 0|" UCC_CALLEE_ENDS, "carol", "carol",
                      bob->party.uri, "carol");
    ucc_assert_session(carol, carol_session, expected);
    g_free(expected);
    if (consultative)
    {
        /* carol ends the replaced call herself. */
        expected = format(UCC_CALLER_CONNECTS "|alice.s%%N OnAddParticipant 2 0|"
                          "alice.p%%N OnStateChanged CONNECTED->DISCONNECTED REMOTE_HANGUP_ACTION 0|"
                          "alice.s%%N OnParticipantRemoved %s|alice.s%%N OnTerminate - 0", "alice", carol->party.uri,
                          "alice", "alice", "alice", carol->party.uri);
        ucc_assert_session(alice, 2, expected);
        g_free(expected);
        expected = format("carol.p%%N OnStateChanged CONNECTING->CONNECTED NORMAL 0|"
                          "carol.p%%N OnStateChanged CONNECTED->DISCONNECTED NORMAL 0|"
                          "carol.s%%N OnParticipantRemoved %s|carol.s%%N OnTerminate - 0", alice->party.uri);
        ucc_assert_session(carol, 1, expected);
        g_free(expected);
    }
}

static void ucc_blind(void **state)
{
    (void)state;
    ucc_transfer_flow(FALSE);
}

static void ucc_consultative(void **state)
{
    (void)state;
    ucc_transfer_flow(TRUE);
}

/* ---- main ------------------------------------------------------------------------------------ */

static int repetition_setup(void **state)
{
    (void)state;
    repetition_deadline = g_get_monotonic_time() + (gint64)test_ms(REPETITION_MS) * 1000;
    repetition_passed = FALSE;
    trace_reset();
    held = g_ptr_array_new();
    rtc_actors = g_ptr_array_new();
    ucc_actors = g_ptr_array_new();
    return 0;
}

/* Lets go of everything, also what a failed repetition left behind. */
static int repetition_teardown(void **state)
{
    guint i;

    (void)state;
    if (!repetition_passed)
    {
        for (i = 0; i < rtc_actors->len; i++)
        {
            struct rtc_actor *actor = g_ptr_array_index(rtc_actors, i);
            printf("trace party %s %s\n", actor->party.name, actor->party.uri);
        }
        for (i = 0; i < ucc_actors->len; i++)
        {
            struct ucc_actor *actor = g_ptr_array_index(ucc_actors, i);
            printf("trace party %s %s\n", actor->party.name, actor->party.uri);
        }
        trace_print();
    }
    for (i = 0; i < held->len; i++)
        IUnknown_Release((IUnknown *)g_ptr_array_index(held, i));
    g_ptr_array_free(held, TRUE);
    for (i = 0; i < rtc_actors->len; i++)
        actor_cleanup(g_ptr_array_index(rtc_actors, i));
    g_ptr_array_free(rtc_actors, TRUE);
    if (ucc_started)
    {
        ucc_platform_stop();
        for (i = 0; i < ucc_actors->len; i++)
        {
            ucc_party_cleanup(&((struct ucc_actor *)g_ptr_array_index(ucc_actors, i))->party);
            g_free(g_ptr_array_index(ucc_actors, i));
        }
        ucc_platform_release();
        ucc_started = FALSE;
    }
    g_ptr_array_free(ucc_actors, TRUE);
    return 0;
}

static const struct flow
{
    const char *name;
    CMUnitTestFunction run;
} flows[] =
{
    { "rtc-call", rtc_call },
    { "rtc-im", rtc_im },
    { "rtc-blind", rtc_blind },
    { "rtc-attended", rtc_attended },
    { "ucc-call", ucc_call },
    { "ucc-im", ucc_im },
    { "ucc-blind", ucc_blind },
    { "ucc-consultative", ucc_consultative },
};

/* A repetition: the flow (its initial state), marked passed if it got to its end. */
static void run_flow(void **state)
{
    const struct flow *flow = *state;

    flow->run(state);
    repetition_passed = TRUE;
}

int main(int argc, char **argv)
{
    char **names;
    int repetitions, failed_total = 0;
    guint i, f;

    if ((argc != 3 && argc != 4) || (repetitions = atoi(argv[2])) < 1
        || (argc == 4 && strcmp(argv[3], "udp") && strcmp(argv[3], "tcp")))
    {
        fprintf(stderr, "usage: loss_flows FLOW[,FLOW...] REPETITIONS [udp|tcp]\n");
        return 2;
    }
    if (argc == 4 && !strcmp(argv[3], "tcp"))
        party_uri_params = ucc_party_uri_params = ";transport=tcp";
    /* The engines trace their messages when their domain's debug output is on
     * (engine.c); trace_writer keeps it, and passes everything else on. */
    g_setenv("G_MESSAGES_DEBUG", "rtcshim", TRUE);
    g_log_set_writer_func(trace_writer, NULL, NULL);
    names = g_strsplit(argv[1], ",", -1);
    for (i = 0; names[i]; i++)
    {
        struct CMUnitTest *tests;
        char **test_names;
        int r, failed;

        for (f = 0; f < G_N_ELEMENTS(flows) && strcmp(flows[f].name, names[i]); f++)
            ;
        if (f == G_N_ELEMENTS(flows))
        {
            fprintf(stderr, "loss_flows: no flow \"%s\"\n", names[i]);
            return 2;
        }
        tests = g_new0(struct CMUnitTest, repetitions);
        test_names = g_new0(char *, repetitions + 1);
        for (r = 0; r < repetitions; r++)
        {
            test_names[r] = g_strdup_printf("%s #%d", flows[f].name, r + 1);
            tests[r].name = test_names[r];
            tests[r].test_func = run_flow;
            tests[r].initial_state = (void *)&flows[f];
            tests[r].setup_func = repetition_setup;
            tests[r].teardown_func = repetition_teardown;
        }
        failed = _cmocka_run_group_tests(flows[f].name, tests, repetitions, NULL, NULL);
        printf("loss-result %s %d %d\n", flows[f].name, repetitions - failed, repetitions);
        fflush(stdout);
        failed_total += failed;
        g_strfreev(test_names);
        g_free(tests);
    }
    g_strfreev(names);
    g_queue_clear_full(&trace, g_free);
    return failed_total;
}
