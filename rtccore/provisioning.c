/*
 * Provisioning documents (the XML a profile is made from) read into a
 * struct rtc_profile_data: the values (SIP URIs, host:port, transport and
 * authentication tokens, booleans), the profile-wide authentication rules,
 * and the GMarkup parser. profile.c makes the IRTCProfile2 object around
 * the data.
 *
 * The first defect in document order decides the HRESULT; checks that need
 * the whole document (no <user>, no <sipsrv>, authentication rules) come
 * after it. Text that is not well-formed XML is RTC_E_MALFORMED_XML whatever
 * else is wrong with it. docs/profiles.md lists every mapping and decision.
 */
#include <string.h>
#include <wchar.h>
#include "provisioning.h"

/* ---- profile data ------------------------------------------------------------------- */

void rtc_profile_free_secret(char *secret)
{
    if (secret)
    {
        memset(secret, 0, strlen(secret));
        g_free(secret);
    }
}

static void server_clear(struct rtc_profile_server *server)
{
    g_free(server->addr);
    g_free(server->host);
}

void rtc_profile_data_clear(struct rtc_profile_data *data)
{
    unsigned int i;

    g_free(data->key);
    g_free(data->name);
    g_free(data->expires);
    g_free(data->user_uri);
    g_free(data->user_name);
    g_free(data->user_account);
    rtc_profile_free_secret(data->user_password);
    g_free(data->realm);
    for (i = 0; i < data->server_count; i++)
        server_clear(&data->servers[i]);
    g_free(data->servers);
    g_free(data->client_name);
    g_free(data->client_minver);
    g_free(data->client_curver);
    g_free(data->client_updateuri);
    g_free(data->client_data);
    g_free(data->provider_name);
    for (i = 0; i < ARRAY_SIZE(data->provider_uri); i++)
        g_free(data->provider_uri[i]);
    g_free(data->provider_data);
    memset(data, 0, sizeof(*data));
}

/* A copy of value without surrounding white space; NULL for NULL or blank. */
char *rtc_profile_dup_stripped(const char *value)
{
    char *copy;

    if (!value)
        return NULL;
    copy = g_strstrip(g_strdup(value));
    if (!*copy)
    {
        g_free(copy);
        return NULL;
    }
    return copy;
}

/* A BSTR argument as UTF-8 (g_free), or NULL when it is not valid Unicode. */
char *rtc_profile_utf8_from_argument(const WCHAR *str)
{
    char *utf8 = com_utf8_from_wstr(str);

    if (utf8 && !g_utf8_validate(utf8, -1, NULL))
    {
        memset(utf8, 0, strlen(utf8));
        g_free(utf8);
        utf8 = NULL;
    }
    return utf8;
}

void rtc_profile_replace_string(char **field, char *value)
{
    g_free(*field);
    *field = value;
}

/* ---- values: URIs, addresses, tokens ------------------------------------------------ */

static BOOL is_ipv6_literal(const char *text, size_t len)
{
    BOOL colon = FALSE;
    size_t i;

    if (!len)
        return FALSE;
    for (i = 0; i < len; i++)
    {
        if (text[i] == ':')
            colon = TRUE;
        else if (!g_ascii_isxdigit(text[i]) && text[i] != '.')
            return FALSE;
    }
    return colon;
}

static BOOL is_host_name(const char *text, size_t len)
{
    BOOL alnum = FALSE;
    size_t i;

    for (i = 0; i < len; i++)
    {
        if (g_ascii_isalnum(text[i]))
            alnum = TRUE;
        else if (text[i] != '-' && text[i] != '.' && text[i] != '_')
            return FALSE;
    }
    return alnum;
}

/*
 * "host", "host:port", "[v6]" or "[v6]:port" over text[0..len). host is returned
 * without brackets; *port is 0 when none is given.
 */
static BOOL parse_hostport(const char *text, size_t len, char **host, unsigned int *port)
{
    const char *host_start = text, *rest;
    size_t host_len;
    unsigned int value = 0;
    size_t i;

    if (!len)
        return FALSE;
    if (text[0] == '[')
    {
        const char *close = memchr(text, ']', len);
        if (!close)
            return FALSE;
        host_start = text + 1;
        host_len = close - host_start;
        if (!is_ipv6_literal(host_start, host_len))
            return FALSE;
        rest = close + 1;
    }
    else
    {
        const char *colon = memchr(text, ':', len);
        host_len = colon ? (size_t)(colon - text) : len;
        if (!is_host_name(text, host_len))
            return FALSE;
        rest = text + host_len;
    }
    if (rest < text + len)
    {
        size_t digits = text + len - rest - 1;
        if (*rest != ':' || !digits || digits > 5)
            return FALSE;
        for (i = 1; i <= digits; i++)
        {
            if (!g_ascii_isdigit(rest[i]))
                return FALSE;
            value = value * 10 + (rest[i] - '0');
        }
        if (!value || value > 65535)
            return FALSE;
    }
    if (host)
        *host = g_strndup(host_start, host_len);
    if (port)
        *port = value;
    return TRUE;
}

/* Length of "sip:" or "sips:" at the start of text (any case), else 0. */
static size_t sip_scheme_length(const char *text)
{
    if (!g_ascii_strncasecmp(text, "sip:", 4))
        return 4;
    if (!g_ascii_strncasecmp(text, "sips:", 5))
        return 5;
    return 0;
}

HRESULT rtc_profile_normalize_sip_uri(const char *text, char **normalized)
{
    const char *rest, *at, *colon, *hostport, *end;
    BOOL secure = FALSE;
    char *trimmed;
    HRESULT hr = RTC_E_INVALID_SIP_URL;
    size_t scheme;

    *normalized = NULL;
    if (!(trimmed = rtc_profile_dup_stripped(text)))
        return RTC_E_INVALID_SIP_URL;
    if ((scheme = sip_scheme_length(trimmed)))
    {
        secure = scheme == 5;
        rest = trimmed + scheme;
    }
    else
    {
        /* No sip: scheme. "user@host", "host" and "host:port" get one (the sample profile of
         * "Profile for PC-PC, PC-Phone, or IM Sessions" has uri="someone@example.com");
         * any other scheme ("tel:", "mailto:") is not a SIP URI. */
        colon = strchr(trimmed, ':');
        at = strchr(trimmed, '@');
        if (colon && (!at || colon < at) && !g_ascii_isdigit(colon[1]))
            goto done;
        rest = trimmed;
    }
    for (end = rest; *end; end++)
    {
        if ((unsigned char)*end <= ' ' || *end == 0x7f || strchr("<>\"", *end))
            goto done;
    }
    /* userinfo "@" hostport; an '@' after '?' belongs to the headers. */
    at = strchr(rest, '@');
    if (at && (!strchr(rest, '?') || at < strchr(rest, '?')))
    {
        if (at == rest)
            goto done;
        hostport = at + 1;
    }
    else
        hostport = rest;
    end = hostport + strcspn(hostport, ";?");
    if (!parse_hostport(hostport, end - hostport, NULL, NULL))
        goto done;
    *normalized = g_strconcat(secure ? "sips:" : "sip:", rest, NULL);
    hr = S_OK;
done:
    g_free(trimmed);
    return hr;
}

static BOOL token_equal(const char *a, const char *b)
{
    return !g_ascii_strcasecmp(a, b);
}

static BOOL parse_transport(const char *value, LONG *transport)
{
    if (token_equal(value, "UDP"))
        *transport = RTCTR_UDP;
    else if (token_equal(value, "TCP"))
        *transport = RTCTR_TCP;
    else if (token_equal(value, "TLS"))
        *transport = RTCTR_TLS;
    else
        return FALSE;
    return TRUE;
}

static LONG auth_from_token(const char *token)
{
    if (token_equal(token, "digest")) return RTCAU_DIGEST;
    if (token_equal(token, "basic")) return RTCAU_BASIC;
    if (token_equal(token, "ntlm")) return RTCAU_NTLM;
    if (token_equal(token, "kerberos")) return RTCAU_KERBEROS;
    return 0;
}

/* allowedauth=: tokens basic digest ntlm kerberos logoncred, separated by white space,
 * ',', ';', '|' or '+'. The empty list is valid (answer no challenge). */
static BOOL parse_allowed_auth(const char *value, LONG *auth)
{
    char **tokens = g_strsplit_set(value, " \t\r\n,;|+", -1);
    BOOL ok = TRUE;
    LONG bits = 0, bit;
    unsigned int i;

    for (i = 0; tokens[i] && ok; i++)
    {
        if (!*tokens[i])
            continue;
        if (token_equal(tokens[i], "logoncred"))
            bits |= RTCAU_USE_LOGON_CRED;
        else if ((bit = auth_from_token(tokens[i])))
            bits |= bit;
        else
            ok = FALSE;
    }
    g_strfreev(tokens);
    /* "logoncred cannot be the only method" (Setting Authentication, ms775990). */
    if (ok && (bits & RTCAU_USE_LOGON_CRED) && !(bits & ~RTCAU_USE_LOGON_CRED))
        ok = FALSE;
    *auth = bits;
    return ok;
}

static BOOL parse_bool(const char *value, BOOL *result)
{
    static const char *const yes[] = { "true", "1", "yes", "on" };
    static const char *const no[] = { "false", "0", "no", "off" };
    unsigned int i;

    for (i = 0; i < ARRAY_SIZE(yes); i++)
    {
        if (token_equal(value, yes[i]))
        {
            *result = TRUE;
            return TRUE;
        }
        if (token_equal(value, no[i]))
        {
            *result = FALSE;
            return TRUE;
        }
    }
    return FALSE;
}

/*
 * The profile-wide authentication rules (CreateProfile ms775522, put_AllowedAuth
 * ms775704): with any UDP server only Digest may be allowed; Basic needs every
 * server on TLS.
 */
HRESULT rtc_profile_check_auth(const struct rtc_profile_data *data, LONG auth)
{
    BOOL any_udp = FALSE, any_clear = FALSE;
    unsigned int i;

    for (i = 0; i < data->server_count; i++)
    {
        if (data->servers[i].transport == RTCTR_UDP)
            any_udp = TRUE;
        if (data->servers[i].transport != RTCTR_TLS)
            any_clear = TRUE;
    }
    if (any_udp && (auth & ~RTCAU_DIGEST))
        return RTC_E_UDP_NOT_SUPPORTED;
    if ((auth & RTCAU_BASIC) && any_clear)
        return RTC_E_BASIC_AUTH_SET_TLS;
    return S_OK;
}

/* ---- the parser ---------------------------------------------------------------------- */

enum element_kind
{
    EL_PROVISION,
    EL_USER,
    EL_SIPSRV,
    EL_SESSION,
    EL_CLIENT,
    EL_PROVIDER,
    EL_FIELD,       /* a child element of <client>/<provider> holding one value */
};

enum field_id
{
    FIELD_NONE,
    FIELD_NAME,
    FIELD_BANNER,
    FIELD_UPDATES,
    FIELD_MINVER,
    FIELD_CURVER,
    FIELD_UPDATEURI,
    FIELD_DATA,
    FIELD_HOMEPAGE,
    FIELD_HELPDESK,
    FIELD_PERSONAL,
    FIELD_CALLDISPLAY,
    FIELD_IDLEDISPLAY,
};

struct parser
{
    struct rtc_profile_data *data;
    GArray *servers;                /* struct rtc_profile_server */
    HRESULT hr;                     /* the first defect; S_OK so far */
    BOOL seen_root, seen_user;

    enum element_kind stack[3];     /* open elements we understand */
    unsigned int depth;
    unsigned int skip_depth;        /* > 0 inside an element we ignore */

    enum element_kind field_owner;  /* EL_CLIENT or EL_PROVIDER while an EL_FIELD is open */
    enum field_id field;
    GString *field_text;

    unsigned int blob_depth;        /* > 0 inside <data>: 1 for <data> itself */
    char **blob_target;
    GString *blob_text;             /* character data only */
    GString *blob_markup;           /* the content re-serialized as XML */
    BOOL blob_has_elements;
};

static void parser_fail(struct parser *p, HRESULT hr)
{
    if (SUCCEEDED(p->hr))
        p->hr = hr;
}

static const char *find_attribute(const char **names, const char **values, const char *name)
{
    unsigned int i;

    for (i = 0; names[i]; i++)
        if (token_equal(names[i], name))
            return values[i];
    return NULL;
}

static enum field_id field_lookup(enum element_kind owner, const char *name)
{
    static const struct { const char *name; enum field_id id; } client[] =
    {
        { "name", FIELD_NAME }, { "banner", FIELD_BANNER }, { "updates", FIELD_UPDATES },
        { "minver", FIELD_MINVER }, { "curver", FIELD_CURVER }, { "updateuri", FIELD_UPDATEURI },
        { "data", FIELD_DATA },
    },
    provider[] =
    {
        { "name", FIELD_NAME }, { "homepage", FIELD_HOMEPAGE }, { "helpdesk", FIELD_HELPDESK },
        { "personal", FIELD_PERSONAL }, { "calldisplay", FIELD_CALLDISPLAY },
        { "idledisplay", FIELD_IDLEDISPLAY }, { "data", FIELD_DATA },
    };
    unsigned int i;

    if (owner == EL_CLIENT)
    {
        for (i = 0; i < ARRAY_SIZE(client); i++)
            if (token_equal(name, client[i].name))
                return client[i].id;
    }
    else
    {
        for (i = 0; i < ARRAY_SIZE(provider); i++)
            if (token_equal(name, provider[i].name))
                return provider[i].id;
    }
    return FIELD_NONE;
}

/* Where a string field lives, or NULL for the boolean ones. */
static char **field_string(struct rtc_profile_data *data, enum element_kind owner, enum field_id id)
{
    switch (id)
    {
    case FIELD_NAME: return owner == EL_CLIENT ? &data->client_name : &data->provider_name;
    case FIELD_DATA: return owner == EL_CLIENT ? &data->client_data : &data->provider_data;
    case FIELD_MINVER: return &data->client_minver;
    case FIELD_CURVER: return &data->client_curver;
    case FIELD_UPDATEURI: return &data->client_updateuri;
    case FIELD_HOMEPAGE: return &data->provider_uri[RTCPU_URIHOMEPAGE];
    case FIELD_HELPDESK: return &data->provider_uri[RTCPU_URIHELPDESK];
    case FIELD_PERSONAL: return &data->provider_uri[RTCPU_URIPERSONALACCOUNT];
    case FIELD_CALLDISPLAY: return &data->provider_uri[RTCPU_URIDISPLAYDURINGCALL];
    case FIELD_IDLEDISPLAY: return &data->provider_uri[RTCPU_URIDISPLAYDURINGIDLE];
    default: return NULL;
    }
}

static void field_set(struct parser *p, enum element_kind owner, enum field_id id, const char *value)
{
    struct rtc_profile_data *data = p->data;
    char **target;
    char *stripped;
    BOOL flag;

    if ((target = field_string(data, owner, id)))
    {
        rtc_profile_replace_string(target, rtc_profile_dup_stripped(value));
        return;
    }
    /* banner / updates: a blank value counts as absent. */
    if (!(stripped = rtc_profile_dup_stripped(value)))
        return;
    if (!parse_bool(stripped, &flag))
        parser_fail(p, RTC_E_INVALID_PROFILE);
    else if (id == FIELD_BANNER)
    {
        data->client_banner_given = TRUE;
        data->client_banner = flag;
    }
    else
    {
        data->client_updates_given = TRUE;
        data->client_updates = flag;
    }
    g_free(stripped);
}

static void start_provision(struct parser *p, const char **names, const char **values)
{
    struct rtc_profile_data *data = p->data;

    data->key = rtc_profile_dup_stripped(find_attribute(names, values, "key"));
    data->name = rtc_profile_dup_stripped(find_attribute(names, values, "name"));
    data->expires = rtc_profile_dup_stripped(find_attribute(names, values, "expires"));
    if (!data->key)
        parser_fail(p, RTC_E_PROFILE_NO_KEY);
    else if (!data->name)
        parser_fail(p, RTC_E_PROFILE_NO_NAME);
}

static void start_user(struct parser *p, const char **names, const char **values)
{
    struct rtc_profile_data *data = p->data;
    const char *password, *allowed;
    char *uri;

    if (p->seen_user)
    {
        parser_fail(p, RTC_E_INVALID_PROFILE);     /* the schema allows exactly one */
        return;
    }
    p->seen_user = TRUE;
    if (!(uri = rtc_profile_dup_stripped(find_attribute(names, values, "uri"))))
    {
        parser_fail(p, RTC_E_PROFILE_NO_USER_URI);
        return;
    }
    if (FAILED(rtc_profile_normalize_sip_uri(uri, &data->user_uri)))
    {
        g_free(uri);
        parser_fail(p, RTC_E_INVALID_SIP_URL);
        return;
    }
    g_free(uri);
    data->user_account = rtc_profile_dup_stripped(find_attribute(names, values, "account"));
    data->user_name = rtc_profile_dup_stripped(find_attribute(names, values, "name"));
    data->realm = rtc_profile_dup_stripped(find_attribute(names, values, "realm"));
    /* The password is taken as written: blanks may be part of it, "" is a password. */
    if ((password = find_attribute(names, values, "password")))
        data->user_password = g_strdup(password);
    if ((allowed = find_attribute(names, values, "allowedauth")))
    {
        data->allowed_auth_given = TRUE;
        if (!parse_allowed_auth(allowed, &data->allowed_auth))
            parser_fail(p, RTC_E_PROFILE_INVALID_SERVER_AUTHMETHOD);
    }
}

static void start_sipsrv(struct parser *p, const char **names, const char **values)
{
    struct rtc_profile_server server = { 0 };
    const char *addr, *protocol, *role, *auth;
    char *text = NULL, *hostport;
    unsigned int port;

    addr = find_attribute(names, values, "addr");
    protocol = find_attribute(names, values, "protocol");
    role = find_attribute(names, values, "role");
    auth = find_attribute(names, values, "auth");

    if (!(server.addr = rtc_profile_dup_stripped(addr)))
    {
        parser_fail(p, RTC_E_PROFILE_NO_SERVER_ADDRESS);
        return;
    }
    if (!(text = rtc_profile_dup_stripped(protocol)))
    {
        parser_fail(p, RTC_E_PROFILE_NO_SERVER_PROTOCOL);
        goto failed;
    }
    if (!parse_transport(text, &server.transport))
    {
        parser_fail(p, RTC_E_PROFILE_INVALID_SERVER_PROTOCOL);
        goto failed;
    }
    /* addr= is host[:port]; a sip: prefix is tolerated. */
    hostport = server.addr + sip_scheme_length(server.addr);
    if (strchr(hostport, '@') || !parse_hostport(hostport, strlen(hostport), &server.host, &port))
    {
        parser_fail(p, RTC_E_INVALID_PROXY_ADDRESS);
        goto failed;
    }
    server.port_explicit = port != 0;
    server.port = port ? port : server.transport == RTCTR_TLS ? 5061 : 5060;

    g_free(text);
    text = rtc_profile_dup_stripped(role);
    if (text && token_equal(text, "registrar"))
        server.registrar = TRUE;
    else if (!text || !token_equal(text, "proxy"))
    {
        parser_fail(p, RTC_E_PROFILE_INVALID_SERVER_ROLE);
        goto failed;
    }

    g_free(text);
    if ((text = rtc_profile_dup_stripped(auth)) && !(server.auth = auth_from_token(text)))
    {
        parser_fail(p, RTC_E_PROFILE_INVALID_SERVER_AUTHMETHOD);
        goto failed;
    }
    if (server.registrar)
    {
        unsigned int i;
        for (i = 0; i < p->servers->len; i++)
        {
            if (g_array_index(p->servers, struct rtc_profile_server, i).registrar)
            {
                parser_fail(p, RTC_E_PROFILE_MULTIPLE_REGISTRARS);
                goto failed;
            }
        }
    }
    g_free(text);
    g_array_append_val(p->servers, server);
    return;

failed:
    g_free(text);
    server_clear(&server);
}

static void start_session(struct parser *p, const char **names, const char **values)
{
    struct rtc_profile_server *server;
    char *party, *type;
    BOOL third = FALSE;
    LONG bit = 0;

    party = rtc_profile_dup_stripped(find_attribute(names, values, "party"));
    type = rtc_profile_dup_stripped(find_attribute(names, values, "type"));
    if (!party || (!token_equal(party, "first") && !(third = token_equal(party, "third"))))
        parser_fail(p, RTC_E_PROFILE_INVALID_SESSION_PARTY);
    else if (!type)
        parser_fail(p, RTC_E_PROFILE_INVALID_SESSION_TYPE);
    else if (token_equal(type, "pc2pc"))
        bit = RTCSI_PC_TO_PC;
    else if (token_equal(type, "pc2ph"))
        bit = RTCSI_PC_TO_PHONE;
    else if (token_equal(type, "ph2ph"))
        bit = RTCSI_PHONE_TO_PHONE;
    else if (token_equal(type, "im"))
        bit = RTCSI_IM;
    else
        parser_fail(p, RTC_E_PROFILE_INVALID_SESSION_TYPE);
    g_free(party);
    g_free(type);
    if (!bit)
        return;
    /* Phone-to-phone is the third-party call; every other type is a first-party session. */
    if (third != (bit == RTCSI_PHONE_TO_PHONE))
    {
        parser_fail(p, RTC_E_PROFILE_INVALID_SESSION);
        return;
    }
    /* The enclosing <sipsrv> was appended unless it was defective (then p->hr is set). */
    if (SUCCEEDED(p->hr) && p->servers->len)
    {
        server = &g_array_index(p->servers, struct rtc_profile_server, p->servers->len - 1);
        server->sessions |= bit;
    }
}

static void start_client_or_provider(struct parser *p, enum element_kind kind,
                                     const char **names, const char **values)
{
    BOOL *seen = kind == EL_CLIENT ? &p->data->has_client : &p->data->has_provider;
    enum field_id id;
    unsigned int i;

    if (*seen)
    {
        parser_fail(p, RTC_E_INVALID_PROFILE);     /* the schema allows at most one */
        return;
    }
    *seen = TRUE;
    for (i = 0; names[i] && SUCCEEDED(p->hr); i++)
        if ((id = field_lookup(kind, names[i])) != FIELD_NONE)
            field_set(p, kind, id, values[i]);
}

/* ---- the data blob ---- */

static void blob_append_start_tag(struct parser *p, const char *name, const char **names, const char **values)
{
    unsigned int i;
    char *escaped;

    g_string_append_printf(p->blob_markup, "<%s", name);
    for (i = 0; names[i]; i++)
    {
        escaped = g_markup_escape_text(values[i], -1);
        g_string_append_printf(p->blob_markup, " %s=\"%s\"", names[i], escaped);
        g_free(escaped);
    }
    g_string_append_c(p->blob_markup, '>');
}

static void blob_finish(struct parser *p)
{
    const char *value = p->blob_has_elements ? p->blob_markup->str : p->blob_text->str;

    rtc_profile_replace_string(p->blob_target, rtc_profile_dup_stripped(value));
    g_string_truncate(p->blob_text, 0);
    g_string_truncate(p->blob_markup, 0);
    p->blob_has_elements = FALSE;
    p->blob_target = NULL;
}

/* ---- GMarkup callbacks ---- */

static void push(struct parser *p, enum element_kind kind)
{
    g_assert(p->depth < ARRAY_SIZE(p->stack));
    p->stack[p->depth++] = kind;
}

/* XML forbids an attribute twice on one element; GMarkup lets it through. */
static BOOL has_duplicate_attribute(const char **names)
{
    GHashTable *seen;
    BOOL duplicate = FALSE;
    unsigned int i, j;

    for (i = 0; names[i] && i < 16; i++)
        for (j = 0; j < i; j++)
            if (!strcmp(names[i], names[j]))
                return TRUE;
    if (!names[i])
        return FALSE;
    seen = g_hash_table_new(g_str_hash, g_str_equal);
    for (i = 0; names[i] && !duplicate; i++)
        duplicate = !g_hash_table_add(seen, (char *)names[i]);
    g_hash_table_destroy(seen);
    return duplicate;
}

static void on_start_element(GMarkupParseContext *context, const char *name, const char **names,
                             const char **values, void *user_data, GError **error)
{
    struct parser *p = user_data;
    enum field_id id;

    /* Not well-formed: stop here, RTC_E_MALFORMED_XML whatever was found before. */
    if (has_duplicate_attribute(names))
    {
        g_set_error(error, G_MARKUP_ERROR, G_MARKUP_ERROR_INVALID_CONTENT, "attribute given twice on <%s>", name);
        return;
    }
    if (!p->depth && !p->skip_depth && !p->blob_depth && p->seen_root)
    {
        g_set_error(error, G_MARKUP_ERROR, G_MARKUP_ERROR_INVALID_CONTENT, "a second document element <%s>", name);
        return;
    }

    if (p->blob_depth)
    {
        blob_append_start_tag(p, name, names, values);
        p->blob_has_elements = TRUE;
        p->blob_depth++;
        return;
    }
    if (!p->depth && !p->skip_depth)
    {
        p->seen_root = TRUE;
        if (!token_equal(name, "provision"))
        {
            parser_fail(p, RTC_E_PROFILE_NO_PROVISION);
            p->skip_depth++;
            return;
        }
        push(p, EL_PROVISION);
        start_provision(p, names, values);
        return;
    }
    if (p->skip_depth || FAILED(p->hr))
    {
        p->skip_depth++;
        return;
    }
    switch (p->stack[p->depth - 1])
    {
    case EL_PROVISION:
        if (token_equal(name, "user"))
        {
            push(p, EL_USER);
            start_user(p, names, values);
        }
        else if (token_equal(name, "sipsrv"))
        {
            push(p, EL_SIPSRV);
            start_sipsrv(p, names, values);
        }
        else if (token_equal(name, "client") || token_equal(name, "provider"))
        {
            enum element_kind kind = token_equal(name, "client") ? EL_CLIENT : EL_PROVIDER;
            push(p, kind);
            start_client_or_provider(p, kind, names, values);
        }
        else if (token_equal(name, "session"))
        {
            parser_fail(p, RTC_E_PROFILE_INVALID_SESSION);  /* only inside <sipsrv> */
            p->skip_depth++;
        }
        else
            p->skip_depth++;     /* <accesscontrol>, <policy> and unknown elements */
        return;
    case EL_SIPSRV:
        if (token_equal(name, "session"))
        {
            push(p, EL_SESSION);
            start_session(p, names, values);
        }
        else
            p->skip_depth++;
        return;
    case EL_CLIENT:
    case EL_PROVIDER:
        if ((id = field_lookup(p->stack[p->depth - 1], name)) == FIELD_NONE)
        {
            p->skip_depth++;
            return;
        }
        if (id == FIELD_DATA)
        {
            p->blob_target = field_string(p->data, p->stack[p->depth - 1], id);
            p->blob_depth = 1;
            return;
        }
        p->field_owner = p->stack[p->depth - 1];
        p->field = id;
        g_string_truncate(p->field_text, 0);
        push(p, EL_FIELD);
        return;
    default:
        p->skip_depth++;         /* nothing below <user>, <session> or a value element */
        return;
    }
}

static void on_end_element(GMarkupParseContext *context, const char *name, void *user_data, GError **error)
{
    struct parser *p = user_data;

    if (p->skip_depth)
    {
        p->skip_depth--;
        return;
    }
    if (p->blob_depth)
    {
        if (--p->blob_depth)
            g_string_append_printf(p->blob_markup, "</%s>", name);
        else
            blob_finish(p);
        return;
    }
    if (!p->depth)
        return;
    if (p->stack[--p->depth] == EL_FIELD && SUCCEEDED(p->hr))
        field_set(p, p->field_owner, p->field, p->field_text->str);
}

static void on_text(GMarkupParseContext *context, const char *text, gsize len, void *user_data, GError **error)
{
    struct parser *p = user_data;
    char *escaped;

    if (p->blob_depth)
    {
        g_string_append_len(p->blob_text, text, len);
        escaped = g_markup_escape_text(text, len);
        g_string_append(p->blob_markup, escaped);
        g_free(escaped);
    }
    else if (!p->skip_depth && p->depth && p->stack[p->depth - 1] == EL_FIELD)
        g_string_append_len(p->field_text, text, len);
}

static const GMarkupParser parser_callbacks =
{
    on_start_element,
    on_end_element,
    on_text,
    NULL,   /* passthrough: comments, processing instructions, DOCTYPE are ignored */
    NULL,
};

/* What only the whole document can tell. */
static HRESULT finish_document(struct parser *p)
{
    struct rtc_profile_data *data = p->data;
    unsigned int i;
    LONG auth = 0;

    if (!p->seen_root)
        return RTC_E_PROFILE_NO_PROVISION;
    if (!p->seen_user)
        return RTC_E_PROFILE_NO_USER;
    if (!p->servers->len)
        return RTC_E_PROFILE_NO_SERVER;

    data->server_count = p->servers->len;
    data->servers = (struct rtc_profile_server *)(void *)g_array_free(p->servers, FALSE);
    p->servers = NULL;
    for (i = 0; i < data->server_count; i++)
    {
        const struct rtc_profile_server *server = &data->servers[i];
        if (server->registrar)
            data->registrar = server;
        else if (!data->proxy)
            data->proxy = server;
        data->session_capabilities |= server->sessions;
    }

    /* user/allowedauth replaces every sipsrv/auth (SIP Server Settings, ms776002). Without
     * it, a UDP server's own non-Digest method is a defect of that server tag. */
    if (!data->allowed_auth_given)
    {
        for (i = 0; i < data->server_count; i++)
        {
            if (data->servers[i].transport == RTCTR_UDP && (data->servers[i].auth & ~RTCAU_DIGEST))
                return RTC_E_PROFILE_INVALID_SERVER_AUTHMETHOD;
            auth |= data->servers[i].auth;
        }
        /* Neither allowedauth nor auth: Windows assumes NTLM | Kerberos, which this
         * library has no use for; Digest is what it answers challenges with. */
        data->allowed_auth = auth ? auth : RTCAU_DIGEST;
    }
    return rtc_profile_check_auth(data, data->allowed_auth);
}

HRESULT rtc_provisioning_parse(const char *utf8, struct rtc_profile_data *data)
{
    struct parser p = { 0 };
    GMarkupParseContext *context;
    GError *error = NULL;
    BOOL well_formed;
    HRESULT hr;

    p.data = data;
    p.hr = S_OK;
    p.servers = g_array_new(FALSE, TRUE, sizeof(struct rtc_profile_server));
    p.field_text = g_string_new(NULL);
    p.blob_text = g_string_new(NULL);
    p.blob_markup = g_string_new(NULL);

    context = g_markup_parse_context_new(&parser_callbacks, G_MARKUP_TREAT_CDATA_AS_TEXT, &p, NULL);
    well_formed = g_markup_parse_context_parse(context, utf8, -1, &error)
                  && g_markup_parse_context_end_parse(context, &error);
    if (!well_formed && g_error_matches(error, G_MARKUP_ERROR, G_MARKUP_ERROR_EMPTY))
        hr = RTC_E_PROFILE_NO_PROVISION;   /* nothing but white space, comments, prolog */
    else if (!well_formed)
    {
        g_debug("profile XML: %s", error ? error->message : "not well-formed");
        hr = RTC_E_MALFORMED_XML;
    }
    else if (FAILED(p.hr))
        hr = p.hr;
    else
        hr = finish_document(&p);
    g_clear_error(&error);
    g_markup_parse_context_free(context);

    if (p.servers)
    {
        unsigned int i;
        for (i = 0; i < p.servers->len; i++)
            server_clear(&g_array_index(p.servers, struct rtc_profile_server, i));
        g_array_free(p.servers, TRUE);
    }
    g_string_free(p.field_text, TRUE);
    g_string_free(p.blob_text, TRUE);
    g_string_free(p.blob_markup, TRUE);
    return hr;
}
