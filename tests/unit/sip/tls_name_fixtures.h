/*
 * Certificates for the TLS server identity tests (RFC 5922): a test CA and
 * what it signed, each with its key (P-256, valid for 100 years). Made
 * with openssl for these tests only; trust them nowhere else.
 *
 *   dns     subjectAltName DNS:sip.example.test
 *   other   subjectAltName DNS:other.test
 *   uri     subjectAltName URI:sip:example.test, DNS:server1.example.test
 *   wild    subjectAltName DNS:*.example.test
 *   cn      no subjectAltName; CN=sip.example.test
 */
#ifndef RTCSHIM_TEST_TLS_NAME_FIXTURES_H
#define RTCSHIM_TEST_TLS_NAME_FIXTURES_H

static const char name_ca_pem[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBpDCCAUmgAwIBAgIUUpo6ZDgY86+4dkhuJLHb3fwyoV8wCgYIKoZIzj0EAwIw\n"
    "HjEcMBoGA1UEAwwTcnRjc2hpbSBETlMgdGVzdCBDQTAgFw0yNjEyMDYwNjU4MTBa\n"
    "GA8yMTI2MTExMjA2NTgxMFowHjEcMBoGA1UEAwwTcnRjc2hpbSBETlMgdGVzdCBD\n"
    "QTBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABOybun5TsSsAhDWvWjKlpMPQdtfG\n"
    "zpnmgzA5mvxuhHriKvnufWNaCUQGntatEFR9oZ2pAvB1NKuZgavwF9fKUT2jYzBh\n"
    "MB0GA1UdDgQWBBSHv+/yNzfwyXXozj3sERLA8S1BRzAfBgNVHSMEGDAWgBSHv+/y\n"
    "NzfwyXXozj3sERLA8S1BRzAPBgNVHRMBAf8EBTADAQH/MA4GA1UdDwEB/wQEAwIB\n"
    "BjAKBggqhkjOPQQDAgNJADBGAiEAgGLAY18x0ctcVaKNQdEKwSiSBjeKOnsJTNeM\n"
    "ja5kUNQCIQD60ARhaoGRz9ZE4aToctawlLWz6X3P4k8P95UYRCOuyQ==\n"
    "-----END CERTIFICATE-----\n";

static const char name_dns_pem[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBuzCCAWKgAwIBAgIUDmC20iRYn9hQU2tiO1PK247Ba08wCgYIKoZIzj0EAwIw\n"
    "HjEcMBoGA1UEAwwTcnRjc2hpbSBETlMgdGVzdCBDQTAgFw0yNjEyMDYwNjU4MTFa\n"
    "GA8yMTI2MTExMjA2NTgxMVowGzEZMBcGA1UEAwwQc2lwLmV4YW1wbGUudGVzdDBZ\n"
    "MBMGByqGSM49AgEGCCqGSM49AwEHA0IABMm/AthzobN14pke//oPCOlRrsWD8HXg\n"
    "y/UzwQCnJhzmt0QIK7nkfPajyb/6eBlovUL41oWlOpLQ+WjVsr6/jb+jfzB9MAkG\n"
    "A1UdEwQCMAAwEwYDVR0lBAwwCgYIKwYBBQUHAwEwGwYDVR0RBBQwEoIQc2lwLmV4\n"
    "YW1wbGUudGVzdDAdBgNVHQ4EFgQUolNqtRURGzlhplav00lXcmJldT0wHwYDVR0j\n"
    "BBgwFoAUh7/v8jc38Ml16M497BESwPEtQUcwCgYIKoZIzj0EAwIDRwAwRAIgAlVv\n"
    "ZMLQeKpok1ZUxhEcsfsvsIsXa3JpUPOA6wr5Hg4CIDj33BtbPv7mWAsAijgi7X44\n"
    "r8xm/uZbpmgKSueHTvPh\n"
    "-----END CERTIFICATE-----\n"
    "-----BEGIN PRIVATE KEY-----\n"
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgMoVxPd5vaHyUmLFB\n"
    "VT0ExUEtWJpyzeYJQfNJIl49eOChRANCAATJvwLYc6GzdeKZHv/6DwjpUa7Fg/B1\n"
    "4Mv1M8EApyYc5rdECCu55Hz2o8m/+ngZaL1C+NaFpTqS0Plo1bK+v42/\n"
    "-----END PRIVATE KEY-----\n";

static const char name_other_pem[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBsDCCAVagAwIBAgIUDmC20iRYn9hQU2tiO1PK247Ba1AwCgYIKoZIzj0EAwIw\n"
    "HjEcMBoGA1UEAwwTcnRjc2hpbSBETlMgdGVzdCBDQTAgFw0yNjEyMDYwNjU4MTFa\n"
    "GA8yMTI2MTExMjA2NTgxMVowFTETMBEGA1UEAwwKb3RoZXIudGVzdDBZMBMGByqG\n"
    "SM49AgEGCCqGSM49AwEHA0IABG82s9MJF82V/bexIofVUXbq4EIf+nFxltaYR/UP\n"
    "cT6ZVugfqfLbUc7tkK0USmzK91O0YiNSdEXoB4USQbnjFQ2jeTB3MAkGA1UdEwQC\n"
    "MAAwEwYDVR0lBAwwCgYIKwYBBQUHAwEwFQYDVR0RBA4wDIIKb3RoZXIudGVzdDAd\n"
    "BgNVHQ4EFgQU4036GVM4ggchJzxOQ2Ey6Nnr3GQwHwYDVR0jBBgwFoAUh7/v8jc3\n"
    "8Ml16M497BESwPEtQUcwCgYIKoZIzj0EAwIDSAAwRQIhAMs9QGk0Yysohdhx3D/I\n"
    "pSwf1qRw4kQichG0oYAmF/jyAiA9cSI1egO87pa6OSM1OwiUea9A8oH48l6HTQs5\n"
    "VHeMdA==\n"
    "-----END CERTIFICATE-----\n"
    "-----BEGIN PRIVATE KEY-----\n"
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgmO5kMAeIlxpvz6Ki\n"
    "b0N6MsbYSswSclYwzVd9sdgwQLahRANCAARvNrPTCRfNlf23sSKH1VF26uBCH/px\n"
    "cZbWmEf1D3E+mVboH6ny21HO7ZCtFEpsyvdTtGIjUnRF6AeFEkG54xUN\n"
    "-----END PRIVATE KEY-----\n";

static const char name_uri_pem[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIB1TCCAXqgAwIBAgIUDmC20iRYn9hQU2tiO1PK247Ba1EwCgYIKoZIzj0EAwIw\n"
    "HjEcMBoGA1UEAwwTcnRjc2hpbSBETlMgdGVzdCBDQTAgFw0yNjEyMDYwNjU4MTFa\n"
    "GA8yMTI2MTExMjA2NTgxMVowGzEZMBcGA1UEAwwQcnRjc2hpbSB1cmkgdGVzdDBZ\n"
    "MBMGByqGSM49AgEGCCqGSM49AwEHA0IABMVtENVgzn90ovbv8EvRkLNbvK0L4mIB\n"
    "ZG0VoZ4L8QNG7V/lc1s+Tr+jZZJfRsQ2nEK5OFb8xPD8eadowsT5L6yjgZYwgZMw\n"
    "CQYDVR0TBAIwADATBgNVHSUEDDAKBggrBgEFBQcDATAxBgNVHREEKjAohhBzaXA6\n"
    "ZXhhbXBsZS50ZXN0ghRzZXJ2ZXIxLmV4YW1wbGUudGVzdDAdBgNVHQ4EFgQUY8GI\n"
    "PbMFKAZVadaxq/T/mBce+iwwHwYDVR0jBBgwFoAUh7/v8jc38Ml16M497BESwPEt\n"
    "QUcwCgYIKoZIzj0EAwIDSQAwRgIhAIBEvxolOqDpfz+dvh2hjt1ZuK9XcU08swhV\n"
    "RZlt4cuKAiEArSjQ+gVqbmkL3x1n5RZeY6OF8NXQpG5ZeZsqHvLwfZU=\n"
    "-----END CERTIFICATE-----\n"
    "-----BEGIN PRIVATE KEY-----\n"
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgEviQg+1vowl/m+zS\n"
    "pRgGPGJAFzEZGm7iOD8Mg7HTZcyhRANCAATFbRDVYM5/dKL27/BL0ZCzW7ytC+Ji\n"
    "AWRtFaGeC/EDRu1f5XNbPk6/o2WSX0bENpxCuThW/MTw/HmnaMLE+S+s\n"
    "-----END PRIVATE KEY-----\n";

static const char name_wild_pem[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBsjCCAVigAwIBAgIUDmC20iRYn9hQU2tiO1PK247Ba1IwCgYIKoZIzj0EAwIw\n"
    "HjEcMBoGA1UEAwwTcnRjc2hpbSBETlMgdGVzdCBDQTAgFw0yNjEyMDYwNjU4MTJa\n"
    "GA8yMTI2MTExMjA2NTgxMlowEzERMA8GA1UEAwwId2lsZGNhcmQwWTATBgcqhkjO\n"
    "PQIBBggqhkjOPQMBBwNCAARtc4U/cvkFXPNfZMZHrY+kqfrefq0k1mUQdoeW1iLx\n"
    "SwP1l0/a9emGAFN4ZOwu650I1PIkDaUoSY56Wj3kfkCWo30wezAJBgNVHRMEAjAA\n"
    "MBMGA1UdJQQMMAoGCCsGAQUFBwMBMBkGA1UdEQQSMBCCDiouZXhhbXBsZS50ZXN0\n"
    "MB0GA1UdDgQWBBSGlwwgKHML5Ym7w25D+x2F08E+9zAfBgNVHSMEGDAWgBSHv+/y\n"
    "NzfwyXXozj3sERLA8S1BRzAKBggqhkjOPQQDAgNIADBFAiAZ7CBO2wqyCSOE0rQj\n"
    "6+8Kyc+ZhFU0B+ZQ72Er0sIvhQIhALDTezJ8+mmC2g/ADgDXTHluqgbMEstUCtjK\n"
    "im+lY4m+\n"
    "-----END CERTIFICATE-----\n"
    "-----BEGIN PRIVATE KEY-----\n"
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQggjhxdC+IwKZrEE3I\n"
    "SSHop8algc8KXaG7VBs+qLYBc5mhRANCAARtc4U/cvkFXPNfZMZHrY+kqfrefq0k\n"
    "1mUQdoeW1iLxSwP1l0/a9emGAFN4ZOwu650I1PIkDaUoSY56Wj3kfkCW\n"
    "-----END PRIVATE KEY-----\n";

static const char name_cn_pem[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBnzCCAUWgAwIBAgIUDmC20iRYn9hQU2tiO1PK247Ba1MwCgYIKoZIzj0EAwIw\n"
    "HjEcMBoGA1UEAwwTcnRjc2hpbSBETlMgdGVzdCBDQTAgFw0yNjEyMDYwNjU4MTJa\n"
    "GA8yMTI2MTExMjA2NTgxMlowGzEZMBcGA1UEAwwQc2lwLmV4YW1wbGUudGVzdDBZ\n"
    "MBMGByqGSM49AgEGCCqGSM49AwEHA0IABF+D7yCXujIQpAJKAocTNDDR695awkic\n"
    "QS/lduiz1lpb5r6FbIvxA9SAiHrlHqlAX/xQPmpHg0t2gQRCijPWWmWjYjBgMAkG\n"
    "A1UdEwQCMAAwEwYDVR0lBAwwCgYIKwYBBQUHAwEwHQYDVR0OBBYEFA8RzmIgDnE/\n"
    "eq17hmQBebf0bz1IMB8GA1UdIwQYMBaAFIe/7/I3N/DJdejOPewREsDxLUFHMAoG\n"
    "CCqGSM49BAMCA0gAMEUCIHl9mirLRUbVthke4uhy1tlEqhVQYdWpVDxWIZfLPxLv\n"
    "AiEA3GHvQy87u1gbI3V+Je8/ClI/K0qGBiUqikIJjFNiVcI=\n"
    "-----END CERTIFICATE-----\n"
    "-----BEGIN PRIVATE KEY-----\n"
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgy+k6lLYK1dhQYqHy\n"
    "5UySSWf15kUdZcTQAi5r6T33HRahRANCAARfg+8gl7oyEKQCSgKHEzQw0eveWsJI\n"
    "nEEv5Xbos9ZaW+a+hWyL8QPUgIh65R6pQF/8UD5qR4NLdoEEQooz1lpl\n"
    "-----END PRIVATE KEY-----\n";

#endif /* RTCSHIM_TEST_TLS_NAME_FIXTURES_H */
