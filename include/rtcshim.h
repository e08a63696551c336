/*
 * rtcshim.h — the few Linux-only additions to the RTC Client API and UCC API.
 * Everything else an application uses comes from rtccore.h / uccapi.h exactly
 * as on Windows. Keep this header small: each addition is documented here.
 */
#ifndef RTCSHIM_H
#define RTCSHIM_H

#include <windows.h>
#include <rtccore.h>

#ifdef __cplusplus
extern "C" {
#endif

#define RTCSHIM_VERSION_MAJOR 0
#define RTCSHIM_VERSION_MINOR 1
#define RTCSHIM_VERSION_MICRO 0

/* The library's version as "major.minor.micro" (static storage). */
const char *rtcshim_version(void);

/*
 * Attended transfer. For a connected (or held) session with the transfer
 * target, returns the Refer-To URI that makes the transferee replace that call
 * (RFC 3891): <target URI>?Replaces=<call-id>%3Bto-tag%3D...%3Bfrom-tag%3D...
 * Pass it to IRTCSessionCallControl::Refer on the session being transferred.
 * E_INVALIDARG for a session that is not rtcshim's, RTC_E_INVALID_SESSION_STATE
 * when the target session is not connected or held. SysFreeString the result.
 */
HRESULT rtcshim_build_attended_refer_to(IRTCSession *target_session, BSTR *refer_to);

/*
 * How long an incoming REFER waits for the application's Accept or Reject
 * (RTCE_SESSION_REFERRED) before it is declined with 603: 30000 ms unless set.
 * E_INVALIDARG for 0 or a client that is not rtcshim's;
 * RTC_E_CLIENT_NOT_INITIALIZED before Initialize.
 */
HRESULT rtcshim_set_refer_decision_timeout(IRTCClient *client, ULONG milliseconds);

/*
 * How long received RTP may pause before RTCE_MEDIA reports RTCMT_AUDIO_RECEIVE
 * RTCMET_STOPPED with RTCMER_TIMEOUT: 15000 ms unless set; applies to calls
 * whose audio starts afterwards. E_INVALIDARG for 0 or a client that is not
 * rtcshim's; RTC_E_CLIENT_NOT_INITIALIZED before Initialize.
 */
HRESULT rtcshim_set_media_timeout(IRTCClient *client, ULONG milliseconds);

/*
 * What a call's audio did so far (the RTC API has no such counters): RTP
 * packets sent and received, RFC 4733 digits sent and received, and what the
 * RTCP receiver reports say about each direction (packets lost, interarrival
 * jitter in RTP clock units): the peer's about what we send, ours about what
 * we receive. All zero before the call has
 * audio and after it ended. E_INVALIDARG for a session that is not rtcshim's
 * or a NULL stats.
 */
struct rtcshim_media_stats
{
    ULONGLONG rtp_packets_sent;
    ULONGLONG rtp_packets_received;
    ULONGLONG dtmf_digits_sent;
    ULONGLONG dtmf_digits_received;
    ULONGLONG packets_lost;         /* in what we send, as the peer reported it (RTCP RR) */
    ULONG jitter;                   /* of what we send, as the peer reported it (RTCP RR) */
    BOOL rtcp_report_received;      /* the peer sent a receiver report about us */
    ULONGLONG received_lost;        /* in what we receive, as our own receiver reports say */
    ULONG received_jitter;          /* of what we receive, as our own receiver reports say */
    char codec[16];                 /* the codec being sent ("PCMU", "opus", ...), "" when none */
};
HRESULT rtcshim_get_media_stats(IRTCSession *session, struct rtcshim_media_stats *stats);

/*
 * NAT keep-alive of registrations (docs/wire-mapping.md, "Keep-alive"): while a
 * profile is registered, a CRLF CRLF datagram goes to its registrar every
 * udp_seconds over UDP, and an RFC 5626 CRLF CRLF ping every stream_seconds over
 * TCP/TLS. Unless set: 25 and 90 seconds; 0 turns one off. Takes effect from the
 * next keep-alive. E_INVALIDARG for a client that is not rtcshim's;
 * RTC_E_CLIENT_NOT_INITIALIZED before Initialize.
 */
HRESULT rtcshim_set_keepalive_interval(IRTCClient *client, ULONG udp_seconds, ULONG stream_seconds);

/*
 * A transferor may embed headers in the Refer-To URI for the transferee's new
 * INVITE (sip:carol@host?Subject=...). Only Replaces, Accept-Contact,
 * Reject-Contact, Subject and the refer cookie are passed on (ReferToURI
 * carries no others); with allow set, X- headers too. Off unless set.
 * E_INVALIDARG for a client that is not rtcshim's; RTC_E_CLIENT_NOT_INITIALIZED
 * before Initialize.
 */
HRESULT rtcshim_set_refer_to_private_headers(IRTCClient *client, VARIANT_BOOL allow);

#ifdef __cplusplus
}
#endif

#endif /* RTCSHIM_H */
