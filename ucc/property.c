/*
 * Property bags: UccContext (IUccContext), UccPropertyCollection
 * (IUccPropertyCollection, IUccReadOnlyPropertyCollection, IUccCollection,
 * IDispatch) and the IUccProperty objects they hold.
 *
 * One object serves both coclasses: IUccContext adds no member to
 * IUccPropertyCollection, so it carries two vtables of the same shape (the
 * IUccContext one forwards). Properties are kept in the order they were added;
 * get_Item(i) is 1-based and gives VT_UNKNOWN with the IUccProperty. A property
 * is keyed by its id, or by its name (compared without regard to ASCII case)
 * when it was added with AddNamedProperty. Adding an id or name that is already
 * there replaces its value. Read-only collections (URI parameters, progress
 * properties ...) refuse Add/Remove and their properties refuse put_*, with
 * E_ACCESSDENIED. A missing id or name is UCC_E_RTCSHIM_NOT_FOUND.
 */
#include <wchar.h>
#include "ucc_private.h"

/* ---- IUccProperty ---------------------------------------------------------------------------- */

struct property
{
    IUccProperty IUccProperty_iface;
    LONG refcount;
    LONG id;
    BSTR name;              /* NULL for a property keyed by id */
    VARIANT value;
    BOOL read_only;
};

static const IUccPropertyVtbl property_vtbl;

static struct property *impl_from_IUccProperty(IUccProperty *iface)
{
    return CONTAINING_RECORD(iface, struct property, IUccProperty_iface);
}

static HRESULT WINAPI property_QueryInterface(IUccProperty *iface, REFIID riid, void **ppv)
{
    if (!ppv)
        return E_POINTER;
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IUccProperty))
    {
        *ppv = iface;
        IUccProperty_AddRef(iface);
        return S_OK;
    }
    *ppv = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI property_AddRef(IUccProperty *iface)
{
    return InterlockedIncrement(&impl_from_IUccProperty(iface)->refcount);
}

static ULONG WINAPI property_Release(IUccProperty *iface)
{
    struct property *property = impl_from_IUccProperty(iface);
    ULONG ref = InterlockedDecrement(&property->refcount);

    if (!ref)
    {
        VariantClear(&property->value);
        SysFreeString(property->name);
        free(property);
        com_module_unlock();
    }
    return ref;
}

static HRESULT WINAPI property_get_Id(IUccProperty *iface, LONG *id)
{
    if (!id)
        return E_POINTER;
    *id = impl_from_IUccProperty(iface)->id;
    return S_OK;
}

static HRESULT WINAPI property_get_Name(IUccProperty *iface, BSTR *name)
{
    struct property *property = impl_from_IUccProperty(iface);

    if (!name)
        return E_POINTER;
    *name = SysAllocString(property->name ? property->name : L"");
    return *name ? S_OK : E_OUTOFMEMORY;
}

static HRESULT WINAPI property_get_Value(IUccProperty *iface, VARIANT *value)
{
    if (!value)
        return E_POINTER;
    VariantInit(value);
    return VariantCopy(value, &impl_from_IUccProperty(iface)->value);
}

static HRESULT set_value(struct property *property, const VARIANT *value)
{
    VARIANT copy;
    HRESULT hr;

    if (property->read_only)
        return E_ACCESSDENIED;
    VariantInit(&copy);
    if (FAILED(hr = VariantCopy(&copy, (VARIANT *)value)))
        return hr;
    VariantClear(&property->value);
    property->value = copy;
    return S_OK;
}

static HRESULT WINAPI property_put_Value(IUccProperty *iface, VARIANT value)
{
    return set_value(impl_from_IUccProperty(iface), &value);
}

/* The value converted to vt (a copy in *out). */
static HRESULT value_as(struct property *property, VARTYPE vt, VARIANT *out)
{
    VariantInit(out);
    if (V_VT(&property->value) == VT_EMPTY || V_VT(&property->value) == VT_NULL)
        return DISP_E_TYPEMISMATCH;
    return VariantChangeType(out, &property->value, 0, vt);
}

static HRESULT WINAPI property_get_StringValue(IUccProperty *iface, BSTR *value)
{
    VARIANT converted;
    HRESULT hr;

    if (!value)
        return E_POINTER;
    *value = NULL;
    if (FAILED(hr = value_as(impl_from_IUccProperty(iface), VT_BSTR, &converted)))
        return hr;
    *value = V_BSTR(&converted);
    return S_OK;
}

static HRESULT WINAPI property_put_StringValue(IUccProperty *iface, BSTR value)
{
    VARIANT v;

    V_VT(&v) = VT_BSTR;
    V_BSTR(&v) = value;
    return set_value(impl_from_IUccProperty(iface), &v);
}

static HRESULT WINAPI property_get_NumericValue(IUccProperty *iface, LONG *value)
{
    VARIANT converted;
    HRESULT hr;

    if (!value)
        return E_POINTER;
    if (FAILED(hr = value_as(impl_from_IUccProperty(iface), VT_I4, &converted)))
        return hr;
    *value = V_I4(&converted);
    return S_OK;
}

static HRESULT WINAPI property_put_NumericValue(IUccProperty *iface, LONG value)
{
    VARIANT v;

    V_VT(&v) = VT_I4;
    V_I4(&v) = value;
    return set_value(impl_from_IUccProperty(iface), &v);
}

static HRESULT WINAPI property_get_BoolValue(IUccProperty *iface, VARIANT_BOOL *value)
{
    VARIANT converted;
    HRESULT hr;

    if (!value)
        return E_POINTER;
    if (FAILED(hr = value_as(impl_from_IUccProperty(iface), VT_BOOL, &converted)))
        return hr;
    *value = V_BOOL(&converted) ? VARIANT_TRUE : VARIANT_FALSE;
    return S_OK;
}

static HRESULT WINAPI property_put_BoolValue(IUccProperty *iface, VARIANT_BOOL value)
{
    VARIANT v;

    V_VT(&v) = VT_BOOL;
    V_BOOL(&v) = value ? VARIANT_TRUE : VARIANT_FALSE;
    return set_value(impl_from_IUccProperty(iface), &v);
}

static HRESULT WINAPI property_get_ObjectValue(IUccProperty *iface, IUnknown **value)
{
    struct property *property = impl_from_IUccProperty(iface);

    if (!value)
        return E_POINTER;
    *value = NULL;
    if (V_VT(&property->value) != VT_UNKNOWN && V_VT(&property->value) != VT_DISPATCH)
        return DISP_E_TYPEMISMATCH;
    if ((*value = V_UNKNOWN(&property->value)))
        IUnknown_AddRef(*value);
    return S_OK;
}

static HRESULT WINAPI property_put_ObjectValue(IUccProperty *iface, IUnknown *value)
{
    VARIANT v;

    V_VT(&v) = VT_UNKNOWN;
    V_UNKNOWN(&v) = value;
    return set_value(impl_from_IUccProperty(iface), &v);
}

static const IUccPropertyVtbl property_vtbl =
{
    property_QueryInterface,
    property_AddRef,
    property_Release,
    property_get_Id,
    property_get_Name,
    property_get_Value,
    property_put_Value,
    property_get_StringValue,
    property_put_StringValue,
    property_get_NumericValue,
    property_put_NumericValue,
    property_get_BoolValue,
    property_put_BoolValue,
    property_get_ObjectValue,
    property_put_ObjectValue,
};

static HRESULT property_create(LONG id, const WCHAR *name, const VARIANT *value, BOOL read_only,
                               struct property **out)
{
    struct property *property;
    HRESULT hr;

    if (!(property = calloc(1, sizeof(*property))))
        return E_OUTOFMEMORY;
    property->IUccProperty_iface.lpVtbl = &property_vtbl;
    property->refcount = 1;
    com_module_lock();      /* DllCanUnloadNow: one more live object */
    property->id = id;
    VariantInit(&property->value);
    if (name && !(property->name = SysAllocString(name)))
    {
        free(property);
        com_module_unlock();
        return E_OUTOFMEMORY;
    }
    if (value && FAILED(hr = VariantCopy(&property->value, (VARIANT *)value)))
    {
        SysFreeString(property->name);
        free(property);
        com_module_unlock();
        return hr;
    }
    property->read_only = read_only;
    *out = property;
    return S_OK;
}

/* ---- the collection ------------------------------------------------------------------------------ */

struct properties
{
    IUccPropertyCollection IUccPropertyCollection_iface;   /* also IUnknown, IDispatch, IUccCollection ... */
    IUccContext IUccContext_iface;
    LONG refcount;
    BOOL read_only;
    GPtrArray *items;           /* struct property *, referenced */
};

static const IUccPropertyCollectionVtbl properties_vtbl;
static const IUccContextVtbl context_vtbl;

static struct properties *impl_from_IUccPropertyCollection(IUccPropertyCollection *iface)
{
    return CONTAINING_RECORD(iface, struct properties, IUccPropertyCollection_iface);
}

static struct properties *impl_from_IUccContext(IUccContext *iface)
{
    return CONTAINING_RECORD(iface, struct properties, IUccContext_iface);
}

static BOOL names_equal(const WCHAR *a, const WCHAR *b)
{
    for (; *a && *b; a++, b++)
    {
        WCHAR ca = (*a >= 'A' && *a <= 'Z') ? *a + 32 : *a, cb = (*b >= 'A' && *b <= 'Z') ? *b + 32 : *b;
        if (ca != cb)
            return FALSE;
    }
    return *a == *b;
}

static struct property *find_by_id(struct properties *props, LONG id)
{
    guint i;

    for (i = 0; i < props->items->len; i++)
    {
        struct property *p = g_ptr_array_index(props->items, i);
        if (!p->name && p->id == id)
            return p;
    }
    return NULL;
}

static struct property *find_by_name(struct properties *props, const WCHAR *name)
{
    guint i;

    for (i = 0; i < props->items->len; i++)
    {
        struct property *p = g_ptr_array_index(props->items, i);
        if (p->name && names_equal(p->name, name))
            return p;
    }
    return NULL;
}

static void release_property(gpointer p)
{
    IUccProperty_Release(&((struct property *)p)->IUccProperty_iface);
}

static HRESULT WINAPI properties_QueryInterface(IUccPropertyCollection *iface, REFIID riid, void **ppv)
{
    struct properties *props = impl_from_IUccPropertyCollection(iface);

    if (!ppv)
        return E_POINTER;
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IDispatch) || IsEqualIID(riid, &IID_IUccCollection)
        || IsEqualIID(riid, &IID_IUccReadOnlyPropertyCollection)
        || (!props->read_only && IsEqualIID(riid, &IID_IUccPropertyCollection)))
        *ppv = &props->IUccPropertyCollection_iface;
    else if (!props->read_only && IsEqualIID(riid, &IID_IUccContext))
        *ppv = &props->IUccContext_iface;
    else
    {
        *ppv = NULL;
        return E_NOINTERFACE;
    }
    IUnknown_AddRef((IUnknown *)*ppv);
    return S_OK;
}

static ULONG WINAPI properties_AddRef(IUccPropertyCollection *iface)
{
    return InterlockedIncrement(&impl_from_IUccPropertyCollection(iface)->refcount);
}

static ULONG WINAPI properties_Release(IUccPropertyCollection *iface)
{
    struct properties *props = impl_from_IUccPropertyCollection(iface);
    ULONG ref = InterlockedDecrement(&props->refcount);

    if (!ref)
    {
        g_ptr_array_free(props->items, TRUE);
        free(props);
        com_module_unlock();
    }
    return ref;
}

static HRESULT WINAPI properties_GetTypeInfoCount(IUccPropertyCollection *iface, UINT *count)
{
    com_partial(__func__, COM_NO_TYPE_LIBRARY);
    if (!count)
        return E_INVALIDARG;
    *count = 0;
    return S_OK;
}

static HRESULT WINAPI properties_GetTypeInfo(IUccPropertyCollection *iface, UINT index, LCID lcid, ITypeInfo **info)
{
    com_partial(__func__, COM_NO_TYPE_LIBRARY);
    if (!info)
        return E_INVALIDARG;
    *info = NULL;
    return DISP_E_BADINDEX;
}

static const struct dispatch_table properties_dispatch;

static HRESULT WINAPI properties_GetIDsOfNames(IUccPropertyCollection *iface, REFIID riid, LPOLESTR *names,
                                               UINT count, LCID lcid, DISPID *dispids)
{
    if (!IsEqualIID(riid, &IID_NULL))
        return DISP_E_UNKNOWNINTERFACE;
    return dispatch_get_ids_of_names(&properties_dispatch, names, count, dispids);
}

static HRESULT WINAPI properties_Invoke(IUccPropertyCollection *iface, DISPID dispid, REFIID riid, LCID lcid,
                                        WORD flags, DISPPARAMS *params, VARIANT *result, EXCEPINFO *excepinfo,
                                        UINT *arg_err)
{
    if (!IsEqualIID(riid, &IID_NULL))
        return DISP_E_UNKNOWNINTERFACE;
    return dispatch_invoke(&properties_dispatch, (IDispatch *)iface, dispid, flags, params, result, arg_err);
}

static HRESULT WINAPI properties_get_Count(IUccPropertyCollection *iface, LONG *count)
{
    if (!count)
        return E_POINTER;
    *count = impl_from_IUccPropertyCollection(iface)->items->len;
    return S_OK;
}

static HRESULT WINAPI properties_get_Item(IUccPropertyCollection *iface, LONG index, VARIANT *item)
{
    struct properties *props = impl_from_IUccPropertyCollection(iface);
    struct property *property;

    if (!item)
        return E_POINTER;
    V_VT(item) = VT_EMPTY;
    if (index < 1 || (guint)index > props->items->len)
        return E_INVALIDARG;
    property = g_ptr_array_index(props->items, index - 1);
    V_VT(item) = VT_UNKNOWN;
    V_UNKNOWN(item) = (IUnknown *)&property->IUccProperty_iface;
    IUnknown_AddRef(V_UNKNOWN(item));
    return S_OK;
}

static HRESULT WINAPI properties_get__NewEnum(IUccPropertyCollection *iface, IUnknown **out)
{
    struct properties *props = impl_from_IUccPropertyCollection(iface);
    IUnknown **items;
    IUccCollection *snapshot;
    guint i;
    HRESULT hr;

    if (!out)
        return E_POINTER;
    *out = NULL;
    items = g_new(IUnknown *, props->items->len + 1);
    for (i = 0; i < props->items->len; i++)
        items[i] = (IUnknown *)&((struct property *)g_ptr_array_index(props->items, i))->IUccProperty_iface;
    hr = ucc_collection_create(items, props->items->len, &snapshot);
    g_free(items);
    if (FAILED(hr))
        return hr;
    hr = IUccCollection_get__NewEnum(snapshot, out);
    IUccCollection_Release(snapshot);
    return hr;
}

static HRESULT return_property(struct property *property, IUccProperty **out)
{
    if (!property)
        return UCC_E_RTCSHIM_NOT_FOUND;
    *out = &property->IUccProperty_iface;
    IUccProperty_AddRef(*out);
    return S_OK;
}

static HRESULT WINAPI properties_get_Property(IUccPropertyCollection *iface, LONG id, IUccProperty **out)
{
    if (!out)
        return E_POINTER;
    *out = NULL;
    return return_property(find_by_id(impl_from_IUccPropertyCollection(iface), id), out);
}

static HRESULT WINAPI properties_IsPropertySet(IUccPropertyCollection *iface, LONG id, VARIANT_BOOL *set)
{
    if (!set)
        return E_POINTER;
    *set = find_by_id(impl_from_IUccPropertyCollection(iface), id) ? VARIANT_TRUE : VARIANT_FALSE;
    return S_OK;
}

static HRESULT WINAPI properties_get_NamedProperty(IUccPropertyCollection *iface, BSTR name, IUccProperty **out)
{
    if (!out)
        return E_POINTER;
    *out = NULL;
    if (!name)
        return E_INVALIDARG;
    return return_property(find_by_name(impl_from_IUccPropertyCollection(iface), name), out);
}

static HRESULT WINAPI properties_IsNamedPropertySet(IUccPropertyCollection *iface, BSTR name, VARIANT_BOOL *set)
{
    if (!set)
        return E_POINTER;
    *set = name && find_by_name(impl_from_IUccPropertyCollection(iface), name) ? VARIANT_TRUE : VARIANT_FALSE;
    return S_OK;
}

/* Adds or replaces; the new or updated property in *out (optional). */
static HRESULT add_property(struct properties *props, LONG id, const WCHAR *name, const VARIANT *value,
                            BOOL replace, IUccProperty **out)
{
    struct property *property = NULL;
    HRESULT hr;

    if (replace)
        property = name ? find_by_name(props, name) : find_by_id(props, id);
    if (property)
    {
        BOOL read_only = property->read_only;
        property->read_only = FALSE;
        hr = set_value(property, value);
        property->read_only = read_only;
        if (FAILED(hr))
            return hr;
    }
    else
    {
        if (FAILED(hr = property_create(name ? 0 : id, name, value, props->read_only, &property)))
            return hr;
        g_ptr_array_add(props->items, property);
    }
    if (out)
    {
        *out = &property->IUccProperty_iface;
        IUccProperty_AddRef(*out);
    }
    return S_OK;
}

static HRESULT WINAPI properties_AddProperty(IUccPropertyCollection *iface, LONG id, VARIANT value,
                                             IUccProperty **out)
{
    struct properties *props = impl_from_IUccPropertyCollection(iface);

    if (out)
        *out = NULL;
    if (props->read_only)
        return E_ACCESSDENIED;
    return add_property(props, id, NULL, &value, TRUE, out);
}

static HRESULT WINAPI properties_RemoveProperty(IUccPropertyCollection *iface, LONG id)
{
    struct properties *props = impl_from_IUccPropertyCollection(iface);
    struct property *property;

    if (props->read_only)
        return E_ACCESSDENIED;
    if (!(property = find_by_id(props, id)))
        return UCC_E_RTCSHIM_NOT_FOUND;
    g_ptr_array_remove(props->items, property);
    return S_OK;
}

static HRESULT WINAPI properties_AddNamedProperty(IUccPropertyCollection *iface, BSTR name, VARIANT value,
                                                  IUccProperty **out)
{
    struct properties *props = impl_from_IUccPropertyCollection(iface);

    if (out)
        *out = NULL;
    if (props->read_only)
        return E_ACCESSDENIED;
    if (!name || !*name)
        return E_INVALIDARG;
    return add_property(props, 0, name, &value, TRUE, out);
}

static HRESULT WINAPI properties_RemoveNamedProperty(IUccPropertyCollection *iface, BSTR name)
{
    struct properties *props = impl_from_IUccPropertyCollection(iface);
    struct property *property;

    if (props->read_only)
        return E_ACCESSDENIED;
    if (!name || !(property = find_by_name(props, name)))
        return UCC_E_RTCSHIM_NOT_FOUND;
    g_ptr_array_remove(props->items, property);
    return S_OK;
}

static const IUccPropertyCollectionVtbl properties_vtbl =
{
    properties_QueryInterface,
    properties_AddRef,
    properties_Release,
    properties_GetTypeInfoCount,
    properties_GetTypeInfo,
    properties_GetIDsOfNames,
    properties_Invoke,
    properties_get_Count,
    properties_get_Item,
    properties_get__NewEnum,
    properties_get_Property,
    properties_IsPropertySet,
    properties_get_NamedProperty,
    properties_IsNamedPropertySet,
    properties_AddProperty,
    properties_RemoveProperty,
    properties_AddNamedProperty,
    properties_RemoveNamedProperty,
};

/* ---- IUccContext: the same members, forwarded ------------------------------------------------------ */

#define PCOLL(iface) (&impl_from_IUccContext(iface)->IUccPropertyCollection_iface)

static HRESULT WINAPI context_QueryInterface(IUccContext *iface, REFIID riid, void **ppv)
{
    return properties_QueryInterface(PCOLL(iface), riid, ppv);
}

static ULONG WINAPI context_AddRef(IUccContext *iface)
{
    return properties_AddRef(PCOLL(iface));
}

static ULONG WINAPI context_Release(IUccContext *iface)
{
    return properties_Release(PCOLL(iface));
}

static HRESULT WINAPI context_GetTypeInfoCount(IUccContext *iface, UINT *count)
{
    return properties_GetTypeInfoCount(PCOLL(iface), count);
}

static HRESULT WINAPI context_GetTypeInfo(IUccContext *iface, UINT index, LCID lcid, ITypeInfo **info)
{
    return properties_GetTypeInfo(PCOLL(iface), index, lcid, info);
}

static HRESULT WINAPI context_GetIDsOfNames(IUccContext *iface, REFIID riid, LPOLESTR *names, UINT count,
                                            LCID lcid, DISPID *dispids)
{
    return properties_GetIDsOfNames(PCOLL(iface), riid, names, count, lcid, dispids);
}

static HRESULT WINAPI context_Invoke(IUccContext *iface, DISPID dispid, REFIID riid, LCID lcid, WORD flags,
                                     DISPPARAMS *params, VARIANT *result, EXCEPINFO *excepinfo, UINT *arg_err)
{
    return properties_Invoke(PCOLL(iface), dispid, riid, lcid, flags, params, result, excepinfo, arg_err);
}

static HRESULT WINAPI context_get_Count(IUccContext *iface, LONG *count)
{
    return properties_get_Count(PCOLL(iface), count);
}

static HRESULT WINAPI context_get_Item(IUccContext *iface, LONG index, VARIANT *item)
{
    return properties_get_Item(PCOLL(iface), index, item);
}

static HRESULT WINAPI context_get__NewEnum(IUccContext *iface, IUnknown **out)
{
    return properties_get__NewEnum(PCOLL(iface), out);
}

static HRESULT WINAPI context_get_Property(IUccContext *iface, LONG id, IUccProperty **out)
{
    return properties_get_Property(PCOLL(iface), id, out);
}

static HRESULT WINAPI context_IsPropertySet(IUccContext *iface, LONG id, VARIANT_BOOL *set)
{
    return properties_IsPropertySet(PCOLL(iface), id, set);
}

static HRESULT WINAPI context_get_NamedProperty(IUccContext *iface, BSTR name, IUccProperty **out)
{
    return properties_get_NamedProperty(PCOLL(iface), name, out);
}

static HRESULT WINAPI context_IsNamedPropertySet(IUccContext *iface, BSTR name, VARIANT_BOOL *set)
{
    return properties_IsNamedPropertySet(PCOLL(iface), name, set);
}

static HRESULT WINAPI context_AddProperty(IUccContext *iface, LONG id, VARIANT value, IUccProperty **out)
{
    return properties_AddProperty(PCOLL(iface), id, value, out);
}

static HRESULT WINAPI context_RemoveProperty(IUccContext *iface, LONG id)
{
    return properties_RemoveProperty(PCOLL(iface), id);
}

static HRESULT WINAPI context_AddNamedProperty(IUccContext *iface, BSTR name, VARIANT value, IUccProperty **out)
{
    return properties_AddNamedProperty(PCOLL(iface), name, value, out);
}

static HRESULT WINAPI context_RemoveNamedProperty(IUccContext *iface, BSTR name)
{
    return properties_RemoveNamedProperty(PCOLL(iface), name);
}

static const IUccContextVtbl context_vtbl =
{
    context_QueryInterface,
    context_AddRef,
    context_Release,
    context_GetTypeInfoCount,
    context_GetTypeInfo,
    context_GetIDsOfNames,
    context_Invoke,
    context_get_Count,
    context_get_Item,
    context_get__NewEnum,
    context_get_Property,
    context_IsPropertySet,
    context_get_NamedProperty,
    context_IsNamedPropertySet,
    context_AddProperty,
    context_RemoveProperty,
    context_AddNamedProperty,
    context_RemoveNamedProperty,
};

/* ---- IDispatch thunks (iface is the IUccPropertyCollection pointer) --------------------------------- */

#define THIS_PCOLL(iface) ((IUccPropertyCollection *)(iface))

static const VARIANT *deref(const VARIANT *arg)
{
    return V_VT(arg) == (VT_VARIANT | VT_BYREF) && V_VARIANTREF(arg) ? V_VARIANTREF(arg) : arg;
}

static HRESULT long_arg(const VARIANT *arg, LONG *value)
{
    VARIANT converted;

    VariantInit(&converted);
    if (FAILED(VariantChangeType(&converted, (VARIANT *)deref(arg), 0, VT_I4)))
        return DISP_E_TYPEMISMATCH;
    *value = V_I4(&converted);
    return S_OK;
}

/* A BSTR argument: *name borrows it when it is one, else a converted copy in *owned. */
static HRESULT bstr_arg(const VARIANT *arg, BSTR *name, VARIANT *owned)
{
    VariantInit(owned);
    arg = deref(arg);
    if (V_VT(arg) == VT_BSTR)
    {
        *name = V_BSTR(arg);
        return S_OK;
    }
    if (FAILED(VariantChangeType(owned, (VARIANT *)arg, 0, VT_BSTR)))
        return DISP_E_TYPEMISMATCH;
    *name = V_BSTR(owned);
    return S_OK;
}

static HRESULT property_result(HRESULT hr, IUccProperty *property, VARIANT *result)
{
    if (SUCCEEDED(hr))
    {
        V_VT(result) = VT_UNKNOWN;
        V_UNKNOWN(result) = (IUnknown *)property;
    }
    return hr;
}

static HRESULT dispatch_count(IDispatch *iface, DISPPARAMS *params, VARIANT *result)
{
    HRESULT hr;

    if (params->cArgs)
        return DISP_E_BADPARAMCOUNT;
    if (SUCCEEDED(hr = properties_get_Count(THIS_PCOLL(iface), &V_I4(result))))
        V_VT(result) = VT_I4;
    return hr;
}

static HRESULT dispatch_item(IDispatch *iface, DISPPARAMS *params, VARIANT *result)
{
    LONG index;
    HRESULT hr;

    if (params->cArgs != 1)
        return DISP_E_BADPARAMCOUNT;
    if (FAILED(hr = long_arg(&params->rgvarg[0], &index)))
        return hr;
    return properties_get_Item(THIS_PCOLL(iface), index, result);
}

static HRESULT dispatch_new_enum(IDispatch *iface, DISPPARAMS *params, VARIANT *result)
{
    HRESULT hr;

    if (params->cArgs)
        return DISP_E_BADPARAMCOUNT;
    if (SUCCEEDED(hr = properties_get__NewEnum(THIS_PCOLL(iface), &V_UNKNOWN(result))))
        V_VT(result) = VT_UNKNOWN;
    return hr;
}

static HRESULT dispatch_property(IDispatch *iface, DISPPARAMS *params, VARIANT *result)
{
    IUccProperty *property = NULL;
    LONG id;
    HRESULT hr;

    if (params->cArgs != 1)
        return DISP_E_BADPARAMCOUNT;
    if (FAILED(hr = long_arg(&params->rgvarg[0], &id)))
        return hr;
    hr = properties_get_Property(THIS_PCOLL(iface), id, &property);
    return property_result(hr, property, result);
}

static HRESULT dispatch_is_property_set(IDispatch *iface, DISPPARAMS *params, VARIANT *result)
{
    LONG id;
    HRESULT hr;

    if (params->cArgs != 1)
        return DISP_E_BADPARAMCOUNT;
    if (FAILED(hr = long_arg(&params->rgvarg[0], &id)))
        return hr;
    if (SUCCEEDED(hr = properties_IsPropertySet(THIS_PCOLL(iface), id, &V_BOOL(result))))
        V_VT(result) = VT_BOOL;
    return hr;
}

static HRESULT dispatch_named_property(IDispatch *iface, DISPPARAMS *params, VARIANT *result)
{
    IUccProperty *property = NULL;
    VARIANT owned;
    BSTR name;
    HRESULT hr;

    if (params->cArgs != 1)
        return DISP_E_BADPARAMCOUNT;
    if (FAILED(hr = bstr_arg(&params->rgvarg[0], &name, &owned)))
        return hr;
    hr = properties_get_NamedProperty(THIS_PCOLL(iface), name, &property);
    VariantClear(&owned);
    return property_result(hr, property, result);
}

static HRESULT dispatch_is_named_property_set(IDispatch *iface, DISPPARAMS *params, VARIANT *result)
{
    VARIANT owned;
    BSTR name;
    HRESULT hr;

    if (params->cArgs != 1)
        return DISP_E_BADPARAMCOUNT;
    if (FAILED(hr = bstr_arg(&params->rgvarg[0], &name, &owned)))
        return hr;
    if (SUCCEEDED(hr = properties_IsNamedPropertySet(THIS_PCOLL(iface), name, &V_BOOL(result))))
        V_VT(result) = VT_BOOL;
    VariantClear(&owned);
    return hr;
}

/* AddProperty(id, value): rgvarg[1] = id, rgvarg[0] = value. */
static HRESULT dispatch_add_property(IDispatch *iface, DISPPARAMS *params, VARIANT *result)
{
    IUccProperty *property = NULL;
    LONG id;
    HRESULT hr;

    if (params->cArgs != 2)
        return DISP_E_BADPARAMCOUNT;
    if (FAILED(hr = long_arg(&params->rgvarg[1], &id)))
        return hr;
    hr = properties_AddProperty(THIS_PCOLL(iface), id, *deref(&params->rgvarg[0]), &property);
    return property_result(hr, property, result);
}

static HRESULT dispatch_remove_property(IDispatch *iface, DISPPARAMS *params, VARIANT *result)
{
    LONG id;
    HRESULT hr;

    if (params->cArgs != 1)
        return DISP_E_BADPARAMCOUNT;
    if (FAILED(hr = long_arg(&params->rgvarg[0], &id)))
        return hr;
    return properties_RemoveProperty(THIS_PCOLL(iface), id);
}

static HRESULT dispatch_add_named_property(IDispatch *iface, DISPPARAMS *params, VARIANT *result)
{
    IUccProperty *property = NULL;
    VARIANT owned;
    BSTR name;
    HRESULT hr;

    if (params->cArgs != 2)
        return DISP_E_BADPARAMCOUNT;
    if (FAILED(hr = bstr_arg(&params->rgvarg[1], &name, &owned)))
        return hr;
    hr = properties_AddNamedProperty(THIS_PCOLL(iface), name, *deref(&params->rgvarg[0]), &property);
    VariantClear(&owned);
    return property_result(hr, property, result);
}

static HRESULT dispatch_remove_named_property(IDispatch *iface, DISPPARAMS *params, VARIANT *result)
{
    VARIANT owned;
    BSTR name;
    HRESULT hr;

    if (params->cArgs != 1)
        return DISP_E_BADPARAMCOUNT;
    if (FAILED(hr = bstr_arg(&params->rgvarg[0], &name, &owned)))
        return hr;
    hr = properties_RemoveNamedProperty(THIS_PCOLL(iface), name);
    VariantClear(&owned);
    return hr;
}

static const struct dispatch_member properties_members[] =
{
    { L"Count", DISPID_IUccCollection_Count, DISPATCH_PROPERTYGET, dispatch_count },
    { L"Item", DISPID_IUccCollection_Item, DISPATCH_PROPERTYGET | DISPATCH_METHOD, dispatch_item },
    { L"_NewEnum", DISPID_IUccCollection__NewEnum, DISPATCH_PROPERTYGET | DISPATCH_METHOD, dispatch_new_enum },
    { L"Property", DISPID_IUccReadOnlyPropertyCollection_Property, DISPATCH_PROPERTYGET | DISPATCH_METHOD,
      dispatch_property },
    { L"IsPropertySet", DISPID_IUccReadOnlyPropertyCollection_IsPropertySet, DISPATCH_METHOD,
      dispatch_is_property_set },
    { L"NamedProperty", DISPID_IUccReadOnlyPropertyCollection_NamedProperty, DISPATCH_PROPERTYGET | DISPATCH_METHOD,
      dispatch_named_property },
    { L"IsNamedPropertySet", DISPID_IUccReadOnlyPropertyCollection_IsNamedPropertySet, DISPATCH_METHOD,
      dispatch_is_named_property_set },
    { L"AddProperty", DISPID_IUccPropertyCollection_AddProperty, DISPATCH_METHOD, dispatch_add_property },
    { L"RemoveProperty", DISPID_IUccPropertyCollection_RemoveProperty, DISPATCH_METHOD, dispatch_remove_property },
    { L"AddNamedProperty", DISPID_IUccPropertyCollection_AddNamedProperty, DISPATCH_METHOD,
      dispatch_add_named_property },
    { L"RemoveNamedProperty", DISPID_IUccPropertyCollection_RemoveNamedProperty, DISPATCH_METHOD,
      dispatch_remove_named_property },
};

static const struct dispatch_table properties_dispatch = { properties_members, ARRAY_SIZE(properties_members) };

/* ---- creation and internal helpers ---------------------------------------------------------------- */

static struct properties *properties_alloc(BOOL read_only)
{
    struct properties *props = calloc(1, sizeof(*props));

    if (!props)
        return NULL;
    props->IUccPropertyCollection_iface.lpVtbl = &properties_vtbl;
    props->IUccContext_iface.lpVtbl = &context_vtbl;
    props->refcount = 1;
    com_module_lock();      /* DllCanUnloadNow: one more live object */
    props->read_only = read_only;
    props->items = g_ptr_array_new_with_free_func(release_property);
    return props;
}

HRESULT ucc_context_create(IUccContext **out)
{
    struct properties *props;

    if (!out)
        return E_POINTER;
    if (!(props = properties_alloc(FALSE)))
        return E_OUTOFMEMORY;
    *out = &props->IUccContext_iface;
    return S_OK;
}

HRESULT ucc_property_collection_create(BOOL read_only, IUccPropertyCollection **out)
{
    struct properties *props;

    if (!out)
        return E_POINTER;
    if (!(props = properties_alloc(read_only)))
        return E_OUTOFMEMORY;
    *out = &props->IUccPropertyCollection_iface;
    return S_OK;
}

/* One of ours, from any of its interfaces. */
static struct properties *properties_from_unknown(IUnknown *unknown)
{
    IUccReadOnlyPropertyCollection *ro;
    struct properties *props = NULL;

    if (!unknown || FAILED(IUnknown_QueryInterface(unknown, &IID_IUccReadOnlyPropertyCollection, (void **)&ro)))
        return NULL;
    if (ro->lpVtbl == (const IUccReadOnlyPropertyCollectionVtbl *)&properties_vtbl)
        props = impl_from_IUccPropertyCollection((IUccPropertyCollection *)ro);
    IUccReadOnlyPropertyCollection_Release(ro);
    return props;
}

HRESULT ucc_properties_add(IUnknown *collection, LONG id, const WCHAR *name, const VARIANT *value, BOOL replace)
{
    struct properties *props = properties_from_unknown(collection);

    if (!props)
        return E_INVALIDARG;
    return add_property(props, id, name, value, replace, NULL);
}

HRESULT ucc_properties_add_string(IUnknown *collection, LONG id, const char *name, const char *value, BOOL replace)
{
    WCHAR *wname = NULL;
    VARIANT v;
    HRESULT hr;

    V_VT(&v) = VT_BSTR;
    if (!(V_BSTR(&v) = ucc_bstr(value ? value : "")))
        return E_OUTOFMEMORY;
    if (name && !(wname = ucc_bstr(name)))
    {
        VariantClear(&v);
        return E_OUTOFMEMORY;
    }
    hr = ucc_properties_add(collection, id, wname, &v, replace);
    SysFreeString(wname);
    VariantClear(&v);
    return hr;
}

char *ucc_context_get_string(IUccContext *context, LONG id)
{
    VARIANT_BOOL set = VARIANT_FALSE;
    IUccProperty *property;
    BSTR value = NULL;
    char *utf8 = NULL;

    if (!context || FAILED(IUccContext_IsPropertySet(context, id, &set)) || !set)
        return NULL;
    if (FAILED(IUccContext_get_Property(context, id, &property)))
        return NULL;
    if (SUCCEEDED(IUccProperty_get_StringValue(property, &value)))
        utf8 = ucc_utf8(value);
    SysFreeString(value);
    IUccProperty_Release(property);
    return utf8;
}

BOOL ucc_context_get_bool(IUccContext *context, LONG id, BOOL default_value)
{
    VARIANT_BOOL set = VARIANT_FALSE, value = VARIANT_FALSE;
    IUccProperty *property;
    BOOL ret = default_value;

    if (!context || FAILED(IUccContext_IsPropertySet(context, id, &set)) || !set)
        return default_value;
    if (FAILED(IUccContext_get_Property(context, id, &property)))
        return default_value;
    if (SUCCEEDED(IUccProperty_get_BoolValue(property, &value)))
        ret = value != VARIANT_FALSE;
    IUccProperty_Release(property);
    return ret;
}

LONG ucc_context_get_long(IUccContext *context, LONG id, LONG default_value)
{
    VARIANT_BOOL set = VARIANT_FALSE;
    IUccProperty *property;
    LONG value = default_value;

    if (!context || FAILED(IUccContext_IsPropertySet(context, id, &set)) || !set)
        return default_value;
    if (FAILED(IUccContext_get_Property(context, id, &property)))
        return default_value;
    if (FAILED(IUccProperty_get_NumericValue(property, &value)))
        value = default_value;
    IUccProperty_Release(property);
    return value;
}

LONG ucc_context_get_named_long(IUccContext *context, const WCHAR *name, LONG default_value)
{
    IUccProperty *property;
    BSTR bname;
    LONG value = default_value;

    if (!context || !(bname = SysAllocString(name)))
        return default_value;
    if (SUCCEEDED(IUccContext_get_NamedProperty(context, bname, &property)))
    {
        if (FAILED(IUccProperty_get_NumericValue(property, &value)))
            value = default_value;
        IUccProperty_Release(property);
    }
    SysFreeString(bname);
    return value;
}

/* ---- class objects ------------------------------------------------------------------------------- */

static HRESULT context_create_instance(REFIID riid, void **ppv)
{
    IUccContext *context;
    HRESULT hr;

    if (FAILED(hr = ucc_context_create(&context)))
        return hr;
    hr = IUccContext_QueryInterface(context, riid, ppv);
    IUccContext_Release(context);
    return hr;
}

static HRESULT property_collection_create_instance(REFIID riid, void **ppv)
{
    IUccPropertyCollection *collection;
    HRESULT hr;

    if (FAILED(hr = ucc_property_collection_create(FALSE, &collection)))
        return hr;
    hr = IUccPropertyCollection_QueryInterface(collection, riid, ppv);
    IUccPropertyCollection_Release(collection);
    return hr;
}

static void __attribute__((constructor)) property_register_classes(void)
{
    com_register_class(&CLSID_UccContext, "UccContext", context_create_instance);
    com_register_class(&CLSID_UccPropertyCollection, "UccPropertyCollection", property_collection_create_instance);
}
