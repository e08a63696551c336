/*
 * Out-of-dialog MESSAGE (RFC 3428 pager mode), the client side; see
 * sip_engine.h. A MESSAGE received outside a dialog is answered and
 * reported by dispatch.c.
 */

#ifndef G_LOG_DOMAIN
#define G_LOG_DOMAIN "rtcshim"
#endif

#include <string.h>

#include "engine.h"
#include "event_queue.h"
#include "message.h"
#include "routing.h"
#include "transaction.h"

static void message_response(struct sip_engine *engine, osip_transaction_t *transaction,
                             const osip_message_t *response, guint status_code, void *data)
{
    if (status_code >= 200)
        engine_report_request_result(engine, GPOINTER_TO_UINT(data), status_code,
                                     response ? response->reason_phrase : NULL, engine_transaction_failure(transaction));
}

static const struct engine_transaction_user message_user = { message_response, NULL, NULL };

guint sip_engine_send_message(struct sip_engine *engine, const char *from, const char *to,
                              const char *content_type, const char *body, gsize body_length, GError **error)
{
    return sip_engine_send_message_full(engine, from, to, content_type, body, body_length, NULL, error);
}

guint sip_engine_send_message_full(struct sip_engine *engine, const char *from, const char *to,
                                   const char *content_type, const char *body, gsize body_length,
                                   const struct sip_message_options *options, GError **error)
{
    struct sip_next_hop hop;
    osip_message_t *request;
    osip_uri_t *proxy = NULL;
    const char *const *line;
    gboolean routed;
    guint id;

    g_return_val_if_fail(engine != NULL, 0);
    if (!engine_pick_proxy(engine, options ? options->proxy : NULL, &proxy, error))
        return 0;
    if (!(request = engine_build_request(engine, "MESSAGE", from, to, error)))
    {
        osip_uri_free(proxy);
        return 0;
    }
    for (line = options ? options->headers : NULL; line && *line; line++)
    {
        const char *colon = strchr(*line, ':');
        char *name, *value;

        if (!colon || colon == *line)
        {
            g_set_error(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_INVALID_ARGUMENT, "not a header line: \"%s\"", *line);
            osip_uri_free(proxy);
            osip_message_free(request);
            return 0;
        }
        name = g_strstrip(g_strndup(*line, colon - *line));
        value = g_strstrip(g_strdup(colon + 1));
        osip_message_set_header(request, name, value);
        g_free(name);
        g_free(value);
    }
    routed = engine_route_request(engine, request, proxy, &hop, error);
    osip_uri_free(proxy);
    if (!routed)
    {
        osip_message_free(request);
        return 0;
    }
    engine_set_body(request, content_type ? content_type : "text/plain", body, body_length);
    id = engine_next_request_id(engine);
    if (!engine_send_request(engine, request, &hop, &message_user, GUINT_TO_POINTER(id), NULL, error))
        return 0;
    return id;
}
