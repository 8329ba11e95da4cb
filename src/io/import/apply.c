/* The one apply step every source shares: the model goes to the database
 * through the public API, inside the caller's transaction. Each object is
 * compared with what is there: absent, it is added; present and the same
 * once merged, it is unchanged; present and different, it is replaced by
 * the merge (the stored attributes, then the model's on top), so a second
 * import changes nothing and overlapping files merge. An object the
 * database refuses (a bad host name, a range that clashes) is reported
 * with the file and line it came from and skipped. Every 256 objects the
 * calling thread's cancellation token is checked (src/cancel.h): once it is
 * triggered the apply fails with IPAM_ECANCELED, so the caller's
 * transaction rolls back and the store is as before the import. */
#include "io/import/imp.h"
#include "dns/dns.h"

#include "cancel.h"

#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

typedef struct apply_ctx {
	ipam_db *db;
	ipam__imp_model *m;
	const ipam__imp_spaces *sp;
	ipam__imp_result *r;
	ipam__dns_recrun *records; /* the run of records, made when the first goes in */
} apply_ctx;

/* The database's space for a source space. */
static const char *space_of(const apply_ctx *c, const char *src)
{
	if (c->sp->all)
		return c->sp->all;
	for (size_t i = 0; i < c->sp->nmap; i++) {
		const char *w = c->sp->map[i], *eq = strchr(w, '=');
		size_t n = (size_t)(eq - w);
		if (!eq)
			continue;
		if (src ? strlen(src) == n && memcmp(w, src, n) == 0
		        : (n == 6 && memcmp(w, "global", 6) == 0) || (n == 7 && memcmp(w, "default", 7) == 0))
			return eq + 1;
	}
	return src ? src : "default";
}

/* A store error ends the apply; a refusal is the row's. */
int ipam__imp_fatal(int rc)
{
	return rc == IPAM_EBACKEND || rc == IPAM_ECONFLICT || rc == IPAM_ENOMEM || rc == IPAM_EIO || rc == IPAM_EAUTH;
}

static int refuse(apply_ctx *c, const ipam__imp_item *it, const char *field, const char *value, int rc)
{
	if (ipam__imp_fatal(rc))
		return rc;
	c->r->skipped.n[it->type]++;
	return ipam__imp_err(c->m, it->file, it->line, field, value, "%s", ipam_error_last()->message);
}

/* The attributes the store keeps: the model's, its extras, the VLAN, a
 * range's or an address's name (neither has a name field). */
static cJSON *stored_attrs(const ipam__imp_item *it)
{
	cJSON *a = cJSON_Duplicate(it->attrs, 1);
	if (!a || ipam__imp_attr_merge(a, it->extra) ||
	    (it->vlan >= 0 && ipam__imp_attr(a, "vlan", cJSON_CreateNumber((double)it->vlan))) ||
	    ((it->type == IMP_RANGE || it->type == IMP_ADDRESS) && ipam__imp_attr_str(a, "name", it->name))) {
		cJSON_Delete(a);
		return NULL;
	}
	return a;
}

/* want = what is stored, merged with the model's (the model wins). Returns
 * 1 when that differs from what is stored, 0 when equal, <0 on ENOMEM. */
static int merge_attrs(cJSON **want, const char *stored, const ipam__imp_item *it)
{
	cJSON *have = cJSON_Parse(stored ? stored : "{}");
	cJSON *mine = stored_attrs(it);
	cJSON *w = have ? cJSON_Duplicate(have, 1) : NULL;
	int rc = -1;
	if (have && mine && w && !ipam__imp_attr_merge(w, mine)) {
		rc = !cJSON_Compare(have, w, 1);
		*want = w;
		w = NULL;
	}
	cJSON_Delete(have);
	cJSON_Delete(mine);
	cJSON_Delete(w);
	return rc < 0 ? ipam__enomem() : rc;
}

static int differs(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "") != 0;
}

int ipam__imp_host_differs(const char *a, const char *b)
{
	size_t na = a ? strlen(a) : 0, nb = b ? strlen(b) : 0;
	na -= na && a[na - 1] == '.';
	nb -= nb && b[nb - 1] == '.';
	return na != nb || (na && strncasecmp(a, b, na) != 0);
}

/* Replace (exists) or add one object, given its attributes' text. */
typedef int (*put_fn)(apply_ctx *c, void *obj, const char *attrs, int exists);

/* The common end of each kind: count it unchanged, or write `want` through
 * `put` and count it, or report the database's refusal. Takes want. */
static int settle(apply_ctx *c, const ipam__imp_item *it, int changed, cJSON *want, int exists, const char *field,
                  const char *key, put_fn put, void *obj)
{
	char *attrs = changed ? cJSON_PrintUnformatted(want) : NULL;
	int rc = 0;
	cJSON_Delete(want);
	if (!changed)
		c->r->unchanged.n[it->type]++;
	else if (!attrs)
		rc = ipam__enomem();
	else if ((rc = put(c, obj, attrs, exists)))
		rc = refuse(c, it, field, key, rc);
	else
		(exists ? &c->r->updated : &c->r->imported)->n[it->type]++;
	cJSON_free(attrs);
	return rc;
}

static int apply_space(apply_ctx *c, const ipam__imp_item *it)
{
	const char *name = space_of(c, it->name);
	ipam_space_info si = IPAM_SPACE_INFO_INIT;
	if (ipam_space_get(&si, c->db, name) == 0) {
		ipam_space_info_dispose(&si);
		c->r->unchanged.n[IMP_SPACE]++;
		return 0;
	}
	/* labels: the route distinguisher and the source's string fields */
	cJSON *labels = cJSON_CreateObject();
	int rc = labels ? ipam__imp_attr_str(labels, "rd", it->rd) : IPAM_ENOMEM;
	for (const cJSON *e = it->extra->child; e && !rc; e = e->next)
		if (cJSON_IsString(e))
			rc = ipam__imp_attr_str(labels, e->string, e->valuestring);
	char *text = rc ? NULL : cJSON_PrintUnformatted(labels);
	cJSON_Delete(labels);
	if (!text)
		return ipam__enomem();
	rc = ipam_space_add(c->db, name, text);
	cJSON_free(text);
	if (rc)
		return refuse(c, it, "vrf", name, rc);
	c->r->imported.n[IMP_SPACE]++;
	return 0;
}

/* Every space an object names exists, or is made. */
static int ensure_space(apply_ctx *c, const ipam__imp_item *it)
{
	const char *name = space_of(c, it->space);
	ipam_space_info si = IPAM_SPACE_INFO_INIT;
	if (ipam_space_get(&si, c->db, name) == 0) {
		ipam_space_info_dispose(&si);
		return 0;
	}
	int rc = ipam_space_add(c->db, name, NULL);
	if (rc)
		return rc;
	c->r->imported.n[IMP_SPACE]++;
	return 0;
}

static ipam_status prefix_status(const ipam__imp_item *it)
{
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(it->attrs, "status");
	ipam_status st;
	if (it->kind && !strcmp(it->kind, "container"))
		return IPAM_STATUS_CONTAINER;
	if (cJSON_IsString(s) && ipam_status_parse(&st, s->valuestring) == 0 && st != IPAM_STATUS_DHCP &&
	    st != IPAM_STATUS_CONTAINER)
		return st;
	return IPAM_STATUS_ACTIVE;
}

struct prefix_put {
	const ipam_prefix *p;
	ipam_prefix_options *o;
};

static int put_prefix(apply_ctx *c, void *obj, const char *attrs, int exists)
{
	struct prefix_put *a = obj;
	int rc = exists ? ipam_prefix_rm(c->db, a->o->space, a->p) : 0;
	a->o->attrs_json = attrs;
	return rc ? rc : ipam_prefix_add(c->db, a->p, a->o);
}

static int apply_prefix(apply_ctx *c, const ipam__imp_item *it)
{
	const char *space = space_of(c, it->space);
	char key[64];
	ipam_prefix_format(key, sizeof key, &it->prefix);
	int rc = ensure_space(c, it);
	if (rc)
		return refuse(c, it, "vrf", space, rc);
	ipam_prefix_info have = IPAM_PREFIX_INFO_INIT;
	int exists = ipam_prefix_get(&have, c->db, space, &it->prefix) == 0;
	cJSON *want = NULL;
	if ((rc = merge_attrs(&want, exists ? have.attrs_json : NULL, it)) < 0) {
		ipam_prefix_info_dispose(&have);
		return rc;
	}
	ipam_prefix_options o = IPAM_PREFIX_OPTIONS_INIT;
	o.space = space;
	o.status = prefix_status(it);
	o.pool = it->pool || (exists && have.pool);
	o.description = it->description ? it->description : exists ? have.description : NULL;
	int changed = !exists || rc || o.status != have.status || o.pool != have.pool ||
	              differs(o.description, have.description);
	struct prefix_put pp = { &it->prefix, &o };
	rc = settle(c, it, changed, want, exists, "prefix", key, put_prefix, &pp);
	ipam_prefix_info_dispose(&have);
	return rc;
}

static ipam_range_purpose range_purpose(const ipam__imp_item *it)
{
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(it->attrs, "status");
	if (it->kind && (!strcmp(it->kind, "excluded") || !strcmp(it->kind, "dhcp_exclusion")))
		return IPAM_RANGE_EXCLUDED;
	if ((it->kind && !strcmp(it->kind, "reserved")) || (cJSON_IsString(s) && !strcasecmp(s->valuestring, "reserved")))
		return IPAM_RANGE_RESERVED;
	return IPAM_RANGE_DHCP;
}

/* The stored range with exactly these bounds, if any. */
static int find_range(ipam_range_info *out, apply_ctx *c, const char *space, const ipam_addr *first,
                      const ipam_addr *last)
{
	ipam_prefix host;
	ipam_range_query q = IPAM_RANGE_QUERY_INIT;
	ipam_range_iter *iter = NULL;
	int rc;
	if ((rc = ipam_prefix_from(&host, first, first->family == IPAM_AF_INET ? 32 : 128, 0)))
		return rc;
	q.space = space;
	q.within = &host;
	if ((rc = ipam_range_iter_new(&iter, c->db, &q)))
		return rc;
	while ((rc = ipam_range_iter_next(out, iter)) == 0)
		if (!ipam_addr_cmp(&out->first, first) && !ipam_addr_cmp(&out->last, last))
			break;
	ipam_range_iter_free(iter);
	if (rc)
		ipam_range_info_dispose(out);
	return rc == IPAM_ITEROVER ? IPAM_ENOTFOUND : rc;
}

struct range_put {
	const ipam_addr *first, *last;
	ipam_range_options *o;
};

static int put_range_fn(apply_ctx *c, void *obj, const char *attrs, int exists)
{
	struct range_put *a = obj;
	int rc = exists ? ipam_range_rm(c->db, a->o->space, a->first, a->last) : 0;
	a->o->attrs_json = attrs;
	return rc ? rc : ipam_range_add(c->db, a->first, a->last, a->o);
}

/* `exclusion`: an excluded span of the pool `it`, with no attributes of its own. */
static int put_range(apply_ctx *c, const ipam__imp_item *it, const ipam_addr *first, const ipam_addr *last,
                     ipam_range_purpose purpose, const char *description, int exclusion)
{
	const char *space = space_of(c, it->space);
	char a[64], b[64], key[140];
	ipam__imp_addr_text(a, first);
	ipam__imp_addr_text(b, last);
	snprintf(key, sizeof key, "%s-%s", a, b);
	int rc = ensure_space(c, it);
	if (rc)
		return refuse(c, it, "vrf", space, rc);
	ipam_range_info have = IPAM_RANGE_INFO_INIT;
	rc = find_range(&have, c, space, first, last);
	if (rc && rc != IPAM_ENOTFOUND)
		return refuse(c, it, "range", key, rc);
	int exists = rc == 0;
	cJSON *want = NULL;
	int diff = 0;
	if (exclusion) {
		cJSON *have_a = cJSON_Parse(exists && have.attrs_json ? have.attrs_json : "{}");
		want = cJSON_CreateObject();
		if (!have_a || !want) {
			cJSON_Delete(have_a);
			cJSON_Delete(want);
			ipam_range_info_dispose(&have);
			return ipam__enomem();
		}
		diff = !cJSON_Compare(have_a, want, 1);
		cJSON_Delete(have_a);
	} else if ((diff = merge_attrs(&want, exists ? have.attrs_json : NULL, it)) < 0) {
		ipam_range_info_dispose(&have);
		return diff;
	}
	ipam_range_options o = IPAM_RANGE_OPTIONS_INIT;
	o.space = space;
	o.purpose = purpose;
	o.description = description ? description : exists ? have.description : NULL;
	int changed = !exists || diff || o.purpose != have.purpose || differs(o.description, have.description);
	struct range_put rp = { first, last, &o };
	rc = settle(c, it, changed, want, exists, "range", key, put_range_fn, &rp);
	ipam_range_info_dispose(&have);
	return rc;
}

static int apply_range(apply_ctx *c, const ipam__imp_item *it)
{
	int rc = put_range(c, it, &it->first, &it->last, range_purpose(it), it->description, 0);
	const cJSON *e;
	cJSON_ArrayForEach(e, it->exclusions)
	{
		ipam_addr a, b;
		const cJSON *s = cJSON_GetObjectItemCaseSensitive(e, "start");
		const cJSON *t = cJSON_GetObjectItemCaseSensitive(e, "end");
		const cJSON *d = cJSON_GetObjectItemCaseSensitive(e, "comment");
		if (rc || !cJSON_IsString(s) || !cJSON_IsString(t) || ipam_addr_parse(&a, s->valuestring) ||
		    ipam_addr_parse(&b, t->valuestring))
			continue;
		rc = put_range(c, it, &a, &b, IPAM_RANGE_EXCLUDED, cJSON_IsString(d) ? d->valuestring : NULL, 1);
	}
	return rc;
}

static ipam_status address_status(const ipam__imp_item *it)
{
	static const struct {
		const char *kind;
		ipam_status st;
	} map[] = { { "dhcp_reservation", IPAM_STATUS_RESERVED },
		    { "reserved", IPAM_STATUS_RESERVED },
		    { "dhcp_lease", IPAM_STATUS_DHCP },
		    { "dhcp", IPAM_STATUS_DHCP },
		    { "dhcp_pool", IPAM_STATUS_DHCP },
		    { "deprecated", IPAM_STATUS_DEPRECATED } };
	for (size_t i = 0; it->kind && i < sizeof map / sizeof map[0]; i++)
		if (!strcmp(it->kind, map[i].kind))
			return map[i].st;
	return IPAM_STATUS_ACTIVE;
}

struct ip_put {
	const ipam_addr *a;
	ipam_ip_options *o;
};

static int put_ip(apply_ctx *c, void *obj, const char *attrs, int exists)
{
	struct ip_put *a = obj;
	a->o->attrs_json = attrs;
	/* a changed address changes in place: its id and creation time stay */
	return exists ? ipam_ip_update(c->db, a->a, IPAM_IP_SET_ALL, a->o) : ipam_ip_add(c->db, a->a, a->o);
}

static int apply_address(apply_ctx *c, ipam__imp_item *it)
{
	uint64_t refused = c->r->skipped.n[IMP_ADDRESS];
	const char *space = space_of(c, it->space);
	char key[64], mac[32] = "", hmac[32] = "";
	ipam__imp_addr_text(key, &it->first);
	int rc = ensure_space(c, it);
	if (rc)
		return refuse(c, it, "vrf", space, rc);
	ipam_ip_info have = IPAM_IP_INFO_INIT;
	int exists = ipam_ip_get(&have, c->db, space, &it->first) == 0;
	cJSON *want = NULL;
	if ((rc = merge_attrs(&want, exists ? have.attrs_json : NULL, it)) < 0) {
		ipam_ip_info_dispose(&have);
		return rc;
	}
	if (it->has_mac)
		ipam_mac_format(mac, sizeof mac, &it->mac);
	if (exists && have.has_mac)
		ipam_mac_format(hmac, sizeof hmac, &have.mac);
	ipam_ip_options o = IPAM_IP_OPTIONS_INIT;
	o.space = space;
	o.status = address_status(it);
	o.hostname = it->hostname ? it->hostname : exists ? have.hostname : NULL;
	o.mac = it->has_mac ? mac : *hmac ? hmac : NULL;
	o.description = it->description ? it->description : exists ? have.description : NULL;
	int changed = !exists || rc || o.status != have.status || ipam__imp_host_differs(o.hostname, have.hostname) ||
	              differs(o.mac, hmac) || differs(o.description, have.description);
	struct ip_put ap = { &it->first, &o };
	rc = settle(c, it, changed, want, exists, "address", key, put_ip, &ap);
	it->applied = !rc && c->r->skipped.n[IMP_ADDRESS] == refused;
	ipam_ip_info_dispose(&have);
	return rc;
}

/* Did this import's own address item give the A/AAAA record's address
 * that host name in `space` (applied, not refused)? Then the store has it
 * so, and need not be asked. */
static int model_gives(apply_ctx *c, const ipam__imp_item *it, const ipam_addr *a, const char *space)
{
	char key[64];
	ipam__imp_addr_text(key, a);
	const ipam__imp_item *ad = ipam__imp_find(c->m, IMP_ADDRESS, it->addr_space ? it->addr_space : it->space, key);
	if (!ad)
		ad = ipam__imp_find(c->m, IMP_ADDRESS, NULL, key); /* the source's global table */
	return ad && ad->applied && ad->hostname && !strcmp(space_of(c, ad->space), space) &&
	       !ipam__imp_host_differs(ad->hostname, it->name);
}

/* A DNS record into the zone of its DNS view (the item's space; NULL: the
 * default view) that holds its owner (include/ipam/dns.h). An A or AAAA record that the address of the same
 * name already gives (records derived from addresses) is unchanged, not a
 * second copy; one no zone holds is skipped and reported. */
static int apply_record(apply_ctx *c, const ipam__imp_item *it)
{
	if (!it->name || !it->rtype || !it->rdata)
		return refuse(c, it, "record", it->name ? it->name : "", ipam__error(IPAM_EINVAL, "an incomplete record"));
	if (it->linked) {
		/* derived from its address now (link.c) */
		(it->linked == 2 ? &c->r->imported : &c->r->unchanged)->n[IMP_RECORD]++;
		return 0;
	}
	if (!strcasecmp(it->rtype, "A") || !strcasecmp(it->rtype, "AAAA")) {
		ipam_addr a;
		ipam_ip_info have = IPAM_IP_INFO_INIT;
		const char *space = space_of(c, it->addr_space ? it->addr_space : it->space);
		int same = ipam_addr_parse(&a, it->rdata) == 0 &&
		           (model_gives(c, it, &a, space) ||
		            (ipam_ip_get(&have, c->db, space, &a) == 0 && have.hostname &&
		             !ipam__imp_host_differs(have.hostname, it->name)));
		ipam_ip_info_dispose(&have);
		if (same) {
			c->r->unchanged.n[IMP_RECORD]++;
			return 0;
		}
	}
	/* the sources write names in rdata without the final dot, and mean
	 * them absolute: a CNAME's, PTR's, NS's target, an MX's or SRV's last
	 * word */
	size_t dl = strlen(it->rdata);
	int named = !strcasecmp(it->rtype, "CNAME") || !strcasecmp(it->rtype, "PTR") || !strcasecmp(it->rtype, "NS") ||
	            !strcasecmp(it->rtype, "MX") || !strcasecmp(it->rtype, "SRV") || !strcasecmp(it->rtype, "DNAME");
	const char *dot = named && dl && it->rdata[dl - 1] != '.' ? "." : "";
	ipam_buf text = IPAM_BUF_INIT;
	int rc = it->ttl >= 0 ? ipam__buf_printf(&text, "%s %ld IN %s %s%s", it->name, it->ttl, it->rtype, it->rdata, dot)
	                      : ipam__buf_printf(&text, "%s IN %s %s%s", it->name, it->rtype, it->rdata, dot);
	int added = 0;
	if (!rc && !c->records)
		rc = ipam__dns_recput_new(&c->records, c->db);
	if (!rc && !(rc = ipam__dns_recput(c->records, it->space, text.ptr, &added)))
		(added ? &c->r->imported : &c->r->unchanged)->n[IMP_RECORD]++;
	else if (rc != IPAM_ENOMEM)
		rc = refuse(c, it, "record", text.ptr ? text.ptr : it->name, rc);
	ipam_buf_dispose(&text);
	return rc;
}

/* A zone of its DNS view (the item's space; NULL: the default view) the
 * store lacks is added, bound to the import's target space, with the SOA and apex NS the file gave; one it
 * has is unchanged (its settings are the store's: a zone file does not
 * override them). */
static int apply_zone(apply_ctx *c, const ipam__imp_item *it)
{
	ipam_zone_options o = IPAM_ZONE_OPTIONS_INIT;
	ipam_buf ns = IPAM_BUF_INIT;
	const cJSON *a = it->attrs, *n;
	int rc = 0;
	cJSON_ArrayForEach(n, cJSON_GetObjectItemCaseSensitive(a, "ns"))
	{
		if ((rc = ipam__buf_printf(&ns, "%s%s", ns.size ? "," : "", cJSON_IsString(n) ? n->valuestring : "")))
			break;
	}
	o.space = space_of(c, NULL);
	o.view = it->space;
	o.ns = ns.ptr;
	o.mname = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(a, "mname"));
	o.rname = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(a, "rname"));
	o.ttl = it->ttl > 0 ? (uint32_t)it->ttl : 0;
	o.refresh = (uint32_t)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(a, "refresh"));
	o.retry = (uint32_t)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(a, "retry"));
	o.expire = (uint32_t)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(a, "expire"));
	o.minimum = (uint32_t)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(a, "minimum"));
	if (!rc) {
		rc = ipam_zone_add(c->db, it->name, &o);
		if (rc == IPAM_EEXISTS) {
			c->r->unchanged.n[IMP_ZONE]++;
			rc = 0;
		} else if (!rc) {
			c->r->imported.n[IMP_ZONE]++;
		} else {
			rc = refuse(c, it, "zone", it->name, rc);
		}
	}
	ipam_buf_dispose(&ns);
	return rc;
}

/* The order of the apply: spaces first, then what lives in them; each
 * kind in the order the sources gave it, but addresses by (space,
 * address): consecutive addresses then share their prefix, which the
 * store updates once per run of them (its parent counters) and whose
 * index pages stay hot. */
typedef struct ordered {
	ipam__imp_item *it;
	size_t i;
} ordered;

static int stage(enum ipam__imp_type t)
{
	static const int rank[IMP_NTYPES] = { [IMP_SPACE] = 0, [IMP_PREFIX] = 1, [IMP_RANGE] = 2,
		                              [IMP_ADDRESS] = 3, [IMP_ZONE] = 4, [IMP_RECORD] = 5 };
	return rank[t];
}

static int ordered_cmp(const void *x, const void *y)
{
	const ordered *a = x, *b = y;
	int c = stage(a->it->type) - stage(b->it->type);
	if (!c && a->it->type == IMP_ADDRESS) {
		c = strcmp(a->it->space ? a->it->space : "", b->it->space ? b->it->space : "");
		c = c ? c : ipam_addr_cmp(&a->it->first, &b->it->first);
	}
	return c ? c : (a->i > b->i) - (a->i < b->i);
}

int ipam__imp_apply(ipam_db *db, ipam__imp_model *m, const ipam__imp_spaces *sp, ipam__imp_result *r)
{
	apply_ctx c = { db, m, sp, r, NULL };
	int rc = 0;
	ordered *v = calloc(m->nitems + 1, sizeof *v);
	if (!v)
		return ipam__enomem();
	for (size_t i = 0; i < m->nitems; i++)
		v[i] = (ordered){ m->items[i], i };
	qsort(v, m->nitems, sizeof *v, ordered_cmp);
	int linked = 0;
	for (size_t i = 0; i < m->nitems && !rc; i++) {
		ipam__imp_item *it = v[i].it;
		if (!(i & 255) && (rc = ipam__cancel_check("import")))
			break;
		if (it->type == IMP_RECORD && m->link_records && !linked++ &&
		    (rc = ipam__imp_link(db, m, space_of(&c, NULL), r)))
			break;
		if (m->progress && ((i + 1) % 512) == 0)
			m->progress(m->progress_ctx, "apply", i + 1, m->nitems);
		switch (it->type) {
		case IMP_SPACE:
			rc = apply_space(&c, it);
			break;
		case IMP_PREFIX:
			rc = apply_prefix(&c, it);
			break;
		case IMP_RANGE:
			rc = apply_range(&c, it);
			break;
		case IMP_ADDRESS:
			rc = apply_address(&c, it);
			break;
		case IMP_ZONE:
			rc = apply_zone(&c, it);
			break;
		default:
			rc = apply_record(&c, it);
			break;
		}
	}
	free(v);
	ipam__dns_recput_free(c.records);
	if (!rc && m->progress)
		m->progress(m->progress_ctx, "apply", m->nitems, m->nitems);
	return rc;
}
