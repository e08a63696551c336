/*
 * The module's count of live COM objects and IClassFactory::LockServer locks: every
 * object family counts its objects from creation to final Release. rtcshim.dll's
 * DllCanUnloadNow answers from it; on Linux it shows that a program released everything.
 */
#include "com/com_private.h"

static LONG module_locks;

void com_module_lock(void)
{
    InterlockedIncrement(&module_locks);
}

void com_module_unlock(void)
{
    InterlockedDecrement(&module_locks);
}

LONG com_module_lock_count(void)
{
    return InterlockedCompareExchange(&module_locks, 0, 0);
}
