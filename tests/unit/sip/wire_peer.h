/*
 * One engine and a scripted peer, byte for byte, without a network: what
 * the engine sends is captured (sip_transport_layer_set_send_override), what
 * the peer "sends" is handed to the engine as the transport would
 * (sip_transport_inject), and time passes only when a test says so
 * (engine_expire_timers). Tests read the exact messages the engine sent.
 *
 * The peer is 127.0.0.1:5070 over UDP. Static inline functions: each test
 * program includes it.
 */
#ifndef RTCSHIM_TEST_WIRE_PEER_H
#define RTCSHIM_TEST_WIRE_PEER_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <glib.h>

#include "engine.h"
#include "media.h"
#include "sip/sip_call.h"
#include "sip/sip_refer.h"
#include "timer_source.h"
#include "transport.h"

#define WIRE_PEER_IP "127.0.0.1"
#define WIRE_PEER_PORT 5070

static const char wire_sdp[] G_GNUC_UNUSED =
    "v=0\r\no=carol 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
    "m=audio 30000 RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\na=sendrecv\r\n";

struct wire
{
    struct sip_engine *engine;
    guint16 port;                   /* the engine's UDP port */
    GPtrArray *sent;                /* char *: every message the engine sent, in order */
    GPtrArray *events;              /* char *: what the engine reported, in order */
    GPtrArray *calls;               /* struct sip_call *, referenced: every incoming call */
    GPtrArray *refers;              /* struct sip_refer *, referenced: every refer received */
    gboolean answer_calls;          /* answer incoming calls at once (else ring) */
    guint next_branch;
};

/* ---- a media backend that binds nothing ---------------------------------------------- */

static inline struct sip_media_stream *wire_stream_new(struct sip_media_backend *backend, const char *address,
                                                       sip_media_stream_func callback, gpointer user_data, GError **error)
{
    struct sip_media_stream *stream = g_new0(struct sip_media_stream, 1);

    (void)address;
    (void)callback;
    (void)user_data;
    (void)error;
    stream->backend = backend;
    return stream;
}

static inline guint16 wire_stream_port(struct sip_media_stream *stream)
{
    (void)stream;
    return 40000;
}

static inline gboolean wire_stream_start(struct sip_media_stream *stream, const struct sip_media_params *params,
                                  GError **error)
{
    (void)stream;
    (void)params;
    (void)error;
    return TRUE;
}

static inline void wire_stream_stop(struct sip_media_stream *stream)
{
    (void)stream;
}

static inline void wire_stream_free(struct sip_media_stream *stream)
{
    g_free(stream);
}

static inline void wire_backend_destroy(struct sip_media_backend *backend)
{
    g_free(backend);
}

static inline const struct sip_media_format *wire_get_formats(struct sip_media_backend *backend)
{
    (void)backend;
    return sip_media_default_formats;
}

static const struct sip_media_backend_funcs wire_backend_funcs =
{
    .stream_new = wire_stream_new,
    .stream_get_port = wire_stream_port,
    .stream_start = wire_stream_start,
    .stream_stop = wire_stream_stop,
    .stream_free = wire_stream_free,
    .destroy = wire_backend_destroy,
    .get_formats = wire_get_formats,
};

/* ---- what the engine does ---------------------------------------------------------------- */

static inline void wire_record(struct wire *wire, const char *format, ...) G_GNUC_PRINTF(2, 3);
static inline void wire_record(struct wire *wire, const char *format, ...)
{
    va_list args;

    va_start(args, format);
    g_ptr_array_add(wire->events, g_strdup_vprintf(format, args));
    va_end(args);
}

static inline gboolean wire_capture(enum sip_transport_protocol protocol, const char *host, guint16 port,
                             guint connection_id, const char *data, gsize length, void *user_data)
{
    struct wire *wire = user_data;

    (void)protocol;
    (void)host;
    (void)port;
    (void)connection_id;
    g_ptr_array_add(wire->sent, g_strndup(data, length));
    if (g_getenv("WIRE_TRACE"))
        fprintf(stderr, "==== sent\n%.*s\n", (int)length, data);
    return TRUE;
}

static inline void wire_on_incoming_call(struct sip_engine *engine, struct sip_call *call, void *user_data)
{
    struct wire *wire = user_data;

    (void)engine;
    wire_record(wire, "incoming%s%s", sip_call_get_replaced_call(call) ? " replaces" : "",
                sip_call_is_replacement_authorized(call) ? " authorized" : "");
    g_ptr_array_add(wire->calls, sip_call_ref(call));
    if (wire->answer_calls)
        sip_call_answer(call, NULL);
    else
        sip_call_ring(call, NULL);
}

static inline void wire_on_state(struct sip_call *call, enum sip_call_state state, guint code, const char *reason,
                          void *user_data)
{
    (void)reason;
    wire_record(user_data, "%s %s %u", sip_call_is_incoming(call) ? "in" : "out", sip_call_state_name(state), code);
}

static inline void wire_on_refer_received(struct sip_call *call, struct sip_refer *refer, void *user_data)
{
    struct wire *wire = user_data;

    (void)call;
    wire_record(wire, "refer-received %s", sip_refer_get_refer_to(refer));
    g_ptr_array_add(wire->refers, sip_refer_ref(refer));
}

static inline void wire_on_refer_progress(struct sip_refer *refer, enum sip_refer_progress progress, guint code,
                                   const char *reason, enum sip_refer_end end, void *user_data)
{
    static const char *const progress_names[] = { "accepted", "rejected", "failed", "notify", "ended" };
    static const char *const end_names[] = { "success", "failure", "no-final", "rejected", "call-gone" };

    (void)refer;
    (void)reason;
    if (progress == SIP_REFER_ENDED)
        wire_record(user_data, "refer ended %s %u", end_names[end], code);
    else
        wire_record(user_data, "refer %s %u", progress_names[progress], code);
}

/* Runs what is ready on the main context (bounded). */
static inline void wire_run(struct wire *wire)
{
    int i;

    (void)wire;
    for (i = 0; i < 256 && g_main_context_iteration(NULL, FALSE); i++)
        ;
}

static inline void wire_start(struct wire *wire)
{
    struct sip_engine_callbacks callbacks = { 0 };
    struct sip_refer_callbacks refer_callbacks = { wire_on_refer_received, wire_on_refer_progress };
    struct sip_engine_config config = { 0 };
    struct sip_media_backend *media = g_new0(struct sip_media_backend, 1);

    memset(wire, 0, sizeof(*wire));
    wire->sent = g_ptr_array_new_with_free_func(g_free);
    wire->events = g_ptr_array_new_with_free_func(g_free);
    wire->calls = g_ptr_array_new_with_free_func((GDestroyNotify)sip_call_unref);
    wire->refers = g_ptr_array_new_with_free_func((GDestroyNotify)sip_refer_unref);
    wire->answer_calls = TRUE;
    media->funcs = &wire_backend_funcs;
    config.media_backend = media;
    callbacks.incoming_call = wire_on_incoming_call;
    callbacks.call_state_changed = wire_on_state;
    wire->engine = sip_engine_new(&config, &callbacks, wire, NULL);
    g_assert(wire->engine);
    sip_engine_set_refer_callbacks(wire->engine, &refer_callbacks);
    engine_set_random_seed(wire->engine, 1);
    sip_transport_layer_set_send_override(wire->engine->transports, wire_capture, wire);
    g_assert(sip_engine_listen(wire->engine, SIP_TRANSPORT_UDP, "127.0.0.1", 0, &wire->port, NULL));
}

static inline void wire_stop(struct wire *wire)
{
    g_ptr_array_free(wire->refers, TRUE);
    g_ptr_array_free(wire->calls, TRUE);
    wire_run(wire);
    sip_engine_free(wire->engine);
    g_ptr_array_free(wire->sent, TRUE);
    g_ptr_array_free(wire->events, TRUE);
}

/* ---- reading what was sent ---------------------------------------------------------------- */

/* The value of the first header called name (case-insensitive) in a message,
 * or NULL; g_free() it. */
static inline char *wire_header(const char *message, const char *name)
{
    gsize name_length = strlen(name);
    const char *line = strstr(message, "\r\n");

    while (line && line[2] && !(line[2] == '\r' && line[3] == '\n'))
    {
        const char *next = strstr(line + 2, "\r\n");

        line += 2;
        if (!g_ascii_strncasecmp(line, name, name_length) && line[name_length] == ':')
        {
            const char *value = line + name_length + 1;

            while (*value == ' ' || *value == '\t')
                value++;
            return g_strndup(value, (next ? next : value + strlen(value)) - value);
        }
        line = next;
    }
    return NULL;
}

/* The message's body (after the blank line), "" when none. */
static inline const char *wire_body(const char *message)
{
    const char *end = strstr(message, "\r\n\r\n");

    return end ? end + 4 : "";
}

/* How many messages whose first line starts with `start` (e.g. "NOTIFY ",
 * "SIP/2.0 202") were sent from index `from` on. */
static inline guint wire_count(struct wire *wire, guint from, const char *start)
{
    guint i, count = 0;

    for (i = from; i < wire->sent->len; i++)
        if (g_str_has_prefix(g_ptr_array_index(wire->sent, i), start))
            count++;
    return count;
}

/* The first such message from index `from` on, or NULL. */
static inline const char *wire_find(struct wire *wire, guint from, const char *start)
{
    guint i;

    for (i = from; i < wire->sent->len; i++)
        if (g_str_has_prefix(g_ptr_array_index(wire->sent, i), start))
            return g_ptr_array_index(wire->sent, i);
    return NULL;
}

/* The last such message, or NULL. */
static inline const char *wire_find_last(struct wire *wire, const char *start)
{
    guint i;

    for (i = wire->sent->len; i-- > 0;)
        if (g_str_has_prefix(g_ptr_array_index(wire->sent, i), start))
            return g_ptr_array_index(wire->sent, i);
    return NULL;
}

/* A response to `request` with `code` whose CSeq method is `method`, sent
 * from index `from` on, or NULL. */
static inline const char *wire_find_response(struct wire *wire, guint from, guint code, const char *method)
{
    char start[32];
    guint i;

    g_snprintf(start, sizeof(start), "SIP/2.0 %u ", code);
    for (i = from; i < wire->sent->len; i++)
    {
        const char *message = g_ptr_array_index(wire->sent, i);
        char *cseq;
        gboolean match;

        if (!g_str_has_prefix(message, start))
            continue;
        cseq = wire_header(message, "CSeq");
        match = cseq && g_str_has_suffix(cseq, method);
        g_free(cseq);
        if (match)
            return message;
    }
    return NULL;
}

static inline gboolean wire_has_event(struct wire *wire, const char *event)
{
    guint i;

    for (i = 0; i < wire->events->len; i++)
        if (!strcmp(g_ptr_array_index(wire->events, i), event))
            return TRUE;
    return FALSE;
}

/* ---- the peer speaks ---------------------------------------------------------------------- */

static inline void wire_inject(struct wire *wire, const char *text)
{
    struct sip_transport_peer peer = { .protocol = SIP_TRANSPORT_UDP, .remote_ip = WIRE_PEER_IP, .remote_port = WIRE_PEER_PORT };

    if (g_getenv("WIRE_TRACE"))
        fprintf(stderr, "==== received\n%s\n", text);
    sip_transport_inject(wire->engine->transports, &peer, text, strlen(text));
    wire_run(wire);
}

/* A message from the start line, header lines ("Name: value\r\n" each) and
 * a body; Content-Length is added. g_free() it. */
static inline char *wire_message(const char *start_line, const char *headers, const char *content_type, const char *body)
{
    return g_strdup_printf("%s\r\n%s%s%s%sContent-Length: %zu\r\n\r\n%s", start_line, headers,
                           body && *body ? "Content-Type: " : "", body && *body ? content_type : "",
                           body && *body ? "\r\n" : "", body ? strlen(body) : 0, body ? body : "");
}

/* Answers a request the engine sent: its Via, From, To (with to_tag if it
 * has none), Call-ID and CSeq, plus extra header lines. */
static inline void wire_respond(struct wire *wire, const char *request, guint code, const char *reason, const char *to_tag,
                         const char *extra)
{
    char *via = wire_header(request, "Via"), *from = wire_header(request, "From"), *to = wire_header(request, "To");
    char *call_id = wire_header(request, "Call-ID"), *cseq = wire_header(request, "CSeq");
    char *start = g_strdup_printf("SIP/2.0 %u %s", code, reason);
    char *headers = g_strdup_printf("Via: %s\r\nFrom: %s\r\nTo: %s%s%s\r\nCall-ID: %s\r\nCSeq: %s\r\n"
                                    "Contact: <sip:carol@127.0.0.1:5070>\r\n%s",
                                    via, from, to, to_tag && !strstr(to, "tag=") ? ";tag=" : "",
                                    to_tag && !strstr(to, "tag=") ? to_tag : "", call_id, cseq, extra ? extra : "");
    char *text = wire_message(start, headers, NULL, NULL);

    wire_inject(wire, text);
    g_free(text);
    g_free(headers);
    g_free(start);
    g_free(via);
    g_free(from);
    g_free(to);
    g_free(call_id);
    g_free(cseq);
}

/* ---- a dialog with the peer --------------------------------------------------------------- */

/* Both sides of a dialog between carol (the peer) and the engine. */
struct wire_dialog
{
    char *call_id;
    char *peer_tag;
    char *engine_tag;
    char *peer_uri;             /* carol's identity */
    char *engine_uri;           /* the Request-URI of in-dialog requests to the engine */
    guint32 peer_cseq;          /* the last CSeq carol used */
    gboolean peer_called;       /* carol sent the INVITE */
};

static inline void wire_dialog_clear(struct wire_dialog *dialog)
{
    g_free(dialog->call_id);
    g_free(dialog->peer_tag);
    g_free(dialog->engine_tag);
    g_free(dialog->peer_uri);
    g_free(dialog->engine_uri);
    memset(dialog, 0, sizeof(*dialog));
}

/* The tag parameter of a From/To value, g_free(); NULL if none. */
static inline char *wire_tag(const char *value)
{
    const char *tag = value ? strstr(value, "tag=") : NULL;

    return tag ? g_strndup(tag + 4, strcspn(tag + 4, ";> \r\n")) : NULL;
}

/* A request from carol in the dialog (or, with dialog->engine_tag NULL, a
 * new INVITE): the next CSeq, a new branch, extra header lines and a body. */
static inline char *wire_request(struct wire *wire, struct wire_dialog *dialog, const char *method, const char *extra,
                          const char *content_type, const char *body)
{
    gboolean ack = !strcmp(method, "ACK");
    char *start = g_strdup_printf("%s %s SIP/2.0", method, dialog->engine_uri);
    char *headers, *text;

    if (!ack)
        dialog->peer_cseq++;
    headers = g_strdup_printf("Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKwire%u;rport\r\nMax-Forwards: 70\r\n"
                              "From: <%s>;tag=%s\r\nTo: <%s>%s%s\r\nCall-ID: %s\r\nCSeq: %u %s\r\n"
                              "Contact: <sip:carol@127.0.0.1:5070>\r\n%s",
                              ++wire->next_branch, dialog->peer_uri, dialog->peer_tag, dialog->engine_uri,
                              dialog->engine_tag ? ";tag=" : "", dialog->engine_tag ? dialog->engine_tag : "",
                              dialog->call_id, dialog->peer_cseq, method, extra ? extra : "");
    text = wire_message(start, headers, content_type, body);
    g_free(headers);
    g_free(start);
    return text;
}

static inline void wire_send(struct wire *wire, struct wire_dialog *dialog, const char *method, const char *extra,
                      const char *content_type, const char *body)
{
    char *text = wire_request(wire, dialog, method, extra, content_type, body);

    wire_inject(wire, text);
    g_free(text);
}

/* carol (peer_uri, e.g. "sip:carol@127.0.0.1:5070") calls the engine with
 * extra INVITE headers; the engine answers (answer_calls) and carol ACKs.
 * The dialog is filled in; FALSE if the engine did not answer 200. */
static inline gboolean wire_call_in(struct wire *wire, struct wire_dialog *dialog, const char *call_id, const char *peer_uri,
                             const char *extra)
{
    guint from = wire->sent->len;
    const char *ok;
    char *to;

    memset(dialog, 0, sizeof(*dialog));
    dialog->call_id = g_strdup(call_id);
    dialog->peer_tag = g_strdup_printf("ptag-%s", call_id);
    dialog->peer_uri = g_strdup(peer_uri);
    dialog->engine_uri = g_strdup_printf("sip:bob@127.0.0.1:%u", wire->port);
    dialog->peer_called = TRUE;
    wire_send(wire, dialog, "INVITE", extra, "application/sdp", wire_sdp);
    if (!(ok = wire_find_response(wire, from, 200, "INVITE")))
        return FALSE;
    to = wire_header(ok, "To");
    dialog->engine_tag = wire_tag(to);
    g_free(to);
    wire_send(wire, dialog, "ACK", NULL, NULL, NULL);
    return dialog->engine_tag != NULL;
}

/* The engine calls carol; carol answers 200 with tag "ctag" and the engine
 * ACKs. Returns the call (referenced) and fills in the dialog. */
static inline struct sip_call *wire_call_out(struct wire *wire, struct wire_dialog *dialog)
{
    guint from = wire->sent->len;
    struct sip_call *call = sip_call_invite(wire->engine, "<sip:alice@127.0.0.1>", "sip:carol@127.0.0.1:5070", NULL);
    const char *invite;
    char *sdp_headers, *text, *start, *from_header;

    g_assert(call);
    wire_run(wire);
    invite = wire_find(wire, from, "INVITE ");
    g_assert(invite);
    memset(dialog, 0, sizeof(*dialog));
    dialog->call_id = wire_header(invite, "Call-ID");
    from_header = wire_header(invite, "From");
    dialog->engine_tag = wire_tag(from_header);
    g_free(from_header);
    dialog->peer_tag = g_strdup("ctag");
    dialog->peer_uri = g_strdup("sip:carol@127.0.0.1:5070");
    dialog->engine_uri = g_strdup_printf("sip:alice@127.0.0.1:%u", wire->port);
    {
        char *via = wire_header(invite, "Via"), *to = wire_header(invite, "To"), *cseq = wire_header(invite, "CSeq");
        char *from_value = wire_header(invite, "From");

        start = g_strdup("SIP/2.0 200 OK");
        sdp_headers = g_strdup_printf("Via: %s\r\nFrom: %s\r\nTo: %s;tag=ctag\r\nCall-ID: %s\r\nCSeq: %s\r\n"
                                      "Contact: <sip:carol@127.0.0.1:5070>\r\n",
                                      via, from_value, to, dialog->call_id, cseq);
        text = wire_message(start, sdp_headers, "application/sdp", wire_sdp);
        wire_inject(wire, text);
        g_free(text);
        g_free(sdp_headers);
        g_free(start);
        g_free(via);
        g_free(to);
        g_free(cseq);
        g_free(from_value);
    }
    g_assert(sip_call_get_state(call) == SIP_CALL_STATE_CONNECTED);
    return call;
}

#endif
