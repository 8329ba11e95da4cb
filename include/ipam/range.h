/**
 * @file ipam/range.h
 * @brief Address ranges (DHCP pools, reserved and excluded spans).
 *
 * A range is first..last of one family in a space. Ranges may nest (an
 * excluded span inside a DHCP pool) but two ranges never have the same
 * first and last. The allocator never hands out an address inside a range.
 */
#ifndef IPAM_RANGE_H
#define IPAM_RANGE_H

#include "addr.h"
#include "db.h"

IPAM_BEGIN_DECL

/** What a range is for. */
typedef enum ipam_range_purpose {
	IPAM_RANGE_DHCP = 0,     /**< a DHCP pool */
	IPAM_RANGE_RESERVED = 1, /**< set aside */
	IPAM_RANGE_EXCLUDED = 2  /**< excluded from a pool */
} ipam_range_purpose;

/** "dhcp", "reserved", "excluded"; NULL for others. @since 0.1 */
IPAM_EXTERN(const char *) ipam_range_purpose_name(int purpose);

/** Parse a purpose name. @return 0 or IPAM_EINVAL @since 0.1 */
IPAM_EXTERN(int) ipam_range_purpose_parse(ipam_range_purpose *out, const char *name);

/** Options for ipam_range_add(). */
typedef struct ipam_range_options {
	unsigned int version;       /**< IPAM_RANGE_OPTIONS_VERSION */
	const char *space;          /**< NULL: "default" */
	ipam_range_purpose purpose; /**< dhcp (default), reserved or excluded */
	const char *description;    /**< NULL or free text */
	const char *attrs_json;     /**< NULL or a JSON object */
} ipam_range_options;

#define IPAM_RANGE_OPTIONS_VERSION 1
#define IPAM_RANGE_OPTIONS_INIT { IPAM_RANGE_OPTIONS_VERSION, NULL, IPAM_RANGE_DHCP, NULL, NULL }

/** @return 0, or IPAM_EINVAL for an unknown version @since 0.1 */
IPAM_EXTERN(int) ipam_range_options_init(ipam_range_options *opts, unsigned int version);

/**
 * Add a range.
 * @return 0; IPAM_EINVAL when the families differ or last < first;
 *         IPAM_EEXISTS when a range with the same bounds exists
 * @since 0.1
 */
IPAM_EXTERN(int) ipam_range_add(ipam_db *db, const ipam_addr *first, const ipam_addr *last, const ipam_range_options *opts);

/**
 * Remove the range with these bounds.
 * @return 0; IPAM_ENOTFOUND when no range has them; IPAM_EINVAL when the
 *         bounds are malformed (families differ, or last < first)
 * @since 0.1
 */
IPAM_EXTERN(int) ipam_range_rm(ipam_db *db, const char *space, const ipam_addr *first, const ipam_addr *last);

/** A range as returned by ipam_range_get() and the range iterator. */
typedef struct ipam_range_info {
	unsigned int version; /**< IPAM_RANGE_INFO_VERSION, set by the caller */
	char *space;          /**< owned */
	ipam_addr first;
	ipam_addr last;
	ipam_range_purpose purpose;
	char *description;    /**< owned; NULL when none */
	char *attrs_json;     /**< owned; "{}" when none */
} ipam_range_info;

#define IPAM_RANGE_INFO_VERSION 1
#define IPAM_RANGE_INFO_INIT { IPAM_RANGE_INFO_VERSION, NULL, { 0, { 0, 0, 0 }, { 0 } }, { 0, { 0, 0, 0 }, { 0 } }, IPAM_RANGE_DHCP, NULL, NULL }

/** Release the strings of an info struct; NULL-safe. @since 0.1 */
IPAM_EXTERN(void) ipam_range_info_dispose(ipam_range_info *info);

/**
 * Look one range up.
 *
 * With `last`, the range with exactly these bounds (the key of a range, as
 * for ipam_range_rm(): two ranges may start at one address). With `last`
 * NULL, the innermost range holding `first`: the smallest of those that
 * hold it, and of two of one size the one that starts last (an excluded
 * span inside a pool, not the pool).
 *
 * @param out   from IPAM_RANGE_INFO_INIT (or a previous call): what it held is
 *              disposed of first, as by ipam_range_iter_next(); filled on
 *              success; release it with ipam_range_info_dispose()
 * @param space NULL: "default"
 * @return 0; IPAM_ENOTFOUND when the space or no such range exists;
 *         IPAM_EINVAL when the bounds are malformed (families differ, or
 *         last < first)
 * @since 0.2
 */
IPAM_EXTERN(int) ipam_range_get(ipam_range_info *out, ipam_db *db, const char *space, const ipam_addr *first,
                                const ipam_addr *last);

/** A range query. */
typedef struct ipam_range_query {
	unsigned int version;      /**< IPAM_RANGE_QUERY_VERSION */
	const char *space;         /**< NULL: "default" */
	const ipam_prefix *within; /**< NULL: all; else the ranges that overlap it */
} ipam_range_query;

#define IPAM_RANGE_QUERY_VERSION 1
#define IPAM_RANGE_QUERY_INIT { IPAM_RANGE_QUERY_VERSION, NULL, NULL }

/** An iterator over ranges, ordered by first then last (opaque). */
typedef struct ipam_range_iter ipam_range_iter;

/** Start a range query (a snapshot). @since 0.1 */
IPAM_EXTERN(int) ipam_range_iter_new(ipam_range_iter **out, ipam_db *db, const ipam_range_query *q);

/** The next range; `out` is disposed of first. @return 0 or IPAM_ITEROVER @since 0.1 */
IPAM_EXTERN(int) ipam_range_iter_next(ipam_range_info *out, ipam_range_iter *it);

/** Free an iterator; NULL-safe. @since 0.1 */
IPAM_EXTERN(void) ipam_range_iter_free(ipam_range_iter *it);

IPAM_END_DECL

#endif
