/*
 * A Windows UCC application: it finds rtcshim.dll through the registry (regsvr32), makes
 * a server-less endpoint, answers the incoming audio session SIPp places, and sees it end
 * when SIPp hangs up; every event arrives through its Win32 message loop. mingw-w64 has
 * no UCC header, so it is compiled against uccapi.h and uccapi_i.c generated from the
 * project's IDL, as an application used the UCC SDK's header and GUID file.
 *
 *   legacy_ucc_answer LISTEN-PORT
 *
 * Exit 0 when the session was accepted and ended, every event came on the loop's thread,
 * and DllCanUnloadNow said S_FALSE while objects lived and S_OK after the last Release.
 */
#define COBJMACROS
#define CONST_VTABLE    /* the sinks' vtables are const */
#include <windows.h>
#include <ole2.h>
#include <ocidl.h>
#include <stdio.h>
#include <stdlib.h>
#include "uccapi.h"

#define TIMEOUT_MS 30000

static DWORD loop_thread;
static int failures;
static IUccPlatform *platform;
static IUccEndpoint *endpoint;
static BOOL accepted, ended;

static void fail(const char *what)
{
    printf("[ucc] FAILED: %s\n", what);
    failures++;
}

static void expect_hr(const char *what, HRESULT hr, HRESULT expected)
{
    printf("[ucc] %-44s -> 0x%08lx\n", what, (unsigned long)hr);
    if (hr != expected)
        fail(what);
}

/* ---- one IDispatch sink per connection point ------------------------------------------- */

typedef void (*event_handler)(DISPID dispid, IUnknown *source, IUnknown *data);

struct connection
{
    IDispatch IDispatch_iface;
    LONG refcount;
    IID diid;
    event_handler handler;
    IConnectionPoint *point;
    DWORD cookie;
};

static struct connection *connections[8];
static unsigned int connection_count;

static struct connection *impl_from_IDispatch(IDispatch *iface)
{
    return CONTAINING_RECORD(iface, struct connection, IDispatch_iface);
}

static HRESULT STDMETHODCALLTYPE sink_QueryInterface(IDispatch *iface, REFIID riid, void **ppv)
{
    struct connection *conn = impl_from_IDispatch(iface);

    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IDispatch) || IsEqualIID(riid, &conn->diid))
    {
        *ppv = iface;
        IDispatch_AddRef(iface);
        return S_OK;
    }
    *ppv = NULL;
    return E_NOINTERFACE;
}

static ULONG STDMETHODCALLTYPE sink_AddRef(IDispatch *iface)
{
    return InterlockedIncrement(&impl_from_IDispatch(iface)->refcount);
}

static ULONG STDMETHODCALLTYPE sink_Release(IDispatch *iface)
{
    struct connection *conn = impl_from_IDispatch(iface);
    ULONG ref = InterlockedDecrement(&conn->refcount);

    if (!ref)
        free(conn);
    return ref;
}

static HRESULT STDMETHODCALLTYPE sink_GetTypeInfoCount(IDispatch *iface, UINT *count)
{
    *count = 0;
    return S_OK;
}

static HRESULT STDMETHODCALLTYPE sink_GetTypeInfo(IDispatch *iface, UINT index, LCID lcid, ITypeInfo **info)
{
    *info = NULL;
    return DISP_E_BADINDEX;
}

static HRESULT STDMETHODCALLTYPE sink_GetIDsOfNames(IDispatch *iface, REFIID riid, LPOLESTR *names, UINT count,
                                                    LCID lcid, DISPID *ids)
{
    return DISP_E_UNKNOWNNAME;
}

/* Every UCC event: Invoke(DISPID, rgvarg[1] the source, rgvarg[0] the event data). */
static HRESULT STDMETHODCALLTYPE sink_Invoke(IDispatch *iface, DISPID dispid, REFIID riid, LCID lcid, WORD flags,
                                             DISPPARAMS *params, VARIANT *result, EXCEPINFO *excepinfo, UINT *arg_err)
{
    struct connection *conn = impl_from_IDispatch(iface);

    if (GetCurrentThreadId() != loop_thread)
        fail("an event arrived on another thread than the message loop's");
    if (!params || params->cArgs != 2)
        return DISP_E_BADPARAMCOUNT;
    conn->handler(dispid, V_UNKNOWN(&params->rgvarg[1]), V_UNKNOWN(&params->rgvarg[0]));
    return S_OK;
}

static const IDispatchVtbl sink_vtbl =
{
    sink_QueryInterface, sink_AddRef, sink_Release,
    sink_GetTypeInfoCount, sink_GetTypeInfo, sink_GetIDsOfNames, sink_Invoke,
};

static void advise(IUnknown *object, REFIID diid, event_handler handler, const char *what)
{
    IConnectionPointContainer *container;
    struct connection *conn = calloc(1, sizeof(*conn));
    HRESULT hr;

    conn->IDispatch_iface.lpVtbl = &sink_vtbl;
    conn->refcount = 1;
    conn->diid = *diid;
    conn->handler = handler;
    if (SUCCEEDED(hr = IUnknown_QueryInterface(object, &IID_IConnectionPointContainer, (void **)&container)))
    {
        hr = IConnectionPointContainer_FindConnectionPoint(container, diid, &conn->point);
        IConnectionPointContainer_Release(container);
    }
    if (SUCCEEDED(hr))
        hr = IConnectionPoint_Advise(conn->point, (IUnknown *)&conn->IDispatch_iface, &conn->cookie);
    expect_hr(what, hr, S_OK);
    if (FAILED(hr) || connection_count == sizeof(connections) / sizeof(connections[0]))
    {
        if (conn->point)
            IConnectionPoint_Release(conn->point);
        free(conn);
        return;
    }
    connections[connection_count++] = conn;
}

static void unadvise_all(void)
{
    while (connection_count)
    {
        struct connection *conn = connections[--connection_count];

        IConnectionPoint_Unadvise(conn->point, conn->cookie);
        IConnectionPoint_Release(conn->point);
        IDispatch_Release(&conn->IDispatch_iface);
    }
}

/* ---- the application ------------------------------------------------------------------- */

static void on_platform_event(DISPID dispid, IUnknown *source, IUnknown *data)
{
    printf("[ucc] event: platform %ld\n", dispid);
    if (dispid == DISPID__IUccPlatformEvents_OnShutdown)
        PostQuitMessage(0);
}

static void on_endpoint_event(DISPID dispid, IUnknown *source, IUnknown *data)
{
    IUccOperationProgressEvent *progress;
    HRESULT status = E_FAIL;

    if (SUCCEEDED(IUnknown_QueryInterface(data, &IID_IUccOperationProgressEvent, (void **)&progress)))
    {
        IUccOperationProgressEvent_get_StatusCode(progress, &status);
        IUccOperationProgressEvent_Release(progress);
    }
    printf("[ucc] event: endpoint %ld status 0x%08lx\n", dispid, (unsigned long)status);
    if (dispid == DISPID__IUccEndpointEvents_OnEnable && FAILED(status))
    {
        fail("the endpoint did not enable");
        PostQuitMessage(1);
    }
}

static void on_session_event(DISPID dispid, IUnknown *source, IUnknown *data)
{
    printf("[ucc] event: session %ld\n", dispid);
    if (dispid == DISPID__IUccSessionEvents_OnTerminate && !ended)
    {
        ended = TRUE;
        if (!accepted)
            fail("the session ended before it was accepted");
        expect_hr("IUccPlatform::Shutdown", IUccPlatform_Shutdown(platform, NULL), S_OK);
    }
}

static void on_session_manager_event(DISPID dispid, IUnknown *source, IUnknown *data)
{
    IUccIncomingSessionEvent *event;
    IUccSession *session;
    UCC_SESSION_TYPE type;

    if (dispid != DISPID__IUccSessionManagerEvents_OnIncomingSession
        || FAILED(IUnknown_QueryInterface(data, &IID_IUccIncomingSessionEvent, (void **)&event)))
        return;
    IUccIncomingSessionEvent_get_Session(event, &session);
    IUccSession_get_Type(session, &type);
    printf("[ucc] event: incoming %s session\n", type == UCCST_AUDIO_VIDEO ? "audio/video" : "other");
    advise((IUnknown *)session, &DIID__IUccSessionEvents, on_session_event, "Advise(_IUccSessionEvents)");
    expect_hr("IUccIncomingSessionEvent::Accept", IUccIncomingSessionEvent_Accept(event), S_OK);
    accepted = TRUE;
    IUccSession_Release(session);
    IUccIncomingSessionEvent_Release(event);
}

typedef HRESULT (WINAPI *can_unload_fn)(void);

static HRESULT dll_can_unload_now(void)
{
    HMODULE module = GetModuleHandleW(L"rtcshim.dll");
    can_unload_fn can_unload = module ? (can_unload_fn)(void (*)(void))GetProcAddress(module, "DllCanUnloadNow") : NULL;

    return can_unload ? can_unload() : E_FAIL;
}

int main(int argc, char **argv)
{
    IUccUriManager *uri_manager;
    IUccContext *context;
    IUccUri *uri;
    WCHAR text[64];
    BSTR bstr;
    VARIANT v;
    MSG msg;
    int quit = 1;

    if (argc != 2)
    {
        fprintf(stderr, "usage: legacy_ucc_answer LISTEN-PORT\n");
        return 2;
    }
    setvbuf(stdout, NULL, _IONBF, 0);
    loop_thread = GetCurrentThreadId();

    expect_hr("CoInitializeEx(COINIT_APARTMENTTHREADED)", CoInitializeEx(NULL, COINIT_APARTMENTTHREADED), S_OK);
    expect_hr("CoCreateInstance(CLSID_UccPlatform)",
              CoCreateInstance(&CLSID_UccPlatform, NULL, CLSCTX_INPROC_SERVER, &IID_IUccPlatform, (void **)&platform),
              S_OK);
    if (!platform)
        return 1;
    expect_hr("DllCanUnloadNow while the platform lives", dll_can_unload_now(), S_FALSE);
    advise((IUnknown *)platform, &DIID__IUccPlatformEvents, on_platform_event, "Advise(_IUccPlatformEvents)");
    bstr = SysAllocString(L"legacy_ucc_answer");
    expect_hr("IUccPlatform::Initialize", IUccPlatform_Initialize(platform, bstr, NULL), S_OK);
    SysFreeString(bstr);

    expect_hr("CoCreateInstance(CLSID_UccUriManager)",
              CoCreateInstance(&CLSID_UccUriManager, NULL, CLSCTX_INPROC_SERVER, &IID_IUccUriManager,
                               (void **)&uri_manager), S_OK);
    swprintf(text, sizeof(text) / sizeof(text[0]), L"sip:ucc@127.0.0.1:%hs", argv[1]);
    bstr = SysAllocString(text);
    expect_hr("IUccUriManager::ParseUri", IUccUriManager_ParseUri(uri_manager, bstr, &uri), S_OK);
    SysFreeString(bstr);
    IUccUriManager_Release(uri_manager);

    /* Server-less: the endpoint listens on the address and port of the context property. */
    expect_hr("CoCreateInstance(CLSID_UccContext)",
              CoCreateInstance(&CLSID_UccContext, NULL, CLSCTX_INPROC_SERVER, &IID_IUccContext, (void **)&context),
              S_OK);
    swprintf(text, sizeof(text) / sizeof(text[0]), L"127.0.0.1:%hs", argv[1]);
    V_VT(&v) = VT_BSTR;
    V_BSTR(&v) = SysAllocString(text);
    expect_hr("IUccContext::AddProperty(LOCAL_NETWORK_ADDRESS)",
              IUccContext_AddProperty(context, UCCSEC_LOCAL_NETWORK_ADDRESS, v, NULL), S_OK);
    VariantClear(&v);
    expect_hr("IUccPlatform::CreateEndpoint",
              IUccPlatform_CreateEndpoint(platform, UCCET_PRINCIPAL_SERVER_BASED, uri, NULL, context, &endpoint), S_OK);
    IUccContext_Release(context);
    IUccUri_Release(uri);
    if (!endpoint)
        return 1;
    advise((IUnknown *)endpoint, &DIID__IUccEndpointEvents, on_endpoint_event, "Advise(_IUccEndpointEvents)");
    advise((IUnknown *)endpoint, &DIID__IUccSessionManagerEvents, on_session_manager_event,
           "Advise(_IUccSessionManagerEvents)");
    expect_hr("IUccEndpoint::Enable", IUccEndpoint_Enable(endpoint, NULL), S_OK);
    printf("[ucc] listening\n");

    SetTimer(NULL, 0, TIMEOUT_MS, NULL);
    while (GetMessageW(&msg, NULL, 0, 0) > 0)
    {
        if (msg.message == WM_TIMER && !msg.hwnd)
        {
            fail("no outcome within the time limit");
            break;
        }
        TranslateMessage(&msg);
        DispatchMessageW(&msg);
    }
    if (msg.message == WM_QUIT)
        quit = (int)msg.wParam;
    if (quit)
        fail("the message loop ended without OnShutdown");
    if (!ended)
        fail("the session did not end");

    unadvise_all();
    IUccEndpoint_Release(endpoint);
    IUccPlatform_Release(platform);
    expect_hr("DllCanUnloadNow after the last Release", dll_can_unload_now(), S_OK);
    CoUninitialize();

    printf("[ucc] %s\n", failures ? "FAILED" : "session answered and ended, all checks passed");
    return failures ? 1 : 0;
}
