/*
 * SDP offer/answer (RFC 3264) for one audio stream, over libosip2's
 * sdp_message_t.
 *
 * Our formats are the media backend's (struct sip_media_format, in order of
 * preference; NULL = sip_media_default_formats). With the GStreamer
 * backend's list our offer looks like:
 *
 *   v=0
 *   o=- <session id> <version> IN IP4 <address>
 *   s=-
 *   c=IN IP4 <address>
 *   t=0 0
 *   m=audio <port> RTP/AVP 111 9 0 8 101
 *   a=rtpmap:111 opus/48000/2
 *   a=fmtp:111 useinbandfec=1
 *   a=rtpmap:9 G722/8000
 *   a=rtpmap:0 PCMU/8000
 *   a=rtpmap:8 PCMA/8000
 *   a=rtpmap:101 telephone-event/8000
 *   a=fmtp:101 0-16
 *   a=ptime:20
 *   a=sendrecv
 *
 * (IN IP6 for an IPv6 address). A peer's payload type is one of our formats
 * when its rtpmap has the same name (any case), clock rate and channels
 * (1 when absent), or, without rtpmap, when it is the format's static
 * number; telephone-event matches at any clock rate. Functions that take an
 * sdp_message_t only read it; the ones returning one hand over a message to
 * free with sdp_message_free().
 */
#ifndef RTCSHIM_SIP_SDP_OFFER_ANSWER_H
#define RTCSHIM_SIP_SDP_OFFER_ANSWER_H

#include <glib.h>
#include <osipparser2/sdp_message.h>

#include "media.h"

G_BEGIN_DECLS

#define SIP_SDP_ERROR (sip_sdp_error_quark())
GQuark sip_sdp_error_quark(void);

enum sip_sdp_error
{
    SIP_SDP_ERROR_INVALID,          /* unparseable or malformed SDP: 400 */
    SIP_SDP_ERROR_NOT_ACCEPTABLE,   /* no usable audio stream / codec: 488 Not Acceptable Here */
};

/* Packet duration we ask for (a=ptime) and use when the peer says nothing. */
#define SIP_SDP_DEFAULT_PTIME 20

/* Our o= line across one session: the id stays, the version goes up by one
 * with every SDP we send after the first (RFC 3264 §8: an increment is
 * always allowed, a repeat only for identical SDP). */
struct sip_sdp_origin
{
    guint64 session_id;
    guint64 session_version;
    gboolean used;                  /* an SDP was built with this origin */
};

/* A fresh origin: random session id, version equal to it (RFC 4566 suggests
 * an NTP-style value; any number works). */
void sip_sdp_origin_init(struct sip_sdp_origin *origin);

/* Parses a body with osip's SDP parser; NULL with SIP_SDP_ERROR_INVALID on failure. */
sdp_message_t *sip_sdp_parse(const char *body, GError **error);

/* The SDP as text (CRLF line ends); g_free() the result, NULL on failure. */
char *sip_sdp_to_string(const sdp_message_t *sdp);

/* Our offer (or re-offer: direction sendonly/inactive for hold) for address
 * (IPv4 or IPv6 literal) and port, from the media backend: every format,
 * in order, with its rtpmap and fmtp, then a=ptime. Bumps the origin's
 * version for every offer but the first. */
sdp_message_t *sip_sdp_build_offer(struct sip_sdp_origin *origin, const char *address, guint16 port,
                                   enum sip_media_direction direction, const struct sip_media_format *formats,
                                   GError **error);

/* A bandwidth limit (IUccAudioVideoSession::put_MaximumBandwidth), in bit/s
 * of RTP payload: a format is offered and accepted only if it can be sent
 * within it (sip_sdp_format_min_bitrate: 64,000 for G.711 and G.722, 6,000
 * for opus; telephone-event always), and our SDP says it with b=TIAS (RFC
 * 3890, the payload rate) and b=AS (kbit/s, with the RTP/UDP/IPv4 headers
 * of 50 packets a second), for peers that read only that. The peer's own
 * limit (its b=TIAS, else b=AS less those headers) is what `negotiated`
 * gets as max_bitrate. */
guint sip_sdp_format_min_bitrate(const struct sip_media_format *format);
/* The formats (NULL: the default) that fit in max_bitrate (0: all), as a new
 * array (g_free()); NULL with SIP_SDP_ERROR_NOT_ACCEPTABLE when a limit
 * leaves no audio format. */
struct sip_media_format *sip_sdp_formats_within(const struct sip_media_format *formats, guint max_bitrate,
                                                GError **error);
/* Adds the b= lines of max_bitrate (nothing for 0) to every audio stream of
 * ours that is not refused (port 0). */
void sip_sdp_add_bandwidth(sdp_message_t *sdp, guint max_bitrate);

/* Our answer to a received offer. One m= line per offered one, in order
 * (RFC 3264 §6): the first RTP/AVP audio stream with a non-zero port and a
 * codec we have is accepted, with the offer's common codecs in the offer's
 * order and payload numbers (one telephone-event kept when offered, the one
 * at the first codec's clock rate if there is one, with the offer's fmtp;
 * our fmtp for the others), then a=ptime; every other stream gets port 0. Our direction is
 * `direction` limited by the offer's, mirrored (§6.1: sendonly -> recvonly,
 * recvonly -> sendonly, inactive -> inactive); an offer with c=0.0.0.0
 * (RFC 2543 hold) counts as not receiving. No acceptable audio stream fails
 * with SIP_SDP_ERROR_NOT_ACCEPTABLE (answer 488), a malformed offer with
 * SIP_SDP_ERROR_INVALID. negotiated (optional; clear with
 * sip_media_params_clear) gets the remote address/ports, the first common
 * codec (we send with it, with the offer's ptime), every common payload
 * type and our direction. */
sdp_message_t *sip_sdp_build_answer(const sdp_message_t *offer, struct sip_sdp_origin *origin,
                                    const char *address, guint16 port,
                                    enum sip_media_direction direction,
                                    const struct sip_media_format *formats,
                                    struct sip_media_params *negotiated, GError **error);

/* The SDP of a call without audio (an application that prefers no media):
 * with offer NULL, an offer with no m= line (RFC 3264 §5 allows zero media
 * streams); else the answer to `offer`, every one of its m= lines refused
 * with port 0 (§6), none for an offer that has none. A malformed offer
 * fails with SIP_SDP_ERROR_INVALID. */
sdp_message_t *sip_sdp_build_without_media(const sdp_message_t *offer, struct sip_sdp_origin *origin,
                                           const char *address, GError **error);

/* Whether an SDP has no m= line at all (a session without media). */
gboolean sip_sdp_has_no_media(const sdp_message_t *sdp);

/* The same, refusing the m= lines whose bit (1 << index, the first 64 lines)
 * is set in refused: they get port 0 like the streams we cannot take. When
 * that leaves no audio stream the answer refuses every line (RFC 3264 §6
 * allows it) instead of failing, and negotiated keeps no codec
 * (payload_type -1, codec_name NULL). */
sdp_message_t *sip_sdp_build_answer_refusing(const sdp_message_t *offer, struct sip_sdp_origin *origin,
                                             const char *address, guint16 port,
                                             enum sip_media_direction direction,
                                             const struct sip_media_format *formats, guint64 refused,
                                             struct sip_media_params *negotiated, GError **error);

/* Reads the answer to our offer (made with `offered` as direction): the first
 * audio stream must have a non-zero port and one of our codecs (else
 * SIP_SDP_ERROR_NOT_ACCEPTABLE). negotiated gets the remote address/ports,
 * the codec (first of ours in the answer), every common payload type,
 * telephone-event if kept and our resulting direction. Clear it with
 * sip_media_params_clear(). */
gboolean sip_sdp_parse_answer(const sdp_message_t *answer, enum sip_media_direction offered,
                              const struct sip_media_format *formats,
                              struct sip_media_params *negotiated, GError **error);

/* How many m= lines; what line index says (its media name, port and
 * direction as its writer means it); FALSE for a malformed line. */
guint sip_sdp_line_count(const sdp_message_t *sdp);
gboolean sip_sdp_line_info(const sdp_message_t *sdp, guint index, const char **media_name, guint *port,
                           enum sip_media_direction *direction);

/* The direction of the first audio stream with a non-zero port as its
 * writer means it: media-level attribute, else session-level, else
 * sendrecv; c=0.0.0.0 (or ::) takes away "recv". SIP_MEDIA_INACTIVE when
 * there is no such stream. */
enum sip_media_direction sip_sdp_get_direction(const sdp_message_t *sdp);

/* TRUE when a received SDP puts us on hold: its writer does not want to
 * receive (sendonly, inactive, c=0.0.0.0). */
gboolean sip_sdp_is_hold(const sdp_message_t *sdp);

G_END_DECLS

#endif /* RTCSHIM_SIP_SDP_OFFER_ANSWER_H */
