/* Reconciliation through the public API: every category, the --since and
 * --space filters, JSON, and --apply (idempotent, audited, never deleting). */
#include "ipam.h"
#include "ipam/discover.h"

#include "disc_test.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOW 1700000000
#define DAY 86400

static ipam_addr A(const char *s)
{
	ipam_addr a;
	ck_assert_msg(ipam_addr_parse(&a, s) == 0, "parse %s", s);
	return a;
}

static ipam_prefix P(const char *s)
{
	ipam_prefix p;
	ck_assert_msg(ipam_prefix_parse(&p, s, 0) == 0, "parse %s", s);
	return p;
}

static void seen(ipam_obs_set *set, const char *space, const char *addr, const char *mac, const char *name,
		 const char *source, int64_t when)
{
	ipam_observation o = IPAM_OBSERVATION_INIT;
	o.space = space;
	o.addr = A(addr);
	if (mac) {
		ck_assert_int_eq(ipam_mac_parse(&o.mac, mac), 0);
		o.has_mac = 1;
	}
	o.name = name;
	o.source = source;
	o.first_seen = o.last_seen = when;
	ck_assert_msg(ipam_obs_set_add(set, &o) == 0, "%s", ipam_error_last()->message);
}

static void seen_subnet(ipam_obs_set *set, const char *space, const char *cidr, const char *name)
{
	ipam_observation o = IPAM_OBSERVATION_INIT;
	o.kind = IPAM_OBS_SUBNET;
	o.space = space;
	o.subnet = P(cidr);
	o.name = name;
	o.source = "aws";
	o.first_seen = o.last_seen = NOW;
	ck_assert_msg(ipam_obs_set_add(set, &o) == 0, "%s", ipam_error_last()->message);
}

static void record(ipam_db *db, const char *space, const char *addr, const char *mac, const char *host)
{
	ipam_ip_options o = IPAM_IP_OPTIONS_INIT;
	o.space = space;
	o.mac = mac;
	o.hostname = host;
	ipam_addr a = A(addr);
	ck_assert_msg(ipam_ip_add(db, &a, &o) == 0, "%s", ipam_error_last()->message);
}

static void prefix(ipam_db *db, const char *space, const char *cidr)
{
	ipam_prefix_options o = IPAM_PREFIX_OPTIONS_INIT;
	o.space = space;
	ipam_prefix p = P(cidr);
	ck_assert_msg(ipam_prefix_add(db, &p, &o) == 0, "%s", ipam_error_last()->message);
}

static int audit_count(ipam_db *db)
{
	ipam_audit_iter *ai;
	ipam_audit_entry e = IPAM_AUDIT_ENTRY_INIT;
	ck_assert_int_eq(ipam_audit_iter_new(&ai, db, 1), 0);
	int n = 0;
	while (ipam_audit_iter_next(&e, ai) == 0)
		n++;
	ipam_audit_entry_dispose(&e);
	ipam_audit_iter_free(ai);
	return n;
}

/* "category address" of each finding, one a line. */
static char *summary(const ipam_reconcile_report *r)
{
	static char out[4096];
	size_t u = 0;
	out[0] = '\0';
	for (size_t i = 0; i < ipam_reconcile_report_count(r); i++) {
		const ipam_drift_item *it = ipam_reconcile_report_item(r, i);
		char t[IPAM_PREFIX_STRLEN];
		if (it->kind == IPAM_OBS_SUBNET)
			ipam_prefix_format(t, sizeof t, &it->subnet);
		else
			ipam_addr_format(t, sizeof t, &it->addr);
		u += (size_t)snprintf(out + u, sizeof out - u, "%s %s %s\n", ipam_drift_name(it->drift), it->space, t);
	}
	return out;
}

START_TEST(obs_set_merges)
{
	ipam_obs_set *s;
	ck_assert_int_eq(ipam_obs_set_new(&s), 0);
	seen(s, NULL, "10.0.0.5", "00:11:22:33:44:55", NULL, "snmp", NOW - 100);
	seen(s, NULL, "10.0.0.5", "00:11:22:33:44:55", "a.example.", "snmp", NOW);
	seen(s, NULL, "10.0.0.5", "00:11:22:33:44:55", NULL, "snmp", NOW - 500);
	seen(s, NULL, "10.0.0.5", NULL, NULL, "icmp", NOW);
	ck_assert_uint_eq(ipam_obs_set_count(s), 2);
	ipam_observation o;
	ck_assert_int_eq(ipam_obs_set_get(&o, s, 0), 0);
	ck_assert_int_eq(o.first_seen, NOW - 500);
	ck_assert_int_eq(o.last_seen, NOW);
	ck_assert_str_eq(o.name, "a.example.");
	ck_assert_str_eq(o.space, "default");
	ck_assert_int_eq(ipam_obs_set_get(&o, s, 2), IPAM_ENOTFOUND);

	ipam_buf b = IPAM_BUF_INIT;
	ck_assert_int_eq(ipam_obs_set_json(&b, s), 0);
	ck_assert_ptr_nonnull(strstr(b.ptr, "\"address\":\"10.0.0.5\",\"mac\":\"00:11:22:33:44:55\","
					    "\"name\":\"a.example.\",\"source\":\"snmp\""));
	ipam_buf_dispose(&b);

	/* bad input: a clear message naming the field */
	ipam_observation bad = IPAM_OBSERVATION_INIT;
	bad.addr = A("10.0.0.1");
	ck_assert_int_eq(ipam_obs_set_add(s, &bad), IPAM_EINVAL);
	ck_assert_ptr_nonnull(strstr(ipam_error_last()->message, "source"));
	bad.source = "x";
	bad.first_seen = 10;
	bad.last_seen = 5;
	ck_assert_int_eq(ipam_obs_set_add(s, &bad), IPAM_EINVAL);
	ck_assert_ptr_nonnull(strstr(ipam_error_last()->message, "last_seen"));
	bad.last_seen = 10;
	bad.addr.family = 9;
	ck_assert_int_eq(ipam_obs_set_add(s, &bad), IPAM_EINVAL);
	ipam_obs_set_free(s);
}
END_TEST

START_TEST(every_category)
{
	ipam_db *db;
	ck_assert_int_eq(ipam_db_open(&db, "memory:", NULL), 0);
	prefix(db, NULL, "10.0.0.0/24");
	prefix(db, NULL, "2001:db8::/64");
	record(db, NULL, "10.0.0.1", "00:00:00:00:00:01", "gw");
	record(db, NULL, "10.0.0.2", "00:00:00:00:00:02", "old");     /* seen long ago */
	record(db, NULL, "10.0.0.3", "00:00:00:00:00:03", NULL);      /* never seen */
	record(db, NULL, "10.0.0.4", "00:00:00:00:00:04", "web");     /* other MAC */
	record(db, NULL, "10.0.0.5", NULL, "db1");                    /* other name */
	record(db, NULL, "10.0.0.6", NULL, NULL);                     /* two MACs */

	ipam_obs_set *s;
	ck_assert_int_eq(ipam_obs_set_new(&s), 0);
	seen(s, NULL, "10.0.0.1", "00:00:00:00:00:01", "gw.example.com.", "snmp", NOW);
	seen(s, NULL, "10.0.0.2", "00:00:00:00:00:02", NULL, "snmp", NOW - 40 * DAY);
	seen(s, NULL, "10.0.0.4", "00:00:00:00:00:44", NULL, "snmp", NOW);
	seen(s, NULL, "10.0.0.5", NULL, "db2.example.com.", "rdns", NOW);
	seen(s, NULL, "10.0.0.6", "00:00:00:00:00:06", NULL, "snmp", NOW);
	seen(s, NULL, "10.0.0.6", "00:00:00:00:00:66", NULL, "snmp", NOW);
	seen(s, NULL, "10.0.0.9", "00:00:00:00:00:09", "new-host", "snmp", NOW);
	seen(s, NULL, "192.168.7.7", NULL, NULL, "icmp", NOW);
	seen(s, NULL, "2001:db8::10", "00:00:00:00:00:10", NULL, "snmp", NOW);
	seen(s, "nowhere", "10.0.0.1", NULL, NULL, "tcp", NOW);
	seen(s, NULL, "10.0.0.200", NULL, NULL, "icmp", NOW - 400 * DAY); /* filtered by since */
	seen_subnet(s, NULL, "10.0.0.0/24", "vpc-a");   /* recorded: nothing to say */
	seen_subnet(s, NULL, "10.9.0.0/24", "vpc-b");   /* missing */
	seen_subnet(s, NULL, "2001:db8::/48", "vpc-c"); /* the records hold a /64 inside */

	ipam_reconcile_options o = IPAM_RECONCILE_OPTIONS_INIT;
	o.now = NOW;
	o.since = NOW - 100 * DAY;
	ipam_reconcile_report *r;
	ck_assert_msg(ipam_reconcile(&r, db, s, &o) == 0, "%s", ipam_error_last()->message);
	ck_assert_str_eq(summary(r), "unseen default 10.0.0.2\n"
				     "unseen default 10.0.0.3\n"
				     "mac-differs default 10.0.0.4\n"
				     "name-differs default 10.0.0.5\n"
				     "mac-conflict default 10.0.0.6\n"
				     "unrecorded default 10.0.0.9\n"
				     "outside default 192.168.7.7\n"
				     "unrecorded default 2001:db8::10\n"
				     "subnet-missing default 10.9.0.0/24\n"
				     "subnet-differs default 2001:db8::/48\n"
				     "outside nowhere 10.0.0.1\n");
	const ipam_drift_item *it = ipam_reconcile_report_item(r, 2);
	ck_assert(it->has_recorded_mac && it->has_seen_mac);
	ck_assert_uint_eq(it->seen_mac.bytes[5], 0x44);
	ck_assert_str_eq(ipam_reconcile_report_item(r, 3)->seen_name, "db2.example.com.");
	ck_assert_str_eq(ipam_reconcile_report_item(r, 3)->recorded_name, "db1");
	ck_assert_ptr_nonnull(strstr(ipam_reconcile_report_item(r, 4)->detail, "2 MACs"));
	ck_assert_uint_eq(ipam_reconcile_report_count_of(r, IPAM_DRIFT_UNSEEN), 2);

	ipam_buf b = IPAM_BUF_INIT;
	ck_assert_int_eq(ipam_reconcile_report_json(&b, r), 0);
	ck_assert_ptr_nonnull(strstr(b.ptr, "\"counts\":{\"unrecorded\":2,\"unseen\":2,\"mac-differs\":1,"
					    "\"name-differs\":1,\"mac-conflict\":1,\"outside\":2,"
					    "\"subnet-missing\":1,\"subnet-differs\":1}"));
	ck_assert_ptr_nonnull(strstr(b.ptr, "{\"category\":\"mac-differs\",\"space\":\"default\",\"address\":"
					    "\"10.0.0.4\",\"recorded_mac\":\"00:00:00:00:00:04\",\"seen_mac\":"
					    "\"00:00:00:00:00:44\""));
	ipam_buf_dispose(&b);
	ipam_reconcile_report_free(r);

	/* one space only; an unknown space is NOTFOUND */
	o.space = "nowhere";
	ck_assert_int_eq(ipam_reconcile(&r, db, s, &o), IPAM_ENOTFOUND);
	ck_assert_int_eq(ipam_space_add(db, "nowhere", NULL), 0);
	ck_assert_int_eq(ipam_reconcile(&r, db, s, &o), 0);
	ck_assert_str_eq(summary(r), "outside nowhere 10.0.0.1\n");
	ipam_reconcile_report_free(r);
	ipam_obs_set_free(s);
	ipam_db_free(db);
}
END_TEST

START_TEST(apply_is_idempotent)
{
	ipam_db *db;
	ck_assert_int_eq(ipam_db_open(&db, "memory:", NULL), 0);
	prefix(db, NULL, "10.0.0.0/24");
	record(db, NULL, "10.0.0.1", NULL, NULL);
	ipam_obs_set *s;
	ck_assert_int_eq(ipam_obs_set_new(&s), 0);
	seen(s, NULL, "10.0.0.7", "00:00:00:00:00:07", "host7.example.com.", "snmp", NOW);
	seen(s, NULL, "10.0.0.8", NULL, "not a host name!", "rdns", NOW);
	seen(s, NULL, "172.16.0.1", NULL, NULL, "icmp", NOW); /* outside: never adopted */

	int audit0 = audit_count(db);
	ipam_reconcile_options o = IPAM_RECONCILE_OPTIONS_INIT;
	o.now = NOW;
	o.flags = IPAM_RECONCILE_APPLY;
	ipam_reconcile_report *r;
	ck_assert_msg(ipam_reconcile(&r, db, s, &o) == 0, "%s", ipam_error_last()->message);
	ck_assert_uint_eq(ipam_reconcile_report_count_of(r, IPAM_DRIFT_UNRECORDED), 2);
	ck_assert(ipam_reconcile_report_item(r, 1)->applied);
	ipam_reconcile_report_free(r);

	ipam_ip_info ip = IPAM_IP_INFO_INIT;
	ipam_addr a = A("10.0.0.7");
	ck_assert_int_eq(ipam_ip_get(&ip, db, NULL, &a), 0);
	ck_assert_str_eq(ip.hostname, "host7.example.com");
	ck_assert(ip.has_mac && ip.mac.bytes[5] == 7);
	ck_assert_int_eq(ip.status, IPAM_STATUS_ACTIVE);
	ck_assert_str_eq(ip.attrs_json, "{\"source\":\"discovery\",\"discovered_by\":\"snmp\"}");
	ipam_ip_info_dispose(&ip);
	a = A("10.0.0.8");
	ck_assert_int_eq(ipam_ip_get(&ip, db, NULL, &a), 0);
	ck_assert_ptr_null(ip.hostname);
	ipam_ip_info_dispose(&ip);
	a = A("172.16.0.1");
	ck_assert_int_eq(ipam_ip_get(&ip, db, NULL, &a), IPAM_ENOTFOUND);
	a = A("10.0.0.1"); /* unseen, yet still there */
	ck_assert_int_eq(ipam_ip_get(&ip, db, NULL, &a), 0);
	ipam_ip_info_dispose(&ip);

	/* one audit entry per adopted address */
	ck_assert_int_eq(audit_count(db), audit0 + 2);

	uint64_t rev1, rev2;
	ck_assert_int_eq(ipam_db_revision(&rev1, db), 0);
	ck_assert_int_eq(ipam_reconcile(&r, db, s, &o), 0);
	ck_assert_uint_eq(ipam_reconcile_report_count_of(r, IPAM_DRIFT_UNRECORDED), 0);
	ck_assert_str_eq(summary(r), "unseen default 10.0.0.1\noutside default 172.16.0.1\n");
	ipam_reconcile_report_free(r);
	ck_assert_int_eq(ipam_db_revision(&rev2, db), 0);
	ck_assert_uint_eq(rev1, rev2);
	ipam_obs_set_free(s);
	ipam_db_free(db);
}
END_TEST

/* Observations kept in the store: merged across saves, read back by space
 * and time, one audit entry per write, nothing written twice; their JSON
 * reads back to the same set. */
START_TEST(obs_saved_and_loaded)
{
	ipam_db *db;
	ck_assert_int_eq(ipam_db_open(&db, "memory:", NULL), 0);
	ck_assert_int_eq(ipam_space_add(db, "lab", NULL), 0);
	ipam_obs_set *s, *t;
	ck_assert_int_eq(ipam_obs_set_new(&s), 0);
	seen(s, "lab", "10.0.0.5", "00:00:00:00:00:05", NULL, "snmp", NOW - 100);
	seen(s, NULL, "10.0.0.6", NULL, "six.example.", "rdns", NOW - 100);
	seen(s, "gone", "10.0.0.7", NULL, NULL, "icmp", NOW - 100);
	seen_subnet(s, "lab", "10.0.0.0/24", "vpc-a");
	int a0 = audit_count(db);
	ck_assert_msg(ipam_obs_save(db, s) == 0, "%s", ipam_error_last()->message);
	ck_assert_int_eq(audit_count(db), a0 + 4);
	ck_assert_int_eq(ipam_obs_save(db, s), 0); /* nothing new */
	ck_assert_int_eq(audit_count(db), a0 + 4);
	ipam_obs_set_free(s);

	/* seen again later, with a name: one write, first_seen kept */
	ck_assert_int_eq(ipam_obs_set_new(&s), 0);
	seen(s, "lab", "10.0.0.5", "00:00:00:00:00:05", "five.example.", "snmp", NOW);
	ck_assert_int_eq(ipam_obs_save(db, s), 0);
	ck_assert_int_eq(audit_count(db), a0 + 5);
	ipam_obs_set_free(s);

	ck_assert_int_eq(ipam_obs_set_new(&t), 0);
	ck_assert_msg(ipam_obs_load(t, db, NULL, 0) == 0, "%s", ipam_error_last()->message);
	ck_assert_uint_eq(ipam_obs_set_count(t), 4);
	ipam_obs_set_free(t);
	ck_assert_int_eq(ipam_obs_set_new(&t), 0);
	ck_assert_int_eq(ipam_obs_load(t, db, "lab", NOW - 50), 0);
	ck_assert_uint_eq(ipam_obs_set_count(t), 2); /* 10.0.0.5 (last seen NOW) and the subnet */
	ipam_observation o;
	ck_assert_int_eq(ipam_obs_set_get(&o, t, 0), 0); /* in name order: the address first */
	ck_assert_int_eq(o.first_seen, NOW - 100);
	ck_assert_int_eq(o.last_seen, NOW);
	ck_assert_str_eq(o.name, "five.example.");
	ck_assert_int_eq(ipam_obs_load(t, db, "nowhere", 0), IPAM_ENOTFOUND);

	/* JSON out and back in */
	ipam_buf b = IPAM_BUF_INIT;
	ck_assert_int_eq(ipam_obs_set_json(&b, t), 0);
	ipam_obs_set *u;
	ck_assert_int_eq(ipam_obs_set_new(&u), 0);
	ck_assert_msg(ipam_obs_set_add_json(u, b.ptr, b.size, "t.json") == 0, "%s", ipam_error_last()->message);
	ipam_buf b2 = IPAM_BUF_INIT;
	ck_assert_int_eq(ipam_obs_set_json(&b2, u), 0);
	ck_assert_str_eq(b.ptr, b2.ptr);
	ipam_buf_dispose(&b);
	ipam_buf_dispose(&b2);
	static const char bad[] = "[{\"kind\":\"address\",\"address\":\"10.0.0.300\",\"source\":\"x\","
				  "\"first_seen\":1,\"last_seen\":2}]";
	ck_assert_int_eq(ipam_obs_set_add_json(u, bad, strlen(bad), "t.json"), IPAM_EINVAL);
	ck_assert_msg(strstr(ipam_error_last()->message, "t.json: observation 0: address"), "%s",
		      ipam_error_last()->message);
	ipam_obs_set_free(u);
	ipam_obs_set_free(t);
	ipam_db_free(db);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("reconcile");
	TCase *tc = tcase_create("reconcile");
	tcase_add_test(tc, obs_set_merges);
	tcase_add_test(tc, every_category);
	tcase_add_test(tc, apply_is_idempotent);
	tcase_add_test(tc, obs_saved_and_loaded);
	suite_add_tcase(s, tc);
	return disc_run(s);
}
