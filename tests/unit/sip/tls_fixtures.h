/*
 * TLS test fixtures: a test CA and a certificate it signed for 127.0.0.1,
 * ::1 and localhost (P-256, valid until 2126), with the certificate's key.
 * Made with openssl for these tests only; trust them nowhere else.
 */
#ifndef RTCSHIM_TEST_TLS_FIXTURES_H
#define RTCSHIM_TEST_TLS_FIXTURES_H

static const char test_ca_pem[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBnDCCAUGgAwIBAgIUCqzw/Gc9xuuxC87rIgz3q1FEulYwCgYIKoZIzj0EAwIw\n"
    "GjEYMBYGA1UEAwwPcnRjc2hpbSB0ZXN0IENBMCAXDTI2MTEyMTEzMjY0NloYDzIx\n"
    "MjYxMDI4MTMyNjQ2WjAaMRgwFgYDVQQDDA9ydGNzaGltIHRlc3QgQ0EwWTATBgcq\n"
    "hkjOPQIBBggqhkjOPQMBBwNCAARIBMbJlVN/REXLA9FjOrCYSlBNLd3JqMKwsdIV\n"
    "zG3z97LPjBBN0UsLxcM43H3l91E35irvHZD6dAAfK66z91nUo2MwYTAdBgNVHQ4E\n"
    "FgQUyst5bTcz4SQM8bkn1jBEMHH6K5AwHwYDVR0jBBgwFoAUyst5bTcz4SQM8bkn\n"
    "1jBEMHH6K5AwDwYDVR0TAQH/BAUwAwEB/zAOBgNVHQ8BAf8EBAMCAQYwCgYIKoZI\n"
    "zj0EAwIDSQAwRgIhAPeK52w4G26ZEhnxrk/ld4i/HyiD7Tz43Mj69xWUZ9VbAiEA\n"
    "rfugQWtoRZ/BeO5cXENDbM+SBGn2q3uqs2/w/f+AbsE=\n"
    "-----END CERTIFICATE-----\n";

static const char test_leaf_pem[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBxTCCAWqgAwIBAgIUG735Lq2p83aBqskw+OEYEmxPmlMwCgYIKoZIzj0EAwIw\n"
    "GjEYMBYGA1UEAwwPcnRjc2hpbSB0ZXN0IENBMCAXDTI2MTEyMTEzMjY0N1oYDzIx\n"
    "MjYxMDI4MTMyNjQ3WjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIB\n"
    "BggqhkjOPQMBBwNCAATZzZJgNTjt3mtPIUSeTPyujpdCjF6nkJVjM3HQV1krKRaR\n"
    "A/oDGOyMSh6ubaLt4rehlro+2ZEzNTjRxPSXfabqo4GRMIGOMCwGA1UdEQQlMCOH\n"
    "BH8AAAGHEAAAAAAAAAAAAAAAAAAAAAGCCWxvY2FsaG9zdDAJBgNVHRMEAjAAMBMG\n"
    "A1UdJQQMMAoGCCsGAQUFBwMBMB0GA1UdDgQWBBQkQ8e1deyD32uNSywwIAnBYcQg\n"
    "wjAfBgNVHSMEGDAWgBTKy3ltNzPhJAzxuSfWMEQwcforkDAKBggqhkjOPQQDAgNJ\n"
    "ADBGAiEAimfS9dIULSE/NoTYe5sEWmB+tAMC1VPv72V1L2sY5ikCIQD2KxhUPUNV\n"
    "GeIPpo+mL7vc23Rm7F1zWsibIOmolumKBA==\n"
    "-----END CERTIFICATE-----\n";

static const char test_leaf_key[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgAlDfRCpHw/ryiXPK\n"
    "0KLo9gussWPiZ2Ot3QCJPfwnwUuhRANCAATZzZJgNTjt3mtPIUSeTPyujpdCjF6n\n"
    "kJVjM3HQV1krKRaRA/oDGOyMSh6ubaLt4rehlro+2ZEzNTjRxPSXfabq\n"
    "-----END PRIVATE KEY-----\n";

#endif /* RTCSHIM_TEST_TLS_FIXTURES_H */
