/*
 * Presentities (coclass UccPresentity, events _IUccPresentityEvents): one
 * engine subscription to the "presence" package of the presentity's URI,
 * through the endpoint's signaling server when it has one, else directly.
 * Every NOTIFY's document becomes the category instances the subscription
 * asked for ("state", "note": presence_category.c), each in a category
 * context made on the first instance (OnCategoryContextAdded). When the
 * subscription ends the contexts go (OnCategoryContextRemoved, with the
 * reason in the event's context: unsubscribed, or terminated by the
 * notifier); a Query's answer stays.
 */
#include <string.h>
#include <wchar.h>
#include "presence.h"

enum presentity_operation { OPERATION_NONE, OPERATION_SUBSCRIBE, OPERATION_QUERY, OPERATION_UNSUBSCRIBE };

struct ucc_presentity
{
    IUccPresentity IUccPresentity_iface;
    IConnectionPointContainer IConnectionPointContainer_iface;
    LONG refcount;
    struct ucc_endpoint *endpoint;          /* strong */
    struct ucc_platform *platform;          /* the endpoint's */
    struct ucc_subscription *subscription;  /* weak: set while added to one */
    IUccUri *uri;
    char *uri_text;
    IUccContext *context;                   /* may be NULL */
    char *subscriber_context;
    GPtrArray *contexts;                    /* struct ucc_category_context *, strong */
    struct sip_subscription *sub;           /* the engine's, while watching */
    BOOL fetch;                             /* sub is a Query's fetch */
    enum presentity_operation pending;      /* waiting for its outcome */
    struct connection_point events;         /* _IUccPresentityEvents */
};

static const IUccPresentityVtbl presentity_vtbl;

static struct ucc_presentity *impl_from_IUccPresentity(IUccPresentity *iface)
{
    return CONTAINING_RECORD(iface, struct ucc_presentity, IUccPresentity_iface);
}

static struct ucc_presentity *impl_from_IConnectionPointContainer(IConnectionPointContainer *iface)
{
    return CONTAINING_RECORD(iface, struct ucc_presentity, IConnectionPointContainer_iface);
}

struct ucc_presentity *ucc_presentity_from_iface(IUnknown *iface)
{
    IUccPresentity *presentity;
    struct ucc_presentity *ours;

    if (!iface || FAILED(IUnknown_QueryInterface(iface, &IID_IUccPresentity, (void **)&presentity)))
        return NULL;
    ours = presentity->lpVtbl == &presentity_vtbl ? impl_from_IUccPresentity(presentity) : NULL;
    IUccPresentity_Release(presentity);
    return ours;
}

IUccPresentity *ucc_presentity_iface(struct ucc_presentity *presentity)
{
    return &presentity->IUccPresentity_iface;
}

struct ucc_platform *ucc_presentity_platform(struct ucc_presentity *presentity)
{
    return presentity->platform;
}

struct ucc_endpoint *ucc_presentity_endpoint(struct ucc_presentity *presentity)
{
    return presentity->endpoint;
}

struct ucc_subscription *ucc_presentity_subscription(struct ucc_presentity *presentity)
{
    return presentity->subscription;
}

void ucc_presentity_set_subscription(struct ucc_presentity *presentity, struct ucc_subscription *subscription)
{
    presentity->subscription = subscription;
}

BOOL ucc_presentity_is_subscribed(struct ucc_presentity *presentity)
{
    return presentity->sub && !presentity->fetch
           && sip_subscription_get_status(presentity->sub) != SIP_SUBSCRIPTION_TERMINATED;
}

/* ---- category contexts ------------------------------------------------------------------------- */

static struct ucc_category_context *find_context(struct ucc_presentity *presentity, const WCHAR *name)
{
    guint i;

    for (i = 0; i < presentity->contexts->len; i++)
        if (!wcscmp(ucc_category_context_name(g_ptr_array_index(presentity->contexts, i)), name))
            return g_ptr_array_index(presentity->contexts, i);
    return NULL;
}

static void fire_context_event(struct ucc_presentity *presentity, DISPID dispid, struct ucc_category_context *context,
                               UCC_CATEGORY_REMOVAL_REASON reason)
{
    IUnknown *event;

    if (SUCCEEDED(ucc_category_context_event_create(ucc_category_context_iface(context), reason, &event)))
    {
        ucc_fire_event(presentity->platform, &presentity->events, dispid,
                       (IUnknown *)&presentity->IUccPresentity_iface, event);
        IUnknown_Release(event);
    }
}

/* The context of a category, made (and announced) on its first instance. */
static struct ucc_category_context *context_for(struct ucc_presentity *presentity, const WCHAR *name)
{
    struct ucc_category_context *context = find_context(presentity, name);

    if (context || FAILED(ucc_category_context_create(presentity->platform, presentity, name, &context)))
        return context;
    g_ptr_array_add(presentity->contexts, context);
    fire_context_event(presentity, DISPID__IUccPresentityEvents_OnCategoryContextAdded, context, 0);
    return context;
}

static BOOL wants(struct ucc_presentity *presentity, const WCHAR *category)
{
    return presentity->subscription && ucc_subscription_wants(presentity->subscription, category);
}

static void update_categories(struct ucc_presentity *presentity, const struct ucc_presence_view *view)
{
    struct ucc_category_context *context;
    char *value;

    if (wants(presentity, UCC_CATEGORY_STATE) && (context = context_for(presentity, UCC_CATEGORY_STATE)))
    {
        value = ucc_state_value_build(view->availability, view->activity);
        ucc_category_context_set(context, UCC_DEFAULT_CONTAINER_ID, 0, value);
        g_free(value);
    }
    if (!wants(presentity, UCC_CATEGORY_NOTE))
        return;
    if (view->note && (context = context_for(presentity, UCC_CATEGORY_NOTE)))
    {
        value = ucc_note_value_build(view->note);
        ucc_category_context_set(context, UCC_DEFAULT_CONTAINER_ID, 0, value);
        g_free(value);
    }
    else if (!view->note && (context = find_context(presentity, UCC_CATEGORY_NOTE)))
        ucc_category_context_remove(context, 0, UCCCRR_RECEIVED_NOTIFY);
}

/* Every context goes, with its instances. */
static void remove_contexts(struct ucc_presentity *presentity, UCC_CATEGORY_REMOVAL_REASON reason)
{
    while (presentity->contexts->len)
    {
        struct ucc_category_context *context = g_ptr_array_steal_index(presentity->contexts,
                                                                       presentity->contexts->len - 1);

        ucc_category_context_remove(context, -1, reason);
        fire_context_event(presentity, DISPID__IUccPresentityEvents_OnCategoryContextRemoved, context, reason);
        ucc_category_context_detach(context);
        ucc_category_context_release(context);
    }
}

/* ---- the engine subscription ------------------------------------------------------------------------ */

static void drop_sub(struct ucc_presentity *presentity)
{
    struct sip_subscription *sub = presentity->sub;

    if (!sub)
        return;
    presentity->sub = NULL;
    sip_subscription_set_user_data(sub, NULL);
    sip_subscription_unref(sub);
    ucc_endpoint_remove_presentity(presentity->endpoint, presentity);
    ucc_presentity_release(presentity);         /* the watching reference */
}

/* The outcome of the operation the subscription waits for. */
static void report(struct ucc_presentity *presentity, HRESULT status, const char *text)
{
    presentity->pending = OPERATION_NONE;
    if (presentity->subscription)
        ucc_subscription_presentity_done(presentity->subscription, presentity, status, text);
}

HRESULT ucc_presentity_subscribe(struct ucc_presentity *presentity, BOOL fetch)
{
    struct sip_engine *engine = ucc_endpoint_engine(presentity->endpoint);
    struct sip_subscribe_options options = { 0 };
    char *from, *route;
    GError *error = NULL;
    HRESULT hr = S_OK;

    if (!engine)
        return UCC_E_RTCSHIM_INVALID_STATE;
    if (presentity->sub)
    {
        /* Already watching: a Subscribe is answered at once, a Query refreshes. */
        if (fetch)
        {
            presentity->pending = OPERATION_QUERY;
            return sip_subscription_refresh(presentity->sub, NULL) ? S_OK : UCC_E_RTCSHIM_INVALID_STATE;
        }
        report(presentity, S_OK, NULL);
        return S_OK;
    }
    route = ucc_endpoint_server_route(presentity->endpoint);
    from = ucc_endpoint_identity(presentity->endpoint);
    options.proxy = route ? route : "";
    options.fetch = fetch;
    presentity->sub = sip_subscribe(engine, from, presentity->uri_text, "presence", &options, &error);
    g_free(from);
    g_free(route);
    if (!presentity->sub)
    {
        g_debug("UCC presentity %s: %s", presentity->uri_text, error->message);
        hr = error->code == SIP_ENGINE_ERROR_UNRESOLVABLE ? UCC_E_RTCSHIM_NOT_SUPPORTED : UCC_E_INVALID_SIP_URL;
        g_error_free(error);
        return hr;
    }
    presentity->fetch = fetch;
    presentity->pending = fetch ? OPERATION_QUERY : OPERATION_SUBSCRIBE;
    sip_subscription_set_user_data(presentity->sub, presentity);
    ucc_presentity_add_ref(presentity);         /* watching keeps the presentity */
    ucc_endpoint_add_presentity(presentity->endpoint, presentity);
    return S_OK;
}

BOOL ucc_presentity_unsubscribe(struct ucc_presentity *presentity)
{
    if (!presentity->sub || sip_subscription_get_status(presentity->sub) == SIP_SUBSCRIPTION_TERMINATED)
        return FALSE;
    presentity->pending = OPERATION_UNSUBSCRIBE;
    return sip_subscription_unsubscribe(presentity->sub, NULL);
}

void ucc_presentity_on_state(struct ucc_presentity *presentity, enum sip_subscription_status state,
                             enum sip_subscription_reason reason, guint status_code)
{
    enum presentity_operation pending = presentity->pending;

    if ((state == SIP_SUBSCRIPTION_ACTIVE || state == SIP_SUBSCRIPTION_PENDING) && pending == OPERATION_SUBSCRIBE)
    {
        report(presentity, S_OK, NULL);
        return;
    }
    if (state != SIP_SUBSCRIPTION_TERMINATED)
        return;
    ucc_presentity_add_ref(presentity);
    drop_sub(presentity);
    if (pending == OPERATION_UNSUBSCRIBE)
    {
        remove_contexts(presentity, UCCCRR_UNSUBSCRIBED_BY_USER);
        report(presentity, S_OK, NULL);
    }
    else if (pending == OPERATION_SUBSCRIBE || pending == OPERATION_QUERY)
        report(presentity, ucc_hresult_from_sip_status(status_code ? status_code
                                                       : reason == SIP_SUBSCRIPTION_REASON_FAILED ? 408 : 480),
               sip_subscription_reason_name(reason));
    else if (!presentity->fetch)
        remove_contexts(presentity, UCCCRR_SUBSCRIPTION_TERMINATED);
    ucc_presentity_release(presentity);
}

void ucc_presentity_on_notify(struct ucc_presentity *presentity, const struct sip_subscription_notify *notify)
{
    struct ucc_presence_view view;

    /* A body of another type (or none: nothing known yet) changes nothing. */
    if (notify->presence)
    {
        ucc_presence_view_from_document(notify->presence, &view);
        update_categories(presentity, &view);
        ucc_presence_view_clear(&view);
    }
    if (presentity->pending == OPERATION_QUERY)
        report(presentity, S_OK, NULL);
}

void ucc_presentity_engine_gone(struct ucc_presentity *presentity)
{
    enum presentity_operation pending = presentity->pending;

    ucc_presentity_add_ref(presentity);
    drop_sub(presentity);
    /* "Received for each subscribed category context when the client calls Disable". */
    remove_contexts(presentity, UCCCRR_SUBSCRIPTION_TERMINATED);
    if (pending != OPERATION_NONE)
        report(presentity, pending == OPERATION_UNSUBSCRIBE ? S_OK : UCC_E_RTCSHIM_INVALID_STATE, "endpoint disabled");
    ucc_presentity_release(presentity);
}

/* ---- IUnknown ----------------------------------------------------------------------------------------- */

static HRESULT WINAPI presentity_QueryInterface(IUccPresentity *iface, REFIID riid, void **ppv)
{
    struct ucc_presentity *presentity = impl_from_IUccPresentity(iface);

    if (!ppv)
        return E_POINTER;
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IUccPresentity))
        *ppv = &presentity->IUccPresentity_iface;
    else if (IsEqualIID(riid, &IID_IConnectionPointContainer))
        *ppv = &presentity->IConnectionPointContainer_iface;
    else
    {
        *ppv = NULL;
        return E_NOINTERFACE;
    }
    IUnknown_AddRef((IUnknown *)*ppv);
    return S_OK;
}

static ULONG WINAPI presentity_AddRef(IUccPresentity *iface)
{
    return InterlockedIncrement(&impl_from_IUccPresentity(iface)->refcount);
}

static ULONG WINAPI presentity_Release(IUccPresentity *iface)
{
    struct ucc_presentity *presentity = impl_from_IUccPresentity(iface);
    ULONG ref = InterlockedDecrement(&presentity->refcount);
    guint i;

    if (!ref)
    {
        for (i = 0; i < presentity->contexts->len; i++)
            ucc_category_context_detach(g_ptr_array_index(presentity->contexts, i));
        g_ptr_array_free(presentity->contexts, TRUE);
        connection_point_destroy(&presentity->events);
        IUccUri_Release(presentity->uri);
        g_free(presentity->uri_text);
        if (presentity->context)
            IUccContext_Release(presentity->context);
        g_free(presentity->subscriber_context);
        ucc_endpoint_release(presentity->endpoint);
        free(presentity);
    }
    return ref;
}

void ucc_presentity_add_ref(struct ucc_presentity *presentity)
{
    presentity_AddRef(&presentity->IUccPresentity_iface);
}

void ucc_presentity_release(struct ucc_presentity *presentity)
{
    presentity_Release(&presentity->IUccPresentity_iface);
}

/* ---- IUccPresentity ------------------------------------------------------------------------------------ */

static HRESULT WINAPI presentity_get_CategoryContexts(IUccPresentity *iface, IUccCollection **out)
{
    struct ucc_presentity *presentity = impl_from_IUccPresentity(iface);
    IUnknown **items;
    HRESULT hr;
    guint i;

    if (!out)
        return E_POINTER;
    items = g_new0(IUnknown *, presentity->contexts->len + 1);
    for (i = 0; i < presentity->contexts->len; i++)
        items[i] = (IUnknown *)ucc_category_context_iface(g_ptr_array_index(presentity->contexts, i));
    hr = ucc_collection_create(items, presentity->contexts->len, out);
    g_free(items);
    return hr;
}

static HRESULT WINAPI presentity_TryFindCategoryContext(IUccPresentity *iface, BSTR name, IUccCategoryContext **out,
                                                        VARIANT_BOOL *found)
{
    struct ucc_category_context *context;

    if (!out || !found)
        return E_POINTER;
    context = name ? find_context(impl_from_IUccPresentity(iface), name) : NULL;
    *found = context ? VARIANT_TRUE : VARIANT_FALSE;
    if ((*out = context ? ucc_category_context_iface(context) : NULL))
        IUccCategoryContext_AddRef(*out);
    return S_OK;
}

static HRESULT WINAPI presentity_get_Uri(IUccPresentity *iface, IUccUri **uri)
{
    if (!uri)
        return E_POINTER;
    *uri = impl_from_IUccPresentity(iface)->uri;
    IUccUri_AddRef(*uri);
    return S_OK;
}

static HRESULT WINAPI presentity_get_SourceType(IUccPresentity *iface, UCC_SOURCE_NETWORK_TYPE *type)
{
    com_partial(__func__, "always UCCSNT_UNSPECIFIED: SIMPLE does not say whether a presentity is in the company "
                "or federated");
    if (!type)
        return E_POINTER;
    *type = UCCSNT_UNSPECIFIED;
    return S_OK;
}

/* "sip:Alice@Host" and "sip:alice@host" are the same address of record. */
static BOOL same_aor(const char *a, const char *b)
{
    return a && b && !g_ascii_strcasecmp(a, b);
}

static HRESULT WINAPI presentity_get_IsSelf(IUccPresentity *iface, VARIANT_BOOL *self)
{
    struct ucc_presentity *presentity = impl_from_IUccPresentity(iface);
    char *aor;

    if (!self)
        return E_POINTER;
    aor = ucc_endpoint_aor(presentity->endpoint);
    *self = same_aor(aor, presentity->uri_text) ? VARIANT_TRUE : VARIANT_FALSE;
    g_free(aor);
    return S_OK;
}

static HRESULT WINAPI presentity_get_SubscriberContext(IUccPresentity *iface, BSTR *value)
{
    return ucc_return_bstr(impl_from_IUccPresentity(iface)->subscriber_context, value);
}

static HRESULT WINAPI presentity_put_SubscriberContext(IUccPresentity *iface, BSTR value)
{
    struct ucc_presentity *presentity = impl_from_IUccPresentity(iface);

    com_partial(__func__, "stored and read back; OCS's subscriber context has no counterpart in a SIMPLE SUBSCRIBE");
    g_free(presentity->subscriber_context);
    presentity->subscriber_context = ucc_utf8(value);
    return S_OK;
}

static HRESULT WINAPI presentity_get_Context(IUccPresentity *iface, IUccContext **context)
{
    if (!context)
        return E_POINTER;
    if ((*context = impl_from_IUccPresentity(iface)->context))
        IUccContext_AddRef(*context);
    return S_OK;
}

/* A refresh: the notifier answers with a NOTIFY of the current state (RFC 6665 4.2.1.2). Its
 * outcome shows as the category events; the operation context is not reported back. */
static HRESULT WINAPI presentity_RefreshPresence(IUccPresentity *iface, IUccOperationContext *operation)
{
    struct ucc_presentity *presentity = impl_from_IUccPresentity(iface);
    HRESULT hr;

    if (FAILED(hr = ucc_endpoint_check_ready(presentity->endpoint)))
        return hr;
    if (!ucc_presentity_is_subscribed(presentity))
        return UCC_E_RTCSHIM_INVALID_STATE;
    return sip_subscription_refresh(presentity->sub, NULL) ? S_OK : UCC_E_RTCSHIM_INVALID_STATE;
}

static const IUccPresentityVtbl presentity_vtbl =
{
    presentity_QueryInterface,
    presentity_AddRef,
    presentity_Release,
    presentity_get_CategoryContexts,
    presentity_TryFindCategoryContext,
    presentity_get_Uri,
    presentity_get_SourceType,
    presentity_get_IsSelf,
    presentity_get_SubscriberContext,
    presentity_put_SubscriberContext,
    presentity_get_Context,
    presentity_RefreshPresence,
};

/* ---- IConnectionPointContainer --------------------------------------------------------------------------- */

static HRESULT WINAPI container_QueryInterface(IConnectionPointContainer *iface, REFIID riid, void **ppv)
{
    return presentity_QueryInterface(&impl_from_IConnectionPointContainer(iface)->IUccPresentity_iface, riid, ppv);
}

static ULONG WINAPI container_AddRef(IConnectionPointContainer *iface)
{
    return presentity_AddRef(&impl_from_IConnectionPointContainer(iface)->IUccPresentity_iface);
}

static ULONG WINAPI container_Release(IConnectionPointContainer *iface)
{
    return presentity_Release(&impl_from_IConnectionPointContainer(iface)->IUccPresentity_iface);
}

static HRESULT WINAPI container_EnumConnectionPoints(IConnectionPointContainer *iface, IEnumConnectionPoints **out)
{
    struct connection_point *points[] = { &impl_from_IConnectionPointContainer(iface)->events };

    return connection_points_enum(points, ARRAY_SIZE(points), out);
}

static HRESULT WINAPI container_FindConnectionPoint(IConnectionPointContainer *iface, REFIID riid,
                                                    IConnectionPoint **out)
{
    struct connection_point *points[] = { &impl_from_IConnectionPointContainer(iface)->events };

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

HRESULT ucc_presentity_create(struct ucc_endpoint *endpoint, IUccUri *uri, IUccContext *context,
                              struct ucc_presentity **out)
{
    struct ucc_presentity *presentity;
    char *text;
    HRESULT hr;

    if (!uri)
        return E_POINTER;
    /* Our own parsed copy: the application's IUccUri may be any implementation. */
    if (!(text = ucc_uri_text(uri)))
        return UCC_E_INVALID_SIP_URL;
    if (g_ascii_strncasecmp(text, "sip:", 4) && g_ascii_strncasecmp(text, "sips:", 5))
    {
        g_free(text);
        return UCC_E_INVALID_SIP_URL;       /* presence is for SIP addresses of record */
    }
    if (!(presentity = calloc(1, sizeof(*presentity))))
    {
        g_free(text);
        return E_OUTOFMEMORY;
    }
    if (FAILED(hr = ucc_uri_create(text, &presentity->uri)))
    {
        g_free(text);
        free(presentity);
        return hr;
    }
    presentity->IUccPresentity_iface.lpVtbl = &presentity_vtbl;
    presentity->IConnectionPointContainer_iface.lpVtbl = &container_vtbl;
    presentity->refcount = 1;
    presentity->endpoint = endpoint;
    ucc_endpoint_add_ref(endpoint);
    presentity->platform = ucc_endpoint_platform(endpoint);
    presentity->uri_text = text;
    if ((presentity->context = context))
        IUccContext_AddRef(context);
    presentity->contexts = g_ptr_array_new_with_free_func((GDestroyNotify)ucc_category_context_release);
    connection_point_init(&presentity->events, &presentity->IConnectionPointContainer_iface,
                          &DIID__IUccPresentityEvents);
    *out = presentity;
    return S_OK;
}
