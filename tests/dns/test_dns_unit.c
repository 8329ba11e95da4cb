/* src/dns without servers: the content model and its rules, names, serials,
 * rendering (checked by named-checkzone, kzonecheck and named-checkconf),
 * reading zone files back, diffs, the planned RFC 2136 messages (dry run),
 * RPZ, the PowerDNS JSON and AXFR readers. */
#include "dns/dns.h"
#include "dns_test.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OK(call) ck_assert_msg((call) == 0, "%s: %s", #call, ipam_error_last()->message)

static void has(const char *msg, const char *part)
{
	ck_assert_msg(msg && strstr(msg, part) != NULL, "message \"%s\" lacks \"%s\"", msg ? msg : "(null)", part);
}

static const char *last_msg(void)
{
	return ipam_error_last()->message;
}

static ipam_prefix P(const char *s)
{
	ipam_prefix p;
	ck_assert_msg(ipam_prefix_parse(&p, s, IPAM_PARSE_DEFAULT) == 0, "parse %s", s);
	return p;
}

static ipam_addr A(const char *s)
{
	ipam_addr a;
	ck_assert_msg(ipam_addr_parse(&a, s) == 0, "parse %s", s);
	return a;
}

/* example.com. with one record of each common type, added in `order`. */
static ipam__dns_zone *sample(int order)
{
	static const char *const rrs[] = {
		"ns1 A 192.0.2.53",
		"www 300 A 192.0.2.10",
		"www AAAA 2001:db8::10",
		"mail MX 10 mx1.example.com.",
		"@ TXT \"v=spf1 -all\"",
		"_sip._tcp SRV 10 5 5060 sip.example.com.",
		"@ CAA 0 issue \"letsencrypt.org\"",
		"ftp CNAME www",
	};
	size_t n = sizeof rrs / sizeof rrs[0];
	ipam__dns_zone *z = NULL;
	OK(ipam__dns_zone_new(&z, "example.com"));
	OK(ipam__dns_zone_set_soa(z, "ns1", "hostmaster", 2024010100, 3600, 900, 1209600, 300));
	OK(ipam__dns_zone_add_ns(z, "ns1.example.com."));
	for (size_t i = 0; i < n; i++)
		OK(ipam__dns_zone_add(z, rrs[order ? n - 1 - i : i], NULL));
	return z;
}

static const char sample_text[] =
	"$ORIGIN example.com.\n"
	"$TTL 3600\n"
	"@\t3600\tIN\tSOA\tns1.example.com. hostmaster.example.com. 2024010100 3600 900 1209600 300\n"
	"@\t3600\tIN\tNS\tns1.example.com.\n"
	"@\t3600\tIN\tTXT\t\"v=spf1 -all\"\n"
	"@\t3600\tIN\tCAA\t0 issue \"letsencrypt.org\"\n"
	"_sip._tcp\t3600\tIN\tSRV\t10 5 5060 sip.example.com.\n"
	"ftp\t3600\tIN\tCNAME\twww.example.com.\n"
	"mail\t3600\tIN\tMX\t10 mx1.example.com.\n"
	"ns1\t3600\tIN\tA\t192.0.2.53\n"
	"www\t300\tIN\tA\t192.0.2.10\n"
	"www\t3600\tIN\tAAAA\t2001:db8::10\n";

/* ---- model and rendering --------------------------------------------------------------- */

START_TEST(render_exact_and_stable)
{
	ipam__dns_zone *a = sample(0), *b = sample(1);
	ipam_buf ta = IPAM_BUF_INIT, tb = IPAM_BUF_INIT, ta2 = IPAM_BUF_INIT;
	OK(ipam__dns_render_zone(&ta, a));
	OK(ipam__dns_render_zone(&tb, b));
	OK(ipam__dns_render_zone(&ta2, a));
	ck_assert_str_eq(ta.ptr, sample_text);
	ck_assert_str_eq(ta.ptr, tb.ptr);  /* insertion order does not matter */
	ck_assert_str_eq(ta.ptr, ta2.ptr); /* rendering twice: same bytes */
	/* a duplicate is one record */
	OK(ipam__dns_zone_add(a, "www 300 A 192.0.2.10", NULL));
	ipam_buf_dispose(&ta2);
	OK(ipam__dns_render_zone(&ta2, a));
	ck_assert_str_eq(ta.ptr, ta2.ptr);
	ipam_buf_dispose(&ta);
	ipam_buf_dispose(&tb);
	ipam_buf_dispose(&ta2);
	ipam__dns_zone_free(a);
	ipam__dns_zone_free(b);
}
END_TEST

/* The canonical order is ldns's: owners by ldns_dname_compare (RFC 4034
 * 6.1), then types, on names that share labels, differ in case and length,
 * and sit at many depths; the order does not depend on insertion order. */
START_TEST(canonical_order_is_ldns_order)
{
	ipam__dns_zone *a = NULL, *b = NULL;
	OK(ipam__dns_zone_new(&a, "example.com."));
	OK(ipam__dns_zone_new(&b, "example.com."));
	static const char *const labels[] = { "a", "A", "b", "ab", "aB", "z", "-", "0", "9a", "_x", "a-b", "zz" };
	static const char *const types[] = { "A 192.0.2.1", "AAAA 2001:db8::1", "TXT \"t\"", "MX 1 mx.example.com." };
	uint32_t r = 12345;
	char name[128], line[200];
	for (int i = 0; i < 4000; i++) {
		size_t k = 0;
		int depth = 1 + (int)(r % 3);
		name[0] = '\0';
		for (int d = 0; d < depth; d++) {
			r = r * 1103515245u + 12345u;
			k += (size_t)snprintf(name + k, sizeof name - k, "%s%s", d ? "." : "", labels[(r >> 16) % 12]);
		}
		r = r * 1103515245u + 12345u;
		snprintf(line, sizeof line, "%s 60 IN %s", name, types[(r >> 16) % 4]);
		int rc = ipam__dns_zone_add(a, line, NULL);
		if (rc == 0)
			OK(ipam__dns_zone_add(b, line, NULL));
	}
	ck_assert_uint_gt(a->n, 1000);
	OK(ipam__dns_zone_sort(a));
	/* b gets the same records in reverse order */
	for (size_t i = 0; i < b->n / 2; i++) {
		ldns_rr *t = b->rr[i];
		b->rr[i] = b->rr[b->n - 1 - i];
		b->rr[b->n - 1 - i] = t;
	}
	OK(ipam__dns_zone_sort(b));
	ck_assert_uint_eq(a->n, b->n);
	for (size_t i = 0; i < a->n; i++) {
		ck_assert_int_eq(ldns_rr_compare(a->rr[i], b->rr[i]), 0);
		if (i == 0)
			continue;
		int c = ldns_dname_compare(ldns_rr_owner(a->rr[i - 1]), ldns_rr_owner(a->rr[i]));
		if (!(c < 0 || (c == 0 && ldns_rr_get_type(a->rr[i - 1]) <= ldns_rr_get_type(a->rr[i])))) {
			char prev[1100];
			snprintf(prev, sizeof prev, "%s", ipam__dns_rr_label(a->rr[i - 1]));
			ck_abort_msg("out of order at %zu: %s then %s", i, prev, ipam__dns_rr_label(a->rr[i]));
		}
	}
	ipam__dns_zone_free(a);
	ipam__dns_zone_free(b);
}
END_TEST

/* The direct printer and ldns's agree, type by type (escapes included). */
START_TEST(fast_printer_matches_ldns)
{
	static const char *const rrs[] = {
		"a.example.com. 60 IN A 198.51.100.7",
		"a.example.com. 60 IN AAAA 2001:db8:0:1::ff",
		"a.example.com. 60 IN AAAA ::ffff:192.0.2.1",
		"example.com. 60 IN NS ns-1.example.net.",
		"c.example.com. 60 IN CNAME x.y.example.org.",
		"7.2.0.192.in-addr.arpa. 60 IN PTR host7.example.com.",
		"example.com. 60 IN MX 0 .",
		"t.example.com. 60 IN TXT \"quote\\\" back\\\\ tab\\009 hi\\255\" \"second part\"",
		"t.example.com. 60 IN TXT \"\"",
		"_x._udp.example.com. 60 IN SRV 0 0 0 .",
		"example.com. 60 IN CAA 128 iodef \"mailto:sec@example.com\"",
		"w\\.eird\\;name.example.com. 60 IN TXT \"x\"",
		"example.com. 60 IN SSHFP 1 1 0123456789abcdef0123456789abcdef01234567",
		"example.com. 60 IN TYPE65400 \\# 3 010203",
	};
	for (size_t i = 0; i < sizeof rrs / sizeof rrs[0]; i++) {
		ldns_rr *rr = NULL;
		ck_assert_msg(ldns_rr_new_frm_str(&rr, rrs[i], 0, NULL, NULL) == LDNS_STATUS_OK, "ldns parse %s", rrs[i]);
		char *want = ldns_rr2str(rr);
		ipam_buf got = IPAM_BUF_INIT;
		OK(ipam__dns_rr_put(&got, rr, NULL));
		ck_assert_str_eq(got.ptr, want);
		free(want);
		ipam_buf_dispose(&got);
		ldns_rr_free(rr);
	}
}
END_TEST

START_TEST(record_rules)
{
	ipam__dns_zone *z = sample(0);
	static const struct {
		const char *rr, *part;
	} bad[] = {
		{ "www.example.org. A 192.0.2.1", "www.example.org. A: the name is outside the zone example.com." },
		{ "bad_host A 192.0.2.1", "owner label \"bad_host\" is not a host name label" },
		{ "-lead A 192.0.2.1", "owner label \"-lead\"" },
		{ "sp\\032ace TXT \"x\"", "holds a character outside" },
		{ "ptr PTR not_a.host.", "target label \"not_a\"" },
		{ "m MX 10 mx_1.example.com.", "target label \"mx_1\"" },
		{ "nosrv SRV 1 1 1 t.example.com.", "an SRV owner is _service._proto.name" },
		{ "c CAA 1 issue \"x\"", "flags must be 0 or 128" },
		{ "c CAA 0 is-sue \"x\"", "c CAA 0 is-sue" },
		{ "x CH A 192.0.2.1", "only IN is managed" },
		{ "x 4294967295 A 192.0.2.1", "TTL 4294967295 is above 2147483647" },
		{ "@ SOA a. b. 1 2 3 4 5", "the SOA is set as the zone's fields" },
		{ "@ CNAME www", "a CNAME at the zone apex" },
		{ "x A 192.0.2.300", "x A 192.0.2.300" },
		{ "x AAAA 2001:db8::g", "AAAA 2001:db8::g" },
		{ "x MX ten mx.example.com.", "x MX ten" },
		{ "u TYPE60 \\# 3 010203", "u.example.com. CDNSKEY: the rdata is incomplete for its type" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int rc = ipam__dns_zone_add(z, bad[i].rr, "test.zone:7");
		ck_assert_msg(rc == IPAM_EINVAL, "%s: accepted", bad[i].rr);
		has(last_msg(), "test.zone:7: ");
		has(last_msg(), bad[i].part);
	}
	/* what is fine: wildcards, RFC 2317 labels, underscores outside host names */
	OK(ipam__dns_zone_add(z, "*.dyn A 192.0.2.44", NULL));
	OK(ipam__dns_zone_add(z, "_dmarc TXT \"v=DMARC1; p=none\"", NULL));
	OK(ipam__dns_zone_add(z, "0/26 NS ns1.example.com.", NULL));
	OK(ipam__dns_zone_check(z));
	/* whole-zone rules */
	OK(ipam__dns_zone_add(z, "www CNAME elsewhere.example.net.", NULL));
	ck_assert_int_eq(ipam__dns_zone_check(z), IPAM_EINVAL);
	has(last_msg(), "CNAME beside other data");
	ipam__dns_zone_free(z);

	z = sample(0);
	OK(ipam__dns_zone_add(z, "www 600 A 192.0.2.11", NULL));
	ck_assert_int_eq(ipam__dns_zone_check(z), IPAM_EINVAL);
	has(last_msg(), "TTL 600 differs from 300 of the same RRset");
	ipam__dns_zone_free(z);

	ipam__dns_zone *e = NULL;
	OK(ipam__dns_zone_new(&e, "example.net."));
	ck_assert_int_eq(ipam__dns_zone_check(e), IPAM_EINVAL);
	has(last_msg(), "has no SOA mname/rname");
	OK(ipam__dns_zone_set_soa(e, "ns.example.net.", "h.example.net.", 1, 2, 3, 4, 5));
	ck_assert_int_eq(ipam__dns_zone_check(e), IPAM_EINVAL);
	has(last_msg(), "has no NS record at its apex");
	ipam__dns_zone_free(e);
	ck_assert_int_eq(ipam__dns_zone_new(&e, "."), IPAM_EINVAL);
	ck_assert_int_eq(ipam__dns_zone_new(&e, "bad..name"), IPAM_EINVAL);
	ck_assert_ptr_null(e);
}
END_TEST

/* ---- zone files in and out --------------------------------------------------------------- */

START_TEST(parse_round_trip)
{
	ipam__dns_zone *z = NULL;
	static const char src[] = "; a hand-written zone\n"
				  "$ORIGIN example.com.\n"
				  "$TTL 1h\n"
				  "@ IN SOA ns1 hostmaster (\n"
				  "        2024010100 ; serial\n"
				  "        3600 900 1209600 300 )\n"
				  "  IN NS ns1\n"
				  "ns1 IN A 192.0.2.53\n"
				  "www 300 IN A 192.0.2.10\n"
				  "www IN AAAA 2001:db8::10\n"
				  "ftp IN CNAME www\n"
				  "mail IN MX 10 mx1\n"
				  "@ IN TXT \"v=spf1 -all\"\n"
				  "_sip._tcp IN SRV 10 5 5060 sip\n"
				  "@ IN CAA 0 issue \"letsencrypt.org\"\n";
	OK(ipam__dns_zone_parse(&z, src, strlen(src), NULL, "hand.zone"));
	ipam_buf t = IPAM_BUF_INIT;
	OK(ipam__dns_render_zone(&t, z));
	ck_assert_str_eq(t.ptr, sample_text);
	ipam__dns_zone *back = NULL;
	OK(ipam__dns_zone_parse(&back, t.ptr, t.size, "example.com.", "rendered.zone"));
	ipam_buf t2 = IPAM_BUF_INIT;
	OK(ipam__dns_render_zone(&t2, back));
	ck_assert_str_eq(t.ptr, t2.ptr);
	ipam_buf_dispose(&t);
	ipam_buf_dispose(&t2);
	ipam__dns_zone_free(z);
	ipam__dns_zone_free(back);
}
END_TEST

START_TEST(parse_errors_name_file_and_line)
{
	static const char head[] = "$ORIGIN example.com.\n$TTL 300\n@ SOA ns1 h 1 2 3 4 5\n@ NS ns1\nns1 A 192.0.2.1\n";
	static const struct {
		const char *tail, *part;
	} bad[] = {
		{ "www A 192.0.2.1\nwww CNAME ns1\n", "z.zone:7: www.example.com. CNAME: CNAME beside other data (A at line 6)" },
		{ "www.example.org. A 192.0.2.1\n", "z.zone:6: www.example.org. A: the name is outside the zone" },
		{ "x A 10.0.0.1.5\n", "z.zone:6: " },
		{ "\nx_y A 10.0.0.1\n", "z.zone:7: x_y.example.com. A: owner label \"x_y\"" },
		{ "@ SOA ns1 h 1 2 3 4 5\n", "z.zone:6: a second SOA" },
		{ "$INCLUDE /etc/passwd\n", "z.zone:6: $INCLUDE is not read" },
		{ "x MX 10\n", "z.zone:6: " },
		{ "x CH TXT \"a\"\n", "z.zone:6: x.example.com. TXT: class 3" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char text[512];
		snprintf(text, sizeof text, "%s%s", head, bad[i].tail);
		ipam__dns_zone *z = NULL;
		ck_assert_msg(ipam__dns_zone_parse(&z, text, strlen(text), NULL, "z.zone") == IPAM_EINVAL, "accepted: %s",
			      bad[i].tail);
		ck_assert_ptr_null(z);
		has(last_msg(), bad[i].part);
	}
	ipam__dns_zone *z = NULL;
	ck_assert_int_eq(ipam__dns_zone_parse(&z, "www A 192.0.2.1\n", 16, NULL, "r.zone"), IPAM_EINVAL);
	has(last_msg(), "r.zone:1: ");
	ck_assert_int_eq(ipam__dns_zone_parse(&z, "$ORIGIN a.test.\nx A 192.0.2.1\n", 30, NULL, "n.zone"), IPAM_EINVAL);
	has(last_msg(), "n.zone: no SOA");
	ck_assert_int_eq(ipam__dns_zone_parse(&z, "$ORIGIN a.test.\n@ SOA a. b. 1 2 3 4 5\nx TXT \"a\0b\"\n", 50, NULL, "nul.zone"),
			 IPAM_EINVAL);
	has(last_msg(), "nul.zone:3: a NUL byte (a zone file is text)");
	ck_assert_int_eq(ipam__dns_zone_parse(&z, "", 0, NULL, "e.zone"), IPAM_EINVAL);
	has(last_msg(), "e.zone: empty");
}
END_TEST

/* named-checkzone and kzonecheck accept what is rendered, and a zone with
 * every common type, a wildcard and an RFC 2317 delegation. */
START_TEST(servers_accept_rendered_zones)
{
	char dir[256], path[400];
	ck_assert_msg(dt_tmpdir(dir, "render") == 0, "%s", dt_why());
	ck_assert_msg(dt_have("named-checkzone") && dt_have("kzonecheck") && dt_have("named-checkconf"),
		      "named-checkzone, kzonecheck and named-checkconf must be installed (bind9-utils, knot-dnssecutils)");
	ipam__dns_zone *z = sample(0);
	OK(ipam__dns_zone_add(z, "*.dyn A 192.0.2.44", NULL));
	ipam_buf t = IPAM_BUF_INIT;
	OK(ipam__dns_render_zone(&t, z));
	snprintf(path, sizeof path, "%s/example.com.zone", dir);
	ck_assert(dt_write(path, t.ptr) == 0);
	char *out = NULL;
	int st = dt_sh(&out, "named-checkzone -k fail -n fail example.com %s", path);
	ck_assert_msg(st == 0, "named-checkzone: %s", out);
	has(out, "loaded serial 2024010100");
	free(out);
	st = dt_sh(&out, "kzonecheck -o example.com. %s", path);
	ck_assert_msg(st == 0, "kzonecheck: %s", out);
	free(out);

	/* a reverse /24 with an RFC 2317 child: parent CNAMEs + delegation */
	ipam__dns_zone *rev = NULL;
	char **names = NULL;
	size_t n = 0;
	ipam_prefix p = P("192.0.2.64/26");
	OK(ipam__dns_reverse_zones(&names, &n, &p, IPAM__DNS_2317_SLASH));
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(names[0], "64/26.2.0.192.in-addr.arpa.");
	OK(ipam__dns_zone_new(&rev, "2.0.192.in-addr.arpa."));
	OK(ipam__dns_zone_set_soa(rev, "ns1.example.com.", "hostmaster.example.com.", 7, 3600, 900, 1209600, 300));
	OK(ipam__dns_zone_add_ns(rev, "ns1.example.com."));
	OK(ipam__dns_zone_add(rev, "10 PTR www.example.com.", NULL));
	const char *ns[] = { "ns1.example.com.", "ns2.example.com." };
	OK(ipam__dns_rfc2317_parent(rev, &p, IPAM__DNS_2317_SLASH, ns, 2, 3600));
	ck_assert_uint_eq(rev->n, 1 + 1 + 2 + 64); /* apex NS, PTR, delegation, CNAMEs */
	ipam_buf_dispose(&t);
	OK(ipam__dns_render_zone(&t, rev));
	has(t.ptr, "64/26\t3600\tIN\tNS\tns1.example.com.\n");
	has(t.ptr, "65\t3600\tIN\tCNAME\t65.64/26.2.0.192.in-addr.arpa.\n");
	snprintf(path, sizeof path, "%s/rev.zone", dir);
	ck_assert(dt_write(path, t.ptr) == 0);
	st = dt_sh(&out, "named-checkzone -k fail 2.0.192.in-addr.arpa %s", path);
	ck_assert_msg(st == 0, "named-checkzone: %s", out);
	free(out);
	st = dt_sh(&out, "kzonecheck -o 2.0.192.in-addr.arpa. %s", path);
	ck_assert_msg(st == 0, "kzonecheck: %s", out);
	free(out);

	/* the child zone itself */
	ipam__dns_zone *child = NULL;
	OK(ipam__dns_zone_new(&child, names[0]));
	OK(ipam__dns_zone_set_soa(child, "ns1.example.com.", "hostmaster.example.com.", 1, 3600, 900, 1209600, 300));
	OK(ipam__dns_zone_add_ns(child, "ns1.example.com."));
	char owner[128];
	size_t zi = 99;
	const char *set[] = { "example.com.", "2.0.192.in-addr.arpa.", names[0] };
	ipam_addr a = A("192.0.2.77");
	OK(ipam__dns_ptr_owner(owner, sizeof owner, &zi, &a, set, 3));
	ck_assert_uint_eq(zi, 2);
	ck_assert_str_eq(owner, "77.64/26.2.0.192.in-addr.arpa.");
	char line[300];
	snprintf(line, sizeof line, "%s PTR host77.example.com.", owner);
	OK(ipam__dns_zone_add(child, line, NULL));
	ipam_buf_dispose(&t);
	OK(ipam__dns_render_zone(&t, child));
	snprintf(path, sizeof path, "%s/child.zone", dir);
	ck_assert(dt_write(path, t.ptr) == 0);
	st = dt_sh(&out, "named-checkzone -k fail 64/26.2.0.192.in-addr.arpa %s", path);
	ck_assert_msg(st == 0, "named-checkzone: %s", out);
	free(out);

	/* named.conf stanzas for the three: named-checkconf -z loads them all */
	char f1[400], f2[400], f3[400], conf[600];
	snprintf(f1, sizeof f1, "%s/example.com.zone", dir);
	snprintf(f2, sizeof f2, "%s/rev.zone", dir);
	snprintf(f3, sizeof f3, "%s/child.zone", dir);
	ipam__dns_conf_zone cz[] = { { "example.com.", f1 }, { "2.0.192.in-addr.arpa", f2 }, { names[0], f3 } };
	ipam_buf c = IPAM_BUF_INIT;
	OK(ipam__dns_render_named_conf(&c, cz, 3, "ipam-key"));
	has(c.ptr, "zone \"64/26.2.0.192.in-addr.arpa\" {\n\ttype primary;\n");
	has(c.ptr, "\tallow-update { key \"ipam-key\"; };\n");
	char full[8192];
	snprintf(full, sizeof full,
		 "key \"ipam-key\" { algorithm hmac-sha256; secret \"c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTI=\"; };\n"
		 "options { directory \"%s\"; };\n%s",
		 dir, c.ptr);
	snprintf(conf, sizeof conf, "%s/named.conf", dir);
	ck_assert(dt_write(conf, full) == 0);
	st = dt_sh(&out, "named-checkconf -z %s", conf);
	ck_assert_msg(st == 0, "named-checkconf: %s", out);
	has(out, "zone 64/26.2.0.192.in-addr.arpa/IN: loaded serial 1");
	free(out);
	/* a bad file name never reaches a config */
	ipam__dns_conf_zone evil = { "example.com.", "x\"; };\nzone \"evil" };
	ipam_buf e = IPAM_BUF_INIT;
	ck_assert_int_eq(ipam__dns_render_named_conf(&e, &evil, 1, NULL), IPAM_EINVAL);
	ck_assert_int_eq(ipam__dns_render_corefile(&e, &evil, 1, 53, NULL), IPAM_EINVAL);
	ipam_buf_dispose(&e);

	/* the Corefile: coredns is not packaged in Debian 12, so its syntax is
	 * checked here: one block per zone, balanced braces, the file plugin */
	ipam_buf cf = IPAM_BUF_INIT;
	OK(ipam__dns_render_corefile(&cf, cz, 3, 5300, NULL));
	char want[1600];
	snprintf(want, sizeof want,
		 "example.com.:5300 {\n\tfile %s\n\terrors\n}\n"
		 "2.0.192.in-addr.arpa.:5300 {\n\tfile %s\n\terrors\n}\n"
		 "64/26.2.0.192.in-addr.arpa.:5300 {\n\tfile %s\n\terrors\n}\n",
		 f1, f2, f3);
	ck_assert_str_eq(cf.ptr, want);
	ipam_buf_dispose(&cf);

	ipam_buf_dispose(&c);
	ipam_buf_dispose(&t);
	ipam__dns_strv_free(names);
	ipam__dns_zone_free(z);
	ipam__dns_zone_free(rev);
	ipam__dns_zone_free(child);
}
END_TEST

/* ---- names ------------------------------------------------------------------------------------ */

static void zones_are(const char *prefix, int style, const char *const *want, size_t nwant)
{
	char **v = NULL;
	size_t n = 0;
	ipam_prefix p = P(prefix);
	OK(ipam__dns_reverse_zones(&v, &n, &p, style));
	ck_assert_msg(n == nwant, "%s: %zu zones, want %zu", prefix, n, nwant);
	for (size_t i = 0; i < n; i++)
		ck_assert_str_eq(v[i], want[i]);
	ck_assert_ptr_null(v[n]);
	ipam__dns_strv_free(v);
}

START_TEST(reverse_zone_names)
{
	zones_are("192.0.2.0/24", 0, (const char *[]){ "2.0.192.in-addr.arpa." }, 1);
	zones_are("10.0.0.0/8", 0, (const char *[]){ "10.in-addr.arpa." }, 1);
	zones_are("0.0.0.0/0", 0, (const char *[]){ "in-addr.arpa." }, 1);
	zones_are("198.51.100.0/22", 0,
		  (const char *[]){ "100.51.198.in-addr.arpa.", "101.51.198.in-addr.arpa.", "102.51.198.in-addr.arpa.",
				    "103.51.198.in-addr.arpa." },
		  4);
	zones_are("172.16.0.0/15", 0, (const char *[]){ "16.172.in-addr.arpa.", "17.172.in-addr.arpa." }, 2);
	zones_are("192.0.2.128/25", 0, (const char *[]){ "128/25.2.0.192.in-addr.arpa." }, 1);
	zones_are("192.0.2.128/25", IPAM__DNS_2317_DASH, (const char *[]){ "128-255.2.0.192.in-addr.arpa." }, 1);
	zones_are("192.0.2.5/32", 0, (const char *[]){ "5/32.2.0.192.in-addr.arpa." }, 1);
	zones_are("2001:db8::/32", 0, (const char *[]){ "8.b.d.0.1.0.0.2.ip6.arpa." }, 1);
	zones_are("2001:db8::/34", 0,
		  (const char *[]){ "0.8.b.d.0.1.0.0.2.ip6.arpa.", "1.8.b.d.0.1.0.0.2.ip6.arpa.", "2.8.b.d.0.1.0.0.2.ip6.arpa.",
				    "3.8.b.d.0.1.0.0.2.ip6.arpa." },
		  4);
	zones_are("2001:db8:8000::/33", 0,
		  (const char *[]){ "8.8.b.d.0.1.0.0.2.ip6.arpa.", "9.8.b.d.0.1.0.0.2.ip6.arpa.", "a.8.b.d.0.1.0.0.2.ip6.arpa.",
				    "b.8.b.d.0.1.0.0.2.ip6.arpa.", "c.8.b.d.0.1.0.0.2.ip6.arpa.", "d.8.b.d.0.1.0.0.2.ip6.arpa.",
				    "e.8.b.d.0.1.0.0.2.ip6.arpa.", "f.8.b.d.0.1.0.0.2.ip6.arpa." },
		  8);
	zones_are("2001:db8:1:2::/63", 0, (const char *[]){ "2.0.0.0.1.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.", "3.0.0.0.1.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa." },
		  2);
	char **v = NULL;
	size_t n = 0;
	ipam_prefix bad = { 0 };
	ck_assert_int_eq(ipam__dns_reverse_zones(&v, &n, &bad, 0), IPAM_EINVAL);
}
END_TEST

START_TEST(zone_match_and_ptr_owner)
{
	const char *zones[] = { "example.com.", "dev.example.com", "2.0.192.in-addr.arpa.", "8.b.d.0.1.0.0.2.ip6.arpa.",
				"0-63.2.0.192.in-addr.arpa." };
	ck_assert_int_eq(ipam__dns_zone_match("www.example.com.", zones, 5), 0);
	ck_assert_int_eq(ipam__dns_zone_match("a.b.DEV.example.com", zones, 5), 1);
	ck_assert_int_eq(ipam__dns_zone_match("dev.example.com.", zones, 5), 1);
	ck_assert_int_eq(ipam__dns_zone_match("xdev.example.com.", zones, 5), 0);
	ck_assert_int_eq(ipam__dns_zone_match("example.org.", zones, 5), IPAM_ENOTFOUND);
	has(last_msg(), "no zone holds example.org");
	char owner[128];
	size_t zi;
	ipam_addr a = A("192.0.2.200");
	OK(ipam__dns_ptr_owner(owner, sizeof owner, &zi, &a, zones, 5));
	ck_assert_uint_eq(zi, 2);
	ck_assert_str_eq(owner, "200.2.0.192.in-addr.arpa.");
	a = A("192.0.2.63");
	OK(ipam__dns_ptr_owner(owner, sizeof owner, &zi, &a, zones, 5));
	ck_assert_uint_eq(zi, 4);
	ck_assert_str_eq(owner, "63.0-63.2.0.192.in-addr.arpa.");
	a = A("2001:db8::1");
	OK(ipam__dns_ptr_owner(owner, sizeof owner, &zi, &a, zones, 5));
	ck_assert_uint_eq(zi, 3);
	ck_assert_str_eq(owner, "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.");
	a = A("198.51.100.1");
	ck_assert_int_eq(ipam__dns_ptr_owner(owner, sizeof owner, &zi, &a, zones, 5), IPAM_ENOTFOUND);
}
END_TEST

START_TEST(serials)
{
	/* 2026-11-21 12:00 UTC */
	int64_t now = 1795262400;
	ck_assert_uint_eq(ipam__dns_serial_next(1, IPAM__DNS_SERIAL_DATE, now), 2026112100u);
	ck_assert_uint_eq(ipam__dns_serial_next(2026112100u, IPAM__DNS_SERIAL_DATE, now), 2026112101u);
	ck_assert_uint_eq(ipam__dns_serial_next(2026112199u, IPAM__DNS_SERIAL_DATE, now), 2026112200u);
	ck_assert_uint_eq(ipam__dns_serial_next(2026111305u, IPAM__DNS_SERIAL_DATE, now), 2026112100u);
	/* a serial ahead in RFC 1982 terms stays ahead: plus one */
	ck_assert_uint_eq(ipam__dns_serial_next(4000000000u, IPAM__DNS_SERIAL_DATE, now), 4000000001u);
	/* far behind (more than 2^31): the date is not "greater": plus one */
	ck_assert_uint_eq(ipam__dns_serial_next(2026112100u - 0x80000001u, IPAM__DNS_SERIAL_DATE, now),
			  2026112100u - 0x80000000u);
	ck_assert_uint_eq(ipam__dns_serial_next(41, IPAM__DNS_SERIAL_INCREMENT, now), 42);
	ck_assert_uint_eq(ipam__dns_serial_next(0xffffffffu, IPAM__DNS_SERIAL_INCREMENT, now), 0);
	/* RFC 1982: 2026112100 is greater than 0xffffffff (2026112101 ahead) */
	ck_assert_uint_eq(ipam__dns_serial_next(0xffffffffu, IPAM__DNS_SERIAL_DATE, now), 2026112100u);
	ck_assert_int_eq(ipam__dns_serial_cmp(2026112100u, 0xffffffffu), 1);
	ck_assert_int_eq(ipam__dns_serial_cmp(0, 0xffffffffu), 1);
	ck_assert_int_eq(ipam__dns_serial_cmp(0xffffffffu, 0), -1);
	ck_assert_int_eq(ipam__dns_serial_cmp(5, 5), 0);
	ck_assert_int_eq(ipam__dns_serial_cmp(1, 0x80000001u), 2);
	ck_assert_int_eq(ipam__dns_serial_cmp(2026112100u, 2026112099u), 1);
}
END_TEST

/* ---- diffs and the planned update messages ------------------------------------------------------------- */

START_TEST(diff_and_apply)
{
	ipam__dns_zone *a = sample(0), *b = sample(0);
	ldns_rdf *www = ldns_dname_new_frm_str("www.example.com.");
	ck_assert_uint_eq(ipam__dns_zone_remove(b, www, LDNS_RR_TYPE_A), 1);
	OK(ipam__dns_zone_add(b, "www 300 A 192.0.2.11", NULL));      /* changed */
	OK(ipam__dns_zone_add(b, "new A 192.0.2.99", NULL));          /* added */
	ldns_rdf *ftp = ldns_dname_new_frm_str("ftp.example.com.");
	ck_assert_uint_eq(ipam__dns_zone_remove(b, ftp, 0), 1);       /* deleted */
	ipam__dns_diff d;
	OK(ipam__dns_diff_make(&d, a, b));
	ck_assert_uint_eq(d.n, 3);
	ck_assert_str_eq(ipam__dns_rr_label(ldns_rr_list_rr(d.c[0].before, 0)), "ftp.example.com. CNAME");
	ck_assert_uint_eq(ldns_rr_list_rr_count(d.c[0].after), 0);
	ck_assert_uint_eq(ldns_rr_list_rr_count(d.c[1].before), 0);
	ck_assert_uint_eq(ldns_rr_list_rr_count(d.c[2].before), 1);
	ck_assert_uint_eq(ldns_rr_list_rr_count(d.c[2].after), 1);
	OK(ipam__dns_diff_apply(a, &d, 0, d.n));
	ipam_buf ta = IPAM_BUF_INIT, tb = IPAM_BUF_INIT;
	OK(ipam__dns_render_zone(&ta, a));
	OK(ipam__dns_render_zone(&tb, b));
	ck_assert_str_eq(ta.ptr, tb.ptr);
	ipam__dns_diff_dispose(&d);
	OK(ipam__dns_diff_make(&d, a, b));
	ck_assert_uint_eq(d.n, 0);
	ipam__dns_diff_dispose(&d);
	/* drift words */
	ipam__dns_drift dr;
	ipam__dns_zone *c = sample(0);
	OK(ipam__dns_drift_check(&dr, c, b));
	ck_assert_uint_eq(dr.only_server, 1);
	ck_assert_uint_eq(dr.only_ipam, 1);
	ck_assert_uint_eq(dr.different, 1);
	ipam_buf dt = IPAM_BUF_INIT;
	OK(ipam__dns_drift_text(&dt, &dr));
	ck_assert_str_eq(dt.ptr, "only-server: ftp.example.com.\t3600\tIN\tCNAME\twww.example.com.\n"
				 "only-ipam: new.example.com.\t3600\tIN\tA\t192.0.2.99\n"
				 "different: www.example.com. A\n"
				 "  server: www.example.com.\t300\tIN\tA\t192.0.2.10\n"
				 "  ipam:   www.example.com.\t300\tIN\tA\t192.0.2.11\n");
	OK(ipam__dns_drift_import(b, &dr));
	ck_assert_uint_eq(ipam__dns_zone_has_name((OK(ipam__dns_zone_sort(b)), b), ftp), true);
	ipam__dns_drift_dispose(&dr);
	ipam_buf_dispose(&dt);
	ipam_buf_dispose(&ta);
	ipam_buf_dispose(&tb);
	ldns_rdf_deep_free(www);
	ldns_rdf_deep_free(ftp);
	ipam__dns_zone_free(a);
	ipam__dns_zone_free(b);
	ipam__dns_zone_free(c);
}
END_TEST

START_TEST(push_dry_run_text)
{
	ipam__dns_zone *last = sample(0), *cur = sample(0);
	ldns_rdf *www = ldns_dname_new_frm_str("www.example.com.");
	ipam__dns_zone_remove(cur, www, LDNS_RR_TYPE_A);
	OK(ipam__dns_zone_add(cur, "www 300 A 192.0.2.11", NULL));
	OK(ipam__dns_zone_add(cur, "www 300 A 192.0.2.12", NULL));
	OK(ipam__dns_zone_add(cur, "new 60 A 192.0.2.99", NULL));
	OK(ipam__dns_zone_add(cur, "new 60 AAAA 2001:db8::99", NULL));
	OK(ipam__dns_zone_add(cur, "ns1 TXT \"added beside an A\"", NULL));
	ldns_rdf *mail = ldns_dname_new_frm_str("mail.example.com.");
	ipam__dns_zone_remove(cur, mail, 0);
	ipam__dns_server srv = { "bind1", "127.0.0.1", 5353, 0, { "k1", NULL, "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTI=" } };
	ipam__dns_push_options o = { 0, true };
	ipam__dns_push_result r;
	OK(ipam__dns_push(&r, &srv, last, cur, &o));
	ck_assert_uint_eq(r.messages, 1);
	ck_assert_uint_eq(r.applied, 0);
	ck_assert_uint_eq(r.changes, 5);
	ck_assert_ptr_null(r.state);
	ck_assert_str_eq(r.text.ptr, "; message 1 of 1: 5 RRset change(s)\n"
				     "server 127.0.0.1 5353\n"
				     "zone example.com.\n"
				     "; key hmac-sha256:k1 (secret not shown)\n"
				     "prereq nxdomain new.example.com.\n"
				     "prereq yxrrset www.example.com. IN A 192.0.2.10\n"
				     "prereq yxrrset mail.example.com. IN MX 10 mx1.example.com.\n"
				     "prereq nxrrset ns1.example.com. IN TXT\n"
				     "update add new.example.com. 60 IN A 192.0.2.99\n"
				     "update add new.example.com. 60 IN AAAA 2001:db8::99\n"
				     "update delete www.example.com. IN A 192.0.2.10\n"
				     "update add www.example.com. 300 IN A 192.0.2.11\n"
				     "update add www.example.com. 300 IN A 192.0.2.12\n"
				     "update delete mail.example.com. IN MX 10 mx1.example.com.\n"
				     "update add ns1.example.com. 3600 IN TXT \"added beside an A\"\n"
				     "send\n");
	ck_assert_ptr_null(strstr(r.text.ptr, srv.tsig.secret));
	ipam__dns_push_result_dispose(&r);
	/* small messages: whole names travel together */
	o.max_rrs = 3;
	OK(ipam__dns_push(&r, &srv, last, cur, &o));
	ck_assert_uint_eq(r.messages, 4);
	has(r.text.ptr, "; message 1 of 4: 2 RRset change(s)\n");
	has(r.text.ptr, "prereq nxdomain new.example.com.\nupdate add new.example.com. 60 IN A 192.0.2.99\n"
			"update add new.example.com. 60 IN AAAA 2001:db8::99\nsend\n");
	ipam__dns_push_result_dispose(&r);
	/* a TTL change replaces the RRset whole */
	ipam__dns_zone *ttl = sample(0);
	ipam__dns_zone_remove(ttl, www, LDNS_RR_TYPE_A);
	OK(ipam__dns_zone_add(ttl, "www 60 A 192.0.2.10", NULL));
	o.max_rrs = 0;
	OK(ipam__dns_push(&r, &srv, last, ttl, &o));
	has(r.text.ptr, "prereq yxrrset www.example.com. IN A 192.0.2.10\n"
			"update delete www.example.com. IN A\n"
			"update add www.example.com. 60 IN A 192.0.2.10\nsend\n");
	ipam__dns_push_result_dispose(&r);
	/* unknown algorithm, bad secret: refused before anything is sent */
	o.dry_run = false;
	srv.tsig.algorithm = "hmac-sha3";
	ck_assert_int_eq(ipam__dns_push(&r, &srv, last, ttl, &o), IPAM_EINVAL);
	has(last_msg(), "TSIG algorithm \"hmac-sha3\"");
	ck_assert_uint_eq(r.applied, 0);
	ipam__dns_push_result_dispose(&r);
	srv.tsig.algorithm = "hmac-sha512";
	srv.tsig.secret = "not base64!";
	ck_assert_int_eq(ipam__dns_push(&r, &srv, last, ttl, &o), IPAM_EINVAL);
	has(last_msg(), "the secret of TSIG key k1 is not base64");
	ck_assert_ptr_null(strstr(last_msg(), "not base64!"));
	/* nothing sent: the state is still the last one */
	ipam_buf s1 = IPAM_BUF_INIT, s2 = IPAM_BUF_INIT;
	OK(ipam__dns_render_zone(&s1, r.state));
	OK(ipam__dns_render_zone(&s2, last));
	ck_assert_str_eq(s1.ptr, s2.ptr);
	ipam_buf_dispose(&s1);
	ipam_buf_dispose(&s2);
	ipam__dns_push_result_dispose(&r);
	ck_assert_str_eq(ipam__dns_tsig_algorithm("HMAC-SHA1"), "hmac-sha1.");
	ck_assert_str_eq(ipam__dns_tsig_algorithm(NULL), "hmac-sha256.");
	ck_assert_str_eq(ipam__dns_tsig_algorithm("hmac-md5.sig-alg.reg.int."), "hmac-md5.sig-alg.reg.int.");
	ldns_rdf_deep_free(www);
	ldns_rdf_deep_free(mail);
	ipam__dns_zone_free(last);
	ipam__dns_zone_free(cur);
	ipam__dns_zone_free(ttl);
}
END_TEST

START_TEST(update_answers)
{
	/* a NOERROR, an NXRRSET and a REFUSED answer, as wire */
	static const struct {
		int rcode, want;
		const char *part;
	} v[] = {
		{ LDNS_RCODE_NOERROR, 0, NULL },
		{ LDNS_RCODE_NXRRSET, IPAM_ECONFLICT, "push: NXRRSET: an RRset is not as last pushed" },
		{ LDNS_RCODE_YXRRSET, IPAM_ECONFLICT, "YXRRSET" },
		{ LDNS_RCODE_REFUSED, IPAM_EPERM, "REFUSED" },
		{ LDNS_RCODE_NOTAUTH, IPAM_EPERM, "NOTAUTH" },
		{ LDNS_RCODE_SERVFAIL, IPAM_EBACKEND, "SERVFAIL" },
	};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		ldns_pkt *p = ldns_pkt_new();
		ldns_pkt_set_id(p, 4242);
		ldns_pkt_set_qr(p, true);
		ldns_pkt_set_opcode(p, LDNS_PACKET_UPDATE);
		ldns_pkt_set_rcode(p, (uint8_t)v[i].rcode);
		uint8_t *w = NULL;
		size_t n = 0;
		ck_assert(ldns_pkt2wire(&w, p, &n) == LDNS_STATUS_OK);
		ck_assert_int_eq(ipam__dns_update_answer(w, n, 4242, "push"), v[i].want);
		if (v[i].part)
			has(last_msg(), v[i].part);
		if (i == 0) {
			ck_assert_int_eq(ipam__dns_update_answer(w, n, 4243, "push"), IPAM_EBACKEND);
			has(last_msg(), "the answer's id 4242 is not the request's 4243");
			ck_assert_int_eq(ipam__dns_update_answer(w, 5, 4242, "push"), IPAM_EBACKEND);
			has(last_msg(), "the answer does not parse");
		}
		free(w);
		ldns_pkt_free(p);
	}
}
END_TEST

/* ---- RPZ, PowerDNS JSON, AXFR messages --------------------------------------------------------------------- */

START_TEST(rpz_zone)
{
	char o[128];
	ipam_prefix p = P("192.0.2.0/24");
	OK(ipam__dns_rpz_ip_owner(o, sizeof o, &p, IPAM__RPZ_RESPONSE_IP));
	ck_assert_str_eq(o, "24.0.2.0.192.rpz-ip");
	p = P("2001:db8::/32");
	OK(ipam__dns_rpz_ip_owner(o, sizeof o, &p, IPAM__RPZ_CLIENT_IP));
	ck_assert_str_eq(o, "32.zz.db8.2001.rpz-client-ip");
	p = P("2001:db8:0:0:1::/80");
	OK(ipam__dns_rpz_ip_owner(o, sizeof o, &p, IPAM__RPZ_RESPONSE_IP));
	ck_assert_str_eq(o, "80.zz.1.0.0.db8.2001.rpz-ip");
	p = P("2001:db8:1:2:3:4:5:0/128");
	OK(ipam__dns_rpz_ip_owner(o, sizeof o, &p, IPAM__RPZ_RESPONSE_IP));
	ck_assert_str_eq(o, "128.0.5.4.3.2.1.db8.2001.rpz-ip");

	const char *redirect[] = { "A 192.0.2.80", "AAAA 2001:db8::80" };
	ipam__dns_rpz_policy pol[] = {
		{ .trigger = IPAM__RPZ_QNAME, .name = "bad.example.", .action = IPAM__RPZ_NXDOMAIN, .data = NULL, .ndata = 0 },
		{ .trigger = IPAM__RPZ_QNAME, .name = "*.ads.example", .action = IPAM__RPZ_NODATA, .data = NULL, .ndata = 0 },
		{ .trigger = IPAM__RPZ_QNAME, .name = "ok.bad.example", .action = IPAM__RPZ_PASSTHRU, .data = NULL, .ndata = 0 },
		{ .trigger = IPAM__RPZ_QNAME, .name = "moved.example", .action = IPAM__RPZ_LOCAL_DATA, .data = redirect, .ndata = 2 },
		{ .trigger = IPAM__RPZ_RESPONSE_IP, .prefix = P("198.51.100.0/24"), .action = IPAM__RPZ_NXDOMAIN },
		{ .trigger = IPAM__RPZ_CLIENT_IP, .prefix = P("127.0.0.2/32"), .action = IPAM__RPZ_DROP },
	};
	ipam__dns_zone *z = NULL;
	OK(ipam__dns_rpz_build(&z, "rpz.test.", pol, 6, 60));
	ipam_buf t = IPAM_BUF_INIT;
	OK(ipam__dns_render_zone(&t, z));
	ck_assert_str_eq(t.ptr, "$ORIGIN rpz.test.\n$TTL 60\n"
				"@\t60\tIN\tSOA\tlocalhost. hostmaster.localhost. 1 3600 600 86400 60\n"
				"@\t60\tIN\tNS\tlocalhost.\n"
				"*.ads.example\t60\tIN\tCNAME\t*.\n"
				"bad.example\t60\tIN\tCNAME\t.\n"
				"ok.bad.example\t60\tIN\tCNAME\trpz-passthru.\n"
				"moved.example\t60\tIN\tA\t192.0.2.80\n"
				"moved.example\t60\tIN\tAAAA\t2001:db8::80\n"
				"32.2.0.0.127.rpz-client-ip\t60\tIN\tCNAME\trpz-drop.\n"
				"24.0.100.51.198.rpz-ip\t60\tIN\tCNAME\t.\n");
	ipam_buf_dispose(&t);
	ipam__dns_zone_free(z);
	pol[3].ndata = 0;
	ck_assert_int_eq(ipam__dns_rpz_build(&z, "rpz.test.", pol, 6, 60), IPAM_EINVAL);
	has(last_msg(), "RPZ policy 3 (moved.example): local data without records");
	const char *baddata[] = { "A 192.0.2.999" };
	pol[3].data = baddata;
	pol[3].ndata = 1;
	ck_assert_int_eq(ipam__dns_rpz_build(&z, "rpz.test.", pol, 6, 60), IPAM_EINVAL);
	has(last_msg(), "RPZ policy 3 (moved.example): ");
}
END_TEST

START_TEST(pdns_json)
{
	static const char reply[] =
		"{\"name\":\"example.com.\",\"kind\":\"Native\",\"rrsets\":["
		"{\"name\":\"example.com.\",\"type\":\"SOA\",\"ttl\":3600,\"records\":[{\"content\":\"ns1.example.com. "
		"hostmaster.example.com. 5 3600 900 1209600 300\",\"disabled\":false}]},"
		"{\"name\":\"example.com.\",\"type\":\"NS\",\"ttl\":3600,\"records\":[{\"content\":\"ns1.example.com.\",\"disabled\":false}]},"
		"{\"name\":\"www.example.com.\",\"type\":\"A\",\"ttl\":300,\"records\":[{\"content\":\"192.0.2.1\",\"disabled\":false},"
		"{\"content\":\"192.0.2.2\",\"disabled\":true}]}]}";
	ipam__dns_zone *z = NULL;
	OK(ipam__dns_pdns_parse_zone(&z, reply, strlen(reply), "GET"));
	ck_assert_uint_eq(z->serial, 5);
	ck_assert_uint_eq(z->n, 2); /* the disabled record is not served */
	ipam__dns_zone_free(z);
	ck_assert_int_eq(ipam__dns_pdns_parse_zone(&z, "{\"name\":1}", 10, "GET"), IPAM_EBACKEND);
	has(last_msg(), "GET: the reply has no \"name\" string and \"rrsets\" array");
	ck_assert_int_eq(ipam__dns_pdns_parse_zone(&z, "{", 1, "GET"), IPAM_EBACKEND);
	static const char outside[] = "{\"name\":\"example.com.\",\"rrsets\":[{\"name\":\"evil.org.\",\"type\":\"A\",\"ttl\":1,"
				      "\"records\":[{\"content\":\"192.0.2.1\"}]}]}";
	ck_assert_int_eq(ipam__dns_pdns_parse_zone(&z, outside, strlen(outside), "GET"), IPAM_EBACKEND);
	has(last_msg(), "evil.org. lies outside the zone");
	char m[64];
	const char *ej = "{\"error\": \"RRset x.example.com. IN A: bad\\u0001\"}";
	ipam__dns_pdns_error_message(m, sizeof m, ej, strlen(ej));
	ck_assert_str_eq(m, "RRset x.example.com. IN A: bad?");
	ipam__dns_pdns_error_message(m, sizeof m, "not json", 8);
	ck_assert_str_eq(m, "");
}
END_TEST

static size_t axfr_msg(uint8_t **w, const char *const *rrs, size_t n, uint16_t id)
{
	ldns_pkt *p = ldns_pkt_new();
	ldns_pkt_set_id(p, id);
	ldns_pkt_set_qr(p, true);
	ldns_pkt_set_aa(p, true);
	for (size_t i = 0; i < n; i++) {
		ldns_rr *rr = NULL;
		ck_assert(ldns_rr_new_frm_str(&rr, rrs[i], 0, NULL, NULL) == LDNS_STATUS_OK);
		ldns_pkt_push_rr(p, LDNS_SECTION_ANSWER, rr);
	}
	size_t len = 0;
	ck_assert(ldns_pkt2wire(w, p, &len) == LDNS_STATUS_OK);
	ldns_pkt_free(p);
	return len;
}

START_TEST(axfr_reader)
{
	const char *m1[] = { "example.com. 3600 IN SOA ns1.example.com. h.example.com. 9 1 2 3 4", "example.com. 3600 IN NS ns1.example.com.",
			     "www.example.com. 60 IN A 192.0.2.1" };
	const char *m2[] = { "odd\\@name.example.com. 60 IN TXT \"kept as the server has it\"",
			     "example.com. 3600 IN SOA ns1.example.com. h.example.com. 9 1 2 3 4" };
	ipam__dns_axfr_reader r;
	OK(ipam__dns_axfr_reader_init(&r, "example.com.", "AXFR test"));
	uint8_t *w = NULL;
	size_t n = axfr_msg(&w, m1, 3, 1);
	OK(ipam__dns_axfr_reader_feed(&r, w, n));
	free(w);
	ck_assert(!r.done);
	n = axfr_msg(&w, m2, 2, 1);
	OK(ipam__dns_axfr_reader_feed(&r, w, n));
	ck_assert(r.done);
	ck_assert_uint_eq(r.zone->serial, 9);
	ck_assert_uint_eq(r.zone->n, 3);
	ck_assert_int_eq(ipam__dns_axfr_reader_feed(&r, w, n), IPAM_EBACKEND);
	has(last_msg(), "AXFR test: a message after the closing SOA");
	free(w);
	ipam__dns_axfr_reader_dispose(&r);
	/* not starting with the SOA; records of another zone */
	OK(ipam__dns_axfr_reader_init(&r, "example.com.", "AXFR test"));
	n = axfr_msg(&w, m1 + 1, 1, 1);
	ck_assert_int_eq(ipam__dns_axfr_reader_feed(&r, w, n), IPAM_EBACKEND);
	has(last_msg(), "the transfer does not start with the SOA");
	free(w);
	ipam__dns_axfr_reader_dispose(&r);
	/* a signed transfer that is not signed */
	OK(ipam__dns_axfr_reader_init(&r, "example.com.", "AXFR test"));
	r.tsig.name = "k";
	r.tsig.secret = "c2VjcmV0";
	n = axfr_msg(&w, m1, 3, 1);
	ck_assert_int_eq(ipam__dns_axfr_reader_feed(&r, w, n), IPAM_EBACKEND);
	has(last_msg(), "message 1 is not signed with TSIG key k");
	free(w);
	ipam__dns_axfr_reader_dispose(&r);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("dns");
	TCase *t = tcase_create("model");
	tcase_set_timeout(t, 60);
	tcase_add_test(t, render_exact_and_stable);
	tcase_add_test(t, fast_printer_matches_ldns);
	tcase_add_test(t, canonical_order_is_ldns_order);
	tcase_add_test(t, record_rules);
	tcase_add_test(t, parse_round_trip);
	tcase_add_test(t, parse_errors_name_file_and_line);
	tcase_add_test(t, servers_accept_rendered_zones);
	tcase_add_test(t, reverse_zone_names);
	tcase_add_test(t, zone_match_and_ptr_owner);
	tcase_add_test(t, serials);
	tcase_add_test(t, diff_and_apply);
	tcase_add_test(t, push_dry_run_text);
	tcase_add_test(t, update_answers);
	tcase_add_test(t, rpz_zone);
	tcase_add_test(t, pdns_json);
	tcase_add_test(t, axfr_reader);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
