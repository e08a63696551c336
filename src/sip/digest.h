/*
 * HTTP Digest authentication for SIP (RFC 2617, RFC 7616, RFC 8760):
 * challenges, responses and the Authorization header, on both sides.
 *
 * Supported: algorithms MD5, MD5-sess, SHA-256, SHA-256-sess; qop "auth" or
 * no qop (RFC 2069 style). Not supported: qop "auth-int", SHA-512-256,
 * userhash and username* (RFC 7616 §3.4.4).
 */
#ifndef RTCSHIM_SIP_DIGEST_H
#define RTCSHIM_SIP_DIGEST_H

#include <glib.h>

G_BEGIN_DECLS

#define SIP_DIGEST_ERROR (sip_digest_error_quark())
GQuark sip_digest_error_quark(void);

enum sip_digest_error
{
    SIP_DIGEST_ERROR_INVALID,       /* malformed header, missing realm/nonce/... */
    SIP_DIGEST_ERROR_UNSUPPORTED,   /* not Digest, unknown algorithm, only auth-int */
};

enum sip_digest_algorithm
{
    SIP_DIGEST_MD5,
    SIP_DIGEST_MD5_SESS,
    SIP_DIGEST_SHA256,
    SIP_DIGEST_SHA256_SESS,
};

/* A WWW-Authenticate / Proxy-Authenticate challenge. */
struct sip_digest_challenge
{
    char *realm;
    char *nonce;
    char *opaque;                   /* NULL when absent */
    enum sip_digest_algorithm algorithm;    /* MD5 when absent */
    gboolean qop_auth;              /* "auth" is in the qop list */
    gboolean qop_auth_int;          /* "auth-int" is in the qop list */
    gboolean qop_present;           /* the challenge had a qop parameter */
    gboolean stale;
};

/* Received credentials: an Authorization / Proxy-Authorization value. */
struct sip_digest_credentials
{
    char *username;
    char *realm;
    char *nonce;
    char *uri;
    char *response;
    char *opaque;                   /* optional fields are NULL when absent */
    char *cnonce;
    char *nc;                       /* as sent: 8 hex digits */
    char *qop;
    enum sip_digest_algorithm algorithm;
};

/* "MD5", "MD5-sess", "SHA-256", "SHA-256-sess" */
const char *sip_digest_algorithm_name(enum sip_digest_algorithm algorithm);

/* Parses a challenge value ("Digest realm=\"x\", nonce=\"y\", ..."): auth-params
 * in any order, token or quoted-string values, names and the scheme
 * case-insensitive. Fails with UNSUPPORTED for another scheme or algorithm,
 * with INVALID for a malformed value or no realm/nonce. Free with
 * sip_digest_challenge_clear(). */
gboolean sip_digest_challenge_parse(const char *value, struct sip_digest_challenge *challenge,
                                    GError **error);
void sip_digest_challenge_clear(struct sip_digest_challenge *challenge);

/* Builds a challenge value, for a registrar or a test server:
 * Digest realm="r", nonce="n"[, opaque="o"], algorithm=A[, qop="auth"][, stale=TRUE].
 * g_free() the result. */
char *sip_digest_challenge_build(const char *realm, const char *nonce, const char *opaque,
                                 enum sip_digest_algorithm algorithm, gboolean qop_auth,
                                 gboolean stale);

/* The request-digest as lower-case hex. qop NULL means RFC 2069 style (nc and
 * cnonce unused unless the algorithm is -sess, which always needs cnonce);
 * otherwise qop must be "auth" and nc (8 hex digits) and cnonce are needed.
 * NULL on missing input. g_free() the result. */
char *sip_digest_compute_response(enum sip_digest_algorithm algorithm, const char *username,
                                  const char *realm, const char *password, const char *method,
                                  const char *uri, const char *nonce, const char *qop,
                                  const char *nc, const char *cnonce);

/* Answers a challenge with an Authorization / Proxy-Authorization value:
 * Digest username="u", realm="r", nonce="n", uri="sip:x", response="...",
 * algorithm=A[, cnonce="c"][, opaque="o"][, qop=auth, nc=00000001].
 * qop=auth is used when the challenge offers it; a challenge offering only
 * auth-int fails with UNSUPPORTED. nc is the nonce count (1 for the first
 * request with this nonce); cnonce NULL makes a random one.
 * g_free() the result. */
char *sip_digest_build_authorization(const struct sip_digest_challenge *challenge,
                                     const char *username, const char *password,
                                     const char *method, const char *uri, guint32 nc,
                                     const char *cnonce, GError **error);

/* Parses an Authorization value. username, realm, nonce, uri and response
 * are required; qop=auth needs cnonce and nc. Free with
 * sip_digest_credentials_clear(). */
gboolean sip_digest_credentials_parse(const char *value, struct sip_digest_credentials *credentials,
                                      GError **error);
void sip_digest_credentials_clear(struct sip_digest_credentials *credentials);

/* Server side: TRUE if the credentials' response is right for password and
 * method (computed over the credentials' own realm, nonce, uri, ...). The
 * caller still checks that realm, nonce (freshness, nc replay) and uri are the
 * ones it expects. */
gboolean sip_digest_credentials_verify(const struct sip_digest_credentials *credentials,
                                       const char *password, const char *method);

/* Parses and verifies in one go; FALSE (with error set only for a malformed
 * header) if not valid. */
gboolean sip_digest_verify(const char *authorization, const char *password, const char *method,
                           GError **error);

/* A fresh random value for a nonce or cnonce: 32 lower-case hex digits.
 * g_free() the result. */
char *sip_digest_random_nonce(void);

G_END_DECLS

#endif /* RTCSHIM_SIP_DIGEST_H */
