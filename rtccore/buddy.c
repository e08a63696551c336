/*
 * Buddies: IRTCBuddy2 (and IRTCBuddy, IRTCPresenceContact) and the
 * subscription to each buddy's presence (docs/wire-mapping.md, "Presence").
 *
 * A buddy of type RTCBT_SUBSCRIBED subscribes to its presentity as soon as
 * it is added: peer to peer, directly; in server mode through the presence
 * profile's server. Every NOTIFY's document becomes the buddy's devices
 * (one per notifier that answered a forked SUBSCRIBE, one per service tuple
 * each), its status is the most available of them. Events (filter
 * RTCEF_BUDDY2 for all, RTCEF_BUDDY for state changes only):
 *   ADD / REMOVE        the list changed (AddBuddy, RemoveBuddy, Import ...)
 *   SUBSCRIBED          the subscription was accepted (status 0) or failed (an RTC_E_ code)
 *   STATE_CHANGE        status or notes changed
 *   UPDATE              only the presentity's properties, devices or data changed
 * A subscription that ends (other than refused) is tried again after
 * BUDDY_RETRY_S; RTCBT_POLL buddies fetch once per Refresh().
 */
#include <string.h>
#include "presence.h"
#include "collection.h"
#include "profile.h"

/* After a subscription failed or ended: how long until the buddy subscribes again. */
#define BUDDY_RETRY_S 60

struct buddy_fork
{
    guint number;
    GPtrArray *devices;                 /* struct presence_device_info * */
};

struct buddy
{
    IRTCBuddy2 IRTCBuddy2_iface;
    LONG refcount;
    struct presence *presence;          /* NULL once detached */
    GThread *owner;
    GMainContext *context;              /* for the retry timer */
    char *uri;                          /* UTF-8, normalised */
    BSTR name;
    BSTR data;
    BOOL persistent;
    RTC_BUDDY_SUBSCRIPTION_TYPE type;
    IRTCProfile *profile;               /* NULL: the presence profile */

    struct sip_subscription *subscription;
    BOOL subscribed;                    /* SUBSCRIBED was reported for the current subscription */
    GPtrArray *forks;                   /* struct buddy_fork * */
    RTC_PRESENCE_STATUS status;
    char *notes;
    GPtrArray *devices;                 /* the aggregate: struct presence_device_info *, owned */
    GSource *retry;
};

static struct buddy *impl_from_IRTCBuddy2(IRTCBuddy2 *iface)
{
    return CONTAINING_RECORD(iface, struct buddy, IRTCBuddy2_iface);
}

IRTCBuddy2 *buddy_iface(struct buddy *buddy)
{
    return &buddy->IRTCBuddy2_iface;
}

const char *buddy_uri(struct buddy *buddy)
{
    return buddy->uri;
}

BOOL buddy_persistent(struct buddy *buddy)
{
    return buddy->persistent;
}

RTC_BUDDY_SUBSCRIPTION_TYPE buddy_type(struct buddy *buddy)
{
    return buddy->type;
}

BSTR buddy_name(struct buddy *buddy)
{
    return buddy->name;
}

BSTR buddy_data(struct buddy *buddy)
{
    return buddy->data;
}

BOOL buddy_subscribed(struct buddy *buddy)
{
    return buddy->subscription && sip_subscription_get_status(buddy->subscription) != SIP_SUBSCRIPTION_TERMINATED;
}

void buddy_add_ref(struct buddy *buddy)
{
    InterlockedIncrement(&buddy->refcount);
}

static HRESULT check_thread(struct buddy *buddy)
{
    return buddy->owner == g_thread_self() ? S_OK : RPC_E_WRONG_THREAD;
}

/* ---- the devices ------------------------------------------------------------------------ */

static void fork_free(gpointer data)
{
    struct buddy_fork *fork = data;

    g_ptr_array_free(fork->devices, TRUE);
    g_free(fork);
}

static struct buddy_fork *find_fork(struct buddy *buddy, guint number, BOOL create)
{
    struct buddy_fork *fork;
    guint i;

    for (i = 0; i < buddy->forks->len; i++)
        if (((struct buddy_fork *)g_ptr_array_index(buddy->forks, i))->number == number)
            return g_ptr_array_index(buddy->forks, i);
    if (!create)
        return NULL;
    fork = g_new0(struct buddy_fork, 1);
    fork->number = number;
    fork->devices = g_ptr_array_new_with_free_func((GDestroyNotify)presence_device_info_free);
    g_ptr_array_add(buddy->forks, fork);
    return fork;
}

static struct presence_device_info *copy_info(const struct presence_device_info *info)
{
    struct presence_device_info *copy = g_new0(struct presence_device_info, 1);
    guint i;

    copy->status = info->status;
    copy->notes = g_strdup(info->notes);
    for (i = 0; i < PRESENCE_PROPERTY_COUNT; i++)
        copy->properties[i] = g_strdup(info->properties[i]);
    copy->data_namespace = g_strdup(info->data_namespace);
    copy->data = g_strdup(info->data);
    return copy;
}

static BOOL info_equal(const struct presence_device_info *a, const struct presence_device_info *b)
{
    guint i;

    if (a->status != b->status || g_strcmp0(a->notes, b->notes) || g_strcmp0(a->data_namespace, b->data_namespace)
        || g_strcmp0(a->data, b->data))
        return FALSE;
    for (i = 0; i < PRESENCE_PROPERTY_COUNT; i++)
        if (g_strcmp0(a->properties[i], b->properties[i]))
            return FALSE;
    return TRUE;
}

/* Recomputes the aggregate from every fork and tells the application what changed. */
static void update_devices(struct buddy *buddy)
{
    GPtrArray *devices = g_ptr_array_new_with_free_func((GDestroyNotify)presence_device_info_free);
    RTC_PRESENCE_STATUS status;
    const char *notes = NULL;
    BOOL same_devices;
    guint i, j;

    for (i = 0; i < buddy->forks->len; i++)
    {
        struct buddy_fork *fork = g_ptr_array_index(buddy->forks, i);

        for (j = 0; j < fork->devices->len; j++)
            g_ptr_array_add(devices, copy_info(g_ptr_array_index(fork->devices, j)));
    }
    status = presence_status_aggregate(devices);
    for (i = 0; i < devices->len && !notes; i++)
    {
        const struct presence_device_info *info = g_ptr_array_index(devices, i);

        if (info->status == status)
            notes = info->notes;
    }
    same_devices = devices->len == buddy->devices->len;
    for (i = 0; same_devices && i < devices->len; i++)
        same_devices = info_equal(g_ptr_array_index(devices, i), g_ptr_array_index(buddy->devices, i));

    if (status != buddy->status || g_strcmp0(notes, buddy->notes))
    {
        buddy->status = status;
        g_free(buddy->notes);
        buddy->notes = g_strdup(notes);
        g_ptr_array_free(buddy->devices, TRUE);
        buddy->devices = devices;
        if (buddy->presence)
            presence_fire_buddy_event(buddy->presence, buddy, RTCBET_BUDDY_STATE_CHANGE, S_OK, NULL);
        return;
    }
    g_ptr_array_free(buddy->devices, TRUE);
    buddy->devices = devices;
    if (!same_devices && buddy->presence)
        presence_fire_buddy_event(buddy->presence, buddy, RTCBET_BUDDY_UPDATE, S_OK, NULL);
}

static void clear_forks(struct buddy *buddy)
{
    g_ptr_array_set_size(buddy->forks, 0);
}

/* ---- the subscription -------------------------------------------------------------------- */

static void subscribe(struct buddy *buddy, BOOL fetch);

static gboolean retry_due(gpointer data)
{
    struct buddy *buddy = data;

    g_source_unref(buddy->retry);
    buddy->retry = NULL;
    if (buddy->presence && buddy->type == RTCBT_SUBSCRIBED)
        subscribe(buddy, FALSE);
    return G_SOURCE_REMOVE;
}

static void schedule_retry(struct buddy *buddy)
{
    if (buddy->retry || !buddy->presence)
        return;
    buddy->retry = g_timeout_source_new_seconds(BUDDY_RETRY_S);
    g_source_set_callback(buddy->retry, retry_due, buddy, NULL);
    g_source_attach(buddy->retry, buddy->context);
}

static void cancel_retry(struct buddy *buddy)
{
    if (!buddy->retry)
        return;
    g_source_destroy(buddy->retry);
    g_source_unref(buddy->retry);
    buddy->retry = NULL;
}

static void drop_subscription(struct buddy *buddy, BOOL unsubscribe)
{
    struct sip_subscription *subscription = buddy->subscription;

    if (!subscription)
        return;
    buddy->subscription = NULL;
    sip_subscription_set_user_data(subscription, NULL);
    /* Shutting down waits for the notifier's last word. */
    if (unsubscribe && sip_subscription_unsubscribe(subscription, NULL) && buddy->presence)
        presence_track_closing(buddy->presence, subscription);
    sip_subscription_unref(subscription);
}

/* The presence profile's server, or none (peer to peer). */
static const char *route_for(struct buddy *buddy)
{
    return buddy->presence->server ? buddy->presence->server : "";
}

static void subscribe(struct buddy *buddy, BOOL fetch)
{
    struct presence *presence = buddy->presence;
    struct sip_subscribe_options options = { NULL };
    struct sip_engine *engine = client_engine(presence->client);
    char *from;
    GError *error = NULL;
    HRESULT hr;

    if (!engine || FAILED(client_ensure_transport(presence->client)))
        return;
    cancel_retry(buddy);
    drop_subscription(buddy, TRUE);
    clear_forks(buddy);
    buddy->subscribed = FALSE;
    options.proxy = route_for(buddy);
    options.fetch = fetch;
    from = presence_local_identity(presence);
    buddy->subscription = sip_subscribe(engine, from, buddy->uri, "presence", &options, &error);
    g_free(from);
    if (!buddy->subscription)
    {
        hr = error->code == SIP_ENGINE_ERROR_UNRESOLVABLE ? RTC_E_SIP_DNS_FAIL : RTC_E_INVALID_SIP_URL;
        g_debug("buddy %s: cannot subscribe: %s", buddy->uri, error->message);
        presence_fire_buddy_event(presence, buddy, RTCBET_BUDDY_SUBSCRIBED, hr, error->message);
        g_error_free(error);
        return;
    }
    sip_subscription_set_user_data(buddy->subscription, buddy);
}

void buddy_start(struct buddy *buddy)
{
    if (buddy->presence && buddy->type == RTCBT_SUBSCRIBED)
        subscribe(buddy, FALSE);
}

void buddy_on_state(struct buddy *buddy, enum sip_subscription_status state, enum sip_subscription_reason reason,
                    guint status_code)
{
    BOOL fetch_done;

    if (!buddy->presence)
        return;
    if ((state == SIP_SUBSCRIPTION_ACTIVE || state == SIP_SUBSCRIPTION_PENDING) && !buddy->subscribed)
    {
        buddy->subscribed = TRUE;
        presence_fire_buddy_event(buddy->presence, buddy, RTCBET_BUDDY_SUBSCRIBED, S_OK, NULL);
        return;
    }
    if (state == SIP_SUBSCRIPTION_SUBSCRIBING && reason != SIP_SUBSCRIPTION_REASON_NONE)
    {
        /* The notifier ended it and the engine subscribes again: what the
         * buddy said is no longer known, and the new subscription reports
         * itself as the first did. */
        buddy->subscribed = FALSE;
        clear_forks(buddy);
        update_devices(buddy);
        return;
    }
    if (state != SIP_SUBSCRIPTION_TERMINATED)
        return;
    /* A poll's fetch ends by design, keeping what it learnt. */
    fetch_done = buddy->type == RTCBT_POLL && buddy->subscribed;
    if (!buddy->subscribed)
        presence_fire_buddy_event(buddy->presence, buddy, RTCBET_BUDDY_SUBSCRIBED,
                                  rtc_hresult_from_sip_status(status_code ? status_code
                                                              : reason == SIP_SUBSCRIPTION_REASON_FAILED ? 408 : 480),
                                  sip_subscription_reason_name(reason));
    drop_subscription(buddy, FALSE);
    if (fetch_done)
        return;
    clear_forks(buddy);
    update_devices(buddy);
    /* Refused (a 4xx-6xx, or terminated;reason=rejected): not again. Otherwise later. */
    if (buddy->type == RTCBT_SUBSCRIBED && reason != SIP_SUBSCRIPTION_REASON_REJECTED
        && reason != SIP_SUBSCRIPTION_REASON_INVARIANT)
        schedule_retry(buddy);
}

void buddy_on_notify(struct buddy *buddy, const struct sip_subscription_notify *notify)
{
    struct buddy_fork *fork;

    /* A body of another type tells nothing; no body at all says "nothing
     * known about the presentity" (a server without published state): no devices. */
    if (!buddy->presence || (notify->content_type && !notify->presence))
        return;
    fork = find_fork(buddy, notify->fork, TRUE);
    g_ptr_array_set_size(fork->devices, 0);
    if (notify->presence)
        presence_document_read(notify->presence, fork->devices);
    update_devices(buddy);
}

void buddy_on_fork_ended(struct buddy *buddy, guint number)
{
    struct buddy_fork *fork = find_fork(buddy, number, FALSE);

    if (!fork || !buddy->presence)
        return;
    g_ptr_array_remove(buddy->forks, fork);
    update_devices(buddy);
}

void buddy_detach(struct buddy *buddy)
{
    cancel_retry(buddy);
    drop_subscription(buddy, TRUE);
    buddy->presence = NULL;
}

/* ---- IUnknown ------------------------------------------------------------------------------ */

static HRESULT WINAPI buddy_QueryInterface(IRTCBuddy2 *iface, REFIID riid, void **ppv)
{
    if (!ppv)
        return E_POINTER;
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IRTCPresenceContact)
        || IsEqualIID(riid, &IID_IRTCBuddy) || IsEqualIID(riid, &IID_IRTCBuddy2))
    {
        *ppv = iface;
        IRTCBuddy2_AddRef(iface);
        return S_OK;
    }
    *ppv = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI buddy_AddRef(IRTCBuddy2 *iface)
{
    return InterlockedIncrement(&impl_from_IRTCBuddy2(iface)->refcount);
}

static ULONG WINAPI buddy_Release(IRTCBuddy2 *iface)
{
    struct buddy *buddy = impl_from_IRTCBuddy2(iface);
    ULONG ref = InterlockedDecrement(&buddy->refcount);

    if (!ref)
    {
        buddy_detach(buddy);
        g_ptr_array_free(buddy->forks, TRUE);
        g_ptr_array_free(buddy->devices, TRUE);
        g_free(buddy->notes);
        g_free(buddy->uri);
        SysFreeString(buddy->name);
        SysFreeString(buddy->data);
        if (buddy->profile)
            IRTCProfile_Release(buddy->profile);
        g_main_context_unref(buddy->context);
        free(buddy);
    }
    return ref;
}

void buddy_release(struct buddy *buddy)
{
    buddy_Release(&buddy->IRTCBuddy2_iface);
}

struct buddy *buddy_from_iface(IUnknown *iface)
{
    IRTCBuddy2 *buddy2;
    struct buddy *buddy = NULL;

    if (iface && SUCCEEDED(IUnknown_QueryInterface(iface, &IID_IRTCBuddy2, (void **)&buddy2)))
    {
        if (buddy2->lpVtbl->QueryInterface == buddy_QueryInterface)
            buddy = impl_from_IRTCBuddy2(buddy2);
        IRTCBuddy2_Release(buddy2);
    }
    return buddy;
}

/* ---- IRTCPresenceContact ------------------------------------------------------------------------ */

static HRESULT return_bstr(BSTR value, BSTR *out)
{
    if (!out)
        return E_POINTER;
    *out = SysAllocStringLen(value, SysStringLen(value));
    return *out ? S_OK : E_OUTOFMEMORY;
}

static HRESULT return_utf8(const char *value, BSTR *out)
{
    if (!out)
        return E_POINTER;
    *out = com_bstr_from_utf8(value ? value : "");
    return *out ? S_OK : E_OUTOFMEMORY;
}

static HRESULT replace_bstr(BSTR *field, BSTR value)
{
    BSTR copy = value ? SysAllocStringLen(value, SysStringLen(value)) : NULL;

    if (value && !copy)
        return E_OUTOFMEMORY;
    SysFreeString(*field);
    *field = copy;
    return S_OK;
}

static void changed(struct buddy *buddy)
{
    if (buddy->presence && buddy->persistent)
        presence_save(buddy->presence);
}

static HRESULT WINAPI buddy_get_PresentityURI(IRTCBuddy2 *iface, BSTR *uri)
{
    return return_utf8(impl_from_IRTCBuddy2(iface)->uri, uri);
}

static HRESULT WINAPI buddy_put_PresentityURI(IRTCBuddy2 *iface, BSTR uri)
{
    struct buddy *buddy = impl_from_IRTCBuddy2(iface);
    char *utf8, *normalized;
    struct buddy *other;
    HRESULT hr;

    if (FAILED(hr = check_thread(buddy)))
        return hr;
    if (!uri || !*uri)
        return E_INVALIDARG;
    if (buddy->type == RTCBT_POLL)
        return E_INVALIDARG;    /* documented: a polled buddy's URI cannot change */
    utf8 = com_utf8_from_wstr(uri);
    hr = rtc_profile_normalize_sip_uri(utf8, &normalized);
    g_free(utf8);
    if (FAILED(hr))
        return hr;
    if (buddy->presence && (other = presence_find_buddy(buddy->presence, normalized)) && other != buddy)
    {
        g_free(normalized);
        return RTC_E_DUPLICATE_BUDDY;
    }
    g_free(buddy->uri);
    buddy->uri = normalized;
    changed(buddy);
    /* A new presentity: watch that one instead. */
    if (buddy->presence && buddy->type == RTCBT_SUBSCRIBED)
    {
        clear_forks(buddy);
        update_devices(buddy);
        subscribe(buddy, FALSE);
    }
    return S_OK;
}

static HRESULT WINAPI buddy_get_Name(IRTCBuddy2 *iface, BSTR *name)
{
    return return_bstr(impl_from_IRTCBuddy2(iface)->name, name);
}

static HRESULT WINAPI buddy_put_Name(IRTCBuddy2 *iface, BSTR name)
{
    struct buddy *buddy = impl_from_IRTCBuddy2(iface);
    HRESULT hr;

    if (FAILED(hr = check_thread(buddy)) || FAILED(hr = replace_bstr(&buddy->name, name)))
        return hr;
    changed(buddy);
    return S_OK;
}

static HRESULT WINAPI buddy_get_Data(IRTCBuddy2 *iface, BSTR *data)
{
    return return_bstr(impl_from_IRTCBuddy2(iface)->data, data);
}

static HRESULT WINAPI buddy_put_Data(IRTCBuddy2 *iface, BSTR data)
{
    struct buddy *buddy = impl_from_IRTCBuddy2(iface);
    HRESULT hr;

    if (FAILED(hr = check_thread(buddy)) || FAILED(hr = replace_bstr(&buddy->data, data)))
        return hr;
    changed(buddy);
    return S_OK;
}

static HRESULT WINAPI buddy_get_Persistent(IRTCBuddy2 *iface, VARIANT_BOOL *persistent)
{
    if (!persistent)
        return E_POINTER;
    *persistent = impl_from_IRTCBuddy2(iface)->persistent ? VARIANT_TRUE : VARIANT_FALSE;
    return S_OK;
}

static HRESULT WINAPI buddy_put_Persistent(IRTCBuddy2 *iface, VARIANT_BOOL persistent)
{
    struct buddy *buddy = impl_from_IRTCBuddy2(iface);
    BOOL was = buddy->persistent;
    HRESULT hr;

    if (FAILED(hr = check_thread(buddy)))
        return hr;
    if (persistent && buddy->type == RTCBT_POLL)
        return E_INVALIDARG;    /* documented: a polled buddy cannot be persisted */
    buddy->persistent = persistent != VARIANT_FALSE;
    if (buddy->presence && was != buddy->persistent)
        presence_save(buddy->presence);
    return S_OK;
}

/* ---- IRTCBuddy ----------------------------------------------------------------------------------- */

static HRESULT WINAPI buddy_get_Status(IRTCBuddy2 *iface, RTC_PRESENCE_STATUS *status)
{
    struct buddy *buddy = impl_from_IRTCBuddy2(iface);

    if (!status)
        return E_POINTER;
    /* RTC_BUDDY_SUBSCRIPTION_TYPE: these two show what they say, whatever the wire says. */
    if (buddy->type == RTCBT_ALWAYS_ONLINE)
        *status = RTCXS_PRESENCE_ONLINE;
    else if (buddy->type == RTCBT_ALWAYS_OFFLINE)
        *status = RTCXS_PRESENCE_OFFLINE;
    else
        *status = buddy->status;
    return S_OK;
}

static HRESULT WINAPI buddy_get_Notes(IRTCBuddy2 *iface, BSTR *notes)
{
    return return_utf8(impl_from_IRTCBuddy2(iface)->notes, notes);
}

/* ---- IRTCBuddy2 ---------------------------------------------------------------------------------- */

static HRESULT WINAPI buddy_get_Profile(IRTCBuddy2 *iface, IRTCProfile2 **profile)
{
    struct buddy *buddy = impl_from_IRTCBuddy2(iface);
    IRTCProfile *source = buddy->profile ? buddy->profile : buddy->presence ? buddy->presence->profile : NULL;

    if (!profile)
        return E_POINTER;
    *profile = NULL;
    if (!source)
        return S_OK;    /* peer to peer: no profile */
    return IRTCProfile_QueryInterface(source, &IID_IRTCProfile2, (void **)profile);
}

static HRESULT WINAPI buddy_Refresh(IRTCBuddy2 *iface)
{
    struct buddy *buddy = impl_from_IRTCBuddy2(iface);
    HRESULT hr;

    if (FAILED(hr = check_thread(buddy)))
        return hr;
    if (!buddy->presence)
        return RTC_E_PRESENCE_NOT_ENABLED;
    switch (buddy->type)
    {
    case RTCBT_POLL:
        subscribe(buddy, TRUE);         /* a fetch: one NOTIFY with the current state */
        return S_OK;
    case RTCBT_SUBSCRIBED:
        if (buddy->subscription && sip_subscription_refresh(buddy->subscription, NULL))
            return S_OK;
        subscribe(buddy, FALSE);        /* none alive: a new one */
        return S_OK;
    default:
        return S_OK;                    /* always online/offline: nothing to ask */
    }
}

static HRESULT collect_groups(struct buddy *buddy, IUnknown ***items, unsigned int *count)
{
    guint i;

    *count = 0;
    *items = NULL;
    if (!buddy->presence)
        return S_OK;
    *items = g_new0(IUnknown *, buddy->presence->groups->len + 1);
    for (i = 0; i < buddy->presence->groups->len; i++)
    {
        struct buddy_group *group = g_ptr_array_index(buddy->presence->groups, i);

        if (buddy_group_contains(group, buddy))
            (*items)[(*count)++] = (IUnknown *)buddy_group_iface(group);
    }
    return S_OK;
}

static HRESULT WINAPI buddy_EnumerateGroups(IRTCBuddy2 *iface, IRTCEnumGroups **out)
{
    IUnknown **items;
    unsigned int count;
    HRESULT hr;

    if (!out)
        return E_POINTER;
    collect_groups(impl_from_IRTCBuddy2(iface), &items, &count);
    hr = rtc_enum_groups_create(items, count, out);
    g_free(items);
    return hr;
}

static HRESULT WINAPI buddy_get_Groups(IRTCBuddy2 *iface, IRTCCollection **out)
{
    IUnknown **items;
    unsigned int count;
    HRESULT hr;

    if (!out)
        return E_POINTER;
    collect_groups(impl_from_IRTCBuddy2(iface), &items, &count);
    hr = rtc_collection_create(items, count, out);
    g_free(items);
    return hr;
}

static HRESULT WINAPI buddy_get_PresenceProperty(IRTCBuddy2 *iface, RTC_PRESENCE_PROPERTY property, BSTR *value)
{
    struct buddy *buddy = impl_from_IRTCBuddy2(iface);
    const char *found = NULL;
    guint i;

    if (!value)
        return E_POINTER;
    *value = NULL;
    if ((unsigned int)property >= PRESENCE_PROPERTY_COUNT)
        return E_INVALIDARG;
    for (i = 0; i < buddy->devices->len && !found; i++)
        found = ((struct presence_device_info *)g_ptr_array_index(buddy->devices, i))->properties[property];
    return return_utf8(found, value);
}

static HRESULT device_objects(struct buddy *buddy, IUnknown ***items, unsigned int *count)
{
    guint i;
    HRESULT hr = S_OK;

    *items = g_new0(IUnknown *, buddy->devices->len + 1);
    *count = 0;
    for (i = 0; i < buddy->devices->len && SUCCEEDED(hr); i++)
    {
        IRTCPresenceDevice *device;

        if (SUCCEEDED(hr = presence_device_create(copy_info(g_ptr_array_index(buddy->devices, i)), &device)))
            (*items)[(*count)++] = (IUnknown *)device;
    }
    return hr;
}

static void release_items(IUnknown **items, unsigned int count)
{
    unsigned int i;

    for (i = 0; i < count; i++)
        IUnknown_Release(items[i]);
    g_free(items);
}

static HRESULT WINAPI buddy_EnumeratePresenceDevices(IRTCBuddy2 *iface, IRTCEnumPresenceDevices **out)
{
    IUnknown **items;
    unsigned int count;
    HRESULT hr;

    if (!out)
        return E_POINTER;
    *out = NULL;
    if (SUCCEEDED(hr = device_objects(impl_from_IRTCBuddy2(iface), &items, &count)))
        hr = rtc_enum_presence_devices_create(items, count, out);
    release_items(items, count);
    return hr;
}

static HRESULT WINAPI buddy_get_PresenceDevices(IRTCBuddy2 *iface, IRTCCollection **out)
{
    IUnknown **items;
    unsigned int count;
    HRESULT hr;

    if (!out)
        return E_POINTER;
    *out = NULL;
    if (SUCCEEDED(hr = device_objects(impl_from_IRTCBuddy2(iface), &items, &count)))
        hr = rtc_collection_create(items, count, out);
    release_items(items, count);
    return hr;
}

static HRESULT WINAPI buddy_get_SubscriptionType(IRTCBuddy2 *iface, RTC_BUDDY_SUBSCRIPTION_TYPE *type)
{
    if (!type)
        return E_POINTER;
    *type = impl_from_IRTCBuddy2(iface)->type;
    return S_OK;
}

static const IRTCBuddy2Vtbl buddy_vtbl =
{
    buddy_QueryInterface,
    buddy_AddRef,
    buddy_Release,
    buddy_get_PresentityURI,
    buddy_put_PresentityURI,
    buddy_get_Name,
    buddy_put_Name,
    buddy_get_Data,
    buddy_put_Data,
    buddy_get_Persistent,
    buddy_put_Persistent,
    buddy_get_Status,
    buddy_get_Notes,
    buddy_get_Profile,
    buddy_Refresh,
    buddy_EnumerateGroups,
    buddy_get_Groups,
    buddy_get_PresenceProperty,
    buddy_EnumeratePresenceDevices,
    buddy_get_PresenceDevices,
    buddy_get_SubscriptionType,
};

HRESULT buddy_create(struct presence *presence, const char *uri, const WCHAR *name, const WCHAR *data,
                     BOOL persistent, RTC_BUDDY_SUBSCRIPTION_TYPE type, IRTCProfile *profile, struct buddy **out)
{
    struct buddy *buddy;

    *out = NULL;
    if ((unsigned int)type > RTCBT_POLL)
        return E_INVALIDARG;
    if (type == RTCBT_POLL && persistent)
        return E_INVALIDARG;    /* documented: a polled buddy cannot be persisted */
    if (!(buddy = calloc(1, sizeof(*buddy))))
        return E_OUTOFMEMORY;
    buddy->IRTCBuddy2_iface.lpVtbl = &buddy_vtbl;
    buddy->refcount = 1;
    buddy->presence = presence;
    buddy->owner = g_thread_self();
    buddy->context = g_main_context_ref(client_context(presence->client));
    buddy->uri = g_strdup(uri);
    buddy->name = name ? SysAllocString(name) : NULL;
    buddy->data = data ? SysAllocString(data) : NULL;
    buddy->persistent = persistent;
    buddy->type = type;
    if ((buddy->profile = profile))
        IRTCProfile_AddRef(profile);
    buddy->forks = g_ptr_array_new_with_free_func(fork_free);
    buddy->devices = g_ptr_array_new_with_free_func((GDestroyNotify)presence_device_info_free);
    buddy->status = type == RTCBT_ALWAYS_ONLINE ? RTCXS_PRESENCE_ONLINE : RTCXS_PRESENCE_OFFLINE;
    *out = buddy;
    return S_OK;
}
