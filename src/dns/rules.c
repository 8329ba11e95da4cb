/* The rules a zone's content keeps: per record (ipam__dns_rr_check) and
 * for the whole zone (ipam__dns_zone_check). Every error names the place
 * (file:line or the zone) and the record. */
#include "dns/keys.h"

#include <stdio.h>
#include <stdlib.h>

/* ---- rules -------------------------------------------------------------------------- */

static const char *where_of(const ipam__dns_zone *z, size_t i, char *buf, size_t size)
{
	if (z->file && z->line && z->line[i])
		snprintf(buf, size, "%s:%u", z->file, z->line[i]);
	else
		ipam__dns_zone_where(z, buf, size);
	return buf;
}

static bool ldh(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
}

/* Each label of `name`: what may be in it. Returns the 1-based index of the
 * first bad label, 0 when all are good. host: RFC 1123 host name (LDH, no
 * '-' at either end), with a leading "*" label when `wild`. */
static size_t bad_label(const ldns_rdf *name, bool host, bool wild)
{
	const uint8_t *d = ldns_rdf_data(name);
	size_t size = ldns_rdf_size(name), li = 0;
	for (size_t i = 0; i < size && d[i]; i += (size_t)d[i] + 1, li++) {
		size_t len = d[i];
		const uint8_t *l = d + i + 1;
		if (i + 1 + len > size)
			return li + 1;
		if (li == 0 && len == 1 && l[0] == '*' && (wild || !host))
			continue;
		for (size_t j = 0; j < len; j++) {
			if (ldh(l[j]))
				continue;
			if (!host && (l[j] == '_' || l[j] == '/'))
				continue;
			return li + 1;
		}
		if (host && (l[0] == '-' || l[len - 1] == '-'))
			return li + 1;
	}
	return 0;
}

/* The messages below name the record; they are made only on failure
 * (checking a million records must not print a million labels). */
#define WH (where ? where : ipam__dns_zone_where(z, wbuf, sizeof wbuf))
#define RRL ipam__dns_rr_label(rr)

static int label_error(const ipam__dns_zone *z, const char *where, const ldns_rr *rr, const char *what,
		       const ldns_rdf *name, size_t li, bool host)
{
	char wbuf[300];
	ldns_rdf *lab = ldns_dname_label(name, (uint8_t)(li - 1));
	ipam_buf b = IPAM_BUF_INIT;
	if (lab)
		ipam__dns_name_put(&b, lab);
	ldns_rdf_deep_free(lab);
	int rc = ipam__error(IPAM_EINVAL, "%s: %s: %s label \"%.*s\" %s", WH, RRL, what,
			     b.size ? (int)b.size - 1 : 0, b.ptr ? b.ptr : "",
			     host ? "is not a host name label (letters, digits, inner '-')"
				  : "holds a character outside letters, digits, '-', '_', '/'");
	ipam_buf_dispose(&b);
	return rc;
}

static bool is_root(const ldns_rdf *n)
{
	return ldns_rdf_size(n) == 1 && ldns_rdf_data(n)[0] == 0;
}

static int check_target(const ipam__dns_zone *z, const char *where, const ldns_rr *rr, const ldns_rdf *f, bool host,
			bool root_ok)
{
	char wbuf[300];
	if (!f || ldns_rdf_get_type(f) != LDNS_RDF_TYPE_DNAME)
		return ipam__error(IPAM_EINVAL, "%s: %s: the target is not a name", WH, RRL);
	if (root_ok && is_root(f))
		return 0;
	size_t li = bad_label(f, host, false);
	if (li)
		return label_error(z, where, rr, "target", f, li, host);
	return 0;
}

int ipam__dns_rr_check(const ipam__dns_zone *z, const ldns_rr *rr, const char *where)
{
	char wbuf[300];
	const ldns_rdf *owner = ldns_rr_owner(rr);
	ldns_rr_type t = ldns_rr_get_type(rr);
	size_t n = ldns_rr_rd_count(rr);

	if (!owner || ldns_rdf_get_type(owner) != LDNS_RDF_TYPE_DNAME)
		return ipam__error(IPAM_EINVAL, "%s: a record without an owner name", WH);
	if (ldns_rr_get_class(rr) != LDNS_RR_CLASS_IN)
		return ipam__error(IPAM_EINVAL, "%s: %s: class %u, only IN is managed", WH, RRL,
				   (unsigned)ldns_rr_get_class(rr));
	if (ldns_rr_ttl(rr) > INT32_MAX)
		return ipam__error(IPAM_EINVAL, "%s: %s: TTL %u is above 2147483647", WH, RRL, ldns_rr_ttl(rr));
	if (ldns_dname_compare(owner, z->origin) != 0 && !ldns_dname_is_subdomain(owner, z->origin)) {
		ipam_buf o = IPAM_BUF_INIT;
		ipam__dns_name_put(&o, z->origin);
		int rc = ipam__error(IPAM_EINVAL, "%s: %s: the name is outside the zone %s", WH, RRL,
				     o.ptr ? o.ptr : "");
		ipam_buf_dispose(&o);
		return rc;
	}
	bool addr = t == LDNS_RR_TYPE_A || t == LDNS_RR_TYPE_AAAA;
	/* the labels of the owner below the origin (the origin's own are the
	 * zone's business) */
	size_t below = ldns_dname_label_count(owner) - ldns_dname_label_count(z->origin);
	size_t li = bad_label(owner, addr, true);
	if (li && li <= below)
		return label_error(z, where, rr, "owner", owner, li, addr);

	switch (t) {
	case LDNS_RR_TYPE_SOA:
		return ipam__error(IPAM_EINVAL, "%s: %s: the SOA is set as the zone's fields, not as a record", WH, RRL);
	case LDNS_RR_TYPE_A:
	case LDNS_RR_TYPE_AAAA: {
		size_t want = t == LDNS_RR_TYPE_A ? 4 : 16;
		const ldns_rdf *f = n == 1 ? ldns_rr_rdf(rr, 0) : NULL;
		if (!f || ldns_rdf_size(f) != want)
			return ipam__error(IPAM_EINVAL, "%s: %s: the rdata is not one %s address", WH, RRL,
					   t == LDNS_RR_TYPE_A ? "IPv4" : "IPv6");
		return 0;
	}
	case LDNS_RR_TYPE_NS:
	case LDNS_RR_TYPE_PTR:
		if (n != 1)
			return ipam__error(IPAM_EINVAL, "%s: %s: the rdata is not one host name", WH, RRL);
		return check_target(z, where, rr, ldns_rr_rdf(rr, 0), true, false);
	case LDNS_RR_TYPE_CNAME:
		if (n != 1)
			return ipam__error(IPAM_EINVAL, "%s: %s: the rdata is not one name", WH, RRL);
		if (ldns_dname_compare(owner, z->origin) == 0)
			return ipam__error(IPAM_EINVAL, "%s: %s: a CNAME at the zone apex (beside the SOA and NS)",
					   WH, RRL);
		/* RPZ uses "." and "*." and rpz-* targets: any name is allowed */
		return check_target(z, where, rr, ldns_rr_rdf(rr, 0), false, true);
	case LDNS_RR_TYPE_MX:
		if (n != 2 || ldns_rdf_size(ldns_rr_rdf(rr, 0)) != 2)
			return ipam__error(IPAM_EINVAL, "%s: %s: the rdata is not \"PREFERENCE HOST\"", WH, RRL);
		return check_target(z, where, rr, ldns_rr_rdf(rr, 1), true, true);
	case LDNS_RR_TYPE_TXT:
		if (n == 0)
			return ipam__error(IPAM_EINVAL, "%s: %s: no text", WH, RRL);
		for (size_t i = 0; i < n; i++)
			if (ldns_rdf_get_type(ldns_rr_rdf(rr, i)) != LDNS_RDF_TYPE_STR)
				return ipam__error(IPAM_EINVAL, "%s: %s: part %zu is not a character string", WH, RRL, i + 1);
		return 0;
	case LDNS_RR_TYPE_SRV: {
		if (n != 4)
			return ipam__error(IPAM_EINVAL, "%s: %s: the rdata is not \"PRIORITY WEIGHT PORT TARGET\"", WH, RRL);
		const uint8_t *d = ldns_rdf_data(owner);
		size_t s = ldns_rdf_size(owner);
		bool ok = s > 2 && d[0] > 1 && d[1] == '_';
		if (ok) {
			size_t second = (size_t)d[0] + 1;
			ok = second + 2 < s && d[second] > 1 && d[second + 1] == '_';
		}
		if (!ok)
			return ipam__error(IPAM_EINVAL, "%s: %s: an SRV owner is _service._proto.name", WH, RRL);
		return check_target(z, where, rr, ldns_rr_rdf(rr, 3), true, true);
	}
	case LDNS_RR_TYPE_CAA: {
		if (n != 3)
			return ipam__error(IPAM_EINVAL, "%s: %s: the rdata is not \"FLAGS TAG VALUE\"", WH, RRL);
		const ldns_rdf *fl = ldns_rr_rdf(rr, 0), *tag = ldns_rr_rdf(rr, 1);
		if (ldns_rdf_size(fl) != 1 || (ldns_rdf_data(fl)[0] & 0x7f) != 0)
			return ipam__error(IPAM_EINVAL, "%s: %s: flags must be 0 or 128", WH, RRL);
		const uint8_t *td = ldns_rdf_data(tag);
		size_t ts = ldns_rdf_size(tag);
		if (ts < 2 || td[0] != ts - 1 || td[0] > 15)
			return ipam__error(IPAM_EINVAL, "%s: %s: the tag must have 1 to 15 characters", WH, RRL);
		for (size_t i = 1; i < ts; i++)
			if (!((td[i] >= 'a' && td[i] <= 'z') || (td[i] >= 'A' && td[i] <= 'Z') || (td[i] >= '0' && td[i] <= '9')))
				return ipam__error(IPAM_EINVAL, "%s: %s: the tag holds a character other than letters and digits",
						   WH, RRL);
		return 0;
	}
	default: {
		if (n == 0 && t != LDNS_RR_TYPE_NULL)
			return ipam__error(IPAM_EINVAL, "%s: %s: empty rdata", WH, RRL);
		/* other types are written by ldns's printer: take only what it
		 * writes back to the same record (the fuzzer found rdata given
		 * as \# that is shorter than the type's fields, e.g. a CDNSKEY
		 * of 3 bytes, which ldns prints as "258 3" and cannot read) */
		const ldns_rr_descriptor *d = ldns_rr_descript((uint16_t)t);
		bool ok = !d || !d->_name || n >= ldns_rr_descriptor_minimum(d);
		if (ok) {
			char *text = ldns_rr2str(rr);
			ldns_rr *back = NULL;
			ok = text && ldns_rr_new_frm_str(&back, text, 0, NULL, NULL) == LDNS_STATUS_OK && back &&
			     ldns_rr_compare(rr, back) == 0;
			ldns_rr_free(back);
			free(text);
		}
		if (!ok)
			return ipam__error(IPAM_EINVAL, "%s: %s: the rdata is incomplete for its type", WH, RRL);
		return 0;
	}
	}
}

#undef WH
#undef RRL

int ipam__dns_zone_check(ipam__dns_zone *z)
{
	char where[300];
	ipam_buf o = IPAM_BUF_INIT;
	int rc = ipam__dns_zone_sort(z);
	if (rc)
		return rc;
	if (!z->mname || !z->rname) {
		ipam__dns_name_put(&o, z->origin);
		rc = ipam__error(IPAM_EINVAL, "%s: zone %s has no SOA mname/rname", z->file ? z->file : "zone",
				 o.ptr ? o.ptr : "");
		ipam_buf_dispose(&o);
		return rc;
	}
	const zkeys *ks = z->keys;
	bool apex_ns = false;
	for (size_t i = 0; i < z->n;) {
		/* one owner name: [i, j) */
		size_t j = i + 1;
		while (j < z->n && ks->k[j].namelen == ks->k[i].namelen &&
		       memcmp(ks->k[j].p, ks->k[i].p, ks->k[i].namelen) == 0)
			j++;
		size_t cname = SIZE_MAX, other = SIZE_MAX;
		for (size_t k = i; k < j; k++) {
			ldns_rr_type t = ldns_rr_get_type(z->rr[k]);
			if (t == LDNS_RR_TYPE_CNAME) {
				if (cname != SIZE_MAX)
					return ipam__error(IPAM_EINVAL, "%s: %s: a second CNAME at the same name", where_of(z, k, where, sizeof where),
							   ipam__dns_rr_label(z->rr[k]));
				cname = k;
			} else if (t != LDNS_RR_TYPE_RRSIG && t != LDNS_RR_TYPE_NSEC && t != LDNS_RR_TYPE_NSEC3) {
				if (other == SIZE_MAX)
					other = k;
			}
			if (t == LDNS_RR_TYPE_NS && ldns_dname_compare(ldns_rr_owner(z->rr[k]), z->origin) == 0)
				apex_ns = true;
			/* one TTL per RRset */
			if (k > i && ldns_rr_get_type(z->rr[k - 1]) == t && ldns_rr_ttl(z->rr[k - 1]) != ldns_rr_ttl(z->rr[k])) {
				char lab[300];
				snprintf(lab, sizeof lab, "%s", ipam__dns_rr_label(z->rr[k]));
				return ipam__error(IPAM_EINVAL, "%s: %s: TTL %u differs from %u of the same RRset", where_of(z, k, where, sizeof where),
						   lab, ldns_rr_ttl(z->rr[k]), ldns_rr_ttl(z->rr[k - 1]));
			}
		}
		if (cname != SIZE_MAX && other != SIZE_MAX) {
			char other_where[300], lab[300];
			size_t late = z->line[cname] >= z->line[other] ? cname : other;
			size_t early = late == cname ? other : cname;
			snprintf(lab, sizeof lab, "%s", ipam__dns_rr_label(z->rr[late]));
			if (z->line[early])
				snprintf(other_where, sizeof other_where, " at line %u", z->line[early]);
			else
				other_where[0] = '\0';
			return ipam__error(IPAM_EINVAL, "%s: %s: CNAME beside other data (%s%s)", where_of(z, late, where, sizeof where), lab,
					   ipam__dns_type_name(ldns_rr_get_type(z->rr[early]), (char[16]){ 0 }), other_where);
		}
		i = j;
	}
	if (!apex_ns) {
		ipam__dns_name_put(&o, z->origin);
		rc = ipam__error(IPAM_EINVAL, "%s: zone %s has no NS record at its apex", z->file ? z->file : "zone",
				 o.ptr ? o.ptr : "");
		ipam_buf_dispose(&o);
		return rc;
	}
	return 0;
}

