/*
 * A UCC event sink for tests, written as a C application writes one: an
 * IDispatch per connection whose Invoke switches on the DISPIDs of
 * docs/ucc-dispids.md. Every event becomes one line of text in the sink's log,
 * so a test can assert the exact sequence an application sees:
 *
 *   <label> OnEnable 0                           (status: 0 or the HRESULT in hex)
 *   <label> OnIncomingSession IM sip:alice@127.0.0.1:5070
 *   <label> OnOutgoingSession AV
 *   <label> OnParticipantAdded sip:bob@127.0.0.1:5071
 *   <label> OnStateChanged CONNECTING->CONNECTED NORMAL 0
 *   <label> OnAddParticipant 7 0                 (operation id, "-" without a context)
 *   <label> OnTerminate - 0
 *   <label> OnSendMessage 3 0                    (one status per participant result)
 *   <label> OnInstantMessageReceived text/plain hello
 *   <label> OnComposing / OnIdle / OnShutdown 0 / OnDisable 0
 *   <label> OnSubscribe 4 bob=0 carol=0x80ef01e0 (OnQuery, OnUnsubscribe: each presentity's outcome)
 *   <label> OnCategoryContextAdded state         (OnCategoryContextRemoved state 2: the removal reason)
 *   <label> OnCategoryInstanceAdded <value>      (OnCategoryInstanceRemoved <value> 1; the value verbatim)
 *   <label> OnCategoryInstanceValueModified <value>
 *   <label> OnPublish 5 0
 *
 * Public API only (uccapi.h), static functions: include it in one test file.
 * Used by tests/unit/ucc and tests/inproc/test_ucc_*.c.
 */
#ifndef UCC_TEST_SINK_H
#define UCC_TEST_SINK_H

#define COBJMACROS
#include <stdio.h>
#include <string.h>
#include <windows.h>
#include <ocidl.h>
#include <uccapi.h>
#include <glib.h>
#include "../../common/test_time.h"

struct ucc_sink;
struct ucc_sink_connection;

/* Called after the line is logged; the connection tells which point and label. */
typedef void (*ucc_sink_hook)(struct ucc_sink *sink, const char *label, REFIID diid, DISPID dispid,
                              IUnknown *source, IUnknown *data);

struct ucc_sink
{
    GPtrArray *log;             /* char * lines */
    GPtrArray *connections;     /* struct ucc_sink_connection * */
    ucc_sink_hook hook;
    void *user;
    IUccIncomingSessionEvent *incoming;     /* the last invitation, referenced */
    IUccSession *incoming_session;          /* its session, referenced */
    IUccIncomingSessionTransferEvent *transfer;     /* the last OnIncomingTransfer, referenced */
    IUccIncomingMediaRequestEvent *media_request;   /* the last OnMediaRequest, referenced */
    unsigned int bad_invokes;               /* calls that broke the documented shape */
};

struct ucc_sink_connection
{
    IDispatch IDispatch_iface;
    LONG refcount;
    struct ucc_sink *sink;
    IID diid;
    char label[32];
    IConnectionPoint *point;
    DWORD cookie;
};

static inline const char *ucc_sink_state_name(UCC_SESSION_ENTITY_STATE state)
{
    static const char *const names[] = { "?", "IDLE", "CONNECTING", "CONNECTED", "DISCONNECTING", "DISCONNECTED" };
    return (unsigned int)state < G_N_ELEMENTS(names) ? names[state] : "?";
}

static inline const char *ucc_sink_reason_name(UCC_PARTICIPANT_STATE_CHANGE_REASON reason)
{
    static const char *const names[] = { "NORMAL", "RINGING", "TRYING", "REMOTE_HANGUP_ACTION", "FORWARD_DISCONNECT",
                                         "REDIRECT_ACTION", "CONFERENCE_ACTION", "TRANSFER_ACTION", "FAILED", "ERROR",
                                         "ENDPOINT_NOT_EXIST", "AUTOMATIC_RETRY", "SUSPENDED" };
    return (unsigned int)reason < G_N_ELEMENTS(names) ? names[reason] : "?";
}

static inline char *ucc_sink_utf8(BSTR str)
{
    return str ? g_ucs4_to_utf8((const gunichar *)str, -1, NULL, NULL, NULL) : g_strdup("");
}

static inline BSTR ucc_sink_bstr(const char *utf8)
{
    gunichar *ucs4 = g_utf8_to_ucs4(utf8, -1, NULL, NULL, NULL);
    BSTR ret = SysAllocString((const OLECHAR *)ucs4);
    g_free(ucs4);
    return ret;
}

static inline char *ucc_sink_status(HRESULT hr)
{
    return hr ? g_strdup_printf("0x%08x", (unsigned int)hr) : g_strdup("0");
}

static inline struct ucc_sink_connection *ucc_sink_impl(IDispatch *iface)
{
    return CONTAINING_RECORD(iface, struct ucc_sink_connection, IDispatch_iface);
}

static inline HRESULT WINAPI ucc_sink_QueryInterface(IDispatch *iface, REFIID riid, void **ppv)
{
    struct ucc_sink_connection *conn = ucc_sink_impl(iface);

    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IDispatch) || IsEqualIID(riid, &conn->diid))
    {
        *ppv = iface;
        IDispatch_AddRef(iface);
        return S_OK;
    }
    *ppv = NULL;
    return E_NOINTERFACE;
}

static inline ULONG WINAPI ucc_sink_AddRef(IDispatch *iface)
{
    return InterlockedIncrement(&ucc_sink_impl(iface)->refcount);
}

static inline ULONG WINAPI ucc_sink_Release(IDispatch *iface)
{
    struct ucc_sink_connection *conn = ucc_sink_impl(iface);
    ULONG ref = InterlockedDecrement(&conn->refcount);

    if (!ref)
        g_free(conn);
    return ref;
}

static inline HRESULT WINAPI ucc_sink_GetTypeInfoCount(IDispatch *iface, UINT *count)
{
    *count = 0;
    return S_OK;
}

static inline HRESULT WINAPI ucc_sink_GetTypeInfo(IDispatch *iface, UINT index, LCID lcid, ITypeInfo **info)
{
    *info = NULL;
    return DISP_E_BADINDEX;
}

static inline HRESULT WINAPI ucc_sink_GetIDsOfNames(IDispatch *iface, REFIID riid, LPOLESTR *names, UINT count, LCID lcid,
                                             DISPID *ids)
{
    return DISP_E_UNKNOWNNAME;
}

static inline char *ucc_sink_progress(IUnknown *data)
{
    IUccOperationProgressEvent *progress;
    IUccOperationContext *context = NULL;
    LONG_PTR id = 0;
    HRESULT status = E_FAIL;
    char *s, *line;

    if (!data || FAILED(IUnknown_QueryInterface(data, &IID_IUccOperationProgressEvent, (void **)&progress)))
        return g_strdup("(no progress)");
    IUccOperationProgressEvent_get_OriginalOperationContext(progress, &context);
    IUccOperationProgressEvent_get_StatusCode(progress, &status);
    if (context)
    {
        IUccOperationContext_get_OperationId(context, &id);
        IUccOperationContext_Release(context);
    }
    s = ucc_sink_status(status);
    line = context ? g_strdup_printf("%ld %s", (long)id, s) : g_strdup_printf("- %s", s);
    g_free(s);
    IUccOperationProgressEvent_Release(progress);
    return line;
}

static inline char *ucc_sink_uri_of(IUccSessionParticipant *participant)
{
    IUccUri *uri = NULL;
    BSTR value = NULL;
    char *text;

    IUccSessionParticipant_get_Uri(participant, &uri);
    if (uri)
    {
        IUccUri_get_Value(uri, &value);
        IUccUri_Release(uri);
    }
    text = ucc_sink_utf8(value);
    SysFreeString(value);
    return text;
}

/* "bob" of a presentity sip:bob@host. */
static inline char *ucc_sink_presentity_who(IUccPresentity *presentity)
{
    IUccUri *uri = NULL;
    BSTR value = NULL;
    char *text, *start, *at, *who;

    IUccPresentity_get_Uri(presentity, &uri);
    if (uri)
    {
        IUccUri_get_Value(uri, &value);
        IUccUri_Release(uri);
    }
    text = ucc_sink_utf8(value);
    SysFreeString(value);
    start = strncmp(text, "sip:", 4) ? text : text + 4;
    at = strchr(start, '@');
    who = at ? g_strndup(start, at - start) : g_strdup(start);
    g_free(text);
    return who;
}

/* The removal reason an event's context carries (property 1), 0 when none. */
static inline LONG ucc_sink_removal_reason(IUccContext *context)
{
    IUccProperty *property = NULL;
    VARIANT_BOOL set = VARIANT_FALSE;
    LONG reason = 0;

    if (context && SUCCEEDED(IUccContext_IsPropertySet(context, 1, &set)) && set
        && SUCCEEDED(IUccContext_get_Property(context, 1, &property)))
    {
        IUccProperty_get_NumericValue(property, &reason);
        IUccProperty_Release(property);
    }
    return reason;
}

static inline char *ucc_sink_describe_presence(REFIID diid, DISPID dispid, IUnknown *source, IUnknown *data)
{
    if (IsEqualIID(diid, &DIID__IUccSubscriptionEvents))
    {
        static const char *const names[] = { "?", "OnQuery", "OnSubscribe", "OnUnsubscribe" };
        IUccSubscriptionEvent *event;
        IUccOperationContext *context = NULL;
        IUccCollection *presentities = NULL;
        GString *line = g_string_new(names[dispid >= 1 && dispid <= 3 ? dispid : 0]);
        LONG count = 0, i;
        LONG_PTR id = 0;

        if (!data || FAILED(IUnknown_QueryInterface(data, &IID_IUccSubscriptionEvent, (void **)&event)))
            return g_string_free(line, FALSE);
        IUccSubscriptionEvent_get_OriginalOperationContext(event, &context);
        if (context)
        {
            IUccOperationContext_get_OperationId(context, &id);
            IUccOperationContext_Release(context);
            g_string_append_printf(line, " %ld", (long)id);
        }
        else
            g_string_append(line, " -");
        IUccSubscriptionEvent_get_Presentities(event, &presentities);
        if (presentities)
            IUccCollection_get_Count(presentities, &count);
        for (i = 1; i <= count; i++)
        {
            VARIANT item;
            IUccPresentity *presentity;
            IUccOperationProgressEvent *progress;
            HRESULT status = E_FAIL;

            VariantInit(&item);
            if (FAILED(IUccCollection_get_Item(presentities, i, &item)))
                continue;
            if (SUCCEEDED(IUnknown_QueryInterface(V_UNKNOWN(&item), &IID_IUccPresentity, (void **)&presentity)))
            {
                char *who = ucc_sink_presentity_who(presentity), *st;

                if (SUCCEEDED(IUccSubscriptionEvent_GetOperationInfo(event, presentity, &progress)))
                {
                    IUccOperationProgressEvent_get_StatusCode(progress, &status);
                    IUccOperationProgressEvent_Release(progress);
                }
                st = ucc_sink_status(status);
                g_string_append_printf(line, " %s=%s", who, st);
                g_free(who);
                g_free(st);
                IUccPresentity_Release(presentity);
            }
            VariantClear(&item);
        }
        if (presentities)
            IUccCollection_Release(presentities);
        IUccSubscriptionEvent_Release(event);
        return g_string_free(line, FALSE);
    }
    if (IsEqualIID(diid, &DIID__IUccPresentityEvents))
    {
        IUccCategoryContextEvent *event;
        IUccCategoryContext *category = NULL;
        IUccContext *context = NULL;
        BSTR name = NULL;
        char *n, *line;
        LONG reason;

        if (!data || FAILED(IUnknown_QueryInterface(data, &IID_IUccCategoryContextEvent, (void **)&event)))
            return g_strdup("(no category context event)");
        IUccCategoryContextEvent_get_CategoryContext(event, &category);
        IUccCategoryContextEvent_get_Context(event, &context);
        if (category)
            IUccCategoryContext_get_Name(category, &name);
        reason = ucc_sink_removal_reason(context);
        n = ucc_sink_utf8(name);
        line = dispid == DISPID__IUccPresentityEvents_OnCategoryContextAdded
               ? g_strdup_printf("OnCategoryContextAdded %s", n)
               : g_strdup_printf("OnCategoryContextRemoved %s %ld", n, (long)reason);
        g_free(n);
        SysFreeString(name);
        if (category)
            IUccCategoryContext_Release(category);
        if (context)
            IUccContext_Release(context);
        IUccCategoryContextEvent_Release(event);
        return line;
    }
    if (IsEqualIID(diid, &DIID__IUccCategoryContextEvents) || IsEqualIID(diid, &DIID__IUccCategoryInstanceEvents))
    {
        IUccCategoryInstanceEvent *event = NULL;
        IUccCategoryInstance *instance = NULL;
        IUccContext *context = NULL;
        BSTR value = NULL;
        char *v, *line;
        LONG reason = 0;

        if (IsEqualIID(diid, &DIID__IUccCategoryInstanceEvents))
            IUnknown_QueryInterface(source, &IID_IUccCategoryInstance, (void **)&instance);
        else if (data && SUCCEEDED(IUnknown_QueryInterface(data, &IID_IUccCategoryInstanceEvent, (void **)&event)))
        {
            IUccCategoryInstanceEvent_get_CategoryInstance(event, &instance);
            IUccCategoryInstanceEvent_get_Context(event, &context);
            reason = ucc_sink_removal_reason(context);
        }
        if (instance)
            IUccCategoryInstance_get_Value(instance, &value);
        v = ucc_sink_utf8(value);
        if (IsEqualIID(diid, &DIID__IUccCategoryInstanceEvents))
            line = g_strdup_printf("OnCategoryInstanceValueModified %s", v);
        else if (dispid == DISPID__IUccCategoryContextEvents_OnCategoryInstanceAdded)
            line = g_strdup_printf("OnCategoryInstanceAdded %s", v);
        else
            line = g_strdup_printf("OnCategoryInstanceRemoved %s %ld", v, (long)reason);
        g_free(v);
        SysFreeString(value);
        if (instance)
            IUccCategoryInstance_Release(instance);
        if (context)
            IUccContext_Release(context);
        if (event)
            IUccCategoryInstanceEvent_Release(event);
        return line;
    }
    if (IsEqualIID(diid, &DIID__IUccPublicationEvent))
    {
        char *p = ucc_sink_progress(data), *line = g_strdup_printf("OnPublish %s", p);

        g_free(p);
        return line;
    }
    return NULL;
}

static inline char *ucc_sink_describe(struct ucc_sink *sink, REFIID diid, DISPID dispid, IUnknown *source, IUnknown *data)
{
    char *presence;

    if ((presence = ucc_sink_describe_presence(diid, dispid, source, data)))
        return presence;
    if (IsEqualIID(diid, &DIID__IUccPlatformEvents))
    {
        if (dispid == DISPID__IUccPlatformEvents_OnShutdown)
        {
            char *p = ucc_sink_progress(data), *line = g_strdup_printf("OnShutdown %s", strchr(p, ' ') + 1);
            g_free(p);
            return line;
        }
        return g_strdup("OnIpAddrChange");
    }
    if (IsEqualIID(diid, &DIID__IUccEndpointEvents))
    {
        char *p = ucc_sink_progress(data), *line;
        line = g_strdup_printf("%s %s", dispid == DISPID__IUccEndpointEvents_OnEnable ? "OnEnable" : "OnDisable",
                               strchr(p, ' ') + 1);
        g_free(p);
        return line;
    }
    if (IsEqualIID(diid, &DIID__IUccSessionManagerEvents))
    {
        IUccSession *session = NULL;
        UCC_SESSION_TYPE type = -1;
        char *line;

        if (dispid == DISPID__IUccSessionManagerEvents_OnIncomingSession)
        {
            IUccIncomingSessionEvent *event;
            IUccSessionParticipant *inviter = NULL;
            char *uri;

            if (FAILED(IUnknown_QueryInterface(data, &IID_IUccIncomingSessionEvent, (void **)&event)))
                return g_strdup("OnIncomingSession (bad data)");
            IUccIncomingSessionEvent_get_Session(event, &session);
            IUccIncomingSessionEvent_get_Inviter(event, &inviter);
            IUccSession_get_Type(session, &type);
            uri = ucc_sink_uri_of(inviter);
            line = g_strdup_printf("OnIncomingSession %s %s", type == UCCST_INSTANT_MESSAGING ? "IM" : "AV", uri);
            g_free(uri);
            IUccSessionParticipant_Release(inviter);
            if (sink->incoming)
                IUccIncomingSessionEvent_Release(sink->incoming);
            if (sink->incoming_session)
                IUccSession_Release(sink->incoming_session);
            sink->incoming = event;             /* keeps our reference */
            sink->incoming_session = session;   /* keeps our reference */
            return line;
        }
        else
        {
            IUccOutgoingSessionEvent *event;
            if (FAILED(IUnknown_QueryInterface(data, &IID_IUccOutgoingSessionEvent, (void **)&event)))
                return g_strdup("OnOutgoingSession (bad data)");
            IUccOutgoingSessionEvent_get_Session(event, &session);
            IUccSession_get_Type(session, &type);
            IUccSession_Release(session);
            IUccOutgoingSessionEvent_Release(event);
            return g_strdup_printf("OnOutgoingSession %s", type == UCCST_INSTANT_MESSAGING ? "IM" : "AV");
        }
    }
    if (IsEqualIID(diid, &DIID__IUccSessionEvents))
    {
        static const char *const names[] = { "?", "OnAddParticipant", "OnRemoveParticipant", "OnTerminate" };
        char *p = ucc_sink_progress(data), *line;
        line = g_strdup_printf("%s %s", names[dispid >= 1 && dispid <= 3 ? dispid : 0], p);
        g_free(p);
        return line;
    }
    if (IsEqualIID(diid, &DIID__IUccSessionParticipantCollectionEvents))
    {
        IUccSessionParticipantCollectionEvent *event;
        IUccSessionParticipant *participant = NULL;
        char *uri, *line;

        if (FAILED(IUnknown_QueryInterface(data, &IID_IUccSessionParticipantCollectionEvent, (void **)&event)))
            return g_strdup("OnParticipant? (bad data)");
        IUccSessionParticipantCollectionEvent_get_Participant(event, &participant);
        uri = ucc_sink_uri_of(participant);
        line = g_strdup_printf("%s %s", dispid == DISPID__IUccSessionParticipantCollectionEvents_OnParticipantAdded
                                        ? "OnParticipantAdded" : "OnParticipantRemoved", uri);
        g_free(uri);
        IUccSessionParticipant_Release(participant);
        IUccSessionParticipantCollectionEvent_Release(event);
        return line;
    }
    if (IsEqualIID(diid, &DIID__IUccSessionParticipantEvents))
    {
        IUccSessionParticipantStateChangedEvent *event;
        IUccOperationProgressEvent *progress;
        UCC_SESSION_ENTITY_STATE old_state = 0, new_state = 0;
        UCC_PARTICIPANT_STATE_CHANGE_REASON reason = 0;
        HRESULT status = E_FAIL;
        char *s, *line;

        if (dispid != DISPID__IUccSessionParticipantEvents_OnStateChanged)
            return g_strdup_printf("participant event %ld", (long)dispid);
        if (FAILED(IUnknown_QueryInterface(data, &IID_IUccSessionParticipantStateChangedEvent, (void **)&event)))
            return g_strdup("OnStateChanged (bad data)");
        IUccSessionParticipantStateChangedEvent_get_OldState(event, &old_state);
        IUccSessionParticipantStateChangedEvent_get_NewState(event, &new_state);
        IUccSessionParticipantStateChangedEvent_get_Reason(event, &reason);
        if (SUCCEEDED(IUccSessionParticipantStateChangedEvent_QueryInterface(event, &IID_IUccOperationProgressEvent,
                                                                             (void **)&progress)))
        {
            IUccOperationProgressEvent_get_StatusCode(progress, &status);
            IUccOperationProgressEvent_Release(progress);
        }
        s = ucc_sink_status(status);
        line = g_strdup_printf("OnStateChanged %s->%s %s %s", ucc_sink_state_name(old_state),
                               ucc_sink_state_name(new_state), ucc_sink_reason_name(reason), s);
        g_free(s);
        IUccSessionParticipantStateChangedEvent_Release(event);
        return line;
    }
    if (IsEqualIID(diid, &DIID__IUccInstantMessagingSessionEvents))
    {
        IUccSessionOperationEvent *event;
        IUccOperationContext *context = NULL;
        IUccCollection *results = NULL;
        GString *line = g_string_new("OnSendMessage ");
        LONG count = 0, i;
        LONG_PTR id = 0;

        if (FAILED(IUnknown_QueryInterface(data, &IID_IUccSessionOperationEvent, (void **)&event)))
            return g_strdup("OnSendMessage (bad data)");
        IUccSessionOperationEvent_get_OriginalOperationContext(event, &context);
        if (context)
        {
            IUccOperationContext_get_OperationId(context, &id);
            g_string_append_printf(line, "%ld", (long)id);
            IUccOperationContext_Release(context);
        }
        else
            g_string_append(line, "-");
        IUccSessionOperationEvent_get_ParticipantResults(event, &results);
        IUccCollection_get_Count(results, &count);
        for (i = 1; i <= count; i++)
        {
            IUccSessionParticipantOperationEvent *result;
            IUccOperationProgressEvent *progress;
            HRESULT status = E_FAIL;
            VARIANT item;
            char *s;

            VariantInit(&item);
            IUccCollection_get_Item(results, i, &item);
            if (SUCCEEDED(IUnknown_QueryInterface(V_UNKNOWN(&item), &IID_IUccSessionParticipantOperationEvent,
                                                  (void **)&result)))
            {
                IUccSessionParticipantOperationEvent_get_Result(result, &progress);
                IUccOperationProgressEvent_get_StatusCode(progress, &status);
                IUccOperationProgressEvent_Release(progress);
                IUccSessionParticipantOperationEvent_Release(result);
            }
            VariantClear(&item);
            s = ucc_sink_status(status);
            g_string_append_printf(line, " %s", s);
            g_free(s);
        }
        IUccCollection_Release(results);
        IUccSessionOperationEvent_Release(event);
        return g_string_free(line, FALSE);
    }
    if (IsEqualIID(diid, &DIID__IUccInstantMessagingSessionParticipantEvents))
    {
        IUccIncomingInstantMessageEvent *event;
        BSTR type = NULL, content = NULL;
        char *t, *c, *line;

        if (dispid == DISPID__IUccInstantMessagingSessionParticipantEvents_OnComposing)
            return g_strdup("OnComposing");
        if (dispid == DISPID__IUccInstantMessagingSessionParticipantEvents_OnIdle)
            return g_strdup("OnIdle");
        if (FAILED(IUnknown_QueryInterface(data, &IID_IUccIncomingInstantMessageEvent, (void **)&event)))
            return g_strdup("OnInstantMessageReceived (bad data)");
        IUccIncomingInstantMessageEvent_get_ContentType(event, &type);
        IUccIncomingInstantMessageEvent_get_Content(event, &content);
        t = ucc_sink_utf8(type), c = ucc_sink_utf8(content);
        line = g_strdup_printf("OnInstantMessageReceived %s %s", t, c);
        g_free(t), g_free(c);
        SysFreeString(type), SysFreeString(content);
        IUccIncomingInstantMessageEvent_Release(event);
        return line;
    }
    if (IsEqualIID(diid, &DIID__IUccMediaChannelCollectionEvents))
    {
        IUccMediaChannelCollectionEvent *event;
        IUccMediaChannel *channel = NULL;
        UCC_MEDIA_TYPES type = 0;

        if (FAILED(IUnknown_QueryInterface(data, &IID_IUccMediaChannelCollectionEvent, (void **)&event)))
            return g_strdup_printf("channel event %ld", (long)dispid);
        if (SUCCEEDED(IUccMediaChannelCollectionEvent_get_MediaChannel(event, &channel)) && channel)
        {
            IUccMediaChannel_get_MediaType(channel, &type);
            IUccMediaChannel_Release(channel);
        }
        IUccMediaChannelCollectionEvent_Release(event);
        return g_strdup_printf("%s %s", dispid == DISPID__IUccMediaChannelCollectionEvents_OnChannelAdded ? "OnChannelAdded"
                               : dispid == DISPID__IUccMediaChannelCollectionEvents_OnChannelRemoved ? "OnChannelRemoved"
                               : "channel event", type == UCCMT_AUDIO ? "AUDIO" : type == UCCMT_VIDEO ? "VIDEO" : "?");
    }
    if (IsEqualIID(diid, &DIID__IUccSessionCallControlEvents))
    {
        IUccIncomingSessionTransferEvent *event;
        IUccUri *to = NULL, *by = NULL;
        BSTR to_text = NULL, by_text = NULL;
        char *t, *b, *line;

        if (dispid != DISPID__IUccSessionCallControlEvents_OnIncomingTransfer
            || FAILED(IUnknown_QueryInterface(data, &IID_IUccIncomingSessionTransferEvent, (void **)&event)))
            return g_strdup_printf("call control event %ld", (long)dispid);
        IUccIncomingSessionTransferEvent_get_ReferredTo(event, &to);
        IUccIncomingSessionTransferEvent_get_ReferredBy(event, &by);
        if (to)
        {
            IUccUri_get_Value(to, &to_text);
            IUccUri_Release(to);
        }
        if (by)
        {
            IUccUri_get_Value(by, &by_text);
            IUccUri_Release(by);
        }
        t = ucc_sink_utf8(to_text), b = ucc_sink_utf8(by_text);
        line = g_strdup_printf("OnIncomingTransfer %s by %s", t, b);
        g_free(t), g_free(b);
        SysFreeString(to_text), SysFreeString(by_text);
        if (sink->transfer)
            IUccIncomingSessionTransferEvent_Release(sink->transfer);
        sink->transfer = event;     /* keeps our reference */
        return line;
    }
    if (IsEqualIID(diid, &DIID__IUccAudioVideoSessionParticipantEvents))
    {
        IUccIncomingMediaRequestEvent *event;
        IUccCollection *channels = NULL;
        GString *line;
        LONG count = 0, i;

        if (dispid == DISPID__IUccAudioVideoSessionParticipantEvents_OnUpdateChannels)
        {
            char *p = ucc_sink_progress(data), *text = g_strdup_printf("OnUpdateChannels %s", p);
            g_free(p);
            return text;
        }
        if (dispid == DISPID__IUccAudioVideoSessionParticipantEvents_OnMediaRequestCancelled)
            return g_strdup("OnMediaRequestCancelled");
        if (FAILED(IUnknown_QueryInterface(data, &IID_IUccIncomingMediaRequestEvent, (void **)&event)))
            return g_strdup("OnMediaRequest (bad data)");
        /* OnMediaRequest AUDIO:2 VIDEO:3: each channel the offer describes, with its PreferredMedia */
        line = g_string_new("OnMediaRequest");
        IUccIncomingMediaRequestEvent_get_MediaChannels(event, &channels);
        if (channels)
            IUccCollection_get_Count(channels, &count);
        for (i = 1; i <= count; i++)
        {
            IUccMediaChannel *channel = NULL;
            UCC_MEDIA_TYPES type = 0;
            LONG preferred = -1;
            VARIANT item;

            VariantInit(&item);
            if (FAILED(IUccCollection_get_Item(channels, i, &item))
                || (V_VT(&item) != VT_DISPATCH && V_VT(&item) != VT_UNKNOWN)
                || FAILED(IUnknown_QueryInterface(V_UNKNOWN(&item), &IID_IUccMediaChannel, (void **)&channel)))
            {
                g_string_append(line, " ?");
                VariantClear(&item);
                continue;
            }
            IUccMediaChannel_get_MediaType(channel, &type);
            IUccMediaChannel_get_PreferredMedia(channel, &preferred);
            g_string_append_printf(line, " %s:%ld", type == UCCMT_AUDIO ? "AUDIO" : type == UCCMT_VIDEO ? "VIDEO" : "?",
                                   (long)preferred);
            IUccMediaChannel_Release(channel);
            VariantClear(&item);
        }
        if (channels)
            IUccCollection_Release(channels);
        if (sink->media_request)
            IUccIncomingMediaRequestEvent_Release(sink->media_request);
        sink->media_request = event;        /* keeps our reference */
        return g_string_free(line, FALSE);
    }
    return g_strdup_printf("event %ld", (long)dispid);
}

static inline HRESULT WINAPI ucc_sink_Invoke(IDispatch *iface, DISPID dispid, REFIID riid, LCID lcid, WORD flags,
                                      DISPPARAMS *params, VARIANT *result, EXCEPINFO *excepinfo, UINT *arg_err)
{
    struct ucc_sink_connection *conn = ucc_sink_impl(iface);
    struct ucc_sink *sink = conn->sink;
    IUnknown *source, *data;
    char *line;

    /* docs/ucc-dispids.md: two VT_UNKNOWN arguments, reversed; source never NULL. */
    if (!params || params->cArgs != 2 || params->cNamedArgs || flags != DISPATCH_METHOD
        || V_VT(&params->rgvarg[1]) != VT_UNKNOWN || V_VT(&params->rgvarg[0]) != VT_UNKNOWN
        || !V_UNKNOWN(&params->rgvarg[1]) || !IsEqualIID(riid, &IID_NULL))
    {
        sink->bad_invokes++;
        return E_INVALIDARG;
    }
    source = V_UNKNOWN(&params->rgvarg[1]);
    data = V_UNKNOWN(&params->rgvarg[0]);
    IDispatch_AddRef(iface);
    line = ucc_sink_describe(sink, &conn->diid, dispid, source, data);
    if (g_getenv("UCC_SINK_TRACE"))
        fprintf(stderr, "[%s] %s\n", conn->label, line);
    g_ptr_array_add(sink->log, g_strdup_printf("%s %s", conn->label, line));
    g_free(line);
    if (sink->hook)
        sink->hook(sink, conn->label, &conn->diid, dispid, source, data);
    IDispatch_Release(iface);
    return S_OK;
}

static const IDispatchVtbl ucc_sink_vtbl G_GNUC_UNUSED =
{
    ucc_sink_QueryInterface,
    ucc_sink_AddRef,
    ucc_sink_Release,
    ucc_sink_GetTypeInfoCount,
    ucc_sink_GetTypeInfo,
    ucc_sink_GetIDsOfNames,
    ucc_sink_Invoke,
};

static inline void ucc_sink_init(struct ucc_sink *sink)
{
    memset(sink, 0, sizeof(*sink));
    sink->log = g_ptr_array_new_with_free_func(g_free);
    sink->connections = g_ptr_array_new();
}

/* FindConnectionPoint(diid) on object, then Advise a new connection with label. */
static inline HRESULT ucc_sink_advise(struct ucc_sink *sink, IUnknown *object, REFIID diid, const char *label)
{
    struct ucc_sink_connection *conn = g_new0(struct ucc_sink_connection, 1);
    IConnectionPointContainer *container;
    HRESULT hr;

    conn->IDispatch_iface.lpVtbl = &ucc_sink_vtbl;
    conn->refcount = 1;
    conn->sink = sink;
    conn->diid = *diid;
    g_strlcpy(conn->label, label, sizeof(conn->label));
    if (FAILED(hr = IUnknown_QueryInterface(object, &IID_IConnectionPointContainer, (void **)&container)))
    {
        g_free(conn);
        return hr;
    }
    hr = IConnectionPointContainer_FindConnectionPoint(container, diid, &conn->point);
    IConnectionPointContainer_Release(container);
    if (SUCCEEDED(hr) && FAILED(hr = IConnectionPoint_Advise(conn->point, (IUnknown *)&conn->IDispatch_iface,
                                                            &conn->cookie)))
        IConnectionPoint_Release(conn->point);
    if (FAILED(hr))
    {
        g_free(conn);
        return hr;
    }
    g_ptr_array_add(sink->connections, conn);
    return S_OK;
}

/* Unadvises everything and frees the log. */
static inline void ucc_sink_cleanup(struct ucc_sink *sink)
{
    guint i;

    for (i = 0; i < sink->connections->len; i++)
    {
        struct ucc_sink_connection *conn = g_ptr_array_index(sink->connections, i);
        IConnectionPoint_Unadvise(conn->point, conn->cookie);
        IConnectionPoint_Release(conn->point);
        IDispatch_Release(&conn->IDispatch_iface);
    }
    g_ptr_array_free(sink->connections, TRUE);
    g_ptr_array_free(sink->log, TRUE);
    if (sink->incoming)
        IUccIncomingSessionEvent_Release(sink->incoming);
    if (sink->incoming_session)
        IUccSession_Release(sink->incoming_session);
    if (sink->transfer)
        IUccIncomingSessionTransferEvent_Release(sink->transfer);
    if (sink->media_request)
        IUccIncomingMediaRequestEvent_Release(sink->media_request);
    sink->media_request = NULL;
    sink->incoming = NULL;
    sink->incoming_session = NULL;
    sink->transfer = NULL;
}

static inline char *ucc_sink_join(struct ucc_sink *sink)
{
    GString *out = g_string_new(NULL);
    guint i;

    for (i = 0; i < sink->log->len; i++)
    {
        if (i)
            g_string_append_c(out, '|');
        g_string_append(out, g_ptr_array_index(sink->log, i));
    }
    return g_string_free(out, FALSE);
}

/* The log as one string ('|' between lines), and cleared. g_free() it. */
static inline char *ucc_sink_take(struct ucc_sink *sink)
{
    char *joined = ucc_sink_join(sink);
    g_ptr_array_set_size(sink->log, 0);
    return joined;
}

static inline gboolean ucc_sink_has(struct ucc_sink *sink, const char *line)
{
    guint i;

    for (i = 0; i < sink->log->len; i++)
        if (!strcmp(g_ptr_array_index(sink->log, i), line))
            return TRUE;
    return FALSE;
}

static inline gboolean ucc_sink_timed_out(gpointer data)
{
    *(gboolean *)data = TRUE;
    return G_SOURCE_REMOVE;
}

/* Iterates the default main context until the log has line, or timeout_ms passes. */
static inline gboolean ucc_sink_wait(struct ucc_sink *sink, const char *line, int timeout_ms)
{
    gboolean expired = FALSE;
    guint timer = g_timeout_add(test_ms(timeout_ms), ucc_sink_timed_out, &expired);

    while (!ucc_sink_has(sink, line) && !expired)
        g_main_context_iteration(NULL, TRUE);
    if (!expired)
        g_source_remove(timer);
    else
    {
        char *log = ucc_sink_join(sink);
        fprintf(stderr, "timed out waiting for \"%s\"; log: %s\n", line, log);
        g_free(log);
    }
    return !expired;
}

/* Iterates the default main context for ms milliseconds. */
static inline void ucc_sink_run_for(int ms)
{
    gboolean expired = FALSE;

    g_timeout_add(ms, ucc_sink_timed_out, &expired);
    while (!expired)
        g_main_context_iteration(NULL, TRUE);
}

#endif
