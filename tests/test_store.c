/* The storage conformance suite: one set of tests, run against every
 * backend through its vtable (include/ipam/sys/store.h).
 *
 *   test_store memory       the memory: store
 *   test_store sqlcipher    the file store, in a temporary directory
 *
 * Each backend brings a small factory: open a fresh store, open the same
 * store again (a second store object on the same file; only a backend with
 * a file can), and clean up. A case the backend cannot run is named in the
 * output as not applying and is not counted as passed. */
#include "ipam.h"
#include "store/store.h"

#include <check.h>
#include <dirent.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ---- backends ------------------------------------------------------------------ */

typedef struct backend {
	const char *name;
	int (*open_fresh)(ipam_store **out);
	int (*open_again)(ipam_store **out); /* NULL: a second object cannot exist */
	void (*cleanup)(void);
	const char *why_not_again;
	int reads_need_txn; /* get, scan, ... outside a transaction are IPAM_EINVAL */
} backend;

static int memory_fresh(ipam_store **out)
{
	ipam__store_args a;
	memset(&a, 0, sizeof a);
	a.path = "";
	return ipam__store_memory_open(out, &a);
}

static void memory_cleanup(void)
{
}

static char sq_dir[512];
static char sq_path[600];
static const uint8_t sq_key[32] = {
	0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10,
	0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f, 0x20,
};

static int sq_open(ipam_store **out, unsigned int flags)
{
	ipam__store_args a;
	memset(&a, 0, sizeof a);
	a.path = sq_path;
	a.raw_key = sq_key;
	a.raw_len = sizeof sq_key;
	a.flags = flags;
	a.busy_timeout_ms = 5000;
	return ipam__store_sqlcipher_open(out, &a);
}

static int sq_fresh(ipam_store **out)
{
	const char *tmp = getenv("TMPDIR");
	snprintf(sq_dir, sizeof sq_dir, "%s/ipam-store-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(sq_dir)) {
		sq_dir[0] = '\0';
		return ipam__error(IPAM_EIO, "mkdtemp failed");
	}
	snprintf(sq_path, sizeof sq_path, "%s/store.ipam", sq_dir);
	return sq_open(out, IPAM_OPEN_CREATE);
}

static int sq_again(ipam_store **out)
{
	return sq_open(out, 0);
}

/* The database and whatever the backend puts beside it (-wal, -shm). */
static void sq_cleanup(void)
{
	if (!sq_dir[0])
		return;
	DIR *d = opendir(sq_dir);
	if (d) {
		struct dirent *e;
		char p[1200];
		while ((e = readdir(d)) != NULL) {
			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			snprintf(p, sizeof p, "%s/%s", sq_dir, e->d_name);
			unlink(p);
		}
		closedir(d);
	}
	rmdir(sq_dir);
	sq_dir[0] = '\0';
}

/* PostgreSQL: a server started by tests/pg/with-pg.sh (IPAM_TEST_PG); each
 * fresh store is a schema of its own in the server's database, reached
 * through search_path. */
static char pg_schema[64];
static char pg_conninfo[1024];
static unsigned pg_count;

static int pg_admin(const char *sql)
{
	const char *base = getenv("IPAM_TEST_PG");
	char ci[1100];
	snprintf(ci, sizeof ci, "%s options='-cclient_min_messages=warning'", base);
	PGconn *c = PQconnectdb(ci);
	int ok = PQstatus(c) == CONNECTION_OK;
	if (ok) {
		PGresult *r = PQexec(c, sql);
		ok = PQresultStatus(r) == PGRES_COMMAND_OK;
		if (!ok)
			fprintf(stderr, "%s: %s", sql, PQerrorMessage(c));
		PQclear(r);
	} else {
		fprintf(stderr, "connect %s: %s", base, PQerrorMessage(c));
	}
	PQfinish(c);
	return ok ? 0 : ipam__error(IPAM_EBACKEND, "admin SQL failed: %s", sql);
}

static int pg_open(ipam_store **out, unsigned int flags)
{
	ipam__store_args a;
	memset(&a, 0, sizeof a);
	a.path = pg_conninfo;
	a.flags = flags;
	a.busy_timeout_ms = 5000;
	return ipam__store_postgres_open(out, &a);
}

static int pg_fresh(ipam_store **out)
{
	const char *base = getenv("IPAM_TEST_PG");
	if (!base || !*base) {
		fprintf(stderr, "store-postgres: IPAM_TEST_PG is not set (run under tests/pg/with-pg.sh)\n");
		return IPAM_EINVAL;
	}
	snprintf(pg_schema, sizeof pg_schema, "conf_%ld_%u", (long)getpid(), ++pg_count);
	char sql[128];
	snprintf(sql, sizeof sql, "CREATE SCHEMA %s", pg_schema);
	int rc = pg_admin(sql);
	if (rc)
		return rc;
	snprintf(pg_conninfo, sizeof pg_conninfo, "%s options='-csearch_path=%s'", base, pg_schema);
	return pg_open(out, IPAM_OPEN_CREATE);
}

static int pg_again(ipam_store **out)
{
	return pg_open(out, 0);
}

static void pg_cleanup(void)
{
	if (!pg_schema[0])
		return;
	char sql[128];
	snprintf(sql, sizeof sql, "DROP SCHEMA %s CASCADE", pg_schema);
	pg_admin(sql);
	pg_schema[0] = '\0';
}

static const backend backends[] = {
	{ "memory", memory_fresh, NULL, memory_cleanup,
	  "a memory store lives in one store object; there is no file to open twice", 1 },
	{ "sqlcipher", sq_fresh, sq_again, sq_cleanup, NULL, 0 },
	{ "postgres", pg_fresh, pg_again, pg_cleanup, NULL, 1 },
};

static const backend *B;

/* ---- the fixture: the store under test, and which transactions are open ---- */

#define MAXSTORES 4
static ipam_store *stores[MAXSTORES];
static int in_txn[MAXSTORES];
static ipam_store *S; /* stores[0] */

#define OK(expr) do { \
		int rc_ = (expr); \
		ck_assert_msg(rc_ == 0, "%s: %d (%s) %s", #expr, rc_, ipam_error_name(rc_), ipam_error_last()->message); \
	} while (0)
#define RC(expr, want) do { \
		int rc_ = (expr), want_ = (want); \
		ck_assert_msg(rc_ == want_, "%s: %d (%s), want %d (%s); %s", #expr, rc_, ipam_error_name(rc_), \
			want_, ipam_error_name(want_), ipam_error_last()->message); \
	} while (0)

static int slot_of(ipam_store *st)
{
	for (int i = 0; i < MAXSTORES; i++)
		if (stores[i] == st)
			return i;
	ck_abort_msg("unknown store");
	return 0;
}

static void setup(void)
{
	memset(stores, 0, sizeof stores);
	memset(in_txn, 0, sizeof in_txn);
	int rc = B->open_fresh(&stores[0]);
	ck_assert_msg(rc == 0 && stores[0], "open a fresh %s store: %d %s", B->name, rc, ipam_error_last()->message);
	S = stores[0];
	ck_assert_uint_ge(S->version, 1);
	ck_assert_ptr_nonnull(S->scheme);
}

static void teardown(void)
{
	for (int i = MAXSTORES; i-- > 0;) {
		if (!stores[i])
			continue;
		if (in_txn[i])
			stores[i]->rollback(stores[i]);
		stores[i]->free(stores[i]);
		stores[i] = NULL;
	}
	S = NULL;
	B->cleanup();
}

/* Open another object on the same store (the caller checked open_again). */
static ipam_store *open_again(void)
{
	for (int i = 1; i < MAXSTORES; i++) {
		if (!stores[i]) {
			int rc = B->open_again(&stores[i]);
			ck_assert_msg(rc == 0 && stores[i], "open the %s store again: %d %s", B->name, rc,
				ipam_error_last()->message);
			return stores[i];
		}
	}
	ck_abort_msg("too many stores");
	return NULL;
}

static void close_store(ipam_store *st)
{
	int i = slot_of(st);
	ck_assert_int_eq(in_txn[i], 0);
	st->free(st);
	stores[i] = NULL;
	if (st == S)
		S = NULL;
}

static void tx(ipam_store *st, int write)
{
	OK(st->begin(st, write));
	in_txn[slot_of(st)] = 1;
}

static void commit(ipam_store *st)
{
	OK(st->commit(st));
	in_txn[slot_of(st)] = 0;
}

static void rollback(ipam_store *st)
{
	st->rollback(st);
	in_txn[slot_of(st)] = 0;
}

static uint64_t revision(ipam_store *st)
{
	uint64_t r = 12345;
	OK(st->revision(st, &r));
	return r;
}

/* The backend's own integrity check, when it has one (outside a transaction). */
static void check_store(ipam_store *st)
{
	if (st->check)
		OK(st->check(st));
}

/* ---- rows ------------------------------------------------------------------------ */

static const int64_t T0 = INT64_C(1700000000000000); /* microseconds */

static void mkid(uint8_t id[16], unsigned int n)
{
	static const uint8_t base[16] = { 0x5e, 0x1f, 0x3a, 0x77, 0x2c, 0x90, 0x4d, 0x11, 0x8b, 0x3e, 0, 0, 0, 0, 0, 0 };
	memcpy(id, base, 16);
	id[12] = (uint8_t)(n >> 24);
	id[13] = (uint8_t)(n >> 16);
	id[14] = (uint8_t)(n >> 8);
	id[15] = (uint8_t)n;
}

static ipam_addr A(const char *s)
{
	ipam_addr a;
	ck_assert_msg(ipam_addr_parse(&a, s) == 0, "parse %s", s);
	return a;
}

static const char *fmt_a(const ipam_addr *a)
{
	static char b[4][IPAM_ADDR_STRLEN];
	static int k;
	char *o = b[k++ & 3];
	if (ipam_addr_format(o, IPAM_ADDR_STRLEN, a) < 0)
		strcpy(o, "?");
	return o;
}

/* The ids of the rows every test may lean on (see seed()). */
enum { ID_ACME = 1, ID_BLUE = 2, ID_RED = 3 };
static uint8_t TENANT_ID[16], BLUE[16], RED[16];

static ipam_store_row tenant_row(const char *name, unsigned int idn)
{
	ipam_store_row r;
	memset(&r, 0, sizeof r);
	r.kind = IPAM_STORE_TENANT;
	mkid(r.id, idn);
	r.version = 1;
	r.created = T0 + idn;
	r.updated = T0 + idn + 1000;
	r.name = name;
	r.attrs = "{\"billing\":\"cc-42\"}";
	return r;
}

static ipam_store_row space_row(const char *name, unsigned int idn, const char *labels)
{
	ipam_store_row r;
	memset(&r, 0, sizeof r);
	r.kind = IPAM_STORE_SPACE;
	mkid(r.id, idn);
	memcpy(r.tenant, TENANT_ID, 16);
	r.version = 1;
	r.created = T0 + idn;
	r.updated = T0 + idn + 1000;
	r.name = name;
	r.attrs = labels;
	return r;
}

static ipam_store_row prefix_row(const uint8_t space[16], const char *cidr, unsigned int idn)
{
	ipam_prefix p;
	ck_assert_msg(ipam_prefix_parse(&p, cidr, IPAM_PARSE_DEFAULT) == 0, "parse %s", cidr);
	ipam_store_row r;
	memset(&r, 0, sizeof r);
	r.kind = IPAM_STORE_PREFIX;
	mkid(r.id, idn);
	memcpy(r.tenant, TENANT_ID, 16);
	memcpy(r.space, space, 16);
	r.version = 3;
	r.created = T0 + idn;
	r.updated = T0 + idn + 1000;
	r.description = "core – Zürich";
	r.attrs = "{\"vlan\":\"120\"}";
	r.addr = p.addr;
	r.len = p.len;
	r.status = IPAM_STATUS_CONTAINER;
	r.pool = 1;
	return r;
}

static ipam_store_row range_row(const uint8_t space[16], const char *first, const char *last, unsigned int idn)
{
	ipam_store_row r;
	memset(&r, 0, sizeof r);
	r.kind = IPAM_STORE_RANGE;
	mkid(r.id, idn);
	memcpy(r.tenant, TENANT_ID, 16);
	memcpy(r.space, space, 16);
	r.version = 1;
	r.created = T0 + idn;
	r.updated = T0 + idn + 1000;
	r.description = "DHCP pool";
	r.addr = A(first);
	r.last = A(last);
	r.purpose = IPAM_RANGE_RESERVED;
	return r;
}

static ipam_store_row addr_row(const uint8_t space[16], const char *ip, unsigned int idn)
{
	static const uint8_t mac[6] = { 0x00, 0x1b, 0x21, 0xaa, 0xbb, 0xcc };
	ipam_store_row r;
	memset(&r, 0, sizeof r);
	r.kind = IPAM_STORE_ADDRESS;
	mkid(r.id, idn);
	memcpy(r.tenant, TENANT_ID, 16);
	memcpy(r.space, space, 16);
	r.version = 1;
	r.created = T0 + idn;
	r.updated = T0 + idn + 1000;
	r.name = "web-01.example.com";
	r.description = "Serveur de réunion – 東京 🖧";
	r.attrs = "{\"owner\":\"Zoë\",\"rack\":{\"row\":3,\"u\":[12,13]}}";
	r.addr = A(ip);
	r.status = IPAM_STATUS_RESERVED;
	memcpy(r.mac, mac, 6);
	r.maclen = 6;
	return r;
}

/* A stored object: kind, parent (zero: none), name, its fields in attrs. */
static ipam_store_row object_row(unsigned int kind, const uint8_t parent[16], const char *name, unsigned int idn,
                                 const char *attrs)
{
	ipam_store_row r;
	memset(&r, 0, sizeof r);
	r.kind = kind;
	mkid(r.id, idn);
	memcpy(r.tenant, TENANT_ID, 16);
	if (parent)
		memcpy(r.space, parent, 16);
	r.version = 1;
	r.created = T0 + idn;
	r.updated = T0 + idn + 1000;
	r.name = name;
	r.description = "kept";
	r.attrs = attrs;
	return r;
}

static int str_same(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

/* attrs NULL means {} (store.h) */
static int attrs_same(const char *a, const char *b)
{
	return str_same(a ? a : "{}", b ? b : "{}");
}

static const char *show(const char *s)
{
	return s ? s : "(null)";
}

static int addr_same(const ipam_addr *a, const ipam_addr *b)
{
	return a->family == b->family && memcmp(a->bytes, b->bytes, 16) == 0;
}

/* Every field the kind uses, but `revision` (the store sets it). */
static void assert_row_eq(const ipam_store_row *want, const ipam_store_row *got)
{
	unsigned int k = want->kind;
	const char *what = fmt_a(&want->addr);
	ck_assert_uint_eq(got->kind, k);
	ck_assert_msg(memcmp(got->id, want->id, 16) == 0, "kind %u %s: id differs", k, what);
	if (k != IPAM_STORE_TENANT)
		ck_assert_msg(memcmp(got->tenant, want->tenant, 16) == 0, "kind %u %s: tenant differs", k, what);
	ck_assert_msg(got->version == want->version, "kind %u %s: version %llu, want %llu", k, what,
		(unsigned long long)got->version, (unsigned long long)want->version);
	ck_assert_msg(got->created == want->created, "kind %u %s: created %lld, want %lld", k, what,
		(long long)got->created, (long long)want->created);
	ck_assert_msg(got->updated == want->updated, "kind %u %s: updated %lld, want %lld", k, what,
		(long long)got->updated, (long long)want->updated);
	ck_assert_msg(attrs_same(got->attrs, want->attrs), "kind %u %s: attrs %s, want %s", k, what,
		show(got->attrs), show(want->attrs));
	if (k == IPAM_STORE_TENANT || k == IPAM_STORE_SPACE || k == IPAM_STORE_ADDRESS || IPAM_STORE_IS_OBJECT(k))
		ck_assert_msg(str_same(got->name, want->name), "kind %u %s: name %s, want %s", k, what,
			show(got->name), show(want->name));
	if (k == IPAM_STORE_TENANT || k == IPAM_STORE_SPACE)
		return;
	ck_assert_msg(str_same(got->description, want->description), "kind %u %s: description %s, want %s", k, what,
		show(got->description), show(want->description));
	ck_assert_msg(memcmp(got->space, want->space, 16) == 0, "kind %u %s: space differs", k, what);
	ck_assert_msg(addr_same(&got->addr, &want->addr), "kind %u: addr %s, want %s", k, fmt_a(&got->addr), what);
	switch (k) {
	case IPAM_STORE_PREFIX:
		ck_assert_uint_eq(got->len, want->len);
		ck_assert_uint_eq(got->status, want->status);
		ck_assert_uint_eq(got->pool, want->pool);
		break;
	case IPAM_STORE_RANGE:
		ck_assert_msg(addr_same(&got->last, &want->last), "range %s: last %s, want %s", what,
			fmt_a(&got->last), fmt_a(&want->last));
		ck_assert_uint_eq(got->purpose, want->purpose);
		break;
	case IPAM_STORE_ADDRESS:
		ck_assert_uint_eq(got->status, want->status);
		ck_assert_uint_eq(got->maclen, want->maclen);
		ck_assert_mem_eq(got->mac, want->mac, want->maclen);
		break;
	}
}

static ipam_store_row row_dup(const ipam_store_row *r)
{
	ipam_store_row d = *r;
	d.name = r->name ? strdup(r->name) : NULL;
	d.description = r->description ? strdup(r->description) : NULL;
	d.attrs = r->attrs ? strdup(r->attrs) : NULL;
	return d;
}

static void row_release(ipam_store_row *r)
{
	free((char *)r->name);
	free((char *)r->description);
	free((char *)r->attrs);
	memset(r, 0, sizeof *r);
}

/* get: a fresh key (kind and natural key only), filled by the store. */
static int get_row(ipam_store *st, const ipam_store_row *like, ipam_store_row *out)
{
	memset(out, 0, sizeof *out);
	out->kind = like->kind;
	out->name = like->name;
	memcpy(out->space, like->space, 16);
	out->addr = like->addr;
	out->last = like->last;
	out->len = like->len;
	return st->get(st, out);
}

/* get and compare, in the open transaction */
static void expect_row(ipam_store *st, const ipam_store_row *want)
{
	ipam_store_row got;
	int rc = get_row(st, want, &got);
	ck_assert_msg(rc == 0, "get kind %u %s %s: %d %s", want->kind, show(want->name), fmt_a(&want->addr), rc,
		ipam_error_last()->message);
	assert_row_eq(want, &got);
}

static void expect_no_row(ipam_store *st, const ipam_store_row *key)
{
	ipam_store_row got;
	RC(get_row(st, key, &got), IPAM_ENOTFOUND);
}

/* A growing list of owned rows: what a scan saw. */
typedef struct rows {
	ipam_store_row *v;
	size_t n, cap;
} rows;

static int collect_row(void *ctx, const ipam_store_row *r)
{
	rows *rs = ctx;
	if (rs->n == rs->cap) {
		rs->cap = rs->cap ? rs->cap * 2 : 16;
		rs->v = realloc(rs->v, rs->cap * sizeof *rs->v);
		if (!rs->v)
			abort();
	}
	rs->v[rs->n++] = row_dup(r);
	return 0;
}

static void rows_free(rows *rs)
{
	for (size_t i = 0; i < rs->n; i++)
		row_release(&rs->v[i]);
	free(rs->v);
	memset(rs, 0, sizeof *rs);
}

static const ipam_store_row *rows_find(const rows *rs, const ipam_store_row *key)
{
	const ipam_store_row *hit = NULL;
	for (size_t i = 0; i < rs->n; i++) {
		if (ipam__store_key_cmp(&rs->v[i], key) == 0) {
			ck_assert_msg(hit == NULL, "a scan gave one key twice");
			hit = &rs->v[i];
		}
	}
	return hit;
}

static void scan_kind(ipam_store *st, unsigned int kind, rows *out)
{
	memset(out, 0, sizeof *out);
	OK(st->scan(st, kind, collect_row, out));
	for (size_t i = 0; i < out->n; i++)
		ck_assert_uint_eq(out->v[i].kind, kind);
}

/* A scan gives exactly `want` (in any order). */
static void expect_scan(ipam_store *st, unsigned int kind, const ipam_store_row *want, size_t n)
{
	rows rs;
	scan_kind(st, kind, &rs);
	ck_assert_msg(rs.n == n, "scan kind %u: %zu rows, want %zu", kind, rs.n, n);
	for (size_t i = 0; i < n; i++) {
		const ipam_store_row *got = rows_find(&rs, &want[i]);
		ck_assert_msg(got != NULL, "scan kind %u: %s %s missing", kind, show(want[i].name), fmt_a(&want[i].addr));
		assert_row_eq(&want[i], got);
	}
	rows_free(&rs);
}

/* ---- the change feed, as a list ----------------------------------------------------- */

typedef struct chg {
	uint64_t revision;
	unsigned int op;
	ipam_store_row key;
} chg;

typedef struct chgs {
	chg *v;
	size_t n, cap;
} chgs;

static int collect_change(void *ctx, const ipam_store_change *c)
{
	chgs *cs = ctx;
	if (cs->n == cs->cap) {
		cs->cap = cs->cap ? cs->cap * 2 : 16;
		cs->v = realloc(cs->v, cs->cap * sizeof *cs->v);
		if (!cs->v)
			abort();
	}
	chg *o = &cs->v[cs->n++];
	o->revision = c->revision;
	o->op = c->op;
	o->key = row_dup(&c->key);
	return 0;
}

static void chgs_free(chgs *cs)
{
	for (size_t i = 0; i < cs->n; i++)
		row_release(&cs->v[i].key);
	free(cs->v);
	memset(cs, 0, sizeof *cs);
}

static void changes_since(ipam_store *st, uint64_t since, chgs *out)
{
	memset(out, 0, sizeof *out);
	OK(st->changes(st, since, collect_change, out));
}

static void expect_change(const chgs *cs, size_t i, uint64_t rev, unsigned int op, const ipam_store_row *key)
{
	ck_assert_msg(i < cs->n, "change %zu missing (%zu changes)", i, cs->n);
	const chg *c = &cs->v[i];
	ck_assert_msg(c->revision == rev, "change %zu: revision %llu, want %llu", i,
		(unsigned long long)c->revision, (unsigned long long)rev);
	ck_assert_msg(c->op == op, "change %zu: op %u, want %u", i, c->op, op);
	ck_assert_msg(c->key.kind == key->kind, "change %zu: kind %u, want %u", i, c->key.kind, key->kind);
	ck_assert_msg(ipam__store_key_cmp(&c->key, key) == 0, "change %zu: key %s %s, want %s %s", i,
		show(c->key.name), fmt_a(&c->key.addr), show(key->name), fmt_a(&key->addr));
}

/* ---- audit entries, owned ------------------------------------------------------------- */

typedef struct audits {
	ipam_store_audit *v;
	size_t n, cap;
} audits;

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static int collect_audit(void *ctx, const ipam_store_audit *e)
{
	audits *as = ctx;
	if (as->n == as->cap) {
		as->cap = as->cap ? as->cap * 2 : 16;
		as->v = realloc(as->v, as->cap * sizeof *as->v);
		if (!as->v)
			abort();
	}
	ipam_store_audit *o = &as->v[as->n++];
	*o = *e;
	o->actor = dup_or_null(e->actor);
	o->action = dup_or_null(e->action);
	o->object = dup_or_null(e->object);
	o->before = dup_or_null(e->before);
	o->after = dup_or_null(e->after);
	return 0;
}

static void audits_free(audits *as)
{
	for (size_t i = 0; i < as->n; i++) {
		free((char *)as->v[i].actor);
		free((char *)as->v[i].action);
		free((char *)as->v[i].object);
		free((char *)as->v[i].before);
		free((char *)as->v[i].after);
	}
	free(as->v);
	memset(as, 0, sizeof *as);
}

/* Entry `seq` as a test writes it: fake hashes that chain. */
static ipam_store_audit audit_entry(uint64_t seq, char *objbuf, size_t objsize)
{
	ipam_store_audit e;
	memset(&e, 0, sizeof e);
	e.seq = seq;
	e.time = T0 + (int64_t)seq * 1000000;
	e.actor = "renée@example.com";
	e.action = seq == 1 ? "address.alloc" : "address.update";
	snprintf(objbuf, objsize, "address blue 10.0.0.%u", (unsigned)seq);
	e.object = objbuf;
	e.before = seq == 1 ? NULL : "{\"name\":\"old\"}";
	e.after = seq == 5 ? NULL : "{\"name\":\"new – ünï\"}";
	for (int i = 0; i < 32; i++) {
		e.prev[i] = seq == 1 ? 0 : (uint8_t)(seq - 1 + (uint64_t)i * 7);
		e.hash[i] = (uint8_t)(seq + (uint64_t)i * 7);
	}
	return e;
}

static void assert_audit_eq(const ipam_store_audit *want, const ipam_store_audit *got)
{
	ck_assert_uint_eq(got->seq, want->seq);
	ck_assert_int_eq(got->time, want->time);
	ck_assert_msg(str_same(got->actor, want->actor), "audit %llu: actor %s", (unsigned long long)want->seq, show(got->actor));
	ck_assert_msg(str_same(got->action, want->action), "audit %llu: action %s", (unsigned long long)want->seq, show(got->action));
	ck_assert_msg(str_same(got->object, want->object), "audit %llu: object %s", (unsigned long long)want->seq, show(got->object));
	ck_assert_msg(str_same(got->before, want->before), "audit %llu: before %s", (unsigned long long)want->seq, show(got->before));
	ck_assert_msg(str_same(got->after, want->after), "audit %llu: after %s", (unsigned long long)want->seq, show(got->after));
	ck_assert_mem_eq(got->prev, want->prev, 32);
	ck_assert_mem_eq(got->hash, want->hash, 32);
}

static void append_audit(ipam_store *st, uint64_t seq)
{
	char obj[64];
	ipam_store_audit e = audit_entry(seq, obj, sizeof obj);
	OK(st->audit_append(st, &e));
}

static void expect_audit_head(ipam_store *st, uint64_t seq)
{
	uint64_t got = 999;
	uint8_t h[32];
	memset(h, 0xee, sizeof h);
	OK(st->audit_head(st, &got, h));
	ck_assert_uint_eq(got, seq);
	if (seq == 0) {
		uint8_t z[32] = { 0 };
		ck_assert_mem_eq(h, z, 32);
	} else {
		char obj[64];
		ipam_store_audit e = audit_entry(seq, obj, sizeof obj);
		ck_assert_mem_eq(h, e.hash, 32);
	}
}

/* ---- meta --------------------------------------------------------------------------------- */

static void expect_meta(ipam_store *st, const char *name, const char *want)
{
	char *v = (char *)"untouched";
	int rc = st->meta_get(st, name, &v);
	if (!want) {
		ck_assert_msg(rc == IPAM_ENOTFOUND, "meta %s: %d, want NOTFOUND", name, rc);
		return;
	}
	ck_assert_msg(rc == 0, "meta %s: %d %s", name, rc, ipam_error_last()->message);
	ck_assert_ptr_nonnull(v);
	ck_assert_str_eq(v, want);
	free(v);
}

/* ---- the base every test may use ------------------------------------------------------------ */

/* One write transaction: tenant acme, spaces blue and red, in that order.
 * Returns its revision. */
static uint64_t seed(void)
{
	ipam_store_row t = tenant_row("acme", ID_ACME);
	ipam_store_row b = space_row("blue", ID_BLUE, "{\"provider\":\"aws\",\"region\":\"eu-west-1\"}");
	ipam_store_row r = space_row("red", ID_RED, NULL);
	uint64_t before = revision(S);
	tx(S, 1);
	OK(S->put(S, &t, IPAM_STORE_PUT_NEW));
	OK(S->put(S, &b, IPAM_STORE_PUT_NEW));
	OK(S->put(S, &r, IPAM_STORE_PUT_NEW));
	commit(S);
	ck_assert_uint_eq(revision(S), before + 1);
	return before + 1;
}

static ipam_store_row seed_tenant(void) { return tenant_row("acme", ID_ACME); }
static ipam_store_row seed_blue(void) { return space_row("blue", ID_BLUE, "{\"provider\":\"aws\",\"region\":\"eu-west-1\"}"); }
static ipam_store_row seed_red(void) { return space_row("red", ID_RED, NULL); }

/* ---- tests ------------------------------------------------------------------------------------- */

START_TEST(empty_store)
{
	ck_assert_uint_eq(revision(S), 0);
	tx(S, 0);
	for (unsigned int k = 1; k <= IPAM_STORE_KIND_MAX; k++) {
		rows rs;
		scan_kind(S, k, &rs);
		ck_assert_msg(rs.n == 0, "kind %u: %zu rows in an empty store", k, rs.n);
		rows_free(&rs);
	}
	chgs cs;
	changes_since(S, 0, &cs);
	ck_assert_uint_eq(cs.n, 0);
	chgs_free(&cs);
	expect_audit_head(S, 0);
	audits as = { 0 };
	OK(S->audit_scan(S, 1, collect_audit, &as));
	ck_assert_uint_eq(as.n, 0);
	expect_meta(S, "schema", NULL);
	ipam_store_row a = addr_row(BLUE, "10.0.0.1", 10);
	expect_no_row(S, &a);
	commit(S);
	ck_assert_uint_eq(revision(S), 0);
	check_store(S);
}
END_TEST

START_TEST(tenant_and_space_rows)
{
	uint64_t r1 = seed();
	ipam_store_row t = seed_tenant(), b = seed_blue(), r = seed_red();
	ipam_store_row t2 = tenant_row("Ümlaut GmbH", 20);
	ipam_store_row g = space_row("green", 21, "{\"site\":\"Zürich\",\"env\":\"prod\"}");
	g.version = 9;

	tx(S, 0);
	expect_row(S, &t);
	expect_row(S, &b);
	expect_row(S, &r);
	ipam_store_row got;
	OK(get_row(S, &b, &got));
	ck_assert_uint_eq(got.revision, r1);
	commit(S);

	tx(S, 1);
	OK(S->put(S, &t2, IPAM_STORE_PUT_NEW));
	OK(S->put(S, &g, IPAM_STORE_PUT_NEW));
	expect_row(S, &t2);
	expect_row(S, &g);
	commit(S);

	tx(S, 0);
	ipam_store_row tenants[] = { t, t2 }, spaces[] = { b, r, g };
	expect_scan(S, IPAM_STORE_TENANT, tenants, 2);
	expect_scan(S, IPAM_STORE_SPACE, spaces, 3);
	/* a tenant and a space may share a name: the kinds are apart */
	ipam_store_row tk = tenant_row("blue", 22);
	expect_no_row(S, &tk);
	commit(S);

	tx(S, 1);
	OK(S->del(S, &g));
	OK(S->del(S, &t2));
	expect_no_row(S, &g);
	expect_no_row(S, &t2);
	commit(S);

	tx(S, 0);
	expect_scan(S, IPAM_STORE_TENANT, tenants, 1);
	expect_scan(S, IPAM_STORE_SPACE, spaces, 2);
	commit(S);
	check_store(S);
}
END_TEST

START_TEST(prefix_rows)
{
	seed();
	ipam_store_row p[] = {
		prefix_row(BLUE, "10.0.0.0/8", 30),
		prefix_row(BLUE, "10.0.0.0/16", 31),    /* same network, other length */
		prefix_row(RED, "10.0.0.0/8", 32),      /* same prefix, other space */
		prefix_row(BLUE, "2001:db8::/32", 33),
		prefix_row(BLUE, "2001:db8:0:1::/64", 34),
		prefix_row(BLUE, "0.0.0.0/0", 35),
		prefix_row(BLUE, "::/0", 36),            /* the v6 twin of 0.0.0.0/0 */
	};
	size_t n = sizeof p / sizeof *p;
	p[1].status = IPAM_STATUS_ACTIVE;
	p[1].pool = 0;
	p[1].description = NULL;
	p[1].attrs = NULL;
	p[4].version = 123456789012ull;

	tx(S, 1);
	for (size_t i = 0; i < n; i++)
		OK(S->put(S, &p[i], IPAM_STORE_PUT_NEW));
	commit(S);

	tx(S, 0);
	for (size_t i = 0; i < n; i++)
		expect_row(S, &p[i]);
	expect_scan(S, IPAM_STORE_PREFIX, p, n);
	ipam_store_row other = prefix_row(BLUE, "10.0.0.0/9", 37);
	expect_no_row(S, &other);
	commit(S);

	tx(S, 1);
	OK(S->del(S, &p[3]));
	OK(S->del(S, &p[0]));
	commit(S);

	tx(S, 0);
	expect_no_row(S, &p[3]);
	expect_no_row(S, &p[0]);
	ipam_store_row left[] = { p[1], p[2], p[4], p[5], p[6] };
	expect_scan(S, IPAM_STORE_PREFIX, left, 5);
	commit(S);
	check_store(S);
}
END_TEST

START_TEST(range_rows)
{
	seed();
	ipam_store_row r[] = {
		range_row(BLUE, "10.0.0.10", "10.0.0.20", 40),
		range_row(BLUE, "10.0.0.10", "10.0.0.30", 41), /* same first, other last */
		range_row(RED, "10.0.0.10", "10.0.0.20", 42),  /* other space */
		range_row(BLUE, "2001:db8::100", "2001:db8::1ff", 43),
	};
	r[1].purpose = IPAM_RANGE_EXCLUDED;
	r[3].purpose = IPAM_RANGE_DHCP;
	r[3].description = "pool v6 – «A»";
	size_t n = sizeof r / sizeof *r;

	tx(S, 1);
	for (size_t i = 0; i < n; i++)
		OK(S->put(S, &r[i], IPAM_STORE_PUT_NEW));
	commit(S);

	tx(S, 0);
	for (size_t i = 0; i < n; i++)
		expect_row(S, &r[i]);
	expect_scan(S, IPAM_STORE_RANGE, r, n);
	ipam_store_row other = range_row(BLUE, "10.0.0.11", "10.0.0.20", 44);
	expect_no_row(S, &other);
	commit(S);

	tx(S, 1);
	OK(S->del(S, &r[1]));
	commit(S);
	tx(S, 0);
	expect_no_row(S, &r[1]);
	ipam_store_row left[] = { r[0], r[2], r[3] };
	expect_scan(S, IPAM_STORE_RANGE, left, 3);
	commit(S);
	check_store(S);
}
END_TEST

START_TEST(address_rows)
{
	seed();
	static const uint8_t eui64[8] = { 0x02, 0x1b, 0x21, 0xff, 0xfe, 0xaa, 0xbb, 0xcc };
	ipam_store_row a[] = {
		addr_row(BLUE, "10.0.0.5", 50),
		addr_row(RED, "10.0.0.5", 51),                /* same address, other space */
		addr_row(BLUE, "2001:db8::5", 52),
		addr_row(BLUE, "::ffff:10.0.0.5", 53),        /* not 10.0.0.5: the family is kept */
		addr_row(BLUE, "10.0.0.6", 54),
	};
	size_t n = sizeof a / sizeof *a;
	memcpy(a[2].mac, eui64, 8);
	a[2].maclen = 8;
	a[2].status = IPAM_STATUS_DHCP;
	a[4].maclen = 0;                                  /* no MAC, no strings */
	memset(a[4].mac, 0, sizeof a[4].mac);
	a[4].name = NULL;
	a[4].description = NULL;
	a[4].attrs = NULL;

	/* the store keeps copies: the caller's strings die after the call */
	char name[64], descr[128], attrs[128];
	ipam_store_row v = addr_row(BLUE, "10.0.0.7", 55);
	snprintf(name, sizeof name, "%s", "db-01.example.com");
	snprintf(descr, sizeof descr, "%s", "Datenbank – Größe ≥ 4 TiB ✓");
	snprintf(attrs, sizeof attrs, "%s", "{\"note\":\"ça va\",\"n\":[1,2]}");
	v.name = name;
	v.description = descr;
	v.attrs = attrs;

	tx(S, 1);
	for (size_t i = 0; i < n; i++)
		OK(S->put(S, &a[i], IPAM_STORE_PUT_NEW));
	OK(S->put(S, &v, IPAM_STORE_PUT_NEW));
	commit(S);
	ipam_store_row want_v = v;
	want_v.name = "db-01.example.com";
	want_v.description = "Datenbank – Größe ≥ 4 TiB ✓";
	want_v.attrs = "{\"note\":\"ça va\",\"n\":[1,2]}";
	memset(name, 'x', sizeof name - 1);
	memset(descr, 'y', sizeof descr - 1);
	memset(attrs, 'z', sizeof attrs - 1);

	tx(S, 0);
	for (size_t i = 0; i < n; i++)
		expect_row(S, &a[i]);
	expect_row(S, &want_v);
	ipam_store_row all[] = { a[0], a[1], a[2], a[3], a[4], want_v };
	expect_scan(S, IPAM_STORE_ADDRESS, all, 6);
	ipam_store_row got;
	OK(get_row(S, &a[4], &got));
	ck_assert_ptr_null(got.name);
	ck_assert_ptr_null(got.description);
	ck_assert_uint_eq(got.maclen, 0);
	/* other kinds hold none of them */
	rows rs;
	scan_kind(S, IPAM_STORE_PREFIX, &rs);
	ck_assert_uint_eq(rs.n, 0);
	rows_free(&rs);
	commit(S);

	tx(S, 1);
	OK(S->del(S, &a[0]));
	commit(S);
	tx(S, 0);
	expect_no_row(S, &a[0]);
	expect_row(S, &a[1]);
	expect_row(S, &a[3]);
	ipam_store_row left[] = { a[1], a[2], a[3], a[4], want_v };
	expect_scan(S, IPAM_STORE_ADDRESS, left, 5);
	commit(S);
	check_store(S);
}
END_TEST

/* What an EEXISTS message must name, per kind. */
static const char *key_words(const ipam_store_row *r, char *buf, size_t size)
{
	switch (r->kind) {
	case IPAM_STORE_TENANT:
	case IPAM_STORE_SPACE:
		snprintf(buf, size, "%s", r->name);
		break;
	default:
		snprintf(buf, size, "%s", fmt_a(&r->addr));
	}
	return buf;
}

START_TEST(put_new_on_an_existing_key)
{
	seed();
	ipam_store_row old[] = {
		tenant_row("acme", ID_ACME),
		seed_blue(),
		prefix_row(BLUE, "10.0.0.0/8", 60),
		range_row(BLUE, "10.0.0.10", "10.0.0.20", 61),
		addr_row(BLUE, "10.0.0.5", 62),
		addr_row(BLUE, "2001:db8::5", 63),
	};
	size_t n = sizeof old / sizeof *old;
	tx(S, 1);
	for (size_t i = 2; i < n; i++)
		OK(S->put(S, &old[i], IPAM_STORE_PUT_NEW));
	commit(S);
	uint64_t r = revision(S);

	tx(S, 1);
	for (size_t i = 0; i < n; i++) {
		ipam_store_row nw = old[i];
		mkid(nw.id, 700 + (unsigned)i);
		nw.version = 77;
		nw.created = T0 + 5;
		nw.updated = T0 + 6;
		nw.attrs = "{\"new\":\"yes\"}";
		if (nw.kind != IPAM_STORE_TENANT && nw.kind != IPAM_STORE_SPACE) {
			nw.description = "another";
			nw.status = IPAM_STATUS_DEPRECATED;
		}
		if (nw.kind == IPAM_STORE_ADDRESS)
			nw.name = "other.example.com";
		RC(S->put(S, &nw, IPAM_STORE_PUT_NEW), IPAM_EEXISTS);
		char words[IPAM_ADDR_STRLEN + 64];
		key_words(&nw, words, sizeof words);
		ck_assert_msg(strstr(ipam_error_last()->message, words) != NULL,
			"the message \"%s\" does not name \"%s\"", ipam_error_last()->message, words);
		expect_row(S, &old[i]); /* nothing changed */
	}
	/* mark the end of this transaction's changes */
	ipam_store_row marker = addr_row(BLUE, "10.0.0.99", 64);
	OK(S->put(S, &marker, IPAM_STORE_PUT_NEW));
	commit(S);

	tx(S, 0);
	for (size_t i = 0; i < n; i++)
		expect_row(S, &old[i]);
	chgs cs;
	changes_since(S, r, &cs);
	ck_assert_msg(cs.n == 1, "%zu changes after refused puts, want the marker only", cs.n);
	expect_change(&cs, 0, r + 1, IPAM_STORE_PUT, &marker);
	chgs_free(&cs);
	commit(S);
	check_store(S);
}
END_TEST

START_TEST(replace_keeps_id_and_created)
{
	seed();
	static const uint8_t mac2[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
	ipam_store_row p = prefix_row(BLUE, "10.1.0.0/16", 70);
	ipam_store_row a = addr_row(BLUE, "10.1.0.9", 71);
	ipam_store_row s = space_row("green", 72, "{\"env\":\"dev\"}");
	tx(S, 1);
	OK(S->put(S, &p, IPAM_STORE_PUT_NEW));
	OK(S->put(S, &a, IPAM_STORE_PUT_NEW));
	OK(S->put(S, &s, IPAM_STORE_PUT_NEW));
	commit(S);
	uint64_t r = revision(S);

	ipam_store_row p2 = p, a2 = a, s2 = s;
	mkid(p2.id, 800);
	mkid(a2.id, 801);
	mkid(s2.id, 802);
	p2.created = a2.created = s2.created = T0 + 99999;
	p2.updated = a2.updated = s2.updated = T0 + 123456;
	p2.status = IPAM_STATUS_DEPRECATED;
	p2.pool = 0;
	p2.version = 11;
	p2.description = "renamed";
	p2.attrs = "{\"vlan\":\"130\"}";
	a2.name = "web-02.example.com";
	a2.description = NULL;
	a2.attrs = "{\"owner\":\"Ana\"}";
	a2.status = IPAM_STATUS_ACTIVE;
	memcpy(a2.mac, mac2, 6);
	s2.attrs = "{\"env\":\"prod\"}";
	s2.version = 4;

	tx(S, 1);
	OK(S->put(S, &p2, 0));
	OK(S->put(S, &a2, 0));
	OK(S->put(S, &s2, 0));
	commit(S);

	/* the stored id and created time, the new everything else */
	ipam_store_row wp = p2, wa = a2, ws = s2;
	memcpy(wp.id, p.id, 16);
	memcpy(wa.id, a.id, 16);
	memcpy(ws.id, s.id, 16);
	wp.created = p.created;
	wa.created = a.created;
	ws.created = s.created;
	tx(S, 0);
	expect_row(S, &wp);
	expect_row(S, &wa);
	expect_row(S, &ws);
	ipam_store_row got;
	OK(get_row(S, &a, &got));
	ck_assert_uint_eq(got.revision, r + 1);
	expect_scan(S, IPAM_STORE_ADDRESS, &wa, 1);
	chgs cs;
	changes_since(S, r, &cs);
	ck_assert_uint_eq(cs.n, 3);
	expect_change(&cs, 0, r + 1, IPAM_STORE_PUT, &p);
	expect_change(&cs, 1, r + 1, IPAM_STORE_PUT, &a);
	expect_change(&cs, 2, r + 1, IPAM_STORE_PUT, &s);
	chgs_free(&cs);
	commit(S);
	check_store(S);
}
END_TEST

START_TEST(missing_rows)
{
	seed();
	ipam_store_row keys[] = {
		tenant_row("nobody", 90),
		space_row("nowhere", 91, NULL),
		prefix_row(BLUE, "192.0.2.0/24", 92),
		range_row(BLUE, "192.0.2.1", "192.0.2.9", 93),
		addr_row(BLUE, "192.0.2.1", 94),
		addr_row(BLUE, "2001:db8::dead", 95),
	};
	size_t n = sizeof keys / sizeof *keys;
	uint64_t r = revision(S);
	tx(S, 1);
	for (size_t i = 0; i < n; i++) {
		RC(S->del(S, &keys[i]), IPAM_ENOTFOUND);
		RC(S->bump(S, &keys[i]), IPAM_ENOTFOUND);
		expect_no_row(S, &keys[i]);
	}
	/* a row deleted once is missing for the second delete */
	ipam_store_row a = addr_row(BLUE, "192.0.2.77", 96);
	OK(S->put(S, &a, IPAM_STORE_PUT_NEW));
	OK(S->del(S, &a));
	RC(S->del(S, &a), IPAM_ENOTFOUND);
	ipam_store_row marker = addr_row(BLUE, "192.0.2.99", 97);
	OK(S->put(S, &marker, IPAM_STORE_PUT_NEW));
	commit(S);

	tx(S, 0);
	chgs cs;
	changes_since(S, r, &cs);
	ck_assert_uint_eq(cs.n, 3);
	expect_change(&cs, 0, r + 1, IPAM_STORE_PUT, &a);
	expect_change(&cs, 1, r + 1, IPAM_STORE_DEL, &a);
	expect_change(&cs, 2, r + 1, IPAM_STORE_PUT, &marker);
	chgs_free(&cs);
	commit(S);
	check_store(S);
}
END_TEST

START_TEST(bump_increments_version)
{
	seed();
	ipam_store_row p = prefix_row(BLUE, "10.2.0.0/16", 100);
	p.version = 7;
	tx(S, 1);
	OK(S->put(S, &p, IPAM_STORE_PUT_NEW));
	commit(S);
	uint64_t r = revision(S);

	tx(S, 1);
	OK(S->bump(S, &p));
	ipam_store_row want = p, got;
	want.version = 8;
	expect_row(S, &want);
	commit(S);
	/* a transaction that puts and deletes nothing takes no revision */
	ck_assert_uint_eq(revision(S), r);

	tx(S, 0);
	expect_row(S, &want);
	commit(S);

	tx(S, 1);
	OK(S->bump(S, &p));
	OK(S->bump(S, &p));
	commit(S);
	tx(S, 0);
	want.version = 10;
	expect_row(S, &want); /* and the other fields as they were */
	OK(get_row(S, &p, &got));
	ck_assert_uint_eq(got.version, 10);
	commit(S);
	check_store(S);
}
END_TEST

START_TEST(rollback_discards_everything)
{
	seed();
	ipam_store_row p1 = prefix_row(BLUE, "10.3.0.0/16", 110);
	ipam_store_row p2 = prefix_row(BLUE, "10.4.0.0/16", 111);
	ipam_store_row a1 = addr_row(BLUE, "10.3.0.1", 112);
	ipam_store_row t2 = tenant_row("umbrella", 113);
	tx(S, 1);
	OK(S->put(S, &p1, IPAM_STORE_PUT_NEW));
	OK(S->put(S, &p2, IPAM_STORE_PUT_NEW));
	OK(S->put(S, &a1, IPAM_STORE_PUT_NEW));
	OK(S->put(S, &t2, IPAM_STORE_PUT_NEW));
	append_audit(S, 1);
	OK(S->meta_put(S, "schema", "1"));
	OK(S->meta_put(S, "gone", "soon"));
	commit(S);
	uint64_t r = revision(S);
	tx(S, 0);
	chgs before;
	changes_since(S, 0, &before);
	commit(S);

	/* a transaction that touches everything, then changes its mind */
	ipam_store_row a2 = addr_row(BLUE, "10.3.0.2", 114);
	ipam_store_row a1x = a1;
	a1x.name = "renamed.example.com";
	a1x.updated = T0 + 424242;
	ipam_store_row t2x = t2;
	t2x.attrs = "{\"billing\":\"none\"}";
	tx(S, 1);
	OK(S->put(S, &a2, IPAM_STORE_PUT_NEW));
	OK(S->put(S, &a1x, 0));
	OK(S->put(S, &a1x, 0)); /* twice over the same row */
	OK(S->del(S, &p1));
	OK(S->put(S, &p1, IPAM_STORE_PUT_NEW)); /* gone and back with other fields */
	OK(S->del(S, &p1));
	OK(S->bump(S, &p2));
	OK(S->put(S, &t2x, 0));
	OK(S->del(S, &t2));
	append_audit(S, 2);
	append_audit(S, 3);
	OK(S->meta_put(S, "schema", "2"));
	OK(S->meta_put(S, "new", "x"));
	OK(S->meta_put(S, "gone", NULL));
	/* the transaction sees its own writes */
	expect_row(S, &a2);
	expect_row(S, &a1x);
	expect_no_row(S, &p1);
	expect_no_row(S, &t2);
	expect_audit_head(S, 3);
	expect_meta(S, "schema", "2");
	expect_meta(S, "new", "x");
	expect_meta(S, "gone", NULL);
	ck_assert_uint_eq(revision(S), r); /* the committed one */
	rollback(S);

	ck_assert_uint_eq(revision(S), r);
	tx(S, 0);
	expect_no_row(S, &a2);
	expect_row(S, &a1);
	expect_row(S, &p1);
	expect_row(S, &p2); /* version 3, not bumped */
	expect_row(S, &t2);
	ipam_store_row pfx[] = { p1, p2 }, adr[] = { a1 };
	expect_scan(S, IPAM_STORE_PREFIX, pfx, 2);
	expect_scan(S, IPAM_STORE_ADDRESS, adr, 1);
	expect_audit_head(S, 1);
	audits as = { 0 };
	OK(S->audit_scan(S, 1, collect_audit, &as));
	ck_assert_uint_eq(as.n, 1);
	audits_free(&as);
	expect_meta(S, "schema", "1");
	expect_meta(S, "new", NULL);
	expect_meta(S, "gone", "soon");
	chgs cs;
	changes_since(S, r, &cs);
	ck_assert_uint_eq(cs.n, 0);
	chgs_free(&cs);
	changes_since(S, 0, &cs);
	ck_assert_uint_eq(cs.n, before.n);
	for (size_t i = 0; i < before.n; i++)
		expect_change(&cs, i, before.v[i].revision, before.v[i].op, &before.v[i].key);
	chgs_free(&cs);
	chgs_free(&before);
	commit(S);

	/* the next write transaction takes the number the discarded one had */
	ipam_store_row a3 = addr_row(BLUE, "10.3.0.3", 115);
	tx(S, 1);
	OK(S->put(S, &a3, IPAM_STORE_PUT_NEW));
	append_audit(S, 2);
	commit(S);
	ck_assert_uint_eq(revision(S), r + 1);
	tx(S, 0);
	changes_since(S, r, &cs);
	ck_assert_uint_eq(cs.n, 1);
	expect_change(&cs, 0, r + 1, IPAM_STORE_PUT, &a3);
	chgs_free(&cs);
	expect_audit_head(S, 2);
	commit(S);
	check_store(S);
}
END_TEST

START_TEST(revision_counts_write_transactions)
{
	ck_assert_uint_eq(revision(S), 0);
	uint64_t r1 = seed();
	ck_assert_uint_eq(r1, 1);
	ck_assert_uint_eq(revision(S), 1);
	ipam_store_row t = seed_tenant(), got;

	/* a read transaction takes no revision */
	tx(S, 0);
	expect_row(S, &t);
	commit(S);
	ck_assert_uint_eq(revision(S), 1);

	/* one write transaction, many writes: one revision, on every row it wrote */
	ipam_store_row p = prefix_row(BLUE, "10.9.0.0/16", 160);
	ipam_store_row a = addr_row(BLUE, "10.9.0.1", 161);
	ipam_store_row c = addr_row(BLUE, "10.9.0.2", 162);
	tx(S, 1);
	OK(S->put(S, &p, IPAM_STORE_PUT_NEW));
	OK(S->put(S, &a, IPAM_STORE_PUT_NEW));
	OK(S->put(S, &c, IPAM_STORE_PUT_NEW));
	ck_assert_uint_eq(revision(S), 1); /* the committed one, inside too */
	commit(S);
	ck_assert_uint_eq(revision(S), 2);
	tx(S, 0);
	OK(get_row(S, &p, &got));
	ck_assert_uint_eq(got.revision, 2);
	OK(get_row(S, &c, &got));
	ck_assert_uint_eq(got.revision, 2);
	OK(get_row(S, &t, &got));
	ck_assert_uint_eq(got.revision, 1); /* not written since */
	commit(S);

	/* a replace writes the row at the new revision */
	ipam_store_row a2 = a;
	a2.name = "moved.example.com";
	tx(S, 1);
	OK(S->put(S, &a2, 0));
	OK(S->bump(S, &p));
	commit(S);
	ck_assert_uint_eq(revision(S), 3);
	tx(S, 0);
	OK(get_row(S, &a, &got));
	ck_assert_uint_eq(got.revision, 3);
	OK(get_row(S, &c, &got));
	ck_assert_uint_eq(got.revision, 2);
	commit(S);

	/* a write transaction that puts and deletes no row takes no revision:
	 * the change feed has something for every revision */
	tx(S, 1);
	OK(S->bump(S, &p));
	append_audit(S, 1);
	OK(S->meta_put(S, "schema", "1"));
	commit(S);
	ck_assert_uint_eq(revision(S), 3);
	tx(S, 1);
	commit(S);
	ck_assert_uint_eq(revision(S), 3);

	/* a write transaction rolled back takes none */
	tx(S, 1);
	OK(S->del(S, &c));
	rollback(S);
	ck_assert_uint_eq(revision(S), 3);
	tx(S, 1);
	OK(S->del(S, &c));
	commit(S);
	ck_assert_uint_eq(revision(S), 4);
	tx(S, 0);
	OK(get_row(S, &p, &got));
	ck_assert_uint_eq(got.version, 5); /* 3, bumped twice */
	expect_audit_head(S, 1);
	expect_meta(S, "schema", "1");
	commit(S);
	check_store(S);
}
END_TEST

START_TEST(change_feed)
{
	ipam_store_row t = seed_tenant(), b = seed_blue(), r = seed_red();
	uint64_t r1 = seed();
	ipam_store_row p = prefix_row(BLUE, "10.5.0.0/16", 120);
	ipam_store_row a = addr_row(BLUE, "10.5.0.1", 121);
	ipam_store_row g = range_row(BLUE, "10.5.0.100", "10.5.0.199", 122);
	ipam_store_row a6 = addr_row(RED, "2001:db8:5::1", 123);
	ipam_store_row t2 = tenant_row("globex", 124);

	tx(S, 1); /* r1 + 1 */
	OK(S->put(S, &p, IPAM_STORE_PUT_NEW));
	OK(S->put(S, &a, IPAM_STORE_PUT_NEW));
	OK(S->put(S, &g, IPAM_STORE_PUT_NEW));
	commit(S);
	tx(S, 1); /* r1 + 2 */
	OK(S->del(S, &a));
	OK(S->put(S, &a6, IPAM_STORE_PUT_NEW));
	OK(S->put(S, &p, 0));
	OK(S->put(S, &t2, IPAM_STORE_PUT_NEW));
	commit(S);
	tx(S, 0); /* no revision */
	commit(S);
	tx(S, 1); /* r1 + 3 */
	OK(S->del(S, &g));
	OK(S->del(S, &t2));
	commit(S);
	ck_assert_uint_eq(revision(S), r1 + 3);

	tx(S, 0);
	chgs cs;
	changes_since(S, 0, &cs);
	ck_assert_uint_eq(cs.n, 12);
	size_t i = 0;
	expect_change(&cs, i++, r1, IPAM_STORE_PUT, &t);
	expect_change(&cs, i++, r1, IPAM_STORE_PUT, &b);
	expect_change(&cs, i++, r1, IPAM_STORE_PUT, &r);
	expect_change(&cs, i++, r1 + 1, IPAM_STORE_PUT, &p);
	expect_change(&cs, i++, r1 + 1, IPAM_STORE_PUT, &a);
	expect_change(&cs, i++, r1 + 1, IPAM_STORE_PUT, &g);
	expect_change(&cs, i++, r1 + 2, IPAM_STORE_DEL, &a);
	expect_change(&cs, i++, r1 + 2, IPAM_STORE_PUT, &a6);
	expect_change(&cs, i++, r1 + 2, IPAM_STORE_PUT, &p);
	expect_change(&cs, i++, r1 + 2, IPAM_STORE_PUT, &t2);
	expect_change(&cs, i++, r1 + 3, IPAM_STORE_DEL, &g);
	expect_change(&cs, i++, r1 + 3, IPAM_STORE_DEL, &t2);
	/* the keys carry what get needs: the tenant's name, the range's ends */
	ck_assert_str_eq(cs.v[0].key.name, "acme");
	ck_assert_str_eq(cs.v[9].key.name, "globex");
	ck_assert_msg(addr_same(&cs.v[10].key.last, &g.last), "the range's last address in its change");
	ck_assert_uint_eq(cs.v[8].key.len, 16);
	ck_assert_mem_eq(cs.v[7].key.space, RED, 16);
	chgs_free(&cs);

	changes_since(S, r1, &cs);
	ck_assert_uint_eq(cs.n, 9);
	expect_change(&cs, 0, r1 + 1, IPAM_STORE_PUT, &p);
	expect_change(&cs, 8, r1 + 3, IPAM_STORE_DEL, &t2);
	chgs_free(&cs);

	changes_since(S, r1 + 2, &cs);
	ck_assert_uint_eq(cs.n, 2);
	expect_change(&cs, 0, r1 + 3, IPAM_STORE_DEL, &g);
	expect_change(&cs, 1, r1 + 3, IPAM_STORE_DEL, &t2);
	chgs_free(&cs);

	changes_since(S, r1 + 3, &cs);
	ck_assert_uint_eq(cs.n, 0);
	chgs_free(&cs);
	changes_since(S, r1 + 1000, &cs);
	ck_assert_uint_eq(cs.n, 0);
	chgs_free(&cs);
	commit(S);
	check_store(S);
}
END_TEST

/* Stored objects: the key is (kind, parent, name); the same name under
 * another parent or of another kind is another row; the rest is kept as
 * given; the change feed names them by kind, parent and name. */
START_TEST(object_rows)
{
	uint64_t r1 = seed();
	ipam_store_row z = object_row(IPAM_STORE_ZONE, NULL, "example.com.", 200, "{\"ttl\":3600,\"ns\":[\"ns1.example.com.\"]}");
	ipam_store_row zb = object_row(IPAM_STORE_ZONE, BLUE, "example.com.", 201, "{\"ttl\":60}");
	ipam_store_row rec = object_row(IPAM_STORE_RECORD, z.id, "www A 192.0.2.10", 202, "{\"ttl\":300}");
	ipam_store_row srv = object_row(IPAM_STORE_SERVER, NULL, "example.com.", 203, NULL);
	ipam_store_row obs = object_row(IPAM_STORE_OBSERVATION, RED, "2001:db8::1 snmp", 204,
		"{\"mac\":\"00:11:22:33:44:55\",\"name\":\"caf\u00e9\"}");

	tx(S, 1);
	OK(S->put(S, &z, IPAM_STORE_PUT_NEW));
	OK(S->put(S, &zb, IPAM_STORE_PUT_NEW));
	OK(S->put(S, &rec, IPAM_STORE_PUT_NEW));
	OK(S->put(S, &srv, IPAM_STORE_PUT_NEW));
	OK(S->put(S, &obs, IPAM_STORE_PUT_NEW));
	/* the same key again: IPAM_EEXISTS, whatever the id */
	ipam_store_row dup = object_row(IPAM_STORE_ZONE, BLUE, "example.com.", 205, NULL);
	RC(S->put(S, &dup, IPAM_STORE_PUT_NEW), IPAM_EEXISTS);
	commit(S);
	ck_assert_uint_eq(revision(S), r1 + 1);

	tx(S, 0);
	expect_row(S, &z);
	expect_row(S, &zb);
	expect_row(S, &rec);
	expect_row(S, &srv);
	expect_row(S, &obs);
	ipam_store_row key = object_row(IPAM_STORE_ZONE, RED, "example.com.", 0, NULL);
	expect_no_row(S, &key);
	key = object_row(IPAM_STORE_RECORD, NULL, "www A 192.0.2.10", 0, NULL);
	expect_no_row(S, &key);
	ipam_store_row zones[] = { z, zb };
	expect_scan(S, IPAM_STORE_ZONE, zones, 2);
	expect_scan(S, IPAM_STORE_RECORD, &rec, 1);
	expect_scan(S, IPAM_STORE_SERVER, &srv, 1);
	expect_scan(S, IPAM_STORE_OBSERVATION, &obs, 1);
	expect_scan(S, IPAM_STORE_CREDENTIAL, NULL, 0);
	commit(S);

	/* replace keeps id and created; delete; a rollback leaves no trace */
	ipam_store_row z2 = z;
	mkid(z2.id, 299);
	z2.created = T0 + 5;
	z2.updated = T0 + 99999;
	z2.attrs = "{\"ttl\":7200}";
	z2.description = NULL;
	tx(S, 1);
	OK(S->put(S, &z2, 0));
	OK(S->del(S, &rec));
	RC(S->del(S, &rec), IPAM_ENOTFOUND);
	commit(S);
	tx(S, 1);
	OK(S->del(S, &srv));
	ipam_store_row cred = object_row(IPAM_STORE_CREDENTIAL, srv.id, "tsig", 206, "{\"sealed\":\"AAAA\"}");
	OK(S->put(S, &cred, IPAM_STORE_PUT_NEW));
	rollback(S);
	tx(S, 0);
	ipam_store_row want = z2;
	memcpy(want.id, z.id, 16);
	want.created = z.created;
	expect_row(S, &want);
	expect_no_row(S, &rec);
	expect_row(S, &srv);
	expect_no_row(S, &cred);
	chgs cs;
	changes_since(S, r1, &cs);
	ck_assert_uint_eq(cs.n, 7);
	expect_change(&cs, 0, r1 + 1, IPAM_STORE_PUT, &z);
	expect_change(&cs, 1, r1 + 1, IPAM_STORE_PUT, &zb);
	expect_change(&cs, 2, r1 + 1, IPAM_STORE_PUT, &rec);
	expect_change(&cs, 3, r1 + 1, IPAM_STORE_PUT, &srv);
	expect_change(&cs, 4, r1 + 1, IPAM_STORE_PUT, &obs);
	expect_change(&cs, 5, r1 + 2, IPAM_STORE_PUT, &z2);
	expect_change(&cs, 6, r1 + 2, IPAM_STORE_DEL, &rec);
	/* the keys carry the parent and the name */
	ck_assert_mem_eq(cs.v[1].key.space, BLUE, 16);
	ck_assert_mem_eq(cs.v[6].key.space, z.id, 16);
	ck_assert_str_eq(cs.v[6].key.name, "www A 192.0.2.10");
	chgs_free(&cs);
	commit(S);

	/* a second store object on the same data catches up with them */
	if (B->open_again) {
		ipam_store *s2 = open_again();
		ipam_store_row rec2 = object_row(IPAM_STORE_RECORD, z.id, "mail MX 10 mx.example.com.", 207, NULL);
		tx(S, 1);
		OK(S->put(S, &rec2, IPAM_STORE_PUT_NEW));
		OK(S->del(S, &obs));
		commit(S);
		tx(s2, 0);
		changes_since(s2, r1 + 2, &cs);
		ck_assert_uint_eq(cs.n, 2);
		expect_change(&cs, 0, r1 + 3, IPAM_STORE_PUT, &rec2);
		expect_change(&cs, 1, r1 + 3, IPAM_STORE_DEL, &obs);
		chgs_free(&cs);
		expect_row(s2, &rec2);
		expect_no_row(s2, &obs);
		expect_row(s2, &want);
		commit(s2);
		close_store(s2);
	}
	check_store(S);
}
END_TEST

START_TEST(second_store_object_sees_commits)
{
	uint64_t r1 = seed();
	ipam_store *s2 = open_again();
	ck_assert_uint_eq(revision(s2), r1);

	/* the first writes; the second sees the revision and the changes */
	ipam_store_row a = addr_row(BLUE, "10.6.0.1", 130);
	ipam_store_row p = prefix_row(BLUE, "10.6.0.0/16", 131);
	tx(S, 1);
	OK(S->put(S, &p, IPAM_STORE_PUT_NEW));
	OK(S->put(S, &a, IPAM_STORE_PUT_NEW));
	append_audit(S, 1);
	OK(S->meta_put(S, "schema", "7"));
	commit(S);
	ck_assert_uint_eq(revision(S), r1 + 1);
	ck_assert_uint_eq(revision(s2), r1 + 1);
	tx(s2, 0);
	chgs cs;
	changes_since(s2, r1, &cs);
	ck_assert_uint_eq(cs.n, 2);
	expect_change(&cs, 0, r1 + 1, IPAM_STORE_PUT, &p);
	expect_change(&cs, 1, r1 + 1, IPAM_STORE_PUT, &a);
	chgs_free(&cs);
	expect_row(s2, &a);
	expect_row(s2, &p);
	expect_audit_head(s2, 1);
	expect_meta(s2, "schema", "7");
	commit(s2);

	/* and the other way round */
	tx(s2, 1);
	OK(s2->del(s2, &a));
	OK(s2->bump(s2, &p));
	append_audit(s2, 2);
	commit(s2);
	ck_assert_uint_eq(revision(S), r1 + 2);
	tx(S, 0);
	changes_since(S, r1 + 1, &cs);
	ck_assert_uint_eq(cs.n, 1);
	expect_change(&cs, 0, r1 + 2, IPAM_STORE_DEL, &a);
	chgs_free(&cs);
	expect_no_row(S, &a);
	ipam_store_row want = p;
	want.version++;
	expect_row(S, &want);
	expect_audit_head(S, 2);
	commit(S);

	/* a rollback on one is never seen by the other */
	tx(S, 1);
	OK(S->put(S, &a, IPAM_STORE_PUT_NEW));
	rollback(S);
	ck_assert_uint_eq(revision(s2), r1 + 2);
	tx(s2, 0);
	expect_no_row(s2, &a);
	commit(s2);

	/* closed and opened again: everything is still there */
	close_store(s2);
	close_store(S);
	S = stores[0] = NULL;
	int rc = B->open_again(&stores[0]);
	ck_assert_msg(rc == 0, "reopen: %d %s", rc, ipam_error_last()->message);
	S = stores[0];
	ck_assert_uint_eq(revision(S), r1 + 2);
	tx(S, 0);
	expect_row(S, &want);
	expect_no_row(S, &a);
	expect_audit_head(S, 2);
	expect_meta(S, "schema", "7");
	changes_since(S, 0, &cs);
	ck_assert_uint_eq(cs.n, 6);
	chgs_free(&cs);
	commit(S);
	check_store(S);
}
END_TEST

/* What a second store object learns by catching up is the rows as they are
 * now, however they got there: rewritten twice in the feed, bumped after
 * they were written (in another transaction, or in the same one), written
 * and deleted. (The PostgreSQL store serves these from the row images its
 * change records carry; a bump, which writes no change record, must not
 * leave a stale one behind.) */
START_TEST(second_store_sees_rows_as_they_are)
{
	seed();
	ipam_store *s2 = open_again();
	tx(s2, 0); /* s2 has looked: it catches up from here */
	commit(s2);

	ipam_store_row a = addr_row(BLUE, "10.7.0.1", 140);
	ipam_store_row b = addr_row(BLUE, "10.7.0.2", 141);
	ipam_store_row c = addr_row(BLUE, "10.7.0.3", 142);
	ipam_store_row t = tenant_row("globex", 143);
	ipam_store_row o = object_row(IPAM_STORE_ZONE, NULL, "example.org.", 144, "{\"ttl\":300}");
	tx(S, 1);
	OK(S->put(S, &a, IPAM_STORE_PUT_NEW));
	OK(S->put(S, &c, IPAM_STORE_PUT_NEW));
	OK(S->put(S, &t, IPAM_STORE_PUT_NEW));
	OK(S->put(S, &o, IPAM_STORE_PUT_NEW));
	commit(S);
	tx(S, 1); /* a bump alone: no change record */
	OK(S->bump(S, &a));
	OK(S->bump(S, &t));
	commit(S);
	tx(S, 1); /* written and bumped in one transaction */
	OK(S->put(S, &b, IPAM_STORE_PUT_NEW));
	OK(S->bump(S, &b));
	OK(S->del(S, &c));
	commit(S);
	ipam_store_row o2 = o, o3 = o;
	o2.description = "second";
	o2.version = 2;
	o3.description = "third";
	o3.attrs = "{\"ttl\":60}";
	o3.version = 3;
	tx(S, 1);
	OK(S->put(S, &o2, 0));
	commit(S);
	tx(S, 1);
	OK(S->put(S, &o3, 0));
	OK(S->bump(S, &o3));
	commit(S);

	tx(s2, 0);
	ipam_store_row wa = a, wb = b, wt = t, wo = o3;
	wa.version = 2;
	wb.version = 2;
	wt.version = 2;
	wo.version = 4;
	expect_row(s2, &wa);
	expect_row(s2, &wb);
	expect_row(s2, &wt);
	expect_row(s2, &wo);
	expect_no_row(s2, &c);
	commit(s2);
	check_store(S);
}
END_TEST

/* PostgreSQL: the store's tables, by SQL, in the test's schema. */
static void pg_sql(const char *body)
{
	char sql[1024];
	snprintf(sql, sizeof sql, "SET search_path = %s; %s", pg_schema, body);
	ck_assert_msg(pg_admin(sql) == 0, "%s", sql);
}

/* PostgreSQL: change records without row images (written before schema 3
 * or by an older libipam still running), and with a damaged one: a second
 * store object reads those rows from their tables instead. */
START_TEST(pg_changes_without_row_images)
{
	seed();
	ipam_store *s2 = open_again();
	tx(s2, 0);
	commit(s2);
	ipam_store_row a = addr_row(BLUE, "10.8.0.1", 150);
	ipam_store_row r = range_row(BLUE, "10.8.1.10", "10.8.1.20", 151);
	ipam_store_row t = tenant_row("initech", 152);
	ipam_store_row o = object_row(IPAM_STORE_RECORD, BLUE, "www", 153, "{\"type\":\"A\"}");
	tx(S, 1);
	OK(S->put(S, &a, IPAM_STORE_PUT_NEW));
	OK(S->put(S, &r, IPAM_STORE_PUT_NEW));
	OK(S->put(S, &t, IPAM_STORE_PUT_NEW));
	OK(S->put(S, &o, IPAM_STORE_PUT_NEW));
	commit(S);
	pg_sql("UPDATE ipam_changes SET img = NULL WHERE kind IN (4, 5)");
	pg_sql("UPDATE ipam_changes SET img = '1' || img WHERE kind = 1 AND name = 'initech'");
	pg_sql("UPDATE ipam_changes SET img = '1-' WHERE kind = 7");
	tx(s2, 0);
	chgs cs;
	changes_since(s2, revision(S) - 1, &cs);
	ck_assert_uint_eq(cs.n, 4);
	chgs_free(&cs);
	expect_row(s2, &a);
	expect_row(s2, &r);
	expect_row(s2, &t);
	expect_row(s2, &o);
	commit(s2);
}
END_TEST

/* PostgreSQL: a schema 2 database (no row images, foreign keys on every
 * table) opened by this libipam is migrated in place (3: row images; 4: no
 * foreign keys on the tables of allocations); its rows stay, and new
 * changes carry images that a second store object reads. */
START_TEST(pg_migrates_from_schema_2)
{
	seed();
	ipam_store_row a = addr_row(BLUE, "10.9.0.1", 160);
	tx(S, 1);
	OK(S->put(S, &a, IPAM_STORE_PUT_NEW));
	commit(S);
	close_store(S);
	S = stores[0] = NULL;
	pg_sql("ALTER TABLE ipam_changes DROP COLUMN img; UPDATE ipam_meta SET value = '2' WHERE name = 'schema_version'");
	int rc = B->open_again(&stores[0]);
	ck_assert_msg(rc == 0, "reopen: %d %s", rc, ipam_error_last()->message);
	S = stores[0];
	pg_sql("DO $$ BEGIN IF (SELECT value FROM ipam_meta WHERE name = 'schema_version') <> '4' OR "
		"(SELECT count(*) FROM ipam_changes WHERE img IS NOT NULL) <> 0 OR "
		"(SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND conrelid IN "
		"('ipam_addresses'::regclass, 'ipam_prefixes'::regclass)) <> 0 OR "
		"(SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND conrelid = 'ipam_ranges'::regclass) <> 2 "
		"THEN RAISE EXCEPTION 'not schema 4'; END IF; END $$");
	ipam_store *s2 = open_again();
	tx(s2, 0);
	expect_row(s2, &a);
	commit(s2);
	ipam_store_row b = addr_row(BLUE, "10.9.0.2", 161);
	tx(S, 1);
	OK(S->put(S, &b, IPAM_STORE_PUT_NEW));
	commit(S);
	pg_sql("DO $$ BEGIN IF (SELECT count(*) FROM ipam_changes WHERE img IS NOT NULL) <> 1 THEN "
		"RAISE EXCEPTION 'no image'; END IF; END $$");
	tx(s2, 0);
	expect_row(s2, &b);
	commit(s2);
	check_store(S);
}
END_TEST

/* PostgreSQL: the tables of allocations have no foreign keys (schema 4);
 * the store's check names a row whose space or tenant is not there. */
START_TEST(pg_check_names_rows_without_their_space)
{
	seed();
	check_store(S);
	uint8_t nowhere[16];
	mkid(nowhere, 170);
	ipam_store_row a = addr_row(nowhere, "10.10.0.1", 171);
	memset(a.tenant, 0, 16);
	tx(S, 1);
	OK(S->put(S, &a, IPAM_STORE_PUT_NEW));
	commit(S);
	int rc = S->check(S);
	ck_assert_msg(rc == IPAM_EBACKEND && strstr(ipam_error_last()->message, "address 10.10.0.1") &&
	              strstr(ipam_error_last()->message, "names a space or tenant that does not exist"),
	              "check: %d %s", rc, ipam_error_last()->message);
	tx(S, 1);
	OK(S->del(S, &a));
	commit(S);
	check_store(S);
	ipam_store_row p = prefix_row(BLUE, "10.11.0.0/16", 172);
	mkid(p.tenant, 173); /* no such tenant */
	tx(S, 1);
	OK(S->put(S, &p, IPAM_STORE_PUT_NEW));
	commit(S);
	rc = S->check(S);
	ck_assert_msg(rc == IPAM_EBACKEND && strstr(ipam_error_last()->message, "prefix 10.11.0.0/16"),
	              "check: %d %s", rc, ipam_error_last()->message);
	tx(S, 1);
	OK(S->del(S, &p));
	commit(S);
	check_store(S);
}
END_TEST

START_TEST(audit_entries)
{
	tx(S, 0);
	expect_audit_head(S, 0);
	commit(S);

	tx(S, 1);
	for (uint64_t seq = 1; seq <= 5; seq++) {
		append_audit(S, seq);
		expect_audit_head(S, seq);
	}
	commit(S);

	tx(S, 0);
	expect_audit_head(S, 5);
	static const struct { uint64_t from; uint64_t first; size_t n; } cases[] = {
		{ 0, 1, 5 }, { 1, 1, 5 }, { 2, 2, 4 }, { 3, 3, 3 }, { 5, 5, 1 }, { 6, 0, 0 }, { 1000, 0, 0 },
	};
	for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
		audits as = { 0 };
		OK(S->audit_scan(S, cases[c].from, collect_audit, &as));
		ck_assert_msg(as.n == cases[c].n, "audit_scan from %llu: %zu entries, want %zu",
			(unsigned long long)cases[c].from, as.n, cases[c].n);
		for (size_t i = 0; i < as.n; i++) {
			char obj[64];
			ipam_store_audit want = audit_entry(cases[c].first + i, obj, sizeof obj);
			assert_audit_eq(&want, &as.v[i]);
		}
		audits_free(&as);
	}
	commit(S);

	/* entries are appended across transactions too */
	tx(S, 1);
	append_audit(S, 6);
	commit(S);
	tx(S, 0);
	expect_audit_head(S, 6);
	audits as = { 0 };
	OK(S->audit_scan(S, 6, collect_audit, &as));
	ck_assert_uint_eq(as.n, 1);
	ck_assert_uint_eq(as.v[0].seq, 6);
	audits_free(&as);
	commit(S);
	check_store(S);
}
END_TEST

START_TEST(meta_values)
{
	static char big[20000];
	memset(big, 'q', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	tx(S, 1);
	expect_meta(S, "schema", NULL);
	OK(S->meta_put(S, "schema", "3"));
	expect_meta(S, "schema", "3");
	OK(S->meta_put(S, "schema", "4"));
	expect_meta(S, "schema", "4");
	OK(S->meta_put(S, "motd", "Grüße – 你好"));
	OK(S->meta_put(S, "big", big));
	OK(S->meta_put(S, "empty", ""));
	OK(S->meta_put(S, "tmp", "x"));
	OK(S->meta_put(S, "tmp", NULL));
	expect_meta(S, "tmp", NULL);
	commit(S);

	tx(S, 0);
	expect_meta(S, "schema", "4");
	expect_meta(S, "motd", "Grüße – 你好");
	expect_meta(S, "big", big);
	expect_meta(S, "empty", "");
	expect_meta(S, "tmp", NULL);
	expect_meta(S, "Schema", NULL); /* names are exact */
	commit(S);

	tx(S, 1);
	OK(S->meta_put(S, "schema", NULL));
	commit(S);
	tx(S, 0);
	expect_meta(S, "schema", NULL);
	expect_meta(S, "motd", "Grüße – 你好");
	commit(S);
	check_store(S);
}
END_TEST

typedef struct stopper {
	int calls;
	int stop_at;
	int value;
} stopper;

static int stop_row(void *ctx, const ipam_store_row *r)
{
	(void)r;
	stopper *s = ctx;
	return ++s->calls == s->stop_at ? s->value : 0;
}

static int stop_change(void *ctx, const ipam_store_change *c)
{
	(void)c;
	stopper *s = ctx;
	return ++s->calls == s->stop_at ? s->value : 0;
}

static int stop_audit(void *ctx, const ipam_store_audit *e)
{
	(void)e;
	stopper *s = ctx;
	return ++s->calls == s->stop_at ? s->value : 0;
}

START_TEST(callbacks_stop_scans)
{
	seed();
	tx(S, 1);
	for (unsigned int i = 0; i < 10; i++) {
		char ip[32];
		snprintf(ip, sizeof ip, "10.7.0.%u", i + 1);
		ipam_store_row a = addr_row(BLUE, ip, 140 + i);
		OK(S->put(S, &a, IPAM_STORE_PUT_NEW));
		append_audit(S, i + 1);
	}
	commit(S);

	tx(S, 0);
	stopper s = { 0, 3, 42 };
	ck_assert_int_eq(S->scan(S, IPAM_STORE_ADDRESS, stop_row, &s), 42);
	ck_assert_int_eq(s.calls, 3);
	s = (stopper){ 0, 1, -5 };
	ck_assert_int_eq(S->scan(S, IPAM_STORE_ADDRESS, stop_row, &s), -5);
	ck_assert_int_eq(s.calls, 1);
	s = (stopper){ 0, 100, 1 }; /* never stops: every row, then 0 */
	ck_assert_int_eq(S->scan(S, IPAM_STORE_ADDRESS, stop_row, &s), 0);
	ck_assert_int_eq(s.calls, 10);

	s = (stopper){ 0, 2, IPAM_ITEROVER };
	ck_assert_int_eq(S->changes(S, 0, stop_change, &s), IPAM_ITEROVER);
	ck_assert_int_eq(s.calls, 2);
	s = (stopper){ 0, 13, 9 };
	ck_assert_int_eq(S->changes(S, 0, stop_change, &s), 9);
	ck_assert_int_eq(s.calls, 13); /* 3 seed + 10 */

	s = (stopper){ 0, 4, 7 };
	ck_assert_int_eq(S->audit_scan(S, 2, stop_audit, &s), 7);
	ck_assert_int_eq(s.calls, 4);
	s = (stopper){ 0, 1, 1 };
	ck_assert_int_eq(S->audit_scan(S, 10, stop_audit, &s), 1);
	ck_assert_int_eq(s.calls, 1);
	commit(S);

	/* a stopped scan leaves the store as it was */
	tx(S, 0);
	rows rs;
	scan_kind(S, IPAM_STORE_ADDRESS, &rs);
	ck_assert_uint_eq(rs.n, 10);
	rows_free(&rs);
	commit(S);
	check_store(S);
}
END_TEST

START_TEST(calls_outside_a_transaction)
{
	seed();
	ipam_store_row a = addr_row(BLUE, "10.8.0.1", 150);
	char obj[64];
	ipam_store_audit e = audit_entry(1, obj, sizeof obj);
	RC(S->put(S, &a, IPAM_STORE_PUT_NEW), IPAM_EINVAL);
	RC(S->del(S, &a), IPAM_EINVAL);
	RC(S->bump(S, &a), IPAM_EINVAL);
	RC(S->audit_append(S, &e), IPAM_EINVAL);
	RC(S->meta_put(S, "schema", "1"), IPAM_EINVAL);
	RC(S->commit(S), IPAM_EINVAL);
	S->rollback(S); /* harmless */
	if (B->reads_need_txn) {
		ipam_store_row got = a;
		uint64_t seq;
		uint8_t hash[32];
		char *v = NULL;
		rows rs = { 0 };
		chgs cs = { 0 };
		audits as = { 0 };
		RC(S->get(S, &got), IPAM_EINVAL);
		RC(S->scan(S, IPAM_STORE_SPACE, collect_row, &rs), IPAM_EINVAL);
		RC(S->changes(S, 0, collect_change, &cs), IPAM_EINVAL);
		RC(S->audit_head(S, &seq, hash), IPAM_EINVAL);
		RC(S->audit_scan(S, 1, collect_audit, &as), IPAM_EINVAL);
		RC(S->meta_get(S, "schema", &v), IPAM_EINVAL);
		ck_assert_ptr_null(v);
		ck_assert_uint_eq(rs.n + cs.n + as.n, 0);
	} else {
		printf("store-%s: calls_outside_a_transaction: reads outside a transaction not checked "
			"(this backend serves them)\n", B->name);
	}
	/* a second begin while one is open */
	tx(S, 0);
	RC(S->begin(S, 0), IPAM_EINVAL);
	commit(S);
	/* nothing happened */
	ck_assert_uint_eq(revision(S), 1);
	tx(S, 0);
	expect_no_row(S, &a);
	expect_audit_head(S, 0);
	expect_meta(S, "schema", NULL);
	commit(S);
	check_store(S);
}
END_TEST

/* ---- the memory store's own guards (beyond the vtable's contract) ---------- */

typedef struct meddler {
	ipam_store *st;
	int calls;
	int put_rc, get_rc;
	int roll_at;
} meddler;

static int meddle(void *ctx, const ipam_store_row *r)
{
	meddler *m = ctx;
	ipam_store_row copy = *r, got;
	m->calls++;
	m->put_rc = m->st->put(m->st, &copy, 0);
	m->get_rc = get_row(m->st, r, &got);
	if (m->calls == m->roll_at)
		m->st->rollback(m->st);
	return 0;
}

START_TEST(memory_guards)
{
	seed();
	ipam_store_row a = addr_row(BLUE, "10.9.9.1", 170);
	char obj[64];
	ipam_store_audit e = audit_entry(1, obj, sizeof obj);

	/* writes need a write transaction */
	tx(S, 0);
	RC(S->put(S, &a, IPAM_STORE_PUT_NEW), IPAM_EINVAL);
	RC(S->del(S, &a), IPAM_EINVAL);
	RC(S->bump(S, &a), IPAM_EINVAL);
	RC(S->meta_put(S, "x", "y"), IPAM_EINVAL);
	RC(S->audit_append(S, &e), IPAM_EINVAL);
	RC(S->check(S), IPAM_EINVAL); /* check runs outside transactions */
	commit(S);
	ck_assert_ptr_null(S->rekey);
	ck_assert_ptr_nonnull(S->check);

	/* rows the store refuses */
	tx(S, 1);
	ipam_store_row bad = tenant_row(NULL, 171);
	RC(S->put(S, &bad, 0), IPAM_EINVAL);
	bad = addr_row(BLUE, "10.9.9.2", 172);
	bad.addr.family = 0;
	RC(S->put(S, &bad, 0), IPAM_EINVAL);
	bad = addr_row(BLUE, "10.9.9.2", 172);
	bad.maclen = 7;
	RC(S->put(S, &bad, 0), IPAM_EINVAL);
	ck_assert_ptr_nonnull(strstr(ipam_error_last()->message, "10.9.9.2"));
	bad = prefix_row(BLUE, "10.0.0.0/8", 173);
	bad.len = 33;
	RC(S->put(S, &bad, 0), IPAM_EINVAL);
	bad = range_row(BLUE, "10.0.0.1", "10.0.0.2", 174);
	bad.last = A("::1");
	RC(S->put(S, &bad, 0), IPAM_EINVAL);
	bad.kind = 99;
	RC(S->put(S, &bad, 0), IPAM_EINVAL);
	RC(S->get(S, &bad), IPAM_EINVAL);
	RC(S->scan(S, 0, collect_row, NULL), IPAM_EINVAL);
	RC(S->scan(S, IPAM_STORE_KIND_MAX + 1, collect_row, NULL), IPAM_EINVAL);
	RC(S->put(S, &a, 0x80), IPAM_EINVAL);
	/* the message names the space by its name */
	OK(S->put(S, &a, IPAM_STORE_PUT_NEW));
	RC(S->put(S, &a, IPAM_STORE_PUT_NEW), IPAM_EEXISTS);
	ck_assert_str_eq(ipam_error_last()->message, "memory store: address 10.9.9.1 in space \"blue\" already exists");
	/* audit: seq 0 asks the store to number the entry; a wrong one is refused */
	e.seq = 0;
	OK(S->audit_append(S, &e));
	expect_audit_head(S, 1);
	e = audit_entry(5, obj, sizeof obj);
	RC(S->audit_append(S, &e), IPAM_EINVAL);
	RC(S->begin(S, 1), IPAM_EINVAL);
	commit(S);

	/* a callback may read but not write; a rollback from it waits for the walk */
	ipam_store_row b = addr_row(BLUE, "10.9.9.3", 175);
	tx(S, 1);
	OK(S->put(S, &b, IPAM_STORE_PUT_NEW));
	meddler md = { S, 0, 1, 1, 0 };
	OK(S->scan(S, IPAM_STORE_ADDRESS, meddle, &md));
	ck_assert_int_eq(md.calls, 2);
	ck_assert_int_eq(md.put_rc, IPAM_EINVAL);
	ck_assert_int_eq(md.get_rc, 0);
	RC(S->commit(S), 0);
	in_txn[0] = 0;
	uint64_t r = revision(S);
	ipam_store_row c = addr_row(BLUE, "10.9.9.4", 176);
	tx(S, 1);
	OK(S->put(S, &c, IPAM_STORE_PUT_NEW));
	md = (meddler){ S, 0, 1, 1, 1 };
	OK(S->scan(S, IPAM_STORE_ADDRESS, meddle, &md));
	ck_assert_int_eq(md.calls, 1); /* stopped after the rollback */
	ck_assert_int_eq(md.get_rc, 0); /* still readable inside the walk */
	in_txn[0] = 0;
	RC(S->commit(S), IPAM_EINVAL); /* rolled back when the scan returned */
	ck_assert_uint_eq(revision(S), r);
	tx(S, 0);
	expect_no_row(S, &c);
	expect_row(S, &b);
	commit(S);
	check_store(S);
}
END_TEST

/* The n-th address of the big test: even ones IPv4 10.128.0.0 + n/2, odd
 * ones IPv6 2001:db8:100:: + n/2; the id and the name encode n. */
static void big_addr(ipam_store_row *r, unsigned int n, char *name, size_t size)
{
	*r = addr_row(BLUE, "10.0.0.1", 0);
	mkid(r->id, 1000000 + n);
	if (n % 2 == 0) {
		ipam_addr_from_v4(&r->addr, 0x0a800000u + n / 2);
	} else {
		ipam_u128 v = { 0x20010db801000000ull, n / 2 };
		ipam_addr_from_v6(&r->addr, v);
	}
	r->mac[4] = (uint8_t)(n >> 8);
	r->mac[5] = (uint8_t)n;
	snprintf(name, size, "h%u.example.com", n);
	r->name = name;
	r->description = NULL;
	r->attrs = NULL;
	r->created = T0 + n;
	r->updated = T0 + n;
}

#define BIG 100000u

typedef struct big_seen {
	uint8_t *seen;
	unsigned int count, bad, dup;
} big_seen;

/* no assertions in a callback: count what is wrong, assert afterwards */
static int big_cb(void *ctx, const ipam_store_row *r)
{
	big_seen *b = ctx;
	uint8_t id[16];
	unsigned int n = ((unsigned)r->id[12] << 24 | (unsigned)r->id[13] << 16 | (unsigned)r->id[14] << 8 | r->id[15]) - 1000000u;
	char name[64];
	ipam_store_row want;
	b->count++;
	if (n >= BIG) {
		b->bad++;
		return 0;
	}
	big_addr(&want, n, name, sizeof name);
	mkid(id, 1000000 + n);
	if (memcmp(r->id, id, 16) || !addr_same(&r->addr, &want.addr) || !str_same(r->name, name) ||
	    r->maclen != 6 || memcmp(r->mac, want.mac, 6) || r->created != want.created)
		b->bad++;
	if (b->seen[n]++)
		b->dup++;
	return 0;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

START_TEST(hundred_thousand_addresses)
{
	seed();
	uint64_t r = revision(S);
	char name[64];
	ipam_store_row a;
	/* Puts in ten blocks. When a put costs O(1) or O(log n) every block
	 * costs about what the cheapest one did; when it costs O(n), block k
	 * costs 2k + 1 times the first, and the test stops at the second block
	 * in a row past the bound (one could be the machine's hiccup) instead
	 * of running on for minutes. Valgrind and the sanitizers slow all
	 * blocks alike; blocks too short to time say nothing. */
	double t0 = now_s(), block_start = t0, fastest = 0;
	int slow = 0;
	tx(S, 1);
	for (unsigned int n = 0; n < BIG; n++) {
		if (n && n % (BIG / 10) == 0) {
			double t = now_s(), took = t - block_start;
			if (fastest >= 0.005 && took > 8 * fastest) {
				ck_assert_msg(!slow, "puts slow down as the store grows: puts %u-%u took %.3f s, "
					"the fastest %u %.3f s", n - BIG / 10, n - 1, took, BIG / 10, fastest);
				slow = 1;
			} else {
				slow = 0;
			}
			if (fastest == 0 || took < fastest)
				fastest = took;
			if (getenv("STORE_TEST_VERBOSE"))
				printf("puts %u-%u: %.3f s\n", n - BIG / 10, n - 1, took);
			block_start = t;
		}
		big_addr(&a, n, name, sizeof name);
		int rc = S->put(S, &a, IPAM_STORE_PUT_NEW);
		ck_assert_msg(rc == 0, "put %u: %d %s", n, rc, ipam_error_last()->message);
	}
	commit(S);
	double t1 = now_s();

	tx(S, 0);
	big_seen b = { calloc(BIG, 1), 0, 0, 0 };
	ck_assert_ptr_nonnull(b.seen);
	OK(S->scan(S, IPAM_STORE_ADDRESS, big_cb, &b));
	free(b.seen);
	ck_assert_uint_eq(b.count, BIG);
	ck_assert_uint_eq(b.bad, 0);
	ck_assert_uint_eq(b.dup, 0);
	static const unsigned int spots[] = { 0, 1, 2, 4095, 4096, 49999, 50000, 65535, 65536, 99998, 99999 };
	for (size_t i = 0; i < sizeof spots / sizeof *spots; i++) {
		big_addr(&a, spots[i], name, sizeof name);
		expect_row(S, &a);
	}
	ipam_addr past;
	ipam_addr_from_v4(&past, 0x0a800000u + BIG / 2);
	a.addr = past;
	expect_no_row(S, &a);
	stopper s = { 0, 0, 0 };
	OK(S->changes(S, r, stop_change, &s));
	ck_assert_int_eq(s.calls, (int)BIG);
	commit(S);
	double t2 = now_s();

	/* a third of them deleted in one transaction, then rolled back */
	tx(S, 1);
	for (unsigned int n = 0; n < BIG; n += 3) {
		big_addr(&a, n, name, sizeof name);
		OK(S->del(S, &a));
	}
	big_addr(&a, 3, name, sizeof name);
	expect_no_row(S, &a);
	rollback(S);
	tx(S, 0);
	expect_row(S, &a);
	stopper all = { 0, 0, 0 };
	OK(S->scan(S, IPAM_STORE_ADDRESS, stop_row, &all));
	ck_assert_int_eq(all.calls, (int)BIG);
	commit(S);
	double t3 = now_s();
	printf("store-%s: %u addresses: put %.2f s, scan+get %.2f s, delete a third and roll back %.2f s\n",
		B->name, BIG, t1 - t0, t2 - t1, t3 - t2);
	check_store(S);
}
END_TEST

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s memory|sqlcipher|postgres\n", argv[0]);
		return 2;
	}
	for (size_t i = 0; i < sizeof backends / sizeof *backends; i++)
		if (strcmp(argv[1], backends[i].name) == 0)
			B = &backends[i];
	if (!B) {
		fprintf(stderr, "%s: unknown backend \"%s\"\n", argv[0], argv[1]);
		return 2;
	}
	mkid(TENANT_ID, ID_ACME);
	mkid(BLUE, ID_BLUE);
	mkid(RED, ID_RED);

	Suite *s = suite_create(B->name);
	TCase *tc = tcase_create("store");
	tcase_set_timeout(tc, 300);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, empty_store);
	tcase_add_test(tc, tenant_and_space_rows);
	tcase_add_test(tc, prefix_rows);
	tcase_add_test(tc, range_rows);
	tcase_add_test(tc, address_rows);
	tcase_add_test(tc, put_new_on_an_existing_key);
	tcase_add_test(tc, replace_keeps_id_and_created);
	tcase_add_test(tc, missing_rows);
	tcase_add_test(tc, bump_increments_version);
	tcase_add_test(tc, rollback_discards_everything);
	tcase_add_test(tc, revision_counts_write_transactions);
	tcase_add_test(tc, change_feed);
	tcase_add_test(tc, object_rows);
	if (B->open_again) {
		tcase_add_test(tc, second_store_object_sees_commits);
		tcase_add_test(tc, second_store_sees_rows_as_they_are);
	} else
		printf("store-%s: second_store_object_sees_commits, second_store_sees_rows_as_they_are: do not apply (%s); "
		       "not run, not counted\n",
			B->name, B->why_not_again);
	tcase_add_test(tc, audit_entries);
	tcase_add_test(tc, meta_values);
	tcase_add_test(tc, callbacks_stop_scans);
	tcase_add_test(tc, calls_outside_a_transaction);
	if (strcmp(B->name, "memory") == 0)
		tcase_add_test(tc, memory_guards);
	if (strcmp(B->name, "postgres") == 0) {
		tcase_add_test(tc, pg_changes_without_row_images);
		tcase_add_test(tc, pg_migrates_from_schema_2);
		tcase_add_test(tc, pg_check_names_rows_without_their_space);
	}
	tcase_add_test(tc, hundred_thousand_addresses);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_VERBOSE);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
