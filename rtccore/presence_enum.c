/*
 * Snapshot enumerators of the presence family: IRTCEnumBuddies,
 * IRTCEnumWatchers, IRTCEnumGroups and IRTCEnumPresenceDevices. They share
 * one object layout (the four interfaces differ only in the element type
 * Next hands out); each takes its own reference on every item, and a clone
 * shares the items and keeps its position.
 */
#include "presence.h"

struct presence_enum
{
    IUnknown IUnknown_iface;        /* the interface named by iid: every vtable has the same shape */
    LONG refcount;
    const IID *iid;
    GThread *owner;
    GPtrArray *items;               /* IUnknown *, referenced; shared by clones */
    unsigned int position;
};

static struct presence_enum *impl_from_IUnknown(IUnknown *iface)
{
    return CONTAINING_RECORD(iface, struct presence_enum, IUnknown_iface);
}

static HRESULT enum_create(const IID *iid, const void *vtbl, GPtrArray *items, unsigned int position, IUnknown **out);

static HRESULT check_thread(struct presence_enum *e)
{
    return e->owner == g_thread_self() ? S_OK : RPC_E_WRONG_THREAD;
}

static HRESULT enum_query_interface(IUnknown *iface, REFIID riid, void **ppv)
{
    struct presence_enum *e = impl_from_IUnknown(iface);

    if (!ppv)
        return E_POINTER;
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, e->iid))
    {
        *ppv = iface;
        InterlockedIncrement(&e->refcount);
        return S_OK;
    }
    *ppv = NULL;
    return E_NOINTERFACE;
}

static ULONG enum_add_ref(IUnknown *iface)
{
    return InterlockedIncrement(&impl_from_IUnknown(iface)->refcount);
}

static ULONG enum_release(IUnknown *iface)
{
    struct presence_enum *e = impl_from_IUnknown(iface);
    ULONG ref = InterlockedDecrement(&e->refcount);

    if (!ref)
    {
        g_ptr_array_unref(e->items);
        free(e);
    }
    return ref;
}

static HRESULT enum_next(IUnknown *iface, ULONG celt, IUnknown **elements, ULONG *fetched)
{
    struct presence_enum *e = impl_from_IUnknown(iface);
    HRESULT hr;
    ULONG i;

    if (fetched)
        *fetched = 0;
    if (FAILED(hr = check_thread(e)))
        return hr;
    if (!elements && celt)
        return E_POINTER;
    if (celt > 1 && !fetched)
        return E_POINTER;       /* IEnumXXXX: pceltFetched may be NULL only for one element */
    for (i = 0; i < celt && e->position < e->items->len; i++, e->position++)
    {
        elements[i] = g_ptr_array_index(e->items, e->position);
        IUnknown_AddRef(elements[i]);
    }
    if (fetched)
        *fetched = i;
    return i == celt ? S_OK : S_FALSE;
}

static HRESULT enum_reset(IUnknown *iface)
{
    struct presence_enum *e = impl_from_IUnknown(iface);
    HRESULT hr;

    if (FAILED(hr = check_thread(e)))
        return hr;
    e->position = 0;
    return S_OK;
}

static HRESULT enum_skip(IUnknown *iface, ULONG celt)
{
    struct presence_enum *e = impl_from_IUnknown(iface);
    HRESULT hr;

    if (FAILED(hr = check_thread(e)))
        return hr;
    if (celt > e->items->len - e->position)
    {
        e->position = e->items->len;
        return S_FALSE;
    }
    e->position += celt;
    return S_OK;
}

static HRESULT enum_clone(IUnknown *iface, IUnknown **out)
{
    struct presence_enum *e = impl_from_IUnknown(iface);
    HRESULT hr;

    if (!out)
        return E_POINTER;
    *out = NULL;
    if (FAILED(hr = check_thread(e)))
        return hr;
    return enum_create(e->iid, iface->lpVtbl, e->items, e->position, out);
}

/* One typed vtable per interface over the functions above. */
#define PRESENCE_ENUM(prefix, iface_type, element_type) \
    static HRESULT WINAPI prefix##_QueryInterface(iface_type *iface, REFIID riid, void **ppv) \
    { \
        return enum_query_interface((IUnknown *)iface, riid, ppv); \
    } \
    static ULONG WINAPI prefix##_AddRef(iface_type *iface) \
    { \
        return enum_add_ref((IUnknown *)iface); \
    } \
    static ULONG WINAPI prefix##_Release(iface_type *iface) \
    { \
        return enum_release((IUnknown *)iface); \
    } \
    static HRESULT WINAPI prefix##_Next(iface_type *iface, ULONG celt, element_type **elements, ULONG *fetched) \
    { \
        return enum_next((IUnknown *)iface, celt, (IUnknown **)elements, fetched); \
    } \
    static HRESULT WINAPI prefix##_Reset(iface_type *iface) \
    { \
        return enum_reset((IUnknown *)iface); \
    } \
    static HRESULT WINAPI prefix##_Skip(iface_type *iface, ULONG celt) \
    { \
        return enum_skip((IUnknown *)iface, celt); \
    } \
    static HRESULT WINAPI prefix##_Clone(iface_type *iface, iface_type **out) \
    { \
        return enum_clone((IUnknown *)iface, (IUnknown **)out); \
    } \
    static const iface_type##Vtbl prefix##_vtbl = \
    { \
        prefix##_QueryInterface, prefix##_AddRef, prefix##_Release, prefix##_Next, prefix##_Reset, \
        prefix##_Skip, prefix##_Clone, \
    };

PRESENCE_ENUM(enum_buddies, IRTCEnumBuddies, IRTCBuddy)
PRESENCE_ENUM(enum_watchers, IRTCEnumWatchers, IRTCWatcher)
PRESENCE_ENUM(enum_groups, IRTCEnumGroups, IRTCBuddyGroup)
PRESENCE_ENUM(enum_devices, IRTCEnumPresenceDevices, IRTCPresenceDevice)

static HRESULT enum_create(const IID *iid, const void *vtbl, GPtrArray *items, unsigned int position, IUnknown **out)
{
    struct presence_enum *e;

    if (!(e = calloc(1, sizeof(*e))))
        return E_OUTOFMEMORY;
    e->IUnknown_iface.lpVtbl = (const IUnknownVtbl *)vtbl;
    e->refcount = 1;
    e->iid = iid;
    e->owner = g_thread_self();
    e->items = g_ptr_array_ref(items);
    e->position = position;
    *out = &e->IUnknown_iface;
    return S_OK;
}

static void item_release(gpointer item)
{
    IUnknown_Release((IUnknown *)item);
}

static HRESULT enum_create_from(const IID *iid, const void *vtbl, IUnknown **items, unsigned int count,
                                IUnknown **out)
{
    GPtrArray *list;
    unsigned int i;
    HRESULT hr;

    if (!out)
        return E_POINTER;
    *out = NULL;
    if (count && !items)
        return E_POINTER;
    for (i = 0; i < count; i++)
        if (!items[i])
            return E_INVALIDARG;
    list = g_ptr_array_new_full(count, item_release);
    for (i = 0; i < count; i++)
    {
        IUnknown_AddRef(items[i]);
        g_ptr_array_add(list, items[i]);
    }
    hr = enum_create(iid, vtbl, list, 0, out);
    g_ptr_array_unref(list);
    return hr;
}

HRESULT rtc_enum_buddies_create(IUnknown **items, unsigned int count, IRTCEnumBuddies **out)
{
    return enum_create_from(&IID_IRTCEnumBuddies, &enum_buddies_vtbl, items, count, (IUnknown **)out);
}

HRESULT rtc_enum_watchers_create(IUnknown **items, unsigned int count, IRTCEnumWatchers **out)
{
    return enum_create_from(&IID_IRTCEnumWatchers, &enum_watchers_vtbl, items, count, (IUnknown **)out);
}

HRESULT rtc_enum_groups_create(IUnknown **items, unsigned int count, IRTCEnumGroups **out)
{
    return enum_create_from(&IID_IRTCEnumGroups, &enum_groups_vtbl, items, count, (IUnknown **)out);
}

HRESULT rtc_enum_presence_devices_create(IUnknown **items, unsigned int count, IRTCEnumPresenceDevices **out)
{
    return enum_create_from(&IID_IRTCEnumPresenceDevices, &enum_devices_vtbl, items, count, (IUnknown **)out);
}
