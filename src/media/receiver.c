/*
 * The RTP receiver: one thread reads every stream's RTP socket and pushes
 * each packet into its stream's pipeline (rtpbin's RTP sink pad).
 *
 * A udpsrc per stream would be one more thread per call, woken for every
 * packet; with hundreds of calls, thread wake-ups cost more than the audio.
 * This thread waits on all sockets at once (epoll) and, under load, takes
 * many packets per wake-up. It also watches for RTP that stops arriving
 * (the RTP timeout) and posts "rtcshim-rtp-timeout" on the stream's
 * rtpbin when it does, once per pause.
 *
 * Packets carry their arrival time as DTS (running time of the pipeline's
 * clock), as udpsrc gives them: the jitter buffer and RTCP work from it.
 */
#define _GNU_SOURCE                 /* recvmmsg */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>

#include "media_private.h"

#define MAX_EVENTS 64
#define MAX_READS 4                 /* per socket and wake-up; then the other sockets get their turn */
#define MAX_PACKET 2048             /* a bigger datagram is cut (no RTP audio packet is) */
#define SWEEP_INTERVAL_MS 100       /* how often the RTP timeouts are checked */

struct media_receiver
{
    GThread *thread;
    int epoll_fd, wake_fd;
    gboolean quit;                  /* under lock */
    GMutex lock;
    GCond batch_done;
    guint64 batches;                /* under lock: batches of events handled so far */
    GList *entries;                 /* under lock: struct media_receiver_entry * (for the sweep) */
};

struct media_receiver_entry
{
    struct media_receiver *receiver;
    int fd;
    GSocket *socket;
    GstPad *pad;                    /* ours, linked to rtpbin's RTP sink pad */
    GstElement *rtpbin;             /* where the timeout message comes from */
    GstClock *clock;
    GstClockTime base_time;
    const gint *timeout_ms;         /* the owner's, read atomically; 0: no timeout */
    gint seen_timeout_ms;           /* the receiving thread's: the value it last saw */
    gint64 last_arrival_us;         /* the receiving thread's: monotonic */
    gboolean timed_out;             /* the receiving thread's: posted for this pause */
};

static void post_timeout(struct media_receiver_entry *entry)
{
    gst_element_post_message(entry->rtpbin, gst_message_new_application(GST_OBJECT(entry->rtpbin),
                             gst_structure_new_empty("rtcshim-rtp-timeout")));
}

/* Reads what is waiting (one system call for up to MAX_READS packets) and
 * pushes it on. */
static void read_packets(struct media_receiver_entry *entry)
{
    GstBuffer *buffers[MAX_READS];
    struct mmsghdr messages[MAX_READS];
    struct iovec vectors[MAX_READS];
    GstMapInfo maps[MAX_READS];
    GstClockTime now = GST_CLOCK_TIME_NONE;
    int got, i;

    memset(messages, 0, sizeof(messages));
    for (i = 0; i < MAX_READS; i++)
    {
        buffers[i] = gst_buffer_new_allocate(NULL, MAX_PACKET, NULL);
        gst_buffer_map(buffers[i], &maps[i], GST_MAP_WRITE);
        vectors[i].iov_base = maps[i].data;
        vectors[i].iov_len = MAX_PACKET;
        messages[i].msg_hdr.msg_iov = &vectors[i];
        messages[i].msg_hdr.msg_iovlen = 1;
    }
    /* Nothing (EAGAIN), or an ICMP error (the peer's port closed): read and forgotten. */
    got = recvmmsg(entry->fd, messages, MAX_READS, MSG_DONTWAIT, NULL);
    if (got > 0 && entry->clock)
    {
        now = gst_clock_get_time(entry->clock);
        now = now > entry->base_time ? now - entry->base_time : 0;
    }
    for (i = 0; i < MAX_READS; i++)
    {
        gst_buffer_unmap(buffers[i], &maps[i]);
        if (i >= got)
        {
            gst_buffer_unref(buffers[i]);
            continue;
        }
        gst_buffer_set_size(buffers[i], messages[i].msg_len);
        GST_BUFFER_DTS(buffers[i]) = now;
        /* FLUSHING while the pipeline stops: the packet is dropped, as udpsrc would. */
        gst_pad_push(entry->pad, buffers[i]);
    }
    if (got > 0)
    {
        entry->timed_out = FALSE;
        entry->last_arrival_us = g_get_monotonic_time();
    }
}

/* Posts a timeout for each stream whose RTP has paused for its timeout. */
static void sweep(struct media_receiver *receiver)
{
    gint64 now = g_get_monotonic_time();
    GList *link;

    g_mutex_lock(&receiver->lock);
    for (link = receiver->entries; link; link = link->next)
    {
        struct media_receiver_entry *entry = link->data;
        gint timeout_ms = g_atomic_int_get(entry->timeout_ms);

        if (timeout_ms != entry->seen_timeout_ms)
        {
            /* a new timeout counts from now, as udpsrc's does */
            entry->seen_timeout_ms = timeout_ms;
            entry->last_arrival_us = now;
            entry->timed_out = FALSE;
        }
        else if (timeout_ms && !entry->timed_out && now - entry->last_arrival_us >= (gint64)timeout_ms * 1000)
        {
            entry->timed_out = TRUE;
            post_timeout(entry);
        }
    }
    g_mutex_unlock(&receiver->lock);
}

static gpointer receive_thread(gpointer data)
{
    struct media_receiver *receiver = data;
    struct epoll_event events[MAX_EVENTS];
    gint64 last_sweep = g_get_monotonic_time();

    for (;;)
    {
        int n = epoll_wait(receiver->epoll_fd, events, MAX_EVENTS, SWEEP_INTERVAL_MS), i;
        gint64 now;

        for (i = 0; i < n; i++)
        {
            if (!events[i].data.ptr)
            {
                guint64 value;
                if (read(receiver->wake_fd, &value, sizeof(value)) < 0) { /* nothing to do: woken anyway */ }
                continue;
            }
            read_packets(events[i].data.ptr);
        }
        now = g_get_monotonic_time();
        if (now - last_sweep >= SWEEP_INTERVAL_MS * 1000)
        {
            sweep(receiver);
            last_sweep = now;
        }
        g_mutex_lock(&receiver->lock);
        receiver->batches++;
        g_cond_broadcast(&receiver->batch_done);
        if (receiver->quit)
        {
            g_mutex_unlock(&receiver->lock);
            return NULL;
        }
        g_mutex_unlock(&receiver->lock);
    }
}

static void wake(struct media_receiver *receiver)
{
    guint64 one = 1;

    if (write(receiver->wake_fd, &one, sizeof(one)) < 0) g_warning("media: cannot wake the RTP receiver");
}

struct media_receiver *media_receiver_new(GError **error)
{
    struct media_receiver *receiver = g_new0(struct media_receiver, 1);
    struct epoll_event event = { .events = EPOLLIN, .data.ptr = NULL };

    receiver->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    receiver->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (receiver->epoll_fd < 0 || receiver->wake_fd < 0
            || epoll_ctl(receiver->epoll_fd, EPOLL_CTL_ADD, receiver->wake_fd, &event) < 0)
    {
        g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno), "RTP receiver: %s", g_strerror(errno));
        if (receiver->epoll_fd >= 0) close(receiver->epoll_fd);
        if (receiver->wake_fd >= 0) close(receiver->wake_fd);
        g_free(receiver);
        return NULL;
    }
    g_mutex_init(&receiver->lock);
    g_cond_init(&receiver->batch_done);
    receiver->thread = g_thread_new("rtcshim-rtp-in", receive_thread, receiver);
    return receiver;
}

void media_receiver_free(struct media_receiver *receiver)
{
    g_warn_if_fail(receiver->entries == NULL);
    g_mutex_lock(&receiver->lock);
    receiver->quit = TRUE;
    g_mutex_unlock(&receiver->lock);
    wake(receiver);
    g_thread_join(receiver->thread);
    close(receiver->epoll_fd);
    close(receiver->wake_fd);
    g_cond_clear(&receiver->batch_done);
    g_mutex_clear(&receiver->lock);
    g_free(receiver);
}

struct media_receiver_entry *media_receiver_add(struct media_receiver *receiver, GSocket *socket, GstPad *pad,
                                                GstElement *pipeline, GstElement *rtpbin, const gint *timeout_ms)
{
    struct media_receiver_entry *entry = g_new0(struct media_receiver_entry, 1);
    struct epoll_event event = { .events = EPOLLIN };

    entry->receiver = receiver;
    entry->socket = g_object_ref(socket);
    entry->fd = g_socket_get_fd(socket);
    entry->pad = gst_object_ref(pad);
    entry->rtpbin = gst_object_ref(rtpbin);
    if ((entry->clock = gst_element_get_clock(pipeline)))
        entry->base_time = gst_element_get_base_time(pipeline);
    entry->timeout_ms = timeout_ms;
    entry->seen_timeout_ms = g_atomic_int_get(timeout_ms);
    entry->last_arrival_us = g_get_monotonic_time();
    g_mutex_lock(&receiver->lock);
    receiver->entries = g_list_prepend(receiver->entries, entry);
    g_mutex_unlock(&receiver->lock);
    event.data.ptr = entry;
    if (epoll_ctl(receiver->epoll_fd, EPOLL_CTL_ADD, entry->fd, &event) < 0)
        g_warning("media: cannot receive RTP on fd %d: %s", entry->fd, g_strerror(errno));
    return entry;
}

void media_receiver_remove(struct media_receiver_entry *entry)
{
    struct media_receiver *receiver = entry->receiver;
    guint64 batch;

    epoll_ctl(receiver->epoll_fd, EPOLL_CTL_DEL, entry->fd, NULL);
    g_mutex_lock(&receiver->lock);
    receiver->entries = g_list_remove(receiver->entries, entry);
    /* A batch of events read before the removal may still name the entry:
     * it is freed once that batch is done. */
    batch = receiver->batches;
    g_mutex_unlock(&receiver->lock);
    wake(receiver);
    g_mutex_lock(&receiver->lock);
    while (receiver->batches == batch) g_cond_wait(&receiver->batch_done, &receiver->lock);
    g_mutex_unlock(&receiver->lock);

    if (entry->clock) gst_object_unref(entry->clock);
    gst_object_unref(entry->rtpbin);
    gst_object_unref(entry->pad);
    g_object_unref(entry->socket);
    g_free(entry);
}
