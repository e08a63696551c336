/*
 * What pidf.c and winfo.c share: reading a body with libxml2 safely (no
 * network, no DTD, errors as GError instead of stderr) and a few tree
 * helpers. Internal to src/sip/.
 */
#ifndef RTCSHIM_SIP_PRESENCE_XML_H
#define RTCSHIM_SIP_PRESENCE_XML_H

#include <libxml/tree.h>

#include "sip/sip_presence.h"

G_BEGIN_DECLS

/* The document in body, or NULL with SIP_PRESENCE_ERROR_MALFORMED (not
 * well-formed, or any DOCTYPE: the parser stops before it reads entity
 * declarations) or _TOO_LARGE. xmlFreeDoc() it. */
xmlDocPtr presence_xml_read(const char *body, gsize length, GError **error);

/* TRUE when node is an element called name in namespace ns. */
gboolean presence_xml_is(const xmlNode *node, const char *ns, const char *name);
/* The element's namespace URI, NULL for none. */
const char *presence_xml_ns(const xmlNode *node);
/* Its text content with surrounding white space removed; g_free(). */
char *presence_xml_text(const xmlNode *node);
/* An attribute (without namespace) as a g_strdup'ed string, NULL when absent. */
char *presence_xml_attribute(const xmlNode *node, const char *name);
/* The next element sibling at or after node, NULL when none. */
xmlNode *presence_xml_element(xmlNode *node);

/* The document serialised as UTF-8 with an XML declaration; g_free(). */
char *presence_xml_dump(xmlDocPtr document, gsize *length);
/* One element serialised on its own, the namespaces it uses declared on it; g_free(). */
char *presence_xml_dump_element(const xmlNode *node);

G_END_DECLS

#endif /* RTCSHIM_SIP_PRESENCE_XML_H */
