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

enum codec_kind
{
    CODEC_UNKNOWN,
    CODEC_AUDIO,
    CODEC_TELEPHONE_EVENT,
};

/* What one payload type of a peer's stream is, in our terms. */
struct payload
{
    enum codec_kind kind;
    int payload_type;
    const struct sip_media_format *format;  /* ours (for telephone-event: our entry) */
    guint clock_rate;                       /* the peer's (differs from ours only for telephone-event) */
    const char *fmtp;                       /* the peer's a=fmtp value, or NULL */
};

static gboolean is_telephone_event(const struct sip_media_format *format)
{
    return !g_ascii_strcasecmp(format->name, SIP_MEDIA_TELEPHONE_EVENT);
}

static const struct sip_media_format *formats_or_default(const struct sip_media_format *formats)
{
    return formats ? formats : sip_media_default_formats;
}

/* RTP, UDP and IPv4 headers of one packet, in bits: b=AS counts them, b=TIAS does not (RFC 3890). */
#define PACKET_OVERHEAD_BITS ((12 + 8 + 20) * 8)

static guint packets_per_second(guint ptime)
{
    return (1000 + ptime - 1) / ptime;
}

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

/* Formatted on the stack first: the fields formatted here are numbers and
 * rtpmap/fmtp values, nearly always short, and every answer has several. */
static char * G_GNUC_PRINTF(1, 2) odup_printf(const char *format, ...)
{
    char buffer[128], *text, *ret;
    va_list args;
    int length;

    va_start(args, format);
    length = g_vsnprintf(buffer, sizeof(buffer), format, args);
    va_end(args);
    if (length >= 0 && length < (int)sizeof(buffer))
        return osip_strdup(buffer);
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

/* A media-level attribute ("ptime", "rtcp"), else a session-level one; its value or NULL. */
static const char *find_attribute(const sdp_message_t *sdp, const sdp_media_t *media, const char *field)
{
    const osip_list_t *lists[] = { &media->a_attributes, sdp ? &sdp->a_attributes : NULL };
    guint l;
    int i;

    for (l = 0; l < G_N_ELEMENTS(lists); l++)
    {
        for (i = 0; lists[l] && i < osip_list_size(lists[l]); i++)
        {
            const sdp_attribute_t *attribute = osip_list_get(lists[l], i);

            if (attribute->a_att_field && !g_ascii_strcasecmp(attribute->a_att_field, field))
                return attribute->a_att_value;
        }
    }
    return NULL;
}

/* What a payload type of a stream is, as far as we are concerned. */
static enum codec_kind identify_codec(const sdp_media_t *media, const char *payload,
                                      const struct sip_media_format *formats, struct payload *out)
{
    const char *rtpmap;
    guint pt, i;

    memset(out, 0, sizeof(*out));
    if (!parse_number(payload, 127, &pt)) return CODEC_UNKNOWN;
    out->payload_type = pt;
    out->fmtp = payload_attribute(media, "fmtp", pt);

    if ((rtpmap = payload_attribute(media, "rtpmap", pt)))
    {
        /* encoding name "/" clock rate [ "/" channels ] */
        const char *slash = strchr(rtpmap, '/');
        guint64 clock, channels = 1;
        char *name, *end;

        if (!slash) return CODEC_UNKNOWN;
        clock = g_ascii_strtoull(slash + 1, &end, 10);
        if (end == slash + 1 || (*end && *end != '/' && !g_ascii_isspace(*end)) || !clock || clock > G_MAXINT32)
            return CODEC_UNKNOWN;
        if (*end == '/')
        {
            char *after;

            channels = g_ascii_strtoull(end + 1, &after, 10);
            if (after == end + 1 || !channels) return CODEC_UNKNOWN;
        }
        name = g_strndup(rtpmap, slash - rtpmap);
        g_strstrip(name);
        for (i = 0; formats[i].name; i++)
        {
            if (g_ascii_strcasecmp(name, formats[i].name)) continue;
            if (is_telephone_event(&formats[i]))
            {
                out->kind = CODEC_TELEPHONE_EVENT;
                out->format = &formats[i];
                out->clock_rate = clock;
                break;
            }
            if (clock == formats[i].clock_rate && channels == formats[i].channels)
            {
                out->kind = CODEC_AUDIO;
                out->format = &formats[i];
                out->clock_rate = clock;
                break;
            }
        }
        g_free(name);
        return out->kind;
    }

    /* A static payload type without rtpmap (RFC 3551). */
    for (i = 0; formats[i].name; i++)
    {
        if (pt < 96 && pt == (guint)formats[i].payload_type && !is_telephone_event(&formats[i]))
        {
            out->kind = CODEC_AUDIO;
            out->format = &formats[i];
            out->clock_rate = formats[i].clock_rate;
            return CODEC_AUDIO;
        }
    }
    return CODEC_UNKNOWN;
}

/* The payload types of a stream we know, in the stream's order: the audio
 * codecs, and one telephone-event (at the first codec's clock rate if
 * offered so, else the first one). Returns the number of audio codecs. */
static guint find_codecs(const sdp_media_t *media, const struct sip_media_format *formats,
                         struct payload payloads[SIP_MEDIA_MAX_CODECS], guint *count, int *telephone_event)
{
    struct payload events[SIP_MEDIA_MAX_CODECS];
    guint n_audio = 0, n_events = 0, i;
    int j;

    *count = 0;
    *telephone_event = -1;
    for (j = 0; j < osip_list_size(&media->m_payloads); j++)
    {
        struct payload p;

        switch (identify_codec(media, osip_list_get(&media->m_payloads, j), formats, &p))
        {
        case CODEC_AUDIO:
            /* one entry is kept free for telephone-event */
            if (*count < SIP_MEDIA_MAX_CODECS - 1)
            {
                payloads[(*count)++] = p;
                n_audio++;
            }
            break;
        case CODEC_TELEPHONE_EVENT:
            if (n_events < G_N_ELEMENTS(events)) events[n_events++] = p;
            break;
        case CODEC_UNKNOWN:
            break;
        }
    }
    if (!n_audio || !n_events) return n_audio;
    for (i = 0; i < n_events; i++)
        if (events[i].clock_rate == payloads[0].clock_rate) break;
    if (i == n_events)
        for (i = 0; i < n_events; i++)
            if (events[i].clock_rate == 8000) break;
    if (i == n_events) i = 0;
    *telephone_event = *count;
    payloads[(*count)++] = events[i];
    return n_audio;
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

guint sip_sdp_line_count(const sdp_message_t *sdp)
{
    return sdp ? (guint)media_count(sdp) : 0;
}

gboolean sip_sdp_line_info(const sdp_message_t *sdp, guint index, const char **media_name, guint *port,
                           enum sip_media_direction *direction)
{
    const sdp_media_t *media;

    if (index >= sip_sdp_line_count(sdp) || !media_is_valid((media = media_at(sdp, index)), port))
        return FALSE;
    *media_name = media->m_media;
    *direction = media_direction(sdp, media);
    return TRUE;
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
    sdp_message_t *sdp;
    guint64 version;

    if (!origin)
    {
        g_set_error_literal(error, SIP_SDP_ERROR, SIP_SDP_ERROR_INVALID, "No SDP origin");
        return NULL;
    }
    /* An IP literal (checked without a GInetAddress for every message); only IPv6 has colons. */
    if (!address || !g_hostname_is_ip_address(address))
    {
        g_set_error(error, SIP_SDP_ERROR, SIP_SDP_ERROR_INVALID, "Bad local media address %s",
                    address ? address : "(null)");
        return NULL;
    }
    addrtype = strchr(address, ':') ? "IP6" : "IP4";

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

/* m= format, rtpmap ("/channels" only when not 1) and fmtp of one payload type. */
static void add_codec(sdp_message_t *sdp, int pos, int payload_type, const char *name, guint clock_rate,
                      guint channels, const char *fmtp)
{
    sdp_message_m_payload_add(sdp, pos, odup_printf("%d", payload_type));
    sdp_message_a_attribute_add(sdp, pos, odup("rtpmap"),
                                channels > 1 ? odup_printf("%d %s/%u/%u", payload_type, name, clock_rate, channels)
                                             : odup_printf("%d %s/%u", payload_type, name, clock_rate));
    if (fmtp)
        sdp_message_a_attribute_add(sdp, pos, odup("fmtp"), odup_printf("%d %s", payload_type, fmtp));
}

static void add_ptime_and_direction(sdp_message_t *sdp, int pos, enum sip_media_direction direction)
{
    sdp_message_a_attribute_add(sdp, pos, odup("ptime"), odup_printf("%d", SIP_SDP_DEFAULT_PTIME));
    sdp_message_a_attribute_add(sdp, pos, odup(sip_media_direction_name(direction)), NULL);
}

sdp_message_t *sip_sdp_build_offer(struct sip_sdp_origin *origin, const char *address, guint16 port,
                                   enum sip_media_direction direction, const struct sip_media_format *formats,
                                   GError **error)
{
    sdp_message_t *sdp;
    guint i;

    formats = formats_or_default(formats);
    if (!sip_media_direction_name(direction) || !formats[0].name)
    {
        g_set_error_literal(error, SIP_SDP_ERROR, SIP_SDP_ERROR_INVALID, "Bad media direction or no formats");
        return NULL;
    }
    if (!(sdp = new_message(origin, address, error))) return NULL;

    sdp_message_m_media_add(sdp, odup("audio"), odup_printf("%u", port), NULL, odup("RTP/AVP"));
    for (i = 0; formats[i].name; i++)
        add_codec(sdp, 0, formats[i].payload_type, formats[i].name, formats[i].clock_rate, formats[i].channels,
                  formats[i].fmtp);
    add_ptime_and_direction(sdp, 0, direction);
    return sdp;
}

guint sip_sdp_format_min_bitrate(const struct sip_media_format *format)
{
    static const struct { const char *name; guint bitrate; } rates[] =
    {
        { "PCMU", 64000 }, { "PCMA", 64000 }, { "G722", 64000 },   /* RFC 3551 §4.5 */
        { "opus", 6000 },                                           /* RFC 7587 §3.1.1 */
    };
    guint i;

    for (i = 0; i < G_N_ELEMENTS(rates); i++)
        if (!g_ascii_strcasecmp(format->name, rates[i].name)) return rates[i].bitrate;
    return 0;
}

struct sip_media_format *sip_sdp_formats_within(const struct sip_media_format *formats, guint max_bitrate,
                                                GError **error)
{
    struct sip_media_format *within;
    guint i, count = 0;
    gboolean audio = FALSE;

    formats = formats_or_default(formats);
    for (i = 0; formats[i].name; i++) ;
    within = g_new0(struct sip_media_format, i + 1);
    for (i = 0; formats[i].name; i++)
        if (!max_bitrate || sip_sdp_format_min_bitrate(&formats[i]) <= max_bitrate)
        {
            within[count++] = formats[i];
            audio |= !is_telephone_event(&formats[i]);
        }
    if (max_bitrate && !audio)
    {
        g_set_error(error, SIP_SDP_ERROR, SIP_SDP_ERROR_NOT_ACCEPTABLE, "No audio codec fits in %u bit/s",
                    max_bitrate);
        g_free(within);
        return NULL;
    }
    return within;
}

void sip_sdp_add_bandwidth(sdp_message_t *sdp, guint max_bitrate)
{
    guint as = (max_bitrate + packets_per_second(SIP_SDP_DEFAULT_PTIME) * PACKET_OVERHEAD_BITS + 999) / 1000;
    int i;

    if (!max_bitrate) return;
    for (i = 0; i < media_count(sdp); i++)
    {
        const sdp_media_t *media = media_at(sdp, i);

        if (!media_is_audio(media) || !g_strcmp0(media->m_port, "0")) continue;
        sdp_message_b_bandwidth_add(sdp, i, odup("AS"), odup_printf("%u", as));
        sdp_message_b_bandwidth_add(sdp, i, odup("TIAS"), odup_printf("%u", max_bitrate));
    }
}

/* The packet duration a stream's writer wants to receive (a=ptime), or the default. */
static guint media_ptime(const sdp_message_t *sdp, const sdp_media_t *media)
{
    guint ptime;

    if (!parse_number(find_attribute(sdp, media, "ptime"), 1000, &ptime) || !ptime) return SIP_SDP_DEFAULT_PTIME;
    return ptime;
}

/* The RTCP port of a stream: a=rtcp (RFC 3605), else RTP + 1. */
static guint16 media_rtcp_port(const sdp_message_t *sdp, const sdp_media_t *media, guint rtp_port)
{
    const char *value = find_attribute(NULL, media, "rtcp");
    char *port_text;
    guint port;

    if (value)
    {
        port_text = g_strndup(value, strcspn(value, " \t"));
        if (parse_number(port_text, 65535, &port) && port)
        {
            g_free(port_text);
            return port;
        }
        g_free(port_text);
    }
    return rtp_port + 1;
}

/* The most a stream's writer wants to receive, in bit/s of RTP payload: its
 * b=TIAS, else its b=AS less the headers at its packet rate (media level
 * first, then session level); 0 when it sets no limit. */
static guint media_max_bitrate(const sdp_message_t *sdp, const sdp_media_t *media, guint ptime)
{
    const osip_list_t *lists[] = { &media->b_bandwidths, &sdp->b_bandwidths };
    guint i, value, overhead = packets_per_second(ptime) * PACKET_OVERHEAD_BITS;
    int j;

    for (i = 0; i < G_N_ELEMENTS(lists); i++)
    {
        guint as = 0;

        for (j = 0; j < osip_list_size(lists[i]); j++)
        {
            const sdp_bandwidth_t *b = osip_list_get(lists[i], j);

            if (!b->b_bwtype || !parse_number(b->b_bandwidth, G_MAXUINT / 1000, &value) || !value) continue;
            if (!g_ascii_strcasecmp(b->b_bwtype, "TIAS")) return value;
            if (!g_ascii_strcasecmp(b->b_bwtype, "AS")) as = value;
        }
        if (as) return as * 1000 > overhead ? as * 1000 - overhead : 1;
    }
    return 0;
}

static void fill_params(struct sip_media_params *params, const sdp_message_t *sdp, const sdp_media_t *media,
                        guint port, const struct payload *payloads, guint count, int telephone_event,
                        enum sip_media_direction direction)
{
    guint i;

    params->remote_address = g_strdup(media_address(sdp, media));
    params->remote_port = port;
    params->remote_rtcp_port = media_rtcp_port(sdp, media, port);
    params->payload_type = payloads[0].payload_type;
    params->codec_name = g_strdup(payloads[0].format->name);
    params->clock_rate = payloads[0].format->clock_rate;
    params->channels = payloads[0].format->channels;
    params->fmtp = g_strdup(payloads[0].fmtp);
    params->ptime = media_ptime(sdp, media);
    params->max_bitrate = media_max_bitrate(sdp, media, params->ptime);
    params->telephone_event_pt = telephone_event >= 0 ? payloads[telephone_event].payload_type : -1;
    params->telephone_event_clock_rate = telephone_event >= 0 ? payloads[telephone_event].clock_rate : 0;
    for (i = 0; i < count; i++)
    {
        struct sip_media_codec *codec = &params->codecs[i];

        codec->payload_type = payloads[i].payload_type;
        codec->name = g_strdup(payloads[i].format->name);
        codec->clock_rate = payloads[i].clock_rate;
        codec->channels = payloads[i].format->channels;
        codec->fmtp = g_strdup(payloads[i].fmtp);
    }
    params->n_codecs = count;
    params->direction = direction;
}

static void params_init(struct sip_media_params *params)
{
    memset(params, 0, sizeof(*params));
    params->payload_type = params->telephone_event_pt = -1;
}

/* Port 0 and the offer's formats: RFC 3264 §6 needs at least one. */
static void add_refused_media(sdp_message_t *answer, int pos, const sdp_media_t *media)
{
    int j;

    sdp_message_m_media_add(answer, odup(media->m_media), odup("0"), NULL, odup(media->m_proto));
    for (j = 0; j < osip_list_size(&media->m_payloads); j++)
        sdp_message_m_payload_add(answer, pos, odup(osip_list_get(&media->m_payloads, j)));
}

sdp_message_t *sip_sdp_build_answer(const sdp_message_t *offer, struct sip_sdp_origin *origin,
                                    const char *address, guint16 port,
                                    enum sip_media_direction direction,
                                    const struct sip_media_format *formats,
                                    struct sip_media_params *negotiated, GError **error)
{
    return sip_sdp_build_answer_refusing(offer, origin, address, port, direction, formats, 0, negotiated, error);
}

sdp_message_t *sip_sdp_build_answer_refusing(const sdp_message_t *offer, struct sip_sdp_origin *origin,
                                             const char *address, guint16 port,
                                             enum sip_media_direction direction,
                                             const struct sip_media_format *formats, guint64 refused,
                                             struct sip_media_params *negotiated, GError **error)
{
    struct payload payloads[SIP_MEDIA_MAX_CODECS];
    int chosen = -1, telephone_event = -1, i, j;
    enum sip_media_direction ours = SIP_MEDIA_INACTIVE;
    guint offer_port = 0, count = 0, k;
    const sdp_media_t *media;
    sdp_message_t *answer;

    formats = formats_or_default(formats);
    if (negotiated) params_init(negotiated);
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
        if (chosen < 0 && p && !(i < 64 && (refused >> i) & 1) && media_is_audio(media) && !g_ascii_strcasecmp(media->m_proto, "RTP/AVP")
                && find_codecs(media, formats, payloads, &count, &telephone_event))
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
    if (chosen < 0 && !refused)
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
            add_refused_media(answer, i, media);
            continue;
        }

        sdp_message_m_media_add(answer, odup("audio"), odup_printf("%u", port), NULL, odup(media->m_proto));
        /* The offer's order and numbers; telephone-event where the offer had it. */
        for (j = 0; j < osip_list_size(&media->m_payloads); j++)
        {
            guint pt;

            if (!parse_number(osip_list_get(&media->m_payloads, j), 127, &pt)) continue;
            for (k = 0; k < count; k++)
            {
                const struct payload *p = &payloads[k];

                if (p->payload_type != (int)pt) continue;
                if (p->kind == CODEC_TELEPHONE_EVENT)
                    add_codec(answer, i, pt, SIP_MEDIA_TELEPHONE_EVENT, p->clock_rate, 1, p->fmtp);
                else
                    add_codec(answer, i, pt, p->format->name, p->format->clock_rate, p->format->channels,
                              p->format->fmtp);
                break;
            }
        }
        ours = direction & sip_media_direction_reverse(media_direction(offer, media));
        add_ptime_and_direction(answer, i, ours);
    }

    if (negotiated && chosen >= 0)
        fill_params(negotiated, offer, media_at(offer, chosen), offer_port, payloads, count, telephone_event, ours);
    return answer;
}

sdp_message_t *sip_sdp_build_without_media(const sdp_message_t *offer, struct sip_sdp_origin *origin,
                                           const char *address, GError **error)
{
    sdp_message_t *sdp;
    guint port;
    int i;

    for (i = 0; offer && i < media_count(offer); i++)
        if (!media_is_valid(media_at(offer, i), &port))
        {
            g_set_error(error, SIP_SDP_ERROR, SIP_SDP_ERROR_INVALID, "Malformed m= line %d in offer", i + 1);
            return NULL;
        }
    if (!(sdp = new_message(origin, address, error))) return NULL;
    for (i = 0; offer && i < media_count(offer); i++)
        add_refused_media(sdp, i, media_at(offer, i));
    return sdp;
}

gboolean sip_sdp_has_no_media(const sdp_message_t *sdp)
{
    return !media_count(sdp);
}

gboolean sip_sdp_parse_answer(const sdp_message_t *answer, enum sip_media_direction offered,
                              const struct sip_media_format *formats,
                              struct sip_media_params *negotiated, GError **error)
{
    struct payload payloads[SIP_MEDIA_MAX_CODECS];
    const sdp_media_t *media = NULL;
    int i, telephone_event;
    guint port, count;

    formats = formats_or_default(formats);
    params_init(negotiated);
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
    if (!media_address(answer, media))
    {
        g_set_error_literal(error, SIP_SDP_ERROR, SIP_SDP_ERROR_INVALID, "No c= address in answer");
        return FALSE;
    }
    if (!find_codecs(media, formats, payloads, &count, &telephone_event))
    {
        g_set_error_literal(error, SIP_SDP_ERROR, SIP_SDP_ERROR_NOT_ACCEPTABLE, "No offered codec in answer");
        return FALSE;
    }
    fill_params(negotiated, answer, media, port, payloads, count, telephone_event,
                offered & sip_media_direction_reverse(media_direction(answer, media)));
    return TRUE;
}
