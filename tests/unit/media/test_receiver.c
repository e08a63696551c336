/*
 * The RTP receiver (src/media/receiver.c) on its own, without a pipeline:
 * loopback UDP sockets, each read into a bare source pad linked to a bare
 * sink pad that records what it is given. Datagrams arrive whole, in order
 * and stamped, from the receiver's one thread; a timeout repeats during
 * silence; once a socket is removed nothing more comes from it, even with
 * traffic going on; a socket with an ICMP error waiting goes on reading.
 *
 * Nothing here measures time: the waits are bounds (test_ms()) for a busy
 * machine, and "nothing more after removal" is checked after a pause that
 * could only hide a failure, never make one.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <poll.h>
#include <netinet/in.h>
#include <cmocka.h>

#include "media_private.h"
#include "common/test_time.h"

#define WAIT_MS test_ms(10000)      /* a bound for a busy machine, not a measurement */
#define COUNT 32                    /* datagrams per socket: well within a socket's receive buffer */

struct record
{
    GBytes *bytes;
    GstClockTime dts, pts;
    GThread *thread;
};

/* A source pad for the receiver and the sink pad that records what comes out of it. */
struct sink
{
    GstPad *src, *sink;
    GMutex lock;
    GCond cond;
    GArray *records;        /* struct record */
    gulong delay_us;        /* a slow pipeline: each push takes that long */
};

static GstFlowReturn sink_chain(GstPad *pad, GstObject *parent, GstBuffer *buffer)
{
    struct sink *sink = gst_pad_get_element_private(pad);
    struct record record;
    gpointer data;
    gsize size;

    /* No cmocka assertion here: this is the receiver's thread. */
    gst_buffer_extract_dup(buffer, 0, gst_buffer_get_size(buffer), &data, &size);
    record.bytes = g_bytes_new_take(data, size);
    record.dts = GST_BUFFER_DTS(buffer);
    record.pts = GST_BUFFER_PTS(buffer);
    record.thread = g_thread_self();
    gst_buffer_unref(buffer);
    if (sink->delay_us) g_usleep(sink->delay_us);

    g_mutex_lock(&sink->lock);
    g_array_append_val(sink->records, record);
    g_cond_broadcast(&sink->cond);
    g_mutex_unlock(&sink->lock);
    return GST_FLOW_OK;
}

static gboolean sink_event(GstPad *pad, GstObject *parent, GstEvent *event)
{
    gst_event_unref(event);
    return TRUE;
}

/* What a stream does for the receiver: an active, linked source pad with its sticky events. */
static void sink_init(struct sink *sink)
{
    GstSegment segment;
    GstCaps *caps;

    memset(sink, 0, sizeof(*sink));
    g_mutex_init(&sink->lock);
    g_cond_init(&sink->cond);
    sink->records = g_array_new(FALSE, FALSE, sizeof(struct record));
    sink->src = gst_object_ref_sink(gst_pad_new("src", GST_PAD_SRC));
    sink->sink = gst_object_ref_sink(gst_pad_new("sink", GST_PAD_SINK));
    gst_pad_set_element_private(sink->sink, sink);
    gst_pad_set_chain_function(sink->sink, sink_chain);
    gst_pad_set_event_function(sink->sink, sink_event);
    assert_true(gst_pad_set_active(sink->sink, TRUE));
    assert_true(gst_pad_set_active(sink->src, TRUE));
    assert_int_equal(gst_pad_link(sink->src, sink->sink), GST_PAD_LINK_OK);
    assert_true(gst_pad_push_event(sink->src, gst_event_new_stream_start("test-receiver")));
    caps = gst_caps_new_empty_simple("application/x-rtp");
    assert_true(gst_pad_push_event(sink->src, gst_event_new_caps(caps)));
    gst_caps_unref(caps);
    gst_segment_init(&segment, GST_FORMAT_TIME);
    assert_true(gst_pad_push_event(sink->src, gst_event_new_segment(&segment)));
}

static void sink_clear(struct sink *sink)
{
    guint i;

    gst_pad_set_active(sink->src, FALSE);
    gst_pad_set_active(sink->sink, FALSE);
    gst_pad_unlink(sink->src, sink->sink);
    gst_object_unref(sink->src);
    gst_object_unref(sink->sink);
    for (i = 0; i < sink->records->len; i++)
        g_bytes_unref(g_array_index(sink->records, struct record, i).bytes);
    g_array_free(sink->records, TRUE);
    g_cond_clear(&sink->cond);
    g_mutex_clear(&sink->lock);
}

static guint sink_count(struct sink *sink)
{
    guint count;

    g_mutex_lock(&sink->lock);
    count = sink->records->len;
    g_mutex_unlock(&sink->lock);
    return count;
}

static void wait_records(struct sink *sink, guint count)
{
    gint64 deadline = g_get_monotonic_time() + WAIT_MS * G_TIME_SPAN_MILLISECOND;
    guint have;

    g_mutex_lock(&sink->lock);
    while (sink->records->len < count && g_cond_wait_until(&sink->cond, &sink->lock, deadline))
        ;
    have = sink->records->len;
    g_mutex_unlock(&sink->lock);
    if (have < count) fail_msg("%u datagrams of %u after %d ms", have, count, WAIT_MS);
}

static GSocketAddress *loopback_address(guint16 port)
{
    GInetAddress *loopback = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
    GSocketAddress *address = g_inet_socket_address_new(loopback, port);

    g_object_unref(loopback);
    return address;
}

/* A UDP socket on 127.0.0.1:port (0: any port). */
static GSocket *udp_socket(guint16 port)
{
    GSocketAddress *address = loopback_address(port);
    GError *error = NULL;
    GSocket *socket;

    socket = g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, &error);
    assert_non_null(socket);
    if (!g_socket_bind(socket, address, FALSE, &error)) fail_msg("bind: %s", error->message);
    g_object_unref(address);
    return socket;
}

static guint16 socket_port(GSocket *socket)
{
    GSocketAddress *address = g_socket_get_local_address(socket, NULL);
    guint16 port = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(address));

    g_object_unref(address);
    return port;
}

/* Sends a datagram; FALSE when the system refuses it (an error waiting on the socket). */
static gboolean send_to(GSocket *from, GSocketAddress *to, const void *data, gsize size)
{
    return g_socket_send_to(from, to, data, size, NULL, NULL) == (gssize)size;
}

static gboolean try_send(GSocket *from, GSocket *to, const void *data, gsize size)
{
    GSocketAddress *address = g_socket_get_local_address(to, NULL);
    gboolean sent = send_to(from, address, data, size);

    g_object_unref(address);
    return sent;
}

static void send_text(GSocket *from, GSocket *to, const char *text)
{
    assert_true(try_send(from, to, text, strlen(text)));
}

static void assert_record(struct sink *sink, guint index, const void *data, gsize size)
{
    struct record *record = &g_array_index(sink->records, struct record, index);

    assert_int_equal(g_bytes_get_size(record->bytes), size);
    assert_memory_equal(g_bytes_get_data(record->bytes, NULL), data, size);
}

/* Both sockets' datagrams reach their own pads, whole, in order, stamped,
 * all pushed from one thread that is not ours. */
static void test_datagrams(void **state)
{
    GstClock *clock = gst_system_clock_obtain();
    GstClockTime base_time = gst_clock_get_time(clock), last, now;
    struct media_receiver_socket *handles[2];
    struct media_receiver *receiver;
    GSocket *sockets[2], *sender;
    GThread *thread = NULL;
    GError *error = NULL;
    struct sink sinks[2];
    guint8 *big;
    char *text;
    guint i, n;

    receiver = media_receiver_new(&error);
    assert_non_null(receiver);
    sender = udp_socket(0);
    for (i = 0; i < 2; i++)
    {
        sink_init(&sinks[i]);
        sockets[i] = udp_socket(0);
        handles[i] = media_receiver_add(receiver, sockets[i], sinks[i].src, clock, base_time);
    }

    /* The largest datagram UDP over IPv4 carries, alone: it takes a good part of the receive buffer. */
    big = g_malloc(65507);
    for (n = 0; n < 65507; n++)
        big[n] = n * 7;
    assert_true(try_send(sender, sockets[0], big, 65507));
    wait_records(&sinks[0], 1);
    for (n = 0; n < COUNT; n++)
        for (i = 0; i < 2; i++)
        {
            text = g_strdup_printf("%c%u:%.*s", 'a' + i, n, (int)n, "................................");
            send_text(sender, sockets[i], text);
            g_free(text);
        }
    wait_records(&sinks[0], COUNT + 1);
    wait_records(&sinks[1], COUNT);

    now = gst_clock_get_time(clock) - base_time;
    assert_record(&sinks[0], 0, big, 65507);
    for (i = 0; i < 2; i++)
    {
        guint first = i ? 0 : 1;

        assert_int_equal(sink_count(&sinks[i]), first + COUNT);
        last = 0;
        for (n = 0; n < first + COUNT; n++)
        {
            struct record *record = &g_array_index(sinks[i].records, struct record, n);

            if (n >= first)
            {
                text = g_strdup_printf("%c%u:%.*s", 'a' + i, n - first, (int)(n - first),
                                       "................................");
                assert_record(&sinks[i], n, text, strlen(text));
                g_free(text);
            }
            assert_true(GST_CLOCK_TIME_IS_VALID(record->dts));
            assert_int_equal(record->pts, record->dts);
            assert_true(record->dts >= last);
            assert_true(record->dts <= now);
            last = record->dts;
            if (!thread) thread = record->thread;
            assert_ptr_equal(record->thread, thread);
        }
    }
    assert_ptr_not_equal(thread, g_thread_self());

    for (i = 0; i < 2; i++)
    {
        media_receiver_remove(receiver, handles[i]);
        g_object_unref(sockets[i]);
        sink_clear(&sinks[i]);
    }
    media_receiver_free(receiver);
    g_object_unref(sender);
    g_free(big);
    gst_object_unref(clock);
}

struct timeouts
{
    struct media_receiver *receiver;
    struct media_receiver_socket *handle;
    gint calls;
    GThread *thread;
};

static void on_timeout(gpointer data)
{
    struct timeouts *timeouts = data;

    g_atomic_pointer_set(&timeouts->thread, g_thread_self());
    /* Setting a timeout from a timeout function (the receiver's thread) does not wait for itself. */
    if (g_atomic_int_add(&timeouts->calls, 1) == 0)
        media_receiver_set_timeout(timeouts->receiver, timeouts->handle, 100, on_timeout, timeouts);
}

static void wait_calls(struct timeouts *timeouts, gint calls)
{
    gint64 deadline = g_get_monotonic_time() + WAIT_MS * G_TIME_SPAN_MILLISECOND;

    while (g_atomic_int_get(&timeouts->calls) < calls)
    {
        if (g_get_monotonic_time() > deadline)
            fail_msg("%d timeouts of %d after %d ms", g_atomic_int_get(&timeouts->calls), calls, WAIT_MS);
        g_usleep(1000);
    }
}

/* A silent socket's timeout is called on the receiver's thread, again and
 * again; the socket still reads; after removal no call comes. */
static void test_timeout(void **state)
{
    GstClock *clock = gst_system_clock_obtain();
    struct timeouts timeouts = { 0 };
    GSocket *socket, *sender;
    GError *error = NULL;
    struct sink sink;
    gint calls;

    timeouts.receiver = media_receiver_new(&error);
    assert_non_null(timeouts.receiver);
    sink_init(&sink);
    socket = udp_socket(0);
    sender = udp_socket(0);
    timeouts.handle = media_receiver_add(timeouts.receiver, socket, sink.src, clock, gst_clock_get_time(clock));

    /* Once it has read this, the thread sleeps for good (no timeout is set):
     * setting one must wake it. The pause only makes sure it is asleep. */
    send_text(sender, socket, "before");
    wait_records(&sink, 1);
    g_usleep(50 * 1000);
    media_receiver_set_timeout(timeouts.receiver, timeouts.handle, 100, on_timeout, &timeouts);
    wait_calls(&timeouts, 2);
    assert_non_null(g_atomic_pointer_get(&timeouts.thread));
    assert_ptr_not_equal(g_atomic_pointer_get(&timeouts.thread), g_thread_self());

    send_text(sender, socket, "after the silence");
    wait_records(&sink, 2);
    assert_record(&sink, 1, "after the silence", 17);
    wait_calls(&timeouts, g_atomic_int_get(&timeouts.calls) + 1);

    media_receiver_remove(timeouts.receiver, timeouts.handle);
    calls = g_atomic_int_get(&timeouts.calls);
    g_usleep(350 * 1000);       /* three and a half timeouts */
    assert_int_equal(g_atomic_int_get(&timeouts.calls), calls);

    media_receiver_free(timeouts.receiver);
    g_object_unref(socket);
    g_object_unref(sender);
    sink_clear(&sink);
    gst_object_unref(clock);
}

/* A thread sending datagrams to a socket as fast as it can. */
struct blast
{
    GSocket *from, *to;
    GSocketAddress *address;    /* to's */
    GThread *thread;
    gint stop;
    gint sent;
};

static gpointer blast_thread(gpointer data)
{
    struct blast *blast = data;
    guint32 n = 0;

    while (!g_atomic_int_get(&blast->stop))
    {
        if (send_to(blast->from, blast->address, &n, sizeof(n)))
            g_atomic_int_inc(&blast->sent);
        n++;
    }
    return NULL;
}

static void blast_start(struct blast *blast)
{
    memset(blast, 0, sizeof(*blast));
    blast->from = udp_socket(0);
    blast->to = udp_socket(0);
    blast->address = g_socket_get_local_address(blast->to, NULL);
    blast->thread = g_thread_new("blast", blast_thread, blast);
}

static void blast_stop(struct blast *blast)
{
    g_atomic_int_set(&blast->stop, TRUE);
    g_thread_join(blast->thread);
    g_object_unref(blast->from);
    g_object_unref(blast->to);
    g_object_unref(blast->address);
}

/* Removing a socket that datagrams keep coming to, while another one keeps
 * the thread busy too and each push takes a while: once it returns nothing
 * more is pushed on its pad and the receiver holds its socket and pad no
 * more; the other socket goes on. */
static void test_remove_under_traffic(void **state)
{
    GstClock *clock = gst_system_clock_obtain();
    struct media_receiver_socket *handles[2];
    struct media_receiver *receiver;
    guint pad_refs, socket_refs, count, other;
    struct blast blasts[2];
    gint64 deadline;
    GError *error = NULL;
    struct sink sinks[2];
    gint sent;
    guint i;

    receiver = media_receiver_new(&error);
    assert_non_null(receiver);
    for (i = 0; i < 2; i++)
    {
        sink_init(&sinks[i]);
        sinks[i].delay_us = 200;
        blast_start(&blasts[i]);
    }
    pad_refs = GST_OBJECT_REFCOUNT_VALUE(sinks[0].src);
    socket_refs = G_OBJECT(blasts[0].to)->ref_count;
    for (i = 0; i < 2; i++)
        handles[i] = media_receiver_add(receiver, blasts[i].to, sinks[i].src, clock, gst_clock_get_time(clock));
    wait_records(&sinks[0], 50);
    wait_records(&sinks[1], 50);

    /* Just after one arrived, the thread is most likely pushing the next of
     * that socket's datagrams (each push takes delay_us). */
    wait_records(&sinks[0], sink_count(&sinks[0]) + 1);
    media_receiver_remove(receiver, handles[0]);
    count = sink_count(&sinks[0]);
    deadline = g_get_monotonic_time() + WAIT_MS * G_TIME_SPAN_MILLISECOND;
    assert_int_equal(GST_OBJECT_REFCOUNT_VALUE(sinks[0].src), pad_refs);
    assert_int_equal(G_OBJECT(blasts[0].to)->ref_count, socket_refs);
    /* Traffic goes on a while, to both. */
    sent = g_atomic_int_get(&blasts[0].sent);
    other = sink_count(&sinks[1]);
    while (g_atomic_int_get(&blasts[0].sent) < sent + 1000)
    {
        if (g_get_monotonic_time() > deadline) fail_msg("the sender stalled");
        g_usleep(1000);
    }
    wait_records(&sinks[1], other + 50);
    assert_int_equal(sink_count(&sinks[0]), count);

    media_receiver_remove(receiver, handles[1]);
    for (i = 0; i < 2; i++)
        blast_stop(&blasts[i]);
    media_receiver_free(receiver);
    assert_int_equal(sink_count(&sinks[0]), count);
    for (i = 0; i < 2; i++)
        sink_clear(&sinks[i]);
    gst_object_unref(clock);
}

/* Waits until an error is waiting on the socket. */
static void wait_socket_error(GSocket *socket)
{
    struct pollfd pollfd = { g_socket_get_fd(socket), 0, 0 };

    assert_int_equal(poll(&pollfd, 1, WAIT_MS), 1);
    assert_true(pollfd.revents & POLLERR);
}

/* A free port: bound, then closed. */
static guint16 closed_port(void)
{
    GSocket *socket = udp_socket(0);
    guint16 port = socket_port(socket);

    g_object_unref(socket);
    return port;
}

/* COUNT datagrams "PREFIX n" from one socket to another: all recorded, whole and in order. */
static void send_and_check(struct sink *sink, GSocket *from, GSocket *to, const char *prefix)
{
    char text[32];
    guint n;

    for (n = 0; n < COUNT; n++)
    {
        g_snprintf(text, sizeof(text), "%s %u", prefix, n);
        send_text(from, to, text);
    }
    wait_records(sink, COUNT);
    for (n = 0; n < COUNT; n++)
    {
        g_snprintf(text, sizeof(text), "%s %u", prefix, n);
        assert_record(sink, n, text, strlen(text));
    }
}

/* A connected socket whose peer went away has ECONNREFUSED waiting, before
 * it is added and while it is read; what comes once the peer is back arrives. */
static void test_refused(void **state)
{
    GstClock *clock = gst_system_clock_obtain();
    struct media_receiver_socket *handle;
    struct media_receiver *receiver;
    GSocketAddress *peer_address;
    GSocket *socket, *peer;
    GError *error = NULL;
    struct sink sink;
    guint16 port;
    guint n;

    receiver = media_receiver_new(&error);
    assert_non_null(receiver);
    sink_init(&sink);
    socket = udp_socket(0);
    port = closed_port();       /* once socket is bound: it cannot be socket's */
    peer_address = loopback_address(port);
    assert_true(g_socket_connect(socket, peer_address, NULL, &error));
    assert_int_equal(g_socket_send(socket, "x", 1, NULL, NULL), 1);
    wait_socket_error(socket);

    handle = media_receiver_add(receiver, socket, sink.src, clock, gst_clock_get_time(clock));
    /* More refusals while it is read (a send fails while an error waits). */
    for (n = 0; n < 5; n++)
    {
        g_socket_send(socket, "x", 1, NULL, NULL);
        g_usleep(2000);
    }

    peer = udp_socket(port);
    send_and_check(&sink, peer, socket, "back");

    media_receiver_remove(receiver, handle);
    media_receiver_free(receiver);
    g_object_unref(peer);
    g_object_unref(socket);
    g_object_unref(peer_address);
    sink_clear(&sink);
    gst_object_unref(clock);
}

/* With IP_RECVERR an unconnected socket keeps the ICMP errors of what it
 * sent to a closed port in its error queue; it still reads. */
static void test_error_queue(void **state)
{
    GstClock *clock = gst_system_clock_obtain();
    struct media_receiver_socket *handle;
    struct media_receiver *receiver;
    GSocket *socket, *sender;
    GSocketAddress *closed;
    GError *error = NULL;
    struct sink sink;
    guint n;

    receiver = media_receiver_new(&error);
    assert_non_null(receiver);
    sink_init(&sink);
    socket = udp_socket(0);
    sender = udp_socket(0);
    closed = loopback_address(closed_port());
    assert_true(g_socket_set_option(socket, IPPROTO_IP, IP_RECVERR, 1, &error));
    send_to(socket, closed, "x", 1);
    wait_socket_error(socket);

    handle = media_receiver_add(receiver, socket, sink.src, clock, gst_clock_get_time(clock));
    for (n = 0; n < 5; n++)
    {
        send_to(socket, closed, "x", 1);
        g_usleep(2000);
    }
    send_and_check(&sink, sender, socket, "still");

    media_receiver_remove(receiver, handle);
    media_receiver_free(receiver);
    g_object_unref(socket);
    g_object_unref(sender);
    g_object_unref(closed);
    sink_clear(&sink);
    gst_object_unref(clock);
}

int main(void)
{
    const struct CMUnitTest tests[] =
    {
        cmocka_unit_test(test_datagrams),
        cmocka_unit_test(test_timeout),
        cmocka_unit_test(test_remove_under_traffic),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_error_queue),
    };
    int failed;

    gst_init(NULL, NULL);
    if (g_getenv("RTCSHIM_TEST_FILTER")) cmocka_set_test_filter(g_getenv("RTCSHIM_TEST_FILTER"));
    failed = cmocka_run_group_tests(tests, NULL, NULL);
    gst_deinit();
    return failed;
}
