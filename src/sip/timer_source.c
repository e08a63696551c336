/*
 * The engine's one timer source: its own timers (2xx retransmission,
 * linger, glare, CANCEL, refer decision and subscription, registration
 * refresh, retired transactions) and the transactions' FSM timers
 * (transaction_timers.c), both kept ordered by deadline; the source polls
 * until the earliest one. No other timeout exists in the engine.
 */

#ifndef G_LOG_DOMAIN
#define G_LOG_DOMAIN "rtcshim"
#endif

#include "engine.h"
#include "timer_source.h"
#include "transaction.h"
#include "transaction_private.h"

struct engine_timer
{
    gint64 deadline;
    guint64 sequence;                   /* keeps timers with equal deadlines in order */
    engine_timer_func func;
    void *data;
    GDestroyNotify destroy;
    GSequenceIter *iter;
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

struct engine_timer *engine_timer_start(struct sip_engine *engine, guint delay_ms, engine_timer_func func,
                                        void *data, GDestroyNotify destroy)
{
    struct engine_timer *timer = g_new0(struct engine_timer, 1);

    timer->deadline = g_get_monotonic_time() + (gint64)delay_ms * 1000;
    timer->sequence = ++timer_sequence;
    timer->func = func;
    timer->data = data;
    timer->destroy = destroy;
    timer->iter = g_sequence_insert_sorted(engine->timers, timer, compare_timers, NULL);
    return timer;
}

static void timer_free(struct engine_timer *timer)
{
    if (timer->destroy)
        timer->destroy(timer->data);
    g_free(timer);
}

void engine_timer_cancel(struct sip_engine *engine, struct engine_timer *timer)
{
    (void)engine;
    if (!timer)
        return;
    g_sequence_remove(timer->iter);
    timer_free(timer);
}

static gint64 engine_next_deadline(struct sip_engine *engine)
{
    gint64 deadline = transaction_timers_next_deadline(engine);
    GSequenceIter *first;

    first = g_sequence_get_begin_iter(engine->timers);
    if (!g_sequence_iter_is_end(first))
        deadline = sip_timer_earliest(deadline, ((struct engine_timer *)g_sequence_get(first))->deadline);
    return deadline;
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
    GSequenceIter *first;

    (void)callback;
    (void)user_data;
    transaction_timers_fire(engine, now);
    engine_run(engine);
    while (!g_sequence_iter_is_end(first = g_sequence_get_begin_iter(engine->timers)))
    {
        struct engine_timer *timer = g_sequence_get(first);

        if (timer->deadline > now)
            break;
        g_sequence_remove(first);
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
    engine->timer_source = g_source_new(&timer_source_funcs, sizeof(struct timer_source));
    ((struct timer_source *)engine->timer_source)->engine = engine;
    g_source_set_priority(engine->timer_source, G_PRIORITY_DEFAULT);
    g_source_attach(engine->timer_source, engine->context);
}

void engine_timers_clear(struct sip_engine *engine)
{
    GSequenceIter *iter;

    while (!g_sequence_iter_is_end(iter = g_sequence_get_begin_iter(engine->timers)))
    {
        struct engine_timer *timer = g_sequence_get(iter);

        g_sequence_remove(iter);
        timer_free(timer);
    }
}

guint engine_expire_timers(struct sip_engine *engine, guint max)
{
    GSequenceIter *first;
    guint fired = 0;

    while (fired < max && !g_sequence_iter_is_end(first = g_sequence_get_begin_iter(engine->timers)))
    {
        struct engine_timer *timer = g_sequence_get(first);

        g_sequence_remove(first);
        timer->func(engine, timer->data);
        timer_free(timer);
        engine_run(engine);
        fired++;
    }
    return fired;
}
