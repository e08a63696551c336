/*
 * Category contexts and category instances (coclasses UccCategoryContext and
 * UccCategoryInstance), with their event points (_IUccCategoryContextEvents,
 * _IUccCategoryInstanceEvents).
 *
 * A received instance belongs to a context of a presentity and is read-only:
 * its value is what the presentity's last NOTIFY said (presentity.c). A
 * publishable instance comes from the publication manager (publication.c):
 * the application writes its value, then adds it to an IUccPublication.
 * Instances received over SIMPLE are in UCC_DEFAULT_CONTAINER_ID, id 0
 * (SIMPLE has no containers; docs/ucc.md).
 */
#include <string.h>
#include <wchar.h>
#include "presence.h"

/* OLE Automation dates count days from 1899-12-30; the Unix epoch is day 25569. */
#define DATE_UNIX_EPOCH 25569.0

struct ucc_category_context
{
    IUccCategoryContext IUccCategoryContext_iface;
    IConnectionPointContainer IConnectionPointContainer_iface;
    LONG refcount;
    struct ucc_platform *platform;          /* strong */
    struct ucc_presentity *presentity;      /* weak: cleared when the presentity goes */
    BSTR name;
    GPtrArray *instances;                   /* struct ucc_category_instance *, strong */
    struct connection_point events;         /* _IUccCategoryContextEvents */
};

struct ucc_category_instance
{
    IUccCategoryInstance IUccCategoryInstance_iface;
    IConnectionPointContainer IConnectionPointContainer_iface;
    LONG refcount;
    struct ucc_platform *platform;          /* strong */
    struct ucc_category_context *context;   /* received: weak, cleared when removed or the context goes */
    struct ucc_publisher *publisher;        /* publishable: the endpoint's (weak) */
    struct ucc_endpoint *endpoint;          /* publishable: strong, keeps the publisher */
    BSTR name;
    LONG container;
    LONG id;
    char *value;
    LONG version;
    LONG expiry_time;
    UCC_CATEGORY_INSTANCE_EXPIRE_TYPE expire_type;
    DATE published_time;
    UCC_PUBLICATION_OPERATION_TYPE operation;
    BOOL publishable;
    BOOL local;                             /* published by this endpoint */
    struct connection_point events;         /* _IUccCategoryInstanceEvents */
};

static DATE now_as_date(void)
{
    return (DATE)(g_get_real_time() / G_USEC_PER_SEC) / 86400.0 + DATE_UNIX_EPOCH;
}

/* ================================================================================================
 * IUccCategoryContext
 * ============================================================================================== */

static struct ucc_category_context *impl_from_IUccCategoryContext(IUccCategoryContext *iface)
{
    return CONTAINING_RECORD(iface, struct ucc_category_context, IUccCategoryContext_iface);
}

static struct ucc_category_context *impl_from_context_container(IConnectionPointContainer *iface)
{
    return CONTAINING_RECORD(iface, struct ucc_category_context, IConnectionPointContainer_iface);
}

IUccCategoryContext *ucc_category_context_iface(struct ucc_category_context *context)
{
    return &context->IUccCategoryContext_iface;
}

const WCHAR *ucc_category_context_name(struct ucc_category_context *context)
{
    return context->name;
}

static HRESULT WINAPI context_QueryInterface(IUccCategoryContext *iface, REFIID riid, void **ppv)
{
    struct ucc_category_context *context = impl_from_IUccCategoryContext(iface);

    if (!ppv)
        return E_POINTER;
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IUccCategoryContext))
        *ppv = &context->IUccCategoryContext_iface;
    else if (IsEqualIID(riid, &IID_IConnectionPointContainer))
        *ppv = &context->IConnectionPointContainer_iface;
    else
    {
        *ppv = NULL;
        return E_NOINTERFACE;
    }
    IUnknown_AddRef((IUnknown *)*ppv);
    return S_OK;
}

static ULONG WINAPI context_AddRef(IUccCategoryContext *iface)
{
    return InterlockedIncrement(&impl_from_IUccCategoryContext(iface)->refcount);
}

static void instance_detach(struct ucc_category_instance *instance);

static ULONG WINAPI context_Release(IUccCategoryContext *iface)
{
    struct ucc_category_context *context = impl_from_IUccCategoryContext(iface);
    ULONG ref = InterlockedDecrement(&context->refcount);

    if (!ref)
    {
        guint i;

        for (i = 0; i < context->instances->len; i++)
            instance_detach(g_ptr_array_index(context->instances, i));
        g_ptr_array_free(context->instances, TRUE);
        connection_point_destroy(&context->events);
        SysFreeString(context->name);
        ucc_platform_release(context->platform);
        free(context);
    }
    return ref;
}

void ucc_category_context_release(struct ucc_category_context *context)
{
    context_Release(&context->IUccCategoryContext_iface);
}

static HRESULT WINAPI context_get_Presentity(IUccCategoryContext *iface, IUccPresentity **presentity)
{
    struct ucc_category_context *context = impl_from_IUccCategoryContext(iface);

    if (!presentity)
        return E_POINTER;
    *presentity = NULL;
    if (!context->presentity)
        return UCC_E_RTCSHIM_INVALID_STATE;
    *presentity = ucc_presentity_iface(context->presentity);
    IUccPresentity_AddRef(*presentity);
    return S_OK;
}

static HRESULT WINAPI context_get_Name(IUccCategoryContext *iface, BSTR *name)
{
    struct ucc_category_context *context = impl_from_IUccCategoryContext(iface);

    if (!name)
        return E_POINTER;
    *name = SysAllocString(context->name);
    return *name ? S_OK : E_OUTOFMEMORY;
}

struct ucc_category_instance *ucc_category_context_find(struct ucc_category_context *context, LONG container,
                                                        LONG instance_id)
{
    guint i;

    for (i = 0; i < context->instances->len; i++)
    {
        struct ucc_category_instance *instance = g_ptr_array_index(context->instances, i);

        if (instance->container == container && instance->id == instance_id)
            return instance;
    }
    return NULL;
}

static HRESULT WINAPI context_TryFindCategoryInstance(IUccCategoryContext *iface, LONG container, LONG instance_id,
                                                      IUccCategoryInstance **out, VARIANT_BOOL *found)
{
    struct ucc_category_instance *instance;

    if (!out || !found)
        return E_POINTER;
    instance = ucc_category_context_find(impl_from_IUccCategoryContext(iface), container, instance_id);
    *found = instance ? VARIANT_TRUE : VARIANT_FALSE;
    if ((*out = instance ? &instance->IUccCategoryInstance_iface : NULL))
        IUccCategoryInstance_AddRef(*out);
    return S_OK;
}

static HRESULT WINAPI context_get_CategoryInstances(IUccCategoryContext *iface, LONG container, IUccCollection **out)
{
    struct ucc_category_context *context = impl_from_IUccCategoryContext(iface);
    IUnknown **items = g_new0(IUnknown *, context->instances->len + 1);
    unsigned int count = 0;
    HRESULT hr;
    guint i;

    if (!out)
    {
        g_free(items);
        return E_POINTER;
    }
    for (i = 0; i < context->instances->len; i++)
    {
        struct ucc_category_instance *instance = g_ptr_array_index(context->instances, i);

        if (instance->container == container)
            items[count++] = (IUnknown *)&instance->IUccCategoryInstance_iface;
    }
    hr = ucc_collection_create(items, count, out);
    g_free(items);
    return hr;
}

static const IUccCategoryContextVtbl context_vtbl =
{
    context_QueryInterface,
    context_AddRef,
    context_Release,
    context_get_Presentity,
    context_get_Name,
    context_TryFindCategoryInstance,
    context_get_CategoryInstances,
};

static HRESULT WINAPI context_container_QueryInterface(IConnectionPointContainer *iface, REFIID riid, void **ppv)
{
    return context_QueryInterface(&impl_from_context_container(iface)->IUccCategoryContext_iface, riid, ppv);
}

static ULONG WINAPI context_container_AddRef(IConnectionPointContainer *iface)
{
    return context_AddRef(&impl_from_context_container(iface)->IUccCategoryContext_iface);
}

static ULONG WINAPI context_container_Release(IConnectionPointContainer *iface)
{
    return context_Release(&impl_from_context_container(iface)->IUccCategoryContext_iface);
}

static HRESULT WINAPI context_container_EnumConnectionPoints(IConnectionPointContainer *iface,
                                                             IEnumConnectionPoints **out)
{
    struct connection_point *points[] = { &impl_from_context_container(iface)->events };

    return connection_points_enum(points, ARRAY_SIZE(points), out);
}

static HRESULT WINAPI context_container_FindConnectionPoint(IConnectionPointContainer *iface, REFIID riid,
                                                            IConnectionPoint **out)
{
    struct connection_point *points[] = { &impl_from_context_container(iface)->events };

    return connection_points_find(points, ARRAY_SIZE(points), riid, out);
}

static const IConnectionPointContainerVtbl context_container_vtbl =
{
    context_container_QueryInterface,
    context_container_AddRef,
    context_container_Release,
    context_container_EnumConnectionPoints,
    context_container_FindConnectionPoint,
};

HRESULT ucc_category_context_create(struct ucc_platform *platform, struct ucc_presentity *presentity,
                                    const WCHAR *name, struct ucc_category_context **out)
{
    struct ucc_category_context *context;

    if (!(context = calloc(1, sizeof(*context))))
        return E_OUTOFMEMORY;
    context->IUccCategoryContext_iface.lpVtbl = &context_vtbl;
    context->IConnectionPointContainer_iface.lpVtbl = &context_container_vtbl;
    context->refcount = 1;
    context->platform = platform;
    ucc_platform_add_ref(platform);
    context->presentity = presentity;
    context->name = SysAllocString(name);
    context->instances = g_ptr_array_new_with_free_func((GDestroyNotify)ucc_category_instance_release);
    connection_point_init(&context->events, &context->IConnectionPointContainer_iface,
                          &DIID__IUccCategoryContextEvents);
    *out = context;
    return S_OK;
}

static struct ucc_category_instance *instance_new(struct ucc_platform *platform, const WCHAR *name, LONG container,
                                                  LONG id);

static void fire_instance_event(struct ucc_category_context *context, DISPID dispid,
                                struct ucc_category_instance *instance, UCC_CATEGORY_REMOVAL_REASON reason)
{
    IUnknown *event;

    if (SUCCEEDED(ucc_category_instance_event_create(&instance->IUccCategoryInstance_iface, reason, &event)))
    {
        ucc_fire_event(context->platform, &context->events, dispid, (IUnknown *)&context->IUccCategoryContext_iface,
                       event);
        IUnknown_Release(event);
    }
}

void ucc_category_context_set(struct ucc_category_context *context, LONG container, LONG instance_id,
                              const char *value)
{
    struct ucc_category_instance *instance = ucc_category_context_find(context, container, instance_id);

    if (!instance)
    {
        if (!(instance = instance_new(context->platform, context->name, container, instance_id)))
            return;
        instance->context = context;
        instance->value = g_strdup(value);
        instance->version = 1;
        instance->published_time = now_as_date();
        g_ptr_array_add(context->instances, instance);
        fire_instance_event(context, DISPID__IUccCategoryContextEvents_OnCategoryInstanceAdded, instance, 0);
        return;
    }
    if (!g_strcmp0(instance->value, value))
        return;
    g_free(instance->value);
    instance->value = g_strdup(value);
    instance->version++;
    instance->published_time = now_as_date();
    ucc_fire_event(context->platform, &instance->events, DISPID__IUccCategoryInstanceEvents_OnCategoryInstanceValueModified,
                   (IUnknown *)&instance->IUccCategoryInstance_iface, NULL);
}

void ucc_category_context_remove(struct ucc_category_context *context, LONG instance_id,
                                 UCC_CATEGORY_REMOVAL_REASON reason)
{
    guint i = 0;

    while (i < context->instances->len)
    {
        struct ucc_category_instance *instance = g_ptr_array_index(context->instances, i);

        if (instance_id != -1 && instance->id != instance_id)
        {
            i++;
            continue;
        }
        ucc_category_instance_add_ref(instance);
        g_ptr_array_remove_index(context->instances, i);
        fire_instance_event(context, DISPID__IUccCategoryContextEvents_OnCategoryInstanceRemoved, instance, reason);
        instance_detach(instance);
        ucc_category_instance_release(instance);
    }
}

BOOL ucc_category_context_is_empty(struct ucc_category_context *context)
{
    return context->instances->len == 0;
}

void ucc_category_context_detach(struct ucc_category_context *context)
{
    context->presentity = NULL;
}

struct ucc_presentity *ucc_category_context_presentity(struct ucc_category_context *context)
{
    return context->presentity;
}

/* ================================================================================================
 * IUccCategoryInstance
 * ============================================================================================== */

static struct ucc_category_instance *impl_from_IUccCategoryInstance(IUccCategoryInstance *iface)
{
    return CONTAINING_RECORD(iface, struct ucc_category_instance, IUccCategoryInstance_iface);
}

static struct ucc_category_instance *impl_from_instance_container(IConnectionPointContainer *iface)
{
    return CONTAINING_RECORD(iface, struct ucc_category_instance, IConnectionPointContainer_iface);
}

static const IUccCategoryInstanceVtbl instance_vtbl;

struct ucc_category_instance *ucc_category_instance_from_iface(IUnknown *iface)
{
    IUccCategoryInstance *instance;
    struct ucc_category_instance *ours;

    if (!iface || FAILED(IUnknown_QueryInterface(iface, &IID_IUccCategoryInstance, (void **)&instance)))
        return NULL;
    ours = instance->lpVtbl == &instance_vtbl ? impl_from_IUccCategoryInstance(instance) : NULL;
    IUccCategoryInstance_Release(instance);
    return ours;
}

IUccCategoryInstance *ucc_category_instance_iface(struct ucc_category_instance *instance)
{
    return &instance->IUccCategoryInstance_iface;
}

const WCHAR *ucc_category_instance_name(struct ucc_category_instance *instance)
{
    return instance->name;
}

LONG ucc_category_instance_container(struct ucc_category_instance *instance)
{
    return instance->container;
}

LONG ucc_category_instance_id(struct ucc_category_instance *instance)
{
    return instance->id;
}

const char *ucc_category_instance_value(struct ucc_category_instance *instance)
{
    return instance->value;
}

UCC_PUBLICATION_OPERATION_TYPE ucc_category_instance_operation(struct ucc_category_instance *instance)
{
    return instance->operation;
}

BOOL ucc_category_instance_publishable(struct ucc_category_instance *instance)
{
    return instance->publishable;
}

void ucc_category_instance_published(struct ucc_category_instance *instance, LONG version)
{
    instance->version = version;
    instance->local = TRUE;
    instance->published_time = now_as_date();
}

static HRESULT WINAPI instance_QueryInterface(IUccCategoryInstance *iface, REFIID riid, void **ppv)
{
    struct ucc_category_instance *instance = impl_from_IUccCategoryInstance(iface);

    if (!ppv)
        return E_POINTER;
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IUccCategoryInstance))
        *ppv = &instance->IUccCategoryInstance_iface;
    else if (IsEqualIID(riid, &IID_IConnectionPointContainer))
        *ppv = &instance->IConnectionPointContainer_iface;
    else
    {
        *ppv = NULL;
        return E_NOINTERFACE;
    }
    IUnknown_AddRef((IUnknown *)*ppv);
    return S_OK;
}

static ULONG WINAPI instance_AddRef(IUccCategoryInstance *iface)
{
    return InterlockedIncrement(&impl_from_IUccCategoryInstance(iface)->refcount);
}

static void instance_detach(struct ucc_category_instance *instance)
{
    instance->context = NULL;
}

static ULONG WINAPI instance_Release(IUccCategoryInstance *iface)
{
    struct ucc_category_instance *instance = impl_from_IUccCategoryInstance(iface);
    ULONG ref = InterlockedDecrement(&instance->refcount);

    if (!ref)
    {
        instance_detach(instance);
        if (instance->endpoint)
            ucc_endpoint_release(instance->endpoint);
        connection_point_destroy(&instance->events);
        SysFreeString(instance->name);
        g_free(instance->value);
        ucc_platform_release(instance->platform);
        free(instance);
    }
    return ref;
}

void ucc_category_instance_add_ref(struct ucc_category_instance *instance)
{
    instance_AddRef(&instance->IUccCategoryInstance_iface);
}

void ucc_category_instance_release(struct ucc_category_instance *instance)
{
    instance_Release(&instance->IUccCategoryInstance_iface);
}

static HRESULT WINAPI instance_get_Presentity(IUccCategoryInstance *iface, IUccPresentity **presentity)
{
    struct ucc_category_instance *instance = impl_from_IUccCategoryInstance(iface);

    if (!presentity)
        return E_POINTER;
    *presentity = NULL;
    /* A publishable instance belongs to no presentity until a subscription to ourselves shows it. */
    if (!instance->context)
        return UCC_E_RTCSHIM_INVALID_STATE;
    return IUccCategoryContext_get_Presentity(&instance->context->IUccCategoryContext_iface, presentity);
}

static HRESULT WINAPI instance_get_CategoryContext(IUccCategoryInstance *iface, IUccCategoryContext **context)
{
    struct ucc_category_instance *instance = impl_from_IUccCategoryInstance(iface);

    if (!context)
        return E_POINTER;
    *context = NULL;
    if (!instance->context)
        return UCC_E_RTCSHIM_INVALID_STATE;
    *context = &instance->context->IUccCategoryContext_iface;
    IUccCategoryContext_AddRef(*context);
    return S_OK;
}

static HRESULT WINAPI instance_get_InstanceId(IUccCategoryInstance *iface, LONG *id)
{
    if (!id)
        return E_POINTER;
    *id = impl_from_IUccCategoryInstance(iface)->id;
    return S_OK;
}

static HRESULT WINAPI instance_get_Value(IUccCategoryInstance *iface, BSTR *value)
{
    return ucc_return_bstr(impl_from_IUccCategoryInstance(iface)->value, value);
}

static HRESULT WINAPI instance_put_Value(IUccCategoryInstance *iface, BSTR value)
{
    struct ucc_category_instance *instance = impl_from_IUccCategoryInstance(iface);

    /* What a presentity published is theirs: only a publishable copy takes a value. */
    if (!instance->publishable)
        return E_ACCESSDENIED;
    g_free(instance->value);
    instance->value = ucc_utf8(value);
    return S_OK;
}

static HRESULT WINAPI instance_get_Container(IUccCategoryInstance *iface, IUccContainer **container)
{
    struct ucc_category_instance *instance = impl_from_IUccCategoryInstance(iface);

    if (!container)
        return E_POINTER;
    /* Only containers this endpoint made exist as objects (received instances have none over SIMPLE). */
    *container = instance->publisher ? ucc_publisher_container(instance->publisher, instance->container) : NULL;
    return *container ? S_OK : UCC_E_RTCSHIM_NOT_FOUND;
}

static HRESULT WINAPI instance_get_ContainerId(IUccCategoryInstance *iface, LONG *id)
{
    if (!id)
        return E_POINTER;
    *id = impl_from_IUccCategoryInstance(iface)->container;
    return S_OK;
}

static HRESULT WINAPI instance_get_Version(IUccCategoryInstance *iface, LONG *version)
{
    if (!version)
        return E_POINTER;
    *version = impl_from_IUccCategoryInstance(iface)->version;
    return S_OK;
}

static HRESULT WINAPI instance_get_ExpiryTime(IUccCategoryInstance *iface, LONG *time)
{
    if (!time)
        return E_POINTER;
    *time = impl_from_IUccCategoryInstance(iface)->expiry_time;
    return S_OK;
}

static HRESULT WINAPI instance_put_ExpiryTime(IUccCategoryInstance *iface, LONG time)
{
    struct ucc_category_instance *instance = impl_from_IUccCategoryInstance(iface);

    com_partial(__func__, "stored and read back; on the wire the PUBLISH's own lifetime applies, refreshed by the "
                "engine, and SIMPLE has no per-instance expiry");
    if (!instance->publishable)
        return E_ACCESSDENIED;
    if (time < 0)
        return E_INVALIDARG;
    instance->expiry_time = time;
    return S_OK;
}

static HRESULT WINAPI instance_get_ExpireType(IUccCategoryInstance *iface, UCC_CATEGORY_INSTANCE_EXPIRE_TYPE *type)
{
    if (!type)
        return E_POINTER;
    *type = impl_from_IUccCategoryInstance(iface)->expire_type;
    return S_OK;
}

static HRESULT WINAPI instance_get_PublishedTime(IUccCategoryInstance *iface, DATE *time)
{
    if (!time)
        return E_POINTER;
    *time = impl_from_IUccCategoryInstance(iface)->published_time;
    return S_OK;
}

static HRESULT WINAPI instance_put_PublicationOperation(IUccCategoryInstance *iface,
                                                        UCC_PUBLICATION_OPERATION_TYPE operation)
{
    struct ucc_category_instance *instance = impl_from_IUccCategoryInstance(iface);

    if (!instance->publishable)
        return E_ACCESSDENIED;
    if (operation != UCCPOT_NONE && operation != UCCPOT_ADD && operation != UCCPOT_REMOVE)
        return E_INVALIDARG;
    instance->operation = operation;
    return S_OK;
}

static HRESULT WINAPI instance_CreatePublishableCategoryInstance(IUccCategoryInstance *iface,
                                                                 IUccCategoryInstance **out)
{
    struct ucc_category_instance *instance = impl_from_IUccCategoryInstance(iface), *copy;
    struct ucc_presentity *presentity = instance->context ? ucc_category_context_presentity(instance->context)
                                                          : NULL;
    struct ucc_endpoint *endpoint = instance->endpoint ? instance->endpoint
                                  : presentity ? ucc_presentity_endpoint(presentity) : NULL;
    IUccCategoryInstance *made;
    HRESULT hr;

    if (!out)
        return E_POINTER;
    *out = NULL;
    if (!endpoint)
        return UCC_E_RTCSHIM_INVALID_STATE;
    if (FAILED(hr = ucc_category_instance_create_publishable(endpoint, instance->name, instance->container, instance->id,
                                                             instance->expire_type, instance->expiry_time, &made)))
        return hr;
    copy = impl_from_IUccCategoryInstance(made);
    copy->value = g_strdup(instance->value);
    copy->version = instance->version;
    *out = made;
    return S_OK;
}

static HRESULT WINAPI instance_get_IsPublishedByLocalEndpoint(IUccCategoryInstance *iface, VARIANT_BOOL *local)
{
    struct ucc_category_instance *instance = impl_from_IUccCategoryInstance(iface);
    struct ucc_presentity *presentity = instance->context ? ucc_category_context_presentity(instance->context)
                                                          : NULL;
    VARIANT_BOOL self = VARIANT_FALSE;

    if (!local)
        return E_POINTER;
    /* Received: ours when it is our own presentity's (SIMPLE does not say which endpoint). */
    if (presentity)
        IUccPresentity_get_IsSelf(ucc_presentity_iface(presentity), &self);
    *local = instance->local || self ? VARIANT_TRUE : VARIANT_FALSE;
    return S_OK;
}

static const IUccCategoryInstanceVtbl instance_vtbl =
{
    instance_QueryInterface,
    instance_AddRef,
    instance_Release,
    instance_get_Presentity,
    instance_get_CategoryContext,
    instance_get_InstanceId,
    instance_get_Value,
    instance_put_Value,
    instance_get_Container,
    instance_get_ContainerId,
    instance_get_Version,
    instance_get_ExpiryTime,
    instance_put_ExpiryTime,
    instance_get_ExpireType,
    instance_get_PublishedTime,
    instance_put_PublicationOperation,
    instance_CreatePublishableCategoryInstance,
    instance_get_IsPublishedByLocalEndpoint,
};

static HRESULT WINAPI instance_container_QueryInterface(IConnectionPointContainer *iface, REFIID riid, void **ppv)
{
    return instance_QueryInterface(&impl_from_instance_container(iface)->IUccCategoryInstance_iface, riid, ppv);
}

static ULONG WINAPI instance_container_AddRef(IConnectionPointContainer *iface)
{
    return instance_AddRef(&impl_from_instance_container(iface)->IUccCategoryInstance_iface);
}

static ULONG WINAPI instance_container_Release(IConnectionPointContainer *iface)
{
    return instance_Release(&impl_from_instance_container(iface)->IUccCategoryInstance_iface);
}

static HRESULT WINAPI instance_container_EnumConnectionPoints(IConnectionPointContainer *iface,
                                                              IEnumConnectionPoints **out)
{
    struct connection_point *points[] = { &impl_from_instance_container(iface)->events };

    return connection_points_enum(points, ARRAY_SIZE(points), out);
}

static HRESULT WINAPI instance_container_FindConnectionPoint(IConnectionPointContainer *iface, REFIID riid,
                                                             IConnectionPoint **out)
{
    struct connection_point *points[] = { &impl_from_instance_container(iface)->events };

    return connection_points_find(points, ARRAY_SIZE(points), riid, out);
}

static const IConnectionPointContainerVtbl instance_container_vtbl =
{
    instance_container_QueryInterface,
    instance_container_AddRef,
    instance_container_Release,
    instance_container_EnumConnectionPoints,
    instance_container_FindConnectionPoint,
};

static struct ucc_category_instance *instance_new(struct ucc_platform *platform, const WCHAR *name, LONG container,
                                                  LONG id)
{
    struct ucc_category_instance *instance;

    if (!(instance = calloc(1, sizeof(*instance))))
        return NULL;
    instance->IUccCategoryInstance_iface.lpVtbl = &instance_vtbl;
    instance->IConnectionPointContainer_iface.lpVtbl = &instance_container_vtbl;
    instance->refcount = 1;
    instance->platform = platform;
    ucc_platform_add_ref(platform);
    instance->name = SysAllocString(name);
    instance->container = container;
    instance->id = id;
    connection_point_init(&instance->events, &instance->IConnectionPointContainer_iface,
                          &DIID__IUccCategoryInstanceEvents);
    return instance;
}

HRESULT ucc_category_instance_create_publishable(struct ucc_endpoint *endpoint, const WCHAR *name, LONG container,
                                                 LONG instance_id, UCC_CATEGORY_INSTANCE_EXPIRE_TYPE expire_type,
                                                 LONG expire_time, IUccCategoryInstance **out)
{
    struct ucc_category_instance *instance;

    if (!(instance = instance_new(ucc_endpoint_platform(endpoint), name, container, instance_id)))
        return E_OUTOFMEMORY;
    instance->endpoint = endpoint;
    ucc_endpoint_add_ref(endpoint);
    instance->publisher = ucc_endpoint_publisher(endpoint);
    instance->publishable = TRUE;
    instance->expire_type = expire_type;
    instance->expiry_time = expire_time;
    instance->operation = UCCPOT_ADD;
    *out = &instance->IUccCategoryInstance_iface;
    return S_OK;
}
