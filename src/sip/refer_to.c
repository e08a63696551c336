/*
 * Refer-To values and the header part of SIP URIs.
 */
#include <string.h>

#include <osipparser2/osip_port.h>
#include <osipparser2/osip_uri.h>

#include "sip/refer_to.h"

G_DEFINE_QUARK(rtcshim-sip-refer-to-error-quark, sip_refer_to_error)

/* RFC 3261 §25.1: unreserved = alphanum / mark */
static gboolean is_unreserved(char c)
{
    return g_ascii_isalnum(c) || (c && strchr("-_.!~*'()", c));
}

static gboolean is_token_char(char c)
{
    return g_ascii_isalnum(c) || (c && strchr("-.!%*_+`'~", c));
}

static void append_escaped(GString *out, const char *s, const char *also_allowed)
{
    static const char hex[] = "0123456789ABCDEF";
    const unsigned char *p;

    for (p = (const unsigned char *)s; *p; p++)
    {
        if (is_unreserved(*p) || strchr(also_allowed, *p))
            g_string_append_c(out, *p);
        else
        {
            g_string_append_c(out, '%');
            g_string_append_c(out, hex[*p >> 4]);
            g_string_append_c(out, hex[*p & 15]);
        }
    }
}

/* hnv-unreserved, RFC 3261 §25.1 */
#define HNV_UNRESERVED "[]/?:+$"
/* user-unreserved */
#define USER_UNRESERVED "&=+$,;?/"

char *sip_uri_header_escape(const char *s)
{
    GString *out;

    if (!s) return NULL;
    out = g_string_sized_new(strlen(s) + 8);
    append_escaped(out, s, HNV_UNRESERVED);
    return g_string_free(out, FALSE);
}

/* Decodes %XX in place. strict: a bad escape fails; otherwise it is kept as
 * text (a sloppy peer's literal '%'). %00 fails either way. */
static gboolean unescape_in_place(char *s, gboolean strict)
{
    char *in, *out;

    for (in = out = s; *in; in++)
    {
        if (*in == '%' && g_ascii_isxdigit(in[1]) && g_ascii_isxdigit(in[2]))
        {
            char c = (g_ascii_xdigit_value(in[1]) << 4) | g_ascii_xdigit_value(in[2]);

            if (!c) return FALSE;
            *out++ = c;
            in += 2;
        }
        else if (*in == '%' && strict)
            return FALSE;
        else
            *out++ = *in;
    }
    *out = 0;
    return TRUE;
}

char *sip_uri_header_unescape(const char *s, GError **error)
{
    char *ret;

    if (!s)
    {
        g_set_error_literal(error, SIP_REFER_TO_ERROR, SIP_REFER_TO_ERROR_INVALID, "Missing value");
        return NULL;
    }
    ret = g_strdup(s);
    if (!unescape_in_place(ret, TRUE))
    {
        g_set_error_literal(error, SIP_REFER_TO_ERROR, SIP_REFER_TO_ERROR_INVALID, "Bad %-escape in URI header");
        g_free(ret);
        return NULL;
    }
    return ret;
}

enum sip_uri_header_use sip_uri_header_classify(const char *name)
{
    static const char *const reserved[] =
    {
        "Call-ID", "i", "CSeq", "Via", "v", "From", "f", "To", "t", "Route", "Record-Route",
        "Contact", "m", "Max-Forwards", "Content-Length", "l", "Content-Type", "c",
    };
    static const char *const ignored[] =
    {
        "Accept", "Accept-Encoding", "Accept-Language", "Allow", "Supported", "k", "User-Agent",
        "Organization", "Content-Disposition", "Content-Encoding", "e", "Content-Language",
        "Date", "MIME-Version", "Timestamp", "Authorization", "Proxy-Authorization", "body",
    };
    gsize i;

    if (!name) return SIP_URI_HEADER_IGNORE;
    for (i = 0; i < G_N_ELEMENTS(reserved); i++)
        if (!g_ascii_strcasecmp(name, reserved[i])) return SIP_URI_HEADER_RESERVED;
    for (i = 0; i < G_N_ELEMENTS(ignored); i++)
        if (!g_ascii_strcasecmp(name, ignored[i])) return SIP_URI_HEADER_IGNORE;
    return SIP_URI_HEADER_COPY;
}

gboolean sip_refer_to_header_allowed(const char *name, const char *const *extra, gboolean allow_private)
{
    static const char *const allowed[] =
    {
        "Replaces", "Accept-Contact", "a", "Reject-Contact", "j", "Subject", "s",
    };
    gsize i;

    if (!name || sip_uri_header_classify(name) != SIP_URI_HEADER_COPY) return FALSE;
    for (i = 0; i < G_N_ELEMENTS(allowed); i++)
        if (!g_ascii_strcasecmp(name, allowed[i])) return TRUE;
    for (; extra && *extra; extra++)
        if (!g_ascii_strcasecmp(name, *extra)) return TRUE;
    return allow_private && !g_ascii_strncasecmp(name, "X-", 2) && name[2];
}

static void uri_header_free(gpointer data)
{
    struct sip_uri_header *header = data;

    g_free(header->name);
    g_free(header->value);
    g_free(header);
}

/* Checks a URI without its header part; returns its scheme, lower-cased. */
static char *check_uri(const char *uri, GError **error)
{
    osip_uri_t *parsed;
    const char *p;
    char *scheme = NULL;

    for (p = uri; *p; p++)
    {
        if ((unsigned char)*p <= 0x20 || *p == 0x7f || strchr("<>\"", *p))
        {
            g_set_error_literal(error, SIP_REFER_TO_ERROR, SIP_REFER_TO_ERROR_INVALID, "Malformed Refer-To URI");
            return NULL;
        }
    }
    if (osip_uri_init(&parsed))
    {
        g_set_error_literal(error, SIP_REFER_TO_ERROR, SIP_REFER_TO_ERROR_INVALID, "Out of memory");
        return NULL;
    }
    if (!osip_uri_parse(parsed, uri) && parsed->scheme)
    {
        scheme = g_ascii_strdown(parsed->scheme, -1);
        if (!strcmp(scheme, "sip") || !strcmp(scheme, "sips"))
        {
            if (!parsed->host || !*parsed->host) g_clear_pointer(&scheme, g_free);
        }
        else if (!strcmp(scheme, "tel"))
        {
            if (!parsed->string || !*parsed->string) g_clear_pointer(&scheme, g_free);
        }
        else
        {
            g_set_error_literal(error, SIP_REFER_TO_ERROR, SIP_REFER_TO_ERROR_UNSUPPORTED_SCHEME,
                                "Unsupported URI scheme in Refer-To");
            g_free(scheme);
            osip_uri_free(parsed);
            return NULL;
        }
    }
    osip_uri_free(parsed);
    if (!scheme)
        g_set_error_literal(error, SIP_REFER_TO_ERROR, SIP_REFER_TO_ERROR_INVALID, "Malformed Refer-To URI");
    return scheme;
}

/* Splits "hname=hvalue&..." into unescaped headers, checking each name. */
static GPtrArray *parse_headers(const char *part, GError **error)
{
    GPtrArray *headers = g_ptr_array_new_with_free_func(uri_header_free);
    char **items = g_strsplit(part ? part : "", "&", -1);
    guint i;

    for (i = 0; items[i]; i++)
    {
        struct sip_uri_header *header;
        char *eq, *name, *value;
        const char *p;

        if (!*items[i]) continue;   /* "sip:x@y?" or "a=b&&c=d" */
        eq = strchr(items[i], '=');
        name = g_strndup(items[i], eq ? (gsize)(eq - items[i]) : strlen(items[i]));
        value = g_strdup(eq ? eq + 1 : "");
        if (!unescape_in_place(name, FALSE) || !unescape_in_place(value, FALSE))
        {
            g_set_error_literal(error, SIP_REFER_TO_ERROR, SIP_REFER_TO_ERROR_INVALID, "Bad %-escape in Refer-To");
            goto fail;
        }
        for (p = name; *p && is_token_char(*p); p++);
        if (!*name || *p)
        {
            g_set_error_literal(error, SIP_REFER_TO_ERROR, SIP_REFER_TO_ERROR_INVALID,
                                "Bad header name in Refer-To");
            goto fail;
        }
        if (sip_uri_header_classify(name) == SIP_URI_HEADER_RESERVED)
        {
            g_set_error(error, SIP_REFER_TO_ERROR, SIP_REFER_TO_ERROR_RESERVED_HEADER,
                        "Reserved header %s in Refer-To", name);
            goto fail;
        }
        header = g_new(struct sip_uri_header, 1);
        header->name = name;
        header->value = value;
        g_ptr_array_add(headers, header);
        continue;
fail:
        g_free(name);
        g_free(value);
        g_strfreev(items);
        g_ptr_array_unref(headers);
        return NULL;
    }
    g_strfreev(items);
    return headers;
}

/* Splits "uri?headers" into a checked URI and its parsed headers. */
static gboolean split_uri(const char *text, char **uri, GPtrArray **headers, GError **error)
{
    const char *q = strchr(text, '?');
    char *base = q ? g_strndup(text, q - text) : g_strdup(text);
    char *scheme;

    if (!(scheme = check_uri(base, error)))
    {
        g_free(base);
        return FALSE;
    }
    if (!(*headers = parse_headers(q ? q + 1 : NULL, error)))
    {
        g_free(scheme);
        g_free(base);
        return FALSE;
    }
    if (!strcmp(scheme, "tel") && (*headers)->len)
    {
        g_set_error_literal(error, SIP_REFER_TO_ERROR, SIP_REFER_TO_ERROR_INVALID, "Headers in a tel: URI");
        g_clear_pointer(headers, g_ptr_array_unref);
        g_free(scheme);
        g_free(base);
        return FALSE;
    }
    g_free(scheme);
    *uri = base;
    return TRUE;
}

/* A copy of s without surrounding whitespace and, if it is "<...>", the brackets. */
static char *strip_uri_text(const char *s)
{
    char *ret = g_strstrip(g_strdup(s));
    gsize len = strlen(ret);

    if (len >= 2 && ret[0] == '<' && ret[len - 1] == '>')
    {
        memmove(ret, ret + 1, len - 2);
        ret[len - 2] = 0;
        g_strstrip(ret);
    }
    return ret;
}

static void append_headers(GString *out, const GPtrArray *headers)
{
    guint i;

    for (i = 0; headers && i < headers->len; i++)
    {
        const struct sip_uri_header *header = headers->pdata[i];

        g_string_append_c(out, i ? '&' : '?');
        append_escaped(out, header->name, HNV_UNRESERVED);
        g_string_append_c(out, '=');
        append_escaped(out, header->value, HNV_UNRESERVED);
    }
}

char *sip_uri_with_headers(const char *uri, const GPtrArray *headers)
{
    GString *out = g_string_new(uri);

    append_headers(out, headers);
    return g_string_free(out, FALSE);
}

char *sip_refer_to_build(const char *uri, GError **error)
{
    GPtrArray *headers;
    char *text, *base;
    GString *out;

    if (!uri)
    {
        g_set_error_literal(error, SIP_REFER_TO_ERROR, SIP_REFER_TO_ERROR_INVALID, "Missing Refer-To URI");
        return NULL;
    }
    text = strip_uri_text(uri);
    if (!split_uri(text, &base, &headers, error))
    {
        g_free(text);
        return NULL;
    }
    g_free(text);

    out = g_string_new("<");
    g_string_append(out, base);
    append_headers(out, headers);
    g_string_append_c(out, '>');
    g_ptr_array_unref(headers);
    g_free(base);
    return g_string_free(out, FALSE);
}

/* Visual separators (RFC 3966) and the spaces people type between digits. */
#define NUMBER_SEPARATORS "-.() "

/* '+'? followed by digits and separators, at least one digit. */
static gboolean looks_like_number(const char *s)
{
    gboolean digit = FALSE;

    if (*s == '+') s++;
    for (; *s; s++)
    {
        if (g_ascii_isdigit(*s)) digit = TRUE;
        else if (!strchr(NUMBER_SEPARATORS, *s)) return FALSE;
    }
    return digit;
}

static void append_without_separators(GString *out, const char *s, gsize len)
{
    gsize i;

    for (i = 0; i < len; i++)
        if (!strchr(NUMBER_SEPARATORS, s[i])) g_string_append_c(out, s[i]);
}

/* The lower-cased scheme of a URI text, or NULL: a scheme is a token that
 * starts with a letter and ends at a ':' coming before any '@'. */
static char *uri_scheme(const char *text)
{
    const char *colon = strchr(text, ':'), *at = strchr(text, '@'), *p;

    if (!colon || (at && at < colon) || !g_ascii_isalpha(*text)) return NULL;
    for (p = text + 1; p < colon; p++)
        if (!g_ascii_isalnum(*p) && !strchr("+-.", *p)) return NULL;
    return g_ascii_strdown(text, colon - text);
}

/* RFC 3261 §19.1.6: the body of tel:NUMBER;params becomes the user part
 * NUMBER;params, without visual separators. */
static GString *tel_to_user(const char *body, GError **error)
{
    const char *params = strchr(body, ';');
    GString *user = g_string_new(NULL);
    gsize i;

    append_without_separators(user, body, params ? (gsize)(params - body) : strlen(body));
    for (i = 0; i < user->len; i++)
    {
        char c = user->str[i];

        if (!g_ascii_isxdigit(c) && c != '*' && c != '#' && !(i == 0 && c == '+')) break;
    }
    if (!user->len || i < user->len || !strcmp(user->str, "+"))
    {
        g_set_error_literal(error, SIP_REFER_TO_ERROR, SIP_REFER_TO_ERROR_INVALID,
                            "Bad telephone number in transfer target");
        g_string_free(user, TRUE);
        return NULL;
    }
    if (params) g_string_append(user, params);
    return user;
}

char *sip_refer_to_target_to_uri(const char *target, const char *domain, GError **error)
{
    char *text, *scheme, *at, *ret = NULL;
    const char *host = domain;
    gboolean phone = FALSE;
    GString *user;

    text = strip_uri_text(target ? target : "");
    if (!*text)
    {
        g_set_error_literal(error, SIP_REFER_TO_ERROR, SIP_REFER_TO_ERROR_INVALID, "Empty transfer target");
        g_free(text);
        return NULL;
    }

    if ((scheme = uri_scheme(text)))
    {
        gboolean sip = !strcmp(scheme, "sip") || !strcmp(scheme, "sips");
        gboolean tel = !strcmp(scheme, "tel");

        g_free(scheme);
        if (sip)
        {
            /* Already a SIP URI: only check it. */
            GPtrArray *headers;
            char *base;

            if (!split_uri(text, &base, &headers, error)) g_clear_pointer(&text, g_free);
            else
            {
                g_ptr_array_unref(headers);
                g_free(base);
            }
            return text;
        }
        if (!tel)
        {
            g_set_error_literal(error, SIP_REFER_TO_ERROR, SIP_REFER_TO_ERROR_UNSUPPORTED_SCHEME,
                                "Unsupported URI scheme in transfer target");
            g_free(text);
            return NULL;
        }
        user = tel_to_user(text + strlen("tel:"), error);
        phone = TRUE;
    }
    else if ((at = strchr(text, '@')))
    {
        user = g_string_new_len(text, at - text);
        host = at + 1;
    }
    else
    {
        user = g_string_new(NULL);
        if (looks_like_number(text)) append_without_separators(user, text, strlen(text));
        else g_string_append(user, text);
    }
    if (!user)
    {
        g_free(text);
        return NULL;
    }

    if (!host || !*host || !user->len)
    {
        g_set_error_literal(error, SIP_REFER_TO_ERROR, SIP_REFER_TO_ERROR_INVALID,
                            user->len ? "No domain for transfer target" : "Empty user in transfer target");
    }
    else
    {
        GString *out = g_string_new("sip:");

        append_escaped(out, user->str, USER_UNRESERVED);
        g_string_append_printf(out, "@%s%s", host, phone ? ";user=phone" : "");
        ret = g_string_free(out, FALSE);
        if (!(scheme = check_uri(ret, error))) g_clear_pointer(&ret, g_free);
        g_free(scheme);
    }
    g_string_free(user, TRUE);
    g_free(text);
    return ret;
}

/* Reads a quoted-string starting at *p (which is '"'); advances past it. */
static char *read_quoted(const char **p)
{
    GString *out = g_string_new(NULL);
    const char *s = *p + 1;

    for (; *s && *s != '"'; s++)
    {
        if (*s == '\\' && s[1]) s++;
        g_string_append_c(out, *s);
    }
    if (*s != '"')
    {
        g_string_free(out, TRUE);
        return NULL;
    }
    *p = s + 1;
    return g_string_free(out, FALSE);
}

gboolean sip_refer_to_parse(const char *value, struct sip_refer_to *refer_to, GError **error)
{
    const char *p, *lt, *gt;
    char *display = NULL, *text, *uri;
    GPtrArray *headers;

    memset(refer_to, 0, sizeof(*refer_to));
    if (!value)
    {
        g_set_error_literal(error, SIP_REFER_TO_ERROR, SIP_REFER_TO_ERROR_INVALID, "Missing Refer-To");
        return FALSE;
    }
    for (p = value; g_ascii_isspace(*p); p++);

    if (*p == '"')
    {
        if (!(display = read_quoted(&p))) goto malformed;
        while (g_ascii_isspace(*p)) p++;
        if (*p != '<') goto malformed;
    }
    if ((lt = strchr(p, '<')))
    {
        if (!display && lt > p)
        {
            display = g_strndup(p, lt - p);
            g_strstrip(display);
        }
        if (!(gt = strchr(lt, '>'))) goto malformed;
        for (p = gt + 1; g_ascii_isspace(*p); p++);
        if (*p && *p != ';') goto malformed;    /* only header params may follow */
        text = g_strndup(lt + 1, gt - lt - 1);
        g_strstrip(text);
    }
    else
        text = g_strstrip(g_strdup(p));

    if (display && !*display) g_clear_pointer(&display, g_free);
    if (!*text)
    {
        g_free(text);
        goto malformed;
    }
    if (!split_uri(text, &uri, &headers, error))
    {
        g_free(text);
        g_free(display);
        return FALSE;
    }
    g_free(text);
    refer_to->display_name = display;
    refer_to->uri = uri;
    refer_to->headers = headers;
    return TRUE;

malformed:
    g_free(display);
    g_set_error_literal(error, SIP_REFER_TO_ERROR, SIP_REFER_TO_ERROR_INVALID, "Malformed Refer-To");
    return FALSE;
}

void sip_refer_to_clear(struct sip_refer_to *refer_to)
{
    if (!refer_to) return;
    g_clear_pointer(&refer_to->display_name, g_free);
    g_clear_pointer(&refer_to->uri, g_free);
    g_clear_pointer(&refer_to->headers, g_ptr_array_unref);
}

const char *sip_refer_to_get_header(const struct sip_refer_to *refer_to, const char *name)
{
    guint i;

    if (!refer_to || !refer_to->headers || !name) return NULL;
    for (i = 0; i < refer_to->headers->len; i++)
    {
        const struct sip_uri_header *header = refer_to->headers->pdata[i];

        if (!g_ascii_strcasecmp(header->name, name)) return header->value;
    }
    return NULL;
}
