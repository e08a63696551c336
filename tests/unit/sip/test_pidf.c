/*
 * Unit tests for presence documents: PIDF with the data-model, RPID and
 * CIPID elements (pidf.c), watcher information (winfo.c), and what a hostile
 * or broken body gets (presence_xml.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "sip/sip_presence.h"

static struct sip_presence_document *parse(const char *text)
{
    GError *error = NULL;
    struct sip_presence_document *document = sip_pidf_parse(text, strlen(text), &error);

    if (!document)
        fail_msg("parse failed: %s", error->message);
    return document;
}

static int parse_error(const char *text)
{
    GError *error = NULL;
    struct sip_presence_document *document = sip_pidf_parse(text, strlen(text), &error);
    int code;

    assert_null(document);
    assert_non_null(error);
    assert_true(error->domain == SIP_PRESENCE_ERROR);
    code = error->code;
    g_error_free(error);
    return code;
}

/* RFC 3863 section 5's example, as a server sends it. */
static void test_parse_basic(void **state)
{
    struct sip_presence_document *document = parse(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<impp:presence xmlns:impp=\"urn:ietf:params:xml:ns:pidf\" entity=\"pres:someone@example.com\">\n"
        "  <impp:tuple id=\"sg89ae\">\n"
        "    <impp:status><impp:basic>open</impp:basic></impp:status>\n"
        "    <impp:contact priority=\"0.8\">tel:+09012345678</impp:contact>\n"
        "    <impp:note xml:lang=\"en\">  Don't Disturb Please!  </impp:note>\n"
        "    <impp:note>second</impp:note>\n"
        "    <impp:timestamp>2001-10-27T16:49:29Z</impp:timestamp>\n"
        "  </impp:tuple>\n"
        "  <impp:note>Presence-level note</impp:note>\n"
        "</impp:presence>\n");
    const struct sip_presence_tuple *tuple;

    (void)state;
    assert_string_equal(document->entity, "pres:someone@example.com");
    assert_int_equal(document->tuples->len, 1);
    tuple = g_ptr_array_index(document->tuples, 0);
    assert_string_equal(tuple->id, "sg89ae");
    assert_int_equal(tuple->basic, SIP_PRESENCE_BASIC_OPEN);
    assert_string_equal(tuple->contact, "tel:+09012345678");
    assert_true(tuple->priority > 0.79 && tuple->priority < 0.81);
    assert_string_equal(tuple->note, "Don't Disturb Please!");
    assert_string_equal(tuple->timestamp, "2001-10-27T16:49:29Z");
    assert_string_equal(document->note, "Presence-level note");
    assert_int_equal(document->persons->len, 0);
    assert_int_equal(document->extensions->len, 0);
    sip_presence_document_free(document);
}

/* RPID person with activities, user-input, place-type; CIPID; devices;
 * an extension element kept whole. */
static void test_parse_rpid(void **state)
{
    struct sip_presence_document *document = parse(
        "<presence xmlns=\"urn:ietf:params:xml:ns:pidf\"\n"
        "    xmlns:dm=\"urn:ietf:params:xml:ns:pidf:data-model\"\n"
        "    xmlns:r=\"urn:ietf:params:xml:ns:pidf:rpid\"\n"
        "    xmlns:c=\"urn:ietf:params:xml:ns:pidf:cipid\"\n"
        "    xmlns:lt=\"urn:ietf:params:xml:ns:location-type\"\n"
        "    xmlns:x=\"urn:example:extra\" entity=\"sip:bob@example.com\">\n"
        "  <tuple id=\"t1\"><status><basic>closed</basic><x:ignored/></status>\n"
        "    <dm:deviceID>urn:uuid:d1</dm:deviceID></tuple>\n"
        "  <tuple id=\"t2\"><status/></tuple>\n"
        "  <dm:person id=\"p1\">\n"
        "    <r:activities><r:busy/><r:on-the-phone/><r:other>be right back</r:other></r:activities>\n"
        "    <r:user-input idle-threshold=\"600\">idle</r:user-input>\n"
        "    <r:place-type><lt:office/></r:place-type>\n"
        "    <c:display-name>Bob B.</c:display-name>\n"
        "    <dm:note>At the desk</dm:note>\n"
        "  </dm:person>\n"
        "  <dm:device id=\"d\"><dm:deviceID>urn:uuid:d1</dm:deviceID><dm:note>Laptop</dm:note></dm:device>\n"
        "  <x:mood level=\"3\"><x:happy/></x:mood>\n"
        "</presence>");
    const struct sip_presence_tuple *t1, *t2;
    const struct sip_presence_person *person;
    const struct sip_presence_device *device;
    const struct sip_presence_extension *extension;

    (void)state;
    assert_int_equal(document->tuples->len, 2);
    t1 = g_ptr_array_index(document->tuples, 0);
    t2 = g_ptr_array_index(document->tuples, 1);
    assert_int_equal(t1->basic, SIP_PRESENCE_BASIC_CLOSED);
    assert_string_equal(t1->device_id, "urn:uuid:d1");
    assert_null(t1->contact);
    assert_true(t1->priority < 0);
    assert_int_equal(t2->basic, SIP_PRESENCE_BASIC_UNKNOWN);

    assert_int_equal(document->persons->len, 1);
    person = g_ptr_array_index(document->persons, 0);
    assert_string_equal(person->id, "p1");
    assert_int_equal(person->activities->len, 2);
    assert_string_equal(g_ptr_array_index(person->activities, 0), "busy");
    assert_string_equal(g_ptr_array_index(person->activities, 1), "on-the-phone");
    assert_string_equal(person->other_activity, "be right back");
    assert_true(person->idle);
    assert_string_equal(person->place_type, "office");
    assert_string_equal(person->display_name, "Bob B.");
    assert_string_equal(person->note, "At the desk");

    assert_int_equal(document->devices->len, 1);
    device = g_ptr_array_index(document->devices, 0);
    assert_string_equal(device->id, "d");
    assert_string_equal(device->device_id, "urn:uuid:d1");
    assert_string_equal(device->note, "Laptop");

    assert_int_equal(document->extensions->len, 1);
    extension = g_ptr_array_index(document->extensions, 0);
    assert_string_equal(extension->namespace_uri, "urn:example:extra");
    assert_string_equal(extension->xml, "<x:mood xmlns:x=\"urn:example:extra\" level=\"3\"><x:happy/></x:mood>");
    sip_presence_document_free(document);
}

/* What a build writes is what a parse reads back. */
static void test_round_trip(void **state)
{
    struct sip_presence_document *document = sip_presence_document_new("sip:alice@example.com"), *back;
    struct sip_presence_tuple *tuple = sip_presence_document_add_tuple(document, "rtc-1");
    struct sip_presence_person *person = sip_presence_document_add_person(document, "p");
    struct sip_presence_device *device = sip_presence_document_add_device(document, "dev");
    const struct sip_presence_tuple *t;
    const struct sip_presence_person *p;
    GError *error = NULL;
    gsize length;
    char *xml;

    (void)state;
    tuple->basic = SIP_PRESENCE_BASIC_OPEN;
    tuple->contact = g_strdup("sip:alice@127.0.0.1:5060");
    tuple->priority = 0.5;
    tuple->note = g_strdup("Lunch <& back> at \"two\"");
    tuple->device_id = g_strdup("urn:uuid:1234");
    g_ptr_array_add(person->activities, g_strdup("meal"));
    person->other_activity = g_strdup("x");
    person->idle = TRUE;
    person->place_type = g_strdup("home");
    person->display_name = g_strdup("Alice");
    person->note = g_strdup("hungry");
    device->device_id = g_strdup("urn:uuid:1234");
    device->note = g_strdup("Desk phone");
    assert_true(sip_presence_document_add_extension(document, "urn:example:data",
                                                    "<d:data xmlns:d=\"urn:example:data\">42</d:data>", &error));

    xml = sip_pidf_build(document, &length, &error);
    assert_non_null(xml);
    assert_int_equal(length, strlen(xml));
    assert_non_null(strstr(xml, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
    back = sip_pidf_parse(xml, length, &error);
    assert_non_null(back);
    assert_string_equal(back->entity, "sip:alice@example.com");
    t = g_ptr_array_index(back->tuples, 0);
    assert_int_equal(t->basic, SIP_PRESENCE_BASIC_OPEN);
    assert_string_equal(t->contact, "sip:alice@127.0.0.1:5060");
    assert_true(t->priority > 0.49 && t->priority < 0.51);
    assert_string_equal(t->note, "Lunch <& back> at \"two\"");
    assert_string_equal(t->device_id, "urn:uuid:1234");
    p = g_ptr_array_index(back->persons, 0);
    assert_int_equal(p->activities->len, 1);
    assert_string_equal(g_ptr_array_index(p->activities, 0), "meal");
    assert_string_equal(p->other_activity, "x");
    assert_true(p->idle);
    assert_string_equal(p->place_type, "home");
    assert_string_equal(p->display_name, "Alice");
    assert_string_equal(p->note, "hungry");
    assert_string_equal(((struct sip_presence_device *)g_ptr_array_index(back->devices, 0))->note, "Desk phone");
    assert_int_equal(back->extensions->len, 1);
    assert_string_equal(((struct sip_presence_extension *)g_ptr_array_index(back->extensions, 0))->xml,
                        "<d:data xmlns:d=\"urn:example:data\">42</d:data>");
    sip_presence_document_free(back);
    g_free(xml);
    sip_presence_document_free(document);
}

/* A minimal document names no namespace it does not use. */
static void test_build_minimal(void **state)
{
    struct sip_presence_document *document = sip_presence_document_new("sip:a@b");
    GError *error = NULL;
    char *xml;

    (void)state;
    sip_presence_document_add_tuple(document, "t")->basic = SIP_PRESENCE_BASIC_CLOSED;
    xml = sip_pidf_build(document, NULL, &error);
    assert_string_equal(xml, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                             "<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" entity=\"sip:a@b\">\n"
                             "  <tuple id=\"t\">\n"
                             "    <status>\n"
                             "      <basic>closed</basic>\n"
                             "    </status>\n"
                             "  </tuple>\n"
                             "</presence>\n");
    g_free(xml);
    sip_presence_document_free(document);
}

static void test_build_refused(void **state)
{
    struct sip_presence_document *document = sip_presence_document_new(NULL);
    GError *error = NULL;

    (void)state;
    assert_null(sip_pidf_build(document, NULL, &error));
    g_clear_error(&error);
    g_free(document->entity);
    document->entity = g_strdup("sip:a@b");
    g_ptr_array_add(sip_presence_document_add_person(document, "p")->activities, g_strdup("not a name"));
    assert_null(sip_pidf_build(document, NULL, &error));
    assert_int_equal(error->code, SIP_PRESENCE_ERROR_INVALID);
    g_clear_error(&error);
    /* Extensions: one element in the namespace given, never a known one. */
    assert_false(sip_presence_document_add_extension(document, SIP_PIDF_NS, "<a xmlns=\"" SIP_PIDF_NS "\"/>", &error));
    g_clear_error(&error);
    assert_false(sip_presence_document_add_extension(document, "urn:x", "<a xmlns=\"urn:y\"/>", &error));
    g_clear_error(&error);
    assert_false(sip_presence_document_add_extension(document, "urn:x", "just text", &error));
    g_clear_error(&error);
    assert_false(sip_presence_document_add_extension(document, "urn:x", "<a xmlns=\"urn:x\">", &error));
    g_clear_error(&error);
    sip_presence_document_free(document);
}

static void test_parse_refused(void **state)
{
    (void)state;
    assert_int_equal(parse_error("<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" entity=\"sip:a@b\">"),
                     SIP_PRESENCE_ERROR_MALFORMED);
    assert_int_equal(parse_error(""), SIP_PRESENCE_ERROR_MALFORMED);
    assert_int_equal(parse_error("not xml at all"), SIP_PRESENCE_ERROR_MALFORMED);
    assert_int_equal(parse_error("<presence entity=\"sip:a@b\"/>"), SIP_PRESENCE_ERROR_INVALID);
    assert_int_equal(parse_error("<presence xmlns=\"urn:ietf:params:xml:ns:pidf\"/>"), SIP_PRESENCE_ERROR_INVALID);
    assert_int_equal(parse_error("<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" entity=\"sip:a@b\">"
                                 "<tuple><status/></tuple></presence>"), SIP_PRESENCE_ERROR_INVALID);
    assert_int_equal(parse_error("<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" entity=\"sip:a@b\">"
                                 "<tuple id=\"x\"/></presence>"), SIP_PRESENCE_ERROR_INVALID);
    assert_int_equal(parse_error("<watcherinfo xmlns=\"urn:ietf:params:xml:ns:watcherinfo\" version=\"0\" state=\"full\"/>"),
                     SIP_PRESENCE_ERROR_INVALID);
}

/* A <basic> that is neither open nor closed (baresip's "?") says nothing: the
 * document is read, the tuple's basic status is unknown. */
static void test_basic_unknown(void **state)
{
    struct sip_presence_document *document = parse(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\r\n"
        "<presence xmlns=\"urn:ietf:params:xml:ns:pidf\"\r\n"
        "    xmlns:dm=\"urn:ietf:params:xml:ns:pidf:data-model\"\r\n"
        "    xmlns:rpid=\"urn:ietf:params:xml:ns:pidf:rpid\"\r\n"
        "    entity=\"sip:bob@127.0.0.1\">\r\n"
        "  <dm:person id=\"p4159\"><rpid:activities/></dm:person>\r\n"
        "  <tuple id=\"t4109\"><status><basic>?</basic></status><contact>sip:bob@127.0.0.1</contact></tuple>\r\n"
        "</presence>\r\n");

    (void)state;
    assert_int_equal(document->tuples->len, 1);
    assert_int_equal(((struct sip_presence_tuple *)g_ptr_array_index(document->tuples, 0))->basic,
                     SIP_PRESENCE_BASIC_UNKNOWN);
    assert_int_equal(document->persons->len, 1);
    sip_presence_document_free(document);
}

/* Entities: nothing from outside, no expansion bombs. The parser stops at
 * the DOCTYPE, before the internal subset is even read. */
static void test_no_entities(void **state)
{
    GString *bomb = g_string_new("<?xml version=\"1.0\"?>\n<!DOCTYPE presence [\n<!ENTITY a \"aaaaaaaaaa\">\n");
    char *big;
    int i;

    (void)state;
    assert_int_equal(parse_error("<?xml version=\"1.0\"?>\n"
                                 "<!DOCTYPE presence [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n"
                                 "<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" entity=\"sip:a@b\">"
                                 "<note>&x;</note></presence>"), SIP_PRESENCE_ERROR_MALFORMED);
    for (i = 1; i < 10; i++)
        g_string_append_printf(bomb, "<!ENTITY %c \"&%c;&%c;&%c;&%c;&%c;&%c;&%c;&%c;&%c;&%c;\">\n", 'a' + i,
                               'a' + i - 1, 'a' + i - 1, 'a' + i - 1, 'a' + i - 1, 'a' + i - 1, 'a' + i - 1,
                               'a' + i - 1, 'a' + i - 1, 'a' + i - 1, 'a' + i - 1);
    g_string_append(bomb, "]>\n<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" entity=\"sip:a@b\"><note>&j;</note></presence>");
    assert_int_equal(parse_error(bomb->str), SIP_PRESENCE_ERROR_MALFORMED);
    g_string_free(bomb, TRUE);
    /* An undeclared entity is not well-formed. */
    assert_int_equal(parse_error("<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" entity=\"sip:a@b\">"
                                 "<note>&nope;</note></presence>"), SIP_PRESENCE_ERROR_MALFORMED);
    big = g_malloc0(SIP_PRESENCE_MAX_DOCUMENT + 2);
    memset(big, ' ', SIP_PRESENCE_MAX_DOCUMENT + 1);
    assert_int_equal(parse_error(big), SIP_PRESENCE_ERROR_TOO_LARGE);
    g_free(big);
}

/* ---- watcher information ------------------------------------------------------------------ */

static void test_winfo_parse(void **state)
{
    static const char body[] =
        "<?xml version=\"1.0\"?>\n"
        "<watcherinfo xmlns=\"urn:ietf:params:xml:ns:watcherinfo\" version=\"7\" state=\"partial\">\n"
        "  <watcher-list resource=\"sip:bob@example.com\" package=\"presence\">\n"
        "    <watcher status=\"pending\" id=\"8ajksjda7s\" duration-subscribed=\"509\" event=\"subscribe\"\n"
        "             display-name=\"Alice\">sip:alice@example.com</watcher>\n"
        "    <watcher status=\"terminated\" id=\"x\" event=\"rejected\"> sip:eve@example.com </watcher>\n"
        "  </watcher-list>\n"
        "</watcherinfo>\n";
    GError *error = NULL;
    struct sip_watcherinfo *info = sip_watcherinfo_parse(body, strlen(body), &error);
    const struct sip_watcher_list *list;
    const struct sip_watcher *w;

    (void)state;
    assert_non_null(info);
    assert_int_equal(info->version, 7);
    assert_false(info->full);
    assert_int_equal(info->lists->len, 1);
    list = g_ptr_array_index(info->lists, 0);
    assert_string_equal(list->resource, "sip:bob@example.com");
    assert_string_equal(list->package, "presence");
    assert_int_equal(list->watchers->len, 2);
    w = g_ptr_array_index(list->watchers, 0);
    assert_string_equal(w->id, "8ajksjda7s");
    assert_string_equal(w->uri, "sip:alice@example.com");
    assert_string_equal(w->display_name, "Alice");
    assert_int_equal(w->status, SIP_WATCHER_PENDING);
    assert_int_equal(w->event, SIP_WATCHER_EVENT_SUBSCRIBE);
    assert_int_equal(w->duration_subscribed, 509);
    w = g_ptr_array_index(list->watchers, 1);
    assert_string_equal(w->uri, "sip:eve@example.com");
    assert_int_equal(w->status, SIP_WATCHER_TERMINATED);
    assert_int_equal(w->event, SIP_WATCHER_EVENT_REJECTED);
    assert_null(w->display_name);
    assert_int_equal(w->duration_subscribed, -1);
    sip_watcherinfo_free(info);
}

static void test_winfo_round_trip(void **state)
{
    struct sip_watcherinfo *info = sip_watcherinfo_new(3, TRUE), *back;
    struct sip_watcher_list *list = sip_watcherinfo_add_list(info, "sip:b@x", "presence");
    struct sip_watcher *w = sip_watcher_list_add(list, "w1", "sip:a@x", SIP_WATCHER_ACTIVE, SIP_WATCHER_EVENT_APPROVED);
    GError *error = NULL;
    gsize length;
    char *xml;

    (void)state;
    w->display_name = g_strdup("A & co");
    w->duration_subscribed = 12;
    xml = sip_watcherinfo_build(info, &length, &error);
    assert_non_null(xml);
    back = sip_watcherinfo_parse(xml, length, &error);
    assert_non_null(back);
    assert_int_equal(back->version, 3);
    assert_true(back->full);
    w = g_ptr_array_index(((struct sip_watcher_list *)g_ptr_array_index(back->lists, 0))->watchers, 0);
    assert_string_equal(w->display_name, "A & co");
    assert_int_equal(w->status, SIP_WATCHER_ACTIVE);
    assert_int_equal(w->event, SIP_WATCHER_EVENT_APPROVED);
    assert_int_equal(w->duration_subscribed, 12);
    sip_watcherinfo_free(back);
    sip_watcherinfo_free(info);
    g_free(xml);
}

static void test_winfo_refused(void **state)
{
    static const char *const bodies[] =
    {
        "<watcherinfo xmlns=\"urn:ietf:params:xml:ns:watcherinfo\" version=\"x\" state=\"full\"/>",
        "<watcherinfo xmlns=\"urn:ietf:params:xml:ns:watcherinfo\" version=\"1\" state=\"most\"/>",
        "<watcherinfo xmlns=\"urn:ietf:params:xml:ns:watcherinfo\" version=\"1\" state=\"full\">"
        "<watcher-list package=\"presence\"/></watcherinfo>",
        "<watcherinfo xmlns=\"urn:ietf:params:xml:ns:watcherinfo\" version=\"1\" state=\"full\">"
        "<watcher-list resource=\"sip:b@x\" package=\"presence\"><watcher id=\"1\" status=\"happy\" "
        "event=\"subscribe\">sip:a@x</watcher></watcher-list></watcherinfo>",
        "<watcherinfo xmlns=\"urn:ietf:params:xml:ns:watcherinfo\" version=\"1\" state=\"full\">"
        "<watcher-list resource=\"sip:b@x\" package=\"presence\"><watcher id=\"1\" status=\"active\" "
        "event=\"approved\"></watcher></watcher-list></watcherinfo>",
        "<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" entity=\"sip:a@b\"/>",
    };
    gsize i;

    (void)state;
    for (i = 0; i < G_N_ELEMENTS(bodies); i++)
    {
        GError *error = NULL;

        assert_null(sip_watcherinfo_parse(bodies[i], strlen(bodies[i]), &error));
        assert_int_equal(error->code, SIP_PRESENCE_ERROR_INVALID);
        g_error_free(error);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] =
    {
        cmocka_unit_test(test_parse_basic),
        cmocka_unit_test(test_parse_rpid),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_build_minimal),
        cmocka_unit_test(test_build_refused),
        cmocka_unit_test(test_parse_refused),
        cmocka_unit_test(test_basic_unknown),
        cmocka_unit_test(test_no_entities),
        cmocka_unit_test(test_winfo_parse),
        cmocka_unit_test(test_winfo_round_trip),
        cmocka_unit_test(test_winfo_refused),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
