/*
 * CoGetClassObject / CoCreateInstance on Linux: there is no registry, so they find the
 * library's own classes (classreg.c). In rtcshim.dll ole32 provides them and finds the
 * DLL through the registry entries DllRegisterServer writes.
 */
#include "com/com_private.h"

HRESULT WINAPI CoGetClassObject(REFCLSID clsid, DWORD context, COSERVERINFO *server, REFIID riid, void **ppv)
{
    if (!ppv)
        return E_INVALIDARG;
    *ppv = NULL;
    if (!com_apartment_is_initialized())
        return CO_E_NOTINITIALIZED;
    if (server)
        return E_INVALIDARG;    /* no remote servers */
    if (!(context & (CLSCTX_INPROC_SERVER | CLSCTX_INPROC_HANDLER)))
        return REGDB_E_CLASSNOTREG;
    return com_class_get_object(clsid, riid, ppv);
}

HRESULT WINAPI CoCreateInstance(REFCLSID clsid, IUnknown *outer, DWORD context, REFIID riid, void **ppv)
{
    IClassFactory *factory;
    HRESULT hr;

    if (!ppv)
        return E_POINTER;
    *ppv = NULL;
    if (FAILED(hr = CoGetClassObject(clsid, context, NULL, &IID_IClassFactory, (void **)&factory)))
        return hr;
    hr = IClassFactory_CreateInstance(factory, outer, riid, ppv);
    IClassFactory_Release(factory);
    return hr;
}
