/**
 * @file ipam/space.h
 * @brief Spaces (VRFs, network views): where addresses are unique.
 *
 * Spaces overlap freely: 10.0.0.0/8 may exist in many spaces. The space
 * named "default" always exists and cannot be removed. Every call that takes
 * a `space` name treats NULL as "default".
 */
#ifndef IPAM_SPACE_H
#define IPAM_SPACE_H

#include "db.h"

IPAM_BEGIN_DECL

/** A space as returned by ipam_space_get() and the space iterator. */
typedef struct ipam_space_info {
	unsigned int version; /**< IPAM_SPACE_INFO_VERSION, set by the caller */
	char *name;           /**< owned; released by ipam_space_info_dispose() */
	char *labels_json;    /**< a JSON object of string labels, "{}" when none; owned */
} ipam_space_info;

#define IPAM_SPACE_INFO_VERSION 1
#define IPAM_SPACE_INFO_INIT { IPAM_SPACE_INFO_VERSION, NULL, NULL }

/** Release the strings of an info struct; NULL-safe; the struct may be reused. @since 0.1 */
IPAM_EXTERN(void) ipam_space_info_dispose(ipam_space_info *info);

/**
 * Add a space.
 * @param name   1..63 characters of letters, digits, '-', '_', '.', ':', '/'
 * @param labels_json NULL or a JSON object whose values are strings
 *        ({"provider": "aws", "region": "eu-west-1"})
 * @return 0; IPAM_EEXISTS; IPAM_EINVAL for a bad name or labels
 * @since 0.1
 */
IPAM_EXTERN(int) ipam_space_add(ipam_db *db, const char *name, const char *labels_json);

/**
 * Remove an empty space.
 * @return 0; IPAM_ENOTFOUND; IPAM_EINUSE when it still holds prefixes,
 *         addresses or ranges; IPAM_EPERM for "default" (NULL names it,
 *         as everywhere) @since 0.1
 */
IPAM_EXTERN(int) ipam_space_rm(ipam_db *db, const char *name);

/**
 * Look a space up by name. `out` is filled afresh: strings it already held
 * are not released, so dispose of a reused struct first.
 * @return 0 or IPAM_ENOTFOUND @since 0.1
 */
IPAM_EXTERN(int) ipam_space_get(ipam_space_info *out, ipam_db *db, const char *name);

/** An iterator over spaces, in name order (opaque). */
typedef struct ipam_space_iter ipam_space_iter;

/**
 * Start iterating over all spaces. The iterator works on a snapshot of the
 * names taken now; the database may change meanwhile.
 * @since 0.1
 */
IPAM_EXTERN(int) ipam_space_iter_new(ipam_space_iter **out, ipam_db *db);

/**
 * The next space. `out` is disposed of first, so the same struct can be
 * passed on every call.
 * @return 0, or IPAM_ITEROVER at the end @since 0.1
 */
IPAM_EXTERN(int) ipam_space_iter_next(ipam_space_info *out, ipam_space_iter *it);

/** Free an iterator; NULL-safe. @since 0.1 */
IPAM_EXTERN(void) ipam_space_iter_free(ipam_space_iter *it);

IPAM_END_DECL

#endif
