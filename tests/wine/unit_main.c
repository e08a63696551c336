/*
 * main() of every unit test program in the Windows build: the test file's own main() is
 * compiled as rtcshim_unit_main() (-Dmain=rtcshim_unit_main), and this one first applies
 * the Wine exclusion of that program, if any (RTCSHIM_WINE_SKIP, a cmocka name pattern set
 * by tests/wine/CMakeLists.txt, where each exclusion is listed with its reason).
 * Skipped tests are reported by cmocka as skipped, not as passed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <cmocka.h>

int rtcshim_unit_main(void);

int main(void)
{
    const char *skip = getenv("RTCSHIM_WINE_SKIP");

    if (skip && *skip)
        cmocka_set_skip_filter(skip);
    return rtcshim_unit_main();
}
