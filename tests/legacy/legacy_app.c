/*
 * A program written the way an MSDN-era RTC application is: COBJMACROS, the
 * Windows headers, CoCreateInstance, an IRTCEventNotification sink in plain C
 * advised through the client's connection point. It is compiled against the
 * *installed* rtcshim with nothing but `pkg-config --cflags --libs rtcshim`.
 * Each step prints what it did; any unexpected HRESULT ends it with exit 1.
 * Then it places a real call between two clients on loopback: the message
 * loop of the original is a GLib main loop here (docs/porting.md).
 */
#define COBJMACROS
#include <windows.h>
#include <ocidl.h>
#include <olectl.h>
#include <rtccore.h>
#include <rtcerr.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <glib.h>

#define CHECK(expr, expected) check_hr(#expr, (expr), (expected))

static int failures;

static void check_hr(const char *what, HRESULT hr, HRESULT expected)
{
    printf("%-72s -> 0x%08x%s\n", what, (unsigned int)hr, hr == expected ? "" : "  UNEXPECTED");
    if (hr != expected)
        failures++;
}

/* ---- the application's event sink, as the samples write it --------------------- */

typedef struct
{
    IRTCEventNotification IRTCEventNotification_iface;
    LONG refs;
    int events;
    const char *name;
    RTC_SESSION_STATE last_state;
} Sink;

static HRESULT STDMETHODCALLTYPE Sink_QueryInterface(IRTCEventNotification *This, REFIID riid, void **ppv)
{
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IRTCEventNotification))
    {
        *ppv = This;
        IRTCEventNotification_AddRef(This);
        return S_OK;
    }
    *ppv = NULL;
    return E_NOINTERFACE;
}

static ULONG STDMETHODCALLTYPE Sink_AddRef(IRTCEventNotification *This)
{
    return InterlockedIncrement(&((Sink *)This)->refs);
}

static ULONG STDMETHODCALLTYPE Sink_Release(IRTCEventNotification *This)
{
    return InterlockedDecrement(&((Sink *)This)->refs);
}

static HRESULT STDMETHODCALLTYPE Sink_Event(IRTCEventNotification *This, RTC_EVENT type, IDispatch *event)
{
    Sink *sink = (Sink *)This;
    IRTCSessionStateChangeEvent *change;
    IRTCSession *session;
    RTC_SESSION_STATE state;

    sink->events++;
    if (type != RTCE_SESSION_STATE_CHANGE
        || FAILED(IDispatch_QueryInterface(event, &IID_IRTCSessionStateChangeEvent, (void **)&change)))
        return S_OK;
    IRTCSessionStateChangeEvent_get_State(change, &state);
    IRTCSessionStateChangeEvent_get_Session(change, &session);
    printf("%s: session state %d\n", sink->name, state);
    sink->last_state = state;
    /* "Answer a Call": answer from the event handler. */
    if (state == RTCSS_INCOMING)
        IRTCSession_Answer(session);
    IRTCSession_Release(session);
    IRTCSessionStateChangeEvent_Release(change);
    return S_OK;
}

static IRTCEventNotificationVtbl SinkVtbl =
{
    Sink_QueryInterface, Sink_AddRef, Sink_Release, Sink_Event
};

int main(void)
{
    Sink sink = { { &SinkVtbl }, 1, 0, "caller", RTCSS_IDLE };
    Sink callee_sink = { { &SinkVtbl }, 1, 0, "callee", RTCSS_IDLE };
    IRTCClient *callee = NULL;
    IRTCClientPortManagement *ports = NULL;
    IConnectionPointContainer *callee_cpc = NULL;
    IConnectionPoint *callee_cp = NULL;
    IRTCSession *session = NULL;
    DWORD callee_cookie = 0;
    VARIANT addresses, first;
    LONG index = 0;
    char target[64];
    gint64 deadline;
    int scale;
    IRTCClient *client = NULL;
    IRTCClient2 *client2 = NULL;
    IConnectionPointContainer *cpc = NULL;
    IConnectionPoint *cp = NULL;
    IUnknown *unk1 = NULL, *unk2 = NULL;
    DWORD cookie = 0;
    LONG filter = -1, version = 0;
    BSTR uri = NULL;
    WCHAR clsid_text[40];

    CHECK(CoInitializeEx(NULL, COINIT_APARTMENTTHREADED), S_OK);
    StringFromGUID2(&CLSID_RTCClient, clsid_text, 40);
    printf("CLSID_RTCClient = %ls\n", clsid_text);

    CHECK(CoCreateInstance(&CLSID_RTCClient, NULL, CLSCTX_INPROC_SERVER, &IID_IRTCClient, (void **)&client), S_OK);
    if (!client)
        return 1;
    CHECK(IRTCClient_Initialize(client), S_OK);
    CHECK(IRTCClient_Initialize(client), RTC_E_CLIENT_ALREADY_INITIALIZED);

    /* COM identity: every interface gives the same IUnknown. */
    CHECK(IRTCClient_QueryInterface(client, &IID_IRTCClient2, (void **)&client2), S_OK);
    CHECK(IRTCClient_QueryInterface(client, &IID_IUnknown, (void **)&unk1), S_OK);
    CHECK(IRTCClient2_QueryInterface(client2, &IID_IUnknown, (void **)&unk2), S_OK);
    CHECK(unk1 == unk2 ? S_OK : E_FAIL, S_OK);
    CHECK(IRTCClient2_get_Version(client2, &version), S_OK);
    printf("RTC API version %d.%d\n", HIWORD(version), LOWORD(version));

    CHECK(IRTCClient_get_EventFilter(client, &filter), S_OK);
    CHECK(filter == 0 ? S_OK : E_FAIL, S_OK);
    CHECK(IRTCClient_put_EventFilter(client, RTCEF_ALL), S_OK);

    uri = SysAllocString(L"sip:alice@127.0.0.1");
    CHECK(IRTCClient_put_LocalUserURI(client, uri), S_OK);
    SysFreeString(uri);
    uri = NULL;
    CHECK(IRTCClient_get_LocalUserURI(client, &uri), S_OK);
    printf("local user: %ls (%u characters)\n", uri, SysStringLen(uri));
    SysFreeString(uri);

    CHECK(IRTCClient_QueryInterface(client, &IID_IConnectionPointContainer, (void **)&cpc), S_OK);
    CHECK(IConnectionPointContainer_FindConnectionPoint(cpc, &IID_IRTCEventNotification, &cp), S_OK);
    CHECK(IConnectionPoint_Advise(cp, (IUnknown *)&sink.IRTCEventNotification_iface, &cookie), S_OK);
    printf("advised with cookie %lu\n", (unsigned long)cookie);
    /* The callee: a second client listening on loopback, answering in its sink. */
    CHECK(CoCreateInstance(&CLSID_RTCClient, NULL, CLSCTX_INPROC_SERVER, &IID_IRTCClient, (void **)&callee), S_OK);
    if (!callee)
        return 1;
    CHECK(IRTCClient_Initialize(callee), S_OK);
    CHECK(IRTCClient_put_EventFilter(callee, RTCEF_ALL), S_OK);
    CHECK(IRTCClient_QueryInterface(callee, &IID_IConnectionPointContainer, (void **)&callee_cpc), S_OK);
    CHECK(IConnectionPointContainer_FindConnectionPoint(callee_cpc, &IID_IRTCEventNotification, &callee_cp), S_OK);
    CHECK(IConnectionPoint_Advise(callee_cp, (IUnknown *)&callee_sink.IRTCEventNotification_iface, &callee_cookie), S_OK);
    CHECK(IRTCClient_QueryInterface(callee, &IID_IRTCClientPortManagement, (void **)&ports), S_OK);
    uri = SysAllocString(L"127.0.0.1");
    CHECK(IRTCClientPortManagement_StartListenAddressAndPort(ports, uri, 0), S_OK);
    SysFreeString(uri);
    VariantInit(&addresses);
    CHECK(IRTCClient_get_NetworkAddresses(callee, VARIANT_FALSE, VARIANT_FALSE, &addresses), S_OK);
    VariantInit(&first);
    CHECK(SafeArrayGetElement(V_ARRAY(&addresses), &index, &first), S_OK);
    snprintf(target, sizeof(target), "sip:callee@%ls", V_BSTR(&first));
    printf("callee listens at %s\n", target);
    VariantClear(&first);
    VariantClear(&addresses);

    /* "Create a Session and Make a Call". */
    CHECK(IRTCClient_CreateSession(client, RTCST_PC_TO_PC, NULL, NULL, 0, &session), S_OK);
    {
        WCHAR wide[64];
        swprintf(wide, 64, L"%s", target);
        uri = SysAllocString(wide);
    }
    CHECK(IRTCSession_AddParticipant(session, uri, NULL, NULL), S_OK);
    SysFreeString(uri);
    /* The message loop. */
    /* 10 s, times RTCSHIM_TEST_TIME_SCALE on a slow machine (tests/common/test_time.h). */
    scale = getenv("RTCSHIM_TEST_TIME_SCALE") ? atoi(getenv("RTCSHIM_TEST_TIME_SCALE")) : 1;
    deadline = g_get_monotonic_time() + (gint64)(scale >= 1 ? scale : 1) * 10 * G_USEC_PER_SEC;
    while (sink.last_state != RTCSS_CONNECTED && g_get_monotonic_time() < deadline)
        g_main_context_iteration(NULL, TRUE);
    CHECK(sink.last_state == RTCSS_CONNECTED ? S_OK : E_FAIL, S_OK);
    CHECK(IRTCSession_Terminate(session, RTCTR_NORMAL), S_OK);
    while ((sink.last_state != RTCSS_DISCONNECTED || callee_sink.last_state != RTCSS_DISCONNECTED)
           && g_get_monotonic_time() < deadline)
        g_main_context_iteration(NULL, TRUE);
    CHECK(callee_sink.last_state == RTCSS_DISCONNECTED ? S_OK : E_FAIL, S_OK);
    IRTCSession_Release(session);

    CHECK(IConnectionPoint_Unadvise(cp, cookie), S_OK);
    CHECK(IConnectionPoint_Unadvise(cp, cookie), CONNECT_E_NOCONNECTION);
    CHECK(IConnectionPoint_Unadvise(callee_cp, callee_cookie), S_OK);
    IConnectionPoint_Release(callee_cp);
    IConnectionPointContainer_Release(callee_cpc);
    IRTCClientPortManagement_Release(ports);
    CHECK(IRTCClient_Shutdown(callee), S_OK);
    printf("callee final release -> %lu\n", (unsigned long)IRTCClient_Release(callee));

    CHECK(IRTCClient_Shutdown(client), S_OK);
    IConnectionPoint_Release(cp);
    IConnectionPointContainer_Release(cpc);
    IUnknown_Release(unk1);
    IUnknown_Release(unk2);
    IRTCClient2_Release(client2);
    printf("final release -> %lu\n", (unsigned long)IRTCClient_Release(client));
    CoUninitialize();

    printf("sink references left: %ld and %ld (expected 1)\n", (long)sink.refs, (long)callee_sink.refs);
    if (sink.refs != 1 || callee_sink.refs != 1)
        failures++;
    printf("%s\n", failures ? "legacy app: FAILED" : "legacy app: all calls returned what Windows returns");
    return failures ? 1 : 0;
}
