/*
 * Calls placed and ended leave nothing of their media behind: after rounds
 * of concurrent two-way audio calls between two RTC clients in one process,
 * no GStreamer pipeline is alive (GStreamer's own leaks tracer counts them),
 * the process has no more file descriptors than after the first round, and
 * no more threads either (GStreamer's task pool keeps the streaming threads
 * of ended pipelines and gives them to the next ones: the count stays at the
 * level the first round of as many concurrent calls reached). A leaked call
 * would hold its sockets and its threads. bench/media-churn.sh runs
 * the same check over 10,000 calls between two processes.
 */
#include <stdio.h>
#include <string.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <gst/gst.h>
#include "rtc_party.h"
#include "rtcshim.h"
#include "../common/test_time.h"

#define WAIT 10000
#define ROUNDS 4
#define CALLS_PER_ROUND 5
#define THREAD_SLACK 4          /* the pool may start a thread before it reuses one */

/* GStreamer's leaks tracer (GST_TRACERS, set in main), tracking activity:
 * what it reports holds no reference (its live-object list would, and
 * racing a teardown on another thread with that is not safe). */
static GstTracer *leaks_tracer(void)
{
    GList *tracers = gst_tracing_get_active_tracers(), *l;
    GstTracer *found = NULL;

    for (l = tracers; l; l = l->next)
        if (!strcmp(G_OBJECT_TYPE_NAME(l->data), "GstLeaksTracer")) found = gst_object_ref(l->data);
    g_list_free_full(tracers, gst_object_unref);
    return found;
}

static guint list_size(const GstStructure *s, const char *field)
{
    const GValue *value = gst_structure_get_value(s, field);

    return value && GST_VALUE_HOLDS_LIST(value) ? gst_value_list_get_size(value) : 0;
}

/* The GstPipeline objects alive: made minus finalized since tracking began. */
static int live_pipelines(void)
{
    static int live;
    GstTracer *tracer = leaks_tracer();
    GstStructure *checkpoint = NULL;

    assert_non_null(tracer);
    g_signal_emit_by_name(tracer, "activity-get-checkpoint", &checkpoint);
    assert_non_null(checkpoint);
    live += (int)list_size(checkpoint, "objects-created-list") - (int)list_size(checkpoint, "objects-removed-list");
    gst_structure_free(checkpoint);
    gst_object_unref(tracer);
    return live;
}

static int open_fds(void)
{
    GDir *dir = g_dir_open("/proc/self/fd", 0, NULL);
    int count = 0;

    assert_non_null(dir);
    while (g_dir_read_name(dir)) count++;
    g_dir_close(dir);
    return count - 1;       /* the directory's own */
}

static int threads(void)
{
    char *text = NULL, *line;
    int count = -1;

    if (g_file_get_contents("/proc/self/status", &text, NULL, NULL) && (line = strstr(text, "Threads:")))
        count = atoi(line + strlen("Threads:"));
    g_free(text);
    return count;
}

/* Iterates the loop until check() holds; fails after a bound (not a measurement). */
static void wait_until(gboolean (*check)(gpointer), gpointer data, const char *what)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)test_ms(30000) * 1000;

    while (!check(data))
    {
        if (g_get_monotonic_time() > deadline) fail_msg("gave up waiting for %s", what);
        run_loop_for(20);
    }
}

static gboolean no_pipelines(gpointer data) { return live_pipelines() == 0; }
static gboolean fds_at_most(gpointer data) { return open_fds() <= GPOINTER_TO_INT(data); }
static gboolean threads_at_most(gpointer data) { return threads() <= GPOINTER_TO_INT(data); }

static void release_session(gpointer session)
{
    IRTCSession_Release((IRTCSession *)session);
}

/* bob's sessions as they arrive, referenced */
static GPtrArray *answered;

static void keep_incoming(struct party *party, RTC_EVENT type, IDispatch *event)
{
    IRTCSessionStateChangeEvent *change;
    RTC_SESSION_STATE state;
    IRTCSession *session;

    if (type != RTCE_SESSION_STATE_CHANGE
            || FAILED(IDispatch_QueryInterface(event, &IID_IRTCSessionStateChangeEvent, (void **)&change)))
        return;
    IRTCSessionStateChangeEvent_get_State(change, &state);
    if (state == RTCSS_INCOMING && SUCCEEDED(IRTCSessionStateChangeEvent_get_Session(change, &session)))
        g_ptr_array_add(answered, session);
    IRTCSessionStateChangeEvent_Release(change);
}

/* Both directions of every call carry RTP. */
static gboolean all_flowing(gpointer data)
{
    GPtrArray *sessions = data;
    guint i;

    for (i = 0; i < sessions->len; i++)
    {
        struct rtcshim_media_stats stats;

        assert_int_equal(rtcshim_get_media_stats((IRTCSession *)g_ptr_array_index(sessions, i), &stats), S_OK);
        if (stats.rtp_packets_sent < 5 || stats.rtp_packets_received < 5) return FALSE;
    }
    return TRUE;
}

static int count_lines(struct party *party, const char *line)
{
    int count = 0;
    guint i;

    for (i = 0; i < party->log->len; i++)
        if (!strcmp(g_ptr_array_index(party->log, i), line)) count++;
    return count;
}

static gboolean all_disconnected(gpointer data)
{
    struct party *parties = data;

    return count_lines(&parties[0], "session DISCONNECTED 0") == CALLS_PER_ROUND
        && count_lines(&parties[1], "session DISCONNECTED 0") == CALLS_PER_ROUND;
}

static gboolean all_connected(gpointer data)
{
    struct party *parties = data;

    return count_lines(&parties[0], "session CONNECTED 0") == CALLS_PER_ROUND
        && count_lines(&parties[1], "session CONNECTED 0") == CALLS_PER_ROUND;
}

/* CALLS_PER_ROUND calls at once from alice to bob, audio both ways, then alice hangs up. */
static void round_of_calls(struct party *parties)
{
    GPtrArray *placed = g_ptr_array_new_with_free_func(release_session);
    int i;

    for (i = 0; i < CALLS_PER_ROUND; i++)
        g_ptr_array_add(placed, party_call(&parties[0], &parties[1], RTCST_PC_TO_PC));
    wait_until(all_connected, parties, "the calls to connect");
    assert_int_equal(answered->len, CALLS_PER_ROUND);
    wait_until(all_flowing, placed, "audio from bob");
    wait_until(all_flowing, answered, "audio from alice");
    /* one per stream, and each client's microphone (one capture at PCMU's rate): the count is real */
    assert_int_equal(live_pipelines(), 2 * CALLS_PER_ROUND + 2);
    for (i = 0; i < CALLS_PER_ROUND; i++)
        assert_int_equal(IRTCSession_Terminate((IRTCSession *)g_ptr_array_index(placed, i), RTCTR_NORMAL), S_OK);
    wait_until(all_disconnected, parties, "the calls to end");
    g_ptr_array_free(placed, TRUE);
    g_ptr_array_set_size(answered, 0);
    g_free(party_take_log(&parties[0]));
    g_free(party_take_log(&parties[1]));
}

static void test_calls_leave_nothing(void **state)
{
    struct party parties[2];
    int fds, thread_count, i;

    g_setenv("RTCSHIM_AUDIO_SOURCE", "audiotestsrc is-live=true freq=440 volume=0.3", TRUE);
    g_setenv("RTCSHIM_AUDIO_SINK", "fakesink", TRUE);
    answered = g_ptr_array_new_with_free_func(release_session);
    party_init(&parties[0], "alice");
    party_init(&parties[1], "bob");
    parties[1].answer = ANSWER_AT_ONCE;
    parties[1].hook = keep_incoming;

    /* the level after one round: GStreamer's plugins loaded, its pools made */
    round_of_calls(parties);
    wait_until(no_pipelines, NULL, "the first round's pipelines to go");
    fds = open_fds();
    thread_count = threads();
    print_message("after the first round: %d fds, %d threads\n", fds, thread_count);

    for (i = 1; i < ROUNDS; i++)
        round_of_calls(parties);
    wait_until(no_pipelines, NULL, "every pipeline to go");
    wait_until(fds_at_most, GINT_TO_POINTER(fds), "the fds to close");
    wait_until(threads_at_most, GINT_TO_POINTER(thread_count + THREAD_SLACK), "the streaming threads to end");
    print_message("after %d calls: %d pipelines, %d fds, %d threads\n", ROUNDS * CALLS_PER_ROUND,
                  live_pipelines(), open_fds(), threads());

    party_cleanup(&parties[0]);
    party_cleanup(&parties[1]);
    g_ptr_array_free(answered, TRUE);
    g_unsetenv("RTCSHIM_AUDIO_SOURCE");
    g_unsetenv("RTCSHIM_AUDIO_SINK");
}

int main(void)
{
    const struct CMUnitTest tests[] =
    {
        cmocka_unit_test(test_calls_leave_nothing),
    };

    /* read by gst_init, which the first client's media backend calls */
    g_setenv("GST_TRACERS", "leaks(filters=GstPipeline)", TRUE);
    gst_init(NULL, NULL);
    {
        GstTracer *tracer = leaks_tracer();

        if (!tracer)
        {
            fprintf(stderr, "GStreamer's leaks tracer is not available: cannot count pipelines\n");
            return 1;
        }
        g_signal_emit_by_name(tracer, "activity-start-tracking");
        gst_object_unref(tracer);
    }
    return cmocka_run_group_tests(tests, NULL, NULL);
}
