/*
 * The two UCC presence categories that travel over SIMPLE, and their values
 * (docs/wire-mapping.md, "UCC presence"):
 *
 *   state  <state xmlns="http://schemas.microsoft.com/2006/09/sip/state"
 *                 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="aggregateState">
 *            <availability>6000</availability><activity token="on-the-phone"/></state>
 *   note   <note xmlns="http://schemas.microsoft.com/2006/09/sip/note"><body type="personal">...</body></note>
 *
 * Availability <-> PIDF/RPID (the lower bound of each UCC_PRESENCE_AVAILABILITY
 * range is what a reader gets):
 *   closed tuple                          UNAVAILABLE (18000)
 *   open, no activity                     FREE (3000)
 *   open, user-input idle                 IDLE_FREE (4500)
 *   busy / on-the-phone (token)           BUSY (6000)
 *   busy + idle                           IDLE_BUSY (7500)
 *   other "do-not-disturb"                DO_NOT_DISTURB (9000)
 *   away + other "be-right-back" (token)  TEMP_UNALERTABLE (12000)
 *   away, or meal (token)                 UNALERTABLE (15000)
 * Values are written with GMarkup's escaping and read with GMarkup, the
 * element names resolved against their xmlns declarations.
 */
#include <string.h>
#include "presence.h"

#define STATE_NS "http://schemas.microsoft.com/2006/09/sip/state"
#define NOTE_NS "http://schemas.microsoft.com/2006/09/sip/note"
#define XSI_NS "http://www.w3.org/2001/XMLSchema-instance"

#define ACTIVITY_PHONE "on-the-phone"
#define ACTIVITY_BRB "be-right-back"
#define ACTIVITY_MEAL "meal"
#define ACTIVITY_DND "do-not-disturb"

void ucc_presence_view_clear(struct ucc_presence_view *view)
{
    g_free(view->activity);
    g_free(view->note);
    memset(view, 0, sizeof(*view));
}

/* ---- PIDF -> view ---------------------------------------------------------------------------- */

static BOOL has_activity(const struct sip_presence_person *person, const char *name)
{
    guint i;

    for (i = 0; person && i < person->activities->len; i++)
        if (!strcmp(g_ptr_array_index(person->activities, i), name))
            return TRUE;
    return FALSE;
}

static BOOL other_is(const struct sip_presence_person *person, const char *text)
{
    return person && person->other_activity && !g_ascii_strcasecmp(person->other_activity, text);
}

static LONG availability_of(const struct sip_presence_person *person, const char **token)
{
    BOOL idle = person && person->idle;

    *token = NULL;
    if (has_activity(person, ACTIVITY_PHONE))
    {
        *token = ACTIVITY_PHONE;
        return UCCPA_BUSY;
    }
    if (other_is(person, ACTIVITY_DND))
        return UCCPA_DO_NOT_DISTURB;
    if (has_activity(person, "busy"))
        return idle ? UCCPA_IDLE_BUSY : UCCPA_BUSY;
    if (has_activity(person, "away") && other_is(person, ACTIVITY_BRB))
    {
        *token = ACTIVITY_BRB;
        return UCCPA_TEMP_UNALERTABLE;
    }
    if (has_activity(person, ACTIVITY_MEAL))
    {
        *token = ACTIVITY_MEAL;
        return UCCPA_UNALERTABLE;
    }
    if (has_activity(person, "away"))
        return UCCPA_UNALERTABLE;
    return idle ? UCCPA_IDLE_FREE : UCCPA_FREE;
}

void ucc_presence_view_from_document(const struct sip_presence_document *document, struct ucc_presence_view *view)
{
    const struct sip_presence_person *person = document->persons->len ? g_ptr_array_index(document->persons, 0)
                                                                      : NULL;
    const struct sip_presence_tuple *open = NULL, *any = NULL;
    const char *token, *note;
    guint i;

    memset(view, 0, sizeof(*view));
    for (i = 0; i < document->tuples->len && !open; i++)
    {
        const struct sip_presence_tuple *tuple = g_ptr_array_index(document->tuples, i);

        if (!any)
            any = tuple;
        if (tuple->basic == SIP_PRESENCE_BASIC_OPEN)
            open = tuple;
    }
    if (open)
    {
        view->availability = availability_of(person, &token);
        view->activity = g_strdup(token);
    }
    else
        view->availability = UCCPA_UNAVAILABLE;
    /* The person's note, else the tuple's, else the document's. */
    note = person && person->note ? person->note : open && open->note ? open->note
         : any && any->note ? any->note : document->note;
    view->note = g_strdup(note);
}

/* ---- view -> PIDF ------------------------------------------------------------------------------ */

struct sip_presence_document *ucc_presence_document_build(const char *entity, const char *tuple_id,
                                                          const struct ucc_presence_view *view)
{
    struct sip_presence_document *document = sip_presence_document_new(entity);
    struct sip_presence_tuple *tuple = sip_presence_document_add_tuple(document, tuple_id);
    struct sip_presence_person *person;
    LONG a = view->availability;
    const char *token = view->activity;

    tuple->basic = a >= UCCPA_UNAVAILABLE ? SIP_PRESENCE_BASIC_CLOSED : SIP_PRESENCE_BASIC_OPEN;
    tuple->contact = g_strdup(entity);
    person = sip_presence_document_add_person(document, "p-ucc");
    person->note = g_strdup(view->note);
    if (a >= UCCPA_UNAVAILABLE)
        return document;
    person->idle = (a >= UCCPA_IDLE_FREE && a < UCCPA_BUSY) || (a >= UCCPA_IDLE_BUSY && a < UCCPA_DO_NOT_DISTURB);
    if (token && !strcmp(token, ACTIVITY_PHONE))
        g_ptr_array_add(person->activities, g_strdup(ACTIVITY_PHONE));
    else if (a >= UCCPA_UNALERTABLE)
        g_ptr_array_add(person->activities, g_strdup(token && !strcmp(token, ACTIVITY_MEAL) ? ACTIVITY_MEAL : "away"));
    else if (a >= UCCPA_TEMP_UNALERTABLE)
    {
        g_ptr_array_add(person->activities, g_strdup("away"));
        person->other_activity = g_strdup(ACTIVITY_BRB);
    }
    else if (a >= UCCPA_DO_NOT_DISTURB)
    {
        g_ptr_array_add(person->activities, g_strdup("busy"));
        person->other_activity = g_strdup(ACTIVITY_DND);
    }
    else if (a >= UCCPA_BUSY)
        g_ptr_array_add(person->activities, g_strdup("busy"));
    /* Any other token (in-a-meeting ...) goes as RPID <other>. */
    if (token && strcmp(token, ACTIVITY_PHONE) && strcmp(token, ACTIVITY_MEAL) && strcmp(token, ACTIVITY_BRB)
        && !person->other_activity)
        person->other_activity = g_strdup(token);
    return document;
}

/* ---- category values --------------------------------------------------------------------------- */

char *ucc_state_value_build(LONG availability, const char *activity)
{
    GString *xml = g_string_new(NULL);

    g_string_append_printf(xml, "<state xmlns=\"" STATE_NS "\" xmlns:xsi=\"" XSI_NS "\" xsi:type=\"aggregateState\">"
                           "<availability>%ld</availability>", (long)availability);
    if (activity)
    {
        char *escaped = g_markup_escape_text(activity, -1);

        g_string_append_printf(xml, "<activity token=\"%s\"/>", escaped);
        g_free(escaped);
    }
    g_string_append(xml, "</state>");
    return g_string_free(xml, FALSE);
}

char *ucc_note_value_build(const char *note)
{
    char *escaped = g_markup_escape_text(note ? note : "", -1);
    char *xml = g_strdup_printf("<note xmlns=\"" NOTE_NS "\"><body type=\"personal\">%s</body></note>", escaped);

    g_free(escaped);
    return xml;
}

/* A small namespace-aware reader over GMarkup: each element's namespace is
 * resolved from the xmlns declarations in scope (GMarkup itself does not). */
struct value_reader
{
    const char *root_ns;
    const char *root;
    GPtrArray *scopes;          /* GHashTable * prefix ("" = default) -> namespace, one per open element */
    int depth;
    BOOL root_seen;
    /* what the caller wants */
    const char *text_element;   /* the child whose text to collect */
    const char *attribute_element, *attribute;
    GString *text;
    char *attribute_value;
    BOOL in_text;
};

static const char *resolve(struct value_reader *reader, const char *prefix)
{
    guint i;

    for (i = reader->scopes->len; i > 0; i--)
    {
        const char *ns = g_hash_table_lookup(g_ptr_array_index(reader->scopes, i - 1), prefix);

        if (ns)
            return ns;
    }
    return NULL;
}

static void reader_start(GMarkupParseContext *context, const char *element, const char **names, const char **values,
                         gpointer user_data, GError **error)
{
    struct value_reader *reader = user_data;
    GHashTable *scope = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    const char *colon = strchr(element, ':'), *local = colon ? colon + 1 : element, *ns;
    char *prefix = colon ? g_strndup(element, colon - element) : g_strdup("");
    guint i;

    for (i = 0; names[i]; i++)
    {
        if (!strcmp(names[i], "xmlns"))
            g_hash_table_replace(scope, g_strdup(""), g_strdup(values[i]));
        else if (g_str_has_prefix(names[i], "xmlns:"))
            g_hash_table_replace(scope, g_strdup(names[i] + 6), g_strdup(values[i]));
    }
    g_ptr_array_add(reader->scopes, scope);
    reader->depth++;
    ns = resolve(reader, prefix);
    g_free(prefix);
    if (reader->depth == 1)
    {
        if (!ns || strcmp(ns, reader->root_ns) || strcmp(local, reader->root))
            g_set_error(error, G_MARKUP_ERROR, G_MARKUP_ERROR_INVALID_CONTENT, "not a <%s> of %s", reader->root,
                        reader->root_ns);
        reader->root_seen = TRUE;
        return;
    }
    if (reader->depth != 2 || !ns || strcmp(ns, reader->root_ns))
        return;
    if (reader->text_element && !strcmp(local, reader->text_element) && !reader->text)
    {
        reader->text = g_string_new(NULL);
        reader->in_text = TRUE;
    }
    if (reader->attribute_element && !strcmp(local, reader->attribute_element) && !reader->attribute_value)
        for (i = 0; names[i]; i++)
            if (!strcmp(names[i], reader->attribute))
                reader->attribute_value = g_strdup(values[i]);
}

static void reader_end(GMarkupParseContext *context, const char *element, gpointer user_data, GError **error)
{
    struct value_reader *reader = user_data;

    if (reader->depth == 2)
        reader->in_text = FALSE;
    reader->depth--;
    g_ptr_array_set_size(reader->scopes, reader->scopes->len - 1);
}

static void reader_text(GMarkupParseContext *context, const char *text, gsize length, gpointer user_data,
                        GError **error)
{
    struct value_reader *reader = user_data;

    if (reader->in_text)
        g_string_append_len(reader->text, text, length);
}

static const GMarkupParser reader_parser = { reader_start, reader_end, reader_text, NULL, NULL };

static BOOL read_value(struct value_reader *reader, const char *xml)
{
    GMarkupParseContext *context;
    BOOL ok;

    reader->scopes = g_ptr_array_new_with_free_func((GDestroyNotify)g_hash_table_destroy);
    context = g_markup_parse_context_new(&reader_parser, G_MARKUP_TREAT_CDATA_AS_TEXT, reader, NULL);
    ok = xml && g_markup_parse_context_parse(context, xml, -1, NULL)
         && g_markup_parse_context_end_parse(context, NULL) && reader->root_seen;
    g_markup_parse_context_free(context);
    g_ptr_array_free(reader->scopes, TRUE);
    return ok;
}

BOOL ucc_state_value_parse(const char *xml, LONG *availability, char **activity)
{
    struct value_reader reader = { .root_ns = STATE_NS, .root = "state" };
    char *end = NULL, *text;
    gint64 value = 0;
    BOOL ok;

    reader.text_element = "availability";
    reader.attribute_element = "activity";
    reader.attribute = "token";
    ok = read_value(&reader, xml) && reader.text;
    if (ok)
    {
        text = g_strstrip(reader.text->str);
        value = g_ascii_strtoll(text, &end, 10);
        ok = *text && end && !*end && value >= 0 && value <= 99999;
    }
    if (ok)
    {
        *availability = (LONG)value;
        *activity = reader.attribute_value;
        reader.attribute_value = NULL;
    }
    if (reader.text)
        g_string_free(reader.text, TRUE);
    g_free(reader.attribute_value);
    return ok;
}

BOOL ucc_note_value_parse(const char *xml, char **note)
{
    struct value_reader reader = { .root_ns = NOTE_NS, .root = "note" };
    BOOL ok;

    reader.text_element = "body";
    ok = read_value(&reader, xml);
    if (ok)
        *note = reader.text ? g_strdup(g_strstrip(reader.text->str)) : NULL;
    if (reader.text)
        g_string_free(reader.text, TRUE);
    return ok;
}
