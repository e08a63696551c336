/*
 * A UCC presence application for tests/interop/run_presence.sh: one endpoint
 * signed in to a SIP server (--server HOST:PORT, registered over UDP) that
 * publishes its "state" and "note" categories through the server and watches
 * presentities through it, driven by one command per line on stdin:
 *
 *   state AVAILABILITY          publish <state> with that availability (3000 free, 6000 busy, ...)
 *   note TEXT                   publish a personal <note>
 *   unnote TEXT                 remove that note (UCCPOT_REMOVE)
 *   watch URI                   subscribe to URI's state and note (IUccSubscription::Subscribe)
 *   unwatch                     Unsubscribe that subscription
 *   quit                        release everything, Disable, Shutdown, exit 0
 *
 * Every event the application sees is printed as the test sink writes it
 * (tests/unit/ucc/ucc_sink.h), e.g. "pres OnCategoryContextAdded state",
 * "inst OnCategoryInstanceValueModified <state ...>", "pub OnPublish 3 0".
 * Category contexts and instances are advised from inside the event that
 * announces them, as docs/ucc.md says an application does.
 *
 *   ucc_presence_peer --uri sip:carol@127.0.0.1 --listen 127.0.0.1:15402 --server 127.0.0.1:15410
 *
 * Public API only (the shared library), as a ported application sees it.
 */
#include "../unit/ucc/ucc_sink.h"
#include <stdlib.h>
#include <unistd.h>

#define STATE_OPEN "<state xmlns=\"http://schemas.microsoft.com/2006/09/sip/state\" " \
                   "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:type=\"aggregateState\">"

static struct ucc_sink sink;
static struct ucc_sink platform_sink;
static IUccPlatform *platform;
static IUccEndpoint *endpoint;
static IUccSubscription *subscription;
static GMainLoop *loop;
static guint printed;
static LONG_PTR next_op = 1;
static int result;

/* Prints what the sink logged since the last call. */
static void flush_log(void)
{
    for (; printed < sink.log->len; printed++)
        printf("%s\n", (const char *)g_ptr_array_index(sink.log, printed));
    fflush(stdout);
}

static void say(const char *format, ...) G_GNUC_PRINTF(1, 2);
static void say(const char *format, ...)
{
    va_list args;

    flush_log();
    va_start(args, format);
    vprintf(format, args);
    va_end(args);
    printf("\n");
    fflush(stdout);
}

/* Advise each category context and instance as it appears. */
static void hook(struct ucc_sink *s, const char *label, REFIID diid, DISPID dispid, IUnknown *source, IUnknown *data)
{
    if (IsEqualIID(diid, &DIID__IUccPresentityEvents) && dispid == DISPID__IUccPresentityEvents_OnCategoryContextAdded)
    {
        IUccCategoryContextEvent *event;
        IUccCategoryContext *context;

        if (SUCCEEDED(IUnknown_QueryInterface(data, &IID_IUccCategoryContextEvent, (void **)&event)))
        {
            if (SUCCEEDED(IUccCategoryContextEvent_get_CategoryContext(event, &context)))
            {
                ucc_sink_advise(s, (IUnknown *)context, &DIID__IUccCategoryContextEvents, "ctx");
                IUccCategoryContext_Release(context);
            }
            IUccCategoryContextEvent_Release(event);
        }
    }
    else if (IsEqualIID(diid, &DIID__IUccCategoryContextEvents)
             && dispid == DISPID__IUccCategoryContextEvents_OnCategoryInstanceAdded)
    {
        IUccCategoryInstanceEvent *event;
        IUccCategoryInstance *instance;

        if (SUCCEEDED(IUnknown_QueryInterface(data, &IID_IUccCategoryInstanceEvent, (void **)&event)))
        {
            if (SUCCEEDED(IUccCategoryInstanceEvent_get_CategoryInstance(event, &instance)))
            {
                ucc_sink_advise(s, (IUnknown *)instance, &DIID__IUccCategoryInstanceEvents, "inst");
                IUccCategoryInstance_Release(instance);
            }
            IUccCategoryInstanceEvent_Release(event);
        }
    }
    flush_log();
}

static IUccOperationContext *new_operation(void)
{
    IUccOperationContext *op = NULL;

    if (SUCCEEDED(CoCreateInstance(&CLSID_UccOperationContext, NULL, CLSCTX_INPROC_SERVER, &IID_IUccOperationContext,
                                   (void **)&op)))
        IUccOperationContext_Initialize(op, next_op++, NULL);
    return op;
}

static IUccUri *parse_uri(const char *text)
{
    IUccUriManager *manager;
    IUccUri *uri = NULL;
    BSTR b = ucc_sink_bstr(text);

    if (SUCCEEDED(CoCreateInstance(&CLSID_UccUriManager, NULL, CLSCTX_INPROC_SERVER, &IID_IUccUriManager,
                                   (void **)&manager)))
    {
        IUccUriManager_ParseUri(manager, b, &uri);
        IUccUriManager_Release(manager);
    }
    SysFreeString(b);
    return uri;
}

/* One instance of category name (default container) with value, added or removed. */
static void publish(const WCHAR *name, const char *value, UCC_PUBLICATION_OPERATION_TYPE operation)
{
    IUccPublicationManager *manager = NULL;
    IUccCategoryInstance *instance = NULL;
    IUccPublication *publication = NULL;
    IUccOperationContext *op = new_operation();
    BSTR b = SysAllocString(name), v = ucc_sink_bstr(value);
    HRESULT hr;

    hr = IUccEndpoint_QueryInterface(endpoint, &IID_IUccPublicationManager, (void **)&manager);
    if (SUCCEEDED(hr))
        hr = IUccPublicationManager_CreatePublishableCategoryInstance(manager, b, UCC_DEFAULT_CONTAINER_ID, 0,
                                                                      UCCCIET_USER, 0, &instance);
    if (SUCCEEDED(hr))
        hr = IUccCategoryInstance_put_Value(instance, v);
    if (SUCCEEDED(hr))
        hr = IUccCategoryInstance_put_PublicationOperation(instance, operation);
    if (SUCCEEDED(hr))
        hr = IUccPublicationManager_CreatePublication(manager, &publication);
    if (SUCCEEDED(hr))
        hr = ucc_sink_advise(&sink, (IUnknown *)publication, &DIID__IUccPublicationEvent, "pub");
    if (SUCCEEDED(hr))
        hr = IUccPublication_AddPublishableCategoryInstance(publication, instance);
    if (SUCCEEDED(hr))
        hr = IUccPublication_Publish(publication, op);
    if (FAILED(hr))
    {
        say("publish failed: 0x%08x", (unsigned int)hr);
        result = 1;
    }
    if (publication)
        IUccPublication_Release(publication);
    if (instance)
        IUccCategoryInstance_Release(instance);
    if (manager)
        IUccPublicationManager_Release(manager);
    IUccOperationContext_Release(op);
    SysFreeString(b);
    SysFreeString(v);
}

static void watch(const char *target)
{
    IUccSubscriptionManager *manager = NULL;
    IUccPresentity *presentity = NULL;
    IUccOperationContext *op;
    IUccUri *uri = parse_uri(target);
    BSTR state = SysAllocString(L"state"), note = SysAllocString(L"note");
    HRESULT hr = uri ? S_OK : E_INVALIDARG;

    if (subscription)
        hr = E_NOT_VALID_STATE;
    if (SUCCEEDED(hr))
        hr = IUccEndpoint_QueryInterface(endpoint, &IID_IUccSubscriptionManager, (void **)&manager);
    if (SUCCEEDED(hr))
        hr = IUccSubscriptionManager_CreateSubscription(manager, NULL, &subscription);
    if (SUCCEEDED(hr))
        hr = ucc_sink_advise(&sink, (IUnknown *)subscription, &DIID__IUccSubscriptionEvents, "sub");
    if (SUCCEEDED(hr))
        hr = IUccSubscription_CreatePresentity(subscription, uri, NULL, &presentity);
    if (SUCCEEDED(hr))
        hr = ucc_sink_advise(&sink, (IUnknown *)presentity, &DIID__IUccPresentityEvents, "pres");
    if (SUCCEEDED(hr))
        hr = IUccSubscription_AddPresentity(subscription, presentity);
    if (SUCCEEDED(hr))
        hr = IUccSubscription_AddCategoryName(subscription, state);
    if (SUCCEEDED(hr))
        hr = IUccSubscription_AddCategoryName(subscription, note);
    if (SUCCEEDED(hr))
    {
        op = new_operation();
        hr = IUccSubscription_Subscribe(subscription, op);
        IUccOperationContext_Release(op);
    }
    if (FAILED(hr))
    {
        say("watch failed: 0x%08x", (unsigned int)hr);
        result = 1;
    }
    if (presentity)
        IUccPresentity_Release(presentity);
    if (manager)
        IUccSubscriptionManager_Release(manager);
    if (uri)
        IUccUri_Release(uri);
    SysFreeString(state);
    SysFreeString(note);
}

static void unwatch(void)
{
    IUccOperationContext *op = new_operation();
    HRESULT hr = subscription ? IUccSubscription_Unsubscribe(subscription, op) : E_NOT_VALID_STATE;

    if (FAILED(hr))
    {
        say("unwatch failed: 0x%08x", (unsigned int)hr);
        result = 1;
    }
    IUccOperationContext_Release(op);
}

static void command(char *line)
{
    char *arg = strchr(line, ' '), *value;

    if (arg)
        *arg++ = 0;
    say("> %s%s%s", line, arg ? " " : "", arg ? arg : "");
    if (!strcmp(line, "state") && arg)
    {
        value = g_strdup_printf(STATE_OPEN "<availability>%s</availability></state>", arg);
        publish(L"state", value, UCCPOT_ADD);
        g_free(value);
    }
    else if ((!strcmp(line, "note") || !strcmp(line, "unnote")) && arg)
    {
        char *escaped = g_markup_escape_text(arg, -1);

        value = g_strdup_printf("<note xmlns=\"http://schemas.microsoft.com/2006/09/sip/note\">"
                                "<body type=\"personal\">%s</body></note>", escaped);
        publish(L"note", value, line[0] == 'u' ? UCCPOT_REMOVE : UCCPOT_ADD);
        g_free(escaped);
        g_free(value);
    }
    else if (!strcmp(line, "watch") && arg)
        watch(arg);
    else if (!strcmp(line, "unwatch"))
        unwatch();
    else if (!strcmp(line, "quit"))
        g_main_loop_quit(loop);
    else
    {
        fprintf(stderr, "ucc_presence_peer: unknown command \"%s\"\n", line);
        result = 1;
    }
}

static gboolean on_stdin(GIOChannel *channel, GIOCondition condition, gpointer data)
{
    char *line = NULL;
    gsize end;
    GIOStatus status = g_io_channel_read_line(channel, &line, NULL, &end, NULL);

    if (status == G_IO_STATUS_NORMAL && line)
    {
        line[end] = 0;
        if (*line)
            command(line);
        g_free(line);
        return TRUE;
    }
    g_free(line);
    if (status == G_IO_STATUS_AGAIN)
        return TRUE;
    g_main_loop_quit(loop);     /* end of input */
    return FALSE;
}

static guint timer;

static gboolean on_timeout(gpointer data)
{
    timer = 0;
    say("timed out");
    result = 1;
    g_main_loop_quit(loop);
    return FALSE;
}

/* Waits (iterating) until the sink logged line, bounded. */
static gboolean wait_for(struct ucc_sink *s, const char *line)
{
    gboolean ok = ucc_sink_wait(s, line, 10000);

    flush_log();
    return ok;
}

static HRESULT create_endpoint(const char *uri_text, const char *listen, const char *server_address)
{
    IUccServerSignalingSettings *settings;
    IUccSignalingServer *server;
    IUccContext *context;
    IUccUri *uri = parse_uri(uri_text);
    VARIANT v;
    BSTR b;
    HRESULT hr;

    if (!uri)
        return UCC_E_INVALID_SIP_URL;
    hr = CoCreateInstance(&CLSID_UccContext, NULL, CLSCTX_INPROC_SERVER, &IID_IUccContext, (void **)&context);
    if (FAILED(hr))
        goto done;
    /* Where the endpoint listens, so that what the server sees is loopback. */
    V_VT(&v) = VT_BSTR;
    V_BSTR(&v) = ucc_sink_bstr(listen);
    hr = IUccContext_AddProperty(context, UCCSEC_LOCAL_NETWORK_ADDRESS, v, NULL);
    VariantClear(&v);
    if (SUCCEEDED(hr))
        hr = IUccPlatform_CreateEndpoint(platform, UCCET_PRINCIPAL_SERVER_BASED, uri, NULL, context, &endpoint);
    IUccContext_Release(context);
    if (FAILED(hr))
        goto done;
    hr = IUccEndpoint_QueryInterface(endpoint, &IID_IUccServerSignalingSettings, (void **)&settings);
    if (FAILED(hr))
        goto done;
    b = ucc_sink_bstr(server_address);
    hr = IUccServerSignalingSettings_CreateSignalingServer(settings, b, UCCTM_UDP, &server);
    SysFreeString(b);
    if (SUCCEEDED(hr))
    {
        hr = IUccServerSignalingSettings_put_Server(settings, server);
        IUccSignalingServer_Release(server);
    }
    IUccServerSignalingSettings_Release(settings);
done:
    IUccUri_Release(uri);
    return hr;
}

int main(int argc, char **argv)
{
    char *uri = NULL, *listen = NULL, *server = NULL;
    int timeout = 60;
    GOptionEntry options[] =
    {
        { "uri", 'u', 0, G_OPTION_ARG_STRING, &uri, "Our URI", "URI" },
        { "listen", 'l', 0, G_OPTION_ARG_STRING, &listen, "Our address, HOST:PORT", "HOST:PORT" },
        { "server", 's', 0, G_OPTION_ARG_STRING, &server, "The SIP server, HOST:PORT (UDP)", "HOST:PORT" },
        { "timeout", 't', 0, G_OPTION_ARG_INT, &timeout, "Give up after SECONDS", "SECONDS" },
        { NULL }
    };
    GOptionContext *parser = g_option_context_new("- a UCC presence peer for the interop tests");
    GError *error = NULL;
    GIOChannel *input;
    guint watch_id;
    BSTR name;
    HRESULT hr;

    g_option_context_add_main_entries(parser, options, NULL);
    if (!g_option_context_parse(parser, &argc, &argv, &error) || !uri || !listen || !server)
    {
        fprintf(stderr, "ucc_presence_peer: %s\n", error ? error->message : "--uri, --listen and --server are needed");
        g_clear_error(&error);
        g_option_context_free(parser);
        return 2;
    }
    g_option_context_free(parser);

    CoInitializeEx(NULL, COINIT_APARTMENTTHREADED);
    ucc_sink_init(&sink);
    sink.hook = hook;
    ucc_sink_init(&platform_sink);
    name = SysAllocString(L"ucc_presence_peer");
    hr = CoCreateInstance(&CLSID_UccPlatform, NULL, CLSCTX_INPROC_SERVER, &IID_IUccPlatform, (void **)&platform);
    if (SUCCEEDED(hr))
        hr = IUccPlatform_Initialize(platform, name, NULL);
    SysFreeString(name);
    if (SUCCEEDED(hr))
        hr = ucc_sink_advise(&platform_sink, (IUnknown *)platform, &DIID__IUccPlatformEvents, "platform");
    if (SUCCEEDED(hr))
        hr = create_endpoint(uri, listen, server);
    if (SUCCEEDED(hr))
        hr = ucc_sink_advise(&sink, (IUnknown *)endpoint, &DIID__IUccEndpointEvents, "ep");
    if (SUCCEEDED(hr))
        hr = IUccEndpoint_Enable(endpoint, NULL);
    if (FAILED(hr) || !wait_for(&sink, "ep OnEnable 0"))
    {
        say("could not sign in: 0x%08x", (unsigned int)hr);
        result = 1;
        goto shutdown;
    }
    say("ready");

    loop = g_main_loop_new(NULL, FALSE);
    input = g_io_channel_unix_new(STDIN_FILENO);
    watch_id = g_io_add_watch(input, G_IO_IN | G_IO_HUP | G_IO_ERR, on_stdin, NULL);
    timer = g_timeout_add_seconds(test_seconds(timeout), on_timeout, NULL);
    g_main_loop_run(loop);
    g_source_remove(watch_id);
    if (timer)
        g_source_remove(timer);
    g_io_channel_unref(input);
    g_main_loop_unref(loop);
    if (subscription)
    {
        IUccSubscription_Release(subscription);
        subscription = NULL;
    }
    if (FAILED(IUccEndpoint_Disable(endpoint, NULL)) || !wait_for(&sink, "ep OnDisable 0"))
        result = 1;

shutdown:
    if (platform && SUCCEEDED(IUccPlatform_Shutdown(platform, NULL))
        && !ucc_sink_wait(&platform_sink, "platform OnShutdown 0", 10000))
        result = 1;
    ucc_sink_cleanup(&sink);
    ucc_sink_cleanup(&platform_sink);
    if (endpoint)
        IUccEndpoint_Release(endpoint);
    if (platform)
        IUccPlatform_Release(platform);
    CoUninitialize();
    say("bye");
    g_free(uri);
    g_free(listen);
    g_free(server);
    return result;
}
