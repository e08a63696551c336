/*
 * The RTC face's snapshot collections and enumerators: IRTCCollection (the
 * shared collection of com/collection.h with the RTC IID and DISPIDs),
 * IRTCEnumProfiles and IRTCEnumParticipants (over the same shared
 * snapshots).
 */
#include "collection.h"

/* ---- IRTCCollection ------------------------------------------------------------------ */

static const struct com_collection_type rtc_collection_type =
{
    &IID_IRTCCollection, RTC_DISPID_COLLECTION_COUNT, DISPID_VALUE, DISPID_NEWENUM,
};

/* Each method is the shared collection's (com/collection.h). */

static HRESULT WINAPI collection_QueryInterface(IRTCCollection *iface, REFIID riid, void **ppv)
{
    return com_collection_QueryInterface((IDispatch *)iface, riid, ppv);
}

static ULONG WINAPI collection_AddRef(IRTCCollection *iface)
{
    return com_collection_AddRef((IDispatch *)iface);
}

static ULONG WINAPI collection_Release(IRTCCollection *iface)
{
    return com_collection_Release((IDispatch *)iface);
}

static HRESULT WINAPI collection_GetTypeInfoCount(IRTCCollection *iface, UINT *count)
{
    com_partial(__func__, COM_NO_TYPE_LIBRARY);
    return com_collection_GetTypeInfoCount((IDispatch *)iface, count);
}

static HRESULT WINAPI collection_GetTypeInfo(IRTCCollection *iface, UINT index, LCID lcid, ITypeInfo **info)
{
    com_partial(__func__, COM_NO_TYPE_LIBRARY);
    return com_collection_GetTypeInfo((IDispatch *)iface, index, lcid, info);
}

static HRESULT WINAPI collection_GetIDsOfNames(IRTCCollection *iface, REFIID riid, LPOLESTR *names, UINT count,
                                               LCID lcid, DISPID *dispids)
{
    return com_collection_GetIDsOfNames((IDispatch *)iface, riid, names, count, lcid, dispids);
}

static HRESULT WINAPI collection_Invoke(IRTCCollection *iface, DISPID dispid, REFIID riid, LCID lcid, WORD flags,
                                        DISPPARAMS *params, VARIANT *result, EXCEPINFO *excepinfo, UINT *arg_err)
{
    return com_collection_Invoke((IDispatch *)iface, dispid, riid, lcid, flags, params, result, excepinfo, arg_err);
}

static HRESULT WINAPI collection_get_Count(IRTCCollection *iface, LONG *count)
{
    return com_collection_get_Count((IDispatch *)iface, count);
}

static HRESULT WINAPI collection_get_Item(IRTCCollection *iface, LONG index, VARIANT *item)
{
    return com_collection_get_Item((IDispatch *)iface, index, item);
}

static HRESULT WINAPI collection_get__NewEnum(IRTCCollection *iface, IUnknown **out)
{
    return com_collection_get__NewEnum((IDispatch *)iface, out);
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

HRESULT rtc_collection_create(IUnknown **items, unsigned int count, IRTCCollection **out)
{
    return com_collection_create(&rtc_collection_type, &collection_vtbl, items, count, (void **)out);
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
    struct com_snapshot *snapshot;
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

static HRESULT item_enum_create(const IID *iid, struct com_snapshot *snapshot, unsigned int position, IUnknown **out)
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
    e->snapshot = com_snapshot_addref(snapshot);
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
        com_snapshot_release(e->snapshot);
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
    if (FAILED(hr = com_check_thread(e->owner)))
        return hr;
    if (!elements && celt)
        return E_POINTER;
    for (i = 0; i < celt && e->position < com_snapshot_count(e->snapshot); i++, e->position++)
    {
        elements[i] = com_snapshot_item(e->snapshot, e->position);
        IUnknown_AddRef(elements[i]);
    }
    if (fetched)
        *fetched = i;
    return i == celt ? S_OK : S_FALSE;
}

static HRESULT item_enum_skip(struct item_enum *e, ULONG celt)
{
    HRESULT hr;

    if (FAILED(hr = com_check_thread(e->owner)))
        return hr;
    if (celt > com_snapshot_count(e->snapshot) - e->position)
    {
        e->position = com_snapshot_count(e->snapshot);
        return S_FALSE;
    }
    e->position += celt;
    return S_OK;
}

static HRESULT item_enum_reset(struct item_enum *e)
{
    HRESULT hr;

    if (FAILED(hr = com_check_thread(e->owner)))
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
    if (FAILED(hr = com_check_thread(e->owner)))
        return hr;
    return item_enum_create(e->iid, e->snapshot, e->position, out);
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
    struct com_snapshot *snapshot;
    HRESULT hr;

    if (!out)
        return E_POINTER;
    *out = NULL;
    if (FAILED(hr = com_snapshot_create(items, count, &snapshot)))
        return hr;
    hr = item_enum_create(iid, snapshot, 0, out);
    com_snapshot_release(snapshot);
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
