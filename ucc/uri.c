/*
 * UccUriManager (IUccUriManager) and the IUccUri objects it makes.
 *
 * Accepted forms: sip:/sips: URIs (RFC 3261 §19.1: user[:password]@host[:port]
 * ;params ?headers, host a name, an IPv4 address or [IPv6]) and tel: URIs
 * (RFC 3966). A URI may come wrapped in <>. Parameters and header fields are
 * exposed as read-only named-property collections (header values unescaped).
 * docs/ucc.md describes get_Port/get_Transport defaults, ConvertUri and the
 * four comparison options of IsEqual.
 */
#include <string.h>
#include "ucc_private.h"

struct pair
{
    char *name;
    char *value;        /* "" for a flag parameter */
};

struct uri
{
    IUccUri IUccUri_iface;
    LONG refcount;
    UCC_URI_SCHEME scheme;
    BOOL secure;        /* sips: */
    char *text;         /* the URI as given (without <>) */
    char *user;         /* unescaped; the number for tel: */
    char *password;
    char *host;         /* lower case; "" for tel: */
    LONG port;          /* 0 when absent */
    GArray *params;     /* struct pair */
    GArray *headers;    /* struct pair, unescaped */
};

static const IUccUriVtbl uri_vtbl;

static struct uri *impl_from_IUccUri(IUccUri *iface)
{
    return CONTAINING_RECORD(iface, struct uri, IUccUri_iface);
}

static void clear_pair(gpointer data)
{
    struct pair *pair = data;

    g_free(pair->name);
    g_free(pair->value);
}

static struct uri *uri_alloc(void)
{
    struct uri *uri = calloc(1, sizeof(*uri));

    if (!uri)
        return NULL;
    uri->IUccUri_iface.lpVtbl = &uri_vtbl;
    uri->refcount = 1;
    com_module_lock();      /* DllCanUnloadNow: one more live object */
    uri->params = g_array_new(FALSE, TRUE, sizeof(struct pair));
    g_array_set_clear_func(uri->params, clear_pair);
    uri->headers = g_array_new(FALSE, TRUE, sizeof(struct pair));
    g_array_set_clear_func(uri->headers, clear_pair);
    return uri;
}

static void uri_free(struct uri *uri)
{
    g_array_free(uri->params, TRUE);
    g_array_free(uri->headers, TRUE);
    g_free(uri->text);
    g_free(uri->user);
    g_free(uri->password);
    g_free(uri->host);
    free(uri);
}

/* ---- parsing ----------------------------------------------------------------------------------- */

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* %XX-unescapes [start, end); NULL on a broken escape or an escaped NUL. */
static char *unescape(const char *start, const char *end)
{
    GString *out = g_string_sized_new(end - start);
    const char *p;

    for (p = start; p < end; p++)
    {
        if (*p == '%')
        {
            int hi, lo;
            if (end - p < 3 || (hi = hex_value(p[1])) < 0 || (lo = hex_value(p[2])) < 0 || (!hi && !lo))
            {
                g_string_free(out, TRUE);
                return NULL;
            }
            g_string_append_c(out, (char)(hi * 16 + lo));
            p += 2;
        }
        else
            g_string_append_c(out, *p);
    }
    return g_string_free(out, FALSE);
}

/* Characters that never appear unescaped in a URI we accept. */
static BOOL is_forbidden(unsigned char c)
{
    return c <= ' ' || c >= 0x7f || c == '<' || c == '>' || c == '"' || c == '\\' || c == '`'
           || c == '{' || c == '}' || c == '|' || c == '^';
}

static BOOL is_token_char(char c)
{
    return g_ascii_isalnum(c) || strchr("-.!%*_+`'~[]/:&$", c);
}

/* ;name[=value] list in [start, end) into params. */
static BOOL parse_params(const char *start, const char *end, GArray *params)
{
    while (start < end)
    {
        const char *next = memchr(start, ';', end - start), *eq;
        struct pair pair;

        if (!next)
            next = end;
        if (next == start)
            return FALSE;       /* ";;" or a trailing ';' */
        eq = memchr(start, '=', next - start);
        pair.name = unescape(start, eq ? eq : next);
        pair.value = eq ? unescape(eq + 1, next) : g_strdup("");
        if (!pair.name || !pair.value || !*pair.name)
        {
            g_free(pair.name);
            g_free(pair.value);
            return FALSE;
        }
        for (const char *c = pair.name; *c; c++)
            if (!is_token_char(*c))
            {
                g_free(pair.name);
                g_free(pair.value);
                return FALSE;
            }
        g_array_append_val(params, pair);
        start = next < end ? next + 1 : end;
    }
    return TRUE;
}

/* ?h=v&h=v in [start, end). */
static BOOL parse_headers(const char *start, const char *end, GArray *headers)
{
    while (start < end)
    {
        const char *next = memchr(start, '&', end - start), *eq;
        struct pair pair;

        if (!next)
            next = end;
        if (!(eq = memchr(start, '=', next - start)) || eq == start)
            return FALSE;
        pair.name = unescape(start, eq);
        pair.value = unescape(eq + 1, next);
        if (!pair.name || !pair.value)
        {
            g_free(pair.name);
            g_free(pair.value);
            return FALSE;
        }
        g_array_append_val(headers, pair);
        start = next < end ? next + 1 : end;
    }
    return TRUE;
}

static BOOL valid_hostname(const char *host)
{
    const char *c;

    if (!*host)
        return FALSE;
    if (host[0] == '[')
    {
        size_t len = strlen(host);
        if (len < 4 || host[len - 1] != ']')
            return FALSE;
        for (c = host + 1; c < host + len - 1; c++)
            if (!g_ascii_isxdigit(*c) && *c != ':' && *c != '.')
                return FALSE;
        return TRUE;
    }
    for (c = host; *c; c++)
        if (!g_ascii_isalnum(*c) && *c != '-' && *c != '.' && *c != '_')
            return FALSE;
    return host[0] != '.' && host[0] != '-';
}

static BOOL parse_sip(struct uri *uri, const char *rest)
{
    const char *end = rest + strlen(rest);
    const char *headers = strchr(rest, '?');
    const char *hostport, *at, *params, *host_end, *colon;
    char *hostpart;

    if (headers)
    {
        if (!parse_headers(headers + 1, end, uri->headers))
            return FALSE;
        end = headers;
    }
    /* user info ends at the last '@' before the parameters (a ';' may be in the user part) */
    at = NULL;
    for (const char *p = rest; p < end; p++)
        if (*p == '@')
            at = p;
    if (at)
    {
        const char *pw = memchr(rest, ':', at - rest);
        if (at == rest)
            return FALSE;
        if (!(uri->user = unescape(rest, pw ? pw : at)) || !*uri->user)
            return FALSE;
        if (pw && !(uri->password = unescape(pw + 1, at)))
            return FALSE;
        hostport = at + 1;
    }
    else
        hostport = rest;

    params = memchr(hostport, ';', end - hostport);
    host_end = params ? params : end;
    if (params && !parse_params(params + 1, end, uri->params))
        return FALSE;
    if (host_end == hostport)
        return FALSE;
    /* host[:port], host may be [v6] */
    if (*hostport == '[')
    {
        const char *close = memchr(hostport, ']', host_end - hostport);
        if (!close)
            return FALSE;
        colon = close + 1 < host_end && close[1] == ':' ? close + 1 : NULL;
        if (close + 1 < host_end && !colon)
            return FALSE;
    }
    else
        colon = memchr(hostport, ':', host_end - hostport);
    hostpart = g_ascii_strdown(hostport, (colon ? colon : host_end) - hostport);
    uri->host = hostpart;
    if (!valid_hostname(uri->host))
        return FALSE;
    if (colon)
    {
        char *digits = g_strndup(colon + 1, host_end - colon - 1), *tail;
        long port = strtol(digits, &tail, 10);
        gboolean ok = *digits && !*tail && port > 0 && port <= 65535 && g_ascii_isdigit(digits[0]);
        g_free(digits);
        if (!ok)
            return FALSE;
        uri->port = port;
    }
    return TRUE;
}

static BOOL parse_tel(struct uri *uri, const char *rest)
{
    const char *params = strchr(rest, ';');
    const char *end = params ? params : rest + strlen(rest);
    const char *c;
    BOOL digit = FALSE;

    if (end == rest)
        return FALSE;
    for (c = rest; c < end; c++)
    {
        if (c == rest && *c == '+')
            continue;
        if (g_ascii_isxdigit(*c) || *c == '*' || *c == '#')
            digit = TRUE;
        else if (*c != '-' && *c != '.' && *c != '(' && *c != ')')
            return FALSE;
    }
    if (!digit)
        return FALSE;
    uri->user = g_strndup(rest, end - rest);
    uri->host = g_strdup("");
    if (params && !parse_params(params + 1, rest + strlen(rest), uri->params))
        return FALSE;
    return TRUE;
}

static HRESULT uri_parse(const char *input, struct uri **out)
{
    struct uri *uri;
    char *text = g_strstrip(g_strdup(input ? input : ""));
    size_t len = strlen(text);
    const char *c;
    BOOL ok = FALSE;

    *out = NULL;
    if (len >= 2 && text[0] == '<' && text[len - 1] == '>')
    {
        memmove(text, text + 1, len - 2);
        text[len - 2] = 0;
    }
    for (c = text; *c; c++)
    {
        if (is_forbidden((unsigned char)*c) && !(*c == '[' || *c == ']'))
        {
            g_free(text);
            return UCC_E_INVALID_SIP_URL;
        }
    }
    if (!(uri = uri_alloc()))
    {
        g_free(text);
        return E_OUTOFMEMORY;
    }
    uri->text = text;
    if (!g_ascii_strncasecmp(text, "sip:", 4))
    {
        uri->scheme = UCCUS_SIP;
        ok = parse_sip(uri, text + 4);
    }
    else if (!g_ascii_strncasecmp(text, "sips:", 5))
    {
        uri->scheme = UCCUS_SIP;
        uri->secure = TRUE;
        ok = parse_sip(uri, text + 5);
    }
    else if (!g_ascii_strncasecmp(text, "tel:", 4))
    {
        uri->scheme = UCCUS_TEL;
        ok = parse_tel(uri, text + 4);
    }
    if (!ok)
    {
        uri_free(uri);
        return UCC_E_INVALID_SIP_URL;
    }
    *out = uri;
    return S_OK;
}

HRESULT ucc_uri_create(const char *text, IUccUri **out)
{
    struct uri *uri;
    HRESULT hr;

    if (!out)
        return E_POINTER;
    *out = NULL;
    if (FAILED(hr = uri_parse(text, &uri)))
        return hr;
    *out = &uri->IUccUri_iface;
    return S_OK;
}

char *ucc_uri_text(IUccUri *uri)
{
    BSTR value = NULL;
    char *text;

    if (!uri || FAILED(IUccUri_get_Value(uri, &value)))
        return NULL;
    text = ucc_utf8(value);
    SysFreeString(value);
    return text;
}

/* ---- IUccUri --------------------------------------------------------------------------------------- */

static HRESULT WINAPI uri_QueryInterface(IUccUri *iface, REFIID riid, void **ppv)
{
    if (!ppv)
        return E_POINTER;
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IUccUri))
    {
        *ppv = iface;
        IUccUri_AddRef(iface);
        return S_OK;
    }
    *ppv = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI uri_AddRef(IUccUri *iface)
{
    return InterlockedIncrement(&impl_from_IUccUri(iface)->refcount);
}

static ULONG WINAPI uri_Release(IUccUri *iface)
{
    struct uri *uri = impl_from_IUccUri(iface);
    ULONG ref = InterlockedDecrement(&uri->refcount);

    if (!ref)
    {
        uri_free(uri);
        com_module_unlock();
    }
    return ref;
}

static HRESULT WINAPI uri_get_Scheme(IUccUri *iface, UCC_URI_SCHEME *scheme)
{
    if (!scheme)
        return E_POINTER;
    *scheme = impl_from_IUccUri(iface)->scheme;
    return S_OK;
}

static HRESULT WINAPI uri_get_User(IUccUri *iface, BSTR *user)
{
    return ucc_return_bstr(impl_from_IUccUri(iface)->user, user);
}

static HRESULT WINAPI uri_get_Host(IUccUri *iface, BSTR *host)
{
    return ucc_return_bstr(impl_from_IUccUri(iface)->host, host);
}

static HRESULT WINAPI uri_get_Port(IUccUri *iface, LONG *port)
{
    if (!port)
        return E_POINTER;
    *port = impl_from_IUccUri(iface)->port;
    return S_OK;
}

static const char *find_pair(GArray *pairs, const char *name)
{
    guint i;

    for (i = 0; i < pairs->len; i++)
    {
        const struct pair *pair = &g_array_index(pairs, struct pair, i);
        if (!g_ascii_strcasecmp(pair->name, name))
            return pair->value;
    }
    return NULL;
}

static HRESULT WINAPI uri_get_Transport(IUccUri *iface, UCC_TRANSPORT_MODE *transport)
{
    struct uri *uri = impl_from_IUccUri(iface);
    const char *param = find_pair(uri->params, "transport");

    if (!transport)
        return E_POINTER;
    if (uri->secure || (param && !g_ascii_strcasecmp(param, "tls")))
        *transport = UCCTM_TLS;
    else if (param && !g_ascii_strcasecmp(param, "tcp"))
        *transport = UCCTM_TCP;
    else
        *transport = UCCTM_UDP;
    return S_OK;
}

static char *user_at_host(const struct uri *uri)
{
    if (uri->scheme == UCCUS_TEL)
        return g_strdup(uri->user);
    return uri->user ? g_strdup_printf("%s@%s", uri->user, uri->host) : g_strdup(uri->host);
}

static HRESULT WINAPI uri_get_UserAtHost(IUccUri *iface, BSTR *value)
{
    char *text = user_at_host(impl_from_IUccUri(iface));
    HRESULT hr = ucc_return_bstr(text, value);

    g_free(text);
    return hr;
}

static HRESULT WINAPI uri_get_AddressOfRecord(IUccUri *iface, BSTR *value)
{
    struct uri *uri = impl_from_IUccUri(iface);
    char *uah = user_at_host(uri);
    char *text = g_strconcat(uri->scheme == UCCUS_TEL ? "tel:" : uri->secure ? "sips:" : "sip:", uah, NULL);
    HRESULT hr = ucc_return_bstr(text, value);

    g_free(uah);
    g_free(text);
    return hr;
}

static HRESULT WINAPI uri_get_Value(IUccUri *iface, BSTR *value)
{
    return ucc_return_bstr(impl_from_IUccUri(iface)->text, value);
}

static HRESULT pairs_collection(GArray *pairs, const char *only, IUccReadOnlyPropertyCollection **out)
{
    IUccPropertyCollection *collection;
    HRESULT hr;
    guint i;

    if (!out)
        return E_POINTER;
    *out = NULL;
    if (FAILED(hr = ucc_property_collection_create(TRUE, &collection)))
        return hr;
    for (i = 0; i < pairs->len && SUCCEEDED(hr); i++)
    {
        const struct pair *pair = &g_array_index(pairs, struct pair, i);
        if (!only || !g_ascii_strcasecmp(only, pair->name))
            hr = ucc_properties_add_string((IUnknown *)collection, 0, pair->name, pair->value, FALSE);
    }
    if (FAILED(hr))
    {
        IUccPropertyCollection_Release(collection);
        return hr;
    }
    *out = (IUccReadOnlyPropertyCollection *)collection;
    return S_OK;
}

static HRESULT WINAPI uri_get_Parameters(IUccUri *iface, IUccReadOnlyPropertyCollection **out)
{
    return pairs_collection(impl_from_IUccUri(iface)->params, NULL, out);
}

static HRESULT WINAPI uri_get_HeaderFields(IUccUri *iface, IUccReadOnlyPropertyCollection **out)
{
    return pairs_collection(impl_from_IUccUri(iface)->headers, NULL, out);
}

static HRESULT WINAPI uri_FindHeaderFields(IUccUri *iface, BSTR name, IUccReadOnlyPropertyCollection **out)
{
    char *utf8;
    HRESULT hr;

    if (!name)
    {
        if (out)
            *out = NULL;
        return E_INVALIDARG;
    }
    utf8 = ucc_utf8(name);
    hr = pairs_collection(impl_from_IUccUri(iface)->headers, utf8, out);
    g_free(utf8);
    return hr;
}

/* ---- comparison ---------------------------------------------------------------------------------- */

/* tel: numbers compare without visual separators (RFC 3966 §4). */
static char *tel_digits(const char *number)
{
    GString *out = g_string_new(NULL);

    for (; *number; number++)
        if (!strchr("-.()", *number))
            g_string_append_c(out, g_ascii_tolower(*number));
    return g_string_free(out, FALSE);
}

static BOOL users_equal(const struct uri *a, const struct uri *b, BOOL ignore_case)
{
    if (a->scheme == UCCUS_TEL)
    {
        char *da = tel_digits(a->user), *db = tel_digits(b->user);
        BOOL equal = !strcmp(da, db);
        g_free(da);
        g_free(db);
        return equal;
    }
    if (!a->user || !b->user)
        return !a->user && !b->user;
    return ignore_case ? !g_ascii_strcasecmp(a->user, b->user) : !strcmp(a->user, b->user);
}

/* Every pair of sub is in super with an equal value (names without case; values
 * without case for parameters, exactly for header fields). */
static BOOL pairs_contained(GArray *sub, GArray *super, BOOL values_nocase)
{
    guint i;

    for (i = 0; i < sub->len; i++)
    {
        const struct pair *pair = &g_array_index(sub, struct pair, i);
        const char *other = find_pair(super, pair->name);
        if (!other || (values_nocase ? g_ascii_strcasecmp(other, pair->value) : strcmp(other, pair->value)))
            return FALSE;
    }
    return TRUE;
}

/* RFC 3261 §19.1.4 for the parameters: user, ttl, method, maddr and transport must
 * match when either URI has them; other parameters only when both have them. */
static BOOL params_equal_rfc3261(GArray *a, GArray *b)
{
    static const char *const must_match[] = { "user", "ttl", "method", "maddr", "transport" };
    guint i;

    for (i = 0; i < ARRAY_SIZE(must_match); i++)
    {
        const char *va = find_pair(a, must_match[i]), *vb = find_pair(b, must_match[i]);
        if ((va || vb) && (!va || !vb || g_ascii_strcasecmp(va, vb)))
            return FALSE;
    }
    for (i = 0; i < a->len; i++)
    {
        const struct pair *pair = &g_array_index(a, struct pair, i);
        const char *other = find_pair(b, pair->name);
        if (other && g_ascii_strcasecmp(other, pair->value))
            return FALSE;
    }
    return TRUE;
}

static BOOL uris_equal(const struct uri *a, const struct uri *b, UCC_URI_COMPARISON_OPTION option)
{
    if (a->scheme != b->scheme)
        return FALSE;
    switch (option)
    {
    case UCCUCO_USER_HOST:
        return users_equal(a, b, TRUE) && !g_ascii_strcasecmp(a->host, b->host);
    case UCCUCO_EXACT_MATCH:
        return a->secure == b->secure && users_equal(a, b, FALSE) && !g_strcmp0(a->password, b->password)
               && !strcmp(a->host, b->host) && a->port == b->port
               && a->params->len == b->params->len && pairs_contained(a->params, b->params, TRUE)
               && a->headers->len == b->headers->len && pairs_contained(a->headers, b->headers, FALSE);
    case UCCUCO_CONTAINED:
        return a->secure == b->secure && users_equal(a, b, FALSE) && !strcmp(a->host, b->host)
               && (!a->port || a->port == b->port)
               && pairs_contained(a->params, b->params, TRUE) && pairs_contained(a->headers, b->headers, FALSE);
    case UCCUCO_DEFAULT:
    default:
        return a->secure == b->secure && users_equal(a, b, FALSE) && !g_strcmp0(a->password, b->password)
               && !strcmp(a->host, b->host) && a->port == b->port
               && params_equal_rfc3261(a->params, b->params)
               && pairs_contained(a->headers, b->headers, FALSE) && pairs_contained(b->headers, a->headers, FALSE);
    }
}

static HRESULT WINAPI uri_IsEqual(IUccUri *iface, IUccUri *other, UCC_URI_COMPARISON_OPTION option,
                                  VARIANT_BOOL *equal)
{
    struct uri *uri = impl_from_IUccUri(iface), *parsed;
    char *text;

    if (!equal)
        return E_POINTER;
    *equal = VARIANT_FALSE;
    if (!other)
        return E_POINTER;
    if ((unsigned int)option > UCCUCO_CONTAINED)
        return E_INVALIDARG;
    /* The other URI may be any IUccUri: compare what its text parses to. */
    if (!(text = ucc_uri_text(other)))
        return E_INVALIDARG;
    if (SUCCEEDED(uri_parse(text, &parsed)))
    {
        *equal = uris_equal(uri, parsed, option) ? VARIANT_TRUE : VARIANT_FALSE;
        uri_free(parsed);
    }
    g_free(text);
    return S_OK;
}

static const IUccUriVtbl uri_vtbl =
{
    uri_QueryInterface,
    uri_AddRef,
    uri_Release,
    uri_get_Scheme,
    uri_get_User,
    uri_get_Host,
    uri_get_Port,
    uri_get_Transport,
    uri_get_UserAtHost,
    uri_get_AddressOfRecord,
    uri_get_Value,
    uri_get_Parameters,
    uri_get_HeaderFields,
    uri_FindHeaderFields,
    uri_IsEqual,
};

/* ---- UccUriManager --------------------------------------------------------------------------------- */

struct uri_manager
{
    IUccUriManager IUccUriManager_iface;
    LONG refcount;
};

static struct uri_manager *impl_from_IUccUriManager(IUccUriManager *iface)
{
    return CONTAINING_RECORD(iface, struct uri_manager, IUccUriManager_iface);
}

static HRESULT WINAPI uri_manager_QueryInterface(IUccUriManager *iface, REFIID riid, void **ppv)
{
    if (!ppv)
        return E_POINTER;
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IUccUriManager))
    {
        *ppv = iface;
        IUccUriManager_AddRef(iface);
        return S_OK;
    }
    *ppv = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI uri_manager_AddRef(IUccUriManager *iface)
{
    return InterlockedIncrement(&impl_from_IUccUriManager(iface)->refcount);
}

static ULONG WINAPI uri_manager_Release(IUccUriManager *iface)
{
    struct uri_manager *manager = impl_from_IUccUriManager(iface);
    ULONG ref = InterlockedDecrement(&manager->refcount);

    if (!ref)
    {
        free(manager);
        com_module_unlock();
    }
    return ref;
}

static HRESULT WINAPI uri_manager_ParseUri(IUccUriManager *iface, BSTR text, IUccUri **out)
{
    char *utf8;
    HRESULT hr;

    if (!out)
        return E_POINTER;
    *out = NULL;
    if (!text)
        return E_INVALIDARG;
    utf8 = ucc_utf8(text);
    hr = ucc_uri_create(utf8, out);
    g_free(utf8);
    return hr;
}

/* A telephone number: optional '+', digits and visual separators only. */
static char *phone_number(const char *text)
{
    GString *out = g_string_new(NULL);
    const char *c;
    BOOL digit = FALSE;

    for (c = text; *c; c++)
    {
        if (c == text && *c == '+')
            g_string_append_c(out, '+');
        else if (g_ascii_isdigit(*c))
        {
            g_string_append_c(out, *c);
            digit = TRUE;
        }
        else if (!strchr("-.() ", *c))
        {
            g_string_free(out, TRUE);
            return NULL;
        }
    }
    if (!digit)
    {
        g_string_free(out, TRUE);
        return NULL;
    }
    return g_string_free(out, FALSE);
}

static HRESULT WINAPI uri_manager_ConvertUri(IUccUriManager *iface, BSTR text, BSTR domain, IUccUri **out)
{
    char *utf8, *dom, *number = NULL, *converted = NULL;
    HRESULT hr;

    if (!out)
        return E_POINTER;
    *out = NULL;
    if (!text)
        return E_INVALIDARG;
    utf8 = g_strstrip(ucc_utf8(text));
    dom = domain ? g_strstrip(ucc_utf8(domain)) : NULL;
    if (dom && !*dom)
    {
        g_free(dom);
        dom = NULL;
    }
    if (!g_ascii_strncasecmp(utf8, "sip:", 4) || !g_ascii_strncasecmp(utf8, "sips:", 5))
        converted = g_strdup(utf8);
    else if (!g_ascii_strncasecmp(utf8, "tel:", 4))
    {
        const char *end = strchr(utf8 + 4, ';');
        char *raw = end ? g_strndup(utf8 + 4, end - utf8 - 4) : g_strdup(utf8 + 4);
        if ((number = phone_number(raw)) && dom)
            converted = g_strdup_printf("sip:%s@%s;user=phone", number, dom);
        g_free(raw);
    }
    else if (strchr(utf8, '@'))
        converted = g_strconcat("sip:", utf8, NULL);
    else if ((number = phone_number(utf8)))
    {
        if (dom)
            converted = g_strdup_printf("sip:%s@%s;user=phone", number, dom);
    }
    else if (*utf8 && dom)
        converted = g_strdup_printf("sip:%s@%s", utf8, dom);

    if (converted)
        hr = ucc_uri_create(converted, out);
    else
        hr = dom || !*utf8 ? UCC_E_INVALID_SIP_URL : E_INVALIDARG;   /* a user or number needs a domain */
    g_free(converted);
    g_free(number);
    g_free(dom);
    g_free(utf8);
    return hr;
}

static const IUccUriManagerVtbl uri_manager_vtbl =
{
    uri_manager_QueryInterface,
    uri_manager_AddRef,
    uri_manager_Release,
    uri_manager_ParseUri,
    uri_manager_ConvertUri,
};

static HRESULT uri_manager_create(REFIID riid, void **ppv)
{
    struct uri_manager *manager;
    HRESULT hr;

    if (!(manager = calloc(1, sizeof(*manager))))
        return E_OUTOFMEMORY;
    manager->IUccUriManager_iface.lpVtbl = &uri_manager_vtbl;
    manager->refcount = 1;
    com_module_lock();      /* DllCanUnloadNow: one more live object */
    hr = uri_manager_QueryInterface(&manager->IUccUriManager_iface, riid, ppv);
    uri_manager_Release(&manager->IUccUriManager_iface);
    return hr;
}

static void __attribute__((constructor)) uri_register_classes(void)
{
    com_register_class(&CLSID_UccUriManager, "UccUriManager", uri_manager_create);
}
