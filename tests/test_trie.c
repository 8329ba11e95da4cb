/* The trie on its own: random items against a brute-force bitmap model of a
 * small universe, with every structural invariant checked after each change
 * (ipam__trie_check), first-fit and best-fit searches, longest match,
 * covering and covered walks, and utilization compared with the model. */
#include "core/trie.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#define UBITS 10 /* universe: 2^10 addresses */
#define USIZE (1u << UBITS)
#define MAXITEMS 4096

typedef struct {
	unsigned width;      /* 32 or 128 */
	ipam__u128 base;     /* key of the universe's first address */
	unsigned ulen;       /* universe prefix length = width - UBITS */
	/* items */
	struct { unsigned off, len; uint32_t id; } pfx[MAXITEMS];
	int npfx;
	unsigned char addr[USIZE]; /* address id != 0 */
	uint32_t addr_id[USIZE];
	struct { unsigned first, last; } rng[MAXITEMS];
	int nrng;
} model;

static uint64_t rs;
static uint64_t rnd(void)
{
	rs ^= rs << 13;
	rs ^= rs >> 7;
	rs ^= rs << 17;
	return rs;
}
static unsigned rndn(unsigned n) { return (unsigned)(rnd() % n); }

static ipam__u128 unit(const model *m) { return (ipam__u128)1 << (128 - m->width); }
static ipam__u128 key_of(const model *m, unsigned off) { return m->base + (ipam__u128)off * unit(m); }
static unsigned off_of(const model *m, ipam__u128 key) { return (unsigned)((key - m->base) / unit(m)); }
static unsigned bsize(const model *m, unsigned len) { return 1u << (m->width - len); }

/* Is offset a occupied as seen from the parent block (poff, plen)? */
static int occupied(const model *m, unsigned a, unsigned poff, unsigned plen)
{
	if (m->addr[a])
		return 1;
	for (int i = 0; i < m->nrng; i++)
		if (a >= m->rng[i].first && a <= m->rng[i].last)
			return 1;
	for (int i = 0; i < m->npfx; i++) {
		unsigned o = m->pfx[i].off, l = m->pfx[i].len;
		if (l <= plen)
			continue;
		if (o < poff || o >= poff + bsize(m, plen))
			continue;
		if (a >= o && a < o + bsize(m, l))
			return 1;
	}
	return 0;
}

static int block_free(const model *m, const unsigned char *occ, unsigned off, unsigned len)
{
	for (unsigned a = off; a < off + bsize(m, len); a++)
		if (occ[a])
			return 0;
	return 1;
}

/* Reference allocation in (poff, plen) of a /n: first-fit from lo, or best-fit. */
static int ref_find(const model *m, unsigned poff, unsigned plen, unsigned n, unsigned lo, int best, unsigned *out)
{
	static unsigned char occ[USIZE];
	for (unsigned a = 0; a < USIZE; a++)
		occ[a] = (a >= poff && a < poff + bsize(m, plen)) ? (unsigned char)occupied(m, a, poff, plen) : 1;
	unsigned sz = bsize(m, n);
	if (!best) {
		for (unsigned a = poff; a < poff + bsize(m, plen); a += sz)
			if (a >= lo && block_free(m, occ, a, n)) {
				*out = a;
				return 1;
			}
		return 0;
	}
	/* best-fit: maximal free blocks (within the parent), largest len <= n, lowest */
	int found = 0;
	unsigned best_len = 0, best_off = 0;
	for (unsigned l = plen; l <= n; l++) {
		for (unsigned a = poff; a < poff + bsize(m, plen); a += bsize(m, l)) {
			if (!block_free(m, occ, a, l))
				continue;
			int maximal = l == plen || !block_free(m, occ, a & ~(bsize(m, l - 1) - 1), l - 1);
			if (maximal && (!found || l > best_len)) {
				found = 1;
				best_len = l;
				best_off = a;
			}
		}
	}
	if (found)
		*out = best_off;
	return found;
}

static void model_init(model *m, unsigned width)
{
	memset(m, 0, sizeof *m);
	m->width = width;
	m->ulen = width - UBITS;
	m->base = width == 32 ? (ipam__u128)0x0A000000u << 96 : (ipam__u128)0x20010db8u << 96;
}

static void check_trie(const ipam__trie *t)
{
	int rc = ipam__trie_check(t);
	if (rc) {
		extern const ipam_error *ipam_error_last(void);
		ck_abort_msg("trie check: %s", ipam_error_last()->message);
	}
}

static void random_block(const model *m, unsigned *off, unsigned *len)
{
	*len = m->ulen + rndn(UBITS + 1);
	/* bias towards longer blocks so that the universe does not fill at once */
	if (rndn(3) == 0)
		*len = m->width - rndn(3);
	*off = rndn(USIZE) & ~(bsize(m, *len) - 1);
}

static void run(unsigned width, unsigned seed, int ops)
{
	static model m;
	ipam__trie t;
	model_init(&m, width);
	ipam__trie_init(&t, width);
	rs = 0x9e3779b97f4a7c15ull ^ seed;
	uint32_t next_id = 1;
	for (int op = 0; op < ops; op++) {
		unsigned kind = rndn(11), off, len;
		random_block(&m, &off, &len);
		if (kind <= 1 && m.npfx < MAXITEMS) { /* add prefix, sometimes refusing any overlap */
			int exists = 0, overlaps = 0, excl = (int)rndn(2);
			for (int i = 0; i < m.npfx; i++) {
				unsigned o = m.pfx[i].off, l = m.pfx[i].len;
				exists |= o == off && l == len;
				overlaps |= (l <= len && off >= o && off < o + bsize(&m, l)) ||
				            (l >= len && o >= off && o < off + bsize(&m, len));
			}
			ipam__u128 ok;
			unsigned ol;
			int rc = excl ? ipam__trie_set_prefix_excl(&t, key_of(&m, off), len, next_id, &ok, &ol)
			              : ipam__trie_set_prefix(&t, key_of(&m, off), len, next_id);
			if (excl)
				exists = overlaps;
			ck_assert_int_eq(rc, exists ? IPAM_EEXISTS : 0);
			if (!exists) {
				m.pfx[m.npfx].off = off;
				m.pfx[m.npfx].len = len;
				m.pfx[m.npfx].id = next_id++;
				m.npfx++;
			}
		} else if (kind == 2 && m.npfx) { /* remove prefix */
			int i = (int)rndn((unsigned)m.npfx);
			uint32_t id = ipam__trie_clear_prefix(&t, key_of(&m, m.pfx[i].off), m.pfx[i].len);
			ck_assert_uint_eq(id, m.pfx[i].id);
			m.pfx[i] = m.pfx[--m.npfx];
		} else if (kind == 3) { /* add address */
			unsigned a = rndn(USIZE);
			int rc = ipam__trie_set_addr(&t, key_of(&m, a), next_id);
			ck_assert_int_eq(rc, m.addr[a] ? IPAM_EEXISTS : 0);
			if (!m.addr[a]) {
				m.addr[a] = 1;
				m.addr_id[a] = next_id++;
			}
		} else if (kind == 4) { /* release address */
			unsigned a = rndn(USIZE);
			uint32_t id = ipam__trie_clear_addr(&t, key_of(&m, a));
			ck_assert_uint_eq(id, m.addr[a] ? m.addr_id[a] : 0);
			m.addr[a] = 0;
		} else if (kind == 5 && m.nrng < 64) { /* add range */
			unsigned a = rndn(USIZE), b = a + rndn(64);
			if (b >= USIZE)
				b = USIZE - 1;
			ck_assert_int_eq(ipam__trie_range_add(&t, key_of(&m, a), key_of(&m, b)), 0);
			m.rng[m.nrng].first = a;
			m.rng[m.nrng].last = b;
			m.nrng++;
		} else if (kind == 6 && m.nrng) { /* remove range */
			int i = (int)rndn((unsigned)m.nrng);
			ipam__trie_range_del(&t, key_of(&m, m.rng[i].first), key_of(&m, m.rng[i].last));
			m.rng[i] = m.rng[--m.nrng];
		} else if (kind == 7) { /* a run of allocations in one parent (the hint's case) */
			unsigned n = len + 1 + rndn(m.width - len > 1 ? m.width - len : 1);
			if (n > m.width)
				n = m.width;
			int as_addr = n == m.width && rndn(2);
			int skip = as_addr && len + 1 < m.width && rndn(2);
			int last = as_addr && skip && m.width == 32 && rndn(2);
			int runs = 1 + (int)rndn(12);
			for (int k = 0; k < runs && m.npfx < MAXITEMS && len < m.width; k++) {
				unsigned want = 0;
				int has = ref_find(&m, off, len, n, off + (unsigned)skip, 0, &want);
				if (has && last && want == off + bsize(&m, len) - 1)
					has = 0;
				ipam__u128 got;
				int rc = ipam__trie_alloc(&t, key_of(&m, off), len, n, skip, last, 0, as_addr, next_id, &got);
				ck_assert_msg((rc == 0) == has, "op %d.%d: alloc /%u in %u/%u skip %d last %d: trie %d, model %d", op,
				              k, n, off, len, skip, last, rc, has);
				if (!has)
					break;
				ck_assert_msg(off_of(&m, got) == want, "op %d.%d: alloc /%u in %u/%u: trie %u, model %u", op, k, n,
				              off, len, off_of(&m, got), want);
				if (as_addr) {
					m.addr[want] = 1;
					m.addr_id[want] = next_id++;
				} else {
					m.pfx[m.npfx].off = want;
					m.pfx[m.npfx].len = n;
					m.pfx[m.npfx].id = next_id++;
					m.npfx++;
				}
				check_trie(&t);
			}
		} else { /* queries */
			unsigned n = len + rndn(m.width - len + 1);
			if (n == len && n < m.width)
				n++;
			int best = rndn(3) == 0;
			int skip = !best && n == m.width && rndn(2);
			unsigned lo = off + (unsigned)skip;
			unsigned want = 0, got_off;
			int has = ref_find(&m, off, len, n, lo, best, &want);
			ipam__u128 got;
			int rc = ipam__trie_find_free(&t, key_of(&m, off), len, n, skip, best, &got);
			ck_assert_msg((rc == 0) == has, "op %d: find_free /%u in off %u/%u lo %u best %d: trie %d, model %d", op, n,
			              off, len, lo, best, rc, has);
			if (has) {
				got_off = off_of(&m, got);
				ck_assert_msg(got_off == want, "op %d: find_free /%u in %u/%u lo %u best %d: trie %u, model %u", op,
				              n, off, len, lo, best, got_off, want);
			}
			/* utilization of the block */
			unsigned used = 0, used64 = 0;
			for (unsigned a = off; a < off + bsize(&m, len); a++)
				used += (unsigned)occupied(&m, a, off, len);
			(void)used64;
			ipam__u128 u, u64;
			ipam__trie_util(&t, key_of(&m, off), len, &u, &u64);
			ck_assert_msg(u == used, "op %d: util %u/%u: trie %llu, model %u", op, off, len,
			              (unsigned long long)u, used);
			/* longest match of an address */
			unsigned a = rndn(USIZE);
			int bl = -1;
			for (int i = 0; i < m.npfx; i++)
				if (a >= m.pfx[i].off && a < m.pfx[i].off + bsize(&m, m.pfx[i].len) && (int)m.pfx[i].len > bl)
					bl = (int)m.pfx[i].len;
			ipam__u128 mk;
			unsigned ml = 0;
			uint32_t mid = ipam__trie_match(&t, key_of(&m, a), m.width, &mk, &ml);
			ck_assert_int_eq(mid != 0, bl >= 0);
			if (mid)
				ck_assert_uint_eq(ml, (unsigned)bl);
			/* covering walk: count of prefixes that hold the block */
			ipam__trie_hit hits[130];
			size_t nh = ipam__trie_covering(&t, key_of(&m, off), len, hits);
			size_t cov = 0;
			for (int i = 0; i < m.npfx; i++)
				if (m.pfx[i].len <= len && off >= m.pfx[i].off && off < m.pfx[i].off + bsize(&m, m.pfx[i].len))
					cov++;
			ck_assert_uint_eq(nh, cov);
			for (size_t i = 1; i < nh; i++)
				ck_assert_uint_lt(hits[i - 1].len, hits[i].len);
			/* covered walk: prefixes inside the block, in order */
			ipam__trie_walk w;
			ipam__trie_hit h, prev = { 0, 0, 0 };
			size_t inside = 0, seen = 0;
			for (int i = 0; i < m.npfx; i++)
				if (m.pfx[i].len >= len && m.pfx[i].off >= off && m.pfx[i].off < off + bsize(&m, len))
					inside++;
			ipam__trie_walk_init(&w, &t, key_of(&m, off), len, IPAM__WALK_PREFIXES);
			while (ipam__trie_walk_next(&w, &h) == 0) {
				if (seen)
					ck_assert(prev.key < h.key || (prev.key == h.key && prev.len < h.len));
				prev = h;
				seen++;
			}
			ck_assert_uint_eq(seen, inside);
		}
		check_trie(&t);
	}
	/* empty it completely: the trie must end with no node at all */
	while (m.npfx) {
		ck_assert_uint_ne(ipam__trie_clear_prefix(&t, key_of(&m, m.pfx[m.npfx - 1].off), m.pfx[m.npfx - 1].len), 0);
		m.npfx--;
	}
	for (unsigned a = 0; a < USIZE; a++)
		if (m.addr[a])
			ck_assert_uint_ne(ipam__trie_clear_addr(&t, key_of(&m, a)), 0);
	while (m.nrng) {
		m.nrng--;
		ipam__trie_range_del(&t, key_of(&m, m.rng[m.nrng].first), key_of(&m, m.rng[m.nrng].last));
	}
	check_trie(&t);
	ck_assert_uint_eq(t.nlive, 0);
	ck_assert_uint_eq(t.llive, 0);
	ck_assert_uint_eq(t.root, 0);
	ipam__trie_free(&t);
}

START_TEST(random_v4)
{
	run(32, (unsigned)_i + 1, 6000);
}
END_TEST

START_TEST(random_v6)
{
	run(128, (unsigned)_i + 101, 6000);
}
END_TEST

/* The /64 counts of an IPv6 trie, and saturation at ::/0. */
START_TEST(v6_counts)
{
	ipam__trie t;
	ipam__trie_init(&t, 128);
	ipam__u128 base = (ipam__u128)0x20010db8u << 96, u, u64;
	/* 2001:db8::/48 with three /64s touched: ::1 in /64 #0, /120 in #5, /63 at #8-9 */
	ck_assert_int_eq(ipam__trie_set_prefix(&t, base, 48, 1), 0);
	ck_assert_int_eq(ipam__trie_set_addr(&t, base + 1, 2), 0);
	ck_assert_int_eq(ipam__trie_set_prefix(&t, base + ((ipam__u128)5 << 64), 120, 3), 0);
	ck_assert_int_eq(ipam__trie_set_prefix(&t, base + ((ipam__u128)8 << 64), 63, 4), 0);
	ipam__trie_util(&t, base, 48, &u, &u64);
	ck_assert(u64 == 4);
	ck_assert(u == 1 + 256 + ((ipam__u128)2 << 64));
	/* ::/0 holding two /1 prefixes: every /64 used, 2^64 of them */
	ipam__trie_free(&t);
	ipam__trie_init(&t, 128);
	ck_assert_int_eq(ipam__trie_set_prefix(&t, 0, 1, 1), 0);
	ck_assert_int_eq(ipam__trie_set_prefix(&t, (ipam__u128)1 << 127, 1, 2), 0);
	ipam__trie_util(&t, 0, 0, &u, &u64);
	ck_assert(u64 == (ipam__u128)1 << 64);
	ck_assert(u == IPAM__U128_MAX);
	ck_assert_int_eq(ipam__trie_check(&t), 0);
	ipam__trie_free(&t);
}
END_TEST

/* A dense fill: every address of a /16 through find_free, then release all. */
START_TEST(dense_fill)
{
	ipam__trie t;
	ipam__trie_init(&t, 32);
	ipam__u128 base = (ipam__u128)0x0A000000u << 96, unit = (ipam__u128)1 << 96, got;
	ck_assert_int_eq(ipam__trie_set_prefix(&t, base, 16, 1), 0);
	for (unsigned i = 1; i < 65535; i++) {
		ck_assert_int_eq(ipam__trie_find_free(&t, base, 16, 32, 1, 0, &got), 0);
		ck_assert(got == base + i * unit);
		ck_assert_int_eq(ipam__trie_set_addr(&t, got, i + 1), 0);
	}
	/* only the broadcast address is left above lo */
	ck_assert_int_eq(ipam__trie_find_free(&t, base, 16, 32, 1, 0, &got), 0);
	ck_assert(got == base + 65535 * unit);
	ck_assert_int_eq(ipam__trie_check(&t), 0);
	for (unsigned i = 1; i < 65535; i++)
		ck_assert_uint_eq(ipam__trie_clear_addr(&t, base + i * unit), i + 1);
	ck_assert_uint_eq(t.llive, 0);
	ck_assert_uint_eq(t.nlive, 1);
	ipam__trie_free(&t);
}
END_TEST


/* The lookup accelerator: after enough lookups without a change, longest
 * match goes through the direct-index table. Its answers must equal a
 * brute-force scan, before and after it is built, and after changes drop
 * it. Prefixes spread over a /8 (IPv4) or a /32 (IPv6) so that the table
 * covers real depth. */
static void accel_run(unsigned width, unsigned seed)
{
	enum { NP = 6000 }; /* enough nodes for the table to be worth building */
	static ipam__u128 pk[NP];
	static unsigned pl[NP];
	ipam__trie t;
	ipam__trie_init(&t, width);
	rs = 0x51ed2701ull ^ seed;
	ipam__u128 base = width == 32 ? (ipam__u128)0x0A000000u << 96 : (ipam__u128)0x20010db8u << 96;
	unsigned blen = width == 32 ? 8 : 32;
	int np = 0;
	for (int round = 0; round < 3; round++) {
		/* add some prefixes (and remove a few) */
		for (int i = 0; i < 2000 && np < NP; i++) {
			unsigned len = blen + 1 + rndn(width == 32 ? 24 : 40);
			ipam__u128 k = (base | ((ipam__u128)rnd() << 64 | rnd()) >> blen) & ipam__mask(len);
			if (ipam__trie_set_prefix(&t, k, len, (uint32_t)np + 1) == 0) {
				pk[np] = k;
				pl[np] = len;
				np++;
			}
		}
		if (round == 2) {
			/* a short prefix above the table's base changes the root */
			ck_assert_int_eq(ipam__trie_set_prefix(&t, base & ipam__mask(blen - 4), blen - 4, 99999), 0);
			pk[np] = base & ipam__mask(blen - 4);
			pl[np] = blen - 4;
			np++;
		}
		for (int q = 0; q < 40000; q++) {
			ipam__u128 key;
			if (q & 1) {
				int i = (int)rndn((unsigned)np);
				key = pk[i] | ((((ipam__u128)rnd() << 64) | rnd()) & ~ipam__mask(pl[i]));
			} else {
				key = base | ((((ipam__u128)rnd() << 64) | rnd()) >> (blen - 2));
			}
			key &= ipam__mask(width);
			int bl = -1;
			for (int i = 0; i < np; i++)
				if ((int)pl[i] > bl && (key & ipam__mask(pl[i])) == pk[i])
					bl = (int)pl[i];
			ipam__u128 mk;
			unsigned ml = 0;
			uint32_t id = ipam__trie_match(&t, key, width, &mk, &ml);
			ck_assert_msg((id != 0) == (bl >= 0), "round %d lookup %d: trie %u, brute force /%d", round, q, id, bl);
			if (id)
				ck_assert_uint_eq(ml, (unsigned)bl);
		}
		ck_assert_msg(t.dir_ok == 1, "round %d: table not built (%u nodes)", round, t.nlive); /* built and used */
	}
	ck_assert_int_eq(ipam__trie_check(&t), 0);
	ipam__trie_free(&t);
}

START_TEST(accelerated_match)
{
	accel_run(32, 1);
	accel_run(128, 2);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("trie");
	TCase *tc = tcase_create("trie");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, random_v4, 0, 6);
	tcase_add_loop_test(tc, random_v6, 0, 6);
	tcase_add_test(tc, v6_counts);
	tcase_add_test(tc, dense_fill);
	tcase_add_test(tc, accelerated_match);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
