/*
 * The asynchronous request pattern (MSDN: IUccOperationProgressEvent):
 * UccOperationContext, which the application creates and passes to an asynchronous method, and the
 * progress events that hand it back: IUccOperationProgressEvent,
 * IUccSessionOperationEvent and IUccSessionParticipantOperationEvent.
 */
#include "ucc_private.h"

/* ---- UccOperationContext ------------------------------------------------------------------- */

struct operation_context
{
    IUccOperationContext IUccOperationContext_iface;
    LONG refcount;
    LONG_PTR id;
    IUccContext *context;
};

static struct operation_context *impl_from_IUccOperationContext(IUccOperationContext *iface)
{
    return CONTAINING_RECORD(iface, struct operation_context, IUccOperationContext_iface);
}

static HRESULT WINAPI operation_context_QueryInterface(IUccOperationContext *iface, REFIID riid, void **ppv)
{
    if (!ppv)
        return E_POINTER;
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IUccOperationContext))
    {
        *ppv = iface;
        IUccOperationContext_AddRef(iface);
        return S_OK;
    }
    *ppv = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI operation_context_AddRef(IUccOperationContext *iface)
{
    return InterlockedIncrement(&impl_from_IUccOperationContext(iface)->refcount);
}

static ULONG WINAPI operation_context_Release(IUccOperationContext *iface)
{
    struct operation_context *op = impl_from_IUccOperationContext(iface);
    ULONG ref = InterlockedDecrement(&op->refcount);

    if (!ref)
    {
        if (op->context)
            IUccContext_Release(op->context);
        free(op);
        com_module_unlock();
    }
    return ref;
}

/* May be called again: the id and context are replaced. */
static HRESULT WINAPI operation_context_Initialize(IUccOperationContext *iface, LONG_PTR id, IUccContext *context)
{
    struct operation_context *op = impl_from_IUccOperationContext(iface);

    if (context)
        IUccContext_AddRef(context);
    if (op->context)
        IUccContext_Release(op->context);
    op->context = context;
    op->id = id;
    return S_OK;
}

static HRESULT WINAPI operation_context_get_OperationId(IUccOperationContext *iface, LONG_PTR *id)
{
    if (!id)
        return E_POINTER;
    *id = impl_from_IUccOperationContext(iface)->id;
    return S_OK;
}

/* S_OK with NULL when Initialize gave no context. */
static HRESULT WINAPI operation_context_get_Context(IUccOperationContext *iface, IUccContext **context)
{
    struct operation_context *op = impl_from_IUccOperationContext(iface);

    if (!context)
        return E_POINTER;
    if ((*context = op->context))
        IUccContext_AddRef(*context);
    return S_OK;
}

static const IUccOperationContextVtbl operation_context_vtbl =
{
    operation_context_QueryInterface,
    operation_context_AddRef,
    operation_context_Release,
    operation_context_Initialize,
    operation_context_get_OperationId,
    operation_context_get_Context,
};

static HRESULT operation_context_create(REFIID riid, void **ppv)
{
    struct operation_context *op;
    HRESULT hr;

    if (!(op = calloc(1, sizeof(*op))))
        return E_OUTOFMEMORY;
    op->IUccOperationContext_iface.lpVtbl = &operation_context_vtbl;
    op->refcount = 1;
    com_module_lock();      /* DllCanUnloadNow: one more live object */
    hr = operation_context_QueryInterface(&op->IUccOperationContext_iface, riid, ppv);
    operation_context_Release(&op->IUccOperationContext_iface);
    return hr;
}

/* ---- IUccOperationProgressEvent ------------------------------------------------------------------ */

struct progress
{
    IUccOperationProgressEvent IUccOperationProgressEvent_iface;
    LONG refcount;
    IUccOperationContext *context;
    BOOL complete;
    HRESULT status;
    BSTR text;
    IUccReadOnlyPropertyCollection *properties;
};

static struct progress *impl_from_IUccOperationProgressEvent(IUccOperationProgressEvent *iface)
{
    return CONTAINING_RECORD(iface, struct progress, IUccOperationProgressEvent_iface);
}

static HRESULT WINAPI progress_QueryInterface(IUccOperationProgressEvent *iface, REFIID riid, void **ppv)
{
    if (!ppv)
        return E_POINTER;
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IUccOperationProgressEvent))
    {
        *ppv = iface;
        IUccOperationProgressEvent_AddRef(iface);
        return S_OK;
    }
    *ppv = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI progress_AddRef(IUccOperationProgressEvent *iface)
{
    return InterlockedIncrement(&impl_from_IUccOperationProgressEvent(iface)->refcount);
}

static ULONG WINAPI progress_Release(IUccOperationProgressEvent *iface)
{
    struct progress *progress = impl_from_IUccOperationProgressEvent(iface);
    ULONG ref = InterlockedDecrement(&progress->refcount);

    if (!ref)
    {
        if (progress->context)
            IUccOperationContext_Release(progress->context);
        if (progress->properties)
            IUccReadOnlyPropertyCollection_Release(progress->properties);
        SysFreeString(progress->text);
        free(progress);
        com_module_unlock();
    }
    return ref;
}

/* S_OK with NULL when the operation was started without a context. */
static HRESULT WINAPI progress_get_OriginalOperationContext(IUccOperationProgressEvent *iface,
                                                            IUccOperationContext **context)
{
    struct progress *progress = impl_from_IUccOperationProgressEvent(iface);

    if (!context)
        return E_POINTER;
    if ((*context = progress->context))
        IUccOperationContext_AddRef(*context);
    return S_OK;
}

static HRESULT WINAPI progress_get_IsComplete(IUccOperationProgressEvent *iface, VARIANT_BOOL *complete)
{
    if (!complete)
        return E_POINTER;
    *complete = impl_from_IUccOperationProgressEvent(iface)->complete ? VARIANT_TRUE : VARIANT_FALSE;
    return S_OK;
}

static HRESULT WINAPI progress_get_StatusCode(IUccOperationProgressEvent *iface, HRESULT *status)
{
    if (!status)
        return E_POINTER;
    *status = impl_from_IUccOperationProgressEvent(iface)->status;
    return S_OK;
}

static HRESULT WINAPI progress_get_StatusText(IUccOperationProgressEvent *iface, BSTR *text)
{
    struct progress *progress = impl_from_IUccOperationProgressEvent(iface);

    if (!text)
        return E_POINTER;
    *text = SysAllocString(progress->text ? progress->text : L"");
    return *text ? S_OK : E_OUTOFMEMORY;
}

static HRESULT WINAPI progress_get_Properties(IUccOperationProgressEvent *iface,
                                              IUccReadOnlyPropertyCollection **properties)
{
    struct progress *progress = impl_from_IUccOperationProgressEvent(iface);

    if (!properties)
        return E_POINTER;
    *properties = progress->properties;
    IUccReadOnlyPropertyCollection_AddRef(*properties);
    return S_OK;
}

static const IUccOperationProgressEventVtbl progress_vtbl =
{
    progress_QueryInterface,
    progress_AddRef,
    progress_Release,
    progress_get_OriginalOperationContext,
    progress_get_IsComplete,
    progress_get_StatusCode,
    progress_get_StatusText,
    progress_get_Properties,
};

HRESULT ucc_progress_event_create(IUccOperationContext *context, BOOL complete, HRESULT status, const char *text,
                                  IUccReadOnlyPropertyCollection *properties, IUccOperationProgressEvent **out)
{
    struct progress *progress;
    HRESULT hr;

    *out = NULL;
    if (!(progress = calloc(1, sizeof(*progress))))
        return E_OUTOFMEMORY;
    progress->IUccOperationProgressEvent_iface.lpVtbl = &progress_vtbl;
    progress->refcount = 1;
    com_module_lock();      /* DllCanUnloadNow: one more live object */
    if ((progress->context = context))
        IUccOperationContext_AddRef(context);
    progress->complete = complete;
    progress->status = status;
    progress->text = text && *text ? ucc_bstr(text) : NULL;
    if ((progress->properties = properties))
        IUccReadOnlyPropertyCollection_AddRef(properties);
    else if (FAILED(hr = ucc_property_collection_create(TRUE, (IUccPropertyCollection **)&progress->properties)))
    {
        progress_Release(&progress->IUccOperationProgressEvent_iface);
        return hr;
    }
    *out = &progress->IUccOperationProgressEvent_iface;
    return S_OK;
}

/* ---- IUccSessionParticipantOperationEvent ---------------------------------------------------------- */

struct participant_result
{
    IUccSessionParticipantOperationEvent IUccSessionParticipantOperationEvent_iface;
    LONG refcount;
    IUccSessionParticipantEndpoint *endpoint;
    IUccOperationProgressEvent *result;
};

static struct participant_result *impl_from_IUccSessionParticipantOperationEvent(IUccSessionParticipantOperationEvent *iface)
{
    return CONTAINING_RECORD(iface, struct participant_result, IUccSessionParticipantOperationEvent_iface);
}

static HRESULT WINAPI participant_result_QueryInterface(IUccSessionParticipantOperationEvent *iface, REFIID riid,
                                                        void **ppv)
{
    if (!ppv)
        return E_POINTER;
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IUccSessionParticipantOperationEvent))
    {
        *ppv = iface;
        IUccSessionParticipantOperationEvent_AddRef(iface);
        return S_OK;
    }
    *ppv = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI participant_result_AddRef(IUccSessionParticipantOperationEvent *iface)
{
    return InterlockedIncrement(&impl_from_IUccSessionParticipantOperationEvent(iface)->refcount);
}

static ULONG WINAPI participant_result_Release(IUccSessionParticipantOperationEvent *iface)
{
    struct participant_result *result = impl_from_IUccSessionParticipantOperationEvent(iface);
    ULONG ref = InterlockedDecrement(&result->refcount);

    if (!ref)
    {
        if (result->endpoint)
            IUccSessionParticipantEndpoint_Release(result->endpoint);
        IUccOperationProgressEvent_Release(result->result);
        free(result);
        com_module_unlock();
    }
    return ref;
}

static HRESULT WINAPI participant_result_get_ParticipantEndpoint(IUccSessionParticipantOperationEvent *iface,
                                                                 IUccSessionParticipantEndpoint **endpoint)
{
    struct participant_result *result = impl_from_IUccSessionParticipantOperationEvent(iface);

    if (!endpoint)
        return E_POINTER;
    if ((*endpoint = result->endpoint))
        IUccSessionParticipantEndpoint_AddRef(*endpoint);
    return S_OK;
}

static HRESULT WINAPI participant_result_get_Result(IUccSessionParticipantOperationEvent *iface,
                                                    IUccOperationProgressEvent **out)
{
    struct participant_result *result = impl_from_IUccSessionParticipantOperationEvent(iface);

    if (!out)
        return E_POINTER;
    *out = result->result;
    IUccOperationProgressEvent_AddRef(*out);
    return S_OK;
}

static const IUccSessionParticipantOperationEventVtbl participant_result_vtbl =
{
    participant_result_QueryInterface,
    participant_result_AddRef,
    participant_result_Release,
    participant_result_get_ParticipantEndpoint,
    participant_result_get_Result,
};

HRESULT ucc_participant_operation_event_create(IUccSessionParticipantEndpoint *endpoint,
                                               IUccOperationProgressEvent *progress,
                                               IUccSessionParticipantOperationEvent **out)
{
    struct participant_result *result;

    *out = NULL;
    if (!(result = calloc(1, sizeof(*result))))
        return E_OUTOFMEMORY;
    result->IUccSessionParticipantOperationEvent_iface.lpVtbl = &participant_result_vtbl;
    result->refcount = 1;
    com_module_lock();      /* DllCanUnloadNow: one more live object */
    if ((result->endpoint = endpoint))
        IUccSessionParticipantEndpoint_AddRef(endpoint);
    result->result = progress;
    IUccOperationProgressEvent_AddRef(progress);
    *out = &result->IUccSessionParticipantOperationEvent_iface;
    return S_OK;
}

/* ---- IUccSessionOperationEvent ------------------------------------------------------------------------ */

struct session_operation
{
    IUccSessionOperationEvent IUccSessionOperationEvent_iface;
    LONG refcount;
    IUccOperationContext *context;
    IUccCollection *results;
};

static struct session_operation *impl_from_IUccSessionOperationEvent(IUccSessionOperationEvent *iface)
{
    return CONTAINING_RECORD(iface, struct session_operation, IUccSessionOperationEvent_iface);
}

static HRESULT WINAPI session_operation_QueryInterface(IUccSessionOperationEvent *iface, REFIID riid, void **ppv)
{
    if (!ppv)
        return E_POINTER;
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IUccSessionOperationEvent))
    {
        *ppv = iface;
        IUccSessionOperationEvent_AddRef(iface);
        return S_OK;
    }
    *ppv = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI session_operation_AddRef(IUccSessionOperationEvent *iface)
{
    return InterlockedIncrement(&impl_from_IUccSessionOperationEvent(iface)->refcount);
}

static ULONG WINAPI session_operation_Release(IUccSessionOperationEvent *iface)
{
    struct session_operation *op = impl_from_IUccSessionOperationEvent(iface);
    ULONG ref = InterlockedDecrement(&op->refcount);

    if (!ref)
    {
        if (op->context)
            IUccOperationContext_Release(op->context);
        IUccCollection_Release(op->results);
        free(op);
        com_module_unlock();
    }
    return ref;
}

static HRESULT WINAPI session_operation_get_OriginalOperationContext(IUccSessionOperationEvent *iface,
                                                                     IUccOperationContext **context)
{
    struct session_operation *op = impl_from_IUccSessionOperationEvent(iface);

    if (!context)
        return E_POINTER;
    if ((*context = op->context))
        IUccOperationContext_AddRef(*context);
    return S_OK;
}

static HRESULT WINAPI session_operation_get_ParticipantResults(IUccSessionOperationEvent *iface,
                                                               IUccCollection **results)
{
    struct session_operation *op = impl_from_IUccSessionOperationEvent(iface);

    if (!results)
        return E_POINTER;
    *results = op->results;
    IUccCollection_AddRef(*results);
    return S_OK;
}

static const IUccSessionOperationEventVtbl session_operation_vtbl =
{
    session_operation_QueryInterface,
    session_operation_AddRef,
    session_operation_Release,
    session_operation_get_OriginalOperationContext,
    session_operation_get_ParticipantResults,
};

HRESULT ucc_session_operation_event_create(IUccOperationContext *context, IUccCollection *results,
                                           IUccSessionOperationEvent **out)
{
    struct session_operation *op;

    *out = NULL;
    if (!(op = calloc(1, sizeof(*op))))
        return E_OUTOFMEMORY;
    op->IUccSessionOperationEvent_iface.lpVtbl = &session_operation_vtbl;
    op->refcount = 1;
    com_module_lock();      /* DllCanUnloadNow: one more live object */
    if ((op->context = context))
        IUccOperationContext_AddRef(context);
    op->results = results;
    IUccCollection_AddRef(results);
    *out = &op->IUccSessionOperationEvent_iface;
    return S_OK;
}

static void __attribute__((constructor)) operation_register_classes(void)
{
    com_register_class(&CLSID_UccOperationContext, "UccOperationContext", operation_context_create);
}
