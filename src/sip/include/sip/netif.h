/* The machine's own addresses, for the API layers (no socket headers above the engine). */
#ifndef RTCSHIM_SIP_NETIF_H
#define RTCSHIM_SIP_NETIF_H

#include <glib.h>

G_BEGIN_DECLS

/* Addresses of the interfaces that are up, as strings ("127.0.0.1", "::1"),
 * IPv4 or IPv6; NULL-terminated, g_strfreev() it. */
char **sip_local_interface_addresses(gboolean ipv6);

/* The kernel's range for ephemeral ports, where "any free port" comes from. */
void sip_local_port_range(int *low, int *high);

G_END_DECLS

#endif
