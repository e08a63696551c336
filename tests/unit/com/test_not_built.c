/*
 * What not-built and partial methods say about themselves (src/com/status.c):
 * E_NOTIMPL and one warning per method on its first call, one info line per
 * partial method, nothing at all with RTCSHIM_QUIET_NOTIMPL=1; and the same
 * through the API, for a not-built method of each face.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "com/com_private.h"
#include <rtccore.h>
#include <uccapi.h>

#define assert_hr(expr, expected) assert_int_equal((unsigned int)(expr), (unsigned int)(expected))

/* Every line the library logs, as "LEVEL text", one per line. */
static GString *logged;

static void record(const gchar *domain, GLogLevelFlags level, const gchar *message, gpointer data)
{
    const char *name = (level & G_LOG_LEVEL_WARNING) ? "WARNING" : (level & G_LOG_LEVEL_INFO) ? "INFO" : "OTHER";

    g_string_append_printf(logged, "%s %s\n", name, message);
}

static char *take_log(void)
{
    char *text = g_strdup(logged->str);

    g_string_truncate(logged, 0);
    return text;
}

#define assert_log(expected) do { \
        char *log_ = take_log(); \
        assert_string_equal(log_, expected); \
        g_free(log_); \
    } while (0)

static int setup(void **state)
{
    logged = g_string_new(NULL);
    g_log_set_handler("rtcshim", G_LOG_LEVEL_MASK, record, NULL);
    unsetenv("RTCSHIM_QUIET_NOTIMPL");
    return 0;
}

static int teardown(void **state)
{
    g_string_free(logged, TRUE);
    unsetenv("RTCSHIM_QUIET_NOTIMPL");
    return 0;
}

/* Each test names its own methods: the "once" is per method (per __func__ string) for the
 * whole process. */
static const char alpha_method[] = "alpha_Method", alpha_other[] = "alpha_Other";
static const char beta_method[] = "beta_Method";
static const char gamma_method[] = "gamma_Method", gamma_partial[] = "gamma_Partial";

static void test_not_built_warns_once_per_method(void **state)
{
    assert_hr(com_not_built(alpha_method), E_NOTIMPL);
    assert_log("WARNING alpha_Method is not built: it returns E_NOTIMPL (docs/status.md; "
               "RTCSHIM_QUIET_NOTIMPL=1 silences this)\n");
    assert_hr(com_not_built(alpha_method), E_NOTIMPL);
    assert_hr(com_not_built(alpha_method), E_NOTIMPL);
    assert_log("");
    assert_hr(com_not_built(alpha_other), E_NOTIMPL);
    assert_log("WARNING alpha_Other is not built: it returns E_NOTIMPL (docs/status.md; "
               "RTCSHIM_QUIET_NOTIMPL=1 silences this)\n");
}

static void test_partial_logs_once_at_info(void **state)
{
    com_partial(beta_method, "always FALSE: nothing tells");
    com_partial(beta_method, "always FALSE: nothing tells");
    assert_log("INFO beta_Method is built only in part: always FALSE: nothing tells (docs/status.md)\n");
}

static void test_quiet(void **state)
{
    setenv("RTCSHIM_QUIET_NOTIMPL", "1", 1);
    assert_hr(com_not_built(gamma_method), E_NOTIMPL);
    com_partial(gamma_partial, "reason");
    assert_log("");
    /* "0" or empty is not quiet; a method silenced before still logs its first loud call. */
    setenv("RTCSHIM_QUIET_NOTIMPL", "0", 1);
    assert_hr(com_not_built(gamma_method), E_NOTIMPL);
    setenv("RTCSHIM_QUIET_NOTIMPL", "", 1);
    com_partial(gamma_partial, "reason");
    assert_log("WARNING gamma_Method is not built: it returns E_NOTIMPL (docs/status.md; "
               "RTCSHIM_QUIET_NOTIMPL=1 silences this)\n"
               "INFO gamma_Partial is built only in part: reason (docs/status.md)\n");
}

/* Through the API: a not-built method of each face warns once with its name. */
static void test_api_methods(void **state)
{
    IRTCClientProvisioning2 *provisioning;
    IUccPlatform *platform;
    IUccEndpoint *endpoint = (IUccEndpoint *)0xdeadbeef;
    int i;

    assert_hr(CoInitializeEx(NULL, COINIT_APARTMENTTHREADED), S_OK);
    assert_hr(CoCreateInstance(&CLSID_RTCClient, NULL, CLSCTX_INPROC_SERVER, &IID_IRTCClientProvisioning2,
                               (void **)&provisioning), S_OK);
    for (i = 0; i < 2; i++)
        assert_hr(IRTCClientProvisioning2_GetProfile(provisioning, NULL, NULL, NULL, NULL, 0, 0), E_NOTIMPL);
    IRTCClientProvisioning2_Release(provisioning);
    assert_log("WARNING provisioning_GetProfile is not built: it returns E_NOTIMPL (docs/status.md; "
               "RTCSHIM_QUIET_NOTIMPL=1 silences this)\n");

    assert_hr(CoCreateInstance(&CLSID_UccPlatform, NULL, CLSCTX_INPROC_SERVER, &IID_IUccPlatform,
                               (void **)&platform), S_OK);
    for (i = 0; i < 2; i++)
        assert_hr(IUccPlatform_CreateProxyEndpoint(platform, UCCET_PRINCIPAL_SERVER_BASED, NULL, NULL, NULL, NULL,
                                                   &endpoint), E_NOTIMPL);
    IUccPlatform_Release(platform);
    assert_log("WARNING platform_CreateProxyEndpoint is not built: it returns E_NOTIMPL (docs/status.md; "
               "RTCSHIM_QUIET_NOTIMPL=1 silences this)\n");
    CoUninitialize();
}

int main(void)
{
    const struct CMUnitTest tests[] =
    {
        cmocka_unit_test_setup_teardown(test_not_built_warns_once_per_method, setup, teardown),
        cmocka_unit_test_setup_teardown(test_partial_logs_once_at_info, setup, teardown),
        cmocka_unit_test_setup_teardown(test_quiet, setup, teardown),
        cmocka_unit_test_setup_teardown(test_api_methods, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
