/*
 * Where requests go: the next hop for a URI (an IP address, or a name the
 * transaction layer resolves when the request is sent, targets.c), the
 * outbound proxy (RFC 3261 §8.1.2, loose routing) and the local address
 * media is bound on.
 */

#ifndef G_LOG_DOMAIN
#define G_LOG_DOMAIN "rtcshim"
#endif

#include <string.h>

#include "engine.h"
#include "message.h"
#include "routing.h"

gboolean engine_hop_for_uri(struct sip_engine *engine, const osip_uri_t *uri, struct sip_next_hop *hop,
                            GError **error)
{
    char host[SIP_HOST_BUFFER_SIZE];
    guint16 port;
    enum sip_transport_protocol fallback =
        sip_transport_local_address(engine->transports, SIP_TRANSPORT_UDP, NULL, host, &port)
        ? SIP_TRANSPORT_UDP : SIP_TRANSPORT_TCP;

    if (!sip_uri_next_hop(uri, fallback, hop))
    {
        g_set_error(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_INVALID_ARGUMENT,
                    "cannot reach \"%s%s%s\": not an IP address or host name with a port 1-65535",
                    uri && uri->host ? uri->host : "(null)", uri && uri->port ? ":" : "",
                    uri && uri->port ? uri->port : "");
        return FALSE;
    }
    return TRUE;
}

gboolean engine_media_address(struct sip_engine *engine, enum sip_transport_protocol protocol,
                              const char *destination_ip, char *bind_host, const char **advertised)
{
    guint16 port;

    if (!sip_transport_local_address(engine->transports, protocol, destination_ip, bind_host, &port))
        return FALSE;
    *advertised = engine->advertised_host ? engine->advertised_host : bind_host;
    return TRUE;
}

/* ---- outbound proxy ------------------------------------------------------------------ */

/* Parses and checks a proxy URI; the copy has ";lr". */
static osip_uri_t *parse_proxy(struct sip_engine *engine, const char *text, GError **error)
{
    struct sip_next_hop hop;
    osip_uri_param_t *lr = NULL;
    osip_uri_t *uri = NULL;
    char *bare;

    /* "<sip:...>" is accepted too. */
    bare = g_strstrip(g_strdup(text));
    if (bare[0] == '<' && bare[strlen(bare) - 1] == '>')
    {
        memmove(bare, bare + 1, strlen(bare) - 1);
        bare[strlen(bare) - 2] = 0;
    }
    if (osip_uri_init(&uri) || osip_uri_parse(uri, bare) || !uri->scheme || !uri->host
        || (g_ascii_strcasecmp(uri->scheme, "sip") && g_ascii_strcasecmp(uri->scheme, "sips")))
    {
        g_set_error(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_INVALID_ARGUMENT,
                    "outbound proxy \"%s\" is not a sip: or sips: URI", text);
        osip_uri_free(uri);
        g_free(bare);
        return NULL;
    }
    g_free(bare);
    if (!engine_hop_for_uri(engine, uri, &hop, error))
    {
        osip_uri_free(uri);
        return NULL;
    }
    /* Loose routing (RFC 3261 §16.12.1.1): we never strict-route. */
    osip_uri_uparam_get_byname(uri, "lr", &lr);
    if (!lr)
        osip_uri_uparam_add(uri, osip_strdup("lr"), NULL);
    /* The user part and headers have no business in a Route. */
    osip_uri_header_freelist(&uri->url_headers);
    osip_list_init(&uri->url_headers);
    return uri;
}

gboolean engine_pick_proxy(struct sip_engine *engine, const char *proxy, osip_uri_t **uri, GError **error)
{
    *uri = NULL;
    if (!proxy)
    {
        if (engine->outbound_proxy)
            osip_uri_clone(engine->outbound_proxy, uri);
        return TRUE;
    }
    if (!*proxy)
        return TRUE;
    return (*uri = parse_proxy(engine, proxy, error)) != NULL;
}

void engine_add_proxy_route(osip_message_t *request, const osip_uri_t *proxy)
{
    osip_route_t *route = NULL;

    if (osip_route_init(&route))
        return;
    osip_uri_clone(proxy, &route->url);
    osip_list_add(&request->routes, route, 0);
}

gboolean engine_route_request(struct sip_engine *engine, osip_message_t *request, const osip_uri_t *proxy,
                              struct sip_next_hop *hop, GError **error)
{
    if (!proxy)
        return engine_hop_for_uri(engine, request->req_uri, hop, error);
    if (!engine_hop_for_uri(engine, proxy, hop, error))
        return FALSE;
    engine_add_proxy_route(request, proxy);
    return TRUE;
}

gboolean sip_engine_set_outbound_proxy(struct sip_engine *engine, const char *proxy, GError **error)
{
    osip_uri_t *uri = NULL;

    g_return_val_if_fail(engine != NULL, FALSE);
    if (proxy && *proxy && !(uri = parse_proxy(engine, proxy, error)))
        return FALSE;
    osip_uri_free(engine->outbound_proxy);
    engine->outbound_proxy = uri;
    g_free(engine->outbound_proxy_text);
    engine->outbound_proxy_text = uri ? engine_uri_string(uri) : NULL;
    return TRUE;
}

const char *sip_engine_get_outbound_proxy(struct sip_engine *engine)
{
    g_return_val_if_fail(engine != NULL, NULL);
    return engine->outbound_proxy_text;
}
