/*
 * UDP and TCP on one port (sip_engine_listen_udp_and_tcp): RFC 3261 §18.2.1
 * asks a server for TCP on every port it has UDP on, and a peer told
 * ";transport=tcp" connects to the port it was given. With port 0 the
 * kernel's pick for UDP may be held for TCP (an outgoing connection's local
 * port, for one): the engine must pick again rather than put TCP elsewhere.
 */
#ifdef __linux__
#define _GNU_SOURCE     /* unshare() */
#endif
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <gio/gio.h>
#include "sip/sip_engine.h"

#ifdef __linux__
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#endif

/* A TCP listener on 127.0.0.1:port (0: any), held until unref'd; *bound gets its port. */
static GSocket *hold_tcp(guint16 port, guint16 *bound)
{
    GInetAddress *loopback = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
    GSocketAddress *address = g_inet_socket_address_new(loopback, port), *local;
    GSocket *socket = g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);

    g_object_unref(loopback);
    if (!socket || !g_socket_bind(socket, address, FALSE, NULL) || !g_socket_listen(socket, NULL))
    {
        g_clear_object(&socket);
        g_object_unref(address);
        return NULL;
    }
    g_object_unref(address);
    local = g_socket_get_local_address(socket, NULL);
    *bound = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(local));
    g_object_unref(local);
    return socket;
}

/* A UDP socket on 127.0.0.1, any port; *bound gets it. */
static GSocket *hold_udp(guint16 *bound)
{
    GInetAddress *loopback = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
    GSocketAddress *address = g_inet_socket_address_new(loopback, 0), *local;
    GSocket *socket = g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, NULL);

    g_object_unref(loopback);
    assert_non_null(socket);
    assert_true(g_socket_bind(socket, address, FALSE, NULL));
    g_object_unref(address);
    local = g_socket_get_local_address(socket, NULL);
    *bound = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(local));
    g_object_unref(local);
    return socket;
}

/* Other tests run beside this one: a port found free for UDP may be taken
 * before the engine binds it. Then another try, with another port. */
#define GIVEN_PORT_ATTEMPTS 20

/* A given port: TCP there, or none (never somewhere else). */
static void test_given_port(void **state)
{
    struct sip_engine *engine = NULL;
    guint16 port, udp = 0, tcp = 0;
    GSocket *udp_probe, *held = NULL;
    int attempt;

    (void)state;
    /* Held for TCP by someone else: UDP there, TCP none. */
    for (attempt = 0; attempt < GIVEN_PORT_ATTEMPTS; attempt++)
    {
        udp_probe = hold_udp(&port);
        held = hold_tcp(port, &port);
        g_object_unref(udp_probe);
        engine = sip_engine_new(NULL, NULL, NULL, NULL);
        if (held && sip_engine_listen_udp_and_tcp(engine, "127.0.0.1", port, &udp, &tcp, NULL))
            break;
        sip_engine_free(engine);
        engine = NULL;
        g_clear_object(&held);
    }
    assert_non_null(engine);
    assert_int_equal(udp, port);
    assert_int_equal(tcp, 0);
    sip_engine_free(engine);
    g_object_unref(held);

    /* A port free for both gets both. */
    for (attempt = 0, engine = NULL; attempt < GIVEN_PORT_ATTEMPTS; attempt++)
    {
        udp_probe = hold_udp(&port);
        held = hold_tcp(port, &port);
        g_object_unref(udp_probe);
        g_clear_object(&held);
        engine = sip_engine_new(NULL, NULL, NULL, NULL);
        if (sip_engine_listen_udp_and_tcp(engine, "127.0.0.1", port, &udp, &tcp, NULL) && tcp)
            break;
        sip_engine_free(engine);
        engine = NULL;
    }
    assert_non_null(engine);
    assert_int_equal(udp, port);
    assert_int_equal(tcp, port);
    sip_engine_free(engine);
}

#ifdef __linux__
#define RANGE_LOW 40000

/* In a forked child with a network namespace of its own (loopback up) whose
 * ephemeral range is two ports: exit 0 when the engine behaves, 77 when the
 * namespace cannot be had (not root), 1 with a message otherwise. */
static int run_in_two_port_namespace(void)
{
    struct ifreq request;
    struct sip_engine *first, *second;
    guint16 held_port, udp, tcp;
    GSocket *held;
    int fd, range;

    if (unshare(CLONE_NEWNET))
        return 77;
    memset(&request, 0, sizeof(request));
    g_strlcpy(request.ifr_name, "lo", sizeof(request.ifr_name));
    fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0 || ioctl(fd, SIOCGIFFLAGS, &request))
        return 77;
    request.ifr_flags |= IFF_UP;
    if (ioctl(fd, SIOCSIFFLAGS, &request))
        return 77;
    close(fd);
    /* This namespace's own range (the sysctl is per namespace). */
    range = open("/proc/sys/net/ipv4/ip_local_port_range", O_WRONLY);
    if (range < 0 || dprintf(range, "%d %d\n", RANGE_LOW, RANGE_LOW + 1) < 0)
        return 77;
    close(range);

    /* The lower one held for TCP: UDP may be given it, but must let it go. */
    if (!(held = hold_tcp(RANGE_LOW, &held_port)))
    {
        fprintf(stderr, "cannot hold TCP %d\n", RANGE_LOW);
        return 1;
    }
    first = sip_engine_new(NULL, NULL, NULL, NULL);
    if (!sip_engine_listen_udp_and_tcp(first, "127.0.0.1", 0, &udp, &tcp, NULL)
        || udp != RANGE_LOW + 1 || tcp != RANGE_LOW + 1)
    {
        fprintf(stderr, "first engine: UDP %u, TCP %u, expected %d for both\n", udp, tcp, RANGE_LOW + 1);
        return 1;
    }
    /* Now no port has both: UDP gets what is left, and TCP nothing. */
    second = sip_engine_new(NULL, NULL, NULL, NULL);
    if (!sip_engine_listen_udp_and_tcp(second, "127.0.0.1", 0, &udp, &tcp, NULL) || udp != RANGE_LOW || tcp != 0)
    {
        fprintf(stderr, "second engine: UDP %u, TCP %u, expected %d and none\n", udp, tcp, RANGE_LOW);
        return 1;
    }
    sip_engine_free(second);
    sip_engine_free(first);
    g_object_unref(held);
    return 0;
}
#endif

/* Port 0: whatever the kernel picks first, UDP and TCP end on one port. */
static void test_ephemeral_port_held_for_tcp(void **state)
{
#ifdef __linux__
    int status = 0;
    pid_t child;

    (void)state;
    fflush(NULL);
    child = fork();
    assert_true(child >= 0);
    if (!child)
        _exit(run_in_two_port_namespace());
    assert_int_equal(waitpid(child, &status, 0), child);
    assert_true(WIFEXITED(status));
    if (WEXITSTATUS(status) == 77)
        skip();     /* no namespace of our own: not root */
    assert_int_equal(WEXITSTATUS(status), 0);
#else
    (void)state;
    skip();         /* the ephemeral range is set per network namespace, a Linux thing */
#endif
}

int main(void)
{
    const struct CMUnitTest tests[] =
    {
        /* First: it forks, best before any engine has started threads. */
        cmocka_unit_test(test_ephemeral_port_held_for_tcp),
        cmocka_unit_test(test_given_port),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
