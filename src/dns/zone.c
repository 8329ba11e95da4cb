/* Zone content: the RR set, its canonical order, and the validation rules. */
#include "dns/dns.h"

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
typedef struct zkey {
	uint8_t *p;
	uint32_t len;
	uint32_t namelen; /* name part incl. its end marker */
} zkey;

typedef struct zkeys {
	zkey *k;
	uint8_t *bytes;
} zkeys;

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

static int key_cmp(const zkey *a, const zkey *b)
{
	size_t n = a->len < b->len ? a->len : b->len;
	int c = memcmp(a->p, b->p, n);
	if (c)
		return c;
	return a->len < b->len ? -1 : a->len > b->len;
}

static void keys_free(ipam__dns_zone *z)
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

/* ---- the zone ------------------------------------------------------------------- */

/* "zone example.com." (or the file name) for messages. */
static const char *zone_where(const ipam__dns_zone *z, char *buf, size_t size)
{
	if (z->file) {
		snprintf(buf, size, "%s", z->file);
		return buf;
	}
	ipam_buf b = IPAM_BUF_INIT;
	if (ipam__dns_name_put(&b, z->origin) == 0)
		snprintf(buf, size, "zone %s", b.ptr);
	else
		snprintf(buf, size, "zone");
	ipam_buf_dispose(&b);
	return buf;
}

static int name_from_text(ldns_rdf **out, const char *text, const ldns_rdf *origin, const char *what)
{
	*out = NULL;
	if (!text || !*text)
		return ipam__error(IPAM_EINVAL, "%s: empty name", what);
	if (strcmp(text, "@") == 0 && origin) {
		*out = ldns_rdf_clone(origin);
		return *out ? 0 : ipam__enomem();
	}
	ldns_rdf *d = NULL;
	ldns_status st = ldns_str2rdf_dname(&d, text);
	if (st != LDNS_STATUS_OK || !d)
		return ipam__error(IPAM_EINVAL, "%s: bad name \"%s\": %s", what, text, ldns_get_errorstr_by_id(st));
	size_t tl = strlen(text);
	bool absolute = tl && text[tl - 1] == '.' && (tl < 2 || text[tl - 2] != '\\');
	if (!absolute) {
		if (!origin) {
			ldns_rdf_deep_free(d);
			return ipam__error(IPAM_EINVAL, "%s: name \"%s\" is relative and there is no origin", what, text);
		}
		if (ldns_dname_cat(d, origin) != LDNS_STATUS_OK) {
			ldns_rdf_deep_free(d);
			return ipam__error(IPAM_EINVAL, "%s: name \"%s\" is too long below the origin", what, text);
		}
	}
	*out = d;
	return 0;
}

int ipam__dns_zone_new(ipam__dns_zone **out, const char *origin)
{
	*out = NULL;
	if (!origin || !*origin)
		return ipam__error(IPAM_EINVAL, "zone origin: empty");
	ipam__dns_zone *z = calloc(1, sizeof *z);
	if (!z)
		return ipam__enomem();
	ldns_status st = ldns_str2rdf_dname(&z->origin, origin);
	if (st != LDNS_STATUS_OK || !z->origin) {
		ipam__dns_zone_free(z);
		return ipam__error(IPAM_EINVAL, "zone origin \"%s\": %s", origin, ldns_get_errorstr_by_id(st));
	}
	if (!ldns_dname_absolute(z->origin)) {
		ldns_rdf *root = ldns_dname_new_frm_str(".");
		if (!root || ldns_dname_cat(z->origin, root) != LDNS_STATUS_OK) {
			ldns_rdf_deep_free(root);
			ipam__dns_zone_free(z);
			return ipam__error(IPAM_EINVAL, "zone origin \"%s\": too long", origin);
		}
		ldns_rdf_deep_free(root);
	}
	if (ldns_dname_label_count(z->origin) == 0) {
		ipam__dns_zone_free(z);
		return ipam__error(IPAM_EINVAL, "zone origin: the root zone is not managed here");
	}
	ldns_dname2canonical(z->origin);
	z->serial = 1;
	z->refresh = 3600;
	z->retry = 900;
	z->expire = 1209600;
	z->minimum = 300;
	z->ttl = 3600;
	*out = z;
	return 0;
}

void ipam__dns_zone_free(ipam__dns_zone *z)
{
	if (!z)
		return;
	for (size_t i = 0; i < z->n; i++)
		ldns_rr_free(z->rr[i]);
	free(z->rr);
	free(z->line);
	keys_free(z);
	ldns_rdf_deep_free(z->origin);
	ldns_rdf_deep_free(z->mname);
	ldns_rdf_deep_free(z->rname);
	free(z->file);
	free(z);
}

static int grow(ipam__dns_zone *z, size_t need)
{
	if (need <= z->cap)
		return 0;
	size_t cap = z->cap ? z->cap : 64;
	while (cap < need)
		cap *= 2;
	ldns_rr **rr = realloc(z->rr, cap * sizeof *rr);
	if (!rr)
		return ipam__enomem();
	z->rr = rr;
	uint32_t *line = realloc(z->line, cap * sizeof *line);
	if (!line)
		return ipam__enomem();
	z->line = line;
	z->cap = cap;
	return 0;
}

int ipam__dns_zone_clone(ipam__dns_zone **out, const ipam__dns_zone *z)
{
	*out = NULL;
	ipam__dns_zone *c = calloc(1, sizeof *c);
	if (!c)
		return ipam__enomem();
	c->origin = ldns_rdf_clone(z->origin);
	c->mname = z->mname ? ldns_rdf_clone(z->mname) : NULL;
	c->rname = z->rname ? ldns_rdf_clone(z->rname) : NULL;
	c->serial = z->serial;
	c->refresh = z->refresh;
	c->retry = z->retry;
	c->expire = z->expire;
	c->minimum = z->minimum;
	c->ttl = z->ttl;
	if (!c->origin || (z->mname && !c->mname) || (z->rname && !c->rname) || (z->file && !(c->file = ipam__strdup(z->file))) ||
	    grow(c, z->n)) {
		ipam__dns_zone_free(c);
		return ipam__enomem();
	}
	for (size_t i = 0; i < z->n; i++) {
		c->rr[i] = ldns_rr_clone(z->rr[i]);
		if (!c->rr[i]) {
			ipam__dns_zone_free(c);
			return ipam__enomem();
		}
		c->line[i] = z->line[i];
		c->n++;
	}
	if (z->sorted && ipam__dns_zone_sort(c)) {
		ipam__dns_zone_free(c);
		return IPAM_ENOMEM;
	}
	*out = c;
	return 0;
}

int ipam__dns_zone_set_soa(ipam__dns_zone *z, const char *mname, const char *rname, uint32_t serial,
			   uint32_t refresh, uint32_t retry, uint32_t expire, uint32_t minimum)
{
	ldns_rdf *m = NULL, *r = NULL;
	int rc = name_from_text(&m, mname, z->origin, "SOA mname");
	if (!rc)
		rc = name_from_text(&r, rname, z->origin, "SOA rname");
	if (rc) {
		ldns_rdf_deep_free(m);
		return rc;
	}
	ldns_rdf_deep_free(z->mname);
	ldns_rdf_deep_free(z->rname);
	z->mname = m;
	z->rname = r;
	z->serial = serial;
	z->refresh = refresh;
	z->retry = retry;
	z->expire = expire;
	z->minimum = minimum;
	return 0;
}

int ipam__dns_zone_add_rr(ipam__dns_zone *z, ldns_rr *rr, uint32_t line, const char *where)
{
	int rc = ipam__dns_rr_check(z, rr, where);
	if (rc) {
		ldns_rr_free(rr);
		return rc;
	}
	return ipam__dns_zone_add_raw(z, rr, line);
}

int ipam__dns_zone_add_raw(ipam__dns_zone *z, ldns_rr *rr, uint32_t line)
{
	/* the one rule that holds even for a server's records: rendering and
	 * the sort keys count on every owner being inside the zone */
	const ldns_rdf *owner = ldns_rr_owner(rr);
	if (!owner || ldns_rdf_get_type(owner) != LDNS_RDF_TYPE_DNAME ||
	    (ldns_dname_compare(owner, z->origin) != 0 && !ldns_dname_is_subdomain(owner, z->origin))) {
		char wbuf[300], lab[1100];
		snprintf(lab, sizeof lab, "%s", ipam__dns_rr_label(rr));
		ldns_rr_free(rr);
		return ipam__error(IPAM_EINVAL, "%s: %s: the name is outside the zone", zone_where(z, wbuf, sizeof wbuf), lab);
	}
	int rc = grow(z, z->n + 1);
	if (rc) {
		ldns_rr_free(rr);
		return rc;
	}
	if (z->keys)
		keys_free(z);
	z->sorted = false;
	z->rr[z->n] = rr;
	z->line[z->n] = line;
	z->n++;
	return 0;
}

int ipam__dns_zone_add(ipam__dns_zone *z, const char *rr_text, const char *where)
{
	char wbuf[300];
	if (!where)
		where = zone_where(z, wbuf, sizeof wbuf);
	if (!rr_text)
		return ipam__error(IPAM_EINVAL, "%s: no record", where);
	ldns_rr *rr = NULL;
	ldns_rdf *prev = NULL;
	ldns_status st = ldns_rr_new_frm_str(&rr, rr_text, z->ttl, z->origin, &prev);
	ldns_rdf_deep_free(prev);
	if (st != LDNS_STATUS_OK || !rr) {
		ldns_rr_free(rr);
		return ipam__error(IPAM_EINVAL, "%s: \"%s\": %s", where, rr_text, ldns_get_errorstr_by_id(st));
	}
	return ipam__dns_zone_add_rr(z, rr, 0, where);
}

int ipam__dns_zone_add_ns(ipam__dns_zone *z, const char *host)
{
	ldns_rdf *target = NULL;
	int rc = name_from_text(&target, host, z->origin, "NS");
	if (rc)
		return rc;
	ldns_rr *rr = ldns_rr_new_frm_type(LDNS_RR_TYPE_NS);
	ldns_rdf *owner = ldns_rdf_clone(z->origin);
	if (!rr || !owner) {
		ldns_rr_free(rr);
		ldns_rdf_deep_free(owner);
		ldns_rdf_deep_free(target);
		return ipam__enomem();
	}
	ldns_rr_set_owner(rr, owner);
	ldns_rr_set_ttl(rr, z->ttl);
	ldns_rr_set_class(rr, LDNS_RR_CLASS_IN);
	ldns_rr_set_rdf(rr, target, 0);
	return ipam__dns_zone_add_rr(z, rr, 0, NULL);
}

size_t ipam__dns_zone_remove(ipam__dns_zone *z, const ldns_rdf *owner, ldns_rr_type type)
{
	size_t k = 0, gone = 0;
	for (size_t i = 0; i < z->n; i++) {
		ldns_rr *rr = z->rr[i];
		if (ldns_dname_compare(ldns_rr_owner(rr), owner) == 0 && (type == 0 || ldns_rr_get_type(rr) == type)) {
			ldns_rr_free(rr);
			gone++;
			continue;
		}
		z->rr[k] = rr;
		z->line[k] = z->line[i];
		k++;
	}
	z->n = k;
	if (gone && z->keys) {
		/* order is kept; the keys are not */
		bool was = z->sorted;
		keys_free(z);
		if (was)
			ipam__dns_zone_sort(z);
	}
	return gone;
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
	keys_free(z);
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
		if (i && key_cmp(&ks->k[i - 1], &ks->k[i]) >= 0)
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
			if (m && key_cmp(&nk[m - 1], &ks->k[j]) == 0) {
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

/* ---- rules -------------------------------------------------------------------------- */

static const char *where_of(const ipam__dns_zone *z, size_t i, char *buf, size_t size)
{
	if (z->file && z->line && z->line[i])
		snprintf(buf, size, "%s:%u", z->file, z->line[i]);
	else
		zone_where(z, buf, size);
	return buf;
}

static bool ldh(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
}

/* Each label of `name`: what may be in it. Returns the 1-based index of the
 * first bad label, 0 when all are good. host: RFC 1123 host name (LDH, no
 * '-' at either end), with a leading "*" label when `wild`. */
static size_t bad_label(const ldns_rdf *name, bool host, bool wild)
{
	const uint8_t *d = ldns_rdf_data(name);
	size_t size = ldns_rdf_size(name), li = 0;
	for (size_t i = 0; i < size && d[i]; i += (size_t)d[i] + 1, li++) {
		size_t len = d[i];
		const uint8_t *l = d + i + 1;
		if (i + 1 + len > size)
			return li + 1;
		if (li == 0 && len == 1 && l[0] == '*' && (wild || !host))
			continue;
		for (size_t j = 0; j < len; j++) {
			if (ldh(l[j]))
				continue;
			if (!host && (l[j] == '_' || l[j] == '/'))
				continue;
			return li + 1;
		}
		if (host && (l[0] == '-' || l[len - 1] == '-'))
			return li + 1;
	}
	return 0;
}

/* The messages below name the record; they are made only on failure
 * (checking a million records must not print a million labels). */
#define WH (where ? where : zone_where(z, wbuf, sizeof wbuf))
#define RRL ipam__dns_rr_label(rr)

static int label_error(const ipam__dns_zone *z, const char *where, const ldns_rr *rr, const char *what,
		       const ldns_rdf *name, size_t li, bool host)
{
	char wbuf[300];
	ldns_rdf *lab = ldns_dname_label(name, (uint8_t)(li - 1));
	ipam_buf b = IPAM_BUF_INIT;
	if (lab)
		ipam__dns_name_put(&b, lab);
	ldns_rdf_deep_free(lab);
	int rc = ipam__error(IPAM_EINVAL, "%s: %s: %s label \"%.*s\" %s", WH, RRL, what,
			     b.size ? (int)b.size - 1 : 0, b.ptr ? b.ptr : "",
			     host ? "is not a host name label (letters, digits, inner '-')"
				  : "holds a character outside letters, digits, '-', '_', '/'");
	ipam_buf_dispose(&b);
	return rc;
}

static bool is_root(const ldns_rdf *n)
{
	return ldns_rdf_size(n) == 1 && ldns_rdf_data(n)[0] == 0;
}

static int check_target(const ipam__dns_zone *z, const char *where, const ldns_rr *rr, const ldns_rdf *f, bool host,
			bool root_ok)
{
	char wbuf[300];
	if (!f || ldns_rdf_get_type(f) != LDNS_RDF_TYPE_DNAME)
		return ipam__error(IPAM_EINVAL, "%s: %s: the target is not a name", WH, RRL);
	if (root_ok && is_root(f))
		return 0;
	size_t li = bad_label(f, host, false);
	if (li)
		return label_error(z, where, rr, "target", f, li, host);
	return 0;
}

int ipam__dns_rr_check(const ipam__dns_zone *z, const ldns_rr *rr, const char *where)
{
	char wbuf[300];
	const ldns_rdf *owner = ldns_rr_owner(rr);
	ldns_rr_type t = ldns_rr_get_type(rr);
	size_t n = ldns_rr_rd_count(rr);

	if (!owner || ldns_rdf_get_type(owner) != LDNS_RDF_TYPE_DNAME)
		return ipam__error(IPAM_EINVAL, "%s: a record without an owner name", WH);
	if (ldns_rr_get_class(rr) != LDNS_RR_CLASS_IN)
		return ipam__error(IPAM_EINVAL, "%s: %s: class %u, only IN is managed", WH, RRL,
				   (unsigned)ldns_rr_get_class(rr));
	if (ldns_rr_ttl(rr) > INT32_MAX)
		return ipam__error(IPAM_EINVAL, "%s: %s: TTL %u is above 2147483647", WH, RRL, ldns_rr_ttl(rr));
	if (ldns_dname_compare(owner, z->origin) != 0 && !ldns_dname_is_subdomain(owner, z->origin)) {
		ipam_buf o = IPAM_BUF_INIT;
		ipam__dns_name_put(&o, z->origin);
		int rc = ipam__error(IPAM_EINVAL, "%s: %s: the name is outside the zone %s", WH, RRL,
				     o.ptr ? o.ptr : "");
		ipam_buf_dispose(&o);
		return rc;
	}
	bool addr = t == LDNS_RR_TYPE_A || t == LDNS_RR_TYPE_AAAA;
	/* the labels of the owner below the origin (the origin's own are the
	 * zone's business) */
	size_t below = ldns_dname_label_count(owner) - ldns_dname_label_count(z->origin);
	size_t li = bad_label(owner, addr, true);
	if (li && li <= below)
		return label_error(z, where, rr, "owner", owner, li, addr);

	switch (t) {
	case LDNS_RR_TYPE_SOA:
		return ipam__error(IPAM_EINVAL, "%s: %s: the SOA is set as the zone's fields, not as a record", WH, RRL);
	case LDNS_RR_TYPE_A:
	case LDNS_RR_TYPE_AAAA: {
		size_t want = t == LDNS_RR_TYPE_A ? 4 : 16;
		const ldns_rdf *f = n == 1 ? ldns_rr_rdf(rr, 0) : NULL;
		if (!f || ldns_rdf_size(f) != want)
			return ipam__error(IPAM_EINVAL, "%s: %s: the rdata is not one %s address", WH, RRL,
					   t == LDNS_RR_TYPE_A ? "IPv4" : "IPv6");
		return 0;
	}
	case LDNS_RR_TYPE_NS:
	case LDNS_RR_TYPE_PTR:
		if (n != 1)
			return ipam__error(IPAM_EINVAL, "%s: %s: the rdata is not one host name", WH, RRL);
		return check_target(z, where, rr, ldns_rr_rdf(rr, 0), true, false);
	case LDNS_RR_TYPE_CNAME:
		if (n != 1)
			return ipam__error(IPAM_EINVAL, "%s: %s: the rdata is not one name", WH, RRL);
		if (ldns_dname_compare(owner, z->origin) == 0)
			return ipam__error(IPAM_EINVAL, "%s: %s: a CNAME at the zone apex (beside the SOA and NS)",
					   WH, RRL);
		/* RPZ uses "." and "*." and rpz-* targets: any name is allowed */
		return check_target(z, where, rr, ldns_rr_rdf(rr, 0), false, true);
	case LDNS_RR_TYPE_MX:
		if (n != 2 || ldns_rdf_size(ldns_rr_rdf(rr, 0)) != 2)
			return ipam__error(IPAM_EINVAL, "%s: %s: the rdata is not \"PREFERENCE HOST\"", WH, RRL);
		return check_target(z, where, rr, ldns_rr_rdf(rr, 1), true, true);
	case LDNS_RR_TYPE_TXT:
		if (n == 0)
			return ipam__error(IPAM_EINVAL, "%s: %s: no text", WH, RRL);
		for (size_t i = 0; i < n; i++)
			if (ldns_rdf_get_type(ldns_rr_rdf(rr, i)) != LDNS_RDF_TYPE_STR)
				return ipam__error(IPAM_EINVAL, "%s: %s: part %zu is not a character string", WH, RRL, i + 1);
		return 0;
	case LDNS_RR_TYPE_SRV: {
		if (n != 4)
			return ipam__error(IPAM_EINVAL, "%s: %s: the rdata is not \"PRIORITY WEIGHT PORT TARGET\"", WH, RRL);
		const uint8_t *d = ldns_rdf_data(owner);
		size_t s = ldns_rdf_size(owner);
		bool ok = s > 2 && d[0] > 1 && d[1] == '_';
		if (ok) {
			size_t second = (size_t)d[0] + 1;
			ok = second + 2 < s && d[second] > 1 && d[second + 1] == '_';
		}
		if (!ok)
			return ipam__error(IPAM_EINVAL, "%s: %s: an SRV owner is _service._proto.name", WH, RRL);
		return check_target(z, where, rr, ldns_rr_rdf(rr, 3), true, true);
	}
	case LDNS_RR_TYPE_CAA: {
		if (n != 3)
			return ipam__error(IPAM_EINVAL, "%s: %s: the rdata is not \"FLAGS TAG VALUE\"", WH, RRL);
		const ldns_rdf *fl = ldns_rr_rdf(rr, 0), *tag = ldns_rr_rdf(rr, 1);
		if (ldns_rdf_size(fl) != 1 || (ldns_rdf_data(fl)[0] & 0x7f) != 0)
			return ipam__error(IPAM_EINVAL, "%s: %s: flags must be 0 or 128", WH, RRL);
		const uint8_t *td = ldns_rdf_data(tag);
		size_t ts = ldns_rdf_size(tag);
		if (ts < 2 || td[0] != ts - 1 || td[0] > 15)
			return ipam__error(IPAM_EINVAL, "%s: %s: the tag must have 1 to 15 characters", WH, RRL);
		for (size_t i = 1; i < ts; i++)
			if (!((td[i] >= 'a' && td[i] <= 'z') || (td[i] >= 'A' && td[i] <= 'Z') || (td[i] >= '0' && td[i] <= '9')))
				return ipam__error(IPAM_EINVAL, "%s: %s: the tag holds a character other than letters and digits",
						   WH, RRL);
		return 0;
	}
	default: {
		if (n == 0 && t != LDNS_RR_TYPE_NULL)
			return ipam__error(IPAM_EINVAL, "%s: %s: empty rdata", WH, RRL);
		/* other types are written by ldns's printer: take only what it
		 * writes back to the same record (the fuzzer found rdata given
		 * as \# that is shorter than the type's fields, e.g. a CDNSKEY
		 * of 3 bytes, which ldns prints as "258 3" and cannot read) */
		const ldns_rr_descriptor *d = ldns_rr_descript((uint16_t)t);
		bool ok = !d || !d->_name || n >= ldns_rr_descriptor_minimum(d);
		if (ok) {
			char *text = ldns_rr2str(rr);
			ldns_rr *back = NULL;
			ok = text && ldns_rr_new_frm_str(&back, text, 0, NULL, NULL) == LDNS_STATUS_OK && back &&
			     ldns_rr_compare(rr, back) == 0;
			ldns_rr_free(back);
			free(text);
		}
		if (!ok)
			return ipam__error(IPAM_EINVAL, "%s: %s: the rdata is incomplete for its type", WH, RRL);
		return 0;
	}
	}
}

#undef WH
#undef RRL

int ipam__dns_zone_check(ipam__dns_zone *z)
{
	char where[300];
	ipam_buf o = IPAM_BUF_INIT;
	int rc = ipam__dns_zone_sort(z);
	if (rc)
		return rc;
	if (!z->mname || !z->rname) {
		ipam__dns_name_put(&o, z->origin);
		rc = ipam__error(IPAM_EINVAL, "%s: zone %s has no SOA mname/rname", z->file ? z->file : "zone",
				 o.ptr ? o.ptr : "");
		ipam_buf_dispose(&o);
		return rc;
	}
	const zkeys *ks = z->keys;
	bool apex_ns = false;
	for (size_t i = 0; i < z->n;) {
		/* one owner name: [i, j) */
		size_t j = i + 1;
		while (j < z->n && ks->k[j].namelen == ks->k[i].namelen &&
		       memcmp(ks->k[j].p, ks->k[i].p, ks->k[i].namelen) == 0)
			j++;
		size_t cname = SIZE_MAX, other = SIZE_MAX;
		for (size_t k = i; k < j; k++) {
			ldns_rr_type t = ldns_rr_get_type(z->rr[k]);
			if (t == LDNS_RR_TYPE_CNAME) {
				if (cname != SIZE_MAX)
					return ipam__error(IPAM_EINVAL, "%s: %s: a second CNAME at the same name", where_of(z, k, where, sizeof where),
							   ipam__dns_rr_label(z->rr[k]));
				cname = k;
			} else if (t != LDNS_RR_TYPE_RRSIG && t != LDNS_RR_TYPE_NSEC && t != LDNS_RR_TYPE_NSEC3) {
				if (other == SIZE_MAX)
					other = k;
			}
			if (t == LDNS_RR_TYPE_NS && ldns_dname_compare(ldns_rr_owner(z->rr[k]), z->origin) == 0)
				apex_ns = true;
			/* one TTL per RRset */
			if (k > i && ldns_rr_get_type(z->rr[k - 1]) == t && ldns_rr_ttl(z->rr[k - 1]) != ldns_rr_ttl(z->rr[k])) {
				char lab[300];
				snprintf(lab, sizeof lab, "%s", ipam__dns_rr_label(z->rr[k]));
				return ipam__error(IPAM_EINVAL, "%s: %s: TTL %u differs from %u of the same RRset", where_of(z, k, where, sizeof where),
						   lab, ldns_rr_ttl(z->rr[k]), ldns_rr_ttl(z->rr[k - 1]));
			}
		}
		if (cname != SIZE_MAX && other != SIZE_MAX) {
			char other_where[300], lab[300];
			size_t late = z->line[cname] >= z->line[other] ? cname : other;
			size_t early = late == cname ? other : cname;
			snprintf(lab, sizeof lab, "%s", ipam__dns_rr_label(z->rr[late]));
			if (z->line[early])
				snprintf(other_where, sizeof other_where, " at line %u", z->line[early]);
			else
				other_where[0] = '\0';
			return ipam__error(IPAM_EINVAL, "%s: %s: CNAME beside other data (%s%s)", where_of(z, late, where, sizeof where), lab,
					   ipam__dns_type_name(ldns_rr_get_type(z->rr[early]), (char[16]){ 0 }), other_where);
		}
		i = j;
	}
	if (!apex_ns) {
		ipam__dns_name_put(&o, z->origin);
		rc = ipam__error(IPAM_EINVAL, "%s: zone %s has no NS record at its apex", z->file ? z->file : "zone",
				 o.ptr ? o.ptr : "");
		ipam_buf_dispose(&o);
		return rc;
	}
	return 0;
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
	return key_cmp(x, y) == 0 && ldns_rr_ttl(a->rr[i]) == ldns_rr_ttl(b->rr[j]);
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
