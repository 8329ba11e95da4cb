/* BIND zone import: A, AAAA and PTR records linked to addresses. A record
 * that speaks of an address inside a prefix of the import's space makes
 * (or updates) that address with the record's name as its host name, and
 * is then derived from the address (docs/dns.md: derived records) instead
 * of stored as a hand record beside it. Only where the derived record is
 * exactly the file's: the zone that holds the record is bound to the
 * space, derives records, and its TTL is the record's; a PTR's owner is
 * the name the store would give it (RFC 2317 zones included). Per address
 * the first record (the order the files were given, then their lines)
 * names it; records that name it otherwise are reported and stay hand
 * records. Runs after the zones are made and before the records go in. */
#include "io/import/imp.h"
#include "dns/dns.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

/* How many single disagreement notes before they are only counted. */
enum { MAX_NOTES = 100 };

typedef struct zinfo {
	const char *origin, *space;
	int derive;
	long ttl;
} zinfo;

typedef struct zones {
	cJSON *list;         /* ipam_zone_list's array */
	zinfo *z;            /* default view only */
	const char **all;    /* their origins */
	const char **mine;   /* the origins of the zones bound to the import's space */
	size_t *mine_at;     /* mine[i] is z[mine_at[i]] */
	size_t n, nmine;
} zones;

/* One A, AAAA or PTR record of the model that could give an address. */
typedef struct cand {
	ipam_addr a;
	size_t item;         /* index into the model's items */
	const char *host;    /* the name it gives the address (the item's owner or rdata) */
	char why[160];       /* why the record cannot be derived; "" when it can */
} cand;

static void zones_free(zones *zs)
{
	cJSON_Delete(zs->list);
	free(zs->z);
	free(zs->all);
	free(zs->mine);
	free(zs->mine_at);
}

static int zones_read(zones *zs, ipam_db *db, const char *space)
{
	ipam_buf b = IPAM_BUF_INIT;
	int rc = ipam_zone_list(&b, db);
	if (rc)
		return rc;
	zs->list = cJSON_ParseWithLength(b.ptr, b.size);
	ipam_buf_dispose(&b);
	size_t n = (size_t)cJSON_GetArraySize(zs->list);
	if (!zs->list || !(zs->z = calloc(n + 1, sizeof *zs->z)) || !(zs->all = calloc(n + 1, sizeof *zs->all)) ||
	    !(zs->mine = calloc(n + 1, sizeof *zs->mine)) || !(zs->mine_at = calloc(n + 1, sizeof *zs->mine_at)))
		return ipam__enomem();
	const cJSON *o;
	cJSON_ArrayForEach(o, zs->list)
	{
		const char *view = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "view"));
		zinfo *z = &zs->z[zs->n];
		z->origin = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "zone"));
		z->space = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "space"));
		z->derive = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "derive"));
		z->ttl = (long)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(o, "ttl"));
		if (!view || strcmp(view, "default") || !z->origin || !z->space)
			continue;
		if (!strcmp(z->space, space)) {
			zs->mine_at[zs->nmine] = zs->n;
			zs->mine[zs->nmine++] = z->origin;
		}
		zs->all[zs->n++] = z->origin;
	}
	return 0;
}

/* The address a reverse name speaks of: d.c.b.a.in-addr.arpa, an RFC 2317
 * child's d.<range>.c.b.a.in-addr.arpa, 32 nibbles of ip6.arpa. */
static int reverse_addr(ipam_addr *out, const char *owner)
{
	char buf[300], addr[64];
	const char *l[40];
	size_t n = 0, k = 0;
	if (strlen(owner) >= sizeof buf)
		return -1;
	for (size_t i = 0; (buf[i] = (char)tolower((unsigned char)owner[i])); i++)
		;
	for (char *save = NULL, *t = strtok_r(buf, ".", &save); t; t = strtok_r(NULL, ".", &save)) {
		if (n == 40)
			return -1;
		l[n++] = t;
	}
	if ((n == 6 || n == 7) && !strcmp(l[n - 2], "in-addr") && !strcmp(l[n - 1], "arpa")) {
		/* in a child zone, the label above the host's is the range's */
		if (n == 7 && strspn(l[1], "0123456789") == strlen(l[1]))
			return -1;
		snprintf(addr, sizeof addr, "%s.%s.%s.%s", l[n - 3], l[n - 4], l[n - 5], l[0]);
	} else if (n == 34 && !strcmp(l[32], "ip6") && !strcmp(l[33], "arpa")) {
		for (int i = 31; i >= 0; i--) {
			if (strlen(l[i]) != 1 || !isxdigit((unsigned char)l[i][0]))
				return -1;
			addr[k++] = l[i][0];
			if (i && i % 4 == 0)
				addr[k++] = ':';
		}
		addr[k] = '\0';
	} else {
		return -1;
	}
	return ipam_addr_parse(out, addr) ? -1 : 0;
}

static int same_name(const char *a, const char *b)
{
	return !ipam__imp_host_differs(a, b);
}

/* Can the record be derived: its zone is bound to the space, derives
 * records, has the record's TTL; a PTR's owner is the one the store gives
 * the address. Leaves `why` empty when it can, else says why not. */
static void derivable(const zones *zs, const ipam__imp_item *it, const ipam_addr *a, const char *space, char *why,
                      size_t size)
{
	int z = ipam__dns_zone_match(it->name, zs->all, zs->n);
	char owner[300];
	size_t at;
	why[0] = '\0';
	if (z < 0)
		snprintf(why, size, "no zone holds it");
	else if (strcmp(zs->z[z].space, space))
		snprintf(why, size, "its zone %s is bound to space %s", zs->z[z].origin, zs->z[z].space);
	else if (!zs->z[z].derive)
		snprintf(why, size, "its zone %s derives no records", zs->z[z].origin);
	else if (it->ttl >= 0 && it->ttl != zs->z[z].ttl)
		snprintf(why, size, "its TTL %ld is not its zone's %ld", it->ttl, zs->z[z].ttl);
	else if (!strcasecmp(it->rtype, "PTR") &&
	         (ipam__dns_ptr_owner(owner, sizeof owner, &at, a, zs->mine, zs->nmine) ||
	          strcmp(zs->mine[at], zs->z[z].origin) || !same_name(owner, it->name)))
		snprintf(why, size, "the store would not give its address this PTR");
}

static int cand_cmp(const void *x, const void *y)
{
	const cand *a = x, *b = y;
	int c = ipam_addr_cmp(&a->a, &b->a);
	return c ? c : (a->item > b->item) - (a->item < b->item);
}

/* Names in the order of their equality by same_name: ASCII case folded,
 * a final dot ignored. */
static int name_cmp(const void *x, const void *y)
{
	const char *a = *(const char *const *)x, *b = *(const char *const *)y;
	size_t na = strlen(a), nb = strlen(b);
	na -= na && a[na - 1] == '.';
	nb -= nb && b[nb - 1] == '.';
	int c = strncasecmp(a, b, na < nb ? na : nb);
	return c ? c : (na > nb) - (na < nb);
}

typedef struct link_ctx {
	ipam_db *db;
	ipam__imp_model *m;
	const char *space;
	ipam__imp_result *r;
	zones zs;
	cand *c;
	size_t n;
	const char **cnames; /* the owners of the model's CNAME records, sorted by name_cmp */
	size_t ncnames;
	size_t nnotes, nmore;
	/* per file: records of addresses in no prefix */
	const char *out_file;
	size_t nout;
	char out_first[160];
} link_ctx;

/* Records outside every prefix: one note per file. */
static int out_flush(link_ctx *l)
{
	int rc = 0;
	if (l->nout)
		rc = ipam__imp_note(l->m, "%s: %zu A/AAAA/PTR record%s of addresses in no prefix of space %s (%s%s) stay%s hand records",
		                    l->out_file, l->nout, l->nout == 1 ? "" : "s", l->space, l->out_first,
		                    l->nout > 1 ? ", ..." : "", l->nout == 1 ? "s a" : "");
	l->nout = 0;
	return rc;
}

static int out_of_prefix(link_ctx *l, const ipam__imp_item *it, const ipam_addr *a)
{
	int rc = 0;
	if (l->out_file != it->file) {
		rc = out_flush(l);
		l->out_file = it->file;
	}
	if (!l->nout++) {
		char t[64];
		ipam__imp_addr_text(t, a);
		snprintf(l->out_first, sizeof l->out_first, "line %lu: %s", it->line, t);
	}
	return rc;
}

/* The records of the model that could give an address, sorted by address. */
static int gather(link_ctx *l)
{
	ipam__imp_model *m = l->m;
	if (!(l->c = calloc(m->nitems + 1, sizeof *l->c)) || !(l->cnames = calloc(m->nitems + 1, sizeof *l->cnames)))
		return ipam__enomem();
	int rc = 0;
	for (size_t i = 0; i < m->nitems && !rc; i++) {
		ipam__imp_item *it = m->items[i];
		it->linked = 0;
		if (it->type != IMP_RECORD || !it->name || !it->rtype || !it->rdata)
			continue;
		if (!strcasecmp(it->rtype, "CNAME"))
			l->cnames[l->ncnames++] = it->name;
		cand *c = &l->c[l->n];
		const char *host;
		if (!strcasecmp(it->rtype, "A") || !strcasecmp(it->rtype, "AAAA")) {
			if (ipam_addr_parse(&c->a, it->rdata))
				continue;
			host = it->name;
		} else if (!strcasecmp(it->rtype, "PTR")) {
			if (reverse_addr(&c->a, it->name))
				continue;
			host = it->rdata;
		} else {
			continue;
		}
		ipam_prefix hp, in;
		if ((rc = ipam_prefix_from(&hp, &c->a, c->a.family == IPAM_AF_INET ? 32 : 128, 0)))
			return rc;
		if ((rc = ipam_prefix_match(&in, l->db, l->space, &hp))) {
			rc = rc == IPAM_ENOTFOUND ? out_of_prefix(l, it, &c->a) : rc;
			continue;
		}
		c->host = host;
		c->item = i;
		derivable(&l->zs, it, &c->a, l->space, c->why, sizeof c->why);
		l->n++;
	}
	if (!rc)
		rc = out_flush(l);
	qsort(l->c, l->n, sizeof *l->c, cand_cmp);
	qsort(l->cnames, l->ncnames, sizeof *l->cnames, name_cmp);
	return rc;
}

/* A note on one record: "FILE:LINE: NAME TYPE DATA: what". */
static int note_at(link_ctx *l, const ipam__imp_item *it, const char *what)
{
	if (l->nnotes >= MAX_NOTES) {
		l->nmore++;
		return 0;
	}
	l->nnotes++;
	return ipam__imp_note(l->m, "%s:%lu: %s %s %s: %s", it->file, it->line, it->name, it->rtype, it->rdata, what);
}

/* Is there a CNAME at `host` in the model (an address named so would give
 * an A record beside it)? A search of the owners gather() sorted: one
 * address costs O(log records), not a walk of the model. */
static int cname_at(const link_ctx *l, const char *host)
{
	return l->ncnames && bsearch(&host, l->cnames, l->ncnames, sizeof *l->cnames, name_cmp) != NULL;
}

/* The address `a` takes `host` as its host name: added, updated (its other
 * fields kept) or unchanged. 1 changed, 0 unchanged, or an error: *fatal
 * says whether it is the store's (else the address refused the name). */
static int take(link_ctx *l, const ipam_addr *a, const char *host, int *fatal)
{
	char name[256];
	size_t hl = strlen(host);
	hl -= hl && host[hl - 1] == '.';
	*fatal = 0;
	if (!hl || hl >= sizeof name)
		return ipam__error(IPAM_EINVAL, "not a host name");
	memcpy(name, host, hl);
	name[hl] = '\0';
	ipam_ip_info have = IPAM_IP_INFO_INIT;
	int rc = ipam_ip_get(&have, l->db, l->space, a);
	int exists = rc == 0;
	if (rc && rc != IPAM_ENOTFOUND) {
		*fatal = 1;
		return rc;
	}
	if (exists && !ipam__imp_host_differs(have.hostname, name)) {
		ipam_ip_info_dispose(&have);
		l->r->unchanged.n[IMP_ADDRESS]++;
		return 0;
	}
	ipam_ip_options o = IPAM_IP_OPTIONS_INIT;
	o.space = l->space;
	o.hostname = name;
	/* a rename keeps the address's other fields, id and creation time */
	rc = exists ? ipam_ip_update(l->db, a, IPAM_IP_SET_HOSTNAME, &o) : ipam_ip_add(l->db, a, &o);
	ipam_ip_info_dispose(&have);
	if (rc) {
		*fatal = ipam__imp_fatal(rc);
		return rc;
	}
	(exists ? &l->r->updated : &l->r->imported)->n[IMP_ADDRESS]++;
	return 1;
}

/* One address: its candidates c[0..n), in the order the files gave them. */
static int link_one(link_ctx *l, const cand *c, size_t n)
{
	ipam__imp_item **items = l->m->items;
	const char *host = c[0].host;
	char text[64], what[800];
	ipam__imp_addr_text(text, &c[0].a);
	/* every record the address would give must be derivable */
	for (size_t i = 0; i < n; i++)
		if (same_name(c[i].host, host) && c[i].why[0]) {
			snprintf(what, sizeof what, "%s: %s keeps no host name from the zone files, its records stay hand records",
			         c[i].why, text);
			return note_at(l, items[c[i].item], what);
		}
	if (cname_at(l, host)) {
		snprintf(what, sizeof what, "%s is a CNAME's owner: %s keeps no host name, its records stay hand records", host, text);
		return note_at(l, items[c[0].item], what);
	}
	int fatal, rc = take(l, &c[0].a, host, &fatal);
	if (rc < 0 && fatal)
		return rc;
	if (rc < 0) {
		snprintf(what, sizeof what, "%s refuses the host name (%s): its records stay hand records", text,
		         ipam_error_last()->message);
		return note_at(l, items[c[0].item], what);
	}
	const ipam__imp_item *first = items[c[0].item];
	int changed = rc;
	rc = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		ipam__imp_item *it = items[c[i].item];
		if (same_name(c[i].host, host)) {
			it->linked = changed ? 2 : 1;
			continue;
		}
		snprintf(what, sizeof what, "%s is named %s after %s:%lu (the first to name it): this record stays a hand record",
		         text, host, first->file, first->line);
		rc = note_at(l, it, what);
	}
	return rc;
}

int ipam__imp_link(ipam_db *db, ipam__imp_model *m, const char *space, ipam__imp_result *r)
{
	link_ctx l = { .db = db, .m = m, .space = space, .r = r };
	int rc = zones_read(&l.zs, db, space);
	if (!rc)
		rc = gather(&l);
	for (size_t i = 0, j; i < l.n && !rc; i = j) {
		for (j = i + 1; j < l.n && !ipam_addr_cmp(&l.c[j].a, &l.c[i].a); j++)
			;
		rc = link_one(&l, l.c + i, j - i);
	}
	if (!rc && l.nmore)
		rc = ipam__imp_note(m, "%zu more records named addresses otherwise than the first record did, or could not be derived: they stay hand records",
		                    l.nmore);
	free(l.c);
	free(l.cnames);
	zones_free(&l.zs);
	return rc;
}
