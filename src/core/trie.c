/* The path-compressed binary radix trie with free-space summaries.
 * See trie.h for what it holds; the comments here say how it stays right. */
#include "core/trie.h"

#include "common.h"

#include <stdlib.h>
#include <sys/mman.h>

/* A branch or item node: 64 bytes, one cache line. */
struct ipam__tnode {
	ipam__u128 key;     /* top `len` bits significant, the rest zero */
	ipam__u128 occ;     /* occupied addresses strictly inside (union), saturating */
	uint64_t used64;    /* IPv6 and len < 64: /64 blocks holding anything, strictly inside */
	uint32_t child[2];  /* refs; child[b] lies in half b */
	uint32_t pfx;       /* prefix id, 0 when none */
	uint32_t addr;      /* address id when len == width, 0 when none */
	uint32_t nrange;    /* range blocks placed exactly here */
	uint8_t len;
	uint8_t fh[2];      /* per half: shortest free block length inside, IPAM__NOFREE when none */
	uint8_t fx0;        /* as fh[0], but with the node's first address counted as taken */
};

/* A bare address: the common case, kept small (20 bytes). */
struct __attribute__((packed)) ipam__tleaf {
	uint64_t hi, lo;
	uint32_t addr; /* address id; links the free list when unused */
};

typedef ipam__tnode tnode;
typedef ipam__tleaf tleaf;

#define LEAF IPAM__REF_LEAF
#define IS_LEAF(r) (((r) & LEAF) != 0)
#define MAXDEPTH 132

/* ---- small helpers ------------------------------------------------------ */

static inline tnode *NODE(const ipam__trie *t, uint32_t r) { return &t->nodes[r]; }
static inline tleaf *LEAFP(const ipam__trie *t, uint32_t r) { return &t->leaves[r & ~LEAF]; }

static inline ipam__u128 leaf_key(const tleaf *l)
{
	return ((ipam__u128)l->hi << 64) | l->lo;
}

static inline ipam__u128 rkey(const ipam__trie *t, uint32_t r)
{
	return IS_LEAF(r) ? leaf_key(LEAFP(t, r)) : NODE(t, r)->key;
}

static inline unsigned rlen(const ipam__trie *t, uint32_t r)
{
	return IS_LEAF(r) ? t->width : NODE(t, r)->len;
}

static inline unsigned bit_at(ipam__u128 k, unsigned i)
{
	return i < 64 ? (unsigned)((uint64_t)(k >> 64) >> (63 - i)) & 1u : (unsigned)((uint64_t)k >> (127 - i)) & 1u;
}

static inline unsigned common_len(ipam__u128 a, ipam__u128 b)
{
	ipam__u128 x = a ^ b;
	uint64_t hi = (uint64_t)(x >> 64), lo = (uint64_t)x;
	if (hi)
		return (unsigned)__builtin_clzll(hi);
	if (lo)
		return 64u + (unsigned)__builtin_clzll(lo);
	return 128u;
}

static inline unsigned umin(unsigned a, unsigned b) { return a < b ? a : b; }

static inline ipam__u128 sat_add(ipam__u128 a, ipam__u128 b)
{
	ipam__u128 s = a + b;
	return s < a ? IPAM__U128_MAX : s;
}

/* Number of addresses in a block of length len (saturated for ::/0). */
static inline ipam__u128 block_count(const ipam__trie *t, unsigned len)
{
	unsigned sh = t->width - len;
	return sh >= 128 ? IPAM__U128_MAX : (ipam__u128)1 << sh;
}

/* Last key of the block (start, len). */
static inline ipam__u128 block_end(ipam__u128 start, unsigned len)
{
	return start | ~ipam__mask(len);
}

static inline int node_occupying(const tnode *n)
{
	return n->pfx || n->addr || n->nrange;
}

/* What a parent sees of a child: its free summary, its count, its /64s. */
static inline unsigned outer_free(const ipam__trie *t, uint32_t r)
{
	if (IS_LEAF(r))
		return IPAM__NOFREE;
	const tnode *n = NODE(t, r);
	if (node_occupying(n))
		return IPAM__NOFREE;
	return umin(n->fh[0], n->fh[1]);
}

static inline ipam__u128 outer_occ(const ipam__trie *t, uint32_t r)
{
	if (IS_LEAF(r))
		return 1;
	const tnode *n = NODE(t, r);
	return node_occupying(n) ? block_count(t, n->len) : n->occ;
}

/* Only meaningful in a 128-bit trie. A node at /64 or longer lies in one
 * /64 and always holds something (an item, or two children that do). */
static inline uint64_t outer_used64(const ipam__trie *t, uint32_t r)
{
	if (IS_LEAF(r))
		return 1;
	const tnode *n = NODE(t, r);
	if (n->len >= 64)
		return 1;
	if (node_occupying(n))
		return n->len == 0 ? UINT64_MAX : (uint64_t)1 << (64 - n->len);
	return n->used64;
}

/* The free summary of a child's region with its first address taken. */
static inline unsigned outer_fx(const ipam__trie *t, uint32_t r)
{
	if (IS_LEAF(r))
		return IPAM__NOFREE;
	const tnode *n = NODE(t, r);
	if (node_occupying(n))
		return IPAM__NOFREE;
	return umin(n->fx0, n->fh[1]);
}

/* fx0: the largest free block of half 0 when its first address is taken
 * (the network address that ip alloc skips). Empty half: its upper half, if
 * it has one. A child that is the half: the child's own view. A deeper
 * child on the right of the half's first quarter: that first quarter... is
 * free but holds the first address, so its upper half counts, and so does
 * everything one level further down; a deeper child in the first quarter
 * leaves the second quarter free. */
static unsigned half0_fx(const ipam__trie *t, const tnode *n)
{
	unsigned len = n->len, w = t->width;
	uint32_t c = n->child[0];
	if (!c)
		return len + 2 <= w ? len + 2 : IPAM__NOFREE;
	unsigned cl = rlen(t, c);
	if (cl == len + 1)
		return outer_fx(t, c);
	if (!bit_at(rkey(t, c), len + 1))
		return len + 2;
	if (cl > len + 2)
		return len + 3;
	return umin(len + 3 <= w ? len + 3 : IPAM__NOFREE, outer_free(t, c));
}

/* Recompute a node's inner summary from its children. A half without a
 * child is a free block of length len+1. A half whose child lies deeper
 * than len+1 has a free sibling at len+2 (path compression guarantees
 * nothing else is in that half). Otherwise the half is the child. */
static void pull(const ipam__trie *t, tnode *n)
{
	ipam__u128 occ = 0;
	uint64_t u64 = 0;
	unsigned len = n->len;
	if (len == t->width) {
		n->fh[0] = n->fh[1] = n->fx0 = IPAM__NOFREE;
		n->occ = 0;
		n->used64 = 0;
		return;
	}
	for (int b = 0; b < 2; b++) {
		uint32_t c = n->child[b];
		if (!c) {
			n->fh[b] = (uint8_t)(len + 1);
			continue;
		}
		unsigned cl = rlen(t, c);
		n->fh[b] = (uint8_t)(cl > len + 1 ? len + 2 : outer_free(t, c));
		occ = sat_add(occ, outer_occ(t, c));
		if (t->width == 128 && len < 64) {
			uint64_t v = outer_used64(t, c);
			u64 = u64 + v < u64 ? UINT64_MAX : u64 + v;
		}
	}
	n->occ = occ;
	n->used64 = u64;
	n->fx0 = (uint8_t)half0_fx(t, n);
}

/* ---- arenas --------------------------------------------------------------- */

/* Arenas are page-aligned, so that every 64-byte node is one cache line
 * (malloc's big blocks start 16 bytes into a page: three nodes in four
 * would straddle two lines, and a descent would miss twice per level).
 * On Linux they are mappings grown by mremap, which moves pages instead of
 * copying them; elsewhere, and under ASan (which does not see into
 * mappings), aligned blocks copied on growth. */
#if defined(__linux__) && !defined(__SANITIZE_ADDRESS__)
#define ARENA_MMAP 1
#endif

static size_t arena_round(size_t bytes)
{
	const size_t page = 4096;
	return (bytes + page - 1) & ~(page - 1);
}

static void arena_release(void *p, size_t bytes)
{
	if (!p)
		return;
#ifdef ARENA_MMAP
	munmap(p, arena_round(bytes));
#else
	(void)bytes;
	free(p);
#endif
}

/* Grow the arena at *base from `used` to at least `want` bytes; the bytes
 * actually available (a whole number of pages), or 0 when out of memory. */
static size_t arena_resize(void **base, size_t used, size_t want)
{
	size_t nb = arena_round(want);
#ifdef ARENA_MMAP
	void *p = *base ? mremap(*base, arena_round(used), nb, MREMAP_MAYMOVE)
	                : mmap(NULL, nb, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return 0;
#else
	void *p = aligned_alloc(4096, nb);
	if (!p)
		return 0;
	if (*base) {
		memcpy(p, *base, used);
		free(*base);
	}
#endif
	*base = p;
	return nb;
}

void ipam__trie_init(ipam__trie *t, unsigned width)
{
	memset(t, 0, sizeof *t);
	t->width = (uint8_t)width;
}

void ipam__trie_free(ipam__trie *t)
{
	if (!t)
		return;
	arena_release(t->nodes, (size_t)t->ncap * sizeof(tnode));
	arena_release(t->leaves, (size_t)t->lcap * sizeof(tleaf));
	free(t->dir);
	free(t->hint);
	unsigned w = t->width;
	ipam__trie_init(t, w);
}

/* Big arenas ask for transparent huge pages: a lookup touches one node per
 * level at random, and with 4 KiB pages each of those is also a TLB miss. */
static void arena_advise(void *p, size_t bytes)
{
#if defined(MADV_HUGEPAGE) && defined(ARENA_MMAP)
	/* The whole mapping, so that it stays one mapping (mremap cannot grow
	 * a range that an advice on part of it has split in two). */
	if (bytes >= ((size_t)2 << 20))
		madvise(p, bytes, MADV_HUGEPAGE);
#elif defined(MADV_HUGEPAGE)
	const uintptr_t huge = (uintptr_t)2 << 20;
	uintptr_t a = ((uintptr_t)p + huge - 1) & ~(huge - 1), e = ((uintptr_t)p + bytes) & ~(huge - 1);
	if (e > a)
		madvise((void *)a, e - a, MADV_HUGEPAGE);
#else
	(void)p;
	(void)bytes;
#endif
}

/* The next unused slot of an arena (slot 0 is never used), growing it by
 * half again (see arena_resize; pages are only
 * resident once touched); 0 when it cannot grow. */
static uint32_t arena_slot(void **base, uint32_t *cap, uint32_t *hwm, size_t size)
{
	if (*hwm == 0)
		*hwm = 1;
	if (*hwm >= *cap) {
		uint64_t n = *cap < 64 ? 64 : (uint64_t)*cap + *cap / 2;
		if (n > LEAF - 1)
			n = LEAF - 1;
		if (n <= *hwm)
			return 0;
		size_t got = arena_resize(base, (size_t)*cap * size, (size_t)n * size);
		if (!got)
			return 0;
		n = got / size < LEAF - 1 ? got / size : LEAF - 1;
		*cap = (uint32_t)n;
		arena_advise(*base, got);
	}
	return (*hwm)++;
}

static uint32_t node_new(ipam__trie *t, ipam__u128 key, unsigned len)
{
	uint32_t r;
	if (t->nfree) {
		r = t->nfree;
		t->nfree = t->nodes[r].child[0];
	} else {
		void *base = t->nodes;
		r = arena_slot(&base, &t->ncap, &t->nhwm, sizeof(tnode));
		t->nodes = base;
		if (!r)
			return 0;
	}
	tnode *n = &t->nodes[r];
	memset(n, 0, sizeof *n);
	n->key = key & ipam__mask(len);
	n->len = (uint8_t)len;
	/* the summary of a node without children, as pull() would make it */
	if (len == t->width) {
		n->fh[0] = n->fh[1] = n->fx0 = IPAM__NOFREE;
	} else {
		n->fh[0] = n->fh[1] = (uint8_t)(len + 1);
		n->fx0 = (uint8_t)(len + 2 <= t->width ? len + 2 : IPAM__NOFREE);
	}
	t->nlive++;
	return r;
}

static void node_del(ipam__trie *t, uint32_t r)
{
	t->nodes[r].child[0] = t->nfree;
	t->nodes[r].pfx = t->nodes[r].addr = t->nodes[r].nrange = 0;
	t->nfree = r;
	t->nlive--;
}

static uint32_t leaf_new(ipam__trie *t, ipam__u128 key, uint32_t id)
{
	uint32_t r;
	if (t->lfree) {
		r = t->lfree;
		t->lfree = t->leaves[r].addr;
	} else {
		void *base = t->leaves;
		r = arena_slot(&base, &t->lcap, &t->lhwm, sizeof(tleaf));
		t->leaves = base;
		if (!r)
			return 0;
	}
	tleaf *l = &t->leaves[r];
	l->hi = (uint64_t)(key >> 64);
	l->lo = (uint64_t)key;
	l->addr = id;
	t->llive++;
	return r | LEAF;
}

static void leaf_del(ipam__trie *t, uint32_t r)
{
	r &= ~LEAF;
	t->leaves[r].addr = t->lfree;
	t->lfree = r;
	t->llive--;
}

/* ---- paths ----------------------------------------------------------------- */

/* The ancestors of the ref a change happens at, root first. */
typedef struct {
	uint32_t n[MAXDEPTH];
	int depth;
	int full; /* how many of the deepest ancestors had a child replaced: 1 or 2 */
} path_t;

static void set_slot(ipam__trie *t, uint32_t parent, unsigned b, uint32_t r)
{
	if (parent)
		t->nodes[parent].child[b] = r;
	else
		t->root = r;
}

/* What a node shows its parent. */
typedef struct {
	ipam__u128 occ;
	uint64_t u64;
	uint8_t free, fx;
} outer_t;

static inline outer_t outer_of(const ipam__trie *t, uint32_t r)
{
	outer_t o = { outer_occ(t, r), t->width == 128 ? outer_used64(t, r) : 0, (uint8_t)outer_free(t, r),
		      (uint8_t)outer_fx(t, r) };
	return o;
}

/* Bring the ancestors' summaries up to date, bottom-up. The deepest one
 * may have had a child replaced, so it is pulled in full (two when a new
 * branch node went in). Above it, each ancestor has exactly one changed
 * child, the next one on the path: its half is recomputed from that child
 * alone, and its counts move by the same amounts as the child's did (the
 * outer count of a node without items is its inner count). The walk stops
 * at a node with an item (its outer view is fixed) or where nothing moved.
 * A /0 node has no parent and is simply pulled: its counts may saturate. */
static void fix_path(ipam__trie *t, const path_t *p)
{
	t->dir_ok = 0;
	t->quiet = 0;
	t->version++;
	if (p->depth <= 0)
		return;
	int i = p->depth - 1;
	uint32_t c = p->n[i];
	if (p->full > 1 && i > 0) {
		pull(t, &t->nodes[c]);
		c = p->n[--i];
	}
	outer_t before = outer_of(t, c);
	pull(t, &t->nodes[c]);
	outer_t after = outer_of(t, c);
	ipam__u128 d = after.occ - before.occ;
	uint64_t d64 = after.u64 - before.u64;
	unsigned cf = after.free;
	int moved = after.free != before.free || after.fx != before.fx;
	const int v6 = t->width == 128;
	while (--i >= 0) {
		if (!moved)
			break;
		tnode *n = &t->nodes[p->n[i]];
		if (n->len == 0) {
			pull(t, n);
			return;
		}
		const tnode *cn = &t->nodes[c];
		unsigned bf = umin(n->fh[0], n->fh[1]), bx = umin(n->fx0, n->fh[1]);
		unsigned b = bit_at(cn->key, n->len);
		n->fh[b] = (uint8_t)(cn->len > n->len + 1u ? n->len + 2u : cf);
		if (b == 0)
			n->fx0 = (uint8_t)half0_fx(t, n);
		n->occ += d;
		if (v6 && n->len < 64)
			n->used64 += d64;
		if (node_occupying(n))
			return;
		cf = umin(n->fh[0], n->fh[1]);
		moved = cf != bf || umin(n->fx0, n->fh[1]) != bx;
		c = p->n[i];
	}
	/* The free summaries above stand; only the counts still move, up to
	 * the first node with an item (or the /0 node, pulled in full). */
	if (!d && !d64)
		return;
	for (; i >= 0; i--) {
		tnode *n = &t->nodes[p->n[i]];
		if (n->len == 0) {
			pull(t, n);
			return;
		}
		n->occ += d;
		if (v6 && n->len < 64)
			n->used64 += d64;
		if (node_occupying(n))
			return;
	}
}

/* Find (key, len) exactly, recording the ancestors; 0 when absent. */
static uint32_t find_exact(const ipam__trie *t, ipam__u128 key, unsigned len, path_t *p)
{
	uint32_t r = t->root;
	if (p) {
		p->depth = 0;
		p->full = 1;
	}
	while (r) {
		unsigned rl = rlen(t, r);
		if (rl > len)
			return 0;
		if (common_len(rkey(t, r), key) < rl)
			return 0;
		if (rl == len)
			return r;
		if (p)
			p->n[p->depth++] = r;
		r = NODE(t, r)->child[bit_at(key, rl)];
	}
	return 0;
}

/* Where (key, len) sits: its ancestors go to *p; returns the ref exactly at
 * (key, len), or 0 with *inside set to the topmost ref below it (0: none). */
static uint32_t locate(const ipam__trie *t, ipam__u128 key, unsigned len, path_t *p, uint32_t *inside)
{
	uint32_t r = t->root;
	p->depth = 0;
	p->full = 1;
	*inside = 0;
	while (r) {
		unsigned rl = rlen(t, r);
		unsigned cl = umin(common_len(rkey(t, r), key), umin(rl, len));
		if (cl < rl) {
			if (cl == len)
				*inside = r;
			return 0;
		}
		if (rl == len)
			return r;
		p->n[p->depth++] = r;
		r = NODE(t, r)->child[bit_at(key, rl)];
	}
	return 0;
}

/* Find or create the ref at (key, len). With want_leaf (len == width) a new
 * item is a leaf; an existing node there is returned as it is. Without it,
 * a leaf found there is turned into a node that keeps the address. Returns
 * 0 when out of memory. The ancestors land in *p. */
static uint32_t insert_from(ipam__trie *t, ipam__u128 key, unsigned len, int want_leaf, path_t *p)
{
	uint32_t parent = 0, r = t->root;
	unsigned pb = 0;
	p->full = 1;
	t->dir_ok = 0;
	t->quiet = 0;
	key &= ipam__mask(len);
	if (p->depth) {
		parent = p->n[p->depth - 1];
		pb = bit_at(key, t->nodes[parent].len);
		r = t->nodes[parent].child[pb];
	}
	while (r) {
		ipam__u128 rk = rkey(t, r);
		unsigned rl = rlen(t, r);
		unsigned cl = umin(common_len(rk, key), umin(rl, len));
		if (cl < rl) {
			if (cl == len) {
				/* (key, len) covers r: a new node above it. */
				uint32_t n = node_new(t, key, len);
				if (!n)
					return 0;
				t->nodes[n].child[bit_at(rk, len)] = r;
				pull(t, &t->nodes[n]);
				set_slot(t, parent, pb, n);
				return n;
			}
			/* They part at bit cl: a branch node holds both. */
			uint32_t b = node_new(t, key, cl);
			if (!b)
				return 0;
			uint32_t x = want_leaf ? leaf_new(t, key, 0) : node_new(t, key, len);
			if (!x) {
				node_del(t, b);
				return 0;
			}
			t->nodes[b].child[bit_at(key, cl)] = x;
			t->nodes[b].child[bit_at(rk, cl)] = r;
			set_slot(t, parent, pb, b);
			/* b's summary is made by fix_path, which every caller runs */
			p->n[p->depth++] = b;
			p->full = 2;
			return x;
		}
		if (rl == len) {
			if (IS_LEAF(r) && !want_leaf) {
				uint32_t id = LEAFP(t, r)->addr;
				uint32_t n = node_new(t, key, len);
				if (!n)
					return 0;
				t->nodes[n].addr = id;
				leaf_del(t, r);
				set_slot(t, parent, pb, n);
				return n;
			}
			return r;
		}
		p->n[p->depth++] = r;
		parent = r;
		pb = bit_at(key, rl);
		r = t->nodes[r].child[pb];
	}
	uint32_t x = want_leaf ? leaf_new(t, key, 0) : node_new(t, key, len);
	if (!x)
		return 0;
	set_slot(t, parent, pb, x);
	return x;
}

static uint32_t insert(ipam__trie *t, ipam__u128 key, unsigned len, int want_leaf, path_t *p)
{
	p->depth = 0;
	return insert_from(t, key, len, want_leaf, p);
}

/* After an item left ref r (whose ancestors are in *p): drop what no longer
 * carries anything. A leaf goes; a node without items goes when it has no
 * child, and is spliced out when it has one. Then fix the summaries. */
static void prune(ipam__trie *t, uint32_t r, path_t *p)
{
	for (;;) {
		uint32_t parent = p->depth ? p->n[p->depth - 1] : 0;
		unsigned pb = parent ? bit_at(rkey(t, r), t->nodes[parent].len) : 0;
		if (IS_LEAF(r)) {
			if (LEAFP(t, r)->addr)
				break;
			set_slot(t, parent, pb, 0);
			leaf_del(t, r);
		} else {
			tnode *n = &t->nodes[r];
			if (node_occupying(n) || (n->child[0] && n->child[1])) {
				/* it stays; it may have lost a child on the way up */
				pull(t, n);
				break;
			}
			uint32_t only = n->child[0] ? n->child[0] : n->child[1];
			set_slot(t, parent, pb, only);
			node_del(t, r);
			if (only)
				break; /* spliced: the parent keeps its number of children */
		}
		if (!parent)
			break;
		/* The parent lost a child: it may now be removable in turn. */
		r = parent;
		p->depth--;
	}
	fix_path(t, p);
}

/* ---- items ----------------------------------------------------------------- */

int ipam__trie_set_prefix(ipam__trie *t, ipam__u128 key, unsigned len, uint32_t id)
{
	path_t p;
	uint32_t r = insert(t, key, len, 0, &p);
	if (!r)
		return ipam__enomem();
	tnode *n = &t->nodes[r];
	if (n->pfx)
		return IPAM_EEXISTS;
	n->pfx = id;
	fix_path(t, &p);
	return 0;
}

static void walk_from(ipam__trie_walk *w, const ipam__trie *t, uint32_t top, int what);

int ipam__trie_set_prefix_excl(ipam__trie *t, ipam__u128 key, unsigned len, uint32_t id, ipam__u128 *okey,
                               unsigned *olen)
{
	path_t p;
	uint32_t inside, r;
	key &= ipam__mask(len);
	r = locate(t, key, len, &p, &inside);
	/* a prefix above covers the new one, the least specific first... */
	for (int i = 0; i < p.depth; i++) {
		const tnode *n = NODE(t, p.n[i]);
		if (n->pfx) {
			*okey = n->key;
			*olen = n->len;
			return IPAM_EEXISTS;
		}
	}
	/* ...and one at it or below it lies inside it */
	ipam__trie_walk w;
	ipam__trie_hit h;
	walk_from(&w, t, r ? r : inside, IPAM__WALK_PREFIXES);
	if (ipam__trie_walk_next(&w, &h) == 0) {
		*okey = h.key;
		*olen = h.len;
		return IPAM_EEXISTS;
	}
	r = insert_from(t, key, len, 0, &p);
	if (!r)
		return ipam__enomem();
	NODE(t, r)->pfx = id;
	fix_path(t, &p);
	return 0;
}

uint32_t ipam__trie_get_prefix(const ipam__trie *t, ipam__u128 key, unsigned len)
{
	uint32_t r = find_exact(t, key & ipam__mask(len), len, NULL);
	return r && !IS_LEAF(r) ? NODE(t, r)->pfx : 0;
}

uint32_t ipam__trie_clear_prefix(ipam__trie *t, ipam__u128 key, unsigned len)
{
	path_t p;
	uint32_t r = find_exact(t, key & ipam__mask(len), len, &p);
	if (!r || IS_LEAF(r) || !NODE(t, r)->pfx)
		return 0;
	uint32_t id = NODE(t, r)->pfx;
	NODE(t, r)->pfx = 0;
	prune(t, r, &p);
	return id;
}

int ipam__trie_set_addr(ipam__trie *t, ipam__u128 key, uint32_t id)
{
	path_t p;
	uint32_t r = insert(t, key, t->width, 1, &p);
	if (!r)
		return ipam__enomem();
	if (IS_LEAF(r)) {
		if (LEAFP(t, r)->addr)
			return IPAM_EEXISTS;
		LEAFP(t, r)->addr = id;
	} else {
		if (NODE(t, r)->addr)
			return IPAM_EEXISTS;
		NODE(t, r)->addr = id;
	}
	fix_path(t, &p);
	return 0;
}

uint32_t ipam__trie_get_addr(const ipam__trie *t, ipam__u128 key)
{
	uint32_t r = find_exact(t, key, t->width, NULL);
	if (!r)
		return 0;
	return IS_LEAF(r) ? LEAFP(t, r)->addr : NODE(t, r)->addr;
}

uint32_t ipam__trie_clear_addr(ipam__trie *t, ipam__u128 key)
{
	path_t p;
	uint32_t r = find_exact(t, key, t->width, &p);
	if (!r)
		return 0;
	uint32_t id;
	if (IS_LEAF(r)) {
		id = LEAFP(t, r)->addr;
		LEAFP(t, r)->addr = 0;
	} else {
		id = NODE(t, r)->addr;
		NODE(t, r)->addr = 0;
	}
	if (!id)
		return 0;
	prune(t, r, &p);
	return id;
}

/* The next CIDR block of first..last: the largest aligned block that starts
 * at first and ends at or before last. */
static unsigned next_block(const ipam__trie *t, ipam__u128 first, ipam__u128 last)
{
	unsigned len = t->width;
	while (len > 0) {
		unsigned l = len - 1;
		if (first & ~ipam__mask(l))
			break; /* not aligned to a /l */
		if (block_end(first, l) > last)
			break;
		len = l;
	}
	return len;
}

static inline int step_past(ipam__u128 *first, unsigned len)
{
	ipam__u128 end = block_end(*first, len);
	if (end == IPAM__U128_MAX)
		return 0;
	*first = end + 1;
	return 1;
}

int ipam__trie_range_add(ipam__trie *t, ipam__u128 first, ipam__u128 last)
{
	ipam__u128 f = first;
	last = block_end(last, t->width);
	for (;;) {
		unsigned len = next_block(t, f, last);
		path_t p;
		uint32_t r = insert(t, f, len, 0, &p);
		if (!r) {
			/* undo the blocks placed so far */
			if (f != first)
				ipam__trie_range_del(t, first, f - 1);
			return ipam__enomem();
		}
		t->nodes[r].nrange++;
		fix_path(t, &p);
		if (block_end(f, len) >= last || !step_past(&f, len))
			break;
	}
	return 0;
}

void ipam__trie_range_del(ipam__trie *t, ipam__u128 first, ipam__u128 last)
{
	ipam__u128 f = first;
	last = block_end(last, t->width);
	for (;;) {
		unsigned len = next_block(t, f, last);
		path_t p;
		uint32_t r = find_exact(t, f, len, &p);
		if (r && !IS_LEAF(r) && t->nodes[r].nrange) {
			t->nodes[r].nrange--;
			if (t->nodes[r].nrange)
				fix_path(t, &p);
			else
				prune(t, r, &p);
		}
		if (block_end(f, len) >= last || !step_past(&f, len))
			break;
	}
}

/* ---- allocation -------------------------------------------------------- */

/* Best-fit visits, in address order, the free blocks inside the parent:
 * empty halves of nodes, and the siblings along a compressed path. These are
 * exactly the maximal free aligned blocks. Summaries prune every part that
 * cannot hold the length asked for. (First-fit, below, needs no stack.) */
enum { T_INNER, T_HALF, T_REGION, T_RIGHT };

typedef struct {
	ipam__u128 start;
	uint32_t ref;
	uint8_t type, b, rl;
} task_t;

typedef struct {
	const ipam__trie *t;
	unsigned n;
	int found;
	unsigned best_len;
	ipam__u128 best;
} search_t;

/* Offer the maximal free block (start, bl): the longest one that still
 * holds a /n wins, the first (lowest) on a tie. Returns 1 on an exact fit,
 * which nothing later can beat. */
static int offer(search_t *s, ipam__u128 start, unsigned bl)
{
	if (bl > s->n)
		return 0;
	if (!s->found || bl > s->best_len) {
		s->found = 1;
		s->best_len = bl;
		s->best = start;
	}
	return bl == s->n;
}

static int search(search_t *s, task_t first)
{
	const ipam__trie *t = s->t;
	task_t st[4 * MAXDEPTH];
	int sp = 0;
	st[sp++] = first;
	while (sp > 0) {
		task_t k = st[--sp];
		switch (k.type) {
		case T_INNER: {
			const tnode *n = NODE(t, k.ref);
			if (umin(n->fh[0], n->fh[1]) > s->n)
				break;
			if (!n->child[0] && !n->child[1]) {
				/* only the parent itself can be an empty node */
				if (offer(s, n->key, n->len))
					return 1;
				break;
			}
			for (int b = 1; b >= 0; b--) {
				task_t h = { n->key | ((ipam__u128)b << (127 - n->len)), k.ref, T_HALF, (uint8_t)b, 0 };
				st[sp++] = h;
			}
			break;
		}
		case T_HALF: {
			const tnode *n = NODE(t, k.ref);
			unsigned hl = n->len + 1u;
			if (n->fh[k.b] > s->n)
				break;
			uint32_t c = n->child[k.b];
			if (!c) {
				if (offer(s, k.start, hl))
					return 1;
			} else if (rlen(t, c) == hl) {
				if (!IS_LEAF(c) && !node_occupying(NODE(t, c))) {
					task_t in = { 0, c, T_INNER, 0, 0 };
					st[sp++] = in;
				}
			} else {
				task_t rg = { k.start, c, T_REGION, 0, (uint8_t)hl };
				st[sp++] = rg;
			}
			break;
		}
		case T_REGION: {
			/* Block (start, rl) holding only c, deeper: the siblings of c's
			 * path are free; those left of the path come first. */
			uint32_t c = k.ref;
			if (!c) {
				if (offer(s, k.start, k.rl))
					return 1;
				break;
			}
			if (k.rl + 1u > s->n)
				break;
			ipam__u128 ck = rkey(t, c);
			unsigned cl = rlen(t, c);
			for (unsigned j = k.rl; j < cl; j++) {
				if (bit_at(ck, j) && j + 1 <= s->n) {
					ipam__u128 sib = ck & ipam__mask(j);
					if (offer(s, sib, j + 1))
						return 1;
				}
			}
			task_t rt = { 0, c, T_RIGHT, 0, k.rl };
			st[sp++] = rt;
			if (!IS_LEAF(c) && !node_occupying(NODE(t, c))) {
				task_t in = { 0, c, T_INNER, 0, 0 };
				st[sp++] = in;
			}
			break;
		}
		case T_RIGHT: {
			uint32_t c = k.ref;
			ipam__u128 ck = rkey(t, c);
			unsigned cl = rlen(t, c);
			for (unsigned j = cl; j-- > k.rl;) {
				if (!bit_at(ck, j) && j + 1 <= s->n) {
					ipam__u128 sib = (ck & ipam__mask(j)) | ((ipam__u128)1 << (127 - j));
					if (offer(s, sib, j + 1))
						return 1;
				}
			}
			break;
		}
		}
	}
	return s->found;
}

/* The free sibling nearest to the right of the compressed step down to
 * (ck, cl), among the levels from lo + 1 on, that can hold a /n. */
static int nearest_right(ipam__u128 ck, unsigned cl, unsigned lo, unsigned n, ipam__u128 *out)
{
	for (unsigned j = umin(cl, n); j-- > lo;) {
		if (!bit_at(ck, j)) {
			*out = (ck & ipam__mask(j)) | ((ipam__u128)1 << (127 - j));
			return 1;
		}
	}
	return 0;
}

/* First-fit is a single descent: a part whose summary admits a block of
 * length n is certain to hold one, so the lowest part that admits one is
 * entered and nothing is ever retried. With `excl` the region's first
 * address counts as taken (ip alloc's network address): the fx summaries
 * say where a block exists then, and a free block starting there yields its
 * second address instead. */
static int first_fit(const ipam__trie *t, uint32_t ref, ipam__u128 start, unsigned rl, int excl, unsigned n,
                     ipam__u128 *out, path_t *p)
{
	const ipam__u128 unit = (ipam__u128)1 << (128 - t->width);
	int type = ref && rlen(t, ref) == rl ? T_INNER : T_REGION;
	for (;;) {
		if (type == T_INNER) {
			const tnode *nd = NODE(t, ref);
			if (p)
				p->n[p->depth++] = ref; /* every node entered holds the answer */
			if (!nd->child[0] && !nd->child[1]) {
				/* an empty parent */
				if (rl > n)
					return 0;
				*out = excl ? start + unit : start;
				return !excl || rl < t->width;
			}
			unsigned h0 = excl ? nd->fx0 : nd->fh[0];
			unsigned b = h0 <= n ? 0 : 1;
			if (b && nd->fh[1] > n)
				return 0;
			if (b) {
				start |= (ipam__u128)1 << (127 - nd->len);
				excl = 0;
			}
			rl = nd->len + 1u;
			uint32_t c = nd->child[b];
			if (!c) {
				*out = excl ? start + unit : start;
				return 1;
			}
			ref = c;
			type = rlen(t, c) == rl ? T_INNER : T_REGION;
			continue;
		}
		/* A region (start, rl) holding only `ref`, deeper: the free
		 * siblings of its path, left ones first, then ref, then the
		 * right ones from the nearest. */
		ipam__u128 ck = rkey(t, ref);
		unsigned cl = rlen(t, ref);
		for (unsigned j = rl; j < cl && j + 1 <= n; j++) {
			if (!bit_at(ck, j))
				continue;
			ipam__u128 sib = ck & ipam__mask(j);
			if (excl && sib == start) {
				if (j + 1 < t->width) {
					*out = sib + unit;
					return 1;
				}
				continue;
			}
			*out = sib;
			return 1;
		}
		int cexcl = excl && ck == start;
		unsigned cf = cexcl ? outer_fx(t, ref) : outer_free(t, ref);
		if (cf <= n) {
			excl = cexcl;
			start = ck;
			rl = cl;
			type = T_INNER;
			continue;
		}
		return nearest_right(ck, cl, rl, n, out);
	}
}

/* The search behind ipam__trie_find_free and ipam__trie_alloc; with first
 * fit, *p receives the ancestors of the answer that the search entered. */
static int find_free(const ipam__trie *t, ipam__u128 key, unsigned len, unsigned n, int skip_first, int best_fit,
                     ipam__u128 *out, path_t *p, int *pidx)
{
	uint32_t r = t->root, sub = 0;
	*pidx = -1;
	p->depth = 0;
	p->full = 1;
	key &= ipam__mask(len);
	if (n < len || n > t->width || (skip_first && n != t->width))
		return IPAM_EEXHAUSTED;
	/* Walk down to the parent: a range block on the way covers it all. */
	while (r) {
		ipam__u128 rk = rkey(t, r);
		unsigned rl = rlen(t, r);
		unsigned cl = umin(common_len(rk, key), umin(rl, len));
		if (cl < rl) {
			if (cl == len)
				sub = r; /* the parent's region holds just r */
			break;
		}
		if (IS_LEAF(r))
			return IPAM_EEXHAUSTED; /* a full-length parent holding an address */
		const tnode *nd = NODE(t, r);
		if (nd->nrange)
			return IPAM_EEXHAUSTED;
		if (rl == len) {
			if (nd->addr)
				return IPAM_EEXHAUSTED;
			sub = r;
			break;
		}
		p->n[p->depth++] = r;
		r = nd->child[bit_at(key, rl)];
	}
	if (len == t->width) {
		/* A single address: free unless something sits on it (seen above). */
		if (skip_first)
			return IPAM_EEXHAUSTED;
		*out = key;
		return 0;
	}
	if (best_fit) {
		search_t s = { t, n, 0, 0, 0 };
		task_t first = { key, sub, T_REGION, 0, (uint8_t)len };
		if (sub && rlen(t, sub) == len)
			first.type = T_INNER;
		if (!search(&s, first))
			return IPAM_EEXHAUSTED;
		*out = s.best;
		p->depth = -1; /* no path: insert from the root */
		return 0;
	}
	if (!sub) {
		*out = skip_first ? key + ((ipam__u128)1 << (128 - t->width)) : key;
		return 0;
	}
	if (rlen(t, sub) == len)
		*pidx = p->depth; /* the parent is a node: first_fit records it here */
	return first_fit(t, sub, key, len, skip_first, n, out, p) ? 0 : IPAM_EEXHAUSTED;
}

int ipam__trie_find_free(const ipam__trie *t, ipam__u128 key, unsigned len, unsigned n, int skip_first,
                         int best_fit, ipam__u128 *out)
{
	path_t p;
	int pidx;
	return find_free(t, key, len, n, skip_first, best_fit, out, &p, &pidx);
}

/* The allocation hint. After a first-fit allocation of a /n in parent P,
 * every aligned /n of P below it is taken (that is what first-fit means),
 * and stays taken as long as the trie has not changed since. The next
 * allocation of a /n in P then only has to look to the right of the last
 * one: walking up the last allocation's path, the nearest free block is a
 * free sibling of a compressed step or the upper half of an ancestor whose
 * summary admits a /n, entered with first-fit. Sequential allocation costs
 * O(1) levels of search this way instead of a descent from P. */
struct ipam__trie_hint {
	uint64_t version;
	ipam__u128 pkey, last;
	uint8_t plen, n, skip, as_addr;
	int pidx; /* where P's node stands in path */
	path_t path; /* the ancestors of last's item, root first */
};

/* 1: found (*out, and the answer's ancestors in *p); 0: P is full. */
static int hint_next(const ipam__trie *t, const ipam__trie_hint *h, ipam__u128 *out, path_t *p)
{
	const path_t *hp = &h->path;
	const unsigned n = h->n;
	ipam__u128 ck = h->last;
	unsigned cl = n;
	for (int i = hp->depth - 1; i >= h->pidx; i--) {
		const tnode *a = NODE(t, hp->n[i]);
		/* a free sibling right of the compressed step from a to the
		 * child, or else a's upper half */
		int found = nearest_right(ck, cl, a->len + 1u, n, out);
		unsigned hl = a->len + 1u;
		int upper = !found && !bit_at(ck, a->len) && a->fh[1] <= n;
		if (!found && !upper) {
			ck = a->key;
			cl = a->len;
			continue;
		}
		memcpy(p->n, hp->n, (size_t)(i + 1) * sizeof p->n[0]);
		p->depth = i + 1;
		p->full = 1;
		if (found)
			return 1;
		ipam__u128 hs = a->key | ((ipam__u128)1 << (127 - a->len));
		uint32_t c = a->child[1];
		if (!c) {
			*out = hs;
			return 1;
		}
		return first_fit(t, c, hs, hl, 0, n, out, p);
	}
	return 0;
}

int ipam__trie_alloc(ipam__trie *t, ipam__u128 key, unsigned len, unsigned n, int skip_first, int skip_last,
                     int best_fit, int as_addr, uint32_t id, ipam__u128 *out)
{
	path_t p;
	ipam__u128 got;
	int rc, pidx = -1;
	ipam__trie_hint *h = t->hint;
	key &= ipam__mask(len);
	if (!best_fit && h && h->version == t->version && h->pkey == key && h->plen == len && h->n == n &&
	    h->skip == (skip_first != 0) && h->as_addr == (as_addr != 0)) {
		if (!hint_next(t, h, &got, &p))
			return IPAM_EEXHAUSTED;
		rc = 0;
		pidx = h->pidx;
	} else {
		rc = find_free(t, key, len, n, skip_first, best_fit, &got, &p, &pidx);
	}
	if (rc)
		return rc;
	if (skip_last && got == (block_end(key & ipam__mask(len), len) & ipam__mask(t->width)))
		return IPAM_EEXHAUSTED;
	int leaf = as_addr && n == t->width;
	/* the search's path ends at the deepest node that holds the answer;
	 * the insertion goes on from there */
	uint32_t r = p.depth < 0 ? insert(t, got, n, leaf, &p) : insert_from(t, got, n, leaf, &p);
	if (!r)
		return ipam__enomem();
	if (IS_LEAF(r))
		LEAFP(t, r)->addr = id;
	else if (leaf)
		NODE(t, r)->addr = id;
	else
		NODE(t, r)->pfx = id;
	fix_path(t, &p);
	*out = got;
	if (!best_fit && pidx >= 0 && (h || (h = t->hint = malloc(sizeof *h)))) {
		h->version = t->version;
		h->pkey = key;
		h->plen = (uint8_t)len;
		h->n = (uint8_t)n;
		h->skip = skip_first != 0;
		h->as_addr = as_addr != 0;
		h->last = got;
		h->pidx = pidx;
		h->path.depth = p.depth;
		h->path.full = 1;
		memcpy(h->path.n, p.n, (size_t)p.depth * sizeof p.n[0]);
	}
	return 0;
}

/* ---- queries ---------------------------------------------------------------- */

/* The lookup accelerator: a direct-index table over the 16 bits below the
 * root's length. Entry i stands for the block whose next 16 bits are i and
 * says where a longest-match walk for any key in it goes on (the first ref
 * at or below the block, 0 when none) and the best prefix met above it. A
 * lookup then reads one table entry and the few nodes below the block
 * instead of a dependent chain of cache misses from the root. Building
 * costs about one pass over 2^16 entries; it happens after DIR_QUIET
 * lookups with no change in between, and any change drops it. */
#define DIR_BITS 16
#define DIR_QUIET (1u << 15)
#define DIR_MIN_NODES 2048u

typedef struct {
	uint32_t start, best;
} dirent_t;

struct ipam__trie_dir {
	ipam__u128 base_key;
	unsigned base;
	dirent_t tab[1u << DIR_BITS];
};

static inline unsigned dir_index(const ipam__trie_dir *d, ipam__u128 k)
{
	return (unsigned)((k << d->base) >> (128 - DIR_BITS));
}

static int dir_build(ipam__trie *t)
{
	uint32_t root = t->root;
	/* a small trie stays in the cache anyway: no 512 KiB table for it */
	if (!root || IS_LEAF(root) || t->nlive < DIR_MIN_NODES)
		return 0;
	unsigned base = NODE(t, root)->len, L = base + DIR_BITS;
	if (L > t->width)
		return 0;
	if (!t->dir && !(t->dir = malloc(sizeof *t->dir)))
		return 0;
	ipam__trie_dir *d = t->dir;
	d->base = base;
	d->base_key = NODE(t, root)->key;
	struct {
		uint32_t r, best;
	} st[MAXDEPTH + 4];
	int sp = 0;
	st[sp].r = root;
	st[sp++].best = 0;
	while (sp > 0) {
		uint32_t r = st[--sp].r, best = st[sp].best;
		const tnode *n = NODE(t, r);
		if (n->pfx)
			best = r;
		/* a parent is filled before its children overwrite their part */
		unsigned lo = dir_index(d, n->key), cnt = 1u << (L - n->len);
		for (unsigned i = 0; i < cnt; i++) {
			d->tab[lo + i].start = n->len == L ? r : 0;
			d->tab[lo + i].best = best;
		}
		if (n->len == L)
			continue;
		for (int b = 0; b < 2; b++) {
			uint32_t c = n->child[b];
			if (!c)
				continue;
			if (!IS_LEAF(c) && NODE(t, c)->len <= L) {
				st[sp].r = c;
				st[sp++].best = best;
			} else {
				d->tab[dir_index(d, rkey(t, c))].start = c;
			}
		}
	}
	return 1;
}

uint32_t ipam__trie_match(ipam__trie *t, ipam__u128 key, unsigned len, ipam__u128 *okey, unsigned *olen)
{
	uint32_t r = t->root, best = 0;
	if (!t->dir_ok && len == t->width && ++t->quiet >= DIR_QUIET) {
		t->dir_ok = (uint8_t)dir_build(t);
		t->quiet = 0;
	}
	if (t->dir_ok && len >= t->dir->base + DIR_BITS) {
		const ipam__trie_dir *d = t->dir;
		if (common_len(key, d->base_key) < d->base)
			return 0; /* outside the root's block: nothing covers it */
		const dirent_t *e = &d->tab[dir_index(d, key)];
		best = e->best;
		r = e->start;
	}
	while (r && !IS_LEAF(r)) {
		const tnode *n = NODE(t, r);
		if (n->len > len || common_len(n->key, key) < n->len)
			break;
		if (n->pfx)
			best = r;
		if (n->len == len)
			break;
		r = n->child[bit_at(key, n->len)];
	}
	if (!best)
		return 0;
	if (okey)
		*okey = NODE(t, best)->key;
	if (olen)
		*olen = NODE(t, best)->len;
	return NODE(t, best)->pfx;
}

size_t ipam__trie_covering(const ipam__trie *t, ipam__u128 key, unsigned len, ipam__trie_hit *out)
{
	size_t k = 0;
	uint32_t r = t->root;
	while (r && !IS_LEAF(r)) {
		const tnode *n = NODE(t, r);
		if (n->len > len || common_len(n->key, key) < n->len)
			break;
		if (n->pfx) {
			out[k].key = n->key;
			out[k].len = n->len;
			out[k].id = n->pfx;
			k++;
		}
		if (n->len == len)
			break;
		r = n->child[bit_at(key, n->len)];
	}
	return k;
}

static void walk_from(ipam__trie_walk *w, const ipam__trie *t, uint32_t top, int what)
{
	w->t = t;
	w->what = what;
	w->sp = 0;
	if (top)
		w->stack[w->sp++] = top;
}

void ipam__trie_walk_init(ipam__trie_walk *w, const ipam__trie *t, ipam__u128 key, unsigned len, int what)
{
	path_t p;
	uint32_t inside, r = locate(t, key & ipam__mask(len), len, &p, &inside);
	walk_from(w, t, r ? r : inside, what);
}

int ipam__trie_walk_next(ipam__trie_walk *w, ipam__trie_hit *out)
{
	const ipam__trie *t = w->t;
	while (w->sp > 0) {
		uint32_t r = w->stack[--w->sp];
		if (IS_LEAF(r)) {
			if (w->what == IPAM__WALK_ADDRS) {
				out->key = leaf_key(LEAFP(t, r));
				out->len = t->width;
				out->id = LEAFP(t, r)->addr;
				return 0;
			}
			continue;
		}
		const tnode *n = NODE(t, r);
		/* Depth is at most width+1, and each level leaves at most one
		 * pending right child, so the stack cannot overflow. */
		if (n->child[1])
			w->stack[w->sp++] = n->child[1];
		if (n->child[0])
			w->stack[w->sp++] = n->child[0];
		uint32_t id = w->what == IPAM__WALK_PREFIXES ? n->pfx : n->addr;
		if (id) {
			out->key = n->key;
			out->len = n->len;
			out->id = id;
			return 0;
		}
	}
	return IPAM_ITEROVER;
}

void ipam__trie_util(const ipam__trie *t, ipam__u128 key, unsigned len, ipam__u128 *used, ipam__u128 *used64)
{
	path_t p;
	uint32_t inside, r;
	key &= ipam__mask(len);
	r = locate(t, key, len, &p, &inside);
	*used = 0;
	*used64 = 0;
	/* a range block at or above it covers it whole */
	int full = r && !IS_LEAF(r) && NODE(t, r)->nrange;
	for (int i = 0; !full && i < p.depth; i++)
		full = NODE(t, p.n[i])->nrange != 0;
	if (full) {
		*used = block_count(t, len);
		*used64 = len <= 64 ? (ipam__u128)1 << (64 - len) : 1;
		return;
	}
	if (r) {
		if (IS_LEAF(r) || NODE(t, r)->addr) { /* the address itself */
			*used = 1;
			*used64 = 1;
			return;
		}
		const tnode *n = NODE(t, r);
		*used = n->occ;
		if (t->width == 128 && len < 64) {
			/* Summed here in 128 bits: at ::/0 the stored count
			 * could saturate at 2^64. */
			for (int b = 0; b < 2; b++)
				if (n->child[b])
					*used64 += outer_used64(t, n->child[b]);
		} else {
			*used64 = n->occ ? 1 : 0;
		}
		return;
	}
	if (inside) {
		*used = outer_occ(t, inside);
		*used64 = t->width == 128 ? outer_used64(t, inside) : 0;
	}
}

/* ---- checks and figures ------------------------------------------------- */

int ipam__trie_check(const ipam__trie *t)
{
	uint32_t stack[MAXDEPTH + 4];
	int sp = 0;
	uint64_t nodes = 0, leaves = 0;
	if (t->root)
		stack[sp++] = t->root;
	while (sp > 0) {
		uint32_t r = stack[--sp];
		if (IS_LEAF(r)) {
			leaves++;
			const tleaf *l = LEAFP(t, r);
			if (!l->addr)
				return ipam__error(IPAM_ERROR, "trie: leaf %u without an address", r & ~LEAF);
			if (leaf_key(l) & ~ipam__mask(t->width))
				return ipam__error(IPAM_ERROR, "trie: leaf %u has bits past the width", r & ~LEAF);
			continue;
		}
		nodes++;
		const tnode *n = NODE(t, r);
		if (n->len > t->width)
			return ipam__error(IPAM_ERROR, "trie: node %u length %u past width", r, n->len);
		if (n->key & ~ipam__mask(n->len))
			return ipam__error(IPAM_ERROR, "trie: node %u has host bits", r);
		int kids = (n->child[0] != 0) + (n->child[1] != 0);
		if (!node_occupying(n) && kids < 2)
			return ipam__error(IPAM_ERROR, "trie: node %u (/%u) carries nothing and has %d children", r, n->len, kids);
		if (n->addr && n->len != t->width)
			return ipam__error(IPAM_ERROR, "trie: node %u has an address at /%u", r, n->len);
		for (int b = 0; b < 2; b++) {
			uint32_t c = n->child[b];
			if (!c)
				continue;
			if (rlen(t, c) <= n->len)
				return ipam__error(IPAM_ERROR, "trie: child of node %u not deeper", r);
			if (common_len(rkey(t, c), n->key) < n->len || bit_at(rkey(t, c), n->len) != (unsigned)b)
				return ipam__error(IPAM_ERROR, "trie: child of node %u in the wrong place", r);
			if (sp >= MAXDEPTH + 2)
				return ipam__error(IPAM_ERROR, "trie: too deep");
			stack[sp++] = c;
		}
		tnode copy = *n;
		pull(t, &copy);
		if (copy.fh[0] != n->fh[0] || copy.fh[1] != n->fh[1] || copy.fx0 != n->fx0 || copy.occ != n->occ ||
		    copy.used64 != n->used64)
			return ipam__error(IPAM_ERROR, "trie: node %u (/%u) summary is stale", r, n->len);
	}
	if (nodes != t->nlive || leaves != t->llive)
		return ipam__error(IPAM_ERROR, "trie: %llu nodes and %llu leaves reachable, %u and %u live",
		                   (unsigned long long)nodes, (unsigned long long)leaves, t->nlive, t->llive);
	return 0;
}

void ipam__trie_stats(const ipam__trie *t, uint64_t *nodes, uint64_t *bytes, uint64_t *reserved)
{
	*nodes = (uint64_t)t->nlive + t->llive;
	*bytes = (uint64_t)t->nlive * sizeof(tnode) + (uint64_t)t->llive * sizeof(tleaf);
	*reserved = (uint64_t)t->ncap * sizeof(tnode) + (uint64_t)t->lcap * sizeof(tleaf) +
	            (t->dir ? sizeof *t->dir : 0);
}
