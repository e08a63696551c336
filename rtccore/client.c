/*
 * The RTCClient object: IRTCClient2 (and IRTCClient), IRTCClientProvisioning2
 * (and IRTCClientProvisioning), IRTCClientPresence2 (and IRTCClientPresence,
 * whose methods are presence.c's), IRTCClientPortManagement and
 * IConnectionPointContainer with the IRTCEventNotification and
 * IRTCDispatchEventNotification points.
 *
 * Methods that later work builds return E_NOTIMPL; docs/status.md lists them.
 */
#include <string.h>
#include "rtccore_private.h"
#include "rtcshim.h"
#include "events.h"
#include "collection.h"
#include "presence.h"
#include "profile.h"
#include "sip/sip_media.h"
#include "sip/sip_call.h"
#include "sip/sip_refer.h"
#include "sip/sip_register.h"
#include "sip/netif.h"

struct client
{
    IRTCClient2 IRTCClient2_iface;
    IRTCClientProvisioning2 IRTCClientProvisioning2_iface;
    IRTCClientPresence2 IRTCClientPresence2_iface;
    IRTCClientPortManagement IRTCClientPortManagement_iface;
    IConnectionPointContainer IConnectionPointContainer_iface;
    LONG refcount;

    struct connection_point event_point;           /* IRTCEventNotification */
    struct connection_point dispatch_event_point;  /* IRTCDispatchEventNotification */

    enum { CLIENT_CREATED, CLIENT_INITIALIZED, CLIENT_SHUT_DOWN } state;
    GThread *owner;             /* the thread that initialised the client: its apartment */
    GMainContext *context;      /* where every source and event of this client runs */
    LONG event_filter;          /* RTCEF_* mask; 0 until the application sets one (put_EventFilter) */
    BSTR local_user_uri;
    BSTR local_user_name;
    BSTR client_name;
    BSTR client_version;

    GQueue pending_events;      /* struct queued_event, delivered from the context only */
    GSource *event_source;      /* ready while events are pending (client_fire_event) */

    struct sip_engine *engine;  /* from Initialize to Shutdown */
    GArray *listeners;          /* struct listener: what is bound, for get_NetworkAddresses */
    BOOL shutting_down;         /* PrepareForShutdown: no new sessions */
    BOOL cleanup_reported;      /* RTCCET_ASYNC_CLEANUP_DONE fired */
    GQueue sessions;            /* struct session *, referenced while live, oldest first */
    GHashTable *session_links;  /* struct session * -> its link in sessions: an application
                                 * with thousands of calls must not walk them per call */
    GHashTable *requests;       /* request id -> struct tracked_request */
    GList *enabled_profiles;    /* registration.c's */
    GList *incoming_transfers;  /* transfer.c's */
    struct presence *presence;  /* presence.c's */
    LONG preferred_media;       /* RTCMT_* */
    struct client_media *media; /* media.c's */

    /* Two configuration styles that exclude each other (IRTCClient::put_ListenForIncomingSessions). */
    enum { LISTEN_STYLE_NONE, LISTEN_STYLE_LISTEN, LISTEN_STYLE_PORTS } listen_style;
    RTC_LISTEN_MODE listen_mode;
    RTC_LISTEN_MODE allowed_ports[3];           /* UDP, TCP, TLS */
    RTC_ANSWER_MODE answer_modes[RTCST_APPLICATION + 1];
    BOOL accept_incoming;       /* new out-of-dialog INVITEs/MESSAGEs are offered */
};

struct listener
{
    enum sip_transport_protocol protocol;
    char address[64];
    guint16 port;
};

struct tracked_request
{
    struct session *session;    /* referenced until the request completes */
    LONG_PTR cookie;
};

struct queued_event
{
    RTC_EVENT type;
    IDispatch *event;
};

static struct client *impl_from_IRTCClient2(IRTCClient2 *iface)
{
    return CONTAINING_RECORD(iface, struct client, IRTCClient2_iface);
}

static struct client *impl_from_IRTCClientProvisioning2(IRTCClientProvisioning2 *iface)
{
    return CONTAINING_RECORD(iface, struct client, IRTCClientProvisioning2_iface);
}

struct client *client_from_presence_iface(IRTCClientPresence2 *iface)
{
    return CONTAINING_RECORD(iface, struct client, IRTCClientPresence2_iface);
}

static struct client *impl_from_IRTCClientPortManagement(IRTCClientPortManagement *iface)
{
    return CONTAINING_RECORD(iface, struct client, IRTCClientPortManagement_iface);
}

static struct client *impl_from_IConnectionPointContainer(IConnectionPointContainer *iface)
{
    return CONTAINING_RECORD(iface, struct client, IConnectionPointContainer_iface);
}

/* Every method but the IUnknown ones runs on the client's own thread only (STA). */
static HRESULT client_check_thread(const struct client *client)
{
    if (client->owner && client->owner != g_thread_self())
        return RPC_E_WRONG_THREAD;
    return S_OK;
}

HRESULT client_check_thread_of(struct client *client)
{
    return client_check_thread(client);
}

static HRESULT client_check_initialized(const struct client *client)
{
    HRESULT hr;

    if (FAILED(hr = client_check_thread(client)))
        return hr;
    if (client->state == CLIENT_CREATED)
        return RTC_E_CLIENT_NOT_INITIALIZED;
    if (client->state == CLIENT_SHUT_DOWN)
        return RTC_E_CLIENT_ALREADY_SHUT_DOWN;
    return S_OK;
}

HRESULT client_check_ready(struct client *client)
{
    HRESULT hr;

    if (FAILED(hr = client_check_initialized(client)))
        return hr;
    return client->shutting_down ? RTC_E_CLIENT_ALREADY_SHUT_DOWN : S_OK;
}

/* ---- IUnknown (one identity for all interfaces) ---------------------------------- */

static HRESULT WINAPI client_QueryInterface(IRTCClient2 *iface, REFIID riid, void **ppv)
{
    struct client *client = impl_from_IRTCClient2(iface);

    if (!ppv)
        return E_POINTER;
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IRTCClient)
        || IsEqualIID(riid, &IID_IRTCClient2))
        *ppv = &client->IRTCClient2_iface;
    else if (IsEqualIID(riid, &IID_IRTCClientProvisioning) || IsEqualIID(riid, &IID_IRTCClientProvisioning2))
        *ppv = &client->IRTCClientProvisioning2_iface;
    else if (IsEqualIID(riid, &IID_IRTCClientPresence) || IsEqualIID(riid, &IID_IRTCClientPresence2))
        *ppv = &client->IRTCClientPresence2_iface;
    else if (IsEqualIID(riid, &IID_IRTCClientPortManagement))
        *ppv = &client->IRTCClientPortManagement_iface;
    else if (IsEqualIID(riid, &IID_IConnectionPointContainer))
        *ppv = &client->IConnectionPointContainer_iface;
    else
    {
        *ppv = NULL;
        return E_NOINTERFACE;
    }
    IUnknown_AddRef((IUnknown *)*ppv);
    return S_OK;
}

static ULONG WINAPI client_AddRef(IRTCClient2 *iface)
{
    return InterlockedIncrement(&impl_from_IRTCClient2(iface)->refcount);
}

static void drop_pending_events(struct client *client)
{
    struct queued_event *queued;

    while ((queued = g_queue_pop_head(&client->pending_events)))
    {
        IDispatch_Release(queued->event);
        g_free(queued);
    }
    if (client->event_source)
    {
        g_source_destroy(client->event_source);
        g_source_unref(client->event_source);
        client->event_source = NULL;
    }
}

static void release_engine(struct client *client);

static void client_destroy(struct client *client)
{
    drop_pending_events(client);
    release_engine(client);
    client_media_free(client);
    presence_free(client->presence);
    g_array_free(client->listeners, TRUE);
    g_hash_table_destroy(client->session_links);
    registration_free_all(client);
    connection_point_destroy(&client->event_point);
    connection_point_destroy(&client->dispatch_event_point);
    SysFreeString(client->local_user_uri);
    SysFreeString(client->local_user_name);
    SysFreeString(client->client_name);
    SysFreeString(client->client_version);
    if (client->context)
        g_main_context_unref(client->context);
    free(client);
}

static ULONG WINAPI client_Release(IRTCClient2 *iface)
{
    struct client *client = impl_from_IRTCClient2(iface);
    ULONG ref = InterlockedDecrement(&client->refcount);

    if (!ref)
    {
        client_destroy(client);
        com_module_unlock();
    }
    return ref;
}

/* ---- event delivery ------------------------------------------------------------------ */

static void deliver_to_event_sink(IUnknown *sink, void *user_data)
{
    const struct queued_event *queued = user_data;

    IRTCEventNotification_Event((IRTCEventNotification *)sink, queued->type, queued->event);
}

/* IRTCDispatchEventNotification::Event is DISPID 1; arguments go in reverse order. */
static void deliver_to_dispatch_sink(IUnknown *sink, void *user_data)
{
    const struct queued_event *queued = user_data;
    VARIANT args[2];
    DISPPARAMS params = { args, NULL, 2, 0 };

    V_VT(&args[0]) = VT_DISPATCH;
    V_DISPATCH(&args[0]) = queued->event;
    V_VT(&args[1]) = VT_I4;
    V_I4(&args[1]) = queued->type;
    IDispatch_Invoke((IDispatch *)sink, 1, &IID_NULL, 0, DISPATCH_METHOD, &params, NULL, NULL, NULL);
}

/* The source that delivers the queue: attached with the first event and kept
 * until Shutdown or the client's end, ready while events wait and the client
 * runs. One idle source per batch cost four allocations on every call. Not
 * g_source_set_ready_time(): called from another source's dispatch, it wakes
 * the main loop through its eventfd each time. */
struct client_event_source
{
    GSource source;
    struct client *client;
};

static BOOL events_waiting(GSource *source)
{
    struct client *client = ((struct client_event_source *)source)->client;

    return client->state != CLIENT_SHUT_DOWN && client->pending_events.length > 0;
}

static gboolean event_source_prepare(GSource *source, gint *timeout)
{
    *timeout = -1;
    return events_waiting(source);
}

static gboolean event_source_check(GSource *source)
{
    return events_waiting(source);
}

static gboolean dispatch_pending_events(GSource *source, GSourceFunc callback, gpointer user_data)
{
    struct client *client = ((struct client_event_source *)source)->client;
    struct queued_event *queued;

    (void)callback;
    (void)user_data;
    /* Keep the client alive even if a sink releases it from inside an event. */
    client_AddRef(&client->IRTCClient2_iface);
    /* Events queued by handlers are delivered in this same pass, in order. */
    while (client->state != CLIENT_SHUT_DOWN && (queued = g_queue_pop_head(&client->pending_events)))
    {
        connection_point_for_each_sink(&client->event_point, deliver_to_event_sink, queued);
        connection_point_for_each_sink(&client->dispatch_event_point, deliver_to_dispatch_sink, queued);
        IDispatch_Release(queued->event);
        g_free(queued);
    }
    client_Release(&client->IRTCClient2_iface);
    return G_SOURCE_CONTINUE;
}

static GSourceFuncs event_source_funcs =
{
    event_source_prepare,
    event_source_check,
    dispatch_pending_events,
    NULL, NULL, NULL,
};

BOOL client_wants_event(struct client *client, RTC_EVENT type)
{
    return client->state != CLIENT_SHUT_DOWN && (client->event_filter & rtc_event_filter_mask(type));
}

/*
 * Queues an event for the application's sinks. Events reach the sinks only
 * from the client's main context, never from inside an API call, and only if
 * the event filter asked for them (IRTCClient::put_EventFilter: without a filter, no events).
 * Takes its own reference on the event.
 */
void client_fire_event(struct client *client, RTC_EVENT type, IDispatch *event)
{
    struct queued_event *queued;

    if (!client_wants_event(client, type))
        return;
    queued = g_new(struct queued_event, 1);
    queued->type = type;
    queued->event = event;
    IDispatch_AddRef(event);
    g_queue_push_tail(&client->pending_events, queued);
    if (!client->event_source)
    {
        client->event_source = g_source_new(&event_source_funcs, sizeof(struct client_event_source));
        ((struct client_event_source *)client->event_source)->client = client;
        g_source_set_priority(client->event_source, G_PRIORITY_DEFAULT);
        /* A sink that runs a main loop inside an event still gets the
         * events queued meanwhile, from that loop, in order. */
        g_source_set_can_recurse(client->event_source, TRUE);
        g_source_attach(client->event_source, client->context);
    }
}

/* ---- the engine and the sessions ---------------------------------------------------- */

void client_add_ref(struct client *client)
{
    client_AddRef(&client->IRTCClient2_iface);
}

void client_release(struct client *client)
{
    client_Release(&client->IRTCClient2_iface);
}

IRTCClient *client_iface(struct client *client)
{
    return (IRTCClient *)&client->IRTCClient2_iface;
}

struct sip_engine *client_engine(struct client *client)
{
    return client->engine;
}

struct presence *presence_of(struct client *client)
{
    return client->presence;
}

LONG client_event_filter(struct client *client)
{
    return client->state == CLIENT_SHUT_DOWN ? 0 : client->event_filter;
}

GMainContext *client_context(struct client *client)
{
    return client->context;
}

void client_fire_client_event(struct client *client, RTC_CLIENT_EVENT_TYPE type)
{
    IDispatch *event;

    if (client_wants_event(client, RTCE_CLIENT)
        && SUCCEEDED(rtc_client_event_create(type, client_iface(client), &event)))
    {
        client_fire_event(client, RTCE_CLIENT, event);
        IDispatch_Release(event);
    }
}

/* PrepareForShutdown is done when the last live session has ended, its BYE
 * has its final response (or timed out), and the registrars have let go of
 * us: an application that exits then leaves no call or registration behind
 * (docs/wire-mapping.md, "Shutting down"). */
static void check_cleanup_done(struct client *client)
{
    if (client->shutting_down && g_queue_is_empty(&client->sessions) && !registration_pending(client)
        && !presence_pending(client->presence) && !client->cleanup_reported
        && !(client->engine && sip_engine_pending_hangups(client->engine)))
    {
        client->cleanup_reported = TRUE;
        client_fire_client_event(client, RTCCET_ASYNC_CLEANUP_DONE);
    }
}

void client_check_cleanup(struct client *client)
{
    check_cleanup_done(client);
}

GList *client_sessions(struct client *client)
{
    return client->sessions.head;
}

GList *client_sessions_newest(struct client *client)
{
    return client->sessions.tail;
}

static BOOL client_has_session(struct client *client, struct session *session)
{
    return g_hash_table_contains(client->session_links, session);
}

struct client_media **client_media_slot(struct client *client)
{
    return &client->media;
}

void client_session_started(struct client *client, struct session *session)
{
    if (client_has_session(client, session))
        return;
    session_add_ref(session);
    g_queue_push_tail(&client->sessions, session);
    g_hash_table_insert(client->session_links, session, client->sessions.tail);
}

void client_session_ended(struct client *client, struct session *session)
{
    GList *link = g_hash_table_lookup(client->session_links, session);

    if (!link)
        return;
    g_hash_table_remove(client->session_links, session);
    g_queue_delete_link(&client->sessions, link);
    session_release(session);
    check_cleanup_done(client);
}

static void tracked_request_free(gpointer data)
{
    struct tracked_request *request = data;

    session_release(request->session);
    g_free(request);
}

void client_track_request(struct client *client, unsigned int request_id, struct session *session, LONG_PTR cookie)
{
    struct tracked_request *request = g_new(struct tracked_request, 1);

    request->session = session;
    request->cookie = cookie;
    session_add_ref(session);
    g_hash_table_insert(client->requests, GUINT_TO_POINTER(request_id), request);
}

GList **client_enabled_profiles(struct client *client)
{
    return &client->enabled_profiles;
}

GList **client_incoming_transfers(struct client *client)
{
    return &client->incoming_transfers;
}

char *client_local_identity(struct client *client)
{
    char *uri = client->local_user_uri && *client->local_user_uri ? com_utf8_from_wstr(client->local_user_uri) : NULL;
    char *name = client->local_user_name && *client->local_user_name ? com_utf8_from_wstr(client->local_user_name) : NULL;
    char *identity;

    /* Without a local URI the request is anonymous (RFC 3261 §8.1.1.3). */
    if (!uri)
        uri = g_strdup("sip:anonymous@anonymous.invalid");
    else if (g_ascii_strncasecmp(uri, "sip:", 4) && g_ascii_strncasecmp(uri, "sips:", 5))
    {
        char *full = g_strconcat("sip:", uri, NULL);
        g_free(uri);
        uri = full;
    }
    /* Always a name-addr: in a bare URI, ";transport=tcp" would be read as a
     * parameter of the header, not of the URI (RFC 3261 §20.10). */
    identity = name ? g_strdup_printf("\"%s\" <%s>", name, uri) : g_strdup_printf("<%s>", uri);
    g_free(uri);
    g_free(name);
    return identity;
}

/* tel:+123 / 123 -> sip:+123@domain;user=phone, the domain being the local user's. */
char *client_phone_target(struct client *client, IRTCProfile *profile, const char *number)
{
    char *uri = client->local_user_uri ? com_utf8_from_wstr(client->local_user_uri) : NULL;
    const char *at = uri ? strchr(uri, '@') : NULL;
    char *target = NULL;

    if (at && at[1] && *number)
        target = g_strdup_printf("sip:%s@%s;user=phone", number, at + 1);
    g_free(uri);
    return target;
}

/* RFC 3891: the call just answered takes the place of the one its Replaces
 * named, which ends (BYE; CANCEL for our own call still ringing). */
void client_end_replaced_call(struct sip_call *call)
{
    struct sip_call *replaced = sip_call_get_replaced_call(call);

    if (replaced && sip_call_get_state(replaced) != SIP_CALL_STATE_TERMINATED)
        sip_call_hangup(replaced, NULL);
}

static void engine_incoming_call(struct sip_engine *engine, struct sip_call *call, void *user_data)
{
    struct client *client = user_data;
    RTC_ANSWER_MODE mode = client->answer_modes[RTCST_PC_TO_PC];
    struct sip_call *replaced;
    struct session *session;

    if (client->shutting_down || client->state != CLIENT_INITIALIZED)
    {
        sip_call_reject(call, 503, NULL, NULL);
        return;
    }
    if (!client->accept_incoming || mode == RTCAM_AUTOMATICALLY_REJECT || mode == RTCAM_NOT_SUPPORTED)
    {
        sip_call_reject(call, 480, NULL, NULL);
        return;
    }
    /* RFC 3891: an INVITE that replaces one of our calls. Only a call of a
     * session of this client can be given away (481 otherwise, as for a
     * dialog we do not have). The party that call is with, or someone it
     * referred, takes it over without the application being asked again
     * (an attended transfer: it agreed to the call being replaced); anyone
     * else rings as an ordinary incoming session, and Answer replaces. */
    if ((replaced = sip_call_get_replaced_call(call)))
    {
        struct session *old = sip_call_get_user_data(replaced);

        if (!old || !client_has_session(client, old))
        {
            sip_call_reject(call, 481, NULL, NULL);
            return;
        }
        if (sip_call_is_replacement_authorized(call))
        {
            if ((session = session_create_incoming(client, call, TRUE)))
                session_release(session);
            return;
        }
        if ((session = session_create_incoming(client, call, FALSE)))
            session_release(session);
        return;
    }
    /* The client's list keeps the session while it is live. */
    if ((session = session_create_incoming(client, call, mode == RTCAM_AUTOMATICALLY_ACCEPT)))
        session_release(session);
}

static void engine_call_state_changed(struct sip_call *call, enum sip_call_state state, guint status_code,
                                      const char *reason_phrase, void *user_data)
{
    struct session *session = sip_call_get_user_data(call);

    if (session)
        session_on_call_state(session, call, state);
}

static void engine_call_media_changed(struct sip_call *call, gboolean local_hold, gboolean remote_hold,
                                      void *user_data)
{
    struct session *session = sip_call_get_user_data(call);

    if (session)
        session_on_media_changed(session, call);
}

static void engine_call_media_event(struct sip_call *call, const struct sip_media_event *event, void *user_data)
{
    struct session *session = sip_call_get_user_data(call);

    if (session)
        session_on_media_event(session, call, event);
}

static void engine_call_info_received(struct sip_call *call, const struct sip_incoming_request *request,
                                      void *user_data)
{
    struct session *session = sip_call_get_user_data(call);

    if (session)
        session_on_info(session, request->content_type, request->body);
}

static void engine_message_received(struct sip_engine *engine, struct sip_call *call,
                                    const struct sip_incoming_request *request, void *user_data)
{
    struct client *client = user_data;
    struct session *session = call ? sip_call_get_user_data(call) : NULL;
    GList *link;

    if (!session)
    {
        for (link = client->sessions.head; link && !session; link = link->next)
            if (session_is_im_with(link->data, request->from_uri))
                session = link->data;
    }
    if (!session)
    {
        RTC_ANSWER_MODE mode = client->answer_modes[RTCST_IM];
        if (!client->accept_incoming || client->shutting_down || mode != RTCAM_AUTOMATICALLY_ACCEPT)
            return;     /* already answered 200 by the engine; nobody to tell */
        if (!(session = session_create_incoming_im(client, request->from_uri, request->from_display_name)))
            return;
        session_on_message(session, request->content_type, request->body);
        session_release(session);
        return;
    }
    session_on_message(session, request->content_type, request->body);
}

static void engine_request_completed(struct sip_engine *engine, guint request_id, guint status_code,
                                     const char *reason_phrase, void *user_data)
{
    struct client *client = user_data;
    struct tracked_request *request = g_hash_table_lookup(client->requests, GUINT_TO_POINTER(request_id));

    if (!request)
        return;
    session_on_request_completed(request->session, request->cookie, status_code,
                                 sip_engine_get_completed_failure(engine), reason_phrase);
    g_hash_table_remove(client->requests, GUINT_TO_POINTER(request_id));
}

static void engine_hangups_finished(struct sip_engine *engine, void *user_data)
{
    (void)engine;
    check_cleanup_done(user_data);
}

static const struct sip_engine_callbacks engine_callbacks =
{
    .incoming_call = engine_incoming_call,
    .call_state_changed = engine_call_state_changed,
    .call_media_changed = engine_call_media_changed,
    .call_media_event = engine_call_media_event,
    .call_info_received = engine_call_info_received,
    .message_received = engine_message_received,
    .request_completed = engine_request_completed,
    .hangups_finished = engine_hangups_finished,
};

static void release_engine(struct client *client)
{
    if (client->requests)
    {
        g_hash_table_destroy(client->requests);
        client->requests = NULL;
    }
    if (client->engine)
    {
        sip_engine_free(client->engine);
        client->engine = NULL;
    }
}

static void add_listener(struct client *client, enum sip_transport_protocol protocol, const char *address,
                         guint16 port)
{
    struct listener listener;

    listener.protocol = protocol;
    g_strlcpy(listener.address, address, sizeof(listener.address));
    listener.port = port;
    g_array_append_val(client->listeners, listener);
}

static HRESULT listen_on(struct client *client, enum sip_transport_protocol protocol, const char *address,
                         guint16 port, guint16 *bound)
{
    GError *error = NULL;

    if (!sip_engine_listen(client->engine, protocol, address, port, bound, &error))
    {
        /* The port is taken, or the address is not ours. */
        HRESULT hr = RTC_E_INVALID_LISTEN_SOCKET;
        g_debug("listen %s %s:%u: %s", sip_transport_protocol_name(protocol), address, port, error->message);
        g_error_free(error);
        return hr;
    }
    add_listener(client, protocol, address, *bound);
    return S_OK;
}

/* UDP and TCP on one port of address (port 0: any port free for both). */
static HRESULT listen_udp_and_tcp(struct client *client, const char *address, guint16 port)
{
    guint16 udp_port, tcp_port;
    GError *error = NULL;

    if (!sip_engine_listen_udp_and_tcp(client->engine, address, port, &udp_port, &tcp_port, &error))
    {
        g_debug("listen %s:%u: %s", address, port, error->message);
        g_error_free(error);
        return RTC_E_INVALID_LISTEN_SOCKET;
    }
    add_listener(client, SIP_TRANSPORT_UDP, address, udp_port);
    if (tcp_port)
        add_listener(client, SIP_TRANSPORT_TCP, address, tcp_port);
    return S_OK;
}

HRESULT client_ensure_transport(struct client *client)
{
    if (client->listeners->len)
        return S_OK;
    return listen_udp_and_tcp(client, "0.0.0.0", 0);
}

static BOOL is_listening_on(struct client *client, enum sip_transport_protocol protocol, guint16 port)
{
    guint i;

    for (i = 0; i < client->listeners->len; i++)
    {
        const struct listener *l = &g_array_index(client->listeners, struct listener, i);
        if (l->protocol == protocol && l->port == port)
            return TRUE;
    }
    return FALSE;
}

/* put_ListenForIncomingSessions and put_AnswerMode share these defaults (IRTCClient::put_ListenForIncomingSessions). */
static void set_default_answer_modes(struct client *client)
{
    unsigned int type;

    for (type = 0; type <= RTCST_APPLICATION; type++)
        client->answer_modes[type] = (type == RTCST_IM || type == RTCST_MULTIPARTY_IM)
                                     ? RTCAM_AUTOMATICALLY_ACCEPT : RTCAM_OFFER_SESSION_EVENT;
}

/* ---- IRTCClient: life cycle ------------------------------------------------------- */

/* The application's name and version go first in the User-Agent (and
 * Server) header of what the engine sends from now on (docs/wire-mapping.md,
 * "User-Agent"); before Initialize they wait for the engine. */
static void client_apply_product(struct client *client)
{
    char *name, *version;

    if (!client->engine)
        return;
    name = com_utf8_from_wstr(client->client_name);
    version = com_utf8_from_wstr(client->client_version);
    sip_engine_set_product(client->engine, name, version);
    g_free(name);
    g_free(version);
}

static HRESULT client_initialize(struct client *client, BOOL media_disabled)
{
    struct sip_engine_config config = { 0 };
    GError *error = NULL;

    if (client->state == CLIENT_INITIALIZED)
        return RTC_E_CLIENT_ALREADY_INITIALIZED;
    if (client->state == CLIENT_SHUT_DOWN)
        return RTC_E_CLIENT_ALREADY_SHUT_DOWN;
    /* The apartment's context if the thread has one, else its thread-default context. */
    if (!(client->context = com_apartment_context()))
        client->context = g_main_context_ref_thread_default();
    g_main_context_push_thread_default(client->context);
    config.media_backend = client_media_backend_new(media_disabled);
    client->engine = sip_engine_new(&config, &engine_callbacks, client, &error);
    g_main_context_pop_thread_default(client->context);
    if (!client->engine)
    {
        g_warning("Initialize: %s", error->message);
        g_error_free(error);
        g_main_context_unref(client->context);
        client->context = NULL;
        return RTC_E_SIP_STACK_SHUTDOWN;
    }
    client->requests = g_hash_table_new_full(NULL, NULL, NULL, tracked_request_free);
    client_apply_product(client);
    sip_engine_set_refer_callbacks(client->engine, &rtc_refer_callbacks);
    transfer_set_refer_to_headers(client->engine, FALSE);
    sip_engine_set_registration_callbacks(client->engine, &rtc_registration_callbacks);
    presence_attach_engine(client->presence, client->engine);
    client->owner = g_thread_self();
    client->state = CLIENT_INITIALIZED;
    client_media_initialized(client, media_disabled);
    return S_OK;
}

static HRESULT WINAPI client_Initialize(IRTCClient2 *iface)
{
    return client_initialize(impl_from_IRTCClient2(iface), FALSE);
}

static HRESULT WINAPI client_InitializeEx(IRTCClient2 *iface, LONG flags)
{
    /* RTCIF_DISABLE_MEDIA: calls without audio. UPnP and the firewall service
     * (the other RTCIF_DISABLE_* flags) do not exist here: nothing to disable. */
    return client_initialize(impl_from_IRTCClient2(iface), (flags & RTCIF_DISABLE_MEDIA) != 0);
}

static HRESULT WINAPI client_PrepareForShutdown(IRTCClient2 *iface)
{
    struct client *client = impl_from_IRTCClient2(iface);
    GList *live, *link;
    HRESULT hr;

    if (FAILED(hr = client_check_initialized(client)))
        return hr;
    if (client->shutting_down)
        return S_OK;
    client->shutting_down = TRUE;
    client->accept_incoming = FALSE;
    transfer_client_shutdown(client);
    presence_prepare_shutdown(client->presence);
    registration_shutdown(client);
    /* Ending a session may drop it from the list: walk a referenced copy. */
    live = g_list_copy(client->sessions.head);
    for (link = live; link; link = link->next)
        session_add_ref(link->data);
    for (link = live; link; link = link->next)
    {
        session_end_for_shutdown(link->data);
        session_release(link->data);
    }
    g_list_free(live);
    check_cleanup_done(client);
    return S_OK;
}

static HRESULT WINAPI client_Shutdown(IRTCClient2 *iface)
{
    struct client *client = impl_from_IRTCClient2(iface);
    HRESULT hr;

    if (FAILED(hr = client_check_initialized(client)))
        return hr;
    client->state = CLIENT_SHUT_DOWN;
    drop_pending_events(client);
    /* Whatever is still live ends without further events. */
    while (!g_queue_is_empty(&client->sessions))
    {
        struct session *session = g_queue_pop_head(&client->sessions);

        g_hash_table_remove(client->session_links, session);
        session_end_for_shutdown(session);
        session_release(session);
    }
    presence_shutdown(client->presence);
    release_engine(client);
    return S_OK;
}

static HRESULT WINAPI client_put_EventFilter(IRTCClient2 *iface, LONG filter)
{
    struct client *client = impl_from_IRTCClient2(iface);
    HRESULT hr;

    if (FAILED(hr = client_check_thread(client)))
        return hr;
    client->event_filter = filter;
    if (client->state == CLIENT_INITIALIZED)
        client_media_filter_changed(client);
    return S_OK;
}

static HRESULT WINAPI client_get_EventFilter(IRTCClient2 *iface, LONG *filter)
{
    struct client *client = impl_from_IRTCClient2(iface);
    HRESULT hr;

    if (!filter)
        return E_POINTER;
    if (FAILED(hr = client_check_thread(client)))
        return hr;
    *filter = client->event_filter;
    return S_OK;
}

/* ---- IRTCClient: identity ---------------------------------------------------------- */

static HRESULT get_string(const struct client *client, BSTR value, BSTR *out)
{
    HRESULT hr;

    if (!out)
        return E_POINTER;
    if (FAILED(hr = client_check_thread(client)))
        return hr;
    if (!(*out = SysAllocString(value ? value : L"")))
        return E_OUTOFMEMORY;
    return S_OK;
}

static HRESULT put_string(const struct client *client, BSTR *field, BSTR value)
{
    BSTR copy = NULL;
    HRESULT hr;

    if (FAILED(hr = client_check_thread(client)))
        return hr;
    if (value && !(copy = SysAllocString(value)))
        return E_OUTOFMEMORY;
    SysFreeString(*field);
    *field = copy;
    return S_OK;
}

static HRESULT WINAPI client_get_LocalUserURI(IRTCClient2 *iface, BSTR *uri)
{
    struct client *client = impl_from_IRTCClient2(iface);
    return get_string(client, client->local_user_uri, uri);
}

static HRESULT WINAPI client_put_LocalUserURI(IRTCClient2 *iface, BSTR uri)
{
    struct client *client = impl_from_IRTCClient2(iface);
    return put_string(client, &client->local_user_uri, uri);
}

static HRESULT WINAPI client_get_LocalUserName(IRTCClient2 *iface, BSTR *name)
{
    struct client *client = impl_from_IRTCClient2(iface);
    return get_string(client, client->local_user_name, name);
}

static HRESULT WINAPI client_put_LocalUserName(IRTCClient2 *iface, BSTR name)
{
    struct client *client = impl_from_IRTCClient2(iface);
    return put_string(client, &client->local_user_name, name);
}

static HRESULT WINAPI client_put_ClientName(IRTCClient2 *iface, BSTR name)
{
    struct client *client = impl_from_IRTCClient2(iface);
    HRESULT hr = put_string(client, &client->client_name, name);

    if (SUCCEEDED(hr))
        client_apply_product(client);
    return hr;
}

static HRESULT WINAPI client_put_ClientCurVer(IRTCClient2 *iface, BSTR version)
{
    struct client *client = impl_from_IRTCClient2(iface);
    HRESULT hr = put_string(client, &client->client_version, version);

    if (SUCCEEDED(hr))
        client_apply_product(client);
    return hr;
}

static HRESULT WINAPI client_get_Version(IRTCClient2 *iface, LONG *version)
{
    if (!version)
        return E_POINTER;
    *version = RTCSHIM_RTC_API_VERSION;
    return S_OK;
}

/* ---- IRTCClient: media preferences and sessions ------------------------------------------ */

/* Audio only: no video, no T.120. What this machine's calls can carry is
 * media.c's client_media_capabilities (0 without an audio backend, as in rtcshim.dll). */
#define SUPPORTED_MEDIA (RTCMT_AUDIO_SEND | RTCMT_AUDIO_RECEIVE)
/* put_MaxBitrate's documented range is 0 to this, in bit/s. */
#define RTC_MAX_BITRATE 1000000

static HRESULT WINAPI client_SetPreferredMediaTypes(IRTCClient2 *iface, LONG media_types, VARIANT_BOOL persistent)
{
    struct client *client = impl_from_IRTCClient2(iface);
    HRESULT hr;

    if (FAILED(hr = client_check_initialized(client)))
        return hr;
    if (media_types & ~RTCMT_ALL)
        return E_INVALIDARG;
    if ((media_types & (RTCMT_AUDIO_SEND | RTCMT_AUDIO_RECEIVE)) && !client_media_moves_audio(client))
        return RTC_E_MEDIA_AUDIO_DEVICE_NOT_AVAILABLE;
    /* Persistence would need a registry; the preference lives as long as the client. */
    client->preferred_media = media_types;
    /* The calls made from now on offer and answer audio only the ways
     * preferred; with none they bind no port and offer no stream
     * (docs/wire-mapping.md, "Preferred media types"). */
    sip_engine_set_calls_audio(client->engine, ((media_types & RTCMT_AUDIO_SEND) ? 1 : 0)          /* send */
                                               | ((media_types & RTCMT_AUDIO_RECEIVE) ? 2 : 0));  /* receive */
    return S_OK;
}

static HRESULT WINAPI client_get_PreferredMediaTypes(IRTCClient2 *iface, LONG *media_types)
{
    struct client *client = impl_from_IRTCClient2(iface);
    HRESULT hr;

    if (!media_types)
        return E_POINTER;
    if (FAILED(hr = client_check_initialized(client)))
        return hr;
    *media_types = client->preferred_media;
    return S_OK;
}

static HRESULT WINAPI client_get_MediaCapabilities(IRTCClient2 *iface, LONG *media_types)
{
    struct client *client = impl_from_IRTCClient2(iface);
    HRESULT hr;

    if (!media_types)
        return E_POINTER;
    if (FAILED(hr = client_check_initialized(client)))
        return hr;
    /* What the devices of this machine can do (media.c). */
    *media_types = client_media_capabilities(client);
    return S_OK;
}

static HRESULT WINAPI client_CreateSession(IRTCClient2 *iface, RTC_SESSION_TYPE type, BSTR local_phone_uri,
                                           IRTCProfile *profile, LONG flags, IRTCSession **session)
{
    struct client *client = impl_from_IRTCClient2(iface);
    HRESULT hr;

    if (!session)
        return E_POINTER;
    *session = NULL;
    if (FAILED(hr = client_check_ready(client)))
        return hr;
    if ((flags & RTCCS_FORCE_PROFILE) && !profile)
        return RTC_E_NO_PROFILE;
    return session_create(client, type, local_phone_uri, profile, flags, session);
}

/* ---- IRTCClient: listening ---------------------------------------------------------------------- */

static HRESULT WINAPI client_put_ListenForIncomingSessions(IRTCClient2 *iface, RTC_LISTEN_MODE mode)
{
    struct client *client = impl_from_IRTCClient2(iface);
    guint16 bound;
    HRESULT hr;

    if (FAILED(hr = client_check_initialized(client)))
        return hr;
    if (client->listen_style == LISTEN_STYLE_PORTS)
        return RTC_E_NOT_ALLOWED;
    if ((unsigned int)mode > RTCLM_BOTH)
        return E_INVALIDARG;
    client->listen_style = LISTEN_STYLE_LISTEN;
    set_default_answer_modes(client);
    client->listen_mode = mode;
    client->accept_incoming = mode != RTCLM_NONE;
    if (mode == RTCLM_NONE)
        return S_OK;
    if (FAILED(hr = client_ensure_transport(client)))
        return hr;
    /* RTCLM_BOTH also takes the well-known port when it is free, and succeeds
     * either way (MSDN: IRTCClient::put_ListenForIncomingSessions). */
    if (mode == RTCLM_BOTH)
    {
        if (!is_listening_on(client, SIP_TRANSPORT_UDP, 5060))
            listen_on(client, SIP_TRANSPORT_UDP, "0.0.0.0", 5060, &bound);
        if (!is_listening_on(client, SIP_TRANSPORT_TCP, 5060))
            listen_on(client, SIP_TRANSPORT_TCP, "0.0.0.0", 5060, &bound);
    }
    return S_OK;
}

static HRESULT WINAPI client_get_ListenForIncomingSessions(IRTCClient2 *iface, RTC_LISTEN_MODE *mode)
{
    struct client *client = impl_from_IRTCClient2(iface);
    HRESULT hr;

    if (!mode)
        return E_POINTER;
    if (FAILED(hr = client_check_initialized(client)))
        return hr;
    if (client->listen_style == LISTEN_STYLE_PORTS)
        return RTC_E_NOT_ALLOWED;
    client->listen_style = LISTEN_STYLE_LISTEN;
    *mode = client->listen_mode;
    return S_OK;
}

/* Local addresses for a wildcard bind, so the application sees where it can be reached. */
static void append_addresses(GPtrArray *out, const struct listener *l)
{
    BOOL ipv6 = strchr(l->address, ':') != NULL;
    char **hosts, **host;

    if (strcmp(l->address, "0.0.0.0") && strcmp(l->address, "::"))
    {
        g_ptr_array_add(out, ipv6 ? g_strdup_printf("[%s]:%u", l->address, l->port)
                                  : g_strdup_printf("%s:%u", l->address, l->port));
        return;
    }
    hosts = sip_local_interface_addresses(ipv6);
    for (host = hosts; *host; host++)
        g_ptr_array_add(out, ipv6 ? g_strdup_printf("[%s]:%u", *host, l->port)
                                  : g_strdup_printf("%s:%u", *host, l->port));
    g_strfreev(hosts);
}

/* A VARIANT holding a SAFEARRAY of VARIANT(BSTR) "address:port" strings. */
static HRESULT WINAPI client_get_NetworkAddresses(IRTCClient2 *iface, VARIANT_BOOL tcp, VARIANT_BOOL external,
                                                  VARIANT *addresses)
{
    struct client *client = impl_from_IRTCClient2(iface);
    GPtrArray *list;
    SAFEARRAY *array;
    LONG i;
    guint n;
    HRESULT hr;

    if (!addresses)
        return E_POINTER;
    if (FAILED(hr = client_check_initialized(client)))
        return hr;
    list = g_ptr_array_new_with_free_func(g_free);
    /* No NAT traversal here: there are no external addresses to report. */
    if (!external)
    {
        for (n = 0; n < client->listeners->len; n++)
        {
            const struct listener *l = &g_array_index(client->listeners, struct listener, n);
            if (l->protocol == (tcp ? SIP_TRANSPORT_TCP : SIP_TRANSPORT_UDP))
                append_addresses(list, l);
        }
    }
    if (!(array = SafeArrayCreateVector(VT_VARIANT, 0, list->len)))
    {
        g_ptr_array_free(list, TRUE);
        return E_OUTOFMEMORY;
    }
    for (i = 0; i < (LONG)list->len; i++)
    {
        VARIANT item;
        V_VT(&item) = VT_BSTR;
        V_BSTR(&item) = com_bstr_from_utf8(g_ptr_array_index(list, i));
        SafeArrayPutElement(array, &i, &item);
        VariantClear(&item);
    }
    g_ptr_array_free(list, TRUE);
    V_VT(addresses) = VT_ARRAY | VT_VARIANT;
    V_ARRAY(addresses) = array;
    return S_OK;
}

static HRESULT WINAPI client_put_AnswerMode(IRTCClient2 *iface, RTC_SESSION_TYPE type, RTC_ANSWER_MODE mode)
{
    struct client *client = impl_from_IRTCClient2(iface);
    HRESULT hr;

    if (FAILED(hr = client_check_initialized(client)))
        return hr;
    if (client->listen_style == LISTEN_STYLE_LISTEN)
        return RTC_E_NOT_ALLOWED;
    if ((unsigned int)type > RTCST_APPLICATION || (unsigned int)mode > RTCAM_NOT_SUPPORTED)
        return E_INVALIDARG;
    client->listen_style = LISTEN_STYLE_PORTS;
    client->answer_modes[type] = mode;
    return S_OK;
}

static HRESULT WINAPI client_get_AnswerMode(IRTCClient2 *iface, RTC_SESSION_TYPE type, RTC_ANSWER_MODE *mode)
{
    struct client *client = impl_from_IRTCClient2(iface);
    HRESULT hr;

    if (!mode)
        return E_POINTER;
    if (FAILED(hr = client_check_initialized(client)))
        return hr;
    if (client->listen_style == LISTEN_STYLE_LISTEN)
        return RTC_E_NOT_ALLOWED;
    if ((unsigned int)type > RTCST_APPLICATION)
        return E_INVALIDARG;
    client->listen_style = LISTEN_STYLE_PORTS;
    *mode = client->answer_modes[type];
    return S_OK;
}

static int transport_index(LONG transport)
{
    switch (transport)
    {
    case RTCTR_UDP: return 0;
    case RTCTR_TCP: return 1;
    case RTCTR_TLS: return 2;
    default: return -1;
    }
}

static HRESULT WINAPI client_put_AllowedPorts(IRTCClient2 *iface, LONG transport, RTC_LISTEN_MODE mode)
{
    static const enum sip_transport_protocol protocols[] = { SIP_TRANSPORT_UDP, SIP_TRANSPORT_TCP, SIP_TRANSPORT_TLS };
    struct client *client = impl_from_IRTCClient2(iface);
    int index = transport_index(transport);
    guint16 bound;
    HRESULT hr;

    if (FAILED(hr = client_check_initialized(client)))
        return hr;
    if (client->listen_style == LISTEN_STYLE_LISTEN)
        return RTC_E_NOT_ALLOWED;
    if (index < 0 || (unsigned int)mode > RTCLM_BOTH)
        return E_INVALIDARG;
    if (index == 2 && mode != RTCLM_NONE)
        return RTC_E_SIP_TRANSPORT_NOT_SUPPORTED;   /* a TLS listener needs a certificate: not provisioned here */
    client->listen_style = LISTEN_STYLE_PORTS;
    client->allowed_ports[index] = mode;
    client->accept_incoming = client->allowed_ports[0] != RTCLM_NONE || client->allowed_ports[1] != RTCLM_NONE;
    if (mode == RTCLM_NONE)
        return S_OK;
    if (FAILED(hr = client_ensure_transport(client)))
        return hr;
    if (mode == RTCLM_BOTH && !is_listening_on(client, protocols[index], 5060))
        listen_on(client, protocols[index], "0.0.0.0", 5060, &bound);
    return S_OK;
}

static HRESULT WINAPI client_get_AllowedPorts(IRTCClient2 *iface, LONG transport, RTC_LISTEN_MODE *mode)
{
    struct client *client = impl_from_IRTCClient2(iface);
    int index = transport_index(transport);
    HRESULT hr;

    if (!mode)
        return E_POINTER;
    if (FAILED(hr = client_check_initialized(client)))
        return hr;
    if (client->listen_style == LISTEN_STYLE_LISTEN)
        return RTC_E_NOT_ALLOWED;
    if (index < 0)
        return E_INVALIDARG;
    client->listen_style = LISTEN_STYLE_PORTS;
    *mode = client->allowed_ports[index];
    return S_OK;
}

/* ---- IRTCClient: audio (media.c), and what is not built yet ------------------------- */

static HRESULT WINAPI client_put_Volume(IRTCClient2 *iface, RTC_AUDIO_DEVICE enDevice, LONG lVolume)
{
    return client_media_put_volume(impl_from_IRTCClient2(iface), enDevice, lVolume);
}

static HRESULT WINAPI client_get_Volume(IRTCClient2 *iface, RTC_AUDIO_DEVICE enDevice, LONG *plVolume)
{
    return client_media_get_volume(impl_from_IRTCClient2(iface), enDevice, plVolume);
}

static HRESULT WINAPI client_put_AudioMuted(IRTCClient2 *iface, RTC_AUDIO_DEVICE enDevice, VARIANT_BOOL fMuted)
{
    return client_media_put_muted(impl_from_IRTCClient2(iface), enDevice, fMuted);
}

static HRESULT WINAPI client_get_AudioMuted(IRTCClient2 *iface, RTC_AUDIO_DEVICE enDevice, VARIANT_BOOL *pfMuted)
{
    return client_media_get_muted(impl_from_IRTCClient2(iface), enDevice, pfMuted);
}

static HRESULT WINAPI client_get_IVideoWindow(IRTCClient2 *iface, RTC_VIDEO_DEVICE enDevice, IVideoWindow **ppIVideoWindow)
{
    return com_not_built(__func__);
}

static HRESULT WINAPI client_put_PreferredAudioDevice(IRTCClient2 *iface, RTC_AUDIO_DEVICE enDevice, BSTR bstrDeviceName)
{
    return client_media_put_preferred_device(impl_from_IRTCClient2(iface), enDevice, bstrDeviceName);
}

static HRESULT WINAPI client_get_PreferredAudioDevice(IRTCClient2 *iface, RTC_AUDIO_DEVICE enDevice, BSTR *pbstrDeviceName)
{
    return client_media_get_preferred_device(impl_from_IRTCClient2(iface), enDevice, pbstrDeviceName);
}

static HRESULT WINAPI client_put_PreferredVolume(IRTCClient2 *iface, RTC_AUDIO_DEVICE enDevice, LONG lVolume)
{
    return client_media_put_preferred_volume(impl_from_IRTCClient2(iface), enDevice, lVolume);
}

static HRESULT WINAPI client_get_PreferredVolume(IRTCClient2 *iface, RTC_AUDIO_DEVICE enDevice, LONG *plVolume)
{
    return client_media_get_preferred_volume(impl_from_IRTCClient2(iface), enDevice, plVolume);
}

static HRESULT WINAPI client_put_PreferredAEC(IRTCClient2 *iface, VARIANT_BOOL bEnable)
{
    return client_media_put_preferred_aec(impl_from_IRTCClient2(iface), bEnable);
}

static HRESULT WINAPI client_get_PreferredAEC(IRTCClient2 *iface, VARIANT_BOOL *pbEnabled)
{
    return client_media_get_preferred_aec(impl_from_IRTCClient2(iface), pbEnabled);
}

static HRESULT WINAPI client_put_PreferredVideoDevice(IRTCClient2 *iface, BSTR bstrDeviceName)
{
    return com_not_built(__func__);
}

static HRESULT WINAPI client_get_PreferredVideoDevice(IRTCClient2 *iface, BSTR *pbstrDeviceName)
{
    return com_not_built(__func__);
}

static HRESULT WINAPI client_get_ActiveMedia(IRTCClient2 *iface, LONG *plMediaType)
{
    return client_media_get_active_media(impl_from_IRTCClient2(iface), plMediaType);
}

/* The calls made from now on offer and accept only the codecs within it
 * and send within it (docs/wire-mapping.md, "Maximum bandwidth"); 0, the
 * default, is no limit. */
static HRESULT WINAPI client_put_MaxBitrate(IRTCClient2 *iface, LONG lMaxBitrate)
{
    struct client *client = impl_from_IRTCClient2(iface);
    HRESULT hr;

    if (FAILED(hr = client_check_initialized(client)))
        return hr;
    /* the documented range, and a value some codec of ours fits in */
    if (lMaxBitrate < 0 || lMaxBitrate > RTC_MAX_BITRATE
            || !sip_engine_set_calls_max_bandwidth(client->engine, (guint)lMaxBitrate, NULL))
        return E_INVALIDARG;
    return S_OK;
}

static HRESULT WINAPI client_get_MaxBitrate(IRTCClient2 *iface, LONG *plMaxBitrate)
{
    struct client *client = impl_from_IRTCClient2(iface);
    HRESULT hr;

    if (!plMaxBitrate)
        return E_POINTER;
    if (FAILED(hr = client_check_initialized(client)))
        return hr;
    *plMaxBitrate = (LONG)sip_engine_get_calls_max_bandwidth(client->engine);
    return S_OK;
}

static HRESULT WINAPI client_put_TemporalSpatialTradeOff(IRTCClient2 *iface, LONG lValue)
{
    return com_not_built(__func__);
}

static HRESULT WINAPI client_get_TemporalSpatialTradeOff(IRTCClient2 *iface, LONG *plValue)
{
    return com_not_built(__func__);
}

static HRESULT WINAPI client_get_NetworkQuality(IRTCClient2 *iface, LONG *quality)
{
    return client_media_get_network_quality(impl_from_IRTCClient2(iface), quality);
}

static HRESULT WINAPI client_StartT120Applet(IRTCClient2 *iface, RTC_T120_APPLET enApplet)
{
    return com_not_built(__func__);
}

static HRESULT WINAPI client_StopT120Applets(IRTCClient2 *iface)
{
    return com_not_built(__func__);
}

static HRESULT WINAPI client_get_IsT120AppletRunning(IRTCClient2 *iface, RTC_T120_APPLET enApplet, VARIANT_BOOL *pfRunning)
{
    return com_not_built(__func__);
}

static HRESULT WINAPI client_PlayRing(IRTCClient2 *iface, RTC_RING_TYPE enType, VARIANT_BOOL bPlay)
{
    return client_media_play_ring(impl_from_IRTCClient2(iface), enType, bPlay);
}

static HRESULT WINAPI client_SendDTMF(IRTCClient2 *iface, RTC_DTMF enDTMF)
{
    return client_media_send_dtmf(impl_from_IRTCClient2(iface), enDTMF);
}

static HRESULT WINAPI client_InvokeTuningWizard(IRTCClient2 *iface, OAHWND hwndParent)
{
    return com_not_built(__func__);
}

static HRESULT WINAPI client_get_IsTuned(IRTCClient2 *iface, VARIANT_BOOL *pfTuned)
{
    return client_media_get_is_tuned(impl_from_IRTCClient2(iface), pfTuned);
}

static HRESULT WINAPI client_InvokeTuningWizardEx(IRTCClient2 *iface, OAHWND hwndParent, VARIANT_BOOL fAllowAudio, VARIANT_BOOL fAllowVideo)
{
    return com_not_built(__func__);
}

static HRESULT WINAPI client_CreateSessionWithDescription(IRTCClient2 *iface, BSTR bstrContentType, BSTR bstrSessionDescription, IRTCProfile *pProfile, LONG lFlags, IRTCSession2 **ppSession2)
{
    return com_not_built(__func__);
}

static HRESULT WINAPI client_SetSessionDescriptionManager(IRTCClient2 *iface, IRTCSessionDescriptionManager *pSessionDescriptionManager)
{
    return com_not_built(__func__);
}

static HRESULT WINAPI client_put_PreferredSecurityLevel(IRTCClient2 *iface, RTC_SECURITY_TYPE enSecurityType, RTC_SECURITY_LEVEL enSecurityLevel)
{
    return com_not_built(__func__);
}

static HRESULT WINAPI client_get_PreferredSecurityLevel(IRTCClient2 *iface, RTC_SECURITY_TYPE enSecurityType, RTC_SECURITY_LEVEL *penSecurityLevel)
{
    return com_not_built(__func__);
}

static const IRTCClient2Vtbl client_vtbl =
{
    client_QueryInterface,
    client_AddRef,
    client_Release,
    client_Initialize,
    client_Shutdown,
    client_PrepareForShutdown,
    client_put_EventFilter,
    client_get_EventFilter,
    client_SetPreferredMediaTypes,
    client_get_PreferredMediaTypes,
    client_get_MediaCapabilities,
    client_CreateSession,
    client_put_ListenForIncomingSessions,
    client_get_ListenForIncomingSessions,
    client_get_NetworkAddresses,
    client_put_Volume,
    client_get_Volume,
    client_put_AudioMuted,
    client_get_AudioMuted,
    client_get_IVideoWindow,
    client_put_PreferredAudioDevice,
    client_get_PreferredAudioDevice,
    client_put_PreferredVolume,
    client_get_PreferredVolume,
    client_put_PreferredAEC,
    client_get_PreferredAEC,
    client_put_PreferredVideoDevice,
    client_get_PreferredVideoDevice,
    client_get_ActiveMedia,
    client_put_MaxBitrate,
    client_get_MaxBitrate,
    client_put_TemporalSpatialTradeOff,
    client_get_TemporalSpatialTradeOff,
    client_get_NetworkQuality,
    client_StartT120Applet,
    client_StopT120Applets,
    client_get_IsT120AppletRunning,
    client_get_LocalUserURI,
    client_put_LocalUserURI,
    client_get_LocalUserName,
    client_put_LocalUserName,
    client_PlayRing,
    client_SendDTMF,
    client_InvokeTuningWizard,
    client_get_IsTuned,
    client_put_AnswerMode,
    client_get_AnswerMode,
    client_InvokeTuningWizardEx,
    client_get_Version,
    client_put_ClientName,
    client_put_ClientCurVer,
    client_InitializeEx,
    client_CreateSessionWithDescription,
    client_SetSessionDescriptionManager,
    client_put_PreferredSecurityLevel,
    client_get_PreferredSecurityLevel,
    client_put_AllowedPorts,
    client_get_AllowedPorts,
};

/* ---- IRTCClientProvisioning2 ----------------------------------------------------------- */

static HRESULT WINAPI provisioning_QueryInterface(IRTCClientProvisioning2 *iface, REFIID riid, void **ppv)
{
    struct client *client = impl_from_IRTCClientProvisioning2(iface);
    return client_QueryInterface(&client->IRTCClient2_iface, riid, ppv);
}

static ULONG WINAPI provisioning_AddRef(IRTCClientProvisioning2 *iface)
{
    return client_AddRef(&impl_from_IRTCClientProvisioning2(iface)->IRTCClient2_iface);
}

static ULONG WINAPI provisioning_Release(IRTCClientProvisioning2 *iface)
{
    return client_Release(&impl_from_IRTCClientProvisioning2(iface)->IRTCClient2_iface);
}

static HRESULT WINAPI provisioning_CreateProfile(IRTCClientProvisioning2 *iface, BSTR xml, IRTCProfile **profile)
{
    struct client *client = impl_from_IRTCClientProvisioning2(iface);
    IRTCProfile2 *profile2;
    HRESULT hr;

    if (!profile)
        return E_POINTER;
    *profile = NULL;
    if (FAILED(hr = client_check_initialized(client)))
        return hr;
    if (SUCCEEDED(hr = rtc_profile_create_from_xml(xml, &profile2)))
        *profile = (IRTCProfile *)profile2;
    return hr;
}

static HRESULT WINAPI provisioning_EnumerateProfiles(IRTCClientProvisioning2 *iface, IRTCEnumProfiles **out)
{
    struct client *client = impl_from_IRTCClientProvisioning2(iface);
    unsigned int count;
    IUnknown **items;
    HRESULT hr;

    if (!out)
        return E_POINTER;
    if (FAILED(hr = client_check_initialized(client)))
        return hr;
    items = registration_profiles(client, &count);
    hr = rtc_enum_profiles_create(items, count, out);
    g_free(items);
    return hr;
}

static HRESULT WINAPI provisioning_get_Profiles(IRTCClientProvisioning2 *iface, IRTCCollection **out)
{
    struct client *client = impl_from_IRTCClientProvisioning2(iface);
    unsigned int count;
    IUnknown **items;
    HRESULT hr;

    if (!out)
        return E_POINTER;
    if (FAILED(hr = client_check_initialized(client)))
        return hr;
    items = registration_profiles(client, &count);
    hr = rtc_collection_create(items, count, out);
    g_free(items);
    return hr;
}

static HRESULT WINAPI provisioning_EnableProfile(IRTCClientProvisioning2 *iface, IRTCProfile *profile, LONG flags)
{
    struct client *client = impl_from_IRTCClientProvisioning2(iface);
    HRESULT hr;

    if (!profile)
        return E_POINTER;
    if (FAILED(hr = client_check_ready(client)))
        return hr;
    if (flags & ~RTCRF_REGISTER_ALL)
        return E_INVALIDARG;
    return registration_enable(client, profile, flags);
}

static HRESULT WINAPI provisioning_DisableProfile(IRTCClientProvisioning2 *iface, IRTCProfile *profile)
{
    struct client *client = impl_from_IRTCClientProvisioning2(iface);
    HRESULT hr;

    if (!profile)
        return E_POINTER;
    if (FAILED(hr = client_check_initialized(client)))
        return hr;
    return registration_disable(client, profile);
}

/* Roaming needs a presence server's storage, which rtcshim does not have. */
static HRESULT WINAPI provisioning_EnableProfileEx(IRTCClientProvisioning2 *iface, IRTCProfile *profile,
                                                  LONG flags, LONG roaming_flags)
{
    if (roaming_flags)
    {
        com_partial(__func__, "roaming flags (RTCRMF_*) give E_NOTIMPL: roaming needs a presence server's storage");
        return E_NOTIMPL;
    }
    return provisioning_EnableProfile(iface, profile, flags);
}

static HRESULT WINAPI provisioning_GetProfile(IRTCClientProvisioning2 *iface, BSTR bstrUserAccount, BSTR bstrUserPassword, BSTR bstrUserURI, BSTR bstrServer, LONG lTransport, LONG_PTR lCookie)
{
    return com_not_built(__func__);
}

static HRESULT WINAPI provisioning_get_SessionCapabilities(IRTCClientProvisioning2 *iface, LONG *capabilities)
{
    struct client *client = impl_from_IRTCClientProvisioning2(iface);
    HRESULT hr;

    if (!capabilities)
        return E_POINTER;
    if (FAILED(hr = client_check_initialized(client)))
        return hr;
    /* What sessions this client can take part in without a provider's gateway. */
    *capabilities = RTCSI_PC_TO_PC | RTCSI_PC_TO_PHONE | RTCSI_IM;
    return S_OK;
}

static const IRTCClientProvisioning2Vtbl provisioning_vtbl =
{
    provisioning_QueryInterface,
    provisioning_AddRef,
    provisioning_Release,
    provisioning_CreateProfile,
    provisioning_EnableProfile,
    provisioning_DisableProfile,
    provisioning_EnumerateProfiles,
    provisioning_get_Profiles,
    provisioning_GetProfile,
    provisioning_get_SessionCapabilities,
    provisioning_EnableProfileEx,
};

/* ---- IRTCClientPortManagement ------------------------------------------------------------ */

static HRESULT WINAPI ports_QueryInterface(IRTCClientPortManagement *iface, REFIID riid, void **ppv)
{
    struct client *client = impl_from_IRTCClientPortManagement(iface);
    return client_QueryInterface(&client->IRTCClient2_iface, riid, ppv);
}

static ULONG WINAPI ports_AddRef(IRTCClientPortManagement *iface)
{
    return client_AddRef(&impl_from_IRTCClientPortManagement(iface)->IRTCClient2_iface);
}

static ULONG WINAPI ports_Release(IRTCClientPortManagement *iface)
{
    return client_Release(&impl_from_IRTCClientPortManagement(iface)->IRTCClient2_iface);
}

static HRESULT WINAPI ports_StartListenAddressAndPort(IRTCClientPortManagement *iface, BSTR address, LONG port)
{
    struct client *client = impl_from_IRTCClientPortManagement(iface);
    char *utf8;
    HRESULT hr;

    if (FAILED(hr = client_check_ready(client)))
        return hr;
    if (!address || !*address || port < 0 || port > 65535)
        return E_INVALIDARG;
    utf8 = com_utf8_from_wstr(address);
    hr = listen_udp_and_tcp(client, utf8, port);
    g_free(utf8);
    /* Listening on a chosen address means taking calls there. */
    if (SUCCEEDED(hr))
        client->accept_incoming = TRUE;
    return hr;
}

static HRESULT WINAPI ports_GetPortRange(IRTCClientPortManagement *iface, RTC_PORT_TYPE type, LONG *min, LONG *max)
{
    struct client *client = impl_from_IRTCClientPortManagement(iface);
    int low, high;
    HRESULT hr;

    if (!min || !max)
        return E_POINTER;
    if (FAILED(hr = client_check_initialized(client)))
        return hr;
    if ((unsigned int)type > RTCPT_SIP)
        return E_INVALIDARG;
    /* Ephemeral ports (SIP and the media backend's) come from the kernel's range. */
    sip_local_port_range(&low, &high);
    *min = low;
    *max = high;
    return S_OK;
}

static HRESULT WINAPI ports_StopListenAddressAndPort(IRTCClientPortManagement *iface, BSTR bstrInternalLocalAddress, LONG lInternalLocalPort)
{
    return com_not_built(__func__);
}

static const IRTCClientPortManagementVtbl ports_vtbl =
{
    ports_QueryInterface,
    ports_AddRef,
    ports_Release,
    ports_StartListenAddressAndPort,
    ports_StopListenAddressAndPort,
    ports_GetPortRange,
};

/* ---- IConnectionPointContainer -------------------------------------------------------------- */

static HRESULT WINAPI container_QueryInterface(IConnectionPointContainer *iface, REFIID riid, void **ppv)
{
    struct client *client = impl_from_IConnectionPointContainer(iface);
    return client_QueryInterface(&client->IRTCClient2_iface, riid, ppv);
}

static ULONG WINAPI container_AddRef(IConnectionPointContainer *iface)
{
    return client_AddRef(&impl_from_IConnectionPointContainer(iface)->IRTCClient2_iface);
}

static ULONG WINAPI container_Release(IConnectionPointContainer *iface)
{
    return client_Release(&impl_from_IConnectionPointContainer(iface)->IRTCClient2_iface);
}

static HRESULT WINAPI container_EnumConnectionPoints(IConnectionPointContainer *iface, IEnumConnectionPoints **out)
{
    struct client *client = impl_from_IConnectionPointContainer(iface);
    struct connection_point *points[] = { &client->event_point, &client->dispatch_event_point };

    return connection_points_enum(points, ARRAY_SIZE(points), out);
}

static HRESULT WINAPI container_FindConnectionPoint(IConnectionPointContainer *iface, REFIID riid, IConnectionPoint **out)
{
    struct client *client = impl_from_IConnectionPointContainer(iface);
    struct connection_point *points[] = { &client->event_point, &client->dispatch_event_point };

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

/* ---- rtcshim.h additions ------------------------------------------------------------------------ */

HRESULT rtcshim_set_refer_decision_timeout(IRTCClient *iface, ULONG milliseconds)
{
    struct client *client;
    HRESULT hr;

    if (!iface || iface->lpVtbl != (const IRTCClientVtbl *)&client_vtbl || !milliseconds)
        return E_INVALIDARG;
    client = impl_from_IRTCClient2((IRTCClient2 *)iface);
    if (FAILED(hr = client_check_initialized(client)))
        return hr;
    sip_engine_set_refer_decision_timeout(client->engine, milliseconds);
    return S_OK;
}

HRESULT rtcshim_set_media_timeout(IRTCClient *iface, ULONG milliseconds)
{
    if (!iface || iface->lpVtbl != (const IRTCClientVtbl *)&client_vtbl)
        return E_INVALIDARG;
    return client_media_set_timeout(impl_from_IRTCClient2((IRTCClient2 *)iface), milliseconds);
}

HRESULT rtcshim_set_keepalive_interval(IRTCClient *iface, ULONG udp_seconds, ULONG stream_seconds)
{
    struct client *client;
    HRESULT hr;

    if (!iface || iface->lpVtbl != (const IRTCClientVtbl *)&client_vtbl)
        return E_INVALIDARG;
    client = impl_from_IRTCClient2((IRTCClient2 *)iface);
    if (FAILED(hr = client_check_initialized(client)))
        return hr;
    sip_engine_set_keepalive(client->engine, udp_seconds, stream_seconds);
    return S_OK;
}

HRESULT rtcshim_set_refer_to_private_headers(IRTCClient *iface, VARIANT_BOOL allow)
{
    struct client *client;
    HRESULT hr;

    if (!iface || iface->lpVtbl != (const IRTCClientVtbl *)&client_vtbl)
        return E_INVALIDARG;
    client = impl_from_IRTCClient2((IRTCClient2 *)iface);
    if (FAILED(hr = client_check_initialized(client)))
        return hr;
    transfer_set_refer_to_headers(client->engine, allow != VARIANT_FALSE);
    return S_OK;
}

/* ---- class object ------------------------------------------------------------------------------ */

static HRESULT client_create(REFIID riid, void **ppv)
{
    struct client *client;
    HRESULT hr;

    if (!(client = calloc(1, sizeof(*client))))
        return E_OUTOFMEMORY;
    client->IRTCClient2_iface.lpVtbl = &client_vtbl;
    client->IRTCClientProvisioning2_iface.lpVtbl = &provisioning_vtbl;
    client->IRTCClientPresence2_iface.lpVtbl = &rtc_client_presence_vtbl;
    client->IRTCClientPortManagement_iface.lpVtbl = &ports_vtbl;
    client->IConnectionPointContainer_iface.lpVtbl = &container_vtbl;
    client->refcount = 1;
    com_module_lock();      /* DllCanUnloadNow: one more live object */
    client->state = CLIENT_CREATED;
    client->presence = presence_new(client);
    g_queue_init(&client->pending_events);
    client->listeners = g_array_new(FALSE, TRUE, sizeof(struct listener));
    g_queue_init(&client->sessions);
    client->session_links = g_hash_table_new(NULL, NULL);
    client->preferred_media = SUPPORTED_MEDIA;
    set_default_answer_modes(client);
    connection_point_init(&client->event_point, &client->IConnectionPointContainer_iface,
                          &IID_IRTCEventNotification);
    connection_point_init(&client->dispatch_event_point, &client->IConnectionPointContainer_iface,
                          &DIID_IRTCDispatchEventNotification);

    hr = client_QueryInterface(&client->IRTCClient2_iface, riid, ppv);
    client_Release(&client->IRTCClient2_iface);
    return hr;
}

static void __attribute__((constructor)) client_register_class(void)
{
    com_register_class(&CLSID_RTCClient, "RTCClient", client_create);
}
