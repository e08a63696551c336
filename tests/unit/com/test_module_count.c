/*
 * The module's count of live objects and server locks (what rtcshim.dll's
 * DllCanUnloadNow answers from): each object the RTC and UCC families hand out
 * counts from creation to its final Release, LockServer counts too, and a real
 * client's whole life (objects, events, enumerators) ends back at zero.
 */
#define COBJMACROS
#include <stdlib.h>
#include "com/com_test_util.h"
#include <rtccore.h>
#include <uccapi.h>

static int setup(void **state)
{
    assert_hr(CoInitializeEx(NULL, COINIT_APARTMENTTHREADED), S_OK);
    assert_int_equal(com_module_lock_count(), 0);
    return 0;
}

static int teardown(void **state)
{
    CoUninitialize();
    return 0;
}

static void test_objects_count_until_final_release(void **state)
{
    IRTCClient *client, *second;
    IUccPlatform *platform;
    IRTCClient2 *client2;

    assert_hr(CoCreateInstance(&CLSID_RTCClient, NULL, CLSCTX_INPROC_SERVER, &IID_IRTCClient, (void **)&client), S_OK);
    assert_int_equal(com_module_lock_count(), 1);
    /* More references or interfaces on the same object are not more objects. */
    assert_hr(IRTCClient_QueryInterface(client, &IID_IRTCClient2, (void **)&client2), S_OK);
    IRTCClient_AddRef(client);
    assert_int_equal(com_module_lock_count(), 1);
    assert_hr(CoCreateInstance(&CLSID_RTCClient, NULL, CLSCTX_INPROC_SERVER, &IID_IRTCClient, (void **)&second), S_OK);
    assert_hr(CoCreateInstance(&CLSID_UccPlatform, NULL, CLSCTX_INPROC_SERVER, &IID_IUccPlatform,
                               (void **)&platform), S_OK);
    assert_int_equal(com_module_lock_count(), 3);

    IRTCClient2_Release(client2);
    IRTCClient_Release(client);
    assert_int_equal(com_module_lock_count(), 3);
    IRTCClient_Release(client);
    assert_int_equal(com_module_lock_count(), 2);
    IRTCClient_Release(second);
    IUccPlatform_Release(platform);
    assert_int_equal(com_module_lock_count(), 0);
}

static void test_lock_server(void **state)
{
    IClassFactory *factory;

    assert_hr(CoGetClassObject(&CLSID_RTCClient, CLSCTX_INPROC_SERVER, NULL, &IID_IClassFactory, (void **)&factory),
              S_OK);
    /* The class factory is static: it is not an object of the count ... */
    assert_int_equal(com_module_lock_count(), 0);
    /* ... but a locked server stays loaded with no object alive. */
    assert_hr(IClassFactory_LockServer(factory, TRUE), S_OK);
    assert_int_equal(com_module_lock_count(), 1);
    assert_hr(IClassFactory_LockServer(factory, TRUE), S_OK);
    assert_int_equal(com_module_lock_count(), 2);
    assert_hr(IClassFactory_LockServer(factory, FALSE), S_OK);
    assert_hr(IClassFactory_LockServer(factory, FALSE), S_OK);
    assert_int_equal(com_module_lock_count(), 0);
    IClassFactory_Release(factory);
}

/* A client's life with the objects it hands out: sessions, participants,
 * enumerators, collections. All of them count, and all of them end. */
static void test_client_life_returns_to_zero(void **state)
{
    IRTCEnumParticipants *participants;
    IRTCParticipant *participant;
    IRTCSession *session;
    IRTCClient *client;
    ULONG fetched;
    BSTR uri;

    assert_hr(CoCreateInstance(&CLSID_RTCClient, NULL, CLSCTX_INPROC_SERVER, &IID_IRTCClient, (void **)&client), S_OK);
    assert_hr(IRTCClient_Initialize(client), S_OK);
    assert_hr(IRTCClient_CreateSession(client, RTCST_PC_TO_PC, NULL, NULL, 0, &session), S_OK);
    uri = SysAllocString(L"sip:bob@192.0.2.1");
    assert_hr(IRTCSession_AddParticipant(session, uri, NULL, &participant), S_OK);
    SysFreeString(uri);
    assert_hr(IRTCSession_EnumerateParticipants(session, &participants), S_OK);
    assert_true(com_module_lock_count() >= 4);      /* client, session, participant, enumerator */

    IRTCParticipant_Release(participant);
    assert_hr(IRTCEnumParticipants_Next(participants, 1, &participant, &fetched), S_OK);
    IRTCParticipant_Release(participant);
    IRTCEnumParticipants_Release(participants);
    assert_hr(IRTCSession_Terminate(session, RTCTR_NORMAL), S_OK);
    IRTCSession_Release(session);
    assert_hr(IRTCClient_Shutdown(client), S_OK);
    IRTCClient_Release(client);
    assert_int_equal(com_module_lock_count(), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] =
    {
        cmocka_unit_test_setup_teardown(test_objects_count_until_final_release, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lock_server, setup, teardown),
        cmocka_unit_test_setup_teardown(test_client_life_returns_to_zero, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
