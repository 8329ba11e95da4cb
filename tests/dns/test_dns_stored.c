/* The stored DNS model (include/ipam/dns.h) against a real named on
 * 127.0.0.1: zones and hand records stored in an encrypted file, records
 * derived from addresses, a server with a sealed TSIG key, pushes checked by
 * querying named, renames and releases, an outside change seen by `zone
 * diff` and by the next push, a dry run, a wrong key, and the export holding
 * no secret in clear. */
#include "dns_test.h"

#include "ipam.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define OK(call) ck_assert_msg((call) == 0, "%s: %s", #call, ipam_error_last()->message)
#define RC(call, want)                                                                                      \
	do {                                                                                                \
		int rc_ = (call);                                                                           \
		ck_assert_msg(rc_ == (want), "%s: %d, want %d (%s)", #call, rc_, (want), ipam_error_last()->message); \
	} while (0)

static const char *const FWD = "example.test.", *const REV4 = "2.0.192.in-addr.arpa.",
                         *const REV6 = "0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.";

static void has(const char *text, const char *part)
{
	ck_assert_msg(text && strstr(text, part), "\"%s\" lacks \"%s\"", text ? text : "(null)", part);
}

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

static void host(ipam_db *db, const char *addr, const char *name)
{
	ipam_addr a;
	OK(ipam_addr_parse(&a, addr));
	ipam_ip_options o = IPAM_IP_OPTIONS_INIT;
	o.hostname = name;
	OK(ipam_ip_add(db, &a, &o));
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
	has(show.ptr, "{\"record\":\"ns1.example.test. 60 IN A 127.0.0.1\",\"source\":\"hand\"}");
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

int main(void)
{
	Suite *su = suite_create("dns-stored");
	TCase *tc = tcase_create("stored");
	tcase_set_timeout(tc, 150);
	tcase_add_test(tc, stored_zones_with_bind);
	suite_add_tcase(su, tc);
	SRunner *sr = srunner_create(su);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
