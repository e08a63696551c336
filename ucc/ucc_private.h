/*
 * What the UCC API objects share. No libosip2 here (docs/architecture.md, "Layers"): the objects
 * reach the SIP engine through its public headers only (src/sip/include/sip/,
 * tools/check-layers.py checks it).
 *
 * Object families, one file each:
 *   platform.c     UccPlatform (one per process), the event queue
 *   endpoint.c     the endpoint: IUccEndpoint(2), IUccServerSignalingSettings,
 *                  IUccSessionManager; binds to the engine
 *   credential.c   IUccCredentialCache, IUccCredential, IUccSignalingServer
 *   session.c      sessions (IM and AV) over engine calls
 *   transfer.c     transfers over REFER: incoming (IUccIncomingSessionTransferEvent)
 *                  and our own (BlindTransfer, ConsultativeTransfer)
 *   participant.c  participants, participant endpoints
 *   media_channel.c  media channels of AV participants (audio controls over the call)
 *   media_request.c  the peer's media change (re-INVITE): IUccIncomingMediaRequestEvent
 *   events.c       event data objects handed to the sinks
 *   operation.c    UccOperationContext and operation progress events
 *   property.c     UccContext, UccPropertyCollection, IUccProperty
 *   collection.c   IUccCollection
 *   uri.c          UccUriManager, IUccUri
 *
 * Threading: every object belongs to the platform's apartment (the GMainContext
 * bound by IUccPlatform::Initialize); events are queued and delivered from that
 * context's dispatch only (ucc_fire_event), never from inside an API call.
 * docs/ucc.md describes the behaviour, docs/wire-mapping.md ("UCC") the wire.
 */
#ifndef RTCSHIM_UCC_PRIVATE_H
#define RTCSHIM_UCC_PRIVATE_H

#ifndef COBJMACROS
#define COBJMACROS
#endif
#include <stdlib.h>
#include <windows.h>
#include <ocidl.h>
#include "uccapi.h"
#include "com/com_private.h"

/* Names of categories compare without case: POSIX's wcscasecmp is the C
 * runtime's _wcsicmp on Windows. */
#ifdef _WIN32
#define wcscasecmp _wcsicmp
#endif

/* ---- HRESULTs rtcshim chose (docs/ucc.md, "Errors") ------------------------------------- */

/* The object is not in a state that allows the call: platform not initialised or
 * shut down, endpoint not enabled, Accept after the inviter cancelled, a second
 * decision on an invitation ... */
#ifndef E_NOT_VALID_STATE      /* Wine's headers have it, mingw-w64's do not */
#define E_NOT_VALID_STATE               HRESULT_FROM_WIN32(ERROR_INVALID_STATE)
#endif
#define UCC_E_RTCSHIM_INVALID_STATE     E_NOT_VALID_STATE                           /* 0x8007139F */
#define UCC_E_RTCSHIM_ALREADY_INITIALIZED HRESULT_FROM_WIN32(ERROR_ALREADY_INITIALIZED) /* 0x800704DF */
/* The request does not apply to this kind of session (Redirect of an IM session ...). */
#define UCC_E_RTCSHIM_NOT_SUPPORTED     HRESULT_FROM_WIN32(ERROR_NOT_SUPPORTED)     /* 0x80070032 */
/* A property id or name that is not in the collection. */
#define UCC_E_RTCSHIM_NOT_FOUND         HRESULT_FROM_WIN32(ERROR_NOT_FOUND)         /* 0x80070490 */

/* A host name with no SIP server in DNS (the engine's SIP_DELIVERY_NAME_NOT_FOUND),
 * as Winsock says it. */
#define UCC_E_RTCSHIM_HOST_NOT_FOUND    HRESULT_FROM_WIN32(WSAHOST_NOT_FOUND)       /* 0x80072AF9 */
/* A TLS server's certificate refused (untrusted, or not for the SIP domain, RFC 5922):
 * the value of rtcerr.h's RTC_E_SIP_INVALID_CERTIFICATE. The UCC API's 0x80EE list
 * follows the RTC API's numbering as far as the reference gives it (to 0x80EE0014);
 * that this code is the same is rtcshim's reading (docs/ucc.md, "Errors"). */
#define UCC_E_RTCSHIM_INVALID_CERTIFICATE ((HRESULT)0x80EE0065)

/* A SIP final status NNN as an HRESULT: MAKE_HRESULT(SEVERITY_ERROR, 0xEF, NNN), the
 * family rtcerr.h's RTC_E_STATUS_* use, so both faces report a SIP code alike. */
#define UCC_SIP_STATUS_FACILITY 0xEF
HRESULT ucc_hresult_from_sip_status(unsigned int status_code);
/* The HRESULT of a request's outcome: the engine's enum sip_delivery_failure when no
 * server answered (a name not found, a certificate refused), else the status code's. */
HRESULT ucc_hresult_from_outcome(unsigned int status_code, int delivery_failure);

/* ---- wire decisions (docs/wire-mapping.md, "UCC") ----------------------------------------- */

/* Session context property 10000: the conversation id, carried in this header. */
#define UCC_CONVERSATION_ID_PROPERTY 10000
#define UCC_CONVERSATION_ID_HEADER "Ms-Conversation-ID"
/* An IM session's INVITE says what it is in this header (until the engine offers m=message). */
#define UCC_SESSION_TYPE_HEADER "X-UCC-Session-Type"
#define UCC_SESSION_TYPE_IM "instant-messaging"
/* StartComposing/StopComposing travel as RFC 3994 is-composing. */
#define UCC_ISCOMPOSING_CONTENT_TYPE "application/im-iscomposing+xml"

/* rtcshim's named properties on the endpoint context (docs/ucc.md). */
#define UCC_PROPERTY_INCOMING_TIMEOUT L"rtcshim.IncomingSessionTimeout"     /* ms, numeric */
#define UCC_PROPERTY_TRANSFER_TIMEOUT L"rtcshim.TransferDecisionTimeout"    /* ms, numeric */
#define UCC_PROPERTY_REFER_PRIVATE_HEADERS L"rtcshim.AllowReferToPrivateHeaders"  /* non-zero: pass on X- */
#define UCC_DEFAULT_INCOMING_TIMEOUT_MS 60000
#define UCC_MAX_AUTOMATIC_REDIRECTS 5

struct ucc_platform;
struct ucc_endpoint;
struct ucc_session;
struct ucc_participant;
struct ucc_outgoing_transfer;
struct sip_engine;
struct sip_call;

/* ---- strings ------------------------------------------------------------------------------ */

/* UTF-8 of a BSTR/WCHAR string (NULL -> NULL); g_free() it. */
char *ucc_utf8(const WCHAR *str);
/* A BSTR of UTF-8 text (NULL -> NULL). */
BSTR ucc_bstr(const char *utf8);
/* *out = a copy of utf8 ("" for NULL); E_POINTER / E_OUTOFMEMORY. */
HRESULT ucc_return_bstr(const char *utf8, BSTR *out);

/* ---- collection.c --------------------------------------------------------------------------- */

/* A read-only IUccCollection snapshot over items (each gets its own reference). */
HRESULT ucc_collection_create(IUnknown **items, unsigned int count, IUccCollection **out);

/* ---- property.c ------------------------------------------------------------------------------ */

/* A UccContext (writable). */
HRESULT ucc_context_create(IUccContext **out);
/* A property collection; a read-only one refuses Add/Remove and its properties refuse put_*. */
HRESULT ucc_property_collection_create(BOOL read_only, IUccPropertyCollection **out);
/* Adds to one of our collections even when it is read-only. id is used when name is NULL.
 * With replace FALSE a second property of the same name is appended (URI header fields). */
HRESULT ucc_properties_add(IUnknown *collection, LONG id, const WCHAR *name, const VARIANT *value, BOOL replace);
HRESULT ucc_properties_add_string(IUnknown *collection, LONG id, const char *name, const char *value, BOOL replace);
/* Reads through the public interface, so contexts the application implements work too:
 * the string value of property id (g_free() it), NULL when unset or not a string. */
char *ucc_context_get_string(IUccContext *context, LONG id);
BOOL ucc_context_get_bool(IUccContext *context, LONG id, BOOL default_value);
LONG ucc_context_get_long(IUccContext *context, LONG id, LONG default_value);
LONG ucc_context_get_named_long(IUccContext *context, const WCHAR *name, LONG default_value);

/* ---- uri.c ------------------------------------------------------------------------------------ */

/* Parses a sip:, sips: or tel: URI; UCC_E_INVALID_SIP_URL when it is not one. */
HRESULT ucc_uri_create(const char *text, IUccUri **out);
/* The URI's text (get_Value), UTF-8, g_free() it; NULL on failure. Works on any IUccUri. */
char *ucc_uri_text(IUccUri *uri);

/* ---- operation.c ------------------------------------------------------------------------------- */

/* An IUccOperationProgressEvent; context and properties may be NULL. */
HRESULT ucc_progress_event_create(IUccOperationContext *context, BOOL complete, HRESULT status,
                                  const char *text, IUccReadOnlyPropertyCollection *properties,
                                  IUccOperationProgressEvent **out);
/* IUccSessionOperationEvent with its per-participant results (a collection of
 * IUccSessionParticipantOperationEvent). */
HRESULT ucc_session_operation_event_create(IUccOperationContext *context, IUccCollection *results,
                                           IUccSessionOperationEvent **out);
HRESULT ucc_participant_operation_event_create(IUccSessionParticipantEndpoint *endpoint,
                                               IUccOperationProgressEvent *result,
                                               IUccSessionParticipantOperationEvent **out);

/* ---- platform.c -------------------------------------------------------------------------------- */

void ucc_platform_add_ref(struct ucc_platform *platform);
void ucc_platform_release(struct ucc_platform *platform);
IUccPlatform *ucc_platform_iface(struct ucc_platform *platform);
/* RPC_E_WRONG_THREAD from any thread but the one that initialised the platform. */
HRESULT ucc_platform_check_thread(const struct ucc_platform *platform);
/* ... and the platform is initialised and not shutting down. */
HRESULT ucc_platform_check_running(const struct ucc_platform *platform);
GMainContext *ucc_platform_context(struct ucc_platform *platform);
/* Initialize's context asked for no media (UCCPC_DISABLE_MEDIA). */
BOOL ucc_platform_media_disabled(struct ucc_platform *platform);
/*
 * Queues an event: from the platform's context the point's sinks get
 * IDispatch::Invoke(dispid) with source and data as VT_UNKNOWN arguments
 * (reverse order: rgvarg[1] = source, rgvarg[0] = data). References are
 * taken on the point's container, source and data until delivery. Events
 * keep their order across all objects of the platform.
 */
void ucc_fire_event(struct ucc_platform *platform, struct connection_point *point, DISPID dispid,
                    IUnknown *source, IUnknown *data);
/* The endpoint list is weak: endpoints register and leave themselves. */
void ucc_platform_add_endpoint(struct ucc_platform *platform, struct ucc_endpoint *endpoint);
void ucc_platform_remove_endpoint(struct ucc_platform *platform, struct ucc_endpoint *endpoint);
/* An endpoint has no live session left: a pending Shutdown may complete. */
void ucc_platform_endpoint_idle(struct ucc_platform *platform);

/* ---- endpoint.c --------------------------------------------------------------------------------- */

/* IUccPlatform::CreateEndpoint. */
HRESULT ucc_endpoint_create(struct ucc_platform *platform, UCC_ENDPOINT_TYPE type, IUccUri *uri, BSTR id,
                            IUccContext *context, IUccEndpoint **out);
void ucc_endpoint_add_ref(struct ucc_endpoint *endpoint);
void ucc_endpoint_release(struct ucc_endpoint *endpoint);
IUccEndpoint *ucc_endpoint_iface(struct ucc_endpoint *endpoint);
struct ucc_platform *ucc_endpoint_platform(struct ucc_endpoint *endpoint);
/* The engine while the endpoint is enabled, else NULL. */
struct sip_engine *ucc_endpoint_engine(struct ucc_endpoint *endpoint);
/* S_OK when sessions may start (platform running, endpoint enabled). */
HRESULT ucc_endpoint_check_ready(struct ucc_endpoint *endpoint);
/* The From of our requests ("sip:alice@host"), g_free() it. */
char *ucc_endpoint_identity(struct ucc_endpoint *endpoint);
struct connection_point *ucc_endpoint_session_manager_point(struct ucc_endpoint *endpoint);
guint ucc_endpoint_incoming_timeout(struct ucc_endpoint *endpoint);
/* The endpoint keeps sessions with a live call referenced. */
void ucc_endpoint_session_started(struct ucc_endpoint *endpoint, struct ucc_session *session);
void ucc_endpoint_session_ended(struct ucc_endpoint *endpoint, struct ucc_session *session);
/* A MESSAGE sent for a session: its completion goes back to the session. */
void ucc_endpoint_track_request(struct ucc_endpoint *endpoint, guint request_id, struct ucc_session *session,
                                struct ucc_participant *participant);
/* Incoming transfers (transfer.c's notifiers), listed weakly while they hold a REFER. */
void ucc_endpoint_add_transfer(struct ucc_endpoint *endpoint, IUnknown *notifier);
void ucc_endpoint_remove_transfer(struct ucc_endpoint *endpoint, IUnknown *notifier);
/* Platform shutdown: end every session; then drop the engine once they are gone. */
void ucc_endpoint_shutdown(struct ucc_endpoint *endpoint);
BOOL ucc_endpoint_has_live_sessions(struct ucc_endpoint *endpoint);
void ucc_endpoint_release_engine(struct ucc_endpoint *endpoint);

/* ---- credential.c -------------------------------------------------------------------------------- */

HRESULT ucc_credential_cache_create(IUccCredentialCache **out);
/* Every (realm, user, password) of one of our caches; realm NULL for UCC_REALM_ALL. */
void ucc_credential_cache_foreach(IUccCredentialCache *cache,
                                  void (*fn)(const char *realm, const char *user, const char *password, void *data),
                                  void *data);
HRESULT ucc_signaling_server_create(const char *address, UCC_TRANSPORT_MODE transport, IUccSignalingServer **out);

/* ---- media_request.c ------------------------------------------------------------------------------ */

/* IUccIncomingMediaRequestEvent for the offer waiting on participant's call. */
HRESULT ucc_media_request_create(struct ucc_participant *participant, IUnknown **out);
/* The request is over for its participant: its decisions fail from now on. */
void ucc_media_request_detach(IUnknown *request);

/* ---- session.c ------------------------------------------------------------------------------------ */

/* How the session's invitation (incoming) stands. */
enum ucc_invitation
{
    UCC_INVITATION_NONE,        /* outgoing session */
    UCC_INVITATION_PENDING,     /* incoming, undecided */
    UCC_INVITATION_ACCEPTED,
    UCC_INVITATION_REJECTED,    /* Reject, Redirect or the timeout */
    UCC_INVITATION_GONE,        /* the inviter cancelled first */
};

struct ucc_session
{
    IUccSession IUccSession_iface;
    IUccInstantMessagingSession IUccInstantMessagingSession_iface;
    IUccAudioVideoSession IUccAudioVideoSession_iface;
    IUccSessionCallControl IUccSessionCallControl_iface;
    IConnectionPointContainer IConnectionPointContainer_iface;
    LONG refcount;

    struct ucc_endpoint *endpoint;      /* strong */
    struct ucc_platform *platform;      /* the endpoint's, not referenced separately */
    UCC_SESSION_TYPE type;
    IUccContext *context;               /* never NULL */
    struct ucc_participant *local;      /* strong */
    GPtrArray *remotes;                 /* struct ucc_participant *, strong: those in Participants */
    BOOL incoming;
    BOOL terminated;                    /* OnTerminate went out (or is queued) */
    BOOL terminating;                   /* Terminate (or shutdown) is ending the calls */
    IUccOperationContext *terminate_context;
    BOOL live;                          /* held by the endpoint */
    enum ucc_invitation invitation;
    GSource *invitation_timer;          /* the bound on an undecided invitation */
    struct ucc_session *replaces;       /* incoming INVITE with Replaces: the session it replaces (strong) */

    struct connection_point session_events;         /* _IUccSessionEvents */
    struct connection_point collection_events;      /* _IUccSessionParticipantCollectionEvents */
    struct connection_point modality_events;        /* _IUccInstantMessagingSessionEvents or _IUccAudioVideoSessionEvents */
    struct connection_point call_control_events;    /* _IUccSessionCallControlEvents */

    GList *sends;                       /* struct ucc_pending_send *: SendMessage awaiting its results */
    IUnknown *transfer;                 /* transfer.c's notifier: the REFER this session carries out */
    struct ucc_outgoing_transfer *outgoing_transfer;    /* our own REFER until its outcome (transfer.c) */

    /* IUccAudioVideoSession settings */
    UCC_MEDIA_ENCRYPTION_LEVEL encryption_level;
    LONG encryption_modes;
    VARIANT_BOOL media_connectivity_disabled;
    VARIANT_BOOL echo_cancellation;
    ULONG max_bandwidth;
};

IUccSession *ucc_session_iface(struct ucc_session *session);
void ucc_session_add_ref(struct ucc_session *session);
void ucc_session_release(struct ucc_session *session);
/* The session behind an interface pointer, or NULL when it is not one of ours. */
struct ucc_session *ucc_session_from_iface(IUnknown *iface);
/* IUccSessionManager::CreateSession. */
HRESULT ucc_session_create(struct ucc_endpoint *endpoint, UCC_SESSION_TYPE type, IUccContext *context,
                           IUccSession **out);
/* An INVITE arrived at an enabled endpoint. */
void ucc_session_incoming_call(struct ucc_endpoint *endpoint, struct sip_call *call);
/* Engine reports for a call owned by one of the session's participants. */
void ucc_session_on_call_state(struct ucc_participant *participant, struct sip_call *call, int state,
                               guint status_code, const char *reason_phrase);
void ucc_session_on_message(struct ucc_participant *participant, const char *content_type, const char *body);
void ucc_session_on_request_completed(struct ucc_session *session, struct ucc_participant *participant,
                                      guint request_id, guint status_code, int delivery_failure,
                                      const char *reason_phrase);
/* IUccIncomingSessionEvent's decisions. */
HRESULT ucc_session_accept_invitation(struct ucc_session *session);
HRESULT ucc_session_reject_invitation(struct ucc_session *session, UCC_REJECT_OR_TERMINATE_REASON reason);
HRESULT ucc_session_redirect_invitation(struct ucc_session *session, UCC_SESSION_REDIRECT_METHOD method,
                                        IUccPropertyCollection *targets);
/* Platform shutdown or Disable: end at once (BYE, CANCEL or 503), events as usual. */
void ucc_session_end(struct ucc_session *session);
/* docs/wire-mapping.md: the final response for a reject reason, 0 when the reason cannot reject. */
guint ucc_response_for_reject_reason(UCC_REJECT_OR_TERMINATE_REASON reason);

/* ---- transfer.c ----------------------------------------------------------------------------------- */

/* Installs the REFER reports on an endpoint's engine; 0 keeps the engine's decision bound (30 s). */
void ucc_transfer_install(struct sip_engine *engine, guint decision_timeout_ms, gboolean allow_private_headers);
/* The endpoint's engine goes: the transfer lets go of its REFER (weakly listed by the endpoint). */
void ucc_transfer_detach(IUnknown *notifier);
/* CreateSession with UCCSC_TRANSFER_CONTEXT in its context carries that transfer out. */
void ucc_transfer_link_session(struct ucc_session *session, IUccContext *context);
void ucc_transfer_unlink_session(struct ucc_session *session);
/* Referred-By and the Refer-To's headers (Replaces ...) for an INVITE to the transfer target. */
void ucc_transfer_invite_headers(struct ucc_session *session, const char *target, GPtrArray *headers);
/* The new session's progress for the transferor: 180, 200, or the failure code. */
void ucc_transfer_progress(struct ucc_session *session, guint code);
/* Transferor: IUccSessionCallControl::BlindTransfer and ConsultativeTransfer send a REFER in
 * the session's call; its progress becomes OnBlindTransfer / OnConsultativeTransfer. */
HRESULT ucc_transfer_blind(struct ucc_session *session, IUccUri *target, IUccOperationContext *operation);
HRESULT ucc_transfer_consultative(struct ucc_session *session, IUccSession *active, IUccOperationContext *operation);
/* The call carrying our REFER ended: a transfer without its outcome yet fails (487). */
void ucc_transfer_outgoing_call_ended(struct ucc_session *session, struct sip_call *call);
/* The session goes: our REFER is let go without a report. */
void ucc_transfer_outgoing_release(struct ucc_session *session);

/* ---- participant.c ----------------------------------------------------------------------------------- */

struct ucc_participant
{
    IUccSessionParticipant IUccSessionParticipant_iface;
    IUccInstantMessagingSessionParticipant IUccInstantMessagingSessionParticipant_iface;
    IUccAudioVideoSessionParticipant IUccAudioVideoSessionParticipant_iface;
    IConnectionPointContainer IConnectionPointContainer_iface;
    LONG refcount;

    struct ucc_platform *platform;      /* strong */
    struct ucc_session *session;        /* weak: cleared when the session goes */
    UCC_SESSION_TYPE type;
    IUccUri *uri;
    IUccContext *context;               /* may be NULL */
    BOOL local;
    UCC_SESSION_ENTITY_STATE state;
    IUccSessionParticipantEndpoint *endpoint;   /* the one endpoint of the participant */
    GPtrArray *channels;                /* IUccMediaChannel * (AV) */

    /* the call to this (remote) participant */
    struct sip_call *call;              /* referenced; its user data is this participant */
    IUccOperationContext *add_context;  /* AddParticipant's, until OnAddParticipant */
    BOOL adding;                        /* AddParticipant in progress */
    BOOL removing;                      /* RemoveParticipant in progress */
    BOOL forwarded;                     /* we answered its invitation with Redirect */
    IUccOperationContext *remove_context;
    unsigned int redirects_followed;
    BOOL composing;
    BOOL updating;                      /* UpdateChannels in progress, until OnUpdateChannels */
    IUccOperationContext *update_context;
    IUnknown *media_request;            /* the peer's media change waiting for a decision (media_request.c) */

    struct connection_point participant_events;     /* _IUccSessionParticipantEvents */
    struct connection_point modality_events;        /* IM or AV participant events */
    struct connection_point endpoint_events;        /* _IUccSessionParticipantEndpointCollectionEvents */
    struct connection_point channel_events;         /* _IUccMediaChannelCollectionEvents */
};

HRESULT ucc_participant_create(struct ucc_session *session, IUccUri *uri, IUccContext *context, BOOL local,
                               struct ucc_participant **out);
IUccSessionParticipant *ucc_participant_iface(struct ucc_participant *participant);
void ucc_participant_add_ref(struct ucc_participant *participant);
void ucc_participant_release(struct ucc_participant *participant);
struct ucc_participant *ucc_participant_from_iface(IUnknown *iface);
/* The session is going away. */
void ucc_participant_detach(struct ucc_participant *participant);
/* Changes the state and fires OnStateChanged (also when only the reason is new). The
 * event also answers IUccOperationProgressEvent with context/status/text. */
void ucc_participant_set_state(struct ucc_participant *participant, UCC_SESSION_ENTITY_STATE state,
                               UCC_PARTICIPANT_STATE_CHANGE_REASON reason, IUccOperationContext *context,
                               HRESULT status, const char *text);
/* Takes over a (new) reference on call and becomes its user data; NULL lets go. */
void ucc_participant_set_call(struct ucc_participant *participant, struct sip_call *call);
/* What the channels of an AV participant negotiated changed (connected, ended). */
void ucc_participant_media_changed(struct ucc_participant *participant, BOOL active);
/* The engine's reports of media changes on the participant's call: our
 * UpdateChannels answered (OnUpdateChannels), the peer's offer waiting for
 * a decision (OnMediaRequest), that offer gone undecided (OnMediaRequestCancelled). */
void ucc_participant_media_updated(struct ucc_participant *participant, unsigned int status_code);
void ucc_participant_media_offered(struct ucc_participant *participant);
void ucc_participant_media_offer_cancelled(struct ucc_participant *participant);
/* The pending media request is decided or over: the participant lets it go. */
void ucc_participant_end_media_request(struct ucc_participant *participant);
/* IUccSessionParticipantEndpoint for the participant. */
HRESULT ucc_participant_endpoint_create(struct ucc_participant *participant, IUccUri *uri, const char *id,
                                        IUccSessionParticipantEndpoint **out);

/* ---- media_channel.c ------------------------------------------------------------------------------- */

HRESULT ucc_media_channel_create(UCC_MEDIA_TYPES type, IUccContext *context, IUccMediaChannel **out);
/* TRUE for a channel made by ucc_media_channel_create. */
BOOL ucc_media_channel_is_ours(IUccMediaChannel *channel);
UCC_MEDIA_TYPES ucc_media_channel_type(IUccMediaChannel *channel);
IUccContext *ucc_media_channel_context(IUccMediaChannel *channel);
/* PreferredMedia (UCC_MEDIA_DIRECTIONS). */
LONG ucc_media_channel_preferred(IUccMediaChannel *channel);
/* The participant whose call the channel's controls act on (NULL: none). */
void ucc_media_channel_attach(IUccMediaChannel *channel, struct ucc_participant *participant);
/* The participant got its call: apply the volumes and mutes set so far. */
void ucc_media_channel_call_started(IUccMediaChannel *channel);
/* Recomputes NegotiatedMedia: the call's SDP directions while active, else none. */
void ucc_media_channel_negotiated(IUccMediaChannel *channel, BOOL active);

/* ---- events.c --------------------------------------------------------------------------------------- */

/* IUccMediaChannelCollectionEvent: the channel added or removed and its context. */
HRESULT ucc_channel_collection_event_create(IUccMediaChannel *channel, IUccContext *context, IUnknown **out);

HRESULT ucc_outgoing_session_event_create(struct ucc_session *session, IUnknown **out);
HRESULT ucc_incoming_session_event_create(struct ucc_session *session, struct ucc_participant *inviter,
                                          IUnknown **out);
HRESULT ucc_state_changed_event_create(UCC_SESSION_ENTITY_STATE old_state, UCC_SESSION_ENTITY_STATE new_state,
                                       UCC_PARTICIPANT_STATE_CHANGE_REASON reason, IUccOperationContext *context,
                                       HRESULT status, const char *text, IUnknown **out);
HRESULT ucc_participant_collection_event_create(struct ucc_participant *participant, IUnknown **out);
HRESULT ucc_instant_message_event_create(IUccSessionParticipantEndpoint *endpoint, const char *content_type,
                                         const char *content, IUnknown **out);
HRESULT ucc_composing_event_create(IUccSessionParticipantEndpoint *endpoint, IUnknown **out);
/* The data of OnBlindTransfer / OnConsultativeTransfer: IUccOperationProgressEvent (the
 * identity) that also answers IUccSessionTransferProgressEvent with state. */
HRESULT ucc_transfer_progress_event_create(IUccOperationContext *context, BOOL complete, HRESULT status,
                                           const char *text, UCC_SESSION_ENTITY_STATE state, IUnknown **out);
/* The data of OnFindServer: IUccFindServerEvent (an IUccOperationProgressEvent) with
 * the servers found (IUccSignalingServer, taken over; may be NULL for none). */
HRESULT ucc_find_server_event_create(IUccOperationContext *context, HRESULT status, const char *text,
                                     IUccCollection *servers, IUnknown **out);

#endif
