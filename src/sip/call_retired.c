/*
 * An ended outgoing call, retired to what its dialog still owes the peer.
 *
 * Our INVITE's 2xx may come again for 64*T1 after we ACKed it (the ACK was
 * lost), and another fork of it may answer late (§13.2.2.4: ACK it, then BYE
 * it). A whole call object kept that long holds the object, our INVITE and
 * ACK parsed and the dialog; at thousands of transfers a second, each
 * leaving an outgoing call behind, that added up to most of what a
 * transfer held. So once an
 * outgoing call has ended and nothing of its own is in flight, it leaves the
 * call registry and only this stays, under the same key until the linger
 * ends: the ACK as sent, the dialog's To tag, and the To tags of the forks
 * already dismissed. A fork's dialog is built from its 2xx alone.
 */

#ifndef G_LOG_DOMAIN
#define G_LOG_DOMAIN "rtcshim"
#endif

#include "call_private.h"
#include "call_registry.h"
#include "dialog.h"
#include "message.h"

struct retired_call
{
    char *key;                          /* the call registry's: Call-ID and our tag */
    char *remote_tag;                   /* the dialog's To tag */
    guint32 invite_cseq;
    guint32 ack_cseq;
    struct engine_sent_response ack;    /* the last ACK as sent */
    enum sip_transport_protocol protocol;   /* forks: where the INVITE went */
    guint connection_id;
    gboolean secure;
    GPtrArray *dismissed_forks;         /* char * To tags already sent a BYE; NULL if none */
};

static void retired_call_free(void *data)
{
    struct retired_call *retired = data;

    g_free(retired->key);
    g_free(retired->remote_tag);
    engine_sent_response_clear(&retired->ack);
    if (retired->dismissed_forks)
        g_ptr_array_free(retired->dismissed_forks, TRUE);
    g_free(retired);
}

static void retired_call_expired(struct sip_engine *engine, void *data)
{
    struct retired_call *retired = data;

    if (g_hash_table_lookup(engine->retired_calls, retired->key) == retired)
        g_hash_table_remove(engine->retired_calls, retired->key);
}

/* Whether the call has ended and owes nothing but what a retired call keeps:
 * its 2xx ACKed, no request of ours or the peer's pending, no transfer in
 * the dialog that may still NOTIFY, an ACK that can be sent again as it is
 * (to an IP address: a host name or a TLS peer's name is not kept). */
static gboolean call_can_retire(const struct sip_call *call)
{
    return call->engine && !call->incoming && call->registered && call->state == SIP_CALL_STATE_TERMINATED
        && call->dialog && call->last_ack && !call->invite_transaction && !call->reinvite_transaction
        && !call->offer_server && !call->pending_2xx && !call->bye_after_ack && !call->byes_unanswered
        && (!call->refers || !call->refers->len) && !call->ack_hop.name[0];
}

void call_retire(struct sip_call *call)
{
    struct sip_engine *engine = call->engine;
    struct retired_call *retired;
    GHashTableIter iter;
    gpointer tag;

    if (!call_can_retire(call))
        return;
    retired = g_new0(struct retired_call, 1);
    if (!engine_sent_message_init(&retired->ack, call->last_ack, call->ack_hop.protocol, call->ack_hop.host,
                                  call->ack_hop.port, call->ack_hop.connection_id))
    {
        g_free(retired);
        return;
    }
    retired->key = engine_call_key(call->call_id, call->local_tag);
    retired->remote_tag = g_strdup(call->dialog->remote_tag);
    retired->invite_cseq = call->invite_cseq;
    retired->ack_cseq = call->last_ack_cseq;
    retired->protocol = call->invite_hop.protocol;
    retired->connection_id = call->invite_hop.connection_id;
    retired->secure = call->invite_hop.secure;
    if (call->dismissed_forks && g_hash_table_size(call->dismissed_forks))
    {
        retired->dismissed_forks = g_ptr_array_new_with_free_func(g_free);
        g_hash_table_iter_init(&iter, call->dismissed_forks);
        while (g_hash_table_iter_next(&iter, &tag, NULL))
            g_ptr_array_add(retired->dismissed_forks, g_strdup(tag));
    }
    g_hash_table_replace(engine->retired_calls, retired->key, retired);
    /* The rest of the linger, at most: the call may have ended long after
     * its 2xx, but how long ago that was is not worth a field. */
    engine_timer_start(engine, SIP_TIMER_64T1_MS, retired_call_expired, retired, retired_call_free);
    g_debug("call %s retired", call->call_id);
    call_timer_cancel(call, &call->linger_timer);
    call_unregister(call);
}

static gboolean fork_dismissed(const struct retired_call *retired, const char *to_tag)
{
    guint i;

    for (i = 0; retired->dismissed_forks && i < retired->dismissed_forks->len; i++)
        if (!strcmp(g_ptr_array_index(retired->dismissed_forks, i), to_tag))
            return TRUE;
    return FALSE;
}

/* A fork's 2xx: ACKed (again), and sent a BYE the first time. */
static void dismiss_fork(struct sip_engine *engine, struct retired_call *retired, const osip_message_t *response,
                         const char *to_tag)
{
    struct sip_dialog *fork = sip_dialog_new_uac_from_2xx(response, retired->secure);
    struct sip_next_hop hop;
    osip_message_t *message;

    if (!fork)
        return;
    fork->protocol = retired->protocol;
    fork->connection_id = retired->connection_id;
    if (sip_dialog_next_hop(fork, &hop) && (message = sip_dialog_build_ack(fork, retired->invite_cseq)))
    {
        engine_send_ack(engine, message, &hop);
        osip_message_free(message);
        if (!fork_dismissed(retired, to_tag) && (message = sip_dialog_build_request(fork, "BYE")))
        {
            g_debug("retired call: dismissing the fork with tag %s", to_tag);
            if (!retired->dismissed_forks)
                retired->dismissed_forks = g_ptr_array_new_with_free_func(g_free);
            g_ptr_array_add(retired->dismissed_forks, g_strdup(to_tag));
            /* Nobody waits for its answer. */
            engine_send_request(engine, message, &hop, NULL, NULL, NULL, NULL);
        }
    }
    sip_dialog_free(fork);
}

void call_retired_handle_2xx(struct sip_engine *engine, const osip_message_t *response)
{
    const char *to_tag = sip_header_tag(response->to);
    char *key = engine_message_call_key(response, FALSE);
    struct retired_call *retired = key ? g_hash_table_lookup(engine->retired_calls, key) : NULL;
    guint32 cseq = engine_cseq_number(response);

    g_free(key);
    if (!retired || !to_tag)
        return;
    if (!strcmp(to_tag, retired->remote_tag))
    {
        if (cseq == retired->ack_cseq)
            engine_sent_response_send(engine, &retired->ack);
    }
    else if (cseq == retired->invite_cseq)
    {
        dismiss_fork(engine, retired, response, to_tag);
    }
}
