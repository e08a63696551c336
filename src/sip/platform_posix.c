/*
 * The engine's platform seams on Linux (platform.h); rtcshim.dll has src/sip/win32/.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#ifdef __linux__
#include <linux/errqueue.h>
#endif
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

/* How long ago the kernel stamped a datagram's arrival (SO_TIMESTAMPNS, on the
 * wall clock: the only one it offers), -1 without a stamp or when the clock was
 * set back or far forward meanwhile. */
static gint64 waited_since_stamp(struct msghdr *message)
{
#ifdef SCM_TIMESTAMPNS
    struct cmsghdr *control;

    for (control = CMSG_FIRSTHDR(message); control; control = CMSG_NXTHDR(message, control))
        if (control->cmsg_level == SOL_SOCKET && control->cmsg_type == SCM_TIMESTAMPNS)
        {
            struct timespec stamp;
            gint64 waited;

            memcpy(&stamp, CMSG_DATA(control), sizeof(stamp));
            waited = g_get_real_time() - ((gint64)stamp.tv_sec * G_USEC_PER_SEC + stamp.tv_nsec / 1000);
            return waited >= 0 && waited < 600 * G_USEC_PER_SEC ? waited : -1;
        }
#else
    (void)message;
#endif
    return -1;
}

gssize sip_socket_receive_datagram(GSocket *socket, char *buffer, gsize size,
                                   struct sockaddr_storage *from, gboolean *oversize, gint64 *waited_us)
{
    union
    {
        char buffer[CMSG_SPACE(sizeof(struct timespec))];
        struct cmsghdr align;
    } control;
    struct iovec vector = { buffer, size };
    struct msghdr message;
    gssize got;

    /* MSG_TRUNC makes recvmsg() return the real size of a datagram that did not fit,
     * so an oversize one is recognised rather than cut. */
    do
    {
        memset(&message, 0, sizeof(message));
        message.msg_name = from;
        message.msg_namelen = sizeof(*from);
        message.msg_iov = &vector;
        message.msg_iovlen = 1;
        message.msg_control = control.buffer;
        message.msg_controllen = sizeof(control.buffer);
        got = recvmsg(g_socket_get_fd(socket), &message, MSG_TRUNC);
    }
    while (got < 0 && errno == EINTR);
    *oversize = got > (gssize)size;
    *waited_us = got >= 0 ? waited_since_stamp(&message) : -1;
    return got;     /* < 0: EAGAIN, or an ICMP error on the socket: nothing more now */
}

void sip_socket_enable_receive_times(GSocket *socket)
{
#ifdef SO_TIMESTAMPNS
    g_socket_set_option(socket, SOL_SOCKET, SO_TIMESTAMPNS, 1, NULL);
#else
    (void)socket;
#endif
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

void sip_socket_enable_refusal_reports(GSocket *socket, GSocketFamily family)
{
#ifdef __linux__
    if (family == G_SOCKET_FAMILY_IPV6)
        g_socket_set_option(socket, SOL_IPV6, IPV6_RECVERR, 1, NULL);
    else
        g_socket_set_option(socket, SOL_IP, IP_RECVERR, 1, NULL);
#else
    (void)socket;
    (void)family;
#endif
}

gboolean sip_socket_read_refusal(GSocket *socket, struct sockaddr_storage *destination)
{
#ifdef __linux__
    char control[512], byte;
    struct iovec iov = { &byte, 1 };
    struct msghdr message;
    struct cmsghdr *cmsg;

    /* Errors that are not ICMP (a local one) are read and passed over. */
    for (;;)
    {
        memset(&message, 0, sizeof(message));
        message.msg_name = destination;
        message.msg_namelen = sizeof(*destination);
        message.msg_iov = &iov;
        message.msg_iovlen = 1;
        message.msg_control = control;
        message.msg_controllen = sizeof(control);
        if (recvmsg(g_socket_get_fd(socket), &message, MSG_ERRQUEUE | MSG_DONTWAIT) < 0)
            return FALSE;
        if (message.msg_namelen < sizeof(sa_family_t))
            continue;
        for (cmsg = CMSG_FIRSTHDR(&message); cmsg; cmsg = CMSG_NXTHDR(&message, cmsg))
        {
            const struct sock_extended_err *extended = (const struct sock_extended_err *)CMSG_DATA(cmsg);

            if (((cmsg->cmsg_level == SOL_IP && cmsg->cmsg_type == IP_RECVERR)
                 || (cmsg->cmsg_level == SOL_IPV6 && cmsg->cmsg_type == IPV6_RECVERR))
                && (extended->ee_origin == SO_EE_ORIGIN_ICMP || extended->ee_origin == SO_EE_ORIGIN_ICMP6))
                return TRUE;
        }
    }
#else
    (void)socket;
    (void)destination;
    return FALSE;
#endif
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
