/* Rendering: Kea Dhcp4/Dhcp6 JSON merged into a server's own config, and
 * ISC dhcpd.conf. */
#include "dhcp/dhcp.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>

#ifndef IPAM_KEA_HOOKS_DIR
#define IPAM_KEA_HOOKS_DIR "/usr/lib/x86_64-linux-gnu/kea/hooks"
#endif

/* Whether scope `s` goes to `server` (NULL: every server). */
static bool serves(const ipam__dhcp_scope *s, const char *server)
{
	if (!server)
		return true;
	for (size_t i = 0; i < s->nservers; i++)
		if (strcmp(s->servers[i], server) == 0)
			return true;
	return false;
}

/* A pool with its exclusions cut out: the leasable pieces, in order.
 * Calls `fn` for each; stops at the first non-zero return. */
static int pool_pieces(const ipam__dhcp_pool *p, int (*fn)(void *ctx, const ipam_addr *a, const ipam_addr *b),
		       void *ctx)
{
	ipam_addr cur = p->range.start;
	bool done = false;
	for (size_t i = 0; i < p->nexcl && !done; i++) {
		const ipam__dhcp_range *x = &p->excl[i];
		if (ipam_addr_cmp(&x->start, &cur) > 0) {
			ipam_addr last;
			ipam_addr_prev(&last, &x->start);
			int rc = fn(ctx, &cur, &last);
			if (rc)
				return rc;
		}
		if (ipam_addr_cmp(&x->end, &p->range.end) >= 0 || ipam_addr_next(&cur, &x->end))
			done = true;
	}
	return done ? 0 : fn(ctx, &cur, &p->range.end);
}

/* ---- Kea ---------------------------------------------------------------------- */

static const char *kea_type(const ipam__dhcp_optdef *d)
{
	static const char *const names[] = {NULL, "string", "uint8", "uint16", "uint32", "boolean", "fqdn", "binary"};
	if (d->type == IPAM__DHCP_IP)
		return d->family == IPAM_AF_INET ? "ipv4-address" : "ipv6-address";
	return names[d->type];
}

static void space_name(char *out, size_t size, const ipam__dhcp_optdef *d)
{
	if (d->vendor)
		snprintf(out, size, "vendor-%u", (unsigned)d->vendor);
	else
		snprintf(out, size, "%s", d->family == IPAM_AF_INET ? "dhcp4" : "dhcp6");
}

/* Kea reads option data as comma-separated fields: a comma inside one
 * string field is escaped. */
static char *kea_data(const ipam__dhcp_opt *o)
{
	ipam_buf b = IPAM_BUF_INIT;
	if (o->def->type != IPAM__DHCP_STRING)
		return ipam__strdup(o->value);
	for (const char *p = o->value; *p; p++)
		if ((*p == ',' ? ipam__buf_put(&b, "\\,", 2) : ipam__buf_put(&b, p, 1)))
			break;
	return b.ptr ? b.ptr : ipam__strdup("");
}

static int kea_opts(cJSON *obj, const ipam__dhcp_optset *s)
{
	if (!s || s->n == 0)
		return 0;
	cJSON *arr = cJSON_AddArrayToObject(obj, "option-data");
	if (!arr)
		return ipam__enomem();
	uint32_t vendors[16];
	size_t nv = 0;
	for (size_t i = 0; i < s->n; i++) {
		const ipam__dhcp_opt *o = &s->v[i];
		char space[32];
		char *data = kea_data(o);
		cJSON *e = cJSON_CreateObject();
		space_name(space, sizeof space, o->def);
		if (!data || !e || !cJSON_AddStringToObject(e, "name", o->def->name) ||
		    !cJSON_AddNumberToObject(e, "code", o->def->code) || !cJSON_AddStringToObject(e, "space", space) ||
		    !cJSON_AddStringToObject(e, "data", data) ||
		    (o->def->type == IPAM__DHCP_BINARY && !cJSON_AddFalseToObject(e, "csv-format")) ||
		    !cJSON_AddItemToArray(arr, e)) {
			free(data);
			cJSON_Delete(e);
			return ipam__enomem();
		}
		free(data);
		if (o->def->vendor) {
			size_t k = 0;
			while (k < nv && vendors[k] != o->def->vendor)
				k++;
			if (k == nv && nv < sizeof vendors / sizeof vendors[0])
				vendors[nv++] = o->def->vendor;
		}
	}
	/* vendor options travel in option 125 (v4) / 17 (v6) of their enterprise */
	for (size_t k = 0; k < nv; k++) {
		bool v4 = s->v[0].def->family == IPAM_AF_INET;
		char num[16];
		snprintf(num, sizeof num, "%u", (unsigned)vendors[k]);
		cJSON *e = cJSON_CreateObject();
		if (!e || !cJSON_AddStringToObject(e, "name", v4 ? "vivso-suboptions" : "vendor-opts") ||
		    !cJSON_AddNumberToObject(e, "code", v4 ? 125 : 17) ||
		    !cJSON_AddStringToObject(e, "space", v4 ? "dhcp4" : "dhcp6") ||
		    !cJSON_AddStringToObject(e, "data", num) || !cJSON_AddItemToArray(arr, e)) {
			cJSON_Delete(e);
			return ipam__enomem();
		}
	}
	return 0;
}

/* Add the keys of `extra` (a JSON object libipam keeps for Kea, such as
 * next-server) that `obj` does not have yet. */
static int add_extra(cJSON *obj, const char *extra)
{
	if (!extra)
		return 0;
	cJSON *x = cJSON_ParseWithLengthOpts(extra, strlen(extra), NULL, 0), *k;
	if (!cJSON_IsObject(x)) {
		cJSON_Delete(x);
		return 0; /* checked when it was stored */
	}
	while ((k = x->child)) {
		cJSON_DetachItemViaPointer(x, k);
		cJSON *have = cJSON_GetObjectItemCaseSensitive(obj, k->string), *sub;
		if (!have) {
			cJSON_AddItemToObject(obj, k->string, k);
			continue;
		}
		/* one level down (the user context holds libipam's mark and the user's keys) */
		while (cJSON_IsObject(have) && cJSON_IsObject(k) && (sub = k->child)) {
			cJSON_DetachItemViaPointer(k, sub);
			if (cJSON_GetObjectItemCaseSensitive(have, sub->string))
				cJSON_Delete(sub);
			else
				cJSON_AddItemToObject(have, sub->string, sub);
		}
		cJSON_Delete(k);
	}
	cJSON_Delete(x);
	return 0;
}

typedef struct kea_pool_ctx {
	cJSON *pools;
	const ipam__dhcp_pool *pool;
} kea_pool_ctx;

static int kea_pool(void *vctx, const ipam_addr *a, const ipam_addr *b)
{
	kea_pool_ctx *ctx = vctx;
	char sa[64], sb[64], text[140];
	ipam_addr_format(sa, sizeof sa, a);
	ipam_addr_format(sb, sizeof sb, b);
	snprintf(text, sizeof text, "%s-%s", sa, sb); /* as Kea writes it back */
	cJSON *e = cJSON_CreateObject();
	if (!e || !cJSON_AddStringToObject(e, "pool", text) || kea_opts(e, &ctx->pool->opts) ||
	    add_extra(e, ctx->pool->extra) ||
	    !cJSON_AddItemToArray(ctx->pools, e)) {
		cJSON_Delete(e);
		return ipam__enomem();
	}
	return 0;
}

static int add_u32(cJSON *obj, const char *key, uint32_t v)
{
	return v && !cJSON_AddNumberToObject(obj, key, v) ? ipam__enomem() : 0;
}

static cJSON *kea_subnet(const ipam__dhcp_config *c, const ipam__dhcp_scope *s)
{
	bool v6 = s->prefix.addr.family == IPAM_AF_INET6;
	char pfx[64], addr[64];
	ipam__dhcp_optset opts = {0};
	ipam__dhcp_optset own = {0};
	ipam_prefix_format(pfx, sizeof pfx, &s->prefix);
	cJSON *sn = cJSON_CreateObject(), *uc, *mark, *pools, *resv;
	const ipam__dhcp_template *t = ipam__dhcp_template_find(c, s->template_name);
	/* the template is resolved here (Kea has no option templates); the
	 * global options stay global in Kea, which inherits them itself */
	int rc = !sn ? ipam__enomem() : ipam__dhcp_optset_overlay(&own, t ? &t->opts : NULL, &s->opts, s->prefix.addr.family);
	if (rc || !cJSON_AddNumberToObject(sn, "id", s->id) || !cJSON_AddStringToObject(sn, "subnet", pfx) ||
	    add_u32(sn, "valid-lifetime", s->valid) || add_u32(sn, "renew-timer", s->renew) ||
	    add_u32(sn, "rebind-timer", s->rebind) || (v6 && add_u32(sn, "preferred-lifetime", s->preferred)) ||
	    !(pools = cJSON_AddArrayToObject(sn, "pools")))
		goto fail;
	for (size_t i = 0; i < s->npools; i++) {
		kea_pool_ctx ctx = {pools, &s->pools[i]};
		if (pool_pieces(&s->pools[i], kea_pool, &ctx))
			goto fail;
	}
	if (kea_opts(sn, &own) || !(resv = cJSON_AddArrayToObject(sn, "reservations")))
		goto fail;
	for (size_t i = 0; i < s->nresv; i++) {
		const ipam__dhcp_resv *r = &s->resv[i];
		cJSON *e = cJSON_CreateObject();
		if (!e || !cJSON_AddItemToArray(resv, e))
			goto fail_e;
		char mac[32];
		if (r->mac.len) {
			ipam_mac_format(mac, sizeof mac, &r->mac);
			if (!cJSON_AddStringToObject(e, "hw-address", mac))
				goto fail;
		} else if (!cJSON_AddStringToObject(e, r->duid ? "duid" : r->circuit_id ? "circuit-id" : "client-id",
						    r->duid ? r->duid : r->circuit_id ? r->circuit_id : r->client_id)) {
			goto fail;
		}
		ipam_addr_format(addr, sizeof addr, &r->addr);
		if (v6) {
			cJSON *list = cJSON_AddArrayToObject(e, "ip-addresses");
			if (!list || !cJSON_AddItemToArray(list, cJSON_CreateString(addr)))
				goto fail;
		} else if (!cJSON_AddStringToObject(e, "ip-address", addr)) {
			goto fail;
		}
		if ((r->hostname && !cJSON_AddStringToObject(e, "hostname", r->hostname)) || kea_opts(e, &r->opts))
			goto fail;
		continue;
	fail_e:
		cJSON_Delete(e);
		goto fail;
	}
	if (!(uc = cJSON_AddObjectToObject(sn, "user-context")) || !(mark = cJSON_AddObjectToObject(uc, "libipam")) ||
	    !cJSON_AddStringToObject(mark, "scope", s->name) ||
	    (s->description && !cJSON_AddStringToObject(uc, "description", s->description)) ||
	    add_extra(sn, s->extra))
		goto fail;
	ipam__dhcp_optset_free(&own);
	ipam__dhcp_optset_free(&opts);
	return sn;
fail:
	ipam__dhcp_optset_free(&own);
	ipam__dhcp_optset_free(&opts);
	cJSON_Delete(sn);
	if (!rc)
		ipam__enomem();
	return NULL;
}

/* The subnets libipam renders, for the merge: sorted by prefix (they are
 * disjoint, so an overlap check looks at two neighbours) with their ids
 * sorted apart, so that each subnet of the base costs O(log n). */
typedef struct ours_index {
	struct pfx_entry {
		ipam_prefix p;
		const char *scope;
	} *by_pfx;
	struct id_entry {
		double id;
		const char *scope;
	} *by_id;
	size_t n;
} ours_index;

static int cmp_pfx(const void *a, const void *b)
{
	const ipam_addr *x = &((const struct pfx_entry *)a)->p.addr, *y = &((const struct pfx_entry *)b)->p.addr;
	return ipam_addr_cmp(x, y);
}

static int cmp_id(const void *a, const void *b)
{
	double x = ((const struct id_entry *)a)->id, y = ((const struct id_entry *)b)->id;
	return (x > y) - (x < y);
}

static int index_ours(ours_index *ix, const ipam__dhcp_config *c, unsigned family, const char *server)
{
	memset(ix, 0, sizeof *ix);
	ix->by_pfx = calloc(c->nscopes + 1, sizeof *ix->by_pfx);
	ix->by_id = calloc(c->nscopes + 1, sizeof *ix->by_id);
	if (!ix->by_pfx || !ix->by_id)
		return ipam__enomem();
	for (size_t i = 0; i < c->nscopes; i++) {
		const ipam__dhcp_scope *s = c->scopes[i];
		if (s->prefix.addr.family != family || !serves(s, server))
			continue;
		ix->by_pfx[ix->n] = (struct pfx_entry){s->prefix, s->name};
		ix->by_id[ix->n++] = (struct id_entry){s->id, s->name};
	}
	qsort(ix->by_pfx, ix->n, sizeof *ix->by_pfx, cmp_pfx);
	qsort(ix->by_id, ix->n, sizeof *ix->by_id, cmp_id);
	return 0;
}

static void index_free(ours_index *ix)
{
	free(ix->by_pfx);
	free(ix->by_id);
}

/* The first entry whose start is > p's start. */
static size_t pfx_upper(const ours_index *ix, const ipam_prefix *p)
{
	size_t lo = 0, hi = ix->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (ipam_addr_cmp(&ix->by_pfx[mid].p.addr, &p->addr) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Whether a subnet of the base is libipam's: marked, or on one of the
 * rendered prefixes (adopted: replaced by the scope). */
static bool managed_subnet(const cJSON *sn, const ours_index *ix)
{
	const cJSON *uc = cJSON_GetObjectItemCaseSensitive(sn, "user-context");
	if (cJSON_GetObjectItemCaseSensitive(uc, "libipam"))
		return true;
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(sn, "subnet");
	ipam_prefix a;
	if (!cJSON_IsString(p) || ipam_prefix_parse(&a, p->valuestring, IPAM_PARSE_NORMALIZE))
		return false;
	size_t up = pfx_upper(ix, &a);
	return up > 0 && ipam_prefix_cmp(&ix->by_pfx[up - 1].p, &a) == 0;
}

/* A subnet kept from the base must not take an id or overlap a prefix of ours. */
static int check_kept(const cJSON *sn, const ours_index *ix, const char *where)
{
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(sn, "id");
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(sn, "subnet");
	if (cJSON_IsNumber(id)) {
		struct id_entry key = {id->valuedouble, NULL};
		const struct id_entry *hit = bsearch(&key, ix->by_id, ix->n, sizeof key, cmp_id);
		if (hit)
			return ipam__error(IPAM_EEXISTS, "%s subnet %s (not libipam's) has id %d, scope %s's", where,
					   cJSON_IsString(p) ? p->valuestring : "?", id->valueint, hit->scope);
	}
	ipam_prefix a;
	if (!cJSON_IsString(p) || ipam_prefix_parse(&a, p->valuestring, IPAM_PARSE_NORMALIZE))
		return 0;
	size_t up = pfx_upper(ix, &a);
	ipam_addr last;
	ipam_prefix_last(&last, &a);
	const struct pfx_entry *hit = NULL;
	if (up > 0 && ipam_prefix_covers(&ix->by_pfx[up - 1].p, &a))
		hit = &ix->by_pfx[up - 1];
	else if (up < ix->n && ipam_addr_cmp(&ix->by_pfx[up].p.addr, &last) <= 0)
		hit = &ix->by_pfx[up];
	else if (up > 0 && ipam_prefix_contains(&a, &ix->by_pfx[up - 1].p.addr))
		hit = &ix->by_pfx[up - 1];
	if (hit) {
		char t[64];
		ipam_prefix_format(t, sizeof t, &hit->p);
		return ipam__error(IPAM_EEXISTS, "%s subnet %s (not libipam's) overlaps scope %s (%s)", where,
				   p->valuestring, hit->scope, t);
	}
	return 0;
}

/* Subnets in id order (those without an id last, in their order), as Kea
 * keeps them, so a server's config-get reads the same as what was sent. */
typedef struct sn_entry {
	double id;
	size_t seq;
	cJSON *item;
} sn_entry;

static int cmp_sn(const void *a, const void *b)
{
	const sn_entry *x = a, *y = b;
	if (x->id != y->id)
		return (x->id > y->id) - (x->id < y->id);
	return (x->seq > y->seq) - (x->seq < y->seq);
}

static int sort_subnets(cJSON *subnets)
{
	size_t n = (size_t)cJSON_GetArraySize(subnets), i = 0;
	sn_entry *v = calloc(n + 1, sizeof *v);
	if (!v)
		return ipam__enomem();
	cJSON *e;
	cJSON_ArrayForEach(e, subnets)
	{
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(e, "id");
		v[i] = (sn_entry){cJSON_IsNumber(id) ? id->valuedouble : 1e300, i, e};
		i++;
	}
	qsort(v, n, sizeof *v, cmp_sn);
	subnets->child = NULL;
	for (i = 0; i < n; i++) {
		v[i].item->next = NULL;
		v[i].item->prev = NULL;
		cJSON_AddItemToArray(subnets, v[i].item);
	}
	free(v);
	return 0;
}

/* Replace in `arr` the entries with the same code and space as those of
 * `ours` (which are moved over). */
static int merge_by_code(cJSON *parent, const char *key, cJSON *ours)
{
	cJSON *arr = cJSON_GetObjectItemCaseSensitive(parent, key);
	if (!ours || cJSON_GetArraySize(ours) == 0) {
		cJSON_Delete(ours);
		return 0;
	}
	if (!arr) {
		cJSON_AddItemToObject(parent, key, ours);
		return 0;
	}
	if (!cJSON_IsArray(arr)) {
		cJSON_Delete(ours);
		return ipam__error(IPAM_EINVAL, "base config: %s is not a list", key);
	}
	cJSON *o;
	cJSON_ArrayForEach(o, ours)
	{
		const cJSON *code = cJSON_GetObjectItemCaseSensitive(o, "code");
		const cJSON *space = cJSON_GetObjectItemCaseSensitive(o, "space");
		const cJSON *name = cJSON_GetObjectItemCaseSensitive(o, "name");
		for (int i = cJSON_GetArraySize(arr) - 1; i >= 0; i--) {
			const cJSON *e = cJSON_GetArrayItem(arr, i);
			const cJSON *ec = cJSON_GetObjectItemCaseSensitive(e, "code");
			const cJSON *es = cJSON_GetObjectItemCaseSensitive(e, "space");
			const cJSON *en = cJSON_GetObjectItemCaseSensitive(e, "name");
			bool same_space = es ? cJSON_IsString(es) && !strcmp(es->valuestring, space->valuestring)
					     : !strncmp(space->valuestring, "dhcp", 4);
			bool same = same_space && ((cJSON_IsNumber(ec) && ec->valueint == code->valueint) ||
						   (cJSON_IsString(en) && !strcmp(en->valuestring, name->valuestring)));
			if (same)
				cJSON_DeleteItemFromArray(arr, i);
		}
	}
	while (cJSON_GetArraySize(ours))
		cJSON_AddItemToArray(arr, cJSON_DetachItemFromArray(ours, 0));
	cJSON_Delete(ours);
	return 0;
}

static bool ends_with(const char *s, const char *tail)
{
	size_t a = strlen(s), b = strlen(tail);
	return a >= b && strcmp(s + a - b, tail) == 0;
}

/* The HA hook for `server` when it is one of an HA pair of the family. */
static int kea_ha(cJSON *dhcp, const ipam__dhcp_config *c, unsigned family, const char *server)
{
	const ipam__dhcp_scope *pair = NULL;
	for (size_t i = 0; server && i < c->nscopes && !pair; i++) {
		const ipam__dhcp_scope *s = c->scopes[i];
		if (s->ha_primary && s->prefix.addr.family == family &&
		    (!strcmp(s->ha_primary, server) || !strcmp(s->ha_standby, server)))
			pair = s;
	}
	if (!pair)
		return 0;
	const char *dir = c->hooks_dir ? c->hooks_dir : IPAM_KEA_HOOKS_DIR;
	char lease_lib[512], ha_lib[512];
	snprintf(lease_lib, sizeof lease_lib, "%s/libdhcp_lease_cmds.so", dir);
	snprintf(ha_lib, sizeof ha_lib, "%s/libdhcp_ha.so", dir);
	cJSON *hooks = cJSON_GetObjectItemCaseSensitive(dhcp, "hooks-libraries");
	if (!hooks)
		hooks = cJSON_AddArrayToObject(dhcp, "hooks-libraries");
	if (!cJSON_IsArray(hooks))
		return ipam__error(IPAM_EINVAL, "base config: hooks-libraries is not a list");
	bool have_lease = false;
	for (int i = cJSON_GetArraySize(hooks) - 1; i >= 0; i--) {
		const cJSON *lib = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(hooks, i), "library");
		if (!cJSON_IsString(lib))
			continue;
		if (ends_with(lib->valuestring, "/libdhcp_ha.so"))
			cJSON_DeleteItemFromArray(hooks, i);
		else if (ends_with(lib->valuestring, "/libdhcp_lease_cmds.so"))
			have_lease = true;
	}
	cJSON *e, *params, *ha, *one, *peers;
	if (!have_lease && (!(e = cJSON_CreateObject()) || !cJSON_AddItemToArray(hooks, e) ||
			    !cJSON_AddStringToObject(e, "library", lease_lib)))
		return ipam__enomem();
	if (!(e = cJSON_CreateObject()) || !cJSON_AddItemToArray(hooks, e) ||
	    !cJSON_AddStringToObject(e, "library", ha_lib) || !(params = cJSON_AddObjectToObject(e, "parameters")) ||
	    !(ha = cJSON_AddArrayToObject(params, "high-availability")) || !(one = cJSON_CreateObject()) ||
	    !cJSON_AddItemToArray(ha, one) || !cJSON_AddStringToObject(one, "this-server-name", server) ||
	    !cJSON_AddStringToObject(one, "mode", "hot-standby") || !cJSON_AddNumberToObject(one, "heartbeat-delay", 10000) ||
	    !cJSON_AddNumberToObject(one, "max-response-delay", 60000) ||
	    !cJSON_AddNumberToObject(one, "max-ack-delay", 10000) ||
	    !cJSON_AddNumberToObject(one, "max-unacked-clients", 0) || !(peers = cJSON_AddArrayToObject(one, "peers")))
		return ipam__enomem();
	const char *names[2] = {pair->ha_primary, pair->ha_standby}, *roles[2] = {"primary", "standby"};
	for (int i = 0; i < 2; i++) {
		const ipam__dhcp_server *sv = ipam__dhcp_server_find(c, names[i]);
		cJSON *p = cJSON_CreateObject();
		if (!p || !cJSON_AddItemToArray(peers, p) || !cJSON_AddStringToObject(p, "name", names[i]) ||
		    !cJSON_AddStringToObject(p, "url", sv->url) || !cJSON_AddStringToObject(p, "role", roles[i]) ||
		    !cJSON_AddTrueToObject(p, "auto-failover"))
			return ipam__enomem();
	}
	return 0;
}

static cJSON *kea_defs(const ipam__dhcp_config *c, unsigned family)
{
	cJSON *arr = cJSON_CreateArray();
	for (size_t i = 0; arr && i < c->ndefs; i++) {
		const ipam__dhcp_optdef *d = &c->defs[i];
		char space[32];
		if (d->family != family)
			continue;
		space_name(space, sizeof space, d);
		cJSON *e = cJSON_CreateObject();
		if (!e || !cJSON_AddItemToArray(arr, e) || !cJSON_AddStringToObject(e, "name", d->name) ||
		    !cJSON_AddNumberToObject(e, "code", d->code) || !cJSON_AddStringToObject(e, "type", kea_type(d)) ||
		    !cJSON_AddBoolToObject(e, "array", d->array) || !cJSON_AddStringToObject(e, "space", space)) {
			cJSON_Delete(e);
			cJSON_Delete(arr);
			return NULL;
		}
	}
	return arr;
}

int ipam__dhcp_render_kea(ipam_buf *out, const ipam__dhcp_config *c, unsigned family, const char *server,
			  const char *base)
{
	const char *top = family == IPAM_AF_INET ? "Dhcp4" : "Dhcp6";
	const char *subnets_key = family == IPAM_AF_INET ? "subnet4" : "subnet6";
	int rc = ipam__dhcp_config_check(c);
	if (rc)
		return rc;
	if (server && !ipam__dhcp_server_find(c, server))
		return ipam__error(IPAM_ENOTFOUND, "no server %s", server);
	cJSON *root = NULL, *ours = cJSON_CreateArray();
	if (!ours)
		return ipam__enomem();
	if (base) {
		const char *end = NULL;
		root = cJSON_ParseWithLengthOpts(base, strlen(base), &end, 0);
		if (!root || !cJSON_IsObject(root)) {
			cJSON_Delete(root);
			cJSON_Delete(ours);
			return ipam__error(IPAM_EINVAL, "base config: not a JSON object (at byte %ld)",
					   end ? (long)(end - base) : 0L);
		}
	} else if (!(root = cJSON_CreateObject())) {
		cJSON_Delete(ours);
		return ipam__enomem();
	}
	cJSON *dhcp = cJSON_GetObjectItemCaseSensitive(root, top);
	if (!dhcp)
		dhcp = cJSON_AddObjectToObject(root, top);
	cJSON *subnets = cJSON_GetObjectItemCaseSensitive(dhcp, subnets_key);
	if (!cJSON_IsObject(dhcp) || (subnets && !cJSON_IsArray(subnets))) {
		rc = ipam__error(IPAM_EINVAL, "base config: %s is not an object or %s not a list", top, subnets_key);
		goto done;
	}
	for (size_t i = 0; i < c->nscopes; i++) {
		const ipam__dhcp_scope *s = c->scopes[i];
		if (s->prefix.addr.family != family || !serves(s, server))
			continue;
		cJSON *sn = kea_subnet(c, s);
		if (!sn) {
			rc = ipam_error_last()->code ? ipam_error_last()->code : IPAM_ENOMEM;
			goto done;
		}
		cJSON_AddItemToArray(ours, sn);
	}
	if (!subnets)
		subnets = cJSON_AddArrayToObject(dhcp, subnets_key);
	ours_index ix;
	if ((rc = index_ours(&ix, c, family, server))) {
		index_free(&ix);
		goto done;
	}
	for (cJSON *sn = subnets->child, *nx; !rc && sn; sn = nx) {
		nx = sn->next;
		if (managed_subnet(sn, &ix))
			cJSON_Delete(cJSON_DetachItemViaPointer(subnets, sn));
		else
			rc = check_kept(sn, &ix, "base config:");
	}
	cJSON *nets = rc ? NULL : cJSON_GetObjectItemCaseSensitive(dhcp, "shared-networks"), *net;
	cJSON_ArrayForEach(net, nets)
	{
		cJSON *sn;
		cJSON_ArrayForEach(sn, cJSON_GetObjectItemCaseSensitive(net, subnets_key))
		{
			if (!rc)
				rc = check_kept(sn, &ix, "base config: shared network");
		}
	}
	index_free(&ix);
	if (rc)
		goto done;
	for (cJSON *sn = ours->child, *nx; sn; sn = nx) {
		nx = sn->next;
		cJSON_AddItemToArray(subnets, cJSON_DetachItemViaPointer(ours, sn));
	}
	if ((rc = sort_subnets(subnets)))
		goto done;
	/* global options and definitions: ours replace theirs of the same code */
	cJSON *holder = cJSON_CreateObject();
	if (!holder || kea_opts(holder, family == IPAM_AF_INET ? &c->global4 : &c->global6)) {
		cJSON_Delete(holder);
		rc = IPAM_ENOMEM;
		goto done;
	}
	rc = merge_by_code(dhcp, "option-data", cJSON_DetachItemFromObject(holder, "option-data"));
	cJSON_Delete(holder);
	if (rc || (rc = merge_by_code(dhcp, "option-def", kea_defs(c, family))))
		goto done;
	uint32_t valid = family == IPAM_AF_INET ? c->valid4 : c->valid6;
	if (valid) { /* in place, so that a second render is the same text */
		cJSON *v = cJSON_GetObjectItemCaseSensitive(dhcp, "valid-lifetime");
		if (v)
			cJSON_SetNumberValue(v, valid);
		else if (!cJSON_AddNumberToObject(dhcp, "valid-lifetime", valid)) {
			rc = ipam__enomem();
			goto done;
		}
	}
	if ((rc = kea_ha(dhcp, c, family, server)))
		goto done;
	char *text = cJSON_Print(root);
	if (!text) {
		rc = ipam__enomem();
		goto done;
	}
	rc = ipam__buf_put(out, text, strlen(text));
	if (!rc)
		rc = ipam__buf_put(out, "\n", 1);
	cJSON_free(text);
done:
	cJSON_Delete(ours);
	cJSON_Delete(root);
	return rc;
}

/* ---- ISC dhcpd ----------------------------------------------------------------- */

static const char *dhcpd_type(const ipam__dhcp_optdef *d)
{
	static const char *const names[] = {"ip-address",	  "text",    "unsigned integer 8",
					    "unsigned integer 16", "unsigned integer 32", "boolean",
					    "text",		   "string"};
	if (d->type == IPAM__DHCP_FQDN && d->array)
		return "domain-list";
	return names[d->type];
}

static void dhcpd_name(char *out, size_t size, const ipam__dhcp_optdef *d)
{
	if (d->vendor)
		snprintf(out, size, "v%u.%s", (unsigned)d->vendor, d->name);
	else
		snprintf(out, size, "%s", d->dhcpd ? d->dhcpd : d->name);
}

static int dhcpd_value(ipam_buf *b, const ipam__dhcp_opt *o)
{
	const ipam__dhcp_optdef *d = o->def;
	if (d->type == IPAM__DHCP_STRING || d->type == IPAM__DHCP_FQDN) {
		if (!d->array || d->type == IPAM__DHCP_STRING)
			return ipam__buf_printf(b, "\"%s\"", o->value);
		/* "a, b" -> "a", "b" */
		int rc = ipam__buf_put(b, "\"", 1);
		for (const char *p = o->value; !rc && *p; p++)
			rc = *p == ',' ? ipam__buf_put(b, "\",", 2) : *p == ' ' ? ipam__buf_put(b, " \"", 2)
										: ipam__buf_put(b, p, 1);
		return rc ? rc : ipam__buf_put(b, "\"", 1);
	}
	if (d->type == IPAM__DHCP_BINARY) {
		int rc = 0;
		for (size_t i = 0; !rc && o->value[i]; i += 2)
			rc = ipam__buf_printf(b, "%s%.2s", i ? ":" : "", o->value + i);
		return rc;
	}
	return ipam__buf_put(b, o->value, strlen(o->value));
}

static int dhcpd_opts(ipam_buf *b, const ipam__dhcp_optset *s, const char *indent)
{
	int rc = 0;
	for (size_t i = 0; !rc && s && i < s->n; i++) {
		char name[160];
		dhcpd_name(name, sizeof name, s->v[i].def);
		rc = ipam__buf_printf(b, "%soption %s ", indent, name);
		if (!rc)
			rc = dhcpd_value(b, &s->v[i]);
		if (!rc)
			rc = ipam__buf_put(b, ";\n", 2);
	}
	return rc;
}

static int dhcpd_range(void *ctx, const ipam_addr *a, const ipam_addr *b)
{
	char sa[64], sb[64];
	ipam_addr_format(sa, sizeof sa, a);
	ipam_addr_format(sb, sizeof sb, b);
	return ipam__buf_printf(ctx, "\t\trange %s %s;\n", sa, sb);
}

static int dhcpd_times(ipam_buf *b, uint32_t valid, const char *indent)
{
	return valid ? ipam__buf_printf(b, "%sdefault-lease-time %u;\n%smax-lease-time %u;\n", indent, (unsigned)valid,
					indent, (unsigned)valid)
		     : 0;
}

/* ISC failover: the peer declaration of `server`'s HA pair (two dhcpd
 * servers with failover addresses; one pair per server, as
 * ipam__dhcp_config_check holds), its name "PRIMARY-STANDBY" into `peer`
 * (left empty when there is none). Only a render for one server can say
 * which side it is; a render of every scope has no failover. */
static int dhcpd_failover(ipam_buf *out, const ipam__dhcp_config *c, const char *server, char *peer, size_t size)
{
	const ipam__dhcp_scope *pair = NULL;
	for (size_t i = 0; server && !pair && i < c->nscopes; i++) {
		const ipam__dhcp_scope *s = c->scopes[i];
		if (s->ha_primary && s->prefix.addr.family == IPAM_AF_INET &&
		    (!strcmp(s->ha_primary, server) || !strcmp(s->ha_standby, server)))
			pair = s;
	}
	if (!pair)
		return 0;
	bool primary = !strcmp(pair->ha_primary, server);
	const ipam__dhcp_server *me = ipam__dhcp_server_find(c, server),
				*other = ipam__dhcp_server_find(c, primary ? pair->ha_standby : pair->ha_primary);
	if (me->kind != IPAM__DHCP_DHCPD)
		return 0; /* a Kea pair: its HA hook, not dhcpd's failover */
	char a[64], b[64];
	ipam_addr_format(a, sizeof a, &me->failover);
	ipam_addr_format(b, sizeof b, &other->failover);
	snprintf(peer, size, "%s-%s", pair->ha_primary, pair->ha_standby);
	return ipam__buf_printf(out,
				"\nfailover peer \"%s\" {\n\t%s;\n\taddress %s;\n\tport %u;\n\tpeer address %s;\n"
				"\tpeer port %u;\n\tmax-response-delay 60;\n\tmax-unacked-updates 10;\n%s"
				"\tload balance max seconds 3;\n}\n",
				peer, primary ? "primary" : "secondary", a, me->failover_port, b, other->failover_port,
				primary ? "\tmclt 3600;\n\tsplit 128;\n" : "");
}

/* Whether scope `s` is served by the pair named "PRIMARY-STANDBY". */
static bool in_pair(const ipam__dhcp_scope *s, const char *name)
{
	size_t n = strlen(s->ha_primary);
	return !strncmp(name, s->ha_primary, n) && name[n] == '-' && !strcmp(name + n + 1, s->ha_standby);
}

int ipam__dhcp_render_dhcpd(ipam_buf *out, const ipam__dhcp_config *c, const char *server)
{
	int rc = ipam__dhcp_config_check(c);
	if (rc)
		return rc;
	if (server && !ipam__dhcp_server_find(c, server))
		return ipam__error(IPAM_ENOTFOUND, "no server %s", server);
	rc = ipam__buf_printf(out, "# Written by libipam%s%s: changes here are overwritten.\n\n",
			      server ? " for " : "", server ? server : "");
	/* definitions: custom options, then vendor spaces (sent in option 125) */
	uint32_t done_vendor[16];
	size_t nvendor = 0;
	for (size_t i = 0; !rc && i < c->ndefs; i++) {
		const ipam__dhcp_optdef *d = &c->defs[i];
		if (d->family != IPAM_AF_INET)
			continue;
		if (d->vendor) {
			size_t k = 0;
			while (k < nvendor && done_vendor[k] != d->vendor)
				k++;
			if (k == nvendor) {
				if (nvendor == sizeof done_vendor / sizeof done_vendor[0])
					return ipam__error(IPAM_EINVAL, "dhcpd: more than 16 vendor spaces");
				done_vendor[nvendor++] = d->vendor;
				rc = ipam__buf_printf(out,
						      "option space v%u code width 1 length width 1;\n"
						      "option vsio.v%u code %u = encapsulate v%u;\n",
						      (unsigned)d->vendor, (unsigned)d->vendor, (unsigned)d->vendor,
						      (unsigned)d->vendor);
			}
		}
		char name[160];
		dhcpd_name(name, sizeof name, d);
		if (!rc)
			rc = ipam__buf_printf(out, "option %s code %u = %s%s;\n", name, (unsigned)d->code,
					      d->array && d->type != IPAM__DHCP_FQDN ? "array of " : "", dhcpd_type(d));
	}
	if (!rc && c->ndefs)
		rc = ipam__buf_put(out, "\n", 1);
	if (!rc)
		rc = dhcpd_times(out, c->valid4, "");
	if (!rc)
		rc = dhcpd_opts(out, &c->global4, "");
	char peer[300] = "";
	if (!rc)
		rc = dhcpd_failover(out, c, server, peer, sizeof peer);
	for (size_t i = 0; !rc && i < c->nscopes; i++) {
		const ipam__dhcp_scope *s = c->scopes[i];
		if (s->prefix.addr.family != IPAM_AF_INET || !serves(s, server))
			continue;
		const ipam__dhcp_template *t = ipam__dhcp_template_find(c, s->template_name);
		ipam__dhcp_optset own = {0};
		char net[64], mask[64];
		ipam_addr m = {.family = IPAM_AF_INET};
		uint32_t bits = s->prefix.len ? 0xffffffffu << (32 - s->prefix.len) : 0;
		m.bytes[0] = (uint8_t)(bits >> 24);
		m.bytes[1] = (uint8_t)(bits >> 16);
		m.bytes[2] = (uint8_t)(bits >> 8);
		m.bytes[3] = (uint8_t)bits;
		ipam_addr_format(net, sizeof net, &s->prefix.addr);
		ipam_addr_format(mask, sizeof mask, &m);
		rc = ipam__buf_printf(out, "\n# scope %s (subnet id %u)\nsubnet %s netmask %s {\n", s->name,
				      (unsigned)s->id, net, mask);
		if (!rc)
			rc = dhcpd_times(out, s->valid, "\t");
		if (!rc)
			rc = ipam__dhcp_optset_overlay(&own, t ? &t->opts : NULL, &s->opts, s->prefix.addr.family);
		if (!rc)
			rc = dhcpd_opts(out, &own, "\t");
		ipam__dhcp_optset_free(&own);
		for (size_t j = 0; !rc && j < s->npools; j++) {
			rc = ipam__buf_put(out, "\tpool {\n", 8);
			if (!rc && peer[0] && s->ha_primary && in_pair(s, peer))
				rc = ipam__buf_printf(out, "\t\tfailover peer \"%s\";\n", peer);
			if (!rc)
				rc = dhcpd_opts(out, &s->pools[j].opts, "\t\t");
			if (!rc)
				rc = pool_pieces(&s->pools[j], dhcpd_range, out);
			if (!rc)
				rc = ipam__buf_put(out, "\t}\n", 3);
		}
		if (!rc)
			rc = ipam__buf_put(out, "}\n", 2);
		for (size_t j = 0; !rc && j < s->nresv; j++) {
			const ipam__dhcp_resv *r = &s->resv[j];
			char a[64], host[200], mac[32];
			ipam_addr_format(a, sizeof a, &r->addr);
			snprintf(host, sizeof host, "%s-%s", s->name, a);
			for (char *p = host; *p; p++)
				if (*p == '.')
					*p = '-';
			rc = ipam__buf_printf(out, "host ipam-%s {\n\tfixed-address %s;\n", host, a);
			if (!rc && r->mac.len) {
				ipam_mac_format(mac, sizeof mac, &r->mac);
				rc = ipam__buf_printf(out, "\thardware ethernet %s;\n", mac);
			} else if (!rc && r->client_id) {
				ipam__dhcp_optdef cid = {"dhcp-client-identifier", 61, IPAM_AF_INET, IPAM__DHCP_BINARY,
							 false, 0, NULL};
				ipam__dhcp_opt o = {&cid, r->client_id};
				rc = ipam__buf_put(out, "\toption dhcp-client-identifier ", 31);
				if (!rc)
					rc = dhcpd_value(out, &o);
				if (!rc)
					rc = ipam__buf_put(out, ";\n", 2);
			}
			if (!rc && r->circuit_id) {
				size_t cl = strlen(r->circuit_id);
				if (cl >= 2 && r->circuit_id[0] == '\'' && r->circuit_id[cl - 1] == '\'')
					rc = ipam__buf_printf(out, "\thost-identifier option agent.circuit-id \"%.*s\";\n",
							      (int)cl - 2, r->circuit_id + 1);
				else
					rc = ipam__buf_printf(out, "\thost-identifier option agent.circuit-id %s;\n",
							      r->circuit_id);
			}
			if (!rc && r->hostname)
				rc = ipam__buf_printf(out, "\toption host-name \"%s\";\n", r->hostname);
			if (!rc)
				rc = dhcpd_opts(out, &r->opts, "\t");
			if (!rc)
				rc = ipam__buf_put(out, "}\n", 2);
		}
	}
	return rc;
}
