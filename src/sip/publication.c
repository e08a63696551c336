/*
 * The PUBLISH client (RFC 3903); see sip_publication.h. Digest answers to
 * 401/407 are the engine's (digest_retry.c), so a publication only sees the
 * final response of each PUBLISH.
 */
#ifndef G_LOG_DOMAIN
#define G_LOG_DOMAIN "rtcshim"
#endif

#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "event_queue.h"
#include "message.h"
#include "routing.h"
#include "sipfrag.h"
#include "timer_source.h"
#include "transaction.h"

#define DEFAULT_EXPIRES_S 3600
#define REFRESH_MARGIN_S 32         /* refresh this early, or at half the time if shorter */

/* What the PUBLISH in flight does (RFC 3903 §4.2-4.6). */
enum publish_kind
{
    PUBLISH_INITIAL,                /* a body, no SIP-If-Match */
    PUBLISH_REFRESH,                /* SIP-If-Match, no body */
    PUBLISH_MODIFY,                 /* SIP-If-Match and a body */
    PUBLISH_REMOVE,                 /* SIP-If-Match, Expires: 0 */
};

struct sip_publication
{
    gint refcount;
    struct sip_engine *engine;              /* NULL once detached */
    enum sip_publication_state state;
    void *user_data;
    char *aor;
    char *package;
    osip_uri_t *proxy;                      /* NULL = direct */
    struct sip_next_hop hop;
    char **headers;
    char *call_id;                          /* the same for every PUBLISH of this publication */
    char *local_tag;
    guint32 cseq;
    guint requested_expires;
    guint granted_expires;
    char *etag;                             /* the compositor's name for our state */
    char *content_type;                     /* what is published now */
    GBytes *body;
    char *next_content_type;                /* a body waiting for the PUBLISH in flight */
    GBytes *next_body;
    gboolean remove_wanted;
    osip_transaction_t *transaction;
    enum publish_kind in_flight;
    struct engine_timer *refresh_timer;
    guint status_code;
};

static const char *const state_names[] = { "publishing", "published", "removing", "removed", "failed" };

const char *sip_publication_state_name(enum sip_publication_state state)
{
    return (guint)state < G_N_ELEMENTS(state_names) ? state_names[state] : "unknown";
}

struct sip_publication *sip_publication_ref(struct sip_publication *publication)
{
    g_return_val_if_fail(publication != NULL, NULL);
    g_atomic_int_inc(&publication->refcount);
    return publication;
}

void publication_detach(struct sip_publication *publication)
{
    struct sip_engine *engine = publication->engine;
    struct engine_timer *timer = publication->refresh_timer;

    if (!engine)
        return;
    publication->refresh_timer = NULL;
    publication->transaction = NULL;
    g_ptr_array_remove(engine->publications, publication);
    publication->engine = NULL;
    engine_timer_cancel(engine, timer);     /* may drop a reference: last */
}

void sip_publication_unref(struct sip_publication *publication)
{
    if (!publication || !g_atomic_int_dec_and_test(&publication->refcount))
        return;
    if (publication->engine)
        g_ptr_array_remove(publication->engine->publications, publication);
    g_free(publication->aor);
    g_free(publication->package);
    osip_uri_free(publication->proxy);
    g_strfreev(publication->headers);
    g_free(publication->call_id);
    g_free(publication->local_tag);
    g_free(publication->etag);
    g_free(publication->content_type);
    if (publication->body)
        g_bytes_unref(publication->body);
    g_free(publication->next_content_type);
    if (publication->next_body)
        g_bytes_unref(publication->next_body);
    g_free(publication);
}

/* ---- reports ------------------------------------------------------------------------------- */

struct state_event
{
    struct sip_publication *publication;
    enum sip_publication_state state;
    guint code;
    char *reason;
};

static void state_event_free(void *data)
{
    struct state_event *event = data;

    sip_publication_unref(event->publication);
    g_free(event->reason);
    g_free(event);
}

static void deliver_state(struct sip_engine *engine, void *data)
{
    struct state_event *event = data;

    if (engine->publication_callbacks.state_changed)
        engine->publication_callbacks.state_changed(event->publication, event->state, event->code, event->reason,
                                                    engine->user_data);
}

static void report(struct sip_publication *publication, enum sip_publication_state state, guint code,
                   const char *reason)
{
    struct state_event *event = g_new0(struct state_event, 1);

    publication->state = state;
    publication->status_code = code;
    if ((!reason || !*reason) && code)
        reason = sip_reason_phrase(code);
    event->publication = sip_publication_ref(publication);
    event->state = state;
    event->code = code;
    event->reason = g_strdup(reason ? reason : "");
    engine_queue_event(publication->engine, deliver_state, event, state_event_free);
}

/* ---- PUBLISH ----------------------------------------------------------------------------- */

static gboolean send_publish(struct sip_publication *publication, enum publish_kind kind, GError **error);

static void refresh_due(struct sip_engine *engine, void *data)
{
    struct sip_publication *publication = data;
    GError *error = NULL;

    publication->refresh_timer = NULL;
    if (publication->state != SIP_PUBLICATION_PUBLISHED || publication->transaction)
        return;
    if (!send_publish(publication, PUBLISH_REFRESH, &error))
    {
        report(publication, SIP_PUBLICATION_FAILED, 503, error->message);
        g_error_free(error);
    }
}

static void schedule_refresh(struct sip_publication *publication)
{
    guint expires = publication->granted_expires;

    engine_timer_cancel(publication->engine, publication->refresh_timer);
    publication->refresh_timer = engine_timer_start(
        publication->engine,
        (expires > 2 * REFRESH_MARGIN_S ? expires - REFRESH_MARGIN_S : MAX(expires / 2, 1)) * 1000, refresh_due,
        sip_publication_ref(publication), (GDestroyNotify)sip_publication_unref);
}

static const char *header_value(const osip_message_t *message, const char *name)
{
    osip_header_t *header = NULL;

    if (message && osip_message_header_get_byname(message, name, 0, &header) >= 0 && header && header->hvalue)
        return header->hvalue;
    return NULL;
}

/* What is waiting goes next: a removal, else the newest body. */
static void send_waiting(struct sip_publication *publication)
{
    GError *error = NULL;
    enum publish_kind kind;

    if (publication->remove_wanted)
        kind = PUBLISH_REMOVE;
    else if (publication->next_body || publication->next_content_type)
    {
        g_free(publication->content_type);
        if (publication->body)
            g_bytes_unref(publication->body);
        publication->content_type = publication->next_content_type;
        publication->body = publication->next_body;
        publication->next_content_type = NULL;
        publication->next_body = NULL;
        kind = publication->etag ? PUBLISH_MODIFY : PUBLISH_INITIAL;
    }
    else
        return;
    if (kind == PUBLISH_REMOVE && !publication->etag)
    {
        report(publication, SIP_PUBLICATION_REMOVED, 0, NULL);
        return;
    }
    if (kind == PUBLISH_REMOVE)
        publication->state = SIP_PUBLICATION_REMOVING;
    if (!send_publish(publication, kind, &error))
    {
        report(publication, SIP_PUBLICATION_FAILED, 503, error->message);
        g_error_free(error);
    }
}

static void publish_response(struct sip_engine *engine, osip_transaction_t *transaction,
                             const osip_message_t *response, guint code, void *data)
{
    struct sip_publication *publication = data;
    const char *reason = response ? response->reason_phrase : NULL;
    enum publish_kind kind = publication->in_flight;
    const char *etag, *value;
    GError *error = NULL;
    guint wanted;

    if (code < 200 || !publication->engine || publication->transaction != transaction)
        return;
    publication->transaction = NULL;

    if (response && code < 300)
    {
        if (kind == PUBLISH_REMOVE)
        {
            g_free(publication->etag);
            publication->etag = NULL;
            publication->granted_expires = 0;
            report(publication, SIP_PUBLICATION_REMOVED, code, reason);
            return;
        }
        if ((etag = header_value(response, "sip-etag")))
        {
            g_free(publication->etag);
            publication->etag = g_strdup(etag);
        }
        publication->granted_expires = publication->requested_expires;
        if ((value = header_value(response, "expires")))
            publication->granted_expires = (guint)strtoul(value, NULL, 10);
        if (kind != PUBLISH_REFRESH || publication->state != SIP_PUBLICATION_PUBLISHED)
            report(publication, SIP_PUBLICATION_PUBLISHED, code, reason);
        publication->state = SIP_PUBLICATION_PUBLISHED;
        if (publication->granted_expires)
            schedule_refresh(publication);
        send_waiting(publication);
        return;
    }
    if (response && code == 412 && kind != PUBLISH_REMOVE)
    {
        /* §4.4: the compositor no longer knows our entity; publish it whole again. */
        g_free(publication->etag);
        publication->etag = NULL;
        if (send_publish(publication, PUBLISH_INITIAL, &error))
            return;
        report(publication, SIP_PUBLICATION_FAILED, 503, error->message);
        g_error_free(error);
        return;
    }
    if (response && code == 423 && (value = header_value(response, "min-expires"))
        && (wanted = (guint)strtoul(value, NULL, 10)) > publication->requested_expires)
    {
        publication->requested_expires = wanted;
        if (send_publish(publication, kind, &error))
            return;
        g_clear_error(&error);
    }
    if (kind == PUBLISH_REMOVE && response && code == 412)
    {
        report(publication, SIP_PUBLICATION_REMOVED, code, reason);     /* it was gone already */
        return;
    }
    engine_timer_cancel(publication->engine, publication->refresh_timer);
    publication->refresh_timer = NULL;
    report(publication, SIP_PUBLICATION_FAILED, code, reason);
}

static void publish_replaced(struct sip_engine *engine, osip_transaction_t *old_transaction,
                             osip_transaction_t *replacement, const osip_message_t *request, void *data)
{
    struct sip_publication *publication = data;

    if (publication->transaction == old_transaction)
        publication->transaction = replacement;
    publication->cseq = engine_cseq_number(request);
}

static const struct engine_transaction_user publish_user = { publish_response, NULL, publish_replaced };

static gboolean send_publish(struct sip_publication *publication, enum publish_kind kind, GError **error)
{
    struct sip_engine *engine = publication->engine;
    osip_message_t *request;
    char buffer[64];
    char **line;

    if (!(request = engine_build_request(engine, "PUBLISH", publication->aor, publication->aor, error)))
        return FALSE;
    osip_call_id_free(request->call_id);
    request->call_id = NULL;
    osip_message_set_call_id(request, publication->call_id);
    osip_uri_param_freelist(&request->from->gen_params);
    osip_list_init(&request->from->gen_params);
    osip_from_set_tag(request->from, osip_strdup(publication->local_tag));
    osip_cseq_free(request->cseq);
    request->cseq = NULL;
    g_snprintf(buffer, sizeof(buffer), "%u PUBLISH", ++publication->cseq);
    osip_message_set_cseq(request, buffer);
    osip_message_set_header(request, "Event", publication->package);
    g_snprintf(buffer, sizeof(buffer), "%u", kind == PUBLISH_REMOVE ? 0 : publication->requested_expires);
    osip_message_set_expires(request, buffer);
    if (kind != PUBLISH_INITIAL && publication->etag)
        osip_message_set_header(request, "SIP-If-Match", publication->etag);
    for (line = publication->headers; line && *line; line++)
    {
        const char *colon = strchr(*line, ':');
        char *name = g_strstrip(g_strndup(*line, colon - *line)), *value = g_strstrip(g_strdup(colon + 1));

        osip_message_set_header(request, name, value);
        g_free(name);
        g_free(value);
    }
    if ((kind == PUBLISH_INITIAL || kind == PUBLISH_MODIFY) && publication->body)
    {
        gsize length;
        const char *data = g_bytes_get_data(publication->body, &length);

        engine_set_body(request, publication->content_type, data, length);
    }
    if (publication->proxy)
        engine_add_proxy_route(request, publication->proxy);
    publication->in_flight = kind;
    publication->transaction = engine_send_request(engine, request, &publication->hop, &publish_user,
                                                   sip_publication_ref(publication),
                                                   (GDestroyNotify)sip_publication_unref, error);
    return publication->transaction != NULL;
}

/* ---- the API ------------------------------------------------------------------------------------ */

static gboolean check_live(struct sip_publication *publication, GError **error)
{
    if (!publication->engine)
    {
        g_set_error(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_DETACHED, "the engine is gone");
        return FALSE;
    }
    if (publication->state == SIP_PUBLICATION_FAILED || publication->state == SIP_PUBLICATION_REMOVED
        || publication->remove_wanted)
    {
        g_set_error(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_WRONG_STATE, "the publication is %s",
                    publication->remove_wanted ? "being removed" : sip_publication_state_name(publication->state));
        return FALSE;
    }
    return TRUE;
}

struct sip_publication *sip_publish(struct sip_engine *engine, const char *aor, const char *package,
                                    const char *content_type, const char *body, gsize body_length,
                                    const struct sip_publish_options *options, GError **error)
{
    struct sip_publication *publication;
    osip_from_t *parsed = NULL;
    osip_uri_t *proxy = NULL;
    const char *const *line;

    g_return_val_if_fail(engine != NULL, NULL);
    if (!package || !*package || strpbrk(package, " \t;,"))
    {
        g_set_error(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_INVALID_ARGUMENT, "\"%s\" is not an event package",
                    package ? package : "");
        return NULL;
    }
    for (line = options ? options->headers : NULL; line && *line; line++)
        if (!strchr(*line, ':') || **line == ':')
        {
            g_set_error(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_INVALID_ARGUMENT, "not a header line: \"%s\"", *line);
            return NULL;
        }
    if (!aor || osip_from_init(&parsed) || osip_from_parse(parsed, aor) || !parsed->url || !parsed->url->host)
    {
        g_set_error(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_INVALID_ARGUMENT, "malformed address-of-record \"%s\"",
                    aor ? aor : "(null)");
        osip_from_free(parsed);
        return NULL;
    }
    if (!engine_pick_proxy(engine, options ? options->proxy : NULL, &proxy, error))
    {
        osip_from_free(parsed);
        return NULL;
    }

    publication = g_new0(struct sip_publication, 1);
    publication->refcount = 1;
    publication->engine = engine;
    publication->state = SIP_PUBLICATION_PUBLISHING;
    publication->aor = g_strdup(aor);
    publication->package = g_strdup(package);
    publication->proxy = proxy;
    publication->headers = g_strdupv((char **)(options ? options->headers : NULL));
    publication->call_id = engine_new_token(engine);
    publication->local_tag = engine_new_token(engine);
    publication->requested_expires = options && options->expires ? options->expires : DEFAULT_EXPIRES_S;
    publication->content_type = g_strdup(content_type);
    publication->body = body && body_length ? g_bytes_new(body, body_length) : NULL;
    if (!engine_hop_for_uri(engine, proxy ? proxy : parsed->url, &publication->hop, error))
    {
        osip_from_free(parsed);
        sip_publication_unref(publication);
        return NULL;
    }
    osip_from_free(parsed);
    g_ptr_array_add(engine->publications, publication);
    if (!send_publish(publication, PUBLISH_INITIAL, error))
    {
        publication_detach(publication);
        sip_publication_unref(publication);
        return NULL;
    }
    return publication;
}

gboolean sip_publication_modify(struct sip_publication *publication, const char *content_type, const char *body,
                                gsize body_length, GError **error)
{
    g_return_val_if_fail(publication != NULL, FALSE);
    if (!check_live(publication, error))
        return FALSE;
    g_free(publication->next_content_type);
    if (publication->next_body)
        g_bytes_unref(publication->next_body);
    publication->next_content_type = g_strdup(content_type);
    publication->next_body = body && body_length ? g_bytes_new(body, body_length) : NULL;
    if (!publication->next_content_type && !publication->next_body)
        publication->next_content_type = g_strdup("");     /* an empty body is a change too */
    if (!publication->transaction)
        send_waiting(publication);
    return TRUE;
}

gboolean sip_publication_remove(struct sip_publication *publication, GError **error)
{
    g_return_val_if_fail(publication != NULL, FALSE);
    if (!check_live(publication, error))
        return FALSE;
    publication->remove_wanted = TRUE;
    engine_timer_cancel(publication->engine, publication->refresh_timer);
    publication->refresh_timer = NULL;
    if (!publication->transaction)
        send_waiting(publication);
    return TRUE;
}

/* ---- accessors ---------------------------------------------------------------------------------- */

void sip_engine_set_publication_callbacks(struct sip_engine *engine, const struct sip_publication_callbacks *callbacks)
{
    g_return_if_fail(engine != NULL);
    if (callbacks)
        engine->publication_callbacks = *callbacks;
    else
        memset(&engine->publication_callbacks, 0, sizeof(engine->publication_callbacks));
}

enum sip_publication_state sip_publication_get_state(struct sip_publication *publication)
{
    g_return_val_if_fail(publication != NULL, SIP_PUBLICATION_FAILED);
    return publication->state;
}

const char *sip_publication_get_etag(struct sip_publication *publication)
{
    g_return_val_if_fail(publication != NULL, NULL);
    return publication->etag;
}

guint sip_publication_get_expires(struct sip_publication *publication)
{
    g_return_val_if_fail(publication != NULL, 0);
    return publication->granted_expires;
}

guint sip_publication_get_status_code(struct sip_publication *publication)
{
    g_return_val_if_fail(publication != NULL, 0);
    return publication->status_code;
}

void sip_publication_set_user_data(struct sip_publication *publication, void *user_data)
{
    g_return_if_fail(publication != NULL);
    publication->user_data = user_data;
}

void *sip_publication_get_user_data(struct sip_publication *publication)
{
    g_return_val_if_fail(publication != NULL, NULL);
    return publication->user_data;
}
