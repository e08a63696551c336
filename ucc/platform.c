/*
 * UccPlatform: IUccPlatform, IUccTraceSettings and IConnectionPointContainer
 * (_IUccPlatformEvents), one object per process (MSDN: UccPlatform class): while one
 * exists, CoCreateInstance(CLSID_UccPlatform) returns it again.
 *
 * The platform also owns the event queue of the whole object graph: every
 * event of every endpoint, session and participant is queued here and
 * delivered, in order, from the GMainContext that Initialize bound (never from
 * inside an API call: docs/architecture.md, "Threads and the event loop").
 *
 * Shutdown ends every session of every endpoint, waits until they have ended
 * (at most SHUTDOWN_GRACE_MS, so BYE/CANCEL can go out), lets go of the
 * engines and then raises _IUccPlatformEvents::OnShutdown.
 */
#include <string.h>
#include "ucc_private.h"
#include "sip/sip_engine.h"

#define SHUTDOWN_GRACE_MS 2000

enum platform_state { PLATFORM_CREATED, PLATFORM_INITIALIZED, PLATFORM_SHUTTING_DOWN, PLATFORM_SHUT_DOWN };

struct queued_event
{
    IConnectionPointContainer *container;   /* referenced: keeps the point alive */
    struct connection_point *point;
    DISPID dispid;
    IUnknown *source;
    IUnknown *data;                         /* may be NULL */
};

struct ucc_platform
{
    IUccPlatform IUccPlatform_iface;
    IUccTraceSettings IUccTraceSettings_iface;
    IConnectionPointContainer IConnectionPointContainer_iface;
    LONG refcount;

    struct connection_point platform_events;    /* _IUccPlatformEvents */

    enum platform_state state;
    GThread *owner;
    GMainContext *context;
    BSTR application_name;
    IUccContext *init_context;
    BOOL tracing;

    GQueue events;                  /* struct queued_event */
    GSource *event_source;

    GList *endpoints;               /* struct ucc_endpoint *, weak */
    IUccOperationContext *shutdown_context;
    GSource *shutdown_timer;
    GSource *shutdown_idle;
};

static struct ucc_platform *the_platform;   /* the process's one platform, weak */

static const IUccPlatformVtbl platform_vtbl;

static struct ucc_platform *impl_from_IUccPlatform(IUccPlatform *iface)
{
    return CONTAINING_RECORD(iface, struct ucc_platform, IUccPlatform_iface);
}

static struct ucc_platform *impl_from_IUccTraceSettings(IUccTraceSettings *iface)
{
    return CONTAINING_RECORD(iface, struct ucc_platform, IUccTraceSettings_iface);
}

static struct ucc_platform *impl_from_IConnectionPointContainer(IConnectionPointContainer *iface)
{
    return CONTAINING_RECORD(iface, struct ucc_platform, IConnectionPointContainer_iface);
}

/* ---- shared small helpers ------------------------------------------------------------------ */

char *ucc_utf8(const WCHAR *str)
{
    return com_utf8_from_wstr(str);
}

BSTR ucc_bstr(const char *utf8)
{
    return com_bstr_from_utf8(utf8);
}

HRESULT ucc_return_bstr(const char *utf8, BSTR *out)
{
    if (!out)
        return E_POINTER;
    *out = com_bstr_from_utf8(utf8 ? utf8 : "");
    return *out ? S_OK : E_OUTOFMEMORY;
}

HRESULT ucc_hresult_from_sip_status(unsigned int status_code)
{
    if (status_code < 300)
        return S_OK;
    return MAKE_HRESULT(SEVERITY_ERROR, UCC_SIP_STATUS_FACILITY, status_code);
}

HRESULT ucc_hresult_from_outcome(unsigned int status_code, int delivery_failure)
{
    switch ((enum sip_delivery_failure)delivery_failure)
    {
    case SIP_DELIVERY_NAME_NOT_FOUND: return UCC_E_RTCSHIM_HOST_NOT_FOUND;
    case SIP_DELIVERY_TLS_CERTIFICATE: return UCC_E_RTCSHIM_INVALID_CERTIFICATE;
    default: return ucc_hresult_from_sip_status(status_code);
    }
}

/* ---- the platform for the other families ----------------------------------------------------- */

void ucc_platform_add_ref(struct ucc_platform *platform)
{
    IUccPlatform_AddRef(&platform->IUccPlatform_iface);
}

void ucc_platform_release(struct ucc_platform *platform)
{
    IUccPlatform_Release(&platform->IUccPlatform_iface);
}

IUccPlatform *ucc_platform_iface(struct ucc_platform *platform)
{
    return &platform->IUccPlatform_iface;
}

HRESULT ucc_platform_check_thread(const struct ucc_platform *platform)
{
    if (platform->owner && platform->owner != g_thread_self())
        return RPC_E_WRONG_THREAD;
    return S_OK;
}

HRESULT ucc_platform_check_running(const struct ucc_platform *platform)
{
    HRESULT hr;

    if (FAILED(hr = ucc_platform_check_thread(platform)))
        return hr;
    return platform->state == PLATFORM_INITIALIZED ? S_OK : UCC_E_RTCSHIM_INVALID_STATE;
}

GMainContext *ucc_platform_context(struct ucc_platform *platform)
{
    return platform->context;
}

void ucc_platform_add_endpoint(struct ucc_platform *platform, struct ucc_endpoint *endpoint)
{
    platform->endpoints = g_list_append(platform->endpoints, endpoint);
}

void ucc_platform_remove_endpoint(struct ucc_platform *platform, struct ucc_endpoint *endpoint)
{
    platform->endpoints = g_list_remove(platform->endpoints, endpoint);
}

/* ---- event queue ------------------------------------------------------------------------------- */

static void queued_event_free(struct queued_event *event)
{
    IUnknown_Release(event->source);
    if (event->data)
        IUnknown_Release(event->data);
    IConnectionPointContainer_Release(event->container);
    g_free(event);
}

static void drop_events(struct ucc_platform *platform)
{
    struct queued_event *event;

    while ((event = g_queue_pop_head(&platform->events)))
        queued_event_free(event);
    if (platform->event_source)
    {
        g_source_destroy(platform->event_source);
        g_source_unref(platform->event_source);
        platform->event_source = NULL;
    }
}

/* A dispinterface event: rgvarg[1] = source (first parameter), rgvarg[0] = data. */
static void invoke_sink(IUnknown *sink, void *user_data)
{
    const struct queued_event *event = user_data;
    VARIANT args[2];
    DISPPARAMS params = { args, NULL, 2, 0 };

    V_VT(&args[1]) = VT_UNKNOWN;
    V_UNKNOWN(&args[1]) = event->source;
    V_VT(&args[0]) = VT_UNKNOWN;
    V_UNKNOWN(&args[0]) = event->data;
    IDispatch_Invoke((IDispatch *)sink, event->dispid, &IID_NULL, LOCALE_USER_DEFAULT, DISPATCH_METHOD, &params,
                     NULL, NULL, NULL);
}

static gboolean dispatch_events(gpointer user_data)
{
    struct ucc_platform *platform = user_data;
    struct queued_event *event;

    ucc_platform_add_ref(platform);
    g_source_unref(platform->event_source);
    platform->event_source = NULL;
    /* Events queued by handlers are delivered in this same pass, in order. */
    while ((event = g_queue_pop_head(&platform->events)))
    {
        connection_point_for_each_sink(event->point, invoke_sink, event);
        queued_event_free(event);
    }
    ucc_platform_release(platform);
    return G_SOURCE_REMOVE;
}

void ucc_fire_event(struct ucc_platform *platform, struct connection_point *point, DISPID dispid,
                    IUnknown *source, IUnknown *data)
{
    struct queued_event *event;

    if (platform->state == PLATFORM_SHUT_DOWN || !platform->context)
        return;
    event = g_new(struct queued_event, 1);
    event->container = point->container;
    IConnectionPointContainer_AddRef(event->container);
    event->point = point;
    event->dispid = dispid;
    event->source = source;
    IUnknown_AddRef(source);
    if ((event->data = data))
        IUnknown_AddRef(data);
    g_queue_push_tail(&platform->events, event);
    if (!platform->event_source)
    {
        platform->event_source = g_idle_source_new();
        g_source_set_priority(platform->event_source, G_PRIORITY_DEFAULT);
        g_source_set_callback(platform->event_source, dispatch_events, platform, NULL);
        g_source_attach(platform->event_source, platform->context);
    }
}

/* ---- shutdown -------------------------------------------------------------------------------------- */

static void cancel_source(GSource **source)
{
    if (*source)
    {
        g_source_destroy(*source);
        g_source_unref(*source);
        *source = NULL;
    }
}

static void finish_shutdown(struct ucc_platform *platform)
{
    IUccOperationProgressEvent *progress;
    GList *endpoints, *link;

    cancel_source(&platform->shutdown_timer);
    cancel_source(&platform->shutdown_idle);
    if (platform->state != PLATFORM_SHUTTING_DOWN)
        return;
    /* Letting go of sessions may let go of endpoints: walk a referenced copy. */
    endpoints = g_list_copy(platform->endpoints);
    for (link = endpoints; link; link = link->next)
        ucc_endpoint_add_ref(link->data);
    for (link = endpoints; link; link = link->next)
    {
        ucc_endpoint_release_engine(link->data);
        ucc_endpoint_release(link->data);
    }
    g_list_free(endpoints);
    if (SUCCEEDED(ucc_progress_event_create(platform->shutdown_context, TRUE, S_OK, NULL, NULL, &progress)))
    {
        ucc_fire_event(platform, &platform->platform_events, DISPID__IUccPlatformEvents_OnShutdown,
                       (IUnknown *)&platform->IUccPlatform_iface, (IUnknown *)progress);
        IUccOperationProgressEvent_Release(progress);
    }
    /* OnShutdown is the last event: nothing is queued after it. */
    platform->state = PLATFORM_SHUT_DOWN;
    if (platform->shutdown_context)
    {
        IUccOperationContext_Release(platform->shutdown_context);
        platform->shutdown_context = NULL;
    }
}

static gboolean shutdown_timed_out(gpointer user_data)
{
    struct ucc_platform *platform = user_data;

    g_source_unref(platform->shutdown_timer);
    platform->shutdown_timer = NULL;
    finish_shutdown(platform);
    return G_SOURCE_REMOVE;
}

static gboolean shutdown_idle(gpointer user_data)
{
    struct ucc_platform *platform = user_data;

    g_source_unref(platform->shutdown_idle);
    platform->shutdown_idle = NULL;
    finish_shutdown(platform);
    return G_SOURCE_REMOVE;
}

static BOOL all_endpoints_idle(struct ucc_platform *platform)
{
    GList *link;

    for (link = platform->endpoints; link; link = link->next)
        if (ucc_endpoint_has_live_sessions(link->data))
            return FALSE;
    return TRUE;
}

/* Engines are let go from an idle of their own, never from inside an engine callback. */
void ucc_platform_endpoint_idle(struct ucc_platform *platform)
{
    if (platform->state != PLATFORM_SHUTTING_DOWN || platform->shutdown_idle || !all_endpoints_idle(platform))
        return;
    platform->shutdown_idle = g_idle_source_new();
    g_source_set_callback(platform->shutdown_idle, shutdown_idle, platform, NULL);
    g_source_attach(platform->shutdown_idle, platform->context);
}

/* ---- IUnknown ---------------------------------------------------------------------------------------- */

static HRESULT WINAPI platform_QueryInterface(IUccPlatform *iface, REFIID riid, void **ppv)
{
    struct ucc_platform *platform = impl_from_IUccPlatform(iface);

    if (!ppv)
        return E_POINTER;
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IUccPlatform))
        *ppv = &platform->IUccPlatform_iface;
    else if (IsEqualIID(riid, &IID_IUccTraceSettings))
        *ppv = &platform->IUccTraceSettings_iface;
    else if (IsEqualIID(riid, &IID_IConnectionPointContainer))
        *ppv = &platform->IConnectionPointContainer_iface;
    else
    {
        *ppv = NULL;
        return E_NOINTERFACE;
    }
    IUnknown_AddRef((IUnknown *)*ppv);
    return S_OK;
}

static ULONG WINAPI platform_AddRef(IUccPlatform *iface)
{
    return InterlockedIncrement(&impl_from_IUccPlatform(iface)->refcount);
}

static ULONG WINAPI platform_Release(IUccPlatform *iface)
{
    struct ucc_platform *platform = impl_from_IUccPlatform(iface);
    ULONG ref = InterlockedDecrement(&platform->refcount);

    if (!ref)
    {
        if (the_platform == platform)
            the_platform = NULL;
        drop_events(platform);
        cancel_source(&platform->shutdown_timer);
        cancel_source(&platform->shutdown_idle);
        connection_point_destroy(&platform->platform_events);
        if (platform->shutdown_context)
            IUccOperationContext_Release(platform->shutdown_context);
        if (platform->init_context)
            IUccContext_Release(platform->init_context);
        SysFreeString(platform->application_name);
        g_list_free(platform->endpoints);
        if (platform->context)
            g_main_context_unref(platform->context);
        free(platform);
        com_module_unlock();
    }
    return ref;
}

/* ---- IUccPlatform -------------------------------------------------------------------------------------- */

/* MSDN: IUccPlatform.Initialize: not empty, no '*', no Unicode formatting characters. */
static BOOL valid_application_name(const WCHAR *name)
{
    if (!name || !*name)
        return FALSE;
    for (; *name; name++)
    {
        WCHAR c = *name;
        if (c == '*' || (c >= 0x200b && c <= 0x200f) || (c >= 0x202a && c <= 0x202e)
            || (c >= 0x2060 && c <= 0x206f) || c == 0xfeff || c < 0x20)
            return FALSE;
    }
    return TRUE;
}

static HRESULT WINAPI platform_Initialize(IUccPlatform *iface, BSTR application_name, IUccContext *context)
{
    struct ucc_platform *platform = impl_from_IUccPlatform(iface);
    HRESULT hr;

    if (FAILED(hr = ucc_platform_check_thread(platform)))
        return hr;
    if (platform->state == PLATFORM_INITIALIZED)
        return UCC_E_RTCSHIM_ALREADY_INITIALIZED;
    if (platform->state != PLATFORM_CREATED)
        return UCC_E_RTCSHIM_INVALID_STATE;
    if (!valid_application_name(application_name))
        return E_INVALIDARG;
    if (!(platform->application_name = SysAllocString(application_name)))
        return E_OUTOFMEMORY;
    if ((platform->init_context = context))
        IUccContext_AddRef(context);
    /* The apartment's context if the thread has one, else its thread-default context. */
    if (!(platform->context = com_apartment_context()))
        platform->context = g_main_context_ref_thread_default();
    platform->owner = g_thread_self();
    platform->state = PLATFORM_INITIALIZED;
    return S_OK;
}

static HRESULT WINAPI platform_CreateEndpoint(IUccPlatform *iface, UCC_ENDPOINT_TYPE type, IUccUri *uri,
                                              BSTR endpoint_id, IUccContext *context, IUccEndpoint **endpoint)
{
    struct ucc_platform *platform = impl_from_IUccPlatform(iface);
    HRESULT hr;

    if (!endpoint)
        return E_POINTER;
    *endpoint = NULL;
    if (FAILED(hr = ucc_platform_check_running(platform)))
        return hr;
    return ucc_endpoint_create(platform, type, uri, endpoint_id, context, endpoint);
}

static HRESULT WINAPI platform_CreateProxyEndpoint(IUccPlatform *iface, UCC_ENDPOINT_TYPE type,
                                                   IUccEndpoint *controlling, IUccUri *uri, BSTR endpoint_id,
                                                   IUccContext *context, IUccEndpoint **endpoint)
{
    return com_not_built(__func__);
}

static HRESULT WINAPI platform_Shutdown(IUccPlatform *iface, IUccOperationContext *operation)
{
    struct ucc_platform *platform = impl_from_IUccPlatform(iface);
    GList *endpoints, *link;
    HRESULT hr;

    if (FAILED(hr = ucc_platform_check_running(platform)))
        return hr;
    platform->state = PLATFORM_SHUTTING_DOWN;
    if ((platform->shutdown_context = operation))
        IUccOperationContext_AddRef(operation);
    /* Ending a session may let go of objects: walk a referenced copy. */
    endpoints = g_list_copy(platform->endpoints);
    for (link = endpoints; link; link = link->next)
        ucc_endpoint_add_ref(link->data);
    for (link = endpoints; link; link = link->next)
    {
        ucc_endpoint_shutdown(link->data);
        ucc_endpoint_release(link->data);
    }
    g_list_free(endpoints);
    platform->shutdown_timer = g_timeout_source_new(SHUTDOWN_GRACE_MS);
    g_source_set_callback(platform->shutdown_timer, shutdown_timed_out, platform, NULL);
    g_source_attach(platform->shutdown_timer, platform->context);
    ucc_platform_endpoint_idle(platform);
    return S_OK;
}

static const IUccPlatformVtbl platform_vtbl =
{
    platform_QueryInterface,
    platform_AddRef,
    platform_Release,
    platform_Initialize,
    platform_CreateEndpoint,
    platform_CreateProxyEndpoint,
    platform_Shutdown,
};

/* ---- IUccTraceSettings: tracing is GLib debug output (G_MESSAGES_DEBUG=rtcshim does the same) ----- */

static HRESULT WINAPI trace_QueryInterface(IUccTraceSettings *iface, REFIID riid, void **ppv)
{
    return platform_QueryInterface(&impl_from_IUccTraceSettings(iface)->IUccPlatform_iface, riid, ppv);
}

static ULONG WINAPI trace_AddRef(IUccTraceSettings *iface)
{
    return platform_AddRef(&impl_from_IUccTraceSettings(iface)->IUccPlatform_iface);
}

static ULONG WINAPI trace_Release(IUccTraceSettings *iface)
{
    return platform_Release(&impl_from_IUccTraceSettings(iface)->IUccPlatform_iface);
}

static HRESULT WINAPI trace_EnableTracing(IUccTraceSettings *iface)
{
    struct ucc_platform *platform = impl_from_IUccTraceSettings(iface);
    HRESULT hr;

    if (FAILED(hr = ucc_platform_check_thread(platform)))
        return hr;
    platform->tracing = TRUE;
    g_log_set_debug_enabled(TRUE);
    return S_OK;
}

static HRESULT WINAPI trace_DisableTracing(IUccTraceSettings *iface)
{
    struct ucc_platform *platform = impl_from_IUccTraceSettings(iface);
    HRESULT hr;

    if (FAILED(hr = ucc_platform_check_thread(platform)))
        return hr;
    platform->tracing = FALSE;
    g_log_set_debug_enabled(FALSE);
    return S_OK;
}

static HRESULT WINAPI trace_get_TracingEnabled(IUccTraceSettings *iface, VARIANT_BOOL *enabled)
{
    if (!enabled)
        return E_POINTER;
    *enabled = impl_from_IUccTraceSettings(iface)->tracing ? VARIANT_TRUE : VARIANT_FALSE;
    return S_OK;
}

static const IUccTraceSettingsVtbl trace_vtbl =
{
    trace_QueryInterface,
    trace_AddRef,
    trace_Release,
    trace_EnableTracing,
    trace_DisableTracing,
    trace_get_TracingEnabled,
};

/* ---- IConnectionPointContainer --------------------------------------------------------------------- */

static HRESULT WINAPI container_QueryInterface(IConnectionPointContainer *iface, REFIID riid, void **ppv)
{
    return platform_QueryInterface(&impl_from_IConnectionPointContainer(iface)->IUccPlatform_iface, riid, ppv);
}

static ULONG WINAPI container_AddRef(IConnectionPointContainer *iface)
{
    return platform_AddRef(&impl_from_IConnectionPointContainer(iface)->IUccPlatform_iface);
}

static ULONG WINAPI container_Release(IConnectionPointContainer *iface)
{
    return platform_Release(&impl_from_IConnectionPointContainer(iface)->IUccPlatform_iface);
}

static HRESULT WINAPI container_EnumConnectionPoints(IConnectionPointContainer *iface, IEnumConnectionPoints **out)
{
    struct ucc_platform *platform = impl_from_IConnectionPointContainer(iface);
    struct connection_point *points[] = { &platform->platform_events };

    return connection_points_enum(points, ARRAY_SIZE(points), out);
}

static HRESULT WINAPI container_FindConnectionPoint(IConnectionPointContainer *iface, REFIID riid,
                                                    IConnectionPoint **out)
{
    struct ucc_platform *platform = impl_from_IConnectionPointContainer(iface);
    struct connection_point *points[] = { &platform->platform_events };

    return connection_points_find(points, ARRAY_SIZE(points), riid, out);
}

static const IConnectionPointContainerVtbl container_vtbl =
{
    container_QueryInterface,
    container_AddRef,
    container_Release,
    container_EnumConnectionPoints,
    container_FindConnectionPoint,
};

/* ---- class object ----------------------------------------------------------------------------------- */

static HRESULT platform_create(REFIID riid, void **ppv)
{
    struct ucc_platform *platform;
    HRESULT hr;

    /* One per process: the existing platform, while it lives. */
    if (the_platform)
        return platform_QueryInterface(&the_platform->IUccPlatform_iface, riid, ppv);
    if (!(platform = calloc(1, sizeof(*platform))))
        return E_OUTOFMEMORY;
    platform->IUccPlatform_iface.lpVtbl = &platform_vtbl;
    platform->IUccTraceSettings_iface.lpVtbl = &trace_vtbl;
    platform->IConnectionPointContainer_iface.lpVtbl = &container_vtbl;
    platform->refcount = 1;
    com_module_lock();      /* DllCanUnloadNow: one more live object */
    platform->state = PLATFORM_CREATED;
    g_queue_init(&platform->events);
    connection_point_init(&platform->platform_events, &platform->IConnectionPointContainer_iface,
                          &DIID__IUccPlatformEvents);
    the_platform = platform;
    hr = platform_QueryInterface(&platform->IUccPlatform_iface, riid, ppv);
    platform_Release(&platform->IUccPlatform_iface);
    return hr;
}

static void __attribute__((constructor)) platform_register_class(void)
{
    com_register_class(&CLSID_UccPlatform, "UccPlatform", platform_create);
}
