/*
 * libFuzzer target over transfer inside established dialogs: sequences of
 * in-dialog REFER, NOTIFY, SUBSCRIBE and INVITE-with-Replaces, interleaved
 * with the API's decisions and with time passing.
 *
 * fuzz_message.c feeds whole messages, so it rarely gets a dialog's Call-ID
 * and tags right and seldom gets past the dialog match. Here the harness sets
 * up two confirmed dialogs with a scripted peer (127.0.0.1:5070) first: one
 * the peer called (we are its UAS) and one we called (its UAC, with a REFER of
 * ours already accepted), and then builds every request from the input with
 * the right Call-ID, tags and a rising CSeq. The input chooses the method,
 * the dialog and the headers that matter to transfer (Refer-To, Event,
 * Subscription-State, Expires, Replaces, Referred-By, the sipfrag body ...);
 * other steps accept, reject or report on the refers received, send REFERs,
 * answer what the engine sent, hang up, or let the engine's timers fire.
 *
 * Input: a sequence of steps, each `op flags length-byte text[length]`
 * (see the STEP_* values); at most 64 steps. FUZZ_TRACE=1 prints every
 * message sent and received.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "media.h"
#include "sip/sip_call.h"
#include "sip/sip_refer.h"
#include "timer_source.h"
#include "transport.h"

enum step
{
    STEP_REFER,         /* REFER in a dialog: text = Refer-To value; flags: Refer-Sub false, Referred-By */
    STEP_NOTIFY,        /* NOTIFY: text = "event\nsubscription-state\nsipfrag" */
    STEP_SUBSCRIBE,     /* SUBSCRIBE: text = "event\nexpires" */
    STEP_REPLACES,      /* a new INVITE: text = Replaces value ("" names dialog A); flags: From the peer,
                           Referred-By the peer, a second Replaces */
    STEP_REQUEST,       /* another in-dialog request: text = method (BYE, INFO, OPTIONS, ...) */
    STEP_DECIDE,        /* the API on the last refer received: flags pick accept, reject, notify(code) */
    STEP_TIME,          /* the engine's timers fire: flags = how many */
    STEP_RESPOND,       /* answer the engine's last request: status 100 * (1 + (flags & 7) % 6) + 3 * (flags >> 3),
                           text = extra header lines */
    STEP_SEND_REFER,    /* sip_call_refer on a dialog: text = target */
    STEP_HANGUP,        /* sip_call_hangup on a dialog's call */
    STEP_COUNT
};

#define PEER_URI "sip:carol@127.0.0.1:5070"
#define MAX_STEPS 64

struct dialog
{
    char *call_id;
    char *peer_tag;
    char *local_tag;
    guint32 cseq;
    struct sip_call *call;      /* referenced */
};

struct harness
{
    struct sip_engine *engine;
    guint16 port;
    struct dialog dialogs[2];   /* 0: the peer called us, 1: we called the peer */
    GPtrArray *refers;          /* struct sip_refer *, referenced: received and sent */
    char *last_sent;            /* the engine's last request */
    char *last_response;        /* and its last response */
    guint branch;
};

static gboolean trace;

#include "null_backend.h"

/* ---- the network's stand-in ----------------------------------------------------------------- */

static gboolean capture(enum sip_transport_protocol protocol, const char *host, guint16 port, guint connection_id,
                        const char *data, gsize length, void *user_data)
{
    struct harness *harness = user_data;

    (void)protocol;
    (void)host;
    (void)port;
    (void)connection_id;
    if (trace)
        fprintf(stderr, "==== sent\n%.*s\n", (int)length, data);
    if (length > 8 && memcmp(data, "SIP/2.0 ", 8))
    {
        g_free(harness->last_sent);
        harness->last_sent = g_strndup(data, length);
    }
    else
    {
        g_free(harness->last_response);
        harness->last_response = g_strndup(data, length);
    }
    return TRUE;
}

static void run_context(void)
{
    int i;

    for (i = 0; i < 64 && g_main_context_iteration(NULL, FALSE); i++)
        ;
}

static void inject(struct harness *harness, const char *text)
{
    struct sip_transport_peer peer = { .protocol = SIP_TRANSPORT_UDP, .remote_ip = "127.0.0.1", .remote_port = 5070 };

    if (trace)
        fprintf(stderr, "==== received\n%s\n", text);
    sip_transport_inject(harness->engine->transports, &peer, text, strlen(text));
    run_context();
}

/* The value of a header of a message (first occurrence), or NULL; g_free(). */
static char *header_of(const char *message, const char *name)
{
    gsize length = strlen(name);
    const char *line;

    for (line = strstr(message, "\r\n"); line && line[2] && line[2] != '\r'; line = strstr(line + 2, "\r\n"))
    {
        const char *start = line + 2, *end = strstr(start, "\r\n");

        if (!g_ascii_strncasecmp(start, name, length) && start[length] == ':' && end)
        {
            start += length + 1;
            while (*start == ' ')
                start++;
            return g_strndup(start, end - start);
        }
    }
    return NULL;
}

static char *tag_of(const char *value)
{
    const char *tag = value ? strstr(value, "tag=") : NULL;

    return tag ? g_strndup(tag + 4, strcspn(tag + 4, ";> \r\n")) : NULL;
}

/* ---- the API layer's stand-in ---------------------------------------------------------------- */

static void on_incoming_call(struct sip_engine *engine, struct sip_call *call, void *user_data)
{
    struct harness *harness = user_data;

    (void)engine;
    /* The first call sets up dialog A; later ones are replacements: taken when
     * authorized (and then the replaced call ends), refused otherwise. */
    if (!harness->dialogs[0].call)
    {
        harness->dialogs[0].call = sip_call_ref(call);
        sip_call_answer(call, NULL);
        return;
    }
    sip_call_get_invite_header(call, "Referred-By");
    if (sip_call_is_replacement_authorized(call))
    {
        sip_call_answer(call, NULL);
        if (sip_call_get_replaced_call(call))
            sip_call_hangup(sip_call_get_replaced_call(call), NULL);
    }
    else
        sip_call_reject(call, 603, NULL, NULL);
}

static void on_refer_received(struct sip_call *call, struct sip_refer *refer, void *user_data)
{
    struct harness *harness = user_data;

    (void)call;
    sip_refer_get_target_headers(refer);
    sip_refer_get_refer_to(refer);
    if (harness->refers->len < 32)
        g_ptr_array_add(harness->refers, sip_refer_ref(refer));
}

static void on_refer_progress(struct sip_refer *refer, enum sip_refer_progress progress, guint status_code,
                              const char *reason, enum sip_refer_end end, void *user_data)
{
    (void)refer;
    (void)progress;
    (void)status_code;
    (void)reason;
    (void)end;
    (void)user_data;
}

/* ---- requests from the peer -------------------------------------------------------------------- */

static char *message_text(const char *start_line, const char *headers, const char *content_type, const char *body)
{
    gsize length = body ? strlen(body) : 0;

    return g_strdup_printf("%s\r\n%s%s%s%sContent-Length: %zu\r\n\r\n%s", start_line, headers,
                           length ? "Content-Type: " : "", length ? content_type : "", length ? "\r\n" : "",
                           length, body ? body : "");
}

/* An in-dialog request from the peer with extra header lines and a body. */
static void send_in_dialog(struct harness *harness, struct dialog *dialog, const char *method, const char *extra,
                           const char *content_type, const char *body)
{
    char *start, *headers, *text;

    if (!dialog->call_id)
        return;
    start = g_strdup_printf("%s sip:bob@127.0.0.1:%u SIP/2.0", method, harness->port);
    headers = g_strdup_printf("Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKfz%u;rport\r\nMax-Forwards: 70\r\n"
                              "From: <" PEER_URI ">;tag=%s\r\nTo: <sip:bob@127.0.0.1>;tag=%s\r\nCall-ID: %s\r\n"
                              "CSeq: %u %s\r\nContact: <" PEER_URI ">\r\n%s",
                              ++harness->branch, dialog->peer_tag, dialog->local_tag, dialog->call_id,
                              ++dialog->cseq, method, extra);
    text = message_text(start, headers, content_type, body);
    inject(harness, text);
    g_free(text);
    g_free(headers);
    g_free(start);
}

static const char sdp[] =
    "v=0\r\no=carol 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
    "m=audio 30000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";

/* A new INVITE (no To tag) with extra headers. */
static void send_invite(struct harness *harness, const char *from, const char *extra)
{
    char *start = g_strdup_printf("INVITE sip:bob@127.0.0.1:%u SIP/2.0", harness->port);
    char *headers = g_strdup_printf("Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKfz%u;rport\r\nMax-Forwards: 70\r\n"
                                    "From: <%s>;tag=ftag%u\r\nTo: <sip:bob@127.0.0.1>\r\nCall-ID: fz-invite-%u\r\n"
                                    "CSeq: 1 INVITE\r\nContact: <" PEER_URI ">\r\n%s",
                                    ++harness->branch, from, harness->branch, harness->branch, extra);
    char *text = message_text(start, headers, "application/sdp", sdp);

    inject(harness, text);
    g_free(text);
    g_free(headers);
    g_free(start);
}

/* Answers the engine's last request: its Via, From, To (tag added), Call-ID, CSeq. */
static void respond_to_last(struct harness *harness, guint code, const char *extra)
{
    const char *request = harness->last_sent;
    char *via, *from, *to, *call_id, *cseq, *start, *headers, *text;

    if (!request)
        return;
    via = header_of(request, "Via");
    from = header_of(request, "From");
    to = header_of(request, "To");
    call_id = header_of(request, "Call-ID");
    cseq = header_of(request, "CSeq");
    if (via && from && to && call_id && cseq)
    {
        start = g_strdup_printf("SIP/2.0 %u Fuzz", code);
        headers = g_strdup_printf("Via: %s\r\nFrom: %s\r\nTo: %s%s\r\nCall-ID: %s\r\nCSeq: %s\r\n"
                                  "Contact: <" PEER_URI ">\r\n%s",
                                  via, from, to, strstr(to, "tag=") ? "" : ";tag=ptag", call_id, cseq, extra);
        text = message_text(start, headers, NULL, NULL);
        inject(harness, text);
        g_free(text);
        g_free(headers);
        g_free(start);
    }
    g_free(via);
    g_free(from);
    g_free(to);
    g_free(call_id);
    g_free(cseq);
}

/* ---- setting up the two dialogs ---------------------------------------------------------------- */

static void set_up(struct harness *harness)
{
    struct dialog *in = &harness->dialogs[0], *out = &harness->dialogs[1];
    char *to, *from;

    /* A: the peer calls us, we answer, it ACKs. */
    in->call_id = g_strdup("fz-dialog-a");
    in->peer_tag = g_strdup("atag");
    {
        char *start = g_strdup_printf("INVITE sip:bob@127.0.0.1:%u SIP/2.0", harness->port);
        char *text = message_text(start, "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKfzinv;rport\r\n"
                                         "Max-Forwards: 70\r\nFrom: <" PEER_URI ">;tag=atag\r\n"
                                         "To: <sip:bob@127.0.0.1>\r\nCall-ID: fz-dialog-a\r\nCSeq: 1 INVITE\r\n"
                                         "Contact: <" PEER_URI ">\r\n", "application/sdp", sdp);

        inject(harness, text);
        g_free(text);
        g_free(start);
    }
    if (harness->last_response && g_str_has_prefix(harness->last_response, "SIP/2.0 200 "))
    {
        char *start = g_strdup_printf("ACK sip:bob@127.0.0.1:%u SIP/2.0", harness->port), *headers, *text;

        to = header_of(harness->last_response, "To");
        in->local_tag = tag_of(to);
        g_free(to);
        headers = g_strdup_printf("Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKfzack;rport\r\nMax-Forwards: 70\r\n"
                                  "From: <" PEER_URI ">;tag=atag\r\nTo: <sip:bob@127.0.0.1>;tag=%s\r\n"
                                  "Call-ID: fz-dialog-a\r\nCSeq: 1 ACK\r\n", in->local_tag ? in->local_tag : "");
        text = message_text(start, headers, NULL, NULL);
        inject(harness, text);
        g_free(text);
        g_free(headers);
        g_free(start);
    }
    in->cseq = 1;
    /* B: we call the peer; it answers 200 with tag "btag". */
    out->call = sip_call_invite(harness->engine, "<sip:alice@127.0.0.1>", PEER_URI, NULL);
    run_context();
    if (out->call && harness->last_sent)
    {
        out->call_id = header_of(harness->last_sent, "Call-ID");
        from = header_of(harness->last_sent, "From");
        out->local_tag = tag_of(from);
        g_free(from);
        out->peer_tag = g_strdup("btag");
        {
            char *via = header_of(harness->last_sent, "Via"), *cseq = header_of(harness->last_sent, "CSeq");
            char *from_value = header_of(harness->last_sent, "From");
            char *headers;
            char *text;

            to = header_of(harness->last_sent, "To");
            headers = g_strdup_printf("Via: %s\r\nFrom: %s\r\nTo: %s;tag=btag\r\nCall-ID: %s\r\nCSeq: %s\r\n"
                                      "Contact: <" PEER_URI ">\r\n", via, from_value, to, out->call_id, cseq);
            text = message_text("SIP/2.0 200 OK", headers, "application/sdp", sdp);
            inject(harness, text);
            g_free(text);
            g_free(headers);
            g_free(via);
            g_free(cseq);
            g_free(from_value);
            g_free(to);
        }
        /* A REFER of ours in B, accepted, so NOTIFYs have something to name. */
        {
            struct sip_refer *refer = sip_call_refer(out->call, "sip:dave@127.0.0.1:5071", NULL, NULL);

            run_context();
            if (refer)
            {
                g_ptr_array_add(harness->refers, refer);
                respond_to_last(harness, 202, "");
            }
        }
    }
}

/* ---- one step ---------------------------------------------------------------------------------- */

static void do_step(struct harness *harness, guint8 op, guint8 flags, const char *text)
{
    struct dialog *dialog = &harness->dialogs[flags & 1];
    struct sip_refer *last = harness->refers->len ? g_ptr_array_index(harness->refers, harness->refers->len - 1) : NULL;
    char **parts;
    char *extra;

    switch (op % STEP_COUNT)
    {
    case STEP_REFER:
        extra = g_strdup_printf("Refer-To: %s\r\n%s%s", text, flags & 2 ? "Refer-Sub: false\r\n" : "",
                                flags & 4 ? "Referred-By: <" PEER_URI ">\r\n" : "");
        send_in_dialog(harness, dialog, "REFER", extra, NULL, NULL);
        g_free(extra);
        break;
    case STEP_NOTIFY:
        parts = g_strsplit(text, "\n", 3);
        extra = g_strdup_printf("Event: %s\r\nSubscription-State: %s\r\n", parts[0] ? parts[0] : "refer",
                                parts[0] && parts[1] ? parts[1] : "active");
        send_in_dialog(harness, dialog, "NOTIFY", extra, "message/sipfrag;version=2.0",
                       parts[0] && parts[1] && parts[2] ? parts[2] : "SIP/2.0 100 Trying\r\n");
        g_free(extra);
        g_strfreev(parts);
        break;
    case STEP_SUBSCRIBE:
        parts = g_strsplit(text, "\n", 2);
        extra = g_strdup_printf("Event: %s\r\n%s%s%s", parts[0] ? parts[0] : "refer",
                                parts[0] && parts[1] ? "Expires: " : "", parts[0] && parts[1] ? parts[1] : "",
                                parts[0] && parts[1] ? "\r\n" : "");
        send_in_dialog(harness, dialog, "SUBSCRIBE", extra, NULL, NULL);
        g_free(extra);
        g_strfreev(parts);
        break;
    case STEP_REPLACES:
    {
        struct dialog *a = &harness->dialogs[0];
        char *value = *text || !a->call_id ? g_strdup(text)
                                           : g_strdup_printf("%s;to-tag=%s;from-tag=%s%s", a->call_id,
                                                             a->local_tag ? a->local_tag : "x", a->peer_tag,
                                                             flags & 8 ? ";early-only" : "");

        extra = g_strdup_printf("Replaces: %s\r\n%s%s", value, flags & 4 ? "Referred-By: <sip:carol@127.0.0.1>\r\n" : "",
                                flags & 16 ? "Replaces: x;to-tag=1;from-tag=2\r\n" : "");
        send_invite(harness, flags & 2 ? PEER_URI : "sip:mallory@127.0.0.1:5090", extra);
        g_free(extra);
        g_free(value);
        break;
    }
    case STEP_REQUEST:
        if (*text && strspn(text, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") == strlen(text))
            send_in_dialog(harness, dialog, text, "", NULL, NULL);
        break;
    case STEP_DECIDE:
        if (!last || !sip_refer_is_incoming(last))
            break;
        switch ((flags >> 1) & 3)
        {
        case 0:
            sip_refer_accept(last, NULL);
            break;
        case 1:
            sip_refer_reject(last, 400 + (flags >> 3) * 10, NULL, NULL);
            break;
        default:
            sip_refer_notify(last, 100 + (flags >> 3) * 20, NULL, NULL);
            break;
        }
        break;
    case STEP_TIME:
        engine_expire_timers(harness->engine, 1 + (flags & 7));
        break;
    case STEP_RESPOND:
        respond_to_last(harness, 100 * (1 + (flags & 7) % 6) + 3 * (flags >> 3), text);
        break;
    case STEP_SEND_REFER:
        if (dialog->call && harness->refers->len < 32)
        {
            struct sip_refer *refer = sip_call_refer(dialog->call, *text ? text : "sip:erin@127.0.0.1:5072", NULL, NULL);

            if (refer)
                g_ptr_array_add(harness->refers, refer);
        }
        break;
    case STEP_HANGUP:
        if (dialog->call)
            sip_call_hangup(dialog->call, NULL);
        break;
    }
    run_context();
}

/* ---- one run ------------------------------------------------------------------------------------ */

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static GLogWriterOutput log_writer(GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer user_data)
{
    (void)user_data;
    /* A critical or a warning is a bug the input found: make it a crash. */
    if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING))
    {
        g_log_writer_standard_streams(level, fields, n_fields, NULL);
        abort();
    }
    if (trace)
        return g_log_writer_standard_streams(level, fields, n_fields, NULL);
    return G_LOG_WRITER_HANDLED;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    trace = getenv("FUZZ_TRACE") != NULL;
    g_log_set_writer_func(log_writer, NULL, NULL);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sip_engine_callbacks callbacks = { 0 };
    struct sip_refer_callbacks refer_callbacks = { on_refer_received, on_refer_progress };
    struct sip_engine_config config = { 0 };
    struct sip_media_backend *media = g_new0(struct sip_media_backend, 1);
    struct harness harness = { 0 };
    size_t position = 0;
    guint steps, i;

    harness.refers = g_ptr_array_new();
    media->funcs = &null_backend_funcs;
    config.media_backend = media;
    callbacks.incoming_call = on_incoming_call;
    harness.engine = sip_engine_new(&config, &callbacks, &harness, NULL);
    if (!harness.engine)
        abort();
    sip_engine_set_refer_callbacks(harness.engine, &refer_callbacks);
    engine_set_random_seed(harness.engine, 1);
    sip_transport_layer_set_send_override(harness.engine->transports, capture, &harness);
    if (!sip_engine_listen(harness.engine, SIP_TRANSPORT_UDP, "127.0.0.1", 0, &harness.port, NULL))
        abort();
    set_up(&harness);

    for (steps = 0; steps < MAX_STEPS && position + 3 <= size; steps++)
    {
        guint8 op = data[position], flags = data[position + 1];
        size_t length = MIN((size_t)data[position + 2], size - position - 3);
        char *text = g_strndup((const char *)data + position + 3, length);

        /* A NUL or CR/LF would let the text write its own headers: that is fuzz_message's job. */
        g_strdelimit(text, "\r", ' ');
        if (op % STEP_COUNT != STEP_NOTIFY && op % STEP_COUNT != STEP_SUBSCRIBE && op % STEP_COUNT != STEP_RESPOND)
            g_strdelimit(text, "\n", ' ');
        do_step(&harness, op, flags, text);
        g_free(text);
        position += 3 + length;
    }

    /* Time passes: what is pending fires (bounded: some timers re-arm). */
    engine_expire_timers(harness.engine, 64);
    run_context();
    for (i = 0; i < harness.refers->len; i++)
        sip_refer_unref(g_ptr_array_index(harness.refers, i));
    g_ptr_array_set_size(harness.refers, 0);
    for (i = 0; i < G_N_ELEMENTS(harness.dialogs); i++)
    {
        struct dialog *dialog = &harness.dialogs[i];

        if (dialog->call)
        {
            sip_call_hangup(dialog->call, NULL);
            sip_call_unref(dialog->call);
        }
        g_free(dialog->call_id);
        g_free(dialog->peer_tag);
        g_free(dialog->local_tag);
    }
    run_context();
    sip_engine_free(harness.engine);
    g_ptr_array_free(harness.refers, TRUE);
    g_free(harness.last_sent);
    g_free(harness.last_response);
    run_context();
    return 0;
}
