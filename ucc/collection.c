/*
 * IUccCollection: a read-only, 1-based snapshot of interface pointers
 * (participants, participant endpoints, media channels, operation results).
 *
 * The shared collection of the COM runtime (com/collection.h), which keeps
 * the items, hands out VT_DISPATCH/VT_UNKNOWN elements and makes the
 * IEnumVARIANT of _NewEnum, with the UCC identity and the UCC DISPIDs
 * (docs/ucc-dispids.md: Count 1, Item DISPID_VALUE, _NewEnum DISPID_NEWENUM).
 */
#include "ucc_private.h"
#include "com/collection.h"

static const struct com_collection_type ucc_collection_type =
{
    &IID_IUccCollection, DISPID_IUccCollection_Count, DISPID_IUccCollection_Item, DISPID_IUccCollection__NewEnum,
};

/* Each method is the shared collection's (com/collection.h). */

static HRESULT WINAPI collection_QueryInterface(IUccCollection *iface, REFIID riid, void **ppv)
{
    return com_collection_QueryInterface((IDispatch *)iface, riid, ppv);
}

static ULONG WINAPI collection_AddRef(IUccCollection *iface)
{
    return com_collection_AddRef((IDispatch *)iface);
}

static ULONG WINAPI collection_Release(IUccCollection *iface)
{
    return com_collection_Release((IDispatch *)iface);
}

static HRESULT WINAPI collection_GetTypeInfoCount(IUccCollection *iface, UINT *count)
{
    com_partial(__func__, COM_NO_TYPE_LIBRARY);
    return com_collection_GetTypeInfoCount((IDispatch *)iface, count);
}

static HRESULT WINAPI collection_GetTypeInfo(IUccCollection *iface, UINT index, LCID lcid, ITypeInfo **info)
{
    com_partial(__func__, COM_NO_TYPE_LIBRARY);
    return com_collection_GetTypeInfo((IDispatch *)iface, index, lcid, info);
}

static HRESULT WINAPI collection_GetIDsOfNames(IUccCollection *iface, REFIID riid, LPOLESTR *names, UINT count,
                                               LCID lcid, DISPID *dispids)
{
    return com_collection_GetIDsOfNames((IDispatch *)iface, riid, names, count, lcid, dispids);
}

static HRESULT WINAPI collection_Invoke(IUccCollection *iface, DISPID dispid, REFIID riid, LCID lcid, WORD flags,
                                        DISPPARAMS *params, VARIANT *result, EXCEPINFO *excepinfo, UINT *arg_err)
{
    return com_collection_Invoke((IDispatch *)iface, dispid, riid, lcid, flags, params, result, excepinfo, arg_err);
}

static HRESULT WINAPI collection_get_Count(IUccCollection *iface, LONG *count)
{
    return com_collection_get_Count((IDispatch *)iface, count);
}

static HRESULT WINAPI collection_get_Item(IUccCollection *iface, LONG index, VARIANT *item)
{
    return com_collection_get_Item((IDispatch *)iface, index, item);
}

static HRESULT WINAPI collection_get__NewEnum(IUccCollection *iface, IUnknown **out)
{
    return com_collection_get__NewEnum((IDispatch *)iface, out);
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

HRESULT ucc_collection_create(IUnknown **items, unsigned int count, IUccCollection **out)
{
    return com_collection_create(&ucc_collection_type, &collection_vtbl, items, count, (void **)out);
}
