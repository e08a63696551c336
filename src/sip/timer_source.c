/*
 * The engine's one timer source: its own timers (2xx retransmission,
 * linger, glare, CANCEL, refer decision and subscription, registration
 * refresh, retired transactions) in lanes by length or ordered by deadline
 * (below), and the transactions' FSM timers (transaction_timers.c); the
 * source polls until the earliest one. No other timeout exists in the
 * engine.
 */

#ifndef G_LOG_DOMAIN
#define G_LOG_DOMAIN "rtcshim"
#endif

#include "engine.h"
#include "timer_source.h"
#include "transaction.h"
#include "transaction_private.h"

/* Most timers come in a few lengths (64*T1 for every retired transaction
 * and call, T1 for every 2xx, 200 ms for every undecided call), and timers
 * of one length, started in order, expire in that order. So each of the
 * lengths in use (up to ENGINE_TIMER_LANES at a time) gets a FIFO lane:
 * starting and cancelling cost O(1), not a walk down an ordered tree of
 * every timer that lingers (hundreds of thousands at a few thousand calls
 * per second, cold in the cache). Timers of other lengths go to the
 * ordered sequence. The earliest timer is the earliest of the lanes' heads
 * and the sequence's head; equal deadlines fire in the order they started,
 * wherever they wait. */
#define ENGINE_TIMER_LANES 8

struct timer_lane
{
    guint delay_ms;                     /* the length of its timers; any length while empty */
    GQueue timers;                      /* struct engine_timer *, in the order started */
};

struct engine_timer
{
    gint64 deadline;
    guint64 sequence;                   /* keeps timers with equal deadlines in order */
    engine_timer_func func;
    void *data;
    GDestroyNotify destroy;
    struct timer_lane *lane;            /* where it waits: a lane (at link), */
    GList link;
    GSequenceIter *iter;                /* ... or, lane NULL, engine->timers (at iter) */
};

struct timer_source
{
    GSource source;
    struct sip_engine *engine;
};

static guint64 timer_sequence;     /* keeps timers with equal deadlines in order */

static gint compare_timers(gconstpointer a, gconstpointer b, gpointer user_data)
{
    const struct engine_timer *ta = a, *tb = b;

    (void)user_data;
    if (ta->deadline != tb->deadline)
        return ta->deadline < tb->deadline ? -1 : 1;
    return ta->sequence < tb->sequence ? -1 : ta->sequence > tb->sequence;
}

/* The lane for timers of delay_ms: the one already holding them, else an
 * empty one; NULL when every lane holds another length. */
static struct timer_lane *lane_for(struct sip_engine *engine, guint delay_ms)
{
    struct timer_lane *empty = NULL;
    guint i;

    for (i = 0; i < ENGINE_TIMER_LANES; i++)
    {
        struct timer_lane *lane = &engine->timer_lanes[i];

        if (!lane->timers.length)
            empty = empty ? empty : lane;
        else if (lane->delay_ms == delay_ms)
            return lane;
    }
    if (empty)
        empty->delay_ms = delay_ms;
    return empty;
}

struct engine_timer *engine_timer_start(struct sip_engine *engine, guint delay_ms, engine_timer_func func,
                                        void *data, GDestroyNotify destroy)
{
    struct engine_timer *timer = g_new0(struct engine_timer, 1);

    timer->deadline = g_get_monotonic_time() + (gint64)delay_ms * 1000;
    timer->sequence = ++timer_sequence;
    timer->func = func;
    timer->data = data;
    timer->destroy = destroy;
    timer->link.data = timer;
    if ((timer->lane = lane_for(engine, delay_ms)))
        g_queue_push_tail_link(&timer->lane->timers, &timer->link);
    else
        timer->iter = g_sequence_insert_sorted(engine->timers, timer, compare_timers, NULL);
    return timer;
}

static void timer_free(struct engine_timer *timer)
{
    if (timer->destroy)
        timer->destroy(timer->data);
    g_free(timer);
}

/* Takes the timer out of its lane or the sequence. */
static void timer_remove(struct engine_timer *timer)
{
    if (timer->lane)
        g_queue_unlink(&timer->lane->timers, &timer->link);
    else
        g_sequence_remove(timer->iter);
}

void engine_timer_cancel(struct sip_engine *engine, struct engine_timer *timer)
{
    (void)engine;
    if (!timer)
        return;
    timer_remove(timer);
    timer_free(timer);
}

/* The timer that fires next, or NULL. */
static struct engine_timer *first_timer(struct sip_engine *engine)
{
    GSequenceIter *first = g_sequence_get_begin_iter(engine->timers);
    struct engine_timer *earliest = g_sequence_iter_is_end(first) ? NULL : g_sequence_get(first);
    guint i;

    for (i = 0; i < ENGINE_TIMER_LANES; i++)
    {
        GList *head = engine->timer_lanes[i].timers.head;

        if (head && (!earliest || compare_timers(head->data, earliest, NULL) < 0))
            earliest = head->data;
    }
    return earliest;
}

static gint64 engine_next_deadline(struct sip_engine *engine)
{
    struct engine_timer *first = first_timer(engine);
    gint64 deadline = transaction_timers_next_deadline(engine);

    return first ? sip_timer_earliest(deadline, first->deadline) : deadline;
}

static gboolean timer_source_prepare(GSource *source, gint *timeout)
{
    struct sip_engine *engine = ((struct timer_source *)source)->engine;

    *timeout = sip_timer_poll_timeout(g_get_monotonic_time(), engine_next_deadline(engine));
    return *timeout == 0;
}

static gboolean timer_source_check(GSource *source)
{
    struct sip_engine *engine = ((struct timer_source *)source)->engine;
    gint64 deadline = engine_next_deadline(engine);

    return deadline >= 0 && deadline <= g_get_monotonic_time();
}

static gboolean timer_source_dispatch(GSource *source, GSourceFunc callback, gpointer user_data)
{
    struct sip_engine *engine = ((struct timer_source *)source)->engine;
    gint64 now = g_get_monotonic_time();
    struct engine_timer *timer;

    (void)callback;
    (void)user_data;
    transaction_timers_fire(engine, now);
    engine_run(engine);
    while ((timer = first_timer(engine)) && timer->deadline <= now)
    {
        timer_remove(timer);
        timer->func(engine, timer->data);
        timer_free(timer);
    }
    engine_run(engine);
    return G_SOURCE_CONTINUE;
}

static GSourceFuncs timer_source_funcs =
{
    timer_source_prepare,
    timer_source_check,
    timer_source_dispatch,
    NULL, NULL, NULL,
};

void engine_timer_source_attach(struct sip_engine *engine)
{
    engine->timer_lanes = g_new0(struct timer_lane, ENGINE_TIMER_LANES);
    engine->timer_source = g_source_new(&timer_source_funcs, sizeof(struct timer_source));
    ((struct timer_source *)engine->timer_source)->engine = engine;
    g_source_set_priority(engine->timer_source, G_PRIORITY_DEFAULT);
    g_source_attach(engine->timer_source, engine->context);
}

void engine_timers_clear(struct sip_engine *engine)
{
    struct engine_timer *timer;

    while ((timer = first_timer(engine)))
    {
        timer_remove(timer);
        timer_free(timer);
    }
    g_free(engine->timer_lanes);
    engine->timer_lanes = NULL;
}

guint engine_expire_timers(struct sip_engine *engine, guint max)
{
    struct engine_timer *timer;
    guint fired = 0;

    while (fired < max && (timer = first_timer(engine)))
    {
        timer_remove(timer);
        timer->func(engine, timer->data);
        timer_free(timer);
        engine_run(engine);
        fired++;
    }
    return fired;
}
