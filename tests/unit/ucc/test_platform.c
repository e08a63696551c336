/*
 * UccPlatform, the endpoint in server-less mode and the session manager
 * (ucc/platform.c, endpoint.c, credential.c, session.c): the singleton,
 * Initialize's rules, the apartment, events only from the main loop with the
 * documented Invoke shape, Enable/Disable, CreateSession, Shutdown.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <wchar.h>
#include <cmocka.h>

#include "ucc_private.h"
#include <gio/gio.h>
#include "ucc/ucc_sink.h"

#define WAIT 5000

#define assert_hr(expr, expected) do { \
        HRESULT hr_ = (expr); \
        if (hr_ != (HRESULT)(expected)) { \
            print_error("%s: got 0x%08x, expected 0x%08x\n", #expr, (unsigned int)hr_, (unsigned int)(expected)); \
            fail(); \
        } \
    } while (0)

static void assert_log(struct ucc_sink *sink, const char *expected)
{
    char *log = ucc_sink_take(sink);

    if (strcmp(log, expected))
    {
        print_error("log:      %s\nexpected: %s\n", log, expected);
        g_free(log);
        fail();
    }
    g_free(log);
}

static int setup(void **state)
{
    CoInitializeEx(NULL, COINIT_APARTMENTTHREADED);
    return 0;
}

static int teardown(void **state)
{
    CoUninitialize();
    return 0;
}

static IUccPlatform *create_platform(void)
{
    IUccPlatform *platform = NULL;

    assert_hr(CoCreateInstance(&CLSID_UccPlatform, NULL, CLSCTX_INPROC_SERVER, &IID_IUccPlatform,
                               (void **)&platform), S_OK);
    return platform;
}

static IUccOperationContext *operation(LONG_PTR id)
{
    IUccOperationContext *op;

    assert_hr(CoCreateInstance(&CLSID_UccOperationContext, NULL, CLSCTX_INPROC_SERVER, &IID_IUccOperationContext,
                               (void **)&op), S_OK);
    IUccOperationContext_Initialize(op, id, NULL);
    return op;
}

/* An endpoint for sip:name@127.0.0.1 listening on 127.0.0.1 (any port), not enabled. */
static IUccEndpoint *create_endpoint(IUccPlatform *platform, const char *name, const char *address)
{
    IUccEndpoint *endpoint = NULL;
    IUccContext *context;
    IUccUri *uri;
    char *text = g_strdup_printf("sip:%s@127.0.0.1", name);

    assert_hr(ucc_uri_create(text, &uri), S_OK);
    g_free(text);
    assert_hr(ucc_context_create(&context), S_OK);
    assert_hr(ucc_properties_add_string((IUnknown *)context, UCCSEC_LOCAL_NETWORK_ADDRESS, NULL, address, TRUE),
              S_OK);
    assert_hr(IUccPlatform_CreateEndpoint(platform, UCCET_PRINCIPAL_SERVER_BASED, uri, NULL, context, &endpoint),
              S_OK);
    IUccContext_Release(context);
    IUccUri_Release(uri);
    return endpoint;
}

static void test_singleton_and_initialize(void **state)
{
    IUccPlatform *platform = create_platform(), *again = create_platform();
    IUccEndpoint *endpoint;
    IUccUri *uri;
    BSTR name;

    /* One platform per process while it lives. */
    assert_ptr_equal(platform, again);
    IUccPlatform_Release(again);

    assert_hr(ucc_uri_create("sip:alice@127.0.0.1", &uri), S_OK);
    assert_hr(IUccPlatform_CreateEndpoint(platform, UCCET_PRINCIPAL_SERVER_BASED, uri, NULL, NULL, &endpoint),
              UCC_E_RTCSHIM_INVALID_STATE);
    assert_null(endpoint);
    assert_hr(IUccPlatform_Shutdown(platform, NULL), UCC_E_RTCSHIM_INVALID_STATE);

    assert_hr(IUccPlatform_Initialize(platform, NULL, NULL), E_INVALIDARG);
    name = SysAllocString(L"bad*name");
    assert_hr(IUccPlatform_Initialize(platform, name, NULL), E_INVALIDARG);
    SysFreeString(name);
    name = SysAllocString(L"UccTest");
    assert_hr(IUccPlatform_Initialize(platform, name, NULL), S_OK);
    assert_hr(IUccPlatform_Initialize(platform, name, NULL), UCC_E_RTCSHIM_ALREADY_INITIALIZED);
    SysFreeString(name);

    assert_hr(IUccPlatform_CreateEndpoint(platform, UCCET_PROXY_TELEPHONY, uri, NULL, NULL, &endpoint),
              UCC_E_RTCSHIM_NOT_SUPPORTED);
    assert_hr(IUccPlatform_CreateEndpoint(platform, 12345, uri, NULL, NULL, &endpoint), E_INVALIDARG);
    assert_hr(IUccPlatform_CreateEndpoint(platform, UCCET_PRINCIPAL_SERVER_BASED, NULL, NULL, NULL, &endpoint),
              E_POINTER);
    IUccUri_Release(uri);

    assert_int_equal(IUccPlatform_Release(platform), 0);
    /* The next one is new, and not initialised. */
    platform = create_platform();
    assert_hr(IUccPlatform_Shutdown(platform, NULL), UCC_E_RTCSHIM_INVALID_STATE);
    assert_int_equal(IUccPlatform_Release(platform), 0);
}

static gpointer other_thread(gpointer data)
{
    IUccPlatform *platform = data;

    return GINT_TO_POINTER(IUccPlatform_Shutdown(platform, NULL));
}

static void test_events_and_shutdown(void **state)
{
    IUccPlatform *platform = create_platform();
    IUccOperationContext *op = operation(5);
    IUccTraceSettings *trace;
    VARIANT_BOOL enabled;
    struct ucc_sink sink;
    GThread *thread;
    BSTR name = SysAllocString(L"UccTest");

    ucc_sink_init(&sink);
    assert_hr(ucc_sink_advise(&sink, (IUnknown *)platform, &DIID__IUccPlatformEvents, "platform"), S_OK);
    assert_hr(IUccPlatform_Initialize(platform, name, NULL), S_OK);
    SysFreeString(name);

    /* Tracing is IUccTraceSettings on the same object. */
    assert_hr(IUccPlatform_QueryInterface(platform, &IID_IUccTraceSettings, (void **)&trace), S_OK);
    assert_hr(IUccTraceSettings_get_TracingEnabled(trace, &enabled), S_OK);
    assert_int_equal(enabled, VARIANT_FALSE);
    IUccTraceSettings_Release(trace);

    /* STA: another thread is refused. */
    thread = g_thread_new("other", other_thread, platform);
    assert_hr(GPOINTER_TO_INT(g_thread_join(thread)), RPC_E_WRONG_THREAD);

    assert_hr(IUccPlatform_Shutdown(platform, op), S_OK);
    /* Never from inside the call. */
    assert_int_equal(sink.log->len, 0);
    assert_true(ucc_sink_wait(&sink, "platform OnShutdown 0", WAIT));
    assert_log(&sink, "platform OnShutdown 0");
    assert_int_equal(sink.bad_invokes, 0);
    assert_hr(IUccPlatform_Shutdown(platform, NULL), UCC_E_RTCSHIM_INVALID_STATE);
    ucc_sink_cleanup(&sink);
    IUccOperationContext_Release(op);
    assert_int_equal(IUccPlatform_Release(platform), 0);
}

static void test_endpoint_serverless(void **state)
{
    IUccPlatform *platform = create_platform();
    IUccReadOnlyPropertyCollection *properties;
    IUccServerSignalingSettings *settings;
    IUccSessionManager *manager;
    IUccEndpoint2 *endpoint2;
    IUccEndpoint *endpoint, *bad;
    IUccOperationContext *op = operation(9);
    UCC_ENDPOINT_STATE state_value;
    IUccProperty *property;
    struct ucc_sink sink;
    IUnknown *u1, *u2;
    BSTR name = SysAllocString(L"UccTest"), value;
    char *address;

    ucc_sink_init(&sink);
    assert_hr(IUccPlatform_Initialize(platform, name, NULL), S_OK);
    SysFreeString(name);
    endpoint = create_endpoint(platform, "alice", "127.0.0.1:0");
    assert_hr(ucc_sink_advise(&sink, (IUnknown *)endpoint, &DIID__IUccEndpointEvents, "ep"), S_OK);
    assert_hr(ucc_sink_advise(&sink, (IUnknown *)endpoint, &DIID__IUccSessionManagerEvents, "sm"), S_OK);

    /* The session manager and the signalling settings are the endpoint object. */
    assert_hr(IUccEndpoint_QueryInterface(endpoint, &IID_IUccSessionManager, (void **)&manager), S_OK);
    assert_hr(IUccEndpoint_QueryInterface(endpoint, &IID_IUccServerSignalingSettings, (void **)&settings), S_OK);
    assert_hr(IUccEndpoint_QueryInterface(endpoint, &IID_IUccEndpoint2, (void **)&endpoint2), S_OK);
    assert_hr(IUccSessionManager_QueryInterface(manager, &IID_IUnknown, (void **)&u1), S_OK);
    assert_hr(IUccEndpoint_QueryInterface(endpoint, &IID_IUnknown, (void **)&u2), S_OK);
    assert_ptr_equal(u1, u2);
    IUnknown_Release(u1);
    IUnknown_Release(u2);

    assert_hr(IUccEndpoint2_get_State(endpoint2, &state_value), S_OK);
    assert_int_equal(state_value, UCCES_IDLE);
    assert_hr(IUccEndpoint_Disable(endpoint, NULL), UCC_E_RTCSHIM_INVALID_STATE);
    assert_hr(IUccEndpoint_Enable(endpoint, op), S_OK);
    assert_int_equal(sink.log->len, 0);
    assert_true(ucc_sink_wait(&sink, "ep OnEnable 0", WAIT));
    assert_log(&sink, "ep OnEnable 0");
    assert_hr(IUccEndpoint2_get_State(endpoint2, &state_value), S_OK);
    assert_int_equal(state_value, UCCES_ENABLED);
    assert_hr(IUccEndpoint_Enable(endpoint, NULL), UCC_E_RTCSHIM_INVALID_STATE);

    /* Where it listens: an ephemeral port on 127.0.0.1. */
    assert_hr(IUccEndpoint2_get_Properties(endpoint2, &properties), S_OK);
    assert_hr(IUccReadOnlyPropertyCollection_get_Property(properties, UCCSEC_LOCAL_NETWORK_ADDRESS, &property), S_OK);
    IUccProperty_get_StringValue(property, &value);
    address = ucc_utf8(value);
    assert_true(g_str_has_prefix(address, "127.0.0.1:"));
    assert_true(atoi(address + 10) > 0);
    g_free(address);
    SysFreeString(value);
    IUccProperty_Release(property);
    IUccReadOnlyPropertyCollection_Release(properties);

    /* A second endpoint cannot take an address that is not ours: OnEnable says so. */
    bad = create_endpoint(platform, "bob", "192.0.2.1:5060");
    assert_hr(ucc_sink_advise(&sink, (IUnknown *)bad, &DIID__IUccEndpointEvents, "bad"), S_OK);
    assert_hr(IUccEndpoint_Enable(bad, NULL), S_OK);
    assert_true(ucc_sink_wait(&sink, "bad OnEnable 0x80ee0014", WAIT));
    assert_log(&sink, "bad OnEnable 0x80ee0014");

    assert_hr(IUccEndpoint_Disable(endpoint, op), S_OK);
    assert_true(ucc_sink_wait(&sink, "ep OnDisable 0", WAIT));
    assert_log(&sink, "ep OnDisable 0");
    assert_hr(IUccEndpoint2_get_State(endpoint2, &state_value), S_OK);
    assert_int_equal(state_value, UCCES_DISABLED);
    /* Enabled again after Disable. */
    assert_hr(IUccEndpoint_Enable(endpoint, NULL), S_OK);
    assert_true(ucc_sink_wait(&sink, "ep OnEnable 0", WAIT));
    g_free(ucc_sink_take(&sink));

    assert_hr(IUccPlatform_Shutdown(platform, NULL), S_OK);
    ucc_sink_run_for(50);
    assert_hr(IUccEndpoint2_get_State(endpoint2, &state_value), S_OK);
    assert_int_equal(state_value, UCCES_DISABLED);

    ucc_sink_cleanup(&sink);
    IUccEndpoint2_Release(endpoint2);
    IUccServerSignalingSettings_Release(settings);
    IUccSessionManager_Release(manager);
    IUccOperationContext_Release(op);
    assert_int_equal(IUccEndpoint_Release(bad), 0);
    assert_int_equal(IUccEndpoint_Release(endpoint), 0);
    assert_int_equal(IUccPlatform_Release(platform), 0);
}

static void test_signaling_settings(void **state)
{
    IUccPlatform *platform = create_platform();
    IUccServerSignalingSettings *settings;
    IUccCredentialCache *cache;
    IUccCredential *credential, *found;
    IUccSignalingServer *server, *got;
    IUccEndpoint *endpoint;
    UCC_TRANSPORT_MODE mode;
    VARIANT_BOOL is_found;
    LONG modes;
    BSTR name = SysAllocString(L"UccTest"), user, password, domain, realm, address;

    assert_hr(IUccPlatform_Initialize(platform, name, NULL), S_OK);
    SysFreeString(name);
    endpoint = create_endpoint(platform, "alice", "127.0.0.1:0");
    assert_hr(IUccEndpoint_QueryInterface(endpoint, &IID_IUccServerSignalingSettings, (void **)&settings), S_OK);

    assert_hr(IUccServerSignalingSettings_get_Server(settings, &got), S_OK);
    assert_null(got);
    address = SysAllocString(L"registrar.example.com:5061");
    assert_hr(IUccServerSignalingSettings_CreateSignalingServer(settings, address, 9, &server), E_INVALIDARG);
    assert_hr(IUccServerSignalingSettings_CreateSignalingServer(settings, address, UCCTM_TLS, &server), S_OK);
    SysFreeString(address);
    assert_hr(IUccSignalingServer_get_TransportMode(server, &mode), S_OK);
    assert_int_equal(mode, UCCTM_TLS);
    assert_hr(IUccServerSignalingSettings_put_Server(settings, server), S_OK);
    assert_hr(IUccServerSignalingSettings_get_Server(settings, &got), S_OK);
    assert_ptr_equal(got, server);
    IUccSignalingServer_Release(got);
    IUccSignalingServer_Release(server);

    assert_hr(IUccServerSignalingSettings_put_AllowedAuthenticationModes(settings, UCCAM_DIGEST | UCCAM_NTLM), S_OK);
    assert_hr(IUccServerSignalingSettings_get_AllowedAuthenticationModes(settings, &modes), S_OK);
    assert_int_equal(modes, UCCAM_DIGEST | UCCAM_NTLM);
    assert_hr(IUccServerSignalingSettings_put_AllowedAuthenticationModes(settings, 64), E_INVALIDARG);
    assert_hr(IUccServerSignalingSettings_get_SupportedAuthenticationModes(settings, &modes), S_OK);
    assert_int_equal(modes, UCCAM_DIGEST);

    /* Credentials by realm; "*" is the default. */
    assert_hr(IUccServerSignalingSettings_get_CredentialCache(settings, &cache), S_OK);
    user = SysAllocString(L"alice");
    password = SysAllocString(L"secret");
    domain = SysAllocString(L"example.com");
    assert_hr(IUccCredentialCache_CreateCredential(cache, user, password, domain, &credential), S_OK);
    assert_hr(IUccCredentialCache_get_DefaultCredential(cache, &found), UCC_E_RTCSHIM_NOT_FOUND);
    realm = SysAllocString(L"*");
    assert_hr(IUccCredentialCache_SetCredential(cache, realm, credential), S_OK);
    SysFreeString(realm);
    realm = SysAllocString(L"other.realm");
    assert_hr(IUccCredentialCache_TryGetCredential(cache, realm, &found, &is_found), S_OK);
    assert_int_equal(is_found, VARIANT_TRUE);
    assert_ptr_equal(found, credential);
    IUccCredential_Release(found);
    assert_hr(IUccCredentialCache_RemoveCredential(cache, realm), UCC_E_RTCSHIM_NOT_FOUND);
    SysFreeString(realm);
    SysFreeString(user);
    SysFreeString(password);
    SysFreeString(domain);
    IUccCredential_Release(credential);
    IUccCredentialCache_Release(cache);

    IUccServerSignalingSettings_Release(settings);
    assert_hr(IUccPlatform_Shutdown(platform, NULL), S_OK);
    ucc_sink_run_for(20);
    assert_int_equal(IUccEndpoint_Release(endpoint), 0);
    assert_int_equal(IUccPlatform_Release(platform), 0);
}

static void test_create_session(void **state)
{
    IUccPlatform *platform = create_platform();
    IUccSessionParticipant *local, *remote;
    IUccInstantMessagingSession *im;
    IUccAudioVideoSession *av;
    IUccSessionManager *manager;
    IUccCollection *participants;
    IUccOperationContext *op = operation(3);
    IUccEndpoint *endpoint;
    IUccSession *session, *other;
    VARIANT_BOOL is_local;
    struct ucc_sink sink;
    UCC_SESSION_TYPE type;
    LONG count;
    IUccUri *uri;
    BSTR name = SysAllocString(L"UccTest");

    ucc_sink_init(&sink);
    assert_hr(IUccPlatform_Initialize(platform, name, NULL), S_OK);
    SysFreeString(name);
    endpoint = create_endpoint(platform, "alice", "127.0.0.1:0");
    assert_hr(ucc_sink_advise(&sink, (IUnknown *)endpoint, &DIID__IUccSessionManagerEvents, "sm"), S_OK);
    assert_hr(IUccEndpoint_QueryInterface(endpoint, &IID_IUccSessionManager, (void **)&manager), S_OK);

    assert_hr(IUccSessionManager_CreateSession(manager, UCCST_CONFERENCE, NULL, &session), UCC_E_RTCSHIM_NOT_SUPPORTED);
    assert_hr(IUccSessionManager_CreateSession(manager, 99, NULL, &session), E_INVALIDARG);
    assert_hr(IUccSessionManager_CreateSession(manager, UCCST_INSTANT_MESSAGING, NULL, &session), S_OK);
    assert_true(ucc_sink_wait(&sink, "sm OnOutgoingSession IM", WAIT));
    assert_log(&sink, "sm OnOutgoingSession IM");

    assert_hr(IUccSession_get_Type(session, &type), S_OK);
    assert_int_equal(type, UCCST_INSTANT_MESSAGING);
    assert_hr(IUccSession_QueryInterface(session, &IID_IUccInstantMessagingSession, (void **)&im), S_OK);
    IUccInstantMessagingSession_Release(im);
    assert_hr(IUccSession_QueryInterface(session, &IID_IUccAudioVideoSession, (void **)&av), E_NOINTERFACE);

    /* The endpoint is the local participant, first in the collection. */
    assert_hr(IUccSession_get_LocalParticipant(session, &local), S_OK);
    assert_hr(IUccSessionParticipant_get_IsLocal(local, &is_local), S_OK);
    assert_int_equal(is_local, VARIANT_TRUE);
    assert_hr(IUccSession_get_Participants(session, &participants), S_OK);
    assert_hr(IUccCollection_get_Count(participants, &count), S_OK);
    assert_int_equal(count, 1);
    IUccCollection_Release(participants);
    assert_hr(IUccSessionParticipant_get_Session(local, &other), S_OK);
    assert_ptr_equal(other, session);
    IUccSession_Release(other);

    /* A participant is created, not invited; inviting needs an enabled endpoint. */
    assert_hr(ucc_uri_create("sip:bob@127.0.0.1:9", &uri), S_OK);
    assert_hr(IUccSession_CreateParticipant(session, uri, NULL, &remote), S_OK);
    IUccUri_Release(uri);
    assert_hr(IUccSession_AddParticipant(session, remote, op), UCC_E_RTCSHIM_INVALID_STATE);
    assert_hr(IUccSession_AddParticipant(session, local, op), UCC_E_RTCSHIM_INVALID_STATE);

    /* Terminate of a session that never started: OnTerminate, from the loop. */
    assert_hr(ucc_sink_advise(&sink, (IUnknown *)session, &DIID__IUccSessionEvents, "s"), S_OK);
    assert_hr(IUccSession_Terminate(session, 4711, op), E_INVALIDARG);
    assert_hr(IUccSession_Terminate(session, UCCROTR_NOT_SPECIFIED, op), S_OK);
    assert_int_equal(sink.log->len, 0);
    assert_true(ucc_sink_wait(&sink, "s OnTerminate 3 0", WAIT));
    assert_log(&sink, "s OnTerminate 3 0");
    assert_hr(IUccSession_Terminate(session, UCCROTR_NOT_SPECIFIED, op), S_OK);
    ucc_sink_run_for(20);
    assert_int_equal(sink.log->len, 0);

    IUccSessionParticipant_Release(remote);
    IUccSessionParticipant_Release(local);
    assert_hr(IUccPlatform_Shutdown(platform, NULL), S_OK);
    ucc_sink_run_for(20);
    ucc_sink_cleanup(&sink);
    assert_int_equal(IUccSession_Release(session), 0);
    IUccSessionManager_Release(manager);
    IUccOperationContext_Release(op);
    assert_int_equal(IUccEndpoint_Release(endpoint), 0);
    assert_int_equal(IUccPlatform_Release(platform), 0);
}

/* ---- a registrar that refuses every credential (401 each time) ----------------------------------- */

struct registrar
{
    GSocket *socket;
    GSource *source;
    unsigned short port;
    unsigned int registers;
};

static gboolean registrar_receive(GSocket *socket, GIOCondition condition, gpointer data)
{
    struct registrar *registrar = data;
    GSocketAddress *from = NULL;
    char buffer[4096];
    GString *response;
    gssize length;
    char **lines, **line;

    length = g_socket_receive_from(socket, &from, buffer, sizeof(buffer) - 1, NULL, NULL);
    if (length <= 0)
        return G_SOURCE_CONTINUE;
    buffer[length] = 0;
    if (!g_str_has_prefix(buffer, "REGISTER "))
    {
        g_object_unref(from);
        return G_SOURCE_CONTINUE;
    }
    registrar->registers++;
    response = g_string_new("SIP/2.0 401 Unauthorized\r\n");
    lines = g_strsplit(buffer, "\r\n", -1);
    for (line = lines; *line && **line; line++)
    {
        if (!g_ascii_strncasecmp(*line, "Via:", 4) || !g_ascii_strncasecmp(*line, "From:", 5)
            || !g_ascii_strncasecmp(*line, "Call-ID:", 8) || !g_ascii_strncasecmp(*line, "CSeq:", 5))
            g_string_append_printf(response, "%s\r\n", *line);
        else if (!g_ascii_strncasecmp(*line, "To:", 3))
            g_string_append_printf(response, "%s;tag=reg1\r\n", *line);
    }
    g_strfreev(lines);
    g_string_append_printf(response, "WWW-Authenticate: Digest realm=\"test\", nonce=\"n%u\", algorithm=MD5\r\n"
                                     "Content-Length: 0\r\n\r\n", registrar->registers);
    g_socket_send_to(socket, from, response->str, response->len, NULL, NULL);
    g_string_free(response, TRUE);
    g_object_unref(from);
    return G_SOURCE_CONTINUE;
}

static void registrar_start(struct registrar *registrar)
{
    GInetAddress *loopback = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
    GSocketAddress *address = g_inet_socket_address_new(loopback, 0), *bound;

    memset(registrar, 0, sizeof(*registrar));
    registrar->socket = g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, NULL);
    assert_true(g_socket_bind(registrar->socket, address, FALSE, NULL));
    bound = g_socket_get_local_address(registrar->socket, NULL);
    registrar->port = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(bound));
    registrar->source = g_socket_create_source(registrar->socket, G_IO_IN, NULL);
    g_source_set_callback(registrar->source, G_SOURCE_FUNC(registrar_receive), registrar, NULL);
    g_source_attach(registrar->source, NULL);
    g_object_unref(bound);
    g_object_unref(address);
    g_object_unref(loopback);
}

static void registrar_stop(struct registrar *registrar)
{
    g_source_destroy(registrar->source);
    g_source_unref(registrar->source);
    g_object_unref(registrar->socket);
}

/* Sign-in with wrong credentials: the second 401 ends it, as UCC_E_SIP_AUTHENTICATION_FAILED. */
static void test_sign_in_refused(void **state)
{
    IUccPlatform *platform = create_platform();
    IUccServerSignalingSettings *settings;
    IUccCredentialCache *cache;
    IUccCredential *credential;
    IUccSignalingServer *server;
    IUccEndpoint2 *endpoint2;
    IUccEndpoint *endpoint;
    UCC_ENDPOINT_STATE state_value;
    struct registrar registrar;
    struct ucc_sink sink;
    BSTR name = SysAllocString(L"UccTest"), user = SysAllocString(L"alice"), password = SysAllocString(L"wrong");
    BSTR realm = SysAllocString(L"*"), address;
    char *text;

    registrar_start(&registrar);
    ucc_sink_init(&sink);
    assert_hr(IUccPlatform_Initialize(platform, name, NULL), S_OK);
    SysFreeString(name);
    endpoint = create_endpoint(platform, "alice", "127.0.0.1:0");
    assert_hr(ucc_sink_advise(&sink, (IUnknown *)endpoint, &DIID__IUccEndpointEvents, "ep"), S_OK);
    assert_hr(IUccEndpoint_QueryInterface(endpoint, &IID_IUccServerSignalingSettings, (void **)&settings), S_OK);
    assert_hr(IUccServerSignalingSettings_get_CredentialCache(settings, &cache), S_OK);
    assert_hr(IUccCredentialCache_CreateCredential(cache, user, password, NULL, &credential), S_OK);
    assert_hr(IUccCredentialCache_SetCredential(cache, realm, credential), S_OK);
    text = g_strdup_printf("127.0.0.1:%u", registrar.port);
    address = ucc_bstr(text);
    g_free(text);
    assert_hr(IUccServerSignalingSettings_CreateSignalingServer(settings, address, UCCTM_UDP, &server), S_OK);
    assert_hr(IUccServerSignalingSettings_put_Server(settings, server), S_OK);

    assert_hr(IUccEndpoint_Enable(endpoint, NULL), S_OK);
    assert_int_equal(sink.log->len, 0);
    assert_true(ucc_sink_wait(&sink, "ep OnEnable 0x80ee0011", WAIT));
    assert_log(&sink, "ep OnEnable 0x80ee0011");
    assert_int_equal(registrar.registers, 2);
    assert_hr(IUccEndpoint_QueryInterface(endpoint, &IID_IUccEndpoint2, (void **)&endpoint2), S_OK);
    assert_hr(IUccEndpoint2_get_State(endpoint2, &state_value), S_OK);
    assert_int_equal(state_value, UCCES_DISABLED);
    IUccEndpoint2_Release(endpoint2);

    assert_hr(IUccPlatform_Shutdown(platform, NULL), S_OK);
    ucc_sink_run_for(50);
    ucc_sink_cleanup(&sink);
    IUccSignalingServer_Release(server);
    IUccCredential_Release(credential);
    IUccCredentialCache_Release(cache);
    IUccServerSignalingSettings_Release(settings);
    SysFreeString(address);
    SysFreeString(user);
    SysFreeString(password);
    SysFreeString(realm);
    assert_int_equal(IUccEndpoint_Release(endpoint), 0);
    assert_int_equal(IUccPlatform_Release(platform), 0);
    registrar_stop(&registrar);
}

int main(void)
{
    const struct CMUnitTest tests[] =
    {
        cmocka_unit_test(test_singleton_and_initialize),
        cmocka_unit_test(test_events_and_shutdown),
        cmocka_unit_test(test_endpoint_serverless),
        cmocka_unit_test(test_signaling_settings),
        cmocka_unit_test(test_create_session),
        cmocka_unit_test(test_sign_in_refused),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
