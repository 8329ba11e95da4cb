/* Reading zone files back into the content model, with ldns's zone file
 * reader (directives, parentheses, relative names), one RR at a time so that
 * every error names its line. */
#include "dns/dns.h"

#include <stdio.h>
#include <stdlib.h>

static int soa_fields(ipam__dns_zone *z, const ldns_rr *soa, const char *where)
{
	if (ldns_rr_rd_count(soa) != 7)
		return ipam__error(IPAM_EINVAL, "%s: the SOA does not have 7 fields", where);
	uint32_t v[5];
	for (size_t i = 0; i < 5; i++) {
		const ldns_rdf *f = ldns_rr_rdf(soa, i + 2);
		if (ldns_rdf_size(f) != 4)
			return ipam__error(IPAM_EINVAL, "%s: SOA field %zu is not a 32-bit number", where, i + 3);
		v[i] = ldns_rdf2native_int32(f);
	}
	ldns_rdf *m = ldns_rdf_clone(ldns_rr_rdf(soa, 0)), *r = ldns_rdf_clone(ldns_rr_rdf(soa, 1));
	if (!m || !r) {
		ldns_rdf_deep_free(m);
		ldns_rdf_deep_free(r);
		return ipam__enomem();
	}
	if (ldns_rdf_get_type(m) != LDNS_RDF_TYPE_DNAME || ldns_rdf_get_type(r) != LDNS_RDF_TYPE_DNAME ||
	    !ldns_dname_absolute(m) || !ldns_dname_absolute(r)) {
		ldns_rdf_deep_free(m);
		ldns_rdf_deep_free(r);
		return ipam__error(IPAM_EINVAL, "%s: the SOA's mname/rname are not absolute names", where);
	}
	ldns_rdf_deep_free(z->mname);
	ldns_rdf_deep_free(z->rname);
	z->mname = m;
	z->rname = r;
	z->serial = v[0];
	z->refresh = v[1];
	z->retry = v[2];
	z->expire = v[3];
	z->minimum = v[4];
	return 0;
}

/* The zone, made at the first record: its origin is the caller's, else the
 * file's $ORIGIN, else the SOA's owner. */
static int make_zone(ipam__dns_zone **z, const char *origin, const ldns_rdf *cur_origin, const ldns_rr *rr,
		     const char *file, const char *where)
{
	ipam_buf b = IPAM_BUF_INIT;
	int rc;
	if (origin) {
		rc = ipam__dns_zone_new(z, origin);
	} else {
		const ldns_rdf *o = cur_origin;
		if (!o && ldns_rr_get_type(rr) == LDNS_RR_TYPE_SOA)
			o = ldns_rr_owner(rr);
		if (!o || !ldns_dname_absolute(o))
			return ipam__error(IPAM_EINVAL, "%s: the origin is unknown: start with $ORIGIN or the SOA", where);
		rc = ipam__dns_name_put(&b, o);
		if (!rc)
			rc = ipam__dns_zone_new(z, b.ptr);
		ipam_buf_dispose(&b);
	}
	if (rc) {
		char m[600];
		snprintf(m, sizeof m, "%s", ipam_error_last()->message);
		return rc == IPAM_ENOMEM ? rc : ipam__error(rc, "%s: %s", where, m);
	}
	if (!((*z)->file = ipam__strdup(file)))
		return IPAM_ENOMEM;
	return 0;
}

int ipam__dns_zone_parse(ipam__dns_zone **out, const char *text, size_t len, const char *origin, const char *file)
{
	*out = NULL;
	if (!file)
		file = "zone file";
	if (!text || len == 0)
		return ipam__error(IPAM_EINVAL, "%s: empty", file);
	/* a zone file is text: ldns's tokenizer ends a token at a NUL and
	 * then reads the rest of the line as something else */
	const char *nul = memchr(text, '\0', len);
	if (nul) {
		size_t line = 1;
		for (const char *p = text; p < nul; p++)
			line += *p == '\n';
		return ipam__error(IPAM_EINVAL, "%s:%zu: a NUL byte (a zone file is text)", file, line);
	}
	/* fmemopen reads exactly `len` bytes of a private copy */
	char *copy = malloc(len);
	if (!copy)
		return ipam__enomem();
	memcpy(copy, text, len);
	FILE *fp = fmemopen(copy, len, "r");
	if (!fp) {
		free(copy);
		return ipam__error(IPAM_EIO, "%s: cannot open the text", file);
	}
	ldns_rdf *cur_origin = NULL, *prev = NULL;
	if (origin) {
		ldns_status st = ldns_str2rdf_dname(&cur_origin, origin);
		if (st != LDNS_STATUS_OK) {
			fclose(fp);
			free(copy);
			return ipam__error(IPAM_EINVAL, "%s: bad origin \"%s\"", file, origin);
		}
		if (!ldns_dname_absolute(cur_origin)) {
			ldns_rdf *root = ldns_dname_new_frm_str(".");
			ldns_status cs = root ? ldns_dname_cat(cur_origin, root) : LDNS_STATUS_MEM_ERR;
			ldns_rdf_deep_free(root);
			if (cs != LDNS_STATUS_OK) {
				ldns_rdf_deep_free(cur_origin);
				fclose(fp);
				free(copy);
				return ipam__error(IPAM_EINVAL, "%s: bad origin \"%s\"", file, origin);
			}
		}
	}
	uint32_t ttl = 3600;
	bool have_ttl = false;
	int line = 0, rc = 0, soas = 0;
	ipam__dns_zone *z = NULL;
	char where[512];

	while (!rc && !feof(fp)) {
		int start = line + 1;
		ldns_rr *rr = NULL;
		ldns_status st = ldns_rr_new_frm_fp_l(&rr, fp, &ttl, &cur_origin, &prev, &line);
		snprintf(where, sizeof where, "%s:%d", file, start);
		switch (st) {
		case LDNS_STATUS_OK:
			break;
		case LDNS_STATUS_SYNTAX_EMPTY:
			continue;
		case LDNS_STATUS_SYNTAX_TTL:
			have_ttl = true;
			continue;
		case LDNS_STATUS_SYNTAX_ORIGIN:
			continue;
		case LDNS_STATUS_SYNTAX_INCLUDE:
			rc = ipam__error(IPAM_EINVAL, "%s: $INCLUDE is not read (give the whole zone in one text)", where);
			continue;
		default:
			ldns_rr_free(rr);
			snprintf(where, sizeof where, "%s:%d", file, line > start ? line : start);
			rc = ipam__error(IPAM_EINVAL, "%s: %s", where, ldns_get_errorstr_by_id(st));
			continue;
		}
		if (!rr)
			continue;
		if (!ldns_dname_absolute(ldns_rr_owner(rr))) {
			ldns_rr_free(rr);
			rc = ipam__error(IPAM_EINVAL, "%s: a relative name and no $ORIGIN", where);
			continue;
		}
		if (!z && (rc = make_zone(&z, origin, cur_origin, rr, file, where))) {
			ldns_rr_free(rr);
			continue;
		}
		if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_SOA) {
			if (++soas > 1)
				rc = ipam__error(IPAM_EINVAL, "%s: a second SOA", where);
			else if (ldns_dname_compare(ldns_rr_owner(rr), z->origin) != 0)
				rc = ipam__error(IPAM_EINVAL, "%s: the SOA is not at the zone's origin", where);
			else if (ldns_rr_get_class(rr) != LDNS_RR_CLASS_IN)
				rc = ipam__error(IPAM_EINVAL, "%s: the SOA's class is not IN", where);
			else if (!(rc = soa_fields(z, rr, where)) && !have_ttl)
				z->ttl = ldns_rr_ttl(rr);
			ldns_rr_free(rr);
			continue;
		}
		rc = ipam__dns_zone_add_rr(z, rr, (uint32_t)start, where);
	}
	fclose(fp);
	free(copy);
	ldns_rdf_deep_free(prev);
	if (!rc && z && have_ttl)
		z->ttl = ttl;
	ldns_rdf_deep_free(cur_origin);
	if (!rc && !z)
		rc = ipam__error(IPAM_EINVAL, "%s: no records", file);
	if (!rc && soas == 0)
		rc = ipam__error(IPAM_EINVAL, "%s: no SOA", file);
	if (!rc)
		rc = ipam__dns_zone_check(z);
	if (rc) {
		ipam__dns_zone_free(z);
		return rc;
	}
	*out = z;
	return 0;
}
