/* Shared sample helpers: see rtc_sample.h. */
#include <stdio.h>
#include <string.h>
#include "rtc_sample.h"

BSTR sample_bstr(const char *utf8)
{
    gunichar *ucs4;
    BSTR ret;

    if (!utf8)
        return NULL;
    ucs4 = g_utf8_to_ucs4(utf8, -1, NULL, NULL, NULL);
    ret = SysAllocString((const OLECHAR *)ucs4);
    g_free(ucs4);
    return ret;
}

char *sample_utf8(BSTR str)
{
    return str ? g_ucs4_to_utf8((const gunichar *)str, -1, NULL, NULL, NULL) : g_strdup("");
}

const char *sample_session_state_name(RTC_SESSION_STATE state)
{
    static const char *const names[] = { "IDLE", "INCOMING", "ANSWERING", "INPROGRESS", "CONNECTED",
                                         "DISCONNECTED", "HOLD", "REFER" };
    return (unsigned int)state < G_N_ELEMENTS(names) ? names[state] : "?";
}

const char *sample_participant_state_name(RTC_PARTICIPANT_STATE state)
{
    static const char *const names[] = { "IDLE", "PENDING", "INCOMING", "ANSWERING", "INPROGRESS",
                                         "ALERTING", "CONNECTED", "DISCONNECTING", "DISCONNECTED" };
    return (unsigned int)state < G_N_ELEMENTS(names) ? names[state] : "?";
}

const char *sample_refer_status_name(RTC_SESSION_REFER_STATUS status)
{
    static const char *const names[] = { "REFERRING", "ACCEPTED", "ERROR", "REJECTED", "DROPPED", "DONE" };
    return (unsigned int)status < G_N_ELEMENTS(names) ? names[status] : "?";
}

char *sample_status_text(LONG status)
{
    /* RTC_E_STATUS_* carry the SIP code in their low word (facility 0xEF). */
    if (!status)
        return g_strdup("0");
    if (HRESULT_FACILITY(status) == 0xEF)
        return g_strdup_printf("SIP %u (0x%08x)", (unsigned int)HRESULT_CODE(status), (unsigned int)status);
    return g_strdup_printf("0x%08x", (unsigned int)status);
}

static void print_client_event(const char *who, IDispatch *event)
{
    IRTCClientEvent *e;
    RTC_CLIENT_EVENT_TYPE type;

    if (FAILED(IDispatch_QueryInterface(event, &IID_IRTCClientEvent, (void **)&e)))
        return;
    IRTCClientEvent_get_EventType(e, &type);
    if (type == RTCCET_ASYNC_CLEANUP_DONE)
        printf("[%s] client ASYNC_CLEANUP_DONE\n", who);
    else
        printf("[%s] client event %d\n", who, type);
    IRTCClientEvent_Release(e);
}

static void print_session_state(const char *who, IDispatch *event)
{
    IRTCSessionStateChangeEvent *e;
    RTC_SESSION_STATE state;
    LONG status;
    BSTR text = NULL;
    char *s, *t;

    if (FAILED(IDispatch_QueryInterface(event, &IID_IRTCSessionStateChangeEvent, (void **)&e)))
        return;
    IRTCSessionStateChangeEvent_get_State(e, &state);
    IRTCSessionStateChangeEvent_get_StatusCode(e, &status);
    IRTCSessionStateChangeEvent_get_StatusText(e, &text);
    s = sample_status_text(status);
    t = sample_utf8(text);
    printf("[%s] session %s status %s%s%s\n", who, sample_session_state_name(state), s, *t ? " " : "", t);
    g_free(s);
    g_free(t);
    SysFreeString(text);
    IRTCSessionStateChangeEvent_Release(e);
}

static void print_participant_state(const char *who, IDispatch *event)
{
    IRTCParticipantStateChangeEvent *e;
    IRTCParticipant *participant = NULL;
    RTC_PARTICIPANT_STATE state;
    LONG status;
    BSTR uri = NULL;
    char *s, *u;

    if (FAILED(IDispatch_QueryInterface(event, &IID_IRTCParticipantStateChangeEvent, (void **)&e)))
        return;
    IRTCParticipantStateChangeEvent_get_State(e, &state);
    IRTCParticipantStateChangeEvent_get_StatusCode(e, &status);
    if (SUCCEEDED(IRTCParticipantStateChangeEvent_get_Participant(e, &participant)) && participant)
    {
        IRTCParticipant_get_UserURI(participant, &uri);
        IRTCParticipant_Release(participant);
    }
    s = sample_status_text(status);
    u = sample_utf8(uri);
    printf("[%s] participant %s %s status %s\n", who, u, sample_participant_state_name(state), s);
    g_free(s);
    g_free(u);
    SysFreeString(uri);
    IRTCParticipantStateChangeEvent_Release(e);
}

static void print_refer_status(const char *who, IDispatch *event)
{
    IRTCSessionReferStatusEvent *e;
    RTC_SESSION_REFER_STATUS status;
    LONG code;
    BSTR text = NULL;
    char *s, *t;

    if (FAILED(IDispatch_QueryInterface(event, &IID_IRTCSessionReferStatusEvent, (void **)&e)))
        return;
    IRTCSessionReferStatusEvent_get_ReferStatus(e, &status);
    IRTCSessionReferStatusEvent_get_StatusCode(e, &code);
    IRTCSessionReferStatusEvent_get_StatusText(e, &text);
    s = sample_status_text(code);
    t = sample_utf8(text);
    printf("[%s] refer %s status %s%s%s\n", who, sample_refer_status_name(status), s, *t ? " " : "", t);
    g_free(s);
    g_free(t);
    SysFreeString(text);
    IRTCSessionReferStatusEvent_Release(e);
}

static void print_referred(const char *who, IDispatch *event)
{
    IRTCSessionReferredEvent *e;
    BSTR to = NULL, by = NULL, cookie = NULL;
    char *t, *b, *c;

    if (FAILED(IDispatch_QueryInterface(event, &IID_IRTCSessionReferredEvent, (void **)&e)))
        return;
    IRTCSessionReferredEvent_get_ReferToURI(e, &to);
    IRTCSessionReferredEvent_get_ReferredByURI(e, &by);
    IRTCSessionReferredEvent_get_ReferCookie(e, &cookie);
    t = sample_utf8(to), b = sample_utf8(by), c = sample_utf8(cookie);
    printf("[%s] referred to %s by %s cookie \"%s\"\n", who, t, b, c);
    g_free(t), g_free(b), g_free(c);
    SysFreeString(to), SysFreeString(by), SysFreeString(cookie);
    IRTCSessionReferredEvent_Release(e);
}

static void print_message(const char *who, IDispatch *event)
{
    IRTCMessagingEvent *e;
    RTC_MESSAGING_EVENT_TYPE type;
    BSTR message = NULL;
    char *m;

    if (FAILED(IDispatch_QueryInterface(event, &IID_IRTCMessagingEvent, (void **)&e)))
        return;
    IRTCMessagingEvent_get_EventType(e, &type);
    IRTCMessagingEvent_get_Message(e, &message);
    m = sample_utf8(message);
    printf("[%s] %s %s\n", who, type == RTCMSET_MESSAGE ? "message" : "typing status", m);
    g_free(m);
    SysFreeString(message);
    IRTCMessagingEvent_Release(e);
}

static void print_operation_complete(const char *who, IDispatch *event)
{
    IRTCSessionOperationCompleteEvent *e;
    LONG_PTR cookie;
    LONG status;
    char *s;

    if (FAILED(IDispatch_QueryInterface(event, &IID_IRTCSessionOperationCompleteEvent, (void **)&e)))
        return;
    IRTCSessionOperationCompleteEvent_get_Cookie(e, &cookie);
    IRTCSessionOperationCompleteEvent_get_StatusCode(e, &status);
    s = sample_status_text(status);
    printf("[%s] operation %ld complete, status %s\n", who, (long)cookie, s);
    g_free(s);
    IRTCSessionOperationCompleteEvent_Release(e);
}

static void print_media(const char *who, IDispatch *event)
{
    static const char *const types[] = { "stopped", "started", "failed" };
    IRTCMediaEvent *e;
    RTC_MEDIA_EVENT_TYPE type;
    RTC_MEDIA_EVENT_REASON reason;

    if (FAILED(IDispatch_QueryInterface(event, &IID_IRTCMediaEvent, (void **)&e)))
        return;
    IRTCMediaEvent_get_EventType(e, &type);
    IRTCMediaEvent_get_EventReason(e, &reason);
    printf("[%s] media %s%s\n", who, types[type], reason == RTCMER_HOLD ? " (hold)" : "");
    IRTCMediaEvent_Release(e);
}

void sample_print_event(const char *who, RTC_EVENT type, IDispatch *event)
{
    switch (type)
    {
    case RTCE_SESSION_STATE_CHANGE: print_session_state(who, event); break;
    case RTCE_PARTICIPANT_STATE_CHANGE: print_participant_state(who, event); break;
    case RTCE_SESSION_REFER_STATUS: print_refer_status(who, event); break;
    case RTCE_SESSION_REFERRED: print_referred(who, event); break;
    case RTCE_MESSAGING: print_message(who, event); break;
    case RTCE_SESSION_OPERATION_COMPLETE: print_operation_complete(who, event); break;
    case RTCE_MEDIA: print_media(who, event); break;
    case RTCE_CLIENT: print_client_event(who, event); break;
    default: printf("[%s] event %d\n", who, type); break;
    }
    fflush(stdout);
}

HRESULT sample_advise(IRTCClient *client, IUnknown *sink, IConnectionPoint **cp, DWORD *cookie)
{
    IConnectionPointContainer *cpc;
    HRESULT hr;

    if (FAILED(hr = IRTCClient_QueryInterface(client, &IID_IConnectionPointContainer, (void **)&cpc)))
        return hr;
    hr = IConnectionPointContainer_FindConnectionPoint(cpc, &IID_IRTCEventNotification, cp);
    IConnectionPointContainer_Release(cpc);
    if (FAILED(hr))
        return hr;
    return IConnectionPoint_Advise(*cp, sink, cookie);
}

HRESULT sample_listen(IRTCClient *client, const char *address_and_port)
{
    IRTCClientPortManagement *ports;
    const char *colon = strrchr(address_and_port, ':');
    char *address = colon ? g_strndup(address_and_port, colon - address_and_port) : g_strdup(address_and_port);
    LONG port = colon ? atol(colon + 1) : 0;
    BSTR bstr_address;
    HRESULT hr;

    if (address[0] == '[' && address[strlen(address) - 1] == ']')
    {
        memmove(address, address + 1, strlen(address));
        address[strlen(address) - 1] = 0;
    }
    if (FAILED(hr = IRTCClient_QueryInterface(client, &IID_IRTCClientPortManagement, (void **)&ports)))
    {
        g_free(address);
        return hr;
    }
    bstr_address = sample_bstr(address);
    hr = IRTCClientPortManagement_StartListenAddressAndPort(ports, bstr_address, port);
    SysFreeString(bstr_address);
    IRTCClientPortManagement_Release(ports);
    g_free(address);
    return hr;
}

/* ---- going away ---------------------------------------------------------------------------- */

/* A sink of its own that only watches for RTCCET_ASYNC_CLEANUP_DONE. */
struct cleanup_sink
{
    IRTCEventNotification IRTCEventNotification_iface;
    BOOL done;
};

static HRESULT STDMETHODCALLTYPE cleanup_QueryInterface(IRTCEventNotification *iface, REFIID riid, void **ppv)
{
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IRTCEventNotification))
    {
        *ppv = iface;
        return S_OK;
    }
    *ppv = NULL;
    return E_NOINTERFACE;
}

static ULONG STDMETHODCALLTYPE cleanup_AddRef(IRTCEventNotification *iface) { return 2; }
static ULONG STDMETHODCALLTYPE cleanup_Release(IRTCEventNotification *iface) { return 1; }

static HRESULT STDMETHODCALLTYPE cleanup_Event(IRTCEventNotification *iface, RTC_EVENT type, IDispatch *event)
{
    struct cleanup_sink *sink = CONTAINING_RECORD(iface, struct cleanup_sink, IRTCEventNotification_iface);
    IRTCClientEvent *client_event;
    RTC_CLIENT_EVENT_TYPE client_type;

    if (type == RTCE_CLIENT && SUCCEEDED(IDispatch_QueryInterface(event, &IID_IRTCClientEvent, (void **)&client_event)))
    {
        IRTCClientEvent_get_EventType(client_event, &client_type);
        sink->done |= client_type == RTCCET_ASYNC_CLEANUP_DONE;
        IRTCClientEvent_Release(client_event);
    }
    return S_OK;
}

static const IRTCEventNotificationVtbl cleanup_vtbl =
{
    cleanup_QueryInterface, cleanup_AddRef, cleanup_Release, cleanup_Event
};

static gboolean cleanup_timed_out(gpointer data)
{
    *(BOOL *)data = TRUE;
    return G_SOURCE_REMOVE;
}

BOOL sample_shutdown(const char *who, IRTCClient *client)
{
    struct cleanup_sink sink = { { &cleanup_vtbl }, FALSE };
    IRTCClient2 *client2;
    IConnectionPoint *cp;
    BOOL expired = FALSE;
    DWORD cookie;
    guint timer;

    if (FAILED(sample_advise(client, (IUnknown *)&sink.IRTCEventNotification_iface, &cp, &cookie)))
        return FALSE;
    if (FAILED(IRTCClient_QueryInterface(client, &IID_IRTCClient2, (void **)&client2)))
    {
        IConnectionPoint_Unadvise(cp, cookie);
        IConnectionPoint_Release(cp);
        return FALSE;
    }
    IRTCClient2_PrepareForShutdown(client2);
    IRTCClient2_Release(client2);
    timer = g_timeout_add_seconds(SAMPLE_CLEANUP_SECONDS, cleanup_timed_out, &expired);
    while (!sink.done && !expired)
        g_main_context_iteration(NULL, TRUE);
    if (!expired)
        g_source_remove(timer);
    else
        fprintf(stderr, "[%s] no RTCCET_ASYNC_CLEANUP_DONE within %u s\n", who, SAMPLE_CLEANUP_SECONDS);
    IConnectionPoint_Unadvise(cp, cookie);
    IConnectionPoint_Release(cp);
    IRTCClient_Shutdown(client);
    return sink.done;
}
