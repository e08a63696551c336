/*
 * The engine's side of the transport layer (transport.c): every message
 * out is serialised, traced and sent here, every message in is traced and
 * parsed here; what cannot be parsed is answered from here (the Via could
 * not be trusted), the rest goes to dispatch.c.
 */

#ifndef G_LOG_DOMAIN
#define G_LOG_DOMAIN "rtcshim"
#endif

#include <string.h>

#include "dispatch.h"
#include "engine.h"
#include "message.h"
#include "resolver.h"
#include "shed.h"
#include "wire.h"

void engine_trace_message(struct sip_engine *engine, const char *direction, enum sip_transport_protocol protocol,
                          const char *host, guint port, const char *data, gsize length)
{
    if (engine->trace)
        g_debug("%s %s %s:%u (%" G_GSIZE_FORMAT " bytes)\n%.*s", direction, sip_transport_protocol_name(protocol),
                host, port, length, (int)MIN(length, (gsize)G_MAXINT), data);
}

/* ---- sending ---------------------------------------------------------------------- */

/* Serialises and sends one message; *connection_id is updated to the
 * connection used. Returns FALSE only for failures retransmission cannot
 * cure (no listener, unusable host, a failed stream). */
gboolean engine_transmit(struct sip_engine *engine, osip_message_t *message, enum sip_transport_protocol protocol,
                         const char *host, guint16 port, guint *connection_id)
{
    return engine_transmit_named(engine, message, protocol, host, port, NULL, connection_id);
}

gboolean engine_transmit_named(struct sip_engine *engine, osip_message_t *message,
                               enum sip_transport_protocol protocol, const char *host, guint16 port,
                               const char *server_name, guint *connection_id)
{
    GError *error = NULL;
    char *text = NULL;
    size_t length = 0;
    gboolean ok;

    if (osip_message_to_str(message, &text, &length) || !text)
    {
        g_message("cannot serialise an outgoing message");
        return FALSE;
    }
    engine_trace_message(engine, "send to", protocol, host, port, text, length);
    ok = sip_transport_send_named(engine->transports, protocol, host, port, server_name,
                                  connection_id ? *connection_id : 0, text, length, connection_id, &error);
    osip_free(text);
    if (ok)
    {
        engine->stats.messages_sent++;
        return TRUE;
    }
    g_debug("send to %s:%u failed: %s", host, port, error->message);
    /* A datagram the kernel could not take is like one lost on the way. */
    ok = protocol == SIP_TRANSPORT_UDP && g_error_matches(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_TRANSPORT);
    g_error_free(error);
    return ok;
}

/* An ACK whose hop is a name not resolved yet. */
struct pending_ack
{
    struct sip_engine *engine;
    osip_message_t *ack;
    struct sip_next_hop hop;
    struct sip_resolve_query *query;
};

static void pending_ack_free(struct pending_ack *pending)
{
    sip_resolve_query_cancel(pending->query);
    osip_message_free(pending->ack);
    g_free(pending);
}

static gboolean send_ack_to(struct sip_engine *engine, osip_message_t *ack, struct sip_next_hop *hop,
                            const struct sip_target *target)
{
    guint connection_id = hop->connection_id;

    if (target)
    {
        hop->protocol = target->protocol;
        g_strlcpy(hop->host, target->ip, sizeof(hop->host));
        hop->port = target->port;
        connection_id = 0;
    }
    if (!osip_list_size(&ack->vias) && !engine_add_via(engine, ack, hop))
        return FALSE;
    return engine_transmit_named(engine, ack, hop->protocol, hop->host, hop->port, hop->name[0] ? hop->name : NULL,
                                 &connection_id);
}

static void ack_resolved(GArray *targets, const GError *error, void *user_data)
{
    struct pending_ack *pending = user_data;
    struct sip_engine *engine = pending->engine;

    pending->query = NULL;
    if (targets && targets->len)
        send_ack_to(engine, pending->ack, &pending->hop, &g_array_index(targets, struct sip_target, 0));
    else
        g_message("ACK not sent: %s", error ? error->message : "no target");
    if (targets)
        g_array_unref(targets);
    g_hash_table_remove(engine->pending_acks, pending);
    pending_ack_free(pending);
}

static struct sip_resolve_request ack_lookup(struct sip_engine *engine, const struct sip_next_hop *hop)
{
    struct sip_resolve_request lookup = { 0 };
    char host[SIP_HOST_BUFFER_SIZE];
    guint16 port;

    lookup.host = hop->name;
    lookup.port = hop->port;
    lookup.transport_given = hop->transport_given;
    lookup.transport = hop->protocol;
    lookup.secure = hop->secure;
    lookup.udp_allowed = sip_transport_local_address(engine->transports, SIP_TRANSPORT_UDP, NULL, host, &port);
    return lookup;
}

gboolean engine_send_ack(struct sip_engine *engine, osip_message_t *ack, const struct sip_next_hop *hop)
{
    struct sip_next_hop resolved = *hop;
    struct sip_resolve_request lookup;
    struct pending_ack *pending;
    GArray *targets = NULL;
    gboolean sent;

    if (!sip_next_hop_needs_dns(hop))
        return send_ack_to(engine, ack, &resolved, NULL);
    lookup = ack_lookup(engine, hop);
    if (sip_resolver_lookup_now(engine->resolver, &lookup, &targets))
    {
        sent = targets->len && send_ack_to(engine, ack, &resolved, &g_array_index(targets, struct sip_target, 0));
        g_array_unref(targets);
        return sent;
    }
    /* The caller keeps its ACK (to send again): the lookup gets a copy. */
    pending = g_new0(struct pending_ack, 1);
    pending->engine = engine;
    pending->hop = *hop;
    if (osip_message_clone(ack, &pending->ack))
    {
        g_free(pending);
        return FALSE;
    }
    g_hash_table_add(engine->pending_acks, pending);
    pending->query = sip_resolver_lookup(engine->resolver, &lookup, ack_resolved, pending);
    return TRUE;
}

void engine_pending_acks_clear(struct sip_engine *engine)
{
    GList *pending = g_hash_table_get_keys(engine->pending_acks), *l;

    for (l = pending; l; l = l->next)
        pending_ack_free(l->data);
    g_list_free(pending);
    g_hash_table_remove_all(engine->pending_acks);
}

gboolean engine_resend_response(struct sip_engine *engine, osip_message_t *response,
                                enum sip_transport_protocol protocol, guint connection_id)
{
    char *host = NULL;
    gboolean ok;
    int port = 0;

    osip_response_get_destination(response, &host, &port);
    if (!host)
        return FALSE;
    ok = port > 0 && port <= 65535 && engine_transmit(engine, response, protocol, host, port, &connection_id);
    osip_free(host);
    return ok;
}

gboolean engine_sent_message_init(struct engine_sent_response *sent, const osip_message_t *message,
                                  enum sip_transport_protocol protocol, const char *host, guint16 port,
                                  guint connection_id)
{
    memset(sent, 0, sizeof(*sent));
    if (!host || !port || strlen(host) >= sizeof(sent->host)
        || osip_message_to_str((osip_message_t *)message, &sent->text, &sent->length) || !sent->text)
    {
        engine_sent_response_clear(sent);
        return FALSE;
    }
    /* osip_message_to_str() writes a message not serialised before into a
     * buffer of several KB; this text may be kept for 64*T1. */
    {
        char *snug = osip_realloc(sent->text, sent->length + 1);

        if (snug)
            sent->text = snug;
    }
    g_strlcpy(sent->host, host, sizeof(sent->host));
    sent->port = port;
    sent->protocol = protocol;
    sent->connection_id = connection_id;
    return TRUE;
}

gboolean engine_sent_response_init(struct engine_sent_response *sent, const osip_message_t *response,
                                   enum sip_transport_protocol protocol, guint connection_id)
{
    char *host = NULL;
    int port = 0;
    gboolean ok;

    osip_response_get_destination((osip_message_t *)response, &host, &port);
    ok = port > 0 && port <= 65535 && engine_sent_message_init(sent, response, protocol, host, port, connection_id);
    if (!ok)
        memset(sent, 0, sizeof(*sent));
    osip_free(host);
    return ok;
}

gboolean engine_sent_response_send(struct sip_engine *engine, struct engine_sent_response *sent)
{
    GError *error = NULL;

    engine_trace_message(engine, "send to", sent->protocol, sent->host, sent->port, sent->text, sent->length);
    if (sip_transport_send(engine->transports, sent->protocol, sent->host, sent->port, sent->connection_id,
                           sent->text, sent->length, &sent->connection_id, &error))
    {
        engine->stats.messages_sent++;
        return TRUE;
    }
    g_debug("send to %s:%u failed: %s", sent->host, sent->port, error->message);
    g_error_free(error);
    return FALSE;
}

void engine_sent_response_clear(struct engine_sent_response *sent)
{
    osip_free(sent->text);
    sent->text = NULL;
    sent->length = 0;
}

/* ---- receiving ---------------------------------------------------------------------- */

/* Where pattern first occurs in data, or NULL: memchr() to each candidate
 * (g_strstr_len() compares byte by byte, a cost on every message). */
static const char *find_bytes(const char *data, gsize length, const char *pattern, gsize pattern_length)
{
    const char *end = data + length, *p = data;

    while (p + pattern_length <= end && (p = memchr(p, pattern[0], end - p - pattern_length + 1)))
    {
        if (!memcmp(p, pattern, pattern_length))
            return p;
        p++;
    }
    return NULL;
}

static gsize raw_body_length(const char *data, gsize length)
{
    const char *end = find_bytes(data, length, "\r\n\r\n", 4);

    if (end)
        return length - (end + 4 - data);
    end = find_bytes(data, length, "\n\n", 2);
    return end ? length - (end + 2 - data) : 0;
}

void engine_receive(const char *data, gsize length, const struct sip_transport_peer *peer, void *user_data)
{
    struct sip_engine *engine = user_data;
    osip_message_t *message;

    engine_trace_message(engine, "received from", peer->protocol, peer->remote_ip, peer->remote_port, data, length);
    engine_note_backlog(engine, peer);
    if (engine_shed_unparsed(engine, data, length, peer))
        return;     /* past capacity: refused (or its ACK dropped) without a parse */
    if (osip_message_init(&message))
        return;
    if (osip_message_parse(message, data, length) || (!MSG_IS_REQUEST(message) && !MSG_IS_RESPONSE(message)))
    {
        char *tag = engine_new_token(engine), *rejection;
        gsize rejection_length;

        osip_message_free(message);
        rejection = sip_request_build_rejection(data, length, tag, engine->user_agent, &rejection_length);
        g_free(tag);
        if (!rejection)
        {
            engine->stats.unparseable_dropped++;
            return;
        }
        /* Answer where it came from: the Via could not be trusted to parse. */
        engine->stats.bad_requests_rejected++;
        engine_trace_message(engine, "send to", peer->protocol, peer->remote_ip, peer->remote_port, rejection,
                             rejection_length);
        sip_transport_send(engine->transports, peer->protocol, peer->remote_ip, peer->remote_port,
                           peer->connection_id, rejection, rejection_length, NULL, NULL);
        g_free(rejection);
        return;
    }
    engine->stats.messages_received++;
    if (MSG_IS_REQUEST(message))
        engine_handle_request(engine, message, peer, raw_body_length(data, length));
    else
        engine_handle_response(engine, message);
}
