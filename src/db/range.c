/* Ranges: DHCP pools, reserved and excluded spans. The list per space is
 * kept sorted for listing and duplicate checks; the trie holds the blocks
 * so that allocation and utilization see them. */
#include "db/db.h"

#include <stddef.h>
#include <stdlib.h>

static const char *const purpose_names[] = { "dhcp", "reserved", "excluded" };

const char *ipam_range_purpose_name(int purpose)
{
	if (purpose < 0 || purpose > IPAM_RANGE_EXCLUDED)
		return NULL;
	return purpose_names[purpose];
}

int ipam_range_purpose_parse(ipam_range_purpose *out, const char *name)
{
	for (int i = 0; name && i <= IPAM_RANGE_EXCLUDED; i++) {
		if (strcmp(name, purpose_names[i]) == 0) {
			*out = (ipam_range_purpose)i;
			return 0;
		}
	}
	return ipam__error(IPAM_EINVAL, "range purpose \"%.40s\": expected dhcp, reserved or excluded", name ? name : "");
}

int ipam_range_options_init(ipam_range_options *opts, unsigned int version)
{
	if (!opts)
		return ipam__error(IPAM_EINVAL, "range options: NULL");
	int rc = ipam__check_version(version, IPAM_RANGE_OPTIONS_VERSION, "ipam_range_options");
	if (rc)
		return rc;
	ipam_range_options d = IPAM_RANGE_OPTIONS_INIT;
	*opts = d;
	return 0;
}

static int range_cmp(int fa, ipam__u128 a1, ipam__u128 a2, const ipam__range_rec *b)
{
	if (fa != b->family)
		return fa < b->family ? -1 : 1;
	if (a1 != b->first)
		return a1 < b->first ? -1 : 1;
	if (a2 != b->last)
		return a2 < b->last ? -1 : 1;
	return 0;
}

static size_t range_pos(const ipam__space *s, int fam, ipam__u128 first, ipam__u128 last, int *found)
{
	size_t lo = 0, hi = s->nrange;
	*found = 0;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = range_cmp(fam, first, last, &s->ranges[mid]);
		if (c == 0) {
			*found = 1;
			return mid;
		}
		if (c > 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int check_bounds(const ipam_addr *first, const ipam_addr *last, const char *what)
{
	int rc = ipam__check_addr(first, what);
	if (rc || (rc = ipam__check_addr(last, what)))
		return rc;
	if (first->family != last->family)
		return ipam__error(IPAM_EINVAL, "%s %s-%s: the two ends are of different families", what,
		                   ipam__addr_txt(first).s, ipam__addr_txt(last).s);
	if (ipam_addr_cmp(first, last) > 0)
		return ipam__error(IPAM_EINVAL, "%s %s-%s: the first address is after the last", what,
		                   ipam__addr_txt(first).s, ipam__addr_txt(last).s);
	return 0;
}

/* Insert a range record into the space (taking its strings), or replace
 * the fields of the one with the same bounds. */
int ipam__range_put(ipam_db *db, ipam__space *s, ipam__range_rec *r)
{
	(void)db;
	int found, fam = r->family;
	size_t pos = range_pos(s, fam, r->first, r->last, &found);
	if (found) {
		free(s->ranges[pos].description);
		free(s->ranges[pos].attrs);
		s->ranges[pos] = *r;
		memset(r, 0, sizeof *r);
		return 0;
	}
	if (s->nrange == s->crange) {
		size_t c = s->crange ? s->crange * 2 : 16;
		ipam__range_rec *p = realloc(s->ranges, c * sizeof *p);
		if (!p)
			return ipam__enomem();
		s->ranges = p;
		s->crange = c;
	}
	int rc = ipam__trie_range_add(ipam__space_trie(s, fam), r->first, r->last);
	if (rc)
		return rc;
	memmove(s->ranges + pos + 1, s->ranges + pos, (s->nrange - pos) * sizeof *s->ranges);
	s->ranges[pos] = *r;
	memset(r, 0, sizeof *r);
	s->nrange++;
	return 0;
}

int ipam__range_del(ipam_db *db, ipam__space *s, int fam, ipam__u128 f, ipam__u128 l)
{
	(void)db;
	int found;
	size_t pos = range_pos(s, fam, f, l, &found);
	if (!found)
		return IPAM_ENOTFOUND;
	ipam__trie_range_del(ipam__space_trie(s, fam), f, l);
	free(s->ranges[pos].description);
	free(s->ranges[pos].attrs);
	memmove(s->ranges + pos, s->ranges + pos + 1, (s->nrange - pos - 1) * sizeof *s->ranges);
	s->nrange--;
	return 0;
}

static int range_add_once(ipam_db *db, const ipam_addr *first, const ipam_addr *last, const ipam_range_options *opts)
{
	ipam_range_options d = IPAM_RANGE_OPTIONS_INIT;
	if (!db)
		return ipam__error(IPAM_EINVAL, "range add: no database");
	int rc = check_bounds(first, last, "range add");
	if (rc)
		return rc;
	if (!opts)
		opts = &d;
	else if ((rc = ipam__check_version(opts->version, IPAM_RANGE_OPTIONS_VERSION, "ipam_range_options")))
		return rc;
	if (!ipam_range_purpose_name(opts->purpose))
		return ipam__error(IPAM_EINVAL, "range add: unknown purpose %d", (int)opts->purpose);
	ipam__range_rec rec;
	memset(&rec, 0, sizeof rec);
	if ((rc = ipam__norm_attrs(&rec.attrs, opts->attrs_json, "range attributes")))
		return rc;
	if (opts->description && !(rec.description = ipam__strdup(opts->description))) {
		free(rec.attrs);
		return IPAM_ENOMEM;
	}
	int fam = first->family;
	rec.family = (uint8_t)fam;
	rec.purpose = (uint8_t)opts->purpose;
	rec.first = ipam__addr_key(first);
	rec.last = ipam__addr_key(last);
	ipam__scope sc;
	if ((rc = ipam__enter(db, 1, &sc))) {
		free(rec.attrs);
		free(rec.description);
		return rc;
	}
	ipam__space *s = ipam__space_find(db, opts->space);
	int found = 0;
	if (s)
		range_pos(s, fam, rec.first, rec.last, &found);
	if (!s) {
		rc = IPAM_ENOTFOUND;
	} else if (found) {
		rc = ipam__error(IPAM_EEXISTS, "range %s-%s already exists in space \"%s\"", ipam__addr_txt(first).s,
		                 ipam__addr_txt(last).s, s->name);
	} else if ((rc = ipam__range_put(db, s, &rec)) == 0) {
		ipam_store_row row;
		ipam__row_range(&row, s, &s->ranges[range_pos(s, fam, ipam__addr_key(first), ipam__addr_key(last), &found)]);
		rc = ipam__log(db, "range.add", IPAM_STORE_PUT, &row, NULL);
	}
	rc = ipam__leave(db, &sc, rc);
	free(rec.attrs);
	free(rec.description);
	return rc;
}

int ipam_range_add(ipam_db *db, const ipam_addr *first, const ipam_addr *last, const ipam_range_options *opts)
{
	/* lost a race with another writer: again, as ipam_db_run would */
	IPAM__SINGLE(db, range_add_once(db, first, last, opts));
}

static int range_rm_once(ipam_db *db, const char *space, const ipam_addr *first, const ipam_addr *last)
{
	if (!db)
		return ipam__error(IPAM_EINVAL, "range rm: no database");
	int rc = check_bounds(first, last, "range rm");
	if (rc)
		return rc;
	int fam = first->family, found;
	ipam__u128 f = ipam__addr_key(first), l = ipam__addr_key(last);
	ipam__scope sc;
	if ((rc = ipam__enter(db, 1, &sc)))
		return rc;
	ipam__space *s = ipam__space_find(db, space);
	size_t pos = s ? range_pos(s, fam, f, l, &found) : 0;
	if (!s) {
		rc = IPAM_ENOTFOUND;
	} else if (!found) {
		rc = ipam__error(IPAM_ENOTFOUND, "range %s-%s not found in space \"%s\"", ipam__addr_txt(first).s,
		                 ipam__addr_txt(last).s, s->name);
	} else {
		ipam_store_row row;
		ipam__row_range(&row, s, &s->ranges[pos]);
		rc = ipam__log(db, "range.rm", IPAM_STORE_DEL, &row, NULL);
		if (!rc)
			ipam__range_del(db, s, fam, f, l);
	}
	return ipam__leave(db, &sc, rc);
}

int ipam_range_rm(ipam_db *db, const char *space, const ipam_addr *first, const ipam_addr *last)
{
	/* lost a race with another writer: again, as ipam_db_run would */
	IPAM__SINGLE(db, range_rm_once(db, space, first, last));
}

void ipam_range_info_dispose(ipam_range_info *info)
{
	if (!info)
		return;
	free(info->space);
	free(info->description);
	free(info->attrs_json);
	info->space = info->description = info->attrs_json = NULL;
}

/* Copy a range record into an info struct (whose strings are NULL). */
static int range_fill(ipam_range_info *out, const ipam__space *s, const ipam__range_rec *r)
{
	ipam__key_addr(&out->first, r->family, r->first);
	ipam__key_addr(&out->last, r->family, r->last);
	out->purpose = (ipam_range_purpose)r->purpose;
	out->space = ipam__strdup(s->name);
	out->description = r->description ? ipam__strdup(r->description) : NULL;
	out->attrs_json = ipam__strdup(r->attrs ? r->attrs : "{}");
	if (!out->space || !out->attrs_json || (r->description && !out->description)) {
		ipam_range_info_dispose(out);
		return ipam__enomem();
	}
	return 0;
}

/* The innermost range of s holding (fam, key): the smallest, and of equal
 * sizes the one that starts last; -1 when none holds it. The list is
 * sorted by first, so only the ranges starting at or before key count. */
static ptrdiff_t range_holding(const ipam__space *s, int fam, ipam__u128 key)
{
	int found;
	size_t end = range_pos(s, fam, key, ~(ipam__u128)0, &found) + found;
	ptrdiff_t best = -1;
	for (size_t i = end; i-- > 0 && s->ranges[i].family == fam;) {
		const ipam__range_rec *r = &s->ranges[i];
		if (r->last < key)
			continue;
		if (best < 0 || r->last - r->first < s->ranges[best].last - s->ranges[best].first)
			best = (ptrdiff_t)i;
	}
	return best;
}

int ipam_range_get(ipam_range_info *out, ipam_db *db, const char *space, const ipam_addr *first, const ipam_addr *last)
{
	if (!out)
		return ipam__error(IPAM_EINVAL, "range get: no output");
	int rc = ipam__check_version(out->version, IPAM_RANGE_INFO_VERSION, "ipam_range_info");
	if (rc)
		return rc;
	ipam_range_info_dispose(out); /* as the iterator does: one struct serves many calls */
	if (!db)
		return ipam__error(IPAM_EINVAL, "range get: no database");
	if ((rc = last ? check_bounds(first, last, "range get") : ipam__check_addr(first, "range get")))
		return rc;
	int fam = first->family, found = 0;
	ipam__u128 f = ipam__addr_key(first);
	ipam__scope sc;
	if ((rc = ipam__enter(db, 0, &sc)))
		return rc;
	ipam__space *s = ipam__space_find(db, space);
	ptrdiff_t pos = -1;
	if (s && last) {
		size_t p = range_pos(s, fam, f, ipam__addr_key(last), &found);
		pos = found ? (ptrdiff_t)p : -1;
	} else if (s) {
		pos = range_holding(s, fam, f);
	}
	if (!s)
		rc = IPAM_ENOTFOUND;
	else if (pos < 0 && last)
		rc = ipam__error(IPAM_ENOTFOUND, "range %s-%s not found in space \"%s\"", ipam__addr_txt(first).s,
		                 ipam__addr_txt(last).s, s->name);
	else if (pos < 0)
		rc = ipam__error(IPAM_ENOTFOUND, "no range holds %s in space \"%s\"", ipam__addr_txt(first).s, s->name);
	else
		rc = range_fill(out, s, &s->ranges[pos]);
	return ipam__leave(db, &sc, rc);
}

typedef struct {
	ipam__u128 first, last;
	uint8_t family;
} range_key;

struct ipam_range_iter {
	ipam_db *db;
	char *space;
	range_key *keys;
	size_t n, i;
};

int ipam_range_iter_new(ipam_range_iter **out, ipam_db *db, const ipam_range_query *q)
{
	ipam_range_query d = IPAM_RANGE_QUERY_INIT;
	if (!out || !db)
		return ipam__error(IPAM_EINVAL, "range iterator: no database or output");
	*out = NULL;
	int rc;
	if (!q)
		q = &d;
	else if ((rc = ipam__check_version(q->version, IPAM_RANGE_QUERY_VERSION, "ipam_range_query")))
		return rc;
	if (q->within && (rc = ipam__check_prefix(q->within, "range query")))
		return rc;
	ipam_range_iter *it = calloc(1, sizeof *it);
	if (!it)
		return ipam__enomem();
	it->db = db;
	ipam__scope sc;
	if ((rc = ipam__enter(db, 0, &sc))) {
		ipam_range_iter_free(it);
		return rc;
	}
	ipam__space *s = ipam__space_find(db, q->space);
	rc = 0;
	if (!s)
		rc = IPAM_ENOTFOUND;
	else if (!(it->space = ipam__strdup(s->name)) || !(it->keys = calloc(s->nrange ? s->nrange : 1, sizeof *it->keys)))
		rc = ipam__enomem();
	for (size_t i = 0; !rc && i < s->nrange; i++) {
		const ipam__range_rec *r = &s->ranges[i];
		if (q->within) {
			ipam__u128 lo = ipam__addr_key(&q->within->addr);
			ipam__u128 hi = lo | ~ipam__mask(q->within->len);
			if (r->family != q->within->addr.family || r->last < lo || r->first > hi)
				continue;
		}
		it->keys[it->n].first = r->first;
		it->keys[it->n].last = r->last;
		it->keys[it->n].family = r->family;
		it->n++;
	}
	rc = ipam__leave(db, &sc, rc);
	if (rc) {
		ipam_range_iter_free(it);
		return rc;
	}
	*out = it;
	return 0;
}

int ipam_range_iter_next(ipam_range_info *out, ipam_range_iter *it)
{
	if (!out || !it)
		return ipam__error(IPAM_EINVAL, "range iterator: no iterator or output");
	int rc = ipam__check_version(out->version, IPAM_RANGE_INFO_VERSION, "ipam_range_info");
	if (rc)
		return rc;
	ipam_range_info_dispose(out);
	ipam__db_lock(it->db);
	rc = IPAM_ITEROVER;
	ipam__space *s = ipam__space_find(it->db, it->space);
	while (s && it->i < it->n) {
		const range_key *k = &it->keys[it->i++];
		int found;
		size_t pos = range_pos(s, k->family, k->first, k->last, &found);
		if (!found)
			continue;
		rc = range_fill(out, s, &s->ranges[pos]);
		break;
	}
	ipam__db_unlock(it->db);
	if (rc == IPAM_ITEROVER)
		ipam_error_clear();
	return rc;
}

void ipam_range_iter_free(ipam_range_iter *it)
{
	if (!it)
		return;
	free(it->keys);
	free(it->space);
	free(it);
}
