/**
 * @file ipam/addr.h
 * @brief Value types: IP addresses, prefixes, MAC addresses, 128-bit counts.
 *
 * These are plain structs that callers allocate on the stack; their layout is
 * fixed for the life of the ABI. Nothing here touches a database.
 */
#ifndef IPAM_ADDR_H
#define IPAM_ADDR_H

#include "common.h"

IPAM_BEGIN_DECL

/** Address family values of ipam_addr.family. */
#define IPAM_AF_INET 4
#define IPAM_AF_INET6 6

/** Buffer sizes (with the NUL) that always suffice for the formatters. */
#define IPAM_ADDR_STRLEN 46
#define IPAM_PREFIX_STRLEN 50
#define IPAM_MAC_STRLEN 24
#define IPAM_REVERSE_STRLEN 74

/**
 * An IPv4 or IPv6 address; the family is always kept (an IPv4 address is
 * never silently an IPv4-mapped IPv6 one).
 * `bytes` is in network order: IPv4 uses bytes[0..3], the rest are zero.
 */
typedef struct ipam_addr {
	uint8_t family;      /**< IPAM_AF_INET or IPAM_AF_INET6 */
	uint8_t reserved[3]; /**< zero */
	uint8_t bytes[16];   /**< network byte order */
} ipam_addr;

/** A CIDR prefix: a network address (host bits zero) and a length. */
typedef struct ipam_prefix {
	ipam_addr addr;      /**< network address */
	uint8_t len;         /**< 0..32 for IPv4, 0..128 for IPv6 */
	uint8_t reserved[3]; /**< zero */
} ipam_prefix;

/** An EUI-48 (len 6) or EUI-64 (len 8) hardware address. */
typedef struct ipam_mac {
	uint8_t len;      /**< 6 or 8 */
	uint8_t bytes[8]; /**< the octets, unused ones zero */
} ipam_mac;

/** An unsigned 128-bit number: value = hi * 2^64 + lo. */
typedef struct ipam_u128 {
	uint64_t hi;
	uint64_t lo;
} ipam_u128;

/** Flags for ipam_prefix_parse(). */
typedef enum ipam_parse_flags {
	IPAM_PARSE_DEFAULT = 0,
	/** Clear host bits instead of failing ("10.1.2.3/24" -> 10.1.2.0/24). */
	IPAM_PARSE_NORMALIZE = 1u << 0,
	/** Accept a bare address as a host prefix (/32 or /128). */
	IPAM_PARSE_HOST = 1u << 1
} ipam_parse_flags;

/**
 * Parse an IPv4 dotted quad or any RFC 4291 IPv6 text form (including the
 * embedded IPv4 forms such as "::ffff:192.0.2.1").
 *
 * Rejected with IPAM_EINVAL and a message naming the problem: leading zeros
 * in an IPv4 octet ("010.1.1.1"), octets over 255, fewer or more than four
 * octets, IPv6 zone ids ("fe80::1%eth0"), more than one "::", groups of more
 * than four hex digits, a wrong number of groups, surrounding whitespace.
 *
 * @param out  receives the address (untouched on error)
 * @param text NUL-terminated text
 * @return 0 or IPAM_EINVAL
 * @since 0.1
 */
IPAM_EXTERN(int) ipam_addr_parse(ipam_addr *out, const char *text);

/** As ipam_addr_parse() for `len` bytes of `text` (need not be NUL-terminated). @since 0.1 */
IPAM_EXTERN(int) ipam_addr_parse_n(ipam_addr *out, const char *text, size_t len);

/**
 * Format an address: IPv4 dotted quad, IPv6 in RFC 5952 canonical form
 * (lower case, leading zeros dropped, the longest run of two or more zero
 * groups shortened to "::", the first on a tie; "::ffff:a.b.c.d" for mapped).
 *
 * @param buf  receives the NUL-terminated text
 * @param size size of buf; IPAM_ADDR_STRLEN always suffices
 * @return the length written (without the NUL), or IPAM_EINVAL when `a` is
 *         not a valid address or buf is too small
 * @since 0.1
 */
IPAM_EXTERN(int) ipam_addr_format(char *buf, size_t size, const ipam_addr *a);

/** Build an IPv4 address from a host-order 32-bit number. @since 0.1 */
IPAM_EXTERN(void) ipam_addr_from_v4(ipam_addr *out, uint32_t host_order);

/** Build an IPv6 address from its value as a 128-bit number. @since 0.1 */
IPAM_EXTERN(void) ipam_addr_from_v6(ipam_addr *out, ipam_u128 value);

/** The address as a number (IPv4 in lo, hi zero). @since 0.1 */
IPAM_EXTERN(ipam_u128) ipam_addr_value(const ipam_addr *a);

/**
 * Total order: all IPv4 before all IPv6, then by numeric value.
 * @return <0, 0, >0 @since 0.1
 */
IPAM_EXTERN(int) ipam_addr_cmp(const ipam_addr *a, const ipam_addr *b);

/**
 * out = a + n, within the family's range.
 * @return 0, or IPAM_EINVAL when the result would leave the family's range
 *         (out is untouched then) @since 0.1
 */
IPAM_EXTERN(int) ipam_addr_add(ipam_addr *out, const ipam_addr *a, ipam_u128 n);

/** out = a - n; IPAM_EINVAL below zero. @since 0.1 */
IPAM_EXTERN(int) ipam_addr_sub(ipam_addr *out, const ipam_addr *a, ipam_u128 n);

/** out = a - b for two addresses of one family with a >= b; IPAM_EINVAL otherwise. @since 0.1 */
IPAM_EXTERN(int) ipam_addr_diff(ipam_u128 *out, const ipam_addr *a, const ipam_addr *b);

/** out = a + 1; IPAM_EINVAL past the last address of the family. @since 0.1 */
IPAM_EXTERN(int) ipam_addr_next(ipam_addr *out, const ipam_addr *a);

/** out = a - 1; IPAM_EINVAL before the first address of the family. @since 0.1 */
IPAM_EXTERN(int) ipam_addr_prev(ipam_addr *out, const ipam_addr *a);

/**
 * The reverse-DNS name of an address, absolute (with the final dot):
 * "4.3.2.1.in-addr.arpa." or the 32-nibble "...ip6.arpa.".
 * @param size IPAM_REVERSE_STRLEN always suffices
 * @return the length written, or IPAM_EINVAL @since 0.1
 */
IPAM_EXTERN(int) ipam_addr_reverse_name(char *buf, size_t size, const ipam_addr *a);

/**
 * Parse "ADDR/LEN". A prefix whose host bits are set is IPAM_EINVAL with a
 * message that proposes the network ("10.1.2.3/24: host bits set; did you
 * mean 10.1.2.0/24?") unless `flags` has IPAM_PARSE_NORMALIZE. A length
 * needs decimal digits without leading zeros and must fit the family.
 * @param flags a mask of ipam_parse_flags
 * @return 0 or IPAM_EINVAL @since 0.1
 */
IPAM_EXTERN(int) ipam_prefix_parse(ipam_prefix *out, const char *text, unsigned int flags);

/** As ipam_prefix_parse() for `len` bytes of `text`. @since 0.1 */
IPAM_EXTERN(int) ipam_prefix_parse_n(ipam_prefix *out, const char *text, size_t len, unsigned int flags);

/**
 * Build a prefix from an address and a length.
 * @param flags IPAM_PARSE_NORMALIZE clears host bits; otherwise set host bits
 *        are IPAM_EINVAL
 * @return 0 or IPAM_EINVAL @since 0.1
 */
IPAM_EXTERN(int) ipam_prefix_from(ipam_prefix *out, const ipam_addr *a, unsigned int len, unsigned int flags);

/** Format "ADDR/LEN". @return the length written or IPAM_EINVAL. @since 0.1 */
IPAM_EXTERN(int) ipam_prefix_format(char *buf, size_t size, const ipam_prefix *p);

/** The first (network) address of p. @since 0.1 */
IPAM_EXTERN(void) ipam_prefix_first(ipam_addr *out, const ipam_prefix *p);

/** The last address of p (the IPv4 broadcast address). @since 0.1 */
IPAM_EXTERN(void) ipam_prefix_last(ipam_addr *out, const ipam_prefix *p);

/**
 * The number of addresses in p. The one value that does not fit, 2^128 for
 * ::/0, is reported as 2^128 - 1.
 * @since 0.1
 */
IPAM_EXTERN(ipam_u128) ipam_prefix_size(const ipam_prefix *p);

/** 1 when a lies inside p (same family), else 0. @since 0.1 */
IPAM_EXTERN(int) ipam_prefix_contains(const ipam_prefix *p, const ipam_addr *a);

/** 1 when q lies inside p or equals it (same family), else 0. @since 0.1 */
IPAM_EXTERN(int) ipam_prefix_covers(const ipam_prefix *p, const ipam_prefix *q);

/** Total order: family, then network address, then length. @since 0.1 */
IPAM_EXTERN(int) ipam_prefix_cmp(const ipam_prefix *a, const ipam_prefix *b);

/**
 * The reverse zone that holds p's names: the in-addr.arpa zone at p's length
 * rounded down to a multiple of 8 (IPv4) or the ip6.arpa zone at p's length
 * rounded down to a multiple of 4 (IPv6), absolute ("2.0.192.in-addr.arpa.").
 * RFC 2317 classless names are the DNS layer's business.
 * @return the length written or IPAM_EINVAL @since 0.1
 */
IPAM_EXTERN(int) ipam_prefix_reverse_zone(char *buf, size_t size, const ipam_prefix *p);

/**
 * Parse a MAC address: "aa:bb:cc:dd:ee:ff", "AA-BB-CC-DD-EE-FF",
 * "aabb.ccdd.eeff", bare hex "aabbccddeeff" (any case); 8-octet EUI-64 in
 * the same notations. Single-digit octets ("a:b:c:d:e:f") are accepted in
 * the colon notation as many tools print them.
 * @return 0 or IPAM_EINVAL with a message naming the problem @since 0.1
 */
IPAM_EXTERN(int) ipam_mac_parse(ipam_mac *out, const char *text);

/** Format a MAC as lower-case colon-separated octets. @return length or IPAM_EINVAL. @since 0.1 */
IPAM_EXTERN(int) ipam_mac_format(char *buf, size_t size, const ipam_mac *m);

/**
 * Format a 128-bit number in decimal.
 * @param size 40 always suffices
 * @return the length written or IPAM_EINVAL @since 0.1
 */
IPAM_EXTERN(int) ipam_u128_format(char *buf, size_t size, ipam_u128 v);

IPAM_END_DECL

#endif
