/* Definitions of the COM base GUIDs (IUnknown, IDispatch, IConnectionPoint ...).
 * On Windows they come from uuid.lib; here the library carries them, so a ported
 * program links with nothing but pkg-config's flags. The RTC/UCC GUIDs come from
 * widl's *_i.c files. */
#define INITGUID
#include <windows.h>
#include <objbase.h>
#include <oaidl.h>
#include <ocidl.h>
#include <cguid.h>

/* cguid.h declares GUID_NULL plainly rather than through DEFINE_GUID. */
const IID GUID_NULL = { 0, 0, 0, { 0, 0, 0, 0, 0, 0, 0, 0 } };
