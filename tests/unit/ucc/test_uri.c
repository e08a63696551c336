/*
 * UccUriManager and IUccUri (ucc/uri.c): what ParseUri accepts and refuses,
 * the components, parameters and header fields, the four comparison options of
 * IsEqual (docs/ucc.md) and ConvertUri.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <wchar.h>
#include <cmocka.h>

#include "ucc_private.h"

#define assert_hr(expr, expected) do { \
        HRESULT hr_ = (expr); \
        if (hr_ != (HRESULT)(expected)) { \
            print_error("%s: got 0x%08x, expected 0x%08x\n", #expr, (unsigned int)hr_, (unsigned int)(expected)); \
            fail(); \
        } \
    } while (0)

static IUccUriManager *manager;

static int setup(void **state)
{
    CoInitializeEx(NULL, COINIT_APARTMENTTHREADED);
    return CoCreateInstance(&CLSID_UccUriManager, NULL, CLSCTX_INPROC_SERVER, &IID_IUccUriManager,
                            (void **)&manager) == S_OK ? 0 : -1;
}

static int teardown(void **state)
{
    IUccUriManager_Release(manager);
    CoUninitialize();
    return 0;
}

static HRESULT parse(const char *text, IUccUri **uri)
{
    BSTR b = ucc_bstr(text);
    HRESULT hr = IUccUriManager_ParseUri(manager, b, uri);

    SysFreeString(b);
    return hr;
}

static void assert_bstr(BSTR value, const char *expected)
{
    char *utf8 = ucc_utf8(value);

    if (strcmp(utf8, expected))
    {
        print_error("got \"%s\", expected \"%s\"\n", utf8, expected);
        g_free(utf8);
        SysFreeString(value);
        fail();
    }
    g_free(utf8);
    SysFreeString(value);
}

static void test_components(void **state)
{
    IUccReadOnlyPropertyCollection *params, *headers;
    UCC_TRANSPORT_MODE transport;
    UCC_URI_SCHEME scheme;
    IUccProperty *property;
    IUccUri *uri;
    LONG port, count;
    BSTR value, name;

    assert_hr(parse("<sip:Alice%20A@Example.COM:5070;transport=tcp;lr?Subject=Hi%20there&X-A=1>", &uri), S_OK);
    assert_hr(IUccUri_get_Scheme(uri, &scheme), S_OK);
    assert_int_equal(scheme, UCCUS_SIP);
    IUccUri_get_User(uri, &value);
    assert_bstr(value, "Alice A");
    IUccUri_get_Host(uri, &value);
    assert_bstr(value, "example.com");
    assert_hr(IUccUri_get_Port(uri, &port), S_OK);
    assert_int_equal(port, 5070);
    assert_hr(IUccUri_get_Transport(uri, &transport), S_OK);
    assert_int_equal(transport, UCCTM_TCP);
    IUccUri_get_UserAtHost(uri, &value);
    assert_bstr(value, "Alice A@example.com");
    IUccUri_get_AddressOfRecord(uri, &value);
    assert_bstr(value, "sip:Alice A@example.com");
    IUccUri_get_Value(uri, &value);
    assert_bstr(value, "sip:Alice%20A@Example.COM:5070;transport=tcp;lr?Subject=Hi%20there&X-A=1");

    assert_hr(IUccUri_get_Parameters(uri, &params), S_OK);
    assert_hr(IUccReadOnlyPropertyCollection_get_Count(params, &count), S_OK);
    assert_int_equal(count, 2);
    name = SysAllocString(L"lr");
    assert_hr(IUccReadOnlyPropertyCollection_get_NamedProperty(params, name, &property), S_OK);
    SysFreeString(name);
    IUccProperty_get_StringValue(property, &value);
    assert_bstr(value, "");
    IUccProperty_Release(property);
    IUccReadOnlyPropertyCollection_Release(params);

    assert_hr(IUccUri_get_HeaderFields(uri, &headers), S_OK);
    assert_hr(IUccReadOnlyPropertyCollection_get_Count(headers, &count), S_OK);
    assert_int_equal(count, 2);
    IUccReadOnlyPropertyCollection_Release(headers);
    name = SysAllocString(L"subject");
    assert_hr(IUccUri_FindHeaderFields(uri, name, &headers), S_OK);
    SysFreeString(name);
    assert_hr(IUccReadOnlyPropertyCollection_get_Count(headers, &count), S_OK);
    assert_int_equal(count, 1);
    name = SysAllocString(L"Subject");
    assert_hr(IUccReadOnlyPropertyCollection_get_NamedProperty(headers, name, &property), S_OK);
    SysFreeString(name);
    IUccProperty_get_StringValue(property, &value);
    assert_bstr(value, "Hi there");
    IUccProperty_Release(property);
    IUccReadOnlyPropertyCollection_Release(headers);
    assert_int_equal(IUccUri_Release(uri), 0);

    /* sips: is TLS; no port is 0; IPv6 hosts keep their brackets. */
    assert_hr(parse("sips:bob@[2001:db8::1]", &uri), S_OK);
    IUccUri_get_Transport(uri, &transport);
    assert_int_equal(transport, UCCTM_TLS);
    IUccUri_get_Port(uri, &port);
    assert_int_equal(port, 0);
    IUccUri_get_Host(uri, &value);
    assert_bstr(value, "[2001:db8::1]");
    IUccUri_Release(uri);

    /* tel: the number is the user, there is no host. */
    assert_hr(parse("tel:+1-425-555-0100;phone-context=example.com", &uri), S_OK);
    IUccUri_get_Scheme(uri, &scheme);
    assert_int_equal(scheme, UCCUS_TEL);
    IUccUri_get_User(uri, &value);
    assert_bstr(value, "+1-425-555-0100");
    IUccUri_get_UserAtHost(uri, &value);
    assert_bstr(value, "+1-425-555-0100");
    IUccUri_Release(uri);
}

static void test_invalid(void **state)
{
    static const char *const bad[] =
    {
        "", "alice@example.com", "http://example.com", "sip:", "sip:alice@", "sip:@example.com",
        "sip:alice@exa mple.com", "sip:alice@example.com:0", "sip:alice@example.com:70000",
        "sip:alice@example.com:50a", "sip:al<ice@example.com", "sip:alice@example.com;;lr",
        "sip:alice@example.com?Subject", "sip:alice%zz@example.com", "tel:", "tel:+", "tel:12x4",
        "sip:alice@[::1", "sip:alice@-bad.example.com",
    };
    IUccUri *uri;
    unsigned int i;

    for (i = 0; i < G_N_ELEMENTS(bad); i++)
    {
        uri = (IUccUri *)0xdeadbeef;
        if (parse(bad[i], &uri) != UCC_E_INVALID_SIP_URL || uri)
        {
            print_error("\"%s\" was accepted\n", bad[i]);
            fail();
        }
    }
    assert_hr(IUccUriManager_ParseUri(manager, NULL, &uri), E_INVALIDARG);
    assert_hr(IUccUriManager_ParseUri(manager, NULL, NULL), E_POINTER);
}

static BOOL equal(const char *a, const char *b, UCC_URI_COMPARISON_OPTION option)
{
    IUccUri *ua, *ub;
    VARIANT_BOOL result = VARIANT_FALSE;

    assert_hr(parse(a, &ua), S_OK);
    assert_hr(parse(b, &ub), S_OK);
    assert_hr(IUccUri_IsEqual(ua, ub, option, &result), S_OK);
    IUccUri_Release(ua);
    IUccUri_Release(ub);
    return result == VARIANT_TRUE;
}

static void test_comparison(void **state)
{
    /* DEFAULT: RFC 3261 19.1.4. */
    assert_true(equal("sip:alice@EXAMPLE.com", "sip:alice@example.com", UCCUCO_DEFAULT));
    assert_false(equal("sip:Alice@example.com", "sip:alice@example.com", UCCUCO_DEFAULT));
    assert_false(equal("sip:alice@example.com", "sip:alice@example.com:5060", UCCUCO_DEFAULT));
    assert_false(equal("sip:alice@example.com", "sips:alice@example.com", UCCUCO_DEFAULT));
    assert_true(equal("sip:alice@example.com;foo=1", "sip:alice@example.com", UCCUCO_DEFAULT));
    assert_false(equal("sip:alice@example.com;foo=1", "sip:alice@example.com;foo=2", UCCUCO_DEFAULT));
    assert_false(equal("sip:alice@example.com;transport=tcp", "sip:alice@example.com", UCCUCO_DEFAULT));
    assert_true(equal("sip:alice@example.com;transport=TCP", "sip:alice@example.com;transport=tcp", UCCUCO_DEFAULT));
    assert_false(equal("sip:alice@example.com?Subject=a", "sip:alice@example.com", UCCUCO_DEFAULT));
    assert_true(equal("tel:+1-425-555-0100", "tel:+14255550100", UCCUCO_DEFAULT));

    /* EXACT_MATCH: every component, every parameter and header, both ways. */
    assert_true(equal("sip:alice@example.com;a=1;b=2", "sip:alice@EXAMPLE.com;b=2;a=1", UCCUCO_EXACT_MATCH));
    assert_false(equal("sip:alice@example.com;foo=1", "sip:alice@example.com", UCCUCO_EXACT_MATCH));

    /* USER_HOST: user@host only, without case. */
    assert_true(equal("sip:Alice@example.com:5070;transport=tcp", "sips:alice@EXAMPLE.com", UCCUCO_USER_HOST));
    assert_false(equal("sip:alice@example.com", "sip:bob@example.com", UCCUCO_USER_HOST));
    assert_false(equal("sip:alice@example.com", "tel:+1", UCCUCO_USER_HOST));

    /* CONTAINED: what this URI has, the other has too. */
    assert_true(equal("sip:alice@example.com;transport=tcp", "sip:alice@example.com:5070;transport=tcp;x=1",
                      UCCUCO_CONTAINED));
    assert_false(equal("sip:alice@example.com;transport=tcp;x=1", "sip:alice@example.com;transport=tcp",
                       UCCUCO_CONTAINED));

    {
        IUccUri *uri;
        VARIANT_BOOL result;
        assert_hr(parse("sip:a@b", &uri), S_OK);
        assert_hr(IUccUri_IsEqual(uri, uri, 7, &result), E_INVALIDARG);
        assert_hr(IUccUri_IsEqual(uri, NULL, UCCUCO_DEFAULT, &result), E_POINTER);
        IUccUri_Release(uri);
    }
}

static void convert(const char *text, const char *domain, HRESULT expected_hr, const char *expected)
{
    BSTR t = ucc_bstr(text), d = domain ? ucc_bstr(domain) : NULL, value;
    IUccUri *uri = NULL;

    assert_hr(IUccUriManager_ConvertUri(manager, t, d, &uri), expected_hr);
    if (expected)
    {
        IUccUri_get_Value(uri, &value);
        assert_bstr(value, expected);
        IUccUri_Release(uri);
    }
    else
        assert_null(uri);
    SysFreeString(t);
    SysFreeString(d);
}

static void test_convert(void **state)
{
    convert("sip:alice@example.com", NULL, S_OK, "sip:alice@example.com");
    convert("alice@example.com", NULL, S_OK, "sip:alice@example.com");
    convert("alice", "contoso.com", S_OK, "sip:alice@contoso.com");
    convert("+1 (425) 555-0100", "contoso.com", S_OK, "sip:+14255550100@contoso.com;user=phone");
    convert("tel:+1-425-555-0100", "contoso.com", S_OK, "sip:+14255550100@contoso.com;user=phone");
    convert("alice", NULL, E_INVALIDARG, NULL);
    convert("sip:alice@", NULL, UCC_E_INVALID_SIP_URL, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] =
    {
        cmocka_unit_test(test_components),
        cmocka_unit_test(test_invalid),
        cmocka_unit_test(test_comparison),
        cmocka_unit_test(test_convert),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
