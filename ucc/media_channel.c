/*
 * Media channels of audio/video participants: IUccMediaChannel, with
 * IUccAudioMediaChannel and IUccAudioVideoMediaChannel on audio channels.
 *
 * A channel belongs to at most one participant (AddChannel); its controls
 * act on that participant's call through the engine's media API
 * (sip_media.h): volume and mute of each direction, signal levels, DTMF,
 * silence suppression and what each direction's stream is doing. Values set
 * before the call exists are applied when it does. Adding and removing channels fires
 * _IUccMediaChannelCollectionEvents on the participant.
 * Decisions (scales, stream states, HRESULTs) are in docs/wire-mapping.md.
 */
#include <string.h>
#include "ucc_private.h"
#include "sip/sip_call.h"
#include "sip/sip_media.h"

/* IUccAudioMediaChannel volumes run 0..65535; the engine's gains 0.0..1.0. */
#define UCC_VOLUME_MAX 65535

struct media_channel
{
    IUccMediaChannel IUccMediaChannel_iface;
    IUccAudioMediaChannel IUccAudioMediaChannel_iface;
    IUccAudioVideoMediaChannel IUccAudioVideoMediaChannel_iface;
    LONG refcount;
    UCC_MEDIA_TYPES type;
    IUccContext *context;               /* CreateChannel's, may be NULL */
    LONG preferred;                     /* UCC_MEDIA_DIRECTIONS */
    LONG negotiated;
    struct ucc_participant *participant;    /* weak: the one it was added to */
    LONG volume[2];                     /* by enum sip_media_device */
    BOOL muted[2];
    BOOL silence_suppression;           /* off by default (docs/wire-mapping.md) */
};

static const IUccMediaChannelVtbl media_channel_vtbl;
static const IUccAudioMediaChannelVtbl audio_channel_vtbl;
static const IUccAudioVideoMediaChannelVtbl av_channel_vtbl;

static struct media_channel *impl_from_IUccMediaChannel(IUccMediaChannel *iface)
{
    return CONTAINING_RECORD(iface, struct media_channel, IUccMediaChannel_iface);
}

static struct media_channel *impl_from_IUccAudioMediaChannel(IUccAudioMediaChannel *iface)
{
    return CONTAINING_RECORD(iface, struct media_channel, IUccAudioMediaChannel_iface);
}

static struct media_channel *impl_from_IUccAudioVideoMediaChannel(IUccAudioVideoMediaChannel *iface)
{
    return CONTAINING_RECORD(iface, struct media_channel, IUccAudioVideoMediaChannel_iface);
}

static struct media_channel *channel_from_iface(IUccMediaChannel *iface)
{
    return iface && iface->lpVtbl == &media_channel_vtbl ? impl_from_IUccMediaChannel(iface) : NULL;
}

/* The call the channel's controls act on, or NULL. */
static struct sip_call *channel_call(struct media_channel *channel)
{
    return channel->participant ? channel->participant->call : NULL;
}

/* One direction (not a mask) to the device that carries it. */
static BOOL device_of(UCC_MEDIA_DIRECTIONS direction, enum sip_media_device *device)
{
    if (direction == UCCMD_SEND) *device = SIP_MEDIA_MICROPHONE;
    else if (direction == UCCMD_RECEIVE) *device = SIP_MEDIA_SPEAKER;
    else return FALSE;
    return TRUE;
}

static void apply_volume(struct media_channel *channel, enum sip_media_device device)
{
    struct sip_call *call = channel_call(channel);

    if (!call) return;
    sip_call_set_media_volume(call, device, (double)channel->volume[device] / UCC_VOLUME_MAX, NULL);
    sip_call_set_media_muted(call, device, channel->muted[device], NULL);
}

/* ---- IUccMediaChannel ----------------------------------------------------------------------------- */

static HRESULT WINAPI media_channel_QueryInterface(IUccMediaChannel *iface, REFIID riid, void **ppv)
{
    struct media_channel *channel = impl_from_IUccMediaChannel(iface);

    if (!ppv)
        return E_POINTER;
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IUccMediaChannel))
        *ppv = &channel->IUccMediaChannel_iface;
    else if (channel->type == UCCMT_AUDIO && IsEqualIID(riid, &IID_IUccAudioMediaChannel))
        *ppv = &channel->IUccAudioMediaChannel_iface;
    else if (channel->type == UCCMT_AUDIO && IsEqualIID(riid, &IID_IUccAudioVideoMediaChannel))
        *ppv = &channel->IUccAudioVideoMediaChannel_iface;
    else
    {
        *ppv = NULL;
        return E_NOINTERFACE;
    }
    IUnknown_AddRef((IUnknown *)*ppv);
    return S_OK;
}

static ULONG WINAPI media_channel_AddRef(IUccMediaChannel *iface)
{
    return InterlockedIncrement(&impl_from_IUccMediaChannel(iface)->refcount);
}

static ULONG WINAPI media_channel_Release(IUccMediaChannel *iface)
{
    struct media_channel *channel = impl_from_IUccMediaChannel(iface);
    ULONG ref = InterlockedDecrement(&channel->refcount);

    if (!ref)
    {
        if (channel->context)
            IUccContext_Release(channel->context);
        free(channel);
        com_module_unlock();
    }
    return ref;
}

static HRESULT WINAPI media_channel_get_MediaType(IUccMediaChannel *iface, UCC_MEDIA_TYPES *type)
{
    if (!type)
        return E_POINTER;
    *type = impl_from_IUccMediaChannel(iface)->type;
    return S_OK;
}

static HRESULT WINAPI media_channel_get_PreferredMedia(IUccMediaChannel *iface, LONG *directions)
{
    if (!directions)
        return E_POINTER;
    *directions = impl_from_IUccMediaChannel(iface)->preferred;
    return S_OK;
}

static HRESULT WINAPI media_channel_put_PreferredMedia(IUccMediaChannel *iface, LONG directions)
{
    if (directions & ~UCCMD_BOTH)
        return E_INVALIDARG;
    impl_from_IUccMediaChannel(iface)->preferred = directions;
    return S_OK;
}

/* What the SDP exchange gave (as far as preferred): audio while the call is up, video never. */
static HRESULT WINAPI media_channel_get_NegotiatedMedia(IUccMediaChannel *iface, LONG *directions)
{
    if (!directions)
        return E_POINTER;
    *directions = impl_from_IUccMediaChannel(iface)->negotiated;
    return S_OK;
}

static const IUccMediaChannelVtbl media_channel_vtbl =
{
    media_channel_QueryInterface,
    media_channel_AddRef,
    media_channel_Release,
    media_channel_get_MediaType,
    media_channel_get_PreferredMedia,
    media_channel_put_PreferredMedia,
    media_channel_get_NegotiatedMedia,
};

/* ---- IUccAudioMediaChannel ------------------------------------------------------------------------ */

#define AUDIO_CHANNEL(iface) (&impl_from_IUccAudioMediaChannel(iface)->IUccMediaChannel_iface)

static HRESULT WINAPI audio_channel_QueryInterface(IUccAudioMediaChannel *iface, REFIID riid, void **ppv)
{
    return media_channel_QueryInterface(AUDIO_CHANNEL(iface), riid, ppv);
}

static ULONG WINAPI audio_channel_AddRef(IUccAudioMediaChannel *iface)
{
    return media_channel_AddRef(AUDIO_CHANNEL(iface));
}

static ULONG WINAPI audio_channel_Release(IUccAudioMediaChannel *iface)
{
    return media_channel_Release(AUDIO_CHANNEL(iface));
}

static HRESULT WINAPI audio_channel_get_Volume(IUccAudioMediaChannel *iface, UCC_MEDIA_DIRECTIONS direction,
                                               LONG *volume)
{
    enum sip_media_device device;

    if (!volume)
        return E_POINTER;
    if (!device_of(direction, &device))
        return E_INVALIDARG;
    *volume = impl_from_IUccAudioMediaChannel(iface)->volume[device];
    return S_OK;
}

static HRESULT WINAPI audio_channel_put_Volume(IUccAudioMediaChannel *iface, UCC_MEDIA_DIRECTIONS direction,
                                               LONG volume)
{
    struct media_channel *channel = impl_from_IUccAudioMediaChannel(iface);
    enum sip_media_device device;

    if (!device_of(direction, &device) || volume < 0 || volume > UCC_VOLUME_MAX)
        return E_INVALIDARG;
    channel->volume[device] = volume;
    apply_volume(channel, device);
    return S_OK;
}

static HRESULT WINAPI audio_channel_get_IsMuted(IUccAudioMediaChannel *iface, UCC_MEDIA_DIRECTIONS direction,
                                                VARIANT_BOOL *muted)
{
    enum sip_media_device device;

    if (!muted)
        return E_POINTER;
    if (!device_of(direction, &device))
        return E_INVALIDARG;
    *muted = impl_from_IUccAudioMediaChannel(iface)->muted[device] ? VARIANT_TRUE : VARIANT_FALSE;
    return S_OK;
}

static HRESULT WINAPI audio_channel_put_IsMuted(IUccAudioMediaChannel *iface, UCC_MEDIA_DIRECTIONS direction,
                                                VARIANT_BOOL muted)
{
    struct media_channel *channel = impl_from_IUccAudioMediaChannel(iface);
    enum sip_media_device device;

    if (!device_of(direction, &device))
        return E_INVALIDARG;
    channel->muted[device] = muted != VARIANT_FALSE;
    apply_volume(channel, device);
    return S_OK;
}

/* The engine's silence suppression of the call (no RTP while the microphone is silent), or FALSE
 * with *hr when the media backend cannot. */
static BOOL apply_silence_suppression(struct media_channel *channel, HRESULT *hr)
{
    struct sip_call *call = channel_call(channel);
    GError *error = NULL;

    *hr = S_OK;
    if (!call || sip_call_set_silence_suppression(call, channel->silence_suppression, &error))
        return TRUE;
    *hr = g_error_matches(error, SIP_MEDIA_ERROR, SIP_MEDIA_ERROR_UNSUPPORTED) ? UCC_E_RTCSHIM_NOT_SUPPORTED : E_FAIL;
    g_message("SilenceSuppression: %s", error->message);
    g_error_free(error);
    return FALSE;
}

/* No comfort noise (RFC 3389) is sent in the gaps; a set value applies when the call starts. */
static HRESULT WINAPI audio_channel_get_SilenceSuppression(IUccAudioMediaChannel *iface, VARIANT_BOOL *enabled)
{
    if (!enabled)
        return E_POINTER;
    *enabled = impl_from_IUccAudioMediaChannel(iface)->silence_suppression ? VARIANT_TRUE : VARIANT_FALSE;
    return S_OK;
}

static HRESULT WINAPI audio_channel_put_SilenceSuppression(IUccAudioMediaChannel *iface, VARIANT_BOOL enabled)
{
    struct media_channel *channel = impl_from_IUccAudioMediaChannel(iface);
    BOOL old = channel->silence_suppression;
    HRESULT hr;

    channel->silence_suppression = enabled != VARIANT_FALSE;
    if (!apply_silence_suppression(channel, &hr))
        channel->silence_suppression = old;
    return hr;
}

/* The last peak measured on the call (0..100, 0 before any or without a call). */
static HRESULT WINAPI audio_channel_get_SignalLevel(IUccAudioMediaChannel *iface, UCC_MEDIA_DIRECTIONS direction,
                                                    LONG *level)
{
    struct sip_call *call = channel_call(impl_from_IUccAudioMediaChannel(iface));
    enum sip_media_device device;

    if (!level)
        return E_POINTER;
    if (!device_of(direction, &device))
        return E_INVALIDARG;
    *level = call ? (LONG)sip_call_get_media_level(call, device) : 0;
    return S_OK;
}

static HRESULT WINAPI audio_channel_SendDtmf(IUccAudioMediaChannel *iface, UCC_DTMF dtmf)
{
    struct sip_call *call = channel_call(impl_from_IUccAudioMediaChannel(iface));
    GError *error = NULL;
    HRESULT hr;

    if ((unsigned int)dtmf > UCCDTMF_FLASH)
        return E_INVALIDARG;
    if (!call)
        return UCC_E_NO_STREAM;
    /* UCC_DTMF values are the RFC 4733 event codes. */
    if (sip_call_send_dtmf(call, dtmf, &error))
        return S_OK;
    hr = g_error_matches(error, SIP_MEDIA_ERROR, SIP_MEDIA_ERROR_NO_STREAM) ? UCC_E_NO_STREAM
         : g_error_matches(error, SIP_MEDIA_ERROR, SIP_MEDIA_ERROR_UNSUPPORTED) ? UCC_E_CODECS_MISMATCH : E_FAIL;
    g_debug("SendDtmf: %s", error->message);
    g_error_free(error);
    return hr;
}

static const IUccAudioMediaChannelVtbl audio_channel_vtbl =
{
    audio_channel_QueryInterface,
    audio_channel_AddRef,
    audio_channel_Release,
    audio_channel_get_Volume,
    audio_channel_put_Volume,
    audio_channel_get_IsMuted,
    audio_channel_put_IsMuted,
    audio_channel_get_SilenceSuppression,
    audio_channel_put_SilenceSuppression,
    audio_channel_get_SignalLevel,
    audio_channel_SendDtmf,
};

/* ---- IUccAudioVideoMediaChannel ------------------------------------------------------------------- */

#define AV_CHANNEL(iface) (&impl_from_IUccAudioVideoMediaChannel(iface)->IUccMediaChannel_iface)

static HRESULT WINAPI av_channel_QueryInterface(IUccAudioVideoMediaChannel *iface, REFIID riid, void **ppv)
{
    return media_channel_QueryInterface(AV_CHANNEL(iface), riid, ppv);
}

static ULONG WINAPI av_channel_AddRef(IUccAudioVideoMediaChannel *iface)
{
    return media_channel_AddRef(AV_CHANNEL(iface));
}

static ULONG WINAPI av_channel_Release(IUccAudioVideoMediaChannel *iface)
{
    return media_channel_Release(AV_CHANNEL(iface));
}

/* STOPPED without a connected call; INACTIVE when the SDP (or hold) leaves the
 * direction out or its device failed; ACTIVE once audio flows; STARTED in between. */
static HRESULT WINAPI av_channel_GetMediaStreamState(IUccAudioVideoMediaChannel *iface,
                                                     UCC_MEDIA_DIRECTIONS direction, UCC_MEDIA_STREAM_STATE *state)
{
    struct sip_call *call = channel_call(impl_from_IUccAudioVideoMediaChannel(iface));
    enum sip_media_flow flow;
    enum sip_media_flow_reason reason;
    enum sip_media_flow_state flowing;
    guint directions;

    if (!state)
        return E_POINTER;
    if (direction == UCCMD_SEND) flow = SIP_MEDIA_FLOW_SEND;
    else if (direction == UCCMD_RECEIVE) flow = SIP_MEDIA_FLOW_RECEIVE;
    else return E_INVALIDARG;
    if (!call || sip_call_get_state(call) != SIP_CALL_STATE_CONNECTED)
    {
        *state = UCCMSS_STOPPED;
        return S_OK;
    }
    directions = sip_call_get_media_directions(call);
    flowing = sip_call_get_media_flow(call, flow, &reason);
    if (!(directions & direction) || flowing == SIP_MEDIA_FLOW_FAILED || reason == SIP_MEDIA_REASON_HOLD)
        *state = UCCMSS_INACTIVE;
    else
        *state = flowing == SIP_MEDIA_FLOW_STARTED ? UCCMSS_ACTIVE : UCCMSS_STARTED;
    return S_OK;
}

static const IUccAudioVideoMediaChannelVtbl av_channel_vtbl =
{
    av_channel_QueryInterface,
    av_channel_AddRef,
    av_channel_Release,
    av_channel_GetMediaStreamState,
};

/* ---- what participant.c uses -------------------------------------------------------------------------- */

HRESULT ucc_media_channel_create(UCC_MEDIA_TYPES type, IUccContext *context, IUccMediaChannel **out)
{
    struct media_channel *channel;

    if (!(channel = calloc(1, sizeof(*channel))))
        return E_OUTOFMEMORY;
    channel->IUccMediaChannel_iface.lpVtbl = &media_channel_vtbl;
    channel->IUccAudioMediaChannel_iface.lpVtbl = &audio_channel_vtbl;
    channel->IUccAudioVideoMediaChannel_iface.lpVtbl = &av_channel_vtbl;
    channel->refcount = 1;
    com_module_lock();      /* DllCanUnloadNow: one more live object */
    channel->type = type;
    channel->preferred = UCCMD_BOTH;
    channel->volume[SIP_MEDIA_SPEAKER] = channel->volume[SIP_MEDIA_MICROPHONE] = UCC_VOLUME_MAX;
    if ((channel->context = context))
        IUccContext_AddRef(context);
    *out = &channel->IUccMediaChannel_iface;
    return S_OK;
}

BOOL ucc_media_channel_is_ours(IUccMediaChannel *iface)
{
    return channel_from_iface(iface) != NULL;
}

UCC_MEDIA_TYPES ucc_media_channel_type(IUccMediaChannel *iface)
{
    return impl_from_IUccMediaChannel(iface)->type;
}

IUccContext *ucc_media_channel_context(IUccMediaChannel *iface)
{
    return impl_from_IUccMediaChannel(iface)->context;
}

LONG ucc_media_channel_preferred(IUccMediaChannel *iface)
{
    return impl_from_IUccMediaChannel(iface)->preferred;
}

void ucc_media_channel_attach(IUccMediaChannel *iface, struct ucc_participant *participant)
{
    struct media_channel *channel = impl_from_IUccMediaChannel(iface);

    channel->participant = participant;
    if (!participant)
        channel->negotiated = 0;
}

/* The participant's call now exists: what was set before it applies. */
void ucc_media_channel_call_started(IUccMediaChannel *iface)
{
    struct media_channel *channel = impl_from_IUccMediaChannel(iface);
    HRESULT hr;

    if (channel->type != UCCMT_AUDIO)
        return;
    apply_volume(channel, SIP_MEDIA_SPEAKER);
    apply_volume(channel, SIP_MEDIA_MICROPHONE);
    if (channel->silence_suppression && !apply_silence_suppression(channel, &hr))
        channel->silence_suppression = FALSE;       /* the value says what is in effect */
}

/* Offer/answer agreed (active) or the call is over: audio gets what the SDP allows of what was preferred. */
void ucc_media_channel_negotiated(IUccMediaChannel *iface, BOOL active)
{
    struct media_channel *channel = impl_from_IUccMediaChannel(iface);
    struct sip_call *call = channel_call(channel);

    channel->negotiated = active && call && channel->type == UCCMT_AUDIO
                          ? channel->preferred & (LONG)sip_call_get_media_directions(call) : 0;
}
