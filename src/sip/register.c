/*
 * The REGISTER client (RFC 3261 §10); see sip_register.h. Digest answers
 * to 401/407 are the engine's (digest_retry.c), so a registration only sees the
 * final response of each REGISTER.
 */
#ifndef G_LOG_DOMAIN
#define G_LOG_DOMAIN "rtcshim"
#endif

#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "event_queue.h"
#include "keepalive.h"
#include "message.h"
#include "routing.h"
#include "sipfrag.h"
#include "timer_source.h"
#include "transaction.h"

#define DEFAULT_EXPIRES_S 3600
#define REFRESH_MARGIN_S 32         /* refresh this early, or at half the time if shorter */

struct sip_registration
{
    gint refcount;
    struct sip_engine *engine;              /* NULL once detached */
    enum sip_registration_state state;
    void *user_data;
    char *aor;                              /* as given: the To and From value */
    osip_uri_t *registrar;                  /* the Request-URI */
    osip_uri_t *proxy;                      /* outbound proxy (Route), NULL = direct */
    struct sip_next_hop hop;
    char *call_id;                          /* the same for every REGISTER (§10.2) */
    char *local_tag;
    char *contact_user;
    char *contact_uri;                      /* our binding as we last sent it */
    char *stale_contact;                    /* a binding to remove with the next REGISTER (NAT rewrite) */
    struct keepalive *keepalive;            /* while registered (keepalive.c) */
    enum sip_delivery_failure delivery_failure;
    guint32 cseq;
    guint requested_expires;
    guint granted_expires;
    gboolean unregister_wanted;
    osip_transaction_t *transaction;
    struct engine_timer *refresh_timer;
    guint status_code;
    char *reason_phrase;
};

const char *sip_registration_state_name(enum sip_registration_state state)
{
    switch (state)
    {
    case SIP_REGISTRATION_REGISTERING: return "registering";
    case SIP_REGISTRATION_REGISTERED: return "registered";
    case SIP_REGISTRATION_UNREGISTERING: return "unregistering";
    case SIP_REGISTRATION_UNREGISTERED: return "unregistered";
    case SIP_REGISTRATION_FAILED: return "failed";
    }
    return "unknown";
}

struct sip_registration *sip_registration_ref(struct sip_registration *registration)
{
    g_return_val_if_fail(registration != NULL, NULL);
    g_atomic_int_inc(&registration->refcount);
    return registration;
}

void registration_detach(struct sip_registration *registration)
{
    struct sip_engine *engine = registration->engine;
    struct engine_timer *timer = registration->refresh_timer;

    if (!engine)
        return;
    registration->refresh_timer = NULL;
    registration->transaction = NULL;
    keepalive_stop(registration->keepalive);
    registration->keepalive = NULL;
    g_ptr_array_remove(engine->registrations, registration);
    registration->engine = NULL;
    engine_timer_cancel(engine, timer);     /* may drop a reference: last */
}

void sip_registration_unref(struct sip_registration *registration)
{
    if (!registration || !g_atomic_int_dec_and_test(&registration->refcount))
        return;
    /* Timers and transactions hold references: none is left, and with the
     * application gone nobody wants refreshes. */
    if (registration->engine)
        g_ptr_array_remove(registration->engine->registrations, registration);
    g_free(registration->aor);
    osip_uri_free(registration->registrar);
    osip_uri_free(registration->proxy);
    g_free(registration->call_id);
    g_free(registration->local_tag);
    g_free(registration->contact_user);
    g_free(registration->contact_uri);
    g_free(registration->stale_contact);
    g_free(registration->reason_phrase);
    g_free(registration);
}

/* ---- reports -------------------------------------------------------------------- */

struct state_event
{
    struct sip_registration *registration;
    enum sip_registration_state state;
    guint code;
    char *reason;
};

static void state_event_free(void *data)
{
    struct state_event *event = data;

    sip_registration_unref(event->registration);
    g_free(event->reason);
    g_free(event);
}

static void deliver_state(struct sip_engine *engine, void *data)
{
    struct state_event *event = data;

    if (engine->registration_callbacks.state_changed)
        engine->registration_callbacks.state_changed(event->registration, event->state, event->code, event->reason,
                                                     engine->user_data);
}

static void set_state(struct sip_registration *registration, enum sip_registration_state state, guint code,
                      const char *reason)
{
    struct state_event *event;

    if (state != SIP_REGISTRATION_REGISTERED)
    {
        keepalive_stop(registration->keepalive);
        registration->keepalive = NULL;
    }
    if (!reason || !*reason)
        reason = code ? sip_reason_phrase(code) : "";
    registration->status_code = code;
    g_free(registration->reason_phrase);
    registration->reason_phrase = g_strdup(reason ? reason : "");
    if (registration->state == state)
        return;
    registration->state = state;
    event = g_new0(struct state_event, 1);
    event->registration = sip_registration_ref(registration);
    event->state = state;
    event->code = code;
    event->reason = g_strdup(registration->reason_phrase);
    engine_queue_event(registration->engine, deliver_state, event, state_event_free);
}

/* ---- REGISTER ------------------------------------------------------------------------ */

static gboolean send_register(struct sip_registration *registration, guint expires, GError **error);

static void refresh_due(struct sip_engine *engine, void *data)
{
    struct sip_registration *registration = data;
    GError *error = NULL;

    (void)engine;
    registration->refresh_timer = NULL;
    if (registration->state != SIP_REGISTRATION_REGISTERED)
        return;
    if (!send_register(registration, registration->requested_expires, &error))
    {
        set_state(registration, SIP_REGISTRATION_FAILED, 503, error->message);
        g_error_free(error);
    }
}

/* The lifetime granted to our binding: its Contact's expires, else the
 * Expires header, else what we asked for (§10.2.4). */
static guint granted_expires(struct sip_registration *registration, const osip_message_t *response)
{
    osip_contact_t *contact = NULL;
    osip_header_t *header = NULL;
    int i;

    for (i = 0; osip_message_get_contact(response, i, &contact) >= 0; i++)
    {
        osip_generic_param_t *expires = NULL;

        char *uri;
        gboolean ours;

        if (!contact || !contact->url || !registration->contact_uri)
            continue;
        /* The registrar lists every binding of the AOR: find ours. */
        uri = engine_uri_string(contact->url);
        ours = !strcmp(uri, registration->contact_uri);
        g_free(uri);
        if (!ours)
            continue;
        osip_contact_param_get_byname(contact, "expires", &expires);
        if (expires && expires->gvalue)
            return (guint)strtoul(expires->gvalue, NULL, 10);
    }
    if (osip_message_get_expires(response, 0, &header) >= 0 && header && header->hvalue)
        return (guint)strtoul(header->hvalue, NULL, 10);
    return registration->requested_expires;
}

/* The flow to the registrar failed (keepalive.c): register again. */
static void flow_failed(struct sip_engine *engine, void *data)
{
    struct sip_registration *registration = data;
    GError *error = NULL;

    (void)engine;
    keepalive_stop(registration->keepalive);
    registration->keepalive = NULL;
    if (registration->transaction || registration->state != SIP_REGISTRATION_REGISTERED)
        return;
    if (!send_register(registration, registration->requested_expires, &error))
    {
        set_state(registration, SIP_REGISTRATION_FAILED, 503, error->message);
        g_error_free(error);
    }
}

/* After a 2xx: keep the path to where it came from open, and refresh our
 * Contact when the registrar saw us elsewhere (NAT). TRUE if a REGISTER
 * with the new Contact went out. */
static gboolean keep_path_open(struct sip_registration *registration, osip_transaction_t *transaction,
                               const osip_message_t *response)
{
    struct sip_engine *engine = registration->engine;
    const osip_message_t *sent = transaction->orig_request;
    struct sip_next_hop target;
    GError *error = NULL;

    if (!sent || !engine_transaction_hop(transaction, &target))
        return FALSE;
    if (!keepalive_serves(registration->keepalive, &target))
    {
        keepalive_stop(registration->keepalive);
        registration->keepalive = keepalive_start(engine, &target, flow_failed, registration);
    }
    if (!registration->granted_expires || !keepalive_learn_public_address(engine, &target, sent, response))
        return FALSE;
    /* The old binding goes with the new one's REGISTER. */
    g_free(registration->stale_contact);
    registration->stale_contact = g_strdup(registration->contact_uri);
    if (send_register(registration, registration->requested_expires, &error))
        return TRUE;
    g_message("cannot refresh the Contact: %s", error->message);
    g_error_free(error);
    return FALSE;
}

/* The Contact as it went out (made for its target, targets.c). */
static void note_sent_contact(struct sip_registration *registration, osip_transaction_t *transaction)
{
    const osip_message_t *sent = transaction->orig_request;
    osip_contact_t *contact = sent ? osip_list_get(&sent->contacts, 0) : NULL;

    if (!contact || !contact->url)
        return;
    g_free(registration->contact_uri);
    registration->contact_uri = engine_uri_string(contact->url);
}

static void register_response(struct sip_engine *engine, osip_transaction_t *transaction,
                              const osip_message_t *response, guint code, void *data)
{
    struct sip_registration *registration = data;
    const char *reason = response ? response->reason_phrase : NULL;
    gboolean unregistering = registration->state == SIP_REGISTRATION_UNREGISTERING;
    GError *error = NULL;

    (void)engine;
    if (code < 200 || !registration->engine)
        return;
    if (registration->transaction == transaction)
        registration->transaction = NULL;
    registration->delivery_failure = engine_transaction_failure(transaction);
    note_sent_contact(registration, transaction);
    if (code < 300)
    {
        g_free(registration->stale_contact);
        registration->stale_contact = NULL;
    }

    if (response && code == 423 && !unregistering)
    {
        /* Interval Too Brief: ask again for at least Min-Expires. */
        osip_header_t *minimum = NULL;
        guint wanted = 0;

        if (osip_message_header_get_byname(response, "min-expires", 0, &minimum) >= 0 && minimum && minimum->hvalue)
            wanted = (guint)strtoul(minimum->hvalue, NULL, 10);
        if (wanted > registration->requested_expires)
        {
            registration->requested_expires = wanted;
            if (send_register(registration, wanted, &error))
                return;
            g_clear_error(&error);
        }
    }
    if (!response || code >= 300)
    {
        registration->granted_expires = 0;
        set_state(registration, SIP_REGISTRATION_FAILED, code, reason);
        return;
    }
    if (unregistering)
    {
        registration->granted_expires = 0;
        set_state(registration, SIP_REGISTRATION_UNREGISTERED, code, reason);
        return;
    }

    registration->granted_expires = granted_expires(registration, response);
    if (!registration->granted_expires)
    {
        set_state(registration, SIP_REGISTRATION_UNREGISTERED, code, reason);
        return;
    }
    set_state(registration, SIP_REGISTRATION_REGISTERED, code, reason);
    if (registration->unregister_wanted)
    {
        sip_registration_unregister(registration, NULL);
        return;
    }
    if (keep_path_open(registration, transaction, response))
        return;     /* refreshed at once with our public address */
    engine_timer_cancel(registration->engine, registration->refresh_timer);
    registration->refresh_timer = engine_timer_start(
        registration->engine,
        (registration->granted_expires > 2 * REFRESH_MARGIN_S ? registration->granted_expires - REFRESH_MARGIN_S
                                                               : MAX(registration->granted_expires / 2, 1)) * 1000,
        refresh_due, sip_registration_ref(registration), (GDestroyNotify)sip_registration_unref);
}

static void register_replaced(struct sip_engine *engine, osip_transaction_t *old_transaction,
                              osip_transaction_t *replacement, const osip_message_t *request, void *data)
{
    struct sip_registration *registration = data;

    (void)engine;
    if (registration->transaction == old_transaction)
        registration->transaction = replacement;
    registration->cseq = engine_cseq_number(request);
}

static void register_terminated(struct sip_engine *engine, osip_transaction_t *transaction, void *data)
{
    struct sip_registration *registration = data;

    (void)engine;
    if (registration->transaction == transaction)
        registration->transaction = NULL;
}

static const struct engine_transaction_user register_user = { register_response, register_terminated,
                                                              register_replaced };

static gboolean send_register(struct sip_registration *registration, guint expires, GError **error)
{
    struct sip_engine *engine = registration->engine;
    osip_message_t *request;
    char buffer[64];

    if (!(request = engine_build_request(engine, "REGISTER", registration->aor, registration->aor, error)))
        return FALSE;
    /* The Request-URI is the registrar; Call-ID, From tag and the CSeq
     * sequence stay those of the registration (§10.2). */
    osip_uri_free(request->req_uri);
    request->req_uri = NULL;
    osip_uri_clone(registration->registrar, &request->req_uri);
    osip_call_id_free(request->call_id);
    request->call_id = NULL;
    osip_message_set_call_id(request, registration->call_id);
    osip_from_free(request->from);
    request->from = NULL;
    osip_message_set_from(request, registration->aor);
    osip_from_set_tag(request->from, osip_strdup(registration->local_tag));
    osip_cseq_free(request->cseq);
    request->cseq = NULL;
    g_snprintf(buffer, sizeof(buffer), "%u REGISTER", ++registration->cseq);
    osip_message_set_cseq(request, buffer);
    /* Made for the target it goes to when it is sent (targets.c). */
    engine_add_contact(engine, request, registration->contact_user, registration->hop.protocol,
                       registration->hop.host);
    if (registration->stale_contact)
    {
        char *stale = g_strdup_printf("<%s>;expires=0", registration->stale_contact);

        osip_message_set_contact(request, stale);
        g_free(stale);
    }
    g_snprintf(buffer, sizeof(buffer), "%u", expires);
    osip_message_set_expires(request, buffer);
    osip_message_set_allow(request, SIP_ALLOWED_METHODS);
    if (registration->proxy)
        engine_add_proxy_route(request, registration->proxy);

    registration->transaction = engine_send_request(engine, request, &registration->hop, &register_user,
                                                    sip_registration_ref(registration),
                                                    (GDestroyNotify)sip_registration_unref, error);
    return registration->transaction != NULL;
}

struct sip_registration *sip_register(struct sip_engine *engine, const char *aor, const char *registrar,
                                      guint expires, GError **error)
{
    return sip_register_full(engine, aor, registrar, expires, NULL, error);
}

struct sip_registration *sip_register_full(struct sip_engine *engine, const char *aor, const char *registrar,
                                           guint expires, const struct sip_register_options *options,
                                           GError **error)
{
    struct sip_registration *registration;
    osip_from_t *parsed_aor = NULL;
    osip_uri_t *uri = NULL, *proxy = NULL;

    g_return_val_if_fail(engine != NULL, NULL);
    if (!engine_pick_proxy(engine, options ? options->proxy : NULL, &proxy, error))
        return NULL;
    if (!aor || osip_from_init(&parsed_aor) || osip_from_parse(parsed_aor, aor) || !parsed_aor->url
        || !parsed_aor->url->host)
    {
        g_set_error(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_INVALID_ARGUMENT, "malformed address-of-record \"%s\"",
                    aor ? aor : "(null)");
        osip_from_free(parsed_aor);
        osip_uri_free(proxy);
        return NULL;
    }
    if (registrar)
    {
        if (osip_uri_init(&uri) || osip_uri_parse(uri, registrar) || !uri->host)
        {
            g_set_error(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_INVALID_ARGUMENT, "malformed registrar \"%s\"",
                        registrar);
            osip_uri_free(uri);
            osip_uri_free(proxy);
            osip_from_free(parsed_aor);
            return NULL;
        }
    }
    else
    {
        /* The AOR's domain, without the user part (§10.2). */
        osip_uri_clone(parsed_aor->url, &uri);
        osip_free(uri->username);
        uri->username = NULL;
    }

    registration = g_new0(struct sip_registration, 1);
    registration->contact_user = g_strdup(parsed_aor->url->username);
    osip_from_free(parsed_aor);
    registration->refcount = 1;
    registration->engine = engine;
    registration->aor = g_strdup(aor);
    registration->registrar = uri;
    registration->proxy = proxy;
    registration->requested_expires = expires ? expires : DEFAULT_EXPIRES_S;
    registration->call_id = engine_new_token(engine);
    registration->local_tag = engine_new_token(engine);
    registration->reason_phrase = g_strdup("");
    registration->state = SIP_REGISTRATION_REGISTERING;
    if (!engine_hop_for_uri(engine, proxy ? proxy : uri, &registration->hop, error))
    {
        sip_registration_unref(registration);
        return NULL;
    }
    g_ptr_array_add(engine->registrations, registration);
    if (!send_register(registration, registration->requested_expires, error))
    {
        registration_detach(registration);
        sip_registration_unref(registration);
        return NULL;
    }
    return registration;
}

gboolean sip_registration_unregister(struct sip_registration *registration, GError **error)
{
    g_return_val_if_fail(registration != NULL, FALSE);
    if (!registration->engine)
    {
        g_set_error(error, SIP_ENGINE_ERROR, SIP_ENGINE_ERROR_DETACHED, "the engine is gone");
        return FALSE;
    }
    if (registration->state == SIP_REGISTRATION_REGISTERING)
    {
        registration->unregister_wanted = TRUE;
        return TRUE;
    }
    if (registration->state != SIP_REGISTRATION_REGISTERED)
        return TRUE;
    engine_timer_cancel(registration->engine, registration->refresh_timer);
    registration->refresh_timer = NULL;
    registration->unregister_wanted = FALSE;
    set_state(registration, SIP_REGISTRATION_UNREGISTERING, 0, NULL);
    if (!send_register(registration, 0, error))
    {
        set_state(registration, SIP_REGISTRATION_FAILED, 503, NULL);
        return FALSE;
    }
    return TRUE;
}

/* ---- accessors -------------------------------------------------------------------------- */

void sip_engine_set_registration_callbacks(struct sip_engine *engine,
                                           const struct sip_registration_callbacks *callbacks)
{
    g_return_if_fail(engine != NULL);
    if (callbacks)
        engine->registration_callbacks = *callbacks;
    else
        memset(&engine->registration_callbacks, 0, sizeof(engine->registration_callbacks));
}

enum sip_registration_state sip_registration_get_state(struct sip_registration *registration)
{
    g_return_val_if_fail(registration != NULL, SIP_REGISTRATION_FAILED);
    return registration->state;
}

guint sip_registration_get_status_code(struct sip_registration *registration)
{
    g_return_val_if_fail(registration != NULL, 0);
    return registration->status_code;
}

const char *sip_registration_get_reason_phrase(struct sip_registration *registration)
{
    g_return_val_if_fail(registration != NULL, "");
    return registration->reason_phrase;
}

enum sip_delivery_failure sip_registration_get_delivery_failure(struct sip_registration *registration)
{
    g_return_val_if_fail(registration != NULL, SIP_DELIVERY_OK);
    return registration->delivery_failure;
}

guint sip_registration_get_expires(struct sip_registration *registration)
{
    g_return_val_if_fail(registration != NULL, 0);
    return registration->granted_expires;
}

const char *sip_registration_get_aor(struct sip_registration *registration)
{
    g_return_val_if_fail(registration != NULL, NULL);
    return registration->aor;
}

void sip_registration_set_user_data(struct sip_registration *registration, void *user_data)
{
    g_return_if_fail(registration != NULL);
    registration->user_data = user_data;
}

void *sip_registration_get_user_data(struct sip_registration *registration)
{
    g_return_val_if_fail(registration != NULL, NULL);
    return registration->user_data;
}
