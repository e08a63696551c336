/*
 * The identity of a SIP server's TLS certificate (tls_identity.c), per
 * RFC 5922 §7.1-7.2: the SIP domain identities are the certificate's
 * subjectAltName URIs of scheme sip without a user part; without any, its
 * subjectAltName DNS names; without a subjectAltName extension at all, the
 * most specific Common Name. A domain matches an identity when they are
 * equal, ignoring case and one trailing dot; wildcards never match.
 *
 * Pure functions over the certificate's DER bytes; no GIO, no TLS library,
 * so the same code serves every TLS backend.
 */
#ifndef RTCSHIM_SIP_TLS_IDENTITY_H
#define RTCSHIM_SIP_TLS_IDENTITY_H

#include <glib.h>

G_BEGIN_DECLS

/* TRUE if the X.509 certificate (DER) names domain. *identities (optional,
 * g_free) gets what it names, for a log line: "URI:sip:example.com
 * DNS:sip.example.com", "CN:host", or "(none)"; "(unreadable)" when the
 * DER cannot be parsed (which never matches). */
gboolean sip_tls_certificate_names_domain(const guint8 *der, gsize length, const char *domain, char **identities);

G_END_DECLS

#endif /* RTCSHIM_SIP_TLS_IDENTITY_H */
