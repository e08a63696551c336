/*
 * A legacy Windows RTC application, compiled only against mingw-w64's own rtccore.h and
 * rtcerr.h and linked with ole32/oleaut32, as a program of the RTC era was: it finds
 * rtcshim.dll through the registry (regsvr32 put it there), places a call, transfers it
 * with IRTCSessionCallControl::Refer, and takes every event from its Win32 message loop.
 *
 *   legacy_rtc_transfer LISTEN-PORT CALLEE-URI TARGET-URI COOKIE
 *
 * It prints each step and event; it checks that every event arrives on the thread that
 * runs the message loop, that DllCanUnloadNow says S_FALSE while the client lives and
 * S_OK once everything is released, and that the media reports are honest (the DLL
 * moves no audio: get_MediaCapabilities 0, a preference for audio refused with
 * RTC_E_MEDIA_AUDIO_DEVICE_NOT_AVAILABLE, RTCE_MEDIA FAILED/RTCMER_BAD_DEVICE when the
 * call connects, never RTCMET_STARTED). Exit 0 when the refer
 * ended RTCSRS_DONE and every check held, else 1.
 */
#define COBJMACROS
#define CONST_VTABLE    /* the sinks' vtables are const */
#include <windows.h>
#include <ole2.h>
#include <ocidl.h>
#include <stdio.h>
#include <rtccore.h>
#include <rtcerr.h>

/* Microsoft's uuid.lib carries these; mingw-w64's does not, so the program defines the
 * values its rtccore.h declares (the documented ones). */
const CLSID CLSID_RTCClient = {0x7a42ea29, 0xa2b7, 0x40c4, {0xb0, 0x91, 0xf6, 0xf0, 0x24, 0xaa, 0x89, 0xbe}};
const IID IID_IRTCClient = {0x07829e45, 0x9a34, 0x408e, {0xa0, 0x11, 0xbd, 0xdf, 0x13, 0x48, 0x7c, 0xd1}};
const IID IID_IRTCClientPortManagement = {0xd5df3f03, 0x4bde, 0x4417, {0xae, 0xfe, 0x71, 0x17, 0x7b, 0xda, 0xea, 0x66}};
const IID IID_IRTCEventNotification = {0x13fa24c7, 0x5748, 0x4b21, {0x91, 0xf5, 0x73, 0x97, 0x60, 0x9c, 0xe7, 0x47}};
const IID IID_IRTCSessionStateChangeEvent = {0xb5bad703, 0x5952, 0x48b3, {0x93, 0x21, 0x7f, 0x45, 0x00, 0x52, 0x15, 0x06}};
const IID IID_IRTCSessionReferStatusEvent = {0x3d8fc2cd, 0x5d76, 0x44ab, {0xbb, 0x68, 0x2a, 0x80, 0x35, 0x3b, 0x34, 0xa2}};
const IID IID_IRTCSessionCallControl = {0xe9a50d94, 0x190b, 0x4f82, {0x95, 0x30, 0x3b, 0x8e, 0xbf, 0x60, 0x75, 0x8a}};
const IID IID_IRTCMediaEvent = {0x099944fb, 0xbcda, 0x453e, {0x8c, 0x41, 0xe1, 0x3d, 0xa2, 0xad, 0xf7, 0xf3}};
const IID IID_IRTCClientEvent = {0x2b493b7a, 0x3cba, 0x4170, {0x9c, 0x8b, 0x76, 0xa9, 0xda, 0xcd, 0xd6, 0x44}};

#define TIMEOUT_MS 30000

static DWORD loop_thread;
static int failures;
static IRTCClient *client;
static IRTCSession *session;
static const WCHAR *target_uri, *refer_cookie;
static BOOL referred, refer_done, hung_up;
static int media_failures;

static void fail(const char *what)
{
    printf("[legacy] FAILED: %s\n", what);
    failures++;
}

static void expect_hr(const char *what, HRESULT hr, HRESULT expected)
{
    printf("[legacy] %-44s -> 0x%08lx\n", what, (unsigned long)hr);
    if (hr != expected)
        fail(what);
}

static const char *state_name(RTC_SESSION_STATE state)
{
    static const char *names[] = { "IDLE", "INCOMING", "ANSWERING", "INPROGRESS", "CONNECTED",
                                   "DISCONNECTED", "HOLD", "REFER" };
    return state < sizeof(names) / sizeof(names[0]) ? names[state] : "?";
}

static const char *refer_name(RTC_SESSION_REFER_STATUS status)
{
    static const char *names[] = { "REFERRING", "ACCEPTED", "ERROR", "REJECTED", "DROPPED", "DONE" };
    return status < sizeof(names) / sizeof(names[0]) ? names[status] : "?";
}

static void do_refer(void)
{
    IRTCSessionCallControl *control;
    BSTR uri = SysAllocString(target_uri), cookie = SysAllocString(refer_cookie);

    expect_hr("QueryInterface(IRTCSessionCallControl)",
              IRTCSession_QueryInterface(session, &IID_IRTCSessionCallControl, (void **)&control), S_OK);
    expect_hr("IRTCSessionCallControl::Refer", IRTCSessionCallControl_Refer(control, uri, cookie), S_OK);
    IRTCSessionCallControl_Release(control);
    SysFreeString(uri);
    SysFreeString(cookie);
}

static void on_event(RTC_EVENT type, IDispatch *event)
{
    if (type == RTCE_SESSION_STATE_CHANGE)
    {
        IRTCSessionStateChangeEvent *change;
        RTC_SESSION_STATE state;
        LONG code;

        IDispatch_QueryInterface(event, &IID_IRTCSessionStateChangeEvent, (void **)&change);
        IRTCSessionStateChangeEvent_get_State(change, &state);
        IRTCSessionStateChangeEvent_get_StatusCode(change, &code);
        IRTCSessionStateChangeEvent_Release(change);
        printf("[legacy] event: session %s status %ld\n", state_name(state), code);
        if (state == RTCSS_CONNECTED && !referred)
        {
            referred = TRUE;
            do_refer();
        }
        else if (state == RTCSS_DISCONNECTED)
        {
            if (!refer_done)
                fail("the call ended before the transfer was done");
            expect_hr("IRTCClient::PrepareForShutdown", IRTCClient_PrepareForShutdown(client), S_OK);
        }
    }
    else if (type == RTCE_SESSION_REFER_STATUS)
    {
        IRTCSessionReferStatusEvent *refer;
        RTC_SESSION_REFER_STATUS status;
        LONG code;

        IDispatch_QueryInterface(event, &IID_IRTCSessionReferStatusEvent, (void **)&refer);
        IRTCSessionReferStatusEvent_get_ReferStatus(refer, &status);
        IRTCSessionReferStatusEvent_get_StatusCode(refer, &code);
        IRTCSessionReferStatusEvent_Release(refer);
        printf("[legacy] event: refer %s status 0x%08lx\n", refer_name(status), (unsigned long)code);
        if (status == RTCSRS_DONE && !hung_up)
        {
            refer_done = hung_up = TRUE;
            expect_hr("IRTCSession::Terminate", IRTCSession_Terminate(session, RTCTR_NORMAL), S_OK);
        }
        else if (status == RTCSRS_REJECTED || status == RTCSRS_DROPPED || status == RTCSRS_ERROR)
        {
            fail("the transfer did not succeed");
            PostQuitMessage(1);
        }
    }
    else if (type == RTCE_MEDIA)
    {
        IRTCMediaEvent *media;
        RTC_MEDIA_EVENT_TYPE media_type;
        RTC_MEDIA_EVENT_REASON reason;

        IDispatch_QueryInterface(event, &IID_IRTCMediaEvent, (void **)&media);
        IRTCMediaEvent_get_EventType(media, &media_type);
        IRTCMediaEvent_get_EventReason(media, &reason);
        IRTCMediaEvent_Release(media);
        printf("[legacy] event: media type %d reason %d\n", media_type, reason);
        if (media_type == RTCMET_STARTED)
            fail("media reported STARTED by a DLL that moves no audio");
        if (media_type == RTCMET_FAILED && reason == RTCMER_BAD_DEVICE)
            media_failures++;
    }
    else if (type == RTCE_CLIENT)
    {
        IRTCClientEvent *client_event;
        RTC_CLIENT_EVENT_TYPE client_type;

        IDispatch_QueryInterface(event, &IID_IRTCClientEvent, (void **)&client_event);
        IRTCClientEvent_get_EventType(client_event, &client_type);
        IRTCClientEvent_Release(client_event);
        printf("[legacy] event: client %d\n", client_type);
        if (client_type == RTCCET_ASYNC_CLEANUP_DONE)
            PostQuitMessage(0);
    }
}

/* ---- the event sink, a plain C object as MSDN's samples write it ------------------------ */

static HRESULT STDMETHODCALLTYPE Sink_QueryInterface(IRTCEventNotification *This, REFIID riid, void **ppv)
{
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IRTCEventNotification))
    {
        *ppv = This;
        return S_OK;
    }
    *ppv = NULL;
    return E_NOINTERFACE;
}

static ULONG STDMETHODCALLTYPE Sink_AddRef(IRTCEventNotification *This) { return 2; }
static ULONG STDMETHODCALLTYPE Sink_Release(IRTCEventNotification *This) { return 1; }

static HRESULT STDMETHODCALLTYPE Sink_Event(IRTCEventNotification *This, RTC_EVENT type, IDispatch *event)
{
    if (GetCurrentThreadId() != loop_thread)
        fail("an event arrived on another thread than the message loop's");
    on_event(type, event);
    return S_OK;
}

static const IRTCEventNotificationVtbl SinkVtbl = { Sink_QueryInterface, Sink_AddRef, Sink_Release, Sink_Event };
static IRTCEventNotification Sink = { &SinkVtbl };

typedef HRESULT (WINAPI *can_unload_fn)(void);

static HRESULT dll_can_unload_now(void)
{
    HMODULE module = GetModuleHandleW(L"rtcshim.dll");
    can_unload_fn can_unload = module ? (can_unload_fn)(void (*)(void))GetProcAddress(module, "DllCanUnloadNow") : NULL;

    return can_unload ? can_unload() : E_FAIL;
}

static WCHAR *wide(const char *text)
{
    int length = MultiByteToWideChar(CP_UTF8, 0, text, -1, NULL, 0);
    WCHAR *out = HeapAlloc(GetProcessHeap(), 0, length * sizeof(WCHAR));

    MultiByteToWideChar(CP_UTF8, 0, text, -1, out, length);
    return out;
}

int main(int argc, char **argv)
{
    IConnectionPointContainer *container;
    IRTCClientPortManagement *ports;
    IConnectionPoint *point;
    BSTR text;
    DWORD cookie;
    LONG media;
    MSG msg;
    int quit = 1;

    if (argc != 5)
    {
        fprintf(stderr, "usage: legacy_rtc_transfer LISTEN-PORT CALLEE-URI TARGET-URI COOKIE\n");
        return 2;
    }
    setvbuf(stdout, NULL, _IONBF, 0);
    target_uri = wide(argv[3]);
    refer_cookie = wide(argv[4]);
    loop_thread = GetCurrentThreadId();

    expect_hr("CoInitializeEx(COINIT_APARTMENTTHREADED)", CoInitializeEx(NULL, COINIT_APARTMENTTHREADED), S_OK);
    expect_hr("CoCreateInstance(CLSID_RTCClient)",
              CoCreateInstance(&CLSID_RTCClient, NULL, CLSCTX_INPROC_SERVER, &IID_IRTCClient, (void **)&client), S_OK);
    if (!client)
        return 1;
    expect_hr("DllCanUnloadNow while the client lives", dll_can_unload_now(), S_FALSE);
    expect_hr("IRTCClient::Initialize", IRTCClient_Initialize(client), S_OK);
    expect_hr("IRTCClient::get_MediaCapabilities", IRTCClient_get_MediaCapabilities(client, &media), S_OK);
    printf("[legacy] media capabilities 0x%lx\n", media);
    if (media != 0)
        fail("media capabilities of a DLL that moves no audio");
    expect_hr("SetPreferredMediaTypes(audio)",
              IRTCClient_SetPreferredMediaTypes(client, RTCMT_AUDIO_SEND | RTCMT_AUDIO_RECEIVE, VARIANT_FALSE),
              RTC_E_MEDIA_AUDIO_DEVICE_NOT_AVAILABLE);
    expect_hr("IRTCClient::put_EventFilter(RTCEF_ALL)", IRTCClient_put_EventFilter(client, RTCEF_ALL), S_OK);

    IRTCClient_QueryInterface(client, &IID_IConnectionPointContainer, (void **)&container);
    expect_hr("FindConnectionPoint(IRTCEventNotification)",
              IConnectionPointContainer_FindConnectionPoint(container, &IID_IRTCEventNotification, &point), S_OK);
    expect_hr("IConnectionPoint::Advise", IConnectionPoint_Advise(point, (IUnknown *)&Sink, &cookie), S_OK);
    IConnectionPointContainer_Release(container);

    IRTCClient_QueryInterface(client, &IID_IRTCClientPortManagement, (void **)&ports);
    text = SysAllocString(L"127.0.0.1");
    expect_hr("StartListenAddressAndPort", IRTCClientPortManagement_StartListenAddressAndPort(ports, text, atol(argv[1])), S_OK);
    SysFreeString(text);
    IRTCClientPortManagement_Release(ports);
    text = SysAllocString(L"sip:alice@127.0.0.1");
    expect_hr("IRTCClient::put_LocalUserURI", IRTCClient_put_LocalUserURI(client, text), S_OK);
    SysFreeString(text);

    expect_hr("IRTCClient::CreateSession(RTCST_PC_TO_PC)",
              IRTCClient_CreateSession(client, RTCST_PC_TO_PC, NULL, NULL, 0, &session), S_OK);
    text = SysAllocString(wide(argv[2]));
    expect_hr("IRTCSession::AddParticipant", IRTCSession_AddParticipant(session, text, NULL, NULL), S_OK);
    SysFreeString(text);

    /* The application's message loop: every event comes out of DispatchMessage. */
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
        fail("the message loop ended without a clean shutdown");
    if (!refer_done)
        fail("no RTCSRS_DONE");
    if (media_failures != 1)
        fail("not exactly one RTCE_MEDIA FAILED (RTCMER_BAD_DEVICE) for the call");

    expect_hr("IConnectionPoint::Unadvise", IConnectionPoint_Unadvise(point, cookie), S_OK);
    IConnectionPoint_Release(point);
    IRTCSession_Release(session);
    expect_hr("IRTCClient::Shutdown", IRTCClient_Shutdown(client), S_OK);
    IRTCClient_Release(client);
    expect_hr("DllCanUnloadNow after the last Release", dll_can_unload_now(), S_OK);
    CoUninitialize();

    printf("[legacy] %s\n", failures ? "FAILED" : "transfer DONE, all checks passed");
    return failures ? 1 : 0;
}
