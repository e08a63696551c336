/*
 * VARIANT: VariantInit/Clear/Copy/ChangeType with the Windows semantics
 * (modelled on Wine's oleaut32 vartest.c / vartype.c).
 */
#include "com/com_test_util.h"

/* Fills a VARIANT with garbage so that a test notices what a call did not write. */
static void variant_garbage(VARIANT *v)
{
    memset(v, 0xcc, sizeof(*v));
}

static void test_variant_init(void **state)
{
    VARIANT v;

    (void)state;
    variant_garbage(&v);
    VariantInit(&v);
    assert_int_equal(V_VT(&v), VT_EMPTY);
}

static void test_clear_simple_types(void **state)
{
    VARIANT v;

    (void)state;
    V_VT(&v) = VT_I4;
    V_I4(&v) = 42;
    assert_hr(VariantClear(&v), S_OK);
    assert_int_equal(V_VT(&v), VT_EMPTY);

    V_VT(&v) = VT_EMPTY;
    assert_hr(VariantClear(&v), S_OK);
    V_VT(&v) = VT_NULL;
    assert_hr(VariantClear(&v), S_OK);
    assert_int_equal(V_VT(&v), VT_EMPTY);
}

static void test_clear_frees_bstr(void **state)
{
    VARIANT v;

    (void)state;
    V_VT(&v) = VT_BSTR;
    V_BSTR(&v) = SysAllocString(L"freed by VariantClear");   /* valgrind proves it */
    assert_hr(VariantClear(&v), S_OK);
    assert_int_equal(V_VT(&v), VT_EMPTY);

    V_VT(&v) = VT_BSTR;
    V_BSTR(&v) = NULL;
    assert_hr(VariantClear(&v), S_OK);
}

static void test_clear_releases_interfaces(void **state)
{
    struct test_unk obj;
    VARIANT v;

    (void)state;
    test_unk_init(&obj, TRUE, NULL);

    IUnknown_AddRef(&obj.IUnknown_iface);
    V_VT(&v) = VT_UNKNOWN;
    V_UNKNOWN(&v) = &obj.IUnknown_iface;
    assert_int_equal(obj.refcount, 2);
    assert_hr(VariantClear(&v), S_OK);
    assert_int_equal(V_VT(&v), VT_EMPTY);
    assert_int_equal(obj.refcount, 1);

    IDispatch_AddRef(&obj.IDispatch_iface);
    V_VT(&v) = VT_DISPATCH;
    V_DISPATCH(&v) = &obj.IDispatch_iface;
    assert_hr(VariantClear(&v), S_OK);
    assert_int_equal(obj.refcount, 1);

    V_VT(&v) = VT_UNKNOWN;
    V_UNKNOWN(&v) = NULL;
    assert_hr(VariantClear(&v), S_OK);
    V_VT(&v) = VT_DISPATCH;
    V_DISPATCH(&v) = NULL;
    assert_hr(VariantClear(&v), S_OK);
}

static void test_clear_leaves_byref_alone(void **state)
{
    struct test_unk obj;
    IUnknown *unk;
    BSTR str;
    LONG value = 7;
    VARIANT v, inner;

    (void)state;
    test_unk_init(&obj, FALSE, NULL);

    str = SysAllocString(L"owned by the caller");
    V_VT(&v) = VT_BYREF | VT_BSTR;
    V_BSTRREF(&v) = &str;
    assert_hr(VariantClear(&v), S_OK);
    assert_int_equal(V_VT(&v), VT_EMPTY);
    assert_wstr_equal(str, L"owned by the caller");   /* still valid */
    SysFreeString(str);

    unk = &obj.IUnknown_iface;
    V_VT(&v) = VT_BYREF | VT_UNKNOWN;
    V_UNKNOWNREF(&v) = &unk;
    assert_hr(VariantClear(&v), S_OK);
    assert_int_equal(obj.refcount, 1);

    V_VT(&v) = VT_BYREF | VT_I4;
    V_I4REF(&v) = &value;
    assert_hr(VariantClear(&v), S_OK);
    assert_int_equal(value, 7);

    V_VT(&inner) = VT_BSTR;
    V_BSTR(&inner) = SysAllocString(L"inner");
    V_VT(&v) = VT_BYREF | VT_VARIANT;
    V_VARIANTREF(&v) = &inner;
    assert_hr(VariantClear(&v), S_OK);
    assert_int_equal(V_VT(&inner), VT_BSTR);
    assert_wstr_equal(V_BSTR(&inner), L"inner");
    assert_hr(VariantClear(&inner), S_OK);
}

/* VT_BYREF|VT_ARRAY (a SAFEARRAY** out-parameter) is a valid VARIANT type. */
static void test_clear_byref_array(void **state)
{
    SAFEARRAY *psa;
    VARIANT v;

    (void)state;
    psa = SafeArrayCreateVector(VT_I4, 0, 2);
    V_VT(&v) = VT_BYREF | VT_ARRAY | VT_I4;
    V_ARRAYREF(&v) = &psa;
    assert_hr(VariantClear(&v), S_OK);
    assert_int_equal(V_VT(&v), VT_EMPTY);
    assert_hr(SafeArrayDestroy(psa), S_OK);   /* still ours */
}

static void test_clear_bad_vartype(void **state)
{
    static const VARTYPE bad[] =
    {
        15,                         /* the hole between VT_DECIMAL and VT_I1 */
        VT_VECTOR | VT_I4,
        VT_RESERVED | VT_I4,
        VT_BYREF | VT_EMPTY,
        VT_BYREF | VT_NULL,
        VT_ARRAY | VT_EMPTY,
        0x0fff,
    };
    unsigned int i;
    VARIANT v;

    (void)state;
    for (i = 0; i < ARRAY_SIZE(bad); i++)
    {
        V_VT(&v) = bad[i];
        assert_hr(VariantClear(&v), DISP_E_BADVARTYPE);
        assert_int_equal(V_VT(&v), bad[i]);   /* left as it was */
    }
}

static void test_copy_bstr_is_deep(void **state)
{
    VARIANT src, dst;

    (void)state;
    V_VT(&src) = VT_BSTR;
    V_BSTR(&src) = SysAllocString(L"deep");
    VariantInit(&dst);
    assert_hr(VariantCopy(&dst, &src), S_OK);
    assert_int_equal(V_VT(&dst), VT_BSTR);
    assert_ptr_not_equal(V_BSTR(&dst), V_BSTR(&src));
    assert_wstr_equal(V_BSTR(&dst), L"deep");
    assert_int_equal(SysStringByteLen(V_BSTR(&dst)), SysStringByteLen(V_BSTR(&src)));
    assert_hr(VariantClear(&src), S_OK);
    assert_wstr_equal(V_BSTR(&dst), L"deep");     /* independent of the source */
    assert_hr(VariantClear(&dst), S_OK);

    /* The exact byte length survives, odd or with embedded NULs. */
    V_VT(&src) = VT_BSTR;
    V_BSTR(&src) = SysAllocStringByteLen("abcde", 5);
    assert_hr(VariantCopy(&dst, &src), S_OK);
    assert_int_equal(SysStringByteLen(V_BSTR(&dst)), 5);
    assert_memory_equal(V_BSTR(&dst), "abcde", 5);
    assert_hr(VariantClear(&dst), S_OK);
    assert_hr(VariantClear(&src), S_OK);

    /* A NULL BSTR copies as NULL. */
    V_VT(&src) = VT_BSTR;
    V_BSTR(&src) = NULL;
    assert_hr(VariantCopy(&dst, &src), S_OK);
    assert_int_equal(V_VT(&dst), VT_BSTR);
    assert_null(V_BSTR(&dst));
}

static void test_copy_addrefs_interfaces(void **state)
{
    struct test_unk obj;
    VARIANT src, dst;

    (void)state;
    test_unk_init(&obj, TRUE, NULL);

    V_VT(&src) = VT_UNKNOWN;
    V_UNKNOWN(&src) = &obj.IUnknown_iface;
    VariantInit(&dst);
    assert_hr(VariantCopy(&dst, &src), S_OK);
    assert_int_equal(V_VT(&dst), VT_UNKNOWN);
    assert_ptr_equal(V_UNKNOWN(&dst), &obj.IUnknown_iface);
    assert_int_equal(obj.refcount, 2);
    assert_hr(VariantClear(&dst), S_OK);
    assert_int_equal(obj.refcount, 1);

    V_VT(&src) = VT_DISPATCH;
    V_DISPATCH(&src) = &obj.IDispatch_iface;
    assert_hr(VariantCopy(&dst, &src), S_OK);
    assert_int_equal(V_VT(&dst), VT_DISPATCH);
    assert_ptr_equal(V_DISPATCH(&dst), &obj.IDispatch_iface);
    assert_int_equal(obj.refcount, 2);
    assert_hr(VariantClear(&dst), S_OK);
    assert_int_equal(obj.refcount, 1);
    assert_int_equal(obj.qi_calls, 0);     /* a copy does not QueryInterface */
}

static void test_copy_array_is_deep(void **state)
{
    SAFEARRAY *psa;
    LONG index, value;
    VARIANT src, dst;

    (void)state;
    psa = SafeArrayCreateVector(VT_I4, 0, 3);
    for (index = 0; index < 3; index++)
    {
        value = 10 * index;
        assert_hr(SafeArrayPutElement(psa, &index, &value), S_OK);
    }
    V_VT(&src) = VT_ARRAY | VT_I4;
    V_ARRAY(&src) = psa;
    VariantInit(&dst);
    assert_hr(VariantCopy(&dst, &src), S_OK);
    assert_int_equal(V_VT(&dst), VT_ARRAY | VT_I4);
    assert_non_null(V_ARRAY(&dst));
    assert_ptr_not_equal(V_ARRAY(&dst), psa);
    assert_ptr_not_equal(V_ARRAY(&dst)->pvData, psa->pvData);
    for (index = 0; index < 3; index++)
    {
        assert_hr(SafeArrayGetElement(V_ARRAY(&dst), &index, &value), S_OK);
        assert_int_equal(value, 10 * index);
    }
    assert_hr(VariantClear(&src), S_OK);
    assert_hr(VariantClear(&dst), S_OK);
}

static void test_copy_clears_destination(void **state)
{
    struct test_unk obj;
    VARIANT src, dst;

    (void)state;
    test_unk_init(&obj, FALSE, NULL);

    /* The destination's interface is released ... */
    IUnknown_AddRef(&obj.IUnknown_iface);
    V_VT(&dst) = VT_UNKNOWN;
    V_UNKNOWN(&dst) = &obj.IUnknown_iface;
    V_VT(&src) = VT_I4;
    V_I4(&src) = 5;
    assert_hr(VariantCopy(&dst, &src), S_OK);
    assert_int_equal(V_VT(&dst), VT_I4);
    assert_int_equal(V_I4(&dst), 5);
    assert_int_equal(obj.refcount, 1);

    /* ... and its BSTR freed (valgrind). */
    V_VT(&dst) = VT_BSTR;
    V_BSTR(&dst) = SysAllocString(L"old");
    V_VT(&src) = VT_BSTR;
    V_BSTR(&src) = SysAllocString(L"new");
    assert_hr(VariantCopy(&dst, &src), S_OK);
    assert_wstr_equal(V_BSTR(&dst), L"new");
    assert_hr(VariantClear(&dst), S_OK);
    assert_hr(VariantClear(&src), S_OK);
}

static void test_copy_to_itself(void **state)
{
    VARIANT v;
    BSTR str;

    (void)state;
    str = SysAllocString(L"same");
    V_VT(&v) = VT_BSTR;
    V_BSTR(&v) = str;
    assert_hr(VariantCopy(&v, &v), S_OK);
    assert_int_equal(V_VT(&v), VT_BSTR);
    assert_ptr_equal(V_BSTR(&v), str);       /* neither freed nor replaced */
    assert_wstr_equal(V_BSTR(&v), L"same");
    assert_hr(VariantClear(&v), S_OK);

    /* The source type is still checked (Wine validates before comparing pointers). */
    V_VT(&v) = 15;
    assert_hr(VariantCopy(&v, &v), DISP_E_BADVARTYPE);
}

static void test_copy_byref_is_shallow(void **state)
{
    LONG value = 3;
    BSTR str;
    VARIANT src, dst;

    (void)state;
    V_VT(&src) = VT_BYREF | VT_I4;
    V_I4REF(&src) = &value;
    VariantInit(&dst);
    assert_hr(VariantCopy(&dst, &src), S_OK);
    assert_int_equal(V_VT(&dst), VT_BYREF | VT_I4);
    assert_ptr_equal(V_I4REF(&dst), &value);

    str = SysAllocString(L"ref");
    V_VT(&src) = VT_BYREF | VT_BSTR;
    V_BSTRREF(&src) = &str;
    assert_hr(VariantCopy(&dst, &src), S_OK);
    assert_ptr_equal(V_BSTRREF(&dst), &str);
    assert_hr(VariantClear(&dst), S_OK);
    SysFreeString(str);
}

static void test_copy_bad_vartype(void **state)
{
    VARIANT src, dst;

    (void)state;
    V_VT(&src) = 15;
    V_VT(&dst) = VT_I4;
    V_I4(&dst) = 99;
    assert_hr(VariantCopy(&dst, &src), DISP_E_BADVARTYPE);
    assert_int_equal(V_VT(&dst), VT_I4);     /* untouched */
    assert_int_equal(V_I4(&dst), 99);

    V_VT(&src) = VT_VECTOR | VT_I4;
    assert_hr(VariantCopy(&dst, &src), DISP_E_BADVARTYPE);
}

/* ---- VariantChangeType --------------------------------------------------------- */

static void test_change_integers(void **state)
{
    VARIANT src, dst;

    (void)state;
    VariantInit(&dst);

    V_VT(&src) = VT_I4;
    V_I4(&src) = 42;
    assert_hr(VariantChangeType(&dst, &src, 0, VT_I2), S_OK);
    assert_int_equal(V_VT(&dst), VT_I2);
    assert_int_equal(V_I2(&dst), 42);

    V_I4(&src) = -32768;
    assert_hr(VariantChangeType(&dst, &src, 0, VT_I2), S_OK);
    assert_int_equal(V_I2(&dst), -32768);

    V_I4(&src) = 255;
    assert_hr(VariantChangeType(&dst, &src, 0, VT_UI1), S_OK);
    assert_int_equal(V_VT(&dst), VT_UI1);
    assert_int_equal(V_UI1(&dst), 255);

    V_VT(&src) = VT_I2;
    V_I2(&src) = -5;
    assert_hr(VariantChangeType(&dst, &src, 0, VT_I4), S_OK);
    assert_int_equal(V_VT(&dst), VT_I4);
    assert_int_equal(V_I4(&dst), -5);

    V_VT(&src) = VT_UI1;
    V_UI1(&src) = 200;
    assert_hr(VariantChangeType(&dst, &src, 0, VT_I2), S_OK);
    assert_int_equal(V_VT(&dst), VT_I2);
    assert_int_equal(V_I2(&dst), 200);

    V_VT(&src) = VT_EMPTY;
    assert_hr(VariantChangeType(&dst, &src, 0, VT_I4), S_OK);
    assert_int_equal(V_VT(&dst), VT_I4);
    assert_int_equal(V_I4(&dst), 0);
}

static void test_change_overflow(void **state)
{
    VARIANT src, dst;

    (void)state;
    V_VT(&dst) = VT_I4;
    V_I4(&dst) = 1234;

    V_VT(&src) = VT_I4;
    V_I4(&src) = 40000;
    assert_hr(VariantChangeType(&dst, &src, 0, VT_I2), DISP_E_OVERFLOW);
    V_I4(&src) = -32769;
    assert_hr(VariantChangeType(&dst, &src, 0, VT_I2), DISP_E_OVERFLOW);
    V_I4(&src) = 256;
    assert_hr(VariantChangeType(&dst, &src, 0, VT_UI1), DISP_E_OVERFLOW);
    V_I4(&src) = -1;
    assert_hr(VariantChangeType(&dst, &src, 0, VT_UI1), DISP_E_OVERFLOW);
    V_VT(&src) = VT_I2;
    V_I2(&src) = -1;
    assert_hr(VariantChangeType(&dst, &src, 0, VT_UI1), DISP_E_OVERFLOW);

    /* A failed conversion leaves the destination alone. */
    assert_int_equal(V_VT(&dst), VT_I4);
    assert_int_equal(V_I4(&dst), 1234);

    /* The top of the VT_UI8 range does not wrap into small signed values. */
    V_VT(&src) = VT_UI8;
    V_UI8(&src) = ~(ULONG64)0;
    assert_hr(VariantChangeType(&dst, &src, 0, VT_I4), DISP_E_OVERFLOW);
    assert_hr(VariantChangeType(&dst, &src, 0, VT_UI4), DISP_E_OVERFLOW);
    assert_hr(VariantChangeType(&dst, &src, 0, VT_BSTR), S_OK);
    assert_wstr_equal(V_BSTR(&dst), L"18446744073709551615");
    assert_hr(VariantClear(&dst), S_OK);
}

/* VariantChangeType reinterprets between the signed and unsigned types of one
 * width (Wine's VARIANT_Coerce: V_I4(pd) = V_UI4(ps) and the like). */
static void test_change_same_width_sign(void **state)
{
    VARIANT src, dst;

    (void)state;
    VariantInit(&dst);
    V_VT(&src) = VT_UI4;
    V_UI4(&src) = 0xffffffff;
    assert_hr(VariantChangeType(&dst, &src, 0, VT_I4), S_OK);
    assert_int_equal(V_VT(&dst), VT_I4);
    assert_int_equal(V_I4(&dst), -1);

    V_VT(&src) = VT_I4;
    V_I4(&src) = -2;
    assert_hr(VariantChangeType(&dst, &src, 0, VT_UI4), S_OK);
    assert_int_equal(V_VT(&dst), VT_UI4);
    assert_int_equal(V_UI4(&dst), 0xfffffffe);

    V_VT(&src) = VT_I2;
    V_I2(&src) = -1;
    assert_hr(VariantChangeType(&dst, &src, 0, VT_UI2), S_OK);
    assert_int_equal(V_UI2(&dst), 0xffff);

    V_VT(&src) = VT_I1;
    V_I1(&src) = -1;
    assert_hr(VariantChangeType(&dst, &src, 0, VT_UI1), S_OK);
    assert_int_equal(V_UI1(&dst), 0xff);

    V_VT(&src) = VT_UI8;
    V_UI8(&src) = ~(ULONG64)0;
    assert_hr(VariantChangeType(&dst, &src, 0, VT_I8), S_OK);
    assert_int_equal(V_VT(&dst), VT_I8);
    assert_true(V_I8(&dst) == -1);
}

static void test_change_bool(void **state)
{
    VARIANT src, dst;

    (void)state;
    VariantInit(&dst);
    V_VT(&src) = VT_I4;

    V_I4(&src) = 0;
    assert_hr(VariantChangeType(&dst, &src, 0, VT_BOOL), S_OK);
    assert_int_equal(V_VT(&dst), VT_BOOL);
    assert_int_equal(V_BOOL(&dst), VARIANT_FALSE);
    V_I4(&src) = 5;
    assert_hr(VariantChangeType(&dst, &src, 0, VT_BOOL), S_OK);
    assert_int_equal(V_BOOL(&dst), VARIANT_TRUE);
    V_I4(&src) = -1;
    assert_hr(VariantChangeType(&dst, &src, 0, VT_BOOL), S_OK);
    assert_int_equal(V_BOOL(&dst), VARIANT_TRUE);

    V_VT(&src) = VT_BOOL;
    V_BOOL(&src) = VARIANT_TRUE;
    assert_hr(VariantChangeType(&dst, &src, 0, VT_I4), S_OK);
    assert_int_equal(V_VT(&dst), VT_I4);
    assert_int_equal(V_I4(&dst), -1);
    assert_hr(VariantChangeType(&dst, &src, 0, VT_I2), S_OK);
    assert_int_equal(V_I2(&dst), -1);

    V_BOOL(&src) = VARIANT_FALSE;
    assert_hr(VariantChangeType(&dst, &src, 0, VT_I4), S_OK);
    assert_int_equal(V_I4(&dst), 0);

    V_VT(&src) = VT_EMPTY;
    assert_hr(VariantChangeType(&dst, &src, 0, VT_BOOL), S_OK);
    assert_int_equal(V_BOOL(&dst), VARIANT_FALSE);
}

/* VarUI1FromBool and friends are plain casts: VARIANT_TRUE becomes 0xff... */
static void test_change_bool_to_unsigned(void **state)
{
    VARIANT src, dst;

    (void)state;
    VariantInit(&dst);
    V_VT(&src) = VT_BOOL;
    V_BOOL(&src) = VARIANT_TRUE;
    assert_hr(VariantChangeType(&dst, &src, 0, VT_UI1), S_OK);
    assert_int_equal(V_VT(&dst), VT_UI1);
    assert_int_equal(V_UI1(&dst), 0xff);
    assert_hr(VariantChangeType(&dst, &src, 0, VT_UI2), S_OK);
    assert_int_equal(V_UI2(&dst), 0xffff);
    assert_hr(VariantChangeType(&dst, &src, 0, VT_UI4), S_OK);
    assert_int_equal(V_UI4(&dst), 0xffffffff);
}

static void test_change_to_bstr(void **state)
{
    VARIANT src, dst;

    (void)state;
    VariantInit(&dst);

    V_VT(&src) = VT_I4;
    V_I4(&src) = -123;
    assert_hr(VariantChangeType(&dst, &src, 0, VT_BSTR), S_OK);
    assert_int_equal(V_VT(&dst), VT_BSTR);
    assert_wstr_equal(V_BSTR(&dst), L"-123");
    assert_int_equal(SysStringLen(V_BSTR(&dst)), 4);

    V_VT(&src) = VT_UI1;
    V_UI1(&src) = 200;
    assert_hr(VariantChangeType(&dst, &src, 0, VT_BSTR), S_OK);   /* dst's BSTR freed first */
    assert_wstr_equal(V_BSTR(&dst), L"200");

    /* Without VARIANT_ALPHABOOL a boolean becomes a number ... */
    V_VT(&src) = VT_BOOL;
    V_BOOL(&src) = VARIANT_TRUE;
    assert_hr(VariantChangeType(&dst, &src, 0, VT_BSTR), S_OK);
    assert_wstr_equal(V_BSTR(&dst), L"-1");
    V_BOOL(&src) = VARIANT_FALSE;
    assert_hr(VariantChangeType(&dst, &src, 0, VT_BSTR), S_OK);
    assert_wstr_equal(V_BSTR(&dst), L"0");

    /* ... with it, a word. */
    V_BOOL(&src) = VARIANT_TRUE;
    assert_hr(VariantChangeType(&dst, &src, VARIANT_ALPHABOOL, VT_BSTR), S_OK);
    assert_wstr_equal(V_BSTR(&dst), L"True");
    V_BOOL(&src) = VARIANT_FALSE;
    assert_hr(VariantChangeType(&dst, &src, VARIANT_ALPHABOOL, VT_BSTR), S_OK);
    assert_wstr_equal(V_BSTR(&dst), L"False");

    /* VT_EMPTY becomes the empty string. */
    V_VT(&src) = VT_EMPTY;
    assert_hr(VariantChangeType(&dst, &src, 0, VT_BSTR), S_OK);
    assert_int_equal(V_VT(&dst), VT_BSTR);
    assert_non_null(V_BSTR(&dst));
    assert_int_equal(SysStringLen(V_BSTR(&dst)), 0);
    assert_hr(VariantClear(&dst), S_OK);
}

static void test_change_from_bstr(void **state)
{
    VARIANT src, dst;

    (void)state;
    VariantInit(&dst);
    V_VT(&src) = VT_BSTR;

    V_BSTR(&src) = SysAllocString(L"123");
    assert_hr(VariantChangeType(&dst, &src, 0, VT_I4), S_OK);
    assert_int_equal(V_VT(&dst), VT_I4);
    assert_int_equal(V_I4(&dst), 123);
    SysFreeString(V_BSTR(&src));

    V_BSTR(&src) = SysAllocString(L"-32768");
    assert_hr(VariantChangeType(&dst, &src, 0, VT_I2), S_OK);
    assert_int_equal(V_I2(&dst), -32768);
    SysFreeString(V_BSTR(&src));

    /* Surrounding blanks are allowed (VarParseNumFromStr skips them). */
    V_BSTR(&src) = SysAllocString(L" 42 ");
    assert_hr(VariantChangeType(&dst, &src, 0, VT_I4), S_OK);
    assert_int_equal(V_I4(&dst), 42);
    SysFreeString(V_BSTR(&src));

    V_BSTR(&src) = SysAllocString(L"+7");
    assert_hr(VariantChangeType(&dst, &src, 0, VT_I4), S_OK);
    assert_int_equal(V_I4(&dst), 7);
    SysFreeString(V_BSTR(&src));

    V_VT(&dst) = VT_I4;
    V_I4(&dst) = 1;
    V_BSTR(&src) = SysAllocString(L"32768");
    assert_hr(VariantChangeType(&dst, &src, 0, VT_I2), DISP_E_OVERFLOW);
    SysFreeString(V_BSTR(&src));
    V_BSTR(&src) = SysAllocString(L"99999999999999999999");
    assert_hr(VariantChangeType(&dst, &src, 0, VT_I4), DISP_E_OVERFLOW);
    assert_hr(VariantChangeType(&dst, &src, 0, VT_I8), DISP_E_OVERFLOW);
    SysFreeString(V_BSTR(&src));
    V_BSTR(&src) = SysAllocString(L"abc");
    assert_hr(VariantChangeType(&dst, &src, 0, VT_I4), DISP_E_TYPEMISMATCH);
    SysFreeString(V_BSTR(&src));
    V_BSTR(&src) = SysAllocString(L"12abc");
    assert_hr(VariantChangeType(&dst, &src, 0, VT_I4), DISP_E_TYPEMISMATCH);
    SysFreeString(V_BSTR(&src));
    V_BSTR(&src) = SysAllocString(L"");
    assert_hr(VariantChangeType(&dst, &src, 0, VT_I4), DISP_E_TYPEMISMATCH);
    SysFreeString(V_BSTR(&src));
    V_BSTR(&src) = NULL;
    assert_hr(VariantChangeType(&dst, &src, 0, VT_I4), DISP_E_TYPEMISMATCH);
    assert_int_equal(V_VT(&dst), VT_I4);
    assert_int_equal(V_I4(&dst), 1);
}

static void test_change_bstr_to_bool(void **state)
{
    static const struct { const WCHAR *str; HRESULT hr; VARIANT_BOOL value; } tests[] =
    {
        { L"True",  S_OK, VARIANT_TRUE },
        { L"true",  S_OK, VARIANT_TRUE },
        { L"FALSE", S_OK, VARIANT_FALSE },
        { L"0",     S_OK, VARIANT_FALSE },
        { L"-1",    S_OK, VARIANT_TRUE },
        { L"1",     S_OK, VARIANT_TRUE },
        { L"yes",   DISP_E_TYPEMISMATCH, 0 },
        { L"",      DISP_E_TYPEMISMATCH, 0 },
    };
    VARIANT src, dst;
    unsigned int i;

    (void)state;
    for (i = 0; i < ARRAY_SIZE(tests); i++)
    {
        V_VT(&src) = VT_BSTR;
        V_BSTR(&src) = SysAllocString(tests[i].str);
        VariantInit(&dst);
        assert_hr(VariantChangeType(&dst, &src, 0, VT_BOOL), tests[i].hr);
        if (tests[i].hr == S_OK)
        {
            assert_int_equal(V_VT(&dst), VT_BOOL);
            assert_int_equal(V_BOOL(&dst), tests[i].value);
        }
        else
            assert_int_equal(V_VT(&dst), VT_EMPTY);
        assert_hr(VariantClear(&src), S_OK);
    }
}

static void test_change_same_type_and_in_place(void **state)
{
    VARIANT src, dst, v;

    (void)state;
    V_VT(&src) = VT_BSTR;
    V_BSTR(&src) = SysAllocString(L"copy me");
    VariantInit(&dst);
    assert_hr(VariantChangeType(&dst, &src, 0, VT_BSTR), S_OK);
    assert_ptr_not_equal(V_BSTR(&dst), V_BSTR(&src));
    assert_wstr_equal(V_BSTR(&dst), L"copy me");
    assert_hr(VariantClear(&dst), S_OK);
    assert_hr(VariantClear(&src), S_OK);

    /* Source and destination may be the same VARIANT; the old value is released. */
    V_VT(&v) = VT_I4;
    V_I4(&v) = 77;
    assert_hr(VariantChangeType(&v, &v, 0, VT_BSTR), S_OK);
    assert_int_equal(V_VT(&v), VT_BSTR);
    assert_wstr_equal(V_BSTR(&v), L"77");
    assert_hr(VariantChangeType(&v, &v, 0, VT_I4), S_OK);   /* the BSTR is freed (valgrind) */
    assert_int_equal(V_VT(&v), VT_I4);
    assert_int_equal(V_I4(&v), 77);
}

static void test_change_unknown_dispatch(void **state)
{
    struct test_unk with_disp, without_disp;
    VARIANT src, dst;

    (void)state;
    test_unk_init(&with_disp, TRUE, NULL);
    test_unk_init(&without_disp, FALSE, NULL);

    /* VT_UNKNOWN -> VT_DISPATCH asks QueryInterface for IDispatch. */
    V_VT(&src) = VT_UNKNOWN;
    V_UNKNOWN(&src) = &with_disp.IUnknown_iface;
    VariantInit(&dst);
    assert_hr(VariantChangeType(&dst, &src, 0, VT_DISPATCH), S_OK);
    assert_int_equal(V_VT(&dst), VT_DISPATCH);
    assert_ptr_equal(V_DISPATCH(&dst), &with_disp.IDispatch_iface);
    assert_int_equal(with_disp.refcount, 2);
    assert_int_equal(with_disp.qi_calls, 1);
    assert_hr(VariantClear(&dst), S_OK);
    assert_int_equal(with_disp.refcount, 1);

    /* No IDispatch: the QueryInterface failure comes back, dst untouched. */
    V_UNKNOWN(&src) = &without_disp.IUnknown_iface;
    V_VT(&dst) = VT_I4;
    V_I4(&dst) = 3;
    assert_hr(VariantChangeType(&dst, &src, 0, VT_DISPATCH), E_NOINTERFACE);
    assert_int_equal(V_VT(&dst), VT_I4);
    assert_int_equal(without_disp.refcount, 1);

    /* A NULL interface converts to NULL. */
    V_UNKNOWN(&src) = NULL;
    assert_hr(VariantChangeType(&dst, &src, 0, VT_DISPATCH), S_OK);
    assert_int_equal(V_VT(&dst), VT_DISPATCH);
    assert_null(V_DISPATCH(&dst));

    /* VT_DISPATCH -> VT_UNKNOWN gives the object's identity (QueryInterface for IUnknown). */
    V_VT(&src) = VT_DISPATCH;
    V_DISPATCH(&src) = &with_disp.IDispatch_iface;
    assert_hr(VariantChangeType(&dst, &src, 0, VT_UNKNOWN), S_OK);
    assert_int_equal(V_VT(&dst), VT_UNKNOWN);
    assert_ptr_equal(V_UNKNOWN(&dst), &with_disp.IUnknown_iface);
    assert_int_equal(with_disp.refcount, 2);
    assert_hr(VariantClear(&dst), S_OK);
    assert_int_equal(with_disp.refcount, 1);

}

/* A VT_BYREF source is read through its pointer (VariantChangeTypeEx uses VariantCopyInd). */
static void test_change_byref_source(void **state)
{
    LONG value = 300;
    BSTR str;
    VARIANT src, dst, inner;

    (void)state;
    VariantInit(&dst);
    V_VT(&src) = VT_BYREF | VT_I4;
    V_I4REF(&src) = &value;
    assert_hr(VariantChangeType(&dst, &src, 0, VT_I2), S_OK);
    assert_int_equal(V_VT(&dst), VT_I2);
    assert_int_equal(V_I2(&dst), 300);
    assert_hr(VariantChangeType(&dst, &src, 0, VT_I4), S_OK);
    assert_int_equal(V_VT(&dst), VT_I4);
    assert_int_equal(V_I4(&dst), 300);
    assert_hr(VariantChangeType(&dst, &src, 0, VT_UI1), DISP_E_OVERFLOW);

    str = SysAllocString(L"17");
    V_VT(&src) = VT_BYREF | VT_BSTR;
    V_BSTRREF(&src) = &str;
    assert_hr(VariantChangeType(&dst, &src, 0, VT_I4), S_OK);
    assert_int_equal(V_I4(&dst), 17);
    assert_hr(VariantChangeType(&dst, &src, 0, VT_BSTR), S_OK);
    assert_int_equal(V_VT(&dst), VT_BSTR);
    assert_ptr_not_equal(V_BSTR(&dst), str);
    assert_wstr_equal(V_BSTR(&dst), L"17");
    assert_hr(VariantClear(&dst), S_OK);
    SysFreeString(str);

    V_VT(&inner) = VT_I2;
    V_I2(&inner) = 9;
    V_VT(&src) = VT_BYREF | VT_VARIANT;
    V_VARIANTREF(&src) = &inner;
    assert_hr(VariantChangeType(&dst, &src, 0, VT_I4), S_OK);
    assert_int_equal(V_VT(&dst), VT_I4);
    assert_int_equal(V_I4(&dst), 9);

    V_VT(&src) = VT_BYREF | VT_I4;
    V_I4REF(&src) = NULL;
    assert_hr(VariantChangeType(&dst, &src, 0, VT_I2), DISP_E_TYPEMISMATCH);
}

static void test_change_bad_types(void **state)
{
    VARIANT src, dst;

    (void)state;
    VariantInit(&dst);
    V_VT(&src) = 15;
    assert_hr(VariantChangeType(&dst, &src, 0, VT_I4), DISP_E_BADVARTYPE);
    V_VT(&src) = VT_I4;
    V_I4(&src) = 1;
    assert_hr(VariantChangeType(&dst, &src, 0, 15), DISP_E_BADVARTYPE);
    assert_hr(VariantChangeType(&dst, &src, 0, VT_VECTOR | VT_I4), DISP_E_BADVARTYPE);
    assert_int_equal(V_VT(&dst), VT_EMPTY);

    V_VT(&src) = VT_NULL;
    assert_hr(VariantChangeType(&dst, &src, 0, VT_I4), DISP_E_TYPEMISMATCH);
}

int main(void)
{
    const struct CMUnitTest tests[] =
    {
        cmocka_unit_test(test_variant_init),
        cmocka_unit_test(test_clear_simple_types),
        cmocka_unit_test(test_clear_frees_bstr),
        cmocka_unit_test(test_clear_releases_interfaces),
        cmocka_unit_test(test_clear_leaves_byref_alone),
        cmocka_unit_test(test_clear_byref_array),
        cmocka_unit_test(test_clear_bad_vartype),
        cmocka_unit_test(test_copy_bstr_is_deep),
        cmocka_unit_test(test_copy_addrefs_interfaces),
        cmocka_unit_test(test_copy_array_is_deep),
        cmocka_unit_test(test_copy_clears_destination),
        cmocka_unit_test(test_copy_to_itself),
        cmocka_unit_test(test_copy_byref_is_shallow),
        cmocka_unit_test(test_copy_bad_vartype),
        cmocka_unit_test(test_change_integers),
        cmocka_unit_test(test_change_overflow),
        cmocka_unit_test(test_change_same_width_sign),
        cmocka_unit_test(test_change_bool),
        cmocka_unit_test(test_change_bool_to_unsigned),
        cmocka_unit_test(test_change_to_bstr),
        cmocka_unit_test(test_change_from_bstr),
        cmocka_unit_test(test_change_bstr_to_bool),
        cmocka_unit_test(test_change_same_type_and_in_place),
        cmocka_unit_test(test_change_unknown_dispatch),
        cmocka_unit_test(test_change_byref_source),
        cmocka_unit_test(test_change_bad_types),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
