/*
 * Calls (INVITE sessions, RFC 3261 §13-15) as the API layers see them.
 *
 * Plain C and GLib types only. A struct sip_call is reference counted and
 * opaque. States are enum sip_call_state (sip_engine.h); every change is
 * reported through sip_engine_callbacks.call_state_changed from the main
 * context, never from inside these functions.
 *
 * What the engine does by itself: 100 Trying; ACK for 2xx (and again for
 * each 2xx retransmission); retransmitting our 2xx until the ACK comes
 * (and a BYE if it never does); CANCEL answered 200 + 487; re-INVITE glare
 * (491 and the RFC 3261 §14.1 retry); forks (the first 2xx wins, later ones
 * are ACKed and sent a BYE); SDP offer/answer for audio (PCMU, PCMA,
 * telephone-event; 488 when nothing matches), the peer's re-INVITEs
 * included unless the layer above decides them (call_media_offered).
 */
#ifndef RTCSHIM_SIP_CALL_H
#define RTCSHIM_SIP_CALL_H

#include "sip_engine.h"

G_BEGIN_DECLS

/* Why a call ended; read it after SIP_CALL_STATE_TERMINATED. */
enum sip_call_end_reason
{
    SIP_CALL_END_NONE,              /* not ended */
    SIP_CALL_END_LOCAL_HANGUP,      /* we sent BYE (sip_call_hangup on a connected call) */
    SIP_CALL_END_REMOTE_HANGUP,     /* the peer sent BYE */
    SIP_CALL_END_LOCAL_CANCEL,      /* we cancelled our INVITE */
    SIP_CALL_END_REMOTE_CANCEL,     /* the caller cancelled before we answered */
    SIP_CALL_END_REJECTED,          /* the peer answered 4xx-6xx (status code tells which) */
    SIP_CALL_END_REDIRECTED,        /* the peer answered 3xx: see sip_call_get_redirect_contacts() */
    SIP_CALL_END_DECLINED,          /* we rejected the incoming call (sip_call_reject) */
    SIP_CALL_END_TIMEOUT,           /* no answer (408), or no ACK for our 2xx */
    SIP_CALL_END_TRANSPORT_ERROR,   /* the request could not be sent (503) */
    SIP_CALL_END_DIALOG_GONE,       /* an in-dialog request got 481 or 408 */
};

/* Starts an outgoing call: sends an INVITE with an SDP offer from from (a
 * URI or name-addr, our identity) to to (a sip:/sips: URI; ";transport=tcp"
 * picks TCP; a host name is resolved first, sip_engine.h), through the
 * engine's default outbound proxy if one is set. Returns a new reference;
 * the call is in SIP_CALL_STATE_CALLING. If the request cannot go out later
 * (the name not found, a TCP/TLS connection refused, no answer from any
 * target), the call reports TERMINATED with SIP_CALL_END_TRANSPORT_ERROR
 * (503) or SIP_CALL_END_TIMEOUT (408), and sip_call_get_delivery_failure()
 * says why. */
struct sip_call *sip_call_invite(struct sip_engine *engine, const char *from, const char *to, GError **error);

struct sip_call *sip_call_ref(struct sip_call *call);
void sip_call_unref(struct sip_call *call);

/* Incoming call decisions (state SIP_CALL_STATE_INCOMING, RINGING or
 * EARLY_MEDIA): */
gboolean sip_call_ring(struct sip_call *call, GError **error);       /* 180 Ringing */
gboolean sip_call_progress(struct sip_call *call, GError **error);   /* 183 with the SDP answer */
gboolean sip_call_answer(struct sip_call *call, GError **error);     /* 200 with the SDP answer */
/* Final 3xx-6xx response; reason NULL takes the standard phrase. */
gboolean sip_call_reject(struct sip_call *call, guint status_code, const char *reason, GError **error);

/* Ends the call whatever its state: CANCEL an outgoing call not yet
 * answered, BYE a connected one, 603 Decline an incoming one. The call
 * reports TERMINATED at once; the protocol clean-up (487/ACK, BYE
 * response, a 2xx racing the CANCEL) continues in the background. No-op
 * on a terminated call. */
gboolean sip_call_hangup(struct sip_call *call, GError **error);

/* Hold and resume (RFC 3264 §8.4): a re-INVITE offering sendonly (inactive
 * if the peer holds us too), then sendrecv. Only on a connected call. If
 * a re-INVITE is already in progress the request is remembered and sent
 * after it. call_media_changed reports the outcome. */
gboolean sip_call_hold(struct sip_call *call, GError **error);
gboolean sip_call_resume(struct sip_call *call, GError **error);

/* ---- media changes (RFC 3264 §8) ---- */

/* Limits what our audio does from now on to directions (a mask of
 * SIP_MEDIA_SENDONLY 1 and SIP_MEDIA_RECVONLY 2 as
 * sip_call_get_media_directions gives them: 3 both, 0 neither) and sends a
 * re-INVITE with the new offer: after the re-INVITE in progress (ours or
 * the peer's), and again after a 491 (glare). Hold (sip_call_hold) applies
 * on top of the limit; our answers to the peer's offers keep within it.
 * Only on a connected call. call_media_updated reports the outcome once:
 * the final status of the re-INVITE that carried it (200; 488 and the like
 * when refused, the limit and the media then stay as they were; 408 or 481
 * when the dialog is gone, and the call ends). */
gboolean sip_call_update_media(struct sip_call *call, guint directions, GError **error);

/* The peer's re-INVITE with an offer, waiting for a decision when a
 * call_media_offered handler is installed (the engine sent 100 Trying).
 * The call's other requests go on; a second re-INVITE from the peer gets 500
 * with Retry-After (RFC 3261 §14.2); ours waits for the answer. Without a
 * decision within the bound (sip_engine_set_offer_decision_timeout) the
 * offer is accepted as the engine would have. */
struct sip_call_offer_line
{
    const char *media;              /* the m= line's media: "audio", "video", ... (valid until decided) */
    guint directions;               /* what we would do with it: the offer's direction seen from our
                                       side (SIP_MEDIA_SENDONLY 1 | SIP_MEDIA_RECVONLY 2); 0 when the
                                       offer's port is 0 (the peer removes it) */
};

/* The pending offer's m= lines, in order, up to max; returns how many the
 * offer has (0 when no offer is pending). */
guint sip_call_get_offer_lines(struct sip_call *call, struct sip_call_offer_line *lines, guint max);
/* 200 with our answer; the lines whose bit (1 << index) is set in refused
 * get port 0 (RFC 3264 §6) as the ones we cannot take do. Refusing the
 * audio leaves the call connected without audio until an offer brings it
 * back. */
gboolean sip_call_accept_offer(struct sip_call *call, guint64 refused, GError **error);
/* A final 4xx-6xx (488 Not Acceptable Here, typically); the call and its
 * media stay as they were (RFC 3261 §14.2). */
gboolean sip_call_reject_offer(struct sip_call *call, guint status_code, GError **error);
/* How long an offer waits for a decision (default SIP_CALL_OFFER_DECISION_TIMEOUT_MS). */
void sip_engine_set_offer_decision_timeout(struct sip_engine *engine, guint milliseconds);
/* Well inside the peer's Timer B (32 s) and a proxy's Timer C; RFC 3261
 * §13.3.1 wants a re-INVITE answered at once, so the bound is short, like
 * the bound on a REFER's final response. */
#define SIP_CALL_OFFER_DECISION_TIMEOUT_MS 4000

/* MESSAGE or INFO in the call's dialog (connected calls). Returns a request
 * id for sip_engine_callbacks.request_completed, 0 on error. */
guint sip_call_send_message(struct sip_call *call, const char *content_type, const char *body,
                            gsize body_length, GError **error);
guint sip_call_send_info(struct sip_call *call, const char *content_type, const char *body,
                         gsize body_length, GError **error);

enum sip_call_state sip_call_get_state(struct sip_call *call);
gboolean sip_call_is_incoming(struct sip_call *call);
/* The engine, NULL once it was freed. */
struct sip_engine *sip_call_get_engine(struct sip_call *call);

/* The last status code and reason phrase sent or received for the call's
 * INVITE (or the BYE/CANCEL that ended it); 0 and "" before any. */
guint sip_call_get_status_code(struct sip_call *call);
const char *sip_call_get_reason_phrase(struct sip_call *call);
enum sip_call_end_reason sip_call_get_end_reason(struct sip_call *call);
/* An outgoing call that ended with SIP_CALL_END_TIMEOUT or
 * SIP_CALL_END_TRANSPORT_ERROR: why no server answered its INVITE (the
 * target's name not found, every target silent or refusing, a TLS
 * certificate refused); SIP_DELIVERY_OK otherwise. */
enum sip_delivery_failure sip_call_get_delivery_failure(struct sip_call *call);

/* The Contact URIs of a 3xx answer, NULL-terminated (empty if none). */
const char *const *sip_call_get_redirect_contacts(struct sip_call *call);

const char *sip_call_get_call_id(struct sip_call *call);
const char *sip_call_get_local_uri(struct sip_call *call);      /* "sip:alice@host" */
const char *sip_call_get_remote_uri(struct sip_call *call);     /* "sip:bob@host" */
const char *sip_call_get_remote_display_name(struct sip_call *call);    /* NULL if none */

/* Hold state as last negotiated: we hold the peer / the peer holds us. */
gboolean sip_call_is_local_hold(struct sip_call *call);
gboolean sip_call_is_remote_hold(struct sip_call *call);
/* The final status of our last re-INVITE (hold, resume, update): 488 also
 * for a 2xx whose answer could not be used; 0 before the first. */
guint sip_call_get_reinvite_status(struct sip_call *call);

/* The peer's audio address as negotiated ("127.0.0.1", 4000); FALSE before
 * an SDP exchange. */
gboolean sip_call_get_remote_media(struct sip_call *call, const char **address, guint16 *port);

void sip_call_set_user_data(struct sip_call *call, void *user_data);
void *sip_call_get_user_data(struct sip_call *call);

const char *sip_call_state_name(enum sip_call_state state);
const char *sip_call_end_reason_name(enum sip_call_end_reason reason);

/* ---- what transfer and forwarding need (RFC 3261 §19.1.5, RFC 3891, RFC 3892) ---- */

struct sip_call_options
{
    /* Extra "Name: value" header lines for the INVITE (Referred-By, a refer
     * cookie, ...); NULL-terminated. Headers embedded in the target URI
     * (sip:bob@host?Replaces=...&Subject=...) are added too, unescaped, and
     * the Request-URI goes out without them. */
    const char *const *headers;
    /* Outbound proxy for the INVITE (see sip_engine.h: Route: <proxy;lr>,
     * the Request-URI stays the target): NULL = the engine's default, "" =
     * none (direct to the target). In-dialog requests follow Record-Route. */
    const char *proxy;
    /* The call's bandwidth limit from its first offer on (sip_call_set_max_bandwidth); 0: the
     * engine's (sip_engine_set_calls_max_bandwidth). */
    guint max_bandwidth;
};

/* sip_call_invite with options (NULL options = sip_call_invite). */
struct sip_call *sip_call_invite_full(struct sip_engine *engine, const char *from, const char *to,
                                      const struct sip_call_options *options, GError **error);

/* A header of the call's first INVITE as received (incoming calls) or
 * sent (outgoing), by name, first occurrence; NULL when absent (and, for an
 * incoming call, once it has terminated). */
const char *sip_call_get_invite_header(struct sip_call *call, const char *name);

/* Answers an incoming call 302 Moved Temporarily; the call then
 * terminates. contact is one target (a URI or a name-addr) or several,
 * separated by commas as in a Contact header value ("<sip:a@192.0.2.1>,
 * \"B\" <sip:b@192.0.2.2>"): a comma inside <...> or a quoted display name
 * does not separate, so a URI that contains a comma must be in <...>
 * (RFC 3261 §20). Each target becomes one Contact header, in order. */
gboolean sip_call_redirect(struct sip_call *call, const char *contact, GError **error);

/* The same with the targets as a NULL-terminated array (at least one
 * entry); each entry is one URI or one name-addr ("sip:bob@192.0.2.1",
 * "\"Bob\" <sip:bob@192.0.2.1>;q=0.5") and becomes one Contact header, in
 * the array's order; nothing inside an entry is taken as a separator. A
 * bare URI's ";params" stay in the URI. Nothing is sent if any entry is
 * malformed (SIP_ENGINE_ERROR_INVALID_ARGUMENT; the call still waits). */
gboolean sip_call_redirect_many(struct sip_call *call, const char *const *contacts, GError **error);

/* For an incoming INVITE with Replaces (RFC 3891) that matched one of our
 * dialogs: the call it replaces (not referenced), else NULL. The engine
 * answered 400 to an INVITE with two Replaces, 481 to a Replaces that
 * matched nothing or an early dialog we did not start, 486 to one that
 * asked for a confirmed dialog with early-only, 603 to one naming a call
 * that has ended. Nothing is replaced by the engine itself: the layer
 * above answers the new call and hangs the replaced one up. */
struct sip_call *sip_call_get_replaced_call(struct sip_call *call);

/* Whether the replacement may be taken without asking the user (RFC 3891
 * §7): the INVITE comes from the party the replaced call is with, or its
 * Referred-By names that party (an attended transfer); see
 * sip_replaces_same_party() for how parties compare. Neither header is
 * authenticated: this only narrows whom the user is not asked about.
 * FALSE when the call replaces nothing. */
gboolean sip_call_is_replacement_authorized(struct sip_call *call);

G_END_DECLS

#endif /* RTCSHIM_SIP_CALL_H */
