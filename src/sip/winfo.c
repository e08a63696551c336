/*
 * Watcher information documents (RFC 3858), the body of presence.winfo
 * NOTIFYs (RFC 3857); see sip_presence.h.
 */
#ifndef G_LOG_DOMAIN
#define G_LOG_DOMAIN "rtcshim"
#endif

#include <stdlib.h>
#include <string.h>

#include "presence_xml.h"

static const char *const status_names[] = { "pending", "active", "waiting", "terminated" };
static const char *const event_names[] = { "subscribe", "approved", "deactivated", "probation",
                                           "rejected", "timeout", "giveup", "noresource" };

const char *sip_watcher_status_name(enum sip_watcher_status status)
{
    return (guint)status < G_N_ELEMENTS(status_names) ? status_names[status] : "pending";
}

const char *sip_watcher_event_name(enum sip_watcher_event event)
{
    return (guint)event < G_N_ELEMENTS(event_names) ? event_names[event] : "subscribe";
}

static int name_index(const char *const *names, gsize count, const char *value)
{
    gsize i;

    for (i = 0; value && i < count; i++)
        if (!strcmp(names[i], value))
            return (int)i;
    return -1;
}

static void watcher_free(gpointer data)
{
    struct sip_watcher *watcher = data;

    g_free(watcher->id);
    g_free(watcher->uri);
    g_free(watcher->display_name);
    g_free(watcher);
}

static void list_free(gpointer data)
{
    struct sip_watcher_list *list = data;

    g_free(list->resource);
    g_free(list->package);
    g_ptr_array_free(list->watchers, TRUE);
    g_free(list);
}

struct sip_watcherinfo *sip_watcherinfo_new(guint64 version, gboolean full)
{
    struct sip_watcherinfo *info = g_new0(struct sip_watcherinfo, 1);

    info->version = version;
    info->full = full;
    info->lists = g_ptr_array_new_with_free_func(list_free);
    return info;
}

void sip_watcherinfo_free(struct sip_watcherinfo *info)
{
    if (!info)
        return;
    g_ptr_array_free(info->lists, TRUE);
    g_free(info);
}

struct sip_watcher_list *sip_watcherinfo_add_list(struct sip_watcherinfo *info, const char *resource,
                                                  const char *package)
{
    struct sip_watcher_list *list = g_new0(struct sip_watcher_list, 1);

    list->resource = g_strdup(resource);
    list->package = g_strdup(package);
    list->watchers = g_ptr_array_new_with_free_func(watcher_free);
    g_ptr_array_add(info->lists, list);
    return list;
}

struct sip_watcher *sip_watcher_list_add(struct sip_watcher_list *list, const char *id, const char *uri,
                                         enum sip_watcher_status status, enum sip_watcher_event event)
{
    struct sip_watcher *watcher = g_new0(struct sip_watcher, 1);

    watcher->id = g_strdup(id);
    watcher->uri = g_strdup(uri);
    watcher->status = status;
    watcher->event = event;
    watcher->duration_subscribed = -1;
    g_ptr_array_add(list->watchers, watcher);
    return watcher;
}

/* ---- reading ------------------------------------------------------------------------------- */

static gboolean invalid(GError **error, const char *format, const char *detail)
{
    g_set_error(error, SIP_PRESENCE_ERROR, SIP_PRESENCE_ERROR_INVALID, format, detail ? detail : "");
    return FALSE;
}

static gboolean parse_unsigned(const char *text, guint64 *value)
{
    char *end;

    if (!text || !g_ascii_isdigit(*text))
        return FALSE;
    *value = g_ascii_strtoull(text, &end, 10);
    return !*end;
}

static gboolean read_watcher(struct sip_watcher_list *list, xmlNode *node, GError **error)
{
    char *id = presence_xml_attribute(node, "id"), *status = presence_xml_attribute(node, "status");
    char *event = presence_xml_attribute(node, "event"), *duration = presence_xml_attribute(node, "duration-subscribed");
    char *uri = presence_xml_text(node);
    int status_index = name_index(status_names, G_N_ELEMENTS(status_names), status);
    int event_index = name_index(event_names, G_N_ELEMENTS(event_names), event);
    gboolean ok = FALSE;
    guint64 seconds;

    if (!id || !*id)
        invalid(error, "a <watcher> without id%s", NULL);
    else if (status_index < 0)
        invalid(error, "watcher status \"%s\"", status);
    else if (event_index < 0)
        invalid(error, "watcher event \"%s\"", event);
    else if (!*uri)
        invalid(error, "watcher \"%s\" without URI", id);
    else
    {
        struct sip_watcher *watcher = sip_watcher_list_add(list, id, uri, status_index, event_index);

        watcher->display_name = presence_xml_attribute(node, "display-name");
        if (duration && parse_unsigned(duration, &seconds) && seconds <= G_MAXINT64)
            watcher->duration_subscribed = (gint64)seconds;
        ok = TRUE;
    }
    g_free(id);
    g_free(status);
    g_free(event);
    g_free(duration);
    g_free(uri);
    return ok;
}

static gboolean read_list(struct sip_watcherinfo *info, xmlNode *node, GError **error)
{
    char *resource = presence_xml_attribute(node, "resource"), *package = presence_xml_attribute(node, "package");
    struct sip_watcher_list *list;
    xmlNode *child;

    if (!resource || !*resource || !package || !*package)
    {
        g_free(resource);
        g_free(package);
        return invalid(error, "a <watcher-list> without resource or package%s", NULL);
    }
    list = sip_watcherinfo_add_list(info, resource, package);
    g_free(resource);
    g_free(package);
    for (child = presence_xml_element(node->children); child; child = presence_xml_element(child->next))
        if (presence_xml_is(child, SIP_WATCHERINFO_NS, "watcher") && !read_watcher(list, child, error))
            return FALSE;
    return TRUE;
}

struct sip_watcherinfo *sip_watcherinfo_parse(const char *body, gsize length, GError **error)
{
    struct sip_watcherinfo *info;
    char *version, *state;
    xmlDocPtr parsed;
    xmlNode *root, *child;
    guint64 number;

    if (!(parsed = presence_xml_read(body, length, error)))
        return NULL;
    root = xmlDocGetRootElement(parsed);
    if (!presence_xml_is(root, SIP_WATCHERINFO_NS, "watcherinfo"))
    {
        xmlFreeDoc(parsed);
        invalid(error, "the root is not <watcherinfo> of " SIP_WATCHERINFO_NS "%s", NULL);
        return NULL;
    }
    version = presence_xml_attribute(root, "version");
    state = presence_xml_attribute(root, "state");
    if (!parse_unsigned(version, &number) || !state || (strcmp(state, "full") && strcmp(state, "partial")))
    {
        invalid(error, "bad version or state on <watcherinfo>%s", NULL);
        g_free(version);
        g_free(state);
        xmlFreeDoc(parsed);
        return NULL;
    }
    info = sip_watcherinfo_new(number, !strcmp(state, "full"));
    g_free(version);
    g_free(state);
    for (child = presence_xml_element(root->children); child; child = presence_xml_element(child->next))
        if (presence_xml_is(child, SIP_WATCHERINFO_NS, "watcher-list") && !read_list(info, child, error))
        {
            sip_watcherinfo_free(info);
            xmlFreeDoc(parsed);
            return NULL;
        }
    xmlFreeDoc(parsed);
    return info;
}

/* ---- writing -------------------------------------------------------------------------------- */

char *sip_watcherinfo_build(const struct sip_watcherinfo *info, gsize *length, GError **error)
{
    char number[32];
    xmlDocPtr xml;
    xmlNodePtr root;
    xmlNsPtr ns;
    char *text;
    guint i, j;

    for (i = 0; i < info->lists->len; i++)
    {
        const struct sip_watcher_list *list = g_ptr_array_index(info->lists, i);

        if (!list->resource || !list->package)
        {
            g_set_error_literal(error, SIP_PRESENCE_ERROR, SIP_PRESENCE_ERROR_INVALID, "a list without resource or package");
            return NULL;
        }
        for (j = 0; j < list->watchers->len; j++)
        {
            const struct sip_watcher *watcher = g_ptr_array_index(list->watchers, j);

            if (!watcher->id || !watcher->uri)
            {
                g_set_error_literal(error, SIP_PRESENCE_ERROR, SIP_PRESENCE_ERROR_INVALID, "a watcher without id or URI");
                return NULL;
            }
        }
    }
    xml = xmlNewDoc((const xmlChar *)"1.0");
    root = xmlNewNode(NULL, (const xmlChar *)"watcherinfo");
    xmlDocSetRootElement(xml, root);
    ns = xmlNewNs(root, (const xmlChar *)SIP_WATCHERINFO_NS, NULL);
    xmlSetNs(root, ns);
    g_snprintf(number, sizeof(number), "%" G_GUINT64_FORMAT, info->version);
    xmlNewProp(root, (const xmlChar *)"version", (const xmlChar *)number);
    xmlNewProp(root, (const xmlChar *)"state", (const xmlChar *)(info->full ? "full" : "partial"));
    for (i = 0; i < info->lists->len; i++)
    {
        const struct sip_watcher_list *list = g_ptr_array_index(info->lists, i);
        xmlNodePtr node = xmlNewChild(root, ns, (const xmlChar *)"watcher-list", NULL);

        xmlNewProp(node, (const xmlChar *)"resource", (const xmlChar *)list->resource);
        xmlNewProp(node, (const xmlChar *)"package", (const xmlChar *)list->package);
        for (j = 0; j < list->watchers->len; j++)
        {
            const struct sip_watcher *watcher = g_ptr_array_index(list->watchers, j);
            xmlNodePtr item = xmlNewTextChild(node, ns, (const xmlChar *)"watcher", (const xmlChar *)watcher->uri);

            xmlNewProp(item, (const xmlChar *)"id", (const xmlChar *)watcher->id);
            xmlNewProp(item, (const xmlChar *)"event", (const xmlChar *)sip_watcher_event_name(watcher->event));
            xmlNewProp(item, (const xmlChar *)"status", (const xmlChar *)sip_watcher_status_name(watcher->status));
            if (watcher->display_name)
                xmlNewProp(item, (const xmlChar *)"display-name", (const xmlChar *)watcher->display_name);
            if (watcher->duration_subscribed >= 0)
            {
                g_snprintf(number, sizeof(number), "%" G_GINT64_FORMAT, watcher->duration_subscribed);
                xmlNewProp(item, (const xmlChar *)"duration-subscribed", (const xmlChar *)number);
            }
        }
    }
    text = presence_xml_dump(xml, length);
    xmlFreeDoc(xml);
    return text;
}
