/* Proof: a file of an older schema is migrated forward when opened, whole
 * or not at all.
 *
 * tests/storage/fixtures/schema3.db is a schema-3 store made by libipam
 * at 929268d with `ipamctl` (key: schema3.key, 32 raw bytes; what that
 * build exported from it: schema3.export.json): two spaces, v4 and v6
 * prefixes, addresses with host names and a MAC, a release, a range, a
 * DNS zone with a record, a changed prefix; 13 audit entries. Schema 3
 * keeps one `changes` row per change and one `revisions` row per
 * revision; schema 4 packs them, one `feed` row per revision; schema 5
 * drops UNIQUE(id) from `addresses` (check looks for duplicate ids).
 *
 * - the migration keeps every change: the feed read through the store
 *   after it lists exactly the rows `changes` held before it, in order,
 *   with their revisions, and the committed revision is the same;
 * - it keeps everything else: the export is byte for byte the one the
 *   old build made, the audit chain verifies, the file checks, and the
 *   old tables and the addresses' id index are gone (schema_version 5);
 * - the file works afterwards: an allocation in one handle is seen by a
 *   second handle through the change feed;
 * - a damaged schema-3 feed is refused with a clear error, and the file is
 *   left at schema 3 with its old tables (one transaction);
 * - two addresses with one id (which no index refuses any more) fail the
 *   check, which names the id;
 * - a damaged feed row (cut short, an unknown format, op, kind or family,
 *   a name without its end) fails the check, which names its revision. */
#include "st_common.h"
#include "st_run.h"
#include "st_raw.h"
#include "store/store.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

static char dir[256], fixtures[512], key[600];

static void setup(void)
{
	const char *f = getenv("ST_FIXTURES");
	ck_assert_msg(f && *f, "ST_FIXTURES is not set");
	snprintf(fixtures, sizeof fixtures, "%s", f);
	snprintf(key, sizeof key, "%s/schema3.key", fixtures);
	ck_assert_msg(st_tmpdir(dir, "migration") == 0, "%s", st_why());
}

static void teardown(void)
{
	st_rmrf(dir);
}

/* A copy of the fixture in the scratch directory. */
static void fixture_copy(char path[300], const char *name)
{
	char from[600];
	snprintf(from, sizeof from, "%s/schema3.db", fixtures);
	snprintf(path, 300, "%s/%s", dir, name);
	ck_assert_msg(st_copy_store(from, path) == 0, "copy the fixture: %s", st_why());
}

/* The changes as lines "rev op kind name|space|family:addr|last|len", from
 * either side. */
typedef struct lines {
	char **v;
	size_t n;
} lines;

static void lines_add(lines *l, const char *s)
{
	l->v = realloc(l->v, (l->n + 1) * sizeof *l->v);
	ck_assert_ptr_nonnull(l->v);
	l->v[l->n] = strdup(s);
	ck_assert_ptr_nonnull(l->v[l->n]);
	l->n++;
}

static void lines_free(lines *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof *l);
}

static void hex_upper(char *out, const uint8_t *b, size_t n)
{
	static const char d[] = "0123456789ABCDEF";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = d[b[i] >> 4];
		out[2 * i + 1] = d[b[i] & 15];
	}
	out[2 * n] = '\0';
}

static int collect(void *ctx, const ipam_store_change *c)
{
	char space[33] = "", addr[40] = "", last[33] = "", len[8] = "", line[400];
	unsigned k = c->key.kind;
	if (k != IPAM_STORE_TENANT && k != IPAM_STORE_SPACE)
		hex_upper(space, c->key.space, 16);
	if (k >= IPAM_STORE_PREFIX && k <= IPAM_STORE_ADDRESS) {
		size_t n = c->key.addr.family == IPAM_AF_INET ? 4 : 16;
		int w = snprintf(addr, sizeof addr, "%u:", c->key.addr.family);
		hex_upper(addr + w, c->key.addr.bytes, n);
		if (k == IPAM_STORE_RANGE)
			hex_upper(last, c->key.last.bytes, n);
		if (k == IPAM_STORE_PREFIX)
			snprintf(len, sizeof len, "%u", c->key.len);
	}
	snprintf(line, sizeof line, "%llu %u %u %s|%s|%s|%s|%s", (unsigned long long)c->revision, c->op, k,
	         c->key.name ? c->key.name : "", space, addr, last, len);
	lines_add(ctx, line);
	return 0;
}

/* What schema 3's tables hold, in the same form. */
static void old_changes(const char *path, lines *out, long long *newest)
{
	sqlite3 *raw;
	sqlite3_stmt *q;
	ck_assert_msg(st_raw_open(&raw, path, key, 0) == 0, "%s", st_why());
	ck_assert_int_eq(sqlite3_prepare_v2(raw,
		"SELECT printf('%d %d %d %s|%s|%s|%s|%s', revision, op, kind, ifnull(name, ''),"
		" CASE WHEN kind IN (1, 2) THEN '' ELSE hex(space) END,"
		" CASE WHEN kind BETWEEN 3 AND 5 THEN family || ':' || hex(addr) ELSE '' END,"
		" CASE WHEN kind = 4 THEN hex(last) ELSE '' END,"
		" CASE WHEN kind = 3 THEN len ELSE '' END) FROM changes ORDER BY seq", -1, &q, NULL), SQLITE_OK);
	while (sqlite3_step(q) == SQLITE_ROW)
		lines_add(out, (const char *)sqlite3_column_text(q, 0));
	sqlite3_finalize(q);
	*newest = st_raw_int(raw, "SELECT max(revision) FROM revisions");
	ck_assert_int_eq(sqlite3_close(raw), SQLITE_OK);
}

static long long raw_int(const char *path, const char *sql)
{
	sqlite3 *raw;
	ck_assert_msg(st_raw_open(&raw, path, key, 0) == 0, "%s", st_why());
	long long v = st_raw_int(raw, sql);
	ck_assert_int_eq(sqlite3_close(raw), SQLITE_OK);
	return v;
}

START_TEST(schema3_keeps_every_change)
{
	char path[300];
	fixture_copy(path, "keep.db");
	ck_assert_int_eq(raw_int(path, "SELECT CAST(value AS INTEGER) FROM meta WHERE name = 'schema_version'"), 3);
	lines before = { 0 }, after = { 0 };
	long long newest = 0;
	old_changes(path, &before, &newest);
	ck_assert_msg(before.n >= 10 && newest > 0, "the fixture has %zu changes, revision %lld", before.n, newest);

	/* open it through the store itself: the migration runs */
	uint8_t raw_key[32];
	size_t n = 0;
	uint8_t *k = st_read_file(key, &n);
	ck_assert_msg(k && n == 32, "the fixture key");
	memcpy(raw_key, k, 32);
	sodium_memzero(k, n);
	free(k);
	ipam__store_args args = { .path = path, .raw_key = raw_key, .raw_len = 32 };
	ipam_store *st = NULL;
	ck_assert_msg(ipam__store_sqlcipher_open(&st, &args) == 0, "open: %s", ipam_error_last()->message);
	sodium_memzero(raw_key, sizeof raw_key);
	uint64_t rev = 0;
	ck_assert_int_eq(st->revision(st, &rev), 0);
	ck_assert_uint_eq(rev, (uint64_t)newest);
	ck_assert_int_eq(st->begin(st, 0), 0);
	ck_assert_msg(st->changes(st, 0, collect, &after) == 0, "changes: %s", ipam_error_last()->message);
	st->rollback(st);
	ck_assert_msg(after.n == before.n, "%zu changes after the migration, %zu before", after.n, before.n);
	for (size_t i = 0; i < before.n; i++)
		ck_assert_msg(strcmp(before.v[i], after.v[i]) == 0, "change %zu: before %s, after %s", i, before.v[i],
		              after.v[i]);
	/* from a revision on: only the later ones */
	lines tail = { 0 };
	ck_assert_int_eq(st->begin(st, 0), 0);
	ck_assert_int_eq(st->changes(st, (uint64_t)newest - 1, collect, &tail), 0);
	st->rollback(st);
	ck_assert_uint_ge(tail.n, 1);
	for (size_t i = 0; i < tail.n; i++)
		ck_assert_str_eq(tail.v[i], before.v[before.n - tail.n + i]);
	ck_assert_int_eq(st->check(st), 0);
	st->free(st);
	lines_free(&before);
	lines_free(&after);
	lines_free(&tail);

	ck_assert_int_eq(raw_int(path, "SELECT CAST(value AS INTEGER) FROM meta WHERE name = 'schema_version'"), 5);
	ck_assert_int_eq(raw_int(path, "SELECT count(*) FROM sqlite_master WHERE name IN ('changes', 'revisions')"), 0);
	ck_assert_int_eq(raw_int(path, "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'addresses'"),
	                 0);
	ck_assert_int_eq(raw_int(path, "SELECT count(*) FROM feed"), newest);
}
END_TEST

START_TEST(schema3_export_and_use)
{
	char path[300], exp_path[600];
	fixture_copy(path, "use.db");
	ipam_db *db = NULL, *db2 = NULL;
	ck_assert_msg(st_open(&db, path, key, 0) == 0, "%s", st_why());

	/* everything is as the old build exported it, byte for byte */
	snprintf(exp_path, sizeof exp_path, "%s/schema3.export.json", fixtures);
	size_t n = 0;
	uint8_t *want = st_read_file(exp_path, &n);
	ck_assert_msg(want != NULL, "%s", exp_path);
	ipam_buf doc = IPAM_BUF_INIT;
	ck_assert_msg(ipam_export(&doc, db) == 0, "export: %s", st_err());
	ck_assert_msg(doc.size == n && memcmp(doc.ptr, want, n) == 0,
	              "the export after the migration differs from the old build's (%zu and %zu bytes)", doc.size, n);
	ipam_buf_dispose(&doc);
	free(want);
	ipam_audit_report rep = IPAM_AUDIT_REPORT_INIT;
	ck_assert_msg(ipam_audit_verify(&rep, db, NULL) == 0, "audit verify: %s", st_err());
	ck_assert_uint_eq(rep.entries, 13);
	ck_assert_msg(ipam_db_check(db) == 0, "check: %s", st_err());

	/* a second handle sees the first one's writes through the feed */
	ck_assert_msg(st_open(&db2, path, key, 0) == 0, "%s", st_why());
	ipam_prefix p;
	ck_assert_int_eq(ipam_prefix_parse(&p, "10.0.0.0/24", IPAM_PARSE_DEFAULT), 0);
	ipam_addr a;
	ck_assert_msg(ipam_ip_alloc(&a, db, &p, NULL) == 0, "alloc: %s", st_err());
	st_set seen = { 0 };
	ck_assert_msg(st_list(db2, "10.0.0.0/24", &seen, NULL) == 0, "%s", st_why());
	st_set_sort(&seen);
	ck_assert_msg(st_set_has(&seen, st_v4(&a)), "the second handle does not see the new address");
	st_set_free(&seen);
	ipam_db_free(db2);
	ipam_db_free(db);
}
END_TEST

START_TEST(damaged_schema3_left_as_it_was)
{
	char path[300];
	fixture_copy(path, "damaged.db");
	ck_assert_msg(st_raw_run(path, key, "UPDATE changes SET family = 9 WHERE seq = (SELECT max(seq) FROM changes"
	                                    " WHERE kind = 5)") == 0, "%s", st_why());
	ipam_db *db = NULL;
	ck_assert_msg(st_open(&db, path, key, 0) != 0, "a damaged schema-3 feed opened");
	const char *msg = ipam_error_last()->message;
	ck_assert_msg(strstr(msg, path) && strstr(msg, "migrate") && strstr(msg, "damaged"),
	              "the message does not say what: %s", msg);
	ck_assert_int_eq(raw_int(path, "SELECT CAST(value AS INTEGER) FROM meta WHERE name = 'schema_version'"), 3);
	ck_assert_int_eq(raw_int(path, "SELECT count(*) FROM sqlite_master WHERE name IN ('changes', 'revisions')"), 2);
	ck_assert_int_eq(raw_int(path, "SELECT count(*) FROM sqlite_master WHERE name = 'feed'"), 0);
}
END_TEST

START_TEST(duplicate_address_ids_fail_the_check)
{
	char path[300];
	fixture_copy(path, "dup.db");
	ipam_db *db = NULL;
	ck_assert_msg(st_open(&db, path, key, 0) == 0, "%s", st_why());
	ck_assert_msg(ipam_db_check(db) == 0, "check: %s", st_err());
	ipam_db_free(db);
	/* a second address (10.0.0.254) with the id of the first */
	ck_assert_msg(st_raw_run(path, key, "INSERT INTO addresses SELECT space, family, X'0A0000FE', id, created, revision,"
	                                    " tenant, status, name, mac, description, attrs, version, updated FROM addresses"
	                                    " WHERE family = 4 ORDER BY addr LIMIT 1") == 0, "%s", st_why());
	ck_assert_msg(st_open(&db, path, key, 0) == 0, "%s", st_why());
	ck_assert_msg(ipam_db_check(db) != 0, "two addresses with one id pass the check");
	ck_assert_msg(strstr(ipam_error_last()->message, "two addresses have the id"), "%s", ipam_error_last()->message);
	ipam_db_free(db);
}
END_TEST

START_TEST(damaged_feed_rows_fail_the_check)
{
	/* each replaces the keys of the newest feed row */
	static const char *const bad[] = {
		"x''",                                       /* empty */
		"x'02'",                                     /* an unknown format */
		"x'01'||x'0105'",                            /* an address cut after its kind */
		"x'01'||x'0305'",                            /* an unknown op */
		"x'01'||x'0163'",                            /* an unknown kind */
		"x'01'||x'0105'||zeroblob(16)||x'09'||x'0a000001'", /* family 9 */
		"x'01'||x'0105'||zeroblob(16)||x'04'||x'0a00'",     /* the address cut short */
		"x'01'||x'0102'||x'626c7565'",               /* a space name without its NUL */
		"x'01'||x'0106'||zeroblob(8)",               /* an object's parent cut short */
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char path[300], name[32], sql[300];
		snprintf(name, sizeof name, "feed%zu.db", i);
		fixture_copy(path, name);
		ipam_db *db = NULL;
		ck_assert_msg(st_open(&db, path, key, 0) == 0, "%s", st_why());
		ipam_db_free(db);
		snprintf(sql, sizeof sql, "UPDATE feed SET keys = %s WHERE id = (SELECT max(id) FROM feed)", bad[i]);
		ck_assert_msg(st_raw_run(path, key, sql) == 0, "%s: %s", bad[i], st_why());
		ck_assert_msg(st_open(&db, path, key, 0) == 0, "%s", st_why());
		ck_assert_msg(ipam_db_check(db) != 0, "%s: a damaged feed row passes the check", bad[i]);
		const char *msg = ipam_error_last()->message;
		ck_assert_msg(strstr(msg, "the change feed of revision") && strstr(msg, "is damaged"), "%s: %s", bad[i],
		              msg);
		ipam_db_free(db);
	}
}
END_TEST

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	Suite *s = suite_create("storage-migration");
	TCase *tc = tcase_create("migration");
	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, schema3_keeps_every_change);
	tcase_add_test(tc, schema3_export_and_use);
	tcase_add_test(tc, damaged_schema3_left_as_it_was);
	tcase_add_test(tc, duplicate_address_ids_fail_the_check);
	tcase_add_test(tc, damaged_feed_rows_fail_the_check);
	suite_add_tcase(s, tc);
	return st_run_suite(s);
}
