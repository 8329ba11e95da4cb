/* BIND zone files: each file is one zone (its SOA's owner; the origin named
 * by the file's name as BIND setups name them, db.example.com,
 * example.com.zone, db.192.0.2 for 2.0.192.in-addr.arpa, until $ORIGIN or
 * the SOA says), read by src/dns/zimport.c ($ORIGIN, $TTL, $INCLUDE,
 * $GENERATE, multi-line records). The SOA and the apex NS records become
 * the zone's settings (a zone item, created by the apply step when the
 * store lacks it); every other record is a record item, owner and names
 * absolute. A file without a SOA only gives records, into whichever zones
 * hold them. A bad record is reported at its file and line and skipped. */
#include "io/import/imp.h"
#include "dns/zimport.h"

#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

typedef struct bctx {
	ipam__imp_model *m;
	ipam__imp_item *zone; /* this file's zone, once its SOA is read */
	size_t nrr;
} bctx;

static int same_name(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b);
	na -= na && a[na - 1] == '.';
	nb -= nb && b[nb - 1] == '.';
	return na == nb && !strncasecmp(a, b, na);
}

/* The SOA's seven words as the zone's settings. */
static int soa(bctx *c, const ipam__zimp_rr *rr)
{
	static const char *const timers[] = { "serial", "refresh", "retry", "expire", "minimum" };
	char mname[512], rname[512];
	unsigned long v[5];
	int is_new, rc;
	if (c->zone)
		return ipam__imp_err(c->m, rr->file, rr->line, "SOA", rr->rdata, "a second SOA in one zone file");
	if (sscanf(rr->rdata, "%511s %511s %lu %lu %lu %lu %lu", mname, rname, &v[0], &v[1], &v[2], &v[3], &v[4]) != 7)
		return ipam__imp_err(c->m, rr->file, rr->line, "SOA", rr->rdata, "a SOA without its seven fields");
	ipam__imp_item *z = ipam__imp_get(c->m, IMP_ZONE, NULL, rr->owner, rr->file, rr->line, &is_new);
	if (!z)
		return IPAM_ENOMEM;
	c->zone = z;
	z->ttl = rr->ttl;
	/* the same zone read again (another file): its apex NS set anew */
	cJSON_DeleteItemFromObjectCaseSensitive(z->attrs, "ns");
	if ((rc = ipam__imp_set(&z->name, rr->owner)) || (rc = ipam__imp_attr_str(z->attrs, "mname", mname)) ||
	    (rc = ipam__imp_attr_str(z->attrs, "rname", rname)))
		return rc;
	for (int i = 0; i < 5 && !rc; i++)
		rc = ipam__imp_attr(z->attrs, timers[i], cJSON_CreateNumber((double)v[i]));
	return rc;
}

static int on_rr(void *ctx, const ipam__zimp_rr *in)
{
	bctx *c = ctx;
	int is_new, rc;
	/* an $INCLUDEd file's name: the model keeps it */
	ipam__zimp_rr one = *in, *rr = &one;
	if (!(one.file = ipam__imp_file(c->m, in->file)))
		return IPAM_ENOMEM;
	c->nrr++;
	if (!strcmp(rr->type, "SOA"))
		return soa(c, rr);
	if (c->zone && !strcmp(rr->type, "NS") && same_name(rr->owner, c->zone->name)) {
		cJSON *ns = cJSON_GetObjectItemCaseSensitive(c->zone->attrs, "ns");
		if (!ns && (rc = ipam__imp_attr(c->zone->attrs, "ns", ns = cJSON_CreateArray())))
			return rc;
		cJSON *s = cJSON_CreateString(rr->rdata);
		if (!s || !cJSON_AddItemToArray(ns, s)) {
			cJSON_Delete(s);
			return ipam__enomem();
		}
		return 0;
	}
	char key[1024];
	snprintf(key, sizeof key, "%s %s %s", rr->owner, rr->type, rr->rdata);
	ipam__imp_item *it = ipam__imp_get(c->m, IMP_RECORD, NULL, key, rr->file, rr->line, &is_new);
	if (!it)
		return IPAM_ENOMEM;
	it->ttl = rr->ttl;
	if ((rc = ipam__imp_set(&it->name, rr->owner)) || (rc = ipam__imp_set(&it->rtype, rr->type)) ||
	    (rc = ipam__imp_set(&it->rdata, rr->rdata)))
		return rc;
	c->m->rows++;
	return 0;
}

static int on_bad(void *ctx, const char *file, unsigned long line, const char *text, const char *message)
{
	bctx *c = ctx;
	/* the message starts "file:line: "; the report has those apart */
	const char *m = message;
	size_t fl = strlen(file);
	if (!strncmp(m, file, fl) && m[fl] == ':') {
		m += fl + 1;
		while (*m >= '0' && *m <= '9')
			m++;
		m += *m == ':' ? 1 : 0;
		m += *m == ' ' ? 1 : 0;
	}
	const char *f = ipam__imp_file(c->m, file);
	return f ? ipam__imp_err(c->m, f, line, "record", text, "%s", m) : IPAM_ENOMEM;
}

/* The origin a file's name gives: db.example.com, example.com.zone,
 * example.com.db; db.192.0.2 -> 2.0.192.in-addr.arpa. NULL when none. */
static char *origin_of_name(const char *file)
{
	const char *base = strrchr(file, '/');
	base = base ? base + 1 : file;
	size_t n = strlen(base);
	if (!strncasecmp(base, "db.", 3))
		base += 3, n -= 3;
	else if (n > 5 && !strcasecmp(base + n - 5, ".zone"))
		n -= 5;
	else if (n > 3 && !strcasecmp(base + n - 3, ".db"))
		n -= 3;
	else
		return NULL;
	if (!n || n > 250)
		return NULL;
	char name[256];
	memcpy(name, base, n);
	name[n] = '\0';
	/* dotted decimal: an IPv4 reverse zone */
	unsigned o[3];
	int k = 0, used = 0;
	if (sscanf(name, "%u.%u.%u%n", &o[0], &o[1], &o[2], &used) == 3 && !name[used])
		k = 3;
	else if (sscanf(name, "%u.%u%n", &o[0], &o[1], &used) == 2 && !name[used])
		k = 2;
	else if (sscanf(name, "%u%n", &o[0], &used) == 1 && !name[used])
		k = 1;
	if (k) {
		char rev[64] = "";
		for (int i = k - 1; i >= 0; i--) {
			if (o[i] > 255)
				return NULL;
			snprintf(rev + strlen(rev), sizeof rev - strlen(rev), "%u.", o[i]);
		}
		snprintf(name, sizeof name, "%sin-addr.arpa.", rev);
	}
	return ipam__strdup(name);
}

int ipam__imp_bind_zone(ipam__imp_model *m, const char *file, const char *data, size_t len)
{
	bctx c = { m, NULL, 0 };
	m->link_records = 1;
	ipam__zimp_cb cb = { on_rr, on_bad, &c };
	size_t errors = m->nerrors;
	char *origin = origin_of_name(file);
	int rc = ipam__dns_zimport(file, data, len, origin, &cb);
	free(origin);
	if (!rc && !c.nrr && m->nerrors == errors)
		rc = ipam__error(IPAM_EINVAL, "%s: no records: not a zone file", file);
	return rc;
}
