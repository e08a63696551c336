/*
 * Apartments in rtcshim.dll. ole32 owns CoInitialize(Ex) and the apartments; the
 * library gives each single-threaded apartment (STA) thread that uses it a GMainContext
 * of its own, and the thread's Win32 message loop runs that context, so every event
 * reaches the application from its own GetMessage/DispatchMessage, as with the original
 * DLL:
 *
 *  - the STA thread prepares and queries the context and hands the poll handles and the
 *    timeout to a waiter thread; the waiter polls them (g_poll) and posts a message to a
 *    message-only window of the STA thread; the window procedure checks and dispatches
 *    the context on the STA thread and arms the waiter again. Nothing runs while nothing
 *    is due: there is no timer.
 *  - The context is made with G_MAIN_CONTEXT_FLAGS_OWNERLESS_POLLING, so a source
 *    attached while the waiter polls (by the STA thread itself, or by one of GIO's
 *    worker threads) signals the context's wakeup handle, which is among the polled
 *    handles: the waiter returns and the next round sees the new source.
 *  - The context stays acquired by its STA thread for the thread's life; only that
 *    thread prepares, checks and dispatches it.
 *  - The waiter waits on duplicates of the handles: the STA thread may close a socket
 *    (and its event handle) while the waiter still waits, and a wait on a handle that is
 *    closed meanwhile is undefined on Windows.
 *
 * The pump lives until its thread ends (DLL_THREAD_DETACH, see server.c); the waiter
 * holds its own reference and frees the pump when it has stopped.
 */
#include <string.h>
#include "com/com_private.h"
#include "win32/com_win32.h"

#define PUMP_MESSAGE (WM_APP + 0x5243)
#define PUMP_WINDOW_CLASS L"rtcshim apartment pump"

struct apartment_pump
{
    LONG refcount;                  /* the STA thread's and the waiter's */
    GMainContext *context;
    HWND window;                    /* message-only, owned by the STA thread */
    HANDLE waiter;
    HANDLE armed;                   /* auto-reset: fds/timeout are ready for the waiter */
    volatile LONG stopping;
    BOOL waiting;                   /* the waiter owns fds until it posts PUMP_MESSAGE */
    gint max_priority;
    GPollFD *fds;                   /* what the context asked for, and the results */
    GPollFD *wait_fds;              /* the same with duplicated handles: the waiter's */
    gint n_fds, fds_size;
    gint timeout;
};

static DWORD pump_slot = TLS_OUT_OF_INDEXES;
static INIT_ONCE class_once = INIT_ONCE_STATIC_INIT;

static void pump_unref(struct apartment_pump *pump)
{
    if (InterlockedDecrement(&pump->refcount))
        return;
    CloseHandle(pump->armed);
    if (pump->waiter)
        CloseHandle(pump->waiter);
    g_main_context_unref(pump->context);
    g_free(pump->fds);
    g_free(pump->wait_fds);
    g_free(pump);
}

/* Closes the duplicates made for the first count entries. */
static void close_wait_handles(struct apartment_pump *pump, gint count)
{
    gint i;

    for (i = 0; i < count; i++)
        if (pump->wait_fds[i].fd != G_WIN32_MSG_HANDLE && pump->wait_fds[i].fd != pump->fds[i].fd)
            CloseHandle((HANDLE)pump->wait_fds[i].fd);
}

/* Prepares and queries the context, then either has the waiter poll the handles or,
 * when something is due already, posts the dispatch to the STA thread's queue at once
 * (so other window messages are not starved by a busy context). */
static void pump_arm(struct apartment_pump *pump)
{
    gboolean ready;
    gint i;

    ready = g_main_context_prepare(pump->context, &pump->max_priority);
    for (;;)
    {
        pump->n_fds = g_main_context_query(pump->context, pump->max_priority, &pump->timeout,
                                           pump->fds, pump->fds_size);
        if (pump->n_fds <= pump->fds_size)
            break;
        pump->fds_size = pump->n_fds;
        pump->fds = g_renew(GPollFD, pump->fds, pump->fds_size);
        pump->wait_fds = g_renew(GPollFD, pump->wait_fds, pump->fds_size);
    }
    for (i = 0; i < pump->n_fds; i++)
    {
        HANDLE handle = (HANDLE)pump->fds[i].fd;

        pump->fds[i].revents = 0;
        pump->wait_fds[i] = pump->fds[i];
        if (!ready && pump->fds[i].fd != G_WIN32_MSG_HANDLE
            && !DuplicateHandle(GetCurrentProcess(), handle, GetCurrentProcess(), &handle, 0, FALSE,
                                DUPLICATE_SAME_ACCESS))
            ready = TRUE;   /* a handle already gone: let check() see what is left */
        pump->wait_fds[i].fd = (gintptr)handle;
    }
    if (ready || pump->timeout == 0)
    {
        close_wait_handles(pump, i);
        PostMessageW(pump->window, PUMP_MESSAGE, 0, 0);
        return;
    }
    pump->waiting = TRUE;
    SetEvent(pump->armed);
}

/* On the STA thread, from DispatchMessage: the poll results are in; run what is due. */
static void pump_dispatch(struct apartment_pump *pump)
{
    pump->waiting = FALSE;
    if (g_main_context_check(pump->context, pump->max_priority, pump->fds, pump->n_fds))
        g_main_context_dispatch(pump->context);
    if (!pump->stopping)
        pump_arm(pump);
}

static LRESULT CALLBACK pump_window_proc(HWND window, UINT message, WPARAM wparam, LPARAM lparam)
{
    if (message == PUMP_MESSAGE)
    {
        struct apartment_pump *pump = (struct apartment_pump *)GetWindowLongPtrW(window, GWLP_USERDATA);

        if (pump)
            pump_dispatch(pump);
        return 0;
    }
    return DefWindowProcW(window, message, wparam, lparam);
}

static DWORD WINAPI pump_waiter(void *arg)
{
    struct apartment_pump *pump = arg;
    gint i;

    for (;;)
    {
        WaitForSingleObject(pump->armed, INFINITE);
        if (pump->waiting)      /* armed (not only told to stop): the duplicates are ours */
        {
            if (!pump->stopping)
                g_poll(pump->wait_fds, pump->n_fds, pump->timeout);
            for (i = 0; i < pump->n_fds; i++)
                pump->fds[i].revents = pump->wait_fds[i].revents;
            close_wait_handles(pump, pump->n_fds);
        }
        if (pump->stopping)
            break;
        PostMessageW(pump->window, PUMP_MESSAGE, 0, 0);
    }
    pump_unref(pump);
    return 0;
}

static BOOL CALLBACK register_window_class(INIT_ONCE *once, void *param, void **context)
{
    WNDCLASSEXW wc;

    memset(&wc, 0, sizeof(wc));
    wc.cbSize = sizeof(wc);
    wc.lpfnWndProc = pump_window_proc;
    wc.hInstance = com_module_instance();
    wc.lpszClassName = PUMP_WINDOW_CLASS;
    return RegisterClassExW(&wc) != 0;
}

static BOOL thread_is_sta(void)
{
    APTTYPE type;
    APTTYPEQUALIFIER qualifier;

    if (FAILED(CoGetApartmentType(&type, &qualifier)))
        return FALSE;
    return type == APTTYPE_STA || type == APTTYPE_MAINSTA;
}

static struct apartment_pump *pump_create(void)
{
    struct apartment_pump *pump = g_new0(struct apartment_pump, 1);

    if (!InitOnceExecuteOnce(&class_once, register_window_class, NULL, NULL))
    {
        g_warning("apartment: cannot register the pump's window class (error %lu)", GetLastError());
        g_free(pump);
        return NULL;
    }
    pump->refcount = 1;
    pump->context = g_main_context_new_with_flags(G_MAIN_CONTEXT_FLAGS_OWNERLESS_POLLING);
    g_main_context_acquire(pump->context);
    pump->armed = CreateEventW(NULL, FALSE, FALSE, NULL);
    pump->window = CreateWindowExW(0, PUMP_WINDOW_CLASS, NULL, 0, 0, 0, 0, 0, HWND_MESSAGE, NULL,
                                   com_module_instance(), NULL);
    if (!pump->armed || !pump->window)
        goto failed;
    SetWindowLongPtrW(pump->window, GWLP_USERDATA, (LONG_PTR)pump);

    /* GLib's worker threads cannot be stopped from inside a static GLib: keep the
     * module loaded for the life of the process once they may exist (server.c). */
    com_module_pin();

    pump->refcount++;       /* the waiter's */
    if (!(pump->waiter = CreateThread(NULL, 0, pump_waiter, pump, 0, NULL)))
    {
        pump->refcount--;
        goto failed;
    }
    pump_arm(pump);
    return pump;

failed:
    g_warning("apartment: cannot start the message-loop pump (error %lu)", GetLastError());
    if (pump->window)
        DestroyWindow(pump->window);
    g_main_context_release(pump->context);
    pump_unref(pump);
    return NULL;
}

GMainContext *com_apartment_context(void)
{
    struct apartment_pump *pump;

    if (pump_slot == TLS_OUT_OF_INDEXES || !thread_is_sta())
        return NULL;
    if (!(pump = TlsGetValue(pump_slot)))
    {
        if (!(pump = pump_create()))
            return NULL;
        TlsSetValue(pump_slot, pump);
    }
    return g_main_context_ref(pump->context);
}

BOOL com_apartment_is_initialized(void)
{
    APTTYPE type;
    APTTYPEQUALIFIER qualifier;

    return SUCCEEDED(CoGetApartmentType(&type, &qualifier));
}

void com_apartment_process_attach(void)
{
    pump_slot = TlsAlloc();
}

/* The STA thread is ending (from DllMain, under the loader lock: nothing here waits).
 * Its window goes with it; the waiter is told to stop and frees the pump. */
void com_apartment_thread_detach(void)
{
    struct apartment_pump *pump;

    if (pump_slot == TLS_OUT_OF_INDEXES || !(pump = TlsGetValue(pump_slot)))
        return;
    TlsSetValue(pump_slot, NULL);
    SetWindowLongPtrW(pump->window, GWLP_USERDATA, 0);
    InterlockedExchange(&pump->stopping, 1);
    SetEvent(pump->armed);
    g_main_context_wakeup(pump->context);
    pump_unref(pump);
}
