/*
 * Snapshot collections and enumerators over an array of interface pointers:
 * IRTCCollection (the shared collection of com/collection.h: IDispatch and an
 * IEnumVARIANT from _NewEnum), IRTCEnumProfiles and IRTCEnumParticipants. Every object created here takes its
 * own reference on each item; the caller keeps (and releases) its own.
 * A snapshot does not follow later changes to the list it was made from.
 */
#ifndef RTCSHIM_RTCCORE_COLLECTION_H
#define RTCSHIM_RTCCORE_COLLECTION_H

#include "rtccore_private.h"
#include "com/collection.h"

/* MIDL's automatic DISPID for IRTCCollection::Count, the first member without id():
 * 0x60000000 | (interface depth 2) << 16 | (member index 0). */
#define RTC_DISPID_COLLECTION_COUNT 0x60020000

/*
 * IRTCCollection over items[0..count-1] (count may be 0; items may then be NULL).
 * get_Item(i) is 1-based and gives VT_DISPATCH with the item's IDispatch when the
 * item answers IID_IDispatch, otherwise VT_UNKNOWN with the item itself.
 * Returns E_POINTER, E_INVALIDARG (a NULL item) or E_OUTOFMEMORY on failure.
 */
HRESULT rtc_collection_create(IUnknown **items, unsigned int count, IRTCCollection **out);

/*
 * IRTCEnumProfiles / IRTCEnumParticipants over items[]: each entry must be the
 * element interface pointer itself (an IRTCProfile * or IRTCParticipant *), which
 * Next hands out AddRef'd. Same argument rules as rtc_collection_create.
 */
HRESULT rtc_enum_profiles_create(IUnknown **items, unsigned int count, IRTCEnumProfiles **out);
HRESULT rtc_enum_participants_create(IUnknown **items, unsigned int count, IRTCEnumParticipants **out);

#endif
