/*
 * How long tests wait. Every "until it happens, at most N" bound in the test
 * programs goes through test_ms()/test_seconds(), which multiply it by
 * RTCSHIM_TEST_TIME_SCALE (a whole number, default 1). A slow or busy machine
 * (valgrind, sanitizers, other work on every core) then gets longer bounds
 * without any test being tuned for a quiet one; a passing test waits no
 * longer, since the bounds only matter when something never happens.
 * The shell harnesses read the same variable (tests/sipp/run_sipp_test.sh,
 * tests/rtc-sipp/testlib.sh), and CMake scales the ctest TIMEOUTs with it.
 */
#ifndef RTCSHIM_TEST_TIME_H
#define RTCSHIM_TEST_TIME_H

#include <stdlib.h>

static inline int test_time_scale(void)
{
    const char *text = getenv("RTCSHIM_TEST_TIME_SCALE");
    int scale = text ? atoi(text) : 1;

    return scale >= 1 && scale <= 100 ? scale : 1;
}

static inline int test_ms(int ms)
{
    return ms * test_time_scale();
}

static inline int test_seconds(int seconds)
{
    return seconds * test_time_scale();
}

#endif
