/*
 * The presence family's shared inside (docs/wire-mapping.md, "Presence"):
 *
 *   presence.c           the client's presence state and IRTCClientPresence2:
 *                        enabling, the local user's status/properties/data and
 *                        how they reach watchers (PUBLISH or NOTIFY), modes,
 *                        the engine's subscription and publication reports
 *   presence_document.c  RTC presence <-> PIDF/RPID: the local document, and
 *                        a buddy's documents read into devices
 *   presence_store.c     the storage file (EnablePresence, Export, Import)
 *   buddy.c              IRTCBuddy2 and its subscription
 *   watcher.c            IRTCWatcher2, the access list and the watchers'
 *                        subscriptions (we are their notifier)
 *   buddy_group.c        IRTCBuddyGroup
 *   presence_device.c    IRTCPresenceDevice (a snapshot)
 *   presence_enum.c      IRTCEnumBuddies / Watchers / Groups / PresenceDevices
 *   presence_events.c    the event objects (events.h)
 *
 * Lifetimes: the client owns one struct presence; the lists in it hold a
 * reference on each buddy, watcher and group; an object removed from its
 * list (or left when presence is disabled) is detached: it keeps answering
 * its getters, and what needs presence fails with RTC_E_PRESENCE_NOT_ENABLED.
 */
#ifndef RTCSHIM_RTCCORE_PRESENCE_H
#define RTCSHIM_RTCCORE_PRESENCE_H

#include "rtccore_private.h"
#include "sip/sip_presence.h"
#include "sip/sip_subscription.h"
#include "sip/sip_publication.h"

struct buddy;
struct watcher;
struct buddy_group;

/* Properties travel as RTC_PRESENCE_PROPERTY indexes 0..3 (RTCPP_MULTIPLE is for events only). */
#define PRESENCE_PROPERTY_COUNT (RTCPP_DEVICE_NAME + 1)

/* Events waiting for the outcome of publishing the local state. */
enum presence_change
{
    PRESENCE_CHANGE_STATUS = 1 << 0,
    PRESENCE_CHANGE_DATA = 1 << 1,
    PRESENCE_CHANGE_PROPERTY = 1 << 2,  /* + the property index in pending_properties */
};

struct presence
{
    struct client *client;              /* not referenced: the client owns this */
    BOOL enabled;
    IRTCProfile *profile;               /* the presence profile, NULL for none (peer to peer) */
    char *server;                       /* server mode: the profile's proxy or registrar (outbound proxy) */
    char *storage_path;                 /* the storage file, NULL when none */
    IUnknown *storage_stream;           /* ... or an IStream given to EnablePresence */
    BOOL loading;                       /* reading the store: no saving, no events */

    GPtrArray *buddies;                 /* struct buddy *, referenced */
    GPtrArray *watchers;                /* struct watcher *, referenced: access list + undecided ones */
    GPtrArray *groups;                  /* struct buddy_group *, referenced */

    RTC_OFFER_WATCHER_MODE offer_mode;
    RTC_PRIVACY_MODE privacy_mode;
    RTC_PRESENCE_STATUS status;
    BSTR notes;
    BSTR properties[PRESENCE_PROPERTY_COUNT];
    BSTR data_namespace;
    BSTR data;
    char *tuple_id;                     /* our tuple and device: stable for this client */
    char *device_id;

    struct sip_publication *publication;    /* server mode: our presence document */
    GPtrArray *leaving;                     /* struct sip_publication *, referenced: being removed */
    GPtrArray *closing;                     /* struct sip_subscription *, referenced: final NOTIFY in flight */
    struct sip_subscription *winfo;         /* server mode: our watchers, from presence.winfo */
    guint winfo_version;
    unsigned int pending_changes;       /* enum presence_change bits awaiting the PUBLISH */
    unsigned int pending_properties;    /* 1 << RTC_PRESENCE_PROPERTY */
};

/* ---- presence.c ------------------------------------------------------------------------- */

extern const IRTCClientPresence2Vtbl rtc_client_presence_vtbl;
/* The client's presence state, created with the client (client.c keeps it). */
struct presence *presence_new(struct client *client);
void presence_free(struct presence *presence);
/* Initialize: the engine's reports for subscriptions and publications. */
void presence_attach_engine(struct presence *presence, struct sip_engine *engine);
/* PrepareForShutdown: end our subscriptions and watchers' (the RTC way: watchers are unsubscribed). */
void presence_prepare_shutdown(struct presence *presence);
/* Subscriptions still ending after presence_prepare_shutdown. */
BOOL presence_pending(struct presence *presence);
/* Shutdown, Release: everything goes at once. */
void presence_shutdown(struct presence *presence);

struct presence *presence_of(struct client *client);
BOOL presence_server_mode(struct presence *presence);
/* Our address of record (the presence profile's URI, else the client's), UTF-8; g_free. */
char *presence_local_uri(struct presence *presence);
/* From: for our requests (with the display name); g_free. */
char *presence_local_identity(struct presence *presence);
/* The current local document, or the offline one a blocked watcher sees; g_free. */
char *presence_local_document(struct presence *presence, BOOL blocked, gsize *length);
/* A watcher's subscription was ended: PrepareForShutdown waits until its last NOTIFY is answered. */
void presence_track_closing(struct presence *presence, struct sip_subscription *subscription);
/* Writes the store if there is one (after any change to a persistent item). */
void presence_save(struct presence *presence);
/* Events for the application (filtered like every other event). */
void presence_fire_buddy_event(struct presence *presence, struct buddy *buddy, RTC_BUDDY_EVENT_TYPE type,
                               LONG status_code, const char *status_text);
void presence_fire_watcher_event(struct presence *presence, struct watcher *watcher, RTC_WATCHER_EVENT_TYPE type,
                                 LONG status_code);
void presence_fire_group_event(struct presence *presence, struct buddy_group *group, RTC_GROUP_EVENT_TYPE type,
                               struct buddy *buddy, LONG status_code);
/* Adds to / removes from the lists (the list's reference). */
void presence_add_buddy(struct presence *presence, struct buddy *buddy);
void presence_add_watcher(struct presence *presence, struct watcher *watcher);
void presence_add_group(struct presence *presence, struct buddy_group *group);
struct buddy *presence_find_buddy(struct presence *presence, const char *uri);
struct buddy_group *presence_find_group(struct presence *presence, const WCHAR *name);
/* Removes every item (DisablePresence, Import with fReplaceAll), with REMOVE events when fire. */
void presence_clear_lists(struct presence *presence, BOOL fire);

/* ---- presence_document.c ------------------------------------------------------------------- */

/* What one device (a service tuple) of a presentity says. */
struct presence_device_info
{
    RTC_PRESENCE_STATUS status;
    char *notes;
    char *properties[PRESENCE_PROPERTY_COUNT];
    char *data_namespace;
    char *data;
};

void presence_device_info_free(struct presence_device_info *info);
/* The local user's document: status, notes, properties and data (or, for a
 * blocked watcher, closed and nothing else). */
struct sip_presence_document *presence_document_build(struct presence *presence, BOOL blocked);
/* Reads a presentity's document: one entry per service tuple (not tel:/mailto:). */
void presence_document_read(const struct sip_presence_document *document, GPtrArray *devices);
/* The status a presentity shows across its devices (the most available one). */
RTC_PRESENCE_STATUS presence_status_aggregate(GPtrArray *devices);
const char *presence_status_name(RTC_PRESENCE_STATUS status);

/* ---- presence_store.c ---------------------------------------------------------------------- */

/* Loads the store (S_OK, S_FALSE when it cannot be read: lists stay as they are). */
HRESULT presence_store_load(struct presence *presence, const VARIANT *storage);
/* Export / save: the persistent items as XML into storage (a file name or an IStream). */
HRESULT presence_store_write(struct presence *presence, const VARIANT *storage);
/* Import: adds what storage holds (replace: the lists are cleared first). */
HRESULT presence_store_import(struct presence *presence, const VARIANT *storage, BOOL replace);

/* ---- buddy.c ------------------------------------------------------------------------------------ */

HRESULT buddy_create(struct presence *presence, const char *uri, const WCHAR *name, const WCHAR *data,
                     BOOL persistent, RTC_BUDDY_SUBSCRIPTION_TYPE type, IRTCProfile *profile, struct buddy **out);
IRTCBuddy2 *buddy_iface(struct buddy *buddy);
struct buddy *buddy_from_iface(IUnknown *iface);
void buddy_add_ref(struct buddy *buddy);
void buddy_release(struct buddy *buddy);
const char *buddy_uri(struct buddy *buddy);
BOOL buddy_persistent(struct buddy *buddy);
RTC_BUDDY_SUBSCRIPTION_TYPE buddy_type(struct buddy *buddy);
BSTR buddy_name(struct buddy *buddy);
BSTR buddy_data(struct buddy *buddy);
/* Starts watching (subscribes, for RTCBT_SUBSCRIBED). */
void buddy_start(struct buddy *buddy);
/* Removed or presence disabled: unsubscribe and forget the client. */
void buddy_detach(struct buddy *buddy);
/* The engine's reports for the buddy's subscription. */
void buddy_on_state(struct buddy *buddy, enum sip_subscription_status state, enum sip_subscription_reason reason,
                    guint status_code);
void buddy_on_notify(struct buddy *buddy, const struct sip_subscription_notify *notify);
void buddy_on_fork_ended(struct buddy *buddy, guint fork);
BOOL buddy_subscribed(struct buddy *buddy);

/* ---- watcher.c ------------------------------------------------------------------------------------ */

HRESULT watcher_create(struct presence *presence, const char *uri, const WCHAR *name, const WCHAR *data,
                       RTC_WATCHER_STATE state, BOOL persistent, RTC_ACE_SCOPE scope, IRTCProfile *profile,
                       struct watcher **out);
IRTCWatcher2 *watcher_iface(struct watcher *watcher);
struct watcher *watcher_from_iface(IUnknown *iface);
void watcher_add_ref(struct watcher *watcher);
void watcher_release(struct watcher *watcher);
const char *watcher_uri(struct watcher *watcher);
BOOL watcher_persistent(struct watcher *watcher);
RTC_WATCHER_STATE watcher_state(struct watcher *watcher);
RTC_ACE_SCOPE watcher_scope(struct watcher *watcher);
BSTR watcher_name(struct watcher *watcher);
BSTR watcher_data(struct watcher *watcher);
/* The access list entry for uri: exact (user scope, same URI) or the best
 * (user, then domain, then all). NULL when none. */
struct watcher *watcher_find(struct presence *presence, const char *uri, BOOL best);
/* The entry added with exactly this URI and scope, NULL when none. */
struct watcher *watcher_find_entry(struct presence *presence, const char *uri, RTC_ACE_SCOPE scope);
/* A SUBSCRIBE for our presence arrived (subscription_received). */
void watcher_on_subscription(struct presence *presence, struct sip_subscription *subscription);
/* A watcher's subscription ended. */
void watcher_on_ended(struct watcher *watcher, struct sip_subscription *subscription);
/* The local document changed: NOTIFY every subscription. */
void watcher_notify_all(struct presence *presence);
/* Server mode: what presence.winfo said about a watcher. */
void watcher_on_winfo(struct presence *presence, const struct sip_watcher *info);
/* Removed, presence disabled, or shutdown (end its subscriptions with reason). */
void watcher_detach(struct watcher *watcher, enum sip_subscription_reason reason);
BOOL watcher_has_live_subscriptions(struct watcher *watcher);

/* ---- buddy_group.c ---------------------------------------------------------------------------------- */

HRESULT buddy_group_create(struct presence *presence, const WCHAR *name, const WCHAR *data, IRTCProfile *profile,
                           struct buddy_group **out);
IRTCBuddyGroup *buddy_group_iface(struct buddy_group *group);
struct buddy_group *buddy_group_from_iface(IUnknown *iface);
void buddy_group_add_ref(struct buddy_group *group);
void buddy_group_release(struct buddy_group *group);
BSTR buddy_group_name(struct buddy_group *group);
BSTR buddy_group_data(struct buddy_group *group);
BOOL buddy_group_contains(struct buddy_group *group, struct buddy *buddy);
/* Adds a member without events (the store). */
void buddy_group_add_member(struct buddy_group *group, struct buddy *buddy);
/* A buddy left the list: it leaves every group too. */
void buddy_group_forget(struct buddy_group *group, struct buddy *buddy);
GPtrArray *buddy_group_members(struct buddy_group *group);     /* struct buddy * */
void buddy_group_detach(struct buddy_group *group);

/* ---- presence_device.c ------------------------------------------------------------------------------- */

/* A snapshot device object taking over info. */
HRESULT presence_device_create(struct presence_device_info *info, IRTCPresenceDevice **out);

/* ---- presence_enum.c ---------------------------------------------------------------------------------- */

HRESULT rtc_enum_buddies_create(IUnknown **items, unsigned int count, IRTCEnumBuddies **out);
HRESULT rtc_enum_watchers_create(IUnknown **items, unsigned int count, IRTCEnumWatchers **out);
HRESULT rtc_enum_groups_create(IUnknown **items, unsigned int count, IRTCEnumGroups **out);
HRESULT rtc_enum_presence_devices_create(IUnknown **items, unsigned int count, IRTCEnumPresenceDevices **out);

/* ---- client.c (glue) --------------------------------------------------------------------------------------- */

struct client *client_from_presence_iface(IRTCClientPresence2 *iface);
LONG client_event_filter(struct client *client);

#endif
