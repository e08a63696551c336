/*
 * RTC presence <-> PIDF (docs/wire-mapping.md, "Presence"): the local
 * user's status, notes, properties and data as one PIDF document with RPID
 * activities, and a presentity's document read back into one
 * presence_device_info per device. The engine parses and writes the XML
 * (sip_presence.h); this file only maps.
 */
#include <string.h>
#include "presence.h"

/* What each RTC status is in RPID: an activity (NULL: none), the text of
 * <rpid:other> for the one RPID lacks, or <rpid:user-input>idle. */
static const struct
{
    RTC_PRESENCE_STATUS status;
    const char *activity;
    const char *other;
    gboolean idle;
    const char *name;
} status_map[] =
{
    { RTCXS_PRESENCE_OFFLINE,       NULL,           NULL,            FALSE, "OFFLINE" },
    { RTCXS_PRESENCE_ONLINE,        NULL,           NULL,            FALSE, "ONLINE" },
    { RTCXS_PRESENCE_AWAY,          "away",         NULL,            FALSE, "AWAY" },
    { RTCXS_PRESENCE_IDLE,          NULL,           NULL,            TRUE,  "IDLE" },
    { RTCXS_PRESENCE_BUSY,          "busy",         NULL,            FALSE, "BUSY" },
    { RTCXS_PRESENCE_BE_RIGHT_BACK, "away",         "be-right-back", FALSE, "BE_RIGHT_BACK" },
    { RTCXS_PRESENCE_ON_THE_PHONE,  "on-the-phone", NULL,            FALSE, "ON_THE_PHONE" },
    { RTCXS_PRESENCE_OUT_TO_LUNCH,  "meal",         NULL,            FALSE, "OUT_TO_LUNCH" },
};

const char *presence_status_name(RTC_PRESENCE_STATUS status)
{
    guint i;

    for (i = 0; i < G_N_ELEMENTS(status_map); i++)
        if (status_map[i].status == status)
            return status_map[i].name;
    return "?";
}

void presence_device_info_free(struct presence_device_info *info)
{
    guint i;

    if (!info)
        return;
    g_free(info->notes);
    for (i = 0; i < PRESENCE_PROPERTY_COUNT; i++)
        g_free(info->properties[i]);
    g_free(info->data_namespace);
    g_free(info->data);
    g_free(info);
}

/* ---- the local document ------------------------------------------------------------------ */

static char *nonempty_utf8(BSTR value)
{
    return value && *value ? com_utf8_from_wstr(value) : NULL;
}

/* tel:/mailto: URIs for the phone and e-mail properties (kept as given when they have a scheme). */
static char *with_scheme(const char *value, const char *scheme)
{
    if (strchr(value, ':'))
        return g_strdup(value);
    return g_strconcat(scheme, value, NULL);
}

static void add_contact_tuple(struct sip_presence_document *document, const char *id, const char *uri,
                              enum sip_presence_basic basic)
{
    struct sip_presence_tuple *tuple = sip_presence_document_add_tuple(document, id);

    tuple->basic = basic;
    tuple->contact = g_strdup(uri);
}

struct sip_presence_document *presence_document_build(struct presence *presence, BOOL blocked)
{
    RTC_PRESENCE_STATUS status = blocked ? RTCXS_PRESENCE_OFFLINE : presence->status;
    enum sip_presence_basic basic = status == RTCXS_PRESENCE_OFFLINE ? SIP_PRESENCE_BASIC_CLOSED
                                                                     : SIP_PRESENCE_BASIC_OPEN;
    char *uri = presence_local_uri(presence), *notes, *value, *id;
    struct sip_presence_document *document = sip_presence_document_new(uri);
    struct sip_presence_tuple *tuple = sip_presence_document_add_tuple(document, presence->tuple_id);
    struct sip_presence_person *person;
    guint i;

    tuple->basic = basic;
    tuple->contact = uri;
    /* Polite blocking (RFC 3856 §5.1.2): a blocked watcher sees us closed, and nothing else. */
    if (blocked)
        return document;
    tuple->device_id = g_strdup(presence->device_id);
    notes = nonempty_utf8(presence->notes);
    tuple->note = g_strdup(notes);

    id = g_strconcat("p-", presence->tuple_id, NULL);
    person = sip_presence_document_add_person(document, id);
    g_free(id);
    for (i = 0; i < G_N_ELEMENTS(status_map); i++)
        if (status_map[i].status == status)
        {
            if (status_map[i].activity)
                g_ptr_array_add(person->activities, g_strdup(status_map[i].activity));
            person->other_activity = g_strdup(status_map[i].other);
            person->idle = status_map[i].idle;
        }
    person->note = notes;
    person->display_name = nonempty_utf8(presence->properties[RTCPP_DISPLAYNAME]);
    if (!person->activities->len && !person->idle && !person->note && !person->display_name)
        g_ptr_array_remove_index(document->persons, 0);

    if ((value = nonempty_utf8(presence->properties[RTCPP_DEVICE_NAME])))
    {
        struct sip_presence_device *device = sip_presence_document_add_device(document, "d-device");

        device->device_id = g_strdup(presence->device_id);
        device->note = value;
    }
    if ((value = nonempty_utf8(presence->properties[RTCPP_PHONENUMBER])))
    {
        char *tel = with_scheme(value, "tel:");

        add_contact_tuple(document, "rtc-phone", tel, basic);
        g_free(tel);
        g_free(value);
    }
    if ((value = nonempty_utf8(presence->properties[RTCPP_EMAIL])))
    {
        char *mailto = with_scheme(value, "mailto:");

        add_contact_tuple(document, "rtc-email", mailto, basic);
        g_free(mailto);
        g_free(value);
    }
    if (presence->data_namespace && *presence->data_namespace && presence->data && *presence->data)
    {
        char *ns = com_utf8_from_wstr(presence->data_namespace), *data = com_utf8_from_wstr(presence->data);

        /* SetPresenceData checked it already; a failure here only leaves it out. */
        sip_presence_document_add_extension(document, ns, data, NULL);
        g_free(ns);
        g_free(data);
    }
    return document;
}

/* ---- a presentity's document ----------------------------------------------------------------- */

static gboolean has_activity(const struct sip_presence_person *person, const char *const *names)
{
    guint i;

    for (i = 0; i < person->activities->len; i++)
    {
        const char *activity = g_ptr_array_index(person->activities, i);
        const char *const *name;

        for (name = names; *name; name++)
            if (!strcmp(activity, *name))
                return TRUE;
    }
    return FALSE;
}

/* What an available presentity is doing, from RPID (RFC 4480 §3.2 activities). */
static RTC_PRESENCE_STATUS status_from_person(const struct sip_presence_person *person)
{
    static const char *const phone[] = { "on-the-phone", NULL };
    static const char *const busy[] = { "busy", "meeting", "appointment", "performance", "presentation", "worship",
                                        NULL };
    static const char *const meal[] = { "meal", "breakfast", "dinner", NULL };
    static const char *const away[] = { "away", "holiday", "vacation", "sleeping", "permanent-absence", "travel",
                                        "in-transit", "steering", "shopping", NULL };

    if (!person)
        return RTCXS_PRESENCE_ONLINE;
    if (has_activity(person, phone))
        return RTCXS_PRESENCE_ON_THE_PHONE;
    if (has_activity(person, busy))
        return RTCXS_PRESENCE_BUSY;
    if (has_activity(person, meal))
        return RTCXS_PRESENCE_OUT_TO_LUNCH;
    if (person->other_activity && !g_ascii_strcasecmp(person->other_activity, "be-right-back"))
        return RTCXS_PRESENCE_BE_RIGHT_BACK;
    if (has_activity(person, away))
        return RTCXS_PRESENCE_AWAY;
    if (person->idle)
        return RTCXS_PRESENCE_IDLE;
    return RTCXS_PRESENCE_ONLINE;
}

static gboolean has_scheme(const char *uri, const char *scheme)
{
    return uri && !g_ascii_strncasecmp(uri, scheme, strlen(scheme));
}

static gboolean is_contact_tuple(const struct sip_presence_tuple *tuple)
{
    return has_scheme(tuple->contact, "tel:") || has_scheme(tuple->contact, "mailto:");
}

void presence_document_read(const struct sip_presence_document *document, GPtrArray *devices)
{
    const struct sip_presence_person *person = document->persons->len ? g_ptr_array_index(document->persons, 0) : NULL;
    const struct sip_presence_extension *extension = document->extensions->len
                                                     ? g_ptr_array_index(document->extensions, 0) : NULL;
    const char *phone = NULL, *email = NULL;
    guint i, j, services = 0;

    for (i = 0; i < document->tuples->len; i++)
    {
        const struct sip_presence_tuple *tuple = g_ptr_array_index(document->tuples, i);

        if (has_scheme(tuple->contact, "tel:") && !phone)
            phone = tuple->contact + 4;
        if (has_scheme(tuple->contact, "mailto:") && !email)
            email = tuple->contact + 7;
    }
    /* One device per service tuple; a document without one still says something (offline). */
    for (i = 0; i <= document->tuples->len; i++)
    {
        const struct sip_presence_tuple *tuple = i < document->tuples->len ? g_ptr_array_index(document->tuples, i)
                                                                         : NULL;
        struct presence_device_info *info;

        if (tuple && is_contact_tuple(tuple))
            continue;
        if (!tuple && services)
            break;
        services++;
        info = g_new0(struct presence_device_info, 1);
        info->status = tuple && tuple->basic == SIP_PRESENCE_BASIC_OPEN ? status_from_person(person)
                                                                        : RTCXS_PRESENCE_OFFLINE;
        info->notes = g_strdup(tuple && tuple->note ? tuple->note : person && person->note ? person->note
                                                                                          : document->note);
        info->properties[RTCPP_DISPLAYNAME] = g_strdup(person ? person->display_name : NULL);
        info->properties[RTCPP_PHONENUMBER] = g_strdup(phone);
        info->properties[RTCPP_EMAIL] = g_strdup(email);
        for (j = 0; tuple && tuple->device_id && j < document->devices->len; j++)
        {
            const struct sip_presence_device *device = g_ptr_array_index(document->devices, j);

            if (!g_strcmp0(device->device_id, tuple->device_id) && !info->properties[RTCPP_DEVICE_NAME])
                info->properties[RTCPP_DEVICE_NAME] = g_strdup(device->note);
        }
        if (extension)
        {
            info->data_namespace = g_strdup(extension->namespace_uri);
            info->data = g_strdup(extension->xml);
        }
        g_ptr_array_add(devices, info);
    }
}

/* How available each status is, most first: what a presentity with several devices shows. */
static int availability_rank(RTC_PRESENCE_STATUS status)
{
    static const RTC_PRESENCE_STATUS order[] =
    {
        RTCXS_PRESENCE_ONLINE, RTCXS_PRESENCE_BUSY, RTCXS_PRESENCE_ON_THE_PHONE, RTCXS_PRESENCE_IDLE,
        RTCXS_PRESENCE_BE_RIGHT_BACK, RTCXS_PRESENCE_OUT_TO_LUNCH, RTCXS_PRESENCE_AWAY, RTCXS_PRESENCE_OFFLINE,
    };
    guint i;

    for (i = 0; i < G_N_ELEMENTS(order); i++)
        if (order[i] == status)
            return (int)i;
    return G_N_ELEMENTS(order);
}

RTC_PRESENCE_STATUS presence_status_aggregate(GPtrArray *devices)
{
    RTC_PRESENCE_STATUS best = RTCXS_PRESENCE_OFFLINE;
    guint i;

    for (i = 0; i < devices->len; i++)
    {
        const struct presence_device_info *info = g_ptr_array_index(devices, i);

        if (availability_rank(info->status) < availability_rank(best))
            best = info->status;
    }
    return best;
}
