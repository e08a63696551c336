/*
 * Apartments: CoInitialize(Ex) nesting and threading models per thread, the
 * apartment's GMainContext, and task memory (modelled on Wine's ole32 compobj.c tests).
 */
#include "com/com_test_util.h"

static const CLSID CLSID_Nothing =
    { 0x0badc0de, 0x1111, 0x2222, { 0x33, 0x33, 0x44, 0x44, 0x55, 0x55, 0x66, 0x66 } };

static void test_initialize_nesting(void **state)
{
    (void)state;
    assert_false(com_apartment_is_initialized());

    assert_hr(CoInitialize(NULL), S_OK);
    assert_true(com_apartment_is_initialized());
    assert_hr(CoInitialize(NULL), S_FALSE);
    assert_hr(CoInitializeEx(NULL, COINIT_APARTMENTTHREADED), S_FALSE);
    /* Asking for the other model fails and does not count. */
    assert_hr(CoInitializeEx(NULL, COINIT_MULTITHREADED), RPC_E_CHANGED_MODE);

    CoUninitialize();
    assert_true(com_apartment_is_initialized());
    CoUninitialize();
    assert_true(com_apartment_is_initialized());
    CoUninitialize();
    assert_false(com_apartment_is_initialized());

    /* Once fully uninitialised, the thread may pick the other model. */
    assert_hr(CoInitializeEx(NULL, COINIT_MULTITHREADED), S_OK);
    assert_hr(CoInitializeEx(NULL, COINIT_MULTITHREADED), S_FALSE);
    assert_hr(CoInitialize(NULL), RPC_E_CHANGED_MODE);
    assert_hr(CoInitializeEx(NULL, COINIT_APARTMENTTHREADED), RPC_E_CHANGED_MODE);
    CoUninitialize();
    CoUninitialize();
    assert_false(com_apartment_is_initialized());
}

static void test_initialize_flags(void **state)
{
    (void)state;
    /* The extra flags do not change the model. */
    assert_hr(CoInitializeEx(NULL, COINIT_APARTMENTTHREADED | COINIT_DISABLE_OLE1DDE), S_OK);
    assert_hr(CoInitializeEx(NULL, COINIT_APARTMENTTHREADED | COINIT_SPEED_OVER_MEMORY), S_FALSE);
    assert_hr(CoInitializeEx(NULL, COINIT_MULTITHREADED | COINIT_DISABLE_OLE1DDE), RPC_E_CHANGED_MODE);
    CoUninitialize();
    CoUninitialize();
    assert_false(com_apartment_is_initialized());
}

static void test_uninitialize_unbalanced(void **state)
{
    IUnknown *unk = (IUnknown *)0xdeadbeef;

    (void)state;
    /* Extra CoUninitialize calls are harmless. */
    CoUninitialize();
    CoUninitialize();
    assert_false(com_apartment_is_initialized());
    assert_null(com_apartment_context());
    assert_hr(CoCreateInstance(&CLSID_Nothing, NULL, CLSCTX_INPROC_SERVER, &IID_IUnknown, (void **)&unk),
              CO_E_NOTINITIALIZED);
    assert_null(unk);

    assert_hr(CoInitialize(NULL), S_OK);
    CoUninitialize();
    assert_false(com_apartment_is_initialized());
}

/* ---- per-thread state ---------------------------------------------------------- */

struct thread_result
{
    BOOL initialized_at_start;
    GMainContext *context_at_start;
    HRESULT create_hr;
    IUnknown *create_out;
    HRESULT class_hr;
    IClassFactory *class_out;
    HRESULT init_hr, init_again_hr, other_model_hr;
    GMainContext *pushed, *apartment_context, *after_second_push, *after_uninit;
};

static gpointer uninitialized_thread(gpointer data)
{
    struct thread_result *result = data;

    result->initialized_at_start = com_apartment_is_initialized();
    result->context_at_start = com_apartment_context();
    result->create_out = (IUnknown *)0xdeadbeef;
    result->class_out = (IClassFactory *)0xdeadbeef;
    result->create_hr = CoCreateInstance(&CLSID_Nothing, NULL, CLSCTX_INPROC_SERVER, &IID_IUnknown,
                                         (void **)&result->create_out);
    result->class_hr = CoGetClassObject(&CLSID_Nothing, CLSCTX_INPROC_SERVER, NULL, &IID_IClassFactory,
                                        (void **)&result->class_out);
    return NULL;
}

/* The main thread's apartment does not make another thread's calls work. */
static void test_other_thread_not_initialized(void **state)
{
    struct thread_result result;
    GThread *thread;

    (void)state;
    memset(&result, 0, sizeof(result));
    assert_hr(CoInitialize(NULL), S_OK);
    thread = g_thread_new("uninitialized", uninitialized_thread, &result);
    g_thread_join(thread);
    assert_true(com_apartment_is_initialized());    /* ours is unaffected */
    CoUninitialize();

    assert_false(result.initialized_at_start);
    assert_null(result.context_at_start);
    assert_hr(result.create_hr, CO_E_NOTINITIALIZED);
    assert_null(result.create_out);
    assert_hr(result.class_hr, CO_E_NOTINITIALIZED);
    assert_null(result.class_out);
}

static gpointer context_thread(gpointer data)
{
    struct thread_result *result = data;
    GMainContext *second;

    result->pushed = g_main_context_new();
    g_main_context_push_thread_default(result->pushed);
    /* This thread's apartment is its own: the main thread is STA, this one may be MTA. */
    result->init_hr = CoInitializeEx(NULL, COINIT_MULTITHREADED);
    result->apartment_context = com_apartment_context();

    /* Nesting keeps the context chosen by the first call. */
    second = g_main_context_new();
    g_main_context_push_thread_default(second);
    result->init_again_hr = CoInitializeEx(NULL, COINIT_MULTITHREADED);
    result->other_model_hr = CoInitialize(NULL);
    result->after_second_push = com_apartment_context();
    CoUninitialize();
    g_main_context_pop_thread_default(second);
    g_main_context_unref(second);

    CoUninitialize();
    result->after_uninit = com_apartment_context();
    g_main_context_pop_thread_default(result->pushed);
    return NULL;
}

static void test_apartment_context(void **state)
{
    struct thread_result result;
    GMainContext *context;
    GThread *thread;

    (void)state;
    /* Without a pushed context the apartment is the global default context. */
    assert_hr(CoInitialize(NULL), S_OK);
    context = com_apartment_context();
    assert_ptr_equal(context, g_main_context_default());
    g_main_context_unref(context);

    memset(&result, 0, sizeof(result));
    thread = g_thread_new("apartment", context_thread, &result);
    g_thread_join(thread);
    CoUninitialize();
    assert_null(com_apartment_context());

    assert_hr(result.init_hr, S_OK);
    assert_hr(result.init_again_hr, S_FALSE);
    assert_hr(result.other_model_hr, RPC_E_CHANGED_MODE);
    assert_non_null(result.pushed);
    assert_ptr_equal(result.apartment_context, result.pushed);
    assert_ptr_equal(result.after_second_push, result.pushed);
    assert_null(result.after_uninit);
    /* com_apartment_context returned new references: drop them, then ours. */
    g_main_context_unref(result.apartment_context);
    g_main_context_unref(result.after_second_push);
    g_main_context_unref(result.pushed);
}

/* The context pushed before CoInitialize on this thread. */
static void test_apartment_context_pushed(void **state)
{
    GMainContext *mine, *context;

    (void)state;
    mine = g_main_context_new();
    g_main_context_push_thread_default(mine);
    assert_hr(CoInitialize(NULL), S_OK);
    g_main_context_pop_thread_default(mine);      /* popping later changes nothing */
    context = com_apartment_context();
    assert_ptr_equal(context, mine);
    g_main_context_unref(context);
    CoUninitialize();
    assert_null(com_apartment_context());
    g_main_context_unref(mine);
}

/* ---- task memory ----------------------------------------------------------- */

static void test_task_memory(void **state)
{
    char *p, *q;

    (void)state;
    p = CoTaskMemAlloc(16);
    assert_non_null(p);
    memcpy(p, "0123456789abcdef", 16);
    q = CoTaskMemRealloc(p, 4096);
    assert_non_null(q);
    assert_memory_equal(q, "0123456789abcdef", 16);
    q[4095] = 'z';
    q = CoTaskMemRealloc(q, 8);
    assert_non_null(q);
    assert_memory_equal(q, "01234567", 8);
    CoTaskMemFree(q);

    /* Realloc of NULL allocates. */
    p = CoTaskMemRealloc(NULL, 32);
    assert_non_null(p);
    memset(p, 0, 32);
    /* Realloc to 0 bytes frees the block and returns NULL (IMalloc::Realloc); valgrind
     * would report the block if it were kept. */
    assert_null(CoTaskMemRealloc(p, 0));

    /* A zero-byte allocation is a valid pointer. */
    p = CoTaskMemAlloc(0);
    assert_non_null(p);
    CoTaskMemFree(p);
    CoTaskMemFree(NULL);
}

/* A failed test must not leave the main thread's apartment to the next one. */
static int leave_apartment(void **state)
{
    (void)state;
    while (com_apartment_is_initialized())
        CoUninitialize();
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] =
    {
        cmocka_unit_test_teardown(test_initialize_nesting, leave_apartment),
        cmocka_unit_test_teardown(test_initialize_flags, leave_apartment),
        cmocka_unit_test_teardown(test_uninitialize_unbalanced, leave_apartment),
        cmocka_unit_test_teardown(test_other_thread_not_initialized, leave_apartment),
        cmocka_unit_test_teardown(test_apartment_context, leave_apartment),
        cmocka_unit_test_teardown(test_apartment_context_pushed, leave_apartment),
        cmocka_unit_test(test_task_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
