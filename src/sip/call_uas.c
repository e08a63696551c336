/*
 * Incoming calls (the UAS side of an INVITE session): a new INVITE, with
 * Replaces (RFC 3891) and an offer checked before anyone is bothered; the
 * application's answer (ring, early media, 200, reject, redirect); a
 * CANCEL that arrives before it.
 */

#ifndef G_LOG_DOMAIN
#define G_LOG_DOMAIN "rtcshim"
#endif

#include <string.h>

#include "call_private.h"
#include "call_registry.h"
#include "event_queue.h"
#include "message.h"
#include "replaces.h"

static void ist_terminated(struct sip_engine *engine, osip_transaction_t *transaction, void *data)
{
    struct sip_call *call = data;

    (void)engine;
    if (call->invite_server == transaction)
        call->invite_server = NULL;
}

static const struct engine_transaction_user ist_user = { NULL, ist_terminated, NULL };

/* RFC 3891 §3: the call whose dialog a Replaces names, referenced, or
 * NULL with the response code (400, 481, 486, 603). */
static struct sip_call *find_replaced_call(struct sip_engine *engine, const char *value, guint *code)
{
    struct sip_replaces replaces = { 0 };
    enum sip_replaces_match match = SIP_REPLACES_NO_MATCH;
    struct sip_call *call;
    struct sip_dialog *dialog;

    if (!sip_replaces_parse(value, &replaces, NULL))
    {
        *code = 400;
        return NULL;
    }
    call = engine_lookup_call(engine, replaces.call_id, replaces.to_tag);
    if (call)
    {
        dialog = call->dialog && !g_strcmp0(call->dialog->remote_tag, replaces.from_tag)
                 ? call->dialog : call_find_early_dialog(call, replaces.from_tag, FALSE);
        if (dialog)
            match = sip_replaces_match(&replaces, call->call_id, call->local_tag, dialog->remote_tag,
                                       dialog->state == SIP_DIALOG_CONFIRMED, !call->incoming);
    }
    sip_replaces_clear(&replaces);
    if (match != SIP_REPLACES_MATCH)
    {
        *code = sip_replaces_match_status(match);
        return NULL;
    }
    if (call->state == SIP_CALL_STATE_TERMINATED)
    {
        *code = 603;
        return NULL;
    }
    return sip_call_ref(call);
}

/* §8.2.6.1, §17.2.1: 100 Trying only when the application has not rung or
 * answered within 200 ms; most do so sooner, and a 100 then is a message
 * built, serialised and sent for nothing. */
#define TRYING_DELAY_MS 200

static void trying_expired(struct sip_engine *engine, void *data)
{
    struct sip_call *call = data;

    call->trying_timer = NULL;
    if (call->invite_server && !call->invite_answered && !call->status_code)
        engine_respond(engine, call->invite_server,
                       engine_build_response(engine, call->invite_server->orig_request, 100, NULL, NULL));
}

/* An INVITE with Replaces that overtook the ACK of the 2xx that made the
 * dialog it names (an attended transfer right after the consultation call
 * was answered): it waits for that ACK like a request in the dialog. */
static gboolean hold_until_replaced_call_acked(struct sip_engine *engine, osip_transaction_t *ist,
                                               osip_message_t *invite)
{
    struct sip_replaces replaces = { 0 };
    osip_header_t *header = NULL;
    struct sip_call *call;
    gboolean held = FALSE;

    if (osip_message_header_get_byname(invite, "replaces", 0, &header) < 0 || !header || !header->hvalue
        || !sip_replaces_parse(header->hvalue, &replaces, NULL))
        return FALSE;
    call = engine_lookup_call(engine, replaces.call_id, replaces.to_tag);
    if (call && call_awaits_ack(call) && !g_strcmp0(call->remote_tag, replaces.from_tag))
    {
        call_hold_request(call, ist);
        held = TRUE;
    }
    sip_replaces_clear(&replaces);
    return held;
}

static void deliver_incoming_call(struct sip_engine *engine, void *data)
{
    if (engine->callbacks.incoming_call)
        engine->callbacks.incoming_call(engine, data, engine->user_data);
}

/* RFC 3891 §7, with what we can read (nothing here is signed): the party
 * the replaced call is with may move it (the INVITE comes from that party),
 * and may hand it to someone it referred (an attended transfer: the
 * INVITE's Referred-By names that party). */
static gboolean replacement_authorized(const osip_message_t *invite, struct sip_call *replaced)
{
    osip_header_t *referred_by = NULL;
    char *from = engine_uri_string(invite->from->url);
    gboolean authorized = sip_replaces_same_party(from, replaced->remote_uri);

    g_free(from);
    if (!authorized && (osip_message_header_get_byname(invite, "referred-by", 0, &referred_by) >= 0
                        || osip_message_header_get_byname(invite, "b", 0, &referred_by) >= 0)
        && referred_by && referred_by->hvalue)
        authorized = sip_replaces_same_party(referred_by->hvalue, replaced->remote_uri);
    return authorized;
}

void call_handle_invite(struct sip_engine *engine, osip_transaction_t *ist, osip_message_t *invite)
{
    osip_header_t *replaces = NULL;
    struct sip_call *call;
    char *offer;

    if (!engine->callbacks.incoming_call)
    {
        engine_respond_simple(engine, ist, 480, NULL);
        return;
    }
    if (hold_until_replaced_call_acked(engine, ist, invite))
        return;
    call = call_new(engine, TRUE);
    call->call_id = engine_call_id_string(invite->call_id);
    call->local_tag = engine_new_token(engine);
    call->remote_tag = g_strdup(sip_header_tag(invite->from));
    call->local_uri = engine_uri_string(invite->to->url);
    call->local_user = g_strdup(invite->to->url ? invite->to->url->username : NULL);
    call->remote_uri = engine_uri_string(invite->from->url);
    call->remote_display_name = engine_display_name(invite->from);
    call->invite_cseq = engine_cseq_number(invite);
    call->dialog = sip_dialog_new_uas(invite, call->local_tag);
    if (!call->dialog)
    {
        engine_respond_simple(engine, ist, 400, "Unusable Dialog Headers");
        goto discard;
    }
    call->dialog->protocol = engine_transaction_protocol(ist);
    call->dialog->connection_id = engine_transaction_connection(ist);
    call->invite_server = ist;
    engine_set_transaction_user(ist, &ist_user, sip_call_ref(call), (GDestroyNotify)sip_call_unref);
    /* Only what sip_call_get_invite_header() reads (the headers libosip2
     * does not parse itself): a whole copy would be kept the call's life. */
    if (!osip_message_init(&call->invite))
        osip_list_clone(&invite->headers, &call->invite->headers, (int (*)(void *, void **))osip_header_clone);

    if (osip_message_header_get_byname(invite, "replaces", 0, &replaces) >= 0 && replaces && replaces->hvalue)
    {
        guint code = 481;

        if (!(call->replaced_call = find_replaced_call(engine, replaces->hvalue, &code)))
        {
            call->invite_answered = TRUE;
            engine_respond(engine, ist, engine_build_response(engine, invite, code, NULL, call->local_tag));
            goto discard;
        }
        call->replacement_authorized = replacement_authorized(invite, call->replaced_call);
    }

    /* An offer we cannot answer is refused before anyone is bothered. */
    if ((offer = call_sdp_body(invite)))
    {
        guint code;
        char *answer = call_build_answer(call, offer, call_protocol(call), call_peer_host(call), FALSE, 0, &code);

        if (!answer)
        {
            g_free(offer);
            call->invite_answered = TRUE;
            engine_respond(engine, ist, engine_build_response(engine, invite, code,
                                                              code == 400 ? "Malformed SDP" : NULL, call->local_tag));
            goto discard;
        }
        g_free(answer);     /* kept as call->prepared_answer */
        call->remote_offer = offer;
    }

    call_register(call);
    call->undecided = TRUE;
    engine->undecided_calls++;
    call->trying_timer = call_timer_start(call, TRYING_DELAY_MS, trying_expired);
    engine_queue_event(engine, deliver_incoming_call, sip_call_ref(call), (GDestroyNotify)sip_call_unref);
    call_report_state(call);
    sip_call_unref(call);   /* the registry and the transaction hold it now */
    return;

discard:
    call_release_stream(call);
    engine->call_count--;
    call->state = SIP_CALL_STATE_TERMINATED;
    sip_call_unref(call);
}

static gboolean check_undecided_incoming(struct sip_call *call, GError **error)
{
    if (!call_check_attached(call, error))
        return FALSE;
    if (!call->incoming || call->invite_answered || !call->invite_server
        || call->state == SIP_CALL_STATE_TERMINATED)
    {
        g_set_error(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_WRONG_STATE, "the call is not waiting for an answer (%s)",
                    sip_call_state_name(call->state));
        return FALSE;
    }
    return TRUE;
}

/* A response to the initial INVITE, with our tag, Contact and (code > 100,
 * when with_sdp) the SDP answer or, if the INVITE had none, our offer. */
static osip_message_t *build_invite_response(struct sip_call *call, guint code, gboolean with_sdp, GError **error)
{
    osip_message_t *response = engine_build_response(call->engine, call->invite_server->orig_request, code, NULL,
                                                     call->local_tag);
    char *body = NULL;

    if (!response)
    {
        g_set_error(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_INVALID_ARGUMENT, "cannot build a %u response", code);
        return NULL;
    }
    call_add_contact_for(call, response, call_protocol(call));
    if (with_sdp)
    {
        guint failure;

        if (call->remote_offer && call->prepared_answer && call->prepared_local_hold == call->want_local_hold)
        {
            /* The answer made when the INVITE came: 183 and 200 carry the same SDP. */
            body = g_strdup(call->prepared_answer);
            call_start_media(call, &call->prepared_media);
            call_set_hold(call, call->want_local_hold, call->prepared_remote_hold);
        }
        else if (call->remote_offer)
            body = call_build_answer(call, call->remote_offer, call_protocol(call), call_peer_host(call), TRUE, 0, &failure);
        else
            body = call_build_offer(call, call_protocol(call), call_peer_host(call), call_offer_direction(call), NULL);
        if (!body)
        {
            g_set_error(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_INVALID_ARGUMENT, "cannot build the SDP");
            osip_message_free(response);
            return NULL;
        }
        engine_set_body(response, "application/sdp", body, strlen(body));
        g_free(body);
    }
    return response;
}

gboolean sip_call_ring(struct sip_call *call, GError **error)
{
    osip_message_t *response;

    g_return_val_if_fail(call != NULL, FALSE);
    if (!check_undecided_incoming(call, error) || !(response = build_invite_response(call, 180, FALSE, error)))
        return FALSE;
    call_timer_cancel(call, &call->trying_timer);
    engine_respond(call->engine, call->invite_server, response);
    call_set_status(call, 180, NULL);
    call_set_state(call, call->state == SIP_CALL_STATE_EARLY_MEDIA ? SIP_CALL_STATE_EARLY_MEDIA : SIP_CALL_STATE_RINGING);
    return TRUE;
}

gboolean sip_call_progress(struct sip_call *call, GError **error)
{
    osip_message_t *response;

    g_return_val_if_fail(call != NULL, FALSE);
    if (!check_undecided_incoming(call, error)
        || !(response = build_invite_response(call, 183, call->remote_offer != NULL, error)))
        return FALSE;
    call_timer_cancel(call, &call->trying_timer);
    engine_respond(call->engine, call->invite_server, response);
    call_set_status(call, 183, NULL);
    call_set_state(call, SIP_CALL_STATE_EARLY_MEDIA);
    return TRUE;
}

gboolean sip_call_answer(struct sip_call *call, GError **error)
{
    osip_message_t *response;
    osip_transaction_t *ist;

    g_return_val_if_fail(call != NULL, FALSE);
    if (!check_undecided_incoming(call, error) || !(response = build_invite_response(call, 200, TRUE, error)))
        return FALSE;
    osip_message_set_allow(response, SIP_ALLOWED_METHODS);
    osip_message_set_supported(response, SIP_SUPPORTED_OPTIONS);
    call_timer_cancel(call, &call->trying_timer);
    call_set_decided(call);
    ist = call->invite_server;
    call->invite_answered = TRUE;
    sip_dialog_set_confirmed(call->dialog);
    call_set_status(call, 200, NULL);
    call_set_state(call, SIP_CALL_STATE_ANSWERING);
    call_send_2xx(call, ist, response, call->invite_cseq, call->remote_offer == NULL);
    return TRUE;
}

gboolean sip_call_reject(struct sip_call *call, guint status_code, const char *reason, GError **error)
{
    osip_message_t *response;

    g_return_val_if_fail(call != NULL, FALSE);
    if (status_code < 300 || status_code > 699)
    {
        g_set_error(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_INVALID_ARGUMENT, "%u is not a final error code",
                    status_code);
        return FALSE;
    }
    if (!check_undecided_incoming(call, error))
        return FALSE;
    response = engine_build_response(call->engine, call->invite_server->orig_request, status_code, reason,
                                     call->local_tag);
    call->invite_answered = TRUE;
    engine_respond(call->engine, call->invite_server, response);
    call_terminate(call, SIP_CALL_END_DECLINED, status_code, reason);
    return TRUE;
}

gboolean sip_call_redirect_many(struct sip_call *call, const char *const *contacts, GError **error)
{
    osip_message_t *response;
    gsize i;

    g_return_val_if_fail(call != NULL, FALSE);
    if (!check_undecided_incoming(call, error))
        return FALSE;
    if (!contacts || !contacts[0])
    {
        g_set_error(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_INVALID_ARGUMENT, "no redirect target");
        return FALSE;
    }
    response = engine_build_response(call->engine, call->invite_server->orig_request, 302, NULL, call->local_tag);
    for (i = 0; contacts[i]; i++)
    {
        osip_contact_t *contact = NULL;
        char *value = strchr(contacts[i], '<') ? g_strdup(contacts[i]) : g_strdup_printf("<%s>", contacts[i]);

        /* One header per entry: parsed on its own, so a comma is no separator. */
        if (osip_contact_init(&contact) || osip_contact_parse(contact, value) || !contact->url || !contact->url->host
            || !contact->url->scheme)
        {
            g_set_error(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_INVALID_ARGUMENT, "bad Contact \"%s\"", contacts[i]);
            osip_contact_free(contact);
            g_free(value);
            osip_message_free(response);
            return FALSE;
        }
        g_free(value);
        osip_list_add(&response->contacts, contact, -1);
    }
    call->invite_answered = TRUE;
    engine_respond(call->engine, call->invite_server, response);
    call_terminate(call, SIP_CALL_END_REDIRECTED, 302, NULL);
    return TRUE;
}

/* Splits a Contact header value at its top-level commas (RFC 3261 §7.3.1:
 * not inside <...> or a quoted string); empty items are dropped. */
static GPtrArray *split_contact_list(const char *value)
{
    GPtrArray *items = g_ptr_array_new_with_free_func(g_free);
    gboolean quoted = FALSE;
    int angle = 0;
    const char *start = value, *p;

    for (p = value;; p++)
    {
        if (*p == '\\' && quoted && p[1])
            p++;
        else if (*p == '"')
            quoted = !quoted;
        else if (!quoted && *p == '<')
            angle++;
        else if (!quoted && *p == '>' && angle > 0)
            angle--;
        else if (!*p || (*p == ',' && !quoted && !angle))
        {
            char *item = g_strstrip(g_strndup(start, p - start));

            if (*item)
                g_ptr_array_add(items, item);
            else
                g_free(item);
            if (!*p)
                break;
            start = p + 1;
        }
    }
    g_ptr_array_add(items, NULL);
    return items;
}

gboolean sip_call_redirect(struct sip_call *call, const char *contact, GError **error)
{
    GPtrArray *contacts;
    gboolean ok;

    g_return_val_if_fail(call != NULL, FALSE);
    if (!contact)
    {
        g_set_error(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_INVALID_ARGUMENT, "bad Contact \"(null)\"");
        return FALSE;
    }
    contacts = split_contact_list(contact);
    ok = sip_call_redirect_many(call, (const char *const *)contacts->pdata, error);
    g_ptr_array_free(contacts, TRUE);
    return ok;
}

void call_handle_cancel(struct sip_call *call, osip_transaction_t *invite_transaction)
{
    if (call->engine && call_cancel_offer(call, invite_transaction))
        return;     /* a re-INVITE waiting for the layer above */
    if (!call->engine || invite_transaction != call->invite_server || call->invite_answered)
        return;     /* too late: the CANCEL has no effect (§9.2) */
    call->invite_answered = TRUE;
    engine_respond(call->engine, invite_transaction,
                   engine_build_response(call->engine, invite_transaction->orig_request, 487, NULL, call->local_tag));
    call_terminate(call, SIP_CALL_END_REMOTE_CANCEL, 487, NULL);
}
