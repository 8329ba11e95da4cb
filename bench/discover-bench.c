/* discover-bench: the figures of the discovery issue.
 *
 *   reconcile [N]  N recorded addresses (default 1,000,000) in 10.0.0.0/8 of
 *                  a memory store, N observations: three quarters of them of
 *                  recorded addresses (some with another MAC, some stale),
 *                  a quarter of unrecorded ones; times ipam_reconcile().
 *                  Floor: 1M against 1M in at most 3 s.
 *   sweep [RATE] [N]  a TCP sweep of N addresses of 127.0.0.0/8 (port 9,
 *                  nobody listens: each probe ends at once with a reset) at
 *                  RATE probes a second; prints the rate achieved and its
 *                  deviation from RATE. Floor: under 5%.
 *   snmp-silent [N] [K]  N SNMPv3 agents that never answer (127.77.0.x,
 *                  UDP 16161: nobody there) at concurrency K, one try of
 *                  200 ms each: every engine-ID probe times out. Prints the
 *                  time against ceil(N/K) x 200 ms (concurrent opening) and
 *                  N x 200 ms (one after another); fails above 1.5 x the
 *                  first.
 *
 * Not a test: run it in a release build (bench/README, docs/BENCHMARKS.md). */
#include "ipam.h"
#include "ipam/discover.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "discover-bench.h"

static int reconcile(unsigned long n)
{
	ipam_db *db;
	int rc;
	if ((rc = ipam_db_open(&db, "memory:", NULL)))
		die("open", rc);
	ipam_prefix p;
	ipam_prefix_parse(&p, "10.0.0.0/8", 0);
	if ((rc = ipam_prefix_add(db, &p, NULL)))
		die("prefix", rc);
	double t0 = now_s();
	if ((rc = ipam_db_begin(db)))
		die("begin", rc);
	ipam_ip_options io = IPAM_IP_OPTIONS_INIT;
	io.mac = "02:00:00:00:00:01";
	for (unsigned long i = 0; i < n; i++) {
		ipam_addr a;
		ipam_addr_from_v4(&a, 0x0a000001u + (uint32_t)i * 2); /* every other address */
		if ((rc = ipam_ip_add(db, &a, &io)))
			die("ip add", rc);
	}
	if ((rc = ipam_db_commit(db)))
		die("commit", rc);
	double t1 = now_s();
	ipam_obs_set *s;
	ipam_obs_set_new(&s);
	const int64_t NOW = 1700000000;
	for (unsigned long i = 0; i < n; i++) {
		ipam_observation o = IPAM_OBSERVATION_INIT;
		/* 3 of 4: a recorded address (even offsets), 1 of 4: the one after it */
		uint32_t off = (uint32_t)(i / 4 * 8 + (i % 4) * 2 + (i % 4 == 3));
		ipam_addr_from_v4(&o.addr, 0x0a000001u + off);
		o.has_mac = 1;
		ipam_mac_parse(&o.mac, i % 16 == 1 ? "02:00:00:00:00:02" : "02:00:00:00:00:01");
		o.source = "snmp";
		o.first_seen = o.last_seen = i % 32 == 2 ? NOW - 90 * 86400 : NOW;
		if ((rc = ipam_obs_set_add(s, &o)))
			die("obs add", rc);
	}
	double t2 = now_s();
	ipam_reconcile_options ro = IPAM_RECONCILE_OPTIONS_INIT;
	ro.now = NOW;
	ipam_reconcile_report *r;
	if ((rc = ipam_reconcile(&r, db, s, &ro)))
		die("reconcile", rc);
	double t3 = now_s();
	printf("reconcile: %lu observations against %lu recorded addresses: %.3f s "
	       "(load %.2f s, observations %.2f s)\n",
	       (unsigned long)ipam_obs_set_count(s), n, t3 - t2, t1 - t0, t2 - t1);
	for (int d = IPAM_DRIFT_UNRECORDED; d <= IPAM_DRIFT_SUBNET_DIFFERS; d++)
		printf("  %-15s %zu\n", ipam_drift_name(d), ipam_reconcile_report_count_of(r, d));
	ipam_reconcile_report_free(r);
	ipam_obs_set_free(s);
	ipam_db_free(db);
	return t3 - t2 <= 3.0 ? 0 : 1;
}

static int sweep(unsigned rate, unsigned n)
{
	static const uint16_t port[] = { 9 };
	ipam_obs_set *s;
	ipam_obs_set_new(&s);
	ipam_prefix p;
	unsigned len = 32;
	while (len > 8 && (1u << (32 - len)) < n + 2)
		len--;
	ipam_addr a;
	ipam_addr_from_v4(&a, 0x7f000000u);
	ipam_prefix_from(&p, &a, len, 0);
	ipam_sweep_options o = IPAM_SWEEP_OPTIONS_INIT;
	o.tcp_ports = port;
	o.ntcp_ports = 1;
	o.rate = rate;
	o.timeout_ms = 100;
	o.max_addresses = 1u << 24;
	double t0 = now_s();
	int rc = ipam_discover_sweep(s, &p, &o);
	double t = now_s() - t0;
	if (rc)
		die("sweep", rc);
	unsigned probes = (1u << (32 - len)) - 2;
	double got = (probes - 1) / t, dev = (got - rate) / rate * 100;
	printf("sweep: %u probes at %u/s: %.3f s, %.1f/s achieved, deviation %+.2f%%\n", probes, rate, t, got, dev);
	ipam_obs_set_free(s);
	return dev < 5 && dev > -5 ? 0 : 1;
}

static int snmp_silent(unsigned n, unsigned k)
{
	ipam_snmp_target *t = calloc(n ? n : 1, sizeof *t);
	char (*host)[32] = calloc(n ? n : 1, sizeof *host);
	int *err = calloc(n ? n : 1, sizeof *err);
	ipam_obs_set *s;
	if (!t || !host || !err || ipam_obs_set_new(&s))
		die("memory", IPAM_ENOMEM);
	for (unsigned i = 0; i < n; i++) {
		snprintf(host[i], sizeof host[i], "127.77.%u.%u:16161", i / 250, i % 250 + 1);
		t[i].host = host[i];
		t[i].snmp_version = IPAM_SNMP_V3;
		t[i].user = "bench";
		t[i].auth_pass = "authpass123";
		t[i].priv_pass = "privpass123";
	}
	ipam_snmp_options o = IPAM_SNMP_OPTIONS_INIT;
	o.concurrency = k;
	o.timeout_ms = 200;
	o.retries = 0;
	double t0 = now_s();
	int rc = ipam_discover_snmp(s, t, n, err, &o);
	double secs = now_s() - t0;
	unsigned timedout = 0;
	for (unsigned i = 0; i < n; i++)
		timedout += err[i] == IPAM_EIO;
	double rounds = (double)((n + k - 1) / k) * 0.2;
	printf("snmp-silent: %u v3 agents at concurrency %u: %.3f s (ceil(N/K) x 200 ms = %.1f s; one after another "
	       "%.1f s); %u timed out, rc %d\n",
	       n, k, secs, rounds, n * 0.2, timedout, rc);
	ipam_obs_set_free(s);
	free(t);
	free(host);
	free(err);
	return timedout == n && secs <= rounds * 1.5 ? 0 : 1;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "reconcile") == 0)
		return reconcile(argc > 2 ? strtoul(argv[2], NULL, 10) : 1000000);
	if (argc >= 2 && strcmp(argv[1], "sweep") == 0)
		return sweep(argc > 2 ? (unsigned)strtoul(argv[2], NULL, 10) : 1000,
			     argc > 3 ? (unsigned)strtoul(argv[3], NULL, 10) : 2000);
	if (argc >= 2 && strcmp(argv[1], "snmp-silent") == 0)
		return snmp_silent(argc > 2 ? (unsigned)strtoul(argv[2], NULL, 10) : 64,
				   argc > 3 ? (unsigned)strtoul(argv[3], NULL, 10) : 16);
	fprintf(stderr, "usage: discover-bench reconcile [N] | sweep [RATE] [N] | snmp-silent [N] [K]\n");
	return 2;
}
