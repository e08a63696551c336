/*
 * The SIP engine: libosip2's transaction FSMs on a GLib main context, the
 * checks every received request goes through, and the dispatch up to the
 * transaction users. See engine.h for the message flow.
 */
#ifndef G_LOG_DOMAIN
#define G_LOG_DOMAIN "rtcshim"
#endif

#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "call.h"
#include "refer.h"
#include "digest.h"
#include "request_check.h"
#include "sipfrag.h"

#define DEFAULT_USER_AGENT "rtcshim/0.1"

G_DEFINE_QUARK(rtcshim-sip-engine-error-quark, sip_engine_error)

/* What the engine keeps per libosip2 transaction (its "your_instance"). */
struct transaction_context
{
    struct sip_engine *engine;
    enum sip_transport_protocol protocol;
    guint connection_id;
    const struct engine_transaction_user *user;
    void *data;
    GDestroyNotify destroy;
    char *key;                          /* in server_/client_transactions, or NULL */
    gboolean queued;                    /* in engine->ready */
    gint64 deadline;                    /* next FSM timer, monotonic us (-1: none) */
    guint64 timer_order;                /* keeps equal deadlines in order */
    GSequenceIter *timer_iter;          /* in engine->transaction_timers */
    gboolean dead;                      /* killed, awaiting free */
    gboolean final_reported;            /* client: a final outcome went to the user */
    guint auth_attempts;                /* client: times the request was re-sent with credentials */
    GPtrArray *answered_realms;         /* client: realms already answered (char *) */
    struct sip_request_verdict verdict; /* server: answer this instead of dispatching */
};

struct engine_timer
{
    gint64 deadline;
    guint64 sequence;                   /* keeps timers with equal deadlines in order */
    engine_timer_func func;
    void *data;
    GDestroyNotify destroy;
    GSequenceIter *iter;
};

struct engine_pending_event
{
    engine_event_func deliver;
    void *data;
    GDestroyNotify destroy;
};

struct timer_source
{
    GSource source;
    struct sip_engine *engine;
};

static guint64 timer_sequence;

const char *sip_transport_protocol_name(enum sip_transport_protocol protocol)
{
    switch (protocol)
    {
    case SIP_TRANSPORT_UDP: return "UDP";
    case SIP_TRANSPORT_TCP: return "TCP";
    case SIP_TRANSPORT_TLS: return "TLS";
    }
    return "UDP";
}

static struct sip_engine *engine_of(osip_transaction_t *transaction)
{
    return osip_get_application_context((osip_t *)transaction->config);
}

static struct transaction_context *context_of(osip_transaction_t *transaction)
{
    return osip_transaction_get_your_instance(transaction);
}

/* ---- small helpers ------------------------------------------------------------ */

char *engine_new_token(struct sip_engine *engine)
{
    return g_strdup_printf("%08x%08x", g_rand_int(engine->rand), g_rand_int(engine->rand));
}

char *engine_new_branch(struct sip_engine *engine)
{
    return g_strdup_printf("z9hG4bK%08x%08x", g_rand_int(engine->rand), g_rand_int(engine->rand));
}

guint engine_next_request_id(struct sip_engine *engine)
{
    if (!++engine->last_request_id)
        ++engine->last_request_id;
    return engine->last_request_id;
}

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
        return g_strdup_printf("%s@%s", call_id->number, call_id->host);
    return g_strdup(call_id->number);
}

guint32 engine_cseq_number(const osip_message_t *message)
{
    if (!message->cseq || !message->cseq->number)
        return 0;
    return (guint32)strtoul(message->cseq->number, NULL, 10);
}

static const char *via_branch(const osip_via_t *via)
{
    osip_generic_param_t *branch = NULL;

    if (!via)
        return NULL;
    osip_via_param_get_byname((osip_via_t *)via, "branch", &branch);
    return branch && branch->gvalue ? branch->gvalue : NULL;
}

/* Transaction keys (§17.1.3, §17.2.3). Only RFC 3261 branches (magic
 * cookie) are keyed; others fall back to libosip2's own matching. ACK
 * matches its INVITE's server transaction. */
static char *server_key(const osip_message_t *request)
{
    const osip_via_t *via = osip_list_get(&request->vias, 0);
    const char *branch = via_branch(via), *method = request->cseq ? request->cseq->method : NULL;

    if (!method || !via || !via->host)
        return NULL;
    if (!strcmp(method, "ACK"))
        method = "INVITE";
    if (branch && !strncmp(branch, "z9hG4bK", 7))
        return g_strdup_printf("%s\n%s:%s\n%s", branch, via->host, via->port ? via->port : "5060", method);
    /* An RFC 2543 peer (§17.2.3): Call-ID, CSeq, From tag and sent-by,
     * without the To tag, which the ACK of a non-2xx adds. */
    if (!request->call_id || !request->call_id->number || !request->cseq->number)
        return NULL;
    return g_strdup_printf("2543\n%s@%s\n%s %s\n%s\n%s:%s", request->call_id->number,
                           request->call_id->host ? request->call_id->host : "", request->cseq->number, method,
                           sip_header_tag(request->from) ? sip_header_tag(request->from) : "", via->host,
                           via->port ? via->port : "5060");
}

static char *client_key(const osip_message_t *message)
{
    const osip_via_t *via = osip_list_get(&message->vias, 0);
    const char *branch = via_branch(via), *method = message->cseq ? message->cseq->method : NULL;

    if (!branch || !method)
        return NULL;
    return g_strdup_printf("%s\n%s", branch, method);
}

static char *call_key(const char *call_id, const char *tag)
{
    return g_strdup_printf("%s\n%s", call_id, tag ? tag : "");
}

static void trace_message(struct sip_engine *engine, const char *direction, enum sip_transport_protocol protocol,
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
static gboolean transmit(struct sip_engine *engine, osip_message_t *message, enum sip_transport_protocol protocol,
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
    trace_message(engine, "send to", protocol, host, port, text, length);
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

/* libosip2's send callback: requests go to the destination we set on the
 * transaction, responses to what their top Via says (received/rport). */
static int on_send_message(osip_transaction_t *transaction, osip_message_t *message, char *host, int port,
                           int out_socket)
{
    struct sip_engine *engine = engine_of(transaction);
    struct transaction_context *context = context_of(transaction);

    (void)out_socket;
    if (!host || port <= 0 || port > 65535)
        return -1;
    return transmit(engine, message, context->protocol, host, port, &context->connection_id) ? 0 : -1;
}

gboolean engine_add_via(struct sip_engine *engine, osip_message_t *request, const struct sip_next_hop *hop)
{
    char host[SIP_HOST_BUFFER_SIZE], *branch, *value;
    const char *sent_by;
    osip_via_t *via;
    guint16 port;

    if (!sip_transport_local_address(engine->transports, hop->protocol, hop->host, host, &port))
        return FALSE;
    sent_by = engine->advertised_host ? engine->advertised_host : host;
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
    char host[SIP_HOST_BUFFER_SIZE], *value;
    const char *address;
    guint16 port;

    if (!sip_transport_local_address(engine->transports, protocol, destination_ip, host, &port))
        return;
    address = engine->advertised_host ? engine->advertised_host : host;
    value = g_strdup_printf("<sip:%s%s%s%s%s:%u%s>", user && *user ? user : "", user && *user ? "@" : "",
                            strchr(address, ':') ? "[" : "", address, strchr(address, ':') ? "]" : "", port,
                            protocol == SIP_TRANSPORT_TCP ? ";transport=tcp"
                            : protocol == SIP_TRANSPORT_TLS ? ";transport=tls" : "");
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

gboolean engine_media_address(struct sip_engine *engine, enum sip_transport_protocol protocol,
                              const char *destination_ip, char *bind_host, const char **advertised)
{
    guint16 port;

    if (!sip_transport_local_address(engine->transports, protocol, destination_ip, bind_host, &port))
        return FALSE;
    *advertised = engine->advertised_host ? engine->advertised_host : bind_host;
    return TRUE;
}

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
        g_set_error(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_UNRESOLVABLE,
                    "cannot reach \"%s\": the host must be an IP address (no DNS yet)",
                    uri && uri->host ? uri->host : "(null)");
        return FALSE;
    }
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

/* ---- transactions ------------------------------------------------------------------ */

/* ---- transaction timers -------------------------------------------------------------
 *
 * libosip2's FSMs keep each transaction's timers A-K as start times in
 * their contexts; osip_timers_gettimeout() and osip_timers_*_execute() find
 * the due ones by scanning every transaction, and libosip2 appends each new
 * transaction to a linked list by walking it. Both are O(live transactions)
 * per message, and with timers D/J/K keeping transactions 32 s, that made
 * the cost per call grow with the call rate (61 % of the CPU in
 * osip_list_add at 2,500 calls/s). So transactions stay out of libosip2's
 * lists, and after each FSM step the engine files the transaction under
 * its next timer (read from the same fields, with libosip2's rules) in
 * one ordered sequence that the engine's single timer source serves. */

static gint64 timeval_us(const struct timeval *tv)
{
    return (gint64)tv->tv_sec * G_USEC_PER_SEC + tv->tv_usec;
}

/* The earlier of deadline and a timer; timers "not started" are -1. */
static gint64 earlier(gint64 deadline, const struct timeval *timer)
{
    if (timer->tv_sec == -1)
        return deadline;
    return sip_timer_earliest(deadline, timeval_us(timer));
}

/* When libosip2 would next fire a timer for the transaction (-1: never). */
static gint64 transaction_deadline(osip_transaction_t *transaction)
{
    gint64 deadline = -1;

    switch (transaction->ctx_type)
    {
    case ICT:
        if (transaction->state == ICT_CALLING)
            deadline = earlier(earlier(deadline, &transaction->ict_context->timer_b_start),
                               &transaction->ict_context->timer_a_start);
        else if (transaction->state == ICT_COMPLETED)
            deadline = earlier(deadline, &transaction->ict_context->timer_d_start);
        break;
    case IST:
        if (transaction->state == IST_COMPLETED)
            deadline = earlier(earlier(deadline, &transaction->ist_context->timer_h_start),
                               &transaction->ist_context->timer_g_start);
        else if (transaction->state == IST_CONFIRMED)
            deadline = earlier(deadline, &transaction->ist_context->timer_i_start);
        break;
    case NICT:
        if (transaction->state == NICT_TRYING || transaction->state == NICT_PROCEEDING)
            deadline = earlier(earlier(deadline, &transaction->nict_context->timer_f_start),
                               &transaction->nict_context->timer_e_start);
        else if (transaction->state == NICT_COMPLETED)
            deadline = earlier(deadline, &transaction->nict_context->timer_k_start);
        break;
    case NIST:
        if (transaction->state == NIST_COMPLETED)
            deadline = earlier(deadline, &transaction->nist_context->timer_j_start);
        break;
    }
    return deadline;
}

static gboolean due(const struct timeval *timer, gint64 now)
{
    return timer->tv_sec != -1 && timeval_us(timer) <= now;
}

static osip_event_t *timeout_event(osip_transaction_t *transaction, type_t type)
{
    osip_event_t *event = osip_malloc(sizeof(*event));

    if (!event)
        return NULL;
    memset(event, 0, sizeof(*event));
    event->type = type;
    event->transactionid = transaction->transactionid;
    return event;
}

/* The timeout event libosip2's osip_timers_*_execute() would make now, in
 * its order of precedence (B before A, H before G, F before E), or NULL. */
static osip_event_t *due_timeout(osip_transaction_t *transaction, gint64 now)
{
    switch (transaction->ctx_type)
    {
    case ICT:
    {
        osip_ict_t *ict = transaction->ict_context;

        if (transaction->state == ICT_CALLING && due(&ict->timer_b_start, now))
            return timeout_event(transaction, TIMEOUT_B);
        if (transaction->state == ICT_CALLING && due(&ict->timer_a_start, now))
            return timeout_event(transaction, TIMEOUT_A);
        if (transaction->state == ICT_COMPLETED && due(&ict->timer_d_start, now))
            return timeout_event(transaction, TIMEOUT_D);
        break;
    }
    case IST:
    {
        osip_ist_t *ist = transaction->ist_context;

        if (transaction->state == IST_CONFIRMED && due(&ist->timer_i_start, now))
            return timeout_event(transaction, TIMEOUT_I);
        if (transaction->state == IST_COMPLETED && due(&ist->timer_h_start, now))
            return timeout_event(transaction, TIMEOUT_H);
        if (transaction->state == IST_COMPLETED && due(&ist->timer_g_start, now))
            return timeout_event(transaction, TIMEOUT_G);
        break;
    }
    case NICT:
    {
        osip_nict_t *nict = transaction->nict_context;
        gboolean active = transaction->state == NICT_TRYING || transaction->state == NICT_PROCEEDING;

        if (transaction->state == NICT_COMPLETED && due(&nict->timer_k_start, now))
            return timeout_event(transaction, TIMEOUT_K);
        if (active && due(&nict->timer_f_start, now))
            return timeout_event(transaction, TIMEOUT_F);
        if (active && due(&nict->timer_e_start, now))
            return timeout_event(transaction, TIMEOUT_E);
        break;
    }
    case NIST:
        if (transaction->state == NIST_COMPLETED && due(&transaction->nist_context->timer_j_start, now))
            return timeout_event(transaction, TIMEOUT_J);
        break;
    }
    return NULL;
}

/* ---- completed non-INVITE server transactions -------------------------------------
 *
 * Once it has answered, a non-INVITE server transaction only resends its
 * final response to retransmissions until timer J (64*T1 over UDP). A
 * libosip2 transaction carries some 15 KB (an embedded DNS SRV record), so
 * at thousands of requests a second it is retired into this: the key, the
 * response as sent and where it went, for the same 64*T1. */

struct completed_response
{
    struct sip_engine *engine;
    char *key;
    char *text;
    gsize length;
    enum sip_transport_protocol protocol;
    char host[SIP_HOST_BUFFER_SIZE];
    guint16 port;
    guint connection_id;
};

static void completed_response_free(void *data)
{
    struct completed_response *completed = data;

    g_free(completed->key);
    osip_free(completed->text);
    g_free(completed);
}

static void completed_response_expired(struct sip_engine *engine, void *data)
{
    struct completed_response *completed = data;

    if (g_hash_table_lookup(engine->completed, completed->key) == completed)
        g_hash_table_remove(engine->completed, completed->key);
}

static void transaction_kill(struct sip_engine *engine, osip_transaction_t *transaction);

/* Replaces a completed NIST by its response; FALSE to keep the transaction. */
static gboolean retire_completed(struct sip_engine *engine, osip_transaction_t *transaction)
{
    struct transaction_context *context = context_of(transaction);
    struct completed_response *completed;
    char *host = NULL;
    int port = 0;

    /* Over a reliable transport timer J is zero: nothing to keep. */
    if (!context->key || !transaction->last_response || transaction->nist_context->timer_j_length <= 0)
        return FALSE;
    osip_response_get_destination(transaction->last_response, &host, &port);
    if (!host || port <= 0 || port > 65535)
    {
        osip_free(host);
        return FALSE;
    }
    completed = g_new0(struct completed_response, 1);
    completed->engine = engine;
    if (osip_message_to_str(transaction->last_response, &completed->text, &completed->length) || !completed->text)
    {
        osip_free(host);
        completed_response_free(completed);
        return FALSE;
    }
    completed->key = g_strdup(context->key);
    completed->protocol = context->protocol;
    g_strlcpy(completed->host, host, sizeof(completed->host));
    completed->port = port;
    completed->connection_id = context->connection_id;
    osip_free(host);
    g_hash_table_replace(engine->completed, completed->key, completed);
    engine_timer_start(engine, transaction->nist_context->timer_j_length, completed_response_expired, completed,
                       completed_response_free);
    transaction_kill(engine, transaction);
    return TRUE;
}

/* A retransmitted request whose transaction was retired: answer again. */
static gboolean answer_retransmission(struct sip_engine *engine, const osip_message_t *request)
{
    struct completed_response *completed;
    char *key = server_key(request);

    completed = key ? g_hash_table_lookup(engine->completed, key) : NULL;
    g_free(key);
    if (!completed)
        return FALSE;
    trace_message(engine, "send again to", completed->protocol, completed->host, completed->port, completed->text,
                  completed->length);
    if (sip_transport_send(engine->transports, completed->protocol, completed->host, completed->port,
                           completed->connection_id, completed->text, completed->length, NULL, NULL))
        engine->stats.messages_sent++;
    return TRUE;
}

static gint compare_transaction_deadlines(gconstpointer a, gconstpointer b, gpointer user_data)
{
    const struct transaction_context *ca = context_of((osip_transaction_t *)a);
    const struct transaction_context *cb = context_of((osip_transaction_t *)b);

    (void)user_data;
    if (ca->deadline != cb->deadline)
        return ca->deadline < cb->deadline ? -1 : 1;
    return ca->timer_order < cb->timer_order ? -1 : ca->timer_order > cb->timer_order;
}

static void unschedule(struct transaction_context *context)
{
    if (context->timer_iter)
    {
        g_sequence_remove(context->timer_iter);
        context->timer_iter = NULL;
    }
    context->deadline = -1;
}

/* Files the transaction under its next timer after an FSM step. */
static void reschedule(struct sip_engine *engine, osip_transaction_t *transaction)
{
    struct transaction_context *context = context_of(transaction);
    gint64 deadline = context->dead ? -1 : transaction_deadline(transaction);

    if (!context->dead && transaction->ctx_type == NIST && transaction->state == NIST_COMPLETED
        && retire_completed(engine, transaction))
        return;

    if (deadline == context->deadline && (deadline < 0) == !context->timer_iter)
        return;
    unschedule(context);
    if (deadline < 0)
        return;
    context->deadline = deadline;
    context->timer_order = ++timer_sequence;
    context->timer_iter = g_sequence_insert_sorted(engine->transaction_timers, transaction,
                                                   compare_transaction_deadlines, NULL);
}

static void transaction_add_event(struct sip_engine *engine, osip_transaction_t *transaction, osip_event_t *event)
{
    struct transaction_context *context = context_of(transaction);

    osip_transaction_add_event(transaction, event);
    if (!context->queued && !context->dead)
    {
        context->queued = TRUE;
        g_queue_push_tail(&engine->ready, transaction);
    }
}

static osip_transaction_t *transaction_new(struct sip_engine *engine, osip_fsm_type_t type, osip_message_t *request,
                                           enum sip_transport_protocol protocol, guint connection_id)
{
    struct transaction_context *context;
    osip_transaction_t *transaction;
    GHashTable *table;

    if (osip_transaction_init(&transaction, type, engine->osip, request))
        return NULL;
    /* Out of libosip2's lists at once (see "transaction timers"): with the
     * lists kept empty, its append and removal cost nothing. */
    osip_remove_transaction(engine->osip, transaction);
    context = g_new0(struct transaction_context, 1);
    context->engine = engine;
    context->protocol = protocol;
    context->connection_id = connection_id;
    context->deadline = -1;
    osip_transaction_set_your_instance(transaction, context);
    g_hash_table_add(engine->transactions, transaction);
    if (type == IST || type == NIST)
    {
        context->key = server_key(request);
        table = engine->server_transactions;
    }
    else
    {
        context->key = client_key(request);
        table = engine->client_transactions;
    }
    if (context->key)
        g_hash_table_replace(table, context->key, transaction);
    engine->stats.transactions++;
    return transaction;
}

static void transaction_free(struct sip_engine *engine, osip_transaction_t *transaction)
{
    struct transaction_context *context = context_of(transaction);

    if (context)
    {
        if (context->destroy)
            context->destroy(context->data);
        sip_request_verdict_clear(&context->verdict);
        if (context->answered_realms)
            g_ptr_array_free(context->answered_realms, TRUE);
        g_free(context->key);
        g_free(context);
    }
    osip_transaction_free2(transaction);
    engine->stats.transactions--;
}

static void forget_transaction_key(struct sip_engine *engine, osip_transaction_t *transaction)
{
    struct transaction_context *context = context_of(transaction);
    GHashTable *table;

    if (!context->key)
        return;
    table = transaction->ctx_type == IST || transaction->ctx_type == NIST
            ? engine->server_transactions : engine->client_transactions;
    if (g_hash_table_lookup(table, context->key) == transaction)
        g_hash_table_remove(table, context->key);
}

static void free_dead_transactions(struct sip_engine *engine)
{
    guint i;

    if (engine->running || engine->dead_hold || !engine->dead->len)
        return;
    for (i = 0; i < engine->dead->len; i++)
        transaction_free(engine, g_ptr_array_index(engine->dead, i));
    g_ptr_array_set_size(engine->dead, 0);
}

void engine_run(struct sip_engine *engine)
{
    osip_transaction_t *transaction;

    if (engine->running)
        return;     /* the outer run picks up what was queued */
    engine->running = TRUE;
    while ((transaction = g_queue_pop_head(&engine->ready)))
    {
        struct transaction_context *context = context_of(transaction);
        osip_event_t *event;

        context->queued = FALSE;
        while (!context->dead && (event = osip_fifo_tryget(transaction->transactionff)))
            osip_transaction_execute(transaction, event);
        reschedule(engine, transaction);
    }
    engine->running = FALSE;
    free_dead_transactions(engine);
}

static osip_event_t *incoming_event(osip_message_t *message)
{
    osip_event_t *event = osip_malloc(sizeof(*event));

    if (!event)
        return NULL;
    memset(event, 0, sizeof(*event));
    event->sip = message;
    if (MSG_IS_REQUEST(message))
        event->type = MSG_IS_INVITE(message) ? RCV_REQINVITE : MSG_IS_ACK(message) ? RCV_REQACK : RCV_REQUEST;
    else if (MSG_IS_STATUS_1XX(message))
        event->type = RCV_STATUS_1XX;
    else if (MSG_IS_STATUS_2XX(message))
        event->type = RCV_STATUS_2XX;
    else
        event->type = RCV_STATUS_3456XX;
    return event;
}

static void deliver_to_transaction(struct sip_engine *engine, osip_transaction_t *transaction, osip_message_t *message)
{
    osip_event_t *event = incoming_event(message);

    if (!event)
    {
        osip_message_free(message);
        return;
    }
    transaction_add_event(engine, transaction, event);
    engine_run(engine);
}

osip_transaction_t *engine_send_request(struct sip_engine *engine, osip_message_t *request,
                                        const struct sip_next_hop *hop,
                                        const struct engine_transaction_user *user, void *data,
                                        GDestroyNotify destroy, GError **error)
{
    struct transaction_context *context;
    osip_header_t *user_agent = NULL;
    osip_transaction_t *transaction;
    osip_event_t *event;
    gboolean invite = MSG_IS_INVITE(request);

    if (!osip_list_size(&request->vias) && !engine_add_via(engine, request, hop))
    {
        g_set_error(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_NO_TRANSPORT, "not listening on %s for %s",
                    sip_transport_protocol_name(hop->protocol), hop->host);
        goto failed;
    }
    if (osip_message_get_user_agent(request, 0, &user_agent) < 0)
        osip_message_set_user_agent(request, engine->user_agent);
    transaction = transaction_new(engine, invite ? ICT : NICT, request, hop->protocol, hop->connection_id);
    if (!transaction)
    {
        g_set_error(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_INVALID_ARGUMENT, "cannot start a %s transaction",
                    request->sip_method);
        goto failed;
    }
    if (invite)
        osip_ict_set_destination(transaction->ict_context, osip_strdup(hop->host), hop->port);
    else
        osip_nict_set_destination(transaction->nict_context, osip_strdup(hop->host), hop->port);
    context = context_of(transaction);
    context->data = data;
    context->destroy = destroy;

    event = osip_new_outgoing_sipmessage(request);
    event->transactionid = transaction->transactionid;
    transaction_add_event(engine, transaction, event);

    /* A failure to send right now is returned, not reported to the user:
     * hold the transaction until we have looked at it. */
    engine->dead_hold++;
    engine_run(engine);
    engine->dead_hold--;
    if (context->dead)
    {
        g_set_error(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_TRANSPORT, "cannot send to %s %s:%u",
                    sip_transport_protocol_name(hop->protocol), hop->host, hop->port);
        free_dead_transactions(engine);
        return NULL;
    }
    context->user = user;
    return transaction;

failed:
    osip_message_free(request);
    if (destroy)
        destroy(data);
    return NULL;
}

void engine_respond(struct sip_engine *engine, osip_transaction_t *transaction, osip_message_t *response)
{
    struct transaction_context *context = context_of(transaction);
    osip_event_t *event;

    if (!response)
        return;
    if (context->dead)
    {
        osip_message_free(response);
        return;
    }
    event = osip_new_outgoing_sipmessage(response);
    event->transactionid = transaction->transactionid;
    transaction_add_event(engine, transaction, event);
    engine_run(engine);
}

void engine_respond_simple(struct sip_engine *engine, osip_transaction_t *transaction, guint code, const char *reason)
{
    osip_message_t *request = transaction->orig_request;

    if (!request)
        return;
    engine_respond(engine, transaction, engine_build_response(engine, request, code, reason, NULL));
}

void engine_set_transaction_user(osip_transaction_t *transaction, const struct engine_transaction_user *user,
                                 void *data, GDestroyNotify destroy)
{
    struct transaction_context *context = context_of(transaction);

    if (context->destroy)
        context->destroy(context->data);
    context->user = user;
    context->data = data;
    context->destroy = destroy;
}

enum sip_transport_protocol engine_transaction_protocol(osip_transaction_t *transaction)
{
    return context_of(transaction)->protocol;
}

guint engine_transaction_connection(osip_transaction_t *transaction)
{
    return context_of(transaction)->connection_id;
}

gboolean engine_send_ack(struct sip_engine *engine, osip_message_t *ack, const struct sip_next_hop *hop)
{
    guint connection_id = hop->connection_id;

    if (!osip_list_size(&ack->vias) && !engine_add_via(engine, ack, hop))
        return FALSE;
    return transmit(engine, ack, hop->protocol, hop->host, hop->port, &connection_id);
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
    ok = port > 0 && port <= 65535 && transmit(engine, response, protocol, host, port, &connection_id);
    osip_free(host);
    return ok;
}

/* ---- libosip2 callbacks ------------------------------------------------------------ */

static void transaction_kill(struct sip_engine *engine, osip_transaction_t *transaction)
{
    struct transaction_context *context = context_of(transaction);

    if (context->dead)
        return;
    context->dead = TRUE;
    unschedule(context);
    g_hash_table_remove(engine->transactions, transaction);
    forget_transaction_key(engine, transaction);
    g_ptr_array_add(engine->dead, transaction);
    if (context->user && context->user->terminated)
        context->user->terminated(engine, transaction, context->data);
}

static void on_kill_transaction(int type, osip_transaction_t *transaction)
{
    (void)type;
    transaction_kill(engine_of(transaction), transaction);
}

void engine_abandon_transaction(struct sip_engine *engine, osip_transaction_t *transaction)
{
    transaction_kill(engine, transaction);
    free_dead_transactions(engine);
}

struct engine_credentials
{
    char *username;
    char *password;
};

static void credentials_free(void *data)
{
    struct engine_credentials *credentials = data;

    g_free(credentials->username);
    g_free(credentials->password);
    g_free(credentials);
}

void sip_engine_set_credentials(struct sip_engine *engine, const char *realm, const char *username,
                                const char *password)
{
    struct engine_credentials *credentials;

    g_return_if_fail(engine != NULL);
    if (!password || !username)
    {
        g_hash_table_remove(engine->credentials, realm ? realm : "");
        return;
    }
    credentials = g_new0(struct engine_credentials, 1);
    credentials->username = g_strdup(username);
    credentials->password = g_strdup(password);
    g_hash_table_replace(engine->credentials, g_strdup(realm ? realm : ""), credentials);
}

void sip_engine_clear_credentials(struct sip_engine *engine)
{
    g_return_if_fail(engine != NULL);
    g_hash_table_remove_all(engine->credentials);
}

static gboolean realm_answered(const struct transaction_context *context, const char *realm)
{
    guint i;

    for (i = 0; context->answered_realms && i < context->answered_realms->len; i++)
        if (!strcmp(g_ptr_array_index(context->answered_realms, i), realm))
            return TRUE;
    return FALSE;
}

/* Adds an answer to each challenge of a 401/407 we have credentials for;
 * FALSE if none could be answered. */
static gboolean add_authorizations(struct sip_engine *engine, struct transaction_context *context,
                                   const osip_message_t *response, osip_message_t *request, GPtrArray *realms)
{
    gboolean proxy = osip_message_get_status_code(response) == 407;
    const osip_list_t *challenges = proxy ? &response->proxy_authenticates : &response->www_authenticates;
    char *uri = engine_uri_string(request->req_uri);
    gboolean added = FALSE;
    int i;

    for (i = 0; !osip_list_eol(challenges, i); i++)
    {
        struct sip_digest_challenge challenge = { 0 };
        struct engine_credentials *credentials;
        char *text = NULL, *value;

        /* Both header types share one layout in libosip2. */
        if (osip_www_authenticate_to_str(osip_list_get(challenges, i), &text) || !text)
            continue;
        if (!sip_digest_challenge_parse(text, &challenge, NULL))
        {
            osip_free(text);
            continue;
        }
        osip_free(text);
        credentials = g_hash_table_lookup(engine->credentials, challenge.realm);
        if (!credentials)
            credentials = g_hash_table_lookup(engine->credentials, "");
        /* Challenged again for a realm we answered: wrong credentials,
         * unless the server only found our nonce stale. */
        if (credentials && (!realm_answered(context, challenge.realm) || challenge.stale))
        {
            value = sip_digest_build_authorization(&challenge, credentials->username, credentials->password,
                                                   request->sip_method, uri, 1, NULL, NULL);
            if (value)
            {
                if (proxy)
                    osip_message_set_proxy_authorization(request, value);
                else
                    osip_message_set_authorization(request, value);
                g_ptr_array_add(realms, g_strdup(challenge.realm));
                added = TRUE;
                g_free(value);
            }
        }
        sip_digest_challenge_clear(&challenge);
    }
    g_free(uri);
    return added;
}

static void transaction_add_event(struct sip_engine *engine, osip_transaction_t *transaction, osip_event_t *event);

/* §22.2: a 401/407 gets the request again with credentials, in a new
 * transaction that takes over the old one's user. */
static gboolean retry_with_credentials(struct sip_engine *engine, osip_transaction_t *transaction,
                                       const osip_message_t *response)
{
    struct transaction_context *context = context_of(transaction), *retry_context;
    gboolean proxy = osip_message_get_status_code(response) == 407;
    const osip_message_t *original = transaction->orig_request;
    osip_transaction_t *retry;
    osip_message_t *request = NULL;
    struct sip_next_hop hop = { 0 };
    GPtrArray *realms;
    osip_list_t *old;
    osip_event_t *event;
    char cseq[32];
    char *destination = NULL;
    int port = 0;

    if (!original || context->auth_attempts >= 3 || !g_hash_table_size(engine->credentials)
        || MSG_IS_ACK(original) || MSG_IS_CANCEL(original) || osip_message_clone(original, &request))
        return FALSE;
    /* The answers of this kind are replaced; the other kind is kept. */
    old = proxy ? &request->proxy_authorizations : &request->authorizations;
    osip_list_special_free(old, proxy ? (void (*)(void *))osip_proxy_authorization_free
                                      : (void (*)(void *))osip_authorization_free);
    osip_list_init(old);
    realms = g_ptr_array_new_with_free_func(g_free);
    if (context->answered_realms)
        for (guint i = 0; i < context->answered_realms->len; i++)
            g_ptr_array_add(realms, g_strdup(g_ptr_array_index(context->answered_realms, i)));
    if (!add_authorizations(engine, context, response, request, realms))
        goto failed;

    /* A new transaction: the next CSeq and a new branch (§8.1.3.5). */
    g_snprintf(cseq, sizeof(cseq), "%u %s", engine_cseq_number(request) + 1, request->sip_method);
    osip_cseq_free(request->cseq);
    request->cseq = NULL;
    osip_message_set_cseq(request, cseq);
    osip_transaction_get_destination(transaction, &destination, &port);
    if (!destination)
        goto failed;
    hop.protocol = context->protocol;
    g_strlcpy(hop.host, destination, sizeof(hop.host));
    hop.port = port;
    hop.connection_id = context->connection_id;
    osip_via_free(osip_list_get(&request->vias, 0));
    osip_list_remove(&request->vias, 0);
    if (!engine_add_via(engine, request, &hop))
        goto failed;

    retry = transaction_new(engine, MSG_IS_INVITE(request) ? ICT : NICT, request, hop.protocol, hop.connection_id);
    if (!retry)
        goto failed;
    if (MSG_IS_INVITE(request))
        osip_ict_set_destination(retry->ict_context, osip_strdup(hop.host), hop.port);
    else
        osip_nict_set_destination(retry->nict_context, osip_strdup(hop.host), hop.port);
    retry_context = context_of(retry);
    retry_context->user = context->user;
    retry_context->data = context->data;
    retry_context->destroy = context->destroy;
    retry_context->auth_attempts = context->auth_attempts + 1;
    retry_context->answered_realms = realms;
    context->user = NULL;
    context->data = NULL;
    context->destroy = NULL;
    g_debug("answering a %u with credentials (attempt %u)", osip_message_get_status_code(response),
            retry_context->auth_attempts);

    event = osip_new_outgoing_sipmessage(request);
    event->transactionid = retry->transactionid;
    transaction_add_event(engine, retry, event);
    if (retry_context->user && retry_context->user->replaced)
        retry_context->user->replaced(engine, transaction, retry, request, retry_context->data);
    return TRUE;

failed:
    g_ptr_array_free(realms, TRUE);
    osip_message_free(request);
    return FALSE;
}

static void report_client_outcome(osip_transaction_t *transaction, const osip_message_t *response, guint code)
{
    struct transaction_context *context = context_of(transaction);

    if (response && (code == 401 || code == 407) && !context->final_reported
        && retry_with_credentials(context->engine, transaction, response))
    {
        context->final_reported = TRUE;
        return;
    }
    if (code >= 200)
    {
        if (context->final_reported)
            return;
        context->final_reported = TRUE;
    }
    if (context->user && context->user->response)
        context->user->response(context->engine, transaction, response, code, context->data);
}

/* An outgoing TCP/TLS connection never opened (refused, unreachable, TLS
 * handshake failed): the client transactions that were waiting to go out
 * on it fail now with 503, rather than at timer B/F (32 s later). */
static void on_connection_failed(guint connection_id, void *user_data)
{
    struct sip_engine *engine = user_data;
    GPtrArray *failed = g_ptr_array_new();
    GHashTableIter iter;
    gpointer key;
    guint i;

    g_hash_table_iter_init(&iter, engine->transactions);
    while (g_hash_table_iter_next(&iter, &key, NULL))
    {
        osip_transaction_t *transaction = key;
        struct transaction_context *context = context_of(transaction);

        if ((transaction->ctx_type == ICT || transaction->ctx_type == NICT) && !context->dead
            && context->protocol != SIP_TRANSPORT_UDP && context->connection_id == connection_id)
            g_ptr_array_add(failed, transaction);
    }
    /* The users' handlers may end other transactions: none is freed before
     * the loop is over. */
    engine->dead_hold++;
    for (i = 0; i < failed->len; i++)
    {
        osip_transaction_t *transaction = g_ptr_array_index(failed, i);

        if (context_of(transaction)->dead)
            continue;
        g_debug("connection %u failed: transaction %s fails with 503", connection_id,
                context_of(transaction)->key ? context_of(transaction)->key : "?");
        report_client_outcome(transaction, NULL, 503);
        transaction_kill(engine, transaction);
    }
    engine->dead_hold--;
    g_ptr_array_free(failed, TRUE);
    engine_run(engine);
}

static void on_transport_error(int type, osip_transaction_t *transaction, int error)
{
    (void)error;
    if (type == OSIP_ICT_TRANSPORT_ERROR || type == OSIP_NICT_TRANSPORT_ERROR)
        report_client_outcome(transaction, NULL, 503);
}

static void on_client_response(int type, osip_transaction_t *transaction, osip_message_t *response)
{
    (void)type;
    report_client_outcome(transaction, response, osip_message_get_status_code(response));
}

static void on_client_timeout(int type, osip_transaction_t *transaction, osip_message_t *message)
{
    (void)type;
    (void)message;
    report_client_outcome(transaction, NULL, 408);
}

static void respond_with_verdict(struct sip_engine *engine, osip_transaction_t *transaction,
                                 osip_message_t *request, const struct sip_request_verdict *verdict)
{
    osip_message_t *response = engine_build_response(engine, request, verdict->code, verdict->reason, NULL);

    if (response && verdict->header_name)
        osip_message_set_header(response, verdict->header_name, verdict->header_value);
    engine->stats.bad_requests_rejected++;
    engine_respond(engine, transaction, response);
}

void engine_answer_options(struct sip_engine *engine, osip_transaction_t *transaction, osip_message_t *request)
{
    osip_message_t *response = engine_build_response(engine, request, 200, NULL, NULL);

    if (!response)
        return;
    osip_message_set_allow(response, SIP_ALLOWED_METHODS);
    osip_message_set_accept(response, SIP_ACCEPTED_TYPES);
    osip_message_set_supported(response, SIP_SUPPORTED_OPTIONS);
    engine_respond(engine, transaction, response);
}

/* CANCEL (§9.2): find the INVITE server transaction it names. */
static void handle_cancel(struct sip_engine *engine, osip_transaction_t *transaction, osip_message_t *cancel)
{
    osip_transaction_t *invite_transaction = NULL;
    struct sip_call *call = NULL;
    char *key = server_key(cancel);

    if (key)
    {
        /* server_key() of the CANCEL ends in "CANCEL": look for the INVITE. */
        char *invite_key = g_strdup_printf("%.*sINVITE", (int)(strlen(key) - strlen("CANCEL")), key);
        invite_transaction = g_hash_table_lookup(engine->server_transactions, invite_key);
        g_free(invite_key);
        g_free(key);
    }
    if (invite_transaction && cancel->call_id)
    {
        char *call_id = engine_call_id_string(cancel->call_id), *remote = call_key(call_id, sip_header_tag(cancel->from));

        call = g_hash_table_lookup(engine->incoming_calls, remote);
        g_free(remote);
        g_free(call_id);
    }
    if (!invite_transaction)
    {
        engine_respond_simple(engine, transaction, 481, NULL);
        return;
    }
    engine_respond_simple(engine, transaction, 200, NULL);
    if (call)
        call_handle_cancel(call, invite_transaction);
    else
        engine_respond_simple(engine, invite_transaction, 487, NULL);
}

static struct sip_call *find_call(struct sip_engine *engine, const osip_message_t *message, gboolean local_in_to)
{
    const char *tag = sip_header_tag(local_in_to ? message->to : message->from);
    char *call_id, *key;
    struct sip_call *call;

    if (!tag || !(call_id = engine_call_id_string(message->call_id)))
        return NULL;
    key = call_key(call_id, tag);
    call = g_hash_table_lookup(engine->calls, key);
    g_free(key);
    g_free(call_id);
    return call;
}

/* A new server transaction's request, after the checks. */
static void dispatch_request(struct sip_engine *engine, osip_transaction_t *transaction, osip_message_t *request)
{
    const char *method = request->sip_method;

    if (MSG_IS_CANCEL(request))
    {
        handle_cancel(engine, transaction, request);
        return;
    }
    if (sip_header_tag(request->to))
    {
        struct sip_call *call = find_call(engine, request, TRUE);

        if (call)
            call_handle_request(call, transaction, request);
        else if (MSG_IS_OPTIONS(request))
            engine_answer_options(engine, transaction, request);
        else
            engine_respond_simple(engine, transaction, 481, NULL);
        return;
    }
    if (MSG_IS_INVITE(request))
        call_handle_invite(engine, transaction, request);
    else if (MSG_IS_OPTIONS(request))
        engine_answer_options(engine, transaction, request);
    else if (MSG_IS_MESSAGE(request))
    {
        engine_respond_simple(engine, transaction, 200, NULL);
        engine_report_incoming_request(engine, NULL, request);
    }
    else if (MSG_IS_REFER(request))
        engine_respond_simple(engine, transaction, 603, NULL);     /* only inside a confirmed dialog */
    else if (!strcmp(method, "BYE") || !strcmp(method, "INFO") || MSG_IS_NOTIFY(request))
        engine_respond_simple(engine, transaction, 481, NULL);
    else
        engine_respond_simple(engine, transaction, 501, NULL);
}

static void on_request_received(int type, osip_transaction_t *transaction, osip_message_t *request)
{
    struct sip_engine *engine = engine_of(transaction);
    struct transaction_context *context = context_of(transaction);

    (void)type;
    if (context->verdict.code)
        respond_with_verdict(engine, transaction, request, &context->verdict);
    else
        dispatch_request(engine, transaction, request);
}

static void register_osip_callbacks(osip_t *osip)
{
    static const int client_responses[] =
    {
        OSIP_ICT_STATUS_1XX_RECEIVED, OSIP_ICT_STATUS_2XX_RECEIVED, OSIP_ICT_STATUS_3XX_RECEIVED,
        OSIP_ICT_STATUS_4XX_RECEIVED, OSIP_ICT_STATUS_5XX_RECEIVED, OSIP_ICT_STATUS_6XX_RECEIVED,
        OSIP_NICT_STATUS_1XX_RECEIVED, OSIP_NICT_STATUS_2XX_RECEIVED, OSIP_NICT_STATUS_3XX_RECEIVED,
        OSIP_NICT_STATUS_4XX_RECEIVED, OSIP_NICT_STATUS_5XX_RECEIVED, OSIP_NICT_STATUS_6XX_RECEIVED,
    };
    static const int requests[] =
    {
        OSIP_IST_INVITE_RECEIVED, OSIP_NIST_REGISTER_RECEIVED, OSIP_NIST_BYE_RECEIVED, OSIP_NIST_OPTIONS_RECEIVED,
        OSIP_NIST_INFO_RECEIVED, OSIP_NIST_CANCEL_RECEIVED, OSIP_NIST_NOTIFY_RECEIVED, OSIP_NIST_SUBSCRIBE_RECEIVED,
        OSIP_NIST_UNKNOWN_REQUEST_RECEIVED,
    };
    gsize i;

    for (i = 0; i < G_N_ELEMENTS(client_responses); i++)
        osip_set_message_callback(osip, client_responses[i], on_client_response);
    for (i = 0; i < G_N_ELEMENTS(requests); i++)
        osip_set_message_callback(osip, requests[i], on_request_received);
    osip_set_message_callback(osip, OSIP_ICT_STATUS_TIMEOUT, on_client_timeout);
    osip_set_message_callback(osip, OSIP_NICT_STATUS_TIMEOUT, on_client_timeout);
    for (i = 0; i < OSIP_KILL_CALLBACK_COUNT; i++)
        osip_set_kill_transaction_callback(osip, i, on_kill_transaction);
    for (i = 0; i < OSIP_TRANSPORT_ERROR_CALLBACK_COUNT; i++)
        osip_set_transport_error_callback(osip, i, on_transport_error);
    osip_set_cb_send_message(osip, on_send_message);
}

/* libosip2 traces errors on stderr by default; network garbage makes it
 * do so, which is not ours to print. Route its trace to debug logging. */
static void osip_trace_to_glib(const char *file, int line, osip_trace_level_t level, const char *format, va_list args)
{
    char *text;

    (void)level;
    if (g_log_writer_default_would_drop(G_LOG_LEVEL_DEBUG, G_LOG_DOMAIN))
        return;
    text = g_strdup_vprintf(format, args);
    g_debug("libosip2 %s:%d: %s", file, line, g_strchomp(text));
    g_free(text);
}

/* ---- receiving ------------------------------------------------------------------------ */

/* §18.2.1 and RFC 3581: record where the request really came from. */
static void fix_top_via(osip_message_t *request, const struct sip_transport_peer *peer)
{
    osip_via_t *via = osip_list_get(&request->vias, 0);
    osip_generic_param_t *rport = NULL, *received = NULL;

    if (!via)
        return;
    osip_via_param_get_byname(via, "rport", &rport);
    osip_via_param_get_byname(via, "received", &received);
    if (!received && (rport || !via->host || strcmp(via->host, peer->remote_ip)))
        osip_via_set_received(via, osip_strdup(peer->remote_ip));
    if (rport && !rport->gvalue)
    {
        char port[8];

        g_snprintf(port, sizeof(port), "%u", peer->remote_port);
        rport->gvalue = osip_strdup(port);
    }
}

/* A response outside any transaction (the request was too broken). */
static void respond_statelessly(struct sip_engine *engine, osip_message_t *request,
                                const struct sip_transport_peer *peer, const struct sip_request_verdict *verdict)
{
    osip_message_t *response;

    if (MSG_IS_ACK(request) || !(response = engine_build_response(engine, request, verdict->code, verdict->reason, NULL)))
        return;
    engine->stats.bad_requests_rejected++;
    engine_resend_response(engine, response, peer->protocol, peer->connection_id);
    osip_message_free(response);
}

static osip_transaction_t *find_server_transaction(struct sip_engine *engine, osip_message_t *request)
{
    char *key = server_key(request);
    osip_transaction_t *transaction;

    if (!key)
        return NULL;
    transaction = g_hash_table_lookup(engine->server_transactions, key);
    g_free(key);
    return transaction;
}

static void handle_request(struct sip_engine *engine, osip_message_t *request, const struct sip_transport_peer *peer,
                           gsize raw_body_length)
{
    struct sip_request_verdict verdict;
    osip_transaction_t *transaction;

    if (!osip_list_size(&request->vias))
    {
        engine->stats.unparseable_dropped++;    /* nowhere to answer */
        osip_message_free(request);
        return;
    }
    fix_top_via(request, peer);

    /* The transaction checks need CSeq and Call-ID: those come first. */
    sip_request_check(request, raw_body_length, &verdict);
    if (verdict.stateless)
    {
        respond_statelessly(engine, request, peer, &verdict);
        sip_request_verdict_clear(&verdict);
        osip_message_free(request);
        return;
    }

    /* A retransmission, or the ACK for a non-2xx final response. */
    if (!MSG_IS_INVITE(request) && !MSG_IS_ACK(request) && answer_retransmission(engine, request))
    {
        sip_request_verdict_clear(&verdict);
        osip_message_free(request);
        return;
    }
    if ((transaction = find_server_transaction(engine, request)))
    {
        sip_request_verdict_clear(&verdict);
        deliver_to_transaction(engine, transaction, request);
        return;
    }
    if (MSG_IS_ACK(request))
    {
        struct sip_call *call = verdict.code ? NULL : find_call(engine, request, TRUE);

        if (call)
            call_handle_ack(call, request);
        sip_request_verdict_clear(&verdict);
        osip_message_free(request);
        return;
    }
    /* An initial INVITE repeated after our 2xx ended its transaction. */
    if (!verdict.code && MSG_IS_INVITE(request) && !sip_header_tag(request->to))
    {
        char *call_id = engine_call_id_string(request->call_id), *key = call_key(call_id, sip_header_tag(request->from));
        struct sip_call *call = g_hash_table_lookup(engine->incoming_calls, key);

        g_free(key);
        g_free(call_id);
        if (call)
        {
            call_handle_invite_again(call, request);
            sip_request_verdict_clear(&verdict);
            osip_message_free(request);
            return;
        }
    }

    transaction = transaction_new(engine, MSG_IS_INVITE(request) ? IST : NIST, request, peer->protocol,
                                  peer->connection_id);
    if (!transaction)
    {
        sip_request_verdict_clear(&verdict);
        engine->stats.unparseable_dropped++;
        osip_message_free(request);
        return;
    }
    context_of(transaction)->verdict = verdict;     /* answered from on_request_received() */
    deliver_to_transaction(engine, transaction, request);
}

static osip_transaction_t *find_client_transaction(struct sip_engine *engine, osip_message_t *response)
{
    char *key = client_key(response);
    osip_transaction_t *transaction;

    /* Our requests always carry an RFC 3261 branch: a response without it
     * is not for us. */
    if (!key)
        return NULL;
    transaction = g_hash_table_lookup(engine->client_transactions, key);
    g_free(key);
    return transaction;
}

static void handle_response(struct sip_engine *engine, osip_message_t *response)
{
    osip_transaction_t *transaction;

    if (!osip_list_size(&response->vias) || !response->cseq || !response->cseq->method || !response->call_id
        || !response->from || !response->to || response->status_code < 100 || response->status_code > 699)
    {
        engine->stats.unparseable_dropped++;
        osip_message_free(response);
        return;
    }
    if ((transaction = find_client_transaction(engine, response)))
    {
        deliver_to_transaction(engine, transaction, response);
        return;
    }
    /* The INVITE client transaction ends at the first 2xx (§17.1.1.2):
     * retransmissions and forked 2xx are the dialog's business. */
    if (MSG_IS_STATUS_2XX(response) && MSG_IS_RESPONSE_FOR(response, "INVITE"))
    {
        struct sip_call *call = find_call(engine, response, FALSE);

        if (call)
            call_handle_stray_2xx(call, response);
    }
    osip_message_free(response);
}

static gsize raw_body_length(const char *data, gsize length)
{
    const char *end = g_strstr_len(data, length, "\r\n\r\n");

    if (end)
        return length - (end + 4 - data);
    end = g_strstr_len(data, length, "\n\n");
    return end ? length - (end + 2 - data) : 0;
}

static void engine_receive(const char *data, gsize length, const struct sip_transport_peer *peer, void *user_data)
{
    struct sip_engine *engine = user_data;
    osip_message_t *message;

    trace_message(engine, "received from", peer->protocol, peer->remote_ip, peer->remote_port, data, length);
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
        trace_message(engine, "send to", peer->protocol, peer->remote_ip, peer->remote_port, rejection,
                      rejection_length);
        sip_transport_send(engine->transports, peer->protocol, peer->remote_ip, peer->remote_port,
                           peer->connection_id, rejection, rejection_length, NULL, NULL);
        g_free(rejection);
        return;
    }
    engine->stats.messages_received++;
    if (MSG_IS_REQUEST(message))
        handle_request(engine, message, peer, raw_body_length(data, length));
    else
        handle_response(engine, message);
}

/* ---- timers ---------------------------------------------------------------------------- */

static gint compare_timers(gconstpointer a, gconstpointer b, gpointer user_data)
{
    const struct engine_timer *ta = a, *tb = b;

    (void)user_data;
    if (ta->deadline != tb->deadline)
        return ta->deadline < tb->deadline ? -1 : 1;
    return ta->sequence < tb->sequence ? -1 : ta->sequence > tb->sequence;
}

struct engine_timer *engine_timer_start(struct sip_engine *engine, guint delay_ms, engine_timer_func func,
                                        void *data, GDestroyNotify destroy)
{
    struct engine_timer *timer = g_new0(struct engine_timer, 1);

    timer->deadline = g_get_monotonic_time() + (gint64)delay_ms * 1000;
    timer->sequence = ++timer_sequence;
    timer->func = func;
    timer->data = data;
    timer->destroy = destroy;
    timer->iter = g_sequence_insert_sorted(engine->timers, timer, compare_timers, NULL);
    return timer;
}

static void timer_free(struct engine_timer *timer)
{
    if (timer->destroy)
        timer->destroy(timer->data);
    g_free(timer);
}

void engine_timer_cancel(struct sip_engine *engine, struct engine_timer *timer)
{
    (void)engine;
    if (!timer)
        return;
    g_sequence_remove(timer->iter);
    timer_free(timer);
}

static gint64 engine_next_deadline(struct sip_engine *engine)
{
    GSequenceIter *first;
    gint64 deadline = -1;

    first = g_sequence_get_begin_iter(engine->transaction_timers);
    if (!g_sequence_iter_is_end(first))
        deadline = context_of(g_sequence_get(first))->deadline;
    first = g_sequence_get_begin_iter(engine->timers);
    if (!g_sequence_iter_is_end(first))
        deadline = sip_timer_earliest(deadline, ((struct engine_timer *)g_sequence_get(first))->deadline);
    return deadline;
}

static gboolean timer_source_prepare(GSource *source, gint *timeout)
{
    struct sip_engine *engine = ((struct timer_source *)source)->engine;

    *timeout = sip_timer_poll_timeout(g_get_monotonic_time(), engine_next_deadline(engine));
    return *timeout == 0;
}

static gboolean timer_source_check(GSource *source)
{
    struct sip_engine *engine = ((struct timer_source *)source)->engine;
    gint64 deadline = engine_next_deadline(engine);

    return deadline >= 0 && deadline <= g_get_monotonic_time();
}

static gboolean timer_source_dispatch(GSource *source, GSourceFunc callback, gpointer user_data)
{
    struct sip_engine *engine = ((struct timer_source *)source)->engine;
    gint64 now = g_get_monotonic_time();
    GSequenceIter *first;
    GPtrArray *due_now;
    guint i;

    (void)callback;
    (void)user_data;
    /* The FSM timers due: one timeout event each. They are taken out
     * first, so none can come round twice in one dispatch. */
    due_now = g_ptr_array_new();
    while (!g_sequence_iter_is_end(first = g_sequence_get_begin_iter(engine->transaction_timers)))
    {
        osip_transaction_t *transaction = g_sequence_get(first);

        if (context_of(transaction)->deadline > now)
            break;
        unschedule(context_of(transaction));
        g_ptr_array_add(due_now, transaction);
    }
    for (i = 0; i < due_now->len; i++)
    {
        osip_transaction_t *transaction = g_ptr_array_index(due_now, i);
        osip_event_t *event = due_timeout(transaction, now);

        if (event)
            transaction_add_event(engine, transaction, event);
        else
            reschedule(engine, transaction);
    }
    g_ptr_array_free(due_now, TRUE);
    engine_run(engine);
    while (!g_sequence_iter_is_end(first = g_sequence_get_begin_iter(engine->timers)))
    {
        struct engine_timer *timer = g_sequence_get(first);

        if (timer->deadline > now)
            break;
        g_sequence_remove(first);
        timer->func(engine, timer->data);
        timer_free(timer);
    }
    engine_run(engine);
    return G_SOURCE_CONTINUE;
}

static GSourceFuncs timer_source_funcs =
{
    timer_source_prepare,
    timer_source_check,
    timer_source_dispatch,
    NULL, NULL, NULL,
};

/* ---- upward events ------------------------------------------------------------------------ */

static gboolean deliver_events(gpointer user_data)
{
    struct sip_engine *engine = user_data;
    guint count = engine->events.length;
    gboolean freed = FALSE;

    /* Only what is queued now: events queued by the handlers wait for the
     * next dispatch, so a handler cannot starve the loop. */
    engine->freed = &freed;
    while (count-- && !freed)
    {
        struct engine_pending_event *event = g_queue_pop_head(&engine->events);

        if (!event)
            break;
        event->deliver(engine, event->data);
        if (event->destroy)
            event->destroy(event->data);
        g_free(event);
    }
    if (freed)
        return G_SOURCE_REMOVE;     /* sip_engine_free() ran from a handler */
    engine->freed = NULL;
    if (engine->events.length)
        return G_SOURCE_CONTINUE;
    g_source_unref(engine->event_source);
    engine->event_source = NULL;
    return G_SOURCE_REMOVE;
}

void engine_queue_event(struct sip_engine *engine, engine_event_func deliver, void *data, GDestroyNotify destroy)
{
    struct engine_pending_event *event = g_new(struct engine_pending_event, 1);

    event->deliver = deliver;
    event->data = data;
    event->destroy = destroy;
    g_queue_push_tail(&engine->events, event);
    if (!engine->event_source)
    {
        engine->event_source = g_idle_source_new();
        g_source_set_priority(engine->event_source, G_PRIORITY_DEFAULT);
        g_source_set_callback(engine->event_source, deliver_events, engine, NULL);
        g_source_attach(engine->event_source, engine->context);
    }
}

struct incoming_request_event
{
    struct sip_call *call;
    char *method, *from_uri, *from_display_name, *to_uri, *content_type, *body;
    gsize body_length;
};

static void incoming_request_event_free(void *data)
{
    struct incoming_request_event *event = data;

    if (event->call)
        sip_call_unref(event->call);
    g_free(event->method);
    g_free(event->from_uri);
    g_free(event->from_display_name);
    g_free(event->to_uri);
    g_free(event->content_type);
    g_free(event->body);
    g_free(event);
}

static void deliver_incoming_request(struct sip_engine *engine, void *data)
{
    struct incoming_request_event *event = data;
    struct sip_incoming_request request;

    request.method = event->method;
    request.from_uri = event->from_uri;
    request.from_display_name = event->from_display_name;
    request.to_uri = event->to_uri;
    request.content_type = event->content_type;
    request.body = event->body ? event->body : "";
    request.body_length = event->body_length;
    if (!strcmp(event->method, "INFO"))
    {
        if (engine->callbacks.call_info_received && event->call)
            engine->callbacks.call_info_received(event->call, &request, engine->user_data);
    }
    else if (engine->callbacks.message_received)
    {
        engine->callbacks.message_received(engine, event->call, &request, engine->user_data);
    }
}

void engine_report_incoming_request(struct sip_engine *engine, struct sip_call *call, const osip_message_t *request)
{
    struct incoming_request_event *event = g_new0(struct incoming_request_event, 1);
    osip_body_t *body = NULL;

    event->call = call ? sip_call_ref(call) : NULL;
    event->method = g_strdup(request->sip_method);
    event->from_uri = engine_uri_string(request->from ? request->from->url : NULL);
    event->from_display_name = engine_display_name(request->from);
    event->to_uri = engine_uri_string(request->to ? request->to->url : NULL);
    osip_message_get_body(request, 0, &body);
    if (body && body->body)
    {
        char *type = NULL;

        event->body = g_strndup(body->body, body->length);
        event->body_length = body->length;
        if (request->content_type && !osip_content_type_to_str(request->content_type, &type) && type)
        {
            event->content_type = g_strdup(type);
            osip_free(type);
        }
    }
    engine_queue_event(engine, deliver_incoming_request, event, incoming_request_event_free);
}

struct request_result_event
{
    guint request_id;
    guint status_code;
    char *reason;
};

static void request_result_event_free(void *data)
{
    struct request_result_event *event = data;

    g_free(event->reason);
    g_free(event);
}

static void deliver_request_result(struct sip_engine *engine, void *data)
{
    struct request_result_event *event = data;

    if (engine->callbacks.request_completed)
        engine->callbacks.request_completed(engine, event->request_id, event->status_code, event->reason,
                                            engine->user_data);
}

void engine_report_request_result(struct sip_engine *engine, guint request_id, guint status_code, const char *reason)
{
    struct request_result_event *event = g_new0(struct request_result_event, 1);

    event->request_id = request_id;
    event->status_code = status_code;
    if (!reason || !*reason)
        reason = sip_reason_phrase(status_code);
    event->reason = g_strdup(reason ? reason : "");
    engine_queue_event(engine, deliver_request_result, event, request_result_event_free);
}

/* ---- calls registry -------------------------------------------------------------------------- */

void engine_track_call(struct sip_engine *engine, struct sip_call *call)
{
    g_hash_table_add(engine->all_calls, call);
}

void engine_untrack_call(struct sip_engine *engine, struct sip_call *call)
{
    g_hash_table_remove(engine->all_calls, call);
}

void engine_register_call(struct sip_engine *engine, struct sip_call *call, const char *call_id,
                          const char *local_tag, const char *remote_tag)
{
    g_hash_table_replace(engine->calls, call_key(call_id, local_tag), sip_call_ref(call));
    if (remote_tag)
        g_hash_table_replace(engine->incoming_calls, call_key(call_id, remote_tag), sip_call_ref(call));
}

struct sip_call *engine_lookup_call(struct sip_engine *engine, const char *call_id, const char *local_tag)
{
    char *key;
    struct sip_call *call;

    if (!call_id || !local_tag)
        return NULL;
    key = call_key(call_id, local_tag);
    call = g_hash_table_lookup(engine->calls, key);
    g_free(key);
    return call;
}

void engine_unregister_call(struct sip_engine *engine, struct sip_call *call, const char *call_id,
                            const char *local_tag, const char *remote_tag)
{
    char *key = call_key(call_id, local_tag);

    if (g_hash_table_lookup(engine->calls, key) == call)
        g_hash_table_remove(engine->calls, key);
    g_free(key);
    if (remote_tag)
    {
        key = call_key(call_id, remote_tag);
        if (g_hash_table_lookup(engine->incoming_calls, key) == call)
            g_hash_table_remove(engine->incoming_calls, key);
        g_free(key);
    }
}

/* ---- out-of-dialog MESSAGE ------------------------------------------------------------------- */

static void message_response(struct sip_engine *engine, osip_transaction_t *transaction,
                             const osip_message_t *response, guint status_code, void *data)
{
    (void)transaction;
    if (status_code >= 200)
        engine_report_request_result(engine, GPOINTER_TO_UINT(data), status_code,
                                     response ? response->reason_phrase : NULL);
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

/* ---- the engine ------------------------------------------------------------------------------- */

struct sip_engine *sip_engine_new(const struct sip_engine_config *config,
                                  const struct sip_engine_callbacks *callbacks,
                                  void *user_data, GError **error)
{
    static gsize osip_trace_routed;
    struct sip_engine *engine;

    if (g_once_init_enter(&osip_trace_routed))
    {
        osip_trace_initialize_func(OSIP_INFO4, osip_trace_to_glib);
        g_once_init_leave(&osip_trace_routed, 1);
    }

    engine = g_new0(struct sip_engine, 1);
    if (osip_init(&engine->osip))
    {
        g_set_error(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_TRANSPORT, "libosip2 initialisation failed");
        g_free(engine);
        return NULL;
    }
    osip_set_application_context(engine->osip, engine);
    register_osip_callbacks(engine->osip);

    engine->context = g_main_context_ref_thread_default();
    if (callbacks)
        engine->callbacks = *callbacks;
    engine->user_data = user_data;
    engine->refer_decision_timeout = SIP_REFER_DEFAULT_DECISION_TIMEOUT_MS;
    engine->credentials = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, credentials_free);
    engine->registrations = g_ptr_array_new();
    engine->user_agent = g_strdup(config && config->user_agent ? config->user_agent : DEFAULT_USER_AGENT);
    engine->advertised_host = config && config->advertised_host ? g_strdup(config->advertised_host) : NULL;
    engine->rand = g_rand_new();
    engine->trace = !g_log_writer_default_would_drop(G_LOG_LEVEL_DEBUG, G_LOG_DOMAIN);
    engine->transports = sip_transport_layer_new(engine->context, engine_receive, engine);
    sip_transport_layer_set_failure_callback(engine->transports, on_connection_failed, engine);
    engine->timers = g_sequence_new(NULL);
    engine->transaction_timers = g_sequence_new(NULL);
    engine->transactions = g_hash_table_new(g_direct_hash, g_direct_equal);
    engine->completed = g_hash_table_new(g_str_hash, g_str_equal);     /* the timers own the entries */
    engine->dead = g_ptr_array_new();
    g_queue_init(&engine->ready);
    g_queue_init(&engine->events);
    engine->server_transactions = g_hash_table_new(g_str_hash, g_str_equal);
    engine->client_transactions = g_hash_table_new(g_str_hash, g_str_equal);
    engine->calls = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)sip_call_unref);
    engine->incoming_calls = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)sip_call_unref);
    engine->all_calls = g_hash_table_new(g_direct_hash, g_direct_equal);
    engine->media = config && config->media_backend ? config->media_backend
                                                    : sip_media_default_backend_new(0, 0, NULL, NULL);

    engine->timer_source = g_source_new(&timer_source_funcs, sizeof(struct timer_source));
    ((struct timer_source *)engine->timer_source)->engine = engine;
    g_source_set_priority(engine->timer_source, G_PRIORITY_DEFAULT);
    g_source_attach(engine->timer_source, engine->context);
    return engine;
}

static void free_transaction_list(struct sip_engine *engine, osip_list_t *list)
{
    osip_transaction_t *transaction;

    while ((transaction = osip_list_get(list, 0)))
    {
        osip_list_remove(list, 0);
        transaction_free(engine, transaction);
    }
}

void sip_engine_free(struct sip_engine *engine)
{
    struct engine_pending_event *event;
    GList *calls, *l;
    GSequenceIter *iter;

    if (!engine)
        return;
    if (engine->freed)
        *engine->freed = TRUE;

    /* Calls first: they cancel their timers, forget their transactions and
     * release their media streams (the backend goes below). Every call
     * object, also one that ended and left the registry but is still
     * referenced by the application, is detached. */
    calls = g_hash_table_get_keys(engine->all_calls);
    for (l = calls; l; l = l->next)
        sip_call_ref(l->data);
    for (l = calls; l; l = l->next)
    {
        call_detach(l->data);
        sip_call_unref(l->data);
    }
    g_list_free(calls);
    g_hash_table_remove_all(engine->calls);
    g_hash_table_remove_all(engine->incoming_calls);

    while (engine->registrations->len)
        registration_detach(g_ptr_array_index(engine->registrations, engine->registrations->len - 1));

    {
        GList *transactions = g_hash_table_get_keys(engine->transactions), *l;

        for (l = transactions; l; l = l->next)
        {
            unschedule(context_of(l->data));
            transaction_free(engine, l->data);
        }
        g_list_free(transactions);
        g_hash_table_remove_all(engine->transactions);
    }
    /* libosip2's own lists are empty; anything left there is freed too. */
    free_transaction_list(engine, &engine->osip->osip_ict_transactions);
    free_transaction_list(engine, &engine->osip->osip_ist_transactions);
    free_transaction_list(engine, &engine->osip->osip_nict_transactions);
    free_transaction_list(engine, &engine->osip->osip_nist_transactions);
    engine->running = FALSE;
    engine->dead_hold = 0;
    free_dead_transactions(engine);
    g_ptr_array_free(engine->dead, TRUE);
    g_queue_clear(&engine->ready);

    g_hash_table_remove_all(engine->completed);
    while (!g_sequence_iter_is_end(iter = g_sequence_get_begin_iter(engine->timers)))
    {
        struct engine_timer *timer = g_sequence_get(iter);

        g_sequence_remove(iter);
        timer_free(timer);
    }
    g_sequence_free(engine->timers);
    g_sequence_free(engine->transaction_timers);
    g_hash_table_destroy(engine->transactions);
    g_hash_table_destroy(engine->completed);
    while ((event = g_queue_pop_head(&engine->events)))
    {
        if (event->destroy)
            event->destroy(event->data);
        g_free(event);
    }
    if (engine->event_source)
    {
        g_source_destroy(engine->event_source);
        g_source_unref(engine->event_source);
    }
    g_source_destroy(engine->timer_source);
    g_source_unref(engine->timer_source);

    sip_media_backend_free(engine->media);
    sip_transport_layer_free(engine->transports);
    osip_release(engine->osip);
    g_hash_table_destroy(engine->server_transactions);
    g_hash_table_destroy(engine->client_transactions);
    g_hash_table_destroy(engine->calls);
    g_hash_table_destroy(engine->incoming_calls);
    g_hash_table_destroy(engine->all_calls);
    g_hash_table_destroy(engine->credentials);
    g_ptr_array_free(engine->registrations, TRUE);
    g_rand_free(engine->rand);
    g_free(engine->user_agent);
    g_free(engine->advertised_host);
    osip_uri_free(engine->outbound_proxy);
    g_free(engine->outbound_proxy_text);
    g_main_context_unref(engine->context);
    g_free(engine);
}

void engine_set_random_seed(struct sip_engine *engine, guint32 seed)
{
    g_rand_set_seed(engine->rand, seed);
}

guint engine_expire_timers(struct sip_engine *engine, guint max)
{
    GSequenceIter *first;
    guint fired = 0;

    while (fired < max && !g_sequence_iter_is_end(first = g_sequence_get_begin_iter(engine->timers)))
    {
        struct engine_timer *timer = g_sequence_get(first);

        g_sequence_remove(first);
        timer->func(engine, timer->data);
        timer_free(timer);
        engine_run(engine);
        fired++;
    }
    return fired;
}

gboolean sip_engine_listen(struct sip_engine *engine, enum sip_transport_protocol protocol,
                           const char *address, guint16 port, guint16 *bound_port, GError **error)
{
    g_return_val_if_fail(engine != NULL, FALSE);
    return sip_transport_listen(engine->transports, protocol, address, port, bound_port, error);
}

gboolean sip_engine_set_tls_certificate(struct sip_engine *engine, const char *certificate_file,
                                        const char *key_file, GError **error)
{
    GTlsCertificate *certificate;

    g_return_val_if_fail(engine != NULL, FALSE);
    certificate = g_tls_certificate_new_from_files(certificate_file, key_file ? key_file : certificate_file, error);
    if (!certificate)
        return FALSE;
    sip_transport_layer_set_certificate(engine->transports, certificate);
    g_object_unref(certificate);
    return TRUE;
}

gboolean sip_engine_trust_ca_file(struct sip_engine *engine, const char *ca_file, GError **error)
{
    g_return_val_if_fail(engine != NULL, FALSE);
    return sip_transport_layer_trust_ca_file(engine->transports, ca_file, error);
}

void sip_engine_get_stats(struct sip_engine *engine, struct sip_engine_stats *stats)
{
    struct sip_transport_stats transport;

    g_return_if_fail(engine != NULL);
    sip_transport_get_stats(engine->transports, &transport);
    *stats = engine->stats;
    stats->oversize_dropped = transport.oversize_dropped;
    stats->calls = engine->call_count;
}

