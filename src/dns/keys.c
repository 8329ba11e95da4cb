/* The canonical order of a zone's records: one memcmp-able key a record,
 * sorting by those keys, and the lookups that walk a sorted zone (RRsets,
 * names, the diff's steps). */
#include "dns/keys.h"

#include <stdio.h>
#include <stdlib.h>

/* ---- sort keys ------------------------------------------------------------------
 * Canonical order (RFC 4034 6.1) as one memcmp-able byte string a record:
 * the owner's labels right to left, each lowercased and followed by 0x00,
 * then one more 0x00 (so a name sorts before the names below it); then the
 * type (2 bytes, big-endian); then the rdata as wire bytes with names
 * lowercased. Label bytes 0x00 and 0x01 are escaped as 0x01 0x01 and
 * 0x01 0x02, so a label never contains the separator and order is kept.
 * Computed once per record, so sorting a million records is a sort of
 * memcmp-compared strings, not a million re-encodings. */
static uint8_t lc(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c;
}

/* Bytes the name part of a key needs at most. */
static size_t name_key_max(const ldns_rdf *name)
{
	return 2 * ldns_rdf_size(name) + 2;
}

static size_t name_key(uint8_t *out, const ldns_rdf *name)
{
	const uint8_t *d = ldns_rdf_data(name);
	size_t size = ldns_rdf_size(name);
	size_t starts[128], nl = 0, k = 0;

	for (size_t i = 0; i < size && d[i] != 0 && nl < 128; i += (size_t)d[i] + 1)
		starts[nl++] = i;
	while (nl-- > 0) {
		size_t at = starts[nl];
		for (size_t j = 1; j <= d[at] && at + j < size; j++) {
			uint8_t c = lc(d[at + j]);
			if (c <= 1) {
				out[k++] = 1;
				out[k++] = (uint8_t)(c + 1);
			} else {
				out[k++] = c;
			}
		}
		out[k++] = 0;
	}
	out[k++] = 0;
	return k;
}

static size_t rr_key_max(const ldns_rr *rr)
{
	size_t n = name_key_max(ldns_rr_owner(rr)) + 2;
	for (size_t i = 0; i < ldns_rr_rd_count(rr); i++)
		n += ldns_rdf_size(ldns_rr_rdf(rr, i));
	return n;
}

static size_t rr_key(uint8_t *out, uint32_t *namelen, const ldns_rr *rr)
{
	size_t k = name_key(out, ldns_rr_owner(rr));
	*namelen = (uint32_t)k;
	uint16_t t = (uint16_t)ldns_rr_get_type(rr);
	out[k++] = (uint8_t)(t >> 8);
	out[k++] = (uint8_t)t;
	for (size_t i = 0; i < ldns_rr_rd_count(rr); i++) {
		const ldns_rdf *f = ldns_rr_rdf(rr, i);
		const uint8_t *d = ldns_rdf_data(f);
		size_t s = ldns_rdf_size(f);
		if (ldns_rdf_get_type(f) == LDNS_RDF_TYPE_DNAME) {
			for (size_t j = 0; j < s; j++)
				out[k + j] = lc(d[j]);
		} else if (s) {
			memcpy(out + k, d, s);
		}
		k += s;
	}
	return k;
}

int ipam__dns_key_cmp(const zkey *a, const zkey *b)
{
	size_t n = a->len < b->len ? a->len : b->len;
	int c = memcmp(a->p, b->p, n);
	if (c)
		return c;
	return a->len < b->len ? -1 : a->len > b->len;
}

void ipam__dns_keys_free(ipam__dns_zone *z)
{
	zkeys *ks = z->keys;
	if (ks) {
		free(ks->k);
		free(ks->bytes);
		free(ks);
	}
	z->keys = NULL;
	z->sorted = false;
}

/* ---- sorting ---------------------------------------------------------------------- */

/* Sorting a million keys: an LSD radix sort of (the first 8 key bytes after
 * those all keys share, the record index) pairs, in place in one array:
 * eight passes over contiguous memory, no pointer chasing; then each run of
 * equal 8-byte prefixes (a key that ends early is padded with zeros, so
 * such runs mix keys that differ later) is finished by a merge sort on the
 * whole rest of the key, with the index as the last tie-break. Both steps
 * are stable: among equal keys the first added comes first (and is the one
 * kept). No recursion. */
#define SORT_SMALL 24

typedef struct sorter {
	const zkey *k;
	uint32_t *tmp;
} sorter;

typedef struct sitem {
	uint64_t pre;
	uint32_t idx;
} sitem;

static int rest_cmp(const zkey *k, uint32_t a, uint32_t b, size_t depth)
{
	const zkey *x = &k[a], *y = &k[b];
	size_t xl = x->len > depth ? x->len - depth : 0, yl = y->len > depth ? y->len - depth : 0;
	size_t m = xl < yl ? xl : yl;
	int c = m ? memcmp(x->p + depth, y->p + depth, m) : 0;
	if (!c)
		c = xl < yl ? -1 : xl > yl;
	if (!c)
		c = a < b ? -1 : a > b;
	return c;
}

static void merge_sort(const sorter *st, uint32_t *v, size_t n, size_t depth)
{
	if (n < 2)
		return;
	if (n <= SORT_SMALL) {
		for (size_t i = 1; i < n; i++) {
			uint32_t x = v[i];
			size_t j = i;
			while (j > 0 && rest_cmp(st->k, v[j - 1], x, depth) > 0) {
				v[j] = v[j - 1];
				j--;
			}
			v[j] = x;
		}
		return;
	}
	uint32_t *a = v, *b = st->tmp;
	for (size_t w = 1; w < n; w *= 2) {
		for (size_t lo = 0; lo < n; lo += 2 * w) {
			size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
			size_t i = lo, j = mid, o = lo;
			while (i < mid && j < hi)
				b[o++] = rest_cmp(st->k, a[i], a[j], depth) <= 0 ? a[i++] : a[j++];
			while (i < mid)
				b[o++] = a[i++];
			while (j < hi)
				b[o++] = a[j++];
		}
		uint32_t *t = a;
		a = b;
		b = t;
	}
	if (a != v)
		memcpy(v, a, n * sizeof *v);
}

/* Sort idx[0..n) (0..n-1 on entry) by key; `depth`: bytes all keys share.
 * 0 or IPAM_ENOMEM. */
static int sort_keys(const zkey *k, uint32_t *idx, size_t n, size_t depth)
{
	sitem *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b);
	uint32_t *tmp = malloc(n * sizeof *tmp);
	if (!a || !b || !tmp) {
		free(a);
		free(b);
		free(tmp);
		return ipam__enomem();
	}
	for (size_t i = 0; i < n; i++) {
		uint64_t pre = 0;
		for (size_t j = 0; j < 8; j++)
			pre = pre << 8 | (depth + j < k[i].len ? k[i].p[depth + j] : 0u);
		a[i].pre = pre;
		a[i].idx = (uint32_t)i;
	}
	for (unsigned shift = 0; shift < 64; shift += 8) {
		size_t count[256] = { 0 };
		for (size_t i = 0; i < n; i++)
			count[(a[i].pre >> shift) & 255]++;
		if (count[(a[0].pre >> shift) & 255] == n)
			continue; /* every item has the same byte here */
		size_t pos[256], at = 0;
		for (int c = 0; c < 256; c++) {
			pos[c] = at;
			at += count[c];
		}
		for (size_t i = 0; i < n; i++)
			b[pos[(a[i].pre >> shift) & 255]++] = a[i];
		sitem *t = a;
		a = b;
		b = t;
	}
	for (size_t i = 0; i < n; i++)
		idx[i] = a[i].idx;
	sorter st = { k, tmp };
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;
		while (j < n && a[j].pre == a[i].pre)
			j++;
		if (j - i > 1)
			merge_sort(&st, idx + i, j - i, depth);
		i = j;
	}
	free(a);
	free(b);
	free(tmp);
	return 0;
}

int ipam__dns_zone_sort(ipam__dns_zone *z)
{
	if (z->sorted && z->keys)
		return 0;
	ipam__dns_keys_free(z);
	if (z->n > UINT32_MAX - 1)
		return ipam__error(IPAM_EINVAL, "zone too large");
	zkeys *ks = calloc(1, sizeof *ks);
	size_t cap = z->n * 48 + 64, at = 0;
	if (!ks || !(ks->k = malloc((z->n ? z->n : 1) * sizeof *ks->k)) || !(ks->bytes = malloc(cap))) {
		if (ks) {
			free(ks->k);
			free(ks);
		}
		return ipam__enomem();
	}
	/* one pass over the records; offsets first, pointers once the arena
	 * has stopped moving */
	bool ordered = true;
	for (size_t i = 0; i < z->n; i++) {
		size_t need = rr_key_max(z->rr[i]);
		if (at + need > cap) {
			while (at + need > cap)
				cap *= 2;
			uint8_t *nb = realloc(ks->bytes, cap);
			if (!nb) {
				free(ks->k);
				free(ks->bytes);
				free(ks);
				return ipam__enomem();
			}
			ks->bytes = nb;
		}
		zkey *k = &ks->k[i];
		k->len = (uint32_t)rr_key(ks->bytes + at, &k->namelen, z->rr[i]);
		k->p = (uint8_t *)(uintptr_t)at;
		at += k->len;
	}
	for (size_t i = 0; i < z->n; i++) {
		ks->k[i].p = ks->bytes + (uintptr_t)ks->k[i].p;
		if (i && ipam__dns_key_cmp(&ks->k[i - 1], &ks->k[i]) >= 0)
			ordered = false;
	}
	if (!ordered) {
		uint32_t *idx = malloc(z->n * sizeof *idx);
		ldns_rr **rr = malloc(z->n * sizeof *rr);
		uint32_t *line = malloc(z->n * sizeof *line);
		zkey *nk = malloc(z->n * sizeof *nk);
		/* every owner ends in the origin: the keys share its labels, and
		 * sorting starts after the bytes all keys have in common */
		size_t lcp = ks->k[0].len;
		for (size_t i = 1; i < z->n && lcp; i++) {
			size_t m = ks->k[i].len < lcp ? ks->k[i].len : lcp, j = 0;
			while (j < m && ks->k[i].p[j] == ks->k[0].p[j])
				j++;
			lcp = j;
		}
		if (!idx || !rr || !line || !nk || sort_keys(ks->k, idx, z->n, lcp)) {
			free(idx);
			free(rr);
			free(line);
			free(nk);
			free(ks->k);
			free(ks->bytes);
			free(ks);
			return ipam__enomem();
		}
		/* permute, dropping exact duplicates (same key: same owner, type,
		 * rdata; the first one added stays, with its TTL) */
		size_t m = 0;
		for (size_t i = 0; i < z->n; i++) {
			uint32_t j = idx[i];
			if (m && ipam__dns_key_cmp(&nk[m - 1], &ks->k[j]) == 0) {
				ldns_rr_free(z->rr[j]);
				continue;
			}
			rr[m] = z->rr[j];
			line[m] = z->line[j];
			nk[m] = ks->k[j];
			m++;
		}
		free(idx);
		memcpy(z->rr, rr, m * sizeof *rr);
		memcpy(z->line, line, m * sizeof *line);
		free(rr);
		free(line);
		free(ks->k);
		ks->k = nk;
		z->n = m;
	}
	z->keys = ks;
	z->sorted = true;
	return 0;
}

/* Compare the (owner, type) of key k with a probe. */
static int probe_cmp(const zkey *k, const uint8_t *probe, size_t plen)
{
	size_t n = k->namelen + 2u < k->len ? k->namelen + 2u : k->len;
	size_t m = n < plen ? n : plen;
	int c = memcmp(k->p, probe, m);
	if (c)
		return c;
	return n < plen ? -1 : n > plen;
}

size_t ipam__dns_zone_rrset(const ipam__dns_zone *z, const ldns_rdf *owner, ldns_rr_type type, size_t *first)
{
	*first = 0;
	const zkeys *ks = z->keys;
	if (!z->sorted || !ks || z->n == 0)
		return 0;
	uint8_t stackbuf[1100];
	size_t plen = name_key(stackbuf, owner);
	stackbuf[plen++] = (uint8_t)((uint16_t)type >> 8);
	stackbuf[plen++] = (uint8_t)type;
	size_t lo = 0, hi = z->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (probe_cmp(&ks->k[mid], stackbuf, plen) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	size_t end = lo;
	while (end < z->n && probe_cmp(&ks->k[end], stackbuf, plen) == 0)
		end++;
	*first = lo;
	return end - lo;
}

/* ---- RRset walking for diffs (sorted zones) ----------------------------------------- */

size_t ipam__dns_zone_rrset_end(const ipam__dns_zone *z, size_t i)
{
	const zkeys *ks = z->keys;
	const zkey *a = &ks->k[i];
	size_t j = i + 1;
	while (j < z->n && ks->k[j].namelen == a->namelen && memcmp(ks->k[j].p, a->p, a->namelen + 2u) == 0)
		j++;
	return j;
}

int ipam__dns_zone_rrset_cmp(const ipam__dns_zone *a, size_t i, const ipam__dns_zone *b, size_t j)
{
	const zkey *x = &((const zkeys *)a->keys)->k[i], *y = &((const zkeys *)b->keys)->k[j];
	size_t xn = x->namelen + 2u, yn = y->namelen + 2u;
	int c = memcmp(x->p, y->p, xn < yn ? xn : yn);
	if (c)
		return c;
	return xn < yn ? -1 : xn > yn;
}

bool ipam__dns_zone_rr_same(const ipam__dns_zone *a, size_t i, const ipam__dns_zone *b, size_t j)
{
	const zkey *x = &((const zkeys *)a->keys)->k[i], *y = &((const zkeys *)b->keys)->k[j];
	return ipam__dns_key_cmp(x, y) == 0 && ldns_rr_ttl(a->rr[i]) == ldns_rr_ttl(b->rr[j]);
}

bool ipam__dns_zone_has_name(const ipam__dns_zone *z, const ldns_rdf *owner)
{
	const zkeys *ks = z->keys;
	if (!z->sorted || !ks || z->n == 0)
		return false;
	uint8_t probe[1100];
	size_t plen = name_key(probe, owner);
	size_t lo = 0, hi = z->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const zkey *k = &ks->k[mid];
		size_t m = k->namelen < plen ? k->namelen : plen;
		int c = memcmp(k->p, probe, m);
		if (!c)
			c = k->namelen < plen ? -1 : k->namelen > plen;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < z->n && ks->k[lo].namelen == plen && memcmp(ks->k[lo].p, probe, plen) == 0;
}
