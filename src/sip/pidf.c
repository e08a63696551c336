/*
 * PIDF documents (RFC 3863) with the data model (RFC 4479), RPID (RFC 4480)
 * and CIPID (RFC 4482) elements rtcshim maps; see sip_presence.h.
 * Read with libxml2 (presence_xml.c), written with libxml2's tree API.
 */
#ifndef G_LOG_DOMAIN
#define G_LOG_DOMAIN "rtcshim"
#endif

#include <stdlib.h>
#include <string.h>

#include "presence_xml.h"

/* ---- the document ------------------------------------------------------------------------ */

static void tuple_free(gpointer data)
{
    struct sip_presence_tuple *tuple = data;

    g_free(tuple->id);
    g_free(tuple->contact);
    g_free(tuple->note);
    g_free(tuple->device_id);
    g_free(tuple->timestamp);
    g_free(tuple);
}

static void person_free(gpointer data)
{
    struct sip_presence_person *person = data;

    g_free(person->id);
    g_ptr_array_free(person->activities, TRUE);
    g_free(person->other_activity);
    g_free(person->place_type);
    g_free(person->display_name);
    g_free(person->note);
    g_free(person);
}

static void device_free(gpointer data)
{
    struct sip_presence_device *device = data;

    g_free(device->id);
    g_free(device->device_id);
    g_free(device->note);
    g_free(device);
}

static void extension_free(gpointer data)
{
    struct sip_presence_extension *extension = data;

    g_free(extension->namespace_uri);
    g_free(extension->xml);
    g_free(extension);
}

struct sip_presence_document *sip_presence_document_new(const char *entity)
{
    struct sip_presence_document *document = g_new0(struct sip_presence_document, 1);

    document->entity = g_strdup(entity);
    document->tuples = g_ptr_array_new_with_free_func(tuple_free);
    document->persons = g_ptr_array_new_with_free_func(person_free);
    document->devices = g_ptr_array_new_with_free_func(device_free);
    document->extensions = g_ptr_array_new_with_free_func(extension_free);
    return document;
}

void sip_presence_document_free(struct sip_presence_document *document)
{
    if (!document)
        return;
    g_free(document->entity);
    g_ptr_array_free(document->tuples, TRUE);
    g_ptr_array_free(document->persons, TRUE);
    g_ptr_array_free(document->devices, TRUE);
    g_ptr_array_free(document->extensions, TRUE);
    g_free(document->note);
    g_free(document);
}

struct sip_presence_tuple *sip_presence_document_add_tuple(struct sip_presence_document *document, const char *id)
{
    struct sip_presence_tuple *tuple = g_new0(struct sip_presence_tuple, 1);

    tuple->id = g_strdup(id);
    tuple->priority = -1;
    g_ptr_array_add(document->tuples, tuple);
    return tuple;
}

struct sip_presence_person *sip_presence_document_add_person(struct sip_presence_document *document, const char *id)
{
    struct sip_presence_person *person = g_new0(struct sip_presence_person, 1);

    person->id = g_strdup(id);
    person->activities = g_ptr_array_new_with_free_func(g_free);
    g_ptr_array_add(document->persons, person);
    return person;
}

struct sip_presence_device *sip_presence_document_add_device(struct sip_presence_document *document, const char *id)
{
    struct sip_presence_device *device = g_new0(struct sip_presence_device, 1);

    device->id = g_strdup(id);
    g_ptr_array_add(document->devices, device);
    return device;
}

/* Namespaces whose elements rtcshim reads itself: never extensions. */
static gboolean known_namespace(const char *ns)
{
    return ns && (!strcmp(ns, SIP_PIDF_NS) || !strcmp(ns, SIP_PIDF_DM_NS) || !strcmp(ns, SIP_PIDF_RPID_NS)
                  || !strcmp(ns, SIP_PIDF_CIPID_NS));
}

gboolean sip_presence_document_add_extension(struct sip_presence_document *document, const char *namespace_uri,
                                             const char *xml, GError **error)
{
    struct sip_presence_extension *extension;
    GError *parse_error = NULL;
    xmlDocPtr parsed;
    xmlNode *root;
    const char *ns;

    if (!namespace_uri || !*namespace_uri || known_namespace(namespace_uri))
    {
        g_set_error(error, SIP_PRESENCE_ERROR, SIP_PRESENCE_ERROR_INVALID, "\"%s\" cannot be an extension namespace",
                    namespace_uri ? namespace_uri : "");
        return FALSE;
    }
    if (!(parsed = presence_xml_read(xml, xml ? strlen(xml) : 0, &parse_error)))
    {
        g_set_error(error, SIP_PRESENCE_ERROR, SIP_PRESENCE_ERROR_INVALID, "presence data: %s", parse_error->message);
        g_error_free(parse_error);
        return FALSE;
    }
    root = xmlDocGetRootElement(parsed);
    ns = presence_xml_ns(root);
    if (!ns || strcmp(ns, namespace_uri))
    {
        g_set_error(error, SIP_PRESENCE_ERROR, SIP_PRESENCE_ERROR_INVALID,
                    "presence data: the element is in namespace \"%s\", not \"%s\"", ns ? ns : "", namespace_uri);
        xmlFreeDoc(parsed);
        return FALSE;
    }
    extension = g_new0(struct sip_presence_extension, 1);
    extension->namespace_uri = g_strdup(namespace_uri);
    extension->xml = presence_xml_dump_element(root);
    g_ptr_array_add(document->extensions, extension);
    xmlFreeDoc(parsed);
    return TRUE;
}

/* ---- reading -------------------------------------------------------------------------------- */

static gboolean invalid(GError **error, const char *message)
{
    g_set_error_literal(error, SIP_PRESENCE_ERROR, SIP_PRESENCE_ERROR_INVALID, message);
    return FALSE;
}

static void keep_first(char **field, const xmlNode *node)
{
    if (!*field)
        *field = presence_xml_text(node);
}

static gboolean read_status(struct sip_presence_tuple *tuple, xmlNode *status, GError **error)
{
    xmlNode *child;

    for (child = presence_xml_element(status->children); child; child = presence_xml_element(child->next))
    {
        char *value;

        if (!presence_xml_is(child, SIP_PIDF_NS, "basic"))
            continue;   /* <status> may carry extensions */
        value = presence_xml_text(child);
        /* Anything else (baresip sends "?" before its user chose a status) says
         * nothing: read as no <basic>, not as a broken document. */
        if (!strcmp(value, "open"))
            tuple->basic = SIP_PRESENCE_BASIC_OPEN;
        else if (!strcmp(value, "closed"))
            tuple->basic = SIP_PRESENCE_BASIC_CLOSED;
        else
            g_debug("tuple %s: <basic>%s</basic> is neither open nor closed: taken as unknown", tuple->id, value);
        g_free(value);
    }
    return TRUE;
}

static gboolean read_tuple(struct sip_presence_document *document, xmlNode *node, GError **error)
{
    char *id = presence_xml_attribute(node, "id");
    struct sip_presence_tuple *tuple;
    gboolean have_status = FALSE;
    xmlNode *child;

    if (!id || !*id)
    {
        g_free(id);
        return invalid(error, "a <tuple> without id");
    }
    tuple = sip_presence_document_add_tuple(document, id);
    g_free(id);
    for (child = presence_xml_element(node->children); child; child = presence_xml_element(child->next))
    {
        if (presence_xml_is(child, SIP_PIDF_NS, "status"))
        {
            have_status = TRUE;
            if (!read_status(tuple, child, error))
                return FALSE;
        }
        else if (presence_xml_is(child, SIP_PIDF_NS, "contact") && !tuple->contact)
        {
            char *priority = presence_xml_attribute(child, "priority");

            tuple->contact = presence_xml_text(child);
            if (priority)
            {
                char *end;
                double value = g_ascii_strtod(priority, &end);

                if (end != priority && !*end && value >= 0 && value <= 1)
                    tuple->priority = value;
                g_free(priority);
            }
        }
        else if (presence_xml_is(child, SIP_PIDF_NS, "note"))
            keep_first(&tuple->note, child);
        else if (presence_xml_is(child, SIP_PIDF_NS, "timestamp"))
            keep_first(&tuple->timestamp, child);
        else if (presence_xml_is(child, SIP_PIDF_DM_NS, "deviceID"))
            keep_first(&tuple->device_id, child);
    }
    if (!have_status)
        return invalid(error, "a <tuple> without <status>");
    return TRUE;
}

/* An element name we may write again (a prefix libxml2 could not resolve stays in the name). */
static gboolean valid_element_name(const char *name)
{
    return name && *name && xmlValidateNCName((const xmlChar *)name, 0) == 0;
}

static void read_activities(struct sip_presence_person *person, xmlNode *node)
{
    xmlNode *child;

    for (child = presence_xml_element(node->children); child; child = presence_xml_element(child->next))
    {
        const char *ns = presence_xml_ns(child);

        if (!ns || strcmp(ns, SIP_PIDF_RPID_NS))
            continue;
        if (!strcmp((const char *)child->name, "other"))
            keep_first(&person->other_activity, child);
        else if (valid_element_name((const char *)child->name))
            g_ptr_array_add(person->activities, g_strdup((const char *)child->name));
    }
}

static void read_person(struct sip_presence_document *document, xmlNode *node)
{
    char *id = presence_xml_attribute(node, "id");
    struct sip_presence_person *person = sip_presence_document_add_person(document, id);
    xmlNode *child;

    g_free(id);
    for (child = presence_xml_element(node->children); child; child = presence_xml_element(child->next))
    {
        if (presence_xml_is(child, SIP_PIDF_RPID_NS, "activities"))
            read_activities(person, child);
        else if (presence_xml_is(child, SIP_PIDF_RPID_NS, "user-input"))
        {
            char *value = presence_xml_text(child);

            person->idle = !strcmp(value, "idle");
            g_free(value);
        }
        else if (presence_xml_is(child, SIP_PIDF_RPID_NS, "place-type") && !person->place_type)
        {
            xmlNode *type = presence_xml_element(child->children);

            if (type && valid_element_name((const char *)type->name))
                person->place_type = g_strdup((const char *)type->name);
        }
        else if (presence_xml_is(child, SIP_PIDF_CIPID_NS, "display-name"))
            keep_first(&person->display_name, child);
        else if (presence_xml_is(child, SIP_PIDF_DM_NS, "note"))
            keep_first(&person->note, child);
    }
}

static void read_device(struct sip_presence_document *document, xmlNode *node)
{
    char *id = presence_xml_attribute(node, "id");
    struct sip_presence_device *device = sip_presence_document_add_device(document, id);
    xmlNode *child;

    g_free(id);
    for (child = presence_xml_element(node->children); child; child = presence_xml_element(child->next))
    {
        if (presence_xml_is(child, SIP_PIDF_DM_NS, "deviceID"))
            keep_first(&device->device_id, child);
        else if (presence_xml_is(child, SIP_PIDF_DM_NS, "note"))
            keep_first(&device->note, child);
    }
}

struct sip_presence_document *sip_pidf_parse(const char *body, gsize length, GError **error)
{
    struct sip_presence_document *document;
    xmlDocPtr parsed;
    xmlNode *root, *child;
    char *entity;

    if (!(parsed = presence_xml_read(body, length, error)))
        return NULL;
    root = xmlDocGetRootElement(parsed);
    if (!presence_xml_is(root, SIP_PIDF_NS, "presence"))
    {
        xmlFreeDoc(parsed);
        invalid(error, "the root is not <presence> of " SIP_PIDF_NS);
        return NULL;
    }
    entity = presence_xml_attribute(root, "entity");
    if (!entity || !*entity)
    {
        g_free(entity);
        xmlFreeDoc(parsed);
        invalid(error, "<presence> without entity");
        return NULL;
    }
    document = sip_presence_document_new(entity);
    g_free(entity);
    for (child = presence_xml_element(root->children); child; child = presence_xml_element(child->next))
    {
        const char *ns = presence_xml_ns(child);

        if (presence_xml_is(child, SIP_PIDF_NS, "tuple"))
        {
            if (!read_tuple(document, child, error))
            {
                sip_presence_document_free(document);
                xmlFreeDoc(parsed);
                return NULL;
            }
        }
        else if (presence_xml_is(child, SIP_PIDF_NS, "note"))
            keep_first(&document->note, child);
        /* Early RPID drafts put <person> in the RPID namespace; it means the same. */
        else if (presence_xml_is(child, SIP_PIDF_DM_NS, "person") || presence_xml_is(child, SIP_PIDF_RPID_NS, "person"))
            read_person(document, child);
        else if (presence_xml_is(child, SIP_PIDF_DM_NS, "device"))
            read_device(document, child);
        else if (ns && !known_namespace(ns))
        {
            struct sip_presence_extension *extension = g_new0(struct sip_presence_extension, 1);

            extension->namespace_uri = g_strdup(ns);
            extension->xml = presence_xml_dump_element(child);
            g_ptr_array_add(document->extensions, extension);
        }
    }
    xmlFreeDoc(parsed);
    return document;
}

/* ---- writing ----------------------------------------------------------------------------------- */

struct namespaces
{
    xmlNsPtr pidf, dm, rpid, cipid;
};

static xmlNodePtr add_text(xmlNodePtr parent, xmlNsPtr ns, const char *name, const char *text)
{
    return xmlNewTextChild(parent, ns, (const xmlChar *)name, (const xmlChar *)text);
}

static void write_tuple(xmlNodePtr root, struct namespaces *ns, const struct sip_presence_tuple *tuple)
{
    xmlNodePtr node = xmlNewChild(root, ns->pidf, (const xmlChar *)"tuple", NULL);
    xmlNodePtr status = xmlNewChild(node, ns->pidf, (const xmlChar *)"status", NULL);

    xmlNewProp(node, (const xmlChar *)"id", (const xmlChar *)tuple->id);
    if (tuple->basic != SIP_PRESENCE_BASIC_UNKNOWN)
        add_text(status, ns->pidf, "basic", tuple->basic == SIP_PRESENCE_BASIC_OPEN ? "open" : "closed");
    /* RFC 3863's order: status, extensions, contact, note, timestamp. */
    if (tuple->device_id)
        add_text(node, ns->dm, "deviceID", tuple->device_id);
    if (tuple->contact)
    {
        xmlNodePtr contact = add_text(node, ns->pidf, "contact", tuple->contact);

        if (tuple->priority >= 0 && tuple->priority <= 1)
        {
            char value[G_ASCII_DTOSTR_BUF_SIZE];

            g_ascii_formatd(value, sizeof(value), "%.3g", tuple->priority);
            xmlNewProp(contact, (const xmlChar *)"priority", (const xmlChar *)value);
        }
    }
    if (tuple->note)
        add_text(node, ns->pidf, "note", tuple->note);
    if (tuple->timestamp)
        add_text(node, ns->pidf, "timestamp", tuple->timestamp);
}

static void write_person(xmlNodePtr root, struct namespaces *ns, const struct sip_presence_person *person)
{
    xmlNodePtr node = xmlNewChild(root, ns->dm, (const xmlChar *)"person", NULL);
    guint i;

    xmlNewProp(node, (const xmlChar *)"id", (const xmlChar *)(person->id ? person->id : "p1"));
    if (person->activities->len || person->other_activity)
    {
        xmlNodePtr activities = xmlNewChild(node, ns->rpid, (const xmlChar *)"activities", NULL);

        for (i = 0; i < person->activities->len; i++)
            xmlNewChild(activities, ns->rpid, g_ptr_array_index(person->activities, i), NULL);
        if (person->other_activity)
            add_text(activities, ns->rpid, "other", person->other_activity);
    }
    if (person->idle)
        add_text(node, ns->rpid, "user-input", "idle");
    if (person->place_type)
    {
        xmlNodePtr place = xmlNewChild(node, ns->rpid, (const xmlChar *)"place-type", NULL);
        xmlNodePtr type = xmlNewChild(place, NULL, (const xmlChar *)person->place_type, NULL);

        xmlSetNs(type, xmlNewNs(type, (const xmlChar *)"urn:ietf:params:xml:ns:location-type", (const xmlChar *)"lt"));
    }
    if (person->display_name)
        add_text(node, ns->cipid, "display-name", person->display_name);
    if (person->note)
        add_text(node, ns->dm, "note", person->note);
}

static void write_device(xmlNodePtr root, struct namespaces *ns, const struct sip_presence_device *device)
{
    xmlNodePtr node = xmlNewChild(root, ns->dm, (const xmlChar *)"device", NULL);

    xmlNewProp(node, (const xmlChar *)"id", (const xmlChar *)(device->id ? device->id : "d1"));
    if (device->device_id)
        add_text(node, ns->dm, "deviceID", device->device_id);
    if (device->note)
        add_text(node, ns->dm, "note", device->note);
}

static gboolean write_extension(xmlDocPtr document, xmlNodePtr root, const struct sip_presence_extension *extension,
                                GError **error)
{
    xmlDocPtr parsed = presence_xml_read(extension->xml, extension->xml ? strlen(extension->xml) : 0, error);
    xmlNodePtr copy;

    if (!parsed)
        return FALSE;
    copy = xmlDocCopyNode(xmlDocGetRootElement(parsed), document, 1);
    xmlAddChild(root, copy);
    xmlReconciliateNs(document, copy);
    xmlFreeDoc(parsed);
    return TRUE;
}

char *sip_pidf_build(const struct sip_presence_document *document, gsize *length, GError **error)
{
    struct namespaces ns = { 0 };
    gboolean uses_dm = document->persons->len || document->devices->len, uses_rpid = FALSE, uses_cipid = FALSE;
    xmlDocPtr xml;
    xmlNodePtr root;
    char *text;
    guint i, j;

    if (!document->entity || !*document->entity)
    {
        g_set_error_literal(error, SIP_PRESENCE_ERROR, SIP_PRESENCE_ERROR_INVALID, "no entity");
        return NULL;
    }
    for (i = 0; i < document->tuples->len; i++)
    {
        const struct sip_presence_tuple *tuple = g_ptr_array_index(document->tuples, i);

        if (!tuple->id || !*tuple->id)
        {
            g_set_error_literal(error, SIP_PRESENCE_ERROR, SIP_PRESENCE_ERROR_INVALID, "a tuple without id");
            return NULL;
        }
        uses_dm |= tuple->device_id != NULL;
    }
    for (i = 0; i < document->persons->len; i++)
    {
        const struct sip_presence_person *person = g_ptr_array_index(document->persons, i);

        for (j = 0; j < person->activities->len; j++)
            if (!valid_element_name(g_ptr_array_index(person->activities, j)))
            {
                g_set_error(error, SIP_PRESENCE_ERROR, SIP_PRESENCE_ERROR_INVALID, "\"%s\" is not an activity name",
                            (const char *)g_ptr_array_index(person->activities, j));
                return NULL;
            }
        if (person->place_type && !valid_element_name(person->place_type))
        {
            g_set_error(error, SIP_PRESENCE_ERROR, SIP_PRESENCE_ERROR_INVALID, "\"%s\" is not a place type",
                        person->place_type);
            return NULL;
        }
        uses_rpid |= person->activities->len || person->other_activity || person->idle || person->place_type;
        uses_cipid |= person->display_name != NULL;
    }

    xml = xmlNewDoc((const xmlChar *)"1.0");
    root = xmlNewNode(NULL, (const xmlChar *)"presence");
    xmlDocSetRootElement(xml, root);
    ns.pidf = xmlNewNs(root, (const xmlChar *)SIP_PIDF_NS, NULL);
    xmlSetNs(root, ns.pidf);
    if (uses_dm)
        ns.dm = xmlNewNs(root, (const xmlChar *)SIP_PIDF_DM_NS, (const xmlChar *)"dm");
    if (uses_rpid)
        ns.rpid = xmlNewNs(root, (const xmlChar *)SIP_PIDF_RPID_NS, (const xmlChar *)"rpid");
    if (uses_cipid)
        ns.cipid = xmlNewNs(root, (const xmlChar *)SIP_PIDF_CIPID_NS, (const xmlChar *)"cipid");
    xmlNewProp(root, (const xmlChar *)"entity", (const xmlChar *)document->entity);

    /* RFC 3863's order: tuples, notes, extensions (persons and devices are extensions). */
    for (i = 0; i < document->tuples->len; i++)
        write_tuple(root, &ns, g_ptr_array_index(document->tuples, i));
    if (document->note)
        add_text(root, ns.pidf, "note", document->note);
    for (i = 0; i < document->persons->len; i++)
        write_person(root, &ns, g_ptr_array_index(document->persons, i));
    for (i = 0; i < document->devices->len; i++)
        write_device(root, &ns, g_ptr_array_index(document->devices, i));
    for (i = 0; i < document->extensions->len; i++)
        if (!write_extension(xml, root, g_ptr_array_index(document->extensions, i), error))
        {
            xmlFreeDoc(xml);
            return NULL;
        }
    text = presence_xml_dump(xml, length);
    xmlFreeDoc(xml);
    return text;
}
