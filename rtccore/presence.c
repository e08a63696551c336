/*
 * IRTCClientPresence2 (and IRTCClientPresence) on the client object: the
 * client's presence state, the buddy, watcher and group lists, the local
 * user's presence, and the engine's subscription and publication reports
 * (docs/wire-mapping.md, "Presence").
 *
 * Two modes, decided by the presence profile (EnablePresenceEx's, or for
 * EnablePresence the first enabled profile):
 *  - peer to peer (no profile, or one without a server): buddies are
 *    subscribed to directly, watchers subscribe to us, and our changes are
 *    NOTIFYed to each of them;
 *  - server mode (the profile has a proxy or registrar): every request goes
 *    through that server; our document is PUBLISHed to it, buddies are
 *    subscribed to through it, and we learn who watches us from our
 *    presence.winfo subscription. Watchers that still reach us directly are
 *    served as in peer-to-peer mode.
 * The outcome of publishing the local status, a property or the data is
 * RTCE_PRESENCE_STATUS / _PROPERTY / _DATA: the PUBLISH's result in server
 * mode; peer to peer there is no server to refuse it, and the event reports
 * success once the NOTIFYs are on their way.
 */
#include <string.h>
#include <wchar.h>
#include "presence.h"
#include "collection.h"
#include "events.h"
#include "profile.h"

/* RTC's limits on a presence property (characters; RTC 1.2 leaves them unstated). */
#define MAX_PROPERTY_CHARS 256
#define MAX_NOTES_CHARS 1024

static const char *const served_packages[] = { "presence", NULL };

static struct presence *impl_from_IRTCClientPresence2(IRTCClientPresence2 *iface)
{
    return presence_of(client_from_presence_iface(iface));
}

BOOL presence_server_mode(struct presence *presence)
{
    return presence->server != NULL;
}

/* ---- identity ------------------------------------------------------------------------------- */

char *presence_local_uri(struct presence *presence)
{
    const struct rtc_profile_data *data = presence->profile ? rtc_profile_get_data(presence->profile) : NULL;
    char *identity, *start, *end, *uri;

    if (data && data->user_uri)
        return g_strdup(data->user_uri);
    identity = client_local_identity(presence->client);
    start = strchr(identity, '<');
    end = start ? strchr(start, '>') : NULL;
    uri = start && end ? g_strndup(start + 1, end - start - 1) : g_strdup(identity);
    g_free(identity);
    return uri;
}

char *presence_local_identity(struct presence *presence)
{
    const struct rtc_profile_data *data = presence->profile ? rtc_profile_get_data(presence->profile) : NULL;
    char *identity, *escaped;

    if (!data || !data->user_uri)
        return client_local_identity(presence->client);
    if (!data->user_name || !*data->user_name)
        return g_strdup_printf("<%s>", data->user_uri);
    escaped = g_strescape(data->user_name, NULL);
    identity = g_strdup_printf("\"%s\" <%s>", escaped, data->user_uri);
    g_free(escaped);
    return identity;
}

char *presence_local_document(struct presence *presence, BOOL blocked, gsize *length)
{
    struct sip_presence_document *document = presence_document_build(presence, blocked);
    GError *error = NULL;
    char *body = sip_pidf_build(document, length, &error);

    if (!body)
    {
        g_warning("presence document not built: %s", error->message);
        g_error_free(error);
        *length = 0;
    }
    sip_presence_document_free(document);
    return body;
}

/* ---- events ----------------------------------------------------------------------------------- */

void presence_fire_buddy_event(struct presence *presence, struct buddy *buddy, RTC_BUDDY_EVENT_TYPE type,
                               LONG status_code, const char *status_text)
{
    LONG filter = client_event_filter(presence->client);
    IDispatch *event;
    BSTR text;

    /* RTCEF_BUDDY: what RTC 1.0 fired (state changes); RTCEF_BUDDY2: every type. */
    if (presence->loading || !(filter & RTCEF_BUDDY2 || (filter & RTCEF_BUDDY && type == RTCBET_BUDDY_STATE_CHANGE)))
        return;
    text = status_text ? com_bstr_from_utf8(status_text) : NULL;
    if (SUCCEEDED(rtc_buddy_event_create((IRTCBuddy *)buddy_iface(buddy), type, status_code, text, &event)))
    {
        client_fire_event(presence->client, RTCE_BUDDY, event);
        IDispatch_Release(event);
    }
    SysFreeString(text);
}

void presence_fire_watcher_event(struct presence *presence, struct watcher *watcher, RTC_WATCHER_EVENT_TYPE type,
                                 LONG status_code)
{
    LONG filter = client_event_filter(presence->client);
    IDispatch *event;

    /* RTCEF_WATCHER: the offers (RTC 1.0); RTCEF_WATCHER2: every type. */
    if (presence->loading
        || !(filter & RTCEF_WATCHER2 || (filter & RTCEF_WATCHER && type == RTCWET_WATCHER_OFFERING)))
        return;
    if (SUCCEEDED(rtc_watcher_event_create((IRTCWatcher *)watcher_iface(watcher), type, status_code, &event)))
    {
        client_fire_event(presence->client, RTCE_WATCHER, event);
        IDispatch_Release(event);
    }
}

void presence_fire_group_event(struct presence *presence, struct buddy_group *group, RTC_GROUP_EVENT_TYPE type,
                               struct buddy *buddy, LONG status_code)
{
    IDispatch *event;

    if (presence->loading || !client_wants_event(presence->client, RTCE_GROUP))
        return;
    if (SUCCEEDED(rtc_buddy_group_event_create(type, buddy_group_iface(group), buddy ? buddy_iface(buddy) : NULL,
                                               status_code, &event)))
    {
        client_fire_event(presence->client, RTCE_GROUP, event);
        IDispatch_Release(event);
    }
}

/* The outcome of publishing: one event for each kind of change that waited. */
static void fire_publish_outcome(struct presence *presence, LONG status_code, const char *text)
{
    unsigned int changes = presence->pending_changes, properties = presence->pending_properties;
    BSTR status_text = text && *text ? com_bstr_from_utf8(text) : NULL;
    IDispatch *event;
    unsigned int i;

    presence->pending_changes = presence->pending_properties = 0;
    if ((changes & PRESENCE_CHANGE_STATUS) && client_wants_event(presence->client, RTCE_PRESENCE_STATUS)
        && SUCCEEDED(rtc_presence_status_event_create(presence->status, presence->notes, status_code, status_text,
                                                      &event)))
    {
        client_fire_event(presence->client, RTCE_PRESENCE_STATUS, event);
        IDispatch_Release(event);
    }
    for (i = 0; i < PRESENCE_PROPERTY_COUNT; i++)
    {
        if (!(properties & (1u << i)) || !client_wants_event(presence->client, RTCE_PRESENCE_PROPERTY))
            continue;
        if (SUCCEEDED(rtc_presence_property_event_create(i, presence->properties[i], status_code, status_text,
                                                         &event)))
        {
            client_fire_event(presence->client, RTCE_PRESENCE_PROPERTY, event);
            IDispatch_Release(event);
        }
    }
    if ((changes & PRESENCE_CHANGE_DATA) && client_wants_event(presence->client, RTCE_PRESENCE_DATA)
        && SUCCEEDED(rtc_presence_data_event_create(presence->data_namespace, presence->data, status_code, status_text,
                                                    &event)))
    {
        client_fire_event(presence->client, RTCE_PRESENCE_DATA, event);
        IDispatch_Release(event);
    }
    SysFreeString(status_text);
}

/* ---- the local presence on the wire -------------------------------------------------------------- */

static void publish(struct presence *presence)
{
    struct sip_publish_options options = { NULL };
    char *body, *aor;
    gsize length;
    GError *error = NULL;

    body = presence_local_document(presence, FALSE, &length);
    if (presence->publication && sip_publication_get_status_code(presence->publication) < 300
        && sip_publication_modify(presence->publication, SIP_PIDF_CONTENT_TYPE, body, length, NULL))
    {
        g_free(body);
        return;
    }
    if (presence->publication)
    {
        sip_publication_set_user_data(presence->publication, NULL);
        sip_publication_unref(presence->publication);
    }
    options.proxy = presence->server;
    aor = presence_local_uri(presence);
    presence->publication = sip_publish(client_engine(presence->client), aor, "presence", SIP_PIDF_CONTENT_TYPE, body,
                                        length, &options, &error);
    g_free(aor);
    g_free(body);
    if (!presence->publication)
    {
        g_message("presence not published: %s", error->message);
        fire_publish_outcome(presence, error->code == SIP_ENGINE_ERROR_UNRESOLVABLE ? RTC_E_SIP_DNS_FAIL
                                                                                    : RTC_E_INVALID_SIP_URL,
                             error->message);
        g_error_free(error);
        return;
    }
    sip_publication_set_user_data(presence->publication, presence);
}

/* The local state changed: NOTIFY the watchers, PUBLISH in server mode. */
static void local_changed(struct presence *presence, unsigned int change, unsigned int property_bits)
{
    presence->pending_changes |= change;
    presence->pending_properties |= property_bits;
    watcher_notify_all(presence);
    if (presence_server_mode(presence) && client_engine(presence->client))
        publish(presence);
    else
        fire_publish_outcome(presence, S_OK, NULL);
}

static void subscribe_winfo(struct presence *presence)
{
    struct sip_subscribe_options options = { NULL };
    char *from, *aor;
    GError *error = NULL;

    options.proxy = presence->server;
    from = presence_local_identity(presence);
    aor = presence_local_uri(presence);
    presence->winfo = sip_subscribe(client_engine(presence->client), from, aor, "presence.winfo", &options, &error);
    g_free(from);
    g_free(aor);
    if (!presence->winfo)
    {
        g_message("watcher information not subscribed: %s", error->message);
        g_error_free(error);
    }
}

/* ---- subscriptions that are ending ------------------------------------------------------------- */

/* Still ending: ours until the notifier's terminated NOTIFY (or a failure);
 * a watcher's until its last NOTIFY is answered. */
static BOOL still_ending(struct sip_subscription *subscription)
{
    if (sip_subscription_is_notifier(subscription))
        return sip_subscription_notify_pending(subscription);
    return sip_subscription_get_status(subscription) != SIP_SUBSCRIPTION_TERMINATED;
}

static void prune_closing(struct presence *presence)
{
    guint i = 0;

    while (i < presence->closing->len)
    {
        if (still_ending(g_ptr_array_index(presence->closing, i)))
            i++;
        else
            g_ptr_array_remove_index(presence->closing, i);
    }
}

void presence_track_closing(struct presence *presence, struct sip_subscription *subscription)
{
    if (still_ending(subscription))
        g_ptr_array_add(presence->closing, sip_subscription_ref(subscription));
}

/* ---- the engine's reports ------------------------------------------------------------------------- */

static void on_subscription_received(struct sip_engine *engine, struct sip_subscription *subscription,
                                     void *user_data)
{
    struct presence *presence = presence_of(user_data);

    watcher_on_subscription(presence, subscription);
}

static void on_subscription_state(struct sip_subscription *subscription, enum sip_subscription_status state,
                                  enum sip_subscription_reason reason, guint status_code, void *user_data)
{
    struct presence *presence = presence_of(user_data);
    void *owner = sip_subscription_get_user_data(subscription);

    if (sip_subscription_is_notifier(subscription))
    {
        if (owner && state == SIP_SUBSCRIPTION_TERMINATED)
            watcher_on_ended(owner, subscription);
    }
    else if (subscription == presence->winfo)
    {
        if (state == SIP_SUBSCRIPTION_TERMINATED)
        {
            g_message("watcher information subscription ended: %s (%u)", sip_subscription_reason_name(reason),
                      status_code);
            sip_subscription_unref(presence->winfo);
            presence->winfo = NULL;
        }
    }
    else if (owner)
        buddy_on_state(owner, state, reason, status_code);
    if (state == SIP_SUBSCRIPTION_TERMINATED && presence->closing->len)
        prune_closing(presence);
    client_check_cleanup(presence->client);
}

static void on_notify(struct sip_subscription *subscription, const struct sip_subscription_notify *notify,
                      void *user_data)
{
    struct presence *presence = presence_of(user_data);
    void *owner = sip_subscription_get_user_data(subscription);
    guint i, j;

    if (subscription == presence->winfo)
    {
        for (i = 0; notify->watcherinfo && i < notify->watcherinfo->lists->len; i++)
        {
            const struct sip_watcher_list *list = g_ptr_array_index(notify->watcherinfo->lists, i);

            if (strcmp(list->package, "presence"))
                continue;
            for (j = 0; j < list->watchers->len; j++)
                watcher_on_winfo(presence, g_ptr_array_index(list->watchers, j));
        }
        return;
    }
    if (owner && !sip_subscription_is_notifier(subscription))
        buddy_on_notify(owner, notify);
}

static void on_fork_ended(struct sip_subscription *subscription, guint fork, enum sip_subscription_reason reason,
                          void *user_data)
{
    void *owner = sip_subscription_get_user_data(subscription);

    if (owner && !sip_subscription_is_notifier(subscription) && subscription != presence_of(user_data)->winfo)
        buddy_on_fork_ended(owner, fork);
}

static void on_notify_completed(struct sip_subscription *subscription, guint status_code, void *user_data)
{
    struct presence *presence = presence_of(user_data);

    if (!presence->closing->len)
        return;
    prune_closing(presence);
    client_check_cleanup(presence->client);
}

static const struct sip_subscription_callbacks subscription_callbacks =
{
    .subscription_received = on_subscription_received,
    .state_changed = on_subscription_state,
    .notify_received = on_notify,
    .fork_ended = on_fork_ended,
    .notify_completed = on_notify_completed,
};

static void on_publication(struct sip_publication *publication, enum sip_publication_state state, guint status_code,
                           const char *reason_phrase, void *user_data)
{
    struct presence *presence = presence_of(user_data);

    if (sip_publication_get_user_data(publication) != presence)
    {
        /* One being removed: once it is gone, PrepareForShutdown may be done. */
        if ((state == SIP_PUBLICATION_REMOVED || state == SIP_PUBLICATION_FAILED)
            && g_ptr_array_remove(presence->leaving, publication))
            client_check_cleanup(presence->client);
        return;
    }
    if (state == SIP_PUBLICATION_PUBLISHED)
        fire_publish_outcome(presence, S_OK, NULL);
    else if (state == SIP_PUBLICATION_FAILED)
        fire_publish_outcome(presence, rtc_hresult_from_sip_status(status_code), reason_phrase);
}

static const struct sip_publication_callbacks publication_callbacks = { on_publication };

void presence_attach_engine(struct presence *presence, struct sip_engine *engine)
{
    sip_engine_set_subscription_callbacks(engine, &subscription_callbacks, served_packages);
    sip_engine_set_publication_callbacks(engine, &publication_callbacks);
}

/* ---- the lists ------------------------------------------------------------------------------------ */

void presence_add_buddy(struct presence *presence, struct buddy *buddy)
{
    buddy_add_ref(buddy);
    g_ptr_array_add(presence->buddies, buddy);
}

void presence_add_watcher(struct presence *presence, struct watcher *watcher)
{
    watcher_add_ref(watcher);
    g_ptr_array_add(presence->watchers, watcher);
}

void presence_add_group(struct presence *presence, struct buddy_group *group)
{
    buddy_group_add_ref(group);
    g_ptr_array_add(presence->groups, group);
}

struct buddy *presence_find_buddy(struct presence *presence, const char *uri)
{
    guint i;

    for (i = 0; i < presence->buddies->len; i++)
        if (!g_ascii_strcasecmp(buddy_uri(g_ptr_array_index(presence->buddies, i)), uri))
            return g_ptr_array_index(presence->buddies, i);
    return NULL;
}

struct buddy_group *presence_find_group(struct presence *presence, const WCHAR *name)
{
    guint i;

    for (i = 0; name && i < presence->groups->len; i++)
    {
        BSTR group_name = buddy_group_name(g_ptr_array_index(presence->groups, i));

        if (group_name && !wcscmp(group_name, name))
            return g_ptr_array_index(presence->groups, i);
    }
    return NULL;
}

static void remove_buddy(struct presence *presence, struct buddy *buddy, BOOL fire)
{
    guint i;

    buddy_add_ref(buddy);
    for (i = 0; i < presence->groups->len; i++)
        buddy_group_forget(g_ptr_array_index(presence->groups, i), buddy);
    if (g_ptr_array_remove(presence->buddies, buddy))
    {
        buddy_detach(buddy);
        if (fire)
            presence_fire_buddy_event(presence, buddy, RTCBET_BUDDY_REMOVE, S_OK, NULL);
        buddy_release(buddy);
    }
    buddy_release(buddy);
}

static void remove_watcher(struct presence *presence, struct watcher *watcher, BOOL fire)
{
    watcher_add_ref(watcher);
    if (g_ptr_array_remove(presence->watchers, watcher))
    {
        /* Whoever it decided for subscribes again and is decided anew. */
        watcher_detach(watcher, SIP_SUBSCRIPTION_REASON_DEACTIVATED);
        if (fire)
            presence_fire_watcher_event(presence, watcher, RTCWET_WATCHER_REMOVE, S_OK);
        watcher_release(watcher);
    }
    watcher_release(watcher);
}

static void remove_group(struct presence *presence, struct buddy_group *group, BOOL fire)
{
    buddy_group_add_ref(group);
    if (g_ptr_array_remove(presence->groups, group))
    {
        buddy_group_detach(group);
        if (fire)
            presence_fire_group_event(presence, group, RTCGET_GROUP_REMOVE, NULL, S_OK);
        buddy_group_release(group);
    }
    buddy_group_release(group);
}

void presence_clear_lists(struct presence *presence, BOOL fire)
{
    while (presence->groups->len)
        remove_group(presence, g_ptr_array_index(presence->groups, presence->groups->len - 1), fire);
    while (presence->buddies->len)
        remove_buddy(presence, g_ptr_array_index(presence->buddies, presence->buddies->len - 1), fire);
    while (presence->watchers->len)
        remove_watcher(presence, g_ptr_array_index(presence->watchers, presence->watchers->len - 1), fire);
}

void presence_save(struct presence *presence)
{
    VARIANT storage;

    if (presence->loading || !presence->enabled || (!presence->storage_path && !presence->storage_stream))
        return;
    VariantInit(&storage);
    if (presence->storage_path)
    {
        V_VT(&storage) = VT_BSTR;
        V_BSTR(&storage) = com_bstr_from_utf8(presence->storage_path);
    }
    else
    {
        V_VT(&storage) = VT_UNKNOWN;
        V_UNKNOWN(&storage) = presence->storage_stream;
        IUnknown_AddRef(presence->storage_stream);
    }
    presence_store_write(presence, &storage);
    VariantClear(&storage);
}

/* ---- life cycle --------------------------------------------------------------------------------------- */

struct presence *presence_new(struct client *client)
{
    struct presence *presence = g_new0(struct presence, 1);
    char *token = g_uuid_string_random();

    presence->client = client;
    presence->buddies = g_ptr_array_new();
    presence->watchers = g_ptr_array_new();
    presence->groups = g_ptr_array_new();
    presence->leaving = g_ptr_array_new_with_free_func((GDestroyNotify)sip_publication_unref);
    presence->closing = g_ptr_array_new_with_free_func((GDestroyNotify)sip_subscription_unref);
    presence->offer_mode = RTCOWM_OFFER_WATCHER_EVENT;
    presence->privacy_mode = RTCPM_BLOCK_LIST_EXCLUDED;
    presence->status = RTCXS_PRESENCE_ONLINE;
    presence->device_id = g_strconcat("urn:uuid:", token, NULL);
    presence->tuple_id = g_strndup(token, 8);
    g_free(token);
    return presence;
}

static void forget_storage(struct presence *presence)
{
    g_free(presence->storage_path);
    presence->storage_path = NULL;
    if (presence->storage_stream)
        IUnknown_Release(presence->storage_stream);
    presence->storage_stream = NULL;
}

/* Ends presence: lists emptied (objects detached), our state withdrawn when
 * wire: the PUBLISH removed and the winfo subscription ended. */
static void disable(struct presence *presence, BOOL wire)
{
    presence_clear_lists(presence, FALSE);
    if (presence->publication)
    {
        /* Withdrawn from the server; PrepareForShutdown waits for that. */
        sip_publication_set_user_data(presence->publication, NULL);
        if (wire && sip_publication_remove(presence->publication, NULL))
            g_ptr_array_add(presence->leaving, presence->publication);
        else
            sip_publication_unref(presence->publication);
        presence->publication = NULL;
    }
    if (presence->winfo)
    {
        if (wire && sip_subscription_unsubscribe(presence->winfo, NULL))
            presence_track_closing(presence, presence->winfo);
        sip_subscription_unref(presence->winfo);
        presence->winfo = NULL;
    }
    if (presence->profile)
        IRTCProfile_Release(presence->profile);
    presence->profile = NULL;
    g_free(presence->server);
    presence->server = NULL;
    forget_storage(presence);
    presence->pending_changes = presence->pending_properties = 0;
    presence->enabled = FALSE;
}

void presence_prepare_shutdown(struct presence *presence)
{
    guint i;

    /* Watchers learn that we go (a last NOTIFY, closed); our own subscriptions end. */
    for (i = 0; i < presence->watchers->len; i++)
        watcher_detach(g_ptr_array_index(presence->watchers, i), SIP_SUBSCRIPTION_REASON_NORESOURCE);
    for (i = 0; i < presence->buddies->len; i++)
        buddy_detach(g_ptr_array_index(presence->buddies, i));
    if (presence->enabled)
        disable(presence, TRUE);
}

BOOL presence_pending(struct presence *presence)
{
    prune_closing(presence);
    return presence->leaving->len > 0 || presence->closing->len > 0;
}

void presence_shutdown(struct presence *presence)
{
    if (presence->enabled)
        disable(presence, FALSE);
    g_ptr_array_set_size(presence->leaving, 0);
    g_ptr_array_set_size(presence->closing, 0);
}

void presence_free(struct presence *presence)
{
    presence_shutdown(presence);
    g_ptr_array_free(presence->buddies, TRUE);
    g_ptr_array_free(presence->watchers, TRUE);
    g_ptr_array_free(presence->groups, TRUE);
    g_ptr_array_free(presence->leaving, TRUE);
    g_ptr_array_free(presence->closing, TRUE);
    SysFreeString(presence->notes);
    for (guint i = 0; i < PRESENCE_PROPERTY_COUNT; i++)
        SysFreeString(presence->properties[i]);
    SysFreeString(presence->data_namespace);
    SysFreeString(presence->data);
    g_free(presence->tuple_id);
    g_free(presence->device_id);
    g_free(presence);
}

/* The server of a profile: its proxy, else its registrar; NULL when it has neither. */
static char *profile_server(IRTCProfile *profile)
{
    const struct rtc_profile_data *data = profile ? rtc_profile_get_data(profile) : NULL;

    if (data && data->proxy)
        return registration_server_uri(data->proxy);
    if (data && data->registrar)
        return registration_server_uri(data->registrar);
    return NULL;
}

static HRESULT enable(struct presence *presence, IRTCProfile *profile, const VARIANT *storage)
{
    const VARIANT *value = storage;
    HRESULT hr, loaded = S_OK;

    if (FAILED(hr = client_ensure_transport(presence->client)))
        return hr;
    if (value && V_VT(value) == (VT_BYREF | VT_VARIANT))
        value = V_VARIANTREF(value);
    if (value && V_VT(value) != VT_EMPTY && V_VT(value) != VT_NULL && V_VT(value) != VT_ERROR)
    {
        if (V_VT(value) == VT_BSTR && V_BSTR(value) && *V_BSTR(value))
            presence->storage_path = com_utf8_from_wstr(V_BSTR(value));
        else if ((V_VT(value) == VT_UNKNOWN || V_VT(value) == VT_DISPATCH) && V_UNKNOWN(value)
                 && SUCCEEDED(IUnknown_QueryInterface(V_UNKNOWN(value), &IID_IStream,
                                                      (void **)&presence->storage_stream)))
            ;
        else
            return E_INVALIDARG;
    }
    if ((presence->profile = profile))
        IRTCProfile_AddRef(profile);
    presence->server = profile_server(profile);
    presence->enabled = TRUE;
    if (presence->storage_path || presence->storage_stream)
        loaded = presence_store_load(presence, value);
    if (presence_server_mode(presence))
    {
        publish(presence);
        subscribe_winfo(presence);
    }
    return loaded;
}

/* ---- IRTCClientPresence: enabling and storage ---------------------------------------------------------- */

static HRESULT check_enabled(struct presence *presence)
{
    HRESULT hr;

    if (FAILED(hr = client_check_ready(presence->client)))
        return hr;
    return presence->enabled ? S_OK : RTC_E_PRESENCE_NOT_ENABLED;
}

static HRESULT WINAPI presence_QueryInterface(IRTCClientPresence2 *iface, REFIID riid, void **ppv)
{
    return IRTCClient_QueryInterface(client_iface(client_from_presence_iface(iface)), riid, ppv);
}

static ULONG WINAPI presence_AddRef(IRTCClientPresence2 *iface)
{
    return IRTCClient_AddRef(client_iface(client_from_presence_iface(iface)));
}

static ULONG WINAPI presence_Release(IRTCClientPresence2 *iface)
{
    return IRTCClient_Release(client_iface(client_from_presence_iface(iface)));
}

static HRESULT WINAPI presence_EnablePresence(IRTCClientPresence2 *iface, VARIANT_BOOL use_storage, VARIANT storage)
{
    struct presence *presence = impl_from_IRTCClientPresence2(iface);
    IRTCProfile *profile = NULL;
    IUnknown **profiles;
    unsigned int count;
    HRESULT hr;

    if (FAILED(hr = client_check_ready(presence->client)))
        return hr;
    /* "Subsequent calls close the existing store (or lose the buddies) and open the new one." */
    if (presence->enabled)
        disable(presence, TRUE);
    /* The default profile: the first one enabled (RTC 1.0 had one). */
    profiles = registration_profiles(presence->client, &count);
    if (count)
        profile = (IRTCProfile *)profiles[0];
    hr = enable(presence, profile, use_storage ? &storage : NULL);
    g_free(profiles);
    return hr;
}

static HRESULT WINAPI presence_Export(IRTCClientPresence2 *iface, VARIANT storage)
{
    struct presence *presence = impl_from_IRTCClientPresence2(iface);
    HRESULT hr;

    if (FAILED(hr = check_enabled(presence)))
        return hr;
    return presence_store_write(presence, &storage);
}

static HRESULT WINAPI presence_Import(IRTCClientPresence2 *iface, VARIANT storage, VARIANT_BOOL replace_all)
{
    struct presence *presence = impl_from_IRTCClientPresence2(iface);
    HRESULT hr;

    if (FAILED(hr = check_enabled(presence)))
        return hr;
    return presence_store_import(presence, &storage, replace_all != VARIANT_FALSE);
}

/* ---- buddies ------------------------------------------------------------------------------------------ */

static IUnknown **list_items(GPtrArray *list, IUnknown *(*iface_of)(void *))
{
    IUnknown **items = g_new0(IUnknown *, list->len + 1);
    guint i;

    for (i = 0; i < list->len; i++)
        items[i] = iface_of(g_ptr_array_index(list, i));
    return items;
}

static IUnknown *buddy_unknown(void *buddy)
{
    return (IUnknown *)buddy_iface(buddy);
}

static IUnknown *watcher_unknown(void *watcher)
{
    return (IUnknown *)watcher_iface(watcher);
}

static IUnknown *group_unknown(void *group)
{
    return (IUnknown *)buddy_group_iface(group);
}

static HRESULT WINAPI presence_EnumerateBuddies(IRTCClientPresence2 *iface, IRTCEnumBuddies **out)
{
    struct presence *presence = impl_from_IRTCClientPresence2(iface);
    IUnknown **items;
    HRESULT hr;

    if (!out)
        return E_POINTER;
    *out = NULL;
    if (FAILED(hr = check_enabled(presence)))
        return hr;
    items = list_items(presence->buddies, buddy_unknown);
    hr = rtc_enum_buddies_create(items, presence->buddies->len, out);
    g_free(items);
    return hr;
}

static HRESULT WINAPI presence_get_Buddies(IRTCClientPresence2 *iface, IRTCCollection **out)
{
    struct presence *presence = impl_from_IRTCClientPresence2(iface);
    IUnknown **items;
    HRESULT hr;

    if (!out)
        return E_POINTER;
    *out = NULL;
    if (FAILED(hr = check_enabled(presence)))
        return hr;
    items = list_items(presence->buddies, buddy_unknown);
    hr = rtc_collection_create(items, presence->buddies->len, out);
    g_free(items);
    return hr;
}

/* A presentity URI given to the API, normalised; RTC_E_INVALID_SIP_URL otherwise. */
static HRESULT normalize_uri(BSTR uri, char **normalized)
{
    char *utf8;
    HRESULT hr;

    *normalized = NULL;
    if (!uri || !*uri)
        return RTC_E_INVALID_SIP_URL;
    utf8 = com_utf8_from_wstr(uri);
    hr = rtc_profile_normalize_sip_uri(utf8, normalized);
    g_free(utf8);
    return hr;
}

static HRESULT WINAPI presence_get_Buddy(IRTCClientPresence2 *iface, BSTR uri, IRTCBuddy **out)
{
    struct presence *presence = impl_from_IRTCClientPresence2(iface);
    struct buddy *buddy;
    char *normalized;
    HRESULT hr;

    if (!out)
        return E_POINTER;
    *out = NULL;
    if (FAILED(hr = check_enabled(presence)) || FAILED(hr = normalize_uri(uri, &normalized)))
        return hr;
    buddy = presence_find_buddy(presence, normalized);
    g_free(normalized);
    if (!buddy)
        return RTC_E_NO_BUDDY;
    return IRTCBuddy2_QueryInterface(buddy_iface(buddy), &IID_IRTCBuddy, (void **)out);
}

static HRESULT check_profile(IRTCProfile *profile)
{
    return !profile || rtc_profile_get_data(profile) ? S_OK : E_INVALIDARG;
}

static HRESULT WINAPI presence_AddBuddyEx(IRTCClientPresence2 *iface, BSTR uri, BSTR name, BSTR data,
                                          VARIANT_BOOL persistent, RTC_BUDDY_SUBSCRIPTION_TYPE type,
                                          IRTCProfile *profile, LONG flags, IRTCBuddy2 **out)
{
    struct presence *presence = impl_from_IRTCClientPresence2(iface);
    struct buddy *buddy;
    char *normalized;
    HRESULT hr;

    if (out)
        *out = NULL;
    if (FAILED(hr = check_enabled(presence)) || FAILED(hr = check_profile(profile))
        || FAILED(hr = normalize_uri(uri, &normalized)))
        return hr;
    if (presence_find_buddy(presence, normalized))
    {
        g_free(normalized);
        return RTC_E_DUPLICATE_BUDDY;
    }
    hr = buddy_create(presence, normalized, name, data, persistent != VARIANT_FALSE, type, profile, &buddy);
    g_free(normalized);
    if (FAILED(hr))
        return hr;
    presence_add_buddy(presence, buddy);
    presence_fire_buddy_event(presence, buddy, RTCBET_BUDDY_ADD, S_OK, NULL);
    if (buddy_persistent(buddy))
        presence_save(presence);
    buddy_start(buddy);
    if (out)
        *out = buddy_iface(buddy);  /* the creation reference */
    else
        buddy_release(buddy);
    return S_OK;
}

static HRESULT WINAPI presence_AddBuddy(IRTCClientPresence2 *iface, BSTR uri, BSTR name, BSTR data,
                                        VARIANT_BOOL persistent, IRTCProfile *profile, LONG flags, IRTCBuddy **out)
{
    return presence_AddBuddyEx(iface, uri, name, data, persistent, RTCBT_SUBSCRIBED, profile, flags,
                               (IRTCBuddy2 **)out);
}

static HRESULT WINAPI presence_RemoveBuddy(IRTCClientPresence2 *iface, IRTCBuddy *buddy_in)
{
    struct presence *presence = impl_from_IRTCClientPresence2(iface);
    struct buddy *buddy = buddy_from_iface((IUnknown *)buddy_in);
    BOOL persistent;
    HRESULT hr;

    if (FAILED(hr = check_enabled(presence)))
        return hr;
    if (!buddy_in)
        return E_POINTER;
    if (!buddy || !g_ptr_array_find(presence->buddies, buddy, NULL))
        return RTC_E_NO_BUDDY;
    persistent = buddy_persistent(buddy);
    remove_buddy(presence, buddy, TRUE);
    if (persistent)
        presence_save(presence);
    return S_OK;
}

/* ---- watchers ------------------------------------------------------------------------------------------- */

static HRESULT WINAPI presence_EnumerateWatchers(IRTCClientPresence2 *iface, IRTCEnumWatchers **out)
{
    struct presence *presence = impl_from_IRTCClientPresence2(iface);
    IUnknown **items;
    HRESULT hr;

    if (!out)
        return E_POINTER;
    *out = NULL;
    if (FAILED(hr = check_enabled(presence)))
        return hr;
    items = list_items(presence->watchers, watcher_unknown);
    hr = rtc_enum_watchers_create(items, presence->watchers->len, out);
    g_free(items);
    return hr;
}

static HRESULT WINAPI presence_get_Watchers(IRTCClientPresence2 *iface, IRTCCollection **out)
{
    struct presence *presence = impl_from_IRTCClientPresence2(iface);
    IUnknown **items;
    HRESULT hr;

    if (!out)
        return E_POINTER;
    *out = NULL;
    if (FAILED(hr = check_enabled(presence)))
        return hr;
    items = list_items(presence->watchers, watcher_unknown);
    hr = rtc_collection_create(items, presence->watchers->len, out);
    g_free(items);
    return hr;
}

static HRESULT WINAPI presence_get_WatcherEx(IRTCClientPresence2 *iface, RTC_WATCHER_MATCH_MODE mode, BSTR uri,
                                             IRTCWatcher2 **out)
{
    struct presence *presence = impl_from_IRTCClientPresence2(iface);
    struct watcher *watcher;
    char *normalized;
    HRESULT hr;

    if (!out)
        return E_POINTER;
    *out = NULL;
    if (mode != RTCWMM_EXACT_MATCH && mode != RTCWMM_BEST_ACE_MATCH)
        return E_INVALIDARG;
    if (FAILED(hr = check_enabled(presence)) || FAILED(hr = normalize_uri(uri, &normalized)))
        return hr;
    watcher = watcher_find(presence, normalized, mode == RTCWMM_BEST_ACE_MATCH);
    g_free(normalized);
    if (!watcher)
        return RTC_E_NO_WATCHER;
    *out = watcher_iface(watcher);
    IRTCWatcher2_AddRef(*out);
    return S_OK;
}

static HRESULT WINAPI presence_get_Watcher(IRTCClientPresence2 *iface, BSTR uri, IRTCWatcher **out)
{
    return presence_get_WatcherEx(iface, RTCWMM_EXACT_MATCH, uri, (IRTCWatcher2 **)out);
}

static HRESULT WINAPI presence_AddWatcherEx(IRTCClientPresence2 *iface, BSTR uri, BSTR name, BSTR data,
                                            RTC_WATCHER_STATE state, VARIANT_BOOL persistent, RTC_ACE_SCOPE scope,
                                            IRTCProfile *profile, LONG flags, IRTCWatcher2 **out)
{
    struct presence *presence = impl_from_IRTCClientPresence2(iface);
    struct watcher *watcher;
    char *normalized;
    HRESULT hr;

    if (out)
        *out = NULL;
    if (FAILED(hr = check_enabled(presence)) || FAILED(hr = check_profile(profile)))
        return hr;
    if ((state != RTCWS_ALLOWED && state != RTCWS_BLOCKED && state != RTCWS_DENIED)
        || (unsigned int)scope > RTCAS_SCOPE_ALL)
        return E_INVALIDARG;
    if (FAILED(hr = normalize_uri(uri, &normalized)))
        return hr;
    if ((watcher = watcher_find_entry(presence, normalized, scope)))
    {
        RTC_WATCHER_STATE current = watcher_state(watcher);

        g_free(normalized);
        if (current == RTCWS_ALLOWED || current == RTCWS_BLOCKED || current == RTCWS_DENIED)
            return RTC_E_DUPLICATE_WATCHER;
        /* An offered watcher: adding it is answering the offer. */
        IRTCWatcher2_put_Persistent(watcher_iface(watcher), persistent);
        IRTCWatcher2_put_State(watcher_iface(watcher), state);
        if (name)
            IRTCWatcher2_put_Name(watcher_iface(watcher), name);
        if (data)
            IRTCWatcher2_put_Data(watcher_iface(watcher), data);
        watcher_add_ref(watcher);
    }
    else
    {
        hr = watcher_create(presence, normalized, name, data, state, persistent != VARIANT_FALSE, scope, profile,
                            &watcher);
        g_free(normalized);
        if (FAILED(hr))
            return hr;
        presence_add_watcher(presence, watcher);
        if (watcher_persistent(watcher))
            presence_save(presence);
    }
    presence_fire_watcher_event(presence, watcher, RTCWET_WATCHER_ADD, S_OK);
    if (out)
        *out = watcher_iface(watcher);
    else
        watcher_release(watcher);
    return S_OK;
}

static HRESULT WINAPI presence_AddWatcher(IRTCClientPresence2 *iface, BSTR uri, BSTR name, BSTR data,
                                          VARIANT_BOOL blocked, VARIANT_BOOL persistent, IRTCWatcher **out)
{
    return presence_AddWatcherEx(iface, uri, name, data, blocked ? RTCWS_BLOCKED : RTCWS_ALLOWED, persistent,
                                 RTCAS_SCOPE_USER, NULL, 0, (IRTCWatcher2 **)out);
}

static HRESULT WINAPI presence_RemoveWatcher(IRTCClientPresence2 *iface, IRTCWatcher *watcher_in)
{
    struct presence *presence = impl_from_IRTCClientPresence2(iface);
    struct watcher *watcher = watcher_from_iface((IUnknown *)watcher_in);
    BOOL persistent;
    HRESULT hr;

    if (FAILED(hr = check_enabled(presence)))
        return hr;
    if (!watcher_in)
        return E_POINTER;
    if (!watcher || !g_ptr_array_find(presence->watchers, watcher, NULL))
        return RTC_E_NO_WATCHER;
    persistent = watcher_persistent(watcher);
    remove_watcher(presence, watcher, TRUE);
    if (persistent)
        presence_save(presence);
    return S_OK;
}

/* ---- the local user's presence ----------------------------------------------------------------------------- */

static HRESULT copy_limited(BSTR value, unsigned int limit, BSTR *field)
{
    BSTR copy = NULL;

    if (value && SysStringLen(value) > limit)
        return E_INVALIDARG;
    if (value && *value && !(copy = SysAllocString(value)))
        return E_OUTOFMEMORY;
    SysFreeString(*field);
    *field = copy;
    return S_OK;
}

static HRESULT WINAPI presence_SetLocalPresenceInfo(IRTCClientPresence2 *iface, RTC_PRESENCE_STATUS status,
                                                    BSTR notes)
{
    struct presence *presence = impl_from_IRTCClientPresence2(iface);
    HRESULT hr;

    if (FAILED(hr = check_enabled(presence)))
        return hr;
    if ((unsigned int)status > RTCXS_PRESENCE_OUT_TO_LUNCH)
        return E_INVALIDARG;
    if (FAILED(hr = copy_limited(notes, MAX_NOTES_CHARS, &presence->notes)))
        return hr;
    presence->status = status;
    local_changed(presence, PRESENCE_CHANGE_STATUS, 0);
    return S_OK;
}

static HRESULT WINAPI presence_GetLocalPresenceInfo(IRTCClientPresence2 *iface, RTC_PRESENCE_STATUS *status,
                                                    BSTR *notes)
{
    struct presence *presence = impl_from_IRTCClientPresence2(iface);
    HRESULT hr;

    if (!status || !notes)
        return E_POINTER;
    if (FAILED(hr = check_enabled(presence)))
        return hr;
    *status = presence->status;
    *notes = SysAllocStringLen(presence->notes, SysStringLen(presence->notes));
    return *notes ? S_OK : E_OUTOFMEMORY;
}

static HRESULT WINAPI presence_get_OfferWatcherMode(IRTCClientPresence2 *iface, RTC_OFFER_WATCHER_MODE *mode)
{
    struct presence *presence = impl_from_IRTCClientPresence2(iface);
    HRESULT hr;

    if (!mode)
        return E_POINTER;
    if (FAILED(hr = client_check_ready(presence->client)))
        return hr;
    *mode = presence->offer_mode;
    return S_OK;
}

static HRESULT WINAPI presence_put_OfferWatcherMode(IRTCClientPresence2 *iface, RTC_OFFER_WATCHER_MODE mode)
{
    struct presence *presence = impl_from_IRTCClientPresence2(iface);
    HRESULT hr;

    /* The MSDN samples set it before EnablePresence: no need for presence to be enabled. */
    if (FAILED(hr = client_check_ready(presence->client)))
        return hr;
    if (mode != RTCOWM_OFFER_WATCHER_EVENT && mode != RTCOWM_AUTOMATICALLY_ADD_WATCHER)
        return E_INVALIDARG;
    presence->offer_mode = mode;
    return S_OK;
}

static HRESULT WINAPI presence_get_PrivacyMode(IRTCClientPresence2 *iface, RTC_PRIVACY_MODE *mode)
{
    struct presence *presence = impl_from_IRTCClientPresence2(iface);
    HRESULT hr;

    if (!mode)
        return E_POINTER;
    if (FAILED(hr = client_check_ready(presence->client)))
        return hr;
    *mode = presence->privacy_mode;
    return S_OK;
}

static HRESULT WINAPI presence_put_PrivacyMode(IRTCClientPresence2 *iface, RTC_PRIVACY_MODE mode)
{
    struct presence *presence = impl_from_IRTCClientPresence2(iface);
    HRESULT hr;

    if (FAILED(hr = client_check_ready(presence->client)))
        return hr;
    if (mode != RTCPM_BLOCK_LIST_EXCLUDED && mode != RTCPM_ALLOW_LIST_ONLY)
        return E_INVALIDARG;
    if (mode == presence->privacy_mode)
        return S_OK;
    presence->privacy_mode = mode;
    /* Undecided watchers now see us, or no longer do. */
    if (presence->enabled)
        watcher_notify_all(presence);
    return S_OK;
}

/* ---- IRTCClientPresence2 ------------------------------------------------------------------------------------ */

static HRESULT WINAPI presence_EnablePresenceEx(IRTCClientPresence2 *iface, IRTCProfile *profile, VARIANT storage,
                                                LONG flags)
{
    struct presence *presence = impl_from_IRTCClientPresence2(iface);
    HRESULT hr;

    if (FAILED(hr = client_check_ready(presence->client)))
        return hr;
    if (presence->enabled)
        return RTC_E_PRESENCE_ENABLED;
    if (FAILED(hr = check_profile(profile)))
        return hr;
    return enable(presence, profile, &storage);
}

static HRESULT WINAPI presence_DisablePresence(IRTCClientPresence2 *iface)
{
    struct presence *presence = impl_from_IRTCClientPresence2(iface);
    HRESULT hr;

    if (FAILED(hr = check_enabled(presence)))
        return hr;
    disable(presence, TRUE);
    return S_OK;
}

static HRESULT WINAPI presence_AddGroup(IRTCClientPresence2 *iface, BSTR name, BSTR data, IRTCProfile *profile,
                                        LONG flags, IRTCBuddyGroup **out)
{
    struct presence *presence = impl_from_IRTCClientPresence2(iface);
    struct buddy_group *group;
    HRESULT hr;

    if (out)
        *out = NULL;
    if (FAILED(hr = check_enabled(presence)) || FAILED(hr = check_profile(profile)))
        return hr;
    if (!name || !*name)
        return E_INVALIDARG;
    if (presence_find_group(presence, name))
        return RTC_E_DUPLICATE_GROUP;
    if (FAILED(hr = buddy_group_create(presence, name, data, profile, &group)))
        return hr;
    presence_add_group(presence, group);
    presence_save(presence);
    presence_fire_group_event(presence, group, RTCGET_GROUP_ADD, NULL, S_OK);
    if (out)
        *out = buddy_group_iface(group);
    else
        buddy_group_release(group);
    return S_OK;
}

static HRESULT WINAPI presence_RemoveGroup(IRTCClientPresence2 *iface, IRTCBuddyGroup *group_in)
{
    struct presence *presence = impl_from_IRTCClientPresence2(iface);
    struct buddy_group *group = buddy_group_from_iface((IUnknown *)group_in);
    HRESULT hr;

    if (FAILED(hr = check_enabled(presence)))
        return hr;
    if (!group_in)
        return E_POINTER;
    if (!group || !g_ptr_array_find(presence->groups, group, NULL))
        return RTC_E_NO_GROUP;
    remove_group(presence, group, TRUE);
    presence_save(presence);
    return S_OK;
}

static HRESULT WINAPI presence_EnumerateGroups(IRTCClientPresence2 *iface, IRTCEnumGroups **out)
{
    struct presence *presence = impl_from_IRTCClientPresence2(iface);
    IUnknown **items;
    HRESULT hr;

    if (!out)
        return E_POINTER;
    *out = NULL;
    if (FAILED(hr = check_enabled(presence)))
        return hr;
    items = list_items(presence->groups, group_unknown);
    hr = rtc_enum_groups_create(items, presence->groups->len, out);
    g_free(items);
    return hr;
}

static HRESULT WINAPI presence_get_Groups(IRTCClientPresence2 *iface, IRTCCollection **out)
{
    struct presence *presence = impl_from_IRTCClientPresence2(iface);
    IUnknown **items;
    HRESULT hr;

    if (!out)
        return E_POINTER;
    *out = NULL;
    if (FAILED(hr = check_enabled(presence)))
        return hr;
    items = list_items(presence->groups, group_unknown);
    hr = rtc_collection_create(items, presence->groups->len, out);
    g_free(items);
    return hr;
}

static HRESULT WINAPI presence_get_Group(IRTCClientPresence2 *iface, BSTR name, IRTCBuddyGroup **out)
{
    struct presence *presence = impl_from_IRTCClientPresence2(iface);
    struct buddy_group *group;
    HRESULT hr;

    if (!out)
        return E_POINTER;
    *out = NULL;
    if (FAILED(hr = check_enabled(presence)))
        return hr;
    if (!(group = presence_find_group(presence, name)))
        return RTC_E_NO_GROUP;
    *out = buddy_group_iface(group);
    IRTCBuddyGroup_AddRef(*out);
    return S_OK;
}

static HRESULT WINAPI presence_put_PresenceProperty(IRTCClientPresence2 *iface, RTC_PRESENCE_PROPERTY property,
                                                    BSTR value)
{
    struct presence *presence = impl_from_IRTCClientPresence2(iface);
    HRESULT hr;

    if (FAILED(hr = check_enabled(presence)))
        return hr;
    if ((unsigned int)property >= PRESENCE_PROPERTY_COUNT)
        return E_INVALIDARG;
    if (FAILED(hr = copy_limited(value, MAX_PROPERTY_CHARS, &presence->properties[property])))
        return hr;
    local_changed(presence, PRESENCE_CHANGE_PROPERTY, 1u << property);
    return S_OK;
}

static HRESULT WINAPI presence_get_PresenceProperty(IRTCClientPresence2 *iface, RTC_PRESENCE_PROPERTY property,
                                                    BSTR *value)
{
    struct presence *presence = impl_from_IRTCClientPresence2(iface);
    HRESULT hr;

    if (!value)
        return E_POINTER;
    *value = NULL;
    if (FAILED(hr = check_enabled(presence)))
        return hr;
    if ((unsigned int)property >= PRESENCE_PROPERTY_COUNT)
        return E_INVALIDARG;
    *value = SysAllocStringLen(presence->properties[property], SysStringLen(presence->properties[property]));
    return *value ? S_OK : E_OUTOFMEMORY;
}

static HRESULT WINAPI presence_SetPresenceData(IRTCClientPresence2 *iface, BSTR namespace_uri, BSTR data)
{
    struct presence *presence = impl_from_IRTCClientPresence2(iface);
    BOOL clear = (!namespace_uri || !*namespace_uri) && (!data || !*data);
    HRESULT hr;

    if (FAILED(hr = check_enabled(presence)))
        return hr;
    if (!clear)
    {
        /* One well-formed element in that namespace: what the document can carry (RFC 3863 §4.1.6). */
        struct sip_presence_document *scratch = sip_presence_document_new("sip:check@invalid");
        char *ns = com_utf8_from_wstr(namespace_uri), *xml = com_utf8_from_wstr(data);
        gboolean ok = ns && xml && sip_presence_document_add_extension(scratch, ns, xml, NULL);

        g_free(ns);
        g_free(xml);
        sip_presence_document_free(scratch);
        if (!ok)
            return E_INVALIDARG;
    }
    if (FAILED(hr = copy_limited(namespace_uri, G_MAXUINT, &presence->data_namespace))
        || FAILED(hr = copy_limited(data, G_MAXUINT, &presence->data)))
        return hr;
    local_changed(presence, PRESENCE_CHANGE_DATA, 0);
    return S_OK;
}

static HRESULT WINAPI presence_GetPresenceData(IRTCClientPresence2 *iface, BSTR *namespace_uri, BSTR *data)
{
    struct presence *presence = impl_from_IRTCClientPresence2(iface);
    HRESULT hr;

    if (!namespace_uri || !data)
        return E_POINTER;
    *namespace_uri = *data = NULL;
    if (FAILED(hr = check_enabled(presence)))
        return hr;
    *namespace_uri = SysAllocStringLen(presence->data_namespace, SysStringLen(presence->data_namespace));
    *data = SysAllocStringLen(presence->data, SysStringLen(presence->data));
    if (!*namespace_uri || !*data)
    {
        SysFreeString(*namespace_uri);
        SysFreeString(*data);
        *namespace_uri = *data = NULL;
        return E_OUTOFMEMORY;
    }
    return S_OK;
}

const IRTCClientPresence2Vtbl rtc_client_presence_vtbl =
{
    presence_QueryInterface,
    presence_AddRef,
    presence_Release,
    presence_EnablePresence,
    presence_Export,
    presence_Import,
    presence_EnumerateBuddies,
    presence_get_Buddies,
    presence_get_Buddy,
    presence_AddBuddy,
    presence_RemoveBuddy,
    presence_EnumerateWatchers,
    presence_get_Watchers,
    presence_get_Watcher,
    presence_AddWatcher,
    presence_RemoveWatcher,
    presence_SetLocalPresenceInfo,
    presence_get_OfferWatcherMode,
    presence_put_OfferWatcherMode,
    presence_get_PrivacyMode,
    presence_put_PrivacyMode,
    presence_EnablePresenceEx,
    presence_DisablePresence,
    presence_AddGroup,
    presence_RemoveGroup,
    presence_EnumerateGroups,
    presence_get_Groups,
    presence_get_Group,
    presence_AddWatcherEx,
    presence_get_WatcherEx,
    presence_put_PresenceProperty,
    presence_get_PresenceProperty,
    presence_SetPresenceData,
    presence_GetPresenceData,
    presence_GetLocalPresenceInfo,
    presence_AddBuddyEx,
};
