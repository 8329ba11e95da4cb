/* AXFR over TCP with TSIG, for the drift check. The transport is a plain
 * socket with poll() deadlines (ldns's AXFR helpers do not verify the TSIG of
 * the answer messages); every message is parsed by ldns and, with a key,
 * verified with ldns_pkt_tsig_verify_next (the first against the request's
 * MAC, the next ones against the previous MAC, timers only). The same
 * transport carries the RFC 2136 pushes (update.c). Every wait also polls
 * the calling thread's cancellation token (src/cancel.h): once triggered,
 * the transfer stops with IPAM_ECANCELED and nothing is returned. */
#include "dns/dns.h"

#include "cancel.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

int ipam__dns_axfr_reader_init(ipam__dns_axfr_reader *r, const char *origin, const char *what)
{
	memset(r, 0, sizeof *r);
	r->what = what ? what : "AXFR";
	return ipam__dns_zone_new(&r->zone, origin);
}

void ipam__dns_axfr_reader_dispose(ipam__dns_axfr_reader *r)
{
	ipam__dns_zone_free(r->zone);
	ldns_rdf_deep_free(r->mac);
	memset(r, 0, sizeof *r);
}

static int soa_into(ipam__dns_zone *z, const ldns_rr *soa, const char *what)
{
	if (ldns_rr_rd_count(soa) != 7 || ldns_rdf_get_type(ldns_rr_rdf(soa, 0)) != LDNS_RDF_TYPE_DNAME ||
	    ldns_rdf_get_type(ldns_rr_rdf(soa, 1)) != LDNS_RDF_TYPE_DNAME)
		return ipam__error(IPAM_EBACKEND, "%s: a malformed SOA", what);
	for (size_t i = 2; i < 7; i++)
		if (ldns_rdf_size(ldns_rr_rdf(soa, i)) != 4)
			return ipam__error(IPAM_EBACKEND, "%s: a malformed SOA", what);
	ldns_rdf *m = ldns_rdf_clone(ldns_rr_rdf(soa, 0)), *r = ldns_rdf_clone(ldns_rr_rdf(soa, 1));
	if (!m || !r) {
		ldns_rdf_deep_free(m);
		ldns_rdf_deep_free(r);
		return ipam__enomem();
	}
	ldns_rdf_deep_free(z->mname);
	ldns_rdf_deep_free(z->rname);
	z->mname = m;
	z->rname = r;
	z->serial = ldns_rdf2native_int32(ldns_rr_rdf(soa, 2));
	z->refresh = ldns_rdf2native_int32(ldns_rr_rdf(soa, 3));
	z->retry = ldns_rdf2native_int32(ldns_rr_rdf(soa, 4));
	z->expire = ldns_rdf2native_int32(ldns_rr_rdf(soa, 5));
	z->minimum = ldns_rdf2native_int32(ldns_rr_rdf(soa, 6));
	z->ttl = ldns_rr_ttl(soa);
	return 0;
}

bool ipam__dns_tsig_alg_is(const ldns_rr *tsig, const char *alg)
{
	const char *want = ipam__dns_tsig_algorithm(alg);
	if (!want || ldns_rr_rd_count(tsig) < 7 || ldns_rdf_get_type(ldns_rr_rdf(tsig, 0)) != LDNS_RDF_TYPE_DNAME)
		return false;
	ldns_rdf *w = ldns_dname_new_frm_str(want);
	bool same = w && ldns_dname_compare(w, ldns_rr_rdf(tsig, 0)) == 0;
	ldns_rdf_deep_free(w);
	return same;
}

int ipam__dns_axfr_reader_feed(ipam__dns_axfr_reader *r, const uint8_t *wire, size_t len)
{
	const char *what = r->what;
	if (r->done)
		return ipam__error(IPAM_EBACKEND, "%s: a message after the closing SOA", what);
	ldns_pkt *p = NULL;
	ldns_status st = ldns_wire2pkt(&p, wire, len);
	if (st != LDNS_STATUS_OK) {
		ldns_pkt_free(p);
		return ipam__error(IPAM_EBACKEND, "%s: message %zu does not parse: %s", what, r->messages + 1,
				   ldns_get_errorstr_by_id(st));
	}
	int rc = 0;
	ldns_pkt_rcode rcode = ldns_pkt_get_rcode(p);
	if (r->tsig.name) {
		if (!ldns_pkt_tsig(p)) {
			rc = ipam__error(rcode == LDNS_RCODE_NOTAUTH ? IPAM_EAUTH : IPAM_EBACKEND,
					 "%s: message %zu is not signed with TSIG key %s%s", what, r->messages + 1, r->tsig.name,
					 rcode == LDNS_RCODE_NOTAUTH ? " (NOTAUTH: the key was not accepted)" : "");
		} else if (!ipam__dns_tsig_alg_is(ldns_pkt_tsig(p), r->tsig.algorithm)) {
			/* checked first: ldns 1.8.3 leaks on an unknown algorithm */
			rc = ipam__error(IPAM_EAUTH, "%s: message %zu is signed with another algorithm than %s's", what,
					 r->messages + 1, r->tsig.name);
		} else if (!ldns_pkt_tsig_verify_next(p, wire, len, r->tsig.name, r->tsig.secret, r->mac, r->messages ? 1 : 0)) {
			rc = ipam__error(IPAM_EAUTH, "%s: the TSIG of message %zu does not verify with key %s (wrong key?)", what,
					 r->messages + 1, r->tsig.name);
		} else {
			ldns_rdf *mac = ldns_rdf_clone(ldns_rr_rdf(ldns_pkt_tsig(p), 3));
			if (!mac) {
				rc = ipam__enomem();
			} else {
				ldns_rdf_deep_free(r->mac);
				r->mac = mac;
			}
		}
	}
	if (!rc && rcode != LDNS_RCODE_NOERROR) {
		const ldns_lookup_table *lt = ldns_lookup_by_id(ldns_rcodes, (int)rcode);
		rc = ipam__error(rcode == LDNS_RCODE_REFUSED || rcode == LDNS_RCODE_NOTAUTH ? IPAM_EPERM : IPAM_EBACKEND,
				 "%s: the server answered %s", what, lt ? lt->name : "an unknown rcode");
	}
	if (!rc && !ldns_pkt_qr(p))
		rc = ipam__error(IPAM_EBACKEND, "%s: message %zu is not a response", what, r->messages + 1);
	const ldns_rr_list *an = ldns_pkt_answer(p);
	for (size_t i = 0; !rc && i < ldns_rr_list_rr_count(an); i++) {
		const ldns_rr *rr = ldns_rr_list_rr(an, i);
		if (r->done) {
			rc = ipam__error(IPAM_EBACKEND, "%s: records after the closing SOA", what);
			break;
		}
		if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_SOA) {
			if (ldns_dname_compare(ldns_rr_owner(rr), r->zone->origin) != 0) {
				rc = ipam__error(IPAM_EBACKEND, "%s: an SOA of another zone", what);
			} else if (r->soas++ == 0) {
				rc = soa_into(r->zone, rr, what);
			} else {
				r->done = true;
			}
			continue;
		}
		if (r->soas == 0) {
			rc = ipam__error(IPAM_EBACKEND, "%s: the transfer does not start with the SOA", what);
			break;
		}
		if (ldns_dname_compare(ldns_rr_owner(rr), r->zone->origin) != 0 &&
		    !ldns_dname_is_subdomain(ldns_rr_owner(rr), r->zone->origin)) {
			rc = ipam__error(IPAM_EBACKEND, "%s: %s lies outside the zone", what, ipam__dns_rr_label(rr));
			break;
		}
		ldns_rr *c = ldns_rr_clone(rr);
		rc = c ? ipam__dns_zone_add_raw(r->zone, c, 0) : ipam__enomem();
	}
	ldns_pkt_free(p);
	r->messages++;
	return rc;
}

/* ---- transport ------------------------------------------------------------------------- */

/* 0 when fd is ready, -ETIMEDOUT, -ECANCELED (the token), -EIO (poll). */
static int wait_fd(int fd, short ev, int64_t deadline)
{
	int64_t left = deadline - ipam__mono_ns() / 1000000;
	if (left <= 0)
		return -ETIMEDOUT;
	int r = ipam__cancel_wait(fd, ev, left > INT32_MAX ? INT32_MAX : (int)left, NULL, "DNS over TCP");
	return r == 1 ? 0 : r == 0 ? -ETIMEDOUT : r == IPAM_ECANCELED ? -ECANCELED : -EIO;
}

static int read_full(int fd, uint8_t *buf, size_t n, int64_t deadline)
{
	size_t got = 0;
	while (got < n) {
		int w = wait_fd(fd, POLLIN, deadline);
		if (w)
			return w;
		ssize_t k = read(fd, buf + got, n - got);
		if (k == 0)
			return -ECONNRESET;
		if (k < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -errno;
		}
		got += (size_t)k;
	}
	return 0;
}

static int write_full(int fd, const uint8_t *buf, size_t n, int64_t deadline)
{
	size_t put = 0;
	while (put < n) {
		int w = wait_fd(fd, POLLOUT, deadline);
		if (w)
			return w;
		ssize_t k = send(fd, buf + put, n - put, MSG_NOSIGNAL);
		if (k < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -errno;
		}
		put += (size_t)k;
	}
	return 0;
}

int ipam__dns_tcp_write(int fd, const uint8_t *wire, size_t len, int64_t deadline)
{
	if (len > 65535)
		return -EMSGSIZE;
	uint8_t lenb[2] = { (uint8_t)(len >> 8), (uint8_t)len };
	int e = write_full(fd, lenb, 2, deadline);
	return e ? e : write_full(fd, wire, len, deadline);
}

int ipam__dns_tcp_read(int fd, uint8_t *buf, size_t *len, int64_t deadline)
{
	uint8_t lenb[2];
	int e = read_full(fd, lenb, 2, deadline);
	*len = (size_t)lenb[0] << 8 | lenb[1];
	return e ? e : read_full(fd, buf, *len, deadline);
}

int ipam__dns_tcp_connect(const ipam__dns_server *srv, int64_t deadline, const char *what)
{
	char port[8];
	snprintf(port, sizeof port, "%u", srv->port ? srv->port : 53);
	struct addrinfo hints = { 0 }, *ai = NULL;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	hints.ai_socktype = SOCK_STREAM;
	if (!srv->address || getaddrinfo(srv->address, port, &hints, &ai) != 0 || !ai)
		return ipam__error(IPAM_EINVAL, "%s: \"%s\" is not an IPv4 or IPv6 address", what,
				   srv->address ? srv->address : "(none)");
	int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int err = fd < 0 ? errno : 0;
	if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
		err = errno;
		if (err == EINPROGRESS) {
			int w = wait_fd(fd, POLLOUT, deadline);
			socklen_t sl = sizeof err;
			if (w)
				err = -w;
			else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &sl) != 0)
				err = errno;
		}
	}
	freeaddrinfo(ai);
	if (err) {
		if (fd >= 0)
			close(fd);
		if (err == ECANCELED)
			return ipam__error(IPAM_ECANCELED, "%s: canceled while connecting", what);
		return ipam__error(IPAM_EIO, "%s: the server is unreachable: cannot connect: %s", what, strerror(err));
	}
	return fd;
}

int ipam__dns_axfr(ipam__dns_zone **out, const ipam__dns_server *srv, const char *origin)
{
	*out = NULL;
	char what[1200];
	snprintf(what, sizeof what, "AXFR of %s from %s%s%s#%u", origin ? origin : "?", srv->name ? srv->name : "",
		 srv->name ? " " : "", srv->address ? srv->address : "?", srv->port ? srv->port : 53);
	const char *alg = NULL;
	if (srv->tsig.name && !(alg = ipam__dns_tsig_algorithm(srv->tsig.algorithm)))
		return ipam__error(IPAM_EINVAL, "%s: unknown TSIG algorithm", what);
	ipam__dns_axfr_reader r;
	int rc = ipam__dns_axfr_reader_init(&r, origin, what);
	if (rc)
		return rc;
	r.tsig = srv->tsig;
	ldns_pkt *q = NULL;
	uint8_t *wire = NULL;
	size_t wlen = 0;
	int fd = -1;
	ldns_rdf *qname = ldns_rdf_clone(r.zone->origin);
	q = qname ? ldns_pkt_query_new(qname, LDNS_RR_TYPE_AXFR, LDNS_RR_CLASS_IN, 0) : NULL;
	if (!q) {
		rc = ipam__enomem();
		goto out;
	}
	ldns_pkt_set_random_id(q);
	if (srv->tsig.name) {
		ldns_status st = ldns_pkt_tsig_sign(q, srv->tsig.name, srv->tsig.secret, 300, alg, NULL);
		if (st != LDNS_STATUS_OK) {
			rc = ipam__error(IPAM_EINVAL, "%s: cannot sign with TSIG key %s: %s", what, srv->tsig.name,
					 ldns_get_errorstr_by_id(st));
			goto out;
		}
		r.mac = ldns_rdf_clone(ldns_rr_rdf(ldns_pkt_tsig(q), 3));
		if (!r.mac) {
			rc = ipam__enomem();
			goto out;
		}
	}
	if (ldns_pkt2wire(&wire, q, &wlen) != LDNS_STATUS_OK || wlen > 65535) {
		rc = ipam__enomem();
		goto out;
	}
	unsigned ms = srv->timeout_ms ? srv->timeout_ms : 5000;
	int64_t deadline = ipam__mono_ns() / 1000000 + ms;
	fd = ipam__dns_tcp_connect(srv, deadline, what);
	if (fd < 0) {
		rc = fd;
		goto out;
	}
	int e = ipam__dns_tcp_write(fd, wire, wlen, deadline);
	uint8_t *buf = malloc(65535);
	if (!buf) {
		rc = ipam__enomem();
		goto out;
	}
	while (!e && !rc && !r.done) {
		/* each message gets the full timeout again: a big zone is fine as
		 * long as the server keeps sending */
		size_t n = 0;
		e = ipam__dns_tcp_read(fd, buf, &n, ipam__mono_ns() / 1000000 + ms);
		if (!e)
			rc = ipam__dns_axfr_reader_feed(&r, buf, n);
	}
	free(buf);
	if (!rc && e == -ECANCELED)
		rc = ipam__error(IPAM_ECANCELED, "%s: canceled after %zu message(s)", what, r.messages);
	else if (!rc && e)
		rc = ipam__error(IPAM_EIO, "%s: %s after %zu message(s)", what,
				 e == -ETIMEDOUT ? "no answer within the timeout" : strerror(-e), r.messages);
	if (!rc && (rc = ipam__dns_zone_sort(r.zone)) == 0) {
		*out = r.zone;
		r.zone = NULL;
	}
out:
	if (fd >= 0)
		close(fd);
	free(wire);
	ldns_pkt_free(q);
	ipam__dns_axfr_reader_dispose(&r);
	return rc;
}
