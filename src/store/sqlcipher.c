/* The SQLCipher store: one encrypted SQLite file (the default backend).
 *
 * Layout: one WITHOUT ROWID table per kind, keyed on the row's natural key
 * (so put/get/del are one B-tree seek and an address scan of one space is a
 * range of the primary key), plus UNIQUE(id) (not on addresses since schema
 * 5: check looks for duplicates instead) and foreign keys to spaces and
 * tenants; the packed change feed `feed`; the hash-chained `audit` table;
 * `meta` for the schema version (a name the store keeps to itself, as it
 * does `revision`, where schema 2 kept the committed revision: meta_put
 * refuses them) and the db layer's values.
 *
 * Revisions and the change feed (schema 4): a write transaction's rows
 * carry the committed revision plus one, read at its first put or del
 * under the write lock (BEGIN IMMEDIATE). Its change keys (op, kind and
 * the natural key of every row put or deleted) are packed into a buffer
 * of the store and written at commit as one row of `feed`, whose id is
 * the revision times FEED_PARTS (a transaction whose keys pass
 * FEED_CHUNK bytes writes them as several rows, parts 0, 1, ... of its
 * revision); the committed revision is the newest row there. So a small
 * commit writes one feed page, and a big transaction one feed row per
 * few megabytes, not one per change. A transaction that changes no row
 * writes no feed row and leaves the revision alone.
 *
 * Every statement is static text prepared once per store on first use and
 * reset after each use; values only ever travel as bound parameters.
 *
 * Strings in rows handed out: `get` copies them into a buffer of the store
 * that lives until the next call on the store; `scan`, `changes` and
 * `audit_scan` hand the callback pointers into SQLite's own row, valid
 * until the callback returns. */
#include "store/store.h"
#include "store/sqlcipher_feed.h"
#include "store/sqlcipher_provider.h"

#define SQLITE_HAS_CODEC 1
#include <sqlite3.h>
#include <sodium.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/* SQLCipher's page size for our files. SQLCipher 3 does not record it in
 * the file, so every open sets it before the first read. */
#define PAGE_SIZE 4096

/* The newest schema this code reads and writes. */
#define SCHEMA_LATEST 5

/* ---- schema and its migrations ------------------------------------------- */

/* The columns of `addresses` as schema 1 made them; `idc` is what follows
 * "id BLOB NOT NULL" (" UNIQUE" up to schema 4). Frozen, as the steps
 * that use it are. */
#define ADDRESS_TABLE(idc) \
	" space BLOB NOT NULL REFERENCES spaces(id)," \
	" family INTEGER NOT NULL," \
	" addr BLOB NOT NULL," \
	" id BLOB NOT NULL" idc "," \
	" created INTEGER NOT NULL," \
	" revision INTEGER NOT NULL," \
	" tenant BLOB REFERENCES tenants(id)," \
	" status INTEGER NOT NULL," \
	" name TEXT," \
	" mac BLOB," \
	" description TEXT," \
	" attrs TEXT," \
	" version INTEGER NOT NULL," \
	" updated INTEGER NOT NULL," \
	" PRIMARY KEY(space, family, addr)" \
	") WITHOUT ROWID;"

/* Version 0 -> 1: the first schema. A migration step, once released, never
 * changes: a later schema is a new step appended to `migrations`. */
static const char schema_v1[] =
	"CREATE TABLE meta("
	" name TEXT NOT NULL PRIMARY KEY,"
	" value TEXT NOT NULL"
	") WITHOUT ROWID;"
	"INSERT INTO meta(name, value) VALUES('revision', '0');"

	"CREATE TABLE tenants("
	" name TEXT NOT NULL PRIMARY KEY,"
	" id BLOB NOT NULL UNIQUE,"
	" created INTEGER NOT NULL,"
	" revision INTEGER NOT NULL,"
	" description TEXT,"
	" attrs TEXT,"
	" version INTEGER NOT NULL,"
	" updated INTEGER NOT NULL"
	") WITHOUT ROWID;"

	"CREATE TABLE spaces("
	" name TEXT NOT NULL PRIMARY KEY,"
	" id BLOB NOT NULL UNIQUE,"
	" created INTEGER NOT NULL,"
	" revision INTEGER NOT NULL,"
	" tenant BLOB REFERENCES tenants(id),"
	" description TEXT,"
	" attrs TEXT,"
	" version INTEGER NOT NULL,"
	" updated INTEGER NOT NULL"
	") WITHOUT ROWID;"

	"CREATE TABLE prefixes("
	" space BLOB NOT NULL REFERENCES spaces(id),"
	" family INTEGER NOT NULL,"
	" addr BLOB NOT NULL,"
	" len INTEGER NOT NULL,"
	" id BLOB NOT NULL UNIQUE,"
	" created INTEGER NOT NULL,"
	" revision INTEGER NOT NULL,"
	" tenant BLOB REFERENCES tenants(id),"
	" status INTEGER NOT NULL,"
	" pool INTEGER NOT NULL,"
	" description TEXT,"
	" attrs TEXT,"
	" version INTEGER NOT NULL,"
	" updated INTEGER NOT NULL,"
	" PRIMARY KEY(space, family, addr, len)"
	") WITHOUT ROWID;"

	"CREATE TABLE ranges("
	" space BLOB NOT NULL REFERENCES spaces(id),"
	" family INTEGER NOT NULL,"
	" addr BLOB NOT NULL,"
	" last BLOB NOT NULL,"
	" id BLOB NOT NULL UNIQUE,"
	" created INTEGER NOT NULL,"
	" revision INTEGER NOT NULL,"
	" tenant BLOB REFERENCES tenants(id),"
	" purpose INTEGER NOT NULL,"
	" description TEXT,"
	" attrs TEXT,"
	" version INTEGER NOT NULL,"
	" updated INTEGER NOT NULL,"
	" PRIMARY KEY(space, family, addr, last)"
	") WITHOUT ROWID;"

	"CREATE TABLE addresses(" ADDRESS_TABLE(" UNIQUE")

	/* The change feed: one row per put or del, in the order they were
	 * made (seq, the rowid: an append, the cheapest insert SQLite has);
	 * the key columns are those of the row's kind, the others NULL.
	 * `revisions` holds the first seq of each revision, so that "changes
	 * after revision R" is one seek and a range of rowids, with no index
	 * on changes.revision to keep up at every put. */
	"CREATE TABLE changes("
	" seq INTEGER PRIMARY KEY,"
	" revision INTEGER NOT NULL,"
	" op INTEGER NOT NULL,"
	" kind INTEGER NOT NULL,"
	" name TEXT,"
	" space BLOB,"
	" family INTEGER,"
	" addr BLOB,"
	" last BLOB,"
	" len INTEGER"
	");"
	"CREATE TABLE revisions("
	" revision INTEGER PRIMARY KEY,"
	" first INTEGER NOT NULL"
	");"

	"CREATE TABLE audit("
	" seq INTEGER PRIMARY KEY,"
	" time INTEGER NOT NULL,"
	" actor TEXT,"
	" action TEXT,"
	" object TEXT,"
	" before TEXT,"
	" after TEXT,"
	" prev BLOB NOT NULL,"
	" hash BLOB NOT NULL"
	");";

/* Version 1 -> 2: stored objects (zones, records, servers, credentials,
 * scopes ...: every kind from IPAM_STORE_OBJECT_MIN on), one table keyed
 * by (kind, parent, name). The parent is an id of any kind (or zeros), so
 * it has no foreign key. */
static const char schema_v2[] =
	"CREATE TABLE objects("
	" kind INTEGER NOT NULL,"
	" parent BLOB NOT NULL,"
	" name TEXT NOT NULL,"
	" id BLOB NOT NULL UNIQUE,"
	" created INTEGER NOT NULL,"
	" revision INTEGER NOT NULL,"
	" tenant BLOB REFERENCES tenants(id),"
	" description TEXT,"
	" attrs TEXT,"
	" version INTEGER NOT NULL,"
	" updated INTEGER NOT NULL,"
	" PRIMARY KEY(kind, parent, name)"
	") WITHOUT ROWID;";

/* Version 2 -> 3: the committed revision is the newest row of `revisions`
 * (written by every transaction that changes a row anyway), no longer a
 * copy in meta: one page less to encrypt and write per commit. */
static const char schema_v3[] = "DELETE FROM meta WHERE name = 'revision';";

/* Version 3 -> 4: the change feed packed, one row per committed revision
 * (see pack_feed and "the packed change feed" below) instead of one row
 * per change in `changes` and one per revision in `revisions`. The rows of
 * a schema-3 file are packed into the new table by pack_v3 (C, below),
 * then the old tables go. */
static const char schema_v4[] =
	"CREATE TABLE feed("
	" id INTEGER PRIMARY KEY," /* revision * FEED_PARTS + part */
	" keys BLOB NOT NULL"
	");";

/* Version 4 -> 5: addresses without UNIQUE(id). Nothing looks an address
 * up by its id (no statement, no foreign key); the index only defended
 * the uniqueness of ids that libipam makes itself (UUIDv7: 48 bits of
 * milliseconds, 74 random bits) or checks on import, and it cost a page
 * per allocation commit and an index insert per allocation. `check` looks
 * for duplicate ids instead. SQLite drops no constraint, so the table is
 * made anew (nothing refers to it) and renamed. */
static const char schema_v5[] =
	"CREATE TABLE addresses_v5(" ADDRESS_TABLE("")
	"INSERT INTO addresses_v5(space, family, addr, id, created, revision, tenant, status, name, mac,"
	" description, attrs, version, updated)"
	" SELECT space, family, addr, id, created, revision, tenant, status, name, mac,"
	" description, attrs, version, updated FROM addresses;"
	"DROP TABLE addresses;"
	"ALTER TABLE addresses_v5 RENAME TO addresses;";

typedef struct sqlstore sqlstore;
static int pack_v3(sqlstore *s);

/* migrations[n] takes a file from schema n to n + 1, in one transaction:
 * its SQL, then its C step when it has one. */
static const struct migration {
	const char *sql;
	int (*step)(sqlstore *s);
} migrations[SCHEMA_LATEST] = {
	{ schema_v1, NULL },
	{ schema_v2, NULL },
	{ schema_v3, NULL },
	{ schema_v4, pack_v3 },
	{ schema_v5, NULL },
};

/* The feed's id: revision * FEED_PARTS + part. A transaction's keys go to
 * a new part each time its buffer passes FEED_CHUNK bytes (so 2^16 parts
 * of 4 MB, 256 GB, is the largest transaction; 2^47 revisions). */
#define FEED_PARTS 65536
#define FEED_CHUNK (4u << 20)
#define FEED_REV_MAX (((uint64_t)1 << 47) - 1)

/* ---- statements ------------------------------------------------------------ */

/* The columns of each kind, in the order of the bound parameters of put
 * and of the result columns of get and scan: the natural key first, then
 * id, created, revision, then the rest. One table describes both the SQL
 * text below and the code that binds and reads it. */
enum field {
	F_KIND, F_NAME, F_SPACE, F_FAMILY, F_ADDR, F_LAST, F_LEN,
	F_ID, F_CREATED, F_REVISION, F_TENANT, F_STATUS, F_POOL, F_PURPOSE,
	F_MAC, F_DESC, F_ATTRS, F_VERSION, F_UPDATED,
	F_END
};

#define MAXF 16

typedef struct kind_desc {
	const char *what;         /* for messages */
	unsigned nkey;            /* the first nkey fields are the natural key */
	unsigned nfield;
	unsigned char f[MAXF];
} kind_desc;

static const kind_desc kinds[IPAM_STORE_KIND_MAX + 1] = {
	[IPAM_STORE_TENANT] = { "tenant", 1, 8,
		{ F_NAME, F_ID, F_CREATED, F_REVISION, F_DESC, F_ATTRS, F_VERSION, F_UPDATED } },
	[IPAM_STORE_SPACE] = { "space", 1, 9,
		{ F_NAME, F_ID, F_CREATED, F_REVISION, F_TENANT, F_DESC, F_ATTRS, F_VERSION, F_UPDATED } },
	[IPAM_STORE_PREFIX] = { "prefix", 4, 14,
		{ F_SPACE, F_FAMILY, F_ADDR, F_LEN, F_ID, F_CREATED, F_REVISION, F_TENANT, F_STATUS,
		  F_POOL, F_DESC, F_ATTRS, F_VERSION, F_UPDATED } },
	[IPAM_STORE_RANGE] = { "range", 4, 13,
		{ F_SPACE, F_FAMILY, F_ADDR, F_LAST, F_ID, F_CREATED, F_REVISION, F_TENANT, F_PURPOSE,
		  F_DESC, F_ATTRS, F_VERSION, F_UPDATED } },
	[IPAM_STORE_ADDRESS] = { "address", 3, 14,
		{ F_SPACE, F_FAMILY, F_ADDR, F_ID, F_CREATED, F_REVISION, F_TENANT, F_STATUS, F_NAME,
		  F_MAC, F_DESC, F_ATTRS, F_VERSION, F_UPDATED } },
#define OBJ_DESC(what) { what, 3, 11, \
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

/* Per kind: insert, update by natural key (all but id and created), delete,
 * get, scan, bump. Parameter numbers follow kinds[].f. */
enum { K_INS, K_UPD, K_DEL, K_GET, K_SCAN, K_BUMP, K_N };

#define TENANT_COLS "name, id, created, revision, description, attrs, version, updated"
#define TENANT_KEY " WHERE name = ?1"
#define SPACE_COLS "name, id, created, revision, tenant, description, attrs, version, updated"
#define SPACE_KEY " WHERE name = ?1"
#define PREFIX_COLS "space, family, addr, len, id, created, revision, tenant, status, pool," \
	" description, attrs, version, updated"
#define PREFIX_KEY " WHERE space = ?1 AND family = ?2 AND addr = ?3 AND len = ?4"
#define RANGE_COLS "space, family, addr, last, id, created, revision, tenant, purpose," \
	" description, attrs, version, updated"
#define RANGE_KEY " WHERE space = ?1 AND family = ?2 AND addr = ?3 AND last = ?4"
#define ADDRESS_COLS "space, family, addr, id, created, revision, tenant, status, name, mac," \
	" description, attrs, version, updated"
#define ADDRESS_KEY " WHERE space = ?1 AND family = ?2 AND addr = ?3"
#define OBJECT_COLS "kind, parent, name, id, created, revision, tenant, description, attrs, version, updated"
#define OBJECT_KEY " WHERE kind = ?1 AND parent = ?2 AND name = ?3"

enum {
	S_BEGIN_R, S_BEGIN_W, S_COMMIT, S_ROLLBACK,
	S_DATA_VERSION, S_REV_GET,
	S_FEED_ADD, S_FEED_SCAN,
	S_AUDIT_HEAD, S_AUDIT_ADD, S_AUDIT_SCAN,
	S_META_GET, S_META_SET, S_META_DEL,
	S_SPACE_NAME,
	S_KIND0,
	/* the five row kinds, then one set for every stored-object kind (the
	 * kind is a bound parameter) */
	S_COUNT = S_KIND0 + IPAM_STORE_OBJECT_MIN * K_N
};

static const char *const sql_text[S_COUNT] = {
	[S_BEGIN_R] = "BEGIN",
	[S_BEGIN_W] = "BEGIN IMMEDIATE",
	[S_COMMIT] = "COMMIT",
	[S_ROLLBACK] = "ROLLBACK",
	[S_DATA_VERSION] = "PRAGMA data_version",
	/* the newest revision's last part: a seek to the last row (NULL, read as 0, when none) */
	[S_REV_GET] = "SELECT max(id) FROM feed",
	[S_FEED_ADD] = "INSERT INTO feed(id, keys) VALUES(?1, ?2)",
	[S_FEED_SCAN] = "SELECT id, keys FROM feed WHERE id >= ?1 AND id <= ?2 ORDER BY id",
	[S_AUDIT_HEAD] = "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1",
	[S_AUDIT_ADD] = "INSERT INTO audit(seq, time, actor, action, object, before, after, prev, hash)"
		" VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
	[S_AUDIT_SCAN] = "SELECT seq, time, actor, action, object, before, after, prev, hash FROM audit"
		" WHERE seq >= ?1 ORDER BY seq",
	[S_META_GET] = "SELECT value FROM meta WHERE name = ?1",
	[S_META_SET] = "INSERT OR REPLACE INTO meta(name, value) VALUES(?1, ?2)",
	[S_META_DEL] = "DELETE FROM meta WHERE name = ?1",
	[S_SPACE_NAME] = "SELECT name FROM spaces WHERE id = ?1",

/* The bumps are `UPDATE OR ROLLBACK`: an UPDATE that may abort half-way
 * inside a transaction makes SQLite keep a statement journal, and SQLCipher
 * encrypts every page written to it: one page more to encrypt per commit
 * (15% of a one-allocation commit's instructions). A bump cannot break a
 * constraint (version + 1 of a NOT NULL integer); were it to, the whole
 * transaction goes, which the db layer does on any store error anyway. */
#define KS(kind, op) [S_KIND0 + ((kind) - 1) * K_N + (op)]
	KS(IPAM_STORE_TENANT, K_INS) = "INSERT INTO tenants(" TENANT_COLS ") VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	KS(IPAM_STORE_TENANT, K_UPD) = "UPDATE tenants SET revision = ?4, description = ?5, attrs = ?6,"
		" version = ?7, updated = ?8" TENANT_KEY,
	KS(IPAM_STORE_TENANT, K_DEL) = "DELETE FROM tenants" TENANT_KEY,
	KS(IPAM_STORE_TENANT, K_GET) = "SELECT " TENANT_COLS " FROM tenants" TENANT_KEY,
	KS(IPAM_STORE_TENANT, K_SCAN) = "SELECT " TENANT_COLS " FROM tenants",
	KS(IPAM_STORE_TENANT, K_BUMP) = "UPDATE OR ROLLBACK tenants SET version = version + 1" TENANT_KEY,

	KS(IPAM_STORE_SPACE, K_INS) = "INSERT INTO spaces(" SPACE_COLS ") VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
	KS(IPAM_STORE_SPACE, K_UPD) = "UPDATE spaces SET revision = ?4, tenant = ?5, description = ?6, attrs = ?7,"
		" version = ?8, updated = ?9" SPACE_KEY,
	KS(IPAM_STORE_SPACE, K_DEL) = "DELETE FROM spaces" SPACE_KEY,
	KS(IPAM_STORE_SPACE, K_GET) = "SELECT " SPACE_COLS " FROM spaces" SPACE_KEY,
	KS(IPAM_STORE_SPACE, K_SCAN) = "SELECT " SPACE_COLS " FROM spaces",
	KS(IPAM_STORE_SPACE, K_BUMP) = "UPDATE OR ROLLBACK spaces SET version = version + 1" SPACE_KEY,

	KS(IPAM_STORE_PREFIX, K_INS) = "INSERT INTO prefixes(" PREFIX_COLS ")"
		" VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
	KS(IPAM_STORE_PREFIX, K_UPD) = "UPDATE prefixes SET revision = ?7, tenant = ?8, status = ?9, pool = ?10,"
		" description = ?11, attrs = ?12, version = ?13, updated = ?14" PREFIX_KEY,
	KS(IPAM_STORE_PREFIX, K_DEL) = "DELETE FROM prefixes" PREFIX_KEY,
	KS(IPAM_STORE_PREFIX, K_GET) = "SELECT " PREFIX_COLS " FROM prefixes" PREFIX_KEY,
	KS(IPAM_STORE_PREFIX, K_SCAN) = "SELECT " PREFIX_COLS " FROM prefixes",
	KS(IPAM_STORE_PREFIX, K_BUMP) = "UPDATE OR ROLLBACK prefixes SET version = version + 1" PREFIX_KEY,

	KS(IPAM_STORE_RANGE, K_INS) = "INSERT INTO ranges(" RANGE_COLS ")"
		" VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
	KS(IPAM_STORE_RANGE, K_UPD) = "UPDATE ranges SET revision = ?7, tenant = ?8, purpose = ?9,"
		" description = ?10, attrs = ?11, version = ?12, updated = ?13" RANGE_KEY,
	KS(IPAM_STORE_RANGE, K_DEL) = "DELETE FROM ranges" RANGE_KEY,
	KS(IPAM_STORE_RANGE, K_GET) = "SELECT " RANGE_COLS " FROM ranges" RANGE_KEY,
	KS(IPAM_STORE_RANGE, K_SCAN) = "SELECT " RANGE_COLS " FROM ranges",
	KS(IPAM_STORE_RANGE, K_BUMP) = "UPDATE OR ROLLBACK ranges SET version = version + 1" RANGE_KEY,

	KS(IPAM_STORE_ADDRESS, K_INS) = "INSERT INTO addresses(" ADDRESS_COLS ")"
		" VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
	KS(IPAM_STORE_ADDRESS, K_UPD) = "UPDATE addresses SET revision = ?6, tenant = ?7, status = ?8, name = ?9,"
		" mac = ?10, description = ?11, attrs = ?12, version = ?13, updated = ?14" ADDRESS_KEY,
	KS(IPAM_STORE_ADDRESS, K_DEL) = "DELETE FROM addresses" ADDRESS_KEY,
	KS(IPAM_STORE_ADDRESS, K_GET) = "SELECT " ADDRESS_COLS " FROM addresses" ADDRESS_KEY,
	KS(IPAM_STORE_ADDRESS, K_SCAN) = "SELECT " ADDRESS_COLS " FROM addresses",
	KS(IPAM_STORE_ADDRESS, K_BUMP) = "UPDATE OR ROLLBACK addresses SET version = version + 1" ADDRESS_KEY,

	/* every stored-object kind: scan binds the kind as ?1 */
	KS(IPAM_STORE_OBJECT_MIN, K_INS) = "INSERT INTO objects(" OBJECT_COLS ")"
		" VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
	KS(IPAM_STORE_OBJECT_MIN, K_UPD) = "UPDATE objects SET revision = ?6, tenant = ?7, description = ?8, attrs = ?9,"
		" version = ?10, updated = ?11" OBJECT_KEY,
	KS(IPAM_STORE_OBJECT_MIN, K_DEL) = "DELETE FROM objects" OBJECT_KEY,
	KS(IPAM_STORE_OBJECT_MIN, K_GET) = "SELECT " OBJECT_COLS " FROM objects" OBJECT_KEY,
	KS(IPAM_STORE_OBJECT_MIN, K_SCAN) = "SELECT " OBJECT_COLS " FROM objects WHERE kind = ?1",
	KS(IPAM_STORE_OBJECT_MIN, K_BUMP) = "UPDATE OR ROLLBACK objects SET version = version + 1" OBJECT_KEY,
#undef KS
};

/* ---- the store ------------------------------------------------------------- */

enum { TX_NONE, TX_READ, TX_WRITE };

struct sqlstore {
	ipam_store base;             /* first: the vtable */
	sqlite3 *db;
	char *path;                  /* for messages */
	sqlite3_stmt *stmt[S_COUNT]; /* prepared on first use */

	int tx;                      /* TX_* opened by begin */
	uint64_t tx_rev;             /* the revision of the open transaction's rows; 0: none yet */
	int tx_rev_written;          /* a part of tx_rev is in feed */
	unsigned feed_part;          /* the next part of tx_rev to write */
	uint8_t *feed;               /* the open transaction's packed change keys, not yet written */
	size_t feed_len, feed_cap;
	int audit_known;             /* audit_head is valid in this transaction */
	uint64_t audit_head;

	/* revision() outside a transaction: the committed revision as of
	 * data_version `dv`; another connection's commit changes data_version,
	 * ours set `rev` directly. */
	int rev_valid;
	uint64_t rev;
	int64_t dv;

	char *buf;                   /* the strings of the row get returned */
	size_t bufcap;
};

#define S(st) ((sqlstore *)(st))

/* ---- errors ---------------------------------------------------------------- */

/* Why the file cannot be written, in words, or NULL when it can. SQLite's
 * own errno is no guide here: it is that of its last try, often at the
 * -shm file ("No such file or directory" for a file that is there). */
static const char *why_unwritable(const char *path, char *buf, size_t size)
{
	if (faccessat(AT_FDCWD, path, W_OK, AT_EACCESS) != 0 && errno != ENOENT) {
		snprintf(buf, size, "read-only: the file cannot be written (%s)", strerror(errno));
		return buf;
	}
	char dir[4096];
	const char *slash = strrchr(path, '/');
	if (!slash)
		snprintf(dir, sizeof dir, ".");
	else if (slash == path)
		snprintf(dir, sizeof dir, "/");
	else
		snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
	if (faccessat(AT_FDCWD, dir, W_OK, AT_EACCESS) != 0) {
		snprintf(buf, size, "read-only: its directory %s cannot be written, and the write-ahead log needs"
			" -wal and -shm files beside the database (%s)", dir, strerror(errno));
		return buf;
	}
	return NULL;
}

/* Translate a SQLite failure of `rc` into an IPAM_E* code and message. Call
 * it before anything else touches the connection (sqlite3_errmsg). */
static int fail(sqlstore *s, int rc, const char *what)
{
	const char *msg = sqlite3_errmsg(s->db);
	int sys = sqlite3_system_errno(s->db);
	char why[4400];

	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		if (rc == SQLITE_BUSY_SNAPSHOT)
			return ipam_store_error(IPAM_ECONFLICT,
				"%s: %s: another connection wrote since this transaction began reading", s->path, what);
		return ipam_store_error(IPAM_ECONFLICT,
			"%s: %s: the database is busy (another connection holds it past the busy timeout)",
			s->path, what);
	case SQLITE_FULL:
		return ipam_store_error(IPAM_EIO, "%s: disk full", s->path);
	case SQLITE_CANTOPEN:
	case SQLITE_IOERR:
		if ((rc & 0xff) == SQLITE_CANTOPEN && why_unwritable(s->path, why, sizeof why))
			return ipam_store_error(IPAM_EIO, "%s: %s", s->path, why);
		if (sys)
			return ipam_store_error(IPAM_EIO, "%s: %s: %s (%s)", s->path, what, msg, strerror(sys));
		return ipam_store_error(IPAM_EIO, "%s: %s: %s", s->path, what, msg);
	case SQLITE_READONLY:
		if (why_unwritable(s->path, why, sizeof why))
			return ipam_store_error(IPAM_EIO, "%s: %s", s->path, why);
		return ipam_store_error(IPAM_EIO, "%s: read-only (%s)", s->path, msg);
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return ipam_store_error(IPAM_EBACKEND, "%s: database file is damaged", s->path);
	case SQLITE_NOMEM:
		return ipam__enomem();
	case SQLITE_CONSTRAINT:
		return ipam_store_error(IPAM_EINVAL, "%s: %s: %s", s->path, what, msg);
	default:
		return ipam_store_error(IPAM_EBACKEND, "%s: %s: %s", s->path, what, msg);
	}
}

/* The statement `id`, prepared on its first use. */
static sqlite3_stmt *stmt(sqlstore *s, int id, int *err)
{
	sqlite3_stmt *st = s->stmt[id];
	if (IPAM__LIKELY(st != NULL))
		return st;
	int rc = sqlite3_prepare_v2(s->db, sql_text[id], -1, &s->stmt[id], NULL);
	if (rc != SQLITE_OK) {
		*err = fail(s, rc, "prepare");
		s->stmt[id] = NULL;
		return NULL;
	}
	return s->stmt[id];
}

static sqlite3_stmt *kstmt(sqlstore *s, unsigned kind, int op, int *err)
{
	unsigned slot = IPAM_STORE_IS_OBJECT(kind) ? IPAM_STORE_OBJECT_MIN : kind;
	return stmt(s, S_KIND0 + (int)(slot - 1) * K_N + op, err);
}

/* Step a statement that returns no row, and reset it. */
static int exec_stmt(sqlstore *s, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);
	int err = 0;
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		err = fail(s, rc, what);
	sqlite3_reset(st);
	return err;
}

/* Run static SQL (pragmas, DDL) that carries no values. */
static int exec_sql(sqlstore *s, const char *sql, const char *what)
{
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
	return rc == SQLITE_OK ? 0 : fail(s, rc, what);
}

/* "address 10.0.0.5 in space blue": the row's kind and natural key, for
 * messages. Looks the space's name up (only on error paths). */
static void row_name(sqlstore *s, char *out, size_t size, const ipam_store_row *row)
{
	char space[80] = "";
	if (ipam__store_key_in_space(row->kind)) {
		int err = 0;
		sqlite3_stmt *st = stmt(s, S_SPACE_NAME, &err);
		if (st) {
			sqlite3_bind_blob(st, 1, row->space, 16, SQLITE_STATIC);
			if (sqlite3_step(st) == SQLITE_ROW) {
				const unsigned char *t = sqlite3_column_text(st, 0);
				snprintf(space, sizeof space, "\"%s\"", t ? (const char *)t : "");
			}
			sqlite3_reset(st);
		}
		if (!space[0])
			ipam__uuid_format(space, row->space);
	}
	ipam__store_key_words(out, size, row, space);
}

/* ---- binding and reading rows -------------------------------------------- */

static int addr_len(int family)
{
	return family == IPAM_AF_INET ? 4 : 16;
}

static int zero16(const uint8_t b[16])
{
	static const uint8_t z[16];
	return memcmp(b, z, 16) == 0;
}

static void bind_text(sqlite3_stmt *st, int i, const char *t)
{
	if (t)
		sqlite3_bind_text(st, i, t, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

/* Bind fields [from, to) of kinds[row->kind] to parameters from + 1 ...
 * `rev` is the revision the store sets. The caller's strings are borrowed
 * for the call (SQLITE_STATIC): they must stay put until the step. */
static void bind_fields(sqlite3_stmt *st, const ipam_store_row *row, unsigned from, unsigned to, uint64_t rev)
{
	const kind_desc *k = &kinds[row->kind];
	for (unsigned i = from; i < to; i++) {
		int p = (int)i + 1;
		switch (k->f[i]) {
		case F_KIND: sqlite3_bind_int(st, p, (int)row->kind); break;
		case F_NAME: bind_text(st, p, row->name); break;
		case F_SPACE: sqlite3_bind_blob(st, p, row->space, 16, SQLITE_STATIC); break;
		case F_FAMILY: sqlite3_bind_int(st, p, row->addr.family); break;
		case F_ADDR: sqlite3_bind_blob(st, p, row->addr.bytes, addr_len(row->addr.family), SQLITE_STATIC); break;
		case F_LAST: sqlite3_bind_blob(st, p, row->last.bytes, addr_len(row->addr.family), SQLITE_STATIC); break;
		case F_LEN: sqlite3_bind_int(st, p, row->len); break;
		case F_ID: sqlite3_bind_blob(st, p, row->id, 16, SQLITE_STATIC); break;
		case F_CREATED: sqlite3_bind_int64(st, p, row->created); break;
		case F_REVISION: sqlite3_bind_int64(st, p, (sqlite3_int64)rev); break;
		case F_TENANT:
			/* No tenant (all zeros) is NULL, which the foreign key lets through. */
			if (zero16(row->tenant))
				sqlite3_bind_null(st, p);
			else
				sqlite3_bind_blob(st, p, row->tenant, 16, SQLITE_STATIC);
			break;
		case F_STATUS: sqlite3_bind_int(st, p, row->status); break;
		case F_POOL: sqlite3_bind_int(st, p, row->pool); break;
		case F_PURPOSE: sqlite3_bind_int(st, p, row->purpose); break;
		case F_MAC:
			if (row->maclen)
				sqlite3_bind_blob(st, p, row->mac, row->maclen, SQLITE_STATIC);
			else
				sqlite3_bind_null(st, p);
			break;
		case F_DESC: bind_text(st, p, row->description); break;
		case F_ATTRS: bind_text(st, p, row->attrs); break;
		case F_VERSION: sqlite3_bind_int64(st, p, (sqlite3_int64)row->version); break;
		case F_UPDATED: sqlite3_bind_int64(st, p, row->updated); break;
		default: break;
		}
	}
}

/* Copy a blob column of at most `max` bytes; return its length or -1 when
 * it is longer (a damaged row). */
static int col_blob(sqlite3_stmt *st, int c, uint8_t *out, int max)
{
	const void *b = sqlite3_column_blob(st, c);
	int n = sqlite3_column_bytes(st, c);
	if (n > max)
		return -1;
	if (n > 0)
		memcpy(out, b, (size_t)n);
	return n;
}

static int col_addr(sqlite3_stmt *st, int c, ipam_addr *a, int family)
{
	memset(a, 0, sizeof *a);
	a->family = (uint8_t)family;
	return col_blob(st, c, a->bytes, 16) == addr_len(family) ? 0 : -1;
}

/* Fill `row` (zeroed, kind set) from the result columns of a get or scan.
 * Strings point into the statement's row. */
static int read_row(sqlstore *s, sqlite3_stmt *st, ipam_store_row *row)
{
	const kind_desc *k = &kinds[row->kind];
	int family = 0, bad = 0;
	for (unsigned i = 0; i < k->nfield; i++) {
		int c = (int)i;
		switch (k->f[i]) {
		case F_NAME: row->name = (const char *)sqlite3_column_text(st, c); break;
		case F_SPACE: bad |= col_blob(st, c, row->space, 16) != 16; break;
		case F_FAMILY: family = sqlite3_column_int(st, c); break;
		case F_ADDR: bad |= col_addr(st, c, &row->addr, family); break;
		case F_LAST: bad |= col_addr(st, c, &row->last, family); break;
		case F_LEN: row->len = (uint8_t)sqlite3_column_int(st, c); break;
		case F_ID: bad |= col_blob(st, c, row->id, 16) != 16; break;
		case F_CREATED: row->created = sqlite3_column_int64(st, c); break;
		case F_REVISION: row->revision = (uint64_t)sqlite3_column_int64(st, c); break;
		case F_TENANT: bad |= col_blob(st, c, row->tenant, 16) < 0; break;
		case F_STATUS: row->status = (uint8_t)sqlite3_column_int(st, c); break;
		case F_POOL: row->pool = (uint8_t)sqlite3_column_int(st, c); break;
		case F_PURPOSE: row->purpose = (uint8_t)sqlite3_column_int(st, c); break;
		case F_MAC: {
			int n = col_blob(st, c, row->mac, 8);
			bad |= n < 0;
			row->maclen = (uint8_t)(n > 0 ? n : 0);
			break;
		}
		case F_DESC: row->description = (const char *)sqlite3_column_text(st, c); break;
		case F_ATTRS: row->attrs = (const char *)sqlite3_column_text(st, c); break;
		case F_VERSION: row->version = (uint64_t)sqlite3_column_int64(st, c); break;
		case F_UPDATED: row->updated = sqlite3_column_int64(st, c); break;
		default: break;
		}
	}
	if (bad)
		return ipam_store_error(IPAM_EBACKEND, "%s: a %s row is damaged (a key column has the wrong size)",
			s->path, k->what);
	return 0;
}

/* ---- transactions ------------------------------------------------------------ */

static void tx_reset(sqlstore *s)
{
	s->tx = TX_NONE;
	s->tx_rev = 0;
	s->tx_rev_written = 0;
	s->feed_part = 0;
	s->feed_len = 0;
	s->audit_known = 0;
}

static int sq_begin(ipam_store *st, int write)
{
	sqlstore *s = S(st);
	int err = 0;
	if (s->tx != TX_NONE)
		return ipam_store_error(IPAM_EINVAL, "%s: a transaction is already open", s->path);
	sqlite3_stmt *q = stmt(s, write ? S_BEGIN_W : S_BEGIN_R, &err);
	if (!q)
		return err;
	if ((err = exec_stmt(s, q, "begin")))
		return err;
	tx_reset(s);
	s->tx = write ? TX_WRITE : TX_READ;
	return 0;
}

static void sq_rollback(ipam_store *st)
{
	sqlstore *s = S(st);
	/* SQLite may already have rolled back on its own (SQLITE_FULL, IOERR, BUSY
	 * inside a statement); then the connection is in autocommit mode. The
	 * statement was prepared at open: rolling back sets no error message,
	 * so the caller's stays. */
	if (!sqlite3_get_autocommit(s->db) && s->stmt[S_ROLLBACK]) {
		sqlite3_step(s->stmt[S_ROLLBACK]);
		sqlite3_reset(s->stmt[S_ROLLBACK]);
	}
	tx_reset(s);
}

static int feed_flush(sqlstore *s);

static int sq_commit(ipam_store *st)
{
	sqlstore *s = S(st);
	int err = 0;
	if (s->tx == TX_NONE)
		return ipam_store_error(IPAM_EINVAL, "%s: commit without a transaction", s->path);
	if (sqlite3_get_autocommit(s->db)) {
		/* A statement failed in a way that made SQLite roll back. */
		tx_reset(s);
		s->rev_valid = 0;
		return ipam_store_error(IPAM_ECONFLICT, "%s: the transaction was rolled back by an earlier error",
			s->path);
	}
	sqlite3_stmt *q = NULL;
	if (s->feed_len)
		err = feed_flush(s);
	if (!err && (q = stmt(s, S_COMMIT, &err)))
		err = exec_stmt(s, q, "commit");
	if (err) {
		/* Nothing was committed: leave no half-open transaction behind. */
		sq_rollback(st);
		s->rev_valid = 0;
		return err;
	}
	if (s->tx_rev_written) {
		s->rev = s->tx_rev;
		s->rev_valid = 1;
	}
	tx_reset(s);
	return 0;
}

/* Writes need an open transaction that SQLite has not rolled back. */
static int need_write_tx(sqlstore *s)
{
	if (IPAM__UNLIKELY(s->tx == TX_NONE))
		return ipam_store_error(IPAM_EINVAL, "%s: a write outside a transaction", s->path);
	if (IPAM__UNLIKELY(sqlite3_get_autocommit(s->db)))
		return ipam_store_error(IPAM_ECONFLICT, "%s: the transaction was rolled back by an earlier error",
			s->path);
	return 0;
}

/* Read the committed revision (inside a transaction: as of its snapshot). */
static int read_revision(sqlstore *s, uint64_t *out)
{
	int err = 0;
	sqlite3_stmt *q = stmt(s, S_REV_GET, &err);
	if (!q)
		return err;
	int rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(q, 0);
		*out = id > 0 ? (uint64_t)id / FEED_PARTS : 0;
		rc = SQLITE_DONE;
	} else if (rc == SQLITE_DONE) {
		*out = 0;
	}
	if (rc != SQLITE_DONE)
		err = fail(s, rc, "read the revision");
	sqlite3_reset(q);
	return err;
}

/* The revision of this transaction's rows: the committed one plus one,
 * read at the transaction's first write (the write lock is held from then
 * on, so no other writer can take the same number). */
static int tx_revision(sqlstore *s)
{
	if (IPAM__LIKELY(s->tx_rev != 0))
		return 0;
	uint64_t r = 0;
	int err = read_revision(s, &r);
	if (err)
		return err;
	if (r >= FEED_REV_MAX)
		return ipam_store_error(IPAM_EBACKEND, "%s: no revision numbers left", s->path);
	s->tx_rev = r + 1;
	return 0;
}

/* ---- the packed change feed ---------------------------------------------------
 *
 * A feed row's `keys` is a format byte (1) and then one entry per change,
 * in the order they were made:
 *   op (1 byte: IPAM_STORE_PUT, IPAM_STORE_DEL), kind (1 byte), the key:
 *   tenant, space:        name, NUL-terminated
 *   stored objects:       parent (16 bytes), name, NUL-terminated
 *   prefix:               space (16), family (1: 4 or 6), addr (4 or 16), len (1)
 *   range:                space (16), family (1), addr, last (4 or 16 each)
 *   address:              space (16), family (1), addr (4 or 16)
 * Names end with their NUL so that a change handed out can point into the
 * row. The row lives in the encrypted file like every other. */

#define FEED_FORMAT 1

/* Room for `n` more bytes in the transaction's buffer. */
static int feed_room(sqlstore *s, size_t n)
{
	if (IPAM__LIKELY(s->feed_cap - s->feed_len >= n))
		return 0;
	size_t cap = s->feed_cap ? s->feed_cap : 4096;
	while (cap - s->feed_len < n)
		cap *= 2;
	uint8_t *p = realloc(s->feed, cap);
	if (!p)
		return ipam__enomem();
	s->feed = p;
	s->feed_cap = cap;
	return 0;
}

/* Write the buffered keys as the next part of the transaction's revision. */
static int feed_flush(sqlstore *s)
{
	int err = 0;
	if (s->feed_part >= FEED_PARTS)
		return ipam_store_error(IPAM_EINVAL, "%s: transaction too large for the change feed (%u parts of %u bytes)",
			s->path, FEED_PARTS, FEED_CHUNK);
	sqlite3_stmt *q = stmt(s, S_FEED_ADD, &err);
	if (!q)
		return err;
	sqlite3_bind_int64(q, 1, (sqlite3_int64)(s->tx_rev * FEED_PARTS + s->feed_part));
	sqlite3_bind_blob(q, 2, s->feed, (int)s->feed_len, SQLITE_STATIC);
	err = exec_stmt(s, q, "write the change feed");
	sqlite3_clear_bindings(q);
	if (err)
		return err;
	s->feed_part++;
	s->feed_len = 0;
	s->tx_rev_written = 1;
	return 0;
}

/* Pack the key of `row` (op and kind set) into `out`, which has room for
 * feed_key_size(row) bytes; return the bytes written. */
static size_t feed_key_size(const ipam_store_row *row)
{
	if (row->kind == IPAM_STORE_TENANT || row->kind == IPAM_STORE_SPACE)
		return 2 + strlen(row->name ? row->name : "") + 1;
	if (IPAM_STORE_IS_OBJECT(row->kind))
		return 2 + 16 + strlen(row->name ? row->name : "") + 1;
	return 2 + 16 + 1 + 2 * 16 + 1;
}

static size_t feed_key_pack(uint8_t *out, unsigned op, const ipam_store_row *row)
{
	uint8_t *p = out;
	*p++ = (uint8_t)op;
	*p++ = (uint8_t)row->kind;
	if (row->kind == IPAM_STORE_TENANT || row->kind == IPAM_STORE_SPACE || IPAM_STORE_IS_OBJECT(row->kind)) {
		if (IPAM_STORE_IS_OBJECT(row->kind)) {
			memcpy(p, row->space, 16);
			p += 16;
		}
		size_t n = strlen(row->name ? row->name : "") + 1;
		memcpy(p, row->name ? row->name : "", n);
		return (size_t)(p + n - out);
	}
	size_t n = (size_t)addr_len(row->addr.family);
	memcpy(p, row->space, 16);
	p += 16;
	*p++ = row->addr.family;
	memcpy(p, row->addr.bytes, n);
	p += n;
	if (row->kind == IPAM_STORE_RANGE) {
		memcpy(p, row->last.bytes, n);
		p += n;
	} else if (row->kind == IPAM_STORE_PREFIX) {
		*p++ = row->len;
	}
	return (size_t)(p - out);
}

/* Append one change to the transaction's feed buffer. */
static int change_add(sqlstore *s, unsigned op, const ipam_store_row *row)
{
	int err;
	size_t need = feed_key_size(row) + 1;
	if (s->feed_len && s->feed_len + need > FEED_CHUNK && (err = feed_flush(s)))
		return err;
	if ((err = feed_room(s, need)))
		return err;
	if (!s->feed_len)
		s->feed[s->feed_len++] = FEED_FORMAT;
	s->feed_len += feed_key_pack(s->feed + s->feed_len, op, row);
	return 0;
}

/* Decode one entry of a feed row at *p (before end) into `c` (zeroed by
 * the caller); names point into the row. 0, or -1 for a damaged entry. */
static int feed_key_unpack(const uint8_t **pp, const uint8_t *end, ipam_store_change *c)
{
	const uint8_t *p = *pp;
	if (end - p < 2)
		return -1;
	c->op = p[0];
	c->key.kind = p[1];
	p += 2;
	unsigned kind = c->key.kind;
	if (c->op != IPAM_STORE_PUT && c->op != IPAM_STORE_DEL)
		return -1;
	if (kind == IPAM_STORE_TENANT || kind == IPAM_STORE_SPACE || IPAM_STORE_IS_OBJECT(kind)) {
		if (IPAM_STORE_IS_OBJECT(kind)) {
			if (end - p < 16)
				return -1;
			memcpy(c->key.space, p, 16);
			p += 16;
		}
		const uint8_t *nul = memchr(p, 0, (size_t)(end - p));
		if (!nul)
			return -1;
		c->key.name = (const char *)p;
		*pp = nul + 1;
		return 0;
	}
	if (kind < IPAM_STORE_PREFIX || kind > IPAM_STORE_ADDRESS || end - p < 17)
		return -1;
	memcpy(c->key.space, p, 16);
	p += 16;
	uint8_t family = *p++;
	if (family != IPAM_AF_INET && family != IPAM_AF_INET6)
		return -1;
	size_t n = (size_t)addr_len(family);
	size_t more = n * (kind == IPAM_STORE_RANGE ? 2 : 1) + (kind == IPAM_STORE_PREFIX);
	if ((size_t)(end - p) < more)
		return -1;
	c->key.addr.family = family;
	memcpy(c->key.addr.bytes, p, n);
	p += n;
	if (kind == IPAM_STORE_RANGE) {
		c->key.last.family = family;
		memcpy(c->key.last.bytes, p, n);
		p += n;
	} else if (kind == IPAM_STORE_PREFIX) {
		c->key.len = *p++;
	}
	*pp = p;
	return 0;
}

/* Hand every change of one feed row to cb (see sqlcipher_feed.h). */
int ipam__sqlcipher_feed_each(uint64_t revision, const uint8_t *p, size_t len, ipam_store_change_cb cb, void *ctx,
                              int *bad)
{
	*bad = 0;
	if (len < 1 || !p || p[0] != FEED_FORMAT)
		return *bad = 1, 0;
	const uint8_t *end = p + len;
	p++;
	while (p < end) {
		ipam_store_change c;
		memset(&c, 0, sizeof c);
		c.revision = revision;
		if (feed_key_unpack(&p, end, &c) != 0)
			return *bad = 1, 0;
		int rc = cb(ctx, &c);
		if (rc)
			return rc;
	}
	return 0;
}

/* ---- rows ------------------------------------------------------------------ */

/* A failed insert or update of `row`: name the row for constraint failures. */
static int put_failed(sqlstore *s, int rc, const ipam_store_row *row)
{
	char what[200];
	switch (rc) {
	case SQLITE_CONSTRAINT_PRIMARYKEY:
		row_name(s, what, sizeof what, row);
		return ipam_store_error(IPAM_EEXISTS, "%s already exists", what);
	case SQLITE_CONSTRAINT_UNIQUE: {
		char u[37];
		ipam__uuid_format(u, row->id);
		row_name(s, what, sizeof what, row);
		return ipam_store_error(IPAM_EEXISTS, "%s: id %s is already used by another %s",
			what, u, kinds[row->kind].what);
	}
	case SQLITE_CONSTRAINT_FOREIGNKEY:
		row_name(s, what, sizeof what, row);
		return ipam_store_error(IPAM_EINVAL, "%s refers to a %s that does not exist", what,
			row->kind == IPAM_STORE_SPACE ? "tenant" : "space or tenant");
	default:
		return fail(s, rc, "put");
	}
}

static int sq_put(ipam_store *st, const ipam_store_row *row, unsigned int flags)
{
	sqlstore *s = S(st);
	int err, rc;
	sqlite3_stmt *q;

	if ((err = ipam__store_check_key(row)) || (err = need_write_tx(s)) || (err = tx_revision(s)))
		return err;
	const kind_desc *k = &kinds[row->kind];

	if (!(flags & IPAM_STORE_PUT_NEW)) {
		if (!(q = kstmt(s, row->kind, K_UPD, &err)))
			return err;
		bind_fields(q, row, 0, k->nfield, s->tx_rev);
		rc = sqlite3_step(q);
		if (rc != SQLITE_DONE) {
			err = put_failed(s, rc, row);
			sqlite3_reset(q);
			return err;
		}
		int n = sqlite3_changes(s->db);
		sqlite3_reset(q);
		if (n > 0)
			return change_add(s, IPAM_STORE_PUT, row);
	}
	if (!(q = kstmt(s, row->kind, K_INS, &err)))
		return err;
	bind_fields(q, row, 0, k->nfield, s->tx_rev);
	rc = sqlite3_step(q);
	if (rc != SQLITE_DONE) {
		err = put_failed(s, rc, row);
		sqlite3_reset(q);
		return err;
	}
	sqlite3_reset(q);
	return change_add(s, IPAM_STORE_PUT, row);
}

/* Run the key-only statement `op` (delete, bump) of a row; 0, IPAM_ENOTFOUND
 * when no row matched, or an error. */
static int by_key(sqlstore *s, const ipam_store_row *key, int op, const char *what)
{
	int err = 0;
	char name[200];
	sqlite3_stmt *q = kstmt(s, key->kind, op, &err);
	if (!q)
		return err;
	bind_fields(q, key, 0, kinds[key->kind].nkey, 0);
	int rc = sqlite3_step(q);
	if (rc != SQLITE_DONE) {
		if (rc == SQLITE_CONSTRAINT_FOREIGNKEY) {
			row_name(s, name, sizeof name, key);
			err = ipam_store_error(IPAM_EINUSE, "%s is in use (other rows refer to it)", name);
		} else {
			err = fail(s, rc, what);
		}
		sqlite3_reset(q);
		return err;
	}
	int n = sqlite3_changes(s->db);
	sqlite3_reset(q);
	if (n == 0) {
		row_name(s, name, sizeof name, key);
		return ipam_store_error(IPAM_ENOTFOUND, "%s not found", name);
	}
	return 0;
}

static int sq_del(ipam_store *st, const ipam_store_row *key)
{
	sqlstore *s = S(st);
	int err;
	if ((err = ipam__store_check_key(key)) || (err = need_write_tx(s)) || (err = tx_revision(s)))
		return err;
	if ((err = by_key(s, key, K_DEL, "delete")))
		return err;
	return change_add(s, IPAM_STORE_DEL, key);
}

static int sq_bump(ipam_store *st, const ipam_store_row *key)
{
	sqlstore *s = S(st);
	int err;
	if ((err = ipam__store_check_key(key)) || (err = need_write_tx(s)))
		return err;
	return by_key(s, key, K_BUMP, "bump");
}

static int sq_get(ipam_store *st, ipam_store_row *row)
{
	sqlstore *s = S(st);
	int err;
	if ((err = ipam__store_check_key(row)))
		return err;
	sqlite3_stmt *q = kstmt(s, row->kind, K_GET, &err);
	if (!q)
		return err;
	bind_fields(q, row, 0, kinds[row->kind].nkey, 0);
	int rc = sqlite3_step(q);
	if (rc == SQLITE_DONE) {
		char name[200];
		row_name(s, name, sizeof name, row);
		sqlite3_reset(q);
		return ipam_store_error(IPAM_ENOTFOUND, "%s not found", name);
	}
	if (rc != SQLITE_ROW) {
		err = fail(s, rc, "get");
		sqlite3_reset(q);
		return err;
	}
	ipam_store_row r;
	memset(&r, 0, sizeof r);
	r.kind = row->kind;
	if ((err = read_row(s, q, &r)))
		goto out;

	/* Copy the strings out of SQLite's row into the store's buffer. */
	err = ipam__store_hand_out(&s->buf, &s->bufcap, row, &r);
out:
	sqlite3_reset(q);
	return err;
}

static int sq_scan(ipam_store *st, unsigned int kind, ipam_store_row_cb cb, void *ctx)
{
	sqlstore *s = S(st);
	int err = 0, rc;
	if (kind < 1 || kind > IPAM_STORE_KIND_MAX)
		return ipam_store_error(IPAM_EINVAL, "store: unknown row kind %u", kind);
	sqlite3_stmt *q = kstmt(s, kind, K_SCAN, &err);
	if (!q)
		return err;
	if (IPAM_STORE_IS_OBJECT(kind))
		sqlite3_bind_int(q, 1, (int)kind);
	ipam_store_row r;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		memset(&r, 0, sizeof r);
		r.kind = kind;
		if ((err = read_row(s, q, &r)) || (err = cb(ctx, &r)))
			break;
	}
	if (!err && rc != SQLITE_DONE)
		err = fail(s, rc, "scan");
	sqlite3_reset(q);
	return err;
}

/* ---- revision and the change feed ------------------------------------------- */

static int sq_revision(ipam_store *st, uint64_t *out)
{
	sqlstore *s = S(st);
	int err = 0;

	if (s->tx_rev) {
		*out = s->tx_rev - 1;
		return 0;
	}
	/* data_version first, then the revision: a commit landing in between
	 * makes the next call read again rather than keep a stale value. */
	sqlite3_stmt *q = stmt(s, S_DATA_VERSION, &err);
	if (!q)
		return err;
	int rc = sqlite3_step(q);
	if (rc != SQLITE_ROW) {
		err = fail(s, rc, "data_version");
		sqlite3_reset(q);
		return err;
	}
	int64_t dv = sqlite3_column_int64(q, 0);
	sqlite3_reset(q);
	if (!s->rev_valid || dv != s->dv) {
		uint64_t r = 0;
		if ((err = read_revision(s, &r)))
			return err;
		s->rev = r;
		s->dv = dv;
		s->rev_valid = 1;
	}
	*out = s->rev;
	return 0;
}

static int sq_changes(ipam_store *st, uint64_t since, ipam_store_change_cb cb, void *ctx)
{
	sqlstore *s = S(st);
	int err = 0, rc, bad = 0;
	/* Only committed transactions: not the parts this one wrote so far. */
	uint64_t upto = s->tx_rev ? s->tx_rev - 1 : FEED_REV_MAX;
	if (since >= upto)
		return 0;
	sqlite3_stmt *q = stmt(s, S_FEED_SCAN, &err);
	if (!q)
		return err;
	sqlite3_bind_int64(q, 1, (sqlite3_int64)((since + 1) * FEED_PARTS));
	sqlite3_bind_int64(q, 2, (sqlite3_int64)(upto * FEED_PARTS + (FEED_PARTS - 1)));
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		uint64_t rev = (uint64_t)sqlite3_column_int64(q, 0) / FEED_PARTS;
		const uint8_t *keys = sqlite3_column_blob(q, 1);
		int n = sqlite3_column_bytes(q, 1);
		if ((err = ipam__sqlcipher_feed_each(rev, keys, (size_t)n, cb, ctx, &bad)))
			break;
		if (bad) {
			err = ipam_store_error(IPAM_EBACKEND, "%s: the change feed of revision %llu is damaged", s->path,
				(unsigned long long)rev);
			break;
		}
	}
	if (!err && rc != SQLITE_DONE)
		err = fail(s, rc, "changes");
	sqlite3_reset(q);
	return err;
}

/* ---- audit ------------------------------------------------------------------- */

static int audit_head(sqlstore *s, uint64_t *seq, uint8_t hash[32])
{
	int err = 0;
	sqlite3_stmt *q = stmt(s, S_AUDIT_HEAD, &err);
	if (!q)
		return err;
	int rc = sqlite3_step(q);
	*seq = 0;
	if (hash)
		memset(hash, 0, 32);
	if (rc == SQLITE_ROW) {
		*seq = (uint64_t)sqlite3_column_int64(q, 0);
		if (hash && col_blob(q, 1, hash, 32) != 32)
			err = ipam_store_error(IPAM_EBACKEND, "%s: audit entry %llu is damaged", s->path,
				(unsigned long long)*seq);
	} else if (rc != SQLITE_DONE) {
		err = fail(s, rc, "audit head");
	}
	sqlite3_reset(q);
	return err;
}

static int sq_audit_head(ipam_store *st, uint64_t *seq, uint8_t hash[32])
{
	return audit_head(S(st), seq, hash);
}

static int sq_audit_append(ipam_store *st, const ipam_store_audit *e)
{
	sqlstore *s = S(st);
	int err;
	if ((err = need_write_tx(s)))
		return err;
	/* The head is read once per transaction; then appends count on. */
	if (!s->audit_known) {
		if ((err = audit_head(s, &s->audit_head, NULL)))
			return err;
		s->audit_known = 1;
	}
	uint64_t seq = s->audit_head + 1;
	if (e->seq != 0 && e->seq != seq)
		return ipam_store_error(IPAM_EINVAL, "%s: audit entry %llu does not follow the head %llu",
			s->path, (unsigned long long)e->seq, (unsigned long long)s->audit_head);
	sqlite3_stmt *q = stmt(s, S_AUDIT_ADD, &err);
	if (!q)
		return err;
	sqlite3_bind_int64(q, 1, (sqlite3_int64)seq);
	sqlite3_bind_int64(q, 2, e->time);
	bind_text(q, 3, e->actor);
	bind_text(q, 4, e->action);
	bind_text(q, 5, e->object);
	bind_text(q, 6, e->before);
	bind_text(q, 7, e->after);
	sqlite3_bind_blob(q, 8, e->prev, 32, SQLITE_STATIC);
	sqlite3_bind_blob(q, 9, e->hash, 32, SQLITE_STATIC);
	if ((err = exec_stmt(s, q, "audit append"))) {
		s->audit_known = 0;
		return err;
	}
	s->audit_head = seq;
	return 0;
}

static int sq_audit_scan(ipam_store *st, uint64_t from, ipam_store_audit_cb cb, void *ctx)
{
	sqlstore *s = S(st);
	int err = 0, rc;
	sqlite3_stmt *q = stmt(s, S_AUDIT_SCAN, &err);
	if (!q)
		return err;
	sqlite3_bind_int64(q, 1, from > (uint64_t)INT64_MAX ? INT64_MAX : (sqlite3_int64)from);
	ipam_store_audit a;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		memset(&a, 0, sizeof a);
		a.seq = (uint64_t)sqlite3_column_int64(q, 0);
		a.time = sqlite3_column_int64(q, 1);
		a.actor = (const char *)sqlite3_column_text(q, 2);
		a.action = (const char *)sqlite3_column_text(q, 3);
		a.object = (const char *)sqlite3_column_text(q, 4);
		a.before = (const char *)sqlite3_column_text(q, 5);
		a.after = (const char *)sqlite3_column_text(q, 6);
		if (col_blob(q, 7, a.prev, 32) != 32 || col_blob(q, 8, a.hash, 32) != 32) {
			err = ipam_store_error(IPAM_EBACKEND, "%s: audit entry %llu is damaged", s->path,
				(unsigned long long)a.seq);
			break;
		}
		if ((err = cb(ctx, &a)))
			break;
	}
	if (!err && rc != SQLITE_DONE)
		err = fail(s, rc, "audit scan");
	sqlite3_reset(q);
	return err;
}

/* ---- meta -------------------------------------------------------------------- */

/* The store's own entries: the db layer may read them, not write them. */
static int meta_reserved(const char *name)
{
	return !strcmp(name, "schema_version") || !strcmp(name, "revision");
}

static int sq_meta_get(ipam_store *st, const char *name, char **value)
{
	sqlstore *s = S(st);
	int err = 0;
	*value = NULL;
	if (!name)
		return ipam_store_error(IPAM_EINVAL, "store: meta_get without a name");
	sqlite3_stmt *q = stmt(s, S_META_GET, &err);
	if (!q)
		return err;
	sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
	int rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		const char *v = (const char *)sqlite3_column_text(q, 0);
		if (!(*value = strdup(v ? v : "")))
			err = ipam__enomem();
	} else if (rc == SQLITE_DONE) {
		err = ipam_store_error(IPAM_ENOTFOUND, "%s: no metadata named \"%s\"", s->path, name);
	} else {
		err = fail(s, rc, "meta_get");
	}
	sqlite3_reset(q);
	return err;
}

static int sq_meta_put(ipam_store *st, const char *name, const char *value)
{
	sqlstore *s = S(st);
	int err = 0;
	if (!name)
		return ipam_store_error(IPAM_EINVAL, "store: meta_put without a name");
	if (meta_reserved(name))
		return ipam_store_error(IPAM_EINVAL, "%s: metadata \"%s\" belongs to the store", s->path, name);
	if ((err = need_write_tx(s)))
		return err;
	sqlite3_stmt *q = stmt(s, value ? S_META_SET : S_META_DEL, &err);
	if (!q)
		return err;
	sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
	if (value)
		sqlite3_bind_text(q, 2, value, -1, SQLITE_STATIC);
	return exec_stmt(s, q, "meta_put");
}

/* ---- keys -------------------------------------------------------------------- */

/* The key as SQLCipher takes it: the passphrase itself (SQLCipher runs its
 * KDF), or a raw key as the 67-character blob literal x'<64 hex>'. `hex`
 * receives the latter; the caller wipes it. */
typedef struct keytext {
	char hex[2 + 64 + 1 + 1];
	const char *ptr;
	int len;
} keytext;

static int key_text(keytext *kt, const char *path, const char *passphrase, const uint8_t *raw, size_t raw_len)
{
	memset(kt, 0, sizeof *kt);
	if (passphrase && raw)
		return ipam_store_error(IPAM_EINVAL, "%s: both a passphrase and a raw key given", path);
	if (raw) {
		if (raw_len != 32)
			return ipam_store_error(IPAM_EINVAL, "%s: a raw key must be 32 bytes, not %zu", path, raw_len);
		kt->hex[0] = 'x';
		kt->hex[1] = '\'';
		sodium_bin2hex(kt->hex + 2, 65, raw, 32);
		kt->hex[66] = '\'';
		kt->hex[67] = '\0';
		kt->ptr = kt->hex;
		kt->len = 67;
		return 0;
	}
	if (passphrase) {
		/* SQLCipher takes an empty key as "no encryption". */
		if (!passphrase[0])
			return ipam_store_error(IPAM_EAUTH, "%s: an empty passphrase", path);
		size_t n = strlen(passphrase);
		if (n > INT32_MAX)
			return ipam_store_error(IPAM_EINVAL, "%s: passphrase too long", path);
		kt->ptr = passphrase;
		kt->len = (int)n;
		return 0;
	}
	return ipam_store_error(IPAM_EAUTH, "%s: encrypted database and no key given (set IPAM_KEY or IPAM_KEY_FILE)",
		path);
}

static void key_wipe(keytext *kt)
{
	sodium_memzero(kt, sizeof *kt);
}

/* Read the answer of a one-row pragma into buf. */
static int pragma_text(sqlstore *s, const char *sql, char *buf, size_t size)
{
	sqlite3_stmt *q;
	int rc = sqlite3_prepare_v2(s->db, sql, -1, &q, NULL);
	if (rc != SQLITE_OK)
		return fail(s, rc, sql);
	buf[0] = '\0';
	rc = sqlite3_step(q);
	int err = 0;
	if (rc == SQLITE_ROW) {
		const unsigned char *t = sqlite3_column_text(q, 0);
		snprintf(buf, size, "%s", t ? (const char *)t : "");
	} else if (rc != SQLITE_DONE) {
		err = fail(s, rc, sql);
	}
	sqlite3_finalize(q);
	return err;
}

static int set_wal(sqlstore *s)
{
	char mode[16];
	int err = pragma_text(s, "PRAGMA journal_mode = WAL", mode, sizeof mode);
	if (!err && strcmp(mode, "wal") != 0)
		err = ipam_store_error(IPAM_EIO, "%s: cannot use write-ahead logging (journal mode stays %s)",
			s->path, mode);
	return err;
}

/* Change the key. SQLCipher 3 rewrites every page under the new key in one
 * transaction; it does not support doing that in WAL mode (the WAL would
 * hold pages under both keys), so the file leaves WAL mode for the rekey
 * and returns to it afterwards. That needs the file to itself: another
 * connection open on it makes the switch fail with IPAM_ECONFLICT. */
static int sq_rekey(ipam_store *st, const char *passphrase, const uint8_t *raw_key, size_t raw_len)
{
	sqlstore *s = S(st);
	keytext kt;
	char mode[16] = "";
	int err;

	if (s->tx != TX_NONE)
		return ipam_store_error(IPAM_EINVAL, "%s: rekey inside a transaction", s->path);
	if ((err = key_text(&kt, s->path, passphrase, raw_key, raw_len)))
		return err;
	/* Empty the log (its first column says whether a reader kept it from
	 * finishing), then leave WAL mode, which needs the file to ourselves. */
	err = pragma_text(s, "PRAGMA wal_checkpoint(TRUNCATE)", mode, sizeof mode);
	if (!err && strcmp(mode, "0") != 0)
		err = IPAM_ECONFLICT;
	if (!err) {
		err = pragma_text(s, "PRAGMA journal_mode = DELETE", mode, sizeof mode);
		if (!err && strcmp(mode, "delete") != 0)
			err = IPAM_ECONFLICT;
	}
	if (err == IPAM_ECONFLICT)
		ipam_store_error(err, "%s: cannot rekey while another connection has the database open", s->path);
	if (err)
		goto back;
	int rc = sqlite3_rekey(s->db, kt.ptr, kt.len);
	if (rc != SQLITE_OK)
		err = fail(s, rc, "rekey");
back:
	if (strcmp(mode, "wal") != 0) {
		int e2 = set_wal(s);
		if (!err)
			err = e2;
	}
	key_wipe(&kt);
	s->rev_valid = 0;
	return err;
}

/* ---- check ------------------------------------------------------------------- */

static int feed_ignore(void *ctx, const ipam_store_change *c)
{
	(void)ctx;
	(void)c;
	return 0;
}

static int sq_check(ipam_store *st)
{
	sqlstore *s = S(st);
	sqlite3_stmt *q;
	int rc, err = 0;

	if (s->tx != TX_NONE)
		return ipam_store_error(IPAM_EINVAL, "%s: check inside a transaction", s->path);

	if ((rc = sqlite3_prepare_v2(s->db, "PRAGMA integrity_check", -1, &q, NULL)) != SQLITE_OK)
		return fail(s, rc, "integrity_check");
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(q, 0);
		if (!t || strcmp(t, "ok") != 0) {
			/* The first problem: past the "*** in database main ***" line,
			 * up to the end of its own line. */
			if (!t)
				t = "(no answer)";
			const char *nl = strchr(t, '\n');
			if (!strncmp(t, "*** ", 4) && nl && nl[1])
				t = nl + 1;
			nl = strchr(t, '\n');
			err = ipam_store_error(IPAM_EBACKEND, "%s: integrity check: %.*s", s->path,
				nl ? (int)(nl - t) : (int)strlen(t), t);
		}
	} else {
		err = fail(s, rc, "integrity_check");
	}
	sqlite3_finalize(q);
	if (err)
		return err;

	if ((rc = sqlite3_prepare_v2(s->db, "PRAGMA foreign_key_check", -1, &q, NULL)) != SQLITE_OK)
		return fail(s, rc, "foreign_key_check");
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(q, 0);
		const char *p = (const char *)sqlite3_column_text(q, 2);
		err = ipam_store_error(IPAM_EBACKEND, "%s: foreign key check: a row of %s refers to a missing row of %s",
			s->path, t ? t : "?", p ? p : "?");
	} else if (rc != SQLITE_DONE) {
		err = fail(s, rc, "foreign_key_check");
	}
	sqlite3_finalize(q);
	if (err)
		return err;

	/* The store's own invariants: audit seqs 1..n without gaps, and no two
	 * addresses with one id (schema 5 has no index that would refuse it). */
	static const char own[] =
		"SELECT (SELECT count(*) FROM audit), (SELECT ifnull(max(seq), 0) FROM audit),"
		" (SELECT ifnull(min(seq), 1) FROM audit),"
		" (SELECT hex(id) FROM addresses GROUP BY id HAVING count(*) > 1 LIMIT 1)";
	if ((rc = sqlite3_prepare_v2(s->db, own, -1, &q, NULL)) != SQLITE_OK)
		return fail(s, rc, "check");
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		int64_t n = sqlite3_column_int64(q, 0), maxseq = sqlite3_column_int64(q, 1);
		int64_t minseq = sqlite3_column_int64(q, 2);
		const unsigned char *dup = sqlite3_column_text(q, 3);
		if (n != maxseq || minseq != 1)
			err = ipam_store_error(IPAM_EBACKEND, "%s: the audit log has gaps (%lld entries, last seq %lld)",
				s->path, (long long)n, (long long)maxseq);
		else if (dup)
			err = ipam_store_error(IPAM_EBACKEND, "%s: two addresses have the id %s", s->path,
				(const char *)dup);
	} else {
		err = fail(s, rc, "check");
	}
	sqlite3_finalize(q);
	if (err)
		return err;

	/* Every row of the change feed decodes. */
	return sq_changes(st, 0, feed_ignore, NULL);
}

/* ---- the migration to schema 4 ----------------------------------------------- */

/* Read one row of a schema-3 `changes` (revision, op, kind, name, space,
 * family, addr, last, len) into `key`; -1 when it is damaged. */
static int v3_change_row(sqlite3_stmt *q, unsigned *op, ipam_store_row *key)
{
	memset(key, 0, sizeof *key);
	*op = (unsigned)sqlite3_column_int(q, 1);
	key->kind = (unsigned)sqlite3_column_int(q, 2);
	key->name = (const char *)sqlite3_column_text(q, 3);
	if (*op != IPAM_STORE_PUT && *op != IPAM_STORE_DEL)
		return -1;
	if (key->kind == IPAM_STORE_TENANT || key->kind == IPAM_STORE_SPACE)
		return 0;
	if (IPAM_STORE_IS_OBJECT(key->kind))
		return col_blob(q, 4, key->space, 16) == 16 ? 0 : -1;
	if (key->kind < IPAM_STORE_PREFIX || key->kind > IPAM_STORE_ADDRESS)
		return -1;
	int family = sqlite3_column_int(q, 5);
	if (family != IPAM_AF_INET && family != IPAM_AF_INET6)
		return -1;
	if (col_blob(q, 4, key->space, 16) != 16 || col_addr(q, 6, &key->addr, family))
		return -1;
	if (key->kind == IPAM_STORE_RANGE && col_addr(q, 7, &key->last, family))
		return -1;
	key->len = (uint8_t)sqlite3_column_int(q, 8);
	return 0;
}

/* Schema 3 -> 4, inside the migration's transaction: pack the rows of
 * `changes` into `feed`, one row per revision (or more for a revision
 * bigger than FEED_CHUNK), then drop `changes` and `revisions`. The newest
 * revision of `revisions` stays the committed one even if it had no
 * change (an empty feed row). */
static int pack_v3(sqlstore *s)
{
	sqlite3_stmt *q;
	int rc, err = 0;
	uint64_t last = 0, newest = 0;

	rc = sqlite3_prepare_v2(s->db, "SELECT revision, op, kind, name, space, family, addr, last, len FROM changes"
		" ORDER BY seq", -1, &q, NULL);
	if (rc != SQLITE_OK)
		return fail(s, rc, "migrate the change feed");
	tx_reset(s);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		int64_t r = sqlite3_column_int64(q, 0);
		unsigned op;
		ipam_store_row key;
		if (r < 1 || (uint64_t)r < last || (uint64_t)r > FEED_REV_MAX || v3_change_row(q, &op, &key)) {
			err = ipam_store_error(IPAM_EBACKEND, "%s: migrate: a change row of revision %lld is damaged",
				s->path, (long long)r);
			break;
		}
		if ((uint64_t)r != last) {
			if (s->feed_len && (err = feed_flush(s)))
				break;
			s->tx_rev = last = (uint64_t)r;
			s->feed_part = 0;
		}
		if ((err = change_add(s, op, &key)))
			break;
	}
	if (!err && rc != SQLITE_DONE)
		err = fail(s, rc, "migrate the change feed");
	sqlite3_finalize(q);
	if (!err && s->feed_len)
		err = feed_flush(s);

	/* the committed revision */
	if (!err) {
		rc = sqlite3_prepare_v2(s->db, "SELECT ifnull(max(revision), 0) FROM revisions", -1, &q, NULL);
		if (rc != SQLITE_OK)
			return fail(s, rc, "migrate the change feed");
		if ((rc = sqlite3_step(q)) == SQLITE_ROW)
			newest = (uint64_t)sqlite3_column_int64(q, 0);
		else
			err = fail(s, rc, "migrate the change feed");
		sqlite3_finalize(q);
	}
	if (!err && newest > last && newest <= FEED_REV_MAX) {
		s->tx_rev = newest;
		s->feed_part = 0;
		if (!(err = feed_room(s, 1))) {
			s->feed[0] = FEED_FORMAT;
			s->feed_len = 1;
			err = feed_flush(s);
		}
	}
	/* Leave nothing behind on a store that may be closed next (create_store's). */
	sqlite3_finalize(s->stmt[S_FEED_ADD]);
	s->stmt[S_FEED_ADD] = NULL;
	tx_reset(s);
	if (s->feed)
		sodium_memzero(s->feed, s->feed_cap);
	free(s->feed);
	s->feed = NULL;
	s->feed_cap = 0;
	if (err)
		return err;
	return exec_sql(s, "DROP TABLE changes; DROP TABLE revisions;", "migrate the change feed");
}

/* ---- open and close --------------------------------------------------------- */

static void sq_free(ipam_store *st)
{
	sqlstore *s = S(st);
	if (!s)
		return;
	if (s->db) {
		if (!sqlite3_get_autocommit(s->db))
			sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		for (int i = 0; i < S_COUNT; i++)
			sqlite3_finalize(s->stmt[i]);
		sqlite3_close(s->db);
	}
	if (s->buf)
		sodium_memzero(s->buf, s->bufcap);
	free(s->buf);
	if (s->feed)
		sodium_memzero(s->feed, s->feed_cap);
	free(s->feed);
	free(s->path);
	sodium_memzero(s, sizeof *s);
	free(s);
}

/* Why the first read after keying failed, from what `file` looks like. */
static int classify_unreadable(sqlstore *s, int rc, const char *file)
{
	int prim = rc & 0xff;
	if (prim != SQLITE_NOTADB && prim != SQLITE_CORRUPT)
		return fail(s, rc, "open");

	struct stat sb;
	unsigned char head[16];
	int fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return ipam_store_error(IPAM_EIO, "%s: %s", s->path, strerror(errno));
	ssize_t n = read(fd, head, sizeof head);
	int st_ok = fstat(fd, &sb) == 0;
	close(fd);
	if (n == (ssize_t)sizeof head && memcmp(head, "SQLite format 3", 16) == 0)
		return ipam_store_error(IPAM_EINVAL, "%s: a plain SQLite file, not an encrypted libipam database",
			s->path);
	if (st_ok && (sb.st_size % PAGE_SIZE != 0 || (sb.st_size > 0 && sb.st_size < PAGE_SIZE)))
		return ipam_store_error(IPAM_EINVAL, "%s: not a libipam database (truncated or not a database)",
			s->path);
	/* A wrong key fails on page 1 (SQLITE_NOTADB); SQLITE_CORRUPT means
	 * page 1 authenticated under this key and what it says does not hold
	 * (a file cut on a page boundary, a damaged page). */
	if (prim == SQLITE_CORRUPT)
		return ipam_store_error(IPAM_EBACKEND, "%s: database file is damaged (truncated or corrupt)", s->path);
	return ipam_store_error(IPAM_EAUTH, "%s: wrong key, or not a libipam database", s->path);
}

/* The schema version: 0 for a file with no tables at all (new); -1 for a
 * file with tables but none of ours. */
static int schema_version(sqlstore *s, int64_t *out)
{
	sqlite3_stmt *q;
	int rc = sqlite3_prepare_v2(s->db,
		"SELECT (SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'meta'),"
		" (SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite!_%' ESCAPE '!')",
		-1, &q, NULL);
	if (rc != SQLITE_OK)
		return fail(s, rc, "read the schema");
	int err = 0;
	int64_t has_meta = 0, objects = 0;
	if ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		has_meta = sqlite3_column_int64(q, 0);
		objects = sqlite3_column_int64(q, 1);
	} else {
		err = fail(s, rc, "read the schema");
	}
	sqlite3_finalize(q);
	if (err)
		return err;
	if (!has_meta) {
		*out = objects ? -1 : 0;
		return 0;
	}
	rc = sqlite3_prepare_v2(s->db, "SELECT CAST(value AS INTEGER) FROM meta WHERE name = 'schema_version'",
		-1, &q, NULL);
	if (rc == SQLITE_ERROR) {
		/* a table named meta of somebody else's, without our columns */
		*out = -1;
		return 0;
	}
	if (rc != SQLITE_OK)
		return fail(s, rc, "read the schema version");
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(q, 0);
	else if (rc == SQLITE_DONE)
		*out = -1;
	else
		err = fail(s, rc, "read the schema version");
	sqlite3_finalize(q);
	if (!err && *out == 0)
		*out = -1; /* a meta table that says 0 is none of ours */
	return err;
}

/* Whether this code can use a file of schema version v (see schema_version). */
static int version_ok(sqlstore *s, int64_t v, int create)
{
	if (v < 0)
		return ipam_store_error(IPAM_EINVAL, "%s: not a libipam database", s->path);
	if (v > SCHEMA_LATEST)
		return ipam_store_error(IPAM_EINVAL,
			"%s: written by a newer libipam (schema %lld; this library reads up to %d)",
			s->path, (long long)v, SCHEMA_LATEST);
	if (v == 0 && !create)
		return ipam_store_error(IPAM_EINVAL, "%s: not a libipam database (truncated or not a database)",
			s->path);
	return 0;
}

/* Bring the schema up to SCHEMA_LATEST, one step per transaction. The
 * version is read again under the write lock: two processes creating the
 * same new file at once end up with one schema. */
static int migrate(sqlstore *s, int create)
{
	int64_t v;
	int err = schema_version(s, &v);
	while (!err && !(err = version_ok(s, v, create)) && v < SCHEMA_LATEST) {
		if ((err = exec_sql(s, "BEGIN IMMEDIATE", "migrate")))
			break;
		if ((err = schema_version(s, &v)) || (err = version_ok(s, v, create)))
			break;
		if (v < SCHEMA_LATEST) {
			if ((err = exec_sql(s, migrations[v].sql, "migrate")) ||
			    (migrations[v].step && (err = migrations[v].step(s))))
				break;
			sqlite3_stmt *q;
			int rc = sqlite3_prepare_v2(s->db,
				"INSERT OR REPLACE INTO meta(name, value) VALUES('schema_version', ?1)", -1, &q, NULL);
			if (rc != SQLITE_OK) {
				err = fail(s, rc, "migrate");
				break;
			}
			sqlite3_bind_int64(q, 1, v + 1);
			rc = sqlite3_step(q);
			if (rc != SQLITE_DONE)
				err = fail(s, rc, "migrate");
			sqlite3_finalize(q);
			if (err)
				break;
			v++;
		}
		err = exec_sql(s, "COMMIT", "migrate");
	}
	if (err && !sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return err;
}

static int configure(sqlstore *s, const ipam__store_args *args)
{
	char sql[64];
	int err;
	if ((err = set_wal(s)))
		return err;
	if ((err = exec_sql(s, "PRAGMA foreign_keys = ON", "foreign_keys")))
		return err;
	snprintf(sql, sizeof sql, "PRAGMA synchronous = %s", args->flags & IPAM_OPEN_DURABLE ? "FULL" : "NORMAL");
	if ((err = exec_sql(s, sql, "synchronous")))
		return err;
	/* A bigger page cache than SQLite's 2 MB: the id indexes take random
	 * inserts, and every page that falls out of the cache is encrypted
	 * and decrypted again. 32 MB per store. */
	return exec_sql(s, "PRAGMA cache_size = -32768", "cache_size");
}

static void unlink_all(const char *path)
{
	static const char *const suffix[] = { "", "-wal", "-shm", "-journal" };
	size_t n = strlen(path);
	char *p = malloc(n + 16);
	if (!p)
		return;
	for (size_t i = 0; i < sizeof suffix / sizeof suffix[0]; i++) {
		snprintf(p, n + 16, "%s%s", path, suffix[i]);
		unlink(p);
	}
	free(p);
}

/* Open a connection on `file` with the key, and read page 1: where a wrong
 * key or a file that is not a database shows. Messages name s->path. */
static int connect_keyed(sqlstore *s, const char *file, const keytext *kt, unsigned busy_ms)
{
	ipam__sqlcipher_provider_install();
	int rc = sqlite3_open_v2(file, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_PRIVATECACHE,
		NULL);
	if (rc != SQLITE_OK) {
		if (rc == SQLITE_NOMEM || !s->db)
			return ipam__enomem();
		return fail(s, rc, "open");
	}
	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_timeout(s->db, busy_ms ? (int)(busy_ms > INT32_MAX ? INT32_MAX : busy_ms) : 10000);
	if ((rc = sqlite3_key(s->db, kt->ptr, kt->len)) != SQLITE_OK)
		return fail(s, rc, "key");
	int err = exec_sql(s, "PRAGMA cipher_page_size = 4096", "cipher_page_size");
	if (err)
		return err;
	rc = sqlite3_exec(s->db, "SELECT count(*) FROM sqlite_master", NULL, NULL, NULL);
	return rc == SQLITE_OK ? 0 : classify_unreadable(s, rc, file);
}

static int fsync_path(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int rc = fsync(fd);
	close(fd);
	return rc;
}

/* Put a new store at `path`, whole or not at all. It is made under a
 * temporary name beside `path` and then linked into place, so that no
 * process ever opens a half-made store: SQLCipher picks a file's salt when
 * it first writes page 1, and two processes initialising one empty file
 * at once would each pick their own (and read each other's pages as a
 * wrong key). `replace`: `path` is an empty file, held under flock by the
 * caller, which the new store replaces; otherwise the link fails with
 * EEXIST when another process put a store there first, and *lost is set. */
static int create_store(const char *path, const keytext *kt, const ipam__store_args *args, int replace,
                        mode_t mode, int *lost)
{
	size_t n = strlen(path) + 16;
	char *tmp = malloc(n);
	int err = 0;
	*lost = 0;
	if (!tmp)
		return ipam__enomem();
	snprintf(tmp, n, "%s.new-XXXXXX", path);
	int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		err = ipam_store_error(IPAM_EIO, "%s: cannot create: %s", path, strerror(errno));
		free(tmp);
		return err;
	}
	if (replace)
		fchmod(fd, mode & 0777);
	close(fd);

	sqlstore t;
	memset(&t, 0, sizeof t);
	t.path = (char *)path;
	char mode_text[16];
	if (!(err = connect_keyed(&t, tmp, kt, args->busy_timeout_ms)) && !(err = configure(&t, args)) &&
	    !(err = migrate(&t, 1)) &&
	    !(err = pragma_text(&t, "PRAGMA wal_checkpoint(TRUNCATE)", mode_text, sizeof mode_text)) &&
	    strcmp(mode_text, "0") != 0)
		err = ipam_store_error(IPAM_EIO, "%s: cannot create: the new file's log would not empty", path);
	if (t.db && sqlite3_close(t.db) != SQLITE_OK && !err)
		err = ipam_store_error(IPAM_EIO, "%s: cannot create: %s", path, sqlite3_errmsg(t.db));
	if (!err && fsync_path(tmp, O_RDONLY) != 0)
		err = ipam_store_error(IPAM_EIO, "%s: cannot create: %s", path, strerror(errno));

	if (!err) {
		if (replace) {
			if (rename(tmp, path) != 0)
				err = ipam_store_error(IPAM_EIO, "%s: cannot create: %s", path, strerror(errno));
		} else if (link(tmp, path) != 0) {
			if (errno == EEXIST)
				*lost = 1;
			else
				err = ipam_store_error(IPAM_EIO, "%s: cannot create: %s", path, strerror(errno));
		}
	}
	/* The temporary name and anything SQLite left beside it are ours. */
	unlink_all(tmp);
	free(tmp);
	if (!err) {
		/* make the new name durable along with the file */
		char *dir = strdup(path);
		if (dir) {
			char *slash = strrchr(dir, '/');
			if (slash)
				*(slash == dir ? slash + 1 : slash) = '\0';
			fsync_path(slash ? dir : ".", O_RDONLY | O_DIRECTORY);
			free(dir);
		}
	}
	return err;
}

/* `path` is an empty file and the caller may create: make it a store.
 * Processes doing this at once queue on a flock of the empty file; the
 * first replaces it, and the others find that `path` is no longer the
 * file they locked and open what is there. */
static int fill_empty(const char *path, const keytext *kt, const ipam__store_args *args)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : ipam_store_error(IPAM_EIO, "%s: %s", path, strerror(errno));
	int err = 0, lost;
	struct stat held, now;
	if (flock(fd, LOCK_EX) != 0)
		err = ipam_store_error(IPAM_EIO, "%s: %s", path, strerror(errno));
	else if (fstat(fd, &held) == 0 && held.st_size == 0 && stat(path, &now) == 0 && now.st_dev == held.st_dev &&
	         now.st_ino == held.st_ino)
		err = create_store(path, kt, args, 1, held.st_mode, &lost);
	close(fd); /* and the lock with it */
	return err;
}

int ipam__store_sqlcipher_open(ipam_store **out, const ipam__store_args *args)
{
	struct stat sb;
	keytext kt;
	int err;
	const char *path = args ? args->path : NULL;

	*out = NULL;
	if (!path || !path[0])
		return ipam_store_error(IPAM_EINVAL, "file store: no path given");
	unsigned create = args->flags & IPAM_OPEN_CREATE, excl = create && (args->flags & IPAM_OPEN_EXCL);

	int exists = stat(path, &sb) == 0;
	if (!exists && errno != ENOENT)
		return ipam_store_error(IPAM_EIO, "%s: %s", path, strerror(errno));
	if (!exists && !create)
		return ipam_store_error(IPAM_ENOTFOUND, "%s: no such file (create it with ipamctl init)", path);
	if (exists && excl)
		return ipam_store_error(IPAM_EEXISTS, "%s: already exists", path);
	if (exists && S_ISDIR(sb.st_mode))
		return ipam_store_error(IPAM_EIO, "%s: %s", path, strerror(EISDIR));
	if (exists && sb.st_size == 0 && !create)
		return ipam_store_error(IPAM_EINVAL, "%s: not a libipam database (truncated or not a database)", path);
	if ((err = key_text(&kt, path, args->passphrase, args->raw_key, args->raw_len)))
		return err;

	if (!exists) {
		int lost;
		if ((err = create_store(path, &kt, args, 0, 0600, &lost)))
			goto out;
		if (lost && excl) {
			err = ipam_store_error(IPAM_EEXISTS, "%s: already exists", path);
			goto out;
		}
	} else if (sb.st_size == 0 && (err = fill_empty(path, &kt, args))) {
		goto out;
	}

	sqlstore *s = calloc(1, sizeof *s);
	if (!s || !(s->path = strdup(path))) {
		free(s);
		err = ipam__enomem();
		goto out;
	}
	s->base.version = IPAM_STORE_VERSION;
	s->base.scheme = "file";
	s->base.begin = sq_begin;
	s->base.commit = sq_commit;
	s->base.rollback = sq_rollback;
	s->base.put = sq_put;
	s->base.del = sq_del;
	s->base.get = sq_get;
	s->base.scan = sq_scan;
	s->base.bump = sq_bump;
	s->base.revision = sq_revision;
	s->base.changes = sq_changes;
	s->base.audit_head = sq_audit_head;
	s->base.audit_append = sq_audit_append;
	s->base.audit_scan = sq_audit_scan;
	s->base.meta_get = sq_meta_get;
	s->base.meta_put = sq_meta_put;
	s->base.free = sq_free;
	s->base.rekey = sq_rekey;
	s->base.check = sq_check;

	/* Look before touching: a file that is not ours (or newer) is left
	 * exactly as it was, not even switched to WAL mode. A keyed file with
	 * no tables at all (made by hand) is given the schema when the caller
	 * may create. */
	int64_t v;
	if ((err = connect_keyed(s, path, &kt, args->busy_timeout_ms)) || (err = schema_version(s, &v)) ||
	    (err = version_ok(s, v, create != 0)) || (err = configure(s, args)) || (err = migrate(s, create != 0)) ||
	    !stmt(s, S_ROLLBACK, &err)) {
		sq_free(&s->base);
		goto out;
	}
	*out = &s->base;
out:
	key_wipe(&kt);
	return err;
}
