/*
 * IUccCollection (ucc/collection.c): the shared snapshot collection of the COM
 * runtime with the UCC identity and the DISPIDs of docs/ucc-dispids.md. The
 * collection's behaviour itself is tested in tests/unit/com/test_collection.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <wchar.h>
#include <cmocka.h>

#include "ucc_private.h"
#include <rtccore.h>     /* to check the collection is not an IRTCCollection */

#define assert_hr(expr, expected) do { \
        HRESULT hr_ = (expr); \
        if (hr_ != (HRESULT)(expected)) { \
            print_error("%s: got 0x%08x, expected 0x%08x\n", #expr, (unsigned int)hr_, (unsigned int)(expected)); \
            fail(); \
        } \
    } while (0)

/* A counted item with IUnknown only. */
struct item
{
    IUnknown IUnknown_iface;
    LONG refcount;
};

static struct item *impl_from_IUnknown(IUnknown *iface)
{
    return CONTAINING_RECORD(iface, struct item, IUnknown_iface);
}

static HRESULT WINAPI item_QueryInterface(IUnknown *iface, REFIID riid, void **ppv)
{
    if (IsEqualIID(riid, &IID_IUnknown))
    {
        *ppv = iface;
        impl_from_IUnknown(iface)->refcount++;
        return S_OK;
    }
    *ppv = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI item_AddRef(IUnknown *iface)
{
    return ++impl_from_IUnknown(iface)->refcount;
}

static ULONG WINAPI item_Release(IUnknown *iface)
{
    return --impl_from_IUnknown(iface)->refcount;
}

static const IUnknownVtbl item_vtbl = { item_QueryInterface, item_AddRef, item_Release };

static HRESULT invoke(IUccCollection *collection, DISPID id, WORD flags, VARIANT *args, UINT count, VARIANT *result)
{
    DISPPARAMS params = { args, NULL, count, 0 };

    return IUccCollection_Invoke(collection, id, &IID_NULL, 0, flags, &params, result, NULL, NULL);
}

static void test_ucc_collection(void **state)
{
    static const WCHAR *names[] = { L"Count", L"Item", L"_NewEnum" };
    static const DISPID expected[] = { DISPID_IUccCollection_Count, DISPID_IUccCollection_Item,
                                       DISPID_IUccCollection__NewEnum };
    struct item items[2] = { { { &item_vtbl }, 1 }, { { &item_vtbl }, 1 } };
    IUnknown *array[2] = { &items[0].IUnknown_iface, &items[1].IUnknown_iface };
    IUccCollection *collection = (IUccCollection *)0xdeadbeef;
    IUnknown *unknown;
    VARIANT arg, result;
    LPOLESTR name;
    unsigned int i;
    DISPID id;
    LONG count;

    (void)state;
    assert_hr(ucc_collection_create(array, 2, NULL), E_POINTER);
    assert_hr(ucc_collection_create(array, 2, &collection), S_OK);
    assert_int_equal(items[0].refcount, 2);

    /* The UCC identity, not the RTC one. */
    assert_hr(IUccCollection_QueryInterface(collection, &IID_IUccCollection, (void **)&unknown), S_OK);
    assert_ptr_equal(unknown, collection);
    IUnknown_Release(unknown);
    assert_hr(IUccCollection_QueryInterface(collection, &IID_IRTCCollection, (void **)&unknown), E_NOINTERFACE);
    assert_null(unknown);

    assert_hr(IUccCollection_get_Count(collection, &count), S_OK);
    assert_int_equal(count, 2);
    assert_hr(IUccCollection_get_Item(collection, 2, &result), S_OK);
    assert_int_equal(V_VT(&result), VT_UNKNOWN);
    assert_ptr_equal(V_UNKNOWN(&result), array[1]);
    VariantClear(&result);
    assert_hr(IUccCollection_get_Item(collection, 3, &result), E_INVALIDARG);
    assert_hr(IUccCollection_get__NewEnum(collection, &unknown), S_OK);
    IUnknown_Release(unknown);

    /* The UCC DISPIDs (docs/ucc-dispids.md). */
    for (i = 0; i < ARRAY_SIZE(names); i++)
    {
        name = (LPOLESTR)names[i];
        assert_hr(IUccCollection_GetIDsOfNames(collection, &IID_NULL, &name, 1, 0, &id), S_OK);
        assert_int_equal(id, expected[i]);
    }
    VariantInit(&result);
    assert_hr(invoke(collection, DISPID_IUccCollection_Count, DISPATCH_PROPERTYGET, NULL, 0, &result), S_OK);
    assert_int_equal(V_VT(&result), VT_I4);
    assert_int_equal(V_I4(&result), 2);
    V_VT(&arg) = VT_I4;
    V_I4(&arg) = 1;
    assert_hr(invoke(collection, DISPID_IUccCollection_Item, DISPATCH_METHOD, &arg, 1, &result), S_OK);
    assert_ptr_equal(V_UNKNOWN(&result), array[0]);
    VariantClear(&result);
    assert_hr(invoke(collection, DISPID_IUccCollection__NewEnum, DISPATCH_PROPERTYGET, NULL, 0, &result), S_OK);
    assert_int_equal(V_VT(&result), VT_UNKNOWN);
    VariantClear(&result);

    assert_int_equal(IUccCollection_Release(collection), 0);
    assert_int_equal(items[0].refcount, 1);
    assert_int_equal(items[1].refcount, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] =
    {
        cmocka_unit_test(test_ucc_collection),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
