/*
 * presence_peer: the SIP engine's subscriptions and publications alone, as
 * a peer SIPp (or a presence server) talks to.
 *
 *   subscriber: presence_peer --mode subscriber --target sip:bob@127.0.0.1:P [--package presence]
 *               [--expires S]                 subscribes; ends when the subscription is over
 *   notifier:   presence_peer --mode notifier [--subscriptions N] [--pending]
 *               serves "presence" (accepting active, or pending with --pending) with an open
 *               document; ends when N subscriptions are over
 *   publisher:  presence_peer --mode publisher --target sip:alice@127.0.0.1 --proxy sip:127.0.0.1:P
 *               [--expires S]                 publishes an open document; ends when removed or failed
 *
 * Every report is a line (printed with -v, kept for --expect):
 *   subscriber  state <status> <reason> <code>      notify fork <n> <state> <reason> <open|closed|none|type>
 *               fork <n> ended <reason>
 *   notifier    received <package> expires <s>      notifier <status> <reason>     notify answered <code>
 *   publisher   publication <state> <code> [etag]
 * --script FILE holds what the run must do and see, one statement a line ('#' starts a comment):
 *   on LINE => ACTION   the first time LINE is reported, do ACTION: unsubscribe, refresh
 *                       (subscriber); busy, terminate (notifier: NOTIFY a busy document to
 *                       every subscription, or end them with reason=noresource); modify,
 *                       remove (publisher)
 *   expect LINE         the next report must be LINE: the expect lines are the whole sequence
 *   until LINE          end the run when LINE is reported (else the mode's natural end)
 * --no-resubscribe: a subscription the notifier ends is not made again.
 *
 * Exit status 0 when the run ended as expected, 1 when not, 2 on a usage or
 * setup error, 3 when --timeout expired first.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>
#include <glib-unix.h>

#include "sip/sip_engine.h"
#include "sip/sip_presence.h"
#include "sip/sip_publication.h"
#include "sip/sip_subscription.h"

static struct
{
    char *mode;
    char *transport;
    int port;
    char *target;
    char *proxy;
    char *package;
    int expires;
    int subscriptions;
    gboolean pending;
    char *script;
    gboolean no_resubscribe;
    int linger_ms;
    int timeout_s;
    gboolean verbose;
} options = { .transport = "udp", .package = "presence", .subscriptions = 1, .linger_ms = 300, .timeout_s = 30 };

static GMainLoop *loop;
static struct sip_engine *engine;
static int exit_status;
static GPtrArray *log_lines;
static GHashTable *actions;             /* line -> action, removed once done */
static GPtrArray *expected;             /* char *: the reports the script expects, NULL: any */
static char *until;
static GPtrArray *served;               /* struct sip_subscription *, referenced (notifier) */
static struct sip_subscription *subscription;   /* subscriber */
static struct sip_publication *publication;     /* publisher */
static int subscriptions_over;
static gboolean finishing;

static const char open_document_format[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" xmlns:dm=\"urn:ietf:params:xml:ns:pidf:data-model\" "
    "xmlns:rpid=\"urn:ietf:params:xml:ns:pidf:rpid\" entity=\"%s\">"
    "<tuple id=\"t1\"><status><basic>open</basic></status></tuple>"
    "<dm:person id=\"p1\">%s</dm:person></presence>";

static char *document(const char *entity, gboolean busy, gsize *length)
{
    char *text = g_strdup_printf(open_document_format, entity,
                                 busy ? "<rpid:activities><rpid:busy/></rpid:activities>" : "");

    *length = strlen(text);
    return text;
}

static gboolean quit_now(gpointer data)
{
    (void)data;
    g_main_loop_quit(loop);
    return G_SOURCE_REMOVE;
}

/* Lets the last answers go out (and retransmissions be absorbed), then stops. */
static void finish(void)
{
    if (finishing)
        return;
    finishing = TRUE;
    g_timeout_add(options.linger_ms, quit_now, NULL);
}

static void run_action(const char *action);

static void report(const char *format, ...) G_GNUC_PRINTF(1, 2);
static void report(const char *format, ...)
{
    va_list args;
    char *line, *action;

    va_start(args, format);
    line = g_strdup_vprintf(format, args);
    va_end(args);
    if (options.verbose)
        fprintf(stderr, "presence_peer: %s\n", line);
    g_ptr_array_add(log_lines, line);
    if (actions && (action = g_hash_table_lookup(actions, line)))
    {
        action = g_strdup(action);
        g_hash_table_remove(actions, line);
        run_action(action);
        g_free(action);
    }
    if (until && !strcmp(line, until))
        finish();
}

/* ---- subscriber ---------------------------------------------------------------------------- */

static const char *notify_summary(const struct sip_subscription_notify *notify)
{
    const struct sip_presence_tuple *tuple;

    if (!notify->content_type)
        return "none";
    if (!notify->presence)
        return notify->content_type;
    if (!notify->presence->tuples->len)
        return "no-tuple";
    tuple = g_ptr_array_index(notify->presence->tuples, 0);
    return tuple->basic == SIP_PRESENCE_BASIC_OPEN ? "open" : tuple->basic == SIP_PRESENCE_BASIC_CLOSED ? "closed"
                                                                                                      : "unknown";
}

static void on_state(struct sip_subscription *sub, enum sip_subscription_status state,
                     enum sip_subscription_reason reason, guint code, void *user_data)
{
    (void)user_data;
    if (sip_subscription_is_notifier(sub))
    {
        report("notifier %s %s", sip_subscription_status_name(state), sip_subscription_reason_name(reason));
        if (state == SIP_SUBSCRIPTION_TERMINATED && ++subscriptions_over >= options.subscriptions && !until)
            finish();
        return;
    }
    report("state %s %s %u", sip_subscription_status_name(state), sip_subscription_reason_name(reason), code);
    if (state == SIP_SUBSCRIPTION_TERMINATED && !until)
        finish();
}

static void on_notify(struct sip_subscription *sub, const struct sip_subscription_notify *notify, void *user_data)
{
    (void)sub;
    (void)user_data;
    report("notify fork %u %s %s %s", notify->fork, sip_subscription_status_name(notify->state),
           sip_subscription_reason_name(notify->reason), notify_summary(notify));
}

static void on_fork_ended(struct sip_subscription *sub, guint fork, enum sip_subscription_reason reason,
                          void *user_data)
{
    (void)sub;
    (void)user_data;
    report("fork %u ended %s", fork, sip_subscription_reason_name(reason));
}

/* ---- notifier ------------------------------------------------------------------------------ */

static void on_received(struct sip_engine *eng, struct sip_subscription *sub, void *user_data)
{
    char *body;
    gsize length;

    (void)eng;
    (void)user_data;
    report("received %s expires %u", sip_subscription_get_package(sub), sip_subscription_get_expires(sub));
    g_ptr_array_add(served, sip_subscription_ref(sub));
    body = document(sip_subscription_get_resource(sub), FALSE, &length);
    if (options.pending)
        sip_subscription_accept(sub, FALSE, NULL, NULL, 0, NULL);
    else
        sip_subscription_accept(sub, TRUE, SIP_PIDF_CONTENT_TYPE, body, length, NULL);
    g_free(body);
}

static void on_notify_completed(struct sip_subscription *sub, guint code, void *user_data)
{
    (void)sub;
    (void)user_data;
    report("notify answered %u", code);
}

/* ---- publisher ------------------------------------------------------------------------------- */

static void on_publication(struct sip_publication *pub, enum sip_publication_state state, guint code,
                           const char *reason, void *user_data)
{
    const char *etag = sip_publication_get_etag(pub);

    (void)reason;
    (void)user_data;
    report("publication %s %u%s%s", sip_publication_state_name(state), code, etag ? " " : "", etag ? etag : "");
    if ((state == SIP_PUBLICATION_REMOVED || state == SIP_PUBLICATION_FAILED) && !until)
        finish();
}

/* ---- actions ----------------------------------------------------------------------------------- */

static void run_action(const char *action)
{
    GError *error = NULL;
    gboolean ok = TRUE;
    char *body;
    gsize length;
    guint i;

    if (!strcmp(action, "unsubscribe") && subscription)
        ok = sip_subscription_unsubscribe(subscription, &error);
    else if (!strcmp(action, "refresh") && subscription)
        ok = sip_subscription_refresh(subscription, &error);
    else if (!strcmp(action, "busy") || !strcmp(action, "terminate"))
    {
        for (i = 0; i < served->len && ok; i++)
        {
            struct sip_subscription *sub = g_ptr_array_index(served, i);

            if (sip_subscription_get_status(sub) == SIP_SUBSCRIPTION_TERMINATED)
                continue;
            body = document(sip_subscription_get_resource(sub), TRUE, &length);
            ok = !strcmp(action, "busy")
                 ? sip_subscription_notify(sub, TRUE, SIP_PIDF_CONTENT_TYPE, body, length, &error)
                 : sip_subscription_terminate(sub, SIP_SUBSCRIPTION_REASON_NORESOURCE, 0, NULL, NULL, 0, &error);
            g_free(body);
        }
    }
    else if (!strcmp(action, "modify") && publication)
    {
        body = document(options.target, TRUE, &length);
        ok = sip_publication_modify(publication, SIP_PIDF_CONTENT_TYPE, body, length, &error);
        g_free(body);
    }
    else if (!strcmp(action, "remove") && publication)
        ok = sip_publication_remove(publication, &error);
    else
    {
        fprintf(stderr, "presence_peer: FAIL: action \"%s\" does not apply here\n", action);
        exit_status = 1;
        return;
    }
    if (!ok)
    {
        fprintf(stderr, "presence_peer: FAIL: %s: %s\n", action, error ? error->message : "?");
        g_clear_error(&error);
        exit_status = 1;
    }
}

static gboolean read_script(GError **error)
{
    char *text, **lines, **line;
    gboolean ok = TRUE;

    actions = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    if (!options.script)
        return TRUE;
    if (!g_file_get_contents(options.script, &text, NULL, error))
        return FALSE;
    expected = g_ptr_array_new_with_free_func(g_free);
    lines = g_strsplit(text, "\n", -1);
    for (line = lines; *line && ok; line++)
    {
        char *statement = g_strstrip(*line), *arrow;

        if (!*statement || *statement == '#')
            continue;
        if (g_str_has_prefix(statement, "expect "))
            g_ptr_array_add(expected, g_strdup(g_strstrip(statement + 7)));
        else if (g_str_has_prefix(statement, "until "))
        {
            g_free(until);
            until = g_strdup(g_strstrip(statement + 6));
        }
        else if (g_str_has_prefix(statement, "on ") && (arrow = strstr(statement, "=>")))
        {
            char *report_line = g_strndup(statement + 3, arrow - statement - 3);

            g_hash_table_insert(actions, g_strdup(g_strstrip(report_line)), g_strdup(g_strstrip(arrow + 2)));
            g_free(report_line);
        }
        else
        {
            g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: cannot read \"%s\"", options.script, statement);
            ok = FALSE;
        }
    }
    g_strfreev(lines);
    g_free(text);
    return ok;
}

static void check_expected(void)
{
    GString *seen = g_string_new(NULL), *wanted = g_string_new(NULL);
    guint i;

    for (i = 0; i < log_lines->len; i++)
        g_string_append_printf(seen, "  %s\n", (char *)g_ptr_array_index(log_lines, i));
    for (i = 0; expected && i < expected->len; i++)
        g_string_append_printf(wanted, "  %s\n", (char *)g_ptr_array_index(expected, i));
    if (expected && strcmp(seen->str, wanted->str))
    {
        fprintf(stderr, "presence_peer: FAIL: reported\n%sexpected\n%s", seen->str, wanted->str);
        exit_status = 1;
    }
    g_string_free(wanted, TRUE);
    if (g_hash_table_size(actions))
    {
        fprintf(stderr, "presence_peer: FAIL: %u --on line(s) never reported\n", g_hash_table_size(actions));
        exit_status = 1;
    }
    g_string_free(seen, TRUE);
}

static gboolean on_timeout(gpointer data)
{
    (void)data;
    fprintf(stderr, "presence_peer: timed out after %d s\n", options.timeout_s);
    exit_status = 3;
    g_main_loop_quit(loop);
    return G_SOURCE_REMOVE;
}

static gboolean on_signal(gpointer data)
{
    (void)data;
    g_main_loop_quit(loop);
    return G_SOURCE_CONTINUE;
}

int main(int argc, char **argv)
{
    static const GOptionEntry entries[] =
    {
        { "mode", 0, 0, G_OPTION_ARG_STRING, &options.mode, "subscriber, notifier or publisher", "MODE" },
        { "transport", 0, 0, G_OPTION_ARG_STRING, &options.transport, "udp or tcp", "PROTO" },
        { "port", 0, 0, G_OPTION_ARG_INT, &options.port, "port to bind (0: any)", "PORT" },
        { "target", 0, 0, G_OPTION_ARG_STRING, &options.target, "subscriber: the presentity; publisher: our AOR",
          "URI" },
        { "proxy", 0, 0, G_OPTION_ARG_STRING, &options.proxy, "outbound proxy (publisher: the compositor)", "URI" },
        { "package", 0, 0, G_OPTION_ARG_STRING, &options.package, "subscriber: the event package", "NAME" },
        { "expires", 0, 0, G_OPTION_ARG_INT, &options.expires, "seconds to ask for", "S" },
        { "subscriptions", 0, 0, G_OPTION_ARG_INT, &options.subscriptions, "notifier: how many to serve", "N" },
        { "pending", 0, 0, G_OPTION_ARG_NONE, &options.pending, "notifier: accept as pending", NULL },
        { "script", 0, 0, G_OPTION_ARG_FILENAME, &options.script, "actions and expected reports", "FILE" },
        { "no-resubscribe", 0, 0, G_OPTION_ARG_NONE, &options.no_resubscribe,
          "subscriber: do not subscribe again when the notifier ends it", NULL },
        { "linger-ms", 0, 0, G_OPTION_ARG_INT, &options.linger_ms, "keep running after the end", "MS" },
        { "timeout", 0, 0, G_OPTION_ARG_INT, &options.timeout_s, "give up after S seconds", "S" },
        { "verbose", 'v', 0, G_OPTION_ARG_NONE, &options.verbose, "say what happens", NULL },
        { NULL }
    };
    static const char *const packages[] = { "presence", NULL };
    struct sip_subscription_callbacks subscription_callbacks = { 0 };
    struct sip_publication_callbacks publication_callbacks = { on_publication };
    struct sip_engine_callbacks callbacks = { 0 };
    enum sip_transport_protocol protocol;
    GOptionContext *context;
    GError *error = NULL;
    gboolean mode_ok;
    guint16 bound;

    context = g_option_context_new("- the rtcshim SIP engine's subscriptions and publications as a test peer");
    g_option_context_add_main_entries(context, entries, NULL);
    mode_ok = g_option_context_parse(context, &argc, &argv, &error) && options.mode
              && (!strcmp(options.mode, "notifier")
                  || ((!strcmp(options.mode, "subscriber") || !strcmp(options.mode, "publisher")) && options.target));
    g_option_context_free(context);
    if (!mode_ok || !read_script(&error))
    {
        fprintf(stderr, "presence_peer: %s\n", error ? error->message
                        : "need --mode subscriber|notifier|publisher (--target for subscriber and publisher)");
        return 2;
    }
    protocol = !g_ascii_strcasecmp(options.transport, "tcp") ? SIP_TRANSPORT_TCP : SIP_TRANSPORT_UDP;
    log_lines = g_ptr_array_new_with_free_func(g_free);
    served = g_ptr_array_new_with_free_func((GDestroyNotify)sip_subscription_unref);

    loop = g_main_loop_new(NULL, FALSE);
    if (!(engine = sip_engine_new(NULL, &callbacks, NULL, &error))
        || !sip_engine_listen(engine, protocol, "127.0.0.1", options.port, &bound, &error))
    {
        fprintf(stderr, "presence_peer: %s\n", error->message);
        return 2;
    }
    subscription_callbacks.subscription_received = on_received;
    subscription_callbacks.state_changed = on_state;
    subscription_callbacks.notify_received = on_notify;
    subscription_callbacks.fork_ended = on_fork_ended;
    subscription_callbacks.notify_completed = on_notify_completed;
    sip_engine_set_subscription_callbacks(engine, &subscription_callbacks,
                                          !strcmp(options.mode, "notifier") ? packages : NULL);
    sip_engine_set_publication_callbacks(engine, &publication_callbacks);

    if (!strcmp(options.mode, "subscriber"))
    {
        struct sip_subscribe_options subscribe_options = { 0 };
        char *from = g_strdup_printf("<sip:watcher@127.0.0.1:%u>", bound);

        subscribe_options.proxy = options.proxy ? options.proxy : "";
        subscribe_options.expires = options.expires;
        subscribe_options.no_resubscribe = options.no_resubscribe;
        subscription = sip_subscribe(engine, from, options.target, options.package, &subscribe_options, &error);
        g_free(from);
    }
    else if (!strcmp(options.mode, "publisher"))
    {
        struct sip_publish_options publish_options = { 0 };
        gsize length;
        char *body = document(options.target, FALSE, &length);

        publish_options.proxy = options.proxy ? options.proxy : "";
        publish_options.expires = options.expires;
        publication = sip_publish(engine, options.target, "presence", SIP_PIDF_CONTENT_TYPE, body, length,
                                  &publish_options, &error);
        g_free(body);
    }
    if (error)
    {
        fprintf(stderr, "presence_peer: %s\n", error->message);
        return 2;
    }

    g_timeout_add_seconds(options.timeout_s, on_timeout, NULL);
    g_unix_signal_add(SIGTERM, on_signal, NULL);
    g_unix_signal_add(SIGINT, on_signal, NULL);
    g_main_loop_run(loop);
    if (exit_status != 3)
        check_expected();

    if (subscription)
        sip_subscription_unref(subscription);
    if (publication)
        sip_publication_unref(publication);
    g_ptr_array_free(served, TRUE);
    sip_engine_free(engine);
    g_ptr_array_free(log_lines, TRUE);
    g_hash_table_destroy(actions);
    if (expected)
        g_ptr_array_free(expected, TRUE);
    g_free(until);
    g_main_loop_unref(loop);
    return exit_status;
}
