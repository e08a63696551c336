/*
 * RFC 5922 server identity: the SIP domain identities a certificate
 * carries, read straight from its DER (X.509, RFC 5280 §4.1), and the
 * comparison with the domain we meant to reach. See tls_identity.h.
 *
 * The reader is a bounded DER walker: every length is checked against what
 * is left, nothing is copied but the identities, and anything it does not
 * understand makes the certificate unreadable (no identity, no match).
 */

#include <string.h>

#include "tls_identity.h"

#define TAG_BOOLEAN 0x01
#define TAG_INTEGER 0x02
#define TAG_OCTET_STRING 0x04
#define TAG_OID 0x06
#define TAG_SEQUENCE 0x30
#define TAG_SET 0x31
#define TAG_VERSION 0xa0            /* [0] EXPLICIT */
#define TAG_EXTENSIONS 0xa3         /* [3] EXPLICIT */
#define TAG_SAN_DNS 0x82            /* GeneralName dNSName [2] IA5String */
#define TAG_SAN_URI 0x86            /* GeneralName uniformResourceIdentifier [6] IA5String */

static const guint8 oid_subject_alt_name[] = { 0x55, 0x1d, 0x11 };     /* 2.5.29.17 */
static const guint8 oid_common_name[] = { 0x55, 0x04, 0x03 };          /* 2.5.4.3 */

struct der
{
    const guint8 *data;
    gsize length;
};

/* Reads one element (single-byte tag, definite length) off the front of in. */
static gboolean der_next(struct der *in, guint8 *tag, struct der *content)
{
    gsize length, header = 2;

    if (in->length < 2 || (in->data[0] & 0x1f) == 0x1f)
        return FALSE;
    *tag = in->data[0];
    length = in->data[1];
    if (length & 0x80)
    {
        gsize bytes = length & 0x7f, i;

        if (!bytes || bytes > 4 || in->length < 2 + bytes)
            return FALSE;
        length = 0;
        for (i = 0; i < bytes; i++)
            length = length << 8 | in->data[2 + i];
        header += bytes;
    }
    if (length > in->length - header)
        return FALSE;
    content->data = in->data + header;
    content->length = length;
    in->data += header + length;
    in->length -= header + length;
    return TRUE;
}

static gboolean der_expect(struct der *in, guint8 want, struct der *content)
{
    guint8 tag;

    return der_next(in, &tag, content) && tag == want;
}

static gboolean oid_is(const struct der *oid, const guint8 *value, gsize length)
{
    return oid->length == length && !memcmp(oid->data, value, length);
}

struct identities
{
    GPtrArray *uris;        /* SIP domains from sip: URIs */
    GPtrArray *dns;
    char *common_name;
    gboolean has_san;
    GString *description;
};

/* The host of "sip:host[:port][;params]" without a user part; NULL otherwise. */
static char *sip_uri_domain(const guint8 *text, gsize length)
{
    char *uri = g_strndup((const char *)text, length), *host, *end, *domain = NULL;

    if (strlen(uri) == length && !g_ascii_strncasecmp(uri, "sip:", 4) && !strchr(uri, '@'))
    {
        host = uri + 4;
        end = host + strcspn(host, ":;?>");
        if (end > host)
            domain = g_strndup(host, end - host);
    }
    g_free(uri);
    return domain;
}

static void add_description(struct identities *ids, const char *kind, const guint8 *text, gsize length)
{
    char *printable = g_strndup((const char *)text, length);
    char *p;

    for (p = printable; *p; p++)
        if (!g_ascii_isprint(*p))
            *p = '?';
    g_string_append_printf(ids->description, "%s%s:%s", ids->description->len ? " " : "", kind, printable);
    g_free(printable);
}

/* GeneralNames (RFC 5280 §4.2.1.6). */
static gboolean read_alt_names(struct der value, struct identities *ids)
{
    struct der names, name;
    guint8 tag;

    if (!der_expect(&value, TAG_SEQUENCE, &names))
        return FALSE;
    while (names.length)
    {
        if (!der_next(&names, &tag, &name))
            return FALSE;
        if (tag == TAG_SAN_URI)
        {
            char *domain = sip_uri_domain(name.data, name.length);

            add_description(ids, "URI", name.data, name.length);
            if (domain)
                g_ptr_array_add(ids->uris, domain);
        }
        else if (tag == TAG_SAN_DNS)
        {
            add_description(ids, "DNS", name.data, name.length);
            if (memchr(name.data, 0, name.length) == NULL)
                g_ptr_array_add(ids->dns, g_strndup((const char *)name.data, name.length));
        }
    }
    return TRUE;
}

static gboolean read_extensions(struct der extensions, struct identities *ids)
{
    struct der list, extension, oid, value;
    guint8 tag;

    if (!der_expect(&extensions, TAG_SEQUENCE, &list))
        return FALSE;
    while (list.length)
    {
        if (!der_expect(&list, TAG_SEQUENCE, &extension) || !der_expect(&extension, TAG_OID, &oid))
            return FALSE;
        if (!der_next(&extension, &tag, &value))
            return FALSE;
        if (tag == TAG_BOOLEAN && !der_next(&extension, &tag, &value))
            return FALSE;
        if (tag != TAG_OCTET_STRING)
            return FALSE;
        if (!oid_is(&oid, oid_subject_alt_name, sizeof(oid_subject_alt_name)))
            continue;
        ids->has_san = TRUE;
        if (!read_alt_names(value, ids))
            return FALSE;
    }
    return TRUE;
}

/* The last (most specific) CN of a Name. */
static gboolean read_common_name(struct der name, struct identities *ids)
{
    struct der rdns, set, attribute, oid, value;
    guint8 tag;

    if (!der_expect(&name, TAG_SEQUENCE, &rdns))
        return FALSE;
    while (rdns.length)
    {
        if (!der_expect(&rdns, TAG_SET, &set))
            return FALSE;
        while (set.length)
        {
            if (!der_expect(&set, TAG_SEQUENCE, &attribute) || !der_expect(&attribute, TAG_OID, &oid)
                || !der_next(&attribute, &tag, &value))
                return FALSE;
            if (oid_is(&oid, oid_common_name, sizeof(oid_common_name)) && !memchr(value.data, 0, value.length))
            {
                g_free(ids->common_name);
                ids->common_name = g_strndup((const char *)value.data, value.length);
            }
        }
    }
    return TRUE;
}

static gboolean read_certificate(const guint8 *der, gsize length, struct identities *ids)
{
    struct der in = { der, length }, certificate, tbs, field, subject = { NULL, 0 };
    guint8 tag;
    int index = 0;

    if (!der_expect(&in, TAG_SEQUENCE, &certificate) || !der_expect(&certificate, TAG_SEQUENCE, &tbs))
        return FALSE;
    /* version? serialNumber signature issuer validity subject subjectPublicKeyInfo [1]? [2]? [3]? */
    while (tbs.length)
    {
        const guint8 *start = tbs.data;

        if (!der_next(&tbs, &tag, &field))
            return FALSE;
        if (index == 0 && tag == TAG_VERSION)
            continue;
        if (index == 0 && tag != TAG_INTEGER)
            return FALSE;
        if (index == 4)
        {
            /* subject, whole (tag and length too) for read_common_name() */
            if (tag != TAG_SEQUENCE)
                return FALSE;
            subject.data = start;
            subject.length = tbs.data - start;
        }
        if (index > 5 && tag == TAG_EXTENSIONS && !read_extensions(field, ids))
            return FALSE;
        index++;
    }
    return index >= 6 && read_common_name(subject, ids);
}

static gboolean same_domain(const char *identity, const char *domain)
{
    gsize a = strlen(identity), b = strlen(domain);

    if (a && identity[a - 1] == '.')
        a--;
    if (b && domain[b - 1] == '.')
        b--;
    /* RFC 5922 §7.2: no wildcard matching; "*" is just a character here. */
    return a && a == b && !g_ascii_strncasecmp(identity, domain, a);
}

static gboolean any_matches(GPtrArray *identities, const char *domain)
{
    guint i;

    for (i = 0; i < identities->len; i++)
        if (same_domain(g_ptr_array_index(identities, i), domain))
            return TRUE;
    return FALSE;
}

gboolean sip_tls_certificate_names_domain(const guint8 *der, gsize length, const char *domain, char **description)
{
    struct identities ids = { g_ptr_array_new_with_free_func(g_free), g_ptr_array_new_with_free_func(g_free), NULL,
                              FALSE, g_string_new(NULL) };
    gboolean readable = der && read_certificate(der, length, &ids), match = FALSE;

    if (readable && domain && *domain)
    {
        /* §7.1: URIs first, then DNS names, the CN only without subjectAltName. */
        if (ids.uris->len)
            match = any_matches(ids.uris, domain);
        else if (ids.dns->len)
            match = any_matches(ids.dns, domain);
        else if (!ids.has_san && ids.common_name)
            match = same_domain(ids.common_name, domain);
    }
    if (readable && !ids.has_san && ids.common_name)
        g_string_append_printf(ids.description, "CN:%s", ids.common_name);
    if (description)
        *description = !readable ? g_strdup("(unreadable)")
                       : ids.description->len ? g_strdup(ids.description->str) : g_strdup("(none)");
    g_ptr_array_free(ids.uris, TRUE);
    g_ptr_array_free(ids.dns, TRUE);
    g_free(ids.common_name);
    g_string_free(ids.description, TRUE);
    return match;
}
