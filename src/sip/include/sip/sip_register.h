/*
 * Registration (RFC 3261 §10) and credentials for digest authentication
 * (RFC 2617 / RFC 7616: MD5, SHA-256, qop=auth), as the API layers see them.
 *
 * Credentials are the engine's: any request it sends (REGISTER, INVITE,
 * BYE, MESSAGE, REFER, ...) that gets 401 or 407 is sent again once with
 * an Authorization / Proxy-Authorization for each challenge whose realm
 * has credentials (or, failing that, with the default credentials). The
 * layer above sees only the final outcome. A second challenge for the same
 * realm that is not "stale" means the credentials are wrong: that 401/407
 * is the outcome.
 *
 * A registration binds our Contact to an address-of-record, refreshes it
 * before it expires (at half the granted time, at most 32 s early), follows
 * 423 Interval Too Brief, and unregisters (Expires: 0) on request.
 *
 * Plain C and GLib types only; reports come from the main context, never
 * from inside these functions.
 */
#ifndef RTCSHIM_SIP_REGISTER_H
#define RTCSHIM_SIP_REGISTER_H

#include "sip_engine.h"

G_BEGIN_DECLS

/* Credentials for realm (NULL: the default for realms without their own).
 * Setting them again replaces them; password NULL removes them. */
void sip_engine_set_credentials(struct sip_engine *engine, const char *realm, const char *username,
                                const char *password);
void sip_engine_clear_credentials(struct sip_engine *engine);

struct sip_registration;

enum sip_registration_state
{
    SIP_REGISTRATION_REGISTERING,   /* REGISTER sent (first time or after a failure) */
    SIP_REGISTRATION_REGISTERED,    /* bound; refreshes go on quietly */
    SIP_REGISTRATION_UNREGISTERING, /* REGISTER with Expires: 0 sent */
    SIP_REGISTRATION_UNREGISTERED,  /* the binding is gone (after unregistering) */
    SIP_REGISTRATION_FAILED,        /* refused (status code: 403, 404, 401 with bad credentials, ...),
                                       timed out (408) or not sent (503), every target tried
                                       (sip_registration_get_delivery_failure says why); nothing
                                       more is tried */
};

struct sip_registration_callbacks
{
    /* The registration reached a new state; status_code/reason are the
     * response behind it (0 "" when none). A refresh that fails reports
     * FAILED; one that succeeds reports nothing. */
    void (*state_changed)(struct sip_registration *registration, enum sip_registration_state state,
                          guint status_code, const char *reason_phrase, void *user_data);
};

/* Installs the registration reports (user_data is the engine's). */
void sip_engine_set_registration_callbacks(struct sip_engine *engine,
                                           const struct sip_registration_callbacks *callbacks);

/* Registers aor ("sip:alice@example.com", or a name-addr) with registrar
 * (a sip:/sips: URI, e.g. "sip:127.0.0.1:5060" or "sip:example.com" -- a
 * name is resolved as RFC 3263 says, sip_engine.h; NULL = the AOR's
 * domain), asking for expires seconds (0 = 3600). Returns a new reference
 * in SIP_REGISTRATION_REGISTERING, or NULL with error.
 *
 * While bound, the path to the registrar is kept open (sip_engine_set_keepalive);
 * when the registrar's 2xx shows, in the Via's received/rport, that it sees
 * us on UDP at another address than our Contact (a NAT), the binding is
 * refreshed at once with that address (and the old one removed), and
 * later requests to that registrar carry it in their Contact. */
struct sip_registration *sip_register(struct sip_engine *engine, const char *aor, const char *registrar,
                                      guint expires, GError **error);

struct sip_register_options
{
    /* Outbound proxy for every REGISTER of this registration (see
     * sip_engine.h: Route: <proxy;lr>, the Request-URI stays the
     * registrar): NULL = the engine's default at sip_register_full() time,
     * "" = none (direct to the registrar). */
    const char *proxy;
};

/* sip_register with options (NULL options = sip_register, which uses the
 * engine's default outbound proxy). */
struct sip_registration *sip_register_full(struct sip_engine *engine, const char *aor, const char *registrar,
                                           guint expires, const struct sip_register_options *options,
                                           GError **error);

/* Removes the binding (REGISTER with Expires: 0); reports UNREGISTERING
 * then UNREGISTERED (or FAILED). Refreshing stops. No-op when not
 * registered or registering (a registration still in flight is
 * unregistered as soon as it succeeds). */
gboolean sip_registration_unregister(struct sip_registration *registration, GError **error);

struct sip_registration *sip_registration_ref(struct sip_registration *registration);
/* The last reference stops refreshing; it does not unregister. */
void sip_registration_unref(struct sip_registration *registration);

enum sip_registration_state sip_registration_get_state(struct sip_registration *registration);
guint sip_registration_get_status_code(struct sip_registration *registration);
/* With a FAILED state: why no registrar answered (SIP_DELIVERY_OK when one did). */
enum sip_delivery_failure sip_registration_get_delivery_failure(struct sip_registration *registration);
const char *sip_registration_get_reason_phrase(struct sip_registration *registration);
/* The binding's lifetime the registrar granted, in seconds (0 when not registered). */
guint sip_registration_get_expires(struct sip_registration *registration);
const char *sip_registration_get_aor(struct sip_registration *registration);

void sip_registration_set_user_data(struct sip_registration *registration, void *user_data);
void *sip_registration_get_user_data(struct sip_registration *registration);

const char *sip_registration_state_name(enum sip_registration_state state);

G_END_DECLS

#endif /* RTCSHIM_SIP_REGISTER_H */
