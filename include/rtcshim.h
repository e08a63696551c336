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

#ifdef __cplusplus
}
#endif

#endif /* RTCSHIM_H */
