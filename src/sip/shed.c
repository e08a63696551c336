/*
 * Refusing new calls past an overload bound without parsing them.
 *
 * Past capacity a refusal must cost far less than a call, or refusing eats
 * the capacity: parsed whole, an INVITE refused with 503 and the ACK of that
 * 503 cost nearly what a call does (bench/README.md). So while a bound of
 * sip_engine_limits is reached (the receive backlog, undecided calls, pending
 * callbacks, transactions), a UDP datagram is first scanned, not parsed:
 * - an INVITE without a To tag gets its 503 built from its own Via, From, To,
 *   Call-ID and CSeq lines, sent back where it came from, unless it is a copy
 *   of an INVITE that was taken (its transaction or call answers that);
 * - the ACK of such a 503 (its To tag is ours, SHED_TAG_PREFIX) is dropped.
 * Anything the scan is not sure of (folded or LF-only lines, a Via that
 * does not name the sender, a repeated header, ...) goes the usual way: parsed,
 * and refused there if it must be (dispatch.c).
 *
 * A refusal keeps no transaction, but a copy of the INVITE sent again (the
 * caller missed the 503, or it crossed) must not become a call once the
 * backlog has passed: the caller has given up on it and would never ACK our
 * 200. So the refused INVITEs are remembered, as a 64-bit hash of their top
 * Via, Call-ID and CSeq, for 64*T1 and up to SHED_MEMORY_SIZE of them; while
 * any is remembered, every INVITE is scanned, and a copy gets the 503 again.
 * The requests refused after a parse (dispatch.c) are remembered here too,
 * under a hash of their server transaction's key.
 */

#ifndef G_LOG_DOMAIN
#define G_LOG_DOMAIN "rtcshim"
#endif

#include <string.h>

#include "call_registry.h"
#include "dispatch.h"
#include "engine.h"
#include "shed.h"
#include "timers.h"
#include "transaction_private.h"
#include "transport.h"
#include "wire.h"

/* Our To tag on these 503s: recognised on their ACK, and unlike the tags
 * engine_new_token() makes (hex digits only). */
#define SHED_TAG_PREFIX "shed-"
/* ... and on the 503s of requests refused after a parse: their ACKs are
 * parsed too, and dropped there (no transaction). */
#define PARSED_TAG_PREFIX "refused-"
#define MAX_VIA_LINES 16
#define MAX_KEY_PART 256        /* a longer branch, Call-ID or tag: left to the parser */
#define SHED_MEMORY_SIZE 65536

/* The refused INVITEs, oldest first in a ring, found by a set of their keys. */
struct shed_memory
{
    struct refused_invite
    {
        guint64 key;
        gint64 time;                    /* monotonic, when refused */
    } ring[SHED_MEMORY_SIZE];
    guint first, count;
    GHashTable *keys;                   /* guint64 * into ring -> itself */
};

/* What the top Via says, as written. */
struct top_via
{
    const char *port;                   /* its sent-by port, NULL if none */
    gsize port_length;
    const char *branch;                 /* NULL if none */
    gsize branch_length;
    gboolean rport;                     /* RFC 3581 rport without a value: filled in the 503 */
    const char *rport_at;               /* where */
};

struct scanned_request
{
    gboolean invite;                        /* else an ACK */
    const char *vias[MAX_VIA_LINES];        /* header values, as given */
    gsize via_lengths[MAX_VIA_LINES];
    guint n_vias;
    const char *from, *to, *call_id, *cseq;
    gsize from_length, to_length, call_id_length, cseq_length;
};

/* Case-insensitive: does [s, s+length) start with prefix? */
static gboolean starts_with(const char *s, gsize length, const char *prefix)
{
    gsize n = strlen(prefix);

    return length >= n && !g_ascii_strncasecmp(s, prefix, n);
}

static gboolean name_is(const char *name, gsize length, const char *full, const char *compact)
{
    return (length == strlen(full) && !g_ascii_strncasecmp(name, full, length))
           || (compact && length == 1 && g_ascii_tolower(name[0]) == compact[0]);
}

/* Stores a header value once; FALSE if it came before. */
static gboolean take_once(const char **slot, gsize *slot_length, const char *value, gsize length)
{
    if (*slot)
        return FALSE;
    *slot = value;
    *slot_length = length;
    return TRUE;
}

/* The header lines the 503 copies; FALSE for anything unusual. */
static gboolean scan_request(const char *data, gsize length, struct scanned_request *request)
{
    const char *end = data + length, *line = data, *eol;

    memset(request, 0, sizeof(*request));
    if (starts_with(data, length, "INVITE "))
        request->invite = TRUE;
    else if (!starts_with(data, length, "ACK "))
        return FALSE;
    if (!(eol = memchr(line, '\n', end - line)) || eol == line || eol[-1] != '\r')
        return FALSE;
    for (line = eol + 1; line < end; line = eol + 1)
    {
        const char *colon, *value, *value_end, *name_end;

        if (!(eol = memchr(line, '\n', end - line)) || eol == line || eol[-1] != '\r')
            return FALSE;       /* no end, or a bare LF */
        if (eol - 1 == line)
            break;              /* the empty line: end of the headers */
        if (*line == ' ' || *line == '\t' || !(colon = memchr(line, ':', eol - line)))
            return FALSE;       /* folded, or not a header */
        for (name_end = colon; name_end > line && (name_end[-1] == ' ' || name_end[-1] == '\t'); name_end--)
            ;
        for (value = colon + 1; value < eol - 1 && (*value == ' ' || *value == '\t'); value++)
            ;
        for (value_end = eol - 1; value_end > value && (value_end[-1] == ' ' || value_end[-1] == '\t'); value_end--)
            ;
        if (name_is(line, name_end - line, "Via", "v"))
        {
            if (request->n_vias == MAX_VIA_LINES)
                return FALSE;
            request->vias[request->n_vias] = value;
            request->via_lengths[request->n_vias++] = value_end - value;
        }
        else if ((name_is(line, name_end - line, "From", "f")
                  && !take_once(&request->from, &request->from_length, value, value_end - value))
                 || (name_is(line, name_end - line, "To", "t")
                     && !take_once(&request->to, &request->to_length, value, value_end - value))
                 || (name_is(line, name_end - line, "Call-ID", "i")
                     && !take_once(&request->call_id, &request->call_id_length, value, value_end - value))
                 || (name_is(line, name_end - line, "CSeq", NULL)
                     && !take_once(&request->cseq, &request->cseq_length, value, value_end - value)))
            return FALSE;
    }
    return line < end && request->n_vias && request->from && request->to && request->call_id && request->cseq;
}

/* "digits LWS INVITE" */
static gboolean cseq_is_invite(const char *cseq, gsize length)
{
    const char *end = cseq + length, *p = cseq;

    while (p < end && g_ascii_isdigit(*p))
        p++;
    if (p == cseq || p - cseq > 10 || p == end || (*p != ' ' && *p != '\t'))
        return FALSE;
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    return end - p == 6 && !memcmp(p, "INVITE", 6);
}

/* Where a From or To value's tag starts (after "tag="), NULL without one,
 * and *unsure for anything but a plain ";tag=" parameter. */
static const char *find_tag(const char *value, gsize length, gboolean *unsure)
{
    const char *end = value + length, *p;

    *unsure = FALSE;
    for (p = value; p + 3 <= end; p++)
        if (!g_ascii_strncasecmp(p, "tag", 3))
        {
            if (p > value && p[-1] == ';' && p + 4 <= end && p[3] == '=')
                return p + 4;
            *unsure = TRUE;     /* "tag" in a name, a URI or with spaces: leave it to the parser */
        }
    return NULL;
}

/* The length of a tag value (up to the next parameter). */
static gsize tag_length(const char *tag, const char *end)
{
    const char *p = tag;

    while (p < end && *p != ';')
        p++;
    return p - tag;
}

/* Copies [text, text+length) into buffer as a string; FALSE if it is too
 * long or holds white space or controls (the parser would see it otherwise). */
static gboolean copy_plain(char *buffer, gsize size, const char *text, gsize length)
{
    gsize i;

    if (!length || length >= size)
        return FALSE;
    for (i = 0; i < length; i++)
        if ((guchar)text[i] <= ' ' || text[i] == 0x7f)
            return FALSE;
    memcpy(buffer, text, length);
    buffer[length] = 0;
    return TRUE;
}

/* The top Via names the sender as it sent: SIP/2.0/UDP, sent-by the source
 * address and port (5060 when none), no received or maddr; fills *top. */
static gboolean via_names_sender(const char *via, gsize length, const struct sip_transport_peer *peer,
                                 struct top_via *top)
{
    const char *end = via + length, *host, *host_end, *p;
    char port_text[8];
    guint port = 5060;
    gsize n;

    memset(top, 0, sizeof(*top));
    if (!starts_with(via, length, "SIP/2.0/UDP "))
        return FALSE;
    for (host = via + 12; host < end && *host == ' '; host++)
        ;
    for (host_end = host; host_end < end && !strchr(":;, \t", *host_end); host_end++)
        ;
    n = strlen(peer->remote_ip);
    if ((gsize)(host_end - host) != n || memcmp(host, peer->remote_ip, n))
        return FALSE;       /* a name, an IPv6 reference or another address: received= needed */
    p = host_end;
    if (p < end && *p == ':')
    {
        top->port = p + 1;
        for (n = 0, p++; p < end && g_ascii_isdigit(*p) && n < sizeof(port_text) - 1; p++)
            port_text[n++] = *p;
        port_text[n] = 0;
        if (!n || n > 5)
            return FALSE;
        top->port_length = n;
        port = (guint)g_ascii_strtoull(port_text, NULL, 10);
    }
    if (p < end && *p != ';')
        return FALSE;       /* a second Via in the same line, or spaces: unusual */
    while (p < end)
    {
        const char *name = p + 1, *name_end;

        for (name_end = name; name_end < end && *name_end != ';' && *name_end != '='; name_end++)
            ;
        if (name_is(name, name_end - name, "received", NULL) || name_is(name, name_end - name, "maddr", NULL))
            return FALSE;
        if (name_is(name, name_end - name, "rport", NULL))
        {
            if (name_end < end && *name_end == '=')
                return FALSE;
            top->rport = TRUE;
            top->rport_at = name_end;
        }
        for (p = name_end; p < end && *p != ';'; p++)
            ;
        if (name_is(name, name_end - name, "branch", NULL) && name_end < end && *name_end == '=')
        {
            top->branch = name_end + 1;
            top->branch_length = p - top->branch;
        }
    }
    return top->rport || port == peer->remote_port;
}

/* A copy of an INVITE that was taken, or one the scan cannot tell apart
 * from such a copy: left to the parser, where its transaction, or its call
 * once the 2xx has ended that, answers it (dispatch.c). An overload bound
 * must not give a ringing call a second, different final response. */
static gboolean maybe_taken(struct sip_engine *engine, const struct scanned_request *request,
                            const struct top_via *via, const struct sip_transport_peer *peer)
{
    char branch[MAX_KEY_PART], port[8], call_id[MAX_KEY_PART], from_tag[MAX_KEY_PART], *key;
    const char *tag;
    gboolean unsure, live;

    if (!via->branch || !copy_plain(branch, sizeof(branch), via->branch, via->branch_length)
        || strncmp(branch, "z9hG4bK", 7))
        return TRUE;    /* an RFC 2543 peer: its transactions are keyed another way */
    if (via->port && !copy_plain(port, sizeof(port), via->port, via->port_length))
        return TRUE;
    key = transaction_server_key_of_branch(branch, peer->remote_ip, via->port ? port : NULL, "INVITE");
    live = g_hash_table_contains(engine->server_transactions, key)
           || g_hash_table_contains(engine->completed, key);     /* answered 2xx (RFC 6026) */
    g_free(key);
    if (live)
        return TRUE;
    tag = find_tag(request->from, request->from_length, &unsure);
    if (unsure || !copy_plain(call_id, sizeof(call_id), request->call_id, request->call_id_length)
        || (tag && !copy_plain(from_tag, sizeof(from_tag), tag,
                               tag_length(tag, request->from + request->from_length))))
        return TRUE;
    return engine_lookup_incoming_call(engine, call_id, tag ? from_tag : NULL) != NULL;
}

/* FNV-1a, 64 bits, over one more part of a key. */
static guint64 hash_more(guint64 hash, const char *part, gsize length)
{
    gsize i;

    for (i = 0; i < length; i++)
        hash = (hash ^ (guchar)part[i]) * G_GUINT64_CONSTANT(1099511628211);
    return hash;
}

#define HASH_START G_GUINT64_CONSTANT(14695981039346656037)

/* What identifies the INVITE and its copies: its top Via, Call-ID and CSeq
 * as written. */
static guint64 request_key(const struct scanned_request *request)
{
    guint64 hash = hash_more(HASH_START, request->vias[0], request->via_lengths[0]);

    hash = hash_more(hash, request->call_id, request->call_id_length);
    return hash_more(hash, request->cseq, request->cseq_length);
}

/* What identifies a parsed request and its copies: its server transaction's
 * key (branch, sent-by, method). FALSE where it has none. */
static gboolean parsed_key(const osip_message_t *request, guint64 *key)
{
    char *text = transaction_server_key(request);

    if (!text)
        return FALSE;
    *key = hash_more(HASH_START, text, strlen(text));
    g_free(text);
    return TRUE;
}

/* Forgets what was refused over 64*T1 ago, and the memory itself once it
 * holds nothing (then no INVITE needs scanning). */
static void memory_expire(struct sip_engine *engine)
{
    struct shed_memory *memory = engine->shed;
    gint64 now = g_get_monotonic_time();

    if (!memory)
        return;
    while (memory->count && now - memory->ring[memory->first].time > (gint64)SIP_TIMER_64T1_MS * 1000)
    {
        g_hash_table_remove(memory->keys, &memory->ring[memory->first].key);
        memory->first = (memory->first + 1) % SHED_MEMORY_SIZE;
        memory->count--;
    }
    if (!memory->count)
        engine_shed_memory_free(engine);
}

static gboolean memory_contains(struct shed_memory *memory, guint64 key)
{
    return memory && g_hash_table_contains(memory->keys, &key);
}

/* Remembers a refused INVITE (once); the oldest goes when it is full. */
static void memory_add(struct sip_engine *engine, guint64 key, gint64 now)
{
    struct shed_memory *memory = engine->shed;
    struct refused_invite *slot;

    if (!memory)
    {
        memory = engine->shed = g_new0(struct shed_memory, 1);
        memory->keys = g_hash_table_new(g_int64_hash, g_int64_equal);
    }
    if (g_hash_table_contains(memory->keys, &key))
        return;
    if (memory->count == SHED_MEMORY_SIZE)
    {
        g_hash_table_remove(memory->keys, &memory->ring[memory->first].key);
        memory->first = (memory->first + 1) % SHED_MEMORY_SIZE;
        memory->count--;
    }
    slot = &memory->ring[(memory->first + memory->count++) % SHED_MEMORY_SIZE];
    slot->key = key;
    slot->time = now;
    g_hash_table_add(memory->keys, &slot->key);
}

void engine_shed_memory_free(struct sip_engine *engine)
{
    if (!engine->shed)
        return;
    g_hash_table_destroy(engine->shed->keys);
    g_free(engine->shed);
    engine->shed = NULL;
}

static void append(GString *text, const char *name, const char *value, gsize length)
{
    g_string_append(text, name);
    g_string_append_len(text, value, length);
    g_string_append(text, "\r\n");
}

static void send_503(struct sip_engine *engine, const struct scanned_request *request, guint64 key,
                     const struct sip_transport_peer *peer, const struct top_via *via)
{
    GString *text = g_string_sized_new(512);
    char number[16];
    guint i;

    g_string_append(text, "SIP/2.0 503 Service Unavailable\r\n");
    for (i = 0; i < request->n_vias; i++)
    {
        if (i == 0 && via->rport)
        {
            g_string_append(text, "Via: ");
            g_string_append_len(text, request->vias[0], via->rport_at - request->vias[0]);
            g_snprintf(number, sizeof(number), "=%u", peer->remote_port);
            g_string_append(text, number);
            g_string_append_len(text, via->rport_at, request->vias[0] + request->via_lengths[0] - via->rport_at);
            g_string_append(text, "\r\n");
        }
        else
            append(text, "Via: ", request->vias[i], request->via_lengths[i]);
    }
    append(text, "From: ", request->from, request->from_length);
    g_string_append(text, "To: ");
    g_string_append_len(text, request->to, request->to_length);
    /* The same tag for a copy of the INVITE (RFC 3261 §8.2.7). */
    g_string_append_printf(text, ";tag=" SHED_TAG_PREFIX "%016" G_GINT64_MODIFIER "x\r\n", key);
    append(text, "Call-ID: ", request->call_id, request->call_id_length);
    append(text, "CSeq: ", request->cseq, request->cseq_length);
    if (engine->user_agent)
        g_string_append_printf(text, "Server: %s\r\n", engine->user_agent);
    if (engine->limits.retry_after_s)
        g_string_append_printf(text, "Retry-After: %u\r\n", engine->limits.retry_after_s);
    g_string_append(text, "Content-Length: 0\r\n\r\n");

    engine->stats.overload_rejected++;
    engine_trace_message(engine, "send to", peer->protocol, peer->remote_ip, peer->remote_port, text->str,
                         text->len);
    if (sip_transport_send(engine->transports, peer->protocol, peer->remote_ip, peer->remote_port, 0, text->str,
                           text->len, NULL, NULL))
        engine->stats.messages_sent++;
    g_string_free(text, TRUE);
}

gboolean engine_shed_unparsed(struct sip_engine *engine, const char *data, gsize length,
                              const struct sip_transport_peer *peer)
{
    struct scanned_request request;
    struct top_via via;
    const char *tag, *bound;
    gboolean unsure;
    guint64 key;

    if (peer->protocol != SIP_TRANSPORT_UDP)
        return FALSE;
    bound = engine_overload_bound(engine, TRUE, peer);
    memory_expire(engine);
    if ((!bound && !engine->shed) || !scan_request(data, length, &request))
        return FALSE;
    tag = find_tag(request.to, request.to_length, &unsure);
    if (unsure)
        return FALSE;
    if (!request.invite)
    {
        /* The ACK of one of these 503s: nothing to do. */
        if (!tag || !starts_with(tag, request.to + request.to_length - tag, SHED_TAG_PREFIX))
            return FALSE;
        engine->stats.messages_received++;
        return TRUE;
    }
    if (tag || !cseq_is_invite(request.cseq, request.cseq_length)
        || !via_names_sender(request.vias[0], request.via_lengths[0], peer, &via))
        return FALSE;
    key = request_key(&request);
    if (!memory_contains(engine->shed, key) && (!bound || maybe_taken(engine, &request, &via, peer)))
        return FALSE;
    engine->stats.messages_received++;
    if (engine->trace)
        g_debug("overloaded (%s): INVITE answered 503 before parsing", bound ? bound : "refused before");
    memory_add(engine, key, g_get_monotonic_time());
    send_503(engine, &request, key, peer, &via);
    return TRUE;
}

/* Refusals through the parser (dispatch.c): what the scan was not sure of,
 * and every new request other than an INVITE. Their copies must be refused
 * again too, once the bound has passed as well as before. */

gboolean engine_shed_refused_before(struct sip_engine *engine, const osip_message_t *request)
{
    guint64 key;

    memory_expire(engine);
    return engine->shed && parsed_key(request, &key) && memory_contains(engine->shed, key);
}

char *engine_shed_remember(struct sip_engine *engine, const osip_message_t *request,
                           const struct sip_transport_peer *peer)
{
    guint64 key;

    if (!parsed_key(request, &key))
        return NULL;
    /* Only a datagram comes again: a stream's sender never resends. */
    if (peer->protocol == SIP_TRANSPORT_UDP)
        memory_add(engine, key, g_get_monotonic_time());
    return g_strdup_printf(PARSED_TAG_PREFIX "%016" G_GINT64_MODIFIER "x", key);
}
