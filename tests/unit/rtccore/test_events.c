/*
 * The RTC event objects (rtccore/events.c): every getter of every event
 * interface, reference counting of the objects they hold, QueryInterface
 * rules, IDispatch by name and by DISPID (rtccore.idl's ids), the callbacks
 * behind IRTCReInviteEvent and IRTCSessionReferredEvent, and the RTC_EVENT ->
 * RTCEF_* filter bit mapping.
 *
 * Sessions, participants, profiles and the client are counted test objects
 * (struct test_unk): the event objects only ever AddRef, Release and
 * QueryInterface them for IDispatch.
 */
#include "com/com_test_util.h"
#include <wctype.h>
#include "events.h"

/* ---- helpers ---------------------------------------------------------------------- */

static ULONG event_refcount(IDispatch *event)
{
    return get_refcount((IUnknown *)event);
}

/* A test object seen as one of the RTC interfaces (only IUnknown's slots are used). */
#define AS(type, obj) ((type *)&(obj)->IUnknown_iface)

/* IIDs that no event object answers, plus every event IID the object must not answer. */
static const IID *const all_event_iids[] =
{
    &IID_IRTCClientEvent, &IID_IRTCRegistrationStateChangeEvent, &IID_IRTCSessionStateChangeEvent,
    &IID_IRTCSessionStateChangeEvent2, &IID_IRTCSessionOperationCompleteEvent,
    &IID_IRTCSessionOperationCompleteEvent2, &IID_IRTCParticipantStateChangeEvent, &IID_IRTCMediaEvent,
    &IID_IRTCMessagingEvent, &IID_IRTCInfoEvent, &IID_IRTCReInviteEvent, &IID_IRTCSessionReferStatusEvent,
    &IID_IRTCSessionReferredEvent, &IID_IRTCIntensityEvent, &IID_IRTCMediaRequestEvent,
    &IID_IRTCClient, &IID_IRTCSession, &IID_IRTCEventNotification, &IID_IConnectionPointContainer,
    &IID_IEnumVARIANT, &IID_IMarshal, &IID_ITestEvents,
};

/*
 * QueryInterface: IUnknown, IDispatch and each of yes[] give the same pointer
 * (the event's own) and one reference; everything else E_NOINTERFACE + NULL.
 */
static void check_qi(IDispatch *event, const IID *const *yes, unsigned int yes_count)
{
    ULONG base = event_refcount(event);
    unsigned int i, j;
    IUnknown *unk, *unk2;
    void *ppv;

    assert_hr(IDispatch_QueryInterface(event, &IID_IUnknown, (void **)&unk), S_OK);
    assert_ptr_equal(unk, event);
    assert_int_equal(event_refcount(event), base + 1);
    assert_hr(IUnknown_QueryInterface(unk, &IID_IUnknown, (void **)&unk2), S_OK);
    assert_ptr_equal(unk2, unk);
    IUnknown_Release(unk2);
    IUnknown_Release(unk);

    assert_hr(IDispatch_QueryInterface(event, &IID_IDispatch, &ppv), S_OK);
    assert_ptr_equal(ppv, event);
    IUnknown_Release((IUnknown *)ppv);

    for (i = 0; i < yes_count; i++)
    {
        assert_hr(IDispatch_QueryInterface(event, yes[i], &ppv), S_OK);
        assert_ptr_equal(ppv, event);
        /* Symmetric and transitive: back to IUnknown and to each other answered IID. */
        assert_hr(IUnknown_QueryInterface((IUnknown *)ppv, &IID_IUnknown, (void **)&unk), S_OK);
        assert_ptr_equal(unk, event);
        IUnknown_Release(unk);
        for (j = 0; j < yes_count; j++)
        {
            assert_hr(IUnknown_QueryInterface((IUnknown *)ppv, yes[j], (void **)&unk), S_OK);
            IUnknown_Release(unk);
        }
        IUnknown_Release((IUnknown *)ppv);
    }

    for (i = 0; i < ARRAY_SIZE(all_event_iids); i++)
    {
        BOOL expected = FALSE;
        for (j = 0; j < yes_count; j++)
            expected |= IsEqualIID(all_event_iids[i], yes[j]);
        if (expected)
            continue;
        ppv = (void *)0xdeadbeef;
        assert_hr(IDispatch_QueryInterface(event, all_event_iids[i], &ppv), E_NOINTERFACE);
        assert_null(ppv);
    }
    assert_hr(IDispatch_QueryInterface(event, &IID_IUnknown, NULL), E_POINTER);
    assert_int_equal(event_refcount(event), base);
}

struct member
{
    const WCHAR *name;
    DISPID dispid;
};

static void check_id_of_name(IDispatch *event, const WCHAR *name, DISPID expected)
{
    LPOLESTR names[1] = { (LPOLESTR)name };
    DISPID id = 12345;

    assert_hr(IDispatch_GetIDsOfNames(event, &IID_NULL, names, 1, LOCALE_USER_DEFAULT, &id), S_OK);
    if (id != expected)
    {
        print_error("GetIDsOfNames(%ls) gave %d, expected %d\n", name, (int)id, (int)expected);
        fail();
    }
}

/* GetIDsOfNames gives each member's DISPID, whatever the case; unknown names fail. */
static void check_names(IDispatch *event, const struct member *members, unsigned int count)
{
    WCHAR upper[64], lower[64];
    LPOLESTR names[2];
    DISPID ids[2];
    unsigned int i, k;
    UINT type_count = 99;
    ITypeInfo *info = (ITypeInfo *)0xdeadbeef;

    for (i = 0; i < count; i++)
    {
        for (k = 0; members[i].name[k]; k++)
        {
            upper[k] = towupper(members[i].name[k]);
            lower[k] = towlower(members[i].name[k]);
        }
        upper[k] = lower[k] = 0;
        check_id_of_name(event, members[i].name, members[i].dispid);
        check_id_of_name(event, upper, members[i].dispid);
        check_id_of_name(event, lower, members[i].dispid);
    }

    names[0] = (LPOLESTR)L"NoSuchProperty";
    assert_hr(IDispatch_GetIDsOfNames(event, &IID_NULL, names, 1, 0, ids), DISP_E_UNKNOWNNAME);
    assert_int_equal(ids[0], DISPID_UNKNOWN);
    /* A member name with a named argument: the member resolves, the argument does not. */
    names[0] = (LPOLESTR)members[0].name;
    names[1] = (LPOLESTR)L"bogus";
    assert_hr(IDispatch_GetIDsOfNames(event, &IID_NULL, names, 2, 0, ids), DISP_E_UNKNOWNNAME);
    assert_int_equal(ids[0], members[0].dispid);
    assert_int_equal(ids[1], DISPID_UNKNOWN);
    /* riid is reserved and must be IID_NULL. */
    names[0] = (LPOLESTR)members[0].name;
    assert_hr(IDispatch_GetIDsOfNames(event, &IID_IRTCClient, names, 1, 0, ids), DISP_E_UNKNOWNINTERFACE);

    /* No type information at run time. */
    assert_hr(IDispatch_GetTypeInfoCount(event, &type_count), S_OK);
    assert_int_equal(type_count, 0);
    assert_hr(IDispatch_GetTypeInfoCount(event, NULL), E_POINTER);
    assert_hr(IDispatch_GetTypeInfo(event, 1, 0, &info), DISP_E_BADINDEX);
    assert_null(info);
    info = (ITypeInfo *)0xdeadbeef;
    assert_hr(IDispatch_GetTypeInfo(event, 0, 0, &info), E_NOTIMPL);
    assert_null(info);
}

static HRESULT invoke(IDispatch *event, DISPID id, WORD flags, VARIANT *args, UINT arg_count, VARIANT *result)
{
    DISPPARAMS params = { args, NULL, arg_count, 0 };
    UINT arg_err = 0;

    if (result)
        VariantInit(result);
    return IDispatch_Invoke(event, id, &IID_NULL, LOCALE_USER_DEFAULT, flags, &params, result, NULL, &arg_err);
}

static HRESULT invoke_get(IDispatch *event, DISPID id, VARIANT *result)
{
    return invoke(event, id, DISPATCH_PROPERTYGET, NULL, 0, result);
}

static void check_invoke_i4(IDispatch *event, DISPID id, LONG expected)
{
    VARIANT v;

    assert_hr(invoke_get(event, id, &v), S_OK);
    assert_int_equal(V_VT(&v), VT_I4);
    assert_int_equal(V_I4(&v), expected);
    /* Also reachable as DISPATCH_METHOD | DISPATCH_PROPERTYGET (what VB sends). */
    assert_hr(invoke(event, id, DISPATCH_METHOD | DISPATCH_PROPERTYGET, NULL, 0, &v), S_OK);
    assert_int_equal(V_VT(&v), VT_I4);
    assert_int_equal(V_I4(&v), expected);
}

static void check_invoke_bstr(IDispatch *event, DISPID id, const WCHAR *expected)
{
    VARIANT v;

    assert_hr(invoke_get(event, id, &v), S_OK);
    assert_int_equal(V_VT(&v), VT_BSTR);
    assert_non_null(V_BSTR(&v));
    assert_wstr_equal(V_BSTR(&v), expected);
    VariantClear(&v);
    /* With no result wanted, nothing leaks (valgrind). */
    assert_hr(invoke_get(event, id, NULL), S_OK);
}

/* An interface property: VT_DISPATCH when the object answers IDispatch, else VT_UNKNOWN. */
static void check_invoke_interface(IDispatch *event, DISPID id, struct test_unk *obj)
{
    ULONG base;
    VARIANT v;

    if (!obj)
    {
        assert_hr(invoke_get(event, id, &v), S_OK);
        assert_int_equal(V_VT(&v), VT_DISPATCH);
        assert_null(V_DISPATCH(&v));
        return;
    }
    base = obj->refcount;
    assert_hr(invoke_get(event, id, &v), S_OK);
    if (obj->has_dispatch)
    {
        assert_int_equal(V_VT(&v), VT_DISPATCH);
        assert_ptr_equal(V_DISPATCH(&v), &obj->IDispatch_iface);
    }
    else
    {
        assert_int_equal(V_VT(&v), VT_UNKNOWN);
        assert_ptr_equal(V_UNKNOWN(&v), &obj->IUnknown_iface);
    }
    assert_int_equal(obj->refcount, base + 1);
    VariantClear(&v);
    assert_int_equal(obj->refcount, base);
    assert_hr(invoke_get(event, id, NULL), S_OK);
    assert_int_equal(obj->refcount, base);
}

/* Invoke errors every table shares. */
static void check_invoke_errors(IDispatch *event, DISPID propget_id)
{
    DISPPARAMS params = { NULL, NULL, 0, 0 };
    VARIANT v, arg;

    assert_hr(invoke_get(event, 0, &v), DISP_E_MEMBERNOTFOUND);
    assert_hr(invoke_get(event, 99, &v), DISP_E_MEMBERNOTFOUND);
    assert_hr(invoke_get(event, DISPID_UNKNOWN, &v), DISP_E_MEMBERNOTFOUND);
    assert_hr(invoke(event, 1000, DISPATCH_METHOD, NULL, 0, &v), DISP_E_MEMBERNOTFOUND);
    /* Properties are read-only and are not methods. */
    V_VT(&arg) = VT_I4;
    V_I4(&arg) = 1;
    assert_hr(invoke(event, propget_id, DISPATCH_PROPERTYPUT, &arg, 1, NULL), DISP_E_MEMBERNOTFOUND);
    assert_hr(invoke(event, propget_id, DISPATCH_METHOD, NULL, 0, &v), DISP_E_MEMBERNOTFOUND);
    /* Too many arguments for a property get. */
    assert_hr(invoke(event, propget_id, DISPATCH_PROPERTYGET, &arg, 1, &v), DISP_E_BADPARAMCOUNT);
    /* riid must be IID_NULL. */
    assert_hr(IDispatch_Invoke(event, propget_id, &IID_IRTCClient, 0, DISPATCH_PROPERTYGET, &params, &v,
                               NULL, NULL), DISP_E_UNKNOWNINTERFACE);
}

static void check_bstr(HRESULT hr, BSTR str, const WCHAR *expected)
{
    assert_hr(hr, S_OK);
    assert_non_null(str);
    assert_wstr_equal(str, expected);
    SysFreeString(str);
}

/* ---- RTC_EVENT -> RTCEF_* ------------------------------------------------------------ */

static void test_filter_bits(void **state)
{
    static const struct { RTC_EVENT type; LONG bit; } map[] =
    {
        { RTCE_CLIENT, RTCEF_CLIENT },
        { RTCE_REGISTRATION_STATE_CHANGE, RTCEF_REGISTRATION_STATE_CHANGE },
        { RTCE_SESSION_STATE_CHANGE, RTCEF_SESSION_STATE_CHANGE },
        { RTCE_SESSION_OPERATION_COMPLETE, RTCEF_SESSION_OPERATION_COMPLETE },
        { RTCE_PARTICIPANT_STATE_CHANGE, RTCEF_PARTICIPANT_STATE_CHANGE },
        { RTCE_MEDIA, RTCEF_MEDIA },
        { RTCE_INTENSITY, RTCEF_INTENSITY },
        { RTCE_MESSAGING, RTCEF_MESSAGING },
        { RTCE_BUDDY, RTCEF_BUDDY },
        { RTCE_WATCHER, RTCEF_WATCHER },
        { RTCE_PROFILE, RTCEF_PROFILE },
        { RTCE_USERSEARCH, RTCEF_USERSEARCH },
        { RTCE_INFO, RTCEF_INFO },
        { RTCE_GROUP, RTCEF_GROUP },
        { RTCE_MEDIA_REQUEST, RTCEF_MEDIA_REQUEST },
        { RTCE_ROAMING, RTCEF_ROAMING },
        { RTCE_PRESENCE_PROPERTY, RTCEF_PRESENCE_PROPERTY },
        { RTCE_PRESENCE_DATA, RTCEF_PRESENCE_DATA },
        { RTCE_PRESENCE_STATUS, RTCEF_PRESENCE_STATUS },
        { RTCE_SESSION_REFER_STATUS, RTCEF_SESSION_REFER_STATUS },
        { RTCE_SESSION_REFERRED, RTCEF_SESSION_REFERRED },
        { RTCE_REINVITE, RTCEF_REINVITE },
    };
    /* The reference's numbers, so a wrong RTCEF_* define fails too. */
    static const LONG numbers[] =
    {
        0x1, 0x2, 0x4, 0x8, 0x10, 0x20, 0x40, 0x80, 0x100, 0x200, 0x400, 0x800, 0x1000, 0x2000, 0x4000,
        0x10000, 0x20000, 0x800000, 0x1000000, 0x100000, 0x200000, 0x400000,
    };
    LONG all = 0;
    unsigned int i;

    (void)state;
    assert_int_equal(ARRAY_SIZE(map), RTCE_REINVITE + 1);
    for (i = 0; i < ARRAY_SIZE(map); i++)
    {
        assert_int_equal(map[i].type, i);
        assert_int_equal(rtc_event_filter_bit(map[i].type), map[i].bit);
        assert_int_equal(rtc_event_filter_bit(map[i].type), numbers[i]);
        assert_int_equal(all & map[i].bit, 0);
        all |= map[i].bit;
    }
    /* Every event type is inside RTCEF_ALL; no type maps to BUDDY2/WATCHER2 (flavour bits) or to
     * 0x8000 (left out on purpose: "VB automatically equates &H8000 to -32768"). */
    assert_int_equal(all & ~RTCEF_ALL, 0);
    assert_int_equal(RTCEF_ALL & ~all, RTCEF_BUDDY2 | RTCEF_WATCHER2 | 0x8000);
    assert_int_equal(rtc_event_filter_bit(RTCE_REINVITE + 1), 0);
    assert_int_equal(rtc_event_filter_bit((RTC_EVENT)-1), 0);
    assert_int_equal(rtc_event_filter_bit((RTC_EVENT)1000), 0);
}

/* ---- IRTCClientEvent ------------------------------------------------------------------- */

static void test_client_event(void **state)
{
    static const struct member members[] = { { L"EventType", 1 }, { L"Client", 2 } };
    static const IID *const iids[] = { &IID_IRTCClientEvent };
    struct test_unk client;
    IRTCClientEvent *ce;
    RTC_CLIENT_EVENT_TYPE type;
    IDispatch *event;
    IRTCClient *out;

    (void)state;
    test_unk_init(&client, FALSE, NULL);
    assert_hr(rtc_client_event_create(RTCCET_ASYNC_CLEANUP_DONE, AS(IRTCClient, &client), &event), S_OK);
    assert_non_null(event);
    assert_int_equal(event_refcount(event), 1);
    assert_int_equal(client.refcount, 2);

    check_qi(event, iids, ARRAY_SIZE(iids));
    assert_hr(IDispatch_QueryInterface(event, &IID_IRTCClientEvent, (void **)&ce), S_OK);

    type = -1;
    assert_hr(IRTCClientEvent_get_EventType(ce, &type), S_OK);
    assert_int_equal(type, RTCCET_ASYNC_CLEANUP_DONE);
    assert_hr(IRTCClientEvent_get_EventType(ce, NULL), E_POINTER);
    assert_hr(IRTCClientEvent_get_Client(ce, &out), S_OK);
    assert_ptr_equal(out, &client.IUnknown_iface);
    assert_int_equal(client.refcount, 3);
    IRTCClient_Release(out);
    assert_hr(IRTCClientEvent_get_Client(ce, NULL), E_POINTER);
    assert_int_equal(client.refcount, 2);

    check_names(event, members, ARRAY_SIZE(members));
    check_invoke_i4(event, 1, RTCCET_ASYNC_CLEANUP_DONE);
    check_invoke_interface(event, 2, &client);
    check_invoke_errors(event, 1);

    IRTCClientEvent_Release(ce);
    assert_int_equal(IDispatch_Release(event), 0);
    assert_int_equal(client.refcount, 1);

    /* The same through IDispatch-capable client objects and a NULL client. */
    test_unk_init(&client, TRUE, NULL);
    assert_hr(rtc_client_event_create(RTCCET_DEVICE_CHANGE, AS(IRTCClient, &client), &event), S_OK);
    check_invoke_interface(event, 2, &client);
    IDispatch_Release(event);
    assert_int_equal(client.refcount, 1);

    assert_hr(rtc_client_event_create(RTCCET_VOLUME_CHANGE, NULL, &event), S_OK);
    assert_hr(IDispatch_QueryInterface(event, &IID_IRTCClientEvent, (void **)&ce), S_OK);
    out = (IRTCClient *)0xdeadbeef;
    assert_hr(IRTCClientEvent_get_Client(ce, &out), S_OK);
    assert_null(out);
    check_invoke_interface(event, 2, NULL);
    IRTCClientEvent_Release(ce);
    IDispatch_Release(event);

    assert_hr(rtc_client_event_create(RTCCET_VOLUME_CHANGE, NULL, NULL), E_POINTER);
}

/* ---- IRTCRegistrationStateChangeEvent -------------------------------------------------- */

static void test_registration_event(void **state)
{
    static const struct member members[] =
        { { L"Profile", 1 }, { L"State", 2 }, { L"StatusCode", 3 }, { L"StatusText", 4 } };
    static const IID *const iids[] = { &IID_IRTCRegistrationStateChangeEvent };
    IRTCRegistrationStateChangeEvent *re;
    RTC_REGISTRATION_STATE st;
    struct test_unk profile;
    IRTCProfile *out;
    IDispatch *event;
    BSTR text, text2;
    LONG code;

    (void)state;
    test_unk_init(&profile, FALSE, NULL);
    assert_hr(rtc_registration_state_change_event_create(AS(IRTCProfile, &profile), RTCRS_REJECTED,
                                                         RTC_E_STATUS_CLIENT_UNAUTHORIZED, L"Unauthorized",
                                                         &event), S_OK);
    assert_int_equal(profile.refcount, 2);
    check_qi(event, iids, ARRAY_SIZE(iids));
    assert_hr(IDispatch_QueryInterface(event, &IID_IRTCRegistrationStateChangeEvent, (void **)&re), S_OK);

    assert_hr(IRTCRegistrationStateChangeEvent_get_Profile(re, &out), S_OK);
    assert_ptr_equal(out, &profile.IUnknown_iface);
    assert_int_equal(profile.refcount, 3);
    IRTCProfile_Release(out);
    assert_hr(IRTCRegistrationStateChangeEvent_get_State(re, &st), S_OK);
    assert_int_equal(st, RTCRS_REJECTED);
    assert_hr(IRTCRegistrationStateChangeEvent_get_StatusCode(re, &code), S_OK);
    assert_int_equal(code, RTC_E_STATUS_CLIENT_UNAUTHORIZED);
    /* Each call gives a fresh copy. */
    assert_hr(IRTCRegistrationStateChangeEvent_get_StatusText(re, &text), S_OK);
    assert_hr(IRTCRegistrationStateChangeEvent_get_StatusText(re, &text2), S_OK);
    assert_ptr_not_equal(text, text2);
    assert_int_equal(SysStringLen(text), 12);
    check_bstr(S_OK, text, L"Unauthorized");
    check_bstr(S_OK, text2, L"Unauthorized");
    assert_hr(IRTCRegistrationStateChangeEvent_get_Profile(re, NULL), E_POINTER);
    assert_hr(IRTCRegistrationStateChangeEvent_get_State(re, NULL), E_POINTER);
    assert_hr(IRTCRegistrationStateChangeEvent_get_StatusCode(re, NULL), E_POINTER);
    assert_hr(IRTCRegistrationStateChangeEvent_get_StatusText(re, NULL), E_POINTER);

    check_names(event, members, ARRAY_SIZE(members));
    check_invoke_interface(event, 1, &profile);
    check_invoke_i4(event, 2, RTCRS_REJECTED);
    check_invoke_i4(event, 3, RTC_E_STATUS_CLIENT_UNAUTHORIZED);
    check_invoke_bstr(event, 4, L"Unauthorized");
    check_invoke_errors(event, 2);

    IRTCRegistrationStateChangeEvent_Release(re);
    assert_int_equal(IDispatch_Release(event), 0);
    assert_int_equal(profile.refcount, 1);

    /* NULL text is the empty string. */
    assert_hr(rtc_registration_state_change_event_create(NULL, RTCRS_REGISTERED, 0, NULL, &event), S_OK);
    assert_hr(IDispatch_QueryInterface(event, &IID_IRTCRegistrationStateChangeEvent, (void **)&re), S_OK);
    assert_hr(IRTCRegistrationStateChangeEvent_get_StatusText(re, &text), S_OK);
    check_bstr(S_OK, text, L"");
    check_invoke_bstr(event, 4, L"");
    IRTCRegistrationStateChangeEvent_Release(re);
    IDispatch_Release(event);
}

/* ---- IRTCSessionStateChangeEvent(2) ------------------------------------------------------ */

static const struct member session_state_members[] =
{
    { L"Session", 1 }, { L"State", 2 }, { L"StatusCode", 3 }, { L"StatusText", 4 }, { L"MediaTypes", 5 },
    { L"RemotePreferredSecurityLevel", 6 }, { L"IsForked", 7 }, { L"GetRemoteSessionDescription", 8 },
};

static const IID *const session_state_iids[] =
    { &IID_IRTCSessionStateChangeEvent, &IID_IRTCSessionStateChangeEvent2 };

/* GetRemoteSessionDescription through Invoke, with BSTR* and VARIANT* out arguments. */
static void check_invoke_description(IDispatch *event, DISPID id, const WCHAR *type, const WCHAR *body)
{
    BSTR out_type = NULL, out_body = NULL;
    VARIANT args[2], v, var_body;

    /* rgvarg is last argument first. */
    V_VT(&args[1]) = VT_BYREF | VT_BSTR;
    V_BSTRREF(&args[1]) = &out_type;
    V_VT(&args[0]) = VT_BYREF | VT_BSTR;
    V_BSTRREF(&args[0]) = &out_body;
    assert_hr(invoke(event, id, DISPATCH_METHOD, args, 2, &v), S_OK);
    assert_int_equal(V_VT(&v), VT_EMPTY);
    check_bstr(S_OK, out_type, type);
    check_bstr(S_OK, out_body, body);

    out_type = NULL;
    V_VT(&var_body) = VT_I4;
    V_I4(&var_body) = 7;
    V_VT(&args[0]) = VT_BYREF | VT_VARIANT;
    V_VARIANTREF(&args[0]) = &var_body;
    assert_hr(invoke(event, id, DISPATCH_METHOD, args, 2, NULL), S_OK);
    check_bstr(S_OK, out_type, type);
    assert_int_equal(V_VT(&var_body), VT_BSTR);
    assert_wstr_equal(V_BSTR(&var_body), body);
    VariantClear(&var_body);

    /* By value is not an out argument; wrong count. */
    V_VT(&args[0]) = VT_BSTR;
    V_BSTR(&args[0]) = NULL;
    assert_hr(invoke(event, id, DISPATCH_METHOD, args, 2, NULL), DISP_E_TYPEMISMATCH);
    assert_hr(invoke(event, id, DISPATCH_METHOD, args, 1, NULL), DISP_E_BADPARAMCOUNT);
    assert_hr(invoke(event, id, DISPATCH_METHOD, NULL, 0, NULL), DISP_E_BADPARAMCOUNT);
    assert_hr(invoke(event, id, DISPATCH_PROPERTYGET, NULL, 0, NULL), DISP_E_MEMBERNOTFOUND);
}

static void test_session_state_event(void **state)
{
    IRTCSessionStateChangeEvent2 *se2;
    IRTCSessionStateChangeEvent *se;
    struct test_unk session;
    RTC_SECURITY_LEVEL level;
    RTC_SESSION_STATE st;
    IRTCSession *out;
    IDispatch *event;
    VARIANT_BOOL forked;
    BSTR type, body;
    VARIANT arg, v;
    LONG value;

    (void)state;
    test_unk_init(&session, TRUE, NULL);
    assert_hr(rtc_session_state_change_event2_create(AS(IRTCSession, &session), RTCSS_INCOMING, 0,
                                                     L"Ringing", RTCMT_AUDIO_SEND | RTCMT_AUDIO_RECEIVE,
                                                     RTCSECL_REQUIRED, RTCSECL_SUPPORTED, VARIANT_TRUE,
                                                     L"application/sdp", L"v=0\r\n", &event), S_OK);
    assert_int_equal(session.refcount, 2);
    check_qi(event, session_state_iids, ARRAY_SIZE(session_state_iids));
    assert_hr(IDispatch_QueryInterface(event, &IID_IRTCSessionStateChangeEvent, (void **)&se), S_OK);
    assert_hr(IDispatch_QueryInterface(event, &IID_IRTCSessionStateChangeEvent2, (void **)&se2), S_OK);

    /* IRTCSessionStateChangeEvent part, through the base interface. */
    assert_hr(IRTCSessionStateChangeEvent_get_Session(se, &out), S_OK);
    assert_ptr_equal(out, &session.IUnknown_iface);
    assert_int_equal(session.refcount, 3);
    IRTCSession_Release(out);
    assert_hr(IRTCSessionStateChangeEvent_get_State(se, &st), S_OK);
    assert_int_equal(st, RTCSS_INCOMING);
    assert_hr(IRTCSessionStateChangeEvent_get_StatusCode(se, &value), S_OK);
    assert_int_equal(value, 0);
    assert_hr(IRTCSessionStateChangeEvent_get_StatusText(se, &type), S_OK);
    check_bstr(S_OK, type, L"Ringing");
    assert_hr(IRTCSessionStateChangeEvent_get_Session(se, NULL), E_POINTER);
    assert_hr(IRTCSessionStateChangeEvent_get_State(se, NULL), E_POINTER);
    assert_hr(IRTCSessionStateChangeEvent_get_StatusCode(se, NULL), E_POINTER);
    assert_hr(IRTCSessionStateChangeEvent_get_StatusText(se, NULL), E_POINTER);

    /* IRTCSessionStateChangeEvent2 part. */
    assert_hr(IRTCSessionStateChangeEvent2_get_State(se2, &st), S_OK);
    assert_int_equal(st, RTCSS_INCOMING);
    assert_hr(IRTCSessionStateChangeEvent2_get_MediaTypes(se2, &value), S_OK);
    assert_int_equal(value, RTCMT_AUDIO_SEND | RTCMT_AUDIO_RECEIVE);
    assert_hr(IRTCSessionStateChangeEvent2_get_RemotePreferredSecurityLevel(se2,
              RTCSECT_AUDIO_VIDEO_MEDIA_ENCRYPTION, &level), S_OK);
    assert_int_equal(level, RTCSECL_REQUIRED);
    assert_hr(IRTCSessionStateChangeEvent2_get_RemotePreferredSecurityLevel(se2,
              RTCSECT_T120_MEDIA_ENCRYPTION, &level), S_OK);
    assert_int_equal(level, RTCSECL_SUPPORTED);
    assert_hr(IRTCSessionStateChangeEvent2_get_RemotePreferredSecurityLevel(se2, 2, &level), E_INVALIDARG);
    assert_hr(IRTCSessionStateChangeEvent2_get_RemotePreferredSecurityLevel(se2, -1, &level), E_INVALIDARG);
    assert_hr(IRTCSessionStateChangeEvent2_get_RemotePreferredSecurityLevel(se2, 0, NULL), E_POINTER);
    assert_hr(IRTCSessionStateChangeEvent2_get_IsForked(se2, &forked), S_OK);
    assert_int_equal(forked, VARIANT_TRUE);
    assert_hr(IRTCSessionStateChangeEvent2_GetRemoteSessionDescription(se2, &type, &body), S_OK);
    check_bstr(S_OK, type, L"application/sdp");
    check_bstr(S_OK, body, L"v=0\r\n");
    body = (BSTR)0xdeadbeef;
    assert_hr(IRTCSessionStateChangeEvent2_GetRemoteSessionDescription(se2, NULL, &body), E_INVALIDARG);
    assert_null(body);
    assert_hr(IRTCSessionStateChangeEvent2_get_MediaTypes(se2, NULL), E_POINTER);
    assert_hr(IRTCSessionStateChangeEvent2_get_IsForked(se2, NULL), E_POINTER);

    check_names(event, session_state_members, ARRAY_SIZE(session_state_members));
    check_invoke_interface(event, 1, &session);
    check_invoke_i4(event, 2, RTCSS_INCOMING);
    check_invoke_i4(event, 3, 0);
    check_invoke_bstr(event, 4, L"Ringing");
    check_invoke_i4(event, 5, RTCMT_AUDIO_SEND | RTCMT_AUDIO_RECEIVE);
    assert_hr(invoke_get(event, 7, &v), S_OK);
    assert_int_equal(V_VT(&v), VT_BOOL);
    assert_int_equal(V_BOOL(&v), VARIANT_TRUE);
    check_invoke_description(event, 8, L"application/sdp", L"v=0\r\n");
    check_invoke_errors(event, 2);

    /* RemotePreferredSecurityLevel(type) is a property with an argument. */
    V_VT(&arg) = VT_I4;
    V_I4(&arg) = RTCSECT_T120_MEDIA_ENCRYPTION;
    assert_hr(invoke(event, 6, DISPATCH_PROPERTYGET, &arg, 1, &v), S_OK);
    assert_int_equal(V_VT(&v), VT_I4);
    assert_int_equal(V_I4(&v), RTCSECL_SUPPORTED);
    V_VT(&arg) = VT_I2;
    V_I2(&arg) = RTCSECT_AUDIO_VIDEO_MEDIA_ENCRYPTION;
    assert_hr(invoke(event, 6, DISPATCH_PROPERTYGET, &arg, 1, &v), S_OK);
    assert_int_equal(V_I4(&v), RTCSECL_REQUIRED);
    value = RTCSECT_T120_MEDIA_ENCRYPTION;
    V_VT(&arg) = VT_BYREF | VT_I4;
    V_I4REF(&arg) = &value;
    assert_hr(invoke(event, 6, DISPATCH_PROPERTYGET, &arg, 1, &v), S_OK);
    assert_int_equal(V_I4(&v), RTCSECL_SUPPORTED);
    V_VT(&arg) = VT_I4;
    V_I4(&arg) = 5;
    assert_hr(invoke(event, 6, DISPATCH_PROPERTYGET, &arg, 1, &v), E_INVALIDARG);
    V_VT(&arg) = VT_DISPATCH;
    V_DISPATCH(&arg) = NULL;
    assert_hr(invoke(event, 6, DISPATCH_PROPERTYGET, &arg, 1, &v), DISP_E_TYPEMISMATCH);
    assert_hr(invoke(event, 6, DISPATCH_PROPERTYGET, NULL, 0, &v), DISP_E_BADPARAMCOUNT);

    IRTCSessionStateChangeEvent_Release(se);
    IRTCSessionStateChangeEvent2_Release(se2);
    assert_int_equal(IDispatch_Release(event), 0);
    assert_int_equal(session.refcount, 1);

    /* The short constructor: the same object, "2" properties at their defaults. */
    test_unk_init(&session, FALSE, NULL);
    assert_hr(rtc_session_state_change_event_create(AS(IRTCSession, &session), RTCSS_DISCONNECTED,
                                                    RTC_E_STATUS_CLIENT_BUSY_HERE, L"Busy Here", &event), S_OK);
    check_qi(event, session_state_iids, ARRAY_SIZE(session_state_iids));
    assert_hr(IDispatch_QueryInterface(event, &IID_IRTCSessionStateChangeEvent2, (void **)&se2), S_OK);
    assert_hr(IRTCSessionStateChangeEvent2_get_State(se2, &st), S_OK);
    assert_int_equal(st, RTCSS_DISCONNECTED);
    assert_hr(IRTCSessionStateChangeEvent2_get_StatusCode(se2, &value), S_OK);
    assert_int_equal(value, RTC_E_STATUS_CLIENT_BUSY_HERE);
    assert_hr(IRTCSessionStateChangeEvent2_get_StatusText(se2, &type), S_OK);
    check_bstr(S_OK, type, L"Busy Here");
    assert_hr(IRTCSessionStateChangeEvent2_get_MediaTypes(se2, &value), S_OK);
    assert_int_equal(value, 0);
    assert_hr(IRTCSessionStateChangeEvent2_get_RemotePreferredSecurityLevel(se2, 0, &level), S_OK);
    assert_int_equal(level, RTCSECL_UNSUPPORTED);
    assert_hr(IRTCSessionStateChangeEvent2_get_RemotePreferredSecurityLevel(se2, 1, &level), S_OK);
    assert_int_equal(level, RTCSECL_UNSUPPORTED);
    assert_hr(IRTCSessionStateChangeEvent2_get_IsForked(se2, &forked), S_OK);
    assert_int_equal(forked, VARIANT_FALSE);
    assert_hr(IRTCSessionStateChangeEvent2_GetRemoteSessionDescription(se2, &type, &body), S_OK);
    check_bstr(S_OK, type, L"");
    check_bstr(S_OK, body, L"");
    check_invoke_interface(event, 1, &session);
    check_invoke_i4(event, 3, RTC_E_STATUS_CLIENT_BUSY_HERE);
    assert_hr(invoke_get(event, 7, &v), S_OK);
    assert_int_equal(V_VT(&v), VT_BOOL);
    assert_int_equal(V_BOOL(&v), VARIANT_FALSE);
    IRTCSessionStateChangeEvent2_Release(se2);
    assert_int_equal(IDispatch_Release(event), 0);
    assert_int_equal(session.refcount, 1);

    /* Any non-zero is_forked reads as VARIANT_TRUE. */
    assert_hr(rtc_session_state_change_event2_create(NULL, RTCSS_INCOMING, 0, NULL, 0, RTCSECL_SUPPORTED,
                                                     RTCSECL_SUPPORTED, 1, NULL, NULL, &event), S_OK);
    assert_hr(IDispatch_QueryInterface(event, &IID_IRTCSessionStateChangeEvent2, (void **)&se2), S_OK);
    assert_hr(IRTCSessionStateChangeEvent2_get_IsForked(se2, &forked), S_OK);
    assert_int_equal(forked, VARIANT_TRUE);
    out = (IRTCSession *)0xdeadbeef;
    assert_hr(IRTCSessionStateChangeEvent2_get_Session(se2, &out), S_OK);
    assert_null(out);
    IRTCSessionStateChangeEvent2_Release(se2);
    IDispatch_Release(event);

    assert_hr(rtc_session_state_change_event_create(NULL, RTCSS_IDLE, 0, NULL, NULL), E_POINTER);
}

/* ---- IRTCSessionOperationCompleteEvent(2) ------------------------------------------------- */

static void test_operation_complete_event(void **state)
{
    static const struct member members[] =
    {
        { L"Session", 1 }, { L"Cookie", 2 }, { L"StatusCode", 3 }, { L"StatusText", 4 },
        { L"Participant", 5 }, { L"GetRemoteSessionDescription", 6 },
    };
    static const IID *const iids[] =
        { &IID_IRTCSessionOperationCompleteEvent, &IID_IRTCSessionOperationCompleteEvent2 };
    const LONG_PTR cookie = sizeof(LONG_PTR) == 8 ? (LONG_PTR)0x123456789abcdefLL : (LONG_PTR)0x12345678;
    IRTCSessionOperationCompleteEvent2 *oe2;
    IRTCSessionOperationCompleteEvent *oe;
    struct test_unk session, participant;
    IRTCParticipant *out_participant;
    IRTCSession *out_session;
    IDispatch *event;
    LONG_PTR value;
    BSTR type, body;
    LONG code;
    VARIANT v;

    (void)state;
    test_unk_init(&session, TRUE, NULL);
    test_unk_init(&participant, FALSE, NULL);
    assert_hr(rtc_session_operation_complete_event2_create(AS(IRTCSession, &session), cookie,
              RTC_E_SIP_TIMEOUT, L"Request Timeout", AS(IRTCParticipant, &participant), L"text/plain",
              L"body", &event), S_OK);
    assert_int_equal(session.refcount, 2);
    assert_int_equal(participant.refcount, 2);
    check_qi(event, iids, ARRAY_SIZE(iids));
    assert_hr(IDispatch_QueryInterface(event, &IID_IRTCSessionOperationCompleteEvent, (void **)&oe), S_OK);
    assert_hr(IDispatch_QueryInterface(event, &IID_IRTCSessionOperationCompleteEvent2, (void **)&oe2), S_OK);

    assert_hr(IRTCSessionOperationCompleteEvent_get_Session(oe, &out_session), S_OK);
    assert_ptr_equal(out_session, &session.IUnknown_iface);
    IRTCSession_Release(out_session);
    assert_hr(IRTCSessionOperationCompleteEvent_get_Cookie(oe, &value), S_OK);
    assert_true(value == cookie);
    assert_hr(IRTCSessionOperationCompleteEvent_get_StatusCode(oe, &code), S_OK);
    assert_int_equal(code, RTC_E_SIP_TIMEOUT);
    assert_hr(IRTCSessionOperationCompleteEvent_get_StatusText(oe, &type), S_OK);
    check_bstr(S_OK, type, L"Request Timeout");
    assert_hr(IRTCSessionOperationCompleteEvent2_get_Participant(oe2, &out_participant), S_OK);
    assert_ptr_equal(out_participant, &participant.IUnknown_iface);
    assert_int_equal(participant.refcount, 3);
    IRTCParticipant_Release(out_participant);
    assert_hr(IRTCSessionOperationCompleteEvent2_GetRemoteSessionDescription(oe2, &type, &body), S_OK);
    check_bstr(S_OK, type, L"text/plain");
    check_bstr(S_OK, body, L"body");
    type = (BSTR)0xdeadbeef;
    assert_hr(IRTCSessionOperationCompleteEvent2_GetRemoteSessionDescription(oe2, &type, NULL), E_INVALIDARG);
    assert_null(type);
    assert_hr(IRTCSessionOperationCompleteEvent_get_Session(oe, NULL), E_POINTER);
    assert_hr(IRTCSessionOperationCompleteEvent_get_Cookie(oe, NULL), E_POINTER);
    assert_hr(IRTCSessionOperationCompleteEvent_get_StatusCode(oe, NULL), E_POINTER);
    assert_hr(IRTCSessionOperationCompleteEvent_get_StatusText(oe, NULL), E_POINTER);
    assert_hr(IRTCSessionOperationCompleteEvent2_get_Participant(oe2, NULL), E_POINTER);

    check_names(event, members, ARRAY_SIZE(members));
    check_invoke_interface(event, 1, &session);
    assert_hr(invoke_get(event, 2, &v), S_OK);
    if (sizeof(LONG_PTR) == 8)
    {
        assert_int_equal(V_VT(&v), VT_I8);
        assert_true(V_I8(&v) == cookie);
    }
    else
    {
        assert_int_equal(V_VT(&v), VT_I4);
        assert_true(V_I4(&v) == cookie);
    }
    check_invoke_i4(event, 3, RTC_E_SIP_TIMEOUT);
    check_invoke_bstr(event, 4, L"Request Timeout");
    check_invoke_interface(event, 5, &participant);
    check_invoke_description(event, 6, L"text/plain", L"body");
    check_invoke_errors(event, 3);

    IRTCSessionOperationCompleteEvent_Release(oe);
    IRTCSessionOperationCompleteEvent2_Release(oe2);
    assert_int_equal(IDispatch_Release(event), 0);
    assert_int_equal(session.refcount, 1);
    assert_int_equal(participant.refcount, 1);

    /* Short form: no participant, empty description, still answers the "2". */
    assert_hr(rtc_session_operation_complete_event_create(AS(IRTCSession, &session), 42, S_OK, NULL, &event),
              S_OK);
    check_qi(event, iids, ARRAY_SIZE(iids));
    assert_hr(IDispatch_QueryInterface(event, &IID_IRTCSessionOperationCompleteEvent2, (void **)&oe2), S_OK);
    assert_hr(IRTCSessionOperationCompleteEvent2_get_Cookie(oe2, &value), S_OK);
    assert_true(value == 42);
    assert_hr(IRTCSessionOperationCompleteEvent2_get_StatusCode(oe2, &code), S_OK);
    assert_int_equal(code, S_OK);
    out_participant = (IRTCParticipant *)0xdeadbeef;
    assert_hr(IRTCSessionOperationCompleteEvent2_get_Participant(oe2, &out_participant), S_OK);
    assert_null(out_participant);
    assert_hr(IRTCSessionOperationCompleteEvent2_GetRemoteSessionDescription(oe2, &type, &body), S_OK);
    check_bstr(S_OK, type, L"");
    check_bstr(S_OK, body, L"");
    check_invoke_interface(event, 5, NULL);
    check_invoke_bstr(event, 4, L"");
    IRTCSessionOperationCompleteEvent2_Release(oe2);
    assert_int_equal(IDispatch_Release(event), 0);
    assert_int_equal(session.refcount, 1);
}

/* ---- IRTCParticipantStateChangeEvent -------------------------------------------------------- */

static void test_participant_event(void **state)
{
    static const struct member members[] = { { L"Participant", 1 }, { L"State", 2 }, { L"StatusCode", 3 } };
    static const IID *const iids[] = { &IID_IRTCParticipantStateChangeEvent };
    IRTCParticipantStateChangeEvent *pe;
    struct test_unk participant;
    RTC_PARTICIPANT_STATE st;
    IRTCParticipant *out;
    IDispatch *event;
    LONG code;

    (void)state;
    test_unk_init(&participant, TRUE, NULL);
    assert_hr(rtc_participant_state_change_event_create(AS(IRTCParticipant, &participant), RTCPS_ALERTING,
                                                        180, &event), S_OK);
    assert_int_equal(participant.refcount, 2);
    check_qi(event, iids, ARRAY_SIZE(iids));
    assert_hr(IDispatch_QueryInterface(event, &IID_IRTCParticipantStateChangeEvent, (void **)&pe), S_OK);
    assert_hr(IRTCParticipantStateChangeEvent_get_Participant(pe, &out), S_OK);
    assert_ptr_equal(out, &participant.IUnknown_iface);
    IRTCParticipant_Release(out);
    assert_hr(IRTCParticipantStateChangeEvent_get_State(pe, &st), S_OK);
    assert_int_equal(st, RTCPS_ALERTING);
    assert_hr(IRTCParticipantStateChangeEvent_get_StatusCode(pe, &code), S_OK);
    assert_int_equal(code, 180);
    assert_hr(IRTCParticipantStateChangeEvent_get_Participant(pe, NULL), E_POINTER);
    assert_hr(IRTCParticipantStateChangeEvent_get_State(pe, NULL), E_POINTER);
    assert_hr(IRTCParticipantStateChangeEvent_get_StatusCode(pe, NULL), E_POINTER);

    check_names(event, members, ARRAY_SIZE(members));
    check_invoke_interface(event, 1, &participant);
    check_invoke_i4(event, 2, RTCPS_ALERTING);
    check_invoke_i4(event, 3, 180);
    check_invoke_errors(event, 3);

    IRTCParticipantStateChangeEvent_Release(pe);
    assert_int_equal(IDispatch_Release(event), 0);
    assert_int_equal(participant.refcount, 1);
}

/* ---- IRTCMediaEvent ---------------------------------------------------------------------------- */

static void test_media_event(void **state)
{
    static const struct member members[] = { { L"MediaType", 1 }, { L"EventType", 2 }, { L"EventReason", 3 } };
    static const IID *const iids[] = { &IID_IRTCMediaEvent };
    RTC_MEDIA_EVENT_REASON reason;
    RTC_MEDIA_EVENT_TYPE type;
    IRTCMediaEvent *me;
    IDispatch *event;
    LONG media;

    (void)state;
    assert_hr(rtc_media_event_create(RTCMT_AUDIO_SEND, RTCMET_STOPPED, RTCMER_HOLD, &event), S_OK);
    assert_int_equal(event_refcount(event), 1);
    check_qi(event, iids, ARRAY_SIZE(iids));
    assert_hr(IDispatch_QueryInterface(event, &IID_IRTCMediaEvent, (void **)&me), S_OK);
    assert_hr(IRTCMediaEvent_get_MediaType(me, &media), S_OK);
    assert_int_equal(media, RTCMT_AUDIO_SEND);
    assert_hr(IRTCMediaEvent_get_EventType(me, &type), S_OK);
    assert_int_equal(type, RTCMET_STOPPED);
    assert_hr(IRTCMediaEvent_get_EventReason(me, &reason), S_OK);
    assert_int_equal(reason, RTCMER_HOLD);
    assert_hr(IRTCMediaEvent_get_MediaType(me, NULL), E_POINTER);
    assert_hr(IRTCMediaEvent_get_EventType(me, NULL), E_POINTER);
    assert_hr(IRTCMediaEvent_get_EventReason(me, NULL), E_POINTER);

    check_names(event, members, ARRAY_SIZE(members));
    check_invoke_i4(event, 1, RTCMT_AUDIO_SEND);
    check_invoke_i4(event, 2, RTCMET_STOPPED);
    check_invoke_i4(event, 3, RTCMER_HOLD);
    check_invoke_errors(event, 1);

    IRTCMediaEvent_Release(me);
    assert_int_equal(IDispatch_Release(event), 0);
    assert_hr(rtc_media_event_create(0, 0, 0, NULL), E_POINTER);
}

/* ---- IRTCMessagingEvent ----------------------------------------------------------------------- */

static void test_messaging_event(void **state)
{
    static const struct member members[] =
    {
        { L"Session", 1 }, { L"Participant", 2 }, { L"EventType", 3 }, { L"Message", 4 },
        { L"MessageHeader", 5 }, { L"UserStatus", 6 },
    };
    static const IID *const iids[] = { &IID_IRTCMessagingEvent };
    static const WCHAR message[] = L"h\u00e9llo \u2603";
    struct test_unk session, participant;
    RTC_MESSAGING_USER_STATUS status;
    RTC_MESSAGING_EVENT_TYPE type;
    IRTCParticipant *out_participant;
    IRTCSession *out_session;
    IRTCMessagingEvent *me;
    IDispatch *event;
    BSTR str;

    (void)state;
    test_unk_init(&session, FALSE, NULL);
    test_unk_init(&participant, TRUE, NULL);
    assert_hr(rtc_messaging_event_create(AS(IRTCSession, &session), AS(IRTCParticipant, &participant),
                                         RTCMSET_MESSAGE, message, L"Content-Type: text/plain\r\n", RTCMUS_TYPING,
                                         &event), S_OK);
    assert_int_equal(session.refcount, 2);
    assert_int_equal(participant.refcount, 2);
    check_qi(event, iids, ARRAY_SIZE(iids));
    assert_hr(IDispatch_QueryInterface(event, &IID_IRTCMessagingEvent, (void **)&me), S_OK);

    assert_hr(IRTCMessagingEvent_get_Session(me, &out_session), S_OK);
    assert_ptr_equal(out_session, &session.IUnknown_iface);
    IRTCSession_Release(out_session);
    assert_hr(IRTCMessagingEvent_get_Participant(me, &out_participant), S_OK);
    assert_ptr_equal(out_participant, &participant.IUnknown_iface);
    IRTCParticipant_Release(out_participant);
    assert_hr(IRTCMessagingEvent_get_EventType(me, &type), S_OK);
    assert_int_equal(type, RTCMSET_MESSAGE);
    assert_hr(IRTCMessagingEvent_get_Message(me, &str), S_OK);
    check_bstr(S_OK, str, message);
    assert_hr(IRTCMessagingEvent_get_MessageHeader(me, &str), S_OK);
    check_bstr(S_OK, str, L"Content-Type: text/plain\r\n");
    assert_hr(IRTCMessagingEvent_get_UserStatus(me, &status), S_OK);
    assert_int_equal(status, RTCMUS_TYPING);
    assert_hr(IRTCMessagingEvent_get_Session(me, NULL), E_POINTER);
    assert_hr(IRTCMessagingEvent_get_Participant(me, NULL), E_POINTER);
    assert_hr(IRTCMessagingEvent_get_EventType(me, NULL), E_POINTER);
    assert_hr(IRTCMessagingEvent_get_Message(me, NULL), E_POINTER);
    assert_hr(IRTCMessagingEvent_get_MessageHeader(me, NULL), E_POINTER);
    assert_hr(IRTCMessagingEvent_get_UserStatus(me, NULL), E_POINTER);

    check_names(event, members, ARRAY_SIZE(members));
    check_invoke_interface(event, 1, &session);
    check_invoke_interface(event, 2, &participant);
    check_invoke_i4(event, 3, RTCMSET_MESSAGE);
    check_invoke_bstr(event, 4, message);
    check_invoke_bstr(event, 5, L"Content-Type: text/plain\r\n");
    check_invoke_i4(event, 6, RTCMUS_TYPING);
    check_invoke_errors(event, 4);

    IRTCMessagingEvent_Release(me);
    assert_int_equal(IDispatch_Release(event), 0);
    assert_int_equal(session.refcount, 1);
    assert_int_equal(participant.refcount, 1);
}

/* ---- IRTCInfoEvent ------------------------------------------------------------------------------ */

static void test_info_event(void **state)
{
    static const struct member members[] =
        { { L"Session", 1 }, { L"Participant", 2 }, { L"Info", 3 }, { L"InfoHeader", 4 } };
    static const IID *const iids[] = { &IID_IRTCInfoEvent };
    struct test_unk session, participant;
    IRTCParticipant *out_participant;
    IRTCSession2 *out_session;
    IRTCInfoEvent *ie;
    IDispatch *event;
    BSTR str;

    (void)state;
    test_unk_init(&session, TRUE, NULL);
    test_unk_init(&participant, FALSE, NULL);
    assert_hr(rtc_info_event_create(AS(IRTCSession2, &session), AS(IRTCParticipant, &participant),
                                    L"Signal=5\r\n", L"Content-Type: application/dtmf-relay", &event), S_OK);
    check_qi(event, iids, ARRAY_SIZE(iids));
    assert_hr(IDispatch_QueryInterface(event, &IID_IRTCInfoEvent, (void **)&ie), S_OK);
    assert_hr(IRTCInfoEvent_get_Session(ie, &out_session), S_OK);
    assert_ptr_equal(out_session, &session.IUnknown_iface);
    assert_int_equal(session.refcount, 3);
    IRTCSession2_Release(out_session);
    assert_hr(IRTCInfoEvent_get_Participant(ie, &out_participant), S_OK);
    assert_ptr_equal(out_participant, &participant.IUnknown_iface);
    IRTCParticipant_Release(out_participant);
    assert_hr(IRTCInfoEvent_get_Info(ie, &str), S_OK);
    check_bstr(S_OK, str, L"Signal=5\r\n");
    assert_hr(IRTCInfoEvent_get_InfoHeader(ie, &str), S_OK);
    check_bstr(S_OK, str, L"Content-Type: application/dtmf-relay");
    assert_hr(IRTCInfoEvent_get_Session(ie, NULL), E_POINTER);
    assert_hr(IRTCInfoEvent_get_Participant(ie, NULL), E_POINTER);
    assert_hr(IRTCInfoEvent_get_Info(ie, NULL), E_POINTER);
    assert_hr(IRTCInfoEvent_get_InfoHeader(ie, NULL), E_POINTER);

    check_names(event, members, ARRAY_SIZE(members));
    check_invoke_interface(event, 1, &session);
    check_invoke_interface(event, 2, &participant);
    check_invoke_bstr(event, 3, L"Signal=5\r\n");
    check_invoke_bstr(event, 4, L"Content-Type: application/dtmf-relay");
    check_invoke_errors(event, 3);

    IRTCInfoEvent_Release(ie);
    assert_int_equal(IDispatch_Release(event), 0);
    assert_int_equal(session.refcount, 1);
    assert_int_equal(participant.refcount, 1);
}

/* ---- callbacks for IRTCReInviteEvent and IRTCSessionReferredEvent ---------------------------- */

struct ops_ctx
{
    int accept, reject, set_state, release;
    RTC_SESSION_STATE state;
    WCHAR content_type[64], description[64];
    HRESULT accept_hr, reject_hr, set_state_hr;
};

static HRESULT ctx_accept(void *ctx)
{
    struct ops_ctx *c = ctx;
    c->accept++;
    return c->accept_hr;
}

static HRESULT ctx_reject(void *ctx)
{
    struct ops_ctx *c = ctx;
    c->reject++;
    return c->reject_hr;
}

static HRESULT ctx_set_state(void *ctx, RTC_SESSION_STATE state)
{
    struct ops_ctx *c = ctx;
    c->set_state++;
    c->state = state;
    return c->set_state_hr;
}

static void ctx_release(void *ctx)
{
    struct ops_ctx *c = ctx;
    c->release++;
}

static HRESULT ctx_reinvite_accept(void *ctx, const WCHAR *content_type, const WCHAR *description)
{
    struct ops_ctx *c = ctx;
    c->accept++;
    wcsncpy(c->content_type, content_type ? content_type : L"(null)", ARRAY_SIZE(c->content_type) - 1);
    wcsncpy(c->description, description ? description : L"(null)", ARRAY_SIZE(c->description) - 1);
    return c->accept_hr;
}

static const struct rtc_referred_ops referred_ops = { ctx_accept, ctx_reject, ctx_set_state, ctx_release };
static const struct rtc_reinvite_ops reinvite_ops = { ctx_reinvite_accept, ctx_reject, ctx_release };

/* ---- IRTCReInviteEvent ---------------------------------------------------------------------------- */

static void test_reinvite_event(void **state)
{
    static const struct member members[] =
    {
        { L"Session", 1 }, { L"Accept", 2 }, { L"Reject", 3 }, { L"State", 4 },
        { L"GetRemoteSessionDescription", 5 },
    };
    static const IID *const iids[] = { &IID_IRTCReInviteEvent };
    struct ops_ctx ctx = { .accept_hr = S_OK, .reject_hr = RTC_E_INVALID_SESSION_STATE };
    struct test_unk session;
    RTC_REINVITE_STATE st;
    IRTCSession2 *out;
    IRTCReInviteEvent *ri;
    IDispatch *event;
    BSTR type, body;
    VARIANT args[2], v;

    (void)state;
    test_unk_init(&session, FALSE, NULL);
    assert_hr(rtc_reinvite_event_create(AS(IRTCSession2, &session), RTCRIN_INCOMING, L"application/x-app",
                                        L"offer", &reinvite_ops, &ctx, &event), S_OK);
    assert_int_equal(session.refcount, 2);
    check_qi(event, iids, ARRAY_SIZE(iids));
    assert_hr(IDispatch_QueryInterface(event, &IID_IRTCReInviteEvent, (void **)&ri), S_OK);

    assert_hr(IRTCReInviteEvent_get_Session(ri, &out), S_OK);
    assert_ptr_equal(out, &session.IUnknown_iface);
    IRTCSession2_Release(out);
    assert_hr(IRTCReInviteEvent_get_State(ri, &st), S_OK);
    assert_int_equal(st, RTCRIN_INCOMING);
    assert_hr(IRTCReInviteEvent_GetRemoteSessionDescription(ri, &type, &body), S_OK);
    check_bstr(S_OK, type, L"application/x-app");
    check_bstr(S_OK, body, L"offer");
    assert_hr(IRTCReInviteEvent_GetRemoteSessionDescription(ri, NULL, NULL), E_INVALIDARG);
    assert_hr(IRTCReInviteEvent_get_Session(ri, NULL), E_POINTER);
    assert_hr(IRTCReInviteEvent_get_State(ri, NULL), E_POINTER);

    /* Accept/Reject reach the callbacks, results pass through. */
    type = SysAllocString(L"application/x-app");
    body = SysAllocString(L"answer");
    assert_hr(IRTCReInviteEvent_Accept(ri, type, body), S_OK);
    SysFreeString(type);
    SysFreeString(body);
    assert_int_equal(ctx.accept, 1);
    assert_wstr_equal(ctx.content_type, L"application/x-app");
    assert_wstr_equal(ctx.description, L"answer");
    assert_hr(IRTCReInviteEvent_Reject(ri), RTC_E_INVALID_SESSION_STATE);
    assert_int_equal(ctx.reject, 1);

    check_names(event, members, ARRAY_SIZE(members));
    check_invoke_interface(event, 1, &session);
    check_invoke_i4(event, 4, RTCRIN_INCOMING);
    check_invoke_description(event, 5, L"application/x-app", L"offer");
    check_invoke_errors(event, 4);

    /* Accept through Invoke: arguments in reverse order in rgvarg. */
    V_VT(&args[1]) = VT_BSTR;
    V_BSTR(&args[1]) = SysAllocString(L"type-by-invoke");
    V_VT(&args[0]) = VT_BSTR;
    V_BSTR(&args[0]) = SysAllocString(L"sdp-by-invoke");
    assert_hr(invoke(event, 2, DISPATCH_METHOD, args, 2, &v), S_OK);
    assert_int_equal(V_VT(&v), VT_EMPTY);
    assert_int_equal(ctx.accept, 2);
    assert_wstr_equal(ctx.content_type, L"type-by-invoke");
    assert_wstr_equal(ctx.description, L"sdp-by-invoke");
    assert_hr(invoke(event, 2, DISPATCH_METHOD, args, 1, NULL), DISP_E_BADPARAMCOUNT);
    assert_int_equal(ctx.accept, 2);
    VariantClear(&args[0]);
    VariantClear(&args[1]);
    assert_hr(invoke(event, 3, DISPATCH_METHOD, NULL, 0, NULL), RTC_E_INVALID_SESSION_STATE);
    assert_int_equal(ctx.reject, 2);
    assert_hr(invoke(event, 3, DISPATCH_METHOD, args, 1, NULL), DISP_E_BADPARAMCOUNT);
    assert_hr(invoke(event, 3, DISPATCH_PROPERTYGET, NULL, 0, NULL), DISP_E_MEMBERNOTFOUND);
    assert_int_equal(ctx.reject, 2);

    IRTCReInviteEvent_Release(ri);
    assert_int_equal(ctx.release, 0);
    assert_int_equal(IDispatch_Release(event), 0);
    assert_int_equal(ctx.release, 1);
    assert_int_equal(session.refcount, 1);

    /* Accept and Reject are the session's: without both callbacks there is no event. */
    {
        static const struct rtc_reinvite_ops no_reject = { ctx_reinvite_accept, NULL, NULL };

        event = (IDispatch *)0xdeadbeef;
        assert_hr(rtc_reinvite_event_create(NULL, RTCRIN_SUCCEEDED, NULL, NULL, NULL, NULL, &event), E_INVALIDARG);
        assert_null(event);
        assert_hr(rtc_reinvite_event_create(NULL, RTCRIN_SUCCEEDED, NULL, NULL, &no_reject, &ctx, &event),
                  E_INVALIDARG);
        assert_null(event);
        assert_int_equal(ctx.release, 1);
    }

    /* No description: empty strings; everything else works. */
    assert_hr(rtc_reinvite_event_create(NULL, RTCRIN_SUCCEEDED, NULL, NULL, &reinvite_ops, &ctx, &event), S_OK);
    assert_hr(IDispatch_QueryInterface(event, &IID_IRTCReInviteEvent, (void **)&ri), S_OK);
    assert_hr(IRTCReInviteEvent_get_State(ri, &st), S_OK);
    assert_int_equal(st, RTCRIN_SUCCEEDED);
    assert_hr(IRTCReInviteEvent_GetRemoteSessionDescription(ri, &type, &body), S_OK);
    check_bstr(S_OK, type, L"");
    check_bstr(S_OK, body, L"");
    IRTCReInviteEvent_Release(ri);
    IDispatch_Release(event);
    assert_int_equal(ctx.release, 2);
}

/* ---- IRTCSessionReferStatusEvent ----------------------------------------------------------------- */

static void test_refer_status_event(void **state)
{
    static const struct member members[] =
        { { L"Session", 1 }, { L"ReferStatus", 2 }, { L"StatusCode", 3 }, { L"StatusText", 4 } };
    static const IID *const iids[] = { &IID_IRTCSessionReferStatusEvent };
    IRTCSessionReferStatusEvent *rs;
    RTC_SESSION_REFER_STATUS st;
    struct test_unk session;
    IRTCSession2 *out;
    IDispatch *event;
    BSTR text;
    LONG code;

    (void)state;
    test_unk_init(&session, TRUE, NULL);
    assert_hr(rtc_session_refer_status_event_create(AS(IRTCSession2, &session), RTCSRS_REJECTED,
                                                    RTC_E_STATUS_GLOBAL_DECLINE, L"Decline", &event), S_OK);
    assert_int_equal(session.refcount, 2);
    check_qi(event, iids, ARRAY_SIZE(iids));
    assert_hr(IDispatch_QueryInterface(event, &IID_IRTCSessionReferStatusEvent, (void **)&rs), S_OK);
    assert_hr(IRTCSessionReferStatusEvent_get_Session(rs, &out), S_OK);
    assert_ptr_equal(out, &session.IUnknown_iface);
    IRTCSession2_Release(out);
    assert_hr(IRTCSessionReferStatusEvent_get_ReferStatus(rs, &st), S_OK);
    assert_int_equal(st, RTCSRS_REJECTED);
    assert_hr(IRTCSessionReferStatusEvent_get_StatusCode(rs, &code), S_OK);
    assert_int_equal(code, RTC_E_STATUS_GLOBAL_DECLINE);
    assert_hr(IRTCSessionReferStatusEvent_get_StatusText(rs, &text), S_OK);
    check_bstr(S_OK, text, L"Decline");
    assert_hr(IRTCSessionReferStatusEvent_get_Session(rs, NULL), E_POINTER);
    assert_hr(IRTCSessionReferStatusEvent_get_ReferStatus(rs, NULL), E_POINTER);
    assert_hr(IRTCSessionReferStatusEvent_get_StatusCode(rs, NULL), E_POINTER);
    assert_hr(IRTCSessionReferStatusEvent_get_StatusText(rs, NULL), E_POINTER);

    check_names(event, members, ARRAY_SIZE(members));
    check_invoke_interface(event, 1, &session);
    check_invoke_i4(event, 2, RTCSRS_REJECTED);
    check_invoke_i4(event, 3, RTC_E_STATUS_GLOBAL_DECLINE);
    check_invoke_bstr(event, 4, L"Decline");
    check_invoke_errors(event, 2);

    IRTCSessionReferStatusEvent_Release(rs);
    assert_int_equal(IDispatch_Release(event), 0);
    assert_int_equal(session.refcount, 1);
}

/* ---- IRTCSessionReferredEvent --------------------------------------------------------------------- */

static void test_referred_event(void **state)
{
    static const struct member members[] =
    {
        { L"Session", 1 }, { L"ReferredByURI", 2 }, { L"ReferToURI", 3 }, { L"ReferCookie", 4 },
        { L"Accept", 5 }, { L"Reject", 6 }, { L"SetReferredSessionState", 7 },
    };
    static const IID *const iids[] = { &IID_IRTCSessionReferredEvent };
    struct ops_ctx ctx = { .accept_hr = S_OK, .reject_hr = S_OK, .set_state_hr = S_OK };
    IRTCSessionReferredEvent *re;
    struct test_unk session;
    IRTCSession2 *out;
    IDispatch *event;
    VARIANT arg, v;
    LONG value;
    BSTR str;

    (void)state;
    test_unk_init(&session, FALSE, NULL);
    assert_hr(rtc_session_referred_event_create(AS(IRTCSession2, &session), L"sip:alice@example.com",
                                                L"sip:carol@example.com", L"cookie-1", &referred_ops, &ctx,
                                                &event), S_OK);
    assert_int_equal(session.refcount, 2);
    check_qi(event, iids, ARRAY_SIZE(iids));
    assert_hr(IDispatch_QueryInterface(event, &IID_IRTCSessionReferredEvent, (void **)&re), S_OK);

    assert_hr(IRTCSessionReferredEvent_get_Session(re, &out), S_OK);
    assert_ptr_equal(out, &session.IUnknown_iface);
    assert_int_equal(session.refcount, 3);
    IRTCSession2_Release(out);
    assert_hr(IRTCSessionReferredEvent_get_ReferredByURI(re, &str), S_OK);
    check_bstr(S_OK, str, L"sip:alice@example.com");
    assert_hr(IRTCSessionReferredEvent_get_ReferToURI(re, &str), S_OK);
    check_bstr(S_OK, str, L"sip:carol@example.com");
    assert_hr(IRTCSessionReferredEvent_get_ReferCookie(re, &str), S_OK);
    check_bstr(S_OK, str, L"cookie-1");
    assert_hr(IRTCSessionReferredEvent_get_Session(re, NULL), E_POINTER);
    assert_hr(IRTCSessionReferredEvent_get_ReferredByURI(re, NULL), E_POINTER);
    assert_hr(IRTCSessionReferredEvent_get_ReferToURI(re, NULL), E_POINTER);
    assert_hr(IRTCSessionReferredEvent_get_ReferCookie(re, NULL), E_POINTER);

    /* The three methods reach the transfer logic; its results pass through. */
    assert_hr(IRTCSessionReferredEvent_Accept(re), S_OK);
    assert_int_equal(ctx.accept, 1);
    ctx.reject_hr = RTC_E_INVALID_SESSION_STATE;
    assert_hr(IRTCSessionReferredEvent_Reject(re), RTC_E_INVALID_SESSION_STATE);
    assert_int_equal(ctx.reject, 1);
    assert_hr(IRTCSessionReferredEvent_SetReferredSessionState(re, RTCSS_CONNECTED), S_OK);
    assert_int_equal(ctx.set_state, 1);
    assert_int_equal(ctx.state, RTCSS_CONNECTED);
    assert_hr(IRTCSessionReferredEvent_SetReferredSessionState(re, RTCSS_IDLE), S_OK);
    assert_int_equal(ctx.state, RTCSS_IDLE);
    assert_hr(IRTCSessionReferredEvent_SetReferredSessionState(re, RTCSS_REFER), S_OK);
    assert_int_equal(ctx.state, RTCSS_REFER);
    assert_int_equal(ctx.set_state, 3);
    /* Not an RTC_SESSION_STATE: refused before the callback. */
    assert_hr(IRTCSessionReferredEvent_SetReferredSessionState(re, RTCSS_REFER + 1), E_INVALIDARG);
    assert_hr(IRTCSessionReferredEvent_SetReferredSessionState(re, (RTC_SESSION_STATE)-1), E_INVALIDARG);
    assert_int_equal(ctx.set_state, 3);
    ctx.set_state_hr = RTC_E_INVALID_SESSION_STATE;
    assert_hr(IRTCSessionReferredEvent_SetReferredSessionState(re, RTCSS_DISCONNECTED),
              RTC_E_INVALID_SESSION_STATE);
    assert_int_equal(ctx.set_state, 4);
    ctx.set_state_hr = S_OK;

    check_names(event, members, ARRAY_SIZE(members));
    check_invoke_interface(event, 1, &session);
    check_invoke_bstr(event, 2, L"sip:alice@example.com");
    check_invoke_bstr(event, 3, L"sip:carol@example.com");
    check_invoke_bstr(event, 4, L"cookie-1");
    check_invoke_errors(event, 2);

    /* The methods through Invoke. */
    assert_hr(invoke(event, 5, DISPATCH_METHOD, NULL, 0, &v), S_OK);
    assert_int_equal(V_VT(&v), VT_EMPTY);
    assert_int_equal(ctx.accept, 2);
    assert_hr(invoke(event, 6, DISPATCH_METHOD, NULL, 0, &v), RTC_E_INVALID_SESSION_STATE);
    assert_int_equal(ctx.reject, 2);
    V_VT(&arg) = VT_I4;
    V_I4(&arg) = RTCSS_INPROGRESS;
    assert_hr(invoke(event, 7, DISPATCH_METHOD, &arg, 1, &v), S_OK);
    assert_int_equal(ctx.set_state, 5);
    assert_int_equal(ctx.state, RTCSS_INPROGRESS);
    value = RTCSS_DISCONNECTED;
    V_VT(&arg) = VT_BYREF | VT_I4;
    V_I4REF(&arg) = &value;
    assert_hr(invoke(event, 7, DISPATCH_METHOD, &arg, 1, NULL), S_OK);
    assert_int_equal(ctx.state, RTCSS_DISCONNECTED);
    V_VT(&arg) = VT_BSTR;
    V_BSTR(&arg) = SysAllocString(L"4");
    assert_hr(invoke(event, 7, DISPATCH_METHOD, &arg, 1, NULL), S_OK);
    assert_int_equal(ctx.state, RTCSS_CONNECTED);
    VariantClear(&arg);
    V_VT(&arg) = VT_I4;
    V_I4(&arg) = 42;
    assert_hr(invoke(event, 7, DISPATCH_METHOD, &arg, 1, NULL), E_INVALIDARG);
    assert_int_equal(ctx.set_state, 7);
    V_VT(&arg) = VT_UNKNOWN;
    V_UNKNOWN(&arg) = NULL;
    assert_hr(invoke(event, 7, DISPATCH_METHOD, &arg, 1, NULL), DISP_E_TYPEMISMATCH);
    assert_hr(invoke(event, 7, DISPATCH_METHOD, NULL, 0, NULL), DISP_E_BADPARAMCOUNT);
    assert_hr(invoke(event, 5, DISPATCH_METHOD, &arg, 1, NULL), DISP_E_BADPARAMCOUNT);
    assert_hr(invoke(event, 5, DISPATCH_PROPERTYGET, NULL, 0, NULL), DISP_E_MEMBERNOTFOUND);
    assert_int_equal(ctx.set_state, 7);
    assert_int_equal(ctx.accept, 2);

    /* release(ctx) exactly once, on the last Release, whoever holds the last reference. */
    IDispatch_AddRef(event);
    IDispatch_Release(event);
    assert_int_equal(IDispatch_Release(event), 1);
    assert_int_equal(ctx.release, 0);
    assert_int_equal(IRTCSessionReferredEvent_Release(re), 0);
    assert_int_equal(ctx.release, 1);
    assert_int_equal(session.refcount, 1);
    assert_int_equal(ctx.accept, 2);
    assert_int_equal(ctx.reject, 2);

    /* Accept, Reject and SetReferredSessionState are the transfer logic's: without all
     * three callbacks there is no event (and release is not called). */
    {
        static const struct rtc_referred_ops partial = { ctx_accept, NULL, NULL, ctx_release };
        struct ops_ctx ctx2 = { .accept_hr = S_OK };

        event = (IDispatch *)0xdeadbeef;
        assert_hr(rtc_session_referred_event_create(NULL, NULL, NULL, NULL, NULL, NULL, &event), E_INVALIDARG);
        assert_null(event);
        assert_hr(rtc_session_referred_event_create(NULL, L"a", L"b", L"c", &partial, &ctx2, &event), E_INVALIDARG);
        assert_null(event);
        assert_int_equal(ctx2.release, 0);

        /* No strings, no session: empty strings and a NULL session. */
        assert_hr(rtc_session_referred_event_create(NULL, NULL, NULL, NULL, &referred_ops, &ctx2, &event), S_OK);
        assert_hr(IDispatch_QueryInterface(event, &IID_IRTCSessionReferredEvent, (void **)&re), S_OK);
        assert_hr(IRTCSessionReferredEvent_SetReferredSessionState(re, 99), E_INVALIDARG);
        assert_hr(IRTCSessionReferredEvent_get_ReferCookie(re, &str), S_OK);
        check_bstr(S_OK, str, L"");
        out = (IRTCSession2 *)0xdeadbeef;
        assert_hr(IRTCSessionReferredEvent_get_Session(re, &out), S_OK);
        assert_null(out);
        IRTCSessionReferredEvent_Release(re);
        assert_int_equal(IDispatch_Release(event), 0);
        assert_int_equal(ctx2.release, 1);
    }

    assert_hr(rtc_session_referred_event_create(NULL, NULL, NULL, NULL, &referred_ops, &ctx, NULL), E_POINTER);
    assert_int_equal(ctx.release, 1);
}

/* Events are independent objects: two of the same kind share nothing. */
static void test_events_are_independent(void **state)
{
    IRTCMediaEvent *a, *b;
    IDispatch *ea, *eb;
    LONG media;

    (void)state;
    assert_hr(rtc_media_event_create(RTCMT_VIDEO_SEND, RTCMET_STARTED, RTCMER_NORMAL, &ea), S_OK);
    assert_hr(rtc_media_event_create(RTCMT_AUDIO_RECEIVE, RTCMET_FAILED, RTCMER_BAD_DEVICE, &eb), S_OK);
    assert_ptr_not_equal(ea, eb);
    assert_hr(IDispatch_QueryInterface(ea, &IID_IRTCMediaEvent, (void **)&a), S_OK);
    assert_hr(IDispatch_QueryInterface(eb, &IID_IRTCMediaEvent, (void **)&b), S_OK);
    IDispatch_Release(eb);
    assert_hr(IRTCMediaEvent_get_MediaType(a, &media), S_OK);
    assert_int_equal(media, RTCMT_VIDEO_SEND);
    assert_hr(IRTCMediaEvent_get_MediaType(b, &media), S_OK);
    assert_int_equal(media, RTCMT_AUDIO_RECEIVE);
    assert_int_equal(IRTCMediaEvent_Release(b), 0);
    assert_int_equal(event_refcount(ea), 2);
    IRTCMediaEvent_Release(a);
    assert_int_equal(IDispatch_Release(ea), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] =
    {
        cmocka_unit_test(test_filter_bits),
        cmocka_unit_test(test_client_event),
        cmocka_unit_test(test_registration_event),
        cmocka_unit_test(test_session_state_event),
        cmocka_unit_test(test_operation_complete_event),
        cmocka_unit_test(test_participant_event),
        cmocka_unit_test(test_media_event),
        cmocka_unit_test(test_messaging_event),
        cmocka_unit_test(test_info_event),
        cmocka_unit_test(test_reinvite_event),
        cmocka_unit_test(test_refer_status_event),
        cmocka_unit_test(test_referred_event),
        cmocka_unit_test(test_events_are_independent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
