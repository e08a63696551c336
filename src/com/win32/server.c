/*
 * rtcshim.dll as an in-process COM server: the four exports COM looks for, and DllMain.
 *
 *  - DllGetClassObject hands out the class factory of each class the object families
 *    registered (classreg.c);
 *  - DllCanUnloadNow answers from the module's count of live objects and server locks
 *    (module.c): S_OK only when nothing is alive;
 *  - DllRegisterServer writes HKCR\CLSID\{clsid} with InprocServer32 = this file and
 *    ThreadingModel = Apartment for each class (the RTC and UCC APIs are single-
 *    threaded-apartment APIs: docs/wire-mapping.md); DllUnregisterServer removes them.
 *
 * Once an apartment pump has started, GLib has threads of its own that a static GLib
 * cannot stop, so the module pins itself (GET_MODULE_HANDLE_EX_FLAG_PIN): FreeLibrary
 * after DllCanUnloadNow's S_OK then leaves it mapped instead of pulling the code from
 * under those threads.
 */
#include <stdio.h>
#include "com/com_private.h"
#include "win32/com_win32.h"

static HINSTANCE module_instance;

HINSTANCE com_module_instance(void)
{
    return module_instance;
}

void com_module_pin(void)
{
    HMODULE module;

    GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_PIN | GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS,
                       (const WCHAR *)com_module_pin, &module);
}

BOOL WINAPI DllMain(HINSTANCE instance, DWORD reason, void *reserved)
{
    switch (reason)
    {
    case DLL_PROCESS_ATTACH:
        module_instance = instance;
        com_apartment_process_attach();
        break;
    case DLL_THREAD_DETACH:
        com_apartment_thread_detach();
        break;
    }
    return TRUE;
}

HRESULT WINAPI DllGetClassObject(REFCLSID clsid, REFIID riid, void **ppv)
{
    HRESULT hr;

    if (!ppv)
        return E_POINTER;
    *ppv = NULL;
    if (!clsid || !riid)
        return E_INVALIDARG;
    hr = com_class_get_object(clsid, riid, ppv);
    return hr == REGDB_E_CLASSNOTREG ? CLASS_E_CLASSNOTAVAILABLE : hr;
}

HRESULT WINAPI DllCanUnloadNow(void)
{
    return com_module_lock_count() ? S_FALSE : S_OK;
}

/* HKCR\CLSID\{...} as a wide string. */
static void clsid_key(const CLSID *clsid, WCHAR *key, size_t size)
{
    WCHAR text[39];

    StringFromGUID2(clsid, text, ARRAY_SIZE(text));
    swprintf(key, size, L"CLSID\\%ls", text);
}

static LONG set_string(HKEY key, const WCHAR *name, const WCHAR *value)
{
    return RegSetValueExW(key, name, 0, REG_SZ, (const BYTE *)value, (DWORD)((wcslen(value) + 1) * sizeof(WCHAR)));
}

static HRESULT register_class(const CLSID *clsid, const char *name, const WCHAR *path)
{
    WCHAR key_name[64], *wide_name;
    HKEY class_key, server_key;
    LONG error;

    clsid_key(clsid, key_name, ARRAY_SIZE(key_name));
    if ((error = RegCreateKeyExW(HKEY_CLASSES_ROOT, key_name, 0, NULL, 0, KEY_WRITE, NULL, &class_key, NULL)))
        return HRESULT_FROM_WIN32(error);
    wide_name = (WCHAR *)g_utf8_to_utf16(name, -1, NULL, NULL, NULL);
    error = set_string(class_key, NULL, wide_name ? wide_name : L"");
    g_free(wide_name);
    if (!error)
        error = RegCreateKeyExW(class_key, L"InprocServer32", 0, NULL, 0, KEY_WRITE, NULL, &server_key, NULL);
    RegCloseKey(class_key);
    if (error)
        return HRESULT_FROM_WIN32(error);
    error = set_string(server_key, NULL, path);
    if (!error)
        error = set_string(server_key, L"ThreadingModel", L"Apartment");
    RegCloseKey(server_key);
    return HRESULT_FROM_WIN32(error);
}

HRESULT WINAPI DllUnregisterServer(void)
{
    WCHAR key_name[64];
    const char *name;
    unsigned int i;
    CLSID clsid;
    LONG error;
    HRESULT hr = S_OK;

    for (i = 0; com_class_enum(i, &clsid, &name); i++)
    {
        clsid_key(&clsid, key_name, ARRAY_SIZE(key_name));
        error = RegDeleteTreeW(HKEY_CLASSES_ROOT, key_name);
        if (error && error != ERROR_FILE_NOT_FOUND)
            hr = HRESULT_FROM_WIN32(error);
    }
    return hr;
}

HRESULT WINAPI DllRegisterServer(void)
{
    WCHAR path[MAX_PATH];
    const char *name;
    unsigned int i;
    CLSID clsid;
    DWORD length;
    HRESULT hr;

    length = GetModuleFileNameW(module_instance, path, ARRAY_SIZE(path));
    if (!length || length == ARRAY_SIZE(path))
        return SELFREG_E_CLASS;
    for (i = 0; com_class_enum(i, &clsid, &name); i++)
    {
        if (FAILED(hr = register_class(&clsid, name, path)))
        {
            DllUnregisterServer();
            return SELFREG_E_CLASS;
        }
    }
    return S_OK;
}
