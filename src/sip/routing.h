/*
 * Where requests go (routing.c): next hops, the outbound proxy (the API
 * side is in sip_engine.h) and the local address for media. Internal to
 * src/sip/.
 */
#ifndef RTCSHIM_SIP_ROUTING_H
#define RTCSHIM_SIP_ROUTING_H

#include "engine.h"

G_BEGIN_DECLS

/* The hop for a request to uri: explicit transport, else UDP if we listen on
 * UDP, else TCP (for a host name, the preferred transport: DNS decides,
 * RFC 3263). FALSE (SIP_ENGINE_ERROR_INVALID_ARGUMENT) for a host that is
 * neither an IP address nor a host name, or a bad port. */
gboolean engine_hop_for_uri(struct sip_engine *engine, const osip_uri_t *uri, struct sip_next_hop *hop,
                            GError **error);

/* The outbound proxy a request uses (see sip_engine.h): proxy as given
 * (NULL = the engine's default, "" = none). *uri gets a copy with ";lr"
 * (NULL for none). FALSE with error for a malformed or unreachable one. */
gboolean engine_pick_proxy(struct sip_engine *engine, const char *proxy, osip_uri_t **uri, GError **error);

/* Puts "Route: <proxy>" on top of the request's routes. */
void engine_add_proxy_route(osip_message_t *request, const osip_uri_t *proxy);

/* Where an out-of-dialog request goes: to proxy if not NULL (its Route is
 * added to the request), else to its Request-URI. */
gboolean engine_route_request(struct sip_engine *engine, osip_message_t *request, const osip_uri_t *proxy,
                              struct sip_next_hop *hop, GError **error);

/* The address to put in SDP and bind media on when talking to
 * destination_ip over protocol (host: SIP_HOST_BUFFER_SIZE bytes), and the
 * one to advertise (advertised_host if configured). */
gboolean engine_media_address(struct sip_engine *engine, enum sip_transport_protocol protocol,
                              const char *destination_ip, char *bind_host, const char **advertised);

G_END_DECLS

#endif /* RTCSHIM_SIP_ROUTING_H */
