/*
 * The engine's one timer source (timer_source.c) and the engine's own
 * timers on it. Internal to src/sip/.
 */
#ifndef RTCSHIM_SIP_TIMER_SOURCE_H
#define RTCSHIM_SIP_TIMER_SOURCE_H

#include "engine.h"

G_BEGIN_DECLS

struct engine_timer;
typedef void (*engine_timer_func)(struct sip_engine *engine, void *data);

/* Calls func(engine, data) in delay_ms from the main context; destroy
 * releases data after it ran or was cancelled. */
struct engine_timer *engine_timer_start(struct sip_engine *engine, guint delay_ms, engine_timer_func func,
                                        void *data, GDestroyNotify destroy);

/* Cancels a timer that has not fired (NULL is fine); its destroy runs. */
void engine_timer_cancel(struct sip_engine *engine, struct engine_timer *timer);

/* Tests and the fuzzer: "time passes" for the engine's own timers (2xx
 * retransmission, linger, glare, CANCEL, refer decision and subscription,
 * registration refresh): up to max of them fire now, earliest first, as
 * the timer source would fire them later (the transactions' FSM timers are
 * left alone). Returns how many fired. */
guint engine_expire_timers(struct sip_engine *engine, guint max);

/* sip_engine_new(): creates and attaches the source. */
void engine_timer_source_attach(struct sip_engine *engine);
/* sip_engine_free(): frees the timers not fired, running their destroy. */
void engine_timers_clear(struct sip_engine *engine);

G_END_DECLS

#endif /* RTCSHIM_SIP_TIMER_SOURCE_H */
