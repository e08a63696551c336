/*
 * NAT keep-alive for registrations (docs/wire-mapping.md, "Keep-alive"):
 *
 * - UDP: a CRLF CRLF datagram to the registrar every keepalive_udp_s
 *   seconds, so the NAT binding our Contact relies on stays open. Nothing
 *   answers it.
 * - TCP/TLS: an RFC 5626 §4.4.1 CRLF CRLF ping on the registration's
 *   connection every keepalive_stream_s seconds. A registrar that answers
 *   with a CRLF pong has shown it does so; from then on a pong missing for
 *   10 s, or the connection gone, means the flow failed and the owner
 *   registers again (over a new connection). A registrar that never
 *   answered is pinged all the same (the traffic keeps a NAT open) but not
 *   judged by it.
 * - The public address: RFC 3581's rport and RFC 3261's received on the
 *   top Via of a REGISTER's 2xx say where the registrar saw us. When that
 *   differs from our Contact on UDP, it is kept for that registrar and our
 *   Contacts to it carry it from then on (targets_fit_contact()).
 */

#ifndef G_LOG_DOMAIN
#define G_LOG_DOMAIN "rtcshim"
#endif

#include <stdlib.h>
#include <string.h>

#include "keepalive.h"
#include "timer_source.h"

#define PONG_WAIT_MS 10000      /* RFC 5626 §4.4.1 */

struct keepalive
{
    struct sip_engine *engine;
    struct sip_next_hop target;
    struct engine_timer *timer;             /* the next ping */
    struct engine_timer *pong_timer;        /* waiting for a pong */
    gboolean pong_seen;                     /* the registrar answers pings */
    keepalive_failed_func failed;
    void *data;
};

static void schedule(struct keepalive *keepalive);

static void flow_failed(struct keepalive *keepalive, const char *why)
{
    struct sip_engine *engine = keepalive->engine;

    g_message("keep-alive: the %s flow to %s:%u failed (%s): registering again",
              sip_transport_protocol_name(keepalive->target.protocol), keepalive->target.host, keepalive->target.port,
              why);
    if (keepalive->target.connection_id)
        sip_transport_close_connection(engine->transports, keepalive->target.connection_id);
    /* The owner stops this keep-alive and starts another when the new
     * REGISTER is answered. */
    keepalive->failed(engine, keepalive->data);
}

static void pong_missing(struct sip_engine *engine, void *data)
{
    struct keepalive *keepalive = data;

    (void)engine;
    keepalive->pong_timer = NULL;
    flow_failed(keepalive, "no pong within 10 s");
}

static void ping_due(struct sip_engine *engine, void *data)
{
    struct keepalive *keepalive = data;
    const struct sip_next_hop *target = &keepalive->target;

    keepalive->timer = NULL;
    if (!sip_transport_send_ping(engine->transports, target->protocol, target->host, target->port,
                                 target->connection_id))
    {
        if (target->protocol != SIP_TRANSPORT_UDP)
        {
            flow_failed(keepalive, "connection closed");
            return;
        }
        g_debug("keep-alive to %s:%u not sent", target->host, target->port);
    }
    else
    {
        engine->stats.keepalives_sent++;
        if (target->protocol != SIP_TRANSPORT_UDP && keepalive->pong_seen && !keepalive->pong_timer)
            keepalive->pong_timer = engine_timer_start(engine, PONG_WAIT_MS, pong_missing, keepalive, NULL);
    }
    schedule(keepalive);
}

static void schedule(struct keepalive *keepalive)
{
    struct sip_engine *engine = keepalive->engine;
    guint seconds = keepalive->target.protocol == SIP_TRANSPORT_UDP ? engine->keepalive_udp_s
                                                                    : engine->keepalive_stream_s;

    if (seconds && !keepalive->timer)
        keepalive->timer = engine_timer_start(engine, seconds * 1000, ping_due, keepalive, NULL);
}

struct keepalive *keepalive_start(struct sip_engine *engine, const struct sip_next_hop *target,
                                  keepalive_failed_func failed, void *data)
{
    struct keepalive *keepalive;

    if (!(target->protocol == SIP_TRANSPORT_UDP ? engine->keepalive_udp_s : engine->keepalive_stream_s))
        return NULL;
    keepalive = g_new0(struct keepalive, 1);
    keepalive->engine = engine;
    keepalive->target = *target;
    keepalive->failed = failed;
    keepalive->data = data;
    g_ptr_array_add(engine->keepalives, keepalive);
    schedule(keepalive);
    g_debug("keep-alive to %s %s:%u every %u s", sip_transport_protocol_name(target->protocol), target->host,
            target->port, target->protocol == SIP_TRANSPORT_UDP ? engine->keepalive_udp_s : engine->keepalive_stream_s);
    return keepalive;
}

void keepalive_stop(struct keepalive *keepalive)
{
    if (!keepalive)
        return;
    engine_timer_cancel(keepalive->engine, keepalive->timer);
    engine_timer_cancel(keepalive->engine, keepalive->pong_timer);
    g_ptr_array_remove(keepalive->engine->keepalives, keepalive);
    g_free(keepalive);
}

gboolean keepalive_serves(const struct keepalive *keepalive, const struct sip_next_hop *target)
{
    return keepalive && keepalive->target.protocol == target->protocol && keepalive->target.port == target->port
           && keepalive->target.connection_id == target->connection_id && !strcmp(keepalive->target.host, target->host);
}

void keepalive_pong_received(guint connection_id, void *user_data)
{
    struct sip_engine *engine = user_data;
    guint i;

    engine->stats.pongs_received++;
    for (i = 0; i < engine->keepalives->len; i++)
    {
        struct keepalive *keepalive = g_ptr_array_index(engine->keepalives, i);

        if (keepalive->target.connection_id != connection_id)
            continue;
        if (!keepalive->pong_seen)
            g_debug("keep-alive: %s:%u answers pings (RFC 5626)", keepalive->target.host, keepalive->target.port);
        keepalive->pong_seen = TRUE;
        engine_timer_cancel(engine, keepalive->pong_timer);
        keepalive->pong_timer = NULL;
    }
}

void keepalive_stop_all(struct sip_engine *engine)
{
    while (engine->keepalives->len)
        keepalive_stop(g_ptr_array_index(engine->keepalives, engine->keepalives->len - 1));
}

/* ---- the public address -------------------------------------------------------------------- */

gboolean keepalive_learn_public_address(struct sip_engine *engine, const struct sip_next_hop *target,
                                        const osip_message_t *request, const osip_message_t *response)
{
    const osip_via_t *via = osip_list_get(&response->vias, 0);
    const osip_contact_t *contact = osip_list_get(&request->contacts, 0);
    osip_generic_param_t *received = NULL, *rport = NULL;
    const char *host, *contact_port;
    char *key, *seen, *known;
    guint port;

    if (target->protocol != SIP_TRANSPORT_UDP || !via || !contact || !contact->url || !contact->url->host)
        return FALSE;
    osip_via_param_get_byname((osip_via_t *)via, "received", &received);
    osip_via_param_get_byname((osip_via_t *)via, "rport", &rport);
    host = received && received->gvalue && *received->gvalue ? received->gvalue : contact->url->host;
    contact_port = contact->url->port ? contact->url->port : "5060";
    port = rport && rport->gvalue && *rport->gvalue ? (guint)strtoul(rport->gvalue, NULL, 10)
                                                    : (guint)strtoul(contact_port, NULL, 10);
    if (!port || port > 65535 || !sip_transport_host_is_usable(host))
        return FALSE;
    if (!g_ascii_strcasecmp(host, contact->url->host) && port == strtoul(contact_port, NULL, 10))
        return FALSE;       /* the registrar sees us where our Contact says */
    key = g_strdup_printf("%s|%s|%u", sip_transport_protocol_name(target->protocol), target->host, target->port);
    seen = g_strdup_printf("%s:%u", host, port);
    known = g_hash_table_lookup(engine->public_addresses, key);
    if (known && !strcmp(known, seen))
    {
        /* Already known and used: the Contact differs for another reason
         * (the registrar rewrote it); nothing to refresh. */
        g_free(key);
        g_free(seen);
        return FALSE;
    }
    g_message("the registrar %s:%u sees us at %s, not %s:%s: refreshing our Contact", target->host, target->port,
              seen, contact->url->host, contact_port);
    g_hash_table_replace(engine->public_addresses, key, seen);
    return TRUE;
}

void sip_engine_set_keepalive(struct sip_engine *engine, guint udp_seconds, guint stream_seconds)
{
    g_return_if_fail(engine != NULL);
    engine->keepalive_udp_s = udp_seconds;
    engine->keepalive_stream_s = stream_seconds;
}
