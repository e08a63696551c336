/*
 * SIP dialogs (RFC 3261 §12): identity, route set, CSeq and remote target.
 *
 * Internal to the engine (uses libosip2 types). A dialog knows nothing of
 * transactions or sockets: it matches messages and builds in-dialog
 * requests; the INVITE session code (call.c) owns dialogs and sends what
 * they build.
 *
 * Vocabulary: "local" is this user agent, "remote" the peer. For a dialog we
 * created as UAC, local = From of the INVITE; as UAS, local = To.
 */
#ifndef RTCSHIM_SIP_DIALOG_H
#define RTCSHIM_SIP_DIALOG_H

#include <osipparser2/osip_parser.h>

#include "sip/sip_engine.h"
#include "transport.h"

G_BEGIN_DECLS

enum sip_dialog_state
{
    SIP_DIALOG_EARLY,           /* from a 1xx with a To tag */
    SIP_DIALOG_CONFIRMED,       /* from a 2xx */
};

struct sip_dialog
{
    enum sip_dialog_state state;
    gboolean is_uac;            /* we sent the request that created it */
    char *call_id;
    char *local_tag;
    char *remote_tag;
    osip_from_t *local;         /* our name-addr with tag: From of our requests */
    osip_to_t *remote;          /* the peer's name-addr with tag: To of our requests */
    osip_uri_t *remote_target;  /* the peer's Contact */
    osip_list_t route_set;      /* osip_route_t *, in the order our requests carry them */
    guint32 local_cseq;         /* last CSeq we used */
    guint32 remote_cseq;        /* last CSeq the peer used, valid if remote_cseq_known */
    gboolean remote_cseq_known;
    gboolean secure;            /* sips: Request-URI over TLS */
    enum sip_transport_protocol protocol;   /* transport the dialog was set up on */
    guint connection_id;        /* its connection, for streams (0: none) */
    gboolean refer_sent;        /* a REFER of ours went out in it (RFC 3515 §2.4.6: */
    gboolean refer_received;    /*  only the first each way goes without an Event id) */
};

/* Where to send a request: transport, host (IP literal), port and, for
 * streams, the connection to prefer. A hop named by a host name is
 * resolved when a request is sent (RFC 3263, resolver.h): until then host
 * is "", port is the URI's (0 when it had none) and protocol the URI's
 * transport (or the preferred one when transport_given is FALSE). */
struct sip_next_hop
{
    enum sip_transport_protocol protocol;
    char host[SIP_HOST_BUFFER_SIZE];
    guint16 port;
    guint connection_id;
    char name[SIP_NAME_BUFFER_SIZE];    /* the URI's host name, "" for an IP literal; also the
                                           domain a TLS certificate must name (RFC 5922) */
    gboolean transport_given;           /* the URI had ;transport= (or is sips:) */
    gboolean secure;                    /* sips: */
};

/* The UAC side, from our request and a 1xx (with To tag) or 2xx response to
 * it: route set = the response's Record-Route reversed, remote target = its
 * Contact. NULL if the response has no To tag or lacks From/To/Call-ID. */
struct sip_dialog *sip_dialog_new_uac(const osip_message_t *request, const osip_message_t *response);

/* The same from a 2xx to our INVITE alone, once the INVITE is gone: its
 * From and CSeq are the INVITE's (§8.2.6.2), the target must be its Contact.
 * secure: the INVITE went to a sips: URI. */
struct sip_dialog *sip_dialog_new_uac_from_2xx(const osip_message_t *response, gboolean secure);

/* The UAS side, from a received request and the To tag we chose: route set =
 * its Record-Route in order, remote target = its Contact, remote CSeq = its
 * CSeq. The dialog starts early; sip_dialog_set_confirmed() when the 2xx goes. */
struct sip_dialog *sip_dialog_new_uas(const osip_message_t *request, const char *local_tag);

void sip_dialog_free(struct sip_dialog *dialog);

/* UAS: our 2xx went out. */
void sip_dialog_set_confirmed(struct sip_dialog *dialog);

/* UAC: a 2xx for the INVITE matched this (early) dialog: confirm it and
 * recompute the route set and remote target from the 2xx (§13.2.2.4). */
void sip_dialog_confirm_uac(struct sip_dialog *dialog, const osip_message_t *response);

/* A request belongs to the dialog when Call-ID, To tag (= local tag) and
 * From tag (= remote tag) all match (§12.2.2). */
gboolean sip_dialog_matches_request(const struct sip_dialog *dialog, const osip_message_t *request);

/* A response belongs to the dialog when Call-ID, From tag (= local tag) and
 * To tag (= remote tag) all match. */
gboolean sip_dialog_matches_response(const struct sip_dialog *dialog, const osip_message_t *response);

/* Checks a request's CSeq against the remote sequence (§12.2.2): FALSE if it
 * is lower than or equal to the last one (answer 500); otherwise records it.
 * ACK and CANCEL reuse their INVITE's number and are not checked. */
gboolean sip_dialog_accept_remote_cseq(struct sip_dialog *dialog, const osip_message_t *request);

/* Target refresh (§12.2): takes the Contact of a re-INVITE or of its 2xx as
 * the new remote target. No-op without a usable Contact. */
void sip_dialog_refresh_target(struct sip_dialog *dialog, const osip_message_t *message);

/* Builds a request in the dialog (§12.2.1.1): Request-URI and Route from the
 * remote target and route set (loose routing; strict routing when the first
 * route lacks "lr"), From/To with tags, Call-ID, CSeq (the next local
 * number), Max-Forwards. No Via or Contact: the sender adds them. */
osip_message_t *sip_dialog_build_request(struct sip_dialog *dialog, const char *method);

/* The ACK for a 2xx to the INVITE with CSeq number invite_cseq (§13.2.2.4). */
osip_message_t *sip_dialog_build_ack(struct sip_dialog *dialog, guint32 invite_cseq);

/* Where a request built by this dialog goes: the first route if it is a
 * loose router, else the Request-URI; the dialog's connection is preferred. */
gboolean sip_dialog_next_hop(const struct sip_dialog *dialog, struct sip_next_hop *hop);

/* Where a request for uri goes when nothing else decides (§8.1.2):
 * transport from ";transport=" (sips: means TLS), else default_protocol;
 * the host (maddr if present) and port. For an IP literal, port is the
 * URI's or the protocol's default; a host name goes to hop->name, to be
 * resolved when the request is sent. FALSE if the host is neither, or the
 * port is not 1-65535. */
gboolean sip_uri_next_hop(const osip_uri_t *uri, enum sip_transport_protocol default_protocol,
                          struct sip_next_hop *hop);

/* TRUE if the hop still has a name to resolve. */
gboolean sip_next_hop_needs_dns(const struct sip_next_hop *hop);

/* The tag parameter of a From/To header, NULL if none. */
const char *sip_header_tag(const osip_from_t *header);

G_END_DECLS

#endif /* RTCSHIM_SIP_DIALOG_H */
