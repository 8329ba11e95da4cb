/**
 * @file ipam/db.h
 * @brief The database handle.
 *
 * An ipam_db is opened on a store URI:
 * - `file:PATH` or a bare path: one SQLCipher file, encrypted at rest
 *   (AES-256) with a key from a passphrase or a raw 256-bit key file;
 * - `memory:`: rows in RAM, gone when the handle is freed (tests, scratch);
 * - `index:`: the in-memory index alone, with no store under it: no audit
 *   chain, nothing kept (benchmarks of the engine itself).
 *
 * The handle keeps an in-memory index of everything in the store. It is a
 * cache: before each call the handle catches up with the changes other
 * handles and processes committed, so many processes may share one file.
 *
 * Every change runs in a transaction: a call made outside one runs in its
 * own. ipam_db_begin() / ipam_db_commit() group calls; ipam_db_run() groups
 * them and runs them again when another writer won a race. Every committed
 * change writes exactly one audit entry (see audit.h).
 *
 * A handle may be shared between threads: every call takes the handle's
 * own lock, so calls on one handle are serialized, and a transaction
 * belongs to the thread that began it (other threads wait until it ends).
 * Handles are independent of one another; the library keeps no global
 * mutable state.
 */
#ifndef IPAM_DB_H
#define IPAM_DB_H

#include "common.h"

IPAM_BEGIN_DECL

/** An open database (opaque). */
typedef struct ipam_db ipam_db;

/** Options for ipam_db_open(). Fields are only ever appended. */
typedef struct ipam_open_options {
	unsigned int version; /**< IPAM_OPEN_OPTIONS_VERSION */
	/** The principal recorded as the actor of every change; NULL: the OS user. */
	const char *actor;
	/* ---- version 2 ---- */
	/** IPAM_OPEN_* flags. @since 0.2 */
	unsigned int flags;
	/** The passphrase of an encrypted file (a KDF derives the key). @since 0.2 */
	const char *passphrase;
	/** A file holding a raw 256-bit key: 32 bytes, or 64 hex digits and an optional newline. @since 0.2 */
	const char *key_file;
	/** How long to wait for another process's write transaction, in ms; 0: 10000. @since 0.2 */
	unsigned int busy_timeout_ms;
	/** How many times ipam_db_run() runs a transaction that lost a race; 0: 50. @since 0.2 */
	unsigned int retry_max;
	/* ---- version 3 ---- */
	/** A file holding the 256-bit key that seals stored secrets (TSIG keys, API tokens,
	 *  passwords): 32 bytes, or 64 hex digits and an optional newline. Needed for a
	 *  PostgreSQL / CockroachDB store, which never holds the key itself; an encrypted
	 *  file store without it keeps a key of its own inside the file. @since 0.2 */
	const char *secret_key_file;
} ipam_open_options;

/** Create the store if it does not exist. @since 0.2 */
#define IPAM_OPEN_CREATE 0x1u
/** With IPAM_OPEN_CREATE: fail with IPAM_EEXISTS if it exists. @since 0.2 */
#define IPAM_OPEN_EXCL 0x2u
/** Durable commits: every commit reaches the disk before it returns (SQLite synchronous=FULL);
 *  without it a commit survives a crash of the process but maybe not of the machine. @since 0.2 */
#define IPAM_OPEN_DURABLE 0x4u

#define IPAM_OPEN_OPTIONS_VERSION 3
#define IPAM_OPEN_OPTIONS_INIT { IPAM_OPEN_OPTIONS_VERSION, NULL, 0, NULL, NULL, 0, 0, NULL }

/**
 * Initialize an options struct to its defaults.
 * @return 0, or IPAM_EINVAL for an unknown version @since 0.1
 */
IPAM_EXTERN(int) ipam_open_options_init(ipam_open_options *opts, unsigned int version);

/**
 * Open a database.
 *
 * @param out  receives the handle; free it with ipam_db_free()
 * @param uri  the store: "file:PATH" or a path (SQLCipher); "postgresql://..." or
 *             "postgres://..." or a libpq keyword string such as "host=db1 dbname=ipam"
 *             (PostgreSQL or CockroachDB; TLS options such as sslmode, sslrootcert,
 *             sslcert and sslkey pass through to libpq; see docs/cockroachdb.md);
 *             "memory:"; "index:" (NULL means "memory:")
 * @param opts NULL for defaults
 * @return 0; IPAM_EINVAL for an unknown or malformed URI, or a file that
 *         is not a libipam database; IPAM_EAUTH for a wrong key;
 *         IPAM_ENOTFOUND for a missing file without IPAM_OPEN_CREATE;
 *         IPAM_EEXISTS with IPAM_OPEN_EXCL; IPAM_EIO; IPAM_EBACKEND;
 *         IPAM_ENOMEM
 * @since 0.1
 */
IPAM_EXTERN(int) ipam_db_open(ipam_db **out, const char *uri, const ipam_open_options *opts);

/**
 * Begin a transaction on the handle. It belongs to the calling thread until
 * ipam_db_commit() or ipam_db_rollback(); calls from other threads wait.
 * Transactions do not nest.
 * @return 0; IPAM_EINVAL when one is already open; IPAM_ECONFLICT when the
 *         store is busy past the timeout; IPAM_EBACKEND @since 0.2
 */
IPAM_EXTERN(int) ipam_db_begin(ipam_db *db);

/**
 * Commit the transaction. When a call inside it failed at the store (not a
 * plain validation error such as IPAM_EEXISTS, which leaves the
 * transaction usable), the transaction is rolled back instead and that
 * call's error is returned.
 * @return 0; IPAM_ECONFLICT (rolled back: run it again); IPAM_EBACKEND; IPAM_EIO @since 0.2
 */
IPAM_EXTERN(int) ipam_db_commit(ipam_db *db);

/** Roll the transaction back: the store and the index are as before ipam_db_begin(). @since 0.2 */
IPAM_EXTERN(void) ipam_db_rollback(ipam_db *db);

/** The body of a transaction run by ipam_db_run(): 0 to commit, else an IPAM_E* code. */
typedef int (*ipam_txn_fn)(ipam_db *db, void *ctx);

/**
 * Run `fn` in a transaction and commit it. When the transaction loses a
 * race with another writer (IPAM_ECONFLICT from a call inside `fn` or from
 * the commit), roll back, wait a jittered, growing delay and run `fn`
 * again, up to the handle's retry_max times. `fn` must therefore have no
 * side effects outside the database that cannot be repeated.
 *
 * The changing calls of the engine (ipam_ip_alloc, ipam_ip_add, ipam_ip_release,
 * ipam_prefix_add, ipam_prefix_rm, ipam_prefix_alloc, ipam_range_add, ipam_range_rm,
 * ipam_space_add, ipam_space_rm) do the same by themselves when called outside a
 * transaction of the caller's; inside one, a lost race is returned, and the whole
 * transaction is the caller's to run again.
 *
 * The wait between tries ends at once when the calling thread's
 * cancellation token (ipam/cancel.h) is triggered: no further try, and
 * IPAM_ECANCELED (the last try rolled back, as for any failure).
 * @return 0; what `fn` returned (rolled back); IPAM_ECONFLICT after the last try;
 *         IPAM_ECANCELED (canceled while waiting to try again) @since 0.2
 */
IPAM_EXTERN(int) ipam_db_run(ipam_db *db, ipam_txn_fn fn, void *ctx);

/** The newest revision of the store the handle has caught up with. @since 0.2 */
IPAM_EXTERN(int) ipam_db_revision(uint64_t *out, ipam_db *db);

/**
 * Change the key of an encrypted store. Give a passphrase or a key file.
 * @return 0; IPAM_EPERM for a store with no encryption; IPAM_EINVAL inside a transaction @since 0.2
 */
IPAM_EXTERN(int) ipam_db_rekey(ipam_db *db, const char *passphrase, const char *key_file);

/**
 * Check the store (SQLite's integrity_check and foreign keys) and the index
 * against it. @return 0, or IPAM_EBACKEND with a message naming the first problem @since 0.2
 */
IPAM_EXTERN(int) ipam_db_check(ipam_db *db);

/** Close a database and free everything it holds; NULL-safe. @since 0.1 */
IPAM_EXTERN(void) ipam_db_free(ipam_db *db);

/** Figures about the in-memory index of a database. */
typedef struct ipam_db_stats {
	unsigned int version;    /**< IPAM_DB_STATS_VERSION */
	uint64_t spaces;         /**< number of spaces */
	uint64_t prefixes;       /**< number of prefixes */
	uint64_t addresses;      /**< number of addresses */
	uint64_t ranges;         /**< number of ranges */
	uint64_t index_nodes;    /**< trie nodes in use (branch and leaf) */
	uint64_t index_bytes;    /**< bytes of trie nodes in use */
	uint64_t index_reserved; /**< bytes of trie arenas reserved */
	/* ---- version 2: the transactions of this handle ---- */
	uint64_t commits;        /**< write transactions committed @since 0.2 */
	uint64_t conflicts;      /**< transactions that lost a race (IPAM_ECONFLICT) @since 0.2 */
	uint64_t retries;        /**< transactions ipam_db_run(), or a single call outside a transaction,
	                              ran again after a conflict @since 0.2 */
	uint64_t lock_waits;     /**< PostgreSQL: times a write transaction waited for another writer's
	                              commit and began again with a fresh snapshot @since 0.2 */
	uint64_t reconnects;     /**< PostgreSQL: connections made again after one was lost @since 0.2 */
} ipam_db_stats;

#define IPAM_DB_STATS_VERSION 2
#define IPAM_DB_STATS_INIT { IPAM_DB_STATS_VERSION, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }

/** Fill `out` (whose version the caller sets: 1 or 2) with the figures of db;
 *  only the fields of that version are written. @since 0.1 */
IPAM_EXTERN(int) ipam_db_stats_get(ipam_db_stats *out, ipam_db *db);

IPAM_END_DECL

#endif
