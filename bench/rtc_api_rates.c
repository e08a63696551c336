/*
 * Calls and transfers per second through the RTC Client API, three
 * RTCClient objects on loopback in one process (one main context):
 *
 *   calls:      alice calls bob, bob answers, alice hangs up;
 *   transfers:  alice calls bob, alice refers bob to carol, bob accepts and
 *               calls carol (Referred-By and cookie on the INVITE), carol
 *               answers, bob reports CONNECTED (NOTIFY 200), alice sees DONE
 *               and everyone hangs up.
 *
 * Several flows run at once (--parallel) so the figure is throughput, not
 * one flow's latency. Prints wall time, rate, CPU time per flow and failures.
 *
 *   bench_rtc_api_rates [--calls N] [--transfers N] [--parallel P]
 */
#define COBJMACROS
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <windows.h>
#include <ocidl.h>
#include <rtccore.h>
#include <rtcerr.h>
#include <glib.h>

struct party
{
    IRTCEventNotification IRTCEventNotification_iface;
    const char *name;
    IRTCClient *client;
    IConnectionPoint *cp;
    DWORD cookie;
    char uri[64];
};

enum flow_kind { FLOW_CALL, FLOW_TRANSFER };

/* One flow is alice's session; bob and carol just answer and act on their events. */
struct flow
{
    enum flow_kind kind;
    IRTCSession *session;
    gboolean transferred;           /* alice saw RTCSRS_DONE */
    gboolean failed;
};

static struct party alice, bob, carol;
static GHashTable *flows;           /* alice's IRTCSession * -> struct flow * */
static GHashTable *bob_transfers;   /* bob's IRTCSession * to carol -> IRTCSessionReferredEvent * */
static int started, finished, failures, total, parallel = 20;
static enum flow_kind kind;
static GMainLoop *loop;

static BSTR bstr(const char *s)
{
    gunichar *u = g_utf8_to_ucs4(s, -1, NULL, NULL, NULL);
    BSTR b = SysAllocString((const OLECHAR *)u);
    g_free(u);
    return b;
}

static void start_flow(void);

static void flow_done(struct flow *flow)
{
    if (flow->failed || (flow->kind == FLOW_TRANSFER && !flow->transferred))
        failures++;
    finished++;
    g_hash_table_remove(flows, flow->session);
    IRTCSession_Release(flow->session);
    g_free(flow);
    if (started < total)
        start_flow();
    else if (finished == total)
        g_main_loop_quit(loop);
}

static void start_flow(void)
{
    struct flow *flow = g_new0(struct flow, 1);
    BSTR uri = bstr(bob.uri);

    flow->kind = kind;
    started++;
    IRTCClient_CreateSession(alice.client, RTCST_PC_TO_PC, NULL, NULL, 0, &flow->session);
    g_hash_table_insert(flows, flow->session, flow);
    if (FAILED(IRTCSession_AddParticipant(flow->session, uri, NULL, NULL)))
    {
        flow->failed = TRUE;
        flow_done(flow);
    }
    SysFreeString(uri);
}

static void on_state(struct party *party, IRTCSession *session, RTC_SESSION_STATE state, LONG status)
{
    struct flow *flow = party == &alice ? g_hash_table_lookup(flows, session) : NULL;
    IRTCSessionReferredEvent *referral;
    IRTCSessionCallControl *control;
    BSTR uri, cookie;

    if (state == RTCSS_INCOMING)
    {
        IRTCSession_Answer(session);
        return;
    }
    if (party == &bob && (referral = g_hash_table_lookup(bob_transfers, session)))
    {
        /* Bob's call to carol: report it to alice, then leave. */
        if (state == RTCSS_CONNECTED)
        {
            IRTCSessionReferredEvent_SetReferredSessionState(referral, RTCSS_CONNECTED);
            IRTCSession_Terminate(session, RTCTR_NORMAL);
        }
        else if (state == RTCSS_DISCONNECTED)
        {
            IRTCSessionReferredEvent_SetReferredSessionState(referral, RTCSS_DISCONNECTED);
            g_hash_table_remove(bob_transfers, session);
        }
        return;
    }
    if (!flow)
        return;
    if (state == RTCSS_CONNECTED && flow->kind == FLOW_CALL)
        IRTCSession_Terminate(session, RTCTR_NORMAL);
    else if (state == RTCSS_CONNECTED && !flow->transferred)
    {
        IRTCSession_QueryInterface(session, &IID_IRTCSessionCallControl, (void **)&control);
        uri = bstr(carol.uri);
        cookie = bstr("bench");
        if (FAILED(IRTCSessionCallControl_Refer(control, uri, cookie)))
        {
            flow->failed = TRUE;
            IRTCSession_Terminate(session, RTCTR_NORMAL);
        }
        SysFreeString(uri);
        SysFreeString(cookie);
        IRTCSessionCallControl_Release(control);
    }
    else if (state == RTCSS_DISCONNECTED)
    {
        if (status != S_OK)
            flow->failed = TRUE;
        flow_done(flow);
    }
}

static void on_refer_status(IDispatch *event)
{
    IRTCSessionReferStatusEvent *e;
    RTC_SESSION_REFER_STATUS status;
    IRTCSession2 *session2;
    struct flow *flow;

    IDispatch_QueryInterface(event, &IID_IRTCSessionReferStatusEvent, (void **)&e);
    IRTCSessionReferStatusEvent_get_ReferStatus(e, &status);
    IRTCSessionReferStatusEvent_get_Session(e, &session2);
    flow = g_hash_table_lookup(flows, session2);
    if (flow && status != RTCSRS_REFERRING && status != RTCSRS_ACCEPTED)
    {
        /* The outcome is known: the transferor hangs up (its own decision). */
        flow->transferred = status == RTCSRS_DONE;
        IRTCSession_Terminate(flow->session, RTCTR_NORMAL);
    }
    IRTCSession2_Release(session2);
    IRTCSessionReferStatusEvent_Release(e);
}

static void on_referred(IDispatch *event)
{
    IRTCSessionReferredEvent *referred;
    IRTCSessionCallControl *control;
    IRTCSession *to_carol;
    BSTR to, by, cookie;

    IDispatch_QueryInterface(event, &IID_IRTCSessionReferredEvent, (void **)&referred);
    if (FAILED(IRTCSessionReferredEvent_Accept(referred)))
    {
        IRTCSessionReferredEvent_Release(referred);
        return;
    }
    IRTCSessionReferredEvent_get_ReferToURI(referred, &to);
    IRTCSessionReferredEvent_get_ReferredByURI(referred, &by);
    IRTCSessionReferredEvent_get_ReferCookie(referred, &cookie);
    IRTCClient_CreateSession(bob.client, RTCST_PC_TO_PC, NULL, NULL, 0, &to_carol);
    IRTCSession_QueryInterface(to_carol, &IID_IRTCSessionCallControl, (void **)&control);
    IRTCSessionCallControl_put_ReferredByURI(control, by);
    IRTCSessionCallControl_put_ReferCookie(control, cookie);
    IRTCSessionCallControl_Release(control);
    g_hash_table_insert(bob_transfers, to_carol, referred);
    if (FAILED(IRTCSession_AddParticipant(to_carol, to, NULL, NULL)))
    {
        IRTCSessionReferredEvent_SetReferredSessionState(referred, RTCSS_DISCONNECTED);
        g_hash_table_remove(bob_transfers, to_carol);
    }
    SysFreeString(to), SysFreeString(by), SysFreeString(cookie);
}

static void release_session(gpointer p) { IRTCSession_Release((IRTCSession *)p); }
static void release_referral(gpointer p) { IRTCSessionReferredEvent_Release((IRTCSessionReferredEvent *)p); }

static HRESULT STDMETHODCALLTYPE sink_QueryInterface(IRTCEventNotification *iface, REFIID riid, void **ppv)
{
    *ppv = (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IRTCEventNotification)) ? iface : NULL;
    return *ppv ? S_OK : E_NOINTERFACE;
}

static ULONG STDMETHODCALLTYPE sink_AddRef(IRTCEventNotification *iface) { return 2; }
static ULONG STDMETHODCALLTYPE sink_Release(IRTCEventNotification *iface) { return 1; }

static HRESULT STDMETHODCALLTYPE sink_Event(IRTCEventNotification *iface, RTC_EVENT type, IDispatch *event)
{
    struct party *party = CONTAINING_RECORD(iface, struct party, IRTCEventNotification_iface);

    if (type == RTCE_SESSION_STATE_CHANGE)
    {
        IRTCSessionStateChangeEvent *e;
        RTC_SESSION_STATE state;
        IRTCSession *session;
        LONG status;

        IDispatch_QueryInterface(event, &IID_IRTCSessionStateChangeEvent, (void **)&e);
        IRTCSessionStateChangeEvent_get_State(e, &state);
        IRTCSessionStateChangeEvent_get_Session(e, &session);
        IRTCSessionStateChangeEvent_get_StatusCode(e, &status);
        on_state(party, session, state, status);
        IRTCSession_Release(session);
        IRTCSessionStateChangeEvent_Release(e);
    }
    else if (type == RTCE_SESSION_REFER_STATUS)
        on_refer_status(event);
    else if (type == RTCE_SESSION_REFERRED)
        on_referred(event);
    return S_OK;
}

static const IRTCEventNotificationVtbl sink_vtbl = { sink_QueryInterface, sink_AddRef, sink_Release, sink_Event };

static void party_start(struct party *party, const char *name)
{
    IConnectionPointContainer *cpc;
    IRTCClientPortManagement *ports;
    VARIANT addresses, first;
    LONG index = 0;
    BSTR b;
    char *text;

    party->IRTCEventNotification_iface.lpVtbl = &sink_vtbl;
    party->name = name;
    CoCreateInstance(&CLSID_RTCClient, NULL, CLSCTX_INPROC_SERVER, &IID_IRTCClient, (void **)&party->client);
    IRTCClient_Initialize(party->client);
    /* Only what the flows need: fewer event objects, as a lean application would do. */
    IRTCClient_put_EventFilter(party->client, RTCEF_SESSION_STATE_CHANGE | RTCEF_SESSION_REFER_STATUS
                                              | RTCEF_SESSION_REFERRED);
    IRTCClient_QueryInterface(party->client, &IID_IConnectionPointContainer, (void **)&cpc);
    IConnectionPointContainer_FindConnectionPoint(cpc, &IID_IRTCEventNotification, &party->cp);
    IConnectionPointContainer_Release(cpc);
    IConnectionPoint_Advise(party->cp, (IUnknown *)&party->IRTCEventNotification_iface, &party->cookie);
    IRTCClient_QueryInterface(party->client, &IID_IRTCClientPortManagement, (void **)&ports);
    b = bstr("127.0.0.1");
    IRTCClientPortManagement_StartListenAddressAndPort(ports, b, 0);
    SysFreeString(b);
    IRTCClientPortManagement_Release(ports);
    VariantInit(&addresses);
    IRTCClient_get_NetworkAddresses(party->client, VARIANT_FALSE, VARIANT_FALSE, &addresses);
    VariantInit(&first);
    SafeArrayGetElement(V_ARRAY(&addresses), &index, &first);
    text = g_ucs4_to_utf8((gunichar *)V_BSTR(&first), -1, NULL, NULL, NULL);
    g_snprintf(party->uri, sizeof(party->uri), "sip:%s@%s", name, text);
    g_free(text);
    VariantClear(&first);
    VariantClear(&addresses);
    b = bstr(party->uri);
    IRTCClient_put_LocalUserURI(party->client, b);
    SysFreeString(b);
}

static void party_stop(struct party *party)
{
    IConnectionPoint_Unadvise(party->cp, party->cookie);
    IConnectionPoint_Release(party->cp);
    IRTCClient_Shutdown(party->client);
    IRTCClient_Release(party->client);
}

static double cpu_seconds(void)
{
    struct rusage usage;

    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec + (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

static gboolean watchdog(gpointer data)
{
    fprintf(stderr, "bench: stuck with %d of %d flows finished\n", finished, total);
    g_main_loop_quit(loop);
    return G_SOURCE_REMOVE;
}

static void run(enum flow_kind what, int count, const char *label)
{
    gint64 t0;
    double c0, wall, cpu;
    int i;
    guint dog;

    kind = what;
    total = count;
    started = finished = failures = 0;
    t0 = g_get_monotonic_time();
    c0 = cpu_seconds();
    for (i = 0; i < parallel && started < total; i++)
        start_flow();
    dog = g_timeout_add_seconds(120, watchdog, NULL);
    g_main_loop_run(loop);
    g_source_remove(dog);
    wall = (g_get_monotonic_time() - t0) / 1e6;
    cpu = cpu_seconds() - c0;
    printf("%-10s %6d done, %4d failed, %4d unfinished in %6.2f s: %8.1f per second, CPU %.3f ms each (3 clients, %d at once)\n",
           label, finished - failures, failures, total - finished, wall, finished / wall, 1000 * cpu / (finished ? finished : 1),
           parallel);
    fflush(stdout);
}

int main(int argc, char **argv)
{
    int calls = 2000, transfers = 1000;
    GOptionEntry options[] =
    {
        { "calls", 0, 0, G_OPTION_ARG_INT, &calls, "Calls to place (default 2000)", "N" },
        { "transfers", 0, 0, G_OPTION_ARG_INT, &transfers, "Transfers to run (default 1000)", "N" },
        { "parallel", 0, 0, G_OPTION_ARG_INT, &parallel, "Flows at once (default 20)", "P" },
        { NULL }
    };
    GOptionContext *context = g_option_context_new("- calls and transfers per second through the RTC API");
    GError *error = NULL;

    g_option_context_add_main_entries(context, options, NULL);
    if (!g_option_context_parse(context, &argc, &argv, &error) || calls < 0 || transfers < 0 || parallel < 1)
    {
        fprintf(stderr, "bench_rtc_api_rates: %s\n", error ? error->message : "counts must be positive");
        return 2;
    }
    g_option_context_free(context);
    CoInitializeEx(NULL, COINIT_APARTMENTTHREADED);
    flows = g_hash_table_new(NULL, NULL);
    bob_transfers = g_hash_table_new_full(NULL, NULL, release_session, release_referral);
    loop = g_main_loop_new(NULL, FALSE);
    party_start(&alice, "alice");
    party_start(&bob, "bob");
    party_start(&carol, "carol");
    if (calls)
        run(FLOW_CALL, calls, "calls");
    if (transfers)
        run(FLOW_TRANSFER, transfers, "transfers");
    party_stop(&alice);
    party_stop(&bob);
    party_stop(&carol);
    g_main_loop_unref(loop);
    g_hash_table_destroy(flows);
    g_hash_table_destroy(bob_transfers);
    CoUninitialize();
    return failures ? 1 : 0;
}
