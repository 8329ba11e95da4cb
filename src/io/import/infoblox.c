/* Infoblox NIOS CSV export: one file of sections, each opened by a
 * `header-<type>` record naming the columns of the `<type>` records after
 * it (networkcontainer, network, ipv6networkcontainer, ipv6network,
 * dhcprange, fixedaddress, hostrecord, arecord, aaaarecord, ptrrecord,
 * cnamerecord, authzone). network_view is the space ("default" is the global one);
 * EA-<name> columns are extensible attributes (EA-VLAN is the VLAN),
 * EAInherited-* only say how an attribute is inherited and are dropped;
 * the other columns are kept beside the attributes. A host record becomes
 * its addresses plus A/AAAA records and a CNAME per alias. DNS records and
 * zones keep their DNS view (`view`): the apply step puts them there. */
#include "io/import/imp.h"
#include "dns/dns.h"

#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#define IB_GLOBAL "default"

typedef ipam__imp_row ib_row;
#define get ipam__imp_row_get
#define bad ipam__imp_row_bad

/* NULL for the global view, else the view's name (and its space item). */
static int view(ipam__imp_model *m, const ib_row *r, const char **out)
{
	const char *v = get(r, "network_view");
	int is_new;
	*out = NULL;
	if (!*v || !strcmp(v, IB_GLOBAL))
		return 0;
	ipam__imp_item *s = ipam__imp_get(m, IMP_SPACE, NULL, v, r->file, r->line, &is_new);
	if (!s)
		return IPAM_ENOMEM;
	*out = v;
	return is_new ? ipam__imp_set(&s->name, v) : 0;
}

/* The columns a row's own code reads (besides EA-*): not kept as extras. */
static int is_read(const char *col, const char *const *own)
{
	size_t n = strlen(col);
	while (n && col[n - 1] == '*')
		n--;
	for (size_t i = 0; own[i]; i++)
		if (strlen(own[i]) == n && !strncasecmp(col, own[i], n))
			return 1;
	return 0;
}

/* EA-* into attributes (EA-VLAN into *vlan), other unread columns into extra. */
static int attrs(ipam__imp_model *m, ipam__imp_item *it, const ib_row *r, const char *const *own, long *vlan)
{
	int rc = 0;
	for (size_t i = 1; i < r->n && !rc; i++) {
		const char *c = r->keys[i], *v = r->vals[i];
		if (!*v || !strncasecmp(c, "EAInherited-", 12))
			continue;
		if (!strncasecmp(c, "EA-", 3)) {
			if (vlan && !strcasecmp(c + 3, "VLAN")) {
				char *end;
				long id = strtol(v, &end, 10);
				if (*end || id < 1 || id > 4094)
					return ipam__imp_err(m, r->file, r->line, c, v, "%s: not a VLAN id (1..4094): '%.40s'", c, v);
				*vlan = id;
				continue;
			}
			rc = ipam__imp_attr_str(it->attrs, c + 3, v);
		} else if (!is_read(c, own)) {
			rc = ipam__imp_attr_str(it->extra, c, v);
		}
	}
	return rc;
}

static int network(ipam__imp_model *m, const ib_row *r, int v6, int container)
{
	static const char *const own[] = { "address", "netmask", "cidr", "network_view", "comment", NULL };
	ipam_addr a;
	ipam_prefix p;
	int len, is_new, rc;
	const char *sp;
	if (ipam_addr_parse(&a, get(r, "address")) || (a.family == IPAM_AF_INET6) != v6)
		return bad(m, r, "address", v6 ? "not an IPv6 address" : "not an IPv4 address");
	if (v6) {
		char *end;
		long l = strtol(get(r, "cidr"), &end, 10);
		if (!*get(r, "cidr") || *end || l < 0 || l > 128)
			return bad(m, r, "cidr", "not a prefix length");
		len = (int)l;
	} else if ((len = ipam__imp_netmask(get(r, "netmask"))) < 0) {
		return bad(m, r, "netmask", "not a netmask");
	}
	/* NIOS refuses a network with host bits set; so does this import */
	if (ipam_prefix_from(&p, &a, (unsigned)len, 0))
		return bad(m, r, "address", "host bits set for this netmask");
	if ((rc = view(m, r, &sp)))
		return rc;
	char key[64];
	ipam_prefix_format(key, sizeof key, &p);
	ipam__imp_item *it = ipam__imp_get(m, IMP_PREFIX, sp, key, r->file, r->line, &is_new);
	if (!it)
		return IPAM_ENOMEM;
	it->prefix = p;
	if ((rc = ipam__imp_set(&it->kind, container ? "container" : "network")) ||
	    (rc = ipam__imp_set(&it->description, get(r, "comment"))) || (rc = attrs(m, it, r, own, &it->vlan)))
		return rc;
	m->rows++;
	return 0;
}

/* "a-b/'comment',c-d" (commas inside the quotes are the comment's). */
static int exclusions(ipam__imp_model *m, ipam__imp_item *it, const ib_row *r)
{
	const char *s = get(r, "exclusion_ranges");
	while (*s) {
		const char *e = s;
		int q = 0;
		while (*e && (q || *e != ',')) {
			q ^= *e == '\'';
			e++;
		}
		char part[512];
		size_t n = (size_t)(e - s);
		if (n >= sizeof part)
			return bad(m, r, "exclusion_ranges", "an exclusion is too long");
		memcpy(part, s, n);
		part[n] = '\0';
		char *comment = strchr(part, '/');
		if (comment) {
			*comment++ = '\0';
			size_t cl = strlen(comment);
			if (cl >= 2 && comment[0] == '\'' && comment[cl - 1] == '\'') {
				comment[cl - 1] = '\0';
				comment++;
			}
		}
		char *dash = strchr(part, '-');
		ipam_addr a, b;
		if (!dash || (*dash = '\0', ipam_addr_parse(&a, part)) || ipam_addr_parse(&b, dash + 1) ||
		    a.family != b.family || ipam_addr_cmp(&a, &b) > 0 || ipam_addr_cmp(&a, &it->first) < 0 ||
		    ipam_addr_cmp(&b, &it->last) > 0)
			return bad(m, r, "exclusion_ranges", "expected START-END/'comment' inside the range");
		char ta[64], tb[64];
		ipam__imp_addr_text(ta, &a);
		ipam__imp_addr_text(tb, &b);
		cJSON *x = cJSON_CreateObject();
		if (!x || !cJSON_AddStringToObject(x, "start", ta) || !cJSON_AddStringToObject(x, "end", tb) ||
		    !(comment && *comment ? cJSON_AddStringToObject(x, "comment", comment)
		                          : cJSON_AddNullToObject(x, "comment")) ||
		    !cJSON_AddItemToArray(it->exclusions, x)) {
			cJSON_Delete(x);
			return ipam__enomem();
		}
		s = *e ? e + 1 : e;
	}
	return 0;
}

static int dhcprange(ipam__imp_model *m, const ib_row *r)
{
	static const char *const own[] = { "start_address", "end_address", "network_view", "name", "comment",
		                           "exclusion_ranges", NULL };
	ipam_addr a, b;
	int rc;
	const char *sp;
	if (ipam_addr_parse(&a, get(r, "start_address")))
		return bad(m, r, "start_address", "not an address");
	if (ipam_addr_parse(&b, get(r, "end_address")) || a.family != b.family || ipam_addr_cmp(&a, &b) > 0)
		return bad(m, r, "end_address", "not an address of the start's family at or after it");
	if ((rc = view(m, r, &sp)))
		return rc;
	ipam__imp_item *it = ipam__imp_range(m, sp, &a, &b, r->file, r->line);
	if (!it)
		return IPAM_ENOMEM;
	cJSON_Delete(it->exclusions);
	if (!(it->exclusions = cJSON_CreateArray()))
		return ipam__enomem();
	if ((rc = ipam__imp_set(&it->kind, "dhcp")) || (rc = ipam__imp_set(&it->name, get(r, "name"))) ||
	    (rc = ipam__imp_set(&it->description, get(r, "comment"))) || (rc = exclusions(m, it, r)) ||
	    (rc = attrs(m, it, r, own, NULL)))
		return rc;
	m->rows++;
	return 0;
}

/* An address of the model (merged with one an earlier row gave). */
static int address(ipam__imp_model *m, const ib_row *r, const char *sp, const ipam_addr *a, const char *kind,
                   const char *host, const ipam_mac *mac, const char *const *own, ipam__imp_item **out)
{
	int rc;
	ipam__imp_item *it = ipam__imp_address(m, sp, a, mac, r->file, r->line);
	if (!it)
		return IPAM_ENOMEM;
	if ((rc = ipam__imp_set(&it->kind, kind)) || (rc = ipam__imp_set(&it->hostname, host)) ||
	    (rc = ipam__imp_set(&it->description, get(r, "comment"))) || (rc = attrs(m, it, r, own, NULL)))
		return rc;
	if (out)
		*out = it;
	return 0;
}

/* 00:00:00:00:00:00 is how NIOS writes a reservation without a MAC. */
static int mac_of(ipam_mac *out, const char *s, int *has)
{
	*has = 0;
	if (!*s)
		return 0;
	if (ipam_mac_parse(out, s))
		return -1;
	for (unsigned i = 0; i < out->len; i++)
		if (out->bytes[i])
			*has = 1;
	return 0;
}

static int fixedaddress(ipam__imp_model *m, const ib_row *r)
{
	static const char *const own[] = { "ip_address", "network_view", "mac_address", "name", "comment", NULL };
	ipam_addr a;
	ipam_mac mac;
	int has, rc;
	const char *sp;
	if (ipam_addr_parse(&a, get(r, "ip_address")))
		return bad(m, r, "ip_address", "not an address");
	if (mac_of(&mac, get(r, "mac_address"), &has))
		return bad(m, r, "mac_address", "not a MAC address");
	if ((rc = view(m, r, &sp)) ||
	    (rc = address(m, r, sp, &a, has ? "dhcp_reservation" : "reserved", get(r, "name"), has ? &mac : NULL, own,
	                  NULL)))
		return rc;
	m->rows++;
	return 0;
}

/* A DNS record of the row's DNS view (`view`, default "default"). `sp` is
 * the network view of the address an A/AAAA record was made from (NULL:
 * the global one). */
static int record(ipam__imp_model *m, const ib_row *r, const char *sp, const char *name, const char *type,
                  const char *data)
{
	char key[1024];
	int is_new, rc;
	const char *dv = get(r, "view");
	long ttl = -1;
	if (*get(r, "ttl")) {
		char *end;
		ttl = strtol(get(r, "ttl"), &end, 10);
		if (*end || ttl < 0 || ttl > 2147483647L)
			return bad(m, r, "ttl", "not a TTL");
	}
	snprintf(key, sizeof key, "%s %s %s", name, type, data);
	ipam__imp_item *it = ipam__imp_get(m, IMP_RECORD, *dv ? dv : IB_GLOBAL, key, r->file, r->line, &is_new);
	if (!it)
		return IPAM_ENOMEM;
	it->ttl = ttl;
	if ((rc = ipam__imp_set(&it->name, name)) || (rc = ipam__imp_set(&it->rtype, type)) ||
	    (rc = ipam__imp_set(&it->rdata, data)) || (rc = ipam__imp_set(&it->addr_space, sp ? sp : IB_GLOBAL)))
		return rc;
	return ipam__imp_attr_str(it->extra, "comment", get(r, "comment"));
}

/* Each comma-separated word of `list`. */
typedef int (*word_fn)(ipam__imp_model *m, const ib_row *r, const char *word, void *ctx);

static int each_word(ipam__imp_model *m, const ib_row *r, const char *list, word_fn fn, void *ctx)
{
	char w[1024];
	while (*list) {
		const char *e = strchr(list, ',');
		size_t n = e ? (size_t)(e - list) : strlen(list);
		while (n && *list == ' ')
			list++, n--;
		while (n && list[n - 1] == ' ')
			n--;
		if (n >= sizeof w)
			return bad(m, r, "addresses", "a value is too long");
		memcpy(w, list, n);
		w[n] = '\0';
		int rc = n ? fn(m, r, w, ctx) : 0;
		if (rc)
			return rc;
		list += e ? (size_t)(e - list) + 1 : strlen(list);
	}
	return 0;
}

typedef struct host_ctx {
	const char *sp, *fqdn, *field;
	int v6, dns, dhcp, has_mac;
	ipam_mac mac;
	int bad;
} host_ctx;

static int host_addr(ipam__imp_model *m, const ib_row *r, const char *word, void *ctx)
{
	static const char *const own[] = { "fqdn",     "view", "network_view", "addresses", "ipv6_addresses", "aliases",
		                           "configure_for_dns", "configure_for_dhcp", "mac_address", "comment", "ttl",
		                           NULL };
	host_ctx *h = ctx;
	ipam_addr a;
	int rc;
	if (ipam_addr_parse(&a, word) || (a.family == IPAM_AF_INET6) != h->v6) {
		h->bad = 1;
		return ipam__imp_err(m, r->file, r->line, h->field, word, "%s: not an IPv%d address: '%.100s'", h->field,
		                     h->v6 ? 6 : 4, word);
	}
	int reservation = h->dhcp && h->has_mac && !h->v6;
	if ((rc = address(m, r, h->sp, &a, reservation ? "dhcp_reservation" : "static", h->fqdn,
	                  reservation ? &h->mac : NULL, own, NULL)))
		return rc;
	char text[64];
	ipam__imp_addr_text(text, &a);
	return h->dns ? record(m, r, h->sp, h->fqdn, h->v6 ? "AAAA" : "A", text) : 0;
}

static int host_alias(ipam__imp_model *m, const ib_row *r, const char *word, void *ctx)
{
	host_ctx *h = ctx;
	return record(m, r, NULL, word, "CNAME", h->fqdn);
}

static int flag(ipam__imp_model *m, const ib_row *r, const char *field, int dflt, int *out)
{
	const char *v = get(r, field);
	*out = *v ? ipam__imp_bool(v) : dflt;
	return *out < 0 ? bad(m, r, field, "not TRUE or FALSE") : 0;
}

static int hostrecord(ipam__imp_model *m, const ib_row *r)
{
	host_ctx h = { 0 };
	int rc;
	h.fqdn = get(r, "fqdn");
	if (!*h.fqdn)
		return bad(m, r, "fqdn", "a host record needs a name");
	size_t before = m->nerrors;
	if ((rc = flag(m, r, "configure_for_dns", 1, &h.dns)) || m->nerrors != before ||
	    (rc = flag(m, r, "configure_for_dhcp", 0, &h.dhcp)) || m->nerrors != before)
		return rc;
	if (mac_of(&h.mac, get(r, "mac_address"), &h.has_mac))
		return bad(m, r, "mac_address", "not a MAC address");
	if ((rc = view(m, r, &h.sp)))
		return rc;
	h.field = "addresses";
	if ((rc = each_word(m, r, get(r, "addresses"), host_addr, &h)))
		return rc;
	h.field = "ipv6_addresses";
	h.v6 = 1;
	if ((rc = each_word(m, r, get(r, "ipv6_addresses"), host_addr, &h)))
		return rc;
	if (h.dns && (rc = each_word(m, r, get(r, "aliases"), host_alias, &h)))
		return rc;
	m->rows += !h.bad;
	return 0;
}

static int arecord(ipam__imp_model *m, const ib_row *r, int v6)
{
	static const char *const own[] = { "address", "fqdn", "view", "comment", "ttl", "disabled", NULL };
	ipam_addr a;
	int rc;
	const char *fqdn = get(r, "fqdn");
	if (ipam_addr_parse(&a, get(r, "address")) || (a.family == IPAM_AF_INET6) != v6)
		return bad(m, r, "address", v6 ? "not an IPv6 address" : "not an IPv4 address");
	if (!*fqdn)
		return bad(m, r, "fqdn", "a record needs a name");
	char text[64];
	ipam__imp_addr_text(text, &a);
	ipam__imp_item *it = NULL;
	/* the address lives in the network view the DNS view serves: the global one here */
	if ((rc = address(m, r, NULL, &a, "static", fqdn, NULL, own, &it)) ||
	    (rc = record(m, r, NULL, fqdn, v6 ? "AAAA" : "A", text)))
		return rc;
	if (*get(r, "disabled") && ipam__imp_bool(get(r, "disabled")) == 1 &&
	    (rc = ipam__imp_attr(it->extra, "disabled", cJSON_CreateTrue())))
		return rc;
	m->rows++;
	return 0;
}

static int ptrrecord(ipam__imp_model *m, const ib_row *r)
{
	const char *name = get(r, "fqdn"), *target = get(r, "dname");
	if (!*target)
		return bad(m, r, "dname", "a PTR record needs a target");
	char rev[IPAM_REVERSE_STRLEN];
	ipam_addr a;
	if (!*name) {
		/* NIOS may give the address alone: the name is its reverse name */
		if (ipam_addr_parse(&a, get(r, "address")) || ipam_addr_reverse_name(rev, sizeof rev, &a) < 0)
			return bad(m, r, "address", "a PTR record needs a name or an address");
		rev[strlen(rev) - 1] = '\0';
		name = rev;
	}
	int rc = record(m, r, NULL, name, "PTR", target);
	m->rows += !rc;
	return rc;
}

static int cnamerecord(ipam__imp_model *m, const ib_row *r)
{
	const char *name = get(r, "fqdn"), *target = get(r, "canonical_name");
	if (!*name)
		return bad(m, r, "fqdn", "a CNAME record needs a name");
	if (!*target)
		return bad(m, r, "canonical_name", "a CNAME record needs a target");
	int rc = record(m, r, NULL, name, "CNAME", target);
	m->rows += !rc;
	return rc;
}

/* The name servers of a server list column ("host/stealth,..." for grid
 * members, "name/ip/stealth/..." for external servers): every one that is
 * not stealth, into the zone's "ns". */
static int zone_servers(ipam__imp_model *m, const ib_row *r, cJSON *ns, const char *col, int stealth_at)
{
	const char *v = get(r, col);
	char w[600];
	while (*v) {
		size_t n = strcspn(v, ",");
		if (n >= sizeof w)
			return bad(m, r, col, "a server is too long");
		memcpy(w, v, n);
		w[n] = '\0';
		v += n + (v[n] == ',');
		char *f[4] = { w, NULL, NULL, NULL };
		for (int i = 1; i < 4 && f[i - 1] && (f[i] = strchr(f[i - 1], '/')); i++)
			*f[i]++ = '\0';
		char *name = w + strspn(w, " ");
		name[strcspn(name, " ")] = '\0';
		if (!*name || (f[stealth_at] && ipam__imp_bool(f[stealth_at]) == 1))
			continue;
		char abs[602];
		snprintf(abs, sizeof abs, "%s%s", name, name[strlen(name) - 1] == '.' ? "" : ".");
		cJSON *s = cJSON_CreateString(abs);
		if (!s || !cJSON_AddItemToArray(ns, s)) {
			cJSON_Delete(s);
			return ipam__enomem();
		}
	}
	return 0;
}

/* A reverse zone's name from NIOS's network notation ("192.0.2.0/24"; an
 * RFC 2317 zone with its `prefix` label, "64/26"). 0, or -1 (reported). */
static int reverse_origin(char *out, size_t size, const char *fqdn, const char *label)
{
	ipam_prefix p;
	char **v = NULL;
	size_t n = 0;
	if (ipam_prefix_parse(&p, fqdn, 0))
		return -1;
	if (*label && p.addr.family == IPAM_AF_INET && p.len > 24) {
		char rev[IPAM_REVERSE_STRLEN];
		if (ipam_addr_reverse_name(rev, sizeof rev, &p.addr) < 0)
			return -1;
		/* d.c.b.a.in-addr.arpa. -> label.c.b.a.in-addr.arpa. */
		snprintf(out, size, "%s%s", label, strchr(rev, '.'));
		return 0;
	}
	if (ipam__dns_reverse_zones(&v, &n, &p, IPAM__DNS_2317_SLASH) || n != 1) {
		ipam__dns_strv_free(v);
		return -1;
	}
	snprintf(out, size, "%s", v[0]);
	ipam__dns_strv_free(v);
	return 0;
}

/* An authoritative zone of a DNS view: created by the apply step when the
 * store lacks it (a zone it has keeps its settings), bound to the import's
 * space. Its name servers are the non-stealth ones of its server lists (an
 * ns_group is not resolved); the SOA from soa_* columns. */
static int authzone(ipam__imp_model *m, const ib_row *r)
{
	static const char *const timers[][2] = { { "soa_refresh", "refresh" }, { "soa_retry", "retry" },
		                                 { "soa_expire", "expire" }, { "soa_negative_ttl", "minimum" } };
	const char *fqdn = get(r, "fqdn"), *fmt = get(r, "zone_format"), *dv = get(r, "view");
	char origin[300], rname[300] = "";
	int is_new, rc;
	if (!*fqdn)
		return bad(m, r, "fqdn", "a zone needs a name");
	if (!strcasecmp(fmt, "FORWARD") || strstr(fqdn, ".arpa")) {
		snprintf(origin, sizeof origin, "%s%s", fqdn, fqdn[strlen(fqdn) - 1] == '.' ? "" : ".");
	} else if (!strcasecmp(fmt, "IPV4") || !strcasecmp(fmt, "IPV6")) {
		if (reverse_origin(origin, sizeof origin, fqdn, get(r, "prefix")))
			return bad(m, r, "fqdn", "not a network a reverse zone can be named after");
	} else {
		return bad(m, r, "zone_format", "not FORWARD, IPV4 or IPV6");
	}
	cJSON *ns = cJSON_CreateArray();
	if (!ns)
		return ipam__enomem();
	if ((rc = zone_servers(m, r, ns, "grid_primaries", 1)) || (rc = zone_servers(m, r, ns, "grid_secondaries", 1)) ||
	    (rc = zone_servers(m, r, ns, "external_primaries", 2)) ||
	    (rc = zone_servers(m, r, ns, "external_secondaries", 2)) || !cJSON_GetArraySize(ns)) {
		cJSON_Delete(ns);
		return rc ? rc
		          : bad(m, r, "grid_primaries",
		                "a zone needs a name server that is not stealth (grid_primaries, grid_secondaries, "
		                "external_primaries, external_secondaries; an ns_group is not resolved)");
	}
	const char *mail = get(r, "soa_email"), *at = strchr(mail, '@');
	if (at)
		snprintf(rname, sizeof rname, "%.*s.%s%s", (int)(at - mail), mail, at + 1,
		         mail[strlen(mail) - 1] == '.' ? "" : ".");
	ipam__imp_item *z =
		ipam__imp_get(m, IMP_ZONE, *dv && strcmp(dv, IB_GLOBAL) ? dv : NULL, origin, r->file, r->line, &is_new);
	if (!z) {
		cJSON_Delete(ns);
		return IPAM_ENOMEM;
	}
	cJSON_DeleteItemFromObjectCaseSensitive(z->attrs, "ns");
	if ((rc = ipam__imp_attr(z->attrs, "ns", ns)) || (rc = ipam__imp_set(&z->name, origin)) ||
	    (rc = ipam__imp_attr_str(z->attrs, "rname", rname)) ||
	    (rc = ipam__imp_attr_str(z->extra, "comment", get(r, "comment"))))
		return rc;
	z->ttl = *get(r, "soa_default_ttl") ? strtol(get(r, "soa_default_ttl"), NULL, 10) : -1;
	for (size_t i = 0; i < sizeof timers / sizeof timers[0] && !rc; i++)
		if (*get(r, timers[i][0]))
			rc = ipam__imp_attr(z->attrs, timers[i][1], cJSON_CreateNumber(strtod(get(r, timers[i][0]), NULL)));
	m->rows += !rc;
	return rc;
}

static int dispatch(ipam__imp_model *m, const char *type, const ib_row *r)
{
	if (!strcasecmp(type, "authzone"))
		return authzone(m, r);
	if (!strcasecmp(type, "networkcontainer"))
		return network(m, r, 0, 1);
	if (!strcasecmp(type, "network"))
		return network(m, r, 0, 0);
	if (!strcasecmp(type, "ipv6networkcontainer"))
		return network(m, r, 1, 1);
	if (!strcasecmp(type, "ipv6network"))
		return network(m, r, 1, 0);
	if (!strcasecmp(type, "dhcprange"))
		return dhcprange(m, r);
	if (!strcasecmp(type, "fixedaddress"))
		return fixedaddress(m, r);
	if (!strcasecmp(type, "hostrecord"))
		return hostrecord(m, r);
	if (!strcasecmp(type, "arecord"))
		return arecord(m, r, 0);
	if (!strcasecmp(type, "aaaarecord"))
		return arecord(m, r, 1);
	if (!strcasecmp(type, "ptrrecord"))
		return ptrrecord(m, r);
	if (!strcasecmp(type, "cnamerecord"))
		return cnamerecord(m, r);
	return ipam__imp_err(m, r->file, r->line, "header", type,
	                     "Infoblox object type '%.60s' is not imported (not an IPAM or DNS record type this "
	                     "importer knows)",
	                     type);
}

/* The sections seen so far: type -> its header's columns. */
typedef struct ib_section {
	char *type;
	char **cols;
	size_t ncols;
} ib_section;

static void sections_free(ib_section *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		for (size_t k = 0; k < s[i].ncols; k++)
			free(s[i].cols[k]);
		free(s[i].cols);
		free(s[i].type);
	}
	free(s);
}

static int section_set(ib_section **secs, size_t *n, const ipam__csv *c)
{
	const char *type = c->fields[0] + 7; /* after "header-" */
	size_t i;
	for (i = 0; i < *n && strcasecmp((*secs)[i].type, type); i++)
		;
	if (i == *n) {
		ib_section *v = realloc(*secs, (*n + 1) * sizeof *v);
		if (!v)
			return ipam__enomem();
		*secs = v;
		memset(&v[i], 0, sizeof v[i]);
		if (!(v[i].type = ipam__strdup(type)))
			return IPAM_ENOMEM;
		(*n)++;
	}
	ib_section *s = &(*secs)[i];
	for (size_t k = 0; k < s->ncols; k++)
		free(s->cols[k]);
	free(s->cols);
	s->ncols = 0;
	if (!(s->cols = calloc(c->nfields, sizeof *s->cols)))
		return ipam__enomem();
	for (; s->ncols < c->nfields; s->ncols++)
		if (!(s->cols[s->ncols] = ipam__strdup(c->fields[s->ncols])))
			return IPAM_ENOMEM;
	return 0;
}

int ipam__imp_infoblox(ipam__imp_model *m, const char *file, const char *data, size_t len)
{
	ipam__csv c;
	ib_section *secs = NULL;
	size_t nsecs = 0;
	int rc, seen_header = 0;

	ipam__csv_init(&c, data, len, ',');
	for (;;) {
		if ((rc = ipam__csv_next(&c)) != 1) {
			if (rc < 0 && rc != IPAM_ENOMEM)
				rc = ipam__imp_in_file(rc, file);
			break;
		}
		const char *type = c.fields[0];
		if (!strncasecmp(type, "header-", 7)) {
			if ((rc = section_set(&secs, &nsecs, &c)))
				break;
			seen_header = 1;
			continue;
		}
		if (!seen_header) {
			rc = ipam__error(IPAM_EINVAL, "%s:%lu: not an Infoblox CSV export: the first record is not a "
			                              "header-<type> record",
			                 file, c.rec_line);
			break;
		}
		size_t i;
		for (i = 0; i < nsecs && strcasecmp(secs[i].type, type); i++)
			;
		if (i == nsecs) {
			if ((rc = ipam__imp_err(m, file, c.rec_line, "type", type,
			                        "no header-%.60s record before this %.60s record", type, type)))
				break;
			continue;
		}
		if (c.nfields != secs[i].ncols) {
			char v[32];
			snprintf(v, sizeof v, "%zu", c.nfields);
			if ((rc = ipam__imp_err(m, file, c.rec_line, NULL, v, "%zu fields where header-%s has %zu", c.nfields,
			                        secs[i].type, secs[i].ncols)))
				break;
			continue;
		}
		ib_row r = { (const char *const *)secs[i].cols, c.fields, c.nfields, file, c.rec_line };
		if ((rc = dispatch(m, type, &r)))
			break;
	}
	if (rc == 0 && !seen_header)
		rc = ipam__error(IPAM_EINVAL, "%s: empty: no header-<type> record", file);
	sections_free(secs, nsecs);
	ipam__csv_dispose(&c);
	return rc < 0 ? rc : 0;
}
