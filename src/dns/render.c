/* Text out: names and records in presentation format, zone files, named.conf
 * stanzas, Corefiles.
 *
 * Records are printed here from the ldns_rdf bytes rather than through
 * ldns_rr2str: ldns's printer goes through an ldns_buffer per call, a
 * descriptor lookup and printf per field, which holds a million-record zone
 * to several seconds. The common types (A, AAAA, NS, CNAME, PTR, MX, TXT,
 * SRV, CAA) have a direct path; every other type uses ldns_rdf2buffer_str.
 * Both write the same presentation format (tests compare them). */
#include "dns/dns.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>

/* Room for `need` more bytes (plus the NUL) in an ipam_buf. */
static int reserve(ipam_buf *b, size_t need)
{
	if (b->asize >= b->size + need + 1)
		return 0;
	size_t n = b->asize ? b->asize : 256;
	while (n < b->size + need + 1)
		n *= 2;
	char *p = realloc(b->asize ? b->ptr : NULL, n);
	if (!p)
		return ipam__enomem();
	if (!b->asize && b->size)
		memcpy(p, b->ptr, b->size);
	b->ptr = p;
	b->asize = n;
	return 0;
}

static char *label_text(char *o, const uint8_t *l, size_t len)
{
	for (size_t j = 0; j < len; j++) {
		uint8_t c = l[j];
		if (c == '.' || c == '\\' || c == '"' || c == ';' || c == '(' || c == ')' || c == '@' || c == '$') {
			*o++ = '\\';
			*o++ = (char)c;
		} else if (c < 0x21 || c > 0x7e) {
			*o++ = '\\';
			*o++ = (char)('0' + c / 100);
			*o++ = (char)('0' + c / 10 % 10);
			*o++ = (char)('0' + c % 10);
		} else {
			*o++ = (char)c;
		}
	}
	return o;
}

/* The labels of `name` that start before byte `stop` of its wire form (all
 * when SIZE_MAX, then with the final dot). At most 4 * size + 2 bytes. */
static char *name_text(char *o, const ldns_rdf *name, size_t stop)
{
	const uint8_t *d = ldns_rdf_data(name);
	size_t size = ldns_rdf_size(name);
	if (size == 0 || d[0] == 0) {
		*o++ = '.';
		return o;
	}
	for (size_t i = 0; i < size && d[i] && i < stop; i += (size_t)d[i] + 1) {
		size_t len = d[i];
		if (i + 1 + len > size)
			len = size - i - 1;
		if (i)
			*o++ = '.';
		o = label_text(o, d + i + 1, len);
	}
	if (stop == SIZE_MAX)
		*o++ = '.';
	return o;
}

int ipam__dns_name_put(ipam_buf *out, const ldns_rdf *name)
{
	if (reserve(out, 4 * ldns_rdf_size(name) + 2))
		return IPAM_ENOMEM;
	char *e = name_text(out->ptr + out->size, name, SIZE_MAX);
	out->size = (size_t)(e - out->ptr);
	out->ptr[out->size] = '\0';
	return 0;
}

const char *ipam__dns_type_name(ldns_rr_type t, char tmp[16])
{
	const ldns_rr_descriptor *d = ldns_rr_descript((uint16_t)t);
	if (d && d->_name)
		return d->_name;
	snprintf(tmp, 16, "TYPE%u", (unsigned)t);
	return tmp;
}

const char *ipam__dns_rr_label(const ldns_rr *rr)
{
	static _Thread_local char lab[1100];
	char tmp[16];
	if (!rr) {
		lab[0] = '\0';
		return lab;
	}
	char o[1030];
	char *e = ldns_rr_owner(rr) && ldns_rdf_size(ldns_rr_owner(rr)) <= 256 ? name_text(o, ldns_rr_owner(rr), SIZE_MAX) : o;
	*e = '\0';
	snprintf(lab, sizeof lab, "%s %s", o, ipam__dns_type_name(ldns_rr_get_type(rr), tmp));
	return lab;
}

static char *put_u(char *o, unsigned long v)
{
	char t[24];
	int n = 0;
	do {
		t[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		*o++ = t[--n];
	return o;
}

static char *put_s(char *o, const char *s)
{
	size_t n = strlen(s);
	memcpy(o, s, n);
	return o + n;
}

static char *quoted(char *o, const uint8_t *d, size_t n)
{
	*o++ = '"';
	for (size_t j = 0; j < n; j++) {
		uint8_t c = d[j];
		if (c == '"' || c == '\\') {
			*o++ = '\\';
			*o++ = (char)c;
		} else if ((c < 0x20 && c != '\t') || c > 0x7e) {
			/* a tab stays as it is, as ldns prints it */
			*o++ = '\\';
			*o++ = (char)('0' + c / 100);
			*o++ = (char)('0' + c / 10 % 10);
			*o++ = (char)('0' + c % 10);
		} else {
			*o++ = (char)c;
		}
	}
	*o++ = '"';
	return o;
}

static unsigned u16(const ldns_rdf *f)
{
	const uint8_t *d = ldns_rdf_data(f);
	return (unsigned)d[0] << 8 | d[1];
}

/* The rdata by the direct path; NULL when the type (or this RR's shape)
 * has none, so the caller uses ldns. */
static char *rdata_fast(char *o, const ldns_rr *rr)
{
	size_t n = ldns_rr_rd_count(rr);
	const ldns_rdf *f0 = n ? ldns_rr_rdf(rr, 0) : NULL;
	switch (ldns_rr_get_type(rr)) {
	case LDNS_RR_TYPE_A:
		if (n != 1 || ldns_rdf_size(f0) != 4)
			return NULL;
		for (int i = 0; i < 4; i++) {
			if (i)
				*o++ = '.';
			o = put_u(o, ldns_rdf_data(f0)[i]);
		}
		return o;
	case LDNS_RR_TYPE_AAAA:
		if (n != 1 || ldns_rdf_size(f0) != 16 || !inet_ntop(AF_INET6, ldns_rdf_data(f0), o, 64))
			return NULL;
		return o + strlen(o);
	case LDNS_RR_TYPE_NS:
	case LDNS_RR_TYPE_CNAME:
	case LDNS_RR_TYPE_PTR:
		if (n != 1 || ldns_rdf_get_type(f0) != LDNS_RDF_TYPE_DNAME)
			return NULL;
		return name_text(o, f0, SIZE_MAX);
	case LDNS_RR_TYPE_MX:
		if (n != 2 || ldns_rdf_size(f0) != 2 || ldns_rdf_get_type(ldns_rr_rdf(rr, 1)) != LDNS_RDF_TYPE_DNAME)
			return NULL;
		o = put_u(o, u16(f0));
		*o++ = ' ';
		return name_text(o, ldns_rr_rdf(rr, 1), SIZE_MAX);
	case LDNS_RR_TYPE_SRV:
		if (n != 4 || ldns_rdf_get_type(ldns_rr_rdf(rr, 3)) != LDNS_RDF_TYPE_DNAME)
			return NULL;
		for (int i = 0; i < 3; i++) {
			if (ldns_rdf_size(ldns_rr_rdf(rr, (size_t)i)) != 2)
				return NULL;
			o = put_u(o, u16(ldns_rr_rdf(rr, (size_t)i)));
			*o++ = ' ';
		}
		return name_text(o, ldns_rr_rdf(rr, 3), SIZE_MAX);
	case LDNS_RR_TYPE_TXT:
		for (size_t i = 0; i < n; i++) {
			const ldns_rdf *f = ldns_rr_rdf(rr, i);
			const uint8_t *d = ldns_rdf_data(f);
			if (ldns_rdf_get_type(f) != LDNS_RDF_TYPE_STR || ldns_rdf_size(f) < 1 || d[0] != ldns_rdf_size(f) - 1)
				return NULL;
			if (i)
				*o++ = ' ';
			o = quoted(o, d + 1, d[0]);
		}
		return n ? o : NULL;
	case LDNS_RR_TYPE_CAA: {
		if (n != 3)
			return NULL;
		const ldns_rdf *tag = ldns_rr_rdf(rr, 1), *val = ldns_rr_rdf(rr, 2);
		const uint8_t *td = ldns_rdf_data(tag);
		if (ldns_rdf_size(f0) != 1 || ldns_rdf_size(tag) < 2 || td[0] != ldns_rdf_size(tag) - 1)
			return NULL;
		o = put_u(o, ldns_rdf_data(f0)[0]);
		*o++ = ' ';
		memcpy(o, td + 1, td[0]);
		o += td[0];
		*o++ = ' ';
		return quoted(o, ldns_rdf_data(val), ldns_rdf_size(val));
	}
	default:
		return NULL;
	}
}

static size_t rr_max(const ldns_rr *rr)
{
	size_t m = 4 * ldns_rdf_size(ldns_rr_owner(rr)) + 64;
	for (size_t i = 0; i < ldns_rr_rd_count(rr); i++)
		m += 4 * ldns_rdf_size(ldns_rr_rdf(rr, i)) + 80;
	return m;
}

/* One line: owner (relative to `origin` when given), TTL, class, type,
 * rdata, newline. */
static int rr_line(ipam_buf *out, const ldns_rr *rr, const ldns_rdf *origin, ldns_buffer *scratch)
{
	if (reserve(out, rr_max(rr)))
		return IPAM_ENOMEM;
	char *o = out->ptr + out->size;
	const ldns_rdf *owner = ldns_rr_owner(rr);
	if (origin) {
		/* the owner is the origin or below it (checked when added): its
		 * own labels are the bytes before the origin's */
		size_t os = ldns_rdf_size(owner), zs = ldns_rdf_size(origin);
		if (os <= zs)
			*o++ = '@';
		else
			o = name_text(o, owner, os - zs);
	} else {
		o = name_text(o, owner, SIZE_MAX);
	}
	*o++ = '\t';
	o = put_u(o, ldns_rr_ttl(rr));
	o = put_s(o, "\tIN\t");
	char tmp[16];
	o = put_s(o, ipam__dns_type_name(ldns_rr_get_type(rr), tmp));
	*o++ = '\t';
	char *e = rdata_fast(o, rr);
	if (!e) {
		/* ldns's printer, one rdf at a time */
		out->size = (size_t)(o - out->ptr);
		for (size_t i = 0; i < ldns_rr_rd_count(rr); i++) {
			ldns_buffer_clear(scratch);
			if (ldns_rdf2buffer_str(scratch, ldns_rr_rdf(rr, i)) != LDNS_STATUS_OK)
				return ipam__error(IPAM_EINVAL, "%s: rdata field %zu cannot be printed", ipam__dns_rr_label(rr), i + 1);
			size_t len = ldns_buffer_position(scratch);
			if ((i && ipam__buf_put(out, " ", 1)) || ipam__buf_put(out, (const char *)ldns_buffer_begin(scratch), len))
				return IPAM_ENOMEM;
		}
		if (reserve(out, 2))
			return IPAM_ENOMEM;
		e = out->ptr + out->size;
	}
	*e++ = '\n';
	out->size = (size_t)(e - out->ptr);
	out->ptr[out->size] = '\0';
	return 0;
}

int ipam__dns_rr_put(ipam_buf *out, const ldns_rr *rr, const ldns_rdf *origin)
{
	ldns_buffer *scratch = ldns_buffer_new(256);
	if (!scratch)
		return ipam__enomem();
	int rc = rr_line(out, rr, origin, scratch);
	ldns_buffer_free(scratch);
	return rc;
}

int ipam__dns_render_zone(ipam_buf *out, ipam__dns_zone *z)
{
	int rc = ipam__dns_zone_check(z);
	if (rc)
		return rc;
	size_t before = out->size;
	ldns_buffer *scratch = ldns_buffer_new(256);
	if (!scratch)
		return ipam__enomem();
	/* about 40 bytes a record: one allocation, not twenty doublings */
	if ((rc = reserve(out, 64 + 40 * z->n))) {
		ldns_buffer_free(scratch);
		return rc;
	}
	rc = ipam__buf_put(out, "$ORIGIN ", 8);
	if (!rc)
		rc = ipam__dns_name_put(out, z->origin);
	if (!rc)
		rc = ipam__buf_printf(out, "\n$TTL %u\n@\t%u\tIN\tSOA\t", z->ttl, z->ttl);
	if (!rc)
		rc = ipam__dns_name_put(out, z->mname);
	if (!rc)
		rc = ipam__buf_put(out, " ", 1);
	if (!rc)
		rc = ipam__dns_name_put(out, z->rname);
	if (!rc)
		rc = ipam__buf_printf(out, " %u %u %u %u %u\n", z->serial, z->refresh, z->retry, z->expire, z->minimum);
	for (size_t i = 0; !rc && i < z->n; i++) {
		rc = rr_line(out, z->rr[i], z->origin, scratch);
	}
	ldns_buffer_free(scratch);
	if (rc && out->ptr) {
		out->size = before;
		out->ptr[before] = '\0';
	}
	return rc;
}

/* ---- server configuration ---------------------------------------------------------- */

static int conf_check(const ipam__dns_conf_zone *zz, size_t i, char name[1030])
{
	ldns_rdf *d = NULL;
	if (!zz->origin || ldns_str2rdf_dname(&d, zz->origin) != LDNS_STATUS_OK || !d)
		return ipam__error(IPAM_EINVAL, "zone %zu: bad zone name \"%s\"", i + 1, zz->origin ? zz->origin : "(null)");
	/* without the final dot */
	char *e = name_text(name, d, ldns_rdf_size(d) - 1);
	*e = '\0';
	ldns_rdf_deep_free(d);
	if (!name[0] || strpbrk(name, "\"\\ ;{}"))
		return ipam__error(IPAM_EINVAL, "zone %zu: the name \"%s\" cannot be written in a configuration file", i + 1,
				   zz->origin);
	if (!zz->file || !*zz->file || strpbrk(zz->file, "\"\\\n\r{}"))
		return ipam__error(IPAM_EINVAL, "zone %s: the file name is empty or holds a quote, backslash, brace or newline",
				   name);
	return 0;
}

static int named_zones(ipam_buf *out, const ipam__dns_conf_zone *zones, size_t n, const char *update_key,
                       const char *in)
{
	if (update_key && (!*update_key || strpbrk(update_key, "\"\\\n;{} ")))
		return ipam__error(IPAM_EINVAL, "named.conf: bad key name");
	for (size_t i = 0; i < n; i++) {
		char name[1030];
		int rc = conf_check(&zones[i], i, name);
		if (rc)
			return rc;
		rc = ipam__buf_printf(out, "%szone \"%s\" {\n%s\ttype primary;\n%s\tfile \"%s\";\n", in, name, in, in,
		                      zones[i].file);
		if (!rc && update_key)
			rc = ipam__buf_printf(out, "%s\tallow-update { key \"%s\"; };\n%s\tallow-transfer { key \"%s\"; };\n", in,
			                      update_key, in, update_key);
		if (!rc)
			rc = ipam__buf_printf(out, "%s};\n", in);
		if (rc)
			return rc;
	}
	return 0;
}

int ipam__dns_render_named_conf(ipam_buf *out, const ipam__dns_conf_zone *zones, size_t n, const char *update_key)
{
	return named_zones(out, zones, n, update_key, "");
}

int ipam__dns_render_named_view(ipam_buf *out, const char *view, const char *match, const ipam__dns_conf_zone *zones,
                                size_t n, const char *update_key)
{
	if (!view || !*view || strpbrk(view, "\"\\\n;{} ") || !match || strpbrk(match, "\\\n{}"))
		return ipam__error(IPAM_EINVAL, "named.conf: bad view name or match list");
	int rc = ipam__buf_printf(out, "view \"%s\" {\n\tmatch-clients { %s };\n", view, match);
	if (!rc)
		rc = named_zones(out, zones, n, update_key, "\t");
	return rc ? rc : ipam__buf_put(out, "};\n", 3);
}

int ipam__dns_render_corefile(ipam_buf *out, const ipam__dns_conf_zone *zones, size_t n, unsigned port,
                              const char *listen)
{
	if (port > 65535)
		return ipam__error(IPAM_EINVAL, "Corefile: port %u", port);
	/* the bind plugin's address: one IPv4 or IPv6 address, printed as parsed */
	char addr[64] = "";
	if (listen) {
		ipam_addr a;
		if (ipam_addr_parse(&a, listen))
			return ipam__error(IPAM_EINVAL, "Corefile: the listen address \"%.100s\" is no IPv4 or IPv6 address",
					   listen);
		ipam_addr_format(addr, sizeof addr, &a);
	}
	for (size_t i = 0; i < n; i++) {
		char name[1030];
		int rc = conf_check(&zones[i], i, name);
		if (rc)
			return rc;
		bool q = strpbrk(zones[i].file, " \t#") != NULL;
		rc = ipam__buf_printf(out, "%s.:%u {\n\tfile %s%s%s\n\terrors\n%s%s%s}\n", name, port ? port : 53,
				      q ? "\"" : "", zones[i].file, q ? "\"" : "", *addr ? "\tbind " : "", addr,
				      *addr ? "\n" : "");
		if (rc)
			return rc;
	}
	return 0;
}
