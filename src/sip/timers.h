/*
 * SIP timer arithmetic (RFC 3261 §17, §13.3.1.4, §14.1), kept free of
 * libosip2 and of any clock so it can be unit-tested exactly.
 *
 * libosip2 runs timers A-K inside its transaction FSMs with the default
 * T1/T2/T4 below; the engine adds the transaction-user timers RFC 3261
 * leaves to the TU: 2xx retransmission until ACK, and the glare retry.
 */
#ifndef RTCSHIM_SIP_TIMERS_H
#define RTCSHIM_SIP_TIMERS_H

#include <glib.h>

G_BEGIN_DECLS

#define SIP_T1_MS 500               /* RTT estimate */
#define SIP_T2_MS 4000              /* longest retransmit interval for non-INVITE and 2xx */
#define SIP_T4_MS 5000              /* longest time a message stays in the network */
#define SIP_TIMER_64T1_MS (64 * SIP_T1_MS)  /* timers B, F, H, J: 32 s */

/* 2xx retransmission (§13.3.1.4): first after T1, then doubling up to T2.
 * previous_ms is the interval just used, 0 before the first. */
guint sip_timer_2xx_next_interval(guint previous_ms);

/* The wait before retrying a re-INVITE that got 491 (§14.1), from a
 * uniformly random 32-bit value: 2.1-4 s in 10 ms steps when we chose the
 * dialog's Call-ID, 0-2 s otherwise. */
guint sip_timer_glare_delay(gboolean owns_call_id, guint32 random);

/* The absolute deadline (monotonic microseconds) for a relative timeout as
 * libosip2's osip_timers_gettimeout() reports it. Negative parts count as
 * zero; the year-long "nothing pending" value libosip2 gives is returned as
 * -1 (no deadline). */
gint64 sip_timer_deadline_from_timeval(gint64 now_us, gint64 tv_sec, gint64 tv_usec);

/* The poll timeout for a deadline: -1 for none (-1), 0 when due, else the
 * milliseconds left rounded up, so the loop never wakes early and spins. */
gint sip_timer_poll_timeout(gint64 now_us, gint64 deadline_us);

/* The earlier of two deadlines where -1 means none. */
gint64 sip_timer_earliest(gint64 a_us, gint64 b_us);

G_END_DECLS

#endif /* RTCSHIM_SIP_TIMERS_H */
