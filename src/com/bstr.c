/*
 * BSTR with the Windows layout: a 4-byte length prefix holding the length in
 * bytes, then the characters, then a terminating NUL character. The BSTR points
 * at the first character. A NULL BSTR is the empty string everywhere.
 * OLECHAR is wchar_t here (DESIGN.md), so one character is 4 bytes.
 */
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include "com_private.h"

struct bstr_header
{
    DWORD byte_len;
    OLECHAR str[1];
};

static struct bstr_header *header_from_bstr(BSTR str)
{
    return CONTAINING_RECORD(str, struct bstr_header, str);
}

/* Room for the prefix, the bytes and a whole terminating character. */
static size_t bstr_alloc_size(size_t byte_len)
{
    return offsetof(struct bstr_header, str) + byte_len + sizeof(OLECHAR);
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
    /* NUL-terminate both as bytes and as a whole character. */
    memset((char *)header->str + len, 0, sizeof(OLECHAR));
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
    BSTR new_str;

    if (!old)
        return FALSE;
    /* str may point into *old, so copy before freeing. */
    if (!(new_str = SysAllocStringLen(str, len)))
        return FALSE;
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
    glong len;
    BSTR ret;

    if (!utf8)
        return NULL;
    if (!(ucs4 = g_utf8_to_ucs4(utf8, -1, NULL, &len, NULL)))
        return NULL;
    G_STATIC_ASSERT(sizeof(gunichar) == sizeof(OLECHAR));
    ret = SysAllocStringLen((const OLECHAR *)ucs4, len);
    g_free(ucs4);
    return ret;
}

char *com_utf8_from_wstr(const WCHAR *str)
{
    if (!str)
        return NULL;
    return g_ucs4_to_utf8((const gunichar *)str, -1, NULL, NULL, NULL);
}
