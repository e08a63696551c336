/* GUID <-> string, in the registry format "{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}". */
#include <wchar.h>
#include <wctype.h>
#include "com/com_private.h"

#define GUID_STRING_LEN 39   /* with the terminating NUL */

INT WINAPI StringFromGUID2(REFGUID guid, LPOLESTR str, INT cmax)
{
    if (!guid || !str || cmax < GUID_STRING_LEN)
        return 0;
    swprintf(str, cmax, L"{%08X-%04X-%04X-%02X%02X-%02X%02X%02X%02X%02X%02X}",
             (unsigned int)guid->Data1, guid->Data2, guid->Data3,
             guid->Data4[0], guid->Data4[1], guid->Data4[2], guid->Data4[3],
             guid->Data4[4], guid->Data4[5], guid->Data4[6], guid->Data4[7]);
    return GUID_STRING_LEN;
}

static HRESULT string_from_guid_alloc(REFGUID guid, LPOLESTR *str)
{
    if (!str)
        return E_INVALIDARG;
    if (!(*str = CoTaskMemAlloc(GUID_STRING_LEN * sizeof(OLECHAR))))
        return E_OUTOFMEMORY;
    StringFromGUID2(guid, *str, GUID_STRING_LEN);
    return S_OK;
}

HRESULT WINAPI StringFromCLSID(REFCLSID clsid, LPOLESTR *str)
{
    return string_from_guid_alloc(clsid, str);
}

HRESULT WINAPI StringFromIID(REFIID iid, LPOLESTR *str)
{
    return string_from_guid_alloc(iid, str);
}

static int hex_value(WCHAR c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static BOOL parse_hex(const WCHAR *s, unsigned int digits, ULONG *value)
{
    unsigned int i;

    *value = 0;
    for (i = 0; i < digits; i++)
    {
        int v = hex_value(s[i]);
        if (v < 0)
            return FALSE;
        *value = (*value << 4) | v;
    }
    return TRUE;
}

/* Strict parse of the braced form; no ProgIDs (there is no registry here). */
static BOOL guid_from_string(const WCHAR *s, GUID *guid)
{
    static const unsigned int group_start[] = { 20, 22, 25, 27, 29, 31, 33, 35 };
    ULONG value;
    unsigned int i;

    if (wcslen(s) != GUID_STRING_LEN - 1 || s[0] != '{' || s[37] != '}'
        || s[9] != '-' || s[14] != '-' || s[19] != '-' || s[24] != '-')
        return FALSE;
    if (!parse_hex(s + 1, 8, &value)) return FALSE;
    guid->Data1 = value;
    if (!parse_hex(s + 10, 4, &value)) return FALSE;
    guid->Data2 = value;
    if (!parse_hex(s + 15, 4, &value)) return FALSE;
    guid->Data3 = value;
    for (i = 0; i < 8; i++)
    {
        if (!parse_hex(s + group_start[i], 2, &value))
            return FALSE;
        guid->Data4[i] = value;
    }
    return TRUE;
}

HRESULT WINAPI CLSIDFromString(LPCOLESTR str, LPCLSID clsid)
{
    GUID guid;

    if (!clsid)
        return E_INVALIDARG;
    if (!str || !*str)
    {
        *clsid = GUID_NULL;
        return S_OK;
    }
    if (!guid_from_string(str, &guid))
        return CO_E_CLASSSTRING;
    *clsid = guid;
    return S_OK;
}

HRESULT WINAPI IIDFromString(LPCOLESTR str, IID *iid)
{
    GUID guid;

    if (!iid)
        return E_INVALIDARG;
    if (!str)
    {
        *iid = GUID_NULL;
        return S_OK;
    }
    /* As on Windows: a length mismatch is E_INVALIDARG, a bad GUID of the right length CO_E_IIDSTRING. */
    if (wcslen(str) != GUID_STRING_LEN - 1)
        return E_INVALIDARG;
    if (!guid_from_string(str, &guid))
        return CO_E_IIDSTRING;
    *iid = guid;
    return S_OK;
}
