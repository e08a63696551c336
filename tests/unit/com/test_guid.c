/*
 * GUID <-> string (modelled on Wine's ole32 compobj.c tests).
 */
#include "com/com_test_util.h"

static const GUID test_guid =
    { 0x12345678, 0x9abc, 0xdef0, { 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef } };
#define TEST_GUID_STR L"{12345678-9ABC-DEF0-0123-456789ABCDEF}"

static void test_string_from_guid2_format(void **state)
{
    WCHAR buffer[64];

    (void)state;
    assert_int_equal(StringFromGUID2(&test_guid, buffer, ARRAY_SIZE(buffer)), 39);
    assert_wstr_equal(buffer, TEST_GUID_STR);
    assert_int_equal(wcslen(buffer), 38);

    assert_int_equal(StringFromGUID2(&IID_IUnknown, buffer, ARRAY_SIZE(buffer)), 39);
    assert_wstr_equal(buffer, L"{00000000-0000-0000-C000-000000000046}");

    assert_int_equal(StringFromGUID2(&GUID_NULL, buffer, ARRAY_SIZE(buffer)), 39);
    assert_wstr_equal(buffer, L"{00000000-0000-0000-0000-000000000000}");
}

static void test_string_from_guid2_buffer_size(void **state)
{
    WCHAR buffer[39], short_buf[38];
    unsigned int i;

    (void)state;
    /* Exactly 39 characters is enough ... */
    assert_int_equal(StringFromGUID2(&test_guid, buffer, 39), 39);
    assert_wstr_equal(buffer, TEST_GUID_STR);

    /* ... 38 is not: 0, and nothing written. */
    for (i = 0; i < ARRAY_SIZE(short_buf); i++)
        short_buf[i] = 'x';
    assert_int_equal(StringFromGUID2(&test_guid, short_buf, 38), 0);
    for (i = 0; i < ARRAY_SIZE(short_buf); i++)
        assert_int_equal(short_buf[i], 'x');
    assert_int_equal(StringFromGUID2(&test_guid, short_buf, 0), 0);
}

static void test_clsid_from_string_valid(void **state)
{
    CLSID clsid;

    (void)state;
    memset(&clsid, 0xab, sizeof(clsid));
    assert_hr(CLSIDFromString(TEST_GUID_STR, &clsid), S_OK);
    assert_guid_equal(&clsid, &test_guid);

    /* Lowercase hex digits are accepted. */
    memset(&clsid, 0xab, sizeof(clsid));
    assert_hr(CLSIDFromString(L"{12345678-9abc-def0-0123-456789abcdef}", &clsid), S_OK);
    assert_guid_equal(&clsid, &test_guid);

    assert_hr(CLSIDFromString(L"{00000000-0000-0000-C000-000000000046}", &clsid), S_OK);
    assert_guid_equal(&clsid, &IID_IUnknown);
}

static void test_clsid_from_string_null_or_empty(void **state)
{
    CLSID clsid;

    (void)state;
    memset(&clsid, 0xab, sizeof(clsid));
    assert_hr(CLSIDFromString(NULL, &clsid), S_OK);
    assert_guid_equal(&clsid, &GUID_NULL);

    memset(&clsid, 0xab, sizeof(clsid));
    assert_hr(CLSIDFromString(L"", &clsid), S_OK);
    assert_guid_equal(&clsid, &GUID_NULL);

    assert_hr(CLSIDFromString(TEST_GUID_STR, NULL), E_INVALIDARG);
}

static void test_clsid_from_string_malformed(void **state)
{
    static const WCHAR *const bad[] =
    {
        L"12345678-9ABC-DEF0-0123-456789ABCDEF",        /* no braces */
        L"{12345678-9ABC-DEF0-0123-456789ABCDEF",       /* no closing brace */
        L"{12345678-9ABC-DEF0-0123-456789ABCDEF}x",     /* a valid GUID, then more */
        L"{12345678-9ABC-DEF0-0123-456789ABCDEG}",      /* not hex */
        L"{12345678-9ABC-DEF0-0123-456789ABCDE}",       /* one digit short */
        L"{12345678=9ABC-DEF0-0123-456789ABCDEF}",      /* wrong separator */
        L"{123456789ABC-DEF0-0123-456789ABCDEF-}",      /* dash in the wrong place */
        L"{ 2345678-9ABC-DEF0-0123-456789ABCDEF}",
        L"not a guid",
        L"RTCClient.RTCClient",                         /* a ProgID: no registry here */
    };
    unsigned int i;
    CLSID clsid;

    (void)state;
    for (i = 0; i < ARRAY_SIZE(bad); i++)
    {
        HRESULT hr = CLSIDFromString(bad[i], &clsid);
        if (hr != CO_E_CLASSSTRING)
            print_error("\"%ls\": got 0x%08x\n", bad[i], (unsigned int)hr);
        assert_hr(hr, CO_E_CLASSSTRING);
    }
}

static void test_iid_from_string(void **state)
{
    IID iid;

    (void)state;
    memset(&iid, 0xab, sizeof(iid));
    assert_hr(IIDFromString(TEST_GUID_STR, &iid), S_OK);
    assert_guid_equal(&iid, &test_guid);
    assert_hr(IIDFromString(L"{12345678-9abc-def0-0123-456789abcdef}", &iid), S_OK);
    assert_guid_equal(&iid, &test_guid);

    memset(&iid, 0xab, sizeof(iid));
    assert_hr(IIDFromString(NULL, &iid), S_OK);
    assert_guid_equal(&iid, &GUID_NULL);
}

static void test_iid_from_string_malformed(void **state)
{
    IID iid;

    (void)state;
    /* A length other than 38 characters is E_INVALIDARG, iid untouched ... */
    memset(&iid, 0xab, sizeof(iid));
    assert_hr(IIDFromString(L"{12345678-9ABC-DEF0-0123-456789ABCDEF}x", &iid), E_INVALIDARG);
    assert_int_equal(iid.Data1, 0xabababab);
    assert_hr(IIDFromString(L"not a guid", &iid), E_INVALIDARG);
    assert_hr(IIDFromString(L"", &iid), E_INVALIDARG);
    assert_int_equal(iid.Data1, 0xabababab);

    /* ... the right length in the wrong format is CO_E_IIDSTRING (Wine's test_IIDFromString). */
    assert_hr(IIDFromString(L"{12345678-9ABC-DEF0-G123-456789ABCDEF}", &iid), CO_E_IIDSTRING);
    assert_hr(IIDFromString(L"{12345678=9ABC-DEF0-0123-456789ABCDEF}", &iid), CO_E_IIDSTRING);
    assert_hr(IIDFromString(L"x12345678-9ABC-DEF0-0123-456789ABCDEF}", &iid), CO_E_IIDSTRING);
}

static void test_string_from_clsid_allocates(void **state)
{
    LPOLESTR str = NULL;
    CLSID clsid;

    (void)state;
    assert_hr(StringFromCLSID(&test_guid, &str), S_OK);
    assert_non_null(str);
    assert_wstr_equal(str, TEST_GUID_STR);
    /* Round trip. */
    assert_hr(CLSIDFromString(str, &clsid), S_OK);
    assert_guid_equal(&clsid, &test_guid);
    CoTaskMemFree(str);     /* task memory: valgrind checks the pairing */

    str = NULL;
    assert_hr(StringFromIID(&IID_IDispatch, &str), S_OK);
    assert_wstr_equal(str, L"{00020400-0000-0000-C000-000000000046}");
    CoTaskMemFree(str);
}

int main(void)
{
    const struct CMUnitTest tests[] =
    {
        cmocka_unit_test(test_string_from_guid2_format),
        cmocka_unit_test(test_string_from_guid2_buffer_size),
        cmocka_unit_test(test_clsid_from_string_valid),
        cmocka_unit_test(test_clsid_from_string_null_or_empty),
        cmocka_unit_test(test_clsid_from_string_malformed),
        cmocka_unit_test(test_iid_from_string),
        cmocka_unit_test(test_iid_from_string_malformed),
        cmocka_unit_test(test_string_from_clsid_allocates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
