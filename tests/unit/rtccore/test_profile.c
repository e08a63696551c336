/*
 * Profiles (rtccore/profile.c): provisioning XML -> IRTCProfile2, every getter,
 * every defect's HRESULT (docs/profiles.md), SetCredentials/Realm/AllowedAuth,
 * the internal C view, IDispatch, robustness against hostile input, refcounts.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <wchar.h>
#include <cmocka.h>

#include "profile.h"

#define assert_hr(expr, expected) do { \
        HRESULT hr_ = (expr); \
        if (hr_ != (HRESULT)(expected)) { \
            print_error("%s: got 0x%08x, expected 0x%08x\n", #expr, (unsigned int)hr_, (unsigned int)(expected)); \
            fail(); \
        } \
    } while (0)

#define assert_wstr(bstr, expected) do { \
        const WCHAR *s_ = (bstr), *e_ = (expected); \
        if (!s_ || wcscmp(s_, e_)) { \
            print_error("%s: got \"%ls\", expected \"%ls\"\n", #bstr, s_ ? s_ : L"(null)", e_); \
            fail(); \
        } \
    } while (0)

typedef HRESULT (WINAPI *bstr_getter)(IRTCProfile2 *, BSTR *);

/* Calls a BSTR getter, checks hr and value (NULL expected value: the BSTR must be NULL). */
static void check_bstr(IRTCProfile2 *profile, bstr_getter getter, HRESULT expected_hr, const WCHAR *expected)
{
    BSTR value = (BSTR)0xdeadbeef;

    assert_hr(getter(profile, &value), expected_hr);
    if (expected)
        assert_wstr(value, expected);
    else
        assert_null(value);
    SysFreeString(value);
    assert_hr(getter(profile, NULL), E_POINTER);
}

#define GETTER(name) (bstr_getter)(profile)->lpVtbl->get_##name

static IRTCProfile2 *create_ok(const WCHAR *xml)
{
    IRTCProfile2 *profile = NULL;

    assert_hr(rtc_profile_create_from_xml(xml, &profile), S_OK);
    assert_non_null(profile);
    return profile;
}

static void expect_error(const WCHAR *xml, HRESULT expected)
{
    IRTCProfile2 *profile = (IRTCProfile2 *)0xdeadbeef;
    HRESULT hr = rtc_profile_create_from_xml(xml, &profile);

    if (hr != expected)
    {
        print_error("profile %ls\n  got 0x%08x, expected 0x%08x\n", xml ? xml : L"(null)",
                    (unsigned int)hr, (unsigned int)expected);
        fail();
    }
    assert_null(profile);
}

static ULONG refcount_of(IUnknown *unknown)
{
    IUnknown_AddRef(unknown);
    return IUnknown_Release(unknown);
}

/* "Profile for PC-PC, PC-Phone, or IM Sessions" (ms775883), verbatim structure. */
static const WCHAR msdn_sample[] =
    L"<provision key=\"de500844-e074-47fd-9e53-a51d63e5f51d\" name=\"Amun\">\n"
    L"  <user account=\"1234567\" password=\"notfornow\" uri=\"someone@example.com\" />\n"
    L"  <sipsrv addr=\"amun1.sales.example.com\" protocol=\"UDP\" auth=\"digest\" role=\"proxy\">\n"
    L"    <session party=\"first\" type=\"pc2pc\" />\n"
    L"    <session party=\"first\" type=\"pc2ph\" />\n"
    L"    <session party=\"first\" type=\"im\" />\n"
    L"  </sipsrv>\n"
    L"  <sipsrv addr=\"amun1.sales.example.com\" protocol=\"UDP\" auth=\"digest\" role=\"registrar\" />\n"
    L"</provision>";

static void test_msdn_sample(void **state)
{
    const struct rtc_profile_data *data;
    RTC_REGISTRATION_STATE reg;
    IRTCProfile2 *profile;
    IRTCProfile *profile1;
    IUnknown *unknown, *unknown2;
    VARIANT_BOOL banner;
    LONG value;
    int which;

    profile = create_ok(msdn_sample);

    check_bstr(profile, GETTER(Key), S_OK, L"de500844-e074-47fd-9e53-a51d63e5f51d");
    check_bstr(profile, GETTER(Name), S_OK, L"Amun");
    check_bstr(profile, GETTER(XML), S_OK, msdn_sample);
    check_bstr(profile, GETTER(UserURI), S_OK, L"sip:someone@example.com");   /* sip: prepended */
    check_bstr(profile, GETTER(UserAccount), S_OK, L"1234567");
    /* Absent optional values: RTC_E_NOT_EXIST and no string. */
    check_bstr(profile, GETTER(UserName), RTC_E_NOT_EXIST, NULL);
    check_bstr(profile, GETTER(ProviderName), RTC_E_NOT_EXIST, NULL);
    check_bstr(profile, GETTER(ProviderData), RTC_E_NOT_EXIST, NULL);
    check_bstr(profile, GETTER(ClientName), RTC_E_NOT_EXIST, NULL);
    check_bstr(profile, GETTER(ClientMinVer), RTC_E_NOT_EXIST, NULL);
    check_bstr(profile, GETTER(ClientCurVer), RTC_E_NOT_EXIST, NULL);
    check_bstr(profile, GETTER(ClientUpdateURI), RTC_E_NOT_EXIST, NULL);
    check_bstr(profile, GETTER(ClientData), RTC_E_NOT_EXIST, NULL);
    check_bstr(profile, GETTER(Realm), RTC_E_NOT_EXIST, NULL);
    for (which = RTCPU_URIHOMEPAGE; which <= RTCPU_URIDISPLAYDURINGIDLE; which++)
    {
        BSTR uri = (BSTR)0xdeadbeef;
        assert_hr(IRTCProfile2_get_ProviderURI(profile, which, &uri), RTC_E_NOT_EXIST);
        assert_null(uri);
    }
    banner = VARIANT_TRUE;
    assert_hr(IRTCProfile2_get_ClientBanner(profile, &banner), RTC_E_NOT_EXIST);
    assert_int_equal(banner, VARIANT_FALSE);
    assert_hr(IRTCProfile2_get_ClientBanner(profile, NULL), E_POINTER);

    assert_hr(IRTCProfile2_get_SessionCapabilities(profile, &value), S_OK);
    assert_int_equal(value, RTCSI_PC_TO_PC | RTCSI_PC_TO_PHONE | RTCSI_IM);
    assert_hr(IRTCProfile2_get_SessionCapabilities(profile, NULL), E_POINTER);
    assert_hr(IRTCProfile2_get_State(profile, &reg), S_OK);
    assert_int_equal(reg, RTCRS_NOT_REGISTERED);
    assert_hr(IRTCProfile2_get_State(profile, NULL), E_POINTER);
    assert_hr(IRTCProfile2_get_AllowedAuth(profile, &value), S_OK);
    assert_int_equal(value, RTCAU_DIGEST);
    assert_hr(IRTCProfile2_get_AllowedAuth(profile, NULL), E_POINTER);

    /* The C view. */
    data = rtc_profile_get_data((IRTCProfile *)profile);
    assert_non_null(data);
    assert_string_equal(data->key, "de500844-e074-47fd-9e53-a51d63e5f51d");
    assert_string_equal(data->name, "Amun");
    assert_null(data->expires);
    assert_string_equal(data->user_uri, "sip:someone@example.com");
    assert_null(data->user_name);
    assert_string_equal(data->user_account, "1234567");
    assert_string_equal(data->user_password, "notfornow");
    assert_null(data->realm);
    assert_int_equal(data->allowed_auth, RTCAU_DIGEST);
    assert_false(data->allowed_auth_given);
    assert_int_equal(data->server_count, 2);
    assert_ptr_equal(data->proxy, &data->servers[0]);
    assert_ptr_equal(data->registrar, &data->servers[1]);
    assert_string_equal(data->proxy->addr, "amun1.sales.example.com");
    assert_string_equal(data->proxy->host, "amun1.sales.example.com");
    assert_int_equal(data->proxy->port, 5060);
    assert_false(data->proxy->port_explicit);
    assert_int_equal(data->proxy->transport, RTCTR_UDP);
    assert_int_equal(data->proxy->auth, RTCAU_DIGEST);
    assert_false(data->proxy->registrar);
    assert_int_equal(data->proxy->sessions, RTCSI_PC_TO_PC | RTCSI_PC_TO_PHONE | RTCSI_IM);
    assert_string_equal(data->registrar->host, "amun1.sales.example.com");
    assert_int_equal(data->registrar->port, 5060);
    assert_int_equal(data->registrar->transport, RTCTR_UDP);
    assert_true(data->registrar->registrar);
    assert_int_equal(data->registrar->sessions, 0);
    assert_int_equal(data->session_capabilities, RTCSI_PC_TO_PC | RTCSI_PC_TO_PHONE | RTCSI_IM);
    assert_false(data->has_client);
    assert_false(data->has_provider);
    assert_int_equal(data->state, RTCRS_NOT_REGISTERED);

    /* COM identity: IRTCProfile, IRTCProfile2 and IUnknown are one pointer; IDispatch is separate. */
    assert_hr(IRTCProfile2_QueryInterface(profile, &IID_IRTCProfile, (void **)&profile1), S_OK);
    assert_ptr_equal(profile1, profile);
    assert_hr(IRTCProfile_QueryInterface(profile1, &IID_IUnknown, (void **)&unknown), S_OK);
    assert_ptr_equal(unknown, profile);
    assert_hr(IRTCProfile2_QueryInterface(profile, &IID_IDispatch, (void **)&unknown2), S_OK);
    assert_ptr_not_equal(unknown2, profile);
    IUnknown_Release(unknown);
    assert_hr(IUnknown_QueryInterface(unknown2, &IID_IUnknown, (void **)&unknown), S_OK);
    assert_ptr_equal(unknown, profile);
    IUnknown_Release(unknown);
    IUnknown_Release(unknown2);
    IRTCProfile_Release(profile1);
    unknown = (IUnknown *)0xdeadbeef;
    assert_hr(IRTCProfile2_QueryInterface(profile, &IID_IRTCClient, (void **)&unknown), E_NOINTERFACE);
    assert_null(unknown);
    assert_hr(IRTCProfile2_QueryInterface(profile, &IID_IRTCProfile, NULL), E_POINTER);

    assert_int_equal(refcount_of((IUnknown *)profile), 1);
    assert_int_equal(IRTCProfile2_Release(profile), 0);
}

/* Every element and attribute of the schema, client/provider as attributes. */
static const WCHAR full_profile[] =
    L"<?xml version=\"1.0\" encoding=\"UTF-16\"?>\n"
    L"<!-- a complete profile -->\n"
    L"<provision key=\"{0c1f}\" name=\"Full &amp; complete\" expires=\"2030-01-01T00:00:00Z\">\n"
    L"  <user uri=\"SIP:Alice@Example.COM\" account=\"alice01\" name=\"Alice \x00c5berg\" password=\" p&lt;w \""
    L"        realm=\"example.com\" allowedauth=\"digest\"/>\n"
    L"  <sipsrv addr=\"proxy.example.com:5070\" protocol=\"TCP\" role=\"proxy\">\n"
    L"    <session party=\"first\" type=\"pc2pc\"/>\n"
    L"    <session party=\"first\" type=\"im\"/>\n"
    L"  </sipsrv>\n"
    L"  <sipsrv addr=\"[2001:db8::1]:5071\" protocol=\"tls\" role=\"registrar\"/>\n"
    L"  <client name=\"Porter\" banner=\"true\" updates=\"false\" minver=\"1.0\" curver=\"1.2\""
    L"          updateuri=\"http://example.com/update\" data=\"client blob\"/>\n"
    L"  <provider name=\"ITSP\" homepage=\"http://itsp.example/\" helpdesk=\"http://itsp.example/help\""
    L"            personal=\"http://itsp.example/me\" calldisplay=\"http://itsp.example/call\""
    L"            idledisplay=\"http://itsp.example/idle\" data=\"provider blob\"/>\n"
    L"  <accesscontrol domain=\"example.com\" sig=\"x\"/>\n"
    L"</provision>\n";

static void test_full_profile(void **state)
{
    static const WCHAR *const uris[] =
    {
        L"http://itsp.example/", L"http://itsp.example/help", L"http://itsp.example/me",
        L"http://itsp.example/call", L"http://itsp.example/idle",
    };
    const struct rtc_profile_data *data;
    IRTCProfile2 *profile;
    VARIANT_BOOL banner;
    LONG value;
    BSTR uri;
    int which;

    profile = create_ok(full_profile);
    check_bstr(profile, GETTER(Key), S_OK, L"{0c1f}");
    check_bstr(profile, GETTER(Name), S_OK, L"Full & complete");
    check_bstr(profile, GETTER(XML), S_OK, full_profile);
    check_bstr(profile, GETTER(UserURI), S_OK, L"sip:Alice@Example.COM");
    check_bstr(profile, GETTER(UserName), S_OK, L"Alice \x00c5berg");
    check_bstr(profile, GETTER(UserAccount), S_OK, L"alice01");
    check_bstr(profile, GETTER(Realm), S_OK, L"example.com");
    check_bstr(profile, GETTER(ClientName), S_OK, L"Porter");
    check_bstr(profile, GETTER(ClientMinVer), S_OK, L"1.0");
    check_bstr(profile, GETTER(ClientCurVer), S_OK, L"1.2");
    check_bstr(profile, GETTER(ClientUpdateURI), S_OK, L"http://example.com/update");
    check_bstr(profile, GETTER(ClientData), S_OK, L"client blob");
    check_bstr(profile, GETTER(ProviderName), S_OK, L"ITSP");
    check_bstr(profile, GETTER(ProviderData), S_OK, L"provider blob");
    for (which = RTCPU_URIHOMEPAGE; which <= RTCPU_URIDISPLAYDURINGIDLE; which++)
    {
        assert_hr(IRTCProfile2_get_ProviderURI(profile, which, &uri), S_OK);
        assert_wstr(uri, uris[which]);
        SysFreeString(uri);
    }
    uri = (BSTR)0xdeadbeef;
    assert_hr(IRTCProfile2_get_ProviderURI(profile, RTCPU_URIDISPLAYDURINGIDLE + 1, &uri), E_INVALIDARG);
    assert_null(uri);
    assert_hr(IRTCProfile2_get_ProviderURI(profile, -1, &uri), E_INVALIDARG);
    assert_hr(IRTCProfile2_get_ProviderURI(profile, RTCPU_URIHOMEPAGE, NULL), E_POINTER);
    assert_hr(IRTCProfile2_get_ClientBanner(profile, &banner), S_OK);
    assert_int_equal(banner, VARIANT_TRUE);
    assert_hr(IRTCProfile2_get_SessionCapabilities(profile, &value), S_OK);
    assert_int_equal(value, RTCSI_PC_TO_PC | RTCSI_IM);
    assert_hr(IRTCProfile2_get_AllowedAuth(profile, &value), S_OK);
    assert_int_equal(value, RTCAU_DIGEST);

    data = rtc_profile_get_data((IRTCProfile *)profile);
    assert_string_equal(data->expires, "2030-01-01T00:00:00Z");
    assert_string_equal(data->user_password, " p<w ");        /* taken as written */
    assert_true(data->allowed_auth_given);
    assert_string_equal(data->proxy->host, "proxy.example.com");
    assert_int_equal(data->proxy->port, 5070);
    assert_true(data->proxy->port_explicit);
    assert_int_equal(data->proxy->transport, RTCTR_TCP);
    assert_int_equal(data->proxy->auth, 0);
    assert_string_equal(data->registrar->addr, "[2001:db8::1]:5071");
    assert_string_equal(data->registrar->host, "2001:db8::1");
    assert_int_equal(data->registrar->port, 5071);
    assert_int_equal(data->registrar->transport, RTCTR_TLS);
    assert_true(data->has_client);
    assert_true(data->client_updates_given);
    assert_false(data->client_updates);
    assert_true(data->has_provider);
    assert_int_equal(IRTCProfile2_Release(profile), 0);
}

/* <client>/<provider> values as child elements; <data> blobs as text or as markup. */
static void test_child_elements_and_data(void **state)
{
    static const WCHAR xml[] =
        L"<provision key=\"k\" name=\"n\">"
        L"<user uri=\"sip:a@example.com\"/>"
        L"<sipsrv addr=\"example.com\" protocol=\"TLS\" role=\"proxy\"/>"
        L"<client name=\"attr wins? no, element comes later\">"
        L"  <name>  Porter  </name><banner>0</banner><minver>1.0</minver><curver>1.1</curver>"
        L"  <updateuri>http://u.example/</updateuri><unknown>ignored<x/></unknown>"
        L"  <data>\n  <cfg a=\"1&amp;2\"><item>x &lt; y</item><empty/></cfg>\n</data>"
        L"</client>"
        L"<provider><name>ITSP</name><homepage>http://h/</homepage><helpdesk>http://d/</helpdesk>"
        L"  <personal>http://p/</personal><calldisplay>http://c/</calldisplay><idledisplay>http://i/</idledisplay>"
        L"  <data><![CDATA[raw <text> & more]]></data>"
        L"</provider>"
        L"</provision>";
    IRTCProfile2 *profile;
    VARIANT_BOOL banner;
    BSTR uri;

    profile = create_ok(xml);
    check_bstr(profile, GETTER(ClientName), S_OK, L"Porter");
    check_bstr(profile, GETTER(ClientMinVer), S_OK, L"1.0");
    check_bstr(profile, GETTER(ClientCurVer), S_OK, L"1.1");
    check_bstr(profile, GETTER(ClientUpdateURI), S_OK, L"http://u.example/");
    check_bstr(profile, GETTER(ClientData), S_OK,
               L"<cfg a=\"1&amp;2\"><item>x &lt; y</item><empty></empty></cfg>");
    assert_hr(IRTCProfile2_get_ClientBanner(profile, &banner), S_OK);
    assert_int_equal(banner, VARIANT_FALSE);
    check_bstr(profile, GETTER(ProviderName), S_OK, L"ITSP");
    check_bstr(profile, GETTER(ProviderData), S_OK, L"raw <text> & more");
    assert_hr(IRTCProfile2_get_ProviderURI(profile, RTCPU_URIDISPLAYDURINGCALL, &uri), S_OK);
    assert_wstr(uri, L"http://c/");
    SysFreeString(uri);
    assert_hr(IRTCProfile2_get_ProviderURI(profile, RTCPU_URIPERSONALACCOUNT, &uri), S_OK);
    assert_wstr(uri, L"http://p/");
    SysFreeString(uri);
    IRTCProfile2_Release(profile);
}

/* Phone-to-phone over TLS with Basic (the Windows CE sample aa525667). */
static void test_phone_to_phone_tls(void **state)
{
    static const WCHAR xml[] =
        L"<provision key=\"{7f2c}\" name=\"Phone to phone\">"
        L"<user account=\"caller\" password=\"secret\" uri=\"sip:caller@mydomain.com\" realm=\"mydomain.com\"/>"
        L"<sipsrv addr=\"sip.mydomain.com:443\" protocol=\"tls\" auth=\"basic\" role=\"proxy\">"
        L"<session party=\"third\" type=\"ph2ph\"/>"
        L"</sipsrv>"
        L"</provision>";
    const struct rtc_profile_data *data;
    IRTCProfile2 *profile;
    LONG value;

    profile = create_ok(xml);
    assert_hr(IRTCProfile2_get_SessionCapabilities(profile, &value), S_OK);
    assert_int_equal(value, RTCSI_PHONE_TO_PHONE);
    assert_hr(IRTCProfile2_get_AllowedAuth(profile, &value), S_OK);
    assert_int_equal(value, RTCAU_BASIC);
    check_bstr(profile, GETTER(Realm), S_OK, L"mydomain.com");
    data = rtc_profile_get_data((IRTCProfile *)profile);
    assert_null(data->registrar);
    assert_non_null(data->proxy);
    assert_string_equal(data->proxy->host, "sip.mydomain.com");
    assert_int_equal(data->proxy->port, 443);
    assert_true(data->proxy->port_explicit);
    assert_int_equal(data->proxy->transport, RTCTR_TLS);
    assert_int_equal(data->proxy->auth, RTCAU_BASIC);
    IRTCProfile2_Release(profile);

    /* Without a port, TLS defaults to 5061. */
    profile = create_ok(L"<provision key=\"k\" name=\"n\"><user uri=\"sip:a@b.example\"/>"
                        L"<sipsrv addr=\"b.example\" protocol=\"TLS\" role=\"registrar\"/></provision>");
    data = rtc_profile_get_data((IRTCProfile *)profile);
    assert_int_equal(data->registrar->port, 5061);
    assert_false(data->registrar->port_explicit);
    IRTCProfile2_Release(profile);
}

/* Enumerated attribute values in any case; element and attribute names too. */
static void test_case_insensitive(void **state)
{
    static const WCHAR xml[] =
        L"<Provision KEY=\"k\" Name=\"n\">"
        L"<USER URI=\"Sips:bob@example.com\" AllowedAuth=\"DIGEST\"/>"
        L"<SipSrv Addr=\"sip:Proxy.Example.com\" Protocol=\"tLs\" Auth=\"DiGeSt\" Role=\"PROXY\">"
        L"<Session Party=\"FIRST\" Type=\"PC2PH\"/><session party=\"Third\" type=\"Ph2Ph\"/>"
        L"<session party=\"first\" type=\"IM\"/><session party=\"first\" type=\"Pc2Pc\"/>"
        L"</SipSrv>"
        L"<sipsrv addr=\"reg.example.com\" protocol=\"Tls\" role=\"Registrar\" auth=\"BASIC\"/>"
        L"<client Banner=\"YES\"/>"
        L"</Provision>";
    const struct rtc_profile_data *data;
    IRTCProfile2 *profile;
    VARIANT_BOOL banner;
    LONG value;

    profile = create_ok(xml);
    check_bstr(profile, GETTER(UserURI), S_OK, L"sips:bob@example.com");
    assert_hr(IRTCProfile2_get_SessionCapabilities(profile, &value), S_OK);
    assert_int_equal(value, RTCSI_PC_TO_PC | RTCSI_PC_TO_PHONE | RTCSI_PHONE_TO_PHONE | RTCSI_IM);
    assert_hr(IRTCProfile2_get_ClientBanner(profile, &banner), S_OK);
    assert_int_equal(banner, VARIANT_TRUE);
    /* allowedauth overrides every sipsrv/auth (basic on the registrar is ignored). */
    assert_hr(IRTCProfile2_get_AllowedAuth(profile, &value), S_OK);
    assert_int_equal(value, RTCAU_DIGEST);
    data = rtc_profile_get_data((IRTCProfile *)profile);
    assert_string_equal(data->proxy->host, "Proxy.Example.com");
    assert_int_equal(data->proxy->transport, RTCTR_TLS);
    assert_int_equal(data->proxy->auth, RTCAU_DIGEST);
    assert_int_equal(data->registrar->auth, RTCAU_BASIC);
    IRTCProfile2_Release(profile);
}

/* ---- defects ----------------------------------------------------------------------------- */

#define USER L"<user uri=\"sip:a@example.com\"/>"
#define SRV(attrs) L"<sipsrv " attrs L"/>"
#define UDP_PROXY SRV(L"addr=\"p.example.com\" protocol=\"UDP\" role=\"proxy\"")
#define PROVISION(body) L"<provision key=\"k\" name=\"n\">" body L"</provision>"

static const struct defect
{
    const WCHAR *xml;
    HRESULT hr;
}
defects[] =
{
    /* <provision> */
    { NULL, RTC_E_PROFILE_NO_PROVISION },
    { L"", RTC_E_PROFILE_NO_PROVISION },
    { L"  \n ", RTC_E_PROFILE_NO_PROVISION },
    { L"<?xml version=\"1.0\"?><!-- nothing -->", RTC_E_PROFILE_NO_PROVISION },
    { L"<profile key=\"k\" name=\"n\">" USER UDP_PROXY L"</profile>", RTC_E_PROFILE_NO_PROVISION },
    { L"<provision name=\"n\">" USER UDP_PROXY L"</provision>", RTC_E_PROFILE_NO_KEY },
    { L"<provision key=\" \" name=\"n\">" USER UDP_PROXY L"</provision>", RTC_E_PROFILE_NO_KEY },
    { L"<provision key=\"k\">" USER UDP_PROXY L"</provision>", RTC_E_PROFILE_NO_NAME },
    { L"<provision key=\"k\" name=\"\">" USER UDP_PROXY L"</provision>", RTC_E_PROFILE_NO_NAME },
    { L"<provision/>", RTC_E_PROFILE_NO_KEY },                      /* first defect wins */
    /* <user> */
    { PROVISION(UDP_PROXY), RTC_E_PROFILE_NO_USER },
    { PROVISION(L"<user account=\"a\"/>" UDP_PROXY), RTC_E_PROFILE_NO_USER_URI },
    { PROVISION(L"<user uri=\"  \"/>" UDP_PROXY), RTC_E_PROFILE_NO_USER_URI },
    { PROVISION(L"<user uri=\"tel:+15551234\"/>" UDP_PROXY), RTC_E_INVALID_SIP_URL },
    { PROVISION(L"<user uri=\"mailto:a@example.com\"/>" UDP_PROXY), RTC_E_INVALID_SIP_URL },
    { PROVISION(L"<user uri=\"sip:\"/>" UDP_PROXY), RTC_E_INVALID_SIP_URL },
    { PROVISION(L"<user uri=\"sip:@example.com\"/>" UDP_PROXY), RTC_E_INVALID_SIP_URL },
    { PROVISION(L"<user uri=\"sip:alice@\"/>" UDP_PROXY), RTC_E_INVALID_SIP_URL },
    { PROVISION(L"<user uri=\"sip:al ice@example.com\"/>" UDP_PROXY), RTC_E_INVALID_SIP_URL },
    { PROVISION(L"<user uri=\"sip:alice@exa$mple.com\"/>" UDP_PROXY), RTC_E_INVALID_SIP_URL },
    { PROVISION(L"<user uri=\"sip:alice@example.com:99999\"/>" UDP_PROXY), RTC_E_INVALID_SIP_URL },
    { PROVISION(L"<user uri=\"sip:alice@[::1\"/>" UDP_PROXY), RTC_E_INVALID_SIP_URL },
    { PROVISION(L"<user uri=\"&lt;sip:a@example.com&gt;\"/>" UDP_PROXY), RTC_E_INVALID_SIP_URL },
    { PROVISION(USER USER UDP_PROXY), RTC_E_INVALID_PROFILE },
    { PROVISION(L"<user uri=\"sip:a@example.com\" allowedauth=\"md5\"/>" UDP_PROXY),
      RTC_E_PROFILE_INVALID_SERVER_AUTHMETHOD },
    { PROVISION(L"<user uri=\"sip:a@example.com\" allowedauth=\"logoncred\"/>"
                SRV(L"addr=\"p\" protocol=\"TCP\" role=\"proxy\"")), RTC_E_PROFILE_INVALID_SERVER_AUTHMETHOD },
    /* <sipsrv> */
    { PROVISION(USER), RTC_E_PROFILE_NO_SERVER },
    { PROVISION(USER SRV(L"protocol=\"UDP\" role=\"proxy\"")), RTC_E_PROFILE_NO_SERVER_ADDRESS },
    { PROVISION(USER SRV(L"addr=\" \" protocol=\"UDP\" role=\"proxy\"")), RTC_E_PROFILE_NO_SERVER_ADDRESS },
    { PROVISION(USER SRV(L"addr=\"p.example.com\" role=\"proxy\"")), RTC_E_PROFILE_NO_SERVER_PROTOCOL },
    { PROVISION(USER SRV(L"addr=\"p.example.com\" protocol=\"\" role=\"proxy\"")), RTC_E_PROFILE_NO_SERVER_PROTOCOL },
    { PROVISION(USER SRV(L"addr=\"p.example.com\" protocol=\"SCTP\" role=\"proxy\"")),
      RTC_E_PROFILE_INVALID_SERVER_PROTOCOL },
    { PROVISION(USER SRV(L"addr=\"p.example.com:port\" protocol=\"UDP\" role=\"proxy\"")), RTC_E_INVALID_PROXY_ADDRESS },
    { PROVISION(USER SRV(L"addr=\"p.example.com:0\" protocol=\"UDP\" role=\"proxy\"")), RTC_E_INVALID_PROXY_ADDRESS },
    { PROVISION(USER SRV(L"addr=\"p.example.com:65536\" protocol=\"UDP\" role=\"proxy\"")), RTC_E_INVALID_PROXY_ADDRESS },
    { PROVISION(USER SRV(L"addr=\"p example.com\" protocol=\"UDP\" role=\"proxy\"")), RTC_E_INVALID_PROXY_ADDRESS },
    { PROVISION(USER SRV(L"addr=\"u@p.example.com\" protocol=\"UDP\" role=\"proxy\"")), RTC_E_INVALID_PROXY_ADDRESS },
    { PROVISION(USER SRV(L"addr=\"[::1\" protocol=\"UDP\" role=\"proxy\"")), RTC_E_INVALID_PROXY_ADDRESS },
    { PROVISION(USER SRV(L"addr=\"p.example.com\" protocol=\"UDP\"")), RTC_E_PROFILE_INVALID_SERVER_ROLE },
    { PROVISION(USER SRV(L"addr=\"p.example.com\" protocol=\"UDP\" role=\"gateway\"")),
      RTC_E_PROFILE_INVALID_SERVER_ROLE },
    { PROVISION(USER SRV(L"addr=\"p.example.com\" protocol=\"TCP\" auth=\"md5\" role=\"proxy\"")),
      RTC_E_PROFILE_INVALID_SERVER_AUTHMETHOD },
    { PROVISION(USER SRV(L"addr=\"r1\" protocol=\"UDP\" role=\"registrar\"") SRV(L"addr=\"r2\" protocol=\"UDP\" role=\"registrar\"")),
      RTC_E_PROFILE_MULTIPLE_REGISTRARS },
    /* authentication rules (IRTCClientProvisioning::CreateProfile, ms775522) */
    { PROVISION(USER SRV(L"addr=\"p\" protocol=\"UDP\" auth=\"basic\" role=\"proxy\"")),
      RTC_E_PROFILE_INVALID_SERVER_AUTHMETHOD },
    { PROVISION(USER SRV(L"addr=\"p\" protocol=\"udp\" auth=\"NTLM\" role=\"proxy\"")),
      RTC_E_PROFILE_INVALID_SERVER_AUTHMETHOD },
    { PROVISION(USER SRV(L"addr=\"p\" protocol=\"UDP\" auth=\"kerberos\" role=\"registrar\"")),
      RTC_E_PROFILE_INVALID_SERVER_AUTHMETHOD },
    { PROVISION(USER SRV(L"addr=\"p\" protocol=\"TLS\" auth=\"basic\" role=\"proxy\"") SRV(L"addr=\"r\" protocol=\"UDP\" auth=\"digest\" role=\"registrar\"")),
      RTC_E_UDP_NOT_SUPPORTED },
    { PROVISION(L"<user uri=\"sip:a@example.com\" allowedauth=\"digest ntlm\"/>" UDP_PROXY), RTC_E_UDP_NOT_SUPPORTED },
    { PROVISION(L"<user uri=\"sip:a@example.com\" allowedauth=\"kerberos,logoncred\"/>" UDP_PROXY), RTC_E_UDP_NOT_SUPPORTED },
    { PROVISION(USER SRV(L"addr=\"p\" protocol=\"TCP\" auth=\"basic\" role=\"proxy\"")), RTC_E_BASIC_AUTH_SET_TLS },
    { PROVISION(USER SRV(L"addr=\"p\" protocol=\"TLS\" auth=\"basic\" role=\"proxy\"") SRV(L"addr=\"r\" protocol=\"TCP\" role=\"registrar\"")),
      RTC_E_BASIC_AUTH_SET_TLS },
    { PROVISION(L"<user uri=\"sip:a@example.com\" allowedauth=\"basic\"/>" SRV(L"addr=\"p\" protocol=\"TCP\" role=\"proxy\"")),
      RTC_E_BASIC_AUTH_SET_TLS },
    /* <session> */
    { PROVISION(USER L"<sipsrv addr=\"p\" protocol=\"UDP\" role=\"proxy\"><session type=\"pc2pc\"/></sipsrv>"),
      RTC_E_PROFILE_INVALID_SESSION_PARTY },
    { PROVISION(USER L"<sipsrv addr=\"p\" protocol=\"UDP\" role=\"proxy\"><session party=\"second\" type=\"pc2pc\"/></sipsrv>"),
      RTC_E_PROFILE_INVALID_SESSION_PARTY },
    { PROVISION(USER L"<sipsrv addr=\"p\" protocol=\"UDP\" role=\"proxy\"><session party=\"first\"/></sipsrv>"),
      RTC_E_PROFILE_INVALID_SESSION_TYPE },
    { PROVISION(USER L"<sipsrv addr=\"p\" protocol=\"UDP\" role=\"proxy\"><session party=\"first\" type=\"video\"/></sipsrv>"),
      RTC_E_PROFILE_INVALID_SESSION_TYPE },
    { PROVISION(USER L"<sipsrv addr=\"p\" protocol=\"UDP\" role=\"proxy\"><session party=\"third\" type=\"pc2pc\"/></sipsrv>"),
      RTC_E_PROFILE_INVALID_SESSION },
    { PROVISION(USER L"<sipsrv addr=\"p\" protocol=\"UDP\" role=\"proxy\"><session party=\"first\" type=\"ph2ph\"/></sipsrv>"),
      RTC_E_PROFILE_INVALID_SESSION },
    { PROVISION(USER UDP_PROXY L"<session party=\"first\" type=\"pc2pc\"/>"), RTC_E_PROFILE_INVALID_SESSION },
    /* <client>, <provider> */
    { PROVISION(USER UDP_PROXY L"<client name=\"a\"/><client name=\"b\"/>"), RTC_E_INVALID_PROFILE },
    { PROVISION(USER UDP_PROXY L"<provider name=\"a\"/><provider name=\"b\"/>"), RTC_E_INVALID_PROFILE },
    { PROVISION(USER UDP_PROXY L"<client banner=\"maybe\"/>"), RTC_E_INVALID_PROFILE },
    { PROVISION(USER UDP_PROXY L"<client><updates>2</updates></client>"), RTC_E_INVALID_PROFILE },
    /* not well-formed: RTC_E_MALFORMED_XML, whatever else is wrong */
    { L"garbage", RTC_E_MALFORMED_XML },
    { L"<provision", RTC_E_MALFORMED_XML },
    { L"<provision key=\"k\" name=\"n\">" USER UDP_PROXY, RTC_E_MALFORMED_XML },
    { L"<provision key=\"k\" name=\"n\">" USER UDP_PROXY L"</provisio>", RTC_E_MALFORMED_XML },
    { L"<provision key=\"k\" name=\"n\" key=\"j\">" USER UDP_PROXY L"</provision>", RTC_E_MALFORMED_XML },
    { L"<provision key=k name=\"n\">" USER UDP_PROXY L"</provision>", RTC_E_MALFORMED_XML },
    { L"<provision key=\"&bogus;\" name=\"n\">" USER UDP_PROXY L"</provision>", RTC_E_MALFORMED_XML },
    { PROVISION(USER UDP_PROXY) PROVISION(USER UDP_PROXY), RTC_E_MALFORMED_XML },
    { L"<provision name=\"n\"><user/>", RTC_E_MALFORMED_XML },      /* malformed beats NO_KEY */
    { L"<x>" PROVISION(USER UDP_PROXY), RTC_E_MALFORMED_XML },
    { L"\xd800<provision/>", RTC_E_MALFORMED_XML },                   /* not a Unicode scalar */
};

static void test_defects(void **state)
{
    unsigned int i;

    for (i = 0; i < ARRAY_SIZE(defects); i++)
        expect_error(defects[i].xml, defects[i].hr);
}

static void test_accepted_variants(void **state)
{
    static const WCHAR *const good[] =
    {
        /* byte order mark, prolog, comments, DOCTYPE */
        L"\xfeff<?xml version=\"1.0\"?><!DOCTYPE provision><!-- c --><provision key=\"k\" name=\"n\">"
            USER UDP_PROXY L"</provision>",
        /* unknown elements and attributes are ignored, with what they contain */
        PROVISION(USER UDP_PROXY L"<policy><session party=\"zz\"/></policy><accesscontrol domain=\"d\"/>"),
        L"<provision key=\"k\" name=\"n\" xmlns=\"urn:x\" extra=\"1\">" USER UDP_PROXY L"</provision>",
        /* a registrar alone, a proxy alone, several proxies */
        PROVISION(USER SRV(L"addr=\"r\" protocol=\"UDP\" role=\"registrar\"")),
        PROVISION(USER UDP_PROXY SRV(L"addr=\"p2\" protocol=\"TCP\" role=\"proxy\"")),
        /* sip: prefix on addr, IPv4, IPv6 */
        PROVISION(USER SRV(L"addr=\"sip:192.0.2.1:5062\" protocol=\"UDP\" role=\"proxy\"")),
        PROVISION(USER SRV(L"addr=\"[::1]\" protocol=\"UDP\" role=\"proxy\"")),
        /* URIs: host only, host:port, parameters, headers, sips */
        PROVISION(L"<user uri=\"example.com\"/>" UDP_PROXY),
        PROVISION(L"<user uri=\"example.com:5070\"/>" UDP_PROXY),
        PROVISION(L"<user uri=\"sip:alice@example.com;transport=tcp?subject=a@b\"/>" UDP_PROXY),
        PROVISION(L"<user uri=\"  sips:alice@example.com  \"/>" UDP_PROXY),
        /* allowedauth: empty list, separators; NTLM/Kerberos over TCP and TLS */
        PROVISION(L"<user uri=\"sip:a@b\" allowedauth=\"\"/>" UDP_PROXY),
        PROVISION(L"<user uri=\"sip:a@b\" allowedauth=\"NTLM|Kerberos, digest;logoncred\"/>"
                  SRV(L"addr=\"p\" protocol=\"TCP\" role=\"proxy\"")),
        PROVISION(USER SRV(L"addr=\"p\" protocol=\"TLS\" auth=\"ntlm\" role=\"proxy\"")),
        /* a sipsrv auth ignored because allowedauth is present */
        PROVISION(L"<user uri=\"sip:a@b\" allowedauth=\"digest\"/>"
                  SRV(L"addr=\"p\" protocol=\"UDP\" auth=\"basic\" role=\"proxy\"")),
        /* empty client and provider */
        PROVISION(USER UDP_PROXY L"<client/><provider/>"),
    };
    IRTCProfile2 *profile;
    unsigned int i;

    for (i = 0; i < ARRAY_SIZE(good); i++)
    {
        HRESULT hr = rtc_profile_create_from_xml(good[i], &profile);
        if (hr != S_OK)
        {
            print_error("profile %ls\n  got 0x%08x\n", good[i], (unsigned int)hr);
            fail();
        }
        assert_int_equal(IRTCProfile2_Release(profile), 0);
    }
}

static void test_allowed_auth_values(void **state)
{
    const struct rtc_profile_data *data;
    IRTCProfile2 *profile;
    LONG auth;

    profile = create_ok(PROVISION(L"<user uri=\"sip:a@b\" allowedauth=\"NTLM|Kerberos, digest;logoncred\"/>"
                                  SRV(L"addr=\"p\" protocol=\"TCP\" role=\"proxy\"")));
    assert_hr(IRTCProfile2_get_AllowedAuth(profile, &auth), S_OK);
    assert_int_equal(auth, RTCAU_NTLM | RTCAU_KERBEROS | RTCAU_DIGEST | RTCAU_USE_LOGON_CRED);
    IRTCProfile2_Release(profile);

    /* allowedauth="" allows nothing: no challenge is answered. */
    profile = create_ok(PROVISION(L"<user uri=\"sip:a@b\" allowedauth=\"\"/>" UDP_PROXY));
    assert_hr(IRTCProfile2_get_AllowedAuth(profile, &auth), S_OK);
    assert_int_equal(auth, 0);
    assert_true(rtc_profile_get_data((IRTCProfile *)profile)->allowed_auth_given);
    IRTCProfile2_Release(profile);

    /* No allowedauth: the union of the servers' auth; none at all: Digest. */
    profile = create_ok(PROVISION(USER SRV(L"addr=\"p\" protocol=\"TLS\" auth=\"basic\" role=\"proxy\"")
                                  SRV(L"addr=\"r\" protocol=\"TLS\" auth=\"digest\" role=\"registrar\"")));
    assert_hr(IRTCProfile2_get_AllowedAuth(profile, &auth), S_OK);
    assert_int_equal(auth, RTCAU_BASIC | RTCAU_DIGEST);
    IRTCProfile2_Release(profile);
    profile = create_ok(PROVISION(USER UDP_PROXY));
    data = rtc_profile_get_data((IRTCProfile *)profile);
    assert_int_equal(data->allowed_auth, RTCAU_DIGEST);
    assert_false(data->allowed_auth_given);
    IRTCProfile2_Release(profile);
}

/* ---- hostile input ------------------------------------------------------------------------------ */

static void test_truncated(void **state)
{
    size_t len = wcslen(full_profile), i;
    IRTCProfile2 *profile;
    WCHAR *copy;

    /* Every proper prefix of the document (but the trailing newline) must fail, and leak nothing. */
    copy = malloc((len + 1) * sizeof(WCHAR));
    for (i = 0; i < len - 1; i++)
    {
        wmemcpy(copy, full_profile, i);
        copy[i] = 0;
        profile = (IRTCProfile2 *)0xdeadbeef;
        if (SUCCEEDED(rtc_profile_create_from_xml(copy, &profile)))
        {
            print_error("prefix of %u characters accepted\n", (unsigned int)i);
            fail();
        }
        assert_null(profile);
    }
    free(copy);
}

static void test_garbage_and_mutations(void **state)
{
    size_t len = wcslen(msdn_sample), i, j;
    IRTCProfile2 *profile;
    WCHAR buffer[512];
    GRand *rand = g_rand_new_with_seed(20240611);
    static const WCHAR alphabet[] = L"<>/=\"' &;![]-?:abcprovisionusersipsrv\x00e9\x4e2d";
    unsigned int accepted = 0;

    /* Random characters. */
    for (i = 0; i < 2000; i++)
    {
        size_t n = g_rand_int_range(rand, 0, ARRAY_SIZE(buffer) - 1);
        for (j = 0; j < n; j++)
            buffer[j] = alphabet[g_rand_int_range(rand, 0, ARRAY_SIZE(alphabet) - 1)];
        buffer[n] = 0;
        if (SUCCEEDED(rtc_profile_create_from_xml(buffer, &profile)))
            IRTCProfile2_Release(profile);
    }
    /* The sample with a few characters replaced: any result but a crash or a leak. */
    for (i = 0; i < 3000; i++)
    {
        wmemcpy(buffer, msdn_sample, len + 1);
        for (j = 0; j < 3; j++)
            buffer[g_rand_int_range(rand, 0, len)] = alphabet[g_rand_int_range(rand, 0, ARRAY_SIZE(alphabet) - 1)];
        profile = NULL;
        if (SUCCEEDED(rtc_profile_create_from_xml(buffer, &profile)))
        {
            accepted++;
            assert_non_null(rtc_profile_get_data((IRTCProfile *)profile));
            IRTCProfile2_Release(profile);
        }
        else
            assert_null(profile);
    }
    assert_true(accepted > 0);      /* some mutations only touch values */
    g_rand_free(rand);
}

static void test_huge(void **state)
{
    static const WCHAR head[] = L"<provision key=\"k\" name=\"n\">" USER UDP_PROXY L"<client><data>";
    static const WCHAR tail[] = L"</data></client></provision>";
    size_t max = RTC_PROFILE_MAX_XML_CHARS, i, pos;
    IRTCProfile2 *profile;
    WCHAR *xml;
    BSTR data;

    xml = malloc((max + 2) * sizeof(WCHAR));

    /* One character over the limit: refused before any parsing. */
    wmemset(xml, L'a', max + 1);
    xml[max + 1] = 0;
    expect_error(xml, RTC_E_INVALID_PROFILE);

    /* Exactly at the limit: a huge data blob is kept. */
    pos = wcslen(head);
    wmemcpy(xml, head, pos);
    for (i = pos; i < max - wcslen(tail); i++)
        xml[i] = L'x';
    wcscpy(xml + i, tail);
    assert_int_equal(wcslen(xml), max);
    profile = create_ok(xml);
    assert_hr(IRTCProfile2_get_ClientData(profile, &data), S_OK);
    assert_int_equal(SysStringLen(data), max - wcslen(head) - wcslen(tail));
    SysFreeString(data);
    IRTCProfile2_Release(profile);

    /* Deep nesting inside a data blob: no recursion, no stack overflow. */
    pos = wcslen(head);
    wmemcpy(xml, head, pos);
    for (i = 0; i < 100000; i++)
    {
        wmemcpy(xml + pos, L"<a>", 3);
        pos += 3;
    }
    for (i = 0; i < 100000; i++)
    {
        wmemcpy(xml + pos, L"</a>", 4);
        pos += 4;
    }
    wcscpy(xml + pos, tail);
    profile = create_ok(xml);
    IRTCProfile2_Release(profile);

    /* Deep nesting of unknown elements, and an unclosed deep nest. */
    pos = wcslen(L"<provision key=\"k\" name=\"n\">");
    wmemcpy(xml, L"<provision key=\"k\" name=\"n\">", pos);
    for (i = 0; i < 100000; i++)
    {
        wmemcpy(xml + pos, L"<z>", 3);
        pos += 3;
    }
    xml[pos] = 0;
    expect_error(xml, RTC_E_MALFORMED_XML);

    /* Many servers. */
    pos = wcslen(L"<provision key=\"k\" name=\"n\">" USER);
    wmemcpy(xml, L"<provision key=\"k\" name=\"n\">" USER, pos);
    for (i = 0; i < 10000; i++)
    {
        static const WCHAR srv[] = SRV(L"addr=\"p\" protocol=\"TCP\" role=\"proxy\"");
        wmemcpy(xml + pos, srv, wcslen(srv));
        pos += wcslen(srv);
    }
    wcscpy(xml + pos, L"</provision>");
    profile = create_ok(xml);
    assert_int_equal(rtc_profile_get_data((IRTCProfile *)profile)->server_count, 10000);
    IRTCProfile2_Release(profile);

    free(xml);
}

/* ---- setters, state --------------------------------------------------------------------------- */

static void test_set_credentials(void **state)
{
    const struct rtc_profile_data *data;
    IRTCProfile2 *profile;
    BSTR uri, account, password, empty;

    profile = create_ok(msdn_sample);
    data = rtc_profile_get_data((IRTCProfile *)profile);
    uri = SysAllocString(L"bob@example.org");
    account = SysAllocString(L"bob7");
    password = SysAllocString(L"hunter2");

    assert_hr(IRTCProfile2_SetCredentials(profile, uri, account, password), S_OK);
    check_bstr(profile, GETTER(UserURI), S_OK, L"sip:bob@example.org");
    check_bstr(profile, GETTER(UserAccount), S_OK, L"bob7");
    assert_string_equal(data->user_password, "hunter2");
    check_bstr(profile, GETTER(XML), S_OK, msdn_sample);      /* the original text */

    /* Invalid input changes nothing. */
    SysReAllocString(&uri, L"tel:+1555");
    assert_hr(IRTCProfile2_SetCredentials(profile, uri, NULL, NULL), RTC_E_INVALID_SIP_URL);
    assert_hr(IRTCProfile2_SetCredentials(profile, NULL, account, password), E_INVALIDARG);
    empty = SysAllocString(L"");
    assert_hr(IRTCProfile2_SetCredentials(profile, empty, account, password), E_INVALIDARG);
    check_bstr(profile, GETTER(UserURI), S_OK, L"sip:bob@example.org");
    assert_string_equal(data->user_password, "hunter2");

    /* NULL account and password: none (an empty password is a password). */
    SysReAllocString(&uri, L"sip:carol@example.org");
    assert_hr(IRTCProfile2_SetCredentials(profile, uri, NULL, empty), S_OK);
    check_bstr(profile, GETTER(UserAccount), RTC_E_NOT_EXIST, NULL);
    assert_string_equal(data->user_password, "");
    assert_hr(IRTCProfile2_SetCredentials(profile, uri, empty, NULL), S_OK);
    assert_null(data->user_password);

    /* Frozen while registering, registered or unregistering. */
    rtc_profile_set_state((IRTCProfile *)profile, RTCRS_REGISTERED);
    assert_hr(IRTCProfile2_SetCredentials(profile, uri, account, password), RTC_E_INVALID_REGISTRATION_STATE);
    rtc_profile_set_state((IRTCProfile *)profile, RTCRS_UNREGISTERING);
    assert_hr(IRTCProfile2_SetCredentials(profile, uri, account, password), RTC_E_INVALID_REGISTRATION_STATE);
    rtc_profile_set_state((IRTCProfile *)profile, RTCRS_REJECTED);
    assert_hr(IRTCProfile2_SetCredentials(profile, uri, account, password), S_OK);

    SysFreeString(uri);
    SysFreeString(account);
    SysFreeString(password);
    SysFreeString(empty);
    IRTCProfile2_Release(profile);
}

static void test_state(void **state)
{
    RTC_REGISTRATION_STATE reg;
    IRTCProfile2 *profile;

    profile = create_ok(msdn_sample);
    rtc_profile_set_state((IRTCProfile *)profile, RTCRS_REGISTERING);
    assert_hr(IRTCProfile2_get_State(profile, &reg), S_OK);
    assert_int_equal(reg, RTCRS_REGISTERING);
    rtc_profile_set_state((IRTCProfile *)profile, RTCRS_REGISTERED);
    assert_hr(IRTCProfile2_get_State(profile, &reg), S_OK);
    assert_int_equal(reg, RTCRS_REGISTERED);
    assert_int_equal(rtc_profile_get_data((IRTCProfile *)profile)->state, RTCRS_REGISTERED);
    IRTCProfile2_Release(profile);
}

static void test_realm(void **state)
{
    IRTCProfile2 *profile;
    BSTR realm;

    profile = create_ok(msdn_sample);
    realm = SysAllocString(L" sales.example.com ");
    assert_hr(IRTCProfile2_put_Realm(profile, realm), S_OK);
    check_bstr(profile, GETTER(Realm), S_OK, L"sales.example.com");
    assert_string_equal(rtc_profile_get_data((IRTCProfile *)profile)->realm, "sales.example.com");
    assert_hr(IRTCProfile2_put_Realm(profile, NULL), S_OK);
    check_bstr(profile, GETTER(Realm), RTC_E_NOT_EXIST, NULL);
    rtc_profile_set_state((IRTCProfile *)profile, RTCRS_REGISTERING);
    assert_hr(IRTCProfile2_put_Realm(profile, realm), RTC_E_INVALID_REGISTRATION_STATE);
    check_bstr(profile, GETTER(Realm), RTC_E_NOT_EXIST, NULL);
    SysFreeString(realm);
    IRTCProfile2_Release(profile);
}

static void test_put_allowed_auth(void **state)
{
    IRTCProfile2 *udp, *tcp, *tls;
    LONG auth;

    udp = create_ok(msdn_sample);
    tcp = create_ok(PROVISION(USER SRV(L"addr=\"p\" protocol=\"TCP\" role=\"proxy\"")));
    tls = create_ok(PROVISION(USER SRV(L"addr=\"p\" protocol=\"TLS\" role=\"proxy\"")));

    assert_hr(IRTCProfile2_put_AllowedAuth(udp, 0x100), E_INVALIDARG);
    assert_hr(IRTCProfile2_put_AllowedAuth(udp, RTCAU_USE_LOGON_CRED), E_INVALIDARG);
    assert_hr(IRTCProfile2_put_AllowedAuth(udp, RTCAU_NTLM), RTC_E_UDP_NOT_SUPPORTED);
    assert_hr(IRTCProfile2_put_AllowedAuth(udp, RTCAU_DIGEST | RTCAU_KERBEROS), RTC_E_UDP_NOT_SUPPORTED);
    assert_hr(IRTCProfile2_put_AllowedAuth(udp, RTCAU_DIGEST | RTCAU_USE_LOGON_CRED), RTC_E_UDP_NOT_SUPPORTED);
    assert_hr(IRTCProfile2_put_AllowedAuth(udp, RTCAU_BASIC), RTC_E_UDP_NOT_SUPPORTED);
    assert_hr(IRTCProfile2_get_AllowedAuth(udp, &auth), S_OK);
    assert_int_equal(auth, RTCAU_DIGEST);                   /* unchanged */
    assert_hr(IRTCProfile2_put_AllowedAuth(udp, 0), S_OK);
    assert_hr(IRTCProfile2_get_AllowedAuth(udp, &auth), S_OK);
    assert_int_equal(auth, 0);

    assert_hr(IRTCProfile2_put_AllowedAuth(tcp, RTCAU_NTLM | RTCAU_KERBEROS | RTCAU_USE_LOGON_CRED), S_OK);
    assert_hr(IRTCProfile2_put_AllowedAuth(tcp, RTCAU_BASIC | RTCAU_DIGEST), RTC_E_BASIC_AUTH_SET_TLS);
    assert_hr(IRTCProfile2_get_AllowedAuth(tcp, &auth), S_OK);
    assert_int_equal(auth, RTCAU_NTLM | RTCAU_KERBEROS | RTCAU_USE_LOGON_CRED);

    assert_hr(IRTCProfile2_put_AllowedAuth(tls, RTCAU_BASIC), S_OK);
    assert_hr(IRTCProfile2_get_AllowedAuth(tls, &auth), S_OK);
    assert_int_equal(auth, RTCAU_BASIC);
    assert_true(rtc_profile_get_data((IRTCProfile *)tls)->allowed_auth_given);
    rtc_profile_set_state((IRTCProfile *)tls, RTCRS_REGISTERED);
    assert_hr(IRTCProfile2_put_AllowedAuth(tls, RTCAU_DIGEST), RTC_E_INVALID_REGISTRATION_STATE);
    rtc_profile_set_state((IRTCProfile *)tls, RTCRS_NOT_REGISTERED);
    assert_hr(IRTCProfile2_put_AllowedAuth(tls, RTCAU_DIGEST), S_OK);

    IRTCProfile2_Release(udp);
    IRTCProfile2_Release(tcp);
    IRTCProfile2_Release(tls);
}

/* ---- the C view on foreign objects, URI normalization ------------------------------------------- */

static HRESULT WINAPI foreign_QueryInterface(IRTCProfile *iface, REFIID riid, void **ppv)
{
    *ppv = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI foreign_AddRef(IRTCProfile *iface)
{
    return 2;
}

static ULONG WINAPI foreign_Release(IRTCProfile *iface)
{
    return 1;
}

static void test_foreign_profile(void **state)
{
    IRTCProfileVtbl vtbl = { .QueryInterface = foreign_QueryInterface, .AddRef = foreign_AddRef,
                             .Release = foreign_Release };
    IRTCProfile foreign = { &vtbl };

    assert_null(rtc_profile_get_data(NULL));
    assert_null(rtc_profile_get_data(&foreign));
    rtc_profile_set_state(&foreign, RTCRS_REGISTERED);     /* ignored, no crash */
    rtc_profile_set_state(NULL, RTCRS_REGISTERED);
}

static void test_normalize_uri(void **state)
{
    static const struct { const char *in, *out; } cases[] =
    {
        { "alice@example.com", "sip:alice@example.com" },
        { "sip:alice@example.com", "sip:alice@example.com" },
        { "SIP:alice@example.com", "sip:alice@example.com" },
        { "SiPs:alice@example.com", "sips:alice@example.com" },
        { " example.com ", "sip:example.com" },
        { "example.com:5060", "sip:example.com:5060" },
        { "sip:+15551234@gw.example.com;user=phone", "sip:+15551234@gw.example.com;user=phone" },
        { "sip:alice@[2001:db8::1]:5061", "sip:alice@[2001:db8::1]:5061" },
        { "sip:alice@192.0.2.1", "sip:alice@192.0.2.1" },
        { "tel:+15551234", NULL },
        { "im:alice@example.com", NULL },
        { "", NULL },
        { "sip:alice@example.com:", NULL },
        { "sip:alice@exa\"mple.com", NULL },
        { "sip:alice@example.com\n", "sip:alice@example.com" },
        { "sip:ali\tce@example.com", NULL },
    };
    unsigned int i;
    char *out;

    for (i = 0; i < ARRAY_SIZE(cases); i++)
    {
        HRESULT hr = rtc_profile_normalize_sip_uri(cases[i].in, &out);
        if (cases[i].out)
        {
            assert_hr(hr, S_OK);
            assert_string_equal(out, cases[i].out);
            g_free(out);
        }
        else
        {
            assert_hr(hr, RTC_E_INVALID_SIP_URL);
            assert_null(out);
        }
    }
}

/* ---- IDispatch on the profile -------------------------------------------------------------------- */

static void test_dispatch(void **state)
{
    static const struct { const WCHAR *name; DISPID id; } ids[] =
    {
        { L"Key", 1 }, { L"name", 2 }, { L"UserURI", 13 }, { L"ProviderURI", 5 },
        { L"STATE", 18 }, { L"Realm", 19 }, { L"AllowedAuth", 21 }, { L"SessionCapabilities", 17 },
    };
    DISPPARAMS none = { NULL, NULL, 0, 0 }, one;
    IRTCProfile2 *profile;
    IDispatch *dispatch;
    VARIANT arg, result;
    LPOLESTR name;
    unsigned int i;
    DISPID id;
    UINT count;

    profile = create_ok(full_profile);
    assert_hr(IRTCProfile2_QueryInterface(profile, &IID_IDispatch, (void **)&dispatch), S_OK);
    assert_int_equal(refcount_of((IUnknown *)profile), 2);

    assert_hr(IDispatch_GetTypeInfoCount(dispatch, &count), S_OK);
    assert_int_equal(count, 0);
    for (i = 0; i < ARRAY_SIZE(ids); i++)
    {
        name = (LPOLESTR)ids[i].name;
        assert_hr(IDispatch_GetIDsOfNames(dispatch, &IID_NULL, &name, 1, 0, &id), S_OK);
        assert_int_equal(id, ids[i].id);
    }
    name = (LPOLESTR)L"SetCredentials";
    assert_hr(IDispatch_GetIDsOfNames(dispatch, &IID_NULL, &name, 1, 0, &id), DISP_E_UNKNOWNNAME);

    VariantInit(&result);
    assert_hr(IDispatch_Invoke(dispatch, 13, &IID_NULL, 0, DISPATCH_PROPERTYGET, &none, &result, NULL, NULL), S_OK);
    assert_int_equal(V_VT(&result), VT_BSTR);
    assert_wstr(V_BSTR(&result), L"sip:Alice@Example.COM");
    VariantClear(&result);

    V_VT(&arg) = VT_I4;
    V_I4(&arg) = RTCPU_URIHELPDESK;
    one.rgvarg = &arg;
    one.rgdispidNamedArgs = NULL;
    one.cArgs = 1;
    one.cNamedArgs = 0;
    assert_hr(IDispatch_Invoke(dispatch, 5, &IID_NULL, 0, DISPATCH_PROPERTYGET, &one, &result, NULL, NULL), S_OK);
    assert_wstr(V_BSTR(&result), L"http://itsp.example/help");
    VariantClear(&result);
    assert_hr(IDispatch_Invoke(dispatch, 5, &IID_NULL, 0, DISPATCH_PROPERTYGET, &none, &result, NULL, NULL),
              DISP_E_BADPARAMCOUNT);

    assert_hr(IDispatch_Invoke(dispatch, 8, &IID_NULL, 0, DISPATCH_PROPERTYGET, &none, &result, NULL, NULL), S_OK);
    assert_int_equal(V_VT(&result), VT_BOOL);
    assert_int_equal(V_BOOL(&result), VARIANT_TRUE);
    assert_hr(IDispatch_Invoke(dispatch, 18, &IID_NULL, 0, DISPATCH_PROPERTYGET, &none, &result, NULL, NULL), S_OK);
    assert_int_equal(V_VT(&result), VT_I4);
    assert_int_equal(V_I4(&result), RTCRS_NOT_REGISTERED);
    assert_hr(IDispatch_Invoke(dispatch, 17, &IID_NULL, 0, DISPATCH_PROPERTYGET, &none, &result, NULL, NULL), S_OK);
    assert_int_equal(V_I4(&result), RTCSI_PC_TO_PC | RTCSI_IM);
    assert_hr(IDispatch_Invoke(dispatch, 1, &IID_NULL, 0, DISPATCH_PROPERTYPUT, &none, &result, NULL, NULL),
              DISP_E_MEMBERNOTFOUND);
    assert_hr(IDispatch_Invoke(dispatch, 1, &IID_IUnknown, 0, DISPATCH_PROPERTYGET, &none, &result, NULL, NULL),
              DISP_E_UNKNOWNINTERFACE);
    IDispatch_Release(dispatch);
    IRTCProfile2_Release(profile);

    /* Absent values: the getter's RTC_E_NOT_EXIST comes through. */
    profile = create_ok(msdn_sample);
    IRTCProfile2_QueryInterface(profile, &IID_IDispatch, (void **)&dispatch);
    VariantInit(&result);
    assert_hr(IDispatch_Invoke(dispatch, 19, &IID_NULL, 0, DISPATCH_PROPERTYGET, &none, &result, NULL, NULL),
              RTC_E_NOT_EXIST);
    assert_int_equal(V_VT(&result), VT_EMPTY);
    IDispatch_Release(dispatch);
    assert_int_equal(IRTCProfile2_Release(profile), 0);
}

/* ---- apartment rule, argument checks, reference counts ----------------------------------------- */

struct thread_call
{
    IRTCProfile2 *profile;
    HRESULT key_hr, state_hr, realm_hr;
};

static void *other_thread(void *data)
{
    struct thread_call *call = data;
    RTC_REGISTRATION_STATE reg;
    BSTR key;

    call->key_hr = IRTCProfile2_get_Key(call->profile, &key);
    call->state_hr = IRTCProfile2_get_State(call->profile, &reg);
    call->realm_hr = IRTCProfile2_put_Realm(call->profile, NULL);
    return NULL;
}

static void test_wrong_thread(void **state)
{
    struct thread_call call = { 0 };

    call.profile = create_ok(msdn_sample);
    g_thread_join(g_thread_new("other", other_thread, &call));
    assert_hr(call.key_hr, RPC_E_WRONG_THREAD);
    assert_hr(call.state_hr, RPC_E_WRONG_THREAD);
    assert_hr(call.realm_hr, RPC_E_WRONG_THREAD);
    IRTCProfile2_Release(call.profile);
}

static void test_refcounts(void **state)
{
    IRTCProfile2 *profile;
    IRTCProfile *profile1;
    IDispatch *dispatch;

    assert_hr(rtc_profile_create_from_xml(msdn_sample, NULL), E_POINTER);
    profile = create_ok(msdn_sample);
    assert_int_equal(IRTCProfile2_AddRef(profile), 2);
    assert_hr(IRTCProfile2_QueryInterface(profile, &IID_IRTCProfile, (void **)&profile1), S_OK);
    assert_int_equal(refcount_of((IUnknown *)profile), 3);
    assert_hr(IRTCProfile_QueryInterface(profile1, &IID_IDispatch, (void **)&dispatch), S_OK);
    assert_int_equal(IDispatch_AddRef(dispatch), 5);        /* one count for every interface */
    assert_int_equal(IDispatch_Release(dispatch), 4);
    assert_int_equal(IDispatch_Release(dispatch), 3);
    assert_int_equal(IRTCProfile_Release(profile1), 2);
    assert_int_equal(IRTCProfile2_Release(profile), 1);
    assert_int_equal(IRTCProfile2_Release(profile), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] =
    {
        cmocka_unit_test(test_msdn_sample),
        cmocka_unit_test(test_full_profile),
        cmocka_unit_test(test_child_elements_and_data),
        cmocka_unit_test(test_phone_to_phone_tls),
        cmocka_unit_test(test_case_insensitive),
        cmocka_unit_test(test_defects),
        cmocka_unit_test(test_accepted_variants),
        cmocka_unit_test(test_allowed_auth_values),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_garbage_and_mutations),
        cmocka_unit_test(test_huge),
        cmocka_unit_test(test_set_credentials),
        cmocka_unit_test(test_state),
        cmocka_unit_test(test_realm),
        cmocka_unit_test(test_put_allowed_auth),
        cmocka_unit_test(test_foreign_profile),
        cmocka_unit_test(test_normalize_uri),
        cmocka_unit_test(test_dispatch),
        cmocka_unit_test(test_wrong_thread),
        cmocka_unit_test(test_refcounts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
