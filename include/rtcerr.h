/*
 * rtcerr.h - HRESULT codes of the Microsoft RTC Client API, for rtcshim.
 *
 * Written for rtcshim from the values Microsoft documents (MSDN: RTC_E_ Constants) and the
 * Platform SDK's rtcerr.h, which agree with mingw-w64's rtcerr.h name for name and value for
 * value; tests/abi/facts/rtc.tsv lists each with its source and tests/abi checks them at build time.
 *
 * Layout of every code: severity (2 bits) | C | R | facility (12 bits) | code (16 bits).
 *   FACILITY_RTC_INTERFACE    (0xEE)  errors of the API itself          0x80EE00xx
 *   FACILITY_SIP_STATUS_CODE  (0xEF)  a SIP final/provisional response  0x80EFnnnn / 0x00EFnnnn
 *   FACILITY_PINT_STATUS_CODE (0xF0)  PINT (PSTN gateway) outcomes      0x80F000xx
 * A SIP status maps as  (sip >= 300 ? 0x80000000 : 0) | 0x00EF0000 | sip  - also for SIP
 * codes without a name below - and is recovered with  hr & 0xFFFF  when
 * HRESULT_FACILITY(hr) == FACILITY_SIP_STATUS_CODE.
 */
#ifndef RTCSHIM_RTCERR_H
#define RTCSHIM_RTCERR_H

#include <windef.h>   /* HRESULT */

#define FACILITY_RTC_INTERFACE     0xEE
#define FACILITY_SIP_STATUS_CODE   0xEF
#define FACILITY_PINT_STATUS_CODE  0xF0

#define STATUS_SEVERITY_SUCCESS    0x0
#define STATUS_SEVERITY_RTC_ERROR  0x2

/* ---- API errors (FACILITY_RTC_INTERFACE): 134 codes ---- */
#define RTC_E_SIP_CODECS_DO_NOT_MATCH                    ((HRESULT)0x80EE0000)  /* No matching codecs with peer */
#define RTC_E_SIP_STREAM_PRESENT                         ((HRESULT)0x80EE0001)  /* The stream to be started is already present */
#define RTC_E_SIP_STREAM_NOT_PRESENT                     ((HRESULT)0x80EE0002)  /* The stream to be stopped is not present */
#define RTC_E_SIP_NO_STREAM                              ((HRESULT)0x80EE0003)  /* No stream is active */
#define RTC_E_SIP_PARSE_FAILED                           ((HRESULT)0x80EE0004)  /* Parsing SIP failed */
#define RTC_E_SIP_HEADER_NOT_PRESENT                     ((HRESULT)0x80EE0005)  /* The SIP header is not present in the message */
#define RTC_E_SDP_NOT_PRESENT                            ((HRESULT)0x80EE0006)  /* SDP is not present in the SIP message */
#define RTC_E_SDP_PARSE_FAILED                           ((HRESULT)0x80EE0007)  /* Parsing SDP failed */
#define RTC_E_SDP_UPDATE_FAILED                          ((HRESULT)0x80EE0008)  /* SDP does not match the previous one */
#define RTC_E_SDP_MULTICAST                              ((HRESULT)0x80EE0009)  /* Multicast is not supported */
#define RTC_E_SDP_CONNECTION_ADDR                        ((HRESULT)0x80EE000A)  /* Media does not contain connection address */
#define RTC_E_SDP_NO_MEDIA                               ((HRESULT)0x80EE000B)  /* No media is available for the session */
#define RTC_E_SIP_TIMEOUT                                ((HRESULT)0x80EE000C)  /* SIP Transaction timed out */
#define RTC_E_SDP_FAILED_TO_BUILD                        ((HRESULT)0x80EE000D)  /* Failed to build SDP blob */
#define RTC_E_SIP_INVITE_TRANSACTION_PENDING             ((HRESULT)0x80EE000E)  /* Currently processing another INVITE transaction */
#define RTC_E_SIP_AUTH_HEADER_SENT                       ((HRESULT)0x80EE000F)  /* Authorization header was sent in a previous request */
#define RTC_E_SIP_AUTH_TYPE_NOT_SUPPORTED                ((HRESULT)0x80EE0010)  /* The Authentication type requested is not supported */
#define RTC_E_SIP_AUTH_FAILED                            ((HRESULT)0x80EE0011)  /* Authentication Failed */
#define RTC_E_INVALID_SIP_URL                            ((HRESULT)0x80EE0012)  /* The SIP URL is not valid */
#define RTC_E_DESTINATION_ADDRESS_LOCAL                  ((HRESULT)0x80EE0013)  /* The Destination Address belongs to the local machine */
#define RTC_E_INVALID_ADDRESS_LOCAL                      ((HRESULT)0x80EE0014)  /* The Local Address is invalid, check the profile */
#define RTC_E_DESTINATION_ADDRESS_MULTICAST              ((HRESULT)0x80EE0015)  /* The Destination Address is a multicast address */
#define RTC_E_INVALID_PROXY_ADDRESS                      ((HRESULT)0x80EE0016)  /* The Proxy Address is not valid */
#define RTC_E_SIP_TRANSPORT_NOT_SUPPORTED                ((HRESULT)0x80EE0017)  /* The Transport specified is not supported */
#define RTC_E_SIP_NEED_MORE_DATA                         ((HRESULT)0x80EE0018)  /* Need more data for parsing a whole SIP message */
#define RTC_E_SIP_CALL_DISCONNECTED                      ((HRESULT)0x80EE0019)  /* The Call has been disconnected */
#define RTC_E_SIP_REQUEST_DESTINATION_ADDR_NOT_PRESENT   ((HRESULT)0x80EE001A)  /* The Request destination address is not known */
#define RTC_E_SIP_UDP_SIZE_EXCEEDED                      ((HRESULT)0x80EE001B)  /* The sip message size is greater than the UDP message size allowed */
#define RTC_E_SIP_SSL_TUNNEL_FAILED                      ((HRESULT)0x80EE001C)  /* Cannot establish SSL tunnel to Http proxy */
#define RTC_E_SIP_SSL_NEGOTIATION_TIMEOUT                ((HRESULT)0x80EE001D)  /* Timeout during SSL Negotiation */
#define RTC_E_SIP_STACK_SHUTDOWN                         ((HRESULT)0x80EE001E)  /* Sip Stack is already shutdown */
#define RTC_E_MEDIA_CONTROLLER_STATE                     ((HRESULT)0x80EE001F)  /* Operation not allowed in current media controller state */
#define RTC_E_MEDIA_NEED_TERMINAL                        ((HRESULT)0x80EE0020)  /* Can not find device */
#define RTC_E_MEDIA_AUDIO_DEVICE_NOT_AVAILABLE           ((HRESULT)0x80EE0021)  /* Audio device is not available */
#define RTC_E_MEDIA_VIDEO_DEVICE_NOT_AVAILABLE           ((HRESULT)0x80EE0022)  /* Video device is not available */
#define RTC_E_START_STREAM                               ((HRESULT)0x80EE0023)  /* Can not start stream */
#define RTC_E_MEDIA_AEC                                  ((HRESULT)0x80EE0024)  /* Failed to enable acoustic echo cancellation */
#define RTC_E_CLIENT_NOT_INITIALIZED                     ((HRESULT)0x80EE0025)  /* Client not initialized */
#define RTC_E_CLIENT_ALREADY_INITIALIZED                 ((HRESULT)0x80EE0026)  /* Client already initialized */
#define RTC_E_CLIENT_ALREADY_SHUT_DOWN                   ((HRESULT)0x80EE0027)  /* Client already shut down */
#define RTC_E_PRESENCE_NOT_ENABLED                       ((HRESULT)0x80EE0028)  /* Presence not enabled */
#define RTC_E_INVALID_SESSION_TYPE                       ((HRESULT)0x80EE0029)  /* Invalid session type */
#define RTC_E_INVALID_SESSION_STATE                      ((HRESULT)0x80EE002A)  /* Invalid session state */
#define RTC_E_NO_PROFILE                                 ((HRESULT)0x80EE002B)  /* No valid profile for this operation */
#define RTC_E_LOCAL_PHONE_NEEDED                         ((HRESULT)0x80EE002C)  /* A local phone number is needed */
#define RTC_E_NO_DEVICE                                  ((HRESULT)0x80EE002D)  /* No preferred device */
#define RTC_E_INVALID_PROFILE                            ((HRESULT)0x80EE002E)  /* Invalid profile */
#define RTC_E_PROFILE_NO_PROVISION                       ((HRESULT)0x80EE002F)  /* No provision tag in profile */
#define RTC_E_PROFILE_NO_KEY                             ((HRESULT)0x80EE0030)  /* No profile key */
#define RTC_E_PROFILE_NO_NAME                            ((HRESULT)0x80EE0031)  /* No profile name */
#define RTC_E_PROFILE_NO_USER                            ((HRESULT)0x80EE0032)  /* No user tag in profile */
#define RTC_E_PROFILE_NO_USER_URI                        ((HRESULT)0x80EE0033)  /* No user URI in profile */
#define RTC_E_PROFILE_NO_SERVER                          ((HRESULT)0x80EE0034)  /* No server tag in profile */
#define RTC_E_PROFILE_NO_SERVER_ADDRESS                  ((HRESULT)0x80EE0035)  /* Server tag missing address in profile */
#define RTC_E_PROFILE_NO_SERVER_PROTOCOL                 ((HRESULT)0x80EE0036)  /* Server tag missing protocol in profile */
#define RTC_E_PROFILE_INVALID_SERVER_PROTOCOL            ((HRESULT)0x80EE0037)  /* Invalid server protocol in profile */
#define RTC_E_PROFILE_INVALID_SERVER_AUTHMETHOD          ((HRESULT)0x80EE0038)  /* Invalid server authentication method in profile */
#define RTC_E_PROFILE_INVALID_SERVER_ROLE                ((HRESULT)0x80EE0039)  /* Invalid server role in profile */
#define RTC_E_PROFILE_MULTIPLE_REGISTRARS                ((HRESULT)0x80EE003A)  /* Multiple registrar servers in profile */
#define RTC_E_PROFILE_INVALID_SESSION                    ((HRESULT)0x80EE003B)  /* Invalid session tag in profile */
#define RTC_E_PROFILE_INVALID_SESSION_PARTY              ((HRESULT)0x80EE003C)  /* Invalid session party in profile */
#define RTC_E_PROFILE_INVALID_SESSION_TYPE               ((HRESULT)0x80EE003D)  /* Invalid session type in profile */
#define RTC_E_OPERATION_WITH_TOO_MANY_PARTICIPANTS       ((HRESULT)0x80EE003E)  /* The operation failed because of too many participants in the session */
#define RTC_E_BASIC_AUTH_SET_TLS                         ((HRESULT)0x80EE003F)  /* Must set transport to TLS if Basic Auth is allowed */
#define RTC_E_SIP_HIGH_SECURITY_SET_TLS                  ((HRESULT)0x80EE0040)  /* Must set transport to TLS if high security mode is needed */
#define RTC_S_ROAMING_NOT_SUPPORTED                      ((HRESULT)0x00EE0041)  /* Server does not support this type of roaming */
#define RTC_E_PROFILE_SERVER_UNAUTHORIZED                ((HRESULT)0x80EE0042)  /* Server address does not match an authorized domain in profile */
#define RTC_E_DUPLICATE_REALM                            ((HRESULT)0x80EE0043)  /* Duplicate realm exists in an enabled profile */
#define RTC_E_POLICY_NOT_ALLOW                           ((HRESULT)0x80EE0044)  /* Current policy settings do not allow this action */
#define RTC_E_PORT_MAPPING_UNAVAILABLE                   ((HRESULT)0x80EE0045)  /* Port mapping can not be obtained from the port manager */
#define RTC_E_PORT_MAPPING_FAILED                        ((HRESULT)0x80EE0046)  /* Port mapping failure returned from the port manager */
#define RTC_E_SECURITY_LEVEL_NOT_COMPATIBLE              ((HRESULT)0x80EE0047)  /* The local and remote security levels are not compatible. */
#define RTC_E_SECURITY_LEVEL_NOT_DEFINED                 ((HRESULT)0x80EE0048)  /* The security level is not defined */
#define RTC_E_SECURITY_LEVEL_NOT_SUPPORTED_BY_PARTICIPANT ((HRESULT)0x80EE0049)  /* Participant could not support the requested security level */
#define RTC_E_DUPLICATE_BUDDY                            ((HRESULT)0x80EE004A)  /* Buddy already exists */
#define RTC_E_DUPLICATE_WATCHER                          ((HRESULT)0x80EE004B)  /* Watcher already exists */
#define RTC_E_MALFORMED_XML                              ((HRESULT)0x80EE004C)  /* Malformed XML */
#define RTC_E_ROAMING_OPERATION_INTERRUPTED              ((HRESULT)0x80EE004D)  /* Roaming operation interrupted. It may succeed or fail. */
#define RTC_E_ROAMING_FAILED                             ((HRESULT)0x80EE004E)  /* Roaming session failed */
#define RTC_E_INVALID_BUDDY_LIST                         ((HRESULT)0x80EE004F)  /* Buddy list is invalid */
#define RTC_E_INVALID_ACL_LIST                           ((HRESULT)0x80EE0050)  /* ACL list is invalid */
#define RTC_E_NO_GROUP                                   ((HRESULT)0x80EE0051)  /* Group does not exist */
#define RTC_E_DUPLICATE_GROUP                            ((HRESULT)0x80EE0052)  /* Group already exists */
#define RTC_E_TOO_MANY_GROUPS                            ((HRESULT)0x80EE0053)  /* Max number of groups has been reached */
#define RTC_E_NO_BUDDY                                   ((HRESULT)0x80EE0054)  /* Buddy does not exist */
#define RTC_E_NO_WATCHER                                 ((HRESULT)0x80EE0055)  /* Watcher does not exist */
#define RTC_E_NO_REALM                                   ((HRESULT)0x80EE0056)  /* No realm is set */
#define RTC_E_NO_TRANSPORT                               ((HRESULT)0x80EE0057)  /* Server can not be specified without a transport protocol */
#define RTC_E_NOT_EXIST                                  ((HRESULT)0x80EE0058)  /* The required item does not exist */
#define RTC_E_INVALID_PREFERENCE_LIST                    ((HRESULT)0x80EE0059)  /* Preference list is invalid */
#define RTC_E_MAX_PENDING_OPERATIONS                     ((HRESULT)0x80EE005A)  /* Maximum number of pending operations reached */
#define RTC_E_TOO_MANY_RETRIES                           ((HRESULT)0x80EE005B)  /* Too many attempts to resend a request */
#define RTC_E_INVALID_PORTRANGE                          ((HRESULT)0x80EE005C)  /* Invalid port range */
#define RTC_E_SIP_CALL_CONNECTION_NOT_ESTABLISHED        ((HRESULT)0x80EE005D)  /* Call connection has not been established */
#define RTC_E_SIP_ADDITIONAL_PARTY_IN_TWO_PARTY_SESSION  ((HRESULT)0x80EE005E)  /* Adding additional parties to two party session failed */
#define RTC_E_SIP_PARTY_ALREADY_IN_SESSION               ((HRESULT)0x80EE005F)  /* Party already exists in session */
#define RTC_E_SIP_OTHER_PARTY_JOIN_IN_PROGRESS           ((HRESULT)0x80EE0060)  /* Join operation is in progress for another party */
#define RTC_E_INVALID_OBJECT_STATE                       ((HRESULT)0x80EE0061)  /* Object state does not allow to perform this operation */
#define RTC_E_PRESENCE_ENABLED                           ((HRESULT)0x80EE0062)  /* Presence is enabled */
#define RTC_E_ROAMING_ENABLED                            ((HRESULT)0x80EE0063)  /* Roaming is enabled */
#define RTC_E_SIP_TLS_INCOMPATIBLE_ENCRYPTION            ((HRESULT)0x80EE0064)  /* Incompatible TLS encryption */
#define RTC_E_SIP_INVALID_CERTIFICATE                    ((HRESULT)0x80EE0065)  /* Invalid certificate */
#define RTC_E_SIP_DNS_FAIL                               ((HRESULT)0x80EE0066)  /* DNS lookup fails */
#define RTC_E_SIP_TCP_FAIL                               ((HRESULT)0x80EE0067)  /* Fails to make a TCP connection */
#define RTC_E_TOO_SMALL_EXPIRES_VALUE                    ((HRESULT)0x80EE0068)  /* Expires value received from the server is too small */
#define RTC_E_SIP_TLS_FAIL                               ((HRESULT)0x80EE0069)  /* Fails to make a TLS connection */
#define RTC_E_NOT_PRESENCE_PROFILE                       ((HRESULT)0x80EE006A)  /* A presence profile must be used */
#define RTC_E_SIP_INVITEE_PARTY_TIMEOUT                  ((HRESULT)0x80EE006B)  /* Invitee connection fails */
#define RTC_E_SIP_AUTH_TIME_SKEW                         ((HRESULT)0x80EE006C)  /* Authentication failure because of time skew between client and server */
#define RTC_E_INVALID_REGISTRATION_STATE                 ((HRESULT)0x80EE006D)  /* Invalid registration state */
#define RTC_E_MEDIA_DISABLED                             ((HRESULT)0x80EE006E)  /* Media is disabled */
#define RTC_E_MEDIA_ENABLED                              ((HRESULT)0x80EE006F)  /* Media is enabled */
#define RTC_E_REFER_NOT_ACCEPTED                         ((HRESULT)0x80EE0070)  /* Refer has not been accepted */
#define RTC_E_REFER_NOT_ALLOWED                          ((HRESULT)0x80EE0071)  /* Refer operation is not allowed in this session */
#define RTC_E_REFER_NOT_EXIST                            ((HRESULT)0x80EE0072)  /* Refer session does not exist or has finished */
#define RTC_E_SIP_HOLD_OPERATION_PENDING                 ((HRESULT)0x80EE0073)  /* Currently an hold operation is pending */
#define RTC_E_SIP_UNHOLD_OPERATION_PENDING               ((HRESULT)0x80EE0074)  /* Currently an unhold operation is pending */
#define RTC_E_MEDIA_SESSION_NOT_EXIST                    ((HRESULT)0x80EE0075)  /* Media session does not exist */
#define RTC_E_MEDIA_SESSION_IN_HOLD                      ((HRESULT)0x80EE0076)  /* Media session is in hold */
#define RTC_E_ANOTHER_MEDIA_SESSION_ACTIVE               ((HRESULT)0x80EE0077)  /* Another media session is active */
#define RTC_E_MAX_REDIRECTS                              ((HRESULT)0x80EE0078)  /* Too many redirects */
#define RTC_E_REDIRECT_PROCESSING_FAILED                 ((HRESULT)0x80EE0079)  /* Processing redirect failed */
#define RTC_E_LISTENING_SOCKET_NOT_EXIST                 ((HRESULT)0x80EE007A)  /* Listening socket does not exist */
#define RTC_E_INVALID_LISTEN_SOCKET                      ((HRESULT)0x80EE007B)  /* Specified address and port is invalid */
#define RTC_E_PORT_MANAGER_ALREADY_SET                   ((HRESULT)0x80EE007C)  /* Port manager already set */
#define RTC_E_SECURITY_LEVEL_ALREADY_SET                 ((HRESULT)0x80EE007D)  /* The security level has already been set for this Media type can and can not be changed */
#define RTC_E_UDP_NOT_SUPPORTED                          ((HRESULT)0x80EE007E)  /* This feature is not supported when one of the server in profile has UDP transport */
#define RTC_E_SIP_REFER_OPERATION_PENDING                ((HRESULT)0x80EE007F)  /* Currently a refer operation is pending */
#define RTC_E_PLATFORM_NOT_SUPPORTED                     ((HRESULT)0x80EE0080)  /* This operation is not supported on this Windows Platform. */
#define RTC_E_SIP_PEER_PARTICIPANT_IN_MULTIPARTY_SESSION ((HRESULT)0x80EE0081)  /* A peer participant cannot be added to a multiparty session */
#define RTC_E_NOT_ALLOWED                                ((HRESULT)0x80EE0082)  /* This action is not allowed */
#define RTC_E_REGISTRATION_DEACTIVATED                   ((HRESULT)0x80EE0083)  /* The user is being moved */
#define RTC_E_REGISTRATION_REJECTED                      ((HRESULT)0x80EE0084)  /* The user's account was disabled or deleted or the SIP URI changed */
#define RTC_E_REGISTRATION_UNREGISTERED                  ((HRESULT)0x80EE0085)  /* The user was logged out because the user logged in elsewhere */

/* ---- SIP status codes (FACILITY_SIP_STATUS_CODE); the comment gives the SIP code: 47 codes ---- */
#define RTC_E_STATUS_INFO_TRYING                         ((HRESULT)0x00EF0064)  /* 100 Trying */
#define RTC_E_STATUS_INFO_RINGING                        ((HRESULT)0x00EF00B4)  /* 180 Ringing */
#define RTC_E_STATUS_INFO_CALL_FORWARDING                ((HRESULT)0x00EF00B5)  /* 181 Call Is Being Forwarded */
#define RTC_E_STATUS_INFO_QUEUED                         ((HRESULT)0x00EF00B6)  /* 182 Queued */
#define RTC_E_STATUS_SESSION_PROGRESS                    ((HRESULT)0x00EF00B7)  /* 183 Session Progress */
#define RTC_E_STATUS_SUCCESS                             ((HRESULT)0x00EF00C8)  /* 200 OK */
#define RTC_E_STATUS_REDIRECT_MULTIPLE_CHOICES           ((HRESULT)0x80EF012C)  /* 300 Multiple Choices */
#define RTC_E_STATUS_REDIRECT_MOVED_PERMANENTLY          ((HRESULT)0x80EF012D)  /* 301 Moved Permanently */
#define RTC_E_STATUS_REDIRECT_MOVED_TEMPORARILY          ((HRESULT)0x80EF012E)  /* 302 Moved Temporarily */
#define RTC_E_STATUS_REDIRECT_SEE_OTHER                  ((HRESULT)0x80EF012F)  /* 303 See Other */
#define RTC_E_STATUS_REDIRECT_USE_PROXY                  ((HRESULT)0x80EF0131)  /* 305 Use Proxy */
#define RTC_E_STATUS_REDIRECT_ALTERNATIVE_SERVICE        ((HRESULT)0x80EF017C)  /* 380 Alternative Service */
#define RTC_E_STATUS_CLIENT_BAD_REQUEST                  ((HRESULT)0x80EF0190)  /* 400 Bad Request */
#define RTC_E_STATUS_CLIENT_UNAUTHORIZED                 ((HRESULT)0x80EF0191)  /* 401 Unauthorized */
#define RTC_E_STATUS_CLIENT_PAYMENT_REQUIRED             ((HRESULT)0x80EF0192)  /* 402 Payment Required */
#define RTC_E_STATUS_CLIENT_FORBIDDEN                    ((HRESULT)0x80EF0193)  /* 403 Forbidden */
#define RTC_E_STATUS_CLIENT_NOT_FOUND                    ((HRESULT)0x80EF0194)  /* 404 Not Found */
#define RTC_E_STATUS_CLIENT_METHOD_NOT_ALLOWED           ((HRESULT)0x80EF0195)  /* 405 Method Not Allowed */
#define RTC_E_STATUS_CLIENT_NOT_ACCEPTABLE               ((HRESULT)0x80EF0196)  /* 406 Not Acceptable */
#define RTC_E_STATUS_CLIENT_PROXY_AUTHENTICATION_REQUIRED ((HRESULT)0x80EF0197)  /* 407 Proxy Authentication Required */
#define RTC_E_STATUS_CLIENT_REQUEST_TIMEOUT              ((HRESULT)0x80EF0198)  /* 408 Request Timeout */
#define RTC_E_STATUS_CLIENT_CONFLICT                     ((HRESULT)0x80EF0199)  /* 409 Conflict */
#define RTC_E_STATUS_CLIENT_GONE                         ((HRESULT)0x80EF019A)  /* 410 Gone */
#define RTC_E_STATUS_CLIENT_LENGTH_REQUIRED              ((HRESULT)0x80EF019B)  /* 411 Length Required */
#define RTC_E_STATUS_CLIENT_REQUEST_ENTITY_TOO_LARGE     ((HRESULT)0x80EF019D)  /* 413 Request Entity Too Large */
#define RTC_E_STATUS_CLIENT_REQUEST_URI_TOO_LARGE        ((HRESULT)0x80EF019E)  /* 414 Request-URI Too Long */
#define RTC_E_STATUS_CLIENT_UNSUPPORTED_MEDIA_TYPE       ((HRESULT)0x80EF019F)  /* 415 Unsupported Media Type */
#define RTC_E_STATUS_CLIENT_BAD_EXTENSION                ((HRESULT)0x80EF01A4)  /* 420 Bad Extension */
#define RTC_E_STATUS_CLIENT_TEMPORARILY_NOT_AVAILABLE    ((HRESULT)0x80EF01E0)  /* 480 Temporarily Unavailable */
#define RTC_E_STATUS_CLIENT_TRANSACTION_DOES_NOT_EXIST   ((HRESULT)0x80EF01E1)  /* 481 Call Leg/Transaction Does Not Exist */
#define RTC_E_STATUS_CLIENT_LOOP_DETECTED                ((HRESULT)0x80EF01E2)  /* 482 Loop Detected */
#define RTC_E_STATUS_CLIENT_TOO_MANY_HOPS                ((HRESULT)0x80EF01E3)  /* 483 Too Many Hops */
#define RTC_E_STATUS_CLIENT_ADDRESS_INCOMPLETE           ((HRESULT)0x80EF01E4)  /* 484 Address Incomplete */
#define RTC_E_STATUS_CLIENT_AMBIGUOUS                    ((HRESULT)0x80EF01E5)  /* 485 Ambiguous */
#define RTC_E_STATUS_CLIENT_BUSY_HERE                    ((HRESULT)0x80EF01E6)  /* 486 Busy Here */
#define RTC_E_STATUS_REQUEST_TERMINATED                  ((HRESULT)0x80EF01E7)  /* 487 Request Terminated */
#define RTC_E_STATUS_NOT_ACCEPTABLE_HERE                 ((HRESULT)0x80EF01E8)  /* 488 Not Acceptable Here */
#define RTC_E_STATUS_SERVER_INTERNAL_ERROR               ((HRESULT)0x80EF01F4)  /* 500 Server Internal Error */
#define RTC_E_STATUS_SERVER_NOT_IMPLEMENTED              ((HRESULT)0x80EF01F5)  /* 501 Not Implemented */
#define RTC_E_STATUS_SERVER_BAD_GATEWAY                  ((HRESULT)0x80EF01F6)  /* 502 Bad Gateway */
#define RTC_E_STATUS_SERVER_SERVICE_UNAVAILABLE          ((HRESULT)0x80EF01F7)  /* 503 Service Unavailable */
#define RTC_E_STATUS_SERVER_SERVER_TIMEOUT               ((HRESULT)0x80EF01F8)  /* 504 Server Time-out */
#define RTC_E_STATUS_SERVER_VERSION_NOT_SUPPORTED        ((HRESULT)0x80EF01F9)  /* 505 Version Not Supported */
#define RTC_E_STATUS_GLOBAL_BUSY_EVERYWHERE              ((HRESULT)0x80EF0258)  /* 600 Busy Everywhere */
#define RTC_E_STATUS_GLOBAL_DECLINE                      ((HRESULT)0x80EF025B)  /* 603 Decline */
#define RTC_E_STATUS_GLOBAL_DOES_NOT_EXIST_ANYWHERE      ((HRESULT)0x80EF025C)  /* 604 Does Not Exist Anywhere */
#define RTC_E_STATUS_GLOBAL_NOT_ACCEPTABLE               ((HRESULT)0x80EF025E)  /* 606 Not Acceptable */

/* ---- PINT status codes (FACILITY_PINT_STATUS_CODE): 7 codes ---- */
#define RTC_E_PINT_STATUS_REJECTED_BUSY                  ((HRESULT)0x80F00005)  /* Busy */
#define RTC_E_PINT_STATUS_REJECTED_NO_ANSWER             ((HRESULT)0x80F00006)  /* No Answer */
#define RTC_E_PINT_STATUS_REJECTED_ALL_BUSY              ((HRESULT)0x80F00007)  /* All Busy */
#define RTC_E_PINT_STATUS_REJECTED_PL_FAILED             ((HRESULT)0x80F00008)  /* Primary Leg Failed */
#define RTC_E_PINT_STATUS_REJECTED_SW_FAILED             ((HRESULT)0x80F00009)  /* Switch Failed */
#define RTC_E_PINT_STATUS_REJECTED_CANCELLED             ((HRESULT)0x80F0000A)  /* Cancelled */
#define RTC_E_PINT_STATUS_REJECTED_BADNUMBER             ((HRESULT)0x80F0000B)  /* Bad Number */

#endif /* RTCSHIM_RTCERR_H */
