/*
 * Callbacks up to the API layer, queued and delivered in order from the
 * engine's main context, never from inside an API call (event_queue.c).
 * Internal to src/sip/.
 */
#ifndef RTCSHIM_SIP_EVENT_QUEUE_H
#define RTCSHIM_SIP_EVENT_QUEUE_H

#include "engine.h"

G_BEGIN_DECLS

/* Queues deliver(engine, data); destroy releases data after delivery (or
 * when the engine is freed first). */
typedef void (*engine_event_func)(struct sip_engine *engine, void *data);
void engine_queue_event(struct sip_engine *engine, engine_event_func deliver, void *data, GDestroyNotify destroy);

/* Queues message_received (MESSAGE) or call_info_received (INFO) for a
 * request; call is NULL outside a dialog. */
void engine_report_incoming_request(struct sip_engine *engine, struct sip_call *call,
                                    const osip_message_t *request);

/* Queues request_completed; failure is what sip_engine_get_completed_failure() tells during it. */
void engine_report_request_result(struct sip_engine *engine, guint request_id, guint status_code,
                                  const char *reason, enum sip_delivery_failure failure);

/* sip_engine_free(): drops the events not delivered, and their source. */
void engine_events_clear(struct sip_engine *engine);

G_END_DECLS

#endif /* RTCSHIM_SIP_EVENT_QUEUE_H */
