/*
 * Snapshots of interface pointers and the objects both faces build on them:
 * the read-only, 1-based collection (IRTCCollection, IUccCollection) with its
 * IEnumVARIANT. A snapshot takes its own reference on each item; the caller
 * keeps (and releases) its own. It does not follow later changes to the list
 * it was made from.
 *
 * Objects made here run on the thread that created them only (apartment
 * rules, com_private.h): a call from another thread gets RPC_E_WRONG_THREAD.
 */
#ifndef RTCSHIM_COM_COLLECTION_H
#define RTCSHIM_COM_COLLECTION_H

#include "com/com_private.h"

/* ---- snapshots -------------------------------------------------------------- */

/* An immutable, reference-counted list of interface pointers, shared by a
 * collection, the enumerators made from it and their clones. */
struct com_snapshot;

/* A snapshot of items[0..count-1] (count may be 0; items may then be NULL).
 * E_POINTER (items NULL with count > 0), E_INVALIDARG (a NULL item) or
 * E_OUTOFMEMORY on failure. */
HRESULT com_snapshot_create(IUnknown **items, unsigned int count, struct com_snapshot **out);
struct com_snapshot *com_snapshot_addref(struct com_snapshot *snapshot);
void com_snapshot_release(struct com_snapshot *snapshot);
unsigned int com_snapshot_count(const struct com_snapshot *snapshot);
/* Item index (0-based, < count), not AddRef'd. */
IUnknown *com_snapshot_item(const struct com_snapshot *snapshot, unsigned int index);

/* An item as a VARIANT (referenced): VT_DISPATCH with its IDispatch when it
 * answers IID_IDispatch, otherwise VT_UNKNOWN with the item itself. */
void com_variant_from_item(IUnknown *item, VARIANT *v);

/* S_OK on the thread owner, else RPC_E_WRONG_THREAD. */
HRESULT com_check_thread(GThread *owner);

/* ---- IEnumVARIANT ----------------------------------------------------------- */

/* An IEnumVARIANT over the snapshot, starting at position (0-based); Next
 * gives the items as com_variant_from_item() does. */
HRESULT com_enum_variant_create(struct com_snapshot *snapshot, unsigned int position, IEnumVARIANT **out);

/* ---- the collection ---------------------------------------------------------- */

/*
 * IRTCCollection and IUccCollection are the same object: IDispatch (by table,
 * no type library), then get_Count, get_Item (1-based; a VARIANT as
 * com_variant_from_item() makes it; E_INVALIDARG out of range) and
 * get__NewEnum (an IEnumVARIANT). A face describes its interface's IID and
 * DISPIDs in a struct com_collection_type, gives the object its own vtable,
 * and each vtable entry calls the com_collection_* function of the same name
 * with its interface pointer (which derives from IDispatch).
 */
struct com_collection_type
{
    const IID *iid;
    DISPID count_dispid;
    DISPID item_dispid;
    DISPID new_enum_dispid;
};

/* A collection of type over items[0..count-1] (see com_snapshot_create() for
 * the argument rules); *out is its interface pointer, whose vtable is vtbl
 * (the face's IRTCCollectionVtbl or IUccCollectionVtbl). E_POINTER for out
 * NULL. */
HRESULT com_collection_create(const struct com_collection_type *type, const void *vtbl, IUnknown **items,
                              unsigned int count, void **out);

HRESULT com_collection_QueryInterface(IDispatch *iface, REFIID riid, void **ppv);
ULONG com_collection_AddRef(IDispatch *iface);
ULONG com_collection_Release(IDispatch *iface);
HRESULT com_collection_GetTypeInfoCount(IDispatch *iface, UINT *count);
HRESULT com_collection_GetTypeInfo(IDispatch *iface, UINT index, LCID lcid, ITypeInfo **info);
HRESULT com_collection_GetIDsOfNames(IDispatch *iface, REFIID riid, LPOLESTR *names, UINT count, LCID lcid,
                                     DISPID *dispids);
HRESULT com_collection_Invoke(IDispatch *iface, DISPID dispid, REFIID riid, LCID lcid, WORD flags,
                              DISPPARAMS *params, VARIANT *result, EXCEPINFO *excepinfo, UINT *arg_err);
HRESULT com_collection_get_Count(IDispatch *iface, LONG *count);
HRESULT com_collection_get_Item(IDispatch *iface, LONG index, VARIANT *item);
HRESULT com_collection_get__NewEnum(IDispatch *iface, IUnknown **out);

#endif
