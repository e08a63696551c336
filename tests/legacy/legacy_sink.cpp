// A C++ sink deriving from IRTCEventNotification, as C++ RTC applications do.
// Compiled against the installed headers to prove the C++ binding works.
#include <windows.h>
#include <ocidl.h>
#include <rtccore.h>
#include <cstdio>

class EventSink : public IRTCEventNotification
{
    LONG refs = 1;
public:
    virtual ~EventSink() = default;
    HRESULT STDMETHODCALLTYPE QueryInterface(REFIID riid, void **ppv) override
    {
        if (IsEqualIID(riid, IID_IUnknown) || IsEqualIID(riid, IID_IRTCEventNotification))
        {
            *ppv = static_cast<IRTCEventNotification *>(this);
            AddRef();
            return S_OK;
        }
        *ppv = nullptr;
        return E_NOINTERFACE;
    }
    ULONG STDMETHODCALLTYPE AddRef() override { return InterlockedIncrement(&refs); }
    ULONG STDMETHODCALLTYPE Release() override { return InterlockedDecrement(&refs); }
    HRESULT STDMETHODCALLTYPE Event(RTC_EVENT type, IDispatch *event) override
    {
        std::printf("C++ sink: event %d\n", type);
        return S_OK;
    }
};

int main()
{
    EventSink sink;
    IRTCClient *client = nullptr;
    IConnectionPointContainer *cpc = nullptr;
    IConnectionPoint *cp = nullptr;
    DWORD cookie = 0;
    int failures = 0;

    CoInitializeEx(nullptr, COINIT_APARTMENTTHREADED);
    if (FAILED(CoCreateInstance(CLSID_RTCClient, nullptr, CLSCTX_INPROC_SERVER, IID_IRTCClient,
                                reinterpret_cast<void **>(&client))))
        return 1;
    client->Initialize();
    client->QueryInterface(IID_IConnectionPointContainer, reinterpret_cast<void **>(&cpc));
    if (cpc->FindConnectionPoint(IID_IRTCEventNotification, &cp) != S_OK) failures++;
    if (cp->Advise(&sink, &cookie) != S_OK || !cookie) failures++;
    if (cp->Unadvise(cookie) != S_OK) failures++;
    cp->Release();
    cpc->Release();
    client->Shutdown();
    client->Release();
    CoUninitialize();
    std::printf("C++ sink: %s\n", failures ? "FAILED" : "advise/unadvise through C++ vtables work");
    return failures ? 1 : 0;
}
