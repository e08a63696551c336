/*
 * Building and reading libosip2 messages: our Via and Contact, a body,
 * a response to a request, a new out-of-dialog request, and the small
 * readers (URI, display name, Call-ID, CSeq) the rest of the engine uses.
 */

#ifndef G_LOG_DOMAIN
#define G_LOG_DOMAIN "rtcshim"
#endif

#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "message.h"
#include "sipfrag.h"

char *engine_uri_string(const osip_uri_t *uri)
{
    char *text = NULL, *copy;

    if (!uri || osip_uri_to_str(uri, &text) || !text)
        return g_strdup("");
    copy = g_strdup(text);
    osip_free(text);
    return copy;
}

char *engine_display_name(const osip_from_t *header)
{
    const char *name = header ? header->displayname : NULL;
    gsize length;
    GString *unquoted;

    if (!name || !*name)
        return NULL;
    length = strlen(name);
    if (length < 2 || name[0] != '"' || name[length - 1] != '"')
        return g_strdup(name);
    unquoted = g_string_sized_new(length);
    for (gsize i = 1; i + 1 < length; i++)
    {
        if (name[i] == '\\' && i + 2 < length)
            i++;
        g_string_append_c(unquoted, name[i]);
    }
    return g_string_free(unquoted, FALSE);
}

char *engine_call_id_string(const osip_call_id_t *call_id)
{
    if (!call_id || !call_id->number)
        return NULL;
    if (call_id->host)
        return g_strconcat(call_id->number, "@", call_id->host, NULL);
    return g_strdup(call_id->number);
}

guint32 engine_cseq_number(const osip_message_t *message)
{
    if (!message->cseq || !message->cseq->number)
        return 0;
    return (guint32)strtoul(message->cseq->number, NULL, 10);
}

gboolean engine_local_address(struct sip_engine *engine, enum sip_transport_protocol protocol,
                              const char *destination_ip, char *host, guint16 *port)
{
    if (!sip_transport_local_address(engine->transports, protocol, destination_ip && *destination_ip ? destination_ip
                                                                                                 : NULL, host, port))
        return FALSE;
    if (engine->advertised_host)
        g_strlcpy(host, engine->advertised_host, SIP_HOST_BUFFER_SIZE);
    return TRUE;
}

gboolean engine_add_via(struct sip_engine *engine, osip_message_t *request, const struct sip_next_hop *hop)
{
    char sent_by[SIP_HOST_BUFFER_SIZE], *branch, *value;
    osip_via_t *via;
    guint16 port;

    if (!engine_local_address(engine, hop->protocol, hop->host, sent_by, &port))
        return FALSE;
    branch = engine_new_branch(engine);
    value = g_strdup_printf(strchr(sent_by, ':') ? "SIP/2.0/%s [%s]:%u;branch=%s;rport" : "SIP/2.0/%s %s:%u;branch=%s;rport",
                            sip_transport_protocol_name(hop->protocol), sent_by, port, branch);
    g_free(branch);
    if (osip_via_init(&via) || osip_via_parse(via, value))
    {
        osip_via_free(via);
        g_free(value);
        return FALSE;
    }
    g_free(value);
    osip_list_add(&request->vias, via, 0);
    return TRUE;
}

void engine_add_contact(struct sip_engine *engine, osip_message_t *message, const char *user,
                        enum sip_transport_protocol protocol, const char *destination_ip)
{
    char address[SIP_HOST_BUFFER_SIZE], port_text[8], *value;
    guint16 port;

    if (!engine_local_address(engine, protocol, destination_ip, address, &port))
        return;
    g_snprintf(port_text, sizeof(port_text), "%u", port);
    value = g_strconcat("<sip:", user && *user ? user : "", user && *user ? "@" : "",
                        strchr(address, ':') ? "[" : "", address, strchr(address, ':') ? "]" : "", ":", port_text,
                        protocol == SIP_TRANSPORT_TCP ? ";transport=tcp"
                        : protocol == SIP_TRANSPORT_TLS ? ";transport=tls" : "", ">", NULL);
    osip_message_set_contact(message, value);
    g_free(value);
}

void engine_set_body(osip_message_t *message, const char *content_type, const char *body, gsize length)
{
    if (!body || !length)
        return;
    osip_message_set_body(message, body, length);
    if (content_type)
        osip_message_set_content_type(message, content_type);
}

osip_message_t *engine_build_response(struct sip_engine *engine, const osip_message_t *request, guint code,
                                      const char *reason, const char *to_tag)
{
    osip_message_t *response;
    const char *method = request->sip_method;
    int i;

    if (osip_message_init(&response))
        return NULL;
    osip_message_set_version(response, osip_strdup("SIP/2.0"));
    osip_message_set_status_code(response, code);
    if (!reason || !*reason)
        reason = sip_reason_phrase(code);
    osip_message_set_reason_phrase(response, osip_strdup(reason ? reason : "Unknown"));

    osip_list_clone(&request->vias, &response->vias, (int (*)(void *, void **))osip_via_clone);
    osip_from_clone(request->from, &response->from);
    osip_to_clone(request->to, &response->to);
    osip_call_id_clone(request->call_id, &response->call_id);
    osip_cseq_clone(request->cseq, &response->cseq);
    if (response->to && code > 100 && !sip_header_tag(response->to))
    {
        char *tag = to_tag ? g_strdup(to_tag) : engine_new_token(engine);

        osip_to_set_tag(response->to, osip_strdup(tag));
        g_free(tag);
    }
    /* §12.1.1: responses that can set up a dialog echo Record-Route. */
    if (code > 100 && code < 300 && method
        && (!strcmp(method, "INVITE") || !strcmp(method, "SUBSCRIBE") || !strcmp(method, "REFER")))
    {
        for (i = 0; !osip_list_eol(&request->record_routes, i); i++)
        {
            osip_record_route_t *record_route = osip_list_get(&request->record_routes, i), *copy = NULL;

            if (!osip_record_route_clone(record_route, &copy))
                osip_list_add(&response->record_routes, copy, -1);
        }
    }
    osip_message_set_server(response, engine->user_agent);
    return response;
}

osip_message_t *engine_build_request(struct sip_engine *engine, const char *method, const char *from,
                                     const char *to, GError **error)
{
    osip_message_t *request;
    osip_uri_t *request_uri = NULL;
    char *token, *call_id, cseq[64], *bracketed = NULL;

    if (osip_message_init(&request))
        return NULL;
    osip_message_set_method(request, osip_strdup(method));
    osip_message_set_version(request, osip_strdup("SIP/2.0"));

    if (!from || osip_message_set_from(request, from) || !request->from || !request->from->url)
    {
        g_set_error(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_INVALID_ARGUMENT, "malformed From \"%s\"",
                    from ? from : "(null)");
        goto failed;
    }
    /* The target is a URI: bare, its ";transport=..." would parse as a
     * header parameter of To (RFC 3261 §20), so it goes in brackets. */
    if (to && !strchr(to, '<'))
        to = bracketed = g_strdup_printf("<%s>", to);
    if (!to || osip_message_set_to(request, to) || !request->to || !request->to->url || !request->to->url->host
        || !request->to->url->scheme
        || (g_ascii_strcasecmp(request->to->url->scheme, "sip") && g_ascii_strcasecmp(request->to->url->scheme, "sips")))
    {
        g_set_error(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_INVALID_ARGUMENT, "malformed or non-SIP To \"%s\"",
                    to ? to : "(null)");
        goto failed;
    }
    /* The Request-URI is the To URI without header part (§8.1.1.1). */
    osip_uri_clone(request->to->url, &request_uri);
    osip_uri_header_freelist(&request_uri->url_headers);
    osip_list_init(&request_uri->url_headers);
    osip_message_set_uri(request, request_uri);
    /* Tags and headers given by the caller in From/To are not ours to keep. */
    osip_uri_header_freelist(&request->to->url->url_headers);
    osip_list_init(&request->to->url->url_headers);

    token = engine_new_token(engine);
    osip_from_set_tag(request->from, osip_strdup(token));
    g_free(token);
    token = engine_new_token(engine);
    call_id = g_strdup_printf("%s%08x", token, g_rand_int(engine->rand));
    osip_message_set_call_id(request, call_id);
    g_free(call_id);
    g_free(token);
    g_snprintf(cseq, sizeof(cseq), "1 %s", method);
    osip_message_set_cseq(request, cseq);
    osip_message_set_max_forwards(request, "70");
    osip_message_set_user_agent(request, engine->user_agent);
    g_free(bracketed);
    return request;

failed:
    g_free(bracketed);
    osip_message_free(request);
    return NULL;
}
