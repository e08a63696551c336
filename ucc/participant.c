/*
 * Session participants (coclasses UccInstantMessagingSessionParticipant and
 * UccAudioVideoSessionParticipant): IUccSessionParticipant with
 * IUccInstantMessagingSessionParticipant or IUccAudioVideoSessionParticipant,
 * and IConnectionPointContainer (_IUccSessionParticipantEvents, the modality's
 * participant events, _IUccSessionParticipantEndpointCollectionEvents and, for
 * AV, _IUccMediaChannelCollectionEvents). Also their one participant endpoint
 * (IUccSessionParticipantEndpoint). The media channels of AV participants
 * are media_channel.c's.
 *
 * The call to a remote participant lives here (participant->call, user data =
 * the participant); session.c drives it and decides the events.
 */
#include <string.h>
#include "ucc_private.h"
#include "sip/sip_call.h"
#include "sip/sip_media.h"

/* ---- IUccSessionParticipantEndpoint ---------------------------------------------------------- */

struct participant_endpoint
{
    IUccSessionParticipantEndpoint IUccSessionParticipantEndpoint_iface;
    LONG refcount;
    IUccUri *uri;
    BSTR id;
    struct ucc_participant *participant;    /* weak: cleared when the participant goes */
    BOOL local;
};

static const IUccSessionParticipantEndpointVtbl participant_endpoint_vtbl;

static struct participant_endpoint *impl_from_IUccSessionParticipantEndpoint(IUccSessionParticipantEndpoint *iface)
{
    return CONTAINING_RECORD(iface, struct participant_endpoint, IUccSessionParticipantEndpoint_iface);
}

static HRESULT WINAPI participant_endpoint_QueryInterface(IUccSessionParticipantEndpoint *iface, REFIID riid,
                                                          void **ppv)
{
    if (!ppv)
        return E_POINTER;
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IUccSessionParticipantEndpoint))
    {
        *ppv = iface;
        IUccSessionParticipantEndpoint_AddRef(iface);
        return S_OK;
    }
    *ppv = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI participant_endpoint_AddRef(IUccSessionParticipantEndpoint *iface)
{
    return InterlockedIncrement(&impl_from_IUccSessionParticipantEndpoint(iface)->refcount);
}

static ULONG WINAPI participant_endpoint_Release(IUccSessionParticipantEndpoint *iface)
{
    struct participant_endpoint *endpoint = impl_from_IUccSessionParticipantEndpoint(iface);
    ULONG ref = InterlockedDecrement(&endpoint->refcount);

    if (!ref)
    {
        IUccUri_Release(endpoint->uri);
        SysFreeString(endpoint->id);
        free(endpoint);
        com_module_unlock();
    }
    return ref;
}

static HRESULT WINAPI participant_endpoint_get_Uri(IUccSessionParticipantEndpoint *iface, IUccUri **uri)
{
    if (!uri)
        return E_POINTER;
    *uri = impl_from_IUccSessionParticipantEndpoint(iface)->uri;
    IUccUri_AddRef(*uri);
    return S_OK;
}

static HRESULT WINAPI participant_endpoint_get_Id(IUccSessionParticipantEndpoint *iface, BSTR *id)
{
    struct participant_endpoint *endpoint = impl_from_IUccSessionParticipantEndpoint(iface);

    if (!id)
        return E_POINTER;
    *id = SysAllocString(endpoint->id ? endpoint->id : L"");
    return *id ? S_OK : E_OUTOFMEMORY;
}

static HRESULT WINAPI participant_endpoint_get_Participant(IUccSessionParticipantEndpoint *iface,
                                                           IUccSessionParticipant **participant)
{
    struct participant_endpoint *endpoint = impl_from_IUccSessionParticipantEndpoint(iface);

    if (!participant)
        return E_POINTER;
    *participant = NULL;
    if (!endpoint->participant)
        return UCC_E_RTCSHIM_INVALID_STATE;
    *participant = ucc_participant_iface(endpoint->participant);
    IUccSessionParticipant_AddRef(*participant);
    return S_OK;
}

static HRESULT WINAPI participant_endpoint_get_IsLocal(IUccSessionParticipantEndpoint *iface, VARIANT_BOOL *local)
{
    if (!local)
        return E_POINTER;
    *local = impl_from_IUccSessionParticipantEndpoint(iface)->local ? VARIANT_TRUE : VARIANT_FALSE;
    return S_OK;
}

static const IUccSessionParticipantEndpointVtbl participant_endpoint_vtbl =
{
    participant_endpoint_QueryInterface,
    participant_endpoint_AddRef,
    participant_endpoint_Release,
    participant_endpoint_get_Uri,
    participant_endpoint_get_Id,
    participant_endpoint_get_Participant,
    participant_endpoint_get_IsLocal,
};

HRESULT ucc_participant_endpoint_create(struct ucc_participant *participant, IUccUri *uri, const char *id,
                                        IUccSessionParticipantEndpoint **out)
{
    struct participant_endpoint *endpoint;

    if (!(endpoint = calloc(1, sizeof(*endpoint))))
        return E_OUTOFMEMORY;
    endpoint->IUccSessionParticipantEndpoint_iface.lpVtbl = &participant_endpoint_vtbl;
    endpoint->refcount = 1;
    com_module_lock();      /* DllCanUnloadNow: one more live object */
    endpoint->uri = uri;
    IUccUri_AddRef(uri);
    endpoint->id = id ? ucc_bstr(id) : NULL;
    endpoint->participant = participant;
    endpoint->local = participant->local;
    *out = &endpoint->IUccSessionParticipantEndpoint_iface;
    return S_OK;
}

/* ---- the participant --------------------------------------------------------------------------------- */

static const IUccSessionParticipantVtbl participant_vtbl;

static struct ucc_participant *impl_from_IUccSessionParticipant(IUccSessionParticipant *iface)
{
    return CONTAINING_RECORD(iface, struct ucc_participant, IUccSessionParticipant_iface);
}

static struct ucc_participant *impl_from_IUccInstantMessagingSessionParticipant(IUccInstantMessagingSessionParticipant *iface)
{
    return CONTAINING_RECORD(iface, struct ucc_participant, IUccInstantMessagingSessionParticipant_iface);
}

static struct ucc_participant *impl_from_IUccAudioVideoSessionParticipant(IUccAudioVideoSessionParticipant *iface)
{
    return CONTAINING_RECORD(iface, struct ucc_participant, IUccAudioVideoSessionParticipant_iface);
}

static struct ucc_participant *impl_from_IConnectionPointContainer(IConnectionPointContainer *iface)
{
    return CONTAINING_RECORD(iface, struct ucc_participant, IConnectionPointContainer_iface);
}

IUccSessionParticipant *ucc_participant_iface(struct ucc_participant *participant)
{
    return &participant->IUccSessionParticipant_iface;
}

void ucc_participant_add_ref(struct ucc_participant *participant)
{
    IUccSessionParticipant_AddRef(&participant->IUccSessionParticipant_iface);
}

void ucc_participant_release(struct ucc_participant *participant)
{
    IUccSessionParticipant_Release(&participant->IUccSessionParticipant_iface);
}

struct ucc_participant *ucc_participant_from_iface(IUnknown *iface)
{
    IUccSessionParticipant *participant;
    struct ucc_participant *ret = NULL;

    if (!iface || FAILED(IUnknown_QueryInterface(iface, &IID_IUccSessionParticipant, (void **)&participant)))
        return NULL;
    if (participant->lpVtbl == &participant_vtbl)
        ret = impl_from_IUccSessionParticipant(participant);
    IUccSessionParticipant_Release(participant);
    return ret;
}

void ucc_participant_detach(struct ucc_participant *participant)
{
    participant->session = NULL;
}

void ucc_participant_set_call(struct ucc_participant *participant, struct sip_call *call)
{
    if (participant->media_request)
        ucc_participant_media_offer_cancelled(participant);     /* the call it belongs to goes */
    if (participant->call)
    {
        sip_call_set_user_data(participant->call, NULL);
        sip_call_unref(participant->call);
    }
    if ((participant->call = call))
    {
        guint i;

        sip_call_set_user_data(call, participant);
        if (participant->session && participant->session->max_bandwidth)
            sip_call_set_max_bandwidth(call, participant->session->max_bandwidth, NULL);
        for (i = 0; participant->channels && i < participant->channels->len; i++)
            ucc_media_channel_call_started(g_ptr_array_index(participant->channels, i));
    }
}

void ucc_participant_set_state(struct ucc_participant *participant, UCC_SESSION_ENTITY_STATE state,
                               UCC_PARTICIPANT_STATE_CHANGE_REASON reason, IUccOperationContext *context,
                               HRESULT status, const char *text)
{
    UCC_SESSION_ENTITY_STATE old = participant->state;
    IUnknown *event;

    participant->state = state;
    if (SUCCEEDED(ucc_state_changed_event_create(old, state, reason, context, status, text, &event)))
    {
        ucc_fire_event(participant->platform, &participant->participant_events,
                       DISPID__IUccSessionParticipantEvents_OnStateChanged,
                       (IUnknown *)&participant->IUccSessionParticipant_iface, event);
        IUnknown_Release(event);
    }
}

void ucc_participant_media_changed(struct ucc_participant *participant, BOOL active)
{
    guint i;

    for (i = 0; participant->channels && i < participant->channels->len; i++)
        ucc_media_channel_negotiated(g_ptr_array_index(participant->channels, i), active);
}

/* ---- media changes: ours (UpdateChannels) and the peer's (OnMediaRequest) ------------------------- */

static void fire_av_event(struct ucc_participant *participant, DISPID dispid, IUnknown *data)
{
    ucc_fire_event(participant->platform, &participant->modality_events, dispid,
                   (IUnknown *)&participant->IUccAudioVideoSessionParticipant_iface, data);
}

static BOOL call_media_active(struct sip_call *call)
{
    return !sip_call_is_local_hold(call) && !sip_call_is_remote_hold(call);
}

void ucc_participant_media_updated(struct ucc_participant *participant, unsigned int status_code)
{
    IUccOperationContext *context = participant->update_context;
    IUccOperationProgressEvent *event;
    HRESULT status = status_code < 300 ? S_OK : ucc_hresult_from_sip_status(status_code);

    if (!participant->updating)
        return;
    participant->updating = FALSE;
    participant->update_context = NULL;
    if (participant->call)
        ucc_participant_media_changed(participant, call_media_active(participant->call));
    if (SUCCEEDED(ucc_progress_event_create(context, TRUE, status, NULL, NULL, &event)))
    {
        fire_av_event(participant, DISPID__IUccAudioVideoSessionParticipantEvents_OnUpdateChannels,
                      (IUnknown *)event);
        IUccOperationProgressEvent_Release(event);
    }
    if (context)
        IUccOperationContext_Release(context);
}

void ucc_participant_end_media_request(struct ucc_participant *participant)
{
    IUnknown *request = participant->media_request;

    if (!request)
        return;
    participant->media_request = NULL;
    ucc_media_request_detach(request);
    IUnknown_Release(request);
}

/* Raised with OnMediaRequest; accepted at once when nobody can decide (no sink, not AV). */
void ucc_participant_media_offered(struct ucc_participant *participant)
{
    IUnknown *request;

    ucc_participant_end_media_request(participant);
    if (participant->type != UCCST_AUDIO_VIDEO || !connection_point_has_sinks(&participant->modality_events)
        || FAILED(ucc_media_request_create(participant, &request)))
    {
        sip_call_accept_offer(participant->call, 0, NULL);
        ucc_participant_media_changed(participant, call_media_active(participant->call));
        return;
    }
    participant->media_request = request;       /* ours; the event takes its own */
    fire_av_event(participant, DISPID__IUccAudioVideoSessionParticipantEvents_OnMediaRequest, request);
}

void ucc_participant_media_offer_cancelled(struct ucc_participant *participant)
{
    IUnknown *request = participant->media_request;

    if (!request)
        return;
    IUnknown_AddRef(request);
    ucc_participant_end_media_request(participant);
    fire_av_event(participant, DISPID__IUccAudioVideoSessionParticipantEvents_OnMediaRequestCancelled, request);
    IUnknown_Release(request);
}

static HRESULT WINAPI participant_QueryInterface(IUccSessionParticipant *iface, REFIID riid, void **ppv)
{
    struct ucc_participant *participant = impl_from_IUccSessionParticipant(iface);

    if (!ppv)
        return E_POINTER;
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IUccSessionParticipant))
        *ppv = &participant->IUccSessionParticipant_iface;
    else if (participant->type == UCCST_INSTANT_MESSAGING && IsEqualIID(riid, &IID_IUccInstantMessagingSessionParticipant))
        *ppv = &participant->IUccInstantMessagingSessionParticipant_iface;
    else if (participant->type == UCCST_AUDIO_VIDEO && IsEqualIID(riid, &IID_IUccAudioVideoSessionParticipant))
        *ppv = &participant->IUccAudioVideoSessionParticipant_iface;
    else if (IsEqualIID(riid, &IID_IConnectionPointContainer))
        *ppv = &participant->IConnectionPointContainer_iface;
    else
    {
        *ppv = NULL;
        return E_NOINTERFACE;
    }
    IUnknown_AddRef((IUnknown *)*ppv);
    return S_OK;
}

static ULONG WINAPI participant_AddRef(IUccSessionParticipant *iface)
{
    return InterlockedIncrement(&impl_from_IUccSessionParticipant(iface)->refcount);
}

static ULONG WINAPI participant_Release(IUccSessionParticipant *iface)
{
    struct ucc_participant *participant = impl_from_IUccSessionParticipant(iface);
    ULONG ref = InterlockedDecrement(&participant->refcount);

    if (!ref)
    {
        if (participant->call)
        {
            /* Nobody holds the participant of a live call (the session does): end it anyway. */
            sip_call_hangup(participant->call, NULL);
            ucc_participant_set_call(participant, NULL);
        }
        impl_from_IUccSessionParticipantEndpoint(participant->endpoint)->participant = NULL;
        IUccSessionParticipantEndpoint_Release(participant->endpoint);
        if (participant->channels)
            g_ptr_array_free(participant->channels, TRUE);
        connection_point_destroy(&participant->participant_events);
        connection_point_destroy(&participant->modality_events);
        connection_point_destroy(&participant->endpoint_events);
        connection_point_destroy(&participant->channel_events);
        ucc_participant_end_media_request(participant);
        if (participant->update_context)
            IUccOperationContext_Release(participant->update_context);
        if (participant->add_context)
            IUccOperationContext_Release(participant->add_context);
        if (participant->remove_context)
            IUccOperationContext_Release(participant->remove_context);
        if (participant->context)
            IUccContext_Release(participant->context);
        IUccUri_Release(participant->uri);
        ucc_platform_release(participant->platform);
        free(participant);
        com_module_unlock();
    }
    return ref;
}

static HRESULT WINAPI participant_get_Context(IUccSessionParticipant *iface, IUccContext **context)
{
    if (!context)
        return E_POINTER;
    *context = impl_from_IUccSessionParticipant(iface)->context;
    IUccContext_AddRef(*context);
    return S_OK;
}

static HRESULT WINAPI participant_get_State(IUccSessionParticipant *iface, UCC_SESSION_ENTITY_STATE *state)
{
    if (!state)
        return E_POINTER;
    *state = impl_from_IUccSessionParticipant(iface)->state;
    return S_OK;
}

static HRESULT WINAPI participant_get_Uri(IUccSessionParticipant *iface, IUccUri **uri)
{
    if (!uri)
        return E_POINTER;
    *uri = impl_from_IUccSessionParticipant(iface)->uri;
    IUccUri_AddRef(*uri);
    return S_OK;
}

static HRESULT WINAPI participant_get_Session(IUccSessionParticipant *iface, IUccSession **session)
{
    struct ucc_participant *participant = impl_from_IUccSessionParticipant(iface);

    if (!session)
        return E_POINTER;
    *session = NULL;
    if (!participant->session)
        return UCC_E_RTCSHIM_INVALID_STATE;     /* the session is gone */
    *session = ucc_session_iface(participant->session);
    IUccSession_AddRef(*session);
    return S_OK;
}

static HRESULT WINAPI participant_get_IsLocal(IUccSessionParticipant *iface, VARIANT_BOOL *local)
{
    if (!local)
        return E_POINTER;
    *local = impl_from_IUccSessionParticipant(iface)->local ? VARIANT_TRUE : VARIANT_FALSE;
    return S_OK;
}

static HRESULT WINAPI participant_get_Endpoints(IUccSessionParticipant *iface, IUccCollection **endpoints)
{
    struct ucc_participant *participant = impl_from_IUccSessionParticipant(iface);
    IUnknown *items[1] = { (IUnknown *)participant->endpoint };

    if (!endpoints)
        return E_POINTER;
    return ucc_collection_create(items, 1, endpoints);
}

static HRESULT WINAPI participant_CreateParticipantEndpoint(IUccSessionParticipant *iface, IUccUri *uri,
                                                            BSTR endpoint_id, IUccContext *context,
                                                            IUccSessionParticipantEndpoint **endpoint)
{
    return com_not_built(__func__);
}

static HRESULT WINAPI participant_CopyParticipantEndpoint(IUccSessionParticipant *iface,
                                                          IUccSessionParticipantEndpoint *source,
                                                          IUccContext *context,
                                                          IUccSessionParticipantEndpoint **endpoint)
{
    return com_not_built(__func__);
}

static HRESULT WINAPI participant_AddParticipantEndpoint(IUccSessionParticipant *iface,
                                                         IUccSessionParticipantEndpoint *endpoint,
                                                         IUccOperationContext *operation)
{
    return com_not_built(__func__);
}

static HRESULT WINAPI participant_RemoveParticipantEndpoint(IUccSessionParticipant *iface,
                                                            IUccSessionParticipantEndpoint *endpoint,
                                                            IUccOperationContext *operation)
{
    return com_not_built(__func__);
}

static const IUccSessionParticipantVtbl participant_vtbl =
{
    participant_QueryInterface,
    participant_AddRef,
    participant_Release,
    participant_get_Context,
    participant_get_State,
    participant_get_Uri,
    participant_get_Session,
    participant_get_IsLocal,
    participant_get_Endpoints,
    participant_CreateParticipantEndpoint,
    participant_CopyParticipantEndpoint,
    participant_AddParticipantEndpoint,
    participant_RemoveParticipantEndpoint,
};

/* ---- IUccInstantMessagingSessionParticipant ------------------------------------------------------------ */

static HRESULT WINAPI im_participant_QueryInterface(IUccInstantMessagingSessionParticipant *iface, REFIID riid,
                                                    void **ppv)
{
    return participant_QueryInterface(&impl_from_IUccInstantMessagingSessionParticipant(iface)->IUccSessionParticipant_iface,
                                      riid, ppv);
}

static ULONG WINAPI im_participant_AddRef(IUccInstantMessagingSessionParticipant *iface)
{
    return participant_AddRef(&impl_from_IUccInstantMessagingSessionParticipant(iface)->IUccSessionParticipant_iface);
}

static ULONG WINAPI im_participant_Release(IUccInstantMessagingSessionParticipant *iface)
{
    return participant_Release(&impl_from_IUccInstantMessagingSessionParticipant(iface)->IUccSessionParticipant_iface);
}

/* As the peer's last is-composing (RFC 3994) said. */
static HRESULT WINAPI im_participant_get_IsComposing(IUccInstantMessagingSessionParticipant *iface,
                                                     VARIANT_BOOL *composing)
{
    if (!composing)
        return E_POINTER;
    *composing = impl_from_IUccInstantMessagingSessionParticipant(iface)->composing ? VARIANT_TRUE : VARIANT_FALSE;
    return S_OK;
}

static HRESULT WINAPI im_participant_get_ComposingContentType(IUccInstantMessagingSessionParticipant *iface,
                                                              BSTR *content_type)
{
    struct ucc_participant *participant = impl_from_IUccInstantMessagingSessionParticipant(iface);

    return ucc_return_bstr(participant->composing ? "text/plain" : "", content_type);
}

static const IUccInstantMessagingSessionParticipantVtbl im_participant_vtbl =
{
    im_participant_QueryInterface,
    im_participant_AddRef,
    im_participant_Release,
    im_participant_get_IsComposing,
    im_participant_get_ComposingContentType,
};

/* ---- IUccAudioVideoSessionParticipant ------------------------------------------------------------------ */

#define AV_PARTICIPANT(iface) (&impl_from_IUccAudioVideoSessionParticipant(iface)->IUccSessionParticipant_iface)

static HRESULT WINAPI av_participant_QueryInterface(IUccAudioVideoSessionParticipant *iface, REFIID riid, void **ppv)
{
    return participant_QueryInterface(AV_PARTICIPANT(iface), riid, ppv);
}

static ULONG WINAPI av_participant_AddRef(IUccAudioVideoSessionParticipant *iface)
{
    return participant_AddRef(AV_PARTICIPANT(iface));
}

static ULONG WINAPI av_participant_Release(IUccAudioVideoSessionParticipant *iface)
{
    return participant_Release(AV_PARTICIPANT(iface));
}

static HRESULT WINAPI av_participant_CreateChannel(IUccAudioVideoSessionParticipant *iface, UCC_MEDIA_TYPES type,
                                                   IUccContext *context, IUccMediaChannel **channel)
{
    if (!channel)
        return E_POINTER;
    *channel = NULL;
    if (type != UCCMT_AUDIO && type != UCCMT_VIDEO)
        return E_INVALIDARG;
    return ucc_media_channel_create(type, context, channel);
}

/* OnChannelAdded / OnChannelRemoved, queued for the participant's sinks. */
static void fire_channel_event(struct ucc_participant *participant, DISPID dispid, IUccMediaChannel *channel)
{
    IUnknown *event;

    if (SUCCEEDED(ucc_channel_collection_event_create(channel, ucc_media_channel_context(channel), &event)))
    {
        ucc_fire_event(participant->platform, &participant->channel_events, dispid,
                       (IUnknown *)&participant->IUccAudioVideoSessionParticipant_iface, event);
        IUnknown_Release(event);
    }
}

static HRESULT WINAPI av_participant_AddChannel(IUccAudioVideoSessionParticipant *iface, IUccMediaChannel *channel)
{
    struct ucc_participant *participant = impl_from_IUccAudioVideoSessionParticipant(iface);
    guint i;

    if (!ucc_media_channel_is_ours(channel))
        return E_INVALIDARG;
    for (i = 0; i < participant->channels->len; i++)
    {
        IUccMediaChannel *other = g_ptr_array_index(participant->channels, i);
        if (other == channel || ucc_media_channel_type(other) == ucc_media_channel_type(channel))
            return E_INVALIDARG;       /* one channel per medium */
    }
    IUccMediaChannel_AddRef(channel);
    g_ptr_array_add(participant->channels, channel);
    ucc_media_channel_attach(channel, participant);
    if (participant->call)
        ucc_media_channel_call_started(channel);
    fire_channel_event(participant, DISPID__IUccMediaChannelCollectionEvents_OnChannelAdded, channel);
    return S_OK;
}

static HRESULT WINAPI av_participant_RemoveChannel(IUccAudioVideoSessionParticipant *iface, IUccMediaChannel *channel)
{
    struct ucc_participant *participant = impl_from_IUccAudioVideoSessionParticipant(iface);

    if (!channel || !g_ptr_array_find(participant->channels, channel, NULL))
        return E_INVALIDARG;
    ucc_media_channel_attach(channel, NULL);
    fire_channel_event(participant, DISPID__IUccMediaChannelCollectionEvents_OnChannelRemoved, channel);
    g_ptr_array_remove(participant->channels, channel);
    return S_OK;
}

static HRESULT WINAPI av_participant_get_Channels(IUccAudioVideoSessionParticipant *iface, IUccCollection **channels)
{
    struct ucc_participant *participant = impl_from_IUccAudioVideoSessionParticipant(iface);

    if (!channels)
        return E_POINTER;
    return ucc_collection_create((IUnknown **)participant->channels->pdata, participant->channels->len, channels);
}

/* Renegotiates the audio channel's PreferredMedia with the peer (a re-INVITE; no audio channel:
 * inactive). Video is never offered. One update at a time, on a connected call. */
static HRESULT WINAPI av_participant_UpdateChannels(IUccAudioVideoSessionParticipant *iface,
                                                    IUccOperationContext *operation)
{
    struct ucc_participant *participant = impl_from_IUccAudioVideoSessionParticipant(iface);
    LONG directions = 0;
    GError *error = NULL;
    guint i;

    com_partial(__func__, "audio only: video channels are not offered (no video)");
    if (!participant->call || sip_call_get_state(participant->call) != SIP_CALL_STATE_CONNECTED
        || participant->updating)
        return UCC_E_RTCSHIM_INVALID_STATE;
    for (i = 0; i < participant->channels->len; i++)
    {
        IUccMediaChannel *channel = g_ptr_array_index(participant->channels, i);

        if (ucc_media_channel_type(channel) == UCCMT_AUDIO)
            directions = ucc_media_channel_preferred(channel);
    }
    if (!sip_call_update_media(participant->call, (guint)directions, &error))
    {
        g_debug("UpdateChannels: %s", error->message);
        g_error_free(error);
        return UCC_E_RTCSHIM_INVALID_STATE;
    }
    participant->updating = TRUE;
    if ((participant->update_context = operation))
        IUccOperationContext_AddRef(operation);
    return S_OK;
}

/* No media encryption (SRTP) yet. */
static HRESULT WINAPI av_participant_get_EncryptionModes(IUccAudioVideoSessionParticipant *iface, LONG *modes)
{
    com_partial(__func__, "always 0: media encryption (SRTP) is not built");
    if (!modes)
        return E_POINTER;
    *modes = 0;
    return S_OK;
}

static HRESULT WINAPI av_participant_get_EncryptionLevel(IUccAudioVideoSessionParticipant *iface,
                                                         UCC_MEDIA_ENCRYPTION_LEVEL *level)
{
    com_partial(__func__, "always UCCMEL_NONE: media encryption (SRTP) is not built");
    if (!level)
        return E_POINTER;
    *level = UCCMEL_NONE;
    return S_OK;
}

static const IUccAudioVideoSessionParticipantVtbl av_participant_vtbl =
{
    av_participant_QueryInterface,
    av_participant_AddRef,
    av_participant_Release,
    av_participant_CreateChannel,
    av_participant_AddChannel,
    av_participant_RemoveChannel,
    av_participant_get_Channels,
    av_participant_UpdateChannels,
    av_participant_get_EncryptionModes,
    av_participant_get_EncryptionLevel,
};

/* ---- IConnectionPointContainer ---------------------------------------------------------------------------- */

static HRESULT WINAPI container_QueryInterface(IConnectionPointContainer *iface, REFIID riid, void **ppv)
{
    return participant_QueryInterface(&impl_from_IConnectionPointContainer(iface)->IUccSessionParticipant_iface,
                                      riid, ppv);
}

static ULONG WINAPI container_AddRef(IConnectionPointContainer *iface)
{
    return participant_AddRef(&impl_from_IConnectionPointContainer(iface)->IUccSessionParticipant_iface);
}

static ULONG WINAPI container_Release(IConnectionPointContainer *iface)
{
    return participant_Release(&impl_from_IConnectionPointContainer(iface)->IUccSessionParticipant_iface);
}

/* The points of this kind of participant; returns how many. */
static unsigned int participant_points(struct ucc_participant *participant, struct connection_point **points)
{
    unsigned int count = 0;

    points[count++] = &participant->modality_events;
    points[count++] = &participant->participant_events;
    points[count++] = &participant->endpoint_events;
    if (participant->type == UCCST_AUDIO_VIDEO)
        points[count++] = &participant->channel_events;
    return count;
}

static HRESULT WINAPI container_EnumConnectionPoints(IConnectionPointContainer *iface, IEnumConnectionPoints **out)
{
    struct ucc_participant *participant = impl_from_IConnectionPointContainer(iface);
    struct connection_point *points[4];

    return connection_points_enum(points, participant_points(participant, points), out);
}

static HRESULT WINAPI container_FindConnectionPoint(IConnectionPointContainer *iface, REFIID riid,
                                                    IConnectionPoint **out)
{
    struct ucc_participant *participant = impl_from_IConnectionPointContainer(iface);
    struct connection_point *points[4];

    return connection_points_find(points, participant_points(participant, points), riid, out);
}

static const IConnectionPointContainerVtbl container_vtbl =
{
    container_QueryInterface,
    container_AddRef,
    container_Release,
    container_EnumConnectionPoints,
    container_FindConnectionPoint,
};

/* ---- creation ------------------------------------------------------------------------------------------------- */

static void release_channel(gpointer channel)
{
    ucc_media_channel_attach(channel, NULL);
    IUccMediaChannel_Release((IUccMediaChannel *)channel);
}

HRESULT ucc_participant_create(struct ucc_session *session, IUccUri *uri, IUccContext *context, BOOL local,
                               struct ucc_participant **out)
{
    struct ucc_participant *participant;
    char *text, *id;
    IUccUri *own_uri;
    HRESULT hr;

    *out = NULL;
    /* Our own parsed copy: the application's IUccUri may be any implementation. */
    if (!(text = ucc_uri_text(uri)))
        return E_INVALIDARG;
    hr = ucc_uri_create(text, &own_uri);
    g_free(text);
    if (FAILED(hr))
        return hr;
    if (!(participant = calloc(1, sizeof(*participant))))
    {
        IUccUri_Release(own_uri);
        return E_OUTOFMEMORY;
    }
    participant->IUccSessionParticipant_iface.lpVtbl = &participant_vtbl;
    participant->IUccInstantMessagingSessionParticipant_iface.lpVtbl = &im_participant_vtbl;
    participant->IUccAudioVideoSessionParticipant_iface.lpVtbl = &av_participant_vtbl;
    participant->IConnectionPointContainer_iface.lpVtbl = &container_vtbl;
    participant->refcount = 1;
    com_module_lock();      /* DllCanUnloadNow: one more live object */
    participant->platform = session->platform;
    ucc_platform_add_ref(participant->platform);
    participant->session = session;
    participant->type = session->type;
    participant->uri = own_uri;
    participant->local = local;
    participant->state = UCCSES_IDLE;
    if ((participant->context = context))
        IUccContext_AddRef(context);
    else if (FAILED(hr = ucc_context_create(&participant->context)))
        goto fail;
    connection_point_init(&participant->participant_events, &participant->IConnectionPointContainer_iface,
                          &DIID__IUccSessionParticipantEvents);
    connection_point_init(&participant->modality_events, &participant->IConnectionPointContainer_iface,
                          session->type == UCCST_AUDIO_VIDEO ? &DIID__IUccAudioVideoSessionParticipantEvents
                                                              : &DIID__IUccInstantMessagingSessionParticipantEvents);
    connection_point_init(&participant->endpoint_events, &participant->IConnectionPointContainer_iface,
                          &DIID__IUccSessionParticipantEndpointCollectionEvents);
    connection_point_init(&participant->channel_events, &participant->IConnectionPointContainer_iface,
                          &DIID__IUccMediaChannelCollectionEvents);
    participant->channels = g_ptr_array_new_with_free_func(release_channel);
    id = g_uuid_string_random();
    hr = ucc_participant_endpoint_create(participant, own_uri, id, &participant->endpoint);
    g_free(id);
    if (FAILED(hr))
        goto fail;
    *out = participant;
    return S_OK;

fail:
    if (participant->context)
        IUccContext_Release(participant->context);
    if (participant->channels)
        g_ptr_array_free(participant->channels, TRUE);
    IUccUri_Release(own_uri);
    ucc_platform_release(participant->platform);
    free(participant);
    com_module_unlock();
    return hr;
}
