/* Addresses: allocate, add, release, get, iterate. */
#include "db/db.h"
#include "ipam/dns.h"

#include <stdlib.h>

int ipam_ip_options_init(ipam_ip_options *opts, unsigned int version)
{
	if (!opts)
		return ipam__error(IPAM_EINVAL, "ip options: NULL");
	int rc = ipam__check_version(version, IPAM_IP_OPTIONS_VERSION, "ipam_ip_options");
	if (rc)
		return rc;
	/* version 1 callers have the shorter struct */
	ipam_ip_options d = IPAM_IP_OPTIONS_INIT;
	d.version = version;
	memcpy(opts, &d, version >= 2 ? sizeof d : offsetof(ipam_ip_options, dns_report));
	return 0;
}

/* The caller asked for the DNS outcome of the address just stored. The
 * address stands either way; the message says so when the report fails. */
static int dns_report(int rc, ipam_db *db, const ipam_ip_options *opts, const ipam_addr *a, const char *what)
{
	if (rc || !opts || opts->version < 2 || !opts->dns_report)
		return rc;
	if ((rc = ipam_ip_dns(opts->dns_report, db, opts->space, a)))
		rc = ipam__error(rc, "%s: %s is stored, but its DNS report failed: %s", what, ipam__addr_txt(a).s,
		                 ipam_error_last()->message);
	return rc;
}

/* A validated, normalised address record waiting to be stored. */
typedef struct {
	ipam__ip_rec rec;
	int bare; /* nothing but the defaults: share record IPAM__BARE_IP */
} ip_fields;

static void ip_fields_free(ip_fields *f)
{
	free(f->rec.hostname);
	free(f->rec.description);
	free(f->rec.attrs);
	memset(f, 0, sizeof *f);
}

static int ip_fields_make(ip_fields *f, const ipam_ip_options *o)
{
	memset(f, 0, sizeof *f);
	int rc;
	if (o->status != IPAM_STATUS_ACTIVE && o->status != IPAM_STATUS_RESERVED && o->status != IPAM_STATUS_DHCP &&
	    o->status != IPAM_STATUS_DEPRECATED)
		return ipam__error(IPAM_EINVAL, "address status %d (%s): an address is active, reserved, dhcp or deprecated",
		                   (int)o->status, ipam_status_name(o->status) ? ipam_status_name(o->status) : "unknown");
	if (o->mac) {
		ipam_mac m;
		if ((rc = ipam_mac_parse(&m, o->mac)))
			return rc;
		memcpy(f->rec.mac, m.bytes, sizeof f->rec.mac);
		f->rec.maclen = m.len;
	}
	if ((rc = ipam__norm_hostname(&f->rec.hostname, o->hostname)))
		return rc;
	if ((rc = ipam__norm_attrs(&f->rec.attrs, o->attrs_json, "address attributes"))) {
		ip_fields_free(f);
		return rc;
	}
	if (o->description && !(f->rec.description = ipam__strdup(o->description))) {
		ip_fields_free(f);
		return IPAM_ENOMEM;
	}
	f->rec.status = (uint8_t)o->status;
	f->bare = !f->rec.hostname && !f->rec.description && !f->rec.attrs && !f->rec.maclen &&
	          o->status == IPAM_STATUS_ACTIVE;
	return 0;
}

/* The record a new address points at: the shared bare one, or a new id
 * (0 when out of memory). */
static uint32_t ip_take(ipam_db *db, const ip_fields *f)
{
	return f->bare ? IPAM__BARE_IP : ipam__table_take(&db->ips);
}

/* After the trie took record `id` for an address (rc 0) or refused it: the
 * record keeps the fields and the space counts the address, or the id goes
 * back. Either way *f is left empty. */
static void ip_settle(ipam_db *db, ipam__space *s, uint32_t id, ip_fields *f, int rc)
{
	if (!rc) {
		if (id != IPAM__BARE_IP) {
			*ipam__ip(db, id) = f->rec;
			memset(&f->rec, 0, sizeof f->rec);
		}
		s->naddr++;
	} else if (id && id != IPAM__BARE_IP) {
		ipam__table_give(&db->ips, id);
	}
	ip_fields_free(f);
}

/* Store the address `key`; takes the fields. */
static int ip_store(ipam_db *db, ipam__space *s, int family, ipam__u128 key, ip_fields *f)
{
	uint32_t id = ip_take(db, f);
	int rc = id ? ipam__trie_set_addr(ipam__space_trie(s, family), key, id) : IPAM_ENOMEM;
	ip_settle(db, s, id, f, rc);
	if (rc == IPAM_EEXISTS)
		return ipam__error(IPAM_EEXISTS, "address %s already exists in space \"%s\"",
		                   ipam__key_txt(family, key, -1).s, s->name);
	return rc;
}

int ipam__ip_put(ipam_db *db, ipam__space *s, int family, ipam__u128 key, ipam__ip_rec *r)
{
	ip_fields f;
	f.rec = *r;
	memset(r, 0, sizeof *r);
	f.bare = !f.rec.hostname && !f.rec.description && !f.rec.attrs && !f.rec.maclen &&
	         f.rec.status == IPAM_STATUS_ACTIVE;
	/* try the insert first: at load and catch-up the address is new */
	uint32_t id = ip_take(db, &f);
	int rc = id ? ipam__trie_set_addr(ipam__space_trie(s, family), key, id) : IPAM_ENOMEM;
	if (rc == IPAM_EEXISTS) {
		ipam__ip_del(db, s, family, key);
		rc = ipam__trie_set_addr(ipam__space_trie(s, family), key, id);
	}
	ip_settle(db, s, id, &f, rc);
	return rc;
}

static int opts_check(const ipam_ip_options **opts, const ipam_ip_options *d)
{
	if (!*opts) {
		*opts = d;
		return 0;
	}
	return ipam__check_version((*opts)->version, IPAM_IP_OPTIONS_VERSION, "ipam_ip_options");
}

static int ip_alloc_once(ipam_addr *out, ipam_db *db, const ipam_prefix *within, const ipam_ip_options *opts)
{
	ipam_ip_options d = IPAM_IP_OPTIONS_INIT;
	if (!out || !db)
		return ipam__error(IPAM_EINVAL, "ip alloc: no database or output");
	int rc = ipam__check_prefix(within, "ip alloc");
	if (rc || (rc = opts_check(&opts, &d)))
		return rc;
	ip_fields f;
	if ((rc = ip_fields_make(&f, opts)))
		return rc;
	int fam = within->addr.family;
	unsigned w = ipam__width(fam), len = within->len;
	ipam__u128 key = ipam__addr_key(&within->addr), got;
	ipam__scope sc;
	if ((rc = ipam__enter(db, 1, &sc))) {
		ip_fields_free(&f);
		return rc;
	}
	ipam__space *s = ipam__space_find(db, opts->space);
	uint32_t pid = s ? ipam__trie_get_prefix(ipam__space_trie(s, fam), key, len) : 0;
	if (!s) {
		rc = IPAM_ENOTFOUND;
	} else if (!pid) {
		rc = ipam__error(IPAM_ENOTFOUND, "ip alloc: %s is not a prefix in space \"%s\"", ipam__prefix_txt(within).s,
		                 s->name);
	} else {
		/* Unless the prefix is a pool or a point-to-point or host prefix,
		 * its first address (IPv4 network, IPv6 subnet-router anycast) and,
		 * for IPv4, its last (broadcast) are never handed out. */
		int edges = !ipam__pfx(db, pid)->pool && len + 1 < w;
		uint32_t id = ip_take(db, &f);
		rc = id ? ipam__trie_alloc(ipam__space_trie(s, fam), key, len, w, edges, edges && fam == IPAM_AF_INET, 0, 1,
		                           id, &got)
		        : IPAM_ENOMEM;
		ip_settle(db, s, id, &f, rc);
		if (rc == IPAM_EEXHAUSTED)
			ipam__error(IPAM_EEXHAUSTED, "no free address left in %s (space \"%s\")", ipam__prefix_txt(within).s,
			            s->name);
		if (!rc) {
			ipam_store_row row;
			ipam__row_ip(&row, s, fam, got, ipam__ip(db, id));
			rc = ipam__log(db, "address.alloc", IPAM_STORE_PUT, &row, within);
			if (!rc)
				ipam__key_addr(out, fam, got);
		}
	}
	ip_fields_free(&f); /* empty unless nothing was stored */
	return ipam__leave(db, &sc, rc);
}

static int ip_alloc_single(ipam_addr *out, ipam_db *db, const ipam_prefix *within, const ipam_ip_options *opts)
{
	/* lost a race with another writer: again, as ipam_db_run would */
	IPAM__SINGLE(db, ip_alloc_once(out, db, within, opts));
}

int ipam_ip_alloc(ipam_addr *out, ipam_db *db, const ipam_prefix *within, const ipam_ip_options *opts)
{
	return dns_report(ip_alloc_single(out, db, within, opts), db, opts, out, "ip alloc");
}

static int ip_add_once(ipam_db *db, const ipam_addr *a, const ipam_ip_options *opts)
{
	ipam_ip_options d = IPAM_IP_OPTIONS_INIT;
	if (!db)
		return ipam__error(IPAM_EINVAL, "ip add: no database");
	int rc = ipam__check_addr(a, "ip add");
	if (rc || (rc = opts_check(&opts, &d)))
		return rc;
	ip_fields f;
	if ((rc = ip_fields_make(&f, opts)))
		return rc;
	ipam__scope sc;
	if ((rc = ipam__enter(db, 1, &sc))) {
		ip_fields_free(&f);
		return rc;
	}
	ipam__space *s = ipam__space_find(db, opts->space);
	if (!s) {
		ip_fields_free(&f);
		rc = IPAM_ENOTFOUND;
	} else {
		int fam = a->family;
		ipam__u128 key = ipam__addr_key(a), pk;
		unsigned pl;
		rc = ip_store(db, s, fam, key, &f);
		if (!rc) {
			/* the longest prefix holding the address is its parent */
			ipam_prefix parent;
			int has_parent = ipam__trie_match(ipam__space_trie(s, fam), key, ipam__width(fam), &pk, &pl);
			if (has_parent)
				ipam__prefix_of(&parent, fam, pk, pl);
			ipam_store_row row;
			ipam__row_ip(&row, s, fam, key, ipam__ip(db, ipam__trie_get_addr(ipam__space_trie(s, fam), key)));
			rc = ipam__log(db, "address.add", IPAM_STORE_PUT, &row, has_parent ? &parent : NULL);
		}
	}
	return ipam__leave(db, &sc, rc);
}

static int ip_add_single(ipam_db *db, const ipam_addr *a, const ipam_ip_options *opts)
{
	/* lost a race with another writer: again, as ipam_db_run would */
	IPAM__SINGLE(db, ip_add_once(db, a, opts));
}

int ipam_ip_add(ipam_db *db, const ipam_addr *a, const ipam_ip_options *opts)
{
	return dns_report(ip_add_single(db, a, opts), db, opts, a, "ip add");
}

/* The fields of an update: the ones named in `fields` from `o`, checked as
 * for a new address; the others copied from the address's record. */
static int ip_fields_update(ip_fields *f, const ipam__ip_rec *old, unsigned fields, const ipam_ip_options *o)
{
	ipam_ip_options m = *o;
	if (!(fields & IPAM_IP_SET_HOSTNAME))
		m.hostname = NULL;
	if (!(fields & IPAM_IP_SET_MAC))
		m.mac = NULL;
	if (!(fields & IPAM_IP_SET_DESCRIPTION))
		m.description = NULL;
	if (!(fields & IPAM_IP_SET_ATTRS))
		m.attrs_json = NULL;
	if (!(fields & IPAM_IP_SET_STATUS))
		m.status = (ipam_status)old->status;
	int rc = ip_fields_make(f, &m);
	if (rc)
		return rc;
	if ((!(fields & IPAM_IP_SET_HOSTNAME) && old->hostname && !(f->rec.hostname = ipam__strdup(old->hostname))) ||
	    (!(fields & IPAM_IP_SET_DESCRIPTION) && old->description &&
	     !(f->rec.description = ipam__strdup(old->description))) ||
	    (!(fields & IPAM_IP_SET_ATTRS) && old->attrs && !(f->rec.attrs = ipam__strdup(old->attrs)))) {
		ip_fields_free(f);
		return IPAM_ENOMEM;
	}
	if (!(fields & IPAM_IP_SET_MAC)) {
		memcpy(f->rec.mac, old->mac, sizeof f->rec.mac);
		f->rec.maclen = old->maclen;
	}
	f->bare = !f->rec.hostname && !f->rec.description && !f->rec.attrs && !f->rec.maclen &&
	          f->rec.status == IPAM_STATUS_ACTIVE;
	return 0;
}

static int ip_update_once(ipam_db *db, const ipam_addr *a, unsigned fields, const ipam_ip_options *opts)
{
	if (!db || !opts)
		return ipam__error(IPAM_EINVAL, "ip update: no database or options");
	int rc = ipam__check_addr(a, "ip update");
	if (rc || (rc = ipam__check_version(opts->version, IPAM_IP_OPTIONS_VERSION, "ipam_ip_options")))
		return rc;
	if (!fields || (fields & ~IPAM_IP_SET_ALL))
		return ipam__error(IPAM_EINVAL, "ip update: fields 0x%x: name one or more of hostname, mac, description, "
		                   "status, attrs (0x01..0x10)", fields);
	ipam__scope sc;
	if ((rc = ipam__enter(db, 1, &sc)))
		return rc;
	ipam__space *s = ipam__space_find(db, opts->space);
	int fam = a->family;
	ipam__u128 key = ipam__addr_key(a);
	uint32_t id = s ? ipam__trie_get_addr(ipam__space_trie(s, fam), key) : 0;
	ip_fields f;
	if (!s) {
		rc = IPAM_ENOTFOUND;
	} else if (!id) {
		rc = ipam__error(IPAM_ENOTFOUND, "address %s not found in space \"%s\"", ipam__addr_txt(a).s, s->name);
	} else if (!(rc = ip_fields_update(&f, ipam__ip(db, id), fields, opts))) {
		ipam_store_row was, oldrow, row;
		ipam__row_ip(&was, s, fam, key, ipam__ip(db, id));
		if ((rc = ipam__row_copy(&oldrow, &was))) { /* its strings go with the old record */
			ip_fields_free(&f);
		} else {
			ipam__ip_del(db, s, fam, key);
			if (!(rc = ip_store(db, s, fam, key, &f))) {
				ipam__row_ip(&row, s, fam, key, ipam__ip(db, ipam__trie_get_addr(ipam__space_trie(s, fam), key)));
				rc = ipam__log_update(db, "address.update", &oldrow, &row);
			} else {
				ipam__apply_put(db, &oldrow); /* out of memory: the old record back */
			}
			ipam__row_free(&oldrow);
		}
	}
	return ipam__leave(db, &sc, rc);
}

static int ip_update_single(ipam_db *db, const ipam_addr *a, unsigned fields, const ipam_ip_options *opts)
{
	/* lost a race with another writer: again, as ipam_db_run would */
	IPAM__SINGLE(db, ip_update_once(db, a, fields, opts));
}

int ipam_ip_update(ipam_db *db, const ipam_addr *a, unsigned int fields, const ipam_ip_options *opts)
{
	return dns_report(ip_update_single(db, a, fields, opts), db, opts, a, "ip update");
}

static void ip_rec_release(ipam_db *db, uint32_t id)
{
	if (id == IPAM__BARE_IP)
		return;
	ipam__ip_rec *r = ipam__ip(db, id);
	free(r->hostname);
	free(r->description);
	free(r->attrs);
	ipam__table_give(&db->ips, id);
}

int ipam__ip_del(ipam_db *db, ipam__space *s, int family, ipam__u128 key)
{
	uint32_t id = ipam__trie_clear_addr(ipam__space_trie(s, family), key);
	if (!id)
		return IPAM_ENOTFOUND;
	ip_rec_release(db, id);
	s->naddr--;
	return 0;
}

static int ip_release_once(ipam_db *db, const char *space, const ipam_addr *a)
{
	if (!db)
		return ipam__error(IPAM_EINVAL, "ip release: no database");
	int rc = ipam__check_addr(a, "ip release");
	if (rc)
		return rc;
	ipam__scope sc;
	if ((rc = ipam__enter(db, 1, &sc)))
		return rc;
	ipam__space *s = ipam__space_find(db, space);
	if (!s) {
		rc = IPAM_ENOTFOUND;
	} else {
		int fam = a->family;
		ipam__u128 key = ipam__addr_key(a);
		uint32_t id = ipam__trie_get_addr(ipam__space_trie(s, fam), key);
		if (!id) {
			rc = ipam__error(IPAM_ENOTFOUND, "address %s not found in space \"%s\"", ipam__addr_txt(a).s, s->name);
		} else {
			ipam_store_row row;
			ipam__row_ip(&row, s, fam, key, ipam__ip(db, id));
			rc = ipam__log(db, "address.release", IPAM_STORE_DEL, &row, NULL);
			if (!rc)
				rc = ipam__ip_del(db, s, fam, key);
		}
	}
	return ipam__leave(db, &sc, rc);
}

int ipam_ip_release(ipam_db *db, const char *space, const ipam_addr *a)
{
	/* lost a race with another writer: again, as ipam_db_run would */
	IPAM__SINGLE(db, ip_release_once(db, space, a));
}

void ipam_ip_info_dispose(ipam_ip_info *info)
{
	if (!info)
		return;
	free(info->space);
	free(info->hostname);
	free(info->description);
	free(info->attrs_json);
	info->space = info->hostname = info->description = info->attrs_json = NULL;
}

static int ip_fill(ipam_ip_info *out, ipam_db *db, ipam__space *s, int family, ipam__u128 key, uint32_t id)
{
	const ipam__ip_rec *r = ipam__ip(db, id);
	ipam__trie *t = ipam__space_trie(s, family);
	ipam__key_addr(&out->addr, family, key);
	ipam__u128 pk;
	unsigned pl;
	memset(&out->prefix, 0, sizeof out->prefix);
	out->has_prefix = ipam__trie_match(t, key, t->width, &pk, &pl) != 0;
	if (out->has_prefix)
		ipam__prefix_of(&out->prefix, family, pk, pl);
	out->status = (ipam_status)r->status;
	out->has_mac = r->maclen != 0;
	memset(&out->mac, 0, sizeof out->mac);
	if (r->maclen) {
		out->mac.len = r->maclen;
		memcpy(out->mac.bytes, r->mac, sizeof out->mac.bytes);
	}
	out->space = ipam__strdup(s->name);
	out->hostname = r->hostname ? ipam__strdup(r->hostname) : NULL;
	out->description = r->description ? ipam__strdup(r->description) : NULL;
	out->attrs_json = ipam__strdup(r->attrs ? r->attrs : "{}");
	if (!out->space || !out->attrs_json || (r->hostname && !out->hostname) || (r->description && !out->description)) {
		ipam_ip_info_dispose(out);
		return ipam__enomem();
	}
	return 0;
}

static int check_info(ipam_ip_info *out)
{
	if (!out)
		return ipam__error(IPAM_EINVAL, "ip info: no output");
	return ipam__check_version(out->version, IPAM_IP_INFO_VERSION, "ipam_ip_info");
}

int ipam_ip_get(ipam_ip_info *out, ipam_db *db, const char *space, const ipam_addr *a)
{
	int rc = check_info(out);
	if (rc)
		return rc;
	out->space = out->hostname = out->description = out->attrs_json = NULL;
	if (!db)
		return ipam__error(IPAM_EINVAL, "ip get: no database");
	if ((rc = ipam__check_addr(a, "ip get")))
		return rc;
	ipam__scope sc;
	if ((rc = ipam__enter(db, 0, &sc)))
		return rc;
	ipam__space *s = ipam__space_find(db, space);
	if (!s) {
		rc = IPAM_ENOTFOUND;
	} else {
		ipam__u128 key = ipam__addr_key(a);
		uint32_t id = ipam__trie_get_addr(ipam__space_trie(s, a->family), key);
		if (!id)
			rc = ipam__error(IPAM_ENOTFOUND, "address %s not found in space \"%s\"", ipam__addr_txt(a).s, s->name);
		else
			rc = ip_fill(out, db, s, a->family, key, id);
	}
	return ipam__leave(db, &sc, rc);
}

/* ---- iteration ------------------------------------------------------------- */

struct ipam_ip_iter {
	ipam__snap sn;
};

int ipam_ip_iter_new(ipam_ip_iter **out, ipam_db *db, const ipam_ip_query *q)
{
	ipam_ip_query d = IPAM_IP_QUERY_INIT;
	if (!out || !db)
		return ipam__error(IPAM_EINVAL, "ip iterator: no database or output");
	*out = NULL;
	int rc;
	if (!q)
		q = &d;
	else if ((rc = ipam__check_version(q->version, IPAM_IP_QUERY_VERSION, "ipam_ip_query")))
		return rc;
	if (q->within && (rc = ipam__check_prefix(q->within, "ip query")))
		return rc;
	ipam_ip_iter *it = calloc(1, sizeof *it);
	if (!it)
		return ipam__enomem();
	it->sn.db = db;
	ipam__scope sc;
	if ((rc = ipam__enter(db, 0, &sc))) {
		ipam_ip_iter_free(it);
		return rc;
	}
	ipam__space *s = ipam__space_find(db, q->space);
	if (!s) {
		rc = IPAM_ENOTFOUND;
	} else if (!(it->sn.space = ipam__strdup(s->name))) {
		rc = IPAM_ENOMEM;
	} else if (q->within) {
		int fam = q->within->addr.family;
		rc = ipam__snap_walk(&it->sn, ipam__space_trie(s, fam), fam, ipam__addr_key(&q->within->addr),
		                     q->within->len, IPAM__WALK_ADDRS);
	} else {
		rc = ipam__snap_walk(&it->sn, &s->trie[0], IPAM_AF_INET, 0, 0, IPAM__WALK_ADDRS);
		if (!rc)
			rc = ipam__snap_walk(&it->sn, &s->trie[1], IPAM_AF_INET6, 0, 0, IPAM__WALK_ADDRS);
	}
	rc = ipam__leave(db, &sc, rc);
	if (rc) {
		ipam_ip_iter_free(it);
		return rc;
	}
	*out = it;
	return 0;
}

static uint32_t ip_exists(ipam__space *s, const ipam__snap_key *k)
{
	return ipam__trie_get_addr(ipam__space_trie(s, k->family), k->key);
}

static int ip_fill_snap(void *out, ipam_db *db, ipam__space *s, const ipam__snap_key *k, uint32_t id)
{
	return ip_fill(out, db, s, k->family, k->key, id);
}

int ipam_ip_iter_next(ipam_ip_info *out, ipam_ip_iter *it)
{
	int rc = check_info(out);
	if (rc)
		return rc;
	if (!it)
		return ipam__error(IPAM_EINVAL, "ip iterator: NULL");
	ipam_ip_info_dispose(out);
	return ipam__snap_next(&it->sn, out, ip_exists, ip_fill_snap);
}

void ipam_ip_iter_free(ipam_ip_iter *it)
{
	if (!it)
		return;
	ipam__snap_free(&it->sn);
	free(it);
}
