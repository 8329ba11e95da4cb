/* dns-bench: the DNS capability's figures (issue 5). Not a unit test: run it
 * in a release build.
 *
 *   build-bench/bench/dns-bench render [N]
 *       a forward zone of N records (default 1,000,000: 70% A, 20% AAAA,
 *       5% CNAME, 5% TXT, one owner name each) built in memory; then:
 *       render-first  the first rendering (canonical sort + checks + text),
 *       render-again  rendering the same content again (sorted already),
 *       parse-back    reading the rendered text back into a zone,
 *       and the bytes rendered. The records are added in a shuffled order so
 *       that the sort does real work.
 *
 *   build-bench/bench/dns-bench push ADDR PORT KEYNAME SECRET [N]
 *       RFC 2136 with TSIG (hmac-sha256) to the zone bench.test. on a
 *       running server that holds only its SOA and NS (bench/dns-push.sh
 *       starts one): push N new A records (default 10,000), then change all
 *       N (new addresses), then delete all N; each push timed, with its
 *       message count. Every push's result is checked (all messages
 *       applied), and the server is asked for two of the names after each.
 *
 *   build-bench/bench/dns-bench derive [N]
 *       the stored model (include/ipam/dns.h) on a memory: database:
 *       the zones example.test. and 10.in-addr.arpa., then N addresses
 *       allocated from 10.0.0.0/8 with host names h<i>.example.test (one
 *       transaction), then each zone rendered, which derives its N A or PTR
 *       records from the addresses, twice (the first render also takes the
 *       next serial). Each rendered zone is checked to hold N derived records.
 *
 * Output: one line per figure, "name value unit (detail)". */
#include "dns/dns.h"
#include "ipam.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* CPU time of this thread: the machine is shared (other builds run on its
 * two cores), so every figure says both */
static double cpu(void)
{
	struct timespec t;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void die(const char *what, int rc)
{
	fprintf(stderr, "dns-bench: %s: %s (%s)\n", what, ipam_error_name(rc), ipam_error_last()->message);
	exit(1);
}

/* xorshift: a fixed shuffle, the same every run */
static uint64_t rng = 0x9e3779b97f4a7c15u;
static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static ldns_rr *make_rr(const ldns_rdf *origin, uint32_t i, ldns_rdf **owner_cache)
{
	char label[32];
	snprintf(label, sizeof label, "h%u", i);
	ldns_rdf *owner = ldns_dname_new_frm_str(label);
	if (!owner || ldns_dname_cat(owner, origin) != LDNS_STATUS_OK)
		return NULL;
	(void)owner_cache;
	ldns_rr *rr = ldns_rr_new();
	ldns_rr_set_owner(rr, owner);
	ldns_rr_set_class(rr, LDNS_RR_CLASS_IN);
	ldns_rr_set_ttl(rr, 3600);
	unsigned kind = i % 20;
	if (kind < 14) {
		uint8_t a[4] = { 10, (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i };
		ldns_rr_set_type(rr, LDNS_RR_TYPE_A);
		ldns_rr_push_rdf(rr, ldns_rdf_new_frm_data(LDNS_RDF_TYPE_A, 4, a));
	} else if (kind < 18) {
		uint8_t a[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, (uint8_t)(i >> 24), (uint8_t)(i >> 16),
				  (uint8_t)(i >> 8), (uint8_t)i };
		ldns_rr_set_type(rr, LDNS_RR_TYPE_AAAA);
		ldns_rr_push_rdf(rr, ldns_rdf_new_frm_data(LDNS_RDF_TYPE_AAAA, 16, a));
	} else if (kind < 19) {
		char t[32];
		snprintf(t, sizeof t, "h%u", i - 1);
		ldns_rdf *target = ldns_dname_new_frm_str(t);
		ldns_dname_cat(target, origin);
		ldns_rr_set_type(rr, LDNS_RR_TYPE_CNAME);
		ldns_rr_push_rdf(rr, target);
	} else {
		char t[48];
		snprintf(t, sizeof t, "owner=team-%u; cost-center=%u", i % 97, i % 13);
		ldns_rdf *txt = NULL;
		ldns_str2rdf_str(&txt, t);
		ldns_rr_set_type(rr, LDNS_RR_TYPE_TXT);
		ldns_rr_push_rdf(rr, txt);
	}
	return rr;
}

static void bench_render(uint32_t n)
{
	ipam__dns_zone *z = NULL;
	int rc = ipam__dns_zone_new(&z, "bench.test.");
	if (!rc)
		rc = ipam__dns_zone_set_soa(z, "ns1.bench.test.", "hostmaster.bench.test.", 2026112100, 3600, 900, 1209600, 300);
	if (!rc)
		rc = ipam__dns_zone_add_ns(z, "ns1.bench.test.");
	if (rc)
		die("zone", rc);
	uint32_t *order = malloc((size_t)n * sizeof *order);
	if (!order)
		die("memory", IPAM_ENOMEM);
	for (uint32_t i = 0; i < n; i++)
		order[i] = i;
	for (uint32_t i = n; i > 1; i--) {
		uint32_t j = (uint32_t)(next() % i);
		uint32_t t = order[i - 1];
		order[i - 1] = order[j];
		order[j] = t;
	}
	double t0 = now(), c0 = cpu();
	for (uint32_t k = 0; k < n; k++) {
		ldns_rr *rr = make_rr(z->origin, order[k], NULL);
		if (!rr)
			die("record", IPAM_ENOMEM);
		/* checked as every record is */
		if ((rc = ipam__dns_zone_add_rr(z, rr, 0, NULL)))
			die("add", rc);
	}
	double t1 = now(), c1 = cpu();
	free(order);
	printf("build %.3f s, cpu %.3f s (%u records made with ldns and checked one by one)\n", t1 - t0, c1 - c0, n);

	ipam_buf out = IPAM_BUF_INIT;
	t0 = now(), c0 = cpu();
	if ((rc = ipam__dns_render_zone(&out, z)))
		die("render", rc);
	t1 = now(), c1 = cpu();
	printf("render-first %.3f s, cpu %.3f s (%zu records, %zu bytes: sort + zone checks + text)\n", t1 - t0, c1 - c0,
	       z->n + 1, out.size);
	size_t first = out.size;
	ipam_buf_dispose(&out);
	t0 = now(), c0 = cpu();
	if ((rc = ipam__dns_render_zone(&out, z)))
		die("render", rc);
	t1 = now(), c1 = cpu();
	printf("render-again %.3f s, cpu %.3f s (%zu bytes, %s)\n", t1 - t0, c1 - c0, out.size,
	       out.size == first ? "same size" : "SIZE DIFFERS");

	ipam__dns_zone *back = NULL;
	t0 = now(), c0 = cpu();
	if ((rc = ipam__dns_zone_parse(&back, out.ptr, out.size, NULL, "bench.zone")))
		die("parse", rc);
	t1 = now(), c1 = cpu();
	printf("parse-back %.3f s, cpu %.3f s (%zu records read back with ldns)\n", t1 - t0, c1 - c0, back->n + 1);
	ipam__dns_zone_free(back);
	ipam_buf_dispose(&out);
	ipam__dns_zone_free(z);
}

static void check_query(const ipam__dns_server *srv, const char *name, const char *want)
{
	/* one SOA-less look at the server through ldns, to be sure the
	 * push landed */
	ldns_resolver *r = NULL;
	int rc = ipam__dns_resolver(&r, srv, "query");
	if (rc)
		die("resolver", rc);
	ldns_resolver_set_usevc(r, false);
	ldns_rdf *qn = ldns_dname_new_frm_str(name);
	ldns_pkt *p = NULL;
	ldns_status st = ldns_resolver_send(&p, r, qn, LDNS_RR_TYPE_A, LDNS_RR_CLASS_IN, 0);
	char got[64] = "";
	if (st == LDNS_STATUS_OK && p && ldns_rr_list_rr_count(ldns_pkt_answer(p)) == 1) {
		char *s = ldns_rdf2str(ldns_rr_rdf(ldns_rr_list_rr(ldns_pkt_answer(p), 0), 0));
		snprintf(got, sizeof got, "%s", s);
		free(s);
	}
	if (strcmp(got, want) != 0) {
		fprintf(stderr, "dns-bench: %s A: \"%s\", want \"%s\"\n", name, got, want);
		exit(1);
	}
	ldns_pkt_free(p);
	ldns_rdf_deep_free(qn);
	ldns_resolver_deep_free(r);
}

static void push_step(const char *name, const ipam__dns_server *srv, ipam__dns_zone **last, ipam__dns_zone *cur,
		      uint32_t n)
{
	ipam__dns_push_result r;
	double t0 = now();
	int rc = ipam__dns_push(&r, srv, *last, cur, NULL);
	double t1 = now();
	if (rc)
		die(name, rc);
	if (r.applied != r.messages)
		die("not all applied", IPAM_EBACKEND);
	printf("%s %.3f s (%u changes, %zu RRsets, %zu messages, %.0f changes/s)\n", name, t1 - t0, n, r.changes, r.messages,
	       n / (t1 - t0));
	ipam__dns_zone_free(*last);
	*last = r.state;
	r.state = NULL;
	ipam__dns_push_result_dispose(&r);
}

static void bench_push(const char *addr, int port, const char *key, const char *secret, uint32_t n)
{
	ipam__dns_server srv = { "bench", addr, (uint16_t)port, 30000, { key, "hmac-sha256", secret } };
	ipam__dns_zone *last = NULL, *cur = NULL;
	int rc = ipam__dns_zone_new(&last, "bench.test.");
	if (!rc)
		rc = ipam__dns_zone_set_soa(last, "ns1.bench.test.", "hostmaster.bench.test.", 1, 3600, 900, 1209600, 300);
	if (!rc)
		rc = ipam__dns_zone_add_ns(last, "ns1.bench.test.");
	if (!rc)
		rc = ipam__dns_zone_add(last, "ns1 A 127.0.0.1", NULL);
	if (rc)
		die("zone", rc);
	char line[128];
	for (int step = 0; step < 3; step++) {
		if ((rc = ipam__dns_zone_clone(&cur, last)))
			die("clone", rc);
		for (uint32_t i = 0; i < n; i++) {
			snprintf(line, sizeof line, "host%u.bench.test.", i);
			ldns_rdf *o = ldns_dname_new_frm_str(line);
			if (step > 0)
				ipam__dns_zone_remove(cur, o, LDNS_RR_TYPE_A);
			ldns_rdf_deep_free(o);
			if (step < 2) {
				snprintf(line, sizeof line, "host%u 300 IN A 10.%u.%u.%u", i, step, (i >> 8) & 255, i & 255);
				if ((rc = ipam__dns_zone_add(cur, line, NULL)))
					die("add", rc);
			}
		}
		static const char *const names[] = { "push-add", "push-change", "push-delete" };
		push_step(names[step], &srv, &last, cur, n);
		char want[32];
		snprintf(want, sizeof want, step == 2 ? "" : "10.%d.0.0", step);
		check_query(&srv, "host0.bench.test.", want);
		ipam__dns_zone_free(cur);
		cur = NULL;
	}
	ipam__dns_zone_free(last);
}

static void must(int rc, const char *what)
{
	if (rc) {
		fprintf(stderr, "dns-bench: %s: %s\n", what, ipam_error_last()->message);
		exit(1);
	}
}

static size_t count_lines(const char *s, const char *needle)
{
	size_t n = 0;
	for (const char *p = s; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

static void bench_derive(uint32_t n)
{
	ipam_db *db = NULL;
	must(ipam_db_open(&db, "memory:", NULL), "open");
	ipam_prefix net;
	must(ipam_prefix_parse(&net, "10.0.0.0/8", IPAM_PARSE_DEFAULT), "prefix");
	must(ipam_prefix_add(db, &net, NULL), "prefix add");
	ipam_zone_options zo = IPAM_ZONE_OPTIONS_INIT;
	zo.ns = "ns1.example.test.";
	must(ipam_zone_add(db, "example.test", &zo), "zone add");
	must(ipam_zone_add(db, "10.in-addr.arpa", &zo), "zone add");
	double t0 = now(), c0 = cpu();
	must(ipam_db_begin(db), "begin");
	char host[64];
	ipam_ip_options io = IPAM_IP_OPTIONS_INIT;
	io.hostname = host;
	for (uint32_t i = 0; i < n; i++) {
		ipam_addr a;
		snprintf(host, sizeof host, "h%u.example.test", i);
		must(ipam_ip_alloc(&a, db, &net, &io), "alloc");
	}
	must(ipam_db_commit(db), "commit");
	printf("alloc-with-hostnames %.3f s (CPU %.3f s; %u addresses, one transaction)\n", now() - t0, cpu() - c0, n);
	const char *zones[2] = { "example.test", "10.in-addr.arpa" };
	const char *rr[2] = { "\tIN\tA\t", "\tIN\tPTR\t" };
	for (int z = 0; z < 2; z++) {
		for (int round = 0; round < 2; round++) {
			ipam_buf b = IPAM_BUF_INIT;
			t0 = now();
			c0 = cpu();
			must(ipam_zone_render(&b, db, zones[z], NULL), "render");
			double wall = now() - t0, c = cpu() - c0;
			size_t got = count_lines(b.ptr, rr[z]);
			if (got != n) {
				fprintf(stderr, "dns-bench: %s holds %zu derived records, want %u\n", zones[z], got, n);
				exit(1);
			}
			printf("derive-render-%s-%s %.3f s (CPU %.3f s; %zu records, %zu bytes)\n", z ? "reverse" : "forward",
			       round ? "again" : "first", wall, c, got, b.size);
			ipam_buf_dispose(&b);
		}
	}
	ipam_db_free(db);
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "render")) {
		bench_render(argc > 2 ? (uint32_t)strtoul(argv[2], NULL, 10) : 1000000u);
		return 0;
	}
	if (argc >= 6 && !strcmp(argv[1], "push")) {
		bench_push(argv[2], atoi(argv[3]), argv[4], argv[5], argc > 6 ? (uint32_t)strtoul(argv[6], NULL, 10) : 10000u);
		return 0;
	}
	if (argc >= 2 && !strcmp(argv[1], "derive")) {
		bench_derive(argc > 2 ? (uint32_t)strtoul(argv[2], NULL, 10) : 100000u);
		return 0;
	}
	fprintf(stderr, "usage: dns-bench render [N]\n       dns-bench push ADDR PORT KEYNAME SECRET [N]\n"
	                "       dns-bench derive [N]\n");
	return 2;
}
