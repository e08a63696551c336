/*
 * Finding servers by name: RFC 3263 (§4.1, §4.2; SRV order per RFC 2782)
 * over GIO's GResolver, and the SRV discovery of a domain's servers the
 * UCC API's sign-in uses. See resolver.h and sip_engine.h.
 *
 * A lookup is a small state machine on the main context: the SRV names to
 * ask, one after the other, then the A/AAAA records of each host found,
 * one after the other. Each GResolver call holds a reference on the
 * query, so a cancelled query lives until GIO has answered it.
 */

#ifndef G_LOG_DOMAIN
#define G_LOG_DOMAIN "rtcshim"
#endif

#include <string.h>

#include "resolver.h"

/* One SRV name to ask: _<service>._<proto>.<domain>. */
struct srv_service
{
    const char *service;
    const char *proto;
    enum sip_transport_protocol protocol;
};

/* A host to look up A/AAAA records for, with the port and transport it serves. */
struct srv_host
{
    char *name;
    guint16 port;
    enum sip_transport_protocol protocol;
};

struct cache_entry
{
    GArray *targets;
    gint64 expires;                         /* monotonic us */
};

struct sip_resolver
{
    GMainContext *context;
    GHashTable *cache;                      /* key -> struct cache_entry * */
    GHashTable *queries;                    /* struct sip_resolve_query * in progress */
};

struct sip_resolve_query
{
    gint refcount;
    struct sip_resolver *resolver;          /* NULL once cancelled or finished */
    GMainContext *context;
    GCancellable *cancellable;
    char *key;                              /* the cache key; NULL for a server search */
    char *domain;
    GArray *services;                       /* struct srv_service, asked in order */
    guint next_service;
    gboolean fallback_to_host;              /* no SRV record at all: the domain's own A/AAAA */
    enum sip_transport_protocol fallback_protocol;
    guint16 fallback_port;
    GArray *hosts;                          /* struct srv_host found, in order */
    guint next_host;
    gboolean hosts_only;                    /* a server search: stop after SRV */
    GArray *targets;                        /* struct sip_target */
    char *last_error;
    sip_resolve_func done;
    void *user_data;
};

static const struct srv_service sip_udp = { "sip", "udp", SIP_TRANSPORT_UDP };
static const struct srv_service sip_tcp = { "sip", "tcp", SIP_TRANSPORT_TCP };
static const struct srv_service sips_tcp = { "sips", "tcp", SIP_TRANSPORT_TLS };

guint16 sip_default_port(enum sip_transport_protocol protocol)
{
    return protocol == SIP_TRANSPORT_TLS ? 5061 : 5060;
}

/* ---- names --------------------------------------------------------------------------- */

/* The host without IPv6 brackets, in buffer; NULL if it does not fit. */
static const char *bare_host(const char *host, char *buffer, gsize size)
{
    gsize length = host ? strlen(host) : 0;

    if (length >= 2 && host[0] == '[' && host[length - 1] == ']')
    {
        host++;
        length -= 2;
    }
    if (!length || length >= size)
        return NULL;
    memcpy(buffer, host, length);
    buffer[length] = 0;
    return buffer;
}

/* A DNS name as a SIP URI may carry it (RFC 3261 §25.1 hostname): labels
 * of letters, digits and '-' (and '_', which SRV-style names use), at most
 * 63 characters each and 253 in all; one trailing dot allowed. */
static gboolean is_dns_name(const char *name)
{
    gsize length = strlen(name), label = 0, i;

    if (!length || length > 254 || (length == 254 && name[253] != '.'))
        return FALSE;
    for (i = 0; i < length; i++)
    {
        char c = name[i];

        if (c == '.')
        {
            if (!label)
                return FALSE;
            label = 0;
            continue;
        }
        if (!g_ascii_isalnum(c) && c != '-' && c != '_')
            return FALSE;
        if (++label > 63)
            return FALSE;
    }
    return TRUE;
}

gboolean sip_resolver_check(const char *host, GError **error)
{
    char buffer[SIP_NAME_BUFFER_SIZE];
    const char *bare = bare_host(host, buffer, sizeof(buffer));

    if (bare && (g_hostname_is_ip_address(bare) || (host[0] != '[' && is_dns_name(bare))))
        return TRUE;
    g_set_error(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_INVALID_ARGUMENT,
                "\"%s\" is neither an IP address nor a host name", host ? host : "(null)");
    return FALSE;
}

static void add_target(GArray *targets, enum sip_transport_protocol protocol, const char *ip, guint16 port)
{
    struct sip_target target = { protocol, "", port };
    guint i;

    if (targets->len >= SIP_RESOLVER_MAX_TARGETS)
        return;
    g_strlcpy(target.ip, ip, sizeof(target.ip));
    for (i = 0; i < targets->len; i++)
    {
        const struct sip_target *known = &g_array_index(targets, struct sip_target, i);

        if (known->protocol == protocol && known->port == port && !strcmp(known->ip, ip))
            return;
    }
    g_array_append_val(targets, target);
}

static GArray *new_targets(void)
{
    return g_array_new(FALSE, FALSE, sizeof(struct sip_target));
}

static GArray *copy_targets(GArray *targets)
{
    GArray *copy = new_targets();

    g_array_append_vals(copy, targets->data, targets->len);
    return copy;
}

/* The transport when RFC 3263 §4.1 needs no DNS to pick it. */
static enum sip_transport_protocol plain_transport(const struct sip_resolve_request *request)
{
    if (request->secure)
        return SIP_TRANSPORT_TLS;
    if (request->transport_given || request->transport != SIP_TRANSPORT_UDP || request->udp_allowed)
        return request->transport;
    return SIP_TRANSPORT_TCP;
}

static char *cache_key(const struct sip_resolve_request *request, const char *host)
{
    return g_strdup_printf("%s|%u|%d|%d|%d|%d", host, request->port, request->transport_given, request->transport,
                           request->secure, request->udp_allowed);
}

/* ---- the resolver ---------------------------------------------------------------------- */

static void cache_entry_free(struct cache_entry *entry)
{
    g_array_unref(entry->targets);
    g_free(entry);
}

struct sip_resolver *sip_resolver_new(GMainContext *context)
{
    struct sip_resolver *resolver = g_new0(struct sip_resolver, 1);

    resolver->context = g_main_context_ref(context);
    resolver->cache = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)cache_entry_free);
    resolver->queries = g_hash_table_new(g_direct_hash, g_direct_equal);
    return resolver;
}

void sip_resolver_flush(struct sip_resolver *resolver)
{
    g_hash_table_remove_all(resolver->cache);
}

static void cache_store(struct sip_resolver *resolver, const char *key, GArray *targets)
{
    struct cache_entry *entry;
    gint64 now = g_get_monotonic_time();

    if (g_hash_table_size(resolver->cache) >= SIP_RESOLVER_CACHE_ENTRIES)
    {
        GHashTableIter iter;
        gpointer value;

        g_hash_table_iter_init(&iter, resolver->cache);
        while (g_hash_table_iter_next(&iter, NULL, &value))
            if (((struct cache_entry *)value)->expires <= now)
                g_hash_table_iter_remove(&iter);
        if (g_hash_table_size(resolver->cache) >= SIP_RESOLVER_CACHE_ENTRIES)
            g_hash_table_remove_all(resolver->cache);
    }
    entry = g_new0(struct cache_entry, 1);
    entry->targets = copy_targets(targets);
    entry->expires = now + (gint64)SIP_RESOLVER_CACHE_SECONDS * G_USEC_PER_SEC;
    g_hash_table_replace(resolver->cache, g_strdup(key), entry);
}

gboolean sip_resolver_lookup_now(struct sip_resolver *resolver, const struct sip_resolve_request *request,
                                 GArray **targets)
{
    char buffer[SIP_NAME_BUFFER_SIZE], *key;
    const char *host = bare_host(request->host, buffer, sizeof(buffer));
    struct cache_entry *entry;

    *targets = NULL;
    if (!host)
        return FALSE;
    if (g_hostname_is_ip_address(host))
    {
        /* §4.1/§4.2: an IP address needs no DNS. */
        enum sip_transport_protocol protocol = plain_transport(request);

        *targets = new_targets();
        add_target(*targets, protocol, host, request->port ? request->port : sip_default_port(protocol));
        return TRUE;
    }
    key = cache_key(request, host);
    entry = g_hash_table_lookup(resolver->cache, key);
    if (entry && entry->expires <= g_get_monotonic_time())
    {
        g_hash_table_remove(resolver->cache, key);
        entry = NULL;
    }
    g_free(key);
    if (!entry)
        return FALSE;
    *targets = copy_targets(entry->targets);
    return TRUE;
}

/* ---- queries ------------------------------------------------------------------------------ */

static struct sip_resolve_query *query_ref(struct sip_resolve_query *query)
{
    query->refcount++;
    return query;
}

static void query_unref(struct sip_resolve_query *query)
{
    guint i;

    if (--query->refcount)
        return;
    for (i = 0; i < query->hosts->len; i++)
        g_free(g_array_index(query->hosts, struct srv_host, i).name);
    g_array_unref(query->hosts);
    g_array_unref(query->services);
    if (query->targets)
        g_array_unref(query->targets);
    g_object_unref(query->cancellable);
    g_main_context_unref(query->context);
    g_free(query->key);
    g_free(query->domain);
    g_free(query->last_error);
    g_free(query);
}

/* The query leaves its resolver: no callback after this. */
static void query_detach(struct sip_resolve_query *query)
{
    if (!query->resolver)
        return;
    g_hash_table_remove(query->resolver->queries, query);
    query->resolver = NULL;
    query_unref(query);     /* the resolver's reference */
}

void sip_resolve_query_cancel(struct sip_resolve_query *query)
{
    if (!query || !query->resolver)
        return;
    g_cancellable_cancel(query->cancellable);
    query_detach(query);
}

void sip_resolver_free(struct sip_resolver *resolver)
{
    GList *queries, *l;

    if (!resolver)
        return;
    queries = g_hash_table_get_keys(resolver->queries);
    for (l = queries; l; l = l->next)
        sip_resolve_query_cancel(l->data);
    g_list_free(queries);
    g_hash_table_destroy(resolver->queries);
    g_hash_table_destroy(resolver->cache);
    g_main_context_unref(resolver->context);
    g_free(resolver);
}

static void query_finish(struct sip_resolve_query *query)
{
    struct sip_resolver *resolver = query->resolver;
    GError *error = NULL;
    GArray *targets = NULL;

    query_ref(query);
    if (query->targets->len)
    {
        if (query->key)
            cache_store(resolver, query->key, query->targets);
        targets = g_steal_pointer(&query->targets);
    }
    else
    {
        g_set_error(&error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_UNRESOLVABLE, "cannot resolve \"%s\": %s",
                    query->domain, query->last_error ? query->last_error : "no SIP server found");
    }
    query_detach(query);
    g_debug("resolved %s: %u target(s)%s%s", query->domain, targets ? targets->len : 0, error ? "; " : "",
            error ? error->message : "");
    query->done(targets, error, query->user_data);
    g_clear_error(&error);
    query_unref(query);
}

static void note_error(struct sip_resolve_query *query, const GError *error)
{
    g_free(query->last_error);
    query->last_error = g_strdup(error->message);
}

static void lookup_next_host(struct sip_resolve_query *query);
static void lookup_next_service(struct sip_resolve_query *query);

static void addresses_found(GObject *source, GAsyncResult *result, gpointer user_data)
{
    struct sip_resolve_query *query = user_data;
    GError *error = NULL;
    GList *addresses = g_resolver_lookup_by_name_finish(G_RESOLVER(source), result, &error), *l;
    const struct srv_host *host;

    if (!query->resolver)
    {
        g_resolver_free_addresses(addresses);
        g_clear_error(&error);
        query_unref(query);
        return;
    }
    host = &g_array_index(query->hosts, struct srv_host, query->next_host - 1);
    if (error)
    {
        note_error(query, error);
        g_error_free(error);
    }
    for (l = addresses; l; l = l->next)
    {
        char *ip = g_inet_address_to_string(l->data);

        add_target(query->targets, host->protocol, ip, host->port);
        g_free(ip);
    }
    g_resolver_free_addresses(addresses);
    lookup_next_host(query);
    query_unref(query);
}

/* A/AAAA of each host found, in order; then done. */
static void lookup_next_host(struct sip_resolve_query *query)
{
    GResolver *resolver;
    const struct srv_host *host;

    if (query->next_host >= query->hosts->len || query->targets->len >= SIP_RESOLVER_MAX_TARGETS
        || query->hosts_only)
    {
        query_finish(query);
        return;
    }
    host = &g_array_index(query->hosts, struct srv_host, query->next_host++);
    resolver = g_resolver_get_default();
    g_main_context_push_thread_default(query->context);
    g_resolver_lookup_by_name_async(resolver, host->name, query->cancellable, addresses_found, query_ref(query));
    g_main_context_pop_thread_default(query->context);
    g_object_unref(resolver);
}

static void add_host(struct sip_resolve_query *query, const char *name, guint16 port,
                     enum sip_transport_protocol protocol)
{
    struct srv_host host = { g_strdup(name), port, protocol };
    guint i;

    for (i = 0; i < query->hosts->len; i++)
    {
        const struct srv_host *known = &g_array_index(query->hosts, struct srv_host, i);

        if (known->port == port && known->protocol == protocol && !g_ascii_strcasecmp(known->name, name))
        {
            g_free(host.name);
            return;
        }
    }
    g_array_append_val(query->hosts, host);
}

static void services_found(GObject *source, GAsyncResult *result, gpointer user_data)
{
    struct sip_resolve_query *query = user_data;
    GError *error = NULL;
    GList *found = g_resolver_lookup_service_finish(G_RESOLVER(source), result, &error), *l;
    const struct srv_service *service;

    if (!query->resolver)
    {
        g_resolver_free_targets(found);
        g_clear_error(&error);
        query_unref(query);
        return;
    }
    service = &g_array_index(query->services, struct srv_service, query->next_service - 1);
    if (error)
    {
        g_debug("SRV _%s._%s.%s: %s", service->service, service->proto, query->domain, error->message);
        note_error(query, error);
        g_error_free(error);
    }
    /* GResolver has ordered them by priority, then weight (RFC 2782). */
    for (l = found; l; l = l->next)
    {
        const char *name = g_srv_target_get_hostname(l->data);

        /* "." means "no such service here" (RFC 2782). */
        if (name && *name && strcmp(name, "."))
            add_host(query, name, g_srv_target_get_port(l->data), service->protocol);
    }
    g_resolver_free_targets(found);
    lookup_next_service(query);
    query_unref(query);
}

/* The SRV names in order; then the hosts they gave (or the domain itself). */
static void lookup_next_service(struct sip_resolve_query *query)
{
    const struct srv_service *service;
    GResolver *resolver;

    if (query->next_service >= query->services->len)
    {
        if (!query->hosts->len && query->fallback_to_host)
        {
            /* §4.2: no SRV records: the host's addresses, the default port. */
            add_host(query, query->domain, query->fallback_port, query->fallback_protocol);
        }
        lookup_next_host(query);
        return;
    }
    service = &g_array_index(query->services, struct srv_service, query->next_service++);
    resolver = g_resolver_get_default();
    g_main_context_push_thread_default(query->context);
    g_resolver_lookup_service_async(resolver, service->service, service->proto, query->domain, query->cancellable,
                                    services_found, query_ref(query));
    g_main_context_pop_thread_default(query->context);
    g_object_unref(resolver);
}

static struct sip_resolve_query *query_new(struct sip_resolver *resolver, const char *domain,
                                           sip_resolve_func done, void *user_data)
{
    struct sip_resolve_query *query = g_new0(struct sip_resolve_query, 1);

    query->refcount = 1;        /* the resolver's, until it is finished or cancelled */
    query->resolver = resolver;
    query->context = g_main_context_ref(resolver->context);
    query->cancellable = g_cancellable_new();
    query->domain = g_strdup(domain);
    query->services = g_array_new(FALSE, FALSE, sizeof(struct srv_service));
    query->hosts = g_array_new(FALSE, FALSE, sizeof(struct srv_host));
    query->targets = new_targets();
    query->done = done;
    query->user_data = user_data;
    g_hash_table_add(resolver->queries, query);
    return query;
}

struct sip_resolve_query *sip_resolver_lookup(struct sip_resolver *resolver, const struct sip_resolve_request *request,
                                              sip_resolve_func done, void *user_data)
{
    char buffer[SIP_NAME_BUFFER_SIZE];
    const char *host = bare_host(request->host, buffer, sizeof(buffer));
    enum sip_transport_protocol transport = plain_transport(request);
    struct sip_resolve_query *query;

    g_return_val_if_fail(host != NULL, NULL);
    query = query_new(resolver, host, done, user_data);
    query->key = cache_key(request, host);
    if (request->port)
    {
        /* §4.2: a port means no SRV. */
        add_host(query, host, request->port, transport);
    }
    else
    {
        if (request->secure)
            g_array_append_val(query->services, sips_tcp);
        else if (request->transport_given)
            g_array_append_vals(query->services, request->transport == SIP_TRANSPORT_UDP ? &sip_udp
                                                 : request->transport == SIP_TRANSPORT_TCP ? &sip_tcp : &sips_tcp, 1);
        else
        {
            /* §4.1: the transports we support, the preferred one first. */
            if (request->transport == SIP_TRANSPORT_TLS)
                g_array_append_val(query->services, sips_tcp);
            if (request->transport == SIP_TRANSPORT_UDP && request->udp_allowed)
                g_array_append_val(query->services, sip_udp);
            g_array_append_val(query->services, sip_tcp);
            if (request->transport != SIP_TRANSPORT_UDP && request->udp_allowed)
                g_array_append_val(query->services, sip_udp);
        }
        query->fallback_to_host = TRUE;
        query->fallback_protocol = transport;
        query->fallback_port = sip_default_port(transport);
    }
    lookup_next_service(query);
    return query;
}

/* ---- finding a domain's servers (sip_engine.h) ------------------------------------------------ */

/* What Office Communicator asks for a sign-in domain, then RFC 3263's TLS
 * and TCP names (docs/ucc.md, "Finding the server"). */
static const struct srv_service sign_in_services[] =
{
    { "sipinternaltls", "tcp", SIP_TRANSPORT_TLS },
    { "sipinternal", "tcp", SIP_TRANSPORT_TCP },
    { "sip", "tls", SIP_TRANSPORT_TLS },
    { "sips", "tcp", SIP_TRANSPORT_TLS },
    { "sip", "tcp", SIP_TRANSPORT_TCP },
};

struct sip_server_search
{
    struct sip_resolver *resolver;          /* the search's own */
    struct sip_resolve_query *query;
    sip_find_servers_func done;
    void *user_data;
};

static void search_free(struct sip_server_search *search)
{
    sip_resolver_free(search->resolver);
    g_free(search);
}

static void search_done(GArray *targets, const GError *error, void *user_data)
{
    struct sip_server_search *search = user_data;
    struct sip_resolve_query *query = search->query;
    GArray *servers = g_array_new(FALSE, FALSE, sizeof(struct sip_server_location));
    guint i;

    (void)targets;      /* a search stops at the SRV records: no addresses */
    for (i = 0; i < query->hosts->len; i++)
    {
        const struct srv_host *host = &g_array_index(query->hosts, struct srv_host, i);
        struct sip_server_location server = { host->protocol, host->name, host->port };

        g_array_append_val(servers, server);
    }
    if (servers->len)
        search->done((const struct sip_server_location *)(void *)servers->data, servers->len, NULL,
                     search->user_data);
    else
    {
        GError *not_found = g_error_new(SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_UNRESOLVABLE,
                                        "no SIP server for \"%s\": %s", query->domain,
                                        query->last_error ? query->last_error : "no SRV record");

        (void)error;
        search->done(NULL, 0, not_found, search->user_data);
        g_error_free(not_found);
    }
    g_array_unref(servers);
    search->query = NULL;
    query_unref(query);     /* the search's reference */
    search_free(search);
}

struct sip_server_search *sip_find_servers(const char *domain, sip_find_servers_func done, void *user_data,
                                           GError **error)
{
    struct sip_server_search *search;
    GMainContext *context;
    char buffer[SIP_NAME_BUFFER_SIZE];
    const char *host = bare_host(domain, buffer, sizeof(buffer));
    gsize i;

    g_return_val_if_fail(done != NULL, NULL);
    if (!host || !is_dns_name(host) || g_hostname_is_ip_address(host))
    {
        g_set_error(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_INVALID_ARGUMENT, "\"%s\" is not a domain name",
                    domain ? domain : "(null)");
        return NULL;
    }
    search = g_new0(struct sip_server_search, 1);
    context = g_main_context_ref_thread_default();
    search->resolver = sip_resolver_new(context);
    g_main_context_unref(context);
    search->done = done;
    search->user_data = user_data;
    search->query = query_new(search->resolver, host, search_done, search);
    /* Every SRV record is a server: no addresses are looked up. The search
     * keeps a reference so that search_done() can read the hosts. */
    query_ref(search->query);
    search->query->hosts_only = TRUE;
    for (i = 0; i < G_N_ELEMENTS(sign_in_services); i++)
        g_array_append_val(search->query->services, sign_in_services[i]);
    lookup_next_service(search->query);
    return search;
}

void sip_server_search_cancel(struct sip_server_search *search)
{
    if (!search)
        return;
    sip_resolve_query_cancel(search->query);
    query_unref(search->query);
    search->query = NULL;
    search_free(search);
}
