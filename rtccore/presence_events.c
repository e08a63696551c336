/*
 * The presence event objects (events.h): IRTCBuddyEvent(2),
 * IRTCWatcherEvent(2), IRTCBuddyGroupEvent, IRTCPresencePropertyEvent,
 * IRTCPresenceDataEvent and IRTCPresenceStatusEvent. Built on the shared
 * event object of event_object.h, with the same IDispatch rules as
 * events.c. A buddy or watcher event object answers both its interface and
 * the "2" one, whichever filter bit let it through (docs/wire-mapping.md,
 * "Presence events").
 */
#include <wchar.h>
#include "events.h"
#include "event_object.h"

/* ---- IRTCBuddyEvent2 ------------------------------------------------------------------------- */

struct buddy_event
{
    IRTCBuddyEvent2 IRTCBuddyEvent2_iface;
    struct event base;
    IRTCBuddy *buddy;
    RTC_BUDDY_EVENT_TYPE type;
    LONG status_code;
    BSTR status_text;
};

static struct buddy_event *impl_from_IRTCBuddyEvent2(IRTCBuddyEvent2 *iface)
{
    return CONTAINING_RECORD(iface, struct buddy_event, IRTCBuddyEvent2_iface);
}

EVENT_IDISPATCH_METHODS(buddy_event, IRTCBuddyEvent2)

static HRESULT WINAPI buddy_event_get_Buddy(IRTCBuddyEvent2 *iface, IRTCBuddy **buddy)
{
    return get_interface((IUnknown *)impl_from_IRTCBuddyEvent2(iface)->buddy, (void **)buddy);
}

static HRESULT WINAPI buddy_event_get_EventType(IRTCBuddyEvent2 *iface, RTC_BUDDY_EVENT_TYPE *type)
{
    if (!type)
        return E_POINTER;
    *type = impl_from_IRTCBuddyEvent2(iface)->type;
    return S_OK;
}

static HRESULT WINAPI buddy_event_get_StatusCode(IRTCBuddyEvent2 *iface, LONG *code)
{
    if (!code)
        return E_POINTER;
    *code = impl_from_IRTCBuddyEvent2(iface)->status_code;
    return S_OK;
}

static HRESULT WINAPI buddy_event_get_StatusText(IRTCBuddyEvent2 *iface, BSTR *text)
{
    return get_string(impl_from_IRTCBuddyEvent2(iface)->status_text, text);
}

static const IRTCBuddyEvent2Vtbl buddy_event_vtbl =
{
    EVENT_IDISPATCH_VTBL(buddy_event),
    buddy_event_get_Buddy,
    buddy_event_get_EventType,
    buddy_event_get_StatusCode,
    buddy_event_get_StatusText,
};

DISPATCH_PROPGET(buddy_event_invoke_Buddy, IRTCBuddyEvent2, get_Buddy, IRTCBuddy *, pack_interface)
DISPATCH_PROPGET(buddy_event_invoke_EventType, IRTCBuddyEvent2, get_EventType, RTC_BUDDY_EVENT_TYPE, pack_long)
DISPATCH_PROPGET(buddy_event_invoke_StatusCode, IRTCBuddyEvent2, get_StatusCode, LONG, pack_long)
DISPATCH_PROPGET(buddy_event_invoke_StatusText, IRTCBuddyEvent2, get_StatusText, BSTR, pack_string)

static const struct dispatch_member buddy_event_members[] =
{
    PROPGET(L"Buddy", 1, buddy_event_invoke_Buddy),
    PROPGET(L"EventType", 2, buddy_event_invoke_EventType),
    PROPGET(L"StatusCode", 3, buddy_event_invoke_StatusCode),
    PROPGET(L"StatusText", 4, buddy_event_invoke_StatusText),
};

static const struct dispatch_table buddy_event_dispatch = { buddy_event_members, ARRAY_SIZE(buddy_event_members) };

static void buddy_event_destroy(struct event *base)
{
    struct buddy_event *event = CONTAINING_RECORD(base, struct buddy_event, base);

    release((IUnknown *)event->buddy);
    SysFreeString(event->status_text);
    free(event);
}

static const struct event_class buddy_event_class =
{
    { &IID_IRTCBuddyEvent, &IID_IRTCBuddyEvent2 }, &buddy_event_dispatch, buddy_event_destroy
};

HRESULT rtc_buddy_event_create(IRTCBuddy *buddy, RTC_BUDDY_EVENT_TYPE type, LONG status_code,
                               const WCHAR *status_text, IDispatch **out)
{
    struct buddy_event *event;

    if (!out)
        return E_POINTER;
    *out = NULL;
    if (!(event = calloc(1, sizeof(*event))))
        return E_OUTOFMEMORY;
    event->IRTCBuddyEvent2_iface.lpVtbl = &buddy_event_vtbl;
    event_init(&event->base, &event->IRTCBuddyEvent2_iface, &buddy_event_class);
    if (!copy_string(status_text, &event->status_text))
    {
        event_release(&event->base);
        return E_OUTOFMEMORY;
    }
    add_ref((IUnknown *)(event->buddy = buddy));
    event->type = type;
    event->status_code = status_code;
    *out = event->base.iface;
    return S_OK;
}

/* ---- IRTCWatcherEvent2 ------------------------------------------------------------------------- */

struct watcher_event
{
    IRTCWatcherEvent2 IRTCWatcherEvent2_iface;
    struct event base;
    IRTCWatcher *watcher;
    RTC_WATCHER_EVENT_TYPE type;
    LONG status_code;
};

static struct watcher_event *impl_from_IRTCWatcherEvent2(IRTCWatcherEvent2 *iface)
{
    return CONTAINING_RECORD(iface, struct watcher_event, IRTCWatcherEvent2_iface);
}

EVENT_IDISPATCH_METHODS(watcher_event, IRTCWatcherEvent2)

static HRESULT WINAPI watcher_event_get_Watcher(IRTCWatcherEvent2 *iface, IRTCWatcher **watcher)
{
    return get_interface((IUnknown *)impl_from_IRTCWatcherEvent2(iface)->watcher, (void **)watcher);
}

static HRESULT WINAPI watcher_event_get_EventType(IRTCWatcherEvent2 *iface, RTC_WATCHER_EVENT_TYPE *type)
{
    if (!type)
        return E_POINTER;
    *type = impl_from_IRTCWatcherEvent2(iface)->type;
    return S_OK;
}

static HRESULT WINAPI watcher_event_get_StatusCode(IRTCWatcherEvent2 *iface, LONG *code)
{
    if (!code)
        return E_POINTER;
    *code = impl_from_IRTCWatcherEvent2(iface)->status_code;
    return S_OK;
}

static const IRTCWatcherEvent2Vtbl watcher_event_vtbl =
{
    EVENT_IDISPATCH_VTBL(watcher_event),
    watcher_event_get_Watcher,
    watcher_event_get_EventType,
    watcher_event_get_StatusCode,
};

DISPATCH_PROPGET(watcher_event_invoke_Watcher, IRTCWatcherEvent2, get_Watcher, IRTCWatcher *, pack_interface)
DISPATCH_PROPGET(watcher_event_invoke_EventType, IRTCWatcherEvent2, get_EventType, RTC_WATCHER_EVENT_TYPE, pack_long)
DISPATCH_PROPGET(watcher_event_invoke_StatusCode, IRTCWatcherEvent2, get_StatusCode, LONG, pack_long)

static const struct dispatch_member watcher_event_members[] =
{
    PROPGET(L"Watcher", 1, watcher_event_invoke_Watcher),
    PROPGET(L"EventType", 2, watcher_event_invoke_EventType),
    PROPGET(L"StatusCode", 3, watcher_event_invoke_StatusCode),
};

static const struct dispatch_table watcher_event_dispatch =
    { watcher_event_members, ARRAY_SIZE(watcher_event_members) };

static void watcher_event_destroy(struct event *base)
{
    struct watcher_event *event = CONTAINING_RECORD(base, struct watcher_event, base);

    release((IUnknown *)event->watcher);
    free(event);
}

static const struct event_class watcher_event_class =
{
    { &IID_IRTCWatcherEvent, &IID_IRTCWatcherEvent2 }, &watcher_event_dispatch, watcher_event_destroy
};

HRESULT rtc_watcher_event_create(IRTCWatcher *watcher, RTC_WATCHER_EVENT_TYPE type, LONG status_code, IDispatch **out)
{
    struct watcher_event *event;

    if (!out)
        return E_POINTER;
    *out = NULL;
    if (!(event = calloc(1, sizeof(*event))))
        return E_OUTOFMEMORY;
    event->IRTCWatcherEvent2_iface.lpVtbl = &watcher_event_vtbl;
    event_init(&event->base, &event->IRTCWatcherEvent2_iface, &watcher_event_class);
    add_ref((IUnknown *)(event->watcher = watcher));
    event->type = type;
    event->status_code = status_code;
    *out = event->base.iface;
    return S_OK;
}

/* ---- IRTCBuddyGroupEvent --------------------------------------------------------------------- */

struct group_event
{
    IRTCBuddyGroupEvent IRTCBuddyGroupEvent_iface;
    struct event base;
    RTC_GROUP_EVENT_TYPE type;
    IRTCBuddyGroup *group;
    IRTCBuddy2 *buddy;
    LONG status_code;
};

static struct group_event *impl_from_IRTCBuddyGroupEvent(IRTCBuddyGroupEvent *iface)
{
    return CONTAINING_RECORD(iface, struct group_event, IRTCBuddyGroupEvent_iface);
}

EVENT_IDISPATCH_METHODS(group_event, IRTCBuddyGroupEvent)

static HRESULT WINAPI group_event_get_EventType(IRTCBuddyGroupEvent *iface, RTC_GROUP_EVENT_TYPE *type)
{
    if (!type)
        return E_POINTER;
    *type = impl_from_IRTCBuddyGroupEvent(iface)->type;
    return S_OK;
}

static HRESULT WINAPI group_event_get_Group(IRTCBuddyGroupEvent *iface, IRTCBuddyGroup **group)
{
    return get_interface((IUnknown *)impl_from_IRTCBuddyGroupEvent(iface)->group, (void **)group);
}

static HRESULT WINAPI group_event_get_Buddy(IRTCBuddyGroupEvent *iface, IRTCBuddy2 **buddy)
{
    return get_interface((IUnknown *)impl_from_IRTCBuddyGroupEvent(iface)->buddy, (void **)buddy);
}

static HRESULT WINAPI group_event_get_StatusCode(IRTCBuddyGroupEvent *iface, LONG *code)
{
    if (!code)
        return E_POINTER;
    *code = impl_from_IRTCBuddyGroupEvent(iface)->status_code;
    return S_OK;
}

static const IRTCBuddyGroupEventVtbl group_event_vtbl =
{
    EVENT_IDISPATCH_VTBL(group_event),
    group_event_get_EventType,
    group_event_get_Group,
    group_event_get_Buddy,
    group_event_get_StatusCode,
};

DISPATCH_PROPGET(group_event_invoke_EventType, IRTCBuddyGroupEvent, get_EventType, RTC_GROUP_EVENT_TYPE, pack_long)
DISPATCH_PROPGET(group_event_invoke_Group, IRTCBuddyGroupEvent, get_Group, IRTCBuddyGroup *, pack_interface)
DISPATCH_PROPGET(group_event_invoke_Buddy, IRTCBuddyGroupEvent, get_Buddy, IRTCBuddy2 *, pack_interface)
DISPATCH_PROPGET(group_event_invoke_StatusCode, IRTCBuddyGroupEvent, get_StatusCode, LONG, pack_long)

static const struct dispatch_member group_event_members[] =
{
    PROPGET(L"EventType", 1, group_event_invoke_EventType),
    PROPGET(L"Group", 2, group_event_invoke_Group),
    PROPGET(L"Buddy", 3, group_event_invoke_Buddy),
    PROPGET(L"StatusCode", 4, group_event_invoke_StatusCode),
};

static const struct dispatch_table group_event_dispatch = { group_event_members, ARRAY_SIZE(group_event_members) };

static void group_event_destroy(struct event *base)
{
    struct group_event *event = CONTAINING_RECORD(base, struct group_event, base);

    release((IUnknown *)event->group);
    release((IUnknown *)event->buddy);
    free(event);
}

static const struct event_class group_event_class =
{
    { &IID_IRTCBuddyGroupEvent }, &group_event_dispatch, group_event_destroy
};

HRESULT rtc_buddy_group_event_create(RTC_GROUP_EVENT_TYPE type, IRTCBuddyGroup *group, IRTCBuddy2 *buddy,
                                     LONG status_code, IDispatch **out)
{
    struct group_event *event;

    if (!out)
        return E_POINTER;
    *out = NULL;
    if (!(event = calloc(1, sizeof(*event))))
        return E_OUTOFMEMORY;
    event->IRTCBuddyGroupEvent_iface.lpVtbl = &group_event_vtbl;
    event_init(&event->base, &event->IRTCBuddyGroupEvent_iface, &group_event_class);
    add_ref((IUnknown *)(event->group = group));
    add_ref((IUnknown *)(event->buddy = buddy));
    event->type = type;
    event->status_code = status_code;
    *out = event->base.iface;
    return S_OK;
}

/* ---- [out] arguments of the presence methods ---------------------------------------------------- */

/* Checks that argument index can take an [out] LONG (an enum). */
static HRESULT dispatch_arg_out_long_check(DISPPARAMS *params, UINT index)
{
    VARIANT *arg = &params->rgvarg[params->cArgs - 1 - index];

    if (V_VT(arg) == (VT_BYREF | VT_I4) && V_I4REF(arg))
        return S_OK;
    if (V_VT(arg) == (VT_BYREF | VT_VARIANT) && V_VARIANTREF(arg))
        return S_OK;
    return DISP_E_TYPEMISMATCH;
}

static void dispatch_arg_out_long(DISPPARAMS *params, UINT index, LONG value)
{
    VARIANT *arg = &params->rgvarg[params->cArgs - 1 - index];

    if (V_VT(arg) == (VT_BYREF | VT_I4))
        *V_I4REF(arg) = value;
    else
    {
        VariantClear(V_VARIANTREF(arg));
        V_VT(V_VARIANTREF(arg)) = VT_I4;
        V_I4(V_VARIANTREF(arg)) = value;
    }
}

/* GetPresenceData([out] BSTR *namespace, [out] BSTR *data), on any interface that has it. */
#define DISPATCH_GET_PRESENCE_DATA(name, iface_type) \
    static HRESULT name(IDispatch *iface, DISPPARAMS *params, VARIANT *result) \
    { \
        BSTR ns, data; \
        HRESULT hr; \
        \
        if (params->cArgs != 2) \
            return DISP_E_BADPARAMCOUNT; \
        if (FAILED(hr = dispatch_arg_out_bstr_check(params, 0)) \
            || FAILED(hr = dispatch_arg_out_bstr_check(params, 1))) \
            return hr; \
        if (FAILED(hr = iface_type##_GetPresenceData((iface_type *)iface, &ns, &data))) \
            return hr; \
        dispatch_arg_out_bstr(params, 0, ns); \
        dispatch_arg_out_bstr(params, 1, data); \
        return hr; \
    }

/* The strings of two [out] BSTRs: E_POINTER for a NULL one (nothing written). */
static HRESULT get_two_strings(BSTR first, BSTR second, BSTR *out_first, BSTR *out_second)
{
    if (!out_first || !out_second)
        return E_POINTER;
    *out_first = *out_second = NULL;
    if (FAILED(get_string(first, out_first)) || FAILED(get_string(second, out_second)))
    {
        SysFreeString(*out_first);
        *out_first = NULL;
        return E_OUTOFMEMORY;
    }
    return S_OK;
}

/* ---- IRTCPresencePropertyEvent ------------------------------------------------------------------- */

struct property_event
{
    IRTCPresencePropertyEvent IRTCPresencePropertyEvent_iface;
    struct event base;
    LONG status_code;
    BSTR status_text;
    RTC_PRESENCE_PROPERTY property;
    BSTR value;
};

static struct property_event *impl_from_IRTCPresencePropertyEvent(IRTCPresencePropertyEvent *iface)
{
    return CONTAINING_RECORD(iface, struct property_event, IRTCPresencePropertyEvent_iface);
}

EVENT_IDISPATCH_METHODS(property_event, IRTCPresencePropertyEvent)

static HRESULT WINAPI property_event_get_StatusCode(IRTCPresencePropertyEvent *iface, LONG *code)
{
    if (!code)
        return E_POINTER;
    *code = impl_from_IRTCPresencePropertyEvent(iface)->status_code;
    return S_OK;
}

static HRESULT WINAPI property_event_get_StatusText(IRTCPresencePropertyEvent *iface, BSTR *text)
{
    return get_string(impl_from_IRTCPresencePropertyEvent(iface)->status_text, text);
}

static HRESULT WINAPI property_event_get_PresenceProperty(IRTCPresencePropertyEvent *iface,
                                                          RTC_PRESENCE_PROPERTY *property)
{
    if (!property)
        return E_POINTER;
    *property = impl_from_IRTCPresencePropertyEvent(iface)->property;
    return S_OK;
}

static HRESULT WINAPI property_event_get_Value(IRTCPresencePropertyEvent *iface, BSTR *value)
{
    return get_string(impl_from_IRTCPresencePropertyEvent(iface)->value, value);
}

static const IRTCPresencePropertyEventVtbl property_event_vtbl =
{
    EVENT_IDISPATCH_VTBL(property_event),
    property_event_get_StatusCode,
    property_event_get_StatusText,
    property_event_get_PresenceProperty,
    property_event_get_Value,
};

DISPATCH_PROPGET(property_event_invoke_StatusCode, IRTCPresencePropertyEvent, get_StatusCode, LONG, pack_long)
DISPATCH_PROPGET(property_event_invoke_StatusText, IRTCPresencePropertyEvent, get_StatusText, BSTR, pack_string)
DISPATCH_PROPGET(property_event_invoke_PresenceProperty, IRTCPresencePropertyEvent, get_PresenceProperty,
                 RTC_PRESENCE_PROPERTY, pack_long)
DISPATCH_PROPGET(property_event_invoke_Value, IRTCPresencePropertyEvent, get_Value, BSTR, pack_string)

static const struct dispatch_member property_event_members[] =
{
    PROPGET(L"StatusCode", 1, property_event_invoke_StatusCode),
    PROPGET(L"StatusText", 2, property_event_invoke_StatusText),
    PROPGET(L"PresenceProperty", 3, property_event_invoke_PresenceProperty),
    PROPGET(L"Value", 4, property_event_invoke_Value),
};

static const struct dispatch_table property_event_dispatch =
    { property_event_members, ARRAY_SIZE(property_event_members) };

static void property_event_destroy(struct event *base)
{
    struct property_event *event = CONTAINING_RECORD(base, struct property_event, base);

    SysFreeString(event->status_text);
    SysFreeString(event->value);
    free(event);
}

static const struct event_class property_event_class =
{
    { &IID_IRTCPresencePropertyEvent }, &property_event_dispatch, property_event_destroy
};

HRESULT rtc_presence_property_event_create(RTC_PRESENCE_PROPERTY property, const WCHAR *value, LONG status_code,
                                           const WCHAR *status_text, IDispatch **out)
{
    struct property_event *event;

    if (!out)
        return E_POINTER;
    *out = NULL;
    if (!(event = calloc(1, sizeof(*event))))
        return E_OUTOFMEMORY;
    event->IRTCPresencePropertyEvent_iface.lpVtbl = &property_event_vtbl;
    event_init(&event->base, &event->IRTCPresencePropertyEvent_iface, &property_event_class);
    if (!copy_string(status_text, &event->status_text) || !copy_string(value, &event->value))
    {
        event_release(&event->base);
        return E_OUTOFMEMORY;
    }
    event->property = property;
    event->status_code = status_code;
    *out = event->base.iface;
    return S_OK;
}

/* ---- IRTCPresenceDataEvent ---------------------------------------------------------------------- */

struct data_event
{
    IRTCPresenceDataEvent IRTCPresenceDataEvent_iface;
    struct event base;
    LONG status_code;
    BSTR status_text;
    BSTR namespace_uri;
    BSTR data;
};

static struct data_event *impl_from_IRTCPresenceDataEvent(IRTCPresenceDataEvent *iface)
{
    return CONTAINING_RECORD(iface, struct data_event, IRTCPresenceDataEvent_iface);
}

EVENT_IDISPATCH_METHODS(data_event, IRTCPresenceDataEvent)

static HRESULT WINAPI data_event_get_StatusCode(IRTCPresenceDataEvent *iface, LONG *code)
{
    if (!code)
        return E_POINTER;
    *code = impl_from_IRTCPresenceDataEvent(iface)->status_code;
    return S_OK;
}

static HRESULT WINAPI data_event_get_StatusText(IRTCPresenceDataEvent *iface, BSTR *text)
{
    return get_string(impl_from_IRTCPresenceDataEvent(iface)->status_text, text);
}

static HRESULT WINAPI data_event_GetPresenceData(IRTCPresenceDataEvent *iface, BSTR *ns, BSTR *data)
{
    struct data_event *event = impl_from_IRTCPresenceDataEvent(iface);

    return get_two_strings(event->namespace_uri, event->data, ns, data);
}

static const IRTCPresenceDataEventVtbl data_event_vtbl =
{
    EVENT_IDISPATCH_VTBL(data_event),
    data_event_get_StatusCode,
    data_event_get_StatusText,
    data_event_GetPresenceData,
};

DISPATCH_PROPGET(data_event_invoke_StatusCode, IRTCPresenceDataEvent, get_StatusCode, LONG, pack_long)
DISPATCH_PROPGET(data_event_invoke_StatusText, IRTCPresenceDataEvent, get_StatusText, BSTR, pack_string)
DISPATCH_GET_PRESENCE_DATA(data_event_invoke_GetPresenceData, IRTCPresenceDataEvent)

static const struct dispatch_member data_event_members[] =
{
    PROPGET(L"StatusCode", 1, data_event_invoke_StatusCode),
    PROPGET(L"StatusText", 2, data_event_invoke_StatusText),
    METHOD(L"GetPresenceData", 3, data_event_invoke_GetPresenceData),
};

static const struct dispatch_table data_event_dispatch = { data_event_members, ARRAY_SIZE(data_event_members) };

static void data_event_destroy(struct event *base)
{
    struct data_event *event = CONTAINING_RECORD(base, struct data_event, base);

    SysFreeString(event->status_text);
    SysFreeString(event->namespace_uri);
    SysFreeString(event->data);
    free(event);
}

static const struct event_class data_event_class =
{
    { &IID_IRTCPresenceDataEvent }, &data_event_dispatch, data_event_destroy
};

HRESULT rtc_presence_data_event_create(const WCHAR *namespace_uri, const WCHAR *data, LONG status_code,
                                       const WCHAR *status_text, IDispatch **out)
{
    struct data_event *event;

    if (!out)
        return E_POINTER;
    *out = NULL;
    if (!(event = calloc(1, sizeof(*event))))
        return E_OUTOFMEMORY;
    event->IRTCPresenceDataEvent_iface.lpVtbl = &data_event_vtbl;
    event_init(&event->base, &event->IRTCPresenceDataEvent_iface, &data_event_class);
    if (!copy_string(status_text, &event->status_text) || !copy_string(namespace_uri, &event->namespace_uri)
        || !copy_string(data, &event->data))
    {
        event_release(&event->base);
        return E_OUTOFMEMORY;
    }
    event->status_code = status_code;
    *out = event->base.iface;
    return S_OK;
}

/* ---- IRTCPresenceStatusEvent ----------------------------------------------------------------------- */

struct status_event
{
    IRTCPresenceStatusEvent IRTCPresenceStatusEvent_iface;
    struct event base;
    LONG status_code;
    BSTR status_text;
    RTC_PRESENCE_STATUS status;
    BSTR notes;
};

static struct status_event *impl_from_IRTCPresenceStatusEvent(IRTCPresenceStatusEvent *iface)
{
    return CONTAINING_RECORD(iface, struct status_event, IRTCPresenceStatusEvent_iface);
}

EVENT_IDISPATCH_METHODS(status_event, IRTCPresenceStatusEvent)

static HRESULT WINAPI status_event_get_StatusCode(IRTCPresenceStatusEvent *iface, LONG *code)
{
    if (!code)
        return E_POINTER;
    *code = impl_from_IRTCPresenceStatusEvent(iface)->status_code;
    return S_OK;
}

static HRESULT WINAPI status_event_get_StatusText(IRTCPresenceStatusEvent *iface, BSTR *text)
{
    return get_string(impl_from_IRTCPresenceStatusEvent(iface)->status_text, text);
}

static HRESULT WINAPI status_event_GetLocalPresenceInfo(IRTCPresenceStatusEvent *iface, RTC_PRESENCE_STATUS *status,
                                                        BSTR *notes)
{
    struct status_event *event = impl_from_IRTCPresenceStatusEvent(iface);

    if (!status || !notes)
        return E_POINTER;
    *status = event->status;
    return get_string(event->notes, notes);
}

static const IRTCPresenceStatusEventVtbl status_event_vtbl =
{
    EVENT_IDISPATCH_VTBL(status_event),
    status_event_get_StatusCode,
    status_event_get_StatusText,
    status_event_GetLocalPresenceInfo,
};

DISPATCH_PROPGET(status_event_invoke_StatusCode, IRTCPresenceStatusEvent, get_StatusCode, LONG, pack_long)
DISPATCH_PROPGET(status_event_invoke_StatusText, IRTCPresenceStatusEvent, get_StatusText, BSTR, pack_string)

static HRESULT status_event_invoke_GetLocalPresenceInfo(IDispatch *iface, DISPPARAMS *params, VARIANT *result)
{
    RTC_PRESENCE_STATUS status;
    BSTR notes;
    HRESULT hr;

    if (params->cArgs != 2)
        return DISP_E_BADPARAMCOUNT;
    if (FAILED(hr = dispatch_arg_out_long_check(params, 0)) || FAILED(hr = dispatch_arg_out_bstr_check(params, 1)))
        return hr;
    if (FAILED(hr = IRTCPresenceStatusEvent_GetLocalPresenceInfo((IRTCPresenceStatusEvent *)iface, &status, &notes)))
        return hr;
    dispatch_arg_out_long(params, 0, status);
    dispatch_arg_out_bstr(params, 1, notes);
    return hr;
}

static const struct dispatch_member status_event_members[] =
{
    PROPGET(L"StatusCode", 1, status_event_invoke_StatusCode),
    PROPGET(L"StatusText", 2, status_event_invoke_StatusText),
    METHOD(L"GetLocalPresenceInfo", 3, status_event_invoke_GetLocalPresenceInfo),
};

static const struct dispatch_table status_event_dispatch =
    { status_event_members, ARRAY_SIZE(status_event_members) };

static void status_event_destroy(struct event *base)
{
    struct status_event *event = CONTAINING_RECORD(base, struct status_event, base);

    SysFreeString(event->status_text);
    SysFreeString(event->notes);
    free(event);
}

static const struct event_class status_event_class =
{
    { &IID_IRTCPresenceStatusEvent }, &status_event_dispatch, status_event_destroy
};

HRESULT rtc_presence_status_event_create(RTC_PRESENCE_STATUS status, const WCHAR *notes, LONG status_code,
                                         const WCHAR *status_text, IDispatch **out)
{
    struct status_event *event;

    if (!out)
        return E_POINTER;
    *out = NULL;
    if (!(event = calloc(1, sizeof(*event))))
        return E_OUTOFMEMORY;
    event->IRTCPresenceStatusEvent_iface.lpVtbl = &status_event_vtbl;
    event_init(&event->base, &event->IRTCPresenceStatusEvent_iface, &status_event_class);
    if (!copy_string(status_text, &event->status_text) || !copy_string(notes, &event->notes))
    {
        event_release(&event->base);
        return E_OUTOFMEMORY;
    }
    event->status = status;
    event->status_code = status_code;
    *out = event->base.iface;
    return S_OK;
}
