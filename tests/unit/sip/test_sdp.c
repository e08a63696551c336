/*
 * Unit tests for SDP offer/answer.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include <osipparser2/osip_port.h>

#include "sdp_offer_answer.h"

static struct sip_sdp_origin fixed_origin(void)
{
    struct sip_sdp_origin origin = { 4242, 7, FALSE };

    return origin;
}

static char *to_string_and_free(sdp_message_t *sdp)
{
    char *text;

    assert_non_null(sdp);
    text = sip_sdp_to_string(sdp);
    sdp_message_free(sdp);
    return text;
}

/* The session part of the SDP we write, with fixed_origin()'s first version, on 127.0.0.1. */
#define OUR_SDP_HEAD "v=0\r\no=- 4242 7 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"

static void test_offer(void **state)
{
    struct sip_sdp_origin origin = fixed_origin();
    char *text;

    (void)state;
    text = to_string_and_free(sip_sdp_build_offer(&origin, "127.0.0.1", 40000, SIP_MEDIA_SENDRECV, NULL, NULL));
    assert_string_equal(text,
        OUR_SDP_HEAD
        "m=audio 40000 RTP/AVP 0 8 101\r\n"
        "a=rtpmap:0 PCMU/8000\r\n"
        "a=rtpmap:8 PCMA/8000\r\n"
        "a=rtpmap:101 telephone-event/8000\r\n"
        "a=fmtp:101 0-16\r\n"
        "a=ptime:20\r\n"
        "a=sendrecv\r\n");
    g_free(text);

    /* Re-offer for hold: version goes up, direction changes. */
    text = to_string_and_free(sip_sdp_build_offer(&origin, "127.0.0.1", 40000, SIP_MEDIA_SENDONLY, NULL, NULL));
    assert_non_null(strstr(text, "o=- 4242 8 IN IP4 127.0.0.1\r\n"));
    assert_non_null(strstr(text, "a=sendonly\r\n"));
    g_free(text);
    text = to_string_and_free(sip_sdp_build_offer(&origin, "127.0.0.1", 40000, SIP_MEDIA_INACTIVE, NULL, NULL));
    assert_non_null(strstr(text, "o=- 4242 9 IN IP4 127.0.0.1\r\n"));
    assert_non_null(strstr(text, "a=inactive\r\n"));
    g_free(text);
    assert_int_equal(origin.session_version, 9);

    /* IPv6 */
    origin = fixed_origin();
    text = to_string_and_free(sip_sdp_build_offer(&origin, "::1", 40002, SIP_MEDIA_SENDRECV, NULL, NULL));
    assert_non_null(strstr(text, "o=- 4242 7 IN IP6 ::1\r\ns=-\r\nc=IN IP6 ::1\r\n"));
    assert_non_null(strstr(text, "m=audio 40002 RTP/AVP 0 8 101\r\n"));
    g_free(text);
}

/* A format line longer than the usual few dozen characters is written whole. */
static void test_offer_long_fmtp(void **state)
{
    struct sip_sdp_origin origin = fixed_origin();
    struct sip_media_format formats[] = { { "opus", 48000, 2, 111, NULL }, { NULL } };
    char *fmtp = g_strnfill(300, 'x'), *expected, *text;

    (void)state;
    formats[0].fmtp = fmtp;
    text = to_string_and_free(sip_sdp_build_offer(&origin, "127.0.0.1", 40000, SIP_MEDIA_SENDRECV, formats, NULL));
    expected = g_strdup_printf("a=fmtp:111 %s\r\n", fmtp);
    assert_non_null(strstr(text, expected));
    g_free(expected);
    g_free(text);
    g_free(fmtp);
}

static void test_offer_bad(void **state)
{
    struct sip_sdp_origin origin = fixed_origin();
    GError *error = NULL;

    (void)state;
    assert_null(sip_sdp_build_offer(&origin, "not-an-ip", 40000, SIP_MEDIA_SENDRECV, NULL, &error));
    assert_true(g_error_matches(error, SIP_SDP_ERROR, SIP_SDP_ERROR_INVALID));
    g_clear_error(&error);
    assert_null(sip_sdp_build_offer(&origin, NULL, 40000, SIP_MEDIA_SENDRECV, NULL, &error));
    g_clear_error(&error);
    assert_null(sip_sdp_build_offer(NULL, "127.0.0.1", 40000, SIP_MEDIA_SENDRECV, NULL, &error));
    g_clear_error(&error);
    assert_null(sip_sdp_build_offer(&origin, "127.0.0.1", 40000, 4, NULL, &error));
    g_clear_error(&error);
    /* failures do not consume a version */
    assert_false(origin.used);
}

static void test_origin_init(void **state)
{
    struct sip_sdp_origin origin;

    (void)state;
    sip_sdp_origin_init(&origin);
    assert_true(origin.session_id > 0);
    assert_int_equal(origin.session_version, origin.session_id);
    assert_false(origin.used);
}

/* A typical offer from another UA: codecs we lack, dynamic telephone-event. */
#define REMOTE_OFFER(codecs, rtpmaps, dir) \
    "v=0\r\n" \
    "o=bob 2890844527 2890844527 IN IP4 192.0.2.10\r\n" \
    "s=call\r\n" \
    "c=IN IP4 192.0.2.10\r\n" \
    "t=0 0\r\n" \
    "m=audio 49170 RTP/AVP " codecs "\r\n" \
    rtpmaps \
    dir

static sdp_message_t *parse(const char *text)
{
    GError *error = NULL;
    sdp_message_t *sdp = sip_sdp_parse(text, &error);

    assert_null(error);
    assert_non_null(sdp);
    return sdp;
}

static void test_answer(void **state)
{
    struct sip_sdp_origin origin = fixed_origin();
    struct sip_media_params params;
    GError *error = NULL;
    sdp_message_t *offer;
    char *text;

    (void)state;
    offer = parse(REMOTE_OFFER("9 8 96 0 97",
                               "a=rtpmap:9 G722/8000\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:96 telephone-event/8000\r\n"
                               "a=fmtp:96 0-15\r\na=rtpmap:97 opus/48000/2\r\na=ptime:20\r\n", "a=sendrecv\r\n"));
    text = to_string_and_free(sip_sdp_build_answer(offer, &origin, "127.0.0.1", 40000, SIP_MEDIA_SENDRECV, NULL,
                                                   &params, &error));
    assert_null(error);
    /* The offer's order and payload numbers, our codecs only. */
    assert_string_equal(text,
        OUR_SDP_HEAD
        "m=audio 40000 RTP/AVP 8 96 0\r\n"
        "a=rtpmap:8 PCMA/8000\r\n"
        "a=rtpmap:96 telephone-event/8000\r\n"
        "a=fmtp:96 0-15\r\n"
        "a=rtpmap:0 PCMU/8000\r\n"
        "a=ptime:20\r\n"
        "a=sendrecv\r\n");
    g_free(text);
    assert_string_equal(params.remote_address, "192.0.2.10");
    assert_int_equal(params.remote_port, 49170);
    assert_int_equal(params.payload_type, 8);
    assert_string_equal(params.codec_name, "PCMA");
    assert_int_equal(params.clock_rate, 8000);
    assert_int_equal(params.telephone_event_pt, 96);
    assert_int_equal(params.direction, SIP_MEDIA_SENDRECV);
    sip_media_params_clear(&params);
    sdp_message_free(offer);

    /* Static payload types without rtpmap, no telephone-event. */
    offer = parse(REMOTE_OFFER("0", "", ""));
    text = to_string_and_free(sip_sdp_build_answer(offer, &origin, "127.0.0.1", 40000, SIP_MEDIA_SENDRECV, NULL,
                                                   &params, &error));
    assert_non_null(strstr(text, "o=- 4242 8 IN IP4 127.0.0.1\r\n"));
    assert_non_null(strstr(text, "m=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=ptime:20\r\na=sendrecv\r\n"));
    assert_null(strstr(text, "telephone-event"));
    g_free(text);
    assert_int_equal(params.payload_type, 0);
    assert_int_equal(params.telephone_event_pt, -1);
    sip_media_params_clear(&params);
    sdp_message_free(offer);

    /* telephone-event without fmtp: no fmtp in the answer either (0-15 implied). */
    offer = parse(REMOTE_OFFER("0 101", "a=rtpmap:101 telephone-event/8000\r\n", ""));
    text = to_string_and_free(sip_sdp_build_answer(offer, &origin, "127.0.0.1", 40000, SIP_MEDIA_SENDRECV, NULL,
                                                   NULL, &error));
    assert_non_null(strstr(text, "m=audio 40000 RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\n"
                                 "a=rtpmap:101 telephone-event/8000\r\na=ptime:20\r\na=sendrecv\r\n"));
    g_free(text);
    sdp_message_free(offer);
}

static void check_direction(const char *session_attr, const char *media_attr, const char *address,
                            enum sip_media_direction local, enum sip_media_direction expected)
{
    struct sip_sdp_origin origin = fixed_origin();
    struct sip_media_params params;
    sdp_message_t *offer, *answer;
    char *text, *attr;

    text = g_strdup_printf("v=0\r\no=x 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\n%s"
                           "m=audio 5000 RTP/AVP 0\r\n%s", address, session_attr, media_attr);
    offer = parse(text);
    g_free(text);
    answer = sip_sdp_build_answer(offer, &origin, "127.0.0.1", 40000, local, NULL, &params, NULL);
    assert_non_null(answer);
    assert_int_equal(params.direction, expected);
    text = to_string_and_free(answer);
    attr = g_strdup_printf("a=%s\r\n", sip_media_direction_name(expected));
    assert_non_null(strstr(text, attr));
    g_free(attr);
    g_free(text);
    sip_media_params_clear(&params);
    sdp_message_free(offer);
}

static void test_answer_direction(void **state)
{
    (void)state;
    /* RFC 3264 §6.1 mirroring */
    check_direction("", "", "192.0.2.1", SIP_MEDIA_SENDRECV, SIP_MEDIA_SENDRECV);
    check_direction("", "a=sendrecv\r\n", "192.0.2.1", SIP_MEDIA_SENDRECV, SIP_MEDIA_SENDRECV);
    check_direction("", "a=sendonly\r\n", "192.0.2.1", SIP_MEDIA_SENDRECV, SIP_MEDIA_RECVONLY);
    check_direction("", "a=recvonly\r\n", "192.0.2.1", SIP_MEDIA_SENDRECV, SIP_MEDIA_SENDONLY);
    check_direction("", "a=inactive\r\n", "192.0.2.1", SIP_MEDIA_SENDRECV, SIP_MEDIA_INACTIVE);
    /* session-level attribute, overridden by a media-level one */
    check_direction("a=sendonly\r\n", "", "192.0.2.1", SIP_MEDIA_SENDRECV, SIP_MEDIA_RECVONLY);
    check_direction("a=sendonly\r\n", "a=sendrecv\r\n", "192.0.2.1", SIP_MEDIA_SENDRECV, SIP_MEDIA_SENDRECV);
    /* RFC 2543 hold */
    check_direction("", "", "0.0.0.0", SIP_MEDIA_SENDRECV, SIP_MEDIA_RECVONLY);
    check_direction("", "a=sendonly\r\n", "0.0.0.0", SIP_MEDIA_SENDRECV, SIP_MEDIA_RECVONLY);
    /* our own hold limits the answer too */
    check_direction("", "", "192.0.2.1", SIP_MEDIA_SENDONLY, SIP_MEDIA_SENDONLY);
    check_direction("", "a=sendonly\r\n", "192.0.2.1", SIP_MEDIA_SENDONLY, SIP_MEDIA_INACTIVE);
    check_direction("", "a=recvonly\r\n", "192.0.2.1", SIP_MEDIA_RECVONLY, SIP_MEDIA_INACTIVE);
    check_direction("", "", "192.0.2.1", SIP_MEDIA_INACTIVE, SIP_MEDIA_INACTIVE);
}

static void test_answer_streams(void **state)
{
    static const char offer_text[] =
        "v=0\r\n"
        "o=x 1 1 IN IP6 2001:db8::1\r\n"
        "s=-\r\n"
        "t=0 0\r\n"
        "m=video 5004 RTP/AVP 96\r\n"
        "c=IN IP6 2001:db8::2\r\n"
        "a=rtpmap:96 H264/90000\r\n"
        "m=audio 0 RTP/AVP 0\r\n"
        "c=IN IP6 2001:db8::3\r\n"
        "m=audio 5006 RTP/SAVP 0\r\n"
        "c=IN IP6 2001:db8::4\r\n"
        "m=audio 5008 RTP/AVP 18 3\r\n"
        "c=IN IP6 2001:db8::5\r\n"
        "m=audio 5010 RTP/AVP 18 8\r\n"
        "c=IN IP6 2001:db8::6\r\n"
        "a=rtpmap:18 G729/8000\r\n"
        "m=audio 5012 RTP/AVP 0\r\n"
        "c=IN IP6 2001:db8::7\r\n";
    struct sip_sdp_origin origin = fixed_origin();
    struct sip_media_params params;
    sdp_message_t *offer;
    char *text;

    (void)state;
    offer = parse(offer_text);
    text = to_string_and_free(sip_sdp_build_answer(offer, &origin, "::1", 40000, SIP_MEDIA_SENDRECV, NULL, &params, NULL));
    /* Same number of m= lines; only the first usable audio stream accepted. */
    assert_string_equal(text,
        "v=0\r\n"
        "o=- 4242 7 IN IP6 ::1\r\n"
        "s=-\r\n"
        "c=IN IP6 ::1\r\n"
        "t=0 0\r\n"
        "m=video 0 RTP/AVP 96\r\n"
        "m=audio 0 RTP/AVP 0\r\n"
        "m=audio 0 RTP/SAVP 0\r\n"
        "m=audio 0 RTP/AVP 18 3\r\n"
        "m=audio 40000 RTP/AVP 8\r\n"
        "a=rtpmap:8 PCMA/8000\r\n"
        "a=ptime:20\r\n"
        "a=sendrecv\r\n"
        "m=audio 0 RTP/AVP 0\r\n");
    g_free(text);
    assert_string_equal(params.remote_address, "2001:db8::6");
    assert_int_equal(params.remote_port, 5010);
    assert_int_equal(params.payload_type, 8);
    sip_media_params_clear(&params);
    sdp_message_free(offer);
}

/* Lines the layer above refuses get port 0; refusing the audio refuses everything, without failing. */
static void test_answer_refusing(void **state)
{
    static const char offer_text[] =
        "v=0\r\n"
        "o=x 1 1 IN IP4 192.0.2.1\r\n"
        "s=-\r\n"
        "c=IN IP4 192.0.2.1\r\n"
        "t=0 0\r\n"
        "m=audio 5004 RTP/AVP 0\r\n"
        "a=sendonly\r\n"
        "m=video 5006 RTP/AVP 96\r\n"
        "a=rtpmap:96 H264/90000\r\n"
        "m=audio 5008 RTP/AVP 8\r\n";
    struct sip_sdp_origin origin = fixed_origin();
    struct sip_media_params params;
    GError *error = NULL;
    sdp_message_t *offer;
    char *text;

    (void)state;
    offer = parse(offer_text);
    /* the video refused (as it would be anyway): the first audio answered */
    text = to_string_and_free(sip_sdp_build_answer_refusing(offer, &origin, "127.0.0.1", 40000, SIP_MEDIA_SENDRECV,
                                                            NULL, 1 << 1, &params, NULL));
    assert_non_null(strstr(text, "m=audio 40000 RTP/AVP 0\r\n"));
    assert_non_null(strstr(text, "a=recvonly\r\n"));
    assert_non_null(strstr(text, "m=video 0 RTP/AVP 96\r\n"));
    assert_non_null(strstr(text, "m=audio 0 RTP/AVP 8\r\n"));
    assert_int_equal(params.direction, SIP_MEDIA_RECVONLY);
    g_free(text);
    sip_media_params_clear(&params);
    /* the first audio refused: the next one is taken */
    text = to_string_and_free(sip_sdp_build_answer_refusing(offer, &origin, "127.0.0.1", 40000, SIP_MEDIA_SENDRECV,
                                                            NULL, 1 << 0, &params, NULL));
    assert_non_null(strstr(text, "m=audio 0 RTP/AVP 0\r\n"));
    assert_non_null(strstr(text, "m=audio 40000 RTP/AVP 8\r\n"));
    assert_int_equal(params.remote_port, 5008);
    g_free(text);
    sip_media_params_clear(&params);
    /* every audio refused: every line port 0, no codec agreed, no error */
    text = to_string_and_free(sip_sdp_build_answer_refusing(offer, &origin, "127.0.0.1", 40000, SIP_MEDIA_SENDRECV,
                                                            NULL, (1 << 0) | (1 << 2), &params, &error));
    assert_null(error);
    assert_non_null(strstr(text, "m=audio 0 RTP/AVP 0\r\n"));
    assert_non_null(strstr(text, "m=video 0 RTP/AVP 96\r\n"));
    assert_non_null(strstr(text, "m=audio 0 RTP/AVP 8\r\n"));
    assert_null(params.codec_name);
    assert_int_equal(params.payload_type, -1);
    g_free(text);
    sip_media_params_clear(&params);
    /* the lines as the layer above sees them */
    assert_int_equal(sip_sdp_line_count(offer), 3);
    {
        enum sip_media_direction direction;
        const char *media;
        guint port;

        assert_true(sip_sdp_line_info(offer, 1, &media, &port, &direction));
        assert_string_equal(media, "video");
        assert_int_equal(port, 5006);
        assert_int_equal(direction, SIP_MEDIA_SENDRECV);
        assert_true(sip_sdp_line_info(offer, 0, &media, &port, &direction));
        assert_int_equal(direction, SIP_MEDIA_SENDONLY);
        assert_false(sip_sdp_line_info(offer, 3, &media, &port, &direction));
    }
    sdp_message_free(offer);
}

static void check_answer_fails(const char *offer_text, enum sip_sdp_error code)
{
    struct sip_sdp_origin origin = fixed_origin();
    struct sip_media_params params;
    GError *error = NULL;
    sdp_message_t *offer = parse(offer_text);

    assert_null(sip_sdp_build_answer(offer, &origin, "127.0.0.1", 40000, SIP_MEDIA_SENDRECV, NULL, &params, &error));
    assert_true(g_error_matches(error, SIP_SDP_ERROR, code));
    assert_null(params.remote_address);
    assert_null(params.codec_name);
    assert_false(origin.used);
    g_error_free(error);
    sdp_message_free(offer);
}

static void test_answer_488(void **state)
{
    (void)state;
    /* No common codec: 488 Not Acceptable Here. */
    check_answer_fails(REMOTE_OFFER("9 18", "a=rtpmap:9 G722/8000\r\na=rtpmap:18 G729/8000\r\n", ""),
                       SIP_SDP_ERROR_NOT_ACCEPTABLE);
    /* Only telephone-event in common */
    check_answer_fails(REMOTE_OFFER("18 101", "a=rtpmap:101 telephone-event/8000\r\n", ""),
                       SIP_SDP_ERROR_NOT_ACCEPTABLE);
    /* PCMU on a dynamic type at another rate, stereo PCMA, a static number remapped */
    check_answer_fails(REMOTE_OFFER("96 97 0", "a=rtpmap:96 PCMU/16000\r\na=rtpmap:97 PCMA/8000/2\r\n"
                                    "a=rtpmap:0 G729/8000\r\n", ""), SIP_SDP_ERROR_NOT_ACCEPTABLE);
    /* Video only; audio disabled; secure profile only */
    check_answer_fails("v=0\r\no=x 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n"
                       "m=video 5000 RTP/AVP 96\r\n", SIP_SDP_ERROR_NOT_ACCEPTABLE);
    check_answer_fails("v=0\r\no=x 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n"
                       "m=audio 0 RTP/AVP 0\r\n", SIP_SDP_ERROR_NOT_ACCEPTABLE);
    check_answer_fails("v=0\r\no=x 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n"
                       "m=audio 5000 RTP/SAVP 0\r\n", SIP_SDP_ERROR_NOT_ACCEPTABLE);
    check_answer_fails("v=0\r\no=x 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n"
                       "m=audio 5000 UDP/TLS/RTP/SAVPF 0\r\n", SIP_SDP_ERROR_NOT_ACCEPTABLE);
}

static void test_answer_malformed(void **state)
{
    struct sip_sdp_origin origin = fixed_origin();
    GError *error = NULL;
    sdp_message_t *empty;

    (void)state;
    /* osip's parser lets these through; we do not. */
    check_answer_fails("v=0\r\no=x 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n"
                       "m=audio x RTP/AVP 0\r\n", SIP_SDP_ERROR_INVALID);
    check_answer_fails("v=0\r\no=x 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n"
                       "m=audio 70000 RTP/AVP 0\r\n", SIP_SDP_ERROR_INVALID);
    check_answer_fails("v=0\r\no=x 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n"
                       "m=audio 5000 RTP/AVP\r\n", SIP_SDP_ERROR_INVALID);
    check_answer_fails("v=0\r\no=x 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n"
                       "m=audio 5000 RTP/AVP 0\r\nm=video -1 RTP/AVP 96\r\n", SIP_SDP_ERROR_INVALID);
    /* no c= for the stream */
    check_answer_fails("v=0\r\no=x 1 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\nm=audio 5000 RTP/AVP 0\r\n",
                       SIP_SDP_ERROR_INVALID);
    /* no media at all */
    check_answer_fails("v=0\r\no=x 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n",
                       SIP_SDP_ERROR_INVALID);

    assert_null(sip_sdp_build_answer(NULL, &origin, "127.0.0.1", 40000, SIP_MEDIA_SENDRECV, NULL, NULL, &error));
    assert_true(g_error_matches(error, SIP_SDP_ERROR, SIP_SDP_ERROR_INVALID));
    g_clear_error(&error);
    assert_int_equal(sdp_message_init(&empty), 0);
    assert_null(sip_sdp_build_answer(empty, &origin, "127.0.0.1", 40000, SIP_MEDIA_SENDRECV, NULL, NULL, &error));
    g_clear_error(&error);
    sdp_message_free(empty);

    /* unparseable text */
    assert_null(sip_sdp_parse("", &error));
    assert_true(g_error_matches(error, SIP_SDP_ERROR, SIP_SDP_ERROR_INVALID));
    g_clear_error(&error);
    assert_null(sip_sdp_parse("hello", &error));
    g_clear_error(&error);
    assert_null(sip_sdp_parse("v=0\r\n", &error));
    g_clear_error(&error);
    assert_null(sip_sdp_parse(NULL, &error));
    g_clear_error(&error);
    assert_null(sip_sdp_to_string(NULL));
}

static void check_parse_answer(const char *text, enum sip_media_direction offered, const char *address,
                               guint port, int pt, const char *codec, int te, enum sip_media_direction direction)
{
    struct sip_media_params params;
    GError *error = NULL;
    sdp_message_t *answer = parse(text);

    assert_true(sip_sdp_parse_answer(answer, offered, NULL, &params, &error));
    assert_null(error);
    assert_string_equal(params.remote_address, address);
    assert_int_equal(params.remote_port, port);
    assert_int_equal(params.payload_type, pt);
    assert_string_equal(params.codec_name, codec);
    assert_int_equal(params.clock_rate, 8000);
    assert_int_equal(params.telephone_event_pt, te);
    assert_int_equal(params.direction, direction);
    sip_media_params_clear(&params);
    sdp_message_free(answer);
}

#define ANSWER(c, m) "v=0\r\no=y 5 6 IN IP4 192.0.2.20\r\ns=-\r\n" c "t=0 0\r\n" m

static void test_parse_answer(void **state)
{
    (void)state;
    check_parse_answer(ANSWER("c=IN IP4 192.0.2.20\r\n", "m=audio 30000 RTP/AVP 8 101\r\na=rtpmap:8 PCMA/8000\r\n"
                              "a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\n"),
                       SIP_MEDIA_SENDRECV, "192.0.2.20", 30000, 8, "PCMA", 101, SIP_MEDIA_SENDRECV);
    check_parse_answer(ANSWER("c=IN IP4 192.0.2.20\r\n", "m=audio 30000 RTP/AVP 0\r\n"),
                       SIP_MEDIA_SENDRECV, "192.0.2.20", 30000, 0, "PCMU", -1, SIP_MEDIA_SENDRECV);
    /* unknown codecs first, media-level c= wins */
    check_parse_answer(ANSWER("c=IN IP4 192.0.2.20\r\n", "m=audio 30002 RTP/AVP 18 0 8\r\nc=IN IP6 2001:db8::9\r\n"),
                       SIP_MEDIA_SENDRECV, "2001:db8::9", 30002, 0, "PCMU", -1, SIP_MEDIA_SENDRECV);
    /* direction from our side */
    check_parse_answer(ANSWER("c=IN IP4 192.0.2.20\r\n", "m=audio 30000 RTP/AVP 0\r\na=recvonly\r\n"),
                       SIP_MEDIA_SENDRECV, "192.0.2.20", 30000, 0, "PCMU", -1, SIP_MEDIA_SENDONLY);
    check_parse_answer(ANSWER("c=IN IP4 192.0.2.20\r\n", "m=audio 30000 RTP/AVP 0\r\na=recvonly\r\n"),
                       SIP_MEDIA_SENDONLY, "192.0.2.20", 30000, 0, "PCMU", -1, SIP_MEDIA_SENDONLY);
    check_parse_answer(ANSWER("c=IN IP4 192.0.2.20\r\n", "m=audio 30000 RTP/AVP 0\r\na=sendonly\r\n"),
                       SIP_MEDIA_SENDRECV, "192.0.2.20", 30000, 0, "PCMU", -1, SIP_MEDIA_RECVONLY);
    check_parse_answer(ANSWER("c=IN IP4 192.0.2.20\r\n", "m=audio 30000 RTP/AVP 0\r\na=inactive\r\n"),
                       SIP_MEDIA_SENDRECV, "192.0.2.20", 30000, 0, "PCMU", -1, SIP_MEDIA_INACTIVE);
    check_parse_answer(ANSWER("c=IN IP4 192.0.2.20\r\n", "m=audio 30000 RTP/AVP 0\r\n"),
                       SIP_MEDIA_INACTIVE, "192.0.2.20", 30000, 0, "PCMU", -1, SIP_MEDIA_INACTIVE);
}

static void check_parse_answer_fails(const char *text, enum sip_sdp_error code)
{
    struct sip_media_params params;
    GError *error = NULL;
    sdp_message_t *answer = parse(text);

    assert_false(sip_sdp_parse_answer(answer, SIP_MEDIA_SENDRECV, NULL, &params, &error));
    assert_true(g_error_matches(error, SIP_SDP_ERROR, code));
    assert_null(params.remote_address);
    assert_null(params.codec_name);
    g_error_free(error);
    sdp_message_free(answer);
}

static void test_parse_answer_bad(void **state)
{
    struct sip_media_params params;
    GError *error = NULL;

    (void)state;
    check_parse_answer_fails(ANSWER("c=IN IP4 192.0.2.20\r\n", "m=audio 0 RTP/AVP 0\r\n"), SIP_SDP_ERROR_NOT_ACCEPTABLE);
    check_parse_answer_fails(ANSWER("c=IN IP4 192.0.2.20\r\n", "m=audio 30000 RTP/AVP 18\r\n"), SIP_SDP_ERROR_NOT_ACCEPTABLE);
    check_parse_answer_fails(ANSWER("c=IN IP4 192.0.2.20\r\n", "m=video 30000 RTP/AVP 0\r\n"), SIP_SDP_ERROR_NOT_ACCEPTABLE);
    check_parse_answer_fails(ANSWER("", "m=audio 30000 RTP/AVP 0\r\n"), SIP_SDP_ERROR_INVALID);
    check_parse_answer_fails(ANSWER("c=IN IP4 192.0.2.20\r\n", "m=audio 3x RTP/AVP 0\r\n"), SIP_SDP_ERROR_INVALID);
    assert_false(sip_sdp_parse_answer(NULL, SIP_MEDIA_SENDRECV, NULL, &params, &error));
    assert_true(g_error_matches(error, SIP_SDP_ERROR, SIP_SDP_ERROR_INVALID));
    g_clear_error(&error);
    sip_media_params_clear(&params);
}

/* The GStreamer backend's list (src/media/codecs.c), here as the SDP code sees it. */
static const struct sip_media_format wideband[] =
{
    { "opus", 48000, 2, 111, "useinbandfec=1" },
    { "G722", 8000, 1, 9, NULL },
    { "PCMU", 8000, 1, 0, NULL },
    { "PCMA", 8000, 1, 8, NULL },
    { SIP_MEDIA_TELEPHONE_EVENT, 8000, 1, 101, "0-16" },
    { NULL },
};

static void test_wideband_offer(void **state)
{
    struct sip_sdp_origin origin = fixed_origin();
    static const struct sip_media_format none[] = { { NULL } };
    GError *error = NULL;
    char *text;

    (void)state;
    text = to_string_and_free(sip_sdp_build_offer(&origin, "127.0.0.1", 40000, SIP_MEDIA_SENDRECV, wideband, NULL));
    assert_string_equal(text,
        OUR_SDP_HEAD
        "m=audio 40000 RTP/AVP 111 9 0 8 101\r\n"
        "a=rtpmap:111 opus/48000/2\r\n"
        "a=fmtp:111 useinbandfec=1\r\n"
        "a=rtpmap:9 G722/8000\r\n"
        "a=rtpmap:0 PCMU/8000\r\n"
        "a=rtpmap:8 PCMA/8000\r\n"
        "a=rtpmap:101 telephone-event/8000\r\n"
        "a=fmtp:101 0-16\r\n"
        "a=ptime:20\r\n"
        "a=sendrecv\r\n");
    g_free(text);
    /* a backend without formats cannot offer */
    assert_null(sip_sdp_build_offer(&origin, "127.0.0.1", 40000, SIP_MEDIA_SENDRECV, none, &error));
    assert_true(g_error_matches(error, SIP_SDP_ERROR, SIP_SDP_ERROR_INVALID));
    g_clear_error(&error);
}

static void check_codec(const struct sip_media_codec *codec, int pt, const char *name, guint rate, guint channels,
                        const char *fmtp)
{
    assert_int_equal(codec->payload_type, pt);
    assert_string_equal(codec->name, name);
    assert_int_equal(codec->clock_rate, rate);
    assert_int_equal(codec->channels, channels);
    if (fmtp) assert_string_equal(codec->fmtp, fmtp);
    else assert_null(codec->fmtp);
}

static void test_wideband_answer(void **state)
{
    struct sip_sdp_origin origin = fixed_origin();
    struct sip_media_params params;
    GError *error = NULL;
    sdp_message_t *offer;
    char *text;

    (void)state;
    /* A baresip-like offer: opus first, two telephone-events, ptime 30, RTCP elsewhere. */
    offer = parse(REMOTE_OFFER("96 9 0 8 101 102",
                               "a=rtpmap:96 opus/48000/2\r\na=fmtp:96 stereo=1;sprop-stereo=1\r\n"
                               "a=rtpmap:9 G722/8000\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n"
                               "a=rtpmap:101 telephone-event/48000\r\na=fmtp:101 0-15\r\n"
                               "a=rtpmap:102 telephone-event/8000\r\na=fmtp:102 0-15\r\n"
                               "a=ptime:30\r\na=rtcp:49180\r\n", "a=sendrecv\r\n"));
    text = to_string_and_free(sip_sdp_build_answer(offer, &origin, "127.0.0.1", 40000, SIP_MEDIA_SENDRECV, wideband,
                                                   &params, &error));
    assert_null(error);
    /* The offer's order and numbers; our fmtp for opus; the telephone-event at opus' rate. */
    assert_string_equal(text,
        OUR_SDP_HEAD
        "m=audio 40000 RTP/AVP 96 9 0 8 101\r\n"
        "a=rtpmap:96 opus/48000/2\r\n"
        "a=fmtp:96 useinbandfec=1\r\n"
        "a=rtpmap:9 G722/8000\r\n"
        "a=rtpmap:0 PCMU/8000\r\n"
        "a=rtpmap:8 PCMA/8000\r\n"
        "a=rtpmap:101 telephone-event/48000\r\n"
        "a=fmtp:101 0-15\r\n"
        "a=ptime:20\r\n"
        "a=sendrecv\r\n");
    g_free(text);
    assert_int_equal(params.payload_type, 96);
    assert_string_equal(params.codec_name, "opus");
    assert_int_equal(params.clock_rate, 48000);
    assert_int_equal(params.channels, 2);
    assert_string_equal(params.fmtp, "stereo=1;sprop-stereo=1");
    assert_int_equal(params.ptime, 30);
    assert_int_equal(params.remote_port, 49170);
    assert_int_equal(params.remote_rtcp_port, 49180);
    assert_int_equal(params.telephone_event_pt, 101);
    assert_int_equal(params.telephone_event_clock_rate, 48000);
    assert_int_equal(params.n_codecs, 5);
    check_codec(&params.codecs[0], 96, "opus", 48000, 2, "stereo=1;sprop-stereo=1");
    check_codec(&params.codecs[1], 9, "G722", 8000, 1, NULL);
    check_codec(&params.codecs[2], 0, "PCMU", 8000, 1, NULL);
    check_codec(&params.codecs[3], 8, "PCMA", 8000, 1, NULL);
    check_codec(&params.codecs[4], 101, "telephone-event", 48000, 1, "0-15");
    sip_media_params_clear(&params);
    sdp_message_free(offer);

    /* G.722 by its static number only; telephone-event at 8000 for it; RTCP above RTP; ptime at session level. */
    offer = parse("v=0\r\no=x 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\na=ptime:40\r\n"
                  "m=audio 5000 RTP/AVP 18 9 97 98\r\na=rtpmap:97 telephone-event/16000\r\n"
                  "a=rtpmap:98 telephone-event/8000\r\n");
    text = to_string_and_free(sip_sdp_build_answer(offer, &origin, "127.0.0.1", 40000, SIP_MEDIA_SENDRECV, wideband,
                                                   &params, &error));
    assert_non_null(strstr(text, "m=audio 40000 RTP/AVP 9 98\r\na=rtpmap:9 G722/8000\r\n"
                                 "a=rtpmap:98 telephone-event/8000\r\na=ptime:20\r\n"));
    g_free(text);
    assert_string_equal(params.codec_name, "G722");
    assert_int_equal(params.clock_rate, 8000);
    assert_int_equal(params.channels, 1);
    assert_int_equal(params.ptime, 40);
    assert_int_equal(params.remote_rtcp_port, 5001);
    assert_int_equal(params.telephone_event_pt, 98);
    assert_int_equal(params.n_codecs, 2);
    sip_media_params_clear(&params);
    sdp_message_free(offer);

    /* Only PCMA, or only Opus, offered: answered with that codec. */
    offer = parse(REMOTE_OFFER("8", "a=rtpmap:8 PCMA/8000\r\n", ""));
    text = to_string_and_free(sip_sdp_build_answer(offer, &origin, "127.0.0.1", 40000, SIP_MEDIA_SENDRECV, wideband,
                                                   &params, NULL));
    assert_non_null(text);
    g_free(text);
    sdp_message_free(offer);
    assert_string_equal(params.codec_name, "PCMA");
    assert_int_equal(params.telephone_event_pt, -1);
    sip_media_params_clear(&params);
    offer = parse(REMOTE_OFFER("120", "a=rtpmap:120 OPUS/48000/2\r\n", ""));
    text = to_string_and_free(sip_sdp_build_answer(offer, &origin, "127.0.0.1", 40000, SIP_MEDIA_SENDRECV, wideband,
                                                   &params, NULL));
    assert_non_null(strstr(text, "m=audio 40000 RTP/AVP 120\r\na=rtpmap:120 opus/48000/2\r\n"
                                 "a=fmtp:120 useinbandfec=1\r\n"));
    g_free(text);
    sdp_message_free(offer);
    assert_string_equal(params.codec_name, "opus");
    assert_int_equal(params.payload_type, 120);
    sip_media_params_clear(&params);

    /* Opus in mono or at another rate is not RFC 7587's opus; G722 at 16000 is not G.722. */
    check_answer_fails(REMOTE_OFFER("96 97 98", "a=rtpmap:96 opus/48000\r\na=rtpmap:97 opus/16000/2\r\n"
                                    "a=rtpmap:98 G722/16000\r\n", ""), SIP_SDP_ERROR_NOT_ACCEPTABLE);
}

static void test_wideband_parse_answer(void **state)
{
    struct sip_media_params params;
    sdp_message_t *answer;

    (void)state;
    answer = parse(ANSWER("c=IN IP4 192.0.2.20\r\n", "m=audio 30000 RTP/AVP 9 111 101\r\na=rtpmap:9 G722/8000\r\n"
                          "a=rtpmap:111 opus/48000/2\r\na=rtpmap:101 telephone-event/8000\r\na=ptime:20\r\n"));
    assert_true(sip_sdp_parse_answer(answer, SIP_MEDIA_SENDRECV, wideband, &params, NULL));
    assert_string_equal(params.codec_name, "G722");
    assert_int_equal(params.payload_type, 9);
    assert_int_equal(params.n_codecs, 3);
    check_codec(&params.codecs[1], 111, "opus", 48000, 2, NULL);
    check_codec(&params.codecs[2], 101, "telephone-event", 8000, 1, NULL);
    assert_int_equal(params.telephone_event_clock_rate, 8000);
    assert_int_equal(params.ptime, 20);
    sip_media_params_clear(&params);
    sdp_message_free(answer);
}

/* A bandwidth limit keeps the formats that fit (telephone-event always) and
 * says itself in b=AS (with 50 packets' headers a second) and b=TIAS. */
static void test_bandwidth_offer(void **state)
{
    struct sip_sdp_origin origin = fixed_origin();
    struct sip_media_format *formats;
    sdp_message_t *sdp;
    GError *error = NULL;
    char *text;

    (void)state;
    assert_non_null(formats = sip_sdp_formats_within(wideband, 24000, &error));
    assert_string_equal(formats[0].name, "opus");
    assert_string_equal(formats[1].name, SIP_MEDIA_TELEPHONE_EVENT);
    assert_null(formats[2].name);
    assert_non_null(sdp = sip_sdp_build_offer(&origin, "127.0.0.1", 40000, SIP_MEDIA_SENDRECV, formats, NULL));
    g_free(formats);
    sip_sdp_add_bandwidth(sdp, 24000);
    text = to_string_and_free(sdp);
    assert_string_equal(text,
        OUR_SDP_HEAD
        "m=audio 40000 RTP/AVP 111 101\r\n"
        "b=AS:40\r\n"
        "b=TIAS:24000\r\n"
        "a=rtpmap:111 opus/48000/2\r\n"
        "a=fmtp:111 useinbandfec=1\r\n"
        "a=rtpmap:101 telephone-event/8000\r\n"
        "a=fmtp:101 0-16\r\n"
        "a=ptime:20\r\n"
        "a=sendrecv\r\n");
    g_free(text);

    /* 64 kbit/s: every codec; no limit: every codec, no b= line */
    assert_non_null(formats = sip_sdp_formats_within(wideband, 64000, NULL));
    assert_string_equal(formats[3].name, "PCMA");
    g_free(formats);
    assert_non_null(formats = sip_sdp_formats_within(wideband, 0, NULL));
    assert_string_equal(formats[4].name, SIP_MEDIA_TELEPHONE_EVENT);
    g_free(formats);
    /* below opus' 6 kbit/s nothing fits; without opus, below 64 kbit/s */
    assert_null(sip_sdp_formats_within(wideband, 5999, &error));
    assert_true(g_error_matches(error, SIP_SDP_ERROR, SIP_SDP_ERROR_NOT_ACCEPTABLE));
    g_clear_error(&error);
    assert_null(sip_sdp_formats_within(wideband + 1, 63999, &error));
    g_clear_error(&error);
}

/* The peer's limit: its b=TIAS, else its b=AS less the headers of its packet rate,
 * media level before session level; none without either. */
static void test_bandwidth_of_the_peer(void **state)
{
    static const struct { const char *session, *media; guint bitrate; } cases[] =
    {
        { "", "b=TIAS:16000\r\n", 16000 },
        { "", "b=AS:30\r\nb=TIAS:20000\r\n", 20000 },
        { "", "b=AS:30\r\n", 14000 },                       /* 30,000 - 50 x 40 x 8 */
        { "b=AS:64\r\n", "b=TIAS:20000\r\n", 20000 },
        { "b=TIAS:12000\r\n", "", 12000 },
        { "", "", 0 },
        { "", "b=CT:30\r\n", 0 },
    };
    struct sip_media_params params;
    sdp_message_t *answer;
    guint i;

    (void)state;
    for (i = 0; i < G_N_ELEMENTS(cases); i++)
    {
        char *text = g_strdup_printf("v=0\r\no=y 5 6 IN IP4 192.0.2.20\r\ns=-\r\nc=IN IP4 192.0.2.20\r\n%st=0 0\r\n"
                                     "m=audio 30000 RTP/AVP 111\r\n%sa=rtpmap:111 opus/48000/2\r\n",
                                     cases[i].session, cases[i].media);

        answer = parse(text);
        assert_true(sip_sdp_parse_answer(answer, SIP_MEDIA_SENDRECV, wideband, &params, NULL));
        assert_int_equal(params.max_bitrate, cases[i].bitrate);
        sip_media_params_clear(&params);
        sdp_message_free(answer);
        g_free(text);
    }
}

static gboolean hold_of(const char *text)
{
    sdp_message_t *sdp = parse(text);
    gboolean hold = sip_sdp_is_hold(sdp);

    sdp_message_free(sdp);
    return hold;
}

static enum sip_media_direction direction_of(const char *text)
{
    sdp_message_t *sdp = parse(text);
    enum sip_media_direction direction = sip_sdp_get_direction(sdp);

    sdp_message_free(sdp);
    return direction;
}

static void test_hold(void **state)
{
    (void)state;
    assert_false(hold_of(ANSWER("c=IN IP4 192.0.2.20\r\n", "m=audio 30000 RTP/AVP 0\r\n")));
    assert_false(hold_of(ANSWER("c=IN IP4 192.0.2.20\r\n", "m=audio 30000 RTP/AVP 0\r\na=sendrecv\r\n")));
    assert_false(hold_of(ANSWER("c=IN IP4 192.0.2.20\r\n", "m=audio 30000 RTP/AVP 0\r\na=recvonly\r\n")));
    assert_true(hold_of(ANSWER("c=IN IP4 192.0.2.20\r\n", "m=audio 30000 RTP/AVP 0\r\na=sendonly\r\n")));
    assert_true(hold_of(ANSWER("c=IN IP4 192.0.2.20\r\n", "m=audio 30000 RTP/AVP 0\r\na=inactive\r\n")));
    assert_true(hold_of(ANSWER("c=IN IP4 192.0.2.20\r\n", "a=sendonly\r\nm=audio 30000 RTP/AVP 0\r\n")));
    assert_true(hold_of(ANSWER("c=IN IP4 0.0.0.0\r\n", "m=audio 30000 RTP/AVP 0\r\n")));
    assert_true(hold_of(ANSWER("c=IN IP4 192.0.2.20\r\n", "m=audio 30000 RTP/AVP 0\r\nc=IN IP4 0.0.0.0\r\n")));
    assert_true(hold_of(ANSWER("c=IN IP6 ::\r\n", "m=audio 30000 RTP/AVP 0\r\n")));
    /* a removed stream is not hold */
    assert_false(hold_of(ANSWER("c=IN IP4 192.0.2.20\r\n", "m=audio 0 RTP/AVP 0\r\na=sendonly\r\n")));
    assert_false(sip_sdp_is_hold(NULL));

    assert_int_equal(direction_of(ANSWER("c=IN IP4 192.0.2.20\r\n", "m=audio 30000 RTP/AVP 0\r\n")), SIP_MEDIA_SENDRECV);
    assert_int_equal(direction_of(ANSWER("c=IN IP4 192.0.2.20\r\n", "m=audio 30000 RTP/AVP 0\r\na=recvonly\r\n")),
                     SIP_MEDIA_RECVONLY);
    assert_int_equal(direction_of(ANSWER("c=IN IP4 0.0.0.0\r\n", "m=audio 30000 RTP/AVP 0\r\na=recvonly\r\n")),
                     SIP_MEDIA_INACTIVE);
    assert_int_equal(direction_of(ANSWER("c=IN IP4 192.0.2.20\r\n", "m=video 30000 RTP/AVP 96\r\n")), SIP_MEDIA_INACTIVE);
    assert_int_equal(sip_sdp_get_direction(NULL), SIP_MEDIA_INACTIVE);
}

static void test_round_trip(void **state)
{
    struct sip_sdp_origin ours = fixed_origin(), theirs = { 99, 1, FALSE };
    struct sip_media_params at_answerer, at_offerer;
    sdp_message_t *offer, *answer;
    char *offer_text, *answer_text, *again;

    (void)state;
    /* Our offer, as text, through osip's parser, answered by our own code,
     * and the answer back through the parser to the offerer. */
    offer_text = to_string_and_free(sip_sdp_build_offer(&ours, "127.0.0.1", 40000, SIP_MEDIA_SENDONLY, NULL, NULL));
    offer = parse(offer_text);
    again = sip_sdp_to_string(offer);
    assert_string_equal(again, offer_text);
    g_free(again);
    assert_true(sip_sdp_is_hold(offer));

    answer_text = to_string_and_free(sip_sdp_build_answer(offer, &theirs, "::1", 50000, SIP_MEDIA_SENDRECV, NULL,
                                                          &at_answerer, NULL));
    assert_string_equal(answer_text,
        "v=0\r\n"
        "o=- 99 1 IN IP6 ::1\r\n"
        "s=-\r\n"
        "c=IN IP6 ::1\r\n"
        "t=0 0\r\n"
        "m=audio 50000 RTP/AVP 0 8 101\r\n"
        "a=rtpmap:0 PCMU/8000\r\n"
        "a=rtpmap:8 PCMA/8000\r\n"
        "a=rtpmap:101 telephone-event/8000\r\n"
        "a=fmtp:101 0-16\r\n"
        "a=ptime:20\r\n"
        "a=recvonly\r\n");
    assert_string_equal(at_answerer.remote_address, "127.0.0.1");
    assert_int_equal(at_answerer.remote_port, 40000);
    assert_int_equal(at_answerer.payload_type, 0);
    assert_int_equal(at_answerer.telephone_event_pt, 101);
    assert_int_equal(at_answerer.direction, SIP_MEDIA_RECVONLY);

    answer = parse(answer_text);
    assert_false(sip_sdp_is_hold(answer));
    assert_true(sip_sdp_parse_answer(answer, SIP_MEDIA_SENDONLY, NULL, &at_offerer, NULL));
    assert_string_equal(at_offerer.remote_address, "::1");
    assert_int_equal(at_offerer.remote_port, 50000);
    assert_int_equal(at_offerer.payload_type, 0);
    assert_string_equal(at_offerer.codec_name, "PCMU");
    assert_int_equal(at_offerer.telephone_event_pt, 101);
    assert_int_equal(at_offerer.direction, SIP_MEDIA_SENDONLY);

    sip_media_params_clear(&at_answerer);
    sip_media_params_clear(&at_offerer);
    sdp_message_free(answer);
    sdp_message_free(offer);
    g_free(answer_text);
    g_free(offer_text);
}

/* A call without audio: the offer has no m= line; the answer refuses
 * every offered stream with port 0 and keeps its formats (RFC 3264 §6). */
static void test_without_media(void **state)
{
    struct sip_sdp_origin origin = fixed_origin();
    sdp_message_t *offer, *parsed;
    GError *error = NULL;
    char *text;

    (void)state;
    text = to_string_and_free(sip_sdp_build_without_media(NULL, &origin, "127.0.0.1", NULL));
    assert_string_equal(text,
        "v=0\r\n"
        "o=- 4242 7 IN IP4 127.0.0.1\r\n"
        "s=-\r\n"
        "c=IN IP4 127.0.0.1\r\n"
        "t=0 0\r\n");
    assert_non_null(parsed = sip_sdp_parse(text, NULL));
    assert_true(sip_sdp_has_no_media(parsed));
    sdp_message_free(parsed);
    g_free(text);

    offer = sip_sdp_parse("v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n"
                          "m=audio 4000 RTP/AVP 0 8\r\na=rtpmap:0 PCMU/8000\r\n"
                          "m=video 4002 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n", NULL);
    assert_non_null(offer);
    assert_false(sip_sdp_has_no_media(offer));
    text = to_string_and_free(sip_sdp_build_without_media(offer, &origin, "127.0.0.1", NULL));
    assert_string_equal(text,
        "v=0\r\n"
        "o=- 4242 8 IN IP4 127.0.0.1\r\n"
        "s=-\r\n"
        "c=IN IP4 127.0.0.1\r\n"
        "t=0 0\r\n"
        "m=audio 0 RTP/AVP 0 8\r\n"
        "m=video 0 RTP/AVP 96\r\n");
    g_free(text);
    sdp_message_free(offer);

    /* a malformed offer is refused, not answered */
    offer = sip_sdp_parse("v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n"
                          "m=audio x RTP/AVP 0\r\n", NULL);
    if (offer)
    {
        assert_null(sip_sdp_build_without_media(offer, &origin, "127.0.0.1", &error));
        assert_true(g_error_matches(error, SIP_SDP_ERROR, SIP_SDP_ERROR_INVALID));
        g_clear_error(&error);
        sdp_message_free(offer);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] =
    {
        cmocka_unit_test(test_offer),
        cmocka_unit_test(test_offer_long_fmtp),
        cmocka_unit_test(test_offer_bad),
        cmocka_unit_test(test_origin_init),
        cmocka_unit_test(test_answer),
        cmocka_unit_test(test_answer_direction),
        cmocka_unit_test(test_answer_streams),
        cmocka_unit_test(test_answer_refusing),
        cmocka_unit_test(test_answer_488),
        cmocka_unit_test(test_answer_malformed),
        cmocka_unit_test(test_parse_answer),
        cmocka_unit_test(test_parse_answer_bad),
        cmocka_unit_test(test_hold),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_wideband_offer),
        cmocka_unit_test(test_wideband_answer),
        cmocka_unit_test(test_wideband_parse_answer),
        cmocka_unit_test(test_without_media),
        cmocka_unit_test(test_bandwidth_offer),
        cmocka_unit_test(test_bandwidth_of_the_peer),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
