/*
 * The presence family's event data: IUccCategoryContextEvent (coclass
 * UccCategoryContextEvent, the data of _IUccPresentityEvents) and
 * IUccCategoryInstanceEvent (UccCategoryInstanceEvent, the data of
 * _IUccCategoryContextEvents). A removal carries its reason
 * (UCC_CATEGORY_REMOVAL_REASON) in the event's context, as property
 * UCCCCEC_REMOVAL_REASON / UCCCCIC_REMOVAL_REASON (both 1).
 */
#include "presence.h"

static HRESULT removal_context(UCC_CATEGORY_REMOVAL_REASON reason, IUccContext **out)
{
    VARIANT value;
    HRESULT hr;

    if (FAILED(hr = ucc_context_create(out)) || !reason)
        return hr;
    V_VT(&value) = VT_I4;
    V_I4(&value) = reason;
    if (FAILED(hr = ucc_properties_add((IUnknown *)*out, UCCCCEC_REMOVAL_REASON, NULL, &value, TRUE)))
    {
        IUccContext_Release(*out);
        *out = NULL;
    }
    return hr;
}

/* ---- IUccCategoryContextEvent ------------------------------------------------------------------ */

struct context_event
{
    IUccCategoryContextEvent IUccCategoryContextEvent_iface;
    LONG refcount;
    IUccCategoryContext *category_context;
    IUccContext *context;
};

static struct context_event *impl_from_IUccCategoryContextEvent(IUccCategoryContextEvent *iface)
{
    return CONTAINING_RECORD(iface, struct context_event, IUccCategoryContextEvent_iface);
}

static HRESULT WINAPI context_event_QueryInterface(IUccCategoryContextEvent *iface, REFIID riid, void **ppv)
{
    if (!ppv)
        return E_POINTER;
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IUccCategoryContextEvent))
    {
        *ppv = iface;
        IUccCategoryContextEvent_AddRef(iface);
        return S_OK;
    }
    *ppv = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI context_event_AddRef(IUccCategoryContextEvent *iface)
{
    return InterlockedIncrement(&impl_from_IUccCategoryContextEvent(iface)->refcount);
}

static ULONG WINAPI context_event_Release(IUccCategoryContextEvent *iface)
{
    struct context_event *event = impl_from_IUccCategoryContextEvent(iface);
    ULONG ref = InterlockedDecrement(&event->refcount);

    if (!ref)
    {
        IUccCategoryContext_Release(event->category_context);
        IUccContext_Release(event->context);
        free(event);
    }
    return ref;
}

static HRESULT WINAPI context_event_get_CategoryContext(IUccCategoryContextEvent *iface, IUccCategoryContext **out)
{
    if (!out)
        return E_POINTER;
    *out = impl_from_IUccCategoryContextEvent(iface)->category_context;
    IUccCategoryContext_AddRef(*out);
    return S_OK;
}

static HRESULT WINAPI context_event_get_Context(IUccCategoryContextEvent *iface, IUccContext **out)
{
    if (!out)
        return E_POINTER;
    *out = impl_from_IUccCategoryContextEvent(iface)->context;
    IUccContext_AddRef(*out);
    return S_OK;
}

static const IUccCategoryContextEventVtbl context_event_vtbl =
{
    context_event_QueryInterface,
    context_event_AddRef,
    context_event_Release,
    context_event_get_CategoryContext,
    context_event_get_Context,
};

HRESULT ucc_category_context_event_create(IUccCategoryContext *category_context, UCC_CATEGORY_REMOVAL_REASON reason,
                                          IUnknown **out)
{
    struct context_event *event;
    HRESULT hr;

    if (!(event = calloc(1, sizeof(*event))))
        return E_OUTOFMEMORY;
    if (FAILED(hr = removal_context(reason, &event->context)))
    {
        free(event);
        return hr;
    }
    event->IUccCategoryContextEvent_iface.lpVtbl = &context_event_vtbl;
    event->refcount = 1;
    event->category_context = category_context;
    IUccCategoryContext_AddRef(category_context);
    *out = (IUnknown *)&event->IUccCategoryContextEvent_iface;
    return S_OK;
}

/* ---- IUccCategoryInstanceEvent ----------------------------------------------------------------- */

struct instance_event
{
    IUccCategoryInstanceEvent IUccCategoryInstanceEvent_iface;
    LONG refcount;
    IUccCategoryInstance *instance;
    IUccContext *context;
};

static struct instance_event *impl_from_IUccCategoryInstanceEvent(IUccCategoryInstanceEvent *iface)
{
    return CONTAINING_RECORD(iface, struct instance_event, IUccCategoryInstanceEvent_iface);
}

static HRESULT WINAPI instance_event_QueryInterface(IUccCategoryInstanceEvent *iface, REFIID riid, void **ppv)
{
    if (!ppv)
        return E_POINTER;
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IUccCategoryInstanceEvent))
    {
        *ppv = iface;
        IUccCategoryInstanceEvent_AddRef(iface);
        return S_OK;
    }
    *ppv = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI instance_event_AddRef(IUccCategoryInstanceEvent *iface)
{
    return InterlockedIncrement(&impl_from_IUccCategoryInstanceEvent(iface)->refcount);
}

static ULONG WINAPI instance_event_Release(IUccCategoryInstanceEvent *iface)
{
    struct instance_event *event = impl_from_IUccCategoryInstanceEvent(iface);
    ULONG ref = InterlockedDecrement(&event->refcount);

    if (!ref)
    {
        IUccCategoryInstance_Release(event->instance);
        IUccContext_Release(event->context);
        free(event);
    }
    return ref;
}

static HRESULT WINAPI instance_event_get_CategoryInstance(IUccCategoryInstanceEvent *iface,
                                                          IUccCategoryInstance **out)
{
    if (!out)
        return E_POINTER;
    *out = impl_from_IUccCategoryInstanceEvent(iface)->instance;
    IUccCategoryInstance_AddRef(*out);
    return S_OK;
}

static HRESULT WINAPI instance_event_get_Context(IUccCategoryInstanceEvent *iface, IUccContext **out)
{
    if (!out)
        return E_POINTER;
    *out = impl_from_IUccCategoryInstanceEvent(iface)->context;
    IUccContext_AddRef(*out);
    return S_OK;
}

static const IUccCategoryInstanceEventVtbl instance_event_vtbl =
{
    instance_event_QueryInterface,
    instance_event_AddRef,
    instance_event_Release,
    instance_event_get_CategoryInstance,
    instance_event_get_Context,
};

HRESULT ucc_category_instance_event_create(IUccCategoryInstance *instance, UCC_CATEGORY_REMOVAL_REASON reason,
                                           IUnknown **out)
{
    struct instance_event *event;
    HRESULT hr;

    if (!(event = calloc(1, sizeof(*event))))
        return E_OUTOFMEMORY;
    if (FAILED(hr = removal_context(reason, &event->context)))
    {
        free(event);
        return hr;
    }
    event->IUccCategoryInstanceEvent_iface.lpVtbl = &instance_event_vtbl;
    event->refcount = 1;
    event->instance = instance;
    IUccCategoryInstance_AddRef(instance);
    *out = (IUnknown *)&event->IUccCategoryInstanceEvent_iface;
    return S_OK;
}
