/*
 * UCC endpoints calling each other on loopback in one main context, through
 * the public API: the exact event sequences and HRESULTs an application sees
 * for the flows of docs/ucc.md ("Incoming sessions", "Event sequences") and
 * docs/wire-mapping.md (reject reasons, the conversation id).
 */
#include "test_ucc_party.h"

struct parties { struct ucc_party a, b, c; };

static int setup(void **state)
{
    struct parties *t = g_new0(struct parties, 1);

    ucc_platform_start();
    ucc_party_init(&t->a, "alice", 0);
    ucc_party_init(&t->b, "bob", 0);
    *state = t;
    return 0;
}

static int teardown(void **state)
{
    struct parties *t = *state;

    /* Shutdown ends what a test left running. */
    ucc_platform_stop();
    ucc_party_cleanup(&t->a);
    ucc_party_cleanup(&t->b);
    if (t->c.endpoint)
        ucc_party_cleanup(&t->c);
    ucc_platform_release();
    g_free(t);
    return 0;
}

static char *line(const char *format, ...) G_GNUC_PRINTF(1, 2);
static char *line(const char *format, ...)
{
    va_list args;
    char *text;

    va_start(args, format);
    text = g_strdup_vprintf(format, args);
    va_end(args);
    return text;
}

/* An AV call, accepted from inside OnIncomingSession, then hung up by the caller. */
static void test_av_accept_and_hangup(void **state)
{
    struct parties *t = *state;
    IUccOperationContext *op = ucc_operation(2);
    IUccSessionParticipant *participant;
    UCC_SESSION_ENTITY_STATE st;
    IUccSession *session;
    char *expected;

    t->b.answer = UCC_ANSWER_ACCEPT;
    session = ucc_party_invite(&t->a, &t->b, UCCST_AUDIO_VIDEO, NULL, 1, &participant);
    /* Nothing is delivered from inside the API call. */
    assert_int_equal(t->a.sink.log->len, 0);
    assert_true(ucc_party_wait(&t->a, "alice.s OnAddParticipant 1 0"));
    assert_true(ucc_party_wait(&t->b, "bob.p OnStateChanged CONNECTING->CONNECTED NORMAL 0"));
    assert_hr(t->b.decision_hr, S_OK);
    expected = line("alice.sm OnOutgoingSession AV|alice.s OnParticipantAdded %s|"
                    "alice.p OnStateChanged IDLE->CONNECTING NORMAL 0|"
                    "alice.p OnStateChanged CONNECTING->CONNECTING RINGING 0|"
                    "alice.p OnStateChanged CONNECTING->CONNECTED NORMAL 0|alice.s OnAddParticipant 1 0", t->b.uri);
    ucc_assert_log(&t->a, expected);
    g_free(expected);
    expected = line("bob.sm OnIncomingSession AV %s|bob.p OnStateChanged CONNECTING->CONNECTED NORMAL 0", t->a.uri);
    ucc_assert_log(&t->b, expected);
    g_free(expected);
    assert_hr(IUccSessionParticipant_get_State(participant, &st), S_OK);
    assert_int_equal(st, UCCSES_CONNECTED);
    /* A second decision on the same invitation is refused. */
    assert_hr(IUccIncomingSessionEvent_Accept(t->b.sink.incoming), E_NOT_VALID_STATE);

    assert_hr(IUccSession_Terminate(session, UCCROTR_NOT_SPECIFIED, op), S_OK);
    assert_int_equal(t->a.sink.log->len, 0);
    assert_true(ucc_party_wait(&t->a, "alice.s OnTerminate 2 0"));
    assert_true(ucc_party_wait(&t->b, "bob.s OnTerminate - 0"));
    expected = line("alice.p OnStateChanged CONNECTED->DISCONNECTED NORMAL 0|alice.s OnParticipantRemoved %s|"
                    "alice.s OnTerminate 2 0", t->b.uri);
    ucc_assert_log(&t->a, expected);
    g_free(expected);
    expected = line("bob.p OnStateChanged CONNECTED->DISCONNECTED REMOTE_HANGUP_ACTION 0|"
                    "bob.s OnParticipantRemoved %s|bob.s OnTerminate - 0", t->a.uri);
    ucc_assert_log(&t->b, expected);
    g_free(expected);
    assert_hr(IUccSessionParticipant_get_State(participant, &st), S_OK);
    assert_int_equal(st, UCCSES_DISCONNECTED);
    /* Terminate on an ended session does not fail and raises nothing more. */
    assert_hr(IUccSession_Terminate(session, UCCROTR_NOT_SPECIFIED, op), S_OK);
    IUccSessionParticipant_Release(participant);
    IUccSession_Release(session);
    IUccOperationContext_Release(op);
}

/* Each reject reason reaches the caller as the SIP code docs/wire-mapping.md gives. */
static void test_reject_reasons(void **state)
{
    static const struct { UCC_REJECT_OR_TERMINATE_REASON reason; const char *status; } cases[] =
    {
        { UCCROTR_BUSY, ST_486 },
        { UCCROTR_DECLINE, ST_603 },
        { UCCROTR_UNAVAILABLE, ST_480 },
        { UCCROTR_NOT_ACCEPTABLE, ST_488 },
        { UCCROTR_TIMEOUT, ST_408 },
        { UCCROTR_DECLINE_EVERYWHERE, ST_603 },
        { UCCROTR_NOT_SPECIFIED, ST_603 },
    };
    struct parties *t = *state;
    unsigned int i;

    t->b.answer = UCC_ANSWER_REJECT;
    for (i = 0; i < G_N_ELEMENTS(cases); i++)
    {
        IUccSession *session;
        char *expected, *done;

        t->b.reject_reason = cases[i].reason;
        session = ucc_party_invite(&t->a, &t->b, UCCST_AUDIO_VIDEO, NULL, i + 1, NULL);
        done = line("alice.s OnAddParticipant %u %s", i + 1, cases[i].status);
        assert_true(ucc_party_wait(&t->a, done));
        assert_true(ucc_party_wait(&t->b, "bob.s OnTerminate - 0"));
        assert_hr(t->b.decision_hr, S_OK);
        expected = line("alice.sm OnOutgoingSession AV|alice.s OnParticipantAdded %s|"
                        "alice.p OnStateChanged IDLE->CONNECTING NORMAL 0|"
                        "alice.p OnStateChanged CONNECTING->CONNECTING RINGING 0|"
                        "alice.p OnStateChanged CONNECTING->DISCONNECTED FAILED %s|alice.s OnParticipantRemoved %s|%s",
                        t->b.uri, cases[i].status, t->b.uri, done);
        ucc_assert_log(&t->a, expected);
        g_free(expected);
        expected = line("bob.sm OnIncomingSession AV %s|bob.p OnStateChanged CONNECTING->DISCONNECTED NORMAL 0|"
                        "bob.s OnParticipantRemoved %s|bob.s OnTerminate - 0", t->a.uri, t->a.uri);
        ucc_assert_log(&t->b, expected);
        g_free(expected);
        g_free(done);
        /* After the reject: Reject again is harmless, Accept is refused. */
        assert_hr(IUccIncomingSessionEvent_Reject(t->b.sink.incoming, UCCROTR_BUSY), S_OK);
        assert_hr(IUccIncomingSessionEvent_Accept(t->b.sink.incoming), E_NOT_VALID_STATE);
        /* The failed invitation leaves the caller's session open; Terminate closes it. */
        assert_hr(IUccSession_Terminate(session, UCCROTR_NOT_SPECIFIED, NULL), S_OK);
        assert_true(ucc_party_wait(&t->a, "alice.s OnTerminate - 0"));
        g_free(ucc_sink_take(&t->a.sink));
        IUccSession_Release(session);
    }
}

/* Reasons that are not SIP rejections are refused, and the invitation stays pending. */
static void test_reject_invalid_reason(void **state)
{
    struct parties *t = *state;
    IUccSession *session = ucc_party_invite(&t->a, &t->b, UCCST_AUDIO_VIDEO, NULL, 1, NULL);

    assert_true(ucc_party_wait(&t->a, "alice.p OnStateChanged CONNECTING->CONNECTING RINGING 0"));
    assert_hr(IUccIncomingSessionEvent_Reject(t->b.sink.incoming, UCCROTR_FORWARDED), E_INVALIDARG);
    assert_hr(IUccIncomingSessionEvent_Reject(t->b.sink.incoming, UCCROTR_ACCEPTED_ELSEWHERE), E_INVALIDARG);
    assert_hr(IUccIncomingSessionEvent_Reject(t->b.sink.incoming, 499), E_INVALIDARG);
    assert_hr(IUccIncomingSessionEvent_Accept(t->b.sink.incoming), S_OK);
    assert_true(ucc_party_wait(&t->a, "alice.s OnAddParticipant 1 0"));
    IUccSession_Release(session);
}

/* The event object stays valid after the handler returns: Accept later works. */
static void test_deferred_accept(void **state)
{
    struct parties *t = *state;
    IUccIncomingSessionEvent *event;
    IUccSession *session = ucc_party_invite(&t->a, &t->b, UCCST_AUDIO_VIDEO, NULL, 1, NULL);

    assert_true(ucc_party_wait(&t->a, "alice.p OnStateChanged CONNECTING->CONNECTING RINGING 0"));
    event = t->b.sink.incoming;
    assert_non_null(event);
    ucc_sink_run_for(200);
    assert_false(ucc_sink_has(&t->a.sink, "alice.s OnAddParticipant 1 0"));
    assert_hr(IUccIncomingSessionEvent_Accept(event), S_OK);
    assert_true(ucc_party_wait(&t->a, "alice.s OnAddParticipant 1 0"));
    assert_true(ucc_party_wait(&t->b, "bob.p OnStateChanged CONNECTING->CONNECTED NORMAL 0"));
    assert_hr(IUccIncomingSessionEvent_Reject(event, UCCROTR_BUSY), E_NOT_VALID_STATE);
    IUccSession_Release(session);
}

/* The inviter cancels: the callee sees the hang-up, a late Accept is the invalid-state error. */
static void test_late_accept_after_cancel(void **state)
{
    struct parties *t = *state;
    IUccOperationContext *op = ucc_operation(2);
    IUccSession *session = ucc_party_invite(&t->a, &t->b, UCCST_AUDIO_VIDEO, NULL, 1, NULL);
    char *expected;

    assert_true(ucc_party_wait(&t->a, "alice.p OnStateChanged CONNECTING->CONNECTING RINGING 0"));
    assert_hr(IUccSession_Terminate(session, UCCROTR_NOT_SPECIFIED, op), S_OK);
    assert_true(ucc_party_wait(&t->a, "alice.s OnTerminate 2 0"));
    assert_true(ucc_party_wait(&t->b, "bob.s OnTerminate - 0"));
    expected = line("alice.sm OnOutgoingSession AV|alice.s OnParticipantAdded %s|"
                    "alice.p OnStateChanged IDLE->CONNECTING NORMAL 0|"
                    "alice.p OnStateChanged CONNECTING->CONNECTING RINGING 0|"
                    "alice.p OnStateChanged CONNECTING->DISCONNECTED NORMAL " ST_487 "|"
                    "alice.s OnParticipantRemoved %s|alice.s OnAddParticipant 1 " ST_487 "|alice.s OnTerminate 2 0",
                    t->b.uri, t->b.uri);
    ucc_assert_log(&t->a, expected);
    g_free(expected);
    expected = line("bob.sm OnIncomingSession AV %s|"
                    "bob.p OnStateChanged CONNECTING->DISCONNECTED REMOTE_HANGUP_ACTION 0|"
                    "bob.s OnParticipantRemoved %s|bob.s OnTerminate - 0", t->a.uri, t->a.uri);
    ucc_assert_log(&t->b, expected);
    g_free(expected);
    assert_hr(IUccIncomingSessionEvent_Accept(t->b.sink.incoming), E_NOT_VALID_STATE);
    assert_hr(IUccIncomingSessionEvent_Reject(t->b.sink.incoming, UCCROTR_DECLINE), S_OK);
    IUccOperationContext_Release(op);
    IUccSession_Release(session);
}

/* Nobody answers: the invitation is rejected (408) after the endpoint's bound. */
static void test_unanswered_invitation(void **state)
{
    struct parties *t = *state;
    IUccSession *session;
    char *expected;

    ucc_party_init(&t->c, "carol", 300);
    session = ucc_party_invite(&t->a, &t->c, UCCST_AUDIO_VIDEO, NULL, 1, NULL);
    assert_true(ucc_party_wait(&t->a, "alice.s OnAddParticipant 1 " ST_408));
    assert_true(ucc_party_wait(&t->c, "carol.s OnTerminate - 0"));
    expected = line("carol.sm OnIncomingSession AV %s|carol.p OnStateChanged CONNECTING->DISCONNECTED NORMAL 0|"
                    "carol.s OnParticipantRemoved %s|carol.s OnTerminate - 0", t->a.uri, t->a.uri);
    ucc_assert_log(&t->c, expected);
    g_free(expected);
    assert_hr(IUccIncomingSessionEvent_Accept(t->c.sink.incoming), E_NOT_VALID_STATE);
    IUccSession_Release(session);
}

/* No sink on _IUccSessionManagerEvents: nobody could answer, so 480 at once. */
static void test_no_sink_unavailable(void **state)
{
    struct parties *t = *state;
    struct ucc_party d;
    IUccSession *session;
    IUccUri *uri;
    char *text;

    /* An endpoint without any sink. */
    memset(&d, 0, sizeof(d));
    d.port = ucc_free_port();
    text = g_strdup_printf("sip:dave@127.0.0.1:%u", d.port);
    g_strlcpy(d.uri, text, sizeof(d.uri));
    g_strlcpy(d.name, "dave", sizeof(d.name));
    uri = ucc_parse(text);
    g_free(text);
    assert_hr(IUccPlatform_CreateEndpoint(ucc_platform, UCCET_PRINCIPAL_SERVER_BASED, uri, NULL, NULL, &d.endpoint),
              S_OK);
    IUccUri_Release(uri);
    assert_hr(IUccEndpoint_Enable(d.endpoint, NULL), S_OK);
    ucc_sink_run_for(50);
    session = ucc_party_invite(&t->a, &d, UCCST_AUDIO_VIDEO, NULL, 1, NULL);
    assert_true(ucc_party_wait(&t->a, "alice.s OnAddParticipant 1 " ST_480));
    IUccSession_Release(session);
    IUccEndpoint_Release(d.endpoint);
}

static IUccPropertyCollection *targets(const char *name, const char *uri)
{
    IUccPropertyCollection *collection;
    BSTR n = ucc_sink_bstr(name);
    VARIANT v;

    assert_hr(CoCreateInstance(&CLSID_UccPropertyCollection, NULL, CLSCTX_INPROC_SERVER, &IID_IUccPropertyCollection,
                               (void **)&collection), S_OK);
    V_VT(&v) = VT_BSTR;
    V_BSTR(&v) = ucc_sink_bstr(uri);
    /* A (name, URI) pair is a named property; a target without a name is an id-keyed one. */
    if (*name)
        assert_hr(IUccPropertyCollection_AddNamedProperty(collection, n, v, NULL), S_OK);
    else
        assert_hr(IUccPropertyCollection_AddProperty(collection, 1, v, NULL), S_OK);
    VariantClear(&v);
    SysFreeString(n);
    return collection;
}

/* Redirect: 302 to a third party, which the caller follows by default. */
static void test_redirect_followed(void **state)
{
    struct parties *t = *state;
    IUccPropertyCollection *to_carol;
    IUccSession *session;
    char *expected;

    ucc_party_init(&t->c, "carol", 0);
    t->c.answer = UCC_ANSWER_ACCEPT;
    session = ucc_party_invite(&t->a, &t->b, UCCST_AUDIO_VIDEO, NULL, 1, NULL);
    assert_true(ucc_party_wait(&t->a, "alice.p OnStateChanged CONNECTING->CONNECTING RINGING 0"));
    to_carol = targets("Carol", t->c.uri);
    assert_hr(IUccIncomingSessionEvent_Redirect(t->b.sink.incoming, UCCSRM_SERVER_REDIRECT, to_carol),
              HRESULT_FROM_WIN32(ERROR_NOT_SUPPORTED));
    assert_hr(IUccIncomingSessionEvent_Redirect(t->b.sink.incoming, UCCSRM_CLIENT_REDIRECT, NULL), E_INVALIDARG);
    assert_hr(IUccIncomingSessionEvent_Redirect(t->b.sink.incoming, UCCSRM_CLIENT_REDIRECT, to_carol), S_OK);
    IUccPropertyCollection_Release(to_carol);
    assert_true(ucc_party_wait(&t->a, "alice.s OnAddParticipant 1 0"));
    assert_true(ucc_party_wait(&t->b, "bob.s OnTerminate - 0"));
    expected = line("alice.sm OnOutgoingSession AV|alice.s OnParticipantAdded %s|"
                    "alice.p OnStateChanged IDLE->CONNECTING NORMAL 0|"
                    "alice.p OnStateChanged CONNECTING->CONNECTING RINGING 0|"
                    "alice.p OnStateChanged CONNECTING->CONNECTING REDIRECT_ACTION 0|"
                    "alice.p OnStateChanged CONNECTING->CONNECTING RINGING 0|"
                    "alice.p OnStateChanged CONNECTING->CONNECTED NORMAL 0|alice.s OnAddParticipant 1 0", t->b.uri);
    ucc_assert_log(&t->a, expected);
    g_free(expected);
    expected = line("bob.sm OnIncomingSession AV %s|bob.p OnStateChanged CONNECTING->DISCONNECTED FORWARD_DISCONNECT 0|"
                    "bob.s OnParticipantRemoved %s|bob.s OnTerminate - 0", t->a.uri, t->a.uri);
    ucc_assert_log(&t->b, expected);
    g_free(expected);
    assert_true(ucc_party_wait(&t->c, "carol.p OnStateChanged CONNECTING->CONNECTED NORMAL 0"));
    IUccSession_Release(session);
}

/* With UCCSC_DISABLE_AUTOMATIC_REDIRECT the caller gets the 302 as the outcome. */
static void test_redirect_not_followed(void **state)
{
    struct parties *t = *state;
    IUccPropertyCollection *to_carol;
    IUccContext *context = ucc_new_context();
    IUccSession *session;
    VARIANT v;

    V_VT(&v) = VT_BOOL;
    V_BOOL(&v) = VARIANT_TRUE;
    assert_hr(IUccContext_AddProperty(context, UCCSC_DISABLE_AUTOMATIC_REDIRECT, v, NULL), S_OK);
    session = ucc_party_invite(&t->a, &t->b, UCCST_AUDIO_VIDEO, context, 1, NULL);
    IUccContext_Release(context);
    assert_true(ucc_party_wait(&t->a, "alice.p OnStateChanged CONNECTING->CONNECTING RINGING 0"));
    to_carol = targets("", "sip:carol@127.0.0.1:9");
    assert_hr(IUccIncomingSessionEvent_Redirect(t->b.sink.incoming, UCCSRM_CLIENT_REDIRECT, to_carol), S_OK);
    IUccPropertyCollection_Release(to_carol);
    assert_true(ucc_party_wait(&t->a, "alice.s OnAddParticipant 1 " ST_302));
    assert_true(ucc_sink_has(&t->a.sink, "alice.p OnStateChanged CONNECTING->DISCONNECTED REDIRECT_ACTION " ST_302));
    IUccSession_Release(session);
}

/* IM sessions: Redirect is for AV only. MESSAGE both ways in the dialog, composing. */
static void test_im_both_ways(void **state)
{
    struct parties *t = *state;
    IUccInstantMessagingSessionParticipant *im_participant;
    IUccPropertyCollection *to_carol;
    IUccInstantMessagingSession *im;
    IUccSessionParticipant *participant;
    IUccSession *session;
    VARIANT_BOOL composing;
    char *expected;

    session = ucc_party_invite(&t->a, &t->b, UCCST_INSTANT_MESSAGING, NULL, 1, &participant);
    assert_true(ucc_party_wait(&t->a, "alice.p OnStateChanged CONNECTING->CONNECTING RINGING 0"));
    to_carol = targets("Carol", "sip:carol@127.0.0.1:9");
    assert_hr(IUccIncomingSessionEvent_Redirect(t->b.sink.incoming, UCCSRM_CLIENT_REDIRECT, to_carol),
              HRESULT_FROM_WIN32(ERROR_NOT_SUPPORTED));
    IUccPropertyCollection_Release(to_carol);
    /* Sending before the session is connected is refused. */
    assert_hr(ucc_send(session, "too early", 4), E_NOT_VALID_STATE);
    assert_hr(IUccIncomingSessionEvent_Accept(t->b.sink.incoming), S_OK);
    assert_true(ucc_party_wait(&t->a, "alice.s OnAddParticipant 1 0"));
    assert_true(ucc_party_wait(&t->b, "bob.p OnStateChanged CONNECTING->CONNECTED NORMAL 0"));
    g_free(ucc_sink_take(&t->a.sink));
    g_free(ucc_sink_take(&t->b.sink));

    assert_hr(ucc_send(session, "hello bob", 5), S_OK);
    assert_int_equal(t->a.sink.log->len, 0);
    assert_true(ucc_party_wait(&t->a, "alice.ims OnSendMessage 5 0"));
    assert_true(ucc_party_wait(&t->b, "bob.im OnInstantMessageReceived text/plain hello bob"));
    ucc_assert_log(&t->a, "alice.ims OnSendMessage 5 0");
    ucc_assert_log(&t->b, "bob.im OnInstantMessageReceived text/plain hello bob");

    /* The callee answers in the same session. */
    assert_hr(ucc_send(t->b.sink.incoming_session, "hi alice", 6), S_OK);
    assert_true(ucc_party_wait(&t->b, "bob.ims OnSendMessage 6 0"));
    assert_true(ucc_party_wait(&t->a, "alice.im OnInstantMessageReceived text/plain hi alice"));
    ucc_assert_log(&t->a, "alice.im OnInstantMessageReceived text/plain hi alice");
    ucc_assert_log(&t->b, "bob.ims OnSendMessage 6 0");

    /* Composing (RFC 3994) becomes OnComposing / OnIdle on the other side. */
    assert_hr(IUccSession_QueryInterface(session, &IID_IUccInstantMessagingSession, (void **)&im), S_OK);
    assert_hr(IUccInstantMessagingSession_StartComposing(im, NULL), S_OK);
    assert_true(ucc_party_wait(&t->b, "bob.im OnComposing"));
    assert_hr(IUccInstantMessagingSession_StopComposing(im, NULL), S_OK);
    assert_true(ucc_party_wait(&t->b, "bob.im OnIdle"));
    IUccInstantMessagingSession_Release(im);
    assert_hr(IUccSessionParticipant_QueryInterface(participant, &IID_IUccInstantMessagingSessionParticipant,
                                                    (void **)&im_participant), S_OK);
    assert_hr(IUccInstantMessagingSessionParticipant_get_IsComposing(im_participant, &composing), S_OK);
    assert_int_equal(composing, VARIANT_FALSE);
    IUccInstantMessagingSessionParticipant_Release(im_participant);

    /* The callee ends it. */
    assert_hr(IUccSession_Terminate(t->b.sink.incoming_session, UCCROTR_NOT_SPECIFIED, NULL), S_OK);
    assert_true(ucc_party_wait(&t->a, "alice.s OnTerminate - 0"));
    expected = line("alice.p OnStateChanged CONNECTED->DISCONNECTED REMOTE_HANGUP_ACTION 0|"
                    "alice.s OnParticipantRemoved %s|alice.s OnTerminate - 0", t->b.uri);
    ucc_assert_log(&t->a, expected);
    g_free(expected);
    assert_hr(ucc_send(session, "gone", 7), E_NOT_VALID_STATE);
    IUccSessionParticipant_Release(participant);
    IUccSession_Release(session);
}

/* Context property 10000 goes out with the INVITE and is there on the incoming session. */
static void test_conversation_id(void **state)
{
    struct parties *t = *state;
    IUccContext *context = ucc_new_context(), *incoming_context;
    IUccProperty *property;
    IUccSession *session;
    VARIANT_BOOL set;
    BSTR value;
    char *text;

    ucc_add_string_property(context, 10000, "{2B7B2A62-8E5C-4C55-A1F2-4A6E1C0D7F10}");
    session = ucc_party_invite(&t->a, &t->b, UCCST_INSTANT_MESSAGING, context, 1, NULL);
    IUccContext_Release(context);
    assert_true(ucc_party_wait(&t->a, "alice.p OnStateChanged CONNECTING->CONNECTING RINGING 0"));
    /* As MSDN's OnIncomingSession example does it: Session.Context.IsPropertySet(10000), then StringValue. */
    assert_hr(IUccSession_get_Context(t->b.sink.incoming_session, &incoming_context), S_OK);
    assert_hr(IUccContext_IsPropertySet(incoming_context, 10000, &set), S_OK);
    assert_int_equal(set, VARIANT_TRUE);
    assert_hr(IUccContext_get_Property(incoming_context, 10000, &property), S_OK);
    assert_hr(IUccProperty_get_StringValue(property, &value), S_OK);
    text = ucc_sink_utf8(value);
    assert_string_equal(text, "{2B7B2A62-8E5C-4C55-A1F2-4A6E1C0D7F10}");
    g_free(text);
    SysFreeString(value);
    IUccProperty_Release(property);
    IUccContext_Release(incoming_context);

    /* Without the property, no conversation id. */
    IUccSession_Release(session);
    g_free(ucc_sink_take(&t->a.sink));
    session = ucc_party_invite(&t->a, &t->b, UCCST_AUDIO_VIDEO, NULL, 2, NULL);
    assert_true(ucc_party_wait(&t->a, "alice.p OnStateChanged CONNECTING->CONNECTING RINGING 0"));
    assert_hr(IUccSession_get_Context(t->b.sink.incoming_session, &incoming_context), S_OK);
    assert_hr(IUccContext_IsPropertySet(incoming_context, 10000, &set), S_OK);
    assert_int_equal(set, VARIANT_FALSE);
    IUccContext_Release(incoming_context);
    IUccSession_Release(session);
}

/* RemoveParticipant hangs up that party without ending the session. */
static void test_remove_participant(void **state)
{
    struct parties *t = *state;
    IUccOperationContext *op = ucc_operation(7);
    IUccSessionParticipant *participant;
    IUccSession *session;
    char *expected;

    t->b.answer = UCC_ANSWER_ACCEPT;
    session = ucc_party_invite(&t->a, &t->b, UCCST_INSTANT_MESSAGING, NULL, 1, &participant);
    assert_true(ucc_party_wait(&t->a, "alice.s OnAddParticipant 1 0"));
    g_free(ucc_sink_take(&t->a.sink));
    assert_hr(IUccSession_RemoveParticipant(session, participant, op), S_OK);
    assert_true(ucc_party_wait(&t->a, "alice.s OnRemoveParticipant 7 0"));
    expected = line("alice.p OnStateChanged CONNECTED->DISCONNECTED NORMAL 0|alice.s OnParticipantRemoved %s|"
                    "alice.s OnRemoveParticipant 7 0", t->b.uri);
    ucc_assert_log(&t->a, expected);
    g_free(expected);
    assert_true(ucc_party_wait(&t->b, "bob.s OnTerminate - 0"));
    assert_hr(IUccSession_RemoveParticipant(session, participant, op), E_INVALIDARG);
    /* The session is still there: Terminate ends it now. */
    assert_hr(IUccSession_Terminate(session, UCCROTR_NOT_SPECIFIED, op), S_OK);
    assert_true(ucc_party_wait(&t->a, "alice.s OnTerminate 7 0"));
    IUccSessionParticipant_Release(participant);
    IUccSession_Release(session);
    IUccOperationContext_Release(op);
}

/* Platform shutdown ends live sessions (both sides hear it) before OnShutdown. */
static void test_shutdown_ends_calls(void **state)
{
    struct parties *t = *state;
    IUccSession *session;

    t->b.answer = UCC_ANSWER_ACCEPT;
    session = ucc_party_invite(&t->a, &t->b, UCCST_AUDIO_VIDEO, NULL, 1, NULL);
    assert_true(ucc_party_wait(&t->a, "alice.s OnAddParticipant 1 0"));
    assert_true(ucc_party_wait(&t->b, "bob.p OnStateChanged CONNECTING->CONNECTED NORMAL 0"));
    g_free(ucc_sink_take(&t->a.sink));
    g_free(ucc_sink_take(&t->b.sink));
    assert_hr(IUccPlatform_Shutdown(ucc_platform, NULL), S_OK);
    assert_true(ucc_sink_wait(&ucc_platform_sink, "platform OnShutdown 0", UCC_WAIT));
    assert_true(ucc_sink_has(&t->a.sink, "alice.s OnTerminate - 0"));
    assert_true(ucc_sink_has(&t->b.sink, "bob.s OnTerminate - 0"));
    assert_true(ucc_sink_has(&t->b.sink, "bob.p OnStateChanged CONNECTED->DISCONNECTED REMOTE_HANGUP_ACTION 0")
                || ucc_sink_has(&t->b.sink, "bob.p OnStateChanged CONNECTED->DISCONNECTED NORMAL 0"));
    IUccSession_Release(session);
    ucc_platform_shut_down = TRUE;      /* teardown has nothing left to shut down */
}

int main(void)
{
    const struct CMUnitTest tests[] =
    {
        cmocka_unit_test_setup_teardown(test_av_accept_and_hangup, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reject_reasons, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reject_invalid_reason, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deferred_accept, setup, teardown),
        cmocka_unit_test_setup_teardown(test_late_accept_after_cancel, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unanswered_invitation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_sink_unavailable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_redirect_followed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_redirect_not_followed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_im_both_ways, setup, teardown),
        cmocka_unit_test_setup_teardown(test_conversation_id, setup, teardown),
        cmocka_unit_test_setup_teardown(test_remove_participant, setup, teardown),
        cmocka_unit_test_setup_teardown(test_shutdown_ends_calls, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
