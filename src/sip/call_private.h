/*
 * Inside an INVITE session: the call object and what its files share.
 * Internal to the call family; the engine sees call.h, the API layers
 * sip_call.h.
 *
 *   call.c           the object: life cycle, state, events up, timers,
 *                    BYE and ACK in its dialog, getters
 *   call_media.c     its media stream and SDP offer/answer, hold
 *   call_uac.c       outgoing: INVITE, responses, early dialogs, CANCEL
 *   call_uas.c       incoming: INVITE, Replaces, ring/answer/reject/redirect
 *   call_2xx.c       2xx and ACK outside transactions: retransmission, forks
 *   call_reinvite.c  re-INVITEs both ways: hold/resume, media updates, offers
 *                    the layer above decides, glare
 *   call_dialog.c    requests in the dialog (the peer's and ours), hangup
 *   call_retired.c   an ended outgoing call shrunk to what its dialog owes
 */
#ifndef RTCSHIM_SIP_CALL_PRIVATE_H
#define RTCSHIM_SIP_CALL_PRIVATE_H

#include "call.h"
#include "engine.h"
#include "sdp_offer_answer.h"
#include "timer_source.h"
#include "transaction.h"
#include "wire.h"

G_BEGIN_DECLS

struct sip_call
{
    gint refcount;
    struct sip_engine *engine;              /* NULL once detached */
    enum sip_call_state state;
    gboolean incoming;
    gboolean registered;
    void *user_data;

    char *call_id;
    char *local_tag;
    char *remote_tag;                       /* incoming: the caller's From tag */
    char *local_uri;
    char *local_user;                       /* user part for our Contact */
    char *remote_uri;
    char *remote_display_name;

    osip_message_t *invite;                 /* our INVITE as sent (with Via); incoming: only the peer's
                                               headers libosip2 does not parse itself */
    struct sip_call *replaced_call;         /* incoming with Replaces: the call it takes over */
    gboolean replacement_authorized;        /* ... and who asks may take it over (RFC 3891 §7) */
    struct sip_dialog *dialog;              /* the call's dialog (confirmed, or early while ringing) */
    GPtrArray *early_dialogs;               /* outgoing: struct sip_dialog *, one per To tag */
    GHashTable *dismissed_forks;            /* outgoing: To tag -> the ACK sent to a losing fork */
    GPtrArray *refers;                      /* struct sip_refer * in this dialog, not referenced */

    /* outgoing INVITE */
    osip_transaction_t *invite_transaction; /* its client transaction while it lives */
    struct sip_next_hop invite_hop;
    gboolean provisional_received;
    gboolean cancel_pending;                /* hung up before any 1xx: CANCEL on the first */
    gboolean cancelled;                     /* hung up before the 2xx (CANCEL sent or pending) */
    struct engine_timer *cancel_timer;

    /* incoming INVITE */
    osip_transaction_t *invite_server;      /* its server transaction while it lives */
    gboolean invite_answered;               /* a final response went out */
    gboolean undecided;                     /* counted in engine->undecided_calls */
    guint32 invite_cseq;
    struct engine_timer *trying_timer;      /* 100 Trying if still undecided then */
    char *remote_offer;                     /* the INVITE's SDP, NULL if it had none */
    char *prepared_answer;                  /* our answer to it, made when it came */
    struct sip_media_params prepared_media; /* what that answer agreed */
    gboolean prepared_remote_hold;
    gboolean prepared_local_hold;           /* the hold wish it was made with */

    /* our 2xx to an INVITE (initial or re-), retransmitted until ACKed */
    struct engine_sent_response *pending_2xx;
    guint32 pending_2xx_cseq;
    gboolean pending_2xx_carries_offer;     /* the ACK must carry the answer */
    struct engine_timer *retransmit_timer;
    guint retransmit_interval;
    guint retransmit_elapsed;
    gboolean bye_after_ack;                 /* hung up while the 2xx waited for its ACK */
    /* Requests that overtook the ACK of our 2xx to the initial INVITE: the
     * dialog exists (§12.1.1), so they wait for that ACK, then are handled
     * in order (or answered 481 if the ACK never comes). Server transactions
     * with no answer yet; they live until answered or the engine goes. */
    GPtrArray *held_requests;               /* osip_transaction_t *, NULL when none */

    /* the ACK we sent for a 2xx, resent for each 2xx retransmission */
    osip_message_t *last_ack;
    guint32 last_ack_cseq;
    struct sip_next_hop ack_hop;

    /* our re-INVITEs (hold/resume, sip_call_update_media) */
    osip_transaction_t *reinvite_transaction;
    guint32 reinvite_cseq;
    guint reinvite_status;                  /* final status of our last re-INVITE, 0 before one */
    enum sip_media_direction offered_direction;
    gboolean offered_hold;                  /* that offer was a hold's (before the limit) */
    gboolean want_local_hold;
    struct engine_timer *glare_timer;
    guint media_limit;                      /* directions we offer and answer at most (SIP_MEDIA_SENDRECV) */
    guint negotiated_limit;                 /* the limit of the last offer the peer accepted */
    gboolean update_pending;                /* sip_call_update_media: a re-INVITE is owed */
    gboolean update_in_flight;              /* ... and the one on the wire carries it */

    /* the peer's re-INVITE waiting for the layer above (call_media_offered) */
    osip_transaction_t *offer_server;
    char *offer_text;
    sdp_message_t *offer_sdp;
    struct engine_timer *offer_timer;       /* the decision bound: accepted then */

    /* media */
    struct sip_sdp_origin origin;
    struct sip_media_stream *stream;
    struct sip_media_params media;          /* as negotiated; direction is ours */
    gboolean media_negotiated;
    gboolean without_audio;                 /* no stream, no port: SDP without media (call_media.c) */
    gboolean local_hold;
    gboolean remote_hold;
    enum sip_media_flow_state flow_state[2];    /* by enum sip_media_flow, as the stream last said */
    enum sip_media_flow_reason flow_reason[2];
    guint media_level[2];                       /* by enum sip_media_device */
    double media_volume[2];                     /* the call's own gain and mute */
    gboolean media_muted[2];
    gboolean silence_suppression;               /* no RTP sent during silence */
    guint max_bandwidth;                        /* bit/s of RTP payload; 0: no limit */

    /* outcome */
    guint status_code;
    char *reason_phrase;
    enum sip_call_end_reason end_reason;
    enum sip_delivery_failure delivery_failure;     /* outgoing: why no server answered the INVITE */
    GPtrArray *redirect_contacts;           /* char *, NULL-terminated */
    gboolean bye_sent;
    guint byes_unanswered;                  /* our BYEs (its dialog's and forks') without a final response */
    struct engine_timer *linger_timer;
};

/* ---- call.c ---- */

struct sip_call *call_new(struct sip_engine *engine, gboolean incoming);
/* Makes the call findable by its dialog (the registry references it) / no
 * longer. */
void call_register(struct sip_call *call);
void call_unregister(struct sip_call *call);
/* The status code and reason phrase the API sees (reason NULL or "": the
 * standard phrase). */
void call_set_status(struct sip_call *call, guint code, const char *reason);
/* An incoming call is answered, rejected or over: it leaves the engine's
 * count of undecided calls (an overload bound). */
void call_set_decided(struct sip_call *call);
/* FALSE with SIP_ENGINE_ERROR_DETACHED once the engine is gone. */
gboolean call_check_attached(struct sip_call *call, GError **error);
/* Where our responses and media go: the transport the INVITE came on. */
enum sip_transport_protocol call_protocol(struct sip_call *call);
/* Queue call_state_changed / call_media_changed with the call's state now. */
void call_report_state(struct sip_call *call);
void call_report_media(struct sip_call *call);
/* Changes and reports the state (not once terminated). */
void call_set_state(struct sip_call *call, enum sip_call_state state);
/* A timer that holds a reference to the call. */
struct engine_timer *call_timer_start(struct sip_call *call, guint delay_ms, engine_timer_func func);
/* Cancels *timer (NULL is fine) and clears it. */
void call_timer_cancel(struct sip_call *call, struct engine_timer **timer);
/* Tells the refers of the dialog that the call ends (see refer_call_ending). */
void call_end_refers(struct sip_call *call, gboolean can_send);
/* The call is over for the API layer. What the protocol still has to do
 * (a BYE to send after the ACK, a 2xx racing our CANCEL) goes on. */
void call_terminate(struct sip_call *call, enum sip_call_end_reason reason, guint code, const char *phrase);
/* Adds our Contact for protocol to a request or response. */
void call_add_contact_for(struct sip_call *call, osip_message_t *message, enum sip_transport_protocol protocol);
/* Sends a request of dialog (the call's, or a fork's) to its next hop. */
osip_transaction_t *call_send_in_dialog(struct sip_call *call, struct sip_dialog *dialog, osip_message_t *request,
                                        const struct engine_transaction_user *user, void *data,
                                        GDestroyNotify destroy, GError **error);
/* The replaced callback of every in-dialog request (data: the call). */
void call_dialog_request_replaced(struct sip_engine *engine, osip_transaction_t *old_transaction,
                                  osip_transaction_t *replacement, const osip_message_t *request, void *data);
/* BYE on the call's dialog, once. */
void call_send_bye(struct sip_call *call);
/* Hung up while our 2xx waits for its ACK: the BYE is owed until then (§15)
 * and counts as a hang-up in progress. call_settle_owed_bye: the wait is
 * over (send: the BYE goes now; else the peer ended the dialog first). */
void call_owe_bye(struct sip_call *call);
void call_settle_owed_bye(struct sip_call *call, gboolean send);
/* A BYE on dialog (the call's, or a fork's), counted in
 * sip_engine_pending_hangups() until its final response. */
gboolean call_send_bye_in(struct sip_call *call, struct sip_dialog *dialog, GError **error);
/* ACKs a 2xx with CSeq cseq on dialog; kept as the call's last ACK. */
void call_send_ack(struct sip_call *call, struct sip_dialog *dialog, guint32 cseq);

/* ---- call_retired.c ---- */

/* An ended outgoing call with nothing in flight leaves the registry; a small
 * record answers its 2xx again and dismisses late forks until the linger
 * ends. No-op for any other call. */
void call_retire(struct sip_call *call);

/* ---- call_media.c ---- */

/* The host part of a URI for picking our local address; NULL if none. */
const char *call_peer_host(struct sip_call *call);
/* Frees the media stream (its ports go back). */
void call_release_stream(struct sip_call *call);
/* Keeps what was negotiated; call_set_hold() then (re)starts the stream with it. */
void call_start_media(struct sip_call *call, const struct sip_media_params *negotiated);
/* Updates the hold flags and starts the stream as they and the last
 * negotiation say; reports a change of hold. */
void call_set_hold(struct sip_call *call, gboolean local_hold, gboolean remote_hold);
/* Our offer's direction (RFC 3264 §8.4). */
enum sip_media_direction call_offer_direction(struct sip_call *call);
/* Our SDP offer (g_free), NULL with error. */
char *call_build_offer(struct sip_call *call, enum sip_transport_protocol protocol, const char *peer,
                       enum sip_media_direction direction, GError **error);
/* Our SDP answer to offer_text (g_free); NULL with *code 400/488/500. The
 * m= lines whose bit is set in refused get port 0 (sip_sdp_build_answer_refusing). */
char *call_build_answer(struct sip_call *call, const char *offer_text, enum sip_transport_protocol protocol,
                        const char *peer, gboolean apply, guint64 refused, guint *code);
/* Takes the answer to our offer. */
gboolean call_take_answer(struct sip_call *call, const char *answer_text);
/* The SDP body of a message (g_free), or NULL. */
char *call_sdp_body(const osip_message_t *message);

/* ---- call_uac.c ---- */

/* CANCELs our INVITE (§9.1). */
void call_send_cancel(struct sip_call *call);
/* Hung up while the INVITE's target name is still being resolved: the
 * INVITE is dropped (nothing went out). FALSE if it was sent. */
gboolean call_drop_unsent_invite(struct sip_call *call);
/* The early dialog with this remote tag (taken out of the list if remove). */
struct sip_dialog *call_find_early_dialog(struct sip_call *call, const char *remote_tag, gboolean remove);
/* A dialog for a response to our INVITE, over the INVITE's transport. */
struct sip_dialog *call_new_uac_dialog(struct sip_call *call, const osip_message_t *response);

/* ---- call_2xx.c ---- */

/* Sends our 2xx (taken) to the INVITE of server transaction server, which
 * ends, and sends it again until the ACK with CSeq cseq comes (§13.3.1.4);
 * carries_offer: that ACK must carry the answer. */
void call_send_2xx(struct sip_call *call, osip_transaction_t *server, osip_message_t *response, guint32 cseq,
                   gboolean carries_offer);
void call_stop_2xx_retransmission(struct sip_call *call);
/* Our 2xx to the initial INVITE still waits for its ACK. */
gboolean call_awaits_ack(struct sip_call *call);
/* A request in the dialog (or an INVITE with Replaces naming it) that came
 * before that ACK: held (an INVITE gets 100 Trying) until it comes. */
void call_hold_request(struct sip_call *call, osip_transaction_t *transaction);
/* A BYE came in the dialog before that ACK: the peer had our 2xx, so the
 * call connects (as it would have with the ACK) and the held requests are
 * handled, before the BYE. */
void call_take_implied_ack(struct sip_call *call);
/* The ACK never came, or the call ended first: each held request gets 481. */
void call_refuse_held_requests(struct sip_call *call);

/* ---- call_reinvite.c ---- */

/* The peer's re-INVITE in the call's dialog. */
void call_handle_reinvite(struct sip_call *call, osip_transaction_t *transaction, osip_message_t *request);
/* Sends a re-INVITE if the hold state the user wants is not the one
 * negotiated and nothing else is in the way. */
void call_maybe_reinvite(struct sip_call *call);
/* The peer's pending re-INVITE ends unanswered by the layer above: answered
 * with code (487 after a CANCEL or when the call ends) and reported as
 * cancelled. No-op when none is pending. */
void call_drop_offer(struct sip_call *call, guint code);
/* A CANCEL for transaction: TRUE when it was the pending offer's (answered 487). */
gboolean call_cancel_offer(struct sip_call *call, osip_transaction_t *transaction);

G_END_DECLS

#endif /* RTCSHIM_SIP_CALL_PRIVATE_H */
