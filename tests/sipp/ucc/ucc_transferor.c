/*
 * A UCC application that transfers, for the SIPp wire tests (tests/sipp/ucc/):
 * a server-less endpoint (docs/ucc.md) places an audio session to --call, and
 * once it is connected hands the peer over to --transfer-to with
 * IUccSessionCallControl::BlindTransfer. Every OnBlindTransfer is printed; the
 * StatusCodes, in order, must be --expect (comma-separated, "0" for S_OK, e.g.
 * "0x00ef00ca,0x00ef0064,0" for 202, NOTIFY 100, NOTIFY 200). Then it hangs up
 * and shuts the platform down. Exit 0 when everything went as expected.
 *
 *   ucc_transferor --uri sip:ucc@127.0.0.1:11200 --call sip:service@127.0.0.1:11201
 *                  --transfer-to sip:carol@127.0.0.1:5099 --expect 0x00ef00ca,0x00ef0064,0
 *
 * Public API only, written as a ported C application is: an IDispatch sink per
 * connection, switching on the DISPIDs of docs/ucc-dispids.md.
 */
#define COBJMACROS
#include <stdio.h>
#include <string.h>
#include <windows.h>
#include <ocidl.h>
#include <uccapi.h>
#include <glib.h>

static char *opt_uri, *opt_call, *opt_transfer_to, *opt_expect, *opt_name = "ucc";
static int opt_timeout = 20;

static GMainLoop *loop;
static IUccPlatform *platform;
static IUccEndpoint *endpoint;
static IUccSession *session;
static GString *statuses;           /* the StatusCodes of OnBlindTransfer, comma-separated */
static int result = 1;

/* ---- the sink: one IDispatch per connection ------------------------------------------------ */

struct sink
{
    IDispatch IDispatch_iface;
    LONG refcount;
    IID diid;
    IConnectionPoint *point;
    DWORD cookie;
};

static GPtrArray *sinks;

static struct sink *impl_from_IDispatch(IDispatch *iface)
{
    return CONTAINING_RECORD(iface, struct sink, IDispatch_iface);
}

static HRESULT WINAPI sink_QueryInterface(IDispatch *iface, REFIID riid, void **ppv)
{
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IDispatch)
        || IsEqualIID(riid, &impl_from_IDispatch(iface)->diid))
    {
        *ppv = iface;
        IDispatch_AddRef(iface);
        return S_OK;
    }
    *ppv = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI sink_AddRef(IDispatch *iface)
{
    return InterlockedIncrement(&impl_from_IDispatch(iface)->refcount);
}

static ULONG WINAPI sink_Release(IDispatch *iface)
{
    struct sink *sink = impl_from_IDispatch(iface);
    ULONG ref = InterlockedDecrement(&sink->refcount);

    if (!ref)
        g_free(sink);
    return ref;
}

static HRESULT WINAPI sink_GetTypeInfoCount(IDispatch *iface, UINT *count)
{
    *count = 0;
    return S_OK;
}

static HRESULT WINAPI sink_GetTypeInfo(IDispatch *iface, UINT index, LCID lcid, ITypeInfo **info)
{
    *info = NULL;
    return DISP_E_BADINDEX;
}

static HRESULT WINAPI sink_GetIDsOfNames(IDispatch *iface, REFIID riid, LPOLESTR *names, UINT count, LCID lcid,
                                         DISPID *ids)
{
    return DISP_E_UNKNOWNNAME;
}

static char *utf8(BSTR text)
{
    return text ? g_ucs4_to_utf8((const gunichar *)text, -1, NULL, NULL, NULL) : g_strdup("");
}

static BSTR bstr(const char *text)
{
    gunichar *ucs4 = g_utf8_to_ucs4(text, -1, NULL, NULL, NULL);
    BSTR ret = SysAllocString((const OLECHAR *)ucs4);

    g_free(ucs4);
    return ret;
}

static void place_call(void);

/* The status of an IUccOperationProgressEvent, and whether it is complete. */
static HRESULT progress_of(IUnknown *data, BOOL *complete, char **text)
{
    IUccOperationProgressEvent *progress;
    VARIANT_BOOL done = VARIANT_TRUE;
    HRESULT status = E_FAIL;
    BSTR b = NULL;

    if (text)
        *text = NULL;
    if (!data || FAILED(IUnknown_QueryInterface(data, &IID_IUccOperationProgressEvent, (void **)&progress)))
        return E_FAIL;
    IUccOperationProgressEvent_get_IsComplete(progress, &done);
    IUccOperationProgressEvent_get_StatusCode(progress, &status);
    IUccOperationProgressEvent_get_StatusText(progress, &b);
    if (text)
        *text = utf8(b);
    SysFreeString(b);
    IUccOperationProgressEvent_Release(progress);
    if (complete)
        *complete = done == VARIANT_TRUE;
    return status;
}

static void on_transfer(IUnknown *data)
{
    static const char *const states[] = { "?", "IDLE", "CONNECTING", "CONNECTED", "DISCONNECTING", "DISCONNECTED" };
    IUccSessionTransferProgressEvent *transfer;
    UCC_SESSION_ENTITY_STATE state = 0;
    BOOL complete = FALSE;
    char *text, *expected;
    HRESULT status = progress_of(data, &complete, &text);

    if (SUCCEEDED(IUnknown_QueryInterface(data, &IID_IUccSessionTransferProgressEvent, (void **)&transfer)))
    {
        IUccSessionTransferProgressEvent_get_TransferState(transfer, &state);
        IUccSessionTransferProgressEvent_Release(transfer);
    }
    printf("[ucc] OnBlindTransfer %s 0x%08x %s %s\n", complete ? "complete" : "progress", (unsigned int)status,
           (unsigned int)state < G_N_ELEMENTS(states) ? states[state] : "?", text);
    g_free(text);
    if (statuses->len)
        g_string_append_c(statuses, ',');
    if (status)
        g_string_append_printf(statuses, "0x%08x", (unsigned int)status);
    else
        g_string_append_c(statuses, '0');
    if (!complete)
        return;
    expected = g_ascii_strdown(opt_expect, -1);
    if (!strcmp(statuses->str, expected))
        result = 0;
    else
        printf("[ucc] FAILED: statuses %s, expected %s\n", statuses->str, expected);
    g_free(expected);
    /* Nothing hangs up by itself after a transfer: the application does. */
    IUccSession_Terminate(session, UCCROTR_NOT_SPECIFIED, NULL);
}

static HRESULT WINAPI sink_Invoke(IDispatch *iface, DISPID dispid, REFIID riid, LCID lcid, WORD flags,
                                  DISPPARAMS *params, VARIANT *ret, EXCEPINFO *excepinfo, UINT *arg_err)
{
    struct sink *sink = impl_from_IDispatch(iface);
    IUnknown *data;
    HRESULT status;
    BOOL complete;

    if (!params || params->cArgs != 2)
        return E_INVALIDARG;
    data = V_UNKNOWN(&params->rgvarg[0]);
    if (IsEqualIID(&sink->diid, &DIID__IUccEndpointEvents))
    {
        if (dispid == DISPID__IUccEndpointEvents_OnEnable)
        {
            status = progress_of(data, NULL, NULL);
            printf("[ucc] OnEnable 0x%08x\n", (unsigned int)status);
            if (FAILED(status))
                g_main_loop_quit(loop);
            else
                place_call();
        }
    }
    else if (IsEqualIID(&sink->diid, &DIID__IUccSessionEvents))
    {
        status = progress_of(data, &complete, NULL);
        if (dispid == DISPID__IUccSessionEvents_OnAddParticipant)
        {
            printf("[ucc] OnAddParticipant 0x%08x\n", (unsigned int)status);
            if (SUCCEEDED(status))
            {
                IUccSessionCallControl *control;
                IUccUri *target;
                IUccUriManager *manager;
                BSTR text = bstr(opt_transfer_to);
                HRESULT hr = E_FAIL;

                CoCreateInstance(&CLSID_UccUriManager, NULL, CLSCTX_INPROC_SERVER, &IID_IUccUriManager,
                                 (void **)&manager);
                if (SUCCEEDED(IUccUriManager_ParseUri(manager, text, &target)))
                {
                    IUccSession_QueryInterface(session, &IID_IUccSessionCallControl, (void **)&control);
                    hr = IUccSessionCallControl_BlindTransfer(control, target, NULL);
                    IUccSessionCallControl_Release(control);
                    IUccUri_Release(target);
                }
                IUccUriManager_Release(manager);
                SysFreeString(text);
                printf("[ucc] BlindTransfer(%s) 0x%08x\n", opt_transfer_to, (unsigned int)hr);
                if (FAILED(hr))
                    IUccSession_Terminate(session, UCCROTR_NOT_SPECIFIED, NULL);
            }
        }
        else if (dispid == DISPID__IUccSessionEvents_OnTerminate)
        {
            printf("[ucc] OnTerminate 0x%08x\n", (unsigned int)status);
            g_main_loop_quit(loop);
        }
    }
    else if (IsEqualIID(&sink->diid, &DIID__IUccSessionCallControlEvents)
             && dispid == DISPID__IUccSessionCallControlEvents_OnBlindTransfer)
        on_transfer(data);
    else if (IsEqualIID(&sink->diid, &DIID__IUccPlatformEvents) && dispid == DISPID__IUccPlatformEvents_OnShutdown)
        g_main_loop_quit(loop);
    return S_OK;
}

static const IDispatchVtbl sink_vtbl =
{
    sink_QueryInterface, sink_AddRef, sink_Release, sink_GetTypeInfoCount, sink_GetTypeInfo, sink_GetIDsOfNames,
    sink_Invoke,
};

static void advise(IUnknown *object, REFIID diid)
{
    struct sink *sink = g_new0(struct sink, 1);
    IConnectionPointContainer *container;

    sink->IDispatch_iface.lpVtbl = &sink_vtbl;
    sink->refcount = 1;
    sink->diid = *diid;
    IUnknown_QueryInterface(object, &IID_IConnectionPointContainer, (void **)&container);
    IConnectionPointContainer_FindConnectionPoint(container, diid, &sink->point);
    IConnectionPointContainer_Release(container);
    IConnectionPoint_Advise(sink->point, (IUnknown *)&sink->IDispatch_iface, &sink->cookie);
    g_ptr_array_add(sinks, sink);
}

static void unadvise_all(void)
{
    guint i;

    for (i = 0; i < sinks->len; i++)
    {
        struct sink *sink = g_ptr_array_index(sinks, i);
        IConnectionPoint_Unadvise(sink->point, sink->cookie);
        IConnectionPoint_Release(sink->point);
        IDispatch_Release(&sink->IDispatch_iface);
    }
    g_ptr_array_set_size(sinks, 0);
}

/* Connected to nobody yet: call --call (the transfer starts in OnAddParticipant). */
static void place_call(void)
{
    IUccSessionManager *manager;
    IUccSessionParticipant *participant;
    IUccUriManager *uris;
    IUccUri *uri;
    BSTR text = bstr(opt_call);

    IUccEndpoint_QueryInterface(endpoint, &IID_IUccSessionManager, (void **)&manager);
    IUccSessionManager_CreateSession(manager, UCCST_AUDIO_VIDEO, NULL, &session);
    IUccSessionManager_Release(manager);
    advise((IUnknown *)session, &DIID__IUccSessionEvents);
    advise((IUnknown *)session, &DIID__IUccSessionCallControlEvents);
    CoCreateInstance(&CLSID_UccUriManager, NULL, CLSCTX_INPROC_SERVER, &IID_IUccUriManager, (void **)&uris);
    IUccUriManager_ParseUri(uris, text, &uri);
    IUccUriManager_Release(uris);
    SysFreeString(text);
    IUccSession_CreateParticipant(session, uri, NULL, &participant);
    IUccUri_Release(uri);
    printf("[ucc] calling %s: 0x%08x\n", opt_call, (unsigned int)IUccSession_AddParticipant(session, participant, NULL));
    IUccSessionParticipant_Release(participant);
}

static gboolean timed_out(gpointer data)
{
    *(guint *)data = 0;
    result = 1;
    printf("[ucc] FAILED: timed out\n");
    g_main_loop_quit(loop);
    return G_SOURCE_REMOVE;
}

int main(int argc, char **argv)
{
    GOptionEntry entries[] =
    {
        { "uri", 0, 0, G_OPTION_ARG_STRING, &opt_uri, "The endpoint's URI (it listens there)", "URI" },
        { "name", 0, 0, G_OPTION_ARG_STRING, &opt_name, "Display name (default ucc)", "NAME" },
        { "call", 0, 0, G_OPTION_ARG_STRING, &opt_call, "Whom to call", "URI" },
        { "transfer-to", 0, 0, G_OPTION_ARG_STRING, &opt_transfer_to, "BlindTransfer target", "URI" },
        { "expect", 0, 0, G_OPTION_ARG_STRING, &opt_expect, "OnBlindTransfer StatusCodes, in order", "LIST" },
        { "timeout", 0, 0, G_OPTION_ARG_INT, &opt_timeout, "Seconds before giving up (default 20)", "S" },
        { NULL }
    };
    GOptionContext *options = g_option_context_new("- UCC BlindTransfer driver for the SIPp tests");
    GError *error = NULL;
    IUccContext *context;
    guint timer;
    IUccUriManager *uris;
    IUccUri *uri;
    VARIANT v;
    BSTR text;

    g_option_context_add_main_entries(options, entries, NULL);
    if (!g_option_context_parse(options, &argc, &argv, &error) || !opt_uri || !opt_call || !opt_transfer_to
        || !opt_expect)
    {
        fprintf(stderr, "%s\nusage: --uri URI --call URI --transfer-to URI --expect LIST\n",
                error ? error->message : "missing options");
        return 2;
    }
    g_option_context_free(options);
    setvbuf(stdout, NULL, _IOLBF, 0);
    statuses = g_string_new(NULL);
    sinks = g_ptr_array_new();
    loop = g_main_loop_new(NULL, FALSE);

    CoInitializeEx(NULL, COINIT_APARTMENTTHREADED);
    CoCreateInstance(&CLSID_UccPlatform, NULL, CLSCTX_INPROC_SERVER, &IID_IUccPlatform, (void **)&platform);
    advise((IUnknown *)platform, &DIID__IUccPlatformEvents);
    text = bstr("ucc_transferor");
    IUccPlatform_Initialize(platform, text, NULL);
    SysFreeString(text);

    /* Server-less (docs/ucc.md): it listens where its URI says; the display name goes into
     * the From and the Referred-By. */
    CoCreateInstance(&CLSID_UccContext, NULL, CLSCTX_INPROC_SERVER, &IID_IUccContext, (void **)&context);
    V_VT(&v) = VT_BSTR;
    V_BSTR(&v) = bstr(opt_name);
    IUccContext_AddProperty(context, UCCSEC_DISPLAY_NAME, v, NULL);
    VariantClear(&v);
    CoCreateInstance(&CLSID_UccUriManager, NULL, CLSCTX_INPROC_SERVER, &IID_IUccUriManager, (void **)&uris);
    text = bstr(opt_uri);
    if (FAILED(IUccUriManager_ParseUri(uris, text, &uri)))
    {
        fprintf(stderr, "bad --uri %s\n", opt_uri);
        return 2;
    }
    SysFreeString(text);
    IUccUriManager_Release(uris);
    IUccPlatform_CreateEndpoint(platform, UCCET_PRINCIPAL_SERVER_BASED, uri, NULL, context, &endpoint);
    IUccUri_Release(uri);
    IUccContext_Release(context);
    advise((IUnknown *)endpoint, &DIID__IUccEndpointEvents);
    IUccEndpoint_Enable(endpoint, NULL);

    timer = g_timeout_add_seconds(opt_timeout, timed_out, &timer);
    g_main_loop_run(loop);              /* until OnTerminate (or a failure) */
    if (timer)
        g_source_remove(timer);

    IUccPlatform_Shutdown(platform, NULL);
    timer = g_timeout_add_seconds(5, timed_out, &timer);
    g_main_loop_run(loop);              /* until OnShutdown */
    if (timer)
        g_source_remove(timer);
    unadvise_all();
    if (session)
        IUccSession_Release(session);
    IUccEndpoint_Release(endpoint);
    IUccPlatform_Release(platform);
    CoUninitialize();
    printf("[ucc] %s (statuses %s)\n", result ? "FAILED" : "done", statuses->str);
    g_string_free(statuses, TRUE);
    g_ptr_array_free(sinks, TRUE);
    g_main_loop_unref(loop);
    return result;
}
