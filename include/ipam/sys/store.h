/**
 * @file ipam/sys/store.h
 * @brief The storage vtable: for people who write a storage backend.
 *
 * libipam keeps its objects in a store: rows of a few kinds (tenants,
 * spaces, prefixes, ranges, addresses; more kinds are appended later), a
 * revision counter with a change feed, the audit chain and a little
 * metadata. The store knows no IPAM semantics: the db layer (the ipam_db
 * handle) validates, allocates in its in-memory index, and hands the store
 * finished rows inside a transaction.
 *
 * Built-in backends register by URI scheme: `memory:` (rows in RAM, for
 * tests and throwaway use), `file:PATH` or a bare path (SQLCipher, the
 * default). An application may bring its own backend and open a handle on
 * it with ipam_db_open_store().
 *
 * ## Versioning (in the manner of sqlite3_vfs and git_odb_backend)
 * A backend embeds `ipam_store` as the first member of its own struct and
 * sets `version` to the IPAM_STORE_VERSION it was written against. Methods
 * are only ever appended. The library calls an optional method only when
 * the backend's `version` has it and the pointer is not NULL.
 *
 * ## Rows and natural keys
 * Every row has a UUID (`id`, made by libipam when the object is created)
 * and a natural key that is unique in the store:
 * - tenant: `name`; space: `name`;
 * - prefix: (`space`, `addr`, `len`);
 * - range: (`space`, `addr`, `last`);
 * - address: (`space`, `addr`).
 * `put`, `del` and `get` find a row by its natural key. The SQL backends
 * declare these as UNIQUE constraints: they are the last defence against
 * two writers that both believed an address free.
 *
 * ## Transactions
 * Every method but `revision`, `free` and the ones marked otherwise runs
 * inside a transaction opened by `begin`. One transaction at a time per
 * store object; the db layer serializes its callers. A write transaction
 * takes whatever the backend needs so that it cannot lose an update
 * (SQLite: BEGIN IMMEDIATE; PostgreSQL: SERIALIZABLE). When a backend
 * detects that the transaction lost a race (SQLITE_BUSY after the busy
 * timeout, SQLSTATE 40001/40P01, a unique violation on a natural key while
 * inserting) it returns IPAM_ECONFLICT, and the db layer's retry loop
 * (ipam_db_run) rolls back and runs the whole transaction again.
 *
 * ## The change feed
 * Each committed write transaction gets a revision. `revision` returns the
 * newest committed one; `changes` reports every row put or deleted by the
 * transactions committed after a revision the caller saw, oldest first.
 * The db layer keeps its in-memory index as a cache of the rows: before
 * every call it compares revisions and replays the changes it has not seen,
 * so processes sharing one store see each other's writes. A backend whose
 * commit order is not the order of its revision numbers (many nodes) must
 * still never skip a change: that is its contract, not the db layer's.
 *
 * ## Errors
 * Methods return 0 or a negative IPAM_E* code, and set the message with
 * ipam_store_error() (foreign codes such as SQLite's or SQLSTATEs are
 * translated here, at the boundary, never leaked). Secrets (keys,
 * passphrases) never appear in a message.
 */
#ifndef IPAM_SYS_STORE_H
#define IPAM_SYS_STORE_H

#include "../common.h"
#include "../addr.h"
#include "../db.h"

IPAM_BEGIN_DECL

/** The kinds of rows. Values are stable; kinds are only appended. */
typedef enum ipam_store_kind {
	IPAM_STORE_TENANT = 1,
	IPAM_STORE_SPACE = 2,
	IPAM_STORE_PREFIX = 3,
	IPAM_STORE_RANGE = 4,
	IPAM_STORE_ADDRESS = 5,
	/* Stored objects (since 0.1): every kind from IPAM_STORE_OBJECT_MIN on
	 * has the same shape, and the store treats them all alike (it knows no
	 * DNS or DHCP): the natural key is (kind, `space`, `name`), where
	 * `space` holds the id of the object's parent (a space, a zone, a
	 * server ...; all zero for none) and `name` is unique under it; the
	 * object's own fields are in `attrs`. Which kind means what is the db
	 * layer's business; the values below are fixed. */
	IPAM_STORE_ZONE = 6,        /**< a DNS zone (parent: its view, or none) */
	IPAM_STORE_RECORD = 7,      /**< a DNS record set entry (parent: its zone) */
	IPAM_STORE_SERVER = 8,      /**< a deployment target: DNS or DHCP server */
	IPAM_STORE_CREDENTIAL = 9,  /**< a secret, sealed by the db layer before the store sees it */
	IPAM_STORE_TEMPLATE = 10,   /**< a DNS zone template */
	IPAM_STORE_SCOPE = 11,      /**< a DHCP scope (parent: its space) */
	IPAM_STORE_OPTION_SET = 12, /**< a DHCP option template */
	IPAM_STORE_STATE = 13,      /**< per-target deployment state (what was last pushed) */
	IPAM_STORE_OBSERVATION = 14, /**< what discovery saw (parent: its space) */
} ipam_store_kind;

/** The first stored-object kind: kinds from here on are keyed (kind, space, name). */
#define IPAM_STORE_OBJECT_MIN 6

/** The number of the last kind this header knows. */
#define IPAM_STORE_KIND_MAX 14

/** Non-zero for a stored-object kind (keyed by kind, parent and name). */
#define IPAM_STORE_IS_OBJECT(kind) ((kind) >= IPAM_STORE_OBJECT_MIN && (kind) <= IPAM_STORE_KIND_MAX)

/**
 * One row. Which fields a kind uses is said field by field; the others are
 * zero. Strings are NUL-terminated UTF-8 or NULL. In a row handed to the
 * store they are borrowed for the call; in a row the store hands out they
 * live until the next call on the store.
 */
typedef struct ipam_store_row {
	unsigned int kind;   /**< ipam_store_kind */
	uint8_t id[16];      /**< the object's UUID */
	uint8_t tenant[16];  /**< the owning tenant's UUID (all kinds but tenant) */
	uint8_t space[16];   /**< the space's UUID (prefix, range, address); a stored object's parent */
	uint64_t revision;   /**< set by the store: the revision that last wrote the row */
	uint64_t version;    /**< optimistic version (prefix: bumped by allocations inside it) */
	int64_t created;     /**< microseconds since the Unix epoch */
	int64_t updated;     /**< microseconds since the Unix epoch */
	const char *name;    /**< tenant, space, stored object: the name (part of the key); address: the host name */
	const char *description; /**< free text (prefix, range, address; kept for every kind) */
	const char *attrs;   /**< a JSON object (space: its labels; stored object: its fields); NULL for {} */
	ipam_addr addr;      /**< prefix: the network; range: the first address; address: the address */
	ipam_addr last;      /**< range: the last address */
	uint8_t len;         /**< prefix: the length */
	uint8_t status;      /**< prefix, address: ipam_status */
	uint8_t pool;        /**< prefix: 1 for a pool */
	uint8_t purpose;     /**< range: ipam_range_purpose */
	uint8_t mac[8];      /**< address: the MAC (EUI-48 or EUI-64) */
	uint8_t maclen;      /**< address: 0 (none), 6 or 8 */
	uint8_t reserved_[7];
} ipam_store_row;

/** What a change did to a row. */
typedef enum ipam_store_op {
	IPAM_STORE_PUT = 1, /**< the row was inserted or updated */
	IPAM_STORE_DEL = 2, /**< the row was deleted */
} ipam_store_op;

/**
 * One entry of the change feed. `key` holds the kind and the natural key
 * of the row (the other fields may be zero): the reader looks the row up
 * again with `get` to learn its current state.
 */
typedef struct ipam_store_change {
	uint64_t revision;       /**< the revision of the transaction that made it */
	unsigned int op;         /**< ipam_store_op */
	ipam_store_row key;      /**< kind and natural key */
} ipam_store_change;

/**
 * One audit entry as stored. `hash` is BLAKE2b-256 over the canonical form
 * of the other fields and `prev` (see docs/storage.md); the db layer makes
 * the hash, the store only keeps it. Strings as in ipam_store_row.
 */
typedef struct ipam_store_audit {
	uint64_t seq;        /**< 1, 2, 3, ... with no gaps */
	int64_t time;        /**< microseconds since the Unix epoch */
	const char *actor;   /**< who */
	const char *action;  /**< what, e.g. "address.alloc" */
	const char *object;  /**< which object, e.g. "address default 10.0.0.5" */
	const char *before;  /**< JSON of the object before, or NULL */
	const char *after;   /**< JSON of the object after, or NULL */
	uint8_t prev[32];    /**< hash of entry seq-1 (zero for seq 1) */
	uint8_t hash[32];    /**< hash of this entry */
} ipam_store_audit;

/** The version of the vtable this header describes. */
#define IPAM_STORE_VERSION 1

/** put flags */
#define IPAM_STORE_PUT_NEW 1u /**< the row must not exist: IPAM_EEXISTS if it does (the db layer makes that a conflict) */

typedef struct ipam_store ipam_store;

typedef int (*ipam_store_row_cb)(void *ctx, const ipam_store_row *row);
typedef int (*ipam_store_change_cb)(void *ctx, const ipam_store_change *change);
typedef int (*ipam_store_audit_cb)(void *ctx, const ipam_store_audit *entry);

/**
 * A storage backend. Embed it first in the backend's own struct.
 *
 * Scans and feeds call the callback once per item; a non-zero return from
 * the callback stops the scan and is returned as is. Strings in a row or
 * entry handed to a callback live until the callback returns; strings in a
 * row filled by `get` live until the next call on the store. A callback
 * may read the store but not write it.
 *
 * Rules every backend keeps (the conformance suite checks them):
 * - every method but `revision`, `free`, `rekey` and `check` runs inside a
 *   transaction (IPAM_EINVAL outside one); writes need a write transaction;
 * - a write transaction that puts or deletes no row takes no revision;
 *   `bump`, audit entries and meta do not count as row changes;
 * - inside a write transaction `revision` and `changes` report what was
 *   committed before it, not its own changes;
 * - `audit_append` takes exactly the head's seq plus one (or 0: "the next");
 * - a backend may enforce that rows name an existing space and tenant
 *   (SQL foreign keys): the db layer writes a space before its contents and
 *   removes the contents before the space;
 * - meta names starting with "audit." belong to the db layer; a backend may
 *   reserve its own (SQLCipher: "schema_version", "revision").
 */
struct ipam_store {
	unsigned int version; /**< IPAM_STORE_VERSION the backend was written against */
	void *owner;          /**< set by libipam: the ipam_db that owns the store */
	const char *scheme;   /**< the URI scheme, e.g. "file"; static storage */

	/* ---- version 1 ---- */

	/** Open a transaction; `write` non-zero for one that will write. */
	int (*begin)(ipam_store *st, int write);
	/** Commit. IPAM_ECONFLICT when the transaction lost a race (nothing was committed). */
	int (*commit)(ipam_store *st);
	/** Roll back; never fails in a way the caller could act on. */
	void (*rollback)(ipam_store *st);

	/** Insert a row, or replace the one with the same natural key (keeping its id and created time). */
	int (*put)(ipam_store *st, const ipam_store_row *row, unsigned int flags);
	/** Delete the row with the natural key of `key`: 0 or IPAM_ENOTFOUND. */
	int (*del)(ipam_store *st, const ipam_store_row *key);
	/** Fill `row` (kind and natural key set by the caller) with the stored row: 0 or IPAM_ENOTFOUND. */
	int (*get)(ipam_store *st, ipam_store_row *row);
	/** Every row of a kind, in any order. */
	int (*scan)(ipam_store *st, unsigned int kind, ipam_store_row_cb cb, void *ctx);
	/** Add one to the `version` of the row with the natural key of `key` (a prefix). */
	int (*bump)(ipam_store *st, const ipam_store_row *key);

	/** The newest committed revision (0 for an empty store). May run outside a transaction. */
	int (*revision)(ipam_store *st, uint64_t *out);
	/** Every change of the transactions committed after `since`, oldest first. */
	int (*changes)(ipam_store *st, uint64_t since, ipam_store_change_cb cb, void *ctx);

	/** The last audit entry's seq and hash (0 and zeros when there is none). */
	int (*audit_head)(ipam_store *st, uint64_t *seq, uint8_t hash[32]);
	/** Append one entry; its seq is the head's plus one. */
	int (*audit_append)(ipam_store *st, const ipam_store_audit *entry);
	/** The entries with seq >= from, in the order the store keeps them (by seq). */
	int (*audit_scan)(ipam_store *st, uint64_t from, ipam_store_audit_cb cb, void *ctx);

	/** A metadata value by name (a copy the caller frees with free()): 0 or IPAM_ENOTFOUND. */
	int (*meta_get)(ipam_store *st, const char *name, char **value);
	/** Set (value non-NULL) or remove (NULL) a metadata value. */
	int (*meta_put)(ipam_store *st, const char *name, const char *value);

	/** Close the store and free it (outside any transaction). */
	void (*free)(ipam_store *st);

	/* ---- optional (version 1, may be NULL) ---- */

	/** Change the encryption key (outside any transaction); IPAM_EPERM if the store has none. */
	int (*rekey)(ipam_store *st, const char *passphrase, const uint8_t *raw_key, size_t raw_len);
	/** Check the store's own integrity (e.g. PRAGMA integrity_check); outside any transaction. */
	int (*check)(ipam_store *st);
};

/**
 * Set the thread's error message from a backend: what ipam_error_last()
 * shows. Returns `code`, so that a backend may write
 * `return ipam_store_error(IPAM_EBACKEND, "...", ...);`.
 * @since 0.2
 */
IPAM_EXTERN(int) ipam_store_error(int code, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;

/**
 * Open a database on a store the caller made. The handle owns the store
 * from then on (it calls `free` when the handle is freed, also when the
 * open fails).
 * @param out   receives the handle
 * @param store a backend (version 1 or later)
 * @param opts  as for ipam_db_open(); the key fields are ignored
 * @return 0; IPAM_EINVAL for a store of an unknown version or missing methods; what loading the store returned
 * @since 0.2
 */
IPAM_EXTERN(int) ipam_db_open_store(ipam_db **out, ipam_store *store, const ipam_open_options *opts);

IPAM_END_DECL

#endif
