/*
 * Watchers: IRTCWatcher2 (and IRTCWatcher, IRTCPresenceContact), the access
 * list they form, and the subscriptions to our presence that they decide
 * (we are the notifier, RFC 3856; docs/wire-mapping.md, "Presence").
 *
 * Each SUBSCRIBE for our presence is decided by the best matching entry of
 * the list (the watcher's own URI, then its domain, then everyone):
 *   ALLOWED   accepted, NOTIFYs carry our document
 *   BLOCKED   accepted, but NOTIFYs say closed and nothing else (polite blocking)
 *   DENIED    refused with 403
 * A watcher with no entry is new: RTCOWM_AUTOMATICALLY_ADD_WATCHER adds it
 * ALLOWED (and persistent); RTCOWM_OFFER_WATCHER_EVENT lists it as OFFERING
 * and fires RTCWET_WATCHER_OFFERING until the application sets its state
 * (which then persists). Meanwhile RTCPM_BLOCK_LIST_EXCLUDED lets it see
 * our presence and RTCPM_ALLOW_LIST_ONLY keeps its subscription pending.
 */
#include <string.h>
#include "presence.h"
#include "profile.h"

struct watcher
{
    IRTCWatcher2 IRTCWatcher2_iface;
    LONG refcount;
    struct presence *presence;          /* NULL once detached */
    GThread *owner;
    char *uri;                          /* UTF-8, normalised */
    BSTR name;
    BSTR data;
    BOOL persistent;
    RTC_WATCHER_STATE state;
    RTC_ACE_SCOPE scope;
    IRTCProfile *profile;
    GPtrArray *subscriptions;           /* struct sip_subscription *, referenced; their user data is this watcher */
};

static struct watcher *impl_from_IRTCWatcher2(IRTCWatcher2 *iface)
{
    return CONTAINING_RECORD(iface, struct watcher, IRTCWatcher2_iface);
}

IRTCWatcher2 *watcher_iface(struct watcher *watcher)
{
    return &watcher->IRTCWatcher2_iface;
}

const char *watcher_uri(struct watcher *watcher)
{
    return watcher->uri;
}

BOOL watcher_persistent(struct watcher *watcher)
{
    return watcher->persistent;
}

RTC_WATCHER_STATE watcher_state(struct watcher *watcher)
{
    return watcher->state;
}

RTC_ACE_SCOPE watcher_scope(struct watcher *watcher)
{
    return watcher->scope;
}

BSTR watcher_name(struct watcher *watcher)
{
    return watcher->name;
}

BSTR watcher_data(struct watcher *watcher)
{
    return watcher->data;
}

void watcher_add_ref(struct watcher *watcher)
{
    InterlockedIncrement(&watcher->refcount);
}

static BOOL undecided(struct watcher *watcher)
{
    return watcher->state != RTCWS_ALLOWED && watcher->state != RTCWS_BLOCKED && watcher->state != RTCWS_DENIED;
}

BOOL watcher_has_live_subscriptions(struct watcher *watcher)
{
    return watcher->subscriptions->len > 0;
}

/* ---- matching --------------------------------------------------------------------------- */

/* "user@host:port" of a sip:/sips: URI, lower-cased, without parameters; g_free. */
static char *aor_key(const char *uri)
{
    const char *start = uri, *end;
    char *key;

    if (!g_ascii_strncasecmp(start, "sips:", 5))
        start += 5;
    else if (!g_ascii_strncasecmp(start, "sip:", 4))
        start += 4;
    end = start + strcspn(start, ";?>");
    key = g_ascii_strdown(start, end - start);
    return key;
}

/* The host part of a URI's key (what a domain-scope entry names). */
static const char *key_domain(const char *key)
{
    const char *at = strrchr(key, '@');

    return at ? at + 1 : key;
}

struct watcher *watcher_find(struct presence *presence, const char *uri, BOOL best)
{
    struct watcher *domain = NULL, *all = NULL, *found = NULL;
    char *key = aor_key(uri);
    guint i;

    for (i = 0; i < presence->watchers->len && !found; i++)
    {
        struct watcher *watcher = g_ptr_array_index(presence->watchers, i);
        char *entry = aor_key(watcher->uri);

        if (watcher->scope == RTCAS_SCOPE_USER && !strcmp(entry, key))
            found = watcher;
        else if (best && watcher->scope == RTCAS_SCOPE_DOMAIN && !domain
                 && !strcmp(key_domain(entry), key_domain(key)))
            domain = watcher;
        else if (best && watcher->scope == RTCAS_SCOPE_ALL && !all)
            all = watcher;
        g_free(entry);
    }
    g_free(key);
    return found ? found : domain ? domain : all;
}

struct watcher *watcher_find_entry(struct presence *presence, const char *uri, RTC_ACE_SCOPE scope)
{
    guint i;

    for (i = 0; i < presence->watchers->len; i++)
    {
        struct watcher *watcher = g_ptr_array_index(presence->watchers, i);

        if (watcher->scope == scope && !g_ascii_strcasecmp(watcher->uri, uri))
            return watcher;
    }
    return NULL;
}

/* ---- NOTIFYs ------------------------------------------------------------------------------- */

/* What a subscription of this watcher may see now: FALSE = pending. */
static BOOL sees_presence(struct watcher *watcher)
{
    if (watcher->state == RTCWS_ALLOWED || watcher->state == RTCWS_BLOCKED)
        return TRUE;
    return watcher->presence && watcher->presence->privacy_mode == RTCPM_BLOCK_LIST_EXCLUDED;
}

static void notify_one(struct watcher *watcher, struct sip_subscription *subscription)
{
    char *body;
    gsize length;

    if (!watcher->presence || sip_subscription_get_status(subscription) == SIP_SUBSCRIPTION_TERMINATED)
        return;
    if (!sees_presence(watcher))
    {
        sip_subscription_notify(subscription, FALSE, NULL, NULL, 0, NULL);
        return;
    }
    body = presence_local_document(watcher->presence, watcher->state == RTCWS_BLOCKED, &length);
    sip_subscription_notify(subscription, TRUE, SIP_PIDF_CONTENT_TYPE, body, length, NULL);
    g_free(body);
}

static void notify_subscriptions(struct watcher *watcher)
{
    guint i;

    for (i = 0; i < watcher->subscriptions->len; i++)
        notify_one(watcher, g_ptr_array_index(watcher->subscriptions, i));
}

void watcher_notify_all(struct presence *presence)
{
    guint i;

    /* A blocked watcher's view (closed) does not change with ours: nothing to send. */
    for (i = 0; i < presence->watchers->len; i++)
    {
        struct watcher *watcher = g_ptr_array_index(presence->watchers, i);

        if (watcher->state != RTCWS_BLOCKED && sees_presence(watcher))
            notify_subscriptions(watcher);
    }
}

/* Ends every subscription this watcher decides (they re-subscribe and are decided again
 * when reason asks them to). */
static void end_subscriptions(struct watcher *watcher, enum sip_subscription_reason reason)
{
    while (watcher->subscriptions->len)
    {
        struct sip_subscription *subscription = g_ptr_array_steal_index(watcher->subscriptions, 0);
        char *body = NULL;
        gsize length = 0;

        sip_subscription_set_user_data(subscription, NULL);
        /* The last NOTIFY shows us closed. */
        if (watcher->presence && reason != SIP_SUBSCRIPTION_REASON_REJECTED
            && reason != SIP_SUBSCRIPTION_REASON_DEACTIVATED)
            body = presence_local_document(watcher->presence, TRUE, &length);
        if (sip_subscription_get_status(subscription) != SIP_SUBSCRIPTION_TERMINATED
            && sip_subscription_terminate(subscription, reason, 0, body ? SIP_PIDF_CONTENT_TYPE : NULL, body,
                                          length, NULL)
            && watcher->presence)
            presence_track_closing(watcher->presence, subscription);
        g_free(body);
        sip_subscription_unref(subscription);
    }
}

/* ---- subscriptions received ------------------------------------------------------------------- */

static void attach(struct watcher *watcher, struct sip_subscription *subscription)
{
    g_ptr_array_add(watcher->subscriptions, sip_subscription_ref(subscription));
    sip_subscription_set_user_data(subscription, watcher);
}

void watcher_on_subscription(struct presence *presence, struct sip_subscription *subscription)
{
    const char *uri = sip_subscription_get_watcher(subscription);
    struct watcher *watcher = watcher_find(presence, uri, TRUE);
    char *normalized = NULL, *body;
    WCHAR *name = NULL;
    gsize length;

    if (!presence->enabled)
    {
        sip_subscription_reject(subscription, 480, NULL, NULL);
        return;
    }
    if (watcher && watcher->state == RTCWS_DENIED)
    {
        sip_subscription_reject(subscription, 403, NULL, NULL);
        return;
    }
    if (!watcher)
    {
        BOOL automatic = presence->offer_mode == RTCOWM_AUTOMATICALLY_ADD_WATCHER;

        if (FAILED(rtc_profile_normalize_sip_uri(uri, &normalized)))
        {
            sip_subscription_reject(subscription, 400, "Bad Watcher URI", NULL);
            return;
        }
        if (sip_subscription_get_watcher_display_name(subscription))
            name = (WCHAR *)com_bstr_from_utf8(sip_subscription_get_watcher_display_name(subscription));
        if (FAILED(watcher_create(presence, normalized, name, NULL, automatic ? RTCWS_ALLOWED : RTCWS_OFFERING,
                                  automatic, RTCAS_SCOPE_USER, NULL, &watcher)))
        {
            SysFreeString((BSTR)name);
            g_free(normalized);
            sip_subscription_reject(subscription, 500, NULL, NULL);
            return;
        }
        SysFreeString((BSTR)name);
        g_free(normalized);
        presence_add_watcher(presence, watcher);
        watcher_release(watcher);   /* the list has it */
        attach(watcher, subscription);
        presence_fire_watcher_event(presence, watcher, automatic ? RTCWET_WATCHER_ADD : RTCWET_WATCHER_OFFERING, S_OK);
        if (automatic)
            presence_save(presence);
    }
    else
        attach(watcher, subscription);

    if (!sees_presence(watcher))
    {
        sip_subscription_accept(subscription, FALSE, NULL, NULL, 0, NULL);
        return;
    }
    body = presence_local_document(presence, watcher->state == RTCWS_BLOCKED, &length);
    sip_subscription_accept(subscription, TRUE, SIP_PIDF_CONTENT_TYPE, body, length, NULL);
    g_free(body);
}

void watcher_on_ended(struct watcher *watcher, struct sip_subscription *subscription)
{
    struct presence *presence = watcher->presence;

    sip_subscription_set_user_data(subscription, NULL);
    if (g_ptr_array_remove(watcher->subscriptions, subscription))
        sip_subscription_unref(subscription);
    /* An undecided watcher that went away is forgotten. */
    if (presence && undecided(watcher) && !watcher->persistent && !watcher->subscriptions->len)
    {
        watcher_add_ref(watcher);
        if (g_ptr_array_remove(presence->watchers, watcher))
        {
            watcher_detach(watcher, SIP_SUBSCRIPTION_REASON_NORESOURCE);
            presence_fire_watcher_event(presence, watcher, RTCWET_WATCHER_REMOVE, S_OK);
            watcher_release(watcher);   /* the list's */
        }
        watcher_release(watcher);
    }
}

void watcher_on_winfo(struct presence *presence, const struct sip_watcher *info)
{
    struct watcher *watcher = watcher_find(presence, info->uri, FALSE);
    char *normalized;
    WCHAR *name;

    if (info->status == SIP_WATCHER_TERMINATED)
    {
        /* Gone at the server: an undecided one goes from the list too. */
        if (watcher && undecided(watcher) && !watcher->persistent && !watcher->subscriptions->len)
        {
            watcher_add_ref(watcher);
            if (g_ptr_array_remove(presence->watchers, watcher))
            {
                watcher_detach(watcher, SIP_SUBSCRIPTION_REASON_NORESOURCE);
                presence_fire_watcher_event(presence, watcher, RTCWET_WATCHER_REMOVE, S_OK);
                watcher_release(watcher);   /* the list's */
            }
            watcher_release(watcher);
        }
        return;
    }
    if (watcher_find(presence, info->uri, TRUE) || FAILED(rtc_profile_normalize_sip_uri(info->uri, &normalized)))
        return;
    name = info->display_name ? (WCHAR *)com_bstr_from_utf8(info->display_name) : NULL;
    if (SUCCEEDED(watcher_create(presence, normalized, name, NULL, RTCWS_OFFERING, FALSE, RTCAS_SCOPE_USER, NULL,
                                 &watcher)))
    {
        presence_add_watcher(presence, watcher);
        watcher_release(watcher);
        presence_fire_watcher_event(presence, watcher, RTCWET_WATCHER_OFFERING, S_OK);
    }
    SysFreeString((BSTR)name);
    g_free(normalized);
}

void watcher_detach(struct watcher *watcher, enum sip_subscription_reason reason)
{
    end_subscriptions(watcher, reason);
    watcher->presence = NULL;
}

/* ---- IUnknown ------------------------------------------------------------------------------------ */

static HRESULT check_thread(struct watcher *watcher)
{
    return watcher->owner == g_thread_self() ? S_OK : RPC_E_WRONG_THREAD;
}

static HRESULT WINAPI watcher_QueryInterface(IRTCWatcher2 *iface, REFIID riid, void **ppv)
{
    if (!ppv)
        return E_POINTER;
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IRTCPresenceContact)
        || IsEqualIID(riid, &IID_IRTCWatcher) || IsEqualIID(riid, &IID_IRTCWatcher2))
    {
        *ppv = iface;
        IRTCWatcher2_AddRef(iface);
        return S_OK;
    }
    *ppv = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI watcher_AddRef(IRTCWatcher2 *iface)
{
    return InterlockedIncrement(&impl_from_IRTCWatcher2(iface)->refcount);
}

static ULONG WINAPI watcher_Release(IRTCWatcher2 *iface)
{
    struct watcher *watcher = impl_from_IRTCWatcher2(iface);
    ULONG ref = InterlockedDecrement(&watcher->refcount);

    if (!ref)
    {
        watcher_detach(watcher, SIP_SUBSCRIPTION_REASON_NORESOURCE);
        g_ptr_array_free(watcher->subscriptions, TRUE);
        g_free(watcher->uri);
        SysFreeString(watcher->name);
        SysFreeString(watcher->data);
        if (watcher->profile)
            IRTCProfile_Release(watcher->profile);
        free(watcher);
    }
    return ref;
}

void watcher_release(struct watcher *watcher)
{
    watcher_Release(&watcher->IRTCWatcher2_iface);
}

struct watcher *watcher_from_iface(IUnknown *iface)
{
    IRTCWatcher2 *watcher2;
    struct watcher *watcher = NULL;

    if (iface && SUCCEEDED(IUnknown_QueryInterface(iface, &IID_IRTCWatcher2, (void **)&watcher2)))
    {
        if (watcher2->lpVtbl->QueryInterface == watcher_QueryInterface)
            watcher = impl_from_IRTCWatcher2(watcher2);
        IRTCWatcher2_Release(watcher2);
    }
    return watcher;
}

/* ---- IRTCPresenceContact ---------------------------------------------------------------------------- */

static HRESULT return_bstr(BSTR value, BSTR *out)
{
    if (!out)
        return E_POINTER;
    *out = SysAllocStringLen(value, SysStringLen(value));
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

static void changed(struct watcher *watcher)
{
    if (watcher->presence && watcher->persistent)
        presence_save(watcher->presence);
}

static HRESULT WINAPI watcher_get_PresentityURI(IRTCWatcher2 *iface, BSTR *uri)
{
    if (!uri)
        return E_POINTER;
    *uri = com_bstr_from_utf8(impl_from_IRTCWatcher2(iface)->uri);
    return *uri ? S_OK : E_OUTOFMEMORY;
}

static HRESULT WINAPI watcher_put_PresentityURI(IRTCWatcher2 *iface, BSTR uri)
{
    struct watcher *watcher = impl_from_IRTCWatcher2(iface);
    char *utf8, *normalized;
    struct watcher *other;
    HRESULT hr;

    if (FAILED(hr = check_thread(watcher)))
        return hr;
    if (!uri || !*uri)
        return E_INVALIDARG;
    utf8 = com_utf8_from_wstr(uri);
    hr = rtc_profile_normalize_sip_uri(utf8, &normalized);
    g_free(utf8);
    if (FAILED(hr))
        return hr;
    if (watcher->presence && watcher->scope == RTCAS_SCOPE_USER
        && (other = watcher_find(watcher->presence, normalized, FALSE)) && other != watcher)
    {
        g_free(normalized);
        return RTC_E_DUPLICATE_WATCHER;
    }
    g_free(watcher->uri);
    watcher->uri = normalized;
    /* Whoever it decided for must be decided again: they subscribe anew. */
    end_subscriptions(watcher, SIP_SUBSCRIPTION_REASON_DEACTIVATED);
    changed(watcher);
    return S_OK;
}

static HRESULT WINAPI watcher_get_Name(IRTCWatcher2 *iface, BSTR *name)
{
    return return_bstr(impl_from_IRTCWatcher2(iface)->name, name);
}

static HRESULT WINAPI watcher_put_Name(IRTCWatcher2 *iface, BSTR name)
{
    struct watcher *watcher = impl_from_IRTCWatcher2(iface);
    HRESULT hr;

    if (FAILED(hr = check_thread(watcher)) || FAILED(hr = replace_bstr(&watcher->name, name)))
        return hr;
    changed(watcher);
    return S_OK;
}

static HRESULT WINAPI watcher_get_Data(IRTCWatcher2 *iface, BSTR *data)
{
    return return_bstr(impl_from_IRTCWatcher2(iface)->data, data);
}

static HRESULT WINAPI watcher_put_Data(IRTCWatcher2 *iface, BSTR data)
{
    struct watcher *watcher = impl_from_IRTCWatcher2(iface);
    HRESULT hr;

    if (FAILED(hr = check_thread(watcher)) || FAILED(hr = replace_bstr(&watcher->data, data)))
        return hr;
    changed(watcher);
    return S_OK;
}

static HRESULT WINAPI watcher_get_Persistent(IRTCWatcher2 *iface, VARIANT_BOOL *persistent)
{
    if (!persistent)
        return E_POINTER;
    *persistent = impl_from_IRTCWatcher2(iface)->persistent ? VARIANT_TRUE : VARIANT_FALSE;
    return S_OK;
}

static HRESULT WINAPI watcher_put_Persistent(IRTCWatcher2 *iface, VARIANT_BOOL persistent)
{
    struct watcher *watcher = impl_from_IRTCWatcher2(iface);
    BOOL was = watcher->persistent;
    HRESULT hr;

    if (FAILED(hr = check_thread(watcher)))
        return hr;
    watcher->persistent = persistent != VARIANT_FALSE;
    if (watcher->presence && was != watcher->persistent)
        presence_save(watcher->presence);
    return S_OK;
}

/* ---- IRTCWatcher ---------------------------------------------------------------------------------------- */

static HRESULT WINAPI watcher_get_State(IRTCWatcher2 *iface, RTC_WATCHER_STATE *state)
{
    if (!state)
        return E_POINTER;
    *state = impl_from_IRTCWatcher2(iface)->state;
    return S_OK;
}

static HRESULT WINAPI watcher_put_State(IRTCWatcher2 *iface, RTC_WATCHER_STATE state)
{
    struct watcher *watcher = impl_from_IRTCWatcher2(iface);
    BOOL was_undecided = undecided(watcher);
    HRESULT hr;

    if (FAILED(hr = check_thread(watcher)))
        return hr;
    if (state != RTCWS_ALLOWED && state != RTCWS_BLOCKED && state != RTCWS_DENIED)
        return E_INVALIDARG;    /* the application decides; offering and prompting are ours */
    if (state == watcher->state)
        return S_OK;
    watcher->state = state;
    /* The answer to an offer is remembered (the store keeps it across restarts). */
    if (was_undecided)
        watcher->persistent = TRUE;
    if (state == RTCWS_DENIED)
        end_subscriptions(watcher, SIP_SUBSCRIPTION_REASON_REJECTED);
    else
        notify_subscriptions(watcher);
    if (watcher->presence && watcher->persistent)
        presence_save(watcher->presence);
    return S_OK;
}

/* ---- IRTCWatcher2 --------------------------------------------------------------------------------------- */

static HRESULT WINAPI watcher_get_Profile(IRTCWatcher2 *iface, IRTCProfile2 **profile)
{
    struct watcher *watcher = impl_from_IRTCWatcher2(iface);
    IRTCProfile *source = watcher->profile ? watcher->profile : watcher->presence ? watcher->presence->profile : NULL;

    if (!profile)
        return E_POINTER;
    *profile = NULL;
    if (!source)
        return S_OK;
    return IRTCProfile_QueryInterface(source, &IID_IRTCProfile2, (void **)profile);
}

static HRESULT WINAPI watcher_get_Scope(IRTCWatcher2 *iface, RTC_ACE_SCOPE *scope)
{
    if (!scope)
        return E_POINTER;
    *scope = impl_from_IRTCWatcher2(iface)->scope;
    return S_OK;
}

static const IRTCWatcher2Vtbl watcher_vtbl =
{
    watcher_QueryInterface,
    watcher_AddRef,
    watcher_Release,
    watcher_get_PresentityURI,
    watcher_put_PresentityURI,
    watcher_get_Name,
    watcher_put_Name,
    watcher_get_Data,
    watcher_put_Data,
    watcher_get_Persistent,
    watcher_put_Persistent,
    watcher_get_State,
    watcher_put_State,
    watcher_get_Profile,
    watcher_get_Scope,
};

HRESULT watcher_create(struct presence *presence, const char *uri, const WCHAR *name, const WCHAR *data,
                       RTC_WATCHER_STATE state, BOOL persistent, RTC_ACE_SCOPE scope, IRTCProfile *profile,
                       struct watcher **out)
{
    struct watcher *watcher;

    *out = NULL;
    if ((unsigned int)scope > RTCAS_SCOPE_ALL)
        return E_INVALIDARG;
    if (!(watcher = calloc(1, sizeof(*watcher))))
        return E_OUTOFMEMORY;
    watcher->IRTCWatcher2_iface.lpVtbl = &watcher_vtbl;
    watcher->refcount = 1;
    watcher->presence = presence;
    watcher->owner = g_thread_self();
    watcher->uri = g_strdup(uri);
    watcher->name = name ? SysAllocString(name) : NULL;
    watcher->data = data ? SysAllocString(data) : NULL;
    watcher->persistent = persistent;
    watcher->state = state;
    watcher->scope = scope;
    if ((watcher->profile = profile))
        IRTCProfile_AddRef(profile);
    watcher->subscriptions = g_ptr_array_new();
    *out = watcher;
    return S_OK;
}
