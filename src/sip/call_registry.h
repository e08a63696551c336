/*
 * The engine's calls (call_registry.c): call.c registers them, dispatch.c
 * finds them, sip_engine_free() detaches them. Internal to src/sip/.
 */
#ifndef RTCSHIM_SIP_CALL_REGISTRY_H
#define RTCSHIM_SIP_CALL_REGISTRY_H

#include "engine.h"

G_BEGIN_DECLS

/* A call object exists / is being freed (call_new, the last unref). */
void engine_track_call(struct sip_engine *engine, struct sip_call *call);
void engine_untrack_call(struct sip_engine *engine, struct sip_call *call);

/* A live call is findable by its dialog (remote_tag: incoming calls only)
 * / no longer. The registry holds a reference meanwhile. */
void engine_register_call(struct sip_engine *engine, struct sip_call *call, const char *call_id,
                          const char *local_tag, const char *remote_tag);
void engine_unregister_call(struct sip_engine *engine, struct sip_call *call, const char *call_id,
                            const char *local_tag, const char *remote_tag);

/* The key calls (and retired calls, call_retired.c) are filed under: a
 * Call-ID and a tag (g_free). engine_message_call_key: the message's, with
 * our tag in To if local_in_to, else in From; NULL without tag or Call-ID. */
char *engine_call_key(const char *call_id, const char *tag);
char *engine_message_call_key(const osip_message_t *message, gboolean local_in_to);

/* The call with this Call-ID and local tag, not referenced; NULL if none. */
struct sip_call *engine_lookup_call(struct sip_engine *engine, const char *call_id, const char *local_tag);

/* The incoming call with this Call-ID and remote (the caller's From) tag,
 * not referenced; NULL if none. */
struct sip_call *engine_lookup_incoming_call(struct sip_engine *engine, const char *call_id, const char *remote_tag);

/* The call a message belongs to, by Call-ID and our tag (in To if
 * local_in_to, else in From), not referenced; NULL if none. */
struct sip_call *engine_find_call(struct sip_engine *engine, const osip_message_t *message, gboolean local_in_to);

/* sip_engine_free(): detaches every call object (see call_detach()) and
 * empties the registry. */
void engine_detach_calls(struct sip_engine *engine);

G_END_DECLS

#endif /* RTCSHIM_SIP_CALL_REGISTRY_H */
