/* The reverse-DNS sweep against BIND on 127.0.0.1 (started by the DNS
 * tests' helpers, tests/dns/dns_test.h) serving an IPv4 and an IPv6 reverse
 * zone: exactly their PTRs come back as observations, and a resolver that
 * does not answer is a clear IPAM_EIO. A paced sweep stops on the
 * cancellation token during its pause, keeping what it found. */
#include "ipam.h"
#include "ipam/discover.h"

#include "../dns/dns_test.h"
#include "disc_test.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NOW 1700000000

static const char zone4[] = "$ORIGIN 0.97.10.in-addr.arpa.\n$TTL 60\n@ SOA ns.example.test. h.example.test. 1 3600 600 86400 60\n"
			    "@ NS ns.example.test.\n1 PTR gw.example.test.\n5 PTR host5.example.test.\n"
			    "200 PTR outside-the-sweep.example.test.\n";
static const char zone6[] = "$ORIGIN 8.9.0.0.0.0.d.f.ip6.arpa.\n$TTL 60\n@ SOA ns.example.test. h.example.test. 1 3600 600 86400 60\n"
			    "@ NS ns.example.test.\n"
			    "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0 PTR v6host.example.test.\n";

static dt_server server;

static const char *sweep(const char *cidr, int port, int *rc)
{
	static char out[2048];
	ipam_obs_set *s;
	ipam_prefix p;
	ck_assert_int_eq(ipam_prefix_parse(&p, cidr, 0), 0);
	ck_assert_int_eq(ipam_obs_set_new(&s), 0);
	ipam_rdns_options o = IPAM_RDNS_OPTIONS_INIT;
	o.server = "127.0.0.1";
	o.port = (uint16_t)port;
	o.timeout_ms = 200;
	o.rate = 5000;
	o.now = NOW;
	*rc = ipam_discover_rdns(s, &p, &o);
	snprintf(out, sizeof out, "%s", disc_lines(s, NOW));
	/* names are not part of disc_lines: append them */
	for (size_t i = 0; i < ipam_obs_set_count(s); i++) {
		ipam_observation ob;
		ipam_obs_set_get(&ob, s, i);
		size_t u = strlen(out);
		snprintf(out + u, sizeof out - u, "name %s\n", ob.name);
	}
	ipam_obs_set_free(s);
	return out;
}

START_TEST(rdns_finds_ptrs)
{
	int rc;
	char dev[64];
	snprintf(dev, sizeof dev, "127.0.0.1:%d", server.port);
	const char *got = sweep("10.97.0.0/28", server.port, &rc);
	ck_assert_msg(rc == 0, "%s", ipam_error_last()->message);
	char want[1024];
	snprintf(want, sizeof want,
		 "rdns default 10.97.0.1 - %s\nrdns default 10.97.0.5 - %s\n"
		 "name gw.example.test.\nname host5.example.test.\n",
		 dev, dev);
	ck_assert_str_eq(got, want);
	got = sweep("fd00:98::/124", server.port, &rc);
	ck_assert_msg(rc == 0, "%s", ipam_error_last()->message);
	snprintf(want, sizeof want, "rdns default fd00:98::1 - %s\nname v6host.example.test.\n", dev);
	ck_assert_str_eq(got, want);
}
END_TEST

START_TEST(rdns_no_resolver)
{
	int rc, port = dt_free_port();
	sweep("10.97.0.0/29", port, &rc);
	ck_assert_int_eq(rc, IPAM_EIO);
	ck_assert_ptr_nonnull(strstr(ipam_error_last()->message, "answers no query"));
}
END_TEST

typedef struct paced {
	ipam_cancel *tok;
	ipam_obs_set *set;
	int rc;
	char message[256];
	struct timespec returned;
} paced;

static void *paced_sweep(void *arg)
{
	paced *p = arg;
	ipam_prefix pf;
	ck_assert_int_eq(ipam_prefix_parse(&pf, "10.97.0.0/28", 0), 0);
	ipam_rdns_options o = IPAM_RDNS_OPTIONS_INIT;
	o.server = "127.0.0.1";
	o.port = (uint16_t)server.port;
	o.timeout_ms = 2000;
	o.rate = 2; /* 16 addresses: 8 s */
	o.now = NOW;
	ck_assert_int_eq(ipam_cancel_attach(p->tok), 0);
	p->rc = ipam_discover_rdns(p->set, &pf, &o);
	clock_gettime(CLOCK_MONOTONIC, &p->returned);
	snprintf(p->message, sizeof p->message, "%s", ipam_error_last()->message);
	ipam_cancel_detach();
	return NULL;
}

/* Two queries a second: triggered at 0.75 s, between the answer for
 * 10.97.0.1 (at 0.5 s) and the next query, the sweep returns at once with
 * gw's PTR kept. */
START_TEST(rdns_pacing_stops)
{
	paced p = { 0 };
	ck_assert_int_eq(ipam_cancel_new(&p.tok), 0);
	ck_assert_int_eq(ipam_obs_set_new(&p.set), 0);
	pthread_t t;
	ck_assert_int_eq(pthread_create(&t, NULL, paced_sweep, &p), 0);
	struct timespec pause = { 0, 750000000L }, trig;
	while (nanosleep(&pause, &pause) != 0)
		;
	clock_gettime(CLOCK_MONOTONIC, &trig);
	ipam_cancel_trigger(p.tok);
	ck_assert_int_eq(pthread_join(t, NULL), 0);
	double took = (double)(p.returned.tv_sec - trig.tv_sec) + (double)(p.returned.tv_nsec - trig.tv_nsec) / 1e9;
	printf("stopped: paced reverse-DNS sweep %.1f ms after the trigger\n", took * 1000);
	ck_assert_msg(p.rc == IPAM_ECANCELED, "%d %s", p.rc, p.message);
	ck_assert_str_eq(p.message, "rdns: canceled");
	ck_assert_msg(took < 0.2, "returned %.3f s after the trigger", took);
	ck_assert_uint_eq(ipam_obs_set_count(p.set), 1);
	ipam_observation ob;
	ck_assert_int_eq(ipam_obs_set_get(&ob, p.set, 0), 0);
	ck_assert_str_eq(ob.name, "gw.example.test.");
	ipam_obs_set_free(p.set);
	ipam_cancel_free(p.tok);
}
END_TEST

int main(void)
{
	if (!dt_have("named")) {
		fprintf(stderr, "named is not installed: skipped\n");
		return 77;
	}
	dt_zone zones[] = { { "0.97.10.in-addr.arpa.", zone4 }, { "8.9.0.0.0.0.d.f.ip6.arpa.", zone6 } };
	if (dt_start(&server, DT_BIND, zones, 2, NULL) != 0) {
		fprintf(stderr, "%s\n", dt_why());
		return 1;
	}
	Suite *s = suite_create("rdns");
	TCase *tc = tcase_create("rdns");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, rdns_finds_ptrs);
	tcase_add_test(tc, rdns_no_resolver);
	tcase_add_test(tc, rdns_pacing_stops);
	suite_add_tcase(s, tc);
	int st = disc_run(s);
	dt_stop(&server);
	return st;
}
