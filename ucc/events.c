/*
 * Event data objects handed to the sinks (the second argument of every
 * dispinterface event): IUccOutgoingSessionEvent, IUccIncomingSessionEvent,
 * IUccSessionParticipantStateChangedEvent (with IUccOperationProgressEvent),
 * IUccSessionParticipantCollectionEvent, IUccIncomingInstantMessageEvent,
 * IUccInstantMessagingComposingEvent and the transferor's progress
 * (IUccOperationProgressEvent with IUccSessionTransferProgressEvent). Each is
 * reference counted: a sink may keep
 * one past the handler (docs/ucc.md, "Incoming sessions"), e.g. to Accept an invitation later.
 */
#include "ucc_private.h"

/* ---- IUccOutgoingSessionEvent ----------------------------------------------------------------- */

struct outgoing_session_event
{
    IUccOutgoingSessionEvent IUccOutgoingSessionEvent_iface;
    LONG refcount;
    struct ucc_session *session;
};

static struct outgoing_session_event *impl_from_IUccOutgoingSessionEvent(IUccOutgoingSessionEvent *iface)
{
    return CONTAINING_RECORD(iface, struct outgoing_session_event, IUccOutgoingSessionEvent_iface);
}

static HRESULT WINAPI outgoing_QueryInterface(IUccOutgoingSessionEvent *iface, REFIID riid, void **ppv)
{
    if (!ppv)
        return E_POINTER;
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IUccOutgoingSessionEvent))
    {
        *ppv = iface;
        IUccOutgoingSessionEvent_AddRef(iface);
        return S_OK;
    }
    *ppv = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI outgoing_AddRef(IUccOutgoingSessionEvent *iface)
{
    return InterlockedIncrement(&impl_from_IUccOutgoingSessionEvent(iface)->refcount);
}

static ULONG WINAPI outgoing_Release(IUccOutgoingSessionEvent *iface)
{
    struct outgoing_session_event *event = impl_from_IUccOutgoingSessionEvent(iface);
    ULONG ref = InterlockedDecrement(&event->refcount);

    if (!ref)
    {
        ucc_session_release(event->session);
        free(event);
        com_module_unlock();
    }
    return ref;
}

static HRESULT WINAPI outgoing_get_Session(IUccOutgoingSessionEvent *iface, IUccSession **session)
{
    if (!session)
        return E_POINTER;
    *session = ucc_session_iface(impl_from_IUccOutgoingSessionEvent(iface)->session);
    IUccSession_AddRef(*session);
    return S_OK;
}

static const IUccOutgoingSessionEventVtbl outgoing_vtbl =
{
    outgoing_QueryInterface,
    outgoing_AddRef,
    outgoing_Release,
    outgoing_get_Session,
};

HRESULT ucc_outgoing_session_event_create(struct ucc_session *session, IUnknown **out)
{
    struct outgoing_session_event *event;

    if (!(event = calloc(1, sizeof(*event))))
        return E_OUTOFMEMORY;
    event->IUccOutgoingSessionEvent_iface.lpVtbl = &outgoing_vtbl;
    event->refcount = 1;
    com_module_lock();      /* DllCanUnloadNow: one more live object */
    event->session = session;
    ucc_session_add_ref(session);
    *out = (IUnknown *)&event->IUccOutgoingSessionEvent_iface;
    return S_OK;
}

/* ---- IUccIncomingSessionEvent ------------------------------------------------------------------ */

struct incoming_session_event
{
    IUccIncomingSessionEvent IUccIncomingSessionEvent_iface;
    LONG refcount;
    struct ucc_session *session;            /* strong: Accept/Reject work after the handler */
    struct ucc_participant *inviter;        /* strong */
    IUccContext *context;
    struct ucc_session *replaces;           /* strong: the session the INVITE's Replaces named, or NULL */
};

static struct incoming_session_event *impl_from_IUccIncomingSessionEvent(IUccIncomingSessionEvent *iface)
{
    return CONTAINING_RECORD(iface, struct incoming_session_event, IUccIncomingSessionEvent_iface);
}

static HRESULT WINAPI incoming_QueryInterface(IUccIncomingSessionEvent *iface, REFIID riid, void **ppv)
{
    if (!ppv)
        return E_POINTER;
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IUccIncomingSessionEvent)
        || IsEqualIID(riid, &IID_IUccIncomingRequestEvent))
    {
        *ppv = iface;
        IUccIncomingSessionEvent_AddRef(iface);
        return S_OK;
    }
    *ppv = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI incoming_AddRef(IUccIncomingSessionEvent *iface)
{
    return InterlockedIncrement(&impl_from_IUccIncomingSessionEvent(iface)->refcount);
}

static ULONG WINAPI incoming_Release(IUccIncomingSessionEvent *iface)
{
    struct incoming_session_event *event = impl_from_IUccIncomingSessionEvent(iface);
    ULONG ref = InterlockedDecrement(&event->refcount);

    if (!ref)
    {
        IUccContext_Release(event->context);
        ucc_participant_release(event->inviter);
        ucc_session_release(event->session);
        if (event->replaces)
            ucc_session_release(event->replaces);
        free(event);
        com_module_unlock();
    }
    return ref;
}

static HRESULT WINAPI incoming_Accept(IUccIncomingSessionEvent *iface)
{
    return ucc_session_accept_invitation(impl_from_IUccIncomingSessionEvent(iface)->session);
}

static HRESULT WINAPI incoming_Reject(IUccIncomingSessionEvent *iface, UCC_REJECT_OR_TERMINATE_REASON reason)
{
    return ucc_session_reject_invitation(impl_from_IUccIncomingSessionEvent(iface)->session, reason);
}

static HRESULT WINAPI incoming_get_Context(IUccIncomingSessionEvent *iface, IUccContext **context)
{
    if (!context)
        return E_POINTER;
    *context = impl_from_IUccIncomingSessionEvent(iface)->context;
    IUccContext_AddRef(*context);
    return S_OK;
}

static HRESULT WINAPI incoming_get_Session(IUccIncomingSessionEvent *iface, IUccSession **session)
{
    if (!session)
        return E_POINTER;
    *session = ucc_session_iface(impl_from_IUccIncomingSessionEvent(iface)->session);
    IUccSession_AddRef(*session);
    return S_OK;
}

static HRESULT WINAPI incoming_get_Inviter(IUccIncomingSessionEvent *iface, IUccSessionParticipant **inviter)
{
    if (!inviter)
        return E_POINTER;
    *inviter = ucc_participant_iface(impl_from_IUccIncomingSessionEvent(iface)->inviter);
    IUccSessionParticipant_AddRef(*inviter);
    return S_OK;
}

/* Obsolescent (MSDN: IUccIncomingSessionEvent.History): no History-Info is kept, so always empty. */
static HRESULT WINAPI incoming_get_History(IUccIncomingSessionEvent *iface, IUccCollection **history)
{
    com_partial(__func__, "always empty: History-Info (RFC 4244) is not read (the member is obsolescent)");
    if (!history)
        return E_POINTER;
    return ucc_collection_create(NULL, 0, history);
}

/* Without a server nothing tells company, federated and public networks apart. */
static HRESULT WINAPI incoming_get_SourceType(IUccIncomingSessionEvent *iface, UCC_SOURCE_NETWORK_TYPE *type)
{
    com_partial(__func__, "always UCCSNT_UNSPECIFIED: only a server tells company, federated and public networks apart");
    if (!type)
        return E_POINTER;
    *type = UCCSNT_UNSPECIFIED;
    return S_OK;
}

static HRESULT WINAPI incoming_Redirect(IUccIncomingSessionEvent *iface, UCC_SESSION_REDIRECT_METHOD method,
                                        IUccPropertyCollection *targets)
{
    return ucc_session_redirect_invitation(impl_from_IUccIncomingSessionEvent(iface)->session, method, targets);
}

/* The session an INVITE with Replaces takes the place of; S_OK with NULL when none. */
static HRESULT WINAPI incoming_get_TargetReplaceSession(IUccIncomingSessionEvent *iface, IUccSession **session)
{
    struct incoming_session_event *event = impl_from_IUccIncomingSessionEvent(iface);

    if (!session)
        return E_POINTER;
    /* The same answer for the event's whole life, also once the replacement is done. */
    *session = event->replaces ? ucc_session_iface(event->replaces) : NULL;
    if (*session)
        IUccSession_AddRef(*session);
    return S_OK;
}

static const IUccIncomingSessionEventVtbl incoming_vtbl =
{
    incoming_QueryInterface,
    incoming_AddRef,
    incoming_Release,
    incoming_Accept,
    incoming_Reject,
    incoming_get_Context,
    incoming_get_Session,
    incoming_get_Inviter,
    incoming_get_History,
    incoming_get_SourceType,
    incoming_Redirect,
    incoming_get_TargetReplaceSession,
};

HRESULT ucc_incoming_session_event_create(struct ucc_session *session, struct ucc_participant *inviter,
                                          IUnknown **out)
{
    struct incoming_session_event *event;
    HRESULT hr;

    if (!(event = calloc(1, sizeof(*event))))
        return E_OUTOFMEMORY;
    if (FAILED(hr = ucc_context_create(&event->context)))
    {
        free(event);
        return hr;
    }
    event->IUccIncomingSessionEvent_iface.lpVtbl = &incoming_vtbl;
    event->refcount = 1;
    com_module_lock();      /* DllCanUnloadNow: one more live object */
    event->session = session;
    ucc_session_add_ref(session);
    event->inviter = inviter;
    ucc_participant_add_ref(inviter);
    if ((event->replaces = session->replaces))
        ucc_session_add_ref(event->replaces);
    *out = (IUnknown *)&event->IUccIncomingSessionEvent_iface;
    return S_OK;
}

/* ---- IUccSessionParticipantStateChangedEvent + IUccOperationProgressEvent ---------------------------- */

struct state_changed_event
{
    IUccSessionParticipantStateChangedEvent IUccSessionParticipantStateChangedEvent_iface;
    LONG refcount;
    UCC_SESSION_ENTITY_STATE old_state, new_state;
    UCC_PARTICIPANT_STATE_CHANGE_REASON reason;
    IUccOperationProgressEvent *progress;   /* what QueryInterface(IUccOperationProgressEvent) reaches */
};

/* The progress part is a separate object that forwards its IUnknown here, so the
 * two interfaces form one COM identity. */
struct state_progress
{
    IUccOperationProgressEvent IUccOperationProgressEvent_iface;
    struct state_changed_event *outer;
    IUccOperationProgressEvent *inner;      /* operation.c's object with the values */
};

static struct state_changed_event *impl_from_IUccSessionParticipantStateChangedEvent(IUccSessionParticipantStateChangedEvent *iface)
{
    return CONTAINING_RECORD(iface, struct state_changed_event, IUccSessionParticipantStateChangedEvent_iface);
}

static struct state_progress *impl_from_IUccOperationProgressEvent(IUccOperationProgressEvent *iface)
{
    return CONTAINING_RECORD(iface, struct state_progress, IUccOperationProgressEvent_iface);
}

static HRESULT WINAPI state_changed_QueryInterface(IUccSessionParticipantStateChangedEvent *iface, REFIID riid,
                                                   void **ppv)
{
    struct state_changed_event *event = impl_from_IUccSessionParticipantStateChangedEvent(iface);

    if (!ppv)
        return E_POINTER;
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IUccSessionParticipantStateChangedEvent))
        *ppv = &event->IUccSessionParticipantStateChangedEvent_iface;
    else if (IsEqualIID(riid, &IID_IUccOperationProgressEvent))
        *ppv = event->progress;
    else
    {
        *ppv = NULL;
        return E_NOINTERFACE;
    }
    IUnknown_AddRef((IUnknown *)*ppv);
    return S_OK;
}

static ULONG WINAPI state_changed_AddRef(IUccSessionParticipantStateChangedEvent *iface)
{
    return InterlockedIncrement(&impl_from_IUccSessionParticipantStateChangedEvent(iface)->refcount);
}

static ULONG WINAPI state_changed_Release(IUccSessionParticipantStateChangedEvent *iface)
{
    struct state_changed_event *event = impl_from_IUccSessionParticipantStateChangedEvent(iface);
    ULONG ref = InterlockedDecrement(&event->refcount);

    if (!ref)
    {
        struct state_progress *progress = impl_from_IUccOperationProgressEvent(event->progress);
        IUccOperationProgressEvent_Release(progress->inner);
        free(progress);
        free(event);
        com_module_unlock();
    }
    return ref;
}

static HRESULT WINAPI state_changed_get_OldState(IUccSessionParticipantStateChangedEvent *iface,
                                                 UCC_SESSION_ENTITY_STATE *state)
{
    if (!state)
        return E_POINTER;
    *state = impl_from_IUccSessionParticipantStateChangedEvent(iface)->old_state;
    return S_OK;
}

static HRESULT WINAPI state_changed_get_NewState(IUccSessionParticipantStateChangedEvent *iface,
                                                 UCC_SESSION_ENTITY_STATE *state)
{
    if (!state)
        return E_POINTER;
    *state = impl_from_IUccSessionParticipantStateChangedEvent(iface)->new_state;
    return S_OK;
}

static HRESULT WINAPI state_changed_get_Reason(IUccSessionParticipantStateChangedEvent *iface,
                                               UCC_PARTICIPANT_STATE_CHANGE_REASON *reason)
{
    if (!reason)
        return E_POINTER;
    *reason = impl_from_IUccSessionParticipantStateChangedEvent(iface)->reason;
    return S_OK;
}

static const IUccSessionParticipantStateChangedEventVtbl state_changed_vtbl =
{
    state_changed_QueryInterface,
    state_changed_AddRef,
    state_changed_Release,
    state_changed_get_OldState,
    state_changed_get_NewState,
    state_changed_get_Reason,
};

#define OUTER(iface) (&impl_from_IUccOperationProgressEvent(iface)->outer->IUccSessionParticipantStateChangedEvent_iface)
#define INNER(iface) (impl_from_IUccOperationProgressEvent(iface)->inner)

static HRESULT WINAPI state_progress_QueryInterface(IUccOperationProgressEvent *iface, REFIID riid, void **ppv)
{
    return state_changed_QueryInterface(OUTER(iface), riid, ppv);
}

static ULONG WINAPI state_progress_AddRef(IUccOperationProgressEvent *iface)
{
    return state_changed_AddRef(OUTER(iface));
}

static ULONG WINAPI state_progress_Release(IUccOperationProgressEvent *iface)
{
    return state_changed_Release(OUTER(iface));
}

static HRESULT WINAPI state_progress_get_OriginalOperationContext(IUccOperationProgressEvent *iface,
                                                                  IUccOperationContext **context)
{
    return IUccOperationProgressEvent_get_OriginalOperationContext(INNER(iface), context);
}

static HRESULT WINAPI state_progress_get_IsComplete(IUccOperationProgressEvent *iface, VARIANT_BOOL *complete)
{
    return IUccOperationProgressEvent_get_IsComplete(INNER(iface), complete);
}

static HRESULT WINAPI state_progress_get_StatusCode(IUccOperationProgressEvent *iface, HRESULT *status)
{
    return IUccOperationProgressEvent_get_StatusCode(INNER(iface), status);
}

static HRESULT WINAPI state_progress_get_StatusText(IUccOperationProgressEvent *iface, BSTR *text)
{
    return IUccOperationProgressEvent_get_StatusText(INNER(iface), text);
}

static HRESULT WINAPI state_progress_get_Properties(IUccOperationProgressEvent *iface,
                                                    IUccReadOnlyPropertyCollection **properties)
{
    return IUccOperationProgressEvent_get_Properties(INNER(iface), properties);
}

static const IUccOperationProgressEventVtbl state_progress_vtbl =
{
    state_progress_QueryInterface,
    state_progress_AddRef,
    state_progress_Release,
    state_progress_get_OriginalOperationContext,
    state_progress_get_IsComplete,
    state_progress_get_StatusCode,
    state_progress_get_StatusText,
    state_progress_get_Properties,
};

HRESULT ucc_state_changed_event_create(UCC_SESSION_ENTITY_STATE old_state, UCC_SESSION_ENTITY_STATE new_state,
                                       UCC_PARTICIPANT_STATE_CHANGE_REASON reason, IUccOperationContext *context,
                                       HRESULT status, const char *text, IUnknown **out)
{
    struct state_changed_event *event;
    struct state_progress *progress;
    HRESULT hr;

    if (!(event = calloc(1, sizeof(*event))) || !(progress = calloc(1, sizeof(*progress))))
    {
        free(event);
        return E_OUTOFMEMORY;
    }
    if (FAILED(hr = ucc_progress_event_create(context, TRUE, status, text, NULL, &progress->inner)))
    {
        free(progress);
        free(event);
        return hr;
    }
    progress->IUccOperationProgressEvent_iface.lpVtbl = &state_progress_vtbl;
    progress->outer = event;
    event->IUccSessionParticipantStateChangedEvent_iface.lpVtbl = &state_changed_vtbl;
    event->refcount = 1;
    com_module_lock();      /* DllCanUnloadNow: one more live object */
    event->old_state = old_state;
    event->new_state = new_state;
    event->reason = reason;
    event->progress = &progress->IUccOperationProgressEvent_iface;
    *out = (IUnknown *)&event->IUccSessionParticipantStateChangedEvent_iface;
    return S_OK;
}

/* ---- IUccSessionParticipantCollectionEvent -------------------------------------------------------------- */

struct collection_event
{
    IUccSessionParticipantCollectionEvent IUccSessionParticipantCollectionEvent_iface;
    LONG refcount;
    struct ucc_participant *participant;
};

static struct collection_event *impl_from_IUccSessionParticipantCollectionEvent(IUccSessionParticipantCollectionEvent *iface)
{
    return CONTAINING_RECORD(iface, struct collection_event, IUccSessionParticipantCollectionEvent_iface);
}

static HRESULT WINAPI collection_event_QueryInterface(IUccSessionParticipantCollectionEvent *iface, REFIID riid,
                                                      void **ppv)
{
    if (!ppv)
        return E_POINTER;
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IUccSessionParticipantCollectionEvent))
    {
        *ppv = iface;
        IUccSessionParticipantCollectionEvent_AddRef(iface);
        return S_OK;
    }
    *ppv = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI collection_event_AddRef(IUccSessionParticipantCollectionEvent *iface)
{
    return InterlockedIncrement(&impl_from_IUccSessionParticipantCollectionEvent(iface)->refcount);
}

static ULONG WINAPI collection_event_Release(IUccSessionParticipantCollectionEvent *iface)
{
    struct collection_event *event = impl_from_IUccSessionParticipantCollectionEvent(iface);
    ULONG ref = InterlockedDecrement(&event->refcount);

    if (!ref)
    {
        ucc_participant_release(event->participant);
        free(event);
        com_module_unlock();
    }
    return ref;
}

static HRESULT WINAPI collection_event_get_Participant(IUccSessionParticipantCollectionEvent *iface,
                                                       IUccSessionParticipant **participant)
{
    if (!participant)
        return E_POINTER;
    *participant = ucc_participant_iface(impl_from_IUccSessionParticipantCollectionEvent(iface)->participant);
    IUccSessionParticipant_AddRef(*participant);
    return S_OK;
}

/* The participant's context (the one given to CreateParticipant). */
static HRESULT WINAPI collection_event_get_Context(IUccSessionParticipantCollectionEvent *iface,
                                                   IUccContext **context)
{
    if (!context)
        return E_POINTER;
    *context = impl_from_IUccSessionParticipantCollectionEvent(iface)->participant->context;
    IUccContext_AddRef(*context);
    return S_OK;
}

static const IUccSessionParticipantCollectionEventVtbl collection_event_vtbl =
{
    collection_event_QueryInterface,
    collection_event_AddRef,
    collection_event_Release,
    collection_event_get_Participant,
    collection_event_get_Context,
};

HRESULT ucc_participant_collection_event_create(struct ucc_participant *participant, IUnknown **out)
{
    struct collection_event *event;

    if (!(event = calloc(1, sizeof(*event))))
        return E_OUTOFMEMORY;
    event->IUccSessionParticipantCollectionEvent_iface.lpVtbl = &collection_event_vtbl;
    event->refcount = 1;
    com_module_lock();      /* DllCanUnloadNow: one more live object */
    event->participant = participant;
    ucc_participant_add_ref(participant);
    *out = (IUnknown *)&event->IUccSessionParticipantCollectionEvent_iface;
    return S_OK;
}

/* ---- IUccIncomingInstantMessageEvent ----------------------------------------------------------------------- */

struct message_event
{
    IUccIncomingInstantMessageEvent IUccIncomingInstantMessageEvent_iface;
    LONG refcount;
    IUccSessionParticipantEndpoint *endpoint;
    BSTR content_type;
    BSTR content;
    IUccContext *context;
};

static struct message_event *impl_from_IUccIncomingInstantMessageEvent(IUccIncomingInstantMessageEvent *iface)
{
    return CONTAINING_RECORD(iface, struct message_event, IUccIncomingInstantMessageEvent_iface);
}

static HRESULT WINAPI message_QueryInterface(IUccIncomingInstantMessageEvent *iface, REFIID riid, void **ppv)
{
    if (!ppv)
        return E_POINTER;
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IUccIncomingInstantMessageEvent)
        || IsEqualIID(riid, &IID_IUccIncomingRequestEvent))
    {
        *ppv = iface;
        IUccIncomingInstantMessageEvent_AddRef(iface);
        return S_OK;
    }
    *ppv = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI message_AddRef(IUccIncomingInstantMessageEvent *iface)
{
    return InterlockedIncrement(&impl_from_IUccIncomingInstantMessageEvent(iface)->refcount);
}

static ULONG WINAPI message_Release(IUccIncomingInstantMessageEvent *iface)
{
    struct message_event *event = impl_from_IUccIncomingInstantMessageEvent(iface);
    ULONG ref = InterlockedDecrement(&event->refcount);

    if (!ref)
    {
        IUccSessionParticipantEndpoint_Release(event->endpoint);
        IUccContext_Release(event->context);
        SysFreeString(event->content_type);
        SysFreeString(event->content);
        free(event);
        com_module_unlock();
    }
    return ref;
}

/* The engine answered the MESSAGE 200 before the event (a MESSAGE cannot wait for a
 * user): Accept confirms that, Reject cannot undo it (docs/ucc.md). */
static HRESULT WINAPI message_Accept(IUccIncomingInstantMessageEvent *iface)
{
    com_partial(__func__, "the engine answered the MESSAGE 200 before the event (a MESSAGE cannot wait for a user): "
                "Accept only confirms it");
    return S_OK;
}

static HRESULT WINAPI message_Reject(IUccIncomingInstantMessageEvent *iface, UCC_REJECT_OR_TERMINATE_REASON reason)
{
    com_partial(__func__, "always E_NOT_VALID_STATE: the engine answered the MESSAGE 200 before the event and "
                "cannot undo it");
    return UCC_E_RTCSHIM_INVALID_STATE;
}

static HRESULT WINAPI message_get_Context(IUccIncomingInstantMessageEvent *iface, IUccContext **context)
{
    if (!context)
        return E_POINTER;
    *context = impl_from_IUccIncomingInstantMessageEvent(iface)->context;
    IUccContext_AddRef(*context);
    return S_OK;
}

static HRESULT WINAPI message_get_ParticipantEndpoint(IUccIncomingInstantMessageEvent *iface,
                                                      IUccSessionParticipantEndpoint **endpoint)
{
    if (!endpoint)
        return E_POINTER;
    *endpoint = impl_from_IUccIncomingInstantMessageEvent(iface)->endpoint;
    IUccSessionParticipantEndpoint_AddRef(*endpoint);
    return S_OK;
}

static HRESULT WINAPI message_get_ContentType(IUccIncomingInstantMessageEvent *iface, BSTR *content_type)
{
    if (!content_type)
        return E_POINTER;
    *content_type = SysAllocString(impl_from_IUccIncomingInstantMessageEvent(iface)->content_type);
    return *content_type ? S_OK : E_OUTOFMEMORY;
}

static HRESULT WINAPI message_get_Content(IUccIncomingInstantMessageEvent *iface, BSTR *content)
{
    if (!content)
        return E_POINTER;
    *content = SysAllocString(impl_from_IUccIncomingInstantMessageEvent(iface)->content);
    return *content ? S_OK : E_OUTOFMEMORY;
}

/* Two-party sessions only: a message is never a broadcast to several participants. */
static HRESULT WINAPI message_IsBroadcast(IUccIncomingInstantMessageEvent *iface, VARIANT_BOOL *broadcast)
{
    com_partial(__func__, "always VARIANT_FALSE: only two-party sessions exist (no conference sessions)");
    if (!broadcast)
        return E_POINTER;
    *broadcast = VARIANT_FALSE;
    return S_OK;
}

static const IUccIncomingInstantMessageEventVtbl message_vtbl =
{
    message_QueryInterface,
    message_AddRef,
    message_Release,
    message_Accept,
    message_Reject,
    message_get_Context,
    message_get_ParticipantEndpoint,
    message_get_ContentType,
    message_get_Content,
    message_IsBroadcast,
};

HRESULT ucc_instant_message_event_create(IUccSessionParticipantEndpoint *endpoint, const char *content_type,
                                         const char *content, IUnknown **out)
{
    struct message_event *event;

    if (!(event = calloc(1, sizeof(*event))))
        return E_OUTOFMEMORY;
    event->IUccIncomingInstantMessageEvent_iface.lpVtbl = &message_vtbl;
    event->refcount = 1;
    com_module_lock();      /* DllCanUnloadNow: one more live object */
    event->endpoint = endpoint;
    IUccSessionParticipantEndpoint_AddRef(endpoint);
    event->content_type = ucc_bstr(content_type ? content_type : "text/plain");
    event->content = ucc_bstr(content ? content : "");
    if (!event->content_type || !event->content || FAILED(ucc_context_create(&event->context)))
    {
        IUccSessionParticipantEndpoint_Release(endpoint);
        SysFreeString(event->content_type);
        SysFreeString(event->content);
        free(event);
        com_module_unlock();
        return E_OUTOFMEMORY;
    }
    *out = (IUnknown *)&event->IUccIncomingInstantMessageEvent_iface;
    return S_OK;
}

/* ---- IUccInstantMessagingComposingEvent ------------------------------------------------------------------ */

struct composing_event
{
    IUccInstantMessagingComposingEvent IUccInstantMessagingComposingEvent_iface;
    LONG refcount;
    IUccSessionParticipantEndpoint *endpoint;
};

static struct composing_event *impl_from_IUccInstantMessagingComposingEvent(IUccInstantMessagingComposingEvent *iface)
{
    return CONTAINING_RECORD(iface, struct composing_event, IUccInstantMessagingComposingEvent_iface);
}

static HRESULT WINAPI composing_QueryInterface(IUccInstantMessagingComposingEvent *iface, REFIID riid, void **ppv)
{
    if (!ppv)
        return E_POINTER;
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IUccInstantMessagingComposingEvent))
    {
        *ppv = iface;
        IUccInstantMessagingComposingEvent_AddRef(iface);
        return S_OK;
    }
    *ppv = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI composing_AddRef(IUccInstantMessagingComposingEvent *iface)
{
    return InterlockedIncrement(&impl_from_IUccInstantMessagingComposingEvent(iface)->refcount);
}

static ULONG WINAPI composing_Release(IUccInstantMessagingComposingEvent *iface)
{
    struct composing_event *event = impl_from_IUccInstantMessagingComposingEvent(iface);
    ULONG ref = InterlockedDecrement(&event->refcount);

    if (!ref)
    {
        IUccSessionParticipantEndpoint_Release(event->endpoint);
        free(event);
        com_module_unlock();
    }
    return ref;
}

static HRESULT WINAPI composing_get_ParticipantEndpoint(IUccInstantMessagingComposingEvent *iface,
                                                        IUccSessionParticipantEndpoint **endpoint)
{
    if (!endpoint)
        return E_POINTER;
    *endpoint = impl_from_IUccInstantMessagingComposingEvent(iface)->endpoint;
    IUccSessionParticipantEndpoint_AddRef(*endpoint);
    return S_OK;
}

static const IUccInstantMessagingComposingEventVtbl composing_vtbl =
{
    composing_QueryInterface,
    composing_AddRef,
    composing_Release,
    composing_get_ParticipantEndpoint,
};

HRESULT ucc_composing_event_create(IUccSessionParticipantEndpoint *endpoint, IUnknown **out)
{
    struct composing_event *event;

    if (!(event = calloc(1, sizeof(*event))))
        return E_OUTOFMEMORY;
    event->IUccInstantMessagingComposingEvent_iface.lpVtbl = &composing_vtbl;
    event->refcount = 1;
    com_module_lock();      /* DllCanUnloadNow: one more live object */
    event->endpoint = endpoint;
    IUccSessionParticipantEndpoint_AddRef(endpoint);
    *out = (IUnknown *)&event->IUccInstantMessagingComposingEvent_iface;
    return S_OK;
}

/* ---- IUccOperationProgressEvent + IUccSessionTransferProgressEvent ----------------------------------------- */

/* The data of OnBlindTransfer / OnConsultativeTransfer: one object, two interfaces.
 * The progress values live in operation.c's object (inner), as for the state events. */
struct transfer_progress_event
{
    IUccOperationProgressEvent IUccOperationProgressEvent_iface;
    IUccSessionTransferProgressEvent IUccSessionTransferProgressEvent_iface;
    LONG refcount;
    UCC_SESSION_ENTITY_STATE state;
    IUccOperationProgressEvent *inner;
};

static struct transfer_progress_event *impl_from_transfer_progress(IUccOperationProgressEvent *iface)
{
    return CONTAINING_RECORD(iface, struct transfer_progress_event, IUccOperationProgressEvent_iface);
}

static struct transfer_progress_event *impl_from_IUccSessionTransferProgressEvent(IUccSessionTransferProgressEvent *iface)
{
    return CONTAINING_RECORD(iface, struct transfer_progress_event, IUccSessionTransferProgressEvent_iface);
}

static HRESULT WINAPI transfer_progress_QueryInterface(IUccOperationProgressEvent *iface, REFIID riid, void **ppv)
{
    struct transfer_progress_event *event = impl_from_transfer_progress(iface);

    if (!ppv)
        return E_POINTER;
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IUccOperationProgressEvent))
        *ppv = &event->IUccOperationProgressEvent_iface;
    else if (IsEqualIID(riid, &IID_IUccSessionTransferProgressEvent))
        *ppv = &event->IUccSessionTransferProgressEvent_iface;
    else
    {
        *ppv = NULL;
        return E_NOINTERFACE;
    }
    IUnknown_AddRef((IUnknown *)*ppv);
    return S_OK;
}

static ULONG WINAPI transfer_progress_AddRef(IUccOperationProgressEvent *iface)
{
    return InterlockedIncrement(&impl_from_transfer_progress(iface)->refcount);
}

static ULONG WINAPI transfer_progress_Release(IUccOperationProgressEvent *iface)
{
    struct transfer_progress_event *event = impl_from_transfer_progress(iface);
    ULONG ref = InterlockedDecrement(&event->refcount);

    if (!ref)
    {
        IUccOperationProgressEvent_Release(event->inner);
        free(event);
        com_module_unlock();
    }
    return ref;
}

static HRESULT WINAPI transfer_progress_get_OriginalOperationContext(IUccOperationProgressEvent *iface,
                                                                     IUccOperationContext **context)
{
    return IUccOperationProgressEvent_get_OriginalOperationContext(impl_from_transfer_progress(iface)->inner, context);
}

static HRESULT WINAPI transfer_progress_get_IsComplete(IUccOperationProgressEvent *iface, VARIANT_BOOL *complete)
{
    return IUccOperationProgressEvent_get_IsComplete(impl_from_transfer_progress(iface)->inner, complete);
}

static HRESULT WINAPI transfer_progress_get_StatusCode(IUccOperationProgressEvent *iface, HRESULT *status)
{
    return IUccOperationProgressEvent_get_StatusCode(impl_from_transfer_progress(iface)->inner, status);
}

static HRESULT WINAPI transfer_progress_get_StatusText(IUccOperationProgressEvent *iface, BSTR *text)
{
    return IUccOperationProgressEvent_get_StatusText(impl_from_transfer_progress(iface)->inner, text);
}

static HRESULT WINAPI transfer_progress_get_Properties(IUccOperationProgressEvent *iface,
                                                       IUccReadOnlyPropertyCollection **properties)
{
    return IUccOperationProgressEvent_get_Properties(impl_from_transfer_progress(iface)->inner, properties);
}

static const IUccOperationProgressEventVtbl transfer_progress_vtbl =
{
    transfer_progress_QueryInterface,
    transfer_progress_AddRef,
    transfer_progress_Release,
    transfer_progress_get_OriginalOperationContext,
    transfer_progress_get_IsComplete,
    transfer_progress_get_StatusCode,
    transfer_progress_get_StatusText,
    transfer_progress_get_Properties,
};

#define TRANSFER_PROGRESS(iface) (&impl_from_IUccSessionTransferProgressEvent(iface)->IUccOperationProgressEvent_iface)

static HRESULT WINAPI transfer_state_QueryInterface(IUccSessionTransferProgressEvent *iface, REFIID riid, void **ppv)
{
    return transfer_progress_QueryInterface(TRANSFER_PROGRESS(iface), riid, ppv);
}

static ULONG WINAPI transfer_state_AddRef(IUccSessionTransferProgressEvent *iface)
{
    return transfer_progress_AddRef(TRANSFER_PROGRESS(iface));
}

static ULONG WINAPI transfer_state_Release(IUccSessionTransferProgressEvent *iface)
{
    return transfer_progress_Release(TRANSFER_PROGRESS(iface));
}

/* CONNECTING while the transfer is under way, CONNECTED when the target answered the
 * transferee, DISCONNECTED when it failed (docs/ucc.md, "Transfer"). */
static HRESULT WINAPI transfer_state_get_TransferState(IUccSessionTransferProgressEvent *iface,
                                                       UCC_SESSION_ENTITY_STATE *state)
{
    if (!state)
        return E_POINTER;
    *state = impl_from_IUccSessionTransferProgressEvent(iface)->state;
    return S_OK;
}

static const IUccSessionTransferProgressEventVtbl transfer_state_vtbl =
{
    transfer_state_QueryInterface,
    transfer_state_AddRef,
    transfer_state_Release,
    transfer_state_get_TransferState,
};

HRESULT ucc_transfer_progress_event_create(IUccOperationContext *context, BOOL complete, HRESULT status,
                                           const char *text, UCC_SESSION_ENTITY_STATE state, IUnknown **out)
{
    struct transfer_progress_event *event;
    HRESULT hr;

    *out = NULL;
    if (!(event = calloc(1, sizeof(*event))))
        return E_OUTOFMEMORY;
    if (FAILED(hr = ucc_progress_event_create(context, complete, status, text, NULL, &event->inner)))
    {
        free(event);
        return hr;
    }
    event->IUccOperationProgressEvent_iface.lpVtbl = &transfer_progress_vtbl;
    event->IUccSessionTransferProgressEvent_iface.lpVtbl = &transfer_state_vtbl;
    event->refcount = 1;
    com_module_lock();      /* DllCanUnloadNow: one more live object */
    event->state = state;
    *out = (IUnknown *)&event->IUccOperationProgressEvent_iface;
    return S_OK;
}

/* ---- OnFindServer's data: IUccFindServerEvent ----------------------------------------------- */

struct find_server_event
{
    IUccFindServerEvent IUccFindServerEvent_iface;
    LONG refcount;
    IUccOperationProgressEvent *inner;      /* context, IsComplete, status, text */
    IUccCollection *servers;                /* IUccSignalingServer, in the order found */
};

static struct find_server_event *impl_from_IUccFindServerEvent(IUccFindServerEvent *iface)
{
    return CONTAINING_RECORD(iface, struct find_server_event, IUccFindServerEvent_iface);
}

static HRESULT WINAPI find_server_QueryInterface(IUccFindServerEvent *iface, REFIID riid, void **ppv)
{
    if (!ppv)
        return E_POINTER;
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IUccOperationProgressEvent)
        || IsEqualIID(riid, &IID_IUccFindServerEvent))
    {
        *ppv = iface;
        IUccFindServerEvent_AddRef(iface);
        return S_OK;
    }
    *ppv = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI find_server_AddRef(IUccFindServerEvent *iface)
{
    return InterlockedIncrement(&impl_from_IUccFindServerEvent(iface)->refcount);
}

static ULONG WINAPI find_server_Release(IUccFindServerEvent *iface)
{
    struct find_server_event *event = impl_from_IUccFindServerEvent(iface);
    ULONG ref = InterlockedDecrement(&event->refcount);

    if (!ref)
    {
        IUccOperationProgressEvent_Release(event->inner);
        IUccCollection_Release(event->servers);
        free(event);
    }
    return ref;
}

static HRESULT WINAPI find_server_get_OriginalOperationContext(IUccFindServerEvent *iface,
                                                               IUccOperationContext **context)
{
    return IUccOperationProgressEvent_get_OriginalOperationContext(impl_from_IUccFindServerEvent(iface)->inner,
                                                                   context);
}

static HRESULT WINAPI find_server_get_IsComplete(IUccFindServerEvent *iface, VARIANT_BOOL *complete)
{
    return IUccOperationProgressEvent_get_IsComplete(impl_from_IUccFindServerEvent(iface)->inner, complete);
}

static HRESULT WINAPI find_server_get_StatusCode(IUccFindServerEvent *iface, HRESULT *status)
{
    return IUccOperationProgressEvent_get_StatusCode(impl_from_IUccFindServerEvent(iface)->inner, status);
}

static HRESULT WINAPI find_server_get_StatusText(IUccFindServerEvent *iface, BSTR *text)
{
    return IUccOperationProgressEvent_get_StatusText(impl_from_IUccFindServerEvent(iface)->inner, text);
}

static HRESULT WINAPI find_server_get_Properties(IUccFindServerEvent *iface,
                                                 IUccReadOnlyPropertyCollection **properties)
{
    return IUccOperationProgressEvent_get_Properties(impl_from_IUccFindServerEvent(iface)->inner, properties);
}

/* The servers found, in the order of docs/ucc.md ("Finding the server"); empty when none. */
static HRESULT WINAPI find_server_get_SignalingServers(IUccFindServerEvent *iface, IUccCollection **servers)
{
    if (!servers)
        return E_POINTER;
    *servers = impl_from_IUccFindServerEvent(iface)->servers;
    IUccCollection_AddRef(*servers);
    return S_OK;
}

static const IUccFindServerEventVtbl find_server_vtbl =
{
    find_server_QueryInterface,
    find_server_AddRef,
    find_server_Release,
    find_server_get_OriginalOperationContext,
    find_server_get_IsComplete,
    find_server_get_StatusCode,
    find_server_get_StatusText,
    find_server_get_Properties,
    find_server_get_SignalingServers,
};

HRESULT ucc_find_server_event_create(IUccOperationContext *context, HRESULT status, const char *text,
                                     IUccCollection *servers, IUnknown **out)
{
    struct find_server_event *event;
    HRESULT hr;

    *out = NULL;
    if (!(event = calloc(1, sizeof(*event))))
        return E_OUTOFMEMORY;
    if (!servers && FAILED(hr = ucc_collection_create(NULL, 0, &servers)))
    {
        free(event);
        return hr;
    }
    if (FAILED(hr = ucc_progress_event_create(context, TRUE, status, text, NULL, &event->inner)))
    {
        IUccCollection_Release(servers);
        free(event);
        return hr;
    }
    event->IUccFindServerEvent_iface.lpVtbl = &find_server_vtbl;
    event->refcount = 1;
    event->servers = servers;
    *out = (IUnknown *)&event->IUccFindServerEvent_iface;
    return S_OK;
}
