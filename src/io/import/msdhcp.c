/* Microsoft DHCP Server: the Export-DhcpServer XML (read with xml.c) and
 * the `netsh dhcp server dump` text. A scope is a prefix (ScopeId +
 * SubnetMask; its name the description; state, lease duration, option
 * values and the scope's description as attributes) and a DHCP range of
 * its pool with the exclusion ranges; a reservation is an address
 * (dhcp_reservation, the client id as MAC when it is one, the reservation's
 * name as host name); a lease (XML) is an address (dhcp_lease) unless it
 * is the lease of a reservation. IPv6 scopes (XML) are /64 prefixes whose
 * exclusion ranges become ranges; their reservations key on DUID and IAID.
 * Server-wide settings (classes, option definitions, filters, server
 * options) are not stored: the report's notes say so. */
#include "io/import/imp.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

typedef struct ms {
	ipam__imp_model *m;
	const char *file;
} ms;

static int ms_bad(ms *s, unsigned long line, const char *field, const char *value, const char *what)
{
	return ipam__imp_err(s->m, s->file, line, field, value, "%s: %s: '%.200s'", field, what, value);
}

/* The scope's prefix item with its attributes; NULL with *rc set (0 when
 * the scope was reported and skipped). */
static ipam__imp_item *scope_prefix(ms *s, unsigned long line, const char *net, const char *mask, const char *name,
                                    const char *desc, const char *state, int *rc)
{
	ipam_addr a;
	ipam_prefix p;
	int len = ipam__imp_netmask(mask), is_new;
	char key[64];
	*rc = 0;
	if (ipam_addr_parse(&a, net) || a.family != IPAM_AF_INET) {
		*rc = ms_bad(s, line, "ScopeId", net, "not an IPv4 address");
		return NULL;
	}
	if (len < 0) {
		*rc = ms_bad(s, line, "SubnetMask", mask, "not a netmask");
		return NULL;
	}
	if (ipam_prefix_from(&p, &a, (unsigned)len, 0)) {
		*rc = ms_bad(s, line, "ScopeId", net, "host bits set for the scope's mask");
		return NULL;
	}
	ipam_prefix_format(key, sizeof key, &p);
	ipam__imp_item *it = ipam__imp_get(s->m, IMP_PREFIX, NULL, key, s->file, line, &is_new);
	if (!it) {
		*rc = IPAM_ENOMEM;
		return NULL;
	}
	it->prefix = p;
	if ((*rc = ipam__imp_set(&it->kind, "network")) || (*rc = ipam__imp_set(&it->description, name)) ||
	    (*rc = ipam__imp_attr_str(it->attrs, "dhcp_scope_state", state)) ||
	    (*rc = ipam__imp_attr_str(it->attrs, "scope_description", desc)) ||
	    (!cJSON_GetObjectItemCaseSensitive(it->attrs, "options") &&
	     (*rc = ipam__imp_attr(it->attrs, "options", cJSON_CreateObject()))))
		return NULL;
	s->m->rows++;
	return it;
}

/* options[id] = values (an array of strings, taken). */
static int option(cJSON *attrs, const char *id, cJSON *values)
{
	cJSON *o = cJSON_GetObjectItemCaseSensitive(attrs, "options");
	if (!o && ipam__imp_attr(attrs, "options", o = cJSON_CreateObject())) {
		cJSON_Delete(values);
		return IPAM_ENOMEM;
	}
	return ipam__imp_attr(o, id, values);
}

/* The pool of a scope: a DHCP range inside its prefix. */
static ipam__imp_item *pool(ms *s, unsigned long line, const ipam__imp_item *scope, const char *first,
                            const char *last, const char *kind, const char *name, int *rc)
{
	ipam_addr a, b;
	*rc = 0;
	if (ipam_addr_parse(&a, first) || !ipam_prefix_contains(&scope->prefix, &a)) {
		*rc = ms_bad(s, line, "StartRange", first, "not an address of the scope");
		return NULL;
	}
	if (ipam_addr_parse(&b, last) || !ipam_prefix_contains(&scope->prefix, &b) || ipam_addr_cmp(&a, &b) > 0) {
		*rc = ms_bad(s, line, "EndRange", last, "not an address of the scope at or after the start");
		return NULL;
	}
	ipam__imp_item *r = ipam__imp_range(s->m, NULL, &a, &b, s->file, line);
	if (!r) {
		*rc = IPAM_ENOMEM;
		return NULL;
	}
	if ((*rc = ipam__imp_set(&r->kind, kind)) || (*rc = ipam__imp_set(&r->name, name)))
		return NULL;
	return r;
}

/* An exclusion range appended to a pool. */
static int exclude(ms *s, unsigned long line, ipam__imp_item *r, const char *first, const char *last)
{
	ipam_addr a, b;
	char ta[64], tb[64];
	if (ipam_addr_parse(&a, first) || ipam_addr_parse(&b, last) || ipam_addr_cmp(&a, &b) > 0 ||
	    ipam_addr_cmp(&a, &r->first) < 0 || ipam_addr_cmp(&b, &r->last) > 0)
		return ms_bad(s, line, "ExclusionRange", first, "not a range inside the scope's pool");
	ipam__imp_addr_text(ta, &a);
	ipam__imp_addr_text(tb, &b);
	cJSON *x = cJSON_CreateObject();
	if (!x || !cJSON_AddStringToObject(x, "start", ta) || !cJSON_AddStringToObject(x, "end", tb) ||
	    !cJSON_AddItemToArray(r->exclusions, x)) {
		cJSON_Delete(x);
		return ipam__enomem();
	}
	return 0;
}

/* A reservation or a lease: an address of a scope. NULL with *rc set (0
 * when reported and skipped). */
static ipam__imp_item *address(ms *s, unsigned long line, const ipam__imp_item *scope, const char *ip,
                               const char *client, const char *kind, const char *host, const char *desc, int *rc)
{
	ipam_addr a;
	ipam_mac mac;
	int has_mac = *client && !ipam_mac_parse(&mac, client);
	*rc = 0;
	if (ipam_addr_parse(&a, ip) || (scope && !ipam_prefix_contains(&scope->prefix, &a))) {
		*rc = ms_bad(s, line, "IPAddress", ip, "not an address of the scope");
		return NULL;
	}
	ipam__imp_item *it = ipam__imp_address(s->m, NULL, &a, has_mac ? &mac : NULL, s->file, line);
	if (!it) {
		*rc = IPAM_ENOMEM;
		return NULL;
	}
	if ((*rc = ipam__imp_set(&it->kind, kind)) || (*rc = ipam__imp_set(&it->hostname, host)) ||
	    (*rc = ipam__imp_set(&it->description, desc)) ||
	    (*client && !has_mac && (*rc = ipam__imp_attr_str(it->attrs, "client_id", client))))
		return NULL;
	s->m->rows++;
	return it;
}

static int reservation_type(ipam__imp_item *it, const char *type)
{
	char low[16];
	size_t i;
	for (i = 0; type[i] && i + 1 < sizeof low; i++)
		low[i] = (char)tolower((unsigned char)type[i]);
	low[i] = '\0';
	return ipam__imp_attr_str(it->attrs, "reservation_type", low);
}

/* A .NET TimeSpan "d.hh:mm:ss" or "hh:mm:ss" (',' for '.' in some
 * locales) in seconds; -1 when it is not one. */
static long timespan(const char *t)
{
	long d = 0, h, mi, sec;
	int n = 0;
	if (sscanf(t, "%ld%*[.,]%ld:%ld:%ld%n", &d, &h, &mi, &sec, &n) == 4 && !t[n])
		return d * 86400 + h * 3600 + mi * 60 + sec;
	if (sscanf(t, "%ld:%ld:%ld%n", &h, &mi, &sec, &n) == 3 && (!t[n] || t[n] == '.'))
		return h * 3600 + mi * 60 + sec;
	return -1;
}

/* ---- Export-DhcpServer XML ---- */

#define T(node, name) ipam__xml_text(node, name)

/* Each child of n's child `list` called `item`. */
#define EACH(k, n, list, item)                                                                   \
	for (const ipam__xml *l_ = ipam__xml_child(n, list), *k = NULL; l_; l_ = NULL)        \
		for (size_t i_ = 0; i_ < l_->nkids && ((k = l_->kids[i_]), 1); i_++)           \
			if (strcmp(k->name, item)) {                                             \
			} else

/* OptionValues/OptionValue: {"id": ["v", ...]} into attrs (key `into`). */
static int xml_options(cJSON *attrs, const ipam__xml *n)
{
	int rc = 0;
	EACH(ov, n, "OptionValues", "OptionValue")
	{
		cJSON *vals = cJSON_CreateArray();
		if (!vals)
			return ipam__enomem();
		for (size_t i = 0; i < ov->nkids; i++)
			if (!strcmp(ov->kids[i]->name, "Value") &&
			    !cJSON_AddItemToArray(vals, cJSON_CreateString(T(ov->kids[i], NULL)))) {
				cJSON_Delete(vals);
				return ipam__enomem();
			}
		if ((rc = option(attrs, T(ov, "OptionId"), vals)))
			return rc;
	}
	return 0;
}

static int xml_v4_scope(ms *s, const ipam__xml *sc)
{
	int rc;
	ipam__imp_item *p = scope_prefix(s, sc->line, T(sc, "ScopeId"), T(sc, "SubnetMask"), T(sc, "Name"),
	                                 T(sc, "Description"), T(sc, "State"), &rc);
	if (!p)
		return rc;
	const char *ld = T(sc, "LeaseDuration");
	long secs = timespan(ld);
	if (*ld && secs < 0)
		return ms_bad(s, sc->line, "LeaseDuration", ld, "not a duration d.hh:mm:ss");
	if ((secs >= 0 && (rc = ipam__imp_attr(p->attrs, "lease_duration_s", cJSON_CreateNumber((double)secs)))) ||
	    (rc = xml_options(p->attrs, sc)) || (rc = ipam__imp_attr_str(p->extra, "scope_type", T(sc, "Type"))))
		return rc;
	if (!*T(sc, "StartRange"))
		return 0;
	ipam__imp_item *r = pool(s, sc->line, p, T(sc, "StartRange"), T(sc, "EndRange"), "dhcp", T(sc, "Name"), &rc);
	if (!r)
		return rc;
	EACH(x, sc, "ExclusionRanges", "IPRange")
	{
		if ((rc = exclude(s, x->line, r, T(x, "StartRange"), T(x, "EndRange"))))
			return rc;
	}
	return 0;
}

static int xml_reservations(ms *s, const ipam__xml *sc, const ipam__imp_item *scope, int v6)
{
	int rc = 0;
	EACH(rv, sc, "Reservations", "Reservation")
	{
		const char *client = v6 ? "" : T(rv, "ClientId");
		ipam__imp_item *a = address(s, rv->line, scope, T(rv, "IPAddress"), client, "dhcp_reservation", T(rv, "Name"),
		                            T(rv, "Description"), &rc);
		if (!a) {
			if (rc)
				return rc;
			continue;
		}
		if (!v6) {
			rc = reservation_type(a, T(rv, "Type"));
		} else {
			char duid[1024];
			snprintf(duid, sizeof duid, "%s", T(rv, "ClientDuid"));
			for (char *c = duid; *c; c++)
				*c = *c == '-' ? ':' : (char)tolower((unsigned char)*c);
			const char *iaid = T(rv, "Iaid");
			char *end;
			double v = strtod(iaid, &end);
			rc = ipam__imp_attr_str(a->attrs, "duid", duid);
			if (!rc && *iaid)
				rc = *end ? ipam__imp_attr_str(a->attrs, "iaid", iaid)
				          : ipam__imp_attr(a->attrs, "iaid", cJSON_CreateNumber(v));
		}
		cJSON *opts = cJSON_CreateObject();
		rc = rc ? (cJSON_Delete(opts), rc) : ipam__imp_attr(a->extra, "options", opts);
		rc = rc ? rc : xml_options(a->extra, rv);
		if (!rc && !cJSON_GetArraySize(opts))
			cJSON_DeleteItemFromObjectCaseSensitive(a->extra, "options");
		if (rc)
			return rc;
	}
	return 0;
}

static int xml_leases(ms *s, const ipam__xml *sc, const ipam__imp_item *scope)
{
	int rc = 0;
	EACH(le, sc, "Leases", "Lease")
	{
		const char *state = T(le, "AddressState");
		/* the lease of a reservation is the reservation */
		if (strstr(state, "Reservation"))
			continue;
		ipam__imp_item *a = address(s, le->line, scope, T(le, "IPAddress"), T(le, "ClientId"), "dhcp_lease",
		                            T(le, "HostName"), NULL, &rc);
		if (!a) {
			if (rc)
				return rc;
			continue;
		}
		if ((rc = ipam__imp_attr_str(a->attrs, "expires", T(le, "LeaseExpiryTime"))) ||
		    (strcmp(state, "Active") && (rc = ipam__imp_attr_str(a->attrs, "lease_state", state))))
			return rc;
	}
	return 0;
}

static int xml_v6_scope(ms *s, const ipam__xml *sc)
{
	int rc = 0, is_new;
	ipam_addr a;
	ipam_prefix p;
	const char *pre = T(sc, "Prefix");
	if (ipam_addr_parse(&a, pre) || a.family != IPAM_AF_INET6 || ipam_prefix_from(&p, &a, 64, 0))
		return ms_bad(s, sc->line, "Prefix", pre, "not an IPv6 /64 prefix");
	char key[64], name[1100];
	ipam_prefix_format(key, sizeof key, &p);
	ipam__imp_item *it = ipam__imp_get(s->m, IMP_PREFIX, NULL, key, s->file, sc->line, &is_new);
	if (!it)
		return IPAM_ENOMEM;
	it->prefix = p;
	if ((rc = ipam__imp_set(&it->kind, "network")) || (rc = ipam__imp_set(&it->description, T(sc, "Name"))) ||
	    (rc = ipam__imp_attr_str(it->attrs, "dhcp_scope_state", T(sc, "State"))) ||
	    (rc = ipam__imp_attr_str(it->attrs, "scope_description", T(sc, "Description"))) ||
	    (rc = ipam__imp_attr_str(it->extra, "preferred_lifetime", T(sc, "PreferredLifetime"))) ||
	    (rc = ipam__imp_attr_str(it->extra, "valid_lifetime", T(sc, "ValidLifetime"))) ||
	    (rc = xml_options(it->extra, sc)))
		return rc;
	s->m->rows++;
	snprintf(name, sizeof name, "%s exclusion", T(sc, "Name"));
	EACH(x, sc, "ExclusionRanges", "IPRange")
	{
		if (!pool(s, x->line, it, T(x, "StartRange"), T(x, "EndRange"), "dhcp_exclusion", name, &rc) && rc)
			return rc;
	}
	return xml_reservations(s, sc, it, 1);
}

/* The prefix item of a v4 scope element (after xml_v4_scope), or NULL. */
static const ipam__imp_item *v4_scope_item(ms *s, const ipam__xml *sc)
{
	char key[64];
	ipam_addr a;
	ipam_prefix p;
	int len = ipam__imp_netmask(T(sc, "SubnetMask"));
	if (ipam_addr_parse(&a, T(sc, "ScopeId")) || len < 0 || ipam_prefix_from(&p, &a, (unsigned)len, 0))
		return NULL;
	ipam_prefix_format(key, sizeof key, &p);
	return ipam__imp_find(s->m, IMP_PREFIX, NULL, key);
}

int ipam__imp_msdhcp_xml(ipam__imp_model *m, const char *file, const char *data, size_t len)
{
	ipam__xml *root;
	ms s = { m, file };
	int rc = ipam__xml_parse(&root, file, data, len);
	if (rc)
		return rc;
	if (strcmp(root->name, "DHCPServer")) {
		rc = ipam__error(IPAM_EINVAL, "%s:%lu: not an Export-DhcpServer document: the root is <%.60s>, not <DHCPServer>",
		                 file, root->line, root->name);
		ipam__xml_free(root);
		return rc;
	}
	const ipam__xml *v4 = ipam__xml_child(root, "IPv4"), *v6 = ipam__xml_child(root, "IPv6");
	/* scopes first, then every reservation, then every lease, then IPv6 */
	EACH(sc, v4, "Scopes", "Scope")
	{
		if ((rc = xml_v4_scope(&s, sc)))
			break;
	}
	EACH(sc, v4, (rc ? "" : "Scopes"), "Scope")
	{
		const ipam__imp_item *p = v4_scope_item(&s, sc);
		if (p && (rc = xml_reservations(&s, sc, p, 0)))
			break;
	}
	EACH(sc, v4, (rc ? "" : "Scopes"), "Scope")
	{
		const ipam__imp_item *p = v4_scope_item(&s, sc);
		if (p && (rc = xml_leases(&s, sc, p)))
			break;
	}
	EACH(sc, v6, (rc ? "" : "Scopes"), "Scope")
	{
		if ((rc = xml_v6_scope(&s, sc)))
			break;
	}
	static const char *const unread[] = { "Classes", "OptionDefinitions", "OptionValues", "Filters", "Policies" };
	for (size_t i = 0; !rc && i < sizeof unread / sizeof unread[0]; i++)
		if (ipam__xml_child(v4, unread[i]) || ipam__xml_child(v6, unread[i]))
			rc = ipam__imp_note(m, "%s: the server's %s are not stored (only scopes, reservations and leases)",
			                    file, unread[i]);
	ipam__xml_free(root);
	return rc;
}

/* ---- netsh dhcp server dump ---- */

#define NS_MAXW 32

/* The words of a line; quoted words keep their blanks (no escapes in
 * netsh's quoting). -1 when a quote is never closed or there are too many. */
static int words(char *line, char **w)
{
	int n = 0;
	char *p = line;
	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			return n;
		if (n == NS_MAXW)
			return -1;
		if (*p == '"') {
			w[n++] = ++p;
			while (*p && *p != '"')
				p++;
			if (!*p)
				return -1;
			*p++ = '\0';
		} else {
			w[n++] = p;
			while (*p && *p != ' ' && *p != '\t')
				p++;
			if (*p)
				*p++ = '\0';
		}
	}
}

typedef struct ns_scope {
	char net[64];
	ipam__imp_item *prefix, *range;
} ns_scope;

typedef struct ns {
	ms s;
	ns_scope *scopes;
	size_t n;
} ns;

static ns_scope *ns_find(ns *c, const char *net)
{
	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->scopes[i].net, net))
			return &c->scopes[i];
	return NULL;
}

static cJSON *values_of(char **w, int from, int n)
{
	cJSON *v = cJSON_CreateArray();
	for (int i = from; v && i < n; i++)
		if (!cJSON_AddItemToArray(v, cJSON_CreateString(w[i]))) {
			cJSON_Delete(v);
			return NULL;
		}
	return v;
}

/* One "Scope NET ..." command (w[0] is the word after NET). */
static int ns_scope_cmd(ns *c, unsigned long line, ns_scope *sc, char **w, int n)
{
	ms *s = &c->s;
	int rc = 0;
	if (n >= 3 && !strcasecmp(w[0], "set") && !strcasecmp(w[1], "state"))
		return ipam__imp_attr_str(sc->prefix->attrs, "dhcp_scope_state",
		                          !strcmp(w[2], "1") || !strcmp(w[2], "3") ? "Active" : "InActive");
	if (n >= 4 && !strcasecmp(w[0], "set") && !strcasecmp(w[1], "optionvalue")) {
		cJSON *v = values_of(w, 4, n);
		if (!v || (rc = option(sc->prefix->attrs, w[2], v)))
			return v ? rc : ipam__enomem();
		if (!strcmp(w[2], "51") && n == 5) {
			char *end;
			long secs = strtol(w[4], &end, 10);
			if (!*end && secs >= 0)
				rc = ipam__imp_attr(sc->prefix->attrs, "lease_duration_s", cJSON_CreateNumber((double)secs));
		}
		return rc;
	}
	if (n >= 4 && !strcasecmp(w[0], "add") && !strcasecmp(w[1], "iprange")) {
		ipam__imp_item *r = pool(s, line, sc->prefix, w[2], w[3], "dhcp", sc->prefix->description, &rc);
		if (r)
			sc->range = r;
		return rc;
	}
	if (n >= 4 && !strcasecmp(w[0], "add") && !strcasecmp(w[1], "excluderange")) {
		if (!sc->range)
			return ms_bad(s, line, "excluderange", w[2], "an exclusion before the scope's iprange");
		return exclude(s, line, sc->range, w[2], w[3]);
	}
	if (n >= 4 && !strcasecmp(w[0], "add") && !strcasecmp(w[1], "reservedip")) {
		ipam__imp_item *a = address(s, line, sc->prefix, w[2], w[3], "dhcp_reservation", n > 4 ? w[4] : "",
		                            n > 5 ? w[5] : "", &rc);
		return a ? reservation_type(a, n > 6 ? w[6] : "") : rc;
	}
	if (n >= 5 && !strcasecmp(w[0], "set") && !strcasecmp(w[1], "reservedoptionvalue")) {
		ipam_addr a;
		char key[64];
		ipam__imp_item *it = NULL;
		if (!ipam_addr_parse(&a, w[2])) {
			ipam__imp_addr_text(key, &a);
			it = ipam__imp_find(s->m, IMP_ADDRESS, NULL, key);
		}
		if (!it)
			return ms_bad(s, line, "reservedoptionvalue", w[2], "not a reserved address of the dump");
		cJSON *v = values_of(w, 5, n);
		return v ? option(it->extra, w[3], v) : ipam__enomem();
	}
	return ipam__imp_note(s->m, "%s: 'Scope ... %s %s' is not stored", s->file, w[0], n > 1 ? w[1] : "");
}

static int ns_line(ns *c, unsigned long line, char *text)
{
	char *w[NS_MAXW];
	int n = words(text, w), rc = 0;
	ms *s = &c->s;
	if (n == 0 || w[0][0] == '#')
		return 0;
	if (n < 0)
		return ipam__imp_err(s->m, s->file, line, NULL, NULL, "a quote is never closed, or too many words");
	if (n < 4 || strcasecmp(w[0], "Dhcp") || strcasecmp(w[1], "Server"))
		return ipam__imp_err(s->m, s->file, line, NULL, w[0], "not a 'Dhcp Server ...' command");
	char **cmd = w + 3;
	int nc = n - 3;
	if (nc >= 4 && !strcasecmp(cmd[0], "add") && !strcasecmp(cmd[1], "scope")) {
		if (ns_find(c, cmd[2]))
			return ms_bad(s, line, "scope", cmd[2], "a scope added twice");
		ipam__imp_item *p =
			scope_prefix(s, line, cmd[2], cmd[3], nc > 4 ? cmd[4] : "", nc > 5 ? cmd[5] : "", "Active", &rc);
		if (!p)
			return rc;
		ns_scope *v = realloc(c->scopes, (c->n + 1) * sizeof *v);
		if (!v)
			return ipam__enomem();
		c->scopes = v;
		memset(&v[c->n], 0, sizeof v[c->n]);
		snprintf(v[c->n].net, sizeof v[c->n].net, "%s", cmd[2]);
		v[c->n++].prefix = p;
		return 0;
	}
	if (nc >= 3 && !strcasecmp(cmd[0], "Scope")) {
		ns_scope *sc = ns_find(c, cmd[1]);
		if (!sc)
			return ms_bad(s, line, "Scope", cmd[1], "a scope the dump has not added");
		return ns_scope_cmd(c, line, sc, cmd + 2, nc - 2);
	}
	return ipam__imp_note(s->m, "%s: 'Dhcp Server ... %s %s' (server-wide settings) is not stored", s->file, cmd[0],
	                      nc > 1 ? cmd[1] : "");
}

int ipam__imp_msdhcp_netsh(ipam__imp_model *m, const char *file, const char *data, size_t len)
{
	ns c = { { m, file }, NULL, 0 };
	size_t pos = (len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3)) ? 3 : 0;
	unsigned long line = 1;
	int rc = 0;
	/* the first command tells whether this is a dump at all */
	for (size_t i = pos; i < len;) {
		while (i < len && strchr(" \t\r\n", data[i]))
			i++;
		if (i < len && data[i] == '#') {
			while (i < len && data[i] != '\n')
				i++;
			continue;
		}
		if (i < len && (len - i < 11 || strncasecmp(data + i, "Dhcp Server", 11)))
			return ipam__error(IPAM_EINVAL, "%s: not a 'netsh dhcp server dump': a line that is not 'Dhcp Server ...'",
			                   file);
		break;
	}
	ipam_buf l = IPAM_BUF_INIT;
	while (pos < len && !rc) {
		const char *nl = memchr(data + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - data) : len, e = end;
		while (e > pos && (data[e - 1] == '\r' || data[e - 1] == ' '))
			e--;
		l.size = 0;
		rc = ipam__buf_put(&l, data + pos, e - pos);
		rc = rc ? rc : ipam__buf_put(&l, "", 1);
		if (!rc) {
			rc = ns_line(&c, line, l.ptr);
		}
		pos = end + 1;
		line++;
	}
	ipam_buf_dispose(&l);
	free(c.scopes);
	return rc;
}
