/*
 * Where a client transaction's request goes: the hop as given (an IP
 * address), or the targets its name resolves to (RFC 3263, resolver.c),
 * tried in order. A request whose target fails -- a transport error, an
 * ICMP or TCP refusal, timer B/F, a 503 -- moves on to the next target as
 * a new transaction with a new branch (§4.3), which takes over the old
 * one's user; only the last failure is reported, with why no server
 * answered (enum sip_delivery_failure). Our Via and Contact are made for
 * the target the request goes to.
 */

#ifndef G_LOG_DOMAIN
#define G_LOG_DOMAIN "rtcshim"
#endif

#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "message.h"
#include "resolver.h"
#include "transaction_private.h"

const char *sip_delivery_failure_name(enum sip_delivery_failure failure)
{
    switch (failure)
    {
    case SIP_DELIVERY_OK: return "ok";
    case SIP_DELIVERY_NAME_NOT_FOUND: return "name not found";
    case SIP_DELIVERY_NO_ANSWER: return "no server answered";
    case SIP_DELIVERY_TLS_CERTIFICATE: return "TLS certificate refused";
    }
    return "unknown";
}

void targets_clear(struct transaction_context *context)
{
    sip_resolve_query_cancel(context->resolving);
    context->resolving = NULL;
    if (context->pending)
    {
        osip_message_free(context->pending);
        context->pending = NULL;
    }
    if (context->targets)
    {
        g_array_unref(context->targets);
        context->targets = NULL;
    }
    g_free(context->server_name);
    context->server_name = NULL;
}

void targets_inherit(struct transaction_context *to, const struct transaction_context *from)
{
    to->targets = from->targets ? g_array_ref(from->targets) : NULL;
    to->target = from->target;
    to->server_name = g_strdup(from->server_name);
    to->certificate_refused = from->certificate_refused;
}

static const struct sip_target *current_target(const struct transaction_context *context)
{
    if (!context->targets || context->target >= context->targets->len)
        return NULL;
    return &g_array_index(context->targets, struct sip_target, context->target);
}

/* ---- our headers, made for the target --------------------------------------------------- */

static char *public_address_key(enum sip_transport_protocol protocol, const char *ip, guint16 port)
{
    return g_strdup_printf("%s|%s|%u", sip_transport_protocol_name(protocol), ip, port);
}

void targets_fit_contact(struct sip_engine *engine, osip_message_t *request, enum sip_transport_protocol protocol,
                         const char *ip, guint16 port)
{
    osip_contact_t *contact = osip_list_get(&request->contacts, 0);
    char host[SIP_HOST_BUFFER_SIZE], *key, number[8];
    const char *seen;
    osip_uri_param_t *transport = NULL;
    guint16 local_port;
    int i;

    if (!contact || !contact->url || !contact->url->host)
        return;
    key = public_address_key(protocol, ip, port);
    seen = g_hash_table_lookup(engine->public_addresses, key);
    g_free(key);
    if (seen)
    {
        /* What our registrar saw (received/rport): "host:port", IPv6 without brackets. */
        const char *colon = strrchr(seen, ':');

        g_strlcpy(host, seen, MIN((gsize)(colon - seen) + 1, sizeof(host)));
        local_port = (guint16)atoi(colon + 1);
    }
    else if (!engine_local_address(engine, protocol, ip, host, &local_port))
        return;
    osip_free(contact->url->host);
    contact->url->host = osip_strdup(host);
    g_snprintf(number, sizeof(number), "%u", local_port);
    osip_free(contact->url->port);
    contact->url->port = osip_strdup(number);
    /* Only the transport parameter is ours to change. */
    for (i = 0; !osip_list_eol(&contact->url->url_params, i); i++)
    {
        osip_uri_param_t *param = osip_list_get(&contact->url->url_params, i);

        if (param->gname && !g_ascii_strcasecmp(param->gname, "transport"))
        {
            transport = param;
            osip_list_remove(&contact->url->url_params, i);
            osip_uri_param_free(transport);
            break;
        }
    }
    if (protocol != SIP_TRANSPORT_UDP)
        osip_uri_uparam_add(contact->url, osip_strdup("transport"),
                            osip_strdup(protocol == SIP_TRANSPORT_TCP ? "tcp" : "tls"));
}

/* Our top Via and Contact for target; FALSE when we cannot send there
 * (no listener of its transport and family). */
static gboolean fit_request(struct sip_engine *engine, osip_message_t *request, const struct sip_target *target)
{
    struct sip_next_hop hop = { 0 };
    osip_via_t *old = osip_list_get(&request->vias, 0);

    hop.protocol = target->protocol;
    g_strlcpy(hop.host, target->ip, sizeof(hop.host));
    hop.port = target->port;
    if (old)
    {
        osip_list_remove(&request->vias, 0);
        osip_via_free(old);
    }
    if (!engine_add_via(engine, request, &hop))
        return FALSE;
    targets_fit_contact(engine, request, target->protocol, target->ip, target->port);
    osip_message_force_update(request);
    return TRUE;
}

/* The request's destination in the transaction, and its event to send. */
static void send_to(struct sip_engine *engine, osip_transaction_t *transaction, osip_message_t *request,
                    const struct sip_target *target, guint connection_id)
{
    struct transaction_context *context = context_of(transaction);
    osip_event_t *event;

    context->protocol = target->protocol;
    context->connection_id = connection_id;
    if (transaction->ctx_type == ICT)
        osip_ict_set_destination(transaction->ict_context, osip_strdup(target->ip), target->port);
    else
        osip_nict_set_destination(transaction->nict_context, osip_strdup(target->ip), target->port);
    event = osip_new_outgoing_sipmessage(request);
    event->transactionid = transaction->transactionid;
    transaction_add_event(engine, transaction, event);
}

/* UDP goes only where we have a listener of the address's family. */
static void drop_unusable_targets(struct sip_engine *engine, GArray *targets)
{
    char host[SIP_HOST_BUFFER_SIZE];
    guint16 port;
    guint i = 0;

    while (i < targets->len)
    {
        const struct sip_target *target = &g_array_index(targets, struct sip_target, i);

        if (target->protocol == SIP_TRANSPORT_UDP
            && !sip_transport_local_address(engine->transports, SIP_TRANSPORT_UDP, target->ip, host, &port))
            g_array_remove_index(targets, i);
        else
            i++;
    }
}

/* The first target from context->target on that the request can go to:
 * Via and Contact made for it, the transaction's key updated. FALSE when
 * none is left. */
static gboolean fit_next_usable(struct sip_engine *engine, osip_transaction_t *transaction, osip_message_t *request)
{
    struct transaction_context *context = context_of(transaction);
    const struct sip_target *target;

    for (; (target = current_target(context)); context->target++)
    {
        if (!fit_request(engine, request, target))
            continue;
        osip_via_free(transaction->topvia);
        transaction->topvia = NULL;
        osip_via_clone(osip_list_get(&request->vias, 0), &transaction->topvia);
        transaction_rekey(engine, transaction, request);
        return TRUE;
    }
    return FALSE;
}

/* ---- starting ------------------------------------------------------------------------------- */

static void resolved(GArray *targets, const GError *error, void *user_data)
{
    osip_transaction_t *transaction = user_data;
    struct transaction_context *context = context_of(transaction);
    struct sip_engine *engine = context->engine;
    osip_message_t *request = context->pending;

    context->resolving = NULL;
    if (targets)
    {
        drop_unusable_targets(engine, targets);
        context->targets = targets;
        context->target = 0;
    }
    if (!targets || !fit_next_usable(engine, transaction, request))
    {
        g_message("%s %s: %s", request->sip_method, context->server_name,
                  error ? error->message : "no target we can send to");
        context->failure = error ? SIP_DELIVERY_NAME_NOT_FOUND : SIP_DELIVERY_NO_ANSWER;
        transaction_fail(engine, transaction, 503);
        return;
    }
    context->pending = NULL;
    send_to(engine, transaction, request, current_target(context), 0);
    engine_run(engine);
}

gboolean targets_start(struct sip_engine *engine, osip_transaction_t *transaction, osip_message_t *request,
                       const struct sip_next_hop *hop, GError **error)
{
    struct transaction_context *context = context_of(transaction);
    struct sip_resolve_request lookup = { 0 };
    struct sip_target target = { hop->protocol, "", hop->port };
    enum sip_transport_protocol protocol;
    GArray *targets = NULL;

    context->server_name = hop->name[0] ? g_strdup(hop->name) : NULL;
    if (!sip_next_hop_needs_dns(hop))
    {
        /* An address: as given (the caller made the Via for it). */
        g_strlcpy(target.ip, hop->host, sizeof(target.ip));
        context->targets = g_array_new(FALSE, FALSE, sizeof(struct sip_target));
        g_array_append_val(context->targets, target);
        targets_fit_contact(engine, request, target.protocol, target.ip, target.port);
        send_to(engine, transaction, request, &target, hop->connection_id);
        return TRUE;
    }
    if (hop->connection_id && hop->protocol != SIP_TRANSPORT_UDP
        && sip_transport_connection_remote(engine->transports, hop->connection_id, &protocol, target.ip, &target.port)
        && protocol == hop->protocol)
    {
        /* The dialog's connection is still open: no need to look the name up. */
        context->targets = g_array_new(FALSE, FALSE, sizeof(struct sip_target));
        g_array_append_val(context->targets, target);
        if (!fit_next_usable(engine, transaction, request))
            goto no_listener;
        send_to(engine, transaction, request, &target, hop->connection_id);
        return TRUE;
    }

    lookup.host = hop->name;
    lookup.port = hop->port;
    lookup.transport_given = hop->transport_given;
    lookup.transport = hop->protocol;
    lookup.secure = hop->secure;
    lookup.udp_allowed = sip_transport_local_address(engine->transports, SIP_TRANSPORT_UDP, NULL, target.ip,
                                                     &target.port);
    if (sip_resolver_lookup_now(engine->resolver, &lookup, &targets))
    {
        drop_unusable_targets(engine, targets);
        context->targets = targets;
        if (!fit_next_usable(engine, transaction, request))
            goto no_listener;
        send_to(engine, transaction, request, current_target(context), 0);
        return TRUE;
    }
    /* Sent once the name is resolved (resolved()); nothing goes out now. */
    context->pending = request;
    context->resolving = sip_resolver_lookup(engine->resolver, &lookup, resolved, transaction);
    return TRUE;

no_listener:
    g_set_error(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_NO_TRANSPORT, "no listener to send %s to %s",
                request->sip_method, hop->name);
    osip_message_free(request);
    return FALSE;
}

/* ---- fail-over -------------------------------------------------------------------------------- */

gboolean targets_fail_over(struct sip_engine *engine, osip_transaction_t *transaction,
                           const osip_message_t *response, guint code)
{
    struct transaction_context *context = context_of(transaction), *next_context;
    const osip_message_t *original = transaction->orig_request;
    const struct sip_target *failed = current_target(context);
    guint failed_index = context->target;
    osip_transaction_t *next;
    osip_message_t *request = NULL;

    if ((response && code != 503) || !failed || context->target + 1 >= context->targets->len || !original
        || MSG_IS_ACK(original) || MSG_IS_CANCEL(original) || osip_message_clone(original, &request))
        return FALSE;

    /* A new transaction (§4.3: a new branch) for the next target we can send to. */
    next = NULL;
    context->target++;
    while (current_target(context))
    {
        if (fit_request(engine, request, current_target(context)))
        {
            next = transaction_new(engine, MSG_IS_INVITE(request) ? ICT : NICT, request,
                                   current_target(context)->protocol, 0);
            break;
        }
        context->target++;
    }
    if (!next)
    {
        context->target = failed_index;
        osip_message_free(request);
        return FALSE;
    }
    g_message("%s to %s %s:%u %s; trying %s %s:%u (target %u of %u)", request->sip_method,
              sip_transport_protocol_name(failed->protocol), failed->ip, failed->port,
              response ? "answered 503" : code == 408 ? "timed out" : "failed",
              sip_transport_protocol_name(current_target(context)->protocol), current_target(context)->ip,
              current_target(context)->port, context->target + 1, context->targets->len);
    engine->stats.fail_overs++;

    next_context = context_of(next);
    targets_inherit(next_context, context);
    next_context->user = context->user;
    next_context->data = context->data;
    next_context->destroy = context->destroy;
    next_context->auth_attempts = context->auth_attempts;
    if (context->answered_realms)
    {
        next_context->answered_realms = g_ptr_array_new_with_free_func(g_free);
        for (guint i = 0; i < context->answered_realms->len; i++)
            g_ptr_array_add(next_context->answered_realms, g_strdup(g_ptr_array_index(context->answered_realms, i)));
    }
    context->user = NULL;
    context->data = NULL;
    context->destroy = NULL;
    context->final_reported = TRUE;
    context->successor = next;
    context->target = failed_index;     /* the old transaction stays where it went */

    send_to(engine, next, request, current_target(next_context), 0);
    if (next_context->user && next_context->user->replaced)
        next_context->user->replaced(engine, transaction, next, request, next_context->data);
    return TRUE;
}

/* ---- what the transaction users see ---------------------------------------------------------- */

gboolean engine_transaction_hop(osip_transaction_t *transaction, struct sip_next_hop *hop)
{
    struct transaction_context *context = context_of(transaction);
    const struct sip_target *target = current_target(context);

    memset(hop, 0, sizeof(*hop));
    if (!target || context->resolving || context->pending)
        return FALSE;
    hop->protocol = context->protocol;
    g_strlcpy(hop->host, target->ip, sizeof(hop->host));
    hop->port = target->port;
    hop->connection_id = context->connection_id;
    if (context->server_name)
        g_strlcpy(hop->name, context->server_name, sizeof(hop->name));
    hop->transport_given = TRUE;
    hop->secure = hop->protocol == SIP_TRANSPORT_TLS;
    return TRUE;
}

enum sip_delivery_failure engine_transaction_failure(osip_transaction_t *transaction)
{
    return context_of(transaction)->failure;
}
