/*
 * Sign-in configuration objects: IUccCredential, IUccCredentialCache
 * (credentials by realm; realm "*" = UCC_REALM_ALL matches every realm) and
 * IUccSignalingServer (an address with a transport), as handed out by the
 * endpoint's IUccServerSignalingSettings.
 */
#include <string.h>
#include <wchar.h>
#include "ucc_private.h"

/* ---- IUccCredential -------------------------------------------------------------------------- */

struct credential
{
    IUccCredential IUccCredential_iface;
    LONG refcount;
    BSTR user, password, domain;
};

static struct credential *impl_from_IUccCredential(IUccCredential *iface)
{
    return CONTAINING_RECORD(iface, struct credential, IUccCredential_iface);
}

static HRESULT WINAPI credential_QueryInterface(IUccCredential *iface, REFIID riid, void **ppv)
{
    if (!ppv)
        return E_POINTER;
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IUccCredential))
    {
        *ppv = iface;
        IUccCredential_AddRef(iface);
        return S_OK;
    }
    *ppv = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI credential_AddRef(IUccCredential *iface)
{
    return InterlockedIncrement(&impl_from_IUccCredential(iface)->refcount);
}

static ULONG WINAPI credential_Release(IUccCredential *iface)
{
    struct credential *credential = impl_from_IUccCredential(iface);
    ULONG ref = InterlockedDecrement(&credential->refcount);

    if (!ref)
    {
        SysFreeString(credential->user);
        SysFreeString(credential->password);
        SysFreeString(credential->domain);
        free(credential);
        com_module_unlock();
    }
    return ref;
}

static HRESULT copy_out(BSTR value, BSTR *out)
{
    if (!out)
        return E_POINTER;
    *out = SysAllocString(value ? value : L"");
    return *out ? S_OK : E_OUTOFMEMORY;
}

static HRESULT WINAPI credential_get_UserName(IUccCredential *iface, BSTR *value)
{
    return copy_out(impl_from_IUccCredential(iface)->user, value);
}

static HRESULT WINAPI credential_get_Password(IUccCredential *iface, BSTR *value)
{
    return copy_out(impl_from_IUccCredential(iface)->password, value);
}

static HRESULT WINAPI credential_get_Domain(IUccCredential *iface, BSTR *value)
{
    return copy_out(impl_from_IUccCredential(iface)->domain, value);
}

static const IUccCredentialVtbl credential_vtbl =
{
    credential_QueryInterface,
    credential_AddRef,
    credential_Release,
    credential_get_UserName,
    credential_get_Password,
    credential_get_Domain,
};

static HRESULT credential_create(BSTR user, BSTR password, BSTR domain, IUccCredential **out)
{
    struct credential *credential;

    if (!(credential = calloc(1, sizeof(*credential))))
        return E_OUTOFMEMORY;
    credential->IUccCredential_iface.lpVtbl = &credential_vtbl;
    credential->refcount = 1;
    com_module_lock();      /* DllCanUnloadNow: one more live object */
    credential->user = SysAllocString(user ? user : L"");
    credential->password = SysAllocString(password ? password : L"");
    credential->domain = SysAllocString(domain ? domain : L"");
    if (!credential->user || !credential->password || !credential->domain)
    {
        credential_Release(&credential->IUccCredential_iface);
        return E_OUTOFMEMORY;
    }
    *out = &credential->IUccCredential_iface;
    return S_OK;
}

/* ---- IUccCredentialCache ------------------------------------------------------------------------ */

struct cache_entry
{
    BSTR realm;
    IUccCredential *credential;
};

struct credential_cache
{
    IUccCredentialCache IUccCredentialCache_iface;
    LONG refcount;
    GArray *entries;        /* struct cache_entry */
};

static struct credential_cache *impl_from_IUccCredentialCache(IUccCredentialCache *iface)
{
    return CONTAINING_RECORD(iface, struct credential_cache, IUccCredentialCache_iface);
}

static void clear_entry(gpointer data)
{
    struct cache_entry *entry = data;

    SysFreeString(entry->realm);
    IUccCredential_Release(entry->credential);
}

/* Realms compare exactly (RFC 2617: the realm string is case-sensitive). */
static int find_realm(struct credential_cache *cache, const WCHAR *realm)
{
    guint i;

    for (i = 0; i < cache->entries->len; i++)
        if (!wcscmp(g_array_index(cache->entries, struct cache_entry, i).realm, realm))
            return i;
    return -1;
}

static HRESULT WINAPI cache_QueryInterface(IUccCredentialCache *iface, REFIID riid, void **ppv)
{
    if (!ppv)
        return E_POINTER;
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IUccCredentialCache))
    {
        *ppv = iface;
        IUccCredentialCache_AddRef(iface);
        return S_OK;
    }
    *ppv = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI cache_AddRef(IUccCredentialCache *iface)
{
    return InterlockedIncrement(&impl_from_IUccCredentialCache(iface)->refcount);
}

static ULONG WINAPI cache_Release(IUccCredentialCache *iface)
{
    struct credential_cache *cache = impl_from_IUccCredentialCache(iface);
    ULONG ref = InterlockedDecrement(&cache->refcount);

    if (!ref)
    {
        g_array_free(cache->entries, TRUE);
        free(cache);
        com_module_unlock();
    }
    return ref;
}

/* The default credential is the one set for UCC_REALM_ALL ("*"). */
static HRESULT WINAPI cache_get_DefaultCredential(IUccCredentialCache *iface, IUccCredential **out)
{
    struct credential_cache *cache = impl_from_IUccCredentialCache(iface);
    int index;

    if (!out)
        return E_POINTER;
    *out = NULL;
    if ((index = find_realm(cache, UCC_REALM_ALL)) < 0)
        return UCC_E_RTCSHIM_NOT_FOUND;
    *out = g_array_index(cache->entries, struct cache_entry, index).credential;
    IUccCredential_AddRef(*out);
    return S_OK;
}

static HRESULT WINAPI cache_CreateCredential(IUccCredentialCache *iface, BSTR user, BSTR password, BSTR domain,
                                             IUccCredential **out)
{
    if (!out)
        return E_POINTER;
    *out = NULL;
    if (!user || !*user)
        return E_INVALIDARG;
    return credential_create(user, password, domain, out);
}

static HRESULT WINAPI cache_SetCredential(IUccCredentialCache *iface, BSTR realm, IUccCredential *credential)
{
    struct credential_cache *cache = impl_from_IUccCredentialCache(iface);
    struct cache_entry entry;
    int index;

    if (!realm || !*realm || !credential)
        return E_INVALIDARG;
    IUccCredential_AddRef(credential);
    if ((index = find_realm(cache, realm)) >= 0)
    {
        struct cache_entry *existing = &g_array_index(cache->entries, struct cache_entry, index);
        IUccCredential_Release(existing->credential);
        existing->credential = credential;
        return S_OK;
    }
    if (!(entry.realm = SysAllocString(realm)))
    {
        IUccCredential_Release(credential);
        return E_OUTOFMEMORY;
    }
    entry.credential = credential;
    g_array_append_val(cache->entries, entry);
    return S_OK;
}

static HRESULT WINAPI cache_RemoveCredential(IUccCredentialCache *iface, BSTR realm)
{
    struct credential_cache *cache = impl_from_IUccCredentialCache(iface);
    int index;

    if (!realm)
        return E_INVALIDARG;
    if ((index = find_realm(cache, realm)) < 0)
        return UCC_E_RTCSHIM_NOT_FOUND;
    g_array_remove_index(cache->entries, index);
    return S_OK;
}

/* The realm's own credential, else the one for "*"; *found says whether there was one. */
static HRESULT WINAPI cache_TryGetCredential(IUccCredentialCache *iface, BSTR realm, IUccCredential **out,
                                             VARIANT_BOOL *found)
{
    struct credential_cache *cache = impl_from_IUccCredentialCache(iface);
    int index;

    if (!out || !found)
        return E_POINTER;
    *out = NULL;
    *found = VARIANT_FALSE;
    if (!realm)
        return E_INVALIDARG;
    if ((index = find_realm(cache, realm)) < 0)
        index = find_realm(cache, UCC_REALM_ALL);
    if (index < 0)
        return S_OK;
    *out = g_array_index(cache->entries, struct cache_entry, index).credential;
    IUccCredential_AddRef(*out);
    *found = VARIANT_TRUE;
    return S_OK;
}

static const IUccCredentialCacheVtbl cache_vtbl =
{
    cache_QueryInterface,
    cache_AddRef,
    cache_Release,
    cache_get_DefaultCredential,
    cache_CreateCredential,
    cache_SetCredential,
    cache_RemoveCredential,
    cache_TryGetCredential,
};

HRESULT ucc_credential_cache_create(IUccCredentialCache **out)
{
    struct credential_cache *cache;

    if (!(cache = calloc(1, sizeof(*cache))))
        return E_OUTOFMEMORY;
    cache->IUccCredentialCache_iface.lpVtbl = &cache_vtbl;
    cache->refcount = 1;
    com_module_lock();      /* DllCanUnloadNow: one more live object */
    cache->entries = g_array_new(FALSE, TRUE, sizeof(struct cache_entry));
    g_array_set_clear_func(cache->entries, clear_entry);
    *out = &cache->IUccCredentialCache_iface;
    return S_OK;
}

/* ---- IUccSignalingServer ---------------------------------------------------------------------------- */

struct signaling_server
{
    IUccSignalingServer IUccSignalingServer_iface;
    LONG refcount;
    char *address;
    UCC_TRANSPORT_MODE transport;
};

static struct signaling_server *impl_from_IUccSignalingServer(IUccSignalingServer *iface)
{
    return CONTAINING_RECORD(iface, struct signaling_server, IUccSignalingServer_iface);
}

static HRESULT WINAPI server_QueryInterface(IUccSignalingServer *iface, REFIID riid, void **ppv)
{
    if (!ppv)
        return E_POINTER;
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IUccSignalingServer))
    {
        *ppv = iface;
        IUccSignalingServer_AddRef(iface);
        return S_OK;
    }
    *ppv = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI server_AddRef(IUccSignalingServer *iface)
{
    return InterlockedIncrement(&impl_from_IUccSignalingServer(iface)->refcount);
}

static ULONG WINAPI server_Release(IUccSignalingServer *iface)
{
    struct signaling_server *server = impl_from_IUccSignalingServer(iface);
    ULONG ref = InterlockedDecrement(&server->refcount);

    if (!ref)
    {
        g_free(server->address);
        free(server);
        com_module_unlock();
    }
    return ref;
}

static HRESULT WINAPI server_get_ServerAddress(IUccSignalingServer *iface, BSTR *address)
{
    return ucc_return_bstr(impl_from_IUccSignalingServer(iface)->address, address);
}

static HRESULT WINAPI server_get_TransportMode(IUccSignalingServer *iface, UCC_TRANSPORT_MODE *mode)
{
    if (!mode)
        return E_POINTER;
    *mode = impl_from_IUccSignalingServer(iface)->transport;
    return S_OK;
}

static const IUccSignalingServerVtbl server_vtbl =
{
    server_QueryInterface,
    server_AddRef,
    server_Release,
    server_get_ServerAddress,
    server_get_TransportMode,
};

HRESULT ucc_signaling_server_create(const char *address, UCC_TRANSPORT_MODE transport, IUccSignalingServer **out)
{
    struct signaling_server *server;

    if (!(server = calloc(1, sizeof(*server))))
        return E_OUTOFMEMORY;
    server->IUccSignalingServer_iface.lpVtbl = &server_vtbl;
    server->refcount = 1;
    com_module_lock();      /* DllCanUnloadNow: one more live object */
    server->address = g_strdup(address);
    server->transport = transport;
    *out = &server->IUccSignalingServer_iface;
    return S_OK;
}

/* Hands every (realm, user, password) of one of our caches to fn; "*" comes as realm NULL. */
void ucc_credential_cache_foreach(IUccCredentialCache *iface,
                                  void (*fn)(const char *realm, const char *user, const char *password, void *data),
                                  void *data)
{
    struct credential_cache *cache;
    guint i;

    if (!iface || iface->lpVtbl != &cache_vtbl)
        return;
    cache = impl_from_IUccCredentialCache(iface);
    for (i = 0; i < cache->entries->len; i++)
    {
        const struct cache_entry *entry = &g_array_index(cache->entries, struct cache_entry, i);
        struct credential *credential = impl_from_IUccCredential(entry->credential);
        char *realm = ucc_utf8(entry->realm), *user = ucc_utf8(credential->user);
        char *password = ucc_utf8(credential->password);

        fn(strcmp(realm, "*") ? realm : NULL, user, password, data);
        g_free(realm);
        g_free(user);
        g_free(password);
    }
}
