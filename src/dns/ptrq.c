/* PTR queries to a resolver, for the reverse-DNS sweep (src/discover/rdns.c),
 * which speaks no DNS itself: ldns stays in this folder. The resolver is
 * the one every DNS call of libipam makes (ipam__dns_resolver: server, port,
 * timeout), switched to UDP with recursion desired, as one asks a resolver,
 * and two tries a query. Declared in src/dns/ptrq.h. */
#include "dns/dns.h"
#include "dns/ptrq.h"

#include <stdlib.h>

struct ipam__dns_ptrq {
	ldns_resolver *res;
};

int ipam__dns_ptrq_new(ipam__dns_ptrq **out, const char *server, uint16_t port, unsigned timeout_ms, const char *what)
{
	*out = NULL;
	ipam__dns_ptrq *q = calloc(1, sizeof *q);
	if (!q)
		return ipam__enomem();
	ipam__dns_server srv = { 0 };
	srv.address = server;
	srv.port = port;
	srv.timeout_ms = timeout_ms;
	int rc = ipam__dns_resolver(&q->res, &srv, what);
	if (rc) {
		free(q);
		return rc;
	}
	ldns_resolver_set_usevc(q->res, false);
	ldns_resolver_set_recursive(q->res, true);
	ldns_resolver_set_retry(q->res, 2);
	*out = q;
	return 0;
}

int ipam__dns_ptr_query(ipam__dns_ptrq *q, const ipam_addr *a, char **name)
{
	char rev[IPAM_REVERSE_STRLEN];
	*name = NULL;
	if (ipam_addr_reverse_name(rev, sizeof rev, a) < 0)
		return ipam__error(IPAM_EINVAL, "PTR query: not a valid address");
	ldns_rdf *qn = ldns_dname_new_frm_str(rev);
	if (!qn)
		return ipam__enomem();
	ldns_pkt *pkt = ldns_resolver_query(q->res, qn, LDNS_RR_TYPE_PTR, LDNS_RR_CLASS_IN, LDNS_RD);
	ldns_rdf_deep_free(qn);
	if (!pkt)
		return IPAM_EIO;
	int rc = 0;
	ldns_rr_list *ptrs = ldns_pkt_rr_list_by_type(pkt, LDNS_RR_TYPE_PTR, LDNS_SECTION_ANSWER);
	if (ldns_pkt_get_rcode(pkt) == LDNS_RCODE_NOERROR && ptrs && ldns_rr_list_rr_count(ptrs) > 0) {
		ldns_rdf *target = ldns_rr_rdf(ldns_rr_list_rr(ptrs, 0), 0);
		if (target && !(*name = ldns_rdf2str(target)))
			rc = ipam__enomem();
	}
	ldns_rr_list_deep_free(ptrs);
	ldns_pkt_free(pkt);
	return rc;
}

void ipam__dns_ptrq_free(ipam__dns_ptrq *q)
{
	if (!q)
		return;
	ldns_resolver_deep_free(q->res);
	free(q);
}
