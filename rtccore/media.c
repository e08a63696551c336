/*
 * The media side of the RTC Client API: the IRTCClient methods about audio
 * (volumes, mute, devices, echo cancellation, rings, DTMF, tuning) and the
 * media events of sessions (RTCE_MEDIA per media type and direction,
 * RTCE_INTENSITY). Everything goes through the engine's media API
 * (sip_media.h); no GStreamer type is seen here.
 *
 * client.c's IRTCClient methods call the client_media_* functions;
 * session.c tells session_media_* about state changes and engine reports.
 * Decisions (volume scale, levels, what hold reports, which session is
 * "active", preferences on disk) are in docs/wire-mapping.md.
 */
#include <errno.h>
#include <string.h>
#include "rtccore_private.h"
#include "rtcshim.h"
#include "events.h"
#include "session.h"
#include "media/media_backend.h"
#include "sip/sip_call.h"
#include "sip/sip_media.h"

/* IRTCClient volumes run 0x0000..0xFFFF; the engine's gains 0.0..1.0. */
#define RTC_VOLUME_MAX 0xFFFF

struct client_media
{
    BOOL disabled;                  /* InitializeEx(RTCIF_DISABLE_MEDIA) */
    LONG preferred_volume[2];       /* by RTC_AUDIO_DEVICE: kept for the application, persisted */
    LONG last_intensity[2];         /* the last RTCE_INTENSITY level told, -1 = none */
    GSource *quality_watch;         /* polls the active call's RTCP figures while there is one */
    LONG last_quality;              /* the last quality RTCCET_NETWORK_QUALITY_CHANGE told, -1 = none */
};

/* ---- life cycle ---------------------------------------------------------------------------- */

struct sip_media_backend *client_media_backend_new(BOOL disabled)
{
    struct sip_media_backend *backend = NULL;
    GError *error = NULL;

    /* A machine where the media framework cannot start still places calls, without audio. */
    if (!disabled && !(backend = media_backend_new(&error)))
    {
        g_message("no audio: %s", error->message);
        g_error_free(error);
    }
    return backend ? backend : media_backend_new_without_audio();
}

/* RTC_AUDIO_DEVICE and the engine's devices have the same values; this says so. */
static enum sip_media_device to_device(RTC_AUDIO_DEVICE device)
{
    return device == RTCAD_MICROPHONE ? SIP_MEDIA_MICROPHONE : SIP_MEDIA_SPEAKER;
}

static struct sip_media_backend *backend_of(struct client *client)
{
    return sip_engine_get_media_backend(client_engine(client));
}

/* ---- preferences that persist (IRTCClient::put_Preferred*) ---------------------------------- */

static char *preferences_path(void)
{
    return g_build_filename(g_get_user_config_dir(), "rtcshim", "rtc-preferences.ini", NULL);
}

static const char *const device_keys[2] = { "speaker", "microphone" };

static GKeyFile *load_preferences(void)
{
    GKeyFile *file = g_key_file_new();
    char *path = preferences_path();

    g_key_file_load_from_file(file, path, G_KEY_FILE_NONE, NULL);
    g_free(path);
    return file;
}

static HRESULT save_preferences(GKeyFile *file)
{
    char *path = preferences_path(), *dir = g_path_get_dirname(path);
    GError *error = NULL;
    HRESULT hr = S_OK;

    if (g_mkdir_with_parents(dir, 0700) || !g_key_file_save_to_file(file, path, &error))
    {
        g_message("cannot save %s: %s", path, error ? error->message : g_strerror(errno));
        g_clear_error(&error);
        hr = E_FAIL;
    }
    g_free(dir);
    g_free(path);
    return hr;
}

void client_media_initialized(struct client *client, BOOL disabled)
{
    struct client_media **slot = client_media_slot(client), *media;
    struct sip_media_backend *backend = backend_of(client);
    GKeyFile *file;
    int device;

    if (!(media = *slot))
        media = *slot = g_new0(struct client_media, 1);
    media->disabled = disabled;
    file = load_preferences();
    for (device = RTCAD_SPEAKER; device <= RTCAD_MICROPHONE; device++)
    {
        char *key = g_strconcat(device_keys[device], "-volume", NULL), *name;
        GError *error = NULL;
        gint volume = g_key_file_get_integer(file, "audio", key, &error);

        media->preferred_volume[device] = error ? RTC_VOLUME_MAX : CLAMP(volume, 0, RTC_VOLUME_MAX);
        g_clear_error(&error);
        g_free(key);
        key = g_strconcat(device_keys[device], "-device", NULL);
        if ((name = g_key_file_get_string(file, "audio", key, NULL)) && *name
                && !sip_media_backend_set_device(backend, device, name, &error))
        {
            /* The device is gone; the system's default plays until another is picked. */
            g_message("preferred %s \"%s\": %s", device_keys[device], name, error->message);
            g_clear_error(&error);
        }
        g_free(name);
        g_free(key);
        media->last_intensity[device] = -1;
    }
    media->last_quality = -1;
    if (g_key_file_get_boolean(file, "audio", "echo-cancellation", NULL))
        sip_media_backend_set_echo_cancellation(backend, TRUE, NULL);
    g_key_file_free(file);
    client_media_filter_changed(client);
}

static void stop_quality_watch(struct client_media *media)
{
    if (!media->quality_watch)
        return;
    g_source_destroy(media->quality_watch);
    g_source_unref(media->quality_watch);
    media->quality_watch = NULL;
}

void client_media_free(struct client *client)
{
    struct client_media **slot = client_media_slot(client);

    if (*slot)
        stop_quality_watch(*slot);
    g_free(*slot);
    *slot = NULL;
}

/* Levels are measured only while the application listens for them. */
void client_media_filter_changed(struct client *client)
{
    struct sip_media_backend *backend = client_engine(client) ? backend_of(client) : NULL;

    if (backend) sip_media_backend_set_level_reporting(backend, client_wants_event(client, RTCE_INTENSITY));
}

/* ---- checks -------------------------------------------------------------------------------- */

static HRESULT check_media(struct client *client)
{
    struct client_media *media;
    HRESULT hr;

    if (FAILED(hr = client_check_ready(client)))
        return hr;
    media = *client_media_slot(client);
    if (media && media->disabled)
        return RTC_E_MEDIA_DISABLED;
    return S_OK;
}

static HRESULT check_device(struct client *client, RTC_AUDIO_DEVICE device)
{
    HRESULT hr;

    if (FAILED(hr = check_media(client)))
        return hr;
    if (device != RTCAD_SPEAKER && device != RTCAD_MICROPHONE)
        return E_INVALIDARG;
    if (!sip_media_backend_moves_audio(backend_of(client)) || !sip_media_backend_has_device(backend_of(client), to_device(device)))
        return RTC_E_MEDIA_AUDIO_DEVICE_NOT_AVAILABLE;
    return S_OK;
}

/* ---- IRTCClient: capabilities, volumes, mute ------------------------------------------------ */

BOOL client_media_moves_audio(struct client *client)
{
    struct client_media *media = *client_media_slot(client);

    return client_engine(client) && !(media && media->disabled) && sip_media_backend_moves_audio(backend_of(client));
}

LONG client_media_capabilities(struct client *client)
{
    struct client_media *media = *client_media_slot(client);
    struct sip_media_backend *backend;
    LONG types = 0;

    if (!client_engine(client) || (media && media->disabled)) return 0;
    backend = backend_of(client);
    if (!sip_media_backend_moves_audio(backend)) return 0;
    if (sip_media_backend_has_device(backend, SIP_MEDIA_MICROPHONE)) types |= RTCMT_AUDIO_SEND;
    if (sip_media_backend_has_device(backend, SIP_MEDIA_SPEAKER)) types |= RTCMT_AUDIO_RECEIVE;
    return types;
}

HRESULT client_media_put_volume(struct client *client, RTC_AUDIO_DEVICE device, LONG volume)
{
    HRESULT hr;

    if (FAILED(hr = check_device(client, device)))
        return hr;
    if (volume < 0 || volume > RTC_VOLUME_MAX)
        return E_INVALIDARG;
    if (!sip_media_backend_set_volume(backend_of(client), to_device(device), (double)volume / RTC_VOLUME_MAX, NULL))
        return E_FAIL;
    return S_OK;
}

HRESULT client_media_get_volume(struct client *client, RTC_AUDIO_DEVICE device, LONG *volume)
{
    HRESULT hr;

    if (!volume)
        return E_POINTER;
    if (FAILED(hr = check_device(client, device)))
        return hr;
    *volume = (LONG)(sip_media_backend_get_volume(backend_of(client), to_device(device)) * RTC_VOLUME_MAX + 0.5);
    return S_OK;
}

HRESULT client_media_put_muted(struct client *client, RTC_AUDIO_DEVICE device, VARIANT_BOOL muted)
{
    HRESULT hr;

    if (FAILED(hr = check_device(client, device)))
        return hr;
    if (!sip_media_backend_set_muted(backend_of(client), to_device(device), muted != VARIANT_FALSE, NULL))
        return E_FAIL;
    return S_OK;
}

HRESULT client_media_get_muted(struct client *client, RTC_AUDIO_DEVICE device, VARIANT_BOOL *muted)
{
    HRESULT hr;

    if (!muted)
        return E_POINTER;
    if (FAILED(hr = check_device(client, device)))
        return hr;
    *muted = sip_media_backend_get_muted(backend_of(client), to_device(device)) ? VARIANT_TRUE : VARIANT_FALSE;
    return S_OK;
}

/* ---- IRTCClient: preferences ---------------------------------------------------------------- */

HRESULT client_media_put_preferred_device(struct client *client, RTC_AUDIO_DEVICE device, BSTR name)
{
    char *utf8 = name && *name ? com_utf8_from_wstr(name) : NULL, *key;
    GError *error = NULL;
    GKeyFile *file;
    HRESULT hr;

    if (FAILED(hr = check_media(client)))
        goto done;
    if (device != RTCAD_SPEAKER && device != RTCAD_MICROPHONE)
    {
        hr = E_INVALIDARG;
        goto done;
    }
    if (!sip_media_backend_set_device(backend_of(client), to_device(device), utf8, &error))
    {
        /* "No such audio device" */
        hr = g_error_matches(error, SIP_MEDIA_ERROR, SIP_MEDIA_ERROR_INVALID) ? E_INVALIDARG
             : RTC_E_MEDIA_AUDIO_DEVICE_NOT_AVAILABLE;
        g_error_free(error);
        goto done;
    }
    file = load_preferences();
    key = g_strconcat(device_keys[device], "-device", NULL);
    g_key_file_set_string(file, "audio", key, utf8 ? utf8 : "");
    g_free(key);
    hr = save_preferences(file);
    g_key_file_free(file);
done:
    g_free(utf8);
    return hr;
}

HRESULT client_media_get_preferred_device(struct client *client, RTC_AUDIO_DEVICE device, BSTR *name)
{
    char *utf8;
    HRESULT hr;

    if (!name)
        return E_POINTER;
    if (FAILED(hr = check_media(client)))
        return hr;
    if (device != RTCAD_SPEAKER && device != RTCAD_MICROPHONE)
        return E_INVALIDARG;
    utf8 = sip_media_backend_get_device(backend_of(client), to_device(device));
    *name = com_bstr_from_utf8(utf8);
    g_free(utf8);
    return *name ? S_OK : E_OUTOFMEMORY;
}

HRESULT client_media_put_preferred_volume(struct client *client, RTC_AUDIO_DEVICE device, LONG volume)
{
    struct client_media *media;
    GKeyFile *file;
    char *key;
    HRESULT hr;

    if (FAILED(hr = check_media(client)))
        return hr;
    if ((device != RTCAD_SPEAKER && device != RTCAD_MICROPHONE) || volume < 0 || volume > RTC_VOLUME_MAX)
        return E_INVALIDARG;
    media = *client_media_slot(client);
    media->preferred_volume[device] = volume;
    file = load_preferences();
    key = g_strconcat(device_keys[device], "-volume", NULL);
    g_key_file_set_integer(file, "audio", key, volume);
    g_free(key);
    hr = save_preferences(file);
    g_key_file_free(file);
    return hr;
}

HRESULT client_media_get_preferred_volume(struct client *client, RTC_AUDIO_DEVICE device, LONG *volume)
{
    HRESULT hr;

    if (!volume)
        return E_POINTER;
    if (FAILED(hr = check_media(client)))
        return hr;
    if (device != RTCAD_SPEAKER && device != RTCAD_MICROPHONE)
        return E_INVALIDARG;
    *volume = (*client_media_slot(client))->preferred_volume[device];
    return S_OK;
}

HRESULT client_media_put_preferred_aec(struct client *client, VARIANT_BOOL enable)
{
    GKeyFile *file;
    HRESULT hr;

    if (FAILED(hr = check_media(client)))
        return hr;
    if (!sip_media_backend_set_echo_cancellation(backend_of(client), enable != VARIANT_FALSE, NULL))
        return RTC_E_MEDIA_AEC;
    file = load_preferences();
    g_key_file_set_boolean(file, "audio", "echo-cancellation", enable != VARIANT_FALSE);
    hr = save_preferences(file);
    g_key_file_free(file);
    return hr;
}

HRESULT client_media_get_preferred_aec(struct client *client, VARIANT_BOOL *enabled)
{
    HRESULT hr;

    if (!enabled)
        return E_POINTER;
    if (FAILED(hr = check_media(client)))
        return hr;
    *enabled = sip_media_backend_get_echo_cancellation(backend_of(client)) ? VARIANT_TRUE : VARIANT_FALSE;
    return S_OK;
}

/* Tuned: both devices were chosen (put_PreferredAudioDevice or the environment). */
HRESULT client_media_get_is_tuned(struct client *client, VARIANT_BOOL *tuned)
{
    struct sip_media_backend *backend;
    HRESULT hr;

    if (!tuned)
        return E_POINTER;
    if (FAILED(hr = check_media(client)))
        return hr;
    backend = backend_of(client);
    *tuned = sip_media_backend_device_chosen(backend, SIP_MEDIA_SPEAKER)
             && sip_media_backend_device_chosen(backend, SIP_MEDIA_MICROPHONE) ? VARIANT_TRUE : VARIANT_FALSE;
    return S_OK;
}

/* ---- IRTCClient: rings and DTMF ------------------------------------------------------------- */

HRESULT client_media_play_ring(struct client *client, RTC_RING_TYPE type, VARIANT_BOOL play)
{
    static const enum sip_media_tone tones[] =
    {
        [RTCRT_PHONE] = SIP_MEDIA_TONE_RING,
        [RTCRT_MESSAGE] = SIP_MEDIA_TONE_MESSAGE,
        [RTCRT_RINGBACK] = SIP_MEDIA_TONE_RINGBACK,
    };
    HRESULT hr;

    if ((unsigned int)type > RTCRT_RINGBACK)
        return E_INVALIDARG;
    if (FAILED(hr = check_device(client, RTCAD_SPEAKER)))
        return hr;
    if (!sip_media_backend_play_tone(backend_of(client), tones[type], play != VARIANT_FALSE, NULL))
        return RTC_E_MEDIA_AUDIO_DEVICE_NOT_AVAILABLE;
    return S_OK;
}

static BOOL is_call_session(struct session *session)
{
    return session->type == RTCST_PC_TO_PC || session->type == RTCST_PC_TO_PHONE;
}

/* The session DTMF and levels belong to: the connected call that connected
 * last (RTC has one active media session at a time). */
static struct session *active_session(struct client *client)
{
    GList *link;

    for (link = client_sessions_newest(client); link; link = link->prev)
    {
        struct session *session = link->data;

        if (is_call_session(session) && session->call && session->state == RTCSS_CONNECTED)
            return session;
    }
    return NULL;
}

static BOOL has_held_call(struct client *client)
{
    GList *link;

    for (link = client_sessions(client); link; link = link->next)
    {
        struct session *session = link->data;

        if (is_call_session(session) && session->state == RTCSS_HOLD)
            return TRUE;
    }
    return FALSE;
}

HRESULT client_media_send_dtmf(struct client *client, RTC_DTMF digit)
{
    struct session *session;
    GError *error = NULL;
    HRESULT hr;

    if (FAILED(hr = check_media(client)))
        return hr;
    if ((unsigned int)digit > RTC_DTMF_FLASH)
        return E_INVALIDARG;
    if (!(session = active_session(client)))
        return has_held_call(client) ? RTC_E_MEDIA_SESSION_IN_HOLD : RTC_E_MEDIA_SESSION_NOT_EXIST;
    /* RTC_DTMF values are the RFC 4733 event codes. */
    if (sip_call_send_dtmf(session->call, digit, &error))
        return S_OK;
    if (g_error_matches(error, SIP_MEDIA_ERROR, SIP_MEDIA_ERROR_NO_STREAM))
        hr = sip_call_is_remote_hold(session->call) ? RTC_E_MEDIA_SESSION_IN_HOLD : RTC_E_MEDIA_SESSION_NOT_EXIST;
    else
        hr = RTC_E_MEDIA_CONTROLLER_STATE;      /* no telephone-event agreed, or no audio backend */
    g_debug("SendDTMF: %s", error->message);
    g_error_free(error);
    return hr;
}

HRESULT client_media_get_active_media(struct client *client, LONG *media_types)
{
    struct session *session;
    HRESULT hr;

    if (!media_types)
        return E_POINTER;
    if (FAILED(hr = client_check_ready(client)))
        return hr;
    *media_types = 0;
    if ((session = active_session(client)))
    {
        if (sip_call_get_media_flow(session->call, SIP_MEDIA_FLOW_SEND, NULL) == SIP_MEDIA_FLOW_STARTED)
            *media_types |= RTCMT_AUDIO_SEND;
        if (sip_call_get_media_flow(session->call, SIP_MEDIA_FLOW_RECEIVE, NULL) == SIP_MEDIA_FLOW_STARTED)
            *media_types |= RTCMT_AUDIO_RECEIVE;
    }
    return S_OK;
}

/* ---- network quality (get_NetworkQuality, RTCCET_NETWORK_QUALITY_CHANGE) ---------------- */

/* 0 (worst) to 100 (best) from what the peer's last RTCP receiver report
 * says of our stream (fraction lost /256, jitter, round trip): the E-model's
 * rating (ITU-T G.107) in the simplified form of Cole and Rosenbluth, scaled
 * so that a perfect network is 100. The delay counts the one-way trip, twice
 * the jitter (a jitter buffer's worth) and 10 ms of packetisation; loss
 * costs 2.5 points per percent (docs/wire-mapping.md, "Network quality"). */
LONG rtc_network_quality(guint fraction_lost, guint jitter_ms, guint round_trip_ms)
{
    double delay = round_trip_ms / 2.0 + 2.0 * jitter_ms + 10.0;
    double loss_percent = fraction_lost * 100.0 / 256.0;
    double rating = 93.2 - (delay < 160.0 ? delay / 40.0 : (delay - 120.0) / 10.0) - 2.5 * loss_percent;

    return (LONG)CLAMP(rating * 100.0 / 93.2 + 0.5, 0.0, 100.0);
}

/* The active call's quality; FALSE when there is none to tell (no call, or
 * no receiver report about our stream yet). */
static BOOL current_quality(struct client *client, LONG *quality)
{
    struct session *session = active_session(client);
    struct sip_media_stats stats;

    if (!session || !sip_call_get_media_stats(session->call, &stats) || !stats.rtcp_received)
        return FALSE;
    *quality = rtc_network_quality(stats.fraction_lost, stats.jitter_ms, stats.round_trip_ms);
    return TRUE;
}

HRESULT client_media_get_network_quality(struct client *client, LONG *quality)
{
    HRESULT hr;

    if (!quality)
        return E_POINTER;
    if (FAILED(hr = client_check_ready(client)))
        return hr;
    if (current_quality(client, quality))
        return S_OK;
    *quality = 0;
    return S_FALSE;
}

/* A change of 5 or more, or the quality coming or going, is told: RTCP
 * comes every few seconds and jitter moves a point or two with each. */
#define QUALITY_STEP 5
#define QUALITY_POLL_MS 1000

static void update_quality(struct client *client, struct client_media *media)
{
    LONG quality = -1;     /* none: current_quality leaves it */

    current_quality(client, &quality);
    if ((quality < 0) != (media->last_quality < 0) || ABS(quality - media->last_quality) >= QUALITY_STEP)
    {
        media->last_quality = quality;
        client_fire_client_event(client, RTCCET_NETWORK_QUALITY_CHANGE);
    }
}

static gboolean quality_poll(gpointer data)
{
    struct client *client = data;

    update_quality(client, *client_media_slot(client));
    return G_SOURCE_CONTINUE;
}

/* Watches the quality while a call is connected; when none is left, tells at
 * once that it is gone (before the session's end lets the client's shutdown finish). */
static void watch_quality(struct client *client)
{
    struct client_media *media = *client_media_slot(client);

    if (!media)
        return;
    if (active_session(client))
    {
        if (media->quality_watch)
            return;
        media->quality_watch = g_timeout_source_new(QUALITY_POLL_MS);
        g_source_set_callback(media->quality_watch, quality_poll, client, NULL);
        g_source_attach(media->quality_watch, client_context(client));
        return;
    }
    stop_quality_watch(media);
    update_quality(client, media);
}

/* ---- sessions: RTCE_MEDIA, RTCE_INTENSITY, MediaTypes ---------------------------------------- */

static const LONG flow_media_type[2] = { RTCMT_AUDIO_SEND, RTCMT_AUDIO_RECEIVE };

static RTC_MEDIA_EVENT_TYPE event_type(enum sip_media_flow_state state)
{
    switch (state)
    {
    case SIP_MEDIA_FLOW_STARTED: return RTCMET_STARTED;
    case SIP_MEDIA_FLOW_FAILED: return RTCMET_FAILED;
    default: return RTCMET_STOPPED;
    }
}

static RTC_MEDIA_EVENT_REASON event_reason(enum sip_media_flow_reason reason)
{
    switch (reason)
    {
    case SIP_MEDIA_REASON_HOLD: return RTCMER_HOLD;
    case SIP_MEDIA_REASON_TIMEOUT: return RTCMER_TIMEOUT;
    case SIP_MEDIA_REASON_BAD_DEVICE: return RTCMER_BAD_DEVICE;
    default: return RTCMER_NORMAL;
    }
}

static void fire_media(struct session *session, LONG media_type, RTC_MEDIA_EVENT_TYPE type,
                       RTC_MEDIA_EVENT_REASON reason)
{
    IDispatch *event;

    if (!client_wants_event(session->client, RTCE_MEDIA))
        return;
    if (SUCCEEDED(rtc_media_event_create(media_type, type, reason, &event)))
    {
        client_fire_event(session->client, RTCE_MEDIA, event);
        IDispatch_Release(event);
    }
}

static BOOL media_state(RTC_SESSION_STATE state)
{
    return state == RTCSS_CONNECTED || state == RTCSS_HOLD || state == RTCSS_REFER;
}

/* Tells the application what changed in each direction since it was last
 * told. A direction that never started is not reported stopped, except when
 * RTP stops coming in (TIMEOUT). */
static void sync_flows(struct session *session)
{
    int flow;

    if (!is_call_session(session) || !session->call || !media_state(session->state))
        return;
    if (!client_media_moves_audio(session->client))
    {
        struct client_media *media = *client_media_slot(session->client);

        /* Without an audio backend (rtcshim.dll) no direction ever starts: the
         * call's audio fails once, both directions in one event, for want of a
         * device. Calls with media disabled (RTCIF_DISABLE_MEDIA) report nothing. */
        if ((media && media->disabled) || session->media_told[SIP_MEDIA_FLOW_SEND].type == RTCMET_FAILED)
            return;
        for (flow = SIP_MEDIA_FLOW_SEND; flow <= SIP_MEDIA_FLOW_RECEIVE; flow++)
        {
            session->media_told[flow].type = RTCMET_FAILED;
            session->media_told[flow].reason = RTCMER_BAD_DEVICE;
        }
        fire_media(session, RTCMT_AUDIO_SEND | RTCMT_AUDIO_RECEIVE, RTCMET_FAILED, RTCMER_BAD_DEVICE);
        return;
    }
    for (flow = SIP_MEDIA_FLOW_SEND; flow <= SIP_MEDIA_FLOW_RECEIVE; flow++)
    {
        enum sip_media_flow_reason reason;
        enum sip_media_flow_state state = sip_call_get_media_flow(session->call, flow, &reason);
        RTC_MEDIA_EVENT_TYPE type = event_type(state);
        RTC_MEDIA_EVENT_REASON rtc_reason = event_reason(reason);
        BOOL tell;

        if (type == session->media_told[flow].type)
            tell = type == RTCMET_STOPPED && rtc_reason == RTCMER_TIMEOUT
                   && session->media_told[flow].reason != RTCMER_TIMEOUT;
        else
            tell = !(type == RTCMET_STOPPED && session->media_told[flow].type != RTCMET_STARTED
                     && rtc_reason != RTCMER_TIMEOUT);
        session->media_told[flow].type = type;
        session->media_told[flow].reason = rtc_reason;
        if (tell)
            fire_media(session, flow_media_type[flow], type, rtc_reason);
    }
}

void session_media_init(struct session *session)
{
    int flow;

    for (flow = 0; flow < 2; flow++)
    {
        session->media_told[flow].type = RTCMET_STOPPED;
        session->media_told[flow].reason = RTCMER_NORMAL;
    }
}

void session_media_state_changed(struct session *session, RTC_SESSION_STATE old, RTC_SESSION_STATE state)
{
    int flow;

    if (!is_call_session(session))
        return;
    if (state == RTCSS_CONNECTED || old == RTCSS_CONNECTED)
        watch_quality(session->client);
    if (media_state(state))
    {
        sync_flows(session);
        return;
    }
    if (state == RTCSS_DISCONNECTED && media_state(old))
    {
        /* The call's audio ends with it. */
        for (flow = SIP_MEDIA_FLOW_SEND; flow <= SIP_MEDIA_FLOW_RECEIVE; flow++)
        {
            if (session->media_told[flow].type != RTCMET_STARTED)
                continue;
            session->media_told[flow].type = RTCMET_STOPPED;
            session->media_told[flow].reason = RTCMER_NORMAL;
            fire_media(session, flow_media_type[flow], RTCMET_STOPPED, RTCMER_NORMAL);
        }
    }
}

static void fire_intensity(struct session *session, const struct sip_media_event *event)
{
    struct client_media *media = *client_media_slot(session->client);
    IDispatch *dispatch;

    if (!media || session != active_session(session->client) || !client_wants_event(session->client, RTCE_INTENSITY))
        return;
    if (media->last_intensity[event->device] == (LONG)event->level)
        return;
    media->last_intensity[event->device] = event->level;
    if (SUCCEEDED(rtc_intensity_event_create(event->level, SIP_MEDIA_LEVEL_MIN, SIP_MEDIA_LEVEL_MAX,
                                             (RTC_AUDIO_DEVICE)event->device, &dispatch)))
    {
        client_fire_event(session->client, RTCE_INTENSITY, dispatch);
        IDispatch_Release(dispatch);
    }
}

void session_on_media_event(struct session *session, struct sip_call *call, const struct sip_media_event *event)
{
    if (call != session->call)
        return;
    if (event->type == SIP_MEDIA_EVENT_FLOW)
        sync_flows(session);
    else if (event->type == SIP_MEDIA_EVENT_LEVEL)
        fire_intensity(session, event);
}

LONG session_media_types(struct session *session)
{
    guint directions;

    if (!is_call_session(session) || !session->call)
        return 0;
    directions = sip_call_get_media_directions(session->call);
    return (directions & 1 ? RTCMT_AUDIO_SEND : 0) | (directions & 2 ? RTCMT_AUDIO_RECEIVE : 0);
}

/* ---- rtcshim.h additions --------------------------------------------------------------------- */

HRESULT rtcshim_get_media_stats(IRTCSession *iface, struct rtcshim_media_stats *stats)
{
    struct session *session = iface ? session_from_iface((IUnknown *)iface) : NULL;
    struct sip_media_stats counters;

    if (!session || !stats)
        return E_INVALIDARG;
    memset(stats, 0, sizeof(*stats));
    if (!session->call || !sip_call_get_media_stats(session->call, &counters))
        return S_OK;
    stats->rtp_packets_sent = counters.rtp_packets_sent;
    stats->rtp_packets_received = counters.rtp_packets_received;
    stats->dtmf_digits_sent = counters.dtmf_events_sent;
    stats->dtmf_digits_received = counters.dtmf_events_received;
    stats->packets_lost = counters.packets_lost;
    stats->jitter = counters.jitter;
    stats->rtcp_report_received = counters.rtcp_received;
    stats->received_lost = counters.received_lost;
    stats->received_jitter = counters.received_jitter;
    g_strlcpy(stats->codec, counters.codec ? counters.codec : "", sizeof(stats->codec));
    return S_OK;
}

HRESULT client_media_set_timeout(struct client *client, ULONG milliseconds)
{
    HRESULT hr;

    if (!milliseconds)
        return E_INVALIDARG;
    if (FAILED(hr = client_check_ready(client)))
        return hr;
    sip_media_backend_set_rtp_timeout(backend_of(client), milliseconds);
    return S_OK;
}
