/*
 * The RTC face of the snapshot collections (rtccore/collection.c): IRTCCollection's
 * identity, items and DISPIDs, IRTCEnumProfiles and IRTCEnumParticipants. The
 * shared collection itself (argument rules, snapshots, IEnumVARIANT) is tested in
 * tests/unit/com/test_collection.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <wchar.h>
#include <cmocka.h>

#include "collection.h"
#include "profile.h"

#define assert_hr(expr, expected) do { \
        HRESULT hr_ = (expr); \
        if (hr_ != (HRESULT)(expected)) { \
            print_error("%s: got 0x%08x, expected 0x%08x\n", #expr, (unsigned int)hr_, (unsigned int)(expected)); \
            fail(); \
        } \
    } while (0)

/* ---- a counted item: IUnknown always, IDispatch only when asked to ------------------ */

struct item
{
    IDispatch IDispatch_iface;
    LONG refcount;
    BOOL has_dispatch;
};

static struct item *impl_from_IDispatch(IDispatch *iface)
{
    return CONTAINING_RECORD(iface, struct item, IDispatch_iface);
}

static HRESULT WINAPI item_QueryInterface(IDispatch *iface, REFIID riid, void **ppv)
{
    struct item *item = impl_from_IDispatch(iface);

    if (IsEqualIID(riid, &IID_IUnknown) || (item->has_dispatch && IsEqualIID(riid, &IID_IDispatch)))
    {
        *ppv = iface;
        item->refcount++;
        return S_OK;
    }
    *ppv = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI item_AddRef(IDispatch *iface)
{
    return ++impl_from_IDispatch(iface)->refcount;
}

static ULONG WINAPI item_Release(IDispatch *iface)
{
    return --impl_from_IDispatch(iface)->refcount;
}

static HRESULT WINAPI item_GetTypeInfoCount(IDispatch *iface, UINT *count)
{
    return E_NOTIMPL;
}

static HRESULT WINAPI item_GetTypeInfo(IDispatch *iface, UINT index, LCID lcid, ITypeInfo **info)
{
    return E_NOTIMPL;
}

static HRESULT WINAPI item_GetIDsOfNames(IDispatch *iface, REFIID riid, LPOLESTR *names, UINT count,
                                         LCID lcid, DISPID *ids)
{
    return E_NOTIMPL;
}

static HRESULT WINAPI item_Invoke(IDispatch *iface, DISPID id, REFIID riid, LCID lcid, WORD flags,
                                  DISPPARAMS *params, VARIANT *result, EXCEPINFO *info, UINT *arg_err)
{
    return E_NOTIMPL;
}

static const IDispatchVtbl item_vtbl =
{
    item_QueryInterface, item_AddRef, item_Release,
    item_GetTypeInfoCount, item_GetTypeInfo, item_GetIDsOfNames, item_Invoke,
};

static void item_init(struct item *item, BOOL has_dispatch)
{
    item->IDispatch_iface.lpVtbl = &item_vtbl;
    item->refcount = 1;
    item->has_dispatch = has_dispatch;
}

static IUnknown *unk(struct item *item)
{
    return (IUnknown *)&item->IDispatch_iface;
}

/* Three items: 1 and 3 have IDispatch, 2 does not. */
struct fixture
{
    struct item items[3];
    IUnknown *array[3];
};

static void fixture_init(struct fixture *f)
{
    unsigned int i;

    for (i = 0; i < 3; i++)
    {
        item_init(&f->items[i], i != 1);
        f->array[i] = unk(&f->items[i]);
    }
}

static void assert_refcounts(const struct fixture *f, LONG expected)
{
    unsigned int i;

    for (i = 0; i < 3; i++)
        assert_int_equal(f->items[i].refcount, expected);
}

static ULONG refcount_of(IUnknown *unknown)
{
    IUnknown_AddRef(unknown);
    return IUnknown_Release(unknown);
}

/* ---- IRTCCollection ------------------------------------------------------------------- */

static void test_collection_items(void **state)
{
    IRTCCollection *collection;
    struct fixture f;
    IUnknown *unknown;
    VARIANT v;
    LONG count;

    fixture_init(&f);
    assert_hr(rtc_collection_create(f.array, 3, &collection), S_OK);
    assert_refcounts(&f, 2);       /* one reference each, held by the snapshot */

    assert_hr(IRTCCollection_get_Count(collection, &count), S_OK);
    assert_int_equal(count, 3);

    /* 1-based; VT_DISPATCH when the item has IDispatch, else VT_UNKNOWN. */
    assert_hr(IRTCCollection_get_Item(collection, 1, &v), S_OK);
    assert_int_equal(V_VT(&v), VT_DISPATCH);
    assert_ptr_equal(V_DISPATCH(&v), &f.items[0].IDispatch_iface);
    assert_int_equal(f.items[0].refcount, 3);
    VariantClear(&v);
    assert_int_equal(f.items[0].refcount, 2);

    assert_hr(IRTCCollection_get_Item(collection, 2, &v), S_OK);
    assert_int_equal(V_VT(&v), VT_UNKNOWN);
    assert_ptr_equal(V_UNKNOWN(&v), unk(&f.items[1]));
    VariantClear(&v);

    assert_hr(IRTCCollection_get_Item(collection, 3, &v), S_OK);
    assert_int_equal(V_VT(&v), VT_DISPATCH);
    assert_ptr_equal(V_DISPATCH(&v), &f.items[2].IDispatch_iface);
    VariantClear(&v);

    /* Out of range: E_INVALIDARG and an empty VARIANT. */
    V_VT(&v) = VT_I4;
    assert_hr(IRTCCollection_get_Item(collection, 0, &v), E_INVALIDARG);
    assert_int_equal(V_VT(&v), VT_EMPTY);
    assert_hr(IRTCCollection_get_Item(collection, 4, &v), E_INVALIDARG);
    assert_hr(IRTCCollection_get_Item(collection, -1, &v), E_INVALIDARG);
    assert_hr(IRTCCollection_get_Item(collection, 0x7fffffff, &v), E_INVALIDARG);
    assert_hr(IRTCCollection_get_Item(collection, 1, NULL), E_POINTER);
    assert_hr(IRTCCollection_get_Count(collection, NULL), E_POINTER);
    assert_hr(IRTCCollection_get__NewEnum(collection, NULL), E_POINTER);
    assert_refcounts(&f, 2);

    /* COM identity: IUnknown, IDispatch and IRTCCollection are one pointer. */
    assert_hr(IRTCCollection_QueryInterface(collection, &IID_IUnknown, (void **)&unknown), S_OK);
    assert_ptr_equal(unknown, collection);
    IUnknown_Release(unknown);
    assert_hr(IRTCCollection_QueryInterface(collection, &IID_IDispatch, (void **)&unknown), S_OK);
    assert_ptr_equal(unknown, collection);
    IUnknown_Release(unknown);
    unknown = (IUnknown *)0xdeadbeef;
    assert_hr(IRTCCollection_QueryInterface(collection, &IID_IEnumVARIANT, (void **)&unknown), E_NOINTERFACE);
    assert_null(unknown);
    assert_hr(IRTCCollection_QueryInterface(collection, &IID_IRTCCollection, NULL), E_POINTER);
    assert_int_equal(refcount_of((IUnknown *)collection), 1);

    assert_int_equal(IRTCCollection_Release(collection), 0);
    assert_refcounts(&f, 1);       /* back to the caller's own reference */
}

/* ---- IDispatch on the collection --------------------------------------------------------- */

static HRESULT invoke(IRTCCollection *collection, DISPID id, WORD flags, VARIANT *args, UINT count, VARIANT *result)
{
    DISPPARAMS params = { args, NULL, count, 0 };
    return IRTCCollection_Invoke(collection, id, &IID_NULL, 0, flags, &params, result, NULL, NULL);
}

static void test_collection_dispatch(void **state)
{
    static const WCHAR *names[] = { L"Count", L"item", L"_NEWENUM" };
    static const DISPID expected[] = { RTC_DISPID_COLLECTION_COUNT, DISPID_VALUE, DISPID_NEWENUM };
    IRTCCollection *collection;
    ITypeInfo *info;
    struct fixture f;
    VARIANT args[2], result;
    DISPPARAMS params = { NULL, NULL, 0, 0 };
    LPOLESTR name;
    unsigned int i;
    DISPID id;
    SHORT index = 3;
    UINT count;

    fixture_init(&f);
    assert_hr(rtc_collection_create(f.array, 3, &collection), S_OK);

    assert_hr(IRTCCollection_GetTypeInfoCount(collection, &count), S_OK);
    assert_int_equal(count, 0);
    assert_hr(IRTCCollection_GetTypeInfo(collection, 0, 0, &info), DISP_E_BADINDEX);

    for (i = 0; i < ARRAY_SIZE(names); i++)
    {
        name = (LPOLESTR)names[i];
        assert_hr(IRTCCollection_GetIDsOfNames(collection, &IID_NULL, &name, 1, 0, &id), S_OK);
        assert_int_equal(id, expected[i]);
    }
    name = (LPOLESTR)L"Items";
    assert_hr(IRTCCollection_GetIDsOfNames(collection, &IID_NULL, &name, 1, 0, &id), DISP_E_UNKNOWNNAME);
    assert_hr(IRTCCollection_GetIDsOfNames(collection, &IID_IUnknown, &name, 1, 0, &id), DISP_E_UNKNOWNINTERFACE);

    /* Count */
    VariantInit(&result);
    assert_hr(invoke(collection, RTC_DISPID_COLLECTION_COUNT, DISPATCH_PROPERTYGET, NULL, 0, &result), S_OK);
    assert_int_equal(V_VT(&result), VT_I4);
    assert_int_equal(V_I4(&result), 3);

    /* Item (DISPID_VALUE) as property get and as method, the index in several types. */
    V_VT(&args[0]) = VT_I4;
    V_I4(&args[0]) = 1;
    assert_hr(invoke(collection, DISPID_VALUE, DISPATCH_PROPERTYGET, args, 1, &result), S_OK);
    assert_int_equal(V_VT(&result), VT_DISPATCH);
    assert_ptr_equal(V_DISPATCH(&result), &f.items[0].IDispatch_iface);
    VariantClear(&result);

    V_VT(&args[0]) = VT_BSTR;
    V_BSTR(&args[0]) = SysAllocString(L"2");
    assert_hr(invoke(collection, DISPID_VALUE, DISPATCH_METHOD | DISPATCH_PROPERTYGET, args, 1, &result), S_OK);
    assert_int_equal(V_VT(&result), VT_UNKNOWN);
    assert_ptr_equal(V_UNKNOWN(&result), unk(&f.items[1]));
    VariantClear(&result);
    VariantClear(&args[0]);

    V_VT(&args[0]) = VT_I2 | VT_BYREF;
    V_I2REF(&args[0]) = &index;
    assert_hr(invoke(collection, DISPID_VALUE, DISPATCH_METHOD, args, 1, &result), S_OK);
    assert_ptr_equal(V_DISPATCH(&result), &f.items[2].IDispatch_iface);
    VariantClear(&result);

    V_VT(&args[0]) = VT_I4;
    V_I4(&args[0]) = 4;
    assert_hr(invoke(collection, DISPID_VALUE, DISPATCH_PROPERTYGET, args, 1, &result), E_INVALIDARG);
    assert_hr(invoke(collection, DISPID_VALUE, DISPATCH_PROPERTYGET, args, 0, &result), DISP_E_BADPARAMCOUNT);
    V_VT(&args[1]) = VT_I4;
    V_I4(&args[1]) = 1;
    assert_hr(invoke(collection, DISPID_VALUE, DISPATCH_PROPERTYGET, args, 2, &result), DISP_E_BADPARAMCOUNT);
    V_VT(&args[0]) = VT_BSTR;
    V_BSTR(&args[0]) = SysAllocString(L"first");
    assert_hr(invoke(collection, DISPID_VALUE, DISPATCH_PROPERTYGET, args, 1, &result), DISP_E_TYPEMISMATCH);
    VariantClear(&args[0]);
    assert_hr(invoke(collection, RTC_DISPID_COLLECTION_COUNT, DISPATCH_PROPERTYPUT, NULL, 0, &result), DISP_E_MEMBERNOTFOUND);
    assert_hr(invoke(collection, 1234, DISPATCH_PROPERTYGET, NULL, 0, &result), DISP_E_MEMBERNOTFOUND);
    assert_hr(IRTCCollection_Invoke(collection, DISPID_VALUE, &IID_IUnknown, 0, DISPATCH_PROPERTYGET,
                                    &params, &result, NULL, NULL), DISP_E_UNKNOWNINTERFACE);

    /* _NewEnum */
    assert_hr(invoke(collection, DISPID_NEWENUM, DISPATCH_PROPERTYGET, NULL, 0, &result), S_OK);
    assert_int_equal(V_VT(&result), VT_UNKNOWN);
    assert_non_null(V_UNKNOWN(&result));
    VariantClear(&result);

    /* The result may be NULL (dispatch discards it). */
    assert_hr(invoke(collection, RTC_DISPID_COLLECTION_COUNT, DISPATCH_PROPERTYGET, NULL, 0, NULL), S_OK);

    assert_int_equal(IRTCCollection_Release(collection), 0);
    assert_refcounts(&f, 1);
}

/* ---- IRTCEnumProfiles over real profiles, IRTCEnumParticipants over items ---------------- */

static IRTCProfile *make_profile(const WCHAR *key)
{
    WCHAR xml[512];
    IRTCProfile2 *profile;

    swprintf(xml, ARRAY_SIZE(xml),
             L"<provision key=\"%ls\" name=\"n\"><user uri=\"sip:a@example.com\"/>"
             L"<sipsrv addr=\"example.com\" protocol=\"UDP\" role=\"registrar\"/></provision>", key);
    assert_hr(rtc_profile_create_from_xml(xml, &profile), S_OK);
    return (IRTCProfile *)profile;
}

static void test_enum_profiles(void **state)
{
    IRTCProfile *profiles[2], *out[3] = { NULL };
    IRTCEnumProfiles *e, *clone;
    IRTCCollection *collection;
    IRTCProfile *from_item;
    IUnknown *unknown;
    ULONG fetched;
    VARIANT v;
    BSTR key;

    profiles[0] = make_profile(L"k1");
    profiles[1] = make_profile(L"k2");
    assert_hr(rtc_enum_profiles_create((IUnknown **)profiles, 2, &e), S_OK);
    assert_int_equal(refcount_of((IUnknown *)profiles[0]), 2);

    assert_hr(IRTCEnumProfiles_QueryInterface(e, &IID_IUnknown, (void **)&unknown), S_OK);
    assert_ptr_equal(unknown, e);
    IUnknown_Release(unknown);
    assert_hr(IRTCEnumProfiles_QueryInterface(e, &IID_IRTCEnumParticipants, (void **)&unknown), E_NOINTERFACE);
    assert_hr(IRTCEnumProfiles_QueryInterface(e, &IID_IEnumVARIANT, (void **)&unknown), E_NOINTERFACE);

    assert_hr(IRTCEnumProfiles_Next(e, 3, out, &fetched), S_FALSE);
    assert_int_equal(fetched, 2);
    assert_ptr_equal(out[0], profiles[0]);
    assert_ptr_equal(out[1], profiles[1]);
    assert_null(out[2]);
    assert_int_equal(refcount_of((IUnknown *)profiles[0]), 3);
    IRTCProfile_Release(out[0]);
    IRTCProfile_Release(out[1]);

    assert_hr(IRTCEnumProfiles_Reset(e), S_OK);
    assert_hr(IRTCEnumProfiles_Skip(e, 1), S_OK);
    assert_hr(IRTCEnumProfiles_Clone(e, &clone), S_OK);
    assert_hr(IRTCEnumProfiles_Next(clone, 1, out, NULL), S_OK);
    assert_ptr_equal(out[0], profiles[1]);
    IRTCProfile_Release(out[0]);
    assert_hr(IRTCEnumProfiles_Next(clone, 1, out, &fetched), S_FALSE);
    assert_int_equal(fetched, 0);
    assert_hr(IRTCEnumProfiles_Next(e, 1, out, &fetched), S_OK);
    assert_ptr_equal(out[0], profiles[1]);
    IRTCProfile_Release(out[0]);
    assert_hr(IRTCEnumProfiles_Skip(e, 1), S_FALSE);
    assert_hr(IRTCEnumProfiles_Next(e, 1, NULL, &fetched), E_POINTER);
    assert_hr(IRTCEnumProfiles_Clone(e, NULL), E_POINTER);
    assert_int_equal(IRTCEnumProfiles_Release(clone), 0);
    assert_int_equal(IRTCEnumProfiles_Release(e), 0);
    assert_int_equal(refcount_of((IUnknown *)profiles[0]), 1);
    assert_int_equal(refcount_of((IUnknown *)profiles[1]), 1);

    /* In a collection a profile is a VT_DISPATCH item that leads back to the profile. */
    assert_hr(rtc_collection_create((IUnknown **)profiles, 2, &collection), S_OK);
    assert_hr(IRTCCollection_get_Item(collection, 2, &v), S_OK);
    assert_int_equal(V_VT(&v), VT_DISPATCH);
    assert_hr(IDispatch_QueryInterface(V_DISPATCH(&v), &IID_IRTCProfile, (void **)&from_item), S_OK);
    assert_ptr_equal(from_item, profiles[1]);
    assert_hr(IRTCProfile_get_Key(from_item, &key), S_OK);
    assert_true(!wcscmp(key, L"k2"));
    SysFreeString(key);
    IRTCProfile_Release(from_item);
    VariantClear(&v);
    assert_int_equal(IRTCCollection_Release(collection), 0);

    assert_int_equal(IRTCProfile_Release(profiles[0]), 0);
    assert_int_equal(IRTCProfile_Release(profiles[1]), 0);
}

static void test_enum_participants(void **state)
{
    IRTCEnumParticipants *e, *clone;
    IRTCParticipant *out[2];
    IUnknown *unknown;
    struct fixture f;
    ULONG fetched;

    fixture_init(&f);
    assert_hr(rtc_enum_participants_create(f.array, 3, &e), S_OK);
    assert_refcounts(&f, 2);
    assert_hr(IRTCEnumParticipants_QueryInterface(e, &IID_IRTCEnumParticipants, (void **)&unknown), S_OK);
    assert_ptr_equal(unknown, e);
    IUnknown_Release(unknown);
    assert_hr(IRTCEnumParticipants_QueryInterface(e, &IID_IRTCEnumProfiles, (void **)&unknown), E_NOINTERFACE);
    assert_null(unknown);

    assert_hr(IRTCEnumParticipants_Skip(e, 2), S_OK);
    assert_hr(IRTCEnumParticipants_Clone(e, &clone), S_OK);
    assert_hr(IRTCEnumParticipants_QueryInterface(clone, &IID_IRTCEnumParticipants, (void **)&unknown), S_OK);
    IUnknown_Release(unknown);
    assert_hr(IRTCEnumParticipants_Next(clone, 2, out, &fetched), S_FALSE);
    assert_int_equal(fetched, 1);
    assert_ptr_equal(out[0], unk(&f.items[2]));
    assert_int_equal(f.items[2].refcount, 3);
    IUnknown_Release((IUnknown *)out[0]);
    assert_hr(IRTCEnumParticipants_Reset(e), S_OK);
    assert_hr(IRTCEnumParticipants_Next(e, 2, out, &fetched), S_OK);
    assert_int_equal(fetched, 2);
    IUnknown_Release((IUnknown *)out[0]);
    IUnknown_Release((IUnknown *)out[1]);
    assert_int_equal(IRTCEnumParticipants_Release(e), 0);
    assert_int_equal(IRTCEnumParticipants_Release(clone), 0);
    assert_refcounts(&f, 1);

    /* Empty and failing creation. */
    assert_hr(rtc_enum_participants_create(NULL, 0, &e), S_OK);
    assert_hr(IRTCEnumParticipants_Next(e, 1, out, &fetched), S_FALSE);
    assert_hr(IRTCEnumParticipants_Skip(e, 1), S_FALSE);
    IRTCEnumParticipants_Release(e);
    assert_hr(rtc_enum_participants_create(f.array, 3, NULL), E_POINTER);
    f.array[2] = NULL;
    e = (IRTCEnumParticipants *)0xdeadbeef;
    assert_hr(rtc_enum_participants_create(f.array, 3, &e), E_INVALIDARG);
    assert_null(e);
    assert_refcounts(&f, 1);
}

/* ---- apartment rule ------------------------------------------------------------------------ */

struct thread_call
{
    IRTCCollection *collection;
    IEnumVARIANT *e;
    HRESULT count_hr, item_hr, next_hr;
};

static void *other_thread(void *data)
{
    struct thread_call *call = data;
    VARIANT v;
    LONG count;

    call->count_hr = IRTCCollection_get_Count(call->collection, &count);
    call->item_hr = IRTCCollection_get_Item(call->collection, 1, &v);
    call->next_hr = IEnumVARIANT_Next(call->e, 1, &v, NULL);
    return NULL;
}

static void test_wrong_thread(void **state)
{
    struct thread_call call = { 0 };
    IUnknown *unknown;
    struct fixture f;

    fixture_init(&f);
    assert_hr(rtc_collection_create(f.array, 3, &call.collection), S_OK);
    assert_hr(IRTCCollection_get__NewEnum(call.collection, &unknown), S_OK);
    call.e = (IEnumVARIANT *)unknown;
    g_thread_join(g_thread_new("other", other_thread, &call));
    assert_hr(call.count_hr, RPC_E_WRONG_THREAD);
    assert_hr(call.item_hr, RPC_E_WRONG_THREAD);
    assert_hr(call.next_hr, RPC_E_WRONG_THREAD);
    IEnumVARIANT_Release(call.e);
    IRTCCollection_Release(call.collection);
    assert_refcounts(&f, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] =
    {
        cmocka_unit_test(test_collection_items),
        cmocka_unit_test(test_collection_dispatch),
        cmocka_unit_test(test_enum_profiles),
        cmocka_unit_test(test_enum_participants),
        cmocka_unit_test(test_wrong_thread),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
