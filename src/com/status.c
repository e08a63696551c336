/*
 * What methods that are not built, or built only in part, say about themselves:
 * one log line per method, on its first call (com_private.h).
 */
#include <string.h>
#include "com/com_private.h"

static GMutex logged_lock;
static GHashTable *logged;      /* the method strings already logged (by address) */

/* RTCSHIM_QUIET_NOTIMPL set to anything but "" or "0" silences both kinds of line. */
static BOOL quiet(void)
{
    const char *value = g_getenv("RTCSHIM_QUIET_NOTIMPL");

    return value && *value && strcmp(value, "0");
}

/* TRUE the first time a method string is seen. The strings are __func__ or
 * literals, which live as long as the library. */
static BOOL first_call(const char *method)
{
    BOOL first;

    g_mutex_lock(&logged_lock);
    if (!logged)
        logged = g_hash_table_new(g_direct_hash, g_direct_equal);
    first = g_hash_table_add(logged, (gpointer)method);
    g_mutex_unlock(&logged_lock);
    return first;
}

HRESULT com_not_built(const char *method)
{
    if (!quiet() && first_call(method))
        g_warning("%s is not built: it returns E_NOTIMPL (docs/status.md; RTCSHIM_QUIET_NOTIMPL=1 silences this)",
                  method);
    return E_NOTIMPL;
}

void com_partial_note(const char *method, const char *reason)
{
    if (!quiet() && first_call(method))
        g_info("%s is built only in part: %s (docs/status.md)", method, reason);
}
