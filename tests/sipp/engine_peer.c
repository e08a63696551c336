/*
 * engine_peer: the SIP engine alone, as a user agent SIPp can talk to.
 *
 *   UAS: engine_peer --mode uas --port 15060 [--reject 486 | --ring-only |
 *        --ring-ms 200] [--calls N] [--expect-remote-hold]
 *   UAC: engine_peer --mode uac --port 15061 --target sip:svc@127.0.0.1:15062
 *        (--transport tcp adds ";transport=tcp" to the target)
 *        [--script hold,resume,refer,bye] [--cancel-after-ring] [--expect-end rejected
 *        --expect-code 486 --expect-contact sip:...] [--refer-target URI
 *        --expect-refer-end success]
 *   transferee: --refer-action accept|reject|ignore [--refer-final 200]
 *        [--refer-decision-ms MS] [--refer-expires S]   (accepted without
 *        --refer-final: kept, never reported on, so its subscription runs out)
 *   REGISTER: engine_peer --mode register --registrar sip:127.0.0.1:15062
 *        --aor sip:alice@127.0.0.1 --user alice --password secret
 *        [--expires 2 --registered-ms 1800]   (registers, waits, unregisters)
 *   --user/--password give credentials for any 401/407 (all modes).
 *   Names (tests/dns/): --transport tls with --cert FILE (the TLS listener's
 *   certificate and key) and --ca FILE (the CAs to trust); --expect-failure
 *   "name not found" (or another sip_delivery_failure_name()) for a call or
 *   registration no server answered; --keepalive S (UDP and TCP/TLS
 *   keep-alive interval); --advertise HOST (Via and Contact host). At the
 *   end a line "engine_peer: stats fail-overs N keep-alives N pongs N".
 *
 * Exit status 0 when every call ended as expected, 1 when one did not,
 * 2 on a usage or setup error, 3 when --timeout expired first. SIGTERM and
 * SIGINT end a UAS run and report what happened so far.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>
#include <glib-unix.h>

#include "sip/sip_call.h"
#include "sip/sip_engine.h"
#include "sip/sip_refer.h"
#include "sip/sip_register.h"

static struct
{
    char *mode;
    char *transport;
    char *address;
    int port;
    char *target;
    char *from;
    char *script;
    int step_ms;
    int calls;
    int reject;
    gboolean ring_only;
    int ring_ms;
    gboolean cancel_after_ring;
    gboolean expect_remote_hold;
    char *expect_end;
    int expect_code;
    char *expect_contact;
    char *refer_target;
    char *expect_refer_end;
    char *refer_action;
    int refer_final;
    int refer_decision_ms;
    int refer_expires;
    gboolean no_refer_sub;
    char *user;
    char *password;
    char *cert;
    char *ca;
    char *expect_failure;
    int keepalive_s;
    char *advertise;
    char *registrar;
    char *aor;
    int expires;
    int registered_ms;
    int linger_ms;
    int timeout_s;
    gboolean verbose;
    enum sip_transport_protocol protocol;
    guint16 bound_port;
} options = { .transport = "udp", .address = "127.0.0.1", .step_ms = 300, .calls = 1, .ring_ms = -1,
              .linger_ms = 1000, .timeout_s = 30 };

static GMainLoop *loop;
static struct sip_engine *engine;
static int exit_status;
static int calls_ended;
static gboolean saw_remote_hold;
static struct sip_refer *outgoing_refer;
static gboolean refer_ended;
static int refers_received;
static GPtrArray *kept_refers;      /* accepted without a final report: held to the end */

struct uac_state
{
    char **steps;
    int next_step;
    gboolean step_running;      /* waiting for a hold/resume to take effect */
};
static struct uac_state uac;

static void fail(const char *format, ...) G_GNUC_PRINTF(1, 2);
static void fail(const char *format, ...)
{
    va_list args;

    va_start(args, format);
    fprintf(stderr, "engine_peer: FAIL: ");
    vfprintf(stderr, format, args);
    fprintf(stderr, "\n");
    va_end(args);
    exit_status = 1;
}

static void note(const char *format, ...) G_GNUC_PRINTF(1, 2);
static void note(const char *format, ...)
{
    va_list args;

    if (!options.verbose)
        return;
    va_start(args, format);
    fprintf(stderr, "engine_peer: ");
    vfprintf(stderr, format, args);
    fprintf(stderr, "\n");
    va_end(args);
}

static void check_end(struct sip_call *call)
{
    enum sip_call_end_reason reason = sip_call_get_end_reason(call);
    guint code = sip_call_get_status_code(call);

    note("call ended: %s, %u %s", sip_call_end_reason_name(reason), code, sip_call_get_reason_phrase(call));
    if (options.expect_end && strcmp(options.expect_end, sip_call_end_reason_name(reason)))
        fail("call ended %s, expected %s", sip_call_end_reason_name(reason), options.expect_end);
    if (options.expect_code && (guint)options.expect_code != code)
        fail("final status %u, expected %d", code, options.expect_code);
    if (options.expect_failure
        && strcmp(options.expect_failure, sip_delivery_failure_name(sip_call_get_delivery_failure(call))))
        fail("no server answered because \"%s\", expected \"%s\"",
             sip_delivery_failure_name(sip_call_get_delivery_failure(call)), options.expect_failure);
    if (options.expect_contact)
    {
        const char *const *contacts = sip_call_get_redirect_contacts(call);

        if (!contacts[0] || strcmp(contacts[0], options.expect_contact))
            fail("redirect contact \"%s\", expected \"%s\"", contacts[0] ? contacts[0] : "(none)",
                 options.expect_contact);
    }
    if (options.expect_remote_hold && !saw_remote_hold)
        fail("the peer never put us on hold");
    if (uac.steps && uac.steps[uac.next_step])
        fail("the call ended before step \"%s\"", uac.steps[uac.next_step]);
    if (options.expect_refer_end && !refer_ended)
        fail("the transfer never ended");
    if (options.refer_action && !refers_received)
        fail("no REFER came");
}

static void run_next_step(struct sip_call *call);

static gboolean step_timeout(gpointer data)
{
    run_next_step(data);
    return G_SOURCE_REMOVE;
}

static void schedule_next_step(struct sip_call *call)
{
    g_timeout_add_full(G_PRIORITY_DEFAULT, options.step_ms, step_timeout, sip_call_ref(call),
                       (GDestroyNotify)sip_call_unref);
}

static void run_next_step(struct sip_call *call)
{
    GError *error = NULL;
    const char *step;
    gboolean ok = TRUE;

    if (sip_call_get_state(call) != SIP_CALL_STATE_CONNECTED || !uac.steps || !(step = uac.steps[uac.next_step]))
        return;
    uac.next_step++;
    note("step %s", step);
    if (!strcmp(step, "hold"))
        ok = sip_call_hold(call, &error), uac.step_running = TRUE;
    else if (!strcmp(step, "resume"))
        ok = sip_call_resume(call, &error), uac.step_running = TRUE;
    else if (!strcmp(step, "bye"))
        ok = sip_call_hangup(call, &error);
    else if (!strcmp(step, "info"))
        ok = sip_call_send_info(call, "application/dtmf-relay", "Signal=5\r\nDuration=160\r\n", 26, &error) != 0;
    else if (!strcmp(step, "wait"))
        schedule_next_step(call);
    else if (!strcmp(step, "refer"))
    {
        struct sip_refer_options refer_options = { NULL };

        refer_options.no_subscription = options.no_refer_sub;
        outgoing_refer = sip_call_refer(call, options.refer_target ? options.refer_target : "sip:carol@127.0.0.1:5099",
                                        &refer_options, &error);
        ok = outgoing_refer != NULL;
        uac.step_running = TRUE;      /* the next step waits for the transfer's end */
    }
    else
        fail("unknown step \"%s\"", step);
    if (!ok)
    {
        fail("step %s: %s", step, error->message);
        g_error_free(error);
        sip_call_hangup(call, NULL);
    }
    else if (!strcmp(step, "info"))
        schedule_next_step(call);
}

static gboolean answer_later(gpointer data)
{
    struct sip_call *call = data;
    GError *error = NULL;

    if (sip_call_get_state(call) != SIP_CALL_STATE_TERMINATED && !sip_call_answer(call, &error))
    {
        fail("answer: %s", error->message);
        g_error_free(error);
    }
    return G_SOURCE_REMOVE;
}

static gboolean hang_up_later(gpointer data)
{
    sip_call_hangup(data, NULL);
    return G_SOURCE_REMOVE;
}

static void on_incoming_call(struct sip_engine *e, struct sip_call *call, void *user_data)
{
    GError *error = NULL;

    (void)e;
    (void)user_data;
    note("incoming call from %s", sip_call_get_remote_uri(call));
    if (options.reject)
    {
        if (!sip_call_reject(call, options.reject, NULL, &error))
            fail("reject: %s", error->message);
    }
    else if (options.ring_only)
    {
        if (!sip_call_ring(call, &error))
            fail("ring: %s", error->message);
    }
    else if (options.ring_ms >= 0)
    {
        if (!sip_call_ring(call, &error))
            fail("ring: %s", error->message);
        g_timeout_add_full(G_PRIORITY_DEFAULT, options.ring_ms, answer_later, sip_call_ref(call),
                           (GDestroyNotify)sip_call_unref);
    }
    else if (!sip_call_answer(call, &error))
    {
        fail("answer: %s", error->message);
    }
    g_clear_error(&error);
}

static struct sip_call *current_call;

/* UAC: calls --target; FALSE (with a message) if it cannot. */
static gboolean place_call(void)
{
    char *from = options.from ? g_strdup(options.from)
                              : g_strdup_printf(strchr(options.address, ':') ? "<sip:peer@[%s]:%u>" : "<sip:peer@%s:%u>",
                                                options.address, options.bound_port);
    char *target = options.protocol == SIP_TRANSPORT_TCP && !strstr(options.target, "transport=")
                   && !g_str_has_prefix(options.target, "sips:")
                   ? g_strdup_printf("%s;transport=tcp", options.target) : g_strdup(options.target);
    GError *error = NULL;

    if (current_call)
        sip_call_unref(current_call);
    uac.next_step = 0;
    uac.step_running = FALSE;
    current_call = sip_call_invite(engine, from, target, &error);
    g_free(target);
    g_free(from);
    if (!current_call)
    {
        fprintf(stderr, "engine_peer: %s\n", error->message);
        g_error_free(error);
        return FALSE;
    }
    return TRUE;
}

static gboolean place_call_later(gpointer data)
{
    (void)data;
    if (!place_call())
    {
        exit_status = 2;
        g_main_loop_quit(loop);
    }
    return G_SOURCE_REMOVE;
}

static gboolean quit_loop(gpointer data)
{
    (void)data;
    g_main_loop_quit(loop);
    return G_SOURCE_REMOVE;
}

static void on_state(struct sip_call *call, enum sip_call_state state, guint code, const char *reason,
                     void *user_data)
{
    (void)user_data;
    note("state %s (%u %s)", sip_call_state_name(state), code, reason);
    if (state == SIP_CALL_STATE_RINGING && options.cancel_after_ring && !sip_call_is_incoming(call))
        g_timeout_add_full(G_PRIORITY_DEFAULT, 100, hang_up_later, sip_call_ref(call), (GDestroyNotify)sip_call_unref);
    if (state == SIP_CALL_STATE_CONNECTED && !sip_call_is_incoming(call))
        schedule_next_step(call);
    if (state != SIP_CALL_STATE_TERMINATED)
        return;
    check_end(call);
    /* Stay a little: the protocol outlives the call (ACK for 487, BYE's
     * 200, SIPp's last messages on our TCP connection). */
    if (++calls_ended >= options.calls)
        g_timeout_add(options.linger_ms, quit_loop, NULL);
    else if (!sip_call_is_incoming(call))
        g_timeout_add(100, place_call_later, NULL);      /* the UAC's next call */
}

static void on_media(struct sip_call *call, gboolean local_hold, gboolean remote_hold, void *user_data)
{
    (void)user_data;
    note("media: local hold %d, remote hold %d", local_hold, remote_hold);
    if (remote_hold)
        saw_remote_hold = TRUE;
    if (uac.step_running)
    {
        uac.step_running = FALSE;
        schedule_next_step(call);
    }
}

static void on_info(struct sip_call *call, const struct sip_incoming_request *request, void *user_data)
{
    (void)call;
    (void)user_data;
    note("INFO %s: %s", request->content_type ? request->content_type : "-", request->body);
}

static const char *refer_end_name(enum sip_refer_end end)
{
    switch (end)
    {
    case SIP_REFER_END_SUCCESS: return "success";
    case SIP_REFER_END_FAILURE: return "failure";
    case SIP_REFER_END_NO_FINAL: return "no-final";
    case SIP_REFER_END_REJECTED: return "rejected";
    case SIP_REFER_END_CALL_GONE: return "call-gone";
    }
    return "?";
}

static void on_refer_progress(struct sip_refer *refer, enum sip_refer_progress progress, guint code,
                              const char *reason, enum sip_refer_end end, void *user_data)
{
    static const char *const names[] = { "accepted", "rejected", "failed", "notify", "ended" };
    struct sip_call *call = sip_refer_get_call(refer);

    (void)user_data;
    note("transfer %s: %u %s", names[progress], code, reason);
    if (progress != SIP_REFER_ENDED)
        return;
    refer_ended = TRUE;
    note("transfer ended: %s", refer_end_name(end));
    if (options.expect_refer_end && strcmp(options.expect_refer_end, refer_end_name(end)))
        fail("transfer ended %s, expected %s", refer_end_name(end), options.expect_refer_end);
    if (refer == outgoing_refer)
    {
        sip_refer_unref(outgoing_refer);
        outgoing_refer = NULL;
    }
    if (uac.step_running)
    {
        uac.step_running = FALSE;
        schedule_next_step(call);
    }
}

static gboolean notify_final_later(gpointer data)
{
    GError *error = NULL;

    if (!sip_refer_notify(data, options.refer_final, NULL, &error))
    {
        fail("notify: %s", error->message);
        g_error_free(error);
    }
    return G_SOURCE_REMOVE;
}

static void on_refer_received(struct sip_call *call, struct sip_refer *refer, void *user_data)
{
    GError *error = NULL;

    (void)call;
    (void)user_data;
    refers_received++;
    note("REFER to %s (target %s, referred by %s)", sip_refer_get_refer_to(refer), sip_refer_get_target(refer),
         sip_refer_get_referred_by(refer) ? sip_refer_get_referred_by(refer) : "-");
    if (!options.refer_action || !strcmp(options.refer_action, "ignore"))
        return;
    if (!strcmp(options.refer_action, "reject"))
    {
        if (!sip_refer_reject(refer, 603, NULL, &error))
            fail("reject: %s", error->message);
    }
    else if (!sip_refer_accept(refer, &error))
        fail("accept: %s", error->message);
    else if (options.refer_final)
        g_timeout_add_full(G_PRIORITY_DEFAULT, 200, notify_final_later, sip_refer_ref(refer),
                           (GDestroyNotify)sip_refer_unref);
    else
        g_ptr_array_add(kept_refers, sip_refer_ref(refer));     /* letting go would end it (NOTIFY 487) */
    g_clear_error(&error);
}

static gboolean unregister_later(gpointer data)
{
    GError *error = NULL;

    if (!sip_registration_unregister(data, &error))
    {
        fail("unregister: %s", error->message);
        g_error_free(error);
        g_main_loop_quit(loop);
    }
    return G_SOURCE_REMOVE;
}

static void on_registration(struct sip_registration *registration, enum sip_registration_state state, guint code,
                            const char *reason, void *user_data)
{
    (void)user_data;
    note("registration %s (%u %s), expires %u", sip_registration_state_name(state), code, reason,
         sip_registration_get_expires(registration));
    if (state == SIP_REGISTRATION_REGISTERED)
        g_timeout_add_full(G_PRIORITY_DEFAULT, options.registered_ms, unregister_later,
                           sip_registration_ref(registration), (GDestroyNotify)sip_registration_unref);
    else if (state == SIP_REGISTRATION_UNREGISTERED)
        g_timeout_add(options.linger_ms, quit_loop, NULL);
    else if (state == SIP_REGISTRATION_FAILED)
    {
        const char *why = sip_delivery_failure_name(sip_registration_get_delivery_failure(registration));

        if (options.expect_failure && !strcmp(options.expect_failure, why))
            note("registration failed as expected: %u %s (%s)", code, reason, why);
        else
            fail("registration failed: %u %s (%s)", code, reason, why);
        g_main_loop_quit(loop);
    }
}

static gboolean on_timeout(gpointer data)
{
    (void)data;
    fprintf(stderr, "engine_peer: timed out after %d s\n", options.timeout_s);
    exit_status = 3;
    g_main_loop_quit(loop);
    return G_SOURCE_REMOVE;
}

static gboolean on_signal(gpointer data)
{
    (void)data;
    g_main_loop_quit(loop);
    /* timeout(1) passes SIGTERM on to the child and to its process group, so a second
     * one can follow the first: keep handling them, or the second kills us. */
    return G_SOURCE_CONTINUE;
}

int main(int argc, char **argv)
{
    static const GOptionEntry entries[] =
    {
        { "mode", 0, 0, G_OPTION_ARG_STRING, &options.mode, "uas or uac", "MODE" },
        { "transport", 0, 0, G_OPTION_ARG_STRING, &options.transport, "udp or tcp", "PROTO" },
        { "address", 0, 0, G_OPTION_ARG_STRING, &options.address, "address to bind", "IP" },
        { "port", 0, 0, G_OPTION_ARG_INT, &options.port, "port to bind (0: any)", "PORT" },
        { "target", 0, 0, G_OPTION_ARG_STRING, &options.target, "UAC: URI to call", "URI" },
        { "from", 0, 0, G_OPTION_ARG_STRING, &options.from, "UAC: our identity", "URI" },
        { "script", 0, 0, G_OPTION_ARG_STRING, &options.script, "UAC: steps once connected", "a,b,..." },
        { "step-ms", 0, 0, G_OPTION_ARG_INT, &options.step_ms, "pause before each step", "MS" },
        { "calls", 0, 0, G_OPTION_ARG_INT, &options.calls, "calls to take (UAS) or make in turn (UAC)", "N" },
        { "reject", 0, 0, G_OPTION_ARG_INT, &options.reject, "UAS: reject with this code", "CODE" },
        { "ring-only", 0, 0, G_OPTION_ARG_NONE, &options.ring_only, "UAS: ring, never answer", NULL },
        { "ring-ms", 0, 0, G_OPTION_ARG_INT, &options.ring_ms, "UAS: ring, answer after MS", "MS" },
        { "cancel-after-ring", 0, 0, G_OPTION_ARG_NONE, &options.cancel_after_ring, "UAC: hang up when ringing",
          NULL },
        { "expect-remote-hold", 0, 0, G_OPTION_ARG_NONE, &options.expect_remote_hold, "the peer must hold us",
          NULL },
        { "expect-end", 0, 0, G_OPTION_ARG_STRING, &options.expect_end, "expected end reason", "REASON" },
        { "expect-code", 0, 0, G_OPTION_ARG_INT, &options.expect_code, "expected final status", "CODE" },
        { "expect-contact", 0, 0, G_OPTION_ARG_STRING, &options.expect_contact, "expected 3xx Contact", "URI" },
        { "refer-target", 0, 0, G_OPTION_ARG_STRING, &options.refer_target, "UAC: where \"refer\" transfers to",
          "URI" },
        { "no-refer-sub", 0, 0, G_OPTION_ARG_NONE, &options.no_refer_sub, "UAC: REFER with Refer-Sub: false", NULL },
        { "expect-refer-end", 0, 0, G_OPTION_ARG_STRING, &options.expect_refer_end, "how the transfer must end",
          "END" },
        { "refer-action", 0, 0, G_OPTION_ARG_STRING, &options.refer_action, "a received REFER: accept, reject, ignore",
          "ACTION" },
        { "refer-final", 0, 0, G_OPTION_ARG_INT, &options.refer_final, "after accepting, NOTIFY this final code",
          "CODE" },
        { "refer-decision-ms", 0, 0, G_OPTION_ARG_INT, &options.refer_decision_ms, "bound on a REFER's decision",
          "MS" },
        { "refer-expires", 0, 0, G_OPTION_ARG_INT, &options.refer_expires, "the subscription a REFER gets", "S" },
        { "user", 0, 0, G_OPTION_ARG_STRING, &options.user, "digest user name", "NAME" },
        { "password", 0, 0, G_OPTION_ARG_STRING, &options.password, "digest password", "SECRET" },
        { "registrar", 0, 0, G_OPTION_ARG_STRING, &options.registrar, "register: the registrar URI", "URI" },
        { "aor", 0, 0, G_OPTION_ARG_STRING, &options.aor, "register: the address-of-record", "URI" },
        { "expires", 0, 0, G_OPTION_ARG_INT, &options.expires, "register: requested lifetime", "S" },
        { "registered-ms", 0, 0, G_OPTION_ARG_INT, &options.registered_ms, "register: stay registered MS", "MS" },
        { "linger-ms", 0, 0, G_OPTION_ARG_INT, &options.linger_ms, "keep running after the last call", "MS" },
        { "timeout", 0, 0, G_OPTION_ARG_INT, &options.timeout_s, "give up after S seconds", "S" },
        { "cert", 0, 0, G_OPTION_ARG_FILENAME, &options.cert, "TLS: our certificate and key (PEM)", "FILE" },
        { "ca", 0, 0, G_OPTION_ARG_FILENAME, &options.ca, "TLS: trust these CAs (PEM)", "FILE" },
        { "expect-failure", 0, 0, G_OPTION_ARG_STRING, &options.expect_failure,
          "why no server answered (sip_delivery_failure_name)", "WHY" },
        { "keepalive", 0, 0, G_OPTION_ARG_INT, &options.keepalive_s, "keep-alive interval (UDP and streams)", "S" },
        { "advertise", 0, 0, G_OPTION_ARG_STRING, &options.advertise, "host for Via and Contact", "HOST" },
        { "verbose", 'v', 0, G_OPTION_ARG_NONE, &options.verbose, "say what happens", NULL },
        { NULL }
    };
    struct sip_engine_callbacks callbacks = { 0 };
    struct sip_engine_config config = { NULL };
    struct sip_engine_stats stats;
    enum sip_transport_protocol protocol;
    GOptionContext *context;
    struct sip_registration *registration = NULL;
    GError *error = NULL;
    guint16 bound;

    context = g_option_context_new("- the rtcshim SIP engine as a SIPp peer");
    g_option_context_add_main_entries(context, entries, NULL);
    if (!g_option_context_parse(context, &argc, &argv, &error) || !options.mode
        || (strcmp(options.mode, "uas") && strcmp(options.mode, "uac") && strcmp(options.mode, "register"))
        || (!strcmp(options.mode, "uac") && !options.target)
        || (!strcmp(options.mode, "register") && (!options.registrar || !options.aor)))
    {
        fprintf(stderr, "engine_peer: %s\n",
                error ? error->message : "need --mode uas|uac|register (--target for uac, --registrar and --aor "
                                         "for register)");
        return 2;
    }
    g_option_context_free(context);
    protocol = !g_ascii_strcasecmp(options.transport, "tcp") ? SIP_TRANSPORT_TCP
             : !g_ascii_strcasecmp(options.transport, "tls") ? SIP_TRANSPORT_TLS : SIP_TRANSPORT_UDP;

    loop = g_main_loop_new(NULL, FALSE);
    kept_refers = g_ptr_array_new_with_free_func((GDestroyNotify)sip_refer_unref);
    callbacks.incoming_call = on_incoming_call;
    callbacks.call_state_changed = on_state;
    callbacks.call_media_changed = on_media;
    callbacks.call_info_received = on_info;
    config.advertised_host = options.advertise;
    if (!(engine = sip_engine_new(&config, &callbacks, NULL, &error))
        || (options.cert && !sip_engine_set_tls_certificate(engine, options.cert, NULL, &error))
        || (options.ca && !sip_engine_trust_ca_file(engine, options.ca, &error))
        /* TLS without a certificate: a TCP listener for our Contact (outgoing TLS needs none). */
        || !sip_engine_listen(engine, protocol == SIP_TRANSPORT_TLS && !options.cert ? SIP_TRANSPORT_TCP : protocol,
                              options.address, options.port, &bound, &error))
    {
        fprintf(stderr, "engine_peer: %s\n", error->message);
        return 2;
    }
    if (options.keepalive_s)
        sip_engine_set_keepalive(engine, options.keepalive_s, options.keepalive_s);
    note("listening on %s %s:%u", options.transport, options.address, bound);
    {
        struct sip_refer_callbacks refer_callbacks = { on_refer_received, on_refer_progress };

        struct sip_registration_callbacks registration_callbacks = { on_registration };

        sip_engine_set_refer_callbacks(engine, &refer_callbacks);
        sip_engine_set_registration_callbacks(engine, &registration_callbacks);
        if (options.user && options.password)
            sip_engine_set_credentials(engine, NULL, options.user, options.password);
        if (options.refer_decision_ms)
            sip_engine_set_refer_decision_timeout(engine, options.refer_decision_ms);
        if (options.refer_expires > 0)
            sip_engine_set_refer_expires(engine, options.refer_expires);
    }

    options.protocol = protocol;
    options.bound_port = bound;
    if (!strcmp(options.mode, "uac"))
    {
        if (options.script)
            uac.steps = g_strsplit(options.script, ",", -1);
        if (!place_call())
            return 2;
    }

    if (!strcmp(options.mode, "register"))
    {
        char *registrar = protocol == SIP_TRANSPORT_TCP && !strstr(options.registrar, "transport=")
                          ? g_strdup_printf("%s;transport=tcp", options.registrar) : g_strdup(options.registrar);

        registration = sip_register(engine, options.aor, registrar, options.expires, &error);
        g_free(registrar);
        if (!registration)
        {
            fprintf(stderr, "engine_peer: %s\n", error->message);
            return 2;
        }
    }

    g_timeout_add_seconds(options.timeout_s, on_timeout, NULL);
    g_unix_signal_add(SIGTERM, on_signal, NULL);
    g_unix_signal_add(SIGINT, on_signal, NULL);
    g_main_loop_run(loop);

    if (!strcmp(options.mode, "uas") && calls_ended < options.calls && exit_status == 0 && options.calls > 0)
        note("stopped after %d of %d calls", calls_ended, options.calls);
    if (current_call)
        sip_call_unref(current_call);
    if (outgoing_refer)
        sip_refer_unref(outgoing_refer);
    if (registration)
        sip_registration_unref(registration);
    g_ptr_array_free(kept_refers, TRUE);
    sip_engine_get_stats(engine, &stats);
    printf("engine_peer: stats fail-overs %" G_GUINT64_FORMAT " keep-alives %" G_GUINT64_FORMAT " pongs %"
           G_GUINT64_FORMAT "\n", stats.fail_overs, stats.keepalives_sent, stats.pongs_received);
    sip_engine_free(engine);
    g_main_loop_unref(loop);
    g_strfreev(uac.steps);
    return exit_status;
}
