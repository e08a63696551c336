/*
 * What the RTC samples share: turning events into readable lines, and the
 * small BSTR/UTF-8 chores a Linux command line needs. The COM and event code
 * itself stays in each sample, as in the MSDN samples.
 */
#ifndef RTC_SAMPLE_H
#define RTC_SAMPLE_H

#define COBJMACROS
#include <windows.h>
#include <ocidl.h>
#include <rtccore.h>
#include <rtcerr.h>
#include <glib.h>

/* A BSTR from UTF-8 (NULL stays NULL); free with SysFreeString. */
BSTR sample_bstr(const char *utf8);
/* UTF-8 from a BSTR; g_free() it. */
char *sample_utf8(BSTR str);

const char *sample_session_state_name(RTC_SESSION_STATE state);
const char *sample_participant_state_name(RTC_PARTICIPANT_STATE state);
const char *sample_refer_status_name(RTC_SESSION_REFER_STATUS status);
/* "486 Busy Here" for RTC_E_STATUS_CLIENT_BUSY_HERE, "0" for S_OK, else the HRESULT in hex. */
char *sample_status_text(LONG status);

/* Prints one line describing the event, prefixed with who saw it. */
void sample_print_event(const char *who, RTC_EVENT type, IDispatch *event);

/* Connects sink to the client's IRTCEventNotification point. */
HRESULT sample_advise(IRTCClient *client, IUnknown *sink, IConnectionPoint **cp, DWORD *cookie);

/* Starts listening on "address:port" (port 0 = any); prints where. */
HRESULT sample_listen(IRTCClient *client, const char *address_and_port);

/* How an application goes: PrepareForShutdown ends every session and
 * registration; once RTCCET_ASYNC_CLEANUP_DONE says every BYE and
 * un-REGISTER has its answer (or has timed out), Shutdown. Runs the
 * thread's default main context meanwhile. The library bounds that wait
 * (96 s, docs/wire-mapping.md "Shutting down"); SAMPLE_CLEANUP_SECONDS only
 * guards against it not keeping its word. FALSE if it had to. */
#define SAMPLE_CLEANUP_SECONDS 100
BOOL sample_shutdown(const char *who, IRTCClient *client);

#endif
