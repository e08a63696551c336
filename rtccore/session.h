/*
 * The session family's shared inside: session.c (the session object) and
 * transfer.c (REFER, both sides) work on the same struct.
 */
#ifndef RTCSHIM_RTCCORE_SESSION_H
#define RTCSHIM_RTCCORE_SESSION_H

#include "rtccore_private.h"

struct outgoing_transfer;
struct incoming_transfer;

#define MAX_AUTOMATIC_REDIRECTS 5

enum pending_operation
{
    OPERATION_NONE,
    OPERATION_HOLD,
    OPERATION_UNHOLD,
};

struct session
{
    IRTCSession2 IRTCSession2_iface;
    IRTCSessionCallControl IRTCSessionCallControl_iface;
    LONG refcount;

    struct client *client;          /* strong: the session keeps its client alive */
    RTC_SESSION_TYPE type;
    RTC_SESSION_STATE state;
    LONG flags;                     /* RTCCS_* */
    IRTCProfile *profile;
    BSTR local_phone_uri;

    struct sip_call *call;          /* the current INVITE session, if any */
    IRTCParticipant *participant;   /* the remote party */
    BOOL incoming;
    BOOL answered;                  /* Answer() was called (or auto-accept) */

    /* 3xx: followed automatically, or kept for NextRedirectedUser/Redirect. */
    char **redirect_contacts;
    int redirect_position;          /* -1 before the first NextRedirectedUser */
    unsigned int redirects_followed;
    BOOL disconnected_by_redirect;

    enum pending_operation pending;
    LONG_PTR pending_cookie;

    /* Transfer (IRTCSessionCallControl): what the application set on a new
     * session (IDLE only), or what arrived on an incoming INVITE. */
    BSTR referred_by_uri;
    BSTR refer_cookie;
    BOOL is_referred;
    struct outgoing_transfer *transfer;         /* our REFER in progress, if any */
    struct incoming_transfer *serving_transfer; /* the accepted REFER this session carries out */
    unsigned int final_status;                  /* the SIP code the call ended with */

    /* media.c: what RTCE_MEDIA last told about each direction (enum sip_media_flow). */
    struct
    {
        RTC_MEDIA_EVENT_TYPE type;
        RTC_MEDIA_EVENT_REASON reason;
    } media_told[2];
};

/* session.c */
void session_change_state(struct session *session, RTC_SESSION_STATE state, LONG status_code, const char *status_text);
IRTCSession *session_iface(struct session *session);
/* The session behind an interface pointer, or NULL when it is not one of ours. */
struct session *session_from_iface(IUnknown *iface);

/* media.c */
void session_media_init(struct session *session);
/* The session's state changed: tell what the audio did, or that it ended. */
void session_media_state_changed(struct session *session, RTC_SESSION_STATE old, RTC_SESSION_STATE state);
/* RTCMT_AUDIO_SEND / RTCMT_AUDIO_RECEIVE as the call's SDP agreed (0 before). */
LONG session_media_types(struct session *session);

/* transfer.c */
HRESULT transfer_refer(struct session *session, BSTR refer_to, BSTR cookie);
/* The session's call ended, rang, or was created for a transfer target. */
void transfer_session_alerting(struct session *session);
void transfer_session_ended(struct session *session);
void transfer_link_session(struct session *session, const char *target);
void transfer_session_destroyed(struct session *session);

#endif
