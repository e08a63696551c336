/*
 * Connection points: a test container (IConnectionPointContainer with two
 * points built from connection_point_init / connection_points_find /
 * connection_points_enum), sinks that count references, and event delivery
 * through connection_point_for_each_sink (IConnectionPoint semantics as in
 * Wine's oleaut32/ole32 tests and ATL's IConnectionPointImpl).
 */
#include <stdlib.h>
#include "com/com_test_util.h"

/* ---- the container ------------------------------------------------------------- */

struct container
{
    IConnectionPointContainer IConnectionPointContainer_iface;
    LONG refcount;
    struct connection_point events;      /* IID_ITestEvents */
    struct connection_point events2;     /* IID_ITestEvents2 */
};

static int containers_destroyed;

static struct container *impl_from_IConnectionPointContainer(IConnectionPointContainer *iface)
{
    return CONTAINING_RECORD(iface, struct container, IConnectionPointContainer_iface);
}

static HRESULT WINAPI container_QueryInterface(IConnectionPointContainer *iface, REFIID riid, void **ppv)
{
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IConnectionPointContainer))
    {
        *ppv = iface;
        IConnectionPointContainer_AddRef(iface);
        return S_OK;
    }
    *ppv = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI container_AddRef(IConnectionPointContainer *iface)
{
    return InterlockedIncrement(&impl_from_IConnectionPointContainer(iface)->refcount);
}

static ULONG WINAPI container_Release(IConnectionPointContainer *iface)
{
    struct container *container = impl_from_IConnectionPointContainer(iface);
    ULONG ref = InterlockedDecrement(&container->refcount);

    if (!ref)
    {
        connection_point_destroy(&container->events);
        connection_point_destroy(&container->events2);
        containers_destroyed++;
        free(container);
    }
    return ref;
}

static HRESULT WINAPI container_EnumConnectionPoints(IConnectionPointContainer *iface, IEnumConnectionPoints **out)
{
    struct container *container = impl_from_IConnectionPointContainer(iface);
    struct connection_point *points[] = { &container->events, &container->events2 };

    return connection_points_enum(points, ARRAY_SIZE(points), out);
}

static HRESULT WINAPI container_FindConnectionPoint(IConnectionPointContainer *iface, REFIID riid,
                                                    IConnectionPoint **out)
{
    struct container *container = impl_from_IConnectionPointContainer(iface);
    struct connection_point *points[] = { &container->events, &container->events2 };

    return connection_points_find(points, ARRAY_SIZE(points), riid, out);
}

static const IConnectionPointContainerVtbl container_vtbl =
{
    container_QueryInterface,
    container_AddRef,
    container_Release,
    container_EnumConnectionPoints,
    container_FindConnectionPoint,
};

static struct container *container_create(void)
{
    struct container *container = calloc(1, sizeof(*container));

    assert_non_null(container);
    container->IConnectionPointContainer_iface.lpVtbl = &container_vtbl;
    container->refcount = 1;
    connection_point_init(&container->events, &container->IConnectionPointContainer_iface, &IID_ITestEvents);
    connection_point_init(&container->events2, &container->IConnectionPointContainer_iface, &IID_ITestEvents2);
    return container;
}

static ULONG container_refcount(struct container *container)
{
    return container->refcount;
}

static IConnectionPoint *find_point(struct container *container, REFIID riid)
{
    IConnectionPoint *cp = NULL;

    assert_hr(IConnectionPointContainer_FindConnectionPoint(&container->IConnectionPointContainer_iface,
                                                            riid, &cp), S_OK);
    assert_non_null(cp);
    return cp;
}

/* ---- FindConnectionPoint ------------------------------------------------------ */

static void test_find_connection_point(void **state)
{
    struct container *container;
    IConnectionPoint *cp1, *cp1_again, *cp2, *cp;

    (void)state;
    containers_destroyed = 0;
    container = container_create();

    cp1 = find_point(container, &IID_ITestEvents);
    assert_ptr_equal(cp1, &container->events.IConnectionPoint_iface);
    assert_int_equal(container_refcount(container), 2);      /* the point holds the container */
    cp1_again = find_point(container, &IID_ITestEvents);
    assert_ptr_equal(cp1_again, cp1);                         /* the same object every time */
    cp2 = find_point(container, &IID_ITestEvents2);
    assert_ptr_equal(cp2, &container->events2.IConnectionPoint_iface);
    assert_ptr_not_equal(cp2, cp1);
    assert_int_equal(container_refcount(container), 4);

    cp = (IConnectionPoint *)0xdeadbeef;
    assert_hr(IConnectionPointContainer_FindConnectionPoint(&container->IConnectionPointContainer_iface,
                                                            &IID_IDispatch, &cp), CONNECT_E_NOCONNECTION);
    assert_null(cp);
    assert_hr(IConnectionPointContainer_FindConnectionPoint(&container->IConnectionPointContainer_iface,
                                                            &IID_ITestEvents, NULL), E_POINTER);
    assert_int_equal(container_refcount(container), 4);

    IConnectionPoint_Release(cp1);
    IConnectionPoint_Release(cp1_again);
    IConnectionPoint_Release(cp2);
    assert_int_equal(container_refcount(container), 1);
    IConnectionPointContainer_Release(&container->IConnectionPointContainer_iface);
    assert_int_equal(containers_destroyed, 1);
}

static void test_point_shares_container_refcount(void **state)
{
    struct container *container;
    IConnectionPoint *cp, *cp2 = NULL;
    IUnknown *unk = NULL;
    IConnectionPointContainer *cpc = (IConnectionPointContainer *)0xdeadbeef;

    (void)state;
    container = container_create();
    cp = find_point(container, &IID_ITestEvents);
    assert_int_equal(container_refcount(container), 2);
    assert_int_equal(IConnectionPoint_AddRef(cp), 3);
    assert_int_equal(container_refcount(container), 3);
    assert_int_equal(IConnectionPoint_Release(cp), 2);
    assert_int_equal(container_refcount(container), 2);

    /* QueryInterface: the point is IUnknown and IConnectionPoint, not the container. */
    assert_hr(IConnectionPoint_QueryInterface(cp, &IID_IConnectionPoint, (void **)&cp2), S_OK);
    assert_ptr_equal(cp2, cp);
    assert_hr(IConnectionPoint_QueryInterface(cp, &IID_IUnknown, (void **)&unk), S_OK);
    assert_ptr_equal(unk, cp);
    assert_int_equal(container_refcount(container), 4);
    assert_hr(IConnectionPoint_QueryInterface(cp, &IID_IConnectionPointContainer, (void **)&cpc), E_NOINTERFACE);
    assert_null(cpc);
    IUnknown_Release(unk);
    IConnectionPoint_Release(cp2);
    IConnectionPoint_Release(cp);
    assert_int_equal(container_refcount(container), 1);
    IConnectionPointContainer_Release(&container->IConnectionPointContainer_iface);
}

static void test_connection_interface_and_container(void **state)
{
    struct container *container;
    IConnectionPoint *cp;
    IConnectionPointContainer *cpc = NULL;
    IID iid;

    (void)state;
    container = container_create();
    cp = find_point(container, &IID_ITestEvents2);
    memset(&iid, 0, sizeof(iid));
    assert_hr(IConnectionPoint_GetConnectionInterface(cp, &iid), S_OK);
    assert_guid_equal(&iid, &IID_ITestEvents2);
    assert_hr(IConnectionPoint_GetConnectionInterface(cp, NULL), E_POINTER);

    assert_hr(IConnectionPoint_GetConnectionPointContainer(cp, &cpc), S_OK);
    assert_ptr_equal(cpc, &container->IConnectionPointContainer_iface);
    assert_int_equal(container_refcount(container), 3);       /* AddRef'd */
    IConnectionPointContainer_Release(cpc);
    assert_hr(IConnectionPoint_GetConnectionPointContainer(cp, NULL), E_POINTER);
    IConnectionPoint_Release(cp);
    assert_int_equal(container_refcount(container), 1);
    IConnectionPointContainer_Release(&container->IConnectionPointContainer_iface);
}

/* ---- EnumConnectionPoints ------------------------------------------------------- */

static void test_enum_connection_points(void **state)
{
    struct container *container;
    IEnumConnectionPoints *points, *clone, *unk_enum;
    IConnectionPoint *cp[3] = { NULL, NULL, NULL };
    IUnknown *unk = NULL;
    ULONG fetched;

    (void)state;
    container = container_create();
    assert_hr(IConnectionPointContainer_EnumConnectionPoints(&container->IConnectionPointContainer_iface,
                                                             &points), S_OK);
    /* The enumerator keeps the container alive (through the points it holds). */
    assert_true(container_refcount(container) > 1);

    fetched = 99;
    assert_hr(IEnumConnectionPoints_Next(points, 1, &cp[0], &fetched), S_OK);
    assert_int_equal(fetched, 1);
    assert_ptr_equal(cp[0], &container->events.IConnectionPoint_iface);
    assert_hr(IEnumConnectionPoints_Next(points, 1, &cp[1], NULL), S_OK);   /* fetched may be NULL for 1 */
    assert_ptr_equal(cp[1], &container->events2.IConnectionPoint_iface);
    cp[2] = (IConnectionPoint *)0xdeadbeef;
    fetched = 99;
    assert_hr(IEnumConnectionPoints_Next(points, 1, &cp[2], &fetched), S_FALSE);
    assert_int_equal(fetched, 0);
    IConnectionPoint_Release(cp[0]);
    IConnectionPoint_Release(cp[1]);

    /* Reset, then more than there is: S_FALSE with the count fetched. */
    assert_hr(IEnumConnectionPoints_Reset(points), S_OK);
    memset(cp, 0, sizeof(cp));
    assert_hr(IEnumConnectionPoints_Next(points, 3, cp, &fetched), S_FALSE);
    assert_int_equal(fetched, 2);
    assert_ptr_equal(cp[0], &container->events.IConnectionPoint_iface);
    assert_ptr_equal(cp[1], &container->events2.IConnectionPoint_iface);
    IConnectionPoint_Release(cp[0]);
    IConnectionPoint_Release(cp[1]);

    /* Several at once need the fetched count. */
    assert_hr(IEnumConnectionPoints_Reset(points), S_OK);
    assert_hr(IEnumConnectionPoints_Next(points, 2, cp, NULL), E_POINTER);

    /* Skip. */
    assert_hr(IEnumConnectionPoints_Reset(points), S_OK);
    assert_hr(IEnumConnectionPoints_Skip(points, 1), S_OK);
    assert_hr(IEnumConnectionPoints_Next(points, 1, &cp[0], &fetched), S_OK);
    assert_ptr_equal(cp[0], &container->events2.IConnectionPoint_iface);
    IConnectionPoint_Release(cp[0]);
    assert_hr(IEnumConnectionPoints_Reset(points), S_OK);
    assert_hr(IEnumConnectionPoints_Skip(points, 2), S_OK);
    assert_hr(IEnumConnectionPoints_Next(points, 1, &cp[0], &fetched), S_FALSE);
    assert_hr(IEnumConnectionPoints_Reset(points), S_OK);
    assert_hr(IEnumConnectionPoints_Skip(points, 5), S_FALSE);
    assert_hr(IEnumConnectionPoints_Next(points, 1, &cp[0], &fetched), S_FALSE);
    assert_int_equal(fetched, 0);

    /* Clone keeps the position and then moves on its own. */
    assert_hr(IEnumConnectionPoints_Reset(points), S_OK);
    assert_hr(IEnumConnectionPoints_Skip(points, 1), S_OK);
    assert_hr(IEnumConnectionPoints_Clone(points, &clone), S_OK);
    assert_ptr_not_equal(clone, points);
    assert_hr(IEnumConnectionPoints_Next(clone, 1, &cp[0], &fetched), S_OK);
    assert_ptr_equal(cp[0], &container->events2.IConnectionPoint_iface);
    IConnectionPoint_Release(cp[0]);
    assert_hr(IEnumConnectionPoints_Next(clone, 1, &cp[0], &fetched), S_FALSE);
    assert_hr(IEnumConnectionPoints_Next(points, 1, &cp[0], &fetched), S_OK);   /* original unmoved */
    assert_ptr_equal(cp[0], &container->events2.IConnectionPoint_iface);
    IConnectionPoint_Release(cp[0]);
    assert_hr(IEnumConnectionPoints_Clone(points, NULL), E_POINTER);

    assert_hr(IEnumConnectionPoints_QueryInterface(points, &IID_IEnumConnectionPoints, (void **)&unk_enum), S_OK);
    assert_ptr_equal(unk_enum, points);
    IEnumConnectionPoints_Release(unk_enum);
    assert_hr(IEnumConnectionPoints_QueryInterface(points, &IID_IUnknown, (void **)&unk), S_OK);
    IUnknown_Release(unk);
    unk = (IUnknown *)0xdeadbeef;
    assert_hr(IEnumConnectionPoints_QueryInterface(points, &IID_IEnumConnections, (void **)&unk), E_NOINTERFACE);
    assert_null(unk);

    /* Releasing the container while enumerators live: it survives until they go. */
    containers_destroyed = 0;
    IConnectionPointContainer_Release(&container->IConnectionPointContainer_iface);
    assert_int_equal(containers_destroyed, 0);
    assert_int_equal(IEnumConnectionPoints_Release(clone), 0);
    assert_int_equal(containers_destroyed, 0);
    assert_int_equal(IEnumConnectionPoints_Release(points), 0);
    assert_int_equal(containers_destroyed, 1);
}

/* ---- Advise / Unadvise ---------------------------------------------------------- */

static void test_advise_without_interface(void **state)
{
    struct container *container;
    struct test_unk sink, dispatch_only;
    IConnectionPoint *cp;
    DWORD cookie = 0xdeadbeef;

    (void)state;
    container = container_create();
    test_unk_init(&sink, FALSE, &IID_ITestEvents2);       /* the other interface */
    test_unk_init(&dispatch_only, TRUE, NULL);
    cp = find_point(container, &IID_ITestEvents);

    assert_hr(IConnectionPoint_Advise(cp, &sink.IUnknown_iface, &cookie), CONNECT_E_CANNOTCONNECT);
    assert_int_equal(cookie, 0);
    assert_int_equal(sink.refcount, 1);
    assert_int_equal(sink.qi_calls, 1);
    cookie = 0xdeadbeef;
    assert_hr(IConnectionPoint_Advise(cp, &dispatch_only.IUnknown_iface, &cookie), CONNECT_E_CANNOTCONNECT);
    assert_int_equal(cookie, 0);
    assert_int_equal(dispatch_only.refcount, 1);

    assert_hr(IConnectionPoint_Advise(cp, NULL, &cookie), E_POINTER);
    assert_hr(IConnectionPoint_Advise(cp, &sink.IUnknown_iface, NULL), E_POINTER);
    assert_false(connection_point_has_sinks(&container->events));

    IConnectionPoint_Release(cp);
    IConnectionPointContainer_Release(&container->IConnectionPointContainer_iface);
}

static void test_advise_unadvise_cookies(void **state)
{
    struct container *container;
    struct test_unk sinks[3];
    IConnectionPoint *cp;
    DWORD cookies[3], cookie, again;
    unsigned int i, j;

    (void)state;
    container = container_create();
    cp = find_point(container, &IID_ITestEvents);
    assert_false(connection_point_has_sinks(&container->events));

    for (i = 0; i < 3; i++)
    {
        test_unk_init(&sinks[i], FALSE, &IID_ITestEvents);
        assert_hr(IConnectionPoint_Advise(cp, &sinks[i].IUnknown_iface, &cookies[i]), S_OK);
        assert_int_not_equal(cookies[i], 0);
        assert_int_equal(sinks[i].refcount, 2);                /* the point keeps one reference */
        for (j = 0; j < i; j++)
            assert_int_not_equal(cookies[i], cookies[j]);
    }
    assert_true(connection_point_has_sinks(&container->events));
    assert_false(connection_point_has_sinks(&container->events2));

    assert_hr(IConnectionPoint_Unadvise(cp, cookies[1]), S_OK);
    assert_int_equal(sinks[1].refcount, 1);
    assert_hr(IConnectionPoint_Unadvise(cp, cookies[1]), CONNECT_E_NOCONNECTION);
    assert_hr(IConnectionPoint_Unadvise(cp, 0), CONNECT_E_NOCONNECTION);
    assert_hr(IConnectionPoint_Unadvise(cp, 0x7fffffff), CONNECT_E_NOCONNECTION);
    assert_int_equal(sinks[0].refcount, 2);
    assert_int_equal(sinks[2].refcount, 2);

    /* A new connection never reuses an old cookie (a stale cookie cannot unadvise it). */
    assert_hr(IConnectionPoint_Advise(cp, &sinks[1].IUnknown_iface, &cookie), S_OK);
    for (j = 0; j < 3; j++)
        assert_int_not_equal(cookie, cookies[j]);
    /* The same sink may be advised twice, with two cookies. */
    assert_hr(IConnectionPoint_Advise(cp, &sinks[1].IUnknown_iface, &again), S_OK);
    assert_int_not_equal(again, cookie);
    assert_int_equal(sinks[1].refcount, 3);

    /* A cookie of one point means nothing to another. */
    {
        IConnectionPoint *cp2 = find_point(container, &IID_ITestEvents2);
        assert_hr(IConnectionPoint_Unadvise(cp2, cookie), CONNECT_E_NOCONNECTION);
        IConnectionPoint_Release(cp2);
    }

    assert_hr(IConnectionPoint_Unadvise(cp, cookies[0]), S_OK);
    assert_hr(IConnectionPoint_Unadvise(cp, cookies[2]), S_OK);
    assert_hr(IConnectionPoint_Unadvise(cp, cookie), S_OK);
    assert_hr(IConnectionPoint_Unadvise(cp, again), S_OK);
    assert_false(connection_point_has_sinks(&container->events));
    for (i = 0; i < 3; i++)
        assert_int_equal(sinks[i].refcount, 1);
    IConnectionPoint_Release(cp);
    IConnectionPointContainer_Release(&container->IConnectionPointContainer_iface);
}

/* ---- EnumConnections --------------------------------------------------------------- */

static void test_enum_connections(void **state)
{
    struct container *container;
    struct test_unk sinks[2];
    IConnectionPoint *cp;
    IEnumConnections *conns, *clone, *empty;
    CONNECTDATA data[3];
    DWORD cookies[2];
    ULONG fetched;
    unsigned int i;

    (void)state;
    container = container_create();
    cp = find_point(container, &IID_ITestEvents);

    /* No connections: an empty enumerator. */
    assert_hr(IConnectionPoint_EnumConnections(cp, &empty), S_OK);
    fetched = 99;
    assert_hr(IEnumConnections_Next(empty, 1, data, &fetched), S_FALSE);
    assert_int_equal(fetched, 0);
    IEnumConnections_Release(empty);

    for (i = 0; i < 2; i++)
    {
        test_unk_init(&sinks[i], FALSE, &IID_ITestEvents);
        assert_hr(IConnectionPoint_Advise(cp, &sinks[i].IUnknown_iface, &cookies[i]), S_OK);
    }
    assert_hr(IConnectionPoint_EnumConnections(cp, &conns), S_OK);
    assert_hr(IConnectionPoint_EnumConnections(cp, NULL), E_POINTER);

    memset(data, 0, sizeof(data));
    assert_hr(IEnumConnections_Next(conns, 3, data, &fetched), S_FALSE);
    assert_int_equal(fetched, 2);
    for (i = 0; i < 2; i++)
    {
        /* pUnk is the sink's interface for the point's IID, AddRef'd for the caller. */
        assert_ptr_equal(data[i].pUnk, &sinks[i].Events_iface);
        assert_int_equal(data[i].dwCookie, cookies[i]);
    }
    assert_int_equal(sinks[0].refcount, 4);   /* test, point, enumerator, data[0] */
    IUnknown_Release(data[0].pUnk);
    IUnknown_Release(data[1].pUnk);

    assert_hr(IEnumConnections_Reset(conns), S_OK);
    assert_hr(IEnumConnections_Next(conns, 2, data, NULL), E_POINTER);
    assert_hr(IEnumConnections_Skip(conns, 1), S_OK);
    assert_hr(IEnumConnections_Clone(conns, &clone), S_OK);
    assert_hr(IEnumConnections_Next(clone, 1, data, NULL), S_OK);
    assert_int_equal(data[0].dwCookie, cookies[1]);
    IUnknown_Release(data[0].pUnk);
    assert_hr(IEnumConnections_Skip(clone, 1), S_FALSE);
    assert_hr(IEnumConnections_Next(conns, 1, data, &fetched), S_OK);    /* original unmoved */
    assert_int_equal(data[0].dwCookie, cookies[1]);
    IUnknown_Release(data[0].pUnk);
    assert_hr(IEnumConnections_Next(conns, 1, data, &fetched), S_FALSE);
    assert_int_equal(fetched, 0);
    IEnumConnections_Release(clone);
    IEnumConnections_Release(conns);
    for (i = 0; i < 2; i++)
        assert_int_equal(sinks[i].refcount, 2);

    for (i = 0; i < 2; i++)
        assert_hr(IConnectionPoint_Unadvise(cp, cookies[i]), S_OK);
    for (i = 0; i < 2; i++)
        assert_int_equal(sinks[i].refcount, 1);
    IConnectionPoint_Release(cp);
    IConnectionPointContainer_Release(&container->IConnectionPointContainer_iface);
}

/* ---- connection_point_for_each_sink ------------------------------------------------- */

#define MAX_SINKS 12

struct firing
{
    struct container *container;
    IConnectionPoint *cp;
    struct test_unk sinks[MAX_SINKS];
    DWORD cookies[MAX_SINKS];
    unsigned int sink_count;
    int calls[MAX_SINKS * 4];         /* index of the sink per call */
    unsigned int call_count;
    /* what the callback does, per sink index */
    int unadvise_on[MAX_SINKS];       /* sink index to unadvise (-1: none) */
    int advise_on;                    /* sink index that advises sinks[advise_target] */
    int advise_target;
    int release_container_on;         /* sink index that drops the test's container reference */
};

static int sink_index(struct firing *f, IUnknown *sink)
{
    unsigned int i;

    for (i = 0; i < MAX_SINKS; i++)
        if (sink == &f->sinks[i].Events_iface)
            return i;
    return -1;
}

static void record_event(IUnknown *sink, void *user_data)
{
    struct firing *f = user_data;
    int index = sink_index(f, sink);

    assert_true(index >= 0);                 /* the sink pointer is the QueryInterface'd one */
    assert_true(f->sinks[index].refcount >= 3);   /* test, point, and the loop's own reference */
    f->calls[f->call_count++] = index;
    if (f->unadvise_on[index] >= 0)
        assert_hr(IConnectionPoint_Unadvise(f->cp, f->cookies[f->unadvise_on[index]]), S_OK);
    if (f->advise_on == index)
        assert_hr(IConnectionPoint_Advise(f->cp, &f->sinks[f->advise_target].IUnknown_iface,
                                          &f->cookies[f->advise_target]), S_OK);
    if (f->release_container_on == index)
    {
        IConnectionPoint_Release(f->cp);
        f->cp = NULL;
        IConnectionPointContainer_Release(&f->container->IConnectionPointContainer_iface);
    }
}

static struct firing *firing_create(unsigned int sink_count, unsigned int advised)
{
    struct firing *f = calloc(1, sizeof(*f));
    unsigned int i;

    assert_non_null(f);
    f->container = container_create();
    f->cp = find_point(f->container, &IID_ITestEvents);
    f->sink_count = sink_count;
    f->advise_on = f->release_container_on = -1;
    for (i = 0; i < MAX_SINKS; i++)
        f->unadvise_on[i] = -1;
    for (i = 0; i < sink_count; i++)
    {
        test_unk_init(&f->sinks[i], FALSE, &IID_ITestEvents);
        if (i < advised)
            assert_hr(IConnectionPoint_Advise(f->cp, &f->sinks[i].IUnknown_iface, &f->cookies[i]), S_OK);
    }
    return f;
}

static void fire(struct firing *f)
{
    f->call_count = 0;
    connection_point_for_each_sink(&f->container->events, record_event, f);
}

/* Releases the container (which releases the remaining sinks) and checks every sink is back to 1. */
static void firing_destroy(struct firing *f)
{
    unsigned int i;

    containers_destroyed = 0;
    if (f->cp)
    {
        IConnectionPoint_Release(f->cp);
        IConnectionPointContainer_Release(&f->container->IConnectionPointContainer_iface);
    }
    for (i = 0; i < f->sink_count; i++)
        assert_int_equal(f->sinks[i].refcount, 1);
    free(f);
}

static void test_for_each_sink_order(void **state)
{
    struct firing *f;
    unsigned int i;

    (void)state;
    f = firing_create(3, 3);
    fire(f);
    assert_int_equal(f->call_count, 3);
    for (i = 0; i < 3; i++)
    {
        assert_int_equal(f->calls[i], i);
        assert_int_equal(f->sinks[i].refcount, 2);     /* the loop's reference is gone */
    }
    assert_int_equal(container_refcount(f->container), 2);

    /* No sinks: no calls. */
    connection_point_for_each_sink(&f->container->events2, record_event, f);
    assert_int_equal(f->call_count, 3);
    firing_destroy(f);
    assert_int_equal(containers_destroyed, 1);
}

static void test_for_each_sink_many(void **state)
{
    struct firing *f;
    unsigned int i;

    (void)state;
    f = firing_create(MAX_SINKS, MAX_SINKS);       /* more than the loop's stack buffer */
    fire(f);
    assert_int_equal(f->call_count, MAX_SINKS);
    for (i = 0; i < MAX_SINKS; i++)
        assert_int_equal(f->calls[i], i);
    firing_destroy(f);
}

static void test_for_each_sink_unadvises_itself(void **state)
{
    struct firing *f;

    (void)state;
    f = firing_create(3, 3);
    f->unadvise_on[0] = 0;
    fire(f);
    assert_int_equal(f->call_count, 3);
    assert_int_equal(f->calls[0], 0);
    assert_int_equal(f->calls[1], 1);
    assert_int_equal(f->calls[2], 2);
    assert_int_equal(f->sinks[0].refcount, 1);
    f->unadvise_on[0] = -1;
    fire(f);
    assert_int_equal(f->call_count, 2);
    assert_int_equal(f->calls[0], 1);
    assert_int_equal(f->calls[1], 2);
    firing_destroy(f);
}

/* A sink that another sink unadvised before its turn does not get the event:
 * after Unadvise returns, the connection is gone (as in ATL's Fire_ loops). */
static void test_for_each_sink_unadvises_later_sink(void **state)
{
    struct firing *f;

    (void)state;
    f = firing_create(3, 3);
    f->unadvise_on[0] = 2;
    fire(f);
    assert_int_equal(f->call_count, 2);
    assert_int_equal(f->calls[0], 0);
    assert_int_equal(f->calls[1], 1);
    assert_int_equal(f->sinks[2].refcount, 1);
    firing_destroy(f);
}

static void test_for_each_sink_unadvises_earlier_sink(void **state)
{
    struct firing *f;

    (void)state;
    f = firing_create(3, 3);
    f->unadvise_on[1] = 0;
    fire(f);
    assert_int_equal(f->call_count, 3);
    assert_int_equal(f->calls[0], 0);
    assert_int_equal(f->calls[1], 1);
    assert_int_equal(f->calls[2], 2);
    assert_int_equal(f->sinks[0].refcount, 1);
    f->unadvise_on[1] = -1;
    fire(f);
    assert_int_equal(f->call_count, 2);
    assert_int_equal(f->calls[0], 1);
    assert_int_equal(f->calls[1], 2);
    firing_destroy(f);
}

/* A sink advised during an event gets the next one, in advise order. */
static void test_for_each_sink_advises_new_sink(void **state)
{
    struct firing *f;

    (void)state;
    f = firing_create(4, 3);
    f->advise_on = 1;
    f->advise_target = 3;
    fire(f);
    assert_int_equal(f->call_count, 3);
    assert_int_equal(f->sinks[3].refcount, 2);
    f->advise_on = -1;
    fire(f);
    assert_int_equal(f->call_count, 4);
    assert_int_equal(f->calls[3], 3);
    firing_destroy(f);
}

/* The application drops its last reference to the container from inside an event:
 * the loop finishes, then the container goes and releases every sink. */
static void test_for_each_sink_releases_container(void **state)
{
    struct firing *f;
    unsigned int i;

    (void)state;
    f = firing_create(3, 3);
    containers_destroyed = 0;
    f->release_container_on = 0;
    fire(f);
    assert_int_equal(f->call_count, 3);
    for (i = 0; i < 3; i++)
        assert_int_equal(f->calls[i], i);
    assert_int_equal(containers_destroyed, 1);
    for (i = 0; i < 3; i++)
        assert_int_equal(f->sinks[i].refcount, 1);
    firing_destroy(f);
}

/* connection_point_destroy (from the container's destructor) releases every sink. */
static void test_destroy_releases_sinks(void **state)
{
    struct firing *f;
    DWORD extra;

    (void)state;
    f = firing_create(3, 3);
    assert_hr(IConnectionPoint_Advise(f->cp, &f->sinks[1].IUnknown_iface, &extra), S_OK);
    assert_int_equal(f->sinks[1].refcount, 3);
    firing_destroy(f);      /* checks all counts are back to 1 */
    assert_int_equal(containers_destroyed, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] =
    {
        cmocka_unit_test(test_find_connection_point),
        cmocka_unit_test(test_point_shares_container_refcount),
        cmocka_unit_test(test_connection_interface_and_container),
        cmocka_unit_test(test_enum_connection_points),
        cmocka_unit_test(test_advise_without_interface),
        cmocka_unit_test(test_advise_unadvise_cookies),
        cmocka_unit_test(test_enum_connections),
        cmocka_unit_test(test_for_each_sink_order),
        cmocka_unit_test(test_for_each_sink_many),
        cmocka_unit_test(test_for_each_sink_unadvises_itself),
        cmocka_unit_test(test_for_each_sink_unadvises_later_sink),
        cmocka_unit_test(test_for_each_sink_unadvises_earlier_sink),
        cmocka_unit_test(test_for_each_sink_advises_new_sink),
        cmocka_unit_test(test_for_each_sink_releases_container),
        cmocka_unit_test(test_destroy_releases_sinks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
