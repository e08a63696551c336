/*
 * libosip2's memory (osip_memory.c): a cache of freed blocks in front of
 * malloc for everything libosip2 allocates, on the threads that run an
 * engine. Internal to src/sip/.
 */
#ifndef RTCSHIM_SIP_OSIP_MEMORY_H
#define RTCSHIM_SIP_OSIP_MEMORY_H

#include <glib.h>

G_BEGIN_DECLS

/* An engine starts / stops on this thread: the cache lives while at least
 * one does, and is emptied (back to malloc) when the last one stops. */
void osip_memory_engine_started(void);
void osip_memory_engine_stopped(void);

/* The engine's own large objects (a call) from the same cache: glibc
 * would fold every small freed block back into its heap
 * (malloc_consolidate) for each such request. Zeroed; free with
 * osip_memory_free() (free() is fine too, but bypasses the cache). */
void *osip_memory_alloc0(gsize size);
void osip_memory_free(void *block);

/* What the cache holds now on this thread (tests, benchmarks). */
struct osip_memory_stats
{
    gsize cached_blocks;
    gsize cached_bytes;
    guint64 hits;           /* allocations served from the cache */
    guint64 misses;         /* allocations that went to malloc */
};
void osip_memory_get_stats(struct osip_memory_stats *stats);

G_END_DECLS

#endif /* RTCSHIM_SIP_OSIP_MEMORY_H */
