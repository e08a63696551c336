/*
 * Building and reading libosip2 messages (message.c). Internal to src/sip/.
 */
#ifndef RTCSHIM_SIP_MESSAGE_H
#define RTCSHIM_SIP_MESSAGE_H

#include "engine.h"

G_BEGIN_DECLS

/* ---- reading ---- */
char *engine_uri_string(const osip_uri_t *uri);                /* g_free */
char *engine_display_name(const osip_from_t *header);          /* unquoted, NULL if none; g_free */
char *engine_call_id_string(const osip_call_id_t *call_id);    /* g_free */
guint32 engine_cseq_number(const osip_message_t *message);

/* ---- building ---- */

/* Adds our top Via for hop (sent-by, a new branch, rport). */
gboolean engine_add_via(struct sip_engine *engine, osip_message_t *request, const struct sip_next_hop *hop);

/* Our address for Via and Contact when talking to destination_ip (NULL or
 * "" when not known yet) over protocol: the advertised host if configured,
 * else the local one; host holds SIP_HOST_BUFFER_SIZE bytes. */
gboolean engine_local_address(struct sip_engine *engine, enum sip_transport_protocol protocol,
                              const char *destination_ip, char *host, guint16 *port);

/* Adds Contact <sip:user@our-address:port[;transport=x]> for protocol. */
void engine_add_contact(struct sip_engine *engine, osip_message_t *message, const char *user,
                        enum sip_transport_protocol protocol, const char *destination_ip);

/* A response to request: Via, From, To (with to_tag added if the request
 * had none and code > 100; NULL picks a new one), Call-ID, CSeq,
 * Record-Route for 1xx/2xx to dialog-creating requests, Server. */
osip_message_t *engine_build_response(struct sip_engine *engine, const osip_message_t *request, guint code,
                                      const char *reason, const char *to_tag);

/* A new out-of-dialog request: Request-URI to, From from (with a new tag),
 * To to, a new Call-ID, CSeq 1 method, Max-Forwards. from and to are
 * name-addr or URI strings. NULL on a malformed from/to. */
osip_message_t *engine_build_request(struct sip_engine *engine, const char *method, const char *from,
                                     const char *to, GError **error);

/* Sets a body and its Content-Type. */
void engine_set_body(osip_message_t *message, const char *content_type, const char *body, gsize length);

G_END_DECLS

#endif /* RTCSHIM_SIP_MESSAGE_H */
