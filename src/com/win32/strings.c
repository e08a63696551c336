/*
 * UTF-8 <-> BSTR/WCHAR for the layers above the engine, where WCHAR is UTF-16 (Windows).
 * As on Linux: invalid UTF-8 and lone surrogates become U+FFFD, never an error.
 */
#include "com/com_private.h"

BSTR com_bstr_from_utf8(const char *utf8)
{
    gunichar2 *utf16;
    gchar *valid = NULL;
    glong len;
    BSTR ret;

    if (!utf8)
        return NULL;
    if (!g_utf8_validate(utf8, -1, NULL))
        utf8 = valid = g_utf8_make_valid(utf8, -1);
    utf16 = g_utf8_to_utf16(utf8, -1, NULL, &len, NULL);
    g_free(valid);
    ret = utf16 ? SysAllocStringLen((const OLECHAR *)utf16, len) : NULL;
    g_free(utf16);
    return ret;
}

char *com_utf8_from_wstr(const WCHAR *str)
{
    GString *out;
    gunichar c;

    if (!str)
        return NULL;
    out = g_string_sized_new(wcslen(str));
    for (; *str; str++)
    {
        c = (gunichar)*str;
        if (c >= 0xd800 && c <= 0xdbff && str[1] >= 0xdc00 && str[1] <= 0xdfff)
        {
            str++;
            c = 0x10000 + ((c - 0xd800) << 10) + ((gunichar)*str - 0xdc00);
        }
        else if (c >= 0xd800 && c <= 0xdfff)
            c = 0xfffd;
        g_string_append_unichar(out, c);
    }
    return g_string_free(out, FALSE);
}
