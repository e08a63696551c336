/*
 * SAFEARRAY: creation, element copy semantics, bounds, locking, the Windows
 * dimension order and deep copies (modelled on Wine's oleaut32 safearray.c tests).
 */
#include "com/com_test_util.h"

static void test_create_vector_bstr(void **state)
{
    SAFEARRAY *psa;
    VARTYPE vt = VT_EMPTY;
    LONG bound;
    BSTR *data;
    LONG i;

    (void)state;
    psa = SafeArrayCreateVector(VT_BSTR, 1, 3);
    assert_non_null(psa);
    assert_int_equal(psa->cDims, 1);
    assert_int_equal(psa->cbElements, sizeof(BSTR));
    assert_int_equal(psa->cLocks, 0);
    assert_true(psa->fFeatures & FADF_BSTR);
    assert_true(psa->fFeatures & FADF_HAVEVARTYPE);
    assert_int_equal(psa->rgsabound[0].cElements, 3);
    assert_int_equal(psa->rgsabound[0].lLbound, 1);
    assert_non_null(psa->pvData);
    assert_int_equal(SafeArrayGetDim(psa), 1);
    assert_hr(SafeArrayGetVartype(psa, &vt), S_OK);
    assert_int_equal(vt, VT_BSTR);
    assert_hr(SafeArrayGetLBound(psa, 1, &bound), S_OK);
    assert_int_equal(bound, 1);
    assert_hr(SafeArrayGetUBound(psa, 1, &bound), S_OK);
    assert_int_equal(bound, 3);

    /* The elements start out as NULL BSTRs. */
    data = psa->pvData;
    for (i = 0; i < 3; i++)
        assert_null(data[i]);
    assert_hr(SafeArrayDestroy(psa), S_OK);
}

static void test_create_features(void **state)
{
    static const struct { VARTYPE vt; USHORT feature; ULONG size; } types[] =
    {
        { VT_UNKNOWN, FADF_UNKNOWN, sizeof(IUnknown *) },
        { VT_DISPATCH, FADF_DISPATCH, sizeof(IDispatch *) },
        { VT_VARIANT, FADF_VARIANT, sizeof(VARIANT) },
        { VT_I4, 0, 4 },
        { VT_UI1, 0, 1 },
        { VT_BOOL, 0, 2 },
        { VT_I8, 0, 8 },
    };
    SAFEARRAY *psa;
    VARTYPE vt;
    unsigned int i;

    (void)state;
    for (i = 0; i < ARRAY_SIZE(types); i++)
    {
        psa = SafeArrayCreateVector(types[i].vt, 0, 2);
        assert_non_null(psa);
        assert_int_equal(psa->cbElements, types[i].size);
        if (types[i].feature)
            assert_true(psa->fFeatures & types[i].feature);
        assert_hr(SafeArrayGetVartype(psa, &vt), S_OK);
        assert_int_equal(vt, types[i].vt);
        assert_hr(SafeArrayDestroy(psa), S_OK);
    }
}

static void test_create_invalid(void **state)
{
    SAFEARRAYBOUND bound = { 2, 0 };
    SAFEARRAY *psa;
    LONG index = 0, lbound, ubound;
    int value;

    (void)state;
    assert_null(SafeArrayCreate(VT_EMPTY, 1, &bound));
    assert_null(SafeArrayCreate(VT_NULL, 1, &bound));
    assert_null(SafeArrayCreate(VT_I4, 0, &bound));
    assert_null(SafeArrayCreate(VT_I4, 1, NULL));

    /* Zero elements is a valid array (Wine: "a valid bordercase"). */
    psa = SafeArrayCreateVector(VT_I4, 5, 0);
    assert_non_null(psa);
    assert_hr(SafeArrayGetLBound(psa, 1, &lbound), S_OK);
    assert_hr(SafeArrayGetUBound(psa, 1, &ubound), S_OK);
    assert_int_equal(lbound, 5);
    assert_int_equal(ubound, 4);
    index = 5;
    assert_hr(SafeArrayGetElement(psa, &index, &value), DISP_E_BADINDEX);
    assert_hr(SafeArrayDestroy(psa), S_OK);
}

/* More than 4 GiB of elements cannot be described by a SAFEARRAY: refused, not wrapped. */
static void test_create_size_overflow(void **state)
{
    SAFEARRAYBOUND bounds[2] = { { 0x10000, 0 }, { 0x10001, 0 } };
    SAFEARRAYBOUND big = { 0x40000001, 0 };

    (void)state;
    assert_null(SafeArrayCreate(VT_I4, 2, bounds));
    assert_null(SafeArrayCreate(VT_VARIANT, 1, &big));
}

static void test_put_get_bstr_copies(void **state)
{
    SAFEARRAY *psa;
    BSTR in, out = NULL, *data;
    LONG index;

    (void)state;
    psa = SafeArrayCreateVector(VT_BSTR, 1, 3);
    in = SysAllocString(L"first");
    index = 1;
    /* PutElement takes the BSTR itself (not a BSTR*) and stores a copy. */
    assert_hr(SafeArrayPutElement(psa, &index, in), S_OK);
    data = psa->pvData;
    assert_non_null(data[0]);
    assert_ptr_not_equal(data[0], in);
    assert_wstr_equal(data[0], L"first");
    SysFreeString(in);                          /* the array's copy is independent */
    assert_wstr_equal(data[0], L"first");

    /* GetElement hands out a new copy the caller frees. */
    assert_hr(SafeArrayGetElement(psa, &index, &out), S_OK);
    assert_ptr_not_equal(out, data[0]);
    assert_wstr_equal(out, L"first");
    SysFreeString(out);

    /* Replacing an element frees the old copy (valgrind). */
    in = SysAllocString(L"second");
    assert_hr(SafeArrayPutElement(psa, &index, in), S_OK);
    SysFreeString(in);
    assert_hr(SafeArrayGetElement(psa, &index, &out), S_OK);
    assert_wstr_equal(out, L"second");
    SysFreeString(out);

    /* A NULL BSTR is the empty string. */
    index = 3;
    assert_hr(SafeArrayPutElement(psa, &index, NULL), S_OK);
    out = (BSTR)0xdeadbeef;
    assert_hr(SafeArrayGetElement(psa, &index, &out), S_OK);
    assert_int_equal(SysStringLen(out), 0);
    SysFreeString(out);

    /* An element never written reads as NULL. */
    index = 2;
    out = (BSTR)0xdeadbeef;
    assert_hr(SafeArrayGetElement(psa, &index, &out), S_OK);
    assert_null(out);

    assert_hr(SafeArrayDestroy(psa), S_OK);    /* frees the stored copies */
}

static void test_put_get_interfaces(void **state)
{
    struct test_unk obj, other;
    IUnknown *out;
    IDispatch *disp;
    SAFEARRAY *psa;
    LONG index = 0;

    (void)state;
    test_unk_init(&obj, TRUE, NULL);
    test_unk_init(&other, FALSE, NULL);

    psa = SafeArrayCreateVector(VT_UNKNOWN, 0, 2);
    assert_hr(SafeArrayPutElement(psa, &index, &obj.IUnknown_iface), S_OK);
    assert_int_equal(obj.refcount, 2);                 /* AddRef'd by the array */
    assert_hr(SafeArrayGetElement(psa, &index, &out), S_OK);
    assert_ptr_equal(out, &obj.IUnknown_iface);
    assert_int_equal(obj.refcount, 3);                 /* and for the caller */
    IUnknown_Release(out);

    /* Replacing releases the old one. */
    assert_hr(SafeArrayPutElement(psa, &index, &other.IUnknown_iface), S_OK);
    assert_int_equal(obj.refcount, 1);
    assert_int_equal(other.refcount, 2);
    assert_hr(SafeArrayPutElement(psa, &index, NULL), S_OK);
    assert_int_equal(other.refcount, 1);

    index = 1;
    assert_hr(SafeArrayPutElement(psa, &index, &obj.IUnknown_iface), S_OK);
    assert_int_equal(obj.refcount, 2);
    assert_hr(SafeArrayDestroy(psa), S_OK);
    assert_int_equal(obj.refcount, 1);                 /* Destroy releases */

    psa = SafeArrayCreateVector(VT_DISPATCH, 0, 1);
    index = 0;
    assert_hr(SafeArrayPutElement(psa, &index, &obj.IDispatch_iface), S_OK);
    assert_int_equal(obj.refcount, 2);
    assert_hr(SafeArrayGetElement(psa, &index, &disp), S_OK);
    assert_ptr_equal(disp, &obj.IDispatch_iface);
    IDispatch_Release(disp);
    assert_hr(SafeArrayDestroy(psa), S_OK);
    assert_int_equal(obj.refcount, 1);
    assert_int_equal(obj.qi_calls, 0);
}

static void test_put_get_values(void **state)
{
    SAFEARRAY *psa;
    LONG index, value;
    VARIANT in, out;

    (void)state;
    psa = SafeArrayCreateVector(VT_I4, -2, 4);
    for (index = -2; index <= 1; index++)
    {
        value = index * 11;
        assert_hr(SafeArrayPutElement(psa, &index, &value), S_OK);
    }
    for (index = -2; index <= 1; index++)
    {
        assert_hr(SafeArrayGetElement(psa, &index, &value), S_OK);
        assert_int_equal(value, index * 11);
        assert_int_equal(((LONG *)psa->pvData)[index + 2], index * 11);
    }
    assert_hr(SafeArrayDestroy(psa), S_OK);

    /* VARIANT elements are deep-copied in and out. */
    psa = SafeArrayCreateVector(VT_VARIANT, 0, 1);
    index = 0;
    V_VT(&in) = VT_BSTR;
    V_BSTR(&in) = SysAllocString(L"in a variant");
    assert_hr(SafeArrayPutElement(psa, &index, &in), S_OK);
    assert_hr(VariantClear(&in), S_OK);
    VariantInit(&out);
    assert_hr(SafeArrayGetElement(psa, &index, &out), S_OK);
    assert_int_equal(V_VT(&out), VT_BSTR);
    assert_wstr_equal(V_BSTR(&out), L"in a variant");
    assert_ptr_not_equal(V_BSTR(&out), V_BSTR(&((VARIANT *)psa->pvData)[0]));
    assert_hr(VariantClear(&out), S_OK);
    assert_hr(SafeArrayDestroy(psa), S_OK);
}

static void test_bad_index(void **state)
{
    SAFEARRAY *psa;
    LONG index;
    BSTR out = (BSTR)0x1234;
    BSTR in;

    (void)state;
    psa = SafeArrayCreateVector(VT_BSTR, 1, 3);
    in = SysAllocString(L"x");
    index = 0;
    assert_hr(SafeArrayPutElement(psa, &index, in), DISP_E_BADINDEX);
    assert_hr(SafeArrayGetElement(psa, &index, &out), DISP_E_BADINDEX);
    index = 4;
    assert_hr(SafeArrayPutElement(psa, &index, in), DISP_E_BADINDEX);
    assert_hr(SafeArrayGetElement(psa, &index, &out), DISP_E_BADINDEX);
    index = -1;
    assert_hr(SafeArrayGetElement(psa, &index, &out), DISP_E_BADINDEX);
    assert_ptr_equal(out, (BSTR)0x1234);             /* untouched */
    SysFreeString(in);

    assert_hr(SafeArrayGetElement(NULL, &index, &out), E_INVALIDARG);
    assert_hr(SafeArrayGetElement(psa, NULL, &out), E_INVALIDARG);
    assert_hr(SafeArrayGetElement(psa, &index, NULL), E_INVALIDARG);
    assert_hr(SafeArrayPutElement(NULL, &index, NULL), E_INVALIDARG);
    assert_hr(SafeArrayPutElement(psa, NULL, NULL), E_INVALIDARG);
    assert_hr(SafeArrayDestroy(psa), S_OK);
}

/* Bounds at the ends of the LONG range must not overflow the index arithmetic. */
static void test_extreme_bounds(void **state)
{
    SAFEARRAY *psa;
    LONG index, value = 5, ubound;

    (void)state;
    psa = SafeArrayCreateVector(VT_I4, -2147483647 - 1, 2);
    assert_non_null(psa);
    assert_hr(SafeArrayGetUBound(psa, 1, &ubound), S_OK);
    assert_int_equal(ubound, -2147483647);
    index = -2147483647;
    assert_hr(SafeArrayPutElement(psa, &index, &value), S_OK);
    index = 2147483647;
    assert_hr(SafeArrayPutElement(psa, &index, &value), DISP_E_BADINDEX);
    index = 0;
    assert_hr(SafeArrayGetElement(psa, &index, &value), DISP_E_BADINDEX);
    assert_hr(SafeArrayDestroy(psa), S_OK);

    psa = SafeArrayCreateVector(VT_I4, 2147483647 - 1, 2);
    assert_non_null(psa);
    index = 2147483647;
    assert_hr(SafeArrayPutElement(psa, &index, &value), S_OK);
    index = -2147483647 - 1;
    assert_hr(SafeArrayGetElement(psa, &index, &value), DISP_E_BADINDEX);
    assert_hr(SafeArrayDestroy(psa), S_OK);
}

static void test_bounds_and_dims(void **state)
{
    SAFEARRAY *psa;
    LONG bound = 77;

    (void)state;
    psa = SafeArrayCreateVector(VT_I4, 3, 5);
    assert_int_equal(SafeArrayGetDim(psa), 1);
    assert_hr(SafeArrayGetLBound(psa, 1, &bound), S_OK);
    assert_int_equal(bound, 3);
    assert_hr(SafeArrayGetUBound(psa, 1, &bound), S_OK);
    assert_int_equal(bound, 7);

    bound = 77;
    assert_hr(SafeArrayGetLBound(psa, 0, &bound), DISP_E_BADINDEX);
    assert_hr(SafeArrayGetLBound(psa, 2, &bound), DISP_E_BADINDEX);
    assert_hr(SafeArrayGetUBound(psa, 0, &bound), DISP_E_BADINDEX);
    assert_hr(SafeArrayGetUBound(psa, 2, &bound), DISP_E_BADINDEX);
    assert_int_equal(bound, 77);
    assert_hr(SafeArrayGetLBound(NULL, 1, &bound), E_INVALIDARG);
    assert_hr(SafeArrayGetUBound(NULL, 1, &bound), E_INVALIDARG);
    assert_hr(SafeArrayGetLBound(psa, 1, NULL), E_INVALIDARG);
    assert_hr(SafeArrayGetUBound(psa, 1, NULL), E_INVALIDARG);
    assert_int_equal(SafeArrayGetDim(NULL), 0);
    assert_hr(SafeArrayDestroy(psa), S_OK);
}

static void test_lock_counting(void **state)
{
    SAFEARRAY *psa;
    void *data = NULL, *data2 = NULL;
    BSTR str;
    LONG index = 0;

    (void)state;
    psa = SafeArrayCreateVector(VT_BSTR, 0, 1);
    str = SysAllocString(L"locked");
    assert_hr(SafeArrayPutElement(psa, &index, str), S_OK);
    SysFreeString(str);

    assert_hr(SafeArrayAccessData(psa, &data), S_OK);
    assert_ptr_equal(data, psa->pvData);
    assert_int_equal(psa->cLocks, 1);
    assert_hr(SafeArrayAccessData(psa, &data2), S_OK);
    assert_ptr_equal(data2, data);
    assert_int_equal(psa->cLocks, 2);

    /* A locked array is not destroyed, and stays intact. */
    assert_hr(SafeArrayDestroy(psa), DISP_E_ARRAYISLOCKED);
    assert_wstr_equal(((BSTR *)data)[0], L"locked");

    assert_hr(SafeArrayUnaccessData(psa), S_OK);
    assert_int_equal(psa->cLocks, 1);
    assert_hr(SafeArrayDestroy(psa), DISP_E_ARRAYISLOCKED);
    assert_hr(SafeArrayUnaccessData(psa), S_OK);
    assert_int_equal(psa->cLocks, 0);
    assert_hr(SafeArrayUnaccessData(psa), E_UNEXPECTED);
    assert_int_equal(psa->cLocks, 0);

    assert_hr(SafeArrayAccessData(NULL, &data), E_INVALIDARG);
    assert_hr(SafeArrayAccessData(psa, NULL), E_INVALIDARG);
    assert_hr(SafeArrayUnaccessData(NULL), E_INVALIDARG);
    assert_hr(SafeArrayDestroy(psa), S_OK);
    assert_hr(SafeArrayDestroy(NULL), S_OK);
}

/* rgIndices[0] is the first dimension given to SafeArrayCreate and varies fastest;
 * the descriptor stores the bounds in reverse (rgsabound[0] is the last dimension). */
static void test_two_dimensions(void **state)
{
    SAFEARRAYBOUND bounds[2] = { { 3, 1 }, { 4, 10 } };   /* a(1 To 3, 10 To 13) */
    SAFEARRAY *psa;
    LONG indices[2], value, bound;
    LONG *data;

    (void)state;
    psa = SafeArrayCreate(VT_I4, 2, bounds);
    assert_non_null(psa);
    assert_int_equal(SafeArrayGetDim(psa), 2);
    assert_int_equal(psa->rgsabound[0].cElements, 4);
    assert_int_equal(psa->rgsabound[0].lLbound, 10);
    assert_int_equal(psa->rgsabound[1].cElements, 3);
    assert_int_equal(psa->rgsabound[1].lLbound, 1);

    assert_hr(SafeArrayGetLBound(psa, 1, &bound), S_OK);
    assert_int_equal(bound, 1);
    assert_hr(SafeArrayGetUBound(psa, 1, &bound), S_OK);
    assert_int_equal(bound, 3);
    assert_hr(SafeArrayGetLBound(psa, 2, &bound), S_OK);
    assert_int_equal(bound, 10);
    assert_hr(SafeArrayGetUBound(psa, 2, &bound), S_OK);
    assert_int_equal(bound, 13);
    assert_hr(SafeArrayGetUBound(psa, 3, &bound), DISP_E_BADINDEX);

    for (indices[0] = 1; indices[0] <= 3; indices[0]++)
        for (indices[1] = 10; indices[1] <= 13; indices[1]++)
        {
            value = indices[0] * 100 + indices[1];
            assert_hr(SafeArrayPutElement(psa, indices, &value), S_OK);
        }

    assert_hr(SafeArrayAccessData(psa, (void **)&data), S_OK);
    for (indices[0] = 1; indices[0] <= 3; indices[0]++)
        for (indices[1] = 10; indices[1] <= 13; indices[1]++)
            assert_int_equal(data[(indices[0] - 1) + (indices[1] - 10) * 3], indices[0] * 100 + indices[1]);
    assert_hr(SafeArrayUnaccessData(psa), S_OK);

    indices[0] = 4; indices[1] = 10;
    assert_hr(SafeArrayGetElement(psa, indices, &value), DISP_E_BADINDEX);
    indices[0] = 1; indices[1] = 14;
    assert_hr(SafeArrayGetElement(psa, indices, &value), DISP_E_BADINDEX);
    indices[0] = 10; indices[1] = 1;       /* swapped */
    assert_hr(SafeArrayGetElement(psa, indices, &value), DISP_E_BADINDEX);
    indices[0] = 3; indices[1] = 13;
    assert_hr(SafeArrayGetElement(psa, indices, &value), S_OK);
    assert_int_equal(value, 313);
    assert_hr(SafeArrayDestroy(psa), S_OK);
}

static void test_copy_is_deep(void **state)
{
    SAFEARRAYBOUND bounds[2] = { { 2, 0 }, { 2, 5 } };
    struct test_unk obj;
    SAFEARRAY *psa, *copy;
    LONG indices[2], index;
    BSTR str, out;
    IUnknown *unk;
    void *data;

    (void)state;
    test_unk_init(&obj, FALSE, NULL);

    psa = SafeArrayCreate(VT_BSTR, 2, bounds);
    for (indices[0] = 0; indices[0] < 2; indices[0]++)
        for (indices[1] = 5; indices[1] < 7; indices[1]++)
        {
            WCHAR text[8];
            swprintf(text, ARRAY_SIZE(text), L"%d,%d", (int)indices[0], (int)indices[1]);
            str = SysAllocString(text);
            assert_hr(SafeArrayPutElement(psa, indices, str), S_OK);
            SysFreeString(str);
        }
    /* Copying a locked array works; the copy is not locked. */
    assert_hr(SafeArrayAccessData(psa, &data), S_OK);
    assert_hr(SafeArrayCopy(psa, &copy), S_OK);
    assert_hr(SafeArrayUnaccessData(psa), S_OK);
    assert_non_null(copy);
    assert_ptr_not_equal(copy, psa);
    assert_int_equal(copy->cLocks, 0);
    assert_int_equal(SafeArrayGetDim(copy), 2);
    assert_memory_equal(copy->rgsabound, psa->rgsabound, 2 * sizeof(SAFEARRAYBOUND));
    assert_ptr_not_equal(copy->pvData, psa->pvData);
    for (indices[0] = 0; indices[0] < 2; indices[0]++)
        for (indices[1] = 5; indices[1] < 7; indices[1]++)
        {
            WCHAR text[8];
            swprintf(text, ARRAY_SIZE(text), L"%d,%d", (int)indices[0], (int)indices[1]);
            assert_hr(SafeArrayGetElement(copy, indices, &out), S_OK);
            assert_wstr_equal(out, text);
            SysFreeString(out);
        }
    for (index = 0; index < 4; index++)
        assert_ptr_not_equal(((BSTR *)copy->pvData)[index], ((BSTR *)psa->pvData)[index]);
    assert_hr(SafeArrayDestroy(psa), S_OK);
    assert_hr(SafeArrayDestroy(copy), S_OK);

    /* Interfaces are AddRef'd by the copy and released by its Destroy. */
    psa = SafeArrayCreateVector(VT_UNKNOWN, 0, 2);
    index = 1;
    assert_hr(SafeArrayPutElement(psa, &index, &obj.IUnknown_iface), S_OK);
    assert_hr(SafeArrayCopy(psa, &copy), S_OK);
    assert_int_equal(obj.refcount, 3);
    assert_hr(SafeArrayGetElement(copy, &index, &unk), S_OK);
    assert_ptr_equal(unk, &obj.IUnknown_iface);
    IUnknown_Release(unk);
    assert_hr(SafeArrayDestroy(copy), S_OK);
    assert_int_equal(obj.refcount, 2);
    assert_hr(SafeArrayDestroy(psa), S_OK);
    assert_int_equal(obj.refcount, 1);

    copy = (SAFEARRAY *)0x1234;
    assert_hr(SafeArrayCopy(NULL, &copy), S_OK);
    assert_null(copy);
    psa = SafeArrayCreateVector(VT_I4, 0, 1);
    assert_hr(SafeArrayCopy(psa, NULL), E_INVALIDARG);
    assert_hr(SafeArrayDestroy(psa), S_OK);
}

static void test_array_in_variant(void **state)
{
    struct test_unk obj;
    SAFEARRAY *psa;
    VARIANT v, copy;
    LONG index;
    BSTR str;

    (void)state;
    test_unk_init(&obj, FALSE, NULL);

    /* VariantClear destroys a VT_ARRAY|VT_BSTR and every string in it (valgrind). */
    psa = SafeArrayCreateVector(VT_BSTR, 0, 3);
    for (index = 0; index < 3; index++)
    {
        str = SysAllocString(L"element");
        assert_hr(SafeArrayPutElement(psa, &index, str), S_OK);
        SysFreeString(str);
    }
    V_VT(&v) = VT_ARRAY | VT_BSTR;
    V_ARRAY(&v) = psa;
    VariantInit(&copy);
    assert_hr(VariantCopy(&copy, &v), S_OK);
    assert_ptr_not_equal(V_ARRAY(&copy), psa);
    assert_hr(VariantClear(&v), S_OK);
    assert_int_equal(V_VT(&v), VT_EMPTY);
    assert_hr(VariantClear(&copy), S_OK);

    /* ... and releases the interfaces of a VT_ARRAY|VT_UNKNOWN. */
    psa = SafeArrayCreateVector(VT_UNKNOWN, 0, 2);
    for (index = 0; index < 2; index++)
        assert_hr(SafeArrayPutElement(psa, &index, &obj.IUnknown_iface), S_OK);
    assert_int_equal(obj.refcount, 3);
    V_VT(&v) = VT_ARRAY | VT_UNKNOWN;
    V_ARRAY(&v) = psa;
    assert_hr(VariantClear(&v), S_OK);
    assert_int_equal(obj.refcount, 1);

    /* A VARIANT array holding arrays. */
    psa = SafeArrayCreateVector(VT_VARIANT, 0, 1);
    V_VT(&v) = VT_ARRAY | VT_I4;
    V_ARRAY(&v) = SafeArrayCreateVector(VT_I4, 0, 4);
    index = 0;
    assert_hr(SafeArrayPutElement(psa, &index, &v), S_OK);
    assert_hr(VariantClear(&v), S_OK);
    V_VT(&v) = VT_ARRAY | VT_VARIANT;
    V_ARRAY(&v) = psa;
    assert_hr(VariantClear(&v), S_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] =
    {
        cmocka_unit_test(test_create_vector_bstr),
        cmocka_unit_test(test_create_features),
        cmocka_unit_test(test_create_invalid),
        cmocka_unit_test(test_create_size_overflow),
        cmocka_unit_test(test_put_get_bstr_copies),
        cmocka_unit_test(test_put_get_interfaces),
        cmocka_unit_test(test_put_get_values),
        cmocka_unit_test(test_bad_index),
        cmocka_unit_test(test_extreme_bounds),
        cmocka_unit_test(test_bounds_and_dims),
        cmocka_unit_test(test_lock_counting),
        cmocka_unit_test(test_two_dimensions),
        cmocka_unit_test(test_copy_is_deep),
        cmocka_unit_test(test_array_in_variant),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
