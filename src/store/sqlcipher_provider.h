/* SQLCipher 3.4.1's page crypto, with OpenSSL 3 contexts kept per
 * connection (src/store/sqlcipher_provider.c). Internal. */
#ifndef IPAM_STORE_SQLCIPHER_PROVIDER_H
#define IPAM_STORE_SQLCIPHER_PROVIDER_H

/* Put libipam's crypto provider in place of SQLCipher's stock OpenSSL one,
 * once per process (pthread_once; later calls return at once). Call it
 * before the first sqlite3_key(). It does nothing, and the stock provider
 * stays, when the environment says IPAM_SQLCIPHER_PROVIDER=stock, when the
 * library is not SQLCipher 3.4.1 with the provider layout this file knows,
 * or when its self-test (a page and an HMAC computed both ways) disagrees
 * with the stock provider. Never fails: the stock provider is always
 * there to fall back to. */
void ipam__sqlcipher_provider_install(void);

/* After install: 1 when ours is registered, 0 when the stock one is; *why
 * (when not NULL) gets a static text saying which and why. */
int ipam__sqlcipher_provider_active(const char **why);

/* The name SQLCipher reports (PRAGMA cipher_provider) for ours. */
#define IPAM__SQLCIPHER_PROVIDER_NAME "libipam-openssl3"

#endif
