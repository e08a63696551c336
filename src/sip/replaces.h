/*
 * The Replaces header (RFC 3891): build, parse, carry inside a Refer-To URI,
 * and decide whether an INVITE with Replaces may take over a dialog.
 */
#ifndef RTCSHIM_SIP_REPLACES_H
#define RTCSHIM_SIP_REPLACES_H

#include <glib.h>

G_BEGIN_DECLS

#define SIP_REPLACES_ERROR (sip_replaces_error_quark())
GQuark sip_replaces_error_quark(void);

enum sip_replaces_error
{
    SIP_REPLACES_ERROR_INVALID,     /* malformed: answer the INVITE with 400 */
};

struct sip_replaces
{
    char *call_id;
    char *to_tag;       /* the local tag of the UA that receives the Replaces */
    char *from_tag;     /* the remote tag at that UA */
    gboolean early_only;
};

/* "call-id;to-tag=X;from-tag=Y[;early-only]". NULL if an argument is
 * missing or empty, or holds characters a header cannot carry (CR, LF,
 * ';', ',', whitespace). g_free() the result. */
char *sip_replaces_build(const char *call_id, const char *to_tag, const char *from_tag,
                         gboolean early_only);

/* Parses a Replaces value: parameters in any order, names case-insensitive,
 * whitespace around ';' and '=' tolerated, unknown parameters ignored.
 * A missing call-id, to-tag or from-tag, or a repeated tag, fails with
 * SIP_REPLACES_ERROR_INVALID. Free with sip_replaces_clear(). */
gboolean sip_replaces_parse(const char *value, struct sip_replaces *replaces, GError **error);
void sip_replaces_clear(struct sip_replaces *replaces);

/* %-escapes a Replaces value for "sip:bob@b?Replaces=<here>" (every ';',
 * '=', '@', ... per RFC 3261 hnv-unreserved). g_free() the result. */
char *sip_replaces_escape(const char *value);

/* The reverse; NULL with SIP_REPLACES_ERROR_INVALID on a bad escape. */
char *sip_replaces_unescape(const char *escaped, GError **error);

enum sip_replaces_match
{
    SIP_REPLACES_MATCH,             /* take over this dialog */
    SIP_REPLACES_NO_MATCH,          /* not this dialog (481 if none matches) */
    SIP_REPLACES_EARLY_NOT_ALLOWED, /* an early dialog we did not initiate: 481 */
    SIP_REPLACES_EARLY_ONLY,        /* confirmed dialog but early-only set: 486 */
};

/* RFC 3891 §3 for one dialog: the Replaces matches when its call-id, to-tag
 * and from-tag equal the dialog's Call-ID, local tag and remote tag (exact,
 * case-sensitive comparison). A matched early dialog may only be replaced
 * if we sent its INVITE (we_are_uac); a matched confirmed dialog may not be
 * when early-only is set. A terminated dialog is the caller's business
 * (RFC 3891 says 603), as is a Replaces matching several dialogs (treat as
 * none) or one not created by INVITE (481). NULL or empty dialog fields
 * never match. */
enum sip_replaces_match sip_replaces_match(const struct sip_replaces *replaces,
                                           const char *call_id, const char *local_tag,
                                           const char *remote_tag, gboolean confirmed,
                                           gboolean we_are_uac);

/* The response code for a result: 0 for SIP_REPLACES_MATCH, 481 or 486. */
guint sip_replaces_match_status(enum sip_replaces_match match);

/* Whether a and b (URIs or name-addrs: "Name" <sip:u@h:p;x>;params) name
 * the same party, for RFC 3891 §7's "the initiator is the user being
 * replaced, or was referred by the other party": same scheme, same user
 * (exact, after unescaping; both absent counts as the same), same host
 * (case-insensitive). The port and the parameters are not compared: a
 * dialog we placed has the port we dialled in its remote URI, a From or
 * Referred-By names the party's address-of-record. FALSE when either does
 * not parse as a sip:/sips: URI. */
gboolean sip_replaces_same_party(const char *a, const char *b);

G_END_DECLS

#endif /* RTCSHIM_SIP_REPLACES_H */
