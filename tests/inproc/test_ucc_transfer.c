/*
 * Transfer in the UCC API (docs/ucc.md, "Transfer"), both sides.
 *
 * Transferee: an RTCClient (rtc_party, the transferor) calls a UCC endpoint
 * (the transferee) and refers it to another UCC endpoint (the target). The
 * transferee's application sees OnIncomingTransfer, decides, and places the new
 * session with the TransferContext; the transferor sees the REFER's response and
 * the NOTIFYs as RTC refer statuses. Consent rules as on the RTC side: no sink,
 * no transfer.
 *
 * Transferor: a UCC endpoint (alice) calls bob — an RTCClient or a UCC endpoint —
 * and hands him over with IUccSessionCallControl::BlindTransfer or
 * ConsultativeTransfer (Replaces); its application sees the REFER's progress as
 * OnBlindTransfer / OnConsultativeTransfer (IUccOperationProgressEvent and
 * IUccSessionTransferProgressEvent on one object), logged here as
 *   <label> OnBlindTransfer <op> progress|complete <StatusCode> <TransferState> <StatusText>
 *
 * Refer-To headers: an X- header a transferor embeds reaches the new INVITE (read
 * off the wire by a bare UDP target) only with rtcshim.AllowReferToPrivateHeaders.
 * Replaces: an unauthorized one (a third party, no Referred-By) is the application's
 * decision (TargetReplaceSession; Accept replaces, Reject keeps the call); one sent to
 * another endpoint of the process gets 481 (docs/wire-mapping.md, "Replaces at a UCC
 * endpoint").
 */
#include "test_ucc_party.h"
#include "rtc_party.h"
#include "../common/test_time.h"

#define S_202 "0x00ef00ca"
#define S_100 "0x00ef0064"
#define S_180 "0x00ef00b4"
#define S_200 "0x00ef00c8"

struct three { struct party r; struct ucc_party bob, carol; IRTCSession *call; };

static int setup_with(void **state, BOOL refer_private_headers)
{
    struct three *t = g_new0(struct three, 1);
    BSTR uri;

    ucc_platform_start();
    party_init(&t->r, "alice");
    /* Bob decides on transfers within 500 ms (rtcshim.TransferDecisionTimeout). */
    ucc_party_init_opts(&t->bob, "bob", 0, 500, refer_private_headers);
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

static int setup(void **state)
{
    return setup_with(state, FALSE);
}

/* Bob's endpoint context has rtcshim.AllowReferToPrivateHeaders. */
static int setup_private_headers(void **state)
{
    return setup_with(state, TRUE);
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
    guint timer = g_timeout_add(test_ms(UCC_WAIT), ucc_sink_timed_out, &expired);

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

/* Bob's application: accept, then the new session to target carries the TransferContext. */
static IUccSession *carry_out_to(struct three *t, IUccIncomingSessionTransferEvent *event, struct ucc_party *target,
                                 LONG_PTR op_id)
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
    session = ucc_party_invite(&t->bob, target, UCCST_AUDIO_VIDEO, context, op_id, NULL);
    IUccContext_Release(context);
    return session;
}

static IUccSession *carry_out(struct three *t, IUccIncomingSessionTransferEvent *event, LONG_PTR op_id)
{
    return carry_out_to(t, event, &t->carol, op_id);
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

/* ---- Refer-To's embedded X- headers (rtcshim.AllowReferToPrivateHeaders) ----------------------------- */

/* A bare UDP socket as the transfer target: it keeps the first INVITE it reads, as sent,
 * and answers it 486 so that the transfer ends. */
struct wire_target { GSocket *socket; guint16 port; char *invite; };

static void wire_target_open(struct wire_target *w)
{
    GInetAddress *loopback = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
    GSocketAddress *address = g_inet_socket_address_new(loopback, 0), *bound;

    memset(w, 0, sizeof(*w));
    w->socket = g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, NULL);
    assert_non_null(w->socket);
    assert_true(g_socket_bind(w->socket, address, FALSE, NULL));
    g_socket_set_blocking(w->socket, FALSE);
    bound = g_socket_get_local_address(w->socket, NULL);
    w->port = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(bound));
    g_object_unref(bound), g_object_unref(address), g_object_unref(loopback);
}

static void wire_target_close(struct wire_target *w)
{
    g_object_unref(w->socket);
    g_free(w->invite);
}

/* The response to request with code, its Via, From, To (with a tag), Call-ID and CSeq. */
static char *wire_response(const char *request, const char *status)
{
    static const char *const copied[] = { "Via:", "From:", "To:", "Call-ID:", "CSeq:" };
    GString *out = g_string_new(NULL);
    char **lines = g_strsplit(request, "\r\n", -1), **line;
    guint i;

    g_string_append_printf(out, "SIP/2.0 %s\r\n", status);
    for (line = lines; *line && **line; line++)
        for (i = 0; i < G_N_ELEMENTS(copied); i++)
            if (!g_ascii_strncasecmp(*line, copied[i], strlen(copied[i])))
                g_string_append_printf(out, "%s%s\r\n", *line, i == 2 ? ";tag=wire1" : "");
    g_string_append(out, "Content-Length: 0\r\n\r\n");
    g_strfreev(lines);
    return g_string_free(out, FALSE);
}

static gboolean wire_target_readable(GSocket *socket, GIOCondition condition, gpointer data)
{
    struct wire_target *w = data;
    GSocketAddress *from = NULL;
    char buffer[8192];
    gssize n;

    (void)condition;
    while ((n = g_socket_receive_from(socket, &from, buffer, sizeof(buffer) - 1, NULL, NULL)) > 0)
    {
        buffer[n] = 0;
        if (g_str_has_prefix(buffer, "INVITE ") && !w->invite)
        {
            char *response = wire_response(buffer, "486 Busy Here");

            w->invite = g_strdup(buffer);
            g_socket_send_to(socket, from, response, strlen(response), NULL, NULL);
            g_free(response);
        }
        g_object_unref(from);
        from = NULL;
    }
    return G_SOURCE_CONTINUE;
}

/* The INVITE that reached the target, or NULL after UCC_WAIT. */
static const char *wire_target_wait_invite(struct wire_target *w)
{
    GSource *source = g_socket_create_source(w->socket, G_IO_IN, NULL);
    gboolean expired = FALSE;
    guint timer = g_timeout_add(test_ms(UCC_WAIT), ucc_sink_timed_out, &expired);

    g_source_set_callback(source, (GSourceFunc)(void (*)(void))wire_target_readable, w, NULL);
    g_source_attach(source, NULL);
    while (!w->invite && !expired)
        g_main_context_iteration(NULL, TRUE);
    if (!expired)
        g_source_remove(timer);
    g_source_destroy(source);
    g_source_unref(source);
    return w->invite;
}

/* alice refers bob to the bare target with Subject and X-Custom embedded in the Refer-To;
 * bob's application places the call with the TransferContext. The INVITE on the wire:
 * Subject always (allow-list), X-Custom only if bob's endpoint opted in. */
static void transfer_with_private_header(struct three *t, gboolean passed)
{
    struct wire_target w;
    struct ucc_party target;
    IUccSession *session;
    const char *invite;
    char *uri, *expected;

    wire_target_open(&w);
    wait_connected(t);
    memset(&target, 0, sizeof(target));
    g_snprintf(target.uri, sizeof(target.uri), "sip:wire@127.0.0.1:%u", w.port);
    uri = g_strdup_printf("%s?Subject=moved&X-Custom=from-transferor", target.uri);
    assert_hr(refer(t->call, uri), S_OK);
    g_free(uri);
    /* The application sees the target without its embedded headers. */
    expected = g_strdup_printf("bob.cc OnIncomingTransfer %s by %s", target.uri, t->r.uri);
    assert_true(ucc_party_wait(&t->bob, expected));
    ucc_assert_log(&t->bob, expected);
    g_free(expected);

    session = carry_out_to(t, t->bob.sink.transfer, &target, 7);
    invite = wire_target_wait_invite(&w);
    assert_non_null(invite);
    expected = g_strdup_printf("INVITE %s SIP/2.0\r\n", target.uri);
    assert_true(g_str_has_prefix(invite, expected));
    g_free(expected);
    expected = g_strdup_printf("\r\nReferred-By: <%s>\r\n", t->r.uri);
    assert_non_null(strstr(invite, expected));
    g_free(expected);
    assert_non_null(strstr(invite, "\r\nSubject: moved\r\n"));
    if (passed)
        assert_non_null(strstr(invite, "\r\nX-Custom: from-transferor\r\n"));
    else
        assert_null(strstr(invite, "X-Custom"));
    /* The target's 486 ends the transfer: bob's session and alice's transfer fail with it. */
    assert_true(ucc_party_wait(&t->bob, "bob.s OnAddParticipant 7 " ST_486));
    assert_true(party_wait(&t->r, "refer DROPPED " ST_486, UCC_WAIT));
    IUccSession_Release(session);
    wire_target_close(&w);
}

static void test_transfer_private_header_dropped(void **state)
{
    transfer_with_private_header(*state, FALSE);
}

static void test_transfer_private_header_passed(void **state)
{
    transfer_with_private_header(*state, TRUE);
}

/* ---- transferor: BlindTransfer / ConsultativeTransfer ---------------------------------------------- */

#define S_OK_LINE(label, what, op) label " " what " " op " complete 0 CONNECTED OK"

/* alice (UCC) transfers; bob is UCC or, in rbob, an RTCClient; carol (UCC) is the target. */
struct transferor
{
    struct ucc_party alice, bob, carol;
    struct party rbob;
    BOOL rtc;                               /* rbob is in the test */
    BOOL rbob_rejects;                      /* rbob's application declines the transfer */
    BSTR stolen_refer_to;                   /* rbob declined, but kept the Refer-To (with its Replaces) */
    IRTCSessionReferredEvent *referral;     /* rbob's accepted transfer, until it reported */
    IRTCSession *rtc_transfer_session;      /* rbob's call to the target */
};

static struct transferor *current;

/* One transfer progress event as a line (see the top of the file); it also checks that
 * IUccSessionTransferProgressEvent is the same object as the IUccOperationProgressEvent. */
static char *describe_transfer_progress(DISPID dispid, IUnknown *data)
{
    static const char *const names[] = { "?", "OnIncomingTransfer", "OnBlindTransfer", "OnConsultativeTransfer",
                                         "OnAlternate" };
    IUccSessionTransferProgressEvent *transfer = NULL;
    IUccOperationProgressEvent *progress = NULL;
    IUccOperationContext *context = NULL;
    UCC_SESSION_ENTITY_STATE state = 0;
    IUnknown *identity1 = NULL, *identity2 = NULL;
    VARIANT_BOOL complete = VARIANT_FALSE;
    HRESULT status = E_FAIL;
    LONG_PTR id = 0;
    BSTR text = NULL;
    char *op, *st, *t, *line;

    if (!data || FAILED(IUnknown_QueryInterface(data, &IID_IUccOperationProgressEvent, (void **)&progress)))
        return g_strdup_printf("%s (no IUccOperationProgressEvent)", names[dispid]);
    if (FAILED(IUccOperationProgressEvent_QueryInterface(progress, &IID_IUccSessionTransferProgressEvent,
                                                         (void **)&transfer)))
    {
        IUccOperationProgressEvent_Release(progress);
        return g_strdup_printf("%s (no IUccSessionTransferProgressEvent)", names[dispid]);
    }
    IUccSessionTransferProgressEvent_QueryInterface(transfer, &IID_IUnknown, (void **)&identity1);
    IUccOperationProgressEvent_QueryInterface(progress, &IID_IUnknown, (void **)&identity2);
    IUccSessionTransferProgressEvent_get_TransferState(transfer, &state);
    IUccOperationProgressEvent_get_OriginalOperationContext(progress, &context);
    IUccOperationProgressEvent_get_IsComplete(progress, &complete);
    IUccOperationProgressEvent_get_StatusCode(progress, &status);
    IUccOperationProgressEvent_get_StatusText(progress, &text);
    if (context)
    {
        IUccOperationContext_get_OperationId(context, &id);
        IUccOperationContext_Release(context);
        op = g_strdup_printf("%ld", (long)id);
    }
    else
        op = g_strdup("-");
    st = ucc_sink_status(status);
    t = ucc_sink_utf8(text);
    line = g_strdup_printf("%s %s %s %s %s %s%s", names[dispid], op, complete == VARIANT_TRUE ? "complete" : "progress",
                           st, ucc_sink_state_name(state), t, identity1 == identity2 ? "" : " (TWO IDENTITIES)");
    g_free(op), g_free(st), g_free(t);
    SysFreeString(text);
    IUnknown_Release(identity1);
    IUnknown_Release(identity2);
    IUccSessionTransferProgressEvent_Release(transfer);
    IUccOperationProgressEvent_Release(progress);
    return line;
}

/* The party hook, plus: a transferor event's log line says everything about it. */
static void transferor_hook(struct ucc_sink *sink, const char *label, REFIID diid, DISPID dispid, IUnknown *source,
                            IUnknown *data)
{
    if (IsEqualIID(diid, &DIID__IUccSessionCallControlEvents)
        && dispid >= DISPID__IUccSessionCallControlEvents_OnBlindTransfer
        && dispid <= DISPID__IUccSessionCallControlEvents_OnAlternate)
    {
        char *line = describe_transfer_progress(dispid, data);
        guint last = sink->log->len - 1;

        g_free(g_ptr_array_index(sink->log, last));
        g_ptr_array_index(sink->log, last) = g_strdup_printf("%s %s", label, line);
        g_free(line);
        return;
    }
    ucc_party_hook(sink, label, diid, dispid, source, data);
}

/* rbob, an RTC transferee as rtc_answer is one (test_rtc_transfer.c): accept, call the
 * target with Referred-By, report the call's outcome with SetReferredSessionState. */
static void rtc_transferee_hook(struct party *party, RTC_EVENT type, IDispatch *event)
{
    struct transferor *t = current;

    if (type == RTCE_SESSION_REFERRED)
    {
        IRTCSessionReferredEvent *referred;
        IRTCSessionCallControl *control;
        BSTR to, by;

        IDispatch_QueryInterface(event, &IID_IRTCSessionReferredEvent, (void **)&referred);
        if (t->rbob_rejects)
        {
            IRTCSessionReferredEvent_get_ReferToURI(referred, &t->stolen_refer_to);
            assert_hr(IRTCSessionReferredEvent_Reject(referred), S_OK);
            IRTCSessionReferredEvent_Release(referred);
            return;
        }
        assert_hr(IRTCSessionReferredEvent_Accept(referred), S_OK);
        IRTCSessionReferredEvent_get_ReferToURI(referred, &to);
        IRTCSessionReferredEvent_get_ReferredByURI(referred, &by);
        assert_hr(IRTCClient_CreateSession(party->client, RTCST_PC_TO_PC, NULL, NULL, 0, &t->rtc_transfer_session),
                  S_OK);
        IRTCSession_QueryInterface(t->rtc_transfer_session, &IID_IRTCSessionCallControl, (void **)&control);
        assert_hr(IRTCSessionCallControl_put_ReferredByURI(control, by), S_OK);
        assert_hr(IRTCSession_AddParticipant(t->rtc_transfer_session, to, NULL, NULL), S_OK);
        IRTCSessionCallControl_Release(control);
        SysFreeString(to), SysFreeString(by);
        t->referral = referred;
    }
    else if (type == RTCE_SESSION_STATE_CHANGE && t->referral && t->rtc_transfer_session)
    {
        IRTCSessionStateChangeEvent *change;
        IRTCSession *session;
        RTC_SESSION_STATE state;

        IDispatch_QueryInterface(event, &IID_IRTCSessionStateChangeEvent, (void **)&change);
        IRTCSessionStateChangeEvent_get_Session(change, &session);
        IRTCSessionStateChangeEvent_get_State(change, &state);
        if (session == t->rtc_transfer_session && (state == RTCSS_CONNECTED || state == RTCSS_DISCONNECTED))
        {
            assert_hr(IRTCSessionReferredEvent_SetReferredSessionState(t->referral, state), S_OK);
            IRTCSessionReferredEvent_Release(t->referral);
            t->referral = NULL;
        }
        IRTCSession_Release(session);
        IRTCSessionStateChangeEvent_Release(change);
    }
}

static void transferor_party(struct ucc_party *party, const char *name)
{
    ucc_party_init(party, name, 0);
    party->sink.hook = transferor_hook;
    party->answer = UCC_ANSWER_ACCEPT;
}

static int setup_transferor_with(void **state, BOOL rtc)
{
    struct transferor *t = g_new0(struct transferor, 1);

    ucc_platform_start();
    transferor_party(&t->alice, "alice");
    transferor_party(&t->bob, "bob");
    transferor_party(&t->carol, "carol");
    if ((t->rtc = rtc))
    {
        party_init(&t->rbob, "rbob");
        t->rbob.answer = ANSWER_AT_ONCE;
        t->rbob.hook = rtc_transferee_hook;
    }
    current = t;
    *state = t;
    return 0;
}

static int setup_transferor(void **state)
{
    return setup_transferor_with(state, FALSE);
}

static int setup_transferor_rtc(void **state)
{
    return setup_transferor_with(state, TRUE);
}

static int teardown_transferor(void **state)
{
    struct transferor *t = *state;

    if (t->referral)
        IRTCSessionReferredEvent_Release(t->referral);
    if (t->rtc_transfer_session)
        IRTCSession_Release(t->rtc_transfer_session);
    SysFreeString(t->stolen_refer_to);
    ucc_platform_stop();
    ucc_party_cleanup(&t->alice);
    ucc_party_cleanup(&t->bob);
    ucc_party_cleanup(&t->carol);
    ucc_platform_release();
    if (t->rtc)
        party_cleanup(&t->rbob);
    g_free(t);
    current = NULL;
    return 0;
}

/* alice calls uri (AV, operation op), the call connects, her session's call control events are
 * advised ("alice.cc"); logs cleared. */
static IUccSession *alice_calls(struct transferor *t, const char *uri, LONG_PTR op)
{
    struct ucc_party target;
    IUccSession *session;
    char line[64];

    memset(&target, 0, sizeof(target));
    g_strlcpy(target.uri, uri, sizeof(target.uri));
    session = ucc_party_invite(&t->alice, &target, UCCST_AUDIO_VIDEO, NULL, op, NULL);
    assert_hr(ucc_sink_advise(&t->alice.sink, (IUnknown *)session, &DIID__IUccSessionCallControlEvents, "alice.cc"),
              S_OK);
    g_snprintf(line, sizeof(line), "alice.s OnAddParticipant %ld 0", (long)op);
    assert_true(ucc_party_wait(&t->alice, line));
    ucc_sink_run_for(50);
    g_free(ucc_sink_take(&t->alice.sink));
    return session;
}

static HRESULT blind_transfer(IUccSession *session, const char *uri, LONG_PTR op)
{
    IUccSessionCallControl *control;
    IUccOperationContext *operation = op ? ucc_operation(op) : NULL;
    IUccUri *target = uri ? ucc_parse(uri) : NULL;
    HRESULT hr;

    assert_hr(IUccSession_QueryInterface(session, &IID_IUccSessionCallControl, (void **)&control), S_OK);
    hr = IUccSessionCallControl_BlindTransfer(control, target, operation);
    IUccSessionCallControl_Release(control);
    if (target)
        IUccUri_Release(target);
    if (operation)
        IUccOperationContext_Release(operation);
    return hr;
}

static HRESULT consultative_transfer(IUccSession *session, IUccSession *active, LONG_PTR op)
{
    IUccSessionCallControl *control;
    IUccOperationContext *operation = op ? ucc_operation(op) : NULL;
    HRESULT hr;

    assert_hr(IUccSession_QueryInterface(session, &IID_IUccSessionCallControl, (void **)&control), S_OK);
    hr = IUccSessionCallControl_ConsultativeTransfer(control, active, operation);
    IUccSessionCallControl_Release(control);
    if (operation)
        IUccOperationContext_Release(operation);
    return hr;
}

/* The lines of the party's log that start with prefix, joined by '|'; the log is cleared. */
static char *take_lines(struct ucc_party *party, const char *prefix)
{
    GString *out = g_string_new(NULL);
    guint i;

    for (i = 0; i < party->sink.log->len; i++)
    {
        const char *line = g_ptr_array_index(party->sink.log, i);
        if (!g_str_has_prefix(line, prefix))
            continue;
        if (out->len)
            g_string_append_c(out, '|');
        g_string_append(out, line);
    }
    g_ptr_array_set_size(party->sink.log, 0);
    return g_string_free(out, FALSE);
}

static void assert_lines(struct ucc_party *party, const char *prefix, const char *expected)
{
    char *log = take_lines(party, prefix);

    if (strcmp(log, expected))
    {
        print_error("[%s] %s lines:\n  %s\nexpected:\n  %s\n", party->name, prefix, log, expected);
        g_free(log);
        fail();
    }
    g_free(log);
}

/* bob's UCC application accepts and places the session to ReferredTo with the TransferContext. */
static IUccSession *ucc_carry_out(struct ucc_party *bob, LONG_PTR op)
{
    IUccIncomingSessionTransferEvent *event = bob->sink.transfer;
    IUccContext *context = ucc_new_context(), *transfer_context;
    struct ucc_party target;
    IUccSession *session;
    IUccUri *to;
    BSTR value;
    char *text;
    VARIANT v;

    assert_hr(IUccIncomingSessionTransferEvent_Accept(event), S_OK);
    assert_hr(IUccIncomingSessionTransferEvent_get_ReferredTo(event, &to), S_OK);
    assert_hr(IUccUri_get_Value(to, &value), S_OK);
    text = ucc_sink_utf8(value);
    memset(&target, 0, sizeof(target));
    g_strlcpy(target.uri, text, sizeof(target.uri));
    g_free(text);
    SysFreeString(value);
    IUccUri_Release(to);
    assert_hr(IUccIncomingSessionTransferEvent_get_TransferContext(event, &transfer_context), S_OK);
    V_VT(&v) = VT_UNKNOWN;
    V_UNKNOWN(&v) = (IUnknown *)transfer_context;
    assert_hr(IUccContext_AddProperty(context, UCCSC_TRANSFER_CONTEXT, v, NULL), S_OK);
    IUccContext_Release(transfer_context);
    session = ucc_party_invite(bob, &target, UCCST_AUDIO_VIDEO, context, op, NULL);
    IUccContext_Release(context);
    return session;
}

/* UCC alice hands RTC rbob over to UCC carol: REFER, 202, NOTIFY 100, 180, 200. */
static void test_blind_transfer_to_rtc(void **state)
{
    struct transferor *t = *state;
    IUccSession *session = alice_calls(t, t->rbob.uri, 1);
    char *expected;

    assert_true(party_wait(&t->rbob, "session CONNECTED 0", UCC_WAIT));
    g_free(party_take_log(&t->rbob));

    assert_hr(blind_transfer(session, t->carol.uri, 7), S_OK);
    /* One transfer at a time. */
    assert_hr(blind_transfer(session, t->carol.uri, 8), E_NOT_VALID_STATE);
    assert_true(ucc_party_wait(&t->alice, S_OK_LINE("alice.cc", "OnBlindTransfer", "7")));
    assert_lines(&t->alice, "alice.cc", "alice.cc OnBlindTransfer 7 progress " S_202 " CONNECTING Accepted|"
                                        "alice.cc OnBlindTransfer 7 progress " S_100 " CONNECTING Trying|"
                                        "alice.cc OnBlindTransfer 7 progress " S_180 " CONNECTING Ringing|"
                                        S_OK_LINE("alice.cc", "OnBlindTransfer", "7"));
    /* The REFER as the transferee saw it: Refer-To the target, Referred-By alice. */
    expected = g_strdup_printf("referred %s by %s cookie ", t->carol.uri, t->alice.uri);
    assert_true(party_wait(&t->rbob, expected, UCC_WAIT));
    g_free(expected);
    assert_true(ucc_party_wait(&t->carol, "carol.p OnStateChanged CONNECTING->CONNECTED NORMAL 0"));
    /* Nothing hangs up by itself: alice's call to rbob is still up; she may transfer again. */
    ucc_sink_run_for(100);
    assert_false(ucc_sink_has(&t->alice.sink, "alice.s OnTerminate - 0"));
    IUccSession_Release(session);
}

/* The transferor answered the call: rbob calls alice, alice hands him over to carol. */
static void test_blind_transfer_from_incoming_session(void **state)
{
    struct transferor *t = *state;
    IRTCSession *call;
    BSTR uri = bstr(t->alice.uri);

    assert_hr(IRTCClient_CreateSession(t->rbob.client, RTCST_PC_TO_PC, NULL, NULL, 0, &call), S_OK);
    assert_hr(IRTCSession_AddParticipant(call, uri, NULL, NULL), S_OK);
    SysFreeString(uri);
    assert_true(ucc_party_wait(&t->alice, "alice.p OnStateChanged CONNECTING->CONNECTED NORMAL 0"));
    g_free(ucc_sink_take(&t->alice.sink));
    /* The incoming session's call control events were advised by the party hook ("alice.cc"). */
    assert_hr(blind_transfer(t->alice.sink.incoming_session, t->carol.uri, 21), S_OK);
    assert_true(ucc_party_wait(&t->alice, S_OK_LINE("alice.cc", "OnBlindTransfer", "21")));
    assert_lines(&t->alice, "alice.cc", "alice.cc OnBlindTransfer 21 progress " S_202 " CONNECTING Accepted|"
                                        "alice.cc OnBlindTransfer 21 progress " S_100 " CONNECTING Trying|"
                                        "alice.cc OnBlindTransfer 21 progress " S_180 " CONNECTING Ringing|"
                                        S_OK_LINE("alice.cc", "OnBlindTransfer", "21"));
    assert_true(ucc_party_wait(&t->carol, "carol.p OnStateChanged CONNECTING->CONNECTED NORMAL 0"));
    IRTCSession_Release(call);
}

/* UCC to UCC: bob's application accepts and places the session with the TransferContext. */
static void test_blind_transfer_ucc(void **state)
{
    struct transferor *t = *state;
    IUccSession *session = alice_calls(t, t->bob.uri, 1), *bob_session;
    char *expected;

    assert_true(ucc_party_wait(&t->bob, "bob.p OnStateChanged CONNECTING->CONNECTED NORMAL 0"));
    g_free(ucc_sink_take(&t->bob.sink));
    assert_hr(blind_transfer(session, t->carol.uri, 3), S_OK);
    expected = g_strdup_printf("bob.cc OnIncomingTransfer %s by %s", t->carol.uri, t->alice.uri);
    assert_true(ucc_party_wait(&t->bob, expected));
    ucc_assert_log(&t->bob, expected);
    g_free(expected);
    bob_session = ucc_carry_out(&t->bob, 4);
    assert_true(ucc_party_wait(&t->alice, S_OK_LINE("alice.cc", "OnBlindTransfer", "3")));
    assert_lines(&t->alice, "alice.cc", "alice.cc OnBlindTransfer 3 progress " S_202 " CONNECTING Accepted|"
                                        "alice.cc OnBlindTransfer 3 progress " S_100 " CONNECTING Trying|"
                                        "alice.cc OnBlindTransfer 3 progress " S_180 " CONNECTING Ringing|"
                                        S_OK_LINE("alice.cc", "OnBlindTransfer", "3"));
    assert_true(ucc_party_wait(&t->bob, "bob.s OnAddParticipant 4 0"));
    assert_true(ucc_party_wait(&t->carol, "carol.p OnStateChanged CONNECTING->CONNECTED NORMAL 0"));
    IUccSession_Release(bob_session);
    IUccSession_Release(session);
}

/* bob declines (603): the transfer completes with the error; a second one right after works. */
static void test_blind_transfer_rejected(void **state)
{
    struct transferor *t = *state;
    IUccSession *session = alice_calls(t, t->bob.uri, 1), *bob_session;

    assert_true(ucc_party_wait(&t->bob, "bob.p OnStateChanged CONNECTING->CONNECTED NORMAL 0"));
    assert_hr(blind_transfer(session, t->carol.uri, 5), S_OK);
    assert_true(wait_transfer(&t->bob));
    assert_hr(IUccIncomingSessionTransferEvent_Reject(t->bob.sink.transfer, UCCROTR_DECLINE), S_OK);
    assert_true(ucc_party_wait(&t->alice, "alice.cc OnBlindTransfer 5 complete " ST_603 " DISCONNECTED Decline"));
    assert_lines(&t->alice, "alice.cc", "alice.cc OnBlindTransfer 5 complete " ST_603 " DISCONNECTED Decline");

    /* Transfer rule 8 (docs/architecture.md): a second transfer right after a rejected one works. */
    IUccIncomingSessionTransferEvent_Release(t->bob.sink.transfer);
    t->bob.sink.transfer = NULL;
    assert_hr(blind_transfer(session, t->carol.uri, 6), S_OK);
    assert_true(wait_transfer(&t->bob));
    bob_session = ucc_carry_out(&t->bob, 9);
    assert_true(ucc_party_wait(&t->alice, S_OK_LINE("alice.cc", "OnBlindTransfer", "6")));
    assert_lines(&t->alice, "alice.cc", "alice.cc OnBlindTransfer 6 progress " S_202 " CONNECTING Accepted|"
                                        "alice.cc OnBlindTransfer 6 progress " S_100 " CONNECTING Trying|"
                                        "alice.cc OnBlindTransfer 6 progress " S_180 " CONNECTING Ringing|"
                                        S_OK_LINE("alice.cc", "OnBlindTransfer", "6"));
    IUccSession_Release(bob_session);
    IUccSession_Release(session);
}

/* A tel: target is referred as a SIP URI in the peer's domain (docs/wire-mapping.md); bob
 * declines it as busy: the REFER's 486 is the outcome. */
static void test_blind_transfer_tel(void **state)
{
    struct transferor *t = *state;
    IUccSession *session = alice_calls(t, t->bob.uri, 1);
    char *expected;

    assert_true(ucc_party_wait(&t->bob, "bob.p OnStateChanged CONNECTING->CONNECTED NORMAL 0"));
    g_free(ucc_sink_take(&t->bob.sink));
    assert_hr(blind_transfer(session, "tel:+1-555-0100", 13), S_OK);
    expected = g_strdup_printf("bob.cc OnIncomingTransfer sip:+15550100@127.0.0.1:%u;user=phone by %s", t->bob.port,
                               t->alice.uri);
    assert_true(ucc_party_wait(&t->bob, expected));
    g_free(expected);
    assert_hr(IUccIncomingSessionTransferEvent_Reject(t->bob.sink.transfer, UCCROTR_BUSY), S_OK);
    assert_true(ucc_party_wait(&t->alice, "alice.cc OnBlindTransfer 13 complete " ST_486 " DISCONNECTED Busy Here"));
    assert_lines(&t->alice, "alice.cc", "alice.cc OnBlindTransfer 13 complete " ST_486 " DISCONNECTED Busy Here");
    IUccSession_Release(session);
}

/* An RTC transferee that declines: 603, and the same completion without an operation context. */
static void test_blind_transfer_rejected_by_rtc(void **state)
{
    struct transferor *t = *state;
    IUccSession *session = alice_calls(t, t->rbob.uri, 1);

    t->rbob_rejects = TRUE;
    assert_hr(blind_transfer(session, t->carol.uri, 0), S_OK);
    assert_true(ucc_party_wait(&t->alice, "alice.cc OnBlindTransfer - complete " ST_603 " DISCONNECTED Decline"));
    assert_lines(&t->alice, "alice.cc", "alice.cc OnBlindTransfer - complete " ST_603 " DISCONNECTED Decline");
    IUccSession_Release(session);
}

/* The target is busy: the final NOTIFY's 486 is the outcome. */
static void test_blind_transfer_target_busy(void **state)
{
    struct transferor *t = *state;
    IUccSession *session = alice_calls(t, t->bob.uri, 1), *bob_session;

    t->carol.answer = UCC_ANSWER_REJECT;
    t->carol.reject_reason = UCCROTR_BUSY;
    assert_hr(blind_transfer(session, t->carol.uri, 2), S_OK);
    assert_true(wait_transfer(&t->bob));
    bob_session = ucc_carry_out(&t->bob, 4);
    assert_true(ucc_party_wait(&t->alice, "alice.cc OnBlindTransfer 2 complete " ST_486 " DISCONNECTED Busy Here"));
    assert_lines(&t->alice, "alice.cc", "alice.cc OnBlindTransfer 2 progress " S_202 " CONNECTING Accepted|"
                                        "alice.cc OnBlindTransfer 2 progress " S_100 " CONNECTING Trying|"
                                        "alice.cc OnBlindTransfer 2 progress " S_180 " CONNECTING Ringing|"
                                        "alice.cc OnBlindTransfer 2 complete " ST_486 " DISCONNECTED Busy Here");
    IUccSession_Release(bob_session);
    IUccSession_Release(session);
}

/* The call ends while the transfer is under way: the transfer fails (487) before OnTerminate. */
static void test_blind_transfer_call_ends(void **state)
{
    struct transferor *t = *state;
    IUccSession *session = alice_calls(t, t->bob.uri, 1);
    char *log;

    assert_hr(blind_transfer(session, t->carol.uri, 3), S_OK);
    assert_true(wait_transfer(&t->bob));
    assert_hr(IUccIncomingSessionTransferEvent_Accept(t->bob.sink.transfer), S_OK);
    assert_true(ucc_party_wait(&t->alice, "alice.cc OnBlindTransfer 3 progress " S_100 " CONNECTING Trying"));
    assert_hr(IUccSession_Terminate(session, UCCROTR_NOT_SPECIFIED, NULL), S_OK);
    assert_true(ucc_party_wait(&t->alice, "alice.s OnTerminate - 0"));
    log = take_lines(&t->alice, "alice.cc");
    assert_true(g_str_has_prefix(log, "alice.cc OnBlindTransfer 3 progress " S_202 " CONNECTING Accepted|"
                                      "alice.cc OnBlindTransfer 3 progress " S_100 " CONNECTING Trying|"
                                      "alice.cc OnBlindTransfer 3 complete " ST_487 " DISCONNECTED "));
    assert_null(strchr(strrchr(log, '|') + 1, '|'));
    g_free(log);
    /* Over: the session's call control refuses a new transfer. */
    assert_hr(blind_transfer(session, t->carol.uri, 4), E_NOT_VALID_STATE);
    IUccSession_Release(session);
}

/* Attended: alice talks to bob (A) and to carol (C), then refers bob to carol with Replaces
 * naming C. bob's new session replaces C at carol, who hangs C up. */
static void test_consultative_transfer(void **state)
{
    struct transferor *t = *state;
    IUccSession *a = alice_calls(t, t->bob.uri, 1), *c, *bob_session, *carol_first, *replaced = NULL;
    char *expected;

    assert_true(ucc_party_wait(&t->bob, "bob.p OnStateChanged CONNECTING->CONNECTED NORMAL 0"));
    c = alice_calls(t, t->carol.uri, 2);
    assert_true(ucc_party_wait(&t->carol, "carol.p OnStateChanged CONNECTING->CONNECTED NORMAL 0"));
    carol_first = t->carol.sink.incoming_session;
    IUccSession_AddRef(carol_first);
    g_free(ucc_sink_take(&t->bob.sink));
    g_free(ucc_sink_take(&t->carol.sink));

    assert_hr(consultative_transfer(a, c, 11), S_OK);
    assert_true(wait_transfer(&t->bob));
    bob_session = ucc_carry_out(&t->bob, 12);
    assert_true(ucc_party_wait(&t->alice, S_OK_LINE("alice.cc", "OnConsultativeTransfer", "11")));
    /* carol took bob's INVITE as replacing C, and hung C up: alice's C ended by itself. */
    expected = g_strdup_printf("carol.sm OnIncomingSession AV %s", t->bob.uri);
    assert_true(ucc_party_wait(&t->carol, expected));
    g_free(expected);
    assert_hr(IUccIncomingSessionEvent_get_TargetReplaceSession(t->carol.sink.incoming, &replaced), S_OK);
    assert_ptr_equal(replaced, carol_first);
    assert_true(ucc_party_wait(&t->alice, "alice.p OnStateChanged CONNECTED->DISCONNECTED REMOTE_HANGUP_ACTION 0"));
    assert_true(ucc_party_wait(&t->alice, "alice.s OnTerminate - 0"));
    assert_lines(&t->alice, "alice.cc",
                 "alice.cc OnConsultativeTransfer 11 progress " S_202 " CONNECTING Accepted|"
                 "alice.cc OnConsultativeTransfer 11 progress " S_100 " CONNECTING Trying|"
                 "alice.cc OnConsultativeTransfer 11 progress " S_180 " CONNECTING Ringing|"
                 S_OK_LINE("alice.cc", "OnConsultativeTransfer", "11"));
    assert_true(ucc_party_wait(&t->bob, "bob.s OnAddParticipant 12 0"));
    IUccSession_Release(replaced);
    IUccSession_Release(carol_first);
    IUccSession_Release(bob_session);
    IUccSession_Release(c);
    IUccSession_Release(a);
}

/* ---- Replaces the application decides on ---------------------------------------------------------- */

/* alice (UCC) talks to rbob (A) and to carol (C), and refers rbob to carol with Replaces
 * naming C; rbob declines the transfer (603) but keeps its Refer-To, which now lets him
 * name C in an INVITE of his own: not authorized (RFC 3891 §7), since it neither comes
 * from alice, C's remote party, nor carries a Referred-By naming her. Returns C as carol
 * has it (a reference); logs cleared. */
static IUccSession *steal_replaces(struct transferor *t, IUccSession **a, IUccSession **c)
{
    IUccSession *carol_first;
    char *text;

    *a = alice_calls(t, t->rbob.uri, 1);
    *c = alice_calls(t, t->carol.uri, 2);
    assert_true(ucc_party_wait(&t->carol, "carol.p OnStateChanged CONNECTING->CONNECTED NORMAL 0"));
    carol_first = t->carol.sink.incoming_session;
    IUccSession_AddRef(carol_first);
    t->rbob_rejects = TRUE;
    assert_hr(consultative_transfer(*a, *c, 11), S_OK);
    assert_true(ucc_party_wait(&t->alice, "alice.cc OnConsultativeTransfer 11 complete " ST_603 " DISCONNECTED Decline"));
    assert_lines(&t->alice, "alice.cc", "alice.cc OnConsultativeTransfer 11 complete " ST_603 " DISCONNECTED Decline");
    assert_non_null(t->stolen_refer_to);
    text = ucc_sink_utf8(t->stolen_refer_to);
    assert_non_null(strstr(text, "?Replaces="));
    g_free(text);
    g_free(ucc_sink_take(&t->alice.sink));
    g_free(ucc_sink_take(&t->carol.sink));
    g_free(party_take_log(&t->rbob));
    return carol_first;
}

/* rbob calls uri (no Referred-By: put_ReferredByURI is never called). */
static IRTCSession *rbob_calls(struct transferor *t, BSTR uri)
{
    IRTCSession *call;

    assert_hr(IRTCClient_CreateSession(t->rbob.client, RTCST_PC_TO_PC, NULL, NULL, 0, &call), S_OK);
    assert_hr(IRTCSession_AddParticipant(call, uri, NULL, NULL), S_OK);
    return call;
}

/* The unauthorized Replaces reaches carol's application as an ordinary incoming session
 * with TargetReplaceSession set; she accepts: the new session connects, then C ends. */
static void test_unauthorized_replaces_accepted(void **state)
{
    struct transferor *t = *state;
    IUccSession *a, *c, *carol_first = steal_replaces(t, &a, &c), *replaced = NULL;
    IRTCSession *call;
    char *expected;

    call = rbob_calls(t, t->stolen_refer_to);
    assert_true(party_wait(&t->rbob, "session CONNECTED 0", UCC_WAIT));
    assert_true(ucc_party_wait(&t->alice, "alice.s OnTerminate - 0"));
    assert_true(ucc_party_wait(&t->carol, "carol.s OnTerminate - 0"));
    ucc_sink_run_for(100);
    /* carol: the new session rings her application and connects; then C ends (her BYE). */
    expected = g_strdup_printf("carol.sm OnIncomingSession AV %s|"
                               "carol.p OnStateChanged CONNECTING->CONNECTED NORMAL 0|"
                               "carol.p OnStateChanged CONNECTED->DISCONNECTED NORMAL 0|"
                               "carol.s OnParticipantRemoved %s|carol.s OnTerminate - 0", t->rbob.uri, t->alice.uri);
    ucc_assert_log(&t->carol, expected);
    g_free(expected);
    assert_hr(t->carol.decision_hr, S_OK);
    assert_ptr_not_equal(t->carol.sink.incoming_session, carol_first);
    assert_hr(IUccIncomingSessionEvent_get_TargetReplaceSession(t->carol.sink.incoming, &replaced), S_OK);
    assert_ptr_equal(replaced, carol_first);
    /* alice: C was hung up by carol; A (rbob) is untouched. */
    expected = g_strdup_printf("alice.p OnStateChanged CONNECTED->DISCONNECTED REMOTE_HANGUP_ACTION 0|"
                               "alice.s OnParticipantRemoved %s|alice.s OnTerminate - 0", t->carol.uri);
    ucc_assert_log(&t->alice, expected);
    g_free(expected);
    assert_rtc_log(&t->rbob, "participant PENDING 0|session INPROGRESS 0|participant INPROGRESS 0|"
                             "participant ALERTING 0|participant CONNECTED 0|session CONNECTED 0");
    IUccSession_Release(replaced);
    IRTCSession_Release(call);
    IUccSession_Release(carol_first);
    IUccSession_Release(c);
    IUccSession_Release(a);
}

/* The same, rejected: 603 to rbob, C stays up (alice can still hang it up herself). */
static void test_unauthorized_replaces_rejected(void **state)
{
    struct transferor *t = *state;
    IUccSession *a, *c, *carol_first = steal_replaces(t, &a, &c), *replaced = NULL;
    IRTCSession *call;
    char *expected;

    t->carol.answer = UCC_ANSWER_REJECT;
    t->carol.reject_reason = UCCROTR_DECLINE;
    call = rbob_calls(t, t->stolen_refer_to);
    assert_true(party_wait(&t->rbob, "session DISCONNECTED " ST_603, UCC_WAIT));
    assert_true(ucc_party_wait(&t->carol, "carol.s OnTerminate - 0"));
    ucc_sink_run_for(200);
    /* Only the new session ended; its TargetReplaceSession was C. */
    expected = g_strdup_printf("carol.sm OnIncomingSession AV %s|"
                               "carol.p OnStateChanged CONNECTING->DISCONNECTED NORMAL 0|"
                               "carol.s OnParticipantRemoved %s|carol.s OnTerminate - 0", t->rbob.uri, t->rbob.uri);
    ucc_assert_log(&t->carol, expected);
    g_free(expected);
    assert_hr(t->carol.decision_hr, S_OK);
    assert_hr(IUccIncomingSessionEvent_get_TargetReplaceSession(t->carol.sink.incoming, &replaced), S_OK);
    assert_ptr_equal(replaced, carol_first);
    assert_rtc_log(&t->rbob, "participant PENDING 0|session INPROGRESS 0|participant INPROGRESS 0|"
                             "participant ALERTING 0|participant DISCONNECTED " ST_603 "|session DISCONNECTED " ST_603);
    /* C is still up: nothing happened to it, and alice's hangup reaches carol's C. */
    ucc_assert_log(&t->alice, "");
    assert_hr(IUccSession_Terminate(c, UCCROTR_NOT_SPECIFIED, NULL), S_OK);
    assert_true(ucc_party_wait(&t->carol, "carol.s OnTerminate - 0"));
    expected = g_strdup_printf("carol.p OnStateChanged CONNECTED->DISCONNECTED REMOTE_HANGUP_ACTION 0|"
                               "carol.s OnParticipantRemoved %s|carol.s OnTerminate - 0", t->alice.uri);
    ucc_assert_log(&t->carol, expected);
    g_free(expected);
    IUccSession_Release(replaced);
    IRTCSession_Release(call);
    IUccSession_Release(carol_first);
    IUccSession_Release(c);
    IUccSession_Release(a);
}

/* The Replaces sent to bob, another endpoint of this process: it names no session of his
 * (C is carol's), so 481 (docs/wire-mapping.md, "Replaces at a UCC endpoint"), and bob's
 * application hears nothing. */
static void test_replaces_of_another_endpoint(void **state)
{
    struct transferor *t = *state;
    IUccSession *a, *c, *carol_first = steal_replaces(t, &a, &c);
    IRTCSession *call;
    char *text;
    BSTR uri;

    char *stolen = ucc_sink_utf8(t->stolen_refer_to);

    text = g_strdup_printf("%s%s", t->bob.uri, strstr(stolen, "?Replaces="));
    uri = bstr(text);
    g_free(text), g_free(stolen);
    call = rbob_calls(t, uri);
    SysFreeString(uri);
    assert_true(party_wait(&t->rbob, "session DISCONNECTED 0x80ef01e1", UCC_WAIT));
    assert_rtc_log(&t->rbob, "participant PENDING 0|session INPROGRESS 0|participant INPROGRESS 0|"
                             "participant DISCONNECTED 0x80ef01e1|session DISCONNECTED 0x80ef01e1");
    /* Nobody's application heard of it, and C is untouched. */
    ucc_sink_run_for(200);
    ucc_assert_log(&t->bob, "");
    ucc_assert_log(&t->carol, "");
    ucc_assert_log(&t->alice, "");
    assert_hr(IUccSession_Terminate(c, UCCROTR_NOT_SPECIFIED, NULL), S_OK);
    assert_true(ucc_party_wait(&t->carol, "carol.p OnStateChanged CONNECTED->DISCONNECTED REMOTE_HANGUP_ACTION 0"));
    IRTCSession_Release(call);
    IUccSession_Release(carol_first);
    IUccSession_Release(c);
    IUccSession_Release(a);
}

/* What the methods refuse, and Alternate (not built). */
static void test_transfer_errors(void **state)
{
    struct transferor *t = *state;
    IUccSession *a = alice_calls(t, t->bob.uri, 1), *im, *idle;
    IUccSessionCallControl *control;
    char *uri;

    /* An IM session has no call to hand over. */
    im = ucc_party_invite(&t->alice, &t->carol, UCCST_INSTANT_MESSAGING, NULL, 2, NULL);
    assert_true(ucc_party_wait(&t->alice, "alice.s OnAddParticipant 2 0"));
    assert_hr(blind_transfer(im, t->carol.uri, 3), HRESULT_FROM_WIN32(ERROR_NOT_SUPPORTED));
    assert_hr(consultative_transfer(im, a, 3), HRESULT_FROM_WIN32(ERROR_NOT_SUPPORTED));
    assert_hr(consultative_transfer(a, im, 3), HRESULT_FROM_WIN32(ERROR_NOT_SUPPORTED));
    /* An AV session nobody joined yet. */
    assert_hr(IUccSessionManager_CreateSession(t->alice.manager, UCCST_AUDIO_VIDEO, NULL, &idle), S_OK);
    assert_hr(blind_transfer(idle, t->carol.uri, 3), E_NOT_VALID_STATE);
    assert_hr(consultative_transfer(idle, a, 3), E_NOT_VALID_STATE);
    assert_hr(consultative_transfer(a, idle, 3), E_NOT_VALID_STATE);
    /* Bad arguments. */
    assert_hr(blind_transfer(a, NULL, 3), E_INVALIDARG);
    uri = g_strdup_printf("%s?Call-ID=forged", t->carol.uri);    /* would forge a dialog: no Refer-To */
    assert_hr(blind_transfer(a, uri, 3), E_INVALIDARG);
    g_free(uri);
    assert_hr(consultative_transfer(a, NULL, 3), E_INVALIDARG);
    assert_hr(consultative_transfer(a, a, 3), E_INVALIDARG);
    assert_hr(IUccSession_QueryInterface(a, &IID_IUccSessionCallControl, (void **)&control), S_OK);
    assert_hr(IUccSessionCallControl_Alternate(control, im, NULL), E_NOTIMPL);
    IUccSessionCallControl_Release(control);
    /* None of that sent anything. */
    ucc_sink_run_for(100);
    assert_lines(&t->alice, "alice.cc", "");
    IUccSession_Release(idle);
    IUccSession_Release(im);
    IUccSession_Release(a);
}

int main(void)
{
    const struct CMUnitTest tests[] =
    {
        /* transferee */
        cmocka_unit_test_setup_teardown(test_transfer_accepted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_transfer_rejected, setup, teardown),
        cmocka_unit_test_setup_teardown(test_transfer_without_sink, setup, teardown),
        cmocka_unit_test_setup_teardown(test_transfer_target_busy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_transfer_undecided, setup, teardown),
        cmocka_unit_test_setup_teardown(test_transfer_private_header_dropped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_transfer_private_header_passed, setup_private_headers, teardown),
        /* transferor */
        cmocka_unit_test_setup_teardown(test_blind_transfer_to_rtc, setup_transferor_rtc, teardown_transferor),
        cmocka_unit_test_setup_teardown(test_blind_transfer_rejected_by_rtc, setup_transferor_rtc, teardown_transferor),
        cmocka_unit_test_setup_teardown(test_blind_transfer_from_incoming_session, setup_transferor_rtc,
                                        teardown_transferor),
        cmocka_unit_test_setup_teardown(test_blind_transfer_ucc, setup_transferor, teardown_transferor),
        cmocka_unit_test_setup_teardown(test_blind_transfer_rejected, setup_transferor, teardown_transferor),
        cmocka_unit_test_setup_teardown(test_blind_transfer_tel, setup_transferor, teardown_transferor),
        cmocka_unit_test_setup_teardown(test_blind_transfer_target_busy, setup_transferor, teardown_transferor),
        cmocka_unit_test_setup_teardown(test_blind_transfer_call_ends, setup_transferor, teardown_transferor),
        cmocka_unit_test_setup_teardown(test_consultative_transfer, setup_transferor, teardown_transferor),
        cmocka_unit_test_setup_teardown(test_transfer_errors, setup_transferor, teardown_transferor),
        /* Replaces */
        cmocka_unit_test_setup_teardown(test_unauthorized_replaces_accepted, setup_transferor_rtc, teardown_transferor),
        cmocka_unit_test_setup_teardown(test_unauthorized_replaces_rejected, setup_transferor_rtc, teardown_transferor),
        cmocka_unit_test_setup_teardown(test_replaces_of_another_endpoint, setup_transferor_rtc, teardown_transferor),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
