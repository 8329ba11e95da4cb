/* Fuzz target: sequences of allocation operations against a bitmap model.
 *
 * The input is read as a list of operations (prefix add/rm/alloc, ip
 * alloc/add/release, range add/rm, utilization, longest match) on two small
 * worlds, 10.0.0.0/24 and 2001:db8::/120, in two spaces. Each operation runs
 * on a memory: database and on a model that keeps one bit per address of a
 * world and answers by brute force, straight from the rules in
 * include/ipam/ip.h and prefix.h. Any disagreement, in a return code or a
 * result, aborts. The index's own invariants are checked after every
 * operation when src/db/check.h is there.
 *
 * Encoding, per operation: kind, flags (bit 0 space "blue", bit 1 IPv6,
 * bit 2 pool, bit 3 best-fit, bit 4 NULL for "default"), depth (length =
 * 24 or 120 plus depth % 9), offset (the address in the world), and for
 * prefix alloc and ranges one more byte (the length asked: base - 1 +
 * byte % 12; a range's last offset). */
#include "ipam.h"

#if defined(__has_include)
#if __has_include("db/check.h")
#include "db/check.h"
#define HAVE_DB_CHECK 1
#endif
#endif

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NSP 2
#define NFAM 2 /* 0: IPv4 10.0.0.0/24, 1: IPv6 2001:db8::/120 */
#define MAXR 64

static const char *const sp_names[NSP] = { "default", "blue" };

typedef struct world {
	uint8_t pfx[9][256];  /* [depth][index]: 0 none, 1 prefix, 2 pool prefix */
	uint8_t addr[256];
	uint8_t rf[MAXR], rl[MAXR];
	int nr;
} world;

static world M[NSP][NFAM];

static unsigned base_len(int f)
{
	return f ? 120u : 24u;
}

static unsigned width(int f)
{
	return f ? 128u : 32u;
}

static void mk_addr(ipam_addr *a, int f, unsigned off)
{
	memset(a, 0, sizeof(*a));
	if (f) {
		static const uint8_t pre[15] = { 0x20, 0x01, 0x0d, 0xb8 };
		a->family = IPAM_AF_INET6;
		memcpy(a->bytes, pre, 15);
		a->bytes[15] = (uint8_t)off;
	} else {
		a->family = IPAM_AF_INET;
		a->bytes[0] = 10;
		a->bytes[3] = (uint8_t)off;
	}
}

/* A prefix of the world: depth 0..8 below the world's length. */
static void mk_prefix(ipam_prefix *p, int f, unsigned d, unsigned off)
{
	memset(p, 0, sizeof(*p));
	mk_addr(&p->addr, f, off);
	p->len = (uint8_t)(base_len(f) + d);
}

static void fail(const char *what, int step, int got, int want)
{
	fprintf(stderr, "ops_fuzzer: step %d: %s: got %d (%s), model %d (%s); last error: %s\n", step, what, got,
	        ipam_error_name(got), want, ipam_error_name(want), ipam_error_last()->message);
	abort();
}

/* Is address `a` of the world not free for an allocation in the block
 * (d, off)? Prefixes strictly inside the block, addresses, ranges. */
static int blocked(const world *w, unsigned d, unsigned a)
{
	if (w->addr[a])
		return 1;
	for (unsigned e = d + 1; e <= 8; e++)
		if (w->pfx[e][a >> (8 - e)])
			return 1;
	for (int i = 0; i < w->nr; i++)
		if (w->rf[i] <= a && a <= w->rl[i])
			return 1;
	return 0;
}

/* Is the block (e, idx) free for an allocation in the parent at depth d? */
static int block_free(const world *w, unsigned d, unsigned e, unsigned idx)
{
	unsigned size = 1u << (8 - e), lo = idx << (8 - e);
	for (unsigned a = lo; a < lo + size; a++)
		if (blocked(w, d, a))
			return 0;
	return 1;
}

static int step_no;

static void check_db(ipam_db *db)
{
#ifdef HAVE_DB_CHECK
	int rc = ipam__db_check(db);
	if (rc != 0)
		fail("ipam__db_check", step_no, rc, 0);
#else
	(void)db;
#endif
}

static void same_addr(const ipam_addr *got, int f, unsigned off, const char *what)
{
	ipam_addr w;
	mk_addr(&w, f, off);
	if (memcmp(got, &w, sizeof(w)) != 0) {
		char g[IPAM_ADDR_STRLEN] = "?";
		ipam_addr_format(g, sizeof(g), got);
		fprintf(stderr, "ops_fuzzer: step %d: %s: got %s, model offset %u\n", step_no, what, g, off);
		abort();
	}
}

static void same_prefix(const ipam_prefix *got, int f, unsigned d, unsigned off, const char *what)
{
	ipam_prefix w;
	mk_prefix(&w, f, d, off);
	if (memcmp(got, &w, sizeof(w)) != 0) {
		char g[IPAM_PREFIX_STRLEN] = "?";
		ipam_prefix_format(g, sizeof(g), got);
		fprintf(stderr, "ops_fuzzer: step %d: %s: got %s, model offset %u /%u\n", step_no, what, g, off,
		        base_len(f) + d);
		abort();
	}
}

static void check_u(ipam_u128 v, uint64_t want, const char *what)
{
	if (v.hi != 0 || v.lo != want) {
		fprintf(stderr, "ops_fuzzer: step %d: util %s: got %llu:%llu, model %llu\n", step_no, what,
		        (unsigned long long)v.hi, (unsigned long long)v.lo, (unsigned long long)want);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ipam_db *db = NULL;
	if (ipam_db_open(&db, "memory:", NULL) != 0 || ipam_space_add(db, "blue", NULL) != 0)
		abort();
	memset(M, 0, sizeof(M));
	size_t i = 0;
	step_no = 0;
	while (i + 4 <= size) {
		unsigned kind = data[i] % 10, fl = data[i + 1], d = data[i + 2] % 9, off = data[i + 3];
		unsigned x = i + 4 < size ? data[i + 4] : 0;
		i += (kind == 2 || kind == 6 || kind == 7) ? 5 : 4;
		int s = fl & 1, f = (fl >> 1) & 1, pool = (fl >> 2) & 1, best = (fl >> 3) & 1;
		const char *spn = (fl & 16) && s == 0 ? NULL : sp_names[s];
		world *w = &M[s][f];
		unsigned W = width(f), bl = base_len(f);
		off &= ~((1u << (8 - d)) - 1) & 255u; /* the block's start */
		unsigned idx = off >> (8 - d);
		ipam_prefix P;
		ipam_addr A, B;
		int rc, want;
		mk_prefix(&P, f, d, off);
		mk_addr(&A, f, data[i - 1 - ((kind == 2 || kind == 6 || kind == 7) ? 1 : 0)]);
		step_no++;

		switch (kind) {
		case 0: { /* prefix add */
			ipam_prefix_options o = IPAM_PREFIX_OPTIONS_INIT;
			o.space = spn;
			o.pool = pool;
			rc = ipam_prefix_add(db, &P, &o);
			want = w->pfx[d][idx] ? IPAM_EEXISTS : 0;
			if (rc != want)
				fail("prefix add", step_no, rc, want);
			if (!rc)
				w->pfx[d][idx] = (uint8_t)(1 + pool);
			break;
		}
		case 1: /* prefix rm */
			rc = ipam_prefix_rm(db, spn, &P);
			want = w->pfx[d][idx] ? 0 : IPAM_ENOTFOUND;
			if (rc != want)
				fail("prefix rm", step_no, rc, want);
			w->pfx[d][idx] = 0;
			break;
		case 2: { /* prefix alloc */
			unsigned n = bl - 1 + x % 12; /* may be invalid */
			ipam_prefix_alloc_options o = IPAM_PREFIX_ALLOC_OPTIONS_INIT;
			ipam_prefix out;
			o.space = spn;
			o.length = n;
			o.policy = best ? IPAM_POLICY_BEST_FIT : IPAM_POLICY_FIRST_FIT;
			o.pool = pool;
			rc = ipam_prefix_alloc(&out, db, &P, &o);
			int found = 0;
			unsigned fd = 0, fidx = 0;
			if (!w->pfx[d][idx]) {
				want = IPAM_ENOTFOUND;
			} else if (n <= bl + d || n > W) {
				want = IPAM_EINVAL;
			} else {
				unsigned nd = n - bl, lo = idx << (8 - d), hi = lo + (1u << (8 - d));
				if (!best) {
					for (unsigned b = lo >> (8 - nd); b < hi >> (8 - nd) && !found; b++)
						if (block_free(w, d, nd, b))
							found = 1, fd = nd, fidx = b;
				} else {
					int bestd = -1;
					unsigned bidx = 0;
					for (unsigned e = d; e <= nd; e++)
						for (unsigned b = lo >> (8 - e); b < hi >> (8 - e); b++)
							if (block_free(w, d, e, b) &&
							    (e == d || !block_free(w, d, e - 1, b >> 1)) &&
							    (int)e > bestd)
								bestd = (int)e, bidx = b;
					if (bestd >= 0) {
						found = 1;
						fd = nd;
						fidx = bidx << (nd - (unsigned)bestd);
					}
				}
				want = found ? 0 : IPAM_EEXHAUSTED;
			}
			/* parent missing and length invalid: the spec gives no order */
			if (want == IPAM_ENOTFOUND && (n <= bl + d || n > W) && rc == IPAM_EINVAL)
				want = rc;
			if (rc != want)
				fail("prefix alloc", step_no, rc, want);
			if (!rc) {
				same_prefix(&out, f, fd, fidx << (8 - fd), "prefix alloc");
				w->pfx[fd][fidx] = (uint8_t)(1 + pool);
			}
			break;
		}
		case 3: { /* ip alloc */
			ipam_ip_options o = IPAM_IP_OPTIONS_INIT;
			ipam_addr out;
			o.space = spn;
			rc = ipam_ip_alloc(&out, db, &P, &o);
			int found = -1;
			if (!w->pfx[d][idx]) {
				want = IPAM_ENOTFOUND;
			} else {
				unsigned lo = idx << (8 - d), hi = lo + (1u << (8 - d)) - 1;
				int every = w->pfx[d][idx] == 2 || bl + d >= W - 1;
				for (unsigned a = lo; a <= hi && found < 0; a++) {
					if (!every && (a == lo || (!f && a == hi)))
						continue;
					if (!blocked(w, d, a))
						found = (int)a;
				}
				want = found >= 0 ? 0 : IPAM_EEXHAUSTED;
			}
			if (rc != want)
				fail("ip alloc", step_no, rc, want);
			if (!rc) {
				same_addr(&out, f, (unsigned)found, "ip alloc");
				w->addr[found] = 1;
			}
			break;
		}
		case 4: { /* ip add */
			ipam_ip_options o = IPAM_IP_OPTIONS_INIT;
			unsigned a = data[i - 1];
			o.space = spn;
			rc = ipam_ip_add(db, &A, &o);
			want = w->addr[a] ? IPAM_EEXISTS : 0;
			if (rc != want)
				fail("ip add", step_no, rc, want);
			w->addr[a] = 1;
			break;
		}
		case 5: { /* ip release */
			unsigned a = data[i - 1];
			rc = ipam_ip_release(db, spn, &A);
			want = w->addr[a] ? 0 : IPAM_ENOTFOUND;
			if (rc != want)
				fail("ip release", step_no, rc, want);
			w->addr[a] = 0;
			break;
		}
		case 6:
		case 7: { /* range add / rm: first = offset byte, last = x */
			unsigned first = data[i - 2], last = x;
			int r = -1;
			mk_addr(&A, f, first);
			mk_addr(&B, f, last);
			for (int k = 0; k < w->nr; k++)
				if (w->rf[k] == first && w->rl[k] == last)
					r = k;
			if (kind == 6) {
				if (w->nr >= MAXR && r < 0 && first <= last)
					break;
				ipam_range_options o = IPAM_RANGE_OPTIONS_INIT;
				o.space = spn;
				o.purpose = (ipam_range_purpose)(d % 3);
				rc = ipam_range_add(db, &A, &B, &o);
				want = last < first ? IPAM_EINVAL : r >= 0 ? IPAM_EEXISTS : 0;
				if (rc != want)
					fail("range add", step_no, rc, want);
				if (!rc) {
					w->rf[w->nr] = (uint8_t)first;
					w->rl[w->nr] = (uint8_t)last;
					w->nr++;
				}
			} else {
				rc = ipam_range_rm(db, spn, &A, &B);
				want = last < first ? IPAM_EINVAL : r >= 0 ? 0 : IPAM_ENOTFOUND;
				if (rc != want)
					fail("range rm", step_no, rc, want);
				if (r >= 0) {
					w->nr--;
					w->rf[r] = w->rf[w->nr];
					w->rl[r] = w->rl[w->nr];
				}
			}
			break;
		}
		case 8: { /* util of the block, or of a bigger CIDR around the world */
			ipam_util u = IPAM_UTIL_INIT;
			unsigned lo = idx << (8 - d), n = 1u << (8 - d), used = 0;
			int bigger = (fl >> 5) & 1;
			if (bigger) { /* /16 or /64: everything of the world is inside */
				memset(&P, 0, sizeof(P));
				mk_addr(&P.addr, f, 0);
				P.len = (uint8_t)(f ? 64 : 16);
				for (unsigned a = 0; a < 256; a++) {
					int b = w->addr[a];
					for (unsigned e = 0; e <= 8 && !b; e++)
						b = w->pfx[e][a >> (8 - e)] != 0;
					for (int k = 0; k < w->nr && !b; k++)
						b = w->rf[k] <= a && a <= w->rl[k];
					used += (unsigned)b;
				}
			} else {
				for (unsigned a = lo; a < lo + n; a++)
					used += (unsigned)blocked(w, d, a);
			}
			rc = ipam_prefix_util(&u, db, spn, &P);
			if (rc != 0)
				fail("util", step_no, rc, 0);
			if (bigger && f) { /* 2^64 */
				ipam_u128 t = u.total;
				t.hi -= 1;
				check_u(t, 0, "total - 2^64");
			} else {
				check_u(u.total, bigger ? 65536 : n, "total");
			}
			check_u(u.used, used, "used");
			if (!bigger)
				check_u(u.free, n - used, "free");
			check_u(u.free_64s, bigger && f && used == 0 ? 1 : 0, "free_64s");
			break;
		}
		case 9: { /* longest match of the block */
			ipam_prefix out;
			int md = -1;
			for (unsigned e = 0; e <= d; e++)
				if (w->pfx[e][off >> (8 - e)])
					md = (int)e;
			rc = ipam_prefix_match(&out, db, spn, &P);
			want = md >= 0 ? 0 : IPAM_ENOTFOUND;
			if (rc != want)
				fail("match", step_no, rc, want);
			if (!rc)
				same_prefix(&out, f, (unsigned)md, off & ~((1u << (8 - md)) - 1) & 255u, "match");
			break;
		}
		}
		check_db(db);
	}
	ipam_db_free(db);
	return 0;
}
