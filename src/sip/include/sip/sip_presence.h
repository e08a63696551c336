/*
 * Presence documents, as the API layers see them: PIDF (RFC 3863) with the
 * elements of the data model (RFC 4479), RPID (RFC 4480) and CIPID (RFC 4482)
 * that the RTC and UCC presence states need, and watcher information
 * (RFC 3858). pidf.c and winfo.c read them with libxml2 and write them with
 * libxml2's tree API; nothing here is searched as text.
 *
 * Plain C and GLib types only. Documents are plain structs the caller may
 * fill and read directly; every string is UTF-8 and owned by its struct.
 * docs/wire-mapping.md ("Presence") says which RTC/UCC state becomes which
 * element.
 */
#ifndef RTCSHIM_SIP_PRESENCE_H
#define RTCSHIM_SIP_PRESENCE_H

#include <glib.h>

G_BEGIN_DECLS

#define SIP_PIDF_CONTENT_TYPE "application/pidf+xml"
#define SIP_WATCHERINFO_CONTENT_TYPE "application/watcherinfo+xml"

/* The namespaces rtcshim reads and writes. */
#define SIP_PIDF_NS "urn:ietf:params:xml:ns:pidf"
#define SIP_PIDF_DM_NS "urn:ietf:params:xml:ns:pidf:data-model"
#define SIP_PIDF_RPID_NS "urn:ietf:params:xml:ns:pidf:rpid"
#define SIP_PIDF_CIPID_NS "urn:ietf:params:xml:ns:pidf:cipid"
#define SIP_WATCHERINFO_NS "urn:ietf:params:xml:ns:watcherinfo"

/* Bodies larger than this are refused before parsing (a SIP message is at most 64 KiB). */
#define SIP_PRESENCE_MAX_DOCUMENT 65536

#define SIP_PRESENCE_ERROR (sip_presence_error_quark())
GQuark sip_presence_error_quark(void);

enum sip_presence_error
{
    SIP_PRESENCE_ERROR_MALFORMED,   /* not well-formed XML, or a DTD (never expanded) */
    SIP_PRESENCE_ERROR_INVALID,     /* well-formed, but not a valid PIDF / watcherinfo document */
    SIP_PRESENCE_ERROR_TOO_LARGE,
};

/* ---- PIDF -------------------------------------------------------------------------------- */

enum sip_presence_basic
{
    SIP_PRESENCE_BASIC_UNKNOWN,     /* no <basic> (RFC 3863 allows it) */
    SIP_PRESENCE_BASIC_OPEN,
    SIP_PRESENCE_BASIC_CLOSED,
};

/* A <tuple>: one way to reach the presentity. */
struct sip_presence_tuple
{
    char *id;
    enum sip_presence_basic basic;
    char *contact;                  /* <contact> URI, NULL when absent */
    double priority;                /* its priority attribute 0..1, -1 when absent */
    char *note;                     /* the first <note>, NULL when none */
    char *device_id;                /* <dm:deviceID>: the device this service runs on, NULL */
    char *timestamp;                /* <timestamp> as written, NULL */
};

/* A <dm:person>: what the human is doing (RPID). */
struct sip_presence_person
{
    char *id;
    GPtrArray *activities;          /* char *: local names of the RPID activity elements
                                       ("away", "busy", "on-the-phone", "meal", "unknown" ...) */
    char *other_activity;           /* text of <rpid:other> among the activities, NULL */
    gboolean idle;                  /* <rpid:user-input>idle</rpid:user-input> */
    char *place_type;               /* local name of <rpid:place-type>'s child element, NULL */
    char *display_name;             /* <cipid:display-name>, NULL */
    char *note;                     /* the first <dm:note>, NULL */
};

/* A <dm:device>: the terminal a service runs on. */
struct sip_presence_device
{
    char *id;
    char *device_id;                /* <dm:deviceID>, NULL */
    char *note;                     /* the first <dm:note> (rtcshim: the device's name), NULL */
};

/* An element of another namespace directly under <presence> (RFC 3863 §4.1.6),
 * kept whole: how the RTC API's presence data travels. */
struct sip_presence_extension
{
    char *namespace_uri;
    char *xml;                      /* the element serialised, with its namespace declared */
};

struct sip_presence_document
{
    char *entity;                   /* the presentity's URI (pres: or sip:) */
    GPtrArray *tuples;              /* struct sip_presence_tuple *, document order */
    GPtrArray *persons;             /* struct sip_presence_person * */
    GPtrArray *devices;             /* struct sip_presence_device * */
    char *note;                     /* the first <note> directly under <presence>, NULL */
    GPtrArray *extensions;          /* struct sip_presence_extension * */
};

struct sip_presence_document *sip_presence_document_new(const char *entity);
void sip_presence_document_free(struct sip_presence_document *document);
/* Appends an element (its strings NULL, priority -1, basic UNKNOWN) and returns it. */
struct sip_presence_tuple *sip_presence_document_add_tuple(struct sip_presence_document *document, const char *id);
struct sip_presence_person *sip_presence_document_add_person(struct sip_presence_document *document, const char *id);
struct sip_presence_device *sip_presence_document_add_device(struct sip_presence_document *document, const char *id);
/* Adds an extension element: xml must be one well-formed element in namespace_uri
 * (FALSE with SIP_PRESENCE_ERROR_INVALID otherwise). */
gboolean sip_presence_document_add_extension(struct sip_presence_document *document, const char *namespace_uri,
                                             const char *xml, GError **error);

/*
 * Parses a PIDF body. Accepts the data-model, RPID and CIPID elements in any
 * prefix; unknown elements in known namespaces are skipped, elements in other
 * namespaces under <presence> become extensions. Fails with MALFORMED (also
 * for any DTD: entities are never expanded), INVALID (root not
 * <presence xmlns=pidf>, no entity, a tuple without id or <status>, a <basic>
 * other than open/closed) or TOO_LARGE.
 */
struct sip_presence_document *sip_pidf_parse(const char *body, gsize length, GError **error);

/* Writes the document as PIDF (UTF-8, XML declaration, namespaces declared on
 * <presence> for what is used). Returns NULL with error for a document
 * without an entity or a tuple without an id. g_free() the result. */
char *sip_pidf_build(const struct sip_presence_document *document, gsize *length, GError **error);

/* ---- watcher information (RFC 3858) ----------------------------------------------------------- */

enum sip_watcher_status
{
    SIP_WATCHER_PENDING,
    SIP_WATCHER_ACTIVE,
    SIP_WATCHER_WAITING,
    SIP_WATCHER_TERMINATED,
};

/* The event attribute: what last happened to the watcher's subscription. */
enum sip_watcher_event
{
    SIP_WATCHER_EVENT_SUBSCRIBE,
    SIP_WATCHER_EVENT_APPROVED,
    SIP_WATCHER_EVENT_DEACTIVATED,
    SIP_WATCHER_EVENT_PROBATION,
    SIP_WATCHER_EVENT_REJECTED,
    SIP_WATCHER_EVENT_TIMEOUT,
    SIP_WATCHER_EVENT_GIVEUP,
    SIP_WATCHER_EVENT_NORESOURCE,
};

struct sip_watcher
{
    char *id;
    char *uri;                      /* the watcher (element content) */
    char *display_name;             /* NULL when absent */
    enum sip_watcher_status status;
    enum sip_watcher_event event;
    gint64 duration_subscribed;     /* seconds, -1 when absent */
};

struct sip_watcher_list
{
    char *resource;                 /* the watched resource's URI */
    char *package;                  /* "presence" */
    GPtrArray *watchers;            /* struct sip_watcher * */
};

struct sip_watcherinfo
{
    guint64 version;
    gboolean full;                  /* state="full" (else "partial") */
    GPtrArray *lists;               /* struct sip_watcher_list * */
};

struct sip_watcherinfo *sip_watcherinfo_new(guint64 version, gboolean full);
void sip_watcherinfo_free(struct sip_watcherinfo *info);
struct sip_watcher_list *sip_watcherinfo_add_list(struct sip_watcherinfo *info, const char *resource,
                                                  const char *package);
struct sip_watcher *sip_watcher_list_add(struct sip_watcher_list *list, const char *id, const char *uri,
                                         enum sip_watcher_status status, enum sip_watcher_event event);

/* Parses a watcherinfo body: MALFORMED, INVALID (root, version, state,
 * a watcher without id/status/event/URI, unknown status or event values),
 * TOO_LARGE. */
struct sip_watcherinfo *sip_watcherinfo_parse(const char *body, gsize length, GError **error);
char *sip_watcherinfo_build(const struct sip_watcherinfo *info, gsize *length, GError **error);

const char *sip_watcher_status_name(enum sip_watcher_status status);
const char *sip_watcher_event_name(enum sip_watcher_event event);

G_END_DECLS

#endif /* RTCSHIM_SIP_PRESENCE_H */
