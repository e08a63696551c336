/*
 * The UCC presence family's shared inside (docs/ucc.md, "Presence";
 * docs/wire-mapping.md, "UCC presence"):
 *
 *   subscription.c       IUccSubscriptionManager (on the endpoint), IUccSubscription,
 *                        IUccSubscriptionEvent: Subscribe / Query / Unsubscribe over
 *                        one engine subscription ("presence") per presentity
 *   presentity.c         IUccPresentity: its engine subscription and the category
 *                        contexts its NOTIFYs fill
 *   category.c           IUccCategoryContext and IUccCategoryInstance (received ones,
 *                        and publishable ones made by the publication manager)
 *   publication.c        IUccPublicationManager (on the endpoint), IUccPublication,
 *                        IUccContainer, IUccContainerMember and the endpoint's
 *                        published state: PUBLISHed to the signaling server, or
 *                        NOTIFYed to the watchers that subscribe directly
 *   presence_category.c  the "state" and "note" category values <-> PIDF/RPID
 *   presence_events.c    IUccCategoryContextEvent, IUccCategoryInstanceEvent
 *
 * Two categories travel over SIMPLE: "state" (availability and activity) and
 * "note". The others can be named in a subscription (they never get an
 * instance) but not published (Publish refuses them).
 */
#ifndef RTCSHIM_UCC_PRESENCE_H
#define RTCSHIM_UCC_PRESENCE_H

#include "ucc_private.h"
#include "sip/sip_presence.h"
#include "sip/sip_subscription.h"
#include "sip/sip_publication.h"

#define UCC_CATEGORY_STATE L"state"
#define UCC_CATEGORY_NOTE L"note"

struct ucc_subscription;
struct ucc_presentity;
struct ucc_category_context;
struct ucc_category_instance;
struct ucc_publisher;

/* ---- presence_category.c --------------------------------------------------------------------------- */

/* What a presentity's document says, in UCC terms. */
struct ucc_presence_view
{
    LONG availability;          /* UCC_PRESENCE_AVAILABILITY (its range's lower bound) */
    char *activity;             /* the activity token ("on-the-phone", "away" ...), NULL for none */
    char *note;                 /* NULL for none */
};

void ucc_presence_view_clear(struct ucc_presence_view *view);
/* Reads a PIDF document (the most available tuple wins); no tuple: unavailable. */
void ucc_presence_view_from_document(const struct sip_presence_document *document, struct ucc_presence_view *view);
/* The category values the UCC API hands out (XML in the category's namespace); g_free. */
char *ucc_state_value_build(LONG availability, const char *activity);
char *ucc_note_value_build(const char *note);
/* Reads a published category value; FALSE when it is not that category's XML. */
BOOL ucc_state_value_parse(const char *xml, LONG *availability, char **activity);
BOOL ucc_note_value_parse(const char *xml, char **note);
/* The PIDF document of a view (entity: our address of record). */
struct sip_presence_document *ucc_presence_document_build(const char *entity, const char *tuple_id,
                                                          const struct ucc_presence_view *view);

/* ---- category.c ------------------------------------------------------------------------------------ */

HRESULT ucc_category_context_create(struct ucc_platform *platform, struct ucc_presentity *presentity,
                                    const WCHAR *name, struct ucc_category_context **out);
IUccCategoryContext *ucc_category_context_iface(struct ucc_category_context *context);
void ucc_category_context_release(struct ucc_category_context *context);
const WCHAR *ucc_category_context_name(struct ucc_category_context *context);
/* The instance (container, id) of the context, NULL when none. */
struct ucc_category_instance *ucc_category_context_find(struct ucc_category_context *context, LONG container,
                                                        LONG instance_id);
/* Sets an instance's value, adding it when new (OnCategoryInstanceAdded) and firing
 * OnCategoryInstanceValueModified when the value changed. */
void ucc_category_context_set(struct ucc_category_context *context, LONG container, LONG instance_id,
                              const char *value);
/* Removes one instance (OnCategoryInstanceRemoved with the reason), or all with instance_id -1. */
void ucc_category_context_remove(struct ucc_category_context *context, LONG instance_id,
                                 UCC_CATEGORY_REMOVAL_REASON reason);
BOOL ucc_category_context_is_empty(struct ucc_category_context *context);
/* The presentity is going: the context forgets it (weak link). */
void ucc_category_context_detach(struct ucc_category_context *context);
struct ucc_presentity *ucc_category_context_presentity(struct ucc_category_context *context);

/* A publishable instance (IUccPublicationManager::CreatePublishableCategoryInstance). */
HRESULT ucc_category_instance_create_publishable(struct ucc_endpoint *endpoint, const WCHAR *name, LONG container,
                                                 LONG instance_id, UCC_CATEGORY_INSTANCE_EXPIRE_TYPE expire_type,
                                                 LONG expire_time, IUccCategoryInstance **out);
struct ucc_category_instance *ucc_category_instance_from_iface(IUnknown *iface);
IUccCategoryInstance *ucc_category_instance_iface(struct ucc_category_instance *instance);
void ucc_category_instance_add_ref(struct ucc_category_instance *instance);
void ucc_category_instance_release(struct ucc_category_instance *instance);
const WCHAR *ucc_category_instance_name(struct ucc_category_instance *instance);
LONG ucc_category_instance_container(struct ucc_category_instance *instance);
LONG ucc_category_instance_id(struct ucc_category_instance *instance);
const char *ucc_category_instance_value(struct ucc_category_instance *instance);
UCC_PUBLICATION_OPERATION_TYPE ucc_category_instance_operation(struct ucc_category_instance *instance);
BOOL ucc_category_instance_publishable(struct ucc_category_instance *instance);
/* The publisher took it: version, published time. */
void ucc_category_instance_published(struct ucc_category_instance *instance, LONG version);

/* ---- presentity.c ---------------------------------------------------------------------------------- */

HRESULT ucc_presentity_create(struct ucc_endpoint *endpoint, IUccUri *uri, IUccContext *context,
                              struct ucc_presentity **out);
struct ucc_presentity *ucc_presentity_from_iface(IUnknown *iface);
IUccPresentity *ucc_presentity_iface(struct ucc_presentity *presentity);
void ucc_presentity_add_ref(struct ucc_presentity *presentity);
void ucc_presentity_release(struct ucc_presentity *presentity);
struct ucc_platform *ucc_presentity_platform(struct ucc_presentity *presentity);
struct ucc_endpoint *ucc_presentity_endpoint(struct ucc_presentity *presentity);
/* Which subscription it belongs to (weak; NULL when none). */
struct ucc_subscription *ucc_presentity_subscription(struct ucc_presentity *presentity);
void ucc_presentity_set_subscription(struct ucc_presentity *presentity, struct ucc_subscription *subscription);
/* Starts watching (fetch: one NOTIFY, for Query). */
HRESULT ucc_presentity_subscribe(struct ucc_presentity *presentity, BOOL fetch);
/* Stops (unsubscribes); FALSE when there was nothing to stop. */
BOOL ucc_presentity_unsubscribe(struct ucc_presentity *presentity);
BOOL ucc_presentity_is_subscribed(struct ucc_presentity *presentity);
/* The engine's reports for its subscription. */
void ucc_presentity_on_state(struct ucc_presentity *presentity, enum sip_subscription_status state,
                             enum sip_subscription_reason reason, guint status_code);
void ucc_presentity_on_notify(struct ucc_presentity *presentity, const struct sip_subscription_notify *notify);
/* The endpoint lets go of its engine: the subscription ends without protocol. */
void ucc_presentity_engine_gone(struct ucc_presentity *presentity);

/* ---- subscription.c -------------------------------------------------------------------------------- */

extern const IUccSubscriptionManagerVtbl ucc_subscription_manager_vtbl;
/* A presentity's operation (Subscribe, Query, Unsubscribe) got its outcome. */
void ucc_subscription_presentity_done(struct ucc_subscription *subscription, struct ucc_presentity *presentity,
                                      HRESULT status, const char *text);
/* The category names asked for (a presentity fills only these). */
BOOL ucc_subscription_wants(struct ucc_subscription *subscription, const WCHAR *category);

/* ---- publication.c ------------------------------------------------------------------------------- */

extern const IUccPublicationManagerVtbl ucc_publication_manager_vtbl;
struct ucc_publisher *ucc_publisher_create(struct ucc_endpoint *endpoint);
void ucc_publisher_free(struct ucc_publisher *publisher);
/* The endpoint has an engine (Enable) / is letting it go (Disable). */
void ucc_publisher_engine_ready(struct ucc_publisher *publisher);
void ucc_publisher_engine_gone(struct ucc_publisher *publisher);
/* Signing out: the state at the server is removed (PUBLISH Expires: 0); TRUE while that is under way. */
void ucc_publisher_withdraw(struct ucc_publisher *publisher);
BOOL ucc_publisher_withdrawing(struct ucc_publisher *publisher);
/* A SUBSCRIBE for our presence, and the state of the subscriptions we serve. */
void ucc_publisher_on_subscription(struct ucc_publisher *publisher, struct sip_subscription *subscription);
void ucc_publisher_on_watcher_state(struct ucc_publisher *publisher, struct sip_subscription *subscription,
                                    enum sip_subscription_status state);
void ucc_publisher_on_publication(struct ucc_publisher *publisher, struct sip_publication *publication,
                                  enum sip_publication_state state, guint status_code, const char *reason);
/* A container the publication manager made (IUccCategoryInstance::get_Container); NULL when none. */
IUccContainer *ucc_publisher_container(struct ucc_publisher *publisher, LONG id);

/* ---- presence_events.c ---------------------------------------------------------------------------- */

/* Event data with the removal reason (0: none) in its context (UCCCCEC_REMOVAL_REASON). */
HRESULT ucc_category_context_event_create(IUccCategoryContext *context, UCC_CATEGORY_REMOVAL_REASON reason,
                                          IUnknown **out);
HRESULT ucc_category_instance_event_create(IUccCategoryInstance *instance, UCC_CATEGORY_REMOVAL_REASON reason,
                                           IUnknown **out);

/* ---- endpoint.c (glue) ----------------------------------------------------------------------------- */

struct ucc_endpoint *ucc_endpoint_from_subscription_manager(IUccSubscriptionManager *iface);
struct ucc_endpoint *ucc_endpoint_from_publication_manager(IUccPublicationManager *iface);
struct ucc_publisher *ucc_endpoint_publisher(struct ucc_endpoint *endpoint);
struct connection_point *ucc_endpoint_publication_manager_point(struct ucc_endpoint *endpoint);
/* The signaling server as a route ("sip:host:port;transport=..."), NULL when server-less; g_free. */
char *ucc_endpoint_server_route(struct ucc_endpoint *endpoint);
/* The publication's withdrawal ended (the endpoint may be idle now). */
void ucc_endpoint_publication_withdrawn(struct ucc_endpoint *endpoint);
/* Our address of record, UTF-8; g_free. */
char *ucc_endpoint_aor(struct ucc_endpoint *endpoint);
/* Presentities with a live engine subscription (weak; the endpoint lets them know when its engine goes). */
void ucc_endpoint_add_presentity(struct ucc_endpoint *endpoint, struct ucc_presentity *presentity);
void ucc_endpoint_remove_presentity(struct ucc_endpoint *endpoint, struct ucc_presentity *presentity);

#endif
