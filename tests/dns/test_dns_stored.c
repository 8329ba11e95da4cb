/* The stored DNS model (include/ipam/dns.h) against a real named on
 * 127.0.0.1: zones and hand records stored in an encrypted file, records
 * derived from addresses, a server with a sealed TSIG key, pushes checked by
 * querying named, renames and releases, an outside change seen by `zone
 * diff` and by the next push, a dry run, a wrong key, and the export holding
 * no secret in clear. */
#include "dns_check.h"
#include "dns_test.h"

#include "ipam.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const FWD = "example.test.", *const REV4 = "2.0.192.in-addr.arpa.",
                         *const REV6 = "0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.";

static void lacks(const char *text, const char *part)
{
	ck_assert_msg(!text || !strstr(text, part), "\"%s\" holds \"%s\"", text, part);
}

static void expect(const dt_server *s, const char *name, const char *type, int rcode, const char *want)
{
	char out[2048] = "";
	int rc = -1;
	for (int i = 0; i < 40; i++) {
		rc = dt_query("127.0.0.1", s->port, name, type, out, sizeof out);
		if (rc == rcode && !strcmp(out, want))
			return;
		struct timespec ts = { 0, 50 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	ck_abort_msg("%s %s: rcode %d \"%s\", want rcode %d \"%s\"", name, type, rc, out, rcode, want);
}

static void release(ipam_db *db, const char *addr)
{
	ipam_addr a;
	OK(ipam_addr_parse(&a, addr));
	OK(ipam_ip_release(db, NULL, &a));
}

static char *render(ipam_db *db, const char *zone)
{
	ipam_buf b = IPAM_BUF_INIT;
	OK(ipam_zone_render(&b, db, zone, NULL));
	return b.ptr;
}

static void push_ok(ipam_db *db, const char *zone, const char *server)
{
	ipam_buf r = IPAM_BUF_INIT;
	int rc = ipam_zone_push(&r, db, zone, NULL, server, 0);
	ck_assert_msg(rc == 0, "push %s to %s: %s\n%s", zone, server, ipam_error_last()->message, r.ptr ? r.ptr : "");
	ipam_buf_dispose(&r);
}

START_TEST(stored_zones_with_bind)
{
	if (!dt_have("named"))
		ck_abort_msg("named is not installed (bind9): .ci/packages installs it");
	char dir[256], uri[320];
	ck_assert(dt_tmpdir(dir, "dns-stored") == 0);
	snprintf(uri, sizeof uri, "file:%s/ipam.db", dir);
	ipam_open_options oo = IPAM_OPEN_OPTIONS_INIT;
	oo.flags = IPAM_OPEN_CREATE;
	oo.passphrase = "dns stored test";
	ipam_db *db = NULL;
	OK(ipam_db_open(&db, uri, &oo));

	/* the zones, with one hand record; addresses come later */
	ipam_zone_options zo = IPAM_ZONE_OPTIONS_INIT;
	zo.ns = "ns1.example.test.";
	zo.rname = "hostmaster.example.test.";
	zo.ttl = 60;
	OK(ipam_zone_add(db, "example.test", &zo));
	OK(ipam_zone_add(db, REV4, &zo));
	OK(ipam_zone_add(db, REV6, &zo));
	RC(ipam_zone_add(db, "EXAMPLE.test.", &zo), IPAM_EEXISTS);
	has(ipam_error_last()->message, "zone example.test. already exists in view default");
	OK(ipam_record_add(db, FWD, NULL, "ns1 A 127.0.0.1"));
	RC(ipam_record_add(db, FWD, NULL, "ns1 A 127.0.0.1"), IPAM_EEXISTS);
	RC(ipam_record_add(db, FWD, NULL, "www.example.org. A 192.0.2.1"), IPAM_EINVAL);
	has(ipam_error_last()->message, "outside the zone");
	RC(ipam_record_add(db, "nowhere.test", NULL, "x A 192.0.2.1"), IPAM_ENOTFOUND);

	/* named starts with what IPAM renders now */
	dt_zone zones[3] = { { FWD, render(db, FWD) }, { REV4, render(db, REV4) }, { REV6, render(db, REV6) } };
	dt_server s;
	ck_assert_msg(dt_start(&s, DT_BIND, zones, 3, NULL) == 0, "%s", dt_why());
	for (int i = 0; i < 3; i++)
		free((char *)zones[i].text);

	ipam_dns_server_options so = IPAM_DNS_SERVER_OPTIONS_INIT;
	so.type = IPAM_DNS_RFC2136;
	so.address = "127.0.0.1";
	so.port = (unsigned)s.port;
	so.tsig_name = s.key_name;
	so.tsig_algorithm = "hmac-sha256";
	so.tsig_secret = s.key_secret;
	so.timeout_ms = 20000;
	OK(ipam_dns_server_add(db, "bind1", &so, 0));
	so.tsig_secret = "not base64!";
	RC(ipam_dns_server_add(db, "bind2", &so, 0), IPAM_EINVAL);
	lacks(ipam_error_last()->message, "not base64!");

	/* allocating with host names is writing their records */
	host(db, "192.0.2.10", "www.example.test");
	host(db, "2001:db8::10", "www.example.test");
	host(db, "192.0.2.11", "mail.example.test");
	host(db, "192.0.2.12", "elsewhere.example.org"); /* no zone holds it: no record, the address is there */
	ipam_buf show = IPAM_BUF_INIT;
	OK(ipam_zone_show(&show, db, FWD, NULL));
	has(show.ptr, "{\"record\":\"www.example.test. 60 IN A 192.0.2.10\",\"source\":\"address\"}");
	has(show.ptr, "{\"record\":\"ns1.example.test. 60 IN A 127.0.0.1\",\"source\":\"hand\","
	              "\"flag\":\"127.0.0.1 is not an address of space default\"}");
	has(show.ptr, "\"hand_records\":1,\"derived_records\":3");
	lacks(show.ptr, "elsewhere");
	ipam_buf_dispose(&show);

	/* a CNAME where an address's record is: refused, naming both */
	RC(ipam_record_add(db, FWD, NULL, "www CNAME ns1"), IPAM_EINVAL);
	has(ipam_error_last()->message, "CNAME beside other data");

	push_ok(db, FWD, "bind1");
	push_ok(db, REV4, "bind1");
	push_ok(db, REV6, "bind1");
	expect(&s, "www.example.test.", "A", 0, "192.0.2.10");
	expect(&s, "www.example.test.", "AAAA", 0, "2001:db8::10");
	expect(&s, "mail.example.test.", "A", 0, "192.0.2.11");
	expect(&s, "10.2.0.192.in-addr.arpa.", "PTR", 0, "www.example.test.");
	expect(&s, "0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.", "PTR", 0,
	       "www.example.test.");
	expect(&s, "ns1.example.test.", "A", 0, "127.0.0.1");

	/* a second push with nothing new sends nothing */
	ipam_buf r = IPAM_BUF_INIT;
	OK(ipam_zone_push(&r, db, FWD, NULL, "bind1", 0));
	has(r.ptr, "; bind1: 0 of 0 changes");
	ipam_buf_dispose(&r);

	/* rename (in one transaction) and release, then push */
	OK(ipam_db_begin(db));
	release(db, "192.0.2.11");
	host(db, "192.0.2.11", "smtp.example.test");
	OK(ipam_db_commit(db));
	release(db, "2001:db8::10");
	/* a dry run shows the change and sends nothing */
	OK(ipam_zone_push(&r, db, FWD, NULL, "bind1", IPAM_PUSH_DRY_RUN));
	has(r.ptr, "mail.example.test.");
	has(r.ptr, "smtp.example.test.");
	has(r.ptr, "dry run: nothing sent");
	lacks(r.ptr, s.key_secret);
	ipam_buf_dispose(&r);
	expect(&s, "mail.example.test.", "A", 0, "192.0.2.11");
	push_ok(db, FWD, "bind1");
	push_ok(db, REV4, "bind1");
	push_ok(db, REV6, "bind1");
	expect(&s, "mail.example.test.", "A", 3, "");
	expect(&s, "smtp.example.test.", "A", 0, "192.0.2.11");
	expect(&s, "www.example.test.", "AAAA", 0, "");
	expect(&s, "11.2.0.192.in-addr.arpa.", "PTR", 0, "smtp.example.test.");
	expect(&s, "0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.", "PTR", 3, "");

	/* an outside change: zone diff sees it, the next push does not overwrite it */
	char cmds[512], *out = NULL;
	snprintf(cmds, sizeof cmds, "%s/cmds", dir);
	char text[512];
	snprintf(text, sizeof text, "server 127.0.0.1 %d\nzone example.test.\nupdate add www.example.test. 60 A 192.0.2.99\n"
	         "update add outside.example.test. 60 TXT \"x\"\nsend\n", s.port);
	ck_assert(dt_write(cmds, text) == 0);
	ck_assert_msg(dt_sh(&out, "nsupdate -y hmac-sha256:%s:%s %s", s.key_name, s.key_secret, cmds) == 0, "%s", out);
	free(out);
	size_t nd = 0;
	OK(ipam_zone_diff(&r, &nd, db, FWD, NULL, "bind1"));
	ck_assert_uint_eq(nd, 2);
	has(r.ptr, "only-server:");
	has(r.ptr, "outside.example.test.");
	has(r.ptr, "different:");
	ipam_buf_dispose(&r);
	release(db, "192.0.2.10");
	host(db, "192.0.2.10", "www.example.test"); /* same record, new row: nothing to push for www */
	host(db, "192.0.2.20", "www.example.test"); /* www gains an address: its RRset changes */
	RC(ipam_zone_push(&r, db, FWD, NULL, "bind1", 0), IPAM_ECONFLICT);
	has(ipam_error_last()->message, "bind1");
	ipam_buf_dispose(&r);
	expect(&s, "www.example.test.", "A", 0, "192.0.2.10 192.0.2.99");

	/* a wrong key: refused, nothing marked as pushed */
	so.tsig_secret = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
	OK(ipam_dns_server_add(db, "bind-badkey", &so, 0));
	RC(ipam_zone_push(&r, db, REV4, NULL, "bind-badkey", 0), IPAM_EAUTH);
	ipam_buf_dispose(&r);
	/* an unreachable server */
	so.port = (unsigned)dt_free_port();
	so.timeout_ms = 500;
	OK(ipam_dns_server_add(db, "bind-gone", &so, 0));
	RC(ipam_zone_push(&r, db, REV4, NULL, "bind-gone", 0), IPAM_EIO);
	ipam_buf_dispose(&r);

	/* the servers list and the export hold the secrets only sealed */
	OK(ipam_dns_server_list(&r, db));
	has(r.ptr, "\"tsig_secret\":\"(sealed)\"");
	lacks(r.ptr, s.key_secret);
	ipam_buf_dispose(&r);
	OK(ipam_export(&r, db));
	lacks(r.ptr, s.key_secret);
	has(r.ptr, "\"kind\":\"server\"");
	has(r.ptr, "sealed:v1:");
	ipam_buf_dispose(&r);

	/* the render is byte-stable and named-checkzone takes it */
	char *one = render(db, FWD), *two = render(db, FWD);
	ck_assert_str_eq(one, two);
	char zf[300];
	snprintf(zf, sizeof zf, "%s/fwd.zone", dir);
	ck_assert(dt_write(zf, one) == 0);
	ck_assert_msg(dt_sh(&out, "named-checkzone -k fail example.test. %s", zf) == 0, "%s", out);
	free(out);
	free(one);
	free(two);

	/* a zone removed takes its hand records and push states along */
	OK(ipam_zone_rm(db, REV6, NULL));
	RC(ipam_zone_rm(db, REV6, NULL), IPAM_ENOTFOUND);
	OK(ipam_zone_list(&r, db));
	lacks(r.ptr, "ip6.arpa");
	has(r.ptr, "\"zone\":\"example.test.\"");
	ipam_buf_dispose(&r);
	OK(ipam_dns_server_rm(db, "bind-gone"));

	ipam_audit_report rep = IPAM_AUDIT_REPORT_INIT;
	OK(ipam_audit_verify(&rep, db, NULL));
	ipam_db_free(db);
	dt_stop(&s);
}
END_TEST

/* Zone templates: settings and standard records many zones take; a change
 * reaches them all (and their serials), a template that would break one of
 * them is refused, one in use cannot go. No server needed. */
START_TEST(zone_templates)
{
	ipam_db *db = NULL;
	OK(ipam_db_open(&db, "memory:", NULL));
	const char *recs[] = { "@ MX 10 mail.example.net.", "@ TXT \"v=spf1 -all\"" };
	ipam_zone_template t = IPAM_ZONE_TEMPLATE_INIT;
	t.ns = "ns1.example.net,ns2.example.net.";
	t.ttl = 120;
	t.records = recs;
	t.nrecords = 2;
	OK(ipam_zone_template_set(db, "std", &t));

	ipam_zone_options zo = IPAM_ZONE_OPTIONS_INIT;
	zo.template_name = "std";
	OK(ipam_zone_add(db, "a.test", &zo));
	zo.ttl = 60;
	OK(ipam_zone_add(db, "b.test", &zo));
	zo.template_name = "nope";
	RC(ipam_zone_add(db, "c.test", &zo), IPAM_ENOTFOUND);
	has(ipam_error_last()->message, "no zone template nope");
	zo.template_name = NULL;
	RC(ipam_zone_add(db, "c.test", &zo), IPAM_EINVAL);
	has(ipam_error_last()->message, "no name servers");

	ipam_buf b = IPAM_BUF_INIT;
	OK(ipam_zone_show(&b, db, "a.test", NULL));
	has(b.ptr, "\"template\":\"std\"");
	has(b.ptr, "{\"record\":\"a.test. 120 IN MX 10 mail.example.net.\",\"source\":\"template\"}");
	has(b.ptr, "{\"record\":\"a.test. 120 IN NS ns2.example.net.\",\"source\":\"zone\"}");
	ipam_buf_dispose(&b);
	OK(ipam_zone_show(&b, db, "b.test", NULL));
	has(b.ptr, "{\"record\":\"b.test. 60 IN TXT \\\"v=spf1 -all\\\"\",\"source\":\"template\"}");
	ipam_buf_dispose(&b);

	/* a change to the template reaches both zones, and their serials */
	char *a1 = render(db, "a.test"), *b1 = render(db, "b.test");
	has(a1, "MX\t10 mail.example.net.");
	recs[0] = "@ MX 20 mx.example.net.";
	OK(ipam_zone_template_set(db, "std", &t));
	char *a2 = render(db, "a.test"), *b2 = render(db, "b.test");
	has(a2, "MX\t20 mx.example.net.");
	has(b2, "MX\t20 mx.example.net.");
	lacks(b2, "mail.example.net.");
	unsigned long s1, s2;
	ck_assert(sscanf(strstr(a1, "hostmaster.a.test. ") + strlen("hostmaster.a.test. "), "%lu", &s1) == 1);
	ck_assert(sscanf(strstr(a2, "hostmaster.a.test. ") + strlen("hostmaster.a.test. "), "%lu", &s2) == 1);
	ck_assert_msg(s2 > s1, "serial %lu after %lu", s2, s1);

	/* a template that breaks a zone is refused, naming it */
	OK(ipam_record_add(db, "b.test", NULL, "www A 192.0.2.1"));
	const char *bad[] = { "www CNAME elsewhere.example.net." };
	t.records = bad;
	t.nrecords = 1;
	RC(ipam_zone_template_set(db, "std", &t), IPAM_EINVAL);
	has(ipam_error_last()->message, "CNAME beside other data");
	char *b3 = render(db, "b.test");
	has(b3, "MX\t20 mx.example.net."); /* the old template stands */
	t.records = recs;
	t.nrecords = 2;
	recs[1] = "@ BOGUS x";
	RC(ipam_zone_template_set(db, "std", &t), IPAM_EINVAL);
	has(ipam_error_last()->message, "zone template std: record 2");

	/* in use: it stays */
	RC(ipam_zone_template_rm(db, "std"), IPAM_EINUSE);
	has(ipam_error_last()->message, "used by 2 zones");
	OK(ipam_zone_rm(db, "a.test", NULL));
	OK(ipam_zone_rm(db, "b.test", NULL));
	OK(ipam_zone_template_rm(db, "std"));
	RC(ipam_zone_template_rm(db, "std"), IPAM_ENOTFOUND);
	free(a1);
	free(a2);
	free(b1);
	free(b2);
	free(b3);
	ipam_db_free(db);
}
END_TEST

/* RPZ from a policy file: what each line becomes, and errors by line. */
START_TEST(rpz_policy_file)
{
	static const char pol[] = "# policies\n"
	                          "qname bad.example.com nxdomain\n"
	                          "qname *.ads.example.com nodata\n"
	                          "qname ok.ads.example.com passthru   # comment after\n"
	                          "qname moved.example.com local A 192.0.2.80; AAAA 2001:db8::80\r\n"
	                          "response-ip 198.51.100.64/26 nxdomain\n"
	                          "\n"
	                          "client-ip 10.9.0.0/16 drop\n";
	ipam_buf b = IPAM_BUF_INIT;
	OK(ipam_rpz_render(&b, "rpz.example.", pol, strlen(pol), "p.txt", 300));
	has(b.ptr, "bad.example.com\t300\tIN\tCNAME\t.\n");
	has(b.ptr, "*.ads.example.com\t300\tIN\tCNAME\t*.\n");
	has(b.ptr, "ok.ads.example.com\t300\tIN\tCNAME\trpz-passthru.\n");
	has(b.ptr, "moved.example.com\t300\tIN\tA\t192.0.2.80\n");
	has(b.ptr, "moved.example.com\t300\tIN\tAAAA\t2001:db8::80\n");
	has(b.ptr, "26.64.100.51.198.rpz-ip\t300\tIN\tCNAME\t.\n");
	has(b.ptr, "16.0.0.9.10.rpz-client-ip\t300\tIN\tCNAME\trpz-drop.\n");
	ipam_buf_dispose(&b);
	static const struct {
		const char *text, *msg;
	} bad[] = {
		{ "qname a.example nxdomain\nqname b.example\n", "p.txt:2: a policy is TRIGGER VALUE ACTION" },
		{ "client-ip 10.1.2.3/8 drop\n", "p.txt:1: client-ip: " },
		{ "\n\nqname x.example local\n", "p.txt:3: \"local\" needs at least one record" },
		{ "qname x.example bogus\n", "p.txt:1: unknown action \"bogus\"" },
		{ "dns x.example nxdomain\n", "p.txt:1: unknown trigger \"dns\"" },
		{ "qname x.example nxdomain extra\n", "p.txt:1: text after the action" },
		{ "qname x.example local A 300.1.1.1\n", "p.txt: " },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		RC(ipam_rpz_render(&b, "rpz.example.", bad[i].text, strlen(bad[i].text), "p.txt", 0), IPAM_EINVAL);
		has(ipam_error_last()->message, bad[i].msg);
		ck_assert_ptr_null(b.ptr);
	}
}
END_TEST

/* Views: the same name answered per view from two spaces, served by named
 * from the configuration and files the library writes; the Corefile of
 * one view; the file names; the errors. */
START_TEST(views_in_named_conf)
{
	if (!dt_have("named"))
		ck_abort_msg("named is not installed (bind9): .ci/packages installs it");
	ipam_db *db = NULL;
	OK(ipam_db_open(&db, "memory:", NULL));
	OK(ipam_space_add(db, "dmz", NULL));
	ipam_zone_options zo = IPAM_ZONE_OPTIONS_INIT;
	zo.ns = "ns1.example.test.";
	zo.ttl = 60;
	OK(ipam_zone_add(db, "example.test", &zo));
	OK(ipam_zone_add(db, "0/26.2.0.192.in-addr.arpa", &zo));
	zo.view = "outside";
	zo.space = "dmz";
	OK(ipam_zone_add(db, "example.test", &zo));
	OK(ipam_record_add(db, FWD, NULL, "ns1 A 127.0.0.1"));
	OK(ipam_record_add(db, FWD, "outside", "ns1 A 127.0.0.1"));
	host(db, "192.0.2.5", "www.example.test");
	ipam_addr a;
	OK(ipam_addr_parse(&a, "198.51.100.5"));
	ipam_ip_options io = IPAM_IP_OPTIONS_INIT;
	io.space = "dmz";
	io.hostname = "www.example.test";
	OK(ipam_ip_add(db, &a, &io));

	ipam_buf b = IPAM_BUF_INIT;
	OK(ipam_zone_file_name(&b, "0/26.2.0.192.in-addr.arpa", NULL));
	ck_assert_str_eq(b.ptr, "0_26.2.0.192.in-addr.arpa.zone");
	OK(ipam_zone_file_name(&b, "Example.TEST.", "outside"));
	ck_assert_str_eq(b.ptr, "example.test@outside.zone");
	RC(ipam_zone_file_name(&b, "example.test", "in side"), IPAM_EINVAL);

	char dir[256];
	ck_assert(dt_tmpdir(dir, "dns-views") == 0);
	ipam_dns_config_options co = IPAM_DNS_CONFIG_OPTIONS_INIT;
	co.dir = dir;
	/* a view with zones and no match list: refused, naming it */
	RC(ipam_dns_config(&b, db, &co), IPAM_EINVAL);
	has(ipam_error_last()->message, "view outside has zones (example.test.) but no match list");
	const char *bad[] = { "outside=10.0.0.300" };
	co.view_match = bad;
	co.nview_match = 1;
	RC(ipam_dns_config(&b, db, &co), IPAM_EINVAL);
	has(ipam_error_last()->message, "view outside: \"10.0.0.300\" is no address");
	const char *match[] = { "outside=127.0.0.2, 192.0.2.0/24, !key:blocked" };
	co.view_match = match;
	OK(ipam_dns_config(&b, db, &co));
	has(b.ptr, "view \"outside\" {\n\tmatch-clients { 127.0.0.2; 192.0.2.0/24; !key \"blocked\"; };\n"
	           "\tzone \"example.test\" {\n");
	has(b.ptr, "view \"default\" {\n\tmatch-clients { any; };\n");
	/* outside first: named tries the views in order */
	ck_assert(strstr(b.ptr, "view \"outside\"") < strstr(b.ptr, "view \"default\""));
	/* the same content gives the same bytes */
	ipam_buf again = IPAM_BUF_INIT;
	OK(ipam_dns_config(&again, db, &co));
	ck_assert_str_eq(again.ptr, b.ptr);
	ipam_buf_dispose(&again);
	const char *plain[] = { "outside=127.0.0.2" };
	co.view_match = plain;
	OK(ipam_dns_config(&b, db, &co));

	/* the zone files where the configuration says, and named serves both views */
	const char *const zones[][2] = { { FWD, NULL }, { FWD, "outside" }, { "0/26.2.0.192.in-addr.arpa.", NULL } };
	ck_assert_msg(dt_write_zone_files(db, dir, zones, 3, b.ptr) == 0, "%s", dt_why());
	dt_server s;
	ck_assert_msg(dt_start_named(&s, b.ptr, FWD) == 0, "%s", dt_why());
	char out[512];
	ck_assert_int_eq(dt_query_from("127.0.0.1", "127.0.0.1", s.port, "www.example.test.", "A", out, sizeof out), 0);
	ck_assert_str_eq(out, "192.0.2.5");
	ck_assert_int_eq(dt_query_from("127.0.0.2", "127.0.0.1", s.port, "www.example.test.", "A", out, sizeof out), 0);
	ck_assert_str_eq(out, "198.51.100.5");
	ck_assert_int_eq(dt_query_from("127.0.0.1", "127.0.0.1", s.port, "5.0/26.2.0.192.in-addr.arpa.", "PTR", out,
	                               sizeof out), 0);
	ck_assert_str_eq(out, "www.example.test.");
	dt_stop(&s);

	/* CoreDNS: the zones of one view, one server block each */
	co.format = IPAM_DNS_CONFIG_COREFILE;
	co.view = "outside";
	co.port = 1053;
	OK(ipam_dns_config(&b, db, &co));
	char want[600];
	snprintf(want, sizeof want, "example.test.:1053 {\n\tfile %s/example.test@outside.zone\n\terrors\n}\n", dir);
	ck_assert_str_eq(b.ptr, want);
	co.format = 7;
	RC(ipam_dns_config(&b, db, &co), IPAM_EINVAL);
	ipam_buf_dispose(&b);
	ipam_db_free(db);
}
END_TEST

/* The stored path against Knot (RFC 2136 with TSIG) and PowerDNS (its HTTP
 * API): the same push code as with named, the same checks by query. */
static void stored_flow(dt_kind kind)
{
	const char *what = kind == DT_KNOT ? "knotd" : kind == DT_BIND ? "named" : "pdns_server";
	if (!dt_have(what))
		ck_abort_msg("%s is not installed: .ci/packages installs it", what);
	ipam_db *db = NULL;
	OK(ipam_db_open(&db, "memory:", NULL));
	/* the SOA timers come from a template (changed at the end) */
	ipam_zone_template tp = IPAM_ZONE_TEMPLATE_INIT;
	tp.refresh = 3600;
	OK(ipam_zone_template_set(db, "std", &tp));
	ipam_zone_options zo = IPAM_ZONE_OPTIONS_INIT;
	zo.ns = "ns1.example.test.";
	zo.rname = "hostmaster.example.test.";
	zo.ttl = 60;
	zo.template_name = "std";
	OK(ipam_zone_add(db, FWD, &zo));
	OK(ipam_zone_add(db, REV4, &zo));
	OK(ipam_zone_add(db, REV6, &zo));
	OK(ipam_record_add(db, FWD, NULL, "ns1 A 127.0.0.1"));
	dt_zone zones[3] = { { FWD, render(db, FWD) }, { REV4, render(db, REV4) }, { REV6, render(db, REV6) } };
	dt_server s;
	ck_assert_msg(dt_start(&s, kind, zones, 3, NULL) == 0, "%s", dt_why());
	for (int i = 0; i < 3; i++)
		free((char *)zones[i].text);
	ipam_dns_server_options so = IPAM_DNS_SERVER_OPTIONS_INIT;
	char url[64];
	if (kind == DT_PDNS) {
		snprintf(url, sizeof url, "http://127.0.0.1:%d", s.http_port);
		so.type = IPAM_DNS_PDNS_API;
		so.api_url = url;
		so.api_key = s.api_key;
	} else {
		so.type = IPAM_DNS_RFC2136;
		so.address = "127.0.0.1";
		so.port = (unsigned)s.port;
		so.tsig_name = s.key_name;
		so.tsig_secret = s.key_secret;
	}
	so.timeout_ms = 20000;
	OK(ipam_dns_server_add(db, "ns", &so, 0));

	host(db, "192.0.2.10", "www.example.test");
	host(db, "2001:db8::10", "www.example.test");
	host(db, "192.0.2.11", "mail.example.test");
	push_ok(db, FWD, "ns");
	push_ok(db, REV4, "ns");
	push_ok(db, REV6, "ns");
	expect(&s, "www.example.test.", "A", 0, "192.0.2.10");
	expect(&s, "www.example.test.", "AAAA", 0, "2001:db8::10");
	expect(&s, "10.2.0.192.in-addr.arpa.", "PTR", 0, "www.example.test.");
	expect(&s, "0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.", "PTR", 0,
	       "www.example.test.");

	/* rename and release, push again */
	release(db, "192.0.2.11");
	host(db, "192.0.2.11", "smtp.example.test");
	release(db, "2001:db8::10");
	push_ok(db, FWD, "ns");
	push_ok(db, REV4, "ns");
	push_ok(db, REV6, "ns");
	expect(&s, "mail.example.test.", "A", 3, "");
	expect(&s, "smtp.example.test.", "A", 0, "192.0.2.11");
	expect(&s, "11.2.0.192.in-addr.arpa.", "PTR", 0, "smtp.example.test.");
	expect(&s, "www.example.test.", "AAAA", 0, "");
	ipam_buf r = IPAM_BUF_INIT;
	OK(ipam_zone_push(&r, db, FWD, NULL, "ns", 0));
	has(r.ptr, "; ns: 0 of 0 changes");
	ipam_buf_dispose(&r);

	/* an outside change (RFC 2136 with the server's key): the diff sees it */
	char *out = NULL;
	ck_assert_msg(dt_sh(&out,
	                    "printf 'server 127.0.0.1 %d\\nzone example.test.\\nupdate add outside.example.test. 60 TXT x\\n"
	                    "send\\n' | nsupdate -y hmac-sha256:%s:%s",
	                    s.port, s.key_name, s.key_secret) == 0,
	              "%s", out);
	free(out);
	size_t nd = 0;
	OK(ipam_zone_diff(&r, &nd, db, FWD, NULL, "ns"));
	ck_assert_msg(nd == 1, "%zu drifts:\n%s", nd, r.ptr);
	has(r.ptr, "only-server: outside.example.test.");
	ipam_buf_dispose(&r);
	/* adopted: the server's extra record becomes a hand record, and the drift is gone */
	size_t na = 0;
	OK(ipam_zone_adopt(&r, &na, db, FWD, NULL, "ns"));
	ck_assert_msg(na == 1, "%zu adopted:\n%s", na, r.ptr);
	has(r.ptr, "adopted: outside.example.test.\t60\tIN\tTXT\t\"x\"");
	ipam_buf_dispose(&r);
	OK(ipam_zone_show(&r, db, FWD, NULL));
	has(r.ptr, "{\"record\":\"outside.example.test. 60 IN TXT \\\"x\\\"\",\"source\":\"hand\"}");
	ipam_buf_dispose(&r);
	OK(ipam_zone_diff(&r, &nd, db, FWD, NULL, "ns"));
	ck_assert_msg(nd == 0, "%zu drifts after adopting:\n%s", nd, r.ptr);
	ipam_buf_dispose(&r);
	OK(ipam_zone_adopt(&r, &na, db, FWD, NULL, "ns"));
	ck_assert_uint_eq(na, 0);
	ipam_buf_dispose(&r);

	/* the SOA's names and timers: a template change reaches the server */
	char soa[512];
	ck_assert_int_eq(dt_query("127.0.0.1", s.port, FWD, "SOA", soa, sizeof soa), 0);
	has(soa, "ns1.example.test. hostmaster.example.test. ");
	has(soa, " 3600 900 1209600 300");
	tp.refresh = 7200;
	tp.retry = 600;
	OK(ipam_zone_template_set(db, "std", &tp));
	OK(ipam_zone_push(&r, db, FWD, NULL, "ns", IPAM_PUSH_DRY_RUN));
	has(r.ptr, kind == DT_PDNS ? "\"type\":\"SOA\"" : "the SOA's names and timers");
	has(r.ptr, " 7200 600 1209600 300");
	ipam_buf_dispose(&r);
	push_ok(db, FWD, "ns");
	for (int i = 0; i < 40 && !strstr(soa, " 7200 600 "); i++) {
		ck_assert_int_eq(dt_query("127.0.0.1", s.port, FWD, "SOA", soa, sizeof soa), 0);
		struct timespec ts = { 0, i ? 50 * 1000 * 1000 : 0 };
		nanosleep(&ts, NULL);
	}
	has(soa, "ns1.example.test. hostmaster.example.test. ");
	has(soa, " 7200 600 1209600 300");
	/* sent once: the next push has nothing to send */
	OK(ipam_zone_push(&r, db, FWD, NULL, "ns", 0));
	has(r.ptr, "; ns: 0 of 0 changes");
	ipam_buf_dispose(&r);
	ipam_db_free(db);
	dt_stop(&s);
}

START_TEST(stored_zones_with_bind_soa)
{
	stored_flow(DT_BIND);
}
END_TEST

START_TEST(stored_zones_with_knot)
{
	stored_flow(DT_KNOT);
}
END_TEST

START_TEST(stored_zones_with_pdns_api)
{
	stored_flow(DT_PDNS);
}
END_TEST

int main(void)
{
	Suite *su = suite_create("dns-stored");
	TCase *tc = tcase_create("stored");
	tcase_set_timeout(tc, 150);
	tcase_add_test(tc, zone_templates);
	tcase_add_test(tc, rpz_policy_file);
	tcase_add_test(tc, views_in_named_conf);
	tcase_add_test(tc, stored_zones_with_bind_soa);
	tcase_add_test(tc, stored_zones_with_knot);
	tcase_add_test(tc, stored_zones_with_pdns_api);
	tcase_add_test(tc, stored_zones_with_bind);
	suite_add_tcase(su, tc);
	SRunner *sr = srunner_create(su);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
