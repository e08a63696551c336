/*
 * Callbacks up to the API layer are never made from inside an API call or
 * an FSM step: they are queued here and delivered in order by a source on
 * the engine's main context, ready whenever the queue is not empty. Also
 * the two events the engine itself reports (a MESSAGE or INFO received, a
 * request's outcome).
 */

#ifndef G_LOG_DOMAIN
#define G_LOG_DOMAIN "rtcshim"
#endif

#include <string.h>

#include "engine.h"
#include "event_queue.h"
#include "message.h"
#include "sipfrag.h"

struct engine_pending_event
{
    engine_event_func deliver;
    void *data;
    GDestroyNotify destroy;
};

/* The source stays attached from the first event to the engine's end and is
 * ready while events wait: an idle source per batch cost four allocations
 * and a source ID on every call. Readiness comes from prepare/check, not
 * g_source_set_ready_time(), which wakes the main loop (an eventfd write)
 * each time it is called from another source's dispatch. */
struct event_source
{
    GSource source;
    struct sip_engine *engine;
};

static gboolean event_source_prepare(GSource *source, gint *timeout)
{
    *timeout = -1;
    return ((struct event_source *)source)->engine->events.length > 0;
}

static gboolean event_source_check(GSource *source)
{
    return ((struct event_source *)source)->engine->events.length > 0;
}

static gboolean deliver_events(GSource *source, GSourceFunc callback, gpointer user_data)
{
    struct sip_engine *engine = ((struct event_source *)source)->engine;
    guint count = engine->events.length;
    gboolean freed = FALSE;

    (void)callback;
    (void)user_data;
    /* Only what is queued now: events queued by the handlers wait for the
     * next dispatch, so a handler cannot starve the loop. */
    engine->freed = &freed;
    while (count-- && !freed)
    {
        struct engine_pending_event *event = g_queue_pop_head(&engine->events);

        if (!event)
            break;
        event->deliver(engine, event->data);
        if (event->destroy)
            event->destroy(event->data);
        g_free(event);
    }
    if (freed)
        return G_SOURCE_REMOVE;     /* sip_engine_free() ran from a handler */
    engine->freed = NULL;
    return G_SOURCE_CONTINUE;
}

static GSourceFuncs event_source_funcs =
{
    event_source_prepare,
    event_source_check,
    deliver_events,
    NULL, NULL, NULL,
};

void engine_queue_event(struct sip_engine *engine, engine_event_func deliver, void *data, GDestroyNotify destroy)
{
    struct engine_pending_event *event = g_new(struct engine_pending_event, 1);

    event->deliver = deliver;
    event->data = data;
    event->destroy = destroy;
    g_queue_push_tail(&engine->events, event);
    if (!engine->event_source)
    {
        engine->event_source = g_source_new(&event_source_funcs, sizeof(struct event_source));
        ((struct event_source *)engine->event_source)->engine = engine;
        g_source_set_priority(engine->event_source, G_PRIORITY_DEFAULT);
        g_source_attach(engine->event_source, engine->context);
    }
}

enum sip_delivery_failure sip_engine_get_completed_failure(struct sip_engine *engine)
{
    g_return_val_if_fail(engine != NULL, SIP_DELIVERY_OK);
    return engine->completed_failure;
}

void engine_events_clear(struct sip_engine *engine)
{
    struct engine_pending_event *event;

    while ((event = g_queue_pop_head(&engine->events)))
    {
        if (event->destroy)
            event->destroy(event->data);
        g_free(event);
    }
    if (engine->event_source)
    {
        g_source_destroy(engine->event_source);
        g_source_unref(engine->event_source);
    }
}

struct incoming_request_event
{
    struct sip_call *call;
    char *method, *from_uri, *from_display_name, *to_uri, *content_type, *body;
    gsize body_length;
};

static void incoming_request_event_free(void *data)
{
    struct incoming_request_event *event = data;

    if (event->call)
        sip_call_unref(event->call);
    g_free(event->method);
    g_free(event->from_uri);
    g_free(event->from_display_name);
    g_free(event->to_uri);
    g_free(event->content_type);
    g_free(event->body);
    g_free(event);
}

static void deliver_incoming_request(struct sip_engine *engine, void *data)
{
    struct incoming_request_event *event = data;
    struct sip_incoming_request request;

    request.method = event->method;
    request.from_uri = event->from_uri;
    request.from_display_name = event->from_display_name;
    request.to_uri = event->to_uri;
    request.content_type = event->content_type;
    request.body = event->body ? event->body : "";
    request.body_length = event->body_length;
    if (!strcmp(event->method, "INFO"))
    {
        if (engine->callbacks.call_info_received && event->call)
            engine->callbacks.call_info_received(event->call, &request, engine->user_data);
    }
    else if (engine->callbacks.message_received)
    {
        engine->callbacks.message_received(engine, event->call, &request, engine->user_data);
    }
}

void engine_report_incoming_request(struct sip_engine *engine, struct sip_call *call, const osip_message_t *request)
{
    struct incoming_request_event *event = g_new0(struct incoming_request_event, 1);
    osip_body_t *body = NULL;

    event->call = call ? sip_call_ref(call) : NULL;
    event->method = g_strdup(request->sip_method);
    event->from_uri = engine_uri_string(request->from ? request->from->url : NULL);
    event->from_display_name = engine_display_name(request->from);
    event->to_uri = engine_uri_string(request->to ? request->to->url : NULL);
    osip_message_get_body(request, 0, &body);
    if (body && body->body)
    {
        char *type = NULL;

        event->body = g_strndup(body->body, body->length);
        event->body_length = body->length;
        if (request->content_type && !osip_content_type_to_str(request->content_type, &type) && type)
        {
            event->content_type = g_strdup(type);
            osip_free(type);
        }
    }
    engine_queue_event(engine, deliver_incoming_request, event, incoming_request_event_free);
}

struct request_result_event
{
    guint request_id;
    guint status_code;
    char *reason;
    enum sip_delivery_failure failure;
};

static void request_result_event_free(void *data)
{
    struct request_result_event *event = data;

    g_free(event->reason);
    g_free(event);
}

static void deliver_request_result(struct sip_engine *engine, void *data)
{
    struct request_result_event *event = data;

    if (!engine->callbacks.request_completed)
        return;
    engine->completed_failure = event->failure;
    engine->callbacks.request_completed(engine, event->request_id, event->status_code, event->reason,
                                        engine->user_data);
    /* The engine may be gone: the callback freed it (events are dropped then). */
}

void engine_report_request_result(struct sip_engine *engine, guint request_id, guint status_code, const char *reason,
                                  enum sip_delivery_failure failure)
{
    struct request_result_event *event = g_new0(struct request_result_event, 1);

    event->request_id = request_id;
    event->status_code = status_code;
    event->failure = failure;
    if (!reason || !*reason)
        reason = sip_reason_phrase(status_code);
    event->reason = g_strdup(reason ? reason : "");
    engine_queue_event(engine, deliver_request_result, event, request_result_event_free);
}
