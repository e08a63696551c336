/*
 * libosip2's clock on Windows. There osip_gettimeofday() is the wall clock (_ftime),
 * while the engine keeps every deadline on GLib's monotonic clock: a time libosip2
 * stored is converted by its distance from libosip2's "now". (A step of the wall clock
 * between a timer's start and this conversion moves that timer by the step; libosip2
 * gives nothing better on Windows.)
 */
#include <winsock2.h>
#include <osip2/osip.h>
#include <osip2/osip_time.h>
#include "platform.h"

gint64 sip_osip_time_to_monotonic(const struct timeval *osip_time)
{
    struct timeval now;

    osip_gettimeofday(&now, NULL);
    return g_get_monotonic_time()
           + ((gint64)osip_time->tv_sec - now.tv_sec) * G_USEC_PER_SEC
           + ((gint64)osip_time->tv_usec - now.tv_usec);
}
