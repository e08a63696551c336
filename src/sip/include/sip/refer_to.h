/*
 * Refer-To (RFC 3515) values, the URI header part they can carry
 * ("?Replaces=...&X-Foo=bar", RFC 3261 §19.1.1) and the jambonz-style
 * mapping of a bare number or user to a SIP URI.
 *
 * Embedded headers ask the transferee to put them on its new INVITE
 * (RFC 3261 §19.1.5). sip_uri_header_classify() sorts them:
 *  - RESERVED (the REFER fails with 400, as Restcomm does): the headers that
 *    identify or route a dialog or frame the message, which §19.1.5 calls
 *    dangerous or which the new INVITE must build itself: Call-ID (i), CSeq,
 *    Via (v), From (f), To (t), Route, Record-Route, Contact (m),
 *    Max-Forwards, Content-Length (l), Content-Type (c);
 *  - IGNORE (accepted, not copied): the headers §19.1.5 says would make the
 *    transferee misstate its capabilities or need checking: Accept,
 *    Accept-Encoding, Accept-Language, Allow, Supported (k), User-Agent,
 *    Organization, Content-Disposition, Content-Encoding (e),
 *    Content-Language, Date, MIME-Version, Timestamp, Authorization,
 *    Proxy-Authorization, and the "body" pseudo-header (the INVITE's body is
 *    our SDP);
 *  - COPY: everything else (Replaces, Require, Subject, X-..., ...).
 * Names are compared case-insensitively, compact forms included. That is
 * the rule for a URI the application itself gives (a target with headers).
 *
 * A Refer-To received in a REFER is someone else's: its COPY headers are
 * passed on to the new INVITE only by allow-list,
 * sip_refer_to_header_allowed(): Replaces (RFC 3891), Accept-Contact (a) and
 * Reject-Contact (j) (RFC 3841), Subject (s), names the layer above adds
 * (the RTC refer cookie), and X- headers only when the layer above opts in.
 * Everything else (P-Asserted-Identity, Require, Alert-Info, Priority,
 * Referred-By, ...) is dropped: the transferor must not write trust,
 * capability or ringing headers into a request we send.
 */
#ifndef RTCSHIM_SIP_REFER_TO_H
#define RTCSHIM_SIP_REFER_TO_H

#include <glib.h>

G_BEGIN_DECLS

#define SIP_REFER_TO_ERROR (sip_refer_to_error_quark())
GQuark sip_refer_to_error_quark(void);

/* All of them mean "400 Bad Request" to a REFER; the GError message is short
 * and printable, fit for the reason phrase. */
enum sip_refer_to_error
{
    SIP_REFER_TO_ERROR_INVALID,             /* malformed value, URI or escape */
    SIP_REFER_TO_ERROR_UNSUPPORTED_SCHEME,  /* not sip:, sips: or tel: */
    SIP_REFER_TO_ERROR_RESERVED_HEADER,     /* embeds a RESERVED header */
};

enum sip_uri_header_use
{
    SIP_URI_HEADER_COPY,
    SIP_URI_HEADER_IGNORE,
    SIP_URI_HEADER_RESERVED,
};

/* One embedded header, unescaped. */
struct sip_uri_header
{
    char *name;
    char *value;
};

struct sip_refer_to
{
    char *display_name;     /* unquoted; NULL when none */
    char *uri;              /* the target URI without its header part */
    GPtrArray *headers;     /* struct sip_uri_header *, in order; owns them */
};

/* %-escapes s for an hname or hvalue: everything but unreserved and
 * hnv-unreserved ("[]/?:+$") characters, so ';' '=' '@' '&' '%' ' ' become
 * %3B %3D %40 %26 %25 %20. g_free() the result. */
char *sip_uri_header_escape(const char *s);

/* Undoes sip_uri_header_escape(); '+' stays '+'. A '%' not followed by two
 * hex digits, or an escape that yields NUL, fails (NULL with
 * SIP_REFER_TO_ERROR_INVALID). g_free() the result. */
char *sip_uri_header_unescape(const char *s, GError **error);

/* Classifies an embedded header name, see the top of this file. */
enum sip_uri_header_use sip_uri_header_classify(const char *name);

/* Whether a COPY header embedded in a received Refer-To is passed on to the
 * new INVITE (see the top of this file): the built-in allow-list, the names
 * in extra (NULL-terminated, may be NULL; case-insensitive) and, when
 * allow_private, any name starting with "X-". */
gboolean sip_refer_to_header_allowed(const char *name, const char *const *extra, gboolean allow_private);

/* "uri?name=value&..." with every name and value escaped as
 * sip_uri_header_escape() does, no brackets; headers holds struct
 * sip_uri_header * (NULL or empty: uri alone). g_free() the result. */
char *sip_uri_with_headers(const char *uri, const GPtrArray *headers);

/* Builds a Refer-To value "<uri>" from a sip:, sips: or tel: URI that may
 * carry "?hname=hvalue&..." headers, given raw ("?Replaces=a@b;to-tag=1;...")
 * or already escaped: valid %XX escapes are decoded first, then every hname
 * and hvalue is escaped again, so both inputs give the same result. A URI
 * already in <> is accepted. Fails on a malformed URI, another scheme,
 * headers on a tel: URI or a RESERVED header. g_free() the result. */
char *sip_refer_to_build(const char *uri, GError **error);

/* Turns a transfer target into a URI, as jambonz's referTo does:
 *  "sip:..." / "sips:..." (or in <>)    -> kept as is (checked);
 *  "tel:+1-555-0100;phone-context=x"    -> "sip:+15550100;phone-context=x@domain;user=phone"
 *                                          (visual separators -.() dropped);
 *  "1234", "+49 30 123", "bob"          -> "sip:1234@domain", "sip:+4930123@domain",
 *                                          "sip:bob@domain" (no user=phone: jambonz);
 *  "bob@example.com"                    -> "sip:bob@example.com".
 * domain may carry a port ("example.com:5080"); it is needed unless target
 * names its own host. Other schemes and unusable input fail.
 * g_free() the result. */
char *sip_refer_to_target_to_uri(const char *target, const char *domain, GError **error);

/* Parses a received Refer-To value: "<sip:...?Replaces=...>",
 * "\"Bob\" <sip:bob@x>", "Bob <sip:bob@x>;param" or a bare "sip:bob@x"
 * (baresip sends no brackets; without them the whole value is taken as the
 * URI). Headers are unescaped; values a sloppy peer left unescaped are taken
 * as they are. Fails on a malformed URI, a scheme other than sip/sips/tel or
 * a RESERVED header. On failure *refer_to is left empty. Free with
 * sip_refer_to_clear(). */
gboolean sip_refer_to_parse(const char *value, struct sip_refer_to *refer_to, GError **error);
void sip_refer_to_clear(struct sip_refer_to *refer_to);

/* The value of the first embedded header called name (case-insensitive,
 * compact forms not mapped), or NULL. */
const char *sip_refer_to_get_header(const struct sip_refer_to *refer_to, const char *name);

G_END_DECLS

#endif /* RTCSHIM_SIP_REFER_TO_H */
