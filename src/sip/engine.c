/*
 * The SIP engine object: creation and teardown, listening and TLS set-up,
 * the identifiers it hands out (tags, branches, request ids) and its
 * statistics. engine.h lists the parts it is made of.
 */

#ifndef G_LOG_DOMAIN
#define G_LOG_DOMAIN "rtcshim"
#endif

#include <string.h>

#include "call_registry.h"
#include "digest_retry.h"
#include "engine.h"
#include "event_queue.h"
#include "keepalive.h"
#include "osip_memory.h"
#include "refer.h"
#include "resolver.h"
#include "subscription.h"
#include "shed.h"
#include "timer_source.h"
#include "transaction_private.h"
#include "wire.h"

#define DEFAULT_USER_AGENT "rtcshim/0.1"

G_DEFINE_QUARK(rtcshim-sip-engine-error-quark, sip_engine_error)

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

/* ---- identifiers ------------------------------------------------------------------ */

/* prefix and 16 hex digits from the engine's generator (no printf: a
 * call makes several of these). */
static char *new_hex_token(struct sip_engine *engine, const char *prefix, gsize prefix_length)
{
    static const char digits[] = "0123456789abcdef";
    char *token = g_malloc(prefix_length + 17);
    guint32 words[2];
    int i;

    words[0] = g_rand_int(engine->rand);
    words[1] = g_rand_int(engine->rand);

    memcpy(token, prefix, prefix_length);
    for (i = 0; i < 16; i++)
        token[prefix_length + i] = digits[(words[i / 8] >> (28 - 4 * (i % 8))) & 0xf];
    token[prefix_length + 16] = 0;
    return token;
}

char *engine_new_token(struct sip_engine *engine)
{
    return new_hex_token(engine, "", 0);
}

char *engine_new_branch(struct sip_engine *engine)
{
    return new_hex_token(engine, "z9hG4bK", 7);
}

guint engine_next_request_id(struct sip_engine *engine)
{
    if (!++engine->last_request_id)
        ++engine->last_request_id;
    return engine->last_request_id;
}

void engine_set_random_seed(struct sip_engine *engine, guint32 seed)
{
    g_rand_set_seed(engine->rand, seed);
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
        /* libosip2 formats a trace line for every transaction it makes
         * and frees before asking whether anyone wants it (some 5 % of a
         * call's work): its chatty levels are on only while debug
         * messages are shown. */
        if (g_log_writer_default_would_drop(G_LOG_LEVEL_DEBUG, G_LOG_DOMAIN))
            for (int level = OSIP_WARNING; level <= OSIP_INFO4; level++)
                osip_trace_disable_level(level);
        g_once_init_leave(&osip_trace_routed, 1);
    }

    osip_memory_engine_started();
    engine = g_new0(struct sip_engine, 1);
    if (osip_init(&engine->osip))
    {
        osip_memory_engine_stopped();
        g_set_error(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_TRANSPORT, "libosip2 initialisation failed");
        g_free(engine);
        return NULL;
    }
    osip_set_application_context(engine->osip, engine);
    transaction_register_callbacks(engine->osip);

    engine->context = g_main_context_ref_thread_default();
    if (callbacks)
        engine->callbacks = *callbacks;
    engine->user_data = user_data;
    engine->refer_decision_timeout = SIP_REFER_DEFAULT_DECISION_TIMEOUT_MS;
    engine->offer_decision_timeout = SIP_CALL_OFFER_DECISION_TIMEOUT_MS;
    engine->calls_audio = SIP_MEDIA_SENDRECV;
    engine->limits.receive_backlog_ms = SIP_ENGINE_DEFAULT_RECEIVE_BACKLOG_MS;
    engine->limits.undecided_calls = SIP_ENGINE_DEFAULT_UNDECIDED_CALLS;
    engine->limits.pending_events = SIP_ENGINE_DEFAULT_PENDING_EVENTS;
    engine->limits.transactions = SIP_ENGINE_DEFAULT_TRANSACTIONS;
    engine->limits.retry_after_s = SIP_ENGINE_DEFAULT_RETRY_AFTER_S;
    engine->refer_response_bound = SIP_REFER_DEFAULT_RESPONSE_BOUND_MS;
    engine->refer_expires = SIP_REFER_DEFAULT_EXPIRES_S;
    engine->credentials = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, engine_credentials_free);
    engine->registrations = g_ptr_array_new();
    engine->publications = g_ptr_array_new();
    engine_subscriptions_init(engine);
    engine->base_user_agent = g_strdup(config && config->user_agent ? config->user_agent : DEFAULT_USER_AGENT);
    engine->user_agent = g_strdup(engine->base_user_agent);
    engine->advertised_host = config && config->advertised_host ? g_strdup(config->advertised_host) : NULL;
    engine->rand = g_rand_new();
    engine->trace = !g_log_writer_default_would_drop(G_LOG_LEVEL_DEBUG, G_LOG_DOMAIN);
    engine->transports = sip_transport_layer_new(engine->context, engine_receive, engine);
    sip_transport_layer_set_failure_callback(engine->transports, transaction_connection_failed, engine);
    sip_transport_layer_set_pong_callback(engine->transports, keepalive_pong_received, engine);
    engine->resolver = sip_resolver_new(engine->context);
    engine->public_addresses = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    engine->pending_acks = g_hash_table_new(g_direct_hash, g_direct_equal);
    engine->keepalives = g_ptr_array_new();
    engine->keepalive_udp_s = SIP_KEEPALIVE_UDP_DEFAULT_S;
    engine->keepalive_stream_s = SIP_KEEPALIVE_STREAM_DEFAULT_S;
    engine->timers = g_sequence_new(NULL);
    engine->transaction_timers = g_sequence_new(NULL);
    engine->transactions = g_hash_table_new(g_direct_hash, g_direct_equal);
    engine->completed = g_hash_table_new(g_str_hash, g_str_equal);     /* the timers own the entries */
    engine->retired_calls = g_hash_table_new(g_str_hash, g_str_equal); /* ... and these */
    engine->dead = g_ptr_array_new();
    g_queue_init(&engine->ready);
    g_queue_init(&engine->events);
    engine->server_transactions = g_hash_table_new(g_str_hash, g_str_equal);
    engine->client_transactions = g_hash_table_new(g_str_hash, g_str_equal);
    engine->calls = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)sip_call_unref);
    engine->incoming_calls = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)sip_call_unref);
    engine->all_calls = g_hash_table_new(g_direct_hash, g_direct_equal);
    engine->media = config && config->media_backend ? config->media_backend
                                                    : sip_media_default_backend_new(0, 0);

    engine_timer_source_attach(engine);
    return engine;
}

void sip_engine_free(struct sip_engine *engine)
{
    if (!engine)
        return;
    if (engine->freed)
        *engine->freed = TRUE;

    /* Calls first (see engine_detach_calls()), then registrations, then
     * the transactions they no longer know. */
    engine_detach_calls(engine);

    while (engine->registrations->len)
        registration_detach(g_ptr_array_index(engine->registrations, engine->registrations->len - 1));
    keepalive_stop_all(engine);
    while (engine->publications->len)
        publication_detach(g_ptr_array_index(engine->publications, engine->publications->len - 1));
    engine_subscriptions_detach(engine);

    /* Transactions stop their own lookups; the resolver then stops the rest. */
    transaction_free_all(engine);
    engine_pending_acks_clear(engine);
    sip_resolver_free(engine->resolver);

    g_hash_table_remove_all(engine->completed);     /* the entries belong to timers */
    g_hash_table_remove_all(engine->retired_calls);
    engine_timers_clear(engine);
    g_sequence_free(engine->timers);
    g_sequence_free(engine->transaction_timers);
    g_hash_table_destroy(engine->transactions);
    g_hash_table_destroy(engine->completed);
    g_hash_table_destroy(engine->retired_calls);
    engine_shed_memory_free(engine);
    engine_events_clear(engine);
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
    g_ptr_array_free(engine->keepalives, TRUE);
    g_hash_table_destroy(engine->public_addresses);
    g_hash_table_destroy(engine->pending_acks);
    g_ptr_array_free(engine->publications, TRUE);
    g_rand_free(engine->rand);
    g_free(engine->user_agent);
    g_free(engine->base_user_agent);
    g_strfreev(engine->refer_to_allowed);
    g_free(engine->advertised_host);
    osip_uri_free(engine->outbound_proxy);
    g_free(engine->outbound_proxy_text);
    g_main_context_unref(engine->context);
    g_free(engine);
    osip_memory_engine_stopped();
}

gboolean sip_engine_listen(struct sip_engine *engine, enum sip_transport_protocol protocol,
                           const char *address, guint16 port, guint16 *bound_port, GError **error)
{
    g_return_val_if_fail(engine != NULL, FALSE);
    return sip_transport_listen(engine->transports, protocol, address, port, bound_port, error);
}

/* How many ports the kernel may pick for UDP before TCP gets a port of its own. */
#define PORT_PAIR_ATTEMPTS 32

gboolean sip_engine_listen_udp_and_tcp(struct sip_engine *engine, const char *address, guint16 port,
                                       guint16 *udp_port, guint16 *tcp_port, GError **error)
{
    GError *tcp_error = NULL;
    int attempt;

    g_return_val_if_fail(engine != NULL && udp_port != NULL && tcp_port != NULL, FALSE);
    for (attempt = 0; attempt < PORT_PAIR_ATTEMPTS; attempt++)
    {
        if (!sip_transport_listen(engine->transports, SIP_TRANSPORT_UDP, address, port, udp_port, error))
            return FALSE;
        if (sip_transport_listen(engine->transports, SIP_TRANSPORT_TCP, address, *udp_port, tcp_port, &tcp_error))
            return TRUE;
        g_debug("no TCP on port %u: %s", *udp_port, tcp_error->message);
        g_clear_error(&tcp_error);
        if (port)
        {
            *tcp_port = 0;
            return TRUE;
        }
        sip_transport_unlisten(engine->transports, SIP_TRANSPORT_UDP, *udp_port);
    }
    if (!sip_transport_listen(engine->transports, SIP_TRANSPORT_UDP, address, 0, udp_port, error))
        return FALSE;
    if (!sip_transport_listen(engine->transports, SIP_TRANSPORT_TCP, address, 0, tcp_port, &tcp_error))
    {
        g_debug("no TCP: %s", tcp_error->message);
        g_clear_error(&tcp_error);
        *tcp_port = 0;
    }
    return TRUE;
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
    stats->call_objects = g_hash_table_size(engine->all_calls);
    stats->retired_calls = g_hash_table_size(engine->retired_calls);
    stats->undecided_calls = engine->undecided_calls;
    stats->pending_events = engine->events.length;
}

void sip_engine_get_limits(struct sip_engine *engine, struct sip_engine_limits *limits)
{
    g_return_if_fail(engine != NULL && limits != NULL);
    *limits = engine->limits;
}

void sip_engine_set_limits(struct sip_engine *engine, const struct sip_engine_limits *limits)
{
    g_return_if_fail(engine != NULL && limits != NULL);
    engine->limits = *limits;
}

#define PRODUCT_PART_MAX 64

/* text as an RFC 3261 token (§25.1), at most PRODUCT_PART_MAX bytes. */
static void append_token(GString *out, const char *text)
{
    gsize i;

    for (i = 0; text[i] && i < PRODUCT_PART_MAX; i++)
        g_string_append_c(out, g_ascii_isalnum(text[i]) || strchr("-.!%*_+`'~", text[i]) ? text[i] : '_');
}

void sip_engine_set_product(struct sip_engine *engine, const char *name, const char *version)
{
    GString *agent = g_string_new(NULL);

    if (name && *name)
    {
        append_token(agent, name);
        if (version && *version)
        {
            g_string_append_c(agent, '/');
            append_token(agent, version);
        }
        g_string_append_c(agent, ' ');
    }
    g_string_append(agent, engine->base_user_agent);
    g_free(engine->user_agent);
    engine->user_agent = g_string_free(agent, FALSE);
}
