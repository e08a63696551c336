/*
 * Snapshot collections and enumerators: IRTCCollection (+ IDispatch by table and
 * IEnumVARIANT from _NewEnum), IRTCEnumProfiles and IRTCEnumParticipants.
 *
 * The items live in one immutable, reference-counted list that a collection,
 * the enumerators made from it and their clones share; the list holds one
 * reference on each item and releases them when the last holder goes.
 */
#include "collection.h"

/* ---- the shared item list -------------------------------------------------------- */

struct item_list
{
    LONG refcount;
    unsigned int count;
    IUnknown *items[];
};

static HRESULT item_list_create(IUnknown **items, unsigned int count, struct item_list **out)
{
    struct item_list *list;
    unsigned int i;

    *out = NULL;
    if (count && !items)
        return E_POINTER;
    for (i = 0; i < count; i++)
        if (!items[i])
            return E_INVALIDARG;
    if (!(list = malloc(sizeof(*list) + (size_t)count * sizeof(IUnknown *))))
        return E_OUTOFMEMORY;
    list->refcount = 1;
    list->count = count;
    for (i = 0; i < count; i++)
    {
        list->items[i] = items[i];
        IUnknown_AddRef(items[i]);
    }
    *out = list;
    return S_OK;
}

static struct item_list *item_list_addref(struct item_list *list)
{
    InterlockedIncrement(&list->refcount);
    return list;
}

static void item_list_release(struct item_list *list)
{
    unsigned int i;

    if (InterlockedDecrement(&list->refcount))
        return;
    for (i = 0; i < list->count; i++)
        IUnknown_Release(list->items[i]);
    free(list);
}

/* An item as a VARIANT: its IDispatch when it has one, else the item as VT_UNKNOWN. */
static void item_to_variant(IUnknown *item, VARIANT *v)
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

/* Objects here run on the thread that created them only (STA, DESIGN.md). */
static HRESULT check_thread(GThread *owner)
{
    return owner == g_thread_self() ? S_OK : RPC_E_WRONG_THREAD;
}

/* ---- IEnumVARIANT ------------------------------------------------------------------ */

struct variant_enum
{
    IEnumVARIANT IEnumVARIANT_iface;
    LONG refcount;
    GThread *owner;
    struct item_list *list;
    unsigned int position;
};

static const IEnumVARIANTVtbl variant_enum_vtbl;

static struct variant_enum *impl_from_IEnumVARIANT(IEnumVARIANT *iface)
{
    return CONTAINING_RECORD(iface, struct variant_enum, IEnumVARIANT_iface);
}

static HRESULT variant_enum_create(struct item_list *list, unsigned int position, IEnumVARIANT **out)
{
    struct variant_enum *e;

    if (!(e = calloc(1, sizeof(*e))))
        return E_OUTOFMEMORY;
    e->IEnumVARIANT_iface.lpVtbl = &variant_enum_vtbl;
    e->refcount = 1;
    com_module_lock();      /* DllCanUnloadNow: one more live object */
    e->owner = g_thread_self();
    e->list = item_list_addref(list);
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
        item_list_release(e->list);
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
    if (FAILED(hr = check_thread(e->owner)))
        return hr;
    if (!elements && celt)
        return E_POINTER;
    for (i = 0; i < celt && e->position < e->list->count; i++, e->position++)
        item_to_variant(e->list->items[e->position], &elements[i]);
    if (fetched)
        *fetched = i;
    return i == celt ? S_OK : S_FALSE;
}

static HRESULT WINAPI variant_enum_Skip(IEnumVARIANT *iface, ULONG celt)
{
    struct variant_enum *e = impl_from_IEnumVARIANT(iface);
    HRESULT hr;

    if (FAILED(hr = check_thread(e->owner)))
        return hr;
    if (celt > e->list->count - e->position)
    {
        e->position = e->list->count;
        return S_FALSE;
    }
    e->position += celt;
    return S_OK;
}

static HRESULT WINAPI variant_enum_Reset(IEnumVARIANT *iface)
{
    struct variant_enum *e = impl_from_IEnumVARIANT(iface);
    HRESULT hr;

    if (FAILED(hr = check_thread(e->owner)))
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
    if (FAILED(hr = check_thread(e->owner)))
        return hr;
    return variant_enum_create(e->list, e->position, out);
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

/* ---- IRTCCollection ------------------------------------------------------------------ */

struct collection
{
    IRTCCollection IRTCCollection_iface;
    LONG refcount;
    GThread *owner;
    struct item_list *list;
};

static const IRTCCollectionVtbl collection_vtbl;
static const struct dispatch_table collection_dispatch;

static struct collection *impl_from_IRTCCollection(IRTCCollection *iface)
{
    return CONTAINING_RECORD(iface, struct collection, IRTCCollection_iface);
}

static HRESULT WINAPI collection_QueryInterface(IRTCCollection *iface, REFIID riid, void **ppv)
{
    if (!ppv)
        return E_POINTER;
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IDispatch)
        || IsEqualIID(riid, &IID_IRTCCollection))
    {
        *ppv = iface;
        IRTCCollection_AddRef(iface);
        return S_OK;
    }
    *ppv = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI collection_AddRef(IRTCCollection *iface)
{
    return InterlockedIncrement(&impl_from_IRTCCollection(iface)->refcount);
}

static ULONG WINAPI collection_Release(IRTCCollection *iface)
{
    struct collection *collection = impl_from_IRTCCollection(iface);
    ULONG ref = InterlockedDecrement(&collection->refcount);

    if (!ref)
    {
        item_list_release(collection->list);
        free(collection);
        com_module_unlock();
    }
    return ref;
}

/* No type library: zero type infos, members reached through GetIDsOfNames/Invoke. */
static HRESULT WINAPI collection_GetTypeInfoCount(IRTCCollection *iface, UINT *count)
{
    com_partial(__func__, COM_NO_TYPE_LIBRARY);
    if (!count)
        return E_INVALIDARG;
    *count = 0;
    return S_OK;
}

static HRESULT WINAPI collection_GetTypeInfo(IRTCCollection *iface, UINT index, LCID lcid, ITypeInfo **info)
{
    com_partial(__func__, COM_NO_TYPE_LIBRARY);
    if (!info)
        return E_INVALIDARG;
    *info = NULL;
    return DISP_E_BADINDEX;
}

static HRESULT WINAPI collection_GetIDsOfNames(IRTCCollection *iface, REFIID riid, LPOLESTR *names,
                                               UINT count, LCID lcid, DISPID *dispids)
{
    if (!IsEqualIID(riid, &IID_NULL))
        return DISP_E_UNKNOWNINTERFACE;
    return dispatch_get_ids_of_names(&collection_dispatch, names, count, dispids);
}

static HRESULT WINAPI collection_Invoke(IRTCCollection *iface, DISPID dispid, REFIID riid, LCID lcid,
                                        WORD flags, DISPPARAMS *params, VARIANT *result,
                                        EXCEPINFO *excepinfo, UINT *arg_err)
{
    struct collection *collection = impl_from_IRTCCollection(iface);
    HRESULT hr;

    if (!IsEqualIID(riid, &IID_NULL))
        return DISP_E_UNKNOWNINTERFACE;
    if (FAILED(hr = check_thread(collection->owner)))
        return hr;
    return dispatch_invoke(&collection_dispatch, (IDispatch *)iface, dispid, flags, params, result, arg_err);
}

static HRESULT WINAPI collection_get_Count(IRTCCollection *iface, LONG *count)
{
    struct collection *collection = impl_from_IRTCCollection(iface);
    HRESULT hr;

    if (!count)
        return E_POINTER;
    if (FAILED(hr = check_thread(collection->owner)))
        return hr;
    *count = collection->list->count;
    return S_OK;
}

static HRESULT WINAPI collection_get_Item(IRTCCollection *iface, LONG index, VARIANT *item)
{
    struct collection *collection = impl_from_IRTCCollection(iface);
    HRESULT hr;

    if (!item)
        return E_POINTER;
    V_VT(item) = VT_EMPTY;
    if (FAILED(hr = check_thread(collection->owner)))
        return hr;
    if (index < 1 || (ULONG)index > collection->list->count)
        return E_INVALIDARG;
    item_to_variant(collection->list->items[index - 1], item);
    return S_OK;
}

static HRESULT WINAPI collection_get__NewEnum(IRTCCollection *iface, IUnknown **out)
{
    struct collection *collection = impl_from_IRTCCollection(iface);
    IEnumVARIANT *e;
    HRESULT hr;

    if (!out)
        return E_POINTER;
    *out = NULL;
    if (FAILED(hr = check_thread(collection->owner)))
        return hr;
    if (FAILED(hr = variant_enum_create(collection->list, 0, &e)))
        return hr;
    *out = (IUnknown *)e;
    return S_OK;
}

static const IRTCCollectionVtbl collection_vtbl =
{
    collection_QueryInterface,
    collection_AddRef,
    collection_Release,
    collection_GetTypeInfoCount,
    collection_GetTypeInfo,
    collection_GetIDsOfNames,
    collection_Invoke,
    collection_get_Count,
    collection_get_Item,
    collection_get__NewEnum,
};

/* IDispatch thunks: iface is the IRTCCollection pointer (IRTCCollection derives from IDispatch). */

static HRESULT dispatch_count(IDispatch *iface, DISPPARAMS *params, VARIANT *result)
{
    HRESULT hr;

    if (params->cArgs)
        return DISP_E_BADPARAMCOUNT;
    if (SUCCEEDED(hr = collection_get_Count((IRTCCollection *)iface, &V_I4(result))))
        V_VT(result) = VT_I4;
    return hr;
}

/* The index argument: any integer type or decimal string, by value or by reference. */
static HRESULT index_from_variant(const VARIANT *arg, LONG *index)
{
    VARIANT converted;
    HRESULT hr;

    if (V_VT(arg) == (VT_VARIANT | VT_BYREF) && V_VARIANTREF(arg))
        arg = V_VARIANTREF(arg);
    switch (V_VT(arg))
    {
    case VT_I4 | VT_BYREF: *index = *V_I4REF(arg); return S_OK;
    case VT_I2 | VT_BYREF: *index = *V_I2REF(arg); return S_OK;
    case VT_INT | VT_BYREF: *index = *V_INTREF(arg); return S_OK;
    default: break;
    }
    VariantInit(&converted);
    if (FAILED(hr = VariantChangeType(&converted, (VARIANT *)arg, 0, VT_I4)))
        return hr == DISP_E_OVERFLOW ? hr : DISP_E_TYPEMISMATCH;
    *index = V_I4(&converted);
    return S_OK;
}

static HRESULT dispatch_item(IDispatch *iface, DISPPARAMS *params, VARIANT *result)
{
    LONG index;
    HRESULT hr;

    if (params->cArgs != 1)
        return DISP_E_BADPARAMCOUNT;
    if (FAILED(hr = index_from_variant(&params->rgvarg[0], &index)))
        return hr;
    return collection_get_Item((IRTCCollection *)iface, index, result);
}

static HRESULT dispatch_new_enum(IDispatch *iface, DISPPARAMS *params, VARIANT *result)
{
    HRESULT hr;

    if (params->cArgs)
        return DISP_E_BADPARAMCOUNT;
    if (SUCCEEDED(hr = collection_get__NewEnum((IRTCCollection *)iface, &V_UNKNOWN(result))))
        V_VT(result) = VT_UNKNOWN;
    return hr;
}

static const struct dispatch_member collection_members[] =
{
    { L"Count", RTC_DISPID_COLLECTION_COUNT, DISPATCH_PROPERTYGET, dispatch_count },
    { L"Item", DISPID_VALUE, DISPATCH_PROPERTYGET | DISPATCH_METHOD, dispatch_item },
    { L"_NewEnum", DISPID_NEWENUM, DISPATCH_PROPERTYGET | DISPATCH_METHOD, dispatch_new_enum },
};

static const struct dispatch_table collection_dispatch = { collection_members, ARRAY_SIZE(collection_members) };

HRESULT rtc_collection_create(IUnknown **items, unsigned int count, IRTCCollection **out)
{
    struct collection *collection;
    struct item_list *list;
    HRESULT hr;

    if (!out)
        return E_POINTER;
    *out = NULL;
    if (FAILED(hr = item_list_create(items, count, &list)))
        return hr;
    if (!(collection = calloc(1, sizeof(*collection))))
    {
        item_list_release(list);
        return E_OUTOFMEMORY;
    }
    collection->IRTCCollection_iface.lpVtbl = &collection_vtbl;
    collection->refcount = 1;
    com_module_lock();      /* DllCanUnloadNow: one more live object */
    collection->owner = g_thread_self();
    collection->list = list;
    *out = &collection->IRTCCollection_iface;
    return S_OK;
}

/* ---- IRTCEnumProfiles and IRTCEnumParticipants --------------------------------------------- */

/*
 * One object type for both typed enumerators: their vtables have the same shape
 * (Next, Reset, Skip, Clone over an interface pointer array). Only the interface
 * matching iid is exposed; it is also the object's IUnknown.
 */
struct item_enum
{
    IRTCEnumProfiles IRTCEnumProfiles_iface;
    IRTCEnumParticipants IRTCEnumParticipants_iface;
    const IID *iid;             /* &IID_IRTCEnumProfiles or &IID_IRTCEnumParticipants */
    LONG refcount;
    GThread *owner;
    struct item_list *list;
    unsigned int position;
};

static const IRTCEnumProfilesVtbl enum_profiles_vtbl;
static const IRTCEnumParticipantsVtbl enum_participants_vtbl;

static struct item_enum *impl_from_IRTCEnumProfiles(IRTCEnumProfiles *iface)
{
    return CONTAINING_RECORD(iface, struct item_enum, IRTCEnumProfiles_iface);
}

static struct item_enum *impl_from_IRTCEnumParticipants(IRTCEnumParticipants *iface)
{
    return CONTAINING_RECORD(iface, struct item_enum, IRTCEnumParticipants_iface);
}

static IUnknown *item_enum_iface(struct item_enum *e)
{
    if (e->iid == &IID_IRTCEnumProfiles)
        return (IUnknown *)&e->IRTCEnumProfiles_iface;
    return (IUnknown *)&e->IRTCEnumParticipants_iface;
}

static HRESULT item_enum_create(const IID *iid, struct item_list *list, unsigned int position, IUnknown **out)
{
    struct item_enum *e;

    if (!(e = calloc(1, sizeof(*e))))
        return E_OUTOFMEMORY;
    e->IRTCEnumProfiles_iface.lpVtbl = &enum_profiles_vtbl;
    e->IRTCEnumParticipants_iface.lpVtbl = &enum_participants_vtbl;
    e->iid = iid;
    e->refcount = 1;
    com_module_lock();      /* DllCanUnloadNow: one more live object */
    e->owner = g_thread_self();
    e->list = item_list_addref(list);
    e->position = position;
    *out = item_enum_iface(e);
    return S_OK;
}

static HRESULT item_enum_query_interface(struct item_enum *e, REFIID riid, void **ppv)
{
    if (!ppv)
        return E_POINTER;
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, e->iid))
    {
        *ppv = item_enum_iface(e);
        InterlockedIncrement(&e->refcount);
        return S_OK;
    }
    *ppv = NULL;
    return E_NOINTERFACE;
}

static ULONG item_enum_release(struct item_enum *e)
{
    ULONG ref = InterlockedDecrement(&e->refcount);

    if (!ref)
    {
        item_list_release(e->list);
        free(e);
        com_module_unlock();
    }
    return ref;
}

static HRESULT item_enum_next(struct item_enum *e, ULONG celt, IUnknown **elements, ULONG *fetched)
{
    HRESULT hr;
    ULONG i;

    if (fetched)
        *fetched = 0;
    if (FAILED(hr = check_thread(e->owner)))
        return hr;
    if (!elements && celt)
        return E_POINTER;
    for (i = 0; i < celt && e->position < e->list->count; i++, e->position++)
    {
        elements[i] = e->list->items[e->position];
        IUnknown_AddRef(elements[i]);
    }
    if (fetched)
        *fetched = i;
    return i == celt ? S_OK : S_FALSE;
}

static HRESULT item_enum_skip(struct item_enum *e, ULONG celt)
{
    HRESULT hr;

    if (FAILED(hr = check_thread(e->owner)))
        return hr;
    if (celt > e->list->count - e->position)
    {
        e->position = e->list->count;
        return S_FALSE;
    }
    e->position += celt;
    return S_OK;
}

static HRESULT item_enum_reset(struct item_enum *e)
{
    HRESULT hr;

    if (FAILED(hr = check_thread(e->owner)))
        return hr;
    e->position = 0;
    return S_OK;
}

static HRESULT item_enum_clone(struct item_enum *e, IUnknown **out)
{
    HRESULT hr;

    if (!out)
        return E_POINTER;
    *out = NULL;
    if (FAILED(hr = check_thread(e->owner)))
        return hr;
    return item_enum_create(e->iid, e->list, e->position, out);
}

static HRESULT WINAPI enum_profiles_QueryInterface(IRTCEnumProfiles *iface, REFIID riid, void **ppv)
{
    return item_enum_query_interface(impl_from_IRTCEnumProfiles(iface), riid, ppv);
}

static ULONG WINAPI enum_profiles_AddRef(IRTCEnumProfiles *iface)
{
    return InterlockedIncrement(&impl_from_IRTCEnumProfiles(iface)->refcount);
}

static ULONG WINAPI enum_profiles_Release(IRTCEnumProfiles *iface)
{
    return item_enum_release(impl_from_IRTCEnumProfiles(iface));
}

static HRESULT WINAPI enum_profiles_Next(IRTCEnumProfiles *iface, ULONG celt, IRTCProfile **elements, ULONG *fetched)
{
    return item_enum_next(impl_from_IRTCEnumProfiles(iface), celt, (IUnknown **)elements, fetched);
}

static HRESULT WINAPI enum_profiles_Reset(IRTCEnumProfiles *iface)
{
    return item_enum_reset(impl_from_IRTCEnumProfiles(iface));
}

static HRESULT WINAPI enum_profiles_Skip(IRTCEnumProfiles *iface, ULONG celt)
{
    return item_enum_skip(impl_from_IRTCEnumProfiles(iface), celt);
}

static HRESULT WINAPI enum_profiles_Clone(IRTCEnumProfiles *iface, IRTCEnumProfiles **out)
{
    return item_enum_clone(impl_from_IRTCEnumProfiles(iface), (IUnknown **)out);
}

static const IRTCEnumProfilesVtbl enum_profiles_vtbl =
{
    enum_profiles_QueryInterface,
    enum_profiles_AddRef,
    enum_profiles_Release,
    enum_profiles_Next,
    enum_profiles_Reset,
    enum_profiles_Skip,
    enum_profiles_Clone,
};

static HRESULT WINAPI enum_participants_QueryInterface(IRTCEnumParticipants *iface, REFIID riid, void **ppv)
{
    return item_enum_query_interface(impl_from_IRTCEnumParticipants(iface), riid, ppv);
}

static ULONG WINAPI enum_participants_AddRef(IRTCEnumParticipants *iface)
{
    return InterlockedIncrement(&impl_from_IRTCEnumParticipants(iface)->refcount);
}

static ULONG WINAPI enum_participants_Release(IRTCEnumParticipants *iface)
{
    return item_enum_release(impl_from_IRTCEnumParticipants(iface));
}

static HRESULT WINAPI enum_participants_Next(IRTCEnumParticipants *iface, ULONG celt, IRTCParticipant **elements, ULONG *fetched)
{
    return item_enum_next(impl_from_IRTCEnumParticipants(iface), celt, (IUnknown **)elements, fetched);
}

static HRESULT WINAPI enum_participants_Reset(IRTCEnumParticipants *iface)
{
    return item_enum_reset(impl_from_IRTCEnumParticipants(iface));
}

static HRESULT WINAPI enum_participants_Skip(IRTCEnumParticipants *iface, ULONG celt)
{
    return item_enum_skip(impl_from_IRTCEnumParticipants(iface), celt);
}

static HRESULT WINAPI enum_participants_Clone(IRTCEnumParticipants *iface, IRTCEnumParticipants **out)
{
    return item_enum_clone(impl_from_IRTCEnumParticipants(iface), (IUnknown **)out);
}

static const IRTCEnumParticipantsVtbl enum_participants_vtbl =
{
    enum_participants_QueryInterface,
    enum_participants_AddRef,
    enum_participants_Release,
    enum_participants_Next,
    enum_participants_Reset,
    enum_participants_Skip,
    enum_participants_Clone,
};

static HRESULT enum_create(const IID *iid, IUnknown **items, unsigned int count, IUnknown **out)
{
    struct item_list *list;
    HRESULT hr;

    if (!out)
        return E_POINTER;
    *out = NULL;
    if (FAILED(hr = item_list_create(items, count, &list)))
        return hr;
    hr = item_enum_create(iid, list, 0, out);
    item_list_release(list);
    return hr;
}

HRESULT rtc_enum_profiles_create(IUnknown **items, unsigned int count, IRTCEnumProfiles **out)
{
    return enum_create(&IID_IRTCEnumProfiles, items, count, (IUnknown **)out);
}

HRESULT rtc_enum_participants_create(IUnknown **items, unsigned int count, IRTCEnumParticipants **out)
{
    return enum_create(&IID_IRTCEnumParticipants, items, count, (IUnknown **)out);
}
