/*
 * Digest authentication of the requests we send (digest_retry.c); the API
 * side (sip_engine_set_credentials) is in sip_register.h. Internal to
 * src/sip/.
 */
#ifndef RTCSHIM_SIP_DIGEST_RETRY_H
#define RTCSHIM_SIP_DIGEST_RETRY_H

#include "engine.h"

G_BEGIN_DECLS

/* The value destructor of engine->credentials. */
void engine_credentials_free(void *data);

/* §22.2: transaction got a 401/407 (response): sends its request again
 * with credentials in a new client transaction that takes over its user
 * (see struct engine_transaction_user's replaced). FALSE if it cannot be
 * answered (no credentials for the realm, tried 3 times, same realm
 * refused, ACK/CANCEL): the response then goes to the user. */
gboolean engine_retry_with_credentials(struct sip_engine *engine, osip_transaction_t *transaction,
                                       const osip_message_t *response);

G_END_DECLS

#endif /* RTCSHIM_SIP_DIGEST_RETRY_H */
