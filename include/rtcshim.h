/*
 * rtcshim.h — the few Linux-only additions to the RTC Client API and UCC API.
 * Everything else an application uses comes from rtccore.h / uccapi.h exactly
 * as on Windows. Keep this header small: each addition is documented here.
 */
#ifndef RTCSHIM_H
#define RTCSHIM_H

#ifdef __cplusplus
extern "C" {
#endif

#define RTCSHIM_VERSION_MAJOR 0
#define RTCSHIM_VERSION_MINOR 1
#define RTCSHIM_VERSION_MICRO 0

/* The library's version as "major.minor.micro" (static storage). */
const char *rtcshim_version(void);

#ifdef __cplusplus
}
#endif

#endif /* RTCSHIM_H */
