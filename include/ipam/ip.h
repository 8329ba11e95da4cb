/**
 * @file ipam/ip.h
 * @brief Addresses in a space: allocate, add, release, query.
 *
 * ipam_ip_alloc(db, P) returns the lowest address a of P such that a is not
 * an address of the space, not inside a prefix strictly more specific than
 * P, not inside any range, and (unless P is a pool, an IPv4 /31 or /32, or
 * an IPv6 /127 or /128) not P's first address (IPv4 network, IPv6
 * subnet-router anycast) nor, for IPv4, its last (broadcast).
 */
#ifndef IPAM_IP_H
#define IPAM_IP_H

#include "addr.h"
#include "db.h"
#include "prefix.h"

IPAM_BEGIN_DECL

/** Options for ipam_ip_alloc() and ipam_ip_add(). */
typedef struct ipam_ip_options {
	unsigned int version;    /**< IPAM_IP_OPTIONS_VERSION */
	const char *space;       /**< NULL: "default" */
	const char *hostname;    /**< NULL or a DNS name (checked: labels of 1..63 letters, digits, '-', '_') */
	const char *mac;         /**< NULL or a MAC in any notation ipam_mac_parse() takes */
	const char *description; /**< NULL or free text */
	ipam_status status;      /**< active (default), reserved, dhcp or deprecated */
	const char *attrs_json;  /**< NULL or a JSON object */
	/* ---- version 2 ---- */
	/** Output, or NULL: after a successful ipam_ip_alloc() or ipam_ip_add(), what DNS
	 *  made of the address, as ipam_ip_dns() reports it: its records, and for each
	 *  one it does not have, why (no zone holds the name, no reverse zone...). The
	 *  buffer is replaced; dispose of it with ipam_buf_dispose(). @since 0.2 */
	ipam_buf *dns_report;
} ipam_ip_options;

#define IPAM_IP_OPTIONS_VERSION 2
#define IPAM_IP_OPTIONS_INIT { IPAM_IP_OPTIONS_VERSION, NULL, NULL, NULL, NULL, IPAM_STATUS_ACTIVE, NULL, NULL }

/** Fill `opts` with the defaults of struct version `version` (1 or 2); only the
 *  fields of that version are written. @return 0, or IPAM_EINVAL for an unknown
 *  version @since 0.1 */
IPAM_EXTERN(int) ipam_ip_options_init(ipam_ip_options *opts, unsigned int version);

/**
 * Allocate the lowest free address of the prefix `within` (see the file
 * comment for the exact rule) and record it.
 * @return 0; IPAM_EEXHAUSTED (the message names the prefix and the space);
 *         IPAM_ENOTFOUND when `within` is not a prefix of the space;
 *         IPAM_EINVAL for bad options
 * @since 0.1
 */
IPAM_EXTERN(int) ipam_ip_alloc(ipam_addr *out, ipam_db *db, const ipam_prefix *within, const ipam_ip_options *opts);

/**
 * Record a given address.
 * @return 0; IPAM_EEXISTS when the space has it; IPAM_EINVAL for bad options
 * @since 0.1
 */
IPAM_EXTERN(int) ipam_ip_add(ipam_db *db, const ipam_addr *a, const ipam_ip_options *opts);

/** Fields of ipam_ip_update() (a bit mask). @since 0.2 */
#define IPAM_IP_SET_HOSTNAME 0x01u
#define IPAM_IP_SET_MAC 0x02u
#define IPAM_IP_SET_DESCRIPTION 0x04u
#define IPAM_IP_SET_STATUS 0x08u
#define IPAM_IP_SET_ATTRS 0x10u /**< the attributes are replaced as a whole */
#define IPAM_IP_SET_ALL 0x1Fu

/**
 * Change a recorded address in place: the fields named in `fields` take
 * their values from `opts` (a NULL string clears that field), the others
 * stay. The address keeps its id and creation time, the change is one audit
 * entry ("address.update", with before and after), and the DNS records
 * derived from it follow (a new host name moves its A/AAAA and PTR). The
 * space is `opts->space`; `opts->dns_report` is filled as for ipam_ip_add().
 * @return 0; IPAM_ENOTFOUND (no such address or space); IPAM_EINVAL (a bad
 *         value, an unknown bit in `fields`, or no fields)
 * @since 0.2
 */
IPAM_EXTERN(int) ipam_ip_update(ipam_db *db, const ipam_addr *a, unsigned int fields, const ipam_ip_options *opts);

/** Release (remove) an address. @return 0 or IPAM_ENOTFOUND @since 0.1 */
IPAM_EXTERN(int) ipam_ip_release(ipam_db *db, const char *space, const ipam_addr *a);

/** An address as returned by ipam_ip_get() and the address iterator. */
typedef struct ipam_ip_info {
	unsigned int version; /**< IPAM_IP_INFO_VERSION, set by the caller */
	ipam_addr addr;
	char *space;          /**< owned */
	int has_prefix;       /**< non-zero when a prefix holds the address */
	ipam_prefix prefix;   /**< the most specific prefix that holds it */
	ipam_status status;
	char *hostname;       /**< owned; NULL when none */
	int has_mac;
	ipam_mac mac;
	char *description;    /**< owned; NULL when none */
	char *attrs_json;     /**< owned; "{}" when none */
} ipam_ip_info;

#define IPAM_IP_INFO_VERSION 1
#define IPAM_IP_INFO_INIT { IPAM_IP_INFO_VERSION, { 0, { 0, 0, 0 }, { 0 } }, NULL, 0, { { 0, { 0, 0, 0 }, { 0 } }, 0, { 0, 0, 0 } }, IPAM_STATUS_ACTIVE, NULL, 0, { 0, { 0 } }, NULL, NULL }

/** Release the strings of an info struct; NULL-safe. @since 0.1 */
IPAM_EXTERN(void) ipam_ip_info_dispose(ipam_ip_info *info);

/**
 * Look an address up. `out` is filled afresh: strings it already held are
 * not released, so dispose of a reused struct first.
 * @return 0 or IPAM_ENOTFOUND @since 0.1
 */
IPAM_EXTERN(int) ipam_ip_get(ipam_ip_info *out, ipam_db *db, const char *space, const ipam_addr *a);

/** An address query. */
typedef struct ipam_ip_query {
	unsigned int version;      /**< IPAM_IP_QUERY_VERSION */
	const char *space;         /**< NULL: "default" */
	const ipam_prefix *within; /**< NULL: every address of the space */
} ipam_ip_query;

#define IPAM_IP_QUERY_VERSION 1
#define IPAM_IP_QUERY_INIT { IPAM_IP_QUERY_VERSION, NULL, NULL }

/** An iterator over addresses in address order (opaque). */
typedef struct ipam_ip_iter ipam_ip_iter;

/** Start an address query (a snapshot; addresses released meanwhile are skipped). @since 0.1 */
IPAM_EXTERN(int) ipam_ip_iter_new(ipam_ip_iter **out, ipam_db *db, const ipam_ip_query *q);

/** The next address; `out` is disposed of first. @return 0 or IPAM_ITEROVER @since 0.1 */
IPAM_EXTERN(int) ipam_ip_iter_next(ipam_ip_info *out, ipam_ip_iter *it);

/** Free an iterator; NULL-safe. @since 0.1 */
IPAM_EXTERN(void) ipam_ip_iter_free(ipam_ip_iter *it);

IPAM_END_DECL

#endif
