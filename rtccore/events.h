/*
 * RTC event objects: one small, immutable, reference-counted COM object per
 * event the client fires through IRTCEventNotification::Event.
 *
 * Every constructor returns the IDispatch of a new object (reference count 1;
 * the caller owns that reference). The object answers QueryInterface for
 * IUnknown, IDispatch and its event interface; the objects behind the "2"
 * interfaces (session state change, operation complete) answer both the base
 * and the "2" interface, whichever constructor made them, as Microsoft's
 * documentation tells applications to QueryInterface the base for the "2".
 *
 * Arguments:
 *  - interface pointers are AddRef'd and kept; NULL is allowed and the getter
 *    then returns S_OK with NULL;
 *  - strings are copied (WCHAR, i.e. wchar_t); NULL is kept as the empty
 *    string, which is what a NULL BSTR means;
 *  - enums and numbers are stored as given.
 * Getters return E_POINTER for a NULL out pointer, AddRef'd interface pointers
 * and freshly allocated BSTRs that the caller frees with SysFreeString.
 *
 * IDispatch works without a type library: GetIDsOfNames/Invoke go through a
 * table per interface with the DISPIDs of rtccore.idl; GetTypeInfoCount gives 0.
 */
#ifndef RTCSHIM_RTCCORE_EVENTS_H
#define RTCSHIM_RTCCORE_EVENTS_H

#include "rtccore_private.h"

/* The RTCEF_* filter bit that lets events of this type through
 * IRTCClient::put_EventFilter (the RTCEF_* values of rtccore.h: not 1 << type); 0 for a value
 * outside RTC_EVENT. */
LONG rtc_event_filter_bit(RTC_EVENT type);

/* Every RTCEF_* bit that lets events of this type through: the type's bit,
 * and for RTCE_BUDDY / RTCE_WATCHER also RTCEF_BUDDY2 / RTCEF_WATCHER2
 * (docs/wire-mapping.md, "Presence events": the "2" bits ask for every event
 * type of RTC_BUDDY_EVENT_TYPE / RTC_WATCHER_EVENT_TYPE, the plain bits for
 * the RTC 1.0 ones only). */
LONG rtc_event_filter_mask(RTC_EVENT type);

/* RTCE_CLIENT: IRTCClientEvent. */
HRESULT rtc_client_event_create(RTC_CLIENT_EVENT_TYPE type, IRTCClient *client, IDispatch **event);

/* RTCE_REGISTRATION_STATE_CHANGE: IRTCRegistrationStateChangeEvent. */
HRESULT rtc_registration_state_change_event_create(IRTCProfile *profile, RTC_REGISTRATION_STATE state,
                                                   LONG status_code, const WCHAR *status_text,
                                                   IDispatch **event);

/*
 * RTCE_SESSION_STATE_CHANGE: IRTCSessionStateChangeEvent and ...Event2.
 * The short form gives the "2" properties their "nothing known" values:
 * MediaTypes 0, both RemotePreferredSecurityLevel RTCSECL_UNSUPPORTED,
 * IsForked VARIANT_FALSE, and an empty remote session description.
 */
HRESULT rtc_session_state_change_event_create(IRTCSession *session, RTC_SESSION_STATE state,
                                              LONG status_code, const WCHAR *status_text,
                                              IDispatch **event);
/* av_security / t120_security: get_RemotePreferredSecurityLevel for
 * RTCSECT_AUDIO_VIDEO_MEDIA_ENCRYPTION / RTCSECT_T120_MEDIA_ENCRYPTION.
 * content_type / session_description: GetRemoteSessionDescription (NULL = none). */
HRESULT rtc_session_state_change_event2_create(IRTCSession *session, RTC_SESSION_STATE state,
                                               LONG status_code, const WCHAR *status_text,
                                               LONG media_types, RTC_SECURITY_LEVEL av_security,
                                               RTC_SECURITY_LEVEL t120_security, VARIANT_BOOL is_forked,
                                               const WCHAR *content_type, const WCHAR *session_description,
                                               IDispatch **event);

/* RTCE_SESSION_OPERATION_COMPLETE: IRTCSessionOperationCompleteEvent and ...Event2.
 * The short form has no participant (NULL) and an empty remote description. */
HRESULT rtc_session_operation_complete_event_create(IRTCSession *session, LONG_PTR cookie,
                                                    LONG status_code, const WCHAR *status_text,
                                                    IDispatch **event);
HRESULT rtc_session_operation_complete_event2_create(IRTCSession *session, LONG_PTR cookie,
                                                     LONG status_code, const WCHAR *status_text,
                                                     IRTCParticipant *participant,
                                                     const WCHAR *content_type,
                                                     const WCHAR *session_description,
                                                     IDispatch **event);

/* RTCE_PARTICIPANT_STATE_CHANGE: IRTCParticipantStateChangeEvent. */
HRESULT rtc_participant_state_change_event_create(IRTCParticipant *participant, RTC_PARTICIPANT_STATE state,
                                                  LONG status_code, IDispatch **event);

/* RTCE_MEDIA: IRTCMediaEvent (media_type: one RTCMT_* bit or a mask). */
HRESULT rtc_media_event_create(LONG media_type, RTC_MEDIA_EVENT_TYPE type, RTC_MEDIA_EVENT_REASON reason,
                               IDispatch **event);

/* RTCE_MESSAGING: IRTCMessagingEvent. */
HRESULT rtc_messaging_event_create(IRTCSession *session, IRTCParticipant *participant,
                                   RTC_MESSAGING_EVENT_TYPE type, const WCHAR *message,
                                   const WCHAR *message_header, RTC_MESSAGING_USER_STATUS user_status,
                                   IDispatch **event);

/* RTCE_INFO: IRTCInfoEvent. */
HRESULT rtc_info_event_create(IRTCSession2 *session, IRTCParticipant *participant, const WCHAR *info,
                              const WCHAR *info_header, IDispatch **event);

/*
 * RTCE_REINVITE: IRTCReInviteEvent. Accept and Reject are the session's
 * business: the event calls these with the context given to the constructor.
 * accept and reject are required (E_INVALIDARG without them).
 * release(ctx), if set, is called once when the event object is destroyed;
 * when the constructor fails it is not called (the caller keeps ctx).
 */
struct rtc_reinvite_ops
{
    /* IRTCReInviteEvent::Accept; the strings are the application's BSTRs, valid during the call. */
    HRESULT (*accept)(void *ctx, const WCHAR *content_type, const WCHAR *session_description);
    HRESULT (*reject)(void *ctx);
    void (*release)(void *ctx);
};

HRESULT rtc_reinvite_event_create(IRTCSession2 *session, RTC_REINVITE_STATE state,
                                  const WCHAR *content_type, const WCHAR *session_description,
                                  const struct rtc_reinvite_ops *ops, void *ctx, IDispatch **event);

/* RTCE_SESSION_REFER_STATUS: IRTCSessionReferStatusEvent. */
HRESULT rtc_session_refer_status_event_create(IRTCSession2 *session, RTC_SESSION_REFER_STATUS status,
                                              LONG status_code, const WCHAR *status_text,
                                              IDispatch **event);

/*
 * RTCE_SESSION_REFERRED: IRTCSessionReferredEvent. Accept, Reject and
 * SetReferredSessionState belong to the transfer logic, which owns ctx; the
 * event calls these with it. SetReferredSessionState checks its argument
 * first (E_INVALIDARG outside RTC_SESSION_STATE) and only then calls
 * set_state. accept, reject and set_state are required (E_INVALIDARG
 * without them). release(ctx), if set, is called exactly once, when the
 * last reference to the event goes (so the transfer logic learns that the
 * application is done with it); when the constructor fails it is not called.
 */
struct rtc_referred_ops
{
    HRESULT (*accept)(void *ctx);
    HRESULT (*reject)(void *ctx);
    HRESULT (*set_state)(void *ctx, RTC_SESSION_STATE state);
    void (*release)(void *ctx);
};

HRESULT rtc_session_referred_event_create(IRTCSession2 *session, const WCHAR *referred_by_uri,
                                          const WCHAR *refer_to_uri, const WCHAR *refer_cookie,
                                          const struct rtc_referred_ops *ops, void *ctx,
                                          IDispatch **event);

/* ---- presence (presence_events.c) ---------------------------------------------------- */

/* RTCE_BUDDY: one object answering IRTCBuddyEvent and IRTCBuddyEvent2. */
HRESULT rtc_buddy_event_create(IRTCBuddy *buddy, RTC_BUDDY_EVENT_TYPE type, LONG status_code,
                               const WCHAR *status_text, IDispatch **event);

/* RTCE_WATCHER: one object answering IRTCWatcherEvent and IRTCWatcherEvent2. */
HRESULT rtc_watcher_event_create(IRTCWatcher *watcher, RTC_WATCHER_EVENT_TYPE type, LONG status_code,
                                 IDispatch **event);

/* RTCE_GROUP: IRTCBuddyGroupEvent (buddy NULL for events about the group itself). */
HRESULT rtc_buddy_group_event_create(RTC_GROUP_EVENT_TYPE type, IRTCBuddyGroup *group, IRTCBuddy2 *buddy,
                                     LONG status_code, IDispatch **event);

/* RTCE_PRESENCE_PROPERTY, _DATA, _STATUS: the outcome of publishing the local
 * user's property, data or status. */
HRESULT rtc_presence_property_event_create(RTC_PRESENCE_PROPERTY property, const WCHAR *value, LONG status_code,
                                           const WCHAR *status_text, IDispatch **event);
HRESULT rtc_presence_data_event_create(const WCHAR *namespace_uri, const WCHAR *data, LONG status_code,
                                       const WCHAR *status_text, IDispatch **event);
HRESULT rtc_presence_status_event_create(RTC_PRESENCE_STATUS status, const WCHAR *notes, LONG status_code,
                                         const WCHAR *status_text, IDispatch **event);

#endif
