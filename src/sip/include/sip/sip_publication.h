/*
 * Event state publication (RFC 3903, PUBLISH) as the API layers see it:
 * one publication is one piece of event state at the event state
 * compositor (a presence server), named by the entity tag it returned.
 * The engine refreshes it before it expires (SIP-If-Match, no body),
 * publishes a new body in its place (modify), removes it (Expires: 0),
 * follows 423 Interval Too Brief, and publishes the whole body again when
 * the compositor lost the entity (412 Conditional Request Failed).
 * PUBLISHes of one publication go one at a time; a body given while one is
 * in flight waits, and only the newest waiting body is sent.
 *
 * Plain C and GLib types only; reports come from the main context, never
 * from inside these functions.
 */
#ifndef RTCSHIM_SIP_PUBLICATION_H
#define RTCSHIM_SIP_PUBLICATION_H

#include "sip_engine.h"

G_BEGIN_DECLS

struct sip_publication;

enum sip_publication_state
{
    SIP_PUBLICATION_PUBLISHING,     /* the first PUBLISH is under way */
    SIP_PUBLICATION_PUBLISHED,      /* the compositor holds it (an entity tag) */
    SIP_PUBLICATION_REMOVING,       /* PUBLISH with Expires: 0 sent */
    SIP_PUBLICATION_REMOVED,        /* gone (after removing) */
    SIP_PUBLICATION_FAILED,         /* refused (status code), timed out (408) or not sent (503); nothing more is tried */
};

struct sip_publish_options
{
    const char *proxy;              /* outbound proxy (sip_engine.h); NULL = the engine's default, "" = none */
    guint expires;                  /* seconds asked for; 0 = 3600 */
    const char *const *headers;     /* extra "Name: value" lines; NULL-terminated, may be NULL */
};

/* Publishes body (content_type) for the event package about aor (a
 * name-addr or a sip:/sips: URI whose host is an IP literal: From, To and
 * Request-URI). Returns a new reference in SIP_PUBLICATION_PUBLISHING, or
 * NULL with error. */
struct sip_publication *sip_publish(struct sip_engine *engine, const char *aor, const char *package,
                                    const char *content_type, const char *body, gsize body_length,
                                    const struct sip_publish_options *options, GError **error);

/* Replaces the published state with a new body (PUBLISH with SIP-If-Match). */
gboolean sip_publication_modify(struct sip_publication *publication, const char *content_type, const char *body,
                                gsize body_length, GError **error);

/* Removes it (PUBLISH, SIP-If-Match, Expires: 0): REMOVING, then REMOVED (or FAILED). */
gboolean sip_publication_remove(struct sip_publication *publication, GError **error);

struct sip_publication *sip_publication_ref(struct sip_publication *publication);
/* The last reference stops refreshing (the state lapses at the compositor). */
void sip_publication_unref(struct sip_publication *publication);

enum sip_publication_state sip_publication_get_state(struct sip_publication *publication);
const char *sip_publication_get_etag(struct sip_publication *publication);     /* NULL before the first 2xx */
guint sip_publication_get_expires(struct sip_publication *publication);        /* granted, seconds */
guint sip_publication_get_status_code(struct sip_publication *publication);
void sip_publication_set_user_data(struct sip_publication *publication, void *user_data);
void *sip_publication_get_user_data(struct sip_publication *publication);
const char *sip_publication_state_name(enum sip_publication_state state);

struct sip_publication_callbacks
{
    /* A PUBLISH that carried a body (the first, a modify) or removed the
     * state completed, or the publication failed. PUBLISHED is reported
     * for every body the compositor took, also when the state stays
     * PUBLISHED; quiet refreshes report nothing unless they fail.
     * status_code/reason are the response (408/503 when none came). */
    void (*state_changed)(struct sip_publication *publication, enum sip_publication_state state, guint status_code,
                          const char *reason_phrase, void *user_data);
};

/* Installs the publication reports (user_data is the engine's). */
void sip_engine_set_publication_callbacks(struct sip_engine *engine, const struct sip_publication_callbacks *callbacks);

G_END_DECLS

#endif /* RTCSHIM_SIP_PUBLICATION_H */
