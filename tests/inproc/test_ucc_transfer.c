/*
 * Transfer to a UCC endpoint: an RTCClient (rtc_party, the transferor) calls a
 * UCC endpoint (the transferee) and refers it to another UCC endpoint (the
 * target). The transferee's application sees OnIncomingTransfer, decides, and
 * places the new session with the TransferContext (docs/ucc.md, "Transfer");
 * the transferor sees the REFER's response and the NOTIFYs as RTC refer
 * statuses. Consent rules as on the RTC side: no sink, no transfer.
 */
#include "test_ucc_party.h"
#include "rtc_party.h"

#define S_202 "0x00ef00ca"
#define S_100 "0x00ef0064"
#define S_180 "0x00ef00b4"
#define S_200 "0x00ef00c8"

struct three { struct party r; struct ucc_party bob, carol; IRTCSession *call; };

static int setup(void **state)
{
    struct three *t = g_new0(struct three, 1);
    BSTR uri;

    ucc_platform_start();
    party_init(&t->r, "alice");
    /* Bob decides on transfers within 500 ms (rtcshim.TransferDecisionTimeout). */
    ucc_party_init_full(&t->bob, "bob", 0, 500);
    ucc_party_init(&t->carol, "carol", 0);
    *state = t;

    /* alice (RTC) calls bob (UCC), who accepts. */
    t->bob.answer = UCC_ANSWER_ACCEPT;
    uri = bstr(t->bob.uri);
    assert_hr(IRTCClient_CreateSession(t->r.client, RTCST_PC_TO_PC, NULL, NULL, 0, &t->call), S_OK);
    assert_hr(IRTCSession_AddParticipant(t->call, uri, NULL, NULL), S_OK);
    SysFreeString(uri);
    return 0;
}

static int teardown(void **state)
{
    struct three *t = *state;

    IRTCSession_Release(t->call);
    ucc_platform_stop();
    ucc_party_cleanup(&t->bob);
    ucc_party_cleanup(&t->carol);
    ucc_platform_release();
    party_cleanup(&t->r);
    g_free(t);
    return 0;
}

static void wait_connected(struct three *t)
{
    assert_true(party_wait(&t->r, "session CONNECTED 0", UCC_WAIT));
    assert_true(ucc_party_wait(&t->bob, "bob.p OnStateChanged CONNECTING->CONNECTED NORMAL 0"));
    g_free(party_take_log(&t->r));
    g_free(ucc_sink_take(&t->bob.sink));
}

/* Iterates the main loop until the party's sink saw OnIncomingTransfer. */
static gboolean wait_transfer(struct ucc_party *party)
{
    gboolean expired = FALSE;
    guint timer = g_timeout_add(UCC_WAIT, ucc_sink_timed_out, &expired);

    while (!party->sink.transfer && !expired)
        g_main_context_iteration(NULL, TRUE);
    if (!expired)
        g_source_remove(timer);
    return party->sink.transfer != NULL;
}

static HRESULT refer(IRTCSession *session, const char *uri)
{
    IRTCSessionCallControl *control;
    BSTR b = bstr(uri);
    HRESULT hr;

    IRTCSession_QueryInterface(session, &IID_IRTCSessionCallControl, (void **)&control);
    hr = IRTCSessionCallControl_Refer(control, b, NULL);
    IRTCSessionCallControl_Release(control);
    SysFreeString(b);
    return hr;
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

/* Bob's application: accept, then the new session carries the TransferContext. */
static IUccSession *carry_out(struct three *t, IUccIncomingSessionTransferEvent *event, LONG_PTR op_id)
{
    IUccContext *context = ucc_new_context(), *transfer_context;
    IUccSession *session;
    VARIANT v;

    assert_hr(IUccIncomingSessionTransferEvent_Accept(event), S_OK);
    assert_hr(IUccIncomingSessionTransferEvent_Accept(event), E_NOT_VALID_STATE);
    assert_hr(IUccIncomingSessionTransferEvent_get_TransferContext(event, &transfer_context), S_OK);
    V_VT(&v) = VT_UNKNOWN;
    V_UNKNOWN(&v) = (IUnknown *)transfer_context;
    assert_hr(IUccContext_AddProperty(context, UCCSC_TRANSFER_CONTEXT, v, NULL), S_OK);
    IUccContext_Release(transfer_context);
    session = ucc_party_invite(&t->bob, &t->carol, UCCST_AUDIO_VIDEO, context, op_id, NULL);
    IUccContext_Release(context);
    return session;
}

static void test_transfer_accepted(void **state)
{
    struct three *t = *state;
    IUccSession *session;
    char *expected;

    wait_connected(t);
    t->carol.answer = UCC_ANSWER_ACCEPT;
    assert_hr(refer(t->call, t->carol.uri), S_OK);
    expected = g_strdup_printf("bob.cc OnIncomingTransfer %s by %s", t->carol.uri, t->r.uri);
    assert_true(ucc_party_wait(&t->bob, expected));
    ucc_assert_log(&t->bob, expected);
    g_free(expected);

    session = carry_out(t, t->bob.sink.transfer, 5);
    assert_true(party_wait(&t->r, "refer DONE " S_200, UCC_WAIT));
    assert_true(party_wait(&t->r, "session CONNECTED 0", UCC_WAIT));
    assert_rtc_log(&t->r, "session REFER 0|refer REFERRING 0|refer ACCEPTED " S_202 "|refer ACCEPTED " S_100
                          "|refer ACCEPTED " S_180 "|refer DONE " S_200 "|session CONNECTED 0");
    assert_true(ucc_party_wait(&t->bob, "bob.s OnAddParticipant 5 0"));
    assert_true(ucc_party_wait(&t->carol, "carol.p OnStateChanged CONNECTING->CONNECTED NORMAL 0"));
    /* The transfer is over: a decision now is refused. */
    assert_hr(IUccIncomingSessionTransferEvent_Reject(t->bob.sink.transfer, UCCROTR_DECLINE), E_NOT_VALID_STATE);
    IUccSession_Release(session);
}

static void test_transfer_rejected(void **state)
{
    struct three *t = *state;

    wait_connected(t);
    assert_hr(refer(t->call, t->carol.uri), S_OK);
    assert_true(wait_transfer(&t->bob));
    assert_hr(IUccIncomingSessionTransferEvent_Reject(t->bob.sink.transfer, UCCROTR_FORWARDED), E_INVALIDARG);
    assert_hr(IUccIncomingSessionTransferEvent_Reject(t->bob.sink.transfer, UCCROTR_DECLINE), S_OK);
    assert_hr(IUccIncomingSessionTransferEvent_Accept(t->bob.sink.transfer), E_NOT_VALID_STATE);
    assert_true(party_wait(&t->r, "refer REJECTED 0x80ef025b", UCC_WAIT));
    assert_true(party_wait(&t->r, "session CONNECTED 0", UCC_WAIT));
    assert_rtc_log(&t->r, "session REFER 0|refer REFERRING 0|refer REJECTED 0x80ef025b|session CONNECTED 0");
}

/* Nobody advised the session's call control events: nobody consented, 603. */
static void test_transfer_without_sink(void **state)
{
    struct three *t = *state;

    /* A fresh call to carol, whose application does not listen for transfers. */
    IRTCSession *call;
    BSTR uri = bstr(t->carol.uri);

    wait_connected(t);
    t->carol.no_call_control = TRUE;
    t->carol.answer = UCC_ANSWER_ACCEPT;
    assert_hr(IRTCClient_CreateSession(t->r.client, RTCST_PC_TO_PC, NULL, NULL, 0, &call), S_OK);
    assert_hr(IRTCSession_AddParticipant(call, uri, NULL, NULL), S_OK);
    SysFreeString(uri);
    assert_true(ucc_party_wait(&t->carol, "carol.p OnStateChanged CONNECTING->CONNECTED NORMAL 0"));
    ucc_sink_run_for(100);
    g_free(party_take_log(&t->r));
    assert_hr(refer(call, t->bob.uri), S_OK);
    assert_true(party_wait(&t->r, "refer REJECTED 0x80ef025b", UCC_WAIT));
    assert_null(t->carol.sink.transfer);
    IRTCSession_Release(call);
}

/* The target is busy: the transferor hears 486 in the final NOTIFY. */
static void test_transfer_target_busy(void **state)
{
    struct three *t = *state;
    IUccSession *session;

    wait_connected(t);
    t->carol.answer = UCC_ANSWER_REJECT;
    t->carol.reject_reason = UCCROTR_BUSY;
    assert_hr(refer(t->call, t->carol.uri), S_OK);
    assert_true(wait_transfer(&t->bob));
    session = carry_out(t, t->bob.sink.transfer, 6);
    assert_true(party_wait(&t->r, "refer DROPPED " ST_486, UCC_WAIT));
    assert_true(ucc_party_wait(&t->bob, "bob.s OnAddParticipant 6 " ST_486));
    IUccSession_Release(session);
}

/* Nobody decides within the bound: the REFER is declined (603), a late Accept is refused. */
static void test_transfer_undecided(void **state)
{
    struct three *t = *state;

    wait_connected(t);
    assert_hr(refer(t->call, t->carol.uri), S_OK);
    assert_true(wait_transfer(&t->bob));
    assert_true(party_wait(&t->r, "refer REJECTED 0x80ef025b", UCC_WAIT));
    assert_hr(IUccIncomingSessionTransferEvent_Accept(t->bob.sink.transfer), E_NOT_VALID_STATE);
}

int main(void)
{
    const struct CMUnitTest tests[] =
    {
        cmocka_unit_test_setup_teardown(test_transfer_accepted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_transfer_rejected, setup, teardown),
        cmocka_unit_test_setup_teardown(test_transfer_without_sink, setup, teardown),
        cmocka_unit_test_setup_teardown(test_transfer_target_busy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_transfer_undecided, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
