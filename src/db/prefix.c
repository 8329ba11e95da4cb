/* Prefixes: add, remove, get, match, allocate, iterate, utilization. */
#include "db/db.h"

#include <stdlib.h>

static const char *const status_names[] = { "active", "container", "reserved", "deprecated", "dhcp" };

const char *ipam_status_name(int status)
{
	if (status < 0 || status > IPAM_STATUS_DHCP)
		return NULL;
	return status_names[status];
}

int ipam_status_parse(ipam_status *out, const char *name)
{
	for (int i = 0; name && i <= IPAM_STATUS_DHCP; i++) {
		if (strcmp(name, status_names[i]) == 0) {
			*out = (ipam_status)i;
			return 0;
		}
	}
	return ipam__error(IPAM_EINVAL, "status \"%.40s\": expected active, container, reserved, deprecated or dhcp",
	                   name ? name : "");
}

static int check_prefix_status(int st)
{
	if (st == IPAM_STATUS_ACTIVE || st == IPAM_STATUS_CONTAINER || st == IPAM_STATUS_RESERVED ||
	    st == IPAM_STATUS_DEPRECATED)
		return 0;
	return ipam__error(IPAM_EINVAL, "prefix status %d (%s): a prefix is container, active, reserved or deprecated",
	                   st, ipam_status_name(st) ? ipam_status_name(st) : "unknown");
}

int ipam_prefix_options_init(ipam_prefix_options *opts, unsigned int version)
{
	if (!opts)
		return ipam__error(IPAM_EINVAL, "prefix options: NULL");
	int rc = ipam__check_version(version, IPAM_PREFIX_OPTIONS_VERSION, "ipam_prefix_options");
	if (rc)
		return rc;
	ipam_prefix_options d = IPAM_PREFIX_OPTIONS_INIT;
	*opts = d;
	return 0;
}

int ipam_prefix_alloc_options_init(ipam_prefix_alloc_options *opts, unsigned int version)
{
	if (!opts)
		return ipam__error(IPAM_EINVAL, "prefix alloc options: NULL");
	int rc = ipam__check_version(version, IPAM_PREFIX_ALLOC_OPTIONS_VERSION, "ipam_prefix_alloc_options");
	if (rc)
		return rc;
	ipam_prefix_alloc_options d = IPAM_PREFIX_ALLOC_OPTIONS_INIT;
	*opts = d;
	return 0;
}

/* Validate and normalise the contents of a new prefix record. */
static int pfx_fields_make(ipam__pfx_rec *f, int status, int pool, const char *description, const char *attrs)
{
	memset(f, 0, sizeof *f);
	int rc = check_prefix_status(status);
	if (rc)
		return rc;
	if ((rc = ipam__norm_attrs(&f->attrs, attrs, "prefix attributes")))
		return rc;
	if (description && !(f->description = ipam__strdup(description))) {
		free(f->attrs);
		return IPAM_ENOMEM;
	}
	f->status = (uint8_t)status;
	f->pool = pool ? 1 : 0;
	return 0;
}

static void pfx_fields_free(ipam__pfx_rec *f)
{
	free(f->description);
	free(f->attrs);
	memset(f, 0, sizeof *f);
}

/* After the trie took record `id` for a prefix (rc 0) or refused it: the
 * record keeps the fields and the space counts the prefix, or the id goes
 * back and the fields are freed. Either way *f is left empty. */
static void pfx_settle(ipam_db *db, ipam__space *s, uint32_t id, ipam__pfx_rec *f, int rc)
{
	if (!rc) {
		*ipam__pfx(db, id) = *f;
		memset(f, 0, sizeof *f);
		s->nprefix++;
		return;
	}
	if (id)
		ipam__table_give(&db->pfx, id);
	pfx_fields_free(f);
}

/* Record the prefix (key, len) in the space; takes the fields. Its record
 * id goes to *out_id (when not NULL) on success. */
static int pfx_store(ipam_db *db, ipam__space *s, int family, ipam__u128 key, unsigned len, ipam__pfx_rec *f,
                     int exclusive, uint32_t *out_id)
{
	uint32_t id = ipam__table_take(&db->pfx);
	ipam__u128 ok = 0;
	unsigned ol = 0;
	int rc = !id ? IPAM_ENOMEM
	       : exclusive ? ipam__trie_set_prefix_excl(ipam__space_trie(s, family), key, len, id, &ok, &ol)
	                   : ipam__trie_set_prefix(ipam__space_trie(s, family), key, len, id);
	pfx_settle(db, s, id, f, rc);
	if (!rc && out_id)
		*out_id = id;
	if (rc == IPAM_EEXISTS && exclusive && (ok != key || ol != len))
		return ipam__error(IPAM_EEXISTS, "prefix %s overlaps %s in space \"%s\"",
		                   ipam__key_txt(family, key, (int)len).s, ipam__key_txt(family, ok, (int)ol).s, s->name);
	if (rc == IPAM_EEXISTS)
		return ipam__error(IPAM_EEXISTS, "prefix %s already exists in space \"%s\"",
		                   ipam__key_txt(family, key, (int)len).s, s->name);
	return rc;
}

int ipam__pfx_put(ipam_db *db, ipam__space *s, int family, ipam__u128 key, unsigned len, ipam__pfx_rec *f)
{
	if (ipam__trie_get_prefix(ipam__space_trie(s, family), key, len))
		ipam__pfx_del(db, s, family, key, len);
	return pfx_store(db, s, family, key, len, f, 0, NULL);
}

int ipam__pfx_del(ipam_db *db, ipam__space *s, int family, ipam__u128 key, unsigned len)
{
	uint32_t id = ipam__trie_clear_prefix(ipam__space_trie(s, family), key, len);
	if (!id)
		return IPAM_ENOTFOUND;
	ipam__pfx_rec *r = ipam__pfx(db, id);
	free(r->description);
	free(r->attrs);
	ipam__table_give(&db->pfx, id);
	s->nprefix--;
	return 0;
}

static int prefix_add_once(ipam_db *db, const ipam_prefix *p, const ipam_prefix_options *opts)
{
	ipam_prefix_options d = IPAM_PREFIX_OPTIONS_INIT;
	if (!db)
		return ipam__error(IPAM_EINVAL, "prefix add: no database");
	int rc = ipam__check_prefix(p, "prefix add");
	if (rc)
		return rc;
	if (!opts)
		opts = &d;
	else if ((rc = ipam__check_version(opts->version, IPAM_PREFIX_OPTIONS_VERSION, "ipam_prefix_options")))
		return rc;
	ipam__pfx_rec f;
	if ((rc = pfx_fields_make(&f, opts->status, opts->pool, opts->description, opts->attrs_json)))
		return rc;
	ipam__scope sc;
	if ((rc = ipam__enter(db, 1, &sc))) {
		pfx_fields_free(&f);
		return rc;
	}
	ipam__space *s = ipam__space_find(db, opts->space);
	if (!s) {
		pfx_fields_free(&f);
		rc = IPAM_ENOTFOUND;
	} else {
		int fam = p->addr.family;
		ipam__u128 key = ipam__addr_key(&p->addr);
		uint32_t id = 0;
		rc = pfx_store(db, s, fam, key, p->len, &f, opts->exclusive, &id);
		if (!rc) {
			ipam_store_row row;
			ipam__row_prefix(&row, s, fam, key, p->len, ipam__pfx(db, id));
			rc = ipam__log(db, "prefix.add", IPAM_STORE_PUT, &row, NULL);
		}
	}
	return ipam__leave(db, &sc, rc);
}

int ipam_prefix_add(ipam_db *db, const ipam_prefix *p, const ipam_prefix_options *opts)
{
	/* lost a race with another writer: again, as ipam_db_run would */
	IPAM__SINGLE(db, prefix_add_once(db, p, opts));
}

static int prefix_update_once(ipam_db *db, const ipam_prefix *p, unsigned fields, const ipam_prefix_options *opts)
{
	if (!db || !opts)
		return ipam__error(IPAM_EINVAL, "prefix update: no database or options");
	int rc = ipam__check_prefix(p, "prefix update");
	if (rc || (rc = ipam__check_version(opts->version, IPAM_PREFIX_OPTIONS_VERSION, "ipam_prefix_options")))
		return rc;
	if (!fields || (fields & ~IPAM_PREFIX_SET_ALL))
		return ipam__error(IPAM_EINVAL, "prefix update: fields 0x%x: name one or more of status, pool, "
		                   "description, attrs (0x01..0x08)", fields);
	ipam__scope sc;
	if ((rc = ipam__enter(db, 1, &sc)))
		return rc;
	ipam__space *s = ipam__space_find(db, opts->space);
	int fam = p->addr.family;
	ipam__u128 key = ipam__addr_key(&p->addr);
	uint32_t id = s ? ipam__trie_get_prefix(ipam__space_trie(s, fam), key, p->len) : 0;
	if (!s) {
		rc = IPAM_ENOTFOUND;
	} else if (!id) {
		rc = ipam__error(IPAM_ENOTFOUND, "prefix %s not found in space \"%s\"", ipam__prefix_txt(p).s, s->name);
	} else {
		ipam__pfx_rec *r = ipam__pfx(db, id), f;
		rc = pfx_fields_make(&f, (fields & IPAM_PREFIX_SET_STATUS) ? (int)opts->status : r->status,
		                     (fields & IPAM_PREFIX_SET_POOL) ? opts->pool : r->pool,
		                     (fields & IPAM_PREFIX_SET_DESCRIPTION) ? opts->description : r->description,
		                     (fields & IPAM_PREFIX_SET_ATTRS) ? opts->attrs_json : r->attrs);
		ipam_store_row was, oldrow, row;
		ipam__row_prefix(&was, s, fam, key, p->len, r);
		if (!rc && (rc = ipam__row_copy(&oldrow, &was)))
			pfx_fields_free(&f);
		if (!rc) {
			/* the record changes in place: the trie keeps pointing at it */
			pfx_fields_free(r);
			*r = f;
			ipam__row_prefix(&row, s, fam, key, p->len, r);
			rc = ipam__log_update(db, "prefix.update", &oldrow, &row);
			ipam__row_free(&oldrow);
		}
	}
	return ipam__leave(db, &sc, rc);
}

int ipam_prefix_update(ipam_db *db, const ipam_prefix *p, unsigned int fields, const ipam_prefix_options *opts)
{
	/* lost a race with another writer: again, as ipam_db_run would */
	IPAM__SINGLE(db, prefix_update_once(db, p, fields, opts));
}

static int prefix_rm_once(ipam_db *db, const char *space, const ipam_prefix *p)
{
	if (!db)
		return ipam__error(IPAM_EINVAL, "prefix rm: no database");
	int rc = ipam__check_prefix(p, "prefix rm");
	if (rc)
		return rc;
	ipam__scope sc;
	if ((rc = ipam__enter(db, 1, &sc)))
		return rc;
	ipam__space *s = ipam__space_find(db, space);
	if (!s) {
		rc = IPAM_ENOTFOUND;
	} else {
		int fam = p->addr.family;
		ipam__u128 key = ipam__addr_key(&p->addr);
		uint32_t id = ipam__trie_get_prefix(ipam__space_trie(s, fam), key, p->len);
		if (!id) {
			rc = ipam__error(IPAM_ENOTFOUND, "prefix %s not found in space \"%s\"", ipam__prefix_txt(p).s, s->name);
		} else {
			ipam_store_row row;
			ipam__row_prefix(&row, s, fam, key, p->len, ipam__pfx(db, id));
			rc = ipam__log(db, "prefix.rm", IPAM_STORE_DEL, &row, NULL);
			if (!rc)
				rc = ipam__pfx_del(db, s, fam, key, p->len);
		}
	}
	return ipam__leave(db, &sc, rc);
}

int ipam_prefix_rm(ipam_db *db, const char *space, const ipam_prefix *p)
{
	/* lost a race with another writer: again, as ipam_db_run would */
	IPAM__SINGLE(db, prefix_rm_once(db, space, p));
}

void ipam_prefix_info_dispose(ipam_prefix_info *info)
{
	if (!info)
		return;
	free(info->space);
	free(info->description);
	free(info->attrs_json);
	info->space = info->description = info->attrs_json = NULL;
}

/* Fill an info struct for the prefix (key, len) of record id. */
static int pfx_fill(ipam_prefix_info *out, ipam_db *db, ipam__space *s, int family, ipam__u128 key, unsigned len,
                    uint32_t id)
{
	const ipam__pfx_rec *r = ipam__pfx(db, id);
	ipam__prefix_of(&out->prefix, family, key, len);
	out->status = (ipam_status)r->status;
	out->pool = r->pool;
	out->has_parent = 0;
	out->depth = 0;
	memset(&out->parent, 0, sizeof out->parent);
	ipam__trie_hit hits[130];
	size_t n = ipam__trie_covering(ipam__space_trie(s, family), key, len, hits);
	/* the last hit is the prefix itself */
	if (n >= 2) {
		out->has_parent = 1;
		ipam__prefix_of(&out->parent, family, hits[n - 2].key, hits[n - 2].len);
	}
	out->depth = n ? (unsigned)(n - 1) : 0;
	out->space = ipam__strdup(s->name);
	out->description = r->description ? ipam__strdup(r->description) : NULL;
	out->attrs_json = ipam__strdup(r->attrs ? r->attrs : "{}");
	if (!out->space || !out->attrs_json || (r->description && !out->description)) {
		ipam_prefix_info_dispose(out);
		return ipam__enomem();
	}
	return 0;
}

static int check_info(const ipam_prefix_info *out)
{
	if (!out)
		return ipam__error(IPAM_EINVAL, "prefix info: no output");
	return ipam__check_version(out->version, IPAM_PREFIX_INFO_VERSION, "ipam_prefix_info");
}

int ipam_prefix_get(ipam_prefix_info *out, ipam_db *db, const char *space, const ipam_prefix *p)
{
	int rc = check_info(out);
	if (rc)
		return rc;
	out->space = out->description = out->attrs_json = NULL;
	if (!db)
		return ipam__error(IPAM_EINVAL, "prefix get: no database");
	if ((rc = ipam__check_prefix(p, "prefix get")))
		return rc;
	ipam__scope sc;
	if ((rc = ipam__enter(db, 0, &sc)))
		return rc;
	ipam__space *s = ipam__space_find(db, space);
	if (!s) {
		rc = IPAM_ENOTFOUND;
	} else {
		ipam__u128 key = ipam__addr_key(&p->addr);
		uint32_t id = ipam__trie_get_prefix(ipam__space_trie(s, p->addr.family), key, p->len);
		if (!id)
			rc = ipam__error(IPAM_ENOTFOUND, "prefix %s not found in space \"%s\"", ipam__prefix_txt(p).s, s->name);
		else
			rc = pfx_fill(out, db, s, p->addr.family, key, p->len, id);
	}
	return ipam__leave(db, &sc, rc);
}

int ipam_prefix_match(ipam_prefix *out, ipam_db *db, const char *space, const ipam_prefix *target)
{
	if (!out || !db)
		return ipam__error(IPAM_EINVAL, "prefix match: no database or output");
	int rc = ipam__check_prefix(target, "prefix match");
	if (rc)
		return rc;
	ipam__scope sc;
	if ((rc = ipam__enter(db, 0, &sc)))
		return rc;
	ipam__space *s = ipam__space_find(db, space);
	if (!s) {
		rc = IPAM_ENOTFOUND;
	} else {
		ipam__u128 k;
		unsigned l;
		int fam = target->addr.family;
		if (ipam__trie_match(ipam__space_trie(s, fam), ipam__addr_key(&target->addr), target->len, &k, &l))
			ipam__prefix_of(out, fam, k, l);
		else
			rc = ipam__error(IPAM_ENOTFOUND, "no prefix covers %s in space \"%s\"", ipam__prefix_txt(target).s,
			                 s->name);
	}
	return ipam__leave(db, &sc, rc);
}

static int prefix_alloc_once(ipam_prefix *out, ipam_db *db, const ipam_prefix *parent, const ipam_prefix_alloc_options *opts)
{
	if (!out || !db || !opts)
		return ipam__error(IPAM_EINVAL, "prefix alloc: no database, output or options (the length is required)");
	int rc = ipam__check_prefix(parent, "prefix alloc");
	if (rc)
		return rc;
	if ((rc = ipam__check_version(opts->version, IPAM_PREFIX_ALLOC_OPTIONS_VERSION, "ipam_prefix_alloc_options")))
		return rc;
	int fam = parent->addr.family;
	unsigned w = ipam__width(fam), n = opts->length;
	if (n <= parent->len || n > w)
		return ipam__error(IPAM_EINVAL, "prefix alloc in %s: length /%u must be longer than /%u and at most /%u",
		                   ipam__prefix_txt(parent).s, n, parent->len, w);
	if (opts->policy != IPAM_POLICY_FIRST_FIT && opts->policy != IPAM_POLICY_BEST_FIT)
		return ipam__error(IPAM_EINVAL, "prefix alloc: unknown policy %d", (int)opts->policy);
	ipam__pfx_rec f;
	if ((rc = pfx_fields_make(&f, opts->status, opts->pool, opts->description, opts->attrs_json)))
		return rc;
	ipam__scope sc;
	if ((rc = ipam__enter(db, 1, &sc))) {
		pfx_fields_free(&f);
		return rc;
	}
	ipam__space *s = ipam__space_find(db, opts->space);
	ipam__u128 key = ipam__addr_key(&parent->addr), got;
	if (!s) {
		rc = IPAM_ENOTFOUND;
	} else if (!ipam__trie_get_prefix(ipam__space_trie(s, fam), key, parent->len)) {
		rc = ipam__error(IPAM_ENOTFOUND, "prefix alloc: %s is not a prefix in space \"%s\"", ipam__prefix_txt(parent).s,
		                 s->name);
	} else {
		uint32_t id = ipam__table_take(&db->pfx);
		rc = id ? ipam__trie_alloc(ipam__space_trie(s, fam), key, parent->len, n, 0, 0,
		                           opts->policy == IPAM_POLICY_BEST_FIT, 0, id, &got)
		        : IPAM_ENOMEM;
		pfx_settle(db, s, id, &f, rc);
		if (rc == IPAM_EEXHAUSTED)
			ipam__error(IPAM_EEXHAUSTED, "no free /%u left in %s (space \"%s\")", n, ipam__prefix_txt(parent).s,
			            s->name);
		if (!rc) {
			ipam_store_row row;
			ipam__row_prefix(&row, s, fam, got, n, ipam__pfx(db, id));
			rc = ipam__log(db, "prefix.alloc", IPAM_STORE_PUT, &row, parent);
			if (!rc)
				ipam__prefix_of(out, fam, got, n);
		}
	}
	pfx_fields_free(&f);
	return ipam__leave(db, &sc, rc);
}

int ipam_prefix_alloc(ipam_prefix *out, ipam_db *db, const ipam_prefix *parent, const ipam_prefix_alloc_options *opts)
{
	/* lost a race with another writer: again, as ipam_db_run would */
	IPAM__SINGLE(db, prefix_alloc_once(out, db, parent, opts));
}

/* ---- iteration ------------------------------------------------------------- */

struct ipam_prefix_iter {
	ipam__snap sn;
};

static int iter_collect(ipam_prefix_iter *it, ipam__space *s, const ipam_prefix_query *q)
{
	int rc = 0;
	if (q->walk == IPAM_WALK_ALL) {
		for (int fam = IPAM_AF_INET; !rc && fam <= IPAM_AF_INET6; fam += 2)
			if (!q->family || q->family == fam)
				rc = ipam__snap_walk(&it->sn, ipam__space_trie(s, fam), fam, 0, 0, IPAM__WALK_PREFIXES);
		return rc;
	}
	int fam = q->target->addr.family;
	ipam__u128 key = ipam__addr_key(&q->target->addr);
	const ipam__trie *t = ipam__space_trie(s, fam);
	if (q->walk == IPAM_WALK_WITHIN) {
		rc = ipam__snap_walk(&it->sn, t, fam, key, q->target->len, IPAM__WALK_PREFIXES);
	} else {
		ipam__trie_hit hits[130];
		size_t n = ipam__trie_covering(t, key, q->target->len, hits);
		for (size_t i = 0; !rc && i < n; i++)
			rc = ipam__snap_push(&it->sn, fam, hits[i].key, hits[i].len);
	}
	return rc;
}

int ipam_prefix_iter_new(ipam_prefix_iter **out, ipam_db *db, const ipam_prefix_query *q)
{
	ipam_prefix_query d = IPAM_PREFIX_QUERY_INIT;
	if (!out || !db)
		return ipam__error(IPAM_EINVAL, "prefix iterator: no database or output");
	*out = NULL;
	int rc;
	if (!q)
		q = &d;
	else if ((rc = ipam__check_version(q->version, IPAM_PREFIX_QUERY_VERSION, "ipam_prefix_query")))
		return rc;
	if (q->walk != IPAM_WALK_ALL && q->walk != IPAM_WALK_WITHIN && q->walk != IPAM_WALK_COVERING)
		return ipam__error(IPAM_EINVAL, "prefix query: unknown walk %d", (int)q->walk);
	if (q->walk != IPAM_WALK_ALL && (rc = ipam__check_prefix(q->target, "prefix query target")))
		return rc;
	if (q->family != 0 && q->family != IPAM_AF_INET && q->family != IPAM_AF_INET6)
		return ipam__error(IPAM_EINVAL, "prefix query: family %d is not 0, 4 or 6", q->family);
	ipam_prefix_iter *it = calloc(1, sizeof *it);
	if (!it)
		return ipam__enomem();
	it->sn.db = db;
	ipam__scope sc;
	if ((rc = ipam__enter(db, 0, &sc))) {
		ipam_prefix_iter_free(it);
		return rc;
	}
	ipam__space *s = ipam__space_find(db, q->space);
	if (!s)
		rc = IPAM_ENOTFOUND;
	else if (!(it->sn.space = ipam__strdup(s->name)))
		rc = IPAM_ENOMEM;
	else
		rc = iter_collect(it, s, q);
	rc = ipam__leave(db, &sc, rc);
	if (rc) {
		ipam_prefix_iter_free(it);
		return rc;
	}
	*out = it;
	return 0;
}

static uint32_t pfx_exists(ipam__space *s, const ipam__snap_key *k)
{
	return ipam__trie_get_prefix(ipam__space_trie(s, k->family), k->key, k->len);
}

static int pfx_fill_snap(void *out, ipam_db *db, ipam__space *s, const ipam__snap_key *k, uint32_t id)
{
	return pfx_fill(out, db, s, k->family, k->key, k->len, id);
}

int ipam_prefix_iter_next(ipam_prefix_info *out, ipam_prefix_iter *it)
{
	int rc = check_info(out);
	if (rc)
		return rc;
	if (!it)
		return ipam__error(IPAM_EINVAL, "prefix iterator: NULL");
	ipam_prefix_info_dispose(out);
	return ipam__snap_next(&it->sn, out, pfx_exists, pfx_fill_snap);
}

void ipam_prefix_iter_free(ipam_prefix_iter *it)
{
	if (!it)
		return;
	ipam__snap_free(&it->sn);
	free(it);
}

/* ---- utilization --------------------------------------------------------- */

int ipam_prefix_util(ipam_util *out, ipam_db *db, const char *space, const ipam_prefix *cidr)
{
	if (!out || !db)
		return ipam__error(IPAM_EINVAL, "util: no database or output");
	int rc = ipam__check_version(out->version, IPAM_UTIL_VERSION, "ipam_util");
	if (rc)
		return rc;
	if ((rc = ipam__check_prefix(cidr, "util")))
		return rc;
	ipam__scope sc;
	if ((rc = ipam__enter(db, 0, &sc)))
		return rc;
	ipam__space *s = ipam__space_find(db, space);
	if (!s) {
		rc = IPAM_ENOTFOUND;
	} else {
		int fam = cidr->addr.family;
		unsigned w = ipam__width(fam);
		ipam__u128 used, used64;
		ipam__trie_util(ipam__space_trie(s, fam), ipam__addr_key(&cidr->addr), cidr->len, &used, &used64);
		ipam__u128 total = (w - cidr->len) >= 128 ? IPAM__U128_MAX : (ipam__u128)1 << (w - cidr->len);
		if (used > total)
			used = total;
		out->total = ipam__to_pub(total);
		out->used = ipam__to_pub(used);
		out->free = ipam__to_pub(total - used);
		ipam__u128 f64 = 0;
		if (fam == IPAM_AF_INET6 && cidr->len <= 64) {
			ipam__u128 t64 = (ipam__u128)1 << (64 - cidr->len);
			f64 = used64 > t64 ? 0 : t64 - used64;
		}
		out->free_64s = ipam__to_pub(f64);
		out->used_percent = total ? 100.0 * (double)used / (double)total : 0.0;
	}
	return ipam__leave(db, &sc, rc);
}
