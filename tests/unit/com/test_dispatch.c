/*
 * IDispatch from a table: dispatch_get_ids_of_names / dispatch_invoke behind a
 * test object's IDispatch, with the results ITypeInfo-based IDispatch gives on Windows.
 */
#include "com/com_test_util.h"

struct person
{
    IDispatch IDispatch_iface;
    LONG refcount;
    LONG count;
    int resets;
};

static struct person *impl_from_IDispatch(IDispatch *iface)
{
    return CONTAINING_RECORD(iface, struct person, IDispatch_iface);
}

enum { DISPID_NAME = 1, DISPID_COUNT = 2, DISPID_ADD = 3, DISPID_RESET = 4 };

static HRESULT invoke_name(IDispatch *iface, DISPPARAMS *params, VARIANT *result)
{
    (void)iface;
    if (params->cArgs)
        return DISP_E_BADPARAMCOUNT;
    V_VT(result) = VT_BSTR;
    V_BSTR(result) = SysAllocString(L"alice");
    return S_OK;
}

/* Get or put, told apart by the DISPID_PROPERTYPUT named argument. */
static HRESULT invoke_count(IDispatch *iface, DISPPARAMS *params, VARIANT *result)
{
    struct person *person = impl_from_IDispatch(iface);
    VARIANT value;
    HRESULT hr;

    if (params->cNamedArgs == 1 && params->rgdispidNamedArgs[0] == DISPID_PROPERTYPUT && params->cArgs == 1)
    {
        VariantInit(&value);
        if (FAILED(hr = VariantChangeType(&value, &params->rgvarg[0], 0, VT_I4)))
            return hr;
        person->count = V_I4(&value);
        return S_OK;
    }
    if (params->cArgs)
        return DISP_E_BADPARAMCOUNT;
    V_VT(result) = VT_I4;
    V_I4(result) = person->count;
    return S_OK;
}

static HRESULT invoke_add(IDispatch *iface, DISPPARAMS *params, VARIANT *result)
{
    VARIANT a, b;
    HRESULT hr;

    (void)iface;
    if (params->cArgs != 2)
        return DISP_E_BADPARAMCOUNT;
    VariantInit(&a);
    VariantInit(&b);
    /* rgvarg is in reverse order: rgvarg[1] is the first argument. */
    if (FAILED(hr = VariantChangeType(&a, &params->rgvarg[1], 0, VT_I4))
        || FAILED(hr = VariantChangeType(&b, &params->rgvarg[0], 0, VT_I4)))
        return hr;
    V_VT(result) = VT_I4;
    V_I4(result) = V_I4(&a) * 10 + V_I4(&b);
    return S_OK;
}

static HRESULT invoke_reset(IDispatch *iface, DISPPARAMS *params, VARIANT *result)
{
    struct person *person = impl_from_IDispatch(iface);

    (void)params; (void)result;
    person->count = 0;
    person->resets++;
    return S_OK;
}

static const struct dispatch_member person_members[] =
{
    { L"Name", DISPID_NAME, DISPATCH_PROPERTYGET, invoke_name },
    { L"Count", DISPID_COUNT, DISPATCH_PROPERTYGET | DISPATCH_PROPERTYPUT, invoke_count },
    { L"Add", DISPID_ADD, DISPATCH_METHOD, invoke_add },
    { L"Reset", DISPID_RESET, DISPATCH_METHOD, invoke_reset },
};
static const struct dispatch_table person_table = { person_members, ARRAY_SIZE(person_members) };

static HRESULT WINAPI person_QueryInterface(IDispatch *iface, REFIID riid, void **ppv)
{
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IDispatch))
    {
        *ppv = iface;
        IDispatch_AddRef(iface);
        return S_OK;
    }
    *ppv = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI person_AddRef(IDispatch *iface)
{
    return InterlockedIncrement(&impl_from_IDispatch(iface)->refcount);
}

static ULONG WINAPI person_Release(IDispatch *iface)
{
    return InterlockedDecrement(&impl_from_IDispatch(iface)->refcount);
}

static HRESULT WINAPI person_GetTypeInfoCount(IDispatch *iface, UINT *count)
{
    (void)iface;
    *count = 0;
    return S_OK;
}

static HRESULT WINAPI person_GetTypeInfo(IDispatch *iface, UINT index, LCID lcid, ITypeInfo **info)
{
    (void)iface; (void)index; (void)lcid;
    *info = NULL;
    return DISP_E_BADINDEX;
}

static HRESULT WINAPI person_GetIDsOfNames(IDispatch *iface, REFIID riid, LPOLESTR *names, UINT count,
                                           LCID lcid, DISPID *ids)
{
    (void)iface; (void)lcid;
    if (!IsEqualIID(riid, &IID_NULL))
        return DISP_E_UNKNOWNINTERFACE;
    return dispatch_get_ids_of_names(&person_table, names, count, ids);
}

static HRESULT WINAPI person_Invoke(IDispatch *iface, DISPID id, REFIID riid, LCID lcid, WORD flags,
                                    DISPPARAMS *params, VARIANT *result, EXCEPINFO *excep, UINT *arg_err)
{
    (void)lcid; (void)excep;
    if (!IsEqualIID(riid, &IID_NULL))
        return DISP_E_UNKNOWNINTERFACE;
    return dispatch_invoke(&person_table, iface, id, flags, params, result, arg_err);
}

static const IDispatchVtbl person_vtbl =
{
    person_QueryInterface, person_AddRef, person_Release, person_GetTypeInfoCount,
    person_GetTypeInfo, person_GetIDsOfNames, person_Invoke,
};

static void person_init(struct person *person)
{
    memset(person, 0, sizeof(*person));
    person->IDispatch_iface.lpVtbl = &person_vtbl;
    person->refcount = 1;
}

/* ---- GetIDsOfNames ------------------------------------------------------------- */

static DISPID get_id(IDispatch *disp, const WCHAR *name, HRESULT *hr)
{
    LPOLESTR names[1] = { (LPOLESTR)name };
    DISPID id = 12345;

    *hr = IDispatch_GetIDsOfNames(disp, &IID_NULL, names, 1, LOCALE_USER_DEFAULT, &id);
    return id;
}

static void test_ids_of_names(void **state)
{
    struct person person;
    IDispatch *disp;
    HRESULT hr;

    (void)state;
    person_init(&person);
    disp = &person.IDispatch_iface;

    assert_int_equal(get_id(disp, L"Name", &hr), DISPID_NAME);
    assert_hr(hr, S_OK);
    assert_int_equal(get_id(disp, L"Count", &hr), DISPID_COUNT);
    assert_hr(hr, S_OK);
    assert_int_equal(get_id(disp, L"Add", &hr), DISPID_ADD);
    assert_hr(hr, S_OK);
    assert_int_equal(get_id(disp, L"Reset", &hr), DISPID_RESET);
    assert_hr(hr, S_OK);
}

static void test_ids_of_names_case_insensitive(void **state)
{
    static const WCHAR *const spellings[] = { L"name", L"NAME", L"nAmE", L"Name" };
    struct person person;
    unsigned int i;
    HRESULT hr;

    (void)state;
    person_init(&person);
    for (i = 0; i < ARRAY_SIZE(spellings); i++)
    {
        assert_int_equal(get_id(&person.IDispatch_iface, spellings[i], &hr), DISPID_NAME);
        assert_hr(hr, S_OK);
    }
    assert_int_equal(get_id(&person.IDispatch_iface, L"rEsEt", &hr), DISPID_RESET);
    assert_hr(hr, S_OK);
}

static void test_ids_of_names_unknown(void **state)
{
    static const WCHAR *const unknown[] = { L"Nope", L"Nam", L"Names", L"", L"Name " };
    struct person person;
    unsigned int i;
    HRESULT hr;

    (void)state;
    person_init(&person);
    for (i = 0; i < ARRAY_SIZE(unknown); i++)
    {
        assert_int_equal(get_id(&person.IDispatch_iface, unknown[i], &hr), DISPID_UNKNOWN);
        assert_hr(hr, DISP_E_UNKNOWNNAME);
    }
}

static void test_ids_of_names_several(void **state)
{
    LPOLESTR names[3] = { (LPOLESTR)L"add", (LPOLESTR)L"first", (LPOLESTR)L"second" };
    DISPID ids[3] = { 1, 2, 3 };
    struct person person;

    (void)state;
    person_init(&person);
    /* The member is found; its argument names are not (no member takes named arguments). */
    assert_hr(IDispatch_GetIDsOfNames(&person.IDispatch_iface, &IID_NULL, names, 3, 0, ids),
              DISP_E_UNKNOWNNAME);
    assert_int_equal(ids[0], DISPID_ADD);
    assert_int_equal(ids[1], DISPID_UNKNOWN);
    assert_int_equal(ids[2], DISPID_UNKNOWN);

    /* No names: nothing to do. */
    assert_hr(dispatch_get_ids_of_names(&person_table, names, 0, ids), S_OK);
    assert_hr(dispatch_get_ids_of_names(&person_table, NULL, 1, ids), E_INVALIDARG);
    assert_hr(dispatch_get_ids_of_names(&person_table, names, 1, NULL), E_INVALIDARG);
}

/* ---- Invoke ----------------------------------------------------------------------- */

static void test_invoke_property_get(void **state)
{
    DISPPARAMS none = { NULL, NULL, 0, 0 };
    struct person person;
    VARIANT result;
    UINT arg_err = 99;

    (void)state;
    person_init(&person);
    person.count = 7;

    VariantInit(&result);
    assert_hr(IDispatch_Invoke(&person.IDispatch_iface, DISPID_NAME, &IID_NULL, 0, DISPATCH_PROPERTYGET,
                               &none, &result, NULL, &arg_err), S_OK);
    assert_int_equal(V_VT(&result), VT_BSTR);
    assert_wstr_equal(V_BSTR(&result), L"alice");
    assert_hr(VariantClear(&result), S_OK);

    assert_hr(IDispatch_Invoke(&person.IDispatch_iface, DISPID_COUNT, &IID_NULL, 0, DISPATCH_PROPERTYGET,
                               &none, &result, NULL, NULL), S_OK);
    assert_int_equal(V_VT(&result), VT_I4);
    assert_int_equal(V_I4(&result), 7);

    /* Script engines call properties with DISPATCH_METHOD|DISPATCH_PROPERTYGET. */
    assert_hr(IDispatch_Invoke(&person.IDispatch_iface, DISPID_NAME, &IID_NULL, 0,
                               DISPATCH_METHOD | DISPATCH_PROPERTYGET, &none, &result, NULL, NULL), S_OK);
    assert_wstr_equal(V_BSTR(&result), L"alice");
    assert_hr(VariantClear(&result), S_OK);

    /* No result wanted: the thunk's BSTR is freed inside (valgrind). */
    assert_hr(IDispatch_Invoke(&person.IDispatch_iface, DISPID_NAME, &IID_NULL, 0, DISPATCH_PROPERTYGET,
                               &none, NULL, NULL, NULL), S_OK);
}

static void test_invoke_property_put(void **state)
{
    DISPID put_id = DISPID_PROPERTYPUT;
    DISPPARAMS none = { NULL, NULL, 0, 0 };
    DISPPARAMS params;
    struct person person;
    VARIANT arg, result;

    (void)state;
    person_init(&person);
    V_VT(&arg) = VT_I2;
    V_I2(&arg) = 12;
    params.rgvarg = &arg;
    params.rgdispidNamedArgs = &put_id;
    params.cArgs = 1;
    params.cNamedArgs = 1;
    assert_hr(IDispatch_Invoke(&person.IDispatch_iface, DISPID_COUNT, &IID_NULL, 0, DISPATCH_PROPERTYPUT,
                               &params, NULL, NULL, NULL), S_OK);
    assert_int_equal(person.count, 12);

    VariantInit(&result);
    assert_hr(IDispatch_Invoke(&person.IDispatch_iface, DISPID_COUNT, &IID_NULL, 0, DISPATCH_PROPERTYGET,
                               &none, &result, NULL, NULL), S_OK);
    assert_int_equal(V_I4(&result), 12);

    /* A read-only property has no put. */
    assert_hr(IDispatch_Invoke(&person.IDispatch_iface, DISPID_NAME, &IID_NULL, 0, DISPATCH_PROPERTYPUT,
                               &params, NULL, NULL, NULL), DISP_E_MEMBERNOTFOUND);
}

static void test_invoke_method(void **state)
{
    DISPPARAMS params, none = { NULL, NULL, 0, 0 };
    struct person person;
    VARIANT args[2], result;

    (void)state;
    person_init(&person);
    person.count = 5;

    /* Add(4, 2): arguments travel last first. */
    V_VT(&args[1]) = VT_I4;
    V_I4(&args[1]) = 4;
    V_VT(&args[0]) = VT_BSTR;
    V_BSTR(&args[0]) = SysAllocString(L"2");
    params.rgvarg = args;
    params.rgdispidNamedArgs = NULL;
    params.cArgs = 2;
    params.cNamedArgs = 0;
    VariantInit(&result);
    assert_hr(IDispatch_Invoke(&person.IDispatch_iface, DISPID_ADD, &IID_NULL, 0, DISPATCH_METHOD,
                               &params, &result, NULL, NULL), S_OK);
    assert_int_equal(V_VT(&result), VT_I4);
    assert_int_equal(V_I4(&result), 42);

    /* The thunk's own errors come through. */
    params.cArgs = 1;
    assert_hr(IDispatch_Invoke(&person.IDispatch_iface, DISPID_ADD, &IID_NULL, 0, DISPATCH_METHOD,
                               &params, &result, NULL, NULL), DISP_E_BADPARAMCOUNT);
    assert_hr(VariantClear(&args[0]), S_OK);

    assert_hr(IDispatch_Invoke(&person.IDispatch_iface, DISPID_RESET, &IID_NULL, 0, DISPATCH_METHOD,
                               &none, NULL, NULL, NULL), S_OK);
    assert_int_equal(person.count, 0);
    assert_int_equal(person.resets, 1);
}

static void test_invoke_member_not_found(void **state)
{
    DISPPARAMS none = { NULL, NULL, 0, 0 };
    struct person person;
    VARIANT result;

    (void)state;
    person_init(&person);
    VariantInit(&result);

    /* Unknown DISPIDs. */
    assert_hr(IDispatch_Invoke(&person.IDispatch_iface, 99, &IID_NULL, 0, DISPATCH_METHOD,
                               &none, &result, NULL, NULL), DISP_E_MEMBERNOTFOUND);
    assert_hr(IDispatch_Invoke(&person.IDispatch_iface, DISPID_UNKNOWN, &IID_NULL, 0, DISPATCH_PROPERTYGET,
                               &none, &result, NULL, NULL), DISP_E_MEMBERNOTFOUND);
    /* A property called as a method, a method read as a property. */
    assert_hr(IDispatch_Invoke(&person.IDispatch_iface, DISPID_NAME, &IID_NULL, 0, DISPATCH_METHOD,
                               &none, &result, NULL, NULL), DISP_E_MEMBERNOTFOUND);
    assert_hr(IDispatch_Invoke(&person.IDispatch_iface, DISPID_RESET, &IID_NULL, 0, DISPATCH_PROPERTYGET,
                               &none, &result, NULL, NULL), DISP_E_MEMBERNOTFOUND);
    assert_hr(IDispatch_Invoke(&person.IDispatch_iface, DISPID_RESET, &IID_NULL, 0, DISPATCH_PROPERTYPUTREF,
                               &none, &result, NULL, NULL), DISP_E_MEMBERNOTFOUND);
    assert_int_equal(V_VT(&result), VT_EMPTY);
    assert_int_equal(person.resets, 0);
}

static void test_invoke_named_args_on_method(void **state)
{
    DISPID named = 0;
    DISPPARAMS params;
    struct person person;
    VARIANT args[2], result;

    (void)state;
    person_init(&person);
    V_VT(&args[0]) = VT_I4;
    V_I4(&args[0]) = 1;
    V_VT(&args[1]) = VT_I4;
    V_I4(&args[1]) = 2;
    params.rgvarg = args;
    params.rgdispidNamedArgs = &named;
    params.cArgs = 2;
    params.cNamedArgs = 1;
    VariantInit(&result);
    assert_hr(IDispatch_Invoke(&person.IDispatch_iface, DISPID_ADD, &IID_NULL, 0, DISPATCH_METHOD,
                               &params, &result, NULL, NULL), DISP_E_NONAMEDARGS);
    assert_int_equal(V_VT(&result), VT_EMPTY);

    /* Arguments without their array. */
    params.rgvarg = NULL;
    params.cNamedArgs = 0;
    assert_hr(IDispatch_Invoke(&person.IDispatch_iface, DISPID_ADD, &IID_NULL, 0, DISPATCH_METHOD,
                               &params, &result, NULL, NULL), E_INVALIDARG);
}

int main(void)
{
    const struct CMUnitTest tests[] =
    {
        cmocka_unit_test(test_ids_of_names),
        cmocka_unit_test(test_ids_of_names_case_insensitive),
        cmocka_unit_test(test_ids_of_names_unknown),
        cmocka_unit_test(test_ids_of_names_several),
        cmocka_unit_test(test_invoke_property_get),
        cmocka_unit_test(test_invoke_property_put),
        cmocka_unit_test(test_invoke_method),
        cmocka_unit_test(test_invoke_member_not_found),
        cmocka_unit_test(test_invoke_named_args_on_method),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
