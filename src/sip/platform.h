/*
 * What the engine does differently on Linux and on Windows (rtcshim.dll), behind one
 * small interface: platform_posix.c for Linux, the files of win32/ for Windows. Everything else
 * in src/sip is the same code on both.
 */
#ifndef RTCSHIM_SIP_PLATFORM_H
#define RTCSHIM_SIP_PLATFORM_H

#include <glib.h>
#include <gio/gio.h>
#ifdef G_OS_WIN32
#include <winsock2.h>
#include <ws2tcpip.h>
#else
#include <sys/socket.h>
#include <sys/time.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#endif

G_BEGIN_DECLS

/* Once per process before the first transport: on Windows, registers the TLS backend
 * linked into the DLL. */
void sip_platform_init(void);

/* size bytes from the system's random generator; FALSE if it failed. */
gboolean sip_random_bytes(void *buffer, gsize size);

/* A time libosip2 stored (osip_gettimeofday(), plus an interval) on the engine's
 * clock, g_get_monotonic_time(). */
gint64 sip_osip_time_to_monotonic(const struct timeval *osip_time);

/* How far a converted time may be from the instant libosip2 meant, in microseconds.
 * Linux: none beyond the microsecond (libosip2 reads CLOCK_MONOTONIC, GLib's clock).
 * Windows: libosip2 reads the wall clock with _ftime(), cut to whole milliseconds, and
 * the system's wall clock itself moves only at each clock interrupt (15.625 ms at the
 * default 64 Hz; Wine reads the coarse realtime clock, 1 ms or less); the stored time
 * and the "now" of the conversion are each late by up to that much. */
#ifdef G_OS_WIN32
#define SIP_OSIP_CLOCK_ERROR_US (1000 + 15625)
#else
#define SIP_OSIP_CLOCK_ERROR_US 1
#endif

/* Receives one datagram from a non-blocking UDP socket. Returns its length, or -1 when
 * nothing is waiting (or an error such as an ICMP report ended the read). A datagram
 * longer than size is consumed and reported as *oversize (its length is then > size-1
 * and its content must not be used). *waited_us: how long it waited in the socket's
 * buffer, or -1 where the system cannot tell (see sip_socket_enable_receive_times). */
gssize sip_socket_receive_datagram(GSocket *socket, char *buffer, gsize size,
                                   struct sockaddr_storage *from, gboolean *oversize, gint64 *waited_us);

/* UDP: asks the system to note when each datagram arrives (Linux: SO_TIMESTAMPNS), so a
 * read can tell how long it waited; does nothing where it cannot. */
void sip_socket_enable_receive_times(GSocket *socket);

/* Sends one datagram; on failure FALSE with the system's reason in *reason
 * (g_free() it). */
gboolean sip_socket_send_datagram(GSocket *socket, const char *data, gsize length,
                                  const struct sockaddr_storage *to, socklen_t to_length, char **reason);

/* UDP: asks the system to keep the ICMP errors our datagrams draw, with the destination
 * that refused them (Linux: IP_RECVERR); does nothing where it cannot. */
void sip_socket_enable_refusal_reports(GSocket *socket, GSocketFamily family);

/* The destination of the next such ICMP error waiting on the socket (the readiness source
 * says G_IO_ERR); FALSE when none is. */
gboolean sip_socket_read_refusal(GSocket *socket, struct sockaddr_storage *destination);

/* The local address the machine would send from to reach destination (connecting a
 * UDP socket sends nothing). FALSE when there is no route. */
gboolean sip_socket_route_source(const struct sockaddr_storage *destination, socklen_t length,
                                 struct sockaddr_storage *source);

G_END_DECLS

#endif /* RTCSHIM_SIP_PLATFORM_H */
