/*
 * The RTCClient object: IRTCClient2 (and IRTCClient), IRTCClientProvisioning2
 * (and IRTCClientProvisioning), IRTCClientPortManagement and
 * IConnectionPointContainer with the IRTCEventNotification and
 * IRTCDispatchEventNotification points.
 *
 * Methods that later work builds return E_NOTIMPL; docs/status.md lists them.
 */
#include "rtccore_private.h"

struct client
{
    IRTCClient2 IRTCClient2_iface;
    IRTCClientProvisioning2 IRTCClientProvisioning2_iface;
    IRTCClientPortManagement IRTCClientPortManagement_iface;
    IConnectionPointContainer IConnectionPointContainer_iface;
    LONG refcount;

    struct connection_point event_point;           /* IRTCEventNotification */
    struct connection_point dispatch_event_point;  /* IRTCDispatchEventNotification */

    enum { CLIENT_CREATED, CLIENT_INITIALIZED, CLIENT_SHUT_DOWN } state;
    GThread *owner;             /* the thread that initialised the client: its apartment */
    GMainContext *context;      /* where every source and event of this client runs */
    LONG event_filter;          /* RTCEF_* mask; 0 until the application sets one (D.1) */
    BSTR local_user_uri;
    BSTR local_user_name;
    BSTR client_name;
    BSTR client_version;
};

static struct client *impl_from_IRTCClient2(IRTCClient2 *iface)
{
    return CONTAINING_RECORD(iface, struct client, IRTCClient2_iface);
}

static struct client *impl_from_IRTCClientProvisioning2(IRTCClientProvisioning2 *iface)
{
    return CONTAINING_RECORD(iface, struct client, IRTCClientProvisioning2_iface);
}

static struct client *impl_from_IRTCClientPortManagement(IRTCClientPortManagement *iface)
{
    return CONTAINING_RECORD(iface, struct client, IRTCClientPortManagement_iface);
}

static struct client *impl_from_IConnectionPointContainer(IConnectionPointContainer *iface)
{
    return CONTAINING_RECORD(iface, struct client, IConnectionPointContainer_iface);
}

static HRESULT client_not_built(const char *method)
{
    g_debug("%s: not built yet (docs/status.md)", method);
    return E_NOTIMPL;
}

/* Every method but the IUnknown ones runs on the client's own thread only (STA). */
static HRESULT client_check_thread(const struct client *client)
{
    if (client->owner && client->owner != g_thread_self())
        return RPC_E_WRONG_THREAD;
    return S_OK;
}

/* ---- IUnknown (one identity for all interfaces) ---------------------------------- */

static HRESULT WINAPI client_QueryInterface(IRTCClient2 *iface, REFIID riid, void **ppv)
{
    struct client *client = impl_from_IRTCClient2(iface);

    if (!ppv)
        return E_POINTER;
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IRTCClient)
        || IsEqualIID(riid, &IID_IRTCClient2))
        *ppv = &client->IRTCClient2_iface;
    else if (IsEqualIID(riid, &IID_IRTCClientProvisioning) || IsEqualIID(riid, &IID_IRTCClientProvisioning2))
        *ppv = &client->IRTCClientProvisioning2_iface;
    else if (IsEqualIID(riid, &IID_IRTCClientPortManagement))
        *ppv = &client->IRTCClientPortManagement_iface;
    else if (IsEqualIID(riid, &IID_IConnectionPointContainer))
        *ppv = &client->IConnectionPointContainer_iface;
    else
    {
        *ppv = NULL;
        return E_NOINTERFACE;
    }
    IUnknown_AddRef((IUnknown *)*ppv);
    return S_OK;
}

static ULONG WINAPI client_AddRef(IRTCClient2 *iface)
{
    return InterlockedIncrement(&impl_from_IRTCClient2(iface)->refcount);
}

static void client_destroy(struct client *client)
{
    connection_point_destroy(&client->event_point);
    connection_point_destroy(&client->dispatch_event_point);
    SysFreeString(client->local_user_uri);
    SysFreeString(client->local_user_name);
    SysFreeString(client->client_name);
    SysFreeString(client->client_version);
    if (client->context)
        g_main_context_unref(client->context);
    free(client);
}

static ULONG WINAPI client_Release(IRTCClient2 *iface)
{
    struct client *client = impl_from_IRTCClient2(iface);
    ULONG ref = InterlockedDecrement(&client->refcount);

    if (!ref)
        client_destroy(client);
    return ref;
}

/* ---- IRTCClient: life cycle ------------------------------------------------------- */

static HRESULT client_initialize(struct client *client)
{
    if (client->state == CLIENT_INITIALIZED)
        return RTC_E_CLIENT_ALREADY_INITIALIZED;
    if (client->state == CLIENT_SHUT_DOWN)
        return RTC_E_CLIENT_ALREADY_SHUT_DOWN;
    /* The apartment's context if the thread has one, else its thread-default context. */
    if (!(client->context = com_apartment_context()))
        client->context = g_main_context_ref_thread_default();
    client->owner = g_thread_self();
    client->state = CLIENT_INITIALIZED;
    return S_OK;
}

static HRESULT WINAPI client_Initialize(IRTCClient2 *iface)
{
    return client_initialize(impl_from_IRTCClient2(iface));
}

static HRESULT WINAPI client_InitializeEx(IRTCClient2 *iface, LONG flags)
{
    /* The RTCIF_DISABLE_* flags turn off media, UPnP and the firewall service; none of
     * them exists here, so every flag value is accepted and has nothing to disable. */
    return client_initialize(impl_from_IRTCClient2(iface));
}

static HRESULT WINAPI client_Shutdown(IRTCClient2 *iface)
{
    struct client *client = impl_from_IRTCClient2(iface);
    HRESULT hr;

    if (FAILED(hr = client_check_thread(client)))
        return hr;
    if (client->state == CLIENT_CREATED)
        return RTC_E_CLIENT_NOT_INITIALIZED;
    if (client->state == CLIENT_SHUT_DOWN)
        return RTC_E_CLIENT_ALREADY_SHUT_DOWN;
    client->state = CLIENT_SHUT_DOWN;
    return S_OK;
}

static HRESULT WINAPI client_put_EventFilter(IRTCClient2 *iface, LONG filter)
{
    struct client *client = impl_from_IRTCClient2(iface);
    HRESULT hr;

    if (FAILED(hr = client_check_thread(client)))
        return hr;
    client->event_filter = filter;
    return S_OK;
}

static HRESULT WINAPI client_get_EventFilter(IRTCClient2 *iface, LONG *filter)
{
    struct client *client = impl_from_IRTCClient2(iface);
    HRESULT hr;

    if (!filter)
        return E_POINTER;
    if (FAILED(hr = client_check_thread(client)))
        return hr;
    *filter = client->event_filter;
    return S_OK;
}

/* ---- IRTCClient: identity ---------------------------------------------------------- */

static HRESULT get_string(const struct client *client, BSTR value, BSTR *out)
{
    HRESULT hr;

    if (!out)
        return E_POINTER;
    if (FAILED(hr = client_check_thread(client)))
        return hr;
    if (!(*out = SysAllocString(value ? value : L"")))
        return E_OUTOFMEMORY;
    return S_OK;
}

static HRESULT put_string(const struct client *client, BSTR *field, BSTR value)
{
    BSTR copy = NULL;
    HRESULT hr;

    if (FAILED(hr = client_check_thread(client)))
        return hr;
    if (value && !(copy = SysAllocString(value)))
        return E_OUTOFMEMORY;
    SysFreeString(*field);
    *field = copy;
    return S_OK;
}

static HRESULT WINAPI client_get_LocalUserURI(IRTCClient2 *iface, BSTR *uri)
{
    struct client *client = impl_from_IRTCClient2(iface);
    return get_string(client, client->local_user_uri, uri);
}

static HRESULT WINAPI client_put_LocalUserURI(IRTCClient2 *iface, BSTR uri)
{
    struct client *client = impl_from_IRTCClient2(iface);
    return put_string(client, &client->local_user_uri, uri);
}

static HRESULT WINAPI client_get_LocalUserName(IRTCClient2 *iface, BSTR *name)
{
    struct client *client = impl_from_IRTCClient2(iface);
    return get_string(client, client->local_user_name, name);
}

static HRESULT WINAPI client_put_LocalUserName(IRTCClient2 *iface, BSTR name)
{
    struct client *client = impl_from_IRTCClient2(iface);
    return put_string(client, &client->local_user_name, name);
}

static HRESULT WINAPI client_put_ClientName(IRTCClient2 *iface, BSTR name)
{
    struct client *client = impl_from_IRTCClient2(iface);
    return put_string(client, &client->client_name, name);
}

static HRESULT WINAPI client_put_ClientCurVer(IRTCClient2 *iface, BSTR version)
{
    struct client *client = impl_from_IRTCClient2(iface);
    return put_string(client, &client->client_version, version);
}

static HRESULT WINAPI client_get_Version(IRTCClient2 *iface, LONG *version)
{
    if (!version)
        return E_POINTER;
    *version = RTCSHIM_RTC_API_VERSION;
    return S_OK;
}

/* ---- IRTCClient / IRTCClient2: not built yet -------------------------------------- */

static HRESULT WINAPI client_PrepareForShutdown(IRTCClient2 *iface)
{
    return client_not_built(__func__);
}

static HRESULT WINAPI client_SetPreferredMediaTypes(IRTCClient2 *iface, LONG lMediaTypes, VARIANT_BOOL fPersistent)
{
    return client_not_built(__func__);
}

static HRESULT WINAPI client_get_PreferredMediaTypes(IRTCClient2 *iface, LONG *plMediaTypes)
{
    return client_not_built(__func__);
}

static HRESULT WINAPI client_get_MediaCapabilities(IRTCClient2 *iface, LONG *plMediaTypes)
{
    return client_not_built(__func__);
}

static HRESULT WINAPI client_CreateSession(IRTCClient2 *iface, RTC_SESSION_TYPE enType, BSTR bstrLocalPhoneURI, IRTCProfile *pProfile, LONG lFlags, IRTCSession **ppSession)
{
    return client_not_built(__func__);
}

static HRESULT WINAPI client_put_ListenForIncomingSessions(IRTCClient2 *iface, RTC_LISTEN_MODE enListen)
{
    return client_not_built(__func__);
}

static HRESULT WINAPI client_get_ListenForIncomingSessions(IRTCClient2 *iface, RTC_LISTEN_MODE *penListen)
{
    return client_not_built(__func__);
}

static HRESULT WINAPI client_get_NetworkAddresses(IRTCClient2 *iface, VARIANT_BOOL fTCP, VARIANT_BOOL fExternal, VARIANT *pvAddresses)
{
    return client_not_built(__func__);
}

static HRESULT WINAPI client_put_Volume(IRTCClient2 *iface, RTC_AUDIO_DEVICE enDevice, LONG lVolume)
{
    return client_not_built(__func__);
}

static HRESULT WINAPI client_get_Volume(IRTCClient2 *iface, RTC_AUDIO_DEVICE enDevice, LONG *plVolume)
{
    return client_not_built(__func__);
}

static HRESULT WINAPI client_put_AudioMuted(IRTCClient2 *iface, RTC_AUDIO_DEVICE enDevice, VARIANT_BOOL fMuted)
{
    return client_not_built(__func__);
}

static HRESULT WINAPI client_get_AudioMuted(IRTCClient2 *iface, RTC_AUDIO_DEVICE enDevice, VARIANT_BOOL *pfMuted)
{
    return client_not_built(__func__);
}

static HRESULT WINAPI client_get_IVideoWindow(IRTCClient2 *iface, RTC_VIDEO_DEVICE enDevice, IVideoWindow **ppIVideoWindow)
{
    return client_not_built(__func__);
}

static HRESULT WINAPI client_put_PreferredAudioDevice(IRTCClient2 *iface, RTC_AUDIO_DEVICE enDevice, BSTR bstrDeviceName)
{
    return client_not_built(__func__);
}

static HRESULT WINAPI client_get_PreferredAudioDevice(IRTCClient2 *iface, RTC_AUDIO_DEVICE enDevice, BSTR *pbstrDeviceName)
{
    return client_not_built(__func__);
}

static HRESULT WINAPI client_put_PreferredVolume(IRTCClient2 *iface, RTC_AUDIO_DEVICE enDevice, LONG lVolume)
{
    return client_not_built(__func__);
}

static HRESULT WINAPI client_get_PreferredVolume(IRTCClient2 *iface, RTC_AUDIO_DEVICE enDevice, LONG *plVolume)
{
    return client_not_built(__func__);
}

static HRESULT WINAPI client_put_PreferredAEC(IRTCClient2 *iface, VARIANT_BOOL bEnable)
{
    return client_not_built(__func__);
}

static HRESULT WINAPI client_get_PreferredAEC(IRTCClient2 *iface, VARIANT_BOOL *pbEnabled)
{
    return client_not_built(__func__);
}

static HRESULT WINAPI client_put_PreferredVideoDevice(IRTCClient2 *iface, BSTR bstrDeviceName)
{
    return client_not_built(__func__);
}

static HRESULT WINAPI client_get_PreferredVideoDevice(IRTCClient2 *iface, BSTR *pbstrDeviceName)
{
    return client_not_built(__func__);
}

static HRESULT WINAPI client_get_ActiveMedia(IRTCClient2 *iface, LONG *plMediaType)
{
    return client_not_built(__func__);
}

static HRESULT WINAPI client_put_MaxBitrate(IRTCClient2 *iface, LONG lMaxBitrate)
{
    return client_not_built(__func__);
}

static HRESULT WINAPI client_get_MaxBitrate(IRTCClient2 *iface, LONG *plMaxBitrate)
{
    return client_not_built(__func__);
}

static HRESULT WINAPI client_put_TemporalSpatialTradeOff(IRTCClient2 *iface, LONG lValue)
{
    return client_not_built(__func__);
}

static HRESULT WINAPI client_get_TemporalSpatialTradeOff(IRTCClient2 *iface, LONG *plValue)
{
    return client_not_built(__func__);
}

static HRESULT WINAPI client_get_NetworkQuality(IRTCClient2 *iface, LONG *plNetworkQuality)
{
    return client_not_built(__func__);
}

static HRESULT WINAPI client_StartT120Applet(IRTCClient2 *iface, RTC_T120_APPLET enApplet)
{
    return client_not_built(__func__);
}

static HRESULT WINAPI client_StopT120Applets(IRTCClient2 *iface)
{
    return client_not_built(__func__);
}

static HRESULT WINAPI client_get_IsT120AppletRunning(IRTCClient2 *iface, RTC_T120_APPLET enApplet, VARIANT_BOOL *pfRunning)
{
    return client_not_built(__func__);
}

static HRESULT WINAPI client_PlayRing(IRTCClient2 *iface, RTC_RING_TYPE enType, VARIANT_BOOL bPlay)
{
    return client_not_built(__func__);
}

static HRESULT WINAPI client_SendDTMF(IRTCClient2 *iface, RTC_DTMF enDTMF)
{
    return client_not_built(__func__);
}

static HRESULT WINAPI client_InvokeTuningWizard(IRTCClient2 *iface, OAHWND hwndParent)
{
    return client_not_built(__func__);
}

static HRESULT WINAPI client_get_IsTuned(IRTCClient2 *iface, VARIANT_BOOL *pfTuned)
{
    return client_not_built(__func__);
}

static HRESULT WINAPI client_put_AnswerMode(IRTCClient2 *iface, RTC_SESSION_TYPE enType, RTC_ANSWER_MODE enMode)
{
    return client_not_built(__func__);
}

static HRESULT WINAPI client_get_AnswerMode(IRTCClient2 *iface, RTC_SESSION_TYPE enType, RTC_ANSWER_MODE *penMode)
{
    return client_not_built(__func__);
}

static HRESULT WINAPI client_InvokeTuningWizardEx(IRTCClient2 *iface, OAHWND hwndParent, VARIANT_BOOL fAllowAudio, VARIANT_BOOL fAllowVideo)
{
    return client_not_built(__func__);
}

static HRESULT WINAPI client_CreateSessionWithDescription(IRTCClient2 *iface, BSTR bstrContentType, BSTR bstrSessionDescription, IRTCProfile *pProfile, LONG lFlags, IRTCSession2 **ppSession2)
{
    return client_not_built(__func__);
}

static HRESULT WINAPI client_SetSessionDescriptionManager(IRTCClient2 *iface, IRTCSessionDescriptionManager *pSessionDescriptionManager)
{
    return client_not_built(__func__);
}

static HRESULT WINAPI client_put_PreferredSecurityLevel(IRTCClient2 *iface, RTC_SECURITY_TYPE enSecurityType, RTC_SECURITY_LEVEL enSecurityLevel)
{
    return client_not_built(__func__);
}

static HRESULT WINAPI client_get_PreferredSecurityLevel(IRTCClient2 *iface, RTC_SECURITY_TYPE enSecurityType, RTC_SECURITY_LEVEL *penSecurityLevel)
{
    return client_not_built(__func__);
}

static HRESULT WINAPI client_put_AllowedPorts(IRTCClient2 *iface, LONG lTransport, RTC_LISTEN_MODE enListenMode)
{
    return client_not_built(__func__);
}

static HRESULT WINAPI client_get_AllowedPorts(IRTCClient2 *iface, LONG lTransport, RTC_LISTEN_MODE *penListenMode)
{
    return client_not_built(__func__);
}

static const IRTCClient2Vtbl client_vtbl =
{
    client_QueryInterface,
    client_AddRef,
    client_Release,
    client_Initialize,
    client_Shutdown,
    client_PrepareForShutdown,
    client_put_EventFilter,
    client_get_EventFilter,
    client_SetPreferredMediaTypes,
    client_get_PreferredMediaTypes,
    client_get_MediaCapabilities,
    client_CreateSession,
    client_put_ListenForIncomingSessions,
    client_get_ListenForIncomingSessions,
    client_get_NetworkAddresses,
    client_put_Volume,
    client_get_Volume,
    client_put_AudioMuted,
    client_get_AudioMuted,
    client_get_IVideoWindow,
    client_put_PreferredAudioDevice,
    client_get_PreferredAudioDevice,
    client_put_PreferredVolume,
    client_get_PreferredVolume,
    client_put_PreferredAEC,
    client_get_PreferredAEC,
    client_put_PreferredVideoDevice,
    client_get_PreferredVideoDevice,
    client_get_ActiveMedia,
    client_put_MaxBitrate,
    client_get_MaxBitrate,
    client_put_TemporalSpatialTradeOff,
    client_get_TemporalSpatialTradeOff,
    client_get_NetworkQuality,
    client_StartT120Applet,
    client_StopT120Applets,
    client_get_IsT120AppletRunning,
    client_get_LocalUserURI,
    client_put_LocalUserURI,
    client_get_LocalUserName,
    client_put_LocalUserName,
    client_PlayRing,
    client_SendDTMF,
    client_InvokeTuningWizard,
    client_get_IsTuned,
    client_put_AnswerMode,
    client_get_AnswerMode,
    client_InvokeTuningWizardEx,
    client_get_Version,
    client_put_ClientName,
    client_put_ClientCurVer,
    client_InitializeEx,
    client_CreateSessionWithDescription,
    client_SetSessionDescriptionManager,
    client_put_PreferredSecurityLevel,
    client_get_PreferredSecurityLevel,
    client_put_AllowedPorts,
    client_get_AllowedPorts,
};

/* ---- IRTCClientProvisioning2 ----------------------------------------------------------- */

static HRESULT WINAPI provisioning_QueryInterface(IRTCClientProvisioning2 *iface, REFIID riid, void **ppv)
{
    struct client *client = impl_from_IRTCClientProvisioning2(iface);
    return client_QueryInterface(&client->IRTCClient2_iface, riid, ppv);
}

static ULONG WINAPI provisioning_AddRef(IRTCClientProvisioning2 *iface)
{
    return client_AddRef(&impl_from_IRTCClientProvisioning2(iface)->IRTCClient2_iface);
}

static ULONG WINAPI provisioning_Release(IRTCClientProvisioning2 *iface)
{
    return client_Release(&impl_from_IRTCClientProvisioning2(iface)->IRTCClient2_iface);
}

static HRESULT WINAPI provisioning_CreateProfile(IRTCClientProvisioning2 *iface, BSTR bstrProfileXML, IRTCProfile **ppProfile)
{
    return client_not_built(__func__);
}

static HRESULT WINAPI provisioning_EnableProfile(IRTCClientProvisioning2 *iface, IRTCProfile *pProfile, LONG lRegisterFlags)
{
    return client_not_built(__func__);
}

static HRESULT WINAPI provisioning_DisableProfile(IRTCClientProvisioning2 *iface, IRTCProfile *pProfile)
{
    return client_not_built(__func__);
}

static HRESULT WINAPI provisioning_EnumerateProfiles(IRTCClientProvisioning2 *iface, IRTCEnumProfiles **ppEnum)
{
    return client_not_built(__func__);
}

static HRESULT WINAPI provisioning_get_Profiles(IRTCClientProvisioning2 *iface, IRTCCollection **ppCollection)
{
    return client_not_built(__func__);
}

static HRESULT WINAPI provisioning_GetProfile(IRTCClientProvisioning2 *iface, BSTR bstrUserAccount, BSTR bstrUserPassword, BSTR bstrUserURI, BSTR bstrServer, LONG lTransport, LONG_PTR lCookie)
{
    return client_not_built(__func__);
}

static HRESULT WINAPI provisioning_get_SessionCapabilities(IRTCClientProvisioning2 *iface, LONG *plSupportedSessions)
{
    return client_not_built(__func__);
}

static HRESULT WINAPI provisioning_EnableProfileEx(IRTCClientProvisioning2 *iface, IRTCProfile *pProfile, LONG lRegisterFlags, LONG lRoamingFlags)
{
    return client_not_built(__func__);
}

static const IRTCClientProvisioning2Vtbl provisioning_vtbl =
{
    provisioning_QueryInterface,
    provisioning_AddRef,
    provisioning_Release,
    provisioning_CreateProfile,
    provisioning_EnableProfile,
    provisioning_DisableProfile,
    provisioning_EnumerateProfiles,
    provisioning_get_Profiles,
    provisioning_GetProfile,
    provisioning_get_SessionCapabilities,
    provisioning_EnableProfileEx,
};

/* ---- IRTCClientPortManagement ------------------------------------------------------------ */

static HRESULT WINAPI ports_QueryInterface(IRTCClientPortManagement *iface, REFIID riid, void **ppv)
{
    struct client *client = impl_from_IRTCClientPortManagement(iface);
    return client_QueryInterface(&client->IRTCClient2_iface, riid, ppv);
}

static ULONG WINAPI ports_AddRef(IRTCClientPortManagement *iface)
{
    return client_AddRef(&impl_from_IRTCClientPortManagement(iface)->IRTCClient2_iface);
}

static ULONG WINAPI ports_Release(IRTCClientPortManagement *iface)
{
    return client_Release(&impl_from_IRTCClientPortManagement(iface)->IRTCClient2_iface);
}

static HRESULT WINAPI ports_StartListenAddressAndPort(IRTCClientPortManagement *iface, BSTR bstrInternalLocalAddress, LONG lInternalLocalPort)
{
    return client_not_built(__func__);
}

static HRESULT WINAPI ports_StopListenAddressAndPort(IRTCClientPortManagement *iface, BSTR bstrInternalLocalAddress, LONG lInternalLocalPort)
{
    return client_not_built(__func__);
}

static HRESULT WINAPI ports_GetPortRange(IRTCClientPortManagement *iface, RTC_PORT_TYPE enPortType, LONG *plMinValue, LONG *plMaxValue)
{
    return client_not_built(__func__);
}

static const IRTCClientPortManagementVtbl ports_vtbl =
{
    ports_QueryInterface,
    ports_AddRef,
    ports_Release,
    ports_StartListenAddressAndPort,
    ports_StopListenAddressAndPort,
    ports_GetPortRange,
};

/* ---- IConnectionPointContainer -------------------------------------------------------------- */

static HRESULT WINAPI container_QueryInterface(IConnectionPointContainer *iface, REFIID riid, void **ppv)
{
    struct client *client = impl_from_IConnectionPointContainer(iface);
    return client_QueryInterface(&client->IRTCClient2_iface, riid, ppv);
}

static ULONG WINAPI container_AddRef(IConnectionPointContainer *iface)
{
    return client_AddRef(&impl_from_IConnectionPointContainer(iface)->IRTCClient2_iface);
}

static ULONG WINAPI container_Release(IConnectionPointContainer *iface)
{
    return client_Release(&impl_from_IConnectionPointContainer(iface)->IRTCClient2_iface);
}

static HRESULT WINAPI container_EnumConnectionPoints(IConnectionPointContainer *iface, IEnumConnectionPoints **out)
{
    struct client *client = impl_from_IConnectionPointContainer(iface);
    struct connection_point *points[] = { &client->event_point, &client->dispatch_event_point };

    return connection_points_enum(points, ARRAY_SIZE(points), out);
}

static HRESULT WINAPI container_FindConnectionPoint(IConnectionPointContainer *iface, REFIID riid, IConnectionPoint **out)
{
    struct client *client = impl_from_IConnectionPointContainer(iface);
    struct connection_point *points[] = { &client->event_point, &client->dispatch_event_point };

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

/* ---- class object ------------------------------------------------------------------------------ */

static HRESULT client_create(REFIID riid, void **ppv)
{
    struct client *client;
    HRESULT hr;

    if (!(client = calloc(1, sizeof(*client))))
        return E_OUTOFMEMORY;
    client->IRTCClient2_iface.lpVtbl = &client_vtbl;
    client->IRTCClientProvisioning2_iface.lpVtbl = &provisioning_vtbl;
    client->IRTCClientPortManagement_iface.lpVtbl = &ports_vtbl;
    client->IConnectionPointContainer_iface.lpVtbl = &container_vtbl;
    client->refcount = 1;
    client->state = CLIENT_CREATED;
    connection_point_init(&client->event_point, &client->IConnectionPointContainer_iface,
                          &IID_IRTCEventNotification);
    connection_point_init(&client->dispatch_event_point, &client->IConnectionPointContainer_iface,
                          &DIID_IRTCDispatchEventNotification);

    hr = client_QueryInterface(&client->IRTCClient2_iface, riid, ppv);
    client_Release(&client->IRTCClient2_iface);
    return hr;
}

static void __attribute__((constructor)) client_register_class(void)
{
    com_register_class(&CLSID_RTCClient, "RTCClient", client_create);
}
