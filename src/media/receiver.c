/*
 * The RTP receiver: one thread that reads the RTP and RTCP sockets of every
 * running stream of a backend and pushes what arrives into their pipelines.
 *
 * A udpsrc per socket would be two threads per call, each woken for every
 * packet: with hundreds of calls the wake-ups cost more than the packets.
 * Here one thread sleeps in epoll_wait() on all the sockets and on an
 * eventfd (how other threads wake it), reads every socket that is ready and
 * pushes each datagram on that socket's pad. The push runs the stream's
 * receive chain up to its jitter buffer in this thread, so what is linked to
 * a pad must not block. Linux only, as is this backend.
 *
 * Locking: the thread takes "lock" only to look at its bookkeeping, never
 * while it pushes, calls out or sleeps, so any thread (what the pushes and
 * timeouts run included) may add sockets and set timeouts without waiting
 * for it, and any other thread may remove sockets. Removing a
 * socket marks it dead and then waits for the end of the batch under way
 * (what one epoll_wait() returned), if any: that batch may be pushing on
 * its pad, and every later one sees it dead. Waiting for the batch rather
 * than for the lock bounds the wait when the thread is never idle. The
 * thread frees dead sockets at the end of a batch: the events it fetched
 * before the removal may still point at them, later ones cannot.
 */
#include <errno.h>
#include <limits.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "media_private.h"

#define MAX_EVENTS 64
#define MAX_DATAGRAMS 64            /* read from one socket per batch, so a flood does not starve the rest */
#define MAX_DATAGRAM_SIZE 65536     /* more than a UDP datagram can carry (no IPv6 jumbograms here) */

struct media_receiver_socket
{
    GSocket *socket;
    GstPad *pad;
    GstClock *clock;
    GstClockTime base_time;
    int fd;
    gint dead;                      /* removed (atomic: the thread reads it outside the lock) */
    /* lock: */
    GList link;                     /* in the receiver's sockets, once removed in its dead (data: this) */
    guint timeout_ms;               /* 0: none */
    media_receiver_timeout_func func;
    gpointer data;
    gint64 deadline;                /* monotonic time of the next call */
};

struct timeout_call
{
    struct media_receiver_socket *handle;
    media_receiver_timeout_func func;
    gpointer data;
};

struct media_receiver
{
    GThread *thread;
    int epoll_fd, wake_fd;
    gint quit;
    GMutex lock;
    /* lock: */
    GQueue sockets;                 /* struct media_receiver_socket */
    GQueue dead;                    /* removed, for the thread to free */
    gint64 next_deadline;           /* no timeout is due before; G_MAXINT64: none is set */
    gboolean busy;                  /* a batch is under way */
    guint64 batches;                /* how many have ended */
    guint waiting;                  /* removals waiting for one to end */
    GCond batch_ended;
    /* the thread's: */
    GArray *due;                    /* struct timeout_call, kept for its allocation */
    guint8 datagram[MAX_DATAGRAM_SIZE];
};

static void wake(struct media_receiver *receiver)
{
    /* Fails only when the counter is about to overflow: the thread is then awake anyway. */
    eventfd_write(receiver->wake_fd, 1);
}

static void restart_silence(struct media_receiver *receiver, struct media_receiver_socket *handle)
{
    /* A later deadline leaves next_deadline a bound still good: the thread then only looks early. */
    g_mutex_lock(&receiver->lock);
    if (handle->timeout_ms)
        handle->deadline = g_get_monotonic_time() + handle->timeout_ms * G_TIME_SPAN_MILLISECOND;
    g_mutex_unlock(&receiver->lock);
}

/* Pushes what waits on a socket, a bounded number of datagrams (epoll reports
 * the socket again for the rest). */
static void read_socket(struct media_receiver *receiver, struct media_receiver_socket *handle, uint32_t events)
{
    gboolean received = FALSE;
    GstClockTime time;
    GstBuffer *buffer;
    ssize_t size;
    guint i;

    /* With IP_RECVERR the ICMP errors queue up too, and epoll keeps reporting
     * the socket until they are read; they are no concern of ours. */
    for (i = 0; (events & EPOLLERR) && i < MAX_DATAGRAMS; i++)
        if (recv(handle->fd, receiver->datagram, sizeof(receiver->datagram), MSG_ERRQUEUE | MSG_DONTWAIT) < 0)
            break;

    for (i = 0; i < MAX_DATAGRAMS; i++)
    {
        size = recv(handle->fd, receiver->datagram, sizeof(receiver->datagram), MSG_DONTWAIT);
        if (size < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        /* An error (ECONNREFUSED: an ICMP error for something sent from this
         * socket) is cleared by reading it, and what follows can be read; an
         * empty datagram is no RTP. */
        if (size <= 0)
            continue;
        received = TRUE;

        /* Each datagram's arrival in the pipeline's running time, as udpsrc
         * stamps it; 0 if the pipeline has not reached base_time yet. */
        time = gst_clock_get_time(handle->clock);
        time = time > handle->base_time ? time - handle->base_time : 0;
        /* Exactly the datagram's size: the jitter buffer may keep it a while. */
        buffer = gst_buffer_new_allocate(NULL, size, NULL);
        gst_buffer_fill(buffer, 0, receiver->datagram, size);
        GST_BUFFER_DTS(buffer) = GST_BUFFER_PTS(buffer) = time;
        /* FLUSHING, NOT_LINKED: the pipeline is stopping or not ready, and the
         * next datagram may find it otherwise. Errors are the pipeline's to post. */
        gst_pad_push(handle->pad, buffer);
    }
    if (received)
        restart_silence(receiver, handle);
}

/* Calls the timeout functions that are due, outside the lock: they may set timeouts. */
static void run_timeouts(struct media_receiver *receiver)
{
    struct media_receiver_socket *handle;
    gint64 now, next = G_MAXINT64;
    struct timeout_call *call;
    GList *link;
    guint i;

    g_mutex_lock(&receiver->lock);
    now = g_get_monotonic_time();
    if (now >= receiver->next_deadline)
    {
        for (link = receiver->sockets.head; link; link = link->next)
        {
            handle = link->data;
            if (!handle->timeout_ms)
                continue;
            if (handle->deadline <= now)
            {
                struct timeout_call due = { handle, handle->func, handle->data };

                g_array_append_val(receiver->due, due);
                /* A whole timeout from now, not from when it was due: a late thread makes no burst of calls. */
                handle->deadline = now + handle->timeout_ms * G_TIME_SPAN_MILLISECOND;
            }
            next = MIN(next, handle->deadline);
        }
        receiver->next_deadline = next;
    }
    g_mutex_unlock(&receiver->lock);

    /* A socket removed meanwhile is not freed before the batch ends. */
    for (i = 0; i < receiver->due->len; i++)
    {
        call = &g_array_index(receiver->due, struct timeout_call, i);
        if (!g_atomic_int_get(&call->handle->dead))
            call->func(call->data);
    }
    g_array_set_size(receiver->due, 0);
}

/* How long epoll_wait() may sleep: until the nearest timeout (rounded up, so
 * it does not wake just before it), or until woken. Under the lock. */
static int wait_ms(struct media_receiver *receiver)
{
    gint64 left;

    if (receiver->next_deadline == G_MAXINT64)
        return -1;
    left = receiver->next_deadline - g_get_monotonic_time();
    return left <= 0 ? 0 : (int)MIN((left + G_TIME_SPAN_MILLISECOND - 1) / G_TIME_SPAN_MILLISECOND, INT_MAX);
}

static gpointer receiver_thread(gpointer data)
{
    struct media_receiver *receiver = data;
    struct epoll_event events[MAX_EVENTS];
    struct media_receiver_socket *handle;
    int count, i, timeout = -1;
    eventfd_t value;
    GList *link;

    while (!g_atomic_int_get(&receiver->quit))
    {
        /* A timeout set since it was computed wakes it through the eventfd. */
        count = epoll_wait(receiver->epoll_fd, events, MAX_EVENTS, timeout);
        if (count < 0 && errno != EINTR)
        {
            g_critical("RTP receiver: epoll_wait: %s", g_strerror(errno));
            break;
        }

        /* From here on a removal waits for this batch to end, or was seen. */
        g_mutex_lock(&receiver->lock);
        receiver->busy = TRUE;
        g_mutex_unlock(&receiver->lock);

        for (i = 0; i < count; i++)
        {
            if (!(handle = events[i].data.ptr))
                eventfd_read(receiver->wake_fd, &value);
            else if (!g_atomic_int_get(&handle->dead))
                read_socket(receiver, handle, events[i].events);
        }
        run_timeouts(receiver);

        g_mutex_lock(&receiver->lock);
        receiver->busy = FALSE;
        receiver->batches++;
        if (receiver->waiting)
            g_cond_broadcast(&receiver->batch_ended);
        /* They left the epoll before they came here: no later epoll_wait() returns them. */
        while ((link = g_queue_pop_head_link(&receiver->dead)))
            g_free(link->data);
        timeout = wait_ms(receiver);
        g_mutex_unlock(&receiver->lock);
    }
    return NULL;
}

static void release_socket(struct media_receiver_socket *handle)
{
    g_object_unref(handle->socket);
    gst_object_unref(handle->pad);
    gst_object_unref(handle->clock);
}

/* Frees what the thread has left (it has ended or never started). */
static void destroy(struct media_receiver *receiver)
{
    GList *link;

    while ((link = g_queue_pop_head_link(&receiver->sockets)))
    {
        release_socket(link->data);
        g_free(link->data);
    }
    while ((link = g_queue_pop_head_link(&receiver->dead)))
        g_free(link->data);
    if (receiver->wake_fd >= 0)
        close(receiver->wake_fd);
    if (receiver->epoll_fd >= 0)
        close(receiver->epoll_fd);
    g_array_free(receiver->due, TRUE);
    g_cond_clear(&receiver->batch_ended);
    g_mutex_clear(&receiver->lock);
    g_free(receiver);
}

struct media_receiver *media_receiver_new(GError **error)
{
    struct media_receiver *receiver = g_new0(struct media_receiver, 1);
    struct epoll_event event = { .events = EPOLLIN, .data.ptr = NULL };     /* NULL: the eventfd */
    int code;

    g_mutex_init(&receiver->lock);
    g_cond_init(&receiver->batch_ended);
    g_queue_init(&receiver->sockets);
    g_queue_init(&receiver->dead);
    receiver->next_deadline = G_MAXINT64;
    receiver->due = g_array_new(FALSE, FALSE, sizeof(struct timeout_call));
    receiver->wake_fd = -1;
    if ((receiver->epoll_fd = epoll_create1(EPOLL_CLOEXEC)) < 0
        || (receiver->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) < 0
        || epoll_ctl(receiver->epoll_fd, EPOLL_CTL_ADD, receiver->wake_fd, &event) < 0)
    {
        code = errno;
        g_set_error(error, G_IO_ERROR, g_io_error_from_errno(code), "Cannot wait for RTP sockets: %s",
                    g_strerror(code));
        destroy(receiver);
        return NULL;
    }
    if (!(receiver->thread = g_thread_try_new("rtcshim-rtp-in", receiver_thread, receiver, error)))
    {
        destroy(receiver);
        return NULL;
    }
    return receiver;
}

void media_receiver_free(struct media_receiver *receiver)
{
    g_atomic_int_set(&receiver->quit, TRUE);
    wake(receiver);
    g_thread_join(receiver->thread);
    g_warn_if_fail(g_queue_is_empty(&receiver->sockets));
    destroy(receiver);
}

struct media_receiver_socket *media_receiver_add(struct media_receiver *receiver, GSocket *socket, GstPad *pad,
                                                 GstClock *clock, GstClockTime base_time)
{
    struct media_receiver_socket *handle = g_new0(struct media_receiver_socket, 1);
    struct epoll_event event = { .events = EPOLLIN, .data.ptr = handle };

    handle->socket = g_object_ref(socket);
    handle->pad = gst_object_ref(pad);
    handle->clock = gst_object_ref(clock);
    handle->base_time = base_time;
    handle->fd = g_socket_get_fd(socket);
    handle->link.data = handle;
    g_mutex_lock(&receiver->lock);
    g_queue_push_tail_link(&receiver->sockets, &handle->link);
    g_mutex_unlock(&receiver->lock);

    /* Level-triggered: what a batch leaves unread, the next epoll_wait() reports again. */
    if (epoll_ctl(receiver->epoll_fd, EPOLL_CTL_ADD, handle->fd, &event) < 0)
        g_warning("RTP receiver: cannot wait for socket %d: %s", handle->fd, g_strerror(errno));
    return handle;
}

/* A call already under way on the receiver's thread may still finish after
 * this returns (with the previous func and data); only removing waits for it. */
void media_receiver_set_timeout(struct media_receiver *receiver, struct media_receiver_socket *handle,
                                guint timeout_ms, media_receiver_timeout_func func, gpointer data)
{
    gboolean sooner = FALSE;

    g_mutex_lock(&receiver->lock);
    handle->timeout_ms = timeout_ms;
    handle->func = func;
    handle->data = data;
    handle->deadline = g_get_monotonic_time() + timeout_ms * G_TIME_SPAN_MILLISECOND;
    if (timeout_ms && handle->deadline < receiver->next_deadline)
    {
        receiver->next_deadline = handle->deadline;
        sooner = TRUE;
    }
    g_mutex_unlock(&receiver->lock);
    /* The thread may be asleep until a later timeout, or for good. */
    if (sooner)
        wake(receiver);
}

void media_receiver_remove(struct media_receiver *receiver, struct media_receiver_socket *handle)
{
    GSocket *socket = handle->socket;
    GstClock *clock = handle->clock;
    GstPad *pad = handle->pad;
    guint64 batch;

    /* From a push or a timeout function it would wait for itself. */
    g_return_if_fail(g_thread_self() != receiver->thread);

    /* First, so that no epoll_wait() after the batch under way returns it. */
    epoll_ctl(receiver->epoll_fd, EPOLL_CTL_DEL, handle->fd, NULL);
    g_mutex_lock(&receiver->lock);
    g_atomic_int_set(&handle->dead, TRUE);
    g_queue_unlink(&receiver->sockets, &handle->link);
    /* The thread frees it at the end of a batch: handle is not to be touched after the wait. */
    g_queue_push_tail_link(&receiver->dead, &handle->link);
    /* The batch under way may be pushing on the pad or calling the timeout
     * function, having looked before it was dead; a batch that starts later
     * sees it dead. */
    if (receiver->busy)
    {
        batch = receiver->batches;
        receiver->waiting++;
        while (receiver->batches == batch)
            g_cond_wait(&receiver->batch_ended, &receiver->lock);
        receiver->waiting--;
    }
    g_mutex_unlock(&receiver->lock);
    g_object_unref(socket);
    gst_object_unref(pad);
    gst_object_unref(clock);
}
