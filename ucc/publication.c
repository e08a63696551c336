/*
 * Publishing the local user's presence: IUccPublicationManager (on the
 * endpoint), publications (IUccPublication, events _IUccPublicationEvent),
 * containers (IUccContainer) and container members (IUccContainerMember),
 * and the endpoint's published state (docs/ucc.md, "Presence").
 *
 * The endpoint keeps the category instances it published (only "state" and
 * "note" travel over SIMPLE), each in a container. Who sees which container:
 * a watcher sees the highest-numbered container it is a member of (by its
 * URI, its domain, our company's domain, or everyone), else
 * UCC_DEFAULT_CONTAINER_ID; our own URI sees UCC_SELF_CONTAINER_ID when it
 * holds anything. A container without a "state" instance shows closed: that
 * is how a blocked watcher sees us.
 *   - with a signaling server, the document of UCC_DEFAULT_CONTAINER_ID is
 *     PUBLISHed there (RFC 3903); OnPublish reports the server's answer.
 *     Containers do not reach a SIMPLE server. Disable and Shutdown remove
 *     it there (PUBLISH Expires: 0), as signing out removes it on a server
 *     that ties presence to registration; the instances stay here and are
 *     published again by the next Enable;
 *   - every endpoint also answers SUBSCRIBEs that reach it directly
 *     (peer to peer): each watcher's NOTIFYs carry its container's document.
 */
#include <string.h>
#include <wchar.h>
#include "presence.h"

struct published_item
{
    WCHAR *name;
    LONG container;
    LONG id;
    char *value;
    LONG version;
};

struct ucc_container;
struct ucc_container_member;

struct pending_publish
{
    IUccPublication *publication;           /* strong */
    IUccOperationContext *context;          /* may be NULL */
};

struct ucc_publisher
{
    struct ucc_endpoint *endpoint;          /* weak: the endpoint owns the publisher */
    GPtrArray *items;                       /* struct published_item * */
    GPtrArray *containers;                  /* struct ucc_container *, strong */
    GPtrArray *members;                     /* struct ucc_container_member *, weak: every live one */
    GPtrArray *watchers;                    /* struct sip_subscription *, strong (we are their notifier) */
    struct sip_publication *publication;    /* server mode */
    BOOL withdrawing;                       /* publication: its PUBLISH Expires: 0 is under way */
    GQueue pending;                         /* struct pending_publish *: waiting for the PUBLISH's answer */
    char *tuple_id;
};

/* For GPtrArray: the COM release of an interface pointer (a macro cannot be a free function). */
static void release_unknown(gpointer data)
{
    IUnknown_Release((IUnknown *)data);
}

static void item_free(gpointer data)
{
    struct published_item *item = data;

    g_free(item->name);
    g_free(item->value);
    g_free(item);
}

/* ================================================================================================
 * Containers and members
 * ============================================================================================== */

/* Containers and members point at the endpoint weakly (the endpoint keeps the containers, which
 * keep their members); when the endpoint goes they answer UCC_E_RTCSHIM_INVALID_STATE. */
struct ucc_container
{
    IUccContainer IUccContainer_iface;
    LONG refcount;
    struct ucc_endpoint *endpoint;          /* weak, NULL once the endpoint is gone */
    LONG id;
    GPtrArray *members;                     /* struct ucc_container_member *, strong */
};

struct ucc_container_member
{
    IUccContainerMember IUccContainerMember_iface;
    LONG refcount;
    struct ucc_endpoint *endpoint;          /* weak, NULL once the endpoint is gone */
    char *uri;                              /* as given: a URI, or a domain for domain scope */
    UCC_CONTAINER_MEMBERSHIP_SCOPE scope;
};

static const IUccContainerVtbl container_vtbl;
static const IUccContainerMemberVtbl member_vtbl;

static struct ucc_container *impl_from_IUccContainer(IUccContainer *iface)
{
    return CONTAINING_RECORD(iface, struct ucc_container, IUccContainer_iface);
}

static struct ucc_container_member *impl_from_IUccContainerMember(IUccContainerMember *iface)
{
    return CONTAINING_RECORD(iface, struct ucc_container_member, IUccContainerMember_iface);
}

static struct ucc_container_member *member_from_iface(IUccContainerMember *iface)
{
    return iface && iface->lpVtbl == &member_vtbl ? impl_from_IUccContainerMember(iface) : NULL;
}

/* The domain of "sip:user@host:port;params", "user@host" or "host". */
static char *domain_of(const char *uri)
{
    const char *start = uri, *at;
    char *domain;

    if (!g_ascii_strncasecmp(start, "sips:", 5))
        start += 5;
    else if (!g_ascii_strncasecmp(start, "sip:", 4))
        start += 4;
    if ((at = strchr(start, '@')))
        start = at + 1;
    domain = g_ascii_strdown(start, strcspn(start, ":;?>"));
    return domain;
}

/* The address of record of a sip: URI, lower-cased, without parameters or port. */
static char *aor_of(const char *uri)
{
    const char *start = uri;

    if (!g_ascii_strncasecmp(start, "sips:", 5))
        start += 5;
    else if (!g_ascii_strncasecmp(start, "sip:", 4))
        start += 4;
    return g_ascii_strdown(start, strcspn(start, ";?>"));
}

static BOOL member_matches(struct ucc_container_member *member, const char *watcher, const char *own)
{
    char *a, *b;
    BOOL match;

    switch (member->scope)
    {
    case UCCCMS_EVERYONE:
        return TRUE;
    case UCCCMS_USER:
        a = aor_of(member->uri), b = aor_of(watcher);
        match = !strcmp(a, b);
        break;
    case UCCCMS_DOMAIN:
        a = domain_of(member->uri), b = domain_of(watcher);
        match = !strcmp(a, b);
        break;
    case UCCCMS_COMPANY:
        a = domain_of(own), b = domain_of(watcher);
        match = !strcmp(a, b);
        break;
    default:    /* federated: anyone outside our domain (SIMPLE cannot tell enterprise from public) */
        a = domain_of(own), b = domain_of(watcher);
        match = strcmp(a, b) != 0;
        break;
    }
    g_free(a);
    g_free(b);
    return match;
}

static BOOL container_has(struct ucc_container *container, struct ucc_container_member *member)
{
    return g_ptr_array_find(container->members, member, NULL);
}

static void publisher_renotify(struct ucc_publisher *publisher);

/* ---- IUccContainerMember ----------------------------------------------------------------------- */

static HRESULT WINAPI member_QueryInterface(IUccContainerMember *iface, REFIID riid, void **ppv)
{
    if (!ppv)
        return E_POINTER;
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IUccContainerMember))
    {
        *ppv = iface;
        IUccContainerMember_AddRef(iface);
        return S_OK;
    }
    *ppv = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI member_AddRef(IUccContainerMember *iface)
{
    return InterlockedIncrement(&impl_from_IUccContainerMember(iface)->refcount);
}

static ULONG WINAPI member_Release(IUccContainerMember *iface)
{
    struct ucc_container_member *member = impl_from_IUccContainerMember(iface);
    ULONG ref = InterlockedDecrement(&member->refcount);

    if (!ref)
    {
        if (member->endpoint)
            g_ptr_array_remove(ucc_endpoint_publisher(member->endpoint)->members, member);
        g_free(member->uri);
        free(member);
    }
    return ref;
}

static HRESULT WINAPI member_get_Uri(IUccContainerMember *iface, BSTR *uri)
{
    return ucc_return_bstr(impl_from_IUccContainerMember(iface)->uri, uri);
}

static HRESULT WINAPI member_get_Scope(IUccContainerMember *iface, UCC_CONTAINER_MEMBERSHIP_SCOPE *scope)
{
    if (!scope)
        return E_POINTER;
    *scope = impl_from_IUccContainerMember(iface)->scope;
    return S_OK;
}

static HRESULT WINAPI member_get_Containers(IUccContainerMember *iface, IUccCollection **out)
{
    struct ucc_container_member *member = impl_from_IUccContainerMember(iface);
    struct ucc_publisher *publisher;
    IUnknown **items;
    unsigned int count = 0;
    HRESULT hr;
    guint i;

    if (!out)
        return E_POINTER;
    if (!member->endpoint)
        return UCC_E_RTCSHIM_INVALID_STATE;
    publisher = ucc_endpoint_publisher(member->endpoint);
    items = g_new0(IUnknown *, publisher->containers->len + 1);
    for (i = 0; i < publisher->containers->len; i++)
    {
        struct ucc_container *container = g_ptr_array_index(publisher->containers, i);

        if (container_has(container, member))
            items[count++] = (IUnknown *)&container->IUccContainer_iface;
    }
    hr = ucc_collection_create(items, count, out);
    g_free(items);
    return hr;
}

static HRESULT WINAPI member_IsInContainer(IUccContainerMember *iface, LONG id, VARIANT_BOOL *in)
{
    struct ucc_container_member *member = impl_from_IUccContainerMember(iface);
    struct ucc_publisher *publisher;
    guint i;

    if (!in)
        return E_POINTER;
    *in = VARIANT_FALSE;
    if (!member->endpoint)
        return UCC_E_RTCSHIM_INVALID_STATE;
    publisher = ucc_endpoint_publisher(member->endpoint);
    for (i = 0; i < publisher->containers->len; i++)
    {
        struct ucc_container *container = g_ptr_array_index(publisher->containers, i);

        if (container->id == id && container_has(container, member))
            *in = VARIANT_TRUE;
    }
    return S_OK;
}

static BOOL container_publishes(struct ucc_publisher *publisher, LONG container, const WCHAR *name)
{
    guint i;

    for (i = 0; i < publisher->items->len; i++)
    {
        struct published_item *item = g_ptr_array_index(publisher->items, i);

        if (item->container == container && !wcscasecmp(item->name, name))
            return TRUE;
    }
    return FALSE;
}

static HRESULT WINAPI member_TryGetContainerWithCategory(IUccContainerMember *iface, BSTR name, IUccContainer **out,
                                                         VARIANT_BOOL *found)
{
    struct ucc_container_member *member = impl_from_IUccContainerMember(iface);
    struct ucc_publisher *publisher;
    struct ucc_container *best = NULL;
    guint i;

    if (!out || !found)
        return E_POINTER;
    *out = NULL;
    *found = VARIANT_FALSE;
    if (!member->endpoint)
        return UCC_E_RTCSHIM_INVALID_STATE;
    publisher = ucc_endpoint_publisher(member->endpoint);
    /* The container this member sees, if it holds that category. */
    for (i = 0; name && i < publisher->containers->len; i++)
    {
        struct ucc_container *container = g_ptr_array_index(publisher->containers, i);

        if (container_has(container, member) && container_publishes(publisher, container->id, name)
            && (!best || container->id > best->id))
            best = container;
    }
    *found = best ? VARIANT_TRUE : VARIANT_FALSE;
    if ((*out = best ? &best->IUccContainer_iface : NULL))
        IUccContainer_AddRef(*out);
    return S_OK;
}

/* How wide a scope is: everyone > company/federated > domain > user. */
static int scope_width(UCC_CONTAINER_MEMBERSHIP_SCOPE scope)
{
    return scope == UCCCMS_EVERYONE ? 3 : scope == UCCCMS_USER ? 0 : scope == UCCCMS_DOMAIN ? 1 : 2;
}

static HRESULT WINAPI member_CompareTo(IUccContainerMember *iface, IUccContainerMember *other_in,
                                      UCC_CONTAINER_MEMBER_COMPARE_RESULT *result)
{
    struct ucc_container_member *member = impl_from_IUccContainerMember(iface);
    struct ucc_container_member *other = member_from_iface(other_in);
    char *own;

    if (!result || !other_in)
        return E_POINTER;
    if (!other)
        return E_INVALIDARG;
    if (!member->endpoint)
        return UCC_E_RTCSHIM_INVALID_STATE;
    own = ucc_endpoint_aor(member->endpoint);
    if (member->scope == other->scope)
        *result = !g_ascii_strcasecmp(member->uri, other->uri) ? UCCCMCR_SAME : UCCCMCR_DIFFERENT;
    else if (scope_width(member->scope) > scope_width(other->scope))
        *result = member_matches(member, other->uri, own) ? UCCCMCR_SUPERSET : UCCCMCR_DIFFERENT;
    else
        *result = member_matches(other, member->uri, own) ? UCCCMCR_SUBSET : UCCCMCR_DIFFERENT;
    g_free(own);
    return S_OK;
}

static const IUccContainerMemberVtbl member_vtbl =
{
    member_QueryInterface,
    member_AddRef,
    member_Release,
    member_get_Uri,
    member_get_Scope,
    member_get_Containers,
    member_IsInContainer,
    member_TryGetContainerWithCategory,
    member_CompareTo,
};

/* ---- IUccContainer ---------------------------------------------------------------------------------- */

static HRESULT WINAPI container_QueryInterface(IUccContainer *iface, REFIID riid, void **ppv)
{
    if (!ppv)
        return E_POINTER;
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IUccContainer))
    {
        *ppv = iface;
        IUccContainer_AddRef(iface);
        return S_OK;
    }
    *ppv = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI container_AddRef(IUccContainer *iface)
{
    return InterlockedIncrement(&impl_from_IUccContainer(iface)->refcount);
}

static ULONG WINAPI container_Release(IUccContainer *iface)
{
    struct ucc_container *container = impl_from_IUccContainer(iface);
    ULONG ref = InterlockedDecrement(&container->refcount);

    if (!ref)
    {
        g_ptr_array_free(container->members, TRUE);
        free(container);
    }
    return ref;
}

static HRESULT WINAPI container_get_Id(IUccContainer *iface, LONG *id)
{
    if (!id)
        return E_POINTER;
    *id = impl_from_IUccContainer(iface)->id;
    return S_OK;
}

static HRESULT WINAPI container_AddMember(IUccContainer *iface, IUccContainerMember *member_in)
{
    struct ucc_container *container = impl_from_IUccContainer(iface);
    struct ucc_container_member *member = member_from_iface(member_in);

    if (!member_in)
        return E_POINTER;
    if (!member || member->endpoint != container->endpoint)
        return E_INVALIDARG;
    if (!container->endpoint)
        return UCC_E_RTCSHIM_INVALID_STATE;
    if (container_has(container, member))
        return S_FALSE;
    IUccContainerMember_AddRef(member_in);
    g_ptr_array_add(container->members, member);
    /* Who sees what changed: the watchers already here get their new view. */
    publisher_renotify(ucc_endpoint_publisher(container->endpoint));
    return S_OK;
}

static HRESULT WINAPI container_RemoveMember(IUccContainer *iface, IUccContainerMember *member_in)
{
    struct ucc_container *container = impl_from_IUccContainer(iface);
    struct ucc_container_member *member = member_from_iface(member_in);

    if (!member_in)
        return E_POINTER;
    if (!container->endpoint)
        return UCC_E_RTCSHIM_INVALID_STATE;
    if (!member || !g_ptr_array_remove(container->members, member))
        return UCC_E_RTCSHIM_NOT_FOUND;
    publisher_renotify(ucc_endpoint_publisher(container->endpoint));
    return S_OK;
}

static HRESULT members_collection(struct ucc_container *container, BOOL any_scope,
                                  UCC_CONTAINER_MEMBERSHIP_SCOPE scope, IUccCollection **out)
{
    IUnknown **items;
    unsigned int count = 0;
    HRESULT hr;
    guint i;

    if (!out)
        return E_POINTER;
    items = g_new0(IUnknown *, container->members->len + 1);
    for (i = 0; i < container->members->len; i++)
    {
        struct ucc_container_member *member = g_ptr_array_index(container->members, i);

        if (any_scope || member->scope == scope)
            items[count++] = (IUnknown *)&member->IUccContainerMember_iface;
    }
    hr = ucc_collection_create(items, count, out);
    g_free(items);
    return hr;
}

static HRESULT WINAPI container_GetMembersWithScope(IUccContainer *iface, UCC_CONTAINER_MEMBERSHIP_SCOPE scope,
                                                    IUccCollection **out)
{
    if ((unsigned int)scope > UCCCMS_EVERYONE)
        return E_INVALIDARG;
    return members_collection(impl_from_IUccContainer(iface), FALSE, scope, out);
}

static HRESULT WINAPI container_get_Members(IUccContainer *iface, IUccCollection **out)
{
    return members_collection(impl_from_IUccContainer(iface), TRUE, 0, out);
}

/* Snapshots of what this container publishes under that category name. */
static HRESULT WINAPI container_GetCategoryInstances(IUccContainer *iface, BSTR name, IUccCollection **out)
{
    struct ucc_container *container = impl_from_IUccContainer(iface);
    struct ucc_publisher *publisher;
    GPtrArray *instances;
    HRESULT hr = S_OK;
    guint i;

    if (!out)
        return E_POINTER;
    if (!container->endpoint)
        return UCC_E_RTCSHIM_INVALID_STATE;
    publisher = ucc_endpoint_publisher(container->endpoint);
    instances = g_ptr_array_new_with_free_func(release_unknown);
    for (i = 0; name && i < publisher->items->len && SUCCEEDED(hr); i++)
    {
        struct published_item *item = g_ptr_array_index(publisher->items, i);
        IUccCategoryInstance *instance;

        if (item->container != container->id || wcscasecmp(item->name, name))
            continue;
        if (SUCCEEDED(hr = ucc_category_instance_create_publishable(container->endpoint, item->name, item->container,
                                                                    item->id, UCCCIET_USER, 0, &instance)))
        {
            BSTR value = ucc_bstr(item->value);

            IUccCategoryInstance_put_Value(instance, value);
            SysFreeString(value);
            ucc_category_instance_published(ucc_category_instance_from_iface((IUnknown *)instance), item->version);
            g_ptr_array_add(instances, instance);
        }
    }
    if (SUCCEEDED(hr))
        hr = ucc_collection_create((IUnknown **)instances->pdata, instances->len, out);
    g_ptr_array_free(instances, TRUE);
    return hr;
}

static const IUccContainerVtbl container_vtbl =
{
    container_QueryInterface,
    container_AddRef,
    container_Release,
    container_get_Id,
    container_AddMember,
    container_RemoveMember,
    container_GetMembersWithScope,
    container_get_Members,
    container_GetCategoryInstances,
};

IUccContainer *ucc_publisher_container(struct ucc_publisher *publisher, LONG id)
{
    guint i;

    for (i = 0; i < publisher->containers->len; i++)
    {
        struct ucc_container *container = g_ptr_array_index(publisher->containers, i);

        if (container->id == id)
        {
            IUccContainer_AddRef(&container->IUccContainer_iface);
            return &container->IUccContainer_iface;
        }
    }
    return NULL;
}

/* ================================================================================================
 * The published state
 * ============================================================================================== */

/* The container a watcher sees. */
static LONG container_for(struct ucc_publisher *publisher, const char *watcher)
{
    char *own = ucc_endpoint_aor(publisher->endpoint), *a = aor_of(watcher), *b = aor_of(own);
    LONG best = UCC_DEFAULT_CONTAINER_ID;
    BOOL self = !strcmp(a, b);
    guint i, j;

    g_free(a);
    g_free(b);
    for (i = 0; i < publisher->containers->len; i++)
    {
        struct ucc_container *container = g_ptr_array_index(publisher->containers, i);

        for (j = 0; j < container->members->len && container->id > best; j++)
            if (member_matches(g_ptr_array_index(container->members, j), watcher, own))
                best = container->id;
    }
    g_free(own);
    if (self)
    {
        for (i = 0; i < publisher->items->len; i++)
            if (((struct published_item *)g_ptr_array_index(publisher->items, i))->container == UCC_SELF_CONTAINER_ID)
                return UCC_SELF_CONTAINER_ID;
    }
    return best;
}

static struct published_item *find_item(struct ucc_publisher *publisher, const WCHAR *name, LONG container, LONG id)
{
    guint i;

    for (i = 0; i < publisher->items->len; i++)
    {
        struct published_item *item = g_ptr_array_index(publisher->items, i);

        if (item->container == container && item->id == id && !wcscasecmp(item->name, name))
            return item;
    }
    return NULL;
}

/* The document one container shows (the lowest instance id of each category). */
static char *container_document(struct ucc_publisher *publisher, LONG container, gsize *length)
{
    struct ucc_presence_view view = { .availability = UCCPA_UNAVAILABLE };
    struct sip_presence_document *document;
    struct published_item *state = NULL, *note = NULL;
    char *aor = ucc_endpoint_aor(publisher->endpoint), *body;
    GError *error = NULL;
    guint i;

    for (i = 0; i < publisher->items->len; i++)
    {
        struct published_item *item = g_ptr_array_index(publisher->items, i);

        if (item->container != container)
            continue;
        if (!wcscasecmp(item->name, UCC_CATEGORY_STATE) && (!state || item->id < state->id))
            state = item;
        else if (!wcscasecmp(item->name, UCC_CATEGORY_NOTE) && (!note || item->id < note->id))
            note = item;
    }
    if (state && !ucc_state_value_parse(state->value, &view.availability, &view.activity))
        view.availability = UCCPA_UNAVAILABLE;
    if (note)
        ucc_note_value_parse(note->value, &view.note);
    document = ucc_presence_document_build(aor, publisher->tuple_id, &view);
    if (!(body = sip_pidf_build(document, length, &error)))
    {
        g_warning("UCC presence document not built: %s", error->message);
        g_error_free(error);
        *length = 0;
    }
    sip_presence_document_free(document);
    ucc_presence_view_clear(&view);
    g_free(aor);
    return body;
}

static void notify_watcher(struct ucc_publisher *publisher, struct sip_subscription *subscription, BOOL accept)
{
    gsize length;
    char *body = container_document(publisher, container_for(publisher, sip_subscription_get_watcher(subscription)),
                                    &length);

    if (accept)
        sip_subscription_accept(subscription, TRUE, SIP_PIDF_CONTENT_TYPE, body, length, NULL);
    else
        sip_subscription_notify(subscription, TRUE, SIP_PIDF_CONTENT_TYPE, body, length, NULL);
    g_free(body);
}

static void publisher_renotify(struct ucc_publisher *publisher)
{
    guint i;

    for (i = 0; i < publisher->watchers->len; i++)
    {
        struct sip_subscription *subscription = g_ptr_array_index(publisher->watchers, i);

        if (sip_subscription_get_status(subscription) == SIP_SUBSCRIPTION_ACTIVE)
            notify_watcher(publisher, subscription, FALSE);
    }
}

void ucc_publisher_on_subscription(struct ucc_publisher *publisher, struct sip_subscription *subscription)
{
    g_ptr_array_add(publisher->watchers, sip_subscription_ref(subscription));
    notify_watcher(publisher, subscription, TRUE);
}

void ucc_publisher_on_watcher_state(struct ucc_publisher *publisher, struct sip_subscription *subscription,
                                    enum sip_subscription_status state)
{
    /* The array's free function drops our reference. */
    if (state == SIP_SUBSCRIPTION_TERMINATED)
        g_ptr_array_remove(publisher->watchers, subscription);
}

/* ---- to the server ------------------------------------------------------------------------------------- */

static void fire_publish(struct ucc_publisher *publisher, struct pending_publish *pending, HRESULT status,
                         const char *text);

/* PUBLISHes the default container's document; FALSE when not sent (no server, or failed at once). */
static BOOL publish_to_server(struct ucc_publisher *publisher)
{
    struct sip_engine *engine = ucc_endpoint_engine(publisher->endpoint);
    struct sip_publish_options options = { 0 };
    char *route, *body, *aor;
    GError *error = NULL;
    gsize length;

    if (!engine || !(route = ucc_endpoint_server_route(publisher->endpoint)))
        return FALSE;
    body = container_document(publisher, UCC_DEFAULT_CONTAINER_ID, &length);
    if (publisher->publication && sip_publication_get_state(publisher->publication) == SIP_PUBLICATION_PUBLISHED
        && sip_publication_modify(publisher->publication, SIP_PIDF_CONTENT_TYPE, body, length, NULL))
    {
        g_free(body);
        g_free(route);
        return TRUE;
    }
    if (publisher->publication)
    {
        sip_publication_set_user_data(publisher->publication, NULL);
        sip_publication_unref(publisher->publication);
    }
    options.proxy = route;
    aor = ucc_endpoint_aor(publisher->endpoint);
    publisher->publication = sip_publish(engine, aor, "presence", SIP_PIDF_CONTENT_TYPE, body, length, &options,
                                         &error);
    g_free(aor);
    g_free(body);
    g_free(route);
    if (!publisher->publication)
    {
        g_message("UCC presence not published: %s", error->message);
        g_error_free(error);
        return FALSE;
    }
    sip_publication_set_user_data(publisher->publication, publisher);
    return TRUE;
}

void ucc_publisher_on_publication(struct ucc_publisher *publisher, struct sip_publication *publication,
                                  enum sip_publication_state state, guint status_code, const char *reason)
{
    struct pending_publish *pending;

    if (publication != publisher->publication)
        return;
    if (publisher->withdrawing)
    {
        if (state != SIP_PUBLICATION_REMOVED && state != SIP_PUBLICATION_FAILED)
            return;
        publisher->withdrawing = FALSE;
        sip_publication_set_user_data(publisher->publication, NULL);
        sip_publication_unref(publisher->publication);
        publisher->publication = NULL;
        ucc_endpoint_publication_withdrawn(publisher->endpoint);
        return;
    }
    if (state != SIP_PUBLICATION_PUBLISHED && state != SIP_PUBLICATION_FAILED)
        return;
    /* One PUBLISH may carry several Publish calls' changes (the engine sends the newest body). */
    while ((pending = g_queue_pop_head(&publisher->pending)))
        fire_publish(publisher, pending, state == SIP_PUBLICATION_PUBLISHED ? S_OK
                                         : ucc_hresult_from_sip_status(status_code), reason);
}

void ucc_publisher_engine_ready(struct ucc_publisher *publisher)
{
    if (publisher->items->len)
        publish_to_server(publisher);
}

void ucc_publisher_withdraw(struct ucc_publisher *publisher)
{
    if (publisher && publisher->publication && !publisher->withdrawing
        && sip_publication_get_state(publisher->publication) == SIP_PUBLICATION_PUBLISHED
        && sip_publication_remove(publisher->publication, NULL))
        publisher->withdrawing = TRUE;
}

BOOL ucc_publisher_withdrawing(struct ucc_publisher *publisher)
{
    return publisher && publisher->withdrawing;
}

void ucc_publisher_engine_gone(struct ucc_publisher *publisher)
{
    struct pending_publish *pending;

    while ((pending = g_queue_pop_head(&publisher->pending)))
        fire_publish(publisher, pending, UCC_E_RTCSHIM_INVALID_STATE, "endpoint disabled");
    if (publisher->publication)
    {
        sip_publication_set_user_data(publisher->publication, NULL);
        sip_publication_unref(publisher->publication);
        publisher->publication = NULL;
    }
    publisher->withdrawing = FALSE;
    g_ptr_array_set_size(publisher->watchers, 0);
}

/* ================================================================================================
 * IUccPublication
 * ============================================================================================== */

struct publication
{
    IUccPublication IUccPublication_iface;
    IConnectionPointContainer IConnectionPointContainer_iface;
    LONG refcount;
    struct ucc_endpoint *endpoint;          /* strong */
    GPtrArray *instances;                   /* struct ucc_category_instance *, strong */
    BOOL used;                              /* Publish was called: one publication, one Publish */
    struct connection_point events;         /* _IUccPublicationEvent */
};

static struct publication *impl_from_IUccPublication(IUccPublication *iface)
{
    return CONTAINING_RECORD(iface, struct publication, IUccPublication_iface);
}

static struct publication *impl_from_publication_container(IConnectionPointContainer *iface)
{
    return CONTAINING_RECORD(iface, struct publication, IConnectionPointContainer_iface);
}

static void fire_publish(struct ucc_publisher *publisher, struct pending_publish *pending, HRESULT status,
                         const char *text)
{
    struct publication *publication = impl_from_IUccPublication(pending->publication);
    IUccOperationProgressEvent *progress;

    if (SUCCEEDED(ucc_progress_event_create(pending->context, TRUE, status, text, NULL, &progress)))
    {
        ucc_fire_event(ucc_endpoint_platform(publication->endpoint), &publication->events,
                       DISPID__IUccPublicationEvent_OnPublish, (IUnknown *)&publication->IUccPublication_iface,
                       (IUnknown *)progress);
        IUccOperationProgressEvent_Release(progress);
    }
    IUccPublication_Release(pending->publication);
    if (pending->context)
        IUccOperationContext_Release(pending->context);
    g_free(pending);
}

static HRESULT WINAPI publication_QueryInterface(IUccPublication *iface, REFIID riid, void **ppv)
{
    struct publication *publication = impl_from_IUccPublication(iface);

    if (!ppv)
        return E_POINTER;
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IUccPublication))
        *ppv = &publication->IUccPublication_iface;
    else if (IsEqualIID(riid, &IID_IConnectionPointContainer))
        *ppv = &publication->IConnectionPointContainer_iface;
    else
    {
        *ppv = NULL;
        return E_NOINTERFACE;
    }
    IUnknown_AddRef((IUnknown *)*ppv);
    return S_OK;
}

static ULONG WINAPI publication_AddRef(IUccPublication *iface)
{
    return InterlockedIncrement(&impl_from_IUccPublication(iface)->refcount);
}

static ULONG WINAPI publication_Release(IUccPublication *iface)
{
    struct publication *publication = impl_from_IUccPublication(iface);
    ULONG ref = InterlockedDecrement(&publication->refcount);

    if (!ref)
    {
        g_ptr_array_free(publication->instances, TRUE);
        connection_point_destroy(&publication->events);
        ucc_endpoint_release(publication->endpoint);
        free(publication);
    }
    return ref;
}

static HRESULT WINAPI publication_AddPublishableCategoryInstance(IUccPublication *iface,
                                                                 IUccCategoryInstance *instance_in)
{
    struct publication *publication = impl_from_IUccPublication(iface);
    struct ucc_category_instance *instance = ucc_category_instance_from_iface((IUnknown *)instance_in);

    if (!instance_in)
        return E_POINTER;
    if (!instance || !ucc_category_instance_publishable(instance))
        return E_INVALIDARG;    /* a received instance: CreatePublishableCategoryInstance makes a copy */
    if (publication->used)
        return UCC_E_RTCSHIM_INVALID_STATE;
    if (g_ptr_array_find(publication->instances, instance, NULL))
        return S_FALSE;
    ucc_category_instance_add_ref(instance);
    g_ptr_array_add(publication->instances, instance);
    return S_OK;
}

static HRESULT WINAPI publication_RemovePublishableCategoryInstance(IUccPublication *iface,
                                                                    IUccCategoryInstance *instance_in)
{
    struct publication *publication = impl_from_IUccPublication(iface);
    struct ucc_category_instance *instance = ucc_category_instance_from_iface((IUnknown *)instance_in);

    if (!instance_in)
        return E_POINTER;
    if (publication->used)
        return UCC_E_RTCSHIM_INVALID_STATE;
    if (!instance || !g_ptr_array_remove(publication->instances, instance))
        return UCC_E_RTCSHIM_NOT_FOUND;
    return S_OK;
}

/* Only "state" and "note" travel, and only as their XML. */
static HRESULT check_instance(struct ucc_category_instance *instance)
{
    const WCHAR *name = ucc_category_instance_name(instance);
    const char *value = ucc_category_instance_value(instance);
    LONG availability;
    char *text = NULL;
    BOOL ok;

    if (wcscasecmp(name, UCC_CATEGORY_STATE) && wcscasecmp(name, UCC_CATEGORY_NOTE))
        return UCC_E_RTCSHIM_NOT_SUPPORTED;
    if (ucc_category_instance_operation(instance) == UCCPOT_REMOVE)
        return S_OK;
    ok = !wcscasecmp(name, UCC_CATEGORY_STATE) ? ucc_state_value_parse(value, &availability, &text)
                                               : ucc_note_value_parse(value, &text);
    g_free(text);
    return ok ? S_OK : E_INVALIDARG;
}

static HRESULT WINAPI publication_Publish(IUccPublication *iface, IUccOperationContext *context)
{
    struct publication *publication = impl_from_IUccPublication(iface);
    struct ucc_publisher *publisher = ucc_endpoint_publisher(publication->endpoint);
    struct pending_publish *pending;
    HRESULT hr;
    guint i;

    if (FAILED(hr = ucc_endpoint_check_ready(publication->endpoint)))
        return hr;
    if (publication->used || !publication->instances->len)
        return UCC_E_RTCSHIM_INVALID_STATE;
    for (i = 0; i < publication->instances->len; i++)
        if (FAILED(hr = check_instance(g_ptr_array_index(publication->instances, i))))
            return hr;
    publication->used = TRUE;

    for (i = 0; i < publication->instances->len; i++)
    {
        struct ucc_category_instance *instance = g_ptr_array_index(publication->instances, i);
        const WCHAR *name = ucc_category_instance_name(instance);
        LONG container = ucc_category_instance_container(instance), id = ucc_category_instance_id(instance);
        struct published_item *item = find_item(publisher, name, container, id);

        if (ucc_category_instance_operation(instance) == UCCPOT_REMOVE)
        {
            if (item)
                g_ptr_array_remove(publisher->items, item);
            continue;
        }
        if (!item)
        {
            item = g_new0(struct published_item, 1);
            item->name = g_memdup2(name, (wcslen(name) + 1) * sizeof(WCHAR));
            item->container = container;
            item->id = id;
            g_ptr_array_add(publisher->items, item);
        }
        g_free(item->value);
        item->value = g_strdup(ucc_category_instance_value(instance));
        item->version++;
        ucc_category_instance_published(instance, item->version);
    }

    publisher_renotify(publisher);
    pending = g_new0(struct pending_publish, 1);
    pending->publication = iface;
    IUccPublication_AddRef(iface);
    if ((pending->context = context))
        IUccOperationContext_AddRef(context);
    /* With a server its answer is the outcome; peer to peer, the NOTIFYs are on their way. */
    if (publish_to_server(publisher))
        g_queue_push_tail(&publisher->pending, pending);
    else
        fire_publish(publisher, pending, S_OK, NULL);
    return S_OK;
}

static HRESULT WINAPI publication_get_PublishableCategoryInstances(IUccPublication *iface, IUccCollection **out)
{
    struct publication *publication = impl_from_IUccPublication(iface);
    IUnknown **items;
    HRESULT hr;
    guint i;

    if (!out)
        return E_POINTER;
    items = g_new0(IUnknown *, publication->instances->len + 1);
    for (i = 0; i < publication->instances->len; i++)
        items[i] = (IUnknown *)ucc_category_instance_iface(g_ptr_array_index(publication->instances, i));
    hr = ucc_collection_create(items, publication->instances->len, out);
    g_free(items);
    return hr;
}

static const IUccPublicationVtbl publication_vtbl =
{
    publication_QueryInterface,
    publication_AddRef,
    publication_Release,
    publication_AddPublishableCategoryInstance,
    publication_RemovePublishableCategoryInstance,
    publication_Publish,
    publication_get_PublishableCategoryInstances,
};

static HRESULT WINAPI publication_container_QueryInterface(IConnectionPointContainer *iface, REFIID riid,
                                                           void **ppv)
{
    return publication_QueryInterface(&impl_from_publication_container(iface)->IUccPublication_iface, riid, ppv);
}

static ULONG WINAPI publication_container_AddRef(IConnectionPointContainer *iface)
{
    return publication_AddRef(&impl_from_publication_container(iface)->IUccPublication_iface);
}

static ULONG WINAPI publication_container_Release(IConnectionPointContainer *iface)
{
    return publication_Release(&impl_from_publication_container(iface)->IUccPublication_iface);
}

static HRESULT WINAPI publication_container_EnumConnectionPoints(IConnectionPointContainer *iface,
                                                                 IEnumConnectionPoints **out)
{
    struct connection_point *points[] = { &impl_from_publication_container(iface)->events };

    return connection_points_enum(points, ARRAY_SIZE(points), out);
}

static HRESULT WINAPI publication_container_FindConnectionPoint(IConnectionPointContainer *iface, REFIID riid,
                                                                IConnectionPoint **out)
{
    struct connection_point *points[] = { &impl_from_publication_container(iface)->events };

    return connection_points_find(points, ARRAY_SIZE(points), riid, out);
}

static const IConnectionPointContainerVtbl publication_container_vtbl =
{
    publication_container_QueryInterface,
    publication_container_AddRef,
    publication_container_Release,
    publication_container_EnumConnectionPoints,
    publication_container_FindConnectionPoint,
};

/* ================================================================================================
 * IUccPublicationManager (on the endpoint)
 * ============================================================================================== */

static HRESULT WINAPI manager_QueryInterface(IUccPublicationManager *iface, REFIID riid, void **ppv)
{
    return IUccEndpoint_QueryInterface(ucc_endpoint_iface(ucc_endpoint_from_publication_manager(iface)), riid, ppv);
}

static ULONG WINAPI manager_AddRef(IUccPublicationManager *iface)
{
    return IUccEndpoint_AddRef(ucc_endpoint_iface(ucc_endpoint_from_publication_manager(iface)));
}

static ULONG WINAPI manager_Release(IUccPublicationManager *iface)
{
    return IUccEndpoint_Release(ucc_endpoint_iface(ucc_endpoint_from_publication_manager(iface)));
}

static HRESULT WINAPI manager_CreateContainer(IUccPublicationManager *iface, LONG id, IUccContainer **out)
{
    struct ucc_endpoint *endpoint = ucc_endpoint_from_publication_manager(iface);
    struct ucc_publisher *publisher = ucc_endpoint_publisher(endpoint);
    struct ucc_container *container;

    if (!out)
        return E_POINTER;
    if (id < 0)
        return E_INVALIDARG;
    /* One container per id: asking again gives the same one. */
    if ((*out = ucc_publisher_container(publisher, id)))
        return S_OK;
    if (!(container = calloc(1, sizeof(*container))))
        return E_OUTOFMEMORY;
    container->IUccContainer_iface.lpVtbl = &container_vtbl;
    container->refcount = 1;
    container->endpoint = endpoint;     /* weak: the publisher keeps the containers, the endpoint the publisher */
    container->id = id;
    container->members = g_ptr_array_new_with_free_func(release_unknown);
    g_ptr_array_add(publisher->containers, container);
    IUccContainer_AddRef(&container->IUccContainer_iface);
    *out = &container->IUccContainer_iface;
    return S_OK;
}

static HRESULT WINAPI manager_CreatePublishableCategoryInstance(IUccPublicationManager *iface, BSTR name,
                                                                LONG container, LONG instance_id,
                                                                UCC_CATEGORY_INSTANCE_EXPIRE_TYPE expire_type,
                                                                LONG expire_time, IUccCategoryInstance **out)
{
    if (!out)
        return E_POINTER;
    *out = NULL;
    if (!name || !*name || container < 0 || (unsigned int)expire_type > UCCCIET_TIME || expire_time < 0)
        return E_INVALIDARG;
    return ucc_category_instance_create_publishable(ucc_endpoint_from_publication_manager(iface), name, container,
                                                    instance_id, expire_type, expire_time, out);
}

static HRESULT WINAPI manager_CreateContainerMember(IUccPublicationManager *iface, BSTR uri,
                                                    UCC_CONTAINER_MEMBERSHIP_SCOPE scope, IUccContainerMember **out)
{
    struct ucc_endpoint *endpoint = ucc_endpoint_from_publication_manager(iface);
    struct ucc_container_member *member;

    if (!out)
        return E_POINTER;
    *out = NULL;
    if ((unsigned int)scope > UCCCMS_EVERYONE)
        return E_INVALIDARG;
    /* Everyone, company and federated need no URI; a user or domain does. */
    if ((scope == UCCCMS_USER || scope == UCCCMS_DOMAIN) && (!uri || !*uri))
        return E_INVALIDARG;
    if (!(member = calloc(1, sizeof(*member))))
        return E_OUTOFMEMORY;
    member->IUccContainerMember_iface.lpVtbl = &member_vtbl;
    member->refcount = 1;
    member->endpoint = endpoint;
    g_ptr_array_add(ucc_endpoint_publisher(endpoint)->members, member);
    member->uri = uri ? ucc_utf8(uri) : g_strdup("");
    member->scope = scope;
    *out = &member->IUccContainerMember_iface;
    return S_OK;
}

static HRESULT WINAPI manager_CreatePublication(IUccPublicationManager *iface, IUccPublication **out)
{
    struct ucc_endpoint *endpoint = ucc_endpoint_from_publication_manager(iface);
    struct publication *publication;

    if (!out)
        return E_POINTER;
    if (!(publication = calloc(1, sizeof(*publication))))
        return E_OUTOFMEMORY;
    publication->IUccPublication_iface.lpVtbl = &publication_vtbl;
    publication->IConnectionPointContainer_iface.lpVtbl = &publication_container_vtbl;
    publication->refcount = 1;
    publication->endpoint = endpoint;
    ucc_endpoint_add_ref(endpoint);
    publication->instances = g_ptr_array_new_with_free_func((GDestroyNotify)ucc_category_instance_release);
    connection_point_init(&publication->events, &publication->IConnectionPointContainer_iface,
                          &DIID__IUccPublicationEvent);
    *out = &publication->IUccPublication_iface;
    return S_OK;
}

/* Office Communications Server's category names (docs/ucc.md lists which are known and which chosen). */
static const WCHAR *const category_names[] =
{
    [UCCPCT_STATE] = L"state",
    [UCCPCT_NOTE] = L"note",
    [UCCPCT_CALENDARDATA] = L"calendarData",
    [UCCPCT_DEVICE] = L"device",
    [UCCPCT_SERVICE] = L"services",
    [UCCPCT_CONTACT_CARD] = L"contactCard",
    [UCCPCT_SERVER_CONFIGURATION] = L"serverConfiguration",
    [UCCPCT_MEETING_POLICY] = L"meetingPolicy",
    [UCCPCT_UC_POLICY] = L"ucPolicy",
    [UCCPCT_UC_USERPROPERTIES] = L"userProperties",
    [UCCPCT_UC_ROUTING] = L"routing",
};

static HRESULT WINAPI manager_GetPresenceCategoryName(IUccPublicationManager *iface, UCC_PRESENCE_CATEGORY_TYPE type,
                                                      BSTR *name)
{
    if (!name)
        return E_POINTER;
    *name = NULL;
    if ((unsigned int)type >= ARRAY_SIZE(category_names))
        return E_INVALIDARG;
    *name = SysAllocString(category_names[type]);
    return *name ? S_OK : E_OUTOFMEMORY;
}

const IUccPublicationManagerVtbl ucc_publication_manager_vtbl =
{
    manager_QueryInterface,
    manager_AddRef,
    manager_Release,
    manager_CreateContainer,
    manager_CreatePublishableCategoryInstance,
    manager_CreateContainerMember,
    manager_CreatePublication,
    manager_GetPresenceCategoryName,
};

/* ================================================================================================
 * Life cycle
 * ============================================================================================== */

struct ucc_publisher *ucc_publisher_create(struct ucc_endpoint *endpoint)
{
    struct ucc_publisher *publisher = g_new0(struct ucc_publisher, 1);
    char *token = g_uuid_string_random();

    publisher->endpoint = endpoint;
    publisher->items = g_ptr_array_new_with_free_func(item_free);
    publisher->containers = g_ptr_array_new_with_free_func(release_unknown);
    publisher->watchers = g_ptr_array_new_with_free_func((GDestroyNotify)sip_subscription_unref);
    publisher->members = g_ptr_array_new();
    g_queue_init(&publisher->pending);
    publisher->tuple_id = g_strndup(token, 8);
    g_free(token);
    return publisher;
}

void ucc_publisher_free(struct ucc_publisher *publisher)
{
    guint i;

    ucc_publisher_engine_gone(publisher);
    /* What the application still holds outlives us: it forgets the endpoint. */
    for (i = 0; i < publisher->members->len; i++)
        ((struct ucc_container_member *)g_ptr_array_index(publisher->members, i))->endpoint = NULL;
    for (i = 0; i < publisher->containers->len; i++)
        ((struct ucc_container *)g_ptr_array_index(publisher->containers, i))->endpoint = NULL;
    g_ptr_array_free(publisher->members, TRUE);
    g_ptr_array_free(publisher->items, TRUE);
    g_ptr_array_free(publisher->containers, TRUE);
    g_ptr_array_free(publisher->watchers, TRUE);
    g_free(publisher->tuple_id);
    g_free(publisher);
}
