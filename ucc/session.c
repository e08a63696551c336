/*
 * Sessions (coclasses UccInstantMessagingSession and UccAudioVideoSession):
 * IUccSession with IUccInstantMessagingSession or IUccAudioVideoSession,
 * IUccSessionCallControl and IConnectionPointContainer (_IUccSessionEvents,
 * _IUccSessionParticipantCollectionEvents, the modality's session events,
 * _IUccSessionCallControlEvents).
 *
 * Every remote participant has its own engine call (INVITE dialog): audio
 * sessions use the engine's SDP offer/answer, IM sessions carry MESSAGE in the
 * dialog. The events each engine report becomes, and their order, are listed
 * in docs/ucc.md ("Event sequences"); the wire in docs/wire-mapping.md ("UCC").
 */
#include <string.h>
#include "ucc_private.h"
#include "sip/sip_call.h"
#include "sip/sip_media.h"

static const IUccSessionVtbl session_vtbl;

/* A SendMessage waiting for the MESSAGE responses of its participants. */
struct ucc_pending_send
{
    IUccOperationContext *context;
    GArray *outstanding;        /* guint request ids */
    GPtrArray *results;         /* IUccSessionParticipantOperationEvent * */
};

static struct ucc_session *impl_from_IUccSession(IUccSession *iface)
{
    return CONTAINING_RECORD(iface, struct ucc_session, IUccSession_iface);
}

static struct ucc_session *impl_from_IUccInstantMessagingSession(IUccInstantMessagingSession *iface)
{
    return CONTAINING_RECORD(iface, struct ucc_session, IUccInstantMessagingSession_iface);
}

static struct ucc_session *impl_from_IUccAudioVideoSession(IUccAudioVideoSession *iface)
{
    return CONTAINING_RECORD(iface, struct ucc_session, IUccAudioVideoSession_iface);
}

static struct ucc_session *impl_from_IUccSessionCallControl(IUccSessionCallControl *iface)
{
    return CONTAINING_RECORD(iface, struct ucc_session, IUccSessionCallControl_iface);
}

static struct ucc_session *impl_from_IConnectionPointContainer(IConnectionPointContainer *iface)
{
    return CONTAINING_RECORD(iface, struct ucc_session, IConnectionPointContainer_iface);
}

IUccSession *ucc_session_iface(struct ucc_session *session)
{
    return &session->IUccSession_iface;
}

void ucc_session_add_ref(struct ucc_session *session)
{
    IUccSession_AddRef(&session->IUccSession_iface);
}

void ucc_session_release(struct ucc_session *session)
{
    IUccSession_Release(&session->IUccSession_iface);
}

struct ucc_session *ucc_session_from_iface(IUnknown *iface)
{
    IUccSession *session;
    struct ucc_session *ret = NULL;

    if (!iface || FAILED(IUnknown_QueryInterface(iface, &IID_IUccSession, (void **)&session)))
        return NULL;
    if (session->lpVtbl == &session_vtbl)
        ret = impl_from_IUccSession(session);
    IUccSession_Release(session);
    return ret;
}

/* docs/wire-mapping.md, "UCC": reject reasons are SIP codes where they are one. */
guint ucc_response_for_reject_reason(UCC_REJECT_OR_TERMINATE_REASON reason)
{
    switch (reason)
    {
    case UCCROTR_TIMEOUT: return 408;
    case UCCROTR_UNAVAILABLE: return 480;
    case UCCROTR_BUSY: return 486;
    case UCCROTR_NOT_ACCEPTABLE: return 488;
    case UCCROTR_DECLINE: return 603;
    case UCCROTR_DECLINE_EVERYWHERE: return 603;    /* 605 is no SIP code; 603 is the global decline */
    case UCCROTR_NOT_SPECIFIED: return 603;
    default: return 0;      /* ACCEPTED_ELSEWHERE, FORWARDED (use Redirect), unknown values */
    }
}

static BOOL valid_terminate_reason(UCC_REJECT_OR_TERMINATE_REASON reason)
{
    return ucc_response_for_reject_reason(reason) || reason == UCCROTR_ACCEPTED_ELSEWHERE
           || reason == UCCROTR_FORWARDED;
}

static HRESULT hresult_from_engine_error(GError *error)
{
    HRESULT hr = E_FAIL;

    if (error && error->domain == SIP_ENGINE_ERROR)
    {
        switch (error->code)
        {
        case SIP_ENGINE_ERROR_INVALID_ARGUMENT: hr = UCC_E_INVALID_SIP_URL; break;
        case SIP_ENGINE_ERROR_UNRESOLVABLE: hr = HRESULT_FROM_WIN32(WSAHOST_NOT_FOUND); break;
        case SIP_ENGINE_ERROR_WRONG_STATE:
        case SIP_ENGINE_ERROR_NO_TRANSPORT:
        case SIP_ENGINE_ERROR_DETACHED: hr = UCC_E_RTCSHIM_INVALID_STATE; break;
        default: break;
        }
    }
    if (error)
        g_error_free(error);
    return hr;
}

/* ---- events ------------------------------------------------------------------------------------- */

static void fire_session_progress(struct ucc_session *session, DISPID dispid, IUccOperationContext *context,
                                  HRESULT status, const char *text)
{
    IUccOperationProgressEvent *progress;

    if (SUCCEEDED(ucc_progress_event_create(context, TRUE, status, text, NULL, &progress)))
    {
        ucc_fire_event(session->platform, &session->session_events, dispid,
                       (IUnknown *)&session->IUccSession_iface, (IUnknown *)progress);
        IUccOperationProgressEvent_Release(progress);
    }
}

static void fire_collection_event(struct ucc_session *session, struct ucc_participant *participant, DISPID dispid)
{
    IUnknown *event;

    if (SUCCEEDED(ucc_participant_collection_event_create(participant, &event)))
    {
        ucc_fire_event(session->platform, &session->collection_events, dispid,
                       (IUnknown *)&session->IUccSession_iface, event);
        IUnknown_Release(event);
    }
}

/* The session is over: the local participant leaves and OnTerminate goes out, once. */
static void session_terminated(struct ucc_session *session)
{
    IUccOperationContext *context = session->terminate_context;

    if (session->terminated)
        return;
    session->terminated = TRUE;
    session->terminating = FALSE;
    session->terminate_context = NULL;
    if (session->local->state != UCCSES_DISCONNECTED)
        ucc_participant_set_state(session->local, UCCSES_DISCONNECTED, UCCPSCR_NORMAL, context, S_OK, NULL);
    fire_session_progress(session, DISPID__IUccSessionEvents_OnTerminate, context, S_OK, NULL);
    if (context)
        IUccOperationContext_Release(context);
}

static BOOL any_call(struct ucc_session *session)
{
    guint i;

    for (i = 0; i < session->remotes->len; i++)
        if (((struct ucc_participant *)g_ptr_array_index(session->remotes, i))->call)
            return TRUE;
    return FALSE;
}

static void cancel_invitation_timer(struct ucc_session *session)
{
    if (session->invitation_timer)
    {
        g_source_destroy(session->invitation_timer);
        g_source_unref(session->invitation_timer);
        session->invitation_timer = NULL;
    }
}

/* ---- calls ---------------------------------------------------------------------------------------- */

/* The engine's target for a participant URI: sip/sips as they are; tel: in our domain. */
static char *call_target(struct ucc_session *session, IUccUri *uri)
{
    UCC_URI_SCHEME scheme = UCCUS_SIP;
    char *text = ucc_uri_text(uri), *target;
    BSTR number = NULL, host = NULL;
    IUccUri *own;

    IUccUri_get_Scheme(uri, &scheme);
    if (scheme != UCCUS_TEL)
        return text;
    g_free(text);
    IUccUri_get_User(uri, &number);
    IUccEndpoint_get_Uri(ucc_endpoint_iface(session->endpoint), &own);
    IUccUri_get_Host(own, &host);
    IUccUri_Release(own);
    {
        char *n = ucc_utf8(number), *h = ucc_utf8(host);
        target = g_strdup_printf("sip:%s@%s;user=phone", n, h);
        g_free(n);
        g_free(h);
    }
    SysFreeString(number);
    SysFreeString(host);
    return target;
}

/* "Name" <sip:x@y>;params or sip:x@y -> sip:x@y */
static char *contact_uri(const char *contact)
{
    const char *start = strchr(contact, '<'), *end = start ? strchr(start, '>') : NULL;

    return end ? g_strndup(start + 1, end - start - 1) : g_strdup(contact);
}

/* Starts the INVITE to target for participant; the call becomes the participant's. */
static HRESULT start_call(struct ucc_session *session, struct ucc_participant *participant, const char *target)
{
    struct sip_engine *engine = ucc_endpoint_engine(session->endpoint);
    struct sip_call_options options = { NULL };
    GPtrArray *headers = g_ptr_array_new_with_free_func(g_free);
    GError *error = NULL;
    struct sip_call *call;
    char *from, *conversation;

    if (!engine)
    {
        g_ptr_array_free(headers, TRUE);
        return UCC_E_RTCSHIM_INVALID_STATE;
    }
    /* docs/wire-mapping.md, "UCC": the conversation id and the IM session marker. */
    if ((conversation = ucc_context_get_string(session->context, UCC_CONVERSATION_ID_PROPERTY)))
    {
        g_strdelimit(conversation, "\r\n", ' ');
        g_strstrip(conversation);
        if (*conversation)
            g_ptr_array_add(headers, g_strdup_printf("%s: %s", UCC_CONVERSATION_ID_HEADER, conversation));
        g_free(conversation);
    }
    if (session->type == UCCST_INSTANT_MESSAGING)
        g_ptr_array_add(headers, g_strdup_printf("%s: %s", UCC_SESSION_TYPE_HEADER, UCC_SESSION_TYPE_IM));
    /* A session carrying out a transfer: Referred-By and Replaces from the REFER. */
    ucc_transfer_invite_headers(session, target, headers);
    from = ucc_endpoint_identity(session->endpoint);
    g_ptr_array_add(headers, NULL);
    options.headers = (const char *const *)headers->pdata;
    options.max_bandwidth = session->max_bandwidth;
    call = sip_call_invite_full(engine, from, target, &options, &error);
    g_free(from);
    g_ptr_array_free(headers, TRUE);
    if (!call)
        return hresult_from_engine_error(error);
    ucc_participant_set_call(participant, call);
    ucc_endpoint_session_started(session->endpoint, session);
    return S_OK;
}

static void add_default_channel(struct ucc_participant *participant)
{
    IUccMediaChannel *channel;

    if (participant->type != UCCST_AUDIO_VIDEO || participant->channels->len)
        return;
    if (SUCCEEDED(IUccAudioVideoSessionParticipant_CreateChannel(&participant->IUccAudioVideoSessionParticipant_iface,
                                                                 UCCMT_AUDIO, NULL, &channel)))
    {
        IUccAudioVideoSessionParticipant_AddChannel(&participant->IUccAudioVideoSessionParticipant_iface, channel);
        IUccMediaChannel_Release(channel);
    }
}

/* 3xx to our INVITE: followed at once unless UCCSC_DISABLE_AUTOMATIC_REDIRECT. */
static BOOL follow_redirect(struct ucc_session *session, struct ucc_participant *participant, struct sip_call *call)
{
    const char *const *contacts = sip_call_get_redirect_contacts(call);
    char *target;
    HRESULT hr;

    if (!participant->adding || !contacts || !contacts[0]
        || ucc_context_get_bool(session->context, UCCSC_DISABLE_AUTOMATIC_REDIRECT, FALSE)
        || participant->redirects_followed >= UCC_MAX_AUTOMATIC_REDIRECTS)
        return FALSE;
    participant->redirects_followed++;
    target = contact_uri(contacts[0]);
    ucc_participant_set_call(participant, NULL);
    hr = start_call(session, participant, target);
    g_free(target);
    if (FAILED(hr))
        return FALSE;
    ucc_participant_set_state(participant, UCCSES_CONNECTING, UCCPSCR_REDIRECT_ACTION, participant->add_context,
                              S_OK, NULL);
    return TRUE;
}

static void finish_add(struct ucc_session *session, struct ucc_participant *participant, HRESULT status,
                       const char *text)
{
    IUccOperationContext *context = participant->add_context;

    if (!participant->adding)
        return;
    participant->adding = FALSE;
    participant->add_context = NULL;
    fire_session_progress(session, DISPID__IUccSessionEvents_OnAddParticipant, context, status, text);
    if (context)
        IUccOperationContext_Release(context);
}

static void call_ended(struct ucc_session *session, struct ucc_participant *participant, struct sip_call *call)
{
    enum sip_call_end_reason end = sip_call_get_end_reason(call);
    guint code = sip_call_get_status_code(call);
    const char *phrase = sip_call_get_reason_phrase(call);
    UCC_PARTICIPANT_STATE_CHANGE_REASON reason = UCCPSCR_NORMAL;
    HRESULT status = S_OK;
    BOOL failed_add = FALSE, removed = participant->removing;
    BOOL was_connected = participant->state == UCCSES_CONNECTED;
    char *text = NULL;

    switch (participant->forwarded ? SIP_CALL_END_DECLINED : end)
    {
    case SIP_CALL_END_REDIRECTED:
        if (follow_redirect(session, participant, call))
            return;
        reason = UCCPSCR_REDIRECT_ACTION;
        status = ucc_hresult_from_sip_status(code ? code : 302);
        break;
    case SIP_CALL_END_REJECTED:
        reason = (code == 404 || code == 410 || code == 484 || code == 604) ? UCCPSCR_ENDPOINT_NOT_EXIST
                                                                            : UCCPSCR_FAILED;
        status = ucc_hresult_from_sip_status(code ? code : 500);
        break;
    case SIP_CALL_END_TIMEOUT:
        reason = UCCPSCR_ERROR;
        status = ucc_hresult_from_outcome(code >= 300 ? code : 408, sip_call_get_delivery_failure(call));
        break;
    case SIP_CALL_END_TRANSPORT_ERROR:
        /* No server answered: a name not found or a certificate refused has its own code. */
        reason = UCCPSCR_ERROR;
        status = ucc_hresult_from_outcome(503, sip_call_get_delivery_failure(call));
        break;
    case SIP_CALL_END_DIALOG_GONE:
        reason = UCCPSCR_ERROR;
        status = ucc_hresult_from_sip_status(code >= 300 ? code : 481);
        break;
    case SIP_CALL_END_REMOTE_HANGUP:
    case SIP_CALL_END_REMOTE_CANCEL:
        reason = UCCPSCR_REMOTE_HANGUP_ACTION;
        break;
    case SIP_CALL_END_DECLINED:
        reason = participant->forwarded ? UCCPSCR_FORWARD_DISCONNECT : UCCPSCR_NORMAL;
        break;
    default:        /* our BYE or CANCEL */
        reason = UCCPSCR_NORMAL;
        break;
    }
    if (FAILED(status))
        text = g_strdup(phrase);
    if (participant->adding && (FAILED(status) || end == SIP_CALL_END_LOCAL_CANCEL))
    {
        failed_add = TRUE;
        if (SUCCEEDED(status))
            status = ucc_hresult_from_sip_status(487);      /* cancelled by Terminate/RemoveParticipant */
    }
    if (session->invitation == UCC_INVITATION_PENDING)
    {
        /* The inviter gave up (CANCEL) before anyone decided. */
        session->invitation = UCC_INVITATION_GONE;
        cancel_invitation_timer(session);
    }

    /* A transfer target that never answered: the transferor hears why (RFC 3515 NOTIFY). */
    if (!was_connected && !sip_call_is_incoming(call))
        ucc_transfer_progress(session, code >= 300 ? code : 487);
    ucc_participant_add_ref(participant);
    ucc_participant_set_call(participant, NULL);
    ucc_participant_media_changed(participant, FALSE);
    ucc_participant_set_state(participant, UCCSES_DISCONNECTED, reason,
                              participant->adding ? participant->add_context : participant->remove_context,
                              status, text);
    /* Our own REFER in that call is over too (OnBlindTransfer/OnConsultativeTransfer 487). */
    ucc_transfer_outgoing_call_ended(session, call);
    if (g_ptr_array_remove(session->remotes, participant))
    {
        fire_collection_event(session, participant, DISPID__IUccSessionParticipantCollectionEvents_OnParticipantRemoved);
        ucc_participant_release(participant);   /* the remotes array's reference */
    }
    finish_add(session, participant, status, text);
    if (removed)
    {
        IUccOperationContext *context = participant->remove_context;
        participant->removing = FALSE;
        participant->remove_context = NULL;
        fire_session_progress(session, DISPID__IUccSessionEvents_OnRemoveParticipant, context, S_OK, NULL);
        if (context)
            IUccOperationContext_Release(context);
    }
    ucc_participant_release(participant);
    g_free(text);

    /* When the last party is gone the session ends, unless the application is still
     * building it (an invitation that failed) or took the party out itself. */
    if (!session->remotes->len && (session->terminating || (!failed_add && !removed)))
        session_terminated(session);
    if (session->replaces && !session->remotes->len)
    {
        ucc_session_release(session->replaces);
        session->replaces = NULL;
    }
    if (!any_call(session))
        ucc_endpoint_session_ended(session->endpoint, session);
}

void ucc_session_on_call_state(struct ucc_participant *participant, struct sip_call *call, int state,
                               guint status_code, const char *reason_phrase)
{
    struct ucc_session *session = participant->session;

    if (!session || call != participant->call)
        return;
    ucc_session_add_ref(session);
    switch (state)
    {
    case SIP_CALL_STATE_RINGING:
    case SIP_CALL_STATE_EARLY_MEDIA:
        if (!sip_call_is_incoming(call))
        {
            ucc_participant_set_state(participant, UCCSES_CONNECTING, UCCPSCR_RINGING, participant->add_context,
                                      S_OK, NULL);
            ucc_transfer_progress(session, 180);
        }
        break;
    case SIP_CALL_STATE_CONNECTED:
        if (participant->state == UCCSES_CONNECTED)
            break;      /* a re-INVITE */
        ucc_participant_media_changed(participant, TRUE);
        ucc_participant_set_state(participant, UCCSES_CONNECTED, UCCPSCR_NORMAL, participant->add_context, S_OK,
                                  NULL);
        if (session->local->state != UCCSES_CONNECTED)
            ucc_participant_set_state(session->local, UCCSES_CONNECTED, UCCPSCR_NORMAL, NULL, S_OK, NULL);
        finish_add(session, participant, S_OK, NULL);
        ucc_transfer_progress(session, 200);
        /* RFC 3891: the call we accepted takes the place of the one it replaces. */
        if (session->replaces)
        {
            struct ucc_session *replaced = session->replaces;
            session->replaces = NULL;
            ucc_session_end(replaced);
            ucc_session_release(replaced);
        }
        break;
    case SIP_CALL_STATE_TERMINATED:
        call_ended(session, participant, call);
        break;
    default:
        break;
    }
    ucc_session_release(session);
}

/* ---- IM -------------------------------------------------------------------------------------------------- */

static void release_unknown(gpointer unknown)
{
    IUnknown_Release((IUnknown *)unknown);
}

static void pending_send_free(struct ucc_pending_send *send)
{
    if (send->context)
        IUccOperationContext_Release(send->context);
    g_array_free(send->outstanding, TRUE);
    g_ptr_array_free(send->results, TRUE);
    g_free(send);
}

static void add_send_result(struct ucc_pending_send *send, struct ucc_participant *participant, HRESULT status,
                            const char *text)
{
    IUccSessionParticipantOperationEvent *result;
    IUccOperationProgressEvent *progress;

    if (FAILED(ucc_progress_event_create(send->context, TRUE, status, text, NULL, &progress)))
        return;
    if (SUCCEEDED(ucc_participant_operation_event_create(participant->endpoint, progress, &result)))
        g_ptr_array_add(send->results, result);
    IUccOperationProgressEvent_Release(progress);
}

static void finish_send(struct ucc_session *session, struct ucc_pending_send *send)
{
    IUccSessionOperationEvent *event;
    IUccCollection *results;

    session->sends = g_list_remove(session->sends, send);
    if (SUCCEEDED(ucc_collection_create((IUnknown **)send->results->pdata, send->results->len, &results)))
    {
        if (SUCCEEDED(ucc_session_operation_event_create(send->context, results, &event)))
        {
            ucc_fire_event(session->platform, &session->modality_events,
                           DISPID__IUccInstantMessagingSessionEvents_OnSendMessage,
                           (IUnknown *)&session->IUccInstantMessagingSession_iface, (IUnknown *)event);
            IUccSessionOperationEvent_Release(event);
        }
        IUccCollection_Release(results);
    }
    pending_send_free(send);
}

void ucc_session_on_request_completed(struct ucc_session *session, struct ucc_participant *participant,
                                      guint request_id, guint status_code, int delivery_failure,
                                      const char *reason_phrase)
{
    GList *link;
    guint i;

    for (link = session->sends; link; link = link->next)
    {
        struct ucc_pending_send *send = link->data;
        for (i = 0; i < send->outstanding->len; i++)
        {
            if (g_array_index(send->outstanding, guint, i) != request_id)
                continue;
            g_array_remove_index(send->outstanding, i);
            add_send_result(send, participant, ucc_hresult_from_outcome(status_code, delivery_failure),
                            status_code >= 300 ? reason_phrase : NULL);
            if (!send->outstanding->len)
                finish_send(session, send);
            return;
        }
    }
}

void ucc_session_on_message(struct ucc_participant *participant, const char *content_type, const char *body)
{
    IUnknown *event;

    if (participant->type != UCCST_INSTANT_MESSAGING || !participant->session)
        return;
    /* RFC 3994 is-composing: OnComposing / OnIdle rather than a message. */
    if (content_type && !g_ascii_strcasecmp(content_type, UCC_ISCOMPOSING_CONTENT_TYPE))
    {
        BOOL active = body && strstr(body, "<state>active</state>");
        participant->composing = active;
        if (SUCCEEDED(ucc_composing_event_create(participant->endpoint, &event)))
        {
            ucc_fire_event(participant->platform, &participant->modality_events,
                           active ? DISPID__IUccInstantMessagingSessionParticipantEvents_OnComposing
                                  : DISPID__IUccInstantMessagingSessionParticipantEvents_OnIdle,
                           (IUnknown *)&participant->IUccInstantMessagingSessionParticipant_iface, event);
            IUnknown_Release(event);
        }
        return;
    }
    participant->composing = FALSE;
    if (SUCCEEDED(ucc_instant_message_event_create(participant->endpoint, content_type, body, &event)))
    {
        ucc_fire_event(participant->platform, &participant->modality_events,
                       DISPID__IUccInstantMessagingSessionParticipantEvents_OnInstantMessageReceived,
                       (IUnknown *)&participant->IUccInstantMessagingSessionParticipant_iface, event);
        IUnknown_Release(event);
    }
}

/* ---- the incoming side ---------------------------------------------------------------------------------- */

static gboolean invitation_timed_out(gpointer user_data)
{
    struct ucc_session *session = user_data;

    g_source_unref(session->invitation_timer);
    session->invitation_timer = NULL;
    /* Nobody decided in time: like Reject(UCCROTR_TIMEOUT). */
    if (session->invitation == UCC_INVITATION_PENDING)
        ucc_session_reject_invitation(session, UCCROTR_TIMEOUT);
    return G_SOURCE_REMOVE;
}

static struct ucc_participant *inviter_of(struct ucc_session *session)
{
    return session->remotes->len ? g_ptr_array_index(session->remotes, 0) : NULL;
}

HRESULT ucc_session_accept_invitation(struct ucc_session *session)
{
    struct ucc_participant *inviter = inviter_of(session);
    GError *error = NULL;
    HRESULT hr;

    if (FAILED(hr = ucc_platform_check_thread(session->platform)))
        return hr;
    if (session->invitation != UCC_INVITATION_PENDING || !inviter || !inviter->call)
        return UCC_E_RTCSHIM_INVALID_STATE;
    if (!sip_call_answer(inviter->call, &error))
    {
        /* The CANCEL is in, its report not yet: the invitation is gone all the same. */
        g_debug("UCC Accept: %s", error->message);
        g_error_free(error);
        session->invitation = UCC_INVITATION_GONE;
        cancel_invitation_timer(session);
        return UCC_E_RTCSHIM_INVALID_STATE;
    }
    session->invitation = UCC_INVITATION_ACCEPTED;
    cancel_invitation_timer(session);
    return S_OK;
}

HRESULT ucc_session_reject_invitation(struct ucc_session *session, UCC_REJECT_OR_TERMINATE_REASON reason)
{
    struct ucc_participant *inviter = inviter_of(session);
    guint code = ucc_response_for_reject_reason(reason);
    HRESULT hr;

    if (FAILED(hr = ucc_platform_check_thread(session->platform)))
        return hr;
    if (!code)
        return E_INVALIDARG;
    switch (session->invitation)
    {
    case UCC_INVITATION_REJECTED:
    case UCC_INVITATION_GONE:
        return S_OK;    /* Reject on an ended session does not fail (docs/ucc.md) */
    case UCC_INVITATION_PENDING:
        break;
    default:
        return UCC_E_RTCSHIM_INVALID_STATE;     /* accepted: Terminate ends it */
    }
    session->invitation = UCC_INVITATION_REJECTED;
    cancel_invitation_timer(session);
    if (inviter && inviter->call && !sip_call_reject(inviter->call, code, NULL, NULL))
        session->invitation = UCC_INVITATION_GONE;
    return S_OK;
}

/* One Contact per target: "Name" <uri>, or <uri> when the name is empty. */
static HRESULT redirect_contacts(IUccPropertyCollection *targets, char **out)
{
    GString *contacts = g_string_new(NULL);
    LONG count = 0, i;
    HRESULT hr = S_OK;

    *out = NULL;
    if (FAILED(IUccPropertyCollection_get_Count(targets, &count)) || count < 1)
    {
        g_string_free(contacts, TRUE);
        return E_INVALIDARG;
    }
    for (i = 1; i <= count && SUCCEEDED(hr); i++)
    {
        IUccProperty *property = NULL;
        IUnknown *object = NULL;
        IUccUri *uri = NULL;
        BSTR name = NULL, value = NULL;
        char *name_utf8, *uri_text = NULL;
        VARIANT item;

        VariantInit(&item);
        if (FAILED(IUccPropertyCollection_get_Item(targets, i, &item))
            || (V_VT(&item) != VT_UNKNOWN && V_VT(&item) != VT_DISPATCH) || !V_UNKNOWN(&item)
            || FAILED(IUnknown_QueryInterface(V_UNKNOWN(&item), &IID_IUccProperty, (void **)&property)))
        {
            VariantClear(&item);
            hr = E_INVALIDARG;
            break;
        }
        VariantClear(&item);
        IUccProperty_get_Name(property, &name);
        /* The value: a URI string, or an IUccUri object. */
        if (SUCCEEDED(IUccProperty_get_ObjectValue(property, &object)) && object
            && SUCCEEDED(IUnknown_QueryInterface(object, &IID_IUccUri, (void **)&uri)))
        {
            uri_text = ucc_uri_text(uri);
            IUccUri_Release(uri);
        }
        else if (SUCCEEDED(IUccProperty_get_StringValue(property, &value)))
            uri_text = ucc_utf8(value);
        if (object)
            IUnknown_Release(object);
        IUccProperty_Release(property);
        name_utf8 = ucc_utf8(name);
        if (!uri_text || FAILED(ucc_uri_create(uri_text, &uri)))
            hr = UCC_E_INVALID_SIP_URL;
        else
        {
            IUccUri_Release(uri);
            if (contacts->len)
                g_string_append(contacts, ", ");
            if (name_utf8 && *name_utf8 && !strchr(name_utf8, '"'))
                g_string_append_printf(contacts, "\"%s\" <%s>", name_utf8, uri_text);
            else
                g_string_append_printf(contacts, "<%s>", uri_text);
        }
        g_free(name_utf8);
        g_free(uri_text);
        SysFreeString(name);
        SysFreeString(value);
    }
    if (FAILED(hr))
    {
        g_string_free(contacts, TRUE);
        return hr;
    }
    *out = g_string_free(contacts, FALSE);
    return S_OK;
}

HRESULT ucc_session_redirect_invitation(struct ucc_session *session, UCC_SESSION_REDIRECT_METHOD method,
                                        IUccPropertyCollection *targets)
{
    struct ucc_participant *inviter = inviter_of(session);
    GError *error = NULL;
    char *contacts;
    HRESULT hr;

    if (FAILED(hr = ucc_platform_check_thread(session->platform)))
        return hr;
    if (session->type != UCCST_AUDIO_VIDEO)
        return UCC_E_RTCSHIM_NOT_SUPPORTED;     /* MSDN: IUccIncomingSessionEvent.Redirect: AV only */
    if (method == UCCSRM_SERVER_REDIRECT)
        return UCC_E_RTCSHIM_NOT_SUPPORTED;     /* a proxy's redirect; we are an endpoint */
    if (method != UCCSRM_CLIENT_REDIRECT || !targets)
        return E_INVALIDARG;
    if (FAILED(hr = redirect_contacts(targets, &contacts)))
        return hr;
    if (session->invitation != UCC_INVITATION_PENDING || !inviter || !inviter->call)
    {
        g_free(contacts);
        return UCC_E_RTCSHIM_INVALID_STATE;
    }
    if (!sip_call_redirect(inviter->call, contacts, &error))
    {
        g_free(contacts);
        session->invitation = UCC_INVITATION_GONE;
        cancel_invitation_timer(session);
        return hresult_from_engine_error(error);
    }
    g_free(contacts);
    inviter->forwarded = TRUE;
    session->invitation = UCC_INVITATION_REJECTED;
    cancel_invitation_timer(session);
    return S_OK;
}

static struct ucc_session *session_alloc(struct ucc_endpoint *endpoint, UCC_SESSION_TYPE type, IUccContext *context);

void ucc_session_incoming_call(struct ucc_endpoint *endpoint, struct sip_call *call)
{
    struct connection_point *manager = ucc_endpoint_session_manager_point(endpoint);
    const char *marker = sip_call_get_invite_header(call, UCC_SESSION_TYPE_HEADER);
    const char *conversation = sip_call_get_invite_header(call, UCC_CONVERSATION_ID_HEADER);
    UCC_SESSION_TYPE type = marker && !g_ascii_strcasecmp(marker, UCC_SESSION_TYPE_IM)
                            ? UCCST_INSTANT_MESSAGING : UCCST_AUDIO_VIDEO;
    struct ucc_participant *inviter;
    struct sip_call *replaced;
    struct ucc_session *session;
    IUccUri *uri;
    IUnknown *event;

    /* Nobody can answer without a sink on _IUccSessionManagerEvents. */
    if (!connection_point_has_sinks(manager))
    {
        sip_call_reject(call, 480, NULL, NULL);
        return;
    }
    /* RFC 3891: only a call of one of this endpoint's sessions can be given
     * away (481, as for a dialog we do not have). Authorized or not
     * (sip_call_is_replacement_authorized), the application decides: it sees
     * TargetReplaceSession, and Accept replaces (docs/wire-mapping.md). */
    if ((replaced = sip_call_get_replaced_call(call)))
    {
        struct ucc_participant *old = sip_call_get_user_data(replaced);

        if (!old || !old->session || old->session->endpoint != endpoint || old->session->terminated)
        {
            sip_call_reject(call, 481, NULL, NULL);
            return;
        }
    }
    if (!(session = session_alloc(endpoint, type, NULL)))
    {
        sip_call_reject(call, 500, NULL, NULL);
        return;
    }
    session->incoming = TRUE;
    session->invitation = UCC_INVITATION_PENDING;
    if (conversation && *conversation)
        ucc_properties_add_string((IUnknown *)session->context, UCC_CONVERSATION_ID_PROPERTY, NULL, conversation,
                                  TRUE);
    if (FAILED(ucc_uri_create(sip_call_get_remote_uri(call), &uri)))
    {
        sip_call_reject(call, 400, "Unusable From URI", NULL);
        ucc_session_release(session);
        return;
    }
    if (FAILED(ucc_participant_create(session, uri, NULL, FALSE, &inviter)))
    {
        IUccUri_Release(uri);
        sip_call_reject(call, 500, NULL, NULL);
        ucc_session_release(session);
        return;
    }
    IUccUri_Release(uri);
    add_default_channel(inviter);
    inviter->state = UCCSES_CONNECTING;
    session->local->state = UCCSES_CONNECTING;
    ucc_participant_set_call(inviter, sip_call_ref(call));
    g_ptr_array_add(session->remotes, inviter);     /* takes the creation reference */
    if (replaced)
    {
        session->replaces = ((struct ucc_participant *)sip_call_get_user_data(replaced))->session;
        ucc_session_add_ref(session->replaces);
    }
    ucc_endpoint_session_started(endpoint, session);
    /* The caller hears ringing while the application decides, for a bounded time. */
    sip_call_ring(call, NULL);
    session->invitation_timer = g_timeout_source_new(ucc_endpoint_incoming_timeout(endpoint));
    g_source_set_callback(session->invitation_timer, invitation_timed_out, session, NULL);
    g_source_attach(session->invitation_timer, ucc_platform_context(session->platform));
    if (SUCCEEDED(ucc_incoming_session_event_create(session, inviter, &event)))
    {
        ucc_fire_event(session->platform, manager, DISPID__IUccSessionManagerEvents_OnIncomingSession,
                       (IUnknown *)ucc_endpoint_iface(endpoint), event);
        IUnknown_Release(event);
    }
    ucc_session_release(session);   /* the endpoint keeps it while the call lives */
}

/* Ends every call of the session now: a pending invitation with 503, the rest BYE/CANCEL. */
void ucc_session_end(struct ucc_session *session)
{
    GPtrArray *remotes = g_ptr_array_new();
    guint i;

    ucc_session_add_ref(session);
    session->terminating = TRUE;
    for (i = 0; i < session->remotes->len; i++)
    {
        g_ptr_array_add(remotes, g_ptr_array_index(session->remotes, i));
        ucc_participant_add_ref(g_ptr_array_index(session->remotes, i));
    }
    for (i = 0; i < remotes->len; i++)
    {
        struct ucc_participant *participant = g_ptr_array_index(remotes, i);
        if (participant->call)
        {
            if (session->invitation == UCC_INVITATION_PENDING && sip_call_is_incoming(participant->call))
            {
                session->invitation = UCC_INVITATION_REJECTED;
                cancel_invitation_timer(session);
                sip_call_reject(participant->call, 503, NULL, NULL);
            }
            else
                sip_call_hangup(participant->call, NULL);
        }
        ucc_participant_release(participant);
    }
    g_ptr_array_free(remotes, TRUE);
    if (!any_call(session))
        session_terminated(session);
    ucc_session_release(session);
}

/* ---- IUnknown ----------------------------------------------------------------------------------------------- */

static HRESULT WINAPI session_QueryInterface(IUccSession *iface, REFIID riid, void **ppv)
{
    struct ucc_session *session = impl_from_IUccSession(iface);

    if (!ppv)
        return E_POINTER;
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IUccSession))
        *ppv = &session->IUccSession_iface;
    else if (session->type == UCCST_INSTANT_MESSAGING && IsEqualIID(riid, &IID_IUccInstantMessagingSession))
        *ppv = &session->IUccInstantMessagingSession_iface;
    else if (session->type == UCCST_AUDIO_VIDEO && IsEqualIID(riid, &IID_IUccAudioVideoSession))
        *ppv = &session->IUccAudioVideoSession_iface;
    else if (IsEqualIID(riid, &IID_IUccSessionCallControl))
        *ppv = &session->IUccSessionCallControl_iface;
    else if (IsEqualIID(riid, &IID_IConnectionPointContainer))
        *ppv = &session->IConnectionPointContainer_iface;
    else
    {
        *ppv = NULL;
        return E_NOINTERFACE;
    }
    IUnknown_AddRef((IUnknown *)*ppv);
    return S_OK;
}

static ULONG WINAPI session_AddRef(IUccSession *iface)
{
    return InterlockedIncrement(&impl_from_IUccSession(iface)->refcount);
}

static void release_participant(gpointer data)
{
    struct ucc_participant *participant = data;

    ucc_participant_detach(participant);
    if (participant->call)
    {
        sip_call_hangup(participant->call, NULL);
        ucc_participant_set_call(participant, NULL);
    }
    ucc_participant_release(participant);
}

static void release_participant_func(gpointer data, gpointer unused)
{
    release_participant(data);
}

static ULONG WINAPI session_Release(IUccSession *iface)
{
    struct ucc_session *session = impl_from_IUccSession(iface);
    ULONG ref = InterlockedDecrement(&session->refcount);

    if (!ref)
    {
        cancel_invitation_timer(session);
        ucc_transfer_unlink_session(session);
        ucc_transfer_outgoing_release(session);
        while (session->sends)
        {
            pending_send_free(session->sends->data);
            session->sends = g_list_delete_link(session->sends, session->sends);
        }
        g_ptr_array_foreach(session->remotes, release_participant_func, NULL);
        g_ptr_array_free(session->remotes, TRUE);
        if (session->local)
            release_participant(session->local);
        if (session->replaces)
            ucc_session_release(session->replaces);
        if (session->terminate_context)
            IUccOperationContext_Release(session->terminate_context);
        connection_point_destroy(&session->session_events);
        connection_point_destroy(&session->collection_events);
        connection_point_destroy(&session->modality_events);
        connection_point_destroy(&session->call_control_events);
        IUccContext_Release(session->context);
        ucc_endpoint_release(session->endpoint);
        free(session);
        com_module_unlock();
    }
    return ref;
}

/* ---- IUccSession ----------------------------------------------------------------------------------------------- */

static HRESULT WINAPI session_get_Type(IUccSession *iface, UCC_SESSION_TYPE *type)
{
    if (!type)
        return E_POINTER;
    *type = impl_from_IUccSession(iface)->type;
    return S_OK;
}

/* CreateSession's context; on an incoming session one with the conversation id (10000). */
static HRESULT WINAPI session_get_Context(IUccSession *iface, IUccContext **context)
{
    if (!context)
        return E_POINTER;
    *context = impl_from_IUccSession(iface)->context;
    IUccContext_AddRef(*context);
    return S_OK;
}

static HRESULT WINAPI session_get_LocalParticipant(IUccSession *iface, IUccSessionParticipant **participant)
{
    if (!participant)
        return E_POINTER;
    *participant = ucc_participant_iface(impl_from_IUccSession(iface)->local);
    IUccSessionParticipant_AddRef(*participant);
    return S_OK;
}

/* The local participant first, then the remote ones in the order they joined. */
static HRESULT WINAPI session_get_Participants(IUccSession *iface, IUccCollection **participants)
{
    struct ucc_session *session = impl_from_IUccSession(iface);
    IUnknown **items;
    guint i;
    HRESULT hr;

    if (!participants)
        return E_POINTER;
    items = g_new(IUnknown *, session->remotes->len + 1);
    items[0] = (IUnknown *)ucc_participant_iface(session->local);
    for (i = 0; i < session->remotes->len; i++)
        items[i + 1] = (IUnknown *)ucc_participant_iface(g_ptr_array_index(session->remotes, i));
    hr = ucc_collection_create(items, session->remotes->len + 1, participants);
    g_free(items);
    return hr;
}

static HRESULT WINAPI session_CreateParticipant(IUccSession *iface, IUccUri *uri, IUccContext *context,
                                                IUccSessionParticipant **out)
{
    struct ucc_session *session = impl_from_IUccSession(iface);
    struct ucc_participant *participant;
    HRESULT hr;

    if (!out)
        return E_POINTER;
    *out = NULL;
    if (FAILED(hr = ucc_platform_check_running(session->platform)))
        return hr;
    if (!uri)
        return E_POINTER;
    if (session->terminated)
        return UCC_E_RTCSHIM_INVALID_STATE;
    if (FAILED(hr = ucc_participant_create(session, uri, context, FALSE, &participant)))
        return hr;
    *out = ucc_participant_iface(participant);
    return S_OK;
}

static HRESULT WINAPI session_AddParticipant(IUccSession *iface, IUccSessionParticipant *participant_iface,
                                             IUccOperationContext *operation)
{
    struct ucc_session *session = impl_from_IUccSession(iface);
    struct ucc_participant *participant = ucc_participant_from_iface((IUnknown *)participant_iface);
    char *target;
    HRESULT hr;

    if (!participant_iface)
        return E_POINTER;
    if (FAILED(hr = ucc_endpoint_check_ready(session->endpoint)))
        return hr;
    if (!participant || participant->session != session || participant->local)
        return E_INVALIDARG;
    if (session->terminated || session->terminating || participant->call
        || g_ptr_array_find(session->remotes, participant, NULL))
        return UCC_E_RTCSHIM_INVALID_STATE;
    /* One remote party per audio session: the media backend mixes nothing. */
    if (session->type == UCCST_AUDIO_VIDEO && session->remotes->len)
        return UCC_E_RTCSHIM_NOT_SUPPORTED;
    if (!(target = call_target(session, participant->uri)))
        return UCC_E_INVALID_SIP_URL;
    add_default_channel(participant);
    hr = start_call(session, participant, target);
    g_free(target);
    if (FAILED(hr))
        return hr;
    participant->adding = TRUE;
    participant->redirects_followed = 0;
    if ((participant->add_context = operation))
        IUccOperationContext_AddRef(operation);
    ucc_participant_add_ref(participant);
    g_ptr_array_add(session->remotes, participant);
    fire_collection_event(session, participant, DISPID__IUccSessionParticipantCollectionEvents_OnParticipantAdded);
    ucc_participant_set_state(participant, UCCSES_CONNECTING, UCCPSCR_NORMAL, operation, S_OK, NULL);
    if (session->local->state == UCCSES_IDLE)
        ucc_participant_set_state(session->local, UCCSES_CONNECTING, UCCPSCR_NORMAL, NULL, S_OK, NULL);
    return S_OK;
}

static HRESULT WINAPI session_RemoveParticipant(IUccSession *iface, IUccSessionParticipant *participant_iface,
                                                IUccOperationContext *operation)
{
    struct ucc_session *session = impl_from_IUccSession(iface);
    struct ucc_participant *participant = ucc_participant_from_iface((IUnknown *)participant_iface);
    HRESULT hr;

    if (!participant_iface)
        return E_POINTER;
    if (FAILED(hr = ucc_platform_check_running(session->platform)))
        return hr;
    if (!participant || !g_ptr_array_find(session->remotes, participant, NULL))
        return E_INVALIDARG;
    if (participant->removing || !participant->call)
        return UCC_E_RTCSHIM_INVALID_STATE;
    participant->removing = TRUE;
    if ((participant->remove_context = operation))
        IUccOperationContext_AddRef(operation);
    if (session->invitation == UCC_INVITATION_PENDING && sip_call_is_incoming(participant->call))
    {
        session->invitation = UCC_INVITATION_REJECTED;
        cancel_invitation_timer(session);
        sip_call_reject(participant->call, 603, NULL, NULL);
    }
    else
        sip_call_hangup(participant->call, NULL);
    return S_OK;
}

/* BYE (or CANCEL, or the reason's response to a pending invitation) for every call;
 * OnTerminate when they have ended. On an ended session: S_OK, nothing more. */
static HRESULT WINAPI session_Terminate(IUccSession *iface, UCC_REJECT_OR_TERMINATE_REASON reason,
                                        IUccOperationContext *operation)
{
    struct ucc_session *session = impl_from_IUccSession(iface);
    GPtrArray *remotes;
    HRESULT hr;
    guint i;

    if (FAILED(hr = ucc_platform_check_thread(session->platform)))
        return hr;
    if (!valid_terminate_reason(reason))
        return E_INVALIDARG;
    if (session->terminated)
        return S_OK;
    if (session->terminating)
        return UCC_E_RTCSHIM_INVALID_STATE;
    ucc_session_add_ref(session);
    session->terminating = TRUE;
    if ((session->terminate_context = operation))
        IUccOperationContext_AddRef(operation);
    remotes = g_ptr_array_new();
    for (i = 0; i < session->remotes->len; i++)
    {
        g_ptr_array_add(remotes, g_ptr_array_index(session->remotes, i));
        ucc_participant_add_ref(g_ptr_array_index(session->remotes, i));
    }
    for (i = 0; i < remotes->len; i++)
    {
        struct ucc_participant *participant = g_ptr_array_index(remotes, i);
        if (participant->call)
        {
            if (session->invitation == UCC_INVITATION_PENDING && sip_call_is_incoming(participant->call))
            {
                guint code = ucc_response_for_reject_reason(reason);
                session->invitation = UCC_INVITATION_REJECTED;
                cancel_invitation_timer(session);
                sip_call_reject(participant->call, code ? code : 603, NULL, NULL);
            }
            else
                sip_call_hangup(participant->call, NULL);
        }
        ucc_participant_release(participant);
    }
    g_ptr_array_free(remotes, TRUE);
    /* Nothing to end on the wire: the session is over now (the event still comes from the loop). */
    if (!any_call(session))
        session_terminated(session);
    ucc_session_release(session);
    return S_OK;
}

static const IUccSessionVtbl session_vtbl =
{
    session_QueryInterface,
    session_AddRef,
    session_Release,
    session_get_Type,
    session_get_Context,
    session_get_LocalParticipant,
    session_get_Participants,
    session_CreateParticipant,
    session_AddParticipant,
    session_RemoveParticipant,
    session_Terminate,
};

/* ---- IUccInstantMessagingSession ------------------------------------------------------------------------------- */

#define IM_SESSION(iface) (&impl_from_IUccInstantMessagingSession(iface)->IUccSession_iface)

static HRESULT WINAPI im_session_QueryInterface(IUccInstantMessagingSession *iface, REFIID riid, void **ppv)
{
    return session_QueryInterface(IM_SESSION(iface), riid, ppv);
}

static ULONG WINAPI im_session_AddRef(IUccInstantMessagingSession *iface)
{
    return session_AddRef(IM_SESSION(iface));
}

static ULONG WINAPI im_session_Release(IUccInstantMessagingSession *iface)
{
    return session_Release(IM_SESSION(iface));
}

static void release_connected(gpointer participant)
{
    ucc_participant_release(participant);
}

/* The connected remote participants (referenced), or NULL with *hr set. */
static GPtrArray *connected_remotes(struct ucc_session *session, HRESULT *hr)
{
    GPtrArray *connected;
    guint i;

    if (FAILED(*hr = ucc_endpoint_check_ready(session->endpoint)))
        return NULL;
    connected = g_ptr_array_new_with_free_func(release_connected);
    for (i = 0; i < session->remotes->len; i++)
    {
        struct ucc_participant *participant = g_ptr_array_index(session->remotes, i);
        if (participant->call && participant->state == UCCSES_CONNECTED)
        {
            ucc_participant_add_ref(participant);
            g_ptr_array_add(connected, participant);
        }
    }
    if (!connected->len)
    {
        g_ptr_array_free(connected, TRUE);
        *hr = UCC_E_RTCSHIM_INVALID_STATE;
        return NULL;
    }
    return connected;
}

/* A MESSAGE in each connected participant's dialog; OnSendMessage when all have answered. */
static HRESULT WINAPI im_session_SendMessage(IUccInstantMessagingSession *iface, BSTR content_type, BSTR message,
                                             IUccOperationContext *operation)
{
    struct ucc_session *session = impl_from_IUccInstantMessagingSession(iface);
    struct ucc_pending_send *send;
    GPtrArray *connected;
    char *type, *body;
    HRESULT hr;
    guint i;

    if (!(connected = connected_remotes(session, &hr)))
        return hr;
    type = content_type && *content_type ? ucc_utf8(content_type) : g_strdup("text/plain");
    body = message ? ucc_utf8(message) : g_strdup("");
    send = g_new0(struct ucc_pending_send, 1);
    if ((send->context = operation))
        IUccOperationContext_AddRef(operation);
    send->outstanding = g_array_new(FALSE, FALSE, sizeof(guint));
    send->results = g_ptr_array_new_with_free_func(release_unknown);
    session->sends = g_list_append(session->sends, send);
    for (i = 0; i < connected->len; i++)
    {
        struct ucc_participant *participant = g_ptr_array_index(connected, i);
        GError *error = NULL;
        guint id = sip_call_send_message(participant->call, type, body, strlen(body), &error);

        if (id)
        {
            g_array_append_val(send->outstanding, id);
            ucc_endpoint_track_request(session->endpoint, id, session, participant);
        }
        else
            add_send_result(send, participant, hresult_from_engine_error(error), NULL);
    }
    g_ptr_array_free(connected, TRUE);
    g_free(type);
    g_free(body);
    /* Every MESSAGE failed at once: the outcome still comes as an event. */
    if (!send->outstanding->len)
        finish_send(session, send);
    return S_OK;
}

static HRESULT send_composing(struct ucc_session *session, BOOL active)
{
    GPtrArray *connected;
    char *body;
    HRESULT hr;
    guint i;

    if (!(connected = connected_remotes(session, &hr)))
        return hr;
    body = g_strdup_printf("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                           "<isComposing xmlns=\"urn:ietf:params:xml:ns:im-iscomposing\">"
                           "<state>%s</state><contenttype>text/plain</contenttype></isComposing>\n",
                           active ? "active" : "idle");
    for (i = 0; i < connected->len; i++)
    {
        struct ucc_participant *participant = g_ptr_array_index(connected, i);
        sip_call_send_message(participant->call, UCC_ISCOMPOSING_CONTENT_TYPE, body, strlen(body), NULL);
    }
    g_free(body);
    g_ptr_array_free(connected, TRUE);
    return S_OK;
}

/* RFC 3994 is-composing to every connected participant (their OnComposing / OnIdle). */
static HRESULT WINAPI im_session_StartComposing(IUccInstantMessagingSession *iface, IUccContext *context)
{
    return send_composing(impl_from_IUccInstantMessagingSession(iface), TRUE);
}

static HRESULT WINAPI im_session_StopComposing(IUccInstantMessagingSession *iface, IUccContext *context)
{
    return send_composing(impl_from_IUccInstantMessagingSession(iface), FALSE);
}

static const IUccInstantMessagingSessionVtbl im_session_vtbl =
{
    im_session_QueryInterface,
    im_session_AddRef,
    im_session_Release,
    im_session_SendMessage,
    im_session_StartComposing,
    im_session_StopComposing,
};

/* ---- IUccAudioVideoSession ---------------------------------------------------------------------------------------- */

#define AV_SESSION(iface) (&impl_from_IUccAudioVideoSession(iface)->IUccSession_iface)

static HRESULT WINAPI av_session_QueryInterface(IUccAudioVideoSession *iface, REFIID riid, void **ppv)
{
    return session_QueryInterface(AV_SESSION(iface), riid, ppv);
}

static ULONG WINAPI av_session_AddRef(IUccAudioVideoSession *iface)
{
    return session_AddRef(AV_SESSION(iface));
}

static ULONG WINAPI av_session_Release(IUccAudioVideoSession *iface)
{
    return session_Release(AV_SESSION(iface));
}

/* No SRTP yet: "none" and "optional" are honoured (as none), "required" cannot be. */
static HRESULT WINAPI av_session_SetEncryptionParameters(IUccAudioVideoSession *iface, UCC_MEDIA_ENCRYPTION_LEVEL level,
                                                         LONG modes)
{
    struct ucc_session *session = impl_from_IUccAudioVideoSession(iface);

    com_partial(__func__, "media encryption (SRTP) is not built: UCCMEL_OPTIONAL is taken as none, UCCMEL_REQUIRED "
                "is refused");
    if (level < UCCMEL_NONE || level > UCCMEL_REQUIRED || (modes & ~(UCCMEM_DES | UCCMEM_SRTP)))
        return E_INVALIDARG;
    if (level == UCCMEL_REQUIRED)
        return UCC_E_RTCSHIM_NOT_SUPPORTED;
    session->encryption_level = level;
    session->encryption_modes = modes;
    return S_OK;
}

static HRESULT WINAPI av_session_GetEncryptionParameters(IUccAudioVideoSession *iface, UCC_MEDIA_ENCRYPTION_LEVEL *level,
                                                         LONG *modes)
{
    struct ucc_session *session = impl_from_IUccAudioVideoSession(iface);

    if (!level || !modes)
        return E_POINTER;
    *level = session->encryption_level;
    *modes = session->encryption_modes;
    return S_OK;
}

static HRESULT WINAPI av_session_PublishSessionMetrics(IUccAudioVideoSession *iface, BSTR server,
                                                       IUccOperationContext *operation)
{
    return com_not_built(__func__);
}

/* ICE is never used (the engine offers host candidates only): the flag is kept for the application. */
static HRESULT WINAPI av_session_get_MediaConnectivityDisabled(IUccAudioVideoSession *iface, VARIANT_BOOL *disabled)
{
    if (!disabled)
        return E_POINTER;
    *disabled = impl_from_IUccAudioVideoSession(iface)->media_connectivity_disabled;
    return S_OK;
}

static HRESULT WINAPI av_session_put_MediaConnectivityDisabled(IUccAudioVideoSession *iface, VARIANT_BOOL disabled)
{
    com_partial(__func__, "stored only: ICE is not built (the engine offers host candidates), so nothing changes "
                "either way");
    impl_from_IUccAudioVideoSession(iface)->media_connectivity_disabled = disabled ? VARIANT_TRUE : VARIANT_FALSE;
    return S_OK;
}

static HRESULT WINAPI av_session_get_AcousticEchoCancellationEnabled(IUccAudioVideoSession *iface, VARIANT_BOOL *enabled)
{
    if (!enabled)
        return E_POINTER;
    *enabled = impl_from_IUccAudioVideoSession(iface)->echo_cancellation;
    return S_OK;
}

static HRESULT WINAPI av_session_put_AcousticEchoCancellationEnabled(IUccAudioVideoSession *iface, VARIANT_BOOL enabled)
{
    com_partial(__func__, "stored only: echo cancellation is the client's setting (the media backend's, "
                "IRTCClient2::put_PreferredAEC), not a session's");
    impl_from_IUccAudioVideoSession(iface)->echo_cancellation = enabled ? VARIANT_TRUE : VARIANT_FALSE;
    return S_OK;
}

static HRESULT WINAPI av_session_get_MaximumBandwidth(IUccAudioVideoSession *iface, ULONG *bps)
{
    if (!bps)
        return E_POINTER;
    *bps = impl_from_IUccAudioVideoSession(iface)->max_bandwidth;
    return S_OK;
}

/* docs/wire-mapping.md, "Maximum bandwidth": the codecs offered and
 * accepted from the next offer or answer on, b=TIAS/b=AS, opus' rate. */
static HRESULT WINAPI av_session_put_MaximumBandwidth(IUccAudioVideoSession *iface, ULONG bps)
{
    struct ucc_session *session = impl_from_IUccAudioVideoSession(iface);
    struct sip_engine *engine = ucc_endpoint_engine(session->endpoint);
    guint i;

    if (engine && !sip_engine_audio_fits(engine, bps, NULL))
        return E_INVALIDARG;
    session->max_bandwidth = bps;
    for (i = 0; i < session->remotes->len; i++)
    {
        struct ucc_participant *participant = g_ptr_array_index(session->remotes, i);

        if (participant->call) sip_call_set_max_bandwidth(participant->call, bps, NULL);
    }
    return S_OK;
}

static const IUccAudioVideoSessionVtbl av_session_vtbl =
{
    av_session_QueryInterface,
    av_session_AddRef,
    av_session_Release,
    av_session_SetEncryptionParameters,
    av_session_GetEncryptionParameters,
    av_session_PublishSessionMetrics,
    av_session_get_MediaConnectivityDisabled,
    av_session_put_MediaConnectivityDisabled,
    av_session_get_AcousticEchoCancellationEnabled,
    av_session_put_AcousticEchoCancellationEnabled,
    av_session_get_MaximumBandwidth,
    av_session_put_MaximumBandwidth,
};

/* ---- IUccSessionCallControl --------------------------------------------------------------------------------------- */

#define CC_SESSION(iface) (&impl_from_IUccSessionCallControl(iface)->IUccSession_iface)

static HRESULT WINAPI call_control_QueryInterface(IUccSessionCallControl *iface, REFIID riid, void **ppv)
{
    return session_QueryInterface(CC_SESSION(iface), riid, ppv);
}

static ULONG WINAPI call_control_AddRef(IUccSessionCallControl *iface)
{
    return session_AddRef(CC_SESSION(iface));
}

static ULONG WINAPI call_control_Release(IUccSessionCallControl *iface)
{
    return session_Release(CC_SESSION(iface));
}

static HRESULT WINAPI call_control_Alternate(IUccSessionCallControl *iface, IUccSession *active,
                                             IUccOperationContext *operation)
{
    return com_not_built(__func__);
}

/* REFER in this AV session's call; the progress is OnBlindTransfer (transfer.c). */
static HRESULT WINAPI call_control_BlindTransfer(IUccSessionCallControl *iface, IUccUri *target,
                                                 IUccOperationContext *operation)
{
    return ucc_transfer_blind(impl_from_IUccSessionCallControl(iface), target, operation);
}

/* REFER to active's peer with Replaces naming active's dialog; OnConsultativeTransfer. */
static HRESULT WINAPI call_control_ConsultativeTransfer(IUccSessionCallControl *iface, IUccSession *active,
                                                        IUccOperationContext *operation)
{
    return ucc_transfer_consultative(impl_from_IUccSessionCallControl(iface), active, operation);
}

static const IUccSessionCallControlVtbl call_control_vtbl =
{
    call_control_QueryInterface,
    call_control_AddRef,
    call_control_Release,
    call_control_Alternate,
    call_control_BlindTransfer,
    call_control_ConsultativeTransfer,
};

/* ---- IConnectionPointContainer ------------------------------------------------------------------------------------ */

static HRESULT WINAPI container_QueryInterface(IConnectionPointContainer *iface, REFIID riid, void **ppv)
{
    return session_QueryInterface(&impl_from_IConnectionPointContainer(iface)->IUccSession_iface, riid, ppv);
}

static ULONG WINAPI container_AddRef(IConnectionPointContainer *iface)
{
    return session_AddRef(&impl_from_IConnectionPointContainer(iface)->IUccSession_iface);
}

static ULONG WINAPI container_Release(IConnectionPointContainer *iface)
{
    return session_Release(&impl_from_IConnectionPointContainer(iface)->IUccSession_iface);
}

#define SESSION_POINTS(s) { &(s)->modality_events, &(s)->session_events, &(s)->collection_events, \
                            &(s)->call_control_events }

static HRESULT WINAPI container_EnumConnectionPoints(IConnectionPointContainer *iface, IEnumConnectionPoints **out)
{
    struct ucc_session *session = impl_from_IConnectionPointContainer(iface);
    struct connection_point *points[] = SESSION_POINTS(session);

    return connection_points_enum(points, ARRAY_SIZE(points), out);
}

static HRESULT WINAPI container_FindConnectionPoint(IConnectionPointContainer *iface, REFIID riid,
                                                    IConnectionPoint **out)
{
    struct ucc_session *session = impl_from_IConnectionPointContainer(iface);
    struct connection_point *points[] = SESSION_POINTS(session);

    return connection_points_find(points, ARRAY_SIZE(points), riid, out);
}

static const IConnectionPointContainerVtbl container_vtbl =
{
    container_QueryInterface,
    container_AddRef,
    container_Release,
    container_EnumConnectionPoints,
    container_FindConnectionPoint,
};

/* ---- creation ------------------------------------------------------------------------------------------------------ */

static struct ucc_session *session_alloc(struct ucc_endpoint *endpoint, UCC_SESSION_TYPE type, IUccContext *context)
{
    struct ucc_session *session = calloc(1, sizeof(*session));
    IUccUri *uri;

    if (!session)
        return NULL;
    session->IUccSession_iface.lpVtbl = &session_vtbl;
    session->IUccInstantMessagingSession_iface.lpVtbl = &im_session_vtbl;
    session->IUccAudioVideoSession_iface.lpVtbl = &av_session_vtbl;
    session->IUccSessionCallControl_iface.lpVtbl = &call_control_vtbl;
    session->IConnectionPointContainer_iface.lpVtbl = &container_vtbl;
    session->refcount = 1;
    com_module_lock();      /* DllCanUnloadNow: one more live object */
    session->endpoint = endpoint;
    ucc_endpoint_add_ref(endpoint);
    session->platform = ucc_endpoint_platform(endpoint);
    session->type = type;
    session->remotes = g_ptr_array_new();     /* strong; released by hand */
    session->encryption_level = UCCMEL_NONE;
    session->echo_cancellation = VARIANT_TRUE;
    connection_point_init(&session->session_events, &session->IConnectionPointContainer_iface,
                          &DIID__IUccSessionEvents);
    connection_point_init(&session->collection_events, &session->IConnectionPointContainer_iface,
                          &DIID__IUccSessionParticipantCollectionEvents);
    connection_point_init(&session->modality_events, &session->IConnectionPointContainer_iface,
                          type == UCCST_AUDIO_VIDEO ? &DIID__IUccAudioVideoSessionEvents
                                                    : &DIID__IUccInstantMessagingSessionEvents);
    connection_point_init(&session->call_control_events, &session->IConnectionPointContainer_iface,
                          &DIID__IUccSessionCallControlEvents);
    if ((session->context = context))
        IUccContext_AddRef(context);
    else if (FAILED(ucc_context_create(&session->context)))
        goto fail;
    IUccEndpoint_get_Uri(ucc_endpoint_iface(endpoint), &uri);
    if (FAILED(ucc_participant_create(session, uri, NULL, TRUE, &session->local)))
    {
        IUccUri_Release(uri);
        goto fail;
    }
    IUccUri_Release(uri);
    return session;

fail:
    session_Release(&session->IUccSession_iface);
    return NULL;
}

HRESULT ucc_session_create(struct ucc_endpoint *endpoint, UCC_SESSION_TYPE type, IUccContext *context,
                           IUccSession **out)
{
    struct ucc_session *session;
    IUnknown *event;

    /* Conferences and application sessions need a focus and an SDP evaluator we do not have. */
    if (type != UCCST_INSTANT_MESSAGING && type != UCCST_AUDIO_VIDEO)
        return (unsigned int)type <= UCCST_DATA_SHARING ? UCC_E_RTCSHIM_NOT_SUPPORTED : E_INVALIDARG;
    if (!(session = session_alloc(endpoint, type, context)))
        return E_OUTOFMEMORY;
    ucc_transfer_link_session(session, context);
    if (SUCCEEDED(ucc_outgoing_session_event_create(session, &event)))
    {
        ucc_fire_event(session->platform, ucc_endpoint_session_manager_point(endpoint),
                       DISPID__IUccSessionManagerEvents_OnOutgoingSession, (IUnknown *)ucc_endpoint_iface(endpoint),
                       event);
        IUnknown_Release(event);
    }
    *out = &session->IUccSession_iface;
    return S_OK;
}
