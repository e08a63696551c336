/*
 * Class registry: CoCreateInstance / CoGetClassObject over classes registered
 * with com_register_class (modelled on Wine's ole32 compobj.c tests).
 */
#include <stdlib.h>
#include "com/com_test_util.h"

/* ---- a small test class: IUnknown + ITestThing --------------------------------- */

static const CLSID CLSID_TestThing =
    { 0x7e0c5a10, 0x3b2d, 0x4f61, { 0x8a, 0x90, 0x11, 0x22, 0x33, 0x44, 0x55, 0x01 } };
static const CLSID CLSID_Unregistered =
    { 0x7e0c5a10, 0x3b2d, 0x4f61, { 0x8a, 0x90, 0x11, 0x22, 0x33, 0x44, 0x55, 0xff } };
static const IID IID_ITestThing =
    { 0x7e0c5a10, 0x3b2d, 0x4f61, { 0x8a, 0x90, 0x11, 0x22, 0x33, 0x44, 0x55, 0x02 } };

typedef struct ITestThing ITestThing;
typedef struct ITestThingVtbl
{
    HRESULT (WINAPI *QueryInterface)(ITestThing *iface, REFIID riid, void **ppv);
    ULONG (WINAPI *AddRef)(ITestThing *iface);
    ULONG (WINAPI *Release)(ITestThing *iface);
    HRESULT (WINAPI *GetValue)(ITestThing *iface, LONG *value);
} ITestThingVtbl;
struct ITestThing { const ITestThingVtbl *lpVtbl; };

struct thing
{
    IUnknown IUnknown_iface;
    ITestThing ITestThing_iface;
    LONG refcount;
};

static LONG live_things;

static struct thing *impl_from_IUnknown(IUnknown *iface)
{
    return CONTAINING_RECORD(iface, struct thing, IUnknown_iface);
}

static struct thing *impl_from_ITestThing(ITestThing *iface)
{
    return CONTAINING_RECORD(iface, struct thing, ITestThing_iface);
}

static HRESULT WINAPI thing_QueryInterface(IUnknown *iface, REFIID riid, void **ppv)
{
    struct thing *thing = impl_from_IUnknown(iface);

    if (IsEqualIID(riid, &IID_IUnknown))
        *ppv = &thing->IUnknown_iface;
    else if (IsEqualIID(riid, &IID_ITestThing))
        *ppv = &thing->ITestThing_iface;
    else
    {
        *ppv = NULL;
        return E_NOINTERFACE;
    }
    IUnknown_AddRef((IUnknown *)*ppv);
    return S_OK;
}

static ULONG WINAPI thing_AddRef(IUnknown *iface)
{
    return InterlockedIncrement(&impl_from_IUnknown(iface)->refcount);
}

static ULONG WINAPI thing_Release(IUnknown *iface)
{
    struct thing *thing = impl_from_IUnknown(iface);
    ULONG ref = InterlockedDecrement(&thing->refcount);

    if (!ref)
    {
        InterlockedDecrement(&live_things);
        free(thing);
    }
    return ref;
}

static const IUnknownVtbl thing_unk_vtbl = { thing_QueryInterface, thing_AddRef, thing_Release };

static HRESULT WINAPI test_thing_QueryInterface(ITestThing *iface, REFIID riid, void **ppv)
{
    return thing_QueryInterface(&impl_from_ITestThing(iface)->IUnknown_iface, riid, ppv);
}

static ULONG WINAPI test_thing_AddRef(ITestThing *iface)
{
    return thing_AddRef(&impl_from_ITestThing(iface)->IUnknown_iface);
}

static ULONG WINAPI test_thing_Release(ITestThing *iface)
{
    return thing_Release(&impl_from_ITestThing(iface)->IUnknown_iface);
}

static HRESULT WINAPI test_thing_GetValue(ITestThing *iface, LONG *value)
{
    (void)iface;
    *value = 42;
    return S_OK;
}

static const ITestThingVtbl thing_vtbl =
{
    test_thing_QueryInterface, test_thing_AddRef, test_thing_Release, test_thing_GetValue,
};

static HRESULT thing_create(REFIID riid, void **ppv)
{
    struct thing *thing;
    HRESULT hr;

    if (!(thing = calloc(1, sizeof(*thing))))
        return E_OUTOFMEMORY;
    thing->IUnknown_iface.lpVtbl = &thing_unk_vtbl;
    thing->ITestThing_iface.lpVtbl = &thing_vtbl;
    thing->refcount = 1;
    InterlockedIncrement(&live_things);
    hr = IUnknown_QueryInterface(&thing->IUnknown_iface, riid, ppv);
    IUnknown_Release(&thing->IUnknown_iface);
    return hr;
}

/* ---- tests -------------------------------------------------------------------- */

static int enter_apartment(void **state)
{
    (void)state;
    return CoInitialize(NULL) == S_OK ? 0 : -1;
}

static int leave_apartment(void **state)
{
    (void)state;
    while (com_apartment_is_initialized())
        CoUninitialize();
    return live_things == 0 ? 0 : -1;    /* every test releases what it created */
}

static void test_create_instance(void **state)
{
    ITestThing *thing = NULL;
    IUnknown *unk = NULL, *unk2 = NULL;
    LONG value = 0;

    (void)state;
    assert_hr(CoCreateInstance(&CLSID_TestThing, NULL, CLSCTX_INPROC_SERVER, &IID_ITestThing, (void **)&thing), S_OK);
    assert_non_null(thing);
    assert_int_equal(live_things, 1);
    assert_hr(thing->lpVtbl->GetValue(thing, &value), S_OK);
    assert_int_equal(value, 42);

    /* COM identity: IUnknown from the instance is one pointer. */
    assert_hr(thing->lpVtbl->QueryInterface(thing, &IID_IUnknown, (void **)&unk), S_OK);
    assert_hr(IUnknown_QueryInterface(unk, &IID_IUnknown, (void **)&unk2), S_OK);
    assert_ptr_equal(unk, unk2);
    IUnknown_Release(unk2);
    IUnknown_Release(unk);
    assert_int_equal(thing->lpVtbl->Release(thing), 0);
    assert_int_equal(live_things, 0);

    /* Each call creates a new object; CLSCTX_ALL includes in-process servers. */
    assert_hr(CoCreateInstance(&CLSID_TestThing, NULL, CLSCTX_ALL, &IID_IUnknown, (void **)&unk), S_OK);
    assert_hr(CoCreateInstance(&CLSID_TestThing, NULL, CLSCTX_INPROC, &IID_IUnknown, (void **)&unk2), S_OK);
    assert_ptr_not_equal(unk, unk2);
    assert_int_equal(live_things, 2);
    IUnknown_Release(unk);
    IUnknown_Release(unk2);
}

static void test_create_unknown_class(void **state)
{
    IUnknown *unk = (IUnknown *)0xdeadbeef;

    (void)state;
    assert_hr(CoCreateInstance(&CLSID_Unregistered, NULL, CLSCTX_INPROC_SERVER, &IID_IUnknown, (void **)&unk),
              REGDB_E_CLASSNOTREG);
    assert_null(unk);
    assert_hr(CoCreateInstance(&CLSID_Unregistered, NULL, CLSCTX_ALL, &IID_IUnknown, (void **)&unk),
              REGDB_E_CLASSNOTREG);
    assert_null(unk);
}

static void test_create_aggregation_refused(void **state)
{
    struct test_unk outer;
    IUnknown *unk = (IUnknown *)0xdeadbeef;

    (void)state;
    test_unk_init(&outer, FALSE, NULL);
    assert_hr(CoCreateInstance(&CLSID_TestThing, &outer.IUnknown_iface, CLSCTX_INPROC_SERVER, &IID_IUnknown,
                               (void **)&unk), CLASS_E_NOAGGREGATION);
    assert_null(unk);
    assert_int_equal(live_things, 0);
    assert_int_equal(outer.refcount, 1);
    assert_int_equal(outer.qi_calls, 0);
}

static void test_create_wrong_context(void **state)
{
    IUnknown *unk = (IUnknown *)0xdeadbeef;
    IClassFactory *factory = (IClassFactory *)0xdeadbeef;

    (void)state;
    assert_hr(CoCreateInstance(&CLSID_TestThing, NULL, CLSCTX_LOCAL_SERVER, &IID_IUnknown, (void **)&unk),
              REGDB_E_CLASSNOTREG);
    assert_null(unk);
    unk = (IUnknown *)0xdeadbeef;
    assert_hr(CoCreateInstance(&CLSID_TestThing, NULL, CLSCTX_REMOTE_SERVER, &IID_IUnknown, (void **)&unk),
              REGDB_E_CLASSNOTREG);
    assert_null(unk);
    assert_hr(CoGetClassObject(&CLSID_TestThing, CLSCTX_LOCAL_SERVER, NULL, &IID_IClassFactory,
                               (void **)&factory), REGDB_E_CLASSNOTREG);
    assert_null(factory);
    assert_int_equal(live_things, 0);
}

static void test_create_no_interface(void **state)
{
    IDispatch *disp = (IDispatch *)0xdeadbeef;

    (void)state;
    assert_hr(CoCreateInstance(&CLSID_TestThing, NULL, CLSCTX_INPROC_SERVER, &IID_IDispatch, (void **)&disp),
              E_NOINTERFACE);
    assert_null(disp);
    assert_int_equal(live_things, 0);     /* the instance was released */
}

static void test_create_null_out(void **state)
{
    (void)state;
    assert_hr(CoCreateInstance(&CLSID_TestThing, NULL, CLSCTX_INPROC_SERVER, &IID_IUnknown, NULL), E_POINTER);
    assert_int_equal(live_things, 0);
}

static void test_class_object(void **state)
{
    struct test_unk outer;
    IClassFactory *factory = NULL, *factory2 = NULL;
    IUnknown *unk = NULL, *unk2;
    ITestThing *thing = NULL;
    IDispatch *disp;
    LONG value = 0;

    (void)state;
    test_unk_init(&outer, FALSE, NULL);
    assert_hr(CoGetClassObject(&CLSID_TestThing, CLSCTX_INPROC_SERVER, NULL, &IID_IClassFactory,
                               (void **)&factory), S_OK);
    assert_non_null(factory);

    assert_hr(IClassFactory_CreateInstance(factory, NULL, &IID_ITestThing, (void **)&thing), S_OK);
    assert_hr(thing->lpVtbl->GetValue(thing, &value), S_OK);
    assert_int_equal(value, 42);
    thing->lpVtbl->Release(thing);

    unk = (IUnknown *)0xdeadbeef;
    assert_hr(IClassFactory_CreateInstance(factory, &outer.IUnknown_iface, &IID_IUnknown, (void **)&unk),
              CLASS_E_NOAGGREGATION);
    assert_null(unk);
    disp = (IDispatch *)0xdeadbeef;
    assert_hr(IClassFactory_CreateInstance(factory, NULL, &IID_IDispatch, (void **)&disp), E_NOINTERFACE);
    assert_null(disp);

    assert_hr(IClassFactory_LockServer(factory, TRUE), S_OK);
    assert_hr(IClassFactory_LockServer(factory, FALSE), S_OK);

    /* The factory is a COM object of its own. */
    assert_hr(IClassFactory_QueryInterface(factory, &IID_IUnknown, (void **)&unk), S_OK);
    assert_hr(IUnknown_QueryInterface(unk, &IID_IClassFactory, (void **)&factory2), S_OK);
    assert_ptr_equal(factory2, factory);
    disp = (IDispatch *)0xdeadbeef;
    assert_hr(IClassFactory_QueryInterface(factory, &IID_IDispatch, (void **)&disp), E_NOINTERFACE);
    assert_null(disp);
    IClassFactory_Release(factory2);
    IUnknown_Release(unk);
    IClassFactory_Release(factory);

    /* CoGetClassObject hands out any interface of the factory. */
    assert_hr(CoGetClassObject(&CLSID_TestThing, CLSCTX_INPROC_SERVER, NULL, &IID_IUnknown, (void **)&unk2), S_OK);
    assert_non_null(unk2);
    IUnknown_Release(unk2);
    disp = (IDispatch *)0xdeadbeef;
    assert_hr(CoGetClassObject(&CLSID_TestThing, CLSCTX_INPROC_SERVER, NULL, &IID_IDispatch, (void **)&disp),
              E_NOINTERFACE);
    assert_null(disp);
    factory = (IClassFactory *)0xdeadbeef;
    assert_hr(CoGetClassObject(&CLSID_Unregistered, CLSCTX_INPROC_SERVER, NULL, &IID_IClassFactory,
                               (void **)&factory), REGDB_E_CLASSNOTREG);
    assert_null(factory);
    assert_int_equal(outer.refcount, 1);
}

static void test_not_initialized(void **state)
{
    IUnknown *unk = (IUnknown *)0xdeadbeef;
    IClassFactory *factory = (IClassFactory *)0xdeadbeef;

    (void)state;
    assert_false(com_apartment_is_initialized());
    assert_hr(CoCreateInstance(&CLSID_TestThing, NULL, CLSCTX_INPROC_SERVER, &IID_IUnknown, (void **)&unk),
              CO_E_NOTINITIALIZED);
    assert_null(unk);
    assert_hr(CoGetClassObject(&CLSID_TestThing, CLSCTX_INPROC_SERVER, NULL, &IID_IClassFactory,
                               (void **)&factory), CO_E_NOTINITIALIZED);
    assert_null(factory);

    /* ... and again once the apartment is gone. */
    assert_hr(CoInitialize(NULL), S_OK);
    assert_hr(CoCreateInstance(&CLSID_TestThing, NULL, CLSCTX_INPROC_SERVER, &IID_IUnknown, (void **)&unk), S_OK);
    IUnknown_Release(unk);
    CoUninitialize();
    unk = (IUnknown *)0xdeadbeef;
    assert_hr(CoCreateInstance(&CLSID_TestThing, NULL, CLSCTX_INPROC_SERVER, &IID_IUnknown, (void **)&unk),
              CO_E_NOTINITIALIZED);
    assert_null(unk);
    assert_int_equal(live_things, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] =
    {
        cmocka_unit_test_teardown(test_not_initialized, leave_apartment),
        cmocka_unit_test_setup_teardown(test_create_instance, enter_apartment, leave_apartment),
        cmocka_unit_test_setup_teardown(test_create_unknown_class, enter_apartment, leave_apartment),
        cmocka_unit_test_setup_teardown(test_create_aggregation_refused, enter_apartment, leave_apartment),
        cmocka_unit_test_setup_teardown(test_create_wrong_context, enter_apartment, leave_apartment),
        cmocka_unit_test_setup_teardown(test_create_no_interface, enter_apartment, leave_apartment),
        cmocka_unit_test_setup_teardown(test_create_null_out, enter_apartment, leave_apartment),
        cmocka_unit_test_setup_teardown(test_class_object, enter_apartment, leave_apartment),
    };

    com_register_class(&CLSID_TestThing, "TestThing", thing_create);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
