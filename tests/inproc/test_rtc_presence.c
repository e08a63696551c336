/*
 * Presence between in-process RTC clients, peer to peer over loopback
 * (IRTCClientPresence2, IRTCBuddy2, IRTCWatcher2, IRTCBuddyGroup): exact
 * event sequences as an application sees them, the HRESULTs of misuse, and
 * the storage file across a restart.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <glib/gstdio.h>
#include <cmocka.h>
#include "rtc_party.h"

#define WAIT_MS 15000

static IRTCClientPresence2 *presence_of_party(struct party *party)
{
    IRTCClientPresence2 *presence;

    assert_int_equal(IRTCClient_QueryInterface(party->client, &IID_IRTCClientPresence2, (void **)&presence), S_OK);
    return presence;
}

static HRESULT enable(struct party *party, const char *store)
{
    IRTCClientPresence2 *presence = presence_of_party(party);
    VARIANT storage;
    HRESULT hr;

    VariantInit(&storage);
    if (store)
    {
        V_VT(&storage) = VT_BSTR;
        V_BSTR(&storage) = bstr(store);
    }
    hr = IRTCClientPresence2_EnablePresence(presence, store ? VARIANT_TRUE : VARIANT_FALSE, storage);
    VariantClear(&storage);
    IRTCClientPresence2_Release(presence);
    return hr;
}

static IRTCBuddy2 *add_buddy(struct party *from, struct party *to, RTC_BUDDY_SUBSCRIPTION_TYPE type)
{
    IRTCClientPresence2 *presence = presence_of_party(from);
    IRTCBuddy2 *buddy = NULL;
    BSTR uri = bstr(to->uri), name = bstr(to->name);

    assert_int_equal(IRTCClientPresence2_AddBuddyEx(presence, uri, name, NULL, VARIANT_FALSE, type, NULL, 0, &buddy),
                     S_OK);
    SysFreeString(uri);
    SysFreeString(name);
    IRTCClientPresence2_Release(presence);
    return buddy;
}

static void set_status(struct party *party, RTC_PRESENCE_STATUS status, const char *notes)
{
    IRTCClientPresence2 *presence = presence_of_party(party);
    BSTR text = notes ? bstr(notes) : NULL;

    assert_int_equal(IRTCClientPresence2_SetLocalPresenceInfo(presence, status, text), S_OK);
    SysFreeString(text);
    IRTCClientPresence2_Release(presence);
}

static void assert_log(struct party *party, const char *expected)
{
    char *log = party_take_log(party);

    assert_string_equal(log, expected);
    g_free(log);
}

static void forget(struct party *party)
{
    g_free(party_take_log(party));
}

static void shut_down(struct party *party)
{
    assert_int_equal(IRTCClient_PrepareForShutdown(party->client), S_OK);
    assert_true(party_wait(party, "client CLEANUP_DONE", WAIT_MS));
    party_cleanup(party);
}

/* A buddy's status follows its presentity: ONLINE, BUSY with notes, AWAY, OFFLINE. */
static void test_status_changes(void **state)
{
    struct party alice, bob;
    IRTCBuddy2 *buddy;
    RTC_PRESENCE_STATUS status;
    BSTR notes;
    char *text;

    party_init(&alice, "alice");
    party_init(&bob, "bob");
    assert_int_equal(enable(&alice, NULL), S_OK);
    assert_int_equal(enable(&bob, NULL), S_OK);

    buddy = add_buddy(&alice, &bob, RTCBT_SUBSCRIBED);
    assert_true(party_wait(&alice, "buddy STATE_CHANGE bob 0 ONLINE", WAIT_MS));
    assert_log(&alice, "buddy ADD bob 0 OFFLINE|buddy SUBSCRIBED bob 0 ONLINE|buddy STATE_CHANGE bob 0 ONLINE");
    assert_true(party_wait(&bob, "watcher OFFERING alice 0 OFFERING", WAIT_MS));
    assert_log(&bob, "watcher OFFERING alice 0 OFFERING");
    /* The offer answered: the watcher is remembered, nothing changes for alice. */
    assert_int_equal(IRTCWatcher_put_State(bob.last_watcher, RTCWS_ALLOWED), S_OK);

    set_status(&bob, RTCXS_PRESENCE_BUSY, "in a meeting");
    assert_true(party_wait(&alice, "buddy STATE_CHANGE bob 0 BUSY \"in a meeting\"", WAIT_MS));
    assert_log(&alice, "buddy STATE_CHANGE bob 0 BUSY \"in a meeting\"");
    assert_int_equal(IRTCBuddy2_get_Status(buddy, &status), S_OK);
    assert_int_equal(status, RTCXS_PRESENCE_BUSY);
    assert_int_equal(IRTCBuddy2_get_Notes(buddy, &notes), S_OK);
    text = utf8_of(notes);
    assert_string_equal(text, "in a meeting");
    g_free(text);
    SysFreeString(notes);

    set_status(&bob, RTCXS_PRESENCE_AWAY, NULL);
    assert_true(party_wait(&alice, "buddy STATE_CHANGE bob 0 AWAY", WAIT_MS));
    assert_log(&alice, "buddy STATE_CHANGE bob 0 AWAY");

    set_status(&bob, RTCXS_PRESENCE_OFFLINE, NULL);
    assert_true(party_wait(&alice, "buddy STATE_CHANGE bob 0 OFFLINE", WAIT_MS));
    assert_log(&alice, "buddy STATE_CHANGE bob 0 OFFLINE");
    /* Peer to peer nobody can refuse our status: each change is reported done. */
    assert_log(&bob, "local-status BUSY 0 \"in a meeting\"|local-status AWAY 0|local-status OFFLINE 0");

    /* The other statuses RTC knows travel too (RPID activities). */
    set_status(&bob, RTCXS_PRESENCE_ON_THE_PHONE, NULL);
    assert_true(party_wait(&alice, "buddy STATE_CHANGE bob 0 ON_THE_PHONE", WAIT_MS));
    set_status(&bob, RTCXS_PRESENCE_BE_RIGHT_BACK, NULL);
    assert_true(party_wait(&alice, "buddy STATE_CHANGE bob 0 BE_RIGHT_BACK", WAIT_MS));
    set_status(&bob, RTCXS_PRESENCE_OUT_TO_LUNCH, NULL);
    assert_true(party_wait(&alice, "buddy STATE_CHANGE bob 0 OUT_TO_LUNCH", WAIT_MS));
    set_status(&bob, RTCXS_PRESENCE_IDLE, NULL);
    assert_true(party_wait(&alice, "buddy STATE_CHANGE bob 0 IDLE", WAIT_MS));
    assert_log(&alice, "buddy STATE_CHANGE bob 0 ON_THE_PHONE|buddy STATE_CHANGE bob 0 BE_RIGHT_BACK|"
                       "buddy STATE_CHANGE bob 0 OUT_TO_LUNCH|buddy STATE_CHANGE bob 0 IDLE");
    forget(&bob);

    /* Shutting down bob ends alice's subscription: his last NOTIFY says
     * closed, then his device goes. */
    shut_down(&bob);
    assert_true(party_wait(&alice, "buddy UPDATE bob 0 OFFLINE", WAIT_MS));
    assert_log(&alice, "buddy STATE_CHANGE bob 0 OFFLINE|buddy UPDATE bob 0 OFFLINE");
    IRTCBuddy2_Release(buddy);
    shut_down(&alice);
}

/* A watcher bob blocked sees him offline, and still does after bob restarts with his store. */
static void test_blocked_watcher_survives_restart(void **state)
{
    struct party alice, bob;
    IRTCClientPresence2 *presence;
    IRTCWatcher *watcher;
    IRTCBuddy2 *buddy;
    RTC_WATCHER_STATE watcher_state;
    VARIANT_BOOL persistent;
    char *dir = g_dir_make_tmp("rtc-presence-XXXXXX", NULL), *store = g_build_filename(dir, "bob.xml", NULL);
    unsigned short port;
    BSTR uri;

    party_init(&alice, "alice");
    party_init(&bob, "bob");
    port = bob.port;
    assert_int_equal(enable(&alice, NULL), S_OK);
    assert_int_equal(enable(&bob, store), S_OK);       /* no file yet: a first start */

    buddy = add_buddy(&alice, &bob, RTCBT_SUBSCRIBED);
    assert_true(party_wait(&bob, "watcher OFFERING alice 0 OFFERING", WAIT_MS));
    assert_true(party_wait(&alice, "buddy STATE_CHANGE bob 0 ONLINE", WAIT_MS));
    assert_log(&alice, "buddy ADD bob 0 OFFLINE|buddy SUBSCRIBED bob 0 ONLINE|buddy STATE_CHANGE bob 0 ONLINE");
    assert_int_equal(IRTCWatcher_put_State(bob.last_watcher, RTCWS_BLOCKED), S_OK);
    assert_int_equal(IRTCWatcher_get_Persistent(bob.last_watcher, &persistent), S_OK);
    assert_int_equal(persistent, VARIANT_TRUE);
    /* Polite blocking: alice is told bob is offline, not that she is blocked. */
    assert_true(party_wait(&alice, "buddy STATE_CHANGE bob 0 OFFLINE", WAIT_MS));
    assert_true(g_file_test(store, G_FILE_TEST_EXISTS));

    shut_down(&bob);
    assert_true(party_wait(&alice, "buddy UPDATE bob 0 OFFLINE", WAIT_MS));
    assert_log(&alice, "buddy STATE_CHANGE bob 0 OFFLINE|buddy UPDATE bob 0 OFFLINE");

    /* Bob again, same address, same store: alice is still blocked, and no offer is made. */
    party_init_port(&bob, "bob", port);
    assert_int_equal(enable(&bob, store), S_OK);
    presence = presence_of_party(&bob);
    uri = bstr(alice.uri);
    assert_int_equal(IRTCClientPresence2_get_Watcher(presence, uri, &watcher), S_OK);
    assert_int_equal(IRTCWatcher_get_State(watcher, &watcher_state), S_OK);
    assert_int_equal(watcher_state, RTCWS_BLOCKED);
    set_status(&bob, RTCXS_PRESENCE_ONLINE, "back");

    assert_int_equal(IRTCBuddy2_Refresh(buddy), S_OK);     /* the old subscription is over: a new one */
    assert_true(party_wait(&alice, "buddy UPDATE bob 0 OFFLINE", WAIT_MS));
    assert_log(&alice, "buddy SUBSCRIBED bob 0 OFFLINE|buddy UPDATE bob 0 OFFLINE");

    /* Unblocked, alice sees bob as he is: the first document that shows him. */
    assert_int_equal(IRTCWatcher_put_State(watcher, RTCWS_ALLOWED), S_OK);
    assert_true(party_wait(&alice, "buddy STATE_CHANGE bob 0 ONLINE \"back\"", WAIT_MS));
    assert_log(&alice, "buddy STATE_CHANGE bob 0 ONLINE \"back\"");
    assert_log(&bob, "local-status ONLINE 0 \"back\"");

    IRTCWatcher_Release(watcher);
    SysFreeString(uri);
    IRTCClientPresence2_Release(presence);
    IRTCBuddy2_Release(buddy);
    shut_down(&bob);
    shut_down(&alice);
    g_unlink(store);
    g_rmdir(dir);
    g_free(store);
    g_free(dir);
}

/* Watchers decided by the access list: automatic adding, the allow list, a denial. */
static void test_watcher_policies(void **state)
{
    struct party alice, bob, carol;
    IRTCClientPresence2 *presence;
    IRTCWatcher2 *denied;
    IRTCBuddy2 *buddy, *carols_buddy;
    BSTR uri;

    party_init(&alice, "alice");
    party_init(&bob, "bob");
    party_init(&carol, "carol");
    assert_int_equal(enable(&alice, NULL), S_OK);
    assert_int_equal(enable(&bob, NULL), S_OK);
    assert_int_equal(enable(&carol, NULL), S_OK);
    presence = presence_of_party(&bob);

    /* Allow list only: an offered watcher waits (pending), and sees bob once allowed. */
    assert_int_equal(IRTCClientPresence2_put_PrivacyMode(presence, RTCPM_ALLOW_LIST_ONLY), S_OK);
    buddy = add_buddy(&alice, &bob, RTCBT_SUBSCRIBED);
    assert_true(party_wait(&alice, "buddy SUBSCRIBED bob 0 OFFLINE", WAIT_MS));
    assert_true(party_wait(&bob, "watcher OFFERING alice 0 OFFERING", WAIT_MS));
    assert_log(&bob, "watcher OFFERING alice 0 OFFERING");
    assert_int_equal(IRTCWatcher_put_State(bob.last_watcher, RTCWS_ALLOWED), S_OK);
    assert_true(party_wait(&alice, "buddy STATE_CHANGE bob 0 ONLINE", WAIT_MS));
    assert_log(&alice, "buddy ADD bob 0 OFFLINE|buddy SUBSCRIBED bob 0 OFFLINE|buddy STATE_CHANGE bob 0 ONLINE");

    /* Denied: carol's subscription is refused with 403. */
    uri = bstr(carol.uri);
    assert_int_equal(IRTCClientPresence2_AddWatcherEx(presence, uri, NULL, NULL, RTCWS_DENIED, VARIANT_TRUE,
                                                      RTCAS_SCOPE_USER, NULL, 0, &denied), S_OK);
    assert_true(party_wait(&bob, "watcher ADD carol 0 DENIED", WAIT_MS));
    assert_log(&bob, "watcher ADD carol 0 DENIED");
    assert_int_equal(IRTCClientPresence2_AddWatcherEx(presence, uri, NULL, NULL, RTCWS_ALLOWED, VARIANT_TRUE,
                                                      RTCAS_SCOPE_USER, NULL, 0, NULL), RTC_E_DUPLICATE_WATCHER);
    carols_buddy = add_buddy(&carol, &bob, RTCBT_SUBSCRIBED);
    assert_true(party_wait(&carol, "buddy SUBSCRIBED bob 0x80ef0193 OFFLINE", WAIT_MS));
    assert_log(&carol, "buddy ADD bob 0 OFFLINE|buddy SUBSCRIBED bob 0x80ef0193 OFFLINE");

    /* Automatic adding: a new watcher is allowed and reported as added. */
    assert_int_equal(IRTCClientPresence2_RemoveWatcher(presence, (IRTCWatcher *)denied), S_OK);
    assert_true(party_wait(&bob, "watcher REMOVE carol 0 DENIED", WAIT_MS));
    assert_log(&bob, "watcher REMOVE carol 0 DENIED");
    assert_int_equal(IRTCClientPresence2_put_OfferWatcherMode(presence, RTCOWM_AUTOMATICALLY_ADD_WATCHER), S_OK);
    assert_int_equal(IRTCBuddy2_Refresh(carols_buddy), S_OK);
    assert_true(party_wait(&carol, "buddy STATE_CHANGE bob 0 ONLINE", WAIT_MS));
    assert_log(&carol, "buddy SUBSCRIBED bob 0 ONLINE|buddy STATE_CHANGE bob 0 ONLINE");
    assert_true(party_wait(&bob, "watcher ADD carol 0 ALLOWED", WAIT_MS));
    assert_log(&bob, "watcher ADD carol 0 ALLOWED");

    SysFreeString(uri);
    IRTCWatcher2_Release(denied);
    IRTCBuddy2_Release(carols_buddy);
    IRTCBuddy2_Release(buddy);
    IRTCClientPresence2_Release(presence);
    shut_down(&carol);
    shut_down(&bob);
    shut_down(&alice);
}

/* Properties and data reach the buddy's device; a poll buddy fetches on Refresh. */
static void test_properties_and_devices(void **state)
{
    struct party alice, bob;
    IRTCClientPresence2 *presence;
    IRTCBuddy2 *buddy;
    IRTCEnumPresenceDevices *devices;
    IRTCPresenceDevice *device;
    RTC_PRESENCE_STATUS status;
    ULONG fetched;
    BSTR value, ns, data;
    char *text;

    party_init(&alice, "alice");
    party_init(&bob, "bob");
    assert_int_equal(enable(&alice, NULL), S_OK);
    assert_int_equal(enable(&bob, NULL), S_OK);
    presence = presence_of_party(&bob);
    assert_int_equal(IRTCClientPresence2_put_OfferWatcherMode(presence, RTCOWM_AUTOMATICALLY_ADD_WATCHER), S_OK);

    buddy = add_buddy(&alice, &bob, RTCBT_SUBSCRIBED);
    assert_true(party_wait(&alice, "buddy STATE_CHANGE bob 0 ONLINE", WAIT_MS));
    forget(&alice);
    assert_true(party_wait(&bob, "watcher ADD alice 0 ALLOWED", WAIT_MS));
    forget(&bob);

    value = bstr("Bob Builder");
    assert_int_equal(IRTCClientPresence2_put_PresenceProperty(presence, RTCPP_DISPLAYNAME, value), S_OK);
    SysFreeString(value);
    assert_log(&bob, "");
    assert_true(party_wait(&bob, "local-property DISPLAYNAME Bob Builder 0", WAIT_MS));
    assert_true(party_wait(&alice, "buddy UPDATE bob 0 ONLINE", WAIT_MS));
    assert_log(&alice, "buddy UPDATE bob 0 ONLINE");
    assert_int_equal(IRTCBuddy2_get_PresenceProperty(buddy, RTCPP_DISPLAYNAME, &value), S_OK);
    text = utf8_of(value);
    assert_string_equal(text, "Bob Builder");
    g_free(text);
    SysFreeString(value);

    ns = bstr("urn:example:game");
    data = bstr("<game xmlns=\"urn:example:game\">chess</game>");
    assert_int_equal(IRTCClientPresence2_SetPresenceData(presence, ns, data), S_OK);
    SysFreeString(ns);
    SysFreeString(data);
    assert_true(party_wait(&alice, "buddy UPDATE bob 0 ONLINE", WAIT_MS));
    assert_true(party_wait(&bob, "local-data urn:example:game 0", WAIT_MS));
    ns = bstr("urn:example:game");
    data = bstr("<game xmlns=\"urn:example:game\">chess");    /* not well formed */
    assert_int_equal(IRTCClientPresence2_SetPresenceData(presence, ns, data), E_INVALIDARG);
    SysFreeString(ns);
    SysFreeString(data);

    assert_int_equal(IRTCBuddy2_EnumeratePresenceDevices(buddy, &devices), S_OK);
    assert_int_equal(IRTCEnumPresenceDevices_Next(devices, 1, &device, &fetched), S_OK);
    assert_int_equal(fetched, 1);
    assert_int_equal(IRTCPresenceDevice_get_Status(device, &status), S_OK);
    assert_int_equal(status, RTCXS_PRESENCE_ONLINE);
    assert_int_equal(IRTCPresenceDevice_GetPresenceData(device, &ns, &data), S_OK);
    text = utf8_of(ns);
    assert_string_equal(text, "urn:example:game");
    g_free(text);
    text = utf8_of(data);
    assert_non_null(strstr(text, "chess"));
    g_free(text);
    SysFreeString(ns);
    SysFreeString(data);
    IRTCPresenceDevice_Release(device);
    assert_int_equal(IRTCEnumPresenceDevices_Next(devices, 1, &device, &fetched), S_FALSE);
    IRTCEnumPresenceDevices_Release(devices);
    IRTCBuddy2_Release(buddy);
    IRTCClientPresence2_Release(presence);
    shut_down(&bob);
    shut_down(&alice);
}

/* Groups: events, membership, and what RemoveBuddy does to them. */
static void test_groups(void **state)
{
    struct party alice;
    IRTCClientPresence2 *presence;
    IRTCBuddyGroup *group, *found;
    IRTCBuddy *buddy;
    IRTCEnumBuddies *members;
    ULONG fetched;
    BSTR name, uri;
    IRTCBuddy *member;

    party_init(&alice, "alice");
    assert_int_equal(enable(&alice, NULL), S_OK);
    presence = presence_of_party(&alice);
    name = bstr("Friends");
    assert_int_equal(IRTCClientPresence2_AddGroup(presence, name, NULL, NULL, 0, &group), S_OK);
    assert_int_equal(IRTCClientPresence2_AddGroup(presence, name, NULL, NULL, 0, NULL), RTC_E_DUPLICATE_GROUP);
    assert_int_equal(IRTCClientPresence2_get_Group(presence, name, &found), S_OK);
    assert_ptr_equal(found, group);
    IRTCBuddyGroup_Release(found);

    /* An always-offline buddy never subscribes (nobody is there to answer). */
    uri = bstr("sip:dave@127.0.0.1:9");
    assert_int_equal(IRTCClientPresence2_AddBuddyEx(presence, uri, NULL, NULL, VARIANT_FALSE, RTCBT_ALWAYS_OFFLINE,
                                                    NULL, 0, (IRTCBuddy2 **)&buddy), S_OK);
    assert_int_equal(IRTCBuddyGroup_AddBuddy(group, buddy), S_OK);
    assert_int_equal(IRTCBuddyGroup_AddBuddy(group, buddy), RTC_E_DUPLICATE_BUDDY);
    assert_int_equal(IRTCBuddyGroup_EnumerateBuddies(group, &members), S_OK);
    assert_int_equal(IRTCEnumBuddies_Next(members, 1, &member, &fetched), S_OK);
    assert_ptr_equal(member, buddy);
    IRTCBuddy_Release(member);
    IRTCEnumBuddies_Release(members);
    assert_int_equal(IRTCClientPresence2_RemoveBuddy(presence, buddy), S_OK);
    assert_int_equal(IRTCClientPresence2_RemoveBuddy(presence, buddy), RTC_E_NO_BUDDY);
    assert_int_equal(IRTCClientPresence2_RemoveGroup(presence, group), S_OK);
    assert_int_equal(IRTCClientPresence2_RemoveGroup(presence, group), RTC_E_NO_GROUP);
    assert_true(party_wait(&alice, "group REMOVE Friends - 0", WAIT_MS));
    assert_log(&alice, "group ADD Friends - 0|buddy ADD dave 0 OFFLINE|group BUDDY_ADD Friends dave 0|"
                       "buddy REMOVE dave 0 OFFLINE|group REMOVE Friends - 0");

    SysFreeString(uri);
    SysFreeString(name);
    IRTCBuddy_Release(buddy);
    IRTCBuddyGroup_Release(group);
    IRTCClientPresence2_Release(presence);
    shut_down(&alice);
}

/* Export writes the persistent lists; Import (into a fresh client) brings them back. */
static void test_export_import(void **state)
{
    struct party alice;
    IRTCClientPresence2 *presence;
    IRTCBuddyGroup *group;
    IRTCBuddy2 *buddy;
    char *dir = g_dir_make_tmp("rtc-presence-XXXXXX", NULL), *file = g_build_filename(dir, "export.xml", NULL);
    char *broken = g_build_filename(dir, "broken.xml", NULL), *missing = g_build_filename(dir, "none.xml", NULL);
    VARIANT storage;
    BSTR uri, name;

    party_init(&alice, "alice");
    assert_int_equal(enable(&alice, NULL), S_OK);
    presence = presence_of_party(&alice);
    uri = bstr("sip:erin@127.0.0.1:9");
    name = bstr("Colleagues");
    assert_int_equal(IRTCClientPresence2_AddBuddyEx(presence, uri, NULL, NULL, VARIANT_TRUE, RTCBT_ALWAYS_ONLINE,
                                                    NULL, 0, &buddy), S_OK);
    assert_int_equal(IRTCClientPresence2_AddGroup(presence, name, NULL, NULL, 0, &group), S_OK);
    assert_int_equal(IRTCBuddyGroup_AddBuddy(group, (IRTCBuddy *)buddy), S_OK);
    SysFreeString(uri);
    uri = bstr("sip:mallory@127.0.0.1:9");
    assert_int_equal(IRTCClientPresence2_AddWatcher(presence, uri, NULL, NULL, VARIANT_TRUE, VARIANT_TRUE, NULL),
                     S_OK);
    SysFreeString(uri);
    IRTCBuddyGroup_Release(group);
    IRTCBuddy2_Release(buddy);

    VariantInit(&storage);
    V_VT(&storage) = VT_BSTR;
    V_BSTR(&storage) = bstr(file);
    assert_int_equal(IRTCClientPresence2_Export(presence, storage), S_OK);
    assert_true(party_wait(&alice, "watcher ADD mallory 0 BLOCKED", WAIT_MS));
    assert_log(&alice, "buddy ADD erin 0 ONLINE|group ADD Colleagues - 0|group BUDDY_ADD Colleagues erin 0|"
                       "watcher ADD mallory 0 BLOCKED");
    /* Import with replace: everything goes, then comes back from the file. */
    assert_int_equal(IRTCClientPresence2_Import(presence, storage, VARIANT_TRUE), S_OK);
    assert_true(party_wait(&alice, "buddy ADD erin 0 ONLINE", WAIT_MS));
    assert_log(&alice, "group REMOVE Colleagues - 0|buddy REMOVE erin 0 ONLINE|watcher REMOVE mallory 0 BLOCKED|"
                       "watcher ADD mallory 0 BLOCKED|group ADD Colleagues - 0|buddy ADD erin 0 ONLINE");
    assert_int_equal(IRTCClientPresence2_get_Group(presence, name, &group), S_OK);
    uri = bstr("sip:erin@127.0.0.1:9");
    assert_int_equal(IRTCClientPresence2_get_Buddy(presence, uri, (IRTCBuddy **)&buddy), S_OK);
    SysFreeString(uri);
    IRTCBuddy2_Release(buddy);
    IRTCBuddyGroup_Release(group);
    VariantClear(&storage);

    /* What cannot be read is an error, and changes nothing. */
    g_file_set_contents(broken, "<presence-store xmlns=\"urn:rtcshim:presence-store\" version=\"1\"><buddy", -1, NULL);
    V_VT(&storage) = VT_BSTR;
    V_BSTR(&storage) = bstr(broken);
    assert_int_equal(IRTCClientPresence2_Import(presence, storage, VARIANT_TRUE), RTC_E_MALFORMED_XML);
    VariantClear(&storage);
    V_VT(&storage) = VT_BSTR;
    V_BSTR(&storage) = bstr(missing);
    assert_int_equal(IRTCClientPresence2_Import(presence, storage, VARIANT_FALSE),
                     HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND));
    VariantClear(&storage);
    V_VT(&storage) = VT_I4;
    V_I4(&storage) = 1;
    assert_int_equal(IRTCClientPresence2_Export(presence, storage), E_INVALIDARG);
    assert_log(&alice, "");

    SysFreeString(name);
    IRTCClientPresence2_Release(presence);
    shut_down(&alice);
    g_unlink(file);
    g_unlink(broken);
    g_rmdir(dir);
    g_free(file);
    g_free(broken);
    g_free(missing);
    g_free(dir);
}

/* Misuse gets the documented HRESULTs. */
static void test_errors(void **state)
{
    struct party alice;
    IRTCClientPresence2 *presence;
    IRTCBuddy *buddy = NULL;
    IRTCWatcher *watcher = NULL;
    VARIANT empty;
    BSTR uri;

    party_init(&alice, "alice");
    presence = presence_of_party(&alice);
    VariantInit(&empty);
    uri = bstr("sip:bob@127.0.0.1:9");
    assert_int_equal(IRTCClientPresence2_AddBuddy(presence, uri, NULL, NULL, VARIANT_FALSE, NULL, 0, &buddy),
                     RTC_E_PRESENCE_NOT_ENABLED);
    assert_null(buddy);
    assert_int_equal(IRTCClientPresence2_SetLocalPresenceInfo(presence, RTCXS_PRESENCE_BUSY, NULL),
                     RTC_E_PRESENCE_NOT_ENABLED);
    assert_int_equal(IRTCClientPresence2_DisablePresence(presence), RTC_E_PRESENCE_NOT_ENABLED);
    assert_int_equal(IRTCClientPresence2_EnablePresenceEx(presence, NULL, empty, 0), S_OK);
    assert_int_equal(IRTCClientPresence2_EnablePresenceEx(presence, NULL, empty, 0), RTC_E_PRESENCE_ENABLED);

    assert_int_equal(IRTCClientPresence2_SetLocalPresenceInfo(presence, (RTC_PRESENCE_STATUS)8, NULL), E_INVALIDARG);
    assert_int_equal(IRTCClientPresence2_put_OfferWatcherMode(presence, (RTC_OFFER_WATCHER_MODE)5), E_INVALIDARG);
    assert_int_equal(IRTCClientPresence2_get_Buddy(presence, uri, &buddy), RTC_E_NO_BUDDY);
    assert_int_equal(IRTCClientPresence2_get_Watcher(presence, uri, &watcher), RTC_E_NO_WATCHER);
    SysFreeString(uri);
    uri = bstr("not a uri");
    assert_int_equal(IRTCClientPresence2_AddBuddy(presence, uri, NULL, NULL, VARIANT_FALSE, NULL, 0, &buddy),
                     RTC_E_INVALID_SIP_URL);
    SysFreeString(uri);
    uri = bstr("sip:bob@127.0.0.1:9");
    assert_int_equal(IRTCClientPresence2_AddBuddyEx(presence, uri, NULL, NULL, VARIANT_FALSE, RTCBT_ALWAYS_OFFLINE,
                                                    NULL, 0, NULL), S_OK);
    assert_int_equal(IRTCClientPresence2_AddBuddy(presence, uri, NULL, NULL, VARIANT_FALSE, NULL, 0, &buddy),
                     RTC_E_DUPLICATE_BUDDY);
    assert_int_equal(IRTCClientPresence2_AddWatcher(presence, uri, NULL, NULL, VARIANT_FALSE, VARIANT_FALSE, &watcher),
                     S_OK);
    assert_int_equal(IRTCWatcher_put_State(watcher, RTCWS_OFFERING), E_INVALIDARG);
    assert_int_equal(IRTCClientPresence2_EnumerateBuddies(presence, NULL), E_POINTER);

    /* Disabled: the lists are gone, the objects answer their getters but not what needs presence. */
    assert_int_equal(IRTCClientPresence2_DisablePresence(presence), S_OK);
    assert_int_equal(IRTCClientPresence2_RemoveWatcher(presence, watcher), RTC_E_PRESENCE_NOT_ENABLED);
    assert_int_equal(IRTCClientPresence2_EnablePresenceEx(presence, NULL, empty, 0), S_OK);
    assert_int_equal(IRTCClientPresence2_get_Buddy(presence, uri, &buddy), RTC_E_NO_BUDDY);
    assert_int_equal(IRTCClientPresence2_RemoveWatcher(presence, watcher), RTC_E_NO_WATCHER);
    IRTCWatcher_Release(watcher);
    SysFreeString(uri);
    IRTCClientPresence2_Release(presence);
    forget(&alice);
    shut_down(&alice);
}

int main(void)
{
    const struct CMUnitTest tests[] =
    {
        cmocka_unit_test(test_status_changes),
        cmocka_unit_test(test_blocked_watcher_survives_restart),
        cmocka_unit_test(test_watcher_policies),
        cmocka_unit_test(test_properties_and_devices),
        cmocka_unit_test(test_groups),
        cmocka_unit_test(test_export_import),
        cmocka_unit_test(test_errors),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
