/* The test party: see rtc_party.h. */
#include <stdio.h>
#include <string.h>
#include <wchar.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include "rtc_party.h"
#include "../common/test_time.h"

const char *party_uri_params = "";

static const char *const session_states[] = { "IDLE", "INCOMING", "ANSWERING", "INPROGRESS", "CONNECTED",
                                              "DISCONNECTED", "HOLD", "REFER" };
static const char *const participant_states[] = { "IDLE", "PENDING", "INCOMING", "ANSWERING", "INPROGRESS",
                                                  "ALERTING", "CONNECTED", "DISCONNECTING", "DISCONNECTED" };
static const char *const media_types[] = { "STOPPED", "STARTED", "FAILED" };
static const char *const refer_states[] = { "REFERRING", "ACCEPTED", "ERROR", "REJECTED", "DROPPED", "DONE" };
static const char *const client_events[] = { "VOLUME_CHANGE", "DEVICE_CHANGE", "NETWORK_QUALITY_CHANGE",
                                             "CLEANUP_DONE" };

static const char *const presence_states[] = { "OFFLINE", "ONLINE", "AWAY", "IDLE", "BUSY", "BE_RIGHT_BACK",
                                               "ON_THE_PHONE", "OUT_TO_LUNCH" };
static const char *const watcher_states[] = { "UNKNOWN", "OFFERING", "ALLOWED", "BLOCKED", "DENIED", "PROMPT" };
static const char *const buddy_events[] = { "ADD", "REMOVE", "UPDATE", "STATE_CHANGE", "ROAMED", "SUBSCRIBED" };
static const char *const watcher_events[] = { "ADD", "REMOVE", "UPDATE", "OFFERING", "ROAMED" };
static const char *const group_events[] = { "ADD", "REMOVE", "UPDATE", "BUDDY_ADD", "BUDDY_REMOVE", "ROAMED" };
static const char *const property_names[] = { "PHONENUMBER", "DISPLAYNAME", "EMAIL", "DEVICE_NAME", "MULTIPLE" };

#define NAME_OF(table, value) ((unsigned int)(value) < G_N_ELEMENTS(table) ? table[value] : "?")

const char *presence_status_text(RTC_PRESENCE_STATUS status)
{
    return NAME_OF(presence_states, status);
}

const char *watcher_state_text(RTC_WATCHER_STATE state)
{
    return NAME_OF(watcher_states, state);
}

const char *session_state_name(RTC_SESSION_STATE state)
{
    return (unsigned int)state < G_N_ELEMENTS(session_states) ? session_states[state] : "?";
}

BSTR bstr(const char *utf8)
{
    gunichar *ucs4 = g_utf8_to_ucs4(utf8, -1, NULL, NULL, NULL);
    BSTR ret = SysAllocString((const OLECHAR *)ucs4);
    g_free(ucs4);
    return ret;
}

static char *utf8(BSTR str)
{
    return str ? g_ucs4_to_utf8((const gunichar *)str, -1, NULL, NULL, NULL) : g_strdup("");
}

char *utf8_of(BSTR str)
{
    return utf8(str);
}

static char *status_text(LONG status)
{
    return status ? g_strdup_printf("0x%08x", (unsigned int)status) : g_strdup("0");
}

static struct party *impl_from_sink(IRTCEventNotification *iface)
{
    return CONTAINING_RECORD(iface, struct party, IRTCEventNotification_iface);
}

static HRESULT STDMETHODCALLTYPE sink_QueryInterface(IRTCEventNotification *iface, REFIID riid, void **ppv)
{
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IRTCEventNotification))
    {
        *ppv = iface;
        IRTCEventNotification_AddRef(iface);
        return S_OK;
    }
    *ppv = NULL;
    return E_NOINTERFACE;
}

static ULONG STDMETHODCALLTYPE sink_AddRef(IRTCEventNotification *iface)
{
    return InterlockedIncrement(&impl_from_sink(iface)->refs);
}

static ULONG STDMETHODCALLTYPE sink_Release(IRTCEventNotification *iface)
{
    return InterlockedDecrement(&impl_from_sink(iface)->refs);
}

static void log_line(struct party *party, char *line)
{
    if (g_getenv("RTC_PARTY_TRACE"))
        fprintf(stderr, "[%s] %s\n", party->name, line);
    g_ptr_array_add(party->log, line);
}

static void on_session_state(struct party *party, IDispatch *event)
{
    IRTCSessionStateChangeEvent *e;
    RTC_SESSION_STATE state;
    IRTCSession *session;
    LONG status;
    char *s;

    if (FAILED(IDispatch_QueryInterface(event, &IID_IRTCSessionStateChangeEvent, (void **)&e)))
        return;
    IRTCSessionStateChangeEvent_get_State(e, &state);
    IRTCSessionStateChangeEvent_get_StatusCode(e, &status);
    IRTCSessionStateChangeEvent_get_Session(e, &session);
    {
        IRTCSessionStateChangeEvent2 *e2;

        if (SUCCEEDED(IDispatch_QueryInterface(event, &IID_IRTCSessionStateChangeEvent2, (void **)&e2)))
        {
            IRTCSessionStateChangeEvent2_get_MediaTypes(e2, &party->last_media_types);
            IRTCSessionStateChangeEvent2_Release(e2);
        }
    }
    s = status_text(status);
    log_line(party, g_strdup_printf("session %s %s", session_state_name(state), s));
    g_free(s);
    if (state == RTCSS_INCOMING)
    {
        if (party->incoming)
            IRTCSession_Release(party->incoming);
        party->incoming = session;
        IRTCSession_AddRef(session);
        if (party->answer == ANSWER_AT_ONCE)
        {
            RTC_SESSION_TYPE type;
            IRTCSession_get_Type(session, &type);
            if (type == RTCST_PC_TO_PC || type == RTCST_PC_TO_PHONE)
                IRTCSession_Answer(session);
        }
        else if (party->answer == ANSWER_BUSY)
            IRTCSession_Terminate(session, RTCTR_BUSY);
    }
    IRTCSession_Release(session);
    IRTCSessionStateChangeEvent_Release(e);
}

static void on_participant_state(struct party *party, IDispatch *event)
{
    IRTCParticipantStateChangeEvent *e;
    RTC_PARTICIPANT_STATE state;
    LONG status;
    char *s;

    if (FAILED(IDispatch_QueryInterface(event, &IID_IRTCParticipantStateChangeEvent, (void **)&e)))
        return;
    IRTCParticipantStateChangeEvent_get_State(e, &state);
    IRTCParticipantStateChangeEvent_get_StatusCode(e, &status);
    s = status_text(status);
    log_line(party, g_strdup_printf("participant %s %s", participant_states[state], s));
    g_free(s);
    IRTCParticipantStateChangeEvent_Release(e);
}

static void on_operation_complete(struct party *party, IDispatch *event)
{
    IRTCSessionOperationCompleteEvent *e;
    LONG_PTR cookie;
    LONG status;
    char *s;

    if (FAILED(IDispatch_QueryInterface(event, &IID_IRTCSessionOperationCompleteEvent, (void **)&e)))
        return;
    IRTCSessionOperationCompleteEvent_get_Cookie(e, &cookie);
    IRTCSessionOperationCompleteEvent_get_StatusCode(e, &status);
    s = status_text(status);
    log_line(party, g_strdup_printf("complete %ld %s", (long)cookie, s));
    g_free(s);
    IRTCSessionOperationCompleteEvent_Release(e);
}

static void on_media(struct party *party, IDispatch *event)
{
    IRTCMediaEvent *e;
    RTC_MEDIA_EVENT_TYPE type;
    RTC_MEDIA_EVENT_REASON reason;
    LONG media_type;

    if (FAILED(IDispatch_QueryInterface(event, &IID_IRTCMediaEvent, (void **)&e)))
        return;
    IRTCMediaEvent_get_MediaType(e, &media_type);
    IRTCMediaEvent_get_EventType(e, &type);
    IRTCMediaEvent_get_EventReason(e, &reason);
    log_line(party, g_strdup_printf("media %s %s %d", media_type == RTCMT_AUDIO_SEND ? "send"
                                    : media_type == RTCMT_AUDIO_RECEIVE ? "receive" : "?", media_types[type], reason));
    IRTCMediaEvent_Release(e);
}

static void on_messaging(struct party *party, IDispatch *event)
{
    IRTCMessagingEvent *e;
    RTC_MESSAGING_EVENT_TYPE type;
    RTC_MESSAGING_USER_STATUS status;
    IRTCSession *session;
    BSTR message = NULL;
    char *text;

    if (FAILED(IDispatch_QueryInterface(event, &IID_IRTCMessagingEvent, (void **)&e)))
        return;
    IRTCMessagingEvent_get_EventType(e, &type);
    if (type == RTCMSET_MESSAGE)
    {
        IRTCMessagingEvent_get_Message(e, &message);
        text = utf8(message);
        log_line(party, g_strdup_printf("message %s", text));
        g_free(text);
        SysFreeString(message);
    }
    else
    {
        IRTCMessagingEvent_get_UserStatus(e, &status);
        log_line(party, g_strdup_printf("status %s", status == RTCMUS_TYPING ? "TYPING" : "IDLE"));
    }
    /* An IM session that arrived: keep it for replies. */
    if (SUCCEEDED(IRTCMessagingEvent_get_Session(e, &session)))
    {
        if (party->incoming != session)
        {
            if (party->incoming)
                IRTCSession_Release(party->incoming);
            party->incoming = session;
            IRTCSession_AddRef(session);
        }
        IRTCSession_Release(session);
    }
    IRTCMessagingEvent_Release(e);
}

static void on_info(struct party *party, IDispatch *event)
{
    IRTCInfoEvent *e;
    BSTR info = NULL;
    char *text;

    if (FAILED(IDispatch_QueryInterface(event, &IID_IRTCInfoEvent, (void **)&e)))
        return;
    IRTCInfoEvent_get_Info(e, &info);
    text = utf8(info);
    log_line(party, g_strdup_printf("info %s", text));
    g_free(text);
    SysFreeString(info);
    IRTCInfoEvent_Release(e);
}

static void on_client(struct party *party, IDispatch *event)
{
    IRTCClientEvent *e;
    RTC_CLIENT_EVENT_TYPE type;

    if (FAILED(IDispatch_QueryInterface(event, &IID_IRTCClientEvent, (void **)&e)))
        return;
    IRTCClientEvent_get_EventType(e, &type);
    log_line(party, g_strdup_printf("client %s", client_events[type]));
    IRTCClientEvent_Release(e);
}

static void on_refer_status(struct party *party, IDispatch *event)
{
    IRTCSessionReferStatusEvent *e;
    RTC_SESSION_REFER_STATUS status;
    LONG code;
    char *s;

    if (FAILED(IDispatch_QueryInterface(event, &IID_IRTCSessionReferStatusEvent, (void **)&e)))
        return;
    IRTCSessionReferStatusEvent_get_ReferStatus(e, &status);
    IRTCSessionReferStatusEvent_get_StatusCode(e, &code);
    s = status_text(code);
    log_line(party, g_strdup_printf("refer %s %s", refer_states[status], s));
    g_free(s);
    IRTCSessionReferStatusEvent_Release(e);
}

static void on_referred(struct party *party, IDispatch *event)
{
    IRTCSessionReferredEvent *e;
    BSTR to = NULL, by = NULL, cookie = NULL;
    char *t, *b, *c;

    if (FAILED(IDispatch_QueryInterface(event, &IID_IRTCSessionReferredEvent, (void **)&e)))
        return;
    IRTCSessionReferredEvent_get_ReferToURI(e, &to);
    IRTCSessionReferredEvent_get_ReferredByURI(e, &by);
    IRTCSessionReferredEvent_get_ReferCookie(e, &cookie);
    t = utf8(to), b = utf8(by), c = utf8(cookie);
    log_line(party, g_strdup_printf("referred %s by %s cookie %s", t, b, c));
    g_free(t), g_free(b), g_free(c);
    SysFreeString(to), SysFreeString(by), SysFreeString(cookie);
    if (party->last_referred)
        IDispatch_Release(party->last_referred);
    party->last_referred = event;
    IDispatch_AddRef(event);
    IRTCSessionReferredEvent_Release(e);
}

/* "bob" of "sip:bob@127.0.0.1:5060" (the whole URI when it has no user part). */
static char *who_of(BSTR uri)
{
    char *text = utf8(uri), *start = text, *at, *who;

    if (!strncmp(start, "sip:", 4))
        start += 4;
    at = strchr(start, '@');
    who = at ? g_strndup(start, at - start) : g_strdup(text);
    g_free(text);
    return who;
}

/* ' "notes"' when there are notes, else "". */
static char *notes_suffix(BSTR notes)
{
    char *text = utf8(notes), *suffix = *text ? g_strdup_printf(" \"%s\"", text) : g_strdup("");

    g_free(text);
    return suffix;
}

static char *contact_who(IUnknown *contact)
{
    IRTCPresenceContact *presence_contact;
    BSTR uri = NULL;
    char *who;

    if (!contact || FAILED(IUnknown_QueryInterface(contact, &IID_IRTCPresenceContact, (void **)&presence_contact)))
        return g_strdup("-");
    IRTCPresenceContact_get_PresentityURI(presence_contact, &uri);
    who = who_of(uri);
    SysFreeString(uri);
    IRTCPresenceContact_Release(presence_contact);
    return who;
}

static void on_buddy(struct party *party, IDispatch *event)
{
    IRTCBuddyEvent2 *e;
    RTC_BUDDY_EVENT_TYPE type;
    RTC_PRESENCE_STATUS status = RTCXS_PRESENCE_OFFLINE;
    IRTCBuddy *buddy;
    BSTR notes = NULL;
    LONG code;
    char *who, *s, *n;

    if (FAILED(IDispatch_QueryInterface(event, &IID_IRTCBuddyEvent2, (void **)&e)))
        return;
    IRTCBuddyEvent2_get_EventType(e, &type);
    IRTCBuddyEvent2_get_StatusCode(e, &code);
    IRTCBuddyEvent2_get_Buddy(e, &buddy);
    who = contact_who((IUnknown *)buddy);
    IRTCBuddy_get_Status(buddy, &status);
    IRTCBuddy_get_Notes(buddy, &notes);
    s = status_text(code);
    n = notes_suffix(notes);
    log_line(party, g_strdup_printf("buddy %s %s %s %s%s", NAME_OF(buddy_events, type), who, s,
                                    presence_status_text(status), n));
    g_free(who), g_free(s), g_free(n);
    SysFreeString(notes);
    IRTCBuddy_Release(buddy);
    IRTCBuddyEvent2_Release(e);
}

static void on_watcher(struct party *party, IDispatch *event)
{
    IRTCWatcherEvent2 *e;
    RTC_WATCHER_EVENT_TYPE type;
    RTC_WATCHER_STATE state = RTCWS_UNKNOWN;
    IRTCWatcher *watcher;
    LONG code;
    char *who, *s;

    if (FAILED(IDispatch_QueryInterface(event, &IID_IRTCWatcherEvent2, (void **)&e)))
        return;
    IRTCWatcherEvent2_get_EventType(e, &type);
    IRTCWatcherEvent2_get_StatusCode(e, &code);
    IRTCWatcherEvent2_get_Watcher(e, &watcher);
    who = contact_who((IUnknown *)watcher);
    IRTCWatcher_get_State(watcher, &state);
    s = status_text(code);
    log_line(party, g_strdup_printf("watcher %s %s %s %s", NAME_OF(watcher_events, type), who, s,
                                    watcher_state_text(state)));
    g_free(who), g_free(s);
    IRTCWatcher_Release(watcher);
    if (party->last_watcher)
        IRTCWatcher_Release(party->last_watcher);
    IRTCWatcherEvent2_get_Watcher(e, &party->last_watcher);
    IRTCWatcherEvent2_Release(e);
}

static void on_group(struct party *party, IDispatch *event)
{
    IRTCBuddyGroupEvent *e;
    RTC_GROUP_EVENT_TYPE type;
    IRTCBuddyGroup *group = NULL;
    IRTCBuddy2 *buddy = NULL;
    BSTR name = NULL;
    LONG code;
    char *who, *s, *n;

    if (FAILED(IDispatch_QueryInterface(event, &IID_IRTCBuddyGroupEvent, (void **)&e)))
        return;
    IRTCBuddyGroupEvent_get_EventType(e, &type);
    IRTCBuddyGroupEvent_get_StatusCode(e, &code);
    IRTCBuddyGroupEvent_get_Group(e, &group);
    if (FAILED(IRTCBuddyGroupEvent_get_Buddy(e, &buddy)))
        buddy = NULL;
    if (group)
        IRTCBuddyGroup_get_Name(group, &name);
    who = contact_who((IUnknown *)buddy);
    n = utf8(name);
    s = status_text(code);
    log_line(party, g_strdup_printf("group %s %s %s %s", NAME_OF(group_events, type), n, who, s));
    g_free(who), g_free(n), g_free(s);
    SysFreeString(name);
    if (buddy)
        IRTCBuddy2_Release(buddy);
    if (group)
        IRTCBuddyGroup_Release(group);
    IRTCBuddyGroupEvent_Release(e);
}

static void on_presence_status(struct party *party, IDispatch *event)
{
    IRTCPresenceStatusEvent *e;
    RTC_PRESENCE_STATUS status;
    BSTR notes = NULL;
    LONG code;
    char *s, *n;

    if (FAILED(IDispatch_QueryInterface(event, &IID_IRTCPresenceStatusEvent, (void **)&e)))
        return;
    IRTCPresenceStatusEvent_get_StatusCode(e, &code);
    IRTCPresenceStatusEvent_GetLocalPresenceInfo(e, &status, &notes);
    s = status_text(code);
    n = notes_suffix(notes);
    log_line(party, g_strdup_printf("local-status %s %s%s", presence_status_text(status), s, n));
    g_free(s), g_free(n);
    SysFreeString(notes);
    IRTCPresenceStatusEvent_Release(e);
}

static void on_presence_property(struct party *party, IDispatch *event)
{
    IRTCPresencePropertyEvent *e;
    RTC_PRESENCE_PROPERTY property;
    BSTR value = NULL;
    LONG code;
    char *s, *v;

    if (FAILED(IDispatch_QueryInterface(event, &IID_IRTCPresencePropertyEvent, (void **)&e)))
        return;
    IRTCPresencePropertyEvent_get_StatusCode(e, &code);
    IRTCPresencePropertyEvent_get_PresenceProperty(e, &property);
    IRTCPresencePropertyEvent_get_Value(e, &value);
    s = status_text(code);
    v = utf8(value);
    log_line(party, g_strdup_printf("local-property %s %s %s", NAME_OF(property_names, property), *v ? v : "-", s));
    g_free(s), g_free(v);
    SysFreeString(value);
    IRTCPresencePropertyEvent_Release(e);
}

static void on_presence_data(struct party *party, IDispatch *event)
{
    IRTCPresenceDataEvent *e;
    BSTR ns = NULL, data = NULL;
    LONG code;
    char *s, *n;

    if (FAILED(IDispatch_QueryInterface(event, &IID_IRTCPresenceDataEvent, (void **)&e)))
        return;
    IRTCPresenceDataEvent_get_StatusCode(e, &code);
    IRTCPresenceDataEvent_GetPresenceData(e, &ns, &data);
    s = status_text(code);
    n = utf8(ns);
    log_line(party, g_strdup_printf("local-data %s %s", *n ? n : "-", s));
    g_free(s), g_free(n);
    SysFreeString(ns), SysFreeString(data);
    IRTCPresenceDataEvent_Release(e);
}

static HRESULT STDMETHODCALLTYPE sink_Event(IRTCEventNotification *iface, RTC_EVENT type, IDispatch *event)
{
    struct party *party = impl_from_sink(iface);

    switch (type)
    {
    case RTCE_SESSION_STATE_CHANGE: on_session_state(party, event); break;
    case RTCE_PARTICIPANT_STATE_CHANGE: on_participant_state(party, event); break;
    case RTCE_SESSION_OPERATION_COMPLETE: on_operation_complete(party, event); break;
    case RTCE_MEDIA: on_media(party, event); break;
    case RTCE_MESSAGING: on_messaging(party, event); break;
    case RTCE_INFO: on_info(party, event); break;
    case RTCE_CLIENT: on_client(party, event); break;
    case RTCE_SESSION_REFER_STATUS: on_refer_status(party, event); break;
    case RTCE_SESSION_REFERRED: on_referred(party, event); break;
    case RTCE_BUDDY: on_buddy(party, event); break;
    case RTCE_WATCHER: on_watcher(party, event); break;
    case RTCE_GROUP: on_group(party, event); break;
    case RTCE_PRESENCE_STATUS: on_presence_status(party, event); break;
    case RTCE_PRESENCE_PROPERTY: on_presence_property(party, event); break;
    case RTCE_PRESENCE_DATA: on_presence_data(party, event); break;
    default: log_line(party, g_strdup_printf("event %d", type)); break;
    }
    if (party->hook)
        party->hook(party, type, event);
    return S_OK;
}

static const IRTCEventNotificationVtbl sink_vtbl =
{
    sink_QueryInterface, sink_AddRef, sink_Release, sink_Event
};

void party_init(struct party *party, const char *name)
{
    party_init_port(party, name, 0);
}

void party_init_port(struct party *party, const char *name, unsigned short port)
{
    IConnectionPointContainer *cpc;
    IRTCClientPortManagement *ports;
    VARIANT addresses;
    LONG index = 0;
    VARIANT first;
    BSTR address;
    char *text;

    memset(party, 0, sizeof(*party));
    party->IRTCEventNotification_iface.lpVtbl = &sink_vtbl;
    party->refs = 1;
    g_strlcpy(party->name, name, sizeof(party->name));
    party->log = g_ptr_array_new_with_free_func(g_free);
    party->answer = ANSWER_NEVER;

    g_assert_cmphex(CoInitializeEx(NULL, COINIT_APARTMENTTHREADED) & ~1u, ==, S_OK);
    g_assert_cmphex(CoCreateInstance(&CLSID_RTCClient, NULL, CLSCTX_INPROC_SERVER, &IID_IRTCClient,
                                     (void **)&party->client), ==, S_OK);
    g_assert_cmphex(IRTCClient_Initialize(party->client), ==, S_OK);
    /* Media events come when audio flows, between the others: only the media tests ask for them. */
    g_assert_cmphex(IRTCClient_put_EventFilter(party->client, RTCEF_ALL & ~(RTCEF_MEDIA | RTCEF_INTENSITY)), ==, S_OK);
    g_assert_cmphex(IRTCClient_QueryInterface(party->client, &IID_IConnectionPointContainer, (void **)&cpc), ==, S_OK);
    g_assert_cmphex(IConnectionPointContainer_FindConnectionPoint(cpc, &IID_IRTCEventNotification, &party->cp), ==, S_OK);
    IConnectionPointContainer_Release(cpc);
    g_assert_cmphex(IConnectionPoint_Advise(party->cp, (IUnknown *)&party->IRTCEventNotification_iface,
                                            &party->cookie), ==, S_OK);

    g_assert_cmphex(IRTCClient_QueryInterface(party->client, &IID_IRTCClientPortManagement, (void **)&ports), ==, S_OK);
    address = bstr("127.0.0.1");
    g_assert_cmphex(IRTCClientPortManagement_StartListenAddressAndPort(ports, address, port), ==, S_OK);
    SysFreeString(address);
    IRTCClientPortManagement_Release(ports);

    VariantInit(&addresses);
    g_assert_cmphex(IRTCClient_get_NetworkAddresses(party->client, VARIANT_FALSE, VARIANT_FALSE, &addresses), ==, S_OK);
    VariantInit(&first);
    g_assert_cmphex(SafeArrayGetElement(V_ARRAY(&addresses), &index, &first), ==, S_OK);
    text = utf8(V_BSTR(&first));
    party->port = atoi(strrchr(text, ':') + 1);
    g_free(text);
    VariantClear(&first);
    VariantClear(&addresses);
    g_snprintf(party->uri, sizeof(party->uri), "sip:%s@127.0.0.1:%u%s", name, party->port, party_uri_params);

    address = bstr(party->uri);
    g_assert_cmphex(IRTCClient_put_LocalUserURI(party->client, address), ==, S_OK);
    SysFreeString(address);
}

void party_cleanup(struct party *party)
{
    ULONG refs_left;

    if (party->incoming)
        IRTCSession_Release(party->incoming);
    if (party->last_referred)
        IDispatch_Release(party->last_referred);
    if (party->last_watcher)
        IRTCWatcher_Release(party->last_watcher);
    IConnectionPoint_Unadvise(party->cp, party->cookie);
    IConnectionPoint_Release(party->cp);
    IRTCClient_Shutdown(party->client);
    /* Every reference the library took on the client is gone once the sessions are. */
    refs_left = IRTCClient_Release(party->client);
    if (refs_left)
        fprintf(stderr, "[%s] %lu client references left\n", party->name, (unsigned long)refs_left);
    assert_int_equal(refs_left, 0);
    assert_int_equal(party->refs, 1);
    g_ptr_array_free(party->log, TRUE);
    CoUninitialize();
}

static char *join_log(struct party *party)
{
    GString *out = g_string_new(NULL);
    guint i;

    for (i = 0; i < party->log->len; i++)
    {
        if (i)
            g_string_append_c(out, '|');
        g_string_append(out, g_ptr_array_index(party->log, i));
    }
    return g_string_free(out, FALSE);
}

static gboolean log_has(struct party *party, const char *line)
{
    guint i;

    for (i = 0; i < party->log->len; i++)
        if (!strcmp(g_ptr_array_index(party->log, i), line))
            return TRUE;
    return FALSE;
}

static gboolean timed_out(gpointer data)
{
    *(gboolean *)data = TRUE;
    return G_SOURCE_REMOVE;
}

gboolean party_wait(struct party *party, const char *line, int timeout_ms)
{
    gboolean expired = FALSE;
    guint timer = g_timeout_add(test_ms(timeout_ms), timed_out, &expired);

    while (!log_has(party, line) && !expired)
        g_main_context_iteration(NULL, TRUE);
    if (!expired)
        g_source_remove(timer);
    if (expired)
    {
        char *log = join_log(party);
        fprintf(stderr, "[%s] timed out waiting for \"%s\"; log: %s\n", party->name, line, log);
        g_free(log);
    }
    return !expired;
}

void run_loop_for(int ms)
{
    gboolean expired = FALSE;

    g_timeout_add(ms, timed_out, &expired);
    while (!expired)
        g_main_context_iteration(NULL, TRUE);
}

char *party_take_log(struct party *party)
{
    char *joined = join_log(party);

    g_ptr_array_set_size(party->log, 0);
    return joined;
}

IRTCSession *party_call(struct party *from, struct party *to, RTC_SESSION_TYPE type)
{
    IRTCSession *session;
    BSTR uri = bstr(to->uri);

    g_assert_cmphex(IRTCClient_CreateSession(from->client, type, NULL, NULL, 0, &session), ==, S_OK);
    g_assert_cmphex(IRTCSession_AddParticipant(session, uri, NULL, NULL), ==, S_OK);
    SysFreeString(uri);
    return session;
}
