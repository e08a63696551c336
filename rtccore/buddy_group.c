/*
 * Buddy groups: IRTCBuddyGroup. Groups are the application's own
 * arrangement of its buddies; nothing of them goes on the wire (roaming
 * them to a server is not built, docs/status.md). Persistent groups are
 * kept in the presence store with their members. Events (RTCE_GROUP):
 * GROUP_ADD / GROUP_REMOVE when the list changes, GROUP_UPDATE when the
 * name or data change, GROUP_BUDDY_ADD / GROUP_BUDDY_REMOVE for members.
 */
#include "presence.h"
#include "collection.h"

struct buddy_group
{
    IRTCBuddyGroup IRTCBuddyGroup_iface;
    LONG refcount;
    struct presence *presence;          /* NULL once detached */
    GThread *owner;
    BSTR name;
    BSTR data;
    IRTCProfile *profile;
    GPtrArray *members;                 /* struct buddy *, referenced */
};

static struct buddy_group *impl_from_IRTCBuddyGroup(IRTCBuddyGroup *iface)
{
    return CONTAINING_RECORD(iface, struct buddy_group, IRTCBuddyGroup_iface);
}

IRTCBuddyGroup *buddy_group_iface(struct buddy_group *group)
{
    return &group->IRTCBuddyGroup_iface;
}

BSTR buddy_group_name(struct buddy_group *group)
{
    return group->name;
}

BSTR buddy_group_data(struct buddy_group *group)
{
    return group->data;
}

GPtrArray *buddy_group_members(struct buddy_group *group)
{
    return group->members;
}

void buddy_group_add_ref(struct buddy_group *group)
{
    InterlockedIncrement(&group->refcount);
}

BOOL buddy_group_contains(struct buddy_group *group, struct buddy *buddy)
{
    guint i;

    for (i = 0; i < group->members->len; i++)
        if (g_ptr_array_index(group->members, i) == buddy)
            return TRUE;
    return FALSE;
}

void buddy_group_add_member(struct buddy_group *group, struct buddy *buddy)
{
    if (buddy_group_contains(group, buddy))
        return;
    buddy_add_ref(buddy);
    g_ptr_array_add(group->members, buddy);
}

void buddy_group_forget(struct buddy_group *group, struct buddy *buddy)
{
    if (g_ptr_array_remove(group->members, buddy))
        buddy_release(buddy);
}

void buddy_group_detach(struct buddy_group *group)
{
    while (group->members->len)
        buddy_release(g_ptr_array_steal_index(group->members, group->members->len - 1));
    group->presence = NULL;
}

static HRESULT check_thread(struct buddy_group *group)
{
    return group->owner == g_thread_self() ? S_OK : RPC_E_WRONG_THREAD;
}

/* ---- IUnknown ------------------------------------------------------------------------------ */

static HRESULT WINAPI group_QueryInterface(IRTCBuddyGroup *iface, REFIID riid, void **ppv)
{
    if (!ppv)
        return E_POINTER;
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IRTCBuddyGroup))
    {
        *ppv = iface;
        IRTCBuddyGroup_AddRef(iface);
        return S_OK;
    }
    *ppv = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI group_AddRef(IRTCBuddyGroup *iface)
{
    return InterlockedIncrement(&impl_from_IRTCBuddyGroup(iface)->refcount);
}

static ULONG WINAPI group_Release(IRTCBuddyGroup *iface)
{
    struct buddy_group *group = impl_from_IRTCBuddyGroup(iface);
    ULONG ref = InterlockedDecrement(&group->refcount);

    if (!ref)
    {
        buddy_group_detach(group);
        g_ptr_array_free(group->members, TRUE);
        SysFreeString(group->name);
        SysFreeString(group->data);
        if (group->profile)
            IRTCProfile_Release(group->profile);
        free(group);
    }
    return ref;
}

void buddy_group_release(struct buddy_group *group)
{
    group_Release(&group->IRTCBuddyGroup_iface);
}

struct buddy_group *buddy_group_from_iface(IUnknown *iface)
{
    IRTCBuddyGroup *group_iface;
    struct buddy_group *group = NULL;

    if (iface && SUCCEEDED(IUnknown_QueryInterface(iface, &IID_IRTCBuddyGroup, (void **)&group_iface)))
    {
        if (group_iface->lpVtbl->QueryInterface == group_QueryInterface)
            group = impl_from_IRTCBuddyGroup(group_iface);
        IRTCBuddyGroup_Release(group_iface);
    }
    return group;
}

/* ---- IRTCBuddyGroup ------------------------------------------------------------------------------ */

static HRESULT WINAPI group_get_Name(IRTCBuddyGroup *iface, BSTR *name)
{
    struct buddy_group *group = impl_from_IRTCBuddyGroup(iface);

    if (!name)
        return E_POINTER;
    *name = SysAllocStringLen(group->name, SysStringLen(group->name));
    return *name ? S_OK : E_OUTOFMEMORY;
}

static void updated(struct buddy_group *group)
{
    if (!group->presence)
        return;
    presence_save(group->presence);
    presence_fire_group_event(group->presence, group, RTCGET_GROUP_UPDATE, NULL, S_OK);
}

static HRESULT WINAPI group_put_Name(IRTCBuddyGroup *iface, BSTR name)
{
    struct buddy_group *group = impl_from_IRTCBuddyGroup(iface);
    struct buddy_group *other;
    BSTR copy;
    HRESULT hr;

    if (FAILED(hr = check_thread(group)))
        return hr;
    if (!name || !*name)
        return E_INVALIDARG;
    if (group->presence && (other = presence_find_group(group->presence, name)) && other != group)
        return RTC_E_DUPLICATE_GROUP;
    if (!(copy = SysAllocString(name)))
        return E_OUTOFMEMORY;
    SysFreeString(group->name);
    group->name = copy;
    updated(group);
    return S_OK;
}

static HRESULT WINAPI group_AddBuddy(IRTCBuddyGroup *iface, IRTCBuddy *buddy_iface_in)
{
    struct buddy_group *group = impl_from_IRTCBuddyGroup(iface);
    struct buddy *buddy = buddy_from_iface((IUnknown *)buddy_iface_in);
    HRESULT hr;

    if (FAILED(hr = check_thread(group)))
        return hr;
    if (!buddy_iface_in)
        return E_POINTER;
    if (!group->presence)
        return RTC_E_PRESENCE_NOT_ENABLED;
    if (!buddy || !presence_find_buddy(group->presence, buddy_uri(buddy)))
        return RTC_E_NO_BUDDY;
    if (buddy_type(buddy) == RTCBT_POLL)
        return E_INVALIDARG;    /* documented: a polled buddy cannot be in a group */
    if (buddy_group_contains(group, buddy))
        return RTC_E_DUPLICATE_BUDDY;
    buddy_group_add_member(group, buddy);
    presence_save(group->presence);
    presence_fire_group_event(group->presence, group, RTCGET_GROUP_BUDDY_ADD, buddy, S_OK);
    return S_OK;
}

static HRESULT WINAPI group_RemoveBuddy(IRTCBuddyGroup *iface, IRTCBuddy *buddy_iface_in)
{
    struct buddy_group *group = impl_from_IRTCBuddyGroup(iface);
    struct buddy *buddy = buddy_from_iface((IUnknown *)buddy_iface_in);
    HRESULT hr;

    if (FAILED(hr = check_thread(group)))
        return hr;
    if (!buddy_iface_in)
        return E_POINTER;
    if (!group->presence)
        return RTC_E_PRESENCE_NOT_ENABLED;
    if (!buddy || !buddy_group_contains(group, buddy))
        return RTC_E_NO_BUDDY;
    buddy_add_ref(buddy);
    buddy_group_forget(group, buddy);
    presence_save(group->presence);
    presence_fire_group_event(group->presence, group, RTCGET_GROUP_BUDDY_REMOVE, buddy, S_OK);
    buddy_release(buddy);
    return S_OK;
}

static IUnknown **member_items(struct buddy_group *group)
{
    IUnknown **items = g_new0(IUnknown *, group->members->len + 1);
    guint i;

    for (i = 0; i < group->members->len; i++)
        items[i] = (IUnknown *)buddy_iface(g_ptr_array_index(group->members, i));
    return items;
}

static HRESULT WINAPI group_EnumerateBuddies(IRTCBuddyGroup *iface, IRTCEnumBuddies **out)
{
    struct buddy_group *group = impl_from_IRTCBuddyGroup(iface);
    IUnknown **items;
    HRESULT hr;

    if (!out)
        return E_POINTER;
    items = member_items(group);
    hr = rtc_enum_buddies_create(items, group->members->len, out);
    g_free(items);
    return hr;
}

static HRESULT WINAPI group_get_Buddies(IRTCBuddyGroup *iface, IRTCCollection **out)
{
    struct buddy_group *group = impl_from_IRTCBuddyGroup(iface);
    IUnknown **items;
    HRESULT hr;

    if (!out)
        return E_POINTER;
    items = member_items(group);
    hr = rtc_collection_create(items, group->members->len, out);
    g_free(items);
    return hr;
}

static HRESULT WINAPI group_get_Data(IRTCBuddyGroup *iface, BSTR *data)
{
    struct buddy_group *group = impl_from_IRTCBuddyGroup(iface);

    if (!data)
        return E_POINTER;
    *data = SysAllocStringLen(group->data, SysStringLen(group->data));
    return *data ? S_OK : E_OUTOFMEMORY;
}

static HRESULT WINAPI group_put_Data(IRTCBuddyGroup *iface, BSTR data)
{
    struct buddy_group *group = impl_from_IRTCBuddyGroup(iface);
    BSTR copy = NULL;
    HRESULT hr;

    if (FAILED(hr = check_thread(group)))
        return hr;
    if (data && !(copy = SysAllocStringLen(data, SysStringLen(data))))
        return E_OUTOFMEMORY;
    SysFreeString(group->data);
    group->data = copy;
    updated(group);
    return S_OK;
}

static HRESULT WINAPI group_get_Profile(IRTCBuddyGroup *iface, IRTCProfile2 **profile)
{
    struct buddy_group *group = impl_from_IRTCBuddyGroup(iface);
    IRTCProfile *source = group->profile ? group->profile : group->presence ? group->presence->profile : NULL;

    if (!profile)
        return E_POINTER;
    *profile = NULL;
    if (!source)
        return S_OK;
    return IRTCProfile_QueryInterface(source, &IID_IRTCProfile2, (void **)profile);
}

static const IRTCBuddyGroupVtbl group_vtbl =
{
    group_QueryInterface,
    group_AddRef,
    group_Release,
    group_get_Name,
    group_put_Name,
    group_AddBuddy,
    group_RemoveBuddy,
    group_EnumerateBuddies,
    group_get_Buddies,
    group_get_Data,
    group_put_Data,
    group_get_Profile,
};

HRESULT buddy_group_create(struct presence *presence, const WCHAR *name, const WCHAR *data, IRTCProfile *profile,
                           struct buddy_group **out)
{
    struct buddy_group *group;

    *out = NULL;
    if (!name || !*name)
        return E_INVALIDARG;
    if (!(group = calloc(1, sizeof(*group))))
        return E_OUTOFMEMORY;
    group->IRTCBuddyGroup_iface.lpVtbl = &group_vtbl;
    group->refcount = 1;
    group->presence = presence;
    group->owner = g_thread_self();
    group->name = SysAllocString(name);
    group->data = data ? SysAllocString(data) : NULL;
    if ((group->profile = profile))
        IRTCProfile_AddRef(profile);
    group->members = g_ptr_array_new();
    *out = group;
    return S_OK;
}
