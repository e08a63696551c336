/*
 * IRTCPresenceDevice: what one of a buddy's devices (a service tuple of its
 * presence document, docs/wire-mapping.md "Presence") said when the document
 * arrived. A snapshot: a newer document makes new device objects, so an
 * application holding one keeps what it read.
 */
#include "presence.h"

struct presence_device
{
    IRTCPresenceDevice IRTCPresenceDevice_iface;
    LONG refcount;
    struct presence_device_info *info;
};

static struct presence_device *impl_from_IRTCPresenceDevice(IRTCPresenceDevice *iface)
{
    return CONTAINING_RECORD(iface, struct presence_device, IRTCPresenceDevice_iface);
}

static HRESULT WINAPI device_QueryInterface(IRTCPresenceDevice *iface, REFIID riid, void **ppv)
{
    if (!ppv)
        return E_POINTER;
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IRTCPresenceDevice))
    {
        *ppv = iface;
        IRTCPresenceDevice_AddRef(iface);
        return S_OK;
    }
    *ppv = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI device_AddRef(IRTCPresenceDevice *iface)
{
    return InterlockedIncrement(&impl_from_IRTCPresenceDevice(iface)->refcount);
}

static ULONG WINAPI device_Release(IRTCPresenceDevice *iface)
{
    struct presence_device *device = impl_from_IRTCPresenceDevice(iface);
    ULONG ref = InterlockedDecrement(&device->refcount);

    if (!ref)
    {
        presence_device_info_free(device->info);
        free(device);
    }
    return ref;
}

static HRESULT return_utf8(const char *value, BSTR *out)
{
    if (!out)
        return E_POINTER;
    *out = com_bstr_from_utf8(value ? value : "");
    return *out ? S_OK : E_OUTOFMEMORY;
}

static HRESULT WINAPI device_get_Status(IRTCPresenceDevice *iface, RTC_PRESENCE_STATUS *status)
{
    if (!status)
        return E_POINTER;
    *status = impl_from_IRTCPresenceDevice(iface)->info->status;
    return S_OK;
}

static HRESULT WINAPI device_get_Notes(IRTCPresenceDevice *iface, BSTR *notes)
{
    return return_utf8(impl_from_IRTCPresenceDevice(iface)->info->notes, notes);
}

static HRESULT WINAPI device_get_PresenceProperty(IRTCPresenceDevice *iface, RTC_PRESENCE_PROPERTY property,
                                                  BSTR *value)
{
    if (!value)
        return E_POINTER;
    *value = NULL;
    if ((unsigned int)property >= PRESENCE_PROPERTY_COUNT)
        return E_INVALIDARG;
    return return_utf8(impl_from_IRTCPresenceDevice(iface)->info->properties[property], value);
}

static HRESULT WINAPI device_GetPresenceData(IRTCPresenceDevice *iface, BSTR *namespace_uri, BSTR *data)
{
    struct presence_device *device = impl_from_IRTCPresenceDevice(iface);
    HRESULT hr;

    if (!namespace_uri || !data)
        return E_POINTER;
    *data = NULL;
    if (FAILED(hr = return_utf8(device->info->data_namespace, namespace_uri)))
        return hr;
    if (FAILED(hr = return_utf8(device->info->data, data)))
    {
        SysFreeString(*namespace_uri);
        *namespace_uri = NULL;
    }
    return hr;
}

static const IRTCPresenceDeviceVtbl device_vtbl =
{
    device_QueryInterface,
    device_AddRef,
    device_Release,
    device_get_Status,
    device_get_Notes,
    device_get_PresenceProperty,
    device_GetPresenceData,
};

HRESULT presence_device_create(struct presence_device_info *info, IRTCPresenceDevice **out)
{
    struct presence_device *device;

    *out = NULL;
    if (!(device = calloc(1, sizeof(*device))))
    {
        presence_device_info_free(info);
        return E_OUTOFMEMORY;
    }
    device->IRTCPresenceDevice_iface.lpVtbl = &device_vtbl;
    device->refcount = 1;
    device->info = info;
    *out = &device->IRTCPresenceDevice_iface;
    return S_OK;
}
