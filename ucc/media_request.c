/*
 * The peer's media change on a connected AV session (its re-INVITE with a
 * new offer: hold, resume, a medium added or removed) as
 * IUccIncomingMediaRequestEvent, raised through
 * _IUccAudioVideoSessionParticipantEvents::OnMediaRequest.
 *
 * MediaChannels are new channel objects, one per audio or video m= line of
 * the offer, in order, PreferredMedia being what the offer asks of us.
 * Accept answers 200 (the channels removed with RemoveChannel refused with
 * port 0, RFC 3264 §6, as video always is), Reject answers the reason's
 * response. The engine holds the re-INVITE meanwhile and accepts it itself
 * at its bound (SIP_CALL_OFFER_DECISION_TIMEOUT_MS). Decisions:
 * docs/wire-mapping.md, "Media changes the peer asks for".
 */
#include "ucc_private.h"
#include "sip/sip_call.h"

struct media_request
{
    IUccIncomingMediaRequestEvent IUccIncomingMediaRequestEvent_iface;
    LONG refcount;
    struct ucc_participant *participant;    /* weak: cleared when the request is over for it */
    struct sip_call *call;                  /* referenced */
    IUccContext *context;
    GPtrArray *channels;                    /* IUccMediaChannel *, referenced: what the offer describes */
    GArray *lines;                          /* guint: each channel's m= line index */
    guint64 refused;                        /* m= lines removed with RemoveChannel */
};

static const IUccIncomingMediaRequestEventVtbl media_request_vtbl;

static void release_channel(gpointer channel)
{
    IUccMediaChannel_Release((IUccMediaChannel *)channel);
}

static struct media_request *impl_from_IUccIncomingMediaRequestEvent(IUccIncomingMediaRequestEvent *iface)
{
    return CONTAINING_RECORD(iface, struct media_request, IUccIncomingMediaRequestEvent_iface);
}

static HRESULT WINAPI media_request_QueryInterface(IUccIncomingMediaRequestEvent *iface, REFIID riid, void **ppv)
{
    if (!ppv)
        return E_POINTER;
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IUccIncomingMediaRequestEvent)
        || IsEqualIID(riid, &IID_IUccIncomingRequestEvent))
    {
        *ppv = iface;
        IUccIncomingMediaRequestEvent_AddRef(iface);
        return S_OK;
    }
    *ppv = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI media_request_AddRef(IUccIncomingMediaRequestEvent *iface)
{
    return InterlockedIncrement(&impl_from_IUccIncomingMediaRequestEvent(iface)->refcount);
}

static ULONG WINAPI media_request_Release(IUccIncomingMediaRequestEvent *iface)
{
    struct media_request *request = impl_from_IUccIncomingMediaRequestEvent(iface);
    ULONG ref = InterlockedDecrement(&request->refcount);

    if (!ref)
    {
        g_ptr_array_free(request->channels, TRUE);
        g_array_free(request->lines, TRUE);
        IUccContext_Release(request->context);
        sip_call_unref(request->call);
        free(request);
        com_module_unlock();
    }
    return ref;
}

/* The request still waits for this application's decision. */
static HRESULT check_pending(struct media_request *request)
{
    return request->participant && request->participant->media_request == (IUnknown *)request
           ? S_OK : UCC_E_RTCSHIM_INVALID_STATE;
}

/* Decided: the participant forgets the request, and its channels show what the call now does. */
static void decided(struct media_request *request)
{
    struct ucc_participant *participant = request->participant;

    ucc_participant_media_changed(participant, !sip_call_is_local_hold(request->call)
                                               && !sip_call_is_remote_hold(request->call));
    ucc_participant_end_media_request(participant);
}

static HRESULT WINAPI media_request_Accept(IUccIncomingMediaRequestEvent *iface)
{
    struct media_request *request = impl_from_IUccIncomingMediaRequestEvent(iface);
    GError *error = NULL;
    HRESULT hr;

    if (FAILED(hr = check_pending(request)))
        return hr;
    if (!sip_call_accept_offer(request->call, request->refused, &error))
    {
        /* Answered meanwhile: the engine's bound, or the call ended. */
        g_debug("IUccIncomingMediaRequestEvent::Accept: %s", error->message);
        g_error_free(error);
        ucc_participant_end_media_request(request->participant);
        return UCC_E_RTCSHIM_INVALID_STATE;
    }
    decided(request);
    return S_OK;
}

/* The reason's response (docs/wire-mapping.md); "no reason" is 488 Not Acceptable Here. */
static HRESULT WINAPI media_request_Reject(IUccIncomingMediaRequestEvent *iface, UCC_REJECT_OR_TERMINATE_REASON reason)
{
    struct media_request *request = impl_from_IUccIncomingMediaRequestEvent(iface);
    guint code = reason == UCCROTR_NOT_SPECIFIED ? 488 : ucc_response_for_reject_reason(reason);
    GError *error = NULL;
    HRESULT hr;

    if (!code)
        return E_INVALIDARG;
    if (FAILED(hr = check_pending(request)))
        return hr;
    if (!sip_call_reject_offer(request->call, code, &error))
    {
        g_debug("IUccIncomingMediaRequestEvent::Reject: %s", error->message);
        g_error_free(error);
        ucc_participant_end_media_request(request->participant);
        return UCC_E_RTCSHIM_INVALID_STATE;
    }
    decided(request);
    return S_OK;
}

static HRESULT WINAPI media_request_get_Context(IUccIncomingMediaRequestEvent *iface, IUccContext **context)
{
    if (!context)
        return E_POINTER;
    *context = impl_from_IUccIncomingMediaRequestEvent(iface)->context;
    IUccContext_AddRef(*context);
    return S_OK;
}

/* A snapshot: RemoveChannel takes a channel out of later snapshots. */
static HRESULT WINAPI media_request_get_MediaChannels(IUccIncomingMediaRequestEvent *iface, IUccCollection **channels)
{
    struct media_request *request = impl_from_IUccIncomingMediaRequestEvent(iface);

    if (!channels)
        return E_POINTER;
    return ucc_collection_create((IUnknown **)request->channels->pdata, request->channels->len, channels);
}

static HRESULT WINAPI media_request_RemoveChannel(IUccIncomingMediaRequestEvent *iface, IUccMediaChannel *channel)
{
    struct media_request *request = impl_from_IUccIncomingMediaRequestEvent(iface);
    guint index, line;
    HRESULT hr;

    if (!channel || !g_ptr_array_find(request->channels, channel, &index))
        return E_INVALIDARG;
    if (FAILED(hr = check_pending(request)))
        return hr;
    line = g_array_index(request->lines, guint, index);
    if (line < 64)
        request->refused |= (guint64)1 << line;
    g_array_remove_index(request->lines, index);
    g_ptr_array_remove_index(request->channels, index);
    return S_OK;
}

static const IUccIncomingMediaRequestEventVtbl media_request_vtbl =
{
    media_request_QueryInterface,
    media_request_AddRef,
    media_request_Release,
    media_request_Accept,
    media_request_Reject,
    media_request_get_Context,
    media_request_get_MediaChannels,
    media_request_RemoveChannel,
};

/* ---- what participant.c uses ------------------------------------------------------------------------- */

/* One channel per audio or video line of the offer. */
static HRESULT add_offered_channels(struct media_request *request)
{
    struct sip_call_offer_line lines[16];
    guint count = sip_call_get_offer_lines(request->call, lines, G_N_ELEMENTS(lines)), i;
    IUccMediaChannel *channel;
    UCC_MEDIA_TYPES type;
    HRESULT hr;

    for (i = 0; i < count && i < G_N_ELEMENTS(lines); i++)
    {
        if (!g_ascii_strcasecmp(lines[i].media, "audio")) type = UCCMT_AUDIO;
        else if (!g_ascii_strcasecmp(lines[i].media, "video")) type = UCCMT_VIDEO;
        else continue;      /* no UCC channel for it: refused like any line we cannot take */
        if (FAILED(hr = ucc_media_channel_create(type, NULL, &channel)))
            return hr;
        /* the offer's direction, as UCC_MEDIA_DIRECTIONS (the same bits) */
        IUccMediaChannel_put_PreferredMedia(channel, (LONG)lines[i].directions);
        g_ptr_array_add(request->channels, channel);
        g_array_append_val(request->lines, i);
    }
    return S_OK;
}

HRESULT ucc_media_request_create(struct ucc_participant *participant, IUnknown **out)
{
    struct media_request *request;
    IUccContext *context;
    HRESULT hr;

    *out = NULL;
    if (FAILED(hr = ucc_context_create(&context)))
        return hr;
    if (!(request = calloc(1, sizeof(*request))))
    {
        IUccContext_Release(context);
        return E_OUTOFMEMORY;
    }
    request->IUccIncomingMediaRequestEvent_iface.lpVtbl = &media_request_vtbl;
    request->refcount = 1;
    com_module_lock();      /* DllCanUnloadNow: one more live object */
    request->participant = participant;
    request->call = sip_call_ref(participant->call);
    request->context = context;
    request->channels = g_ptr_array_new_with_free_func(release_channel);
    request->lines = g_array_new(FALSE, FALSE, sizeof(guint));
    if (FAILED(hr = add_offered_channels(request)))
    {
        media_request_Release(&request->IUccIncomingMediaRequestEvent_iface);
        return hr;
    }
    *out = (IUnknown *)&request->IUccIncomingMediaRequestEvent_iface;
    return S_OK;
}

void ucc_media_request_detach(IUnknown *iface)
{
    impl_from_IUccIncomingMediaRequestEvent((IUccIncomingMediaRequestEvent *)iface)->participant = NULL;
}
