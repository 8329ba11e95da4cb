/* The reverse-DNS sweep. The resolver comes from the DNS module
 * (ipam__dns_resolver: the server, port and timeout as every DNS call of
 * libipam sets them); here it is switched to UDP with recursion desired,
 * as one asks a resolver, and asked one PTR per address, paced to `rate`.
 *
 * The few ldns calls below (query, answer section, rdata to text) belong in
 * src/dns behind an ipam__dns_ptr_query(); they are here until src/dns has
 * one (docs/discovery.md). */
#include "discover/disc.h"
#include "dns/dns.h"

#include <stdlib.h>
#include <time.h>

int ipam_rdns_options_init(ipam_rdns_options *opts, unsigned int version)
{
	if (version < 1 || version > IPAM_RDNS_OPTIONS_VERSION)
		return ipam__error(IPAM_EINVAL, "ipam_rdns_options: unknown version %u", version);
	*opts = (ipam_rdns_options)IPAM_RDNS_OPTIONS_INIT;
	opts->version = version;
	return 0;
}

/* The PTR target of `a` (NULL: none), or IPAM_EIO when nobody answered. */
static int ptr_of(ldns_resolver *res, const ipam_addr *a, char **name)
{
	char rev[IPAM_REVERSE_STRLEN];
	*name = NULL;
	if (ipam_addr_reverse_name(rev, sizeof rev, a) < 0)
		return ipam__error(IPAM_EINVAL, "rdns: not a valid address");
	ldns_rdf *q = ldns_dname_new_frm_str(rev);
	if (!q)
		return ipam__enomem();
	ldns_pkt *pkt = ldns_resolver_query(res, q, LDNS_RR_TYPE_PTR, LDNS_RR_CLASS_IN, LDNS_RD);
	ldns_rdf_deep_free(q);
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

int ipam_discover_rdns(ipam_obs_set *out, const ipam_prefix *prefix, const ipam_rdns_options *opts)
{
	ipam_rdns_options o = IPAM_RDNS_OPTIONS_INIT;
	if (opts) {
		if (opts->version < 1 || opts->version > IPAM_RDNS_OPTIONS_VERSION)
			return ipam__error(IPAM_EINVAL, "ipam_rdns_options: unknown version %u", opts->version);
		o = *opts;
	}
	ipam_prefix pf;
	if (!out || !prefix || ipam_prefix_from(&pf, &prefix->addr, prefix->len, 0) != 0)
		return ipam__error(IPAM_EINVAL, "rdns: prefix: not a valid prefix");
	if (!o.server)
		return ipam__error(IPAM_EINVAL, "rdns: server: required");
	ipam_u128 size = ipam_prefix_size(&pf);
	uint64_t max = o.max_addresses ? o.max_addresses : 65536;
	if (size.hi || size.lo > max)
		return ipam__error(IPAM_EINVAL, "rdns: %s holds more than max_addresses (%llu) addresses",
				   ipam__disc_prefix_txt(&pf).s, (unsigned long long)max);
	ipam__dns_server srv = { 0 };
	srv.address = o.server;
	srv.port = o.port;
	srv.timeout_ms = o.timeout_ms ? o.timeout_ms : 2000;
	ldns_resolver *res;
	int rc = ipam__dns_resolver(&res, &srv, "rdns");
	if (rc)
		return rc;
	ldns_resolver_set_usevc(res, false);
	ldns_resolver_set_recursive(res, true);
	ldns_resolver_set_retry(res, 2);
	char device[80];
	snprintf(device, sizeof device, "%s%s%u", o.server, strchr(o.server, ':') ? "#" : ":",
		 o.port ? o.port : 53);
	int64_t now_s = o.now ? o.now : (int64_t)time(NULL);
	double rate = o.rate ? o.rate : 200;
	int64_t t0 = ipam__disc_mono_ns();
	uint64_t answered = 0;
	ipam_addr a;
	ipam_prefix_first(&a, &pf);
	for (uint64_t i = 0; i < size.lo; i++) {
		int64_t due = t0 + (int64_t)((double)i * 1e9 / rate), now = ipam__disc_mono_ns();
		if (due > now)
			nanosleep(&(struct timespec){ (due - now) / 1000000000, (due - now) % 1000000000 }, NULL);
		char *name = NULL;
		rc = ptr_of(res, &a, &name);
		if (rc == IPAM_EIO && !answered && i >= 2) {
			rc = ipam__error(IPAM_EIO, "rdns: resolver %s answers no query (%s and the ones before)", device,
					 ipam__disc_addr_txt(&a).s);
			break;
		}
		if (rc == IPAM_EIO) {
			rc = 0; /* this one lost; the others go on */
		} else if (rc) {
			break;
		} else {
			answered++;
		}
		if (name) {
			ipam_observation ob = IPAM_OBSERVATION_INIT;
			ob.space = o.space;
			ob.addr = a;
			ob.name = name;
			ob.source = "rdns";
			ob.device = device;
			ob.first_seen = ob.last_seen = now_s;
			rc = ipam_obs_set_add(out, &ob);
			free(name);
			if (rc)
				break;
		}
		if (i + 1 < size.lo)
			ipam_addr_next(&a, &a);
	}
	ldns_resolver_deep_free(res);
	return rc;
}
