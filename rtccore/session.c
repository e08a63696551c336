/*
 * The RTC session object: IRTCSession2 (and IRTCSession) with
 * IRTCSessionCallControl, over one engine call (struct sip_call) for the
 * two-party call types, or over page-mode MESSAGE for IM sessions.
 *
 * States follow MSDN: RTC_SESSION_STATE and IRTCSession::Terminate.
 * The engine reports call progress from the
 * main context; each report becomes participant and session events (in that
 * order: the participant's change is what moves the session).
 * Status codes are RTC_E_STATUS_* HRESULTs (docs/wire-mapping.md).
 */
#include <string.h>
#include <wchar.h>
#include "rtccore_private.h"
#include "events.h"
#include "collection.h"
#include "session.h"
#include "profile.h"
#include "sip/sip_call.h"
#include "sip/refer_to.h"

static const IRTCSession2Vtbl session_vtbl;
static const IRTCSessionCallControlVtbl call_control_vtbl;

static struct session *impl_from_IRTCSession2(IRTCSession2 *iface)
{
    return CONTAINING_RECORD(iface, struct session, IRTCSession2_iface);
}

static struct session *impl_from_IRTCSessionCallControl(IRTCSessionCallControl *iface)
{
    return CONTAINING_RECORD(iface, struct session, IRTCSessionCallControl_iface);
}

IRTCSession *session_iface(struct session *session)
{
    return (IRTCSession *)&session->IRTCSession2_iface;
}

static BOOL is_call_type(RTC_SESSION_TYPE type)
{
    return type == RTCST_PC_TO_PC || type == RTCST_PC_TO_PHONE;
}

static BOOL is_im_type(RTC_SESSION_TYPE type)
{
    return type == RTCST_IM || type == RTCST_MULTIPARTY_IM;
}

HRESULT rtc_hresult_from_sip_status(guint status_code)
{
    if (status_code < 300)
        return S_OK;
    return MAKE_HRESULT(SEVERITY_ERROR, RTC_SIP_STATUS_FACILITY, status_code);
}

HRESULT rtc_hresult_from_outcome(guint status_code, int delivery_failure)
{
    switch ((enum sip_delivery_failure)delivery_failure)
    {
    case SIP_DELIVERY_NAME_NOT_FOUND: return RTC_E_SIP_DNS_FAIL;
    case SIP_DELIVERY_TLS_CERTIFICATE: return RTC_E_SIP_INVALID_CERTIFICATE;
    default: return rtc_hresult_from_sip_status(status_code);
    }
}

/* ---- events ------------------------------------------------------------------------ */

static void fire_state_change(struct session *session, LONG status_code, const char *status_text)
{
    IDispatch *event;
    WCHAR *text;

    if (!client_wants_event(session->client, RTCE_SESSION_STATE_CHANGE))
        return;
    text = status_text ? (WCHAR *)com_bstr_from_utf8(status_text) : NULL;
    if (SUCCEEDED(rtc_session_state_change_event2_create(session_iface(session), session->state, status_code, text,
                                                         session_media_types(session), RTCSECL_UNSUPPORTED,
                                                         RTCSECL_UNSUPPORTED, VARIANT_FALSE, NULL, NULL, &event)))
    {
        client_fire_event(session->client, RTCE_SESSION_STATE_CHANGE, event);
        IDispatch_Release(event);
    }
    SysFreeString(text);
}

static void fire_operation_complete(struct session *session, LONG_PTR cookie, LONG status_code,
                                    const char *status_text)
{
    IDispatch *event;
    BSTR text;

    if (!client_wants_event(session->client, RTCE_SESSION_OPERATION_COMPLETE))
        return;
    text = status_text ? com_bstr_from_utf8(status_text) : NULL;
    if (SUCCEEDED(rtc_session_operation_complete_event2_create(session_iface(session), cookie, status_code,
                                                               text, session->participant, NULL, NULL, &event)))
    {
        client_fire_event(session->client, RTCE_SESSION_OPERATION_COMPLETE, event);
        IDispatch_Release(event);
    }
    SysFreeString(text);
}

/* Changes the session state, telling the application. */
static void set_state(struct session *session, RTC_SESSION_STATE state, LONG status_code, const char *status_text)
{
    RTC_SESSION_STATE old = session->state;

    if (old == state)
        return;
    session->state = state;
    fire_state_change(session, status_code, status_text);
    /* What the audio did so far is told once the call is up; its end with the call. */
    session_media_state_changed(session, old, state);
    if (state == RTCSS_DISCONNECTED)
    {
        /* The client kept the session alive while it was live; no longer. */
        client_session_ended(session->client, session);
    }
}

void session_change_state(struct session *session, RTC_SESSION_STATE state, LONG status_code, const char *status_text)
{
    set_state(session, state, status_code, status_text);
}

static void set_participant_state(struct session *session, RTC_PARTICIPANT_STATE state, LONG status_code)
{
    if (session->participant)
        participant_set_state(session->participant, session->client, state, status_code);
}

/* ---- engine reports ----------------------------------------------------------------- */

static void free_redirects(struct session *session)
{
    g_strfreev(session->redirect_contacts);
    session->redirect_contacts = NULL;
    session->redirect_position = -1;
}

static void release_call(struct session *session)
{
    if (!session->call)
        return;
    sip_call_set_user_data(session->call, NULL);
    sip_call_unref(session->call);
    session->call = NULL;
}

static HRESULT start_call(struct session *session, const char *to);

/* Follows a 3xx by itself unless the application asked to see it (RTCCS_FAIL_ON_REDIRECT). */
static BOOL follow_redirect(struct session *session, struct sip_call *call)
{
    const char *const *contacts = sip_call_get_redirect_contacts(call);

    if ((session->flags & RTCCS_FAIL_ON_REDIRECT) || !contacts || !contacts[0])
        return FALSE;
    if (session->redirects_followed >= MAX_AUTOMATIC_REDIRECTS)
        return FALSE;
    session->redirects_followed++;
    release_call(session);
    return SUCCEEDED(start_call(session, contacts[0]));
}

static void call_terminated(struct session *session, struct sip_call *call)
{
    enum sip_call_end_reason reason = sip_call_get_end_reason(call);
    guint code = sip_call_get_status_code(call);
    const char *text = sip_call_get_reason_phrase(call);
    LONG status = S_OK;

    /* Our own Terminate or Forward of an incoming call ends it normally for us. */
    if (session->incoming && (reason == SIP_CALL_END_REDIRECTED || reason == SIP_CALL_END_DECLINED))
        reason = SIP_CALL_END_LOCAL_HANGUP;
    switch (reason)
    {
    case SIP_CALL_END_REDIRECTED:
        if (follow_redirect(session, call))
            return;
        free_redirects(session);
        session->redirect_contacts = g_strdupv((char **)sip_call_get_redirect_contacts(call));
        session->disconnected_by_redirect = TRUE;
        status = rtc_hresult_from_sip_status(code);
        break;
    case SIP_CALL_END_REJECTED:
    case SIP_CALL_END_TIMEOUT:
    case SIP_CALL_END_TRANSPORT_ERROR:
    case SIP_CALL_END_DIALOG_GONE:
        /* No server answered: why (a name not found, a certificate refused), else the engine's 408/503. */
        status = rtc_hresult_from_outcome(code ? code : 408, sip_call_get_delivery_failure(call));
        break;
    default:
        /* Hang-ups and cancels are normal ends: StatusCode 0. */
        text = NULL;
        break;
    }
    session->pending = OPERATION_NONE;
    session->final_status = code;
    set_participant_state(session, RTCPS_DISCONNECTED, status);
    set_state(session, RTCSS_DISCONNECTED, status, text);
    transfer_session_ended(session);
}

void session_on_call_state(struct session *session, struct sip_call *call, int state)
{
    if (call != session->call)
        return;     /* a call we already let go of (e.g. after a redirect) */
    session_add_ref(session);
    switch (state)
    {
    case SIP_CALL_STATE_RINGING:
    case SIP_CALL_STATE_EARLY_MEDIA:
        if (!session->incoming)
        {
            set_participant_state(session, RTCPS_ALERTING, S_OK);
            transfer_session_alerting(session);
        }
        break;
    case SIP_CALL_STATE_ANSWERING:
        set_participant_state(session, RTCPS_ANSWERING, S_OK);
        set_state(session, RTCSS_ANSWERING, S_OK, NULL);
        break;
    case SIP_CALL_STATE_CONNECTED:
        set_participant_state(session, RTCPS_CONNECTED, S_OK);
        set_state(session, RTCSS_CONNECTED, S_OK, NULL);
        break;
    case SIP_CALL_STATE_TERMINATED:
        call_terminated(session, call);
        break;
    default:
        break;
    }
    session_release(session);
}

/* What a Hold or UnHold that did not take completes with: the refusal of
 * our re-INVITE (488 ...), else the call's status as before. */
static void fire_hold_refused(struct session *session, LONG_PTR cookie, struct sip_call *call)
{
    guint code = sip_call_get_reinvite_status(call);

    if (code >= 300)
        fire_operation_complete(session, cookie, rtc_hresult_from_sip_status(code), NULL);
    else
        fire_operation_complete(session, cookie, rtc_hresult_from_sip_status(sip_call_get_status_code(call)),
                                sip_call_get_reason_phrase(call));
}

/* A re-INVITE finished (ours or the peer's): hold state may have changed. */
void session_on_media_changed(struct session *session, struct sip_call *call)
{
    BOOL local_hold;
    enum pending_operation pending = session->pending;
    LONG_PTR cookie = session->pending_cookie;

    if (call != session->call)
        return;
    session_add_ref(session);
    local_hold = sip_call_is_local_hold(call);
    session->pending = OPERATION_NONE;
    if (pending == OPERATION_HOLD)
    {
        if (local_hold)
        {
            set_state(session, RTCSS_HOLD, S_OK, NULL);
            fire_operation_complete(session, cookie, S_OK, NULL);
        }
        else
            fire_hold_refused(session, cookie, call);
    }
    else if (pending == OPERATION_UNHOLD)
    {
        if (!local_hold)
        {
            set_state(session, RTCSS_CONNECTED, S_OK, NULL);
            fire_operation_complete(session, cookie, S_OK, NULL);
        }
        else
            fire_hold_refused(session, cookie, call);
    }
    /* The audio itself reports its directions stopping for hold and starting
     * again (session_on_media_event): that is what RTCE_MEDIA tells, also
     * when the peer holds us. */
    session_release(session);
}

void session_on_info(struct session *session, const char *content_type, const char *body)
{
    IDispatch *event;
    BSTR info, header;
    char *header_utf8;

    if (!client_wants_event(session->client, RTCE_INFO))
        return;
    header_utf8 = g_strdup_printf("Content-Type: %s", content_type ? content_type : "text/plain");
    info = com_bstr_from_utf8(body ? body : "");
    header = com_bstr_from_utf8(header_utf8);
    if (SUCCEEDED(rtc_info_event_create(&session->IRTCSession2_iface, session->participant, info, header, &event)))
    {
        client_fire_event(session->client, RTCE_INFO, event);
        IDispatch_Release(event);
    }
    SysFreeString(info);
    SysFreeString(header);
    g_free(header_utf8);
}

void session_on_message(struct session *session, const char *content_type, const char *body)
{
    RTC_MESSAGING_EVENT_TYPE type = RTCMSET_MESSAGE;
    RTC_MESSAGING_USER_STATUS status = RTCMUS_IDLE;
    IDispatch *event;
    BSTR message = NULL, header = NULL;
    char *header_utf8;

    if (!client_wants_event(session->client, RTCE_MESSAGING))
        return;
    /* SendMessageStatus travels as an RFC 3994 is-composing document. */
    if (content_type && !g_ascii_strcasecmp(content_type, RTC_ISCOMPOSING_CONTENT_TYPE))
    {
        type = RTCMSET_STATUS;
        status = body && strstr(body, "<state>active</state>") ? RTCMUS_TYPING : RTCMUS_IDLE;
    }
    else
        message = com_bstr_from_utf8(body ? body : "");
    header_utf8 = g_strdup_printf("Content-Type: %s", content_type ? content_type : "text/plain");
    header = com_bstr_from_utf8(header_utf8);
    if (SUCCEEDED(rtc_messaging_event_create(session_iface(session), session->participant, type, message,
                                             header, status, &event)))
    {
        client_fire_event(session->client, RTCE_MESSAGING, event);
        IDispatch_Release(event);
    }
    SysFreeString(message);
    SysFreeString(header);
    g_free(header_utf8);
}

void session_on_request_completed(struct session *session, LONG_PTR cookie, guint status_code,
                                  int delivery_failure, const char *reason_phrase)
{
    fire_operation_complete(session, cookie, rtc_hresult_from_outcome(status_code, delivery_failure),
                            status_code >= 300 ? reason_phrase : NULL);
}

/* ---- creation ------------------------------------------------------------------------- */

static struct session *session_alloc(struct client *client, RTC_SESSION_TYPE type)
{
    struct session *session = calloc(1, sizeof(*session));

    if (!session)
        return NULL;
    session->IRTCSession2_iface.lpVtbl = &session_vtbl;
    session->IRTCSessionCallControl_iface.lpVtbl = &call_control_vtbl;
    session->refcount = 1;
    com_module_lock();      /* DllCanUnloadNow: one more live object */
    session_media_init(session);
    session->client = client;
    client_add_ref(client);
    session->type = type;
    session->state = RTCSS_IDLE;
    session->redirect_position = -1;
    return session;
}

HRESULT session_create(struct client *client, RTC_SESSION_TYPE type, const WCHAR *local_phone_uri,
                       IRTCProfile *profile, LONG flags, IRTCSession **out)
{
    struct session *session;

    if (!is_call_type(type) && !is_im_type(type))
        return RTC_E_INVALID_SESSION_TYPE;     /* PHONE_TO_PHONE and APPLICATION need a gateway we do not have */
    if (!(session = session_alloc(client, type)))
        return E_OUTOFMEMORY;
    session->flags = flags;
    session->local_phone_uri = local_phone_uri ? SysAllocString(local_phone_uri) : NULL;
    if ((session->profile = profile))
        IRTCProfile_AddRef(profile);
    *out = session_iface(session);
    return S_OK;
}

/* An INVITE from a transferee carries who referred it and the transferor's cookie. */
static void incoming_referral(struct session *session, struct sip_call *call)
{
    const char *referred_by = sip_call_get_invite_header(call, "Referred-By");
    const char *cookie = sip_call_get_invite_header(call, RTC_REFER_COOKIE_HEADER);
    char *unescaped = cookie ? sip_uri_header_unescape(cookie, NULL) : NULL;
    char *uri = NULL;

    if (!referred_by && !cookie)
        return;
    /* Referred-By: <sip:a@host> or "Name" <sip:a@host>;params: the application sees the URI. */
    if (referred_by)
    {
        const char *start = strchr(referred_by, '<'), *end = start ? strchr(start, '>') : NULL;
        uri = end ? g_strndup(start + 1, end - start - 1) : g_strdup(referred_by);
    }
    session_set_referred(session, uri, unescaped ? unescaped : cookie);
    g_free(uri);
    g_free(unescaped);
}

/* An INVITE arrived and the client decided to take it as a session (answer mode not reject). */
struct session *session_create_incoming(struct client *client, struct sip_call *call, BOOL auto_accept)
{
    struct session *session = session_alloc(client, RTCST_PC_TO_PC);
    const char *display = sip_call_get_remote_display_name(call);
    BSTR uri, name;

    if (!session)
        return NULL;
    session->incoming = TRUE;
    session->call = sip_call_ref(call);
    sip_call_set_user_data(call, session);
    incoming_referral(session, call);
    uri = com_bstr_from_utf8(sip_call_get_remote_uri(call));
    name = display ? com_bstr_from_utf8(display) : NULL;
    participant_create(session_iface(session), uri, name, RTCPS_INCOMING, &session->participant);
    SysFreeString(uri);
    SysFreeString(name);

    client_session_started(client, session);
    if (auto_accept)
    {
        session->answered = TRUE;
        if (sip_call_answer(call, NULL))
            client_end_replaced_call(call);
        return session;
    }
    /* The caller hears ringing while the application decides. */
    sip_call_ring(call, NULL);
    set_state(session, RTCSS_INCOMING, S_OK, NULL);
    return session;
}

/* A MESSAGE from someone we have no IM session with: a new, already accepted IM session. */
struct session *session_create_incoming_im(struct client *client, const char *from_uri, const char *display_name)
{
    struct session *session = session_alloc(client, RTCST_IM);
    BSTR uri, name;

    if (!session)
        return NULL;
    session->incoming = TRUE;
    session->answered = TRUE;
    uri = com_bstr_from_utf8(from_uri);
    name = display_name ? com_bstr_from_utf8(display_name) : NULL;
    participant_create(session_iface(session), uri, name, RTCPS_INCOMING, &session->participant);
    SysFreeString(uri);
    SysFreeString(name);
    client_session_started(client, session);
    set_state(session, RTCSS_INCOMING, S_OK, NULL);
    set_participant_state(session, RTCPS_CONNECTED, S_OK);
    set_state(session, RTCSS_CONNECTED, S_OK, NULL);
    return session;
}

BOOL session_is_im_with(struct session *session, const char *uri)
{
    BSTR remote;
    char *remote_utf8;
    BOOL match;

    if (!is_im_type(session->type) || session->state != RTCSS_CONNECTED || !session->participant)
        return FALSE;
    if (FAILED(IRTCParticipant_get_UserURI(session->participant, &remote)))
        return FALSE;
    remote_utf8 = com_utf8_from_wstr(remote);
    /* The same address (a transport parameter on one side only is no other party);
     * other URIs (tel:) as written. */
    match = remote_utf8 && (sip_uri_same_address(remote_utf8, uri) || !g_ascii_strcasecmp(remote_utf8, uri));
    g_free(remote_utf8);
    SysFreeString(remote);
    return match;
}

void session_set_referred(struct session *session, const char *referred_by, const char *cookie)
{
    session->is_referred = TRUE;
    session->referred_by_uri = referred_by ? com_bstr_from_utf8(referred_by) : NULL;
    session->refer_cookie = cookie ? com_bstr_from_utf8(cookie) : NULL;
}

/* PrepareForShutdown: end whatever is live, quietly and at once. */
void session_end_for_shutdown(struct session *session)
{
    if (session->call)
    {
        if (session->state == RTCSS_INCOMING)
            sip_call_reject(session->call, 503, NULL, NULL);
        else
            sip_call_hangup(session->call, NULL);
    }
    else if (session->state != RTCSS_DISCONNECTED)
    {
        set_participant_state(session, RTCPS_DISCONNECTED, S_OK);
        set_state(session, RTCSS_DISCONNECTED, S_OK, NULL);
    }
}

struct session *session_from_iface(IUnknown *iface)
{
    IRTCSession2 *session2;
    struct session *session = NULL;

    if (!iface || FAILED(IUnknown_QueryInterface(iface, &IID_IRTCSession2, (void **)&session2)))
        return NULL;
    if (session2->lpVtbl == &session_vtbl)
        session = impl_from_IRTCSession2(session2);
    IRTCSession2_Release(session2);
    return session;
}

void session_add_ref(struct session *session)
{
    IRTCSession2_AddRef(&session->IRTCSession2_iface);
}

void session_release(struct session *session)
{
    IRTCSession2_Release(&session->IRTCSession2_iface);
}

/* ---- IUnknown ---------------------------------------------------------------------------- */

static HRESULT WINAPI session_QueryInterface(IRTCSession2 *iface, REFIID riid, void **ppv)
{
    struct session *session = impl_from_IRTCSession2(iface);

    if (!ppv)
        return E_POINTER;
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IRTCSession) || IsEqualIID(riid, &IID_IRTCSession2))
        *ppv = &session->IRTCSession2_iface;
    else if (IsEqualIID(riid, &IID_IRTCSessionCallControl))
        *ppv = &session->IRTCSessionCallControl_iface;
    else
    {
        *ppv = NULL;
        return E_NOINTERFACE;
    }
    IUnknown_AddRef((IUnknown *)*ppv);
    return S_OK;
}

static ULONG WINAPI session_AddRef(IRTCSession2 *iface)
{
    return InterlockedIncrement(&impl_from_IRTCSession2(iface)->refcount);
}

static ULONG WINAPI session_Release(IRTCSession2 *iface)
{
    struct session *session = impl_from_IRTCSession2(iface);
    ULONG ref = InterlockedDecrement(&session->refcount);

    if (!ref)
    {
        if (session->call)
        {
            /* The application let go of a live call: end it rather than leak it. */
            sip_call_hangup(session->call, NULL);
            release_call(session);
        }
        if (session->participant)
        {
            participant_detach(session->participant);
            IRTCParticipant_Release(session->participant);
        }
        transfer_session_destroyed(session);
        if (session->profile)
            IRTCProfile_Release(session->profile);
        free_redirects(session);
        SysFreeString(session->local_phone_uri);
        SysFreeString(session->referred_by_uri);
        SysFreeString(session->refer_cookie);
        client_release(session->client);
        free(session);
        com_module_unlock();
    }
    return ref;
}

/* ---- IRTCSession ---------------------------------------------------------------------------- */

static HRESULT WINAPI session_get_Client(IRTCSession2 *iface, IRTCClient **client)
{
    if (!client)
        return E_POINTER;
    *client = client_iface(impl_from_IRTCSession2(iface)->client);
    IRTCClient_AddRef(*client);
    return S_OK;
}

static HRESULT WINAPI session_get_State(IRTCSession2 *iface, RTC_SESSION_STATE *state)
{
    if (!state)
        return E_POINTER;
    *state = impl_from_IRTCSession2(iface)->state;
    return S_OK;
}

static HRESULT WINAPI session_get_Type(IRTCSession2 *iface, RTC_SESSION_TYPE *type)
{
    if (!type)
        return E_POINTER;
    *type = impl_from_IRTCSession2(iface)->type;
    return S_OK;
}

static HRESULT WINAPI session_get_Profile(IRTCSession2 *iface, IRTCProfile **profile)
{
    struct session *session = impl_from_IRTCSession2(iface);

    if (!profile)
        return E_POINTER;
    if ((*profile = session->profile))
        IRTCProfile_AddRef(*profile);
    return S_OK;
}

static HRESULT WINAPI session_get_Participants(IRTCSession2 *iface, IRTCCollection **collection)
{
    struct session *session = impl_from_IRTCSession2(iface);
    IUnknown *items[1];

    if (!collection)
        return E_POINTER;
    items[0] = (IUnknown *)session->participant;
    return rtc_collection_create(items, session->participant ? 1 : 0, collection);
}

static HRESULT WINAPI session_Answer(IRTCSession2 *iface)
{
    struct session *session = impl_from_IRTCSession2(iface);
    GError *error = NULL;
    HRESULT hr;

    if (FAILED(hr = client_check_ready(session->client)))
        return hr;
    if (session->state != RTCSS_INCOMING || session->answered || !session->call)
        return RTC_E_INVALID_SESSION_STATE;
    if (!sip_call_answer(session->call, &error))
    {
        g_warning("Answer: %s", error->message);
        g_error_free(error);
        return RTC_E_INVALID_SESSION_STATE;
    }
    session->answered = TRUE;
    client_end_replaced_call(session->call);
    return S_OK;
}

/* docs/wire-mapping.md: Terminate(reason) on an incoming session. */
static guint response_for_terminate_reason(RTC_TERMINATE_REASON reason)
{
    switch (reason)
    {
    case RTCTR_DND: return 480;
    case RTCTR_BUSY: return 486;
    case RTCTR_TIMEOUT: return 408;
    case RTCTR_SHUTDOWN: return 503;
    case RTCTR_INSUFFICIENT_SECURITY_LEVEL: return 606;
    case RTCTR_NOT_SUPPORTED: return 488;
    case RTCTR_NORMAL:
    case RTCTR_REJECT:
    default: return 603;
    }
}

static HRESULT WINAPI session_Terminate(IRTCSession2 *iface, RTC_TERMINATE_REASON reason)
{
    struct session *session = impl_from_IRTCSession2(iface);
    HRESULT hr;

    if (FAILED(hr = client_check_thread_of(session->client)))
        return hr;
    if ((unsigned int)reason > RTCTR_NOT_SUPPORTED)
        return E_INVALIDARG;
    if (session->state == RTCSS_IDLE || session->state == RTCSS_DISCONNECTED)
        return RTC_E_INVALID_SESSION_STATE;
    if (session->state == RTCSS_INCOMING && session->call)
    {
        sip_call_reject(session->call, response_for_terminate_reason(reason), NULL, NULL);
        return S_OK;
    }
    if (reason != RTCTR_NORMAL && reason != RTCTR_SHUTDOWN && session->state != RTCSS_INCOMING)
        return RTC_E_INVALID_SESSION_STATE;
    if (session->call)
    {
        sip_call_hangup(session->call, NULL);
        return S_OK;
    }
    /* IM sessions have no dialog to end. */
    session_add_ref(session);
    set_participant_state(session, RTCPS_DISCONNECTED, S_OK);
    set_state(session, RTCSS_DISCONNECTED, S_OK, NULL);
    session_release(session);
    return S_OK;
}

static HRESULT WINAPI session_Redirect(IRTCSession2 *iface, RTC_SESSION_TYPE type, BSTR local_phone_uri,
                                       IRTCProfile *profile, LONG flags)
{
    struct session *session = impl_from_IRTCSession2(iface);

    if (session->state != RTCSS_DISCONNECTED || !session->disconnected_by_redirect)
        return RTC_E_INVALID_SESSION_STATE;
    if (!is_call_type(type) && !is_im_type(type))
        return RTC_E_INVALID_SESSION_TYPE;
    /* The session starts over: the application adds the redirected user next. */
    release_call(session);
    if (session->participant)
    {
        participant_detach(session->participant);
        IRTCParticipant_Release(session->participant);
        session->participant = NULL;
    }
    session->type = type;
    session->flags = flags;
    SysFreeString(session->local_phone_uri);
    session->local_phone_uri = local_phone_uri ? SysAllocString(local_phone_uri) : NULL;
    if (profile && (flags & RTCCS_FORCE_PROFILE))
    {
        IRTCProfile_AddRef(profile);
        if (session->profile)
            IRTCProfile_Release(session->profile);
        session->profile = profile;
    }
    session->disconnected_by_redirect = FALSE;
    session->redirects_followed = 0;
    session->state = RTCSS_IDLE;
    return S_OK;
}

/* "sip:bob@host", "sips:...", "tel:+123", or "bob@host": the URI to send to, or NULL. */
static char *target_from_address(struct session *session, const WCHAR *address)
{
    char *utf8 = com_utf8_from_wstr(address), *target = NULL;

    if (!utf8)
        return NULL;
    g_strstrip(utf8);
    if (!g_ascii_strncasecmp(utf8, "sip:", 4) || !g_ascii_strncasecmp(utf8, "sips:", 5))
        target = g_strdup(utf8);
    else if (!g_ascii_strncasecmp(utf8, "tel:", 4))
        target = client_phone_target(session->client, session->profile, utf8 + 4);
    else if (strchr(utf8, '@'))
        target = g_strconcat("sip:", utf8, NULL);
    else if (session->type == RTCST_PC_TO_PHONE)
        target = client_phone_target(session->client, session->profile, utf8);
    g_free(utf8);
    return target;
}

static HRESULT hresult_from_engine_error(const GError *error)
{
    if (error->domain != SIP_ENGINE_ERROR)
        return E_FAIL;
    switch (error->code)
    {
    case SIP_ENGINE_ERROR_INVALID_ARGUMENT: return RTC_E_INVALID_SIP_URL;
    case SIP_ENGINE_ERROR_WRONG_STATE: return RTC_E_INVALID_SESSION_STATE;
    case SIP_ENGINE_ERROR_NO_TRANSPORT: return RTC_E_NO_TRANSPORT;
    case SIP_ENGINE_ERROR_UNRESOLVABLE: return RTC_E_SIP_DNS_FAIL;
    case SIP_ENGINE_ERROR_DETACHED: return RTC_E_CLIENT_ALREADY_SHUT_DOWN;
    default: return E_FAIL;
    }
}

static HRESULT start_call(struct session *session, const char *to)
{
    struct sip_call_options options = { NULL };
    const struct rtc_profile_data *data;
    char *proxy = NULL;
    struct sip_call *call;
    GError *error = NULL;
    char *from = client_local_identity(session->client);
    GPtrArray *headers = g_ptr_array_new_with_free_func(g_free);
    HRESULT hr;

    /* put_ReferredByURI / put_ReferCookie travel on the INVITE (docs/wire-mapping.md). */
    if (session->referred_by_uri && *session->referred_by_uri)
    {
        char *uri = com_utf8_from_wstr(session->referred_by_uri);
        g_ptr_array_add(headers, strchr(uri, '<') ? g_strdup_printf("Referred-By: %s", uri)
                                                  : g_strdup_printf("Referred-By: <%s>", uri));
        g_free(uri);
    }
    /* An empty cookie (what ReferCookie gives when the REFER had none) sends no header. */
    if (session->refer_cookie && *session->refer_cookie)
    {
        char *cookie = com_utf8_from_wstr(session->refer_cookie);
        char *escaped = sip_uri_header_escape(cookie);
        g_ptr_array_add(headers, g_strdup_printf("%s: %s", RTC_REFER_COOKIE_HEADER, escaped));
        g_free(escaped);
        g_free(cookie);
    }
    g_ptr_array_add(headers, NULL);
    options.headers = (const char *const *)headers->pdata;
    /* A session created with a profile goes through the profile's proxy (IRTCClient::CreateSession). */
    if (session->profile && (data = rtc_profile_get_data(session->profile)) && data->proxy)
        options.proxy = proxy = registration_server_uri(data->proxy);
    call = sip_call_invite_full(client_engine(session->client), from, to, &options, &error);
    g_ptr_array_free(headers, TRUE);
    g_free(proxy);
    g_free(from);
    if (!call)
    {
        hr = hresult_from_engine_error(error);
        g_error_free(error);
        return hr;
    }
    session->call = call;
    sip_call_set_user_data(call, session);
    return S_OK;
}

static HRESULT WINAPI session_AddParticipant(IRTCSession2 *iface, BSTR address, BSTR name,
                                             IRTCParticipant **out)
{
    struct session *session = impl_from_IRTCSession2(iface);
    IRTCParticipant *participant;
    char *target;
    HRESULT hr;

    if (out)
        *out = NULL;
    if (FAILED(hr = client_check_ready(session->client)))
        return hr;
    if (!address || !*address)
        return E_INVALIDARG;
    if (session->state != RTCSS_IDLE)
        return session->participant ? RTC_E_SIP_ADDITIONAL_PARTY_IN_TWO_PARTY_SESSION : RTC_E_INVALID_SESSION_STATE;
    if (!(target = target_from_address(session, address)))
        return RTC_E_INVALID_SIP_URL;
    if (FAILED(hr = client_ensure_transport(session->client)))
    {
        g_free(target);
        return hr;
    }
    if (FAILED(hr = participant_create(session_iface(session), address, name, RTCPS_IDLE, &participant)))
    {
        g_free(target);
        return hr;
    }

    if (is_call_type(session->type) && FAILED(hr = start_call(session, target)))
    {
        participant_detach(participant);
        IRTCParticipant_Release(participant);
        g_free(target);
        return hr;
    }
    if (is_call_type(session->type))
        transfer_link_session(session, target);
    g_free(target);
    session->participant = participant;
    client_session_started(session->client, session);
    set_participant_state(session, RTCPS_PENDING, S_OK);
    if (is_call_type(session->type))
    {
        set_state(session, RTCSS_INPROGRESS, S_OK, NULL);
        set_participant_state(session, RTCPS_INPROGRESS, S_OK);
    }
    else
    {
        /* Page-mode IM: nothing to set up; messages go out as they are sent. */
        set_state(session, RTCSS_INPROGRESS, S_OK, NULL);
        set_participant_state(session, RTCPS_CONNECTED, S_OK);
        set_state(session, RTCSS_CONNECTED, S_OK, NULL);
    }
    if (out)
    {
        *out = participant;
        IRTCParticipant_AddRef(participant);
    }
    return S_OK;
}

static HRESULT WINAPI session_RemoveParticipant(IRTCSession2 *iface, IRTCParticipant *participant)
{
    struct session *session = impl_from_IRTCSession2(iface);

    if (!participant)
        return E_POINTER;
    if (participant != session->participant)
        return E_INVALIDARG;
    /* In a two-party session removing the other party ends the session. */
    return session_Terminate(iface, RTCTR_NORMAL);
}

static HRESULT WINAPI session_EnumerateParticipants(IRTCSession2 *iface, IRTCEnumParticipants **out)
{
    struct session *session = impl_from_IRTCSession2(iface);
    IUnknown *items[1];

    if (!out)
        return E_POINTER;
    items[0] = (IUnknown *)session->participant;
    return rtc_enum_participants_create(items, session->participant ? 1 : 0, out);
}

static HRESULT WINAPI session_get_CanAddParticipants(IRTCSession2 *iface, VARIANT_BOOL *can_add)
{
    struct session *session = impl_from_IRTCSession2(iface);

    if (!can_add)
        return E_POINTER;
    /* Two-party sessions take one participant, added while idle. */
    *can_add = session->state == RTCSS_IDLE && !session->participant ? VARIANT_TRUE : VARIANT_FALSE;
    return S_OK;
}

/* NextRedirectedUser moves first; the getters read the current entry. */
static HRESULT current_redirect(struct session *session, const char **uri)
{
    if (!session->disconnected_by_redirect)
        return RTC_E_INVALID_SESSION_STATE;
    if (!session->redirect_contacts || session->redirect_position < 0
        || !session->redirect_contacts[session->redirect_position])
        return RTC_E_NOT_EXIST;
    *uri = session->redirect_contacts[session->redirect_position];
    return S_OK;
}

/* A Contact is a name-addr ("Bob" <sip:bob@host>) or a bare URI. */
static HRESULT WINAPI session_get_RedirectedUserURI(IRTCSession2 *iface, BSTR *uri)
{
    const char *contact, *start, *end;
    char *value;
    HRESULT hr;

    if (!uri)
        return E_POINTER;
    if (FAILED(hr = current_redirect(impl_from_IRTCSession2(iface), &contact)))
        return hr;
    if ((start = strchr(contact, '<')) && (end = strchr(start, '>')))
        value = g_strndup(start + 1, end - start - 1);
    else
        value = g_strdup(contact);
    *uri = com_bstr_from_utf8(value);
    g_free(value);
    return *uri ? S_OK : E_OUTOFMEMORY;
}

static HRESULT WINAPI session_get_RedirectedUserName(IRTCSession2 *iface, BSTR *name)
{
    const char *contact, *start;
    char *value;
    HRESULT hr;

    if (!name)
        return E_POINTER;
    if (FAILED(hr = current_redirect(impl_from_IRTCSession2(iface), &contact)))
        return hr;
    if ((start = strchr(contact, '<')))
        value = g_strstrip(g_strndup(contact, start - contact));
    else
        value = g_strdup("");
    if (value[0] == '"' && strlen(value) >= 2 && value[strlen(value) - 1] == '"')
    {
        memmove(value, value + 1, strlen(value));
        value[strlen(value) - 1] = 0;
    }
    *name = com_bstr_from_utf8(value);
    g_free(value);
    return *name ? S_OK : E_OUTOFMEMORY;
}

static HRESULT WINAPI session_NextRedirectedUser(IRTCSession2 *iface)
{
    struct session *session = impl_from_IRTCSession2(iface);

    if (!session->disconnected_by_redirect)
        return RTC_E_INVALID_SESSION_STATE;
    if (!session->redirect_contacts || !session->redirect_contacts[session->redirect_position + 1])
    {
        /* Past the end: the getters now say RTC_E_NOT_EXIST. */
        if (session->redirect_contacts)
            session->redirect_position = g_strv_length(session->redirect_contacts);
        return S_FALSE;
    }
    session->redirect_position++;
    return S_OK;
}

/* The header argument is "Content-Type: type" (MSDN); anything else means text/plain. */
static char *content_type_from_header(BSTR header)
{
    char *utf8 = com_utf8_from_wstr(header), *type = NULL;
    char **lines, **line;

    if (!utf8)
        return g_strdup("text/plain");
    lines = g_strsplit_set(utf8, "\r\n", -1);
    for (line = lines; *line && !type; line++)
    {
        if (!g_ascii_strncasecmp(*line, "Content-Type:", 13))
            type = g_strstrip(g_strdup(*line + 13));
        else if (!g_ascii_strncasecmp(*line, "c:", 2))
            type = g_strstrip(g_strdup(*line + 2));
    }
    g_strfreev(lines);
    g_free(utf8);
    return type && *type ? type : (g_free(type), g_strdup("text/plain"));
}

static HRESULT send_im(struct session *session, const char *content_type, const char *body, LONG_PTR cookie)
{
    GError *error = NULL;
    char *from, *to;
    BSTR uri;
    guint id;
    HRESULT hr;

    if (FAILED(hr = client_ensure_transport(session->client)))
        return hr;
    if (FAILED(IRTCParticipant_get_UserURI(session->participant, &uri)))
        return E_FAIL;
    to = target_from_address(session, uri);
    SysFreeString(uri);
    if (!to)
        return RTC_E_INVALID_SIP_URL;
    from = client_local_identity(session->client);
    id = sip_engine_send_message(client_engine(session->client), from, to, content_type, body, strlen(body), &error);
    g_free(from);
    g_free(to);
    if (!id)
    {
        hr = hresult_from_engine_error(error);
        g_error_free(error);
        return hr;
    }
    client_track_request(session->client, id, session, cookie);
    return S_OK;
}

static HRESULT WINAPI session_SendMessage(IRTCSession2 *iface, BSTR header, BSTR message, LONG_PTR cookie)
{
    struct session *session = impl_from_IRTCSession2(iface);
    char *content_type, *body;
    HRESULT hr;

    if (FAILED(hr = client_check_ready(session->client)))
        return hr;
    if (!is_im_type(session->type))
        return RTC_E_INVALID_SESSION_TYPE;
    if (session->state != RTCSS_INPROGRESS && session->state != RTCSS_INCOMING && session->state != RTCSS_CONNECTED)
        return RTC_E_INVALID_SESSION_STATE;
    if (!message)
        return E_INVALIDARG;
    content_type = content_type_from_header(header);
    body = com_utf8_from_wstr(message);
    hr = send_im(session, content_type, body ? body : "", cookie);
    g_free(content_type);
    g_free(body);
    return hr;
}

static HRESULT WINAPI session_SendMessageStatus(IRTCSession2 *iface, RTC_MESSAGING_USER_STATUS status, LONG_PTR cookie)
{
    struct session *session = impl_from_IRTCSession2(iface);
    char *body;
    HRESULT hr;

    if (FAILED(hr = client_check_ready(session->client)))
        return hr;
    if (!is_im_type(session->type))
        return RTC_E_INVALID_SESSION_TYPE;
    if (status != RTCMUS_IDLE && status != RTCMUS_TYPING)
        return E_INVALIDARG;
    if (session->state != RTCSS_INPROGRESS && session->state != RTCSS_INCOMING && session->state != RTCSS_CONNECTED)
        return RTC_E_INVALID_SESSION_STATE;
    /* RFC 3994 is-composing, the standard carrier of "typing". */
    body = g_strdup_printf("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                           "<isComposing xmlns=\"urn:ietf:params:xml:ns:im-iscomposing\">"
                           "<state>%s</state><contenttype>text/plain</contenttype></isComposing>\n",
                           status == RTCMUS_TYPING ? "active" : "idle");
    hr = send_im(session, RTC_ISCOMPOSING_CONTENT_TYPE, body, cookie);
    g_free(body);
    return hr;
}

static HRESULT WINAPI session_AddStream(IRTCSession2 *iface, LONG media_type, LONG_PTR cookie)
{
    return com_not_built(__func__);
}

static HRESULT WINAPI session_RemoveStream(IRTCSession2 *iface, LONG media_type, LONG_PTR cookie)
{
    return com_not_built(__func__);
}

static HRESULT WINAPI session_put_EncryptionKey(IRTCSession2 *iface, LONG media_type, BSTR key)
{
    return com_not_built(__func__);
}

static HRESULT WINAPI session_SendInfo(IRTCSession2 *iface, BSTR header, BSTR info, LONG_PTR cookie)
{
    struct session *session = impl_from_IRTCSession2(iface);
    char *content_type, *body, *header_utf8;
    GError *error = NULL;
    guint id;
    HRESULT hr;

    if (FAILED(hr = client_check_ready(session->client)))
        return hr;
    if (session->type == RTCST_PHONE_TO_PHONE || session->type == RTCST_APPLICATION)
        return RTC_E_INVALID_SESSION_TYPE;
    /* application/x-ms-mim is the multiparty IM signalling of the original: reserved. */
    header_utf8 = com_utf8_from_wstr(header);
    if (header_utf8 && strstr(header_utf8, "application/x-ms-mim"))
    {
        g_free(header_utf8);
        return RTC_E_NOT_ALLOWED;
    }
    g_free(header_utf8);
    if (!session->call || (session->state != RTCSS_CONNECTED && session->state != RTCSS_HOLD
                           && session->state != RTCSS_REFER))
        return RTC_E_INVALID_SESSION_STATE;
    content_type = content_type_from_header(header);
    body = com_utf8_from_wstr(info);
    id = sip_call_send_info(session->call, content_type, body ? body : "", body ? strlen(body) : 0, &error);
    g_free(content_type);
    g_free(body);
    if (!id)
    {
        hr = hresult_from_engine_error(error);
        g_error_free(error);
        return hr;
    }
    client_track_request(session->client, id, session, cookie);
    return S_OK;
}

static HRESULT WINAPI session_put_PreferredSecurityLevel(IRTCSession2 *iface, RTC_SECURITY_TYPE type,
                                                         RTC_SECURITY_LEVEL level)
{
    return com_not_built(__func__);
}

static HRESULT WINAPI session_get_PreferredSecurityLevel(IRTCSession2 *iface, RTC_SECURITY_TYPE type,
                                                         RTC_SECURITY_LEVEL *level)
{
    return com_not_built(__func__);
}

static HRESULT WINAPI session_IsSecurityEnabled(IRTCSession2 *iface, RTC_SECURITY_TYPE type, VARIANT_BOOL *enabled)
{
    return com_not_built(__func__);
}

static HRESULT WINAPI session_AnswerWithSessionDescription(IRTCSession2 *iface, BSTR content_type, BSTR description)
{
    return com_not_built(__func__);
}

static HRESULT WINAPI session_ReInviteWithSessionDescription(IRTCSession2 *iface, BSTR content_type,
                                                             BSTR description, LONG_PTR cookie)
{
    return com_not_built(__func__);
}

static const IRTCSession2Vtbl session_vtbl =
{
    session_QueryInterface,
    session_AddRef,
    session_Release,
    session_get_Client,
    session_get_State,
    session_get_Type,
    session_get_Profile,
    session_get_Participants,
    session_Answer,
    session_Terminate,
    session_Redirect,
    session_AddParticipant,
    session_RemoveParticipant,
    session_EnumerateParticipants,
    session_get_CanAddParticipants,
    session_get_RedirectedUserURI,
    session_get_RedirectedUserName,
    session_NextRedirectedUser,
    session_SendMessage,
    session_SendMessageStatus,
    session_AddStream,
    session_RemoveStream,
    session_put_EncryptionKey,
    session_SendInfo,
    session_put_PreferredSecurityLevel,
    session_get_PreferredSecurityLevel,
    session_IsSecurityEnabled,
    session_AnswerWithSessionDescription,
    session_ReInviteWithSessionDescription,
};

/* ---- IRTCSessionCallControl ------------------------------------------------------------------- */

static HRESULT WINAPI call_control_QueryInterface(IRTCSessionCallControl *iface, REFIID riid, void **ppv)
{
    return session_QueryInterface(&impl_from_IRTCSessionCallControl(iface)->IRTCSession2_iface, riid, ppv);
}

static ULONG WINAPI call_control_AddRef(IRTCSessionCallControl *iface)
{
    return session_AddRef(&impl_from_IRTCSessionCallControl(iface)->IRTCSession2_iface);
}

static ULONG WINAPI call_control_Release(IRTCSessionCallControl *iface)
{
    return session_Release(&impl_from_IRTCSessionCallControl(iface)->IRTCSession2_iface);
}

static HRESULT hold_or_unhold(struct session *session, enum pending_operation operation, LONG_PTR cookie)
{
    GError *error = NULL;
    HRESULT hr;
    gboolean ok;

    if (FAILED(hr = client_check_ready(session->client)))
        return hr;
    if (!is_call_type(session->type))
        return RTC_E_INVALID_SESSION_TYPE;
    if (session->pending == OPERATION_HOLD)
        return RTC_E_SIP_HOLD_OPERATION_PENDING;
    if (session->pending == OPERATION_UNHOLD)
        return RTC_E_SIP_UNHOLD_OPERATION_PENDING;
    if (operation == OPERATION_HOLD && session->state == RTCSS_HOLD)
    {
        /* IRTCSessionCallControl::Hold: already on hold, the state does not change; the operation still completes. */
        fire_operation_complete(session, cookie, S_OK, NULL);
        return S_OK;
    }
    if ((operation == OPERATION_HOLD && session->state != RTCSS_CONNECTED)
        || (operation == OPERATION_UNHOLD && session->state != RTCSS_HOLD) || !session->call)
        return RTC_E_INVALID_SESSION_STATE;
    ok = operation == OPERATION_HOLD ? sip_call_hold(session->call, &error) : sip_call_resume(session->call, &error);
    if (!ok)
    {
        hr = hresult_from_engine_error(error);
        g_error_free(error);
        return hr;
    }
    session->pending = operation;
    session->pending_cookie = cookie;
    return S_OK;
}

static HRESULT WINAPI call_control_Hold(IRTCSessionCallControl *iface, LONG_PTR cookie)
{
    return hold_or_unhold(impl_from_IRTCSessionCallControl(iface), OPERATION_HOLD, cookie);
}

static HRESULT WINAPI call_control_UnHold(IRTCSessionCallControl *iface, LONG_PTR cookie)
{
    return hold_or_unhold(impl_from_IRTCSessionCallControl(iface), OPERATION_UNHOLD, cookie);
}

static HRESULT WINAPI call_control_Forward(IRTCSessionCallControl *iface, BSTR uri)
{
    struct session *session = impl_from_IRTCSessionCallControl(iface);
    GError *error = NULL;
    char *target;
    HRESULT hr;
    gboolean ok;

    if (FAILED(hr = client_check_ready(session->client)))
        return hr;
    if (!uri || !*uri)
        return E_INVALIDARG;
    if (!is_call_type(session->type) && session->type != RTCST_MULTIPARTY_IM)
        return RTC_E_INVALID_SESSION_TYPE;
    if (session->state != RTCSS_INCOMING || !session->call)
        return RTC_E_INVALID_SESSION_STATE;
    if (!(target = target_from_address(session, uri)))
        return E_INVALIDARG;
    /* IRTCSessionCallControl::Forward: forwarding a call back to its caller declines it instead. */
    if (sip_uri_same_address(target, sip_call_get_remote_uri(session->call))
        || !g_ascii_strcasecmp(target, sip_call_get_remote_uri(session->call)))
        ok = sip_call_reject(session->call, 603, NULL, &error);
    else
        ok = sip_call_redirect(session->call, target, &error);      /* 302, the target as Contact */
    g_free(target);
    if (!ok)
    {
        hr = error->code == SIP_ENGINE_ERROR_INVALID_ARGUMENT ? E_INVALIDARG : hresult_from_engine_error(error);
        g_error_free(error);
        return hr;
    }
    return S_OK;
}

static HRESULT WINAPI call_control_Refer(IRTCSessionCallControl *iface, BSTR refer_to, BSTR cookie)
{
    return transfer_refer(impl_from_IRTCSessionCallControl(iface), refer_to, cookie);
}

static HRESULT WINAPI call_control_put_ReferredByURI(IRTCSessionCallControl *iface, BSTR uri)
{
    struct session *session = impl_from_IRTCSessionCallControl(iface);
    BSTR copy = NULL;

    if (session->state != RTCSS_IDLE)
        return RTC_E_INVALID_SESSION_STATE;
    if (uri && !(copy = SysAllocString(uri)))
        return E_OUTOFMEMORY;
    SysFreeString(session->referred_by_uri);
    session->referred_by_uri = copy;
    return S_OK;
}

static HRESULT get_referred_value(struct session *session, BSTR value, BSTR *out)
{
    if (!out)
        return E_POINTER;
    *out = NULL;
    /* Outgoing: what the application set. Incoming: what the INVITE carried. */
    if (!value)
        return session->incoming && !session->is_referred ? RTC_E_NOT_EXIST : S_FALSE;
    return (*out = SysAllocString(value)) ? S_OK : E_OUTOFMEMORY;
}

static HRESULT WINAPI call_control_get_ReferredByURI(IRTCSessionCallControl *iface, BSTR *uri)
{
    struct session *session = impl_from_IRTCSessionCallControl(iface);
    return get_referred_value(session, session->referred_by_uri, uri);
}

static HRESULT WINAPI call_control_put_ReferCookie(IRTCSessionCallControl *iface, BSTR cookie)
{
    struct session *session = impl_from_IRTCSessionCallControl(iface);
    BSTR copy = NULL;

    if (session->state != RTCSS_IDLE)
        return RTC_E_INVALID_SESSION_STATE;
    if (cookie && !(copy = SysAllocString(cookie)))
        return E_OUTOFMEMORY;
    SysFreeString(session->refer_cookie);
    session->refer_cookie = copy;
    return S_OK;
}

static HRESULT WINAPI call_control_get_ReferCookie(IRTCSessionCallControl *iface, BSTR *cookie)
{
    struct session *session = impl_from_IRTCSessionCallControl(iface);
    return get_referred_value(session, session->refer_cookie, cookie);
}

static HRESULT WINAPI call_control_get_IsReferred(IRTCSessionCallControl *iface, VARIANT_BOOL *referred)
{
    if (!referred)
        return E_POINTER;
    *referred = impl_from_IRTCSessionCallControl(iface)->is_referred ? VARIANT_TRUE : VARIANT_FALSE;
    return S_OK;
}

static const IRTCSessionCallControlVtbl call_control_vtbl =
{
    call_control_QueryInterface,
    call_control_AddRef,
    call_control_Release,
    call_control_Hold,
    call_control_UnHold,
    call_control_Forward,
    call_control_Refer,
    call_control_put_ReferredByURI,
    call_control_get_ReferredByURI,
    call_control_put_ReferCookie,
    call_control_get_ReferCookie,
    call_control_get_IsReferred,
};
