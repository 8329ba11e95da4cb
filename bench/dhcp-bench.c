/* dhcp-bench: the DHCP capability's figures (issue 6). Not a unit test: run
 * it in a release build.
 *
 *   build-bench/bench/dhcp-bench render [SCOPES [RESERVATIONS]]
 *       a model of SCOPES /24 scopes (default 10,000) in 10.0.0.0/8, each
 *       with a pool cut by one exclusion, two options, and RESERVATIONS
 *       (default 100,000) spread over them, an option template and global
 *       options; then Kea Dhcp4 JSON rendered over an empty base, and once
 *       more over that output (the merge: every subnet found and replaced).
 *
 *   build-bench/bench/dhcp-bench leases [ROWS]
 *       a Kea memfile CSV of ROWS rows (default 1,000,000; 1 in 10 renews
 *       an earlier address, 1 in 50 deletes one) made in memory, then read
 *       by ipam__dhcp_leases_kea_csv.
 *
 *   build-bench/bench/dhcp-bench api [SCOPES]
 *       the public API (include/ipam/dhcp.h) on the memory store: SCOPES
 *       (default 1,000) /24 scopes added one call each, a pool and a
 *       reservation each (two more calls), then ipam_dhcp_render. Every
 *       change reads the stored model whole, so this shows what a call
 *       costs as the number of scopes grows.
 *
 * Output: one line per figure, "name wall-seconds s (cpu-seconds cpu, detail)". */
#include "dhcp/dhcp.h"

#include <ipam/dhcp.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double clock_of(clockid_t id)
{
	struct timespec t;
	clock_gettime(id, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* wall and CPU time: the machine is shared, so both are said */
typedef struct timer {
	double wall, cpu;
} timer;

static timer start(void)
{
	return (timer){clock_of(CLOCK_MONOTONIC), clock_of(CLOCK_THREAD_CPUTIME_ID)};
}

static void report(const char *name, timer t, const char *detail)
{
	printf("%s %.3f s (%.3f cpu, %s)\n", name, clock_of(CLOCK_MONOTONIC) - t.wall,
	       clock_of(CLOCK_THREAD_CPUTIME_ID) - t.cpu, detail);
}

static void must(int rc, const char *what)
{
	if (rc) {
		fprintf(stderr, "%s: %s\n", what, ipam_error_last()->message);
		exit(1);
	}
}

static int render(size_t nscopes, size_t nresv)
{
	ipam__dhcp_config *c;
	ipam__dhcp_template *t;
	timer tm = start();
	must(ipam__dhcp_config_new(&c), "config");
	must(ipam__dhcp_opt_set(c, &c->global4, IPAM_AF_INET, 0, "domain-name-servers", "192.0.2.53, 192.0.2.54", "g"),
	     "global");
	must(ipam__dhcp_template_add(c, "site", &t), "template");
	must(ipam__dhcp_opt_set(c, &t->opts, IPAM_AF_INET, 0, "domain-name", "example.com", "t"), "template option");
	for (size_t i = 0; i < nscopes; i++) {
		char name[32], pfx[32], text[64];
		unsigned a = (unsigned)(i >> 8), b = (unsigned)(i & 255);
		ipam__dhcp_scope *s;
		ipam__dhcp_pool *p;
		snprintf(name, sizeof name, "s%06zu", i);
		snprintf(pfx, sizeof pfx, "10.%u.%u.0/24", a, b);
		must(ipam__dhcp_scope_add(c, name, pfx, 0, &s), "scope");
		must(ipam__dhcp_scope_template(s, "site"), "scope template");
		snprintf(text, sizeof text, "10.%u.%u.1", a, b);
		must(ipam__dhcp_opt_set(c, &s->opts, IPAM_AF_INET, 0, "routers", text, name), "routers");
		must(ipam__dhcp_opt_set(c, &s->opts, IPAM_AF_INET, 0, "interface-mtu", "1500", name), "mtu");
		snprintf(text, sizeof text, "10.%u.%u.100-10.%u.%u.250", a, b, a, b);
		must(ipam__dhcp_pool_add(s, text, &p), "pool");
		snprintf(text, sizeof text, "10.%u.%u.150-10.%u.%u.159", a, b, a, b);
		must(ipam__dhcp_pool_exclude(s, p, text), "exclusion");
	}
	for (size_t r = 0; r < nresv; r++) {
		ipam__dhcp_scope *s = c->scopes[r % nscopes];
		size_t k = r / nscopes;
		char addr[32], mac[32], host[32];
		unsigned a = (unsigned)((r % nscopes) >> 8), b = (unsigned)((r % nscopes) & 255);
		snprintf(addr, sizeof addr, "10.%u.%u.%zu", a, b, 2 + k % 90);
		snprintf(mac, sizeof mac, "mac:02:00:%02x:%02x:%02x:%02x", (unsigned)(r >> 24) & 255,
			 (unsigned)(r >> 16) & 255, (unsigned)(r >> 8) & 255, (unsigned)r & 255);
		snprintf(host, sizeof host, "h%zu", r);
		must(ipam__dhcp_resv_add(s, addr, mac, host, NULL), "reservation");
	}
	char detail[96];
	snprintf(detail, sizeof detail, "%zu scopes, %zu reservations", nscopes, nresv);
	report("build-model", tm, detail);
	ipam_buf first = IPAM_BUF_INIT, again = IPAM_BUF_INIT;
	tm = start();
	must(ipam__dhcp_render_kea(&first, c, IPAM_AF_INET, NULL, NULL), "render");
	snprintf(detail, sizeof detail, "%zu bytes", first.size);
	report("render-kea4", tm, detail);
	tm = start();
	must(ipam__dhcp_render_kea(&again, c, IPAM_AF_INET, NULL, first.ptr), "render over");
	report("render-kea4-merge", tm, strcmp(first.ptr, again.ptr) ? "DIFFERS" : "same text");
	ipam_buf_dispose(&first);
	ipam_buf_dispose(&again);
	ipam__dhcp_config_free(c);
	return 0;
}

static int leases(size_t rows)
{
	ipam_buf csv = IPAM_BUF_INIT;
	must(ipam__buf_printf(&csv, "address,hwaddr,client_id,valid_lifetime,expire,subnet_id,fqdn_fwd,fqdn_rev,"
				    "hostname,state,user_context\n"),
	     "csv");
	size_t distinct = 0;
	for (size_t i = 0; i < rows; i++) {
		size_t n = i % 10 == 9 ? (size_t)(i * 7919) % (distinct ? distinct : 1) : distinct++;
		unsigned valid = i % 50 == 49 ? 0 : 3600;
		must(ipam__buf_printf(&csv, "10.%u.%u.%u,02:00:%02x:%02x:%02x:%02x,,%u,%zu,%zu,0,0,host-%zu,0,\n",
				      (unsigned)(n >> 16) & 255, (unsigned)(n >> 8) & 255, (unsigned)n & 255,
				      (unsigned)(n >> 24) & 255, (unsigned)(n >> 16) & 255, (unsigned)(n >> 8) & 255,
				      (unsigned)n & 255, valid, 1741600000 + i, 1 + n / 256, n),
		     "csv row");
	}
	ipam__dhcp_leases l = {0};
	timer tm = start();
	must(ipam__dhcp_leases_kea_csv(&l, csv.ptr, csv.size, "bench.csv"), "read");
	char detail[96];
	snprintf(detail, sizeof detail, "%zu rows, %zu bytes, %zu leases kept", rows, csv.size, l.n);
	report("ingest-kea-csv", tm, detail);
	ipam__dhcp_leases_free(&l);
	ipam_buf_dispose(&csv);
	return 0;
}

static int api(size_t nscopes)
{
	ipam_db *db;
	must(ipam_db_open(&db, "memory:", NULL), "open");
	char name[32], pfx[32], range[64], addr[32], detail[200];
	timer tm = start(), half = tm;
	for (size_t i = 0; i < nscopes; i++) {
		if (i == nscopes / 2)
			half = start();
		unsigned a = (unsigned)(i >> 8) & 255, b = (unsigned)i & 255;
		snprintf(name, sizeof name, "s%zu", i);
		snprintf(pfx, sizeof pfx, "10.%u.%u.0/24", a, b);
		snprintf(range, sizeof range, "10.%u.%u.100-10.%u.%u.199", a, b, a, b);
		snprintf(addr, sizeof addr, "10.%u.%u.10", a, b);
		must(ipam_scope_add(db, name, pfx, NULL), "scope add");
		must(ipam_pool_add(db, name, range, NULL), "pool add");
		must(ipam_reservation_add(db, name, addr, "mac:00:00:5e:00:53:01", NULL), "reservation add");
	}
	snprintf(detail, sizeof detail, "%zu scopes, 3 calls each", nscopes);
	report("api-build", tm, detail);
	snprintf(detail, sizeof detail, "the last %zu scopes' calls: %zu to %zu scopes stored", nscopes - nscopes / 2,
		 nscopes / 2, nscopes);
	report("api-build-second-half", half, detail);
	ipam_buf b = IPAM_BUF_INIT;
	tm = start();
	must(ipam_dhcp_render(&b, db, IPAM_DHCP_FORMAT_KEA4, NULL, NULL), "render");
	snprintf(detail, sizeof detail, "%zu bytes", b.size);
	report("api-render", tm, detail);
	ipam_buf_dispose(&b);
	ipam_db_free(db);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "api"))
		return api(argc > 2 ? strtoul(argv[2], NULL, 10) : 1000);
	if (argc >= 2 && !strcmp(argv[1], "render"))
		return render(argc > 2 ? strtoul(argv[2], NULL, 10) : 10000, argc > 3 ? strtoul(argv[3], NULL, 10) : 100000);
	if (argc >= 2 && !strcmp(argv[1], "leases"))
		return leases(argc > 2 ? strtoul(argv[2], NULL, 10) : 1000000);
	fprintf(stderr, "usage: dhcp-bench render [SCOPES [RESERVATIONS]] | leases [ROWS] | api [SCOPES]\n");
	return 2;
}
