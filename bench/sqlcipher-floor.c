/* sqlcipher-floor: what SQLCipher itself can write on this machine, with
 * no libipam in the loop: the floor under W1-txn (issue 3: 65,534
 * allocations in one transaction, >= 300k/s). Not a unit test:
 *   build-rel/bench/sqlcipher-floor [DIR] [RUNS]
 * Each variant inserts 65,534 rows shaped like libipam's (or leaner ones)
 * into a fresh encrypted file (raw 256-bit key, WAL, synchronous=NORMAL,
 * 4 KB cipher pages, foreign keys on, 32 MB cache: the store's settings),
 * through one prepared statement per table, in one transaction, and
 * prints the median over RUNS (default 3) of the process CPU time and of
 * the wall time, as rows (allocations) per second.
 *
 * A libipam file is opened first, so that libipam's own crypto provider
 * (src/store/sqlcipher_provider.c, registered once per process) is the one
 * every connection here uses, as in the store.
 *
 * Variants (each line is one allocation's rows):
 *   schema3     the address row + its change row + its audit entry: what
 *               the store writes per allocation at schema 3
 *   addr+audit  the address row + its audit entry (the change feed packed
 *               per revision)
 *   addr        the address row alone (16-byte space id, UNIQUE random
 *               id, foreign keys)
 *   lean        a leaner address row: INTEGER space key, no id index, no
 *               foreign key, 8 columns
 *   lean+batch  the lean row, and the audit entries written 64 to a row
 *               (one blob) */
#define SQLITE_HAS_CODEC 1
#include <ipam.h>
#include <sqlcipher/sqlite3.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define N 65534
#define BATCH 64

static double clock_of(clockid_t c)
{
	struct timespec t;
	clock_gettime(c, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void ex(sqlite3 *db, const char *sql)
{
	char *e = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &e) != SQLITE_OK) {
		fprintf(stderr, "sqlcipher-floor: %s: %s\n", sql, e ? e : "?");
		exit(1);
	}
}

static sqlite3_stmt *prep(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *q = NULL;
	if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK) {
		fprintf(stderr, "sqlcipher-floor: %s: %s\n", sql, sqlite3_errmsg(db));
		exit(1);
	}
	return q;
}

static void step(sqlite3 *db, sqlite3_stmt *q)
{
	if (sqlite3_step(q) != SQLITE_DONE) {
		fprintf(stderr, "sqlcipher-floor: insert: %s\n", sqlite3_errmsg(db));
		exit(1);
	}
	sqlite3_reset(q);
}

enum { V_SCHEMA3, V_ADDR_AUDIT, V_ADDR, V_LEAN, V_LEAN_BATCH, V_N };
static const char *const names[V_N] = { "schema3", "addr+audit", "addr", "lean", "lean+batch" };

static const char schema[] =
	"CREATE TABLE tenants(id BLOB PRIMARY KEY) WITHOUT ROWID;"
	"CREATE TABLE spaces(name TEXT PRIMARY KEY, id BLOB NOT NULL UNIQUE) WITHOUT ROWID;"
	"CREATE TABLE addresses(space BLOB NOT NULL REFERENCES spaces(id), family INTEGER NOT NULL,"
	" addr BLOB NOT NULL, id BLOB NOT NULL UNIQUE, created INTEGER NOT NULL, revision INTEGER NOT NULL,"
	" tenant BLOB REFERENCES tenants(id), status INTEGER NOT NULL, name TEXT, mac BLOB, description TEXT,"
	" attrs TEXT, version INTEGER NOT NULL, updated INTEGER NOT NULL,"
	" PRIMARY KEY(space, family, addr)) WITHOUT ROWID;"
	"CREATE TABLE lean(space INTEGER NOT NULL, family INTEGER NOT NULL, addr BLOB NOT NULL, id BLOB NOT NULL,"
	" created INTEGER NOT NULL, revision INTEGER NOT NULL, status INTEGER NOT NULL, version INTEGER NOT NULL,"
	" PRIMARY KEY(space, family, addr)) WITHOUT ROWID;"
	"CREATE TABLE changes(seq INTEGER PRIMARY KEY, revision INTEGER NOT NULL, op INTEGER NOT NULL,"
	" kind INTEGER NOT NULL, name TEXT, space BLOB, family INTEGER, addr BLOB, last BLOB, len INTEGER);"
	"CREATE TABLE audit(seq INTEGER PRIMARY KEY, time INTEGER NOT NULL, actor TEXT, action TEXT, object TEXT,"
	" before TEXT, after TEXT, prev BLOB NOT NULL, hash BLOB NOT NULL);"
	"CREATE TABLE audit_batch(first INTEGER PRIMARY KEY, entries BLOB NOT NULL);";

/* One run of variant v in a fresh file; returns CPU and wall seconds. */
static void run(const char *dir, int v, double *cpu, double *wall)
{
	char path[4096], wal[4200];
	snprintf(path, sizeof path, "%s/floor.db", dir);
	snprintf(wal, sizeof wal, "%s-wal", path);
	unlink(path);
	unlink(wal);
	sqlite3 *db = NULL;
	if (sqlite3_open(path, &db) != SQLITE_OK) {
		fprintf(stderr, "sqlcipher-floor: %s: cannot open\n", path);
		exit(1);
	}
	ex(db, "PRAGMA key = \"x'0102030405060708091011121314151617181920212223242526272829303132'\"");
	ex(db, "PRAGMA cipher_page_size = 4096");
	ex(db, "PRAGMA journal_mode = WAL");
	ex(db, "PRAGMA synchronous = NORMAL");
	ex(db, "PRAGMA cache_size = -32768");
	ex(db, "PRAGMA foreign_keys = ON");
	ex(db, schema);
	uint8_t space[16], prev[32] = { 0 };
	memset(space, 7, sizeof space);
	sqlite3_stmt *q = prep(db, "INSERT INTO spaces VALUES('default', ?1)");
	sqlite3_bind_blob(q, 1, space, 16, SQLITE_STATIC);
	step(db, q);
	sqlite3_finalize(q);

	sqlite3_stmt *qa = prep(db, "INSERT INTO addresses VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14)");
	sqlite3_stmt *ql = prep(db, "INSERT INTO lean VALUES(?1,?2,?3,?4,?5,?6,?7,?8)");
	sqlite3_stmt *qc = prep(db, "INSERT INTO changes VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)");
	sqlite3_stmt *qu = prep(db, "INSERT INTO audit VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9)");
	sqlite3_stmt *qb = prep(db, "INSERT INTO audit_batch VALUES(?1,?2)");
	static char batch[BATCH * 512];
	size_t blen = 0;
	uint64_t r = 88172645463325252ull;

	double c0 = clock_of(CLOCK_PROCESS_CPUTIME_ID), w0 = clock_of(CLOCK_MONOTONIC);
	ex(db, "BEGIN IMMEDIATE");
	for (int i = 1; i <= N; i++) {
		uint8_t a[4] = { 10, 0, (uint8_t)(i >> 8), (uint8_t)i }, id[16];
		for (int k = 0; k < 16; k += 8) {
			r ^= r << 13;
			r ^= r >> 7;
			r ^= r << 17;
			memcpy(id + k, &r, 8);
		}
		int64_t t = 1700000000000000 + i;
		char after[400], object[64];
		int alen = snprintf(after, sizeof after,
		                    "{\"space\":\"default\",\"address\":\"10.0.%d.%d\",\"id\":\"%016llx%016llx\","
		                    "\"status\":\"used\",\"tenant\":\"default\",\"created\":%lld,\"version\":1}",
		                    i >> 8, i & 255, (unsigned long long)r, (unsigned long long)(r >> 3), (long long)t);
		int olen = snprintf(object, sizeof object, "address default 10.0.%d.%d", i >> 8, i & 255);
		if (v == V_LEAN || v == V_LEAN_BATCH) {
			sqlite3_bind_int(ql, 1, 1);
			sqlite3_bind_int(ql, 2, 4);
			sqlite3_bind_blob(ql, 3, a, 4, SQLITE_STATIC);
			sqlite3_bind_blob(ql, 4, id, 16, SQLITE_STATIC);
			sqlite3_bind_int64(ql, 5, t);
			sqlite3_bind_int64(ql, 6, 2);
			sqlite3_bind_int(ql, 7, 1);
			sqlite3_bind_int(ql, 8, 1);
			step(db, ql);
		} else {
			sqlite3_bind_blob(qa, 1, space, 16, SQLITE_STATIC);
			sqlite3_bind_int(qa, 2, 4);
			sqlite3_bind_blob(qa, 3, a, 4, SQLITE_STATIC);
			sqlite3_bind_blob(qa, 4, id, 16, SQLITE_STATIC);
			sqlite3_bind_int64(qa, 5, t);
			sqlite3_bind_int64(qa, 6, 2);
			sqlite3_bind_null(qa, 7);
			sqlite3_bind_int(qa, 8, 1);
			for (int c = 9; c <= 12; c++)
				sqlite3_bind_null(qa, c);
			sqlite3_bind_int(qa, 13, 1);
			sqlite3_bind_int64(qa, 14, t);
			step(db, qa);
		}
		if (v == V_SCHEMA3) {
			sqlite3_bind_int64(qc, 1, i);
			sqlite3_bind_int64(qc, 2, 2);
			sqlite3_bind_int(qc, 3, 1);
			sqlite3_bind_int(qc, 4, 4);
			sqlite3_bind_null(qc, 5);
			sqlite3_bind_blob(qc, 6, space, 16, SQLITE_STATIC);
			sqlite3_bind_int(qc, 7, 4);
			sqlite3_bind_blob(qc, 8, a, 4, SQLITE_STATIC);
			sqlite3_bind_null(qc, 9);
			sqlite3_bind_null(qc, 10);
			step(db, qc);
		}
		if (v == V_SCHEMA3 || v == V_ADDR_AUDIT) {
			sqlite3_bind_int64(qu, 1, i);
			sqlite3_bind_int64(qu, 2, t);
			sqlite3_bind_text(qu, 3, "root", 4, SQLITE_STATIC);
			sqlite3_bind_text(qu, 4, "ip.add", 6, SQLITE_STATIC);
			sqlite3_bind_text(qu, 5, object, olen, SQLITE_STATIC);
			sqlite3_bind_null(qu, 6);
			sqlite3_bind_text(qu, 7, after, alen, SQLITE_STATIC);
			sqlite3_bind_blob(qu, 8, prev, 32, SQLITE_STATIC);
			sqlite3_bind_blob(qu, 9, prev, 32, SQLITE_STATIC);
			step(db, qu);
		}
		if (v == V_LEAN_BATCH) {
			/* time, actor, action, object, after, prev, hash: as one record */
			memcpy(batch + blen, &t, 8);
			blen += 8;
			memcpy(batch + blen, "root\0ip.add\0", 12);
			blen += 12;
			memcpy(batch + blen, object, (size_t)olen + 1);
			blen += (size_t)olen + 1;
			memcpy(batch + blen, after, (size_t)alen + 1);
			blen += (size_t)alen + 1;
			memcpy(batch + blen, prev, 32);
			memcpy(batch + blen + 32, prev, 32);
			blen += 64;
			if (i % BATCH == 0 || i == N) {
				sqlite3_bind_int64(qb, 1, i);
				sqlite3_bind_blob(qb, 2, batch, (int)blen, SQLITE_STATIC);
				step(db, qb);
				blen = 0;
			}
		}
	}
	ex(db, "COMMIT");
	*cpu = clock_of(CLOCK_PROCESS_CPUTIME_ID) - c0;
	*wall = clock_of(CLOCK_MONOTONIC) - w0;
	sqlite3_finalize(qa);
	sqlite3_finalize(ql);
	sqlite3_finalize(qc);
	sqlite3_finalize(qu);
	sqlite3_finalize(qb);
	sqlite3_close(db);
	unlink(path);
	unlink(wal);
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "/tmp";
	int runs = argc > 2 ? atoi(argv[2]) : 3;
	if (runs < 1 || runs > 99)
		runs = 3;
	/* libipam's crypto provider, as in the store */
	char path[4096];
	snprintf(path, sizeof path, "%s/floor-ipam.db", dir);
	unlink(path);
	ipam_open_options o;
	ipam_open_options_init(&o, IPAM_OPEN_OPTIONS_VERSION);
	o.flags = IPAM_OPEN_CREATE;
	o.passphrase = "sqlcipher-floor";
	ipam_db *idb = NULL;
	if (ipam_db_open(&idb, path, &o)) {
		fprintf(stderr, "sqlcipher-floor: %s: %s\n", path, ipam_error_last()->message);
		return 1;
	}
	ipam_db_free(idb);
	unlink(path);

	printf("sqlcipher-floor in %s: %d rows (allocations) in one transaction, median of %d\n", dir, N, runs);
	for (int v = 0; v < V_N; v++) {
		double cpu[99], wall[99];
		for (int k = 0; k < runs; k++)
			run(dir, v, &cpu[k], &wall[k]);
		qsort(cpu, (size_t)runs, sizeof cpu[0], cmp);
		qsort(wall, (size_t)runs, sizeof wall[0], cmp);
		printf("%-11s %8.0f /s CPU  %8.0f /s wall\n", names[v], N / cpu[runs / 2], N / wall[runs / 2]);
	}
	return 0;
}
