/* Proof 3: the file is encrypted at rest, a wrong key is a clear
 * IPAM_EAUTH, and a rekeyed file opens with the new key only.
 *
 * The bytes of the file and of its write-ahead log are searched for the
 * names, descriptions, addresses (as text) and audit texts of a session,
 * while the session is open (the log holds the fresh pages) and after it
 * closed (the pages are checkpointed into the file). As a control, the same
 * search finds those strings in a plain SQLite file that holds them. */
#include "st_common.h"
#include "st_run.h"
#include "st_raw.h"

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

static const char *const secrets[] = {
	"secret-host.example.com",
	"secret-host",
	"example.com",
	"secret-space-zebra",
	"secret-site-lisbon",
	"secret-prefix-desc",
	"secret-addr-desc",
	"alloc-7.secret.example",
	"10.77.12.34",
	"10.77.0.0",
	"10.77.",
	"2001:db8:5ec7",
	"02:42:ac:11:00:02",
	"address.alloc",
	"address default",
	"prefix.add",
	"st-test",
	"CREATE TABLE",
	"SQLite format 3",
};
#define NSECRETS (sizeof secrets / sizeof secrets[0])

typedef struct {
	char dir[256], file[300], wal[300], key[300], key2[300];
} paths;

static void paths_init(paths *p, const char *tag)
{
	ck_assert_msg(st_tmpdir(p->dir, tag) == 0, "%s", st_why());
	snprintf(p->file, sizeof p->file, "%s/ipam.db", p->dir);
	snprintf(p->wal, sizeof p->wal, "%s/ipam.db-wal", p->dir);
	snprintf(p->key, sizeof p->key, "%s/key", p->dir);
	snprintf(p->key2, sizeof p->key2, "%s/key2", p->dir);
	ck_assert_msg(st_make_key(p->key) == 0, "%s", st_why());
	ck_assert_msg(st_make_key(p->key2) == 0, "%s", st_why());
}

/* A session that writes every secret above into the store. */
static void session(ipam_db *db)
{
	ipam_prefix p4, p6;
	ck_assert_msg(ipam_space_add(db, "secret-space-zebra", "{\"site\":\"secret-site-lisbon\"}") == 0, "%s", st_err());
	ck_assert_int_eq(ipam_prefix_parse(&p4, "10.77.0.0/16", IPAM_PARSE_DEFAULT), 0);
	ck_assert_int_eq(ipam_prefix_parse(&p6, "2001:db8:5ec7::/48", IPAM_PARSE_DEFAULT), 0);
	ipam_prefix_options po = IPAM_PREFIX_OPTIONS_INIT;
	po.description = "secret-prefix-desc";
	ck_assert_msg(ipam_prefix_add(db, &p4, &po) == 0, "%s", st_err());
	ck_assert_msg(ipam_prefix_add(db, &p6, &po) == 0, "%s", st_err());
	po.space = "secret-space-zebra";
	ck_assert_msg(ipam_prefix_add(db, &p4, &po) == 0, "%s", st_err());
	ipam_addr a;
	ck_assert_int_eq(ipam_addr_parse(&a, "10.77.12.34"), 0);
	ipam_ip_options io = IPAM_IP_OPTIONS_INIT;
	io.hostname = "secret-host.example.com";
	io.mac = "02:42:ac:11:00:02";
	io.description = "secret-addr-desc";
	ck_assert_msg(ipam_ip_add(db, &a, &io) == 0, "%s", st_err());
	char host[64];
	for (int i = 0; i < 20; i++) {
		snprintf(host, sizeof host, "alloc-%d.secret.example", i);
		ipam_ip_options o = IPAM_IP_OPTIONS_INIT;
		o.hostname = host;
		ipam_addr got;
		ck_assert_msg(ipam_ip_alloc(&got, db, &p4, &o) == 0, "%s", st_err());
		ck_assert_msg(ipam_ip_alloc(&got, db, &p6, &o) == 0, "%s", st_err());
	}
}

/* None of the secrets (nor the key) in the file's bytes. */
static void assert_no_secrets(const char *path, const char *key_file, int must_exist)
{
	size_t n;
	uint8_t *b = st_read_file(path, &n);
	if (!b) {
		ck_assert_msg(!must_exist && errno == ENOENT, "%s", st_why());
		return;
	}
	ck_assert_msg(!must_exist || n > 0, "%s is empty", path);
	for (size_t i = 0; i < NSECRETS; i++) {
		const uint8_t *hit = st_find(b, n, secrets[i]);
		ck_assert_msg(!hit, "\"%s\" is in %s in clear at offset %td", secrets[i], path, hit - b);
	}
	size_t kn;
	uint8_t *key = st_read_file(key_file, &kn);
	ck_assert_ptr_nonnull(key);
	char hex[65];
	sodium_bin2hex(hex, sizeof hex, key, kn);
	ck_assert_msg(!memmem(b, n, key, kn), "the raw key is in %s", path);
	ck_assert_msg(!st_find(b, n, hex), "the key's hex is in %s", path);
	free(key);
	free(b);
}

START_TEST(no_plaintext_in_file_or_wal)
{
	paths p;
	paths_init(&p, "enc");
	ipam_db *db = NULL;
	ck_assert_msg(st_open(&db, p.file, p.key, IPAM_OPEN_CREATE) == 0, "%s", st_why());
	session(db);
	/* while it is open: the fresh pages are in the log */
	size_t wn;
	uint8_t *w = st_read_file(p.wal, &wn);
	ck_assert_msg(w && wn > 4096, "expected a write-ahead log with pages in it: %s", st_why());
	free(w);
	assert_no_secrets(p.file, p.key, 1);
	assert_no_secrets(p.wal, p.key, 1);
	char shm[320];
	snprintf(shm, sizeof shm, "%s-shm", p.file);
	assert_no_secrets(shm, p.key, 0);
	ipam_db_free(db);
	/* after it closed */
	assert_no_secrets(p.file, p.key, 1);
	assert_no_secrets(p.wal, p.key, 0);

	/* the data is there, under the key */
	ck_assert_msg(st_open(&db, p.file, p.key, 0) == 0, "%s", st_why());
	ipam_ip_info info = IPAM_IP_INFO_INIT;
	ipam_addr a;
	ipam_addr_parse(&a, "10.77.12.34");
	ck_assert_msg(ipam_ip_get(&info, db, NULL, &a) == 0, "%s", st_err());
	ck_assert_str_eq(info.hostname, "secret-host.example.com");
	ipam_ip_info_dispose(&info);
	ipam_db_free(db);

	/* Control: the same search does find the strings in a plain SQLite
	 * file holding them (so the search above could have failed). */
	char plain[300];
	snprintf(plain, sizeof plain, "%s/plain.db", p.dir);
	sqlite3 *raw;
	ck_assert_msg(st_raw_open(&raw, plain, NULL, 1) == 0, "%s", st_why());
	ck_assert_msg(st_raw_exec(raw, "PRAGMA journal_mode = WAL; CREATE TABLE t(v TEXT)") == 0, "%s", st_why());
	sqlite3_stmt *q;
	ck_assert_int_eq(sqlite3_prepare_v2(raw, "INSERT INTO t VALUES(?1)", -1, &q, NULL), SQLITE_OK);
	for (size_t i = 0; i < NSECRETS; i++) {
		sqlite3_bind_text(q, 1, secrets[i], -1, SQLITE_STATIC);
		ck_assert_int_eq(sqlite3_step(q), SQLITE_DONE);
		sqlite3_reset(q);
	}
	sqlite3_finalize(q);
	ck_assert_int_eq(sqlite3_close(raw), SQLITE_OK);
	size_t n;
	uint8_t *b = st_read_file(plain, &n);
	ck_assert_ptr_nonnull(b);
	for (size_t i = 0; i < NSECRETS; i++)
		ck_assert_msg(st_find(b, n, secrets[i]), "control: \"%s\" not found in a plain file", secrets[i]);
	free(b);
	st_rmrf(p.dir);
}
END_TEST

static void assert_eauth(const char *file, const ipam_open_options *o, const char *why)
{
	ipam_db *db = (ipam_db *)1;
	int rc = ipam_db_open(&db, file, o);
	ck_assert_msg(rc == IPAM_EAUTH, "%s: got %d (%s), expected IPAM_EAUTH", why, rc, st_err());
	ck_assert_ptr_null(db);
	const char *m = ipam_error_last()->message;
	ck_assert_msg(strstr(m, file), "%s: the message does not name the file: %s", why, m);
	ck_assert_msg(st_stristr(m, "key") || st_stristr(m, "passphrase"), "%s: the message does not say key: %s", why, m);
}

START_TEST(wrong_key_is_eauth)
{
	paths p;
	paths_init(&p, "key");
	ipam_db *db = NULL;
	ck_assert_msg(st_open(&db, p.file, p.key, IPAM_OPEN_CREATE) == 0, "%s", st_why());
	session(db);
	ipam_db_free(db);
	size_t n0;
	uint8_t *before = st_read_file(p.file, &n0);
	ck_assert_ptr_nonnull(before);

	ipam_open_options o = IPAM_OPEN_OPTIONS_INIT;
	o.key_file = p.key2;
	assert_eauth(p.file, &o, "another raw key");
	ck_assert_ptr_nonnull(st_stristr(ipam_error_last()->message, "wrong key"));
	o.key_file = NULL;
	o.passphrase = "secret";
	assert_eauth(p.file, &o, "a passphrase on a raw-key file");
	o.passphrase = NULL;
	assert_eauth(p.file, &o, "no key at all");
	assert_eauth(p.file, NULL, "no options");
	/* the failed opens changed nothing */
	size_t n1;
	uint8_t *after = st_read_file(p.file, &n1);
	ck_assert_msg(n0 == n1 && memcmp(before, after, n0) == 0, "a failed open changed the file");
	free(before);
	free(after);

	/* key files that are not keys: EINVAL / EIO naming the key file */
	char bad[300];
	snprintf(bad, sizeof bad, "%s/short.key", p.dir);
	ck_assert_int_eq(st_write_file(bad, "0123456789", 10, 0600), 0);
	o.key_file = bad;
	ck_assert_int_eq(ipam_db_open(&db, p.file, &o), IPAM_EINVAL);
	ck_assert_msg(strstr(ipam_error_last()->message, bad), "%s", st_err());
	snprintf(bad, sizeof bad, "%s/missing.key", p.dir);
	o.key_file = bad;
	ck_assert_int_eq(ipam_db_open(&db, p.file, &o), IPAM_EIO);
	ck_assert_msg(strstr(ipam_error_last()->message, bad), "%s", st_err());

	/* the right key, in hex form this time, still opens it */
	snprintf(bad, sizeof bad, "%s/hex.key", p.dir);
	size_t kn;
	uint8_t *key = st_read_file(p.key, &kn);
	char hex[66];
	sodium_bin2hex(hex, 65, key, kn);
	hex[64] = '\n';
	ck_assert_int_eq(st_write_file(bad, hex, 65, 0600), 0);
	free(key);
	o.key_file = bad;
	ck_assert_msg(ipam_db_open(&db, p.file, &o) == 0, "%s", st_err());
	ck_assert_msg(ipam_db_check(db) == 0, "%s", st_err());
	ipam_audit_report rep = IPAM_AUDIT_REPORT_INIT;
	ck_assert_msg(ipam_audit_verify(&rep, db, NULL) == 0, "%s", st_err());
	ck_assert_uint_eq(rep.entries, 1 + 3 + 1 + 40); /* space, 3 prefixes, add, 40 allocations */
	ipam_db_free(db);
	st_rmrf(p.dir);
}
END_TEST

static uint64_t count_addrs(ipam_db *db)
{
	ipam_db_stats s = IPAM_DB_STATS_INIT;
	ck_assert_int_eq(ipam_db_stats_get(&s, db), 0);
	return s.addresses;
}

START_TEST(rekey_then_new_key_only)
{
	paths p;
	paths_init(&p, "rekey");
	ipam_db *db = NULL, *other = NULL;
	ck_assert_msg(st_open(&db, p.file, p.key, IPAM_OPEN_CREATE) == 0, "%s", st_why());
	session(db);

	/* not inside a transaction */
	ck_assert_int_eq(ipam_db_begin(db), 0);
	ck_assert_int_eq(ipam_db_rekey(db, NULL, p.key2), IPAM_EINVAL);
	ipam_db_rollback(db);
	/* not while another handle has the file open: and then nothing changed */
	ck_assert_msg(st_open(&other, p.file, p.key, 0) == 0, "%s", st_why());
	int rc = ipam_db_rekey(db, NULL, p.key2);
	ck_assert_msg(rc == IPAM_ECONFLICT, "rekey with another connection open: %d %s", rc, st_err());
	ck_assert_ptr_nonnull(strstr(ipam_error_last()->message, p.file));
	ipam_db_free(other);
	other = NULL;
	ipam_prefix p4;
	ipam_prefix_parse(&p4, "10.77.0.0/16", IPAM_PARSE_DEFAULT);
	ipam_addr got;
	ck_assert_msg(ipam_ip_alloc(&got, db, &p4, NULL) == 0, "after a refused rekey: %s", st_err());
	ck_assert_msg(st_open(&other, p.file, p.key, 0) == 0, "the old key after a refused rekey: %s", st_why());
	ipam_db_free(other);
	other = NULL;

	/* the rekey; the handle goes on working */
	ck_assert_msg(ipam_db_rekey(db, NULL, p.key2) == 0, "%s", st_err());
	ck_assert_msg(ipam_ip_alloc(&got, db, &p4, NULL) == 0, "after the rekey: %s", st_err());
	uint64_t n = count_addrs(db);
	ipam_db_free(db);

	ipam_open_options o = IPAM_OPEN_OPTIONS_INIT;
	o.key_file = p.key;
	assert_eauth(p.file, &o, "the old key after rekey");
	ck_assert_msg(st_open(&db, p.file, p.key2, 0) == 0, "the new key: %s", st_why());
	ck_assert_uint_eq(count_addrs(db), n);
	ck_assert_msg(ipam_db_check(db) == 0, "%s", st_err());
	ipam_audit_report rep = IPAM_AUDIT_REPORT_INIT;
	ck_assert_msg(ipam_audit_verify(&rep, db, NULL) == 0, "%s", st_err());
	ck_assert_uint_eq(rep.entries, 1 + 3 + 1 + 40 + 2);

	/* and on to a passphrase */
	ck_assert_int_eq(ipam_db_rekey(db, NULL, NULL), IPAM_EINVAL);
	ck_assert_int_eq(ipam_db_rekey(db, "", NULL), IPAM_EINVAL);
	ck_assert_msg(ipam_db_rekey(db, "correct horse battery staple", NULL) == 0, "%s", st_err());
	ipam_db_free(db);
	o.key_file = p.key2;
	assert_eauth(p.file, &o, "the second key after a rekey to a passphrase");
	o.key_file = NULL;
	o.passphrase = "correct horse battery stapler";
	assert_eauth(p.file, &o, "a wrong passphrase");
	o.passphrase = "correct horse battery staple";
	ck_assert_msg(ipam_db_open(&db, p.file, &o) == 0, "the passphrase: %s", st_err());
	ck_assert_uint_eq(count_addrs(db), n);
	ck_assert_msg(ipam_db_check(db) == 0, "%s", st_err());
	ipam_db_free(db);
	assert_no_secrets(p.file, p.key2, 1);
	assert_no_secrets(p.wal, p.key2, 0);

	/* a store with no encryption cannot be rekeyed */
	ck_assert_int_eq(ipam_db_open(&db, "memory:", NULL), 0);
	ck_assert_int_eq(ipam_db_rekey(db, NULL, p.key2), IPAM_EPERM);
	ipam_db_free(db);
	st_rmrf(p.dir);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("storage-encryption");
	TCase *tc = tcase_create("encryption");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, no_plaintext_in_file_or_wal);
	tcase_add_test(tc, wrong_key_is_eauth);
	tcase_add_test(tc, rekey_then_new_key_only);
	suite_add_tcase(s, tc);
	return st_run_suite(s);
}
