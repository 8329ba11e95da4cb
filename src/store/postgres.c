/* The PostgreSQL / CockroachDB store, through libpq.
 *
 * Written in the SQL both servers accept (docs/cockroachdb.md lists the
 * subset and why each piece is safe on CockroachDB): UUID keys made by
 * libipam, INET addresses, TEXT plus a generated JSONB copy of the
 * attributes, no sequences, advisory locks, LISTEN/NOTIFY or exclusion
 * constraints. Every transaction is SERIALIZABLE (but the group commit's
 * flush: one UPDATE of the transaction's own commit marker, at the
 * server's default isolation).
 *
 * ## One order for every writer: the head row
 * `ipam_head` holds one row: the committed revision and the audit chain's
 * head (seq and hash). A write transaction begins by locking it (LOCK
 * TABLE on PostgreSQL, SELECT ... FOR UPDATE on CockroachDB) and ends by
 * updating it. So write transactions
 * that change anything run one after another, in the order of their
 * revisions: the change feed is "revision > R" with no gaps and no commit
 * that lands below a revision a reader already saw, and the audit chain is
 * one chain however many processes write. A writer that waited for the
 * lock while another committed gets SQLSTATE 40001 (its snapshot predates
 * that commit); nothing was done yet, so `begin` simply starts again with a
 * fresh snapshot, until the busy timeout. Allocations in one prefix
 * serialize anyway (each bumps the prefix's version), and so does a single
 * audit chain; the cost is that unrelated writers queue too.
 *
 * ## Round trips
 * begin: one (BEGIN, the group commit's setting, the lock, and one
 * statement: the head, the change feed with the rows it names; see "row
 * images"), so that the db layer's catch-up and its `get` of each changed
 * row cost nothing. The db layer's new rows and bumps wait ("late
 * writes"), and go with COMMIT: the change feed rows, the audit entries,
 * the commit marker and the head update are kept in the client and sent
 * with COMMIT in the same pipeline; the usual transaction's writes are one
 * statement ("the one-statement commit"). An allocation is two round trips
 * under the head, and two statements besides the lock and COMMIT.
 *
 * ## Group commit
 * The head is held until COMMIT ends, so a COMMIT that waited for its WAL
 * flush would make every writer wait for every other writer's fsync, one
 * at a time. On PostgreSQL a write transaction therefore commits with
 * synchronous_commit off (the head is free as soon as the commit record is
 * in the WAL buffers; the setting is sent before the lock, so that it costs
 * the head nothing), and the same pipeline then runs a small synchronous
 * transaction (one statement, outside BEGIN ... COMMIT: PostgreSQL's
 * implicit transaction, committed at the pipeline's sync) whose commit
 * record comes after ours: when it returns, ours
 * is on disk, and writers that commit at about the same time share one
 * fsync. A caller learns of success only after that, so nothing it was told
 * is committed can be lost. Others may read such a commit a moment before
 * it is on disk; if the server stops in that moment, it comes back without
 * it (and without everything after it): a process that read it lost its
 * connection too, and after reconnecting checks that the audit entry of
 * the head it last saw is still there with the same hash; if not, the db
 * layer rebuilds its index from the tables.
 *
 * ## Lost connections
 * A connection lost inside a transaction makes it IPAM_ECONFLICT (nothing
 * of it was committed: the server rolls back an open transaction when the
 * connection goes), so ipam_db_run() runs it again; `begin` reconnects,
 * trying until the busy timeout. A connection lost while COMMIT was in
 * flight is the one case where the outcome is not known from the client:
 * every write transaction inserts its random id into `ipam_commits`, and
 * after reconnecting the store looks for it: found, the commit happened
 * (0); not found, it did not (IPAM_ECONFLICT, run again); no server to
 * ask: IPAM_EBACKEND saying the outcome is unknown. Nothing is committed
 * twice.
 *
 * Strings in rows handed out live until the next call on the store (get)
 * or until the callback returns (scan, changes, audit_scan), as store.h
 * says. The connection string may hold a password: it is kept only in
 * libpq and in one private copy that is wiped when the store is freed;
 * messages name the server by a form without it. */
#include "store/pg_image.h"
#include "store/store.h"

#include <libpq-fe.h>
#include <sodium.h>

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define SCHEMA_LATEST 4

/* A commit with up to MERGE_MAX late writes, one change and one audit
 * entry is one statement; MERGE_SHAPES such statements (one per sequence
 * of late statements) are prepared per connection. */
#define MERGE_MAX 4
#define MERGE_SHAPES 16

/* Rows fetched per query by scans (keyset pages) and the change feed. */
#define PAGE 5000
/* Rows per multi-row INSERT at commit (10 or 9 parameters each: < 65535). */
#define BATCH 500

/* ---- schema --------------------------------------------------------------- */

static const char schema_v1[] =
	"CREATE TABLE ipam_meta ("
	" name TEXT NOT NULL PRIMARY KEY,"
	" value TEXT NOT NULL);"
	"CREATE TABLE ipam_head ("
	" one INT NOT NULL PRIMARY KEY CHECK (one = 1),"
	" revision BIGINT NOT NULL,"
	" audit_seq BIGINT NOT NULL,"
	" audit_hash BYTEA NOT NULL);"
	"INSERT INTO ipam_head (one, revision, audit_seq, audit_hash)"
	" VALUES (1, 0, 0, decode('0000000000000000000000000000000000000000000000000000000000000000', 'hex'));"
	"CREATE TABLE ipam_tenants ("
	" name TEXT NOT NULL,"
	" id UUID NOT NULL,"
	" created BIGINT NOT NULL,"
	" revision BIGINT NOT NULL,"
	" description TEXT,"
	" attrs TEXT,"
	" attrs_json JSONB GENERATED ALWAYS AS (attrs::JSONB) STORED,"
	" version BIGINT NOT NULL,"
	" updated BIGINT NOT NULL,"
	" CONSTRAINT ipam_tenants_key PRIMARY KEY (name),"
	" CONSTRAINT ipam_tenants_id UNIQUE (id));"
	"CREATE TABLE ipam_spaces ("
	" name TEXT NOT NULL,"
	" id UUID NOT NULL,"
	" created BIGINT NOT NULL,"
	" revision BIGINT NOT NULL,"
	" tenant UUID REFERENCES ipam_tenants (id),"
	" description TEXT,"
	" attrs TEXT,"
	" attrs_json JSONB GENERATED ALWAYS AS (attrs::JSONB) STORED,"
	" version BIGINT NOT NULL,"
	" updated BIGINT NOT NULL,"
	" CONSTRAINT ipam_spaces_key PRIMARY KEY (name),"
	" CONSTRAINT ipam_spaces_id UNIQUE (id));"
	"CREATE TABLE ipam_prefixes ("
	" space UUID NOT NULL REFERENCES ipam_spaces (id),"
	" prefix INET NOT NULL,"
	" id UUID NOT NULL,"
	" created BIGINT NOT NULL,"
	" revision BIGINT NOT NULL,"
	" tenant UUID REFERENCES ipam_tenants (id),"
	" status SMALLINT NOT NULL,"
	" pool SMALLINT NOT NULL,"
	" description TEXT,"
	" attrs TEXT,"
	" attrs_json JSONB GENERATED ALWAYS AS (attrs::JSONB) STORED,"
	" version BIGINT NOT NULL,"
	" updated BIGINT NOT NULL,"
	" CONSTRAINT ipam_prefixes_key PRIMARY KEY (space, prefix),"
	" CONSTRAINT ipam_prefixes_id UNIQUE (id));"
	"CREATE TABLE ipam_ranges ("
	" space UUID NOT NULL REFERENCES ipam_spaces (id),"
	" addr INET NOT NULL,"
	" last INET NOT NULL,"
	" id UUID NOT NULL,"
	" created BIGINT NOT NULL,"
	" revision BIGINT NOT NULL,"
	" tenant UUID REFERENCES ipam_tenants (id),"
	" purpose SMALLINT NOT NULL,"
	" description TEXT,"
	" attrs TEXT,"
	" attrs_json JSONB GENERATED ALWAYS AS (attrs::JSONB) STORED,"
	" version BIGINT NOT NULL,"
	" updated BIGINT NOT NULL,"
	" CONSTRAINT ipam_ranges_key PRIMARY KEY (space, addr, last),"
	" CONSTRAINT ipam_ranges_id UNIQUE (id));"
	"CREATE TABLE ipam_addresses ("
	" space UUID NOT NULL REFERENCES ipam_spaces (id),"
	" addr INET NOT NULL,"
	" id UUID NOT NULL,"
	" created BIGINT NOT NULL,"
	" revision BIGINT NOT NULL,"
	" tenant UUID REFERENCES ipam_tenants (id),"
	" status SMALLINT NOT NULL,"
	" name TEXT,"
	" mac BYTEA,"
	" description TEXT,"
	" attrs TEXT,"
	" attrs_json JSONB GENERATED ALWAYS AS (attrs::JSONB) STORED,"
	" version BIGINT NOT NULL,"
	" updated BIGINT NOT NULL,"
	" CONSTRAINT ipam_addresses_key PRIMARY KEY (space, addr),"
	" CONSTRAINT ipam_addresses_id UNIQUE (id));"
	/* What changed after revision R, row by row: catching up reads it. */
	"CREATE INDEX ipam_tenants_rev ON ipam_tenants (revision);"
	"CREATE INDEX ipam_spaces_rev ON ipam_spaces (revision);"
	"CREATE INDEX ipam_prefixes_rev ON ipam_prefixes (revision);"
	"CREATE INDEX ipam_ranges_rev ON ipam_ranges (revision);"
	"CREATE INDEX ipam_addresses_rev ON ipam_addresses (revision);"
	/* The change feed: (revision, n) orders it; the key columns of the
	 * row's kind, the others NULL (prefix: addr is the network). */
	"CREATE TABLE ipam_changes ("
	" revision BIGINT NOT NULL,"
	" n INT NOT NULL,"
	" op SMALLINT NOT NULL,"
	" kind SMALLINT NOT NULL,"
	" name TEXT,"
	" space UUID,"
	" addr INET,"
	" last INET,"
	" len SMALLINT,"
	" PRIMARY KEY (revision, n));"
	/* One row per committed write transaction: how a client that lost its
	 * connection during COMMIT learns whether it happened. */
	"CREATE TABLE ipam_commits ("
	" txid UUID NOT NULL PRIMARY KEY,"
	" revision BIGINT,"
	" time BIGINT NOT NULL);"
	/* The audit chain. before/after stay TEXT: the hash covers their bytes. */
	"CREATE TABLE ipam_audit ("
	" seq BIGINT NOT NULL PRIMARY KEY,"
	" time BIGINT NOT NULL,"
	" actor TEXT,"
	" action TEXT,"
	" object TEXT,"
	" before TEXT,"
	" after TEXT,"
	" prev BYTEA NOT NULL,"
	" hash BYTEA NOT NULL);"
	"INSERT INTO ipam_meta (name, value) VALUES ('schema_version', '1');";

/* Version 1 -> 2: stored objects (every kind from IPAM_STORE_OBJECT_MIN
 * on), one table keyed by (kind, parent, name); the parent is an id of any
 * kind (or zeros), so it has no foreign key. */
static const char schema_v2[] =
	"CREATE TABLE ipam_objects ("
	" kind SMALLINT NOT NULL,"
	" parent UUID NOT NULL,"
	" name TEXT NOT NULL,"
	" id UUID NOT NULL,"
	" created BIGINT NOT NULL,"
	" revision BIGINT NOT NULL,"
	" tenant UUID REFERENCES ipam_tenants (id),"
	" description TEXT,"
	" attrs TEXT,"
	" attrs_json JSONB GENERATED ALWAYS AS (attrs::JSONB) STORED,"
	" version BIGINT NOT NULL,"
	" updated BIGINT NOT NULL,"
	" CONSTRAINT ipam_objects_key PRIMARY KEY (kind, parent, name),"
	" CONSTRAINT ipam_objects_id UNIQUE (id));"
	"CREATE INDEX ipam_objects_rev ON ipam_objects (revision);";

/* Version 2 -> 3: a PUT change record carries the row it wrote (see "row
 * images"); older records have none (NULL), which readers handle. */
static const char schema_v3[] = "ALTER TABLE ipam_changes ADD COLUMN img TEXT;";

/* Version 3 -> 4: no foreign keys on the two tables every allocation
 * writes. Each check took a row lock on the space (a WAL record and a page
 * write) per new row, under the head: in A/B runs with 8 writers W1 ran
 * 3-35% faster without (2026-11-22). The db layer writes an address or
 * prefix only into a space its index holds, caught up under the head; it
 * refuses to load a row whose space the store does not hold; and check()
 * names a row whose space or tenant is missing. (IF EXISTS: the names are
 * PostgreSQL's; a server that named them otherwise keeps them, and is only
 * slower.) */
static const char schema_v4[] =
	"ALTER TABLE ipam_addresses DROP CONSTRAINT IF EXISTS ipam_addresses_space_fkey;"
	"ALTER TABLE ipam_addresses DROP CONSTRAINT IF EXISTS ipam_addresses_tenant_fkey;"
	"ALTER TABLE ipam_prefixes DROP CONSTRAINT IF EXISTS ipam_prefixes_space_fkey;"
	"ALTER TABLE ipam_prefixes DROP CONSTRAINT IF EXISTS ipam_prefixes_tenant_fkey;";

/* migrations[n] takes a database from schema n to n + 1 (one transaction).
 * A released step never changes; a new schema is a step appended here. */
static const char *const migrations[SCHEMA_LATEST] = {
	schema_v1,
	schema_v2,
	schema_v3,
	schema_v4,
};

/* ---- statements ------------------------------------------------------------ */

/* The columns of each kind in the order of the parameters of put and of
 * the result columns of get and scan: the natural key first. */
enum field {
	F_KIND, F_NAME, F_SPACE, F_PREFIX, F_ADDR, F_LAST,
	F_ID, F_CREATED, F_REVISION, F_TENANT, F_STATUS, F_POOL, F_PURPOSE,
	F_MAC, F_DESC, F_ATTRS, F_VERSION, F_UPDATED,
};

#define MAXF 14

typedef struct kind_desc {
	const char *what;
	const char *table;
	unsigned nkey;   /* parameters of the natural key */
	unsigned nfield; /* parameters of a whole row (a prefix counts as one: "a/len") */
	unsigned char f[MAXF];
} kind_desc;

static const kind_desc kinds[IPAM_STORE_KIND_MAX + 1] = {
	[IPAM_STORE_TENANT] = { "tenant", "ipam_tenants", 1, 8,
		{ F_NAME, F_ID, F_CREATED, F_REVISION, F_DESC, F_ATTRS, F_VERSION, F_UPDATED } },
	[IPAM_STORE_SPACE] = { "space", "ipam_spaces", 1, 9,
		{ F_NAME, F_ID, F_CREATED, F_REVISION, F_TENANT, F_DESC, F_ATTRS, F_VERSION, F_UPDATED } },
	[IPAM_STORE_PREFIX] = { "prefix", "ipam_prefixes", 2, 12,
		{ F_SPACE, F_PREFIX, F_ID, F_CREATED, F_REVISION, F_TENANT, F_STATUS, F_POOL, F_DESC, F_ATTRS,
		  F_VERSION, F_UPDATED } },
	[IPAM_STORE_RANGE] = { "range", "ipam_ranges", 3, 12,
		{ F_SPACE, F_ADDR, F_LAST, F_ID, F_CREATED, F_REVISION, F_TENANT, F_PURPOSE, F_DESC, F_ATTRS,
		  F_VERSION, F_UPDATED } },
	[IPAM_STORE_ADDRESS] = { "address", "ipam_addresses", 2, 13,
		{ F_SPACE, F_ADDR, F_ID, F_CREATED, F_REVISION, F_TENANT, F_STATUS, F_NAME, F_MAC, F_DESC, F_ATTRS,
		  F_VERSION, F_UPDATED } },
#define OBJ_DESC(what) { what, "ipam_objects", 3, 11, \
		{ F_KIND, F_SPACE, F_NAME, F_ID, F_CREATED, F_REVISION, F_TENANT, F_DESC, F_ATTRS, F_VERSION, F_UPDATED } }
	[IPAM_STORE_ZONE] = OBJ_DESC("zone"),
	[IPAM_STORE_RECORD] = OBJ_DESC("record"),
	[IPAM_STORE_SERVER] = OBJ_DESC("server"),
	[IPAM_STORE_CREDENTIAL] = OBJ_DESC("credential"),
	[IPAM_STORE_TEMPLATE] = OBJ_DESC("template"),
	[IPAM_STORE_SCOPE] = OBJ_DESC("scope"),
	[IPAM_STORE_OPTION_SET] = OBJ_DESC("option set"),
	[IPAM_STORE_STATE] = OBJ_DESC("state"),
	[IPAM_STORE_OBSERVATION] = OBJ_DESC("observation"),
#undef OBJ_DESC
};

/* Per kind: insert, upsert, delete, get, scan (first page, next page), bump. */
enum { K_INS, K_UPS, K_DEL, K_GET, K_SCAN0, K_SCAN, K_BUMP, K_N };

#define TENANT_SEL "name, id, created, revision, description, attrs, version, updated"
#define SPACE_SEL "name, id, created, revision, tenant, description, attrs, version, updated"
#define PREFIX_SEL "space, host(prefix), masklen(prefix), id, created, revision, tenant, status, pool," \
	" description, attrs, version, updated"
#define RANGE_SEL "space, host(addr), host(last), id, created, revision, tenant, purpose," \
	" description, attrs, version, updated"
/* The same, qualified with the table alias t (for joins). */
#define T_SEL "t.name, t.id, t.created, t.revision, t.description, t.attrs, t.version, t.updated"
#define SP_SEL "t.name, t.id, t.created, t.revision, t.tenant, t.description, t.attrs, t.version, t.updated"
#define P_SEL "t.space, host(t.prefix), masklen(t.prefix), t.id, t.created, t.revision, t.tenant, t.status," \
	" t.pool, t.description, t.attrs, t.version, t.updated"
#define R_SEL "t.space, host(t.addr), host(t.last), t.id, t.created, t.revision, t.tenant, t.purpose," \
	" t.description, t.attrs, t.version, t.updated"
#define A_SEL "t.space, host(t.addr), t.id, t.created, t.revision, t.tenant, t.status, t.name," \
	" encode(t.mac, 'hex'), t.description, t.attrs, t.version, t.updated"
#define OBJECT_SEL "kind, parent, name, id, created, revision, tenant, description, attrs, version, updated"
#define O_SEL "t.kind, t.parent, t.name, t.id, t.created, t.revision, t.tenant, t.description, t.attrs," \
	" t.version, t.updated"
#define ADDRESS_SEL "space, host(addr), id, created, revision, tenant, status, name, encode(mac, 'hex')," \
	" description, attrs, version, updated"

enum {
	S_HEAD_REV, S_CHG_ADD1, S_AUDIT_ADD1, S_COMMIT_ADD, S_HEAD_SET, S_COMMIT_FIND,
	S_CHG_SCAN, S_AUDIT_SCAN, S_META_GET, S_META_SET, S_META_DEL, S_SPACE_NAME,
	S_HEAD_GET, S_HEAD_LOCK, S_AUDIT_AT,
	/* the transactions' own statements, prepared too: none is parsed again */
	S_BEGIN_RW, S_BEGIN_RO, S_LOCK_HEAD, S_SYNC_OFF, S_COMMIT, S_FLUSH_MARK, S_COMMIT_ONE,
	S_PF_FEED,
	S_IMG_CLEAR0, /* + kind - 1 (not the prefix's; the last: every stored object's) */
	S_KIND0 = S_IMG_CLEAR0 + IPAM_STORE_OBJECT_MIN,
	/* the five row kinds, then one set for every stored-object kind (the kind is parameter $1) */
	S_COUNT = S_KIND0 + IPAM_STORE_OBJECT_MIN * K_N,
	/* Per kind, the forms of K_INS and K_BUMP that the db layer's writes
	 * are sent later with (see "late writes"): a refusal is an error that
	 * stops the pipeline. Made from K_INS and K_BUMP when prepared. */
	S_LATE0 = S_COUNT,
	S_ALL = S_LATE0 + IPAM_STORE_OBJECT_MIN * 2
};

#define CHG_COLS "revision, n, op, kind, name, space, addr, last, len, img"
#define AUDIT_COLS "seq, time, actor, action, object, before, after, prev, hash"
#define CHG_COLS_SEL "revision, n, op, kind, name, space, host(addr), host(last), len"

static const char *const sql_text[S_COUNT] = {
	[S_HEAD_REV] = "SELECT revision FROM ipam_head WHERE one = 1",
	[S_CHG_ADD1] = "INSERT INTO ipam_changes (" CHG_COLS ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
	[S_AUDIT_ADD1] = "INSERT INTO ipam_audit (" AUDIT_COLS ")"
		" VALUES ($1, $2, $3, $4, $5, $6, $7, decode($8, 'hex'), decode($9, 'hex'))",
	[S_COMMIT_ADD] = "INSERT INTO ipam_commits (txid, revision, time) VALUES ($1, $2, $3)",
	[S_HEAD_SET] = "UPDATE ipam_head SET revision = $1, audit_seq = $2, audit_hash = decode($3, 'hex') WHERE one = 1",
	[S_COMMIT_FIND] = "SELECT revision FROM ipam_commits WHERE txid = $1",
	[S_CHG_SCAN] = "SELECT " CHG_COLS_SEL " FROM ipam_changes"
		" WHERE (revision, n) > ($1, $2) AND revision <= $3 ORDER BY revision, n LIMIT 5000",
	[S_AUDIT_SCAN] = "SELECT seq, time, actor, action, object, before, after, encode(prev, 'hex'), encode(hash, 'hex')"
		" FROM ipam_audit WHERE seq >= $1 ORDER BY seq LIMIT 5000",
	[S_META_GET] = "SELECT value FROM ipam_meta WHERE name = $1",
	[S_META_SET] = "INSERT INTO ipam_meta (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
	[S_META_DEL] = "DELETE FROM ipam_meta WHERE name = $1",
	[S_SPACE_NAME] = "SELECT name FROM ipam_spaces WHERE id = $1",
	[S_HEAD_GET] = "SELECT revision, audit_seq, encode(audit_hash, 'hex') FROM ipam_head WHERE one = 1",
	[S_AUDIT_AT] = "SELECT encode(hash, 'hex') FROM ipam_audit WHERE seq = $1",
	[S_HEAD_LOCK] = "SELECT revision, audit_seq, encode(audit_hash, 'hex') FROM ipam_head WHERE one = 1 FOR UPDATE",
	[S_BEGIN_RW] = "BEGIN ISOLATION LEVEL SERIALIZABLE",
	[S_BEGIN_RO] = "BEGIN ISOLATION LEVEL SERIALIZABLE READ ONLY",
	[S_LOCK_HEAD] = "LOCK TABLE ipam_head IN SHARE ROW EXCLUSIVE MODE",
	[S_SYNC_OFF] = "SET LOCAL synchronous_commit = off",
	[S_COMMIT] = "COMMIT",
	/* the flush transaction after an asynchronous COMMIT (see commit_write) */
	[S_FLUSH_MARK] = "UPDATE ipam_commits SET time = time WHERE txid = $1",
	/* a transaction's one change record, its one audit entry, its commit
	 * marker and the head: one statement (data-modifying WITH, as the bumps) */
	[S_COMMIT_ONE] = "WITH c AS (INSERT INTO ipam_changes (" CHG_COLS ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9,"
		" $10)),"
		" a AS (INSERT INTO ipam_audit (" AUDIT_COLS ") VALUES ($11, $12, $13, $14, $15, $16, $17,"
		" decode($18, 'hex'), decode($19, 'hex'))),"
		" m AS (INSERT INTO ipam_commits (txid, revision, time) VALUES ($20, $21, $22))"
		" UPDATE ipam_head SET revision = $23, audit_seq = $24, audit_hash = decode($25, 'hex') WHERE one = 1",
	/* Begin's one statement under the head: the head, the changes after
	 * $1 (up to $2) with their row images, and the prefix rows they name
	 * (see "row images"); one row with NULL changes when there are none.
	 * Columns: FA_HEAD, FA_CHG (CHG_COLS_SEL), FA_IMG, FA_PREFIX (P_SEL).
	 * A range of revisions, not just "revision > $1":
	 * PostgreSQL's generic plan for an open range expects a third of the
	 * table, and on a table of a few thousand rows it then scans all of
	 * them and sorts (measured: 0.5 ms a begin at 8,000 addresses, growing
	 * with the table); for a closed range it expects a few rows and uses
	 * the index. OFFSET 0 keeps the prefix lookup a nested loop over the
	 * primary key, driven by the few changes (flattened, the planner chose
	 * a hash join over the whole prefix table). The changes come in the
	 * inner ORDER BY's order, one head row driving them; begin checks it. */
	[S_PF_FEED] = "SELECT h.revision, h.audit_seq, encode(h.audit_hash, 'hex'), c.* FROM ipam_head h"
		" LEFT JOIN LATERAL (SELECT c.revision AS c_revision, c.n AS c_n, c.op, c.kind, c.name, c.space AS c_space,"
		" host(c.addr), host(c.last), c.len, c.img, p.* FROM ipam_changes c"
		" LEFT JOIN LATERAL (SELECT " P_SEL " FROM ipam_prefixes t WHERE c.kind = 3 AND c.op = 1"
		" AND t.space = c.space AND t.prefix = c.addr OFFSET 0) p ON true"
		" WHERE c.revision > $1 AND c.revision <= $2 ORDER BY c.revision, c.n LIMIT 1001) c ON true"
		" WHERE h.one = 1",
	/* A bump of a row other than a prefix: the image of the row's last
	 * change is no longer the row (see "row images"). Per kind; $1... the key. */
	[S_IMG_CLEAR0 + IPAM_STORE_TENANT - 1] = "UPDATE ipam_changes SET img = NULL WHERE revision ="
		" (SELECT revision FROM ipam_tenants WHERE name = $1) AND kind = 1 AND name = $1",
	[S_IMG_CLEAR0 + IPAM_STORE_SPACE - 1] = "UPDATE ipam_changes SET img = NULL WHERE revision ="
		" (SELECT revision FROM ipam_spaces WHERE name = $1) AND kind = 2 AND name = $1",
	[S_IMG_CLEAR0 + IPAM_STORE_RANGE - 1] = "UPDATE ipam_changes SET img = NULL WHERE revision ="
		" (SELECT revision FROM ipam_ranges WHERE space = $1 AND addr = $2 AND last = $3)"
		" AND kind = 4 AND space = $1 AND addr = $2 AND last = $3",
	[S_IMG_CLEAR0 + IPAM_STORE_ADDRESS - 1] = "UPDATE ipam_changes SET img = NULL WHERE revision ="
		" (SELECT revision FROM ipam_addresses WHERE space = $1 AND addr = $2) AND kind = 5 AND space = $1 AND addr = $2",
	[S_IMG_CLEAR0 + IPAM_STORE_OBJECT_MIN - 1] = "UPDATE ipam_changes SET img = NULL WHERE revision ="
		" (SELECT revision FROM ipam_objects WHERE kind = $1 AND parent = $2 AND name = $3)"
		" AND kind = $1 AND space = $2 AND name = $3",

#define KS(kind, op) [S_KIND0 + ((kind) - 1) * K_N + (op)]
	KS(IPAM_STORE_TENANT, K_INS) = "INSERT INTO ipam_tenants (name, id, created, revision, description, attrs, version, updated)"
		" VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING",
	KS(IPAM_STORE_TENANT, K_UPS) = "INSERT INTO ipam_tenants (name, id, created, revision, description, attrs, version, updated)"
		" VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (name) DO UPDATE SET revision = excluded.revision,"
		" description = excluded.description, attrs = excluded.attrs, version = excluded.version, updated = excluded.updated",
	KS(IPAM_STORE_TENANT, K_DEL) = "DELETE FROM ipam_tenants WHERE name = $1",
	KS(IPAM_STORE_TENANT, K_GET) = "SELECT " TENANT_SEL " FROM ipam_tenants WHERE name = $1",
	KS(IPAM_STORE_TENANT, K_SCAN0) = "SELECT " TENANT_SEL " FROM ipam_tenants ORDER BY name LIMIT 5000",
	KS(IPAM_STORE_TENANT, K_SCAN) = "SELECT " TENANT_SEL " FROM ipam_tenants WHERE name > $1 ORDER BY name LIMIT 5000",
	KS(IPAM_STORE_TENANT, K_BUMP) = "UPDATE ipam_tenants SET version = version + 1 WHERE name = $1",

	KS(IPAM_STORE_SPACE, K_INS) = "INSERT INTO ipam_spaces (name, id, created, revision, tenant, description, attrs, version,"
		" updated) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING",
	KS(IPAM_STORE_SPACE, K_UPS) = "INSERT INTO ipam_spaces (name, id, created, revision, tenant, description, attrs, version,"
		" updated) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (name) DO UPDATE SET"
		" revision = excluded.revision, tenant = excluded.tenant, description = excluded.description,"
		" attrs = excluded.attrs, version = excluded.version, updated = excluded.updated",
	KS(IPAM_STORE_SPACE, K_DEL) = "DELETE FROM ipam_spaces WHERE name = $1",
	KS(IPAM_STORE_SPACE, K_GET) = "SELECT " SPACE_SEL " FROM ipam_spaces WHERE name = $1",
	KS(IPAM_STORE_SPACE, K_SCAN0) = "SELECT " SPACE_SEL " FROM ipam_spaces ORDER BY name LIMIT 5000",
	KS(IPAM_STORE_SPACE, K_SCAN) = "SELECT " SPACE_SEL " FROM ipam_spaces WHERE name > $1 ORDER BY name LIMIT 5000",
	KS(IPAM_STORE_SPACE, K_BUMP) = "UPDATE ipam_spaces SET version = version + 1 WHERE name = $1",

	KS(IPAM_STORE_PREFIX, K_INS) = "INSERT INTO ipam_prefixes (space, prefix, id, created, revision, tenant, status, pool,"
		" description, attrs, version, updated) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT DO NOTHING",
	KS(IPAM_STORE_PREFIX, K_UPS) = "INSERT INTO ipam_prefixes (space, prefix, id, created, revision, tenant, status, pool,"
		" description, attrs, version, updated) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
		" ON CONFLICT (space, prefix) DO UPDATE SET revision = excluded.revision, tenant = excluded.tenant,"
		" status = excluded.status, pool = excluded.pool, description = excluded.description,"
		" attrs = excluded.attrs, version = excluded.version, updated = excluded.updated",
	KS(IPAM_STORE_PREFIX, K_DEL) = "DELETE FROM ipam_prefixes WHERE space = $1 AND prefix = $2",
	KS(IPAM_STORE_PREFIX, K_GET) = "SELECT " PREFIX_SEL " FROM ipam_prefixes WHERE space = $1 AND prefix = $2",
	KS(IPAM_STORE_PREFIX, K_SCAN0) = "SELECT " PREFIX_SEL " FROM ipam_prefixes ORDER BY space, prefix LIMIT 5000",
	KS(IPAM_STORE_PREFIX, K_SCAN) = "SELECT " PREFIX_SEL " FROM ipam_prefixes WHERE (space, prefix) > ($1, $2)"
		" ORDER BY space, prefix LIMIT 5000",
	KS(IPAM_STORE_PREFIX, K_BUMP) = "UPDATE ipam_prefixes SET version = version + 1 WHERE space = $1 AND prefix = $2",

	KS(IPAM_STORE_RANGE, K_INS) = "INSERT INTO ipam_ranges (space, addr, last, id, created, revision, tenant, purpose,"
		" description, attrs, version, updated) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT DO NOTHING",
	KS(IPAM_STORE_RANGE, K_UPS) = "INSERT INTO ipam_ranges (space, addr, last, id, created, revision, tenant, purpose,"
		" description, attrs, version, updated) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
		" ON CONFLICT (space, addr, last) DO UPDATE SET revision = excluded.revision, tenant = excluded.tenant,"
		" purpose = excluded.purpose, description = excluded.description, attrs = excluded.attrs,"
		" version = excluded.version, updated = excluded.updated",
	KS(IPAM_STORE_RANGE, K_DEL) = "DELETE FROM ipam_ranges WHERE space = $1 AND addr = $2 AND last = $3",
	KS(IPAM_STORE_RANGE, K_GET) = "SELECT " RANGE_SEL " FROM ipam_ranges WHERE space = $1 AND addr = $2 AND last = $3",
	KS(IPAM_STORE_RANGE, K_SCAN0) = "SELECT " RANGE_SEL " FROM ipam_ranges ORDER BY space, addr, last LIMIT 5000",
	KS(IPAM_STORE_RANGE, K_SCAN) = "SELECT " RANGE_SEL " FROM ipam_ranges WHERE (space, addr, last) > ($1, $2, $3)"
		" ORDER BY space, addr, last LIMIT 5000",
	KS(IPAM_STORE_RANGE, K_BUMP) = "UPDATE ipam_ranges SET version = version + 1 WHERE space = $1 AND addr = $2 AND last = $3",

	KS(IPAM_STORE_ADDRESS, K_INS) = "INSERT INTO ipam_addresses (space, addr, id, created, revision, tenant, status, name,"
		" mac, description, attrs, version, updated)"
		" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, decode($9, 'hex'), $10, $11, $12, $13) ON CONFLICT DO NOTHING",
	KS(IPAM_STORE_ADDRESS, K_UPS) = "INSERT INTO ipam_addresses (space, addr, id, created, revision, tenant, status, name,"
		" mac, description, attrs, version, updated)"
		" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, decode($9, 'hex'), $10, $11, $12, $13)"
		" ON CONFLICT (space, addr) DO UPDATE SET revision = excluded.revision, tenant = excluded.tenant,"
		" status = excluded.status, name = excluded.name, mac = excluded.mac, description = excluded.description,"
		" attrs = excluded.attrs, version = excluded.version, updated = excluded.updated",
	KS(IPAM_STORE_ADDRESS, K_DEL) = "DELETE FROM ipam_addresses WHERE space = $1 AND addr = $2",
	KS(IPAM_STORE_ADDRESS, K_GET) = "SELECT " ADDRESS_SEL " FROM ipam_addresses WHERE space = $1 AND addr = $2",
	KS(IPAM_STORE_ADDRESS, K_SCAN0) = "SELECT " ADDRESS_SEL " FROM ipam_addresses ORDER BY space, addr LIMIT 5000",
	KS(IPAM_STORE_ADDRESS, K_SCAN) = "SELECT " ADDRESS_SEL " FROM ipam_addresses WHERE (space, addr) > ($1, $2)"
		" ORDER BY space, addr LIMIT 5000",
	KS(IPAM_STORE_ADDRESS, K_BUMP) = "UPDATE ipam_addresses SET version = version + 1 WHERE space = $1 AND addr = $2",

	KS(IPAM_STORE_OBJECT_MIN, K_INS) = "INSERT INTO ipam_objects (" OBJECT_SEL ")"
		" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT DO NOTHING",
	KS(IPAM_STORE_OBJECT_MIN, K_UPS) = "INSERT INTO ipam_objects (" OBJECT_SEL ")"
		" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
		" ON CONFLICT (kind, parent, name) DO UPDATE SET revision = excluded.revision, tenant = excluded.tenant,"
		" description = excluded.description, attrs = excluded.attrs, version = excluded.version,"
		" updated = excluded.updated",
	KS(IPAM_STORE_OBJECT_MIN, K_DEL) = "DELETE FROM ipam_objects WHERE kind = $1 AND parent = $2 AND name = $3",
	KS(IPAM_STORE_OBJECT_MIN, K_GET) = "SELECT " OBJECT_SEL " FROM ipam_objects WHERE kind = $1 AND parent = $2 AND name = $3",
	KS(IPAM_STORE_OBJECT_MIN, K_SCAN0) = "SELECT " OBJECT_SEL " FROM ipam_objects WHERE kind = $1"
		" ORDER BY parent, name LIMIT 5000",
	KS(IPAM_STORE_OBJECT_MIN, K_SCAN) = "SELECT " OBJECT_SEL " FROM ipam_objects WHERE kind = $1 AND (parent, name) > ($2, $3)"
		" ORDER BY parent, name LIMIT 5000",
	KS(IPAM_STORE_OBJECT_MIN, K_BUMP) = "UPDATE ipam_objects SET version = version + 1"
		" WHERE kind = $1 AND parent = $2 AND name = $3",
#undef KS
};

/* The rows of the change feed that a transaction made, sent at commit. */
typedef struct pending_change {
	unsigned op, kind;
	char *name;        /* tenant, space */
	uint8_t space[16];
	ipam_addr addr, last;
	uint8_t len;
	char *img;         /* a PUT's row image, or NULL (see "row images") */
} pending_change;

typedef struct pending_audit {
	ipam_store_audit e; /* strings owned */
} pending_audit;

typedef struct feed_item {
	ipam_store_change c; /* key strings owned */
	uint64_t n;          /* its place in its revision */
} feed_item;

/* A write of the db layer's, sent with the next statement that waits for the
 * server, or with COMMIT. */
typedef struct late_write {
	int id;                    /* the statement (S_LATE0 + ...) */
	int n;                     /* its parameters */
	char *v[MAXF];             /* owned copies (NULL: SQL NULL) */
	ipam_store_row key;        /* kind and key, for messages (name owned) */
	int bump;                  /* 0: a new row, 1: a bump */
} late_write;

/* A row fetched while catching up, served to `get` until the transaction
 * writes or ends. present = 0: the row is known to be gone. */
typedef struct cached_row {
	ipam_store_row row; /* strings owned */
	int present;
} cached_row;

enum { TX_NONE, TX_READ, TX_WRITE };

typedef struct pgstore {
	ipam_store base;           /* first: the vtable */
	PGconn *conn;
	char *conninfo;            /* as given: may hold a password; wiped at free */
	char *name;                /* for messages, without a password */
	unsigned busy_ms;          /* how long begin waits for the lock or the server */
	int crdb;                  /* the server is CockroachDB (it reports crdb_version) */
	unsigned char prepared[S_ALL]; /* on this connection */

	int tx;
	int lost;                  /* the connection broke inside the transaction */
	uint64_t head_rev;         /* the committed revision as of begin (locked when writing) */
	uint64_t head_seq;
	uint8_t head_hash[32];
	uint64_t tx_rev;           /* head_rev + 1 once a row was put or deleted */
	int tx_wrote;              /* anything sent that COMMIT must keep */
	uint8_t txid[16];

	pending_change *chg;
	size_t nchg, cchg;
	pending_audit *aud;
	size_t naud, caud;

	cached_row *cache;
	size_t ncache, ccache;

	struct late_write *late;   /* the db layer's writes not sent yet */
	size_t nlate, clate;
	/* The one-statement commits prepared on this connection (see "the
	 * one-statement commit"): the late statements each was made for. */
	struct { int ids[MERGE_MAX]; int n; } merged[MERGE_SHAPES];
	int nmerged;

	char *buf;                 /* the strings of the row `get` returned */
	size_t bufcap;
	char *imgbuf;              /* the texts of the row image being read */
	size_t imgcap;

	/* The change feed after `pf_since` and the rows it names, fetched by
	 * begin in the same round trip (pf_valid: complete). */
	struct feed_item *pf;
	size_t npf;
	uint64_t pf_since;
	int pf_valid;
	int seen_valid;            /* seen_rev: the revision the last transaction began from or committed */
	uint64_t seen_rev;
	int fresh_valid;           /* fresh_rev: the revision of this store's last commit, for one revision() */
	uint64_t fresh_rev;

	/* The history this process has read up to (the head at its last begin
	 * or commit), checked after a reconnect: a server that stopped may have
	 * lost commits that were visible but not yet on its disk (see "group
	 * commit"). */
	int hist_valid, check_hist, diverged;
	uint64_t hist_rev, hist_seq;
	uint8_t hist_hash[32];

	uint64_t lock_waits;       /* begin restarts after waiting for another writer */
	uint64_t reconnects;
} pgstore;

#define P(st) ((pgstore *)(st))

/* ---- small helpers ------------------------------------------------------------ */

static int zero16(const uint8_t b[16])
{
	static const uint8_t z[16];
	return memcmp(b, z, 16) == 0;
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static int64_t now_ms(void)
{
	return ipam__mono_ns() / 1000000;
}

/* A libpq message: its last line without the trailing newline. */
static void pq_msg(char *out, size_t size, const char *m)
{
	if (!m || !*m)
		m = "no message";
	snprintf(out, size, "%s", m);
	size_t n = strlen(out);
	while (n && (out[n - 1] == '\n' || out[n - 1] == ' '))
		out[--n] = '\0';
	for (char *p = out; *p; p++)
		if (*p == '\n' || *p == '\t')
			*p = ' ';
}

/* ---- errors ------------------------------------------------------------------- */

static int conn_lost(pgstore *s)
{
	return !s->conn || PQstatus(s->conn) != CONNECTION_OK;
}

/* SQLSTATEs that say the server or the connection went away. */
static int state_is_gone(const char *st)
{
	return st && (strncmp(st, "08", 2) == 0 || !strcmp(st, "57P01") || !strcmp(st, "57P02") ||
	              !strcmp(st, "57P03"));
}

static void row_name(pgstore *s, char *out, size_t size, const ipam_store_row *row);

/* Translate a failed result (or NULL) of `what` into an IPAM_E* code and a
 * message, and clear the result. `row` (or NULL) names the row a
 * constraint is about. */
static int fail(pgstore *s, PGresult *res, const char *what, const ipam_store_row *row)
{
	char msg[512], name[256];
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	const char *constraint = res ? PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME) : NULL;
	pq_msg(msg, sizeof msg, primary ? primary : PQerrorMessage(s->conn));
	char cons[64];
	snprintf(cons, sizeof cons, "%s", constraint ? constraint : "");
	char code[8];
	snprintf(code, sizeof code, "%s", state ? state : "");
	PQclear(res);

	if (state_is_gone(code[0] ? code : NULL) || conn_lost(s)) {
		if (s->tx != TX_NONE)
			s->lost = 1;
		if (s->tx != TX_NONE)
			return ipam_store_error(IPAM_ECONFLICT,
				"%s: %s: the connection to the server was lost (%s); the transaction was not committed",
				s->name, what, msg);
		return ipam_store_error(IPAM_EBACKEND, "%s: %s: the connection to the server was lost (%s)", s->name,
			what, msg);
	}
	if (!strcmp(code, "40001") || !strcmp(code, "40P01"))
		return ipam_store_error(IPAM_ECONFLICT, "%s: %s: %s (SQLSTATE %s); run the transaction again", s->name,
			what, msg, code);
	if (!strcmp(code, "23505")) {
		if (row)
			row_name(s, name, sizeof name, row);
		else
			snprintf(name, sizeof name, "a row");
		if (strstr(cons, "_id"))
			return ipam_store_error(IPAM_EEXISTS, "%s: its id is already used by another %s", name,
				row ? kinds[row->kind].what : "row");
		return ipam_store_error(IPAM_EEXISTS, "%s already exists", name);
	}
	if (!strcmp(code, "23503")) {
		if (row)
			row_name(s, name, sizeof name, row);
		else
			snprintf(name, sizeof name, "a row");
		if (!strcmp(what, "delete"))
			return ipam_store_error(IPAM_EINUSE, "%s is in use (other rows refer to it)", name);
		return ipam_store_error(IPAM_EINVAL, "%s refers to a %s that does not exist", name,
			row && row->kind == IPAM_STORE_SPACE ? "tenant" : "space or tenant");
	}
	if (!strncmp(code, "28", 2))
		return ipam_store_error(IPAM_EAUTH, "%s: %s", s->name, msg);
	if (!strcmp(code, "53100"))
		return ipam_store_error(IPAM_EIO, "%s: %s: the server's disk is full (%s)", s->name, what, msg);
	if (!strcmp(code, "22P02") || !strcmp(code, "22007") || !strcmp(code, "22023"))
		return ipam_store_error(IPAM_EINVAL, "%s: %s: %s", s->name, what, msg);
	if (code[0])
		return ipam_store_error(IPAM_EBACKEND, "%s: %s: %s (SQLSTATE %s)", s->name, what, msg, code);
	return ipam_store_error(IPAM_EBACKEND, "%s: %s: %s", s->name, what, msg);
}

/* ---- statements --------------------------------------------------------------- */

/* Prepare statement `id` on this connection the first time it is used. */
static int prepare(pgstore *s, int id)
{
	if (IPAM__LIKELY(s->prepared[id]))
		return 0;
	char nm[16];
	snprintf(nm, sizeof nm, "ipam%d", id);
	ipam_buf late = IPAM_BUF_INIT;
	const char *sql = sql_text[id < S_LATE0 ? id : 0];
	if (id >= S_LATE0) {
		/* the new row without ON CONFLICT DO NOTHING (a unique violation
		 * stops the pipeline); the bump divides by the rows it changed */
		int bump = (id - S_LATE0) % 2;
		const char *base = sql_text[S_KIND0 + (id - S_LATE0) / 2 * K_N + (bump ? K_BUMP : K_INS)];
		static const char tail[] = " ON CONFLICT DO NOTHING";
		int e = bump ? ipam__buf_printf(&late, "WITH u AS (%s RETURNING 1) SELECT 1 / count(*) FROM u", base)
		             : ipam__buf_printf(&late, "%.*s", (int)(strlen(base) - (sizeof tail - 1)), base);
		if (e)
			return IPAM_ENOMEM;
		sql = late.ptr;
	}
	PGresult *r = PQprepare(s->conn, nm, sql, 0, NULL);
	ipam_buf_dispose(&late);
	if (!r || PQresultStatus(r) != PGRES_COMMAND_OK)
		return fail(s, r, "prepare", NULL);
	PQclear(r);
	s->prepared[id] = 1;
	return 0;
}

/* Send prepared statement `id` (prepared already) in pipeline mode: 1, or 0. */
static int send_prep(pgstore *s, int id, int n, const char *const *vals)
{
	char nm[16];
	snprintf(nm, sizeof nm, "ipam%d", id);
	return PQsendQueryPrepared(s->conn, nm, n, vals, NULL, NULL, 0);
}

/* The kind, or for every stored-object kind IPAM_STORE_OBJECT_MIN: the
 * slot of its statements (one table holds all objects). */
static unsigned kind_slot(unsigned kind)
{
	return IPAM_STORE_IS_OBJECT(kind) ? IPAM_STORE_OBJECT_MIN : kind;
}

static int kid(unsigned kind, int op)
{
	return S_KIND0 + (int)(kind_slot(kind) - 1) * K_N + op;
}

/* The late form of a new row (bump 0) or of a bump (1) of `kind`. */
static int late_id(unsigned kind, int bump)
{
	return S_LATE0 + (int)(kind_slot(kind) - 1) * 2 + bump;
}

static int late_flush(pgstore *s);

/* Run prepared statement `id`; *out receives the result when it has rows
 * or a command status; failures are translated (the result cleared). The
 * late writes go first. */
static int run(pgstore *s, int id, int n, const char *const *vals, PGresult **out, const char *what,
               const ipam_store_row *row)
{
	*out = NULL;
	if (s->lost)
		return ipam_store_error(IPAM_ECONFLICT, "%s: %s: the connection was lost earlier in this transaction",
			s->name, what);
	int rc = s->nlate ? late_flush(s) : 0;
	if (!rc)
		rc = prepare(s, id);
	if (rc)
		return rc;
	char nm[16];
	snprintf(nm, sizeof nm, "ipam%d", id);
	PGresult *r = PQexecPrepared(s->conn, nm, n, vals, NULL, NULL, 0);
	ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
	if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK)
		return fail(s, r, what, row);
	*out = r;
	return 0;
}

/* Static SQL without parameters (DDL, BEGIN); the last result is checked. */
static int exec_simple(pgstore *s, const char *sql, PGresult **out, const char *what)
{
	if (out)
		*out = NULL;
	PGresult *r = PQexec(s->conn, sql);
	ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
	if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK)
		return fail(s, r, what, NULL);
	if (out)
		*out = r;
	else
		PQclear(r);
	return 0;
}

/* ---- parameters and rows ---------------------------------------------------- */

/* Text parameters of one row; `text` holds the formatted numbers. */
typedef struct params {
	const char *v[MAXF];
	char text[MAXF][64];
} params;

static void put_u64(params *p, unsigned i, uint64_t v)
{
	snprintf(p->text[i], sizeof p->text[i], "%" PRIu64, v);
	p->v[i] = p->text[i];
}

static void put_i64(params *p, unsigned i, int64_t v)
{
	snprintf(p->text[i], sizeof p->text[i], "%" PRId64, v);
	p->v[i] = p->text[i];
}

static void put_uuid(params *p, unsigned i, const uint8_t id[16])
{
	ipam__uuid_format(p->text[i], id);
	p->v[i] = p->text[i];
}

/* Parameters [0, to) of kinds[row->kind] for `row`. */
static void row_params(params *p, const ipam_store_row *row, unsigned to, uint64_t rev)
{
	const kind_desc *k = &kinds[row->kind];
	for (unsigned i = 0; i < to; i++) {
		p->v[i] = NULL;
		switch (k->f[i]) {
		case F_KIND: put_u64(p, i, row->kind); break;
		case F_NAME: p->v[i] = row->name; break;
		case F_SPACE: put_uuid(p, i, row->space); break;
		case F_PREFIX: {
			char a[IPAM_ADDR_STRLEN];
			ipam__store_addr_text(a, &row->addr);
			snprintf(p->text[i], sizeof p->text[i], "%s/%u", a, row->len);
			p->v[i] = p->text[i];
			break;
		}
		case F_ADDR: ipam__store_addr_text(p->text[i], &row->addr); p->v[i] = p->text[i]; break;
		case F_LAST: ipam__store_addr_text(p->text[i], &row->last); p->v[i] = p->text[i]; break;
		case F_ID: put_uuid(p, i, row->id); break;
		case F_CREATED: put_i64(p, i, row->created); break;
		case F_REVISION: put_u64(p, i, rev); break;
		case F_TENANT:
			if (!zero16(row->tenant))
				put_uuid(p, i, row->tenant);
			break;
		case F_STATUS: put_u64(p, i, row->status); break;
		case F_POOL: put_u64(p, i, row->pool); break;
		case F_PURPOSE: put_u64(p, i, row->purpose); break;
		case F_MAC:
			if (row->maclen && row->maclen <= 8) {
				ipam__hex(p->text[i], row->mac, row->maclen);
				p->v[i] = p->text[i];
			}
			break;
		case F_DESC: p->v[i] = row->description; break;
		case F_ATTRS: p->v[i] = row->attrs; break;
		case F_VERSION: put_u64(p, i, row->version); break;
		case F_UPDATED: put_i64(p, i, row->updated); break;
		default: break;
		}
	}
}

static int parse_u64(const char *t, uint64_t *out)
{
	if (!t || !*t || *t == '-')
		return -1;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(t, &end, 10);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

static int parse_i64(const char *t, int64_t *out)
{
	if (!t || !*t)
		return -1;
	char *end;
	errno = 0;
	long long v = strtoll(t, &end, 10);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

static int parse_small(const char *t, uint8_t *out)
{
	uint64_t v;
	if (parse_u64(t, &v) || v > 255)
		return -1;
	*out = (uint8_t)v;
	return 0;
}

static int parse_addr(const char *t, ipam_addr *out)
{
	return t && ipam_addr_parse(out, t) == 0 ? 0 : -1;
}

/* Set field `f` (not F_PREFIX) of `row` from its text `t` (NULL: SQL
 * NULL); strings point at t. Nonzero when the text does not parse. */
static int field_set(ipam_store_row *row, unsigned f, const char *t)
{
	int bad = 0;
	switch (f) {
	case F_KIND: {
		/* the objects' prefetch reads every object kind in one result */
		uint64_t kind;
		bad = parse_u64(t, &kind) || !IPAM_STORE_IS_OBJECT(kind);
		if (!bad)
			row->kind = (unsigned)kind;
		break;
	}
	case F_NAME: row->name = t; break;
	case F_SPACE: bad = !t || ipam__uuid_parse(row->space, t) != 0; break;
	case F_ADDR: bad = parse_addr(t, &row->addr); break;
	case F_LAST: bad = parse_addr(t, &row->last); break;
	case F_ID: bad = !t || ipam__uuid_parse(row->id, t) != 0; break;
	case F_CREATED: bad = parse_i64(t, &row->created); break;
	case F_REVISION: bad = parse_u64(t, &row->revision); break;
	case F_TENANT:
		if (t)
			bad = ipam__uuid_parse(row->tenant, t) != 0;
		break;
	case F_STATUS: bad = parse_small(t, &row->status); break;
	case F_POOL: bad = parse_small(t, &row->pool); break;
	case F_PURPOSE: bad = parse_small(t, &row->purpose); break;
	case F_MAC:
		if (t) {
			size_t n = strlen(t) / 2;
			if (n == 0 || n > 8 || strlen(t) != 2 * n || ipam__unhex(row->mac, n, t) != 0)
				bad = 1;
			else
				row->maclen = (uint8_t)n;
		}
		break;
	case F_DESC: row->description = t; break;
	case F_ATTRS: row->attrs = t; break;
	case F_VERSION: bad = parse_u64(t, &row->version); break;
	case F_UPDATED: bad = parse_i64(t, &row->updated); break;
	default: bad = 1; break;
	}
	return bad;
}

/* Fill `row` (zeroed, kind set) from the columns of result row `i`
 * starting at column `c0`. Strings point into the result. */
static int read_row(pgstore *s, PGresult *r, int i, int c0, ipam_store_row *row)
{
	const kind_desc *k = &kinds[row->kind];
	int bad = 0, c = c0;
	for (unsigned f = 0; f < k->nfield; f++, c++) {
		const char *t = PQgetisnull(r, i, c) ? NULL : PQgetvalue(r, i, c);
		if (k->f[f] == F_PREFIX) { /* host(prefix), masklen(prefix) */
			bad |= parse_addr(t, &row->addr);
			c++;
			const char *l = PQgetisnull(r, i, c) ? NULL : PQgetvalue(r, i, c);
			bad |= parse_small(l, &row->len);
		} else {
			bad |= field_set(row, k->f[f], t);
		}
	}
	if (bad)
		return ipam_store_error(IPAM_EBACKEND, "%s: a %s row is damaged (a column does not parse)", s->name,
			k->what);
	return 0;
}

/* ---- row images ------------------------------------------------------------
 *
 * Since schema 3 a PUT change record carries the row it wrote (`img`), so
 * that a writer catching up under the head reads the changes and the rows
 * in one statement (the feed's) instead of one statement per row kind.
 * An image is "1" (the format), then per parameter of the kind's row, in
 * put's order (kinds[].f, as row_params makes them), "-" for NULL or the
 * text's length in decimal, ":" and the text.
 *
 * An image is the row as of its change, so anything that changes a row
 * without a change record would make it stale: a bump. A prefix therefore
 * has no image (every allocation bumps its prefix): begin's statement looks
 * up the current row of each prefix the feed names by its key. Any
 * other bump (the db layer makes none; the store's contract allows them)
 * clears the image of the row's last change (IMG_CLEAR) and those of the
 * transaction's own changes of that row. A PUT change without an image
 * (written before schema 3, by an older libipam still running, or cleared)
 * makes begin read the rows of that kind from their table: one more round
 * trip, the same rows. */

static int image_encode(char **out, const params *p, unsigned n)
{
	ipam_buf b = IPAM_BUF_INIT;
	int e = ipam__buf_put(&b, "1", 1);
	for (unsigned i = 0; i < n && !e; i++) {
		if (!p->v[i]) {
			e = ipam__buf_put(&b, "-", 1);
		} else {
			size_t l = strlen(p->v[i]);
			e = ipam__buf_printf(&b, "%zu:", l) || ipam__buf_put(&b, p->v[i], l);
		}
	}
	if (e) {
		ipam_buf_dispose(&b);
		return ipam__enomem();
	}
	*out = b.ptr; /* NUL-terminated by ipam__buf_put */
	return 0;
}

int ipam__pg_image_decode(unsigned kind, const char *img, size_t len, ipam_store_row *row, char **scratch,
                          size_t *cap)
{
	memset(row, 0, sizeof *row);
	if (kind < 1 || kind > IPAM_STORE_KIND_MAX || kind == IPAM_STORE_PREFIX || !img || len < 1 || img[0] != '1')
		return 1;
	row->kind = kind;
	const kind_desc *k = &kinds[kind];
	if (*cap < len + 1) { /* the texts, each with its NUL, take no more than the image */
		char *p = realloc(*scratch, len + 1);
		if (!p)
			return ipam__enomem();
		*scratch = p;
		*cap = len + 1;
	}
	char *out = *scratch;
	const char *v[MAXF];
	size_t i = 1;
	for (unsigned f = 0; f < k->nfield; f++) {
		if (i >= len)
			return 1;
		if (img[i] == '-') {
			v[f] = NULL;
			i++;
			continue;
		}
		size_t l = 0, digits = 0;
		for (; i < len && img[i] >= '0' && img[i] <= '9' && digits < 10; i++, digits++)
			l = l * 10 + (size_t)(img[i] - '0');
		if (!digits || i >= len || img[i] != ':' || l > len - i - 1)
			return 1;
		i++;
		if (memchr(img + i, '\0', l))
			return 1;
		memcpy(out, img + i, l);
		out[l] = '\0';
		v[f] = out;
		out += l + 1;
		i += l;
	}
	if (i != len)
		return 1;
	int bad = 0;
	for (unsigned f = 0; f < k->nfield && !bad; f++)
		bad = field_set(row, k->f[f], v[f]);
	if (bad || row->kind != kind || ipam__store_check_key(row) != 0) {
		memset(row, 0, sizeof *row);
		return 1;
	}
	return 0;
}

/* "address 10.0.0.5 in space \"blue\"": the row's kind and key, for messages. */
static void row_name(pgstore *s, char *out, size_t size, const ipam_store_row *row)
{
	char space[80] = "";
	if (ipam__store_key_in_space(row->kind)) {
		char u[37];
		ipam__uuid_format(u, row->space);
		snprintf(space, sizeof space, "%s", u);
		/* Only outside a failed transaction can the name be looked up. */
		if (s->conn && PQtransactionStatus(s->conn) != PQTRANS_INERROR && !s->lost &&
		    PQstatus(s->conn) == CONNECTION_OK && prepare(s, S_SPACE_NAME) == 0) {
			const char *v[1] = { u };
			char nm[16];
			snprintf(nm, sizeof nm, "ipam%d", S_SPACE_NAME);
			PGresult *r = PQexecPrepared(s->conn, nm, 1, v, NULL, NULL, 0);
			if (r && PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
				snprintf(space, sizeof space, "\"%s\"", PQgetvalue(r, 0, 0));
			PQclear(r);
		}
	}
	ipam__store_key_words(out, size, row, space);
}

/* The shared checks, and the length a prefix row must have for INET. */
static int check_key(const ipam_store_row *row)
{
	int rc = ipam__store_check_key(row);
	if (!rc && row->kind == IPAM_STORE_PREFIX && row->len > (row->addr.family == IPAM_AF_INET ? 32 : 128))
		rc = ipam_store_error(IPAM_EINVAL, "store: a prefix of length %u", row->len);
	return rc;
}

/* ---- the catch-up cache ---------------------------------------------------- */

static void row_free_strings(ipam_store_row *r)
{
	free((char *)r->name);
	free((char *)r->description);
	free((char *)r->attrs);
	r->name = r->description = r->attrs = NULL;
}

static void cache_clear(pgstore *s)
{
	for (size_t i = 0; i < s->ncache; i++)
		row_free_strings(&s->cache[i].row);
	s->ncache = 0;
}

static int cache_cmp(const void *a, const void *b)
{
	return ipam__store_key_cmp(&((const cached_row *)a)->row, &((const cached_row *)b)->row);
}

static cached_row *cache_find(pgstore *s, const ipam_store_row *key)
{
	if (!s->ncache)
		return NULL;
	cached_row k;
	k.row = *key;
	return bsearch(&k, s->cache, s->ncache, sizeof *s->cache, cache_cmp);
}

static int dup_str(const char **dst, const char *src)
{
	*dst = NULL;
	if (!src)
		return 0;
	char *d = strdup(src);
	if (!d)
		return ipam__enomem();
	*dst = d;
	return 0;
}

/* Add a key (absent) to the unsorted cache. */
static int cache_add_key(pgstore *s, const ipam_store_row *key)
{
	if (s->ncache == s->ccache) {
		size_t c = s->ccache ? s->ccache * 2 : 64;
		cached_row *p = realloc(s->cache, c * sizeof *p);
		if (!p)
			return ipam__enomem();
		s->cache = p;
		s->ccache = c;
	}
	cached_row *e = &s->cache[s->ncache];
	memset(e, 0, sizeof *e);
	e->row.kind = key->kind;
	memcpy(e->row.space, key->space, 16);
	e->row.addr = key->addr;
	e->row.last = key->last;
	e->row.len = key->len;
	if (dup_str(&e->row.name, key->name))
		return IPAM_ENOMEM;
	s->ncache++;
	return 0;
}

/* Sort the cache and drop duplicate keys. */
static void cache_seal(pgstore *s)
{
	if (!s->ncache)
		return;
	qsort(s->cache, s->ncache, sizeof *s->cache, cache_cmp);
	size_t w = 1;
	for (size_t i = 1; i < s->ncache; i++) {
		if (cache_cmp(&s->cache[i], &s->cache[w - 1]) == 0)
			row_free_strings(&s->cache[i].row);
		else
			s->cache[w++] = s->cache[i];
	}
	s->ncache = w;
}

/* Fill the cache entry of a fetched row (owned copies of the strings). */
static int cache_fill(pgstore *s, const ipam_store_row *row)
{
	cached_row *e = cache_find(s, row);
	if (!e)
		return 0; /* not asked for */
	const char *name = NULL, *desc = NULL, *attrs = NULL;
	if (dup_str(&name, row->name) || dup_str(&desc, row->description) || dup_str(&attrs, row->attrs)) {
		free((char *)name);
		free((char *)desc);
		return IPAM_ENOMEM;
	}
	row_free_strings(&e->row);
	e->row = *row;
	e->row.name = name;
	e->row.description = desc;
	e->row.attrs = attrs;
	e->present = 1;
	return 0;
}

/* A cache entry as a row known to be gone (its key kept). */
static void entry_drop(cached_row *e)
{
	free((char *)e->row.description);
	free((char *)e->row.attrs);
	e->row.description = e->row.attrs = NULL;
	e->present = 0;
}

/* The cache entry of `key`, if any, as a row known to be gone. */
static void cache_drop(pgstore *s, const ipam_store_row *key)
{
	cached_row *e = cache_find(s, key);
	if (e)
		entry_drop(e);
}

/* The columns of S_PF_FEED (begin's feed). */
enum { FA_HEAD = 0, FA_CHG = 3, FA_IMG = 12, FA_PREFIX = 13, FA_N = 26 };

/* ---- pending writes ------------------------------------------------------- */

static void pending_clear(pgstore *s)
{
	for (size_t i = 0; i < s->nchg; i++) {
		free(s->chg[i].name);
		free(s->chg[i].img);
	}
	s->nchg = 0;
	for (size_t i = 0; i < s->naud; i++) {
		ipam_store_audit *e = &s->aud[i].e;
		free((char *)e->actor);
		free((char *)e->action);
		free((char *)e->object);
		free((char *)e->before);
		free((char *)e->after);
	}
	s->naud = 0;
}

/* A change of this transaction; `img` (may be NULL) its row image, owned
 * by the change from here on. */
static int change_add(pgstore *s, unsigned op, const ipam_store_row *row, char *img)
{
	if (s->nchg == s->cchg) {
		size_t c = s->cchg ? s->cchg * 2 : 16;
		pending_change *p = realloc(s->chg, c * sizeof *p);
		if (!p) {
			free(img);
			return ipam__enomem();
		}
		s->chg = p;
		s->cchg = c;
	}
	pending_change *c = &s->chg[s->nchg];
	memset(c, 0, sizeof *c);
	c->op = op;
	c->kind = row->kind;
	c->img = img;
	if (row->kind == IPAM_STORE_TENANT || row->kind == IPAM_STORE_SPACE) {
		if (!(c->name = strdup(row->name))) {
			free(img);
			c->img = NULL;
			return ipam__enomem();
		}
	} else if (IPAM_STORE_IS_OBJECT(row->kind)) {
		if (!(c->name = strdup(row->name))) {
			free(img);
			c->img = NULL;
			return ipam__enomem();
		}
		memcpy(c->space, row->space, 16);
	} else {
		memcpy(c->space, row->space, 16);
		c->addr = row->addr;
		c->last = row->last;
		c->len = row->len;
	}
	s->nchg++;
	return 0;
}

/* ---- late writes ----------------------------------------------------------------
 *
 * When libipam's db layer owns the store (st->owner), a new row
 * (IPAM_STORE_PUT_NEW) and a bump are not sent at once: they wait for the
 * next statement that needs an answer from the server, or for COMMIT, and
 * go in the same pipeline, so that an allocation holds the head for two
 * round trips instead of four. Their refusal (the row exists, the row to
 * bump does not) is then reported by that later call or by commit, as
 * IPAM_ECONFLICT: the db layer dooms a transaction on any store error
 * anyway, and under the head the index it allocated from is complete, so a
 * refusal means its view was stale. A store opened on its own (the
 * conformance suite) answers every call at once. */

/* Late writes kept before they are sent anyway (one round trip each batch). */
#define LATE_MAX 256

static void late_clear(pgstore *s)
{
	for (size_t i = 0; i < s->nlate; i++) {
		late_write *w = &s->late[i];
		for (int j = 0; j < w->n; j++)
			free(w->v[j]);
		free((char *)w->key.name);
	}
	s->nlate = 0;
}

/* Keep statement `id` with the first `n` parameters of `p` for later. */
static int late_add(pgstore *s, int id, const params *p, unsigned n, const ipam_store_row *row, int bump)
{
	int rc = prepare(s, id);
	if (rc)
		return rc;
	if (s->nlate == s->clate) {
		size_t c = s->clate ? s->clate * 2 : 16;
		late_write *q = realloc(s->late, c * sizeof *q);
		if (!q)
			return ipam__enomem();
		s->late = q;
		s->clate = c;
	}
	late_write *w = &s->late[s->nlate];
	memset(w, 0, sizeof *w);
	w->id = id;
	w->bump = bump;
	w->key.kind = row->kind;
	memcpy(w->key.space, row->space, 16);
	w->key.addr = row->addr;
	w->key.last = row->last;
	w->key.len = row->len;
	int bad = dup_str(&w->key.name, row->name) != 0;
	for (unsigned j = 0; j < n && !bad; j++, w->n++)
		bad = p->v[j] && !(w->v[j] = strdup(p->v[j]));
	s->nlate++; /* freed by late_clear also when a copy failed */
	if (bad)
		return ipam__enomem();
	return s->nlate >= LATE_MAX ? late_flush(s) : 0;
}

/* Send the late writes (in pipeline mode): how many, or -1. */
static int late_send(pgstore *s)
{
	for (size_t i = 0; i < s->nlate; i++) {
		late_write *w = &s->late[i];
		if (!send_prep(s, w->id, w->n, (const char *const *)w->v))
			return -1;
	}
	return (int)s->nlate;
}

/* The error of late write `i`, from its failed result (cleared). */
static int late_fail(pgstore *s, size_t i, PGresult *r)
{
	const late_write *w = &s->late[i];
	const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	if (state && !strcmp(state, "22012") && w->bump && !conn_lost(s)) {
		PQclear(r);
		char name[256];
		row_name(s, name, sizeof name, &w->key);
		return ipam_store_error(IPAM_ECONFLICT, "%s was removed by another writer meanwhile (found when the "
			"transaction's writes reached the server); run the transaction again", name);
	}
	int rc = fail(s, r, w->bump ? "bump" : "put", &w->key);
	if (rc == IPAM_EEXISTS) {
		char msg[512]; /* the message is rewritten from itself: copy it first */
		snprintf(msg, sizeof msg, "%s", ipam_error_last()->message);
		rc = ipam_store_error(IPAM_ECONFLICT, "%s (found when the transaction's writes reached the server: "
			"another writer's, or this process's view was stale); run the transaction again", msg);
	}
	return rc;
}

/* Read the results of `n` statements sent in pipeline mode, and the sync:
 * the first failed result (kept; *bad_at its index). 1 when the
 * connection went before the end. */
static int pipe_read(pgstore *s, int n, PGresult **first_bad, int *bad_at)
{
	PGconn *c = s->conn;
	*first_bad = NULL;
	*bad_at = -1;
	for (int i = 0; i < n; i++) {
		PGresult *r;
		int got = 0;
		while ((r = PQgetResult(c)) != NULL) {
			got = 1;
			ExecStatusType st = PQresultStatus(r);
			if (st == PGRES_PIPELINE_ABORTED || st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
				PQclear(r);
			} else if (!*first_bad) {
				*first_bad = r;
				*bad_at = i;
			} else {
				PQclear(r);
			}
		}
		if (!got && conn_lost(s))
			return 1;
	}
	PGresult *r = PQgetResult(c); /* PGRES_PIPELINE_SYNC */
	int cut = !r && conn_lost(s);
	PQclear(r);
	return cut;
}

/* Send the late writes now, in one round trip. */
static int late_flush(pgstore *s)
{
	if (!s->nlate)
		return 0;
	PGconn *c = s->conn;
	if (!PQenterPipelineMode(c)) {
		late_clear(s);
		return fail(s, NULL, "put", NULL);
	}
	int sent = late_send(s);
	int synced = sent >= 0 && PQpipelineSync(c);
	PGresult *bad = NULL;
	int bad_at = -1, cut = synced ? pipe_read(s, sent, &bad, &bad_at) : 0;
	if (!conn_lost(s))
		PQexitPipelineMode(c);
	int rc = 0;
	if (bad && !cut)
		rc = late_fail(s, (size_t)bad_at, bad);
	else if (bad || cut || !synced)
		rc = fail(s, bad, "put", NULL);
	late_clear(s);
	return rc;
}

/* ---- the change feed and the rows it names ---------------------------------- */

static void feed_free(feed_item *v, size_t n);

/* Fill the cache from a result of rows of `kind` (get's columns). */
static int rows_to_cache(pgstore *s, PGresult *r, unsigned kind)
{
	int rc = 0, n = PQntuples(r);
	for (int i = 0; i < n && !rc; i++) {
		ipam_store_row row;
		memset(&row, 0, sizeof row);
		row.kind = kind;
		if (!(rc = read_row(s, r, i, 0, &row)))
			rc = cache_fill(s, &row);
	}
	return rc;
}

/* Rows of the change feed (CHG_SCAN's columns, from column c0 on; a row
 * whose revision is NULL has none: begin's feed when nothing changed)
 * appended to *v. */
static int feed_parse(pgstore *s, PGresult *r, int c0, feed_item **v, size_t *nv, size_t *cv, uint64_t *last_n)
{
	int rc = 0, n = PQntuples(r);
	for (int i = 0; i < n && !rc; i++) {
		if (PQgetisnull(r, i, c0))
			continue;
		if (*nv == *cv) {
			size_t c = *cv ? *cv * 2 : 64;
			feed_item *p = realloc(*v, c * sizeof *p);
			if (!p)
				return ipam__enomem();
			*v = p;
			*cv = c;
		}
		feed_item *f = &(*v)[*nv];
		memset(f, 0, sizeof *f);
		uint64_t nn, op, kind;
		int bad = parse_u64(PQgetvalue(r, i, c0 + 0), &f->c.revision) || parse_u64(PQgetvalue(r, i, c0 + 1), &nn) ||
		          parse_u64(PQgetvalue(r, i, c0 + 2), &op) || parse_u64(PQgetvalue(r, i, c0 + 3), &kind) ||
		          kind < 1 || kind > IPAM_STORE_KIND_MAX || (op != IPAM_STORE_PUT && op != IPAM_STORE_DEL);
		if (!bad) {
			f->c.op = (unsigned)op;
			f->c.key.kind = (unsigned)kind;
			if (kind == IPAM_STORE_TENANT || kind == IPAM_STORE_SPACE) {
				bad = PQgetisnull(r, i, c0 + 4);
				if (!bad && !(f->c.key.name = strdup(PQgetvalue(r, i, c0 + 4))))
					return ipam__enomem();
			} else if (IPAM_STORE_IS_OBJECT(kind)) {
				bad = PQgetisnull(r, i, c0 + 4) || PQgetisnull(r, i, c0 + 5) ||
				      ipam__uuid_parse(f->c.key.space, PQgetvalue(r, i, c0 + 5));
				if (!bad && !(f->c.key.name = strdup(PQgetvalue(r, i, c0 + 4))))
					return ipam__enomem();
			} else {
				bad = PQgetisnull(r, i, c0 + 5) || ipam__uuid_parse(f->c.key.space, PQgetvalue(r, i, c0 + 5)) ||
				      parse_addr(PQgetvalue(r, i, c0 + 6), &f->c.key.addr);
				if (!bad && kind == IPAM_STORE_RANGE)
					bad = parse_addr(PQgetvalue(r, i, c0 + 7), &f->c.key.last);
				if (!bad && kind == IPAM_STORE_PREFIX)
					bad = parse_small(PQgetvalue(r, i, c0 + 8), &f->c.key.len);
			}
		}
		if (bad) {
			free((char *)f->c.key.name);
			return ipam_store_error(IPAM_EBACKEND, "%s: a change row is damaged", s->name);
		}
		f->n = nn;
		(*nv)++;
		*last_n = nn;
	}
	return rc;
}

/* The keys of the feed's PUT changes into the (cleared) cache; which kinds. */
static int cache_keys(pgstore *s, const feed_item *v, size_t nv, unsigned *kinds_seen)
{
	cache_clear(s);
	if (kinds_seen)
		*kinds_seen = 0;
	for (size_t i = 0; i < nv; i++) {
		if (v[i].c.op == IPAM_STORE_PUT) {
			unsigned k = v[i].c.key.kind;
			if (kinds_seen)
				*kinds_seen |= 1u << kind_slot(k);
			int rc = cache_add_key(s, &v[i].c.key);
			if (rc)
				return rc;
		}
	}
	cache_seal(s);
	return 0;
}

/* Begin's feed (`r`: S_PF_FEED's columns; its changes are s->pf[0 ...])
 * into the cache (keys made by cache_keys), oldest first, so that the
 * last change of a key is what the cache holds: the row images, and the
 * prefix rows (which have none; each PUT of a prefix comes with the row as
 * it is now). The kinds whose rows must be read from their tables instead
 * (bits of kind_slot: a PUT without a usable image) go to *need, their
 * entries left absent until then (see "row images"). */
static int feed_rows(pgstore *s, PGresult *r, unsigned *need)
{
	int n = PQntuples(r);
	*need = 0;
	for (int i = 0, k = 0; i < n; i++) {
		if (PQgetisnull(r, i, FA_CHG))
			continue;
		const ipam_store_change *c = &s->pf[k++].c;
		if (c->op == IPAM_STORE_PUT && c->key.kind != IPAM_STORE_PREFIX && PQgetisnull(r, i, FA_IMG))
			*need |= 1u << kind_slot(c->key.kind);
	}
	for (int i = 0, k = 0; i < n; i++) {
		if (PQgetisnull(r, i, FA_CHG))
			continue;
		const ipam_store_change *c = &s->pf[k++].c;
		unsigned bit = 1u << kind_slot(c->key.kind);
		if (*need & bit)
			continue;
		if (c->op == IPAM_STORE_DEL) {
			cache_drop(s, &c->key);
			continue;
		}
		ipam_store_row row;
		int rc;
		if (c->key.kind == IPAM_STORE_PREFIX) {
			if (PQgetisnull(r, i, FA_PREFIX)) /* gone since */
				continue;
			memset(&row, 0, sizeof row);
			row.kind = IPAM_STORE_PREFIX;
			if ((rc = read_row(s, r, i, FA_PREFIX, &row)) || (rc = cache_fill(s, &row)))
				return rc;
			continue;
		}
		rc = ipam__pg_image_decode(c->key.kind, PQgetvalue(r, i, FA_IMG), (size_t)PQgetlength(r, i, FA_IMG), &row,
			&s->imgbuf, &s->imgcap);
		if (rc < 0)
			return rc;
		if (rc > 0 || ipam__store_key_cmp(&row, &c->key) != 0) /* not this change's row: read the table */
			*need |= bit;
		else if ((rc = cache_fill(s, &row)))
			return rc;
	}
	for (size_t i = 0; *need && i < s->ncache; i++)
		if (*need & (1u << kind_slot(s->cache[i].row.kind)))
			entry_drop(&s->cache[i]);
	return 0;
}

/* The rows named by the PUT changes of `kind` after revision $1 (up to $2). */
/* Driven by the (few) changes, each row looked up by its key: the planner
 * picks a nested loop over the primary keys. A row changed twice comes
 * twice (the cache keeps one). */
#define PF_WHERE(k) " WHERE c.revision > %s AND c.revision <= %s AND c.kind = " k " AND c.op = 1"
#define PF_TENANT "SELECT " T_SEL " FROM ipam_changes c JOIN ipam_tenants t ON t.name = c.name" PF_WHERE("1")
#define PF_SPACE "SELECT " SP_SEL " FROM ipam_changes c JOIN ipam_spaces t ON t.name = c.name" PF_WHERE("2")
#define PF_PREFIX "SELECT " P_SEL " FROM ipam_changes c JOIN ipam_prefixes t ON t.space = c.space" \
	" AND t.prefix = c.addr" PF_WHERE("3")
#define PF_RANGE "SELECT " R_SEL " FROM ipam_changes c JOIN ipam_ranges t ON t.space = c.space" \
	" AND t.addr = c.addr AND t.last = c.last" PF_WHERE("4")
#define PF_ADDRESS "SELECT " A_SEL " FROM ipam_changes c JOIN ipam_addresses t ON t.space = c.space" \
	" AND t.addr = c.addr" PF_WHERE("5")
#define PF_OBJECT "SELECT " O_SEL " FROM ipam_changes c JOIN ipam_objects t ON t.kind = c.kind" \
	" AND t.parent = c.space AND t.name = c.name" \
	" WHERE c.revision > %s AND c.revision <= %s AND c.kind >= 6 AND c.op = 1"

/* The row query of `kind` for changes in (since, upto] (numbers or "$n"). */
static int pf_format(ipam_buf *b, unsigned kind, const char *since, const char *upto)
{
	switch (kind) {
	case IPAM_STORE_TENANT: return ipam__buf_printf(b, PF_TENANT, since, upto);
	case IPAM_STORE_SPACE: return ipam__buf_printf(b, PF_SPACE, since, upto);
	case IPAM_STORE_PREFIX: return ipam__buf_printf(b, PF_PREFIX, since, upto);
	case IPAM_STORE_RANGE: return ipam__buf_printf(b, PF_RANGE, since, upto);
	case IPAM_STORE_ADDRESS: return ipam__buf_printf(b, PF_ADDRESS, since, upto);
	default: return ipam__buf_printf(b, PF_OBJECT, since, upto);
	}
}

/* ---- transactions ----------------------------------------------------------- */

static void feed_free(feed_item *v, size_t n);

static void tx_reset(pgstore *s)
{
	feed_free(s->pf, s->npf);
	s->pf = NULL;
	s->npf = 0;
	s->pf_valid = 0;
	s->tx = TX_NONE;
	s->lost = 0;
	s->tx_rev = 0;
	s->tx_wrote = 0;
	pending_clear(s);
	late_clear(s);
	cache_clear(s);
}

/* Connect again, trying until `deadline` (ms since the epoch). */
static int reconnect(pgstore *s, int64_t deadline, const char *what)
{
	for (unsigned delay = 50;; delay = delay < 800 ? delay * 2 : 1000) {
		PQreset(s->conn);
		if (PQstatus(s->conn) == CONNECTION_OK) {
			memset(s->prepared, 0, sizeof s->prepared);
			s->nmerged = 0;
			s->reconnects++;
			s->check_hist = 1;
			return 0;
		}
		int64_t left = deadline - now_ms();
		if (left <= 0) {
			char msg[512];
			pq_msg(msg, sizeof msg, PQerrorMessage(s->conn));
			return ipam_store_error(IPAM_EBACKEND, "%s: %s: cannot reach the server (%s)", s->name, what, msg);
		}
		sleep_ms(left < (int64_t)delay ? (unsigned)left : delay);
	}
}

/* How a writer takes the head. PostgreSQL: LOCK TABLE before the first
 * query, so that the transaction's snapshot is taken after the lock is
 * granted (PostgreSQL documents this for REPEATABLE READ and
 * SERIALIZABLE): writers queue in the lock manager and none of them fails.
 * (SELECT ... FOR UPDATE takes the snapshot first: every writer waiting
 * while another commits gets 40001 and must start again; measured with 12
 * writers: 8.5 such restarts per commit and a third of the throughput.)
 * CockroachDB has no LOCK TABLE; there SELECT ... FOR UPDATE as the first
 * statement queues the writer, and after the wait CockroachDB moves the
 * transaction's read timestamp forward (it has read nothing else yet), so
 * it does not restart either. The SHARE ROW EXCLUSIVE mode conflicts with
 * itself and with writes to the head, not with readers. */

/* Changes begin fetches along, and the revisions they may span (more: the
 * db layer's own query pages them). */
#define PF_MAX 1000

/* Send begin's statements in one pipeline: BEGIN, the lock (PostgreSQL),
 * the head, and, when this store began or committed before, the change
 * feed of the PF_MAX revisions after that one and their rows (so that the
 * catch-up the db layer does next costs no round trip). Returns how many
 * statements were sent, or -1. */
static int begin_send(pgstore *s, int write, const char *since)
{
	/* the last one is PostgreSQL's alone (CockroachDB has no LOCK TABLE) */
	static const int ids[] = { S_HEAD_GET, S_HEAD_LOCK, S_BEGIN_RW, S_BEGIN_RO, S_PF_FEED, S_SYNC_OFF, S_LOCK_HEAD };
	for (size_t i = 0; i < sizeof ids / sizeof *ids - (s->crdb ? 2 : 0); i++)
		if (prepare(s, ids[i]))
			return -1;
	PGconn *c = s->conn;
	if (!PQenterPipelineMode(c))
		return -1;
	int n = 0;
	char upto[24];
	snprintf(upto, sizeof upto, "%" PRIu64, s->seen_rev + PF_MAX);
	const char *v[2] = { since, upto };
	/* CockroachDB before 22.2 ignored the options of a prepared BEGIN
	 * (cockroachdb/cockroach#87047): there it goes as text */
	int begin = write ? S_BEGIN_RW : S_BEGIN_RO;
	int ok = s->crdb ? PQsendQueryParams(c, sql_text[begin], 0, NULL, NULL, NULL, NULL, 0)
	                 : send_prep(s, begin, 0, NULL);
	n += ok;
	/* the group commit's setting (see commit_write), before the lock */
	if (ok && write && !s->crdb)
		n += ok = send_prep(s, S_SYNC_OFF, 0, NULL);
	if (ok && write && !s->crdb)
		n += ok = send_prep(s, S_LOCK_HEAD, 0, NULL);
	/* CockroachDB: the head FOR UPDATE first, to queue behind writers */
	if (ok && write && s->crdb)
		n += ok = send_prep(s, S_HEAD_LOCK, 0, NULL);
	/* the head, and the changes with their rows in the same statement */
	if (ok && !since && !(write && s->crdb))
		n += ok = send_prep(s, S_HEAD_GET, 0, NULL);
	if (ok && since)
		n += ok = send_prep(s, S_PF_FEED, 2, v);
	if (!PQpipelineSync(c) || !ok)
		return -1;
	return n;
}

static int prefetch(pgstore *s, unsigned kind, uint64_t since, uint64_t upto);

/* Read begin's results: the head (alone, or with the feed: S_PF_FEED). */
static int begin_recv(pgstore *s, int nsent, int with_feed, int *busy, int *gone, PGresult **bad)
{
	PGconn *c = s->conn;
	int rc = 0, rows_seen = 0;
	size_t cv = 0;
	uint64_t last_n = 0;
	unsigned need = 0;
	int complete = with_feed;
	*bad = NULL;
	for (int i = 0; i < nsent; i++) {
		PGresult *r;
		int got = 0;
		while ((r = PQgetResult(c)) != NULL) {
			got = 1;
			ExecStatusType st = PQresultStatus(r);
			if (st == PGRES_PIPELINE_ABORTED || st == PGRES_COMMAND_OK) {
				PQclear(r);
				continue;
			}
			if (st != PGRES_TUPLES_OK) {
				if (!*bad)
					*bad = r;
				else
					PQclear(r);
				continue;
			}
			if (*bad || rc) {
				PQclear(r);
				continue;
			}
			/* the head: the first columns of either statement */
			uint64_t rev = 0, seq = 0;
			int feed = PQnfields(r) == FA_N;
			if (PQntuples(r) < 1 || (!feed && PQntuples(r) != 1) || parse_u64(PQgetvalue(r, 0, 0), &rev) ||
			    parse_u64(PQgetvalue(r, 0, 1), &seq) || strlen(PQgetvalue(r, 0, 2)) != 64 ||
			    ipam__unhex(s->head_hash, 32, PQgetvalue(r, 0, 2)))
				rc = ipam_store_error(IPAM_EBACKEND, "%s: the table ipam_head is damaged", s->name);
			s->head_rev = rev;
			s->head_seq = seq;
			if (rev > s->pf_since + PF_MAX) /* the feed reaches only that far */
				complete = 0;
			if (!rc && feed) { /* the changes, with their rows */
				rc = feed_parse(s, r, FA_CHG, &s->pf, &s->npf, &cv, &last_n);
				if (!rc && s->npf > PF_MAX)
					complete = 0;
				for (size_t k = 1; !rc && complete && k < s->npf; k++) /* in (revision, n) order */
					if (s->pf[k].c.revision < s->pf[k - 1].c.revision ||
					    (s->pf[k].c.revision == s->pf[k - 1].c.revision && s->pf[k].n <= s->pf[k - 1].n))
						complete = 0;
				if (!rc && complete)
					rc = cache_keys(s, s->pf, s->npf, NULL);
				if (!rc && complete)
					rc = feed_rows(s, r, &need);
			}
			rows_seen++;
			PQclear(r);
		}
		if (!got && conn_lost(s))
			break;
	}
	PGresult *sync = PQgetResult(c);
	int synced = sync && PQresultStatus(sync) == PGRES_PIPELINE_SYNC;
	PQclear(sync);
	if (!conn_lost(s))
		PQexitPipelineMode(c);
	if (*bad || !synced || rows_seen == 0) {
		const char *state = *bad ? PQresultErrorField(*bad, PG_DIAG_SQLSTATE) : NULL;
		*busy = state && (!strcmp(state, "40001") || !strcmp(state, "40P01"));
		*gone = state_is_gone(state) || conn_lost(s);
		return -1;
	}
	/* the rows of kinds whose changes came without usable images: from
	 * their tables, as changes() reads them (rare: see "row images") */
	for (unsigned k = 1; !rc && complete && need && k <= IPAM_STORE_OBJECT_MIN; k++)
		if (need & (1u << k))
			rc = prefetch(s, k, s->pf_since, s->head_rev);
	if (!rc && complete) {
		s->pf_valid = 1;
	} else {
		feed_free(s->pf, s->npf);
		s->pf = NULL;
		s->npf = 0;
		cache_clear(s);
	}
	return rc;
}

static void hist_set(pgstore *s, uint64_t rev, uint64_t seq, const uint8_t hash[32])
{
	s->hist_valid = 1;
	s->hist_rev = rev;
	s->hist_seq = seq;
	memcpy(s->hist_hash, hash, 32);
}

/* After a reconnect: is the history this process read still the server's?
 * (head_rev, head_seq: the server's head now.) When it is not, the
 * revisions it saw are gone or were taken again by other commits: the db
 * layer must rebuild its index (s->diverged, reported by revision()). */
static int hist_check(pgstore *s, uint64_t head_rev, uint64_t head_seq)
{
	s->check_hist = 0;
	if (!s->hist_valid)
		return 0;
	int lost = head_rev < s->hist_rev || head_seq < s->hist_seq;
	if (!lost && s->hist_seq) {
		char t[24];
		snprintf(t, sizeof t, "%" PRIu64, s->hist_seq);
		const char *v[1] = { t };
		PGresult *r;
		int rc = run(s, S_AUDIT_AT, 1, v, &r, "begin", NULL);
		if (rc) {
			s->check_hist = 1;
			return rc;
		}
		char h[65];
		ipam__hex(h, s->hist_hash, 32);
		lost = PQntuples(r) != 1 || strcmp(PQgetvalue(r, 0, 0), h) != 0;
		PQclear(r);
	}
	if (lost) {
		s->diverged = 1;
		s->seen_valid = 0;
		s->hist_valid = 0;
	}
	return 0;
}

static void pg_rollback(ipam_store *st);

/* A write transaction's id for its commit marker: a UUIDv7 (RFC 9562),
 * time first, so that ipam_commits' primary key grows at its right edge
 * instead of splitting pages all over an index of one entry per commit. */
static void new_txid(uint8_t id[16])
{
	randombytes_buf(id, 16);
	uint64_t ms = (uint64_t)ipam__now_us() / 1000;
	for (int i = 0; i < 6; i++)
		id[i] = (uint8_t)(ms >> (40 - 8 * i));
	id[6] = (uint8_t)(0x70 | (id[6] & 0x0f));
	id[8] = (uint8_t)(0x80 | (id[8] & 0x3f));
}

static int pg_begin(ipam_store *st, int write)
{
	pgstore *s = P(st);
	if (s->tx != TX_NONE)
		return ipam_store_error(IPAM_EINVAL, "%s: a transaction is already open", s->name);
	int64_t deadline = now_ms() + s->busy_ms;
	int rc = 0;
	for (;;) {
		rc = 0;
		if (conn_lost(s) && (rc = reconnect(s, deadline, "begin")))
			break;
		tx_reset(s);
		char since[24];
		snprintf(since, sizeof since, "%" PRIu64, s->seen_rev);
		int with_feed = s->seen_valid;
		int busy = 0, gone = 0;
		PGresult *bad = NULL;
		int n = begin_send(s, write, with_feed ? since : NULL);
		if (n < 0) {
			gone = conn_lost(s);
			if (!gone) {
				rc = fail(s, NULL, "begin", NULL);
				if (PQpipelineStatus(s->conn) != PQ_PIPELINE_OFF) {
					while ((bad = PQgetResult(s->conn)) != NULL)
						PQclear(bad);
					PQexitPipelineMode(s->conn);
				}
				PQclear(PQexec(s->conn, "ROLLBACK"));
				break;
			}
			rc = -1;
		} else {
			s->pf_since = s->seen_rev;
			rc = begin_recv(s, n, with_feed, &busy, &gone, &bad);
		}
		if (rc == 0) {
			s->fresh_valid = 0;
			s->tx = write ? TX_WRITE : TX_READ;
			if (s->check_hist && (rc = hist_check(s, s->head_rev, s->head_seq))) {
				pg_rollback(st);
				break;
			}
			if (s->diverged) { /* what begin fetched continues a history that is gone */
				feed_free(s->pf, s->npf);
				s->pf = NULL;
				s->npf = 0;
				s->pf_valid = 0;
				cache_clear(s);
			}
			s->seen_rev = s->head_rev;
			s->seen_valid = 1;
			hist_set(s, s->head_rev, s->head_seq, s->head_hash);
			if (write)
				new_txid(s->txid);
			break;
		}
		if (rc != -1) { /* a damaged head or row, or no memory */
			PQclear(PQexec(s->conn, "ROLLBACK"));
			tx_reset(s);
			break;
		}
		if ((busy || gone) && now_ms() < deadline) {
			PQclear(bad);
			if (busy) {
				/* Another writer committed while we waited for the head
				 * (CockroachDB, rarely): nothing was done yet; start again
				 * with a fresh snapshot. */
				s->lock_waits++;
				PQclear(PQexec(s->conn, "ROLLBACK"));
			}
			continue;
		}
		rc = fail(s, bad, "begin", NULL);
		if (!conn_lost(s))
			PQclear(PQexec(s->conn, "ROLLBACK"));
		tx_reset(s);
		if (busy)
			rc = ipam_store_error(IPAM_ECONFLICT, "%s: begin: other writers held the database past the busy timeout (%u ms)",
				s->name, s->busy_ms);
		break;
	}
	return rc;
}

static void pg_rollback(ipam_store *st)
{
	pgstore *s = P(st);
	if (s->conn && PQstatus(s->conn) == CONNECTION_OK && PQtransactionStatus(s->conn) != PQTRANS_IDLE)
		PQclear(PQexec(s->conn, "ROLLBACK"));
	tx_reset(s);
}

/* After the connection broke with COMMIT in flight: did it commit? */
static int commit_outcome(pgstore *s)
{
	char tid[37];
	ipam__uuid_format(tid, s->txid);
	int saved_tx = s->tx;
	s->tx = TX_NONE; /* what follows runs outside the (gone) transaction */
	s->lost = 0;
	int rc = reconnect(s, now_ms() + s->busy_ms, "commit");
	if (rc) {
		s->tx = saved_tx;
		return ipam_store_error(IPAM_EBACKEND,
			"%s: the connection was lost during COMMIT and the server cannot be reached again: whether "
			"transaction %s was committed is unknown", s->name, tid);
	}
	const char *v[1] = { tid };
	PGresult *r;
	if ((rc = run(s, S_COMMIT_FIND, 1, v, &r, "commit", NULL))) {
		s->tx = saved_tx;
		return ipam_store_error(IPAM_EBACKEND,
			"%s: the connection was lost during COMMIT and checking the outcome failed: whether transaction "
			"%s was committed is unknown", s->name, tid);
	}
	int found = PQntuples(r) == 1;
	PQclear(r);
	s->tx = saved_tx;
	if (found)
		return 0;
	return ipam_store_error(IPAM_ECONFLICT,
		"%s: the connection was lost during COMMIT; the transaction was not committed; run it again", s->name);
}

/* After an asynchronous COMMIT: a transaction that writes (its own commit
 * marker, again: nobody else touches that row) and commits synchronously:
 * one statement in an implicit transaction (no BEGIN and COMMIT of its own).
 * Its commit record follows ours in the WAL, so when it returns ours is on
 * disk too; the flushes of writers that commit at about the same time are
 * one fsync (PostgreSQL's group commit). It must write a row: a transaction
 * that wrote no WAL of its own commits without waiting for the flush. */
static const int flush_ids[] = { S_FLUSH_MARK };

/* The 10 parameters of this transaction's change record `i` (its n is
 * i + 1) in v, their text in t. */
static void chg_params(const pgstore *s, size_t i, const char **v, char (*t)[80])
{
	const pending_change *pc = &s->chg[i];
	for (int k = 0; k < 10; k++)
		v[k] = NULL;
	v[9] = pc->img;
	snprintf(t[0], 80, "%" PRIu64, s->tx_rev);
	snprintf(t[1], 80, "%zu", i + 1);
	snprintf(t[2], 80, "%u", pc->op);
	snprintf(t[3], 80, "%u", pc->kind);
	for (int k = 0; k < 4; k++)
		v[k] = t[k];
	if (IPAM_STORE_IS_OBJECT(pc->kind)) {
		v[4] = pc->name;
		ipam__uuid_format(t[5], pc->space);
		v[5] = t[5];
	} else if (pc->name) {
		v[4] = pc->name;
	} else {
		ipam__uuid_format(t[5], pc->space);
		v[5] = t[5];
		ipam__store_addr_text(t[6], &pc->addr);
		if (pc->kind == IPAM_STORE_PREFIX) /* the network with its length, as in ipam_prefixes */
			snprintf(t[6] + strlen(t[6]), 8, "/%u", pc->len);
		v[6] = t[6];
		if (pc->kind == IPAM_STORE_RANGE) {
			ipam__store_addr_text(t[7], &pc->last);
			v[7] = t[7];
		}
		if (pc->kind == IPAM_STORE_PREFIX) {
			snprintf(t[8], 80, "%u", pc->len);
			v[8] = t[8];
		}
	}
}

/* The 9 parameters of audit entry `e` in v, their text in t. */
static void audit_params(const ipam_store_audit *e, const char **v, char (*t)[80])
{
	snprintf(t[0], 80, "%" PRIu64, e->seq);
	snprintf(t[1], 80, "%" PRId64, e->time);
	ipam__hex(t[7], e->prev, 32);
	ipam__hex(t[8], e->hash, 32);
	v[0] = t[0];
	v[1] = t[1];
	v[2] = e->actor;
	v[3] = e->action;
	v[4] = e->object;
	v[5] = e->before;
	v[6] = e->after;
	v[7] = t[7];
	v[8] = t[8];
}

/* ---- the one-statement commit ---------------------------------------------
 *
 * The usual write transaction (an allocation: the new row and its prefix's
 * bump, one change record, one audit entry) sends its late writes and
 * S_COMMIT_ONE as a single statement: every write a data-modifying WITH
 * clause, and the head's UPDATE last, which divides by the rows each bump
 * changed (SQLSTATE 22012 when a bumped row is gone), so that one statement
 * executes under the head instead of three. The clauses share one snapshot
 * and do not see each other's rows, so a transaction whose bump names a row
 * one of its own late inserts makes is sent as separate statements. */

/* Append `sql` with its parameters $k renumbered $(k + off). */
static int sql_shift(ipam_buf *b, const char *sql, int off)
{
	while (*sql) {
		const char *d = strchr(sql, '$');
		if (!d)
			return ipam__buf_put(b, sql, strlen(sql));
		if (ipam__buf_put(b, sql, (size_t)(d - sql)))
			return IPAM_ENOMEM;
		char *end;
		long k = strtol(d + 1, &end, 10);
		if (ipam__buf_printf(b, "$%ld", k + off))
			return IPAM_ENOMEM;
		sql = end;
	}
	return 0;
}

/* Can this transaction's late writes go into one statement? */
static int merge_ok(const pgstore *s)
{
	if (s->nlate < 1 || s->nlate > MERGE_MAX)
		return 0;
	for (size_t i = 0; i < s->nlate; i++) /* a bump of a row inserted alongside */
		for (size_t j = 0; s->late[i].bump && j < s->nlate; j++)
			if (!s->late[j].bump && ipam__store_key_cmp(&s->late[i].key, &s->late[j].key) == 0)
				return 0;
	return 1;
}

/* The one-statement commit for this transaction's late writes, prepared:
 * its index in s->merged, or -1 when there is no room (or it failed: the
 * separate statements are used). */
static int merged_prepare(pgstore *s)
{
	for (int m = 0; m < s->nmerged; m++) {
		if (s->merged[m].n != (int)s->nlate)
			continue;
		int same = 1;
		for (size_t i = 0; i < s->nlate && same; i++)
			same = s->merged[m].ids[i] == s->late[i].id;
		if (same)
			return m;
	}
	if (s->nmerged == MERGE_SHAPES)
		return -1;
	ipam_buf sql = IPAM_BUF_INIT;
	int e = ipam__buf_put(&sql, "WITH ", 5), off = 0;
	for (size_t i = 0; i < s->nlate && !e; i++) {
		const late_write *w = &s->late[i];
		int slot = (w->id - S_LATE0) / 2;
		const char *base = sql_text[S_KIND0 + slot * K_N + (w->bump ? K_BUMP : K_INS)];
		static const char tail[] = " ON CONFLICT DO NOTHING";
		ipam_buf one = IPAM_BUF_INIT;
		e = w->bump ? ipam__buf_printf(&one, "%s RETURNING 1", base)
		            : ipam__buf_printf(&one, "%.*s", (int)(strlen(base) - (sizeof tail - 1)), base);
		e = e || ipam__buf_printf(&sql, "l%zu AS (", i) || sql_shift(&sql, one.ptr, off) ||
		    ipam__buf_put(&sql, "), ", 3);
		ipam_buf_dispose(&one);
		off += w->n;
	}
	/* S_COMMIT_ONE without its WITH, then the bumps' checks */
	e = e || sql_shift(&sql, sql_text[S_COMMIT_ONE] + 5, off);
	for (size_t i = 0; i < s->nlate && !e; i++)
		if (s->late[i].bump)
			e = ipam__buf_printf(&sql, " AND (SELECT 1 / count(*) FROM l%zu) = 1", i);
	if (e) {
		ipam_buf_dispose(&sql);
		return -1;
	}
	char nm[24];
	snprintf(nm, sizeof nm, "ipamm%d", s->nmerged);
	PGresult *r = PQprepare(s->conn, nm, sql.ptr, 0, NULL);
	ipam_buf_dispose(&sql);
	int ok = r && PQresultStatus(r) == PGRES_COMMAND_OK;
	PQclear(r);
	if (!ok)
		return -1;
	int m = s->nmerged++;
	s->merged[m].n = (int)s->nlate;
	for (size_t i = 0; i < s->nlate; i++)
		s->merged[m].ids[i] = s->late[i].id;
	return m;
}

/* The error of a failed one-statement commit (`r`, cleared): the late
 * write it names when there is one (the table of a unique or foreign-key
 * violation, the only bump), else the commit's. */
static int merged_fail(pgstore *s, PGresult *r)
{
	const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	const char *table = r ? PQresultErrorField(r, PG_DIAG_TABLE_NAME) : NULL;
	int bump = state && !strcmp(state, "22012");
	long which = -1;
	for (size_t i = 0; i < s->nlate; i++) {
		const late_write *w = &s->late[i];
		int match = bump ? w->bump : !w->bump && table && !strcmp(table, kinds[w->key.kind].table);
		if (match)
			which = which == -1 ? (long)i : -2;
	}
	if (which >= 0)
		return late_fail(s, (size_t)which, r);
	if (which == -2 && !bump) { /* two new rows in one table: the server's words say which */
		char msg[512];
		const char *detail = PQresultErrorField(r, PG_DIAG_MESSAGE_DETAIL);
		pq_msg(msg, sizeof msg, detail ? detail : PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY));
		PQclear(r);
		return ipam_store_error(IPAM_ECONFLICT, "%s: a row this transaction writes to %s was refused (%s; found "
			"when the transaction's writes reached the server: another writer's, or this process's view was "
			"stale); run the transaction again", s->name, table, msg);
	}
	if (bump) {
		PQclear(r);
		return ipam_store_error(IPAM_ECONFLICT, "%s: a row this transaction bumps was removed by another writer "
			"meanwhile (found when the transaction's writes reached the server); run the transaction again",
			s->name);
	}
	return fail(s, r, "commit", NULL);
}

/* Send the pending rows, the commit marker, the head and COMMIT in one
 * pipeline and read every result. */
static int commit_write(pgstore *s)
{
	PGconn *c = s->conn;
	char hash_hex[65];
	uint8_t hash[32];
	uint64_t seq = s->head_seq + s->naud;
	if (s->naud)
		memcpy(hash, s->aud[s->naud - 1].e.hash, 32);
	else
		memcpy(hash, s->head_hash, 32);
	ipam__hex(hash_hex, hash, 32);

	int rc;
	/* the last one is PostgreSQL's alone (group commit) */
	static const int ids[] = { S_CHG_ADD1, S_AUDIT_ADD1, S_COMMIT_ADD, S_HEAD_SET, S_COMMIT_ONE, S_COMMIT,
	                           S_FLUSH_MARK };
	for (size_t i = 0; i < sizeof ids / sizeof *ids - (s->crdb ? 1 : 0); i++)
		if ((rc = prepare(s, ids[i])))
			return rc;
	int one = s->nchg == 1 && s->naud == 1;
	int merged = one && merge_ok(s) ? merged_prepare(s) : -1;
	if (!PQenterPipelineMode(c))
		return fail(s, NULL, "commit", NULL);
	/* the late writes first (in the one statement when merged) */
	int nlate = merged >= 0 ? 0 : late_send(s);
	int sent = nlate < 0 ? 0 : nlate, ok = nlate >= 0;
	ipam_buf sql = IPAM_BUF_INIT;
	const char **vals = NULL;
	char (*txt)[80] = NULL;

	/* the commit marker and the head */
	char tid[37], rev[24], now[24], seqt[24];
	ipam__uuid_format(tid, s->txid);
	uint64_t newrev = s->nchg ? s->tx_rev : s->head_rev;
	snprintf(rev, sizeof rev, "%" PRIu64, newrev);
	snprintf(now, sizeof now, "%" PRId64, ipam__now_us());
	snprintf(seqt, sizeof seqt, "%" PRIu64, seq);
	const char *cv[3] = { tid, s->nchg ? rev : NULL, now };
	const char *hv[3] = { rev, seqt, hash_hex };

	if (ok && one) {
		/* the usual transaction (one row changed): its change record, audit
		 * entry, commit marker and the head in one statement, with the late
		 * writes when merged */
		const char *mv[MERGE_MAX * MAXF + 25], **v = mv;
		char t[19][80];
		int nv = 0;
		for (size_t i = 0; merged >= 0 && i < s->nlate; i++)
			for (int j = 0; j < s->late[i].n; j++)
				mv[nv++] = s->late[i].v[j];
		v = mv + nv;
		chg_params(s, 0, v, t);
		audit_params(&s->aud[0].e, v + 10, t + 10);
		memcpy(v + 19, cv, sizeof cv);
		memcpy(v + 22, hv, sizeof hv);
		if (merged >= 0) {
			char nm[24];
			snprintf(nm, sizeof nm, "ipamm%d", merged);
			ok = PQsendQueryPrepared(c, nm, nv + 25, mv, NULL, NULL, 0);
		} else {
			ok = send_prep(s, S_COMMIT_ONE, 25, v);
		}
		sent += ok;
	}
	/* otherwise: the change feed and the audit entries, one statement per
	 * BATCH rows, then the commit marker and the head */
	for (size_t i = 0; ok && !one && i < s->nchg; i += BATCH) {
		size_t n = s->nchg - i < BATCH ? s->nchg - i : BATCH;
		sql.size = 0;
		ok = ipam__buf_printf(&sql, "INSERT INTO ipam_changes (" CHG_COLS ") VALUES ") == 0;
		vals = realloc(vals, n * 10 * sizeof *vals);
		txt = realloc(txt, n * 10 * sizeof *txt);
		if (!vals || !txt) {
			ok = 0;
			break;
		}
		for (size_t j = 0; ok && j < n; j++) {
			size_t b = j * 10;
			ok = ipam__buf_printf(&sql, "%s($%zu, $%zu, $%zu, $%zu, $%zu, $%zu, $%zu, $%zu, $%zu, $%zu)",
				j ? ", " : "", b + 1, b + 2, b + 3, b + 4, b + 5, b + 6, b + 7, b + 8, b + 9, b + 10) == 0;
			chg_params(s, i + j, vals + b, txt + b);
		}
		if (ok) /* one row: the prepared statement */
			ok = n == 1 ? send_prep(s, S_CHG_ADD1, 10, vals)
			            : PQsendQueryParams(c, sql.ptr, (int)(n * 10), NULL, vals, NULL, NULL, 0);
		sent += ok;
	}
	for (size_t i = 0; ok && !one && i < s->naud; i += BATCH) {
		size_t n = s->naud - i < BATCH ? s->naud - i : BATCH;
		sql.size = 0;
		ok = ipam__buf_printf(&sql, "INSERT INTO ipam_audit (" AUDIT_COLS ") VALUES ") == 0;
		vals = realloc(vals, n * 9 * sizeof *vals);
		txt = realloc(txt, n * 9 * sizeof *txt);
		if (!vals || !txt) {
			ok = 0;
			break;
		}
		for (size_t j = 0; ok && j < n; j++) {
			size_t b = j * 9;
			ok = ipam__buf_printf(&sql, "%s($%zu, $%zu, $%zu, $%zu, $%zu, $%zu, $%zu, decode($%zu, 'hex'),"
				" decode($%zu, 'hex'))", j ? ", " : "", b + 1, b + 2, b + 3, b + 4, b + 5, b + 6, b + 7, b + 8,
				b + 9) == 0;
			audit_params(&s->aud[i + j].e, vals + b, txt + b);
		}
		if (ok)
			ok = n == 1 ? send_prep(s, S_AUDIT_ADD1, 9, vals)
			            : PQsendQueryParams(c, sql.ptr, (int)(n * 9), NULL, vals, NULL, NULL, 0);
		sent += ok;
	}
	free(vals);
	free(txt);
	ipam_buf_dispose(&sql);
	if (ok && !one) {
		ok = send_prep(s, S_COMMIT_ADD, 3, cv);
		sent += ok;
		if (ok && (s->nchg || s->naud)) {
			ok = send_prep(s, S_HEAD_SET, 3, hv);
			sent += ok;
		}
	}
	/* PostgreSQL: COMMIT without waiting for the WAL flush, so that the head
	 * is free for the next writer at once (begin sent SET LOCAL
	 * synchronous_commit = off), then wait for the flush in a transaction
	 * of our own (see "group commit" at the top). */
	int commit_at = sent;
	if (ok) {
		ok = send_prep(s, S_COMMIT, 0, NULL);
		sent += ok;
	}
	for (size_t i = 0; ok && !s->crdb && i < sizeof flush_ids / sizeof *flush_ids; i++) {
		ok = send_prep(s, flush_ids[i], flush_ids[i] == S_FLUSH_MARK, flush_ids[i] == S_FLUSH_MARK ? cv : NULL);
		sent += ok;
	}
	int synced = PQpipelineSync(c);

	/* Read every result; the first failure is the one that counts. */
	rc = 0;
	int bad_at = -1, flush_failed = 0;
	PGresult *first_bad = NULL;
	int commit_failed_unknown = synced ? pipe_read(s, sent, &first_bad, &bad_at) : 0;
	if (first_bad && bad_at > commit_at && !conn_lost(s)) {
		/* COMMIT went through; only the wait for the flush failed, and the
		 * server's WAL writer flushes within milliseconds anyway. */
		PQclear(first_bad);
		first_bad = NULL;
		flush_failed = 1;
	}
	if (!conn_lost(s))
		PQexitPipelineMode(c);
	if (flush_failed && PQtransactionStatus(c) != PQTRANS_IDLE)
		PQclear(PQexec(c, "ROLLBACK"));
	if (!ok || !synced || commit_failed_unknown || (first_bad && conn_lost(s))) {
		PQclear(first_bad);
		if (conn_lost(s) || commit_failed_unknown)
			return commit_outcome(s);
		rc = fail(s, NULL, "commit", NULL);
		PQclear(PQexec(c, "ROLLBACK"));
		return rc;
	}
	if (first_bad) {
		rc = merged >= 0 && bad_at == 0 ? merged_fail(s, first_bad)
		     : bad_at < nlate          ? late_fail(s, (size_t)bad_at, first_bad)
		                               : fail(s, first_bad, "commit", NULL);
		if (PQtransactionStatus(c) != PQTRANS_IDLE)
			PQclear(PQexec(c, "ROLLBACK"));
		return rc;
	}
	s->seen_rev = newrev;
	s->seen_valid = 1;
	s->fresh_rev = newrev;
	s->fresh_valid = 1;
	hist_set(s, newrev, seq, hash);
	return 0;
}

static int pg_commit(ipam_store *st)
{
	pgstore *s = P(st);
	if (s->tx == TX_NONE)
		return ipam_store_error(IPAM_EINVAL, "%s: commit without a transaction", s->name);
	int rc;
	if (s->lost) {
		rc = ipam_store_error(IPAM_ECONFLICT, "%s: commit: the connection was lost during the transaction; "
			"nothing was committed", s->name);
	} else if (s->tx == TX_WRITE && (s->tx_wrote || s->nchg || s->naud)) {
		rc = commit_write(s);
	} else {
		rc = exec_simple(s, "COMMIT", NULL, "commit");
		if (rc && !conn_lost(s))
			PQclear(PQexec(s->conn, "ROLLBACK"));
	}
	tx_reset(s);
	return rc;
}

static int need_tx(pgstore *s, int write, const char *what)
{
	if (IPAM__UNLIKELY(s->tx == TX_NONE))
		return ipam_store_error(IPAM_EINVAL, "%s: %s outside a transaction", s->name, what);
	if (IPAM__UNLIKELY(write && s->tx != TX_WRITE))
		return ipam_store_error(IPAM_EINVAL, "%s: %s in a read-only transaction", s->name, what);
	return 0;
}

/* ---- rows ------------------------------------------------------------------- */

static int pg_get(ipam_store *st, ipam_store_row *row);

static int pg_put(ipam_store *st, const ipam_store_row *row, unsigned int flags)
{
	pgstore *s = P(st);
	int rc;
	if ((rc = check_key(row)) || (rc = need_tx(s, 1, "put")))
		return rc;
	if (!s->tx_rev)
		s->tx_rev = s->head_rev + 1;
	cache_clear(s);
	const kind_desc *k = &kinds[row->kind];
	params p;
	row_params(&p, row, k->nfield, s->tx_rev);
	PGresult *r;
	char *img = NULL;
	if (row->kind != IPAM_STORE_PREFIX && (rc = image_encode(&img, &p, k->nfield)))
		return rc;
	int is_new = (flags & IPAM_STORE_PUT_NEW) != 0;
	if (is_new && st->owner) { /* the db layer's: sent later */
		if ((rc = late_add(s, late_id(row->kind, 0), &p, k->nfield, row, 0))) {
			free(img);
			return rc;
		}
		s->tx_wrote = 1;
		return change_add(s, IPAM_STORE_PUT, row, img);
	}
	rc = run(s, kid(row->kind, is_new ? K_INS : K_UPS), (int)k->nfield, p.v, &r, "put", row);
	if (rc) {
		free(img);
		return rc;
	}
	/* A refused insert (ON CONFLICT DO NOTHING) leaves the transaction usable. */
	const char *n = PQcmdTuples(r);
	int none = is_new && (!n || !strcmp(n, "0"));
	PQclear(r);
	if (none) {
		free(img);
		char name[256];
		row_name(s, name, sizeof name, row);
		ipam_store_row other = *row;
		if (pg_get(st, &other) == IPAM_ENOTFOUND)
			return ipam_store_error(IPAM_EEXISTS, "%s: its id is already used by another %s", name, k->what);
		return ipam_store_error(IPAM_EEXISTS, "%s already exists", name);
	}
	s->tx_wrote = 1;
	return change_add(s, IPAM_STORE_PUT, row, img);
}

/* Run key statement `op` (delete, bump); IPAM_ENOTFOUND when no row matched. */
static int by_key(pgstore *s, const ipam_store_row *key, int op, const char *what)
{
	params p;
	row_params(&p, key, kinds[key->kind].nkey, 0);
	PGresult *r;
	int rc = run(s, kid(key->kind, op), (int)kinds[key->kind].nkey, p.v, &r, what, key);
	if (rc)
		return rc;
	const char *n = PQcmdTuples(r);
	int none = !n || !strcmp(n, "0");
	PQclear(r);
	s->tx_wrote = 1;
	if (none) {
		char name[256];
		row_name(s, name, sizeof name, key);
		return ipam_store_error(IPAM_ENOTFOUND, "%s not found", name);
	}
	return 0;
}

static int pg_del(ipam_store *st, const ipam_store_row *key)
{
	pgstore *s = P(st);
	int rc;
	if ((rc = check_key(key)) || (rc = need_tx(s, 1, "delete")))
		return rc;
	cache_clear(s);
	uint64_t keep = s->tx_rev;
	if (!s->tx_rev)
		s->tx_rev = s->head_rev + 1;
	if ((rc = by_key(s, key, K_DEL, "delete"))) {
		if (rc == IPAM_ENOTFOUND && !s->nchg)
			s->tx_rev = keep; /* no change after all */
		return rc;
	}
	return change_add(s, IPAM_STORE_DEL, key, NULL);
}

static int pg_bump(ipam_store *st, const ipam_store_row *key)
{
	pgstore *s = P(st);
	int rc;
	if ((rc = check_key(key)) || (rc = need_tx(s, 1, "bump")))
		return rc;
	cache_clear(s);
	params p;
	row_params(&p, key, kinds[key->kind].nkey, 0);
	if (key->kind == IPAM_STORE_PREFIX) { /* prefixes have no row images */
		if (st->owner) { /* the db layer's: sent later */
			s->tx_wrote = 1;
			return late_add(s, late_id(key->kind, 1), &p, kinds[key->kind].nkey, key, 1);
		}
		return by_key(s, key, K_BUMP, "bump");
	}
	/* Any other row: the images of its changes are stale now (see "row
	 * images"): the committed one's is cleared, this transaction's dropped. */
	if ((rc = by_key(s, key, K_BUMP, "bump")))
		return rc;
	PGresult *r;
	if ((rc = run(s, S_IMG_CLEAR0 + (int)kind_slot(key->kind) - 1, (int)kinds[key->kind].nkey, p.v, &r, "bump", key)))
		return rc;
	PQclear(r);
	for (size_t i = 0; i < s->nchg; i++) {
		pending_change *c = &s->chg[i];
		ipam_store_row ck;
		memset(&ck, 0, sizeof ck);
		ck.kind = c->kind;
		ck.name = c->name;
		memcpy(ck.space, c->space, 16);
		ck.addr = c->addr;
		ck.last = c->last;
		ck.len = c->len;
		if (c->img && ipam__store_key_cmp(&ck, key) == 0) {
			free(c->img);
			c->img = NULL;
		}
	}
	return 0;
}

static int pg_get(ipam_store *st, ipam_store_row *row)
{
	pgstore *s = P(st);
	int rc;
	if ((rc = check_key(row)) || (rc = need_tx(s, 0, "get")))
		return rc;
	char name[256];
	cached_row *c = cache_find(s, row);
	if (c) {
		if (!c->present) {
			row_name(s, name, sizeof name, row);
			return ipam_store_error(IPAM_ENOTFOUND, "%s not found", name);
		}
		ipam_store_row r = c->row;
		return ipam__store_hand_out(&s->buf, &s->bufcap, row, &r);
	}
	params p;
	row_params(&p, row, kinds[row->kind].nkey, 0);
	PGresult *r;
	if ((rc = run(s, kid(row->kind, K_GET), (int)kinds[row->kind].nkey, p.v, &r, "get", row)))
		return rc;
	if (PQntuples(r) == 0) {
		PQclear(r);
		row_name(s, name, sizeof name, row);
		return ipam_store_error(IPAM_ENOTFOUND, "%s not found", name);
	}
	ipam_store_row got;
	memset(&got, 0, sizeof got);
	got.kind = row->kind;
	rc = read_row(s, r, 0, 0, &got);
	if (!rc)
		rc = ipam__store_hand_out(&s->buf, &s->bufcap, row, &got);
	PQclear(r);
	return rc;
}

/* Keyset pages of one kind in key order; cb per row. The callback may
 * call the store, so each page is read whole before its callbacks run. */
static int pg_scan(ipam_store *st, unsigned int kind, ipam_store_row_cb cb, void *ctx)
{
	pgstore *s = P(st);
	int rc;
	if (kind < 1 || kind > IPAM_STORE_KIND_MAX)
		return ipam_store_error(IPAM_EINVAL, "store: unknown row kind %u", kind);
	if ((rc = need_tx(s, 0, "scan")))
		return rc;
	const kind_desc *k = &kinds[kind];
	params last;
	char *lastname = NULL; /* tenant, space, object: the key holds a name of any length */
	unsigned namei = 0; /* where in the key */
	while (namei < k->nkey && k->f[namei] != F_NAME)
		namei++;
	/* stored objects: every kind is in one table, the first page too is of this kind only */
	ipam_store_row first;
	memset(&first, 0, sizeof first);
	first.kind = kind;
	params p0;
	row_params(&p0, &first, 1, 0);
	int n0 = IPAM_STORE_IS_OBJECT(kind) ? 1 : 0;
	for (int page = 0;; page++) {
		PGresult *r;
		rc = page ? run(s, kid(kind, K_SCAN), (int)k->nkey, last.v, &r, "scan", NULL)
		          : run(s, kid(kind, K_SCAN0), n0, n0 ? p0.v : NULL, &r, "scan", NULL);
		if (rc)
			break;
		int n = PQntuples(r);
		for (int i = 0; i < n && !rc; i++) {
			ipam_store_row row;
			memset(&row, 0, sizeof row);
			row.kind = kind;
			if ((rc = read_row(s, r, i, 0, &row)))
				break;
			if (i == n - 1) {
				row_params(&last, &row, k->nkey, 0);
				if (row.name && namei < k->nkey) {
					free(lastname);
					if (!(lastname = strdup(row.name))) {
						rc = ipam__enomem();
						break;
					}
					last.v[namei] = lastname;
				}
			}
			rc = cb(ctx, &row);
		}
		PQclear(r);
		if (rc || n < PAGE)
			break;
	}
	free(lastname);
	return rc;
}

/* ---- revision and the change feed ------------------------------------------- */

static int pg_revision(ipam_store *st, uint64_t *out)
{
	pgstore *s = P(st);
	if (s->tx != TX_NONE) {
		if (s->diverged) {
			/* once: the db layer rebuilds its index from the tables */
			s->diverged = 0;
			return ipam_store_error(IPAM_EBACKEND, "%s: the server lost commits this process had already read "
				"(it stopped before they reached its disk); the index is rebuilt from the tables", s->name);
		}
		*out = s->head_rev;
		return 0;
	}
	/* Right after a commit (the db layer asks then whether the revision
	 * after the one it began from is its own): that commit's revision,
	 * once, without a round trip. Writers are serialized on the head, so
	 * nobody committed between our begin and our commit. */
	if (s->fresh_valid) {
		s->fresh_valid = 0;
		*out = s->fresh_rev;
		return 0;
	}
	int64_t deadline = now_ms() + s->busy_ms;
	for (;;) {
		int rc = 0;
		if (conn_lost(s) && (rc = reconnect(s, deadline, "revision")))
			return rc;
		PGresult *r;
		rc = run(s, S_HEAD_REV, 0, NULL, &r, "revision", NULL);
		if (rc) {
			if (conn_lost(s) && now_ms() < deadline)
				continue;
			return rc;
		}
		uint64_t v;
		int bad = PQntuples(r) != 1 || parse_u64(PQgetvalue(r, 0, 0), &v);
		PQclear(r);
		if (bad)
			return ipam_store_error(IPAM_EBACKEND, "%s: the table ipam_head is damaged", s->name);
		/* After a reconnect the history is checked by the next begin: until
		 * then, a revision no index holds makes the db layer begin. */
		*out = s->diverged || (s->check_hist && s->hist_valid) ? UINT64_MAX : v;
		return 0;
	}
}

static void feed_free(feed_item *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free((char *)v[i].c.key.name);
	free(v);
}

/* The rows named by PUT changes of `kind` in (since, upto], into the cache. */
static int prefetch(pgstore *s, unsigned kind, uint64_t since, uint64_t upto)
{
	char a[24], b[24];
	snprintf(a, sizeof a, "%" PRIu64, since);
	snprintf(b, sizeof b, "%" PRIu64, upto);
	ipam_buf sql = IPAM_BUF_INIT;
	if (pf_format(&sql, kind, "$1", "$2")) {
		ipam_buf_dispose(&sql);
		return IPAM_ENOMEM;
	}
	const char *v[2] = { a, b };
	PGresult *r = PQexecParams(s->conn, sql.ptr, 2, NULL, v, NULL, NULL, 0);
	ipam_buf_dispose(&sql);
	if (!r || PQresultStatus(r) != PGRES_TUPLES_OK)
		return fail(s, r, "changes", NULL);
	int rc = rows_to_cache(s, r, kind);
	PQclear(r);
	return rc;
}

static int pg_changes(ipam_store *st, uint64_t since, ipam_store_change_cb cb, void *ctx)
{
	pgstore *s = P(st);
	int rc;
	if ((rc = need_tx(s, 0, "changes")))
		return rc;
	uint64_t upto = s->head_rev;
	if (since >= upto)
		return 0;
	if (s->pf_valid && since == s->pf_since) {
		/* begin fetched it already, and the rows it names are in the cache */
		for (size_t i = 0; i < s->npf && !rc; i++)
			rc = cb(ctx, &s->pf[i].c);
		return rc;
	}
	/* Read the whole feed first: the callback may call the store. */
	feed_item *v = NULL;
	size_t nv = 0, cv = 0;
	/* (revision, n) > (since, max): everything after revision `since` */
	uint64_t after_rev = since, after_n = 2147483647;
	char t1[24], t2[24], t3[24];
	for (;;) {
		snprintf(t1, sizeof t1, "%" PRIu64, after_rev);
		snprintf(t2, sizeof t2, "%" PRIu64, after_n);
		snprintf(t3, sizeof t3, "%" PRIu64, upto);
		const char *pv[3] = { t1, t2, t3 };
		PGresult *r;
		if ((rc = run(s, S_CHG_SCAN, 3, pv, &r, "changes", NULL))) {
			feed_free(v, nv);
			return rc;
		}
		int n = PQntuples(r);
		rc = feed_parse(s, r, 0, &v, &nv, &cv, &after_n);
		PQclear(r);
		if (rc) {
			feed_free(v, nv);
			return rc;
		}
		if (nv)
			after_rev = v[nv - 1].c.revision;
		if (n < PAGE)
			break;
	}
	/* The rows the PUT changes name, per kind, for the get calls that follow. */
	unsigned seen = 0;
	rc = cache_keys(s, v, nv, &seen);
	for (unsigned k = 1; k <= IPAM_STORE_OBJECT_MIN && !rc; k++)
		if (seen & (1u << k))
			rc = prefetch(s, k, since, upto);
	if (rc)
		cache_clear(s);
	for (size_t i = 0; i < nv && !rc; i++)
		rc = cb(ctx, &v[i].c);
	feed_free(v, nv);
	return rc;
}

/* ---- audit ------------------------------------------------------------------- */

static int pg_audit_head(ipam_store *st, uint64_t *seq, uint8_t hash[32])
{
	pgstore *s = P(st);
	int rc;
	if ((rc = need_tx(s, 0, "audit_head")))
		return rc;
	if (s->naud) {
		*seq = s->aud[s->naud - 1].e.seq;
		if (hash)
			memcpy(hash, s->aud[s->naud - 1].e.hash, 32);
	} else {
		*seq = s->head_seq;
		if (hash)
			memcpy(hash, s->head_hash, 32);
	}
	return 0;
}

static int pg_audit_append(ipam_store *st, const ipam_store_audit *e)
{
	pgstore *s = P(st);
	int rc;
	if ((rc = need_tx(s, 1, "audit_append")))
		return rc;
	uint64_t seq = s->head_seq + s->naud + 1;
	if (e->seq != 0 && e->seq != seq)
		return ipam_store_error(IPAM_EINVAL, "%s: audit entry %" PRIu64 " does not follow the head %" PRIu64,
			s->name, e->seq, seq - 1);
	if (s->naud == s->caud) {
		size_t c = s->caud ? s->caud * 2 : 16;
		pending_audit *p = realloc(s->aud, c * sizeof *p);
		if (!p)
			return ipam__enomem();
		s->aud = p;
		s->caud = c;
	}
	ipam_store_audit *d = &s->aud[s->naud].e;
	*d = *e;
	d->seq = seq;
	d->actor = d->action = d->object = d->before = d->after = NULL;
	if (dup_str(&d->actor, e->actor) || dup_str(&d->action, e->action) || dup_str(&d->object, e->object) ||
	    dup_str(&d->before, e->before) || dup_str(&d->after, e->after)) {
		free((char *)d->actor);
		free((char *)d->action);
		free((char *)d->object);
		free((char *)d->before);
		return IPAM_ENOMEM;
	}
	s->naud++;
	return 0;
}

static int pg_audit_scan(ipam_store *st, uint64_t from, ipam_store_audit_cb cb, void *ctx)
{
	pgstore *s = P(st);
	int rc;
	if ((rc = need_tx(s, 0, "audit_scan")))
		return rc;
	uint64_t next = from;
	for (;;) {
		char t[24];
		snprintf(t, sizeof t, "%" PRIu64, next);
		const char *v[1] = { t };
		PGresult *r;
		if ((rc = run(s, S_AUDIT_SCAN, 1, v, &r, "audit scan", NULL)))
			return rc;
		int n = PQntuples(r);
		for (int i = 0; i < n && !rc; i++) {
			ipam_store_audit a;
			memset(&a, 0, sizeof a);
			int bad = parse_u64(PQgetvalue(r, i, 0), &a.seq) || parse_i64(PQgetvalue(r, i, 1), &a.time) ||
			          strlen(PQgetvalue(r, i, 7)) != 64 || strlen(PQgetvalue(r, i, 8)) != 64 ||
			          ipam__unhex(a.prev, 32, PQgetvalue(r, i, 7)) || ipam__unhex(a.hash, 32, PQgetvalue(r, i, 8));
			const char **strs[5] = { &a.actor, &a.action, &a.object, &a.before, &a.after };
			for (int j = 0; j < 5; j++)
				*strs[j] = PQgetisnull(r, i, 2 + j) ? NULL : PQgetvalue(r, i, 2 + j);
			if (bad) {
				rc = ipam_store_error(IPAM_EBACKEND, "%s: an audit entry is damaged", s->name);
				break;
			}
			next = a.seq + 1;
			rc = cb(ctx, &a);
		}
		PQclear(r);
		if (rc || n < PAGE)
			break;
	}
	/* This transaction's own entries, not sent yet. */
	for (size_t i = 0; i < s->naud && !rc; i++)
		if (s->aud[i].e.seq >= from)
			rc = cb(ctx, &s->aud[i].e);
	return rc;
}

/* ---- meta -------------------------------------------------------------------- */

static int pg_meta_get(ipam_store *st, const char *name, char **value)
{
	pgstore *s = P(st);
	int rc;
	*value = NULL;
	if (!name)
		return ipam_store_error(IPAM_EINVAL, "store: meta_get without a name");
	if ((rc = need_tx(s, 0, "meta_get")))
		return rc;
	const char *v[1] = { name };
	PGresult *r;
	if ((rc = run(s, S_META_GET, 1, v, &r, "meta_get", NULL)))
		return rc;
	if (PQntuples(r) == 0)
		rc = ipam_store_error(IPAM_ENOTFOUND, "%s: no metadata named \"%s\"", s->name, name);
	else if (!(*value = strdup(PQgetvalue(r, 0, 0))))
		rc = ipam__enomem();
	PQclear(r);
	return rc;
}

static int pg_meta_put(ipam_store *st, const char *name, const char *value)
{
	pgstore *s = P(st);
	int rc;
	if (!name)
		return ipam_store_error(IPAM_EINVAL, "store: meta_put without a name");
	if (!strcmp(name, "schema_version"))
		return ipam_store_error(IPAM_EINVAL, "%s: metadata \"%s\" belongs to the store", s->name, name);
	if ((rc = need_tx(s, 1, "meta_put")))
		return rc;
	const char *v[2] = { name, value };
	PGresult *r;
	if ((rc = run(s, value ? S_META_SET : S_META_DEL, value ? 2 : 1, v, &r, "meta_put", NULL)))
		return rc;
	PQclear(r);
	s->tx_wrote = 1;
	return 0;
}

/* ---- integrity ---------------------------------------------------------------- */

/* The head agrees with the tables it summarizes. */
static int pg_check(ipam_store *st)
{
	pgstore *s = P(st);
	if (s->tx != TX_NONE)
		return ipam_store_error(IPAM_EINVAL, "%s: check inside a transaction", s->name);
	int rc = pg_begin(st, 0);
	if (rc)
		return rc;
	PGresult *r;
	rc = exec_simple(s,
		"SELECT h.revision, (SELECT coalesce(max(revision), 0) FROM ipam_changes),"
		" h.audit_seq, (SELECT coalesce(max(seq), 0) FROM ipam_audit), (SELECT count(*) FROM ipam_audit),"
		" encode(h.audit_hash, 'hex'), (SELECT encode(hash, 'hex') FROM ipam_audit ORDER BY seq DESC LIMIT 1)"
		" FROM ipam_head h WHERE h.one = 1", &r, "check");
	if (rc) {
		pg_rollback(st);
		return rc;
	}
	uint64_t v[5];
	int bad = PQntuples(r) != 1;
	for (int i = 0; !bad && i < 5; i++)
		bad = parse_u64(PQgetvalue(r, 0, i), &v[i]);
	if (bad)
		rc = ipam_store_error(IPAM_EBACKEND, "%s: check: the table ipam_head is damaged", s->name);
	else if (v[0] != v[1])
		rc = ipam_store_error(IPAM_EBACKEND, "%s: check: the head says revision %" PRIu64 " but the change feed "
			"ends at %" PRIu64, s->name, v[0], v[1]);
	else if (v[2] != v[3] || v[3] != v[4])
		rc = ipam_store_error(IPAM_EBACKEND, "%s: check: the head says audit entry %" PRIu64 " but the audit "
			"table holds %" PRIu64 " entries ending at %" PRIu64, s->name, v[2], v[4], v[3]);
	else if (v[2] && strcmp(PQgetvalue(r, 0, 5), PQgetvalue(r, 0, 6)) != 0)
		rc = ipam_store_error(IPAM_EBACKEND, "%s: check: the head's audit hash is not that of entry %" PRIu64,
			s->name, v[2]);
	PQclear(r);
	/* the references the tables of allocations keep without foreign keys
	 * (schema 4): the first row naming a space or tenant that is not there */
	static const char *const orphans[][2] = {
		{ "address", "SELECT host(addr), space FROM ipam_addresses a WHERE NOT EXISTS (SELECT 1 FROM ipam_spaces s"
		  " WHERE s.id = a.space) OR (tenant IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ipam_tenants t"
		  " WHERE t.id = a.tenant)) LIMIT 1" },
		{ "prefix", "SELECT host(prefix) || '/' || masklen(prefix), space FROM ipam_prefixes p WHERE NOT EXISTS"
		  " (SELECT 1 FROM ipam_spaces s WHERE s.id = p.space) OR (tenant IS NOT NULL AND NOT EXISTS"
		  " (SELECT 1 FROM ipam_tenants t WHERE t.id = p.tenant)) LIMIT 1" },
	};
	for (size_t i = 0; !rc && i < sizeof orphans / sizeof *orphans; i++) {
		if ((rc = exec_simple(s, orphans[i][1], &r, "check")))
			break;
		if (PQntuples(r) > 0)
			rc = ipam_store_error(IPAM_EBACKEND, "%s: check: %s %s in space %s names a space or tenant that does "
				"not exist", s->name, orphans[i][0], PQgetvalue(r, 0, 0), PQgetvalue(r, 0, 1));
		PQclear(r);
	}
	pg_rollback(st);
	return rc;
}

static void pg_free(ipam_store *st)
{
	pgstore *s = P(st);
	if (!s)
		return;
	if (s->tx != TX_NONE)
		pg_rollback(st);
	if (s->conn)
		PQfinish(s->conn);
	if (s->conninfo) {
		sodium_memzero(s->conninfo, strlen(s->conninfo));
		free(s->conninfo);
	}
	pending_clear(s);
	free(s->chg);
	free(s->aud);
	late_clear(s);
	free(s->late);
	cache_clear(s);
	free(s->cache);
	free(s->buf);
	free(s->imgbuf);
	free(s->name);
	free(s);
}

/* ---- opening ------------------------------------------------------------------ */

/* "postgresql://user@host:port/db" without a password, from what libpq
 * parsed (or a generic name when it cannot parse it). */
static char *display_name(const char *conninfo)
{
	char *err = NULL;
	PQconninfoOption *o = PQconninfoParse(conninfo, &err);
	if (err)
		PQfreemem(err);
	const char *user = NULL, *host = NULL, *port = NULL, *db = NULL, *addr = NULL;
	for (PQconninfoOption *p = o; p && p->keyword; p++) {
		if (!p->val || !*p->val)
			continue;
		if (!strcmp(p->keyword, "user"))
			user = p->val;
		else if (!strcmp(p->keyword, "host"))
			host = p->val;
		else if (!strcmp(p->keyword, "hostaddr"))
			addr = p->val;
		else if (!strcmp(p->keyword, "port"))
			port = p->val;
		else if (!strcmp(p->keyword, "dbname"))
			db = p->val;
	}
	char buf[600];
	snprintf(buf, sizeof buf, "postgresql://%.64s%s%.128s%s%.32s/%.128s", user ? user : "", user ? "@" : "",
		host ? host : addr ? addr : "", port ? ":" : "", port ? port : "", db ? db : "");
	if (o)
		PQconninfoFree(o);
	return strdup(buf);
}

/* A library prints nothing: the server's notices (e.g. "relation already
 * exists, skipping") are dropped. */
static void no_notices(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

static int connect_first(pgstore *s)
{
	/* Our defaults first; whatever the caller's string says wins. */
	const char *const keys[] = { "application_name", "connect_timeout", "dbname", NULL };
	const char *const vals[] = { "libipam", "10", s->conninfo, NULL };
	s->conn = PQconnectdbParams(keys, vals, 1);
	if (!s->conn)
		return ipam__enomem();
	PQsetNoticeProcessor(s->conn, no_notices, NULL);
	if (PQstatus(s->conn) == CONNECTION_OK) {
		s->crdb = PQparameterStatus(s->conn, "crdb_version") != NULL;
		return 0;
	}
	char msg[512];
	pq_msg(msg, sizeof msg, PQerrorMessage(s->conn));
	if (strstr(msg, "password authentication failed") || strstr(msg, "no password supplied") ||
	    strstr(msg, "authentication failed") || strstr(msg, "certificate"))
		return ipam_store_error(IPAM_EAUTH, "%s: %s", s->name, msg);
	if (strstr(msg, "does not exist") && strstr(msg, "database"))
		return ipam_store_error(IPAM_ENOTFOUND, "%s: %s", s->name, msg);
	return ipam_store_error(IPAM_EBACKEND, "%s: cannot connect: %s", s->name, msg);
}

/* The schema version, or 0 when there are no libipam tables. */
static int schema_version(pgstore *s, uint64_t *out)
{
	*out = 0;
	PGresult *r = PQexec(s->conn, "SELECT value FROM ipam_meta WHERE name = 'schema_version'");
	ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
	if (st != PGRES_TUPLES_OK) {
		const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
		if (state && !strcmp(state, "42P01")) { /* undefined_table */
			PQclear(r);
			return 0;
		}
		return fail(s, r, "read the schema version", NULL);
	}
	int rc = 0;
	if (PQntuples(r) != 1 || parse_u64(PQgetvalue(r, 0, 0), out) || *out == 0)
		rc = ipam_store_error(IPAM_EINVAL, "%s: the table ipam_meta exists but holds no valid schema_version: "
			"this database is not libipam's", s->name);
	PQclear(r);
	return rc;
}

/* Create or migrate the schema in SERIALIZABLE transactions; processes
 * racing to create it: one wins, the others see its tables and go on. */
static int migrate(pgstore *s, unsigned flags)
{
	int create = (flags & IPAM_OPEN_CREATE) != 0, excl = create && (flags & IPAM_OPEN_EXCL);
	int64_t deadline = now_ms() + s->busy_ms;
	for (int first = 1;; first = 0) {
		uint64_t v;
		int rc = schema_version(s, &v);
		if (rc)
			return rc;
		if (v > SCHEMA_LATEST)
			return ipam_store_error(IPAM_EINVAL, "%s: schema version %" PRIu64 " was written by a newer libipam "
				"(this one knows up to %d)", s->name, v, SCHEMA_LATEST);
		if (v == 0 && !create)
			return ipam_store_error(IPAM_ENOTFOUND, "%s: no libipam tables in this database (create them with "
				"ipamctl init, or open with IPAM_OPEN_CREATE)", s->name);
		if (v != 0 && excl && first)
			return ipam_store_error(IPAM_EEXISTS, "%s: the database already holds libipam tables", s->name);
		if (v == SCHEMA_LATEST)
			return 0;
		rc = exec_simple(s, "BEGIN ISOLATION LEVEL SERIALIZABLE", NULL, "migrate");
		if (!rc) {
			/* Under the lock of the table we read: a second migrator waits, then fails and retries. */
			rc = exec_simple(s, migrations[v], NULL, "create the schema");
			if (!rc && v > 0) {
				char sql[128];
				snprintf(sql, sizeof sql, "UPDATE ipam_meta SET value = '%" PRIu64 "' WHERE name = 'schema_version'",
					v + 1);
				rc = exec_simple(s, sql, NULL, "migrate");
			}
			if (!rc)
				rc = exec_simple(s, "COMMIT", NULL, "create the schema");
		}
		if (!rc)
			continue;
		if (!conn_lost(s))
			PQclear(PQexec(s->conn, "ROLLBACK"));
		/* A concurrent creator: duplicate objects or a serialization failure. */
		if ((rc == IPAM_ECONFLICT || rc == IPAM_EEXISTS || rc == IPAM_EBACKEND) && now_ms() < deadline &&
		    !conn_lost(s)) {
			sleep_ms(20);
			continue;
		}
		return rc;
	}
}

int ipam__store_postgres_open(ipam_store **out, const ipam__store_args *args)
{
	*out = NULL;
	pgstore *s = calloc(1, sizeof *s);
	if (!s)
		return ipam__enomem();
	s->base.version = IPAM_STORE_VERSION;
	s->base.scheme = "postgresql";
	s->base.begin = pg_begin;
	s->base.commit = pg_commit;
	s->base.rollback = pg_rollback;
	s->base.put = pg_put;
	s->base.del = pg_del;
	s->base.get = pg_get;
	s->base.scan = pg_scan;
	s->base.bump = pg_bump;
	s->base.revision = pg_revision;
	s->base.changes = pg_changes;
	s->base.audit_head = pg_audit_head;
	s->base.audit_append = pg_audit_append;
	s->base.audit_scan = pg_audit_scan;
	s->base.meta_get = pg_meta_get;
	s->base.meta_put = pg_meta_put;
	s->base.free = pg_free;
	s->base.rekey = NULL;
	s->base.check = pg_check;
	s->busy_ms = args->busy_timeout_ms ? args->busy_timeout_ms : 10000;
	s->conninfo = strdup(args->path);
	s->name = s->conninfo ? display_name(s->conninfo) : NULL;
	if (!s->conninfo || !s->name) {
		pg_free(&s->base);
		return ipam__enomem();
	}
	int rc = connect_first(s);
	if (!rc)
		rc = migrate(s, args->flags);
	if (rc) {
		pg_free(&s->base);
		return rc;
	}
	*out = &s->base;
	return 0;
}

const char *ipam__store_postgres_name(const ipam_store *st)
{
	return P(st)->name;
}

void ipam__store_postgres_counts(const ipam_store *st, uint64_t *lock_waits, uint64_t *reconnects)
{
	*lock_waits = P(st)->lock_waits;
	*reconnects = P(st)->reconnects;
}
