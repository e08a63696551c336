/*
 * Transfer (RFC 3515 REFER, RFC 3891 Replaces, RFC 3892 Referred-By,
 * RFC 4488 norefersub) as the API layers see it. Both faces (RTC and UCC)
 * build on this, so the protocol rules live here once:
 *
 *  - the transferor sends a REFER in a call's dialog and follows the
 *    implicit subscription: the REFER's final response, then one report per
 *    NOTIFY (its sipfrag status), then the end of the subscription;
 *  - the transferee receives a REFER, which the engine has already checked
 *    (a missing, repeated or non sip/sips/tel Refer-To, or one that embeds a
 *    reserved header, got 400 with a reason phrase; a REFER outside a
 *    confirmed dialog got 603). The final response waits for the layer
 *    above, for a short bound (4 s): sip_refer_accept (202 + NOTIFY
 *    "100 Trying") or sip_refer_reject (its code). A decision that takes
 *    longer finds 202 and NOTIFY 100 sent already: accepting then sends
 *    nothing more, rejecting sends the code as the last NOTIFY
 *    (terminated;reason=rejected); nobody deciding within the decision
 *    bound (30 s) is a 603 either way. Progress goes back with
 *    sip_refer_notify; the subscription (RFC 6665: it expires unless the
 *    transferor refreshes it with SUBSCRIBE) always ends with a terminated
 *    NOTIFY, also when it runs out, the refer is released, the call ends or
 *    the engine is freed;
 *  - headers embedded in a received Refer-To reach the new INVITE by
 *    allow-list only (refer_to.h, sip_engine_set_refer_to_headers).
 *
 * Plain C and GLib types only; reports come through sip_refer_callbacks
 * from the main context, never from inside these functions.
 */
#ifndef RTCSHIM_SIP_REFER_H
#define RTCSHIM_SIP_REFER_H

#include "sip_call.h"

G_BEGIN_DECLS

struct sip_refer;

/* ---- transferor ------------------------------------------------------------------- */

enum sip_refer_progress
{
    SIP_REFER_ACCEPTED,     /* 2xx to the REFER (status_code 202 or 200) */
    SIP_REFER_REJECTED,     /* the transferee declined (status_code tells how): a 3xx-6xx response
                               to the REFER, or after a 2xx a NOTIFY terminated;reason=rejected
                               with that code (it decided after its response bound) */
    SIP_REFER_FAILED,       /* no response (status_code 408) or transport failure (503) */
    SIP_REFER_NOTIFY,       /* a NOTIFY arrived: status_code is its sipfrag's; final when >= 200 */
    SIP_REFER_ENDED,        /* the subscription is over (see below); always the last report */
};

/* How the subscription ended, with SIP_REFER_ENDED. */
enum sip_refer_end
{
    SIP_REFER_END_SUCCESS,          /* final sipfrag 2xx, or the peer accepted with Refer-Sub: false */
    SIP_REFER_END_FAILURE,          /* final sipfrag 3xx-6xx (status_code) */
    SIP_REFER_END_NO_FINAL,         /* terminated (or expired) without a final sipfrag */
    SIP_REFER_END_REJECTED,         /* the REFER itself failed (after REJECTED or FAILED) */
    SIP_REFER_END_CALL_GONE,        /* the call ended first */
};

struct sip_refer_options
{
    const char *referred_by;            /* Referred-By (URI or name-addr); NULL = the call's local URI */
    const char *const *extra_headers;   /* "Name: value" lines for the REFER; NULL-terminated */
    gboolean no_subscription;           /* Refer-Sub: false (RFC 4488) */
};

/* Sends a REFER in the call's dialog (connected calls only). refer_to is a
 * URI, possibly with ?headers (e.g. Replaces); it goes out as Refer-To: <uri>
 * with the headers escaped. Returns a new reference, or NULL with error. */
struct sip_refer *sip_call_refer(struct sip_call *call, const char *refer_to,
                                 const struct sip_refer_options *options, GError **error);

/* ---- transferee ------------------------------------------------------------------ */

/* Accept: 202, then at once NOTIFY "SIP/2.0 100 Trying" (subscription
 * active); nothing more after the response bound (both went out then).
 * SIP_ENGINE_ERROR_WRONG_STATE once decided or declined for lack of a decision. */
gboolean sip_refer_accept(struct sip_refer *refer, GError **error);
/* Reject (300-699; reason NULL = the standard phrase): the final response,
 * or after the response bound a NOTIFY "SIP/2.0 <code> <reason>",
 * terminated;reason=rejected. Errors as sip_refer_accept. */
gboolean sip_refer_reject(struct sip_refer *refer, guint status_code, const char *reason, GError **error);
/* Reports the new call's progress: a NOTIFY with "SIP/2.0 <code> <reason>";
 * a final code (>= 200) ends the subscription (Subscription-State:
 * terminated;reason=noresource). A provisional code equal to the last one
 * reported sends nothing. Only after accept; no-op once the subscription
 * ended. */
gboolean sip_refer_notify(struct sip_refer *refer, guint status_code, const char *reason, GError **error);

/* The REFER as received (transferee) or sent (transferor). */
/* The URI with its ?headers: for a received REFER only the headers passed
 * on (the allow-list), escaped again; for ours, as sent. */
const char *sip_refer_get_refer_to(struct sip_refer *refer);
const char *sip_refer_get_target(struct sip_refer *refer);          /* the URI without headers */
/* Embedded headers of Refer-To, unescaped, as "Name: value" lines for the
 * new INVITE (Replaces included; for a received REFER the allow-list's
 * only); NULL-terminated, never NULL. */
const char *const *sip_refer_get_target_headers(struct sip_refer *refer);
const char *sip_refer_get_referred_by(struct sip_refer *refer);     /* NULL when absent */
/* Any header of the REFER by name (first occurrence), e.g. "X-RTC-Refer-Cookie"; NULL when absent. */
const char *sip_refer_get_header(struct sip_refer *refer, const char *name);
gboolean sip_refer_is_incoming(struct sip_refer *refer);
gboolean sip_refer_wants_subscription(struct sip_refer *refer);
struct sip_call *sip_refer_get_call(struct sip_refer *refer);

struct sip_refer *sip_refer_ref(struct sip_refer *refer);
/* The last reference of an accepted incoming refer that has not sent its
 * final NOTIFY sends NOTIFY "SIP/2.0 487 Request Terminated" (terminated)
 * first; of an undecided one, 603. */
void sip_refer_unref(struct sip_refer *refer);

void sip_refer_set_user_data(struct sip_refer *refer, void *user_data);
void *sip_refer_get_user_data(struct sip_refer *refer);

/* ---- reports ------------------------------------------------------------------------ */

struct sip_refer_callbacks
{
    /* Transferee: a checked REFER waits for a decision. The engine keeps a
     * reference until it is decided: sip_refer_ref() it to keep it longer.
     * Without a handler every REFER is declined with 603. */
    void (*refer_received)(struct sip_call *call, struct sip_refer *refer, void *user_data);

    /* Transferor: progress of a REFER sent with sip_call_refer. status_code
     * and reason are the REFER's response or the NOTIFY's sipfrag. end is
     * meaningful with SIP_REFER_ENDED only. */
    void (*refer_progress)(struct sip_refer *refer, enum sip_refer_progress progress, guint status_code,
                           const char *reason, enum sip_refer_end end, void *user_data);
};

/* Installs the transfer reports (user_data is the engine's). */
void sip_engine_set_refer_callbacks(struct sip_engine *engine, const struct sip_refer_callbacks *callbacks);

/* How long an incoming REFER waits for a decision before 603 (default 30 s). */
void sip_engine_set_refer_decision_timeout(struct sip_engine *engine, guint milliseconds);

/* How long its final response waits for that decision (default 4 s; not
 * longer than the decision bound): then 202 and NOTIFY 100 go out, and the
 * decision is told through the subscription (RFC 4320: a proxy in the path
 * must not time the REFER out). */
void sip_engine_set_refer_response_bound(struct sip_engine *engine, guint milliseconds);

/* The lifetime of the implicit subscription we grant as transferee, in
 * seconds (default 120, at most 3600): announced in each NOTIFY, renewed by
 * the transferor's SUBSCRIBE, else ended with NOTIFY terminated;reason=timeout. */
void sip_engine_set_refer_expires(struct sip_engine *engine, guint seconds);

/* Headers embedded in a received Refer-To that the new INVITE may carry
 * besides the built-in allow-list (Replaces, Accept-Contact, Reject-Contact,
 * Subject): the names in extra_names (NULL-terminated, may be NULL; copied)
 * and, with allow_private, every X- header. The rest is dropped (logged
 * once per REFER); reserved ones still make the REFER fail with 400. */
void sip_engine_set_refer_to_headers(struct sip_engine *engine, const char *const *extra_names,
                                     gboolean allow_private);

/* ---- attended transfer (Replaces) ------------------------------------------------------ */

/* A Refer-To URI that makes the transferee replace `call` (the dialog between us
 * and the transfer target): target?Replaces=<call-id;to-tag;from-tag escaped>.
 * The tags are named from the target's point of view (RFC 3891 §3):
 * to-tag = the target's tag, from-tag = ours. g_free() it. */
char *sip_call_build_replaces_refer_to(struct sip_call *call, GError **error);

G_END_DECLS

#endif /* RTCSHIM_SIP_REFER_H */
