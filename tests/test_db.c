/* The db handle through the public API: spaces, info structs, iterators,
 * options versions, validation messages, and one handle shared by threads. */
#include "ipam.h"

#include "db/check.h"
#include "store/store.h"

#include <check.h>
#include <stddef.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static ipam_prefix P(const char *s)
{
	ipam_prefix p;
	ck_assert_msg(ipam_prefix_parse(&p, s, IPAM_PARSE_DEFAULT) == 0, "parse %s: %s", s, ipam_error_last()->message);
	return p;
}

static ipam_addr A(const char *s)
{
	ipam_addr a;
	ck_assert_msg(ipam_addr_parse(&a, s) == 0, "parse %s", s);
	return a;
}

static const char *fmt_a(const ipam_addr *a)
{
	static _Thread_local char b[IPAM_ADDR_STRLEN];
	ipam_addr_format(b, sizeof b, a);
	return b;
}

static const char *fmt_p(const ipam_prefix *p)
{
	static _Thread_local char b[IPAM_PREFIX_STRLEN];
	ipam_prefix_format(b, sizeof b, p);
	return b;
}

static ipam_db *open_db(void)
{
	ipam_db *db = NULL;
	ck_assert_int_eq(ipam_db_open(&db, "memory:", NULL), 0);
	return db;
}

static void check_and_free(ipam_db *db)
{
	ck_assert_msg(ipam__db_check(db) == 0, "%s", ipam_error_last()->message);
	ipam_db_free(db);
}

START_TEST(open_uris)
{
	ipam_db *db = NULL;
	ck_assert_int_eq(ipam_db_open(&db, "memory:", NULL), 0);
	ipam_db_free(db);
	ck_assert_int_eq(ipam_db_open(&db, NULL, NULL), 0);
	ipam_db_free(db);
	/* an unknown scheme is named, the rest (it may hold a password) is not */
	ck_assert_int_eq(ipam_db_open(&db, "mysql://root:hunter2@x", NULL), IPAM_EINVAL);
	ck_assert_ptr_null(db);
	ck_assert_ptr_nonnull(strstr(ipam_error_last()->message, "unknown store \"mysql://...\""));
	ck_assert_ptr_null(strstr(ipam_error_last()->message, "hunter2"));
	ipam_open_options o;
	ck_assert_int_eq(ipam_open_options_init(&o, 99), IPAM_EINVAL);
	ck_assert_int_eq(ipam_open_options_init(&o, IPAM_OPEN_OPTIONS_VERSION), 0);
	o.version = 7;
	ck_assert_int_eq(ipam_db_open(&db, "memory:", &o), IPAM_EINVAL);
	ck_assert_ptr_nonnull(strstr(ipam_error_last()->message, "version"));
	ipam_db_free(NULL);
}
END_TEST

START_TEST(spaces)
{
	ipam_db *db = open_db();
	ck_assert_int_eq(ipam_space_add(db, "blue", "{\"provider\":\"aws\",\"region\":\"eu-west-1\"}"), 0);
	ck_assert_int_eq(ipam_space_add(db, "blue", NULL), IPAM_EEXISTS);
	ck_assert_int_eq(ipam_space_add(db, "default", NULL), IPAM_EEXISTS);
	ck_assert_int_eq(ipam_space_add(db, "", NULL), IPAM_EINVAL);
	ck_assert_int_eq(ipam_space_add(db, "bad name", NULL), IPAM_EINVAL);
	ck_assert_ptr_nonnull(strstr(ipam_error_last()->message, "character 4"));
	ck_assert_int_eq(ipam_space_add(db, "red", "{\"n\": 1}"), IPAM_EINVAL);
	ck_assert_ptr_nonnull(strstr(ipam_error_last()->message, "\"n\" must be a string"));
	ck_assert_int_eq(ipam_space_add(db, "red", "[1]"), IPAM_EINVAL);
	ck_assert_int_eq(ipam_space_add(db, "red", "{\"a\":"), IPAM_EINVAL);
	ck_assert_ptr_nonnull(strstr(ipam_error_last()->message, "invalid JSON"));
	ck_assert_int_eq(ipam_space_add(db, "red", NULL), 0);

	ipam_space_info si = IPAM_SPACE_INFO_INIT;
	ck_assert_int_eq(ipam_space_get(&si, db, "blue"), 0);
	ck_assert_str_eq(si.name, "blue");
	ck_assert_str_eq(si.labels_json, "{\"provider\":\"aws\",\"region\":\"eu-west-1\"}");
	ipam_space_info_dispose(&si);
	ck_assert_int_eq(ipam_space_get(&si, db, "nope"), IPAM_ENOTFOUND);
	ck_assert_ptr_nonnull(strstr(ipam_error_last()->message, "\"nope\""));

	/* listed in name order, removal while iterating is skipped */
	ipam_space_iter *it;
	ck_assert_int_eq(ipam_space_iter_new(&it, db), 0);
	ck_assert_int_eq(ipam_space_rm(db, "default"), IPAM_EPERM);
	ck_assert_int_eq(ipam_space_rm(db, NULL), IPAM_EPERM); /* NULL is "default", as everywhere */
	ck_assert_str_eq(ipam_error_last()->message, "space \"default\" cannot be removed");
	ck_assert_int_eq(ipam_space_rm(db, "red"), 0);
	const char *want[] = { "blue", "default" };
	int n = 0;
	while (ipam_space_iter_next(&si, it) == 0) {
		ck_assert_int_lt(n, 2);
		ck_assert_str_eq(si.name, want[n]);
		n++;
	}
	ck_assert_int_eq(n, 2);
	ipam_space_info_dispose(&si);
	ipam_space_iter_free(it);

	/* a space that holds something cannot go */
	ipam_prefix_options po = IPAM_PREFIX_OPTIONS_INIT;
	po.space = "blue";
	ipam_prefix p = P("10.0.0.0/8");
	ck_assert_int_eq(ipam_prefix_add(db, &p, &po), 0);
	ck_assert_int_eq(ipam_space_rm(db, "blue"), IPAM_EINUSE);
	ck_assert_int_eq(ipam_prefix_rm(db, "blue", &p), 0);
	ck_assert_int_eq(ipam_space_rm(db, "blue"), 0);
	ck_assert_int_eq(ipam_space_rm(db, "blue"), IPAM_ENOTFOUND);
	check_and_free(db);
}
END_TEST

START_TEST(prefix_info_and_walks)
{
	ipam_db *db = open_db();
	const char *add[] = { "10.0.0.0/8", "10.1.0.0/16", "10.1.2.0/24", "10.1.2.128/25", "10.2.0.0/16",
		              "192.0.2.0/24", "2001:db8::/32", "2001:db8:1::/48" };
	ipam_prefix_options po = IPAM_PREFIX_OPTIONS_INIT;
	po.status = IPAM_STATUS_CONTAINER;
	po.description = "corp";
	po.attrs_json = "{ \"site\" : \"ams1\" }";
	for (size_t i = 0; i < sizeof add / sizeof *add; i++) {
		ipam_prefix p = P(add[i]);
		ck_assert_int_eq(ipam_prefix_add(db, &p, i == 0 ? &po : NULL), 0);
	}
	ipam_prefix_info pi = IPAM_PREFIX_INFO_INIT;
	ipam_prefix q = P("10.1.2.128/25");
	ck_assert_int_eq(ipam_prefix_get(&pi, db, NULL, &q), 0);
	ck_assert_str_eq(pi.space, "default");
	ck_assert_int_eq(pi.has_parent, 1);
	ck_assert_str_eq(fmt_p(&pi.parent), "10.1.2.0/24");
	ck_assert_uint_eq(pi.depth, 3);
	ck_assert_int_eq(pi.status, IPAM_STATUS_ACTIVE);
	ck_assert_str_eq(pi.attrs_json, "{}");
	ck_assert_ptr_null(pi.description);
	ipam_prefix_info_dispose(&pi); /* get fills the struct afresh */
	q = P("10.0.0.0/8");
	ck_assert_int_eq(ipam_prefix_get(&pi, db, NULL, &q), 0);
	ck_assert_int_eq(pi.has_parent, 0);
	ck_assert_int_eq(pi.status, IPAM_STATUS_CONTAINER);
	ck_assert_str_eq(pi.description, "corp");
	ck_assert_str_eq(pi.attrs_json, "{\"site\":\"ams1\"}");
	ipam_prefix_info_dispose(&pi);

	/* a prefix with a DHCP status is refused */
	po.status = IPAM_STATUS_DHCP;
	q = P("172.16.0.0/12");
	ck_assert_int_eq(ipam_prefix_add(db, &q, &po), IPAM_EINVAL);
	/* host bits: the message proposes the network */
	ipam_prefix bad = P("10.1.2.0/24");
	bad.addr.bytes[3] = 3;
	ck_assert_int_eq(ipam_prefix_add(db, &bad, NULL), IPAM_EINVAL);
	ck_assert_str_eq(ipam_error_last()->message, "10.1.2.3/24: host bits set; did you mean 10.1.2.0/24?");

	/* WITHIN: in order, parents first */
	ipam_prefix_query qq = IPAM_PREFIX_QUERY_INIT;
	ipam_prefix_iter *it;
	q = P("10.0.0.0/8");
	qq.walk = IPAM_WALK_WITHIN;
	qq.target = &q;
	ck_assert_int_eq(ipam_prefix_iter_new(&it, db, &qq), 0);
	const char *within[] = { "10.0.0.0/8", "10.1.0.0/16", "10.1.2.0/24", "10.1.2.128/25", "10.2.0.0/16" };
	int n = 0;
	while (ipam_prefix_iter_next(&pi, it) == 0) {
		ck_assert_int_lt(n, 5);
		ck_assert_str_eq(fmt_p(&pi.prefix), within[n]);
		/* removing the next one while iterating: it is skipped */
		if (n == 2) {
			ipam_prefix r = P("10.1.2.128/25");
			ck_assert_int_eq(ipam_prefix_rm(db, NULL, &r), 0);
			n++;
		}
		n++;
	}
	ck_assert_int_eq(n, 5);
	ipam_prefix_iter_free(it);

	/* COVERING: least specific first */
	q = P("10.1.2.77/32");
	qq.walk = IPAM_WALK_COVERING;
	ck_assert_int_eq(ipam_prefix_iter_new(&it, db, &qq), 0);
	const char *cov[] = { "10.0.0.0/8", "10.1.0.0/16", "10.1.2.0/24" };
	n = 0;
	while (ipam_prefix_iter_next(&pi, it) == 0)
		ck_assert_str_eq(fmt_p(&pi.prefix), cov[n++]);
	ck_assert_int_eq(n, 3);
	ipam_prefix_iter_free(it);
	ipam_prefix m;
	ck_assert_int_eq(ipam_prefix_match(&m, db, NULL, &q), 0);
	ck_assert_str_eq(fmt_p(&m), "10.1.2.0/24");
	q = P("11.0.0.0/8");
	ck_assert_int_eq(ipam_prefix_match(&m, db, NULL, &q), IPAM_ENOTFOUND);

	/* ALL with a family filter: v6 only */
	qq.walk = IPAM_WALK_ALL;
	qq.target = NULL;
	qq.family = IPAM_AF_INET6;
	ck_assert_int_eq(ipam_prefix_iter_new(&it, db, &qq), 0);
	n = 0;
	while (ipam_prefix_iter_next(&pi, it) == 0) {
		ck_assert_int_eq(pi.prefix.addr.family, IPAM_AF_INET6);
		n++;
	}
	ck_assert_int_eq(n, 2);
	ipam_prefix_iter_free(it);
	ipam_prefix_info_dispose(&pi);

	qq.walk = IPAM_WALK_WITHIN;
	ck_assert_int_eq(ipam_prefix_iter_new(&it, db, &qq), IPAM_EINVAL);
	qq.space = "nope";
	qq.walk = IPAM_WALK_ALL;
	ck_assert_int_eq(ipam_prefix_iter_new(&it, db, &qq), IPAM_ENOTFOUND);
	check_and_free(db);
}
END_TEST

START_TEST(addresses_and_ranges)
{
	ipam_db *db = open_db();
	ipam_prefix net = P("192.0.2.0/24"), sub = P("192.0.2.64/26");
	ck_assert_int_eq(ipam_prefix_add(db, &net, NULL), 0);
	ck_assert_int_eq(ipam_prefix_add(db, &sub, NULL), 0);
	ipam_ip_options o = IPAM_IP_OPTIONS_INIT;
	o.hostname = "Web1.Example.NET.";
	o.mac = "AABB.CCDD.EEFF";
	o.attrs_json = "{\"owner\": \"ops\"}";
	ipam_addr a;
	ck_assert_int_eq(ipam_ip_alloc(&a, db, &sub, &o), 0);
	ck_assert_str_eq(fmt_a(&a), "192.0.2.65");
	ipam_ip_info ii = IPAM_IP_INFO_INIT;
	ck_assert_int_eq(ipam_ip_get(&ii, db, NULL, &a), 0);
	ck_assert_str_eq(ii.hostname, "web1.example.net");
	ck_assert_int_eq(ii.has_mac, 1);
	char mac[IPAM_MAC_STRLEN];
	ipam_mac_format(mac, sizeof mac, &ii.mac);
	ck_assert_str_eq(mac, "aa:bb:cc:dd:ee:ff");
	ck_assert_int_eq(ii.has_prefix, 1);
	ck_assert_str_eq(fmt_p(&ii.prefix), "192.0.2.64/26");
	ck_assert_str_eq(ii.attrs_json, "{\"owner\":\"ops\"}");
	ipam_ip_info_dispose(&ii);

	/* bad input is refused before anything is written */
	o.hostname = "bad..name";
	ck_assert_int_eq(ipam_ip_alloc(&a, db, &sub, &o), IPAM_EINVAL);
	ck_assert_ptr_nonnull(strstr(ipam_error_last()->message, "empty label"));
	o.hostname = NULL;
	o.mac = "aa:bb:cc";
	ck_assert_int_eq(ipam_ip_alloc(&a, db, &sub, &o), IPAM_EINVAL);
	o.mac = NULL;
	o.status = IPAM_STATUS_CONTAINER;
	ck_assert_int_eq(ipam_ip_alloc(&a, db, &sub, &o), IPAM_EINVAL);
	ipam_db_stats st = IPAM_DB_STATS_INIT;
	ck_assert_int_eq(ipam_db_stats_get(&st, db), 0);
	ck_assert_uint_eq(st.addresses, 1);

	/* ranges: nested allowed, duplicate refused, listed in order */
	ipam_range_options ro = IPAM_RANGE_OPTIONS_INIT;
	ipam_addr f = A("192.0.2.100"), l = A("192.0.2.199"), f2 = A("192.0.2.150"), l2 = A("192.0.2.159");
	ck_assert_int_eq(ipam_range_add(db, &f, &l, &ro), 0);
	ro.purpose = IPAM_RANGE_EXCLUDED;
	ck_assert_int_eq(ipam_range_add(db, &f2, &l2, &ro), 0);
	ck_assert_int_eq(ipam_range_add(db, &f2, &l2, &ro), IPAM_EEXISTS);
	ck_assert_int_eq(ipam_range_add(db, &l, &f, &ro), IPAM_EINVAL);
	ipam_addr v6 = A("2001:db8::1");
	ck_assert_int_eq(ipam_range_add(db, &f, &v6, &ro), IPAM_EINVAL);
	ipam_range_iter *ri;
	ipam_range_info rinfo = IPAM_RANGE_INFO_INIT;
	ipam_range_query rq = IPAM_RANGE_QUERY_INIT;
	ipam_prefix win = P("192.0.2.128/26");
	rq.within = &win;
	ck_assert_int_eq(ipam_range_iter_new(&ri, db, &rq), 0);
	ck_assert_int_eq(ipam_range_iter_next(&rinfo, ri), 0);
	ck_assert_str_eq(fmt_a(&rinfo.first), "192.0.2.100");
	ck_assert_int_eq(rinfo.purpose, IPAM_RANGE_DHCP);
	ck_assert_int_eq(ipam_range_iter_next(&rinfo, ri), 0);
	ck_assert_str_eq(fmt_a(&rinfo.first), "192.0.2.150");
	ck_assert_int_eq(rinfo.purpose, IPAM_RANGE_EXCLUDED);
	ck_assert_int_eq(ipam_range_iter_next(&rinfo, ri), IPAM_ITEROVER);
	ipam_range_info_dispose(&rinfo);
	ipam_range_iter_free(ri);
	/* one range: by its bounds, or the innermost holding an address */
	ipam_range_info g = IPAM_RANGE_INFO_INIT;
	ipam_addr in_hole = A("192.0.2.155"), in_pool = A("192.0.2.120"), outside = A("192.0.2.250");
	ipam_addr first_of_both = A("192.0.2.100"), l3 = A("192.0.2.109");
	ck_assert_int_eq(ipam_range_get(&g, db, NULL, &f, &l), 0);
	ck_assert_str_eq(fmt_a(&g.last), "192.0.2.199");
	ck_assert_str_eq(g.space, "default");
	ck_assert_int_eq(ipam_range_get(&g, db, NULL, &in_hole, NULL), 0);
	ck_assert_str_eq(fmt_a(&g.first), "192.0.2.150");
	ck_assert_int_eq(g.purpose, IPAM_RANGE_EXCLUDED);
	ipam_range_info_dispose(&g);
	ck_assert_int_eq(ipam_range_get(&g, db, "default", &in_pool, NULL), 0);
	ck_assert_str_eq(fmt_a(&g.first), "192.0.2.100");
	ck_assert_str_eq(fmt_a(&g.last), "192.0.2.199");
	ipam_range_info_dispose(&g);
	/* two ranges start at .100: the smaller holds .100, the bounds name the other */
	ro.purpose = IPAM_RANGE_RESERVED;
	ck_assert_int_eq(ipam_range_add(db, &first_of_both, &l3, &ro), 0);
	ck_assert_int_eq(ipam_range_get(&g, db, NULL, &first_of_both, NULL), 0);
	ck_assert_str_eq(fmt_a(&g.last), "192.0.2.109");
	ck_assert_int_eq(ipam_range_get(&g, db, NULL, &first_of_both, &l), 0);
	ck_assert_str_eq(fmt_a(&g.last), "192.0.2.199");
	ipam_range_info_dispose(&g);
	ck_assert_int_eq(ipam_range_rm(db, NULL, &first_of_both, &l3), 0);
	ck_assert_int_eq(ipam_range_get(&g, db, NULL, &outside, NULL), IPAM_ENOTFOUND);
	ck_assert_str_eq(ipam_error_last()->message, "no range holds 192.0.2.250 in space \"default\"");
	ck_assert_int_eq(ipam_range_get(&g, db, NULL, &f, &l2), IPAM_ENOTFOUND);
	ck_assert_int_eq(ipam_range_get(&g, db, NULL, &l, &f), IPAM_EINVAL);
	ck_assert_int_eq(ipam_range_get(&g, db, NULL, &v6, NULL), IPAM_ENOTFOUND);
	ck_assert_int_eq(ipam_range_get(&g, db, "nope", &f, NULL), IPAM_ENOTFOUND);
	ck_assert_int_eq(ipam_range_get(&g, db, NULL, NULL, NULL), IPAM_EINVAL);
	ck_assert_ptr_null(g.space);

	/* utilization of the /24: the /26 and the range 100-199 */
	ipam_util u = IPAM_UTIL_INIT;
	ck_assert_int_eq(ipam_prefix_util(&u, db, NULL, &net), 0);
	ck_assert_uint_eq(u.total.lo, 256);
	ck_assert_uint_eq(u.used.lo, 64 + 100 - (128 - 100)); /* /26 is 64..127; range adds 128..199 */
	ck_assert_uint_eq(u.free.lo, 256 - u.used.lo);

	/* addresses listed in order; released during iteration: skipped */
	ipam_addr extra[] = { A("192.0.2.10"), A("192.0.2.11"), A("192.0.2.12") };
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(ipam_ip_add(db, &extra[i], NULL), 0);
	ck_assert_int_eq(ipam_ip_add(db, &extra[0], NULL), IPAM_EEXISTS);
	ipam_ip_iter *ii_it;
	ck_assert_int_eq(ipam_ip_iter_new(&ii_it, db, NULL), 0);
	ck_assert_int_eq(ipam_ip_release(db, NULL, &extra[1]), 0);
	ck_assert_int_eq(ipam_ip_release(db, NULL, &extra[1]), IPAM_ENOTFOUND);
	const char *seen[] = { "192.0.2.10", "192.0.2.12", "192.0.2.65" };
	int n = 0;
	while (ipam_ip_iter_next(&ii, ii_it) == 0)
		ck_assert_str_eq(fmt_a(&ii.addr), seen[n++]);
	ck_assert_int_eq(n, 3);
	ipam_ip_info_dispose(&ii);
	ipam_ip_iter_free(ii_it);

	ck_assert_int_eq(ipam_range_rm(db, NULL, &f2, &l2), 0);
	ck_assert_int_eq(ipam_range_rm(db, NULL, &f2, &l2), IPAM_ENOTFOUND);
	check_and_free(db);
}
END_TEST

/* One handle, several threads allocating at once: every address exactly
 * once, and the thread-local error of one thread is not another's. */
typedef struct {
	ipam_db *db;
	ipam_prefix net;
	int got;
	uint32_t seen[4096];
	int exhausted_msg_ok;
} worker;

static void *alloc_worker(void *arg)
{
	worker *w = arg;
	ipam_addr a;
	for (;;) {
		int rc = ipam_ip_alloc(&a, w->db, &w->net, NULL);
		if (rc == IPAM_EEXHAUSTED) {
			w->exhausted_msg_ok = strstr(ipam_error_last()->message, "10.9.0.0/20") != NULL;
			break;
		}
		if (rc != 0)
			break;
		w->seen[w->got++] = ((uint32_t)a.bytes[2] << 8) | a.bytes[3];
	}
	return NULL;
}

START_TEST(threads_share_a_handle)
{
	ipam_db *db = open_db();
	ipam_prefix net = P("10.9.0.0/20");
	ck_assert_int_eq(ipam_prefix_add(db, &net, NULL), 0);
	static worker w[4];
	pthread_t th[4];
	for (int i = 0; i < 4; i++) {
		memset(&w[i], 0, sizeof w[i]);
		w[i].db = db;
		w[i].net = net;
		ck_assert_int_eq(pthread_create(&th[i], NULL, alloc_worker, &w[i]), 0);
	}
	static unsigned char hit[4096];
	memset(hit, 0, sizeof hit);
	int total = 0;
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		ck_assert_int_eq(w[i].exhausted_msg_ok, 1);
		for (int k = 0; k < w[i].got; k++) {
			ck_assert_uint_lt(w[i].seen[k], 4096);
			ck_assert_int_eq(hit[w[i].seen[k]], 0);
			hit[w[i].seen[k]] = 1;
		}
		total += w[i].got;
	}
	ck_assert_int_eq(total, 4094); /* all but network and broadcast */
	ck_assert_int_eq(hit[0], 0);
	ck_assert_int_eq(hit[4095], 0);
	check_and_free(db);
}
END_TEST

START_TEST(v6_util_and_free_64s)
{
	ipam_db *db = open_db();
	ipam_prefix p48 = P("2001:db8:5::/48"), p64 = P("2001:db8:5:7::/64");
	ck_assert_int_eq(ipam_prefix_add(db, &p48, NULL), 0);
	ipam_prefix_alloc_options ao = IPAM_PREFIX_ALLOC_OPTIONS_INIT;
	ao.length = 56;
	ipam_prefix got;
	ck_assert_int_eq(ipam_prefix_alloc(&got, db, &p48, &ao), 0);
	ck_assert_str_eq(fmt_p(&got), "2001:db8:5::/56");
	ck_assert_int_eq(ipam_prefix_add(db, &p64, NULL), 0);
	ipam_addr a;
	ck_assert_int_eq(ipam_ip_alloc(&a, db, &p64, NULL), 0);
	ck_assert_str_eq(fmt_a(&a), "2001:db8:5:7::1");
	ipam_util u = IPAM_UTIL_INIT;
	ck_assert_int_eq(ipam_prefix_util(&u, db, NULL, &p48), 0);
	/* 65,536 /64s; the /56 takes 256 of them, the /64 lies inside it */
	ck_assert_uint_eq(u.free_64s.lo, 65536 - 256);
	ck_assert_uint_eq(u.total.hi, 1u << 16);
	ck_assert_uint_eq(u.used.hi, 256);
	ck_assert_int_eq(ipam_prefix_util(&u, db, NULL, &p64), 0);
	ck_assert_uint_eq(u.used.lo, 1);
	ck_assert_uint_eq(u.used.hi, 0);
	ck_assert_uint_eq(u.free_64s.lo, 0);
	check_and_free(db);
}
END_TEST


START_TEST(exclusive_add)
{
	ipam_db *db = open_db();
	ipam_prefix_options po = IPAM_PREFIX_OPTIONS_INIT;
	po.exclusive = 1;
	ipam_prefix a = P("10.0.0.0/16"), inner = P("10.0.4.0/24"), outer = P("10.0.0.0/8"), other = P("10.1.0.0/16");
	ck_assert_int_eq(ipam_prefix_add(db, &a, &po), 0);
	ck_assert_int_eq(ipam_prefix_add(db, &inner, &po), IPAM_EEXISTS);
	ck_assert_str_eq(ipam_error_last()->message, "prefix 10.0.4.0/24 overlaps 10.0.0.0/16 in space \"default\"");
	ck_assert_int_eq(ipam_prefix_add(db, &outer, &po), IPAM_EEXISTS);
	ck_assert_str_eq(ipam_error_last()->message, "prefix 10.0.0.0/8 overlaps 10.0.0.0/16 in space \"default\"");
	ck_assert_int_eq(ipam_prefix_add(db, &a, &po), IPAM_EEXISTS);
	ck_assert_ptr_nonnull(strstr(ipam_error_last()->message, "already exists"));
	ck_assert_int_eq(ipam_prefix_add(db, &other, &po), 0);
	/* addresses and ranges are not prefixes: no overlap with them */
	ipam_addr x = A("10.2.0.1");
	ck_assert_int_eq(ipam_ip_add(db, &x, NULL), 0);
	ipam_prefix p2 = P("10.2.0.0/16");
	ck_assert_int_eq(ipam_prefix_add(db, &p2, &po), 0);
	/* without the option nesting is fine */
	ck_assert_int_eq(ipam_prefix_add(db, &inner, NULL), 0);
	ipam_db_stats st = IPAM_DB_STATS_INIT;
	ck_assert_int_eq(ipam_db_stats_get(&st, db), 0);
	ck_assert_uint_eq(st.prefixes, 4);
	check_and_free(db);
}
END_TEST

/* ---- single calls that lose a race ----------------------------------------------------- */

/* A store that loses the race of its next `lose` commits (IPAM_ECONFLICT,
 * nothing committed: the db layer rolls back), around a real memory store:
 * what a busy CockroachDB does to a writer now and then. */
typedef struct racy {
	ipam_store base;
	ipam_store *in;
	int lose, lost;
} racy;

#define IN(st) (((racy *)(st))->in)
static int r_begin(ipam_store *st, int w) { return IN(st)->begin(IN(st), w); }
static int r_commit(ipam_store *st)
{
	racy *r = (racy *)st;
	if (r->lose > 0) {
		r->lose--;
		r->lost++;
		return ipam_store_error(IPAM_ECONFLICT, "racy: lost a race with another writer");
	}
	return r->in->commit(r->in);
}
static void r_rollback(ipam_store *st) { IN(st)->rollback(IN(st)); }
static int r_put(ipam_store *st, const ipam_store_row *row, unsigned f) { return IN(st)->put(IN(st), row, f); }
static int r_del(ipam_store *st, const ipam_store_row *k) { return IN(st)->del(IN(st), k); }
static int r_get(ipam_store *st, ipam_store_row *row) { return IN(st)->get(IN(st), row); }
static int r_scan(ipam_store *st, unsigned k, ipam_store_row_cb cb, void *c) { return IN(st)->scan(IN(st), k, cb, c); }
static int r_bump(ipam_store *st, const ipam_store_row *k) { return IN(st)->bump(IN(st), k); }
static int r_revision(ipam_store *st, uint64_t *o) { return IN(st)->revision(IN(st), o); }
static int r_changes(ipam_store *st, uint64_t s, ipam_store_change_cb cb, void *c)
{
	return IN(st)->changes(IN(st), s, cb, c);
}
static int r_audit_head(ipam_store *st, uint64_t *s, uint8_t h[32]) { return IN(st)->audit_head(IN(st), s, h); }
static int r_audit_append(ipam_store *st, const ipam_store_audit *e) { return IN(st)->audit_append(IN(st), e); }
static int r_audit_scan(ipam_store *st, uint64_t f, ipam_store_audit_cb cb, void *c)
{
	return IN(st)->audit_scan(IN(st), f, cb, c);
}
static int r_meta_get(ipam_store *st, const char *n, char **v) { return IN(st)->meta_get(IN(st), n, v); }
static int r_meta_put(ipam_store *st, const char *n, const char *v) { return IN(st)->meta_put(IN(st), n, v); }
static void r_free(ipam_store *st)
{
	IN(st)->free(IN(st));
	free(st);
}

static racy *racy_new(void)
{
	racy *r = calloc(1, sizeof *r);
	ck_assert_ptr_nonnull(r);
	ipam__store_args a = { 0 };
	a.path = "";
	a.flags = IPAM_OPEN_CREATE;
	ck_assert_int_eq(ipam__store_memory_open(&r->in, &a), 0);
	r->base = (ipam_store){ .version = IPAM_STORE_VERSION, .scheme = "racy", .begin = r_begin, .commit = r_commit,
		                .rollback = r_rollback, .put = r_put, .del = r_del, .get = r_get, .scan = r_scan,
		                .bump = r_bump, .revision = r_revision, .changes = r_changes, .audit_head = r_audit_head,
		                .audit_append = r_audit_append, .audit_scan = r_audit_scan, .meta_get = r_meta_get,
		                .meta_put = r_meta_put, .free = r_free };
	return r;
}

START_TEST(single_calls_run_again)
{
	racy *r = racy_new();
	ipam_db *db = NULL;
	ipam_open_options oo = IPAM_OPEN_OPTIONS_INIT;
	oo.retry_max = 5;
	ck_assert_msg(ipam_db_open_store(&db, &r->base, &oo) == 0, "%s", ipam_error_last()->message);
	ipam_prefix p;
	ck_assert_int_eq(ipam_prefix_parse(&p, "10.0.0.0/24", IPAM_PARSE_DEFAULT), 0);
	/* a single call that loses twice runs a third time, and that one is kept */
	r->lose = 2;
	ck_assert_msg(ipam_prefix_add(db, &p, NULL) == 0, "%s", ipam_error_last()->message);
	ck_assert_int_eq(r->lost, 2);
	ipam_addr got;
	r->lose = 3;
	ck_assert_msg(ipam_ip_alloc(&got, db, &p, NULL) == 0, "%s", ipam_error_last()->message);
	char t[IPAM_ADDR_STRLEN];
	ipam_addr_format(t, sizeof t, &got);
	ck_assert_str_eq(t, "10.0.0.1"); /* each lost try left nothing behind */
	ipam_db_stats st = IPAM_DB_STATS_INIT;
	ck_assert_int_eq(ipam_db_stats_get(&st, db), 0);
	ck_assert_uint_eq(st.conflicts, 5);
	ck_assert_uint_eq(st.retries, 5);
	/* a call that keeps losing: IPAM_ECONFLICT after retry_max tries, nothing kept */
	r->lose = 100;
	ck_assert_int_eq(ipam_ip_alloc(&got, db, &p, NULL), IPAM_ECONFLICT);
	ck_assert_int_eq(r->lost, 2 + 3 + 5);
	r->lose = 0;
	ck_assert_int_eq(ipam_ip_alloc(&got, db, &p, NULL), 0);
	ipam_addr_format(t, sizeof t, &got);
	ck_assert_str_eq(t, "10.0.0.2");
	/* inside the caller's transaction a lost race is the caller's to run again:
	 * the commit says so once, and the single calls in it were not repeated */
	ck_assert_int_eq(ipam_db_begin(db), 0);
	ck_assert_int_eq(ipam_ip_alloc(&got, db, &p, NULL), 0);
	r->lose = 1;
	ck_assert_int_eq(ipam_db_commit(db), IPAM_ECONFLICT);
	ck_assert_int_eq(r->lost, 11);
	ck_assert_int_eq(ipam_ip_alloc(&got, db, &p, NULL), 0);
	ipam_addr_format(t, sizeof t, &got);
	ck_assert_str_eq(t, "10.0.0.3");
	ipam_audit_report rep = IPAM_AUDIT_REPORT_INIT;
	ck_assert_msg(ipam_audit_verify(&rep, db, NULL) == 0, "%s", ipam_error_last()->message);
	ck_assert_uint_eq(rep.entries, 4); /* prefix, .1, .2, .3: nothing of the lost tries */
	ipam_db_free(db);
}
END_TEST

/* An _init of an older struct version writes that version's fields only (a
 * caller built against the older header has the shorter struct), and a
 * version 2 ip options struct brings back what DNS made of the address. */
/* The bytes from `from` on were left as the guard pattern. */
static void untouched(const unsigned char *b, size_t from, size_t size, const char *what)
{
	for (size_t i = from; i < size; i++)
		ck_assert_msg(b[i] == 0xA5, "%s: byte %zu written", what, i);
}

START_TEST(options_versions_and_dns_report)
{
	union {
		ipam_open_options o;
		unsigned char b[sizeof(ipam_open_options) + 8];
	} u;
	memset(&u, 0xA5, sizeof u);
	ck_assert_int_eq(ipam_open_options_init(&u.o, 1), 0);
	ck_assert_uint_eq(u.o.version, 1);
	ck_assert_ptr_null(u.o.actor);
	untouched(u.b, offsetof(ipam_open_options, flags), sizeof u, "open options v1");
	memset(&u, 0xA5, sizeof u);
	ck_assert_int_eq(ipam_open_options_init(&u.o, 2), 0);
	ck_assert_uint_eq(u.o.version, 2);
	untouched(u.b, offsetof(ipam_open_options, secret_key_file), sizeof u, "open options v2");
	union {
		ipam_ip_options o;
		unsigned char b[sizeof(ipam_ip_options) + 8];
	} v;
	memset(&v, 0xA5, sizeof v);
	ck_assert_int_eq(ipam_ip_options_init(&v.o, 1), 0);
	ck_assert_uint_eq(v.o.version, 1);
	untouched(v.b, offsetof(ipam_ip_options, dns_report), sizeof v, "ip options v1");

	ipam_db *db = NULL;
	ck_assert_int_eq(ipam_db_open(&db, "memory:", NULL), 0);
	ipam_prefix net = P("192.0.2.0/24");
	ck_assert_int_eq(ipam_prefix_add(db, &net, NULL), 0);
	ipam_buf rep = IPAM_BUF_INIT;
	ipam_ip_options io = IPAM_IP_OPTIONS_INIT;
	io.hostname = "www.example.test";
	io.dns_report = &rep;
	ipam_addr a;
	/* no zone yet: the address is allocated and the report says why no record */
	ck_assert_int_eq(ipam_ip_alloc(&a, db, &net, &io), 0);
	ck_assert_ptr_nonnull(rep.ptr);
	ck_assert_msg(strstr(rep.ptr, "\"records\":[]") && strstr(rep.ptr, "www.example.test"), "%s", rep.ptr);
	ck_assert_msg(strstr(rep.ptr, "no zone") || strstr(rep.ptr, "no forward zone"), "%s", rep.ptr);
	ipam_zone_options zo = IPAM_ZONE_OPTIONS_INIT;
	zo.ns = "ns1.example.test.";
	ck_assert_int_eq(ipam_zone_add(db, "example.test", &zo), 0);
	ck_assert_int_eq(ipam_zone_add(db, "2.0.192.in-addr.arpa", &zo), 0);
	io.hostname = "db.example.test";
	ck_assert_int_eq(ipam_ip_alloc(&a, db, &net, &io), 0);
	ck_assert_msg(strstr(rep.ptr, "db.example.test. A 192.0.2.2") && strstr(rep.ptr, "PTR db.example.test."),
	              "%s", rep.ptr);
	ipam_addr b;
	ck_assert_int_eq(ipam_addr_parse(&b, "192.0.2.77"), 0);
	io.hostname = "mail.example.test";
	ck_assert_int_eq(ipam_ip_add(db, &b, &io), 0);
	ck_assert_msg(strstr(rep.ptr, "mail.example.test. A 192.0.2.77"), "%s", rep.ptr);
	/* a failed call leaves the report alone and reports its own error */
	size_t before = rep.size;
	ck_assert_int_eq(ipam_ip_add(db, &b, &io), IPAM_EEXISTS);
	ck_assert_uint_eq(rep.size, before);
	ipam_buf_dispose(&rep);
	ipam_db_free(db);
}
END_TEST

/* The last audit entry's action and the value of "id" and "created" in its
 * before and after images ("" when there is no image). */
static void last_audit(ipam_db *db, char action[64], char ids[2][160])
{
	ipam_audit_iter *it = NULL;
	ck_assert_int_eq(ipam_audit_iter_new(&it, db, 1), 0);
	ipam_audit_entry e = IPAM_AUDIT_ENTRY_INIT;
	while (ipam_audit_iter_next(&e, it) == 0) {
		snprintf(action, 64, "%s", e.action);
		const char *img[2] = { e.before_json, e.after_json };
		for (int i = 0; i < 2; i++) {
			const char *id = img[i] ? strstr(img[i], "\"id\":") : NULL;
			const char *cr = img[i] ? strstr(img[i], "\"created\":") : NULL;
			snprintf(ids[i], 160, "%.45s %.40s", id ? id : "", cr ? cr : "");
		}
	}
	ipam_audit_entry_dispose(&e);
	ipam_audit_iter_free(it);
}

/* ipam_ip_update changes the named fields in place: id and creation time
 * stay, one audit entry with both images, DNS follows, a rolled back update
 * leaves the address as it was; on every kind of handle. */
START_TEST(ip_update_in_place)
{
	char dir[] = "/tmp/ipam-test-update-XXXXXX", uri[64];
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(uri, sizeof uri, "file:%s/u.db", dir);
	const char *uris[] = { "index:", "memory:", uri };
	for (int u = 0; u < 3; u++) {
		ipam_open_options oo = IPAM_OPEN_OPTIONS_INIT;
		oo.flags = IPAM_OPEN_CREATE;
		oo.passphrase = "update test";
		ipam_db *db = NULL;
		ck_assert_msg(ipam_db_open(&db, uris[u], &oo) == 0, "%s: %s", uris[u], ipam_error_last()->message);
		ipam_prefix net = P("192.0.2.0/24");
		ck_assert_int_eq(ipam_prefix_add(db, &net, NULL), 0);
		ipam_zone_options zo = IPAM_ZONE_OPTIONS_INIT;
		zo.ns = "ns1.example.test.";
		int dns = u > 0; /* zones are stored objects: not on index: */
		if (dns)
			ck_assert_int_eq(ipam_zone_add(db, "example.test", &zo), 0);
		ipam_ip_options io = IPAM_IP_OPTIONS_INIT;
		io.hostname = "old.example.test";
		io.mac = "00-11-22-33-44-55";
		io.description = "printer";
		ipam_addr a;
		ck_assert_int_eq(ipam_ip_alloc(&a, db, &net, &io), 0);
		char act[64], was[2][160], now[2][160];
		if (u > 0)
			last_audit(db, act, was);

		/* only the host name changes */
		ipam_buf rep = IPAM_BUF_INIT;
		ipam_ip_options up = IPAM_IP_OPTIONS_INIT;
		up.hostname = "new.example.test";
		up.dns_report = &rep;
		ck_assert_msg(ipam_ip_update(db, &a, IPAM_IP_SET_HOSTNAME, &up) == 0, "%s: %s", uris[u],
		              ipam_error_last()->message);
		ipam_ip_info info = IPAM_IP_INFO_INIT;
		ck_assert_int_eq(ipam_ip_get(&info, db, NULL, &a), 0);
		ck_assert_str_eq(info.hostname, "new.example.test");
		ck_assert_str_eq(info.description, "printer");
		ck_assert(info.has_mac && info.mac.bytes[5] == 0x55);
		ipam_ip_info_dispose(&info);
		if (dns)
			ck_assert_msg(strstr(rep.ptr, "new.example.test. A 192.0.2.1") && !strstr(rep.ptr, "old."), "%s",
			              rep.ptr);
		if (u > 0) {
			last_audit(db, act, now);
			ck_assert_str_eq(act, "address.update");
			ck_assert_str_eq(now[0], was[1]); /* before = the allocated object */
			ck_assert_str_eq(now[1], was[1]); /* same id, same creation time */
			ck_assert_ptr_nonnull(strstr(was[1], "\"id\":\""));
		}

		/* clear two fields, set the status; a NULL string clears */
		up.hostname = NULL;
		up.description = NULL;
		up.status = IPAM_STATUS_RESERVED;
		ck_assert_int_eq(ipam_ip_update(db, &a, IPAM_IP_SET_HOSTNAME | IPAM_IP_SET_DESCRIPTION | IPAM_IP_SET_STATUS, &up), 0);
		ck_assert_int_eq(ipam_ip_get(&info, db, NULL, &a), 0);
		ck_assert_ptr_null(info.hostname);
		ck_assert_ptr_null(info.description);
		ck_assert_int_eq(info.status, IPAM_STATUS_RESERVED);
		ck_assert(info.has_mac);
		ipam_ip_info_dispose(&info);
		if (dns)
			ck_assert_msg(strstr(rep.ptr, "\"records\":[]"), "%s", rep.ptr);

		/* rolled back: as it was */
		ck_assert_int_eq(ipam_db_begin(db), 0);
		up.attrs_json = "{\"rack\":\"r1\"}";
		ck_assert_int_eq(ipam_ip_update(db, &a, IPAM_IP_SET_ATTRS, &up), 0);
		ipam_db_rollback(db);
		ck_assert_int_eq(ipam_ip_get(&info, db, NULL, &a), 0);
		ck_assert_str_eq(info.attrs_json, "{}");
		ck_assert_int_eq(info.status, IPAM_STATUS_RESERVED);
		ipam_ip_info_dispose(&info);

		/* bad calls change nothing */
		ck_assert_int_eq(ipam_ip_update(db, &a, 0, &up), IPAM_EINVAL);
		ck_assert_int_eq(ipam_ip_update(db, &a, 0x80, &up), IPAM_EINVAL);
		up.mac = "not-a-mac";
		ck_assert_int_eq(ipam_ip_update(db, &a, IPAM_IP_SET_MAC, &up), IPAM_EINVAL);
		up.attrs_json = "[1]";
		ck_assert_int_eq(ipam_ip_update(db, &a, IPAM_IP_SET_ATTRS, &up), IPAM_EINVAL);
		ipam_addr none;
		ck_assert_int_eq(ipam_addr_parse(&none, "192.0.2.200"), 0);
		ck_assert_int_eq(ipam_ip_update(db, &none, IPAM_IP_SET_STATUS, &up), IPAM_ENOTFOUND);
		ck_assert_ptr_nonnull(strstr(ipam_error_last()->message, "192.0.2.200 not found"));
		ck_assert_int_eq(ipam_ip_get(&info, db, NULL, &a), 0);
		ck_assert(info.has_mac && info.mac.bytes[0] == 0x00 && info.mac.bytes[1] == 0x11);
		ipam_ip_info_dispose(&info);
		ipam_buf_dispose(&rep);
		if (u > 0) {
			ipam_audit_report ar = IPAM_AUDIT_REPORT_INIT;
			ck_assert_int_eq(ipam_audit_verify(&ar, db, NULL), 0);
			ck_assert_uint_eq(ar.first_bad, 0);
		}
		ipam_db_free(db);
	}
	/* the file again: the index loaded from the store has the update */
	ipam_open_options oo = IPAM_OPEN_OPTIONS_INIT;
	oo.passphrase = "update test";
	ipam_db *db = NULL;
	ck_assert_int_eq(ipam_db_open(&db, uri, &oo), 0);
	ipam_addr a;
	ck_assert_int_eq(ipam_addr_parse(&a, "192.0.2.1"), 0);
	ipam_ip_info info = IPAM_IP_INFO_INIT;
	ck_assert_int_eq(ipam_ip_get(&info, db, NULL, &a), 0);
	ck_assert_int_eq(info.status, IPAM_STATUS_RESERVED);
	ck_assert_ptr_null(info.hostname);
	ipam_ip_info_dispose(&info);
	ipam_db_free(db);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/* ipam_prefix_update: in place (id, creation time and what lies inside
 * stay), the pool flag governs the next allocation, rollback restores. */
START_TEST(prefix_update_in_place)
{
	const char *uris[] = { "index:", "memory:" };
	for (int u = 0; u < 2; u++) {
		ipam_db *db = NULL;
		ck_assert_int_eq(ipam_db_open(&db, uris[u], NULL), 0);
		ipam_prefix net = P("10.0.0.0/30");
		ipam_prefix_options po = IPAM_PREFIX_OPTIONS_INIT;
		po.description = "link";
		po.attrs_json = "{\"site\":\"a\"}";
		ck_assert_int_eq(ipam_prefix_add(db, &net, &po), 0);
		ipam_addr a;
		ck_assert_int_eq(ipam_ip_alloc(&a, db, &net, NULL), 0);
		ck_assert_uint_eq(a.bytes[3], 1); /* not a pool: the network address is skipped */
		ipam_prefix_options up = IPAM_PREFIX_OPTIONS_INIT;
		up.pool = 1;
		ck_assert_int_eq(ipam_prefix_update(db, &net, IPAM_PREFIX_SET_POOL, &up), 0);
		ck_assert_int_eq(ipam_ip_alloc(&a, db, &net, NULL), 0);
		ck_assert_uint_eq(a.bytes[3], 0); /* a pool: every address */
		ipam_prefix_info info = IPAM_PREFIX_INFO_INIT;
		ck_assert_int_eq(ipam_prefix_get(&info, db, NULL, &net), 0);
		ck_assert(info.pool);
		ck_assert_str_eq(info.description, "link");
		ck_assert_str_eq(info.attrs_json, "{\"site\":\"a\"}");
		ipam_prefix_info_dispose(&info);
		if (u) {
			/* the update before the allocation: two entries back */
			ipam_audit_iter *it = NULL;
			ck_assert_int_eq(ipam_audit_iter_new(&it, db, 1), 0);
			ipam_audit_entry e = IPAM_AUDIT_ENTRY_INIT;
			int seen = 0;
			while (ipam_audit_iter_next(&e, it) == 0)
				if (!strcmp(e.action, "prefix.update")) {
					seen++;
					ck_assert_ptr_nonnull(strstr(e.before_json, "\"pool\":false"));
					ck_assert_ptr_nonnull(strstr(e.after_json, "\"pool\":true"));
				}
			ck_assert_int_eq(seen, 1);
			ipam_audit_entry_dispose(&e);
			ipam_audit_iter_free(it);
		}
		/* status and attributes, then rolled back */
		ck_assert_int_eq(ipam_db_begin(db), 0);
		up.status = IPAM_STATUS_DEPRECATED;
		up.attrs_json = NULL;
		up.description = NULL;
		ck_assert_int_eq(ipam_prefix_update(db, &net, IPAM_PREFIX_SET_STATUS | IPAM_PREFIX_SET_ATTRS |
		                                                    IPAM_PREFIX_SET_DESCRIPTION, &up), 0);
		ck_assert_int_eq(ipam_prefix_get(&info, db, NULL, &net), 0);
		ck_assert_int_eq(info.status, IPAM_STATUS_DEPRECATED);
		ck_assert_str_eq(info.attrs_json, "{}");
		ck_assert_ptr_null(info.description);
		ipam_prefix_info_dispose(&info);
		ipam_db_rollback(db);
		ck_assert_int_eq(ipam_prefix_get(&info, db, NULL, &net), 0);
		ck_assert_int_eq(info.status, IPAM_STATUS_ACTIVE);
		ck_assert_str_eq(info.attrs_json, "{\"site\":\"a\"}");
		ck_assert_str_eq(info.description, "link");
		ck_assert(info.pool);
		ipam_prefix_info_dispose(&info);
		/* bad calls */
		ck_assert_int_eq(ipam_prefix_update(db, &net, 0, &up), IPAM_EINVAL);
		ck_assert_int_eq(ipam_prefix_update(db, &net, 0x40, &up), IPAM_EINVAL);
		up.status = (ipam_status)99;
		ck_assert_int_eq(ipam_prefix_update(db, &net, IPAM_PREFIX_SET_STATUS, &up), IPAM_EINVAL);
		ipam_prefix other = P("10.9.0.0/24");
		ck_assert_int_eq(ipam_prefix_update(db, &other, IPAM_PREFIX_SET_POOL, &up), IPAM_ENOTFOUND);
		ck_assert_int_eq(ipam_prefix_get(&info, db, NULL, &net), 0);
		ck_assert_int_eq(info.status, IPAM_STATUS_ACTIVE);
		ipam_prefix_info_dispose(&info);
		ipam_db_free(db);
	}
}
END_TEST

/* One transaction allocating in 40 prefixes, in turn, twice over: each
 * parent's version goes up once (past 16 prefixes the bumped ones are
 * found through an index, kept in step across transactions). */
START_TEST(many_parents_bumped_once)
{
	ipam_db *db = NULL;
	ck_assert_int_eq(ipam_db_open(&db, "memory:", NULL), 0);
	ipam_prefix p[40];
	for (int i = 0; i < 40; i++) {
		char t[32];
		snprintf(t, sizeof t, "10.%d.0.0/24", i);
		p[i] = P(t);
		ck_assert_int_eq(ipam_prefix_add(db, &p[i], NULL), 0);
	}
	for (int round = 0; round < 2; round++) {
		ck_assert_int_eq(ipam_db_begin(db), 0);
		for (int k = 0; k < 2; k++)
			for (int i = 0; i < 40; i++) {
				ipam_addr a;
				ck_assert_int_eq(ipam_ip_alloc(&a, db, &p[(i * 7 + round) % 40], NULL), 0);
			}
		ck_assert_int_eq(ipam_db_commit(db), 0);
	}
	ipam_buf out = IPAM_BUF_INIT;
	ck_assert_int_eq(ipam_export(&out, db), 0);
	int n2 = 0;
	for (const char *x = out.ptr; (x = strstr(x, "\"version\":2")); x++)
		n2++;
	ck_assert_int_eq(n2, 40);
	ck_assert_ptr_null(strstr(out.ptr, "\"version\":3"));
	ipam_buf_dispose(&out);
	ipam_db_free(db);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("db");
	TCase *tc = tcase_create("db");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, open_uris);
	tcase_add_test(tc, spaces);
	tcase_add_test(tc, prefix_info_and_walks);
	tcase_add_test(tc, addresses_and_ranges);
	tcase_add_test(tc, threads_share_a_handle);
	tcase_add_test(tc, v6_util_and_free_64s);
	tcase_add_test(tc, exclusive_add);
	tcase_add_test(tc, single_calls_run_again);
	tcase_add_test(tc, options_versions_and_dns_report);
	tcase_add_test(tc, ip_update_in_place);
	tcase_add_test(tc, prefix_update_in_place);
	tcase_add_test(tc, many_parents_bumped_once);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
