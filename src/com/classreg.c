/*
 * The classes this library implements. Each object family registers its coclasses
 * when the library loads, and every class gets the same small class factory, which
 * CoGetClassObject (cocreate.c, Linux) and DllGetClassObject (win32/server.c) hand out.
 */
#include "com/com_private.h"

struct class_entry
{
    IClassFactory IClassFactory_iface;   /* static object: reference counting is a no-op */
    CLSID clsid;
    const char *name;
    com_create_instance_fn create;
};

#define MAX_CLASSES 32
static struct class_entry classes[MAX_CLASSES];
static unsigned int class_count;

static struct class_entry *impl_from_IClassFactory(IClassFactory *iface)
{
    return CONTAINING_RECORD(iface, struct class_entry, IClassFactory_iface);
}

static HRESULT WINAPI factory_QueryInterface(IClassFactory *iface, REFIID riid, void **ppv)
{
    if (!ppv)
        return E_POINTER;
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IClassFactory))
    {
        *ppv = iface;
        return S_OK;
    }
    *ppv = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI factory_AddRef(IClassFactory *iface)
{
    (void)iface;
    return 2;
}

static ULONG WINAPI factory_Release(IClassFactory *iface)
{
    (void)iface;
    return 1;
}

static HRESULT WINAPI factory_CreateInstance(IClassFactory *iface, IUnknown *outer, REFIID riid, void **ppv)
{
    struct class_entry *entry = impl_from_IClassFactory(iface);

    if (!ppv)
        return E_POINTER;
    *ppv = NULL;
    if (outer)
        return CLASS_E_NOAGGREGATION;
    return entry->create(riid, ppv);
}

static HRESULT WINAPI factory_LockServer(IClassFactory *iface, BOOL lock)
{
    (void)iface;
    /* A locked server stays loaded (DllCanUnloadNow) even with no objects alive. */
    if (lock)
        com_module_lock();
    else
        com_module_unlock();
    return S_OK;
}

static const IClassFactoryVtbl factory_vtbl =
{
    factory_QueryInterface,
    factory_AddRef,
    factory_Release,
    factory_CreateInstance,
    factory_LockServer,
};

void com_register_class(REFCLSID clsid, const char *name, com_create_instance_fn create)
{
    g_assert(class_count < MAX_CLASSES);
    classes[class_count].IClassFactory_iface.lpVtbl = &factory_vtbl;
    classes[class_count].clsid = *clsid;
    classes[class_count].name = name;
    classes[class_count].create = create;
    class_count++;
}

static struct class_entry *find_class(REFCLSID clsid)
{
    unsigned int i;

    for (i = 0; i < class_count; i++)
        if (IsEqualCLSID(&classes[i].clsid, clsid))
            return &classes[i];
    return NULL;
}

HRESULT com_class_get_object(REFCLSID clsid, REFIID riid, void **ppv)
{
    struct class_entry *entry;

    *ppv = NULL;
    if (!clsid || !(entry = find_class(clsid)))
        return REGDB_E_CLASSNOTREG;
    return IClassFactory_QueryInterface(&entry->IClassFactory_iface, riid, ppv);
}

BOOL com_class_enum(unsigned int index, CLSID *clsid, const char **name)
{
    if (index >= class_count)
        return FALSE;
    *clsid = classes[index].clsid;
    *name = classes[index].name;
    return TRUE;
}
