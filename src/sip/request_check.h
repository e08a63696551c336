/*
 * Checking received requests before any transaction user sees them
 * (RFC 3261 §8.2, §16.3 step 3, §18.3), and answering those libosip2 could
 * not parse at all.
 *
 * Internal to the engine. The verdicts, in the order they are checked:
 *   400  a mandatory header missing (Via, From, To, Call-ID, CSeq), a bad
 *        CSeq, a CSeq method that differs from the request's, a bad
 *        Max-Forwards, a Content-Length longer than the body, two or more
 *        Replaces headers or one on a request other than INVITE (RFC 3891 §3);
 *   505  a SIP version other than 2.0;
 *   483  Max-Forwards: 0;
 *   416  a Request-URI scheme other than sip/sips;
 *   405  a known method we do not do (with Allow); 501 an unknown one;
 *   420  a Require option tag we do not support (with Unsupported).
 * ACK never gets a response; CANCEL's Require is not looked at.
 */
#ifndef RTCSHIM_SIP_REQUEST_CHECK_H
#define RTCSHIM_SIP_REQUEST_CHECK_H

#include <osipparser2/osip_parser.h>
#include <glib.h>

G_BEGIN_DECLS

/* What this user agent does, as header values. */
#define SIP_ALLOWED_METHODS "INVITE, ACK, CANCEL, BYE, OPTIONS, MESSAGE, INFO, REFER, NOTIFY, SUBSCRIBE"
#define SIP_SUPPORTED_OPTIONS "replaces, norefersub"
#define SIP_ACCEPTED_TYPES "application/sdp, text/plain, message/sipfrag, application/pidf+xml, application/watcherinfo+xml"

struct sip_request_verdict
{
    guint code;                 /* 0: the request is acceptable */
    char *reason;               /* the reason phrase to answer with */
    char *header_name;          /* an extra header for the answer (Allow, Unsupported), or NULL */
    char *header_value;
    gboolean stateless;         /* too broken for a transaction: answer statelessly */
};

/* Checks a request libosip2 parsed. raw_body_length is the number of bytes
 * that followed the header section on the wire (Content-Length must not
 * exceed it). Clear the verdict with sip_request_verdict_clear(). */
void sip_request_check(const osip_message_t *request, gsize raw_body_length, struct sip_request_verdict *verdict);
void sip_request_verdict_clear(struct sip_request_verdict *verdict);

/* TRUE if value (a comma-separated header value such as SIP_ALLOWED_METHODS)
 * lists token, compared case-insensitively. */
gboolean sip_token_list_contains(const char *list, const char *token);

/* A 400 for a request libosip2 could not parse, built from the raw text:
 * the Via, From, To (with to_tag added if it has none), Call-ID and CSeq
 * lines are copied, and the reason names the first header that does not
 * parse ("Malformed From Header"). NULL when the text is not a request, is
 * an ACK, or has no Via (nowhere to answer). g_free() the result. */
char *sip_request_build_rejection(const char *data, gsize length, const char *to_tag, const char *server,
                                  gsize *response_length);

G_END_DECLS

#endif /* RTCSHIM_SIP_REQUEST_CHECK_H */
