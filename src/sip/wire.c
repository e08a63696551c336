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
    ok = sip_transport_send(engine->transports, protocol, host, port, connection_id ? *connection_id : 0,
                            text, length, connection_id, &error);
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

gboolean engine_send_ack(struct sip_engine *engine, osip_message_t *ack, const struct sip_next_hop *hop)
{
    guint connection_id = hop->connection_id;

    if (!osip_list_size(&ack->vias) && !engine_add_via(engine, ack, hop))
        return FALSE;
    return engine_transmit(engine, ack, hop->protocol, hop->host, hop->port, &connection_id);
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
