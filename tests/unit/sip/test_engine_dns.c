/*
 * Names (RFC 3263) in the engine, with a stand-in for DNS: GIO's default
 * resolver is replaced by one answering from tables (g_resolver_set_default),
 * so the order of targets, fail-over, the cache, names in Contact and
 * Record-Route, and TLS server identity (RFC 5922) are checked exactly,
 * against hand-driven UDP sockets and engines on loopback. (tests/dns/ does
 * the same with a real DNS server, dnsmasq, in a private namespace.)
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <gio/gio.h>
#include <glib/gstdio.h>

#include "platform.h"
#include "resolver.h"
#include "sip/sip_call.h"
#include "sip/sip_engine.h"
#include "sip/sip_register.h"
#include "tls_identity.h"
#include "tls_name_fixtures.h"
#include "../../common/test_time.h"

#ifdef __SANITIZE_ADDRESS__
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
    return "detect_leaks=0";    /* glib-networking's TLS threads, see test_tls.c */
}
#endif

/* ---- DNS from tables ------------------------------------------------------------------------ */

typedef struct
{
    GResolver parent;
    GHashTable *srv;            /* "_sip._udp.example.test" -> GList of GSrvTarget */
    GHashTable *addresses;      /* "host" -> GList of GInetAddress */
    guint srv_lookups;
    guint name_lookups;
    gboolean hold;              /* keep answers back until released */
    GPtrArray *held;            /* GTask * */
} FakeResolver;

typedef struct
{
    GResolverClass parent_class;
} FakeResolverClass;

static GType fake_resolver_get_type(void);
G_DEFINE_TYPE(FakeResolver, fake_resolver, G_TYPE_RESOLVER)

static FakeResolver *dns;
static GResolver *system_resolver;      /* GIO's own, put back after each test */

static void free_targets(gpointer list)
{
    g_list_free_full(list, (GDestroyNotify)g_srv_target_free);
}

static void free_addresses(gpointer list)
{
    g_list_free_full(list, g_object_unref);
}

static void fake_resolver_init(FakeResolver *self)
{
    self->srv = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, free_targets);
    self->addresses = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, free_addresses);
    self->held = g_ptr_array_new();
}

static void fake_resolver_finalize(GObject *object)
{
    FakeResolver *self = (FakeResolver *)object;

    g_hash_table_destroy(self->srv);
    g_hash_table_destroy(self->addresses);
    g_ptr_array_free(self->held, TRUE);
    G_OBJECT_CLASS(fake_resolver_parent_class)->finalize(object);
}

static void fake_lookup_service_async(GResolver *resolver, const gchar *rrname, GCancellable *cancellable,
                                      GAsyncReadyCallback callback, gpointer user_data);

/* The answer goes with the task; GIO frees it when nobody takes it (a cancelled lookup). */
static void answer(FakeResolver *self, GTask *task)
{
    if (self->hold)
        g_ptr_array_add(self->held, task);
    else
    {
        g_task_return_pointer(task, g_task_get_task_data(task),
                              g_task_get_source_tag(task) == fake_lookup_service_async ? free_targets : free_addresses);
        g_object_unref(task);
    }
}

/* The answer rides on the task as its data; NULL means "not found". */
static void fake_lookup_by_name_async(GResolver *resolver, const gchar *hostname, GCancellable *cancellable,
                                      GAsyncReadyCallback callback, gpointer user_data)
{
    FakeResolver *self = (FakeResolver *)resolver;
    GTask *task = g_task_new(resolver, cancellable, callback, user_data);
    GList *found = g_hash_table_lookup(self->addresses, hostname), *copy = NULL, *l;

    self->name_lookups++;
    g_task_set_source_tag(task, fake_lookup_by_name_async);
    for (l = found; l; l = l->next)
        copy = g_list_append(copy, g_object_ref(l->data));
    g_task_set_task_data(task, copy, NULL);
    answer(self, task);
}

static GList *fake_lookup_by_name_finish(GResolver *resolver, GAsyncResult *result, GError **error)
{
    GList *found = g_task_propagate_pointer(G_TASK(result), error);

    (void)resolver;
    if (!found && error && !*error)
        g_set_error(error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND, "no address (test DNS)");
    return found;
}

static void fake_lookup_service_async(GResolver *resolver, const gchar *rrname, GCancellable *cancellable,
                                      GAsyncReadyCallback callback, gpointer user_data)
{
    FakeResolver *self = (FakeResolver *)resolver;
    GTask *task = g_task_new(resolver, cancellable, callback, user_data);
    GList *found = g_hash_table_lookup(self->srv, rrname), *copy = NULL, *l;

    self->srv_lookups++;
    g_task_set_source_tag(task, fake_lookup_service_async);
    for (l = found; l; l = l->next)
        copy = g_list_append(copy, g_srv_target_copy(l->data));
    /* As GIO's own resolver does: by priority, then weight (RFC 2782). */
    g_task_set_task_data(task, copy ? g_srv_target_list_sort(copy) : NULL, NULL);
    answer(self, task);
}

static GList *fake_lookup_service_finish(GResolver *resolver, GAsyncResult *result, GError **error)
{
    GList *found = g_task_propagate_pointer(G_TASK(result), error);

    (void)resolver;
    if (!found && error && !*error)
        g_set_error(error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND, "no SRV record (test DNS)");
    return found;
}

static void fake_resolver_class_init(FakeResolverClass *klass)
{
    GResolverClass *resolver_class = G_RESOLVER_CLASS(klass);

    G_OBJECT_CLASS(klass)->finalize = fake_resolver_finalize;
    resolver_class->lookup_by_name_async = fake_lookup_by_name_async;
    resolver_class->lookup_by_name_finish = fake_lookup_by_name_finish;
    resolver_class->lookup_service_async = fake_lookup_service_async;
    resolver_class->lookup_service_finish = fake_lookup_service_finish;
}

static void dns_srv(const char *rrname, guint16 priority, guint16 weight, guint16 port, const char *target)
{
    GList *list = NULL;
    gpointer key = NULL;

    if (g_hash_table_steal_extended(dns->srv, rrname, &key, (gpointer *)&list))
        g_free(key);
    list = g_list_append(list, g_srv_target_new(target, port, priority, weight));
    g_hash_table_insert(dns->srv, g_strdup(rrname), list);
}

static void dns_address(const char *host, const char *ip)
{
    GList *list = NULL;
    gpointer key = NULL;

    if (g_hash_table_steal_extended(dns->addresses, host, &key, (gpointer *)&list))
        g_free(key);
    list = g_list_append(list, g_inet_address_new_from_string(ip));
    g_hash_table_insert(dns->addresses, g_strdup(host), list);
}

static void dns_release(void)
{
    guint i;

    dns->hold = FALSE;
    for (i = 0; i < dns->held->len; i++)
        answer(dns, g_ptr_array_index(dns->held, i));
    g_ptr_array_set_size(dns->held, 0);
}

static int dns_setup(void **state)
{
    (void)state;
    system_resolver = g_resolver_get_default();
    dns = g_object_new(fake_resolver_get_type(), NULL);
    g_resolver_set_default(G_RESOLVER(dns));
    return 0;
}

static void spin(int ms)
{
    gint64 deadline = g_get_monotonic_time() + ms * 1000;

    while (g_get_monotonic_time() < deadline)
        if (!g_main_context_iteration(NULL, FALSE))
            g_usleep(1000);
}

static int dns_teardown(void **state)
{
    (void)state;
    dns_release();
    spin(20);
    /* Back to GIO's own resolver, and a fresh table for the next test. */
    g_resolver_set_default(system_resolver);
    g_clear_object(&system_resolver);
    g_object_unref(dns);
    dns = NULL;
    return 0;
}

/* ---- UDP sockets played by hand ---------------------------------------------------------------- */

struct raw_peer
{
    GSocket *socket;
    guint16 port;
    GSocketAddress *last_from;
};

static void raw_peer_start(struct raw_peer *peer)
{
    GSocketAddress *local = g_inet_socket_address_new_from_string("127.0.0.1", 0), *bound;

    peer->socket = g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, NULL);
    assert_true(g_socket_bind(peer->socket, local, FALSE, NULL));
    g_socket_set_blocking(peer->socket, FALSE);
    bound = g_socket_get_local_address(peer->socket, NULL);
    peer->port = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(bound));
    g_object_unref(bound);
    g_object_unref(local);
    peer->last_from = NULL;
}

static void raw_peer_stop(struct raw_peer *peer)
{
    g_clear_object(&peer->last_from);
    g_object_unref(peer->socket);
}

/* A UDP port nobody listens on: datagrams to it are refused (ICMP). */
static guint16 dead_port(void)
{
    struct raw_peer peer;
    guint16 port;

    raw_peer_start(&peer);
    port = peer.port;
    raw_peer_stop(&peer);
    return port;
}

/* The next message starting with prefix (others dropped), up to 5 s. */
static char *raw_peer_expect(struct raw_peer *peer, const char *prefix)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)test_seconds(5) * G_USEC_PER_SEC;
    char buffer[65536];

    while (g_get_monotonic_time() < deadline)
    {
        GSocketAddress *from = NULL;
        gssize got = g_socket_receive_from(peer->socket, &from, buffer, sizeof(buffer) - 1, NULL, NULL);

        if (got > 0)
        {
            buffer[got] = 0;
            g_clear_object(&peer->last_from);
            peer->last_from = from;
            if (g_str_has_prefix(buffer, prefix))
                return g_strdup(buffer);
            continue;
        }
        g_clear_object(&from);
        if (!g_main_context_iteration(NULL, FALSE))
            g_usleep(1000);
    }
    print_error("no \"%s\" came\n", g_strescape(prefix, NULL));
    return NULL;
}

/* TRUE if nothing arrives within ms. */
static gboolean raw_peer_quiet(struct raw_peer *peer, int ms)
{
    gint64 deadline = g_get_monotonic_time() + ms * 1000;
    char buffer[65536];

    while (g_get_monotonic_time() < deadline)
    {
        if (g_socket_receive(peer->socket, buffer, sizeof(buffer) - 1, NULL, NULL) > 0)
            return FALSE;
        if (!g_main_context_iteration(NULL, FALSE))
            g_usleep(1000);
    }
    return TRUE;
}

static void raw_peer_send(struct raw_peer *peer, const char *text)
{
    assert_true(g_socket_send_to(peer->socket, peer->last_from, text, strlen(text), NULL, NULL) == (gssize)strlen(text));
}

static char *header_line(const char *message, const char *name)
{
    char *pattern = g_strdup_printf("\n%s:", name);
    const char *start = strstr(message, pattern), *end;

    g_free(pattern);
    if (!start)
        return NULL;
    start += strlen(name) + 2;
    while (*start == ' ')
        start++;
    end = strstr(start, "\r\n");
    return g_strndup(start, end ? end - start : (gssize)strlen(start));
}

/* A response to request; extra headers go after CSeq, via replaces the top Via when given. */
static char *response_to(const char *request, const char *status, const char *extra, const char *via_override,
                         gboolean sdp)
{
    char *via = via_override ? g_strdup(via_override) : header_line(request, "Via");
    char *from = header_line(request, "From"), *to = header_line(request, "To");
    char *call_id = header_line(request, "Call-ID"), *cseq = header_line(request, "CSeq");
    const char *body = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
                       "m=audio 30000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";
    char *text = g_strdup_printf("SIP/2.0 %s\r\nVia: %s\r\nFrom: %s\r\nTo: %s%s\r\nCall-ID: %s\r\nCSeq: %s\r\n%s"
                                 "%sContent-Length: %zu\r\n\r\n%s",
                                 status, via, from, to, strstr(to, "tag=") ? "" : ";tag=peer", call_id, cseq,
                                 extra ? extra : "", sdp ? "Content-Type: application/sdp\r\n" : "",
                                 sdp ? strlen(body) : 0, sdp ? body : "");

    g_free(via);
    g_free(from);
    g_free(to);
    g_free(call_id);
    g_free(cseq);
    return text;
}

static char *via_branch(const char *message)
{
    char *via = header_line(message, "Via"), *start = via ? strstr(via, "branch=") : NULL, *branch;

    assert_non_null(start);
    branch = g_strndup(start + 7, strcspn(start + 7, ";,"));
    g_free(via);
    return branch;
}

/* ---- engines ---------------------------------------------------------------------------------- */

static GPtrArray *events;

static void record(const char *format, ...) G_GNUC_PRINTF(1, 2);
static void record(const char *format, ...)
{
    va_list args;

    va_start(args, format);
    g_ptr_array_add(events, g_strdup_vprintf(format, args));
    va_end(args);
}

static gboolean seen(const char *event)
{
    guint i;

    for (i = 0; i < events->len; i++)
        if (!strcmp(g_ptr_array_index(events, i), event))
            return TRUE;
    return FALSE;
}

static gboolean wait_for(const char *event, int seconds)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)test_seconds(seconds) * G_USEC_PER_SEC;
    guint i;

    while (!seen(event) && g_get_monotonic_time() < deadline)
        if (!g_main_context_iteration(NULL, FALSE))
            g_usleep(1000);
    if (seen(event))
        return TRUE;
    print_error("never saw \"%s\"; saw:\n", event);
    for (i = 0; i < events->len; i++)
        print_error("  %s\n", (const char *)g_ptr_array_index(events, i));
    return FALSE;
}

static void on_state(struct sip_call *call, enum sip_call_state state, guint code, const char *reason,
                     void *user_data)
{
    (void)reason;
    (void)user_data;
    if (state == SIP_CALL_STATE_TERMINATED)
        record("%s terminated %s %u %s", sip_call_is_incoming(call) ? "in" : "out",
               sip_call_end_reason_name(sip_call_get_end_reason(call)), code,
               sip_delivery_failure_name(sip_call_get_delivery_failure(call)));
    else
        record("%s %s %u", sip_call_is_incoming(call) ? "in" : "out", sip_call_state_name(state), code);
}

static void on_incoming(struct sip_engine *engine, struct sip_call *call, void *user_data)
{
    (void)engine;
    (void)user_data;
    record("incoming %s", sip_call_get_local_uri(call));
    assert_true(sip_call_answer(call, NULL));
}

static void on_registration(struct sip_registration *registration, enum sip_registration_state state,
                            guint code, const char *reason, void *user_data)
{
    (void)reason;
    (void)user_data;
    record("registration %s %u %s", sip_registration_state_name(state), code,
           sip_delivery_failure_name(sip_registration_get_delivery_failure(registration)));
}

static struct sip_engine *engine_start(enum sip_transport_protocol protocol)
{
    struct sip_engine_callbacks callbacks = { 0 };
    struct sip_registration_callbacks registration_callbacks = { on_registration };
    struct sip_engine *engine;

    callbacks.incoming_call = on_incoming;
    callbacks.call_state_changed = on_state;
    engine = sip_engine_new(NULL, &callbacks, NULL, NULL);
    assert_non_null(engine);
    sip_engine_set_registration_callbacks(engine, &registration_callbacks);
    if (protocol == SIP_TRANSPORT_UDP)
        assert_true(sip_engine_listen(engine, SIP_TRANSPORT_UDP, "127.0.0.1", 0, NULL, NULL));
    else
        assert_true(sip_engine_listen(engine, SIP_TRANSPORT_TCP, "127.0.0.1", 0, NULL, NULL));
    return engine;
}

static int events_setup(void **state)
{
    dns_setup(state);
    events = g_ptr_array_new_with_free_func(g_free);
    return 0;
}

static int events_teardown(void **state)
{
    g_ptr_array_free(events, TRUE);
    return dns_teardown(state);
}

/* ---- the resolver alone ---------------------------------------------------------------------- */

static GArray *resolved_targets;
static char *resolve_error;

static void on_resolved(GArray *targets, const GError *error, void *user_data)
{
    (void)user_data;
    resolved_targets = targets;
    resolve_error = error ? g_strdup(error->message) : g_strdup("");
}

/* Resolves request and gives the targets as "UDP 127.0.0.1:5070,..." or "error: ...". */
static char *resolve(struct sip_resolver *resolver, const struct sip_resolve_request *request)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)test_seconds(5) * G_USEC_PER_SEC;
    GString *text = g_string_new(NULL);
    GArray *targets = NULL;
    guint i;

    if (!sip_resolver_lookup_now(resolver, request, &targets))
    {
        resolved_targets = NULL;
        g_clear_pointer(&resolve_error, g_free);
        assert_non_null(sip_resolver_lookup(resolver, request, on_resolved, NULL));
        while (!resolve_error && g_get_monotonic_time() < deadline)
            g_main_context_iteration(NULL, TRUE);
        assert_non_null(resolve_error);
        targets = resolved_targets;
        if (!targets)
            g_string_append_printf(text, "error: %s", resolve_error);
        g_clear_pointer(&resolve_error, g_free);
    }
    for (i = 0; targets && i < targets->len; i++)
    {
        const struct sip_target *target = &g_array_index(targets, struct sip_target, i);

        g_string_append_printf(text, "%s%s %s:%u", i ? "," : "", sip_transport_protocol_name(target->protocol),
                               target->ip, target->port);
    }
    if (targets)
        g_array_unref(targets);
    return g_string_free(text, FALSE);
}

static void expect_resolution(struct sip_resolver *resolver, const char *host, guint16 port, gboolean secure,
                              const char *transport, const char *expected)
{
    struct sip_resolve_request request = { host, port, transport != NULL, SIP_TRANSPORT_UDP, secure, TRUE };
    char *got;

    if (transport)
        request.transport = !strcmp(transport, "tcp") ? SIP_TRANSPORT_TCP
                            : !strcmp(transport, "tls") ? SIP_TRANSPORT_TLS : SIP_TRANSPORT_UDP;
    got = resolve(resolver, &request);
    if (!g_str_has_prefix(expected, "error") ? strcmp(got, expected) : !g_str_has_prefix(got, expected))
        print_error("%s:%u: expected \"%s\", got \"%s\"\n", host, port, expected, got);
    assert_true(!g_str_has_prefix(expected, "error") ? !strcmp(got, expected) : g_str_has_prefix(got, expected));
    g_free(got);
}

static void test_resolver_rfc3263(void **state)
{
    struct sip_resolver *resolver = sip_resolver_new(g_main_context_default());
    guint srv_lookups;

    (void)state;
    dns_srv("_sip._udp.example.test", 20, 0, 5072, "second.example.test");
    dns_srv("_sip._udp.example.test", 10, 0, 5071, "first.example.test");
    dns_srv("_sip._tcp.example.test", 10, 0, 5080, "first.example.test");
    dns_srv("_sips._tcp.example.test", 10, 0, 5081, "first.example.test");
    dns_address("first.example.test", "127.0.0.1");
    dns_address("first.example.test", "::1");
    dns_address("second.example.test", "127.0.0.2");
    dns_address("plain.example.test", "127.0.0.3");

    /* An IP address: no DNS; the default port of its transport. */
    expect_resolution(resolver, "127.0.0.9", 0, FALSE, NULL, "UDP 127.0.0.9:5060");
    expect_resolution(resolver, "[::1]", 0, TRUE, NULL, "TLS ::1:5061");
    assert_int_equal(dns->srv_lookups + dns->name_lookups, 0);
    /* No port: SRV, by priority, each target's addresses, then the next
     * transport's SRV (UDP preferred, then TCP). */
    expect_resolution(resolver, "example.test", 0, FALSE, NULL,
                      "UDP 127.0.0.1:5071,UDP ::1:5071,UDP 127.0.0.2:5072,TCP 127.0.0.1:5080,TCP ::1:5080");
    /* Cached: the same answer without asking again. */
    srv_lookups = dns->srv_lookups;
    expect_resolution(resolver, "example.test", 0, FALSE, NULL,
                      "UDP 127.0.0.1:5071,UDP ::1:5071,UDP 127.0.0.2:5072,TCP 127.0.0.1:5080,TCP ::1:5080");
    assert_int_equal(dns->srv_lookups, srv_lookups);
    /* ;transport=tcp: that transport's SRV only. sips: _sips._tcp. */
    expect_resolution(resolver, "example.test", 0, FALSE, "tcp", "TCP 127.0.0.1:5080,TCP ::1:5080");
    expect_resolution(resolver, "example.test", 0, TRUE, NULL, "TLS 127.0.0.1:5081,TLS ::1:5081");
    /* A port: no SRV, the name's addresses. */
    srv_lookups = dns->srv_lookups;
    expect_resolution(resolver, "second.example.test", 5999, FALSE, NULL, "UDP 127.0.0.2:5999");
    assert_int_equal(dns->srv_lookups, srv_lookups);
    /* No SRV record at all: the name's addresses, the default port. */
    expect_resolution(resolver, "plain.example.test", 0, FALSE, "tcp", "TCP 127.0.0.3:5060");
    expect_resolution(resolver, "plain.example.test", 0, TRUE, NULL, "TLS 127.0.0.3:5061");
    /* Nothing at all. */
    expect_resolution(resolver, "nowhere.test", 0, FALSE, NULL, "error: cannot resolve \"nowhere.test\"");
    /* What is neither an address nor a name. */
    assert_false(sip_resolver_check("exa mple.test", NULL));
    assert_false(sip_resolver_check("a..b", NULL));
    assert_false(sip_resolver_check("[example.test]", NULL));
    assert_true(sip_resolver_check("[2001:db8::1]", NULL));
    assert_true(sip_resolver_check("_sip._udp.example.test", NULL));
    sip_resolver_free(resolver);
}

/* A lookup still running when the resolver goes: no callback, no leak. */
static void test_resolver_freed_while_looking_up(void **state)
{
    struct sip_resolver *resolver = sip_resolver_new(g_main_context_default());
    struct sip_resolve_request request = { "example.test", 0, FALSE, SIP_TRANSPORT_UDP, FALSE, TRUE };

    (void)state;
    dns_srv("_sip._udp.example.test", 10, 0, 5071, "first.example.test");
    dns->hold = TRUE;
    resolve_error = NULL;
    assert_non_null(sip_resolver_lookup(resolver, &request, on_resolved, NULL));
    spin(20);
    sip_resolver_free(resolver);
    dns_release();
    spin(50);
    assert_null(resolve_error);
}

/* ---- the certificate's identity (RFC 5922) ---------------------------------------------------------- */

static gboolean pem_names(const char *pem, const char *domain, char **identities)
{
    GTlsCertificate *certificate = g_tls_certificate_new_from_pem(pem, -1, NULL);
    GByteArray *der = NULL;
    gboolean match;

    assert_non_null(certificate);
    g_object_get(certificate, "certificate", &der, NULL);
    match = sip_tls_certificate_names_domain(der->data, der->len, domain, identities);
    g_byte_array_unref(der);
    g_object_unref(certificate);
    return match;
}

static void test_certificate_identity(void **state)
{
    static const guint8 garbage[] = { 0x30, 0x82, 0xff, 0xff, 0x02 };
    char *names = NULL;

    (void)state;
    assert_true(pem_names(name_dns_pem, "sip.example.test", &names));
    assert_string_equal(names, "DNS:sip.example.test");
    g_free(names);
    assert_true(pem_names(name_dns_pem, "SIP.Example.Test.", NULL));     /* case, trailing dot */
    assert_false(pem_names(name_dns_pem, "example.test", NULL));
    assert_false(pem_names(name_other_pem, "sip.example.test", NULL));
    /* URIs first: the DNS name next to a sip: URI is no identity. */
    assert_true(pem_names(name_uri_pem, "example.test", &names));
    assert_string_equal(names, "URI:sip:example.test DNS:server1.example.test");
    g_free(names);
    assert_false(pem_names(name_uri_pem, "server1.example.test", NULL));
    /* No wildcards. */
    assert_false(pem_names(name_wild_pem, "sip.example.test", NULL));
    /* No subjectAltName: the CN. */
    assert_true(pem_names(name_cn_pem, "sip.example.test", &names));
    assert_string_equal(names, "CN:sip.example.test");
    g_free(names);
    assert_false(sip_tls_certificate_names_domain(garbage, sizeof(garbage), "example.test", &names));
    assert_string_equal(names, "(unreadable)");
    g_free(names);
}

/* ---- calls by name ---------------------------------------------------------------------------- */

/* SRV gives two targets; the first refuses (ICMP port unreachable), the
 * INVITE goes on to the second with a new branch and the same CSeq; a 503
 * from it moves on to a third; the third's answer is the call's. */
static void test_call_fail_over(void **state)
{
    struct sip_engine *alice = engine_start(SIP_TRANSPORT_UDP);
    struct raw_peer second, third;
    struct sip_engine_stats stats;
    struct sip_call *call;
    char *invite, *again, *reply, *branch, *branch_again, *cseq, *cseq_again, *ack;

#ifdef G_OS_WIN32
    /* The Windows platform code reports no ICMP refusal for UDP (docs/wire-mapping.md,
     * "rtcshim.dll (Windows)"): a refusing target costs timer B there, which this case does not wait for. */
    skip();
#endif

    (void)state;
    raw_peer_start(&second);
    raw_peer_start(&third);
    dns_srv("_sip._udp.example.test", 10, 0, dead_port(), "dead.example.test");
    dns_srv("_sip._udp.example.test", 20, 0, second.port, "second.example.test");
    dns_srv("_sip._udp.example.test", 30, 0, third.port, "third.example.test");
    dns_address("dead.example.test", "127.0.0.1");
    dns_address("second.example.test", "127.0.0.1");
    dns_address("third.example.test", "127.0.0.1");

    call = sip_call_invite(alice, "sip:alice@example.test", "sip:bob@example.test", NULL);
    assert_non_null(call);
    invite = raw_peer_expect(&second, "INVITE sip:bob@example.test SIP/2.0");
    assert_non_null(invite);
    reply = response_to(invite, "503 Service Unavailable", NULL, NULL, FALSE);
    raw_peer_send(&second, reply);
    g_free(reply);
    assert_non_null(ack = raw_peer_expect(&second, "ACK "));
    g_free(ack);
    again = raw_peer_expect(&third, "INVITE sip:bob@example.test SIP/2.0");
    assert_non_null(again);
    branch = via_branch(invite);
    branch_again = via_branch(again);
    assert_string_not_equal(branch, branch_again);
    cseq = header_line(invite, "CSeq");
    cseq_again = header_line(again, "CSeq");
    assert_string_equal(cseq, cseq_again);
    reply = response_to(again, "486 Busy Here", NULL, NULL, FALSE);
    raw_peer_send(&third, reply);
    assert_true(wait_for("out terminated rejected 486 ok", 5));
    assert_false(seen("out terminated rejected 503 ok"));
    sip_engine_get_stats(alice, &stats);
    assert_int_equal(stats.fail_overs, 2);

    g_free(reply);
    g_free(branch);
    g_free(branch_again);
    g_free(cseq);
    g_free(cseq_again);
    g_free(invite);
    g_free(again);
    sip_call_unref(call);
    sip_engine_free(alice);
    raw_peer_stop(&second);
    raw_peer_stop(&third);
}

/* Every target refuses: one failure, "no server answered", at once. */
static void test_call_all_targets_dead(void **state)
{
    struct sip_engine *alice = engine_start(SIP_TRANSPORT_UDP);
    struct sip_call *call;
    gint64 start = g_get_monotonic_time();

#ifdef G_OS_WIN32
    /* The Windows platform code reports no ICMP refusal for UDP (docs/wire-mapping.md,
     * "rtcshim.dll (Windows)"): a refusing target costs timer B there, which this case does not wait for. */
    skip();
#endif

    (void)state;
    dns_srv("_sip._udp.example.test", 10, 0, dead_port(), "dead.example.test");
    dns_srv("_sip._udp.example.test", 20, 0, dead_port(), "dead.example.test");
    dns_address("dead.example.test", "127.0.0.1");
    call = sip_call_invite(alice, "sip:alice@example.test", "sip:bob@example.test", NULL);
    assert_non_null(call);
    assert_true(wait_for("out terminated transport-error 503 no server answered", 5));
    /* Long before timer B (32 s): the refusals ended it. */
    assert_true(g_get_monotonic_time() - start < 10 * G_USEC_PER_SEC * test_time_scale());
    sip_call_unref(call);
    sip_engine_free(alice);
}

/* A name without records: "name not found" at once, nothing sent, nothing kept. */
static void test_call_name_not_found(void **state)
{
    struct sip_engine *alice = engine_start(SIP_TRANSPORT_UDP);
    struct sip_engine_stats stats;
    struct sip_call *call;

    (void)state;
    call = sip_call_invite(alice, "sip:alice@example.test", "sip:bob@nowhere.test", NULL);
    assert_non_null(call);
    assert_int_equal(sip_call_get_state(call), SIP_CALL_STATE_CALLING);
    assert_true(wait_for("out terminated transport-error 503 name not found", 5));
    spin(20);
    sip_engine_get_stats(alice, &stats);
    assert_int_equal(stats.messages_sent, 0);
    assert_int_equal(stats.transactions, 0);
    sip_call_unref(call);
    sip_engine_free(alice);
}

/* Hung up while the name is being resolved: nothing goes out, ever. */
static void test_hangup_while_resolving(void **state)
{
    struct sip_engine *alice = engine_start(SIP_TRANSPORT_UDP);
    struct raw_peer bob;
    struct sip_engine_stats stats;
    struct sip_call *call;

    (void)state;
    raw_peer_start(&bob);
    dns_srv("_sip._udp.example.test", 10, 0, bob.port, "bob.example.test");
    dns_address("bob.example.test", "127.0.0.1");
    dns->hold = TRUE;
    call = sip_call_invite(alice, "sip:alice@example.test", "sip:bob@example.test", NULL);
    assert_non_null(call);
    spin(20);
    assert_true(sip_call_hangup(call, NULL));
    assert_true(wait_for("out terminated local-cancel 0 ok", 5));
    dns_release();
    assert_true(raw_peer_quiet(&bob, 300));
    sip_engine_get_stats(alice, &stats);
    assert_int_equal(stats.transactions, 0);
    sip_call_unref(call);
    sip_engine_free(alice);
    raw_peer_stop(&bob);
}

/* The engine freed while a name is being resolved. */
static void test_engine_freed_while_resolving(void **state)
{
    struct sip_engine *alice = engine_start(SIP_TRANSPORT_UDP);
    struct sip_call *call;

    (void)state;
    dns_srv("_sip._udp.example.test", 10, 0, 5999, "bob.example.test");
    dns->hold = TRUE;
    call = sip_call_invite(alice, "sip:alice@example.test", "sip:bob@example.test", NULL);
    assert_non_null(call);
    spin(20);
    sip_engine_free(alice);
    dns_release();
    spin(50);
    assert_null(sip_call_get_engine(call));
    sip_call_unref(call);
}

/* Names in the dialog: the 2xx's Contact and Record-Route name hosts; the
 * ACK and the BYE go to where those names resolve. */
static void test_dialog_names(void **state)
{
    struct sip_engine *alice = engine_start(SIP_TRANSPORT_UDP);
    struct raw_peer bob, proxy;
    struct sip_call *call;
    char *invite, *reply, *extra, *ack, *bye, *target;

    (void)state;
    raw_peer_start(&bob);
    raw_peer_start(&proxy);
    dns_address("bob.example.test", "127.0.0.1");
    dns_address("proxy.example.test", "127.0.0.1");
    target = g_strdup_printf("sip:bob@bob.example.test:%u", bob.port);
    call = sip_call_invite(alice, "sip:alice@example.test", target, NULL);
    assert_non_null(invite = raw_peer_expect(&bob, "INVITE "));
    extra = g_strdup_printf("Record-Route: <sip:proxy.example.test:%u;lr>\r\nContact: <sip:bob@bob.example.test:%u>\r\n",
                            proxy.port, bob.port);
    reply = response_to(invite, "200 OK", extra, NULL, TRUE);
    raw_peer_send(&bob, reply);
    assert_non_null(ack = raw_peer_expect(&proxy, "ACK sip:bob@bob.example.test:"));
    assert_true(wait_for("out connected 200", 5));
    assert_true(sip_call_hangup(call, NULL));
    assert_non_null(bye = raw_peer_expect(&proxy, "BYE sip:bob@bob.example.test:"));
    assert_non_null(strstr(bye, "Route: <sip:proxy.example.test:"));

    g_free(target);
    g_free(invite);
    g_free(extra);
    g_free(reply);
    g_free(ack);
    g_free(bye);
    sip_call_unref(call);
    sip_engine_free(alice);
    raw_peer_stop(&bob);
    raw_peer_stop(&proxy);
}

/* ---- registration by domain, NAT keep-alive ----------------------------------------------------- */

/* REGISTER to the domain's SRV target; the registrar saw us at another
 * address (received/rport): the binding is refreshed with it, the old one
 * removed; then CRLF keep-alives come at the interval. */
static void test_register_nat(void **state)
{
    struct sip_engine *alice = engine_start(SIP_TRANSPORT_UDP);
    struct sip_registration *registration;
    struct sip_engine_stats stats;
    struct raw_peer registrar;
    char *request, *via, *nat_via, *reply, *contact, *again, *keepalive;
    const char *rport;

    (void)state;
    raw_peer_start(&registrar);
    dns_srv("_sip._udp.example.test", 10, 0, registrar.port, "registrar.example.test");
    dns_address("registrar.example.test", "127.0.0.1");
    sip_engine_set_keepalive(alice, 1, 1);
    registration = sip_register(alice, "sip:alice@example.test", NULL, 600, NULL);
    assert_non_null(registration);
    assert_non_null(request = raw_peer_expect(&registrar, "REGISTER sip:example.test SIP/2.0"));
    contact = header_line(request, "Contact");
    assert_true(g_str_has_prefix(contact, "<sip:alice@127.0.0.1:"));
    g_free(contact);
    via = header_line(request, "Via");
    rport = strstr(via, ";rport");
    assert_non_null(rport);
    nat_via = g_strdup_printf("%.*s;received=192.0.2.7;rport=40000%s", (int)(rport - via), via, rport + 6);
    reply = response_to(request, "200 OK", "Expires: 600\r\n", nat_via, FALSE);
    raw_peer_send(&registrar, reply);
    g_free(reply);

    /* At once: a REGISTER binding the address the registrar saw, dropping the old one. */
    assert_non_null(again = raw_peer_expect(&registrar, "REGISTER sip:example.test SIP/2.0"));
    assert_non_null(strstr(again, "Contact: <sip:alice@192.0.2.7:40000>"));
    assert_non_null(strstr(again, ";expires=0"));
    reply = response_to(again, "200 OK", "Expires: 600\r\n", NULL, FALSE);
    raw_peer_send(&registrar, reply);
    g_free(reply);
    assert_true(wait_for("registration registered 200 ok", 5));

    /* Keep-alives: CRLF CRLF datagrams to the registrar. */
    assert_non_null(keepalive = raw_peer_expect(&registrar, "\r\n\r\n"));
    assert_string_equal(keepalive, "\r\n\r\n");
    g_free(keepalive);
    assert_non_null(keepalive = raw_peer_expect(&registrar, "\r\n\r\n"));
    g_free(keepalive);
    sip_engine_get_stats(alice, &stats);
    assert_true(stats.keepalives_sent >= 2);

    g_free(request);
    g_free(again);
    g_free(via);
    g_free(nat_via);
    sip_registration_unref(registration);
    sip_engine_free(alice);
    raw_peer_stop(&registrar);
}

/* A registrar name that does not resolve: FAILED, "name not found". */
static void test_register_name_not_found(void **state)
{
    struct sip_engine *alice = engine_start(SIP_TRANSPORT_UDP);
    struct sip_registration *registration;

    (void)state;
    registration = sip_register(alice, "sip:alice@nowhere.test", NULL, 600, NULL);
    assert_non_null(registration);
    assert_true(wait_for("registration failed 503 name not found", 5));
    sip_registration_unref(registration);
    sip_engine_free(alice);
}

/* ---- TLS server identity (RFC 5922) ---------------------------------------------------------------- */

static char *write_temp(const char *text)
{
    char *path = NULL;
    int fd = g_file_open_tmp("rtcshim-dns-XXXXXX.pem", &path, NULL);

    assert_true(fd >= 0);
    assert_true(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
    close(fd);
    return path;
}

/* alice calls sips:bob@<host>:port, bob presenting certificate; "connected" or the failure. */
static void tls_call(const char *certificate, const char *host, const char *expected)
{
    struct sip_engine *alice = engine_start(SIP_TRANSPORT_TCP), *bob = engine_start(SIP_TRANSPORT_TCP);
    char *certificate_file = write_temp(certificate), *ca_file = write_temp(name_ca_pem), *target;
    struct sip_call *call;
    guint16 port;

    assert_true(sip_engine_set_tls_certificate(bob, certificate_file, NULL, NULL));
    assert_true(sip_engine_listen(bob, SIP_TRANSPORT_TLS, "127.0.0.1", 0, &port, NULL));
    assert_true(sip_engine_trust_ca_file(alice, ca_file, NULL));
    target = g_strdup_printf("sips:bob@%s:%u", host, port);
    call = sip_call_invite(alice, "sips:alice@example.test", target, NULL);
    assert_non_null(call);
    assert_true(wait_for(expected, 10));
    g_ptr_array_set_size(events, 0);
    sip_call_unref(call);
    sip_engine_free(alice);
    sip_engine_free(bob);
    g_unlink(certificate_file);
    g_unlink(ca_file);
    g_free(certificate_file);
    g_free(ca_file);
    g_free(target);
}

static void test_tls_server_identity(void **state)
{
    (void)state;
    dns_address("sip.example.test", "127.0.0.1");
    dns_address("example.test", "127.0.0.1");
    dns_address("server1.example.test", "127.0.0.1");
    /* A certificate for the name we called. */
    tls_call(name_dns_pem, "sip.example.test", "out connected 200");
    /* For another name: refused, whatever GIO thinks of the chain. */
    tls_call(name_other_pem, "sip.example.test", "out terminated transport-error 503 TLS certificate refused");
    /* A sip: URI naming the domain (GIO does not know URIs; RFC 5922 does). */
    tls_call(name_uri_pem, "example.test", "out connected 200");
    /* The DNS name beside that URI does not count (URIs first). */
    tls_call(name_uri_pem, "server1.example.test", "out terminated transport-error 503 TLS certificate refused");
    /* No wildcards (GIO would accept this one). */
    tls_call(name_wild_pem, "sip.example.test", "out terminated transport-error 503 TLS certificate refused");
}

int main(void)
{
    const struct CMUnitTest tests[] =
    {
        cmocka_unit_test_setup_teardown(test_resolver_rfc3263, dns_setup, dns_teardown),
        cmocka_unit_test_setup_teardown(test_resolver_freed_while_looking_up, dns_setup, dns_teardown),
        cmocka_unit_test(test_certificate_identity),
        cmocka_unit_test_setup_teardown(test_call_fail_over, events_setup, events_teardown),
        cmocka_unit_test_setup_teardown(test_call_all_targets_dead, events_setup, events_teardown),
        cmocka_unit_test_setup_teardown(test_call_name_not_found, events_setup, events_teardown),
        cmocka_unit_test_setup_teardown(test_hangup_while_resolving, events_setup, events_teardown),
        cmocka_unit_test_setup_teardown(test_engine_freed_while_resolving, events_setup, events_teardown),
        cmocka_unit_test_setup_teardown(test_dialog_names, events_setup, events_teardown),
        cmocka_unit_test_setup_teardown(test_register_nat, events_setup, events_teardown),
        cmocka_unit_test_setup_teardown(test_register_name_not_found, events_setup, events_teardown),
        cmocka_unit_test_setup_teardown(test_tls_server_identity, events_setup, events_teardown),
    };

    /* GIO keeps the first TLS backend it is asked for: the engine's own (rtcshim.dll links
     * one, platform.h) must be registered before the certificate cases ask. */
    sip_platform_init();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
