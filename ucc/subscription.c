/*
 * IUccSubscriptionManager (on the endpoint), subscriptions (coclass
 * UccSubscription, events _IUccSubscriptionEvents) and their event data
 * (UccSubscriptionEvent).
 *
 * A subscription is a batch: presentities and the category names wanted.
 * Subscribe, Query and Unsubscribe each start one operation over the
 * presentities (a SUBSCRIBE, a fetch or an unsubscribe each: presentity.c);
 * once every presentity has its outcome the operation is reported once, by
 * OnSubscribe / OnQuery / OnUnsubscribe with IsComplete true and each
 * presentity's outcome behind GetOperationInfo. The outcome of Subscribe is
 * the first active or pending state (or the failure), of Query the first
 * NOTIFY, of Unsubscribe the end of the subscription. An operation on a
 * presentity that another one still waits for ends that one (E_ABORT).
 */
#include <string.h>
#include <wchar.h>
#include "presence.h"

enum operation_kind { OPERATION_QUERY, OPERATION_SUBSCRIBE, OPERATION_UNSUBSCRIBE };

struct operation_entry
{
    struct ucc_presentity *presentity;      /* strong */
    BOOL done;
    HRESULT status;
    char *text;
};

struct operation
{
    enum operation_kind kind;
    IUccOperationContext *context;          /* may be NULL */
    GArray *entries;                        /* struct operation_entry */
};

struct ucc_subscription
{
    IUccSubscription IUccSubscription_iface;
    IConnectionPointContainer IConnectionPointContainer_iface;
    LONG refcount;
    struct ucc_endpoint *endpoint;          /* strong */
    struct ucc_platform *platform;          /* the endpoint's */
    IUccContext *context;                   /* never NULL */
    GPtrArray *presentities;                /* struct ucc_presentity *, strong */
    GPtrArray *categories;                  /* WCHAR *, g_free */
    GList *operations;                      /* struct operation *, oldest first */
    struct connection_point events;         /* _IUccSubscriptionEvents */
};

static struct ucc_subscription *impl_from_IUccSubscription(IUccSubscription *iface)
{
    return CONTAINING_RECORD(iface, struct ucc_subscription, IUccSubscription_iface);
}

static struct ucc_subscription *impl_from_IConnectionPointContainer(IConnectionPointContainer *iface)
{
    return CONTAINING_RECORD(iface, struct ucc_subscription, IConnectionPointContainer_iface);
}

BOOL ucc_subscription_wants(struct ucc_subscription *subscription, const WCHAR *category)
{
    guint i;

    for (i = 0; i < subscription->categories->len; i++)
        if (!wcscasecmp(g_ptr_array_index(subscription->categories, i), category))
            return TRUE;
    return FALSE;
}

/* ================================================================================================
 * IUccSubscriptionEvent
 * ============================================================================================== */

struct subscription_event
{
    IUccSubscriptionEvent IUccSubscriptionEvent_iface;
    LONG refcount;
    struct operation *operation;            /* owned */
};

static struct subscription_event *impl_from_IUccSubscriptionEvent(IUccSubscriptionEvent *iface)
{
    return CONTAINING_RECORD(iface, struct subscription_event, IUccSubscriptionEvent_iface);
}

static void operation_free(struct operation *operation)
{
    guint i;

    for (i = 0; i < operation->entries->len; i++)
    {
        struct operation_entry *entry = &g_array_index(operation->entries, struct operation_entry, i);

        ucc_presentity_release(entry->presentity);
        g_free(entry->text);
    }
    g_array_free(operation->entries, TRUE);
    if (operation->context)
        IUccOperationContext_Release(operation->context);
    g_free(operation);
}

static HRESULT WINAPI event_QueryInterface(IUccSubscriptionEvent *iface, REFIID riid, void **ppv)
{
    if (!ppv)
        return E_POINTER;
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IUccSubscriptionEvent))
    {
        *ppv = iface;
        IUccSubscriptionEvent_AddRef(iface);
        return S_OK;
    }
    *ppv = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI event_AddRef(IUccSubscriptionEvent *iface)
{
    return InterlockedIncrement(&impl_from_IUccSubscriptionEvent(iface)->refcount);
}

static ULONG WINAPI event_Release(IUccSubscriptionEvent *iface)
{
    struct subscription_event *event = impl_from_IUccSubscriptionEvent(iface);
    ULONG ref = InterlockedDecrement(&event->refcount);

    if (!ref)
    {
        operation_free(event->operation);
        free(event);
    }
    return ref;
}

static HRESULT WINAPI event_GetOperationInfo(IUccSubscriptionEvent *iface, IUccPresentity *presentity_in,
                                             IUccOperationProgressEvent **out)
{
    struct operation *operation = impl_from_IUccSubscriptionEvent(iface)->operation;
    struct ucc_presentity *presentity = ucc_presentity_from_iface((IUnknown *)presentity_in);
    guint i;

    if (!out)
        return E_POINTER;
    *out = NULL;
    if (!presentity_in)
        return E_POINTER;
    for (i = 0; i < operation->entries->len; i++)
    {
        struct operation_entry *entry = &g_array_index(operation->entries, struct operation_entry, i);

        if (entry->presentity == presentity)
            return ucc_progress_event_create(operation->context, TRUE, entry->status, entry->text, NULL, out);
    }
    return UCC_E_RTCSHIM_NOT_FOUND;     /* not a presentity of this operation */
}

static HRESULT WINAPI event_get_Presentities(IUccSubscriptionEvent *iface, IUccCollection **out)
{
    struct operation *operation = impl_from_IUccSubscriptionEvent(iface)->operation;
    IUnknown **items;
    HRESULT hr;
    guint i;

    if (!out)
        return E_POINTER;
    items = g_new0(IUnknown *, operation->entries->len + 1);
    for (i = 0; i < operation->entries->len; i++)
        items[i] = (IUnknown *)ucc_presentity_iface(g_array_index(operation->entries, struct operation_entry,
                                                                  i).presentity);
    hr = ucc_collection_create(items, operation->entries->len, out);
    g_free(items);
    return hr;
}

static HRESULT WINAPI event_get_OriginalOperationContext(IUccSubscriptionEvent *iface, IUccOperationContext **out)
{
    struct operation *operation = impl_from_IUccSubscriptionEvent(iface)->operation;

    if (!out)
        return E_POINTER;
    if ((*out = operation->context))
        IUccOperationContext_AddRef(*out);
    return S_OK;
}

static HRESULT WINAPI event_get_IsComplete(IUccSubscriptionEvent *iface, VARIANT_BOOL *complete)
{
    /* rtcshim reports an operation once, when every presentity has its outcome. */
    com_partial(__func__, "always true: an operation is reported once, when every presentity has its outcome "
                "(no interim reports)");
    if (!complete)
        return E_POINTER;
    *complete = VARIANT_TRUE;
    return S_OK;
}

static const IUccSubscriptionEventVtbl event_vtbl =
{
    event_QueryInterface,
    event_AddRef,
    event_Release,
    event_GetOperationInfo,
    event_get_Presentities,
    event_get_OriginalOperationContext,
    event_get_IsComplete,
};

/* ================================================================================================
 * Operations
 * ============================================================================================== */

static const DISPID operation_dispids[] =
{
    [OPERATION_QUERY] = DISPID__IUccSubscriptionEvents_OnQuery,
    [OPERATION_SUBSCRIBE] = DISPID__IUccSubscriptionEvents_OnSubscribe,
    [OPERATION_UNSUBSCRIBE] = DISPID__IUccSubscriptionEvents_OnUnsubscribe,
};

/* Reports every operation that has all its outcomes, in order. */
static void report_finished(struct ucc_subscription *subscription)
{
    GList *link = subscription->operations;

    while (link)
    {
        struct operation *operation = link->data;
        GList *next = link->next;
        struct subscription_event *event;
        guint i;
        BOOL done = TRUE;

        for (i = 0; i < operation->entries->len && done; i++)
            done = g_array_index(operation->entries, struct operation_entry, i).done;
        if (done)
        {
            subscription->operations = g_list_delete_link(subscription->operations, link);
            if ((event = calloc(1, sizeof(*event))))
            {
                event->IUccSubscriptionEvent_iface.lpVtbl = &event_vtbl;
                event->refcount = 1;
                event->operation = operation;
                ucc_fire_event(subscription->platform, &subscription->events, operation_dispids[operation->kind],
                               (IUnknown *)&subscription->IUccSubscription_iface,
                               (IUnknown *)&event->IUccSubscriptionEvent_iface);
                IUccSubscriptionEvent_Release(&event->IUccSubscriptionEvent_iface);
            }
            else
                operation_free(operation);
        }
        link = next;
    }
}

/* The oldest unfinished entry of presentity. */
static struct operation_entry *pending_entry(struct ucc_subscription *subscription, struct ucc_presentity *presentity)
{
    GList *link;
    guint i;

    for (link = subscription->operations; link; link = link->next)
    {
        struct operation *operation = link->data;

        for (i = 0; i < operation->entries->len; i++)
        {
            struct operation_entry *entry = &g_array_index(operation->entries, struct operation_entry, i);

            if (entry->presentity == presentity && !entry->done)
                return entry;
        }
    }
    return NULL;
}

static void finish_entry(struct operation_entry *entry, HRESULT status, const char *text)
{
    entry->done = TRUE;
    entry->status = status;
    entry->text = g_strdup(text);
}

void ucc_subscription_presentity_done(struct ucc_subscription *subscription, struct ucc_presentity *presentity,
                                      HRESULT status, const char *text)
{
    struct operation_entry *entry = pending_entry(subscription, presentity);

    if (!entry)
        return;
    finish_entry(entry, status, text);
    report_finished(subscription);
}

static HRESULT start_operation(struct ucc_subscription *subscription, enum operation_kind kind,
                               IUccOperationContext *context)
{
    struct operation *operation;
    HRESULT hr;
    guint i;

    if (FAILED(hr = ucc_endpoint_check_ready(subscription->endpoint)))
        return hr;
    /* Nothing to watch, or nothing to watch for: OCS refuses such a batch too. */
    if (kind != OPERATION_UNSUBSCRIBE && (!subscription->presentities->len || !subscription->categories->len))
        return UCC_E_RTCSHIM_INVALID_STATE;
    operation = g_new0(struct operation, 1);
    operation->kind = kind;
    if ((operation->context = context))
        IUccOperationContext_AddRef(context);
    operation->entries = g_array_new(FALSE, TRUE, sizeof(struct operation_entry));
    for (i = 0; i < subscription->presentities->len; i++)
    {
        struct operation_entry entry = { .presentity = g_ptr_array_index(subscription->presentities, i) };
        struct operation_entry *earlier = pending_entry(subscription, entry.presentity);

        /* A newer request supersedes what the presentity waited for. */
        if (earlier)
            finish_entry(earlier, E_ABORT, "superseded");
        ucc_presentity_add_ref(entry.presentity);
        g_array_append_val(operation->entries, entry);
    }
    subscription->operations = g_list_append(subscription->operations, operation);
    for (i = 0; i < operation->entries->len; i++)
    {
        struct operation_entry *entry = &g_array_index(operation->entries, struct operation_entry, i);

        if (kind == OPERATION_UNSUBSCRIBE)
        {
            /* Nothing to end is ended at once. */
            if (!ucc_presentity_unsubscribe(entry->presentity))
                finish_entry(entry, S_OK, NULL);
        }
        else if (!entry->done && FAILED(hr = ucc_presentity_subscribe(entry->presentity, kind == OPERATION_QUERY)))
            finish_entry(entry, hr, "not sent");
    }
    report_finished(subscription);
    return S_OK;
}

/* ================================================================================================
 * IUccSubscription
 * ============================================================================================== */

static HRESULT WINAPI subscription_QueryInterface(IUccSubscription *iface, REFIID riid, void **ppv)
{
    struct ucc_subscription *subscription = impl_from_IUccSubscription(iface);

    if (!ppv)
        return E_POINTER;
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IUccSubscription))
        *ppv = &subscription->IUccSubscription_iface;
    else if (IsEqualIID(riid, &IID_IConnectionPointContainer))
        *ppv = &subscription->IConnectionPointContainer_iface;
    else
    {
        *ppv = NULL;
        return E_NOINTERFACE;
    }
    IUnknown_AddRef((IUnknown *)*ppv);
    return S_OK;
}

static ULONG WINAPI subscription_AddRef(IUccSubscription *iface)
{
    return InterlockedIncrement(&impl_from_IUccSubscription(iface)->refcount);
}

static ULONG WINAPI subscription_Release(IUccSubscription *iface)
{
    struct ucc_subscription *subscription = impl_from_IUccSubscription(iface);
    ULONG ref = InterlockedDecrement(&subscription->refcount);
    guint i;

    if (!ref)
    {
        /* Gone without Unsubscribe: the presentities stop watching, quietly. */
        for (i = 0; i < subscription->presentities->len; i++)
        {
            struct ucc_presentity *presentity = g_ptr_array_index(subscription->presentities, i);

            ucc_presentity_set_subscription(presentity, NULL);
            ucc_presentity_unsubscribe(presentity);
        }
        g_list_free_full(subscription->operations, (GDestroyNotify)operation_free);
        g_ptr_array_free(subscription->presentities, TRUE);
        g_ptr_array_free(subscription->categories, TRUE);
        connection_point_destroy(&subscription->events);
        IUccContext_Release(subscription->context);
        ucc_endpoint_release(subscription->endpoint);
        free(subscription);
    }
    return ref;
}

static HRESULT WINAPI subscription_CreatePresentity(IUccSubscription *iface, IUccUri *uri, IUccContext *context,
                                                    IUccPresentity **out)
{
    struct ucc_subscription *subscription = impl_from_IUccSubscription(iface);
    struct ucc_presentity *presentity;
    HRESULT hr;

    if (!out)
        return E_POINTER;
    *out = NULL;
    if (FAILED(hr = ucc_presentity_create(subscription->endpoint, uri, context, &presentity)))
        return hr;
    *out = ucc_presentity_iface(presentity);
    return S_OK;
}

static HRESULT WINAPI subscription_AddPresentity(IUccSubscription *iface, IUccPresentity *presentity_in)
{
    struct ucc_subscription *subscription = impl_from_IUccSubscription(iface);
    struct ucc_presentity *presentity = ucc_presentity_from_iface((IUnknown *)presentity_in);

    if (!presentity_in)
        return E_POINTER;
    /* Ours, made for this endpoint, in no subscription yet. */
    if (!presentity || ucc_presentity_endpoint(presentity) != subscription->endpoint)
        return E_INVALIDARG;
    if (ucc_presentity_subscription(presentity))
        return ucc_presentity_subscription(presentity) == subscription ? S_FALSE : UCC_E_RTCSHIM_INVALID_STATE;
    ucc_presentity_add_ref(presentity);
    g_ptr_array_add(subscription->presentities, presentity);
    ucc_presentity_set_subscription(presentity, subscription);
    return S_OK;
}

static HRESULT WINAPI subscription_RemovePresentity(IUccSubscription *iface, IUccPresentity *presentity_in)
{
    struct ucc_subscription *subscription = impl_from_IUccSubscription(iface);
    struct ucc_presentity *presentity = ucc_presentity_from_iface((IUnknown *)presentity_in);
    struct operation_entry *entry;

    if (!presentity_in)
        return E_POINTER;
    if (!presentity || !g_ptr_array_find(subscription->presentities, presentity, NULL))
        return UCC_E_RTCSHIM_NOT_FOUND;
    /* An operation still waiting for it does not wait any more. */
    while ((entry = pending_entry(subscription, presentity)))
        finish_entry(entry, E_ABORT, "removed");
    ucc_presentity_unsubscribe(presentity);     /* its contexts go when the notifier confirms */
    ucc_presentity_set_subscription(presentity, NULL);
    g_ptr_array_remove(subscription->presentities, presentity);
    report_finished(subscription);
    return S_OK;
}

static HRESULT WINAPI subscription_get_Presentities(IUccSubscription *iface, IUccCollection **out)
{
    struct ucc_subscription *subscription = impl_from_IUccSubscription(iface);
    IUnknown **items;
    HRESULT hr;
    guint i;

    if (!out)
        return E_POINTER;
    items = g_new0(IUnknown *, subscription->presentities->len + 1);
    for (i = 0; i < subscription->presentities->len; i++)
        items[i] = (IUnknown *)ucc_presentity_iface(g_ptr_array_index(subscription->presentities, i));
    hr = ucc_collection_create(items, subscription->presentities->len, out);
    g_free(items);
    return hr;
}

static HRESULT WINAPI subscription_AddCategoryName(IUccSubscription *iface, BSTR name)
{
    struct ucc_subscription *subscription = impl_from_IUccSubscription(iface);

    if (!name || !*name)
        return E_INVALIDARG;
    if (ucc_subscription_wants(subscription, name))
        return S_FALSE;
    g_ptr_array_add(subscription->categories, g_memdup2(name, (wcslen(name) + 1) * sizeof(WCHAR)));
    return S_OK;
}

static HRESULT WINAPI subscription_RemoveCategoryName(IUccSubscription *iface, BSTR name)
{
    struct ucc_subscription *subscription = impl_from_IUccSubscription(iface);
    guint i;

    for (i = 0; name && i < subscription->categories->len; i++)
        if (!wcscasecmp(g_ptr_array_index(subscription->categories, i), name))
        {
            g_ptr_array_remove_index(subscription->categories, i);
            return S_OK;
        }
    return UCC_E_RTCSHIM_NOT_FOUND;
}

/* A collection of IUccProperty, each named after a category with its name as the value
 * (docs/ucc.md: the reference does not type the items). */
static HRESULT WINAPI subscription_get_CategoryNames(IUccSubscription *iface, IUccCollection **out)
{
    struct ucc_subscription *subscription = impl_from_IUccSubscription(iface);
    IUccPropertyCollection *names;
    HRESULT hr;
    guint i;

    if (!out)
        return E_POINTER;
    *out = NULL;
    if (FAILED(hr = ucc_property_collection_create(TRUE, &names)))
        return hr;
    for (i = 0; i < subscription->categories->len && SUCCEEDED(hr); i++)
    {
        char *name = ucc_utf8(g_ptr_array_index(subscription->categories, i));

        hr = ucc_properties_add_string((IUnknown *)names, 0, name, name, TRUE);
        g_free(name);
    }
    if (SUCCEEDED(hr))
        hr = IUccPropertyCollection_QueryInterface(names, &IID_IUccCollection, (void **)out);
    IUccPropertyCollection_Release(names);
    return hr;
}

static HRESULT WINAPI subscription_get_Context(IUccSubscription *iface, IUccContext **context)
{
    if (!context)
        return E_POINTER;
    *context = impl_from_IUccSubscription(iface)->context;
    IUccContext_AddRef(*context);
    return S_OK;
}

static HRESULT WINAPI subscription_Subscribe(IUccSubscription *iface, IUccOperationContext *context)
{
    return start_operation(impl_from_IUccSubscription(iface), OPERATION_SUBSCRIBE, context);
}

static HRESULT WINAPI subscription_Unsubscribe(IUccSubscription *iface, IUccOperationContext *context)
{
    return start_operation(impl_from_IUccSubscription(iface), OPERATION_UNSUBSCRIBE, context);
}

static HRESULT WINAPI subscription_Query(IUccSubscription *iface, IUccOperationContext *context)
{
    return start_operation(impl_from_IUccSubscription(iface), OPERATION_QUERY, context);
}

static const IUccSubscriptionVtbl subscription_vtbl =
{
    subscription_QueryInterface,
    subscription_AddRef,
    subscription_Release,
    subscription_CreatePresentity,
    subscription_AddPresentity,
    subscription_RemovePresentity,
    subscription_get_Presentities,
    subscription_AddCategoryName,
    subscription_RemoveCategoryName,
    subscription_get_CategoryNames,
    subscription_get_Context,
    subscription_Subscribe,
    subscription_Unsubscribe,
    subscription_Query,
};

/* ---- IConnectionPointContainer ---------------------------------------------------------------- */

static HRESULT WINAPI container_QueryInterface(IConnectionPointContainer *iface, REFIID riid, void **ppv)
{
    return subscription_QueryInterface(&impl_from_IConnectionPointContainer(iface)->IUccSubscription_iface, riid,
                                       ppv);
}

static ULONG WINAPI container_AddRef(IConnectionPointContainer *iface)
{
    return subscription_AddRef(&impl_from_IConnectionPointContainer(iface)->IUccSubscription_iface);
}

static ULONG WINAPI container_Release(IConnectionPointContainer *iface)
{
    return subscription_Release(&impl_from_IConnectionPointContainer(iface)->IUccSubscription_iface);
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

/* ================================================================================================
 * IUccSubscriptionManager (on the endpoint)
 * ============================================================================================== */

static HRESULT WINAPI manager_QueryInterface(IUccSubscriptionManager *iface, REFIID riid, void **ppv)
{
    return IUccEndpoint_QueryInterface(ucc_endpoint_iface(ucc_endpoint_from_subscription_manager(iface)), riid, ppv);
}

static ULONG WINAPI manager_AddRef(IUccSubscriptionManager *iface)
{
    return IUccEndpoint_AddRef(ucc_endpoint_iface(ucc_endpoint_from_subscription_manager(iface)));
}

static ULONG WINAPI manager_Release(IUccSubscriptionManager *iface)
{
    return IUccEndpoint_Release(ucc_endpoint_iface(ucc_endpoint_from_subscription_manager(iface)));
}

static HRESULT WINAPI manager_CreateSubscription(IUccSubscriptionManager *iface, IUccContext *context,
                                                 IUccSubscription **out)
{
    struct ucc_endpoint *endpoint = ucc_endpoint_from_subscription_manager(iface);
    struct ucc_subscription *subscription;
    HRESULT hr;

    if (!out)
        return E_POINTER;
    *out = NULL;
    if (FAILED(hr = ucc_platform_check_running(ucc_endpoint_platform(endpoint))))
        return hr;
    if (!(subscription = calloc(1, sizeof(*subscription))))
        return E_OUTOFMEMORY;
    subscription->IUccSubscription_iface.lpVtbl = &subscription_vtbl;
    subscription->IConnectionPointContainer_iface.lpVtbl = &container_vtbl;
    subscription->refcount = 1;
    subscription->endpoint = endpoint;
    ucc_endpoint_add_ref(endpoint);
    subscription->platform = ucc_endpoint_platform(endpoint);
    if ((subscription->context = context))
        IUccContext_AddRef(context);
    else if (FAILED(hr = ucc_context_create(&subscription->context)))
    {
        ucc_endpoint_release(endpoint);
        free(subscription);
        return hr;
    }
    subscription->presentities = g_ptr_array_new_with_free_func((GDestroyNotify)ucc_presentity_release);
    subscription->categories = g_ptr_array_new_with_free_func(g_free);
    connection_point_init(&subscription->events, &subscription->IConnectionPointContainer_iface,
                          &DIID__IUccSubscriptionEvents);
    *out = &subscription->IUccSubscription_iface;
    return S_OK;
}

const IUccSubscriptionManagerVtbl ucc_subscription_manager_vtbl =
{
    manager_QueryInterface,
    manager_AddRef,
    manager_Release,
    manager_CreateSubscription,
};
