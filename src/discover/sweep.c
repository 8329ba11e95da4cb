/* Sweeps: ICMP echo and TCP connect over every address of one prefix, with
 * a rate limit and a bound on probes in flight. One thread, one poll()
 * loop: probe i may start at t0 + i / rate (so the rate holds over any
 * stretch, not only on average), and only while fewer than `concurrency`
 * are pending. Addresses come from the prefix alone (first .. last by
 * ipam_addr_add), so nothing outside it is ever sent a packet. The poll
 * also watches the calling thread's cancellation token (src/cancel.h): once
 * it is triggered the sweep stops, IPAM_ECANCELED, with what it observed so
 * far kept in the set. */
#include "discover/disc.h"

#include "cancel.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <sodium.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

int ipam_sweep_options_init(ipam_sweep_options *opts, unsigned int version)
{
	if (version < 1 || version > IPAM_SWEEP_OPTIONS_VERSION)
		return ipam__error(IPAM_EINVAL, "ipam_sweep_options: unknown version %u", version);
	*opts = (ipam_sweep_options)IPAM_SWEEP_OPTIONS_INIT;
	opts->version = version;
	return 0;
}

typedef struct probe {
	int fd;          /* TCP: its socket; ICMP: -1 */
	int kind;        /* 0 ICMP, 1.. TCP port index + 1 */
	uint16_t seq;    /* ICMP */
	ipam_addr addr;
	int64_t deadline; /* ns */
} probe;

typedef struct sweep {
	const ipam_sweep_options *o;
	ipam_obs_set *out;
	int icmp_fd;
	int icmp_raw;     /* a raw socket: IPv4 replies carry the IP header, ids are ours */
	uint16_t echo_id;
	int family;
	probe *p;         /* in flight */
	size_t np;
	int64_t now_s;
	int rc;
} sweep;

static void to_sockaddr(struct sockaddr_storage *ss, socklen_t *len, const ipam_addr *a, uint16_t port)
{
	memset(ss, 0, sizeof *ss);
	if (a->family == IPAM_AF_INET) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		memcpy(&s4->sin_addr, a->bytes, 4);
		*len = sizeof *s4;
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		memcpy(&s6->sin6_addr, a->bytes, 16);
		*len = sizeof *s6;
	}
}

static int seen(sweep *w, const ipam_addr *a, const char *source)
{
	ipam_observation ob = IPAM_OBSERVATION_INIT;
	ob.space = w->o->space;
	ob.addr = *a;
	ob.source = source;
	ob.first_seen = ob.last_seen = w->now_s;
	return ipam_obs_set_add(w->out, &ob);
}

/* An unprivileged ping socket, else a raw one. */
static int open_icmp(sweep *w)
{
	int v6 = w->family == IPAM_AF_INET6;
	int dom = v6 ? AF_INET6 : AF_INET, proto = v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP;
	w->icmp_fd = socket(dom, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
	if (w->icmp_fd < 0) {
		w->icmp_fd = socket(dom, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
		w->icmp_raw = 1;
	}
	if (w->icmp_fd < 0)
		return ipam__error(errno == EPERM || errno == EACCES ? IPAM_EPERM : IPAM_EIO,
				   "sweep: ICMP needs a ping socket (net.ipv4.ping_group_range) or a raw socket "
				   "(root, CAP_NET_RAW): %s",
				   strerror(errno));
	if (v6 && w->icmp_raw) {
		struct icmp6_filter f;
		ICMP6_FILTER_SETBLOCKALL(&f);
		ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &f);
		setsockopt(w->icmp_fd, IPPROTO_ICMPV6, ICMP6_FILTER, &f, sizeof f);
	}
	uint8_t r[2];
	randombytes_buf(r, sizeof r);
	w->echo_id = (uint16_t)(r[0] << 8 | r[1]);
	return 0;
}

static uint16_t checksum(const uint8_t *b, size_t n)
{
	uint32_t sum = 0;
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (n & 1)
		sum += (uint32_t)b[n - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static int start(sweep *w, probe *p)
{
	struct sockaddr_storage ss;
	socklen_t len;
	if (p->kind == 0) {
		uint8_t pkt[24] = { 0 };
		pkt[0] = w->family == IPAM_AF_INET6 ? ICMP6_ECHO_REQUEST : ICMP_ECHO;
		pkt[4] = (uint8_t)(w->echo_id >> 8);
		pkt[5] = (uint8_t)w->echo_id;
		pkt[6] = (uint8_t)(p->seq >> 8);
		pkt[7] = (uint8_t)p->seq;
		memcpy(pkt + 8, "libipam sweep\0\0\0", 16);
		if (w->family == IPAM_AF_INET) { /* ICMPv6 checksums are the kernel's */
			uint16_t c = checksum(pkt, sizeof pkt);
			pkt[2] = (uint8_t)(c >> 8);
			pkt[3] = (uint8_t)c;
		}
		to_sockaddr(&ss, &len, &p->addr, 0);
		p->fd = -1;
		if (sendto(w->icmp_fd, pkt, sizeof pkt, 0, (struct sockaddr *)&ss, len) < 0 && errno != EHOSTUNREACH &&
		    errno != ENETUNREACH && errno != EAGAIN)
			return ipam__error(IPAM_EIO, "sweep: ICMP echo to %s: %s", ipam__disc_addr_txt(&p->addr).s, strerror(errno));
		return 0;
	}
	to_sockaddr(&ss, &len, &p->addr, w->o->tcp_ports[p->kind - 1]);
	p->fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (p->fd < 0)
		return ipam__error(IPAM_EIO, "sweep: socket: %s", strerror(errno));
	if (connect(p->fd, (struct sockaddr *)&ss, len) == 0)
		return seen(w, &p->addr, "tcp") ? -1 : 1; /* 1: done at once */
	if (errno == EINPROGRESS)
		return 0;
	close(p->fd); /* refused, unreachable: not an answer */
	p->fd = -1;
	return 1;
}

/* Read every echo reply waiting; mark the probes they answer done
 * (deadline 0). */
static int read_icmp(sweep *w)
{
	for (;;) {
		uint8_t buf[1500];
		struct sockaddr_storage from;
		socklen_t flen = sizeof from;
		ssize_t n = recvfrom(w->icmp_fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &flen);
		if (n < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0
			       : ipam__error(IPAM_EIO, "sweep: ICMP receive: %s", strerror(errno));
		const uint8_t *icmp = buf;
		size_t len = (size_t)n;
		ipam_addr src = { 0 };
		if (from.ss_family == AF_INET) {
			src.family = IPAM_AF_INET;
			memcpy(src.bytes, &((struct sockaddr_in *)&from)->sin_addr, 4);
			if (w->icmp_raw) {
				size_t ihl = len ? (size_t)(buf[0] & 0x0f) * 4 : 0;
				if (ihl < 20 || ihl > len)
					continue;
				icmp += ihl;
				len -= ihl;
			}
		} else if (from.ss_family == AF_INET6) {
			src.family = IPAM_AF_INET6;
			memcpy(src.bytes, &((struct sockaddr_in6 *)&from)->sin6_addr, 16);
		} else {
			continue;
		}
		uint8_t reply = w->family == IPAM_AF_INET6 ? ICMP6_ECHO_REPLY : ICMP_ECHOREPLY;
		if (len < 8 || icmp[0] != reply)
			continue;
		uint16_t id = (uint16_t)(icmp[4] << 8 | icmp[5]), seq = (uint16_t)(icmp[6] << 8 | icmp[7]);
		if (w->icmp_raw && id != w->echo_id)
			continue; /* someone else's ping: the kernel matches ids for ping sockets */
		for (size_t i = 0; i < w->np; i++) {
			probe *p = &w->p[i];
			if (p->kind == 0 && p->deadline && p->seq == seq && ipam_addr_cmp(&p->addr, &src) == 0) {
				p->deadline = 0;
				if (seen(w, &src, "icmp"))
					return -1;
			}
		}
	}
}

int ipam_discover_sweep(ipam_obs_set *out, const ipam_prefix *prefix, const ipam_sweep_options *opts)
{
	ipam_sweep_options o = IPAM_SWEEP_OPTIONS_INIT;
	if (opts) {
		if (opts->version < 1 || opts->version > IPAM_SWEEP_OPTIONS_VERSION)
			return ipam__error(IPAM_EINVAL, "ipam_sweep_options: unknown version %u", opts->version);
		o = *opts;
	}
	ipam_prefix pf;
	if (!out || !prefix || ipam_prefix_from(&pf, &prefix->addr, prefix->len, 0) != 0)
		return ipam__error(IPAM_EINVAL, "sweep: prefix: not a valid prefix");
	if (!o.icmp && !o.ntcp_ports)
		return ipam__error(IPAM_EINVAL, "sweep: neither ICMP nor a TCP port asked for");
	if (o.ntcp_ports && !o.tcp_ports)
		return ipam__error(IPAM_EINVAL, "sweep: tcp_ports: missing");
	for (size_t i = 0; i < o.ntcp_ports; i++)
		if (!o.tcp_ports[i])
			return ipam__error(IPAM_EINVAL, "sweep: tcp_ports[%zu]: port 0", i);
	ipam_addr first, last;
	ipam_prefix_first(&first, &pf);
	ipam_prefix_last(&last, &pf);
	if (pf.addr.family == IPAM_AF_INET && pf.len < 31) {
		ipam_addr_next(&first, &first);
		ipam_addr_prev(&last, &last);
	}
	ipam_u128 span;
	ipam_addr_diff(&span, &last, &first);
	uint64_t max = o.max_addresses ? o.max_addresses : 65536;
	if (span.hi || span.lo >= max)
		return ipam__error(IPAM_EINVAL, "sweep: %s holds more than max_addresses (%llu) addresses",
				   ipam__disc_prefix_txt(&pf).s, (unsigned long long)max);
	uint64_t naddr = span.lo + 1;
	uint64_t kinds = (o.icmp ? 1 : 0) + o.ntcp_ports, total = naddr * kinds;
	size_t conc = o.concurrency ? (o.concurrency > 1024 ? 1024 : o.concurrency) : 64;
	double rate = o.rate ? o.rate : 100;
	int64_t timeout_ns = (int64_t)(o.timeout_ms ? o.timeout_ms : 1000) * 1000000;

	sweep w = { 0 };
	w.o = &o;
	w.out = out;
	w.icmp_fd = -1;
	w.family = pf.addr.family;
	w.now_s = o.now ? o.now : (int64_t)time(NULL);
	w.p = calloc(conc, sizeof *w.p);
	struct pollfd *pfd = calloc(conc + 2, sizeof *pfd);
	size_t *map = calloc(conc + 2, sizeof *map);
	int rc = 0;
	if (!w.p || !pfd || !map) {
		rc = ipam__enomem();
		goto done;
	}
	if (o.icmp && (rc = open_icmp(&w)))
		goto done;
	int64_t t0 = ipam__mono_ns();
	uint64_t started = 0;
	ipam__disc_prog prog = { o.progress, o.progress_ctx, "sweep", 0, total };
	int cfd = ipam__cancel_fd();
	while (started < total || w.np) {
		if ((rc = ipam__cancel_check("sweep")))
			goto done;
		int64_t now = ipam__mono_ns();
		/* start what the rate and the bound allow */
		while (started < total && w.np < conc && now >= t0 + (int64_t)((double)started * 1e9 / rate)) {
			probe *p = &w.p[w.np];
			uint64_t off = started / kinds;
			memset(p, 0, sizeof *p);
			p->kind = (int)(started % kinds) + (o.icmp ? 0 : 1);
			p->seq = (uint16_t)started;
			ipam_addr_add(&p->addr, &first, (ipam_u128){ 0, off });
			p->deadline = now + timeout_ns;
			started++;
			int r = start(&w, p);
			if (r < 0) {
				rc = ipam_error_last()->code;
				goto done;
			}
			if (r == 0)
				w.np++;
			else
				ipam__disc_step(&prog); /* done at once */
			now = ipam__mono_ns();
		}
		/* wait for answers, the next deadline, or the next start */
		int64_t wake = INT64_MAX;
		if (started < total && w.np < conc)
			wake = t0 + (int64_t)((double)started * 1e9 / rate);
		size_t nfd = 0;
		if (cfd >= 0) { /* readable once the token is triggered: checked above */
			pfd[nfd] = (struct pollfd){ cfd, POLLIN, 0 };
			map[nfd++] = SIZE_MAX - 1;
		}
		if (w.icmp_fd >= 0) {
			pfd[nfd] = (struct pollfd){ w.icmp_fd, POLLIN, 0 };
			map[nfd++] = SIZE_MAX;
		}
		for (size_t i = 0; i < w.np; i++) {
			if (w.p[i].deadline < wake)
				wake = w.p[i].deadline;
			if (w.p[i].fd >= 0) {
				pfd[nfd] = (struct pollfd){ w.p[i].fd, POLLOUT, 0 };
				map[nfd++] = i;
			}
		}
		int ms = wake == INT64_MAX ? 1000 : wake <= now ? 0 : (int)((wake - now + 999999) / 1000000);
		int n = poll(pfd, nfd, ms);
		if (n < 0 && errno != EINTR) {
			rc = ipam__error(IPAM_EIO, "sweep: poll: %s", strerror(errno));
			goto done;
		}
		for (size_t k = 0; n > 0 && k < nfd; k++) {
			if (!pfd[k].revents || map[k] == SIZE_MAX - 1)
				continue;
			if (map[k] == SIZE_MAX) {
				if (read_icmp(&w)) {
					rc = ipam_error_last()->code;
					goto done;
				}
				continue;
			}
			probe *p = &w.p[map[k]];
			int err = 0;
			socklen_t el = sizeof err;
			getsockopt(p->fd, SOL_SOCKET, SO_ERROR, &err, &el);
			if (!err && seen(&w, &p->addr, "tcp")) {
				rc = ipam_error_last()->code;
				goto done;
			}
			p->deadline = 0; /* answered or refused */
		}
		/* retire what is answered or out of time */
		now = ipam__mono_ns();
		for (size_t i = 0; i < w.np;) {
			probe *p = &w.p[i];
			if (p->deadline == 0 || p->deadline <= now) {
				if (p->fd >= 0)
					close(p->fd);
				w.p[i] = w.p[--w.np];
				ipam__disc_step(&prog);
			} else {
				i++;
			}
		}
	}
done:
	for (size_t i = 0; w.p && i < w.np; i++)
		if (w.p[i].fd >= 0)
			close(w.p[i].fd);
	if (w.icmp_fd >= 0)
		close(w.icmp_fd);
	free(w.p);
	free(pfd);
	free(map);
	return rc;
}
