/*
 * UccContext, UccPropertyCollection, IUccProperty, IUccCollection and
 * UccOperationContext (ucc/property.c, collection.c, operation.c): created
 * through CoCreateInstance as an application does, 1-based items, _NewEnum,
 * IDispatch with the DISPIDs of docs/ucc-dispids.md, read-only collections,
 * COM identity and balanced reference counts.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <wchar.h>
#include <cmocka.h>

#include "ucc_private.h"

#define assert_hr(expr, expected) do { \
        HRESULT hr_ = (expr); \
        if (hr_ != (HRESULT)(expected)) { \
            print_error("%s: got 0x%08x, expected 0x%08x\n", #expr, (unsigned int)hr_, (unsigned int)(expected)); \
            fail(); \
        } \
    } while (0)

static int setup(void **state)
{
    CoInitializeEx(NULL, COINIT_APARTMENTTHREADED);
    return 0;
}

static int teardown(void **state)
{
    CoUninitialize();
    return 0;
}

/* A VT_BSTR variant whose string is freed at the end of the test program (AddProperty copies). */
static GPtrArray *strings;
/* SysFreeString is WINAPI (ms_abi on x86-64): not a GDestroyNotify. */
static void free_string(gpointer s)
{
    SysFreeString(s);
}

static VARIANT string_variant(const WCHAR *text)
{
    VARIANT v;

    V_VT(&v) = VT_BSTR;
    V_BSTR(&v) = SysAllocString(text);
    if (!strings)
        strings = g_ptr_array_new_with_free_func(free_string);
    g_ptr_array_add(strings, V_BSTR(&v));
    return v;
}

static VARIANT long_variant(LONG value)
{
    VARIANT v;

    V_VT(&v) = VT_I4;
    V_I4(&v) = value;
    return v;
}

static void test_context_properties(void **state)
{
    IUccContext *context;
    IUccProperty *property, *again;
    VARIANT_BOOL set;
    BSTR value, name;
    LONG count, id, number;
    VARIANT v;

    assert_hr(CoCreateInstance(&CLSID_UccContext, NULL, CLSCTX_INPROC_SERVER, &IID_IUccContext, (void **)&context),
              S_OK);
    assert_hr(IUccContext_get_Count(context, &count), S_OK);
    assert_int_equal(count, 0);
    assert_hr(IUccContext_IsPropertySet(context, 10000, &set), S_OK);
    assert_int_equal(set, VARIANT_FALSE);
    assert_hr(IUccContext_get_Property(context, 10000, &property), UCC_E_RTCSHIM_NOT_FOUND);
    assert_null(property);

    /* MSDN's conversation id ("Create an Audio Session"): AddProperty(10000, guid) then StringValue. */
    v = string_variant(L"{6B1C0E44-2F7E-4A8E-9C55-0D0F3E1E0A01}");
    assert_hr(IUccContext_AddProperty(context, 10000, v, &property), S_OK);
    assert_hr(IUccContext_IsPropertySet(context, 10000, &set), S_OK);
    assert_int_equal(set, VARIANT_TRUE);
    assert_hr(IUccContext_get_Property(context, 10000, &again), S_OK);
    assert_ptr_equal(again, property);
    IUccProperty_Release(again);
    assert_hr(IUccProperty_get_StringValue(property, &value), S_OK);
    assert_true(!wcscmp(value, L"{6B1C0E44-2F7E-4A8E-9C55-0D0F3E1E0A01}"));
    SysFreeString(value);
    assert_hr(IUccProperty_get_Id(property, &id), S_OK);
    assert_int_equal(id, 10000);
    assert_hr(IUccProperty_get_Name(property, &name), S_OK);
    assert_true(!wcscmp(name, L""));
    SysFreeString(name);
    /* A string is not a number: the conversion fails rather than inventing a value. */
    assert_hr(IUccProperty_get_NumericValue(property, &number), DISP_E_TYPEMISMATCH);
    IUccProperty_Release(property);

    /* Adding the same id again replaces the value; the count stays. */
    v = long_variant(42);
    assert_hr(IUccContext_AddProperty(context, 10000, v, NULL), S_OK);
    assert_hr(IUccContext_get_Count(context, &count), S_OK);
    assert_int_equal(count, 1);
    assert_hr(IUccContext_get_Property(context, 10000, &property), S_OK);
    assert_hr(IUccProperty_get_NumericValue(property, &number), S_OK);
    assert_int_equal(number, 42);
    assert_hr(IUccProperty_get_StringValue(property, &value), S_OK);
    assert_true(!wcscmp(value, L"42"));
    SysFreeString(value);
    /* A property is live: put_ changes what the collection holds. */
    assert_hr(IUccProperty_put_BoolValue(property, VARIANT_TRUE), S_OK);
    IUccProperty_Release(property);
    assert_true(ucc_context_get_bool(context, 10000, FALSE));

    assert_hr(IUccContext_RemoveProperty(context, 10000), S_OK);
    assert_hr(IUccContext_RemoveProperty(context, 10000), UCC_E_RTCSHIM_NOT_FOUND);
    assert_int_equal(IUccContext_Release(context), 0);
}

static void test_named_properties_and_items(void **state)
{
    IUccPropertyCollection *collection;
    IUccProperty *property;
    IEnumVARIANT *enumerator;
    IUnknown *unknown;
    VARIANT_BOOL set;
    VARIANT item, items[3];
    ULONG fetched;
    LONG count;
    BSTR name;

    assert_hr(CoCreateInstance(&CLSID_UccPropertyCollection, NULL, CLSCTX_INPROC_SERVER, &IID_IUccPropertyCollection,
                               (void **)&collection), S_OK);
    name = SysAllocString(L"Bob");
    assert_hr(IUccPropertyCollection_AddNamedProperty(collection, name, string_variant(L"sip:bob@example.com"), NULL),
              S_OK);
    SysFreeString(name);
    assert_hr(IUccPropertyCollection_AddProperty(collection, 7, long_variant(7), NULL), S_OK);
    name = SysAllocString(L"");
    assert_hr(IUccPropertyCollection_AddNamedProperty(collection, name, long_variant(1), NULL), E_INVALIDARG);
    SysFreeString(name);

    /* Names compare without regard to case. */
    name = SysAllocString(L"BOB");
    assert_hr(IUccPropertyCollection_IsNamedPropertySet(collection, name, &set), S_OK);
    assert_int_equal(set, VARIANT_TRUE);
    assert_hr(IUccPropertyCollection_get_NamedProperty(collection, name, &property), S_OK);
    IUccProperty_Release(property);
    SysFreeString(name);

    /* 1-based items, in the order added, as VT_UNKNOWN IUccProperty. */
    assert_hr(IUccPropertyCollection_get_Count(collection, &count), S_OK);
    assert_int_equal(count, 2);
    VariantInit(&item);
    assert_hr(IUccPropertyCollection_get_Item(collection, 0, &item), E_INVALIDARG);
    assert_hr(IUccPropertyCollection_get_Item(collection, 3, &item), E_INVALIDARG);
    assert_hr(IUccPropertyCollection_get_Item(collection, 1, &item), S_OK);
    assert_int_equal(V_VT(&item), VT_UNKNOWN);
    assert_hr(IUnknown_QueryInterface(V_UNKNOWN(&item), &IID_IUccProperty, (void **)&property), S_OK);
    assert_hr(IUccProperty_get_Name(property, &name), S_OK);
    assert_true(!wcscmp(name, L"Bob"));
    SysFreeString(name);
    IUccProperty_Release(property);
    VariantClear(&item);

    /* _NewEnum: an IEnumVARIANT over the same items. */
    assert_hr(IUccPropertyCollection_get__NewEnum(collection, &unknown), S_OK);
    assert_hr(IUnknown_QueryInterface(unknown, &IID_IEnumVARIANT, (void **)&enumerator), S_OK);
    IUnknown_Release(unknown);
    assert_hr(IEnumVARIANT_Next(enumerator, 3, items, &fetched), S_FALSE);
    assert_int_equal(fetched, 2);
    VariantClear(&items[0]);
    VariantClear(&items[1]);
    IEnumVARIANT_Release(enumerator);

    /* A UccPropertyCollection is also an IUccContext and a dual IUccCollection, one identity. */
    {
        IUccContext *context;
        IUccCollection *base;
        IUnknown *u1, *u2;

        assert_hr(IUccPropertyCollection_QueryInterface(collection, &IID_IUccContext, (void **)&context), S_OK);
        assert_hr(IUccPropertyCollection_QueryInterface(collection, &IID_IUccCollection, (void **)&base), S_OK);
        assert_hr(IUccContext_QueryInterface(context, &IID_IUnknown, (void **)&u1), S_OK);
        assert_hr(IUccCollection_QueryInterface(base, &IID_IUnknown, (void **)&u2), S_OK);
        assert_ptr_equal(u1, u2);
        IUnknown_Release(u1);
        IUnknown_Release(u2);
        IUccCollection_Release(base);
        IUccContext_Release(context);
    }
    assert_int_equal(IUccPropertyCollection_Release(collection), 0);
}

static void test_dispatch(void **state)
{
    IUccContext *context;
    IDispatch *dispatch;
    LPOLESTR names[1];
    DISPID dispid;
    VARIANT args[2], result;
    DISPPARAMS params = { args, NULL, 0, 0 };

    assert_hr(ucc_context_create(&context), S_OK);
    assert_hr(IUccContext_QueryInterface(context, &IID_IDispatch, (void **)&dispatch), S_OK);

    names[0] = (LPOLESTR)L"addproperty";
    assert_hr(IDispatch_GetIDsOfNames(dispatch, &IID_NULL, names, 1, 0, &dispid), S_OK);
    assert_int_equal(dispid, DISPID_IUccPropertyCollection_AddProperty);
    names[0] = (LPOLESTR)L"Count";
    assert_hr(IDispatch_GetIDsOfNames(dispatch, &IID_NULL, names, 1, 0, &dispid), S_OK);
    assert_int_equal(dispid, DISPID_IUccCollection_Count);

    /* AddProperty(10000, "abc"): arguments in reverse order. */
    V_VT(&args[1]) = VT_I4;
    V_I4(&args[1]) = 10000;
    args[0] = string_variant(L"abc");
    params.cArgs = 2;
    VariantInit(&result);
    assert_hr(IDispatch_Invoke(dispatch, DISPID_IUccPropertyCollection_AddProperty, &IID_NULL, 0, DISPATCH_METHOD,
                               &params, &result, NULL, NULL), S_OK);
    assert_int_equal(V_VT(&result), VT_UNKNOWN);
    VariantClear(&result);

    params.cArgs = 0;
    assert_hr(IDispatch_Invoke(dispatch, DISPID_IUccCollection_Count, &IID_NULL, 0, DISPATCH_PROPERTYGET, &params,
                               &result, NULL, NULL), S_OK);
    assert_int_equal(V_VT(&result), VT_I4);
    assert_int_equal(V_I4(&result), 1);

    /* IsPropertySet with the id as a string: coerced like any Automation argument. */
    args[0] = string_variant(L"10000");
    params.cArgs = 1;
    assert_hr(IDispatch_Invoke(dispatch, DISPID_IUccReadOnlyPropertyCollection_IsPropertySet, &IID_NULL, 0,
                               DISPATCH_METHOD, &params, &result, NULL, NULL), S_OK);
    assert_int_equal(V_VT(&result), VT_BOOL);
    assert_int_equal(V_BOOL(&result), VARIANT_TRUE);

    /* Item by DISPID_VALUE, the default member. */
    V_VT(&args[0]) = VT_I4;
    V_I4(&args[0]) = 1;
    assert_hr(IDispatch_Invoke(dispatch, DISPID_VALUE, &IID_NULL, 0, DISPATCH_PROPERTYGET, &params, &result, NULL,
                               NULL), S_OK);
    assert_int_equal(V_VT(&result), VT_UNKNOWN);
    VariantClear(&result);

    assert_hr(IDispatch_Invoke(dispatch, 1234, &IID_NULL, 0, DISPATCH_METHOD, &params, &result, NULL, NULL),
              DISP_E_MEMBERNOTFOUND);
    IDispatch_Release(dispatch);
    assert_int_equal(IUccContext_Release(context), 0);
}

static void test_read_only(void **state)
{
    IUccPropertyCollection *collection;
    IUccProperty *property;
    IUccContext *context;
    VARIANT item;

    assert_hr(ucc_property_collection_create(TRUE, &collection), S_OK);
    assert_hr(ucc_properties_add_string((IUnknown *)collection, 0, "transport", "tcp", FALSE), S_OK);
    assert_hr(IUccPropertyCollection_AddProperty(collection, 1, long_variant(1), NULL), E_ACCESSDENIED);
    assert_hr(IUccPropertyCollection_RemoveProperty(collection, 1), E_ACCESSDENIED);
    /* Read-only collections are not contexts. */
    assert_hr(IUccPropertyCollection_QueryInterface(collection, &IID_IUccContext, (void **)&context), E_NOINTERFACE);
    VariantInit(&item);
    assert_hr(IUccPropertyCollection_get_Item(collection, 1, &item), S_OK);
    assert_hr(IUnknown_QueryInterface(V_UNKNOWN(&item), &IID_IUccProperty, (void **)&property), S_OK);
    assert_hr(IUccProperty_put_NumericValue(property, 3), E_ACCESSDENIED);
    IUccProperty_Release(property);
    VariantClear(&item);
    assert_int_equal(IUccPropertyCollection_Release(collection), 0);
}

static void test_collection(void **state)
{
    IUccCollection *collection;
    IUccContext *a, *b;
    IUnknown *items[2];
    VARIANT item;
    LONG count;

    ucc_context_create(&a);
    ucc_context_create(&b);
    items[0] = (IUnknown *)a;
    items[1] = (IUnknown *)b;
    assert_hr(ucc_collection_create(items, 2, &collection), S_OK);
    assert_hr(IUccCollection_get_Count(collection, &count), S_OK);
    assert_int_equal(count, 2);
    VariantInit(&item);
    /* A dual item comes as VT_DISPATCH. */
    assert_hr(IUccCollection_get_Item(collection, 2, &item), S_OK);
    assert_int_equal(V_VT(&item), VT_DISPATCH);
    VariantClear(&item);
    assert_hr(IUccCollection_get_Item(collection, 0, &item), E_INVALIDARG);
    assert_int_equal(IUccCollection_Release(collection), 0);
    assert_int_equal(IUccContext_Release(a), 0);
    assert_int_equal(IUccContext_Release(b), 0);
}

static void test_operation_context(void **state)
{
    IUccOperationContext *operation;
    IUccOperationProgressEvent *progress;
    IUccContext *context, *got;
    LONG_PTR id;
    VARIANT_BOOL complete;
    HRESULT status;
    BSTR text;

    assert_hr(CoCreateInstance(&CLSID_UccOperationContext, NULL, CLSCTX_INPROC_SERVER, &IID_IUccOperationContext,
                               (void **)&operation), S_OK);
    assert_hr(IUccOperationContext_get_OperationId(operation, &id), S_OK);
    assert_int_equal(id, 0);
    assert_hr(IUccOperationContext_get_Context(operation, &got), S_OK);
    assert_null(got);
    ucc_context_create(&context);
    assert_hr(IUccOperationContext_Initialize(operation, 77, context), S_OK);
    assert_hr(IUccOperationContext_get_OperationId(operation, &id), S_OK);
    assert_int_equal(id, 77);
    assert_hr(IUccOperationContext_get_Context(operation, &got), S_OK);
    assert_ptr_equal(got, context);
    IUccContext_Release(got);

    assert_hr(ucc_progress_event_create(operation, TRUE, 0x80ef01e6, "Busy Here", NULL, &progress), S_OK);
    assert_hr(IUccOperationProgressEvent_get_IsComplete(progress, &complete), S_OK);
    assert_int_equal(complete, VARIANT_TRUE);
    assert_hr(IUccOperationProgressEvent_get_StatusCode(progress, &status), S_OK);
    assert_int_equal((unsigned int)status, 0x80ef01e6);
    assert_hr(IUccOperationProgressEvent_get_StatusText(progress, &text), S_OK);
    assert_true(!wcscmp(text, L"Busy Here"));
    SysFreeString(text);
    assert_int_equal(IUccOperationProgressEvent_Release(progress), 0);
    assert_int_equal(IUccOperationContext_Release(operation), 0);
    assert_int_equal(IUccContext_Release(context), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] =
    {
        cmocka_unit_test(test_context_properties),
        cmocka_unit_test(test_named_properties_and_items),
        cmocka_unit_test(test_dispatch),
        cmocka_unit_test(test_read_only),
        cmocka_unit_test(test_collection),
        cmocka_unit_test(test_operation_context),
    };
    int failed = cmocka_run_group_tests(tests, setup, teardown);

    if (strings)
        g_ptr_array_free(strings, TRUE);
    return failed;
}
