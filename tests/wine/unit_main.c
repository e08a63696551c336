/*
 * What every unit test program of the Windows build shares:
 *
 *  - main(): the test file's own main() is compiled as rtcshim_unit_main()
 *    (-Dmain=rtcshim_unit_main); this one first applies the Wine exclusion of that
 *    program, if any (RTCSHIM_WINE_SKIP, a cmocka name pattern set by
 *    tests/wine/CMakeLists.txt, where each exclusion is listed with its reason). Skipped
 *    tests are reported by cmocka as skipped, not as passed.
 *  - CoCreateInstance/CoGetClassObject (-D...=rtcshim_test_...): a unit test links the
 *    library's objects into its own program, so it reaches the library's classes through
 *    the library's class table, as on Linux, instead of ole32 loading rtcshim.dll from the
 *    registry as a second copy; every other class goes to ole32. The registry path is what
 *    the legacy tests (regsvr32, CoCreateInstance) prove.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <cmocka.h>
#include "com/com_private.h"

HRESULT WINAPI rtcshim_test_CoGetClassObject(REFCLSID clsid, DWORD context, COSERVERINFO *server, REFIID riid,
                                             void **ppv)
{
    HRESULT hr;

    if (!ppv)
        return E_INVALIDARG;
    if ((context & (CLSCTX_INPROC_SERVER | CLSCTX_INPROC_HANDLER)) && !server
        && (hr = com_class_get_object(clsid, riid, ppv)) != REGDB_E_CLASSNOTREG)
        return hr;
    return CoGetClassObject(clsid, context, server, riid, ppv);
}

HRESULT WINAPI rtcshim_test_CoCreateInstance(REFCLSID clsid, IUnknown *outer, DWORD context, REFIID riid, void **ppv)
{
    IClassFactory *factory;
    HRESULT hr;

    if (!ppv)
        return E_POINTER;
    *ppv = NULL;
    if (!(context & (CLSCTX_INPROC_SERVER | CLSCTX_INPROC_HANDLER))
        || com_class_get_object(clsid, &IID_IClassFactory, (void **)&factory) != S_OK)
        return CoCreateInstance(clsid, outer, context, riid, ppv);
    hr = IClassFactory_CreateInstance(factory, outer, riid, ppv);
    IClassFactory_Release(factory);
    return hr;
}

int rtcshim_unit_main(void);

int main(void)
{
    const char *skip = getenv("RTCSHIM_WINE_SKIP");

    if (skip && *skip)
        cmocka_set_skip_filter(skip);
    return rtcshim_unit_main();
}

/* ole32's headers declare the two as imported from a DLL, so the renamed calls go through
 * import pointers: these are they. */
HRESULT (WINAPI *__imp_rtcshim_test_CoGetClassObject)(REFCLSID, DWORD, COSERVERINFO *, REFIID, void **)
    = rtcshim_test_CoGetClassObject;
HRESULT (WINAPI *__imp_rtcshim_test_CoCreateInstance)(REFCLSID, IUnknown *, DWORD, REFIID, void **)
    = rtcshim_test_CoCreateInstance;
