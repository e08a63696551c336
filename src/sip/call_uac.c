/*
 * Outgoing calls (the UAC side of an INVITE session): the INVITE with our
 * offer and the headers a target URI embeds (§19.1.5), its provisional
 * responses and early dialogs (one per To tag), the 2xx that confirms one
 * of them, failures and redirections, and CANCEL (§9.1).
 */

#ifndef G_LOG_DOMAIN
#define G_LOG_DOMAIN "rtcshim"
#endif

#include <string.h>

#include "call_private.h"
#include "message.h"
#include "sip/refer_to.h"
#include "routing.h"

static void cancel_expired(struct sip_engine *engine, void *data)
{
    struct sip_call *call = data;

    /* §9.1: no final response 64*T1 after the CANCEL: the INVITE is dead. */
    call->cancel_timer = NULL;
    if (call->invite_transaction)
        engine_abandon_transaction(engine, call->invite_transaction);
}

static const struct engine_transaction_user cancel_user = { NULL, NULL, NULL };

void call_send_cancel(struct sip_call *call)
{
    const osip_message_t *invite = call->invite_transaction ? call->invite_transaction->orig_request : NULL;
    osip_message_t *cancel;
    struct sip_next_hop hop = call->invite_hop;
    GError *error = NULL;
    char buffer[32];
    osip_via_t *via = NULL;
    int i;

    call->cancel_pending = FALSE;
    if (!invite || osip_message_init(&cancel))
        return;
    /* §9.1: where the INVITE went (the target its name resolved to). */
    engine_transaction_hop(call->invite_transaction, &hop);
    /* §9.1: same Request-URI, top Via, From, To, Call-ID, CSeq number and Route. */
    osip_message_set_method(cancel, osip_strdup("CANCEL"));
    osip_message_set_version(cancel, osip_strdup("SIP/2.0"));
    osip_uri_clone(invite->req_uri, &cancel->req_uri);
    if (!osip_via_clone(osip_list_get(&invite->vias, 0), &via))
        osip_list_add(&cancel->vias, via, -1);
    osip_from_clone(invite->from, &cancel->from);
    osip_to_clone(invite->to, &cancel->to);
    osip_call_id_clone(invite->call_id, &cancel->call_id);
    g_snprintf(buffer, sizeof(buffer), "%s CANCEL", invite->cseq->number);
    osip_message_set_cseq(cancel, buffer);
    for (i = 0; !osip_list_eol(&invite->routes, i); i++)
    {
        osip_route_t *route = NULL;

        if (!osip_route_clone(osip_list_get(&invite->routes, i), &route))
            osip_list_add(&cancel->routes, route, -1);
    }
    osip_message_set_max_forwards(cancel, "70");
    if (!engine_send_request(call->engine, cancel, &hop, &cancel_user, NULL, NULL, &error))
    {
        g_message("call %s: CANCEL not sent: %s", call->call_id, error->message);
        g_error_free(error);
    }
    if (!call->cancel_timer)
        call->cancel_timer = call_timer_start(call, SIP_TIMER_64T1_MS, cancel_expired);
}

gboolean call_drop_unsent_invite(struct sip_call *call)
{
    struct sip_next_hop hop;

    if (!call->invite_transaction || engine_transaction_hop(call->invite_transaction, &hop))
        return FALSE;
    /* Its name is still being resolved: nothing went out, nothing to CANCEL. */
    engine_abandon_transaction(call->engine, call->invite_transaction);
    return TRUE;
}

struct sip_dialog *call_find_early_dialog(struct sip_call *call, const char *remote_tag, gboolean remove)
{
    guint i;

    for (i = 0; i < call->early_dialogs->len; i++)
    {
        struct sip_dialog *dialog = g_ptr_array_index(call->early_dialogs, i);

        if (!g_strcmp0(dialog->remote_tag, remote_tag))
            return remove ? g_ptr_array_steal_index(call->early_dialogs, i) : dialog;
    }
    return NULL;
}

struct sip_dialog *call_new_uac_dialog(struct sip_call *call, const osip_message_t *response)
{
    struct sip_dialog *dialog = sip_dialog_new_uac(call->invite, response);

    if (dialog)
    {
        dialog->protocol = call->invite_hop.protocol;
        dialog->connection_id = call->invite_hop.connection_id;
    }
    return dialog;
}

static void invite_provisional(struct sip_call *call, const osip_message_t *response, guint code)
{
    const char *to_tag = sip_header_tag(response->to);
    struct sip_dialog *dialog = NULL;
    char *answer;

    call->provisional_received = TRUE;
    if (call->cancel_pending)
        call_send_cancel(call);
    if (code == 100 || call->state == SIP_CALL_STATE_TERMINATED)
        return;

    answer = call_sdp_body(response);
    if (to_tag)
        dialog = call_find_early_dialog(call, to_tag, FALSE);
    if (!answer && code == call->status_code && call->state == SIP_CALL_STATE_RINGING && (dialog || !to_tag))
        return;     /* the same ringing again (the UAS resends it for our resent INVITE): nothing new to report */
    if (to_tag && !dialog && (dialog = call_new_uac_dialog(call, response)))
        g_ptr_array_add(call->early_dialogs, dialog);
    call_set_status(call, code, response->reason_phrase);
    if (answer)
    {
        /* Early media (183, or a 180 with SDP): the answer to our offer. */
        call_take_answer(call, answer);
        g_free(answer);
        call->state = SIP_CALL_STATE_EARLY_MEDIA;
    }
    else if (call->state != SIP_CALL_STATE_EARLY_MEDIA)
    {
        call->state = SIP_CALL_STATE_RINGING;
    }
    call_report_state(call);
}

static void invite_succeeded(struct sip_call *call, const osip_message_t *response)
{
    const char *to_tag = sip_header_tag(response->to);
    struct sip_dialog *dialog;
    char *answer;

    dialog = to_tag ? call_find_early_dialog(call, to_tag, TRUE) : NULL;
    if (dialog)
        sip_dialog_confirm_uac(dialog, response);
    else if (!(dialog = call_new_uac_dialog(call, response)))
    {
        g_message("call %s: 2xx without a usable dialog", call->call_id);
        call_terminate(call, SIP_CALL_END_REJECTED, 500, "Unusable 2xx");
        return;
    }
    dialog->connection_id = call->invite_hop.connection_id;
    call->dialog = dialog;
    g_ptr_array_set_size(call->early_dialogs, 0);
    call_send_ack(call, dialog, call->invite_cseq);

    if (call->cancelled || call->state == SIP_CALL_STATE_TERMINATED)
    {
        /* The 2xx crossed our CANCEL: the session exists, end it (§15). */
        call_send_bye(call);
        return;
    }
    call_set_status(call, osip_message_get_status_code(response), response->reason_phrase);
    if ((answer = call_sdp_body(response)))
    {
        call_take_answer(call, answer);
        g_free(answer);
    }
    call_set_state(call, SIP_CALL_STATE_CONNECTED);
    call_maybe_reinvite(call);
}

static void invite_failed(struct sip_call *call, const osip_message_t *response, guint code)
{
    enum sip_call_end_reason reason;
    int i;

    if (!response)
    {
        reason = call->cancelled ? SIP_CALL_END_LOCAL_CANCEL
                 : code == 408 ? SIP_CALL_END_TIMEOUT : SIP_CALL_END_TRANSPORT_ERROR;
        call_terminate(call, reason, code, NULL);
        return;
    }
    if (code < 400)
    {
        osip_contact_t *contact;

        g_ptr_array_set_size(call->redirect_contacts, 0);
        for (i = 0; osip_message_get_contact(response, i, &contact) >= 0; i++)
            if (contact && contact->url)
                g_ptr_array_add(call->redirect_contacts, engine_uri_string(contact->url));
        g_ptr_array_add(call->redirect_contacts, NULL);
        reason = SIP_CALL_END_REDIRECTED;
    }
    else
    {
        reason = call->cancelled && code == 487 ? SIP_CALL_END_LOCAL_CANCEL : SIP_CALL_END_REJECTED;
    }
    call_terminate(call, reason, code, response->reason_phrase);
}

static void invite_response(struct sip_engine *engine, osip_transaction_t *transaction,
                            const osip_message_t *response, guint code, void *data)
{
    struct sip_call *call = data;

    (void)engine;
    if (!call->engine)
        return;
    /* Where the INVITE went (the target its name resolved to, after any fail-over). */
    engine_transaction_hop(transaction, &call->invite_hop);
    if (code >= 200)
        call->delivery_failure = engine_transaction_failure(transaction);
    if (code >= 200 && call->invite_transaction == transaction)
    {
        /* Final: nothing left to CANCEL (the transaction may linger, timer D). */
        call->invite_transaction = NULL;
        call_timer_cancel(call, &call->cancel_timer);
    }
    if (response && code < 200)
        invite_provisional(call, response, code);
    else if (response && code < 300)
        invite_succeeded(call, response);
    else
        invite_failed(call, response, code);
}

static void invite_terminated(struct sip_engine *engine, osip_transaction_t *transaction, void *data)
{
    struct sip_call *call = data;

    (void)engine;
    if (call->invite_transaction == transaction)
        call->invite_transaction = NULL;
    if (call->engine)
        call_timer_cancel(call, &call->cancel_timer);
}

static void invite_replaced(struct sip_engine *engine, osip_transaction_t *old_transaction,
                            osip_transaction_t *replacement, const osip_message_t *request, void *data)
{
    struct sip_call *call = data;

    (void)engine;
    /* The INVITE went again with credentials: forks and ACKs follow the new one. */
    if (call->invite_transaction == old_transaction)
        call->invite_transaction = replacement;
    call->invite_cseq = engine_cseq_number(request);
    osip_message_free(call->invite);
    call->invite = NULL;
    osip_message_clone(request, &call->invite);
}

static const struct engine_transaction_user invite_user = { invite_response, invite_terminated, invite_replaced };

/* Adds "Name: value" lines to a message; FALSE on a line without a name. */
static gboolean add_header_lines(osip_message_t *message, const char *const *lines, GError **error)
{
    for (; lines && *lines; lines++)
    {
        const char *colon = strchr(*lines, ':');
        char *name, *value;

        if (!colon || colon == *lines)
        {
            g_set_error(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_INVALID_ARGUMENT, "not a header line: \"%s\"",
                        *lines);
            return FALSE;
        }
        name = g_strstrip(g_strndup(*lines, colon - *lines));
        value = g_strstrip(g_strdup(colon + 1));
        osip_message_set_header(message, name, value);
        g_free(name);
        g_free(value);
    }
    return TRUE;
}

/* Splits headers embedded in a target URI (§19.1.5) off: *uri gets the
 * target without them, *lines the ones to copy into the INVITE. */
static gboolean split_target(const char *to, char **uri, GPtrArray **lines, GError **error)
{
    struct sip_refer_to target = { 0 };
    GError *parse_error = NULL;
    guint i;

    *lines = g_ptr_array_new_with_free_func(g_free);
    if (!strchr(to, '?'))
    {
        *uri = g_strdup(to);
        g_ptr_array_add(*lines, NULL);
        return TRUE;
    }
    if (!sip_refer_to_parse(to, &target, &parse_error))
    {
        g_set_error(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_INVALID_ARGUMENT, "bad target \"%s\": %s", to,
                    parse_error->message);
        g_error_free(parse_error);
        g_ptr_array_free(*lines, TRUE);
        *lines = NULL;
        return FALSE;
    }
    *uri = target.display_name ? g_strdup_printf("\"%s\" <%s>", target.display_name, target.uri)
                               : g_strdup(target.uri);
    for (i = 0; i < target.headers->len; i++)
    {
        const struct sip_uri_header *header = g_ptr_array_index(target.headers, i);

        if (sip_uri_header_classify(header->name) == SIP_URI_HEADER_COPY)
            g_ptr_array_add(*lines, g_strdup_printf("%s: %s", header->name, header->value));
    }
    g_ptr_array_add(*lines, NULL);
    sip_refer_to_clear(&target);
    return TRUE;
}

struct sip_call *sip_call_invite_full(struct sip_engine *engine, const char *from, const char *to,
                                      const struct sip_call_options *options, GError **error)
{
    osip_message_t *request = NULL;
    GPtrArray *uri_headers = NULL;
    osip_uri_t *proxy = NULL;
    struct sip_call *call;
    char *target = NULL, *offer;
    gboolean routed;

    g_return_val_if_fail(engine != NULL, NULL);
    if (!to || !split_target(to, &target, &uri_headers, error))
        return NULL;
    request = engine_build_request(engine, "INVITE", from, target, error);
    g_free(target);
    if (!request)
    {
        g_ptr_array_free(uri_headers, TRUE);
        return NULL;
    }
    if (!add_header_lines(request, (const char *const *)uri_headers->pdata, error)
        || !add_header_lines(request, options ? options->headers : NULL, error))
    {
        g_ptr_array_free(uri_headers, TRUE);
        osip_message_free(request);
        return NULL;
    }
    g_ptr_array_free(uri_headers, TRUE);

    if (!engine_pick_proxy(engine, options ? options->proxy : NULL, &proxy, error))
    {
        osip_message_free(request);
        return NULL;
    }
    call = call_new(engine, FALSE);
    if (options && options->max_bandwidth) call->max_bandwidth = options->max_bandwidth;
    routed = engine_route_request(engine, request, proxy, &call->invite_hop, error);
    osip_uri_free(proxy);
    if (!routed || !engine_add_via(engine, request, &call->invite_hop))
    {
        if (error && !*error)
            g_set_error(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_NO_TRANSPORT, "not listening on %s",
                        sip_transport_protocol_name(call->invite_hop.protocol));
        goto failed;
    }
    call->call_id = engine_call_id_string(request->call_id);
    call->local_tag = g_strdup(sip_header_tag(request->from));
    call->local_uri = engine_uri_string(request->from->url);
    call->local_user = g_strdup(request->from->url->username);
    call->remote_uri = engine_uri_string(request->to->url);
    call->remote_display_name = engine_display_name(request->to);
    call->invite_cseq = engine_cseq_number(request);

    /* For a name, the address of the listener of that transport: the
     * Contact is made again for the target (targets.c), the offer is not. */
    if (!(offer = call_build_offer(call, call->invite_hop.protocol, call->invite_hop.host, SIP_MEDIA_SENDRECV, error)))
        goto failed;
    engine_add_contact(engine, request, call->local_user, call->invite_hop.protocol, call->invite_hop.host);
    osip_message_set_allow(request, SIP_ALLOWED_METHODS);
    osip_message_set_supported(request, SIP_SUPPORTED_OPTIONS);
    engine_set_body(request, "application/sdp", offer, strlen(offer));
    g_free(offer);
    osip_message_clone(request, &call->invite);

    call_register(call);
    call->invite_transaction = engine_send_request(engine, request, &call->invite_hop, &invite_user,
                                                   sip_call_ref(call), (GDestroyNotify)sip_call_unref, error);
    request = NULL;
    if (!call->invite_transaction)
    {
        call_unregister(call);
        goto failed;
    }
    /* Sent now (an address, or a name in the cache), or once resolved. */
    engine_transaction_hop(call->invite_transaction, &call->invite_hop);
    call_report_state(call);
    return call;

failed:
    osip_message_free(request);
    call_release_stream(call);
    engine->call_count--;
    call->state = SIP_CALL_STATE_TERMINATED;
    sip_call_unref(call);
    return NULL;
}

struct sip_call *sip_call_invite(struct sip_engine *engine, const char *from, const char *to, GError **error)
{
    return sip_call_invite_full(engine, from, to, NULL, error);
}
