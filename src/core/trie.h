/* The index: one path-compressed binary radix trie per (space, family).
 *
 * Keys are 128-bit, left-aligned (see key.h); the trie's width (32 or 128)
 * is the family's. A trie holds three kinds of items, each identified by a
 * 32-bit payload id that the db layer maps to its records:
 *   - prefixes  (any length),
 *   - addresses (length = width),
 *   - range blocks: a range first..last is stored as its CIDR decomposition;
 *     each block counts how many ranges put it there.
 * An item "occupies" its whole block. Every node keeps a summary of the
 * items strictly below it (its inner view), updated bottom-up along the one
 * path that a change touches:
 *   - for each half, the shortest length of a fully free aligned block in it
 *     (so the largest hole), which lets allocation descend straight to the
 *     lowest free block of a given size in O(width);
 *   - the number of occupied addresses (the union), 128-bit;
 *   - IPv6: the number of /64 blocks that hold anything (free /64s = total
 *     minus that), for nodes shorter than /64.
 * Nodes and leaves (bare addresses) live in two arenas addressed by 32-bit
 * refs. No function here recurses on data-controlled depth.
 * Internal; not installed. */
#ifndef IPAM_CORE_TRIE_H
#define IPAM_CORE_TRIE_H

#include "core/key.h"

#include <stddef.h>
#include <stdint.h>

/* "No free block": larger than any length. */
#define IPAM__NOFREE 0xFFu

typedef struct ipam__tnode ipam__tnode;
typedef struct ipam__tleaf ipam__tleaf;

typedef struct ipam__trie_dir ipam__trie_dir;
typedef struct ipam__trie_hint ipam__trie_hint;

typedef struct ipam__trie {
	ipam__tnode *nodes;  /* arena; slot 0 unused so that ref 0 means none */
	uint32_t ncap, nhwm, nfree, nlive;
	ipam__tleaf *leaves; /* arena; slot 0 unused */
	uint32_t lcap, lhwm, lfree, llive;
	uint32_t root;       /* ref of the root, 0 when empty */
	uint8_t width;       /* 32 or 128 */
	/* The lookup accelerator (see ipam__trie_match): built once lookups
	 * outnumber changes, dropped by any change. */
	uint8_t dir_ok;
	uint32_t quiet;      /* lookups since the last change */
	ipam__trie_dir *dir;
	uint64_t version;    /* bumped by every change */
	ipam__trie_hint *hint; /* where the last first-fit allocation went */
} ipam__trie;

/* A reference: 0 none, LEAF bit set for a leaf, else a node index. */
#define IPAM__REF_LEAF 0x80000000u

/* One item found by a query. */
typedef struct ipam__trie_hit {
	ipam__u128 key;
	uint8_t len;
	uint32_t id;
} ipam__trie_hit;

void ipam__trie_init(ipam__trie *t, unsigned width);
void ipam__trie_free(ipam__trie *t);

/* Prefixes. set: IPAM_EEXISTS when the prefix has an id already; IPAM_ENOMEM.
 * clear: returns the old id (0 when there was none). */
int ipam__trie_set_prefix(ipam__trie *t, ipam__u128 key, unsigned len, uint32_t id);
/* As set_prefix, but IPAM_EEXISTS when any prefix overlaps (key, len): one
 * covering it, equal to it or inside it; *okey and *olen name one of them. */
int ipam__trie_set_prefix_excl(ipam__trie *t, ipam__u128 key, unsigned len, uint32_t id, ipam__u128 *okey,
                               unsigned *olen);
uint32_t ipam__trie_get_prefix(const ipam__trie *t, ipam__u128 key, unsigned len);
uint32_t ipam__trie_clear_prefix(ipam__trie *t, ipam__u128 key, unsigned len);

/* Addresses (full-length keys). Same conventions as prefixes. */
int ipam__trie_set_addr(ipam__trie *t, ipam__u128 key, uint32_t id);
uint32_t ipam__trie_get_addr(const ipam__trie *t, ipam__u128 key);
uint32_t ipam__trie_clear_addr(ipam__trie *t, ipam__u128 key);

/* Ranges: add or remove the blocks of first..last (first <= last). Removing
 * assumes the same range was added before. */
int ipam__trie_range_add(ipam__trie *t, ipam__u128 first, ipam__u128 last);
void ipam__trie_range_del(ipam__trie *t, ipam__u128 first, ipam__u128 last);

/* Allocation inside the block (key, len), which the caller treats as the
 * parent: find the lowest (first-fit) block of length n, aligned, that no
 * item strictly inside the parent occupies; with skip_first (n must be the
 * width) the parent's first address counts as taken too. With best_fit,
 * carve from the smallest maximal free block instead (skip_first ignored).
 * The parent is exhausted outright when a range block covers it, or when it
 * is a full-length block holding an address.
 * Returns 0 and *out, or IPAM_EEXHAUSTED (no message set). */
int ipam__trie_find_free(const ipam__trie *t, ipam__u128 key, unsigned len, unsigned n, int skip_first,
                         int best_fit, ipam__u128 *out);

/* ipam__trie_find_free, then store the block found: as address `id` with
 * as_addr (n must be the width), else as prefix `id`, reusing the search's
 * path. With
 * skip_last, an answer that is the parent's last address is exhaustion
 * (IPv4 broadcast). 0 and *out, IPAM_EEXHAUSTED or IPAM_ENOMEM. */
int ipam__trie_alloc(ipam__trie *t, ipam__u128 key, unsigned len, unsigned n, int skip_first, int skip_last,
                     int best_fit, int as_addr, uint32_t id, ipam__u128 *out);

/* Longest match: the id of the most specific prefix covering (key, len),
 * 0 when none; *okey and *olen receive it. Not const: after enough lookups
 * without a change it builds the lookup accelerator. */
uint32_t ipam__trie_match(ipam__trie *t, ipam__u128 key, unsigned len, ipam__u128 *okey,
                          unsigned *olen);

/* The prefixes covering (key, len), itself included, least specific first.
 * `out` must have room for width + 1 hits. Returns the count. */
size_t ipam__trie_covering(const ipam__trie *t, ipam__u128 key, unsigned len, ipam__trie_hit *out);

/* In-order walk of the items inside (key, len) (itself included), parents
 * before children. `what` selects prefixes or addresses. */
enum { IPAM__WALK_PREFIXES = 1, IPAM__WALK_ADDRS = 2 };
typedef struct ipam__trie_walk {
	const ipam__trie *t;
	int what;
	int sp;
	uint32_t stack[132];
} ipam__trie_walk;
void ipam__trie_walk_init(ipam__trie_walk *w, const ipam__trie *t, ipam__u128 key, unsigned len, int what);
int ipam__trie_walk_next(ipam__trie_walk *w, ipam__trie_hit *out); /* 0 or IPAM_ITEROVER */

/* Utilization of (key, len): occupied addresses strictly inside it (ranges
 * covering it count whole; an address equal to it counts), and (IPv6, len
 * <= 64) the /64 blocks holding anything. */
void ipam__trie_util(const ipam__trie *t, ipam__u128 key, unsigned len, ipam__u128 *used, ipam__u128 *used64);

/* Verify every invariant of the structure (summaries recomputed from the
 * children, path compression, ordering). 0 or IPAM_ERROR with a message. */
int ipam__trie_check(const ipam__trie *t);

/* Nodes, leaves and bytes in use, and bytes reserved. */
void ipam__trie_stats(const ipam__trie *t, uint64_t *nodes, uint64_t *bytes, uint64_t *reserved);

#endif
