/*
 * A UCC test party for the in-process tests (test_ucc_*.c): one server-less
 * endpoint of the process's UccPlatform listening on 127.0.0.1, with a sink
 * (../unit/ucc/ucc_sink.h) advised the way Microsoft's UCC examples advise:
 * endpoint and session manager events on the endpoint; for an incoming session,
 * the session and its inviter before deciding; for an outgoing one, the session
 * and the participant before AddParticipant. Public API only (the shared
 * library), so the tests see what an application sees.
 *
 * Log labels: <name>.ep endpoint, <name>.sm session manager, <name>.s session
 * (and its participant collection), <name>.p the remote participant,
 * <name>.ims IM session events, <name>.im IM participant events, <name>.cc an
 * incoming session's call control events (transfer).
 */
#ifndef TEST_UCC_PARTY_H
#define TEST_UCC_PARTY_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>
#include <gio/gio.h>
#include "../unit/ucc/ucc_sink.h"

#define UCC_WAIT 5000

#define assert_hr(expr, expected) do { \
        HRESULT hr_ = (expr); \
        if (hr_ != (HRESULT)(expected)) { \
            print_error("%s: got 0x%08x, expected 0x%08x\n", #expr, (unsigned int)hr_, (unsigned int)(expected)); \
            fail(); \
        } \
    } while (0)

/* HRESULTs of SIP final responses (docs/wire-mapping.md): 0x80EF0000 | code. */
#define ST_302 "0x80ef012e"
#define ST_408 "0x80ef0198"
#define ST_480 "0x80ef01e0"
#define ST_486 "0x80ef01e6"
#define ST_487 "0x80ef01e7"
#define ST_488 "0x80ef01e8"
#define ST_603 "0x80ef025b"

enum ucc_answer { UCC_ANSWER_LATER, UCC_ANSWER_ACCEPT, UCC_ANSWER_REJECT };

struct ucc_party
{
    char name[16];
    IUccEndpoint *endpoint;
    IUccSessionManager *manager;
    struct ucc_sink sink;
    unsigned short port;
    char uri[64];                           /* sip:name@127.0.0.1:port */
    enum ucc_answer answer;
    UCC_REJECT_OR_TERMINATE_REASON reject_reason;
    HRESULT decision_hr;                    /* what Accept/Reject returned in the handler */
    BOOL no_call_control;                   /* do not advise incoming sessions' call control (transfer) events */
};

static IUccPlatform *ucc_platform G_GNUC_UNUSED;
static struct ucc_sink ucc_platform_sink G_GNUC_UNUSED;
static BOOL ucc_platform_shut_down G_GNUC_UNUSED;        /* a test shut it down itself */

/* A loopback port free for UDP and for a TCP listener: an endpoint listens on both, and
 * a TCP connection's own local port (from the same range) is free for UDP but not for
 * listening, which would leave a ;transport=tcp endpoint without TCP. */
static inline unsigned short ucc_free_port(void)
{
    GInetAddress *loopback = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
    unsigned short port = 0;
    int attempt;

    for (attempt = 0; attempt < 100 && !port; attempt++)
    {
        GSocket *udp = g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, NULL);
        GSocket *tcp = g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
        GSocketAddress *address = g_inet_socket_address_new(loopback, 0), *bound;
        unsigned short candidate;

        g_assert_true(g_socket_bind(udp, address, FALSE, NULL));
        bound = g_socket_get_local_address(udp, NULL);
        candidate = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(bound));
        if (g_socket_bind(tcp, bound, TRUE, NULL) && g_socket_listen(tcp, NULL))
            port = candidate;
        g_object_unref(bound);
        g_object_unref(address);
        g_object_unref(tcp);
        g_object_unref(udp);
    }
    g_object_unref(loopback);
    g_assert_cmpuint(port, !=, 0);
    return port;
}

static inline IUccUri *ucc_parse(const char *text)
{
    IUccUriManager *manager;
    IUccUri *uri = NULL;
    BSTR b = ucc_sink_bstr(text);

    assert_hr(CoCreateInstance(&CLSID_UccUriManager, NULL, CLSCTX_INPROC_SERVER, &IID_IUccUriManager,
                               (void **)&manager), S_OK);
    assert_hr(IUccUriManager_ParseUri(manager, b, &uri), S_OK);
    IUccUriManager_Release(manager);
    SysFreeString(b);
    return uri;
}

static inline IUccOperationContext *ucc_operation(LONG_PTR id)
{
    IUccOperationContext *op;

    assert_hr(CoCreateInstance(&CLSID_UccOperationContext, NULL, CLSCTX_INPROC_SERVER, &IID_IUccOperationContext,
                               (void **)&op), S_OK);
    assert_hr(IUccOperationContext_Initialize(op, id, NULL), S_OK);
    return op;
}

static inline IUccContext *ucc_new_context(void)
{
    IUccContext *context;

    assert_hr(CoCreateInstance(&CLSID_UccContext, NULL, CLSCTX_INPROC_SERVER, &IID_IUccContext, (void **)&context),
              S_OK);
    return context;
}

static inline void ucc_add_string_property(IUccContext *context, LONG id, const char *value)
{
    VARIANT v;

    V_VT(&v) = VT_BSTR;
    V_BSTR(&v) = ucc_sink_bstr(value);
    assert_hr(IUccContext_AddProperty(context, id, v, NULL), S_OK);
    VariantClear(&v);
}

static inline void ucc_add_named_long(IUccContext *context, const WCHAR *name, LONG value)
{
    BSTR b = SysAllocString(name);
    VARIANT v;

    V_VT(&v) = VT_I4;
    V_I4(&v) = value;
    assert_hr(IUccContext_AddNamedProperty(context, b, v, NULL), S_OK);
    SysFreeString(b);
}

/* The sink hook: advise what an application advises, then decide as told. */
static inline void ucc_party_hook(struct ucc_sink *sink, const char *label, REFIID diid, DISPID dispid, IUnknown *source,
                           IUnknown *data)
{
    struct ucc_party *party = sink->user;
    IUccSessionParticipant *inviter;
    UCC_SESSION_TYPE type;
    char l[40];

    if (!IsEqualIID(diid, &DIID__IUccSessionManagerEvents)
        || dispid != DISPID__IUccSessionManagerEvents_OnIncomingSession)
        return;
    /* Advise the session and each remote participant before Accept (docs/ucc.md). */
    g_snprintf(l, sizeof(l), "%s.s", party->name);
    assert_hr(ucc_sink_advise(sink, (IUnknown *)sink->incoming_session, &DIID__IUccSessionEvents, l), S_OK);
    assert_hr(ucc_sink_advise(sink, (IUnknown *)sink->incoming_session, &DIID__IUccSessionParticipantCollectionEvents,
                              l), S_OK);
    if (!party->no_call_control)
    {
        g_snprintf(l, sizeof(l), "%s.cc", party->name);
        assert_hr(ucc_sink_advise(sink, (IUnknown *)sink->incoming_session, &DIID__IUccSessionCallControlEvents, l),
                  S_OK);
    }
    IUccSession_get_Type(sink->incoming_session, &type);
    if (type == UCCST_INSTANT_MESSAGING)
    {
        g_snprintf(l, sizeof(l), "%s.ims", party->name);
        assert_hr(ucc_sink_advise(sink, (IUnknown *)sink->incoming_session, &DIID__IUccInstantMessagingSessionEvents,
                                  l), S_OK);
    }
    assert_hr(IUccIncomingSessionEvent_get_Inviter(sink->incoming, &inviter), S_OK);
    g_snprintf(l, sizeof(l), "%s.p", party->name);
    assert_hr(ucc_sink_advise(sink, (IUnknown *)inviter, &DIID__IUccSessionParticipantEvents, l), S_OK);
    if (type == UCCST_INSTANT_MESSAGING)
    {
        g_snprintf(l, sizeof(l), "%s.im", party->name);
        assert_hr(ucc_sink_advise(sink, (IUnknown *)inviter, &DIID__IUccInstantMessagingSessionParticipantEvents, l),
                  S_OK);
    }
    IUccSessionParticipant_Release(inviter);
    if (party->answer == UCC_ANSWER_ACCEPT)
        party->decision_hr = IUccIncomingSessionEvent_Accept(sink->incoming);
    else if (party->answer == UCC_ANSWER_REJECT)
        party->decision_hr = IUccIncomingSessionEvent_Reject(sink->incoming, party->reject_reason);
}

/* The platform of the test (one per process, initialised here). */
static inline void ucc_platform_start(void)
{
    BSTR name = SysAllocString(L"rtcshim-inproc");

    g_assert_cmphex(CoInitializeEx(NULL, COINIT_APARTMENTTHREADED) & ~1u, ==, S_OK);
    assert_hr(CoCreateInstance(&CLSID_UccPlatform, NULL, CLSCTX_INPROC_SERVER, &IID_IUccPlatform,
                               (void **)&ucc_platform), S_OK);
    assert_hr(IUccPlatform_Initialize(ucc_platform, name, NULL), S_OK);
    SysFreeString(name);
    ucc_sink_init(&ucc_platform_sink);
    assert_hr(ucc_sink_advise(&ucc_platform_sink, (IUnknown *)ucc_platform, &DIID__IUccPlatformEvents, "platform"),
              S_OK);
}

/* Shutdown (ending every session), OnShutdown, and nothing left behind. */
static inline void ucc_platform_stop(void)
{
    if (!ucc_platform_shut_down)
    {
        assert_hr(IUccPlatform_Shutdown(ucc_platform, NULL), S_OK);
        assert_true(ucc_sink_wait(&ucc_platform_sink, "platform OnShutdown 0", UCC_WAIT));
    }
    ucc_platform_shut_down = FALSE;
}

/* After every object of the test is released: the platform goes, nothing leaks. */
static inline void ucc_platform_release(void)
{
    ucc_sink_cleanup(&ucc_platform_sink);
    g_assert_cmpuint(IUccPlatform_Release(ucc_platform), ==, 0);
    ucc_platform = NULL;
    CoUninitialize();
}

/* Appended to every endpoint's URI made from now on: "" (UDP, the default) or ";transport=tcp". */
static const char *ucc_party_uri_params = "";

/* An enabled endpoint sip:name@127.0.0.1:<free port>; the bounds (ms) 0 = default;
 * refer_private_headers: rtcshim.AllowReferToPrivateHeaders set (X- headers in a Refer-To pass). */
static inline void ucc_party_init_opts(struct ucc_party *party, const char *name, LONG incoming_timeout_ms,
                                       LONG transfer_timeout_ms, BOOL refer_private_headers)
{
    IUccContext *context = ucc_new_context();
    IUccUri *uri;
    char label[40];

    memset(party, 0, sizeof(*party));
    g_strlcpy(party->name, name, sizeof(party->name));
    party->port = ucc_free_port();
    g_snprintf(party->uri, sizeof(party->uri), "sip:%s@127.0.0.1:%u%s", name, party->port, ucc_party_uri_params);
    ucc_sink_init(&party->sink);
    party->sink.hook = ucc_party_hook;
    party->sink.user = party;
    party->answer = UCC_ANSWER_LATER;

    /* Server-less (docs/ucc.md): no registrar; it listens where its URI says. */
    ucc_add_string_property(context, UCCSEC_DISPLAY_NAME, name);
    if (incoming_timeout_ms)
        ucc_add_named_long(context, L"rtcshim.IncomingSessionTimeout", incoming_timeout_ms);
    if (transfer_timeout_ms)
        ucc_add_named_long(context, L"rtcshim.TransferDecisionTimeout", transfer_timeout_ms);
    if (refer_private_headers)
        ucc_add_named_long(context, L"rtcshim.AllowReferToPrivateHeaders", 1);
    uri = ucc_parse(party->uri);
    assert_hr(IUccPlatform_CreateEndpoint(ucc_platform, UCCET_PRINCIPAL_SERVER_BASED, uri, NULL, context,
                                          &party->endpoint), S_OK);
    IUccUri_Release(uri);
    IUccContext_Release(context);
    assert_hr(IUccEndpoint_QueryInterface(party->endpoint, &IID_IUccSessionManager, (void **)&party->manager), S_OK);
    g_snprintf(label, sizeof(label), "%s.ep", name);
    assert_hr(ucc_sink_advise(&party->sink, (IUnknown *)party->endpoint, &DIID__IUccEndpointEvents, label), S_OK);
    g_snprintf(label, sizeof(label), "%s.sm", name);
    assert_hr(ucc_sink_advise(&party->sink, (IUnknown *)party->endpoint, &DIID__IUccSessionManagerEvents, label),
              S_OK);
    assert_hr(IUccEndpoint_Enable(party->endpoint, NULL), S_OK);
    g_snprintf(label, sizeof(label), "%s.ep OnEnable 0", name);
    assert_true(ucc_sink_wait(&party->sink, label, UCC_WAIT));
    g_free(ucc_sink_take(&party->sink));
}

static inline void ucc_party_init_full(struct ucc_party *party, const char *name, LONG incoming_timeout_ms,
                                       LONG transfer_timeout_ms)
{
    ucc_party_init_opts(party, name, incoming_timeout_ms, transfer_timeout_ms, FALSE);
}

static inline void ucc_party_init(struct ucc_party *party, const char *name, LONG incoming_timeout_ms)
{
    ucc_party_init_full(party, name, incoming_timeout_ms, 0);
}

static inline void ucc_party_cleanup(struct ucc_party *party)
{
    ucc_sink_cleanup(&party->sink);
    IUccSessionManager_Release(party->manager);
    IUccEndpoint_Release(party->endpoint);
}

/*
 * CreateSession(type, context) from `from`, advised like Microsoft's UCC examples,
 * CreateParticipant(to->uri) and AddParticipant(participant, operation id op_id).
 * *participant (optional) gets the participant.
 */
static inline IUccSession *ucc_party_invite(struct ucc_party *from, struct ucc_party *to, UCC_SESSION_TYPE type,
                                     IUccContext *context, LONG_PTR op_id, IUccSessionParticipant **participant_out)
{
    IUccSessionParticipant *participant;
    IUccOperationContext *op = ucc_operation(op_id);
    IUccSession *session;
    IUccUri *uri = ucc_parse(to->uri);
    char label[40];

    assert_hr(IUccSessionManager_CreateSession(from->manager, type, context, &session), S_OK);
    g_snprintf(label, sizeof(label), "%s.s", from->name);
    assert_hr(ucc_sink_advise(&from->sink, (IUnknown *)session, &DIID__IUccSessionEvents, label), S_OK);
    assert_hr(ucc_sink_advise(&from->sink, (IUnknown *)session, &DIID__IUccSessionParticipantCollectionEvents, label),
              S_OK);
    if (type == UCCST_INSTANT_MESSAGING)
    {
        g_snprintf(label, sizeof(label), "%s.ims", from->name);
        assert_hr(ucc_sink_advise(&from->sink, (IUnknown *)session, &DIID__IUccInstantMessagingSessionEvents, label),
                  S_OK);
    }
    assert_hr(IUccSession_CreateParticipant(session, uri, NULL, &participant), S_OK);
    IUccUri_Release(uri);
    g_snprintf(label, sizeof(label), "%s.p", from->name);
    assert_hr(ucc_sink_advise(&from->sink, (IUnknown *)participant, &DIID__IUccSessionParticipantEvents, label), S_OK);
    if (type == UCCST_INSTANT_MESSAGING)
    {
        g_snprintf(label, sizeof(label), "%s.im", from->name);
        assert_hr(ucc_sink_advise(&from->sink, (IUnknown *)participant,
                                  &DIID__IUccInstantMessagingSessionParticipantEvents, label), S_OK);
    }
    assert_hr(IUccSession_AddParticipant(session, participant, op), S_OK);
    IUccOperationContext_Release(op);
    if (participant_out)
        *participant_out = participant;
    else
        IUccSessionParticipant_Release(participant);
    return session;
}

/* The party's log must be exactly expected (lines joined by '|'); it is cleared. */
static inline void ucc_assert_log(struct ucc_party *party, const char *expected)
{
    char *log = ucc_sink_take(&party->sink);

    if (strcmp(log, expected))
    {
        print_error("[%s] log:\n  %s\nexpected:\n  %s\n", party->name, log, expected);
        g_free(log);
        fail();
    }
    g_free(log);
}

static inline gboolean ucc_party_wait(struct ucc_party *party, const char *line)
{
    return ucc_sink_wait(&party->sink, line, UCC_WAIT);
}

static inline HRESULT ucc_send(IUccSession *session, const char *text, LONG_PTR op_id)
{
    IUccInstantMessagingSession *im;
    IUccOperationContext *op = ucc_operation(op_id);
    BSTR type = SysAllocString(L"text/plain"), message = ucc_sink_bstr(text);
    HRESULT hr;

    assert_hr(IUccSession_QueryInterface(session, &IID_IUccInstantMessagingSession, (void **)&im), S_OK);
    hr = IUccInstantMessagingSession_SendMessage(im, type, message, op);
    IUccInstantMessagingSession_Release(im);
    IUccOperationContext_Release(op);
    SysFreeString(type);
    SysFreeString(message);
    return hr;
}

#endif
