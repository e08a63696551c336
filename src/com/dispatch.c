/*
 * IDispatch from a table. Event objects and dispinterface sinks in the RTC
 * and UCC APIs are reached through IDispatch by script-style clients; without a
 * type library at run time, each interface lists its members (name, DISPID,
 * kind, thunk) and these two helpers do GetIDsOfNames and Invoke over the list.
 */
#include <wchar.h>
#include <wctype.h>
#include "com/com_private.h"

static BOOL names_equal(const WCHAR *a, const WCHAR *b)
{
    /* Automation names are case-insensitive. */
    while (*a && towlower(*a) == towlower(*b))
        a++, b++;
    return towlower(*a) == towlower(*b);
}

HRESULT dispatch_get_ids_of_names(const struct dispatch_table *table, LPOLESTR *names,
                                  UINT count, DISPID *dispids)
{
    HRESULT hr = S_OK;
    unsigned int i;
    UINT n;

    if (!names || !dispids)
        return E_INVALIDARG;
    for (n = 0; n < count; n++)
        dispids[n] = DISPID_UNKNOWN;
    if (!count)
        return S_OK;
    if (!names[0])
        return DISP_E_UNKNOWNNAME;
    for (i = 0; i < table->count; i++)
    {
        if (names_equal(table->members[i].name, names[0]))
        {
            dispids[0] = table->members[i].dispid;
            break;
        }
    }
    if (dispids[0] == DISPID_UNKNOWN)
        hr = DISP_E_UNKNOWNNAME;
    /* No member here takes named arguments. */
    if (count > 1)
        hr = DISP_E_UNKNOWNNAME;
    return hr;
}

HRESULT dispatch_invoke(const struct dispatch_table *table, IDispatch *iface, DISPID dispid,
                        WORD flags, DISPPARAMS *params, VARIANT *result, UINT *arg_err)
{
    static DISPPARAMS no_params;
    const struct dispatch_member *member = NULL;
    VARIANT ignored;
    unsigned int i;
    HRESULT hr;

    for (i = 0; i < table->count; i++)
    {
        if (table->members[i].dispid == dispid)
        {
            member = &table->members[i];
            break;
        }
    }
    if (!member || !(member->flags & flags))
        return DISP_E_MEMBERNOTFOUND;
    if (!params)
        params = &no_params;
    if (params->cArgs && !params->rgvarg)
        return E_INVALIDARG;
    if (params->cNamedArgs && !(flags & (DISPATCH_PROPERTYPUT | DISPATCH_PROPERTYPUTREF)))
        return DISP_E_NONAMEDARGS;
    if (arg_err)
        *arg_err = 0;
    VariantInit(&ignored);
    hr = member->invoke(iface, params, result ? result : &ignored);
    VariantClear(&ignored);
    return hr;
}

const VARIANT *com_variant_deref(const VARIANT *arg)
{
    return V_VT(arg) == (VT_VARIANT | VT_BYREF) && V_VARIANTREF(arg) ? V_VARIANTREF(arg) : arg;
}

HRESULT com_variant_to_long(const VARIANT *arg, LONG *value)
{
    VARIANT converted;
    HRESULT hr;

    arg = com_variant_deref(arg);
    switch (V_VT(arg))
    {
    case VT_I4 | VT_BYREF: *value = *V_I4REF(arg); return S_OK;
    case VT_I2 | VT_BYREF: *value = *V_I2REF(arg); return S_OK;
    case VT_INT | VT_BYREF: *value = *V_INTREF(arg); return S_OK;
    default: break;
    }
    VariantInit(&converted);
    if (FAILED(hr = VariantChangeType(&converted, (VARIANT *)arg, 0, VT_I4)))
        return hr == DISP_E_OVERFLOW ? hr : DISP_E_TYPEMISMATCH;
    *value = V_I4(&converted);
    return S_OK;
}
