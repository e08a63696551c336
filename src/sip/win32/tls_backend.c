/*
 * GIO's TLS backend on Windows: glib-networking's OpenSSL backend is linked into the DLL
 * (a static GIO module), so it is registered by hand instead of being found on disk.
 */
#include <gio/gio.h>
#include "platform.h"

void g_io_openssl_load(GIOModule *module);

void sip_platform_init(void)
{
    static gsize done;

    if (g_once_init_enter(&done))
    {
        g_io_openssl_load(NULL);
        g_once_init_leave(&done, 1);
    }
}
