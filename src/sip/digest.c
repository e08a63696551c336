/*
 * HTTP Digest authentication for SIP (RFC 2617, RFC 7616).
 */
#include <string.h>

#include "digest.h"
#include "platform.h"

G_DEFINE_QUARK(rtcshim-sip-digest-error-quark, sip_digest_error)

static const char *const algorithm_names[] = { "MD5", "MD5-sess", "SHA-256", "SHA-256-sess" };

const char *sip_digest_algorithm_name(enum sip_digest_algorithm algorithm)
{
    if ((guint)algorithm >= G_N_ELEMENTS(algorithm_names)) return NULL;
    return algorithm_names[algorithm];
}

static gboolean parse_algorithm(const char *name, enum sip_digest_algorithm *algorithm)
{
    guint i;

    for (i = 0; i < G_N_ELEMENTS(algorithm_names); i++)
    {
        if (!g_ascii_strcasecmp(name, algorithm_names[i]))
        {
            *algorithm = i;
            return TRUE;
        }
    }
    return FALSE;
}

static gboolean is_token_char(char c)
{
    return g_ascii_isalnum(c) || (c && strchr("-.!%*_+`'~", c));
}

/* Parses `"Digest" 1*LWS auth-param *("," auth-param)` into a table of
 * lower-cased names to unquoted values; the first of a repeated name wins. */
static GHashTable *parse_auth_params(const char *value, GError **error)
{
    GHashTable *params;
    const char *p = value, *start;

    if (!value)
    {
        g_set_error_literal(error, SIP_DIGEST_ERROR, SIP_DIGEST_ERROR_INVALID, "Missing header value");
        return NULL;
    }
    while (g_ascii_isspace(*p)) p++;
    for (start = p; is_token_char(*p); p++);
    if (p - start != 6 || g_ascii_strncasecmp(start, "Digest", 6) || (*p && !g_ascii_isspace(*p)))
    {
        g_set_error_literal(error, SIP_DIGEST_ERROR, SIP_DIGEST_ERROR_UNSUPPORTED,
                            "Not a Digest authentication header");
        return NULL;
    }

    params = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    for (;;)
    {
        char *name;
        GString *v;

        while (g_ascii_isspace(*p) || *p == ',') p++;
        if (!*p) break;

        for (start = p; is_token_char(*p); p++);
        if (p == start) goto malformed;
        name = g_ascii_strdown(start, p - start);
        while (g_ascii_isspace(*p)) p++;
        if (*p != '=')
        {
            g_free(name);
            goto malformed;
        }
        for (p++; g_ascii_isspace(*p); p++);

        v = g_string_new(NULL);
        if (*p == '"')
        {
            for (p++; *p && *p != '"'; p++)
            {
                if (*p == '\\' && p[1]) p++;
                g_string_append_c(v, *p);
            }
            if (*p != '"')
            {
                g_string_free(v, TRUE);
                g_free(name);
                goto malformed;
            }
            p++;
        }
        else
        {
            /* Lenient: some servers send unquoted nonces with '/' or '='. */
            for (; *p && *p != ',' && !g_ascii_isspace(*p) && *p != '"'; p++)
                g_string_append_c(v, *p);
        }
        while (g_ascii_isspace(*p)) p++;
        if (*p && *p != ',')
        {
            g_string_free(v, TRUE);
            g_free(name);
            goto malformed;
        }
        if (g_hash_table_contains(params, name))
        {
            g_string_free(v, TRUE);
            g_free(name);
        }
        else
            g_hash_table_insert(params, name, g_string_free(v, FALSE));
    }
    return params;

malformed:
    g_hash_table_unref(params);
    g_set_error_literal(error, SIP_DIGEST_ERROR, SIP_DIGEST_ERROR_INVALID, "Malformed Digest header");
    return NULL;
}

static char *take_param(GHashTable *params, const char *name)
{
    gpointer key = NULL, value = NULL;

    if (g_hash_table_steal_extended(params, name, &key, &value)) g_free(key);
    return value;
}

gboolean sip_digest_challenge_parse(const char *value, struct sip_digest_challenge *challenge,
                                    GError **error)
{
    GHashTable *params;
    const char *algorithm, *qop, *stale;

    memset(challenge, 0, sizeof(*challenge));
    if (!(params = parse_auth_params(value, error))) return FALSE;

    algorithm = g_hash_table_lookup(params, "algorithm");
    if (algorithm && !parse_algorithm(algorithm, &challenge->algorithm))
    {
        g_set_error(error, SIP_DIGEST_ERROR, SIP_DIGEST_ERROR_UNSUPPORTED,
                    "Unsupported Digest algorithm %s", algorithm);
        g_hash_table_unref(params);
        return FALSE;
    }
    if (!g_hash_table_lookup(params, "realm") || !g_hash_table_lookup(params, "nonce")
            || !*(const char *)g_hash_table_lookup(params, "nonce"))
    {
        g_set_error_literal(error, SIP_DIGEST_ERROR, SIP_DIGEST_ERROR_INVALID,
                            "Digest challenge without realm or nonce");
        g_hash_table_unref(params);
        return FALSE;
    }

    if ((qop = g_hash_table_lookup(params, "qop")))
    {
        char **options = g_strsplit(qop, ",", -1);
        guint i;

        challenge->qop_present = TRUE;
        for (i = 0; options[i]; i++)
        {
            g_strstrip(options[i]);
            if (!g_ascii_strcasecmp(options[i], "auth")) challenge->qop_auth = TRUE;
            else if (!g_ascii_strcasecmp(options[i], "auth-int")) challenge->qop_auth_int = TRUE;
        }
        g_strfreev(options);
    }
    if ((stale = g_hash_table_lookup(params, "stale")) && !g_ascii_strcasecmp(stale, "true"))
        challenge->stale = TRUE;

    challenge->realm = take_param(params, "realm");
    challenge->nonce = take_param(params, "nonce");
    challenge->opaque = take_param(params, "opaque");
    g_hash_table_unref(params);
    return TRUE;
}

void sip_digest_challenge_clear(struct sip_digest_challenge *challenge)
{
    if (!challenge) return;
    g_free(challenge->realm);
    g_free(challenge->nonce);
    g_free(challenge->opaque);
    memset(challenge, 0, sizeof(*challenge));
}

#define DIGEST_PREFIX "Digest "

/* Appends ", name=\"value\"" with '"' and '\' escaped (quoted-pair); no
 * comma for the first parameter, right after DIGEST_PREFIX. */
static void append_quoted(GString *out, const char *name, const char *value)
{
    const char *p;

    g_string_append_printf(out, "%s%s=\"", out->len > strlen(DIGEST_PREFIX) ? ", " : "", name);
    for (p = value; *p; p++)
    {
        if (*p == '"' || *p == '\\') g_string_append_c(out, '\\');
        g_string_append_c(out, *p);
    }
    g_string_append_c(out, '"');
}

char *sip_digest_challenge_build(const char *realm, const char *nonce, const char *opaque,
                                 enum sip_digest_algorithm algorithm, gboolean qop_auth,
                                 gboolean stale)
{
    GString *out;

    if (!realm || !nonce || !sip_digest_algorithm_name(algorithm)) return NULL;
    out = g_string_new(DIGEST_PREFIX);
    append_quoted(out, "realm", realm);
    append_quoted(out, "nonce", nonce);
    if (opaque) append_quoted(out, "opaque", opaque);
    g_string_append_printf(out, ", algorithm=%s", sip_digest_algorithm_name(algorithm));
    if (qop_auth) g_string_append(out, ", qop=\"auth\"");
    if (stale) g_string_append(out, ", stale=TRUE");
    return g_string_free(out, FALSE);
}

static char *hash_join(GChecksumType type, const char *const *parts)
{
    GChecksum *checksum = g_checksum_new(type);
    char *ret;
    guint i;

    for (i = 0; parts[i]; i++)
    {
        if (i) g_checksum_update(checksum, (const guchar *)":", 1);
        g_checksum_update(checksum, (const guchar *)parts[i], strlen(parts[i]));
    }
    ret = g_strdup(g_checksum_get_string(checksum));
    g_checksum_free(checksum);
    return ret;
}

static gboolean is_sess(enum sip_digest_algorithm algorithm)
{
    return algorithm == SIP_DIGEST_MD5_SESS || algorithm == SIP_DIGEST_SHA256_SESS;
}

char *sip_digest_compute_response(enum sip_digest_algorithm algorithm, const char *username,
                                  const char *realm, const char *password, const char *method,
                                  const char *uri, const char *nonce, const char *qop,
                                  const char *nc, const char *cnonce)
{
    GChecksumType type;
    char *ha1, *ha2, *response;

    if (!sip_digest_algorithm_name(algorithm) || !username || !realm || !password || !method
            || !uri || !nonce)
        return NULL;
    if (qop && (g_ascii_strcasecmp(qop, "auth") || !nc || !cnonce)) return NULL;
    if (is_sess(algorithm) && !cnonce) return NULL;
    type = algorithm <= SIP_DIGEST_MD5_SESS ? G_CHECKSUM_MD5 : G_CHECKSUM_SHA256;

    ha1 = hash_join(type, (const char *[]){ username, realm, password, NULL });
    if (is_sess(algorithm))
    {
        char *sess = hash_join(type, (const char *[]){ ha1, nonce, cnonce, NULL });

        g_free(ha1);
        ha1 = sess;
    }
    ha2 = hash_join(type, (const char *[]){ method, uri, NULL });
    if (qop)
        response = hash_join(type, (const char *[]){ ha1, nonce, nc, cnonce, "auth", ha2, NULL });
    else
        response = hash_join(type, (const char *[]){ ha1, nonce, ha2, NULL });
    g_free(ha1);
    g_free(ha2);
    return response;
}

char *sip_digest_random_nonce(void)
{
    static const char hex[] = "0123456789abcdef";
    guint8 bytes[16];
    char *ret;
    guint i;

    if (!sip_random_bytes(bytes, sizeof(bytes)))
        for (i = 0; i < sizeof(bytes); i++) bytes[i] = g_random_int_range(0, 256);

    ret = g_malloc(sizeof(bytes) * 2 + 1);
    for (i = 0; i < sizeof(bytes); i++)
    {
        ret[2 * i] = hex[bytes[i] >> 4];
        ret[2 * i + 1] = hex[bytes[i] & 15];
    }
    ret[sizeof(bytes) * 2] = 0;
    return ret;
}

char *sip_digest_build_authorization(const struct sip_digest_challenge *challenge,
                                     const char *username, const char *password,
                                     const char *method, const char *uri, guint32 nc,
                                     const char *cnonce, GError **error)
{
    char nc_text[9], *own_cnonce = NULL, *response;
    gboolean use_qop;
    GString *out;

    if (!challenge || !challenge->realm || !challenge->nonce || !username || !password
            || !method || !uri)
    {
        g_set_error_literal(error, SIP_DIGEST_ERROR, SIP_DIGEST_ERROR_INVALID, "Missing Digest input");
        return NULL;
    }
    if (challenge->qop_present && !challenge->qop_auth)
    {
        g_set_error_literal(error, SIP_DIGEST_ERROR, SIP_DIGEST_ERROR_UNSUPPORTED,
                            "Digest challenge offers no supported qop");
        return NULL;
    }
    use_qop = challenge->qop_auth;
    if (!cnonce && (use_qop || is_sess(challenge->algorithm)))
        cnonce = own_cnonce = sip_digest_random_nonce();
    g_snprintf(nc_text, sizeof(nc_text), "%08x", nc);

    response = sip_digest_compute_response(challenge->algorithm, username, challenge->realm,
                                           password, method, uri, challenge->nonce,
                                           use_qop ? "auth" : NULL, nc_text, cnonce);
    if (!response)
    {
        g_set_error_literal(error, SIP_DIGEST_ERROR, SIP_DIGEST_ERROR_INVALID, "Cannot compute Digest response");
        g_free(own_cnonce);
        return NULL;
    }

    out = g_string_new(DIGEST_PREFIX);
    append_quoted(out, "username", username);
    append_quoted(out, "realm", challenge->realm);
    append_quoted(out, "nonce", challenge->nonce);
    append_quoted(out, "uri", uri);
    append_quoted(out, "response", response);
    g_string_append_printf(out, ", algorithm=%s", sip_digest_algorithm_name(challenge->algorithm));
    if (cnonce && (use_qop || is_sess(challenge->algorithm))) append_quoted(out, "cnonce", cnonce);
    if (challenge->opaque) append_quoted(out, "opaque", challenge->opaque);
    if (use_qop) g_string_append_printf(out, ", qop=auth, nc=%s", nc_text);

    g_free(response);
    g_free(own_cnonce);
    return g_string_free(out, FALSE);
}

gboolean sip_digest_credentials_parse(const char *value, struct sip_digest_credentials *credentials,
                                      GError **error)
{
    GHashTable *params;
    const char *algorithm;

    memset(credentials, 0, sizeof(*credentials));
    if (!(params = parse_auth_params(value, error))) return FALSE;

    algorithm = g_hash_table_lookup(params, "algorithm");
    if (algorithm && !parse_algorithm(algorithm, &credentials->algorithm))
    {
        g_set_error(error, SIP_DIGEST_ERROR, SIP_DIGEST_ERROR_UNSUPPORTED,
                    "Unsupported Digest algorithm %s", algorithm);
        g_hash_table_unref(params);
        return FALSE;
    }

    credentials->username = take_param(params, "username");
    credentials->realm = take_param(params, "realm");
    credentials->nonce = take_param(params, "nonce");
    credentials->uri = take_param(params, "uri");
    credentials->response = take_param(params, "response");
    credentials->opaque = take_param(params, "opaque");
    credentials->cnonce = take_param(params, "cnonce");
    credentials->nc = take_param(params, "nc");
    credentials->qop = take_param(params, "qop");
    g_hash_table_unref(params);

    if (!credentials->username || !credentials->realm || !credentials->nonce
            || !credentials->uri || !credentials->response
            || (credentials->qop && (!credentials->cnonce || !credentials->nc)))
    {
        g_set_error_literal(error, SIP_DIGEST_ERROR, SIP_DIGEST_ERROR_INVALID,
                            "Digest credentials miss a required parameter");
        sip_digest_credentials_clear(credentials);
        return FALSE;
    }
    return TRUE;
}

void sip_digest_credentials_clear(struct sip_digest_credentials *credentials)
{
    if (!credentials) return;
    g_free(credentials->username);
    g_free(credentials->realm);
    g_free(credentials->nonce);
    g_free(credentials->uri);
    g_free(credentials->response);
    g_free(credentials->opaque);
    g_free(credentials->cnonce);
    g_free(credentials->nc);
    g_free(credentials->qop);
    memset(credentials, 0, sizeof(*credentials));
}

gboolean sip_digest_credentials_verify(const struct sip_digest_credentials *credentials,
                                       const char *password, const char *method)
{
    char *expected;
    guint diff = 0;
    gsize i, len;

    if (!credentials || !credentials->response) return FALSE;
    expected = sip_digest_compute_response(credentials->algorithm, credentials->username,
                                           credentials->realm, password, method, credentials->uri,
                                           credentials->nonce, credentials->qop, credentials->nc,
                                           credentials->cnonce);
    if (!expected) return FALSE;

    /* Compare without an early exit so timing says nothing about the digest. */
    len = strlen(expected);
    if (strlen(credentials->response) != len) diff = 1;
    else
        for (i = 0; i < len; i++)
            diff |= (guint)(g_ascii_tolower(credentials->response[i]) ^ expected[i]);
    g_free(expected);
    return !diff;
}

gboolean sip_digest_verify(const char *authorization, const char *password, const char *method,
                           GError **error)
{
    struct sip_digest_credentials credentials;
    gboolean ret;

    if (!sip_digest_credentials_parse(authorization, &credentials, error)) return FALSE;
    ret = sip_digest_credentials_verify(&credentials, password, method);
    sip_digest_credentials_clear(&credentials);
    return ret;
}
