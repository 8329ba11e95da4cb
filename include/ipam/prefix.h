/**
 * @file ipam/prefix.h
 * @brief Prefixes in a space: add, remove, allocate, query, utilization.
 *
 * Allocation rules (exact):
 * - ipam_prefix_alloc() with first-fit returns the lowest block of the asked
 *   length, aligned to it, inside the parent, that overlaps no prefix
 *   strictly inside the parent, no address and no range. Best-fit looks at
 *   the maximal free aligned blocks that can hold the length, takes the
 *   smallest (ties: the lowest) and carves the block at its start.
 * - Removing a prefix restores its space exactly; what was inside it stays
 *   and now belongs to the next less specific prefix.
 */
#ifndef IPAM_PREFIX_H
#define IPAM_PREFIX_H

#include "addr.h"
#include "db.h"

IPAM_BEGIN_DECL

/** Status of a prefix or an address. */
typedef enum ipam_status {
	IPAM_STATUS_ACTIVE = 0,     /**< in use (prefixes and addresses) */
	IPAM_STATUS_CONTAINER = 1,  /**< holds other prefixes (prefixes only) */
	IPAM_STATUS_RESERVED = 2,   /**< set aside */
	IPAM_STATUS_DEPRECATED = 3, /**< being retired */
	IPAM_STATUS_DHCP = 4        /**< leased by DHCP (addresses only) */
} ipam_status;

/** "active", "container", "reserved", "deprecated", "dhcp"; NULL for others. @since 0.1 */
IPAM_EXTERN(const char *) ipam_status_name(int status);

/** Parse a status name. @return 0 or IPAM_EINVAL @since 0.1 */
IPAM_EXTERN(int) ipam_status_parse(ipam_status *out, const char *name);

/** Options for ipam_prefix_add(). */
typedef struct ipam_prefix_options {
	unsigned int version;    /**< IPAM_PREFIX_OPTIONS_VERSION */
	const char *space;       /**< NULL: "default" */
	ipam_status status;      /**< container, active (default), reserved or deprecated */
	int pool;                /**< non-zero: every address is usable (no network/broadcast) */
	const char *description; /**< NULL or free text */
	const char *attrs_json;  /**< NULL or a JSON object of free attributes */
	/** Non-zero: refuse the prefix (IPAM_EEXISTS, naming the other one) when
	 * any prefix of the space overlaps it: covers it, equals it or lies
	 * inside it. For spaces whose prefixes must never nest (cloud VPC
	 * blocks, assignments to customers). */
	int exclusive;
} ipam_prefix_options;

#define IPAM_PREFIX_OPTIONS_VERSION 1
#define IPAM_PREFIX_OPTIONS_INIT { IPAM_PREFIX_OPTIONS_VERSION, NULL, IPAM_STATUS_ACTIVE, 0, NULL, NULL, 0 }

/** @return 0, or IPAM_EINVAL for an unknown version @since 0.1 */
IPAM_EXTERN(int) ipam_prefix_options_init(ipam_prefix_options *opts, unsigned int version);

/**
 * Add a prefix to a space.
 * @return 0; IPAM_EEXISTS when the space has it already (or, with
 *         opts->exclusive, any prefix overlapping it); IPAM_ENOTFOUND for
 *         an unknown space; IPAM_EINVAL for a bad status or attributes
 * @since 0.1
 */
IPAM_EXTERN(int) ipam_prefix_add(ipam_db *db, const ipam_prefix *p, const ipam_prefix_options *opts);

/** Remove a prefix (not what lies inside it). @return 0 or IPAM_ENOTFOUND @since 0.1 */
IPAM_EXTERN(int) ipam_prefix_rm(ipam_db *db, const char *space, const ipam_prefix *p);

/** Fields of ipam_prefix_update() (a bit mask). @since 0.2 */
#define IPAM_PREFIX_SET_STATUS 0x01u
#define IPAM_PREFIX_SET_POOL 0x02u
#define IPAM_PREFIX_SET_DESCRIPTION 0x04u
#define IPAM_PREFIX_SET_ATTRS 0x08u /**< the attributes are replaced as a whole */
#define IPAM_PREFIX_SET_ALL 0x0Fu

/**
 * Change a prefix in place: the fields named in `fields` take their values
 * from `opts` (a NULL string clears that field; `exclusive` is not used),
 * the others stay. The prefix keeps its id and creation time, what lies
 * inside it is untouched, and the change is one audit entry
 * ("prefix.update", with before and after). The space is `opts->space`.
 * @return 0; IPAM_ENOTFOUND (no such prefix or space); IPAM_EINVAL (a bad
 *         value, an unknown bit in `fields`, or no fields)
 * @since 0.2
 */
IPAM_EXTERN(int) ipam_prefix_update(ipam_db *db, const ipam_prefix *p, unsigned int fields,
                                    const ipam_prefix_options *opts);

/** A prefix as returned by ipam_prefix_get() and the prefix iterator. */
typedef struct ipam_prefix_info {
	unsigned int version; /**< IPAM_PREFIX_INFO_VERSION, set by the caller */
	ipam_prefix prefix;
	char *space;          /**< owned */
	ipam_status status;
	int pool;
	char *description;    /**< owned; NULL when none */
	char *attrs_json;     /**< owned; "{}" when none */
	int has_parent;       /**< non-zero when a less specific prefix holds it */
	ipam_prefix parent;   /**< the most specific prefix that holds it */
	unsigned int depth;   /**< number of prefixes that hold it */
} ipam_prefix_info;

#define IPAM_PREFIX_INFO_VERSION 1
#define IPAM_PREFIX_INFO_INIT { IPAM_PREFIX_INFO_VERSION, { { 0, { 0, 0, 0 }, { 0 } }, 0, { 0, 0, 0 } }, NULL, IPAM_STATUS_ACTIVE, 0, NULL, NULL, 0, { { 0, { 0, 0, 0 }, { 0 } }, 0, { 0, 0, 0 } }, 0 }

/** Release the strings of an info struct; NULL-safe. @since 0.1 */
IPAM_EXTERN(void) ipam_prefix_info_dispose(ipam_prefix_info *info);

/**
 * Look a prefix up exactly. `out` is filled afresh: strings it already held
 * are not released, so dispose of a reused struct first.
 * @return 0 or IPAM_ENOTFOUND @since 0.1
 */
IPAM_EXTERN(int) ipam_prefix_get(ipam_prefix_info *out, ipam_db *db, const char *space, const ipam_prefix *p);

/**
 * Longest-prefix match: the most specific prefix of the space that covers
 * `target` (or equals it). Pass a host prefix (/32, /128) to match an address.
 * @return 0 or IPAM_ENOTFOUND @since 0.1
 */
IPAM_EXTERN(int) ipam_prefix_match(ipam_prefix *out, ipam_db *db, const char *space, const ipam_prefix *target);

/** Allocation policies. */
typedef enum ipam_policy {
	IPAM_POLICY_FIRST_FIT = 0, /**< the lowest free aligned block */
	IPAM_POLICY_BEST_FIT = 1   /**< carve from the smallest free block that fits */
} ipam_policy;

/** Options for ipam_prefix_alloc(). */
typedef struct ipam_prefix_alloc_options {
	unsigned int version;    /**< IPAM_PREFIX_ALLOC_OPTIONS_VERSION */
	const char *space;       /**< NULL: "default" */
	unsigned int length;     /**< the length of the block to allocate */
	ipam_policy policy;      /**< first-fit (default) or best-fit */
	ipam_status status;      /**< status of the new prefix (default active) */
	int pool;                /**< pool flag of the new prefix */
	const char *description; /**< NULL or free text */
	const char *attrs_json;  /**< NULL or a JSON object */
} ipam_prefix_alloc_options;

#define IPAM_PREFIX_ALLOC_OPTIONS_VERSION 1
#define IPAM_PREFIX_ALLOC_OPTIONS_INIT { IPAM_PREFIX_ALLOC_OPTIONS_VERSION, NULL, 0, IPAM_POLICY_FIRST_FIT, IPAM_STATUS_ACTIVE, 0, NULL, NULL }

/** @return 0, or IPAM_EINVAL for an unknown version @since 0.1 */
IPAM_EXTERN(int) ipam_prefix_alloc_options_init(ipam_prefix_alloc_options *opts, unsigned int version);

/**
 * Allocate a free block of `opts->length` inside the existing prefix
 * `parent` and add it as a prefix.
 * @param out receives the new prefix
 * @return 0; IPAM_EEXHAUSTED (the message names the parent and space);
 *         IPAM_ENOTFOUND when parent is not a prefix of the space;
 *         IPAM_EINVAL when the length is not longer than the parent's or
 *         exceeds the family's width
 * @since 0.1
 */
IPAM_EXTERN(int) ipam_prefix_alloc(ipam_prefix *out, ipam_db *db, const ipam_prefix *parent,
                                   const ipam_prefix_alloc_options *opts);

/** What a prefix query walks. */
typedef enum ipam_prefix_walk {
	IPAM_WALK_ALL = 0,      /**< every prefix, in order */
	IPAM_WALK_WITHIN = 1,   /**< the target (if a prefix) and every prefix inside it, in order */
	IPAM_WALK_COVERING = 2  /**< the prefixes that cover the target (itself included), least specific first */
} ipam_prefix_walk;

/** A prefix query. */
typedef struct ipam_prefix_query {
	unsigned int version;      /**< IPAM_PREFIX_QUERY_VERSION */
	const char *space;         /**< NULL: "default" */
	ipam_prefix_walk walk;     /**< what to walk */
	const ipam_prefix *target; /**< required for WITHIN and COVERING */
	int family;                /**< 0 both, else IPAM_AF_INET or IPAM_AF_INET6 (WALK_ALL) */
} ipam_prefix_query;

#define IPAM_PREFIX_QUERY_VERSION 1
#define IPAM_PREFIX_QUERY_INIT { IPAM_PREFIX_QUERY_VERSION, NULL, IPAM_WALK_ALL, NULL, 0 }

/** An iterator over prefixes (opaque). */
typedef struct ipam_prefix_iter ipam_prefix_iter;

/**
 * Start a prefix query. Order is IPv4 before IPv6, then address, then
 * length (a parent before its children). The iterator works on a snapshot
 * of the matching prefixes; ones removed meanwhile are skipped.
 * @since 0.1
 */
IPAM_EXTERN(int) ipam_prefix_iter_new(ipam_prefix_iter **out, ipam_db *db, const ipam_prefix_query *q);

/** The next prefix; `out` is disposed of first. @return 0 or IPAM_ITEROVER @since 0.1 */
IPAM_EXTERN(int) ipam_prefix_iter_next(ipam_prefix_info *out, ipam_prefix_iter *it);

/** Free an iterator; NULL-safe. @since 0.1 */
IPAM_EXTERN(void) ipam_prefix_iter_free(ipam_prefix_iter *it);

/**
 * Utilization of any CIDR of a space (a stored prefix or not), read from the
 * index summaries without a scan. "Used" addresses are those that the
 * allocator would not hand out: covered by a prefix strictly inside the
 * CIDR, by an address or by a range.
 */
typedef struct ipam_util {
	unsigned int version; /**< IPAM_UTIL_VERSION */
	ipam_u128 total;      /**< addresses in the CIDR (2^128-1 for ::/0) */
	ipam_u128 used;       /**< addresses covered by prefixes strictly inside, addresses or ranges */
	ipam_u128 free;       /**< total - used */
	ipam_u128 free_64s;   /**< IPv6: fully free aligned /64 blocks inside (0 for IPv4 and for CIDRs longer than /64) */
	double used_percent;  /**< 100 * used / total */
} ipam_util;

#define IPAM_UTIL_VERSION 1
#define IPAM_UTIL_INIT { IPAM_UTIL_VERSION, { 0, 0 }, { 0, 0 }, { 0, 0 }, { 0, 0 }, 0.0 }

/** Utilization of `cidr` in a space. @return 0 or IPAM_ENOTFOUND (unknown space) @since 0.1 */
IPAM_EXTERN(int) ipam_prefix_util(ipam_util *out, ipam_db *db, const char *space, const ipam_prefix *cidr);

IPAM_END_DECL

#endif
