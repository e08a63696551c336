/*
 * What the RTC Client API objects share. No libosip2 here (docs/architecture.md, "Layers"): the
 * objects reach the SIP engine through its public headers only
 * (src/sip/include/sip/, tools/check-layers.py checks it).
 */
#ifndef RTCSHIM_RTCCORE_PRIVATE_H
#define RTCSHIM_RTCCORE_PRIVATE_H

#ifndef COBJMACROS
#define COBJMACROS
#endif
#include <stdlib.h>
#include <windows.h>
#include <ocidl.h>
#include "rtccore.h"
#include "rtcerr.h"
#include "com/com_private.h"

/* IRTCClient2::get_Version: this is the RTC Client API 1.2, high word major, low word minor. */
#define RTCSHIM_RTC_API_VERSION MAKELONG(2, 1)

/* RTC_E_STATUS_* = MAKE_HRESULT(SEVERITY_ERROR, 0xEF, SIP status code) (docs/wire-mapping.md). */
#define RTC_SIP_STATUS_FACILITY 0xEF
HRESULT rtc_hresult_from_sip_status(unsigned int status_code);
/* The HRESULT of a request's outcome: the engine's enum sip_delivery_failure
 * when no server answered (RTC_E_SIP_DNS_FAIL for a name not found,
 * RTC_E_SIP_INVALID_CERTIFICATE for a refused TLS certificate), else the
 * status code's (docs/wire-mapping.md, "DNS"). */
HRESULT rtc_hresult_from_outcome(unsigned int status_code, int delivery_failure);

/* The refer cookie's header, on the REFER and on the transferee's INVITE (docs/wire-mapping.md). */
#define RTC_REFER_COOKIE_HEADER "X-RTC-Refer-Cookie"

/* IRTCSession::SendMessageStatus travels as RFC 3994 is-composing. */
#define RTC_ISCOMPOSING_CONTENT_TYPE "application/im-iscomposing+xml"

struct client;
struct session;
struct sip_engine;
struct sip_call;
struct sip_refer_callbacks;
struct sip_registration_callbacks;

/* ---- client.c ------------------------------------------------------------------ */

void client_add_ref(struct client *client);
void client_release(struct client *client);
IRTCClient *client_iface(struct client *client);

/* Events for the application: filtered, queued, delivered from the main context. */
BOOL client_wants_event(struct client *client, RTC_EVENT type);
void client_fire_event(struct client *client, RTC_EVENT type, IDispatch *event);
/* An RTCE_CLIENT event of that type, if the filter lets it through. */
void client_fire_client_event(struct client *client, RTC_CLIENT_EVENT_TYPE type);

/* S_OK when the calling thread may use the client (RPC_E_WRONG_THREAD otherwise). */
HRESULT client_check_thread_of(struct client *client);
/* ... and the client is initialised and not shutting down. */
HRESULT client_check_ready(struct client *client);

struct sip_engine *client_engine(struct client *client);
/* The context the client's events and timers run on (the apartment's). */
GMainContext *client_context(struct client *client);
/* Binds the default transports if the application bound none (outgoing calls need one). */
HRESULT client_ensure_transport(struct client *client);
/* From: for requests, a name-addr ("Name" <uri> or <uri>), UTF-8; g_free() it. */
char *client_local_identity(struct client *client);
/* A SIP URI for a telephone number, in the profile's (or else the client's) domain. */
char *client_phone_target(struct client *client, IRTCProfile *profile, const char *number);

/* transfer.c keeps the client's incoming transfers here (struct incoming_transfer *). */
GList **client_incoming_transfers(struct client *client);
/* Which headers embedded in a received Refer-To reach the new INVITE: the
 * engine's allow-list, the refer cookie, and X- headers when allowed. */
void transfer_set_refer_to_headers(struct sip_engine *engine, BOOL allow_private);
/* transfer.c */
extern const struct sip_refer_callbacks rtc_refer_callbacks;
void transfer_client_shutdown(struct client *client);

/* registration.c keeps the enabled profiles here (struct enabled_profile *). */
GList **client_enabled_profiles(struct client *client);
/* Fires RTCCET_ASYNC_CLEANUP_DONE when PrepareForShutdown has nothing left to wait for. */
void client_check_cleanup(struct client *client);
/* registration.c */
extern const struct sip_registration_callbacks rtc_registration_callbacks;
HRESULT registration_enable(struct client *client, IRTCProfile *profile, LONG flags);
HRESULT registration_disable(struct client *client, IRTCProfile *profile);
void registration_shutdown(struct client *client);
BOOL registration_pending(struct client *client);
IUnknown **registration_profiles(struct client *client, unsigned int *count);
void registration_free_all(struct client *client);
struct rtc_profile_server;
char *registration_server_uri(const struct rtc_profile_server *server);

/* The live sessions, in the order they started. */
GList *client_sessions(struct client *client);
/* Its last link: the newest session (walk with ->prev). */
GList *client_sessions_newest(struct client *client);
/* media.c keeps the client's audio settings here. */
struct client_media **client_media_slot(struct client *client);

/* The client keeps live sessions (INPROGRESS .. DISCONNECTED) referenced. */
void client_session_started(struct client *client, struct session *session);
void client_session_ended(struct client *client, struct session *session);
/* An incoming call was answered: the call its Replaces named ends. */
void client_end_replaced_call(struct sip_call *call);
/* MESSAGE/INFO sent for a session: request_completed becomes an operation-complete event. */
void client_track_request(struct client *client, unsigned int request_id, struct session *session, LONG_PTR cookie);

/* ---- session.c -------------------------------------------------------------------- */

HRESULT session_create(struct client *client, RTC_SESSION_TYPE type, const WCHAR *local_phone_uri,
                       IRTCProfile *profile, LONG flags, IRTCSession **out);
struct session *session_create_incoming(struct client *client, struct sip_call *call, BOOL auto_accept);
struct session *session_create_incoming_im(struct client *client, const char *from_uri, const char *display_name);
void session_add_ref(struct session *session);
void session_release(struct session *session);
BOOL session_is_im_with(struct session *session, const char *uri);
void session_set_referred(struct session *session, const char *referred_by, const char *cookie);
void session_end_for_shutdown(struct session *session);
void session_on_call_state(struct session *session, struct sip_call *call, int state);
void session_on_media_changed(struct session *session, struct sip_call *call);
void session_on_info(struct session *session, const char *content_type, const char *body);
void session_on_message(struct session *session, const char *content_type, const char *body);
void session_on_request_completed(struct session *session, LONG_PTR cookie, unsigned int status_code,
                                  int delivery_failure,
                                  const char *reason_phrase);

/* ---- media.c ----------------------------------------------------------------------- */

struct client_media;
struct sip_media_backend;
struct sip_media_event;

/* The backend the client's engine gets: audio, unless disabled or impossible. */
struct sip_media_backend *client_media_backend_new(BOOL disabled);
void client_media_initialized(struct client *client, BOOL disabled);
void client_media_free(struct client *client);
void client_media_filter_changed(struct client *client);
LONG client_media_capabilities(struct client *client);
/* FALSE when calls carry no audio at all (built without an audio backend, as
 * rtcshim.dll is, or the framework could not start); not about devices. */
BOOL client_media_moves_audio(struct client *client);
HRESULT client_media_put_volume(struct client *client, RTC_AUDIO_DEVICE device, LONG volume);
HRESULT client_media_get_volume(struct client *client, RTC_AUDIO_DEVICE device, LONG *volume);
HRESULT client_media_put_muted(struct client *client, RTC_AUDIO_DEVICE device, VARIANT_BOOL muted);
HRESULT client_media_get_muted(struct client *client, RTC_AUDIO_DEVICE device, VARIANT_BOOL *muted);
HRESULT client_media_put_preferred_device(struct client *client, RTC_AUDIO_DEVICE device, BSTR name);
HRESULT client_media_get_preferred_device(struct client *client, RTC_AUDIO_DEVICE device, BSTR *name);
HRESULT client_media_put_preferred_volume(struct client *client, RTC_AUDIO_DEVICE device, LONG volume);
HRESULT client_media_get_preferred_volume(struct client *client, RTC_AUDIO_DEVICE device, LONG *volume);
HRESULT client_media_put_preferred_aec(struct client *client, VARIANT_BOOL enable);
HRESULT client_media_get_preferred_aec(struct client *client, VARIANT_BOOL *enabled);
HRESULT client_media_get_is_tuned(struct client *client, VARIANT_BOOL *tuned);
HRESULT client_media_get_active_media(struct client *client, LONG *media_types);
HRESULT client_media_play_ring(struct client *client, RTC_RING_TYPE type, VARIANT_BOOL play);
HRESULT client_media_send_dtmf(struct client *client, RTC_DTMF digit);
HRESULT client_media_set_timeout(struct client *client, ULONG milliseconds);
/* 0-100 from the active call's RTCP figures; S_FALSE (and 0) when there are none. */
LONG rtc_network_quality(guint fraction_lost, guint jitter_ms, guint round_trip_ms);
HRESULT client_media_get_network_quality(struct client *client, LONG *quality);
void session_on_media_event(struct session *session, struct sip_call *call, const struct sip_media_event *event);

/* ---- participant.c ------------------------------------------------------------------ */

HRESULT participant_create(IRTCSession *session, const WCHAR *uri, const WCHAR *name,
                           RTC_PARTICIPANT_STATE state, IRTCParticipant **out);
RTC_PARTICIPANT_STATE participant_get_state(IRTCParticipant *participant);
void participant_detach(IRTCParticipant *participant);
void participant_set_state(IRTCParticipant *participant, struct client *client, RTC_PARTICIPANT_STATE state,
                           LONG status_code);

#endif
