/*
 * UCC presence in process, over loopback: a UCC endpoint's subscriptions and
 * publications against an RTCClient's presence (tests/inproc/rtc_party) and
 * against another UCC endpoint. Exact event sequences on both sides: the
 * category contexts and instances a UCC sink sees, the buddy events an RTC
 * application sees, OnSubscribe / OnQuery / OnUnsubscribe / OnPublish, and the
 * HRESULTs of misuse (docs/ucc.md, "Presence").
 */
#include "test_ucc_party.h"
#include <wchar.h>
#include "rtc_party.h"

#define STATE_OPEN "<state xmlns=\"http://schemas.microsoft.com/2006/09/sip/state\" " \
                   "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:type=\"aggregateState\">"
#define STATE(availability) STATE_OPEN "<availability>" availability "</availability></state>"
#define STATE_TOKEN(availability, token) STATE_OPEN "<availability>" availability "</availability>" \
                                         "<activity token=\"" token "\"/></state>"
#define NOTE(text) "<note xmlns=\"http://schemas.microsoft.com/2006/09/sip/note\"><body type=\"personal\">" text \
                   "</body></note>"

struct mixed { struct ucc_party u; struct party r; struct ucc_party v; BOOL two_ucc; };

/* Advise each category context and instance as it appears (what an application does). */
static void presence_hook(struct ucc_sink *sink, const char *label, REFIID diid, DISPID dispid, IUnknown *source,
                          IUnknown *data)
{
    struct ucc_party *party = sink->user;
    char l[40];

    ucc_party_hook(sink, label, diid, dispid, source, data);
    if (IsEqualIID(diid, &DIID__IUccPresentityEvents) && dispid == DISPID__IUccPresentityEvents_OnCategoryContextAdded)
    {
        IUccCategoryContextEvent *event;
        IUccCategoryContext *context;

        assert_hr(IUnknown_QueryInterface(data, &IID_IUccCategoryContextEvent, (void **)&event), S_OK);
        assert_hr(IUccCategoryContextEvent_get_CategoryContext(event, &context), S_OK);
        g_snprintf(l, sizeof(l), "%s.ctx", party->name);
        assert_hr(ucc_sink_advise(sink, (IUnknown *)context, &DIID__IUccCategoryContextEvents, l), S_OK);
        IUccCategoryContext_Release(context);
        IUccCategoryContextEvent_Release(event);
    }
    else if (IsEqualIID(diid, &DIID__IUccCategoryContextEvents)
             && dispid == DISPID__IUccCategoryContextEvents_OnCategoryInstanceAdded)
    {
        IUccCategoryInstanceEvent *event;
        IUccCategoryInstance *instance;

        assert_hr(IUnknown_QueryInterface(data, &IID_IUccCategoryInstanceEvent, (void **)&event), S_OK);
        assert_hr(IUccCategoryInstanceEvent_get_CategoryInstance(event, &instance), S_OK);
        g_snprintf(l, sizeof(l), "%s.inst", party->name);
        assert_hr(ucc_sink_advise(sink, (IUnknown *)instance, &DIID__IUccCategoryInstanceEvents, l), S_OK);
        IUccCategoryInstance_Release(instance);
        IUccCategoryInstanceEvent_Release(event);
    }
}

static int setup(void **state)
{
    struct mixed *t = g_new0(struct mixed, 1);

    ucc_platform_start();
    ucc_party_init(&t->u, "ucc", 0);
    t->u.sink.hook = presence_hook;
    party_init(&t->r, "rtc");
    *state = t;
    return 0;
}

static int teardown(void **state)
{
    struct mixed *t = *state;

    ucc_platform_stop();
    ucc_party_cleanup(&t->u);
    if (t->two_ucc)
        ucc_party_cleanup(&t->v);
    ucc_platform_release();
    party_cleanup(&t->r);
    g_free(t);
    return 0;
}

static void assert_rtc_log(struct party *party, const char *expected)
{
    char *log = party_take_log(party);

    if (strcmp(log, expected))
    {
        print_error("[%s] log:\n  %s\nexpected:\n  %s\n", party->name, log, expected);
        g_free(log);
        fail();
    }
    g_free(log);
}

static IRTCClientPresence2 *rtc_presence(struct party *party)
{
    IRTCClientPresence2 *presence;
    VARIANT none;

    VariantInit(&none);
    assert_hr(IRTCClient_QueryInterface(party->client, &IID_IRTCClientPresence2, (void **)&presence), S_OK);
    assert_hr(IRTCClientPresence2_EnablePresenceEx(presence, NULL, none, 0), S_OK);
    return presence;
}

static void rtc_status(IRTCClientPresence2 *presence, RTC_PRESENCE_STATUS status, const char *notes)
{
    BSTR b = notes ? bstr(notes) : NULL;

    assert_hr(IRTCClientPresence2_SetLocalPresenceInfo(presence, status, b), S_OK);
    SysFreeString(b);
}

/* A subscription of `from` to `to_uri` for state and note, advised; *presentity_out when wanted. */
static IUccSubscription *ucc_watch(struct ucc_party *from, const char *to_uri, IUccPresentity **presentity_out)
{
    IUccSubscriptionManager *manager;
    IUccSubscription *subscription;
    IUccPresentity *presentity;
    IUccUri *uri = ucc_parse(to_uri);
    BSTR state = SysAllocString(L"state"), note = SysAllocString(L"note");
    char label[40];

    assert_hr(IUccEndpoint_QueryInterface(from->endpoint, &IID_IUccSubscriptionManager, (void **)&manager), S_OK);
    assert_hr(IUccSubscriptionManager_CreateSubscription(manager, NULL, &subscription), S_OK);
    IUccSubscriptionManager_Release(manager);
    g_snprintf(label, sizeof(label), "%s.sub", from->name);
    assert_hr(ucc_sink_advise(&from->sink, (IUnknown *)subscription, &DIID__IUccSubscriptionEvents, label), S_OK);
    assert_hr(IUccSubscription_CreatePresentity(subscription, uri, NULL, &presentity), S_OK);
    g_snprintf(label, sizeof(label), "%s.pres", from->name);
    assert_hr(ucc_sink_advise(&from->sink, (IUnknown *)presentity, &DIID__IUccPresentityEvents, label), S_OK);
    assert_hr(IUccSubscription_AddPresentity(subscription, presentity), S_OK);
    assert_hr(IUccSubscription_AddPresentity(subscription, presentity), S_FALSE);
    assert_hr(IUccSubscription_AddCategoryName(subscription, state), S_OK);
    assert_hr(IUccSubscription_AddCategoryName(subscription, note), S_OK);
    SysFreeString(state);
    SysFreeString(note);
    IUccUri_Release(uri);
    if (presentity_out)
        *presentity_out = presentity;
    else
        IUccPresentity_Release(presentity);
    return subscription;
}

/* Publishes one instance of category `name` in container with value; OnPublish with op id. */
static void ucc_publish(struct ucc_party *party, const WCHAR *name, LONG container, const char *value,
                        UCC_PUBLICATION_OPERATION_TYPE operation, LONG_PTR op_id)
{
    IUccPublicationManager *manager;
    IUccCategoryInstance *instance;
    IUccPublication *publication;
    IUccOperationContext *op = ucc_operation(op_id);
    BSTR b = SysAllocString(name), v = ucc_sink_bstr(value);
    char label[40], line[64];

    assert_hr(IUccEndpoint_QueryInterface(party->endpoint, &IID_IUccPublicationManager, (void **)&manager), S_OK);
    assert_hr(IUccPublicationManager_CreatePublishableCategoryInstance(manager, b, container, 0, UCCCIET_USER, 0,
                                                                       &instance), S_OK);
    assert_hr(IUccCategoryInstance_put_Value(instance, v), S_OK);
    assert_hr(IUccCategoryInstance_put_PublicationOperation(instance, operation), S_OK);
    assert_hr(IUccPublicationManager_CreatePublication(manager, &publication), S_OK);
    g_snprintf(label, sizeof(label), "%s.pub", party->name);
    assert_hr(ucc_sink_advise(&party->sink, (IUnknown *)publication, &DIID__IUccPublicationEvent, label), S_OK);
    assert_hr(IUccPublication_AddPublishableCategoryInstance(publication, instance), S_OK);
    assert_hr(IUccPublication_Publish(publication, op), S_OK);
    /* One publication, one Publish. */
    assert_hr(IUccPublication_Publish(publication, op), E_NOT_VALID_STATE);
    g_snprintf(line, sizeof(line), "%s.pub OnPublish %ld 0", party->name, (long)op_id);
    assert_true(ucc_party_wait(party, line));
    IUccPublication_Release(publication);
    IUccCategoryInstance_Release(instance);
    IUccPublicationManager_Release(manager);
    IUccOperationContext_Release(op);
    SysFreeString(b);
    SysFreeString(v);
}

/* UCC watches an RTC client: its status and notes become "state" and "note" instances. */
static void test_ucc_watches_rtc(void **state)
{
    struct mixed *t = *state;
    IRTCClientPresence2 *presence = rtc_presence(&t->r);
    IUccSubscription *subscription = ucc_watch(&t->u, t->r.uri, NULL);
    IUccOperationContext *op = ucc_operation(1);

    assert_hr(IUccSubscription_Subscribe(subscription, op), S_OK);
    IUccOperationContext_Release(op);
    assert_true(ucc_party_wait(&t->u, "ucc.ctx OnCategoryInstanceAdded " STATE("3000")));
    ucc_assert_log(&t->u, "ucc.sub OnSubscribe 1 rtc=0|ucc.pres OnCategoryContextAdded state|"
                          "ucc.ctx OnCategoryInstanceAdded " STATE("3000"));
    assert_true(party_wait(&t->r, "watcher OFFERING ucc 0 OFFERING", UCC_WAIT));
    assert_rtc_log(&t->r, "watcher OFFERING ucc 0 OFFERING");

    rtc_status(presence, RTCXS_PRESENCE_BUSY, "in a meeting");
    assert_true(ucc_party_wait(&t->u, "ucc.ctx OnCategoryInstanceAdded " NOTE("in a meeting")));
    ucc_assert_log(&t->u, "ucc.inst OnCategoryInstanceValueModified " STATE("6000") "|"
                          "ucc.pres OnCategoryContextAdded note|ucc.ctx OnCategoryInstanceAdded " NOTE("in a meeting"));

    rtc_status(presence, RTCXS_PRESENCE_ON_THE_PHONE, NULL);
    assert_true(ucc_party_wait(&t->u, "ucc.ctx OnCategoryInstanceRemoved " NOTE("in a meeting") " 1"));
    ucc_assert_log(&t->u, "ucc.inst OnCategoryInstanceValueModified " STATE_TOKEN("6000", "on-the-phone") "|"
                          "ucc.ctx OnCategoryInstanceRemoved " NOTE("in a meeting") " 1");
    rtc_status(presence, RTCXS_PRESENCE_AWAY, NULL);
    assert_true(ucc_party_wait(&t->u, "ucc.inst OnCategoryInstanceValueModified " STATE("15000")));
    rtc_status(presence, RTCXS_PRESENCE_BE_RIGHT_BACK, NULL);
    assert_true(ucc_party_wait(&t->u, "ucc.inst OnCategoryInstanceValueModified "
                                      STATE_TOKEN("12000", "be-right-back")));
    rtc_status(presence, RTCXS_PRESENCE_OFFLINE, NULL);
    assert_true(ucc_party_wait(&t->u, "ucc.inst OnCategoryInstanceValueModified " STATE("18000")));
    ucc_assert_log(&t->u, "ucc.inst OnCategoryInstanceValueModified " STATE("15000") "|"
                          "ucc.inst OnCategoryInstanceValueModified " STATE_TOKEN("12000", "be-right-back") "|"
                          "ucc.inst OnCategoryInstanceValueModified " STATE("18000"));

    /* Unsubscribe: the contexts go (reason 2: unsubscribed by the user), then OnUnsubscribe. */
    op = ucc_operation(2);
    assert_hr(IUccSubscription_Unsubscribe(subscription, op), S_OK);
    IUccOperationContext_Release(op);
    assert_true(ucc_party_wait(&t->u, "ucc.sub OnUnsubscribe 2 rtc=0"));
    ucc_assert_log(&t->u, "ucc.pres OnCategoryContextRemoved note 2|"
                          "ucc.ctx OnCategoryInstanceRemoved " STATE("18000") " 2|"
                          "ucc.pres OnCategoryContextRemoved state 2|ucc.sub OnUnsubscribe 2 rtc=0");
    IUccSubscription_Release(subscription);
    IRTCClientPresence2_Release(presence);
}

/* An RTC client watches a UCC endpoint: what it publishes, per container, reaches the buddy. */
static void test_rtc_watches_ucc(void **state)
{
    struct mixed *t = *state;
    IRTCClientPresence2 *presence = rtc_presence(&t->r);
    IUccPublicationManager *manager;
    IUccContainer *container, *again;
    IUccContainerMember *member;
    IRTCBuddy *buddy;
    BSTR uri = bstr(t->u.uri), watcher;

    /* Nothing published yet: the buddy is offline. */
    assert_hr(IRTCClientPresence2_AddBuddy(presence, uri, NULL, NULL, VARIANT_FALSE, NULL, 0, &buddy), S_OK);
    SysFreeString(uri);
    assert_true(party_wait(&t->r, "buddy SUBSCRIBED ucc 0 OFFLINE", UCC_WAIT));
    assert_true(party_wait(&t->r, "buddy UPDATE ucc 0 OFFLINE", UCC_WAIT));
    assert_rtc_log(&t->r, "buddy ADD ucc 0 OFFLINE|buddy SUBSCRIBED ucc 0 OFFLINE|buddy UPDATE ucc 0 OFFLINE");

    ucc_publish(&t->u, L"state", UCC_DEFAULT_CONTAINER_ID, STATE("3000"), UCCPOT_ADD, 3);
    assert_true(party_wait(&t->r, "buddy STATE_CHANGE ucc 0 ONLINE", UCC_WAIT));
    ucc_publish(&t->u, L"note", UCC_DEFAULT_CONTAINER_ID, NOTE("lunch soon"), UCCPOT_ADD, 4);
    assert_true(party_wait(&t->r, "buddy STATE_CHANGE ucc 0 ONLINE \"lunch soon\"", UCC_WAIT));
    ucc_publish(&t->u, L"state", UCC_DEFAULT_CONTAINER_ID, STATE_TOKEN("6000", "on-the-phone"), UCCPOT_ADD, 5);
    assert_true(party_wait(&t->r, "buddy STATE_CHANGE ucc 0 ON_THE_PHONE \"lunch soon\"", UCC_WAIT));
    assert_rtc_log(&t->r, "buddy STATE_CHANGE ucc 0 ONLINE|buddy STATE_CHANGE ucc 0 ONLINE \"lunch soon\"|"
                          "buddy STATE_CHANGE ucc 0 ON_THE_PHONE \"lunch soon\"");
    ucc_assert_log(&t->u, "ucc.pub OnPublish 3 0|ucc.pub OnPublish 4 0|ucc.pub OnPublish 5 0");

    /* A container with the watcher in it and nothing published there: it sees us closed. */
    assert_hr(IUccEndpoint_QueryInterface(t->u.endpoint, &IID_IUccPublicationManager, (void **)&manager), S_OK);
    assert_hr(IUccPublicationManager_CreateContainer(manager, 100, &container), S_OK);
    assert_hr(IUccPublicationManager_CreateContainer(manager, 100, &again), S_OK);
    assert_ptr_equal(container, again);
    IUccContainer_Release(again);
    watcher = ucc_sink_bstr(t->r.uri);
    assert_hr(IUccPublicationManager_CreateContainerMember(manager, watcher, UCCCMS_USER, &member), S_OK);
    SysFreeString(watcher);
    assert_hr(IUccContainer_AddMember(container, member), S_OK);
    assert_hr(IUccContainer_AddMember(container, member), S_FALSE);
    assert_true(party_wait(&t->r, "buddy STATE_CHANGE ucc 0 OFFLINE", UCC_WAIT));
    /* ... until something is published in it. */
    ucc_publish(&t->u, L"state", 100, STATE("15000"), UCCPOT_ADD, 6);
    assert_true(party_wait(&t->r, "buddy STATE_CHANGE ucc 0 AWAY", UCC_WAIT));
    /* Out of the container: the default view again. */
    assert_hr(IUccContainer_RemoveMember(container, member), S_OK);
    assert_true(party_wait(&t->r, "buddy STATE_CHANGE ucc 0 ON_THE_PHONE \"lunch soon\"", UCC_WAIT));
    assert_rtc_log(&t->r, "buddy STATE_CHANGE ucc 0 OFFLINE|buddy STATE_CHANGE ucc 0 AWAY|"
                          "buddy STATE_CHANGE ucc 0 ON_THE_PHONE \"lunch soon\"");
    /* Removing the note: what it said goes. */
    ucc_publish(&t->u, L"note", UCC_DEFAULT_CONTAINER_ID, NOTE("lunch soon"), UCCPOT_REMOVE, 7);
    assert_true(party_wait(&t->r, "buddy STATE_CHANGE ucc 0 ON_THE_PHONE", UCC_WAIT));
    ucc_assert_log(&t->u, "ucc.pub OnPublish 6 0|ucc.pub OnPublish 7 0");

    IUccContainerMember_Release(member);
    IUccContainer_Release(container);
    IUccPublicationManager_Release(manager);
    IRTCBuddy_Release(buddy);
    IRTCClientPresence2_Release(presence);
}

/* Two UCC endpoints: one publishes, the other asks once (Query: a fetch). */
static void test_ucc_queries_ucc(void **state)
{
    struct mixed *t = *state;
    IUccSubscription *subscription;
    IUccPresentity *presentity;
    IUccCategoryContext *context;
    IUccCollection *instances, *names;
    IUccOperationContext *op;
    VARIANT_BOOL found, self;
    LONG count;

    ucc_party_init(&t->v, "vic", 0);
    t->two_ucc = TRUE;
    t->v.sink.hook = presence_hook;
    ucc_publish(&t->u, L"state", UCC_DEFAULT_CONTAINER_ID, STATE("4500"), UCCPOT_ADD, 8);
    ucc_assert_log(&t->u, "ucc.pub OnPublish 8 0");

    subscription = ucc_watch(&t->v, t->u.uri, &presentity);
    assert_hr(IUccSubscription_get_CategoryNames(subscription, &names), S_OK);
    assert_hr(IUccCollection_get_Count(names, &count), S_OK);
    assert_int_equal(count, 2);
    IUccCollection_Release(names);
    op = ucc_operation(9);
    assert_hr(IUccSubscription_Query(subscription, op), S_OK);
    IUccOperationContext_Release(op);
    assert_true(ucc_party_wait(&t->v, "vic.sub OnQuery 9 ucc=0"));
    ucc_assert_log(&t->v, "vic.pres OnCategoryContextAdded state|vic.ctx OnCategoryInstanceAdded " STATE("4500") "|"
                          "vic.sub OnQuery 9 ucc=0");
    /* The answer stays after the fetch ended. */
    assert_hr(IUccPresentity_TryFindCategoryContext(presentity, L"state", &context, &found), S_OK);
    assert_int_equal(found, VARIANT_TRUE);
    assert_hr(IUccCategoryContext_get_CategoryInstances(context, UCC_DEFAULT_CONTAINER_ID, &instances), S_OK);
    assert_hr(IUccCollection_get_Count(instances, &count), S_OK);
    assert_int_equal(count, 1);
    IUccCollection_Release(instances);
    IUccCategoryContext_Release(context);
    assert_hr(IUccPresentity_get_IsSelf(presentity, &self), S_OK);
    assert_int_equal(self, VARIANT_FALSE);
    /* Nothing more arrives: the fetch is over. */
    ucc_publish(&t->u, L"state", UCC_DEFAULT_CONTAINER_ID, STATE("6000"), UCCPOT_ADD, 10);
    ucc_assert_log(&t->u, "ucc.pub OnPublish 10 0");
    ucc_assert_log(&t->v, "");
    IUccPresentity_Release(presentity);
    IUccSubscription_Release(subscription);
}

/* What an application gets wrong gets an HRESULT. */
static void test_errors(void **state)
{
    struct mixed *t = *state;
    IUccSubscriptionManager *subscriptions;
    IUccPublicationManager *manager;
    IUccSubscription *subscription;
    IUccCategoryInstance *instance;
    IUccPublication *publication;
    IUccPresentity *presentity;
    IUccUri *tel = ucc_parse("tel:+15551234");
    BSTR name, value;

    assert_hr(IUccEndpoint_QueryInterface(t->u.endpoint, &IID_IUccSubscriptionManager, (void **)&subscriptions), S_OK);
    assert_hr(IUccEndpoint_QueryInterface(t->u.endpoint, &IID_IUccPublicationManager, (void **)&manager), S_OK);
    assert_hr(IUccSubscriptionManager_CreateSubscription(subscriptions, NULL, &subscription), S_OK);
    /* An empty batch. */
    assert_hr(IUccSubscription_Subscribe(subscription, NULL), E_NOT_VALID_STATE);
    assert_hr(IUccSubscription_CreatePresentity(subscription, tel, NULL, &presentity), UCC_E_INVALID_SIP_URL);
    assert_hr(IUccSubscription_AddCategoryName(subscription, NULL), E_INVALIDARG);
    name = SysAllocString(L"calendarData");
    assert_hr(IUccSubscription_RemoveCategoryName(subscription, name), HRESULT_FROM_WIN32(ERROR_NOT_FOUND));
    SysFreeString(name);

    /* Categories that do not travel over SIMPLE, and values that are not their XML. */
    name = SysAllocString(L"calendarData");
    assert_hr(IUccPublicationManager_CreatePublishableCategoryInstance(manager, name, 0, 0, UCCCIET_USER, 0,
                                                                       &instance), S_OK);
    SysFreeString(name);
    assert_hr(IUccPublicationManager_CreatePublication(manager, &publication), S_OK);
    assert_hr(IUccPublication_Publish(publication, NULL), E_NOT_VALID_STATE);
    assert_hr(IUccPublication_AddPublishableCategoryInstance(publication, instance), S_OK);
    assert_hr(IUccPublication_Publish(publication, NULL), HRESULT_FROM_WIN32(ERROR_NOT_SUPPORTED));
    IUccCategoryInstance_Release(instance);
    IUccPublication_Release(publication);
    name = SysAllocString(L"state");
    value = SysAllocString(L"<state><availability>busy</availability></state>");
    assert_hr(IUccPublicationManager_CreatePublishableCategoryInstance(manager, name, 0, 0, UCCCIET_USER, 0,
                                                                       &instance), S_OK);
    assert_hr(IUccCategoryInstance_put_Value(instance, value), S_OK);
    assert_hr(IUccPublicationManager_CreatePublication(manager, &publication), S_OK);
    assert_hr(IUccPublication_AddPublishableCategoryInstance(publication, instance), S_OK);
    assert_hr(IUccPublication_Publish(publication, NULL), E_INVALIDARG);
    assert_hr(IUccCategoryInstance_put_PublicationOperation(instance, (UCC_PUBLICATION_OPERATION_TYPE)7), E_INVALIDARG);
    IUccCategoryInstance_Release(instance);
    IUccPublication_Release(publication);
    SysFreeString(value);
    SysFreeString(name);

    assert_hr(IUccPublicationManager_GetPresenceCategoryName(manager, UCCPCT_STATE, &name), S_OK);
    assert_true(!wcscmp(name, L"state"));
    SysFreeString(name);
    assert_hr(IUccPublicationManager_GetPresenceCategoryName(manager, (UCC_PRESENCE_CATEGORY_TYPE)99, &name),
              E_INVALIDARG);
    assert_hr(IUccPublicationManager_CreateContainerMember(manager, NULL, UCCCMS_USER, NULL), E_POINTER);

    /* Disabled: nothing goes out. */
    assert_hr(IUccEndpoint_Disable(t->u.endpoint, NULL), S_OK);
    assert_true(ucc_party_wait(&t->u, "ucc.ep OnDisable 0"));
    g_free(ucc_sink_take(&t->u.sink));
    assert_hr(IUccSubscription_Query(subscription, NULL), E_NOT_VALID_STATE);

    IUccUri_Release(tel);
    IUccSubscription_Release(subscription);
    IUccPublicationManager_Release(manager);
    IUccSubscriptionManager_Release(subscriptions);
}

int main(void)
{
    const struct CMUnitTest tests[] =
    {
        cmocka_unit_test_setup_teardown(test_ucc_watches_rtc, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rtc_watches_ucc, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ucc_queries_ucc, setup, teardown),
        cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
