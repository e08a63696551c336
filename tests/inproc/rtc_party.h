/*
 * A test party: one RTCClient listening on 127.0.0.1, with an
 * IRTCEventNotification sink that writes every event as a line of text, so a
 * test can assert the exact sequence an application would see. The event
 * filter leaves out RTCE_MEDIA and RTCE_INTENSITY (they come when audio
 * flows, between the others); the media tests put them back.
 *
 * Log lines (status codes as HRESULT hex, 0 for S_OK):
 *   session <STATE> <status>          participant <STATE> <status>
 *   complete <cookie> <status>        media <send|receive> <STARTED|STOPPED|FAILED> <reason>
 *   message <text>                    status <TYPING|IDLE>
 *   info <text>                       client <CLEANUP_DONE|...>
 *   refer <STATUS> <status>           referred <refer-to> by <referred-by> cookie <cookie>
 * Presence (who = the user part of the presentity URI; notes quoted when not empty):
 *   buddy <TYPE> <who> <status> <PRESENCE> ["notes"]      watcher <TYPE> <who> <status> <STATE>
 *   group <TYPE> <name> <buddy who or -> <status>         local-status <PRESENCE> <status> ["notes"]
 *   local-property <PROPERTY> <value or -> <status>       local-data <namespace or -> <status>
 */
#ifndef RTC_PARTY_H
#define RTC_PARTY_H

#define COBJMACROS
#include <windows.h>
#include <ocidl.h>
#include <rtccore.h>
#include <rtcerr.h>
#include <glib.h>

struct party;
typedef void (*party_event_hook)(struct party *party, RTC_EVENT type, IDispatch *event);

struct party
{
    IRTCEventNotification IRTCEventNotification_iface;
    LONG refs;
    char name[16];
    IRTCClient *client;
    IConnectionPoint *cp;
    DWORD cookie;
    GPtrArray *log;
    IRTCSession *incoming;          /* the last session that arrived, referenced */
    IDispatch *last_referred;       /* the last IRTCSessionReferredEvent, referenced */
    IRTCWatcher *last_watcher;      /* the watcher of the last RTCE_WATCHER event, referenced */
    enum { ANSWER_NEVER, ANSWER_AT_ONCE, ANSWER_BUSY } answer;
    party_event_hook hook;          /* called after logging, if set */
    unsigned short port;
    char uri[64];                   /* sip:name@127.0.0.1:port */
    LONG last_media_types;          /* IRTCSessionStateChangeEvent2::get_MediaTypes of the last state event */
};

/* Appended to every party's URI made from now on: "" (UDP, the default) or ";transport=tcp". */
extern const char *party_uri_params;

void party_init(struct party *party, const char *name);
/* The same, listening on a given port (a party that restarts keeps its address). */
void party_init_port(struct party *party, const char *name, unsigned short port);
void party_cleanup(struct party *party);

/* Iterates the main context until the log has a line equal to line (or timeout_ms passes). */
gboolean party_wait(struct party *party, const char *line, int timeout_ms);
/* Iterates the main context for a while (lets stray messages settle). */
void run_loop_for(int ms);
/* The log as one string, lines joined by '|', and cleared. */
char *party_take_log(struct party *party);

/* A fresh outgoing session of type to to->uri, with AddParticipant done. */
IRTCSession *party_call(struct party *from, struct party *to, RTC_SESSION_TYPE type);

BSTR bstr(const char *utf8);    /* a BSTR from a literal; SysFreeString it */
char *utf8_of(BSTR str);        /* g_free; "" for NULL */
const char *presence_status_text(RTC_PRESENCE_STATUS status);   /* ONLINE, BUSY ... */
const char *watcher_state_text(RTC_WATCHER_STATE state);        /* OFFERING, ALLOWED ... */
const char *session_state_name(RTC_SESSION_STATE state);

#endif
