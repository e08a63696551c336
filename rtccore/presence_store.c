/*
 * The presence store: the persistent buddies, watchers (the access list)
 * and groups, as a small XML document (docs/porting.md, "Presence store"),
 * in the file or IStream given to EnablePresence(Ex), Export and Import.
 * Read with GMarkup, which suffices for this flat vocabulary of our own;
 * written with escaped attribute values. A document is applied only when
 * all of it could be read: a broken store changes nothing.
 *
 *   <presence-store xmlns="urn:rtcshim:presence-store" version="1">
 *     <buddy uri="sip:bob@example.com" name="Bob" data="" type="subscribed"/>
 *     <watcher uri="sip:eve@example.com" name="" data="" state="blocked" scope="user"/>
 *     <group name="Friends" data=""><member uri="sip:bob@example.com"/></group>
 *   </presence-store>
 */
#include <string.h>
#include "presence.h"
#include "profile.h"

#define STORE_NAMESPACE "urn:rtcshim:presence-store"
#define STORE_MAX_BYTES (4u << 20)

static const char *const buddy_types[] = { "subscribed", "always-offline", "always-online", "poll" };
static const char *const watcher_states[] = { "unknown", "offering", "allowed", "blocked", "denied", "prompt" };
static const char *const scopes[] = { "user", "domain", "all" };

struct stored_contact
{
    char *uri;
    char *name;
    char *data;
    int kind;                   /* buddy type or watcher state */
    int scope;
};

struct stored_group
{
    char *name;
    char *data;
    GPtrArray *members;         /* char * URIs */
};

struct store
{
    GPtrArray *buddies;         /* struct stored_contact * */
    GPtrArray *watchers;
    GPtrArray *groups;          /* struct stored_group * */
    struct stored_group *current;
    gboolean seen_root;
};

static void contact_free(gpointer data)
{
    struct stored_contact *contact = data;

    g_free(contact->uri);
    g_free(contact->name);
    g_free(contact->data);
    g_free(contact);
}

static void group_free(gpointer data)
{
    struct stored_group *group = data;

    g_free(group->name);
    g_free(group->data);
    g_ptr_array_free(group->members, TRUE);
    g_free(group);
}

static void store_init(struct store *store)
{
    memset(store, 0, sizeof(*store));
    store->buddies = g_ptr_array_new_with_free_func(contact_free);
    store->watchers = g_ptr_array_new_with_free_func(contact_free);
    store->groups = g_ptr_array_new_with_free_func(group_free);
}

static void store_clear(struct store *store)
{
    g_ptr_array_free(store->buddies, TRUE);
    g_ptr_array_free(store->watchers, TRUE);
    g_ptr_array_free(store->groups, TRUE);
}

/* ---- reading -------------------------------------------------------------------------------- */

static int name_index(const char *const *names, gsize count, const char *value)
{
    gsize i;

    for (i = 0; value && i < count; i++)
        if (!strcmp(names[i], value))
            return (int)i;
    return -1;
}

static gboolean bad(GError **error, const char *message, const char *detail)
{
    g_set_error(error, G_MARKUP_ERROR, G_MARKUP_ERROR_INVALID_CONTENT, message, detail ? detail : "");
    return FALSE;
}

/* A normalised sip: URI, or a GError. */
static char *checked_uri(const char *uri, GError **error)
{
    char *normalized = NULL;

    if (!uri || FAILED(rtc_profile_normalize_sip_uri(uri, &normalized)))
    {
        bad(error, "\"%s\" is not a SIP URI", uri);
        return NULL;
    }
    return normalized;
}

static void start_element(GMarkupParseContext *context, const char *element, const char **names,
                          const char **values, gpointer user_data, GError **error)
{
    struct store *store = user_data;
    const char *uri = NULL, *name = NULL, *data = NULL, *type = NULL, *state = NULL, *scope = NULL, *version = NULL;
    const char *xmlns = NULL;
    struct stored_contact *contact;
    char *normalized;

    if (!g_markup_collect_attributes(element, names, values, error,
                                     G_MARKUP_COLLECT_STRING | G_MARKUP_COLLECT_OPTIONAL, "uri", &uri,
                                     G_MARKUP_COLLECT_STRING | G_MARKUP_COLLECT_OPTIONAL, "name", &name,
                                     G_MARKUP_COLLECT_STRING | G_MARKUP_COLLECT_OPTIONAL, "data", &data,
                                     G_MARKUP_COLLECT_STRING | G_MARKUP_COLLECT_OPTIONAL, "type", &type,
                                     G_MARKUP_COLLECT_STRING | G_MARKUP_COLLECT_OPTIONAL, "state", &state,
                                     G_MARKUP_COLLECT_STRING | G_MARKUP_COLLECT_OPTIONAL, "scope", &scope,
                                     G_MARKUP_COLLECT_STRING | G_MARKUP_COLLECT_OPTIONAL, "version", &version,
                                     G_MARKUP_COLLECT_STRING | G_MARKUP_COLLECT_OPTIONAL, "xmlns", &xmlns,
                                     G_MARKUP_COLLECT_INVALID))
        return;
    if (!store->seen_root)
    {
        if (strcmp(element, "presence-store") || g_strcmp0(xmlns, STORE_NAMESPACE) || g_strcmp0(version, "1"))
            bad(error, "not a presence store (version 1)%s", NULL);
        store->seen_root = TRUE;
        return;
    }
    if (!strcmp(element, "buddy") || !strcmp(element, "watcher"))
    {
        gboolean buddy = !strcmp(element, "buddy");
        int kind = buddy ? (type ? name_index(buddy_types, G_N_ELEMENTS(buddy_types), type) : RTCBT_SUBSCRIBED)
                         : name_index(watcher_states, G_N_ELEMENTS(watcher_states), state);
        int where = scope ? name_index(scopes, G_N_ELEMENTS(scopes), scope) : RTCAS_SCOPE_USER;

        if (store->current || kind < 0 || where < 0 || (buddy && kind == RTCBT_POLL))
        {
            bad(error, "bad <%s> entry", element);
            return;
        }
        if (!(normalized = checked_uri(uri, error)))
            return;
        contact = g_new0(struct stored_contact, 1);
        contact->uri = normalized;
        contact->name = g_strdup(name);
        contact->data = g_strdup(data);
        contact->kind = kind;
        contact->scope = where;
        g_ptr_array_add(buddy ? store->buddies : store->watchers, contact);
    }
    else if (!strcmp(element, "group"))
    {
        if (store->current || !name || !*name)
        {
            bad(error, "bad <group> entry%s", NULL);
            return;
        }
        store->current = g_new0(struct stored_group, 1);
        store->current->name = g_strdup(name);
        store->current->data = g_strdup(data);
        store->current->members = g_ptr_array_new_with_free_func(g_free);
        g_ptr_array_add(store->groups, store->current);
    }
    else if (!strcmp(element, "member"))
    {
        if (!store->current)
        {
            bad(error, "<member> outside a <group>%s", NULL);
            return;
        }
        if ((normalized = checked_uri(uri, error)))
            g_ptr_array_add(store->current->members, normalized);
    }
    else
        bad(error, "unknown element <%s>", element);
}

static void end_element(GMarkupParseContext *context, const char *element, gpointer user_data, GError **error)
{
    struct store *store = user_data;

    if (!strcmp(element, "group"))
        store->current = NULL;
}

static const GMarkupParser store_parser = { start_element, end_element, NULL, NULL, NULL };

static gboolean store_parse(struct store *store, const char *text, gsize length, GError **error)
{
    GMarkupParseContext *context = g_markup_parse_context_new(&store_parser, G_MARKUP_PREFIX_ERROR_POSITION, store,
                                                              NULL);
    gboolean ok = g_markup_parse_context_parse(context, text, length, error)
                  && g_markup_parse_context_end_parse(context, error);

    g_markup_parse_context_free(context);
    if (ok && !store->seen_root)
        ok = bad(error, "empty store%s", NULL);
    return ok;
}

/* The storage a VARIANT names: a file name (VT_BSTR) or an IStream (VT_UNKNOWN / VT_DISPATCH). */
static HRESULT storage_of(const VARIANT *storage, char **path, IStream **stream)
{
    const VARIANT *value = storage;

    *path = NULL;
    *stream = NULL;
    if (!value)
        return E_POINTER;
    if (V_VT(value) == (VT_BYREF | VT_VARIANT))
        value = V_VARIANTREF(value);
    switch (V_VT(value))
    {
    case VT_BSTR:
        if (!V_BSTR(value) || !*V_BSTR(value))
            return E_INVALIDARG;
        *path = com_utf8_from_wstr(V_BSTR(value));
        return S_OK;
    case VT_UNKNOWN:
    case VT_DISPATCH:
        if (!V_UNKNOWN(value)
            || FAILED(IUnknown_QueryInterface(V_UNKNOWN(value), &IID_IStream, (void **)stream)))
            return E_INVALIDARG;
        return S_OK;
    default:
        return E_INVALIDARG;
    }
}

static HRESULT read_stream(IStream *stream, char **text, gsize *length)
{
    GByteArray *bytes = g_byte_array_new();
    LARGE_INTEGER start = { .QuadPart = 0 };
    guint8 buffer[4096];
    ULONG got = 0;
    HRESULT hr;

    IStream_Seek(stream, start, STREAM_SEEK_SET, NULL);
    do
    {
        hr = IStream_Read(stream, buffer, sizeof(buffer), &got);
        if (FAILED(hr) || bytes->len + got > STORE_MAX_BYTES)
        {
            g_byte_array_free(bytes, TRUE);
            return FAILED(hr) ? hr : E_INVALIDARG;
        }
        g_byte_array_append(bytes, buffer, got);
    } while (hr == S_OK && got);
    *length = bytes->len;
    g_byte_array_append(bytes, (const guint8 *)"", 1);
    *text = (char *)g_byte_array_free(bytes, FALSE);
    return S_OK;
}

/* Reads the store that storage names. S_FALSE: it could not be read (error says why). */
static HRESULT store_read(const VARIANT *storage, struct store *store, GError **error)
{
    IStream *stream;
    char *path, *text = NULL;
    gsize length = 0;
    HRESULT hr;

    if (FAILED(hr = storage_of(storage, &path, &stream)))
        return hr;
    if (path)
    {
        gboolean ok = g_file_get_contents(path, &text, &length, error);

        g_free(path);
        if (!ok)
            return S_FALSE;
        if (length > STORE_MAX_BYTES)
        {
            g_free(text);
            bad(error, "the store is too large%s", NULL);
            return S_FALSE;
        }
    }
    else
    {
        hr = read_stream(stream, &text, &length);
        IStream_Release(stream);
        if (FAILED(hr))
        {
            bad(error, "the stream cannot be read%s", NULL);
            return S_FALSE;
        }
    }
    hr = store_parse(store, text, length, error) ? S_OK : S_FALSE;
    g_free(text);
    return hr;
}

/* ---- applying ------------------------------------------------------------------------------ */

static WCHAR *wide(const char *utf8)
{
    return utf8 ? (WCHAR *)com_bstr_from_utf8(utf8) : NULL;
}

/* Adds what store holds that the lists do not have yet; fire: ADD events (Import). */
static void store_apply(struct presence *presence, struct store *store, BOOL fire)
{
    GPtrArray *started = g_ptr_array_new();
    guint i, j;

    for (i = 0; i < store->buddies->len; i++)
    {
        struct stored_contact *contact = g_ptr_array_index(store->buddies, i);
        WCHAR *name = wide(contact->name), *data = wide(contact->data);
        struct buddy *buddy;

        if (!presence_find_buddy(presence, contact->uri)
            && SUCCEEDED(buddy_create(presence, contact->uri, name, data, TRUE, contact->kind, NULL, &buddy)))
        {
            presence_add_buddy(presence, buddy);
            g_ptr_array_add(started, buddy);
            buddy_release(buddy);
        }
        SysFreeString((BSTR)name);
        SysFreeString((BSTR)data);
    }
    for (i = 0; i < store->watchers->len; i++)
    {
        struct stored_contact *contact = g_ptr_array_index(store->watchers, i);
        WCHAR *name = wide(contact->name), *data = wide(contact->data);
        struct watcher *watcher;

        if (!watcher_find_entry(presence, contact->uri, contact->scope)
            && SUCCEEDED(watcher_create(presence, contact->uri, name, data, contact->kind, TRUE, contact->scope, NULL,
                                        &watcher)))
        {
            presence_add_watcher(presence, watcher);
            if (fire)
                presence_fire_watcher_event(presence, watcher, RTCWET_WATCHER_ADD, S_OK);
            watcher_release(watcher);
        }
        SysFreeString((BSTR)name);
        SysFreeString((BSTR)data);
    }
    for (i = 0; i < store->groups->len; i++)
    {
        struct stored_group *stored = g_ptr_array_index(store->groups, i);
        WCHAR *name = wide(stored->name), *data = wide(stored->data);
        struct buddy_group *group = presence_find_group(presence, name);

        if (!group && SUCCEEDED(buddy_group_create(presence, name, data, NULL, &group)))
        {
            presence_add_group(presence, group);
            if (fire)
                presence_fire_group_event(presence, group, RTCGET_GROUP_ADD, NULL, S_OK);
            buddy_group_release(group);
        }
        for (j = 0; group && j < stored->members->len; j++)
        {
            struct buddy *buddy = presence_find_buddy(presence, g_ptr_array_index(stored->members, j));

            if (buddy && !buddy_group_contains(group, buddy))
                buddy_group_add_member(group, buddy);
        }
        SysFreeString((BSTR)name);
        SysFreeString((BSTR)data);
    }
    /* Buddies announce themselves and subscribe once every list is complete. */
    for (i = 0; i < started->len; i++)
    {
        if (fire)
            presence_fire_buddy_event(presence, g_ptr_array_index(started, i), RTCBET_BUDDY_ADD, S_OK, NULL);
        buddy_start(g_ptr_array_index(started, i));
    }
    g_ptr_array_free(started, TRUE);
}

HRESULT presence_store_load(struct presence *presence, const VARIANT *storage)
{
    struct store store;
    GError *error = NULL;
    HRESULT hr;

    store_init(&store);
    hr = store_read(storage, &store, &error);
    /* No file yet is a first start: it is written at the first change. */
    if (hr == S_FALSE && g_error_matches(error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        hr = S_OK;
    else if (hr == S_OK)
    {
        presence->loading = TRUE;
        store_apply(presence, &store, FALSE);
        presence->loading = FALSE;
    }
    else if (error)
        g_message("presence store not loaded: %s", error->message);
    g_clear_error(&error);
    store_clear(&store);
    return hr;
}

HRESULT presence_store_import(struct presence *presence, const VARIANT *storage, BOOL replace)
{
    struct store store;
    GError *error = NULL;
    HRESULT hr;

    store_init(&store);
    hr = store_read(storage, &store, &error);
    if (hr == S_FALSE)
    {
        /* Unlike EnablePresence, Import has nothing else to do: a store it cannot read is its failure. */
        hr = error && error->domain == G_MARKUP_ERROR ? RTC_E_MALFORMED_XML
                                                      : HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND);
        g_message("presence store not imported: %s", error ? error->message : "?");
    }
    if (hr == S_OK)
    {
        if (replace)
            presence_clear_lists(presence, TRUE);
        store_apply(presence, &store, TRUE);
        presence_save(presence);
    }
    g_clear_error(&error);
    store_clear(&store);
    return hr;
}

/* ---- writing ------------------------------------------------------------------------------- */

static void append_attribute(GString *xml, const char *name, const char *value)
{
    char *escaped = g_markup_escape_text(value ? value : "", -1);

    g_string_append_printf(xml, " %s=\"%s\"", name, escaped);
    g_free(escaped);
}

static void append_bstr_attribute(GString *xml, const char *name, BSTR value)
{
    char *utf8 = value ? com_utf8_from_wstr(value) : NULL;

    append_attribute(xml, name, utf8);
    g_free(utf8);
}

static char *store_text(struct presence *presence)
{
    GString *xml = g_string_new("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                                "<presence-store xmlns=\"" STORE_NAMESPACE "\" version=\"1\">\n");
    guint i, j;

    for (i = 0; i < presence->buddies->len; i++)
    {
        struct buddy *buddy = g_ptr_array_index(presence->buddies, i);

        if (!buddy_persistent(buddy))
            continue;
        g_string_append(xml, "  <buddy");
        append_attribute(xml, "uri", buddy_uri(buddy));
        append_bstr_attribute(xml, "name", buddy_name(buddy));
        append_bstr_attribute(xml, "data", buddy_data(buddy));
        append_attribute(xml, "type", buddy_types[buddy_type(buddy)]);
        g_string_append(xml, "/>\n");
    }
    for (i = 0; i < presence->watchers->len; i++)
    {
        struct watcher *watcher = g_ptr_array_index(presence->watchers, i);

        if (!watcher_persistent(watcher) || (guint)watcher_state(watcher) >= G_N_ELEMENTS(watcher_states))
            continue;
        g_string_append(xml, "  <watcher");
        append_attribute(xml, "uri", watcher_uri(watcher));
        append_bstr_attribute(xml, "name", watcher_name(watcher));
        append_bstr_attribute(xml, "data", watcher_data(watcher));
        append_attribute(xml, "state", watcher_states[watcher_state(watcher)]);
        append_attribute(xml, "scope", scopes[watcher_scope(watcher)]);
        g_string_append(xml, "/>\n");
    }
    for (i = 0; i < presence->groups->len; i++)
    {
        struct buddy_group *group = g_ptr_array_index(presence->groups, i);
        GPtrArray *members = buddy_group_members(group);

        g_string_append(xml, "  <group");
        append_bstr_attribute(xml, "name", buddy_group_name(group));
        append_bstr_attribute(xml, "data", buddy_group_data(group));
        g_string_append(xml, ">\n");
        for (j = 0; j < members->len; j++)
        {
            if (!buddy_persistent(g_ptr_array_index(members, j)))
                continue;
            g_string_append(xml, "    <member");
            append_attribute(xml, "uri", buddy_uri(g_ptr_array_index(members, j)));
            g_string_append(xml, "/>\n");
        }
        g_string_append(xml, "  </group>\n");
    }
    g_string_append(xml, "</presence-store>\n");
    return g_string_free(xml, FALSE);
}

static HRESULT write_stream(IStream *stream, const char *text)
{
    LARGE_INTEGER start = { .QuadPart = 0 };
    ULARGE_INTEGER size = { .QuadPart = strlen(text) };
    ULONG written = 0;
    HRESULT hr;

    /* The stream holds the store alone: from its start, cut to its length. */
    IStream_Seek(stream, start, STREAM_SEEK_SET, NULL);
    if (FAILED(hr = IStream_Write(stream, text, (ULONG)size.QuadPart, &written)))
        return hr;
    if (written != size.QuadPart)
        return STG_E_MEDIUMFULL;
    IStream_SetSize(stream, size);
    return S_OK;
}

HRESULT presence_store_write(struct presence *presence, const VARIANT *storage)
{
    IStream *stream;
    char *path, *text;
    GError *error = NULL;
    HRESULT hr;

    if (FAILED(hr = storage_of(storage, &path, &stream)))
        return hr;
    text = store_text(presence);
    if (path)
    {
        if (!g_file_set_contents(path, text, -1, &error))
        {
            g_message("presence store not written: %s", error->message);
            hr = error->domain == G_FILE_ERROR && error->code == G_FILE_ERROR_ACCES ? E_ACCESSDENIED : E_FAIL;
            g_error_free(error);
        }
        g_free(path);
    }
    else
    {
        hr = write_stream(stream, text);
        IStream_Release(stream);
    }
    g_free(text);
    return hr;
}
