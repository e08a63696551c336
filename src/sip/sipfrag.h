/*
 * message/sipfrag bodies (RFC 3420) as used by REFER's NOTIFYs (RFC 3515),
 * default reason phrases, and the Subscription-State header (RFC 6665).
 *
 * Self-contained: plain C strings and GLib types only.
 */
#ifndef RTCSHIM_SIP_SIPFRAG_H
#define RTCSHIM_SIP_SIPFRAG_H

#include <glib.h>

G_BEGIN_DECLS

/* The Content-Type of a NOTIFY body for the "refer" event package. */
#define SIP_SIPFRAG_CONTENT_TYPE "message/sipfrag;version=2.0"

#define SIP_SIPFRAG_ERROR (sip_sipfrag_error_quark())
GQuark sip_sipfrag_error_quark(void);

enum sip_sipfrag_error
{
    SIP_SIPFRAG_ERROR_INVALID,      /* not a usable sipfrag / header value */
};

/* Default reason phrase for a status code: the phrase RFC 3261 (or the
 * extension defining the code) gives, a generic phrase for the class otherwise
 * ("Client Error" for an unknown 4xx). NULL when code is outside 100..699. */
const char *sip_reason_phrase(guint code);

/* Builds "SIP/2.0 <code> <reason>\r\n" (always ending in CRLF: strict peers
 * reject a sipfrag without it). reason NULL or "" takes sip_reason_phrase().
 * Returns NULL if code is outside 100..699 or reason holds a control
 * character other than HTAB (CR/LF would split the line). g_free() it. */
char *sip_sipfrag_build(guint code, const char *reason);

/* Parses a received sipfrag body; length -1 means NUL-terminated.
 * Only the status line is read: leading whitespace or blank lines, a missing
 * CRLF, trailing headers and a body are tolerated, "SIP/2.0" is matched
 * case-insensitively. A request line or anything else fails with
 * SIP_SIPFRAG_ERROR_INVALID. On success *code is 100..699 and *reason
 * (optional, g_free) is the phrase, "" when the peer sent none. */
gboolean sip_sipfrag_parse(const char *body, gssize length, guint *code,
                           char **reason, GError **error);

/* Subscription-State: substate-value *( ";" subexp-params ) */
enum sip_substate
{
    SIP_SUBSTATE_ACTIVE,
    SIP_SUBSTATE_PENDING,
    SIP_SUBSTATE_TERMINATED,
    SIP_SUBSTATE_EXTENSION,     /* an extension-substate; see state_name.
                                   RFC 6665 gives it no meaning: callers
                                   should treat it like "pending". */
};

struct sip_subscription_state
{
    enum sip_substate state;
    char *state_name;           /* the substate token as received (lower-cased) */
    char *reason;               /* event-reason-value (lower-cased), NULL when absent */
    gint64 expires;             /* delta-seconds, -1 when absent */
    gint64 retry_after;         /* delta-seconds, -1 when absent */
};

/* Parses a Subscription-State header value ("terminated;reason=noresource").
 * Parameter names and the state are case-insensitive, whitespace around ';'
 * and '=' is allowed, unknown parameters are ignored, and so are expires or
 * retry-after values that are not numbers (values above 2^32-1 are clamped,
 * RFC 3261 §8.1.1.4 style). linphone's "reason=reason=noresource" gives
 * reason "noresource". An empty value or a state that is not a token fails.
 * Free with sip_subscription_state_clear(). */
gboolean sip_subscription_state_parse(const char *value,
                                      struct sip_subscription_state *state,
                                      GError **error);
void sip_subscription_state_clear(struct sip_subscription_state *state);

/* Builds a header value: "active;expires=60", "terminated;reason=noresource",
 * "terminated;reason=timeout;retry-after=30". expires/retry_after < 0 and
 * reason NULL are left out; state_name is only read for SIP_SUBSTATE_EXTENSION.
 * Returns NULL for an extension state without a name. g_free() the result. */
char *sip_subscription_state_build(const struct sip_subscription_state *state);

G_END_DECLS

#endif /* RTCSHIM_SIP_SIPFRAG_H */
