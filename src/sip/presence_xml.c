/*
 * Reading presence bodies with libxml2, safely; see presence_xml.h.
 *
 * A NOTIFY body comes from the network: the parser never touches the network
 * (XML_PARSE_NONET), never expands entities into the tree, and stops at a
 * DOCTYPE before any entity declaration is read, so neither external
 * entities nor entity expansion bombs can happen. libxml2 would print its
 * errors on stderr; they become the GError's message instead.
 */
#ifndef G_LOG_DOMAIN
#define G_LOG_DOMAIN "rtcshim"
#endif

#include <string.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>   /* xmlCreateMemoryParserCtxt */
#include <libxml/xmlsave.h>

#include "presence_xml.h"

G_DEFINE_QUARK(rtcshim-sip-presence-error-quark, sip_presence_error)

struct read_state
{
    gboolean saw_doctype;
};

/* SAX hook: a DOCTYPE ends the parse before its internal subset is read. */
static void refuse_doctype(void *context, const xmlChar *name, const xmlChar *external_id,
                           const xmlChar *system_id)
{
    xmlParserCtxtPtr parser = context;
    struct read_state *state = parser->_private;

    state->saw_doctype = TRUE;
    xmlStopParser(parser);
}

static void init_libxml2(void)
{
    static gsize done;

    if (g_once_init_enter(&done))
    {
        xmlInitParser();
        g_once_init_leave(&done, 1);
    }
}

xmlDocPtr presence_xml_read(const char *body, gsize length, GError **error)
{
    struct read_state state = { FALSE };
    xmlParserCtxtPtr parser;
    xmlDocPtr document;

    if (length > SIP_PRESENCE_MAX_DOCUMENT)
    {
        g_set_error(error, SIP_PRESENCE_ERROR, SIP_PRESENCE_ERROR_TOO_LARGE, "document of %" G_GSIZE_FORMAT " bytes",
                    length);
        return NULL;
    }
    if (!body || !length)
    {
        g_set_error_literal(error, SIP_PRESENCE_ERROR, SIP_PRESENCE_ERROR_MALFORMED, "empty document");
        return NULL;
    }
    init_libxml2();
    if (length > G_MAXINT || !(parser = xmlCreateMemoryParserCtxt(body, (int)length)))
    {
        g_set_error_literal(error, SIP_PRESENCE_ERROR, SIP_PRESENCE_ERROR_MALFORMED, "cannot parse");
        return NULL;
    }
    xmlCtxtUseOptions(parser, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    parser->_private = &state;
    parser->sax->internalSubset = refuse_doctype;
    xmlParseDocument(parser);
    document = parser->myDoc;
    parser->myDoc = NULL;
    if (state.saw_doctype)
    {
        xmlFreeDoc(document);
        g_set_error_literal(error, SIP_PRESENCE_ERROR, SIP_PRESENCE_ERROR_MALFORMED, "a DOCTYPE is not allowed");
        document = NULL;
    }
    else if (!document || !parser->wellFormed)
    {
        const xmlError *last = xmlCtxtGetLastError(parser);
        char *message = g_strdup(last && last->message ? last->message : "not well-formed");

        g_set_error(error, SIP_PRESENCE_ERROR, SIP_PRESENCE_ERROR_MALFORMED, "line %d: %s", last ? last->line : 0,
                    g_strstrip(message));
        g_free(message);
        xmlFreeDoc(document);
        document = NULL;
    }
    xmlFreeParserCtxt(parser);
    return document;
}

const char *presence_xml_ns(const xmlNode *node)
{
    return node && node->ns && node->ns->href ? (const char *)node->ns->href : NULL;
}

gboolean presence_xml_is(const xmlNode *node, const char *ns, const char *name)
{
    const char *href = presence_xml_ns(node);

    return node && node->type == XML_ELEMENT_NODE && href && !strcmp(href, ns)
        && !strcmp((const char *)node->name, name);
}

char *presence_xml_text(const xmlNode *node)
{
    xmlChar *content = xmlNodeGetContent(node);
    char *text = g_strstrip(g_strdup(content ? (const char *)content : ""));

    xmlFree(content);
    return text;
}

char *presence_xml_attribute(const xmlNode *node, const char *name)
{
    xmlChar *value = xmlGetNoNsProp(node, (const xmlChar *)name);
    char *copy = value ? g_strdup((const char *)value) : NULL;

    xmlFree(value);
    return copy;
}

xmlNode *presence_xml_element(xmlNode *node)
{
    while (node && node->type != XML_ELEMENT_NODE)
        node = node->next;
    return node;
}

char *presence_xml_dump(xmlDocPtr document, gsize *length)
{
    xmlChar *buffer = NULL;
    int size = 0;
    char *copy;

    xmlDocDumpFormatMemoryEnc(document, &buffer, &size, "UTF-8", 1);
    copy = g_strndup((const char *)buffer, size > 0 ? size : 0);
    xmlFree(buffer);
    if (length)
        *length = size > 0 ? (gsize)size : 0;
    return copy;
}

char *presence_xml_dump_element(const xmlNode *node)
{
    xmlDocPtr alone = xmlNewDoc((const xmlChar *)"1.0");
    xmlNodePtr copy = xmlDocCopyNode((xmlNodePtr)node, alone, 1);
    xmlBufferPtr buffer = xmlBufferCreate();
    char *text;

    /* As the root of a document of its own, the copy declares every namespace it uses. */
    xmlDocSetRootElement(alone, copy);
    xmlReconciliateNs(alone, copy);
    xmlNodeDump(buffer, alone, copy, 0, 0);
    text = g_strdup((const char *)xmlBufferContent(buffer));
    xmlBufferFree(buffer);
    xmlFreeDoc(alone);
    return text;
}
