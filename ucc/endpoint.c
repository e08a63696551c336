/*
 * The endpoint (coclass UccPrincipalServerEndpoint): IUccEndpoint,
 * IUccEndpoint2, IUccServerSignalingSettings, IUccSessionManager,
 * IUccSubscriptionManager and IUccPublicationManager (presence: subscription.c,
 * publication.c) and IConnectionPointContainer (_IUccEndpointEvents,
 * _IUccEndpointEvents2, _IUccServerSignalingSettingsEvents,
 * _IUccSessionManagerEvents, _IUccPublicationManagerEvents).
 *
 * One SIP engine per endpoint, created by Enable on the platform's context.
 * With a signaling server, Enable registers (digest credentials from the
 * credential cache) and OnEnable reports the outcome; Disable unregisters.
 * Server-less mode (docs/ucc.md): with no signaling server, or with
 * UCCSEF_DISABLE_REGISTRATION in UCCSEC_SERVER_ENDPOINT_FLAGS, Enable listens
 * (UDP and TCP) on UCCSEC_LOCAL_NETWORK_ADDRESS of the endpoint context, or on
 * the host and port of the endpoint URI when that host is an IP address, and
 * registers nowhere. IUccEndpoint2::Properties reports the bound address as
 * UCCSEC_LOCAL_NETWORK_ADDRESS.
 */
#include <string.h>
#include "ucc_private.h"
#include "media/media_backend.h"
#include "presence.h"
#include "sip/sip_call.h"
#include "sip/sip_media.h"
#include "sip/sip_register.h"

/* Disable waits for the un-REGISTER and the BYEs to end on the wire; the
 * engine bounds each (a BYE owed after the ACK: 64*T1, then its own
 * transaction: 64*T1; an un-REGISTER and its digest retry: the same). This
 * only guards against the engine not keeping that bound. */
#define DISABLE_GRACE_MS (2 * 32000 + 2000)

struct tracked_request
{
    struct ucc_session *session;            /* referenced */
    struct ucc_participant *participant;    /* referenced */
};

struct ucc_endpoint
{
    IUccEndpoint IUccEndpoint_iface;
    IUccEndpoint2 IUccEndpoint2_iface;
    IUccServerSignalingSettings IUccServerSignalingSettings_iface;
    IUccSessionManager IUccSessionManager_iface;
    IUccSubscriptionManager IUccSubscriptionManager_iface;
    IUccPublicationManager IUccPublicationManager_iface;
    IConnectionPointContainer IConnectionPointContainer_iface;
    LONG refcount;

    struct ucc_platform *platform;          /* strong */
    UCC_ENDPOINT_TYPE type;
    IUccUri *uri;
    BSTR id;
    IUccContext *context;                   /* never NULL */
    UCC_ENDPOINT_STATE state;

    struct connection_point endpoint_events;        /* _IUccEndpointEvents */
    struct connection_point endpoint_events2;       /* _IUccEndpointEvents2 */
    struct connection_point signaling_events;       /* _IUccServerSignalingSettingsEvents */
    struct connection_point session_manager_events; /* _IUccSessionManagerEvents */
    struct connection_point publication_manager_events; /* _IUccPublicationManagerEvents (never raised) */

    IUccSignalingServer *server;
    LONG allowed_modes;
    IUccCredentialCache *credentials;

    struct sip_engine *engine;              /* from Enable to Disable */
    struct sip_registration *registration;  /* with a registrar */
    struct sip_server_search *sign_in_search;   /* Enable without a server: the domain's SRV records */
    GPtrArray *sign_in_servers;             /* IUccSignalingServer * found, tried in order */
    guint sign_in_next;
    struct sip_server_search *find_search;  /* FindServer */
    IUccOperationContext *find_context;
    IUccOperationContext *enable_context;   /* Enable waiting for the registrar */
    BOOL unregistering;
    GSource *engine_idle;                   /* lets go of the engine after a failed sign-in */
    char *bound_address;                    /* "127.0.0.1:5070" */
    GHashTable *requests;                   /* request id -> struct tracked_request */
    GQueue live;                            /* struct ucc_session *, referenced, oldest first */
    GHashTable *live_links;                 /* struct ucc_session * -> its link in live: not
                                             * walked per call, however many there are */
    GList *transfers;                       /* transfer.c's notifiers, weak */
    struct ucc_publisher *publisher;        /* what we publish (publication.c) */
    GList *presentities;                    /* struct ucc_presentity * watching through our engine, weak */
    BOOL shutting_down;                     /* the platform is shutting down */

    IUccOperationContext *disable_context;
    GSource *disable_timer;
    GSource *disable_idle;
};

static struct ucc_endpoint *impl_from_IUccEndpoint(IUccEndpoint *iface)
{
    return CONTAINING_RECORD(iface, struct ucc_endpoint, IUccEndpoint_iface);
}

static struct ucc_endpoint *impl_from_IUccEndpoint2(IUccEndpoint2 *iface)
{
    return CONTAINING_RECORD(iface, struct ucc_endpoint, IUccEndpoint2_iface);
}

static struct ucc_endpoint *impl_from_IUccServerSignalingSettings(IUccServerSignalingSettings *iface)
{
    return CONTAINING_RECORD(iface, struct ucc_endpoint, IUccServerSignalingSettings_iface);
}

static struct ucc_endpoint *impl_from_IUccSessionManager(IUccSessionManager *iface)
{
    return CONTAINING_RECORD(iface, struct ucc_endpoint, IUccSessionManager_iface);
}

static struct ucc_endpoint *impl_from_IConnectionPointContainer(IConnectionPointContainer *iface)
{
    return CONTAINING_RECORD(iface, struct ucc_endpoint, IConnectionPointContainer_iface);
}

/* ---- for the other families ---------------------------------------------------------------- */

struct ucc_endpoint *ucc_endpoint_from_subscription_manager(IUccSubscriptionManager *iface)
{
    return CONTAINING_RECORD(iface, struct ucc_endpoint, IUccSubscriptionManager_iface);
}

struct ucc_endpoint *ucc_endpoint_from_publication_manager(IUccPublicationManager *iface)
{
    return CONTAINING_RECORD(iface, struct ucc_endpoint, IUccPublicationManager_iface);
}

struct ucc_publisher *ucc_endpoint_publisher(struct ucc_endpoint *endpoint)
{
    return endpoint->publisher;
}

struct connection_point *ucc_endpoint_publication_manager_point(struct ucc_endpoint *endpoint)
{
    return &endpoint->publication_manager_events;
}

char *ucc_endpoint_aor(struct ucc_endpoint *endpoint)
{
    return ucc_uri_text(endpoint->uri);
}

void ucc_endpoint_add_presentity(struct ucc_endpoint *endpoint, struct ucc_presentity *presentity)
{
    endpoint->presentities = g_list_prepend(endpoint->presentities, presentity);
}

void ucc_endpoint_remove_presentity(struct ucc_endpoint *endpoint, struct ucc_presentity *presentity)
{
    endpoint->presentities = g_list_remove(endpoint->presentities, presentity);
}

void ucc_endpoint_add_ref(struct ucc_endpoint *endpoint)
{
    IUccEndpoint_AddRef(&endpoint->IUccEndpoint_iface);
}

void ucc_endpoint_release(struct ucc_endpoint *endpoint)
{
    IUccEndpoint_Release(&endpoint->IUccEndpoint_iface);
}

IUccEndpoint *ucc_endpoint_iface(struct ucc_endpoint *endpoint)
{
    return &endpoint->IUccEndpoint_iface;
}

struct ucc_platform *ucc_endpoint_platform(struct ucc_endpoint *endpoint)
{
    return endpoint->platform;
}

struct sip_engine *ucc_endpoint_engine(struct ucc_endpoint *endpoint)
{
    return endpoint->state == UCCES_ENABLED ? endpoint->engine : NULL;
}

HRESULT ucc_endpoint_check_ready(struct ucc_endpoint *endpoint)
{
    HRESULT hr;

    if (FAILED(hr = ucc_platform_check_running(endpoint->platform)))
        return hr;
    return endpoint->state == UCCES_ENABLED && endpoint->engine && !endpoint->shutting_down
           ? S_OK : UCC_E_RTCSHIM_INVALID_STATE;
}

char *ucc_endpoint_identity(struct ucc_endpoint *endpoint)
{
    char *uri = ucc_uri_text(endpoint->uri);
    char *name = ucc_context_get_string(endpoint->context, UCCSEC_DISPLAY_NAME);
    char *identity;

    if (name && *name && !strchr(name, '"'))
        identity = g_strdup_printf("\"%s\" <%s>", name, uri);
    else
        identity = g_strdup(uri);
    g_free(uri);
    g_free(name);
    return identity;
}

struct connection_point *ucc_endpoint_session_manager_point(struct ucc_endpoint *endpoint)
{
    return &endpoint->session_manager_events;
}

guint ucc_endpoint_incoming_timeout(struct ucc_endpoint *endpoint)
{
    LONG ms = ucc_context_get_named_long(endpoint->context, UCC_PROPERTY_INCOMING_TIMEOUT,
                                         UCC_DEFAULT_INCOMING_TIMEOUT_MS);

    return ms > 0 ? (guint)ms : UCC_DEFAULT_INCOMING_TIMEOUT_MS;
}

void ucc_endpoint_session_started(struct ucc_endpoint *endpoint, struct ucc_session *session)
{
    if (g_hash_table_contains(endpoint->live_links, session))
        return;
    ucc_session_add_ref(session);
    g_queue_push_tail(&endpoint->live, session);
    g_hash_table_insert(endpoint->live_links, session, endpoint->live.tail);
}

static void cancel_source(GSource **source)
{
    if (*source)
    {
        g_source_destroy(*source);
        g_source_unref(*source);
        *source = NULL;
    }
}

static void finish_disable(struct ucc_endpoint *endpoint);

static gboolean disable_idle(gpointer user_data)
{
    struct ucc_endpoint *endpoint = user_data;

    g_source_unref(endpoint->disable_idle);
    endpoint->disable_idle = NULL;
    finish_disable(endpoint);
    return G_SOURCE_REMOVE;
}

static gboolean disable_timed_out(gpointer user_data)
{
    struct ucc_endpoint *endpoint = user_data;

    g_source_unref(endpoint->disable_timer);
    endpoint->disable_timer = NULL;
    finish_disable(endpoint);
    return G_SOURCE_REMOVE;
}

/* The engine is let go from an idle of its own, never from inside one of its callbacks. */
static void check_idle(struct ucc_endpoint *endpoint)
{
    /* Disable is done once the BYEs of the sessions it ended have their
     * final responses too (docs/wire-mapping.md, "Shutting down"). */
    if (!g_queue_is_empty(&endpoint->live) || endpoint->unregistering || ucc_publisher_withdrawing(endpoint->publisher)
        || (endpoint->engine && sip_engine_pending_hangups(endpoint->engine)))
        return;
    if (endpoint->state == UCCES_DISABLING && !endpoint->disable_idle)
    {
        endpoint->disable_idle = g_idle_source_new();
        g_source_set_callback(endpoint->disable_idle, disable_idle, endpoint, NULL);
        g_source_attach(endpoint->disable_idle, ucc_platform_context(endpoint->platform));
    }
    ucc_platform_endpoint_idle(endpoint->platform);
}

void ucc_endpoint_session_ended(struct ucc_endpoint *endpoint, struct ucc_session *session)
{
    GList *link = g_hash_table_lookup(endpoint->live_links, session);

    if (!link)
        return;
    g_hash_table_remove(endpoint->live_links, session);
    g_queue_delete_link(&endpoint->live, link);
    check_idle(endpoint);
    ucc_session_release(session);
}

BOOL ucc_endpoint_has_live_sessions(struct ucc_endpoint *endpoint)
{
    return !g_queue_is_empty(&endpoint->live) || endpoint->unregistering || ucc_publisher_withdrawing(endpoint->publisher)
           || (endpoint->engine && sip_engine_pending_hangups(endpoint->engine));
}

static void tracked_request_free(gpointer data)
{
    struct tracked_request *request = data;

    ucc_participant_release(request->participant);
    ucc_session_release(request->session);
    g_free(request);
}

void ucc_endpoint_track_request(struct ucc_endpoint *endpoint, guint request_id, struct ucc_session *session,
                                struct ucc_participant *participant)
{
    struct tracked_request *request = g_new(struct tracked_request, 1);

    request->session = session;
    ucc_session_add_ref(session);
    request->participant = participant;
    ucc_participant_add_ref(participant);
    g_hash_table_insert(endpoint->requests, GUINT_TO_POINTER(request_id), request);
}

/* Ends every live session; events follow as the calls end. */
static void end_sessions(struct ucc_endpoint *endpoint)
{
    GList *live = g_list_copy(endpoint->live.head), *link;

    for (link = live; link; link = link->next)
        ucc_session_add_ref(link->data);
    for (link = live; link; link = link->next)
    {
        ucc_session_end(link->data);
        ucc_session_release(link->data);
    }
    g_list_free(live);
}

/* Removes our binding; the endpoint counts as busy until the registrar answered. */
static void unregister(struct ucc_endpoint *endpoint)
{
    if (endpoint->registration
        && sip_registration_get_state(endpoint->registration) == SIP_REGISTRATION_REGISTERED
        && sip_registration_unregister(endpoint->registration, NULL))
        endpoint->unregistering = TRUE;
}

/* Our presence leaves the server before we do: the un-REGISTER goes once the
 * server has answered the PUBLISH that removes it (or at once when there is
 * nothing to remove), so a server never holds presence for a user it has
 * already unregistered. */
static void withdraw_then_unregister(struct ucc_endpoint *endpoint)
{
    ucc_publisher_withdraw(endpoint->publisher);
    if (!ucc_publisher_withdrawing(endpoint->publisher))
        unregister(endpoint);
}

void ucc_endpoint_publication_withdrawn(struct ucc_endpoint *endpoint)
{
    if (endpoint->state == UCCES_DISABLING || endpoint->shutting_down)
        unregister(endpoint);
    check_idle(endpoint);
}

void ucc_endpoint_shutdown(struct ucc_endpoint *endpoint)
{
    endpoint->shutting_down = TRUE;
    end_sessions(endpoint);
    withdraw_then_unregister(endpoint);
}

void ucc_endpoint_add_transfer(struct ucc_endpoint *endpoint, IUnknown *notifier)
{
    endpoint->transfers = g_list_append(endpoint->transfers, notifier);
}

void ucc_endpoint_remove_transfer(struct ucc_endpoint *endpoint, IUnknown *notifier)
{
    endpoint->transfers = g_list_remove(endpoint->transfers, notifier);
}

static void cancel_sign_in_search(struct ucc_endpoint *endpoint)
{
    if (endpoint->sign_in_search)
    {
        sip_server_search_cancel(endpoint->sign_in_search);
        endpoint->sign_in_search = NULL;
        ucc_endpoint_release(endpoint);     /* the search's reference */
    }
    if (endpoint->sign_in_servers)
    {
        g_ptr_array_free(endpoint->sign_in_servers, TRUE);
        endpoint->sign_in_servers = NULL;
    }
}

void ucc_endpoint_release_engine(struct ucc_endpoint *endpoint)
{
    /* Presence lets go of its subscriptions and publication while the engine exists. */
    while (endpoint->presentities)
        ucc_presentity_engine_gone(endpoint->presentities->data);
    if (endpoint->publisher)
        ucc_publisher_engine_gone(endpoint->publisher);
    /* Transfers let go of their REFERs while the engine can still end them. */
    while (endpoint->transfers)
    {
        IUnknown *notifier = endpoint->transfers->data;
        endpoint->transfers = g_list_delete_link(endpoint->transfers, endpoint->transfers);
        ucc_transfer_detach(notifier);
    }
    /* Sessions still live after the grace period end without further protocol; their
     * calls are let go while the engine still exists. */
    while (!g_queue_is_empty(&endpoint->live))
    {
        struct ucc_session *session = g_queue_pop_head(&endpoint->live);
        guint i;

        g_hash_table_remove(endpoint->live_links, session);
        for (i = 0; i < session->remotes->len; i++)
            ucc_participant_set_call(g_ptr_array_index(session->remotes, i), NULL);
        ucc_session_release(session);
    }
    if (endpoint->requests)
        g_hash_table_remove_all(endpoint->requests);
    cancel_sign_in_search(endpoint);
    if (endpoint->registration)
    {
        sip_registration_set_user_data(endpoint->registration, NULL);
        sip_registration_unref(endpoint->registration);
        endpoint->registration = NULL;
    }
    endpoint->unregistering = FALSE;
    if (endpoint->engine)
    {
        sip_engine_free(endpoint->engine);
        endpoint->engine = NULL;
    }
    g_free(endpoint->bound_address);
    endpoint->bound_address = NULL;
    if (endpoint->state != UCCES_IDLE)
        endpoint->state = UCCES_DISABLED;
}

/* ---- engine reports ------------------------------------------------------------------------------- */

static void engine_incoming_call(struct sip_engine *engine, struct sip_call *call, void *user_data)
{
    struct ucc_endpoint *endpoint = user_data;

    if (endpoint->shutting_down || endpoint->state != UCCES_ENABLED)
    {
        sip_call_reject(call, 503, NULL, NULL);
        return;
    }
    ucc_session_incoming_call(endpoint, call);
}

static void engine_call_state_changed(struct sip_call *call, enum sip_call_state state, guint status_code,
                                      const char *reason_phrase, void *user_data)
{
    struct ucc_participant *participant = sip_call_get_user_data(call);

    if (participant)
        ucc_session_on_call_state(participant, call, state, status_code, reason_phrase);
}

static void engine_call_media_changed(struct sip_call *call, gboolean local_hold, gboolean remote_hold,
                                      void *user_data)
{
    struct ucc_participant *participant = sip_call_get_user_data(call);

    if (participant)
        ucc_participant_media_changed(participant, !local_hold && !remote_hold);
}

static void engine_call_media_updated(struct sip_call *call, guint status_code, void *user_data)
{
    struct ucc_participant *participant = sip_call_get_user_data(call);

    if (participant)
        ucc_participant_media_updated(participant, status_code);
}

static void engine_call_media_offered(struct sip_call *call, void *user_data)
{
    struct ucc_participant *participant = sip_call_get_user_data(call);

    if (participant)
        ucc_participant_media_offered(participant);
    else
        sip_call_accept_offer(call, 0, NULL);   /* nobody left to ask */
}

static void engine_call_media_offer_cancelled(struct sip_call *call, void *user_data)
{
    struct ucc_participant *participant = sip_call_get_user_data(call);

    if (participant)
        ucc_participant_media_offer_cancelled(participant);
}

static void engine_message_received(struct sip_engine *engine, struct sip_call *call,
                                    const struct sip_incoming_request *request, void *user_data)
{
    struct ucc_participant *participant = call ? sip_call_get_user_data(call) : NULL;

    if (participant)
        ucc_session_on_message(participant, request->content_type, request->body);
    else
        g_debug("UCC endpoint: MESSAGE from %s outside a session dropped (already answered 200)",
                request->from_uri);
}

static void engine_request_completed(struct sip_engine *engine, guint request_id, guint status_code,
                                     const char *reason_phrase, void *user_data)
{
    struct ucc_endpoint *endpoint = user_data;
    struct tracked_request *request = g_hash_table_lookup(endpoint->requests, GUINT_TO_POINTER(request_id));

    if (!request)
        return;
    ucc_session_on_request_completed(request->session, request->participant, request_id, status_code,
                                     sip_engine_get_completed_failure(engine), reason_phrase);
    g_hash_table_remove(endpoint->requests, GUINT_TO_POINTER(request_id));
}

static void engine_hangups_finished(struct sip_engine *engine, void *user_data)
{
    (void)engine;
    check_idle(user_data);
}

/* Presence: we serve "presence" (publication.c) and watch presentities (presentity.c). */
static void engine_subscription_received(struct sip_engine *engine, struct sip_subscription *subscription,
                                         void *user_data)
{
    struct ucc_endpoint *endpoint = user_data;

    if (endpoint->shutting_down || endpoint->state != UCCES_ENABLED)
        sip_subscription_reject(subscription, 480, NULL, NULL);
    else
        ucc_publisher_on_subscription(endpoint->publisher, subscription);
}

static void engine_subscription_state(struct sip_subscription *subscription, enum sip_subscription_status state,
                                      enum sip_subscription_reason reason, guint status_code, void *user_data)
{
    struct ucc_endpoint *endpoint = user_data;
    struct ucc_presentity *presentity = sip_subscription_get_user_data(subscription);

    if (sip_subscription_is_notifier(subscription))
        ucc_publisher_on_watcher_state(endpoint->publisher, subscription, state);
    else if (presentity)
        ucc_presentity_on_state(presentity, state, reason, status_code);
}

static void engine_notify_received(struct sip_subscription *subscription, const struct sip_subscription_notify *notify,
                                   void *user_data)
{
    struct ucc_presentity *presentity = sip_subscription_get_user_data(subscription);

    if (presentity)
        ucc_presentity_on_notify(presentity, notify);
}

static const struct sip_subscription_callbacks subscription_callbacks =
{
    .subscription_received = engine_subscription_received,
    .state_changed = engine_subscription_state,
    .notify_received = engine_notify_received,
};

static const char *const served_packages[] = { "presence", NULL };

static void engine_publication_state(struct sip_publication *publication, enum sip_publication_state state,
                                     guint status_code, const char *reason_phrase, void *user_data)
{
    struct ucc_endpoint *endpoint = user_data;

    ucc_publisher_on_publication(endpoint->publisher, publication, state, status_code, reason_phrase);
}

static const struct sip_publication_callbacks publication_callbacks = { engine_publication_state };

static const struct sip_engine_callbacks engine_callbacks =
{
    .hangups_finished = engine_hangups_finished,
    .incoming_call = engine_incoming_call,
    .call_state_changed = engine_call_state_changed,
    .call_media_changed = engine_call_media_changed,
    .call_media_updated = engine_call_media_updated,
    .call_media_offered = engine_call_media_offered,
    .call_media_offer_cancelled = engine_call_media_offer_cancelled,
    .message_received = engine_message_received,
    .request_completed = engine_request_completed,
};

/* ---- Enable / Disable ---------------------------------------------------------------------------------- */

static void fire_progress(struct ucc_endpoint *endpoint, DISPID dispid, IUccOperationContext *operation,
                          HRESULT status, const char *text)
{
    IUccOperationProgressEvent *progress;

    if (SUCCEEDED(ucc_progress_event_create(operation, TRUE, status, text, NULL, &progress)))
    {
        ucc_fire_event(endpoint->platform, &endpoint->endpoint_events, dispid,
                       (IUnknown *)&endpoint->IUccEndpoint_iface, (IUnknown *)progress);
        IUccOperationProgressEvent_Release(progress);
    }
}

/* "host", "host:port", "[v6]", "[v6]:port". */
static BOOL parse_address(const char *text, char **host, guint16 *port)
{
    const char *colon;
    char *end;
    long value;

    *host = NULL;
    if (!text || !*text)
        return FALSE;
    if (text[0] == '[')
    {
        const char *close = strchr(text, ']');
        if (!close)
            return FALSE;
        *host = g_strndup(text + 1, close - text - 1);
        colon = close[1] == ':' ? close + 1 : NULL;
        if (close[1] && !colon)
            goto fail;
    }
    else
    {
        colon = strrchr(text, ':');
        if (colon && strchr(text, ':') != colon)
            colon = NULL;       /* a bare IPv6 address */
        *host = colon ? g_strndup(text, colon - text) : g_strdup(text);
    }
    if (!g_hostname_is_ip_address(*host))
        goto fail;
    if (!colon)
        return TRUE;
    value = strtol(colon + 1, &end, 10);
    if (*end || value < 0 || value > 65535 || end == colon + 1)
        goto fail;
    *port = value;
    return TRUE;

fail:
    g_free(*host);
    *host = NULL;
    return FALSE;
}

/* The endpoint URI's host when it is a domain name (not an IP address); g_free. */
static char *uri_domain(struct ucc_endpoint *endpoint)
{
    BSTR host = NULL;
    char *utf8;

    IUccUri_get_Host(endpoint->uri, &host);
    utf8 = ucc_utf8(host);
    SysFreeString(host);
    if (!utf8 || !*utf8 || utf8[0] == '[' || g_hostname_is_ip_address(utf8))
    {
        g_free(utf8);
        return NULL;
    }
    return utf8;
}

/* No server given, registration not turned off, and a URI in a domain: the
 * server is found through DNS, as Communicator does (docs/ucc.md). */
static BOOL signs_in_by_dns(struct ucc_endpoint *endpoint)
{
    LONG flags = ucc_context_get_long(endpoint->context, UCCSEC_SERVER_ENDPOINT_FLAGS, 0);
    char *domain;

    if (endpoint->server || (flags & UCCSEF_DISABLE_REGISTRATION))
        return FALSE;
    domain = uri_domain(endpoint);
    g_free(domain);
    return domain != NULL;
}

/* Where a server-less endpoint listens (docs/ucc.md). */
static BOOL listen_address(struct ucc_endpoint *endpoint, char **host, guint16 *port)
{
    char *configured = ucc_context_get_string(endpoint->context, UCCSEC_LOCAL_NETWORK_ADDRESS);
    BSTR uri_host = NULL;
    LONG uri_port = 0;
    char *host_utf8;
    BOOL ok;

    *port = 5060;
    if (configured)
    {
        ok = parse_address(configured, host, port);
        g_free(configured);
        return ok;
    }
    if (endpoint->server || signs_in_by_dns(endpoint))
    {
        /* Signed in through a registrar: any local address, any port. */
        *host = g_strdup("0.0.0.0");
        *port = 0;
        return TRUE;
    }
    IUccUri_get_Host(endpoint->uri, &uri_host);
    IUccUri_get_Port(endpoint->uri, &uri_port);
    host_utf8 = ucc_utf8(uri_host);
    SysFreeString(uri_host);
    if (host_utf8 && host_utf8[0] == '[')
    {
        memmove(host_utf8, host_utf8 + 1, strlen(host_utf8));
        host_utf8[strlen(host_utf8) - 1] = 0;
    }
    if (host_utf8 && g_hostname_is_ip_address(host_utf8))
    {
        *host = host_utf8;
        if (uri_port > 0)
            *port = uri_port;
        return TRUE;
    }
    g_free(host_utf8);
    *host = g_strdup("0.0.0.0");
    return TRUE;
}

/* The engine's media: audio (levels measured, for IUccAudioMediaChannel::get_SignalLevel),
 * unless the platform was initialised with UCCPC_DISABLE_MEDIA or the media framework cannot start. */
static struct sip_media_backend *ucc_media_backend_new(struct ucc_platform *platform)
{
    struct sip_media_backend *backend = NULL;
    GError *error = NULL;

    if (!ucc_platform_media_disabled(platform) && !(backend = media_backend_new(&error)))
    {
        g_message("UCC: no audio: %s", error->message);
        g_error_free(error);
    }
    if (!backend)
        return media_backend_new_without_audio();
    sip_media_backend_set_level_reporting(backend, TRUE);
    return backend;
}

static HRESULT start_listening(struct ucc_endpoint *endpoint)
{
    struct sip_engine_config config = { 0 };
    GError *error = NULL;
    guint16 port, bound = 0, tcp_bound;
    char *host;

    if (!listen_address(endpoint, &host, &port))
        return UCC_E_INVALID_ADDRESS_LOCAL;
    g_main_context_push_thread_default(ucc_platform_context(endpoint->platform));
    config.media_backend = ucc_media_backend_new(endpoint->platform);
    endpoint->engine = sip_engine_new(&config, &engine_callbacks, endpoint, &error);
    g_main_context_pop_thread_default(ucc_platform_context(endpoint->platform));
    if (!endpoint->engine)
    {
        g_warning("UCC Enable: %s", error->message);
        g_error_free(error);
        g_free(host);
        return E_FAIL;
    }
    ucc_transfer_install(endpoint->engine,
                         MAX(0, ucc_context_get_named_long(endpoint->context, UCC_PROPERTY_TRANSFER_TIMEOUT, 0)),
                         ucc_context_get_named_long(endpoint->context, UCC_PROPERTY_REFER_PRIVATE_HEADERS, 0) != 0);
    sip_engine_set_subscription_callbacks(endpoint->engine, &subscription_callbacks, served_packages);
    sip_engine_set_publication_callbacks(endpoint->engine, &publication_callbacks);
    /* TCP on UDP's port when it can be had; UDP is what peers use by default. */
    if (!sip_engine_listen_udp_and_tcp(endpoint->engine, host, port, &bound, &tcp_bound, &error))
    {
        g_debug("UCC Enable: listen %s:%u: %s", host, port, error->message);
        g_error_free(error);
        g_free(host);
        sip_engine_free(endpoint->engine);
        endpoint->engine = NULL;
        return UCC_E_INVALID_ADDRESS_LOCAL;
    }
    if (!tcp_bound)
        g_debug("UCC Enable: no TCP on %s:%u", host, bound);
    else if (tcp_bound != bound)
        g_debug("UCC Enable: TCP on %s:%u, not on UDP's %u", host, tcp_bound, bound);
    endpoint->bound_address = strchr(host, ':') ? g_strdup_printf("[%s]:%u", host, bound)
                                                : g_strdup_printf("%s:%u", host, bound);
    g_free(host);
    return S_OK;
}

static BOOL uses_registrar(struct ucc_endpoint *endpoint)
{
    LONG flags = ucc_context_get_long(endpoint->context, UCCSEC_SERVER_ENDPOINT_FLAGS, 0);

    return endpoint->server && !(flags & UCCSEF_DISABLE_REGISTRATION);
}

/* The registrar's URI: the server address ("host[:port]", or a URI) with its transport. A
 * host name without a port is looked up as RFC 3263 says (SRV for that transport). */
static char *registrar_uri(IUccSignalingServer *server)
{
    UCC_TRANSPORT_MODE mode = UCCTM_UDP;
    BSTR address = NULL;
    char *text, *uri;

    IUccSignalingServer_get_ServerAddress(server, &address);
    IUccSignalingServer_get_TransportMode(server, &mode);
    text = ucc_utf8(address);
    SysFreeString(address);
    if (!g_ascii_strncasecmp(text, "sip:", 4) || !g_ascii_strncasecmp(text, "sips:", 5))
        uri = g_strdup(text);
    else if (mode == UCCTM_TLS)
        uri = g_strconcat("sips:", text, NULL);
    else if (mode == UCCTM_TCP)
        uri = g_strconcat("sip:", text, ";transport=tcp", NULL);
    else if (!strchr(text, ':') && !g_hostname_is_ip_address(text))
        uri = g_strconcat("sip:", text, ";transport=udp", NULL);      /* a name alone: its UDP SRV records */
    else
        uri = g_strconcat("sip:", text, NULL);
    g_free(text);
    return uri;
}

char *ucc_endpoint_server_route(struct ucc_endpoint *endpoint)
{
    return uses_registrar(endpoint) ? registrar_uri(endpoint->server) : NULL;
}

static void set_credentials(const char *realm, const char *user, const char *password, void *data)
{
    sip_engine_set_credentials(data, realm, user, password);
}

/* What OnEnable reports for a registrar's refusal, or for no registrar
 * answering (docs/ucc.md, "Sign-in"). */
static HRESULT sign_in_status(guint code, enum sip_delivery_failure failure)
{
    if (failure != SIP_DELIVERY_OK)
        return ucc_hresult_from_outcome(code, failure);
    if (code == 401 || code == 407)
        return UCC_E_SIP_AUTHENTICATION_FAILED;
    return code ? ucc_hresult_from_sip_status(code) : E_FAIL;
}

static void register_next_server(struct ucc_endpoint *endpoint);

static gboolean release_engine_idle(gpointer user_data)
{
    struct ucc_endpoint *endpoint = user_data;

    g_source_unref(endpoint->engine_idle);
    endpoint->engine_idle = NULL;
    ucc_endpoint_add_ref(endpoint);
    if (endpoint->state == UCCES_DISABLED)
        ucc_endpoint_release_engine(endpoint);
    ucc_endpoint_release(endpoint);
    return G_SOURCE_REMOVE;
}

static void enable_done(struct ucc_endpoint *endpoint, HRESULT status, const char *text)
{
    IUccOperationContext *operation = endpoint->enable_context;

    endpoint->enable_context = NULL;
    endpoint->state = SUCCEEDED(status) ? UCCES_ENABLED : UCCES_DISABLED;
    fire_progress(endpoint, DISPID__IUccEndpointEvents_OnEnable, operation, status, text);
    if (SUCCEEDED(status))
        ucc_publisher_engine_ready(endpoint->publisher);    /* what was published before goes out again */
    if (operation)
        IUccOperationContext_Release(operation);
    /* A failed sign-in lets go of the engine, from an idle of its own (we may be in its callback). */
    if (FAILED(status) && !endpoint->engine_idle)
    {
        endpoint->engine_idle = g_idle_source_new();
        g_source_set_callback(endpoint->engine_idle, release_engine_idle, endpoint, NULL);
        g_source_attach(endpoint->engine_idle, ucc_platform_context(endpoint->platform));
    }
}

static void registration_state_changed(struct sip_registration *registration, enum sip_registration_state state,
                                       guint status_code, const char *reason_phrase, void *user_data)
{
    struct ucc_endpoint *endpoint = user_data;

    if (registration != endpoint->registration)
        return;
    switch (state)
    {
    case SIP_REGISTRATION_REGISTERED:
        if (endpoint->state == UCCES_ENABLING)
            enable_done(endpoint, S_OK, NULL);
        break;
    case SIP_REGISTRATION_FAILED:
        /* No server answered: the next one the domain's DNS gave, if any. */
        if (endpoint->state == UCCES_ENABLING && sip_registration_get_delivery_failure(registration) != SIP_DELIVERY_OK
            && endpoint->sign_in_servers && endpoint->sign_in_next < endpoint->sign_in_servers->len)
        {
            sip_registration_set_user_data(registration, NULL);
            sip_registration_unref(endpoint->registration);
            endpoint->registration = NULL;
            register_next_server(endpoint);
        }
        else if (endpoint->state == UCCES_ENABLING)
            enable_done(endpoint, sign_in_status(status_code, sip_registration_get_delivery_failure(registration)),
                        reason_phrase);
        else if (endpoint->unregistering)
        {
            endpoint->unregistering = FALSE;
            check_idle(endpoint);
        }
        else
            g_warning("UCC endpoint: the registration was lost (%u %s)", status_code, reason_phrase);
        break;
    case SIP_REGISTRATION_UNREGISTERED:
        endpoint->unregistering = FALSE;
        check_idle(endpoint);
        break;
    default:
        break;
    }
}

static const struct sip_registration_callbacks registration_callbacks =
{
    registration_state_changed,
};

/* REGISTER with server; FALSE when it could not even start (OnEnable reported). */
static BOOL register_to(struct ucc_endpoint *endpoint, IUccSignalingServer *server)
{
    GError *error = NULL;
    char *aor, *registrar;
    HRESULT status;

    aor = ucc_endpoint_identity(endpoint);
    registrar = registrar_uri(server);
    endpoint->registration = sip_register(endpoint->engine, aor, registrar, 0, &error);
    g_free(aor);
    g_free(registrar);
    if (!endpoint->registration)
    {
        status = error && error->domain == SIP_ENGINE_ERROR && error->code == SIP_ENGINE_ERROR_UNRESOLVABLE
                 ? UCC_E_RTCSHIM_HOST_NOT_FOUND : UCC_E_INVALID_SIP_URL;
        g_debug("UCC Enable: %s", error ? error->message : "?");
        g_clear_error(&error);
        enable_done(endpoint, status, "cannot register");
        return FALSE;
    }
    sip_registration_set_user_data(endpoint->registration, endpoint);
    return TRUE;
}

static void register_next_server(struct ucc_endpoint *endpoint)
{
    IUccSignalingServer *server = g_ptr_array_index(endpoint->sign_in_servers, endpoint->sign_in_next++);

    register_to(endpoint, server);
}

static void release_server(gpointer server)
{
    IUccSignalingServer_Release((IUccSignalingServer *)server);
}

/* The domain's servers (sip_find_servers) as IUccSignalingServer objects: "host:port" over TLS or TCP. */
static GPtrArray *signaling_servers(const struct sip_server_location *servers, guint count)
{
    GPtrArray *list = g_ptr_array_new_with_free_func(release_server);
    guint i;

    for (i = 0; i < count; i++)
    {
        IUccSignalingServer *server;
        char *address = g_strdup_printf(strchr(servers[i].host, ':') ? "[%s]:%u" : "%s:%u", servers[i].host,
                                        servers[i].port);

        if (SUCCEEDED(ucc_signaling_server_create(address, servers[i].protocol == SIP_TRANSPORT_TLS ? UCCTM_TLS
                                                           : servers[i].protocol == SIP_TRANSPORT_TCP ? UCCTM_TCP
                                                           : UCCTM_UDP, &server)))
            g_ptr_array_add(list, server);
        g_free(address);
    }
    return list;
}

static void sign_in_servers_found(const struct sip_server_location *servers, guint count, const GError *error,
                                  void *user_data)
{
    struct ucc_endpoint *endpoint = user_data;

    endpoint->sign_in_search = NULL;     /* it frees itself */
    if (endpoint->state == UCCES_ENABLING)
    {
        if (!count)
        {
            g_message("UCC Enable: %s", error ? error->message : "no SIP server found");
            enable_done(endpoint, UCC_E_RTCSHIM_HOST_NOT_FOUND, "no SIP server found for the domain");
        }
        else
        {
            endpoint->sign_in_servers = signaling_servers(servers, count);
            endpoint->sign_in_next = 0;
            register_next_server(endpoint);
        }
    }
    ucc_endpoint_release(endpoint);     /* the search's reference */
}

/* Sign-in: listen, hand the credentials to the engine, REGISTER (with the
 * server given, else with the ones the domain's DNS names, in turn); OnEnable
 * when a registrar answered. */
static void register_with_server(struct ucc_endpoint *endpoint, IUccOperationContext *operation)
{
    GError *error = NULL;
    HRESULT status;
    char *domain;

    if ((endpoint->enable_context = operation))
        IUccOperationContext_AddRef(operation);
    endpoint->state = UCCES_ENABLING;
    if (FAILED(status = start_listening(endpoint)))
    {
        enable_done(endpoint, status, "cannot listen on the local address");
        return;
    }
    /* Digest only (RFC 2617/7616): NTLM and Kerberos are Windows services. */
    if (endpoint->allowed_modes & UCCAM_DIGEST)
        ucc_credential_cache_foreach(endpoint->credentials, set_credentials, endpoint->engine);
    sip_engine_set_registration_callbacks(endpoint->engine, &registration_callbacks);
    if (endpoint->server)
    {
        register_to(endpoint, endpoint->server);
        return;
    }
    domain = uri_domain(endpoint);
    g_main_context_push_thread_default(ucc_platform_context(endpoint->platform));
    endpoint->sign_in_search = sip_find_servers(domain, sign_in_servers_found, endpoint, &error);
    g_main_context_pop_thread_default(ucc_platform_context(endpoint->platform));
    g_free(domain);
    if (!endpoint->sign_in_search)
    {
        g_message("UCC Enable: %s", error->message);
        g_error_free(error);
        enable_done(endpoint, UCC_E_RTCSHIM_HOST_NOT_FOUND, "no SIP server found for the domain");
        return;
    }
    ucc_endpoint_add_ref(endpoint);      /* until sign_in_servers_found() */
}

static void finish_disable(struct ucc_endpoint *endpoint)
{
    IUccOperationContext *operation = endpoint->disable_context;

    cancel_source(&endpoint->disable_timer);
    cancel_source(&endpoint->disable_idle);
    if (endpoint->state != UCCES_DISABLING)
        return;
    endpoint->disable_context = NULL;
    ucc_endpoint_add_ref(endpoint);     /* letting go of sessions may let go of us */
    ucc_endpoint_release_engine(endpoint);
    endpoint->state = UCCES_DISABLED;
    fire_progress(endpoint, DISPID__IUccEndpointEvents_OnDisable, operation, S_OK, NULL);
    if (operation)
        IUccOperationContext_Release(operation);
    ucc_endpoint_release(endpoint);
}

/* ---- IUnknown ------------------------------------------------------------------------------------------ */

static HRESULT WINAPI endpoint_QueryInterface(IUccEndpoint *iface, REFIID riid, void **ppv)
{
    struct ucc_endpoint *endpoint = impl_from_IUccEndpoint(iface);

    if (!ppv)
        return E_POINTER;
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IUccEndpoint))
        *ppv = &endpoint->IUccEndpoint_iface;
    else if (IsEqualIID(riid, &IID_IUccEndpoint2))
        *ppv = &endpoint->IUccEndpoint2_iface;
    else if (IsEqualIID(riid, &IID_IUccServerSignalingSettings))
        *ppv = &endpoint->IUccServerSignalingSettings_iface;
    else if (IsEqualIID(riid, &IID_IUccSessionManager))
        *ppv = &endpoint->IUccSessionManager_iface;
    else if (IsEqualIID(riid, &IID_IUccSubscriptionManager))
        *ppv = &endpoint->IUccSubscriptionManager_iface;
    else if (IsEqualIID(riid, &IID_IUccPublicationManager))
        *ppv = &endpoint->IUccPublicationManager_iface;
    else if (IsEqualIID(riid, &IID_IConnectionPointContainer))
        *ppv = &endpoint->IConnectionPointContainer_iface;
    else
    {
        *ppv = NULL;
        return E_NOINTERFACE;
    }
    IUnknown_AddRef((IUnknown *)*ppv);
    return S_OK;
}

static ULONG WINAPI endpoint_AddRef(IUccEndpoint *iface)
{
    return InterlockedIncrement(&impl_from_IUccEndpoint(iface)->refcount);
}

static ULONG WINAPI endpoint_Release(IUccEndpoint *iface)
{
    struct ucc_endpoint *endpoint = impl_from_IUccEndpoint(iface);
    ULONG ref = InterlockedDecrement(&endpoint->refcount);

    if (!ref)
    {
        cancel_source(&endpoint->disable_timer);
        cancel_source(&endpoint->disable_idle);
        cancel_source(&endpoint->engine_idle);
        ucc_endpoint_release_engine(endpoint);
        if (endpoint->enable_context)
            IUccOperationContext_Release(endpoint->enable_context);
        if (endpoint->requests)
            g_hash_table_destroy(endpoint->requests);
        g_hash_table_destroy(endpoint->live_links);
        ucc_platform_remove_endpoint(endpoint->platform, endpoint);
        connection_point_destroy(&endpoint->endpoint_events);
        connection_point_destroy(&endpoint->endpoint_events2);
        connection_point_destroy(&endpoint->signaling_events);
        connection_point_destroy(&endpoint->session_manager_events);
        connection_point_destroy(&endpoint->publication_manager_events);
        ucc_publisher_free(endpoint->publisher);
        if (endpoint->disable_context)
            IUccOperationContext_Release(endpoint->disable_context);
        if (endpoint->server)
            IUccSignalingServer_Release(endpoint->server);
        IUccCredentialCache_Release(endpoint->credentials);
        IUccContext_Release(endpoint->context);
        IUccUri_Release(endpoint->uri);
        SysFreeString(endpoint->id);
        ucc_platform_release(endpoint->platform);
        free(endpoint);
        com_module_unlock();
    }
    return ref;
}

/* ---- IUccEndpoint ----------------------------------------------------------------------------------------- */

static HRESULT WINAPI endpoint_get_Uri(IUccEndpoint *iface, IUccUri **uri)
{
    if (!uri)
        return E_POINTER;
    *uri = impl_from_IUccEndpoint(iface)->uri;
    IUccUri_AddRef(*uri);
    return S_OK;
}

static HRESULT WINAPI endpoint_get_Id(IUccEndpoint *iface, BSTR *id)
{
    if (!id)
        return E_POINTER;
    *id = SysAllocString(impl_from_IUccEndpoint(iface)->id);
    return *id ? S_OK : E_OUTOFMEMORY;
}

static HRESULT WINAPI endpoint_get_Type(IUccEndpoint *iface, UCC_ENDPOINT_TYPE *type)
{
    if (!type)
        return E_POINTER;
    *type = impl_from_IUccEndpoint(iface)->type;
    return S_OK;
}

static HRESULT WINAPI endpoint_get_Context(IUccEndpoint *iface, IUccContext **context)
{
    if (!context)
        return E_POINTER;
    *context = impl_from_IUccEndpoint(iface)->context;
    IUccContext_AddRef(*context);
    return S_OK;
}

static HRESULT WINAPI endpoint_Enable(IUccEndpoint *iface, IUccOperationContext *operation)
{
    struct ucc_endpoint *endpoint = impl_from_IUccEndpoint(iface);
    HRESULT hr, status;

    if (FAILED(hr = ucc_platform_check_running(endpoint->platform)))
        return hr;
    if ((endpoint->state != UCCES_IDLE && endpoint->state != UCCES_DISABLED) || endpoint->engine)
        return UCC_E_RTCSHIM_INVALID_STATE;
    if (!endpoint->requests)
        endpoint->requests = g_hash_table_new_full(NULL, NULL, NULL, tracked_request_free);
    if (uses_registrar(endpoint) || signs_in_by_dns(endpoint))
    {
        register_with_server(endpoint, operation);
        return S_OK;
    }
    /* Server-less: listening is all there is to do; the outcome comes as OnEnable. */
    endpoint->state = UCCES_ENABLING;
    status = start_listening(endpoint);
    endpoint->state = SUCCEEDED(status) ? UCCES_ENABLED : UCCES_DISABLED;
    fire_progress(endpoint, DISPID__IUccEndpointEvents_OnEnable, operation, status,
                  SUCCEEDED(status) ? NULL : "cannot listen on the local address");
    return S_OK;
}

static HRESULT WINAPI endpoint_Disable(IUccEndpoint *iface, IUccOperationContext *operation)
{
    struct ucc_endpoint *endpoint = impl_from_IUccEndpoint(iface);
    HRESULT hr;

    if (FAILED(hr = ucc_platform_check_running(endpoint->platform)))
        return hr;
    if (endpoint->state != UCCES_ENABLED)
        return UCC_E_RTCSHIM_INVALID_STATE;
    endpoint->state = UCCES_DISABLING;
    if ((endpoint->disable_context = operation))
        IUccOperationContext_AddRef(operation);
    end_sessions(endpoint);
    withdraw_then_unregister(endpoint);
    endpoint->disable_timer = g_timeout_source_new(DISABLE_GRACE_MS);
    g_source_set_callback(endpoint->disable_timer, disable_timed_out, endpoint, NULL);
    g_source_attach(endpoint->disable_timer, ucc_platform_context(endpoint->platform));
    check_idle(endpoint);
    return S_OK;
}

static HRESULT WINAPI endpoint_get_SignalingCapabilities(IUccEndpoint *iface, LONG *capabilities)
{
    if (!capabilities)
        return E_POINTER;
    /* Answer and forward (Redirect) incoming sessions. */
    *capabilities = UCCESC_SESSION_ANSWER | UCCESC_SESSION_FORWARD;
    return S_OK;
}

static HRESULT WINAPI endpoint_get_MediaCapabilities(IUccEndpoint *iface, LONG *capabilities)
{
    if (!capabilities)
        return E_POINTER;
    *capabilities = UCCMT_AUDIO | UCCMT_MESSAGE;
    return S_OK;
}

static const IUccEndpointVtbl endpoint_vtbl =
{
    endpoint_QueryInterface,
    endpoint_AddRef,
    endpoint_Release,
    endpoint_get_Uri,
    endpoint_get_Id,
    endpoint_get_Type,
    endpoint_get_Context,
    endpoint_Enable,
    endpoint_Disable,
    endpoint_get_SignalingCapabilities,
    endpoint_get_MediaCapabilities,
};

/* ---- IUccEndpoint2 ---------------------------------------------------------------------------------------- */

static HRESULT WINAPI endpoint2_QueryInterface(IUccEndpoint2 *iface, REFIID riid, void **ppv)
{
    return endpoint_QueryInterface(&impl_from_IUccEndpoint2(iface)->IUccEndpoint_iface, riid, ppv);
}

static ULONG WINAPI endpoint2_AddRef(IUccEndpoint2 *iface)
{
    return endpoint_AddRef(&impl_from_IUccEndpoint2(iface)->IUccEndpoint_iface);
}

static ULONG WINAPI endpoint2_Release(IUccEndpoint2 *iface)
{
    return endpoint_Release(&impl_from_IUccEndpoint2(iface)->IUccEndpoint_iface);
}

/* No proxy endpoints exist without a server: always an empty collection. */
static HRESULT WINAPI endpoint2_get_ProxyEndpoints(IUccEndpoint2 *iface, IUccCollection **out)
{
    com_partial(__func__, "always empty: proxy endpoints (IUccProxyEndpoint) are not built");
    if (!out)
        return E_POINTER;
    return ucc_collection_create(NULL, 0, out);
}

static HRESULT WINAPI endpoint2_get_State(IUccEndpoint2 *iface, UCC_ENDPOINT_STATE *state)
{
    if (!state)
        return E_POINTER;
    *state = impl_from_IUccEndpoint2(iface)->state;
    return S_OK;
}

/* UCCSEC_LOCAL_NETWORK_ADDRESS: where an enabled endpoint listens ("127.0.0.1:5070"). */
static HRESULT WINAPI endpoint2_get_Properties(IUccEndpoint2 *iface, IUccReadOnlyPropertyCollection **out)
{
    struct ucc_endpoint *endpoint = impl_from_IUccEndpoint2(iface);
    IUccPropertyCollection *collection;
    HRESULT hr;

    if (!out)
        return E_POINTER;
    *out = NULL;
    if (FAILED(hr = ucc_property_collection_create(TRUE, &collection)))
        return hr;
    if (endpoint->bound_address)
        ucc_properties_add_string((IUnknown *)collection, UCCSEC_LOCAL_NETWORK_ADDRESS, NULL,
                                  endpoint->bound_address, TRUE);
    *out = (IUccReadOnlyPropertyCollection *)collection;
    return S_OK;
}

static const IUccEndpoint2Vtbl endpoint2_vtbl =
{
    endpoint2_QueryInterface,
    endpoint2_AddRef,
    endpoint2_Release,
    endpoint2_get_ProxyEndpoints,
    endpoint2_get_State,
    endpoint2_get_Properties,
};

/* ---- IUccServerSignalingSettings ------------------------------------------------------------------------ */

static HRESULT WINAPI signaling_QueryInterface(IUccServerSignalingSettings *iface, REFIID riid, void **ppv)
{
    return endpoint_QueryInterface(&impl_from_IUccServerSignalingSettings(iface)->IUccEndpoint_iface, riid, ppv);
}

static ULONG WINAPI signaling_AddRef(IUccServerSignalingSettings *iface)
{
    return endpoint_AddRef(&impl_from_IUccServerSignalingSettings(iface)->IUccEndpoint_iface);
}

static ULONG WINAPI signaling_Release(IUccServerSignalingSettings *iface)
{
    return endpoint_Release(&impl_from_IUccServerSignalingSettings(iface)->IUccEndpoint_iface);
}

/* S_OK with NULL when none is set (server-less). */
static HRESULT WINAPI signaling_get_Server(IUccServerSignalingSettings *iface, IUccSignalingServer **server)
{
    struct ucc_endpoint *endpoint = impl_from_IUccServerSignalingSettings(iface);

    if (!server)
        return E_POINTER;
    if ((*server = endpoint->server))
        IUccSignalingServer_AddRef(*server);
    return S_OK;
}

/* NULL goes back to server-less; takes effect at the next Enable. */
static HRESULT WINAPI signaling_put_Server(IUccServerSignalingSettings *iface, IUccSignalingServer *server)
{
    struct ucc_endpoint *endpoint = impl_from_IUccServerSignalingSettings(iface);
    HRESULT hr;

    if (FAILED(hr = ucc_platform_check_thread(endpoint->platform)))
        return hr;
    if (server)
        IUccSignalingServer_AddRef(server);
    if (endpoint->server)
        IUccSignalingServer_Release(endpoint->server);
    endpoint->server = server;
    return S_OK;
}

static HRESULT WINAPI signaling_get_AllowedAuthenticationModes(IUccServerSignalingSettings *iface, LONG *modes)
{
    if (!modes)
        return E_POINTER;
    *modes = impl_from_IUccServerSignalingSettings(iface)->allowed_modes;
    return S_OK;
}

static HRESULT WINAPI signaling_put_AllowedAuthenticationModes(IUccServerSignalingSettings *iface, LONG modes)
{
    struct ucc_endpoint *endpoint = impl_from_IUccServerSignalingSettings(iface);

    if (modes & ~UCCAM_ALL)
        return E_INVALIDARG;
    endpoint->allowed_modes = modes;
    return S_OK;
}

/* The mode in use: the engine answers digest challenges but does not say whether one came. */
static HRESULT WINAPI signaling_get_AuthenticationMode(IUccServerSignalingSettings *iface,
                                                       UCC_AUTHENTICATION_MODES *mode)
{
    com_partial(__func__, "always UCCAM_NONE: the engine does not report whether a registrar made it authenticate");
    if (!mode)
        return E_POINTER;
    *mode = UCCAM_NONE;
    return S_OK;
}

/* The engine speaks digest (RFC 2617/7616); NTLM and Kerberos are Windows services. */
static HRESULT WINAPI signaling_get_SupportedAuthenticationModes(IUccServerSignalingSettings *iface, LONG *modes)
{
    if (!modes)
        return E_POINTER;
    *modes = UCCAM_DIGEST;
    return S_OK;
}

static HRESULT WINAPI signaling_get_CredentialCache(IUccServerSignalingSettings *iface, IUccCredentialCache **cache)
{
    if (!cache)
        return E_POINTER;
    *cache = impl_from_IUccServerSignalingSettings(iface)->credentials;
    IUccCredentialCache_AddRef(*cache);
    return S_OK;
}

static void find_server_done(const struct sip_server_location *servers, guint count, const GError *error,
                             void *user_data)
{
    struct ucc_endpoint *endpoint = user_data;
    IUccOperationContext *operation = endpoint->find_context;
    GPtrArray *found = signaling_servers(servers, count);
    IUccCollection *collection = NULL;
    IUnknown *event;

    endpoint->find_search = NULL;       /* it frees itself */
    endpoint->find_context = NULL;
    if (SUCCEEDED(ucc_collection_create((IUnknown **)found->pdata, found->len, &collection))
        && SUCCEEDED(ucc_find_server_event_create(operation, count ? S_OK : UCC_E_RTCSHIM_HOST_NOT_FOUND,
                                                  count ? NULL : error ? error->message : "no SIP server found",
                                                  collection, &event)))
    {
        ucc_fire_event(endpoint->platform, &endpoint->signaling_events,
                       DISPID__IUccServerSignalingSettingsEvents_OnFindServer, (IUnknown *)&endpoint->IUccEndpoint_iface,
                       event);
        IUnknown_Release(event);
    }
    else if (collection)
        IUccCollection_Release(collection);
    g_ptr_array_free(found, TRUE);
    if (operation)
        IUccOperationContext_Release(operation);
    ucc_endpoint_release(endpoint);     /* the search's reference */
}

/* The domain's SIP servers from DNS, as Communicator looks for them
 * (docs/ucc.md, "Finding the server"); OnFindServer has them. */
static HRESULT WINAPI signaling_FindServer(IUccServerSignalingSettings *iface, BSTR domain,
                                           IUccOperationContext *operation)
{
    struct ucc_endpoint *endpoint = impl_from_IUccServerSignalingSettings(iface);
    GError *error = NULL;
    char *utf8;
    HRESULT hr;

    if (FAILED(hr = ucc_platform_check_running(endpoint->platform)))
        return hr;
    if (!domain || !*domain)
        return E_INVALIDARG;
    if (endpoint->find_search)
        return UCC_E_RTCSHIM_INVALID_STATE;     /* one search at a time */
    utf8 = ucc_utf8(domain);
    g_main_context_push_thread_default(ucc_platform_context(endpoint->platform));
    endpoint->find_search = sip_find_servers(g_strstrip(utf8), find_server_done, endpoint, &error);
    g_main_context_pop_thread_default(ucc_platform_context(endpoint->platform));
    g_free(utf8);
    if (!endpoint->find_search)
    {
        g_error_free(error);
        return E_INVALIDARG;
    }
    if ((endpoint->find_context = operation))
        IUccOperationContext_AddRef(operation);
    ucc_endpoint_add_ref(endpoint);      /* until find_server_done() */
    return S_OK;
}

static HRESULT WINAPI signaling_CreateSignalingServer(IUccServerSignalingSettings *iface, BSTR address,
                                                      UCC_TRANSPORT_MODE transport, IUccSignalingServer **server)
{
    char *utf8;
    HRESULT hr;

    if (!server)
        return E_POINTER;
    *server = NULL;
    if (!address || !*address || transport < UCCTM_UDP || transport > UCCTM_TLS)
        return E_INVALIDARG;
    utf8 = ucc_utf8(address);
    hr = ucc_signaling_server_create(g_strstrip(utf8), transport, server);
    g_free(utf8);
    return hr;
}

static const IUccServerSignalingSettingsVtbl signaling_vtbl =
{
    signaling_QueryInterface,
    signaling_AddRef,
    signaling_Release,
    signaling_get_Server,
    signaling_put_Server,
    signaling_get_AllowedAuthenticationModes,
    signaling_put_AllowedAuthenticationModes,
    signaling_get_AuthenticationMode,
    signaling_get_SupportedAuthenticationModes,
    signaling_get_CredentialCache,
    signaling_FindServer,
    signaling_CreateSignalingServer,
};

/* ---- IUccSessionManager -------------------------------------------------------------------------------- */

static HRESULT WINAPI session_manager_QueryInterface(IUccSessionManager *iface, REFIID riid, void **ppv)
{
    return endpoint_QueryInterface(&impl_from_IUccSessionManager(iface)->IUccEndpoint_iface, riid, ppv);
}

static ULONG WINAPI session_manager_AddRef(IUccSessionManager *iface)
{
    return endpoint_AddRef(&impl_from_IUccSessionManager(iface)->IUccEndpoint_iface);
}

static ULONG WINAPI session_manager_Release(IUccSessionManager *iface)
{
    return endpoint_Release(&impl_from_IUccSessionManager(iface)->IUccEndpoint_iface);
}

static HRESULT WINAPI session_manager_CreateSession(IUccSessionManager *iface, UCC_SESSION_TYPE type,
                                                    IUccContext *context, IUccSession **session)
{
    struct ucc_endpoint *endpoint = impl_from_IUccSessionManager(iface);
    HRESULT hr;

    if (!session)
        return E_POINTER;
    *session = NULL;
    if (FAILED(hr = ucc_platform_check_running(endpoint->platform)))
        return hr;
    if (endpoint->shutting_down)
        return UCC_E_RTCSHIM_INVALID_STATE;
    return ucc_session_create(endpoint, type, context, session);
}

static HRESULT WINAPI session_manager_RegisterSessionDescriptionEvaluator(IUccSessionManager *iface,
                                                                          _IUccSessionDescriptionEvaluator *evaluator)
{
    return com_not_built(__func__);
}

static HRESULT WINAPI session_manager_UnregisterSessionDescriptionEvaluator(IUccSessionManager *iface)
{
    return com_not_built(__func__);
}

static const IUccSessionManagerVtbl session_manager_vtbl =
{
    session_manager_QueryInterface,
    session_manager_AddRef,
    session_manager_Release,
    session_manager_CreateSession,
    session_manager_RegisterSessionDescriptionEvaluator,
    session_manager_UnregisterSessionDescriptionEvaluator,
};

/* ---- IConnectionPointContainer ---------------------------------------------------------------------------- */

static HRESULT WINAPI container_QueryInterface(IConnectionPointContainer *iface, REFIID riid, void **ppv)
{
    return endpoint_QueryInterface(&impl_from_IConnectionPointContainer(iface)->IUccEndpoint_iface, riid, ppv);
}

static ULONG WINAPI container_AddRef(IConnectionPointContainer *iface)
{
    return endpoint_AddRef(&impl_from_IConnectionPointContainer(iface)->IUccEndpoint_iface);
}

static ULONG WINAPI container_Release(IConnectionPointContainer *iface)
{
    return endpoint_Release(&impl_from_IConnectionPointContainer(iface)->IUccEndpoint_iface);
}

#define ENDPOINT_POINTS(e) { &(e)->endpoint_events, &(e)->endpoint_events2, &(e)->signaling_events, \
                             &(e)->session_manager_events, &(e)->publication_manager_events }

static HRESULT WINAPI container_EnumConnectionPoints(IConnectionPointContainer *iface, IEnumConnectionPoints **out)
{
    struct ucc_endpoint *endpoint = impl_from_IConnectionPointContainer(iface);
    struct connection_point *points[] = ENDPOINT_POINTS(endpoint);

    return connection_points_enum(points, ARRAY_SIZE(points), out);
}

static HRESULT WINAPI container_FindConnectionPoint(IConnectionPointContainer *iface, REFIID riid,
                                                    IConnectionPoint **out)
{
    struct ucc_endpoint *endpoint = impl_from_IConnectionPointContainer(iface);
    struct connection_point *points[] = ENDPOINT_POINTS(endpoint);

    return connection_points_find(points, ARRAY_SIZE(points), riid, out);
}

static const IConnectionPointContainerVtbl container_vtbl =
{
    container_QueryInterface,
    container_AddRef,
    container_Release,
    container_EnumConnectionPoints,
    container_FindConnectionPoint,
};

/* ---- creation ------------------------------------------------------------------------------------------------ */

HRESULT ucc_endpoint_create(struct ucc_platform *platform, UCC_ENDPOINT_TYPE type, IUccUri *uri, BSTR id,
                            IUccContext *context, IUccEndpoint **out)
{
    struct ucc_endpoint *endpoint;
    IUccUri *own_uri;
    char *text;
    HRESULT hr;

    if (type != UCCET_PRINCIPAL_SERVER_BASED)
        return type == UCCET_PROXY_TELEPHONY || type == UCCET_PROXY_DELEGATE || type == UCCET_PROXY_ASSOCIATED
               ? UCC_E_RTCSHIM_NOT_SUPPORTED : E_INVALIDARG;     /* proxies come from CreateProxyEndpoint */
    if (!uri)
        return E_POINTER;
    /* Our own parsed copy: the application's IUccUri may be any implementation. */
    if (!(text = ucc_uri_text(uri)))
        return E_INVALIDARG;
    hr = ucc_uri_create(text, &own_uri);
    g_free(text);
    if (FAILED(hr))
        return hr;
    if (!(endpoint = calloc(1, sizeof(*endpoint))))
    {
        IUccUri_Release(own_uri);
        return E_OUTOFMEMORY;
    }
    endpoint->IUccEndpoint_iface.lpVtbl = &endpoint_vtbl;
    g_queue_init(&endpoint->live);
    endpoint->live_links = g_hash_table_new(NULL, NULL);
    endpoint->IUccEndpoint2_iface.lpVtbl = &endpoint2_vtbl;
    endpoint->IUccServerSignalingSettings_iface.lpVtbl = &signaling_vtbl;
    endpoint->IUccSessionManager_iface.lpVtbl = &session_manager_vtbl;
    endpoint->IUccSubscriptionManager_iface.lpVtbl = &ucc_subscription_manager_vtbl;
    endpoint->IUccPublicationManager_iface.lpVtbl = &ucc_publication_manager_vtbl;
    endpoint->IConnectionPointContainer_iface.lpVtbl = &container_vtbl;
    endpoint->refcount = 1;
    com_module_lock();      /* DllCanUnloadNow: one more live object */
    endpoint->platform = platform;
    ucc_platform_add_ref(platform);
    endpoint->type = type;
    endpoint->uri = own_uri;
    if (id && *id)
        endpoint->id = SysAllocString(id);
    else
    {
        char *uuid = g_uuid_string_random();
        char *braced = g_strdup_printf("{%s}", uuid);
        endpoint->id = ucc_bstr(braced);
        g_free(braced);
        g_free(uuid);
    }
    if ((endpoint->context = context))
        IUccContext_AddRef(context);
    else
        ucc_context_create(&endpoint->context);
    ucc_credential_cache_create(&endpoint->credentials);
    endpoint->allowed_modes = UCCAM_DIGEST;
    endpoint->state = UCCES_IDLE;
    connection_point_init(&endpoint->endpoint_events, &endpoint->IConnectionPointContainer_iface,
                          &DIID__IUccEndpointEvents);
    connection_point_init(&endpoint->endpoint_events2, &endpoint->IConnectionPointContainer_iface,
                          &DIID__IUccEndpointEvents2);
    connection_point_init(&endpoint->signaling_events, &endpoint->IConnectionPointContainer_iface,
                          &DIID__IUccServerSignalingSettingsEvents);
    connection_point_init(&endpoint->session_manager_events, &endpoint->IConnectionPointContainer_iface,
                          &DIID__IUccSessionManagerEvents);
    connection_point_init(&endpoint->publication_manager_events, &endpoint->IConnectionPointContainer_iface,
                          &DIID__IUccPublicationManagerEvents);
    endpoint->publisher = ucc_publisher_create(endpoint);
    if (!endpoint->id || !endpoint->context || !endpoint->credentials)
    {
        endpoint_Release(&endpoint->IUccEndpoint_iface);
        return E_OUTOFMEMORY;
    }
    ucc_platform_add_endpoint(platform, endpoint);
    *out = &endpoint->IUccEndpoint_iface;
    return S_OK;
}
