/* The index's view of an address: a 128-bit key, left-aligned, so that an
 * IPv4 address a is the key a << 96 and one trie code serves both families
 * (the family decides the width, 32 or 128). Internal; not installed. */
#ifndef IPAM_CORE_KEY_H
#define IPAM_CORE_KEY_H

#include "ipam/addr.h"

#include <stdint.h>
#include <string.h>

typedef unsigned __int128 ipam__u128;

#define IPAM__U128_MAX (~(ipam__u128)0)

static inline unsigned ipam__width(int family)
{
	return family == IPAM_AF_INET ? 32u : 128u;
}

/* Mask of the top `len` bits of a key (len 0..128). */
static inline ipam__u128 ipam__mask(unsigned len)
{
	return len == 0 ? 0 : IPAM__U128_MAX << (128 - len);
}

static inline ipam__u128 ipam__addr_key(const ipam_addr *a)
{
	uint64_t hi, lo;
	if (a->family == IPAM_AF_INET) {
		uint32_t v;
		memcpy(&v, a->bytes, 4);
		return (ipam__u128)__builtin_bswap32(v) << 96;
	}
	memcpy(&hi, a->bytes, 8);
	memcpy(&lo, a->bytes + 8, 8);
	return ((ipam__u128)__builtin_bswap64(hi) << 64) | __builtin_bswap64(lo);
}

static inline void ipam__key_addr(ipam_addr *out, int family, ipam__u128 key)
{
	uint64_t hi = __builtin_bswap64((uint64_t)(key >> 64)), lo = __builtin_bswap64((uint64_t)key);
	out->family = (uint8_t)family;
	out->reserved[0] = out->reserved[1] = out->reserved[2] = 0;
	if (family == IPAM_AF_INET) {
		hi &= 0xffffffffu; /* the first four bytes in memory order */
		lo = 0;
	}
	memcpy(out->bytes, &hi, 8);
	memcpy(out->bytes + 8, &lo, 8);
}

static inline ipam_u128 ipam__to_pub(ipam__u128 v)
{
	ipam_u128 r = { (uint64_t)(v >> 64), (uint64_t)v };
	return r;
}

static inline ipam__u128 ipam__from_pub(ipam_u128 v)
{
	return ((ipam__u128)v.hi << 64) | v.lo;
}

#endif
