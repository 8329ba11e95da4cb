/* Randomized differential test of the allocation engine.
 *
 * A seeded stream of mixed operations (prefix add/rm/alloc, ip alloc/add/
 * release/get, range add/rm, utilization, longest match) runs over three
 * spaces and both families against a memory: database and against a small
 * reference model written here from the specification alone (include/ipam/
 * ip.h, prefix.h, range.h). The model keeps plain arrays and answers every
 * question by collecting the blocking intervals of the asked CIDR, so it is
 * slow but obviously right. Every return code and every result is compared.
 *
 * Environment: IPAM_DIFF_SEED (default: from the clock; always printed),
 * IPAM_DIFF_OPS (default 500000), IPAM_DIFF_TRACE=1 prints every op,
 * IPAM_DIFF_MINIMIZE=0 skips shrinking a failing sequence.
 *
 * On a mismatch the seed, the op index and the op are printed, then the
 * sequence is shrunk (greedy chunk removal, bounded in time) and the shrunk
 * sequence printed; replaying it needs only the printed ops. */
#if !defined(_GNU_SOURCE) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#endif

#include "ipam.h"

#if defined(__has_include)
#if __has_include("db/check.h")
#include "db/check.h"
#define HAVE_DB_CHECK 1
#endif
#endif

#include <check.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

__extension__ typedef unsigned __int128 u128;

#define U128_MAX (~(u128)0)

/* ---------------------------------------------------------------- helpers */

static unsigned width_of(int fam)
{
	return fam == 4 ? 32u : 128u;
}

/* The host bits of a /len of the family. */
static u128 hostmask(int fam, unsigned len)
{
	unsigned s = width_of(fam) - len;
	return s >= 128 ? U128_MAX : (((u128)1 << s) - 1);
}

static void to_addr(ipam_addr *out, int fam, u128 v)
{
	memset(out, 0, sizeof(*out));
	out->family = (uint8_t)(fam == 4 ? IPAM_AF_INET : IPAM_AF_INET6);
	unsigned n = fam == 4 ? 4 : 16;
	for (unsigned i = 0; i < n; i++)
		out->bytes[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
}

static void to_prefix(ipam_prefix *out, int fam, u128 net, unsigned len)
{
	memset(out, 0, sizeof(*out));
	to_addr(&out->addr, fam, net);
	out->len = (uint8_t)len;
}

/* RFC 5952 text, written here so that messages can be checked without
 * trusting the library's formatter. */
static void fmt_addr(char *buf, size_t size, int fam, u128 v)
{
	if (fam == 4) {
		snprintf(buf, size, "%u.%u.%u.%u", (unsigned)(v >> 24) & 255, (unsigned)(v >> 16) & 255,
		         (unsigned)(v >> 8) & 255, (unsigned)v & 255);
		return;
	}
	unsigned g[8];
	for (int i = 0; i < 8; i++)
		g[i] = (unsigned)(v >> (16 * (7 - i))) & 0xffff;
	if ((v >> 32) == 0xffff) { /* ::ffff:a.b.c.d */
		snprintf(buf, size, "::ffff:%u.%u.%u.%u", (unsigned)(v >> 24) & 255, (unsigned)(v >> 16) & 255,
		         (unsigned)(v >> 8) & 255, (unsigned)v & 255);
		return;
	}
	int best = -1, bestn = 0;
	for (int i = 0; i < 8;) {
		if (g[i] != 0) {
			i++;
			continue;
		}
		int j = i;
		while (j < 8 && g[j] == 0)
			j++;
		if (j - i > bestn && j - i >= 2) {
			best = i;
			bestn = j - i;
		}
		i = j;
	}
	size_t o = 0;
	buf[0] = 0;
	for (int i = 0; i < 8; i++) {
		if (i == best) {
			o += (size_t)snprintf(buf + o, size - o, "::");
			i += bestn - 1;
			continue;
		}
		if (o > 0 && buf[o - 1] != ':')
			o += (size_t)snprintf(buf + o, size - o, ":");
		o += (size_t)snprintf(buf + o, size - o, "%x", g[i]);
	}
}

static void fmt_prefix(char *buf, size_t size, int fam, u128 net, unsigned len)
{
	char a[64];
	fmt_addr(a, sizeof(a), fam, net);
	snprintf(buf, size, "%s/%u", a, len);
}

static u128 from_pub(ipam_u128 v)
{
	return ((u128)v.hi << 64) | v.lo;
}

static void fmt_u128(char *buf, size_t size, u128 v)
{
	char tmp[48];
	int i = 47;
	tmp[i] = 0;
	do {
		tmp[--i] = (char)('0' + (int)(v % 10));
		v /= 10;
	} while (v);
	snprintf(buf, size, "%s", tmp + i);
}

/* splitmix64 */
static uint64_t rng_state;
static uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}
static unsigned rn(unsigned n)
{
	return n ? (unsigned)(rnd() % n) : 0;
}
static u128 rnd128(void)
{
	return ((u128)rnd() << 64) | rnd();
}

/* ------------------------------------------------------------------ model */

typedef struct mpfx {
	u128 net;
	uint8_t fam, len, pool, status;
} mpfx;

typedef struct mrng {
	u128 first, last;
	uint8_t fam, purpose;
} mrng;

typedef struct maddr {
	u128 a;
	uint8_t fam, status;
} maddr;

typedef struct mspace {
	mpfx *p;
	size_t np, cp;
	mrng *r;
	size_t nr, cr;
	maddr *a; /* sorted by (fam, a) */
	size_t na, ca;
} mspace;

#define NSPACES 3
#define SP_NOSUCH NSPACES
static const char *const space_names[NSPACES + 1] = { "default", "blue", "red", "nosuch" };

typedef struct model {
	mspace s[NSPACES];
} model;

static void *grow(void *p, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return p;
	size_t c = *cap ? *cap * 2 : 64;
	while (c < need)
		c *= 2;
	void *q = realloc(p, c * elem);
	if (!q)
		abort();
	*cap = c;
	return q;
}

static void model_free(model *m)
{
	for (int i = 0; i < NSPACES; i++) {
		free(m->s[i].p);
		free(m->s[i].r);
		free(m->s[i].a);
	}
	memset(m, 0, sizeof(*m));
}

static long pfx_find(const mspace *s, int fam, u128 net, unsigned len)
{
	for (size_t i = 0; i < s->np; i++)
		if (s->p[i].fam == fam && s->p[i].len == len && s->p[i].net == net)
			return (long)i;
	return -1;
}

static void pfx_put(mspace *s, int fam, u128 net, unsigned len, int pool, int status)
{
	s->p = grow(s->p, &s->cp, s->np + 1, sizeof(*s->p));
	mpfx x = { net, (uint8_t)fam, (uint8_t)len, (uint8_t)!!pool, (uint8_t)status };
	s->p[s->np++] = x;
}

static long rng_find(const mspace *s, int fam, u128 first, u128 last)
{
	for (size_t i = 0; i < s->nr; i++)
		if (s->r[i].fam == fam && s->r[i].first == first && s->r[i].last == last)
			return (long)i;
	return -1;
}

static int akey_cmp(int fa, u128 a, int fb, u128 b)
{
	if (fa != fb)
		return fa < fb ? -1 : 1;
	return a < b ? -1 : a > b;
}

/* The index of the first address >= (fam, v). */
static size_t addr_lb(const mspace *s, int fam, u128 v)
{
	size_t lo = 0, hi = s->na;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (akey_cmp(s->a[mid].fam, s->a[mid].a, fam, v) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static long addr_find(const mspace *s, int fam, u128 v)
{
	size_t i = addr_lb(s, fam, v);
	if (i < s->na && s->a[i].fam == fam && s->a[i].a == v)
		return (long)i;
	return -1;
}

static void addr_put(mspace *s, int fam, u128 v, int status)
{
	size_t i = addr_lb(s, fam, v);
	s->a = grow(s->a, &s->ca, s->na + 1, sizeof(*s->a));
	memmove(&s->a[i + 1], &s->a[i], (s->na - i) * sizeof(*s->a));
	maddr x = { v, (uint8_t)fam, (uint8_t)status };
	s->a[i] = x;
	s->na++;
}

static void addr_del(mspace *s, size_t i)
{
	memmove(&s->a[i], &s->a[i + 1], (s->na - i - 1) * sizeof(*s->a));
	s->na--;
}

/* Merged, sorted closed intervals. */
typedef struct ivl {
	u128 lo, hi;
} ivl;
static ivl *iv;
static size_t niv, civ;

static void iv_push(u128 lo, u128 hi)
{
	iv = grow(iv, &civ, niv + 1, sizeof(*iv));
	iv[niv].lo = lo;
	iv[niv].hi = hi;
	niv++;
}

static int iv_cmp(const void *a, const void *b)
{
	const ivl *x = a, *y = b;
	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

static void iv_merge(void)
{
	if (niv == 0)
		return;
	qsort(iv, niv, sizeof(*iv), iv_cmp);
	size_t o = 0;
	for (size_t i = 1; i < niv; i++) {
		if (iv[o].hi == U128_MAX || iv[i].lo <= iv[o].hi + 1) {
			if (iv[i].hi > iv[o].hi)
				iv[o].hi = iv[i].hi;
		} else {
			iv[++o] = iv[i];
		}
	}
	niv = o + 1;
}

/* What the specification says is not free in the CIDR (fam, lo, len): every
 * prefix strictly inside it, every address in it, every range (clipped). */
static void collect(const mspace *s, int fam, u128 lo, unsigned len)
{
	u128 hi = lo | hostmask(fam, len);
	niv = 0;
	for (size_t i = 0; i < s->np; i++) {
		const mpfx *q = &s->p[i];
		if (q->fam != fam || q->len <= len)
			continue;
		if ((q->net & ~hostmask(fam, len)) != lo)
			continue;
		iv_push(q->net, q->net | hostmask(fam, q->len));
	}
	for (size_t i = 0; i < s->nr; i++) {
		const mrng *r = &s->r[i];
		if (r->fam != fam || r->last < lo || r->first > hi)
			continue;
		iv_push(r->first < lo ? lo : r->first, r->last > hi ? hi : r->last);
	}
	for (size_t i = addr_lb(s, fam, lo); i < s->na && s->a[i].fam == fam && s->a[i].a <= hi; i++)
		iv_push(s->a[i].a, s->a[i].a);
	iv_merge();
}

/* The first merged interval whose hi >= v. */
static size_t iv_lb(u128 v)
{
	size_t lo = 0, hi = niv;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (iv[mid].hi < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int iv_overlaps(u128 lo, u128 hi)
{
	size_t i = iv_lb(lo);
	return i < niv && iv[i].lo <= hi;
}

static int iv_covers(u128 lo, u128 hi)
{
	size_t i = iv_lb(lo);
	return i < niv && iv[i].lo <= lo && iv[i].hi >= hi;
}

/* The lowest free block of length n, aligned, inside the block (lo, len). */
static int first_fit(int fam, u128 lo, unsigned len, unsigned n, u128 *out)
{
	u128 hi = lo | hostmask(fam, len);
	if (!iv_overlaps(lo, hi)) {
		*out = lo;
		return 1;
	}
	if (len >= n || iv_covers(lo, hi))
		return 0;
	return first_fit(fam, lo, len + 1, n, out) ||
	       first_fit(fam, lo | ((u128)1 << (width_of(fam) - len - 1)), len + 1, n, out);
}

/* The smallest maximal free aligned block that holds a /n (ties: lowest). */
static void best_fit(int fam, u128 lo, unsigned len, unsigned n, int *blen, u128 *bstart)
{
	u128 hi = lo | hostmask(fam, len);
	if (!iv_overlaps(lo, hi)) {
		if ((int)len > *blen) {
			*blen = (int)len;
			*bstart = lo;
		}
		return;
	}
	if (len >= n || iv_covers(lo, hi))
		return;
	best_fit(fam, lo, len + 1, n, blen, bstart);
	best_fit(fam, lo | ((u128)1 << (width_of(fam) - len - 1)), len + 1, n, blen, bstart);
}

/* The most specific prefix of the space covering (fam, net, len); strict:
 * only those strictly less specific. Returns the index or -1; *depth counts. */
static long most_specific(const mspace *s, int fam, u128 net, unsigned len, int strict, unsigned *depth)
{
	long best = -1;
	unsigned d = 0;
	for (size_t i = 0; i < s->np; i++) {
		const mpfx *q = &s->p[i];
		if (q->fam != fam || q->len > len || (strict && q->len == len))
			continue;
		if ((net & ~hostmask(fam, q->len)) != q->net)
			continue;
		d++;
		if (best < 0 || q->len > s->p[best].len)
			best = (long)i;
	}
	if (depth)
		*depth = d;
	return best;
}

/* -------------------------------------------------------------------- ops */

enum {
	OP_PADD,
	OP_PRM,
	OP_PALLOC,
	OP_IALLOC,
	OP_IADD,
	OP_IREL,
	OP_RADD,
	OP_RRM,
	OP_UTIL,
	OP_MATCH,
	OP_IGET,
	OP_PGET,
	OP_KINDS
};

static const char *const op_names[OP_KINDS] = { "prefix add", "prefix rm", "prefix alloc", "ip alloc",
	                                        "ip add", "ip release", "range add", "range rm",
	                                        "util", "match", "ip get", "prefix get" };

/* One concrete operation. a/len: the prefix or address (fam); b/fam2: a
 * range's last; n: the length asked of prefix alloc. */
typedef struct op {
	u128 a, b;
	uint8_t kind, sp, fam, fam2, len, n, best, pool, status, nullsp;
} op;

static void op_text(char *buf, size_t size, const op *o)
{
	char x[80], y[80];
	const char *sp = o->nullsp ? "NULL(default)" : space_names[o->sp];
	switch (o->kind) {
	case OP_PADD:
		fmt_prefix(x, sizeof(x), o->fam, o->a, o->len);
		snprintf(buf, size, "prefix add %s space=%s%s status=%u", x, sp, o->pool ? " pool" : "",
		         o->status);
		break;
	case OP_PRM:
	case OP_UTIL:
	case OP_MATCH:
	case OP_PGET:
	case OP_IALLOC:
		fmt_prefix(x, sizeof(x), o->fam, o->a, o->len);
		snprintf(buf, size, "%s %s space=%s", op_names[o->kind], x, sp);
		break;
	case OP_PALLOC:
		fmt_prefix(x, sizeof(x), o->fam, o->a, o->len);
		snprintf(buf, size, "prefix alloc %s --length %u %s space=%s%s", x, o->n,
		         o->best ? "best-fit" : "first-fit", sp, o->pool ? " pool" : "");
		break;
	case OP_IADD:
	case OP_IREL:
	case OP_IGET:
		fmt_addr(x, sizeof(x), o->fam, o->a);
		snprintf(buf, size, "%s %s space=%s", op_names[o->kind], x, sp);
		break;
	case OP_RADD:
	case OP_RRM:
		fmt_addr(x, sizeof(x), o->fam, o->a);
		fmt_addr(y, sizeof(y), o->fam2, o->b);
		snprintf(buf, size, "%s %s..%s space=%s", op_names[o->kind], x, y, sp);
		break;
	default:
		snprintf(buf, size, "?");
	}
}

/* ------------------------------------------------------------ execution */

typedef struct ctx {
	ipam_db *db;
	model m;
	int last_rc; /* of the last library call that decided the op */
	char why[512];
} ctx;

static const char *err_msg(void)
{
	const ipam_error *e = ipam_error_last();
	return e && e->message ? e->message : "(null)";
}

#define MISMATCH(...)                                                    \
	do {                                                             \
		snprintf(c->why, sizeof(c->why), __VA_ARGS__);           \
		return 1;                                                \
	} while (0)

static int ctx_open(ctx *c)
{
	memset(&c->m, 0, sizeof(c->m));
	c->why[0] = 0;
	if (ipam_db_open(&c->db, "memory:", NULL) != 0)
		return -1;
	for (int i = 1; i < NSPACES; i++)
		if (ipam_space_add(c->db, space_names[i], NULL) != 0)
			return -1;
	return 0;
}

static void ctx_close(ctx *c)
{
	ipam_db_free(c->db);
	c->db = NULL;
	model_free(&c->m);
}

static int check_rc(ctx *c, int got, int want, const char *what)
{
	c->last_rc = got;
	if (got != want) {
		snprintf(c->why, sizeof(c->why), "%s: return code %d (%s) but the model says %d (%s); message: %s",
		         what, got, ipam_error_name(got), want, ipam_error_name(want), got ? err_msg() : "");
		return 1;
	}
	return 0;
}

static int same_addr(const ipam_addr *got, int fam, u128 v)
{
	ipam_addr w;
	to_addr(&w, fam, v);
	return memcmp(got, &w, sizeof(w)) == 0;
}

static int same_prefix(const ipam_prefix *got, int fam, u128 net, unsigned len)
{
	ipam_prefix w;
	to_prefix(&w, fam, net, len);
	return memcmp(got, &w, sizeof(w)) == 0;
}

static void got_prefix_text(char *buf, size_t size, const ipam_prefix *p)
{
	int fam = p->addr.family == IPAM_AF_INET ? 4 : 6;
	u128 v = 0;
	for (unsigned i = 0; i < (fam == 4 ? 4u : 16u); i++)
		v = (v << 8) | p->addr.bytes[i];
	fmt_prefix(buf, size, fam, v, p->len);
	if (p->addr.family != IPAM_AF_INET && p->addr.family != IPAM_AF_INET6)
		snprintf(buf, size, "(family %u)", p->addr.family);
}

static void got_addr_text(char *buf, size_t size, const ipam_addr *a)
{
	ipam_prefix p;
	memset(&p, 0, sizeof(p));
	p.addr = *a;
	got_prefix_text(buf, size, &p);
	char *slash = strrchr(buf, '/');
	if (slash)
		*slash = 0;
}

/* The message of an EEXHAUSTED must name the prefix and the space. */
static int check_exhausted_msg(ctx *c, const op *o)
{
	char p[80];
	fmt_prefix(p, sizeof(p), o->fam, o->a, o->len);
	const char *msg = err_msg();
	if (!strstr(msg, p) || !strstr(msg, space_names[o->sp]))
		MISMATCH("EEXHAUSTED message \"%s\" does not name prefix %s and space %s", msg, p,
		         space_names[o->sp]);
	return 0;
}

static int exec_op(ctx *c, const op *o)
{
	ipam_db *db = c->db;
	const char *spn = o->nullsp ? NULL : space_names[o->sp];
	int known = o->sp < NSPACES;
	mspace *s = known ? &c->m.s[o->sp] : NULL;
	int fam = o->fam;
	unsigned W = width_of(fam);
	ipam_prefix P;
	ipam_addr A, B;
	int rc, want;

	to_prefix(&P, fam, o->a, o->len);
	to_addr(&A, fam, o->a);
	to_addr(&B, o->fam2, o->b);

	switch (o->kind) {
	case OP_PADD: {
		ipam_prefix_options po = IPAM_PREFIX_OPTIONS_INIT;
		po.space = spn;
		po.pool = o->pool;
		po.status = (ipam_status)o->status;
		rc = ipam_prefix_add(db, &P, &po);
		want = !known ? IPAM_ENOTFOUND : pfx_find(s, fam, o->a, o->len) >= 0 ? IPAM_EEXISTS : 0;
		if (check_rc(c, rc, want, "prefix add"))
			return 1;
		if (rc == 0)
			pfx_put(s, fam, o->a, o->len, o->pool, o->status);
		return 0;
	}
	case OP_PRM: {
		rc = ipam_prefix_rm(db, spn, &P);
		long i = known ? pfx_find(s, fam, o->a, o->len) : -1;
		if (check_rc(c, rc, i >= 0 ? 0 : IPAM_ENOTFOUND, "prefix rm"))
			return 1;
		if (i >= 0)
			s->p[i] = s->p[--s->np];
		return 0;
	}
	case OP_PALLOC: {
		ipam_prefix_alloc_options ao = IPAM_PREFIX_ALLOC_OPTIONS_INIT;
		ipam_prefix out;
		memset(&out, 0xa5, sizeof(out));
		ao.space = spn;
		ao.length = o->n;
		ao.policy = o->best ? IPAM_POLICY_BEST_FIT : IPAM_POLICY_FIRST_FIT;
		ao.pool = o->pool;
		rc = ipam_prefix_alloc(&out, db, &P, &ao);
		u128 start = 0;
		if (!known || pfx_find(s, fam, o->a, o->len) < 0) {
			want = IPAM_ENOTFOUND;
		} else if (o->n <= o->len || o->n > W) {
			want = IPAM_EINVAL;
		} else {
			collect(s, fam, o->a, o->len);
			if (o->best) {
				int blen = -1;
				best_fit(fam, o->a, o->len, o->n, &blen, &start);
				want = blen < 0 ? IPAM_EEXHAUSTED : 0;
			} else {
				want = first_fit(fam, o->a, o->len, o->n, &start) ? 0 : IPAM_EEXHAUSTED;
			}
		}
		if (check_rc(c, rc, want, "prefix alloc"))
			return 1;
		if (rc == IPAM_EEXHAUSTED)
			return check_exhausted_msg(c, o);
		if (rc != 0)
			return 0;
		if (!same_prefix(&out, fam, start, o->n)) {
			char g[80], w[80];
			got_prefix_text(g, sizeof(g), &out);
			fmt_prefix(w, sizeof(w), fam, start, o->n);
			MISMATCH("prefix alloc: got %s, the model says %s", g, w);
		}
		pfx_put(s, fam, start, o->n, o->pool, IPAM_STATUS_ACTIVE);
		return 0;
	}
	case OP_IALLOC: {
		ipam_ip_options io = IPAM_IP_OPTIONS_INIT;
		ipam_addr out;
		memset(&out, 0xa5, sizeof(out));
		io.space = spn;
		io.status = (ipam_status)o->status;
		rc = ipam_ip_alloc(&out, db, &P, &io);
		u128 a = 0;
		long pi = known ? pfx_find(s, fam, o->a, o->len) : -1;
		if (pi < 0) {
			want = IPAM_ENOTFOUND;
		} else {
			collect(s, fam, o->a, o->len);
			int every = s->p[pi].pool || o->len >= W - 1;
			if (!every) {
				u128 last = o->a | hostmask(fam, o->len);
				iv_push(o->a, o->a);
				if (fam == 4)
					iv_push(last, last);
				iv_merge();
			}
			want = first_fit(fam, o->a, o->len, W, &a) ? 0 : IPAM_EEXHAUSTED;
		}
		if (check_rc(c, rc, want, "ip alloc"))
			return 1;
		if (rc == IPAM_EEXHAUSTED)
			return check_exhausted_msg(c, o);
		if (rc != 0)
			return 0;
		if (!same_addr(&out, fam, a)) {
			char g[80], w[80];
			got_addr_text(g, sizeof(g), &out);
			fmt_addr(w, sizeof(w), fam, a);
			MISMATCH("ip alloc: got %s, the model says %s", g, w);
		}
		addr_put(s, fam, a, o->status);
		return 0;
	}
	case OP_IADD: {
		ipam_ip_options io = IPAM_IP_OPTIONS_INIT;
		io.space = spn;
		io.status = (ipam_status)o->status;
		rc = ipam_ip_add(db, &A, &io);
		want = !known ? IPAM_ENOTFOUND : addr_find(s, fam, o->a) >= 0 ? IPAM_EEXISTS : 0;
		if (check_rc(c, rc, want, "ip add"))
			return 1;
		if (rc == 0)
			addr_put(s, fam, o->a, o->status);
		return 0;
	}
	case OP_IREL: {
		rc = ipam_ip_release(db, spn, &A);
		long i = known ? addr_find(s, fam, o->a) : -1;
		if (check_rc(c, rc, i >= 0 ? 0 : IPAM_ENOTFOUND, "ip release"))
			return 1;
		if (i >= 0)
			addr_del(s, (size_t)i);
		return 0;
	}
	case OP_RADD: {
		ipam_range_options ro = IPAM_RANGE_OPTIONS_INIT;
		ro.space = spn;
		ro.purpose = (ipam_range_purpose)o->status;
		rc = ipam_range_add(db, &A, &B, &ro);
		if (o->fam != o->fam2 || o->b < o->a)
			want = IPAM_EINVAL;
		else if (!known)
			want = IPAM_ENOTFOUND;
		else
			want = rng_find(s, fam, o->a, o->b) >= 0 ? IPAM_EEXISTS : 0;
		if (check_rc(c, rc, want, "range add"))
			return 1;
		if (rc == 0) {
			s->r = grow(s->r, &s->cr, s->nr + 1, sizeof(*s->r));
			mrng x = { o->a, o->b, (uint8_t)fam, o->status };
			s->r[s->nr++] = x;
		}
		return 0;
	}
	case OP_RRM: {
		rc = ipam_range_rm(db, spn, &A, &B);
		long i = known && o->fam == o->fam2 ? rng_find(s, fam, o->a, o->b) : -1;
		/* malformed bounds are bad input, as for range add */
		want = (o->fam != o->fam2 || o->b < o->a) ? IPAM_EINVAL : i >= 0 ? 0 : IPAM_ENOTFOUND;
		if (check_rc(c, rc, want, "range rm"))
			return 1;
		if (i >= 0)
			s->r[i] = s->r[--s->nr];
		return 0;
	}
	case OP_UTIL: {
		ipam_util u = IPAM_UTIL_INIT;
		rc = ipam_prefix_util(&u, db, spn, &P);
		if (check_rc(c, rc, known ? 0 : IPAM_ENOTFOUND, "util"))
			return 1;
		if (rc != 0)
			return 0;
		collect(s, fam, o->a, o->len);
		u128 total = (W - o->len >= 128) ? U128_MAX : (u128)1 << (W - o->len);
		u128 used = 0, used64 = 0, free64 = 0;
		u128 last64 = 0;
		int have64 = 0;
		for (size_t i = 0; i < niv; i++) {
			/* 2^128 does not fit: saturate as total does for ::/0 */
			u128 sz = iv[i].hi - iv[i].lo + 1;
			used = (sz == 0 || used + sz < used) ? U128_MAX : used + sz;
			u128 x = iv[i].lo >> 64, y = iv[i].hi >> 64;
			if (have64 && x == last64)
				x++;
			if (x <= y)
				used64 += y - x + 1;
			last64 = y;
			have64 = 1;
		}
		if (fam == 6 && o->len <= 64)
			free64 = ((u128)1 << (64 - o->len)) - used64;
		u128 gt = from_pub(u.total), gu = from_pub(u.used), gf = from_pub(u.free),
		     g64 = from_pub(u.free_64s);
		if (gt != total || gu != used || gf != total - used || g64 != free64) {
			char t[4][48], w[4][48];
			fmt_u128(t[0], 48, gt), fmt_u128(t[1], 48, gu), fmt_u128(t[2], 48, gf), fmt_u128(t[3], 48, g64);
			fmt_u128(w[0], 48, total), fmt_u128(w[1], 48, used), fmt_u128(w[2], 48, total - used),
				fmt_u128(w[3], 48, free64);
			MISMATCH("util: got total %s used %s free %s free_64s %s; the model says %s %s %s %s", t[0],
			         t[1], t[2], t[3], w[0], w[1], w[2], w[3]);
		}
		double pct = 100.0 * (double)used / (double)total;
		double d = u.used_percent - pct;
		if (d > 1e-6 || d < -1e-6)
			MISMATCH("util: used_percent %.9f, the model says %.9f", u.used_percent, pct);
		return 0;
	}
	case OP_MATCH: {
		ipam_prefix out;
		memset(&out, 0xa5, sizeof(out));
		rc = ipam_prefix_match(&out, db, spn, &P);
		long i = known ? most_specific(s, fam, o->a, o->len, 0, NULL) : -1;
		if (check_rc(c, rc, i >= 0 ? 0 : IPAM_ENOTFOUND, "match"))
			return 1;
		if (rc == 0 && !same_prefix(&out, fam, s->p[i].net, s->p[i].len)) {
			char g[80], w[80];
			got_prefix_text(g, sizeof(g), &out);
			fmt_prefix(w, sizeof(w), fam, s->p[i].net, s->p[i].len);
			MISMATCH("match: got %s, the model says %s", g, w);
		}
		return 0;
	}
	case OP_IGET: {
		ipam_ip_info info;
		memset(&info, 0, sizeof(info));
		info.version = IPAM_IP_INFO_VERSION;
		rc = ipam_ip_get(&info, db, spn, &A);
		long i = known ? addr_find(s, fam, o->a) : -1;
		if (check_rc(c, rc, i >= 0 ? 0 : IPAM_ENOTFOUND, "ip get"))
			return 1;
		if (rc != 0)
			return 0;
		long pi = most_specific(s, fam, o->a, W, 0, NULL);
		int bad = 0;
		char why[200] = "";
		if (!same_addr(&info.addr, fam, o->a))
			bad = 1, snprintf(why, sizeof(why), "addr differs");
		else if (info.status != (ipam_status)s->a[i].status)
			bad = 1, snprintf(why, sizeof(why), "status %d, model %d", info.status, s->a[i].status);
		else if (!info.space || strcmp(info.space, space_names[o->sp]) != 0)
			bad = 1, snprintf(why, sizeof(why), "space %s", info.space ? info.space : "(null)");
		else if (!!info.has_prefix != (pi >= 0))
			bad = 1, snprintf(why, sizeof(why), "has_prefix %d, model %d", info.has_prefix, pi >= 0);
		else if (pi >= 0 && !same_prefix(&info.prefix, fam, s->p[pi].net, s->p[pi].len)) {
			char g[80], w[80];
			got_prefix_text(g, sizeof(g), &info.prefix);
			fmt_prefix(w, sizeof(w), fam, s->p[pi].net, s->p[pi].len);
			bad = 1, snprintf(why, sizeof(why), "prefix %s, model %s", g, w);
		}
		ipam_ip_info_dispose(&info);
		if (bad)
			MISMATCH("ip get: %s", why);
		return 0;
	}
	case OP_PGET: {
		ipam_prefix_info info = IPAM_PREFIX_INFO_INIT;
		rc = ipam_prefix_get(&info, db, spn, &P);
		long i = known ? pfx_find(s, fam, o->a, o->len) : -1;
		if (check_rc(c, rc, i >= 0 ? 0 : IPAM_ENOTFOUND, "prefix get"))
			return 1;
		if (rc != 0)
			return 0;
		unsigned depth = 0;
		long pi = most_specific(s, fam, o->a, o->len, 1, &depth);
		int bad = 0;
		char why[200] = "";
		if (!same_prefix(&info.prefix, fam, o->a, o->len))
			bad = 1, snprintf(why, sizeof(why), "prefix differs");
		else if (!!info.pool != !!s->p[i].pool)
			bad = 1, snprintf(why, sizeof(why), "pool %d, model %d", info.pool, s->p[i].pool);
		else if (info.status != (ipam_status)s->p[i].status)
			bad = 1, snprintf(why, sizeof(why), "status %d, model %d", info.status, s->p[i].status);
		else if (!!info.has_parent != (pi >= 0))
			bad = 1, snprintf(why, sizeof(why), "has_parent %d, model %d", info.has_parent, pi >= 0);
		else if (pi >= 0 && !same_prefix(&info.parent, fam, s->p[pi].net, s->p[pi].len))
			bad = 1, snprintf(why, sizeof(why), "parent differs");
		else if (info.depth != depth)
			bad = 1, snprintf(why, sizeof(why), "depth %u, model %u", info.depth, depth);
		ipam_prefix_info_dispose(&info);
		if (bad)
			MISMATCH("prefix get: %s", why);
		return 0;
	}
	}
	return 0;
}

/* The whole database against the model: counts and internal invariants. */
static int global_check(ctx *c)
{
	ipam_db_stats st = IPAM_DB_STATS_INIT;
	int rc = ipam_db_stats_get(&st, c->db);
	if (rc != 0)
		MISMATCH("db stats: %d (%s)", rc, err_msg());
	uint64_t np = 0, na = 0, nr = 0;
	for (int i = 0; i < NSPACES; i++) {
		np += c->m.s[i].np;
		na += c->m.s[i].na;
		nr += c->m.s[i].nr;
	}
	if (st.spaces != NSPACES || st.prefixes != np || st.addresses != na || st.ranges != nr)
		MISMATCH("db stats: spaces %" PRIu64 " prefixes %" PRIu64 " addresses %" PRIu64 " ranges %" PRIu64
		         "; the model says %d %" PRIu64 " %" PRIu64 " %" PRIu64,
		         st.spaces, st.prefixes, st.addresses, st.ranges, NSPACES, np, na, nr);
#ifdef HAVE_DB_CHECK
	rc = ipam__db_check(c->db);
	if (rc != 0)
		MISMATCH("ipam__db_check: %d (%s)", rc, err_msg());
#endif
	return 0;
}

/* ------------------------------------------------------------- generator */

#define V4_WORLD ((u128)0x0A000000u) /* 10.0.0.0/18 */
#define V4_WLEN 18
#define V6_WORLD ((u128)0x20010db8u << 96) /* 2001:db8::/104 */
#define V6_WLEN 104
#define V6_MAPPED (((u128)0xffffu << 32) | 0x0A000000u) /* ::ffff:10.0.0.0/112 */
#define V6_MLEN 112

static void gen_cidr(int fam, u128 *net, unsigned *len)
{
	unsigned r = rn(100);
	if (r < 2) {
		static const struct { int fam; uint32_t hi; uint32_t lo; unsigned len; } big[] = {
			{ 4, 0, 0, 0 },          { 4, 0, 0x0A000000u, 8 },
			{ 4, 0, 0x0A000000u, 16 }, { 4, 0, 0x0A000000u, 17 },
			{ 6, 0, 0, 0 },          { 6, 0x20010db8u, 0, 32 },
			{ 6, 0x20010db8u, 0, 64 }, { 6, 0x20010db8u, 0, 96 },
			{ 6, 0xffffffffu, 0, 96 },
		};
		size_t k;
		do
			k = rn(sizeof(big) / sizeof(big[0]));
		while (big[k].fam != fam);
		*len = big[k].len;
		if (fam == 4)
			*net = big[k].lo;
		else if (big[k].hi == 0xffffffffu)
			*net = (u128)0xffffu << 32;
		else
			*net = (u128)big[k].hi << 96;
		return;
	}
	u128 base;
	unsigned wlen, l, q = rn(100);
	if (fam == 4) {
		base = V4_WORLD, wlen = V4_WLEN;
		l = q < 5 ? 18 + rn(2) : q < 75 ? 20 + rn(7) : q < 90 ? 27 + rn(4) : 31 + rn(2);
	} else {
		if (rn(100) < 15)
			base = V6_MAPPED, wlen = V6_MLEN;
		else
			base = V6_WORLD, wlen = V6_WLEN;
		l = q < 10 ? 104 + rn(8) : q < 80 ? 112 + rn(11) : q < 90 ? 123 + rn(4) : 127 + rn(2);
	}
	if (l < wlen)
		l = wlen;
	*len = l;
	*net = base | (rnd128() & hostmask(fam, wlen) & ~hostmask(fam, l));
}

static const mpfx *pick_prefix(const mspace *s, int fam)
{
	if (s->np == 0)
		return NULL;
	for (int tries = 0; tries < 8; tries++) {
		const mpfx *p = &s->p[rn((unsigned)s->np)];
		if (fam == 0 || p->fam == fam)
			return p;
	}
	return NULL;
}

/* An address: an edge of or inside an existing prefix, or random. */
static void gen_addr(const mspace *s, int fam, u128 *a)
{
	const mpfx *p = rn(100) < 70 ? pick_prefix(s, fam) : NULL;
	if (p && (fam == 4 || p->len >= 64)) {
		u128 hm = hostmask(fam, p->len);
		switch (rn(5)) {
		case 0: *a = p->net; break;
		case 1: *a = p->net + (hm >= 1 ? 1 : 0); break;
		case 2: *a = p->net | hm; break;
		case 3: *a = (p->net | hm) - (hm >= 1 ? 1 : 0); break;
		default: *a = p->net | (rnd128() & hm & (fam == 4 ? 0xffffffffu : (u128)0xffffffu)); break;
		}
		return;
	}
	unsigned len;
	gen_cidr(fam, a, &len);
	if (len < (fam == 4 ? 16u : 96u))
		len = fam == 4 ? 16u : 96u, *a = fam == 4 ? V4_WORLD : V6_WORLD;
	*a |= rnd128() & hostmask(fam, len);
}

/* Exploration knob (IPAM_DIFF_AVOID_HOST_PALLOC=1): no prefix alloc of a
 * host-length block, to look past a known bug. Off by default. */
static int avoid_host_palloc;

static void gen_op(const model *m, op *o)
{
	memset(o, 0, sizeof(*o));
	o->sp = (uint8_t)(rn(100) < 2 ? SP_NOSUCH : rn(NSPACES));
	o->nullsp = o->sp == 0 && rn(2);
	o->fam = rn(100) < 55 ? 4 : 6;
	const mspace *s = &m->s[o->sp < NSPACES ? o->sp : 0];
	size_t npf = 0, nad = s->na;
	for (size_t i = 0; i < s->np; i++)
		npf += s->p[i].fam == o->fam;

	static const unsigned weight[OP_KINDS] = { 12, 6, 12, 20, 8, 14, 5, 4, 8, 5, 4, 2 };
	unsigned tot = 0, k;
	for (k = 0; k < OP_KINDS; k++)
		tot += weight[k];
	unsigned r = rn(tot);
	for (k = 0; r >= weight[k]; k++)
		r -= weight[k];
	/* keep the state bounded so that the brute force stays cheap */
	if ((k == OP_PADD || k == OP_PALLOC) && npf > 200 && rn(2))
		k = OP_PRM;
	if ((k == OP_IALLOC || k == OP_IADD) && nad > 1500 && rn(2))
		k = OP_IREL;
	if (k == OP_RADD && s->nr > 60 && rn(2))
		k = OP_RRM;
	o->kind = (uint8_t)k;
	{
		static const uint8_t ip_status[] = { IPAM_STATUS_ACTIVE, IPAM_STATUS_RESERVED,
			                             IPAM_STATUS_DEPRECATED, IPAM_STATUS_DHCP };
		o->status = ip_status[rn(4)];
	}

	const mpfx *p;
	unsigned len;
	switch (k) {
	case OP_PADD:
		o->status = rn(2) ? IPAM_STATUS_ACTIVE : IPAM_STATUS_CONTAINER;
		o->pool = rn(100) < 15;
		if (rn(100) < 10 && (p = pick_prefix(s, o->fam)) != NULL) { /* duplicate */
			o->a = p->net, o->len = p->len;
			break;
		}
		gen_cidr(o->fam, &o->a, &len);
		o->len = (uint8_t)len;
		break;
	case OP_PRM:
	case OP_PGET:
	case OP_IALLOC:
		if (rn(100) < 88 && (p = pick_prefix(s, o->fam)) != NULL) {
			o->a = p->net, o->len = p->len;
			break;
		}
		gen_cidr(o->fam, &o->a, &len);
		o->len = (uint8_t)len;
		break;
	case OP_PALLOC: {
		unsigned W = width_of(o->fam);
		o->best = rn(2);
		o->pool = rn(100) < 15;
		int exists = 0;
		if (rn(100) < 90 && (p = pick_prefix(s, o->fam)) != NULL) {
			o->a = p->net, o->len = p->len;
			exists = o->sp < NSPACES;
		} else {
			gen_cidr(o->fam, &o->a, &len);
			o->len = (uint8_t)len;
		}
		if (exists && rn(100) < 5) { /* invalid length */
			o->n = (uint8_t)(rn(2) ? o->len - rn(o->len + 1) : W + 1 + rn(4));
		} else {
			if (o->len >= W) { /* no valid length: ask another thing */
				o->kind = OP_UTIL;
				break;
			}
			unsigned span = W - o->len;
			unsigned d = rn(100) < 70 ? 1 + rn(span < 8 ? span : 8) : 1 + rn(span);
			o->n = (uint8_t)(o->len + d);
			if (o->n == W && avoid_host_palloc)
				o->kind = OP_UTIL;
		}
		break;
	}
	case OP_IADD:
	case OP_IGET:
		if (rn(100) < 20 && nad > 0) {
			const maddr *x = &s->a[rn((unsigned)nad)];
			o->fam = x->fam, o->a = x->a;
			break;
		}
		gen_addr(s, o->fam, &o->a);
		break;
	case OP_IREL:
		if (rn(100) < 85 && nad > 0) {
			const maddr *x = &s->a[rn((unsigned)nad)];
			o->fam = x->fam, o->a = x->a;
			break;
		}
		gen_addr(s, o->fam, &o->a);
		break;
	case OP_RADD:
	case OP_RRM: {
		o->fam2 = o->fam;
		o->status = (uint8_t)rn(3);
		unsigned q = rn(100);
		if ((k == OP_RRM ? q < 80 : q < 10) && s->nr > 0) {
			const mrng *x = &s->r[rn((unsigned)s->nr)];
			o->fam = o->fam2 = x->fam, o->a = x->first, o->b = x->last;
			break;
		}
		if (q < 25 && (p = pick_prefix(s, o->fam)) != NULL) { /* a whole prefix */
			o->a = p->net, o->b = p->net | hostmask(o->fam, p->len);
			break;
		}
		gen_addr(s, o->fam, &o->a);
		u128 span = rn(100) < 70 ? rn(64) : rn(1024);
		u128 top = hostmask(o->fam, 0);
		o->b = top - o->a < span ? top : o->a + span;
		if (k == OP_RRM && rn(100) < 3 && o->b > o->a) { /* last < first: no such range */
			u128 t = o->a;
			o->a = o->b, o->b = t;
		}
		if (k == OP_RADD && o->sp < NSPACES) {
			unsigned e = rn(100);
			if (e < 3) { /* families differ */
				o->fam2 = o->fam == 4 ? 6 : 4;
			} else if (e < 6 && o->b > o->a) { /* last < first */
				u128 t = o->a;
				o->a = o->b, o->b = t;
			}
		}
		break;
	}
	case OP_UTIL:
	case OP_MATCH:
		if (rn(100) < 40 && (p = pick_prefix(s, o->fam)) != NULL) {
			o->a = p->net, o->len = p->len;
		} else if (rn(100) < 15) {
			static const unsigned l4[] = { 0, 8, 16, 17, 18 }, l6[] = { 0, 32, 48, 60, 64, 96, 100, 104 };
			o->len = (uint8_t)(o->fam == 4 ? l4[rn(5)] : l6[rn(8)]);
			o->a = (o->fam == 4 ? V4_WORLD : V6_WORLD) & ~hostmask(o->fam, o->len);
		} else {
			gen_cidr(o->fam, &o->a, &len);
			o->len = (uint8_t)len;
		}
		if (k == OP_MATCH && rn(100) < 40) { /* an address as a host prefix */
			gen_addr(s, o->fam, &o->a);
			o->len = (uint8_t)width_of(o->fam);
		}
		break;
	}
}

/* ---------------------------------------------------------------- driver */

#define CHECK_EVERY 1000

/* The kind of failure to keep while shrinking: the text of the first
 * mismatch up to its first ':' ("ip alloc", "ipam__db_check", ...). */
static char want_kind[64];

static int same_kind(const char *why)
{
	size_t k = strcspn(why, ":");
	return strlen(want_kind) == k && strncmp(want_kind, why, k) == 0;
}

/* Run ops[0..n) on a fresh db; the index of the first failing op, or -1.
 * With `report`, say what failed. A failure of another kind than
 * want_kind (when set) counts as none. */
static long replay(const op *ops, const unsigned char *keep, size_t n, int report)
{
	ctx c;
	long fail = -1;
	if (ctx_open(&c) != 0) {
		fprintf(stderr, "cannot open a memory: db: %s\n", err_msg());
		ctx_close(&c);
		return 0;
	}
	size_t done = 0;
	for (size_t i = 0; i < n && fail < 0; i++) {
		if (keep && !keep[i])
			continue;
		if (exec_op(&c, &ops[i])) {
			fail = (long)i;
			break;
		}
		if (++done % CHECK_EVERY == 0 && global_check(&c))
			fail = (long)i;
	}
	if (fail < 0 && global_check(&c))
		fail = n ? (long)n - 1 : 0;
	if (report && fail >= 0)
		fprintf(stderr, "  -> %s\n", c.why);
	if (fail >= 0 && want_kind[0] && !same_kind(c.why))
		fail = -1;
	ctx_close(&c);
	return fail;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Greedy chunk removal over ops[0..n], bounded by (wall) time. */
static void minimise(const op *ops, size_t n, double budget_s)
{
	unsigned char *keep = malloc(n);
	if (!keep)
		return;
	memset(keep, 1, n);
	double t0 = now_s();
	size_t live = n;
	/* first: drop every query but the last op */
	unsigned char *trial = malloc(n);
	memcpy(trial, keep, n);
	for (size_t i = 0; i + 1 < n; i++)
		if (ops[i].kind == OP_UTIL || ops[i].kind == OP_MATCH || ops[i].kind == OP_IGET ||
		    ops[i].kind == OP_PGET)
			trial[i] = 0;
	if (replay(ops, trial, n, 0) >= 0)
		memcpy(keep, trial, n);
	for (size_t chunk = n / 2; chunk >= 1; chunk /= 2) {
		int progress = 1;
		while (progress) {
			progress = 0;
			for (size_t st = 0; st < n; st += chunk) {
				if (now_s() - t0 > budget_s)
					goto out;
				memcpy(trial, keep, n);
				size_t removed = 0;
				for (size_t i = st; i < st + chunk && i < n; i++)
					if (i + 1 < n && trial[i])
						trial[i] = 0, removed++;
				if (!removed)
					continue;
				long f = replay(ops, trial, n, 0);
				if (f >= 0) {
					memcpy(keep, trial, n);
					progress = 1;
				}
			}
		}
		if (chunk == 1)
			break;
	}
out:
	live = 0;
	for (size_t i = 0; i < n; i++)
		live += keep[i];
	fprintf(stderr, "shrunk to %zu ops (%.1f s):\n", live, now_s() - t0);
	char buf[256];
	for (size_t i = 0; i < n; i++) {
		if (!keep[i])
			continue;
		op_text(buf, sizeof(buf), &ops[i]);
		fprintf(stderr, "  [%zu] %s\n", i, buf);
	}
	replay(ops, keep, n, 1);
	free(trial);
	free(keep);
}

static uint64_t env_u64(const char *name, uint64_t dflt)
{
	const char *v = getenv(name);
	if (!v || !*v)
		return dflt;
	return strtoull(v, NULL, 0);
}

START_TEST(test_differential)
{
	uint64_t seed = env_u64("IPAM_DIFF_SEED", (uint64_t)time(NULL) ^ ((uint64_t)clock() << 20));
	size_t nops = (size_t)env_u64("IPAM_DIFF_OPS", 500000);
	int trace = (int)env_u64("IPAM_DIFF_TRACE", 0);
	int do_min = (int)env_u64("IPAM_DIFF_MINIMIZE", 1);
	avoid_host_palloc = (int)env_u64("IPAM_DIFF_AVOID_HOST_PALLOC", 0);
	printf("differential: IPAM_DIFF_SEED=%" PRIu64 " IPAM_DIFF_OPS=%zu\n", seed, nops);
	fflush(stdout);
	rng_state = seed;

	op *ops = malloc(nops * sizeof(*ops));
	ck_assert_ptr_nonnull(ops);
	ctx c;
	ck_assert_msg(ctx_open(&c) == 0, "open: %s", err_msg());
	long fail = -1;
	unsigned long counts[OP_KINDS] = { 0 }, oks[OP_KINDS] = { 0 };
	char buf[256];
	for (size_t i = 0; i < nops; i++) {
		gen_op(&c.m, &ops[i]);
		if (trace) {
			op_text(buf, sizeof(buf), &ops[i]);
			fprintf(stderr, "[%zu] %s\n", i, buf);
		}
		if (exec_op(&c, &ops[i]) || ((i + 1) % CHECK_EVERY == 0 && global_check(&c))) {
			fail = (long)i;
			break;
		}
		counts[ops[i].kind]++;
		oks[ops[i].kind] += c.last_rc == 0;
	}
	if (fail < 0 && global_check(&c))
		fail = (long)nops - 1;
	if (fail >= 0) {
		op_text(buf, sizeof(buf), &ops[fail]);
		fprintf(stderr, "MISMATCH: IPAM_DIFF_SEED=%" PRIu64 " op #%ld: %s\n  %s\n", seed, fail, buf, c.why);
	} else {
		for (int k = 0; k < OP_KINDS; k++)
			printf("  %-12s %8lu ops, %8lu succeeded\n", op_names[k], counts[k], oks[k]);
	}
	ctx_close(&c);
	free(iv);
	iv = NULL, niv = civ = 0;
	if (fail >= 0) {
		size_t k = strcspn(c.why, ":");
		if (k >= sizeof(want_kind))
			k = sizeof(want_kind) - 1;
		memcpy(want_kind, c.why, k);
		want_kind[k] = 0;
	}
	if (fail >= 0 && do_min)
		minimise(ops, (size_t)fail + 1, 60.0);
	free(ops);
	free(iv);
	iv = NULL, niv = civ = 0;
	ck_assert_msg(fail < 0, "differential mismatch (seed %" PRIu64 ", op %ld)", seed, fail);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("differential");
	TCase *tc = tcase_create("random");
	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, test_differential);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf ? EXIT_FAILURE : EXIT_SUCCESS;
}
