/* Import of an ISC dhcpd.conf (v4) into the model: subnets (also inside
 * shared networks and groups) become scopes, ranges and pools become pools,
 * hosts become reservations in the scope whose prefix holds their
 * fixed-address. Blocks are tracked on an explicit stack (no recursion on
 * the file's nesting). What cannot be modelled goes to `notes`. */
#include "dhcp/dhcp.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

enum ctx { C_TOP, C_SHARED, C_SUBNET, C_POOL, C_GROUP, C_HOST };

typedef struct host {
	char name[200];
	char fixed[4][64]; /* the first four fixed addresses (text) */
	size_t nfixed;
	char ident[300];   /* "mac:..." or "client-id:..." */
	char hostname[200];
	size_t line;
	ipam__dhcp_optset opts;
} host;

typedef struct frame {
	enum ctx kind;
	ipam__dhcp_scope *scope; /* C_SUBNET, C_POOL */
	char shared[128];        /* C_SHARED and what is inside it */
} frame;

typedef struct dimp {
	ipam__dhcp_config *c;
	ipam__dhcp_lexer x;
	ipam_buf *notes;
	frame st[16];
	size_t depth;
	/* a pool block: its options and permits, given to each of its ranges */
	ipam__dhcp_optset pool_opts;
	size_t pool_first;  /* index of the block's first pool in its scope */
	bool pool_known;    /* deny unknown-clients / allow known-clients */
	host h;
} dimp;

static int dnote(dimp *d, const char *fmt, ...) IPAM__PRINTF(2, 3);
static int dnote(dimp *d, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = ipam__dhcp_vnote(d->notes, d->x.file, d->x.line, fmt, ap);
	va_end(ap);
	return rc;
}

static int derr(dimp *d, int rc)
{
	char msg[512];
	snprintf(msg, sizeof msg, "%s", ipam_error_last()->message);
	return ipam__error(rc, "%s:%zu: %s", d->x.file, d->x.line, msg);
}

/* The current token into a smaller buffer (cut to fit). */
static void tok_copy(char *out, size_t size, const ipam__dhcp_lexer *x)
{
	size_t n = x->len < size - 1 ? x->len : size - 1;
	memcpy(out, x->tok, n);
	out[n] = '\0';
}

static int next(dimp *d, const char *what)
{
	return ipam__dhcp_lex_expect(&d->x, what);
}

static int want(dimp *d, const char *tok, const char *what)
{
	int rc = next(d, what);
	if (!rc && !ipam__dhcp_lex_is(&d->x, tok))
		rc = ipam__error(IPAM_EINVAL, "%s:%zu: %s: '%s' wanted, not \"%s\"", d->x.file, d->x.line, what, tok,
				 d->x.tok);
	return rc;
}

/* The rest of a statement up to ';' as our list form: "a, b" for "a, b"
 * or "a" "b"; strings lose their quotes. *was_string: one quoted string. */
static int value_text(dimp *d, char *out, size_t size, bool *was_string, const char *what)
{
	size_t n = 0, items = 0;
	*was_string = false;
	out[0] = '\0';
	for (;;) {
		int rc = next(d, what);
		if (rc)
			return rc;
		if (ipam__dhcp_lex_is(&d->x, ";"))
			return 0;
		if (ipam__dhcp_lex_is(&d->x, ","))
			continue;
		*was_string = items == 0 && d->x.string;
		int w = snprintf(out + n, size - n, "%s%s", items ? ", " : "", d->x.tok);
		if (w < 0 || (size_t)w >= size - n)
			return ipam__error(IPAM_EINVAL, "%s:%zu: %s: the value is too long", d->x.file, d->x.line, what);
		n += (size_t)w;
		items++;
	}
}

static ipam__dhcp_scope *scope_of(const ipam__dhcp_config *c, const ipam_addr *a)
{
	for (size_t i = 0; i < c->nscopes; i++)
		if (ipam_prefix_contains(&c->scopes[i]->prefix, a))
			return c->scopes[i];
	return NULL;
}

/* option NAME VALUE; into `set` (NULL: noted and dropped). In a host, the
 * client identifier and the host name are its own fields. */
static int option(dimp *d, ipam__dhcp_optset *set, const char *where)
{
	char name[128], value[1024];
	bool str;
	int rc = next(d, "option");
	if (rc)
		return rc;
	tok_copy(name, sizeof name, &d->x);
	size_t line = d->x.line;
	if ((rc = value_text(d, value, sizeof value, &str, "option")))
		return rc;
	if (strstr(value, "code ") == value || strchr(name, '.'))
		return dnote(d, "option %s: definitions and option spaces are not read; skipped", name);
	frame *f = &d->st[d->depth];
	if (f->kind == C_HOST && !strcmp(name, "dhcp-client-identifier")) {
		ipam_buf b = IPAM_BUF_INIT;
		rc = ipam__buf_put(&b, "client-id:", 10);
		for (size_t i = 0; !rc && value[i]; i++)
			rc = str ? ipam__buf_printf(&b, "%02x", (unsigned char)value[i]) : ipam__buf_put(&b, value + i, 1);
		if (!rc)
			snprintf(d->h.ident, sizeof d->h.ident, "%s", b.ptr);
		ipam_buf_dispose(&b);
		return rc;
	}
	if (f->kind == C_HOST && !strcmp(name, "host-name")) {
		snprintf(d->h.hostname, sizeof d->h.hostname, "%s", value);
		return 0;
	}
	if (!set)
		return dnote(d, "option %s in %s is not modelled (set it on the scopes); skipped", name, where);
	const ipam__dhcp_optdef *def = ipam__dhcp_def_find(d->c, IPAM_AF_INET, 0, name);
	if (!def)
		return dnote(d, "option %s is not known to libipam; skipped", name);
	char what[300];
	snprintf(what, sizeof what, "%s:%zu: %s", d->x.file, line, where);
	return ipam__dhcp_optset_put(set, def, value, what);
}

static int subnet(dimp *d)
{
	char net[64], mask[64], text[140], name[140];
	ipam_addr a, m;
	int rc = next(d, "subnet");
	if (rc)
		return rc;
	tok_copy(net, sizeof net, &d->x);
	if ((rc = want(d, "netmask", "subnet")) || (rc = next(d, "subnet")))
		return rc;
	tok_copy(mask, sizeof mask, &d->x);
	unsigned len = 0;
	if (ipam_addr_parse(&a, net) || ipam_addr_parse(&m, mask) || a.family != IPAM_AF_INET ||
	    m.family != IPAM_AF_INET)
		return ipam__error(IPAM_EINVAL, "%s:%zu: subnet %s netmask %s: not IPv4 addresses", d->x.file, d->x.line,
				   net, mask);
	uint32_t bits = (uint32_t)m.bytes[0] << 24 | (uint32_t)m.bytes[1] << 16 | (uint32_t)m.bytes[2] << 8 | m.bytes[3];
	while (len < 32 && (bits & (0x80000000u >> len)))
		len++;
	if (len < 32 && (bits << len))
		return ipam__error(IPAM_EINVAL, "%s:%zu: netmask %s is not contiguous", d->x.file, d->x.line, mask);
	snprintf(text, sizeof text, "%s/%u", net, len);
	snprintf(name, sizeof name, "net-%s-%u", net, len);
	if ((rc = want(d, "{", "subnet")))
		return rc;
	ipam__dhcp_scope *s;
	if ((rc = ipam__dhcp_scope_add(d->c, name, text, 0, &s)))
		return derr(d, rc);
	const char *shared = d->st[d->depth].shared;
	if (shared[0] && !(s->shared_network = ipam__strdup(shared)))
		return IPAM_ENOMEM;
	frame *f = &d->st[++d->depth];
	*f = d->st[d->depth - 1];
	f->kind = C_SUBNET;
	f->scope = s;
	return 0;
}

static int range(dimp *d)
{
	char a[64], b[64] = "", r[140];
	int rc = next(d, "range");
	if (!rc && ipam__dhcp_lex_is(&d->x, "dynamic-bootp"))
		rc = next(d, "range");
	if (rc)
		return rc;
	tok_copy(a, sizeof a, &d->x);
	if ((rc = next(d, "range")))
		return rc;
	if (!ipam__dhcp_lex_is(&d->x, ";")) {
		tok_copy(b, sizeof b, &d->x);
		if ((rc = want(d, ";", "range")))
			return rc;
	}
	snprintf(r, sizeof r, "%s-%s", a, b[0] ? b : a);
	frame *f = &d->st[d->depth];
	ipam__dhcp_scope *s = f->scope;
	ipam__dhcp_range rr;
	if (!s) { /* a pool directly in a shared network: the subnet that holds it */
		if ((rc = ipam__dhcp_range_parse(&rr, r, "range")))
			return derr(d, rc);
		if (!(s = scope_of(d->c, &rr.start)))
			return ipam__error(IPAM_EINVAL, "%s:%zu: range %s is in no subnet declared before it", d->x.file,
					   d->x.line, r);
	}
	ipam__dhcp_pool *p;
	if ((rc = ipam__dhcp_pool_add(s, r, &p)))
		return derr(d, rc);
	if (f->kind == C_POOL && !f->scope) {
		f->scope = s;
		d->pool_first = (size_t)(p - s->pools);
	}
	return 0;
}

static void host_reset(host *h)
{
	ipam__dhcp_optset_free(&h->opts);
	memset(h, 0, sizeof *h);
}

static int host_end(dimp *d)
{
	host *h = &d->h;
	int rc = 0;
	bool first = true;
	for (size_t i = 0; !rc && i < h->nfixed; i++) {
		ipam_addr a;
		if (ipam_addr_parse(&a, h->fixed[i])) {
			rc = dnote(d, "host %s: fixed-address %s is a name; not modelled", h->name, h->fixed[i]);
			continue;
		}
		ipam__dhcp_scope *s = scope_of(d->c, &a);
		if (!s) {
			rc = dnote(d, "host %s: %s is in no subnet; skipped", h->name, h->fixed[i]);
			continue;
		}
		if (!first) { /* one reservation per identifier and subnet, as Kea has it */
			rc = dnote(d, "host %s: only its first address is reserved; %s skipped", h->name, h->fixed[i]);
			continue;
		}
		if (!h->ident[0]) {
			rc = dnote(d, "host %s: no hardware ethernet or client identifier; skipped", h->name);
			break;
		}
		const char *hn = h->hostname[0] ? h->hostname : h->name;
		if (strspn(hn, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.") != strlen(hn))
			hn = NULL;
		ipam__dhcp_resv *r;
		size_t line = d->x.line;
		d->x.line = h->line;
		rc = ipam__dhcp_resv_add(s, h->fixed[i], h->ident, hn, &r);
		if (rc)
			rc = derr(d, rc);
		d->x.line = line;
		if (!rc)
			rc = ipam__dhcp_optset_overlay(&r->opts, NULL, &h->opts, 0);
		first = false;
	}
	host_reset(h);
	return rc;
}

static int host_statement(dimp *d)
{
	host *h = &d->h;
	int rc = 0;
	if (ipam__dhcp_lex_is(&d->x, "hardware")) {
		if ((rc = next(d, "hardware")) || (rc = next(d, "hardware")))
			return rc;
		ipam_mac m;
		if (ipam_mac_parse(&m, d->x.tok))
			return ipam__error(IPAM_EINVAL, "%s:%zu: hardware: \"%s\" is not a MAC address", d->x.file,
					   d->x.line, d->x.tok);
		char t[32];
		ipam_mac_format(t, sizeof t, &m);
		snprintf(h->ident, sizeof h->ident, "mac:%s", t);
		return want(d, ";", "hardware");
	}
	if (ipam__dhcp_lex_is(&d->x, "fixed-address")) {
		for (;;) {
			if ((rc = next(d, "fixed-address")))
				return rc;
			if (ipam__dhcp_lex_is(&d->x, ";"))
				return 0;
			if (!ipam__dhcp_lex_is(&d->x, ",") && h->nfixed < 4)
				tok_copy(h->fixed[h->nfixed++], sizeof h->fixed[0], &d->x);
		}
	}
	if (ipam__dhcp_lex_is(&d->x, "ddns-hostname")) {
		if ((rc = next(d, "ddns-hostname")))
			return rc;
		if (!h->hostname[0])
			tok_copy(h->hostname, sizeof h->hostname, &d->x);
		return want(d, ";", "ddns-hostname");
	}
	if (ipam__dhcp_lex_is(&d->x, "option"))
		return option(d, &h->opts, "host");
	return ipam__dhcp_lex_skip(&d->x);
}

/* A subnet statement that Kea calls differently: kept in the scope's extra. */
static int subnet_extra(dimp *d, const char *kea_key)
{
	int rc = next(d, kea_key);
	if (rc)
		return rc;
	ipam__dhcp_scope *s = d->st[d->depth].scope;
	char val[300];
	tok_copy(val, sizeof val, &d->x);
	if ((rc = want(d, ";", kea_key)))
		return rc;
	ipam_buf b = IPAM_BUF_INIT;
	size_t old = s->extra ? strlen(s->extra) : 0;
	/* {"k":"v"} appended to what is there: {..., "k":"v"} */
	rc = ipam__buf_printf(&b, "%.*s%s\"%s\":\"%s\"}", old ? (int)old - 1 : 0, old ? s->extra : "",
			      old > 2 ? "," : old ? "" : "{", kea_key, val);
	if (strchr(val, '"') || strchr(val, '\\'))
		rc = ipam__error(IPAM_EINVAL, "%s:%zu: %s: a quote or backslash in \"%s\"", d->x.file, d->x.line,
				 kea_key, val);
	if (rc) {
		ipam_buf_dispose(&b);
		return rc;
	}
	free(s->extra);
	s->extra = b.ptr;
	return 0;
}

static int statement(dimp *d)
{
	frame *f = &d->st[d->depth];
	ipam__dhcp_lexer *x = &d->x;
	int rc;
	if (ipam__dhcp_lex_is(x, "}")) {
		if (d->depth == 0)
			return ipam__error(IPAM_EINVAL, "%s:%zu: unexpected '}'", x->file, x->line);
		if (f->kind == C_HOST && (rc = host_end(d)))
			return rc;
		if (f->kind == C_POOL && f->scope) {
			for (size_t i = d->pool_first; i < f->scope->npools; i++) {
				ipam__dhcp_pool *p = &f->scope->pools[i];
				if ((rc = ipam__dhcp_optset_overlay(&p->opts, NULL, &d->pool_opts, 0)))
					return rc;
				if (d->pool_known && !(p->extra = ipam__strdup("{\"client-class\":\"KNOWN\"}")))
					return IPAM_ENOMEM;
			}
		}
		d->depth--;
		return 0;
	}
	bool block = ipam__dhcp_lex_is(x, "shared-network") || ipam__dhcp_lex_is(x, "subnet") ||
		     ipam__dhcp_lex_is(x, "pool") || ipam__dhcp_lex_is(x, "group") || ipam__dhcp_lex_is(x, "host");
	if (block && d->depth + 1 >= sizeof d->st / sizeof d->st[0])
		return ipam__error(IPAM_EINVAL, "%s:%zu: blocks nest too deep", x->file, x->line);
	if (f->kind == C_HOST)
		return host_statement(d);
	if (ipam__dhcp_lex_is(x, "subnet"))
		return subnet(d);
	if (ipam__dhcp_lex_is(x, "shared-network") || ipam__dhcp_lex_is(x, "group") || ipam__dhcp_lex_is(x, "host") ||
	    ipam__dhcp_lex_is(x, "pool")) {
		enum ctx kind = ipam__dhcp_lex_is(x, "shared-network") ? C_SHARED
				: ipam__dhcp_lex_is(x, "group")	       ? C_GROUP
				: ipam__dhcp_lex_is(x, "host")	       ? C_HOST
								       : C_POOL;
		char name[200] = "";
		if (kind == C_SHARED || kind == C_HOST) {
			if ((rc = next(d, "a name")))
				return rc;
			tok_copy(name, sizeof name, x);
		}
		if ((rc = want(d, "{", "a block")))
			return rc;
		frame *n = &d->st[++d->depth];
		*n = *f;
		n->kind = kind;
		if (kind == C_SHARED)
			snprintf(n->shared, sizeof n->shared, "%s", name);
		if (kind == C_HOST) {
			host_reset(&d->h);
			snprintf(d->h.name, sizeof d->h.name, "%s", name);
			d->h.line = x->line;
		}
		if (kind == C_POOL) {
			ipam__dhcp_optset_free(&d->pool_opts);
			d->pool_known = false;
			d->pool_first = n->scope ? n->scope->npools : 0;
			if (f->kind != C_SUBNET)
				n->scope = NULL; /* found from its first range */
		}
		return 0;
	}
	if (ipam__dhcp_lex_is(x, "range") && (f->kind == C_SUBNET || f->kind == C_POOL || f->kind == C_SHARED))
		return range(d);
	if (ipam__dhcp_lex_is(x, "option")) {
		ipam__dhcp_optset *set = f->kind == C_TOP ? &d->c->global4
					 : f->kind == C_SUBNET ? &f->scope->opts
					 : f->kind == C_POOL   ? &d->pool_opts
							       : NULL;
		return option(d, set, f->kind == C_TOP ? "global" : f->kind == C_SUBNET ? f->scope->name
								 : f->kind == C_POOL ? "pool" : "a group or shared network");
	}
	if (ipam__dhcp_lex_is(x, "default-lease-time") && (f->kind == C_TOP || f->kind == C_SUBNET)) {
		uint32_t *v = f->kind == C_TOP ? &d->c->valid4 : &f->scope->valid;
		char *end;
		if ((rc = next(d, "default-lease-time")))
			return rc;
		unsigned long n = strtoul(x->tok, &end, 10);
		if (*end || n == 0 || n > UINT32_MAX)
			return ipam__error(IPAM_EINVAL, "%s:%zu: default-lease-time: \"%s\" is not a number of seconds",
					   x->file, x->line, x->tok);
		*v = (uint32_t)n;
		return want(d, ";", "default-lease-time");
	}
	if (f->kind == C_SUBNET && ipam__dhcp_lex_is(x, "next-server"))
		return subnet_extra(d, "next-server");
	if (f->kind == C_SUBNET && ipam__dhcp_lex_is(x, "filename"))
		return subnet_extra(d, "boot-file-name");
	if (f->kind == C_SUBNET && ipam__dhcp_lex_is(x, "server-name"))
		return subnet_extra(d, "server-hostname");
	if (f->kind == C_POOL && (ipam__dhcp_lex_is(x, "deny") || ipam__dhcp_lex_is(x, "allow"))) {
		bool deny = ipam__dhcp_lex_is(x, "deny");
		if ((rc = next(d, "a permit")))
			return rc;
		if ((deny && ipam__dhcp_lex_is(x, "unknown-clients")) || (!deny && ipam__dhcp_lex_is(x, "known-clients")))
			d->pool_known = true;
		else
			dnote(d, "pool permit %s %s is not modelled; skipped", deny ? "deny" : "allow", x->tok);
		return ipam__dhcp_lex_skip(x);
	}
	/* authoritative, ddns-*, log-facility, max-lease-time, class, failover ... */
	return ipam__dhcp_lex_skip(x);
}

int ipam__dhcp_import_dhcpd(ipam__dhcp_config *c, const char *text, size_t len, const char *file, ipam_buf *notes)
{
	dimp *d = calloc(1, sizeof *d);
	if (!d)
		return ipam__enomem();
	d->c = c;
	d->notes = notes;
	d->x = (ipam__dhcp_lexer){.p = text, .end = text + len, .file = file ? file : "dhcpd.conf", .line = 1};
	int rc;
	while ((rc = ipam__dhcp_lex(&d->x)) > 0)
		if ((rc = statement(d)))
			break;
	if (!rc && d->depth)
		rc = ipam__error(IPAM_EINVAL, "%s:%zu: the file ends inside a block", d->x.file, d->x.line);
	host_reset(&d->h);
	ipam__dhcp_optset_free(&d->pool_opts);
	free(d);
	return rc;
}
