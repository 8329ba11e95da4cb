/* CoreDNS itself reads what libipam renders for it: the Corefile of
 * ipam_dns_config (file plugin, one server block a zone, bound to
 * 127.0.0.1) and the zone files of ipam_zone_render for a forward zone, a
 * reverse IPv4 zone with an RFC 2317 classless child and an IPv6 nibble
 * zone, with records derived from addresses and typed by hand. The test
 * builds CoreDNS (tests/dns/coredns: the errors, file and bind plugins only)
 * once per version into a cache outside the build tree, starts it on a free
 * port and checks its A, AAAA, PTR and CNAME answers.
 *
 * A failed fetch or build of CoreDNS fails the test; it exits 77 (skip) only
 * when Go itself is not installed or no Go module proxy can be reached
 * (CoreDNS is not in Debian 12: then it cannot be had on this machine). */
#include "dns_check.h"
#include "dns_test.h"

#include "ipam.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const FWD = "example.test.", *const REV4 = "2.0.192.in-addr.arpa.",
                         *const CLS = "0/26.2.0.192.in-addr.arpa.",
                         *const REV6 = "0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.";

/* the CoreDNS binary (build.sh's last line), set by main */
static char coredns[1024];

static void expect(const dt_server *s, const char *name, const char *type, int rcode, const char *want)
{
	char out[2048] = "";
	int rc = dt_query("127.0.0.1", s->port, name, type, out, sizeof out);
	ck_assert_msg(rc == rcode && !strcmp(out, want), "coredns: %s %s: rcode %d \"%s\", want rcode %d \"%s\"", name,
		      type, rc, out, rcode, want);
}

START_TEST(coredns_serves_rendered_zones)
{
	ipam_db *db = NULL;
	OK(ipam_db_open(&db, "memory:", NULL));
	ipam_zone_options zo = IPAM_ZONE_OPTIONS_INIT;
	zo.ns = "ns1.example.test.";
	zo.ttl = 60;
	const char *zones[] = { FWD, REV4, CLS, REV6 };
	for (size_t i = 0; i < 4; i++)
		OK(ipam_zone_add(db, zones[i], &zo));
	OK(ipam_record_add(db, FWD, NULL, "ns1 A 127.0.0.1"));
	OK(ipam_record_add(db, FWD, NULL, "@ MX 10 mail"));
	OK(ipam_record_add(db, FWD, NULL, "web CNAME www"));
	OK(ipam_record_add(db, FWD, NULL, "@ TXT \"v=spf1 -all\""));
	/* RFC 2317: the /24 points into its classless child by a CNAME */
	OK(ipam_record_add(db, REV4, NULL, "5 CNAME 5.0/26.2.0.192.in-addr.arpa."));
	host(db, "192.0.2.5", "www.example.test");    /* PTR in the classless /26 */
	host(db, "192.0.2.70", "mail.example.test");  /* PTR in the /24 */
	host(db, "2001:db8::5", "www.example.test");

	/* the Corefile and the files where it says */
	char dir[256];
	ck_assert(dt_tmpdir(dir, "coredns-zones") == 0);
	int port = dt_free_port();
	ck_assert_int_gt(port, 0);
	ipam_dns_config_options co = IPAM_DNS_CONFIG_OPTIONS_INIT;
	co.format = IPAM_DNS_CONFIG_COREFILE;
	co.dir = dir;
	co.port = (unsigned)port;
	co.listen = "127.0.0.300";
	ipam_buf conf = IPAM_BUF_INIT;
	RC(ipam_dns_config(&conf, db, &co), IPAM_EINVAL);
	has(ipam_error_last()->message, "Corefile: the listen address \"127.0.0.300\" is no IPv4 or IPv6 address");
	co.listen = "127.0.0.1";
	OK(ipam_dns_config(&conf, db, &co));
	char want[700];
	snprintf(want, sizeof want, "0/26.2.0.192.in-addr.arpa.:%d {\n\tfile %s/0_26.2.0.192.in-addr.arpa.zone\n"
	                            "\terrors\n\tbind 127.0.0.1\n}\n", port, dir);
	has(conf.ptr, want);
	const char *const files[][2] = { { FWD, NULL }, { REV4, NULL }, { CLS, NULL }, { REV6, NULL } };
	ck_assert_msg(dt_write_zone_files(db, dir, files, 4, conf.ptr) == 0, "%s", dt_why());

	dt_server s;
	ck_assert_msg(dt_start_coredns(&s, coredns, conf.ptr, port, FWD) == 0, "%s", dt_why());
	/* every zone is served, with the serial ipam gave it */
	char soa[1024], serial[64];
	ipam_buf z = IPAM_BUF_INIT;
	for (size_t i = 0; i < 4; i++) {
		OK(ipam_zone_render(&z, db, zones[i], NULL));
		const char *p = strstr(z.ptr, "SOA\t");
		ck_assert_ptr_nonnull(p);
		ck_assert_int_eq(dt_query("127.0.0.1", s.port, zones[i], "SOA", soa, sizeof soa), 0);
		/* "mname rname SERIAL ..." in both */
		ck_assert(sscanf(soa, "%*s %*s %63s", serial) == 1);
		has(p, serial);
	}
	ipam_buf_dispose(&z);
	expect(&s, "www.example.test.", "A", 0, "192.0.2.5");
	expect(&s, "www.example.test.", "AAAA", 0, "2001:db8::5");
	expect(&s, "mail.example.test.", "A", 0, "192.0.2.70");
	expect(&s, "ns1.example.test.", "A", 0, "127.0.0.1");
	expect(&s, "example.test.", "MX", 0, "10 mail.example.test.");
	expect(&s, "example.test.", "TXT", 0, "\"v=spf1 -all\"");
	expect(&s, "web.example.test.", "CNAME", 0, "www.example.test.");
	expect(&s, "70.2.0.192.in-addr.arpa.", "PTR", 0, "mail.example.test.");
	/* RFC 2317: the /24 points into the classless zone, which holds the PTR */
	expect(&s, "5.2.0.192.in-addr.arpa.", "CNAME", 0, "5.0/26.2.0.192.in-addr.arpa.");
	expect(&s, "5.0/26.2.0.192.in-addr.arpa.", "PTR", 0, "www.example.test.");
	expect(&s, "5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.", "PTR", 0,
	       "www.example.test.");
	expect(&s, "nope.example.test.", "A", 3, "");
	expect(&s, "6.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.", "PTR", 3, "");
	dt_stop(&s);
	ipam_buf_dispose(&conf);
	ipam_db_free(db);
}
END_TEST

int main(void)
{
	/* CoreDNS: built once per version (a cache outside the build tree) */
	const char *build = getenv("DT_COREDNS_BUILD");
	if (!build) {
		fprintf(stderr, "DT_COREDNS_BUILD (tests/dns/coredns/build.sh) is not set\n");
		return 1;
	}
	char *out = NULL;
	int st = dt_sh(&out, "%s 2>&1", build);
	if (st == 77) {
		fprintf(stderr, "skip: %s", out ? out : "go is not installed\n");
		free(out);
		return 77;
	}
	/* the path is the last line */
	size_t n = out ? strlen(out) : 0;
	while (n && out[n - 1] == '\n')
		out[--n] = '\0';
	const char *last = out ? strrchr(out, '\n') : NULL;
	last = last ? last + 1 : out;
	if (st != 0 || !last || !*last || strlen(last) >= sizeof coredns) {
		fprintf(stderr, "building coredns failed (exit %d):\n%s\n", st, out ? out : "");
		free(out);
		return 1;
	}
	if (out != last)
		fprintf(stderr, "%.*s\n", (int)(last - out), out); /* the build's own lines: its time */
	snprintf(coredns, sizeof coredns, "%s", last);
	free(out);

	Suite *su = suite_create("dns-coredns");
	TCase *tc = tcase_create("coredns");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, coredns_serves_rendered_zones);
	suite_add_tcase(su, tc);
	SRunner *sr = srunner_create(su);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
