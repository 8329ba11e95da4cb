/* Zone content: a zone, its records, adding and removing them. The order
 * and lookups are in keys.c, the rules in rules.c. */
#include "dns/keys.h"

#include <stdio.h>
#include <stdlib.h>

/* ---- the zone ------------------------------------------------------------------- */

/* "zone example.com." (or the file name) for messages. */
const char *ipam__dns_zone_where(const ipam__dns_zone *z, char *buf, size_t size)
{
	if (z->file) {
		snprintf(buf, size, "%s", z->file);
		return buf;
	}
	ipam_buf b = IPAM_BUF_INIT;
	if (ipam__dns_name_put(&b, z->origin) == 0)
		snprintf(buf, size, "zone %s", b.ptr);
	else
		snprintf(buf, size, "zone");
	ipam_buf_dispose(&b);
	return buf;
}

static int name_from_text(ldns_rdf **out, const char *text, const ldns_rdf *origin, const char *what)
{
	*out = NULL;
	if (!text || !*text)
		return ipam__error(IPAM_EINVAL, "%s: empty name", what);
	if (strcmp(text, "@") == 0 && origin) {
		*out = ldns_rdf_clone(origin);
		return *out ? 0 : ipam__enomem();
	}
	ldns_rdf *d = NULL;
	ldns_status st = ldns_str2rdf_dname(&d, text);
	if (st != LDNS_STATUS_OK || !d)
		return ipam__error(IPAM_EINVAL, "%s: bad name \"%s\": %s", what, text, ldns_get_errorstr_by_id(st));
	size_t tl = strlen(text);
	bool absolute = tl && text[tl - 1] == '.' && (tl < 2 || text[tl - 2] != '\\');
	if (!absolute) {
		if (!origin) {
			ldns_rdf_deep_free(d);
			return ipam__error(IPAM_EINVAL, "%s: name \"%s\" is relative and there is no origin", what, text);
		}
		if (ldns_dname_cat(d, origin) != LDNS_STATUS_OK) {
			ldns_rdf_deep_free(d);
			return ipam__error(IPAM_EINVAL, "%s: name \"%s\" is too long below the origin", what, text);
		}
	}
	*out = d;
	return 0;
}

int ipam__dns_zone_new(ipam__dns_zone **out, const char *origin)
{
	*out = NULL;
	if (!origin || !*origin)
		return ipam__error(IPAM_EINVAL, "zone origin: empty");
	ipam__dns_zone *z = calloc(1, sizeof *z);
	if (!z)
		return ipam__enomem();
	ldns_status st = ldns_str2rdf_dname(&z->origin, origin);
	if (st != LDNS_STATUS_OK || !z->origin) {
		ipam__dns_zone_free(z);
		return ipam__error(IPAM_EINVAL, "zone origin \"%s\": %s", origin, ldns_get_errorstr_by_id(st));
	}
	if (!ldns_dname_absolute(z->origin)) {
		ldns_rdf *root = ldns_dname_new_frm_str(".");
		if (!root || ldns_dname_cat(z->origin, root) != LDNS_STATUS_OK) {
			ldns_rdf_deep_free(root);
			ipam__dns_zone_free(z);
			return ipam__error(IPAM_EINVAL, "zone origin \"%s\": too long", origin);
		}
		ldns_rdf_deep_free(root);
	}
	if (ldns_dname_label_count(z->origin) == 0) {
		ipam__dns_zone_free(z);
		return ipam__error(IPAM_EINVAL, "zone origin: the root zone is not managed here");
	}
	ldns_dname2canonical(z->origin);
	z->serial = 1;
	z->refresh = 3600;
	z->retry = 900;
	z->expire = 1209600;
	z->minimum = 300;
	z->ttl = 3600;
	*out = z;
	return 0;
}

void ipam__dns_zone_free(ipam__dns_zone *z)
{
	if (!z)
		return;
	for (size_t i = 0; i < z->n; i++)
		ldns_rr_free(z->rr[i]);
	free(z->rr);
	free(z->line);
	ipam__dns_keys_free(z);
	ldns_rdf_deep_free(z->origin);
	ldns_rdf_deep_free(z->mname);
	ldns_rdf_deep_free(z->rname);
	free(z->file);
	free(z);
}

static int grow(ipam__dns_zone *z, size_t need)
{
	if (need <= z->cap)
		return 0;
	size_t cap = z->cap ? z->cap : 64;
	while (cap < need)
		cap *= 2;
	ldns_rr **rr = realloc(z->rr, cap * sizeof *rr);
	if (!rr)
		return ipam__enomem();
	z->rr = rr;
	uint32_t *line = realloc(z->line, cap * sizeof *line);
	if (!line)
		return ipam__enomem();
	z->line = line;
	z->cap = cap;
	return 0;
}

int ipam__dns_zone_clone(ipam__dns_zone **out, const ipam__dns_zone *z)
{
	*out = NULL;
	ipam__dns_zone *c = calloc(1, sizeof *c);
	if (!c)
		return ipam__enomem();
	c->origin = ldns_rdf_clone(z->origin);
	c->mname = z->mname ? ldns_rdf_clone(z->mname) : NULL;
	c->rname = z->rname ? ldns_rdf_clone(z->rname) : NULL;
	c->serial = z->serial;
	c->refresh = z->refresh;
	c->retry = z->retry;
	c->expire = z->expire;
	c->minimum = z->minimum;
	c->ttl = z->ttl;
	if (!c->origin || (z->mname && !c->mname) || (z->rname && !c->rname) || (z->file && !(c->file = ipam__strdup(z->file))) ||
	    grow(c, z->n)) {
		ipam__dns_zone_free(c);
		return ipam__enomem();
	}
	for (size_t i = 0; i < z->n; i++) {
		c->rr[i] = ldns_rr_clone(z->rr[i]);
		if (!c->rr[i]) {
			ipam__dns_zone_free(c);
			return ipam__enomem();
		}
		c->line[i] = z->line[i];
		c->n++;
	}
	if (z->sorted && ipam__dns_zone_sort(c)) {
		ipam__dns_zone_free(c);
		return IPAM_ENOMEM;
	}
	*out = c;
	return 0;
}

int ipam__dns_zone_set_soa(ipam__dns_zone *z, const char *mname, const char *rname, uint32_t serial,
			   uint32_t refresh, uint32_t retry, uint32_t expire, uint32_t minimum)
{
	ldns_rdf *m = NULL, *r = NULL;
	int rc = name_from_text(&m, mname, z->origin, "SOA mname");
	if (!rc)
		rc = name_from_text(&r, rname, z->origin, "SOA rname");
	if (rc) {
		ldns_rdf_deep_free(m);
		return rc;
	}
	ldns_rdf_deep_free(z->mname);
	ldns_rdf_deep_free(z->rname);
	z->mname = m;
	z->rname = r;
	z->serial = serial;
	z->refresh = refresh;
	z->retry = retry;
	z->expire = expire;
	z->minimum = minimum;
	return 0;
}

int ipam__dns_zone_add_rr(ipam__dns_zone *z, ldns_rr *rr, uint32_t line, const char *where)
{
	int rc = ipam__dns_rr_check(z, rr, where);
	if (rc) {
		ldns_rr_free(rr);
		return rc;
	}
	return ipam__dns_zone_add_raw(z, rr, line);
}

int ipam__dns_zone_add_raw(ipam__dns_zone *z, ldns_rr *rr, uint32_t line)
{
	/* the one rule that holds even for a server's records: rendering and
	 * the sort keys count on every owner being inside the zone */
	const ldns_rdf *owner = ldns_rr_owner(rr);
	if (!owner || ldns_rdf_get_type(owner) != LDNS_RDF_TYPE_DNAME ||
	    (ldns_dname_compare(owner, z->origin) != 0 && !ldns_dname_is_subdomain(owner, z->origin))) {
		char wbuf[300], lab[1100];
		snprintf(lab, sizeof lab, "%s", ipam__dns_rr_label(rr));
		ldns_rr_free(rr);
		return ipam__error(IPAM_EINVAL, "%s: %s: the name is outside the zone", ipam__dns_zone_where(z, wbuf, sizeof wbuf), lab);
	}
	int rc = grow(z, z->n + 1);
	if (rc) {
		ldns_rr_free(rr);
		return rc;
	}
	if (z->keys)
		ipam__dns_keys_free(z);
	z->sorted = false;
	z->rr[z->n] = rr;
	z->line[z->n] = line;
	z->n++;
	return 0;
}

int ipam__dns_zone_add(ipam__dns_zone *z, const char *rr_text, const char *where)
{
	char wbuf[300];
	if (!where)
		where = ipam__dns_zone_where(z, wbuf, sizeof wbuf);
	if (!rr_text)
		return ipam__error(IPAM_EINVAL, "%s: no record", where);
	ldns_rr *rr = NULL;
	ldns_rdf *prev = NULL;
	ldns_status st = ldns_rr_new_frm_str(&rr, rr_text, z->ttl, z->origin, &prev);
	ldns_rdf_deep_free(prev);
	if (st != LDNS_STATUS_OK || !rr) {
		ldns_rr_free(rr);
		return ipam__error(IPAM_EINVAL, "%s: \"%s\": %s", where, rr_text, ldns_get_errorstr_by_id(st));
	}
	return ipam__dns_zone_add_rr(z, rr, 0, where);
}

int ipam__dns_zone_add_ns(ipam__dns_zone *z, const char *host)
{
	ldns_rdf *target = NULL;
	int rc = name_from_text(&target, host, z->origin, "NS");
	if (rc)
		return rc;
	ldns_rr *rr = ldns_rr_new_frm_type(LDNS_RR_TYPE_NS);
	ldns_rdf *owner = ldns_rdf_clone(z->origin);
	if (!rr || !owner) {
		ldns_rr_free(rr);
		ldns_rdf_deep_free(owner);
		ldns_rdf_deep_free(target);
		return ipam__enomem();
	}
	ldns_rr_set_owner(rr, owner);
	ldns_rr_set_ttl(rr, z->ttl);
	ldns_rr_set_class(rr, LDNS_RR_CLASS_IN);
	ldns_rr_set_rdf(rr, target, 0);
	return ipam__dns_zone_add_rr(z, rr, 0, NULL);
}

size_t ipam__dns_zone_remove(ipam__dns_zone *z, const ldns_rdf *owner, ldns_rr_type type)
{
	size_t k = 0, gone = 0;
	for (size_t i = 0; i < z->n; i++) {
		ldns_rr *rr = z->rr[i];
		if (ldns_dname_compare(ldns_rr_owner(rr), owner) == 0 && (type == 0 || ldns_rr_get_type(rr) == type)) {
			ldns_rr_free(rr);
			gone++;
			continue;
		}
		z->rr[k] = rr;
		z->line[k] = z->line[i];
		k++;
	}
	z->n = k;
	if (gone && z->keys) {
		/* order is kept; the keys are not */
		bool was = z->sorted;
		ipam__dns_keys_free(z);
		if (was)
			ipam__dns_zone_sort(z);
	}
	return gone;
}

