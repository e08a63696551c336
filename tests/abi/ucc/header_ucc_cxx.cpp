// uccapi.h (with rtccore.h) in C++: the interfaces become classes with pure virtual methods.
// Compile-only; the function below is never called.
#include <windows.h>
#include <ocidl.h>
#include <uccapi.h>
#include <rtccore.h>

HRESULT abi_ucc_cxx_incoming(IUccIncomingSessionEvent *event);

HRESULT abi_ucc_cxx_incoming(IUccIncomingSessionEvent *event)
{
    IUccSessionParticipant *inviter = nullptr;
    HRESULT hr = event->get_Inviter(&inviter);
    if (SUCCEEDED(hr)) {
        IUccUri *uri = nullptr;
        hr = inviter->get_Uri(&uri);
        if (SUCCEEDED(hr))
            uri->Release();
        inviter->Release();
    }
    static_assert(sizeof(UCC_SESSION_TYPE) == 4, "enums are 32-bit");
    return SUCCEEDED(hr) ? event->Reject(UCCROTR_DECLINE) : hr;
}
