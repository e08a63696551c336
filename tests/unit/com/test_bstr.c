/*
 * BSTR: the Windows layout and the Sys* functions' documented edge cases
 * (modelled on Wine's oleaut32 vartype.c tests), and the UTF-8 helpers.
 */
#include "com/com_test_util.h"

/* The 4-byte prefix right before the characters holds the length in bytes. */
static DWORD bstr_prefix(BSTR str)
{
    DWORD len;
    memcpy(&len, (const char *)str - sizeof(DWORD), sizeof(len));
    return len;
}

static void test_alloc_string_layout(void **state)
{
    BSTR str;

    (void)state;
    str = SysAllocString(L"hello");
    assert_non_null(str);
    assert_wstr_equal(str, L"hello");
    assert_int_equal(bstr_prefix(str), 5 * sizeof(OLECHAR));
    assert_int_equal(SysStringLen(str), 5);
    assert_int_equal(SysStringByteLen(str), 5 * sizeof(OLECHAR));
    assert_int_equal(str[5], 0);
    /* The prefix sits right before the pointer and the characters are 4-byte wchar_t. */
    assert_int_equal(sizeof(OLECHAR), sizeof(wchar_t));
    assert_int_equal(sizeof(OLECHAR), 4);
    SysFreeString(str);
}

static void test_alloc_string_null_and_empty(void **state)
{
    BSTR str;

    (void)state;
    assert_null(SysAllocString(NULL));

    str = SysAllocString(L"");
    assert_non_null(str);
    assert_int_equal(bstr_prefix(str), 0);
    assert_int_equal(SysStringLen(str), 0);
    assert_int_equal(SysStringByteLen(str), 0);
    assert_int_equal(str[0], 0);
    SysFreeString(str);
}

static void test_alloc_string_len_null_source(void **state)
{
    BSTR str;
    int i;

    (void)state;
    str = SysAllocStringLen(NULL, 4);
    assert_non_null(str);
    assert_int_equal(SysStringLen(str), 4);
    assert_int_equal(bstr_prefix(str), 4 * sizeof(OLECHAR));
    for (i = 0; i <= 4; i++)
        assert_int_equal(str[i], 0);
    SysFreeString(str);

    str = SysAllocStringLen(NULL, 0);
    assert_non_null(str);
    assert_int_equal(SysStringLen(str), 0);
    assert_int_equal(str[0], 0);
    SysFreeString(str);
}

static void test_alloc_string_len_embedded_nul(void **state)
{
    static const OLECHAR src[] = { 'a', 'b', 0, 'c', 'd' };
    BSTR str;

    (void)state;
    str = SysAllocStringLen(src, 5);
    assert_non_null(str);
    assert_int_equal(SysStringLen(str), 5);
    assert_memory_equal(str, src, sizeof(src));
    assert_int_equal(str[5], 0);
    assert_int_equal(wcslen(str), 2);     /* C sees the embedded NUL, the BSTR does not */
    SysFreeString(str);

    /* A prefix of a longer string: exactly len characters, then the terminator. */
    str = SysAllocStringLen(L"hello world", 5);
    assert_wstr_equal(str, L"hello");
    assert_int_equal(SysStringLen(str), 5);
    SysFreeString(str);
}

static void test_alloc_string_len_too_long(void **state)
{
    (void)state;
    /* Lengths of 0x80000000 bytes or more fail (Windows and Wine). */
    assert_null(SysAllocStringLen(NULL, 0x80000000u));
    assert_null(SysAllocStringLen(NULL, 0xffffffffu));
    assert_null(SysAllocStringByteLen(NULL, 0x80000000u));
    assert_null(SysAllocStringByteLen(NULL, 0xffffffffu));
}

static void test_alloc_byte_len_odd(void **state)
{
    BSTR str;
    const unsigned char *bytes;

    (void)state;
    str = SysAllocStringByteLen("abc", 3);
    assert_non_null(str);
    assert_int_equal(SysStringByteLen(str), 3);
    assert_int_equal(SysStringLen(str), 0);              /* rounds down */
    assert_int_equal(bstr_prefix(str), 3);
    bytes = (const unsigned char *)str;
    assert_memory_equal(bytes, "abc", 3);
    assert_int_equal(bytes[3], 0);                       /* NUL right after the bytes */
    /* ... and a whole NUL character at the next character boundary, so the
     * string is terminated when read as OLECHARs too (Wine: str[(len+1)/2] = 0). */
    assert_int_equal(str[(3 + sizeof(OLECHAR) - 1) / sizeof(OLECHAR)], 0);
    SysFreeString(str);

    str = SysAllocStringByteLen("abcde", 5);
    assert_non_null(str);
    assert_int_equal(SysStringByteLen(str), 5);
    assert_int_equal(SysStringLen(str), 1);
    bytes = (const unsigned char *)str;
    assert_memory_equal(bytes, "abcde", 5);
    assert_int_equal(bytes[5], 0);
    assert_int_equal(str[(5 + sizeof(OLECHAR) - 1) / sizeof(OLECHAR)], 0);
    assert_int_equal(wcslen(str), 2);                    /* terminated as characters */
    SysFreeString(str);
}

static void test_alloc_byte_len_null_source(void **state)
{
    BSTR str;
    const unsigned char *bytes;
    unsigned int i;

    (void)state;
    str = SysAllocStringByteLen(NULL, 6);
    assert_non_null(str);
    assert_int_equal(SysStringByteLen(str), 6);
    assert_int_equal(SysStringLen(str), 1);
    bytes = (const unsigned char *)str;
    for (i = 0; i < 6 + 1; i++)
        assert_int_equal(bytes[i], 0);
    assert_int_equal(str[2], 0);
    SysFreeString(str);

    str = SysAllocStringByteLen(NULL, 0);
    assert_non_null(str);
    assert_int_equal(SysStringByteLen(str), 0);
    assert_int_equal(str[0], 0);
    SysFreeString(str);
}

static void test_alloc_byte_len_copies_bstr(void **state)
{
    BSTR str, copy;

    (void)state;
    str = SysAllocStringLen(L"x\0y", 3);
    copy = SysAllocStringByteLen((const char *)str, SysStringByteLen(str));
    assert_non_null(copy);
    assert_ptr_not_equal(copy, str);
    assert_int_equal(SysStringLen(copy), 3);
    assert_memory_equal(copy, str, 3 * sizeof(OLECHAR));
    assert_int_equal(copy[3], 0);
    SysFreeString(copy);
    SysFreeString(str);
}

static void test_null_bstr_is_empty(void **state)
{
    (void)state;
    assert_int_equal(SysStringLen(NULL), 0);
    assert_int_equal(SysStringByteLen(NULL), 0);
    SysFreeString(NULL);    /* must not crash */
}

static void test_realloc_string(void **state)
{
    BSTR str;

    (void)state;
    str = SysAllocString(L"abc");
    assert_true(SysReAllocString(&str, L"a longer string"));
    assert_wstr_equal(str, L"a longer string");
    assert_int_equal(SysStringLen(str), 15);
    assert_int_equal(bstr_prefix(str), 15 * sizeof(OLECHAR));

    assert_true(SysReAllocString(&str, L"x"));
    assert_wstr_equal(str, L"x");
    assert_int_equal(SysStringLen(str), 1);

    /* A NULL source gives an empty (or NULL) string, both read as "". */
    assert_true(SysReAllocString(&str, NULL));
    assert_int_equal(SysStringLen(str), 0);
    SysFreeString(str);
}

static void test_realloc_string_len(void **state)
{
    BSTR str;

    (void)state;
    str = SysAllocString(L"test");
    assert_true(SysReAllocStringLen(&str, L"TESTA and more", 5));
    assert_int_equal(SysStringLen(str), 5);
    assert_wstr_equal(str, L"TESTA");

    assert_true(SysReAllocStringLen(&str, L"x\0y", 3));
    assert_int_equal(SysStringLen(str), 3);
    assert_memory_equal(str, L"x\0y", 3 * sizeof(OLECHAR));
    assert_int_equal(str[3], 0);
    SysFreeString(str);
}

static void test_realloc_null_pointer(void **state)
{
    (void)state;
    assert_false(SysReAllocString(NULL, L"x"));
    assert_false(SysReAllocStringLen(NULL, L"x", 1));
}

static void test_realloc_from_null_bstr(void **state)
{
    BSTR str = NULL;

    (void)state;
    assert_true(SysReAllocString(&str, L"abc"));
    assert_wstr_equal(str, L"abc");
    SysFreeString(str);

    str = NULL;
    assert_true(SysReAllocStringLen(&str, L"abcdef", 3));
    assert_wstr_equal(str, L"abc");
    assert_int_equal(SysStringLen(str), 3);
    SysFreeString(str);
}

static void test_realloc_from_own_substring(void **state)
{
    BSTR str;

    (void)state;
    str = SysAllocString(L"hello world");
    assert_true(SysReAllocString(&str, str + 6));
    assert_wstr_equal(str, L"world");
    assert_int_equal(SysStringLen(str), 5);

    assert_true(SysReAllocStringLen(&str, str + 1, 3));
    assert_wstr_equal(str, L"orl");
    assert_int_equal(SysStringLen(str), 3);

    assert_true(SysReAllocString(&str, str));
    assert_wstr_equal(str, L"orl");
    SysFreeString(str);
}

/* Wine: "Some Windows applications use the same pointer for pbstr and psz":
 * growing a BSTR from itself keeps its characters and reads nothing beyond them. */
static void test_realloc_len_grow_from_itself(void **state)
{
    BSTR str;

    (void)state;
    str = SysAllocStringLen(L"Test", 4);
    assert_true(SysReAllocStringLen(&str, str, 1000));
    assert_int_equal(SysStringLen(str), 1000);
    assert_memory_equal(str, L"Test", 4 * sizeof(OLECHAR));
    assert_int_equal(str[1000], 0);
    SysFreeString(str);

    /* From a substring, growing past the old end. */
    str = SysAllocStringLen(L"abcdef", 6);
    assert_true(SysReAllocStringLen(&str, str + 2, 10));
    assert_int_equal(SysStringLen(str), 10);
    assert_memory_equal(str, L"cdef", 4 * sizeof(OLECHAR));
    assert_int_equal(str[10], 0);
    SysFreeString(str);
}

/* Wine: "The old string data is still there when str is NULL". */
static void test_realloc_len_null_source_keeps_data(void **state)
{
    BSTR str;

    (void)state;
    str = SysAllocString(L"test");
    assert_true(SysReAllocStringLen(&str, NULL, 2));
    assert_int_equal(SysStringLen(str), 2);
    assert_memory_equal(str, L"te", 2 * sizeof(OLECHAR));
    assert_int_equal(str[2], 0);

    assert_true(SysReAllocStringLen(&str, NULL, 6));
    assert_int_equal(SysStringLen(str), 6);
    assert_memory_equal(str, L"te", 2 * sizeof(OLECHAR));
    assert_int_equal(str[6], 0);
    SysFreeString(str);
}

static void test_utf8_ascii_round_trip(void **state)
{
    BSTR str;
    char *utf8;

    (void)state;
    str = com_bstr_from_utf8("sip:bob@example.com");
    assert_non_null(str);
    assert_wstr_equal(str, L"sip:bob@example.com");
    assert_int_equal(SysStringLen(str), 19);
    utf8 = com_utf8_from_wstr(str);
    assert_string_equal(utf8, "sip:bob@example.com");
    g_free(utf8);
    SysFreeString(str);
}

static void test_utf8_non_ascii_round_trip(void **state)
{
    /* Latin-1, a 3-byte CJK character and a character beyond the BMP (one wchar_t here). */
    static const char utf8_in[] = "Zo\xc3\xab \xe6\x97\xa5 \xf0\x9f\x98\x80!";
    BSTR str;
    char *utf8;

    (void)state;
    str = com_bstr_from_utf8(utf8_in);
    assert_non_null(str);
    assert_int_equal(SysStringLen(str), 8);
    assert_int_equal(str[0], 'Z');
    assert_int_equal(str[2], 0x00eb);
    assert_int_equal(str[4], 0x65e5);
    assert_int_equal(str[6], 0x1f600);
    assert_int_equal(str[7], '!');
    assert_int_equal(str[8], 0);
    utf8 = com_utf8_from_wstr(str);
    assert_string_equal(utf8, utf8_in);
    g_free(utf8);
    SysFreeString(str);

    utf8 = com_utf8_from_wstr(L"caf\x00e9");
    assert_string_equal(utf8, "caf\xc3\xa9");
    g_free(utf8);
}

static void test_utf8_null_and_empty(void **state)
{
    BSTR str;
    char *utf8;

    (void)state;
    assert_null(com_bstr_from_utf8(NULL));
    assert_null(com_utf8_from_wstr(NULL));

    str = com_bstr_from_utf8("");
    assert_non_null(str);
    assert_int_equal(SysStringLen(str), 0);
    utf8 = com_utf8_from_wstr(str);
    assert_string_equal(utf8, "");
    g_free(utf8);
    SysFreeString(str);

}

/* Invalid input is replaced by U+FFFD, as MultiByteToWideChar / WideCharToMultiByte do,
 * so neither direction drops a whole string nor puts invalid UTF-8 on the wire. */
static void test_utf8_invalid_input(void **state)
{
    static const WCHAR pair[] = { 'a', 0xd83d, 0xde00, 'b', 0 };          /* U+1F600 as UTF-16 */
    static const WCHAR lone[] = { 'a', 0xd83d, 'b', 0xde00, 0 };
    static const WCHAR beyond[] = { 0x110000, (WCHAR)-1, 0 };
    BSTR str;
    char *utf8;

    (void)state;
    str = com_bstr_from_utf8("ab\xff" "c");
    assert_non_null(str);
    assert_wstr_equal(str, L"ab\xfffd" L"c");
    SysFreeString(str);
    str = com_bstr_from_utf8("\xed\xa0\x80");                          /* an encoded surrogate */
    assert_non_null(str);
    assert_int_equal(str[0], 0xfffd);
    SysFreeString(str);

    utf8 = com_utf8_from_wstr(pair);
    assert_string_equal(utf8, "a\xf0\x9f\x98\x80" "b");
    g_free(utf8);
    utf8 = com_utf8_from_wstr(lone);
    assert_string_equal(utf8, "a\xef\xbf\xbd" "b\xef\xbf\xbd");
    assert_true(g_utf8_validate(utf8, -1, NULL));
    g_free(utf8);
    utf8 = com_utf8_from_wstr(beyond);
    assert_string_equal(utf8, "\xef\xbf\xbd\xef\xbf\xbd");
    g_free(utf8);
}

int main(void)
{
    const struct CMUnitTest tests[] =
    {
        cmocka_unit_test(test_alloc_string_layout),
        cmocka_unit_test(test_alloc_string_null_and_empty),
        cmocka_unit_test(test_alloc_string_len_null_source),
        cmocka_unit_test(test_alloc_string_len_embedded_nul),
        cmocka_unit_test(test_alloc_string_len_too_long),
        cmocka_unit_test(test_alloc_byte_len_odd),
        cmocka_unit_test(test_alloc_byte_len_null_source),
        cmocka_unit_test(test_alloc_byte_len_copies_bstr),
        cmocka_unit_test(test_null_bstr_is_empty),
        cmocka_unit_test(test_realloc_string),
        cmocka_unit_test(test_realloc_string_len),
        cmocka_unit_test(test_realloc_null_pointer),
        cmocka_unit_test(test_realloc_from_null_bstr),
        cmocka_unit_test(test_realloc_from_own_substring),
        cmocka_unit_test(test_realloc_len_grow_from_itself),
        cmocka_unit_test(test_realloc_len_null_source_keeps_data),
        cmocka_unit_test(test_utf8_ascii_round_trip),
        cmocka_unit_test(test_utf8_non_ascii_round_trip),
        cmocka_unit_test(test_utf8_null_and_empty),
        cmocka_unit_test(test_utf8_invalid_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
