/*
 * Connection points, reusable by every event source of the library.
 *
 * A connection point lives inside its container and forwards AddRef/Release to
 * it. Cookies start at 1, grow and are never reused, so a stale cookie can never
 * unadvise somebody else's sink. Firing walks a snapshot of the sinks, each
 * with a reference held, so sinks may Advise/Unadvise from inside an event.
 */
#include <stdlib.h>
#include <string.h>
#include "com/com_private.h"

struct connection_sink
{
    DWORD cookie;
    IUnknown *sink;     /* the pointer QueryInterface gave for the point's IID */
};

static struct connection_point *impl_from_IConnectionPoint(IConnectionPoint *iface)
{
    return CONTAINING_RECORD(iface, struct connection_point, IConnectionPoint_iface);
}

static HRESULT WINAPI cp_QueryInterface(IConnectionPoint *iface, REFIID riid, void **ppv)
{
    if (!ppv)
        return E_POINTER;
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IConnectionPoint))
    {
        *ppv = iface;
        IConnectionPoint_AddRef(iface);
        return S_OK;
    }
    *ppv = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI cp_AddRef(IConnectionPoint *iface)
{
    return IConnectionPointContainer_AddRef(impl_from_IConnectionPoint(iface)->container);
}

static ULONG WINAPI cp_Release(IConnectionPoint *iface)
{
    return IConnectionPointContainer_Release(impl_from_IConnectionPoint(iface)->container);
}

static HRESULT WINAPI cp_GetConnectionInterface(IConnectionPoint *iface, IID *iid)
{
    if (!iid)
        return E_POINTER;
    *iid = impl_from_IConnectionPoint(iface)->iid;
    return S_OK;
}

static HRESULT WINAPI cp_GetConnectionPointContainer(IConnectionPoint *iface, IConnectionPointContainer **container)
{
    struct connection_point *cp = impl_from_IConnectionPoint(iface);

    if (!container)
        return E_POINTER;
    *container = cp->container;
    IConnectionPointContainer_AddRef(cp->container);
    return S_OK;
}

static HRESULT WINAPI cp_Advise(IConnectionPoint *iface, IUnknown *unk, DWORD *cookie)
{
    struct connection_point *cp = impl_from_IConnectionPoint(iface);
    IUnknown *sink;

    if (!cookie)
        return E_POINTER;
    *cookie = 0;
    if (!unk)
        return E_POINTER;
    if (FAILED(IUnknown_QueryInterface(unk, &cp->iid, (void **)&sink)) || !sink)
        return CONNECT_E_CANNOTCONNECT;
    if (cp->sink_count == cp->sink_capacity)
    {
        unsigned int capacity = cp->sink_capacity ? cp->sink_capacity * 2 : 4;
        struct connection_sink *sinks = realloc(cp->sinks, capacity * sizeof(*sinks));
        if (!sinks)
        {
            IUnknown_Release(sink);
            return E_OUTOFMEMORY;
        }
        cp->sinks = sinks;
        cp->sink_capacity = capacity;
    }
    cp->sinks[cp->sink_count].cookie = ++cp->last_cookie;
    cp->sinks[cp->sink_count].sink = sink;
    cp->sink_count++;
    *cookie = cp->last_cookie;
    return S_OK;
}

static HRESULT WINAPI cp_Unadvise(IConnectionPoint *iface, DWORD cookie)
{
    struct connection_point *cp = impl_from_IConnectionPoint(iface);
    unsigned int i;

    for (i = 0; i < cp->sink_count; i++)
    {
        if (cp->sinks[i].cookie == cookie)
        {
            IUnknown *sink = cp->sinks[i].sink;
            /* Keep the order: events reach sinks in the order they advised. */
            memmove(&cp->sinks[i], &cp->sinks[i + 1], (cp->sink_count - i - 1) * sizeof(*cp->sinks));
            cp->sink_count--;
            IUnknown_Release(sink);
            return S_OK;
        }
    }
    return CONNECT_E_NOCONNECTION;
}

/* ---- IEnumConnections over a snapshot ------------------------------------------ */

struct enum_connections
{
    IEnumConnections IEnumConnections_iface;
    LONG refcount;
    CONNECTDATA *items;
    ULONG count, position;
};

static const IEnumConnectionsVtbl enum_connections_vtbl;

static struct enum_connections *impl_from_IEnumConnections(IEnumConnections *iface)
{
    return CONTAINING_RECORD(iface, struct enum_connections, IEnumConnections_iface);
}

static HRESULT enum_connections_create(const CONNECTDATA *items, ULONG count, ULONG position,
                                       IEnumConnections **out)
{
    struct enum_connections *e;
    ULONG i;

    if (!(e = calloc(1, sizeof(*e))) || !(e->items = calloc(count ? count : 1, sizeof(*items))))
    {
        free(e);
        return E_OUTOFMEMORY;
    }
    e->IEnumConnections_iface.lpVtbl = &enum_connections_vtbl;
    e->refcount = 1;
    com_module_lock();      /* DllCanUnloadNow: one more live object */
    e->count = count;
    e->position = position;
    for (i = 0; i < count; i++)
    {
        e->items[i] = items[i];
        IUnknown_AddRef(items[i].pUnk);
    }
    *out = &e->IEnumConnections_iface;
    return S_OK;
}

static HRESULT WINAPI enum_connections_QueryInterface(IEnumConnections *iface, REFIID riid, void **ppv)
{
    if (!ppv)
        return E_POINTER;
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IEnumConnections))
    {
        *ppv = iface;
        IEnumConnections_AddRef(iface);
        return S_OK;
    }
    *ppv = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI enum_connections_AddRef(IEnumConnections *iface)
{
    return InterlockedIncrement(&impl_from_IEnumConnections(iface)->refcount);
}

static ULONG WINAPI enum_connections_Release(IEnumConnections *iface)
{
    struct enum_connections *e = impl_from_IEnumConnections(iface);
    ULONG ref = InterlockedDecrement(&e->refcount);
    ULONG i;

    if (!ref)
    {
        for (i = 0; i < e->count; i++)
            IUnknown_Release(e->items[i].pUnk);
        free(e->items);
        free(e);
        com_module_unlock();
    }
    return ref;
}

static HRESULT WINAPI enum_connections_Next(IEnumConnections *iface, ULONG count, CONNECTDATA *out, ULONG *fetched)
{
    struct enum_connections *e = impl_from_IEnumConnections(iface);
    ULONG n = 0;

    if (!out || (count > 1 && !fetched))
        return E_POINTER;
    while (n < count && e->position < e->count)
    {
        out[n] = e->items[e->position++];
        IUnknown_AddRef(out[n].pUnk);
        n++;
    }
    if (fetched)
        *fetched = n;
    return n == count ? S_OK : S_FALSE;
}

static HRESULT WINAPI enum_connections_Skip(IEnumConnections *iface, ULONG count)
{
    struct enum_connections *e = impl_from_IEnumConnections(iface);
    ULONG left = e->count - e->position;

    e->position += count < left ? count : left;
    return count <= left ? S_OK : S_FALSE;
}

static HRESULT WINAPI enum_connections_Reset(IEnumConnections *iface)
{
    impl_from_IEnumConnections(iface)->position = 0;
    return S_OK;
}

static HRESULT WINAPI enum_connections_Clone(IEnumConnections *iface, IEnumConnections **out)
{
    struct enum_connections *e = impl_from_IEnumConnections(iface);

    if (!out)
        return E_POINTER;
    return enum_connections_create(e->items, e->count, e->position, out);
}

static const IEnumConnectionsVtbl enum_connections_vtbl =
{
    enum_connections_QueryInterface,
    enum_connections_AddRef,
    enum_connections_Release,
    enum_connections_Next,
    enum_connections_Skip,
    enum_connections_Reset,
    enum_connections_Clone,
};

static HRESULT WINAPI cp_EnumConnections(IConnectionPoint *iface, IEnumConnections **out)
{
    struct connection_point *cp = impl_from_IConnectionPoint(iface);
    CONNECTDATA *items;
    unsigned int i;
    HRESULT hr;

    if (!out)
        return E_POINTER;
    *out = NULL;
    if (!(items = calloc(cp->sink_count ? cp->sink_count : 1, sizeof(*items))))
        return E_OUTOFMEMORY;
    for (i = 0; i < cp->sink_count; i++)
    {
        items[i].pUnk = cp->sinks[i].sink;
        items[i].dwCookie = cp->sinks[i].cookie;
    }
    hr = enum_connections_create(items, cp->sink_count, 0, out);
    free(items);
    return hr;
}

static const IConnectionPointVtbl connection_point_vtbl =
{
    cp_QueryInterface,
    cp_AddRef,
    cp_Release,
    cp_GetConnectionInterface,
    cp_GetConnectionPointContainer,
    cp_Advise,
    cp_Unadvise,
    cp_EnumConnections,
};

void connection_point_init(struct connection_point *cp, IConnectionPointContainer *container, REFIID iid)
{
    cp->IConnectionPoint_iface.lpVtbl = &connection_point_vtbl;
    cp->container = container;
    cp->iid = *iid;
    cp->sinks = NULL;
    cp->sink_count = cp->sink_capacity = 0;
    cp->last_cookie = 0;
}

void connection_point_destroy(struct connection_point *cp)
{
    unsigned int i;

    for (i = 0; i < cp->sink_count; i++)
        IUnknown_Release(cp->sinks[i].sink);
    free(cp->sinks);
    cp->sinks = NULL;
    cp->sink_count = cp->sink_capacity = 0;
}

BOOL connection_point_has_sinks(const struct connection_point *cp)
{
    return cp->sink_count != 0;
}

static BOOL is_advised(const struct connection_point *cp, DWORD cookie)
{
    unsigned int i;

    for (i = 0; i < cp->sink_count; i++)
        if (cp->sinks[i].cookie == cookie)
            return TRUE;
    return FALSE;
}

void connection_point_for_each_sink(struct connection_point *cp, connection_sink_fn fn, void *user_data)
{
    struct connection_sink stack_sinks[8], *sinks = stack_sinks;
    unsigned int i, count = cp->sink_count;

    if (!count)
        return;
    if (count > ARRAY_SIZE(stack_sinks) && !(sinks = malloc(count * sizeof(*sinks))))
        return;
    for (i = 0; i < count; i++)
    {
        sinks[i] = cp->sinks[i];
        IUnknown_AddRef(sinks[i].sink);
    }
    /* The container must outlive the loop even if a sink drops its last reference. */
    IConnectionPointContainer_AddRef(cp->container);
    for (i = 0; i < count; i++)
    {
        /* A sink unadvised by an earlier one in this loop is disconnected: skip it (as ATL does). */
        if (is_advised(cp, sinks[i].cookie))
            fn(sinks[i].sink, user_data);
        IUnknown_Release(sinks[i].sink);
    }
    IConnectionPointContainer_Release(cp->container);
    if (sinks != stack_sinks)
        free(sinks);
}

/* ---- IConnectionPointContainer helpers ------------------------------------------ */

HRESULT connection_points_find(struct connection_point **points, unsigned int count,
                               REFIID riid, IConnectionPoint **out)
{
    unsigned int i;

    if (!out)
        return E_POINTER;
    *out = NULL;
    if (!riid)
        return E_POINTER;
    for (i = 0; i < count; i++)
    {
        if (IsEqualIID(&points[i]->iid, riid))
        {
            *out = &points[i]->IConnectionPoint_iface;
            IConnectionPoint_AddRef(*out);
            return S_OK;
        }
    }
    return CONNECT_E_NOCONNECTION;
}

struct enum_points
{
    IEnumConnectionPoints IEnumConnectionPoints_iface;
    LONG refcount;
    IConnectionPoint **items;
    ULONG count, position;
};

static const IEnumConnectionPointsVtbl enum_points_vtbl;

static struct enum_points *impl_from_IEnumConnectionPoints(IEnumConnectionPoints *iface)
{
    return CONTAINING_RECORD(iface, struct enum_points, IEnumConnectionPoints_iface);
}

static HRESULT enum_points_create(IConnectionPoint **items, ULONG count, ULONG position,
                                  IEnumConnectionPoints **out)
{
    struct enum_points *e;
    ULONG i;

    if (!(e = calloc(1, sizeof(*e))) || !(e->items = calloc(count ? count : 1, sizeof(*items))))
    {
        free(e);
        return E_OUTOFMEMORY;
    }
    e->IEnumConnectionPoints_iface.lpVtbl = &enum_points_vtbl;
    e->refcount = 1;
    com_module_lock();      /* DllCanUnloadNow: one more live object */
    e->count = count;
    e->position = position;
    for (i = 0; i < count; i++)
    {
        e->items[i] = items[i];
        IConnectionPoint_AddRef(items[i]);   /* keeps the container alive */
    }
    *out = &e->IEnumConnectionPoints_iface;
    return S_OK;
}

static HRESULT WINAPI enum_points_QueryInterface(IEnumConnectionPoints *iface, REFIID riid, void **ppv)
{
    if (!ppv)
        return E_POINTER;
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IEnumConnectionPoints))
    {
        *ppv = iface;
        IEnumConnectionPoints_AddRef(iface);
        return S_OK;
    }
    *ppv = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI enum_points_AddRef(IEnumConnectionPoints *iface)
{
    return InterlockedIncrement(&impl_from_IEnumConnectionPoints(iface)->refcount);
}

static ULONG WINAPI enum_points_Release(IEnumConnectionPoints *iface)
{
    struct enum_points *e = impl_from_IEnumConnectionPoints(iface);
    ULONG ref = InterlockedDecrement(&e->refcount);
    ULONG i;

    if (!ref)
    {
        for (i = 0; i < e->count; i++)
            IConnectionPoint_Release(e->items[i]);
        free(e->items);
        free(e);
        com_module_unlock();
    }
    return ref;
}

static HRESULT WINAPI enum_points_Next(IEnumConnectionPoints *iface, ULONG count, IConnectionPoint **out, ULONG *fetched)
{
    struct enum_points *e = impl_from_IEnumConnectionPoints(iface);
    ULONG n = 0;

    if (!out || (count > 1 && !fetched))
        return E_POINTER;
    while (n < count && e->position < e->count)
    {
        out[n] = e->items[e->position++];
        IConnectionPoint_AddRef(out[n]);
        n++;
    }
    if (fetched)
        *fetched = n;
    return n == count ? S_OK : S_FALSE;
}

static HRESULT WINAPI enum_points_Skip(IEnumConnectionPoints *iface, ULONG count)
{
    struct enum_points *e = impl_from_IEnumConnectionPoints(iface);
    ULONG left = e->count - e->position;

    e->position += count < left ? count : left;
    return count <= left ? S_OK : S_FALSE;
}

static HRESULT WINAPI enum_points_Reset(IEnumConnectionPoints *iface)
{
    impl_from_IEnumConnectionPoints(iface)->position = 0;
    return S_OK;
}

static HRESULT WINAPI enum_points_Clone(IEnumConnectionPoints *iface, IEnumConnectionPoints **out)
{
    struct enum_points *e = impl_from_IEnumConnectionPoints(iface);

    if (!out)
        return E_POINTER;
    return enum_points_create(e->items, e->count, e->position, out);
}

static const IEnumConnectionPointsVtbl enum_points_vtbl =
{
    enum_points_QueryInterface,
    enum_points_AddRef,
    enum_points_Release,
    enum_points_Next,
    enum_points_Skip,
    enum_points_Reset,
    enum_points_Clone,
};

HRESULT connection_points_enum(struct connection_point **points, unsigned int count,
                               IEnumConnectionPoints **out)
{
    IConnectionPoint *stack_items[8], **items = stack_items;
    unsigned int i;
    HRESULT hr;

    if (!out)
        return E_POINTER;
    *out = NULL;
    if (count > ARRAY_SIZE(stack_items) && !(items = malloc(count * sizeof(*items))))
        return E_OUTOFMEMORY;
    for (i = 0; i < count; i++)
        items[i] = &points[i]->IConnectionPoint_iface;
    hr = enum_points_create(items, count, 0, out);
    if (items != stack_items)
        free(items);
    return hr;
}
