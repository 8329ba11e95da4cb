/* phpIPAM's MySQL dump: the INSERT rows of sections, vrf, vlans, subnets
 * and ipaddresses (read by sql.c) become spaces (a VRF; vrfId 0 or NULL is
 * the global table, "default"), prefixes (decimal addresses, IPv6 as
 * 128-bit decimals; folders skipped; host bits refused as phpIPAM refuses
 * them), addresses (ipTags state, the gateway flag, MACs as entered) and
 * ranges made of runs of DHCP-tagged addresses (phpIPAM has no range
 * object). custom_<name> columns are attributes <name>. Rows are gathered
 * first and mapped once the whole dump is read, so the tables may come in
 * any order. */
#include "io/import/imp.h"

#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#define PHP_GLOBAL "default"

enum { T_SECTIONS, T_VRF, T_VLANS, T_SUBNETS, T_ADDRS, T_N };
static const char *const tables[T_N] = { "sections", "vrf", "vlans", "subnets", "ipaddresses" };

typedef struct php {
	ipam__imp_model *m;
	const char *file;
	cJSON *rows[T_N]; /* arrays of objects: column -> string or null, "#line" */
} php;

static int gather(void *ctx, const char *table, const char *const *cols, const char *const *vals, size_t n,
                  unsigned long line)
{
	php *p = ctx;
	int t;
	for (t = 0; t < T_N && strcasecmp(table, tables[t]); t++)
		;
	if (t == T_N)
		return 0;
	if (!cols) {
		char v[32];
		snprintf(v, sizeof v, "%zu", n);
		return ipam__imp_err(p->m, p->file, line, NULL, v, "a row of %s with %zu values where the column list has "
		                                                  "another count",
		                     table, n);
	}
	cJSON *o = cJSON_CreateObject();
	int rc = o && cJSON_AddItemToArray(p->rows[t], o) ? 0 : (cJSON_Delete(o), ipam__enomem());
	rc = rc ? rc : ipam__imp_attr(o, "#line", cJSON_CreateNumber((double)line));
	for (size_t i = 0; i < n && !rc; i++)
		rc = ipam__imp_attr(o, cols[i], vals[i] ? cJSON_CreateString(vals[i]) : cJSON_CreateNull());
	return rc;
}

static const char *col(const cJSON *row, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(row, name);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static unsigned long line_of(const cJSON *row)
{
	return (unsigned long)cJSON_GetObjectItemCaseSensitive(row, "#line")->valuedouble;
}

/* The row of `t` whose `key` column is `id`. */
static const cJSON *find(const php *p, int t, const char *key, const char *id)
{
	const cJSON *r;
	if (!id)
		return NULL;
	cJSON_ArrayForEach(r, p->rows[t])
	{
		const char *v = col(r, key);
		if (v && !strcmp(v, id))
			return r;
	}
	return NULL;
}

/* A decimal string of at most 39 digits as a 128-bit number. */
static int decimal(ipam_u128 *out, const char *s)
{
	ipam_u128 v = { 0, 0 };
	if (!s || !*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		/* v = v * 10 + d, refusing overflow */
		uint64_t d = (uint64_t)(*s - '0');
		if (v.hi > UINT64_MAX / 10)
			return -1;
		unsigned __int128 lo = (unsigned __int128)v.lo * 10 + d;
		uint64_t carry = (uint64_t)(lo >> 64);
		uint64_t hi = v.hi * 10;
		if (hi > UINT64_MAX - carry)
			return -1;
		v.hi = hi + carry;
		v.lo = (uint64_t)lo;
	}
	*out = v;
	return 0;
}

/* A phpIPAM address: IPv4 when v6 is 0 and the value fits 32 bits. */
static int php_addr(ipam_addr *out, const char *s, int v6)
{
	ipam_u128 v;
	if (decimal(&v, s))
		return -1;
	if (!v6 && !v.hi && v.lo <= 0xffffffffu)
		ipam_addr_from_v4(out, (uint32_t)v.lo);
	else
		ipam_addr_from_v6(out, v);
	return 0;
}

static const char *space_of(const php *p, const char *vrf_id)
{
	const cJSON *v = vrf_id && strcmp(vrf_id, "0") ? find(p, T_VRF, "vrfId", vrf_id) : NULL;
	return v ? col(v, "name") : NULL;
}

/* custom_<name> columns (not NULL) as attributes <name>. */
static int customs(ipam__imp_item *it, const cJSON *row)
{
	const cJSON *c;
	int rc = 0;
	cJSON_ArrayForEach(c, row)
	{
		if (!strncmp(c->string, "custom_", 7) && cJSON_IsString(c) && (rc = ipam__imp_attr_str(it->attrs, c->string + 7, c->valuestring)))
			break;
	}
	return rc;
}

static int bad(php *p, const cJSON *row, const char *field, const char *what)
{
	const char *v = col(row, field);
	return ipam__imp_err(p->m, p->file, line_of(row), field, v, "%s: %s: '%.100s'", field, what, v ? v : "NULL");
}

static int vrfs(php *p)
{
	const cJSON *r;
	int rc = 0, is_new;
	cJSON_ArrayForEach(r, p->rows[T_VRF])
	{
		const char *name = col(r, "name");
		if (!name || !*name) {
			if ((rc = bad(p, r, "name", "a VRF needs a name")))
				return rc;
			continue;
		}
		ipam__imp_item *it = ipam__imp_get(p->m, IMP_SPACE, NULL, name, p->file, line_of(r), &is_new);
		if (!it || (rc = ipam__imp_set(&it->name, name)) || (rc = ipam__imp_set(&it->rd, col(r, "rd"))) ||
		    (rc = ipam__imp_attr_str(it->extra, "description", col(r, "description"))))
			return rc ? rc : IPAM_ENOMEM;
		p->m->rows++;
	}
	return 0;
}

/* The prefix of a subnet row; 1 when it is a folder, -1 when bad (reported). */
static int subnet_prefix(php *p, const cJSON *r, ipam_prefix *out, int *rc)
{
	const char *isf = col(r, "isFolder"), *mask = col(r, "mask");
	ipam_addr a;
	*rc = 0;
	if (isf && !strcmp(isf, "1"))
		return 1;
	char *end;
	long len = mask ? strtol(mask, &end, 10) : -1;
	if (!mask || !*mask || *end || len < 0 || len > 128) {
		*rc = bad(p, r, "mask", "not a prefix length");
		return -1;
	}
	if (php_addr(&a, col(r, "subnet"), len > 32)) {
		*rc = bad(p, r, "subnet", "not a decimal address");
		return -1;
	}
	/* phpIPAM refuses 10.1.2.3/24 as a subnet: so does this import */
	if (ipam_prefix_from(out, &a, (unsigned)len, 0)) {
		*rc = bad(p, r, "subnet", "host bits set for this mask (phpIPAM refuses such a subnet)");
		return -1;
	}
	return 0;
}

static int subnets(php *p)
{
	const cJSON *r;
	int rc = 0, is_new;
	cJSON_ArrayForEach(r, p->rows[T_SUBNETS])
	{
		ipam_prefix pr, parent;
		int k = subnet_prefix(p, r, &pr, &rc);
		if (rc)
			return rc;
		if (k)
			continue;
		const char *space = space_of(p, col(r, "vrfId"));
		char key[64];
		ipam_prefix_format(key, sizeof key, &pr);
		ipam__imp_item *it = ipam__imp_get(p->m, IMP_PREFIX, space, key, p->file, line_of(r), &is_new);
		if (!it)
			return IPAM_ENOMEM;
		it->prefix = pr;
		const cJSON *sec = find(p, T_SECTIONS, "id", col(r, "sectionId"));
		const cJSON *vl = find(p, T_VLANS, "vlanId", col(r, "vlanId"));
		const cJSON *master = find(p, T_SUBNETS, "id", col(r, "masterSubnetId"));
		if ((rc = ipam__imp_set(&it->kind, "network")) || (rc = ipam__imp_set(&it->description, col(r, "description"))) ||
		    (rc = ipam__imp_attr_str(it->attrs, "section", sec ? col(sec, "name") : NULL)) || (rc = customs(it, r)))
			return rc;
		if (vl && col(vl, "number"))
			it->vlan = strtol(col(vl, "number"), NULL, 10);
		if (master && subnet_prefix(p, master, &parent, &rc) == 0) {
			char pt[64];
			ipam_prefix_format(pt, sizeof pt, &parent);
			if ((rc = ipam__imp_set(&it->parent, pt)))
				return rc;
		}
		if (rc)
			return rc;
		const char *pool = col(r, "isPool");
		if (pool && !strcmp(pool, "1"))
			it->pool = 1;
		p->m->rows++;
	}
	return 0;
}

/* The ipTags of a stock phpIPAM: 1 Offline, 2 Used, 3 Reserved, 4 DHCP. */
static const char *address_kind(const char *state, int gateway, int has_mac)
{
	if (gateway)
		return "gateway";
	if (state && !strcmp(state, "1"))
		return "offline";
	if (state && !strcmp(state, "3"))
		return has_mac ? "dhcp_reservation" : "reserved";
	if (state && !strcmp(state, "4"))
		return "dhcp_pool";
	return "static";
}

static int addresses(php *p)
{
	const cJSON *r;
	int rc = 0;
	cJSON_ArrayForEach(r, p->rows[T_ADDRS])
	{
		const cJSON *sub = find(p, T_SUBNETS, "id", col(r, "subnetId"));
		ipam_prefix pr;
		int k = sub ? subnet_prefix(p, sub, &pr, &rc) : -1;
		if (rc)
			return rc;
		if (k) {
			if ((rc = bad(p, r, "subnetId", "not the id of a subnet of the dump")))
				return rc;
			continue;
		}
		ipam_addr a;
		ipam_mac mac;
		const char *mt = col(r, "mac");
		if (php_addr(&a, col(r, "ip_addr"), pr.addr.family == IPAM_AF_INET6) || !ipam_prefix_contains(&pr, &a)) {
			if ((rc = bad(p, r, "ip_addr", "not a decimal address inside its subnet")))
				return rc;
			continue;
		}
		if (mt && *mt && ipam_mac_parse(&mac, mt)) {
			if ((rc = bad(p, r, "mac", "not a MAC address")))
				return rc;
			continue;
		}
		const char *space = space_of(p, col(sub, "vrfId"));
		ipam__imp_item *it = ipam__imp_address(p->m, space, &a, mt && *mt ? &mac : NULL, p->file, line_of(r));
		if (!it)
			return IPAM_ENOMEM;
		const char *gw = col(r, "is_gateway"), *state = col(r, "state");
		char *end;
		long st = state ? strtol(state, &end, 10) : 0;
		if ((rc = ipam__imp_set(&it->kind, address_kind(state, gw && !strcmp(gw, "1"), it->has_mac))) ||
		    (rc = ipam__imp_set(&it->hostname, col(r, "hostname"))) ||
		    (rc = ipam__imp_set(&it->description, col(r, "description"))) ||
		    (state && *state && !*end && (rc = ipam__imp_attr(it->attrs, "phpipam_state", cJSON_CreateNumber((double)st)))) ||
		    (rc = customs(it, r)))
			return rc;
		p->m->rows++;
	}
	return 0;
}

/* Runs of two or more consecutive DHCP-tagged addresses of one space
 * become a range ("dhcp_tagged_addresses"): phpIPAM has no range object. */
static int is_dhcp(const ipam__imp_model *m, const char *space, const ipam_addr *a)
{
	char key[64];
	ipam__imp_addr_text(key, a);
	const ipam__imp_item *it = ipam__imp_find(m, IMP_ADDRESS, space, key);
	return it && it->kind && !strcmp(it->kind, "dhcp_pool");
}

static int dhcp_runs(php *p)
{
	ipam__imp_model *m = p->m;
	size_t n = m->nitems;
	for (size_t i = 0; i < n; i++) {
		const ipam__imp_item *s = m->items[i];
		ipam_addr prev, last = s->first, next;
		if (s->type != IMP_ADDRESS || !s->kind || strcmp(s->kind, "dhcp_pool"))
			continue;
		/* only where a run starts */
		if (!ipam_addr_prev(&prev, &s->first) && is_dhcp(m, s->space, &prev))
			continue;
		size_t count = 1;
		while (!ipam_addr_next(&next, &last) && is_dhcp(m, s->space, &next)) {
			last = next;
			count++;
		}
		if (count < 2)
			continue;
		int rc;
		ipam__imp_item *r = ipam__imp_range(m, s->space, &s->first, &last, s->file, s->line);
		if (!r)
			return IPAM_ENOMEM;
		if ((rc = ipam__imp_set(&r->kind, "dhcp_tagged_addresses")))
			return rc;
	}
	return 0;
}

int ipam__imp_phpipam_sql(ipam__imp_model *m, const char *file, const char *data, size_t len)
{
	php p = { m, file, { 0 } };
	int rc = 0;
	for (int t = 0; t < T_N && !rc; t++)
		if (!(p.rows[t] = cJSON_CreateArray()))
			rc = ipam__enomem();
	rc = rc ? rc : ipam__sql_each_insert(file, data, len, gather, &p);
	if (!rc && !cJSON_GetArraySize(p.rows[T_SUBNETS]) && !cJSON_GetArraySize(p.rows[T_ADDRS]) &&
	    !cJSON_GetArraySize(p.rows[T_VRF]))
		rc = ipam__error(IPAM_EINVAL, "%s: not a phpIPAM dump: no INSERT INTO subnets, ipaddresses or vrf", file);
	rc = rc ? rc : vrfs(&p);
	rc = rc ? rc : subnets(&p);
	rc = rc ? rc : addresses(&p);
	rc = rc ? rc : dhcp_runs(&p);
	for (int t = 0; t < T_N; t++)
		cJSON_Delete(p.rows[t]);
	return rc;
}
