/**
 * @file ipam/db.h
 * @brief The database handle.
 *
 * An ipam_db is opened on a store URI. This release knows `memory:` (a
 * throwaway in-memory store); files and PostgreSQL come behind the same
 * calls. A handle may be shared between threads: every call takes the
 * handle's own lock, so calls on one handle are serialized. Handles are
 * independent of one another; the library keeps no global mutable state.
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
} ipam_open_options;

#define IPAM_OPEN_OPTIONS_VERSION 1
#define IPAM_OPEN_OPTIONS_INIT { IPAM_OPEN_OPTIONS_VERSION, NULL }

/**
 * Initialize an options struct to its defaults.
 * @return 0, or IPAM_EINVAL for an unknown version @since 0.1
 */
IPAM_EXTERN(int) ipam_open_options_init(ipam_open_options *opts, unsigned int version);

/**
 * Open a database.
 *
 * @param out  receives the handle; free it with ipam_db_free()
 * @param uri  the store: "memory:" (NULL means "memory:")
 * @param opts NULL for defaults
 * @return 0; IPAM_EINVAL for an unknown or malformed URI; IPAM_ENOMEM
 * @since 0.1
 */
IPAM_EXTERN(int) ipam_db_open(ipam_db **out, const char *uri, const ipam_open_options *opts);

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
} ipam_db_stats;

#define IPAM_DB_STATS_VERSION 1
#define IPAM_DB_STATS_INIT { IPAM_DB_STATS_VERSION, 0, 0, 0, 0, 0, 0, 0 }

/** Fill `out` (whose version the caller sets) with the figures of db. @since 0.1 */
IPAM_EXTERN(int) ipam_db_stats_get(ipam_db_stats *out, ipam_db *db);

IPAM_END_DECL

#endif
