/* The DHCP model: servers, templates, definitions, scopes, pools and
 * reservations, with the rules that keep them consistent. */
#include "dhcp/dhcp.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>

/* Grow an array of `size`-byte elements to hold one more. */
static int grow(void *arrp, size_t n, size_t size)
{
	void **arr = arrp;
	if (n & (n - 1)) /* capacity is the next power of two of n */
		return 0;
	void *v = realloc(*arr, (n ? 2 * n : 1) * size);
	if (!v)
		return ipam__enomem();
	*arr = v;
	return 0;
}

static int name_ok(const char *name, const char *what)
{
	size_t len = name ? strlen(name) : 0;
	if (len == 0 || len > 128)
		return ipam__error(IPAM_EINVAL, "%s name must have 1 to 128 characters", what);
	for (size_t i = 0; i < len; i++)
		if (!isalnum((unsigned char)name[i]) && !strchr("-_.", name[i]))
			return ipam__error(IPAM_EINVAL, "%s name \"%s\": only letters, digits, '-', '_' and '.'", what,
					   name);
	return 0;
}

int ipam__dhcp_config_new(ipam__dhcp_config **out)
{
	*out = calloc(1, sizeof **out);
	return *out ? 0 : ipam__enomem();
}

static void pool_clear(ipam__dhcp_pool *p);
static void resv_clear(ipam__dhcp_resv *r);

static void scope_free(ipam__dhcp_scope *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->npools; i++)
		pool_clear(&s->pools[i]);
	for (size_t i = 0; i < s->nresv; i++)
		resv_clear(&s->resv[i]);
	for (size_t i = 0; i < s->nservers; i++)
		free(s->servers[i]);
	free(s->servers);
	free(s->pools);
	free(s->resv);
	free(s->name);
	free(s->template_name);
	free(s->description);
	free(s->shared_network);
	free(s->extra);
	free(s->ha_primary);
	free(s->ha_standby);
	ipam__dhcp_optset_free(&s->opts);
	free(s);
}

void ipam__dhcp_config_free(ipam__dhcp_config *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nscopes; i++)
		scope_free(c->scopes[i]);
	for (size_t i = 0; i < c->nservers; i++) {
		free(c->servers[i].name);
		free(c->servers[i].url);
	}
	for (size_t i = 0; i < c->ntemplates; i++) {
		free(c->templates[i].name);
		ipam__dhcp_optset_free(&c->templates[i].opts);
	}
	for (size_t i = 0; i < c->ndefs; i++)
		free((char *)c->defs[i].name);
	ipam__dhcp_optset_free(&c->global4);
	ipam__dhcp_optset_free(&c->global6);
	free(c->scopes);
	free(c->by_prefix);
	free(c->servers);
	free(c->templates);
	free(c->defs);
	free(c->hooks_dir);
	free(c);
}

/* ---- servers, definitions, templates -------------------------------------- */

const ipam__dhcp_server *ipam__dhcp_server_find(const ipam__dhcp_config *c, const char *name)
{
	for (size_t i = 0; name && i < c->nservers; i++)
		if (strcmp(c->servers[i].name, name) == 0)
			return &c->servers[i];
	return NULL;
}

int ipam__dhcp_server_add(ipam__dhcp_config *c, const char *name, unsigned kind, const char *url)
{
	int rc = name_ok(name, "server");
	if (rc)
		return rc;
	if (ipam__dhcp_server_find(c, name))
		return ipam__error(IPAM_EEXISTS, "server %s exists already", name);
	if (kind > IPAM__DHCP_DHCPD)
		return ipam__error(IPAM_EINVAL, "server %s: unknown kind", name);
	if (url && strncmp(url, "http://", 7) && strncmp(url, "https://", 8))
		return ipam__error(IPAM_EINVAL, "server %s: url \"%s\" is not http:// or https://", name, url);
	if (grow(&c->servers, c->nservers, sizeof *c->servers))
		return IPAM_ENOMEM;
	ipam__dhcp_server *s = &c->servers[c->nservers];
	memset(s, 0, sizeof *s); /* no failover address until one is given */
	s->name = ipam__strdup(name);
	s->url = url ? ipam__strdup(url) : NULL;
	s->kind = kind;
	if (!s->name || (url && !s->url)) {
		free(s->name);
		free(s->url);
		return IPAM_ENOMEM;
	}
	c->nservers++;
	return 0;
}

int ipam__dhcp_server_failover(ipam__dhcp_config *c, const char *name, const char *address, unsigned port)
{
	ipam__dhcp_server *s = (ipam__dhcp_server *)ipam__dhcp_server_find(c, name);
	if (!s)
		return ipam__error(IPAM_ENOTFOUND, "no server %s", name);
	if (s->kind != IPAM__DHCP_DHCPD)
		return ipam__error(IPAM_EINVAL, "server %s: failover addresses are for ISC dhcpd (Kea pairs use HA)", name);
	if (!address || ipam_addr_parse(&s->failover, address) || s->failover.family != IPAM_AF_INET)
		return ipam__error(IPAM_EINVAL, "server %s: failover address \"%.60s\" is not an IPv4 address", name,
				   address ? address : "");
	if (port > 65535)
		return ipam__error(IPAM_EINVAL, "server %s: failover port %u is above 65535", name, port);
	s->failover_port = port ? port : 647;
	return 0;
}

const ipam__dhcp_optdef *ipam__dhcp_def_find(const ipam__dhcp_config *c, unsigned family, uint32_t vendor,
					     const char *name)
{
	const ipam__dhcp_optdef *d = vendor ? NULL : ipam__dhcp_optdef_builtin(family, name);
	if (d)
		return d;
	bool num = isdigit((unsigned char)*name);
	unsigned long code = num ? strtoul(name, NULL, 10) : 0;
	for (size_t i = 0; c && i < c->ndefs; i++) {
		d = &c->defs[i];
		if (d->family == family && d->vendor == vendor && (num ? d->code == code : !strcmp(d->name, name)))
			return d;
	}
	return NULL;
}

int ipam__dhcp_def_add(ipam__dhcp_config *c, unsigned family, uint32_t vendor, uint16_t code, const char *name,
		       const char *type)
{
	unsigned t;
	bool array;
	int rc = name_ok(name, "option");
	if (rc || (rc = ipam__dhcp_type_parse(&t, &array, type)))
		return rc;
	if (family != IPAM_AF_INET && family != IPAM_AF_INET6)
		return ipam__error(IPAM_EINVAL, "option %s: family must be 4 or 6", name);
	if (code == 0 || (family == IPAM_AF_INET && code > 254))
		return ipam__error(IPAM_EINVAL, "option %s: code %u out of range", name, (unsigned)code);
	if (isdigit((unsigned char)*name))
		return ipam__error(IPAM_EINVAL, "option %s: a name must not start with a digit", name);
	char num[8];
	snprintf(num, sizeof num, "%u", (unsigned)code);
	const ipam__dhcp_optdef *old = ipam__dhcp_def_find(c, family, vendor, num);
	if (!old)
		old = ipam__dhcp_def_find(c, family, vendor, name);
	if (old)
		return ipam__error(IPAM_EEXISTS, "option %s (%s%u): %s %u is defined already as %s", name,
				   vendor ? "vendor " : "", (unsigned)code, vendor ? "in this vendor space code" : "code",
				   (unsigned)old->code, old->name);
	if (grow(&c->defs, c->ndefs, sizeof *c->defs))
		return IPAM_ENOMEM;
	char *n = ipam__strdup(name);
	if (!n)
		return IPAM_ENOMEM;
	c->defs[c->ndefs++] = (ipam__dhcp_optdef){n, code, (uint8_t)family, (uint8_t)t, array, vendor, NULL};
	return 0;
}

int ipam__dhcp_opt_set(const ipam__dhcp_config *c, ipam__dhcp_optset *s, unsigned family, uint32_t vendor,
		       const char *name, const char *value, const char *what)
{
	const ipam__dhcp_optdef *d = ipam__dhcp_def_find(c, family, vendor, name);
	if (!d) {
		if (vendor)
			return ipam__error(IPAM_EINVAL, "%s: vendor %u option %s is not defined (define it first)", what,
					   (unsigned)vendor, name);
		return ipam__error(IPAM_EINVAL, "%s: unknown DHCPv%c option %s (define it first)", what,
				   family == IPAM_AF_INET ? '4' : '6', name);
	}
	return ipam__dhcp_optset_put(s, d, value, what);
}

ipam__dhcp_template *ipam__dhcp_template_find(const ipam__dhcp_config *c, const char *name)
{
	for (size_t i = 0; name && i < c->ntemplates; i++)
		if (strcmp(c->templates[i].name, name) == 0)
			return &c->templates[i];
	return NULL;
}

int ipam__dhcp_template_add(ipam__dhcp_config *c, const char *name, ipam__dhcp_template **out)
{
	int rc = name_ok(name, "option template");
	if (rc)
		return rc;
	if (ipam__dhcp_template_find(c, name))
		return ipam__error(IPAM_EEXISTS, "option template %s exists already", name);
	if (grow(&c->templates, c->ntemplates, sizeof *c->templates))
		return IPAM_ENOMEM;
	ipam__dhcp_template *t = &c->templates[c->ntemplates];
	memset(t, 0, sizeof *t);
	if (!(t->name = ipam__strdup(name)))
		return IPAM_ENOMEM;
	c->ntemplates++;
	if (out)
		*out = t;
	return 0;
}

/* ---- scopes ----------------------------------------------------------------- */

static size_t scope_pos(const ipam__dhcp_config *c, const char *name, bool *found)
{
	size_t lo = 0, hi = c->nscopes;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int cmp = strcmp(c->scopes[mid]->name, name);
		if (cmp == 0) {
			*found = true;
			return mid;
		}
		if (cmp < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = false;
	return lo;
}

/* The first position in by_prefix whose address is not below `a`
 * (families apart: IPAM_AF_INET sorts first, as ipam_addr_cmp has it). */
static size_t prefix_pos(const ipam__dhcp_config *c, const ipam_addr *a)
{
	size_t lo = 0, hi = c->nscopes;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (ipam_addr_cmp(&c->by_prefix[mid]->prefix.addr, a) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

ipam__dhcp_scope *ipam__dhcp_scope_find(const ipam__dhcp_config *c, const char *name)
{
	bool found;
	size_t i = scope_pos(c, name, &found);
	return found ? c->scopes[i] : NULL;
}

int ipam__dhcp_scope_add(ipam__dhcp_config *c, const char *name, const char *prefix, uint32_t id,
			 ipam__dhcp_scope **out)
{
	ipam_prefix p;
	bool found;
	int rc = name_ok(name, "scope");
	if (rc)
		return rc;
	if (ipam_prefix_parse(&p, prefix, IPAM_PARSE_DEFAULT)) {
		char why[256]; /* copied: the message buffer is the one written next */
		snprintf(why, sizeof why, "%s", ipam_error_last()->message);
		return ipam__error(IPAM_EINVAL, "scope %s: \"%s\" is not a prefix (%s)", name, prefix, why);
	}
	if ((p.addr.family == IPAM_AF_INET && p.len > 30) || (p.addr.family == IPAM_AF_INET6 && p.len > 126))
		return ipam__error(IPAM_EINVAL, "scope %s: prefix %s is too small for DHCP", name, prefix);
	size_t pos = scope_pos(c, name, &found);
	if (found)
		return ipam__error(IPAM_EEXISTS, "scope %s exists already", name);
	/* neighbours by address: the one before may hold p, the one at ppos may lie in it */
	size_t ppos = prefix_pos(c, &p.addr);
	const ipam__dhcp_scope *near[2] = {ppos ? c->by_prefix[ppos - 1] : NULL,
					   ppos < c->nscopes ? c->by_prefix[ppos] : NULL};
	for (int k = 0; k < 2; k++)
		if (near[k] && near[k]->prefix.addr.family == p.addr.family &&
		    (ipam_prefix_covers(&near[k]->prefix, &p) || ipam_prefix_covers(&p, &near[k]->prefix)))
			return ipam__error(IPAM_EEXISTS, "scope %s: prefix %s overlaps scope %s", name, prefix,
					   near[k]->name);
	uint32_t max = 0;
	for (size_t i = 0; i < c->nscopes; i++) {
		const ipam__dhcp_scope *o = c->scopes[i];
		if (o->prefix.addr.family == p.addr.family) {
			if (id && o->id == id)
				return ipam__error(IPAM_EEXISTS, "scope %s: subnet id %u is scope %s's", name,
						   (unsigned)id, o->name);
			if (o->id > max)
				max = o->id;
		}
	}
	if (!id && max == UINT32_MAX)
		return ipam__error(IPAM_EEXHAUSTED, "scope %s: no subnet id left", name);
	ipam__dhcp_scope *s = calloc(1, sizeof *s);
	if (!s || !(s->name = ipam__strdup(name)) || grow(&c->scopes, c->nscopes, sizeof *c->scopes) ||
	    grow(&c->by_prefix, c->nscopes, sizeof *c->by_prefix)) {
		scope_free(s);
		return ipam__enomem();
	}
	s->prefix = p;
	s->id = id ? id : max + 1;
	memmove(c->scopes + pos + 1, c->scopes + pos, (c->nscopes - pos) * sizeof *c->scopes);
	c->scopes[pos] = s;
	memmove(c->by_prefix + ppos + 1, c->by_prefix + ppos, (c->nscopes - ppos) * sizeof *c->by_prefix);
	c->by_prefix[ppos] = s;
	c->nscopes++;
	if (out)
		*out = s;
	return 0;
}

int ipam__dhcp_scope_del(ipam__dhcp_config *c, const char *name)
{
	bool found;
	size_t pos = scope_pos(c, name, &found);
	if (!found)
		return ipam__error(IPAM_ENOTFOUND, "no scope %s", name);
	size_t ppos = prefix_pos(c, &c->scopes[pos]->prefix.addr);
	memmove(c->by_prefix + ppos, c->by_prefix + ppos + 1, (c->nscopes - ppos - 1) * sizeof *c->by_prefix);
	scope_free(c->scopes[pos]);
	memmove(c->scopes + pos, c->scopes + pos + 1, (c->nscopes - pos - 1) * sizeof *c->scopes);
	c->nscopes--;
	return 0;
}

static int set_str(char **field, const char *value)
{
	char *v = value ? ipam__strdup(value) : NULL;
	if (value && !v)
		return IPAM_ENOMEM;
	free(*field);
	*field = v;
	return 0;
}

int ipam__dhcp_scope_serve(ipam__dhcp_scope *s, const char *server)
{
	for (size_t i = 0; i < s->nservers; i++)
		if (strcmp(s->servers[i], server) == 0)
			return 0;
	char *n = NULL;
	if (grow(&s->servers, s->nservers, sizeof *s->servers) || set_str(&n, server))
		return IPAM_ENOMEM;
	s->servers[s->nservers++] = n;
	return 0;
}

int ipam__dhcp_scope_ha(ipam__dhcp_scope *s, const char *primary, const char *standby)
{
	if (!primary != !standby || (primary && strcmp(primary, standby) == 0))
		return ipam__error(IPAM_EINVAL, "scope %s: an HA pair is two different servers", s->name);
	if (set_str(&s->ha_primary, primary) || set_str(&s->ha_standby, standby))
		return IPAM_ENOMEM;
	if (primary && (ipam__dhcp_scope_serve(s, primary) || ipam__dhcp_scope_serve(s, standby)))
		return IPAM_ENOMEM;
	return 0;
}

int ipam__dhcp_scope_template(ipam__dhcp_scope *s, const char *template_name)
{
	return set_str(&s->template_name, template_name);
}

int ipam__dhcp_range_parse(ipam__dhcp_range *r, const char *text, const char *what)
{
	const char *dash = strchr(text, '-');
	size_t l1 = dash ? (size_t)(dash - text) : strlen(text);
	while (l1 && text[l1 - 1] == ' ')
		l1--;
	const char *second = dash ? dash + 1 : text;
	while (*second == ' ')
		second++;
	if (ipam_addr_parse_n(&r->start, text, l1) || ipam_addr_parse(&r->end, second))
		return ipam__error(IPAM_EINVAL, "%s: \"%s\" is not an address range (START-END)", what, text);
	if (r->start.family != r->end.family || ipam_addr_cmp(&r->start, &r->end) > 0)
		return ipam__error(IPAM_EINVAL, "%s: range \"%s\" ends before it starts or mixes families", what,
				   text);
	return 0;
}

static bool in_prefix(const ipam_prefix *p, const ipam__dhcp_range *r)
{
	return ipam_prefix_contains(p, &r->start) && ipam_prefix_contains(p, &r->end);
}

static bool overlap(const ipam__dhcp_range *a, const ipam__dhcp_range *b)
{
	return ipam_addr_cmp(&a->start, &b->end) <= 0 && ipam_addr_cmp(&b->start, &a->end) <= 0;
}

/* Parse a range of scope `s`; `what` receives "scope S: KIND" for messages. */
static int scope_range(ipam__dhcp_range *r, char what[200], const ipam__dhcp_scope *s, const char *kind,
		       const char *range)
{
	snprintf(what, 200, "scope %s: %s", s->name, kind);
	return ipam__dhcp_range_parse(r, range, what);
}

int ipam__dhcp_pool_add(ipam__dhcp_scope *s, const char *range, ipam__dhcp_pool **out)
{
	char what[200];
	ipam__dhcp_range r;
	int rc = scope_range(&r, what, s, "pool", range);
	if (rc)
		return rc;
	if (!in_prefix(&s->prefix, &r))
		return ipam__error(IPAM_EINVAL, "%s %s is not inside the scope's prefix", what, range);
	for (size_t i = 0; i < s->npools; i++)
		if (overlap(&s->pools[i].range, &r)) {
			char a[64], b[64];
			ipam_addr_format(a, sizeof a, &s->pools[i].range.start);
			ipam_addr_format(b, sizeof b, &s->pools[i].range.end);
			return ipam__error(IPAM_EEXISTS, "%s %s overlaps pool %s-%s", what, range, a, b);
		}
	if (grow(&s->pools, s->npools, sizeof *s->pools))
		return IPAM_ENOMEM;
	ipam__dhcp_pool *p = &s->pools[s->npools++];
	memset(p, 0, sizeof *p);
	p->range = r;
	if (out)
		*out = p;
	return 0;
}

int ipam__dhcp_pool_exclude(ipam__dhcp_scope *s, ipam__dhcp_pool *p, const char *range)
{
	char what[200];
	ipam__dhcp_range r;
	int rc = scope_range(&r, what, s, "exclusion", range);
	if (rc)
		return rc;
	if (ipam_addr_cmp(&r.start, &p->range.start) < 0 || ipam_addr_cmp(&r.end, &p->range.end) > 0 ||
	    r.start.family != p->range.start.family)
		return ipam__error(IPAM_EINVAL, "%s %s is not inside its pool", what, range);
	/* kept sorted and disjoint, so rendering walks them once */
	size_t pos = 0;
	while (pos < p->nexcl && ipam_addr_cmp(&p->excl[pos].start, &r.start) < 0)
		pos++;
	if ((pos < p->nexcl && overlap(&p->excl[pos], &r)) || (pos > 0 && overlap(&p->excl[pos - 1], &r)))
		return ipam__error(IPAM_EEXISTS, "%s %s overlaps another exclusion", what, range);
	if (grow(&p->excl, p->nexcl, sizeof *p->excl))
		return IPAM_ENOMEM;
	memmove(p->excl + pos + 1, p->excl + pos, (p->nexcl - pos) * sizeof *p->excl);
	p->excl[pos] = r;
	p->nexcl++;
	return 0;
}

/* Hex octets with optional ':' or '-' between them, into lower-case hex. */
static int hex_ident(char **out, const char *text)
{
	size_t len = strlen(text), n = 0;
	char *h = malloc(len + 1);
	if (!h)
		return ipam__enomem();
	for (size_t i = 0; i < len; i++) {
		if ((text[i] == ':' || text[i] == '-') && i && i + 1 < len)
			continue;
		if (!isxdigit((unsigned char)text[i])) {
			free(h);
			return -1;
		}
		h[n++] = (char)tolower((unsigned char)text[i]);
	}
	h[n] = '\0';
	if (n < 2 || n % 2 || n > 256) {
		free(h);
		return -1;
	}
	*out = h;
	return 0;
}

int ipam__dhcp_resv_add(ipam__dhcp_scope *s, const char *addr, const char *ident, const char *hostname,
			ipam__dhcp_resv **out)
{
	ipam__dhcp_resv r;
	memset(&r, 0, sizeof r);
	if (ipam_addr_parse(&r.addr, addr) || !ipam_prefix_contains(&s->prefix, &r.addr))
		return ipam__error(IPAM_EINVAL, "scope %s: reservation \"%s\" is not an address inside %s", s->name,
				   addr, "the scope's prefix");
	bool v6 = s->prefix.addr.family == IPAM_AF_INET6;
	int rc = 0;
	if (!ident)
		ident = "";
	if (strncmp(ident, "mac:", 4) == 0)
		rc = ipam_mac_parse(&r.mac, ident + 4) ? -1 : 0;
	else if (strncmp(ident, "hw-address:", 11) == 0)
		rc = ipam_mac_parse(&r.mac, ident + 11) ? -1 : 0;
	else if (strncmp(ident, "client-id:", 10) == 0 && !v6)
		rc = hex_ident(&r.client_id, ident + 10);
	else if (strncmp(ident, "duid:", 5) == 0 && v6)
		rc = hex_ident(&r.duid, ident + 5);
	else if (strncmp(ident, "circuit-id:", 11) == 0 && !v6 && ident[11] && strlen(ident) < 140 &&
		 !strpbrk(ident, "\"\\\n"))
		rc = (r.circuit_id = ipam__strdup(ident + 11)) ? 0 : IPAM_ENOMEM;
	else
		rc = ipam_mac_parse(&r.mac, ident) ? -1 : 0;
	if (rc == IPAM_ENOMEM)
		return rc;
	if (rc)
		return ipam__error(IPAM_EINVAL, "scope %s: reservation %s: identifier \"%s\" is not %s", s->name, addr,
				   ident, v6 ? "mac:MAC or duid:HEX" : "mac:MAC, client-id:HEX or circuit-id:TEXT");
	if (hostname && *hostname && (strlen(hostname) > 253 || strspn(hostname, "abcdefghijklmnopqrstuvwxyz"
										 "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.") !=
									  strlen(hostname))) {
		free(r.client_id);
		free(r.duid);
			free(r.circuit_id);
		return ipam__error(IPAM_EINVAL, "scope %s: reservation %s: hostname \"%s\" is not a host name",
				   s->name, addr, hostname);
	}
	for (size_t i = 0; i < s->nresv; i++) {
		const ipam__dhcp_resv *o = &s->resv[i];
		const char *clash = NULL;
		if (ipam_addr_cmp(&o->addr, &r.addr) == 0)
			clash = "address";
		else if (r.mac.len && o->mac.len == r.mac.len && !memcmp(o->mac.bytes, r.mac.bytes, r.mac.len))
			clash = "MAC";
		else if ((r.client_id && o->client_id && !strcmp(r.client_id, o->client_id)) ||
			 (r.duid && o->duid && !strcmp(r.duid, o->duid)) ||
			 (r.circuit_id && o->circuit_id && !strcmp(r.circuit_id, o->circuit_id)))
			clash = "identifier";
		if (clash) {
			char a[64];
			ipam_addr_format(a, sizeof a, &o->addr);
			free(r.client_id);
			free(r.duid);
			free(r.circuit_id);
			return ipam__error(IPAM_EEXISTS, "scope %s: reservation %s: the %s is reserved already (%s)",
					   s->name, addr, clash, a);
		}
	}
	if ((hostname && *hostname && !(r.hostname = ipam__strdup(hostname))) || grow(&s->resv, s->nresv, sizeof *s->resv)) {
		free(r.client_id);
		free(r.duid);
			free(r.circuit_id);
		free(r.hostname);
		return IPAM_ENOMEM;
	}
	s->resv[s->nresv] = r;
	if (out)
		*out = &s->resv[s->nresv];
	s->nresv++;
	return 0;
}

/* ---- whole-config rules ------------------------------------------------------ */

static void pool_clear(ipam__dhcp_pool *p)
{
	free(p->excl);
	free(p->extra);
	ipam__dhcp_optset_free(&p->opts);
}

static void resv_clear(ipam__dhcp_resv *r)
{
	free(r->hostname);
	free(r->client_id);
	free(r->duid);
	free(r->circuit_id);
	ipam__dhcp_optset_free(&r->opts);
}

int ipam__dhcp_pool_del(ipam__dhcp_scope *s, const ipam_addr *start)
{
	for (size_t i = 0; i < s->npools; i++)
		if (ipam_addr_cmp(&s->pools[i].range.start, start) == 0) {
			pool_clear(&s->pools[i]);
			memmove(s->pools + i, s->pools + i + 1, (s->npools - i - 1) * sizeof *s->pools);
			s->npools--;
			return 0;
		}
	char t[IPAM_ADDR_STRLEN];
	ipam_addr_format(t, sizeof t, start);
	return ipam__error(IPAM_ENOTFOUND, "scope %s: no pool starts at %s", s->name, t);
}

int ipam__dhcp_resv_del(ipam__dhcp_scope *s, const ipam_addr *addr)
{
	for (size_t i = 0; i < s->nresv; i++)
		if (ipam_addr_cmp(&s->resv[i].addr, addr) == 0) {
			resv_clear(&s->resv[i]);
			memmove(s->resv + i, s->resv + i + 1, (s->nresv - i - 1) * sizeof *s->resv);
			s->nresv--;
			return 0;
		}
	char t[IPAM_ADDR_STRLEN];
	ipam_addr_format(t, sizeof t, addr);
	return ipam__error(IPAM_ENOTFOUND, "scope %s: no reservation of %s", s->name, t);
}

void ipam__dhcp_scope_unserve(ipam__dhcp_scope *s)
{
	for (size_t i = 0; i < s->nservers; i++)
		free(s->servers[i]);
	s->nservers = 0;
}

int ipam__dhcp_config_check(const ipam__dhcp_config *c)
{
	for (size_t i = 0; i < c->nscopes; i++) {
		const ipam__dhcp_scope *s = c->scopes[i];
		if (s->template_name && !ipam__dhcp_template_find(c, s->template_name))
			return ipam__error(IPAM_EINVAL, "scope %s: no option template %s", s->name, s->template_name);
		for (size_t j = 0; j < s->nservers; j++)
			if (!ipam__dhcp_server_find(c, s->servers[j]))
				return ipam__error(IPAM_EINVAL, "scope %s: no server %s", s->name, s->servers[j]);
		if (s->ha_primary) {
			const ipam__dhcp_server *p = ipam__dhcp_server_find(c, s->ha_primary),
						*b = ipam__dhcp_server_find(c, s->ha_standby);
			bool kea = p && b && p->kind == IPAM__DHCP_KEA && b->kind == IPAM__DHCP_KEA && p->url && b->url;
			bool isc = p && b && p->kind == IPAM__DHCP_DHCPD && b->kind == IPAM__DHCP_DHCPD &&
				   p->failover.family && b->failover.family && s->prefix.addr.family == IPAM_AF_INET;
			if (!kea && !isc)
				return ipam__error(IPAM_EINVAL,
						   "scope %s: HA pair %s/%s: both must be Kea servers with a control "
						   "agent url, or both ISC dhcpd servers with a failover address (v4)",
						   s->name, s->ha_primary, s->ha_standby);
			/* Kea's HA hook is per server: every HA scope of a server has the same pair */
			for (size_t k = 0; k < i; k++) {
				const ipam__dhcp_scope *o = c->scopes[k];
				if (o->ha_primary && o->prefix.addr.family == s->prefix.addr.family &&
				    (strcmp(o->ha_primary, s->ha_primary) || strcmp(o->ha_standby, s->ha_standby)) &&
				    (!strcmp(o->ha_primary, s->ha_primary) || !strcmp(o->ha_primary, s->ha_standby) ||
				     !strcmp(o->ha_standby, s->ha_primary) || !strcmp(o->ha_standby, s->ha_standby)))
					return ipam__error(IPAM_EINVAL,
							   "scope %s: HA pair %s/%s differs from scope %s's %s/%s on a "
							   "shared server (Kea has one HA pair per server)",
							   s->name, s->ha_primary, s->ha_standby, o->name, o->ha_primary,
							   o->ha_standby);
			}
		}
		bool v6 = s->prefix.addr.family == IPAM_AF_INET6;
		for (size_t j = 0; j < s->nresv; j++)
			if ((v6 && s->resv[j].client_id) || (!v6 && s->resv[j].duid))
				return ipam__error(IPAM_EINVAL, "scope %s: a %s in a DHCPv%c scope", s->name,
						   v6 ? "client-id" : "DUID", v6 ? '6' : '4');
	}
	return 0;
}

int ipam__dhcp_scope_options(const ipam__dhcp_config *c, const ipam__dhcp_scope *s, ipam__dhcp_optset *out)
{
	const ipam__dhcp_template *t = ipam__dhcp_template_find(c, s->template_name);
	ipam__dhcp_optset mid = {0};
	int rc = ipam__dhcp_optset_overlay(&mid, s->prefix.addr.family == IPAM_AF_INET ? &c->global4 : &c->global6,
					   t ? &t->opts : NULL, s->prefix.addr.family);
	if (!rc)
		rc = ipam__dhcp_optset_overlay(out, &mid, &s->opts, s->prefix.addr.family);
	ipam__dhcp_optset_free(&mid);
	return rc;
}

int ipam__dhcp_vnote(ipam_buf *notes, const char *file, size_t line, const char *fmt, va_list ap)
{
	if (!notes)
		return 0;
	char msg[400];
	vsnprintf(msg, sizeof msg, fmt, ap);
	return line ? ipam__buf_printf(notes, "%s:%zu: %s\n", file, line, msg)
		    : ipam__buf_printf(notes, "%s: %s\n", file, msg);
}
