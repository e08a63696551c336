/*
 * lossy_relay: a UDP relay that loses packets, for loss tests (this kernel
 * has no tc netem).
 *
 *   lossy_relay --listen 12900 --forward 127.0.0.1:12901 --loss 20 --seed 1
 *
 * Datagrams arriving on the listening port (from the client side) go to
 * the forward address from a second socket; datagrams coming back to that
 * socket go to the last client address from the listening socket. Each
 * datagram is dropped with probability loss/100, the same sequence for the
 * same seed. Runs until SIGTERM/SIGINT or --duration seconds; prints what it
 * forwarded and dropped.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gio/gio.h>
#include <glib-unix.h>

static struct
{
    int listen_port;
    char *forward;
    int loss;
    int seed;
    int duration;
} options = { .loss = 20, .seed = 1, .duration = 120 };

struct relay
{
    GSocket *client_side;       /* bound to --listen */
    GSocket *server_side;       /* ephemeral, talks to --forward */
    GSocketAddress *server;
    GSocketAddress *client;     /* last address seen on client_side */
    GRand *rand;
    guint forwarded, dropped;
};

static gboolean lose(struct relay *relay)
{
    if ((int)g_rand_int_range(relay->rand, 0, 100) < options.loss)
    {
        relay->dropped++;
        return TRUE;
    }
    relay->forwarded++;
    return FALSE;
}

static gboolean from_client(GSocket *socket, GIOCondition condition, gpointer data)
{
    struct relay *relay = data;
    GSocketAddress *from = NULL;
    char buffer[65536];
    gssize got;

    (void)condition;
    while ((got = g_socket_receive_from(socket, &from, buffer, sizeof(buffer), NULL, NULL)) >= 0)
    {
        g_clear_object(&relay->client);
        relay->client = from;
        if (!lose(relay))
            g_socket_send_to(relay->server_side, relay->server, buffer, got, NULL, NULL);
    }
    return G_SOURCE_CONTINUE;
}

static gboolean from_server(GSocket *socket, GIOCondition condition, gpointer data)
{
    struct relay *relay = data;
    char buffer[65536];
    gssize got;

    (void)condition;
    while ((got = g_socket_receive_from(socket, NULL, buffer, sizeof(buffer), NULL, NULL)) >= 0)
        if (relay->client && !lose(relay))
            g_socket_send_to(relay->client_side, relay->client, buffer, got, NULL, NULL);
    return G_SOURCE_CONTINUE;
}

static gboolean quit(gpointer data)
{
    g_main_loop_quit(data);
    return G_SOURCE_CONTINUE;   /* a second SIGTERM (timeout(1) signals the group too) must not kill us */
}

static GSocket *udp_socket(const char *address, int port, GError **error)
{
    GSocketAddress *local = g_inet_socket_address_new_from_string(address, port);
    GSocket *socket = g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, error);

    if (socket && !g_socket_bind(socket, local, FALSE, error))
        g_clear_object(&socket);
    if (socket)
        g_socket_set_blocking(socket, FALSE);
    g_object_unref(local);
    return socket;
}

int main(int argc, char **argv)
{
    static const GOptionEntry entries[] =
    {
        { "listen", 0, 0, G_OPTION_ARG_INT, &options.listen_port, "port the client side sends to", "PORT" },
        { "forward", 0, 0, G_OPTION_ARG_STRING, &options.forward, "where to relay to", "IP:PORT" },
        { "loss", 0, 0, G_OPTION_ARG_INT, &options.loss, "percentage of datagrams dropped", "PERCENT" },
        { "seed", 0, 0, G_OPTION_ARG_INT, &options.seed, "random seed", "N" },
        { "duration", 0, 0, G_OPTION_ARG_INT, &options.duration, "stop after S seconds", "S" },
        { NULL }
    };
    GOptionContext *context = g_option_context_new("- a lossy UDP relay");
    struct relay relay = { 0 };
    GError *error = NULL;
    GSource *client_source, *server_source;
    GMainLoop *loop;
    char *colon;

    g_option_context_add_main_entries(context, entries, NULL);
    if (!g_option_context_parse(context, &argc, &argv, &error) || !options.listen_port || !options.forward
        || !(colon = strrchr(options.forward, ':')))
    {
        fprintf(stderr, "lossy_relay: %s\n", error ? error->message : "need --listen and --forward IP:PORT");
        return 2;
    }
    g_option_context_free(context);
    *colon = 0;
    relay.server = g_inet_socket_address_new_from_string(options.forward, atoi(colon + 1));
    relay.rand = g_rand_new_with_seed(options.seed);
    if (!relay.server || !(relay.client_side = udp_socket("127.0.0.1", options.listen_port, &error))
        || !(relay.server_side = udp_socket("127.0.0.1", 0, &error)))
    {
        fprintf(stderr, "lossy_relay: %s\n", error ? error->message : "bad --forward address");
        return 2;
    }

    loop = g_main_loop_new(NULL, FALSE);
    client_source = g_socket_create_source(relay.client_side, G_IO_IN, NULL);
    g_source_set_callback(client_source, G_SOURCE_FUNC(from_client), &relay, NULL);
    g_source_attach(client_source, NULL);
    server_source = g_socket_create_source(relay.server_side, G_IO_IN, NULL);
    g_source_set_callback(server_source, G_SOURCE_FUNC(from_server), &relay, NULL);
    g_source_attach(server_source, NULL);
    g_unix_signal_add(SIGTERM, quit, loop);
    g_unix_signal_add(SIGINT, quit, loop);
    g_timeout_add_seconds(options.duration, quit, loop);
    g_main_loop_run(loop);

    printf("lossy_relay: forwarded %u, dropped %u (%.1f %%)\n", relay.forwarded, relay.dropped,
           relay.forwarded + relay.dropped ? 100.0 * relay.dropped / (relay.forwarded + relay.dropped) : 0.0);
    g_source_destroy(client_source);
    g_source_unref(client_source);
    g_source_destroy(server_source);
    g_source_unref(server_source);
    g_clear_object(&relay.client);
    g_object_unref(relay.server);
    g_object_unref(relay.client_side);
    g_object_unref(relay.server_side);
    g_rand_free(relay.rand);
    g_main_loop_unref(loop);
    return 0;
}
