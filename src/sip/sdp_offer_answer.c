/*
 * SDP offer/answer (RFC 3264) for one audio stream.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <gio/gio.h>
#include <osipparser2/osip_port.h>

#include "sdp_offer_answer.h"

G_DEFINE_QUARK(rtcshim-sip-sdp-error-quark, sip_sdp_error)

/* Our audio codecs, in order of preference for an offer. */
static const struct codec
{
    int payload_type;
    const char *name;
    guint clock_rate;
} our_codecs[] =
{
    { 0, "PCMU", 8000 },
    { 8, "PCMA", 8000 },
};

#define TELEPHONE_EVENT_FMTP "0-16"

enum codec_kind
{
    CODEC_UNKNOWN,
    CODEC_AUDIO,
    CODEC_TELEPHONE_EVENT,
};

void sip_sdp_origin_init(struct sip_sdp_origin *origin)
{
    origin->session_id = g_random_int_range(1, G_MAXINT32);
    origin->session_version = origin->session_id;
    origin->used = FALSE;
}

static guint64 origin_next_version(struct sip_sdp_origin *origin)
{
    if (origin->used) origin->session_version++;
    origin->used = TRUE;
    return origin->session_version;
}

/* osip takes ownership of osip-allocated strings only. */
static char *odup(const char *s)
{
    return s ? osip_strdup(s) : NULL;
}

static char * G_GNUC_PRINTF(1, 2) odup_printf(const char *format, ...)
{
    va_list args;
    char *text, *ret;

    va_start(args, format);
    text = g_strdup_vprintf(format, args);
    va_end(args);
    ret = osip_strdup(text);
    g_free(text);
    return ret;
}

sdp_message_t *sip_sdp_parse(const char *body, GError **error)
{
    sdp_message_t *sdp;

    if (!body || sdp_message_init(&sdp))
    {
        g_set_error_literal(error, SIP_SDP_ERROR, SIP_SDP_ERROR_INVALID, "No SDP");
        return NULL;
    }
    if (sdp_message_parse(sdp, body))
    {
        sdp_message_free(sdp);
        g_set_error_literal(error, SIP_SDP_ERROR, SIP_SDP_ERROR_INVALID, "Malformed SDP");
        return NULL;
    }
    return sdp;
}

char *sip_sdp_to_string(const sdp_message_t *sdp)
{
    char *text = NULL, *ret;

    if (!sdp || sdp_message_to_str((sdp_message_t *)sdp, &text) || !text) return NULL;
    ret = g_strdup(text);
    osip_free(text);
    return ret;
}

/* Reading */

static gboolean parse_number(const char *s, guint max, guint *value)
{
    guint v = 0;

    if (!s || !*s || strlen(s) > 5) return FALSE;
    for (; *s; s++)
    {
        if (!g_ascii_isdigit(*s)) return FALSE;
        v = v * 10 + (*s - '0');
    }
    if (v > max) return FALSE;
    *value = v;
    return TRUE;
}

static int media_count(const sdp_message_t *sdp)
{
    return osip_list_size(&sdp->m_medias);
}

static sdp_media_t *media_at(const sdp_message_t *sdp, int index)
{
    return osip_list_get(&sdp->m_medias, index);
}

static gboolean media_is_audio(const sdp_media_t *media)
{
    return media->m_media && !g_ascii_strcasecmp(media->m_media, "audio");
}

/* The direction attribute in a list of attributes, if any. */
static gboolean find_direction(const osip_list_t *attributes, enum sip_media_direction *direction)
{
    int i;

    for (i = 0; i < osip_list_size(attributes); i++)
    {
        const sdp_attribute_t *attribute = osip_list_get(attributes, i);
        enum sip_media_direction d;

        if (!attribute->a_att_field) continue;
        for (d = SIP_MEDIA_INACTIVE; d <= SIP_MEDIA_SENDRECV; d++)
        {
            if (!g_ascii_strcasecmp(attribute->a_att_field, sip_media_direction_name(d)))
            {
                *direction = d;
                return TRUE;
            }
        }
    }
    return FALSE;
}

static const char *media_address(const sdp_message_t *sdp, const sdp_media_t *media)
{
    const sdp_connection_t *connection = osip_list_get(&media->c_connections, 0);

    if (!connection) connection = sdp->c_connection;
    return connection && connection->c_addr && *connection->c_addr ? connection->c_addr : NULL;
}

static gboolean is_null_address(const char *address)
{
    return address && (!strcmp(address, "0.0.0.0") || !strcmp(address, "::"));
}

/* The stream's direction as its writer means it. */
static enum sip_media_direction media_direction(const sdp_message_t *sdp, const sdp_media_t *media)
{
    enum sip_media_direction direction = SIP_MEDIA_SENDRECV;

    if (!find_direction(&media->a_attributes, &direction))
        find_direction(&sdp->a_attributes, &direction);
    /* RFC 2543 hold: "don't send to me". */
    if (is_null_address(media_address(sdp, media))) direction &= ~SIP_MEDIA_RECVONLY;
    return direction;
}

/* The value of "a=<field>:<pt> <value>" for a payload type (rtpmap, fmtp). */
static const char *payload_attribute(const sdp_media_t *media, const char *field, int payload_type)
{
    int i;

    for (i = 0; i < osip_list_size(&media->a_attributes); i++)
    {
        const sdp_attribute_t *attribute = osip_list_get(&media->a_attributes, i);
        const char *value = attribute->a_att_value;
        char *end;
        long pt;

        if (!attribute->a_att_field || !value || g_ascii_strcasecmp(attribute->a_att_field, field))
            continue;
        pt = strtol(value, &end, 10);
        if (end == value || pt != payload_type || (*end != ' ' && *end != '\t')) continue;
        while (*end == ' ' || *end == '\t') end++;
        return end;
    }
    return NULL;
}

/* What a payload type of a stream is, as far as we are concerned. */
static enum codec_kind identify_codec(const sdp_media_t *media, const char *payload, const struct codec **codec)
{
    const char *rtpmap;
    guint pt, i;

    *codec = NULL;
    if (!parse_number(payload, 127, &pt)) return CODEC_UNKNOWN;

    if ((rtpmap = payload_attribute(media, "rtpmap", pt)))
    {
        /* encoding name "/" clock rate [ "/" channels ] */
        const char *slash = strchr(rtpmap, '/');
        char *name;
        guint64 clock;
        char *end;

        if (!slash) return CODEC_UNKNOWN;
        clock = g_ascii_strtoull(slash + 1, &end, 10);
        if (end == slash + 1 || (*end && *end != '/' && !g_ascii_isspace(*end))) return CODEC_UNKNOWN;
        if (*end == '/' && strtol(end + 1, NULL, 10) != 1) return CODEC_UNKNOWN;  /* mono only */
        name = g_strndup(rtpmap, slash - rtpmap);
        g_strstrip(name);
        for (i = 0; i < G_N_ELEMENTS(our_codecs); i++)
        {
            if (!g_ascii_strcasecmp(name, our_codecs[i].name) && clock == our_codecs[i].clock_rate)
            {
                *codec = &our_codecs[i];
                break;
            }
        }
        if (!*codec && !g_ascii_strcasecmp(name, "telephone-event") && clock == 8000)
        {
            g_free(name);
            return CODEC_TELEPHONE_EVENT;
        }
        g_free(name);
        return *codec ? CODEC_AUDIO : CODEC_UNKNOWN;
    }

    /* A static payload type without rtpmap (RFC 3551). */
    for (i = 0; i < G_N_ELEMENTS(our_codecs); i++)
    {
        if (pt == (guint)our_codecs[i].payload_type)
        {
            *codec = &our_codecs[i];
            return CODEC_AUDIO;
        }
    }
    return CODEC_UNKNOWN;
}

/* The first of our codecs in a stream's format list, and telephone-event. */
static gboolean find_codecs(const sdp_media_t *media, int *payload_type, const struct codec **codec,
                            int *telephone_event_pt)
{
    const struct codec *c;
    int i;

    *payload_type = *telephone_event_pt = -1;
    *codec = NULL;
    for (i = 0; i < osip_list_size(&media->m_payloads); i++)
    {
        const char *payload = osip_list_get(&media->m_payloads, i);

        switch (identify_codec(media, payload, &c))
        {
        case CODEC_AUDIO:
            if (!*codec)
            {
                *codec = c;
                *payload_type = atoi(payload);
            }
            break;
        case CODEC_TELEPHONE_EVENT:
            if (*telephone_event_pt < 0) *telephone_event_pt = atoi(payload);
            break;
        case CODEC_UNKNOWN:
            break;
        }
    }
    return *codec != NULL;
}

/* An m= line we can read at all: media, proto, valid port, at least one format. */
static gboolean media_is_valid(const sdp_media_t *media, guint *port)
{
    return media->m_media && media->m_proto && parse_number(media->m_port, 65535, port)
            && osip_list_size(&media->m_payloads) > 0;
}

/* The first audio stream with a non-zero port, or -1. */
static int find_active_audio(const sdp_message_t *sdp)
{
    int i;

    for (i = 0; i < media_count(sdp); i++)
    {
        const sdp_media_t *media = media_at(sdp, i);
        guint port;

        if (media_is_valid(media, &port) && media_is_audio(media) && port) return i;
    }
    return -1;
}

enum sip_media_direction sip_sdp_get_direction(const sdp_message_t *sdp)
{
    int index;

    if (!sdp || (index = find_active_audio(sdp)) < 0) return SIP_MEDIA_INACTIVE;
    return media_direction(sdp, media_at(sdp, index));
}

gboolean sip_sdp_is_hold(const sdp_message_t *sdp)
{
    if (!sdp || find_active_audio(sdp) < 0) return FALSE;
    return !(sip_sdp_get_direction(sdp) & SIP_MEDIA_RECVONLY);
}

/* Writing */

static sdp_message_t *new_message(struct sip_sdp_origin *origin, const char *address, GError **error)
{
    const char *addrtype;
    GInetAddress *inet;
    sdp_message_t *sdp;
    guint64 version;

    if (!origin)
    {
        g_set_error_literal(error, SIP_SDP_ERROR, SIP_SDP_ERROR_INVALID, "No SDP origin");
        return NULL;
    }
    if (!address || !(inet = g_inet_address_new_from_string(address)))
    {
        g_set_error(error, SIP_SDP_ERROR, SIP_SDP_ERROR_INVALID, "Bad local media address %s",
                    address ? address : "(null)");
        return NULL;
    }
    addrtype = g_inet_address_get_family(inet) == G_SOCKET_FAMILY_IPV6 ? "IP6" : "IP4";
    g_object_unref(inet);

    if (sdp_message_init(&sdp))
    {
        g_set_error_literal(error, SIP_SDP_ERROR, SIP_SDP_ERROR_INVALID, "Out of memory");
        return NULL;
    }
    version = origin_next_version(origin);
    sdp_message_v_version_set(sdp, odup("0"));
    sdp_message_o_origin_set(sdp, odup("-"), odup_printf("%" G_GUINT64_FORMAT, origin->session_id),
                             odup_printf("%" G_GUINT64_FORMAT, version), odup("IN"), odup(addrtype),
                             odup(address));
    sdp_message_s_name_set(sdp, odup("-"));
    sdp_message_c_connection_add(sdp, -1, odup("IN"), odup(addrtype), odup(address), NULL, NULL);
    sdp_message_t_time_descr_add(sdp, odup("0"), odup("0"));
    return sdp;
}

static void add_codec(sdp_message_t *sdp, int pos, int payload_type, const char *name, guint clock_rate)
{
    sdp_message_m_payload_add(sdp, pos, odup_printf("%d", payload_type));
    sdp_message_a_attribute_add(sdp, pos, odup("rtpmap"), odup_printf("%d %s/%u", payload_type, name, clock_rate));
}

sdp_message_t *sip_sdp_build_offer(struct sip_sdp_origin *origin, const char *address, guint16 port,
                                   enum sip_media_direction direction, GError **error)
{
    sdp_message_t *sdp;
    guint i;

    if (!sip_media_direction_name(direction))
    {
        g_set_error_literal(error, SIP_SDP_ERROR, SIP_SDP_ERROR_INVALID, "Bad media direction");
        return NULL;
    }
    if (!(sdp = new_message(origin, address, error))) return NULL;

    sdp_message_m_media_add(sdp, odup("audio"), odup_printf("%u", port), NULL, odup("RTP/AVP"));
    for (i = 0; i < G_N_ELEMENTS(our_codecs); i++)
        add_codec(sdp, 0, our_codecs[i].payload_type, our_codecs[i].name, our_codecs[i].clock_rate);
    add_codec(sdp, 0, SIP_SDP_TELEPHONE_EVENT_PT, "telephone-event", 8000);
    sdp_message_a_attribute_add(sdp, 0, odup("fmtp"),
                                odup_printf("%d " TELEPHONE_EVENT_FMTP, SIP_SDP_TELEPHONE_EVENT_PT));
    sdp_message_a_attribute_add(sdp, 0, odup(sip_media_direction_name(direction)), NULL);
    return sdp;
}

static void fill_params(struct sip_media_params *params, const char *address, guint port,
                        int payload_type, const struct codec *codec, int telephone_event_pt,
                        enum sip_media_direction direction)
{
    params->remote_address = g_strdup(address);
    params->remote_port = port;
    params->payload_type = payload_type;
    params->codec_name = g_strdup(codec->name);
    params->clock_rate = codec->clock_rate;
    params->telephone_event_pt = telephone_event_pt;
    params->direction = direction;
}

sdp_message_t *sip_sdp_build_answer(const sdp_message_t *offer, struct sip_sdp_origin *origin,
                                    const char *address, guint16 port,
                                    enum sip_media_direction direction,
                                    struct sip_media_params *negotiated, GError **error)
{
    const struct codec *codec = NULL;
    int chosen = -1, payload_type = -1, telephone_event_pt = -1, i, j;
    enum sip_media_direction ours = SIP_MEDIA_INACTIVE;
    const sdp_media_t *media;
    sdp_message_t *answer;
    guint offer_port = 0;

    if (negotiated)
    {
        memset(negotiated, 0, sizeof(*negotiated));
        negotiated->payload_type = negotiated->telephone_event_pt = -1;
    }
    if (!offer || !media_count(offer) || !sip_media_direction_name(direction))
    {
        g_set_error_literal(error, SIP_SDP_ERROR, SIP_SDP_ERROR_INVALID, "Offer without media");
        return NULL;
    }

    for (i = 0; i < media_count(offer); i++)
    {
        guint p;

        media = media_at(offer, i);
        if (!media_is_valid(media, &p))
        {
            g_set_error(error, SIP_SDP_ERROR, SIP_SDP_ERROR_INVALID, "Malformed m= line %d in offer", i + 1);
            return NULL;
        }
        if (chosen < 0 && p && media_is_audio(media) && !g_ascii_strcasecmp(media->m_proto, "RTP/AVP")
                && find_codecs(media, &payload_type, &codec, &telephone_event_pt))
        {
            if (!media_address(offer, media))
            {
                g_set_error(error, SIP_SDP_ERROR, SIP_SDP_ERROR_INVALID, "No c= address for m= line %d", i + 1);
                return NULL;
            }
            chosen = i;
            offer_port = p;
        }
    }
    if (chosen < 0)
    {
        g_set_error_literal(error, SIP_SDP_ERROR, SIP_SDP_ERROR_NOT_ACCEPTABLE, "No common audio codec");
        return NULL;
    }

    if (!(answer = new_message(origin, address, error))) return NULL;
    for (i = 0; i < media_count(offer); i++)
    {
        media = media_at(offer, i);
        if (i != chosen)
        {
            /* Rejected: port 0, the offer's formats (RFC 3264 §6 needs at least one). */
            sdp_message_m_media_add(answer, odup(media->m_media), odup("0"), NULL, odup(media->m_proto));
            for (j = 0; j < osip_list_size(&media->m_payloads); j++)
                sdp_message_m_payload_add(answer, i, odup(osip_list_get(&media->m_payloads, j)));
            continue;
        }

        sdp_message_m_media_add(answer, odup("audio"), odup_printf("%u", port), NULL, odup(media->m_proto));
        for (j = 0; j < osip_list_size(&media->m_payloads); j++)
        {
            const char *payload = osip_list_get(&media->m_payloads, j);
            const struct codec *c;

            switch (identify_codec(media, payload, &c))
            {
            case CODEC_AUDIO:
                add_codec(answer, i, atoi(payload), c->name, c->clock_rate);
                break;
            case CODEC_TELEPHONE_EVENT:
                if (atoi(payload) == telephone_event_pt)
                {
                    const char *fmtp = payload_attribute(media, "fmtp", telephone_event_pt);

                    add_codec(answer, i, telephone_event_pt, "telephone-event", 8000);
                    if (fmtp)
                        sdp_message_a_attribute_add(answer, i, odup("fmtp"),
                                                    odup_printf("%d %s", telephone_event_pt, fmtp));
                }
                break;
            case CODEC_UNKNOWN:
                break;
            }
        }
        ours = direction & sip_media_direction_reverse(media_direction(offer, media));
        sdp_message_a_attribute_add(answer, i, odup(sip_media_direction_name(ours)), NULL);
    }

    if (negotiated)
        fill_params(negotiated, media_address(offer, media_at(offer, chosen)), offer_port, payload_type,
                    codec, telephone_event_pt, ours);
    return answer;
}

gboolean sip_sdp_parse_answer(const sdp_message_t *answer, enum sip_media_direction offered,
                              struct sip_media_params *negotiated, GError **error)
{
    int i, payload_type, telephone_event_pt;
    const sdp_media_t *media = NULL;
    const struct codec *codec;
    const char *address;
    guint port;

    memset(negotiated, 0, sizeof(*negotiated));
    negotiated->payload_type = negotiated->telephone_event_pt = -1;
    if (!answer || !sip_media_direction_name(offered))
    {
        g_set_error_literal(error, SIP_SDP_ERROR, SIP_SDP_ERROR_INVALID, "No answer");
        return FALSE;
    }
    for (i = 0; i < media_count(answer) && !media; i++)
        if (media_is_audio(media_at(answer, i))) media = media_at(answer, i);
    if (!media)
    {
        g_set_error_literal(error, SIP_SDP_ERROR, SIP_SDP_ERROR_NOT_ACCEPTABLE, "No audio stream in answer");
        return FALSE;
    }
    if (!media_is_valid(media, &port))
    {
        g_set_error_literal(error, SIP_SDP_ERROR, SIP_SDP_ERROR_INVALID, "Malformed audio m= line in answer");
        return FALSE;
    }
    if (!port)
    {
        g_set_error_literal(error, SIP_SDP_ERROR, SIP_SDP_ERROR_NOT_ACCEPTABLE, "Audio stream rejected");
        return FALSE;
    }
    if (!(address = media_address(answer, media)))
    {
        g_set_error_literal(error, SIP_SDP_ERROR, SIP_SDP_ERROR_INVALID, "No c= address in answer");
        return FALSE;
    }
    if (!find_codecs(media, &payload_type, &codec, &telephone_event_pt))
    {
        g_set_error_literal(error, SIP_SDP_ERROR, SIP_SDP_ERROR_NOT_ACCEPTABLE, "No offered codec in answer");
        return FALSE;
    }
    fill_params(negotiated, address, port, payload_type, codec, telephone_event_pt,
                offered & sip_media_direction_reverse(media_direction(answer, media)));
    return TRUE;
}
