/* Scopes in the store: the scope as an IPAM_STORE_SCOPE object (parent: its
 * space), its pools as ranges (purpose dhcp; exclusions purpose excluded)
 * and its reservations as addresses of status reserved with their MAC, all
 * in one transaction and marked with attrs {"scope": NAME}. So allocation
 * and DHCP share one index: the allocator never hands out an address in a
 * range, and saving refuses a pool over a static address or a reservation
 * on an address someone else uses. */
#include "db/obj.h"
#include "dhcp/dhcp.h"

#include <cjson/cJSON.h>
#include <ipam/ip.h>
#include <ipam/range.h>
#include <stdio.h>
#include <stdlib.h>

int ipam__dhcp_run(ipam_db *db, int (*fn)(ipam_db *, void *), void *ctx)
{
	ipam__db_lock(db);
	bool joined = db->txn != 0; /* ours: a transaction holds the lock */
	ipam__db_unlock(db);
	return joined ? fn(db, ctx) : ipam_db_run(db, fn, ctx);
}

/* Whether attrs JSON names scope `name`. */
static bool ours(const char *attrs, const char *name)
{
	cJSON *j = attrs ? cJSON_Parse(attrs) : NULL;
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, "scope");
	bool yes = cJSON_IsString(v) && strcmp(v->valuestring, name) == 0;
	cJSON_Delete(j);
	return yes;
}

static bool in_pools(const ipam__dhcp_scope *s, const ipam_addr *a)
{
	for (size_t i = 0; i < s->npools; i++) {
		const ipam__dhcp_pool *p = &s->pools[i];
		if (ipam_addr_cmp(a, &p->range.start) < 0 || ipam_addr_cmp(a, &p->range.end) > 0)
			continue;
		bool excluded = false;
		for (size_t j = 0; j < p->nexcl && !excluded; j++)
			excluded = ipam_addr_cmp(a, &p->excl[j].start) >= 0 && ipam_addr_cmp(a, &p->excl[j].end) <= 0;
		if (!excluded)
			return true;
	}
	return false;
}

typedef struct save_ctx {
	const ipam__dhcp_scope *s;
	const char *space;
	char attrs[300]; /* {"scope": NAME} */
	bool removing;   /* scope rm: no new pools or reservations to check */
	bool leases;     /* scope rm: release its leases too */
} save_ctx;

/* Drop this scope's ranges and reserved addresses (and, removing with
 * `leases`, its leases); when saving, check that what is left in the
 * prefix does not clash with the new pools and reservations. */
static int clear_and_check(ipam_db *db, save_ctx *x)
{
	const ipam__dhcp_scope *s = x->s;
	ipam_range_query rq = IPAM_RANGE_QUERY_INIT;
	ipam_range_iter *ri = NULL;
	ipam_range_info r = IPAM_RANGE_INFO_INIT;
	rq.space = x->space;
	rq.within = &s->prefix;
	int rc = ipam_range_iter_new(&ri, db, &rq);
	while (!rc && (rc = ipam_range_iter_next(&r, ri)) == 0)
		if (ours(r.attrs_json, s->name))
			rc = ipam_range_rm(db, x->space, &r.first, &r.last);
	ipam_range_info_dispose(&r);
	ipam_range_iter_free(ri);
	if (rc != IPAM_ITEROVER)
		return rc;
	ipam_ip_query q = IPAM_IP_QUERY_INIT;
	ipam_ip_iter *it = NULL;
	ipam_ip_info a = IPAM_IP_INFO_INIT;
	q.space = x->space;
	q.within = &s->prefix;
	rc = ipam_ip_iter_new(&it, db, &q);
	while (!rc && (rc = ipam_ip_iter_next(&a, it)) == 0) {
		char t[64];
		ipam_addr_format(t, sizeof t, &a.addr);
		if (ours(a.attrs_json, s->name) && a.status == IPAM_STATUS_RESERVED) {
			rc = ipam_ip_release(db, x->space, &a.addr);
		} else if (x->removing) {
			if (x->leases && a.status == IPAM_STATUS_DHCP)
				rc = ipam_ip_release(db, x->space, &a.addr);
		} else if (a.status != IPAM_STATUS_DHCP && in_pools(s, &a.addr)) {
			rc = ipam__error(IPAM_EINUSE, "scope %s: address %s (%s) lies in a pool", s->name, t,
					 ipam_status_name(a.status));
		} else {
			for (size_t i = 0; !rc && i < s->nresv; i++)
				if (ipam_addr_cmp(&s->resv[i].addr, &a.addr) == 0)
					rc = ipam__error(IPAM_EINUSE, "scope %s: reservation %s: the address is in use (%s)",
							 s->name, t, ipam_status_name(a.status));
		}
	}
	ipam_ip_info_dispose(&a);
	ipam_ip_iter_free(it);
	return rc == IPAM_ITEROVER ? 0 : rc;
}

static int remove_txn(ipam_db *db, void *vctx)
{
	save_ctx *x = vctx;
	ipam__scope sc;
	int rc = clear_and_check(db, x);
	if (!rc && !(rc = ipam__enter(db, 1, &sc))) {
		ipam__space *sp = ipam__space_find(db, x->space);
		rc = sp ? ipam__obj_del(db, IPAM_STORE_SCOPE, sp->id, x->s->name, "scope.rm")
			: ipam__error(IPAM_ENOTFOUND, "scope %s: no space %s", x->s->name, x->space ? x->space : "default");
		rc = ipam__leave(db, &sc, rc);
	}
	return rc;
}

int ipam__dhcp_scope_remove(ipam_db *db, const ipam__dhcp_scope *s, const char *space, bool leases)
{
	save_ctx x = {s, space, "", true, leases};
	return ipam__dhcp_run(db, remove_txn, &x);
}

static int add_range(ipam_db *db, save_ctx *x, const ipam__dhcp_range *r, ipam_range_purpose purpose)
{
	ipam_range_options o = IPAM_RANGE_OPTIONS_INIT;
	o.space = x->space;
	o.purpose = purpose;
	o.attrs_json = x->attrs;
	return ipam_range_add(db, &r->start, &r->end, &o);
}

static int save_txn(ipam_db *db, void *vctx)
{
	save_ctx *x = vctx;
	const ipam__dhcp_scope *s = x->s;
	ipam__space *sp;
	ipam__scope sc;
	int rc = clear_and_check(db, x);
	for (size_t i = 0; !rc && i < s->npools; i++) {
		rc = add_range(db, x, &s->pools[i].range, IPAM_RANGE_DHCP);
		for (size_t j = 0; !rc && j < s->pools[i].nexcl; j++)
			rc = add_range(db, x, &s->pools[i].excl[j], IPAM_RANGE_EXCLUDED);
	}
	for (size_t i = 0; !rc && i < s->nresv; i++) {
		const ipam__dhcp_resv *r = &s->resv[i];
		ipam_ip_options o = IPAM_IP_OPTIONS_INIT;
		char mac[32];
		o.space = x->space;
		o.status = IPAM_STATUS_RESERVED;
		o.hostname = r->hostname;
		o.attrs_json = x->attrs;
		if (r->mac.len) {
			ipam_mac_format(mac, sizeof mac, &r->mac);
			o.mac = mac;
		}
		rc = ipam_ip_add(db, &r->addr, &o);
	}
	char *json = NULL;
	if (!rc)
		rc = ipam__dhcp_scope_to_json(&json, s);
	if (!rc && !(rc = ipam__enter(db, 1, &sc))) {
		ipam__obj o;
		memset(&o, 0, sizeof o);
		o.kind = IPAM_STORE_SCOPE;
		o.name = s->name;
		o.description = s->description;
		o.attrs = json;
		if (!(sp = ipam__space_find(db, x->space)))
			rc = ipam__error(IPAM_ENOTFOUND, "scope %s: no space %s", s->name, x->space ? x->space : "default");
		else {
			memcpy(o.parent, sp->id, 16);
			rc = ipam__obj_put(db, &o, 0, "scope.save");
		}
		rc = ipam__leave(db, &sc, rc);
	}
	free(json);
	return rc;
}

int ipam__dhcp_scope_save(ipam_db *db, const ipam__dhcp_scope *s, const char *space)
{
	save_ctx x = {s, space, "", false, false};
	cJSON *a = cJSON_CreateObject();
	char *t = a && cJSON_AddStringToObject(a, "scope", s->name) ? cJSON_PrintUnformatted(a) : NULL;
	cJSON_Delete(a);
	if (!t || strlen(t) >= sizeof x.attrs) {
		cJSON_free(t);
		return t ? ipam__error(IPAM_EINVAL, "scope %s: the name is too long", s->name) : ipam__enomem();
	}
	memcpy(x.attrs, t, strlen(t) + 1);
	cJSON_free(t);
	return ipam__dhcp_run(db, save_txn, &x);
}

int ipam__dhcp_scope_load(ipam_db *db, ipam__dhcp_config *c, const char *space, const char *name,
			  ipam__dhcp_scope **out)
{
	ipam__scope sc;
	int rc = ipam__enter(db, 0, &sc);
	if (rc)
		return rc;
	ipam__space *sp = ipam__space_find(db, space);
	ipam__obj o;
	if (!sp)
		rc = ipam__error(IPAM_ENOTFOUND, "no space %s", space ? space : "default");
	else if ((rc = ipam__obj_get(db, IPAM_STORE_SCOPE, sp->id, name, &o)) == IPAM_ENOTFOUND)
		rc = ipam__error(IPAM_ENOTFOUND, "no scope %s", name);
	else if (!rc)
		rc = ipam__dhcp_scope_from_json(c, name, o.attrs, out);
	return ipam__leave(db, &sc, rc);
}

/* ---- lease sync ----------------------------------------------------------------- */

typedef struct sync_ctx {
	const ipam__dhcp_config *c;
	const ipam__dhcp_leases *l;
	const char *space;
	ipam__dhcp_sync_stats st;
} sync_ctx;

static bool in_a_scope(const ipam__dhcp_config *c, const ipam_addr *a)
{
	for (size_t i = 0; i < c->nscopes; i++)
		if (ipam_prefix_contains(&c->scopes[i]->prefix, a))
			return true;
	return false;
}

static int add_lease(ipam_db *db, sync_ctx *x, const ipam__dhcp_lease *l)
{
	ipam_ip_options o = IPAM_IP_OPTIONS_INIT;
	char mac[32], attrs[160];
	o.space = x->space;
	o.status = IPAM_STATUS_DHCP;
	o.hostname = l->hostname;
	if (l->mac.len) {
		ipam_mac_format(mac, sizeof mac, &l->mac);
		o.mac = mac;
	}
	snprintf(attrs, sizeof attrs, "{\"lease\": {\"starts\": %lld, \"ends\": %lld, \"subnet_id\": %u}}",
		 (long long)l->starts, (long long)l->ends, (unsigned)l->subnet_id);
	o.attrs_json = attrs;
	int rc = ipam_ip_add(db, &l->addr, &o);
	if (rc == IPAM_EINVAL) /* a hostname the address rules refuse: keep the lease without it */
		o.hostname = NULL, rc = ipam_ip_add(db, &l->addr, &o);
	return rc;
}

/* Note a lease change for the DNS that follows it: "ADDR [HOSTNAME]". */
static int changed(sync_ctx *x, const ipam_addr *a, const char *hostname)
{
	if (!x->st.changed)
		return 0;
	char t[IPAM_ADDR_STRLEN];
	ipam_addr_format(t, sizeof t, a);
	return ipam__buf_printf(x->st.changed, "%s %s\n", t, hostname ? hostname : "");
}

static int sync_txn(ipam_db *db, void *vctx)
{
	sync_ctx *x = vctx;
	ipam_buf *ch = x->st.changed;
	memset(&x->st, 0, sizeof x->st);
	x->st.changed = ch;
	if (ch && ch->size) /* a retry starts over */
		ch->size = 0, ch->ptr[0] = 0;
	int rc = 0;
	/* leases in IPAM that the server no longer has (or has as inactive) go */
	for (size_t i = 0; !rc && i < x->c->nscopes; i++) {
		ipam_ip_query q = IPAM_IP_QUERY_INIT;
		ipam_ip_iter *it = NULL;
		ipam_ip_info a = IPAM_IP_INFO_INIT;
		q.space = x->space;
		q.within = &x->c->scopes[i]->prefix;
		rc = ipam_ip_iter_new(&it, db, &q);
		while (!rc && (rc = ipam_ip_iter_next(&a, it)) == 0) {
			const ipam__dhcp_lease *l = ipam__dhcp_leases_find(x->l, &a.addr);
			if (a.status == IPAM_STATUS_DHCP && (!l || !l->active)) {
				rc = changed(x, &a.addr, a.hostname);
				if (!rc)
					rc = ipam_ip_release(db, x->space, &a.addr);
				x->st.released++;
			}
		}
		ipam_ip_info_dispose(&a);
		ipam_ip_iter_free(it);
		if (rc == IPAM_ITEROVER)
			rc = 0;
	}
	for (size_t i = 0; !rc && i < x->l->n; i++) {
		const ipam__dhcp_lease *l = &x->l->v[i];
		if (!l->active || !in_a_scope(x->c, &l->addr))
			continue;
		ipam_ip_info a = IPAM_IP_INFO_INIT;
		int got = ipam_ip_get(&a, db, x->space, &l->addr);
		if (got == 0 && a.status != IPAM_STATUS_DHCP) {
			x->st.skipped++; /* a static or reserved address: IPAM's word stands */
		} else if (got == 0) {
			bool same = (!a.hostname && !l->hostname) ||
				    (a.hostname && l->hostname && !strcmp(a.hostname, l->hostname));
			if (!same && !(rc = changed(x, &l->addr, a.hostname)))
				rc = changed(x, &l->addr, l->hostname);
			if (!rc && !(rc = ipam_ip_release(db, x->space, &l->addr)) && !(rc = add_lease(db, x, l)))
				x->st.updated++;
		} else if (got == IPAM_ENOTFOUND) {
			if (!(rc = changed(x, &l->addr, l->hostname)) && !(rc = add_lease(db, x, l)))
				x->st.added++;
		} else {
			rc = got;
		}
		ipam_ip_info_dispose(&a);
	}
	return rc;
}

int ipam__dhcp_lease_sync(ipam_db *db, const ipam__dhcp_config *c, const char *space, const ipam__dhcp_leases *l,
			  ipam__dhcp_sync_stats *stats)
{
	sync_ctx x = {c, l, space, {0, 0, 0, 0, stats ? stats->changed : NULL}};
	int rc = ipam__dhcp_run(db, sync_txn, &x);
	if (!rc && stats)
		*stats = x.st;
	return rc;
}

/* ---- option sets: the global one and the templates -------------------------------- */

#define GLOBAL_SET "(global)" /* not a template name: those take no parentheses */

/* The global set's attrs: both families' options, the lease times and the
 * custom and vendor definitions (read first, as every option needs them). */
static int global_json(char **out, const ipam__dhcp_config *c)
{
	ipam__dhcp_optset both = {0};
	char *opts = NULL;
	int rc = ipam__dhcp_optset_overlay(&both, &c->global4, &c->global6, 0);
	if (!rc)
		rc = ipam__dhcp_optset_to_json(&opts, &both);
	ipam__dhcp_optset_free(&both);
	cJSON *root = rc ? NULL : cJSON_Parse(opts), *defs;
	free(opts);
	if (!root || !cJSON_AddNumberToObject(root, "valid4", c->valid4) ||
	    !cJSON_AddNumberToObject(root, "valid6", c->valid6) || !(defs = cJSON_AddArrayToObject(root, "defs"))) {
		cJSON_Delete(root);
		return rc ? rc : ipam__enomem();
	}
	for (size_t i = 0; i < c->ndefs; i++) {
		const ipam__dhcp_optdef *d = &c->defs[i];
		char type[16];
		snprintf(type, sizeof type, "%s%s", ipam__dhcp_type_name(d->type), d->array ? "[]" : "");
		cJSON *e = cJSON_CreateObject();
		if (!e || !cJSON_AddItemToArray(defs, e) || !cJSON_AddStringToObject(e, "name", d->name) ||
		    !cJSON_AddNumberToObject(e, "code", d->code) ||
		    !cJSON_AddNumberToObject(e, "family", d->family == IPAM_AF_INET ? 4 : 6) ||
		    !cJSON_AddNumberToObject(e, "vendor", d->vendor) || !cJSON_AddStringToObject(e, "type", type)) {
			cJSON_Delete(root);
			return ipam__enomem();
		}
	}
	*out = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	return *out ? 0 : ipam__enomem();
}

static int put_set(ipam_db *db, const char *name, const char *json)
{
	ipam__obj o;
	memset(&o, 0, sizeof o);
	o.kind = IPAM_STORE_OPTION_SET;
	o.name = name;
	o.attrs = json;
	return ipam__obj_put(db, &o, 0, "option-set.save");
}

static int sets_txn(ipam_db *db, void *vctx)
{
	const ipam__dhcp_config *c = vctx;
	ipam__scope sc;
	char *json = NULL;
	int rc = ipam__enter(db, 1, &sc);
	if (rc)
		return rc;
	if (!(rc = global_json(&json, c)))
		rc = put_set(db, GLOBAL_SET, json);
	free(json);
	for (size_t i = 0; !rc && i < c->ntemplates; i++) {
		json = NULL;
		if (!(rc = ipam__dhcp_optset_to_json(&json, &c->templates[i].opts)))
			rc = put_set(db, c->templates[i].name, json);
		free(json);
	}
	return ipam__leave(db, &sc, rc);
}

int ipam__dhcp_option_sets_save(ipam_db *db, const ipam__dhcp_config *c)
{
	return ipam__dhcp_run(db, sets_txn, (void *)c);
}

typedef struct load_ctx {
	ipam__dhcp_config *c;
} load_ctx;

static int load_template(void *vctx, const ipam__obj *o)
{
	load_ctx *x = vctx;
	ipam__dhcp_template *t;
	char what[200];
	if (!strcmp(o->name, GLOBAL_SET))
		return 0;
	snprintf(what, sizeof what, "option template %s", o->name);
	int rc = ipam__dhcp_template_add(x->c, o->name, &t);
	return rc ? rc : ipam__dhcp_optset_from_json(x->c, &t->opts, o->attrs, what);
}

int ipam__dhcp_option_sets_load(ipam_db *db, ipam__dhcp_config *c)
{
	static const uint8_t none[16];
	ipam__scope sc;
	ipam__obj g;
	int rc = ipam__enter(db, 0, &sc);
	if (rc)
		return rc;
	if ((rc = ipam__obj_get(db, IPAM_STORE_OPTION_SET, none, GLOBAL_SET, &g)) == 0) {
		cJSON *root = cJSON_Parse(g.attrs ? g.attrs : "{}");
		const cJSON *e;
		cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(root, "defs"))
		{
			const cJSON *n = cJSON_GetObjectItemCaseSensitive(e, "name"), *t = cJSON_GetObjectItemCaseSensitive(e, "type");
			const cJSON *code = cJSON_GetObjectItemCaseSensitive(e, "code");
			const cJSON *fam = cJSON_GetObjectItemCaseSensitive(e, "family");
			const cJSON *ven = cJSON_GetObjectItemCaseSensitive(e, "vendor");
			if (!rc && (!cJSON_IsString(n) || !cJSON_IsString(t) || !cJSON_IsNumber(code)))
				rc = ipam__error(IPAM_EINVAL, "stored option definitions: a definition lacks its name, type or code");
			if (!rc)
				rc = ipam__dhcp_def_add(c, cJSON_IsNumber(fam) && fam->valueint == 6 ? IPAM_AF_INET6 : IPAM_AF_INET,
							cJSON_IsNumber(ven) ? (uint32_t)ven->valuedouble : 0,
							(uint16_t)code->valueint, n->valuestring, t->valuestring);
		}
		const cJSON *v4 = cJSON_GetObjectItemCaseSensitive(root, "valid4");
		const cJSON *v6 = cJSON_GetObjectItemCaseSensitive(root, "valid6");
		c->valid4 = cJSON_IsNumber(v4) ? (uint32_t)v4->valuedouble : 0;
		c->valid6 = cJSON_IsNumber(v6) ? (uint32_t)v6->valuedouble : 0;
		cJSON_Delete(root);
		/* both families' options in one list: each goes to its own set */
		ipam__dhcp_optset both = {0};
		if (!rc)
			rc = ipam__dhcp_optset_from_json(c, &both, g.attrs, "global options");
		if (!rc)
			rc = ipam__dhcp_optset_overlay(&c->global4, NULL, &both, IPAM_AF_INET);
		if (!rc)
			rc = ipam__dhcp_optset_overlay(&c->global6, NULL, &both, IPAM_AF_INET6);
		ipam__dhcp_optset_free(&both);
	} else if (rc == IPAM_ENOTFOUND) {
		rc = 0;
	}
	load_ctx x = {c};
	if (!rc)
		rc = ipam__obj_each(db, IPAM_STORE_OPTION_SET, none, load_template, &x);
	return ipam__leave(db, &sc, rc);
}
