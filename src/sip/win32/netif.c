/* The machine's own addresses and port range, on Windows (GetAdaptersAddresses). */
#include <winsock2.h>
#include <ws2tcpip.h>
#include <iphlpapi.h>
#include "sip/netif.h"

char **sip_local_interface_addresses(gboolean ipv6)
{
    GPtrArray *out = g_ptr_array_new();
    ULONG family = ipv6 ? AF_INET6 : AF_INET, size = 16 * 1024, result;
    IP_ADAPTER_ADDRESSES *adapters = NULL, *adapter;
    int tries;

    /* The list can grow between the sizing call and the real one: retry a few times. */
    for (tries = 0; tries < 3; tries++)
    {
        adapters = g_realloc(adapters, size);
        result = GetAdaptersAddresses(family, GAA_FLAG_SKIP_ANYCAST | GAA_FLAG_SKIP_MULTICAST
                                              | GAA_FLAG_SKIP_DNS_SERVER, NULL, adapters, &size);
        if (result != ERROR_BUFFER_OVERFLOW)
            break;
    }
    if (result == NO_ERROR)
    {
        for (adapter = adapters; adapter; adapter = adapter->Next)
        {
            IP_ADAPTER_UNICAST_ADDRESS *unicast;

            if (adapter->OperStatus != IfOperStatusUp)
                continue;
            for (unicast = adapter->FirstUnicastAddress; unicast; unicast = unicast->Next)
            {
                char host[INET6_ADDRSTRLEN];
                const struct sockaddr *addr = unicast->Address.lpSockaddr;
                const void *bytes;

                if (!addr || addr->sa_family != family)
                    continue;
                bytes = ipv6 ? (const void *)&((const struct sockaddr_in6 *)addr)->sin6_addr
                             : (const void *)&((const struct sockaddr_in *)addr)->sin_addr;
                if (inet_ntop(family, bytes, host, sizeof(host)))
                    g_ptr_array_add(out, g_strdup(host));
            }
        }
    }
    g_free(adapters);
    g_ptr_array_add(out, NULL);
    return (char **)g_ptr_array_free(out, FALSE);
}

void sip_local_port_range(int *low, int *high)
{
    /* Windows' dynamic port range since Vista (IANA's 49152-65535). */
    *low = 49152;
    *high = 65535;
}
