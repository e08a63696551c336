/*
 * Shared helpers for the COM runtime's unit tests: exact-HRESULT assertions,
 * a reference-counting probe and a test object whose references can be
 * counted (IUnknown, optionally IDispatch and one "event" interface).
 *
 * The test objects live in the test's own storage (stack or static) and are
 * never freed by Release: a test proves balanced reference counting by
 * checking that the count is back to its starting value.
 */
#ifndef RTCSHIM_COM_TEST_UTIL_H
#define RTCSHIM_COM_TEST_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <wchar.h>
#include <cmocka.h>

#include "com/com_private.h"

/* ---- assertions ------------------------------------------------------------ */

#define assert_hr(actual, expected) \
    do { \
        HRESULT hr_a_ = (actual), hr_e_ = (expected); \
        if (hr_a_ != hr_e_) \
        { \
            print_error("%s\n  got 0x%08x, expected 0x%08x (%s)\n", #actual, \
                        (unsigned int)hr_a_, (unsigned int)hr_e_, #expected); \
            fail(); \
        } \
    } while (0)

#define assert_wstr_equal(actual, expected) \
    do { \
        const WCHAR *ws_a_ = (actual), *ws_e_ = (expected); \
        if (!ws_a_ || !ws_e_ || wcscmp(ws_a_, ws_e_)) \
        { \
            print_error("%s\n  got \"%ls\", expected \"%ls\"\n", #actual, \
                        ws_a_ ? ws_a_ : L"(null)", ws_e_ ? ws_e_ : L"(null)"); \
            fail(); \
        } \
    } while (0)

#define assert_guid_equal(actual, expected) \
    do { \
        const GUID *g_a_ = (actual), *g_e_ = (expected); \
        if (!IsEqualGUID(g_a_, g_e_)) \
        { \
            print_error("%s: GUIDs differ (Data1 %08x vs %08x)\n", #actual, \
                        (unsigned int)g_a_->Data1, (unsigned int)g_e_->Data1); \
            fail(); \
        } \
    } while (0)

/* The current reference count of an object, read the usual test way. */
static inline ULONG get_refcount(IUnknown *unk)
{
    IUnknown_AddRef(unk);
    return IUnknown_Release(unk);
}

/* ---- a countable test object ------------------------------------------------ */

#define TEST_UNUSED __attribute__((unused))

/* Two outgoing interfaces of the tests' own, with IUnknown's layout. */
static const IID IID_ITestEvents TEST_UNUSED =
    { 0x5f7a1c2e, 0x0d1b, 0x4c6a, { 0x9e, 0x11, 0x2b, 0x3c, 0x4d, 0x5e, 0x6f, 0x70 } };
static const IID IID_ITestEvents2 TEST_UNUSED =
    { 0x5f7a1c2e, 0x0d1b, 0x4c6a, { 0x9e, 0x11, 0x2b, 0x3c, 0x4d, 0x5e, 0x6f, 0x71 } };

struct test_unk
{
    IUnknown IUnknown_iface;
    IDispatch IDispatch_iface;
    IUnknown Events_iface;      /* returned for events_iid */
    LONG refcount;
    LONG qi_calls;
    BOOL has_dispatch;
    BOOL has_events;
    IID events_iid;
};

static inline struct test_unk *test_unk_from_IUnknown(IUnknown *iface)
{
    return CONTAINING_RECORD(iface, struct test_unk, IUnknown_iface);
}

static inline struct test_unk *test_unk_from_IDispatch(IDispatch *iface)
{
    return CONTAINING_RECORD(iface, struct test_unk, IDispatch_iface);
}

static inline struct test_unk *test_unk_from_Events(IUnknown *iface)
{
    return CONTAINING_RECORD(iface, struct test_unk, Events_iface);
}

static inline HRESULT test_unk_query(struct test_unk *obj, REFIID riid, void **ppv)
{
    obj->qi_calls++;
    if (IsEqualIID(riid, &IID_IUnknown))
        *ppv = &obj->IUnknown_iface;
    else if (obj->has_dispatch && IsEqualIID(riid, &IID_IDispatch))
        *ppv = &obj->IDispatch_iface;
    else if (obj->has_events && IsEqualIID(riid, &obj->events_iid))
        *ppv = &obj->Events_iface;
    else
    {
        *ppv = NULL;
        return E_NOINTERFACE;
    }
    InterlockedIncrement(&obj->refcount);
    return S_OK;
}

static inline HRESULT WINAPI test_unk_QueryInterface(IUnknown *iface, REFIID riid, void **ppv)
{
    return test_unk_query(test_unk_from_IUnknown(iface), riid, ppv);
}

static inline ULONG WINAPI test_unk_AddRef(IUnknown *iface)
{
    return InterlockedIncrement(&test_unk_from_IUnknown(iface)->refcount);
}

static inline ULONG WINAPI test_unk_Release(IUnknown *iface)
{
    return InterlockedDecrement(&test_unk_from_IUnknown(iface)->refcount);
}

static const IUnknownVtbl test_unk_vtbl TEST_UNUSED =
{
    test_unk_QueryInterface,
    test_unk_AddRef,
    test_unk_Release,
};

static inline HRESULT WINAPI test_events_QueryInterface(IUnknown *iface, REFIID riid, void **ppv)
{
    return test_unk_query(test_unk_from_Events(iface), riid, ppv);
}

static inline ULONG WINAPI test_events_AddRef(IUnknown *iface)
{
    return InterlockedIncrement(&test_unk_from_Events(iface)->refcount);
}

static inline ULONG WINAPI test_events_Release(IUnknown *iface)
{
    return InterlockedDecrement(&test_unk_from_Events(iface)->refcount);
}

static const IUnknownVtbl test_events_vtbl TEST_UNUSED =
{
    test_events_QueryInterface,
    test_events_AddRef,
    test_events_Release,
};

static inline HRESULT WINAPI test_disp_QueryInterface(IDispatch *iface, REFIID riid, void **ppv)
{
    return test_unk_query(test_unk_from_IDispatch(iface), riid, ppv);
}

static inline ULONG WINAPI test_disp_AddRef(IDispatch *iface)
{
    return InterlockedIncrement(&test_unk_from_IDispatch(iface)->refcount);
}

static inline ULONG WINAPI test_disp_Release(IDispatch *iface)
{
    return InterlockedDecrement(&test_unk_from_IDispatch(iface)->refcount);
}

static inline HRESULT WINAPI test_disp_GetTypeInfoCount(IDispatch *iface, UINT *count)
{
    (void)iface;
    *count = 0;
    return S_OK;
}

static inline HRESULT WINAPI test_disp_GetTypeInfo(IDispatch *iface, UINT index, LCID lcid, ITypeInfo **info)
{
    (void)iface; (void)index; (void)lcid;
    *info = NULL;
    return E_NOTIMPL;
}

static inline HRESULT WINAPI test_disp_GetIDsOfNames(IDispatch *iface, REFIID riid, LPOLESTR *names, UINT count,
                                              LCID lcid, DISPID *ids)
{
    (void)iface; (void)riid; (void)names; (void)count; (void)lcid; (void)ids;
    return E_NOTIMPL;
}

static inline HRESULT WINAPI test_disp_Invoke(IDispatch *iface, DISPID id, REFIID riid, LCID lcid, WORD flags,
                                       DISPPARAMS *params, VARIANT *result, EXCEPINFO *excep, UINT *arg_err)
{
    (void)iface; (void)id; (void)riid; (void)lcid; (void)flags; (void)params; (void)result;
    (void)excep; (void)arg_err;
    return E_NOTIMPL;
}

static const IDispatchVtbl test_disp_vtbl TEST_UNUSED =
{
    test_disp_QueryInterface,
    test_disp_AddRef,
    test_disp_Release,
    test_disp_GetTypeInfoCount,
    test_disp_GetTypeInfo,
    test_disp_GetIDsOfNames,
    test_disp_Invoke,
};

/* Starts with one reference, the test's own. */
static inline void test_unk_init(struct test_unk *obj, BOOL has_dispatch, const IID *events_iid)
{
    memset(obj, 0, sizeof(*obj));
    obj->IUnknown_iface.lpVtbl = &test_unk_vtbl;
    obj->IDispatch_iface.lpVtbl = &test_disp_vtbl;
    obj->Events_iface.lpVtbl = &test_events_vtbl;
    obj->refcount = 1;
    obj->has_dispatch = has_dispatch;
    if (events_iid)
    {
        obj->has_events = TRUE;
        obj->events_iid = *events_iid;
    }
}

#endif
