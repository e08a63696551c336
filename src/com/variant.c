/*
 * VARIANT and SAFEARRAY for the types the RTC and UCC APIs pass around:
 * integers, booleans, BSTRs, interface pointers and arrays of those.
 * Anything else is refused with DISP_E_BADVARTYPE rather than half-handled.
 */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <wctype.h>
#include "com/com_private.h"

/* ---- element types -------------------------------------------------------- */

static ULONG element_size(VARTYPE vt)
{
    switch (vt)
    {
    case VT_I1: case VT_UI1: return 1;
    case VT_I2: case VT_UI2: case VT_BOOL: return 2;
    case VT_I4: case VT_UI4: case VT_INT: case VT_UINT: case VT_R4: case VT_ERROR: return 4;
    case VT_I8: case VT_UI8: case VT_R8: case VT_CY: case VT_DATE: return 8;
    case VT_BSTR: return sizeof(BSTR);
    case VT_UNKNOWN: case VT_DISPATCH: return sizeof(IUnknown *);
    case VT_VARIANT: return sizeof(VARIANT);
    default: return 0;
    }
}

static BOOL is_simple_type(VARTYPE vt)
{
    return vt == VT_EMPTY || vt == VT_NULL || (element_size(vt) && vt != VT_VARIANT);
}

/* ---- SAFEARRAY ---------------------------------------------------------------- */

/* The array's VARTYPE is kept just before the descriptor, as Windows does. */
struct safearray_block
{
    VARTYPE vt;
    SAFEARRAY array;    /* must stay last: rgsabound grows past the struct */
};

static struct safearray_block *block_from_array(SAFEARRAY *psa)
{
    return CONTAINING_RECORD(psa, struct safearray_block, array);
}

static ULONG cell_count(const SAFEARRAY *psa)
{
    ULONG count = 1;
    USHORT dim;

    for (dim = 0; dim < psa->cDims; dim++)
        count *= psa->rgsabound[dim].cElements;
    return count;
}

/* Bounds are stored in reverse order of the dimensions (Windows layout). */
static HRESULT cell_offset(const SAFEARRAY *psa, const LONG *indices, ULONG *offset)
{
    const SAFEARRAYBOUND *bound = psa->rgsabound + psa->cDims - 1;
    ULONG cell = 0, size = 1;
    USHORT dim;

    for (dim = 0; dim < psa->cDims; dim++, bound--)
    {
        LONG index = indices[dim];
        ULONG rel = (ULONG)index - (ULONG)bound->lLbound;   /* no signed overflow at the LONG limits */
        if (index < bound->lLbound || rel >= bound->cElements)
            return DISP_E_BADINDEX;
        cell += rel * size;
        size *= bound->cElements;
    }
    *offset = cell * psa->cbElements;
    return S_OK;
}

SAFEARRAY * WINAPI SafeArrayCreate(VARTYPE vt, UINT dims, SAFEARRAYBOUND *bounds)
{
    struct safearray_block *block;
    SAFEARRAY *psa;
    ULONGLONG total;
    ULONG size;
    UINT i;

    if (!dims || !bounds || !(size = element_size(vt)))
        return NULL;
    /* The data must stay addressable with 32-bit cell offsets. */
    for (i = 0, total = size; i < dims; i++)
        if ((total *= bounds[i].cElements) > 0xffffffff)
            return NULL;
    block = calloc(1, sizeof(*block) + (dims - 1) * sizeof(SAFEARRAYBOUND));
    if (!block)
        return NULL;
    block->vt = vt;
    psa = &block->array;
    psa->cDims = dims;
    psa->cbElements = size;
    psa->fFeatures = FADF_HAVEVARTYPE;
    if (vt == VT_BSTR) psa->fFeatures |= FADF_BSTR;
    else if (vt == VT_UNKNOWN) psa->fFeatures |= FADF_UNKNOWN;
    else if (vt == VT_DISPATCH) psa->fFeatures |= FADF_DISPATCH;
    else if (vt == VT_VARIANT) psa->fFeatures |= FADF_VARIANT;
    for (i = 0; i < dims; i++)
        psa->rgsabound[dims - 1 - i] = bounds[i];
    if (!(psa->pvData = calloc(cell_count(psa) ? cell_count(psa) : 1, size)))
    {
        free(block);
        return NULL;
    }
    return psa;
}

SAFEARRAY * WINAPI SafeArrayCreateVector(VARTYPE vt, LONG lbound, ULONG count)
{
    SAFEARRAYBOUND bound = { count, lbound };
    return SafeArrayCreate(vt, 1, &bound);
}

HRESULT WINAPI SafeArrayGetVartype(SAFEARRAY *psa, VARTYPE *vt)
{
    if (!psa || !vt)
        return E_INVALIDARG;
    *vt = block_from_array(psa)->vt;
    return S_OK;
}

UINT WINAPI SafeArrayGetDim(SAFEARRAY *psa)
{
    return psa ? psa->cDims : 0;
}

static HRESULT get_bound(SAFEARRAY *psa, UINT dim, const SAFEARRAYBOUND **bound)
{
    if (!psa)
        return E_INVALIDARG;
    if (!dim || dim > psa->cDims)
        return DISP_E_BADINDEX;
    *bound = &psa->rgsabound[psa->cDims - dim];
    return S_OK;
}

HRESULT WINAPI SafeArrayGetLBound(SAFEARRAY *psa, UINT dim, LONG *lbound)
{
    const SAFEARRAYBOUND *bound;
    HRESULT hr;

    if (!lbound)
        return E_INVALIDARG;
    if (FAILED(hr = get_bound(psa, dim, &bound)))
        return hr;
    *lbound = bound->lLbound;
    return S_OK;
}

HRESULT WINAPI SafeArrayGetUBound(SAFEARRAY *psa, UINT dim, LONG *ubound)
{
    const SAFEARRAYBOUND *bound;
    HRESULT hr;

    if (!ubound)
        return E_INVALIDARG;
    if (FAILED(hr = get_bound(psa, dim, &bound)))
        return hr;
    *ubound = bound->lLbound + (LONG)bound->cElements - 1;
    return S_OK;
}

HRESULT WINAPI SafeArrayAccessData(SAFEARRAY *psa, void **data)
{
    if (!psa || !data)
        return E_INVALIDARG;
    psa->cLocks++;
    *data = psa->pvData;
    return S_OK;
}

HRESULT WINAPI SafeArrayUnaccessData(SAFEARRAY *psa)
{
    if (!psa)
        return E_INVALIDARG;
    if (!psa->cLocks)
        return E_UNEXPECTED;
    psa->cLocks--;
    return S_OK;
}

/* Copies one element in the array's own type: deep for BSTR/VARIANT, AddRef for interfaces. */
static HRESULT copy_element(VARTYPE vt, void *dst, const void *src)
{
    switch (vt)
    {
    case VT_BSTR:
    {
        BSTR str = *(const BSTR *)src;
        BSTR copy = str ? SysAllocStringByteLen((const char *)str, SysStringByteLen(str)) : NULL;
        if (str && !copy)
            return E_OUTOFMEMORY;
        *(BSTR *)dst = copy;
        return S_OK;
    }
    case VT_UNKNOWN:
    case VT_DISPATCH:
    {
        IUnknown *unk = *(IUnknown *const *)src;
        if (unk)
            IUnknown_AddRef(unk);
        *(IUnknown **)dst = unk;
        return S_OK;
    }
    case VT_VARIANT:
        VariantInit(dst);
        return VariantCopy(dst, src);
    default:
        memcpy(dst, src, element_size(vt));
        return S_OK;
    }
}

static void clear_element(VARTYPE vt, void *cell)
{
    switch (vt)
    {
    case VT_BSTR:
        SysFreeString(*(BSTR *)cell);
        *(BSTR *)cell = NULL;
        break;
    case VT_UNKNOWN:
    case VT_DISPATCH:
        if (*(IUnknown **)cell)
            IUnknown_Release(*(IUnknown **)cell);
        *(IUnknown **)cell = NULL;
        break;
    case VT_VARIANT:
        VariantClear(cell);
        break;
    default:
        break;
    }
}

HRESULT WINAPI SafeArrayPutElement(SAFEARRAY *psa, LONG *indices, void *value)
{
    VARTYPE vt;
    ULONG offset;
    HRESULT hr;
    char *cell;
    VARIANT tmp;    /* the largest element, suitably aligned for every type */

    if (!psa || !indices)
        return E_INVALIDARG;
    if (FAILED(hr = cell_offset(psa, indices, &offset)))
        return hr;
    vt = block_from_array(psa)->vt;
    cell = (char *)psa->pvData + offset;
    /* BSTRs are passed by value, everything else by pointer (Windows semantics). */
    if (vt == VT_BSTR || vt == VT_UNKNOWN || vt == VT_DISPATCH)
        hr = copy_element(vt, &tmp, &value);
    else
        hr = copy_element(vt, &tmp, value);
    if (FAILED(hr))
        return hr;
    clear_element(vt, cell);
    memcpy(cell, &tmp, psa->cbElements);
    return S_OK;
}

HRESULT WINAPI SafeArrayGetElement(SAFEARRAY *psa, LONG *indices, void *value)
{
    ULONG offset;
    HRESULT hr;

    if (!psa || !indices || !value)
        return E_INVALIDARG;
    if (FAILED(hr = cell_offset(psa, indices, &offset)))
        return hr;
    return copy_element(block_from_array(psa)->vt, value, (char *)psa->pvData + offset);
}

HRESULT WINAPI SafeArrayDestroy(SAFEARRAY *psa)
{
    VARTYPE vt;
    ULONG i, count;

    if (!psa)
        return S_OK;
    if (psa->cLocks)
        return DISP_E_ARRAYISLOCKED;
    vt = block_from_array(psa)->vt;
    count = cell_count(psa);
    for (i = 0; i < count; i++)
        clear_element(vt, (char *)psa->pvData + i * psa->cbElements);
    free(psa->pvData);
    free(block_from_array(psa));
    return S_OK;
}

HRESULT WINAPI SafeArrayCopy(SAFEARRAY *psa, SAFEARRAY **out)
{
    SAFEARRAYBOUND *bounds;
    SAFEARRAY *copy;
    VARTYPE vt;
    ULONG i, count;
    USHORT dim;
    HRESULT hr;

    if (!out)
        return E_INVALIDARG;
    *out = NULL;
    if (!psa)
        return S_OK;
    vt = block_from_array(psa)->vt;
    if (!(bounds = calloc(psa->cDims, sizeof(*bounds))))
        return E_OUTOFMEMORY;
    for (dim = 0; dim < psa->cDims; dim++)
        bounds[dim] = psa->rgsabound[psa->cDims - 1 - dim];
    copy = SafeArrayCreate(vt, psa->cDims, bounds);
    free(bounds);
    if (!copy)
        return E_OUTOFMEMORY;
    count = cell_count(psa);
    for (i = 0; i < count; i++)
    {
        if (FAILED(hr = copy_element(vt, (char *)copy->pvData + i * copy->cbElements,
                                     (char *)psa->pvData + i * psa->cbElements)))
        {
            SafeArrayDestroy(copy);
            return hr;
        }
    }
    *out = copy;
    return S_OK;
}

/* ---- VARIANT ------------------------------------------------------------------- */

void WINAPI VariantInit(VARIANT *v)
{
    V_VT(v) = VT_EMPTY;
}

static HRESULT check_type(VARTYPE vt)
{
    VARTYPE base = vt & VT_TYPEMASK;

    /* VT_ARRAY|VT_BYREF (a SAFEARRAY** argument) is valid too. */
    if (vt & ~(VT_TYPEMASK | VT_ARRAY | VT_BYREF))
        return DISP_E_BADVARTYPE;
    if (vt & (VT_ARRAY | VT_BYREF))
        return element_size(base) ? S_OK : DISP_E_BADVARTYPE;
    return is_simple_type(base) ? S_OK : DISP_E_BADVARTYPE;
}

HRESULT WINAPI VariantClear(VARIANT *v)
{
    HRESULT hr;

    if (!v)
        return E_INVALIDARG;
    if (FAILED(hr = check_type(V_VT(v))))
        return hr;
    if (!(V_VT(v) & VT_BYREF))
    {
        if (V_VT(v) & VT_ARRAY)
            hr = SafeArrayDestroy(V_ARRAY(v));
        else if (V_VT(v) == VT_BSTR)
            SysFreeString(V_BSTR(v));
        else if ((V_VT(v) == VT_UNKNOWN || V_VT(v) == VT_DISPATCH) && V_UNKNOWN(v))
            IUnknown_Release(V_UNKNOWN(v));
        if (FAILED(hr))
            return hr;
    }
    V_VT(v) = VT_EMPTY;
    return S_OK;
}

HRESULT WINAPI VariantCopy(VARIANTARG *dst, const VARIANTARG *src)
{
    VARIANT copy;
    HRESULT hr;

    if (!dst || !src)
        return E_INVALIDARG;
    if (FAILED(hr = check_type(V_VT(src))))
        return hr;
    if (dst == src)
        return S_OK;

    copy = *src;    /* by value, by reference, and interface/array pointers fixed below */
    if (!(V_VT(src) & VT_BYREF))
    {
        if (V_VT(src) & VT_ARRAY)
            hr = SafeArrayCopy(V_ARRAY(src), &V_ARRAY(&copy));
        else if (V_VT(src) == VT_BSTR || V_VT(src) == VT_UNKNOWN || V_VT(src) == VT_DISPATCH)
            hr = copy_element(V_VT(src), &V_BSTR(&copy), &V_BSTR(src));
        if (FAILED(hr))
            return hr;
    }
    if (FAILED(hr = VariantClear(dst)))
    {
        VariantClear(&copy);
        return hr;
    }
    *dst = copy;
    return S_OK;
}

/* Reads an integer-like VARIANT as a 64-bit value. */
static HRESULT variant_to_i64(const VARIANT *v, LONGLONG *out)
{
    switch (V_VT(v))
    {
    case VT_EMPTY: *out = 0; return S_OK;
    case VT_I1: *out = V_I1(v); return S_OK;
    case VT_UI1: *out = V_UI1(v); return S_OK;
    case VT_I2: *out = V_I2(v); return S_OK;
    case VT_UI2: *out = V_UI2(v); return S_OK;
    case VT_BOOL: *out = V_BOOL(v) ? -1 : 0; return S_OK;
    case VT_I4: *out = V_I4(v); return S_OK;
    case VT_ERROR: *out = V_ERROR(v); return S_OK;
    case VT_UI4: *out = V_UI4(v); return S_OK;
    case VT_INT: *out = V_INT(v); return S_OK;
    case VT_UINT: *out = V_UINT(v); return S_OK;
    case VT_I8: *out = V_I8(v); return S_OK;
    case VT_UI8:
        if (V_UI8(v) > INT64_MAX)
            return DISP_E_OVERFLOW;
        *out = (LONGLONG)V_UI8(v);
        return S_OK;
    case VT_BSTR:
    {
        /* Decimal integers with optional sign and surrounding blanks. */
        WCHAR *end;
        if (!V_BSTR(v))
            return DISP_E_TYPEMISMATCH;
        errno = 0;
        *out = wcstoll(V_BSTR(v), &end, 10);
        if (end == V_BSTR(v))
            return DISP_E_TYPEMISMATCH;
        while (iswspace(*end))
            end++;
        if (*end)
            return DISP_E_TYPEMISMATCH;
        return errno == ERANGE ? DISP_E_OVERFLOW : S_OK;
    }
    default:
        return DISP_E_TYPEMISMATCH;
    }
}

static HRESULT i64_to_variant(LONGLONG value, VARTYPE vt, VARIANT *out)
{
    WCHAR buffer[32];

#define RANGE(min, max) if (value < (min) || value > (max)) return DISP_E_OVERFLOW
    switch (vt)
    {
    case VT_I1: RANGE(-128, 127); V_I1(out) = value; break;
    case VT_UI1: RANGE(0, 255); V_UI1(out) = value; break;
    case VT_I2: RANGE(-32768, 32767); V_I2(out) = value; break;
    case VT_UI2: RANGE(0, 65535); V_UI2(out) = value; break;
    case VT_BOOL: V_BOOL(out) = value ? VARIANT_TRUE : VARIANT_FALSE; break;
    case VT_I4: case VT_INT: RANGE(-2147483647LL - 1, 2147483647LL); V_I4(out) = value; break;
    case VT_UI4: case VT_UINT: RANGE(0, 4294967295LL); V_UI4(out) = value; break;
    case VT_I8: V_I8(out) = value; break;
    case VT_UI8: RANGE(0, INT64_MAX); V_UI8(out) = value; break;
    case VT_BSTR:
        swprintf(buffer, ARRAY_SIZE(buffer), L"%lld", value);
        if (!(V_BSTR(out) = SysAllocString(buffer)))
            return E_OUTOFMEMORY;
        break;
    default:
        return DISP_E_TYPEMISMATCH;
    }
#undef RANGE
    V_VT(out) = vt;
    return S_OK;
}

/* Stores value cut to the width of vt, without a range check. */
static BOOL store_truncated(LONGLONG value, VARTYPE vt, VARIANT *out)
{
    switch (vt)
    {
    case VT_I1: V_I1(out) = (CHAR)value; break;
    case VT_UI1: V_UI1(out) = (BYTE)value; break;
    case VT_I2: V_I2(out) = (SHORT)value; break;
    case VT_UI2: V_UI2(out) = (USHORT)value; break;
    case VT_I4: V_I4(out) = (LONG)value; break;
    case VT_UI4: V_UI4(out) = (ULONG)value; break;
    case VT_INT: V_INT(out) = (INT)value; break;
    case VT_UINT: V_UINT(out) = (UINT)value; break;
    case VT_I8: V_I8(out) = value; break;
    case VT_UI8: V_UI8(out) = (ULONG64)value; break;
    default: return FALSE;
    }
    V_VT(out) = vt;
    return TRUE;
}

/* The signed and unsigned integer types of one width. */
static BOOL is_sign_pair(VARTYPE a, VARTYPE b)
{
    static const VARTYPE pairs[][2] = { { VT_I1, VT_UI1 }, { VT_I2, VT_UI2 }, { VT_I4, VT_UI4 }, { VT_I8, VT_UI8 } };
    unsigned int i;

    for (i = 0; i < ARRAY_SIZE(pairs); i++)
        if ((a == pairs[i][0] && b == pairs[i][1]) || (a == pairs[i][1] && b == pairs[i][0]))
            return TRUE;
    return FALSE;
}

static BOOL ascii_equal_nocase(const WCHAR *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (towlower(*a) != (wint_t)tolower((unsigned char)*b))
            return FALSE;
    return !*a && !*b;
}

/*
 * Conversions used when IDispatch::Invoke coerces arguments: between the
 * integer types, VARIANT_BOOL and decimal strings; same-type copies; interface
 * pointers between IUnknown and IDispatch. Others give DISP_E_TYPEMISMATCH.
 */
HRESULT WINAPI VariantChangeType(VARIANTARG *dst, const VARIANTARG *src, USHORT flags, VARTYPE vt)
{
    VARIANT result;
    LONGLONG value;
    HRESULT hr;

    if (!dst || !src)
        return E_INVALIDARG;
    if (FAILED(hr = check_type(V_VT(src))) || FAILED(hr = check_type(vt)))
        return hr;
    /* A by-reference source is converted from what it points to (VariantCopyInd). */
    if ((V_VT(src) & VT_BYREF) && V_VT(src) != vt)
    {
        VARIANT deref;

        if (!V_BYREF(src))
            return DISP_E_TYPEMISMATCH;
        if (V_VT(src) == (VT_BYREF | VT_VARIANT))
        {
            if (V_VT(V_VARIANTREF(src)) == (VT_BYREF | VT_VARIANT))
                return E_INVALIDARG;
            return VariantChangeType(dst, V_VARIANTREF(src), flags, vt);
        }
        /* A shallow alias: nothing in it is freed below. */
        V_VT(&deref) = V_VT(src) & ~VT_BYREF;
        if (V_VT(src) & VT_ARRAY)
            V_ARRAY(&deref) = *V_ARRAYREF(src);
        else
            memcpy(&V_BYREF(&deref), V_BYREF(src), element_size(V_VT(&deref)));
        return VariantChangeType(dst, &deref, flags, vt);
    }
    VariantInit(&result);
    if (V_VT(src) == vt)
        hr = VariantCopy(&result, src);
    else if (vt == VT_UNKNOWN && V_VT(src) == VT_DISPATCH)
    {
        /* QueryInterface, as Windows does: the result is the object's identity. */
        V_UNKNOWN(&result) = NULL;
        if (V_DISPATCH(src))
            hr = IDispatch_QueryInterface(V_DISPATCH(src), &IID_IUnknown, (void **)&V_UNKNOWN(&result));
        if (SUCCEEDED(hr))
            V_VT(&result) = VT_UNKNOWN;
    }
    else if (vt == VT_DISPATCH && V_VT(src) == VT_UNKNOWN)
    {
        /* A failed QueryInterface is returned as is (E_NOINTERFACE), as on Windows. */
        V_DISPATCH(&result) = NULL;
        if (V_UNKNOWN(src))
            hr = IUnknown_QueryInterface(V_UNKNOWN(src), &IID_IDispatch, (void **)&V_DISPATCH(&result));
        if (SUCCEEDED(hr))
            V_VT(&result) = VT_DISPATCH;
    }
    else if (vt == VT_BSTR && V_VT(src) == VT_EMPTY)
    {
        if (!(V_BSTR(&result) = SysAllocStringLen(NULL, 0)))
            return E_OUTOFMEMORY;
        V_VT(&result) = VT_BSTR;
    }
    else if (vt == VT_BSTR && V_VT(src) == VT_BOOL && (flags & (VARIANT_ALPHABOOL | VARIANT_LOCALBOOL)))
    {
        if (!(V_BSTR(&result) = SysAllocString(V_BOOL(src) ? L"True" : L"False")))
            return E_OUTOFMEMORY;
        V_VT(&result) = VT_BSTR;
    }
    else if (vt == VT_BSTR && V_VT(src) == VT_UI8 && V_UI8(src) > INT64_MAX)
    {
        WCHAR buffer[32];

        swprintf(buffer, ARRAY_SIZE(buffer), L"%llu", (unsigned long long)V_UI8(src));
        if (!(V_BSTR(&result) = SysAllocString(buffer)))
            return E_OUTOFMEMORY;
        V_VT(&result) = VT_BSTR;
    }
    else if (vt == VT_BOOL && V_VT(src) == VT_BSTR && V_BSTR(src)
             && (ascii_equal_nocase(V_BSTR(src), "true") || ascii_equal_nocase(V_BSTR(src), "false")))
    {
        V_BOOL(&result) = ascii_equal_nocase(V_BSTR(src), "true") ? VARIANT_TRUE : VARIANT_FALSE;
        V_VT(&result) = VT_BOOL;
    }
    else if (is_sign_pair(V_VT(src), vt))
    {
        /* Same width, other signedness: the bits are kept (Wine's VARIANT_Coerce). */
        memcpy(&V_BYREF(&result), &V_BYREF(src), element_size(vt));
        V_VT(&result) = vt;
    }
    else if (V_VT(src) == VT_BOOL && store_truncated(V_BOOL(src), vt, &result))
        hr = S_OK;    /* VarUI1FromBool and friends are plain casts: VARIANT_TRUE -> 0xff */
    else if (SUCCEEDED(hr = variant_to_i64(src, &value)))
        hr = i64_to_variant(value, vt, &result);
    if (FAILED(hr))
        return hr;
    if (FAILED(hr = VariantClear(dst)))
    {
        VariantClear(&result);
        return hr;
    }
    *dst = result;
    return S_OK;
}
