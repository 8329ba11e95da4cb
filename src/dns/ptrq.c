/* PTR queries to a resolver, for the reverse-DNS sweep (src/discover/rdns.c),
 * which speaks no DNS itself: ldns stays in this folder. UDP, recursion
 * desired, two tries a query, each waiting up to the timeout for an answer
 * with the query's id on a socket connected to the resolver. The wait
 * polls the calling thread's cancellation token (src/cancel.h), so a
 * trigger ends a query at once with IPAM_ECANCELED. Declared in
 * src/dns/ptrq.h. */
#include "dns/dns.h"
#include "dns/ptrq.h"

#include "cancel.h"

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

struct ipam__dns_ptrq {
	int fd; /* UDP, connected to the resolver */
	unsigned timeout_ms;
};

int ipam__dns_ptrq_new(ipam__dns_ptrq **out, const char *server, uint16_t port, unsigned timeout_ms, const char *what)
{
	*out = NULL;
	char ps[8];
	snprintf(ps, sizeof ps, "%u", port ? port : 53);
	struct addrinfo hints = { 0 }, *ai = NULL;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	hints.ai_socktype = SOCK_DGRAM;
	if (!server || getaddrinfo(server, ps, &hints, &ai) != 0 || !ai)
		return ipam__error(IPAM_EINVAL, "%s: \"%s\" is not an IPv4 or IPv6 address", what, server ? server : "(none)");
	int fd = socket(ai->ai_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int e = fd < 0 || connect(fd, ai->ai_addr, ai->ai_addrlen) != 0 ? errno : 0;
	freeaddrinfo(ai);
	ipam__dns_ptrq *q = e ? NULL : calloc(1, sizeof *q);
	if (!q) {
		if (fd >= 0)
			close(fd);
		return e ? ipam__error(IPAM_EIO, "%s: %s: %s", what, server, strerror(e)) : ipam__enomem();
	}
	q->fd = fd;
	q->timeout_ms = timeout_ms ? timeout_ms : 5000;
	*out = q;
	return 0;
}

/* One try: send the query, wait for the answer with its id. 0 with *ans,
 * IPAM_EIO (no answer in time, refused), IPAM_ECANCELED. */
static int try_once(ipam__dns_ptrq *q, const uint8_t *wire, size_t len, uint16_t id, ldns_pkt **ans)
{
	*ans = NULL;
	if (send(q->fd, wire, len, 0) < 0)
		return IPAM_EIO;
	int64_t deadline = ipam__mono_ns() / 1000000 + q->timeout_ms;
	uint8_t buf[65535];
	for (;;) {
		int64_t left = deadline - ipam__mono_ns() / 1000000;
		if (left <= 0)
			return IPAM_EIO;
		int r = ipam__cancel_wait(q->fd, POLLIN, (int)left, NULL, "rdns: PTR query");
		if (r == 0)
			return IPAM_EIO;
		if (r < 0)
			return r;
		ssize_t n = recv(q->fd, buf, sizeof buf, 0);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n < 0)
			return IPAM_EIO; /* refused (ICMP port unreachable) */
		ldns_pkt *p = NULL;
		if (ldns_wire2pkt(&p, buf, (size_t)n) == LDNS_STATUS_OK && ldns_pkt_id(p) == id && ldns_pkt_qr(p)) {
			*ans = p;
			return 0;
		}
		ldns_pkt_free(p); /* not ours: a late answer to an earlier try */
	}
}

int ipam__dns_ptr_query(ipam__dns_ptrq *q, const ipam_addr *a, char **name)
{
	char rev[IPAM_REVERSE_STRLEN];
	*name = NULL;
	if (ipam_addr_reverse_name(rev, sizeof rev, a) < 0)
		return ipam__error(IPAM_EINVAL, "PTR query: not a valid address");
	ldns_rdf *qn = ldns_dname_new_frm_str(rev);
	ldns_pkt *ask = qn ? ldns_pkt_query_new(qn, LDNS_RR_TYPE_PTR, LDNS_RR_CLASS_IN, LDNS_RD) : NULL;
	uint8_t *wire = NULL;
	size_t len = 0;
	if (ask)
		ldns_pkt_set_random_id(ask);
	if (!ask || ldns_pkt2wire(&wire, ask, &len) != LDNS_STATUS_OK) {
		if (!ask)
			ldns_rdf_deep_free(qn);
		ldns_pkt_free(ask);
		free(wire);
		return ipam__enomem();
	}
	ldns_pkt *pkt = NULL;
	int rc = IPAM_EIO;
	for (int t = 0; t < 2 && rc == IPAM_EIO; t++)
		rc = try_once(q, wire, len, ldns_pkt_id(ask), &pkt);
	ldns_pkt_free(ask);
	free(wire);
	if (rc)
		return rc;
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
	close(q->fd);
	free(q);
}
