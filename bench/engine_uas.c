/*
 * bench_engine_uas: the SIP engine alone as an auto-answering UAS, for
 * bench/run.sh to load with SIPp.
 *
 *   bench_engine_uas --port 15060 [--transport udp|tcp] [--media default|null]
 *
 * Answers every INVITE with 200 at once. With --media null (the default)
 * calls get a media backend that binds nothing, so 10,000 concurrent calls
 * do not need 20,000 sockets; the SIP work is unchanged. SIGUSR1 prints a
 * line of figures, SIGTERM prints them and exits:
 *
 *   stats answered=N ended=N active=N transactions=N rss_kb=N cpu_ms=N
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <glib.h>
#include <glib-unix.h>

#include "media.h"
#include "sip/sip_call.h"
#include "sip/sip_engine.h"

static struct
{
    int port;
    char *transport;
    char *media;
} options = { .port = 15060, .transport = "udp", .media = "null" };

static guint64 answered, ended;
static struct sip_engine *engine;

/* ---- a media backend that moves and binds nothing ------------------------------- */

struct null_stream
{
    struct sip_media_stream stream;
    guint16 port;
};

static guint16 next_port = 20000;

static struct sip_media_stream *null_stream_new(struct sip_media_backend *backend, const char *address,
                                                sip_media_stream_func callback, gpointer user_data, GError **error)
{
    struct null_stream *stream = g_new0(struct null_stream, 1);

    (void)address;
    (void)error;
    stream->stream.backend = backend;
    stream->port = next_port;
    next_port = next_port >= 65000 ? 20000 : next_port + 2;
    return &stream->stream;
}

static guint16 null_stream_get_port(struct sip_media_stream *stream)
{
    return ((struct null_stream *)stream)->port;
}

static gboolean null_stream_start(struct sip_media_stream *stream, const struct sip_media_params *params, GError **error)
{
    (void)stream;
    (void)params;
    (void)error;
    return TRUE;
}

static void null_stream_stop(struct sip_media_stream *stream)
{
    (void)stream;
}

static void null_stream_free(struct sip_media_stream *stream)
{
    g_free(stream);
}

static void null_backend_destroy(struct sip_media_backend *backend)
{
    g_free(backend);
}

static const struct sip_media_format *null_get_formats(struct sip_media_backend *backend)
{
    (void)backend;
    return sip_media_default_formats;
}

static const struct sip_media_backend_funcs null_backend_funcs =
{
    .stream_new = null_stream_new,
    .stream_get_port = null_stream_get_port,
    .stream_start = null_stream_start,
    .stream_stop = null_stream_stop,
    .stream_free = null_stream_free,
    .destroy = null_backend_destroy,
    .get_formats = null_get_formats,
};

/* ---- the UAS -------------------------------------------------------------------------- */

static void on_incoming_call(struct sip_engine *e, struct sip_call *call, void *user_data)
{
    (void)e;
    (void)user_data;
    if (sip_call_answer(call, NULL))
        answered++;
}

static void on_state(struct sip_call *call, enum sip_call_state state, guint code, const char *reason,
                     void *user_data)
{
    (void)call;
    (void)code;
    (void)reason;
    (void)user_data;
    if (state == SIP_CALL_STATE_TERMINATED)
        ended++;
}

static long rss_kb(void)
{
    char *status = NULL, *line;
    long kb = -1;

    if (!g_file_get_contents("/proc/self/status", &status, NULL, NULL))
        return -1;
    if ((line = strstr(status, "VmRSS:")))
        kb = strtol(line + 6, NULL, 10);
    g_free(status);
    return kb;
}

static void print_stats(void)
{
    struct sip_engine_stats stats;
    struct rusage usage;

    sip_engine_get_stats(engine, &stats);
    getrusage(RUSAGE_SELF, &usage);
    printf("stats answered=%" G_GUINT64_FORMAT " ended=%" G_GUINT64_FORMAT " active=%u transactions=%u "
           "rss_kb=%ld cpu_ms=%ld received=%" G_GUINT64_FORMAT " sent=%" G_GUINT64_FORMAT "\n",
           answered, ended, stats.calls, stats.transactions, rss_kb(),
           (long)(usage.ru_utime.tv_sec * 1000 + usage.ru_utime.tv_usec / 1000
                  + usage.ru_stime.tv_sec * 1000 + usage.ru_stime.tv_usec / 1000),
           stats.messages_received, stats.messages_sent);
    fflush(stdout);
}

static gboolean on_usr1(gpointer data)
{
    (void)data;
    print_stats();
    return G_SOURCE_CONTINUE;
}

static gboolean on_term(gpointer data)
{
    g_main_loop_quit(data);
    return G_SOURCE_REMOVE;
}

int main(int argc, char **argv)
{
    static const GOptionEntry entries[] =
    {
        { "port", 0, 0, G_OPTION_ARG_INT, &options.port, "port to listen on", "PORT" },
        { "transport", 0, 0, G_OPTION_ARG_STRING, &options.transport, "udp or tcp", "PROTO" },
        { "media", 0, 0, G_OPTION_ARG_STRING, &options.media, "null (binds nothing) or default", "BACKEND" },
        { NULL }
    };
    struct sip_engine_callbacks callbacks = { 0 };
    struct sip_engine_config config = { 0 };
    GOptionContext *context = g_option_context_new("- the SIP engine as an auto-answering UAS");
    GError *error = NULL;
    GMainLoop *loop;

    g_option_context_add_main_entries(context, entries, NULL);
    if (!g_option_context_parse(context, &argc, &argv, &error))
    {
        fprintf(stderr, "bench_engine_uas: %s\n", error->message);
        return 2;
    }
    g_option_context_free(context);
    if (!strcmp(options.media, "null"))
    {
        struct sip_media_backend *backend = g_new0(struct sip_media_backend, 1);

        sip_media_backend_init(backend, &null_backend_funcs);
        config.media_backend = backend;
    }
    callbacks.incoming_call = on_incoming_call;
    callbacks.call_state_changed = on_state;
    loop = g_main_loop_new(NULL, FALSE);
    engine = sip_engine_new(&config, &callbacks, NULL, &error);
    if (!engine || !sip_engine_listen(engine, g_ascii_strcasecmp(options.transport, "tcp") ? SIP_TRANSPORT_UDP
                                                                                           : SIP_TRANSPORT_TCP,
                                      "127.0.0.1", options.port, NULL, &error))
    {
        fprintf(stderr, "bench_engine_uas: %s\n", error->message);
        return 2;
    }
    g_unix_signal_add(SIGUSR1, on_usr1, NULL);
    g_unix_signal_add(SIGTERM, on_term, loop);
    g_unix_signal_add(SIGINT, on_term, loop);
    printf("ready %s 127.0.0.1:%d\n", options.transport, options.port);
    fflush(stdout);
    g_main_loop_run(loop);
    print_stats();
    sip_engine_free(engine);
    g_main_loop_unref(loop);
    return 0;
}
