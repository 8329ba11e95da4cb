/* The reverse-DNS sweep: one PTR query per address of the prefix, paced to
 * `rate`, through src/dns's PTR resolver (ipam__dns_ptr_query, ptrq.c):
 * this folder speaks no DNS itself. The pacing pause waits on the calling
 * thread's cancellation token (src/cancel.h), and the token is checked
 * before each query: once triggered, IPAM_ECANCELED, with the names found
 * so far kept in the set. */
#include "discover/disc.h"

#include "cancel.h"

#include <stdio.h>
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
	ipam__dns_ptrq *res;
	int rc = ipam__dns_ptrq_new(&res, o.server, o.port, o.timeout_ms ? o.timeout_ms : 2000, "rdns");
	if (rc)
		return rc;
	char device[80];
	snprintf(device, sizeof device, "%s%s%u", o.server, strchr(o.server, ':') ? "#" : ":",
		 o.port ? o.port : 53);
	int64_t now_s = o.now ? o.now : (int64_t)time(NULL);
	double rate = o.rate ? o.rate : 200;
	int64_t t0 = ipam__mono_ns();
	uint64_t answered = 0;
	ipam__disc_prog prog = { o.progress, o.progress_ctx, "rdns", 0, size.lo };
	ipam_addr a;
	ipam_prefix_first(&a, &pf);
	for (uint64_t i = 0; i < size.lo; i++) {
		int64_t due = t0 + (int64_t)((double)i * 1e9 / rate), now = ipam__mono_ns();
		if ((rc = ipam__cancel_sleep_ns(due - now, "rdns")))
			break;
		char *name = NULL;
		rc = ipam__dns_ptr_query(res, &a, &name);
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
		ipam__disc_step(&prog);
		if (i + 1 < size.lo)
			ipam_addr_next(&a, &a);
	}
	ipam__dns_ptrq_free(res);
	return rc;
}
