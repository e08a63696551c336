/*
 * Two and three RTCClient objects calling each other on loopback in one main
 * context: the exact event sequences an application sees for the basic call
 * flows Microsoft documents (MSDN: RTC_SESSION_STATE, IRTCSession::Terminate,
 * IRTCClient::put_ListenForIncomingSessions, "Hold and Unhold", "Forwarding",
 * IRTCClient::PrepareForShutdown).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include "rtc_party.h"

#define WAIT 5000

#define S_BUSY "0x80ef01e6"         /* RTC_E_STATUS_CLIENT_BUSY_HERE, 486 */
#define S_DECLINE "0x80ef025b"      /* RTC_E_STATUS_GLOBAL_DECLINE, 603 */

#define S_MOVED "0x80ef012e"        /* RTC_E_STATUS_REDIRECT_MOVED_TEMPORARILY, 302 */

struct two { struct party a, b; };
struct three { struct party a, b, c; };

static int setup_three(void **state)
{
    struct three *t = g_new0(struct three, 1);
    party_init(&t->a, "alice");
    party_init(&t->b, "bob");
    party_init(&t->c, "carol");
    *state = t;
    return 0;
}

static int teardown_three(void **state)
{
    struct three *t = *state;
    party_cleanup(&t->a);
    party_cleanup(&t->b);
    party_cleanup(&t->c);
    g_free(t);
    return 0;
}

static int setup_two(void **state)
{
    struct two *t = g_new0(struct two, 1);
    party_init(&t->a, "alice");
    party_init(&t->b, "bob");
    *state = t;
    return 0;
}

static int teardown_two(void **state)
{
    struct two *t = *state;
    party_cleanup(&t->a);
    party_cleanup(&t->b);
    g_free(t);
    return 0;
}

static void assert_log(struct party *party, const char *expected)
{
    char *log = party_take_log(party);
    assert_string_equal(log, expected);
    g_free(log);
}

/* A call that is answered, then hung up by the caller. */
static void test_call_answered(void **state)
{
    struct two *t = *state;
    IRTCSession *session;
    RTC_SESSION_STATE st;

    t->b.answer = ANSWER_AT_ONCE;
    session = party_call(&t->a, &t->b, RTCST_PC_TO_PC);
    /* Nothing is delivered from inside the API call: only from the loop. */
    assert_int_equal(t->a.log->len, 0);
    assert_true(party_wait(&t->a, "session CONNECTED 0", WAIT));
    assert_true(party_wait(&t->b, "session CONNECTED 0", WAIT));
    assert_log(&t->a, "participant PENDING 0|session INPROGRESS 0|participant INPROGRESS 0|"
                      "participant ALERTING 0|participant CONNECTED 0|session CONNECTED 0");
    assert_log(&t->b, "session INCOMING 0|participant ANSWERING 0|session ANSWERING 0|"
                      "participant CONNECTED 0|session CONNECTED 0");
    assert_int_equal(IRTCSession_get_State(session, &st), S_OK);
    assert_int_equal(st, RTCSS_CONNECTED);

    assert_int_equal(IRTCSession_Terminate(session, RTCTR_NORMAL), S_OK);
    assert_true(party_wait(&t->a, "session DISCONNECTED 0", WAIT));
    assert_true(party_wait(&t->b, "session DISCONNECTED 0", WAIT));
    assert_log(&t->a, "participant DISCONNECTED 0|session DISCONNECTED 0");
    assert_log(&t->b, "participant DISCONNECTED 0|session DISCONNECTED 0");
    assert_int_equal(IRTCSession_Terminate(session, RTCTR_NORMAL), RTC_E_INVALID_SESSION_STATE);
    IRTCSession_Release(session);
}

static void reject_with(struct two *t, RTC_TERMINATE_REASON reason, const char *status)
{
    IRTCSession *session = party_call(&t->a, &t->b, RTCST_PC_TO_PC);
    char *expected;

    assert_true(party_wait(&t->b, "session INCOMING 0", WAIT));
    assert_true(party_wait(&t->a, "participant ALERTING 0", WAIT));
    assert_int_equal(IRTCSession_Terminate(t->b.incoming, reason), S_OK);
    expected = g_strdup_printf("session DISCONNECTED %s", status);
    assert_true(party_wait(&t->a, expected, WAIT));
    g_free(expected);
    assert_true(party_wait(&t->b, "session DISCONNECTED 0", WAIT));
    expected = g_strdup_printf("participant PENDING 0|session INPROGRESS 0|participant INPROGRESS 0|"
                               "participant ALERTING 0|participant DISCONNECTED %s|session DISCONNECTED %s",
                               status, status);
    assert_log(&t->a, expected);
    g_free(expected);
    assert_log(&t->b, "session INCOMING 0|participant DISCONNECTED 0|session DISCONNECTED 0");
    IRTCSession_Release(session);
}

static void test_call_busy(void **state)
{
    reject_with(*state, RTCTR_BUSY, S_BUSY);
}

static void test_call_rejected(void **state)
{
    reject_with(*state, RTCTR_REJECT, S_DECLINE);
}

/* Nobody answers; the caller gives up (CANCEL). */
static void test_no_answer_then_terminate(void **state)
{
    struct two *t = *state;
    IRTCSession *session = party_call(&t->a, &t->b, RTCST_PC_TO_PC);

    assert_true(party_wait(&t->b, "session INCOMING 0", WAIT));
    assert_true(party_wait(&t->a, "participant ALERTING 0", WAIT));
    assert_int_equal(IRTCSession_Terminate(session, RTCTR_NORMAL), S_OK);
    assert_true(party_wait(&t->a, "session DISCONNECTED 0", WAIT));
    assert_true(party_wait(&t->b, "session DISCONNECTED 0", WAIT));
    assert_log(&t->a, "participant PENDING 0|session INPROGRESS 0|participant INPROGRESS 0|"
                      "participant ALERTING 0|participant DISCONNECTED 0|session DISCONNECTED 0");
    assert_log(&t->b, "session INCOMING 0|participant DISCONNECTED 0|session DISCONNECTED 0");
    /* The invitation is gone: answering it now is a state error. */
    assert_int_equal(IRTCSession_Answer(t->b.incoming), RTC_E_INVALID_SESSION_STATE);
    IRTCSession_Release(session);
}

static void test_remote_hangup(void **state)
{
    struct two *t = *state;
    IRTCSession *session;

    t->b.answer = ANSWER_AT_ONCE;
    session = party_call(&t->a, &t->b, RTCST_PC_TO_PC);
    assert_true(party_wait(&t->a, "session CONNECTED 0", WAIT));
    assert_true(party_wait(&t->b, "session CONNECTED 0", WAIT));
    g_free(party_take_log(&t->a));
    g_free(party_take_log(&t->b));
    assert_int_equal(IRTCSession_Terminate(t->b.incoming, RTCTR_NORMAL), S_OK);
    assert_true(party_wait(&t->a, "session DISCONNECTED 0", WAIT));
    assert_log(&t->a, "participant DISCONNECTED 0|session DISCONNECTED 0");
    IRTCSession_Release(session);
}

static void test_hold_unhold(void **state)
{
    struct two *t = *state;
    IRTCSessionCallControl *control;
    IRTCSession *session;

    t->b.answer = ANSWER_AT_ONCE;
    session = party_call(&t->a, &t->b, RTCST_PC_TO_PC);
    assert_true(party_wait(&t->a, "session CONNECTED 0", WAIT));
    assert_true(party_wait(&t->b, "session CONNECTED 0", WAIT));
    g_free(party_take_log(&t->a));
    g_free(party_take_log(&t->b));
    assert_int_equal(IRTCSession_QueryInterface(session, &IID_IRTCSessionCallControl, (void **)&control), S_OK);

    assert_int_equal(IRTCSessionCallControl_UnHold(control, 1), RTC_E_INVALID_SESSION_STATE);
    assert_int_equal(IRTCSessionCallControl_Hold(control, 7), S_OK);
    assert_int_equal(IRTCSessionCallControl_Hold(control, 8), RTC_E_SIP_HOLD_OPERATION_PENDING);
    assert_true(party_wait(&t->a, "complete 7 0", WAIT));
    assert_log(&t->a, "session HOLD 0|complete 7 0");

    assert_int_equal(IRTCSessionCallControl_UnHold(control, 9), S_OK);
    assert_true(party_wait(&t->a, "complete 9 0", WAIT));
    assert_log(&t->a, "session CONNECTED 0|complete 9 0");
    /* Being held changes no session state (what the held side's audio does: test_rtc_media.c). */
    assert_log(&t->b, "");

    IRTCSessionCallControl_Release(control);
    IRTCSession_Terminate(session, RTCTR_NORMAL);
    assert_true(party_wait(&t->b, "session DISCONNECTED 0", WAIT));
    IRTCSession_Release(session);
}

static void test_im_both_ways(void **state)
{
    struct two *t = *state;
    IRTCSession *session = party_call(&t->a, &t->b, RTCST_IM);
    BSTR text = bstr("hello bob"), header = bstr("Content-Type: text/plain; charset=UTF-8");

    assert_true(party_wait(&t->a, "session CONNECTED 0", WAIT));
    assert_int_equal(IRTCSession_SendMessage(session, header, text, 11), S_OK);
    assert_true(party_wait(&t->a, "complete 11 0", WAIT));
    assert_true(party_wait(&t->b, "message hello bob", WAIT));
    assert_log(&t->b, "session INCOMING 0|participant CONNECTED 0|session CONNECTED 0|message hello bob");
    SysFreeString(text);

    text = bstr("hi alice");
    assert_non_null(t->b.incoming);
    assert_int_equal(IRTCSession_SendMessage(t->b.incoming, NULL, text, 12), S_OK);
    assert_true(party_wait(&t->a, "message hi alice", WAIT));
    assert_int_equal(IRTCSession_SendMessageStatus(session, RTCMUS_TYPING, 13), S_OK);
    assert_true(party_wait(&t->b, "status TYPING", WAIT));
    assert_true(party_wait(&t->a, "complete 13 0", WAIT));
    assert_log(&t->a, "participant PENDING 0|session INPROGRESS 0|participant CONNECTED 0|session CONNECTED 0|"
                      "complete 11 0|message hi alice|complete 13 0");
    SysFreeString(text);
    SysFreeString(header);

    /* A PC-to-PC session carries no IM. */
    assert_int_equal(IRTCSession_Terminate(session, RTCTR_NORMAL), S_OK);
    assert_true(party_wait(&t->a, "session DISCONNECTED 0", WAIT));
    IRTCSession_Release(session);
}

static void test_info(void **state)
{
    struct two *t = *state;
    IRTCSession *session;
    IRTCSession2 *session2;
    BSTR info = bstr("volume=3"), header = bstr("Content-Type: application/x-rtcshim-test");

    t->b.answer = ANSWER_AT_ONCE;
    session = party_call(&t->a, &t->b, RTCST_PC_TO_PC);
    assert_int_equal(IRTCSession_QueryInterface(session, &IID_IRTCSession2, (void **)&session2), S_OK);
    assert_int_equal(IRTCSession2_SendInfo(session2, header, info, 5), RTC_E_INVALID_SESSION_STATE);
    assert_true(party_wait(&t->a, "session CONNECTED 0", WAIT));
    assert_int_equal(IRTCSession2_SendInfo(session2, header, info, 5), S_OK);
    assert_true(party_wait(&t->a, "complete 5 0", WAIT));
    assert_true(party_wait(&t->b, "info volume=3", WAIT));
    assert_int_equal(IRTCSession_SendMessage(session, NULL, info, 6), RTC_E_INVALID_SESSION_TYPE);
    IRTCSession2_Release(session2);
    IRTCSession_Terminate(session, RTCTR_NORMAL);
    assert_true(party_wait(&t->b, "session DISCONNECTED 0", WAIT));
    IRTCSession_Release(session);
    SysFreeString(info);
    SysFreeString(header);
}

/* PrepareForShutdown ends the live call, then reports the clean-up. */
static void test_shutdown_with_live_call(void **state)
{
    struct two *t = *state;
    IRTCSession *session, *late;

    t->b.answer = ANSWER_AT_ONCE;
    session = party_call(&t->a, &t->b, RTCST_PC_TO_PC);
    assert_true(party_wait(&t->a, "session CONNECTED 0", WAIT));
    g_free(party_take_log(&t->a));
    assert_int_equal(IRTCClient_PrepareForShutdown(t->a.client), S_OK);
    assert_true(party_wait(&t->a, "client CLEANUP_DONE", WAIT));
    assert_true(party_wait(&t->b, "session DISCONNECTED 0", WAIT));
    assert_log(&t->a, "participant DISCONNECTED 0|session DISCONNECTED 0|client CLEANUP_DONE");
    /* No new sessions after PrepareForShutdown. */
    assert_int_equal(IRTCClient_CreateSession(t->a.client, RTCST_PC_TO_PC, NULL, NULL, 0, &late),
                     RTC_E_CLIENT_ALREADY_SHUT_DOWN);
    IRTCSession_Release(session);
}

/* The documented HRESULTs for calls made in the wrong state. */
static void test_state_errors(void **state)
{
    struct two *t = *state;
    IRTCSession *session;
    IRTCClient *fresh;
    BSTR bad = bstr("not a uri at all"), uri = bstr(t->b.uri);
    RTC_LISTEN_MODE mode;
    IRTCClient2 *client2;

    assert_int_equal(CoCreateInstance(&CLSID_RTCClient, NULL, CLSCTX_INPROC_SERVER, &IID_IRTCClient, (void **)&fresh), S_OK);
    assert_int_equal(IRTCClient_CreateSession(fresh, RTCST_PC_TO_PC, NULL, NULL, 0, &session), RTC_E_CLIENT_NOT_INITIALIZED);
    assert_int_equal(IRTCClient_put_ListenForIncomingSessions(fresh, RTCLM_DYNAMIC), RTC_E_CLIENT_NOT_INITIALIZED);
    assert_int_equal(IRTCClient_Release(fresh), 0);

    assert_int_equal(IRTCClient_CreateSession(t->a.client, RTCST_PHONE_TO_PHONE, NULL, NULL, 0, &session),
                     RTC_E_INVALID_SESSION_TYPE);
    assert_int_equal(IRTCClient_CreateSession(t->a.client, RTCST_PC_TO_PC, NULL, NULL, 0, &session), S_OK);
    assert_int_equal(IRTCSession_Terminate(session, RTCTR_NORMAL), RTC_E_INVALID_SESSION_STATE);
    assert_int_equal(IRTCSession_Answer(session), RTC_E_INVALID_SESSION_STATE);
    assert_int_equal(IRTCSession_AddParticipant(session, bad, NULL, NULL), RTC_E_INVALID_SIP_URL);
    assert_int_equal(IRTCSession_AddParticipant(session, uri, NULL, NULL), S_OK);
    assert_int_equal(IRTCSession_AddParticipant(session, uri, NULL, NULL), RTC_E_SIP_ADDITIONAL_PARTY_IN_TWO_PARTY_SESSION);
    assert_true(party_wait(&t->b, "session INCOMING 0", WAIT));
    assert_int_equal(IRTCSession_Terminate(t->b.incoming, 99), E_INVALIDARG);
    assert_int_equal(IRTCSession_Terminate(session, RTCTR_BUSY), RTC_E_INVALID_SESSION_STATE);
    assert_int_equal(IRTCSession_Terminate(session, RTCTR_NORMAL), S_OK);
    assert_true(party_wait(&t->b, "session DISCONNECTED 0", WAIT));

    /* The two configuration styles exclude each other (IRTCClient::put_ListenForIncomingSessions). */
    assert_int_equal(IRTCClient_put_ListenForIncomingSessions(t->a.client, RTCLM_DYNAMIC), S_OK);
    assert_int_equal(IRTCClient_get_ListenForIncomingSessions(t->a.client, &mode), S_OK);
    assert_int_equal(mode, RTCLM_DYNAMIC);
    assert_int_equal(IRTCClient_QueryInterface(t->a.client, &IID_IRTCClient2, (void **)&client2), S_OK);
    assert_int_equal(IRTCClient2_put_AnswerMode(client2, RTCST_PC_TO_PC, RTCAM_AUTOMATICALLY_ACCEPT), RTC_E_NOT_ALLOWED);
    assert_int_equal(IRTCClient2_put_AllowedPorts(client2, RTCTR_UDP, RTCLM_DYNAMIC), RTC_E_NOT_ALLOWED);
    IRTCClient2_Release(client2);

    IRTCSession_Release(session);
    SysFreeString(bad);
    SysFreeString(uri);
}

/* put_AnswerMode(RTCAM_AUTOMATICALLY_ACCEPT): the call connects without an INCOMING event. */
static void test_answer_mode_auto_accept(void **state)
{
    struct two *t = *state;
    IRTCClient2 *client2;
    IRTCSession *session;

    assert_int_equal(IRTCClient_QueryInterface(t->b.client, &IID_IRTCClient2, (void **)&client2), S_OK);
    assert_int_equal(IRTCClient2_put_AnswerMode(client2, RTCST_PC_TO_PC, RTCAM_AUTOMATICALLY_ACCEPT), S_OK);
    IRTCClient2_Release(client2);
    session = party_call(&t->a, &t->b, RTCST_PC_TO_PC);
    assert_true(party_wait(&t->a, "session CONNECTED 0", WAIT));
    assert_true(party_wait(&t->b, "session CONNECTED 0", WAIT));
    assert_log(&t->b, "participant ANSWERING 0|session ANSWERING 0|participant CONNECTED 0|session CONNECTED 0");
    IRTCSession_Terminate(session, RTCTR_NORMAL);
    assert_true(party_wait(&t->b, "session DISCONNECTED 0", WAIT));
    IRTCSession_Release(session);
}

static void forward_incoming(struct party *from, struct party *to)
{
    IRTCSessionCallControl *control;
    BSTR uri = bstr(to->uri);

    assert_true(party_wait(from, "session INCOMING 0", WAIT));
    IRTCSession_QueryInterface(from->incoming, &IID_IRTCSessionCallControl, (void **)&control);
    assert_int_equal(IRTCSessionCallControl_Forward(control, NULL), E_INVALIDARG);
    assert_int_equal(IRTCSessionCallControl_Forward(control, uri), S_OK);
    assert_int_equal(IRTCSessionCallControl_Forward(control, uri), RTC_E_INVALID_SESSION_STATE);
    IRTCSessionCallControl_Release(control);
    SysFreeString(uri);
}

/* Bob forwards (302) to carol; alice follows the redirect by herself. */
static void test_forward_followed(void **state)
{
    struct three *t = *state;
    IRTCSession *session;

    t->c.answer = ANSWER_AT_ONCE;
    session = party_call(&t->a, &t->b, RTCST_PC_TO_PC);
    forward_incoming(&t->b, &t->c);
    assert_true(party_wait(&t->a, "session CONNECTED 0", WAIT));
    assert_true(party_wait(&t->c, "session CONNECTED 0", WAIT));
    assert_log(&t->a, "participant PENDING 0|session INPROGRESS 0|participant INPROGRESS 0|participant ALERTING 0|"
                      "participant CONNECTED 0|session CONNECTED 0");
    assert_log(&t->b, "session INCOMING 0|participant DISCONNECTED 0|session DISCONNECTED 0");
    IRTCSession_Terminate(session, RTCTR_NORMAL);
    assert_true(party_wait(&t->c, "session DISCONNECTED 0", WAIT));
    IRTCSession_Release(session);
}

/* Forwarding a call to the party that placed it declines it instead ("Forwarding"): 603,
 * no 302. The caller's URI is written here with a transport parameter it did not have:
 * still the same address (sip_uri_same_address). */
static void test_forward_to_caller_declines(void **state)
{
    struct two *t = *state;
    IRTCSession *session = party_call(&t->a, &t->b, RTCST_PC_TO_PC);
    IRTCSessionCallControl *control;
    char *text = g_strdup_printf("%s;transport=udp", t->a.uri);
    BSTR uri = bstr(text);

    assert_true(party_wait(&t->b, "session INCOMING 0", WAIT));
    IRTCSession_QueryInterface(t->b.incoming, &IID_IRTCSessionCallControl, (void **)&control);
    assert_int_equal(IRTCSessionCallControl_Forward(control, uri), S_OK);
    IRTCSessionCallControl_Release(control);
    assert_true(party_wait(&t->a, "session DISCONNECTED " S_DECLINE, WAIT));
    assert_true(party_wait(&t->b, "session DISCONNECTED 0", WAIT));
    assert_log(&t->a, "participant PENDING 0|session INPROGRESS 0|participant INPROGRESS 0|participant ALERTING 0|"
                      "participant DISCONNECTED " S_DECLINE "|session DISCONNECTED " S_DECLINE);
    assert_log(&t->b, "session INCOMING 0|participant DISCONNECTED 0|session DISCONNECTED 0");
    SysFreeString(uri);
    g_free(text);
    IRTCSession_Release(session);
}

/* With RTCCS_FAIL_ON_REDIRECT the application sees the 302 and redirects itself ("Session Forward" code example). */
static void test_redirect_fail_on_redirect(void **state)
{
    struct three *t = *state;
    IRTCSession *session;
    BSTR uri = bstr(t->b.uri), redirected;
    char *text;

    t->c.answer = ANSWER_AT_ONCE;
    assert_int_equal(IRTCClient_CreateSession(t->a.client, RTCST_PC_TO_PC, NULL, NULL, RTCCS_FAIL_ON_REDIRECT,
                                              &session), S_OK);
    assert_int_equal(IRTCSession_Redirect(session, RTCST_PC_TO_PC, NULL, NULL, 0), RTC_E_INVALID_SESSION_STATE);
    assert_int_equal(IRTCSession_AddParticipant(session, uri, NULL, NULL), S_OK);
    SysFreeString(uri);
    forward_incoming(&t->b, &t->c);
    assert_true(party_wait(&t->a, "session DISCONNECTED " S_MOVED, WAIT));
    assert_log(&t->a, "participant PENDING 0|session INPROGRESS 0|participant INPROGRESS 0|participant ALERTING 0|"
                      "participant DISCONNECTED " S_MOVED "|session DISCONNECTED " S_MOVED);
    assert_int_equal(IRTCSession_get_RedirectedUserURI(session, &redirected), RTC_E_NOT_EXIST);
    assert_int_equal(IRTCSession_NextRedirectedUser(session), S_OK);
    assert_int_equal(IRTCSession_get_RedirectedUserURI(session, &redirected), S_OK);
    text = g_ucs4_to_utf8((gunichar *)redirected, -1, NULL, NULL, NULL);
    assert_string_equal(text, t->c.uri);
    g_free(text);
    assert_int_equal(IRTCSession_NextRedirectedUser(session), S_FALSE);
    assert_int_equal(IRTCSession_Redirect(session, RTCST_PC_TO_PC, NULL, NULL, 0), S_OK);
    assert_int_equal(IRTCSession_AddParticipant(session, redirected, NULL, NULL), S_OK);
    SysFreeString(redirected);
    assert_true(party_wait(&t->a, "session CONNECTED 0", WAIT));
    assert_true(party_wait(&t->c, "session CONNECTED 0", WAIT));
    IRTCSession_Terminate(session, RTCTR_NORMAL);
    assert_true(party_wait(&t->c, "session DISCONNECTED 0", WAIT));
    IRTCSession_Release(session);
}

/* A session created with a profile goes through the profile's proxy (here carol's
 * address stands in for the proxy: the INVITE for bob reaches her, not him). */
static void test_profile_proxy(void **state)
{
    struct three *t = *state;
    IRTCClientProvisioning *provisioning;
    IRTCProfile *profile;
    IRTCSession *session;
    BSTR xml, uri = bstr(t->b.uri);
    char *text = g_strdup_printf("<provision key=\"k1\" name=\"proxy test\"><user uri=\"sip:alice@127.0.0.1\"/>"
                                 "<sipsrv addr=\"127.0.0.1:%u\" protocol=\"UDP\" auth=\"digest\" role=\"proxy\">"
                                 "<session party=\"first\" type=\"pc2pc\"/></sipsrv></provision>", t->c.port);

    xml = bstr(text);
    g_free(text);
    IRTCClient_QueryInterface(t->a.client, &IID_IRTCClientProvisioning, (void **)&provisioning);
    assert_int_equal(IRTCClientProvisioning_CreateProfile(provisioning, xml, &profile), S_OK);
    assert_int_equal(IRTCClientProvisioning_EnableProfile(provisioning, profile, 0), S_OK);
    assert_int_equal(IRTCClient_CreateSession(t->a.client, RTCST_PC_TO_PC, NULL, profile, RTCCS_FORCE_PROFILE,
                                              &session), S_OK);
    assert_int_equal(IRTCSession_AddParticipant(session, uri, NULL, NULL), S_OK);
    assert_true(party_wait(&t->c, "session INCOMING 0", WAIT));
    assert_int_equal(t->b.log->len, 0);
    IRTCSession_Terminate(session, RTCTR_NORMAL);
    assert_true(party_wait(&t->c, "session DISCONNECTED 0", WAIT));
    assert_int_equal(IRTCClientProvisioning_DisableProfile(provisioning, profile), S_OK);
    IRTCSession_Release(session);
    IRTCProfile_Release(profile);
    IRTCClientProvisioning_Release(provisioning);
    SysFreeString(xml);
    SysFreeString(uri);
}

int main(void)
{
    const struct CMUnitTest tests[] =
    {
        cmocka_unit_test_setup_teardown(test_call_answered, setup_two, teardown_two),
        cmocka_unit_test_setup_teardown(test_call_busy, setup_two, teardown_two),
        cmocka_unit_test_setup_teardown(test_call_rejected, setup_two, teardown_two),
        cmocka_unit_test_setup_teardown(test_no_answer_then_terminate, setup_two, teardown_two),
        cmocka_unit_test_setup_teardown(test_remote_hangup, setup_two, teardown_two),
        cmocka_unit_test_setup_teardown(test_hold_unhold, setup_two, teardown_two),
        cmocka_unit_test_setup_teardown(test_im_both_ways, setup_two, teardown_two),
        cmocka_unit_test_setup_teardown(test_info, setup_two, teardown_two),
        cmocka_unit_test_setup_teardown(test_shutdown_with_live_call, setup_two, teardown_two),
        cmocka_unit_test_setup_teardown(test_state_errors, setup_two, teardown_two),
        cmocka_unit_test_setup_teardown(test_answer_mode_auto_accept, setup_two, teardown_two),
        cmocka_unit_test_setup_teardown(test_forward_followed, setup_three, teardown_three),
        cmocka_unit_test_setup_teardown(test_forward_to_caller_declines, setup_two, teardown_two),
        cmocka_unit_test_setup_teardown(test_redirect_fail_on_redirect, setup_three, teardown_three),
        cmocka_unit_test_setup_teardown(test_profile_proxy, setup_three, teardown_three),
    };
    return cmocka_run_group_tests_name("rtc calls", tests, NULL, NULL);
}
