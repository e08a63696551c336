/*
 * Transfer with three (and more) RTCClient objects on loopback: every
 * transfer rule of docs/architecture.md that two rtcshim parties can show. The
 * transferor (alice) refers the transferee (bob) to the target (carol).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include "rtc_party.h"
#include "../common/test_time.h"
#include <rtcshim.h>

#define WAIT 5000

#define S_202 "0x00ef00ca"
#define S_100 "0x00ef0064"
#define S_180 "0x00ef00b4"
#define S_200 "0x00ef00c8"
#define S_BUSY "0x80ef01e6"
#define S_TERMINATED "0x80ef01e7"
#define S_DECLINE "0x80ef025b"

/* What bob (the transferee) does with a REFER, as rtc_answer does it. */
enum transferee_policy { TRANSFER_ACCEPT, TRANSFER_REJECT, TRANSFER_IGNORE };

/* A transferee's side of a transfer. */
struct transferee
{
    enum transferee_policy policy;
    IRTCSessionReferredEvent *referral;     /* the pending transfer */
    IRTCSession *transfer_session;          /* the call to the target */
};

struct three
{
    struct party a, b, c;
    struct transferee tb, tc;               /* bob's, and carol's when she is a transferee too */
    GString *refer_log[2];                  /* alice's refer statuses per session (concurrency test) */
    IRTCSession *referring[2];
};

static struct three *current;

static void assert_log(struct party *party, const char *expected)
{
    char *log = party_take_log(party);
    assert_string_equal(log, expected);
    g_free(log);
}

/* A transferee (bob, or carol): accept, call the target with Referred-By and the cookie, report back. */
static void transferee_hook(struct party *party, RTC_EVENT type, IDispatch *event)
{
    struct transferee *x = party == &current->b ? &current->tb : &current->tc;

    if (type == RTCE_SESSION_REFERRED)
    {
        IRTCSessionReferredEvent *referred;
        IRTCSessionCallControl *control;
        BSTR to, by, cookie;

        IDispatch_QueryInterface(event, &IID_IRTCSessionReferredEvent, (void **)&referred);
        if (x->policy == TRANSFER_REJECT)
        {
            assert_int_equal(IRTCSessionReferredEvent_Reject(referred), S_OK);
            assert_int_equal(IRTCSessionReferredEvent_Reject(referred), RTC_E_REFER_NOT_EXIST);
            IRTCSessionReferredEvent_Release(referred);
            return;
        }
        if (x->policy == TRANSFER_IGNORE)
        {
            x->referral = referred;     /* decided later, or never */
            return;
        }
        assert_int_equal(IRTCSessionReferredEvent_SetReferredSessionState(referred, RTCSS_CONNECTED),
                         RTC_E_INVALID_SESSION_STATE);
        assert_int_equal(IRTCSessionReferredEvent_Accept(referred), S_OK);
        assert_int_equal(IRTCSessionReferredEvent_Accept(referred), RTC_E_REFER_NOT_EXIST);
        assert_int_equal(IRTCSessionReferredEvent_SetReferredSessionState(referred, RTCSS_HOLD), E_INVALIDARG);
        IRTCSessionReferredEvent_get_ReferToURI(referred, &to);
        IRTCSessionReferredEvent_get_ReferredByURI(referred, &by);
        IRTCSessionReferredEvent_get_ReferCookie(referred, &cookie);
        assert_int_equal(IRTCClient_CreateSession(party->client, RTCST_PC_TO_PC, NULL, NULL, 0, &x->transfer_session), S_OK);
        IRTCSession_QueryInterface(x->transfer_session, &IID_IRTCSessionCallControl, (void **)&control);
        assert_int_equal(IRTCSessionCallControl_put_ReferredByURI(control, by), S_OK);
        assert_int_equal(IRTCSessionCallControl_put_ReferCookie(control, cookie), S_OK);
        assert_int_equal(IRTCSession_AddParticipant(x->transfer_session, to, NULL, NULL), S_OK);
        assert_int_equal(IRTCSessionCallControl_put_ReferCookie(control, cookie), RTC_E_INVALID_SESSION_STATE);
        IRTCSessionCallControl_Release(control);
        SysFreeString(to), SysFreeString(by), SysFreeString(cookie);
        x->referral = referred;
    }
    else if (type == RTCE_SESSION_STATE_CHANGE && x->referral && x->transfer_session)
    {
        IRTCSessionStateChangeEvent *change;
        IRTCSession *session;
        RTC_SESSION_STATE state;

        IDispatch_QueryInterface(event, &IID_IRTCSessionStateChangeEvent, (void **)&change);
        IRTCSessionStateChangeEvent_get_Session(change, &session);
        IRTCSessionStateChangeEvent_get_State(change, &state);
        if (session == x->transfer_session && (state == RTCSS_CONNECTED || state == RTCSS_DISCONNECTED))
        {
            assert_int_equal(IRTCSessionReferredEvent_SetReferredSessionState(x->referral, state), S_OK);
            IRTCSessionReferredEvent_Release(x->referral);
            x->referral = NULL;
        }
        IRTCSession_Release(session);
        IRTCSessionStateChangeEvent_Release(change);
    }
}

static int setup_three(void **state)
{
    struct three *t = g_new0(struct three, 1);

    party_init(&t->a, "alice");
    party_init(&t->b, "bob");
    party_init(&t->c, "carol");
    t->b.answer = ANSWER_AT_ONCE;
    t->c.answer = ANSWER_AT_ONCE;
    t->b.hook = transferee_hook;
    current = t;
    *state = t;
    return 0;
}

static int teardown_three(void **state)
{
    struct three *t = *state;

    struct transferee *x[] = { &t->tb, &t->tc };
    unsigned int i;

    for (i = 0; i < 2; i++)
    {
        if (x[i]->referral)
            IRTCSessionReferredEvent_Release(x[i]->referral);
        if (x[i]->transfer_session)
            IRTCSession_Release(x[i]->transfer_session);
        if (t->refer_log[i])
            g_string_free(t->refer_log[i], TRUE);
    }
    party_cleanup(&t->a);
    party_cleanup(&t->b);
    party_cleanup(&t->c);
    g_free(t);
    current = NULL;
    return 0;
}

/* Alice calls bob and both see the call connected; logs cleared. */
static IRTCSession *connected_call(struct party *from, struct party *to)
{
    IRTCSession *session = party_call(from, to, RTCST_PC_TO_PC);

    assert_true(party_wait(from, "session CONNECTED 0", WAIT));
    assert_true(party_wait(to, "session CONNECTED 0", WAIT));
    g_free(party_take_log(from));
    g_free(party_take_log(to));
    return session;
}

static HRESULT refer(IRTCSession *session, const char *uri, const char *cookie)
{
    IRTCSessionCallControl *control;
    BSTR buri = bstr(uri), bcookie = cookie ? bstr(cookie) : NULL;
    HRESULT hr;

    IRTCSession_QueryInterface(session, &IID_IRTCSessionCallControl, (void **)&control);
    hr = IRTCSessionCallControl_Refer(control, buri, bcookie);
    IRTCSessionCallControl_Release(control);
    SysFreeString(buri);
    SysFreeString(bcookie);
    return hr;
}

static void test_blind_transfer(void **state)
{
    struct three *t = *state;
    IRTCSession *session = connected_call(&t->a, &t->b);
    IRTCSessionCallControl *control;
    VARIANT_BOOL referred;
    BSTR value;
    char *text;

    assert_int_equal(refer(session, t->c.uri, "order-42 ü"), S_OK);
    assert_int_equal(refer(session, t->c.uri, NULL), RTC_E_SIP_REFER_OPERATION_PENDING);
    assert_true(party_wait(&t->a, "refer DONE " S_200, WAIT));
    assert_true(party_wait(&t->a, "session CONNECTED 0", WAIT));
    assert_log(&t->a, "session REFER 0|refer REFERRING 0|refer ACCEPTED " S_202 "|refer ACCEPTED " S_100
                      "|refer ACCEPTED " S_180 "|refer DONE " S_200 "|session CONNECTED 0");

    /* Carol's side: a referred call, with what alice and bob put on it. */
    assert_non_null(t->c.incoming);
    IRTCSession_QueryInterface(t->c.incoming, &IID_IRTCSessionCallControl, (void **)&control);
    assert_int_equal(IRTCSessionCallControl_get_IsReferred(control, &referred), S_OK);
    assert_int_equal(referred, VARIANT_TRUE);
    assert_int_equal(IRTCSessionCallControl_get_ReferredByURI(control, &value), S_OK);
    text = g_ucs4_to_utf8((gunichar *)value, -1, NULL, NULL, NULL);
    assert_string_equal(text, t->a.uri);
    g_free(text);
    SysFreeString(value);
    assert_int_equal(IRTCSessionCallControl_get_ReferCookie(control, &value), S_OK);
    text = g_ucs4_to_utf8((gunichar *)value, -1, NULL, NULL, NULL);
    assert_string_equal(text, "order-42 ü");
    g_free(text);
    SysFreeString(value);
    IRTCSessionCallControl_Release(control);

    /* No automatic hang-up: the application decides. */
    IRTCSession_Terminate(session, RTCTR_NORMAL);
    assert_true(party_wait(&t->b, "session DISCONNECTED 0", WAIT));
    IRTCSession_Terminate(t->tb.transfer_session, RTCTR_NORMAL);
    assert_true(party_wait(&t->c, "session DISCONNECTED 0", WAIT));
    IRTCSession_Release(session);
}

static void test_refer_rejected(void **state)
{
    struct three *t = *state;
    IRTCSession *session = connected_call(&t->a, &t->b);

    t->tb.policy = TRANSFER_REJECT;
    assert_int_equal(refer(session, t->c.uri, NULL), S_OK);
    assert_true(party_wait(&t->a, "refer REJECTED " S_DECLINE, WAIT));
    assert_true(party_wait(&t->a, "session CONNECTED 0", WAIT));
    assert_log(&t->a, "session REFER 0|refer REFERRING 0|refer REJECTED " S_DECLINE "|session CONNECTED 0");

    /* A second transfer right after a rejected one works. */
    t->tb.policy = TRANSFER_ACCEPT;
    assert_int_equal(refer(session, t->c.uri, NULL), S_OK);
    assert_true(party_wait(&t->a, "refer DONE " S_200, WAIT));
    IRTCSession_Terminate(session, RTCTR_NORMAL);
    IRTCSession_Terminate(t->tb.transfer_session, RTCTR_NORMAL);
    assert_true(party_wait(&t->c, "session DISCONNECTED 0", WAIT));
    IRTCSession_Release(session);
}

/* No RTCEF_SESSION_REFERRED in the filter: declined at once, the app never sees it. */
static void test_no_consent(void **state)
{
    struct three *t = *state;
    IRTCSession *session = connected_call(&t->a, &t->b);

    IRTCClient_put_EventFilter(t->b.client, RTCEF_ALL & ~RTCEF_SESSION_REFERRED);
    assert_int_equal(refer(session, t->c.uri, NULL), S_OK);
    assert_true(party_wait(&t->a, "refer REJECTED " S_DECLINE, WAIT));
    assert_int_equal(t->b.log->len, 0);
    IRTCSession_Terminate(session, RTCTR_NORMAL);
    assert_true(party_wait(&t->a, "session DISCONNECTED 0", WAIT));
    IRTCSession_Release(session);
}

/* Nobody decides in time: 603, and a late Accept is refused. */
static void test_decision_timeout(void **state)
{
    struct three *t = *state;
    IRTCSession *session = connected_call(&t->a, &t->b);

    assert_int_equal(rtcshim_set_refer_decision_timeout(t->b.client, 300), S_OK);
    assert_int_equal(rtcshim_set_refer_decision_timeout(NULL, 300), E_INVALIDARG);
    t->tb.policy = TRANSFER_IGNORE;
    assert_int_equal(refer(session, t->c.uri, NULL), S_OK);
    assert_true(party_wait(&t->a, "refer REJECTED " S_DECLINE, WAIT));
    assert_non_null(t->tb.referral);
    assert_int_equal(IRTCSessionReferredEvent_Accept(t->tb.referral), RTC_E_REFER_NOT_EXIST);
    IRTCSession_Terminate(session, RTCTR_NORMAL);
    assert_true(party_wait(&t->b, "session DISCONNECTED 0", WAIT));
    IRTCSession_Release(session);
}

/* The target is busy: the failure reaches the transferor as the NOTIFY's status. */
static void test_target_busy(void **state)
{
    struct three *t = *state;
    IRTCSession *session = connected_call(&t->a, &t->b);

    t->c.answer = ANSWER_BUSY;
    assert_int_equal(refer(session, t->c.uri, NULL), S_OK);
    assert_true(party_wait(&t->a, "session CONNECTED 0", WAIT));
    assert_log(&t->a, "session REFER 0|refer REFERRING 0|refer ACCEPTED " S_202 "|refer ACCEPTED " S_100
                      "|refer ACCEPTED " S_180 "|refer DROPPED " S_BUSY "|session CONNECTED 0");
    IRTCSession_Terminate(session, RTCTR_NORMAL);
    assert_true(party_wait(&t->b, "session DISCONNECTED 0", WAIT));
    IRTCSession_Release(session);
}

/* The transferee hangs up while the new call still rings: the transferor's refer is dropped. */
static void test_transferee_hangs_up(void **state)
{
    struct three *t = *state;
    IRTCSession *session = connected_call(&t->a, &t->b);

    t->c.answer = ANSWER_NEVER;
    assert_int_equal(refer(session, t->c.uri, NULL), S_OK);
    assert_true(party_wait(&t->a, "refer ACCEPTED " S_180, WAIT));
    assert_non_null(t->b.incoming);
    assert_int_equal(IRTCSession_Terminate(t->b.incoming, RTCTR_NORMAL), S_OK);
    /* Transfer rule 9: the final NOTIFY (487, terminated) comes before the BYE. */
    assert_true(party_wait(&t->a, "session DISCONNECTED 0", WAIT));
    assert_log(&t->a, "session REFER 0|refer REFERRING 0|refer ACCEPTED " S_202 "|refer ACCEPTED " S_100
                      "|refer ACCEPTED " S_180 "|refer DROPPED " S_TERMINATED "|session CONNECTED 0"
                      "|participant DISCONNECTED 0|session DISCONNECTED 0");
    IRTCSession_Terminate(t->tb.transfer_session, RTCTR_NORMAL);
    assert_true(party_wait(&t->c, "session DISCONNECTED 0", WAIT));
    IRTCSession_Release(session);
}

/* Runs until the transferee has the REFER (at most WAIT). */
static void wait_for_referral(struct transferee *x)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)test_ms(WAIT) * 1000;

    while (!x->referral && g_get_monotonic_time() < deadline)
        run_loop_for(20);
}

/* A REFER that arrives while the transferee is going away is declined. */
static void test_refer_then_transferee_hangs_up(void **state)
{
    struct three *t = *state;
    IRTCSession *session = connected_call(&t->a, &t->b);

    t->tb.policy = TRANSFER_IGNORE;
    assert_int_equal(refer(session, t->c.uri, NULL), S_OK);
    wait_for_referral(&t->tb);
    assert_non_null(t->tb.referral);
    assert_int_equal(IRTCSession_Terminate(t->b.incoming, RTCTR_NORMAL), S_OK);
    assert_true(party_wait(&t->a, "session DISCONNECTED 0", WAIT));
    assert_log(&t->a, "session REFER 0|refer REFERRING 0|refer REJECTED " S_DECLINE "|session CONNECTED 0|"
                      "participant DISCONNECTED 0|session DISCONNECTED 0");
    IRTCSession_Release(session);
}

/* The transferor hangs up before the final NOTIFY: the transfer still completes for bob and carol. */
static void test_transferor_hangs_up_early(void **state)
{
    struct three *t = *state;
    IRTCSession *session = connected_call(&t->a, &t->b);

    assert_int_equal(refer(session, t->c.uri, NULL), S_OK);
    assert_true(party_wait(&t->a, "refer ACCEPTED " S_202, WAIT));
    assert_int_equal(IRTCSession_Terminate(session, RTCTR_NORMAL), S_OK);
    assert_true(party_wait(&t->c, "session CONNECTED 0", WAIT));
    assert_true(party_wait(&t->a, "session DISCONNECTED 0", WAIT));
    IRTCSession_Terminate(t->tb.transfer_session, RTCTR_NORMAL);
    assert_true(party_wait(&t->c, "session DISCONNECTED 0", WAIT));
    IRTCSession_Release(session);
}

/* A held call can be referred; afterwards it is held again. */
static void test_refer_while_held(void **state)
{
    struct three *t = *state;
    IRTCSession *session = connected_call(&t->a, &t->b);
    IRTCSessionCallControl *control;

    IRTCSession_QueryInterface(session, &IID_IRTCSessionCallControl, (void **)&control);
    assert_int_equal(IRTCSessionCallControl_Hold(control, 1), S_OK);
    assert_true(party_wait(&t->a, "complete 1 0", WAIT));
    g_free(party_take_log(&t->a));
    assert_int_equal(refer(session, t->c.uri, NULL), S_OK);
    assert_true(party_wait(&t->a, "refer DONE " S_200, WAIT));
    assert_true(party_wait(&t->a, "session HOLD 0", WAIT));
    IRTCSessionCallControl_Release(control);
    IRTCSession_Terminate(session, RTCTR_NORMAL);
    IRTCSession_Terminate(t->tb.transfer_session, RTCTR_NORMAL);
    assert_true(party_wait(&t->c, "session DISCONNECTED 0", WAIT));
    IRTCSession_Release(session);
}

/* Attended transfer: alice talks to carol, then refers bob to carol with Replaces. */
static void test_attended_transfer(void **state)
{
    struct three *t = *state;
    IRTCSession *to_bob = connected_call(&t->a, &t->b);
    IRTCSession *to_carol = party_call(&t->a, &t->c, RTCST_PC_TO_PC);
    BSTR refer_to;
    char *text;

    assert_true(party_wait(&t->c, "session CONNECTED 0", WAIT));
    run_loop_for(100);
    g_free(party_take_log(&t->a));
    g_free(party_take_log(&t->c));
    assert_int_equal(rtcshim_build_attended_refer_to(to_carol, &refer_to), S_OK);
    text = g_ucs4_to_utf8((gunichar *)refer_to, -1, NULL, NULL, NULL);
    assert_non_null(strstr(text, "?Replaces="));
    assert_non_null(strstr(text, "%3Bto-tag%3D"));
    assert_int_equal(refer(to_bob, text, NULL), S_OK);
    g_free(text);
    SysFreeString(refer_to);
    assert_true(party_wait(&t->a, "refer DONE " S_200, WAIT));
    /* Carol took bob's call without being asked and her call with alice ended. */
    assert_true(party_wait(&t->a, "session DISCONNECTED 0", WAIT));
    assert_log(&t->c, "participant ANSWERING 0|session ANSWERING 0|participant DISCONNECTED 0|"
                      "session DISCONNECTED 0|participant CONNECTED 0|session CONNECTED 0");
    IRTCSession_Terminate(to_bob, RTCTR_NORMAL);
    IRTCSession_Terminate(t->tb.transfer_session, RTCTR_NORMAL);
    assert_true(party_wait(&t->c, "session DISCONNECTED 0", WAIT));
    IRTCSession_Release(to_bob);
    IRTCSession_Release(to_carol);
}

static void test_refer_errors(void **state)
{
    struct three *t = *state;
    IRTCSession *idle, *session;

    IRTCClient_CreateSession(t->a.client, RTCST_PC_TO_PC, NULL, NULL, 0, &idle);
    assert_int_equal(refer(idle, t->c.uri, NULL), RTC_E_INVALID_SESSION_STATE);
    IRTCSession_Release(idle);
    IRTCClient_CreateSession(t->a.client, RTCST_IM, NULL, NULL, 0, &idle);
    assert_int_equal(refer(idle, t->c.uri, NULL), RTC_E_INVALID_SESSION_TYPE);
    IRTCSession_Release(idle);

    session = connected_call(&t->a, &t->b);
    assert_int_equal(refer(session, "mailto:carol@example.com", NULL), RTC_E_INVALID_SIP_URL);
    assert_int_equal(refer(session, "", NULL), RTC_E_INVALID_SIP_URL);
    /* A bare number becomes a SIP URI in the peer's domain (host and port of its URI). */
    t->tb.policy = TRANSFER_IGNORE;
    assert_int_equal(refer(session, "1234", NULL), S_OK);
    wait_for_referral(&t->tb);
    assert_non_null(t->tb.referral);
    {
        BSTR to;
        char *text, *expected = g_strdup_printf("sip:1234@127.0.0.1:%u", t->b.port);
        IRTCSessionReferredEvent_get_ReferToURI(t->tb.referral, &to);
        text = g_ucs4_to_utf8((gunichar *)to, -1, NULL, NULL, NULL);
        assert_string_equal(text, expected);
        g_free(expected);
        g_free(text);
        SysFreeString(to);
    }
    IRTCSession_Terminate(session, RTCTR_NORMAL);
    assert_true(party_wait(&t->b, "session DISCONNECTED 0", WAIT));
    IRTCSession_Release(session);
}

/* Alice: which session each refer status belongs to. */
static void alice_hook(struct party *party, RTC_EVENT type, IDispatch *event)
{
    struct three *t = current;
    IRTCSessionReferStatusEvent *e;
    RTC_SESSION_REFER_STATUS status;
    IRTCSession2 *session;
    unsigned int i;

    if (type != RTCE_SESSION_REFER_STATUS)
        return;
    IDispatch_QueryInterface(event, &IID_IRTCSessionReferStatusEvent, (void **)&e);
    IRTCSessionReferStatusEvent_get_ReferStatus(e, &status);
    IRTCSessionReferStatusEvent_get_Session(e, &session);
    for (i = 0; i < 2; i++)
        if ((IUnknown *)session == (IUnknown *)t->referring[i])
            g_string_append_printf(t->refer_log[i], "%d ", status);
    IRTCSession2_Release(session);
    IRTCSessionReferStatusEvent_Release(e);
}

/* Runs until both refer logs are as long as expected (at most WAIT), then a
 * little more, so a status too many would show. */
static void wait_for_refer_logs(struct three *t, const char *expected)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)test_ms(WAIT) * 1000;

    while ((t->refer_log[0]->len < strlen(expected) || t->refer_log[1]->len < strlen(expected))
           && g_get_monotonic_time() < deadline)
        run_loop_for(20);
    run_loop_for(300);
}

/* Two transfers on two calls at once: each status reaches its own session only. */
static void test_two_transfers_at_once(void **state)
{
    struct three *t = *state;
    char expected[] = "0 1 1 1 5 ";     /* REFERRING, ACCEPTED (202, 100, 180), DONE */

    t->refer_log[0] = g_string_new(NULL);
    t->refer_log[1] = g_string_new(NULL);
    t->c.hook = transferee_hook;
    t->a.hook = alice_hook;
    t->referring[0] = connected_call(&t->a, &t->b);
    t->referring[1] = connected_call(&t->a, &t->c);
    /* bob goes to carol and carol to bob, both at the same time */
    assert_int_equal(refer(t->referring[0], t->c.uri, "one"), S_OK);
    assert_int_equal(refer(t->referring[1], t->b.uri, "two"), S_OK);
    wait_for_refer_logs(t, expected);
    assert_string_equal(t->refer_log[0]->str, expected);
    assert_string_equal(t->refer_log[1]->str, expected);
    IRTCSession_Terminate(t->referring[0], RTCTR_NORMAL);
    IRTCSession_Terminate(t->referring[1], RTCTR_NORMAL);
    IRTCSession_Terminate(t->tb.transfer_session, RTCTR_NORMAL);
    IRTCSession_Terminate(t->tc.transfer_session, RTCTR_NORMAL);
    run_loop_for(300);
    IRTCSession_Release(t->referring[0]);
    IRTCSession_Release(t->referring[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] =
    {
        cmocka_unit_test_setup_teardown(test_blind_transfer, setup_three, teardown_three),
        cmocka_unit_test_setup_teardown(test_refer_rejected, setup_three, teardown_three),
        cmocka_unit_test_setup_teardown(test_no_consent, setup_three, teardown_three),
        cmocka_unit_test_setup_teardown(test_decision_timeout, setup_three, teardown_three),
        cmocka_unit_test_setup_teardown(test_target_busy, setup_three, teardown_three),
        cmocka_unit_test_setup_teardown(test_transferee_hangs_up, setup_three, teardown_three),
        cmocka_unit_test_setup_teardown(test_refer_then_transferee_hangs_up, setup_three, teardown_three),
        cmocka_unit_test_setup_teardown(test_transferor_hangs_up_early, setup_three, teardown_three),
        cmocka_unit_test_setup_teardown(test_refer_while_held, setup_three, teardown_three),
        cmocka_unit_test_setup_teardown(test_attended_transfer, setup_three, teardown_three),
        cmocka_unit_test_setup_teardown(test_refer_errors, setup_three, teardown_three),
        cmocka_unit_test_setup_teardown(test_two_transfers_at_once, setup_three, teardown_three),
    };
    return cmocka_run_group_tests_name("rtc transfer", tests, NULL, NULL);
}
