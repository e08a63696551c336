/*
 * IRTCClient::get_NetworkQuality's rating (rtccore/media.c): 0 to 100 from a
 * receiver report's fraction lost, jitter and round trip, as
 * docs/wire-mapping.md ("Network quality") gives it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include "rtccore_private.h"

static void test_perfect_network_is_100(void **state)
{
    (void)state;
    assert_int_equal(rtc_network_quality(0, 0, 0), 100);
    assert_int_equal(rtc_network_quality(0, 20, 2), 99);       /* a busy loopback */
}

static void test_loss(void **state)
{
    (void)state;
    assert_int_equal(rtc_network_quality(13, 0, 0), 86);       /* 5 % */
    assert_int_equal(rtc_network_quality(51, 0, 0), 46);       /* 20 % */
    assert_int_equal(rtc_network_quality(255, 0, 0), 0);       /* everything: not below 0 */
}

static void test_delay(void **state)
{
    (void)state;
    /* 100 ms jitter and 200 ms round trip: 310 ms, past the E-model's 160 ms knee */
    assert_int_equal(rtc_network_quality(0, 100, 200), 80);
    assert_int_equal(rtc_network_quality(26, 30, 80), 70);     /* 10 % and 110 ms together */
}

int main(void)
{
    const struct CMUnitTest tests[] =
    {
        cmocka_unit_test(test_perfect_network_is_100),
        cmocka_unit_test(test_loss),
        cmocka_unit_test(test_delay),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
