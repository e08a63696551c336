/*
 * The transports' raw UDP calls on Windows (Winsock).
 *
 * GLib's Windows socket source remembers readiness (FD_READ) until one of GSocket's
 * own receive calls sees WSAEWOULDBLOCK; a recvfrom() behind its back would leave the
 * socket "readable" for ever and the main loop spinning. So datagrams are read with
 * g_socket_receive_message(), which also caches the sender's address object. Windows
 * has no MSG_TRUNC: a datagram longer than the buffer fails with WSAEMSGSIZE, which
 * GIO reports as G_IO_ERROR_MESSAGE_TOO_LARGE.
 */
#include <string.h>
#include "platform.h"

gssize sip_socket_receive_datagram(GSocket *socket, char *buffer, gsize size,
                                   struct sockaddr_storage *from, gboolean *oversize, gint64 *waited_us)
{
    GInputVector vector = { buffer, size };
    GSocketAddress *address = NULL;
    GError *error = NULL;
    gssize got;

    *oversize = FALSE;
    *waited_us = -1;        /* Winsock stamps no arrival times */
    got = g_socket_receive_message(socket, &address, &vector, 1, NULL, NULL, NULL, NULL, &error);
    if (got < 0)
    {
        if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE))
        {
            *oversize = TRUE;
            got = (gssize)size;
        }
        g_error_free(error);
        if (!*oversize)
            return -1;
    }
    memset(from, 0, sizeof(*from));
    if (address)
    {
        g_socket_address_to_native(address, from, sizeof(*from), NULL);
        g_object_unref(address);
    }
    return got;
}

void sip_socket_enable_receive_times(GSocket *socket)
{
    (void)socket;
}

gboolean sip_socket_send_datagram(GSocket *socket, const char *data, gsize length,
                                  const struct sockaddr_storage *to, socklen_t to_length, char **reason)
{
    SOCKET fd = (SOCKET)g_socket_get_fd(socket);

    if (sendto(fd, data, (int)length, 0, (const struct sockaddr *)to, to_length) == (int)length)
        return TRUE;
    *reason = g_win32_error_message(WSAGetLastError());
    return FALSE;
}

/* Winsock reports an ICMP port unreachable as WSAECONNRESET on the next receive (unless
 * SIO_UDP_CONNRESET turns it off), not with the destination that refused: there is
 * nothing to turn on, and a refusal is left to the transaction timers (32 s). */
void sip_socket_enable_refusal_reports(GSocket *socket, GSocketFamily family)
{
    (void)socket;
    (void)family;
}

gboolean sip_socket_read_refusal(GSocket *socket, struct sockaddr_storage *destination)
{
    (void)socket;
    (void)destination;
    return FALSE;
}

gboolean sip_socket_route_source(const struct sockaddr_storage *destination, socklen_t length,
                                 struct sockaddr_storage *source)
{
    SOCKET fd = socket(destination->ss_family, SOCK_DGRAM, 0);
    int source_length = sizeof(*source);
    gboolean found;

    if (fd == INVALID_SOCKET)
        return FALSE;
    found = !connect(fd, (const struct sockaddr *)destination, length)
            && !getsockname(fd, (struct sockaddr *)source, &source_length);
    closesocket(fd);
    return found;
}
