/* Diffs of zone content, RRset by RRset, and the drift report built on them. */
#include "dns/dns.h"

#include <stdlib.h>

void ipam__dns_diff_dispose(ipam__dns_diff *d)
{
	for (size_t i = 0; i < d->n; i++) {
		ldns_rr_list_deep_free(d->c[i].before);
		ldns_rr_list_deep_free(d->c[i].after);
	}
	free(d->c);
	d->c = NULL;
	d->n = d->cap = 0;
}

static ldns_rr_list *clone_range(const ipam__dns_zone *z, size_t from, size_t to)
{
	ldns_rr_list *l = ldns_rr_list_new();
	if (!l)
		return NULL;
	for (size_t i = from; i < to; i++) {
		ldns_rr *c = ldns_rr_clone(z->rr[i]);
		if (!c || !ldns_rr_list_push_rr(l, c)) {
			ldns_rr_free(c);
			ldns_rr_list_deep_free(l);
			return NULL;
		}
	}
	return l;
}

static int push_change(ipam__dns_diff *d, const ipam__dns_zone *a, size_t ai, size_t ae, const ipam__dns_zone *b,
		       size_t bi, size_t be)
{
	if (d->n == d->cap) {
		size_t cap = d->cap ? 2 * d->cap : 64;
		ipam__dns_change *c = realloc(d->c, cap * sizeof *c);
		if (!c)
			return ipam__enomem();
		d->c = c;
		d->cap = cap;
	}
	ipam__dns_change *c = &d->c[d->n];
	c->before = clone_range(a, ai, ae);
	c->after = clone_range(b, bi, be);
	if (!c->before || !c->after) {
		ldns_rr_list_deep_free(c->before);
		ldns_rr_list_deep_free(c->after);
		return ipam__enomem();
	}
	d->n++;
	return 0;
}

int ipam__dns_diff_make(ipam__dns_diff *out, ipam__dns_zone *from, ipam__dns_zone *to)
{
	memset(out, 0, sizeof *out);
	ipam__dns_zone *empty = NULL;
	int rc = 0;
	if (!from) {
		ipam_buf b = IPAM_BUF_INIT;
		rc = ipam__dns_name_put(&b, to->origin);
		if (!rc)
			rc = ipam__dns_zone_new(&empty, b.ptr);
		ipam_buf_dispose(&b);
		if (rc)
			return rc;
		from = empty;
	}
	if ((rc = ipam__dns_zone_sort(from)) || (rc = ipam__dns_zone_sort(to)))
		goto out;
	size_t i = 0, j = 0;
	while (!rc && (i < from->n || j < to->n)) {
		int c = i >= from->n ? 1 : j >= to->n ? -1 : ipam__dns_zone_rrset_cmp(from, i, to, j);
		if (c < 0) {
			size_t ie = ipam__dns_zone_rrset_end(from, i);
			rc = push_change(out, from, i, ie, to, j, j);
			i = ie;
		} else if (c > 0) {
			size_t je = ipam__dns_zone_rrset_end(to, j);
			rc = push_change(out, from, i, i, to, j, je);
			j = je;
		} else {
			size_t ie = ipam__dns_zone_rrset_end(from, i), je = ipam__dns_zone_rrset_end(to, j);
			bool same = ie - i == je - j;
			for (size_t k = 0; same && k < ie - i; k++)
				same = ipam__dns_zone_rr_same(from, i + k, to, j + k);
			if (!same)
				rc = push_change(out, from, i, ie, to, j, je);
			i = ie;
			j = je;
		}
	}
out:
	ipam__dns_zone_free(empty);
	if (rc)
		ipam__dns_diff_dispose(out);
	return rc;
}

const ldns_rdf *ipam__dns_change_owner(const ipam__dns_change *c)
{
	const ldns_rr_list *l = ldns_rr_list_rr_count(c->before) ? c->before : c->after;
	return ldns_rr_owner(ldns_rr_list_rr(l, 0));
}

ldns_rr_type ipam__dns_change_type(const ipam__dns_change *c)
{
	const ldns_rr_list *l = ldns_rr_list_rr_count(c->before) ? c->before : c->after;
	return ldns_rr_get_type(ldns_rr_list_rr(l, 0));
}

int ipam__dns_diff_apply(ipam__dns_zone *z, const ipam__dns_diff *d, size_t first, size_t count)
{
	int rc = ipam__dns_zone_sort(z);
	if (rc)
		return rc;
	if (first > d->n || count > d->n - first)
		return ipam__error(IPAM_EINVAL, "diff apply: changes %zu..%zu of %zu", first, first + count, d->n);
	bool *gone = calloc(z->n ? z->n : 1, sizeof *gone);
	if (!gone)
		return ipam__enomem();
	for (size_t i = first; i < first + count; i++) {
		size_t at, n = ipam__dns_zone_rrset(z, ipam__dns_change_owner(&d->c[i]), ipam__dns_change_type(&d->c[i]), &at);
		for (size_t k = 0; k < n; k++)
			gone[at + k] = true;
	}
	size_t m = 0;
	for (size_t i = 0; i < z->n; i++) {
		if (gone[i]) {
			ldns_rr_free(z->rr[i]);
			continue;
		}
		z->rr[m] = z->rr[i];
		z->line[m] = z->line[i];
		m++;
	}
	free(gone);
	z->n = m;
	z->sorted = false;
	for (size_t i = first; !rc && i < first + count; i++) {
		const ldns_rr_list *l = d->c[i].after;
		for (size_t k = 0; !rc && k < ldns_rr_list_rr_count(l); k++) {
			/* as they are: a state may hold what a server had (AXFR), which
			 * the record rules need not accept */
			ldns_rr *c = ldns_rr_clone(ldns_rr_list_rr(l, k));
			rc = c ? ipam__dns_zone_add_raw(z, c, 0) : ipam__enomem();
		}
	}
	if (!rc)
		rc = ipam__dns_zone_sort(z);
	return rc;
}

/* ---- drift ---------------------------------------------------------------------------- */

int ipam__dns_drift_check(ipam__dns_drift *out, ipam__dns_zone *server, ipam__dns_zone *ipam)
{
	memset(out, 0, sizeof *out);
	int rc = ipam__dns_diff_make(&out->diff, server, ipam);
	if (rc)
		return rc;
	for (size_t i = 0; i < out->diff.n; i++) {
		const ipam__dns_change *c = &out->diff.c[i];
		if (ldns_rr_list_rr_count(c->after) == 0)
			out->only_server++;
		else if (ldns_rr_list_rr_count(c->before) == 0)
			out->only_ipam++;
		else
			out->different++;
	}
	return 0;
}

static int put_list(ipam_buf *out, const char *tag, const ldns_rr_list *l)
{
	for (size_t k = 0; k < ldns_rr_list_rr_count(l); k++) {
		int rc = ipam__buf_put(out, tag, strlen(tag));
		if (!rc)
			rc = ipam__dns_rr_put(out, ldns_rr_list_rr(l, k), NULL);
		if (rc)
			return rc;
	}
	return 0;
}

int ipam__dns_drift_text(ipam_buf *out, const ipam__dns_drift *d)
{
	int rc = 0;
	for (size_t i = 0; !rc && i < d->diff.n; i++) {
		const ipam__dns_change *c = &d->diff.c[i];
		if (ldns_rr_list_rr_count(c->after) == 0) {
			rc = put_list(out, "only-server: ", c->before);
		} else if (ldns_rr_list_rr_count(c->before) == 0) {
			rc = put_list(out, "only-ipam: ", c->after);
		} else {
			rc = ipam__buf_printf(out, "different: %s\n", ipam__dns_rr_label(ldns_rr_list_rr(c->after, 0)));
			if (!rc)
				rc = put_list(out, "  server: ", c->before);
			if (!rc)
				rc = put_list(out, "  ipam:   ", c->after);
		}
	}
	return rc;
}

void ipam__dns_drift_dispose(ipam__dns_drift *d)
{
	ipam__dns_diff_dispose(&d->diff);
	d->only_server = d->only_ipam = d->different = 0;
}

int ipam__dns_drift_import(ipam__dns_zone *ipam, const ipam__dns_drift *d)
{
	for (size_t i = 0; i < d->diff.n; i++) {
		const ipam__dns_change *c = &d->diff.c[i];
		if (ldns_rr_list_rr_count(c->after) != 0)
			continue;
		for (size_t k = 0; k < ldns_rr_list_rr_count(c->before); k++) {
			ldns_rr *rr = ldns_rr_clone(ldns_rr_list_rr(c->before, k));
			int rc = rr ? ipam__dns_zone_add_rr(ipam, rr, 0, "import from the server") : ipam__enomem();
			if (rc)
				return rc;
		}
	}
	return 0;
}

/* ---- the SOA's fields ------------------------------------------------------------------ */

bool ipam__dns_soa_differs(const ipam__dns_zone *a, const ipam__dns_zone *b)
{
	if (!a->mname || !a->rname || !b->mname || !b->rname)
		return (a->mname != NULL) != (b->mname != NULL);
	return ldns_dname_compare(a->mname, b->mname) != 0 || ldns_dname_compare(a->rname, b->rname) != 0 ||
	       a->refresh != b->refresh || a->retry != b->retry || a->expire != b->expire ||
	       a->minimum != b->minimum || a->ttl != b->ttl;
}

int ipam__dns_soa_rr(ldns_rr **out, const ipam__dns_zone *z, uint32_t serial)
{
	*out = NULL;
	ldns_rr *rr = ldns_rr_new_frm_type(LDNS_RR_TYPE_SOA);
	ldns_rdf *owner = ldns_rdf_clone(z->origin);
	ldns_rdf *f[7] = { z->mname ? ldns_rdf_clone(z->mname) : NULL, z->rname ? ldns_rdf_clone(z->rname) : NULL,
		           ldns_native2rdf_int32(LDNS_RDF_TYPE_INT32, serial),
		           ldns_native2rdf_int32(LDNS_RDF_TYPE_PERIOD, z->refresh),
		           ldns_native2rdf_int32(LDNS_RDF_TYPE_PERIOD, z->retry),
		           ldns_native2rdf_int32(LDNS_RDF_TYPE_PERIOD, z->expire),
		           ldns_native2rdf_int32(LDNS_RDF_TYPE_PERIOD, z->minimum) };
	bool good = rr && owner;
	for (int i = 0; i < 7; i++)
		good = good && f[i];
	if (!good) {
		ldns_rr_free(rr);
		ldns_rdf_deep_free(owner);
		for (int i = 0; i < 7; i++)
			ldns_rdf_deep_free(f[i]);
		return z->mname && z->rname ? ipam__enomem() : ipam__error(IPAM_EINVAL, "zone: no SOA names");
	}
	ldns_rr_set_owner(rr, owner);
	ldns_rr_set_ttl(rr, z->ttl);
	ldns_rr_set_class(rr, LDNS_RR_CLASS_IN);
	for (int i = 0; i < 7; i++)
		ldns_rr_set_rdf(rr, f[i], (size_t)i);
	*out = rr;
	return 0;
}

int ipam__dns_soa_copy(ipam__dns_zone *to, const ipam__dns_zone *from)
{
	ldns_rdf *m = from->mname ? ldns_rdf_clone(from->mname) : NULL;
	ldns_rdf *r = from->rname ? ldns_rdf_clone(from->rname) : NULL;
	if ((from->mname && !m) || (from->rname && !r)) {
		ldns_rdf_deep_free(m);
		ldns_rdf_deep_free(r);
		return ipam__enomem();
	}
	ldns_rdf_deep_free(to->mname);
	ldns_rdf_deep_free(to->rname);
	to->mname = m;
	to->rname = r;
	to->refresh = from->refresh;
	to->retry = from->retry;
	to->expire = from->expire;
	to->minimum = from->minimum;
	to->ttl = from->ttl;
	return 0;
}
