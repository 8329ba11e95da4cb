/* The index's view of an address: a 128-bit key, left-aligned, so that an
 * IPv4 address a is the key a << 96 and one trie code serves both families
 * (the family decides the width, 32 or 128). Internal; not installed. */
#ifndef IPAM_CORE_KEY_H
#define IPAM_CORE_KEY_H

#include "ipam/addr.h"

#include <stdint.h>

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
	ipam__u128 k = 0;
	unsigned n = a->family == IPAM_AF_INET ? 4 : 16;
	for (unsigned i = 0; i < n; i++)
		k = (k << 8) | a->bytes[i];
	return k << (128 - 8 * n);
}

static inline void ipam__key_addr(ipam_addr *out, int family, ipam__u128 key)
{
	out->family = (uint8_t)family;
	out->reserved[0] = out->reserved[1] = out->reserved[2] = 0;
	for (unsigned i = 0; i < 16; i++)
		out->bytes[i] = (uint8_t)(key >> (120 - 8 * i));
	if (family == IPAM_AF_INET)
		for (unsigned i = 4; i < 16; i++)
			out->bytes[i] = 0;
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
