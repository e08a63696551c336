/*
 * Transfer, transferee side: a REFER in a session's dialog becomes
 * _IUccSessionCallControlEvents::OnIncomingTransfer with an
 * IUccIncomingSessionTransferEvent (ReferredBy, ReferredTo, TransferContext;
 * Accept/Reject), under the consent rules of the RTC side (shared/reference/
 * transfer.md item 13, rtccore/transfer.c): no sink on that point, no decision
 * within the engine's bound, or Reject, and the REFER is declined; nothing is
 * followed by itself.
 *
 * After Accept (202, NOTIFY 100) the application places the new session the
 * UCC way: CreateSession with UCCSC_TRANSFER_CONTEXT = the event's
 * TransferContext in the session context, then AddParticipant(ReferredTo).
 * The TransferContext carries the transfer's progress notifier
 * (UCCTC_TRANSFER_PROGRESS_NOTIFIER) and the transferring participant
 * (UCCTC_TRANSFERRING_PARTICIPANT); a session created with it carries the
 * REFER's Referred-By and Refer-To headers (Replaces) on its INVITE and reports
 * to the transferor: NOTIFY 180 when the target rings, 200 when it answers, the
 * failure code otherwise (docs/ucc.md, "Transfer").
 */
#include <string.h>
#include "ucc_private.h"
#include "sip/sip_refer.h"

enum transfer_state { TRANSFER_UNDECIDED, TRANSFER_ACCEPTED, TRANSFER_REJECTED, TRANSFER_FINAL_SENT };

/* The progress notifier: owns the engine's refer; held by the event, the
 * TransferContext and the session that carries the transfer out. */
struct notifier
{
    IUnknown IUnknown_iface;
    LONG refcount;
    struct ucc_endpoint *endpoint;      /* weak: it lists us until its engine goes */
    struct sip_refer *refer;            /* referenced; NULL once the engine went */
    enum transfer_state state;
    struct ucc_session *new_session;    /* weak: the session carrying it out */
};

static const IUnknownVtbl notifier_vtbl;

static struct notifier *impl_from_IUnknown(IUnknown *iface)
{
    return CONTAINING_RECORD(iface, struct notifier, IUnknown_iface);
}

static HRESULT WINAPI notifier_QueryInterface(IUnknown *iface, REFIID riid, void **ppv)
{
    if (!ppv)
        return E_POINTER;
    if (IsEqualIID(riid, &IID_IUnknown))
    {
        *ppv = iface;
        IUnknown_AddRef(iface);
        return S_OK;
    }
    *ppv = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI notifier_AddRef(IUnknown *iface)
{
    return InterlockedIncrement(&impl_from_IUnknown(iface)->refcount);
}

static ULONG WINAPI notifier_Release(IUnknown *iface)
{
    struct notifier *notifier = impl_from_IUnknown(iface);
    ULONG ref = InterlockedDecrement(&notifier->refcount);

    if (!ref)
    {
        if (notifier->new_session)
            notifier->new_session->transfer = NULL;
        if (notifier->endpoint)
            ucc_endpoint_remove_transfer(notifier->endpoint, iface);
        /* The engine ends what is left: 603 if undecided, NOTIFY 487 terminated if accepted. */
        if (notifier->refer)
        {
            sip_refer_set_user_data(notifier->refer, NULL);
            sip_refer_unref(notifier->refer);
        }
        free(notifier);
    }
    return ref;
}

static const IUnknownVtbl notifier_vtbl =
{
    notifier_QueryInterface,
    notifier_AddRef,
    notifier_Release,
};

static struct notifier *notifier_from_unknown(IUnknown *unknown)
{
    IUnknown *identity;
    struct notifier *notifier = NULL;

    if (!unknown || FAILED(IUnknown_QueryInterface(unknown, &IID_IUnknown, (void **)&identity)))
        return NULL;
    if (identity->lpVtbl == &notifier_vtbl)
        notifier = impl_from_IUnknown(identity);
    IUnknown_Release(identity);
    return notifier;
}

/* The endpoint's engine is going: let go of the refer first (the engine sends 603, or
 * NOTIFY 487 terminated for an accepted transfer); the notifier stays, inert. */
void ucc_transfer_detach(IUnknown *iface)
{
    struct notifier *notifier = impl_from_IUnknown(iface);

    notifier->endpoint = NULL;
    notifier->state = TRANSFER_FINAL_SENT;
    if (notifier->refer)
    {
        sip_refer_set_user_data(notifier->refer, NULL);
        sip_refer_unref(notifier->refer);
        notifier->refer = NULL;
    }
}

/* A NOTIFY for the transferor; a final code ends the transfer (the caller unlinks the session). */
static void notify(struct notifier *notifier, guint code)
{
    if (notifier->state != TRANSFER_ACCEPTED || !notifier->refer)
        return;
    if (code >= 200)
        notifier->state = TRANSFER_FINAL_SENT;
    sip_refer_notify(notifier->refer, code, NULL, NULL);
}

/* ---- the session side ------------------------------------------------------------------------- */

void ucc_transfer_link_session(struct ucc_session *session, IUccContext *context)
{
    IUccProperty *property = NULL;
    IUccContext *transfer_context = NULL;
    IUnknown *object = NULL;
    struct notifier *notifier = NULL;
    VARIANT_BOOL set = VARIANT_FALSE;

    if (!context || FAILED(IUccContext_IsPropertySet(context, UCCSC_TRANSFER_CONTEXT, &set)) || !set
        || FAILED(IUccContext_get_Property(context, UCCSC_TRANSFER_CONTEXT, &property)))
        return;
    if (SUCCEEDED(IUccProperty_get_ObjectValue(property, &object)) && object
        && SUCCEEDED(IUnknown_QueryInterface(object, &IID_IUccContext, (void **)&transfer_context)))
    {
        IUccProperty *inner;
        IUnknown *value = NULL;

        if (SUCCEEDED(IUccContext_get_Property(transfer_context, UCCTC_TRANSFER_PROGRESS_NOTIFIER, &inner)))
        {
            if (SUCCEEDED(IUccProperty_get_ObjectValue(inner, &value)) && value)
            {
                notifier = notifier_from_unknown(value);
                IUnknown_Release(value);
            }
            IUccProperty_Release(inner);
        }
        IUccContext_Release(transfer_context);
    }
    if (object)
        IUnknown_Release(object);
    IUccProperty_Release(property);
    /* One session carries a transfer out, and only an accepted one. */
    if (!notifier || notifier->state != TRANSFER_ACCEPTED || notifier->new_session)
        return;
    notifier->new_session = session;
    session->transfer = &notifier->IUnknown_iface;
    IUnknown_AddRef(session->transfer);
}

void ucc_transfer_unlink_session(struct ucc_session *session)
{
    struct notifier *notifier;

    if (!session->transfer)
        return;
    notifier = impl_from_IUnknown(session->transfer);
    session->transfer = NULL;
    notifier->new_session = NULL;
    IUnknown_Release(&notifier->IUnknown_iface);
}

/* The INVITE headers the transfer asks for when target is its Refer-To target. */
void ucc_transfer_invite_headers(struct ucc_session *session, const char *target, GPtrArray *headers)
{
    struct notifier *notifier;
    const char *const *line;
    const char *by;

    if (!session->transfer)
        return;
    notifier = impl_from_IUnknown(session->transfer);
    if (!notifier->refer || g_ascii_strcasecmp(target, sip_refer_get_target(notifier->refer)))
        return;
    /* RFC 3892: the new INVITE says who referred it; RFC 3891: Replaces and the other embedded headers. */
    if ((by = sip_refer_get_referred_by(notifier->refer)))
        g_ptr_array_add(headers, g_strdup_printf("Referred-By: %s", by));
    for (line = sip_refer_get_target_headers(notifier->refer); line && *line; line++)
        g_ptr_array_add(headers, g_strdup(*line));
}

void ucc_transfer_progress(struct ucc_session *session, guint code)
{
    struct notifier *notifier;

    if (!session->transfer)
        return;
    notifier = impl_from_IUnknown(session->transfer);
    IUnknown_AddRef(&notifier->IUnknown_iface);
    notify(notifier, code);
    if (code >= 200)
        ucc_transfer_unlink_session(session);
    IUnknown_Release(&notifier->IUnknown_iface);
}

/* ---- IUccIncomingSessionTransferEvent ----------------------------------------------------------- */

struct transfer_event
{
    IUccIncomingSessionTransferEvent IUccIncomingSessionTransferEvent_iface;
    LONG refcount;
    struct ucc_platform *platform;          /* strong */
    struct notifier *notifier;              /* strong */
    IUccUri *referred_to;
    IUccUri *referred_by;                   /* NULL when the REFER had no Referred-By */
    IUccContext *transfer_context;
    IUccContext *context;
};

static struct transfer_event *impl_from_IUccIncomingSessionTransferEvent(IUccIncomingSessionTransferEvent *iface)
{
    return CONTAINING_RECORD(iface, struct transfer_event, IUccIncomingSessionTransferEvent_iface);
}

static HRESULT WINAPI transfer_event_QueryInterface(IUccIncomingSessionTransferEvent *iface, REFIID riid, void **ppv)
{
    if (!ppv)
        return E_POINTER;
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IUccIncomingSessionTransferEvent)
        || IsEqualIID(riid, &IID_IUccIncomingRequestEvent))
    {
        *ppv = iface;
        IUccIncomingSessionTransferEvent_AddRef(iface);
        return S_OK;
    }
    *ppv = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI transfer_event_AddRef(IUccIncomingSessionTransferEvent *iface)
{
    return InterlockedIncrement(&impl_from_IUccIncomingSessionTransferEvent(iface)->refcount);
}

static ULONG WINAPI transfer_event_Release(IUccIncomingSessionTransferEvent *iface)
{
    struct transfer_event *event = impl_from_IUccIncomingSessionTransferEvent(iface);
    ULONG ref = InterlockedDecrement(&event->refcount);

    if (!ref)
    {
        if (event->referred_to)
            IUccUri_Release(event->referred_to);
        if (event->referred_by)
            IUccUri_Release(event->referred_by);
        if (event->transfer_context)
            IUccContext_Release(event->transfer_context);
        if (event->context)
            IUccContext_Release(event->context);
        IUnknown_Release(&event->notifier->IUnknown_iface);
        ucc_platform_release(event->platform);
        free(event);
    }
    return ref;
}

/* 202 and NOTIFY 100; then the application places the session to ReferredTo. */
static HRESULT WINAPI transfer_event_Accept(IUccIncomingSessionTransferEvent *iface)
{
    struct transfer_event *event = impl_from_IUccIncomingSessionTransferEvent(iface);
    HRESULT hr;

    if (FAILED(hr = ucc_platform_check_thread(event->platform)))
        return hr;
    /* Decided already, declined by the engine after its bound, or the engine is gone. */
    if (event->notifier->state != TRANSFER_UNDECIDED || !event->notifier->refer
        || !sip_refer_accept(event->notifier->refer, NULL))
        return UCC_E_RTCSHIM_INVALID_STATE;
    event->notifier->state = TRANSFER_ACCEPTED;
    return S_OK;
}

static HRESULT WINAPI transfer_event_Reject(IUccIncomingSessionTransferEvent *iface,
                                            UCC_REJECT_OR_TERMINATE_REASON reason)
{
    struct transfer_event *event = impl_from_IUccIncomingSessionTransferEvent(iface);
    guint code = ucc_response_for_reject_reason(reason);
    HRESULT hr;

    if (FAILED(hr = ucc_platform_check_thread(event->platform)))
        return hr;
    if (!code)
        return E_INVALIDARG;
    if (event->notifier->state != TRANSFER_UNDECIDED || !event->notifier->refer)
        return UCC_E_RTCSHIM_INVALID_STATE;
    event->notifier->state = TRANSFER_REJECTED;
    if (!sip_refer_reject(event->notifier->refer, code, NULL, NULL))
        return UCC_E_RTCSHIM_INVALID_STATE;
    return S_OK;
}

static HRESULT WINAPI transfer_event_get_Context(IUccIncomingSessionTransferEvent *iface, IUccContext **context)
{
    if (!context)
        return E_POINTER;
    *context = impl_from_IUccIncomingSessionTransferEvent(iface)->context;
    IUccContext_AddRef(*context);
    return S_OK;
}

/* S_OK with NULL when the REFER had no Referred-By. */
static HRESULT WINAPI transfer_event_get_ReferredBy(IUccIncomingSessionTransferEvent *iface, IUccUri **uri)
{
    struct transfer_event *event = impl_from_IUccIncomingSessionTransferEvent(iface);

    if (!uri)
        return E_POINTER;
    if ((*uri = event->referred_by))
        IUccUri_AddRef(*uri);
    return S_OK;
}

/* The transfer target without the headers of its Refer-To (they go on the new INVITE). */
static HRESULT WINAPI transfer_event_get_ReferredTo(IUccIncomingSessionTransferEvent *iface, IUccUri **uri)
{
    if (!uri)
        return E_POINTER;
    *uri = impl_from_IUccIncomingSessionTransferEvent(iface)->referred_to;
    IUccUri_AddRef(*uri);
    return S_OK;
}

/* Put it in the new session's context as UCCSC_TRANSFER_CONTEXT. */
static HRESULT WINAPI transfer_event_get_TransferContext(IUccIncomingSessionTransferEvent *iface,
                                                         IUccContext **context)
{
    if (!context)
        return E_POINTER;
    *context = impl_from_IUccIncomingSessionTransferEvent(iface)->transfer_context;
    IUccContext_AddRef(*context);
    return S_OK;
}

static const IUccIncomingSessionTransferEventVtbl transfer_event_vtbl =
{
    transfer_event_QueryInterface,
    transfer_event_AddRef,
    transfer_event_Release,
    transfer_event_Accept,
    transfer_event_Reject,
    transfer_event_get_Context,
    transfer_event_get_ReferredBy,
    transfer_event_get_ReferredTo,
    transfer_event_get_TransferContext,
};

/* "Name" <sip:x@y>;params, <sip:x@y> or sip:x@y -> an IUccUri, NULL if it does not parse. */
static IUccUri *uri_of(const char *text)
{
    const char *start = text ? strchr(text, '<') : NULL, *end = start ? strchr(start, '>') : NULL;
    char *uri_text;
    IUccUri *uri = NULL;

    if (!text)
        return NULL;
    uri_text = end ? g_strndup(start + 1, end - start - 1) : g_strdup(text);
    ucc_uri_create(g_strstrip(uri_text), &uri);
    g_free(uri_text);
    return uri;
}

static void add_object(IUccContext *context, LONG id, IUnknown *object)
{
    VARIANT v;

    V_VT(&v) = VT_UNKNOWN;
    V_UNKNOWN(&v) = object;
    ucc_properties_add((IUnknown *)context, id, NULL, &v, TRUE);
}

/* ---- engine reports ------------------------------------------------------------------------------ */

static void on_refer_received(struct sip_call *call, struct sip_refer *refer, void *user_data)
{
    struct ucc_participant *participant = sip_call_get_user_data(call);
    struct ucc_session *session = participant ? participant->session : NULL;
    struct transfer_event *event;
    struct notifier *notifier;

    /* No one to ask, no transfer: a REFER is never followed silently (toll fraud). */
    if (!session || !connection_point_has_sinks(&session->call_control_events))
    {
        sip_refer_reject(refer, 603, NULL, NULL);
        return;
    }
    notifier = calloc(1, sizeof(*notifier));
    event = calloc(1, sizeof(*event));
    if (!notifier || !event)
    {
        free(notifier);
        free(event);
        sip_refer_reject(refer, 500, NULL, NULL);
        return;
    }
    notifier->IUnknown_iface.lpVtbl = &notifier_vtbl;
    notifier->refcount = 1;
    notifier->refer = sip_refer_ref(refer);
    notifier->state = TRANSFER_UNDECIDED;
    notifier->endpoint = session->endpoint;
    ucc_endpoint_add_transfer(session->endpoint, &notifier->IUnknown_iface);
    event->IUccIncomingSessionTransferEvent_iface.lpVtbl = &transfer_event_vtbl;
    event->refcount = 1;
    event->platform = session->platform;
    ucc_platform_add_ref(event->platform);
    event->notifier = notifier;     /* takes the creation reference */
    event->referred_to = uri_of(sip_refer_get_target(refer));
    event->referred_by = uri_of(sip_refer_get_referred_by(refer));
    if (!event->referred_to || FAILED(ucc_context_create(&event->context))
        || FAILED(ucc_context_create(&event->transfer_context)))
    {
        /* A Refer-To the engine accepted (sip/sips/tel) but we cannot represent. */
        sip_refer_reject(refer, 400, "Unusable Refer-To", NULL);
        transfer_event_Release(&event->IUccIncomingSessionTransferEvent_iface);
        return;
    }
    add_object(event->transfer_context, UCCTC_TRANSFER_PROGRESS_NOTIFIER, &notifier->IUnknown_iface);
    add_object(event->transfer_context, UCCTC_TRANSFERRING_PARTICIPANT,
               (IUnknown *)ucc_participant_iface(participant));
    ucc_fire_event(session->platform, &session->call_control_events,
                   DISPID__IUccSessionCallControlEvents_OnIncomingTransfer,
                   (IUnknown *)&session->IUccSessionCallControl_iface,
                   (IUnknown *)&event->IUccIncomingSessionTransferEvent_iface);
    /* From here the event (and whoever keeps it) owns the transfer. */
    transfer_event_Release(&event->IUccIncomingSessionTransferEvent_iface);
}

/* Our own REFERs (transferor side) are not sent yet: nothing to report. */
static void on_refer_progress(struct sip_refer *refer, enum sip_refer_progress progress, guint code,
                              const char *reason, enum sip_refer_end end, void *user_data)
{
}

static const struct sip_refer_callbacks refer_callbacks =
{
    on_refer_received,
    on_refer_progress,
};

void ucc_transfer_install(struct sip_engine *engine, guint decision_timeout_ms)
{
    sip_engine_set_refer_callbacks(engine, &refer_callbacks);
    if (decision_timeout_ms)
        sip_engine_set_refer_decision_timeout(engine, decision_timeout_ms);
}
