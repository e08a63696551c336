/*
 * Session transfer over REFER, both sides, as RTC applications expect
 * (MSDN: IRTCSessionCallControl::Refer, IRTCSessionReferredEvent; docs/wire-mapping.md
 * "Transfer").
 *
 * Transferor: IRTCSessionCallControl::Refer sends the REFER and turns its
 * implicit subscription into IRTCSessionReferStatusEvents: REFERRING at once,
 * ACCEPTED on the 2xx and for each provisional NOTIFY, then DONE (2xx
 * sipfrag), DROPPED (failure sipfrag, or no final one), REJECTED (the REFER
 * failed) or ERROR (no answer). The session is in RTCSS_REFER meanwhile and
 * goes back to its state before the Refer afterwards; nothing hangs up by
 * itself: the application decides.
 *
 * Transferee: a checked REFER becomes an IRTCSessionReferredEvent whose
 * Accept/Reject/SetReferredSessionState drive the engine's refer; the
 * subscription always ends with a terminated NOTIFY.
 */
#include <string.h>
#include "session.h"
#include "events.h"
#include "sip/sip_refer.h"
#include "sip/refer_to.h"

/* The StatusCode of a refer status event: the SIP code in an HRESULT of the
 * RTC_E_STATUS_* family, with success severity below 300 (docs/wire-mapping.md). */
static LONG refer_status_code(guint code)
{
    if (!code)
        return S_OK;
    return MAKE_HRESULT(code >= 300 ? SEVERITY_ERROR : SEVERITY_SUCCESS, RTC_SIP_STATUS_FACILITY, code);
}

/* ---- transferor ------------------------------------------------------------------------ */

struct outgoing_transfer
{
    struct session *session;        /* referenced until the refer ends */
    struct sip_refer *refer;
    RTC_SESSION_STATE previous;     /* where the session returns */
    BOOL finished;                  /* the application has seen the outcome */
};

static void fire_refer_status(struct session *session, RTC_SESSION_REFER_STATUS status, LONG code, const char *text)
{
    IDispatch *event;
    BSTR wtext;

    if (!client_wants_event(session->client, RTCE_SESSION_REFER_STATUS))
        return;
    wtext = text && *text ? com_bstr_from_utf8(text) : NULL;
    if (SUCCEEDED(rtc_session_refer_status_event_create(&session->IRTCSession2_iface, status, code, wtext, &event)))
    {
        client_fire_event(session->client, RTCE_SESSION_REFER_STATUS, event);
        IDispatch_Release(event);
    }
    SysFreeString(wtext);
}

/* The outcome is known: report it and put the session back where it was. */
static void finish_outgoing(struct outgoing_transfer *transfer, RTC_SESSION_REFER_STATUS status, LONG code,
                            const char *text)
{
    struct session *session = transfer->session;

    if (transfer->finished)
        return;
    transfer->finished = TRUE;
    if (session->transfer == transfer)
        session->transfer = NULL;
    fire_refer_status(session, status, code, text);
    if (session->state == RTCSS_REFER)
        session_change_state(session, transfer->previous, S_OK, NULL);
}

static void free_outgoing(struct outgoing_transfer *transfer)
{
    if (transfer->session->transfer == transfer)
        transfer->session->transfer = NULL;
    sip_refer_set_user_data(transfer->refer, NULL);
    sip_refer_unref(transfer->refer);
    session_release(transfer->session);
    g_free(transfer);
}

static void on_refer_progress(struct sip_refer *refer, enum sip_refer_progress progress, guint code,
                              const char *reason, enum sip_refer_end end, void *user_data)
{
    struct outgoing_transfer *transfer = sip_refer_get_user_data(refer);

    if (!transfer)
        return;
    switch (progress)
    {
    case SIP_REFER_ACCEPTED:
        if (!transfer->finished)
            fire_refer_status(transfer->session, RTCSRS_ACCEPTED, refer_status_code(code), reason);
        break;
    case SIP_REFER_REJECTED:
        finish_outgoing(transfer, RTCSRS_REJECTED, refer_status_code(code), reason);
        break;
    case SIP_REFER_FAILED:
        finish_outgoing(transfer, RTCSRS_ERROR, refer_status_code(code ? code : 408), reason);
        break;
    case SIP_REFER_NOTIFY:
        if (code < 200 && !transfer->finished)
            fire_refer_status(transfer->session, RTCSRS_ACCEPTED, refer_status_code(code), reason);
        else if (code < 300)
            finish_outgoing(transfer, RTCSRS_DONE, refer_status_code(code), reason);
        else
            finish_outgoing(transfer, RTCSRS_DROPPED, refer_status_code(code), reason);
        break;
    case SIP_REFER_ENDED:
        switch (end)
        {
        case SIP_REFER_END_SUCCESS:     /* Refer-Sub: false, or after the final NOTIFY */
            finish_outgoing(transfer, RTCSRS_DONE, S_OK, NULL);
            break;
        case SIP_REFER_END_NO_FINAL:
            /* The subscription ended without telling how the new call went. */
            finish_outgoing(transfer, RTCSRS_DROPPED, refer_status_code(487), "Subscription ended without a final status");
            break;
        default:
            finish_outgoing(transfer, RTCSRS_DROPPED, S_OK, NULL);
            break;
        }
        free_outgoing(transfer);
        break;
    }
}

/* The scheme of a URI ("sip", "tel", "mailto" ...), or NULL for a bare number or user[@host]. */
static char *uri_scheme(const char *text)
{
    const char *colon = strchr(text, ':'), *at = strchr(text, '@'), *p;

    if (!colon || (at && at < colon) || colon == text)
        return NULL;
    for (p = text; p < colon; p++)
        if (!g_ascii_isalpha(*p) && *p != '+' && *p != '-' && *p != '.')
            return NULL;
    return g_ascii_strdown(text, colon - text);
}

/* The Refer-To as the REFER carries it: sip/sips kept; tel: or a bare number or
 * user becomes a SIP URI in the peer's domain (jambonz's referTo rule); any
 * other scheme is refused. */
static char *refer_target(struct session *session, const char *text)
{
    const char *remote = sip_call_get_remote_uri(session->call), *at, *end;
    char *scheme = uri_scheme(text), *domain, *target = NULL;

    if (scheme && (!strcmp(scheme, "sip") || !strcmp(scheme, "sips")))
        target = g_strdup(text);
    else if (!scheme && strchr(text, '@'))
        target = g_strconcat("sip:", text, NULL);
    else if ((!scheme || !strcmp(scheme, "tel")) && remote && (at = strchr(remote, '@')))
    {
        end = at + 1 + strcspn(at + 1, ";>?");
        domain = g_strndup(at + 1, end - at - 1);
        target = sip_refer_to_target_to_uri(text, domain, NULL);
        g_free(domain);
    }
    g_free(scheme);
    return target;
}

HRESULT transfer_refer(struct session *session, BSTR refer_to, BSTR cookie)
{
    struct sip_refer_options options = { NULL };
    struct outgoing_transfer *transfer;
    const char *headers[2] = { NULL, NULL };
    char *text, *target, *checked, *cookie_header = NULL, *referred_by;
    GError *error = NULL;
    struct sip_refer *refer;
    HRESULT hr;

    if (FAILED(hr = client_check_ready(session->client)))
        return hr;
    if (session->type == RTCST_MULTIPARTY_IM)
        return RTC_E_REFER_NOT_ALLOWED;     /* page-mode IM has no dialog to carry a REFER */
    if (session->type != RTCST_PC_TO_PC && session->type != RTCST_PC_TO_PHONE)
        return RTC_E_INVALID_SESSION_TYPE;
    if (session->transfer)
        return RTC_E_SIP_REFER_OPERATION_PENDING;
    if ((session->state != RTCSS_CONNECTED && session->state != RTCSS_HOLD) || !session->call)
        return RTC_E_INVALID_SESSION_STATE;
    if (!refer_to || !*refer_to)
        return RTC_E_INVALID_SIP_URL;

    text = com_utf8_from_wstr(refer_to);
    g_strstrip(text);
    target = refer_target(session, text);
    g_free(text);
    /* A Refer-To that will not build (bad scheme, bad escaping) is the application's error. */
    if (!target || !(checked = sip_refer_to_build(target, NULL)))
    {
        g_free(target);
        return RTC_E_INVALID_SIP_URL;
    }
    g_free(checked);

    /* No cookie, no header: an empty one tells the transferee nothing. */
    if (cookie && *cookie)
    {
        char *utf8 = com_utf8_from_wstr(cookie), *escaped = sip_uri_header_escape(utf8);
        cookie_header = g_strdup_printf("%s: %s", RTC_REFER_COOKIE_HEADER, escaped);
        headers[0] = cookie_header;
        g_free(escaped);
        g_free(utf8);
    }
    referred_by = client_local_identity(session->client);
    options.referred_by = referred_by;
    options.extra_headers = headers;
    refer = sip_call_refer(session->call, target, &options, &error);
    g_free(referred_by);
    g_free(cookie_header);
    g_free(target);
    if (!refer)
    {
        hr = error->code == SIP_ENGINE_ERROR_INVALID_ARGUMENT ? RTC_E_INVALID_SIP_URL : RTC_E_INVALID_SESSION_STATE;
        g_error_free(error);
        return hr;
    }

    transfer = g_new0(struct outgoing_transfer, 1);
    transfer->session = session;
    session_add_ref(session);
    transfer->refer = refer;
    transfer->previous = session->state;
    sip_refer_set_user_data(refer, transfer);
    session->transfer = transfer;
    /* IRTCSessionCallControl::Refer: the state change, then REFERRING. */
    session_change_state(session, RTCSS_REFER, S_OK, NULL);
    fire_refer_status(session, RTCSRS_REFERRING, S_OK, NULL);
    return S_OK;
}

/* ---- transferee ---------------------------------------------------------------------------- */

enum incoming_state { REFER_UNDECIDED, REFER_ACCEPTED, REFER_REJECTED, REFER_FINAL_SENT };

struct incoming_transfer
{
    struct client *client;          /* referenced */
    struct sip_refer *refer;        /* referenced */
    enum incoming_state state;
    struct session *new_session;    /* the application's call to the target, once linked (weak) */
};

static HRESULT hresult_from_refer_error(GError *error)
{
    HRESULT hr = error && error->code == SIP_ENGINE_ERROR_WRONG_STATE ? RTC_E_REFER_NOT_EXIST : E_FAIL;

    if (error)
        g_error_free(error);
    return hr;
}

static HRESULT referred_accept(void *ctx)
{
    struct incoming_transfer *transfer = ctx;
    GError *error = NULL;

    /* A second decision, or one after the bound (603 went out): the refer is gone. */
    if (transfer->state != REFER_UNDECIDED)
        return RTC_E_REFER_NOT_EXIST;
    if (!sip_refer_accept(transfer->refer, &error))
    {
        transfer->state = REFER_REJECTED;
        return hresult_from_refer_error(error);
    }
    transfer->state = REFER_ACCEPTED;
    return S_OK;
}

static HRESULT referred_reject(void *ctx)
{
    struct incoming_transfer *transfer = ctx;
    GError *error = NULL;

    if (transfer->state != REFER_UNDECIDED)
        return RTC_E_REFER_NOT_EXIST;
    transfer->state = REFER_REJECTED;
    if (!sip_refer_reject(transfer->refer, 603, NULL, &error))
        return hresult_from_refer_error(error);
    return S_OK;
}

static void unlink_transfer(struct incoming_transfer *transfer)
{
    if (transfer->new_session)
    {
        transfer->new_session->serving_transfer = NULL;
        transfer->new_session = NULL;
    }
}

static HRESULT notify_transferor(struct incoming_transfer *transfer, guint code)
{
    GError *error = NULL;

    if (code >= 200)
    {
        transfer->state = REFER_FINAL_SENT;
        unlink_transfer(transfer);
    }
    if (!sip_refer_notify(transfer->refer, code, NULL, &error))
        return hresult_from_refer_error(error);
    return S_OK;
}

static HRESULT referred_set_state(void *ctx, RTC_SESSION_STATE state)
{
    struct incoming_transfer *transfer = ctx;
    guint code;

    if (state != RTCSS_INPROGRESS && state != RTCSS_CONNECTED && state != RTCSS_DISCONNECTED)
        return E_INVALIDARG;
    if (transfer->state != REFER_ACCEPTED)
        return transfer->state == REFER_UNDECIDED ? RTC_E_INVALID_SESSION_STATE : RTC_E_REFER_NOT_EXIST;
    switch (state)
    {
    case RTCSS_INPROGRESS:
        return notify_transferor(transfer, 100);
    case RTCSS_CONNECTED:
        return notify_transferor(transfer, 200);
    default:
        /* The new call's own final status when we know it (486, 487, 603 ...). */
        code = transfer->new_session && transfer->new_session->final_status >= 300
               ? transfer->new_session->final_status : 487;
        return notify_transferor(transfer, code);
    }
}

static void referred_release(void *ctx)
{
    struct incoming_transfer *transfer = ctx;

    /* Unref ends the subscription if the application did not (487 terminated, or 603). */
    unlink_transfer(transfer);
    *client_incoming_transfers(transfer->client) = g_list_remove(*client_incoming_transfers(transfer->client), transfer);
    sip_refer_set_user_data(transfer->refer, NULL);
    sip_refer_unref(transfer->refer);
    client_release(transfer->client);
    g_free(transfer);
}

static const struct rtc_referred_ops referred_ops =
{
    referred_accept,
    referred_reject,
    referred_set_state,
    referred_release,
};

/* Referred-By is a name-addr ("Alice" <sip:a@host>;params); the application gets the URI. */
static BSTR referred_by_uri(const char *value)
{
    const char *start, *end;
    char *uri;
    BSTR ret;

    if (!value)
        return NULL;
    start = strchr(value, '<');
    end = start ? strchr(start, '>') : NULL;
    uri = end ? g_strndup(start + 1, end - start - 1) : g_strstrip(g_strdup(value));
    ret = com_bstr_from_utf8(uri);
    g_free(uri);
    return ret;
}

static void on_refer_received(struct sip_call *call, struct sip_refer *refer, void *user_data)
{
    struct session *session = sip_call_get_user_data(call);
    struct incoming_transfer *transfer;
    const char *cookie_header;
    BSTR to, by, cookie;
    char *unescaped;
    IDispatch *event;
    HRESULT hr;

    /* No consent asked for, no transfer: a REFER is never followed silently (toll fraud). */
    if (!session || !client_wants_event(session->client, RTCE_SESSION_REFERRED))
    {
        sip_refer_reject(refer, 603, NULL, NULL);
        return;
    }
    transfer = g_new0(struct incoming_transfer, 1);
    transfer->client = session->client;
    client_add_ref(transfer->client);
    transfer->refer = sip_refer_ref(refer);
    sip_refer_set_user_data(refer, transfer);
    *client_incoming_transfers(session->client) = g_list_append(*client_incoming_transfers(session->client), transfer);

    cookie_header = sip_refer_get_header(refer, RTC_REFER_COOKIE_HEADER);
    unescaped = cookie_header ? sip_uri_header_unescape(cookie_header, NULL) : NULL;
    to = com_bstr_from_utf8(sip_refer_get_refer_to(refer));
    by = referred_by_uri(sip_refer_get_referred_by(refer));
    cookie = com_bstr_from_utf8(unescaped ? unescaped : cookie_header);
    hr = rtc_session_referred_event_create(&session->IRTCSession2_iface, by, to, cookie, &referred_ops,
                                           transfer, &event);
    SysFreeString(to);
    SysFreeString(by);
    SysFreeString(cookie);
    g_free(unescaped);
    if (FAILED(hr))
    {
        sip_refer_reject(refer, 500, NULL, NULL);
        referred_release(transfer);
        return;
    }
    client_fire_event(session->client, RTCE_SESSION_REFERRED, event);
    /* From here the event owns the transfer: its last Release ends it. */
    IDispatch_Release(event);
}

/* A new outgoing session to exactly the URI a transfer asked for carries that transfer out. */
void transfer_link_session(struct session *session, const char *target)
{
    GList *link;

    for (link = *client_incoming_transfers(session->client); link; link = link->next)
    {
        struct incoming_transfer *transfer = link->data;
        if (transfer->state == REFER_ACCEPTED && !transfer->new_session
            && !strcmp(sip_refer_get_refer_to(transfer->refer), target))
        {
            transfer->new_session = session;
            session->serving_transfer = transfer;
            return;
        }
    }
}

/* PrepareForShutdown: nobody will carry these transfers out any more. */
void transfer_client_shutdown(struct client *client)
{
    GList *link, *next;

    for (link = *client_incoming_transfers(client); link; link = next)
    {
        struct incoming_transfer *transfer = link->data;
        next = link->next;
        if (transfer->state == REFER_UNDECIDED)
            referred_reject(transfer);
        else if (transfer->state == REFER_ACCEPTED)
            notify_transferor(transfer, 487);
    }
}

/* The target rings: the transferor hears it (NOTIFY 180). */
void transfer_session_alerting(struct session *session)
{
    struct incoming_transfer *transfer = session->serving_transfer;

    if (transfer && transfer->state == REFER_ACCEPTED)
        sip_refer_notify(transfer->refer, 180, NULL, NULL);
}

void transfer_session_ended(struct session *session)
{
    struct outgoing_transfer *transfer = session->transfer;

    /* Our own REFER cannot go on without its dialog. */
    if (transfer)
        finish_outgoing(transfer, RTCSRS_DROPPED, S_OK, NULL);
}

void transfer_session_destroyed(struct session *session)
{
    if (session->serving_transfer)
    {
        session->serving_transfer->new_session = NULL;
        session->serving_transfer = NULL;
    }
}

const struct sip_refer_callbacks rtc_refer_callbacks =
{
    on_refer_received,
    on_refer_progress,
};

void transfer_set_refer_to_headers(struct sip_engine *engine, BOOL allow_private)
{
    static const char *const ours[] = { RTC_REFER_COOKIE_HEADER, NULL };

    sip_engine_set_refer_to_headers(engine, ours, allow_private);
}

/* ---- rtcshim.h additions ------------------------------------------------------------------------ */

HRESULT rtcshim_build_attended_refer_to(IRTCSession *target_session, BSTR *refer_to)
{
    struct session *session = session_from_iface((IUnknown *)target_session);
    GError *error = NULL;
    char *uri;

    if (!refer_to)
        return E_POINTER;
    *refer_to = NULL;
    if (!session)
        return E_INVALIDARG;
    if (FAILED(client_check_thread_of(session->client)))
        return RPC_E_WRONG_THREAD;
    if (!session->call || (session->state != RTCSS_CONNECTED && session->state != RTCSS_HOLD))
        return RTC_E_INVALID_SESSION_STATE;
    if (!(uri = sip_call_build_replaces_refer_to(session->call, &error)))
    {
        g_error_free(error);
        return RTC_E_INVALID_SESSION_STATE;
    }
    *refer_to = com_bstr_from_utf8(uri);
    g_free(uri);
    return *refer_to ? S_OK : E_OUTOFMEMORY;
}
