/*
 * Calls placed and ended by the thousand through the RTC Client API, for
 * bench/media-churn.sh: what they leave behind. One process answers every
 * call (--answer); the other places --calls calls, --at-once at a time, and
 * hangs each up as soon as RTP has flowed both ways (5 packets each way, by
 * its counters). Every --every ended calls the caller stops placing until
 * its calls are gone, and each process writes a checkpoint once its own
 * GStreamer pipelines are gone too (bounded: after 60 s it writes what is
 * left):
 *
 *   checkpoint ENDED pipelines P fds F threads T rss-kb R
 *
 * the caller's on stdout, the answerer's to --report FILE, which the caller
 * waits for and copies as "peer checkpoint ...". Pipelines are counted by
 * GStreamer's leaks tracer (activity tracking: it holds no references). At
 * the end the caller prints "calls placed N flowed F failed X".
 *
 *   bench_rtc_media_churn --answer --listen ADDR:PORT --every M --report FILE
 *   bench_rtc_media_churn --call URI --calls N --at-once K --every M --peer-report FILE [--listen ADDR:PORT]
 */
#define COBJMACROS
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>
#include <ocidl.h>
#include <rtccore.h>
#include <rtcerr.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <gst/gst.h>
#include "rtcshim.h"
#include "proc_figures.h"
#include "rtc_bench_client.h"

#define CHECKPOINT_BOUND_US (60 * G_USEC_PER_SEC)

struct call
{
    IRTCSession *session;
    gboolean connected, hung_up;
};

static IRTCClient *client;
static GHashTable *calls;           /* IRTCSession * -> struct call *, the calls not ended */
static GMainLoop *loop;
static gboolean answering;
static char *target, *report, *peer_report;
static int total, at_once, every;
static int placed, flowed, failed, ended;
static GstTracer *leaks;
static int live_pipelines;
static gint64 checkpoint_since;     /* 0: not waiting for a checkpoint */

static guint list_size(const GstStructure *s, const char *field)
{
    const GValue *value = gst_structure_get_value(s, field);

    return value && GST_VALUE_HOLDS_LIST(value) ? gst_value_list_get_size(value) : 0;
}

/* Pipelines made minus pipelines finalized, since tracking began in main(). */
static int count_pipelines(void)
{
    GstStructure *checkpoint = NULL;

    g_signal_emit_by_name(leaks, "activity-get-checkpoint", &checkpoint);
    if (checkpoint)
    {
        live_pipelines += (int)list_size(checkpoint, "objects-created-list")
                        - (int)list_size(checkpoint, "objects-removed-list");
        gst_structure_free(checkpoint);
    }
    return live_pipelines;
}

static void place_calls(void);

static void write_checkpoint(void)
{
    char *line = g_strdup_printf("checkpoint %d pipelines %d fds %ld threads %ld rss-kb %ld\n", ended,
                                 count_pipelines(), proc_fds(getpid()), proc_status(getpid(), "Threads:"),
                                 proc_status(getpid(), "VmRSS:"));

    if (answering)
    {
        FILE *file = fopen(report, "a");

        if (file)
        {
            fputs(line, file);
            fclose(file);
        }
    }
    else
    {
        fputs(line, stdout);
        fflush(stdout);
    }
    g_free(line);
}

/* The peer's checkpoint line for `ended` calls, if it has written it. */
static char *peer_checkpoint(void)
{
    char *text = NULL, *prefix = g_strdup_printf("checkpoint %d ", ended), *found = NULL;
    char **lines, **line;

    if (g_file_get_contents(peer_report, &text, NULL, NULL))
    {
        lines = g_strsplit(text, "\n", -1);
        for (line = lines; *line && !found; line++)
            if (g_str_has_prefix(*line, prefix)) found = g_strdup(*line);
        g_strfreev(lines);
    }
    g_free(text);
    g_free(prefix);
    return found;
}

/* Polled while a checkpoint is due: our pipelines gone (or the bound
 * passed), then for the caller the peer's line, then placing resumes. */
static gboolean checkpoint_poll(gpointer data)
{
    static gboolean written;
    gboolean late = g_get_monotonic_time() - checkpoint_since > CHECKPOINT_BOUND_US;
    char *peer;

    if (!written)
    {
        if (count_pipelines() && !late) return G_SOURCE_CONTINUE;
        write_checkpoint();
        written = TRUE;
        checkpoint_since = g_get_monotonic_time();
        if (answering) goto done;
    }
    if (!(peer = peer_checkpoint()))
    {
        if (!late) return G_SOURCE_CONTINUE;
        printf("peer checkpoint %d: none within 60 s\n", ended);
    }
    else printf("peer %s\n", peer);
    fflush(stdout);
    g_free(peer);
done:
    written = FALSE;
    checkpoint_since = 0;
    if (!answering)
    {
        if (ended >= total) g_main_loop_quit(loop);
        else place_calls();
    }
    return G_SOURCE_REMOVE;
}

static void start_checkpoint(void)
{
    checkpoint_since = g_get_monotonic_time();
    g_timeout_add(50, checkpoint_poll, NULL);
}

/* Up to at_once calls in flight, never past the next checkpoint. */
static void place_calls(void)
{
    int limit = MIN(total, (ended / every + 1) * every);

    while (!checkpoint_since && placed < limit && (int)g_hash_table_size(calls) < at_once)
    {
        struct call *call = g_new0(struct call, 1);
        BSTR uri = bstr(target);

        if (FAILED(IRTCClient_CreateSession(client, RTCST_PC_TO_PC, NULL, NULL, 0, &call->session))
                || FAILED(IRTCSession_AddParticipant(call->session, uri, NULL, NULL)))
        {
            fprintf(stderr, "cannot place call %d\n", placed + 1);
            exit(1);
        }
        SysFreeString(uri);
        g_hash_table_insert(calls, call->session, call);
        placed++;
    }
}

static void on_state(IDispatch *event)
{
    IRTCSessionStateChangeEvent *e;
    RTC_SESSION_STATE state;
    IRTCSession *session;
    struct call *call;

    if (FAILED(IDispatch_QueryInterface(event, &IID_IRTCSessionStateChangeEvent, (void **)&e)))
        return;
    IRTCSessionStateChangeEvent_get_State(e, &state);
    IRTCSessionStateChangeEvent_get_Session(e, &session);
    if (state == RTCSS_INCOMING && answering)
    {
        call = g_new0(struct call, 1);
        call->session = session;
        IRTCSession_AddRef(session);
        g_hash_table_insert(calls, session, call);
        IRTCSession_Answer(session);
    }
    else if ((call = g_hash_table_lookup(calls, session)))
    {
        if (state == RTCSS_CONNECTED)
            call->connected = TRUE;
        else if (state == RTCSS_DISCONNECTED)
        {
            if (!answering && !call->hung_up) failed++;
            g_hash_table_remove(calls, session);
            ended++;
            if (ended % every == 0 || (!answering && ended == total))
            {
                if (!g_hash_table_size(calls)) start_checkpoint();
            }
            else if (!answering)
                place_calls();
        }
    }
    IRTCSession_Release(session);
    IRTCSessionStateChangeEvent_Release(e);
}

/* Hangs up every call whose audio has flowed both ways. */
static gboolean hang_up_flowing(gpointer data)
{
    GHashTableIter iter;
    struct call *call;

    g_hash_table_iter_init(&iter, calls);
    while (g_hash_table_iter_next(&iter, NULL, (void **)&call))
    {
        struct rtcshim_media_stats stats;

        if (call->connected && !call->hung_up && SUCCEEDED(rtcshim_get_media_stats(call->session, &stats))
                && stats.rtp_packets_sent >= 5 && stats.rtp_packets_received >= 5)
        {
            call->hung_up = TRUE;
            flowed++;
            IRTCSession_Terminate(call->session, RTCTR_NORMAL);
        }
    }
    return G_SOURCE_CONTINUE;
}

static void free_call(gpointer data)
{
    struct call *call = data;

    IRTCSession_Release(call->session);
    g_free(call);
}

static GstTracer *find_leaks_tracer(void)
{
    GList *tracers = gst_tracing_get_active_tracers(), *l;
    GstTracer *found = NULL;

    for (l = tracers; l; l = l->next)
        if (!strcmp(G_OBJECT_TYPE_NAME(l->data), "GstLeaksTracer")) found = gst_object_ref(l->data);
    g_list_free_full(tracers, gst_object_unref);
    return found;
}

int main(int argc, char **argv)
{
    char *listen = NULL;
    GOptionEntry options[] =
    {
        { "answer", 'a', 0, G_OPTION_ARG_NONE, &answering, "Answer every call", NULL },
        { "listen", 'l', 0, G_OPTION_ARG_STRING, &listen, "Listen on ADDR:PORT", "ADDR:PORT" },
        { "call", 'c', 0, G_OPTION_ARG_STRING, &target, "Call this URI", "URI" },
        { "calls", 'n', 0, G_OPTION_ARG_INT, &total, "How many calls in all", "N" },
        { "at-once", 'k', 0, G_OPTION_ARG_INT, &at_once, "How many at a time", "K" },
        { "every", 'e', 0, G_OPTION_ARG_INT, &every, "A checkpoint every M ended calls", "M" },
        { "report", 'r', 0, G_OPTION_ARG_FILENAME, &report, "The answerer's checkpoints go here", "FILE" },
        { "peer-report", 'p', 0, G_OPTION_ARG_FILENAME, &peer_report, "The answerer's report file", "FILE" },
        { NULL }
    };
    GOptionContext *context = g_option_context_new("- calls placed and ended through the RTC API");
    struct bench_client bench;
    GError *error = NULL;

    g_option_context_add_main_entries(context, options, NULL);
    if (!g_option_context_parse(context, &argc, &argv, &error) || every < 1
            || (answering ? !report || !listen : !target || total < 1 || at_once < 1 || !peer_report))
    {
        fprintf(stderr, "usage: bench_rtc_media_churn --answer --listen ADDR:PORT --every M --report FILE\n"
                        "       bench_rtc_media_churn --call URI --calls N --at-once K --every M --peer-report FILE\n");
        return 2;
    }
    g_option_context_free(context);

    /* the tracer is read by gst_init; the media backend's own gst_init is then a no-op */
    g_setenv("GST_TRACERS", "leaks(filters=GstPipeline)", TRUE);
    gst_init(NULL, NULL);
    if (!(leaks = find_leaks_tracer()))
    {
        fprintf(stderr, "GStreamer's leaks tracer is not available: cannot count pipelines\n");
        return 1;
    }
    g_signal_emit_by_name(leaks, "activity-start-tracking");

    if (!bench_client_start(&bench, listen, on_state))
        return 1;
    client = bench.client;
    calls = g_hash_table_new_full(NULL, NULL, NULL, free_call);
    loop = g_main_loop_new(NULL, FALSE);

    if (answering)
    {
        printf("answering\n");
        fflush(stdout);
    }
    else
    {
        g_timeout_add(50, hang_up_flowing, NULL);
        place_calls();
    }
    g_main_loop_run(loop);     /* the caller: until the last checkpoint; the answerer: until killed */
    if (!answering) printf("calls placed %d flowed %d failed %d\n", placed, flowed, failed);

    g_hash_table_destroy(calls);
    bench_client_stop(&bench);
    g_main_loop_unref(loop);
    gst_object_unref(leaks);
    g_free(listen);
    return 0;
}
