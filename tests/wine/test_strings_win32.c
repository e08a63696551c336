/*
 * The DLL's UTF-8 <-> BSTR conversions (src/com/win32/strings.c), where WCHAR is UTF-16:
 * characters beyond U+FFFF become surrogate pairs and back, and invalid input on either
 * side becomes U+FFFD, never an error or invalid UTF-8 (as on Linux, tests/unit/com/test_bstr.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include "com/com_private.h"

static void test_bmp_and_beyond(void **state)
{
    /* "Zürich ☎ 😀": U+00FC, U+260E, and U+1F600 as a surrogate pair. */
    static const char utf8[] = "Z\xc3\xbcrich \xe2\x98\x8e \xf0\x9f\x98\x80";
    BSTR str = com_bstr_from_utf8(utf8);
    char *back;

    assert_non_null(str);
    assert_int_equal(SysStringLen(str), 11);
    assert_int_equal(str[1], 0xfc);
    assert_int_equal(str[7], 0x260e);
    assert_int_equal(str[9], 0xd83d);
    assert_int_equal(str[10], 0xde00);
    back = com_utf8_from_wstr(str);
    assert_string_equal(back, utf8);
    g_free(back);
    SysFreeString(str);
}

static void test_invalid_input(void **state)
{
    static const WCHAR lone[] = { 'a', 0xd83d, 'b', 0xde00, 0 };
    BSTR str;
    char *utf8;

    str = com_bstr_from_utf8("ab\xff" "c");
    assert_non_null(str);
    assert_int_equal(SysStringLen(str), 4);
    assert_int_equal(str[2], 0xfffd);
    SysFreeString(str);

    utf8 = com_utf8_from_wstr(lone);
    assert_string_equal(utf8, "a\xef\xbf\xbd" "b\xef\xbf\xbd");
    g_free(utf8);

    assert_null(com_bstr_from_utf8(NULL));
    assert_null(com_utf8_from_wstr(NULL));
    str = com_bstr_from_utf8("");
    assert_non_null(str);
    assert_int_equal(SysStringLen(str), 0);
    SysFreeString(str);
}

int main(void)
{
    const struct CMUnitTest tests[] =
    {
        cmocka_unit_test(test_bmp_and_beyond),
        cmocka_unit_test(test_invalid_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
