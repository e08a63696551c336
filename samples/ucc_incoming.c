/*
 * ucc_incoming: the example OnIncomingSession handler of Microsoft's UCC API
 * documentation (MSDN: _IUccSessionManagerEvents.OnIncomingSession) on Linux.
 * A server-less UCC endpoint (docs/ucc.md) waits
 * for invitations, prints the inviter's URI, the session type and the
 * conversation id (context property 10000), then accepts, rejects with a
 * reason or redirects, by flag or at a prompt. IM messages that arrive are
 * printed (and answered with --reply); transfers (REFER) are accepted (the
 * target is called with the TransferContext) or rejected with --transfer.
 * The peer's media changes on an AV session (re-INVITE: hold, resume, video)
 * are accepted, rejected or accepted without the audio or the video with
 * --media. With --call it places an IM or AV session instead and sends a message.
 *
 *   ucc_incoming [--uri URI] [--listen ADDR:PORT]
 *                [--accept | --reject REASON | --redirect URI[,URI...]] [--decide-after MS]
 *                [--reply TEXT] [--transfer accept|reject]
 *                [--media accept|reject|remove-audio|remove-video] [--media-after MS] [--count N]
 *   ucc_incoming [--uri URI] --call URI [--av] [--message TEXT] [--conversation-id ID] [--hangup-after MS]
 *   audio sessions, placed or accepted: [--max-bandwidth BPS] (IUccAudioVideoSession::put_MaximumBandwidth)
 *   common: [--registrar ADDR:PORT | --find-server DOMAIN | --sign-in] [--user NAME --password SECRET]
 *           [--timeout SECONDS]
 *
 * Without --registrar the endpoint is server-less (docs/ucc.md): it listens where
 * --listen or its URI says. With it, Enable signs in (digest); --count 0 exits once
 * signed in (Shutdown then signs out). --find-server asks DNS for the domain's servers
 * first (FindServer), prints them and signs in with the first; --sign-in gives no
 * server at all, so that Enable finds it from the URI's domain (docs/ucc.md, "Finding
 * the server").
 *
 * REASON: busy, decline, unavailable, not-acceptable, timeout, decline-everywhere,
 * not-specified, or the number of a UCC_REJECT_OR_TERMINATE_REASON.
 * Without --accept/--reject/--redirect it asks: a(ccept), r(eject) [REASON], f(orward) URI.
 *
 * Exit status: 0 when the expected sessions completed (N incoming ones ended; the
 * placed one connected, its message was delivered and it ended), 1 on failure or
 * timeout, 2 for bad arguments.
 *
 * Written the way the UCC samples are: COBJMACROS, one IDispatch sink per
 * dispinterface with a switch on the DISPIDs (docs/ucc-dispids.md), and a GLib
 * main loop where Windows had a message loop.
 */
#define COBJMACROS
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>
#include <ocidl.h>
#include <uccapi.h>
#include "rtc_sample.h"     /* sample_bstr / sample_utf8 */

enum decision { DECIDE_PROMPT, DECIDE_ACCEPT, DECIDE_REJECT, DECIDE_REDIRECT };

static GMainLoop *loop;
static IUccPlatform *platform;
static IUccEndpoint *endpoint;
static enum decision decision = DECIDE_PROMPT;
static UCC_REJECT_OR_TERMINATE_REASON reject_reason = UCCROTR_DECLINE;
static char *redirect_targets, *reply_text, *call_target, *message_text, *conversation_id;
static gboolean call_av;
static int sessions_wanted = 1, sessions_ended, hangup_after = 1000, decide_after;
static int decisions_pending;                   /* --decide-after timers still to run */
static int exit_status = 1;
static IUccIncomingSessionEvent *pending;       /* waiting for the prompt */
static IUccSession *outgoing;
static gboolean connected, message_delivered;   /* the placed session's progress */
static char *transfer_mode;                     /* --transfer accept|reject; NULL: not asked */
static char *media_mode;                        /* --media accept|reject|remove-audio|remove-video; NULL: not asked */
static int media_after;                         /* --media-after: decide MS after the request */
static int max_bandwidth;                       /* --max-bandwidth: audio sessions' limit, bit/s */
static char *registrar, *user, *password;       /* --registrar: sign in (digest) instead of server-less */
static char *find_domain;                       /* --find-server: FindServer, then sign in with the first */
static gboolean sign_in_by_dns;                 /* --sign-in: Enable finds the server itself */
static IUccSession *transfer_session;           /* the session carrying out an accepted transfer */
static GPtrArray *connections;                  /* struct connection *: unadvised at exit */

/* ---- one sink per connection point -------------------------------------------------------- */

typedef void (*event_handler)(DISPID dispid, IUnknown *source, IUnknown *data);

struct connection
{
    IDispatch IDispatch_iface;
    LONG refcount;
    IID diid;
    event_handler handler;
    IConnectionPoint *point;
    DWORD cookie;
};

static struct connection *impl_from_IDispatch(IDispatch *iface)
{
    return CONTAINING_RECORD(iface, struct connection, IDispatch_iface);
}

static HRESULT STDMETHODCALLTYPE sink_QueryInterface(IDispatch *iface, REFIID riid, void **ppv)
{
    struct connection *conn = impl_from_IDispatch(iface);

    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IDispatch) || IsEqualIID(riid, &conn->diid))
    {
        *ppv = iface;
        IDispatch_AddRef(iface);
        return S_OK;
    }
    *ppv = NULL;
    return E_NOINTERFACE;
}

static ULONG STDMETHODCALLTYPE sink_AddRef(IDispatch *iface)
{
    return InterlockedIncrement(&impl_from_IDispatch(iface)->refcount);
}

static ULONG STDMETHODCALLTYPE sink_Release(IDispatch *iface)
{
    struct connection *conn = impl_from_IDispatch(iface);
    ULONG ref = InterlockedDecrement(&conn->refcount);

    if (!ref)
        free(conn);
    return ref;
}

static HRESULT STDMETHODCALLTYPE sink_GetTypeInfoCount(IDispatch *iface, UINT *count)
{
    *count = 0;
    return S_OK;
}

static HRESULT STDMETHODCALLTYPE sink_GetTypeInfo(IDispatch *iface, UINT index, LCID lcid, ITypeInfo **info)
{
    *info = NULL;
    return DISP_E_BADINDEX;
}

static HRESULT STDMETHODCALLTYPE sink_GetIDsOfNames(IDispatch *iface, REFIID riid, LPOLESTR *names, UINT count,
                                                    LCID lcid, DISPID *ids)
{
    return DISP_E_UNKNOWNNAME;
}

/* Every event: Invoke(DISPID, two arguments in reverse order: rgvarg[1] source, rgvarg[0] data). */
static HRESULT STDMETHODCALLTYPE sink_Invoke(IDispatch *iface, DISPID dispid, REFIID riid, LCID lcid, WORD flags,
                                             DISPPARAMS *params, VARIANT *result, EXCEPINFO *excepinfo, UINT *arg_err)
{
    struct connection *conn = impl_from_IDispatch(iface);

    if (!params || params->cArgs != 2)
        return DISP_E_BADPARAMCOUNT;
    conn->handler(dispid, V_UNKNOWN(&params->rgvarg[1]), V_UNKNOWN(&params->rgvarg[0]));
    return S_OK;
}

static const IDispatchVtbl sink_vtbl =
{
    sink_QueryInterface, sink_AddRef, sink_Release,
    sink_GetTypeInfoCount, sink_GetTypeInfo, sink_GetIDsOfNames, sink_Invoke,
};

static HRESULT advise(IUnknown *object, REFIID diid, event_handler handler)
{
    IConnectionPointContainer *container;
    struct connection *conn;
    HRESULT hr;

    if (FAILED(hr = IUnknown_QueryInterface(object, &IID_IConnectionPointContainer, (void **)&container)))
        return hr;
    conn = calloc(1, sizeof(*conn));
    conn->IDispatch_iface.lpVtbl = &sink_vtbl;
    conn->refcount = 1;
    conn->diid = *diid;
    conn->handler = handler;
    hr = IConnectionPointContainer_FindConnectionPoint(container, diid, &conn->point);
    IConnectionPointContainer_Release(container);
    if (SUCCEEDED(hr) && FAILED(hr = IConnectionPoint_Advise(conn->point, (IUnknown *)&conn->IDispatch_iface,
                                                            &conn->cookie)))
        IConnectionPoint_Release(conn->point);
    if (FAILED(hr))
    {
        free(conn);
        return hr;
    }
    g_ptr_array_add(connections, conn);
    return S_OK;
}

static void unadvise_all(void)
{
    guint i;

    for (i = 0; i < connections->len; i++)
    {
        struct connection *conn = g_ptr_array_index(connections, i);
        IConnectionPoint_Unadvise(conn->point, conn->cookie);
        IConnectionPoint_Release(conn->point);
        IDispatch_Release(&conn->IDispatch_iface);
    }
    g_ptr_array_set_size(connections, 0);
}

/* ---- helpers --------------------------------------------------------------------------------- */

static char *uri_text(IUccUri *uri)
{
    BSTR value = NULL;
    char *text;

    IUccUri_get_Value(uri, &value);
    text = sample_utf8(value);
    SysFreeString(value);
    return text;
}

static char *participant_uri(IUccSessionParticipant *participant)
{
    IUccUri *uri;
    char *text;

    if (FAILED(IUccSessionParticipant_get_Uri(participant, &uri)))
        return g_strdup("?");
    text = uri_text(uri);
    IUccUri_Release(uri);
    return text;
}

static IUccUri *parse_uri(const char *text)
{
    IUccUriManager *manager;
    IUccUri *uri = NULL;
    BSTR b = sample_bstr(text);

    if (SUCCEEDED(CoCreateInstance(&CLSID_UccUriManager, NULL, CLSCTX_INPROC_SERVER, &IID_IUccUriManager,
                                   (void **)&manager)))
    {
        IUccUriManager_ParseUri(manager, b, &uri);
        IUccUriManager_Release(manager);
    }
    SysFreeString(b);
    return uri;
}

static const char *status_text(HRESULT hr, char buffer[32])
{
    /* SIP final responses are 0x80EF0000 | code (docs/wire-mapping.md). */
    if (!hr)
        return "0";
    if (((unsigned int)hr & 0xffff0000) == 0x80ef0000)
        g_snprintf(buffer, 32, "SIP %u", (unsigned int)hr & 0xffff);
    else
        g_snprintf(buffer, 32, "0x%08x", (unsigned int)hr);
    return buffer;
}

static const char *const state_names[] = { "?", "IDLE", "CONNECTING", "CONNECTED", "DISCONNECTING", "DISCONNECTED" };
static const char *const reason_names[] = { "normal", "ringing", "trying", "remote hang-up", "forwarded",
                                            "redirected", "conference", "transfer", "failed", "error",
                                            "no such endpoint", "retry", "suspended" };

static BOOL parse_reason(const char *text, UCC_REJECT_OR_TERMINATE_REASON *reason)
{
    static const struct { const char *name; UCC_REJECT_OR_TERMINATE_REASON value; } names[] =
    {
        { "busy", UCCROTR_BUSY }, { "decline", UCCROTR_DECLINE }, { "unavailable", UCCROTR_UNAVAILABLE },
        { "not-acceptable", UCCROTR_NOT_ACCEPTABLE }, { "timeout", UCCROTR_TIMEOUT },
        { "decline-everywhere", UCCROTR_DECLINE_EVERYWHERE }, { "not-specified", UCCROTR_NOT_SPECIFIED },
    };
    unsigned int i;
    char *end;
    long value;

    for (i = 0; i < G_N_ELEMENTS(names); i++)
        if (!g_ascii_strcasecmp(text, names[i].name))
        {
            *reason = names[i].value;
            return TRUE;
        }
    value = strtol(text, &end, 10);
    if (*text && !*end)
    {
        *reason = value;
        return TRUE;
    }
    return FALSE;
}

/* Listening: done after N sessions have ended and no --decide-after decision is still due. */
static void check_done(void)
{
    if (!call_target && sessions_ended >= sessions_wanted && !decisions_pending)
    {
        exit_status = 0;
        g_main_loop_quit(loop);
    }
}

static void session_ended(void)
{
    sessions_ended++;
    check_done();
}

/* ---- participant and session events ------------------------------------------------------------ */

static gboolean hang_up(gpointer data)
{
    if (outgoing)
    {
        printf("[ucc] hanging up\n");
        IUccSession_Terminate(outgoing, UCCROTR_NOT_SPECIFIED, NULL);
    }
    return G_SOURCE_REMOVE;
}

static void send_message(IUccSession *session, const char *text)
{
    IUccInstantMessagingSession *im;
    BSTR type = SysAllocString(L"text/plain"), body = sample_bstr(text);
    HRESULT hr;

    if (SUCCEEDED(IUccSession_QueryInterface(session, &IID_IUccInstantMessagingSession, (void **)&im)))
    {
        if (FAILED(hr = IUccInstantMessagingSession_SendMessage(im, type, body, NULL)))
            printf("[ucc] SendMessage failed: 0x%08x\n", (unsigned int)hr);
        IUccInstantMessagingSession_Release(im);
    }
    SysFreeString(type);
    SysFreeString(body);
}

static void on_participant_event(DISPID dispid, IUnknown *source, IUnknown *data)
{
    IUccSessionParticipantStateChangedEvent *event;
    UCC_SESSION_ENTITY_STATE state = 0;
    UCC_PARTICIPANT_STATE_CHANGE_REASON reason = 0;
    IUccOperationProgressEvent *progress;
    HRESULT status = S_OK;
    char buffer[32];

    if (dispid != DISPID__IUccSessionParticipantEvents_OnStateChanged
        || FAILED(IUnknown_QueryInterface(data, &IID_IUccSessionParticipantStateChangedEvent, (void **)&event)))
        return;
    IUccSessionParticipantStateChangedEvent_get_NewState(event, &state);
    IUccSessionParticipantStateChangedEvent_get_Reason(event, &reason);
    if (SUCCEEDED(IUnknown_QueryInterface(data, &IID_IUccOperationProgressEvent, (void **)&progress)))
    {
        IUccOperationProgressEvent_get_StatusCode(progress, &status);
        IUccOperationProgressEvent_Release(progress);
    }
    printf("[ucc] participant %s (%s, %s)\n", state_names[state < 6 ? state : 0],
           (unsigned int)reason < G_N_ELEMENTS(reason_names) ? reason_names[reason] : "?",
           status_text(status, buffer));
    if (state == UCCSES_CONNECTED && outgoing)
    {
        connected = TRUE;
        if (message_text && !call_av)
            send_message(outgoing, message_text);
        else
            g_timeout_add(hangup_after, hang_up, NULL);
    }
    IUccSessionParticipantStateChangedEvent_Release(event);
}

static void on_im_participant_event(DISPID dispid, IUnknown *source, IUnknown *data)
{
    IUccIncomingInstantMessageEvent *event;
    IUccSessionParticipant *participant;
    IUccSession *session;
    BSTR content = NULL, type = NULL;
    char *text, *ctype;

    if (dispid != DISPID__IUccInstantMessagingSessionParticipantEvents_OnInstantMessageReceived
        || FAILED(IUnknown_QueryInterface(data, &IID_IUccIncomingInstantMessageEvent, (void **)&event)))
        return;
    IUccIncomingInstantMessageEvent_get_ContentType(event, &type);
    IUccIncomingInstantMessageEvent_get_Content(event, &content);
    ctype = sample_utf8(type);
    text = sample_utf8(content);
    printf("[ucc] message (%s): %s\n", ctype, text);
    g_free(ctype);
    g_free(text);
    SysFreeString(type);
    SysFreeString(content);
    IUccIncomingInstantMessageEvent_Release(event);
    if (reply_text && SUCCEEDED(IUnknown_QueryInterface(source, &IID_IUccSessionParticipant, (void **)&participant)))
    {
        if (SUCCEEDED(IUccSessionParticipant_get_Session(participant, &session)))
        {
            send_message(session, reply_text);
            IUccSession_Release(session);
        }
        IUccSessionParticipant_Release(participant);
    }
}

static void on_im_session_event(DISPID dispid, IUnknown *source, IUnknown *data)
{
    IUccSessionOperationEvent *event;
    IUccCollection *results;
    LONG count = 0, i;
    HRESULT worst = S_OK;
    char buffer[32];

    if (dispid != DISPID__IUccInstantMessagingSessionEvents_OnSendMessage
        || FAILED(IUnknown_QueryInterface(data, &IID_IUccSessionOperationEvent, (void **)&event)))
        return;
    IUccSessionOperationEvent_get_ParticipantResults(event, &results);
    IUccCollection_get_Count(results, &count);
    for (i = 1; i <= count; i++)
    {
        IUccSessionParticipantOperationEvent *result;
        IUccOperationProgressEvent *progress;
        HRESULT status = E_FAIL;
        VARIANT item;

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
        if (FAILED(status))
            worst = status;
    }
    IUccCollection_Release(results);
    IUccSessionOperationEvent_Release(event);
    printf("[ucc] message sent: %s\n", status_text(worst, buffer));
    if (outgoing && count && SUCCEEDED(worst))
    {
        message_delivered = TRUE;
        g_timeout_add(hangup_after, hang_up, NULL);
    }
}

static void on_session_event(DISPID dispid, IUnknown *source, IUnknown *data)
{
    IUccOperationProgressEvent *progress;
    HRESULT status = S_OK;
    char buffer[32];

    if (FAILED(IUnknown_QueryInterface(data, &IID_IUccOperationProgressEvent, (void **)&progress)))
        return;
    IUccOperationProgressEvent_get_StatusCode(progress, &status);
    IUccOperationProgressEvent_Release(progress);
    switch (dispid)
    {
    case DISPID__IUccSessionEvents_OnAddParticipant:
        printf("[ucc] invitation %s (%s)\n", SUCCEEDED(status) ? "accepted" : "failed", status_text(status, buffer));
        if (FAILED(status) && outgoing)
        {
            IUccSession_Terminate(outgoing, UCCROTR_NOT_SPECIFIED, NULL);
        }
        break;
    case DISPID__IUccSessionEvents_OnTerminate:
        printf("[ucc] session ended\n");
        if (outgoing)
        {
            exit_status = connected && (!message_text || call_av || message_delivered) ? 0 : 1;
            g_main_loop_quit(loop);
        }
        else
            session_ended();
        break;
    default:
        break;
    }
}

/* ---- transfer: a REFER to our session (docs/ucc.md, "Transfer") ------------------------------- */

static void on_transfer_session_event(DISPID dispid, IUnknown *source, IUnknown *data)
{
    IUccOperationProgressEvent *progress;
    HRESULT status = S_OK;
    char buffer[32];

    if (dispid != DISPID__IUccSessionEvents_OnAddParticipant
        || FAILED(IUnknown_QueryInterface(data, &IID_IUccOperationProgressEvent, (void **)&progress)))
        return;
    IUccOperationProgressEvent_get_StatusCode(progress, &status);
    IUccOperationProgressEvent_Release(progress);
    printf("[ucc] transfer target %s (%s)\n", SUCCEEDED(status) ? "answered" : "failed",
           status_text(status, buffer));
}

static void on_call_control_event(DISPID dispid, IUnknown *source, IUnknown *data)
{
    IUccIncomingSessionTransferEvent *event;
    IUccSessionParticipant *participant;
    IUccSessionManager *manager;
    IUccContext *context, *transfer_context;
    IUccUri *to = NULL, *by = NULL;
    char *to_text, *by_text;
    VARIANT v;
    HRESULT hr;

    if (dispid != DISPID__IUccSessionCallControlEvents_OnIncomingTransfer
        || FAILED(IUnknown_QueryInterface(data, &IID_IUccIncomingSessionTransferEvent, (void **)&event)))
        return;
    IUccIncomingSessionTransferEvent_get_ReferredTo(event, &to);
    IUccIncomingSessionTransferEvent_get_ReferredBy(event, &by);
    to_text = to ? uri_text(to) : g_strdup("?");
    by_text = by ? uri_text(by) : g_strdup("(nobody)");
    printf("[ucc] transfer to %s requested by %s\n", to_text, by_text);
    g_free(to_text);
    g_free(by_text);
    if (by)
        IUccUri_Release(by);
    if (strcmp(transfer_mode, "accept") || transfer_session)
    {
        hr = IUccIncomingSessionTransferEvent_Reject(event, UCCROTR_DECLINE);
        printf("[ucc] transfer rejected: 0x%08x\n", (unsigned int)hr);
    }
    else if (SUCCEEDED(hr = IUccIncomingSessionTransferEvent_Accept(event)))
    {
        /* The UCC way: a new session whose context carries the TransferContext. */
        IUccIncomingSessionTransferEvent_get_TransferContext(event, &transfer_context);
        CoCreateInstance(&CLSID_UccContext, NULL, CLSCTX_INPROC_SERVER, &IID_IUccContext, (void **)&context);
        V_VT(&v) = VT_UNKNOWN;
        V_UNKNOWN(&v) = (IUnknown *)transfer_context;
        IUccContext_AddProperty(context, UCCSC_TRANSFER_CONTEXT, v, NULL);
        IUccContext_Release(transfer_context);
        IUccEndpoint_QueryInterface(endpoint, &IID_IUccSessionManager, (void **)&manager);
        hr = IUccSessionManager_CreateSession(manager, UCCST_AUDIO_VIDEO, context, &transfer_session);
        IUccSessionManager_Release(manager);
        IUccContext_Release(context);
        if (SUCCEEDED(hr) && SUCCEEDED(hr = IUccSession_CreateParticipant(transfer_session, to, NULL, &participant)))
        {
            advise((IUnknown *)transfer_session, &DIID__IUccSessionEvents, on_transfer_session_event);
            hr = IUccSession_AddParticipant(transfer_session, participant, NULL);
            IUccSessionParticipant_Release(participant);
        }
        printf("[ucc] transfer accepted, calling the target: 0x%08x\n", (unsigned int)hr);
    }
    else
        printf("[ucc] transfer accept failed: 0x%08x\n", (unsigned int)hr);
    if (to)
        IUccUri_Release(to);
    IUccIncomingSessionTransferEvent_Release(event);
}

/* ---- the peer's media changes (OnMediaRequest) ---------------------------------------------------- */

static const char *media_name(UCC_MEDIA_TYPES type)
{
    return type == UCCMT_AUDIO ? "audio" : type == UCCMT_VIDEO ? "video" : "?";
}

/* Prints what the offer describes; takes out the channel of type `removed` (if any). */
static void review_media_request(IUccIncomingMediaRequestEvent *request, const char *removed)
{
    IUccCollection *channels;
    LONG count = 0, i;

    if (FAILED(IUccIncomingMediaRequestEvent_get_MediaChannels(request, &channels)))
        return;
    IUccCollection_get_Count(channels, &count);
    for (i = 1; i <= count; i++)
    {
        IUccMediaChannel *channel;
        UCC_MEDIA_TYPES type = 0;
        LONG directions = 0;
        VARIANT item;

        VariantInit(&item);
        if (FAILED(IUccCollection_get_Item(channels, i, &item))
            || FAILED(IUnknown_QueryInterface(V_UNKNOWN(&item), &IID_IUccMediaChannel, (void **)&channel)))
        {
            VariantClear(&item);
            continue;
        }
        IUccMediaChannel_get_MediaType(channel, &type);
        IUccMediaChannel_get_PreferredMedia(channel, &directions);
        printf("[ucc] media request: %s, directions %ld\n", media_name(type), (long)directions);
        if (removed && !strcmp(removed, media_name(type)))
            printf("[ucc] RemoveChannel(%s): 0x%08x\n", removed,
                   (unsigned int)IUccIncomingMediaRequestEvent_RemoveChannel(request, channel));
        IUccMediaChannel_Release(channel);
        VariantClear(&item);
    }
    IUccCollection_Release(channels);
}

static void decide_media(IUccIncomingMediaRequestEvent *request)
{
    review_media_request(request, g_str_has_prefix(media_mode, "remove-") ? media_mode + 7 : NULL);
    if (!strcmp(media_mode, "reject"))
        printf("[ucc] media request rejected: 0x%08x\n",
               (unsigned int)IUccIncomingMediaRequestEvent_Reject(request, UCCROTR_NOT_SPECIFIED));
    else
        printf("[ucc] media request accepted: 0x%08x\n", (unsigned int)IUccIncomingMediaRequestEvent_Accept(request));
}

static gboolean decide_media_later(gpointer data)
{
    IUccIncomingMediaRequestEvent *request = data;

    decide_media(request);
    IUccIncomingMediaRequestEvent_Release(request);
    decisions_pending--;
    check_done();
    return G_SOURCE_REMOVE;
}

static void on_av_participant_event(DISPID dispid, IUnknown *source, IUnknown *data)
{
    IUccIncomingMediaRequestEvent *request;

    if (dispid == DISPID__IUccAudioVideoSessionParticipantEvents_OnMediaRequestCancelled)
        printf("[ucc] media request cancelled\n");
    if (dispid != DISPID__IUccAudioVideoSessionParticipantEvents_OnMediaRequest
        || FAILED(IUnknown_QueryInterface(data, &IID_IUccIncomingMediaRequestEvent, (void **)&request)))
        return;
    if (media_after > 0)
    {
        decisions_pending++;
        g_timeout_add(media_after, decide_media_later, request);      /* keeps our reference */
        return;
    }
    decide_media(request);
    IUccIncomingMediaRequestEvent_Release(request);
}

/* What the application advises on a session and its remote participant (docs/ucc.md). */
static void advise_session(IUccSession *session, IUccSessionParticipant *participant)
{
    UCC_SESSION_TYPE type = UCCST_AUDIO_VIDEO;

    IUccSession_get_Type(session, &type);
    advise((IUnknown *)session, &DIID__IUccSessionEvents, on_session_event);
    /* Transfers are followed only with the application's consent: without this sink, 603. */
    if (transfer_mode)
        advise((IUnknown *)session, &DIID__IUccSessionCallControlEvents, on_call_control_event);
    advise((IUnknown *)participant, &DIID__IUccSessionParticipantEvents, on_participant_event);
    if (type == UCCST_INSTANT_MESSAGING)
    {
        advise((IUnknown *)session, &DIID__IUccInstantMessagingSessionEvents, on_im_session_event);
        advise((IUnknown *)participant, &DIID__IUccInstantMessagingSessionParticipantEvents, on_im_participant_event);
    }
    /* Without this sink the peer's media changes are accepted as they come. */
    else if (media_mode)
        advise((IUnknown *)participant, &DIID__IUccAudioVideoSessionParticipantEvents, on_av_participant_event);
}

/* ---- the MSDN example: OnIncomingSession --------------------------------------------------------- */

static void redirect(IUccIncomingSessionEvent *event, const char *targets)
{
    IUccPropertyCollection *pairs;
    char **uris = g_strsplit(targets, ",", -1), **uri;
    LONG id = 1;
    HRESULT hr;

    if (FAILED(CoCreateInstance(&CLSID_UccPropertyCollection, NULL, CLSCTX_INPROC_SERVER, &IID_IUccPropertyCollection,
                                (void **)&pairs)))
        return;
    /* One (name, URI) pair per target; without a display name it is keyed by number. */
    for (uri = uris; *uri; uri++)
    {
        VARIANT v;
        V_VT(&v) = VT_BSTR;
        V_BSTR(&v) = sample_bstr(g_strstrip(*uri));
        IUccPropertyCollection_AddProperty(pairs, id++, v, NULL);
        VariantClear(&v);
    }
    hr = IUccIncomingSessionEvent_Redirect(event, UCCSRM_CLIENT_REDIRECT, pairs);
    printf("[ucc] redirecting to %s: 0x%08x\n", targets, (unsigned int)hr);
    IUccPropertyCollection_Release(pairs);
    g_strfreev(uris);
}

/* --max-bandwidth on an audio session (IM sessions have no IUccAudioVideoSession). */
static void limit_bandwidth(IUccSession *session)
{
    IUccAudioVideoSession *av;
    HRESULT hr;

    if (!max_bandwidth || FAILED(IUccSession_QueryInterface(session, &IID_IUccAudioVideoSession, (void **)&av)))
        return;
    hr = IUccAudioVideoSession_put_MaximumBandwidth(av, (ULONG)max_bandwidth);
    printf("[ucc] maximum bandwidth %d bit/s: 0x%08x\n", max_bandwidth, (unsigned int)hr);
    if (FAILED(hr))
        fprintf(stderr, "ucc_incoming: no audio codec fits in %d bit/s\n", max_bandwidth);
    IUccAudioVideoSession_Release(av);
}

static void decide(IUccIncomingSessionEvent *event, enum decision what, UCC_REJECT_OR_TERMINATE_REASON reason,
                   const char *targets)
{
    IUccSession *session;
    HRESULT hr;

    switch (what)
    {
    case DECIDE_ACCEPT:
        if (SUCCEEDED(IUccIncomingSessionEvent_get_Session(event, &session)))
        {
            limit_bandwidth(session);
            IUccSession_Release(session);
        }
        hr = IUccIncomingSessionEvent_Accept(event);
        printf("[ucc] accepting: 0x%08x\n", (unsigned int)hr);
        break;
    case DECIDE_REJECT:
        hr = IUccIncomingSessionEvent_Reject(event, reason);
        printf("[ucc] rejecting (reason %d): 0x%08x\n", reason, (unsigned int)hr);
        break;
    case DECIDE_REDIRECT:
        redirect(event, targets);
        break;
    default:
        break;
    }
}

static gboolean decide_later(gpointer data)
{
    IUccIncomingSessionEvent *event = data;

    decide(event, decision, reject_reason, redirect_targets);
    IUccIncomingSessionEvent_Release(event);
    decisions_pending--;
    check_done();
    return G_SOURCE_REMOVE;
}

static void on_session_manager_event(DISPID dispid, IUnknown *source, IUnknown *data)
{
    IUccIncomingSessionEvent *event;
    IUccSessionParticipant *inviter;
    IUccContext *context;
    IUccSession *session;
    UCC_SESSION_TYPE type = UCCST_AUDIO_VIDEO;
    VARIANT_BOOL set = VARIANT_FALSE;
    char *uri;

    if (dispid != DISPID__IUccSessionManagerEvents_OnIncomingSession
        || FAILED(IUnknown_QueryInterface(data, &IID_IUccIncomingSessionEvent, (void **)&event)))
        return;
    IUccIncomingSessionEvent_get_Session(event, &session);
    IUccIncomingSessionEvent_get_Inviter(event, &inviter);
    IUccSession_get_Type(session, &type);
    uri = participant_uri(inviter);
    printf("[ucc] incoming %s session from %s\n", type == UCCST_INSTANT_MESSAGING ? "IM" : "AV", uri);
    g_free(uri);
    /* As in the MSDN example: the conversation id is context property 10000 of the session. */
    if (SUCCEEDED(IUccSession_get_Context(session, &context)))
    {
        if (SUCCEEDED(IUccContext_IsPropertySet(context, 10000, &set)) && set)
        {
            IUccProperty *property;
            BSTR value = NULL;
            if (SUCCEEDED(IUccContext_get_Property(context, 10000, &property)))
            {
                IUccProperty_get_StringValue(property, &value);
                uri = sample_utf8(value);
                printf("[ucc] conversation id %s\n", uri);
                g_free(uri);
                SysFreeString(value);
                IUccProperty_Release(property);
            }
        }
        IUccContext_Release(context);
    }
    advise_session(session, inviter);
    if (decision == DECIDE_PROMPT)
    {
        if (pending)
            IUccIncomingSessionEvent_Release(pending);
        pending = event;    /* the event stays valid after this handler returns */
        IUccIncomingSessionEvent_AddRef(pending);
        printf("accept? a(ccept) / r(eject) [reason] / f(orward) URI: ");
        fflush(stdout);
    }
    else if (decide_after > 0)
    {
        /* Decide later: the event stays valid after this handler returns (docs/ucc.md). */
        IUccIncomingSessionEvent_AddRef(event);
        decisions_pending++;
        g_timeout_add(decide_after, decide_later, event);
    }
    else
        decide(event, decision, reject_reason, redirect_targets);
    IUccSessionParticipant_Release(inviter);
    IUccSession_Release(session);
    IUccIncomingSessionEvent_Release(event);
}

static gboolean on_stdin(GIOChannel *channel, GIOCondition condition, gpointer data)
{
    char *line = NULL;
    UCC_REJECT_OR_TERMINATE_REASON reason = UCCROTR_DECLINE;

    if (g_io_channel_read_line(channel, &line, NULL, NULL, NULL) != G_IO_STATUS_NORMAL)
        return G_SOURCE_REMOVE;
    g_strstrip(line);
    if (pending)
    {
        if (line[0] == 'a')
            decide(pending, DECIDE_ACCEPT, 0, NULL);
        else if (line[0] == 'r')
        {
            if (line[1] == ' ' && !parse_reason(g_strstrip(line + 2), &reason))
                printf("unknown reason, declining\n");
            decide(pending, DECIDE_REJECT, reason, NULL);
        }
        else if (line[0] == 'f' && line[1] == ' ')
            decide(pending, DECIDE_REDIRECT, 0, g_strstrip(line + 2));
        else
        {
            printf("a, r [reason] or f URI: ");
            fflush(stdout);
            g_free(line);
            return G_SOURCE_CONTINUE;
        }
        IUccIncomingSessionEvent_Release(pending);
        pending = NULL;
    }
    g_free(line);
    return G_SOURCE_CONTINUE;
}

static void on_endpoint_event(DISPID dispid, IUnknown *source, IUnknown *data)
{
    IUccOperationProgressEvent *progress;
    HRESULT status = E_FAIL;
    char buffer[32];

    if (FAILED(IUnknown_QueryInterface(data, &IID_IUccOperationProgressEvent, (void **)&progress)))
        return;
    IUccOperationProgressEvent_get_StatusCode(progress, &status);
    IUccOperationProgressEvent_Release(progress);
    if (dispid != DISPID__IUccEndpointEvents_OnEnable)
        return;
    if (FAILED(status))
    {
        printf("[ucc] enable failed: %s\n", status_text(status, buffer));
        g_main_loop_quit(loop);
        return;
    }
    printf("[ucc] %s\n", registrar || find_domain || sign_in_by_dns ? "signed in" : "ready");
    fflush(stdout);
    /* --count 0: signing in (or starting to listen) was all there was to do. */
    if (!call_target && sessions_wanted == 0)
    {
        check_done();
        return;
    }
    if (call_target)
    {
        IUccSessionManager *manager;
        IUccSessionParticipant *participant;
        IUccContext *context = NULL;
        IUccUri *uri = parse_uri(call_target);
        HRESULT hr;

        if (!uri)
        {
            printf("[ucc] bad URI %s\n", call_target);
            g_main_loop_quit(loop);
            return;
        }
        if (conversation_id)
        {
            VARIANT v;
            CoCreateInstance(&CLSID_UccContext, NULL, CLSCTX_INPROC_SERVER, &IID_IUccContext, (void **)&context);
            V_VT(&v) = VT_BSTR;
            V_BSTR(&v) = sample_bstr(conversation_id);
            IUccContext_AddProperty(context, 10000, v, NULL);
            VariantClear(&v);
        }
        IUccEndpoint_QueryInterface(endpoint, &IID_IUccSessionManager, (void **)&manager);
        hr = IUccSessionManager_CreateSession(manager, call_av ? UCCST_AUDIO_VIDEO : UCCST_INSTANT_MESSAGING, context,
                                              &outgoing);
        IUccSessionManager_Release(manager);
        if (context)
            IUccContext_Release(context);
        if (SUCCEEDED(hr))
            limit_bandwidth(outgoing);
        if (SUCCEEDED(hr))
            hr = IUccSession_CreateParticipant(outgoing, uri, NULL, &participant);
        if (SUCCEEDED(hr))
        {
            advise_session(outgoing, participant);
            hr = IUccSession_AddParticipant(outgoing, participant, NULL);
            IUccSessionParticipant_Release(participant);
        }
        IUccUri_Release(uri);
        printf("[ucc] calling %s: 0x%08x\n", call_target, (unsigned int)hr);
        if (FAILED(hr))
            g_main_loop_quit(loop);
    }
}

static void on_platform_event(DISPID dispid, IUnknown *source, IUnknown *data)
{
    if (dispid == DISPID__IUccPlatformEvents_OnShutdown)
        g_main_loop_quit(loop);
}

/* OnFindServer: print what DNS gave, sign in with the first. */
static void on_signaling_event(DISPID dispid, IUnknown *source, IUnknown *data)
{
    IUccServerSignalingSettings *settings;
    IUccFindServerEvent *event;
    IUccCollection *servers = NULL;
    HRESULT status = E_FAIL;
    LONG count = 0, i;
    char buffer[32];

    (void)source;
    if (dispid != DISPID__IUccServerSignalingSettingsEvents_OnFindServer
        || FAILED(IUnknown_QueryInterface(data, &IID_IUccFindServerEvent, (void **)&event)))
        return;
    IUccFindServerEvent_get_StatusCode(event, &status);
    IUccFindServerEvent_get_SignalingServers(event, &servers);
    IUccFindServerEvent_Release(event);
    IUccCollection_get_Count(servers, &count);
    printf("[ucc] FindServer: status %s, %ld server(s)\n", status_text(status, buffer), (long)count);
    IUccEndpoint_QueryInterface(endpoint, &IID_IUccServerSignalingSettings, (void **)&settings);
    for (i = 1; i <= count; i++)
    {
        static const char *const transports[] = { "?", "UDP", "TCP", "TLS" };
        IUccSignalingServer *server;
        UCC_TRANSPORT_MODE mode = 0;
        BSTR address = NULL;
        VARIANT item;
        char *text;

        VariantInit(&item);
        if (FAILED(IUccCollection_get_Item(servers, i, &item)) || V_VT(&item) != VT_UNKNOWN
            || FAILED(IUnknown_QueryInterface(V_UNKNOWN(&item), &IID_IUccSignalingServer, (void **)&server)))
        {
            VariantClear(&item);
            continue;
        }
        VariantClear(&item);
        IUccSignalingServer_get_ServerAddress(server, &address);
        IUccSignalingServer_get_TransportMode(server, &mode);
        text = sample_utf8(address);
        printf("[ucc] server %s %s\n", text, (unsigned int)mode < 4 ? transports[mode] : "?");
        g_free(text);
        SysFreeString(address);
        if (i == 1)
            IUccServerSignalingSettings_put_Server(settings, server);
        IUccSignalingServer_Release(server);
    }
    IUccServerSignalingSettings_Release(settings);
    IUccCollection_Release(servers);
    fflush(stdout);
    if (FAILED(status) || !count)
    {
        g_main_loop_quit(loop);
        return;
    }
    IUccEndpoint_Enable(endpoint, NULL);
}

static gboolean timed_out(gpointer data)
{
    printf("[ucc] timed out\n");
    exit_status = 1;
    g_main_loop_quit(loop);
    return G_SOURCE_REMOVE;
}

int main(int argc, char **argv)
{
    char *uri_option = NULL, *listen_option = NULL, *reject_option = NULL;
    gboolean accept = FALSE;
    int timeout = 0;
    GOptionEntry options[] =
    {
        { "uri", 0, 0, G_OPTION_ARG_STRING, &uri_option, "Our URI; server-less, we listen on its host and port", "URI" },
        { "listen", 0, 0, G_OPTION_ARG_STRING, &listen_option, "Listen on ADDR:PORT instead", "ADDR:PORT" },
        { "accept", 0, 0, G_OPTION_ARG_NONE, &accept, "Accept every invitation", NULL },
        { "reject", 0, 0, G_OPTION_ARG_STRING, &reject_option, "Reject every invitation with REASON", "REASON" },
        { "redirect", 0, 0, G_OPTION_ARG_STRING, &redirect_targets, "Redirect every invitation (302)", "URI[,URI...]" },
        { "reply", 0, 0, G_OPTION_ARG_STRING, &reply_text, "Answer every received IM with TEXT", "TEXT" },
        { "transfer", 0, 0, G_OPTION_ARG_STRING, &transfer_mode, "Accept or reject transfers (REFER)",
          "accept|reject" },
        { "media", 0, 0, G_OPTION_ARG_STRING, &media_mode, "Decide the peer's media changes (re-INVITE)",
          "accept|reject|remove-audio|remove-video" },
        { "media-after", 0, 0, G_OPTION_ARG_INT, &media_after, "Decide them MS after they came", "MS" },
        { "count", 0, 0, G_OPTION_ARG_INT, &sessions_wanted, "Exit after N incoming sessions ended", "N" },
        { "decide-after", 0, 0, G_OPTION_ARG_INT, &decide_after, "Accept/reject/redirect MS after the invitation",
          "MS" },
        { "call", 0, 0, G_OPTION_ARG_STRING, &call_target, "Place a session to URI", "URI" },
        { "av", 0, 0, G_OPTION_ARG_NONE, &call_av, "An audio session rather than IM", NULL },
        { "message", 0, 0, G_OPTION_ARG_STRING, &message_text, "Send TEXT once connected", "TEXT" },
        { "conversation-id", 0, 0, G_OPTION_ARG_STRING, &conversation_id, "Context property 10000", "ID" },
        { "hangup-after", 0, 0, G_OPTION_ARG_INT, &hangup_after, "Hang up MS after connecting/sending", "MS" },
        { "max-bandwidth", 0, 0, G_OPTION_ARG_INT, &max_bandwidth, "Audio sessions' maximum bandwidth", "BPS" },
        { "timeout", 0, 0, G_OPTION_ARG_INT, &timeout, "Give up after SECONDS", "SECONDS" },
        { "registrar", 0, 0, G_OPTION_ARG_STRING, &registrar, "Sign in with this registrar (UDP)", "ADDR:PORT" },
        { "user", 0, 0, G_OPTION_ARG_STRING, &user, "User name for the registrar's digest challenge", "NAME" },
        { "password", 0, 0, G_OPTION_ARG_STRING, &password, "Password for the digest challenge", "SECRET" },
        { "find-server", 0, 0, G_OPTION_ARG_STRING, &find_domain, "FindServer(DOMAIN), then sign in with the first",
          "DOMAIN" },
        { "sign-in", 0, 0, G_OPTION_ARG_NONE, &sign_in_by_dns, "Sign in with no server given (DNS finds it)", NULL },
        { NULL }
    };
    GOptionContext *context = g_option_context_new("- answer (or place) UCC sessions");
    IUccContext *endpoint_context;
    GIOChannel *input = NULL;
    GError *error = NULL;
    IUccUri *uri;
    BSTR name;

    g_option_context_add_main_entries(context, options, NULL);
    if (!g_option_context_parse(context, &argc, &argv, &error))
    {
        fprintf(stderr, "%s\n", error->message);
        return 2;
    }
    g_option_context_free(context);
    if (accept)
        decision = DECIDE_ACCEPT;
    else if (reject_option)
    {
        decision = DECIDE_REJECT;
        if (!parse_reason(reject_option, &reject_reason))
        {
            fprintf(stderr, "unknown reason %s\n", reject_option);
            return 2;
        }
    }
    else if (redirect_targets)
        decision = DECIDE_REDIRECT;
    if (transfer_mode && strcmp(transfer_mode, "accept") && strcmp(transfer_mode, "reject"))
    {
        fprintf(stderr, "--transfer accept or reject\n");
        return 2;
    }
    if (media_mode && strcmp(media_mode, "accept") && strcmp(media_mode, "reject")
        && strcmp(media_mode, "remove-audio") && strcmp(media_mode, "remove-video"))
    {
        fprintf(stderr, "--media accept, reject, remove-audio or remove-video\n");
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);

    CoInitializeEx(NULL, COINIT_APARTMENTTHREADED);
    connections = g_ptr_array_new();
    loop = g_main_loop_new(NULL, FALSE);
    CoCreateInstance(&CLSID_UccPlatform, NULL, CLSCTX_INPROC_SERVER, &IID_IUccPlatform, (void **)&platform);
    advise((IUnknown *)platform, &DIID__IUccPlatformEvents, on_platform_event);
    name = SysAllocString(L"ucc_incoming");
    IUccPlatform_Initialize(platform, name, NULL);
    SysFreeString(name);

    /* Server-less (docs/ucc.md): no registrar; listen where --listen or the URI says. */
    if (!(uri = parse_uri(uri_option ? uri_option : "sip:ucc@127.0.0.1:5070")))
    {
        fprintf(stderr, "bad --uri\n");
        return 2;
    }
    CoCreateInstance(&CLSID_UccContext, NULL, CLSCTX_INPROC_SERVER, &IID_IUccContext, (void **)&endpoint_context);
    if (listen_option)
    {
        VARIANT v;
        V_VT(&v) = VT_BSTR;
        V_BSTR(&v) = sample_bstr(listen_option);
        IUccContext_AddProperty(endpoint_context, UCCSEC_LOCAL_NETWORK_ADDRESS, v, NULL);
        VariantClear(&v);
    }
    if (FAILED(IUccPlatform_CreateEndpoint(platform, UCCET_PRINCIPAL_SERVER_BASED, uri, NULL, endpoint_context,
                                           &endpoint)))
    {
        fprintf(stderr, "cannot create the endpoint\n");
        return 2;
    }
    IUccContext_Release(endpoint_context);
    IUccUri_Release(uri);
    if (registrar || find_domain || sign_in_by_dns)
    {
        /* docs/ucc.md, "Sign-in": credentials for every realm ("*"), the server, digest. */
        IUccServerSignalingSettings *settings;
        IUccCredentialCache *cache;
        IUccCredential *credential;
        IUccSignalingServer *server;
        BSTR b_user = sample_bstr(user ? user : ""), b_password = sample_bstr(password ? password : "");
        BSTR b_realm = SysAllocString(UCC_REALM_ALL), b_server = registrar ? sample_bstr(registrar) : NULL;

        IUccEndpoint_QueryInterface(endpoint, &IID_IUccServerSignalingSettings, (void **)&settings);
        IUccServerSignalingSettings_get_CredentialCache(settings, &cache);
        if (user && SUCCEEDED(IUccCredentialCache_CreateCredential(cache, b_user, b_password, NULL, &credential)))
        {
            IUccCredentialCache_SetCredential(cache, b_realm, credential);
            IUccCredential_Release(credential);
        }
        IUccCredentialCache_Release(cache);
        if (registrar && SUCCEEDED(IUccServerSignalingSettings_CreateSignalingServer(settings, b_server, UCCTM_UDP,
                                                                                    &server)))
        {
            IUccServerSignalingSettings_put_Server(settings, server);
            IUccSignalingServer_Release(server);
        }
        IUccServerSignalingSettings_put_AllowedAuthenticationModes(settings, UCCAM_DIGEST);
        IUccServerSignalingSettings_Release(settings);
        SysFreeString(b_user);
        SysFreeString(b_password);
        SysFreeString(b_realm);
        SysFreeString(b_server);
    }
    advise((IUnknown *)endpoint, &DIID__IUccEndpointEvents, on_endpoint_event);
    advise((IUnknown *)endpoint, &DIID__IUccSessionManagerEvents, on_session_manager_event);
    advise((IUnknown *)endpoint, &DIID__IUccServerSignalingSettingsEvents, on_signaling_event);
    if (find_domain)
    {
        /* Enable comes once OnFindServer gave a server (on_signaling_event). */
        IUccServerSignalingSettings *settings;
        BSTR b_domain = sample_bstr(find_domain);
        HRESULT hr;

        IUccEndpoint_QueryInterface(endpoint, &IID_IUccServerSignalingSettings, (void **)&settings);
        hr = IUccServerSignalingSettings_FindServer(settings, b_domain, NULL);
        IUccServerSignalingSettings_Release(settings);
        SysFreeString(b_domain);
        if (FAILED(hr))
        {
            fprintf(stderr, "FindServer(%s): 0x%08x\n", find_domain, (unsigned int)hr);
            return 2;
        }
    }
    else
        IUccEndpoint_Enable(endpoint, NULL);

    if (decision == DECIDE_PROMPT && !call_target)
    {
        input = g_io_channel_unix_new(0);
        g_io_add_watch(input, G_IO_IN | G_IO_HUP, on_stdin, NULL);
    }
    if (timeout > 0)
        g_timeout_add_seconds(timeout, timed_out, NULL);
    g_main_loop_run(loop);

    /* Exit: terminate sessions (Shutdown does), OnShutdown, then Unadvise everything
     * (MSDN: IUccPlatform.Shutdown). */
    if (pending)
        IUccIncomingSessionEvent_Release(pending);
    IUccPlatform_Shutdown(platform, NULL);
    g_main_loop_run(loop);
    unadvise_all();
    if (outgoing)
        IUccSession_Release(outgoing);
    if (transfer_session)
        IUccSession_Release(transfer_session);
    IUccEndpoint_Release(endpoint);
    IUccPlatform_Release(platform);
    if (input)
        g_io_channel_unref(input);
    g_ptr_array_free(connections, TRUE);
    g_main_loop_unref(loop);
    CoUninitialize();
    /* GOption's strings are ours to free. */
    g_free(uri_option);
    g_free(listen_option);
    g_free(reject_option);
    g_free(redirect_targets);
    g_free(reply_text);
    g_free(transfer_mode);
    g_free(media_mode);
    g_free(call_target);
    g_free(message_text);
    g_free(conversation_id);
    g_free(registrar);
    g_free(find_domain);
    g_free(user);
    g_free(password);
    return exit_status;
}
