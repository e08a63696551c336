/*
 * Concurrent two-way audio calls between two processes through the RTC
 * Client API, for bench/media.sh. One process answers every call
 * (--answer); the other places --calls calls to it at once, waits until
 * every call's audio flows both ways (its RTP counters), lets them settle
 * (SETTLE_SECONDS: the sources catch up on what they could not send while
 * the calls were set up), measures for --seconds, then hangs up, and prints:
 *
 *   calls N connected M, window S s
 *   window-ms MS (the window as it ran)
 *   cpu-ticks caller T peer T' (utime+stime over the window, /proc)
 *   rss-kb caller R peer R' idle caller I peer I'
 *   threads caller T peer T' (at the end of the window, /proc)
 *   switches caller W peer W' (voluntary context switches over the window, /proc)
 *   thread-ticks caller M R J O peer M' R' J' O' (the CPU ticks over the window of the
 *     microphone's thread, the RTP receiver's, the jitter buffers' and all others, /proc)
 *   rtp sent X received Y lost-reported L jitter-max J lost-before B
 *
 * X and Y are this process's RTP packets over the window; L what the RTCP
 * receiver reports of both directions counted lost during the window (as
 * far as the last reports tell), J the largest interarrival jitter they
 * reported (RTP clock units), B what they had counted lost before the
 * window (while the calls were being set up).
 *
 * The devices are the environment's (RTCSHIM_AUDIO_SOURCE / _SINK) and the
 * codecs RTCSHIM_AUDIO_CODECS's: media.sh sets a test tone, fake sinks, PCMU.
 *
 *   bench_rtc_media_load --answer --listen ADDR:PORT
 *   bench_rtc_media_load --call URI --calls N --seconds S --peer-pid PID [--listen ADDR:PORT]
 */
#define COBJMACROS
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <windows.h>
#include <ocidl.h>
#include <rtccore.h>
#include <rtcerr.h>
#include <glib.h>
#include "rtcshim.h"
#include "proc_figures.h"
#include "rtc_bench_client.h"

struct call
{
    IRTCSession *session;
    gboolean connected, ended;
    RTC_SESSION_STATE state;        /* the last one reported */
    LONG status;                    /* and its status code */
};

static IRTCClient *client;
static GHashTable *calls;           /* IRTCSession * -> struct call * */
static GMainLoop *loop;
static gboolean answering;
static int wanted, connected, flowing, ended;

static struct call *find_call(IRTCSession *session)
{
    struct call *call = g_hash_table_lookup(calls, session);

    if (!call)
    {
        call = g_new0(struct call, 1);
        call->session = session;
        IRTCSession_AddRef(session);
        g_hash_table_insert(calls, session, call);
    }
    return call;
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
    call = find_call(session);
    call->state = state;
    IRTCSessionStateChangeEvent_get_StatusCode(e, &call->status);
    if (state == RTCSS_INCOMING && answering)
        IRTCSession_Answer(session);
    else if (state == RTCSS_CONNECTED && !call->connected)
    {
        call->connected = TRUE;
        connected++;
    }
    else if (state == RTCSS_DISCONNECTED && !call->ended)
    {
        call->ended = TRUE;
        ended++;
        if (!answering && ended == wanted)
            g_main_loop_quit(loop);
    }
    IRTCSession_Release(session);
    IRTCSessionStateChangeEvent_Release(e);
}


static long rss_kb(int pid)
{
    return proc_status(pid, "VmRSS:");
}

/* Iterates the loop until done() or the bound (in seconds) passes. */
static gboolean run_until(gboolean (*done)(void), int seconds)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)seconds * G_USEC_PER_SEC;

    while (!done() && g_get_monotonic_time() < deadline)
        g_main_context_iteration(NULL, TRUE);
    return done();
}

/* A call flows when RTP has been both sent and received (RTCE_MEDIA does not name its session). */
static gboolean all_flowing(void)
{
    static gint64 last;
    GHashTableIter iter;
    struct call *call;
    gint64 now = g_get_monotonic_time();

    if (now - last < G_USEC_PER_SEC / 5)
        return flowing >= wanted;      /* as last counted */
    last = now;
    flowing = 0;
    g_hash_table_iter_init(&iter, calls);
    while (g_hash_table_iter_next(&iter, NULL, (void **)&call))
    {
        struct rtcshim_media_stats stats;

        if (call->connected && SUCCEEDED(rtcshim_get_media_stats(call->session, &stats))
            && stats.rtp_packets_sent && stats.rtp_packets_received)
            flowing++;
    }
    return flowing >= wanted;
}

/* Why calls did not flow: how many are in which state, with which status code. */
static void not_flowing(void)
{
    GHashTable *counts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    GHashTableIter iter;
    struct call *call;
    gpointer key, value;

    g_hash_table_iter_init(&iter, calls);
    while (g_hash_table_iter_next(&iter, NULL, (void **)&call))
    {
        struct rtcshim_media_stats stats = { 0 };
        char *what;

        if (call->connected && SUCCEEDED(rtcshim_get_media_stats(call->session, &stats))
                && stats.rtp_packets_sent && stats.rtp_packets_received)
            continue;
        what = g_strdup_printf("state %d status 0x%08lx rtp sent %s received %s", call->state,
                               (unsigned long)(ULONG)call->status, stats.rtp_packets_sent ? "yes" : "no",
                               stats.rtp_packets_received ? "yes" : "no");
        value = g_hash_table_lookup(counts, what);
        g_hash_table_replace(counts, what, GINT_TO_POINTER(GPOINTER_TO_INT(value) + 1));
    }
    g_hash_table_iter_init(&iter, counts);
    while (g_hash_table_iter_next(&iter, &key, &value))
        fprintf(stderr, "  not flowing: %d calls in %s\n", GPOINTER_TO_INT(value), (char *)key);
    g_hash_table_destroy(counts);
}

static gboolean tick(gpointer data) { return G_SOURCE_CONTINUE; }

#define SETTLE_SECONDS 5

static gboolean window_over;
static gboolean window_done(void) { return window_over; }

static gboolean end_window(gpointer data)
{
    window_over = TRUE;
    return G_SOURCE_REMOVE;
}

static void totals(guint64 *sent, guint64 *received, guint64 *lost, guint *jitter)
{
    GHashTableIter iter;
    struct call *call;

    *sent = *received = *lost = 0;
    *jitter = 0;
    g_hash_table_iter_init(&iter, calls);
    while (g_hash_table_iter_next(&iter, NULL, (void **)&call))
    {
        struct rtcshim_media_stats stats;

        if (FAILED(rtcshim_get_media_stats(call->session, &stats)))
            continue;
        *sent += stats.rtp_packets_sent;
        *received += stats.rtp_packets_received;
        *lost += stats.packets_lost + stats.received_lost;
        *jitter = MAX(*jitter, MAX(stats.jitter, stats.received_jitter));
    }
}

static void free_call(gpointer data)
{
    struct call *call = data;

    IRTCSession_Release(call->session);
    g_free(call);
}

/* What a thread does, from its name: the capture's source element streams
 * on "<element>:src" (cut to 15 characters; rtpdtmfsrc's idle ones aside),
 * the receiver is rtcshim-rtp-in, each jitter buffer pushes on its own. */
enum thread_role { ROLE_MICROPHONE, ROLE_RECEIVER, ROLE_JITTER_BUFFER, ROLE_OTHER, ROLE_COUNT };

static enum thread_role thread_role(const char *name)
{
    if (!name) return ROLE_OTHER;
    if (!strcmp(name, "rtcshim-rtp-in")) return ROLE_RECEIVER;
    if (!strcmp(name, "rtpjitterbuffer")) return ROLE_JITTER_BUFFER;
    if (strchr(name, ':') && strncmp(name, "rtpdtmfsrc", 10)) return ROLE_MICROPHONE;
    return ROLE_OTHER;
}

/* The ticks each role's threads took between two proc_thread_ticks() of the process. */
static void ticks_by_role(int pid, GHashTable *before, GHashTable *after, long *roles)
{
    GHashTableIter iter;
    gpointer tid, ticks;
    int i;

    for (i = 0; i < ROLE_COUNT; i++) roles[i] = 0;
    g_hash_table_iter_init(&iter, after);
    while (g_hash_table_iter_next(&iter, &tid, &ticks))
    {
        char *name = proc_thread_name(pid, tid);

        roles[thread_role(name)] += (long)GPOINTER_TO_SIZE(ticks)
                                    - (long)GPOINTER_TO_SIZE(g_hash_table_lookup(before, tid));
        g_free(name);
    }
}

int main(int argc, char **argv)
{
    char *listen = NULL, *target = NULL;
    int seconds = 10, peer_pid = 0, i;
    GOptionEntry options[] =
    {
        { "answer", 'a', 0, G_OPTION_ARG_NONE, &answering, "Answer every call", NULL },
        { "listen", 'l', 0, G_OPTION_ARG_STRING, &listen, "Listen on ADDR:PORT", "ADDR:PORT" },
        { "call", 'c', 0, G_OPTION_ARG_STRING, &target, "Call this URI", "URI" },
        { "calls", 'n', 0, G_OPTION_ARG_INT, &wanted, "How many calls at once", "N" },
        { "seconds", 's', 0, G_OPTION_ARG_INT, &seconds, "Measure this long", "S" },
        { "peer-pid", 'p', 0, G_OPTION_ARG_INT, &peer_pid, "The answering process", "PID" },
        { NULL }
    };
    GOptionContext *context = g_option_context_new("- concurrent audio calls through the RTC API");
    GHashTable *caller_threads0, *peer_threads0, *caller_threads1, *peer_threads1;
    long caller_roles[ROLE_COUNT], peer_roles[ROLE_COUNT];
    long caller_switches, peer_switches, caller_idle, peer_idle, caller_rss, peer_rss, caller_ticks, peer_ticks, caller_threads, peer_threads;
    guint64 sent0, received0, lost0, sent1, received1, lost1;
    gint64 window_start, window_us;
    struct bench_client bench;
    GError *error = NULL;
    guint jitter;
    BSTR b;

    g_option_context_add_main_entries(context, options, NULL);
    if (!g_option_context_parse(context, &argc, &argv, &error) || (!answering && (!target || wanted < 1 || !peer_pid)))
    {
        fprintf(stderr, "usage: bench_rtc_media_load --answer --listen ADDR:PORT\n"
                        "       bench_rtc_media_load --call URI --calls N --seconds S --peer-pid PID\n");
        return 2;
    }
    g_option_context_free(context);

    if (!bench_client_start(&bench, listen, on_state))
        return 1;
    client = bench.client;
    calls = g_hash_table_new_full(NULL, NULL, NULL, free_call);
    loop = g_main_loop_new(NULL, FALSE);

    if (answering)
    {
        printf("answering\n");
        fflush(stdout);
        g_main_loop_run(loop);     /* until killed: bench/media.sh ends it */
        return 0;
    }

    caller_idle = rss_kb(getpid());
    peer_idle = rss_kb(peer_pid);
    for (i = 0; i < wanted; i++)
    {
        IRTCSession *session;

        IRTCClient_CreateSession(client, RTCST_PC_TO_PC, NULL, NULL, 0, &session);
        find_call(session);
        b = bstr(target);
        IRTCSession_AddParticipant(session, b, NULL, NULL);
        SysFreeString(b);
        IRTCSession_Release(session);
    }
    g_timeout_add(200, tick, NULL);     /* wakes run_until() to poll */
    if (!run_until(all_flowing, 60 + wanted / 2))
    {
        fprintf(stderr, "only %d of %d calls have audio both ways\n", flowing, wanted);
        not_flowing();
    }

    window_over = FALSE;
    g_timeout_add(SETTLE_SECONDS * 1000, end_window, NULL);
    run_until(window_done, SETTLE_SECONDS + 5);

    /* the window */
    window_over = FALSE;
    totals(&sent0, &received0, &lost0, &jitter);
    caller_ticks = cpu_ticks(getpid());
    peer_ticks = cpu_ticks(peer_pid);
    caller_switches = proc_voluntary_switches(getpid());
    peer_switches = proc_voluntary_switches(peer_pid);
    caller_threads0 = proc_thread_ticks(getpid());
    peer_threads0 = proc_thread_ticks(peer_pid);
    window_start = g_get_monotonic_time();
    /* not g_timeout_add_seconds(): that may fire up to a second late */
    g_timeout_add((guint)seconds * 1000, end_window, NULL);
    run_until(window_done, seconds + 5);
    window_us = g_get_monotonic_time() - window_start;
    caller_ticks = cpu_ticks(getpid()) - caller_ticks;
    peer_ticks = cpu_ticks(peer_pid) - peer_ticks;
    caller_switches = proc_voluntary_switches(getpid()) - caller_switches;
    peer_switches = proc_voluntary_switches(peer_pid) - peer_switches;
    caller_threads1 = proc_thread_ticks(getpid());
    peer_threads1 = proc_thread_ticks(peer_pid);
    ticks_by_role(getpid(), caller_threads0, caller_threads1, caller_roles);
    ticks_by_role(peer_pid, peer_threads0, peer_threads1, peer_roles);
    g_hash_table_destroy(caller_threads0);
    g_hash_table_destroy(caller_threads1);
    g_hash_table_destroy(peer_threads0);
    g_hash_table_destroy(peer_threads1);
    caller_rss = rss_kb(getpid());
    peer_rss = rss_kb(peer_pid);
    caller_threads = proc_status(getpid(), "Threads:");
    peer_threads = proc_status(peer_pid, "Threads:");
    totals(&sent1, &received1, &lost1, &jitter);

    printf("calls %d connected %d flowing %d, window %d s\n", wanted, connected, flowing, seconds);
    printf("window-ms %" G_GINT64_FORMAT "\n", window_us / 1000);
    printf("cpu-ticks caller %ld peer %ld\n", caller_ticks, peer_ticks);
    printf("rss-kb caller %ld peer %ld idle caller %ld peer %ld\n", caller_rss, peer_rss, caller_idle, peer_idle);
    printf("threads caller %ld peer %ld\n", caller_threads, peer_threads);
    printf("switches caller %ld peer %ld\n", caller_switches, peer_switches);
    printf("thread-ticks caller %ld %ld %ld %ld peer %ld %ld %ld %ld\n", caller_roles[ROLE_MICROPHONE],
           caller_roles[ROLE_RECEIVER], caller_roles[ROLE_JITTER_BUFFER], caller_roles[ROLE_OTHER],
           peer_roles[ROLE_MICROPHONE], peer_roles[ROLE_RECEIVER], peer_roles[ROLE_JITTER_BUFFER],
           peer_roles[ROLE_OTHER]);
    printf("rtp sent %" G_GUINT64_FORMAT " received %" G_GUINT64_FORMAT " lost-reported %" G_GUINT64_FORMAT
           " jitter-max %u lost-before %" G_GUINT64_FORMAT "\n", sent1 - sent0, received1 - received0,
           lost1 >= lost0 ? lost1 - lost0 : 0, jitter, lost0);
    fflush(stdout);

    /* hang up and let the BYEs finish */
    {
        GHashTableIter iter;
        struct call *call;

        g_hash_table_iter_init(&iter, calls);
        while (g_hash_table_iter_next(&iter, NULL, (void **)&call))
            if (!call->ended) IRTCSession_Terminate(call->session, RTCTR_NORMAL);
    }
    if (ended < wanted) g_main_loop_run(loop);

    g_hash_table_destroy(calls);
    bench_client_stop(&bench);
    g_main_loop_unref(loop);
    g_free(listen);
    g_free(target);
    return 0;
}
