/*
 * The Profile object: IRTCProfile2 (and IRTCProfile), plus an IDispatch over its
 * getters so a profile held in an IRTCCollection is a real VT_DISPATCH item.
 *
 * A profile is made from the provisioning XML of CreateProfile, read by
 * provisioning.c. docs/profiles.md lists every mapping and decision.
 */
#include <string.h>
#include <wchar.h>
#include "provisioning.h"

struct profile
{
    IRTCProfile2 IRTCProfile2_iface;
    IDispatch IDispatch_iface;
    LONG refcount;
    GThread *owner;             /* the creating thread: its apartment */
    BSTR xml;                   /* the document exactly as given */
    struct rtc_profile_data data;
};

static const IRTCProfile2Vtbl profile_vtbl;
static const IDispatchVtbl profile_dispatch_vtbl;

static struct profile *impl_from_IRTCProfile2(IRTCProfile2 *iface)
{
    return CONTAINING_RECORD(iface, struct profile, IRTCProfile2_iface);
}

static struct profile *impl_from_IDispatch(IDispatch *iface)
{
    return CONTAINING_RECORD(iface, struct profile, IDispatch_iface);
}

/* Our object behind an IRTCProfile pointer, or NULL for someone else's. */
static struct profile *unsafe_impl_from_IRTCProfile(IRTCProfile *iface)
{
    if (!iface || iface->lpVtbl != (const IRTCProfileVtbl *)&profile_vtbl)
        return NULL;
    return impl_from_IRTCProfile2((IRTCProfile2 *)iface);
}

/* ---- IRTCProfile2 --------------------------------------------------------------------- */

static HRESULT profile_check_thread(const struct profile *profile)
{
    return profile->owner == g_thread_self() ? S_OK : RPC_E_WRONG_THREAD;
}

/* REGISTERING, REGISTERED and UNREGISTERING freeze the credentials (SetCredentials
 * ms775731, put_AllowedAuth ms775704). */
static BOOL registration_in_use(RTC_REGISTRATION_STATE state)
{
    return state == RTCRS_REGISTERING || state == RTCRS_REGISTERED || state == RTCRS_UNREGISTERING;
}

/* An optional value absent from the profile is RTC_E_NOT_EXIST with a NULL (empty)
 * BSTR (IRTCProfile::ProviderName and siblings, e.g. aa921680). */
static HRESULT return_string(const struct profile *profile, const char *value, BSTR *out)
{
    HRESULT hr;

    if (!out)
        return E_POINTER;
    *out = NULL;
    if (FAILED(hr = profile_check_thread(profile)))
        return hr;
    if (!value)
        return RTC_E_NOT_EXIST;
    if (!(*out = com_bstr_from_utf8(value)))
        return E_OUTOFMEMORY;
    return S_OK;
}

static HRESULT WINAPI profile_QueryInterface(IRTCProfile2 *iface, REFIID riid, void **ppv)
{
    struct profile *profile = impl_from_IRTCProfile2(iface);

    if (!ppv)
        return E_POINTER;
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IRTCProfile)
        || IsEqualIID(riid, &IID_IRTCProfile2))
        *ppv = &profile->IRTCProfile2_iface;
    else if (IsEqualIID(riid, &IID_IDispatch))
        *ppv = &profile->IDispatch_iface;
    else
    {
        *ppv = NULL;
        return E_NOINTERFACE;
    }
    IUnknown_AddRef((IUnknown *)*ppv);
    return S_OK;
}

static ULONG WINAPI profile_AddRef(IRTCProfile2 *iface)
{
    return InterlockedIncrement(&impl_from_IRTCProfile2(iface)->refcount);
}

static ULONG WINAPI profile_Release(IRTCProfile2 *iface)
{
    struct profile *profile = impl_from_IRTCProfile2(iface);
    ULONG ref = InterlockedDecrement(&profile->refcount);

    if (!ref)
    {
        rtc_profile_data_clear(&profile->data);
        SysFreeString(profile->xml);
        free(profile);
        com_module_unlock();
    }
    return ref;
}

static HRESULT WINAPI profile_get_Key(IRTCProfile2 *iface, BSTR *key)
{
    struct profile *profile = impl_from_IRTCProfile2(iface);
    return return_string(profile, profile->data.key, key);
}

static HRESULT WINAPI profile_get_Name(IRTCProfile2 *iface, BSTR *name)
{
    struct profile *profile = impl_from_IRTCProfile2(iface);
    return return_string(profile, profile->data.name, name);
}

static HRESULT WINAPI profile_get_XML(IRTCProfile2 *iface, BSTR *xml)
{
    struct profile *profile = impl_from_IRTCProfile2(iface);
    HRESULT hr;

    if (!xml)
        return E_POINTER;
    *xml = NULL;
    if (FAILED(hr = profile_check_thread(profile)))
        return hr;
    if (!(*xml = SysAllocStringLen(profile->xml, SysStringLen(profile->xml))))
        return E_OUTOFMEMORY;
    return S_OK;
}

static HRESULT WINAPI profile_get_ProviderName(IRTCProfile2 *iface, BSTR *name)
{
    struct profile *profile = impl_from_IRTCProfile2(iface);
    return return_string(profile, profile->data.provider_name, name);
}

static HRESULT WINAPI profile_get_ProviderURI(IRTCProfile2 *iface, RTC_PROVIDER_URI which, BSTR *uri)
{
    struct profile *profile = impl_from_IRTCProfile2(iface);

    if (!uri)
        return E_POINTER;
    if ((unsigned int)which >= ARRAY_SIZE(profile->data.provider_uri))
    {
        *uri = NULL;
        return E_INVALIDARG;
    }
    return return_string(profile, profile->data.provider_uri[which], uri);
}

static HRESULT WINAPI profile_get_ProviderData(IRTCProfile2 *iface, BSTR *data)
{
    struct profile *profile = impl_from_IRTCProfile2(iface);
    return return_string(profile, profile->data.provider_data, data);
}

static HRESULT WINAPI profile_get_ClientName(IRTCProfile2 *iface, BSTR *name)
{
    struct profile *profile = impl_from_IRTCProfile2(iface);
    return return_string(profile, profile->data.client_name, name);
}

static HRESULT WINAPI profile_get_ClientBanner(IRTCProfile2 *iface, VARIANT_BOOL *banner)
{
    struct profile *profile = impl_from_IRTCProfile2(iface);
    HRESULT hr;

    if (!banner)
        return E_POINTER;
    *banner = VARIANT_FALSE;
    if (FAILED(hr = profile_check_thread(profile)))
        return hr;
    if (!profile->data.client_banner_given)
        return RTC_E_NOT_EXIST;
    *banner = profile->data.client_banner ? VARIANT_TRUE : VARIANT_FALSE;
    return S_OK;
}

static HRESULT WINAPI profile_get_ClientMinVer(IRTCProfile2 *iface, BSTR *version)
{
    struct profile *profile = impl_from_IRTCProfile2(iface);
    return return_string(profile, profile->data.client_minver, version);
}

static HRESULT WINAPI profile_get_ClientCurVer(IRTCProfile2 *iface, BSTR *version)
{
    struct profile *profile = impl_from_IRTCProfile2(iface);
    return return_string(profile, profile->data.client_curver, version);
}

static HRESULT WINAPI profile_get_ClientUpdateURI(IRTCProfile2 *iface, BSTR *uri)
{
    struct profile *profile = impl_from_IRTCProfile2(iface);
    return return_string(profile, profile->data.client_updateuri, uri);
}

static HRESULT WINAPI profile_get_ClientData(IRTCProfile2 *iface, BSTR *data)
{
    struct profile *profile = impl_from_IRTCProfile2(iface);
    return return_string(profile, profile->data.client_data, data);
}

static HRESULT WINAPI profile_get_UserURI(IRTCProfile2 *iface, BSTR *uri)
{
    struct profile *profile = impl_from_IRTCProfile2(iface);
    return return_string(profile, profile->data.user_uri, uri);
}

static HRESULT WINAPI profile_get_UserName(IRTCProfile2 *iface, BSTR *name)
{
    struct profile *profile = impl_from_IRTCProfile2(iface);
    return return_string(profile, profile->data.user_name, name);
}

static HRESULT WINAPI profile_get_UserAccount(IRTCProfile2 *iface, BSTR *account)
{
    struct profile *profile = impl_from_IRTCProfile2(iface);
    return return_string(profile, profile->data.user_account, account);
}

/*
 * Replaces the user URI (required, validated and normalized like <user uri>), the
 * account and the password (NULL or "" account: none; NULL password: none). Nothing
 * changes unless everything is valid. The XML property keeps the original text.
 */
static HRESULT WINAPI profile_SetCredentials(IRTCProfile2 *iface, BSTR uri, BSTR account, BSTR password)
{
    struct profile *profile = impl_from_IRTCProfile2(iface);
    char *uri_utf8 = NULL, *normalized = NULL, *account_utf8 = NULL, *password_utf8 = NULL;
    HRESULT hr;

    if (FAILED(hr = profile_check_thread(profile)))
        return hr;
    if (registration_in_use(profile->data.state))
        return RTC_E_INVALID_REGISTRATION_STATE;
    if (!uri || !*uri)
        return E_INVALIDARG;
    if (!(uri_utf8 = rtc_profile_utf8_from_argument(uri))
        || (account && !(account_utf8 = rtc_profile_utf8_from_argument(account)))
        || (password && !(password_utf8 = rtc_profile_utf8_from_argument(password))))
    {
        hr = E_INVALIDARG;      /* not valid Unicode */
        goto done;
    }
    if (FAILED(hr = rtc_profile_normalize_sip_uri(uri_utf8, &normalized)))
        goto done;
    rtc_profile_replace_string(&profile->data.user_uri, normalized);
    rtc_profile_replace_string(&profile->data.user_account, rtc_profile_dup_stripped(account_utf8));
    rtc_profile_free_secret(profile->data.user_password);
    profile->data.user_password = password_utf8;
    password_utf8 = NULL;
done:
    g_free(uri_utf8);
    g_free(account_utf8);
    rtc_profile_free_secret(password_utf8);
    return hr;
}

static HRESULT WINAPI profile_get_SessionCapabilities(IRTCProfile2 *iface, LONG *sessions)
{
    struct profile *profile = impl_from_IRTCProfile2(iface);
    HRESULT hr;

    if (!sessions)
        return E_POINTER;
    if (FAILED(hr = profile_check_thread(profile)))
        return hr;
    *sessions = profile->data.session_capabilities;
    return S_OK;
}

static HRESULT WINAPI profile_get_State(IRTCProfile2 *iface, RTC_REGISTRATION_STATE *state)
{
    struct profile *profile = impl_from_IRTCProfile2(iface);
    HRESULT hr;

    if (!state)
        return E_POINTER;
    if (FAILED(hr = profile_check_thread(profile)))
        return hr;
    *state = profile->data.state;
    return S_OK;
}

static HRESULT WINAPI profile_get_Realm(IRTCProfile2 *iface, BSTR *realm)
{
    struct profile *profile = impl_from_IRTCProfile2(iface);
    return return_string(profile, profile->data.realm, realm);
}

/* NULL or blank clears the realm: the first 401/407 challenge then sets it (User Settings, ms776013). */
static HRESULT WINAPI profile_put_Realm(IRTCProfile2 *iface, BSTR realm)
{
    struct profile *profile = impl_from_IRTCProfile2(iface);
    char *utf8 = NULL;
    HRESULT hr;

    if (FAILED(hr = profile_check_thread(profile)))
        return hr;
    if (registration_in_use(profile->data.state))
        return RTC_E_INVALID_REGISTRATION_STATE;
    if (realm && !(utf8 = rtc_profile_utf8_from_argument(realm)))
        return E_INVALIDARG;
    rtc_profile_replace_string(&profile->data.realm, rtc_profile_dup_stripped(utf8));
    g_free(utf8);
    return S_OK;
}

static HRESULT WINAPI profile_get_AllowedAuth(IRTCProfile2 *iface, LONG *auth)
{
    struct profile *profile = impl_from_IRTCProfile2(iface);
    HRESULT hr;

    if (!auth)
        return E_POINTER;
    if (FAILED(hr = profile_check_thread(profile)))
        return hr;
    *auth = profile->data.allowed_auth;
    return S_OK;
}

static HRESULT WINAPI profile_put_AllowedAuth(IRTCProfile2 *iface, LONG auth)
{
    struct profile *profile = impl_from_IRTCProfile2(iface);
    HRESULT hr;

    if (FAILED(hr = profile_check_thread(profile)))
        return hr;
    if (auth & ~RTCAU_VALID_MASK)
        return E_INVALIDARG;
    if ((auth & RTCAU_USE_LOGON_CRED) && !(auth & ~RTCAU_USE_LOGON_CRED))
        return E_INVALIDARG;
    if (registration_in_use(profile->data.state))
        return RTC_E_INVALID_REGISTRATION_STATE;
    if (FAILED(hr = rtc_profile_check_auth(&profile->data, auth)))
        return hr;
    profile->data.allowed_auth = auth;
    profile->data.allowed_auth_given = TRUE;
    return S_OK;
}

static const IRTCProfile2Vtbl profile_vtbl =
{
    profile_QueryInterface,
    profile_AddRef,
    profile_Release,
    profile_get_Key,
    profile_get_Name,
    profile_get_XML,
    profile_get_ProviderName,
    profile_get_ProviderURI,
    profile_get_ProviderData,
    profile_get_ClientName,
    profile_get_ClientBanner,
    profile_get_ClientMinVer,
    profile_get_ClientCurVer,
    profile_get_ClientUpdateURI,
    profile_get_ClientData,
    profile_get_UserURI,
    profile_get_UserName,
    profile_get_UserAccount,
    profile_SetCredentials,
    profile_get_SessionCapabilities,
    profile_get_State,
    profile_get_Realm,
    profile_put_Realm,
    profile_get_AllowedAuth,
    profile_put_AllowedAuth,
};

/* ---- IDispatch: the getters, read-only; DISPID = IRTCProfile2 vtable slot - 2 ----------- */

static HRESULT dispatch_bstr(IDispatch *iface, DISPPARAMS *params, VARIANT *result,
                             HRESULT (WINAPI *getter)(IRTCProfile2 *, BSTR *))
{
    HRESULT hr;

    if (params->cArgs)
        return DISP_E_BADPARAMCOUNT;
    if (SUCCEEDED(hr = getter(&impl_from_IDispatch(iface)->IRTCProfile2_iface, &V_BSTR(result))))
        V_VT(result) = VT_BSTR;
    return hr;
}

static HRESULT dispatch_long(IDispatch *iface, DISPPARAMS *params, VARIANT *result,
                             HRESULT (WINAPI *getter)(IRTCProfile2 *, LONG *))
{
    HRESULT hr;

    if (params->cArgs)
        return DISP_E_BADPARAMCOUNT;
    if (SUCCEEDED(hr = getter(&impl_from_IDispatch(iface)->IRTCProfile2_iface, &V_I4(result))))
        V_VT(result) = VT_I4;
    return hr;
}

#define DISPATCH_BSTR(method) \
    static HRESULT dispatch_##method(IDispatch *iface, DISPPARAMS *params, VARIANT *result) \
    { return dispatch_bstr(iface, params, result, profile_get_##method); }
#define DISPATCH_LONG(method) \
    static HRESULT dispatch_##method(IDispatch *iface, DISPPARAMS *params, VARIANT *result) \
    { return dispatch_long(iface, params, result, profile_get_##method); }

DISPATCH_BSTR(Key)
DISPATCH_BSTR(Name)
DISPATCH_BSTR(XML)
DISPATCH_BSTR(ProviderName)
DISPATCH_BSTR(ProviderData)
DISPATCH_BSTR(ClientName)
DISPATCH_BSTR(ClientMinVer)
DISPATCH_BSTR(ClientCurVer)
DISPATCH_BSTR(ClientUpdateURI)
DISPATCH_BSTR(ClientData)
DISPATCH_BSTR(UserURI)
DISPATCH_BSTR(UserName)
DISPATCH_BSTR(UserAccount)
DISPATCH_BSTR(Realm)
DISPATCH_LONG(SessionCapabilities)
DISPATCH_LONG(AllowedAuth)

static HRESULT dispatch_State(IDispatch *iface, DISPPARAMS *params, VARIANT *result)
{
    RTC_REGISTRATION_STATE state;
    HRESULT hr;

    if (params->cArgs)
        return DISP_E_BADPARAMCOUNT;
    if (SUCCEEDED(hr = profile_get_State(&impl_from_IDispatch(iface)->IRTCProfile2_iface, &state)))
    {
        V_VT(result) = VT_I4;
        V_I4(result) = state;
    }
    return hr;
}

static HRESULT dispatch_ProviderURI(IDispatch *iface, DISPPARAMS *params, VARIANT *result)
{
    VARIANT which;
    HRESULT hr;

    if (params->cArgs != 1)
        return DISP_E_BADPARAMCOUNT;
    VariantInit(&which);
    if (FAILED(VariantChangeType(&which, &params->rgvarg[0], 0, VT_I4)))
        return DISP_E_TYPEMISMATCH;
    if (SUCCEEDED(hr = profile_get_ProviderURI(&impl_from_IDispatch(iface)->IRTCProfile2_iface,
                                               V_I4(&which), &V_BSTR(result))))
        V_VT(result) = VT_BSTR;
    return hr;
}

static HRESULT dispatch_ClientBanner(IDispatch *iface, DISPPARAMS *params, VARIANT *result)
{
    HRESULT hr;

    if (params->cArgs)
        return DISP_E_BADPARAMCOUNT;
    if (SUCCEEDED(hr = profile_get_ClientBanner(&impl_from_IDispatch(iface)->IRTCProfile2_iface, &V_BOOL(result))))
        V_VT(result) = VT_BOOL;
    return hr;
}

static const struct dispatch_member profile_members[] =
{
    { L"Key", 1, DISPATCH_PROPERTYGET, dispatch_Key },
    { L"Name", 2, DISPATCH_PROPERTYGET, dispatch_Name },
    { L"XML", 3, DISPATCH_PROPERTYGET, dispatch_XML },
    { L"ProviderName", 4, DISPATCH_PROPERTYGET, dispatch_ProviderName },
    { L"ProviderURI", 5, DISPATCH_PROPERTYGET, dispatch_ProviderURI },
    { L"ProviderData", 6, DISPATCH_PROPERTYGET, dispatch_ProviderData },
    { L"ClientName", 7, DISPATCH_PROPERTYGET, dispatch_ClientName },
    { L"ClientBanner", 8, DISPATCH_PROPERTYGET, dispatch_ClientBanner },
    { L"ClientMinVer", 9, DISPATCH_PROPERTYGET, dispatch_ClientMinVer },
    { L"ClientCurVer", 10, DISPATCH_PROPERTYGET, dispatch_ClientCurVer },
    { L"ClientUpdateURI", 11, DISPATCH_PROPERTYGET, dispatch_ClientUpdateURI },
    { L"ClientData", 12, DISPATCH_PROPERTYGET, dispatch_ClientData },
    { L"UserURI", 13, DISPATCH_PROPERTYGET, dispatch_UserURI },
    { L"UserName", 14, DISPATCH_PROPERTYGET, dispatch_UserName },
    { L"UserAccount", 15, DISPATCH_PROPERTYGET, dispatch_UserAccount },
    { L"SessionCapabilities", 17, DISPATCH_PROPERTYGET, dispatch_SessionCapabilities },
    { L"State", 18, DISPATCH_PROPERTYGET, dispatch_State },
    { L"Realm", 19, DISPATCH_PROPERTYGET, dispatch_Realm },
    { L"AllowedAuth", 21, DISPATCH_PROPERTYGET, dispatch_AllowedAuth },
};

static const struct dispatch_table profile_dispatch = { profile_members, ARRAY_SIZE(profile_members) };

static HRESULT WINAPI profile_dispatch_QueryInterface(IDispatch *iface, REFIID riid, void **ppv)
{
    return profile_QueryInterface(&impl_from_IDispatch(iface)->IRTCProfile2_iface, riid, ppv);
}

static ULONG WINAPI profile_dispatch_AddRef(IDispatch *iface)
{
    return profile_AddRef(&impl_from_IDispatch(iface)->IRTCProfile2_iface);
}

static ULONG WINAPI profile_dispatch_Release(IDispatch *iface)
{
    return profile_Release(&impl_from_IDispatch(iface)->IRTCProfile2_iface);
}

static HRESULT WINAPI profile_dispatch_GetTypeInfoCount(IDispatch *iface, UINT *count)
{
    com_partial(__func__, COM_NO_TYPE_LIBRARY);
    if (!count)
        return E_INVALIDARG;
    *count = 0;
    return S_OK;
}

static HRESULT WINAPI profile_dispatch_GetTypeInfo(IDispatch *iface, UINT index, LCID lcid, ITypeInfo **info)
{
    com_partial(__func__, COM_NO_TYPE_LIBRARY);
    if (!info)
        return E_INVALIDARG;
    *info = NULL;
    return DISP_E_BADINDEX;
}

static HRESULT WINAPI profile_dispatch_GetIDsOfNames(IDispatch *iface, REFIID riid, LPOLESTR *names,
                                                     UINT count, LCID lcid, DISPID *dispids)
{
    if (!IsEqualIID(riid, &IID_NULL))
        return DISP_E_UNKNOWNINTERFACE;
    return dispatch_get_ids_of_names(&profile_dispatch, names, count, dispids);
}

static HRESULT WINAPI profile_dispatch_Invoke(IDispatch *iface, DISPID dispid, REFIID riid, LCID lcid,
                                              WORD flags, DISPPARAMS *params, VARIANT *result,
                                              EXCEPINFO *excepinfo, UINT *arg_err)
{
    if (!IsEqualIID(riid, &IID_NULL))
        return DISP_E_UNKNOWNINTERFACE;
    return dispatch_invoke(&profile_dispatch, iface, dispid, flags, params, result, arg_err);
}

static const IDispatchVtbl profile_dispatch_vtbl =
{
    profile_dispatch_QueryInterface,
    profile_dispatch_AddRef,
    profile_dispatch_Release,
    profile_dispatch_GetTypeInfoCount,
    profile_dispatch_GetTypeInfo,
    profile_dispatch_GetIDsOfNames,
    profile_dispatch_Invoke,
};

/* ---- internal API ------------------------------------------------------------------------- */

HRESULT rtc_profile_create_from_xml(const WCHAR *xml, IRTCProfile2 **out)
{
    struct profile *profile;
    const WCHAR *text;
    char *utf8;
    size_t len;
    HRESULT hr;

    if (!out)
        return E_POINTER;
    *out = NULL;
    text = xml ? xml : L"";
    if ((len = wcsnlen(text, RTC_PROFILE_MAX_XML_CHARS + 1)) > RTC_PROFILE_MAX_XML_CHARS)
        return RTC_E_INVALID_PROFILE;
    if (!(profile = calloc(1, sizeof(*profile))))
        return E_OUTOFMEMORY;
    profile->IRTCProfile2_iface.lpVtbl = &profile_vtbl;
    profile->IDispatch_iface.lpVtbl = &profile_dispatch_vtbl;
    profile->refcount = 1;
    com_module_lock();      /* DllCanUnloadNow: one more live object */
    profile->owner = g_thread_self();
    profile->data.state = RTCRS_NOT_REGISTERED;
    if (!(profile->xml = SysAllocStringLen(text, len)))
    {
        free(profile);
        com_module_unlock();
        return E_OUTOFMEMORY;
    }

    /* A byte order mark is not markup; code points that are not Unicode make it malformed. */
    if (*text == 0xfeff)
        text++;
    if (!(utf8 = com_utf8_from_wstr(text)))
        hr = RTC_E_MALFORMED_XML;
    else
    {
        hr = rtc_provisioning_parse(utf8, &profile->data);
        g_free(utf8);
    }
    if (FAILED(hr))
    {
        profile_Release(&profile->IRTCProfile2_iface);
        return hr;
    }
    *out = &profile->IRTCProfile2_iface;
    return S_OK;
}

const struct rtc_profile_data *rtc_profile_get_data(IRTCProfile *iface)
{
    struct profile *profile = unsafe_impl_from_IRTCProfile(iface);
    return profile ? &profile->data : NULL;
}

void rtc_profile_set_state(IRTCProfile *iface, RTC_REGISTRATION_STATE state)
{
    struct profile *profile = unsafe_impl_from_IRTCProfile(iface);

    if (profile)
        profile->data.state = state;
}
