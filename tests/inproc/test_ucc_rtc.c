/*
 * A UCC endpoint and an RTCClient (tests/inproc/rtc_party) on loopback in one
 * main context: the two faces of the one engine interoperate. Exact event
 * sequences on both sides for calls each way, rejects each way and hang-ups.
 */
#include "test_ucc_party.h"
#include "rtc_party.h"

struct mixed { struct ucc_party u; struct party r; };

static int setup(void **state)
{
    struct mixed *t = g_new0(struct mixed, 1);

    ucc_platform_start();
    ucc_party_init(&t->u, "ucc", 0);
    party_init(&t->r, "rtc");
    *state = t;
    return 0;
}

static int teardown(void **state)
{
    struct mixed *t = *state;

    ucc_platform_stop();
    ucc_party_cleanup(&t->u);
    ucc_platform_release();
    party_cleanup(&t->r);
    g_free(t);
    return 0;
}

static void assert_rtc_log(struct party *party, const char *expected)
{
    char *log = party_take_log(party);

    if (strcmp(log, expected))
    {
        print_error("[%s] log:\n  %s\nexpected:\n  %s\n", party->name, log, expected);
        g_free(log);
        fail();
    }
    g_free(log);
}

static IRTCSession *rtc_call(struct party *from, const char *uri)
{
    IRTCSession *session;
    BSTR b = bstr(uri);

    assert_hr(IRTCClient_CreateSession(from->client, RTCST_PC_TO_PC, NULL, NULL, 0, &session), S_OK);
    assert_hr(IRTCSession_AddParticipant(session, b, NULL, NULL), S_OK);
    SysFreeString(b);
    return session;
}

/* RTC calls, UCC accepts in OnIncomingSession, then UCC hangs up. */
static void test_rtc_calls_ucc(void **state)
{
    struct mixed *t = *state;
    IRTCSession *session;
    char *expected;

    t->u.answer = UCC_ANSWER_ACCEPT;
    session = rtc_call(&t->r, t->u.uri);
    assert_true(party_wait(&t->r, "session CONNECTED 0", UCC_WAIT));
    assert_true(ucc_party_wait(&t->u, "ucc.p OnStateChanged CONNECTING->CONNECTED NORMAL 0"));
    assert_rtc_log(&t->r, "participant PENDING 0|session INPROGRESS 0|participant INPROGRESS 0|"
                          "participant ALERTING 0|participant CONNECTED 0|session CONNECTED 0");
    expected = g_strdup_printf("ucc.sm OnIncomingSession AV %s|ucc.p OnStateChanged CONNECTING->CONNECTED NORMAL 0",
                               t->r.uri);
    ucc_assert_log(&t->u, expected);
    g_free(expected);

    assert_hr(IUccSession_Terminate(t->u.sink.incoming_session, UCCROTR_NOT_SPECIFIED, NULL), S_OK);
    assert_true(party_wait(&t->r, "session DISCONNECTED 0", UCC_WAIT));
    assert_true(ucc_party_wait(&t->u, "ucc.s OnTerminate - 0"));
    assert_rtc_log(&t->r, "participant DISCONNECTED 0|session DISCONNECTED 0");
    expected = g_strdup_printf("ucc.p OnStateChanged CONNECTED->DISCONNECTED NORMAL 0|ucc.s OnParticipantRemoved %s|"
                               "ucc.s OnTerminate - 0", t->r.uri);
    ucc_assert_log(&t->u, expected);
    g_free(expected);
    IRTCSession_Release(session);
}

/* UCC calls, the RTC client answers at once and later hangs up. */
static void test_ucc_calls_rtc(void **state)
{
    struct mixed *t = *state;
    IUccSession *session;
    char *expected;
    struct ucc_party target;

    memset(&target, 0, sizeof(target));
    g_strlcpy(target.uri, t->r.uri, sizeof(target.uri));
    t->r.answer = ANSWER_AT_ONCE;
    session = ucc_party_invite(&t->u, &target, UCCST_AUDIO_VIDEO, NULL, 1, NULL);
    assert_true(ucc_party_wait(&t->u, "ucc.s OnAddParticipant 1 0"));
    assert_true(party_wait(&t->r, "session CONNECTED 0", UCC_WAIT));
    expected = g_strdup_printf("ucc.sm OnOutgoingSession AV|ucc.s OnParticipantAdded %s|"
                               "ucc.p OnStateChanged IDLE->CONNECTING NORMAL 0|"
                               "ucc.p OnStateChanged CONNECTING->CONNECTING RINGING 0|"
                               "ucc.p OnStateChanged CONNECTING->CONNECTED NORMAL 0|ucc.s OnAddParticipant 1 0",
                               t->r.uri);
    ucc_assert_log(&t->u, expected);
    g_free(expected);
    assert_rtc_log(&t->r, "session INCOMING 0|participant ANSWERING 0|session ANSWERING 0|"
                          "participant CONNECTED 0|session CONNECTED 0");

    assert_hr(IRTCSession_Terminate(t->r.incoming, RTCTR_NORMAL), S_OK);
    assert_true(ucc_party_wait(&t->u, "ucc.s OnTerminate - 0"));
    expected = g_strdup_printf("ucc.p OnStateChanged CONNECTED->DISCONNECTED REMOTE_HANGUP_ACTION 0|"
                               "ucc.s OnParticipantRemoved %s|ucc.s OnTerminate - 0", t->r.uri);
    ucc_assert_log(&t->u, expected);
    g_free(expected);
    IUccSession_Release(session);
}

/* Rejects each way keep their SIP code: UCC's BUSY is RTC's 486 and the reverse. */
static void test_rejects_both_ways(void **state)
{
    struct mixed *t = *state;
    struct ucc_party target;
    IUccSession *ucc_session;
    IRTCSession *rtc_session;

    t->u.answer = UCC_ANSWER_REJECT;
    t->u.reject_reason = UCCROTR_BUSY;
    rtc_session = rtc_call(&t->r, t->u.uri);
    assert_true(party_wait(&t->r, "session DISCONNECTED 0x80ef01e6", UCC_WAIT));
    assert_true(ucc_party_wait(&t->u, "ucc.s OnTerminate - 0"));
    IRTCSession_Release(rtc_session);

    memset(&target, 0, sizeof(target));
    g_strlcpy(target.uri, t->r.uri, sizeof(target.uri));
    t->r.answer = ANSWER_BUSY;
    ucc_session = ucc_party_invite(&t->u, &target, UCCST_AUDIO_VIDEO, NULL, 2, NULL);
    assert_true(ucc_party_wait(&t->u, "ucc.s OnAddParticipant 2 " ST_486));
    assert_true(ucc_sink_has(&t->u.sink, "ucc.p OnStateChanged CONNECTING->DISCONNECTED FAILED " ST_486));
    IUccSession_Release(ucc_session);
}

int main(void)
{
    const struct CMUnitTest tests[] =
    {
        cmocka_unit_test_setup_teardown(test_rtc_calls_ucc, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ucc_calls_rtc, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rejects_both_ways, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
