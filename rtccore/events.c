/*
 * The RTC event objects (events.h): IRTCClientEvent,
 * IRTCRegistrationStateChangeEvent, IRTCSessionStateChangeEvent(2),
 * IRTCSessionOperationCompleteEvent(2), IRTCParticipantStateChangeEvent,
 * IRTCMediaEvent, IRTCMessagingEvent, IRTCInfoEvent, IRTCReInviteEvent,
 * IRTCSessionReferStatusEvent and IRTCSessionReferredEvent.
 *
 * Each object embeds its (IDispatch-derived) event interface and a
 * struct event with what they all share: reference count, the IIDs it
 * answers, its IDispatch member table and its destructor. The IUnknown and
 * IDispatch slots of every vtable are thin typed wrappers over the shared
 * event_* helpers (EVENT_IDISPATCH_METHODS below).
 *
 * IDispatch (no type library at run time):
 *  - GetTypeInfoCount gives 0. GetTypeInfo gives DISP_E_BADINDEX for an index
 *    other than 0 and E_NOTIMPL for 0 (Microsoft documents no type
 *    information to hand out).
 *  - GetIDsOfNames/Invoke go through dispatch_get_ids_of_names/dispatch_invoke
 *    with the DISPIDs of rtccore.idl; riid must be IID_NULL
 *    (DISP_E_UNKNOWNINTERFACE otherwise), as IDispatch requires.
 *  - Invoke results: VT_I4 for LONG and enums, VT_BSTR for strings, VT_BOOL,
 *    VT_I8 (VT_I4 on 32-bit) for the LONG_PTR cookie. Interface pointers are
 *    VT_DISPATCH when the object answers IDispatch; IRTCSession,
 *    IRTCParticipant, IRTCProfile and IRTCClient derive from IUnknown only,
 *    so an object that does not answer IDispatch is returned as VT_UNKNOWN
 *    (what a type-library Invoke gives for a non-dispatchable interface)
 *    rather than putting a non-IDispatch pointer in V_DISPATCH. A NULL
 *    interface is VT_DISPATCH NULL ("Nothing").
 *  - [out] BSTR arguments (GetRemoteSessionDescription) must be passed as
 *    VT_BYREF|VT_BSTR (written without freeing the old value: [out]) or
 *    VT_BYREF|VT_VARIANT (cleared, then set to VT_BSTR).
 */
#include <wchar.h>
#include "events.h"
#include "event_object.h"

/* ---- RTC_EVENT -> RTCEF_* --------------------------------------------------------------- */

LONG rtc_event_filter_bit(RTC_EVENT type)
{
    /* By name, as rtccore.h has them: RTCEF bits are not 1 << RTC_EVENT (0x8000 is skipped and
     * the transfer and re-INVITE bits come after BUDDY2/WATCHER2). */
    static const LONG bits[] =
    {
        [RTCE_CLIENT]                     = RTCEF_CLIENT,
        [RTCE_REGISTRATION_STATE_CHANGE]  = RTCEF_REGISTRATION_STATE_CHANGE,
        [RTCE_SESSION_STATE_CHANGE]       = RTCEF_SESSION_STATE_CHANGE,
        [RTCE_SESSION_OPERATION_COMPLETE] = RTCEF_SESSION_OPERATION_COMPLETE,
        [RTCE_PARTICIPANT_STATE_CHANGE]   = RTCEF_PARTICIPANT_STATE_CHANGE,
        [RTCE_MEDIA]                      = RTCEF_MEDIA,
        [RTCE_INTENSITY]                  = RTCEF_INTENSITY,
        [RTCE_MESSAGING]                  = RTCEF_MESSAGING,
        [RTCE_BUDDY]                      = RTCEF_BUDDY,
        [RTCE_WATCHER]                    = RTCEF_WATCHER,
        [RTCE_PROFILE]                    = RTCEF_PROFILE,
        [RTCE_USERSEARCH]                 = RTCEF_USERSEARCH,
        [RTCE_INFO]                       = RTCEF_INFO,
        [RTCE_GROUP]                      = RTCEF_GROUP,
        [RTCE_MEDIA_REQUEST]              = RTCEF_MEDIA_REQUEST,
        [RTCE_ROAMING]                    = RTCEF_ROAMING,
        [RTCE_PRESENCE_PROPERTY]          = RTCEF_PRESENCE_PROPERTY,
        [RTCE_PRESENCE_DATA]              = RTCEF_PRESENCE_DATA,
        [RTCE_PRESENCE_STATUS]            = RTCEF_PRESENCE_STATUS,
        [RTCE_SESSION_REFER_STATUS]       = RTCEF_SESSION_REFER_STATUS,
        [RTCE_SESSION_REFERRED]           = RTCEF_SESSION_REFERRED,
        [RTCE_REINVITE]                   = RTCEF_REINVITE,
    };

    if ((unsigned int)type >= ARRAY_SIZE(bits))
        return 0;
    return bits[type];
}

LONG rtc_event_filter_mask(RTC_EVENT type)
{
    if (type == RTCE_BUDDY)
        return RTCEF_BUDDY | RTCEF_BUDDY2;
    if (type == RTCE_WATCHER)
        return RTCEF_WATCHER | RTCEF_WATCHER2;
    return rtc_event_filter_bit(type);
}

/* ---- IRTCClientEvent ------------------------------------------------------------------------ */

struct client_event
{
    IRTCClientEvent IRTCClientEvent_iface;
    struct event base;
    RTC_CLIENT_EVENT_TYPE type;
    IRTCClient *client;
};

static struct client_event *impl_from_IRTCClientEvent(IRTCClientEvent *iface)
{
    return CONTAINING_RECORD(iface, struct client_event, IRTCClientEvent_iface);
}

EVENT_IDISPATCH_METHODS(client_event, IRTCClientEvent)

static HRESULT WINAPI client_event_get_EventType(IRTCClientEvent *iface, RTC_CLIENT_EVENT_TYPE *type)
{
    if (!type)
        return E_POINTER;
    *type = impl_from_IRTCClientEvent(iface)->type;
    return S_OK;
}

static HRESULT WINAPI client_event_get_Client(IRTCClientEvent *iface, IRTCClient **client)
{
    return get_interface((IUnknown *)impl_from_IRTCClientEvent(iface)->client, (void **)client);
}

static const IRTCClientEventVtbl client_event_vtbl =
{
    EVENT_IDISPATCH_VTBL(client_event),
    client_event_get_EventType,
    client_event_get_Client,
};

DISPATCH_PROPGET(client_event_invoke_EventType, IRTCClientEvent, get_EventType, RTC_CLIENT_EVENT_TYPE, pack_long)
DISPATCH_PROPGET(client_event_invoke_Client, IRTCClientEvent, get_Client, IRTCClient *, pack_interface)

static const struct dispatch_member client_event_members[] =
{
    PROPGET(L"EventType", 1, client_event_invoke_EventType),
    PROPGET(L"Client", 2, client_event_invoke_Client),
};

static const struct dispatch_table client_event_dispatch = { client_event_members, ARRAY_SIZE(client_event_members) };

static void client_event_destroy(struct event *base)
{
    struct client_event *event = CONTAINING_RECORD(base, struct client_event, base);

    release((IUnknown *)event->client);
    free(event);
}

static const struct event_class client_event_class =
{
    { &IID_IRTCClientEvent }, &client_event_dispatch, client_event_destroy
};

HRESULT rtc_client_event_create(RTC_CLIENT_EVENT_TYPE type, IRTCClient *client, IDispatch **out)
{
    struct client_event *event;

    if (!out)
        return E_POINTER;
    *out = NULL;
    if (!(event = calloc(1, sizeof(*event))))
        return E_OUTOFMEMORY;
    event->IRTCClientEvent_iface.lpVtbl = &client_event_vtbl;
    event_init(&event->base, &event->IRTCClientEvent_iface, &client_event_class);
    event->type = type;
    add_ref((IUnknown *)(event->client = client));
    *out = event->base.iface;
    return S_OK;
}

/* ---- IRTCRegistrationStateChangeEvent ----------------------------------------------------- */

struct registration_event
{
    IRTCRegistrationStateChangeEvent IRTCRegistrationStateChangeEvent_iface;
    struct event base;
    IRTCProfile *profile;
    RTC_REGISTRATION_STATE state;
    LONG status_code;
    BSTR status_text;
};

static struct registration_event *impl_from_IRTCRegistrationStateChangeEvent(IRTCRegistrationStateChangeEvent *iface)
{
    return CONTAINING_RECORD(iface, struct registration_event, IRTCRegistrationStateChangeEvent_iface);
}

EVENT_IDISPATCH_METHODS(registration_event, IRTCRegistrationStateChangeEvent)

static HRESULT WINAPI registration_event_get_Profile(IRTCRegistrationStateChangeEvent *iface, IRTCProfile **profile)
{
    return get_interface((IUnknown *)impl_from_IRTCRegistrationStateChangeEvent(iface)->profile, (void **)profile);
}

static HRESULT WINAPI registration_event_get_State(IRTCRegistrationStateChangeEvent *iface, RTC_REGISTRATION_STATE *state)
{
    if (!state)
        return E_POINTER;
    *state = impl_from_IRTCRegistrationStateChangeEvent(iface)->state;
    return S_OK;
}

static HRESULT WINAPI registration_event_get_StatusCode(IRTCRegistrationStateChangeEvent *iface, LONG *code)
{
    if (!code)
        return E_POINTER;
    *code = impl_from_IRTCRegistrationStateChangeEvent(iface)->status_code;
    return S_OK;
}

static HRESULT WINAPI registration_event_get_StatusText(IRTCRegistrationStateChangeEvent *iface, BSTR *text)
{
    return get_string(impl_from_IRTCRegistrationStateChangeEvent(iface)->status_text, text);
}

static const IRTCRegistrationStateChangeEventVtbl registration_event_vtbl =
{
    EVENT_IDISPATCH_VTBL(registration_event),
    registration_event_get_Profile,
    registration_event_get_State,
    registration_event_get_StatusCode,
    registration_event_get_StatusText,
};

DISPATCH_PROPGET(registration_event_invoke_Profile, IRTCRegistrationStateChangeEvent, get_Profile, IRTCProfile *, pack_interface)
DISPATCH_PROPGET(registration_event_invoke_State, IRTCRegistrationStateChangeEvent, get_State, RTC_REGISTRATION_STATE, pack_long)
DISPATCH_PROPGET(registration_event_invoke_StatusCode, IRTCRegistrationStateChangeEvent, get_StatusCode, LONG, pack_long)
DISPATCH_PROPGET(registration_event_invoke_StatusText, IRTCRegistrationStateChangeEvent, get_StatusText, BSTR, pack_string)

static const struct dispatch_member registration_event_members[] =
{
    PROPGET(L"Profile", 1, registration_event_invoke_Profile),
    PROPGET(L"State", 2, registration_event_invoke_State),
    PROPGET(L"StatusCode", 3, registration_event_invoke_StatusCode),
    PROPGET(L"StatusText", 4, registration_event_invoke_StatusText),
};

static const struct dispatch_table registration_event_dispatch =
    { registration_event_members, ARRAY_SIZE(registration_event_members) };

static void registration_event_destroy(struct event *base)
{
    struct registration_event *event = CONTAINING_RECORD(base, struct registration_event, base);

    release((IUnknown *)event->profile);
    SysFreeString(event->status_text);
    free(event);
}

static const struct event_class registration_event_class =
{
    { &IID_IRTCRegistrationStateChangeEvent }, &registration_event_dispatch, registration_event_destroy
};

HRESULT rtc_registration_state_change_event_create(IRTCProfile *profile, RTC_REGISTRATION_STATE state,
                                                   LONG status_code, const WCHAR *status_text,
                                                   IDispatch **out)
{
    struct registration_event *event;

    if (!out)
        return E_POINTER;
    *out = NULL;
    if (!(event = calloc(1, sizeof(*event))))
        return E_OUTOFMEMORY;
    event->IRTCRegistrationStateChangeEvent_iface.lpVtbl = &registration_event_vtbl;
    event_init(&event->base, &event->IRTCRegistrationStateChangeEvent_iface, &registration_event_class);
    if (!copy_string(status_text, &event->status_text))
    {
        event_release(&event->base);
        return E_OUTOFMEMORY;
    }
    add_ref((IUnknown *)(event->profile = profile));
    event->state = state;
    event->status_code = status_code;
    *out = event->base.iface;
    return S_OK;
}

/* ---- IRTCSessionStateChangeEvent2 (and IRTCSessionStateChangeEvent) ------------------------ */

struct session_state_event
{
    IRTCSessionStateChangeEvent2 IRTCSessionStateChangeEvent2_iface;
    struct event base;
    IRTCSession *session;
    RTC_SESSION_STATE state;
    LONG status_code;
    BSTR status_text;
    LONG media_types;
    RTC_SECURITY_LEVEL security[2];     /* indexed by RTC_SECURITY_TYPE */
    VARIANT_BOOL is_forked;
    BSTR content_type;
    BSTR session_description;
};

static struct session_state_event *impl_from_IRTCSessionStateChangeEvent2(IRTCSessionStateChangeEvent2 *iface)
{
    return CONTAINING_RECORD(iface, struct session_state_event, IRTCSessionStateChangeEvent2_iface);
}

EVENT_IDISPATCH_METHODS(session_state_event, IRTCSessionStateChangeEvent2)

static HRESULT WINAPI session_state_event_get_Session(IRTCSessionStateChangeEvent2 *iface, IRTCSession **session)
{
    return get_interface((IUnknown *)impl_from_IRTCSessionStateChangeEvent2(iface)->session, (void **)session);
}

static HRESULT WINAPI session_state_event_get_State(IRTCSessionStateChangeEvent2 *iface, RTC_SESSION_STATE *state)
{
    if (!state)
        return E_POINTER;
    *state = impl_from_IRTCSessionStateChangeEvent2(iface)->state;
    return S_OK;
}

static HRESULT WINAPI session_state_event_get_StatusCode(IRTCSessionStateChangeEvent2 *iface, LONG *code)
{
    if (!code)
        return E_POINTER;
    *code = impl_from_IRTCSessionStateChangeEvent2(iface)->status_code;
    return S_OK;
}

static HRESULT WINAPI session_state_event_get_StatusText(IRTCSessionStateChangeEvent2 *iface, BSTR *text)
{
    return get_string(impl_from_IRTCSessionStateChangeEvent2(iface)->status_text, text);
}

static HRESULT WINAPI session_state_event_get_MediaTypes(IRTCSessionStateChangeEvent2 *iface, LONG *types)
{
    if (!types)
        return E_POINTER;
    *types = impl_from_IRTCSessionStateChangeEvent2(iface)->media_types;
    return S_OK;
}

static HRESULT WINAPI session_state_event_get_RemotePreferredSecurityLevel(IRTCSessionStateChangeEvent2 *iface,
        RTC_SECURITY_TYPE type, RTC_SECURITY_LEVEL *level)
{
    struct session_state_event *event = impl_from_IRTCSessionStateChangeEvent2(iface);

    com_partial(__func__, "always RTCSECL_UNSUPPORTED: media encryption is not negotiated, so the remote preference "
                "is unknown");
    if (!level)
        return E_POINTER;
    if ((unsigned int)type >= ARRAY_SIZE(event->security))
        return E_INVALIDARG;
    *level = event->security[type];
    return S_OK;
}

static HRESULT WINAPI session_state_event_get_IsForked(IRTCSessionStateChangeEvent2 *iface, VARIANT_BOOL *forked)
{
    com_partial(__func__, "always VARIANT_FALSE: the engine settles forks itself (the first 2xx wins, later ones "
                "get ACK and BYE) and does not tell the session");
    if (!forked)
        return E_POINTER;
    *forked = impl_from_IRTCSessionStateChangeEvent2(iface)->is_forked;
    return S_OK;
}

static HRESULT WINAPI session_state_event_GetRemoteSessionDescription(IRTCSessionStateChangeEvent2 *iface,
        BSTR *content_type, BSTR *description)
{
    struct session_state_event *event = impl_from_IRTCSessionStateChangeEvent2(iface);

    com_partial(__func__, "always empty: the remote description is for application sessions (RTCST_APPLICATION), "
                "which are not built");
    return get_description(event->content_type, event->session_description, content_type, description);
}

static const IRTCSessionStateChangeEvent2Vtbl session_state_event_vtbl =
{
    EVENT_IDISPATCH_VTBL(session_state_event),
    session_state_event_get_Session,
    session_state_event_get_State,
    session_state_event_get_StatusCode,
    session_state_event_get_StatusText,
    session_state_event_get_MediaTypes,
    session_state_event_get_RemotePreferredSecurityLevel,
    session_state_event_get_IsForked,
    session_state_event_GetRemoteSessionDescription,
};

DISPATCH_PROPGET(session_state_event_invoke_Session, IRTCSessionStateChangeEvent2, get_Session, IRTCSession *, pack_interface)
DISPATCH_PROPGET(session_state_event_invoke_State, IRTCSessionStateChangeEvent2, get_State, RTC_SESSION_STATE, pack_long)
DISPATCH_PROPGET(session_state_event_invoke_StatusCode, IRTCSessionStateChangeEvent2, get_StatusCode, LONG, pack_long)
DISPATCH_PROPGET(session_state_event_invoke_StatusText, IRTCSessionStateChangeEvent2, get_StatusText, BSTR, pack_string)
DISPATCH_PROPGET(session_state_event_invoke_MediaTypes, IRTCSessionStateChangeEvent2, get_MediaTypes, LONG, pack_long)
DISPATCH_PROPGET(session_state_event_invoke_IsForked, IRTCSessionStateChangeEvent2, get_IsForked, VARIANT_BOOL, pack_bool)
DISPATCH_GET_DESCRIPTION(session_state_event_invoke_GetRemoteSessionDescription, IRTCSessionStateChangeEvent2)

/* RemotePreferredSecurityLevel is a property with an argument, the security type. */
static HRESULT session_state_event_invoke_RemotePreferredSecurityLevel(IDispatch *iface, DISPPARAMS *params,
                                                                       VARIANT *result)
{
    RTC_SECURITY_LEVEL level;
    VARIANT type;
    HRESULT hr;

    if (params->cArgs != 1)
        return DISP_E_BADPARAMCOUNT;
    if (FAILED(hr = dispatch_arg_in(params, 0, VT_I4, &type)))
        return hr;
    if (FAILED(hr = IRTCSessionStateChangeEvent2_get_RemotePreferredSecurityLevel(
                   (IRTCSessionStateChangeEvent2 *)iface, V_I4(&type), &level)))
        return hr;
    return pack_long(result, level);
}

static const struct dispatch_member session_state_event_members[] =
{
    PROPGET(L"Session", 1, session_state_event_invoke_Session),
    PROPGET(L"State", 2, session_state_event_invoke_State),
    PROPGET(L"StatusCode", 3, session_state_event_invoke_StatusCode),
    PROPGET(L"StatusText", 4, session_state_event_invoke_StatusText),
    PROPGET(L"MediaTypes", 5, session_state_event_invoke_MediaTypes),
    PROPGET(L"RemotePreferredSecurityLevel", 6, session_state_event_invoke_RemotePreferredSecurityLevel),
    PROPGET(L"IsForked", 7, session_state_event_invoke_IsForked),
    METHOD(L"GetRemoteSessionDescription", 8, session_state_event_invoke_GetRemoteSessionDescription),
};

static const struct dispatch_table session_state_event_dispatch =
    { session_state_event_members, ARRAY_SIZE(session_state_event_members) };

static void session_state_event_destroy(struct event *base)
{
    struct session_state_event *event = CONTAINING_RECORD(base, struct session_state_event, base);

    release((IUnknown *)event->session);
    SysFreeString(event->status_text);
    SysFreeString(event->content_type);
    SysFreeString(event->session_description);
    free(event);
}

static const struct event_class session_state_event_class =
{
    { &IID_IRTCSessionStateChangeEvent, &IID_IRTCSessionStateChangeEvent2 },
    &session_state_event_dispatch, session_state_event_destroy
};

HRESULT rtc_session_state_change_event2_create(IRTCSession *session, RTC_SESSION_STATE state,
                                               LONG status_code, const WCHAR *status_text,
                                               LONG media_types, RTC_SECURITY_LEVEL av_security,
                                               RTC_SECURITY_LEVEL t120_security, VARIANT_BOOL is_forked,
                                               const WCHAR *content_type, const WCHAR *session_description,
                                               IDispatch **out)
{
    struct session_state_event *event;

    if (!out)
        return E_POINTER;
    *out = NULL;
    if (!(event = calloc(1, sizeof(*event))))
        return E_OUTOFMEMORY;
    event->IRTCSessionStateChangeEvent2_iface.lpVtbl = &session_state_event_vtbl;
    event_init(&event->base, &event->IRTCSessionStateChangeEvent2_iface, &session_state_event_class);
    if (!copy_string(status_text, &event->status_text)
        || !copy_string(content_type, &event->content_type)
        || !copy_string(session_description, &event->session_description))
    {
        event_release(&event->base);
        return E_OUTOFMEMORY;
    }
    add_ref((IUnknown *)(event->session = session));
    event->state = state;
    event->status_code = status_code;
    event->media_types = media_types;
    event->security[RTCSECT_AUDIO_VIDEO_MEDIA_ENCRYPTION] = av_security;
    event->security[RTCSECT_T120_MEDIA_ENCRYPTION] = t120_security;
    event->is_forked = is_forked ? VARIANT_TRUE : VARIANT_FALSE;
    *out = event->base.iface;
    return S_OK;
}

HRESULT rtc_session_state_change_event_create(IRTCSession *session, RTC_SESSION_STATE state,
                                              LONG status_code, const WCHAR *status_text,
                                              IDispatch **out)
{
    return rtc_session_state_change_event2_create(session, state, status_code, status_text, 0,
                                                  RTCSECL_UNSUPPORTED, RTCSECL_UNSUPPORTED, VARIANT_FALSE,
                                                  NULL, NULL, out);
}

/* ---- IRTCSessionOperationCompleteEvent2 (and IRTCSessionOperationCompleteEvent) ------------ */

struct operation_event
{
    IRTCSessionOperationCompleteEvent2 IRTCSessionOperationCompleteEvent2_iface;
    struct event base;
    IRTCSession *session;
    LONG_PTR cookie;
    LONG status_code;
    BSTR status_text;
    IRTCParticipant *participant;
    BSTR content_type;
    BSTR session_description;
};

static struct operation_event *impl_from_IRTCSessionOperationCompleteEvent2(IRTCSessionOperationCompleteEvent2 *iface)
{
    return CONTAINING_RECORD(iface, struct operation_event, IRTCSessionOperationCompleteEvent2_iface);
}

EVENT_IDISPATCH_METHODS(operation_event, IRTCSessionOperationCompleteEvent2)

static HRESULT WINAPI operation_event_get_Session(IRTCSessionOperationCompleteEvent2 *iface, IRTCSession **session)
{
    return get_interface((IUnknown *)impl_from_IRTCSessionOperationCompleteEvent2(iface)->session, (void **)session);
}

static HRESULT WINAPI operation_event_get_Cookie(IRTCSessionOperationCompleteEvent2 *iface, LONG_PTR *cookie)
{
    if (!cookie)
        return E_POINTER;
    *cookie = impl_from_IRTCSessionOperationCompleteEvent2(iface)->cookie;
    return S_OK;
}

static HRESULT WINAPI operation_event_get_StatusCode(IRTCSessionOperationCompleteEvent2 *iface, LONG *code)
{
    if (!code)
        return E_POINTER;
    *code = impl_from_IRTCSessionOperationCompleteEvent2(iface)->status_code;
    return S_OK;
}

static HRESULT WINAPI operation_event_get_StatusText(IRTCSessionOperationCompleteEvent2 *iface, BSTR *text)
{
    return get_string(impl_from_IRTCSessionOperationCompleteEvent2(iface)->status_text, text);
}

static HRESULT WINAPI operation_event_get_Participant(IRTCSessionOperationCompleteEvent2 *iface,
                                                      IRTCParticipant **participant)
{
    return get_interface((IUnknown *)impl_from_IRTCSessionOperationCompleteEvent2(iface)->participant,
                         (void **)participant);
}

static HRESULT WINAPI operation_event_GetRemoteSessionDescription(IRTCSessionOperationCompleteEvent2 *iface,
        BSTR *content_type, BSTR *description)
{
    struct operation_event *event = impl_from_IRTCSessionOperationCompleteEvent2(iface);

    com_partial(__func__, "always empty: the remote description is for application sessions (RTCST_APPLICATION), "
                "which are not built");
    return get_description(event->content_type, event->session_description, content_type, description);
}

static const IRTCSessionOperationCompleteEvent2Vtbl operation_event_vtbl =
{
    EVENT_IDISPATCH_VTBL(operation_event),
    operation_event_get_Session,
    operation_event_get_Cookie,
    operation_event_get_StatusCode,
    operation_event_get_StatusText,
    operation_event_get_Participant,
    operation_event_GetRemoteSessionDescription,
};

DISPATCH_PROPGET(operation_event_invoke_Session, IRTCSessionOperationCompleteEvent2, get_Session, IRTCSession *, pack_interface)
DISPATCH_PROPGET(operation_event_invoke_Cookie, IRTCSessionOperationCompleteEvent2, get_Cookie, LONG_PTR, pack_long_ptr)
DISPATCH_PROPGET(operation_event_invoke_StatusCode, IRTCSessionOperationCompleteEvent2, get_StatusCode, LONG, pack_long)
DISPATCH_PROPGET(operation_event_invoke_StatusText, IRTCSessionOperationCompleteEvent2, get_StatusText, BSTR, pack_string)
DISPATCH_PROPGET(operation_event_invoke_Participant, IRTCSessionOperationCompleteEvent2, get_Participant, IRTCParticipant *, pack_interface)
DISPATCH_GET_DESCRIPTION(operation_event_invoke_GetRemoteSessionDescription, IRTCSessionOperationCompleteEvent2)

static const struct dispatch_member operation_event_members[] =
{
    PROPGET(L"Session", 1, operation_event_invoke_Session),
    PROPGET(L"Cookie", 2, operation_event_invoke_Cookie),
    PROPGET(L"StatusCode", 3, operation_event_invoke_StatusCode),
    PROPGET(L"StatusText", 4, operation_event_invoke_StatusText),
    PROPGET(L"Participant", 5, operation_event_invoke_Participant),
    METHOD(L"GetRemoteSessionDescription", 6, operation_event_invoke_GetRemoteSessionDescription),
};

static const struct dispatch_table operation_event_dispatch =
    { operation_event_members, ARRAY_SIZE(operation_event_members) };

static void operation_event_destroy(struct event *base)
{
    struct operation_event *event = CONTAINING_RECORD(base, struct operation_event, base);

    release((IUnknown *)event->session);
    release((IUnknown *)event->participant);
    SysFreeString(event->status_text);
    SysFreeString(event->content_type);
    SysFreeString(event->session_description);
    free(event);
}

static const struct event_class operation_event_class =
{
    { &IID_IRTCSessionOperationCompleteEvent, &IID_IRTCSessionOperationCompleteEvent2 },
    &operation_event_dispatch, operation_event_destroy
};

HRESULT rtc_session_operation_complete_event2_create(IRTCSession *session, LONG_PTR cookie,
                                                     LONG status_code, const WCHAR *status_text,
                                                     IRTCParticipant *participant,
                                                     const WCHAR *content_type,
                                                     const WCHAR *session_description,
                                                     IDispatch **out)
{
    struct operation_event *event;

    if (!out)
        return E_POINTER;
    *out = NULL;
    if (!(event = calloc(1, sizeof(*event))))
        return E_OUTOFMEMORY;
    event->IRTCSessionOperationCompleteEvent2_iface.lpVtbl = &operation_event_vtbl;
    event_init(&event->base, &event->IRTCSessionOperationCompleteEvent2_iface, &operation_event_class);
    if (!copy_string(status_text, &event->status_text)
        || !copy_string(content_type, &event->content_type)
        || !copy_string(session_description, &event->session_description))
    {
        event_release(&event->base);
        return E_OUTOFMEMORY;
    }
    add_ref((IUnknown *)(event->session = session));
    add_ref((IUnknown *)(event->participant = participant));
    event->cookie = cookie;
    event->status_code = status_code;
    *out = event->base.iface;
    return S_OK;
}

HRESULT rtc_session_operation_complete_event_create(IRTCSession *session, LONG_PTR cookie,
                                                    LONG status_code, const WCHAR *status_text,
                                                    IDispatch **out)
{
    return rtc_session_operation_complete_event2_create(session, cookie, status_code, status_text,
                                                        NULL, NULL, NULL, out);
}

/* ---- IRTCParticipantStateChangeEvent ------------------------------------------------------- */

struct participant_event
{
    IRTCParticipantStateChangeEvent IRTCParticipantStateChangeEvent_iface;
    struct event base;
    IRTCParticipant *participant;
    RTC_PARTICIPANT_STATE state;
    LONG status_code;
};

static struct participant_event *impl_from_IRTCParticipantStateChangeEvent(IRTCParticipantStateChangeEvent *iface)
{
    return CONTAINING_RECORD(iface, struct participant_event, IRTCParticipantStateChangeEvent_iface);
}

EVENT_IDISPATCH_METHODS(participant_event, IRTCParticipantStateChangeEvent)

static HRESULT WINAPI participant_event_get_Participant(IRTCParticipantStateChangeEvent *iface,
                                                        IRTCParticipant **participant)
{
    return get_interface((IUnknown *)impl_from_IRTCParticipantStateChangeEvent(iface)->participant,
                         (void **)participant);
}

static HRESULT WINAPI participant_event_get_State(IRTCParticipantStateChangeEvent *iface, RTC_PARTICIPANT_STATE *state)
{
    if (!state)
        return E_POINTER;
    *state = impl_from_IRTCParticipantStateChangeEvent(iface)->state;
    return S_OK;
}

static HRESULT WINAPI participant_event_get_StatusCode(IRTCParticipantStateChangeEvent *iface, LONG *code)
{
    if (!code)
        return E_POINTER;
    *code = impl_from_IRTCParticipantStateChangeEvent(iface)->status_code;
    return S_OK;
}

static const IRTCParticipantStateChangeEventVtbl participant_event_vtbl =
{
    EVENT_IDISPATCH_VTBL(participant_event),
    participant_event_get_Participant,
    participant_event_get_State,
    participant_event_get_StatusCode,
};

DISPATCH_PROPGET(participant_event_invoke_Participant, IRTCParticipantStateChangeEvent, get_Participant, IRTCParticipant *, pack_interface)
DISPATCH_PROPGET(participant_event_invoke_State, IRTCParticipantStateChangeEvent, get_State, RTC_PARTICIPANT_STATE, pack_long)
DISPATCH_PROPGET(participant_event_invoke_StatusCode, IRTCParticipantStateChangeEvent, get_StatusCode, LONG, pack_long)

static const struct dispatch_member participant_event_members[] =
{
    PROPGET(L"Participant", 1, participant_event_invoke_Participant),
    PROPGET(L"State", 2, participant_event_invoke_State),
    PROPGET(L"StatusCode", 3, participant_event_invoke_StatusCode),
};

static const struct dispatch_table participant_event_dispatch =
    { participant_event_members, ARRAY_SIZE(participant_event_members) };

static void participant_event_destroy(struct event *base)
{
    struct participant_event *event = CONTAINING_RECORD(base, struct participant_event, base);

    release((IUnknown *)event->participant);
    free(event);
}

static const struct event_class participant_event_class =
{
    { &IID_IRTCParticipantStateChangeEvent }, &participant_event_dispatch, participant_event_destroy
};

HRESULT rtc_participant_state_change_event_create(IRTCParticipant *participant, RTC_PARTICIPANT_STATE state,
                                                  LONG status_code, IDispatch **out)
{
    struct participant_event *event;

    if (!out)
        return E_POINTER;
    *out = NULL;
    if (!(event = calloc(1, sizeof(*event))))
        return E_OUTOFMEMORY;
    event->IRTCParticipantStateChangeEvent_iface.lpVtbl = &participant_event_vtbl;
    event_init(&event->base, &event->IRTCParticipantStateChangeEvent_iface, &participant_event_class);
    add_ref((IUnknown *)(event->participant = participant));
    event->state = state;
    event->status_code = status_code;
    *out = event->base.iface;
    return S_OK;
}

/* ---- IRTCMediaEvent -------------------------------------------------------------------------- */

struct media_event
{
    IRTCMediaEvent IRTCMediaEvent_iface;
    struct event base;
    LONG media_type;
    RTC_MEDIA_EVENT_TYPE type;
    RTC_MEDIA_EVENT_REASON reason;
};

static struct media_event *impl_from_IRTCMediaEvent(IRTCMediaEvent *iface)
{
    return CONTAINING_RECORD(iface, struct media_event, IRTCMediaEvent_iface);
}

EVENT_IDISPATCH_METHODS(media_event, IRTCMediaEvent)

static HRESULT WINAPI media_event_get_MediaType(IRTCMediaEvent *iface, LONG *media_type)
{
    if (!media_type)
        return E_POINTER;
    *media_type = impl_from_IRTCMediaEvent(iface)->media_type;
    return S_OK;
}

static HRESULT WINAPI media_event_get_EventType(IRTCMediaEvent *iface, RTC_MEDIA_EVENT_TYPE *type)
{
    if (!type)
        return E_POINTER;
    *type = impl_from_IRTCMediaEvent(iface)->type;
    return S_OK;
}

static HRESULT WINAPI media_event_get_EventReason(IRTCMediaEvent *iface, RTC_MEDIA_EVENT_REASON *reason)
{
    if (!reason)
        return E_POINTER;
    *reason = impl_from_IRTCMediaEvent(iface)->reason;
    return S_OK;
}

static const IRTCMediaEventVtbl media_event_vtbl =
{
    EVENT_IDISPATCH_VTBL(media_event),
    media_event_get_MediaType,
    media_event_get_EventType,
    media_event_get_EventReason,
};

DISPATCH_PROPGET(media_event_invoke_MediaType, IRTCMediaEvent, get_MediaType, LONG, pack_long)
DISPATCH_PROPGET(media_event_invoke_EventType, IRTCMediaEvent, get_EventType, RTC_MEDIA_EVENT_TYPE, pack_long)
DISPATCH_PROPGET(media_event_invoke_EventReason, IRTCMediaEvent, get_EventReason, RTC_MEDIA_EVENT_REASON, pack_long)

static const struct dispatch_member media_event_members[] =
{
    PROPGET(L"MediaType", 1, media_event_invoke_MediaType),
    PROPGET(L"EventType", 2, media_event_invoke_EventType),
    PROPGET(L"EventReason", 3, media_event_invoke_EventReason),
};

static const struct dispatch_table media_event_dispatch = { media_event_members, ARRAY_SIZE(media_event_members) };

static void media_event_destroy(struct event *base)
{
    free(CONTAINING_RECORD(base, struct media_event, base));
}

static const struct event_class media_event_class =
{
    { &IID_IRTCMediaEvent }, &media_event_dispatch, media_event_destroy
};

HRESULT rtc_media_event_create(LONG media_type, RTC_MEDIA_EVENT_TYPE type, RTC_MEDIA_EVENT_REASON reason,
                               IDispatch **out)
{
    struct media_event *event;

    if (!out)
        return E_POINTER;
    *out = NULL;
    if (!(event = calloc(1, sizeof(*event))))
        return E_OUTOFMEMORY;
    event->IRTCMediaEvent_iface.lpVtbl = &media_event_vtbl;
    event_init(&event->base, &event->IRTCMediaEvent_iface, &media_event_class);
    event->media_type = media_type;
    event->type = type;
    event->reason = reason;
    *out = event->base.iface;
    return S_OK;
}

/* ---- IRTCMessagingEvent ---------------------------------------------------------------------- */

struct messaging_event
{
    IRTCMessagingEvent IRTCMessagingEvent_iface;
    struct event base;
    IRTCSession *session;
    IRTCParticipant *participant;
    RTC_MESSAGING_EVENT_TYPE type;
    BSTR message;
    BSTR message_header;
    RTC_MESSAGING_USER_STATUS user_status;
};

static struct messaging_event *impl_from_IRTCMessagingEvent(IRTCMessagingEvent *iface)
{
    return CONTAINING_RECORD(iface, struct messaging_event, IRTCMessagingEvent_iface);
}

EVENT_IDISPATCH_METHODS(messaging_event, IRTCMessagingEvent)

static HRESULT WINAPI messaging_event_get_Session(IRTCMessagingEvent *iface, IRTCSession **session)
{
    return get_interface((IUnknown *)impl_from_IRTCMessagingEvent(iface)->session, (void **)session);
}

static HRESULT WINAPI messaging_event_get_Participant(IRTCMessagingEvent *iface, IRTCParticipant **participant)
{
    return get_interface((IUnknown *)impl_from_IRTCMessagingEvent(iface)->participant, (void **)participant);
}

static HRESULT WINAPI messaging_event_get_EventType(IRTCMessagingEvent *iface, RTC_MESSAGING_EVENT_TYPE *type)
{
    if (!type)
        return E_POINTER;
    *type = impl_from_IRTCMessagingEvent(iface)->type;
    return S_OK;
}

static HRESULT WINAPI messaging_event_get_Message(IRTCMessagingEvent *iface, BSTR *message)
{
    return get_string(impl_from_IRTCMessagingEvent(iface)->message, message);
}

static HRESULT WINAPI messaging_event_get_MessageHeader(IRTCMessagingEvent *iface, BSTR *header)
{
    return get_string(impl_from_IRTCMessagingEvent(iface)->message_header, header);
}

static HRESULT WINAPI messaging_event_get_UserStatus(IRTCMessagingEvent *iface, RTC_MESSAGING_USER_STATUS *status)
{
    if (!status)
        return E_POINTER;
    *status = impl_from_IRTCMessagingEvent(iface)->user_status;
    return S_OK;
}

static const IRTCMessagingEventVtbl messaging_event_vtbl =
{
    EVENT_IDISPATCH_VTBL(messaging_event),
    messaging_event_get_Session,
    messaging_event_get_Participant,
    messaging_event_get_EventType,
    messaging_event_get_Message,
    messaging_event_get_MessageHeader,
    messaging_event_get_UserStatus,
};

DISPATCH_PROPGET(messaging_event_invoke_Session, IRTCMessagingEvent, get_Session, IRTCSession *, pack_interface)
DISPATCH_PROPGET(messaging_event_invoke_Participant, IRTCMessagingEvent, get_Participant, IRTCParticipant *, pack_interface)
DISPATCH_PROPGET(messaging_event_invoke_EventType, IRTCMessagingEvent, get_EventType, RTC_MESSAGING_EVENT_TYPE, pack_long)
DISPATCH_PROPGET(messaging_event_invoke_Message, IRTCMessagingEvent, get_Message, BSTR, pack_string)
DISPATCH_PROPGET(messaging_event_invoke_MessageHeader, IRTCMessagingEvent, get_MessageHeader, BSTR, pack_string)
DISPATCH_PROPGET(messaging_event_invoke_UserStatus, IRTCMessagingEvent, get_UserStatus, RTC_MESSAGING_USER_STATUS, pack_long)

static const struct dispatch_member messaging_event_members[] =
{
    PROPGET(L"Session", 1, messaging_event_invoke_Session),
    PROPGET(L"Participant", 2, messaging_event_invoke_Participant),
    PROPGET(L"EventType", 3, messaging_event_invoke_EventType),
    PROPGET(L"Message", 4, messaging_event_invoke_Message),
    PROPGET(L"MessageHeader", 5, messaging_event_invoke_MessageHeader),
    PROPGET(L"UserStatus", 6, messaging_event_invoke_UserStatus),
};

static const struct dispatch_table messaging_event_dispatch =
    { messaging_event_members, ARRAY_SIZE(messaging_event_members) };

static void messaging_event_destroy(struct event *base)
{
    struct messaging_event *event = CONTAINING_RECORD(base, struct messaging_event, base);

    release((IUnknown *)event->session);
    release((IUnknown *)event->participant);
    SysFreeString(event->message);
    SysFreeString(event->message_header);
    free(event);
}

static const struct event_class messaging_event_class =
{
    { &IID_IRTCMessagingEvent }, &messaging_event_dispatch, messaging_event_destroy
};

HRESULT rtc_messaging_event_create(IRTCSession *session, IRTCParticipant *participant,
                                   RTC_MESSAGING_EVENT_TYPE type, const WCHAR *message,
                                   const WCHAR *message_header, RTC_MESSAGING_USER_STATUS user_status,
                                   IDispatch **out)
{
    struct messaging_event *event;

    if (!out)
        return E_POINTER;
    *out = NULL;
    if (!(event = calloc(1, sizeof(*event))))
        return E_OUTOFMEMORY;
    event->IRTCMessagingEvent_iface.lpVtbl = &messaging_event_vtbl;
    event_init(&event->base, &event->IRTCMessagingEvent_iface, &messaging_event_class);
    if (!copy_string(message, &event->message) || !copy_string(message_header, &event->message_header))
    {
        event_release(&event->base);
        return E_OUTOFMEMORY;
    }
    add_ref((IUnknown *)(event->session = session));
    add_ref((IUnknown *)(event->participant = participant));
    event->type = type;
    event->user_status = user_status;
    *out = event->base.iface;
    return S_OK;
}

/* ---- IRTCInfoEvent ---------------------------------------------------------------------------- */

struct info_event
{
    IRTCInfoEvent IRTCInfoEvent_iface;
    struct event base;
    IRTCSession2 *session;
    IRTCParticipant *participant;
    BSTR info;
    BSTR info_header;
};

static struct info_event *impl_from_IRTCInfoEvent(IRTCInfoEvent *iface)
{
    return CONTAINING_RECORD(iface, struct info_event, IRTCInfoEvent_iface);
}

EVENT_IDISPATCH_METHODS(info_event, IRTCInfoEvent)

static HRESULT WINAPI info_event_get_Session(IRTCInfoEvent *iface, IRTCSession2 **session)
{
    return get_interface((IUnknown *)impl_from_IRTCInfoEvent(iface)->session, (void **)session);
}

static HRESULT WINAPI info_event_get_Participant(IRTCInfoEvent *iface, IRTCParticipant **participant)
{
    return get_interface((IUnknown *)impl_from_IRTCInfoEvent(iface)->participant, (void **)participant);
}

static HRESULT WINAPI info_event_get_Info(IRTCInfoEvent *iface, BSTR *info)
{
    return get_string(impl_from_IRTCInfoEvent(iface)->info, info);
}

static HRESULT WINAPI info_event_get_InfoHeader(IRTCInfoEvent *iface, BSTR *header)
{
    return get_string(impl_from_IRTCInfoEvent(iface)->info_header, header);
}

static const IRTCInfoEventVtbl info_event_vtbl =
{
    EVENT_IDISPATCH_VTBL(info_event),
    info_event_get_Session,
    info_event_get_Participant,
    info_event_get_Info,
    info_event_get_InfoHeader,
};

DISPATCH_PROPGET(info_event_invoke_Session, IRTCInfoEvent, get_Session, IRTCSession2 *, pack_interface)
DISPATCH_PROPGET(info_event_invoke_Participant, IRTCInfoEvent, get_Participant, IRTCParticipant *, pack_interface)
DISPATCH_PROPGET(info_event_invoke_Info, IRTCInfoEvent, get_Info, BSTR, pack_string)
DISPATCH_PROPGET(info_event_invoke_InfoHeader, IRTCInfoEvent, get_InfoHeader, BSTR, pack_string)

static const struct dispatch_member info_event_members[] =
{
    PROPGET(L"Session", 1, info_event_invoke_Session),
    PROPGET(L"Participant", 2, info_event_invoke_Participant),
    PROPGET(L"Info", 3, info_event_invoke_Info),
    PROPGET(L"InfoHeader", 4, info_event_invoke_InfoHeader),
};

static const struct dispatch_table info_event_dispatch = { info_event_members, ARRAY_SIZE(info_event_members) };

static void info_event_destroy(struct event *base)
{
    struct info_event *event = CONTAINING_RECORD(base, struct info_event, base);

    release((IUnknown *)event->session);
    release((IUnknown *)event->participant);
    SysFreeString(event->info);
    SysFreeString(event->info_header);
    free(event);
}

static const struct event_class info_event_class =
{
    { &IID_IRTCInfoEvent }, &info_event_dispatch, info_event_destroy
};

HRESULT rtc_info_event_create(IRTCSession2 *session, IRTCParticipant *participant, const WCHAR *info,
                              const WCHAR *info_header, IDispatch **out)
{
    struct info_event *event;

    if (!out)
        return E_POINTER;
    *out = NULL;
    if (!(event = calloc(1, sizeof(*event))))
        return E_OUTOFMEMORY;
    event->IRTCInfoEvent_iface.lpVtbl = &info_event_vtbl;
    event_init(&event->base, &event->IRTCInfoEvent_iface, &info_event_class);
    if (!copy_string(info, &event->info) || !copy_string(info_header, &event->info_header))
    {
        event_release(&event->base);
        return E_OUTOFMEMORY;
    }
    add_ref((IUnknown *)(event->session = session));
    add_ref((IUnknown *)(event->participant = participant));
    *out = event->base.iface;
    return S_OK;
}

/* ---- IRTCReInviteEvent ------------------------------------------------------------------------ */

/* The object is complete, but no session creates one yet. */
COM_NEVER_DELIVERED(IRTCReInviteEvent, "RTCE_REINVITE is never raised: the engine answers incoming re-INVITEs "
                    "itself (hold, resume, refresh); giving them to the application is part of application "
                    "sessions (RTCST_APPLICATION), which are not built");

struct reinvite_event
{
    IRTCReInviteEvent IRTCReInviteEvent_iface;
    struct event base;
    IRTCSession2 *session;
    RTC_REINVITE_STATE state;
    BSTR content_type;
    BSTR session_description;
    const struct rtc_reinvite_ops *ops;     /* NULL until construction succeeded */
    void *ctx;
};

static struct reinvite_event *impl_from_IRTCReInviteEvent(IRTCReInviteEvent *iface)
{
    return CONTAINING_RECORD(iface, struct reinvite_event, IRTCReInviteEvent_iface);
}

EVENT_IDISPATCH_METHODS(reinvite_event, IRTCReInviteEvent)

static HRESULT WINAPI reinvite_event_get_Session(IRTCReInviteEvent *iface, IRTCSession2 **session)
{
    return get_interface((IUnknown *)impl_from_IRTCReInviteEvent(iface)->session, (void **)session);
}

static HRESULT WINAPI reinvite_event_Accept(IRTCReInviteEvent *iface, BSTR content_type, BSTR description)
{
    struct reinvite_event *event = impl_from_IRTCReInviteEvent(iface);

    return event->ops->accept(event->ctx, content_type, description);
}

static HRESULT WINAPI reinvite_event_Reject(IRTCReInviteEvent *iface)
{
    struct reinvite_event *event = impl_from_IRTCReInviteEvent(iface);

    return event->ops->reject(event->ctx);
}

static HRESULT WINAPI reinvite_event_get_State(IRTCReInviteEvent *iface, RTC_REINVITE_STATE *state)
{
    if (!state)
        return E_POINTER;
    *state = impl_from_IRTCReInviteEvent(iface)->state;
    return S_OK;
}

static HRESULT WINAPI reinvite_event_GetRemoteSessionDescription(IRTCReInviteEvent *iface, BSTR *content_type,
                                                                 BSTR *description)
{
    struct reinvite_event *event = impl_from_IRTCReInviteEvent(iface);
    return get_description(event->content_type, event->session_description, content_type, description);
}

static const IRTCReInviteEventVtbl reinvite_event_vtbl =
{
    EVENT_IDISPATCH_VTBL(reinvite_event),
    reinvite_event_get_Session,
    reinvite_event_Accept,
    reinvite_event_Reject,
    reinvite_event_get_State,
    reinvite_event_GetRemoteSessionDescription,
};

DISPATCH_PROPGET(reinvite_event_invoke_Session, IRTCReInviteEvent, get_Session, IRTCSession2 *, pack_interface)
DISPATCH_METHOD0(reinvite_event_invoke_Reject, IRTCReInviteEvent, Reject)
DISPATCH_PROPGET(reinvite_event_invoke_State, IRTCReInviteEvent, get_State, RTC_REINVITE_STATE, pack_long)
DISPATCH_GET_DESCRIPTION(reinvite_event_invoke_GetRemoteSessionDescription, IRTCReInviteEvent)

/* Accept([in] BSTR content_type, [in] BSTR session_description). */
static HRESULT reinvite_event_invoke_Accept(IDispatch *iface, DISPPARAMS *params, VARIANT *result)
{
    VARIANT type, description;
    HRESULT hr;

    if (params->cArgs != 2)
        return DISP_E_BADPARAMCOUNT;
    VariantInit(&description);
    if (SUCCEEDED(hr = dispatch_arg_in(params, 0, VT_BSTR, &type))
        && SUCCEEDED(hr = dispatch_arg_in(params, 1, VT_BSTR, &description)))
        hr = IRTCReInviteEvent_Accept((IRTCReInviteEvent *)iface, V_BSTR(&type), V_BSTR(&description));
    VariantClear(&type);
    VariantClear(&description);
    return hr;
}

static const struct dispatch_member reinvite_event_members[] =
{
    PROPGET(L"Session", 1, reinvite_event_invoke_Session),
    METHOD(L"Accept", 2, reinvite_event_invoke_Accept),
    METHOD(L"Reject", 3, reinvite_event_invoke_Reject),
    PROPGET(L"State", 4, reinvite_event_invoke_State),
    METHOD(L"GetRemoteSessionDescription", 5, reinvite_event_invoke_GetRemoteSessionDescription),
};

static const struct dispatch_table reinvite_event_dispatch =
    { reinvite_event_members, ARRAY_SIZE(reinvite_event_members) };

static void reinvite_event_destroy(struct event *base)
{
    struct reinvite_event *event = CONTAINING_RECORD(base, struct reinvite_event, base);

    if (event->ops && event->ops->release)
        event->ops->release(event->ctx);
    release((IUnknown *)event->session);
    SysFreeString(event->content_type);
    SysFreeString(event->session_description);
    free(event);
}

static const struct event_class reinvite_event_class =
{
    { &IID_IRTCReInviteEvent }, &reinvite_event_dispatch, reinvite_event_destroy
};

HRESULT rtc_reinvite_event_create(IRTCSession2 *session, RTC_REINVITE_STATE state,
                                  const WCHAR *content_type, const WCHAR *session_description,
                                  const struct rtc_reinvite_ops *ops, void *ctx, IDispatch **out)
{
    struct reinvite_event *event;

    if (!out)
        return E_POINTER;
    *out = NULL;
    if (!ops || !ops->accept || !ops->reject)
        return E_INVALIDARG;
    if (!(event = calloc(1, sizeof(*event))))
        return E_OUTOFMEMORY;
    event->IRTCReInviteEvent_iface.lpVtbl = &reinvite_event_vtbl;
    event_init(&event->base, &event->IRTCReInviteEvent_iface, &reinvite_event_class);
    if (!copy_string(content_type, &event->content_type)
        || !copy_string(session_description, &event->session_description))
    {
        event_release(&event->base);    /* ops not set yet: ctx stays the caller's */
        return E_OUTOFMEMORY;
    }
    add_ref((IUnknown *)(event->session = session));
    event->state = state;
    event->ops = ops;
    event->ctx = ctx;
    *out = event->base.iface;
    return S_OK;
}

/* ---- IRTCSessionReferStatusEvent -------------------------------------------------------------- */

struct refer_status_event
{
    IRTCSessionReferStatusEvent IRTCSessionReferStatusEvent_iface;
    struct event base;
    IRTCSession2 *session;
    RTC_SESSION_REFER_STATUS status;
    LONG status_code;
    BSTR status_text;
};

static struct refer_status_event *impl_from_IRTCSessionReferStatusEvent(IRTCSessionReferStatusEvent *iface)
{
    return CONTAINING_RECORD(iface, struct refer_status_event, IRTCSessionReferStatusEvent_iface);
}

EVENT_IDISPATCH_METHODS(refer_status_event, IRTCSessionReferStatusEvent)

static HRESULT WINAPI refer_status_event_get_Session(IRTCSessionReferStatusEvent *iface, IRTCSession2 **session)
{
    return get_interface((IUnknown *)impl_from_IRTCSessionReferStatusEvent(iface)->session, (void **)session);
}

static HRESULT WINAPI refer_status_event_get_ReferStatus(IRTCSessionReferStatusEvent *iface,
                                                         RTC_SESSION_REFER_STATUS *status)
{
    if (!status)
        return E_POINTER;
    *status = impl_from_IRTCSessionReferStatusEvent(iface)->status;
    return S_OK;
}

static HRESULT WINAPI refer_status_event_get_StatusCode(IRTCSessionReferStatusEvent *iface, LONG *code)
{
    if (!code)
        return E_POINTER;
    *code = impl_from_IRTCSessionReferStatusEvent(iface)->status_code;
    return S_OK;
}

static HRESULT WINAPI refer_status_event_get_StatusText(IRTCSessionReferStatusEvent *iface, BSTR *text)
{
    return get_string(impl_from_IRTCSessionReferStatusEvent(iface)->status_text, text);
}

static const IRTCSessionReferStatusEventVtbl refer_status_event_vtbl =
{
    EVENT_IDISPATCH_VTBL(refer_status_event),
    refer_status_event_get_Session,
    refer_status_event_get_ReferStatus,
    refer_status_event_get_StatusCode,
    refer_status_event_get_StatusText,
};

DISPATCH_PROPGET(refer_status_event_invoke_Session, IRTCSessionReferStatusEvent, get_Session, IRTCSession2 *, pack_interface)
DISPATCH_PROPGET(refer_status_event_invoke_ReferStatus, IRTCSessionReferStatusEvent, get_ReferStatus, RTC_SESSION_REFER_STATUS, pack_long)
DISPATCH_PROPGET(refer_status_event_invoke_StatusCode, IRTCSessionReferStatusEvent, get_StatusCode, LONG, pack_long)
DISPATCH_PROPGET(refer_status_event_invoke_StatusText, IRTCSessionReferStatusEvent, get_StatusText, BSTR, pack_string)

static const struct dispatch_member refer_status_event_members[] =
{
    PROPGET(L"Session", 1, refer_status_event_invoke_Session),
    PROPGET(L"ReferStatus", 2, refer_status_event_invoke_ReferStatus),
    PROPGET(L"StatusCode", 3, refer_status_event_invoke_StatusCode),
    PROPGET(L"StatusText", 4, refer_status_event_invoke_StatusText),
};

static const struct dispatch_table refer_status_event_dispatch =
    { refer_status_event_members, ARRAY_SIZE(refer_status_event_members) };

static void refer_status_event_destroy(struct event *base)
{
    struct refer_status_event *event = CONTAINING_RECORD(base, struct refer_status_event, base);

    release((IUnknown *)event->session);
    SysFreeString(event->status_text);
    free(event);
}

static const struct event_class refer_status_event_class =
{
    { &IID_IRTCSessionReferStatusEvent }, &refer_status_event_dispatch, refer_status_event_destroy
};

HRESULT rtc_session_refer_status_event_create(IRTCSession2 *session, RTC_SESSION_REFER_STATUS status,
                                              LONG status_code, const WCHAR *status_text,
                                              IDispatch **out)
{
    struct refer_status_event *event;

    if (!out)
        return E_POINTER;
    *out = NULL;
    if (!(event = calloc(1, sizeof(*event))))
        return E_OUTOFMEMORY;
    event->IRTCSessionReferStatusEvent_iface.lpVtbl = &refer_status_event_vtbl;
    event_init(&event->base, &event->IRTCSessionReferStatusEvent_iface, &refer_status_event_class);
    if (!copy_string(status_text, &event->status_text))
    {
        event_release(&event->base);
        return E_OUTOFMEMORY;
    }
    add_ref((IUnknown *)(event->session = session));
    event->status = status;
    event->status_code = status_code;
    *out = event->base.iface;
    return S_OK;
}

/* ---- IRTCSessionReferredEvent ------------------------------------------------------------------ */

struct referred_event
{
    IRTCSessionReferredEvent IRTCSessionReferredEvent_iface;
    struct event base;
    IRTCSession2 *session;
    BSTR referred_by_uri;
    BSTR refer_to_uri;
    BSTR refer_cookie;
    const struct rtc_referred_ops *ops;     /* NULL until construction succeeded */
    void *ctx;
};

static struct referred_event *impl_from_IRTCSessionReferredEvent(IRTCSessionReferredEvent *iface)
{
    return CONTAINING_RECORD(iface, struct referred_event, IRTCSessionReferredEvent_iface);
}

EVENT_IDISPATCH_METHODS(referred_event, IRTCSessionReferredEvent)

static HRESULT WINAPI referred_event_get_Session(IRTCSessionReferredEvent *iface, IRTCSession2 **session)
{
    return get_interface((IUnknown *)impl_from_IRTCSessionReferredEvent(iface)->session, (void **)session);
}

static HRESULT WINAPI referred_event_get_ReferredByURI(IRTCSessionReferredEvent *iface, BSTR *uri)
{
    return get_string(impl_from_IRTCSessionReferredEvent(iface)->referred_by_uri, uri);
}

static HRESULT WINAPI referred_event_get_ReferToURI(IRTCSessionReferredEvent *iface, BSTR *uri)
{
    return get_string(impl_from_IRTCSessionReferredEvent(iface)->refer_to_uri, uri);
}

static HRESULT WINAPI referred_event_get_ReferCookie(IRTCSessionReferredEvent *iface, BSTR *cookie)
{
    return get_string(impl_from_IRTCSessionReferredEvent(iface)->refer_cookie, cookie);
}

static HRESULT WINAPI referred_event_Accept(IRTCSessionReferredEvent *iface)
{
    struct referred_event *event = impl_from_IRTCSessionReferredEvent(iface);

    return event->ops->accept(event->ctx);
}

static HRESULT WINAPI referred_event_Reject(IRTCSessionReferredEvent *iface)
{
    struct referred_event *event = impl_from_IRTCSessionReferredEvent(iface);

    return event->ops->reject(event->ctx);
}

static HRESULT WINAPI referred_event_SetReferredSessionState(IRTCSessionReferredEvent *iface, RTC_SESSION_STATE state)
{
    struct referred_event *event = impl_from_IRTCSessionReferredEvent(iface);

    /* "E_INVALIDARG: the enState parameter is not valid" (MSDN:
     * IRTCSessionReferredEvent::SetReferredSessionState). */
    if ((unsigned int)state > RTCSS_REFER)
        return E_INVALIDARG;
    return event->ops->set_state(event->ctx, state);
}

static const IRTCSessionReferredEventVtbl referred_event_vtbl =
{
    EVENT_IDISPATCH_VTBL(referred_event),
    referred_event_get_Session,
    referred_event_get_ReferredByURI,
    referred_event_get_ReferToURI,
    referred_event_get_ReferCookie,
    referred_event_Accept,
    referred_event_Reject,
    referred_event_SetReferredSessionState,
};

DISPATCH_PROPGET(referred_event_invoke_Session, IRTCSessionReferredEvent, get_Session, IRTCSession2 *, pack_interface)
DISPATCH_PROPGET(referred_event_invoke_ReferredByURI, IRTCSessionReferredEvent, get_ReferredByURI, BSTR, pack_string)
DISPATCH_PROPGET(referred_event_invoke_ReferToURI, IRTCSessionReferredEvent, get_ReferToURI, BSTR, pack_string)
DISPATCH_PROPGET(referred_event_invoke_ReferCookie, IRTCSessionReferredEvent, get_ReferCookie, BSTR, pack_string)
DISPATCH_METHOD0(referred_event_invoke_Accept, IRTCSessionReferredEvent, Accept)
DISPATCH_METHOD0(referred_event_invoke_Reject, IRTCSessionReferredEvent, Reject)

/* SetReferredSessionState([in] RTC_SESSION_STATE state). */
static HRESULT referred_event_invoke_SetReferredSessionState(IDispatch *iface, DISPPARAMS *params, VARIANT *result)
{
    VARIANT state;
    HRESULT hr;

    if (params->cArgs != 1)
        return DISP_E_BADPARAMCOUNT;
    if (FAILED(hr = dispatch_arg_in(params, 0, VT_I4, &state)))
        return hr;
    return IRTCSessionReferredEvent_SetReferredSessionState((IRTCSessionReferredEvent *)iface, V_I4(&state));
}

static const struct dispatch_member referred_event_members[] =
{
    PROPGET(L"Session", 1, referred_event_invoke_Session),
    PROPGET(L"ReferredByURI", 2, referred_event_invoke_ReferredByURI),
    PROPGET(L"ReferToURI", 3, referred_event_invoke_ReferToURI),
    PROPGET(L"ReferCookie", 4, referred_event_invoke_ReferCookie),
    METHOD(L"Accept", 5, referred_event_invoke_Accept),
    METHOD(L"Reject", 6, referred_event_invoke_Reject),
    METHOD(L"SetReferredSessionState", 7, referred_event_invoke_SetReferredSessionState),
};

static const struct dispatch_table referred_event_dispatch =
    { referred_event_members, ARRAY_SIZE(referred_event_members) };

static void referred_event_destroy(struct event *base)
{
    struct referred_event *event = CONTAINING_RECORD(base, struct referred_event, base);

    /* The transfer logic learns here that the application is done with the event. */
    if (event->ops && event->ops->release)
        event->ops->release(event->ctx);
    release((IUnknown *)event->session);
    SysFreeString(event->referred_by_uri);
    SysFreeString(event->refer_to_uri);
    SysFreeString(event->refer_cookie);
    free(event);
}

static const struct event_class referred_event_class =
{
    { &IID_IRTCSessionReferredEvent }, &referred_event_dispatch, referred_event_destroy
};

HRESULT rtc_session_referred_event_create(IRTCSession2 *session, const WCHAR *referred_by_uri,
                                          const WCHAR *refer_to_uri, const WCHAR *refer_cookie,
                                          const struct rtc_referred_ops *ops, void *ctx,
                                          IDispatch **out)
{
    struct referred_event *event;

    if (!out)
        return E_POINTER;
    *out = NULL;
    if (!ops || !ops->accept || !ops->reject || !ops->set_state)
        return E_INVALIDARG;
    if (!(event = calloc(1, sizeof(*event))))
        return E_OUTOFMEMORY;
    event->IRTCSessionReferredEvent_iface.lpVtbl = &referred_event_vtbl;
    event_init(&event->base, &event->IRTCSessionReferredEvent_iface, &referred_event_class);
    if (!copy_string(referred_by_uri, &event->referred_by_uri)
        || !copy_string(refer_to_uri, &event->refer_to_uri)
        || !copy_string(refer_cookie, &event->refer_cookie))
    {
        event_release(&event->base);    /* ops not set yet: ctx stays the caller's */
        return E_OUTOFMEMORY;
    }
    add_ref((IUnknown *)(event->session = session));
    event->ops = ops;
    event->ctx = ctx;
    *out = event->base.iface;
    return S_OK;
}
