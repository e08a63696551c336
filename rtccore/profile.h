/*
 * Profile objects (IRTCProfile2, IRTCProfile) built from the provisioning XML of
 * IRTCClientProvisioning::CreateProfile, and the C view of a profile that the client and the engine glue
 * read without going through COM. docs/profiles.md has the XML -> HRESULT table
 * and every decision the Microsoft documentation leaves open.
 */
#ifndef RTCSHIM_RTCCORE_PROFILE_H
#define RTCSHIM_RTCCORE_PROFILE_H

#include "rtccore_private.h"

/* Longest provisioning document accepted, in characters (real ones are < 2 KiB). */
#define RTC_PROFILE_MAX_XML_CHARS (1u << 20)

/* One <sipsrv> element. */
struct rtc_profile_server
{
    char *addr;             /* as written in addr=, e.g. "sip.example.com:5061" */
    char *host;             /* host name or IP address; IPv6 without brackets */
    unsigned short port;    /* the explicit port, else 5060 (UDP, TCP) or 5061 (TLS) */
    BOOL port_explicit;     /* FALSE: no port in addr=, so RFC 3263 SRV lookup may apply */
    LONG transport;         /* RTCTR_UDP, RTCTR_TCP or RTCTR_TLS */
    LONG auth;              /* RTCAU_* from auth=, 0 when the attribute is absent */
    BOOL registrar;         /* role="registrar"; FALSE for role="proxy" */
    LONG sessions;          /* RTCSI_* bits of its <session> children */
};

/*
 * Everything a profile holds, as UTF-8. Optional values that the profile does not
 * give are NULL. Strings belong to the profile: they stay valid until the profile
 * is released or changed (SetCredentials, put_Realm); copy what you keep.
 */
struct rtc_profile_data
{
    /* <provision> */
    char *key;
    char *name;
    char *expires;                  /* expires= as written, unchecked; NULL when absent */

    /* <user> (SetCredentials and put_Realm change uri, account, password, realm) */
    char *user_uri;                 /* always starts with "sip:" or "sips:" */
    char *user_name;                /* display name */
    char *user_account;             /* authentication user name */
    char *user_password;
    char *realm;
    LONG allowed_auth;              /* effective RTCAU_* set, see docs/profiles.md */
    BOOL allowed_auth_given;        /* <user allowedauth=> was present (or put_AllowedAuth called) */

    /* <sipsrv> elements in document order; registrar/proxy point into servers[] */
    struct rtc_profile_server *servers;
    unsigned int server_count;
    const struct rtc_profile_server *registrar;  /* the one role="registrar", or NULL */
    const struct rtc_profile_server *proxy;      /* the first role="proxy", or NULL */
    LONG session_capabilities;      /* RTCSI_* bits of every <session> of every server */

    /* <client> (attributes or child elements) */
    BOOL has_client;
    char *client_name;
    BOOL client_banner_given;
    BOOL client_banner;
    BOOL client_updates_given;
    BOOL client_updates;
    char *client_minver;
    char *client_curver;
    char *client_updateuri;
    char *client_data;              /* the <data> blob as text (XML markup if it has elements) */

    /* <provider> (attributes or child elements) */
    BOOL has_provider;
    char *provider_name;
    char *provider_uri[RTCPU_URIDISPLAYDURINGIDLE + 1];   /* indexed by RTC_PROVIDER_URI */
    char *provider_data;

    RTC_REGISTRATION_STATE state;   /* RTCRS_NOT_REGISTERED until rtc_profile_set_state() */
};

/*
 * Parses a provisioning document and creates a profile object (refcount 1).
 * Returns S_OK, RTC_E_MALFORMED_XML, one of the RTC_E_PROFILE_* codes,
 * RTC_E_INVALID_SIP_URL, RTC_E_INVALID_PROXY_ADDRESS, RTC_E_UDP_NOT_SUPPORTED,
 * RTC_E_BASIC_AUTH_SET_TLS, RTC_E_INVALID_PROFILE, E_POINTER or E_OUTOFMEMORY
 * (docs/profiles.md). On failure *profile is NULL.
 */
HRESULT rtc_profile_create_from_xml(const WCHAR *xml, IRTCProfile2 **profile);

/* The profile's data, or NULL when profile is NULL or not one of ours. No reference
 * is taken; no thread check (the caller is the library on the client's thread). */
const struct rtc_profile_data *rtc_profile_get_data(IRTCProfile *profile);

/* Records registration progress (get_State reports it); ignores foreign objects. */
void rtc_profile_set_state(IRTCProfile *profile, RTC_REGISTRATION_STATE state);

/*
 * Validates a SIP URI the way the profile does and returns it normalized (g_free):
 * "sip:" is prepended when the text has no scheme, the scheme is lower-cased.
 * Returns RTC_E_INVALID_SIP_URL for anything else (tel:, bad host, bad port ...).
 */
HRESULT rtc_profile_normalize_sip_uri(const char *text, char **normalized);

#endif
