/* The machine's own addresses and port range. */
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include "sip/netif.h"

char **sip_local_interface_addresses(gboolean ipv6)
{
    GPtrArray *out = g_ptr_array_new();
    struct ifaddrs *list, *ifa;
    char host[INET6_ADDRSTRLEN];
    int family = ipv6 ? AF_INET6 : AF_INET;

    if (!getifaddrs(&list))
    {
        for (ifa = list; ifa; ifa = ifa->ifa_next)
        {
            const void *addr;
            if (!ifa->ifa_addr || ifa->ifa_addr->sa_family != family || !(ifa->ifa_flags & IFF_UP))
                continue;
            addr = ipv6 ? (const void *)&((struct sockaddr_in6 *)ifa->ifa_addr)->sin6_addr
                        : (const void *)&((struct sockaddr_in *)ifa->ifa_addr)->sin_addr;
            if (inet_ntop(family, addr, host, sizeof(host)))
                g_ptr_array_add(out, g_strdup(host));
        }
        freeifaddrs(list);
    }
    g_ptr_array_add(out, NULL);
    return (char **)g_ptr_array_free(out, FALSE);
}

void sip_local_port_range(int *low, int *high)
{
    FILE *f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "r");

    *low = 32768;
    *high = 60999;
    if (f)
    {
        if (fscanf(f, "%d %d", low, high) != 2)
        {
            *low = 32768;
            *high = 60999;
        }
        fclose(f);
    }
}
