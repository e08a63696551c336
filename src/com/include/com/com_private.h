/*
 * The COM runtime's internal interface, shared by rtccore/ and ucc/ (the
 * snapshot collection is in com/collection.h).
 *
 * Apartment rules (docs/architecture.md, "Threads and the event loop"): an
 * apartment is the GMainContext that was the
 * thread-default one when the thread called CoInitialize(Ex); objects record the
 * thread that created them and refuse calls from any other (RPC_E_WRONG_THREAD).
 */
#ifndef RTCSHIM_COM_PRIVATE_H
#define RTCSHIM_COM_PRIVATE_H

#ifndef COBJMACROS
#define COBJMACROS
#endif
#include <windows.h>
#include <ocidl.h>
#include <olectl.h>     /* CONNECT_E_* */
#include <glib.h>

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

/* ---- apartments ---------------------------------------------------------- */

/* The calling thread's apartment context (a new reference), or NULL when the
 * thread has not called CoInitialize(Ex). */
GMainContext *com_apartment_context(void);
BOOL com_apartment_is_initialized(void);

/* ---- class registry ------------------------------------------------------ */

/* Creates a new instance and returns the interface riid on it. */
typedef HRESULT (*com_create_instance_fn)(REFIID riid, void **ppv);

/* Each object family registers its coclasses once (from a constructor). */
void com_register_class(REFCLSID clsid, const char *name, com_create_instance_fn create);

/* The class factory of a registered class (REGDB_E_CLASSNOTREG for others): what
 * CoGetClassObject (Linux) and DllGetClassObject (rtcshim.dll) hand out. */
HRESULT com_class_get_object(REFCLSID clsid, REFIID riid, void **ppv);

/* The index-th registered class (for DllRegisterServer); FALSE past the last. */
BOOL com_class_enum(unsigned int index, CLSID *clsid, const char **name);

/* ---- module life ----------------------------------------------------------- */

/* Every COM object counts itself from creation to its final Release, and so does each
 * IClassFactory::LockServer(TRUE); DllCanUnloadNow says S_OK only at zero. */
void com_module_lock(void);
void com_module_unlock(void);
LONG com_module_lock_count(void);

/* ---- connection points ---------------------------------------------------- */

/*
 * One connection point for one outgoing interface. It is not a COM object of
 * its own: it lives inside its container object and shares that object's
 * reference count (AddRef/Release go to the container), as COM requires.
 */
struct connection_point
{
    IConnectionPoint IConnectionPoint_iface;
    IConnectionPointContainer *container;   /* not referenced: we live inside it */
    IID iid;
    struct connection_sink *sinks;
    unsigned int sink_count, sink_capacity;
    DWORD last_cookie;
};

void connection_point_init(struct connection_point *cp, IConnectionPointContainer *container, REFIID iid);
/* Releases every sink; call from the container's destructor. */
void connection_point_destroy(struct connection_point *cp);
BOOL connection_point_has_sinks(const struct connection_point *cp);

/*
 * Calls fn for each sink advised at the time of the call, with a reference held
 * on each, so a sink may Unadvise (itself or others) or Advise from inside fn.
 * A sink unadvised before its turn is skipped; one advised during the loop gets
 * the next event. The sink pointer is the one obtained by QueryInterface for the
 * point's IID.
 */
typedef void (*connection_sink_fn)(IUnknown *sink, void *user_data);
void connection_point_for_each_sink(struct connection_point *cp, connection_sink_fn fn, void *user_data);

/* IConnectionPointContainer helpers over an array of points. */
HRESULT connection_points_find(struct connection_point **points, unsigned int count,
                               REFIID riid, IConnectionPoint **cp);
HRESULT connection_points_enum(struct connection_point **points, unsigned int count,
                               IEnumConnectionPoints **enum_points);

/* ---- IDispatch by table ---------------------------------------------------- */

/*
 * A small IDispatch for interfaces without a type library: one entry per member
 * with its DISPID, its name and a thunk that calls the vtable method and packs
 * the result into a VARIANT.
 */
struct dispatch_member
{
    const WCHAR *name;
    DISPID dispid;
    WORD flags;     /* DISPATCH_METHOD / DISPATCH_PROPERTYGET / DISPATCH_PROPERTYPUT */
    HRESULT (*invoke)(IDispatch *iface, DISPPARAMS *params, VARIANT *result);
};

struct dispatch_table
{
    const struct dispatch_member *members;
    unsigned int count;
};

HRESULT dispatch_get_ids_of_names(const struct dispatch_table *table, LPOLESTR *names,
                                  UINT count, DISPID *dispids);
HRESULT dispatch_invoke(const struct dispatch_table *table, IDispatch *iface, DISPID dispid,
                        WORD flags, DISPPARAMS *params, VARIANT *result, UINT *arg_err);

/* Argument coercion for the thunks. An argument passed as VT_VARIANT|VT_BYREF
 * stands for the VARIANT it points to. */
const VARIANT *com_variant_deref(const VARIANT *arg);
/* Any integer type or decimal string, by value or by reference, as a LONG:
 * DISP_E_OVERFLOW if it does not fit, DISP_E_TYPEMISMATCH if it is no number. */
HRESULT com_variant_to_long(const VARIANT *arg, LONG *value);

/* ---- methods not built, or built only in part ------------------------------------ */

/*
 * What a declared-but-not-built method returns: E_NOTIMPL. Call it as the whole
 * body, `return com_not_built(__func__);`. The first call of each method logs a
 * warning, like Wine's FIXME; RTCSHIM_QUIET_NOTIMPL=1 in the environment silences it.
 * tools/gen-status.py finds these bodies: docs/status.md lists the method as E_NOTIMPL.
 */
HRESULT com_not_built(const char *method);

/*
 * Marks a method that answers but does only part of its documented job: it returns
 * a constant, pretends, or refuses a case with E_NOTIMPL. reason (a string literal)
 * says what is missing. The first call of each method logs it at info level
 * (G_MESSAGES_DEBUG=rtcshim shows it; RTCSHIM_QUIET_NOTIMPL=1 silences it).
 * tools/gen-status.py reads the literal: docs/status.md lists the method as partial.
 */
#define com_partial(method, reason) com_partial_note(method, "" reason "")
void com_partial_note(const char *method, const char *reason);

/* The reason shared by GetTypeInfoCount and GetTypeInfo of every IDispatch here. */
#define COM_NO_TYPE_LIBRARY "no type library at run time: GetTypeInfoCount gives 0, GetTypeInfo no ITypeInfo " \
    "(GetIDsOfNames and Invoke work from a member table)"

/*
 * Marks an interface whose object exists but is never handed to the application
 * (an event nothing raises yet); reason is a string literal. Expands to an unused
 * constant that tools/gen-status.py reads: docs/status.md lists the interface's
 * methods as partial with the reason. Use it at file scope, once per interface.
 */
struct com_never_delivered
{
    const IID *iid;
    const char *reason;
};
#define COM_NEVER_DELIVERED(iface, reason) \
    static const struct com_never_delivered never_delivered_##iface __attribute__((unused)) = \
        { &IID_##iface, "" reason "" }

/* ---- strings ---------------------------------------------------------------- */

/* UTF-8 <-> BSTR/WCHAR conversions for the layers above the engine. */
BSTR com_bstr_from_utf8(const char *utf8);
char *com_utf8_from_wstr(const WCHAR *str);     /* g_free() the result; NULL -> NULL */

#endif
