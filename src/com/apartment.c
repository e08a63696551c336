/*
 * Apartments and task memory. An apartment is the thread-default GMainContext
 * of the thread at its first CoInitialize(Ex): every object created in it
 * queues its events to that context (docs/architecture.md, "Threads and
 * the event loop"). Nesting is counted per thread,
 * as on Windows: the first call gives S_OK, later ones S_FALSE, a call asking
 * for the other threading model RPC_E_CHANGED_MODE.
 */
#include <stdlib.h>
#include "com/com_private.h"

struct apartment
{
    unsigned int init_count;
    DWORD model;            /* COINIT_APARTMENTTHREADED or COINIT_MULTITHREADED */
    GMainContext *context;
};

static GPrivate apartment_key = G_PRIVATE_INIT(g_free);

static struct apartment *current_apartment(BOOL create)
{
    struct apartment *apt = g_private_get(&apartment_key);

    if (!apt && create)
    {
        apt = g_new0(struct apartment, 1);
        g_private_set(&apartment_key, apt);
    }
    return apt;
}

HRESULT WINAPI CoInitializeEx(LPVOID reserved, DWORD coinit)
{
    struct apartment *apt;
    /* COINIT_MULTITHREADED is 0: the model is chosen by the COINIT_APARTMENTTHREADED bit. */
    DWORD model = (coinit & COINIT_APARTMENTTHREADED) ? COINIT_APARTMENTTHREADED : COINIT_MULTITHREADED;

    if (reserved)
        return E_INVALIDARG;
    apt = current_apartment(TRUE);
    if (apt->init_count)
    {
        if (apt->model != model)
            return RPC_E_CHANGED_MODE;
        apt->init_count++;
        return S_FALSE;
    }
    apt->model = model;
    apt->context = g_main_context_ref_thread_default();
    apt->init_count = 1;
    return S_OK;
}

HRESULT WINAPI CoInitialize(LPVOID reserved)
{
    /* CoInitialize ignores its reserved argument. */
    (void)reserved;
    return CoInitializeEx(NULL, COINIT_APARTMENTTHREADED);
}

void WINAPI CoUninitialize(void)
{
    struct apartment *apt = current_apartment(FALSE);

    if (!apt || !apt->init_count)
        return;
    if (--apt->init_count == 0)
    {
        g_main_context_unref(apt->context);
        apt->context = NULL;
    }
}

BOOL com_apartment_is_initialized(void)
{
    struct apartment *apt = current_apartment(FALSE);
    return apt && apt->init_count;
}

GMainContext *com_apartment_context(void)
{
    struct apartment *apt = current_apartment(FALSE);

    if (!apt || !apt->init_count)
        return NULL;
    return g_main_context_ref(apt->context);
}

LPVOID WINAPI CoTaskMemAlloc(SIZE_T size)
{
    return malloc(size ? size : 1);
}

LPVOID WINAPI CoTaskMemRealloc(LPVOID ptr, SIZE_T size)
{
    /* IMalloc::Realloc: a zero size frees the block and returns NULL. */
    if (ptr && !size)
    {
        free(ptr);
        return NULL;
    }
    return realloc(ptr, size ? size : 1);
}

void WINAPI CoTaskMemFree(LPVOID ptr)
{
    free(ptr);
}
