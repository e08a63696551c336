/*
 * Finding servers by name (resolver.c): the client side of RFC 3263 over
 * GIO's GResolver, asynchronous, with a cache. Internal to src/sip/; the
 * server discovery the UCC API needs is in sip_engine.h (sip_find_servers).
 *
 * - A URI's host that is an IP literal needs nothing: its one target is
 *   known at once. So is an answer still in the cache.
 * - Otherwise (RFC 3263 §4.1-4.2 without NAPTR, which GResolver cannot ask
 *   for): with a port, the host's A/AAAA records and that port; without
 *   one, SRV records -- _sips._tcp for sips:, _sip._<transport> for the
 *   URI's ;transport=, else _sip._udp (when UDP may be used) and _sip._tcp,
 *   the preferred transport first --, each SRV target's A/AAAA records in
 *   the order GResolver gives them (priority, then weight, RFC 2782); no
 *   SRV record at all: the host's A/AAAA records with the transport's
 *   default port.
 * - Answers are kept SIP_RESOLVER_CACHE_SECONDS: GResolver does not report
 *   the records' TTL (docs/wire-mapping.md, "DNS").
 * - Lookups run in GIO's resolver (its own worker threads, not ours); the
 *   answer arrives on the resolver's main context, never from inside
 *   sip_resolver_lookup().
 */
#ifndef RTCSHIM_SIP_RESOLVER_H
#define RTCSHIM_SIP_RESOLVER_H

#include <gio/gio.h>

#include "sip/sip_engine.h"
#include "transport.h"

G_BEGIN_DECLS

#define SIP_RESOLVER_MAX_TARGETS 16         /* targets kept per name */
#define SIP_RESOLVER_CACHE_SECONDS 60
#define SIP_RESOLVER_CACHE_ENTRIES 256

/* One place a request can go. */
struct sip_target
{
    enum sip_transport_protocol protocol;
    char ip[SIP_HOST_BUFFER_SIZE];          /* IP literal, no brackets */
    guint16 port;
};

/* What to resolve: the parts of a SIP URI that RFC 3263 looks at. */
struct sip_resolve_request
{
    const char *host;                       /* the URI's host, or its maddr: a name or an IP literal */
    guint16 port;                           /* the URI's port, 0 when it has none */
    gboolean transport_given;               /* the URI has ;transport= */
    enum sip_transport_protocol transport;  /* that transport; without one, the preferred transport */
    gboolean secure;                        /* a sips: URI: TLS only */
    gboolean udp_allowed;                   /* UDP may be used (we listen on UDP) */
};

struct sip_resolver;
struct sip_resolve_query;

/* targets (struct sip_target, taken by the callee: g_array_unref) or, when
 * nothing was found, NULL and error (SIP_ENGINE_ERROR_UNRESOLVABLE). */
typedef void (*sip_resolve_func)(GArray *targets, const GError *error, void *user_data);

struct sip_resolver *sip_resolver_new(GMainContext *context);
/* Cancels every lookup in progress: their callbacks are not called. */
void sip_resolver_free(struct sip_resolver *resolver);

/* TRUE when the targets are known now (an IP literal, or an answer in the
 * cache): *targets gets a new array. FALSE for a name to look up, and for
 * a malformed host or port (sip_resolver_check() tells which). */
gboolean sip_resolver_lookup_now(struct sip_resolver *resolver, const struct sip_resolve_request *request,
                                 GArray **targets);

/* FALSE with error (SIP_ENGINE_ERROR_INVALID_ARGUMENT) when the host can be
 * neither an IP literal nor a DNS name. */
gboolean sip_resolver_check(const char *host, GError **error);

/* Starts a lookup; done is called once, from the main context. */
struct sip_resolve_query *sip_resolver_lookup(struct sip_resolver *resolver, const struct sip_resolve_request *request,
                                              sip_resolve_func done, void *user_data);
/* Stops a lookup: done is not called. */
void sip_resolve_query_cancel(struct sip_resolve_query *query);

/* Forgets every cached answer (tests; a changed network). */
void sip_resolver_flush(struct sip_resolver *resolver);

/* The default port of a transport (5060, or 5061 for TLS). */
guint16 sip_default_port(enum sip_transport_protocol protocol);

G_END_DECLS

#endif /* RTCSHIM_SIP_RESOLVER_H */
