/* uccapi.h in C with COBJMACROS, the way a ported UCC application includes it, together with
 * rtccore.h (an application may use both APIs; the two headers must not clash).
 * Compile-only: the functions are never called; they make sure the macros and inline helpers
 * widl generates expand to valid C under -Wall -Wextra -Werror. */
#define COBJMACROS
#include <windows.h>
#include <ocidl.h>
#include <uccapi.h>
#include <rtccore.h>

HRESULT abi_ucc_c_signin(IUccPlatform *platform, IUccUri *uri, IUccEndpoint **endpoint);
HRESULT abi_ucc_c_incoming(IUccIncomingSessionEvent *event);
HRESULT abi_ucc_c_collection(IUccCollection *collection, VARIANT *item);

HRESULT abi_ucc_c_signin(IUccPlatform *platform, IUccUri *uri, IUccEndpoint **endpoint)
{
    IUccServerSignalingSettings *settings = NULL;
    IUccSessionManager *manager = NULL;
    HRESULT hr = IUccPlatform_CreateEndpoint(platform, UCCET_PRINCIPAL_SERVER_BASED, uri, NULL, NULL, endpoint);
    if (SUCCEEDED(hr))
        hr = IUccEndpoint_QueryInterface(*endpoint, &IID_IUccServerSignalingSettings, (void **)&settings);
    if (SUCCEEDED(hr)) {
        hr = IUccServerSignalingSettings_put_AllowedAuthenticationModes(settings, UCCAM_DIGEST | UCCAM_NTLM);
        IUccServerSignalingSettings_Release(settings);
    }
    if (SUCCEEDED(hr))
        hr = IUccEndpoint_QueryInterface(*endpoint, &IID_IUccSessionManager, (void **)&manager);
    if (SUCCEEDED(hr)) {
        IUccSession *session = NULL;
        hr = IUccSessionManager_CreateSession(manager, UCCST_INSTANT_MESSAGING, NULL, &session);
        if (SUCCEEDED(hr))
            IUccSession_Release(session);
        IUccSessionManager_Release(manager);
    }
    if (hr == UCC_E_SIP_AUTHENTICATION_FAILED)
        IUccEndpoint_Disable(*endpoint, NULL);
    return hr;
}

HRESULT abi_ucc_c_incoming(IUccIncomingSessionEvent *event)
{
    IUccSession *session = NULL;
    UCC_SESSION_TYPE type = UCCST_INSTANT_MESSAGING;
    HRESULT hr = IUccIncomingSessionEvent_get_Session(event, &session);
    if (SUCCEEDED(hr)) {
        hr = IUccSession_get_Type(session, &type);
        IUccSession_Release(session);
    }
    if (SUCCEEDED(hr) && type != UCCST_AUDIO_VIDEO)
        return IUccIncomingSessionEvent_Reject(event, UCCROTR_NOT_ACCEPTABLE);
    return IUccIncomingSessionEvent_Accept(event);
}

HRESULT abi_ucc_c_collection(IUccCollection *collection, VARIANT *item)
{
    LONG count = 0;
    HRESULT hr = IUccCollection_get_Count(collection, &count);
    if (SUCCEEDED(hr) && count >= 1)
        hr = IUccCollection_get_Item(collection, 1, item);   /* collections are 1-based */
    return hr;
}
