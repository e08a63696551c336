/*
 * IRTCParticipant: one remote party of a session. The session drives its
 * state; the participant only keeps it and tells the application.
 */
#include "rtccore_private.h"
#include "events.h"

struct participant
{
    IRTCParticipant IRTCParticipant_iface;
    LONG refcount;
    IRTCSession *session;       /* weak: the session owns its participants */
    BSTR uri;
    BSTR name;
    RTC_PARTICIPANT_STATE state;
    BOOL removable;
};

static struct participant *impl_from_IRTCParticipant(IRTCParticipant *iface)
{
    return CONTAINING_RECORD(iface, struct participant, IRTCParticipant_iface);
}

static HRESULT WINAPI participant_QueryInterface(IRTCParticipant *iface, REFIID riid, void **ppv)
{
    if (!ppv)
        return E_POINTER;
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IRTCParticipant))
    {
        *ppv = iface;
        IRTCParticipant_AddRef(iface);
        return S_OK;
    }
    *ppv = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI participant_AddRef(IRTCParticipant *iface)
{
    return InterlockedIncrement(&impl_from_IRTCParticipant(iface)->refcount);
}

static ULONG WINAPI participant_Release(IRTCParticipant *iface)
{
    struct participant *participant = impl_from_IRTCParticipant(iface);
    ULONG ref = InterlockedDecrement(&participant->refcount);

    if (!ref)
    {
        SysFreeString(participant->uri);
        SysFreeString(participant->name);
        free(participant);
        com_module_unlock();
    }
    return ref;
}

static HRESULT WINAPI participant_get_UserURI(IRTCParticipant *iface, BSTR *uri)
{
    struct participant *participant = impl_from_IRTCParticipant(iface);

    if (!uri)
        return E_POINTER;
    if (!(*uri = SysAllocString(participant->uri ? participant->uri : L"")))
        return E_OUTOFMEMORY;
    return S_OK;
}

static HRESULT WINAPI participant_get_Name(IRTCParticipant *iface, BSTR *name)
{
    struct participant *participant = impl_from_IRTCParticipant(iface);

    if (!name)
        return E_POINTER;
    if (!(*name = SysAllocString(participant->name ? participant->name : L"")))
        return E_OUTOFMEMORY;
    return S_OK;
}

static HRESULT WINAPI participant_get_Removable(IRTCParticipant *iface, VARIANT_BOOL *removable)
{
    if (!removable)
        return E_POINTER;
    *removable = impl_from_IRTCParticipant(iface)->removable ? VARIANT_TRUE : VARIANT_FALSE;
    return S_OK;
}

static HRESULT WINAPI participant_get_State(IRTCParticipant *iface, RTC_PARTICIPANT_STATE *state)
{
    if (!state)
        return E_POINTER;
    *state = impl_from_IRTCParticipant(iface)->state;
    return S_OK;
}

static HRESULT WINAPI participant_get_Session(IRTCParticipant *iface, IRTCSession **session)
{
    struct participant *participant = impl_from_IRTCParticipant(iface);

    if (!session)
        return E_POINTER;
    *session = participant->session;
    if (*session)
        IRTCSession_AddRef(*session);
    return *session ? S_OK : RTC_E_INVALID_SESSION_STATE;
}

static const IRTCParticipantVtbl participant_vtbl =
{
    participant_QueryInterface,
    participant_AddRef,
    participant_Release,
    participant_get_UserURI,
    participant_get_Name,
    participant_get_Removable,
    participant_get_State,
    participant_get_Session,
};

HRESULT participant_create(IRTCSession *session, const WCHAR *uri, const WCHAR *name,
                           RTC_PARTICIPANT_STATE state, IRTCParticipant **out)
{
    struct participant *participant;

    if (!(participant = calloc(1, sizeof(*participant))))
        return E_OUTOFMEMORY;
    participant->IRTCParticipant_iface.lpVtbl = &participant_vtbl;
    participant->refcount = 1;
    com_module_lock();      /* DllCanUnloadNow: one more live object */
    participant->session = session;
    participant->uri = SysAllocString(uri);
    participant->name = SysAllocString(name);
    participant->state = state;
    participant->removable = TRUE;
    *out = &participant->IRTCParticipant_iface;
    return S_OK;
}

RTC_PARTICIPANT_STATE participant_get_state(IRTCParticipant *iface)
{
    return impl_from_IRTCParticipant(iface)->state;
}

/* The session is going away: the participant outlives it only as data. */
void participant_detach(IRTCParticipant *iface)
{
    impl_from_IRTCParticipant(iface)->session = NULL;
}

/* Moves to a new state and tells the application (RTCE_PARTICIPANT_STATE_CHANGE). */
void participant_set_state(IRTCParticipant *iface, struct client *client, RTC_PARTICIPANT_STATE state,
                           LONG status_code)
{
    struct participant *participant = impl_from_IRTCParticipant(iface);
    IDispatch *event;

    if (participant->state == state)
        return;
    participant->state = state;
    if (state == RTCPS_DISCONNECTED)
        participant->removable = FALSE;
    if (!client_wants_event(client, RTCE_PARTICIPANT_STATE_CHANGE))
        return;
    if (SUCCEEDED(rtc_participant_state_change_event_create(iface, state, status_code, &event)))
    {
        client_fire_event(client, RTCE_PARTICIPANT_STATE_CHANGE, event);
        IDispatch_Release(event);
    }
}
