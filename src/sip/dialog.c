/*
 * SIP dialogs (RFC 3261 §12); see dialog.h.
 */
#ifndef G_LOG_DOMAIN
#define G_LOG_DOMAIN "rtcshim"
#endif

#include <stdlib.h>
#include <string.h>

#include "dialog.h"
#include "resolver.h"

const char *sip_header_tag(const osip_from_t *header)
{
    osip_generic_param_t *tag = NULL;

    if (!header)
        return NULL;
    osip_from_get_tag((osip_from_t *)header, &tag);
    return tag && tag->gvalue ? tag->gvalue : NULL;
}

static gboolean tags_equal(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    return !strcmp(a, b);
}

/* "number@host" or "number" */
static char *call_id_string(const osip_call_id_t *call_id)
{
    if (!call_id || !call_id->number)
        return NULL;
    if (call_id->host)
        return g_strconcat(call_id->number, "@", call_id->host, NULL);
    return g_strdup(call_id->number);
}

static gboolean call_id_equals(const osip_call_id_t *call_id, const char *value)
{
    gsize number_length;

    if (!call_id || !call_id->number || !value)
        return FALSE;
    number_length = strlen(call_id->number);
    if (strncmp(value, call_id->number, number_length))
        return FALSE;
    if (!call_id->host)
        return value[number_length] == 0;
    return value[number_length] == '@' && !strcmp(value + number_length + 1, call_id->host);
}

static guint32 cseq_number(const osip_message_t *message)
{
    if (!message->cseq || !message->cseq->number)
        return 0;
    return (guint32)strtoul(message->cseq->number, NULL, 10);
}

/* The URI of the first Contact, cloned; NULL if none or a wildcard. */
static osip_uri_t *contact_uri(const osip_message_t *message)
{
    osip_contact_t *contact = NULL;
    osip_uri_t *uri = NULL;

    osip_message_get_contact(message, 0, &contact);
    if (!contact || !contact->url || !contact->url->host)
        return NULL;
    osip_uri_clone(contact->url, &uri);
    return uri;
}

static void clear_route_set(struct sip_dialog *dialog)
{
    osip_list_special_free(&dialog->route_set, (void (*)(void *))osip_route_free);
    osip_list_init(&dialog->route_set);
}

/* Copies Record-Route into the route set, reversed for the UAC (§12.1.2). */
static void set_route_set(struct sip_dialog *dialog, const osip_message_t *message, gboolean reverse)
{
    osip_record_route_t *record_route;
    int i;

    clear_route_set(dialog);
    for (i = 0; !osip_list_eol(&message->record_routes, i); i++)
    {
        osip_route_t *route = NULL;

        record_route = osip_list_get(&message->record_routes, i);
        if (osip_route_clone((osip_route_t *)record_route, &route) != 0)
            continue;
        osip_list_add(&dialog->route_set, route, reverse ? 0 : -1);
    }
}

static struct sip_dialog *dialog_alloc(void)
{
    struct sip_dialog *dialog = g_new0(struct sip_dialog, 1);

    osip_list_init(&dialog->route_set);
    return dialog;
}

/* The UAC side from what our request said (its From, Request-URI, CSeq
 * number) and a response with a To tag. */
static struct sip_dialog *dialog_new_uac(const osip_from_t *local, const osip_uri_t *request_uri, guint32 local_cseq,
                                         gboolean secure, const osip_message_t *response)
{
    const char *local_tag, *remote_tag;
    struct sip_dialog *dialog;

    if (!local || !response->to || !response->call_id)
        return NULL;
    local_tag = sip_header_tag(local);
    remote_tag = sip_header_tag(response->to);
    if (!remote_tag || !local_tag)
        return NULL;

    dialog = dialog_alloc();
    dialog->is_uac = TRUE;
    dialog->state = MSG_IS_STATUS_2XX(response) ? SIP_DIALOG_CONFIRMED : SIP_DIALOG_EARLY;
    dialog->call_id = call_id_string(response->call_id);
    dialog->local_tag = g_strdup(local_tag);
    dialog->remote_tag = g_strdup(remote_tag);
    osip_from_clone(local, &dialog->local);
    osip_to_clone(response->to, &dialog->remote);
    dialog->remote_target = contact_uri(response);
    if (!dialog->remote_target && request_uri)
        osip_uri_clone(request_uri, &dialog->remote_target);
    set_route_set(dialog, response, TRUE);
    dialog->local_cseq = local_cseq;
    dialog->secure = secure;
    if (!dialog->call_id || !dialog->local || !dialog->remote || !dialog->remote_target)
    {
        sip_dialog_free(dialog);
        return NULL;
    }
    return dialog;
}

struct sip_dialog *sip_dialog_new_uac(const osip_message_t *request, const osip_message_t *response)
{
    if (!request->req_uri)
        return NULL;
    return dialog_new_uac(request->from, request->req_uri, cseq_number(request),
                          request->req_uri->scheme && !g_ascii_strcasecmp(request->req_uri->scheme, "sips"), response);
}

struct sip_dialog *sip_dialog_new_uac_from_2xx(const osip_message_t *response, gboolean secure)
{
    return dialog_new_uac(response->from, NULL, cseq_number(response), secure, response);
}

struct sip_dialog *sip_dialog_new_uas(const osip_message_t *request, const char *local_tag)
{
    struct sip_dialog *dialog;

    if (!request->from || !request->to || !request->call_id || !request->req_uri || !local_tag)
        return NULL;

    dialog = dialog_alloc();
    dialog->is_uac = FALSE;
    dialog->state = SIP_DIALOG_EARLY;
    dialog->call_id = call_id_string(request->call_id);
    dialog->local_tag = g_strdup(local_tag);
    dialog->remote_tag = g_strdup(sip_header_tag(request->from));
    osip_from_clone(request->from, &dialog->remote);
    osip_to_clone(request->to, &dialog->local);
    if (dialog->local && !sip_header_tag(dialog->local))
        osip_to_set_tag(dialog->local, osip_strdup(local_tag));
    dialog->remote_target = contact_uri(request);
    if (!dialog->remote_target && request->from->url)
        osip_uri_clone(request->from->url, &dialog->remote_target);
    set_route_set(dialog, request, FALSE);
    dialog->remote_cseq = cseq_number(request);
    dialog->remote_cseq_known = TRUE;
    dialog->secure = request->req_uri->scheme && !g_ascii_strcasecmp(request->req_uri->scheme, "sips");
    if (!dialog->call_id || !dialog->local || !dialog->remote || !dialog->remote_target)
    {
        sip_dialog_free(dialog);
        return NULL;
    }
    return dialog;
}

void sip_dialog_free(struct sip_dialog *dialog)
{
    if (!dialog)
        return;
    g_free(dialog->call_id);
    g_free(dialog->local_tag);
    g_free(dialog->remote_tag);
    osip_from_free(dialog->local);
    osip_to_free(dialog->remote);
    osip_uri_free(dialog->remote_target);
    osip_list_special_free(&dialog->route_set, (void (*)(void *))osip_route_free);
    g_free(dialog);
}

void sip_dialog_set_confirmed(struct sip_dialog *dialog)
{
    dialog->state = SIP_DIALOG_CONFIRMED;
}

void sip_dialog_confirm_uac(struct sip_dialog *dialog, const osip_message_t *response)
{
    dialog->state = SIP_DIALOG_CONFIRMED;
    set_route_set(dialog, response, TRUE);
    sip_dialog_refresh_target(dialog, response);
    /* The 2xx's To carries the definitive remote name-addr. */
    if (response->to)
    {
        osip_to_t *remote = NULL;

        if (!osip_to_clone(response->to, &remote))
        {
            osip_to_free(dialog->remote);
            dialog->remote = remote;
        }
    }
}

gboolean sip_dialog_matches_request(const struct sip_dialog *dialog, const osip_message_t *request)
{
    return call_id_equals(request->call_id, dialog->call_id)
        && tags_equal(sip_header_tag(request->to), dialog->local_tag)
        && tags_equal(sip_header_tag(request->from), dialog->remote_tag);
}

gboolean sip_dialog_matches_response(const struct sip_dialog *dialog, const osip_message_t *response)
{
    return call_id_equals(response->call_id, dialog->call_id)
        && tags_equal(sip_header_tag(response->from), dialog->local_tag)
        && tags_equal(sip_header_tag(response->to), dialog->remote_tag);
}

gboolean sip_dialog_accept_remote_cseq(struct sip_dialog *dialog, const osip_message_t *request)
{
    guint32 number;

    if (MSG_IS_ACK(request) || MSG_IS_CANCEL(request))
        return TRUE;
    number = cseq_number(request);
    if (dialog->remote_cseq_known && number <= dialog->remote_cseq)
        return FALSE;
    dialog->remote_cseq = number;
    dialog->remote_cseq_known = TRUE;
    return TRUE;
}

void sip_dialog_refresh_target(struct sip_dialog *dialog, const osip_message_t *message)
{
    osip_uri_t *target = contact_uri(message);

    if (!target)
        return;
    osip_uri_free(dialog->remote_target);
    dialog->remote_target = target;
}

static gboolean route_is_loose(const osip_route_t *route)
{
    osip_uri_param_t *lr = NULL;

    if (!route || !route->url)
        return FALSE;
    osip_uri_uparam_get_byname(route->url, "lr", &lr);
    return lr != NULL;
}

static void add_route(osip_message_t *message, const osip_route_t *route)
{
    osip_route_t *copy = NULL;

    if (!osip_route_clone(route, &copy))
        osip_list_add(&message->routes, copy, -1);
}

static osip_message_t *build_request(struct sip_dialog *dialog, const char *method, guint32 cseq)
{
    const osip_route_t *first = osip_list_get(&dialog->route_set, 0);
    osip_uri_t *request_uri = NULL;
    osip_message_t *request;
    char buffer[64];
    int i;

    if (osip_message_init(&request))
        return NULL;
    osip_message_set_method(request, osip_strdup(method));
    osip_message_set_version(request, osip_strdup("SIP/2.0"));

    if (first && !route_is_loose(first))
    {
        /* Strict router (RFC 2543): it goes in the Request-URI, the remote
         * target becomes the last Route (§12.2.1.1). */
        osip_route_t *target_route = NULL;

        osip_uri_clone(first->url, &request_uri);
        osip_uri_param_freelist(&request_uri->url_params);
        osip_list_init(&request_uri->url_params);
        for (i = 1; !osip_list_eol(&dialog->route_set, i); i++)
            add_route(request, osip_list_get(&dialog->route_set, i));
        if (!osip_route_init(&target_route))
        {
            osip_uri_clone(dialog->remote_target, &target_route->url);
            osip_list_add(&request->routes, target_route, -1);
        }
    }
    else
    {
        osip_uri_clone(dialog->remote_target, &request_uri);
        for (i = 0; !osip_list_eol(&dialog->route_set, i); i++)
            add_route(request, osip_list_get(&dialog->route_set, i));
    }
    osip_message_set_uri(request, request_uri);

    osip_from_clone(dialog->local, &request->from);
    osip_to_clone(dialog->remote, &request->to);
    osip_message_set_call_id(request, dialog->call_id);
    g_snprintf(buffer, sizeof(buffer), "%u %s", cseq, method);
    osip_message_set_cseq(request, buffer);
    osip_message_set_max_forwards(request, "70");
    if (!request->req_uri || !request->from || !request->to || !request->call_id || !request->cseq)
    {
        osip_message_free(request);
        return NULL;
    }
    return request;
}

osip_message_t *sip_dialog_build_request(struct sip_dialog *dialog, const char *method)
{
    guint32 cseq = dialog->local_cseq;

    if (strcmp(method, "ACK") && strcmp(method, "CANCEL"))
    {
        cseq = ++dialog->local_cseq;
        if (!cseq)      /* 2^32 wrap: 0 is not a valid start (§8.1.1.5) */
            cseq = dialog->local_cseq = 1;
    }
    return build_request(dialog, method, cseq);
}

osip_message_t *sip_dialog_build_ack(struct sip_dialog *dialog, guint32 invite_cseq)
{
    return build_request(dialog, "ACK", invite_cseq);
}

gboolean sip_uri_next_hop(const osip_uri_t *uri, enum sip_transport_protocol default_protocol,
                          struct sip_next_hop *hop)
{
    osip_uri_param_t *transport = NULL, *maddr = NULL;
    const char *host;

    memset(hop, 0, sizeof(*hop));
    if (!uri || !uri->host)
        return FALSE;
    hop->protocol = default_protocol;
    if (uri->scheme && !g_ascii_strcasecmp(uri->scheme, "sips"))
    {
        hop->protocol = SIP_TRANSPORT_TLS;
        hop->secure = hop->transport_given = TRUE;
    }
    osip_uri_uparam_get_byname((osip_uri_t *)uri, "transport", &transport);
    if (transport && transport->gvalue && !hop->secure)
    {
        hop->transport_given = TRUE;
        if (!g_ascii_strcasecmp(transport->gvalue, "udp"))
            hop->protocol = SIP_TRANSPORT_UDP;
        else if (!g_ascii_strcasecmp(transport->gvalue, "tcp"))
            hop->protocol = SIP_TRANSPORT_TCP;
        else if (!g_ascii_strcasecmp(transport->gvalue, "tls"))
            hop->protocol = SIP_TRANSPORT_TLS;
        else
            hop->transport_given = FALSE;       /* sctp, ws...: not ours; pick one */
    }
    osip_uri_uparam_get_byname((osip_uri_t *)uri, "maddr", &maddr);
    host = maddr && maddr->gvalue ? maddr->gvalue : uri->host;
    if (uri->port && uri->port[0])
    {
        char *end;
        unsigned long port = strtoul(uri->port, &end, 10);

        if (*end || !port || port > 65535)
            return FALSE;
        hop->port = port;
    }
    if (sip_transport_host_is_usable(host))
    {
        g_strlcpy(hop->host, host, sizeof(hop->host));
        if (!hop->port)
            hop->port = hop->protocol == SIP_TRANSPORT_TLS ? 5061 : 5060;
        return strlen(host) < sizeof(hop->host);
    }
    /* A name: resolved when the request goes (RFC 3263). */
    if (!sip_resolver_check(host, NULL) || strlen(host) >= sizeof(hop->name))
        return FALSE;
    g_strlcpy(hop->name, host, sizeof(hop->name));
    return TRUE;
}

gboolean sip_next_hop_needs_dns(const struct sip_next_hop *hop)
{
    return !hop->host[0] && hop->name[0];
}

gboolean sip_dialog_next_hop(const struct sip_dialog *dialog, struct sip_next_hop *hop)
{
    const osip_route_t *first = osip_list_get(&dialog->route_set, 0);
    const osip_uri_t *uri = first && first->url ? first->url : dialog->remote_target;
    gboolean usable = sip_uri_next_hop(uri, dialog->protocol, hop);

    if (hop->protocol == dialog->protocol && hop->protocol != SIP_TRANSPORT_UDP)
        hop->connection_id = dialog->connection_id;
    return usable;
}
