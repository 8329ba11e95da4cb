/* The way out: the store as NetBox CSV bulk-import files and as one
 * Infoblox NIOS CSV export, written so that this project's own importers
 * for those formats read them back to the same spaces, prefixes, ranges
 * and addresses (tests/import: the round trips). Only the public API is
 * used, as a program outside the library would.
 *
 * Each file is built as a table first: fixed columns, then one column per
 * attribute key seen (cf_<key> for NetBox, EA-<key> for Infoblox), so that
 * no attribute is lost; then written with RFC 4180 quoting. */
#include "io/import/imp.h"

#include <stdio.h>
#include <stdlib.h>

/* ---- tables ---- */

typedef struct table {
	cJSON *cols; /* array of column names */
	cJSON *rows; /* array of objects column -> string */
	const char *type; /* Infoblox: the row type in column 0, or NULL */
} table;

static int table_init(table *t, const char *const *fixed, const char *type)
{
	t->cols = cJSON_CreateArray();
	t->rows = cJSON_CreateArray();
	t->type = type;
	if (!t->cols || !t->rows)
		return ipam__enomem();
	for (size_t i = 0; fixed[i]; i++)
		if (!cJSON_AddItemToArray(t->cols, cJSON_CreateString(fixed[i])))
			return ipam__enomem();
	return 0;
}

static void table_free(table *t)
{
	cJSON_Delete(t->cols);
	cJSON_Delete(t->rows);
}

static int has_col(const table *t, const char *name)
{
	const cJSON *c;
	cJSON_ArrayForEach(c, t->cols) if (!strcmp(c->valuestring, name)) return 1;
	return 0;
}

/* row[col] = s (a copy); the column is added when new. */
static int cell(table *t, cJSON *row, const char *col, const char *s)
{
	if (!s || !*s)
		return 0;
	if (!has_col(t, col) && !cJSON_AddItemToArray(t->cols, cJSON_CreateString(col)))
		return ipam__enomem();
	return ipam__imp_attr(row, col, cJSON_CreateString(s));
}

/* An attribute value as cell text: strings as they are, lists of strings
 * joined by commas (NetBox tags), anything else as JSON. */
static int cell_value(table *t, cJSON *row, const char *col, const cJSON *v)
{
	if (cJSON_IsString(v))
		return cell(t, row, col, v->valuestring);
	ipam_buf b = IPAM_BUF_INIT;
	int rc = 0, strings = cJSON_IsArray(v);
	const cJSON *e;
	cJSON_ArrayForEach(e, v) strings = strings && cJSON_IsString(e);
	if (strings) {
		cJSON_ArrayForEach(e, v)
		{
			if ((b.size && (rc = ipam__buf_put(&b, ",", 1))) ||
			    (rc = ipam__buf_put(&b, e->valuestring, strlen(e->valuestring))))
				break;
		}
		rc = rc ? rc : cell(t, row, col, b.ptr ? b.ptr : "");
	} else {
		char *s = cJSON_PrintUnformatted(v);
		rc = s ? cell(t, row, col, s) : ipam__enomem();
		cJSON_free(s);
	}
	ipam_buf_dispose(&b);
	return rc;
}

static cJSON *new_row(table *t)
{
	cJSON *r = cJSON_CreateObject();
	if (r && !cJSON_AddItemToArray(t->rows, r)) {
		cJSON_Delete(r);
		r = NULL;
	}
	if (!r)
		ipam__enomem();
	return r;
}

static int put_field(ipam_buf *out, const char *s)
{
	int quote = !*s ? 0 : (s[0] == ' ' || s[strlen(s) - 1] == ' ');
	for (const char *p = s; *p && !quote; p++)
		quote = *p == ',' || *p == '"' || *p == '\n' || *p == '\r';
	if (!quote)
		return ipam__buf_put(out, s, strlen(s));
	int rc = ipam__buf_put(out, "\"", 1);
	for (const char *p = s; *p && !rc; p++)
		rc = *p == '"' ? ipam__buf_put(out, "\"\"", 2) : ipam__buf_put(out, p, 1);
	return rc ? rc : ipam__buf_put(out, "\"", 1);
}

static int table_write(ipam_buf *out, const table *t)
{
	int rc = 0;
	const cJSON *c, *r;
	if (t->type && !cJSON_GetArraySize(t->rows))
		return 0;
	if (t->type)
		rc = ipam__buf_printf(out, "header-%s,", t->type);
	cJSON_ArrayForEach(c, t->cols)
	{
		rc = rc ? rc : put_field(out, c->valuestring);
		rc = rc ? rc : ipam__buf_put(out, c->next ? "," : "\n", 1);
	}
	cJSON_ArrayForEach(r, t->rows)
	{
		if (t->type)
			rc = rc ? rc : ipam__buf_printf(out, "%s,", t->type);
		cJSON_ArrayForEach(c, t->cols)
		{
			const cJSON *v = cJSON_GetObjectItemCaseSensitive(r, c->valuestring);
			rc = rc ? rc : put_field(out, cJSON_IsString(v) ? v->valuestring : "");
			rc = rc ? rc : ipam__buf_put(out, c->next ? "," : "\n", 1);
		}
	}
	return rc;
}

/* ---- walking the store ---- */

typedef int (*space_fn)(void *ctx, ipam_db *db, const ipam_space_info *s);

static int each_space(ipam_db *db, space_fn fn, void *ctx)
{
	ipam_space_iter *it;
	ipam_space_info s = IPAM_SPACE_INFO_INIT;
	int rc = ipam_space_iter_new(&it, db);
	while (!rc && (rc = ipam_space_iter_next(&s, it)) == 0)
		rc = fn(ctx, db, &s);
	ipam_space_info_dispose(&s);
	ipam_space_iter_free(it);
	return rc == IPAM_ITEROVER ? 0 : rc;
}

static int is_default(const char *space)
{
	return !strcmp(space, "default");
}

/* The attributes of an object, parsed ({} when none). */
static cJSON *attrs_of(const char *json)
{
	cJSON *a = cJSON_Parse(json ? json : "{}");
	if (!a)
		ipam__enomem();
	return a;
}

/* Every attribute not in `skip` as <prefix><key> columns. */
static int attr_cells(table *t, cJSON *row, const cJSON *attrs, const char *prefix, const char *const *skip)
{
	const cJSON *a;
	int rc = 0;
	cJSON_ArrayForEach(a, attrs)
	{
		int skipped = 0;
		for (size_t i = 0; skip[i] && !skipped; i++)
			skipped = !strcmp(a->string, skip[i]);
		if (skipped)
			continue;
		char col[300];
		snprintf(col, sizeof col, "%s%s", prefix, a->string);
		if ((rc = cell_value(t, row, col, a)))
			break;
	}
	return rc;
}

static const char *attr_text(const cJSON *attrs, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(attrs, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* ---- NetBox ---- */

typedef struct nb_ctx {
	ipam_export_csv_kind what;
	table t;
} nb_ctx;

static const char *const nb_skip[] = { "status", "role", "tenant", "tags", "vlan", "mark_utilized", "prefix_length",
	                               NULL };

static int nb_common(nb_ctx *x, cJSON *row, const char *space, const cJSON *attrs, const char *status)
{
	const cJSON *tags = cJSON_GetObjectItemCaseSensitive(attrs, "tags");
	int rc;
	if ((rc = cell(&x->t, row, "vrf", is_default(space) ? NULL : space)) ||
	    (rc = cell(&x->t, row, "tenant", attr_text(attrs, "tenant"))) ||
	    (rc = cell(&x->t, row, "status", attr_text(attrs, "status") ? attr_text(attrs, "status") : status)) ||
	    (rc = cell(&x->t, row, "role", attr_text(attrs, "role"))) ||
	    (tags && (rc = cell_value(&x->t, row, "tags", tags))))
		return rc;
	return attr_cells(&x->t, row, attrs, "cf_", nb_skip);
}

/* "ADDR/LEN": LEN the address's prefix_length attribute, else the most
 * specific prefix holding it, else a host length (NetBox wants a mask). */
static void with_mask(char *out, size_t size, ipam_db *db, const char *space, const ipam_addr *a, const cJSON *attrs)
{
	char t[64];
	ipam__imp_addr_text(t, a);
	const cJSON *pl = cJSON_GetObjectItemCaseSensitive(attrs, "prefix_length");
	unsigned len = a->family == IPAM_AF_INET ? 32 : 128;
	ipam_prefix host, m;
	if (cJSON_IsNumber(pl) && pl->valuedouble >= 0 && pl->valuedouble <= len)
		len = (unsigned)pl->valuedouble;
	else if (!ipam_prefix_from(&host, a, len, 0) && !ipam_prefix_match(&m, db, space, &host))
		len = m.len;
	snprintf(out, size, "%s/%u", t, len);
}

static int nb_space(void *ctx, ipam_db *db, const ipam_space_info *s)
{
	nb_ctx *x = ctx;
	int rc = 0;
	if (x->what == IPAM_EXPORT_NETBOX_VRFS) {
		if (is_default(s->name))
			return 0;
		cJSON *labels = attrs_of(s->labels_json), *row = labels ? new_row(&x->t) : NULL;
		if (!row || (rc = cell(&x->t, row, "name", s->name)) ||
		    (rc = cell(&x->t, row, "rd", attr_text(labels, "rd"))) ||
		    (rc = cell(&x->t, row, "enforce_unique", attr_text(labels, "enforce_unique"))) ||
		    (rc = cell(&x->t, row, "description", attr_text(labels, "description"))))
			rc = rc ? rc : IPAM_ENOMEM;
		cJSON_Delete(labels);
		return rc;
	}
	if (x->what == IPAM_EXPORT_NETBOX_PREFIXES) {
		ipam_prefix_query q = IPAM_PREFIX_QUERY_INIT;
		ipam_prefix_iter *it;
		ipam_prefix_info p = IPAM_PREFIX_INFO_INIT;
		q.space = s->name;
		if ((rc = ipam_prefix_iter_new(&it, db, &q)))
			return rc;
		while (!rc && (rc = ipam_prefix_iter_next(&p, it)) == 0) {
			char text[64];
			ipam_prefix_format(text, sizeof text, &p.prefix);
			cJSON *a = attrs_of(p.attrs_json), *row = a ? new_row(&x->t) : NULL;
			const cJSON *vlan = cJSON_GetObjectItemCaseSensitive(a, "vlan");
			const cJSON *mu = cJSON_GetObjectItemCaseSensitive(a, "mark_utilized");
			if (!row)
				rc = IPAM_ENOMEM;
			else if (!(rc = cell(&x->t, row, "prefix", text)) &&
			         !(rc = nb_common(x, row, s->name, a, ipam_status_name(p.status))) &&
			         !(rc = cell(&x->t, row, "is_pool", p.pool ? "true" : "false")) &&
			         !(rc = cell(&x->t, row, "description", p.description)) && vlan)
				rc = cell_value(&x->t, row, "vlan", vlan);
			if (!rc && cJSON_IsTrue(mu))
				rc = cell(&x->t, row, "mark_utilized", "true");
			cJSON_Delete(a);
		}
		ipam_prefix_info_dispose(&p);
		ipam_prefix_iter_free(it);
		return rc == IPAM_ITEROVER ? 0 : rc;
	}
	if (x->what == IPAM_EXPORT_NETBOX_RANGES) {
		ipam_range_query q = IPAM_RANGE_QUERY_INIT;
		ipam_range_iter *it;
		ipam_range_info r = IPAM_RANGE_INFO_INIT;
		q.space = s->name;
		if ((rc = ipam_range_iter_new(&it, db, &q)))
			return rc;
		while (!rc && (rc = ipam_range_iter_next(&r, it)) == 0) {
			char a1[80], a2[80];
			cJSON *a = attrs_of(r.attrs_json), *row = a ? new_row(&x->t) : NULL;
			with_mask(a1, sizeof a1, db, s->name, &r.first, a);
			with_mask(a2, sizeof a2, db, s->name, &r.last, a);
			if (!row)
				rc = IPAM_ENOMEM;
			else if (!(rc = cell(&x->t, row, "start_address", a1)) && !(rc = cell(&x->t, row, "end_address", a2)) &&
			         !(rc = nb_common(x, row, s->name, a,
			                          r.purpose == IPAM_RANGE_DHCP ? "active" : "reserved")))
				rc = cell(&x->t, row, "description", r.description);
			cJSON_Delete(a);
		}
		ipam_range_info_dispose(&r);
		ipam_range_iter_free(it);
		return rc == IPAM_ITEROVER ? 0 : rc;
	}
	ipam_ip_query q = IPAM_IP_QUERY_INIT;
	ipam_ip_iter *it;
	ipam_ip_info ip = IPAM_IP_INFO_INIT;
	q.space = s->name;
	if ((rc = ipam_ip_iter_new(&it, db, &q)))
		return rc;
	while (!rc && (rc = ipam_ip_iter_next(&ip, it)) == 0) {
		char text[80], mac[32] = "";
		cJSON *a = attrs_of(ip.attrs_json), *row = a ? new_row(&x->t) : NULL;
		with_mask(text, sizeof text, db, s->name, &ip.addr, a);
		if (ip.has_mac)
			ipam_mac_format(mac, sizeof mac, &ip.mac);
		if (!row)
			rc = IPAM_ENOMEM;
		else if (!(rc = cell(&x->t, row, "address", text)) &&
		         !(rc = nb_common(x, row, s->name, a, ipam_status_name(ip.status))) &&
		         !(rc = cell(&x->t, row, "dns_name", ip.hostname)) &&
		         !(rc = cell(&x->t, row, "description", ip.description)))
			rc = cell(&x->t, row, "cf_mac_address", mac);
		cJSON_Delete(a);
	}
	ipam_ip_info_dispose(&ip);
	ipam_ip_iter_free(it);
	return rc == IPAM_ITEROVER ? 0 : rc;
}

/* ---- Infoblox ---- */

enum { IB_NC, IB_NET, IB_NC6, IB_NET6, IB_RANGE, IB_FIXED, IB_HOST, IB_NTABLES };

typedef struct ib_ctx {
	table t[IB_NTABLES];
} ib_ctx;

static const char *const ib_skip[] = { "vlan", "name", NULL }; /* ranges: a column of their own */
static const char *const ib_skip_vlan[] = { "vlan", NULL };

static int ib_prefixes(ib_ctx *x, ipam_db *db, const char *space)
{
	ipam_prefix_query q = IPAM_PREFIX_QUERY_INIT;
	ipam_prefix_iter *it;
	ipam_prefix_info p = IPAM_PREFIX_INFO_INIT;
	int rc;
	q.space = space;
	if ((rc = ipam_prefix_iter_new(&it, db, &q)))
		return rc;
	while (!rc && (rc = ipam_prefix_iter_next(&p, it)) == 0) {
		int v6 = p.prefix.addr.family == IPAM_AF_INET6, cont = p.status == IPAM_STATUS_CONTAINER;
		table *t = &x->t[v6 ? (cont ? IB_NC6 : IB_NET6) : (cont ? IB_NC : IB_NET)];
		char addr[64], len[64];
		ipam__imp_addr_text(addr, &p.prefix.addr);
		if (v6) {
			snprintf(len, sizeof len, "%u", p.prefix.len);
		} else {
			uint32_t m = p.prefix.len ? 0xffffffffu << (32 - p.prefix.len) : 0;
			snprintf(len, sizeof len, "%u.%u.%u.%u", m >> 24, (m >> 16) & 255, (m >> 8) & 255, m & 255);
		}
		cJSON *a = attrs_of(p.attrs_json), *row = a ? new_row(t) : NULL;
		const cJSON *vlan = cJSON_GetObjectItemCaseSensitive(a, "vlan");
		if (!row)
			rc = IPAM_ENOMEM;
		else if (!(rc = cell(t, row, "address*", addr)) && !(rc = cell(t, row, v6 ? "cidr*" : "netmask*", len)) &&
		         !(rc = cell(t, row, "network_view", space)) && !(rc = cell(t, row, "comment", p.description)) &&
		         !(rc = attr_cells(t, row, a, "EA-", ib_skip_vlan)) && vlan)
			rc = cell_value(t, row, "EA-VLAN", vlan);
		cJSON_Delete(a);
	}
	ipam_prefix_info_dispose(&p);
	ipam_prefix_iter_free(it);
	return rc == IPAM_ITEROVER ? 0 : rc;
}

/* Pools with their exclusions folded in (an excluded range inside a pool
 * of the same space); other ranges as pools of their own. */
static int ib_ranges(ib_ctx *x, ipam_db *db, const char *space)
{
	ipam_range_query q = IPAM_RANGE_QUERY_INIT;
	ipam_range_iter *it;
	ipam_range_info r = IPAM_RANGE_INFO_INIT;
	cJSON *all = cJSON_CreateArray();
	int rc;
	q.space = space;
	if (!all)
		return ipam__enomem();
	if ((rc = ipam_range_iter_new(&it, db, &q))) {
		cJSON_Delete(all);
		return rc;
	}
	/* first the ranges as (first, last, purpose, description, attrs) */
	while (!rc && (rc = ipam_range_iter_next(&r, it)) == 0) {
		char a1[64], a2[64];
		ipam__imp_addr_text(a1, &r.first);
		ipam__imp_addr_text(a2, &r.last);
		cJSON *o = cJSON_CreateObject();
		if (!o || !cJSON_AddStringToObject(o, "first", a1) || !cJSON_AddStringToObject(o, "last", a2) ||
		    !cJSON_AddNumberToObject(o, "purpose", r.purpose) ||
		    !(r.description ? cJSON_AddStringToObject(o, "description", r.description)
		                    : cJSON_AddNullToObject(o, "description")) ||
		    !cJSON_AddStringToObject(o, "attrs", r.attrs_json ? r.attrs_json : "{}") ||
		    !cJSON_AddItemToArray(all, o)) {
			cJSON_Delete(o);
			rc = ipam__enomem();
		}
	}
	ipam_range_info_dispose(&r);
	ipam_range_iter_free(it);
	if (rc != IPAM_ITEROVER) {
		cJSON_Delete(all);
		return rc;
	}
	rc = 0;
	table *t = &x->t[IB_RANGE];
	const cJSON *o, *e;
	cJSON_ArrayForEach(o, all)
	{
		ipam_addr f, l, ef, el;
		ipam_addr_parse(&f, cJSON_GetObjectItem(o, "first")->valuestring);
		ipam_addr_parse(&l, cJSON_GetObjectItem(o, "last")->valuestring);
		int purpose = cJSON_GetObjectItem(o, "purpose")->valueint, inside = 0;
		/* an exclusion inside a pool is written with the pool */
		cJSON_ArrayForEach(e, all)
		{
			if (e == o || cJSON_GetObjectItem(e, "purpose")->valueint == IPAM_RANGE_EXCLUDED)
				continue;
			ipam_addr_parse(&ef, cJSON_GetObjectItem(e, "first")->valuestring);
			ipam_addr_parse(&el, cJSON_GetObjectItem(e, "last")->valuestring);
			inside = inside || (ipam_addr_cmp(&ef, &f) <= 0 && ipam_addr_cmp(&l, &el) <= 0);
		}
		if (purpose == IPAM_RANGE_EXCLUDED && inside)
			continue;
		ipam_buf ex = IPAM_BUF_INIT;
		cJSON_ArrayForEach(e, all)
		{
			if (e == o || rc || cJSON_GetObjectItem(e, "purpose")->valueint != IPAM_RANGE_EXCLUDED)
				continue;
			ipam_addr_parse(&ef, cJSON_GetObjectItem(e, "first")->valuestring);
			ipam_addr_parse(&el, cJSON_GetObjectItem(e, "last")->valuestring);
			if (ipam_addr_cmp(&f, &ef) > 0 || ipam_addr_cmp(&el, &l) > 0)
				continue;
			const cJSON *d = cJSON_GetObjectItem(e, "description");
			rc = ipam__buf_printf(&ex, "%s%s-%s", ex.size ? "," : "", cJSON_GetObjectItem(e, "first")->valuestring,
			                      cJSON_GetObjectItem(e, "last")->valuestring);
			if (!rc && cJSON_IsString(d))
				rc = ipam__buf_printf(&ex, "/'%s'", d->valuestring);
		}
		cJSON *a = rc ? NULL : attrs_of(cJSON_GetObjectItem(o, "attrs")->valuestring);
		cJSON *row = a ? new_row(t) : NULL;
		const cJSON *d = cJSON_GetObjectItem(o, "description");
		if (!rc && !row)
			rc = IPAM_ENOMEM;
		if (!rc && !(rc = cell(t, row, "start_address*", cJSON_GetObjectItem(o, "first")->valuestring)) &&
		    !(rc = cell(t, row, "end_address*", cJSON_GetObjectItem(o, "last")->valuestring)) &&
		    !(rc = cell(t, row, "network_view", space)) && !(rc = cell(t, row, "name", attr_text(a, "name"))) &&
		    !(rc = cell(t, row, "comment", cJSON_IsString(d) ? d->valuestring : NULL)) &&
		    !(rc = cell(t, row, "exclusion_ranges", ex.ptr)))
			rc = attr_cells(t, row, a, "EA-", ib_skip);
		cJSON_Delete(a);
		ipam_buf_dispose(&ex);
		if (rc)
			break;
	}
	cJSON_Delete(all);
	return rc;
}

/* Reserved addresses as fixed addresses (00:00:00:00:00:00 when they have
 * no MAC, as NIOS writes a reservation); named ones as host records
 * without DNS (the records are the DNS module's); the rest as fixed
 * addresses too (their status becomes reserved: say so in docs). */
static int ib_addresses(ib_ctx *x, ipam_db *db, const char *space)
{
	ipam_ip_query q = IPAM_IP_QUERY_INIT;
	ipam_ip_iter *it;
	ipam_ip_info ip = IPAM_IP_INFO_INIT;
	int rc;
	q.space = space;
	if ((rc = ipam_ip_iter_new(&it, db, &q)))
		return rc;
	while (!rc && (rc = ipam_ip_iter_next(&ip, it)) == 0) {
		char addr[64], mac[32] = "00:00:00:00:00:00";
		ipam__imp_addr_text(addr, &ip.addr);
		if (ip.has_mac)
			ipam_mac_format(mac, sizeof mac, &ip.mac);
		int host = ip.hostname && ip.status != IPAM_STATUS_RESERVED;
		table *t = &x->t[host ? IB_HOST : IB_FIXED];
		cJSON *a = attrs_of(ip.attrs_json), *row = a ? new_row(t) : NULL;
		if (!row)
			rc = IPAM_ENOMEM;
		else if (host)
			rc = (rc = cell(t, row, "fqdn*", ip.hostname)) ? rc
			     : (rc = cell(t, row, "view", "default")) ? rc
			     : (rc = cell(t, row, "network_view", space)) ? rc
			     : (rc = cell(t, row, ip.addr.family == IPAM_AF_INET ? "addresses" : "ipv6_addresses", addr)) ? rc
			     : (rc = cell(t, row, "configure_for_dns", "FALSE")) ? rc
			     : (rc = cell(t, row, "comment", ip.description)) ? rc
			     : attr_cells(t, row, a, "EA-", ib_skip_vlan);
		else
			rc = (rc = cell(t, row, "ip_address*", addr)) ? rc
			     : (rc = cell(t, row, "network_view", space)) ? rc
			     : (rc = cell(t, row, "mac_address*", mac)) ? rc
			     : (rc = cell(t, row, "name", ip.hostname)) ? rc
			     : (rc = cell(t, row, "comment", ip.description)) ? rc
			     : attr_cells(t, row, a, "EA-", ib_skip_vlan);
		cJSON_Delete(a);
	}
	ipam_ip_info_dispose(&ip);
	ipam_ip_iter_free(it);
	return rc == IPAM_ITEROVER ? 0 : rc;
}

static int ib_space(void *ctx, ipam_db *db, const ipam_space_info *s)
{
	int rc = ib_prefixes(ctx, db, s->name);
	rc = rc ? rc : ib_ranges(ctx, db, s->name);
	return rc ? rc : ib_addresses(ctx, db, s->name);
}

int ipam_export_csv(ipam_buf *out, ipam_db *db, ipam_export_csv_kind what)
{
	ipam_buf b = IPAM_BUF_INIT;
	int rc = 0;
	if (what == IPAM_EXPORT_INFOBLOX) {
		static const char *const none[] = { NULL };
		static const char *const types[IB_NTABLES] = { "networkcontainer", "network", "ipv6networkcontainer",
			                                       "ipv6network", "dhcprange", "fixedaddress",
			                                       "hostrecord" };
		ib_ctx x;
		memset(&x, 0, sizeof x);
		for (int i = 0; i < IB_NTABLES && !rc; i++)
			rc = table_init(&x.t[i], none, types[i]);
		rc = rc ? rc : each_space(db, ib_space, &x);
		for (int i = 0; i < IB_NTABLES; i++) {
			rc = rc ? rc : table_write(&b, &x.t[i]);
			table_free(&x.t[i]);
		}
	} else if (what >= IPAM_EXPORT_NETBOX_VRFS && what <= IPAM_EXPORT_NETBOX_ADDRESSES) {
		static const char *const fixed[][4] = {
			[IPAM_EXPORT_NETBOX_VRFS] = { "name", "rd", NULL },
			[IPAM_EXPORT_NETBOX_PREFIXES] = { "prefix", "vrf", "status", NULL },
			[IPAM_EXPORT_NETBOX_RANGES] = { "start_address", "end_address", "vrf", NULL },
			[IPAM_EXPORT_NETBOX_ADDRESSES] = { "address", "vrf", "status", NULL },
		};
		nb_ctx x = { what, { 0 } };
		rc = table_init(&x.t, fixed[what], NULL);
		rc = rc ? rc : each_space(db, nb_space, &x);
		rc = rc ? rc : table_write(&b, &x.t);
		table_free(&x.t);
	} else {
		return ipam__error(IPAM_EINVAL, "ipam_export_csv: unknown kind %d", (int)what);
	}
	if (!rc)
		rc = ipam__buf_put(out, b.ptr ? b.ptr : "", b.size);
	ipam_buf_dispose(&b);
	return rc;
}
