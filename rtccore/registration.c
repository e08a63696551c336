/*
 * Enabled profiles and their registrations (IRTCClientProvisioning::
 * EnableProfile / DisableProfile; MSDN: "Create and Enable a Profile"): the profile's credentials
 * go to the engine (digest for every request), and when the application asks
 * for registration the engine registers the user's URI with the profile's
 * registrar. Progress is RTCE_REGISTRATION_STATE_CHANGE.
 */
#include <string.h>
#include "rtccore_private.h"
#include "events.h"
#include "profile.h"
#include "sip/sip_register.h"

struct enabled_profile
{
    struct client *client;              /* not referenced: the client owns the list */
    IRTCProfile *profile;               /* referenced */
    struct sip_registration *registration;
    BOOL disabled;                      /* unregistering after DisableProfile */
};

static RTC_REGISTRATION_STATE rtc_state(enum sip_registration_state state, guint code)
{
    switch (state)
    {
    case SIP_REGISTRATION_REGISTERING: return RTCRS_REGISTERING;
    case SIP_REGISTRATION_REGISTERED: return RTCRS_REGISTERED;
    case SIP_REGISTRATION_UNREGISTERING: return RTCRS_UNREGISTERING;
    case SIP_REGISTRATION_UNREGISTERED: return RTCRS_NOT_REGISTERED;
    /* A registrar that said no is a rejection; no answer at all an error. */
    case SIP_REGISTRATION_FAILED: return code >= 400 && code != 408 && code != 503 ? RTCRS_REJECTED : RTCRS_ERROR;
    }
    return RTCRS_ERROR;
}

static void fire_registration_state(struct enabled_profile *entry, RTC_REGISTRATION_STATE state, guint code,
                                    int delivery_failure, const char *reason)
{
    IDispatch *event;
    BSTR text;

    rtc_profile_set_state(entry->profile, state);
    if (!client_wants_event(entry->client, RTCE_REGISTRATION_STATE_CHANGE))
        return;
    text = code >= 300 && reason ? com_bstr_from_utf8(reason) : NULL;
    if (SUCCEEDED(rtc_registration_state_change_event_create(entry->profile, state,
                                                             rtc_hresult_from_outcome(code, delivery_failure), text,
                                                             &event)))
    {
        client_fire_event(entry->client, RTCE_REGISTRATION_STATE_CHANGE, event);
        IDispatch_Release(event);
    }
    SysFreeString(text);
}

static void free_entry(struct enabled_profile *entry)
{
    if (entry->registration)
    {
        sip_registration_set_user_data(entry->registration, NULL);
        sip_registration_unref(entry->registration);
    }
    IRTCProfile_Release(entry->profile);
    g_free(entry);
}

static void forget_entry(struct enabled_profile *entry)
{
    GList **list = client_enabled_profiles(entry->client);

    *list = g_list_remove(*list, entry);
    free_entry(entry);
}

static void on_registration_state(struct sip_registration *registration, enum sip_registration_state state,
                                  guint code, const char *reason, void *user_data)
{
    struct enabled_profile *entry = sip_registration_get_user_data(registration);
    struct client *client;

    if (!entry)
        return;
    client = entry->client;
    fire_registration_state(entry, rtc_state(state, code), code,
                            state == SIP_REGISTRATION_FAILED ? sip_registration_get_delivery_failure(registration)
                                                             : SIP_DELIVERY_OK,
                            reason);
    /* A disabled profile is gone once its binding is. */
    if (entry->disabled && (state == SIP_REGISTRATION_UNREGISTERED || state == SIP_REGISTRATION_FAILED))
    {
        forget_entry(entry);
        client_check_cleanup(client);
    }
}

const struct sip_registration_callbacks rtc_registration_callbacks =
{
    on_registration_state,
};

static struct enabled_profile *find_entry(struct client *client, IRTCProfile *profile)
{
    GList *link;

    for (link = *client_enabled_profiles(client); link; link = link->next)
    {
        struct enabled_profile *entry = link->data;
        if (entry->profile == profile && !entry->disabled)
            return entry;
    }
    return NULL;
}

/* The URI of a server of the profile (registrar or proxy): "sip:host:port;
 * transport=tcp". A host name given without a port gets none, so that the
 * engine looks up its SRV records (RFC 3263) for the profile's transport:
 * "sip:example.com;transport=udp", "sips:example.com" (docs/profiles.md). */
char *registration_server_uri(const struct rtc_profile_server *server)
{
    BOOL ipv6 = strchr(server->host, ':') != NULL;
    char port[8] = "";

    if (server->port_explicit || g_hostname_is_ip_address(server->host))
        g_snprintf(port, sizeof(port), ":%u", server->port);
    if (server->transport == RTCTR_TLS)
        return g_strdup_printf("sips:%s%s%s%s%s", ipv6 ? "[" : "", server->host, ipv6 ? "]" : "", port,
                               port[0] ? ";transport=tls" : "");
    return g_strdup_printf("sip:%s%s%s%s%s", ipv6 ? "[" : "", server->host, ipv6 ? "]" : "", port,
                           server->transport == RTCTR_TCP ? ";transport=tcp" : port[0] ? "" : ";transport=udp");
}

/* The user name for digest: the account if the profile has one, else the URI's user part. */
static char *auth_user(const struct rtc_profile_data *data)
{
    const char *user, *at;

    if (data->user_account && *data->user_account)
        return g_strdup(data->user_account);
    user = strchr(data->user_uri, ':') + 1;
    at = strchr(user, '@');
    return at ? g_strndup(user, at - user) : g_strdup(user);
}

HRESULT registration_enable(struct client *client, IRTCProfile *profile, LONG flags)
{
    const struct rtc_profile_data *data = rtc_profile_get_data(profile);
    struct sip_register_options options = { NULL };
    struct enabled_profile *entry;
    GList *link;
    GError *error = NULL;
    char *registrar, *user, *proxy;
    HRESULT hr;

    if (!data)
        return E_INVALIDARG;
    if (find_entry(client, profile))
        return S_OK;        /* already enabled */
    for (link = *client_enabled_profiles(client); link; link = link->next)
    {
        const struct rtc_profile_data *other = rtc_profile_get_data(((struct enabled_profile *)link->data)->profile);
        if (data->realm && other->realm && !g_ascii_strcasecmp(data->realm, other->realm))
            return RTC_E_DUPLICATE_REALM;
    }
    if (FAILED(hr = client_ensure_transport(client)))
        return hr;

    if (data->user_password)
    {
        user = auth_user(data);
        sip_engine_set_credentials(client_engine(client), data->realm, user, data->user_password);
        g_free(user);
    }
    entry = g_new0(struct enabled_profile, 1);
    entry->client = client;
    entry->profile = profile;
    IRTCProfile_AddRef(profile);
    *client_enabled_profiles(client) = g_list_append(*client_enabled_profiles(client), entry);

    /* flags 0: enabled for sessions without registering (IRTCClient::EnableProfile). */
    if (!flags || !data->registrar)
        return S_OK;
    registrar = registration_server_uri(data->registrar);
    /* Through the profile's proxy when it has one, as its sessions go. */
    proxy = data->proxy ? registration_server_uri(data->proxy) : NULL;
    options.proxy = proxy ? proxy : "";
    entry->registration = sip_register_full(client_engine(client), data->user_uri, registrar, 0, &options, &error);
    g_free(registrar);
    g_free(proxy);
    if (!entry->registration)
    {
        /* A malformed server address; names are resolved later (the state event reports it). */
        hr = error->code == SIP_ENGINE_ERROR_UNRESOLVABLE ? RTC_E_SIP_DNS_FAIL : RTC_E_INVALID_PROXY_ADDRESS;
        g_error_free(error);
        forget_entry(entry);
        return hr;
    }
    sip_registration_set_user_data(entry->registration, entry);
    /* The engine starts in REGISTERING without a report: the application hears it from us. */
    fire_registration_state(entry, RTCRS_REGISTERING, 0, SIP_DELIVERY_OK, NULL);
    return S_OK;
}

HRESULT registration_disable(struct client *client, IRTCProfile *profile)
{
    struct enabled_profile *entry = find_entry(client, profile);
    enum sip_registration_state state;

    if (!entry)
        return rtc_profile_get_data(profile) ? RTC_E_INVALID_PROFILE : E_INVALIDARG;
    if (entry->registration)
    {
        state = sip_registration_get_state(entry->registration);
        if (state == SIP_REGISTRATION_REGISTERED || state == SIP_REGISTRATION_REGISTERING)
        {
            entry->disabled = TRUE;
            sip_registration_unregister(entry->registration, NULL);
            return S_OK;
        }
    }
    forget_entry(entry);
    return S_OK;
}

/* PrepareForShutdown: every registered profile unregisters. */
void registration_shutdown(struct client *client)
{
    GList *link, *next;

    for (link = *client_enabled_profiles(client); link; link = next)
    {
        struct enabled_profile *entry = link->data;
        next = link->next;
        if (!entry->disabled)
            registration_disable(client, entry->profile);
    }
}

/* Unregistrations still waiting for the registrar. */
BOOL registration_pending(struct client *client)
{
    GList *link;

    for (link = *client_enabled_profiles(client); link; link = link->next)
        if (((struct enabled_profile *)link->data)->disabled)
            return TRUE;
    return FALSE;
}

/* The enabled profiles, for EnumerateProfiles / get_Profiles; g_free() the array only. */
IUnknown **registration_profiles(struct client *client, unsigned int *count)
{
    GList *link = *client_enabled_profiles(client);
    IUnknown **items = g_new0(IUnknown *, g_list_length(link) + 1);
    unsigned int n = 0;

    for (; link; link = link->next)
        if (!((struct enabled_profile *)link->data)->disabled)
            items[n++] = (IUnknown *)((struct enabled_profile *)link->data)->profile;
    *count = n;
    return items;
}

/* The client is being destroyed. */
void registration_free_all(struct client *client)
{
    GList **list = client_enabled_profiles(client);

    while (*list)
    {
        struct enabled_profile *entry = (*list)->data;
        *list = g_list_delete_link(*list, *list);
        free_entry(entry);
    }
}
