/*
 * The Replaces header (RFC 3891).
 */
#include <string.h>

#include <osipparser2/osip_port.h>
#include <osipparser2/osip_uri.h>

#include "sip/refer_to.h"
#include "replaces.h"

G_DEFINE_QUARK(rtcshim-sip-replaces-error-quark, sip_replaces_error)

/* Characters that would end or split the header value. */
static gboolean part_is_valid(const char *s)
{
    const unsigned char *p;

    if (!s || !*s) return FALSE;
    for (p = (const unsigned char *)s; *p; p++)
        if (*p <= 0x20 || *p == 0x7f || *p == ';' || *p == ',') return FALSE;
    return TRUE;
}

char *sip_replaces_build(const char *call_id, const char *to_tag, const char *from_tag,
                         gboolean early_only)
{
    if (!part_is_valid(call_id) || !part_is_valid(to_tag) || !part_is_valid(from_tag)) return NULL;
    if (strchr(to_tag, '=') || strchr(from_tag, '=')) return NULL;
    return g_strdup_printf("%s;to-tag=%s;from-tag=%s%s", call_id, to_tag, from_tag,
                           early_only ? ";early-only" : "");
}

static char *strip_dup(const char *start, const char *end)
{
    while (start < end && g_ascii_isspace(*start)) start++;
    while (end > start && g_ascii_isspace(end[-1])) end--;
    return g_strndup(start, end - start);
}

static gboolean set_error(GError **error, const char *message)
{
    g_set_error_literal(error, SIP_REPLACES_ERROR, SIP_REPLACES_ERROR_INVALID, message);
    return FALSE;
}

gboolean sip_replaces_parse(const char *value, struct sip_replaces *replaces, GError **error)
{
    char **parts;
    const char *message = NULL;
    guint i;

    memset(replaces, 0, sizeof(*replaces));
    if (!value) return set_error(error, "Missing Replaces");

    parts = g_strsplit(value, ";", -1);
    replaces->call_id = parts[0] ? strip_dup(parts[0], parts[0] + strlen(parts[0])) : g_strdup("");
    if (!part_is_valid(replaces->call_id)) message = "Replaces has no call-id";

    /* g_strsplit() of "" gives an empty vector: parts[1] only exists after parts[0]. */
    for (i = 1; parts[0] && parts[i] && !message; i++)
    {
        char *eq = strchr(parts[i], '=');
        char *name = strip_dup(parts[i], eq ? eq : parts[i] + strlen(parts[i]));
        char *pvalue = eq ? strip_dup(eq + 1, eq + strlen(eq)) : NULL;
        char **slot = NULL;

        if (!g_ascii_strcasecmp(name, "to-tag")) slot = &replaces->to_tag;
        else if (!g_ascii_strcasecmp(name, "from-tag")) slot = &replaces->from_tag;
        else if (!g_ascii_strcasecmp(name, "early-only")) replaces->early_only = TRUE;

        if (slot)
        {
            if (*slot) message = "Repeated tag in Replaces";
            else if (!pvalue || !part_is_valid(pvalue)) message = "Empty tag in Replaces";
            else *slot = g_steal_pointer(&pvalue);
        }
        g_free(name);
        g_free(pvalue);
    }
    g_strfreev(parts);

    if (!message && !replaces->to_tag) message = "Replaces has no to-tag";
    if (!message && !replaces->from_tag) message = "Replaces has no from-tag";
    if (message)
    {
        sip_replaces_clear(replaces);
        return set_error(error, message);
    }
    return TRUE;
}

void sip_replaces_clear(struct sip_replaces *replaces)
{
    if (!replaces) return;
    g_clear_pointer(&replaces->call_id, g_free);
    g_clear_pointer(&replaces->to_tag, g_free);
    g_clear_pointer(&replaces->from_tag, g_free);
    replaces->early_only = FALSE;
}

char *sip_replaces_escape(const char *value)
{
    return sip_uri_header_escape(value);
}

char *sip_replaces_unescape(const char *escaped, GError **error)
{
    GError *inner = NULL;
    char *ret = sip_uri_header_unescape(escaped, &inner);

    if (!ret)
    {
        g_set_error_literal(error, SIP_REPLACES_ERROR, SIP_REPLACES_ERROR_INVALID, inner->message);
        g_error_free(inner);
    }
    return ret;
}

static gboolean same(const char *a, const char *b)
{
    return a && b && *a && !strcmp(a, b);
}

enum sip_replaces_match sip_replaces_match(const struct sip_replaces *replaces,
                                           const char *call_id, const char *local_tag,
                                           const char *remote_tag, gboolean confirmed,
                                           gboolean we_are_uac)
{
    if (!replaces) return SIP_REPLACES_NO_MATCH;
    /* The to-tag names the recipient's own side of the dialog. */
    if (!same(replaces->call_id, call_id) || !same(replaces->to_tag, local_tag)
            || !same(replaces->from_tag, remote_tag))
        return SIP_REPLACES_NO_MATCH;
    if (!confirmed && !we_are_uac) return SIP_REPLACES_EARLY_NOT_ALLOWED;
    if (confirmed && replaces->early_only) return SIP_REPLACES_EARLY_ONLY;
    return SIP_REPLACES_MATCH;
}

guint sip_replaces_match_status(enum sip_replaces_match match)
{
    switch (match)
    {
    case SIP_REPLACES_MATCH: return 0;
    case SIP_REPLACES_EARLY_ONLY: return 486;
    case SIP_REPLACES_NO_MATCH:
    case SIP_REPLACES_EARLY_NOT_ALLOWED:
    default: return 481;
    }
}

/* The URI of a name-addr or addr-spec, parsed; NULL if it is no sip:/sips: URI. */
static osip_uri_t *party_uri(const char *text)
{
    const char *start = text ? strchr(text, '<') : NULL, *end = start ? strchr(start, '>') : NULL;
    char *spec;
    osip_uri_t *uri = NULL;

    if (!text)
        return NULL;
    spec = start && end ? g_strndup(start + 1, end - start - 1) : g_strdup(text);
    g_strstrip(spec);
    if (osip_uri_init(&uri) || osip_uri_parse(uri, spec) || !uri->scheme || !uri->host
        || (g_ascii_strcasecmp(uri->scheme, "sip") && g_ascii_strcasecmp(uri->scheme, "sips")))
    {
        osip_uri_free(uri);
        uri = NULL;
    }
    g_free(spec);
    return uri;
}

static gboolean same_user(const char *a, const char *b)
{
    char *plain_a, *plain_b;
    gboolean same;

    if (!a || !*a || !b || !*b)
        return (!a || !*a) && (!b || !*b);
    plain_a = sip_uri_header_unescape(a, NULL);
    plain_b = sip_uri_header_unescape(b, NULL);
    same = plain_a && plain_b && !strcmp(plain_a, plain_b);
    g_free(plain_a);
    g_free(plain_b);
    return same;
}

/* The port a URI names, or its scheme's default. */
static guint uri_port(const osip_uri_t *uri)
{
    if (uri->port && *uri->port)
        return (guint)g_ascii_strtoull(uri->port, NULL, 10);
    return g_ascii_strcasecmp(uri->scheme, "sips") ? 5060 : 5061;
}

/* Both SIP/SIPS URIs with the same scheme, user and host, and (with_port) port. */
static gboolean same_party(const char *a, const char *b, gboolean with_port)
{
    osip_uri_t *uri_a = party_uri(a), *uri_b = party_uri(b);
    gboolean same = uri_a && uri_b && !g_ascii_strcasecmp(uri_a->scheme, uri_b->scheme)
                    && same_user(uri_a->username, uri_b->username)
                    && !g_ascii_strcasecmp(uri_a->host, uri_b->host)
                    && (!with_port || uri_port(uri_a) == uri_port(uri_b));

    osip_uri_free(uri_a);
    osip_uri_free(uri_b);
    return same;
}

gboolean sip_uri_same_address(const char *a, const char *b)
{
    return same_party(a, b, TRUE);
}

gboolean sip_replaces_same_party(const char *a, const char *b)
{
    return same_party(a, b, FALSE);
}
