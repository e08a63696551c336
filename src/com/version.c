/* rtcshim.h: the library's own version. */
#include "rtcshim.h"

#define STR_(x) #x
#define STR(x) STR_(x)

const char *rtcshim_version(void)
{
    return STR(RTCSHIM_VERSION_MAJOR) "." STR(RTCSHIM_VERSION_MINOR) "." STR(RTCSHIM_VERSION_MICRO);
}
