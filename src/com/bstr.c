/*
 * BSTR with the Windows layout: a 4-byte length prefix holding the length in
 * bytes, then the characters, then a terminating NUL character. The BSTR points
 * at the first character. A NULL BSTR is the empty string everywhere.
 * OLECHAR is wchar_t here (docs/architecture.md, "Public headers"), so one character is 4 bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include "com/com_private.h"

struct bstr_header
{
    DWORD byte_len;
    OLECHAR str[1];
};

static struct bstr_header *header_from_bstr(BSTR str)
{
    return CONTAINING_RECORD(str, struct bstr_header, str);
}

/* Room for the prefix, the bytes rounded up to whole characters, and a whole
 * terminating character (Wine: str[(len + sizeof(WCHAR) - 1) / sizeof(WCHAR)] = 0). */
static size_t bstr_alloc_size(size_t byte_len)
{
    size_t chars = (byte_len + sizeof(OLECHAR) - 1) / sizeof(OLECHAR);
    return offsetof(struct bstr_header, str) + (chars + 1) * sizeof(OLECHAR);
}

BSTR WINAPI SysAllocStringByteLen(LPCSTR str, UINT len)
{
    struct bstr_header *header;

    if (len >= 0x7fffffff - sizeof(OLECHAR) - sizeof(DWORD))
        return NULL;
    if (!(header = malloc(bstr_alloc_size(len))))
        return NULL;
    header->byte_len = len;
    if (str)
        memcpy(header->str, str, len);
    else
        memset(header->str, 0, len);
    /* NUL-terminate both as bytes and as a whole character at the next character boundary. */
    memset((char *)header->str + len, 0, bstr_alloc_size(len) - offsetof(struct bstr_header, str) - len);
    return header->str;
}

BSTR WINAPI SysAllocStringLen(const OLECHAR *str, UINT len)
{
    BSTR ret;

    if (len >= (0x7fffffff - sizeof(OLECHAR) - sizeof(DWORD)) / sizeof(OLECHAR))
        return NULL;
    if (!(ret = SysAllocStringByteLen(NULL, len * sizeof(OLECHAR))))
        return NULL;
    if (str)
        memcpy(ret, str, len * sizeof(OLECHAR));
    return ret;
}

BSTR WINAPI SysAllocString(const OLECHAR *str)
{
    if (!str)
        return NULL;
    return SysAllocStringLen(str, wcslen(str));
}

void WINAPI SysFreeString(BSTR str)
{
    if (str)
        free(header_from_bstr(str));
}

UINT WINAPI SysStringByteLen(BSTR str)
{
    return str ? header_from_bstr(str)->byte_len : 0;
}

UINT WINAPI SysStringLen(BSTR str)
{
    return str ? header_from_bstr(str)->byte_len / sizeof(OLECHAR) : 0;
}

int WINAPI SysReAllocStringLen(BSTR *old, const OLECHAR *str, UINT len)
{
    UINT old_len, copy_len = len;
    BSTR new_str;

    if (!old)
        return FALSE;
    if (!(new_str = SysAllocStringLen(NULL, len)))
        return FALSE;
    if (*old)
    {
        /* With a NULL source the old characters stay (Windows and Wine); a source
         * inside the old string (applications pass *old itself) is copied only up
         * to the old string's end. */
        old_len = SysStringLen(*old);
        if (!str)
            str = *old;
        if ((uintptr_t)str >= (uintptr_t)*old && (uintptr_t)str <= (uintptr_t)(*old + old_len))
            copy_len = min(len, old_len - (UINT)(str - *old));
    }
    if (str)
        memcpy(new_str, str, copy_len * sizeof(OLECHAR));
    SysFreeString(*old);
    *old = new_str;
    return TRUE;
}

INT WINAPI SysReAllocString(BSTR *old, const OLECHAR *str)
{
    if (!old)
        return FALSE;
    return SysReAllocStringLen(old, str, str ? wcslen(str) : 0);
}

BSTR com_bstr_from_utf8(const char *utf8)
{
    gunichar *ucs4;
    gchar *valid = NULL;
    glong len;
    BSTR ret;

    if (!utf8)
        return NULL;
    /* Invalid sequences become U+FFFD, as with MultiByteToWideChar(CP_UTF8, 0, ...). */
    if (!g_utf8_validate(utf8, -1, NULL))
        utf8 = valid = g_utf8_make_valid(utf8, -1);
    ucs4 = g_utf8_to_ucs4_fast(utf8, -1, &len);
    g_free(valid);
    G_STATIC_ASSERT(sizeof(gunichar) == sizeof(OLECHAR));
    ret = SysAllocStringLen((const OLECHAR *)ucs4, len);
    g_free(ucs4);
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
        /* A UTF-16 surrogate pair (code written for Windows builds them) is one character;
         * lone surrogates and values beyond Unicode become U+FFFD, never invalid UTF-8. */
        if (c >= 0xd800 && c <= 0xdbff && str[1] >= 0xdc00 && str[1] <= 0xdfff)
        {
            str++;
            c = 0x10000 + ((c - 0xd800) << 10) + ((gunichar)*str - 0xdc00);
        }
        else if ((c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
            c = 0xfffd;
        g_string_append_unichar(out, c);
    }
    return g_string_free(out, FALSE);
}
