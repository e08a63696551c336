/*
 * The engine's platform seams on Linux (platform.h); rtcshim.dll has src/sip/win32/.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/random.h>
#include "platform.h"

void sip_platform_init(void)
{
    /* GIO finds glib-networking's TLS module on disk by itself. */
}

gboolean sip_random_bytes(void *buffer, gsize size)
{
    return getrandom(buffer, size, 0) == (ssize_t)size;
}

gint64 sip_osip_time_to_monotonic(const struct timeval *osip_time)
{
    /* On Linux libosip2's clock is CLOCK_MONOTONIC, which is GLib's monotonic clock. */
    return (gint64)osip_time->tv_sec * G_USEC_PER_SEC + osip_time->tv_usec;
}

gssize sip_socket_receive_datagram(GSocket *socket, char *buffer, gsize size,
                                   struct sockaddr_storage *from, gboolean *oversize)
{
    socklen_t from_length = sizeof(*from);
    gssize got;

    /* MSG_TRUNC makes recvfrom() return the real size of a datagram that did not fit,
     * so an oversize one is recognised rather than cut. */
    do
        got = recvfrom(g_socket_get_fd(socket), buffer, size, MSG_TRUNC, (struct sockaddr *)from, &from_length);
    while (got < 0 && errno == EINTR);
    *oversize = got > (gssize)size;
    return got;     /* < 0: EAGAIN, or an ICMP error on the socket: nothing more now */
}

gboolean sip_socket_send_datagram(GSocket *socket, const char *data, gsize length,
                                  const struct sockaddr_storage *to, socklen_t to_length, char **reason)
{
    gssize sent;

    do
        sent = sendto(g_socket_get_fd(socket), data, length, 0, (const struct sockaddr *)to, to_length);
    while (sent < 0 && errno == EINTR);
    if (sent >= 0)
        return TRUE;
    *reason = g_strdup(g_strerror(errno));
    return FALSE;
}

gboolean sip_socket_route_source(const struct sockaddr_storage *destination, socklen_t length,
                                 struct sockaddr_storage *source)
{
    int fd = socket(destination->ss_family, SOCK_DGRAM, 0);
    socklen_t source_length = sizeof(*source);
    gboolean found;

    if (fd < 0)
        return FALSE;
    found = !connect(fd, (const struct sockaddr *)destination, length)
            && !getsockname(fd, (struct sockaddr *)source, &source_length);
    close(fd);
    return found;
}
