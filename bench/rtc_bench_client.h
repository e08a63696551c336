/*
 * The RTC client of a bench program (bench_rtc_media_load,
 * bench_rtc_media_churn): made, initialized and listening the way an
 * application does it, with an event sink that hands every
 * RTCE_SESSION_STATE_CHANGE event to the program's on_state().
 */
#ifndef RTCSHIM_BENCH_RTC_BENCH_CLIENT_H
#define RTCSHIM_BENCH_RTC_BENCH_CLIENT_H

#define COBJMACROS
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>
#include <ocidl.h>
#include <rtccore.h>
#include <glib.h>

struct bench_client
{
    IRTCClient *client;
    IConnectionPoint *cp;
    DWORD cookie;
};

static void (*bench_on_state)(IDispatch *event);

static inline BSTR bstr(const char *s)
{
    gunichar *u = g_utf8_to_ucs4(s, -1, NULL, NULL, NULL);
    BSTR b = SysAllocString((const OLECHAR *)u);

    g_free(u);
    return b;
}

static HRESULT STDMETHODCALLTYPE bench_sink_QueryInterface(IRTCEventNotification *iface, REFIID riid, void **ppv)
{
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IRTCEventNotification))
    {
        *ppv = iface;
        return S_OK;
    }
    *ppv = NULL;
    return E_NOINTERFACE;
}

/* One static sink for the program's life: no reference counting to do. */
static ULONG STDMETHODCALLTYPE bench_sink_AddRef(IRTCEventNotification *iface) { return 2; }
static ULONG STDMETHODCALLTYPE bench_sink_Release(IRTCEventNotification *iface) { return 1; }

static HRESULT STDMETHODCALLTYPE bench_sink_Event(IRTCEventNotification *iface, RTC_EVENT type, IDispatch *event)
{
    if (type == RTCE_SESSION_STATE_CHANGE && bench_on_state) bench_on_state(event);
    return S_OK;
}

static const IRTCEventNotificationVtbl bench_sink_vtbl =
{
    bench_sink_QueryInterface, bench_sink_AddRef, bench_sink_Release, bench_sink_Event
};
static IRTCEventNotification bench_sink = { &bench_sink_vtbl };

/* Makes and initializes the client, advises the sink, listens on ADDR:PORT
 * (listen may be NULL). FALSE, with a message on stderr, on failure. */
static inline gboolean bench_client_start(struct bench_client *bench, const char *listen,
                                          void (*on_state)(IDispatch *event))
{
    IConnectionPointContainer *cpc;
    IRTCClientPortManagement *ports;
    HRESULT hr;

    bench_on_state = on_state;
    CoInitializeEx(NULL, COINIT_APARTMENTTHREADED);
    if (FAILED(hr = CoCreateInstance(&CLSID_RTCClient, NULL, CLSCTX_INPROC_SERVER, &IID_IRTCClient,
                                     (void **)&bench->client))
            || FAILED(hr = IRTCClient_Initialize(bench->client)))
    {
        fprintf(stderr, "cannot make the RTC client: 0x%08x\n", (unsigned int)hr);
        return FALSE;
    }
    IRTCClient_put_EventFilter(bench->client, RTCEF_SESSION_STATE_CHANGE);
    IRTCClient_QueryInterface(bench->client, &IID_IConnectionPointContainer, (void **)&cpc);
    IConnectionPointContainer_FindConnectionPoint(cpc, &IID_IRTCEventNotification, &bench->cp);
    IConnectionPointContainer_Release(cpc);
    IConnectionPoint_Advise(bench->cp, (IUnknown *)&bench_sink, &bench->cookie);
    if (listen)
    {
        const char *colon = strrchr(listen, ':');
        char *host;
        BSTR address;

        if (!colon)
        {
            fprintf(stderr, "--listen: ADDR:PORT, not %s\n", listen);
            return FALSE;
        }
        host = g_strndup(listen, colon - listen);
        address = bstr(host);
        IRTCClient_QueryInterface(bench->client, &IID_IRTCClientPortManagement, (void **)&ports);
        hr = IRTCClientPortManagement_StartListenAddressAndPort(ports, address, atoi(colon + 1));
        IRTCClientPortManagement_Release(ports);
        SysFreeString(address);
        g_free(host);
        if (FAILED(hr))
        {
            fprintf(stderr, "cannot listen on %s: 0x%08x\n", listen, (unsigned int)hr);
            return FALSE;
        }
    }
    return TRUE;
}

static inline void bench_client_stop(struct bench_client *bench)
{
    IConnectionPoint_Unadvise(bench->cp, bench->cookie);
    IConnectionPoint_Release(bench->cp);
    IRTCClient_Shutdown(bench->client);
    IRTCClient_Release(bench->client);
    CoUninitialize();
}

#endif
