/* rtccore.h and rtcerr.h in C with COBJMACROS, the way a ported application includes them.
 * Compile-only: the functions below are never called; they make sure the macros and the
 * inline helpers widl generates expand to valid C under -Wall -Wextra -Werror. */
#define COBJMACROS
#include <windows.h>
#include <ocidl.h>
#include <rtccore.h>
#include <rtcerr.h>

HRESULT abi_cobjmacros_client(IRTCClient2 *client, IRTCProfile *profile, IRTCSession **session);
HRESULT abi_cobjmacros_session(IRTCSession2 *session, IRTCSessionCallControl *cc);
HRESULT abi_cobjmacros_events(IRTCEventNotification *sink, IRTCDispatchEventNotification *disp,
                              IDispatch *event);

HRESULT abi_cobjmacros_client(IRTCClient2 *client, IRTCProfile *profile, IRTCSession **session)
{
    LONG filter = 0;
    HRESULT hr = IRTCClient2_InitializeEx(client, RTCIF_DISABLE_MEDIA);
    if (SUCCEEDED(hr))
        hr = IRTCClient2_put_EventFilter(client, RTCEF_ALL);
    if (SUCCEEDED(hr))
        hr = IRTCClient2_get_EventFilter(client, &filter);
    if (SUCCEEDED(hr))
        hr = IRTCClient2_CreateSession(client, RTCST_PC_TO_PC, NULL, profile,
                                       RTCCS_FORCE_PROFILE, session);
    if (hr == RTC_E_CLIENT_NOT_INITIALIZED)
        IRTCClient2_Release(client);
    return hr;
}

HRESULT abi_cobjmacros_session(IRTCSession2 *session, IRTCSessionCallControl *cc)
{
    RTC_SESSION_STATE state = RTCSS_IDLE;
    HRESULT hr = IRTCSession2_get_State(session, &state);
    if (SUCCEEDED(hr) && state == RTCSS_CONNECTED)
        hr = IRTCSessionCallControl_Hold(cc, (LONG_PTR)1);
    if (SUCCEEDED(hr))
        hr = IRTCSession2_Terminate(session, RTCTR_NORMAL);
    return hr;
}

HRESULT abi_cobjmacros_events(IRTCEventNotification *sink, IRTCDispatchEventNotification *disp,
                              IDispatch *event)
{
    UINT count = 0;
    HRESULT hr = IRTCEventNotification_Event(sink, RTCE_SESSION_STATE_CHANGE, event);
    if (SUCCEEDED(hr))
        hr = IRTCDispatchEventNotification_GetTypeInfoCount(disp, &count);
    return hr;
}
