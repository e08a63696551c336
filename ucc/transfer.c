/*
 * Transfer over REFER (RFC 3515), both sides; docs/ucc.md "Transfer", the wire in
 * docs/wire-mapping.md ("Transfer (REFER)", "UCC").
 *
 * Transferee: a REFER in a session's dialog becomes
 * _IUccSessionCallControlEvents::OnIncomingTransfer with an
 * IUccIncomingSessionTransferEvent (ReferredBy, ReferredTo, TransferContext;
 * Accept/Reject), under the consent rules of the RTC side (transfer
 * rule 13 of docs/architecture.md, rtccore/transfer.c): no sink on that point, no decision
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
 *
 * Transferor: IUccSessionCallControl::BlindTransfer(uri) sends a REFER in the
 * AV session's call (Refer-To <uri>, Referred-By the endpoint's identity; tel:
 * and bare numbers become SIP URIs in the peer's domain, the rule of the RTC
 * side, sip/refer_to.h); ConsultativeTransfer(active) refers to the other
 * session's peer with Replaces naming that session's dialog. The REFER's
 * response and each NOTIFY become _IUccSessionCallControlEvents::OnBlindTransfer
 * / OnConsultativeTransfer: IsComplete FALSE for the 2xx and every 1xx sipfrag,
 * then once TRUE with the outcome. Nothing hangs up by itself.
 */
#include <string.h>
#include "ucc_private.h"
#include "sip/sip_refer.h"
#include "sip/refer_to.h"

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
        com_module_unlock();
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
        com_module_unlock();
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
    com_module_lock();      /* DllCanUnloadNow: one more live object */
    notifier->refer = sip_refer_ref(refer);
    notifier->state = TRANSFER_UNDECIDED;
    notifier->endpoint = session->endpoint;
    ucc_endpoint_add_transfer(session->endpoint, &notifier->IUnknown_iface);
    event->IUccIncomingSessionTransferEvent_iface.lpVtbl = &transfer_event_vtbl;
    event->refcount = 1;
    com_module_lock();      /* DllCanUnloadNow: one more live object */
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

/* ---- transferor ------------------------------------------------------------------------------------ */

/* Our REFER until its outcome is reported; owned by the session (outgoing_transfer). */
struct ucc_outgoing_transfer
{
    struct ucc_session *session;        /* weak: the session owns us */
    struct sip_refer *refer;            /* referenced; its user data is us */
    DISPID dispid;                      /* OnBlindTransfer or OnConsultativeTransfer */
    IUccOperationContext *context;      /* the application's, echoed; may be NULL */
};

/* A provisional or 2xx status while the transfer goes on: the SIP code with success
 * severity (0x00EF00CA for 202), as the RTC side's refer statuses carry it. */
static HRESULT progress_status(guint code)
{
    return code ? MAKE_HRESULT(SEVERITY_SUCCESS, UCC_SIP_STATUS_FACILITY, code) : S_OK;
}

static void outgoing_free(struct ucc_outgoing_transfer *transfer)
{
    if (transfer->session && transfer->session->outgoing_transfer == transfer)
        transfer->session->outgoing_transfer = NULL;
    sip_refer_set_user_data(transfer->refer, NULL);
    sip_refer_unref(transfer->refer);
    if (transfer->context)
        IUccOperationContext_Release(transfer->context);
    g_free(transfer);
}

static void fire_outgoing(struct ucc_outgoing_transfer *transfer, BOOL complete, HRESULT status, const char *text,
                          UCC_SESSION_ENTITY_STATE state)
{
    struct ucc_session *session = transfer->session;
    IUnknown *event;

    if (SUCCEEDED(ucc_transfer_progress_event_create(transfer->context, complete, status, text, state, &event)))
    {
        ucc_fire_event(session->platform, &session->call_control_events, transfer->dispid,
                       (IUnknown *)&session->IUccSessionCallControl_iface, event);
        IUnknown_Release(event);
    }
}

/* The outcome is known: the last event (IsComplete TRUE); the session may transfer again. */
static void finish_outgoing(struct ucc_outgoing_transfer *transfer, HRESULT status, const char *text)
{
    fire_outgoing(transfer, TRUE, status, text, SUCCEEDED(status) ? UCCSES_CONNECTED : UCCSES_DISCONNECTED);
    outgoing_free(transfer);
}

static void on_refer_progress(struct sip_refer *refer, enum sip_refer_progress progress, guint code,
                              const char *reason, enum sip_refer_end end, void *user_data)
{
    struct ucc_outgoing_transfer *transfer = sip_refer_get_user_data(refer);

    /* Reports after the outcome (ENDED after a final NOTIFY ...) find no transfer. */
    if (!transfer || !transfer->session)
        return;
    switch (progress)
    {
    case SIP_REFER_ACCEPTED:        /* 202 (or 200) to the REFER */
        fire_outgoing(transfer, FALSE, progress_status(code), reason, UCCSES_CONNECTING);
        break;
    case SIP_REFER_REJECTED:        /* 3xx-6xx to the REFER */
        finish_outgoing(transfer, ucc_hresult_from_sip_status(code >= 300 ? code : 500), reason);
        break;
    case SIP_REFER_FAILED:          /* no answer (408), could not be sent (503) */
        finish_outgoing(transfer, ucc_hresult_from_sip_status(code >= 300 ? code : 408), reason);
        break;
    case SIP_REFER_NOTIFY:          /* the sipfrag of the transferee's new call */
        if (code < 200)
            fire_outgoing(transfer, FALSE, progress_status(code), reason, UCCSES_CONNECTING);
        else
            finish_outgoing(transfer, ucc_hresult_from_sip_status(code), reason);
        break;
    case SIP_REFER_ENDED:
        switch (end)
        {
        case SIP_REFER_END_SUCCESS:     /* accepted with Refer-Sub: false: no NOTIFY will tell more */
            finish_outgoing(transfer, S_OK, reason);
            break;
        case SIP_REFER_END_FAILURE:
            finish_outgoing(transfer, ucc_hresult_from_sip_status(code >= 300 ? code : 487), reason);
            break;
        case SIP_REFER_END_CALL_GONE:
            finish_outgoing(transfer, ucc_hresult_from_sip_status(487), "Call ended before the transfer completed");
            break;
        default:                        /* the subscription ended without a final sipfrag */
            finish_outgoing(transfer, ucc_hresult_from_sip_status(487), "Subscription ended without a final status");
            break;
        }
        break;
    }
}

/* The call to the remote participant of an AV session, when it is connected. */
static struct sip_call *connected_call(struct ucc_session *session)
{
    guint i;

    if (session->terminated || session->terminating)
        return NULL;
    for (i = 0; i < session->remotes->len; i++)
    {
        struct ucc_participant *participant = g_ptr_array_index(session->remotes, i);
        if (participant->state == UCCSES_CONNECTED && participant->call
            && sip_call_get_state(participant->call) == SIP_CALL_STATE_CONNECTED)
            return participant->call;
    }
    return NULL;
}

/* What every transfer needs of the session that sends the REFER. */
static HRESULT check_transferor(struct ucc_session *session, struct sip_call **call)
{
    HRESULT hr;

    /* An IM session has no call to hand over (docs/ucc.md, "Errors": not this kind of session). */
    if (session->type != UCCST_AUDIO_VIDEO)
        return UCC_E_RTCSHIM_NOT_SUPPORTED;
    if (FAILED(hr = ucc_endpoint_check_ready(session->endpoint)))
        return hr;
    /* One transfer at a time; not connected (yet, or any more): not now. */
    if (session->outgoing_transfer || !(*call = connected_call(session)))
        return UCC_E_RTCSHIM_INVALID_STATE;
    return S_OK;
}

static HRESULT start_refer(struct ucc_session *session, struct sip_call *call, const char *refer_to, DISPID dispid,
                           IUccOperationContext *operation)
{
    struct sip_refer_options options = { NULL };
    struct ucc_outgoing_transfer *transfer;
    struct sip_refer *refer;
    GError *error = NULL;
    char *referred_by;
    HRESULT hr;

    /* RFC 3892: who asks; the From of our requests. */
    referred_by = ucc_endpoint_identity(session->endpoint);
    options.referred_by = referred_by;
    refer = sip_call_refer(call, refer_to, &options, &error);
    g_free(referred_by);
    if (!refer)
    {
        g_debug("UCC transfer: %s", error ? error->message : "REFER not sent");
        if (error && (error->domain == SIP_REFER_TO_ERROR
                      || (error->domain == SIP_ENGINE_ERROR && error->code == SIP_ENGINE_ERROR_INVALID_ARGUMENT)))
            hr = E_INVALIDARG;
        else if (error && error->domain == SIP_ENGINE_ERROR
                 && (error->code == SIP_ENGINE_ERROR_WRONG_STATE || error->code == SIP_ENGINE_ERROR_DETACHED
                     || error->code == SIP_ENGINE_ERROR_NO_TRANSPORT))
            hr = UCC_E_RTCSHIM_INVALID_STATE;
        else
            hr = E_FAIL;
        if (error)
            g_error_free(error);
        return hr;
    }
    transfer = g_new0(struct ucc_outgoing_transfer, 1);
    transfer->session = session;
    transfer->refer = refer;        /* takes sip_call_refer's reference */
    transfer->dispid = dispid;
    if ((transfer->context = operation))
        IUccOperationContext_AddRef(operation);
    sip_refer_set_user_data(refer, transfer);
    session->outgoing_transfer = transfer;
    return S_OK;
}

/* The host[:port] of a SIP URI ("sip:bob@example.com:5080;x" -> "example.com:5080"), or NULL. */
static char *uri_domain(const char *uri)
{
    const char *at = uri ? strchr(uri, '@') : NULL;

    return at ? g_strndup(at + 1, strcspn(at + 1, ";>?")) : NULL;
}

HRESULT ucc_transfer_blind(struct ucc_session *session, IUccUri *uri, IUccOperationContext *operation)
{
    struct sip_call *call = NULL;
    char *text, *domain, *target, *checked;
    HRESULT hr;

    if (FAILED(hr = ucc_platform_check_thread(session->platform)))
        return hr;
    if (!uri)
        return E_INVALIDARG;
    if (FAILED(hr = check_transferor(session, &call)))
        return hr;
    if (!(text = ucc_uri_text(uri)))
        return E_INVALIDARG;
    /* sip:/sips: as they are; tel: (or a bare number from an IUccUri of the application's)
     * in the peer's domain: docs/wire-mapping.md, "Transfer (REFER)", as the RTC side. */
    domain = uri_domain(sip_call_get_remote_uri(call));
    target = sip_refer_to_target_to_uri(g_strstrip(text), domain, NULL);
    g_free(domain);
    g_free(text);
    /* A target that cannot be a Refer-To (bad escaping, a header that forges a dialog ...). */
    if (!target || !(checked = sip_refer_to_build(target, NULL)))
    {
        g_free(target);
        return E_INVALIDARG;
    }
    g_free(checked);
    hr = start_refer(session, call, target, DISPID__IUccSessionCallControlEvents_OnBlindTransfer, operation);
    g_free(target);
    return hr;
}

HRESULT ucc_transfer_consultative(struct ucc_session *session, IUccSession *active_iface,
                                  IUccOperationContext *operation)
{
    struct sip_call *call = NULL, *active_call;
    struct ucc_session *active;
    GError *error = NULL;
    char *refer_to;
    HRESULT hr;

    if (FAILED(hr = ucc_platform_check_thread(session->platform)))
        return hr;
    /* The other session must be one of ours (its dialog goes into Replaces), and another one. */
    active = active_iface ? ucc_session_from_iface((IUnknown *)active_iface) : NULL;
    if (!active || active == session)
        return E_INVALIDARG;
    if (FAILED(hr = check_transferor(session, &call)))
        return hr;
    if (active->type != UCCST_AUDIO_VIDEO)
        return UCC_E_RTCSHIM_NOT_SUPPORTED;
    if (!(active_call = connected_call(active)))
        return UCC_E_RTCSHIM_INVALID_STATE;
    /* RFC 3891: <target?Replaces=call-id;to-tag;from-tag>, the tags as the target sees them. */
    if (!(refer_to = sip_call_build_replaces_refer_to(active_call, &error)))
    {
        g_debug("UCC ConsultativeTransfer: %s", error->message);
        g_error_free(error);
        return UCC_E_RTCSHIM_INVALID_STATE;
    }
    hr = start_refer(session, call, refer_to, DISPID__IUccSessionCallControlEvents_OnConsultativeTransfer,
                     operation);
    g_free(refer_to);
    return hr;
}

void ucc_transfer_outgoing_call_ended(struct ucc_session *session, struct sip_call *call)
{
    struct ucc_outgoing_transfer *transfer = session->outgoing_transfer;

    /* The REFER cannot go on without its dialog: a final NOTIFY that came first was reported. */
    if (transfer && sip_refer_get_call(transfer->refer) == call)
        finish_outgoing(transfer, ucc_hresult_from_sip_status(487), "Call ended before the transfer completed");
}

void ucc_transfer_outgoing_release(struct ucc_session *session)
{
    struct ucc_outgoing_transfer *transfer = session->outgoing_transfer;

    if (transfer)
    {
        transfer->session = NULL;
        session->outgoing_transfer = NULL;
        outgoing_free(transfer);
    }
}

static const struct sip_refer_callbacks refer_callbacks =
{
    on_refer_received,
    on_refer_progress,
};

void ucc_transfer_install(struct sip_engine *engine, guint decision_timeout_ms, gboolean allow_private_headers)
{
    sip_engine_set_refer_callbacks(engine, &refer_callbacks);
    if (decision_timeout_ms)
        sip_engine_set_refer_decision_timeout(engine, decision_timeout_ms);
    /* Embedded Refer-To headers by the engine's allow-list; X- ones when the application asks. */
    sip_engine_set_refer_to_headers(engine, NULL, allow_private_headers);
}
