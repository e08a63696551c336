/*
 * Three engines (alice, bob, carol) that reach each other only through an
 * outbound proxy that is also their registrar (kamailio, started by
 * proxy_kamailio.sh): bob and carol REGISTER through it, alice sends a
 * MESSAGE to carol's address-of-record, calls bob's, holds him (re-INVITE),
 * transfers him to carol (REFER; bob's INVITE to carol and his NOTIFYs go
 * through the proxy too) and hangs up. The proxy Record-Routes, so every
 * in-dialog request must carry its Route: the dialogs' route sets are
 * checked here, and the script checks the proxy's log.
 *
 *   proxy_peers --proxy sip:127.0.0.1:5060 [--transport udp|tcp] [--port 5061]
 *
 * Exit 0 when every step happened (each within a bounded wait), 1 otherwise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "call.h"
#include "dialog.h"
#include "sip/sip_call.h"
#include "sip/sip_engine.h"
#include "sip/sip_refer.h"
#include "sip/sip_register.h"

struct peer
{
    const char *name;
    struct sip_engine *engine;
    char *contact;                      /* our identity, sip:name@127.0.0.1 (the AOR) */
    GPtrArray *events;
    struct sip_call *incoming;          /* referenced */
    struct sip_refer *following;        /* bob: the refer his transfer call reports to */
    struct sip_call *transfer_call;
    struct sip_registration *registration;
};

static struct peer alice = { .name = "alice" }, bob = { .name = "bob" }, carol = { .name = "carol" };
static const char *transport = "udp";

static void record(struct peer *peer, const char *format, ...) G_GNUC_PRINTF(2, 3);
static void record(struct peer *peer, const char *format, ...)
{
    va_list args;
    char *text;

    va_start(args, format);
    text = g_strdup_vprintf(format, args);
    va_end(args);
    printf("  %s: %s\n", peer->name, text);
    g_ptr_array_add(peer->events, text);
}

static gboolean has_event(struct peer *peer, const char *event)
{
    for (guint i = 0; i < peer->events->len; i++)
        if (!strcmp(g_ptr_array_index(peer->events, i), event))
            return TRUE;
    return FALSE;
}

static void wait_for(struct peer *peer, const char *event)
{
    gint64 deadline = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;

    while (!has_event(peer, event) && g_get_monotonic_time() < deadline)
        if (!g_main_context_iteration(NULL, FALSE))
            g_usleep(1000);
    if (!has_event(peer, event))
    {
        printf("FAILED: %s never saw \"%s\"\n", peer->name, event);
        exit(1);
    }
}

static void check(gboolean ok, const char *what)
{
    if (!ok)
    {
        printf("FAILED: %s\n", what);
        exit(1);
    }
    printf("ok: %s\n", what);
}

static void on_incoming_call(struct sip_engine *engine, struct sip_call *call, void *user_data)
{
    struct peer *peer = user_data;

    (void)engine;
    record(peer, "incoming");
    if (peer->incoming)
        sip_call_unref(peer->incoming);
    peer->incoming = sip_call_ref(call);
    sip_call_answer(call, NULL);
}

static void on_state(struct sip_call *call, enum sip_call_state state, guint code, const char *reason, void *user_data)
{
    struct peer *peer = user_data;
    const char *label = call == peer->transfer_call ? "transfer" : sip_call_is_incoming(call) ? "in" : "out";

    (void)reason;
    record(peer, "%s %s %u", label, sip_call_state_name(state), code);
    if (state == SIP_CALL_STATE_TERMINATED)
        record(peer, "%s ended %s", label, sip_call_end_reason_name(sip_call_get_end_reason(call)));
    if (call == peer->transfer_call && peer->following && (state == SIP_CALL_STATE_CONNECTED || code >= 300))
        sip_refer_notify(peer->following, state == SIP_CALL_STATE_CONNECTED ? 200 : code, NULL, NULL);
}

static void on_media(struct sip_call *call, gboolean local_hold, gboolean remote_hold, void *user_data)
{
    (void)call;
    record(user_data, "media %d %d", local_hold, remote_hold);
}

static void on_message(struct sip_engine *engine, struct sip_call *call, const struct sip_incoming_request *request,
                       void *user_data)
{
    (void)engine;
    (void)call;
    record(user_data, "message %s", request->body);
}

static void on_completed(struct sip_engine *engine, guint id, guint code, const char *reason, void *user_data)
{
    (void)engine;
    (void)id;
    (void)reason;
    record(user_data, "completed %u", code);
}

static void on_refer_received(struct sip_call *call, struct sip_refer *refer, void *user_data)
{
    struct peer *peer = user_data;
    char *from = g_strdup_printf("<%s>", peer->contact);

    record(peer, "refer-received %s", sip_refer_get_target(refer));
    sip_refer_accept(refer, NULL);
    peer->following = sip_refer_ref(refer);
    peer->transfer_call = sip_call_invite(sip_call_get_engine(call), from, sip_refer_get_target(refer), NULL);
    g_free(from);
}

static void on_refer_progress(struct sip_refer *refer, enum sip_refer_progress progress, guint code,
                              const char *reason, enum sip_refer_end end, void *user_data)
{
    static const char *const names[] = { "accepted", "rejected", "failed", "notify", "ended" };
    static const char *const ends[] = { "success", "failure", "no-final", "rejected", "call-gone" };

    (void)refer;
    (void)reason;
    if (progress == SIP_REFER_ENDED)
        record(user_data, "refer ended %s", ends[end]);
    else
        record(user_data, "refer %s %u", names[progress], code);
}

static void on_registration(struct sip_registration *registration, enum sip_registration_state state, guint code,
                            const char *reason, void *user_data)
{
    (void)registration;
    (void)reason;
    record(user_data, "registration %s %u", sip_registration_state_name(state), code);
}

static void peer_start(struct peer *peer, const char *proxy, guint16 port)
{
    struct sip_engine_callbacks callbacks = { 0 };
    struct sip_refer_callbacks refer_callbacks = { on_refer_received, on_refer_progress };
    struct sip_registration_callbacks registration_callbacks = { on_registration };
    GError *error = NULL;

    peer->events = g_ptr_array_new_with_free_func(g_free);
    callbacks.incoming_call = on_incoming_call;
    callbacks.call_state_changed = on_state;
    callbacks.call_media_changed = on_media;
    callbacks.message_received = on_message;
    callbacks.request_completed = on_completed;
    peer->engine = sip_engine_new(NULL, &callbacks, peer, &error);
    sip_engine_set_refer_callbacks(peer->engine, &refer_callbacks);
    sip_engine_set_registration_callbacks(peer->engine, &registration_callbacks);
    if (!sip_engine_listen(peer->engine, !strcmp(transport, "tcp") ? SIP_TRANSPORT_TCP : SIP_TRANSPORT_UDP,
                           "127.0.0.1", port, NULL, &error)
        || !sip_engine_set_outbound_proxy(peer->engine, proxy, &error))
    {
        printf("FAILED: %s: %s\n", peer->name, error->message);
        exit(1);
    }
    peer->contact = g_strdup_printf("sip:%s@127.0.0.1", peer->name);
}

static void peer_stop(struct peer *peer)
{
    if (peer->incoming)
        sip_call_unref(peer->incoming);
    if (peer->transfer_call)
        sip_call_unref(peer->transfer_call);
    if (peer->following)
        sip_refer_unref(peer->following);
    if (peer->registration)
        sip_registration_unref(peer->registration);
    sip_engine_free(peer->engine);
    g_ptr_array_free(peer->events, TRUE);
    g_free(peer->contact);
}

static guint route_set_size(struct sip_call *call)
{
    struct sip_dialog *dialog = call_confirmed_dialog(call);

    return dialog ? (guint)osip_list_size(&dialog->route_set) : 0;
}

int main(int argc, char **argv)
{
    char *proxy = NULL, *registrar;
    gint port = 5061;
    GOptionEntry entries[] =
    {
        { "proxy", 0, 0, G_OPTION_ARG_STRING, &proxy, "the outbound proxy and registrar", "URI" },
        { "transport", 0, 0, G_OPTION_ARG_STRING, &transport, "udp or tcp", "T" },
        { "port", 0, 0, G_OPTION_ARG_INT, &port, "first of three ports for alice, bob, carol", "PORT" },
        { NULL }
    };
    GOptionContext *options = g_option_context_new("- three engines through a proxy");
    struct sip_refer *refer;
    struct sip_call *call;
    char *text;

    g_option_context_add_main_entries(options, entries, NULL);
    if (!g_option_context_parse(options, &argc, &argv, NULL) || !proxy)
    {
        fprintf(stderr, "usage: proxy_peers --proxy URI [--transport udp|tcp] [--port N]\n");
        return 2;
    }
    g_option_context_free(options);
    peer_start(&alice, proxy, port);
    peer_start(&bob, proxy, port + 1);
    peer_start(&carol, proxy, port + 2);
    /* The registrar is the proxy itself: Request-URI and Route both name it. */
    registrar = g_strdup(proxy);

    /* 1. bob and carol register through the proxy. */
    bob.registration = sip_register(bob.engine, bob.contact, registrar, 300, NULL);
    carol.registration = sip_register(carol.engine, carol.contact, registrar, 300, NULL);
    wait_for(&bob, "registration registered 200");
    wait_for(&carol, "registration registered 200");
    check(TRUE, "REGISTER through the proxy");

    /* 2. An out-of-dialog MESSAGE to an address-of-record. */
    check(sip_engine_send_message(alice.engine, "<sip:alice@127.0.0.1>", carol.contact, "text/plain", "hello", 5,
                                  NULL) != 0, "MESSAGE sent");
    wait_for(&carol, "message hello");
    wait_for(&alice, "completed 200");
    check(TRUE, "MESSAGE through the proxy");

    /* 3. A call to bob's address-of-record; the proxy Record-Routes. */
    call = sip_call_invite(alice.engine, "\"Alice\" <sip:alice@127.0.0.1>", bob.contact, NULL);
    check(call != NULL, "INVITE sent");
    wait_for(&alice, "out connected 200");
    wait_for(&bob, "in connected 200");
    text = g_strdup_printf("route sets: alice %u, bob %u (one Record-Route each)", route_set_size(call),
                           route_set_size(bob.incoming));
    check(route_set_size(call) == 1 && route_set_size(bob.incoming) == 1, text);
    g_free(text);

    /* 4. Hold: a re-INVITE along the route set. */
    check(sip_call_hold(call, NULL), "hold");
    wait_for(&alice, "media 1 0");
    wait_for(&bob, "media 0 1");
    check(TRUE, "re-INVITE through the proxy");

    /* 5. Transfer bob to carol: REFER, bob's INVITE, NOTIFYs, all through the proxy. */
    refer = sip_call_refer(call, carol.contact, NULL, NULL);
    check(refer != NULL, "REFER sent");
    wait_for(&alice, "refer accepted 202");
    wait_for(&carol, "in connected 200");
    wait_for(&alice, "refer notify 200");
    wait_for(&alice, "refer ended success");
    check(route_set_size(bob.transfer_call) == 1, "transfer call recorded by the proxy");
    check(TRUE, "REFER/NOTIFY through the proxy");
    sip_refer_unref(refer);

    /* 6. Hang up both calls: BYEs along the route sets. */
    check(sip_call_hangup(call, NULL), "alice hangs up");
    wait_for(&bob, "in ended remote-hangup");
    check(sip_call_hangup(bob.transfer_call, NULL), "bob hangs up the transfer call");
    wait_for(&carol, "in ended remote-hangup");
    check(TRUE, "BYE through the proxy");

    /* 7. Unregister through the proxy. */
    check(sip_registration_unregister(carol.registration, NULL), "carol unregisters");
    wait_for(&carol, "registration unregistered 200");

    sip_call_unref(call);
    g_free(registrar);
    g_free(proxy);
    peer_stop(&alice);
    peer_stop(&bob);
    peer_stop(&carol);
    printf("ok: all through the proxy\n");
    return 0;
}
