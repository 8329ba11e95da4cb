/*
 * ipam-bench: libipam on the workloads W1..W5 of the shared peer baselines
 * (bench-peers/workloads.py), with the same sizes (same environment
 * variables) and the same inputs (Python's random.Random reproduced bit for
 * bit), through the public API on a "memory:" database.
 *
 * usage: ipam-bench [--digest] [WORKLOAD...]
 *   WORKLOAD: W1 W2 W2M W3 W4 W5A W5B MEM (default: all)
 *   --digest: print the digests of the generated inputs and of the reference
 *             results, as workloads.digest() would (bench/check_inputs.sh
 *             compares them with python3 running workloads.py)
 *
 * Each workload runs in its own child process so that peak_rss_kb
 * (getrusage ru_maxrss) is that workload's; the references the results are
 * checked against are computed in a further child so that their memory is
 * not counted. One JSON line per measured phase on stdout. The exit status
 * is non-zero when any verification fails.
 */
#include <ipam.h>

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

typedef unsigned __int128 u128;

/* ------------------------------------------------------------------ */
/* sizes (workloads.py)                                                 */

static long env_int(const char *name, long def)
{
	const char *s = getenv(name);
	if (!s || !*s)
		return def;
	char *end;
	long v = strtol(s, &end, 10);
	if (*end) {
		fprintf(stderr, "ipam-bench: bad %s=%s\n", name, s);
		exit(2);
	}
	return v;
}

#define W1_BASE 0x0A000000u
#define W1_LEN 16
#define W2_BASE 0x0A000000u
#define W2_LEN 8
#define W5_BASE ((u128)0x20010db8u << 96)
#define W5_LEN 48
#define V6_ROOT ((u128)0x2001u << 112)

static long W1_N, W2_N, W2M_N, W3_N4, W3_N6, W3_LOOKUPS, W4_N, W4_MINLEN, W4_MAXLEN, W5_N64, W5_NADDR;

static void sizes_init(void)
{
	W1_N = env_int("W1_N", 65534);
	W2_N = env_int("W2_N", 65536);
	W2M_N = env_int("W2M_N", 100000);
	W3_N4 = env_int("W3_N4", 100000);
	W3_N6 = env_int("W3_N6", 100000);
	W3_LOOKUPS = env_int("W3_LOOKUPS", 1000000);
	W4_N = env_int("W4_N", 100000);
	W4_MINLEN = env_int("W4_MINLEN", 16);
	W4_MAXLEN = env_int("W4_MAXLEN", 32);
	W5_N64 = env_int("W5_N64", 65536);
	W5_NADDR = env_int("W5_NADDR", 10000);
}

/* ------------------------------------------------------------------ */
/* Python's random.Random: MT19937 seeded as CPython seeds it           */

#define MT_N 624
#define MT_M 397

typedef struct pyrand {
	uint32_t mt[MT_N];
	int mti;
} pyrand;

static void mt_init_genrand(pyrand *r, uint32_t s)
{
	r->mt[0] = s;
	for (int i = 1; i < MT_N; i++)
		r->mt[i] = 1812433253u * (r->mt[i - 1] ^ (r->mt[i - 1] >> 30)) + (uint32_t)i;
	r->mti = MT_N;
}

static void mt_init_by_array(pyrand *r, const uint32_t *key, size_t keylen)
{
	mt_init_genrand(r, 19650218u);
	size_t i = 1, j = 0;
	for (size_t k = MT_N > keylen ? MT_N : keylen; k; k--) {
		r->mt[i] = (r->mt[i] ^ ((r->mt[i - 1] ^ (r->mt[i - 1] >> 30)) * 1664525u)) + key[j] + (uint32_t)j;
		i++;
		j++;
		if (i >= MT_N) {
			r->mt[0] = r->mt[MT_N - 1];
			i = 1;
		}
		if (j >= keylen)
			j = 0;
	}
	for (size_t k = MT_N - 1; k; k--) {
		r->mt[i] = (r->mt[i] ^ ((r->mt[i - 1] ^ (r->mt[i - 1] >> 30)) * 1566083941u)) - (uint32_t)i;
		i++;
		if (i >= MT_N) {
			r->mt[0] = r->mt[MT_N - 1];
			i = 1;
		}
	}
	r->mt[0] = 0x80000000u;
}

/* random.Random(seed) for a non-negative int seed: the key is the seed's
 * 32-bit words, least significant first ([0] for 0). */
static void py_seed(pyrand *r, uint64_t seed)
{
	uint32_t key[2];
	size_t n = 0;
	do {
		key[n++] = (uint32_t)seed;
		seed >>= 32;
	} while (seed);
	mt_init_by_array(r, key, n);
}

static uint32_t mt_next(pyrand *r)
{
	static const uint32_t mag01[2] = { 0u, 0x9908b0dfu };
	uint32_t y;
	if (r->mti >= MT_N) {
		int kk;
		for (kk = 0; kk < MT_N - MT_M; kk++) {
			y = (r->mt[kk] & 0x80000000u) | (r->mt[kk + 1] & 0x7fffffffu);
			r->mt[kk] = r->mt[kk + MT_M] ^ (y >> 1) ^ mag01[y & 1u];
		}
		for (; kk < MT_N - 1; kk++) {
			y = (r->mt[kk] & 0x80000000u) | (r->mt[kk + 1] & 0x7fffffffu);
			r->mt[kk] = r->mt[kk + (MT_M - MT_N)] ^ (y >> 1) ^ mag01[y & 1u];
		}
		y = (r->mt[MT_N - 1] & 0x80000000u) | (r->mt[0] & 0x7fffffffu);
		r->mt[MT_N - 1] = r->mt[MT_M - 1] ^ (y >> 1) ^ mag01[y & 1u];
		r->mti = 0;
	}
	y = r->mt[r->mti++];
	y ^= (y >> 11);
	y ^= (y << 7) & 0x9d2c5680u;
	y ^= (y << 15) & 0xefc60000u;
	y ^= (y >> 18);
	return y;
}

/* getrandbits(k), 0 <= k <= 128: one word shifted down for k <= 32; else
 * 32-bit words filled least significant first, the top one truncated. */
static u128 py_getrandbits(pyrand *r, unsigned k)
{
	if (k == 0)
		return 0;
	if (k <= 32)
		return mt_next(r) >> (32 - k);
	u128 v = 0;
	for (unsigned shift = 0; k; shift += 32) {
		uint32_t w = mt_next(r);
		if (k < 32) {
			w >>= 32 - k;
			k = 0;
		} else {
			k -= 32;
		}
		v |= (u128)w << shift;
	}
	return v;
}

static unsigned bit_length(uint64_t n)
{
	return n ? 64u - (unsigned)__builtin_clzll(n) : 0u;
}

/* _randbelow_with_getrandbits */
static uint64_t py_randbelow(pyrand *r, uint64_t n)
{
	unsigned k = bit_length(n);
	uint64_t v = (uint64_t)py_getrandbits(r, k);
	while (v >= n)
		v = (uint64_t)py_getrandbits(r, k);
	return v;
}

static long py_randint(pyrand *r, long a, long b)
{
	return a + (long)py_randbelow(r, (uint64_t)(b - a + 1));
}

/* ------------------------------------------------------------------ */
/* SHA-1 (FIPS 180-4) for workloads.digest()                            */

typedef struct sha1 {
	uint32_t h[5];
	uint64_t len;
	uint8_t buf[64];
	size_t n;
} sha1;

static uint32_t rol32(uint32_t x, unsigned c)
{
	return (x << c) | (x >> (32 - c));
}

static void sha1_block(sha1 *s, const uint8_t *p)
{
	uint32_t w[80];
	for (int i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (int i = 16; i < 80; i++)
		w[i] = rol32(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
	uint32_t a = s->h[0], b = s->h[1], c = s->h[2], d = s->h[3], e = s->h[4];
	for (int i = 0; i < 80; i++) {
		uint32_t f, k;
		if (i < 20) {
			f = (b & c) | (~b & d);
			k = 0x5a827999u;
		} else if (i < 40) {
			f = b ^ c ^ d;
			k = 0x6ed9eba1u;
		} else if (i < 60) {
			f = (b & c) | (b & d) | (c & d);
			k = 0x8f1bbcdcu;
		} else {
			f = b ^ c ^ d;
			k = 0xca62c1d6u;
		}
		uint32_t t = rol32(a, 5) + f + e + k + w[i];
		e = d;
		d = c;
		c = rol32(b, 30);
		b = a;
		a = t;
	}
	s->h[0] += a;
	s->h[1] += b;
	s->h[2] += c;
	s->h[3] += d;
	s->h[4] += e;
}

static void sha1_init(sha1 *s)
{
	static const uint32_t iv[5] = { 0x67452301u, 0xefcdab89u, 0x98badcfeu, 0x10325476u, 0xc3d2e1f0u };
	memcpy(s->h, iv, sizeof iv);
	s->len = 0;
	s->n = 0;
}

static void sha1_update(sha1 *s, const void *data, size_t len)
{
	const uint8_t *p = data;
	s->len += len;
	while (len) {
		size_t take = 64 - s->n < len ? 64 - s->n : len;
		memcpy(s->buf + s->n, p, take);
		s->n += take;
		p += take;
		len -= take;
		if (s->n == 64) {
			sha1_block(s, s->buf);
			s->n = 0;
		}
	}
}

static void sha1_hex12(sha1 *s, char out[13])
{
	uint64_t bits = s->len * 8;
	uint8_t pad = 0x80, zero = 0, lenb[8];
	sha1_update(s, &pad, 1);
	while (s->n != 56)
		sha1_update(s, &zero, 1);
	for (int i = 0; i < 8; i++)
		lenb[i] = (uint8_t)(bits >> (56 - 8 * i));
	sha1_update(s, lenb, 8);
	for (int i = 0; i < 6; i++)
		snprintf(out + 2 * i, 3, "%02x", (unsigned)(s->h[i / 4] >> (24 - 8 * (i % 4))) & 0xffu);
}

static int u128_dec(char *buf, u128 v)
{
	char tmp[48];
	int n = 0;
	do {
		tmp[n++] = (char)('0' + (int)(v % 10));
		v /= 10;
	} while (v);
	for (int i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	buf[n] = 0;
	return n;
}

/* digest() of a list of ints */
static void digest_ints(char out[13], const u128 *v, size_t n)
{
	sha1 s;
	char b[64];
	sha1_init(&s);
	for (size_t i = 0; i < n; i++) {
		int len = u128_dec(b, v[i]);
		b[len++] = ',';
		sha1_update(&s, b, (size_t)len);
	}
	sha1_hex12(&s, out);
}

/* ------------------------------------------------------------------ */
/* inputs (workloads.py generators)                                     */

typedef struct pfx {
	u128 a;
	unsigned len;
} pfx;

static u128 mask_of(unsigned l, unsigned bits)
{
	if (l == 0)
		return 0;
	u128 ones = bits == 128 ? ~(u128)0 : (((u128)1 << bits) - 1);
	return (ones >> (bits - l)) << (bits - l);
}

/* digest() of a list of (a, l) tuples: str((a, l)) == "(a, l)" */
static void digest_pfx(char out[13], const pfx *v, size_t n)
{
	sha1 s;
	char b[80];
	sha1_init(&s);
	for (size_t i = 0; i < n; i++) {
		b[0] = '(';
		int len = 1 + u128_dec(b + 1, v[i].a);
		len += sprintf(b + len, ", %u),", v[i].len);
		sha1_update(&s, b, (size_t)len);
	}
	sha1_hex12(&s, out);
}

static void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p) {
		fprintf(stderr, "ipam-bench: out of memory\n");
		exit(3);
	}
	return p;
}

static unsigned *w2_mixed_sizes(size_t n)
{
	pyrand r;
	py_seed(&r, 2);
	unsigned *out = xmalloc(n * sizeof *out);
	for (size_t i = 0; i < n; i++)
		out[i] = (unsigned)py_randint(&r, 20, 28);
	return out;
}

static pfx *w3_v4_prefixes(size_t n)
{
	pyrand r;
	py_seed(&r, 31);
	pfx *out = xmalloc(n * sizeof *out);
	for (size_t i = 0; i < n; i++) {
		unsigned l = (unsigned)py_randint(&r, 8, 32);
		out[i].a = py_getrandbits(&r, 32) & mask_of(l, 32);
		out[i].len = l;
	}
	return out;
}

static pfx *w3_v6_prefixes(size_t n)
{
	pyrand r;
	py_seed(&r, 32);
	pfx *out = xmalloc(n * sizeof *out);
	for (size_t i = 0; i < n; i++) {
		unsigned l = (unsigned)py_randint(&r, 32, 64);
		out[i].a = (V6_ROOT | py_getrandbits(&r, 112)) & mask_of(l, 128);
		out[i].len = l;
	}
	return out;
}

static u128 *w3_v4_lookups(size_t n)
{
	pyrand r;
	py_seed(&r, 33);
	u128 *out = xmalloc(n * sizeof *out);
	for (size_t i = 0; i < n; i++)
		out[i] = py_getrandbits(&r, 32);
	return out;
}

static u128 *w3_v6_lookups(const pfx *pf, size_t npf, size_t n)
{
	pyrand r;
	py_seed(&r, 34);
	u128 *out = xmalloc(n * sizeof *out);
	for (size_t i = 0; i < n; i++) {
		if (i & 1) {
			const pfx *p = &pf[py_randbelow(&r, npf)];
			out[i] = p->a | py_getrandbits(&r, 128 - p->len);
		} else {
			out[i] = V6_ROOT | py_getrandbits(&r, 112);
		}
	}
	return out;
}

static pfx *w4_prefixes(size_t n)
{
	pyrand r;
	py_seed(&r, 4);
	pfx *out = xmalloc(n * sizeof *out);
	for (size_t i = 0; i < n; i++) {
		unsigned l = (unsigned)py_randint(&r, W4_MINLEN, W4_MAXLEN);
		out[i].a = py_getrandbits(&r, 32) & mask_of(l, 32);
		out[i].len = l;
	}
	return out;
}

/* sparse memory case: random.Random(6), 100,000 x 10.0.0.0 | getrandbits(24) */
#define MEM_SPARSE_N 100000
static u128 *mem_sparse_addrs(size_t n)
{
	pyrand r;
	py_seed(&r, 6);
	u128 *out = xmalloc(n * sizeof *out);
	for (size_t i = 0; i < n; i++)
		out[i] = 0x0A000000u | py_getrandbits(&r, 24);
	return out;
}

/* ------------------------------------------------------------------ */
/* references (independent of libipam)                                  */

/* mixed_reference: sorted canonical free list, first block with len <= L */
static size_t mixed_reference(pfx *out, const unsigned *sizes, size_t n)
{
	size_t cap = 1024, nf = 1, nout = 0;
	pfx *fl = xmalloc(cap * sizeof *fl);
	fl[0].a = W2_BASE;
	fl[0].len = W2_LEN;
	for (size_t q = 0; q < n; q++) {
		unsigned L = sizes[q];
		size_t i;
		for (i = 0; i < nf; i++)
			if (fl[i].len <= L)
				break;
		if (i == nf)
			break;
		u128 s = fl[i].a;
		unsigned l = fl[i].len;
		out[nout].a = s;
		out[nout].len = L;
		nout++;
		size_t add = L - l; /* entries replacing fl[i] */
		if (nf - 1 + add > cap) {
			while (nf - 1 + add > cap)
				cap *= 2;
			fl = realloc(fl, cap * sizeof *fl);
			if (!fl)
				exit(3);
		}
		memmove(fl + i + add, fl + i + 1, (nf - i - 1) * sizeof *fl);
		for (unsigned k = L, j = 0; k > l; k--, j++) {
			fl[i + j].a = s + ((u128)1 << (32 - k));
			fl[i + j].len = k;
		}
		nf = nf - 1 + add;
	}
	free(fl);
	return nout;
}

/* an open-addressing set of (len, value) for lpm_reference */
typedef struct pset {
	u128 *key;
	uint8_t *len; /* 0xff: empty */
	size_t mask;
} pset;

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 31;
	x *= 0x7fb5d329728ea185ull;
	x ^= x >> 27;
	x *= 0x81dadef4bc2dd44dull;
	x ^= x >> 33;
	return x;
}

static size_t pset_slot(const pset *s, u128 k, unsigned l)
{
	uint64_t h = mix64((uint64_t)(k >> 64) ^ mix64((uint64_t)k ^ ((uint64_t)l << 56)));
	return (size_t)h & s->mask;
}

static void pset_init(pset *s, size_t n)
{
	size_t cap = 16;
	while (cap < 2 * n)
		cap *= 2;
	s->key = xmalloc(cap * sizeof *s->key);
	s->len = xmalloc(cap);
	memset(s->len, 0xff, cap);
	s->mask = cap - 1;
}

static void pset_add(pset *s, u128 k, unsigned l)
{
	size_t i = pset_slot(s, k, l);
	while (s->len[i] != 0xff) {
		if (s->len[i] == l && s->key[i] == k)
			return;
		i = (i + 1) & s->mask;
	}
	s->len[i] = (uint8_t)l;
	s->key[i] = k;
}

static bool pset_has(const pset *s, u128 k, unsigned l)
{
	size_t i = pset_slot(s, k, l);
	while (s->len[i] != 0xff) {
		if (s->len[i] == l && s->key[i] == k)
			return true;
		i = (i + 1) & s->mask;
	}
	return false;
}

static void lpm_reference(uint64_t *hits, uint64_t *lensum, const pfx *pf, size_t npf, const u128 *lk, size_t nlk,
                          unsigned bits)
{
	pset s;
	bool present[129] = { false };
	unsigned lens[129], nl = 0;
	u128 masks[129];
	pset_init(&s, npf);
	for (size_t i = 0; i < npf; i++) {
		pset_add(&s, pf[i].a, pf[i].len);
		present[pf[i].len] = true;
	}
	for (int l = (int)bits; l >= 0; l--)
		if (present[l]) {
			lens[nl] = (unsigned)l;
			masks[nl++] = mask_of((unsigned)l, bits);
		}
	uint64_t h = 0, t = 0;
	for (size_t i = 0; i < nlk; i++)
		for (unsigned j = 0; j < nl; j++)
			if (pset_has(&s, lk[i] & masks[j], lens[j])) {
				h++;
				t += lens[j];
				break;
			}
	free(s.key);
	free(s.len);
	*hits = h;
	*lensum = t;
}

/* w4_reference by another route: a CIDR overlaps a set of CIDRs iff one of
 * them covers it or lies inside it. A map (addr, len) -> (stored flag,
 * number of accepted prefixes at or below this node) answers both. */
typedef struct w4map {
	uint64_t *key; /* (len << 32 | addr) + 1; 0: empty */
	uint32_t *cnt;
	uint8_t *stored;
	size_t mask;
} w4map;

static size_t w4map_find(w4map *m, uint64_t key, bool insert)
{
	key += 1;
	size_t i = (size_t)mix64(key) & m->mask;
	while (m->key[i] && m->key[i] != key)
		i = (i + 1) & m->mask;
	if (!m->key[i] && insert)
		m->key[i] = key;
	return i;
}

static void w4_reference(uint8_t *accepted, const pfx *pf, size_t n)
{
	w4map m;
	size_t cap = 16, levels = (size_t)(W4_MAXLEN - W4_MINLEN + 1);
	while (cap < 2 * n * levels)
		cap *= 2;
	m.key = calloc(cap, sizeof *m.key);
	m.cnt = calloc(cap, sizeof *m.cnt);
	m.stored = calloc(cap, 1);
	m.mask = cap - 1;
	if (!m.key || !m.cnt || !m.stored)
		exit(3);
	for (size_t i = 0; i < n; i++) {
		uint32_t a = (uint32_t)pf[i].a;
		unsigned l = pf[i].len;
		bool overlap = false;
		for (unsigned k = (unsigned)W4_MINLEN; k <= l && !overlap; k++) {
			size_t s = w4map_find(&m, (uint64_t)k << 32 | (uint32_t)(a & (uint32_t)mask_of(k, 32)), false);
			overlap = m.key[s] && m.stored[s];
		}
		if (!overlap) {
			size_t s = w4map_find(&m, (uint64_t)l << 32 | a, false);
			overlap = m.key[s] && m.cnt[s];
		}
		accepted[i] = !overlap;
		if (overlap)
			continue;
		for (unsigned k = (unsigned)W4_MINLEN; k <= l; k++) {
			size_t s = w4map_find(&m, (uint64_t)k << 32 | (uint32_t)(a & (uint32_t)mask_of(k, 32)), true);
			m.cnt[s]++;
			if (k == l)
				m.stored[s] = 1;
		}
	}
	free(m.key);
	free(m.cnt);
	free(m.stored);
}

/* Run fn in a child process (its memory is not counted in the caller's
 * peak RSS); results travel through a shared mapping of `size` bytes. */
static void *in_child(void (*fn)(void *shared, void *arg), void *arg, size_t size)
{
	void *shared = mmap(NULL, size ? size : 1, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED) {
		perror("mmap");
		exit(3);
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		perror("fork");
		exit(3);
	}
	if (pid == 0) {
		fn(shared, arg);
		_exit(0);
	}
	int st;
	if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st)) {
		fprintf(stderr, "ipam-bench: reference child failed\n");
		exit(3);
	}
	return shared;
}

struct mixed_ref_arg {
	const unsigned *sizes;
	size_t n;
};
static void mixed_ref_child(void *shared, void *arg)
{
	struct mixed_ref_arg *a = arg;
	size_t *count = shared;
	*count = mixed_reference((pfx *)((char *)shared + 64), a->sizes, a->n);
}

struct lpm_ref_arg {
	const pfx *pf;
	size_t npf;
	const u128 *lk;
	size_t nlk;
	unsigned bits;
};
static void lpm_ref_child(void *shared, void *arg)
{
	struct lpm_ref_arg *a = arg;
	uint64_t *r = shared;
	lpm_reference(&r[0], &r[1], a->pf, a->npf, a->lk, a->nlk, a->bits);
}

struct w4_ref_arg {
	const pfx *pf;
	size_t n;
};
static void w4_ref_child(void *shared, void *arg)
{
	struct w4_ref_arg *a = arg;
	w4_reference(shared, a->pf, a->n);
}

/* ------------------------------------------------------------------ */
/* output, timing, helpers                                              */

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* CPU time of the calling thread: the machine is shared (2 cores, other
 * builds), so every line carries cpu_secs beside the wall-clock secs. */
static double cpu_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static long peak_rss_kb(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

static int failures; /* in a workload child */

static void fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "ipam-bench: VERIFY FAILED: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	failures++;
}

/* One JSON line: workload, ops, secs, then extra "key": value pairs given
 * as preformatted JSON text, then ops_s, us_per_op and peak_rss_kb. */
static void emit(const char *workload, uint64_t ops, double secs, double cpu_secs, const char *extra_fmt, ...)
{
	char extra[1024] = "";
	if (extra_fmt) {
		va_list ap;
		va_start(ap, extra_fmt);
		vsnprintf(extra, sizeof extra, extra_fmt, ap);
		va_end(ap);
	}
	printf("{\"peer\": \"libipam\", \"workload\": \"%s\", \"ops\": %" PRIu64 ", \"secs\": %.6f", workload, ops, secs);
	if (secs > 0 && ops)
		printf(", \"ops_s\": %.1f, \"us_per_op\": %.4f, \"cpu_secs\": %.6f, \"cpu_ops_s\": %.1f", (double)ops / secs,
		       secs / (double)ops * 1e6, cpu_secs, cpu_secs > 0 ? (double)ops / cpu_secs : 0.0);
	if (*extra)
		printf(", %s", extra);
	printf(", \"peak_rss_kb\": %ld}\n", peak_rss_kb());
	fflush(stdout);
}

static void die_api(const char *what, int rc)
{
	fprintf(stderr, "ipam-bench: %s: %s (%s)\n", what, ipam_error_name(rc), ipam_error_last()->message);
	exit(1);
}

static ipam_db *db_new(void)
{
	/* The engine's own speed: the index with no store under it (index:).
	 * IPAM_BENCH_URI picks another store (memory:, file:...). */
	ipam_db *db = NULL;
	const char *uri = getenv("IPAM_BENCH_URI");
	int rc = ipam_db_open(&db, uri && *uri ? uri : "index:", NULL);
	if (rc)
		die_api("ipam_db_open", rc);
	rc = ipam_space_add(db, "default", NULL);
	if (rc && rc != IPAM_EEXISTS)
		die_api("ipam_space_add default", rc);
	return db;
}

static ipam_prefix mk_pfx(u128 a, unsigned len, unsigned bits)
{
	ipam_prefix p;
	memset(&p, 0, sizeof p);
	if (bits == 32) {
		ipam_addr_from_v4(&p.addr, (uint32_t)a);
	} else {
		ipam_u128 v = { (uint64_t)(a >> 64), (uint64_t)a };
		ipam_addr_from_v6(&p.addr, v);
	}
	p.len = (uint8_t)len;
	return p;
}

static u128 addr_val(const ipam_addr *a)
{
	ipam_u128 v = ipam_addr_value(a);
	return (u128)v.hi << 64 | v.lo;
}

static void add_prefix(ipam_db *db, u128 a, unsigned len, unsigned bits)
{
	ipam_prefix p = mk_pfx(a, len, bits);
	ipam_prefix_options po = IPAM_PREFIX_OPTIONS_INIT;
	int rc = ipam_prefix_add(db, &p, &po);
	if (rc)
		die_api("ipam_prefix_add", rc);
}

static void index_stats(ipam_db *db, ipam_db_stats *st)
{
	ipam_db_stats s = IPAM_DB_STATS_INIT;
	int rc = ipam_db_stats_get(&s, db);
	if (rc)
		die_api("ipam_db_stats_get", rc);
	*st = s;
}

static const char *fmt_addr(char *buf, u128 v, unsigned bits)
{
	ipam_prefix p = mk_pfx(v, bits, bits);
	ipam_addr_format(buf, IPAM_ADDR_STRLEN, &p.addr);
	return buf;
}

/* ------------------------------------------------------------------ */
/* workloads                                                            */

/* next free address: W1 (10.0.0.0/16) and W5B (2001:db8::/64) */
static void run_ip_alloc(const char *name, u128 base, unsigned plen, unsigned bits, size_t n, bool full, bool mem_line)
{
	ipam_db *db = db_new();
	add_prefix(db, base, plen, bits);
	ipam_prefix within = mk_pfx(base, plen, bits);
	ipam_ip_options io = IPAM_IP_OPTIONS_INIT;
	ipam_addr *out = xmalloc(n * sizeof *out);
	size_t win = n < 1000 ? n : 1000;
	double t0 = now(), c0 = cpu_now(), t_first = t0, t_lastbeg = t0, c_first = c0, c_lastbeg = c0;
	for (size_t i = 0; i < n; i++) {
		if (i == n - win) {
			t_lastbeg = now();
			c_lastbeg = cpu_now();
		}
		int rc = ipam_ip_alloc(&out[i], db, &within, &io);
		if (rc)
			die_api("ipam_ip_alloc", rc);
		if (i + 1 == win) {
			t_first = now();
			c_first = cpu_now();
		}
	}
	double t1 = now(), c1 = cpu_now();
	/* verify: lowest first, so the i-th is base + 1 + i (all distinct) */
	for (size_t i = 0; i < n; i++)
		if (addr_val(&out[i]) != base + 1 + i) {
			char b1[IPAM_ADDR_STRLEN], b2[IPAM_ADDR_STRLEN];
			fail("%s: allocation %zu is %s, expected %s", name, i, fmt_addr(b1, addr_val(&out[i]), bits),
			     fmt_addr(b2, base + 1 + i, bits));
			break;
		}
	char last[IPAM_ADDR_STRLEN] = "";
	if (n)
		ipam_addr_format(last, sizeof last, &out[n - 1]);
	const char *next = "n/a";
	if (full) {
		/* the prefix is now full: the last is the last host, next is EXHAUSTED */
		u128 last_host = base + (((u128)1 << (bits - plen)) - 2);
		if (addr_val(&out[n - 1]) != last_host)
			fail("%s: last allocation %s is not the last host", name, last);
		ipam_addr extra;
		int rc = ipam_ip_alloc(&extra, db, &within, &io);
		next = ipam_error_name(rc);
		if (rc != IPAM_EEXHAUSTED)
			fail("%s: allocation after the last returned %s, expected EXHAUSTED", name, next);
	}
	double f_ns = (t_first - t0) / (double)win * 1e9, l_ns = (t1 - t_lastbeg) / (double)win * 1e9;
	double fc_ns = (c_first - c0) / (double)win * 1e9, lc_ns = (c1 - c_lastbeg) / (double)win * 1e9;
	ipam_db_stats st;
	index_stats(db, &st);
	double bpa = st.addresses ? (double)st.index_bytes / (double)st.addresses : 0;
	emit(name, n, t1 - t0, c1 - c0,
	     "\"first1000_ns_per_op\": %.1f, \"last1000_ns_per_op\": %.1f, \"last_first_ratio\": %.3f, "
	     "\"first1000_cpu_ns_per_op\": %.1f, \"last1000_cpu_ns_per_op\": %.1f, "
	     "\"last\": \"%s\", \"next_alloc\": \"%s\", \"index_bytes\": %" PRIu64 ", \"addresses\": %" PRIu64
	     ", \"index_bytes_per_address\": %.2f, \"verified\": %s",
	     f_ns, l_ns, l_ns / f_ns, fc_ns, lc_ns, last, next, st.index_bytes, st.addresses, bpa, failures ? "false" : "true");
	if (mem_line)
		emit("MEM-dense-after-W1", st.addresses, 0, 0,
		     "\"index_bytes\": %" PRIu64 ", \"index_nodes\": %" PRIu64 ", \"index_reserved\": %" PRIu64
		     ", \"addresses\": %" PRIu64 ", \"prefixes\": %" PRIu64 ", \"index_bytes_per_address\": %.2f",
		     st.index_bytes, st.index_nodes, st.index_reserved, st.addresses, st.prefixes, bpa);
	free(out);
	ipam_db_free(db);
}

/* next free block of one length: W2 (/24 in 10/8) and W5A (/64 in 2001:db8::/48) */
static void run_prefix_alloc(const char *name, u128 base, unsigned plen, unsigned len, unsigned bits, size_t n)
{
	ipam_db *db = db_new();
	add_prefix(db, base, plen, bits);
	ipam_prefix parent = mk_pfx(base, plen, bits);
	ipam_prefix_alloc_options ao = IPAM_PREFIX_ALLOC_OPTIONS_INIT;
	ao.length = len;
	ipam_prefix *out = xmalloc(n * sizeof *out);
	double t0 = now(), c0 = cpu_now();
	for (size_t i = 0; i < n; i++) {
		int rc = ipam_prefix_alloc(&out[i], db, &parent, &ao);
		if (rc)
			die_api("ipam_prefix_alloc", rc);
	}
	double t1 = now(), c1 = cpu_now();
	for (size_t i = 0; i < n; i++)
		if (addr_val(&out[i].addr) != base + ((u128)i << (bits - len)) || out[i].len != len) {
			char b[IPAM_PREFIX_STRLEN];
			ipam_prefix_format(b, sizeof b, &out[i]);
			fail("%s: allocation %zu is %s", name, i, b);
			break;
		}
	const char *next = "n/a";
	if (n == ((size_t)1 << (len - plen))) {
		ipam_prefix extra;
		int rc = ipam_prefix_alloc(&extra, db, &parent, &ao);
		next = ipam_error_name(rc);
		if (rc != IPAM_EEXHAUSTED)
			fail("%s: allocation after the last returned %s, expected EXHAUSTED", name, next);
	}
	char last[IPAM_PREFIX_STRLEN] = "";
	if (n)
		ipam_prefix_format(last, sizeof last, &out[n - 1]);
	ipam_db_stats st;
	index_stats(db, &st);
	emit(name, n, t1 - t0, c1 - c0,
	     "\"last\": \"%s\", \"next_alloc\": \"%s\", \"index_bytes\": %" PRIu64 ", \"prefixes\": %" PRIu64
	     ", \"verified\": %s",
	     last, next, st.index_bytes, st.prefixes, failures ? "false" : "true");
	free(out);
	ipam_db_free(db);
}

static void run_w2m(void)
{
	size_t n = (size_t)W2M_N;
	unsigned *sizes = w2_mixed_sizes(n);
	struct mixed_ref_arg ra = { sizes, n };
	size_t *ref_count = in_child(mixed_ref_child, &ra, 64 + n * sizeof(pfx));
	const pfx *ref = (const pfx *)((char *)ref_count + 64);

	ipam_db *db = db_new();
	add_prefix(db, W2_BASE, W2_LEN, 32);
	ipam_prefix parent = mk_pfx(W2_BASE, W2_LEN, 32);
	ipam_prefix_alloc_options ao = IPAM_PREFIX_ALLOC_OPTIONS_INIT;
	ipam_prefix *out = xmalloc(n * sizeof *out);
	size_t got = 0;
	int rc = 0;
	double t0 = now(), c0 = cpu_now();
	for (; got < n; got++) {
		ao.length = sizes[got];
		rc = ipam_prefix_alloc(&out[got], db, &parent, &ao);
		if (rc)
			break;
	}
	double t1 = now(), c1 = cpu_now();
	if (rc && rc != IPAM_EEXHAUSTED)
		die_api("ipam_prefix_alloc", rc);
	bool match = got == *ref_count;
	for (size_t i = 0; match && i < got; i++)
		match = addr_val(&out[i].addr) == ref[i].a && out[i].len == ref[i].len;
	if (!match)
		fail("W2-mixed: %zu allocations differ from mixed_reference (%zu)", got, *ref_count);
	emit("W2-mixed", got, t1 - t0, c1 - c0,
	     "\"attempts\": %zu, \"stopped_on\": \"%s\", \"matches_reference\": %s, \"verified\": %s",
	     got + (rc ? 1 : 0), rc ? ipam_error_name(rc) : "end", match ? "true" : "false",
	     failures ? "false" : "true");
	free(out);
	free(sizes);
	ipam_db_free(db);
}

static void run_w3_family(ipam_db *db, const char *fam, const pfx *pf, size_t npf, const u128 *lk, size_t nlk,
                          unsigned bits)
{
	struct lpm_ref_arg ra = { pf, npf, lk, nlk, bits };
	uint64_t *ref = in_child(lpm_ref_child, &ra, 2 * sizeof(uint64_t));

	ipam_prefix *pp = xmalloc(npf * sizeof *pp);
	for (size_t i = 0; i < npf; i++)
		pp[i] = mk_pfx(pf[i].a, pf[i].len, bits);
	ipam_prefix_options po = IPAM_PREFIX_OPTIONS_INIT;
	size_t dups = 0;
	double t0 = now(), c0 = cpu_now();
	for (size_t i = 0; i < npf; i++) {
		int rc = ipam_prefix_add(db, &pp[i], &po);
		if (rc == IPAM_EEXISTS)
			dups++;
		else if (rc)
			die_api("ipam_prefix_add", rc);
	}
	double t1 = now(), c1 = cpu_now();
	free(pp);
	char wl[32];
	snprintf(wl, sizeof wl, "W3-%s-build", fam);
	emit(wl, npf, t1 - t0, c1 - c0, "\"duplicates\": %zu, \"stored\": %zu", dups, npf - dups);

	ipam_prefix *hp = xmalloc(nlk * sizeof *hp);
	for (size_t i = 0; i < nlk; i++)
		hp[i] = mk_pfx(lk[i], bits, bits);
	uint64_t hits = 0, lensum = 0;
	ipam_prefix m;
	t0 = now();
	c0 = cpu_now();
	for (size_t i = 0; i < nlk; i++) {
		int rc = ipam_prefix_match(&m, db, NULL, &hp[i]);
		if (rc == 0) {
			hits++;
			lensum += m.len;
		} else if (rc != IPAM_ENOTFOUND) {
			die_api("ipam_prefix_match", rc);
		}
	}
	t1 = now();
	c1 = cpu_now();
	free(hp);
	if (hits != ref[0] || lensum != ref[1])
		fail("W3-%s: hits %" PRIu64 " lensum %" PRIu64 " but lpm_reference %" PRIu64 " %" PRIu64, fam, hits,
		     lensum, ref[0], ref[1]);
	snprintf(wl, sizeof wl, "W3-%s-lookup", fam);
	emit(wl, nlk, t1 - t0, c1 - c0,
	     "\"hits\": %" PRIu64 ", \"lensum\": %" PRIu64 ", \"ref_hits\": %" PRIu64 ", \"ref_lensum\": %" PRIu64
	     ", \"verified\": %s, \"note\": \"ipam_prefix_match on prebuilt host prefixes\"",
	     hits, lensum, ref[0], ref[1], (hits == ref[0] && lensum == ref[1]) ? "true" : "false");
}

static void run_w3(void)
{
	ipam_db *db = db_new();
	pfx *p4 = w3_v4_prefixes((size_t)W3_N4);
	u128 *l4 = w3_v4_lookups((size_t)W3_LOOKUPS);
	run_w3_family(db, "v4", p4, (size_t)W3_N4, l4, (size_t)W3_LOOKUPS, 32);
	free(p4);
	free(l4);
	pfx *p6 = w3_v6_prefixes((size_t)W3_N6);
	u128 *l6 = w3_v6_lookups(p6, (size_t)W3_N6, (size_t)W3_LOOKUPS);
	run_w3_family(db, "v6", p6, (size_t)W3_N6, l6, (size_t)W3_LOOKUPS, 128);
	free(p6);
	free(l6);
	ipam_db_free(db);
}

/* W4: insert a prefix only when it overlaps nothing stored.
 * variant "exclusive-add": one ipam_prefix_add with opts.exclusive, which
 * refuses (IPAM_EEXISTS) any prefix that overlaps a stored one.
 * variant "match+util": ipam_prefix_match (a stored prefix covers or equals
 * it) then ipam_prefix_util (used > 0: something lies strictly inside).
 * variant "match+within-iter": the same with a WITHIN query instead of util. */
static void run_w4_variant(const char *variant, const pfx *pf, size_t n, const uint8_t *ref)
{
	ipam_db *db = db_new();
	ipam_prefix *pp = xmalloc(n * sizeof *pp);
	for (size_t i = 0; i < n; i++)
		pp[i] = mk_pfx(pf[i].a, pf[i].len, 32);
	uint8_t *acc = xmalloc(n);
	bool use_util = strcmp(variant, "match+util") == 0;
	bool exclusive = strcmp(variant, "exclusive-add") == 0;
	ipam_prefix_options po = IPAM_PREFIX_OPTIONS_INIT;
	size_t accepted = 0;
	ipam_prefix m;
	double t0 = now(), c0 = cpu_now();
	for (size_t i = 0; i < n && exclusive; i++) {
		po.exclusive = 1;
		int rc = ipam_prefix_add(db, &pp[i], &po);
		if (rc && rc != IPAM_EEXISTS)
			die_api("ipam_prefix_add", rc);
		acc[i] = rc == 0;
		accepted += rc == 0;
	}
	for (size_t i = 0; i < n && !exclusive; i++) {
		int rc = ipam_prefix_match(&m, db, NULL, &pp[i]);
		bool overlap;
		if (rc == 0) {
			overlap = true;
		} else if (rc != IPAM_ENOTFOUND) {
			die_api("ipam_prefix_match", rc);
		} else if (use_util) {
			ipam_util u = IPAM_UTIL_INIT;
			rc = ipam_prefix_util(&u, db, NULL, &pp[i]);
			if (rc)
				die_api("ipam_prefix_util", rc);
			overlap = u.used.hi || u.used.lo;
		} else {
			ipam_prefix_query q = IPAM_PREFIX_QUERY_INIT;
			q.walk = IPAM_WALK_WITHIN;
			q.target = &pp[i];
			ipam_prefix_iter *it = NULL;
			rc = ipam_prefix_iter_new(&it, db, &q);
			if (rc)
				die_api("ipam_prefix_iter_new", rc);
			ipam_prefix_info info = IPAM_PREFIX_INFO_INIT;
			rc = ipam_prefix_iter_next(&info, it);
			if (rc && rc != IPAM_ITEROVER)
				die_api("ipam_prefix_iter_next", rc);
			overlap = rc == 0;
			ipam_prefix_info_dispose(&info);
			ipam_prefix_iter_free(it);
		}
		acc[i] = !overlap;
		if (overlap)
			continue;
		rc = ipam_prefix_add(db, &pp[i], &po);
		if (rc)
			die_api("ipam_prefix_add", rc);
		accepted++;
	}
	double t1 = now(), c1 = cpu_now();
	size_t ref_acc = 0, first_diff = n;
	for (size_t i = 0; i < n; i++) {
		ref_acc += ref[i];
		if (acc[i] != ref[i] && first_diff == n)
			first_diff = i;
	}
	if (first_diff != n)
		fail("W4 %s: accepted %zu, w4_reference %zu; first differing decision at input %zu", variant, accepted,
		     ref_acc, first_diff);
	emit("W4", n, t1 - t0, c1 - c0, "\"variant\": \"%s\", \"accepted\": %zu, \"ref_accepted\": %zu, \"verified\": %s", variant,
	     accepted, ref_acc, first_diff == n ? "true" : "false");
	free(pp);
	free(acc);
	ipam_db_free(db);
}

static void run_w4(void)
{
	size_t n = (size_t)W4_N;
	pfx *pf = w4_prefixes(n);
	struct w4_ref_arg ra = { pf, n };
	uint8_t *ref = in_child(w4_ref_child, &ra, n);
	/* W4_VARIANT=exclusive-add (or another name) runs only that one */
	const char *only = getenv("W4_VARIANT");
	static const char *const variants[] = { "exclusive-add", "match+util", "match+within-iter" };
	for (size_t v = 0; v < sizeof variants / sizeof *variants; v++)
		if (!only || !*only || strcmp(only, variants[v]) == 0)
			run_w4_variant(variants[v], pf, n, ref);
	free(pf);
}

static void run_mem_sparse(void)
{
	size_t n = MEM_SPARSE_N;
	u128 *a = mem_sparse_addrs(n);
	ipam_db *db = db_new();
	add_prefix(db, 0x0A000000u, 8, 32);
	ipam_prefix *hp = xmalloc(n * sizeof *hp);
	for (size_t i = 0; i < n; i++)
		hp[i] = mk_pfx(a[i], 32, 32);
	ipam_ip_options io = IPAM_IP_OPTIONS_INIT;
	size_t dups = 0;
	double t0 = now(), c0 = cpu_now();
	for (size_t i = 0; i < n; i++) {
		int rc = ipam_ip_add(db, &hp[i].addr, &io);
		if (rc == IPAM_EEXISTS)
			dups++;
		else if (rc)
			die_api("ipam_ip_add", rc);
	}
	double t1 = now(), c1 = cpu_now();
	ipam_db_stats st;
	index_stats(db, &st);
	if (st.addresses != n - dups)
		fail("MEM-sparse: stats say %" PRIu64 " addresses, %zu added", st.addresses, n - dups);
	emit("MEM-sparse-ip_add", n, t1 - t0, c1 - c0,
	     "\"duplicates\": %zu, \"index_bytes\": %" PRIu64 ", \"index_nodes\": %" PRIu64 ", \"index_reserved\": %" PRIu64
	     ", \"addresses\": %" PRIu64 ", \"index_bytes_per_address\": %.2f, \"note\": \"100k random ip_add in "
	     "10.0.0.0/8, random.Random(6).getrandbits(24)\"",
	     dups, st.index_bytes, st.index_nodes, st.index_reserved, st.addresses,
	     st.addresses ? (double)st.index_bytes / (double)st.addresses : 0.0);
	free(hp);
	free(a);
	ipam_db_free(db);
}

/* ------------------------------------------------------------------ */
/* --digest                                                             */

static void print_digests(void)
{
	char d[13];
	size_t n;

	n = (size_t)W2M_N;
	unsigned *sizes = w2_mixed_sizes(n);
	u128 *tmp = xmalloc(n * sizeof *tmp);
	for (size_t i = 0; i < n; i++)
		tmp[i] = sizes[i];
	digest_ints(d, tmp, n);
	printf("w2_mixed_sizes %s\n", d);
	free(tmp);
	pfx *ref = xmalloc(n * sizeof *ref);
	size_t nr = mixed_reference(ref, sizes, n);
	digest_pfx(d, ref, nr);
	printf("mixed_reference %zu %s\n", nr, d);
	free(ref);
	free(sizes);

	pfx *p4 = w3_v4_prefixes((size_t)W3_N4);
	digest_pfx(d, p4, (size_t)W3_N4);
	printf("w3_v4_prefixes %s\n", d);
	u128 *l4 = w3_v4_lookups((size_t)W3_LOOKUPS);
	digest_ints(d, l4, (size_t)W3_LOOKUPS);
	printf("w3_v4_lookups %s\n", d);
	uint64_t h, t;
	lpm_reference(&h, &t, p4, (size_t)W3_N4, l4, (size_t)W3_LOOKUPS, 32);
	printf("lpm_reference_v4 %" PRIu64 " %" PRIu64 "\n", h, t);
	free(p4);
	free(l4);

	pfx *p6 = w3_v6_prefixes((size_t)W3_N6);
	digest_pfx(d, p6, (size_t)W3_N6);
	printf("w3_v6_prefixes %s\n", d);
	u128 *l6 = w3_v6_lookups(p6, (size_t)W3_N6, (size_t)W3_LOOKUPS);
	digest_ints(d, l6, (size_t)W3_LOOKUPS);
	printf("w3_v6_lookups %s\n", d);
	lpm_reference(&h, &t, p6, (size_t)W3_N6, l6, (size_t)W3_LOOKUPS, 128);
	printf("lpm_reference_v6 %" PRIu64 " %" PRIu64 "\n", h, t);
	free(p6);
	free(l6);

	n = (size_t)W4_N;
	pfx *p = w4_prefixes(n);
	digest_pfx(d, p, n);
	printf("w4_prefixes %s\n", d);
	uint8_t *acc = xmalloc(n);
	w4_reference(acc, p, n);
	size_t na = 0;
	for (size_t i = 0; i < n; i++)
		if (acc[i])
			p[na++] = p[i];
	digest_pfx(d, p, na);
	printf("w4_reference %zu %s\n", na, d);
	free(acc);
	free(p);

	u128 *ms = mem_sparse_addrs(MEM_SPARSE_N);
	digest_ints(d, ms, MEM_SPARSE_N);
	printf("mem_sparse %s\n", d);
	free(ms);
	fflush(stdout);
}

/* ------------------------------------------------------------------ */

static const char *const all_workloads[] = { "W1", "W2", "W2M", "W3", "W4", "W5A", "W5B", "MEM" };

static void run_workload(const char *w)
{
	if (!strcmp(w, "W1"))
		run_ip_alloc("W1", W1_BASE, W1_LEN, 32, (size_t)W1_N, W1_N == 65534, true);
	else if (!strcmp(w, "W2"))
		run_prefix_alloc("W2-/24", W2_BASE, W2_LEN, 24, 32, (size_t)W2_N);
	else if (!strcmp(w, "W2M"))
		run_w2m();
	else if (!strcmp(w, "W3"))
		run_w3();
	else if (!strcmp(w, "W4"))
		run_w4();
	else if (!strcmp(w, "W5A"))
		run_prefix_alloc("W5-/64", W5_BASE, W5_LEN, 64, 128, (size_t)W5_N64);
	else if (!strcmp(w, "W5B"))
		run_ip_alloc("W5-addr-in-/64", W5_BASE, 64, 128, (size_t)W5_NADDR, false, false);
	else if (!strcmp(w, "MEM"))
		run_mem_sparse();
}

static bool known(const char *w)
{
	for (size_t i = 0; i < sizeof all_workloads / sizeof *all_workloads; i++)
		if (!strcmp(w, all_workloads[i]))
			return true;
	return false;
}

int main(int argc, char **argv)
{
	sizes_init();
	const char *sel[16];
	size_t nsel = 0;
	bool digest = false;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--digest")) {
			digest = true;
		} else if (known(argv[i]) && nsel < 16) {
			sel[nsel++] = argv[i];
		} else {
			fprintf(stderr, "usage: ipam-bench [--digest] [W1 W2 W2M W3 W4 W5A W5B MEM]...\n");
			return 2;
		}
	}
	if (digest) {
		print_digests();
		return 0;
	}
	if (!nsel)
		for (size_t i = 0; i < sizeof all_workloads / sizeof *all_workloads; i++)
			sel[nsel++] = all_workloads[i];

	int bad = 0;
	for (size_t i = 0; i < nsel; i++) {
		fflush(NULL);
		pid_t pid = fork();
		if (pid < 0) {
			perror("fork");
			return 3;
		}
		if (pid == 0) {
			run_workload(sel[i]);
			fflush(NULL);
			_exit(failures ? 1 : 0);
		}
		int st;
		if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st)) {
			fprintf(stderr, "ipam-bench: workload %s failed\n", sel[i]);
			bad = 1;
		}
	}
	return bad;
}
