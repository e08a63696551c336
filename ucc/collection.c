/*
 * IUccCollection: a read-only, 1-based snapshot of interface pointers
 * (participants, participant endpoints, media channels, operation results).
 *
 * A small adapter over rtccore's snapshot collection (rtccore/collection.h),
 * which already keeps the items, hands out VT_DISPATCH/VT_UNKNOWN elements and
 * makes the IEnumVARIANT of _NewEnum; this object adds the UCC identity and the
 * UCC DISPIDs (docs/ucc-dispids.md: Count 1, Item DISPID_VALUE, _NewEnum
 * DISPID_NEWENUM).
 */
#include "ucc_private.h"
#include "../rtccore/collection.h"

struct collection
{
    IUccCollection IUccCollection_iface;
    LONG refcount;
    IRTCCollection *items;
};

static const IUccCollectionVtbl collection_vtbl;

static struct collection *impl_from_IUccCollection(IUccCollection *iface)
{
    return CONTAINING_RECORD(iface, struct collection, IUccCollection_iface);
}

static HRESULT WINAPI collection_QueryInterface(IUccCollection *iface, REFIID riid, void **ppv)
{
    if (!ppv)
        return E_POINTER;
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IDispatch) || IsEqualIID(riid, &IID_IUccCollection))
    {
        *ppv = iface;
        IUccCollection_AddRef(iface);
        return S_OK;
    }
    *ppv = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI collection_AddRef(IUccCollection *iface)
{
    return InterlockedIncrement(&impl_from_IUccCollection(iface)->refcount);
}

static ULONG WINAPI collection_Release(IUccCollection *iface)
{
    struct collection *collection = impl_from_IUccCollection(iface);
    ULONG ref = InterlockedDecrement(&collection->refcount);

    if (!ref)
    {
        IRTCCollection_Release(collection->items);
        free(collection);
        com_module_unlock();
    }
    return ref;
}

static HRESULT WINAPI collection_GetTypeInfoCount(IUccCollection *iface, UINT *count)
{
    com_partial(__func__, COM_NO_TYPE_LIBRARY);
    if (!count)
        return E_INVALIDARG;
    *count = 0;     /* no type library at run time */
    return S_OK;
}

static HRESULT WINAPI collection_GetTypeInfo(IUccCollection *iface, UINT index, LCID lcid, ITypeInfo **info)
{
    com_partial(__func__, COM_NO_TYPE_LIBRARY);
    if (!info)
        return E_INVALIDARG;
    *info = NULL;
    return DISP_E_BADINDEX;
}

static const struct dispatch_table collection_dispatch;

static HRESULT WINAPI collection_GetIDsOfNames(IUccCollection *iface, REFIID riid, LPOLESTR *names, UINT count,
                                               LCID lcid, DISPID *dispids)
{
    if (!IsEqualIID(riid, &IID_NULL))
        return DISP_E_UNKNOWNINTERFACE;
    return dispatch_get_ids_of_names(&collection_dispatch, names, count, dispids);
}

static HRESULT WINAPI collection_Invoke(IUccCollection *iface, DISPID dispid, REFIID riid, LCID lcid, WORD flags,
                                        DISPPARAMS *params, VARIANT *result, EXCEPINFO *excepinfo, UINT *arg_err)
{
    if (!IsEqualIID(riid, &IID_NULL))
        return DISP_E_UNKNOWNINTERFACE;
    return dispatch_invoke(&collection_dispatch, (IDispatch *)iface, dispid, flags, params, result, arg_err);
}

static HRESULT WINAPI collection_get_Count(IUccCollection *iface, LONG *count)
{
    return IRTCCollection_get_Count(impl_from_IUccCollection(iface)->items, count);
}

static HRESULT WINAPI collection_get_Item(IUccCollection *iface, LONG index, VARIANT *item)
{
    return IRTCCollection_get_Item(impl_from_IUccCollection(iface)->items, index, item);
}

static HRESULT WINAPI collection_get__NewEnum(IUccCollection *iface, IUnknown **out)
{
    return IRTCCollection_get__NewEnum(impl_from_IUccCollection(iface)->items, out);
}

static const IUccCollectionVtbl collection_vtbl =
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

/* ---- IDispatch thunks (iface is the IUccCollection pointer) ------------------------------------ */

static HRESULT long_argument(const VARIANT *arg, LONG *value)
{
    VARIANT converted;
    HRESULT hr;

    if (V_VT(arg) == (VT_VARIANT | VT_BYREF) && V_VARIANTREF(arg))
        arg = V_VARIANTREF(arg);
    VariantInit(&converted);
    if (FAILED(hr = VariantChangeType(&converted, (VARIANT *)arg, 0, VT_I4)))
        return hr == DISP_E_OVERFLOW ? hr : DISP_E_TYPEMISMATCH;
    *value = V_I4(&converted);
    return S_OK;
}

static HRESULT dispatch_count(IDispatch *iface, DISPPARAMS *params, VARIANT *result)
{
    HRESULT hr;

    if (params->cArgs)
        return DISP_E_BADPARAMCOUNT;
    if (SUCCEEDED(hr = collection_get_Count((IUccCollection *)iface, &V_I4(result))))
        V_VT(result) = VT_I4;
    return hr;
}

static HRESULT dispatch_item(IDispatch *iface, DISPPARAMS *params, VARIANT *result)
{
    LONG index;
    HRESULT hr;

    if (params->cArgs != 1)
        return DISP_E_BADPARAMCOUNT;
    if (FAILED(hr = long_argument(&params->rgvarg[0], &index)))
        return hr;
    return collection_get_Item((IUccCollection *)iface, index, result);
}

static HRESULT dispatch_new_enum(IDispatch *iface, DISPPARAMS *params, VARIANT *result)
{
    HRESULT hr;

    if (params->cArgs)
        return DISP_E_BADPARAMCOUNT;
    if (SUCCEEDED(hr = collection_get__NewEnum((IUccCollection *)iface, &V_UNKNOWN(result))))
        V_VT(result) = VT_UNKNOWN;
    return hr;
}

static const struct dispatch_member collection_members[] =
{
    { L"Count", DISPID_IUccCollection_Count, DISPATCH_PROPERTYGET, dispatch_count },
    { L"Item", DISPID_IUccCollection_Item, DISPATCH_PROPERTYGET | DISPATCH_METHOD, dispatch_item },
    { L"_NewEnum", DISPID_IUccCollection__NewEnum, DISPATCH_PROPERTYGET | DISPATCH_METHOD, dispatch_new_enum },
};

static const struct dispatch_table collection_dispatch = { collection_members, ARRAY_SIZE(collection_members) };

HRESULT ucc_collection_create(IUnknown **items, unsigned int count, IUccCollection **out)
{
    struct collection *collection;
    HRESULT hr;

    if (!out)
        return E_POINTER;
    *out = NULL;
    if (!(collection = calloc(1, sizeof(*collection))))
        return E_OUTOFMEMORY;
    if (FAILED(hr = rtc_collection_create(items, count, &collection->items)))
    {
        free(collection);
        return hr;
    }
    collection->IUccCollection_iface.lpVtbl = &collection_vtbl;
    collection->refcount = 1;
    com_module_lock();      /* DllCanUnloadNow: one more live object */
    *out = &collection->IUccCollection_iface;
    return S_OK;
}
