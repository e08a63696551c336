/*
 * The shared snapshot collection (src/com/collection.c, com/collection.h):
 * snapshots, the collection object with a face's IID and DISPIDs, its
 * IEnumVARIANT, the apartment rule, and the argument coercion its Item uses
 * (com_variant_to_long, src/com/dispatch.c). The faces' own tests check their
 * IIDs and DISPIDs (tests/unit/rtccore/test_collection.c,
 * tests/unit/ucc/test_collection.c).
 */
#include "com/com_test_util.h"
#include "com/collection.h"

/* A face of the tests' own: its IID and DISPIDs are not any real face's, and
 * its vtable (IDispatch, then Count, Item, _NewEnum) forwards to the shared
 * collection as rtccore/ and ucc/ do. */
static const struct com_collection_type test_type =
{
    &IID_ITestEvents, 11, 12, 13,
};

struct test_collection_vtbl
{
    IDispatchVtbl dispatch;
    HRESULT (WINAPI *get_Count)(IDispatch *iface, LONG *count);
    HRESULT (WINAPI *get_Item)(IDispatch *iface, LONG index, VARIANT *item);
    HRESULT (WINAPI *get__NewEnum)(IDispatch *iface, IUnknown **out);
};

static HRESULT WINAPI test_QueryInterface(IDispatch *iface, REFIID riid, void **ppv)
{
    return com_collection_QueryInterface(iface, riid, ppv);
}

static ULONG WINAPI test_AddRef(IDispatch *iface)
{
    return com_collection_AddRef(iface);
}

static ULONG WINAPI test_Release(IDispatch *iface)
{
    return com_collection_Release(iface);
}

static HRESULT WINAPI test_GetTypeInfoCount(IDispatch *iface, UINT *count)
{
    return com_collection_GetTypeInfoCount(iface, count);
}

static HRESULT WINAPI test_GetTypeInfo(IDispatch *iface, UINT index, LCID lcid, ITypeInfo **info)
{
    return com_collection_GetTypeInfo(iface, index, lcid, info);
}

static HRESULT WINAPI test_GetIDsOfNames(IDispatch *iface, REFIID riid, LPOLESTR *names, UINT count, LCID lcid,
                                         DISPID *dispids)
{
    return com_collection_GetIDsOfNames(iface, riid, names, count, lcid, dispids);
}

static HRESULT WINAPI test_Invoke(IDispatch *iface, DISPID dispid, REFIID riid, LCID lcid, WORD flags,
                                  DISPPARAMS *params, VARIANT *result, EXCEPINFO *excepinfo, UINT *arg_err)
{
    return com_collection_Invoke(iface, dispid, riid, lcid, flags, params, result, excepinfo, arg_err);
}

static HRESULT WINAPI test_get_Count(IDispatch *iface, LONG *count)
{
    return com_collection_get_Count(iface, count);
}

static HRESULT WINAPI test_get_Item(IDispatch *iface, LONG index, VARIANT *item)
{
    return com_collection_get_Item(iface, index, item);
}

static HRESULT WINAPI test_get__NewEnum(IDispatch *iface, IUnknown **out)
{
    return com_collection_get__NewEnum(iface, out);
}

static const struct test_collection_vtbl test_vtbl =
{
    {
        test_QueryInterface, test_AddRef, test_Release,
        test_GetTypeInfoCount, test_GetTypeInfo, test_GetIDsOfNames, test_Invoke,
    },
    test_get_Count, test_get_Item, test_get__NewEnum,
};

static const struct test_collection_vtbl *vtbl(IDispatch *collection)
{
    return (const struct test_collection_vtbl *)collection->lpVtbl;
}

static IDispatch *create(IUnknown **items, unsigned int count)
{
    IDispatch *collection = NULL;

    assert_hr(com_collection_create(&test_type, &test_vtbl, items, count, (void **)&collection), S_OK);
    assert_non_null(collection);
    return collection;
}

/* Three items: 1 and 3 have IDispatch, 2 does not. */
struct fixture
{
    struct test_unk items[3];
    IUnknown *array[3];
};

static void fixture_init(struct fixture *f)
{
    unsigned int i;

    for (i = 0; i < 3; i++)
    {
        test_unk_init(&f->items[i], i != 1, NULL);
        f->array[i] = &f->items[i].IUnknown_iface;
    }
}

static void assert_refcounts(const struct fixture *f, LONG expected)
{
    unsigned int i;

    for (i = 0; i < 3; i++)
        assert_int_equal(f->items[i].refcount, expected);
}

/* ---- snapshots -------------------------------------------------------------------- */

static void test_snapshot(void **state)
{
    struct com_snapshot *snapshot = (struct com_snapshot *)0xdeadbeef;
    struct fixture f;

    (void)state;
    fixture_init(&f);
    assert_hr(com_snapshot_create(f.array, 3, &snapshot), S_OK);
    assert_refcounts(&f, 2);
    assert_int_equal(com_snapshot_count(snapshot), 3);
    assert_ptr_equal(com_snapshot_item(snapshot, 0), f.array[0]);
    assert_ptr_equal(com_snapshot_item(snapshot, 2), f.array[2]);
    assert_null(com_snapshot_item(snapshot, 3));
    assert_refcounts(&f, 2);       /* items are lent, not AddRef'd */

    /* Shared: the items go with the last holder. */
    assert_ptr_equal(com_snapshot_addref(snapshot), snapshot);
    com_snapshot_release(snapshot);
    assert_refcounts(&f, 2);
    com_snapshot_release(snapshot);
    assert_refcounts(&f, 1);

    assert_hr(com_snapshot_create(NULL, 0, &snapshot), S_OK);
    assert_int_equal(com_snapshot_count(snapshot), 0);
    com_snapshot_release(snapshot);

    snapshot = (struct com_snapshot *)0xdeadbeef;
    assert_hr(com_snapshot_create(NULL, 2, &snapshot), E_POINTER);
    assert_null(snapshot);
    f.array[1] = NULL;
    assert_hr(com_snapshot_create(f.array, 3, &snapshot), E_INVALIDARG);
    assert_null(snapshot);
    assert_refcounts(&f, 1);       /* nothing kept on failure */
}

static void test_variant_from_item(void **state)
{
    struct fixture f;
    VARIANT v;

    (void)state;
    fixture_init(&f);
    com_variant_from_item(f.array[0], &v);
    assert_int_equal(V_VT(&v), VT_DISPATCH);
    assert_ptr_equal(V_DISPATCH(&v), &f.items[0].IDispatch_iface);
    assert_int_equal(f.items[0].refcount, 2);
    VariantClear(&v);
    com_variant_from_item(f.array[1], &v);
    assert_int_equal(V_VT(&v), VT_UNKNOWN);
    assert_ptr_equal(V_UNKNOWN(&v), f.array[1]);
    assert_int_equal(f.items[1].refcount, 2);
    VariantClear(&v);
    assert_refcounts(&f, 1);
}

/* ---- the collection with a face's identity ---------------------------------------- */

static HRESULT invoke(IDispatch *collection, DISPID id, WORD flags, VARIANT *args, UINT count, VARIANT *result)
{
    DISPPARAMS params = { args, NULL, count, 0 };

    return vtbl(collection)->dispatch.Invoke(collection, id, &IID_NULL, 0, flags, &params, result, NULL, NULL);
}

static void test_collection_type(void **state)
{
    static const WCHAR *names[] = { L"count", L"ITEM", L"_NewEnum" };
    IDispatch *collection;
    IUnknown *unknown;
    struct fixture f;
    VARIANT arg, result;
    LPOLESTR name;
    unsigned int i;
    DISPID id;
    LONG count;

    (void)state;
    fixture_init(&f);
    collection = create(f.array, 3);

    /* One identity: IUnknown, IDispatch and the type's IID, nothing else. */
    assert_hr(vtbl(collection)->dispatch.QueryInterface(collection, &IID_ITestEvents, (void **)&unknown), S_OK);
    assert_ptr_equal(unknown, collection);
    IUnknown_Release(unknown);
    assert_hr(IDispatch_QueryInterface(collection, &IID_IUnknown, (void **)&unknown), S_OK);
    assert_ptr_equal(unknown, collection);
    IUnknown_Release(unknown);
    assert_hr(IDispatch_QueryInterface(collection, &IID_IDispatch, (void **)&unknown), S_OK);
    IUnknown_Release(unknown);
    assert_hr(IDispatch_QueryInterface(collection, &IID_ITestEvents2, (void **)&unknown), E_NOINTERFACE);
    assert_null(unknown);
    assert_hr(IDispatch_QueryInterface(collection, &IID_IEnumVARIANT, (void **)&unknown), E_NOINTERFACE);

    /* The type's DISPIDs, and only those. */
    for (i = 0; i < ARRAY_SIZE(names); i++)
    {
        name = (LPOLESTR)names[i];
        assert_hr(IDispatch_GetIDsOfNames(collection, &IID_NULL, &name, 1, 0, &id), S_OK);
        assert_int_equal(id, 11 + i);
    }
    VariantInit(&result);
    assert_hr(invoke(collection, 11, DISPATCH_PROPERTYGET, NULL, 0, &result), S_OK);
    assert_int_equal(V_VT(&result), VT_I4);
    assert_int_equal(V_I4(&result), 3);
    V_VT(&arg) = VT_I4;
    V_I4(&arg) = 2;
    assert_hr(invoke(collection, 12, DISPATCH_METHOD, &arg, 1, &result), S_OK);
    assert_int_equal(V_VT(&result), VT_UNKNOWN);
    assert_ptr_equal(V_UNKNOWN(&result), f.array[1]);
    VariantClear(&result);
    assert_hr(invoke(collection, DISPID_VALUE, DISPATCH_METHOD, &arg, 1, &result), DISP_E_MEMBERNOTFOUND);
    assert_hr(invoke(collection, 13, DISPATCH_PROPERTYGET, NULL, 0, &result), S_OK);
    assert_int_equal(V_VT(&result), VT_UNKNOWN);
    VariantClear(&result);

    assert_hr(vtbl(collection)->get_Count(collection, &count), S_OK);
    assert_int_equal(count, 3);
    assert_int_equal(IDispatch_Release(collection), 0);
    assert_refcounts(&f, 1);
}

static void test_collection_empty_and_errors(void **state)
{
    IDispatch *collection;
    IEnumVARIANT *e;
    IUnknown *unknown;
    struct fixture f;
    ULONG fetched;
    VARIANT v;
    LONG count;
    void *out;

    (void)state;
    fixture_init(&f);
    collection = create(NULL, 0);
    assert_hr(vtbl(collection)->get_Count(collection, &count), S_OK);
    assert_int_equal(count, 0);
    assert_hr(vtbl(collection)->get_Item(collection, 1, &v), E_INVALIDARG);
    assert_hr(vtbl(collection)->get__NewEnum(collection, &unknown), S_OK);
    assert_hr(IUnknown_QueryInterface(unknown, &IID_IEnumVARIANT, (void **)&e), S_OK);
    fetched = 99;
    assert_hr(IEnumVARIANT_Next(e, 1, &v, &fetched), S_FALSE);
    assert_int_equal(fetched, 0);
    IEnumVARIANT_Release(e);
    IUnknown_Release(unknown);
    IDispatch_Release(collection);

    assert_hr(com_collection_create(&test_type, &test_vtbl, f.array, 3, NULL), E_POINTER);
    out = (void *)0xdeadbeef;
    assert_hr(com_collection_create(&test_type, &test_vtbl, NULL, 2, &out), E_POINTER);
    assert_null(out);
    f.array[1] = NULL;
    assert_hr(com_collection_create(&test_type, &test_vtbl, f.array, 3, &out), E_INVALIDARG);
    assert_null(out);
    assert_refcounts(&f, 1);       /* nothing kept on failure */
}

static void test_collection_snapshot(void **state)
{
    IDispatch *collection;
    struct fixture f;
    VARIANT v;

    /* The collection keeps its own array: the caller's may change or go away. */
    (void)state;
    fixture_init(&f);
    collection = create(f.array, 3);
    f.array[0] = f.array[2] = NULL;
    assert_hr(vtbl(collection)->get_Item(collection, 1, &v), S_OK);
    assert_ptr_equal(V_DISPATCH(&v), &f.items[0].IDispatch_iface);
    VariantClear(&v);
    IDispatch_Release(collection);
    assert_refcounts(&f, 1);
}

/* ---- IEnumVARIANT ------------------------------------------------------------------ */

static void test_enum_variant(void **state)
{
    IEnumVARIANT *e, *clone, *e2;
    IDispatch *collection;
    IUnknown *unknown;
    struct fixture f;
    VARIANT v[4];
    ULONG fetched;

    (void)state;
    fixture_init(&f);
    collection = create(f.array, 3);
    assert_hr(vtbl(collection)->get__NewEnum(collection, &unknown), S_OK);
    assert_hr(IUnknown_QueryInterface(unknown, &IID_IEnumVARIANT, (void **)&e), S_OK);
    assert_ptr_equal(e, unknown);
    IUnknown_Release(unknown);

    /* Each enumerator is a new object, not the collection. */
    assert_hr(vtbl(collection)->get__NewEnum(collection, &unknown), S_OK);
    assert_ptr_not_equal(unknown, e);
    assert_hr(IUnknown_QueryInterface(unknown, &IID_ITestEvents, (void **)&e2), E_NOINTERFACE);
    IUnknown_Release(unknown);

    /* The enumerator outlives the collection. */
    IDispatch_Release(collection);
    assert_refcounts(&f, 2);

    assert_hr(IEnumVARIANT_Next(e, 2, v, &fetched), S_OK);
    assert_int_equal(fetched, 2);
    assert_int_equal(V_VT(&v[0]), VT_DISPATCH);
    assert_ptr_equal(V_DISPATCH(&v[0]), &f.items[0].IDispatch_iface);
    assert_int_equal(V_VT(&v[1]), VT_UNKNOWN);
    assert_ptr_equal(V_UNKNOWN(&v[1]), f.array[1]);
    VariantClear(&v[0]);
    VariantClear(&v[1]);

    assert_hr(IEnumVARIANT_Next(e, 4, v, &fetched), S_FALSE);
    assert_int_equal(fetched, 1);
    assert_ptr_equal(V_DISPATCH(&v[0]), &f.items[2].IDispatch_iface);
    VariantClear(&v[0]);
    assert_hr(IEnumVARIANT_Next(e, 1, v, &fetched), S_FALSE);
    assert_int_equal(fetched, 0);
    assert_hr(IEnumVARIANT_Next(e, 1, v, NULL), S_FALSE);
    assert_hr(IEnumVARIANT_Next(e, 0, NULL, &fetched), S_OK);
    assert_hr(IEnumVARIANT_Next(e, 1, NULL, &fetched), E_POINTER);

    /* Reset, Skip. */
    assert_hr(IEnumVARIANT_Reset(e), S_OK);
    assert_hr(IEnumVARIANT_Skip(e, 2), S_OK);
    assert_hr(IEnumVARIANT_Next(e, 1, v, NULL), S_OK);
    assert_ptr_equal(V_DISPATCH(&v[0]), &f.items[2].IDispatch_iface);
    VariantClear(&v[0]);
    assert_hr(IEnumVARIANT_Skip(e, 1), S_FALSE);
    assert_hr(IEnumVARIANT_Reset(e), S_OK);
    assert_hr(IEnumVARIANT_Skip(e, 7), S_FALSE);
    assert_hr(IEnumVARIANT_Next(e, 1, v, &fetched), S_FALSE);
    assert_hr(IEnumVARIANT_Reset(e), S_OK);
    assert_hr(IEnumVARIANT_Skip(e, 0), S_OK);

    /* Clone copies the position; the two then move independently. */
    assert_hr(IEnumVARIANT_Skip(e, 1), S_OK);
    assert_hr(IEnumVARIANT_Clone(e, &clone), S_OK);
    assert_ptr_not_equal(clone, e);
    assert_hr(IEnumVARIANT_Next(clone, 1, v, NULL), S_OK);
    assert_ptr_equal(V_UNKNOWN(&v[0]), f.array[1]);
    VariantClear(&v[0]);
    assert_hr(IEnumVARIANT_Next(clone, 1, v, NULL), S_OK);
    assert_ptr_equal(V_DISPATCH(&v[0]), &f.items[2].IDispatch_iface);
    VariantClear(&v[0]);
    assert_hr(IEnumVARIANT_Next(e, 1, v, NULL), S_OK);
    assert_ptr_equal(V_UNKNOWN(&v[0]), f.array[1]);
    VariantClear(&v[0]);
    assert_hr(IEnumVARIANT_Clone(e, NULL), E_POINTER);

    assert_int_equal(get_refcount((IUnknown *)e), 1);
    assert_int_equal(IEnumVARIANT_Release(e), 0);
    assert_refcounts(&f, 2);       /* the clone still holds the shared snapshot */
    assert_int_equal(IEnumVARIANT_Release(clone), 0);
    assert_refcounts(&f, 1);
}

static void test_enum_variant_position(void **state)
{
    struct com_snapshot *snapshot;
    IEnumVARIANT *e;
    struct fixture f;
    ULONG fetched;
    VARIANT v;

    /* An enumerator made straight from a snapshot, part-way in. */
    (void)state;
    fixture_init(&f);
    assert_hr(com_snapshot_create(f.array, 3, &snapshot), S_OK);
    assert_hr(com_enum_variant_create(snapshot, 2, &e), S_OK);
    com_snapshot_release(snapshot);
    assert_refcounts(&f, 2);       /* the enumerator holds the snapshot */
    assert_hr(IEnumVARIANT_Next(e, 1, &v, &fetched), S_OK);
    assert_int_equal(fetched, 1);
    assert_ptr_equal(V_DISPATCH(&v), &f.items[2].IDispatch_iface);
    VariantClear(&v);
    assert_hr(IEnumVARIANT_Next(e, 1, &v, &fetched), S_FALSE);
    IEnumVARIANT_Release(e);
    assert_refcounts(&f, 1);
}

/* ---- argument coercion -------------------------------------------------------------- */

static void test_variant_to_long(void **state)
{
    VARIANT arg, inner;
    SHORT i2 = -7;
    LONG i4 = 70000, value;
    INT i = 5;

    (void)state;
    V_VT(&arg) = VT_I4;
    V_I4(&arg) = 3;
    assert_hr(com_variant_to_long(&arg, &value), S_OK);
    assert_int_equal(value, 3);
    V_VT(&arg) = VT_UI1;
    V_UI1(&arg) = 200;
    assert_hr(com_variant_to_long(&arg, &value), S_OK);
    assert_int_equal(value, 200);

    /* By reference, directly or through a VARIANT. */
    V_VT(&arg) = VT_I2 | VT_BYREF;
    V_I2REF(&arg) = &i2;
    assert_hr(com_variant_to_long(&arg, &value), S_OK);
    assert_int_equal(value, -7);
    V_VT(&arg) = VT_I4 | VT_BYREF;
    V_I4REF(&arg) = &i4;
    assert_hr(com_variant_to_long(&arg, &value), S_OK);
    assert_int_equal(value, 70000);
    V_VT(&arg) = VT_INT | VT_BYREF;
    V_INTREF(&arg) = &i;
    assert_hr(com_variant_to_long(&arg, &value), S_OK);
    assert_int_equal(value, 5);
    V_VT(&inner) = VT_I4;
    V_I4(&inner) = 42;
    V_VT(&arg) = VT_VARIANT | VT_BYREF;
    V_VARIANTREF(&arg) = &inner;
    assert_ptr_equal(com_variant_deref(&arg), &inner);
    assert_ptr_equal(com_variant_deref(&inner), &inner);
    assert_hr(com_variant_to_long(&arg, &value), S_OK);
    assert_int_equal(value, 42);

    /* A decimal string counts; other text, and what does not fit, do not. */
    V_VT(&arg) = VT_BSTR;
    V_BSTR(&arg) = SysAllocString(L"12");
    assert_hr(com_variant_to_long(&arg, &value), S_OK);
    assert_int_equal(value, 12);
    VariantClear(&arg);
    V_VT(&arg) = VT_BSTR;
    V_BSTR(&arg) = SysAllocString(L"first");
    value = -1;
    assert_hr(com_variant_to_long(&arg, &value), DISP_E_TYPEMISMATCH);
    assert_int_equal(value, -1);
    VariantClear(&arg);
    V_VT(&arg) = VT_UI8;
    V_UI8(&arg) = 0x100000000ull;
    assert_hr(com_variant_to_long(&arg, &value), DISP_E_OVERFLOW);
    V_VT(&arg) = VT_BSTR;
    V_BSTR(&arg) = SysAllocString(L"99999999999");
    assert_hr(com_variant_to_long(&arg, &value), DISP_E_OVERFLOW);
    VariantClear(&arg);
    V_VT(&arg) = VT_UNKNOWN;
    V_UNKNOWN(&arg) = NULL;
    assert_hr(com_variant_to_long(&arg, &value), DISP_E_TYPEMISMATCH);
}

/* ---- apartment rule --------------------------------------------------------------------- */

struct thread_call
{
    IDispatch *collection;
    IEnumVARIANT *e;
    HRESULT count_hr, item_hr, enum_hr, invoke_hr, next_hr, skip_hr, reset_hr, clone_hr;
};

static void *other_thread(void *data)
{
    struct thread_call *call = data;
    IEnumVARIANT *clone;
    IUnknown *unknown;
    VARIANT v, result;
    LONG count;

    call->count_hr = vtbl(call->collection)->get_Count(call->collection, &count);
    call->item_hr = vtbl(call->collection)->get_Item(call->collection, 1, &v);
    call->enum_hr = vtbl(call->collection)->get__NewEnum(call->collection, &unknown);
    call->invoke_hr = invoke(call->collection, 11, DISPATCH_PROPERTYGET, NULL, 0, &result);
    call->next_hr = IEnumVARIANT_Next(call->e, 1, &v, NULL);
    call->skip_hr = IEnumVARIANT_Skip(call->e, 1);
    call->reset_hr = IEnumVARIANT_Reset(call->e);
    call->clone_hr = IEnumVARIANT_Clone(call->e, &clone);
    return NULL;
}

static void test_wrong_thread(void **state)
{
    struct thread_call call = { 0 };
    IUnknown *unknown;
    struct fixture f;

    (void)state;
    fixture_init(&f);
    call.collection = create(f.array, 3);
    assert_hr(vtbl(call.collection)->get__NewEnum(call.collection, &unknown), S_OK);
    call.e = (IEnumVARIANT *)unknown;
    assert_hr(com_check_thread(g_thread_self()), S_OK);
    g_thread_join(g_thread_new("other", other_thread, &call));
    assert_hr(call.count_hr, RPC_E_WRONG_THREAD);
    assert_hr(call.item_hr, RPC_E_WRONG_THREAD);
    assert_hr(call.enum_hr, RPC_E_WRONG_THREAD);
    assert_hr(call.invoke_hr, RPC_E_WRONG_THREAD);
    assert_hr(call.next_hr, RPC_E_WRONG_THREAD);
    assert_hr(call.skip_hr, RPC_E_WRONG_THREAD);
    assert_hr(call.reset_hr, RPC_E_WRONG_THREAD);
    assert_hr(call.clone_hr, RPC_E_WRONG_THREAD);
    IEnumVARIANT_Release(call.e);
    IDispatch_Release(call.collection);
    assert_refcounts(&f, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] =
    {
        cmocka_unit_test(test_snapshot),
        cmocka_unit_test(test_variant_from_item),
        cmocka_unit_test(test_collection_type),
        cmocka_unit_test(test_collection_empty_and_errors),
        cmocka_unit_test(test_collection_snapshot),
        cmocka_unit_test(test_enum_variant),
        cmocka_unit_test(test_enum_variant_position),
        cmocka_unit_test(test_variant_to_long),
        cmocka_unit_test(test_wrong_thread),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
