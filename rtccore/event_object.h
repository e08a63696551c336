/*
 * What every RTC event object shares (events.c, presence_events.c): a
 * reference-counted object behind one IDispatch-derived event interface,
 * answering the IIDs of its class, with IDispatch by a member table
 * (dispatch_invoke with rtccore.idl's DISPIDs), and the getters' and Invoke
 * thunks' helpers. Internal to rtccore/; events.c's header comment
 * describes the IDispatch rules these follow.
 */
#ifndef RTCSHIM_RTCCORE_EVENT_OBJECT_H
#define RTCSHIM_RTCCORE_EVENT_OBJECT_H

#include "rtccore_private.h"

/* ---- what every event object shares ----------------------------------------------- */

struct event;

struct event_class
{
    const IID *iids[2];     /* answered besides IUnknown and IDispatch; NULL = unused */
    const struct dispatch_table *dispatch;
    void (*destroy)(struct event *event);
};

struct event
{
    IDispatch *iface;       /* the object's event interface, seen as its IDispatch */
    LONG refcount;
    const struct event_class *class;
};

static inline void event_init(struct event *event, void *iface, const struct event_class *class)
{
    event->iface = iface;
    event->refcount = 1;
    com_module_lock();      /* DllCanUnloadNow: one more live object */
    event->class = class;
}

static inline HRESULT event_query_interface(struct event *event, REFIID riid, void **ppv)
{
    unsigned int i;

    if (!ppv)
        return E_POINTER;
    *ppv = NULL;
    if (!riid)
        return E_INVALIDARG;
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IDispatch))
        *ppv = event->iface;
    for (i = 0; i < ARRAY_SIZE(event->class->iids); i++)
    {
        if (event->class->iids[i] && IsEqualIID(riid, event->class->iids[i]))
            *ppv = event->iface;
    }
    if (!*ppv)
        return E_NOINTERFACE;
    IDispatch_AddRef(event->iface);
    return S_OK;
}

static inline ULONG event_add_ref(struct event *event)
{
    return InterlockedIncrement(&event->refcount);
}

static inline ULONG event_release(struct event *event)
{
    ULONG ref = InterlockedDecrement(&event->refcount);

    if (!ref)
    {
        event->class->destroy(event);
        com_module_unlock();
    }
    return ref;
}

static inline HRESULT event_get_type_info_count(UINT *count)
{
    com_partial("IRTC*Event::GetTypeInfoCount", COM_NO_TYPE_LIBRARY);
    if (!count)
        return E_POINTER;
    *count = 0;
    return S_OK;
}

static inline HRESULT event_get_type_info(UINT index, ITypeInfo **info)
{
    com_partial("IRTC*Event::GetTypeInfo", COM_NO_TYPE_LIBRARY);
    if (info)
        *info = NULL;
    if (index != 0)
        return DISP_E_BADINDEX;
    if (!info)
        return E_POINTER;
    return E_NOTIMPL;
}

static inline HRESULT event_get_ids_of_names(struct event *event, REFIID riid, LPOLESTR *names, UINT count,
                                      DISPID *dispids)
{
    if (riid && !IsEqualIID(riid, &IID_NULL))
        return DISP_E_UNKNOWNINTERFACE;
    return dispatch_get_ids_of_names(event->class->dispatch, names, count, dispids);
}

static inline HRESULT event_invoke(struct event *event, DISPID dispid, REFIID riid, WORD flags,
                            DISPPARAMS *params, VARIANT *result, UINT *arg_err)
{
    if (riid && !IsEqualIID(riid, &IID_NULL))
        return DISP_E_UNKNOWNINTERFACE;
    return dispatch_invoke(event->class->dispatch, event->iface, dispid, flags, params, result, arg_err);
}

/*
 * The IUnknown and IDispatch methods of one event interface. The object type
 * must have a member "base" (struct event) and an impl_from_<iface_type>().
 */
#define EVENT_IDISPATCH_METHODS(prefix, iface_type) \
    static HRESULT WINAPI prefix##_QueryInterface(iface_type *iface, REFIID riid, void **ppv) \
    { \
        return event_query_interface(&impl_from_##iface_type(iface)->base, riid, ppv); \
    } \
    static ULONG WINAPI prefix##_AddRef(iface_type *iface) \
    { \
        return event_add_ref(&impl_from_##iface_type(iface)->base); \
    } \
    static ULONG WINAPI prefix##_Release(iface_type *iface) \
    { \
        return event_release(&impl_from_##iface_type(iface)->base); \
    } \
    static HRESULT WINAPI prefix##_GetTypeInfoCount(iface_type *iface, UINT *count) \
    { \
        return event_get_type_info_count(count); \
    } \
    static HRESULT WINAPI prefix##_GetTypeInfo(iface_type *iface, UINT index, LCID lcid, ITypeInfo **info) \
    { \
        return event_get_type_info(index, info); \
    } \
    static HRESULT WINAPI prefix##_GetIDsOfNames(iface_type *iface, REFIID riid, LPOLESTR *names, \
                                                 UINT count, LCID lcid, DISPID *dispids) \
    { \
        return event_get_ids_of_names(&impl_from_##iface_type(iface)->base, riid, names, count, dispids); \
    } \
    static HRESULT WINAPI prefix##_Invoke(iface_type *iface, DISPID dispid, REFIID riid, LCID lcid, \
                                          WORD flags, DISPPARAMS *params, VARIANT *result, \
                                          EXCEPINFO *excepinfo, UINT *arg_err) \
    { \
        return event_invoke(&impl_from_##iface_type(iface)->base, dispid, riid, flags, params, result, \
                            arg_err); \
    }

#define EVENT_IDISPATCH_VTBL(prefix) \
    prefix##_QueryInterface, \
    prefix##_AddRef, \
    prefix##_Release, \
    prefix##_GetTypeInfoCount, \
    prefix##_GetTypeInfo, \
    prefix##_GetIDsOfNames, \
    prefix##_Invoke

/* ---- getters' helpers ----------------------------------------------------------------- */

/* Constructor side: a private copy of a string argument; NULL stays NULL (= empty). */
static inline BOOL copy_string(const WCHAR *value, BSTR *copy)
{
    *copy = NULL;
    return !value || (*copy = SysAllocString(value));
}

static inline void add_ref(IUnknown *iface)
{
    if (iface)
        IUnknown_AddRef(iface);
}

static inline void release(IUnknown *iface)
{
    if (iface)
        IUnknown_Release(iface);
}

static inline HRESULT get_interface(IUnknown *value, void **out)
{
    if (!out)
        return E_POINTER;
    add_ref(value);
    *out = value;
    return S_OK;
}

static inline HRESULT get_string(BSTR value, BSTR *out)
{
    if (!out)
        return E_POINTER;
    /* A fresh copy, the empty string for NULL; embedded NULs kept. */
    if (!(*out = SysAllocStringLen(value, SysStringLen(value))))
        return E_OUTOFMEMORY;
    return S_OK;
}

/* GetRemoteSessionDescription: E_INVALIDARG for a NULL pointer, as documented for
 * IRTCReInviteEvent::GetRemoteSessionDescription; empty strings when there is no
 * description ("or an empty string if there is no entry"). */
static inline HRESULT get_description(BSTR type, BSTR body, BSTR *out_type, BSTR *out_body)
{
    if (!out_type || !out_body)
    {
        if (out_type)
            *out_type = NULL;
        if (out_body)
            *out_body = NULL;
        return E_INVALIDARG;
    }
    *out_type = *out_body = NULL;
    if (FAILED(get_string(type, out_type)) || FAILED(get_string(body, out_body)))
    {
        SysFreeString(*out_type);
        SysFreeString(*out_body);
        *out_type = *out_body = NULL;
        return E_OUTOFMEMORY;
    }
    return S_OK;
}

/* ---- Invoke thunks: call the vtable method, pack its result --------------------------- */

static inline HRESULT pack_long(VARIANT *result, LONG value)
{
    V_VT(result) = VT_I4;
    V_I4(result) = value;
    return S_OK;
}

static inline HRESULT pack_long_ptr(VARIANT *result, LONG_PTR value)
{
    /* LONG_PTR is a 64-bit integer in a 64-bit type library, 32-bit in a 32-bit one. */
    if (sizeof(value) == sizeof(LONGLONG))
    {
        V_VT(result) = VT_I8;
        V_I8(result) = value;
    }
    else
    {
        V_VT(result) = VT_I4;
        V_I4(result) = (LONG)value;
    }
    return S_OK;
}

static inline HRESULT pack_bool(VARIANT *result, VARIANT_BOOL value)
{
    V_VT(result) = VT_BOOL;
    V_BOOL(result) = value ? VARIANT_TRUE : VARIANT_FALSE;
    return S_OK;
}

static inline HRESULT pack_string(VARIANT *result, BSTR value)
{
    V_VT(result) = VT_BSTR;
    V_BSTR(result) = value;     /* the getter's fresh copy now belongs to the VARIANT */
    return S_OK;
}

/* Takes over the reference the getter returned. */
static inline HRESULT pack_unknown(VARIANT *result, IUnknown *value)
{
    IDispatch *dispatch;

    if (!value)
    {
        V_VT(result) = VT_DISPATCH;
        V_DISPATCH(result) = NULL;
    }
    else if (SUCCEEDED(IUnknown_QueryInterface(value, &IID_IDispatch, (void **)&dispatch)))
    {
        IUnknown_Release(value);
        V_VT(result) = VT_DISPATCH;
        V_DISPATCH(result) = dispatch;
    }
    else
    {
        V_VT(result) = VT_UNKNOWN;
        V_UNKNOWN(result) = value;
    }
    return S_OK;
}

#define pack_interface(result, value) pack_unknown(result, (IUnknown *)(value))

/* A property get without arguments: iface_type##_##method(iface, &value), then pack(). */
#define DISPATCH_PROPGET(name, iface_type, method, value_type, pack) \
    static HRESULT name(IDispatch *iface, DISPPARAMS *params, VARIANT *result) \
    { \
        value_type value; \
        HRESULT hr; \
        \
        if (params->cArgs) \
            return DISP_E_BADPARAMCOUNT; \
        if (FAILED(hr = iface_type##_##method((iface_type *)iface, &value))) \
            return hr; \
        return pack(result, value); \
    }

/* Argument index (0 = first in the method's signature) -> VARIANT; rgvarg is last first. */
static inline VARIANT *dispatch_arg(DISPPARAMS *params, UINT index)
{
    VARIANT *arg = &params->rgvarg[params->cArgs - 1 - index];

    if (V_VT(arg) == (VT_BYREF | VT_VARIANT) && V_VARIANTREF(arg))
        arg = V_VARIANTREF(arg);
    return arg;
}

/* An [in] argument coerced to vt into *value (VariantClear it afterwards). */
static inline HRESULT dispatch_arg_in(DISPPARAMS *params, UINT index, VARTYPE vt, VARIANT *value)
{
    VARIANT *arg = dispatch_arg(params, index), plain;
    HRESULT hr;

    VariantInit(value);
    VariantInit(&plain);
    switch (V_VT(arg))
    {
    case VT_BYREF | VT_I2:   V_VT(&plain) = VT_I2;   V_I2(&plain) = *V_I2REF(arg); arg = &plain; break;
    case VT_BYREF | VT_I4:   V_VT(&plain) = VT_I4;   V_I4(&plain) = *V_I4REF(arg); arg = &plain; break;
    case VT_BYREF | VT_UI1:  V_VT(&plain) = VT_UI1;  V_UI1(&plain) = *V_UI1REF(arg); arg = &plain; break;
    case VT_BYREF | VT_BOOL: V_VT(&plain) = VT_BOOL; V_BOOL(&plain) = *V_BOOLREF(arg); arg = &plain; break;
    case VT_BYREF | VT_BSTR: V_VT(&plain) = VT_BSTR; V_BSTR(&plain) = *V_BSTRREF(arg); arg = &plain; break;
    default: break;
    }
    hr = VariantChangeType(value, arg, 0, vt);
    if (hr == E_OUTOFMEMORY)
        return hr;
    return FAILED(hr) ? DISP_E_TYPEMISMATCH : S_OK;
}

/* Checks that argument index can take an [out] BSTR. */
static inline HRESULT dispatch_arg_out_bstr_check(DISPPARAMS *params, UINT index)
{
    VARIANT *arg = &params->rgvarg[params->cArgs - 1 - index];

    if (V_VT(arg) == (VT_BYREF | VT_BSTR) && V_BSTRREF(arg))
        return S_OK;
    if (V_VT(arg) == (VT_BYREF | VT_VARIANT) && V_VARIANTREF(arg))
        return S_OK;
    return DISP_E_TYPEMISMATCH;
}

/* Stores value (owned) in a checked [out] BSTR argument. */
static inline void dispatch_arg_out_bstr(DISPPARAMS *params, UINT index, BSTR value)
{
    VARIANT *arg = &params->rgvarg[params->cArgs - 1 - index];

    if (V_VT(arg) == (VT_BYREF | VT_BSTR))
        *V_BSTRREF(arg) = value;
    else
    {
        VariantClear(V_VARIANTREF(arg));
        V_VT(V_VARIANTREF(arg)) = VT_BSTR;
        V_BSTR(V_VARIANTREF(arg)) = value;
    }
}

/* GetRemoteSessionDescription([out] BSTR *content_type, [out] BSTR *description). */
#define DISPATCH_GET_DESCRIPTION(name, iface_type) \
    static HRESULT name(IDispatch *iface, DISPPARAMS *params, VARIANT *result) \
    { \
        BSTR type, body; \
        HRESULT hr; \
        \
        if (params->cArgs != 2) \
            return DISP_E_BADPARAMCOUNT; \
        if (FAILED(hr = dispatch_arg_out_bstr_check(params, 0)) \
            || FAILED(hr = dispatch_arg_out_bstr_check(params, 1))) \
            return hr; \
        if (FAILED(hr = iface_type##_GetRemoteSessionDescription((iface_type *)iface, &type, &body))) \
            return hr; \
        dispatch_arg_out_bstr(params, 0, type); \
        dispatch_arg_out_bstr(params, 1, body); \
        return hr; \
    }

/* A method without arguments or result: iface_type##_##method(iface). */
#define DISPATCH_METHOD0(name, iface_type, method) \
    static HRESULT name(IDispatch *iface, DISPPARAMS *params, VARIANT *result) \
    { \
        if (params->cArgs) \
            return DISP_E_BADPARAMCOUNT; \
        return iface_type##_##method((iface_type *)iface); \
    }

#define PROPGET(name, dispid, thunk) { name, dispid, DISPATCH_PROPERTYGET, thunk }
#define METHOD(name, dispid, thunk) { name, dispid, DISPATCH_METHOD, thunk }

#endif
