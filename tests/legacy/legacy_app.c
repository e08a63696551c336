/*
 * A program written the way an MSDN-era RTC application is: COBJMACROS, the
 * Windows headers, CoCreateInstance, an IRTCEventNotification sink in plain C
 * advised through the client's connection point. It is compiled against the
 * *installed* rtcshim with nothing but `pkg-config --cflags --libs rtcshim`.
 * Each step prints what it did; any unexpected HRESULT ends it with exit 1.
 */
#define COBJMACROS
#include <windows.h>
#include <ocidl.h>
#include <olectl.h>
#include <rtccore.h>
#include <rtcerr.h>
#include <stdio.h>

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
    ((Sink *)This)->events++;
    printf("event %d\n", type);
    return S_OK;
}

static IRTCEventNotificationVtbl SinkVtbl =
{
    Sink_QueryInterface, Sink_AddRef, Sink_Release, Sink_Event
};

int main(void)
{
    Sink sink = { { &SinkVtbl }, 1, 0 };
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
    CHECK(IConnectionPoint_Unadvise(cp, cookie), S_OK);
    CHECK(IConnectionPoint_Unadvise(cp, cookie), CONNECT_E_NOCONNECTION);

    CHECK(IRTCClient_Shutdown(client), S_OK);
    IConnectionPoint_Release(cp);
    IConnectionPointContainer_Release(cpc);
    IUnknown_Release(unk1);
    IUnknown_Release(unk2);
    IRTCClient2_Release(client2);
    printf("final release -> %lu\n", (unsigned long)IRTCClient_Release(client));
    CoUninitialize();

    printf("sink references left: %ld (expected 1)\n", (long)sink.refs);
    if (sink.refs != 1)
        failures++;
    printf("%s\n", failures ? "legacy app: FAILED" : "legacy app: all calls returned what Windows returns");
    return failures ? 1 : 0;
}
