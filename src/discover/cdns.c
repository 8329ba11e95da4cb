/* Cloud DNS zones as read (pure: r53_xml.c and cdns_json.c fill them): each
 * record kept as one presentation-format line, or with the reason it is not
 * taken. Nothing here trusts the provider: names and rdata with a control
 * character are skipped, never passed on to the zone parser as two lines. */
#include "discover/disc.h"

#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

static bool has_ctl(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

/* A name with its final dot, or NULL when it is no name. */
static char *absolute(const char *name)
{
	size_t n = strlen(name);
	if (n == 0 || n > 255 || has_ctl(name) || strpbrk(name, " \t\"();"))
		return NULL;
	char *s = malloc(n + 2);
	if (!s)
		return NULL;
	memcpy(s, name, n + 1);
	if (s[n - 1] != '.' || (n >= 2 && s[n - 2] == '\\'))
		memcpy(s + n, ".", 2);
	return s;
}

int ipam__cdns_zone_add(ipam__cdns *c, const char *origin, const char *id, bool private_zone, const char *what)
{
	if (!origin || !id || strcmp(origin, ".") == 0)
		return ipam__error(IPAM_EINVAL, "%s: a zone without a name or an id", what);
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 8;
		ipam__cdns_zone *z = realloc(c->z, cap * sizeof *z);
		if (!z)
			return ipam__enomem();
		c->z = z;
		c->cap = cap;
	}
	ipam__cdns_zone *z = &c->z[c->n];
	memset(z, 0, sizeof *z);
	z->origin = absolute(origin);
	if (!z->origin)
		return ipam__error(IPAM_EINVAL, "%s: zone \"%.80s\": not a DNS name", what, origin);
	if (!(z->id = ipam__strdup(id))) {
		free(z->origin);
		return ipam__enomem();
	}
	z->private_zone = private_zone;
	c->n++;
	return 0;
}

int ipam__cdns_rec_add(ipam__cdns_zone *z, const char *owner, const char *type, long long ttl, const char *rdata,
		       const char *skip)
{
	if (z->n == z->cap) {
		size_t cap = z->cap ? z->cap * 2 : 16;
		ipam__cdns_rec *r = realloc(z->rec, cap * sizeof *r);
		if (!r)
			return ipam__enomem();
		z->rec = r;
		z->cap = cap;
	}
	char *own = absolute(owner ? owner : "");
	bool type_ok = type && *type && strlen(type) <= 16;
	for (const char *t = type; type_ok && *t; t++)
		type_ok = (*t >= 'A' && *t <= 'Z') || (*t >= 'a' && *t <= 'z') || (*t >= '0' && *t <= '9');
	if (!skip && (!own || !type_ok))
		skip = "not a DNS name or type";
	else if (!skip && (ttl < 0 || ttl > 2147483647))
		skip = "a TTL outside 0..2147483647";
	else if (!skip && (!rdata || has_ctl(rdata)))
		skip = "a control character in the data";
	else if (!skip && strcasecmp(type, "SOA") == 0)
		skip = "the zone's SOA (IPAM keeps its own)";
	else if (!skip && strcasecmp(type, "NS") == 0 && strcasecmp(own, z->origin) == 0)
		skip = "the apex NS (the zone's name servers)";
	ipam_buf b = IPAM_BUF_INIT;
	int rc = ipam__buf_printf(&b, "%s %lld IN %s %s", own ? own : "?", ttl < 0 ? 0 : ttl,
				  type_ok ? type : "?", rdata && !has_ctl(rdata) ? rdata : "?");
	free(own);
	ipam__cdns_rec *r = &z->rec[z->n];
	r->text = b.ptr;
	r->skip = skip ? ipam__strdup(skip) : NULL;
	if (rc || !r->text || (skip && !r->skip)) {
		ipam_buf_dispose(&b);
		free(r->skip);
		return ipam__enomem();
	}
	z->n++;
	return 0;
}

void ipam__cdns_next_clear(ipam__cdns *c)
{
	for (size_t i = 0; i < 3; i++) {
		free(c->next[i]);
		c->next[i] = NULL;
	}
}

void ipam__cdns_dispose(ipam__cdns *c)
{
	for (size_t i = 0; i < c->n; i++) {
		for (size_t k = 0; k < c->z[i].n; k++) {
			free(c->z[i].rec[k].text);
			free(c->z[i].rec[k].skip);
		}
		free(c->z[i].rec);
		free(c->z[i].origin);
		free(c->z[i].id);
	}
	free(c->z);
	ipam__cdns_next_clear(c);
	memset(c, 0, sizeof *c);
}
