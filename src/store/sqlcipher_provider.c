/* A crypto provider for SQLCipher 3.4.1 (Debian 12's libsqlcipher0) that
 * keeps its OpenSSL 3 objects.
 *
 * Why: SQLCipher 3.4 encrypts and authenticates every page it writes or
 * reads through its provider's `cipher` and `hmac`. The stock OpenSSL
 * provider makes a new EVP_CIPHER_CTX and HMAC_CTX for each call and hands
 * them the legacy EVP_aes_256_cbc() / EVP_sha1() objects, so OpenSSL 3
 * looks the algorithms up in its provider store (name lookups, parameter
 * parsing, locks) twice a page: most of the CPU of a small commit. This
 * provider fetches the cipher and the HMAC once per SQLCipher cipher
 * context (two a connection: read and write) and keeps one keyed
 * EVP_CIPHER_CTX per direction and one keyed EVP_MAC_CTX; a page then
 * costs an IV reset, the AES-CBC pass and the HMAC-SHA1 pass.
 *
 * The page format does not change: the same AES-256-CBC without padding,
 * the same HMAC-SHA1 over (ciphertext, IV, page number), the same random
 * IV and reserve (RAND_bytes), and the stock provider's own PBKDF2 (the
 * `kdf` slot is SQLCipher's). Files written with either provider open
 * with the other (tests/storage/test_provider.c).
 *
 * The layout of `struct sqlcipher_provider` is SQLCipher 3.4.1's (20
 * function pointers, sqlcipher.h of tag v3.4.1; checked against the
 * Debian binary's sqlcipher_openssl_setup). It is not in any installed
 * header, so this file declares it, and refuses to register (the stock
 * provider stays) unless:
 *   - PRAGMA cipher_version says 3.4.1,
 *   - sqlcipher_openssl_setup() fills exactly those 20 slots of a buffer
 *     larger than the struct (a grown struct would write past them),
 *   - a self-test gives the stock provider's bytes: one page encrypted
 *     and decrypted, and one HMAC, both ways.
 * IPAM_SQLCIPHER_PROVIDER=stock in the environment keeps the stock one.
 *
 * Registration is process-wide inside SQLCipher, and SQLCipher drops the
 * registered provider (and puts the stock one back) when the last keyed
 * connection of the process closes. So install() takes one activation of
 * SQLCipher for the life of the process (sqlcipher_activate()) and then
 * registers, once, under pthread_once. Other SQLCipher users in the same
 * process get this provider too; as the format is the same, they do not
 * see a difference. */
#include "store/sqlcipher_provider.h"

#define SQLITE_HAS_CODEC 1
#include <sqlite3.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* ---- SQLCipher 3.4.1's provider interface (not installed by Debian) ----- */

struct sqlcipher_provider {
	int (*activate)(void *ctx);
	int (*deactivate)(void *ctx);
	const char *(*get_provider_name)(void *ctx);
	int (*add_random)(void *ctx, void *buffer, int length);
	int (*random)(void *ctx, void *buffer, int length);
	int (*hmac)(void *ctx, unsigned char *hmac_key, int key_sz, unsigned char *in, int in_sz, unsigned char *in2,
	            int in2_sz, unsigned char *out);
	int (*kdf)(void *ctx, const unsigned char *pass, int pass_sz, unsigned char *salt, int salt_sz, int workfactor,
	           int key_sz, unsigned char *key);
	int (*cipher)(void *ctx, int mode, unsigned char *key, int key_sz, unsigned char *iv, unsigned char *in,
	              int in_sz, unsigned char *out);
	int (*set_cipher)(void *ctx, const char *cipher_name);
	const char *(*get_cipher)(void *ctx);
	int (*get_key_sz)(void *ctx);
	int (*get_iv_sz)(void *ctx);
	int (*get_block_sz)(void *ctx);
	int (*get_hmac_sz)(void *ctx);
	int (*ctx_copy)(void *target_ctx, void *source_ctx);
	int (*ctx_cmp)(void *c1, void *c2);
	int (*ctx_init)(void **ctx);
	int (*ctx_free)(void **ctx);
	int (*fips_status)(void *ctx);
	const char *(*get_provider_version)(void *ctx);
};

#define PROVIDER_SLOTS 20
_Static_assert(sizeof(struct sqlcipher_provider) == PROVIDER_SLOTS * sizeof(void (*)(void)),
               "SQLCipher 3.4.1's provider is 20 function pointers");

/* Exported by libsqlcipher.so.0 (3.4.1), declared by no installed header. */
extern int sqlcipher_register_provider(struct sqlcipher_provider *p);
extern int sqlcipher_openssl_setup(struct sqlcipher_provider *p);
extern void sqlcipher_activate(void);
extern void *sqlcipher_malloc(int sz);
extern void sqlcipher_free(void *ptr, int sz);

/* SQLCipher's modes (CIPHER_ENCRYPT / CIPHER_DECRYPT in its crypto.h). */
#define MODE_DECRYPT 0
#define MODE_ENCRYPT 1

#define HMAC_SHA1_SIZE 20
#define MAX_KEY 64

/* ---- one SQLCipher cipher context's OpenSSL objects ------------------- */

struct keyed {
	EVP_CIPHER_CTX *ctx;
	int len; /* 0: not keyed yet */
	unsigned char key[MAX_KEY];
};

struct pctx {
	EVP_CIPHER *cipher; /* fetched by set_cipher */
	struct keyed dir[2]; /* [MODE_DECRYPT], [MODE_ENCRYPT] */
	EVP_MAC_CTX *mac;    /* HMAC-SHA1 */
	int mac_len;         /* 0: not keyed yet */
	unsigned char mac_key[MAX_KEY];
};

static void forget_keys(struct pctx *p)
{
	for (int d = 0; d < 2; d++) {
		OPENSSL_cleanse(p->dir[d].key, sizeof p->dir[d].key);
		p->dir[d].len = 0;
	}
	OPENSSL_cleanse(p->mac_key, sizeof p->mac_key);
	p->mac_len = 0;
}

static int pv_ctx_free(void **ctx)
{
	struct pctx *p = *ctx;
	if (!p)
		return SQLITE_OK;
	forget_keys(p);
	for (int d = 0; d < 2; d++)
		EVP_CIPHER_CTX_free(p->dir[d].ctx);
	EVP_MAC_CTX_free(p->mac);
	EVP_CIPHER_free(p->cipher);
	free(p);
	*ctx = NULL;
	return SQLITE_OK;
}

static int pv_ctx_init(void **ctx)
{
	struct pctx *p = calloc(1, sizeof *p);
	*ctx = p;
	if (!p)
		return SQLITE_NOMEM;
	EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	if (mac) {
		p->mac = EVP_MAC_CTX_new(mac);
		EVP_MAC_free(mac); /* the context holds its own reference */
	}
	char digest[] = "SHA1";
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
		OSSL_PARAM_construct_end(),
	};
	p->dir[0].ctx = EVP_CIPHER_CTX_new();
	p->dir[1].ctx = EVP_CIPHER_CTX_new();
	if (!p->mac || !EVP_MAC_CTX_set_params(p->mac, params) || !p->dir[0].ctx || !p->dir[1].ctx) {
		pv_ctx_free(ctx);
		return SQLITE_NOMEM;
	}
	return SQLITE_OK;
}

static int pv_set_cipher(void *ctx, const char *name)
{
	struct pctx *p = ctx;
	EVP_CIPHER *c = EVP_CIPHER_fetch(NULL, name, NULL);
	if (!c)
		return SQLITE_ERROR;
	EVP_CIPHER_free(p->cipher);
	p->cipher = c;
	forget_keys(p);
	return SQLITE_OK;
}

static const char *pv_get_cipher(void *ctx)
{
	struct pctx *p = ctx;
	return p->cipher ? EVP_CIPHER_get0_name(p->cipher) : NULL;
}

static int pv_get_key_sz(void *ctx)
{
	struct pctx *p = ctx;
	return p->cipher ? EVP_CIPHER_get_key_length(p->cipher) : 0;
}

static int pv_get_iv_sz(void *ctx)
{
	struct pctx *p = ctx;
	return p->cipher ? EVP_CIPHER_get_iv_length(p->cipher) : 0;
}

static int pv_get_block_sz(void *ctx)
{
	struct pctx *p = ctx;
	return p->cipher ? EVP_CIPHER_get_block_size(p->cipher) : 0;
}

static int pv_get_hmac_sz(void *ctx)
{
	(void)ctx;
	return HMAC_SHA1_SIZE;
}

/* SQLCipher copies a cipher context's settings (the cipher) with this; the
 * keys follow through the next cipher/hmac call. */
static int pv_ctx_copy(void *target, void *source)
{
	struct pctx *t = target, *s = source;
	if (t == s)
		return SQLITE_OK;
	if (s->cipher && !EVP_CIPHER_up_ref(s->cipher))
		return SQLITE_ERROR;
	EVP_CIPHER_free(t->cipher);
	t->cipher = s->cipher;
	forget_keys(t);
	return SQLITE_OK;
}

/* Nonzero when the two use the same cipher (SQLCipher's sense). */
static int pv_ctx_cmp(void *c1, void *c2)
{
	const char *a = pv_get_cipher(c1), *b = pv_get_cipher(c2);
	return a && b ? strcmp(a, b) == 0 : a == b;
}

static int pv_random(void *ctx, void *buffer, int length)
{
	(void)ctx;
	return length < 0 || RAND_bytes(buffer, length) == 1 ? SQLITE_OK : SQLITE_ERROR;
}

static int pv_add_random(void *ctx, void *buffer, int length)
{
	(void)ctx;
	if (length > 0)
		RAND_add(buffer, length, 0);
	return SQLITE_OK;
}

static int pv_noop(void *ctx)
{
	(void)ctx;
	return SQLITE_OK;
}

static const char *pv_name(void *ctx)
{
	(void)ctx;
	return IPAM__SQLCIPHER_PROVIDER_NAME;
}

/* The stock provider's way: fresh objects for one call. The fallback when a
 * kept context fails (out of memory), so a page is never left unprocessed. */
static int cipher_once(const EVP_CIPHER *c, int mode, const unsigned char *key, const unsigned char *iv,
                       const unsigned char *in, int in_sz, unsigned char *out)
{
	EVP_CIPHER_CTX *e = EVP_CIPHER_CTX_new();
	int n = 0, m = 0;
	int ok = e && EVP_CipherInit_ex2(e, c, key, iv, mode, NULL) && EVP_CIPHER_CTX_set_padding(e, 0) &&
	         EVP_CipherUpdate(e, out, &n, in, in_sz) && EVP_CipherFinal_ex(e, out + n, &m) && n + m == in_sz;
	EVP_CIPHER_CTX_free(e);
	return ok ? SQLITE_OK : SQLITE_ERROR;
}

static int pv_cipher(void *ctx, int mode, unsigned char *key, int key_sz, unsigned char *iv, unsigned char *in,
                     int in_sz, unsigned char *out)
{
	struct pctx *p = ctx;
	if (!p->cipher || (mode != MODE_ENCRYPT && mode != MODE_DECRYPT) || key_sz <= 0 || key_sz > MAX_KEY ||
	    in_sz < 0)
		return SQLITE_ERROR;
	struct keyed *k = &p->dir[mode];
	int ok;
	if (k->len != key_sz || CRYPTO_memcmp(k->key, key, (size_t)key_sz) != 0) {
		/* first use, or a new key (rekey): key the context */
		k->len = 0;
		ok = EVP_CipherInit_ex2(k->ctx, p->cipher, key, iv, mode, NULL) && EVP_CIPHER_CTX_set_padding(k->ctx, 0);
		if (ok) {
			memcpy(k->key, key, (size_t)key_sz);
			k->len = key_sz;
		}
	} else {
		/* same key: only the page's IV is new */
		ok = EVP_CipherInit_ex2(k->ctx, NULL, NULL, iv, mode, NULL);
	}
	int n = 0;
	if (ok && EVP_CipherUpdate(k->ctx, out, &n, in, in_sz) && n == in_sz)
		return SQLITE_OK;
	k->len = 0;
	return cipher_once(p->cipher, mode, key, iv, in, in_sz, out);
}

static int pv_hmac(void *ctx, unsigned char *hmac_key, int key_sz, unsigned char *in, int in_sz, unsigned char *in2,
                   int in2_sz, unsigned char *out)
{
	struct pctx *p = ctx;
	if (key_sz <= 0 || key_sz > MAX_KEY || in_sz < 0 || in2_sz < 0)
		return SQLITE_ERROR;
	int ok;
	if (p->mac_len != key_sz || CRYPTO_memcmp(p->mac_key, hmac_key, (size_t)key_sz) != 0) {
		p->mac_len = 0;
		ok = EVP_MAC_init(p->mac, hmac_key, (size_t)key_sz, NULL);
		if (ok) {
			memcpy(p->mac_key, hmac_key, (size_t)key_sz);
			p->mac_len = key_sz;
		}
	} else {
		ok = EVP_MAC_init(p->mac, NULL, 0, NULL); /* same key: restart */
	}
	size_t len = 0;
	ok = ok && EVP_MAC_update(p->mac, in, (size_t)in_sz) &&
	     (!in2 || EVP_MAC_update(p->mac, in2, (size_t)in2_sz)) && EVP_MAC_final(p->mac, out, &len, HMAC_SHA1_SIZE) &&
	     len == HMAC_SHA1_SIZE;
	if (ok)
		return SQLITE_OK;
	p->mac_len = 0;
	unsigned char *data = malloc((size_t)in_sz + (size_t)in2_sz + 1);
	if (data) {
		memcpy(data, in, (size_t)in_sz);
		if (in2)
			memcpy(data + in_sz, in2, (size_t)in2_sz);
		ok = EVP_Q_mac(NULL, "HMAC", NULL, "SHA1", NULL, hmac_key, (size_t)key_sz, data,
		               (size_t)in_sz + (in2 ? (size_t)in2_sz : 0), out, HMAC_SHA1_SIZE, &len) != NULL;
		free(data);
	}
	return ok && len == HMAC_SHA1_SIZE ? SQLITE_OK : SQLITE_ERROR;
}

/* ---- checks, and registration ------------------------------------------ */

/* PRAGMA cipher_version on a connection of its own. */
static int version_is_341(void)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *q = NULL;
	int ok = 0;
	if (sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, "PRAGMA cipher_version", -1, &q, NULL) == SQLITE_OK && sqlite3_step(q) == SQLITE_ROW) {
		const unsigned char *v = sqlite3_column_text(q, 0);
		ok = v && strcmp((const char *)v, "3.4.1") == 0;
	}
	sqlite3_finalize(q);
	sqlite3_close(db);
	return ok;
}

/* sqlcipher_openssl_setup() must fill exactly our 20 slots. */
static int layout_matches(void)
{
	union {
		struct sqlcipher_provider p;
		unsigned char raw[2 * sizeof(struct sqlcipher_provider)];
	} probe;
	memset(&probe, 0xa5, sizeof probe);
	sqlcipher_openssl_setup(&probe.p);
	void *slot[2 * PROVIDER_SLOTS];
	memcpy(slot, probe.raw, sizeof slot);
	void *canary;
	memset(&canary, 0xa5, sizeof canary);
	for (int i = 0; i < 2 * PROVIDER_SLOTS; i++)
		if ((i < PROVIDER_SLOTS) != (slot[i] != canary && slot[i] != NULL))
			return 0;
	return 1;
}

/* One page of 4096 bytes (4048 of data: SQLCipher's reserve is 48) and its
 * HMAC, through ours and through the stock provider: the same bytes. */
static int self_test(const struct sqlcipher_provider *stock, const struct sqlcipher_provider *ours)
{
	enum { DATA = 4048 };
	unsigned char key[32], hkey[32], iv[16], pg[4] = { 7, 0, 0, 0 };
	unsigned char *buf = malloc(5 * DATA);
	if (!buf)
		return 0;
	unsigned char *plain = buf, *c1 = buf + DATA, *c2 = buf + 2 * DATA, *back = buf + 3 * DATA, *back2 = buf + 4 * DATA;
	unsigned char m1[HMAC_SHA1_SIZE], m2[HMAC_SHA1_SIZE];
	void *sc = NULL, *oc = NULL;
	int ok = RAND_bytes(key, sizeof key) == 1 && RAND_bytes(hkey, sizeof hkey) == 1 &&
	         RAND_bytes(iv, sizeof iv) == 1 && RAND_bytes(plain, DATA) == 1 && stock->ctx_init(&sc) == SQLITE_OK &&
	         ours->ctx_init(&oc) == SQLITE_OK && stock->set_cipher(sc, "aes-256-cbc") == SQLITE_OK &&
	         ours->set_cipher(oc, "aes-256-cbc") == SQLITE_OK &&
	         stock->get_key_sz(sc) == ours->get_key_sz(oc) && stock->get_iv_sz(sc) == ours->get_iv_sz(oc) &&
	         stock->get_block_sz(sc) == ours->get_block_sz(oc) && stock->get_hmac_sz(sc) == ours->get_hmac_sz(oc);
	for (int round = 0; ok && round < 2; round++) { /* the second: kept contexts */
		ok = stock->cipher(sc, MODE_ENCRYPT, key, 32, iv, plain, DATA, c1) == SQLITE_OK &&
		     ours->cipher(oc, MODE_ENCRYPT, key, 32, iv, plain, DATA, c2) == SQLITE_OK &&
		     memcmp(c1, c2, DATA) == 0 && ours->cipher(oc, MODE_DECRYPT, key, 32, iv, c2, DATA, back) == SQLITE_OK &&
		     stock->cipher(sc, MODE_DECRYPT, key, 32, iv, c2, DATA, back2) == SQLITE_OK &&
		     memcmp(back, plain, DATA) == 0 && memcmp(back2, plain, DATA) == 0 &&
		     stock->hmac(sc, hkey, 32, c1, DATA, pg, 4, m1) == SQLITE_OK &&
		     ours->hmac(oc, hkey, 32, c1, DATA, pg, 4, m2) == SQLITE_OK && memcmp(m1, m2, sizeof m1) == 0;
		iv[0] ^= 1;
		plain[0] ^= 1;
	}
	if (sc)
		stock->ctx_free(&sc);
	if (oc)
		ours->ctx_free(&oc);
	OPENSSL_cleanse(key, sizeof key);
	OPENSSL_cleanse(hkey, sizeof hkey);
	free(buf);
	return ok;
}

/* Written once, under `once`, and only read afterwards. */
static pthread_once_t once = PTHREAD_ONCE_INIT;
static int active;
static const char *why_not = "not installed yet";

static void install(void)
{
	const char *env = getenv("IPAM_SQLCIPHER_PROVIDER");
	if (sqlite3_initialize() != SQLITE_OK) {
		why_not = "stock: sqlite3_initialize failed";
		return;
	}
	if (env && strcmp(env, "stock") == 0) {
		why_not = "stock: IPAM_SQLCIPHER_PROVIDER=stock";
		return;
	}
	if (!version_is_341()) {
		why_not = "stock: SQLCipher is not 3.4.1";
		return;
	}
	if (!layout_matches()) {
		why_not = "stock: SQLCipher's provider layout is not 3.4.1's";
		return;
	}
	struct sqlcipher_provider stock;
	sqlcipher_openssl_setup(&stock);
	struct sqlcipher_provider *p = sqlcipher_malloc((int)sizeof *p);
	if (!p) {
		why_not = "stock: out of memory";
		return;
	}
	*p = stock; /* keeps the stock kdf, fips_status and get_provider_version */
	p->activate = pv_noop;
	p->deactivate = pv_noop;
	p->get_provider_name = pv_name;
	p->add_random = pv_add_random;
	p->random = pv_random;
	p->hmac = pv_hmac;
	p->cipher = pv_cipher;
	p->set_cipher = pv_set_cipher;
	p->get_cipher = pv_get_cipher;
	p->get_key_sz = pv_get_key_sz;
	p->get_iv_sz = pv_get_iv_sz;
	p->get_block_sz = pv_get_block_sz;
	p->get_hmac_sz = pv_get_hmac_sz;
	p->ctx_copy = pv_ctx_copy;
	p->ctx_cmp = pv_ctx_cmp;
	p->ctx_init = pv_ctx_init;
	p->ctx_free = pv_ctx_free;
	if (!self_test(&stock, p)) {
		sqlcipher_free(p, (int)sizeof *p);
		why_not = "stock: the self-test disagreed with the stock provider";
		return;
	}
	/* Hold one activation for the life of the process, so that SQLCipher
	 * never frees the registered provider (it does when its last keyed
	 * connection closes); register after it, under its provider mutex. */
	sqlcipher_activate();
	sqlcipher_register_provider(p);
	active = 1;
	why_not = "ours: " IPAM__SQLCIPHER_PROVIDER_NAME;
}

void ipam__sqlcipher_provider_install(void)
{
	pthread_once(&once, install);
}

int ipam__sqlcipher_provider_active(const char **why)
{
	pthread_once(&once, install);
	if (why)
		*why = why_not;
	return active;
}
