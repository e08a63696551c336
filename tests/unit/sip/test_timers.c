/*
 * Unit tests for SIP timer arithmetic (RFC 3261 §13.3.1.4, §14.1, §17) and
 * for how libosip2's timeouts become the engine's one timer deadline.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <sys/time.h>
#include <cmocka.h>
#include <osip2/osip.h>

#include "engine.h"
#include "platform.h"
#include "timer_source.h"
#include "timers.h"

static void test_2xx_intervals(void **state)
{
    static const guint expected[] = { 500, 1000, 2000, 4000, 4000, 4000 };
    guint interval = 0, total = 0, count = 0;
    gsize i;

    (void)state;
    for (i = 0; i < G_N_ELEMENTS(expected); i++)
    {
        interval = sip_timer_2xx_next_interval(interval);
        assert_int_equal(interval, expected[i]);
    }
    /* Retransmitting until 64*T1 gives the 2xx about 11 sends (timer H). */
    for (interval = sip_timer_2xx_next_interval(0); total + interval <= SIP_TIMER_64T1_MS;
         interval = sip_timer_2xx_next_interval(interval))
    {
        total += interval;
        count++;
    }
    assert_int_equal(count, 10);
    assert_int_equal(SIP_TIMER_64T1_MS, 32000);
}

static void test_glare_delays(void **state)
{
    guint32 samples[] = { 0, 1, 9, 10, 190, 191, 200, 201, 12345, G_MAXUINT32 - 1, G_MAXUINT32 };
    gsize i;

    (void)state;
    for (i = 0; i < G_N_ELEMENTS(samples); i++)
    {
        guint owner = sip_timer_glare_delay(TRUE, samples[i]);
        guint other = sip_timer_glare_delay(FALSE, samples[i]);

        /* §14.1: 2.1-4 s for the Call-ID's owner, 0-2 s otherwise, 10 ms units. */
        assert_true(owner >= 2100 && owner <= 4000);
        assert_true(other <= 2000);
        assert_int_equal(owner % 10, 0);
        assert_int_equal(other % 10, 0);
    }
    assert_int_equal(sip_timer_glare_delay(TRUE, 0), 2100);
    assert_int_equal(sip_timer_glare_delay(TRUE, 190), 4000);
    assert_int_equal(sip_timer_glare_delay(FALSE, 200), 2000);
    assert_int_equal(sip_timer_glare_delay(FALSE, 201), 0);
}

static void test_deadlines(void **state)
{
    const gint64 now = 1000000000;

    (void)state;
    assert_int_equal(sip_timer_deadline_from_timeval(now, 0, 500000), now + 500000);
    assert_int_equal(sip_timer_deadline_from_timeval(now, 2, 1), now + 2000001);
    assert_int_equal(sip_timer_deadline_from_timeval(now, 0, 0), now);
    assert_int_equal(sip_timer_deadline_from_timeval(now, -1, -5), now);
    /* libosip2's "nothing pending" is a year away: no deadline. */
    assert_int_equal(sip_timer_deadline_from_timeval(now, 3600 * 24 * 365, 0), -1);
}

static void test_poll_timeouts(void **state)
{
    const gint64 now = 5000000;

    (void)state;
    assert_int_equal(sip_timer_poll_timeout(now, -1), -1);
    assert_int_equal(sip_timer_poll_timeout(now, now), 0);
    assert_int_equal(sip_timer_poll_timeout(now, now - 10), 0);
    /* Rounded up: waking early would spin the loop. */
    assert_int_equal(sip_timer_poll_timeout(now, now + 1), 1);
    assert_int_equal(sip_timer_poll_timeout(now, now + 1000), 1);
    assert_int_equal(sip_timer_poll_timeout(now, now + 1001), 2);
    assert_int_equal(sip_timer_poll_timeout(now, now + 32000000), 32000);
    assert_int_equal(sip_timer_poll_timeout(0, G_MAXINT64), G_MAXINT);
}

static void test_earliest(void **state)
{
    (void)state;
    assert_int_equal(sip_timer_earliest(-1, -1), -1);
    assert_int_equal(sip_timer_earliest(-1, 7), 7);
    assert_int_equal(sip_timer_earliest(7, -1), 7);
    assert_int_equal(sip_timer_earliest(3, 7), 3);
    assert_int_equal(sip_timer_earliest(7, 3), 3);
}

/* ---- libosip2's timers, as the engine reads them ------------------------------------ */

static int sends;

static int count_send(osip_transaction_t *transaction, osip_message_t *message, char *host, int port, int socket)
{
    (void)transaction;
    (void)message;
    (void)host;
    (void)port;
    (void)socket;
    sends++;
    return 0;
}

static osip_transaction_t *start_nict(osip_t *osip, const char *protocol)
{
    char *text = g_strdup_printf("OPTIONS sip:b@127.0.0.1 SIP/2.0\r\n"
                                 "Via: SIP/2.0/%s 127.0.0.1:5060;branch=z9hG4bKtimers%s\r\n"
                                 "From: <sip:a@127.0.0.1>;tag=1\r\nTo: <sip:b@127.0.0.1>\r\n"
                                 "Call-ID: timers-%s\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n",
                                 protocol, protocol, protocol);
    osip_transaction_t *transaction;
    osip_message_t *request;
    osip_event_t *event;

    osip_message_init(&request);
    assert_int_equal(osip_message_parse(request, text, strlen(text)), 0);
    g_free(text);
    assert_int_equal(osip_transaction_init(&transaction, NICT, osip, request), 0);
    event = osip_new_outgoing_sipmessage(request);
    event->transactionid = transaction->transactionid;
    osip_transaction_add_event(transaction, event);
    osip_nict_execute(osip);
    return transaction;
}

/* A timer libosip2 stored, as the engine reads it: through the platform's clock seam
 * (transaction_timers.c). libosip2's clock is not the test's on Windows (the wall clock
 * in whole milliseconds there, platform.h), so the bounds allow SIP_OSIP_CLOCK_ERROR_US
 * each way; `now` is read after the conversion, which reads both clocks itself. */
static void assert_timer_after(const struct timeval *timer, gint64 before, guint ms)
{
    gint64 deadline = sip_osip_time_to_monotonic(timer);
    gint64 now = g_get_monotonic_time();

    assert_int_not_equal(timer->tv_sec, -1);
    assert_true(deadline >= before + ms * 1000LL - SIP_OSIP_CLOCK_ERROR_US);
    assert_true(deadline <= now + ms * 1000LL + SIP_OSIP_CLOCK_ERROR_US);
}

static void test_osip_timeouts(void **state)
{
    osip_transaction_t *udp, *tcp;
    osip_t *osip;
    gint64 before;

    (void)state;
    assert_int_equal(osip_init(&osip), 0);
    osip_set_cb_send_message(osip, count_send);

    /* A request over TCP has no retransmission timer (E not started: the engine's
     * "never"), only timer F, due 64*T1 after the transaction started, between before
     * and the reading, however busy the machine. */
    before = g_get_monotonic_time();
    tcp = start_nict(osip, "TCP");
    assert_int_equal(sends, 1);
    assert_int_equal(tcp->nict_context->timer_e_start.tv_sec, -1);
    assert_timer_after(&tcp->nict_context->timer_f_start, before, SIP_TIMER_64T1_MS);

    /* Over UDP timer E fires first, after T1. */
    before = g_get_monotonic_time();
    udp = start_nict(osip, "UDP");
    assert_int_equal(sends, 2);
    assert_timer_after(&udp->nict_context->timer_e_start, before, SIP_T1_MS);
    assert_timer_after(&udp->nict_context->timer_f_start, before, SIP_TIMER_64T1_MS);

    osip_transaction_free(udp);
    osip_transaction_free(tcp);
    osip_release(osip);
}

/* ---- the engine's own timers (timer_source.c) ---- */

struct fired_log
{
    GString *order;
    guint destroyed;
};

struct fired_timer
{
    struct fired_log *log;
    char name;
};

static void record_fired(struct sip_engine *engine, void *data)
{
    struct fired_timer *timer = data;

    (void)engine;
    g_string_append_c(timer->log->order, timer->name);
}

static void fired_timer_free(void *data)
{
    struct fired_timer *timer = data;

    timer->log->destroyed++;
    g_free(timer);
}

static struct engine_timer *start_named(struct sip_engine *engine, struct fired_log *log, guint delay_ms, char name)
{
    struct fired_timer *timer = g_new0(struct fired_timer, 1);

    timer->log = log;
    timer->name = name;
    return engine_timer_start(engine, delay_ms, record_fired, timer, fired_timer_free);
}

/* Timers fire earliest first and, of one length, in the order they were
 * started, whether they wait in a lane of their length or (more lengths
 * than lanes) in the ordered sequence; a cancelled one never fires. */
static void test_engine_timer_order(void **state)
{
    struct fired_log log = { g_string_new(NULL), 0 };
    struct sip_engine_callbacks callbacks = { 0 };
    struct sip_engine *engine = sip_engine_new(NULL, &callbacks, NULL, NULL);
    struct engine_timer *cancelled;
    guint i;

    (void)state;
    assert_non_null(engine);
    /* Twelve lengths, a second apart (a busy machine may pause between
     * two starts, not for that long), started longest first: more than
     * there are lanes. Names 'a' (1 s) to 'l' (12 s). */
    for (i = 12; i >= 1; i--)
        start_named(engine, &log, i * 1000, (char)('a' + i - 1));
    /* More of lengths already waiting: after their first, in order. */
    start_named(engine, &log, 12000, 'L');
    start_named(engine, &log, 1000, 'A');
    cancelled = start_named(engine, &log, 1000, 'X');
    start_named(engine, &log, 1000, 'B');
    start_named(engine, &log, 7000, 'G');
    engine_timer_cancel(engine, cancelled);
    assert_int_equal(log.destroyed, 1);

    assert_int_equal(engine_expire_timers(engine, 100), 16);
    assert_string_equal(log.order->str, "aABbcdefgGhijklL");
    assert_int_equal(log.destroyed, 17);

    /* Timers left at the end are released with the engine, not fired. */
    start_named(engine, &log, 5000, 'm');
    start_named(engine, &log, 13000, 'n');
    sip_engine_free(engine);
    assert_int_equal(log.destroyed, 19);
    assert_string_equal(log.order->str, "aABbcdefgGhijklL");
    g_string_free(log.order, TRUE);
}

int main(void)
{
    const struct CMUnitTest tests[] =
    {
        cmocka_unit_test(test_2xx_intervals),
        cmocka_unit_test(test_glare_delays),
        cmocka_unit_test(test_deadlines),
        cmocka_unit_test(test_poll_timeouts),
        cmocka_unit_test(test_earliest),
        cmocka_unit_test(test_osip_timeouts),
        cmocka_unit_test(test_engine_timer_order),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
