/*
 * rtc_presence: a buddy list on the terminal, through IRTCClientPresence2.
 * It enables presence (peer to peer, or through a presence server given as
 * a profile's proxy), keeps a list of buddies and shows their status as it
 * changes, answers the watchers who want to see ours, and sets our own
 * status. The MSDN presence samples ("Add a Buddy", "Set Local Presence",
 * "Receive Watcher Events") on a GLib main loop, with commands read from
 * standard input.
 *
 *   rtc_presence --listen ADDR:PORT [--uri URI] [--server HOST:PORT [--protocol UDP|TCP]]
 *                [--store FILE] [--auto-allow] [--allow-list-only] [--buddy URI]... [--timeout SECONDS]
 *
 * Commands (one a line):
 *   add URI [NAME]            watch URI (a persistent buddy when there is a --store)
 *   remove URI                stop watching URI
 *   status STATUS [NOTES]     online, away, idle, busy, brb, phone, lunch or offline
 *   allow|block|deny URI      decide what the watcher URI sees (block: offline; deny: nothing)
 *   refresh URI               ask the buddy's status again
 *   list                      the buddy list;  watchers: who watches us
 *   quit                      end (also at the end of the input)
 *
 * Every event is printed as a line: "[NAME] buddy STATE_CHANGE sip:bob@... BUSY \"notes\"",
 * "[NAME] watcher OFFERING sip:carol@... OFFERING", "[NAME] my status BUSY: 0" ...
 * Exit status: 0 after quit, 1 on a failure or --timeout, 2 for bad arguments.
 */
#include <stdio.h>
#include <string.h>
#include "rtc_sample.h"

static GMainLoop *loop;
static IRTCClient *client;
static IRTCClientPresence2 *presence;
static char who[32] = "presence";
static gboolean quitting, failed;

static const char *const status_names[] = { "OFFLINE", "ONLINE", "AWAY", "IDLE", "BUSY", "BE_RIGHT_BACK",
                                            "ON_THE_PHONE", "OUT_TO_LUNCH" };
static const char *const status_words[] = { "offline", "online", "away", "idle", "busy", "brb", "phone", "lunch" };
static const char *const watcher_states[] = { "UNKNOWN", "OFFERING", "ALLOWED", "BLOCKED", "DENIED", "PROMPT" };
static const char *const buddy_events[] = { "ADD", "REMOVE", "UPDATE", "STATE_CHANGE", "ROAMED", "SUBSCRIBED" };
static const char *const watcher_events[] = { "ADD", "REMOVE", "UPDATE", "OFFERING", "ROAMED" };

#define NAME_OF(table, value) ((unsigned int)(value) < G_N_ELEMENTS(table) ? table[value] : "?")

static void say(const char *format, ...) G_GNUC_PRINTF(1, 2);
static void say(const char *format, ...)
{
    va_list args;

    printf("[%s] ", who);
    va_start(args, format);
    vprintf(format, args);
    va_end(args);
    printf("\n");
    fflush(stdout);
}

/* ' "notes"' when there are notes. */
static char *quoted_notes(BSTR notes)
{
    char *text = sample_utf8(notes), *quoted = *text ? g_strdup_printf(" \"%s\"", text) : g_strdup("");

    g_free(text);
    return quoted;
}

static char *contact_uri(IUnknown *contact)
{
    IRTCPresenceContact *presence_contact;
    BSTR uri = NULL;
    char *text;

    if (FAILED(IUnknown_QueryInterface(contact, &IID_IRTCPresenceContact, (void **)&presence_contact)))
        return g_strdup("?");
    IRTCPresenceContact_get_PresentityURI(presence_contact, &uri);
    text = sample_utf8(uri);
    SysFreeString(uri);
    IRTCPresenceContact_Release(presence_contact);
    return text;
}

/* ---- events ---------------------------------------------------------------------------- */

static void on_buddy(IDispatch *event)
{
    IRTCBuddyEvent2 *buddy_event;
    RTC_BUDDY_EVENT_TYPE type;
    RTC_PRESENCE_STATUS status = RTCXS_PRESENCE_OFFLINE;
    IRTCBuddy *buddy;
    BSTR notes = NULL;
    LONG code = 0;
    char *uri, *text, *quoted;

    if (FAILED(IDispatch_QueryInterface(event, &IID_IRTCBuddyEvent2, (void **)&buddy_event)))
        return;
    IRTCBuddyEvent2_get_EventType(buddy_event, &type);
    IRTCBuddyEvent2_get_StatusCode(buddy_event, &code);
    IRTCBuddyEvent2_get_Buddy(buddy_event, &buddy);
    uri = contact_uri((IUnknown *)buddy);
    if (type == RTCBET_BUDDY_SUBSCRIBED)
    {
        text = sample_status_text(code);
        say("buddy SUBSCRIBED %s: %s", uri, text);
        g_free(text);
    }
    else
    {
        IRTCBuddy_get_Status(buddy, &status);
        IRTCBuddy_get_Notes(buddy, &notes);
        quoted = quoted_notes(notes);
        say("buddy %s %s %s%s", NAME_OF(buddy_events, type), uri, NAME_OF(status_names, status), quoted);
        g_free(quoted);
        SysFreeString(notes);
    }
    g_free(uri);
    IRTCBuddy_Release(buddy);
    IRTCBuddyEvent2_Release(buddy_event);
}

static void on_watcher(IDispatch *event)
{
    IRTCWatcherEvent2 *watcher_event;
    RTC_WATCHER_EVENT_TYPE type;
    RTC_WATCHER_STATE state = RTCWS_UNKNOWN;
    IRTCWatcher *watcher;
    char *uri;

    if (FAILED(IDispatch_QueryInterface(event, &IID_IRTCWatcherEvent2, (void **)&watcher_event)))
        return;
    IRTCWatcherEvent2_get_EventType(watcher_event, &type);
    IRTCWatcherEvent2_get_Watcher(watcher_event, &watcher);
    IRTCWatcher_get_State(watcher, &state);
    uri = contact_uri((IUnknown *)watcher);
    say("watcher %s %s %s", NAME_OF(watcher_events, type), uri, NAME_OF(watcher_states, state));
    if (type == RTCWET_WATCHER_OFFERING)
        say("  (\"allow %s\" or \"block %s\" to decide)", uri, uri);
    g_free(uri);
    IRTCWatcher_Release(watcher);
    IRTCWatcherEvent2_Release(watcher_event);
}

static void on_my_status(IDispatch *event)
{
    IRTCPresenceStatusEvent *status_event;
    RTC_PRESENCE_STATUS status;
    BSTR notes = NULL;
    LONG code = 0;
    char *text, *quoted;

    if (FAILED(IDispatch_QueryInterface(event, &IID_IRTCPresenceStatusEvent, (void **)&status_event)))
        return;
    IRTCPresenceStatusEvent_get_StatusCode(status_event, &code);
    IRTCPresenceStatusEvent_GetLocalPresenceInfo(status_event, &status, &notes);
    text = sample_status_text(code);
    quoted = quoted_notes(notes);
    say("my status %s%s: %s", NAME_OF(status_names, status), quoted, text);
    g_free(text);
    g_free(quoted);
    SysFreeString(notes);
    IRTCPresenceStatusEvent_Release(status_event);
}

static void on_client(IDispatch *event)
{
    IRTCClientEvent *client_event;
    RTC_CLIENT_EVENT_TYPE type;

    if (FAILED(IDispatch_QueryInterface(event, &IID_IRTCClientEvent, (void **)&client_event)))
        return;
    IRTCClientEvent_get_EventType(client_event, &type);
    IRTCClientEvent_Release(client_event);
    if (type == RTCCET_ASYNC_CLEANUP_DONE && quitting)
    {
        say("bye");
        g_main_loop_quit(loop);
    }
}

static HRESULT STDMETHODCALLTYPE Sink_QueryInterface(IRTCEventNotification *This, REFIID riid, void **ppv)
{
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IRTCEventNotification))
    {
        *ppv = This;
        return S_OK;
    }
    *ppv = NULL;
    return E_NOINTERFACE;
}

static ULONG STDMETHODCALLTYPE Sink_AddRef(IRTCEventNotification *This) { return 2; }
static ULONG STDMETHODCALLTYPE Sink_Release(IRTCEventNotification *This) { return 1; }

static HRESULT STDMETHODCALLTYPE Sink_Event(IRTCEventNotification *This, RTC_EVENT type, IDispatch *event)
{
    switch (type)
    {
    case RTCE_BUDDY: on_buddy(event); break;
    case RTCE_WATCHER: on_watcher(event); break;
    case RTCE_PRESENCE_STATUS: on_my_status(event); break;
    case RTCE_CLIENT: on_client(event); break;
    default: break;
    }
    return S_OK;
}

static const IRTCEventNotificationVtbl SinkVtbl = { Sink_QueryInterface, Sink_AddRef, Sink_Release, Sink_Event };
static IRTCEventNotification Sink = { &SinkVtbl };

/* ---- commands ----------------------------------------------------------------------------- */

static void check(const char *what, HRESULT hr)
{
    char *text;

    if (SUCCEEDED(hr))
        return;
    text = sample_status_text(hr);
    say("%s failed: %s", what, text);
    g_free(text);
}

static void add_buddy(const char *uri, const char *name, BOOL persistent)
{
    BSTR buri = sample_bstr(uri), bname = sample_bstr(name);

    check("add", IRTCClientPresence2_AddBuddy(presence, buri, bname, NULL, persistent ? VARIANT_TRUE : VARIANT_FALSE,
                                              NULL, 0, NULL));
    SysFreeString(buri);
    SysFreeString(bname);
}

static IRTCBuddy *find_buddy(const char *uri)
{
    IRTCBuddy *buddy = NULL;
    BSTR buri = sample_bstr(uri);

    check("find the buddy", IRTCClientPresence2_get_Buddy(presence, buri, &buddy));
    SysFreeString(buri);
    return buddy;
}

static void decide(const char *uri, RTC_WATCHER_STATE state, BOOL persistent)
{
    IRTCWatcher *watcher = NULL;
    BSTR buri = sample_bstr(uri);

    /* The watcher we were offered (or already decided), else a new entry in the list. */
    if (SUCCEEDED(IRTCClientPresence2_get_Watcher(presence, buri, &watcher)))
    {
        check("decide", IRTCWatcher_put_State(watcher, state));
        IRTCWatcher_Release(watcher);
    }
    else
        check("add the watcher", IRTCClientPresence2_AddWatcherEx(presence, buri, NULL, NULL, state,
                                                                  persistent ? VARIANT_TRUE : VARIANT_FALSE,
                                                                  RTCAS_SCOPE_USER, NULL, 0, NULL));
    SysFreeString(buri);
}

static void list_buddies(void)
{
    IRTCEnumBuddies *buddies;
    IRTCBuddy *buddy;
    ULONG fetched;
    int count = 0;

    if (FAILED(IRTCClientPresence2_EnumerateBuddies(presence, &buddies)))
        return;
    say("buddies:");
    while (IRTCEnumBuddies_Next(buddies, 1, &buddy, &fetched) == S_OK)
    {
        RTC_PRESENCE_STATUS status = RTCXS_PRESENCE_OFFLINE;
        BSTR name = NULL, notes = NULL;
        char *uri = contact_uri((IUnknown *)buddy), *text = NULL, *quoted;

        IRTCBuddy_get_Name(buddy, &name);
        IRTCBuddy_get_Status(buddy, &status);
        IRTCBuddy_get_Notes(buddy, &notes);
        text = sample_utf8(name);
        quoted = quoted_notes(notes);
        say("  %-14s %-40s %s%s", *text ? text : "-", uri, NAME_OF(status_names, status), quoted);
        g_free(uri);
        g_free(text);
        g_free(quoted);
        SysFreeString(name);
        SysFreeString(notes);
        IRTCBuddy_Release(buddy);
        count++;
    }
    IRTCEnumBuddies_Release(buddies);
    say("  (%d)", count);
}

static void list_watchers(void)
{
    IRTCEnumWatchers *watchers;
    IRTCWatcher *watcher;
    ULONG fetched;
    int count = 0;

    if (FAILED(IRTCClientPresence2_EnumerateWatchers(presence, &watchers)))
        return;
    say("watchers:");
    while (IRTCEnumWatchers_Next(watchers, 1, &watcher, &fetched) == S_OK)
    {
        RTC_WATCHER_STATE state = RTCWS_UNKNOWN;
        char *uri = contact_uri((IUnknown *)watcher);

        IRTCWatcher_get_State(watcher, &state);
        say("  %-40s %s", uri, NAME_OF(watcher_states, state));
        g_free(uri);
        IRTCWatcher_Release(watcher);
        count++;
    }
    IRTCEnumWatchers_Release(watchers);
    say("  (%d)", count);
}

static void quit(void)
{
    if (quitting)
        return;
    quitting = TRUE;
    /* Watchers are told we go, buddies unsubscribed, the published state removed. */
    if (FAILED(IRTCClient_PrepareForShutdown(client)))
        g_main_loop_quit(loop);
}

static void run_command(char *line, BOOL persistent)
{
    char **words = g_strsplit(g_strstrip(line), " ", 3);
    const char *command = words[0] ? words[0] : "", *arg = words[0] ? words[1] : NULL;
    unsigned int i;

    if (!*command)
        ;
    else if (!strcmp(command, "add") && arg)
        add_buddy(arg, words[2], persistent);
    else if (!strcmp(command, "remove") && arg)
    {
        IRTCBuddy *buddy = find_buddy(arg);

        if (buddy)
        {
            check("remove", IRTCClientPresence2_RemoveBuddy(presence, buddy));
            IRTCBuddy_Release(buddy);
        }
    }
    else if (!strcmp(command, "refresh") && arg)
    {
        IRTCBuddy *buddy = find_buddy(arg);
        IRTCBuddy2 *buddy2;

        if (buddy && SUCCEEDED(IRTCBuddy_QueryInterface(buddy, &IID_IRTCBuddy2, (void **)&buddy2)))
        {
            check("refresh", IRTCBuddy2_Refresh(buddy2));
            IRTCBuddy2_Release(buddy2);
        }
        if (buddy)
            IRTCBuddy_Release(buddy);
    }
    else if (!strcmp(command, "status") && arg)
    {
        for (i = 0; i < G_N_ELEMENTS(status_words) && g_ascii_strcasecmp(arg, status_words[i]); i++)
            ;
        if (i == G_N_ELEMENTS(status_words))
            say("status: one of online, away, idle, busy, brb, phone, lunch, offline");
        else
        {
            BSTR notes = sample_bstr(words[2]);

            check("status", IRTCClientPresence2_SetLocalPresenceInfo(presence, (RTC_PRESENCE_STATUS)i, notes));
            SysFreeString(notes);
        }
    }
    else if (!strcmp(command, "allow") && arg)
        decide(arg, RTCWS_ALLOWED, persistent);
    else if (!strcmp(command, "block") && arg)
        decide(arg, RTCWS_BLOCKED, persistent);
    else if (!strcmp(command, "deny") && arg)
        decide(arg, RTCWS_DENIED, persistent);
    else if (!strcmp(command, "list"))
        list_buddies();
    else if (!strcmp(command, "watchers"))
        list_watchers();
    else if (!strcmp(command, "quit"))
        quit();
    else
        say("commands: add URI [NAME], remove URI, status STATUS [NOTES], allow|block|deny URI, refresh URI, "
            "list, watchers, quit");
    g_strfreev(words);
}

static gboolean persistent_buddies;

static gboolean on_stdin(GIOChannel *channel, GIOCondition condition, gpointer data)
{
    char *line = NULL;
    GIOStatus status = g_io_channel_read_line(channel, &line, NULL, NULL, NULL);

    if (status == G_IO_STATUS_NORMAL)
    {
        run_command(line, persistent_buddies);
        g_free(line);
        return G_SOURCE_CONTINUE;
    }
    g_free(line);
    if (status == G_IO_STATUS_AGAIN)
        return G_SOURCE_CONTINUE;
    quit();     /* the end of the input */
    return G_SOURCE_REMOVE;
}

static gboolean timed_out(gpointer data)
{
    say("timed out");
    failed = TRUE;
    g_main_loop_quit(loop);
    return G_SOURCE_REMOVE;
}

/* XML attribute value: escape what GMarkup would otherwise read as markup. */
static void append_attribute(GString *xml, const char *name, const char *value)
{
    char *escaped = g_markup_escape_text(value, -1);

    g_string_append_printf(xml, " %s=\"%s\"", name, escaped);
    g_free(escaped);
}

/* A profile whose proxy is the presence server. */
static HRESULT create_profile(const char *uri, const char *server, const char *protocol, IRTCProfile **profile)
{
    IRTCClientProvisioning *provisioning;
    GString *xml = g_string_new("<provision key=\"{6f1c2b7e-3d4a-4e8b-9c51-2a7d0e9f4b13}\" name=\"rtc_presence\">");
    BSTR bxml;
    HRESULT hr;

    g_string_append(xml, "<user");
    append_attribute(xml, "uri", uri);
    g_string_append(xml, "/><sipsrv");
    append_attribute(xml, "addr", server);
    append_attribute(xml, "protocol", protocol);
    g_string_append(xml, " role=\"proxy\"/></provision>");
    bxml = sample_bstr(xml->str);
    g_string_free(xml, TRUE);
    hr = IRTCClient_QueryInterface(client, &IID_IRTCClientProvisioning, (void **)&provisioning);
    if (SUCCEEDED(hr))
    {
        hr = IRTCClientProvisioning_CreateProfile(provisioning, bxml, profile);
        IRTCClientProvisioning_Release(provisioning);
    }
    SysFreeString(bxml);
    return hr;
}

int main(int argc, char **argv)
{
    char *listen = NULL, *uri = NULL, *server = NULL, *protocol = NULL, *store = NULL, **buddies = NULL;
    gboolean auto_allow = FALSE, allow_list_only = FALSE;
    int timeout = 0;
    GOptionEntry options[] =
    {
        { "listen", 'l', 0, G_OPTION_ARG_STRING, &listen, "Listen on ADDR:PORT", "ADDR:PORT" },
        { "uri", 'u', 0, G_OPTION_ARG_STRING, &uri, "Our URI (default sip:presence@ADDR:PORT)", "URI" },
        { "server", 's', 0, G_OPTION_ARG_STRING, &server, "A presence server, HOST:PORT", "HOST:PORT" },
        { "protocol", 'p', 0, G_OPTION_ARG_STRING, &protocol, "UDP (default) or TCP to the server", "PROTOCOL" },
        { "store", 'f', 0, G_OPTION_ARG_FILENAME, &store, "Keep buddies and watchers in FILE", "FILE" },
        { "auto-allow", 'a', 0, G_OPTION_ARG_NONE, &auto_allow, "Allow every new watcher", NULL },
        { "allow-list-only", 'o', 0, G_OPTION_ARG_NONE, &allow_list_only,
          "Undecided watchers see nothing until allowed", NULL },
        { "buddy", 'b', 0, G_OPTION_ARG_STRING_ARRAY, &buddies, "Watch URI (repeatable)", "URI" },
        { "timeout", 't', 0, G_OPTION_ARG_INT, &timeout, "Give up after this long (default: never)", "SECONDS" },
        { NULL }
    };
    GOptionContext *context = g_option_context_new("- a buddy list on the terminal");
    GError *error = NULL;
    IRTCProfile *profile = NULL;
    IConnectionPoint *cp;
    GIOChannel *input;
    VARIANT storage;
    char *at, *own_uri;
    DWORD cookie;
    HRESULT hr;

    g_option_context_add_main_entries(context, options, NULL);
    if (!g_option_context_parse(context, &argc, &argv, &error) || !listen || timeout < 0
        || (protocol && g_ascii_strcasecmp(protocol, "UDP") && g_ascii_strcasecmp(protocol, "TCP")))
    {
        fprintf(stderr, "rtc_presence: %s\nusage: rtc_presence --listen ADDR:PORT [--uri URI] [--server HOST:PORT "
                "[--protocol UDP|TCP]] [--store FILE] [--auto-allow] [--allow-list-only] [--buddy URI]... "
                "[--timeout SECONDS]\n", error ? error->message : "bad arguments");
        g_clear_error(&error);
        g_option_context_free(context);
        return 2;
    }
    g_option_context_free(context);
    own_uri = uri ? g_strdup(uri) : g_strdup_printf("sip:presence@%s", listen);
    if ((at = strchr(own_uri, '@')))
        g_strlcpy(who, own_uri + 4, MIN(sizeof(who), (gsize)(at - own_uri - 4 + 1)));

    CoInitializeEx(NULL, COINIT_APARTMENTTHREADED);
    if (FAILED(hr = CoCreateInstance(&CLSID_RTCClient, NULL, CLSCTX_INPROC_SERVER, &IID_IRTCClient, (void **)&client))
        || FAILED(hr = IRTCClient_Initialize(client)))
    {
        fprintf(stderr, "rtc_presence: cannot start the RTC client: 0x%08x\n", (unsigned int)hr);
        return 1;
    }
    IRTCClient_put_EventFilter(client, RTCEF_ALL);
    sample_advise(client, (IUnknown *)&Sink, &cp, &cookie);
    if (FAILED(hr = sample_listen(client, listen)))
    {
        fprintf(stderr, "rtc_presence: cannot listen on %s: 0x%08x\n", listen, (unsigned int)hr);
        return 1;
    }
    {
        BSTR local = sample_bstr(own_uri);

        IRTCClient_put_LocalUserURI(client, local);
        SysFreeString(local);
    }
    IRTCClient_QueryInterface(client, &IID_IRTCClientPresence2, (void **)&presence);
    IRTCClientPresence2_put_OfferWatcherMode(presence, auto_allow ? RTCOWM_AUTOMATICALLY_ADD_WATCHER
                                                                  : RTCOWM_OFFER_WATCHER_EVENT);
    IRTCClientPresence2_put_PrivacyMode(presence, allow_list_only ? RTCPM_ALLOW_LIST_ONLY : RTCPM_BLOCK_LIST_EXCLUDED);
    if (server && FAILED(hr = create_profile(own_uri, server, protocol ? protocol : "UDP", &profile)))
    {
        fprintf(stderr, "rtc_presence: the server %s is not usable: 0x%08x\n", server, (unsigned int)hr);
        return 1;
    }
    VariantInit(&storage);
    if (store)
    {
        V_VT(&storage) = VT_BSTR;
        V_BSTR(&storage) = sample_bstr(store);
    }
    hr = IRTCClientPresence2_EnablePresenceEx(presence, profile, storage, 0);
    VariantClear(&storage);
    if (FAILED(hr))
    {
        fprintf(stderr, "rtc_presence: EnablePresenceEx failed: 0x%08x\n", (unsigned int)hr);
        return 1;
    }
    if (hr == S_FALSE)
        say("the store %s could not be read: starting with empty lists", store);
    say("presence enabled as %s, %s%s", own_uri, server ? "through the server " : "peer to peer",
        server ? server : "");
    persistent_buddies = store != NULL;
    for (char **buddy = buddies; buddy && *buddy; buddy++)
        add_buddy(*buddy, NULL, persistent_buddies);
    say("ready");

    loop = g_main_loop_new(NULL, FALSE);
    input = g_io_channel_unix_new(0);
    g_io_add_watch(input, G_IO_IN | G_IO_HUP, on_stdin, NULL);
    if (timeout)
        g_timeout_add_seconds(timeout, timed_out, NULL);
    g_main_loop_run(loop);

    g_io_channel_unref(input);
    IRTCClientPresence2_Release(presence);
    if (profile)
        IRTCProfile_Release(profile);
    IConnectionPoint_Unadvise(cp, cookie);
    IConnectionPoint_Release(cp);
    IRTCClient_Shutdown(client);
    IRTCClient_Release(client);
    g_main_loop_unref(loop);
    CoUninitialize();
    g_free(own_uri);
    g_strfreev(buddies);
    g_free(listen);
    g_free(uri);
    g_free(server);
    g_free(protocol);
    g_free(store);
    return failed ? 1 : 0;
}
