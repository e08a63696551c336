/* What the RTC Client API objects share. No libosip2 here (DESIGN.md). */
#ifndef RTCSHIM_RTCCORE_PRIVATE_H
#define RTCSHIM_RTCCORE_PRIVATE_H

#ifndef COBJMACROS
#define COBJMACROS
#endif
#include <stdlib.h>
#include <windows.h>
#include <ocidl.h>
#include "rtccore.h"
#include "rtcerr.h"
#include "com/com_private.h"

/* IRTCClient2::get_Version: this is the RTC Client API 1.2, high word major, low word minor. */
#define RTCSHIM_RTC_API_VERSION MAKELONG(2, 1)

struct client;

/* client.c: events for the application (see client_fire_event). */
BOOL client_wants_event(struct client *client, RTC_EVENT type);
void client_fire_event(struct client *client, RTC_EVENT type, IDispatch *event);

#endif
