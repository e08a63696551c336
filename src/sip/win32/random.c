/* Random bytes from the system's generator, on Windows (BCryptGenRandom). */
#include <windows.h>
#include <bcrypt.h>
#include "platform.h"

gboolean sip_random_bytes(void *buffer, gsize size)
{
    return size <= G_MAXULONG
           && BCRYPT_SUCCESS(BCryptGenRandom(NULL, buffer, (ULONG)size, BCRYPT_USE_SYSTEM_PREFERRED_RNG));
}
