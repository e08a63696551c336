// rtccore.h and rtcerr.h in C++: the generated abstract classes must compile under
// -Wall -Wextra -Werror and keep the inheritance chains of the Windows header.
#include <type_traits>
#include <windows.h>
#include <ocidl.h>
#include <rtccore.h>
#include <rtcerr.h>

static_assert(std::is_base_of<IRTCClient, IRTCClient2>::value, "IRTCClient2 : IRTCClient");
static_assert(std::is_base_of<IRTCSession, IRTCSession2>::value, "IRTCSession2 : IRTCSession");
static_assert(std::is_base_of<IRTCProfile, IRTCProfile2>::value, "IRTCProfile2 : IRTCProfile");
static_assert(std::is_base_of<IRTCPresenceContact, IRTCBuddy2>::value, "IRTCBuddy2 : ... IRTCPresenceContact");
static_assert(std::is_base_of<IDispatch, IRTCSessionStateChangeEvent2>::value, "event interfaces are IDispatch");
static_assert(std::is_base_of<IDispatch, IRTCDispatchEventNotification>::value, "dispinterface is IDispatch");
static_assert(!std::is_base_of<IDispatch, IRTCEventNotification>::value, "IRTCEventNotification : IUnknown");
static_assert(sizeof(RTC_EVENT) == 4 && sizeof(LONG) == 4, "enums and LONG are 32-bit");

HRESULT abi_cxx_client(IRTCClient2 *client, IRTCSession **session);

HRESULT abi_cxx_client(IRTCClient2 *client, IRTCSession **session)
{
    HRESULT hr = client->InitializeEx(RTCIF_DISABLE_MEDIA);
    if (SUCCEEDED(hr))
        hr = client->put_EventFilter(RTCEF_ALL);
    if (SUCCEEDED(hr))
        hr = client->CreateSession(RTCST_PC_TO_PC, nullptr, nullptr, 0, session);
    if (hr == RTC_E_CLIENT_NOT_INITIALIZED)
        client->Release();
    return hr;
}
