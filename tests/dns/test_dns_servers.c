/* src/dns against real servers on 127.0.0.1, started here from the Debian
 * packages (dns_test.c). One argument picks the test:
 *
 *  bind, knot, pdns-update  RFC 2136 with TSIG (hmac-sha256) to named, knotd,
 *                           pdns_server: adds, renames, releases in a forward
 *                           zone and the v4 and v6 reverse zones, each push
 *                           checked by querying the server; then an outside
 *                           nsupdate, seen by the AXFR drift check and by the
 *                           next push's prerequisites (it fails, nothing is
 *                           overwritten); then a wrong TSIG key.
 *  pdns-api                 the PowerDNS HTTP API: create, push, query, an
 *                           outside change refused before sending, a 422 with
 *                           PowerDNS's message, a wrong API key (401).
 *  unbound-rpz              a generated RPZ loaded by unbound: QNAME,
 *                           response-IP and client-IP triggers block, redirect
 *                           and pass as the policies say.
 *  errors                   a closed port, a server that never answers, an
 *                           unsigned update (REFUSED), a zone the server does
 *                           not serve (NOTAUTH), other TSIG algorithms.
 */
#include "dns/dns.h"
#include "dns_test.h"

#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define OK(call) ck_assert_msg((call) == 0, "%s: %s", #call, ipam_error_last()->message)

static const char *which;

static void has(const char *msg, const char *part)
{
	ck_assert_msg(msg && strstr(msg, part) != NULL, "message \"%s\" lacks \"%s\"", msg ? msg : "(null)", part);
}

static const char *last_msg(void)
{
	return ipam_error_last()->message;
}

static ipam_addr A(const char *s)
{
	ipam_addr a;
	ck_assert_msg(ipam_addr_parse(&a, s) == 0, "parse %s", s);
	return a;
}

/* ---- the zones ---------------------------------------------------------------------------- */

enum { FWD, REV4, REV6, NZ };
static const char *const zone_names[NZ] = { "example.test.", "2.0.192.in-addr.arpa.",
					    "0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa." };

static ipam__dns_zone *new_zone(const char *origin)
{
	ipam__dns_zone *z = NULL;
	OK(ipam__dns_zone_new(&z, origin));
	OK(ipam__dns_zone_set_soa(z, "ns1.example.test.", "hostmaster.example.test.", 2026010100, 3600, 900, 1209600, 60));
	z->ttl = 60;
	OK(ipam__dns_zone_add_ns(z, "ns1.example.test."));
	if (!strcmp(origin, "example.test."))
		OK(ipam__dns_zone_add(z, "ns1 A 127.0.0.1", NULL));
	return z;
}

/* IPAM's side of "allocate `addr` with `host`": A or AAAA in the forward
 * zone, PTR where ipam__dns_ptr_owner puts it. */
static void add_host(ipam__dns_zone **z, const char *host, const char *addr)
{
	char line[512], owner[256];
	ipam_addr a = A(addr);
	snprintf(line, sizeof line, "%s 60 IN %s %s", host, a.family == IPAM_AF_INET ? "A" : "AAAA", addr);
	OK(ipam__dns_zone_add(z[FWD], line, NULL));
	size_t zi;
	OK(ipam__dns_ptr_owner(owner, sizeof owner, &zi, &a, zone_names, NZ));
	ck_assert_uint_eq(zi, a.family == IPAM_AF_INET ? REV4 : REV6);
	snprintf(line, sizeof line, "%s 60 IN PTR %s", owner, host);
	OK(ipam__dns_zone_add(z[zi], line, NULL));
}

static void del_host(ipam__dns_zone **z, const char *host, const char *addr)
{
	char owner[256];
	ipam_addr a = A(addr);
	ldns_rdf *h = ldns_dname_new_frm_str(host);
	ck_assert_uint_eq(ipam__dns_zone_remove(z[FWD], h, a.family == IPAM_AF_INET ? LDNS_RR_TYPE_A : LDNS_RR_TYPE_AAAA), 1);
	size_t zi;
	OK(ipam__dns_ptr_owner(owner, sizeof owner, &zi, &a, zone_names, NZ));
	ldns_rdf *o = ldns_dname_new_frm_str(owner);
	ck_assert_uint_eq(ipam__dns_zone_remove(z[zi], o, LDNS_RR_TYPE_PTR), 1);
	ldns_rdf_deep_free(h);
	ldns_rdf_deep_free(o);
}

static char *render(ipam__dns_zone *z)
{
	ipam_buf b = IPAM_BUF_INIT;
	OK(ipam__dns_render_zone(&b, z));
	return b.ptr;
}

static void expect(const dt_server *s, const char *name, const char *type, int rcode, const char *want)
{
	char out[2048];
	int rc = -1;
	/* an update is visible at once on BIND and Knot; PowerDNS may answer
	 * from its packet cache for up to a second: ask again until then */
	for (int i = 0; i < 40; i++) {
		rc = dt_query("127.0.0.1", s->port, name, type, out, sizeof out);
		if (rc == rcode && !strcmp(out, want))
			return;
		struct timespec ts = { 0, 50 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	ck_abort_msg("%s %s: rcode %d \"%s\", want rcode %d \"%s\"", name, type, rc, out, rcode, want);
}

static ipam__dns_server server_of(const dt_server *s)
{
	ipam__dns_server srv = { 0 };
	srv.name = which;
	srv.address = "127.0.0.1";
	srv.port = (uint16_t)s->port;
	srv.timeout_ms = 30000;
	srv.tsig.name = s->key_name;
	srv.tsig.algorithm = "hmac-sha256";
	srv.tsig.secret = s->key_secret;
	return srv;
}

/* Push cur[i] for every zone; last[i] becomes the result's state. */
static void push_all(const ipam__dns_server *srv, ipam__dns_zone **last, ipam__dns_zone **cur, size_t max_rrs)
{
	for (int i = 0; i < NZ; i++) {
		ipam__dns_push_result r;
		ipam__dns_push_options o = { max_rrs, false };
		int rc = ipam__dns_push(&r, srv, last[i], cur[i], &o);
		ck_assert_msg(rc == 0, "push %s: %s\n%s", zone_names[i], last_msg(), r.text.ptr ? r.text.ptr : "");
		ck_assert_uint_eq(r.applied, r.messages);
		ck_assert_uint_eq(r.changes_applied, r.changes);
		ck_assert_ptr_nonnull(r.state);
		ipam__dns_zone_free(last[i]);
		last[i] = r.state;
		r.state = NULL;
		ipam__dns_push_result_dispose(&r);
	}
}

static void nsupdate(const dt_server *s, const char *zone, const char *cmds)
{
	char dir[256], path[400], text[2048], *out = NULL;
	ck_assert(dt_tmpdir(dir, "nsupdate") == 0);
	snprintf(path, sizeof path, "%s/cmds", dir);
	snprintf(text, sizeof text, "server 127.0.0.1 %d\nzone %s\n%ssend\n", s->port, zone, cmds);
	ck_assert(dt_write(path, text) == 0);
	int st = dt_sh(&out, "nsupdate -y hmac-sha256:%s:%s %s", s->key_name, s->key_secret, path);
	ck_assert_msg(st == 0, "nsupdate: %s", out);
	free(out);
}

/* ---- RFC 2136 to one server kind ------------------------------------------------------------ */

static void rfc2136(dt_kind kind)
{
	ipam__dns_zone *last[NZ], *cur[NZ];
	char *text[NZ];
	dt_zone zones[NZ];
	for (int i = 0; i < NZ; i++) {
		last[i] = new_zone(zone_names[i]);
		text[i] = render(last[i]);
		zones[i] = (dt_zone){ zone_names[i], text[i] };
		OK(ipam__dns_zone_clone(&cur[i], last[i]));
	}
	dt_server s;
	ck_assert_msg(dt_start(&s, kind, zones, NZ, NULL) == 0, "%s", dt_why());
	ipam__dns_server srv = server_of(&s);

	/* allocate: v4 and v6, forward and reverse */
	add_host(cur, "web1.example.test.", "192.0.2.10");
	add_host(cur, "web1.example.test.", "2001:db8::10");
	add_host(cur, "web2.example.test.", "192.0.2.11");
	OK(ipam__dns_zone_add(cur[FWD], "www 60 IN CNAME web1", NULL));
	OK(ipam__dns_zone_add(cur[FWD], "@ 60 IN MX 10 web1.example.test.", NULL));
	/* small messages, to see several in one push */
	push_all(&srv, last, cur, 4);
	expect(&s, "web1.example.test.", "A", LDNS_RCODE_NOERROR, "192.0.2.10");
	expect(&s, "web1.example.test.", "AAAA", LDNS_RCODE_NOERROR, "2001:db8::10");
	expect(&s, "web2.example.test.", "A", LDNS_RCODE_NOERROR, "192.0.2.11");
	expect(&s, "10.2.0.192.in-addr.arpa.", "PTR", LDNS_RCODE_NOERROR, "web1.example.test.");
	expect(&s, "0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.", "PTR", LDNS_RCODE_NOERROR,
	       "web1.example.test.");
	expect(&s, "www.example.test.", "CNAME", LDNS_RCODE_NOERROR, "web1.example.test.");

	/* many names at once: several update messages, and an AXFR of many
	 * messages, every one TSIG-verified, that matches */
	{
		ipam__dns_zone *bulk = NULL;
		OK(ipam__dns_zone_clone(&bulk, cur[FWD]));
		char line[128];
		for (int i = 0; i < 3000; i++) {
			snprintf(line, sizeof line, "bulk%d 60 IN A 10.9.%d.%d", i, i / 256, i % 256);
			OK(ipam__dns_zone_add(bulk, line, NULL));
		}
		ipam__dns_push_result br;
		OK(ipam__dns_push(&br, &srv, last[FWD], bulk, NULL));
		ck_assert_uint_ge(br.messages, 3);
		ck_assert_uint_eq(br.applied, br.messages);
		ipam__dns_zone *live = NULL;
		ipam__dns_drift bd;
		OK(ipam__dns_axfr(&live, &srv, zone_names[FWD]));
		ck_assert_uint_eq(live->n, bulk->n);
		OK(ipam__dns_drift_check(&bd, live, bulk));
		ck_assert_uint_eq(bd.diff.n, 0);
		ipam__dns_drift_dispose(&bd);
		ipam__dns_zone_free(live);
		expect(&s, "bulk2999.example.test.", "A", LDNS_RCODE_NOERROR, "10.9.11.183");
		/* they stay: what follows works on a zone of 3000 names more
		 * (deleting them all again costs PowerDNS ~3 s a message) */
		ipam__dns_zone_free(last[FWD]);
		last[FWD] = br.state;
		br.state = NULL;
		ipam__dns_zone_free(cur[FWD]);
		cur[FWD] = bulk;
		ipam__dns_push_result_dispose(&br);
	}

	/* rename web1 -> app1 (both families), release web2, change the MX */
	del_host(cur, "web1.example.test.", "192.0.2.10");
	del_host(cur, "web1.example.test.", "2001:db8::10");
	del_host(cur, "web2.example.test.", "192.0.2.11");
	add_host(cur, "app1.example.test.", "192.0.2.10");
	add_host(cur, "app1.example.test.", "2001:db8::10");
	ldns_rdf *www = ldns_dname_new_frm_str("www.example.test.");
	ipam__dns_zone_remove(cur[FWD], www, LDNS_RR_TYPE_CNAME);
	OK(ipam__dns_zone_add(cur[FWD], "www 60 IN CNAME app1", NULL));
	push_all(&srv, last, cur, 0);
	expect(&s, "web1.example.test.", "A", LDNS_RCODE_NXDOMAIN, "");
	expect(&s, "web2.example.test.", "A", LDNS_RCODE_NXDOMAIN, "");
	expect(&s, "app1.example.test.", "A", LDNS_RCODE_NOERROR, "192.0.2.10");
	expect(&s, "app1.example.test.", "AAAA", LDNS_RCODE_NOERROR, "2001:db8::10");
	expect(&s, "10.2.0.192.in-addr.arpa.", "PTR", LDNS_RCODE_NOERROR, "app1.example.test.");
	expect(&s, "11.2.0.192.in-addr.arpa.", "PTR", LDNS_RCODE_NXDOMAIN, "");
	expect(&s, "0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.", "PTR", LDNS_RCODE_NOERROR,
	       "app1.example.test.");
	expect(&s, "www.example.test.", "CNAME", LDNS_RCODE_NOERROR, "app1.example.test.");

	/* no change: nothing to send */
	ipam__dns_push_result r;
	OK(ipam__dns_push(&r, &srv, last[FWD], cur[FWD], NULL));
	ck_assert_uint_eq(r.messages, 0);
	ipam__dns_push_result_dispose(&r);

	/* the server's zone is what we pushed: AXFR + drift finds nothing */
	ipam__dns_zone *live = NULL;
	ipam__dns_drift d;
	OK(ipam__dns_axfr(&live, &srv, zone_names[FWD]));
	OK(ipam__dns_drift_check(&d, live, cur[FWD]));
	ipam_buf dt = IPAM_BUF_INIT;
	OK(ipam__dns_drift_text(&dt, &d));
	ck_assert_msg(d.diff.n == 0, "drift after a push:\n%s", dt.ptr);
	ipam_buf_dispose(&dt);
	ipam__dns_drift_dispose(&d);
	ipam__dns_zone_free(live);

	/* an outside change between pushes */
	nsupdate(&s, "example.test.", "update delete app1.example.test. A\nupdate add app1.example.test. 60 A 192.0.2.99\n"
				      "update add extra.example.test. 60 TXT \"made outside\"\n");
	expect(&s, "app1.example.test.", "A", LDNS_RCODE_NOERROR, "192.0.2.99");
	OK(ipam__dns_axfr(&live, &srv, zone_names[FWD]));
	OK(ipam__dns_drift_check(&d, live, cur[FWD]));
	OK(ipam__dns_drift_text(&dt, &d));
	ck_assert_msg(d.different == 1 && d.only_server == 1 && d.only_ipam == 0, "drift:\n%s", dt.ptr);
	has(dt.ptr, "different: app1.example.test. A\n  server: app1.example.test.\t60\tIN\tA\t192.0.2.99\n"
		    "  ipam:   app1.example.test.\t60\tIN\tA\t192.0.2.10\n");
	has(dt.ptr, "only-server: extra.example.test.\t60\tIN\tTXT\t\"made outside\"\n");
	ipam_buf_dispose(&dt);
	ipam__dns_drift_dispose(&d);
	ipam__dns_zone_free(live);

	/* our next push changes app1's A: the prerequisite (the A we last
	 * pushed) fails, nothing is overwritten, nothing counted as pushed */
	ldns_rdf *app1 = ldns_dname_new_frm_str("app1.example.test.");
	ipam__dns_zone_remove(cur[FWD], app1, LDNS_RR_TYPE_A);
	OK(ipam__dns_zone_add(cur[FWD], "app1 60 IN A 192.0.2.12", NULL));
	int rc = ipam__dns_push(&r, &srv, last[FWD], cur[FWD], NULL);
	ck_assert_msg(rc == IPAM_ECONFLICT, "push over an outside change: %d %s", rc, last_msg());
	has(last_msg(), "NXRRSET");
	has(last_msg(), "zone example.test.");
	has(last_msg(), which);
	ck_assert_uint_eq(r.applied, 0);
	ck_assert_uint_eq(r.changes_applied, 0);
	{
		char *a = render(r.state), *b = render(last[FWD]);
		ck_assert_str_eq(a, b);
		free(a);
		free(b);
	}
	ipam__dns_push_result_dispose(&r);
	expect(&s, "app1.example.test.", "A", LDNS_RCODE_NOERROR, "192.0.2.99");
	/* a new name that the outside already took: "name not in use" fails */
	ipam__dns_zone *cur2 = NULL;
	OK(ipam__dns_zone_clone(&cur2, last[FWD]));
	OK(ipam__dns_zone_add(cur2, "extra 60 IN A 192.0.2.77", NULL));
	rc = ipam__dns_push(&r, &srv, last[FWD], cur2, NULL);
	ck_assert_msg(rc == IPAM_ECONFLICT, "push of a name taken outside: %d %s", rc, last_msg());
	has(last_msg(), "YXDOMAIN");
	ck_assert_uint_eq(r.applied, 0);
	ipam__dns_push_result_dispose(&r);
	expect(&s, "extra.example.test.", "A", LDNS_RCODE_NOERROR, "");
	/* a new RRset at a name we have, that the outside created meanwhile:
	 * "RRset does not exist" fails */
	nsupdate(&s, "example.test.", "update add ns1.example.test. 60 TXT \"outside\"\n");
	ipam__dns_zone *cur3 = NULL;
	OK(ipam__dns_zone_clone(&cur3, last[FWD]));
	OK(ipam__dns_zone_add(cur3, "ns1 60 IN TXT \"ours\"", NULL));
	rc = ipam__dns_push(&r, &srv, last[FWD], cur3, NULL);
	ck_assert_msg(rc == IPAM_ECONFLICT, "push of an RRset made outside: %d %s", rc, last_msg());
	has(last_msg(), "YXRRSET");
	ck_assert_uint_eq(r.applied, 0);
	ipam__dns_push_result_dispose(&r);
	ipam__dns_zone_free(cur3);
	expect(&s, "ns1.example.test.", "TXT", LDNS_RCODE_NOERROR, "\"outside\"");

	/* a wrong TSIG key: a clear error, the secret nowhere in it */
	char wrong[64];
	dt_secret(wrong);
	ipam__dns_server bad = srv;
	bad.tsig.secret = wrong;
	rc = ipam__dns_push(&r, &bad, last[FWD], cur2, NULL);
	ck_assert_msg(rc == IPAM_EAUTH, "wrong key: %d %s", rc, last_msg());
	has(last_msg(), "TSIG key ipam-test-key (hmac-sha256) was not accepted");
	has(last_msg(), "zone example.test.");
	ck_assert_ptr_null(strstr(last_msg(), wrong));
	ck_assert_ptr_null(strstr(last_msg(), s.key_secret));
	ck_assert_ptr_null(strstr(r.text.ptr, s.key_secret));
	ck_assert_uint_eq(r.applied, 0);
	ipam__dns_push_result_dispose(&r);
	ipam__dns_zone *nolive = NULL;
	rc = ipam__dns_axfr(&nolive, &bad, zone_names[FWD]);
	ck_assert_msg(rc == IPAM_EAUTH || rc == IPAM_EPERM, "AXFR with a wrong key: %d %s", rc, last_msg());
	ck_assert_ptr_null(nolive);
	expect(&s, "extra.example.test.", "A", LDNS_RCODE_NOERROR, "");

	/* after a drift check, IPAM adopts the server's view and goes on */
	OK(ipam__dns_axfr(&live, &srv, zone_names[FWD]));
	ipam__dns_zone_free(last[FWD]);
	last[FWD] = live;
	OK(ipam__dns_push(&r, &srv, last[FWD], cur[FWD], NULL));
	ck_assert_uint_eq(r.applied, r.messages);
	ipam__dns_push_result_dispose(&r);
	expect(&s, "app1.example.test.", "A", LDNS_RCODE_NOERROR, "192.0.2.12");
	expect(&s, "extra.example.test.", "TXT", LDNS_RCODE_NXDOMAIN, "");
	expect(&s, "ns1.example.test.", "TXT", LDNS_RCODE_NOERROR, "");

	dt_stop(&s);
	ldns_rdf_deep_free(www);
	ldns_rdf_deep_free(app1);
	ipam__dns_zone_free(cur2);
	for (int i = 0; i < NZ; i++) {
		ipam__dns_zone_free(last[i]);
		ipam__dns_zone_free(cur[i]);
		free(text[i]);
	}
}

START_TEST(bind_rfc2136)
{
	rfc2136(DT_BIND);
}
END_TEST

START_TEST(knot_rfc2136)
{
	rfc2136(DT_KNOT);
}
END_TEST

START_TEST(pdns_rfc2136)
{
	rfc2136(DT_PDNS);
}
END_TEST

/* ---- RFC 2317 end to end on BIND ------------------------------------------------------------------- */

START_TEST(bind_rfc2317)
{
	ipam_prefix p;
	ck_assert(ipam_prefix_parse(&p, "192.0.2.64/26", IPAM_PARSE_DEFAULT) == 0);
	char **child_names = NULL;
	size_t n = 0;
	OK(ipam__dns_reverse_zones(&child_names, &n, &p, IPAM__DNS_2317_SLASH));
	ipam__dns_zone *parent = new_zone("2.0.192.in-addr.arpa."), *child = new_zone(child_names[0]);
	const char *ns[] = { "ns1.example.test." };
	OK(ipam__dns_rfc2317_parent(parent, &p, IPAM__DNS_2317_SLASH, ns, 1, 60));
	char *pt = render(parent), *ct = render(child);
	dt_zone zones[] = { { "2.0.192.in-addr.arpa.", pt }, { child_names[0], ct } };
	dt_server s;
	ck_assert_msg(dt_start(&s, DT_BIND, zones, 2, NULL) == 0, "%s", dt_why());
	ipam__dns_server srv = server_of(&s);
	/* IPAM puts the PTR of 192.0.2.70 into the classless zone */
	const char *set[] = { "example.test.", "2.0.192.in-addr.arpa.", child_names[0] };
	char owner[128], line[256];
	size_t zi;
	ipam_addr a = A("192.0.2.70");
	OK(ipam__dns_ptr_owner(owner, sizeof owner, &zi, &a, set, 3));
	ck_assert_uint_eq(zi, 2);
	ipam__dns_zone *cur = NULL;
	OK(ipam__dns_zone_clone(&cur, child));
	snprintf(line, sizeof line, "%s 60 IN PTR host70.example.test.", owner);
	OK(ipam__dns_zone_add(cur, line, NULL));
	ipam__dns_push_result r;
	OK(ipam__dns_push(&r, &srv, child, cur, NULL));
	ck_assert_uint_eq(r.applied, 1);
	ipam__dns_push_result_dispose(&r);
	/* a resolver asks the ordinary name, gets the parent's CNAME (BIND,
	 * authoritative only, does not chase it into the delegated child) and
	 * asks its target */
	expect(&s, "70.2.0.192.in-addr.arpa.", "CNAME", LDNS_RCODE_NOERROR, "70.64/26.2.0.192.in-addr.arpa.");
	expect(&s, "70.64/26.2.0.192.in-addr.arpa.", "PTR", LDNS_RCODE_NOERROR, "host70.example.test.");
	expect(&s, "71.2.0.192.in-addr.arpa.", "CNAME", LDNS_RCODE_NOERROR, "71.64/26.2.0.192.in-addr.arpa.");
	expect(&s, "71.64/26.2.0.192.in-addr.arpa.", "PTR", LDNS_RCODE_NXDOMAIN, "");
	dt_stop(&s);
	free(pt);
	free(ct);
	ipam__dns_zone_free(cur);
	ipam__dns_zone_free(parent);
	ipam__dns_zone_free(child);
	ipam__dns_strv_free(child_names);
}
END_TEST

/* ---- PowerDNS HTTP API ---------------------------------------------------------------------------- */

START_TEST(pdns_api)
{
	dt_server s;
	ck_assert_msg(dt_start(&s, DT_PDNS, NULL, 0, NULL) == 0, "%s", dt_why());
	char url[64];
	snprintf(url, sizeof url, "http://127.0.0.1:%d", s.http_port);
	ipam__dns_pdns api = { url, NULL, s.api_key, 5000 };
	ipam__dns_zone *z[NZ], *last = NULL;
	for (int i = 0; i < NZ; i++)
		z[i] = new_zone(zone_names[i]);
	OK(ipam__dns_pdns_create_zone(&api, z[FWD]));
	OK(ipam__dns_zone_clone(&last, z[FWD]));
	expect(&s, "ns1.example.test.", "A", LDNS_RCODE_NOERROR, "127.0.0.1");
	ck_assert_int_eq(ipam__dns_pdns_create_zone(&api, z[FWD]), IPAM_EEXISTS);
	has(last_msg(), "create zone example.test.: 409");

	add_host(z, "web1.example.test.", "192.0.2.10");
	add_host(z, "web1.example.test.", "2001:db8::10");
	OK(ipam__dns_zone_add(z[FWD], "txt 60 IN TXT \"hello world\" \"two\"", NULL));
	ipam__dns_push_result r;
	OK(ipam__dns_pdns_push(&r, &api, last, z[FWD], true));
	has(r.text.ptr, "PATCH ");
	has(r.text.ptr, "X-API-Key: (not shown)\n");
	ck_assert_ptr_null(strstr(r.text.ptr, s.api_key));
	has(r.text.ptr, "\"changetype\":\"REPLACE\"");
	ipam__dns_push_result_dispose(&r);
	OK(ipam__dns_pdns_push(&r, &api, last, z[FWD], false));
	ck_assert_uint_eq(r.applied, 1);
	ipam__dns_zone_free(last);
	last = r.state;
	r.state = NULL;
	ipam__dns_push_result_dispose(&r);
	expect(&s, "web1.example.test.", "A", LDNS_RCODE_NOERROR, "192.0.2.10");
	expect(&s, "web1.example.test.", "AAAA", LDNS_RCODE_NOERROR, "2001:db8::10");
	expect(&s, "txt.example.test.", "TXT", LDNS_RCODE_NOERROR, "\"hello world\" \"two\"");

	/* reverse zones through the API too */
	for (int i = REV4; i <= REV6; i++)
		OK(ipam__dns_pdns_create_zone(&api, z[i]));
	expect(&s, "10.2.0.192.in-addr.arpa.", "PTR", LDNS_RCODE_NOERROR, "web1.example.test.");

	/* an RFC 2317 zone: PowerDNS's zone id escapes the '/' (=2F) */
	{
		ipam__dns_zone *cl = new_zone("64/26.2.0.192.in-addr.arpa."), *cl2 = NULL;
		OK(ipam__dns_pdns_create_zone(&api, cl));
		OK(ipam__dns_zone_clone(&cl2, cl));
		OK(ipam__dns_zone_add(cl2, "70 60 IN PTR host70.example.test.", NULL));
		OK(ipam__dns_pdns_push(&r, &api, cl, cl2, false));
		ck_assert_uint_eq(r.applied, 1);
		ipam__dns_push_result_dispose(&r);
		expect(&s, "70.64/26.2.0.192.in-addr.arpa.", "PTR", LDNS_RCODE_NOERROR, "host70.example.test.");
		ipam__dns_zone *got = NULL;
		OK(ipam__dns_pdns_get_zone(&got, &api, "64/26.2.0.192.in-addr.arpa."));
		ck_assert_uint_eq(got->n, cl2->n);
		ipam__dns_zone_free(got);
		ipam__dns_zone_free(cl);
		ipam__dns_zone_free(cl2);
	}

	/* rename and delete: REPLACE and DELETE */
	del_host(z, "web1.example.test.", "192.0.2.10");
	add_host(z, "app1.example.test.", "192.0.2.10");
	OK(ipam__dns_pdns_push(&r, &api, last, z[FWD], false));
	ipam__dns_zone_free(last);
	last = r.state;
	r.state = NULL;
	ipam__dns_push_result_dispose(&r);
	expect(&s, "web1.example.test.", "A", LDNS_RCODE_NOERROR, "");
	expect(&s, "app1.example.test.", "A", LDNS_RCODE_NOERROR, "192.0.2.10");

	/* the server's zone matches: drift through the API finds nothing */
	ipam__dns_zone *live = NULL;
	ipam__dns_drift d;
	OK(ipam__dns_pdns_get_zone(&live, &api, "example.test."));
	OK(ipam__dns_drift_check(&d, live, z[FWD]));
	ck_assert_uint_eq(d.diff.n, 0);
	ipam__dns_drift_dispose(&d);
	ipam__dns_zone_free(live);

	/* an outside change (another client of the API) to app1's A */
	ipam__dns_zone *other = NULL;
	OK(ipam__dns_zone_clone(&other, last));
	ldns_rdf *app1 = ldns_dname_new_frm_str("app1.example.test.");
	ipam__dns_zone_remove(other, app1, LDNS_RR_TYPE_A);
	OK(ipam__dns_zone_add(other, "app1 60 IN A 192.0.2.99", NULL));
	OK(ipam__dns_zone_add(other, "clash 60 IN A 192.0.2.98", NULL));
	OK(ipam__dns_pdns_push(&r, &api, last, other, false));
	ipam__dns_push_result_dispose(&r);
	expect(&s, "app1.example.test.", "A", LDNS_RCODE_NOERROR, "192.0.2.99");
	ipam__dns_zone_remove(z[FWD], app1, LDNS_RR_TYPE_A);
	OK(ipam__dns_zone_add(z[FWD], "app1 60 IN A 192.0.2.12", NULL));
	int rc = ipam__dns_pdns_push(&r, &api, last, z[FWD], false);
	ck_assert_msg(rc == IPAM_ECONFLICT, "%d %s", rc, last_msg());
	has(last_msg(), "app1.example.test. A was changed outside IPAM since the last push");
	ck_assert_uint_eq(r.applied, 0);
	ipam__dns_push_result_dispose(&r);
	expect(&s, "app1.example.test.", "A", LDNS_RCODE_NOERROR, "192.0.2.99");

	/* a CNAME where the outside put an A: PowerDNS refuses with 422 and
	 * says why; nothing applied */
	ipam__dns_zone *c = NULL;
	OK(ipam__dns_zone_clone(&c, last));
	OK(ipam__dns_zone_add(c, "clash 60 IN CNAME app1", NULL));
	rc = ipam__dns_pdns_push(&r, &api, last, c, false);
	ck_assert_msg(rc == IPAM_EINVAL, "%d %s", rc, last_msg());
	has(last_msg(), "422: PowerDNS refused the change: ");
	has(last_msg(), "clash.example.test.");
	ck_assert_uint_eq(r.applied, 0);
	ipam__dns_push_result_dispose(&r);

	/* a wrong API key: 401, the keys nowhere in the message */
	ipam__dns_pdns bad = api;
	bad.api_key = "not-the-key-0123456789";
	rc = ipam__dns_pdns_push(&r, &bad, last, c, false);
	ck_assert_msg(rc == IPAM_EAUTH, "%d %s", rc, last_msg());
	has(last_msg(), "401: the API key was not accepted");
	ck_assert_ptr_null(strstr(last_msg(), "not-the-key"));
	ck_assert_ptr_null(strstr(last_msg(), s.api_key));
	ipam__dns_push_result_dispose(&r);
	/* nothing listening: a clear transport error */
	char closed[64];
	snprintf(closed, sizeof closed, "http://127.0.0.1:%d", dt_free_port());
	ipam__dns_pdns gone = { closed, NULL, s.api_key, 2000 };
	ck_assert_int_eq(ipam__dns_pdns_get_zone(&live, &gone, "example.test."), IPAM_EIO);
	has(last_msg(), "read zone example.test.: ");

	dt_stop(&s);
	ldns_rdf_deep_free(app1);
	ipam__dns_zone_free(c);
	ipam__dns_zone_free(other);
	ipam__dns_zone_free(last);
	for (int i = 0; i < NZ; i++)
		ipam__dns_zone_free(z[i]);
}
END_TEST

/* ---- RPZ in unbound -------------------------------------------------------------------------------- */

START_TEST(unbound_rpz)
{
	static const char upstream[] = "$ORIGIN example.test.\n$TTL 60\n@ SOA ns h 1 3600 600 86400 60\n@ NS ns\n"
				       "ns A 127.0.0.1\nbad A 203.0.113.1\nads A 203.0.113.2\nx.ads A 203.0.113.3\n"
				       "ok.ads A 203.0.113.4\nmoved A 203.0.113.5\nevil A 198.51.100.66\n"
				       "fine A 198.51.100.200\nplain A 203.0.113.9\n";
	/* the policies as stored objects, rendered from the store */
	ipam_db *db = NULL;
	OK(ipam_db_open(&db, "memory:", NULL));
	const char *pol[] = {
		"qname bad.example.test nxdomain",
		"qname *.ads.example.test nodata",
		"qname ok.ads.example.test passthru",
		"qname moved.example.test nxdomain",
		"response-ip 198.51.100.64/26 nxdomain",
		"client-ip 127.0.0.2/32 nxdomain",
		"qname plain.example.test nxdomain",
	};
	for (size_t i = 0; i < sizeof pol / sizeof pol[0]; i++)
		OK(ipam_rpz_add(db, "rpz.test", pol[i], 0));
	/* one policy a trigger: replaced only when asked */
	ck_assert_int_eq(ipam_rpz_add(db, "rpz.test", "qname Moved.Example.Test. local A 192.0.2.80", 0), IPAM_EEXISTS);
	OK(ipam_rpz_add(db, "rpz.test", "qname Moved.Example.Test. local A 192.0.2.80", 1));
	OK(ipam_rpz_rm(db, "rpz.test", "qname plain.example.test"));
	ipam_buf b = IPAM_BUF_INIT;
	OK(ipam_rpz_zone_render(&b, db, "rpz.test.", 60));
	/* 7 adds, a replace, a removal: serial 9 */
	ck_assert_msg(strstr(b.ptr, "\tSOA\tlocalhost. hostmaster.localhost. 9 "), "%s", b.ptr);
	char *rpz = b.ptr;
	ipam_db_free(db);
	char dir[256], up[400], rz[400], conf[2048];
	ck_assert(dt_tmpdir(dir, "rpz") == 0);
	snprintf(up, sizeof up, "%s/upstream.zone", dir);
	snprintf(rz, sizeof rz, "%s/rpz.zone", dir);
	ck_assert(dt_write(up, upstream) == 0 && dt_write(rz, rpz) == 0);
	snprintf(conf, sizeof conf,
		 "auth-zone:\n    name: \"example.test.\"\n    zonefile: \"%s\"\n    for-upstream: yes\n    for-downstream: no\n"
		 "    fallback-enabled: no\n"
		 "rpz:\n    name: \"rpz.test.\"\n    zonefile: \"%s\"\n    rpz-log: yes\n",
		 up, rz);
	dt_server s;
	ck_assert_msg(dt_start(&s, DT_UNBOUND, NULL, 0, conf) == 0, "%s", dt_why());
	/* without a policy, the upstream answer */
	expect(&s, "plain.example.test.", "A", LDNS_RCODE_NOERROR, "203.0.113.9");
	expect(&s, "fine.example.test.", "A", LDNS_RCODE_NOERROR, "198.51.100.200");
	/* QNAME NXDOMAIN, NODATA below a wildcard, PASSTHRU, local data */
	expect(&s, "bad.example.test.", "A", LDNS_RCODE_NXDOMAIN, "");
	expect(&s, "x.ads.example.test.", "A", LDNS_RCODE_NOERROR, "");
	expect(&s, "ads.example.test.", "A", LDNS_RCODE_NOERROR, "203.0.113.2"); /* the wildcard is below only */
	expect(&s, "ok.ads.example.test.", "A", LDNS_RCODE_NOERROR, "203.0.113.4");
	expect(&s, "moved.example.test.", "A", LDNS_RCODE_NOERROR, "192.0.2.80");
	/* an answer address inside 198.51.100.64/26 */
	expect(&s, "evil.example.test.", "A", LDNS_RCODE_NXDOMAIN, "");
	/* the client 127.0.0.2 is blocked; 127.0.0.1 is not */
	char out[256];
	int rc = dt_query_from("127.0.0.2", "127.0.0.1", s.port, "plain.example.test.", "A", out, sizeof out);
	ck_assert_msg(rc == LDNS_RCODE_NXDOMAIN, "from 127.0.0.2: rcode %d \"%s\"", rc, out);
	expect(&s, "plain.example.test.", "A", LDNS_RCODE_NOERROR, "203.0.113.9");
	dt_stop(&s);
	free(rpz);
}
END_TEST

/* ---- errors --------------------------------------------------------------------------------------------- */

START_TEST(push_errors)
{
	ipam__dns_zone *last = new_zone("example.test."), *cur = NULL;
	char *text = render(last);
	dt_zone zones[] = { { "example.test.", text } };
	OK(ipam__dns_zone_clone(&cur, last));
	OK(ipam__dns_zone_add(cur, "new 60 IN A 192.0.2.1", NULL));
	ipam__dns_push_result r;

	/* a closed port: unreachable, at once */
	ipam__dns_server srv = { "nowhere", "127.0.0.1", (uint16_t)dt_free_port(), 2000,
				 { "k", "hmac-sha256", "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTI=" } };
	int rc = ipam__dns_push(&r, &srv, last, cur, NULL);
	ck_assert_msg(rc == IPAM_EIO, "%d %s", rc, last_msg());
	has(last_msg(), "push to nowhere (127.0.0.1#");
	has(last_msg(), "zone example.test., message 1 of 1 (from new.example.test. A): the server is unreachable");
	ck_assert_uint_eq(r.applied, 0);
	ipam__dns_push_result_dispose(&r);
	ipam__dns_zone *live = NULL;
	ck_assert_int_eq(ipam__dns_axfr(&live, &srv, "example.test."), IPAM_EIO);
	has(last_msg(), "cannot connect: Connection refused");

	/* a server that accepts the connection and never answers: timeout */
	int lfd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = { 0 };
	socklen_t sl = sizeof sa;
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert(bind(lfd, (struct sockaddr *)&sa, sizeof sa) == 0 && listen(lfd, 4) == 0);
	ck_assert(getsockname(lfd, (struct sockaddr *)&sa, &sl) == 0);
	srv.name = "silent";
	srv.port = ntohs(sa.sin_port);
	srv.timeout_ms = 500;
	time_t t0 = time(NULL);
	rc = ipam__dns_push(&r, &srv, last, cur, NULL);
	ck_assert_msg(rc == IPAM_EIO, "%d %s", rc, last_msg());
	has(last_msg(), "did not answer within 500 ms");
	ck_assert_uint_eq(r.applied, 0);
	ck_assert_int_le(time(NULL) - t0, 10);
	ipam__dns_push_result_dispose(&r);
	rc = ipam__dns_axfr(&live, &srv, "example.test.");
	ck_assert_msg(rc == IPAM_EIO, "%d %s", rc, last_msg());
	has(last_msg(), "no answer within the timeout");
	close(lfd);

	/* a real server: unsigned (REFUSED), a zone it does not serve
	 * (NOTAUTH), other algorithms */
	dt_server s;
	ck_assert_msg(dt_start(&s, DT_BIND, zones, 1, NULL) == 0, "%s", dt_why());
	srv = server_of(&s);
	srv.name = "bind-e";
	ipam__dns_server unsigned_srv = srv;
	unsigned_srv.tsig.name = NULL;
	rc = ipam__dns_push(&r, &unsigned_srv, last, cur, NULL);
	ck_assert_msg(rc == IPAM_EPERM, "%d %s", rc, last_msg());
	has(last_msg(), "REFUSED");
	has(last_msg(), "push to bind-e");
	ck_assert_uint_eq(r.applied, 0);
	ipam__dns_push_result_dispose(&r);
	ipam__dns_zone *other = new_zone("elsewhere.test."), *other2 = NULL;
	OK(ipam__dns_zone_clone(&other2, other));
	OK(ipam__dns_zone_add(other2, "x 60 IN A 192.0.2.2", NULL));
	rc = ipam__dns_push(&r, &srv, other, other2, NULL);
	ck_assert_msg(rc == IPAM_EPERM, "%d %s", rc, last_msg());
	has(last_msg(), "NOTAUTH");
	has(last_msg(), "zone elsewhere.test.");
	ipam__dns_push_result_dispose(&r);
	/* the key is hmac-sha256 at the server: the same secret under another
	 * algorithm is another key */
	srv.tsig.algorithm = "hmac-sha512";
	rc = ipam__dns_push(&r, &srv, last, cur, NULL);
	ck_assert_msg(rc == IPAM_EAUTH, "%d %s", rc, last_msg());
	has(last_msg(), "(hmac-sha512) was not accepted");
	ipam__dns_push_result_dispose(&r);
	srv.tsig.algorithm = NULL; /* the default is hmac-sha256 */
	OK(ipam__dns_push(&r, &srv, last, cur, NULL));
	ck_assert_uint_eq(r.applied, 1);
	ipam__dns_push_result_dispose(&r);
	expect(&s, "new.example.test.", "A", LDNS_RCODE_NOERROR, "192.0.2.1");
	dt_stop(&s);

	/* each algorithm, with a server that has a key of it */
	static const char *const algs[] = { "hmac-sha1", "hmac-sha512", "hmac-md5" };
	enum { NA = sizeof algs / sizeof algs[0] };
	char secrets[NA][64], keys[2048] = "", acl[512] = "acl \"extra\" {";
	size_t kl = 0;
	for (size_t i = 0; i < NA; i++) {
		dt_secret(secrets[i]);
		kl += (size_t)snprintf(keys + kl, sizeof keys - kl, "key \"%s-key\" { algorithm %s; secret \"%s\"; };\n", algs[i],
				       algs[i], secrets[i]);
		snprintf(acl + strlen(acl), sizeof acl - strlen(acl), " key \"%s-key\";", algs[i]);
	}
	snprintf(keys + kl, sizeof keys - kl, "%s };\n", acl);
	ck_assert_msg(dt_start(&s, DT_BIND, zones, 1, keys) == 0, "%s", dt_why());
	ipam__dns_zone *prev = last;
	for (size_t i = 0; i < NA; i++) {
		char kname[64], line[128];
		snprintf(kname, sizeof kname, "%s-key", algs[i]);
		ipam__dns_server as = { algs[i], "127.0.0.1", (uint16_t)s.port, 3000, { kname, algs[i], secrets[i] } };
		ipam__dns_zone *next = NULL;
		OK(ipam__dns_zone_clone(&next, prev));
		snprintf(line, sizeof line, "alg%zu 60 IN A 192.0.2.%zu", i, 100 + i);
		OK(ipam__dns_zone_add(next, line, NULL));
		rc = ipam__dns_push(&r, &as, prev, next, NULL);
		ck_assert_msg(rc == 0, "%s: %s", algs[i], last_msg());
		ck_assert_uint_eq(r.applied, 1);
		if (prev != last)
			ipam__dns_zone_free(prev);
		prev = r.state;
		r.state = NULL;
		ipam__dns_push_result_dispose(&r);
		ipam__dns_zone_free(next);
		snprintf(line, sizeof line, "alg%zu.example.test.", i);
		char want[32];
		snprintf(want, sizeof want, "192.0.2.%zu", 100 + i);
		expect(&s, line, "A", LDNS_RCODE_NOERROR, want);
	}
	if (prev != last)
		ipam__dns_zone_free(prev);
	dt_stop(&s);
	ipam__dns_zone_free(other);
	ipam__dns_zone_free(other2);
	ipam__dns_zone_free(last);
	ipam__dns_zone_free(cur);
	free(text);
}
END_TEST

int main(int argc, char **argv)
{
	which = argc > 1 ? argv[1] : "";
	Suite *s = suite_create("dns-servers");
	TCase *t = tcase_create(which);
	tcase_set_timeout(t, 150);
	if (!strcmp(which, "bind")) {
		tcase_add_test(t, bind_rfc2136);
		tcase_add_test(t, bind_rfc2317);
	}
	else if (!strcmp(which, "knot"))
		tcase_add_test(t, knot_rfc2136);
	else if (!strcmp(which, "pdns-update"))
		tcase_add_test(t, pdns_rfc2136);
	else if (!strcmp(which, "pdns-api"))
		tcase_add_test(t, pdns_api);
	else if (!strcmp(which, "unbound-rpz"))
		tcase_add_test(t, unbound_rpz);
	else if (!strcmp(which, "errors"))
		tcase_add_test(t, push_errors);
	else {
		fprintf(stderr, "usage: %s bind|knot|pdns-update|pdns-api|unbound-rpz|errors\n", argv[0]);
		return 2;
	}
	suite_add_tcase(s, t);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
