/* Route 53 answers (XML, read by xml.c): ListHostedZones and
 * ListResourceRecordSets pages, and the ErrorResponse document. Pure (no
 * I/O) and fuzzed (fuzz/cloud_dns_fuzzer.c).
 *
 * Route 53 writes names with octal escapes for what is not a letter, digit,
 * '-' or '_' ("\052.example.com." is "*.example.com."); they become the
 * character, or the \DDD decimal escape of presentation format. Alias
 * records (AliasTarget) and records with a routing policy (SetIdentifier)
 * have no one answer a plain zone could give: they are skipped, named. */
#include "discover/disc.h"

#include <stdio.h>
#include <stdlib.h>

#define R53_VALUES 400 /* Route 53 allows 400 values per record set */

typedef struct r53 {
	ipam__xmlsax x; /* first: the callbacks get it */
	ipam__cdns *c;
	ipam__cdns_zone *z; /* rrsets: the zone; zones: NULL */
	bool truncated, in_item;
	/* the item being read */
	char id[128], name[300], type[20], alias[300], set_id[130];
	bool private_zone;
	long long ttl;
	char *values[R53_VALUES];
	size_t nvalues;
} r53;

/* Route 53's octal escapes to presentation format. */
static void unescape(char *out, size_t size, const char *in)
{
	size_t o = 0;
	for (const char *p = in; *p && o + 5 < size; p++) {
		if (p[0] == '\\' && p[1] >= '0' && p[1] <= '3' && p[2] >= '0' && p[2] <= '7' && p[3] >= '0' && p[3] <= '7') {
			int ch = (p[1] - '0') * 64 + (p[2] - '0') * 8 + (p[3] - '0');
			p += 3;
			if (ch > 0x20 && ch < 0x7f && !strchr(".\\\"();", ch))
				out[o++] = (char)ch;
			else
				o += (size_t)snprintf(out + o, size - o, "\\%03d", ch);
			continue;
		}
		out[o++] = *p;
	}
	out[o] = '\0';
}

static void item_reset(r53 *p)
{
	for (size_t i = 0; i < p->nvalues; i++)
		free(p->values[i]);
	p->nvalues = 0;
	p->id[0] = p->name[0] = p->type[0] = p->alias[0] = p->set_id[0] = '\0';
	p->private_zone = false;
	p->ttl = -1;
}

static int set_next(r53 *p, int i, const char *v)
{
	free(p->c->next[i]);
	return (p->c->next[i] = ipam__strdup(v)) ? 0 : IPAM_ENOMEM;
}

static int on_leaf(ipam__xmlsax *x)
{
	r53 *p = (r53 *)x;
	const char *v = x->val, *name = x->stack[x->depth - 1];
	if (x->depth == 3 && ipam__xmlsax_at(x, 1, "Error/Code"))
		ipam__xmlsax_copy(p->c->error_code, sizeof p->c->error_code, v);
	else if (x->depth == 3 && ipam__xmlsax_at(x, 1, "Error/Message"))
		ipam__xmlsax_copy(p->c->error_message, sizeof p->c->error_message, v);
	else if (x->depth == 2 && strcmp(name, "IsTruncated") == 0)
		p->truncated = strcmp(v, "true") == 0;
	else if (x->depth == 2 && strcmp(name, p->z ? "NextRecordName" : "NextMarker") == 0)
		return set_next(p, 0, v);
	else if (x->depth == 2 && p->z && strcmp(name, "NextRecordType") == 0)
		return set_next(p, 1, v);
	else if (x->depth == 2 && p->z && strcmp(name, "NextRecordIdentifier") == 0)
		return set_next(p, 2, v);
	if (!p->in_item)
		return 0;
	if (ipam__xmlsax_at(x, 3, "Name"))
		unescape(p->name, sizeof p->name, v);
	else if (!p->z && ipam__xmlsax_at(x, 3, "Id"))
		ipam__xmlsax_copy(p->id, sizeof p->id, strrchr(v, '/') ? strrchr(v, '/') + 1 : v);
	else if (!p->z && ipam__xmlsax_at(x, 3, "Config/PrivateZone"))
		p->private_zone = strcmp(v, "true") == 0;
	else if (p->z && ipam__xmlsax_at(x, 3, "Type"))
		ipam__xmlsax_copy(p->type, sizeof p->type, v);
	else if (p->z && ipam__xmlsax_at(x, 3, "SetIdentifier"))
		ipam__xmlsax_copy(p->set_id, sizeof p->set_id, v);
	else if (p->z && ipam__xmlsax_at(x, 3, "AliasTarget/DNSName"))
		unescape(p->alias, sizeof p->alias, v);
	else if (p->z && ipam__xmlsax_at(x, 3, "TTL")) {
		char *end;
		p->ttl = strtoll(v, &end, 10);
		if (*end || end == v || p->ttl < 0)
			return ipam__xmlsax_bad(x, "a TTL that is not a number");
	} else if (p->z && ipam__xmlsax_at(x, 3, "ResourceRecords/ResourceRecord/Value")) {
		if (p->nvalues == R53_VALUES)
			return ipam__xmlsax_bad(x, "more than 400 values in one record set");
		if (!(p->values[p->nvalues] = ipam__strdup(v)))
			return ipam__enomem();
		p->nvalues++;
	}
	return 0;
}

static int on_open(ipam__xmlsax *x)
{
	r53 *p = (r53 *)x;
	if (x->depth == 3 && ipam__xmlsax_at(x, 1, p->z ? "ResourceRecordSets/ResourceRecordSet" : "HostedZones/HostedZone")) {
		item_reset(p);
		p->in_item = true;
	}
	return 0;
}

static int rrset_done(r53 *p)
{
	char why[400];
	const char *skip = NULL;
	if (p->alias[0]) {
		snprintf(why, sizeof why, "an alias to %s (Route 53 only; no record a zone file can hold)", p->alias);
		skip = why;
	} else if (p->set_id[0]) {
		snprintf(why, sizeof why, "a routing policy record (SetIdentifier %s)", p->set_id);
		skip = why;
	} else if (p->ttl < 0) {
		return ipam__xmlsax_bad(&p->x, "a record set without a TTL");
	}
	if (!p->name[0] || !p->type[0])
		return ipam__xmlsax_bad(&p->x, "a record set without a Name or a Type");
	if (skip || !p->nvalues)
		return ipam__cdns_rec_add(p->z, p->name, p->type, p->ttl < 0 ? 0 : p->ttl, "", skip ? skip : "no values");
	/* Route 53 takes and gives the target names of these types with or
	 * without their final dot, always meaning the absolute name */
	static const char *const named[] = { "CNAME", "NS", "PTR", "MX", "SRV" };
	bool name_last = false;
	for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
		name_last |= strcmp(p->type, named[i]) == 0;
	for (size_t i = 0; i < p->nvalues; i++) {
		char v[4100];
		size_t n = strlen(p->values[i]);
		snprintf(v, sizeof v, "%s%s", p->values[i], name_last && n && p->values[i][n - 1] != '.' ? "." : "");
		int rc = ipam__cdns_rec_add(p->z, p->name, p->type, p->ttl, v, NULL);
		if (rc)
			return rc;
	}
	return 0;
}

static int on_close(ipam__xmlsax *x)
{
	r53 *p = (r53 *)x;
	if (!p->in_item || x->depth != 3)
		return 0;
	p->in_item = false;
	if (p->z)
		return rrset_done(p);
	if (!p->id[0] || !p->name[0])
		return ipam__xmlsax_bad(x, "a hosted zone without an Id or a Name");
	return ipam__cdns_zone_add(p->c, p->name, p->id, p->private_zone, x->what);
}

static int parse(ipam__cdns *c, ipam__cdns_zone *z, const char *xml, size_t len, const char *what)
{
	r53 *p = calloc(1, sizeof *p);
	if (!p)
		return ipam__enomem();
	p->x = (ipam__xmlsax){ .text = xml, .len = len, .what = what, .open = on_open, .close = on_close, .leaf = on_leaf };
	p->c = c;
	p->z = z;
	ipam__cdns_next_clear(c);
	c->error_code[0] = c->error_message[0] = '\0';
	int rc = ipam__xmlsax_parse(&p->x);
	bool truncated = p->truncated;
	item_reset(p);
	free(p);
	if (rc || !truncated)
		ipam__cdns_next_clear(c);
	return rc;
}

int ipam__cdns_r53_zones(ipam__cdns *c, const char *xml, size_t len, const char *what)
{
	return parse(c, NULL, xml, len, what);
}

int ipam__cdns_r53_rrsets(ipam__cdns *c, ipam__cdns_zone *z, const char *xml, size_t len, const char *what)
{
	return parse(c, z, xml, len, what);
}
