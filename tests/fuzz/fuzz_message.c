/*
 * libFuzzer target over the engine's message entry point (issue 3, item 8).
 *
 * Each input runs a real engine on the main context, with its sockets'
 * output taken over by a stand-in (nothing leaves the process) and its
 * random numbers seeded, so tags, branches and Call-IDs repeat from run to
 * run and a seed can answer what the engine sent. The bytes then arrive
 * exactly as the transport hands them up (sip_transport_inject(): the
 * datagram checks, or the stream framing), and between messages the main
 * context runs, so the API layer's stand-in below answers calls, accepts or
 * refuses transfers, holds, sends INFO/MESSAGE/REFER, serves "presence"
 * subscriptions (accepting each, active or pending) and refreshes or ends
 * its own, and the engine acts on all of that. After the last message the engine's own timers are made
 * to fire (2xx retransmission and its give-up, linger, glare retry, refer
 * decision and subscription expiry, registration refresh), then the engine
 * is freed, with or without the calls still referenced.
 *
 * Input layout: byte 0 is a set of flags (below); the rest is one or more
 * messages separated by a NUL byte.
 *
 * FUZZ_TRACE=1 in the environment prints every message the engine sends
 * (that is how tests/fuzz/corpus/ seeds were made to match them).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dispatch.h"
#include "engine.h"
#include "shed.h"
#include "timer_source.h"
#include "sip/sip_call.h"
#include "sip/sip_refer.h"
#include "sip/sip_register.h"
#include "sip/sip_subscription.h"
#include "sip/sip_publication.h"

enum
{
    FLAG_ACTION_MASK = 0x03,    /* incoming calls: 0 answer, 1 ring + progress, 2 reject 486, 3 redirect */
    FLAG_REFER_ACCEPT = 0x04,   /* incoming REFERs: accept and NOTIFY 180, 200 (else reject 603);
                                   incoming SUBSCRIBEs: accept active (else pending, then active) */
    FLAG_STREAM = 0x08,         /* messages arrive over TCP (stream framing) instead of UDP */
    FLAG_OUTGOING = 0x10,       /* start with an INVITE, a REGISTER, a MESSAGE, a SUBSCRIBE and a PUBLISH
                                   to 127.0.0.1:5070 */
    FLAG_CONNECTED = 0x20,      /* on a connected call: hold, INFO, MESSAGE, REFER */
    FLAG_HANGUP = 0x40,         /* hang up every call after each message; unsubscribe on a NOTIFY
                                   (else refresh) */
    FLAG_DETACH = 0x80,         /* free the engine with the calls still referenced, unref them after */
};

struct harness
{
    guint8 flags;
    struct sip_engine *engine;
    GPtrArray *calls;           /* struct sip_call *, referenced */
    GPtrArray *refers;          /* struct sip_refer *, referenced */
    GPtrArray *registrations;   /* struct sip_registration *, referenced */
    GPtrArray *subscriptions;   /* struct sip_subscription *, referenced (both roles) */
    GPtrArray *publications;    /* struct sip_publication *, referenced */
};

static const char presence_document[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" entity=\"sip:alice@127.0.0.1\">"
    "<tuple id=\"t1\"><status><basic>open</basic></status></tuple></presence>";

static gboolean trace;

#include "null_backend.h"

/* ---- the network's stand-in ---------------------------------------------------------------- */

static gboolean swallow(enum sip_transport_protocol protocol, const char *host, guint16 port, guint connection_id,
                        const char *data, gsize length, void *user_data)
{
    (void)user_data;
    if (trace)
        fprintf(stderr, "==== sent %s %s:%u conn %u (%zu bytes)\n%.*s\n", sip_transport_protocol_name(protocol),
                host ? host : "(null)", port, connection_id, length, (int)length, data);
    return TRUE;
}

/* ---- the API layer's stand-in ---------------------------------------------------------------- */

static void on_incoming_call(struct sip_engine *engine, struct sip_call *call, void *user_data)
{
    static const char *const contacts[] = { "sip:one@127.0.0.1:5072", "\"Two\" <sip:two@[::1]:5073>", NULL };
    struct harness *harness = user_data;

    (void)engine;
    g_ptr_array_add(harness->calls, sip_call_ref(call));
    switch (harness->flags & FLAG_ACTION_MASK)
    {
    case 0:
        sip_call_answer(call, NULL);
        break;
    case 1:
        sip_call_ring(call, NULL);
        sip_call_progress(call, NULL);
        break;
    case 2:
        sip_call_reject(call, 486, NULL, NULL);
        break;
    case 3:
        sip_call_redirect_many(call, contacts, NULL);
        break;
    }
    sip_call_get_invite_header(call, "Referred-By");
    sip_call_get_replaced_call(call);
}

static void on_state(struct sip_call *call, enum sip_call_state state, guint status_code, const char *reason,
                     void *user_data)
{
    struct harness *harness = user_data;
    const char *address;
    guint16 port;

    (void)status_code;
    (void)reason;
    sip_call_get_remote_media(call, &address, &port);
    if (state != SIP_CALL_STATE_CONNECTED || !(harness->flags & FLAG_CONNECTED) || sip_call_get_user_data(call))
        return;
    sip_call_set_user_data(call, harness);      /* once per call */
    sip_call_hold(call, NULL);
    sip_call_send_info(call, "application/dtmf-relay", "Signal=5\r\nDuration=160\r\n", 25, NULL);
    sip_call_send_message(call, "text/plain", "hello", 5, NULL);
    {
        char *refer_to = sip_call_build_replaces_refer_to(call, NULL);
        struct sip_refer *refer = sip_call_refer(call, refer_to ? refer_to : "sip:carol@127.0.0.1:5071", NULL, NULL);

        if (refer)
            g_ptr_array_add(harness->refers, refer);
        g_free(refer_to);
    }
}

static void on_refer_received(struct sip_call *call, struct sip_refer *refer, void *user_data)
{
    struct harness *harness = user_data;

    (void)call;
    sip_refer_get_target_headers(refer);
    sip_refer_get_header(refer, "Referred-By");
    if (!(harness->flags & FLAG_REFER_ACCEPT))
    {
        sip_refer_reject(refer, 603, NULL, NULL);
        return;
    }
    g_ptr_array_add(harness->refers, sip_refer_ref(refer));
    sip_refer_accept(refer, NULL);
    sip_refer_notify(refer, 180, NULL, NULL);
    sip_refer_notify(refer, 200, "OK", NULL);
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

/* A presence notifier: every SUBSCRIBE is accepted, active, with a document;
 * a refresh (or the state changing) gets another. */
static void on_subscription_received(struct sip_engine *engine, struct sip_subscription *subscription,
                                     void *user_data)
{
    struct harness *harness = user_data;

    (void)engine;
    g_ptr_array_add(harness->subscriptions, sip_subscription_ref(subscription));
    if (harness->flags & FLAG_REFER_ACCEPT)
        sip_subscription_accept(subscription, TRUE, SIP_PIDF_CONTENT_TYPE, presence_document,
                                sizeof(presence_document) - 1, NULL);
    else
        sip_subscription_accept(subscription, FALSE, NULL, NULL, 0, NULL);
}

static void on_subscription_state(struct sip_subscription *subscription, enum sip_subscription_status state,
                                  enum sip_subscription_reason reason, guint status_code, void *user_data)
{
    (void)reason;
    (void)status_code;
    (void)user_data;
    if (state == SIP_SUBSCRIPTION_PENDING && sip_subscription_is_notifier(subscription))
        sip_subscription_notify(subscription, TRUE, SIP_PIDF_CONTENT_TYPE, presence_document,
                                sizeof(presence_document) - 1, NULL);
}

static void on_notify(struct sip_subscription *subscription, const struct sip_subscription_notify *notify,
                      void *user_data)
{
    struct harness *harness = user_data;

    (void)notify;
    if (harness->flags & FLAG_HANGUP)
        sip_subscription_unsubscribe(subscription, NULL);
    else
        sip_subscription_refresh(subscription, NULL);
}

static const struct sip_subscription_callbacks subscription_callbacks =
{
    .subscription_received = on_subscription_received,
    .state_changed = on_subscription_state,
    .notify_received = on_notify,
};

static const char *const served_packages[] = { "presence", "presence.winfo", NULL };

/* ---- one run ------------------------------------------------------------------------------------ */

static void run_context(void)
{
    int i;

    /* Bounded: queued events, zero-delay timers and what they cause. */
    for (i = 0; i < 64 && g_main_context_iteration(NULL, FALSE); i++)
        ;
}

static void start_outgoing(struct harness *harness, gboolean stream)
{
    const char *suffix = stream ? ";transport=tcp" : "";
    struct sip_registration *registration;
    struct sip_call *call;
    char *target;

    struct sip_register_options register_options = { "" };     /* direct, despite the default below */

    sip_engine_set_credentials(harness->engine, NULL, "alice", "secret");
    /* Out-of-dialog requests go through an outbound proxy (Route), which
     * is also the peer: the responses below still match. */
    target = g_strdup_printf("sip:127.0.0.1:5070%s", suffix);
    sip_engine_set_outbound_proxy(harness->engine, target, NULL);
    g_free(target);
    target = g_strdup_printf("sip:bob@127.0.0.1:5070%s", suffix);
    call = sip_call_invite(harness->engine, "\"Alice\" <sip:alice@127.0.0.1>", target, NULL);
    if (call)
        g_ptr_array_add(harness->calls, call);
    g_free(target);
    target = g_strdup_printf("sip:127.0.0.1:5070%s", suffix);
    registration = sip_register_full(harness->engine, "sip:alice@127.0.0.1", target, 60, &register_options, NULL);
    if (registration)
        g_ptr_array_add(harness->registrations, registration);
    g_free(target);
    target = g_strdup_printf("sip:bob@127.0.0.1:5070%s", suffix);
    sip_engine_send_message(harness->engine, "<sip:alice@127.0.0.1>", target, "text/plain", "hi", 2, NULL);
    g_free(target);
    /* After the call's, REGISTER's and MESSAGE's draws: the seeds that answer those keep working. */
    {
        struct sip_subscription *subscription;
        struct sip_publication *publication;

        target = g_strdup_printf("sip:bob@127.0.0.1:5070%s", suffix);
        subscription = sip_subscribe(harness->engine, "<sip:alice@127.0.0.1>", target, "presence", NULL, NULL);
        if (subscription)
            g_ptr_array_add(harness->subscriptions, subscription);
        g_free(target);
        publication = sip_publish(harness->engine, "sip:alice@127.0.0.1", "presence", SIP_PIDF_CONTENT_TYPE,
                                  presence_document, sizeof(presence_document) - 1, NULL, NULL);
        if (publication)
            g_ptr_array_add(harness->publications, publication);
    }
}

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
    struct sip_media_backend *media;
    struct sip_transport_peer peer = { 0 };
    struct harness harness = { 0 };
    const char *message, *end;
    gboolean stream;
    guint i;

    if (size < 1)
        return 0;
    harness.flags = data[0];
    stream = (harness.flags & FLAG_STREAM) != 0;
    harness.calls = g_ptr_array_new();
    harness.refers = g_ptr_array_new();
    harness.registrations = g_ptr_array_new();
    harness.subscriptions = g_ptr_array_new();
    harness.publications = g_ptr_array_new();

    media = g_new0(struct sip_media_backend, 1);
    media->funcs = &null_backend_funcs;
    config.media_backend = media;
    callbacks.incoming_call = on_incoming_call;
    callbacks.call_state_changed = on_state;
    harness.engine = sip_engine_new(&config, &callbacks, &harness, NULL);
    if (!harness.engine)
        abort();
    sip_engine_set_refer_callbacks(harness.engine, &refer_callbacks);
    sip_engine_set_subscription_callbacks(harness.engine, &subscription_callbacks, served_packages);
    engine_set_random_seed(harness.engine, 1);
    sip_transport_layer_set_send_override(harness.engine->transports, swallow, NULL);
    if (!sip_engine_listen(harness.engine, SIP_TRANSPORT_UDP, "127.0.0.1", 0, NULL, NULL)
        || !sip_engine_listen(harness.engine, SIP_TRANSPORT_TCP, "127.0.0.1", 0, NULL, NULL))
        abort();
    if (harness.flags & FLAG_OUTGOING)
        start_outgoing(&harness, stream);
    run_context();

    peer.protocol = stream ? SIP_TRANSPORT_TCP : SIP_TRANSPORT_UDP;
    peer.remote_ip = "127.0.0.1";
    peer.remote_port = 5070;
    peer.connection_id = stream ? 1 : 0;
    for (message = (const char *)data + 1, end = (const char *)data + size; message < end;)
    {
        const char *separator = memchr(message, 0, end - message);
        gsize length = (separator ? separator : end) - message;

        if (trace)
            fprintf(stderr, "==== received (%zu bytes)\n%.*s\n", length, (int)length, message);
        /* The scan past the receive-backlog bound (shed.c) sees every message
         * too, without changing what the engine does with it below. */
        if (!stream)
        {
            struct sip_transport_peer late = peer;

            late.backlog_ms = SIP_ENGINE_DEFAULT_RECEIVE_BACKLOG_MS;
            engine_set_behind_for(harness.engine, late.backlog_ms);
            engine_shed_unparsed(harness.engine, message, length, &late);
        }
        sip_transport_inject(harness.engine->transports, &peer, message, length);
        run_context();
        if (harness.flags & FLAG_HANGUP)
        {
            for (i = 0; i < harness.calls->len; i++)
                sip_call_hangup(g_ptr_array_index(harness.calls, i), NULL);
            run_context();
        }
        message += length + 1;
    }

    /* Time passes: the engine's own timers fire (bounded: some re-arm). */
    engine_expire_timers(harness.engine, 256);
    run_context();

    if (!(harness.flags & FLAG_DETACH))
    {
        for (i = 0; i < harness.refers->len; i++)
            sip_refer_unref(g_ptr_array_index(harness.refers, i));
        g_ptr_array_set_size(harness.refers, 0);
        for (i = 0; i < harness.calls->len; i++)
            sip_call_unref(g_ptr_array_index(harness.calls, i));
        g_ptr_array_set_size(harness.calls, 0);
        for (i = 0; i < harness.registrations->len; i++)
            sip_registration_unref(g_ptr_array_index(harness.registrations, i));
        g_ptr_array_set_size(harness.registrations, 0);
        for (i = 0; i < harness.subscriptions->len; i++)
            sip_subscription_unref(g_ptr_array_index(harness.subscriptions, i));
        g_ptr_array_set_size(harness.subscriptions, 0);
        for (i = 0; i < harness.publications->len; i++)
            sip_publication_unref(g_ptr_array_index(harness.publications, i));
        g_ptr_array_set_size(harness.publications, 0);
        run_context();
    }
    sip_engine_free(harness.engine);
    /* Detached objects must stay usable and free cleanly. */
    for (i = 0; i < harness.calls->len; i++)
    {
        struct sip_call *call = g_ptr_array_index(harness.calls, i);

        sip_call_hangup(call, NULL);
        sip_call_unref(call);
    }
    for (i = 0; i < harness.refers->len; i++)
    {
        struct sip_refer *refer = g_ptr_array_index(harness.refers, i);

        sip_refer_notify(refer, 200, NULL, NULL);
        sip_refer_unref(refer);
    }
    for (i = 0; i < harness.registrations->len; i++)
    {
        struct sip_registration *registration = g_ptr_array_index(harness.registrations, i);

        sip_registration_unregister(registration, NULL);
        sip_registration_unref(registration);
    }
    for (i = 0; i < harness.subscriptions->len; i++)
    {
        struct sip_subscription *subscription = g_ptr_array_index(harness.subscriptions, i);

        sip_subscription_refresh(subscription, NULL);
        sip_subscription_unref(subscription);
    }
    for (i = 0; i < harness.publications->len; i++)
    {
        struct sip_publication *publication = g_ptr_array_index(harness.publications, i);

        sip_publication_remove(publication, NULL);
        sip_publication_unref(publication);
    }
    g_ptr_array_free(harness.calls, TRUE);
    g_ptr_array_free(harness.refers, TRUE);
    g_ptr_array_free(harness.registrations, TRUE);
    g_ptr_array_free(harness.subscriptions, TRUE);
    g_ptr_array_free(harness.publications, TRUE);
    run_context();
    return 0;
}
