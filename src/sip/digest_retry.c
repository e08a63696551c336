/*
 * Digest authentication for every request we send (RFC 3261 §22.2): the
 * credentials per realm, and the retry of a request that got 401/407 in a
 * new transaction that takes over the old one's user.
 */

#ifndef G_LOG_DOMAIN
#define G_LOG_DOMAIN "rtcshim"
#endif

#include <string.h>

#include "digest.h"
#include "digest_retry.h"
#include "engine.h"
#include "message.h"
#include "transaction_private.h"

struct engine_credentials
{
    char *username;
    char *password;
};

void engine_credentials_free(void *data)
{
    struct engine_credentials *credentials = data;

    g_free(credentials->username);
    g_free(credentials->password);
    g_free(credentials);
}

void sip_engine_set_credentials(struct sip_engine *engine, const char *realm, const char *username,
                                const char *password)
{
    struct engine_credentials *credentials;

    g_return_if_fail(engine != NULL);
    if (!password || !username)
    {
        g_hash_table_remove(engine->credentials, realm ? realm : "");
        return;
    }
    credentials = g_new0(struct engine_credentials, 1);
    credentials->username = g_strdup(username);
    credentials->password = g_strdup(password);
    g_hash_table_replace(engine->credentials, g_strdup(realm ? realm : ""), credentials);
}

void sip_engine_clear_credentials(struct sip_engine *engine)
{
    g_return_if_fail(engine != NULL);
    g_hash_table_remove_all(engine->credentials);
}

static gboolean realm_answered(const struct transaction_context *context, const char *realm)
{
    guint i;

    for (i = 0; context->answered_realms && i < context->answered_realms->len; i++)
        if (!strcmp(g_ptr_array_index(context->answered_realms, i), realm))
            return TRUE;
    return FALSE;
}

static gboolean realm_in(GPtrArray *realms, const char *realm)
{
    guint i;

    for (i = 0; i < realms->len; i++)
        if (!strcmp(g_ptr_array_index(realms, i), realm))
            return TRUE;
    return FALSE;
}

/* Adds one answer per realm of a 401/407 we have credentials for: to the
 * topmost challenge of that realm we can answer (RFC 8760 §2.4: a server
 * lists its preferred algorithm first, SHA-256 before MD5). FALSE if none
 * could be answered. */
static gboolean add_authorizations(struct sip_engine *engine, struct transaction_context *context,
                                   const osip_message_t *response, osip_message_t *request, GPtrArray *realms)
{
    gboolean proxy = osip_message_get_status_code(response) == 407;
    const osip_list_t *challenges = proxy ? &response->proxy_authenticates : &response->www_authenticates;
    char *uri = engine_uri_string(request->req_uri);
    GPtrArray *answered = g_ptr_array_new_with_free_func(g_free);
    gboolean added = FALSE;
    int i;

    for (i = 0; !osip_list_eol(challenges, i); i++)
    {
        struct sip_digest_challenge challenge = { 0 };
        struct engine_credentials *credentials;
        char *text = NULL, *value;

        /* Both header types share one layout in libosip2. */
        if (osip_www_authenticate_to_str(osip_list_get(challenges, i), &text) || !text)
            continue;
        if (!sip_digest_challenge_parse(text, &challenge, NULL))
        {
            osip_free(text);
            continue;
        }
        osip_free(text);
        if (realm_in(answered, challenge.realm))
        {
            sip_digest_challenge_clear(&challenge);
            continue;       /* answered above, in the server's preferred algorithm */
        }
        credentials = g_hash_table_lookup(engine->credentials, challenge.realm);
        if (!credentials)
            credentials = g_hash_table_lookup(engine->credentials, "");
        /* Challenged again for a realm we answered: wrong credentials,
         * unless the server only found our nonce stale. */
        if (credentials && (!realm_answered(context, challenge.realm) || challenge.stale))
        {
            value = sip_digest_build_authorization(&challenge, credentials->username, credentials->password,
                                                   request->sip_method, uri, 1, NULL, NULL);
            if (value)
            {
                if (proxy)
                    osip_message_set_proxy_authorization(request, value);
                else
                    osip_message_set_authorization(request, value);
                g_ptr_array_add(realms, g_strdup(challenge.realm));
                g_ptr_array_add(answered, g_strdup(challenge.realm));
                added = TRUE;
                g_free(value);
            }
        }
        sip_digest_challenge_clear(&challenge);
    }
    g_ptr_array_free(answered, TRUE);
    g_free(uri);
    return added;
}

/* §22.2: a 401/407 gets the request again with credentials, in a new
 * transaction that takes over the old one's user. */
gboolean engine_retry_with_credentials(struct sip_engine *engine, osip_transaction_t *transaction,
                                       const osip_message_t *response)
{
    struct transaction_context *context = context_of(transaction), *retry_context;
    gboolean proxy = osip_message_get_status_code(response) == 407;
    const osip_message_t *original = transaction->orig_request;
    osip_transaction_t *retry;
    osip_message_t *request = NULL;
    struct sip_next_hop hop = { 0 };
    GPtrArray *realms;
    osip_list_t *old;
    osip_event_t *event;
    char cseq[32];
    char *destination = NULL;
    int port = 0;

    if (!original || context->auth_attempts >= 3 || !g_hash_table_size(engine->credentials)
        || MSG_IS_ACK(original) || MSG_IS_CANCEL(original) || osip_message_clone(original, &request))
        return FALSE;
    /* The answers of this kind are replaced; the other kind is kept. */
    old = proxy ? &request->proxy_authorizations : &request->authorizations;
    osip_list_special_free(old, proxy ? (void (*)(void *))osip_proxy_authorization_free
                                      : (void (*)(void *))osip_authorization_free);
    osip_list_init(old);
    realms = g_ptr_array_new_with_free_func(g_free);
    if (context->answered_realms)
        for (guint i = 0; i < context->answered_realms->len; i++)
            g_ptr_array_add(realms, g_strdup(g_ptr_array_index(context->answered_realms, i)));
    if (!add_authorizations(engine, context, response, request, realms))
        goto failed;

    /* A new transaction: the next CSeq and a new branch (§8.1.3.5). */
    g_snprintf(cseq, sizeof(cseq), "%u %s", engine_cseq_number(request) + 1, request->sip_method);
    osip_cseq_free(request->cseq);
    request->cseq = NULL;
    osip_message_set_cseq(request, cseq);
    osip_transaction_get_destination(transaction, &destination, &port);
    if (!destination)
        goto failed;
    hop.protocol = context->protocol;
    g_strlcpy(hop.host, destination, sizeof(hop.host));
    hop.port = port;
    hop.connection_id = context->connection_id;
    osip_via_free(osip_list_get(&request->vias, 0));
    osip_list_remove(&request->vias, 0);
    if (!engine_add_via(engine, request, &hop))
        goto failed;

    retry = transaction_new(engine, MSG_IS_INVITE(request) ? ICT : NICT, request, hop.protocol, hop.connection_id);
    if (!retry)
        goto failed;
    if (MSG_IS_INVITE(request))
        osip_ict_set_destination(retry->ict_context, osip_strdup(hop.host), hop.port);
    else
        osip_nict_set_destination(retry->nict_context, osip_strdup(hop.host), hop.port);
    retry_context = context_of(retry);
    retry_context->user = context->user;
    retry_context->data = context->data;
    retry_context->destroy = context->destroy;
    retry_context->auth_attempts = context->auth_attempts + 1;
    retry_context->answered_realms = realms;
    targets_inherit(retry_context, context);      /* the same server, the same fail-over list */
    context->user = NULL;
    context->data = NULL;
    context->destroy = NULL;
    g_debug("answering a %u with credentials (attempt %u)", osip_message_get_status_code(response),
            retry_context->auth_attempts);

    event = osip_new_outgoing_sipmessage(request);
    event->transactionid = retry->transactionid;
    transaction_add_event(engine, retry, event);
    if (retry_context->user && retry_context->user->replaced)
        retry_context->user->replaced(engine, transaction, retry, request, retry_context->data);
    return TRUE;

failed:
    g_ptr_array_free(realms, TRUE);
    osip_message_free(request);
    return FALSE;
}
