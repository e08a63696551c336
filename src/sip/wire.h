/*
 * The engine's side of the transport layer (wire.c): messages out are
 * serialised, traced and sent, messages in traced and parsed. Internal to
 * src/sip/.
 */
#ifndef RTCSHIM_SIP_WIRE_H
#define RTCSHIM_SIP_WIRE_H

#include "engine.h"

G_BEGIN_DECLS

/* transport.c's receive callback (user_data is the engine): parses the
 * message, answers what cannot be parsed, passes the rest to dispatch.c. */
void engine_receive(const char *data, gsize length, const struct sip_transport_peer *peer, void *user_data);

/* Serialises and sends one message; *connection_id (may be NULL) is
 * updated to the connection used. Returns FALSE only for failures
 * retransmission cannot cure (no listener, unusable host, a failed
 * stream). */
gboolean engine_transmit(struct sip_engine *engine, osip_message_t *message, enum sip_transport_protocol protocol,
                         const char *host, guint16 port, guint *connection_id);
/* The same to a server known by name (TLS checks its certificate for it). */
gboolean engine_transmit_named(struct sip_engine *engine, osip_message_t *message,
                               enum sip_transport_protocol protocol, const char *host, guint16 port,
                               const char *server_name, guint *connection_id);

/* With G_MESSAGES_DEBUG=rtcshim: logs a message sent or received. */
void engine_trace_message(struct sip_engine *engine, const char *direction, enum sip_transport_protocol protocol,
                          const char *host, guint port, const char *data, gsize length);

/* Sends an ACK for a 2xx (no transaction, §17.1.1.3) to hop; adds a Via
 * the first time, so a retransmitted ACK is the same message. A hop still
 * named by a host name goes to its first target: at once when the answer
 * is cached, else a copy of the ACK goes when the name is resolved. */
gboolean engine_send_ack(struct sip_engine *engine, osip_message_t *ack, const struct sip_next_hop *hop);

/* sip_engine_free(): ACKs still waiting for a name are dropped. */
void engine_pending_acks_clear(struct sip_engine *engine);

/* Sends a response again outside its (finished) transaction, to where its
 * Via says, over protocol and preferably connection_id. */
gboolean engine_resend_response(struct sip_engine *engine, osip_message_t *response,
                                enum sip_transport_protocol protocol, guint connection_id);

/* A response serialised once with where it goes (its Via), to be sent
 * again as it is: our 2xx until its ACK, a completed transaction's
 * final response. No parsed message is kept. */
struct engine_sent_response
{
    char *text;                         /* osip_malloc'd */
    gsize length;
    enum sip_transport_protocol protocol;
    char host[SIP_HOST_BUFFER_SIZE];
    guint16 port;
    guint connection_id;
};

/* Serialises message to be sent to host:port over protocol (preferably
 * over connection_id); FALSE if it cannot be serialised. */
gboolean engine_sent_message_init(struct engine_sent_response *sent, const osip_message_t *message,
                                  enum sip_transport_protocol protocol, const char *host, guint16 port,
                                  guint connection_id);
/* Serialises response for protocol (preferably over connection_id); FALSE
 * if it cannot be serialised or its Via gives no destination. */
gboolean engine_sent_response_init(struct engine_sent_response *sent, const osip_message_t *response,
                                   enum sip_transport_protocol protocol, guint connection_id);
/* Sends it; FALSE only when the transport refused it outright. */
gboolean engine_sent_response_send(struct sip_engine *engine, struct engine_sent_response *sent);
void engine_sent_response_clear(struct engine_sent_response *sent);

G_END_DECLS

#endif /* RTCSHIM_SIP_WIRE_H */
