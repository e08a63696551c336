/*
 * SIP timer arithmetic; see timers.h.
 */
#include "timers.h"

/* libosip2 reports "nothing pending" as one year ahead; anything beyond a
 * day is treated as no deadline at all. */
#define NO_DEADLINE_THRESHOLD_S (24 * 3600)

guint sip_timer_2xx_next_interval(guint previous_ms)
{
    if (!previous_ms)
        return SIP_T1_MS;
    return MIN(previous_ms * 2, SIP_T2_MS);
}

guint sip_timer_glare_delay(gboolean owns_call_id, guint32 random)
{
    if (owns_call_id)
        return 2100 + (random % 191) * 10;     /* 2100 .. 4000 ms */
    return (random % 201) * 10;                /* 0 .. 2000 ms */
}

gint64 sip_timer_deadline_from_timeval(gint64 now_us, gint64 tv_sec, gint64 tv_usec)
{
    if (tv_sec >= NO_DEADLINE_THRESHOLD_S)
        return -1;
    if (tv_sec < 0)
        tv_sec = 0;
    if (tv_usec < 0)
        tv_usec = 0;
    return now_us + tv_sec * G_USEC_PER_SEC + tv_usec;
}

gint sip_timer_poll_timeout(gint64 now_us, gint64 deadline_us)
{
    gint64 left;

    if (deadline_us < 0)
        return -1;
    if (deadline_us <= now_us)
        return 0;
    left = deadline_us - now_us;        /* > 0, no overflow: both are >= 0 */
    if (left >= (gint64)G_MAXINT * 1000)
        return G_MAXINT;
    return (gint)((left + 999) / 1000);
}

gint64 sip_timer_earliest(gint64 a_us, gint64 b_us)
{
    if (a_us < 0)
        return b_us;
    if (b_us < 0)
        return a_us;
    return MIN(a_us, b_us);
}
