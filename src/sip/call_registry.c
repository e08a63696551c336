/*
 * The engine's calls: every call object not yet freed (so sip_engine_free()
 * can detach them), and the live ones by "Call-ID\nlocal tag" and, for
 * incoming calls, by "Call-ID\nremote tag" (INVITE retransmissions after
 * our 2xx, CANCEL). call.c registers its calls; dispatch.c finds them.
 */

#ifndef G_LOG_DOMAIN
#define G_LOG_DOMAIN "rtcshim"
#endif

#include "call.h"
#include "call_registry.h"
#include "engine.h"
#include "message.h"

char *engine_call_key(const char *call_id, const char *tag)
{
    return g_strconcat(call_id, "\n", tag ? tag : "", NULL);
}

void engine_track_call(struct sip_engine *engine, struct sip_call *call)
{
    g_hash_table_add(engine->all_calls, call);
}

void engine_untrack_call(struct sip_engine *engine, struct sip_call *call)
{
    g_hash_table_remove(engine->all_calls, call);
}

void engine_register_call(struct sip_engine *engine, struct sip_call *call, const char *call_id,
                          const char *local_tag, const char *remote_tag)
{
    g_hash_table_replace(engine->calls, engine_call_key(call_id, local_tag), sip_call_ref(call));
    if (remote_tag)
        g_hash_table_replace(engine->incoming_calls, engine_call_key(call_id, remote_tag), sip_call_ref(call));
}

struct sip_call *engine_lookup_call(struct sip_engine *engine, const char *call_id, const char *local_tag)
{
    char *key;
    struct sip_call *call;

    if (!call_id || !local_tag)
        return NULL;
    key = engine_call_key(call_id, local_tag);
    call = g_hash_table_lookup(engine->calls, key);
    g_free(key);
    return call;
}

void engine_unregister_call(struct sip_engine *engine, struct sip_call *call, const char *call_id,
                            const char *local_tag, const char *remote_tag)
{
    char *key = engine_call_key(call_id, local_tag);

    if (g_hash_table_lookup(engine->calls, key) == call)
        g_hash_table_remove(engine->calls, key);
    g_free(key);
    if (remote_tag)
    {
        key = engine_call_key(call_id, remote_tag);
        if (g_hash_table_lookup(engine->incoming_calls, key) == call)
            g_hash_table_remove(engine->incoming_calls, key);
        g_free(key);
    }
}

char *engine_message_call_key(const osip_message_t *message, gboolean local_in_to)
{
    const char *tag = sip_header_tag(local_in_to ? message->to : message->from);
    char *call_id, *key;

    if (!tag || !(call_id = engine_call_id_string(message->call_id)))
        return NULL;
    key = engine_call_key(call_id, tag);
    g_free(call_id);
    return key;
}

struct sip_call *engine_find_call(struct sip_engine *engine, const osip_message_t *message, gboolean local_in_to)
{
    char *key = engine_message_call_key(message, local_in_to);
    struct sip_call *call = key ? g_hash_table_lookup(engine->calls, key) : NULL;

    g_free(key);
    return call;
}

struct sip_call *engine_lookup_incoming_call(struct sip_engine *engine, const char *call_id, const char *remote_tag)
{
    char *key = engine_call_key(call_id, remote_tag);
    struct sip_call *call = g_hash_table_lookup(engine->incoming_calls, key);

    g_free(key);
    return call;
}

void engine_detach_calls(struct sip_engine *engine)
{
    GList *calls, *l;

    /* They cancel their timers, forget their transactions and release
     * their media streams (the backend goes after them). Every call
     * object, also one that ended and left the registry but is still
     * referenced by the application, is detached. */
    calls = g_hash_table_get_keys(engine->all_calls);
    for (l = calls; l; l = l->next)
        sip_call_ref(l->data);
    for (l = calls; l; l = l->next)
    {
        call_detach(l->data);
        sip_call_unref(l->data);
    }
    g_list_free(calls);
    g_hash_table_remove_all(engine->calls);
    g_hash_table_remove_all(engine->incoming_calls);
}
