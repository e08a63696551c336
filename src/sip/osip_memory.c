/*
 * libosip2's memory: a cache of freed blocks in front of malloc, installed
 * with osip_set_allocators().
 *
 * libosip2 makes some 900 allocations per call (every header, parameter
 * and string of every message parsed, built, cloned and serialised, and a
 * 15 KB block per transaction). glibc keeps only 7 freed blocks of a size
 * at hand; past that its slower paths run, and each 15 KB request first
 * folds every small freed block back into the heap (malloc_consolidate):
 * in profiles malloc and free were over a third of the engine's CPU. The
 * blocks a message frees are what the next message asks for, so freed
 * blocks are kept here by size class, per thread, and handed out again.
 *
 * Every block is a plain malloc() block, sized up to its class: a block
 * may be freed by free() or g_free(), and libosip2 may free what others
 * allocated; the class of a freed block comes from malloc_usable_size().
 * The cache exists only on threads that run an engine, and is emptied when
 * the last one stops. Where glibc's malloc_usable_size() is not there, the
 * allocators are libosip2's own.
 */

#ifndef G_LOG_DOMAIN
#define G_LOG_DOMAIN "rtcshim"
#endif

#include <stdlib.h>
#include <string.h>

#include "osip_memory.h"

#if defined(__GLIBC__)

#include <malloc.h>
#include <sys/time.h>     /* libosip2's headers need struct timeval first */
#include <osipparser2/osip_port.h>

/* Classes 1..64: multiples of 16 bytes up to 1 KB; 65..69: powers of two
 * from 2 KB to 32 KB (transactions, serialised messages). */
#define SMALL_GRANULE       16
#define SMALL_CLASSES       64
#define SMALL_LIMIT         (SMALL_GRANULE * SMALL_CLASSES)
#define LARGE_FIRST_SHIFT   11
#define LARGE_LAST_SHIFT    15
#define CLASS_COUNT         (SMALL_CLASSES + 1 + LARGE_LAST_SHIFT - LARGE_FIRST_SHIFT + 1)

/* Bounds on what is kept: a burst that frees more goes back to malloc.
 * The calls of one batch of datagrams (up to 64 read at once) hold several
 * thousand small blocks until they are answered, then free them together. */
#define SMALL_CLASS_MAX_BLOCKS  8192
#define LARGE_CLASS_MAX_BLOCKS  64
#define MAX_CACHED_BYTES        (4 * 1024 * 1024)

struct free_block
{
    struct free_block *next;
};

struct block_cache
{
    struct free_block *heads[CLASS_COUNT];
    guint counts[CLASS_COUNT];
    gsize bytes;
    guint64 hits, misses;
};

/* initial-exec: no __tls_get_addr() call on every allocation */
static __thread struct block_cache *cache __attribute__((tls_model("initial-exec")));
static __thread guint engines __attribute__((tls_model("initial-exec")));

static gsize class_size(guint class)
{
    return class <= SMALL_CLASSES ? (gsize)class * SMALL_GRANULE
                                  : (gsize)1 << (LARGE_FIRST_SHIFT + class - SMALL_CLASSES - 1);
}

static guint class_max_blocks(guint class)
{
    return class <= SMALL_CLASSES ? SMALL_CLASS_MAX_BLOCKS : LARGE_CLASS_MAX_BLOCKS;
}

/* The class whose blocks serve a request of size (0: none, use malloc). */
static guint class_for_request(gsize size)
{
    guint shift;

    if (size <= SMALL_LIMIT)
        return size ? (guint)((size + SMALL_GRANULE - 1) / SMALL_GRANULE) : 1;
    for (shift = LARGE_FIRST_SHIFT; shift <= LARGE_LAST_SHIFT; shift++)
        if (size <= (gsize)1 << shift)
            return SMALL_CLASSES + 1 + shift - LARGE_FIRST_SHIFT;
    return 0;
}

/* The class a freed block can serve: the largest whose size it holds. */
static guint class_for_block(gsize usable)
{
    guint shift;

    if (usable < SMALL_GRANULE)
        return 0;
    if (usable < SMALL_LIMIT + SMALL_GRANULE)
        return (guint)(usable / SMALL_GRANULE);
    for (shift = LARGE_LAST_SHIFT; shift >= LARGE_FIRST_SHIFT; shift--)
        if (usable >= (gsize)1 << shift)
            return SMALL_CLASSES + 1 + shift - LARGE_FIRST_SHIFT;
    return 0;
}

static void *cached_malloc(size_t size)
{
    struct block_cache *blocks = cache;
    struct free_block *block;
    guint class;

    if (!blocks || !(class = class_for_request(size)))
        return malloc(size);
    if ((block = blocks->heads[class]))
    {
        blocks->heads[class] = block->next;
        blocks->counts[class]--;
        blocks->bytes -= class_size(class);
        blocks->hits++;
        return block;
    }
    blocks->misses++;
    return malloc(class_size(class));
}

static void cached_free(void *pointer)
{
    struct block_cache *blocks = cache;
    struct free_block *block = pointer;
    guint class;

    if (!pointer)
        return;
    if (!blocks || !(class = class_for_block(malloc_usable_size(pointer)))
        || blocks->counts[class] >= class_max_blocks(class) || blocks->bytes + class_size(class) > MAX_CACHED_BYTES)
    {
        free(pointer);
        return;
    }
    block->next = blocks->heads[class];
    blocks->heads[class] = block;
    blocks->counts[class]++;
    blocks->bytes += class_size(class);
}

/* libosip2 shrinks most strings it serialises (osip_uri_to_str(), ...)
 * with realloc(). glibc's realloc() would split the block, and the pieces
 * would come back as blocks of other classes: one class starves while
 * another overflows. So a block that holds the new size stays as it is,
 * unless it would be mostly empty; otherwise the data moves to a block of
 * the cache. */
static void *cached_realloc(void *pointer, size_t size)
{
    void *moved;
    size_t usable;

    if (!pointer)
        return cached_malloc(size);
    if (!cache || !size)
        return realloc(pointer, size);
    usable = malloc_usable_size(pointer);
    if (size <= usable && usable - size < size + SMALL_GRANULE)
        return pointer;     /* it fits and is not mostly empty (a shrunk serialisation may be kept long) */
    if (!(moved = cached_malloc(size)))
        return NULL;
    memcpy(moved, pointer, MIN(size, usable));
    cached_free(pointer);
    return moved;
}

void *osip_memory_alloc0(gsize size)
{
    void *block = cached_malloc(size);

    if (!block)
        g_error("out of memory (%" G_GSIZE_FORMAT " bytes)", size);
    return memset(block, 0, size);
}

void osip_memory_free(void *block)
{
    cached_free(block);
}

static void cache_empty(struct block_cache *blocks)
{
    guint class;

    for (class = 0; class < CLASS_COUNT; class++)
    {
        struct free_block *block;

        while ((block = blocks->heads[class]))
        {
            blocks->heads[class] = block->next;
            free(block);
        }
    }
    free(blocks);
}

void osip_memory_engine_started(void)
{
    static gsize installed;

    if (g_once_init_enter(&installed))
    {
        osip_set_allocators(cached_malloc, cached_realloc, cached_free);
        g_once_init_leave(&installed, 1);
    }
    if (!engines++)
        cache = calloc(1, sizeof(*cache));
}

void osip_memory_engine_stopped(void)
{
    struct block_cache *blocks = cache;

    if (!engines || --engines)
        return;
    cache = NULL;
    if (blocks)
        cache_empty(blocks);
}

void osip_memory_get_stats(struct osip_memory_stats *stats)
{
    guint class;

    memset(stats, 0, sizeof(*stats));
    if (!cache)
        return;
    for (class = 0; class < CLASS_COUNT; class++)
        stats->cached_blocks += cache->counts[class];
    stats->cached_bytes = cache->bytes;
    stats->hits = cache->hits;
    stats->misses = cache->misses;
}

#else /* no malloc_usable_size(): libosip2's own allocators */

void *osip_memory_alloc0(gsize size)
{
    return g_malloc0(size);
}

void osip_memory_free(void *block)
{
    g_free(block);
}

void osip_memory_engine_started(void)
{
}

void osip_memory_engine_stopped(void)
{
}

void osip_memory_get_stats(struct osip_memory_stats *stats)
{
    memset(stats, 0, sizeof(*stats));
}

#endif
