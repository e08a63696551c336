/*
 * Snapshot collections (com/collection.h): the shared item list, its
 * IEnumVARIANT, and the one collection object behind IRTCCollection and
 * IUccCollection (IDispatch by table, Count, Item, _NewEnum).
 *
 * The items live in one immutable, reference-counted snapshot that a
 * collection, the enumerators made from it and their clones share; the
 * snapshot holds one reference on each item and releases them when the last
 * holder goes.
 */
#include <stdlib.h>

#include "com/collection.h"

/* ---- snapshots ------------------------------------------------------------------- */

struct com_snapshot
{
    LONG refcount;
    unsigned int count;
    IUnknown *items[];
};

HRESULT com_snapshot_create(IUnknown **items, unsigned int count, struct com_snapshot **out)
{
    struct com_snapshot *snapshot;
    unsigned int i;

    *out = NULL;
    if (count && !items)
        return E_POINTER;
    for (i = 0; i < count; i++)
        if (!items[i])
            return E_INVALIDARG;
    if (!(snapshot = malloc(sizeof(*snapshot) + (size_t)count * sizeof(IUnknown *))))
        return E_OUTOFMEMORY;
    snapshot->refcount = 1;
    snapshot->count = count;
    for (i = 0; i < count; i++)
    {
        snapshot->items[i] = items[i];
        IUnknown_AddRef(items[i]);
    }
    *out = snapshot;
    return S_OK;
}

struct com_snapshot *com_snapshot_addref(struct com_snapshot *snapshot)
{
    InterlockedIncrement(&snapshot->refcount);
    return snapshot;
}

void com_snapshot_release(struct com_snapshot *snapshot)
{
    unsigned int i;

    if (InterlockedDecrement(&snapshot->refcount))
        return;
    for (i = 0; i < snapshot->count; i++)
        IUnknown_Release(snapshot->items[i]);
    free(snapshot);
}

unsigned int com_snapshot_count(const struct com_snapshot *snapshot)
{
    return snapshot->count;
}

IUnknown *com_snapshot_item(const struct com_snapshot *snapshot, unsigned int index)
{
    return index < snapshot->count ? snapshot->items[index] : NULL;
}

void com_variant_from_item(IUnknown *item, VARIANT *v)
{
    IDispatch *dispatch;

    if (SUCCEEDED(IUnknown_QueryInterface(item, &IID_IDispatch, (void **)&dispatch)) && dispatch)
    {
        V_VT(v) = VT_DISPATCH;
        V_DISPATCH(v) = dispatch;
    }
    else
    {
        IUnknown_AddRef(item);
        V_VT(v) = VT_UNKNOWN;
        V_UNKNOWN(v) = item;
    }
}

HRESULT com_check_thread(GThread *owner)
{
    return owner == g_thread_self() ? S_OK : RPC_E_WRONG_THREAD;
}

/* ---- IEnumVARIANT ------------------------------------------------------------------ */

struct variant_enum
{
    IEnumVARIANT IEnumVARIANT_iface;
    LONG refcount;
    GThread *owner;
    struct com_snapshot *snapshot;
    unsigned int position;
};

static const IEnumVARIANTVtbl variant_enum_vtbl;

static struct variant_enum *impl_from_IEnumVARIANT(IEnumVARIANT *iface)
{
    return CONTAINING_RECORD(iface, struct variant_enum, IEnumVARIANT_iface);
}

HRESULT com_enum_variant_create(struct com_snapshot *snapshot, unsigned int position, IEnumVARIANT **out)
{
    struct variant_enum *e;

    if (!(e = calloc(1, sizeof(*e))))
        return E_OUTOFMEMORY;
    e->IEnumVARIANT_iface.lpVtbl = &variant_enum_vtbl;
    e->refcount = 1;
    com_module_lock();      /* DllCanUnloadNow: one more live object */
    e->owner = g_thread_self();
    e->snapshot = com_snapshot_addref(snapshot);
    e->position = position;
    *out = &e->IEnumVARIANT_iface;
    return S_OK;
}

static HRESULT WINAPI variant_enum_QueryInterface(IEnumVARIANT *iface, REFIID riid, void **ppv)
{
    if (!ppv)
        return E_POINTER;
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IEnumVARIANT))
    {
        *ppv = iface;
        IEnumVARIANT_AddRef(iface);
        return S_OK;
    }
    *ppv = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI variant_enum_AddRef(IEnumVARIANT *iface)
{
    return InterlockedIncrement(&impl_from_IEnumVARIANT(iface)->refcount);
}

static ULONG WINAPI variant_enum_Release(IEnumVARIANT *iface)
{
    struct variant_enum *e = impl_from_IEnumVARIANT(iface);
    ULONG ref = InterlockedDecrement(&e->refcount);

    if (!ref)
    {
        com_snapshot_release(e->snapshot);
        free(e);
        com_module_unlock();
    }
    return ref;
}

static HRESULT WINAPI variant_enum_Next(IEnumVARIANT *iface, ULONG celt, VARIANT *elements, ULONG *fetched)
{
    struct variant_enum *e = impl_from_IEnumVARIANT(iface);
    HRESULT hr;
    ULONG i;

    if (fetched)
        *fetched = 0;
    if (FAILED(hr = com_check_thread(e->owner)))
        return hr;
    if (!elements && celt)
        return E_POINTER;
    for (i = 0; i < celt && e->position < e->snapshot->count; i++, e->position++)
        com_variant_from_item(e->snapshot->items[e->position], &elements[i]);
    if (fetched)
        *fetched = i;
    return i == celt ? S_OK : S_FALSE;
}

static HRESULT WINAPI variant_enum_Skip(IEnumVARIANT *iface, ULONG celt)
{
    struct variant_enum *e = impl_from_IEnumVARIANT(iface);
    HRESULT hr;

    if (FAILED(hr = com_check_thread(e->owner)))
        return hr;
    if (celt > e->snapshot->count - e->position)
    {
        e->position = e->snapshot->count;
        return S_FALSE;
    }
    e->position += celt;
    return S_OK;
}

static HRESULT WINAPI variant_enum_Reset(IEnumVARIANT *iface)
{
    struct variant_enum *e = impl_from_IEnumVARIANT(iface);
    HRESULT hr;

    if (FAILED(hr = com_check_thread(e->owner)))
        return hr;
    e->position = 0;
    return S_OK;
}

static HRESULT WINAPI variant_enum_Clone(IEnumVARIANT *iface, IEnumVARIANT **out)
{
    struct variant_enum *e = impl_from_IEnumVARIANT(iface);
    HRESULT hr;

    if (!out)
        return E_POINTER;
    *out = NULL;
    if (FAILED(hr = com_check_thread(e->owner)))
        return hr;
    return com_enum_variant_create(e->snapshot, e->position, out);
}

static const IEnumVARIANTVtbl variant_enum_vtbl =
{
    variant_enum_QueryInterface,
    variant_enum_AddRef,
    variant_enum_Release,
    variant_enum_Next,
    variant_enum_Skip,
    variant_enum_Reset,
    variant_enum_Clone,
};

/* ---- the collection ------------------------------------------------------------------ */

struct collection
{
    const void *lpVtbl;                 /* the face's vtable: the interface pointer is the object */
    const struct com_collection_type *type;
    LONG refcount;
    GThread *owner;
    struct com_snapshot *snapshot;
    struct dispatch_member members[3];  /* Count, Item, _NewEnum with the face's DISPIDs */
    struct dispatch_table dispatch;
};

static struct collection *impl_from_iface(IDispatch *iface)
{
    return (struct collection *)iface;
}

HRESULT com_collection_QueryInterface(IDispatch *iface, REFIID riid, void **ppv)
{
    struct collection *collection = impl_from_iface(iface);

    if (!ppv)
        return E_POINTER;
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IDispatch) || IsEqualIID(riid, collection->type->iid))
    {
        *ppv = iface;
        InterlockedIncrement(&collection->refcount);
        return S_OK;
    }
    *ppv = NULL;
    return E_NOINTERFACE;
}

ULONG com_collection_AddRef(IDispatch *iface)
{
    return InterlockedIncrement(&impl_from_iface(iface)->refcount);
}

ULONG com_collection_Release(IDispatch *iface)
{
    struct collection *collection = impl_from_iface(iface);
    ULONG ref = InterlockedDecrement(&collection->refcount);

    if (!ref)
    {
        com_snapshot_release(collection->snapshot);
        free(collection);
        com_module_unlock();
    }
    return ref;
}

/* No type library: zero type infos, members reached through GetIDsOfNames/Invoke. */
HRESULT com_collection_GetTypeInfoCount(IDispatch *iface, UINT *count)
{
    if (!count)
        return E_INVALIDARG;
    *count = 0;
    return S_OK;
}

HRESULT com_collection_GetTypeInfo(IDispatch *iface, UINT index, LCID lcid, ITypeInfo **info)
{
    if (!info)
        return E_INVALIDARG;
    *info = NULL;
    return DISP_E_BADINDEX;
}

HRESULT com_collection_GetIDsOfNames(IDispatch *iface, REFIID riid, LPOLESTR *names, UINT count, LCID lcid,
                                     DISPID *dispids)
{
    if (!IsEqualIID(riid, &IID_NULL))
        return DISP_E_UNKNOWNINTERFACE;
    return dispatch_get_ids_of_names(&impl_from_iface(iface)->dispatch, names, count, dispids);
}

HRESULT com_collection_Invoke(IDispatch *iface, DISPID dispid, REFIID riid, LCID lcid, WORD flags,
                              DISPPARAMS *params, VARIANT *result, EXCEPINFO *excepinfo, UINT *arg_err)
{
    struct collection *collection = impl_from_iface(iface);
    HRESULT hr;

    if (!IsEqualIID(riid, &IID_NULL))
        return DISP_E_UNKNOWNINTERFACE;
    if (FAILED(hr = com_check_thread(collection->owner)))
        return hr;
    return dispatch_invoke(&collection->dispatch, iface, dispid, flags, params, result, arg_err);
}

HRESULT com_collection_get_Count(IDispatch *iface, LONG *count)
{
    struct collection *collection = impl_from_iface(iface);
    HRESULT hr;

    if (!count)
        return E_POINTER;
    if (FAILED(hr = com_check_thread(collection->owner)))
        return hr;
    *count = collection->snapshot->count;
    return S_OK;
}

HRESULT com_collection_get_Item(IDispatch *iface, LONG index, VARIANT *item)
{
    struct collection *collection = impl_from_iface(iface);
    HRESULT hr;

    if (!item)
        return E_POINTER;
    V_VT(item) = VT_EMPTY;
    if (FAILED(hr = com_check_thread(collection->owner)))
        return hr;
    if (index < 1 || (ULONG)index > collection->snapshot->count)
        return E_INVALIDARG;
    com_variant_from_item(collection->snapshot->items[index - 1], item);
    return S_OK;
}

HRESULT com_collection_get__NewEnum(IDispatch *iface, IUnknown **out)
{
    struct collection *collection = impl_from_iface(iface);
    IEnumVARIANT *e;
    HRESULT hr;

    if (!out)
        return E_POINTER;
    *out = NULL;
    if (FAILED(hr = com_check_thread(collection->owner)))
        return hr;
    if (FAILED(hr = com_enum_variant_create(collection->snapshot, 0, &e)))
        return hr;
    *out = (IUnknown *)e;
    return S_OK;
}

/* IDispatch thunks: iface is the collection interface pointer. */

static HRESULT dispatch_count(IDispatch *iface, DISPPARAMS *params, VARIANT *result)
{
    HRESULT hr;

    if (params->cArgs)
        return DISP_E_BADPARAMCOUNT;
    if (SUCCEEDED(hr = com_collection_get_Count(iface, &V_I4(result))))
        V_VT(result) = VT_I4;
    return hr;
}

static HRESULT dispatch_item(IDispatch *iface, DISPPARAMS *params, VARIANT *result)
{
    LONG index;
    HRESULT hr;

    if (params->cArgs != 1)
        return DISP_E_BADPARAMCOUNT;
    if (FAILED(hr = com_variant_to_long(&params->rgvarg[0], &index)))
        return hr;
    return com_collection_get_Item(iface, index, result);
}

static HRESULT dispatch_new_enum(IDispatch *iface, DISPPARAMS *params, VARIANT *result)
{
    HRESULT hr;

    if (params->cArgs)
        return DISP_E_BADPARAMCOUNT;
    if (SUCCEEDED(hr = com_collection_get__NewEnum(iface, &V_UNKNOWN(result))))
        V_VT(result) = VT_UNKNOWN;
    return hr;
}

HRESULT com_collection_create(const struct com_collection_type *type, const void *vtbl, IUnknown **items,
                              unsigned int count, void **out)
{
    struct collection *collection;
    struct com_snapshot *snapshot;
    HRESULT hr;

    if (!out)
        return E_POINTER;
    *out = NULL;
    if (FAILED(hr = com_snapshot_create(items, count, &snapshot)))
        return hr;
    if (!(collection = calloc(1, sizeof(*collection))))
    {
        com_snapshot_release(snapshot);
        return E_OUTOFMEMORY;
    }
    collection->lpVtbl = vtbl;
    collection->type = type;
    collection->refcount = 1;
    com_module_lock();      /* DllCanUnloadNow: one more live object */
    collection->owner = g_thread_self();
    collection->snapshot = snapshot;
    collection->members[0] = (struct dispatch_member){ L"Count", type->count_dispid, DISPATCH_PROPERTYGET,
                                                       dispatch_count };
    collection->members[1] = (struct dispatch_member){ L"Item", type->item_dispid,
                                                       DISPATCH_PROPERTYGET | DISPATCH_METHOD, dispatch_item };
    collection->members[2] = (struct dispatch_member){ L"_NewEnum", type->new_enum_dispid,
                                                       DISPATCH_PROPERTYGET | DISPATCH_METHOD, dispatch_new_enum };
    collection->dispatch.members = collection->members;
    collection->dispatch.count = ARRAY_SIZE(collection->members);
    *out = collection;
    return S_OK;
}
