/*
 * Provisioning documents read into a struct rtc_profile_data (provisioning.c),
 * and the helpers the profile object (profile.c) shares with the reader to
 * change the data afterwards. Internal to rtccore/.
 */
#ifndef RTCSHIM_RTCCORE_PROVISIONING_H
#define RTCSHIM_RTCCORE_PROVISIONING_H

#include "profile.h"

/* Every RTCAU_* bit a profile may allow. */
#define RTCAU_VALID_MASK (RTCAU_BASIC | RTCAU_DIGEST | RTCAU_NTLM | RTCAU_KERBEROS | RTCAU_USE_LOGON_CRED)

/*
 * Reads a provisioning document (UTF-8) into data, which starts zeroed. The
 * HRESULTs are those of rtc_profile_create_from_xml() (profile.h). On failure
 * data may hold part of the document: rtc_profile_data_clear() frees it either
 * way.
 */
HRESULT rtc_provisioning_parse(const char *utf8, struct rtc_profile_data *data);

/* Frees every value of data and zeroes it. */
void rtc_profile_data_clear(struct rtc_profile_data *data);

/*
 * The profile-wide authentication rules for the allowed set auth: with any
 * UDP server only Digest (RTC_E_UDP_NOT_SUPPORTED); Basic needs every server
 * on TLS (RTC_E_BASIC_AUTH_SET_TLS).
 */
HRESULT rtc_profile_check_auth(const struct rtc_profile_data *data, LONG auth);

/* ---- string values ---- */

/* A copy of value without surrounding white space; NULL for NULL or blank. */
char *rtc_profile_dup_stripped(const char *value);
/* A BSTR argument as UTF-8 (g_free), or NULL when it is not valid Unicode. */
char *rtc_profile_utf8_from_argument(const WCHAR *str);
/* Frees *field and stores value (taken) in it. */
void rtc_profile_replace_string(char **field, char *value);
/* Wipes a password and frees it (NULL is fine). */
void rtc_profile_free_secret(char *secret);

#endif
