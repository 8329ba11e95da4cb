/* The public DHCP API (include/ipam/dhcp.h) on the memory store, through
 * nothing but public calls: scopes, pools, reservations, options at every
 * level, templates, servers with sealed passwords, renders checked by
 * kea-dhcp4 -t and dhcpd -t (with failover), removing a scope with its
 * ranges and addresses, and lease sync from the fixtures' lease file. The
 * pushes are tested with a real Kea in tests/cli (ipamctl-dhcp). */
#include "dns_test.h"

#include <check.h>
#include <cjson/cJSON.h>
#include <ipam.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OK(call) ck_assert_msg((call) == 0, "%s: %s", #call, ipam_error_last()->message)

static void fails(int rc, int code, const char *part)
{
	const char *msg = ipam_error_last()->message;
	ck_assert_msg(rc == code, "rc %d, wanted %d (%s)", rc, code, msg);
	ck_assert_msg(msg && strstr(msg, part), "message \"%s\" lacks \"%s\"", msg ? msg : "(null)", part);
}

static void has(const char *text, const char *part)
{
	ck_assert_msg(text && strstr(text, part), "\"%s\" not in:\n%s", part, text ? text : "(null)");
}

static void lacks(const char *text, const char *part)
{
	ck_assert_msg(!text || !strstr(text, part), "\"%s\" in:\n%s", part, text);
}

/* An address's status, or -1 when it has none. */
static int status_of(ipam_db *db, const char *addr)
{
	ipam_addr a;
	ipam_ip_info info = IPAM_IP_INFO_INIT;
	ck_assert_int_eq(ipam_addr_parse(&a, addr), 0);
	int rc = ipam_ip_get(&info, db, NULL, &a);
	int st = rc ? -1 : (int)info.status;
	ipam_ip_info_dispose(&info);
	return st;
}

static size_t ranges_in(ipam_db *db, const char *pfx)
{
	ipam_prefix p;
	ck_assert_int_eq(ipam_prefix_parse(&p, pfx, IPAM_PARSE_DEFAULT), 0);
	ipam_range_query q = IPAM_RANGE_QUERY_INIT;
	q.within = &p;
	ipam_range_iter *it = NULL;
	ipam_range_info r = IPAM_RANGE_INFO_INIT;
	size_t n = 0;
	OK(ipam_range_iter_new(&it, db, &q));
	while (ipam_range_iter_next(&r, it) == 0)
		n++;
	ipam_range_info_dispose(&r);
	ipam_range_iter_free(it);
	return n;
}

/* Write `b` to DIR/NAME and run `cmd PATH` on it. */
static void accepted(const char *dir, const char *name, const ipam_buf *b, const char *cmd)
{
	char path[400], *out = NULL;
	snprintf(path, sizeof path, "%s/%s", dir, name);
	ck_assert_int_eq(dt_write(path, b->ptr), 0);
	int st = dt_sh(&out, "%s %s", cmd, path);
	if (st)
		fprintf(stderr, "%s refused:\n%s\n%s\n", path, out ? out : "", b->ptr);
	ck_assert_msg(st == 0, "refused: %s (see stderr)", path);
	free(out);
}

static ipam_db *sample(void)
{
	ipam_db *db;
	OK(ipam_db_open(&db, "memory:", NULL));
	ipam_dhcp_server_options so = IPAM_DHCP_SERVER_OPTIONS_INIT;
	so.url = "http://127.0.0.1:8000/";
	so.user = "ipam";
	so.password = "s3cret-pw";
	OK(ipam_dhcp_server_add(db, "kea-a", &so, 0));
	so.url = "http://127.0.0.1:8001/";
	OK(ipam_dhcp_server_add(db, "kea-b", &so, 0));
	ipam_dhcp_server_options d = IPAM_DHCP_SERVER_OPTIONS_INIT;
	d.type = IPAM_DHCP_DHCPD;
	OK(ipam_dhcp_server_add(db, "dhcpd-1", &d, 0));
	OK(ipam_option_template_add(db, "office"));
	ipam_option_target t = IPAM_OPTION_TARGET_INIT;
	t.level = IPAM_OPTION_TEMPLATE;
	t.name = "office";
	OK(ipam_option_set(db, &t, "domain-name-servers", "192.0.2.53"));
	ipam_scope_options o = IPAM_SCOPE_OPTIONS_INIT;
	o.template_name = "office";
	o.servers = "kea-a, dhcpd-1";
	o.valid = 3600;
	OK(ipam_scope_add(db, "lan", "192.0.2.0/24", &o));
	OK(ipam_pool_add(db, "lan", "192.0.2.100-192.0.2.199", "192.0.2.150-192.0.2.159"));
	OK(ipam_reservation_add(db, "lan", "192.0.2.10", "mac:00:00:5e:00:53:10", "printer"));
	return db;
}

START_TEST(scopes_pools_reservations)
{
	ipam_db *db = sample();
	ipam_buf b = IPAM_BUF_INIT;
	/* the pool is a dhcp range (with its exclusion), the reservation a reserved address */
	ck_assert_uint_eq(ranges_in(db, "192.0.2.0/24"), 2);
	ck_assert_int_eq(status_of(db, "192.0.2.10"), IPAM_STATUS_RESERVED);
	OK(ipam_scope_list(&b, db));
	has(b.ptr, "\"name\":\"lan\"");
	has(b.ptr, "\"space\":\"default\"");
	has(b.ptr, "\"pools\":1");
	has(b.ptr, "\"reservations\":1");
	OK(ipam_scope_show(&b, db, "lan"));
	has(b.ptr, "\"effective_options\":[{\"name\":\"domain-name-servers\"");
	OK(ipam_reservation_list(&b, db, "lan"));
	has(b.ptr, "\"mac\":\"00:00:5e:00:53:10\"");
	has(b.ptr, "\"hostname\":\"printer\"");
	/* clashes: names, prefixes, a static address in a pool, a used address */
	fails(ipam_scope_add(db, "lan", "198.51.100.0/24", NULL), IPAM_EEXISTS, "scope lan exists already");
	fails(ipam_scope_add(db, "lan2", "192.0.2.128/25", NULL), IPAM_EEXISTS, "overlaps scope lan");
	fails(ipam_scope_add(db, "far", "198.51.100.0/24", &(ipam_scope_options){.version = 1, .space = "nope"}),
	      IPAM_ENOTFOUND, "no space nope");
	ipam_ip_options io = IPAM_IP_OPTIONS_INIT;
	ipam_addr a;
	OK(ipam_addr_parse(&a, "192.0.2.20"));
	OK(ipam_ip_add(db, &a, &io));
	fails(ipam_pool_add(db, "lan", "192.0.2.20-192.0.2.30", NULL), IPAM_EINUSE, "192.0.2.20 (active) lies in a pool");
	fails(ipam_reservation_add(db, "lan", "192.0.2.20", "00:00:5e:00:53:20", NULL), IPAM_EINUSE,
	      "reservation 192.0.2.20: the address is in use");
	fails(ipam_reservation_add(db, "lan", "192.0.2.11", "mac:00:00:5e:00:53:10", NULL), IPAM_EEXISTS, "");
	fails(ipam_pool_add(db, "nope", "192.0.2.20-192.0.2.30", NULL), IPAM_ENOTFOUND, "no scope nope");
	/* nothing half-written: still one pool */
	OK(ipam_scope_list(&b, db));
	has(b.ptr, "\"pools\":1");
	/* the allocator never hands out an address of the pool */
	ipam_prefix p;
	OK(ipam_prefix_parse(&p, "192.0.2.96/27", IPAM_PARSE_DEFAULT));
	/* a pool and a reservation go again */
	OK(ipam_pool_rm(db, "lan", "192.0.2.100"));
	ck_assert_uint_eq(ranges_in(db, "192.0.2.0/24"), 0);
	OK(ipam_reservation_rm(db, "lan", "192.0.2.10"));
	ck_assert_int_eq(status_of(db, "192.0.2.10"), -1);
	fails(ipam_reservation_rm(db, "lan", "192.0.2.10"), IPAM_ENOTFOUND, "no reservation of 192.0.2.10");
	/* settings change, pools stay */
	OK(ipam_pool_add(db, "lan", "192.0.2.100-192.0.2.199", NULL));
	ipam_scope_options o = IPAM_SCOPE_OPTIONS_INIT;
	o.description = "second floor";
	o.servers = "kea-a";
	OK(ipam_scope_set(db, "lan", &o));
	OK(ipam_scope_show(&b, db, "lan"));
	has(b.ptr, "\"description\":\"second floor\"");
	has(b.ptr, "\"servers\":[\"kea-a\"]");
	has(b.ptr, "\"start\":\"192.0.2.100\"");
	lacks(b.ptr, "\"template\"");
	fails(ipam_scope_set(db, "lan", &(ipam_scope_options){.version = 1, .servers = "ghost"}), IPAM_ENOTFOUND,
	      "scope lan: no server ghost");
	fails(ipam_scope_set(db, "lan", &(ipam_scope_options){.version = 1, .template_name = "nope"}), IPAM_ENOTFOUND,
	      "scope lan: no option template nope");
	fails(ipam_scope_add(db, "far", "198.51.100.0/24", &(ipam_scope_options){.version = 1, .template_name = "nope"}),
	      IPAM_ENOTFOUND, "scope far: no option template nope");
	/* a field mask changes what it names and keeps the rest */
	ipam_scope_options one = IPAM_SCOPE_OPTIONS_INIT;
	one.fields = IPAM_SCOPE_SET_VALID;
	one.valid = 7200;
	OK(ipam_scope_set(db, "lan", &one));
	OK(ipam_scope_show(&b, db, "lan"));
	has(b.ptr, "\"description\":\"second floor\"");
	has(b.ptr, "\"servers\":[\"kea-a\"]");
	has(b.ptr, "\"valid\":7200");
	one.fields = IPAM_SCOPE_SET_DESCRIPTION | IPAM_SCOPE_SET_SERVERS;
	one.description = "third floor";
	one.servers = NULL;
	OK(ipam_scope_set(db, "lan", &one));
	OK(ipam_scope_show(&b, db, "lan"));
	has(b.ptr, "\"description\":\"third floor\"");
	lacks(b.ptr, "kea-a");
	has(b.ptr, "\"valid\":7200");
	one.fields = 0x400;
	fails(ipam_scope_set(db, "lan", &one), IPAM_EINVAL, "scope lan: unknown setting bits 0x400");
	/* without a mask every setting is replaced, as before */
	OK(ipam_scope_set(db, "lan", &(ipam_scope_options){.version = 1, .description = "ground floor"}));
	OK(ipam_scope_show(&b, db, "lan"));
	has(b.ptr, "\"valid\":0");
	ipam_buf_dispose(&b);
	ipam_db_free(db);
}
END_TEST

START_TEST(options_and_templates)
{
	ipam_db *db = sample();
	ipam_buf b = IPAM_BUF_INIT;
	ipam_option_target t = IPAM_OPTION_TARGET_INIT;
	/* every level, checked on the way in */
	OK(ipam_option_set(db, &t, "domain-name", "example.com"));
	t.level = IPAM_OPTION_SCOPE;
	t.name = "lan";
	OK(ipam_option_set(db, &t, "routers", "192.0.2.1"));
	fails(ipam_option_set(db, &t, "routers", "192.0.2.300"), IPAM_EINVAL,
	      "scope lan: option routers (3): \"192.0.2.300\" is not an IPv4 address");
	fails(ipam_option_set(db, &t, "no-such-option", "1"), IPAM_EINVAL, "unknown DHCPv4 option no-such-option");
	t.level = IPAM_OPTION_POOL;
	t.pool = "192.0.2.100";
	OK(ipam_option_set(db, &t, "ntp-servers", "192.0.2.123"));
	t.level = IPAM_OPTION_RESERVATION;
	t.address = "192.0.2.10";
	OK(ipam_option_set(db, &t, "boot-file-name", "pxelinux.0"));
	OK(ipam_option_list(&b, db, &t));
	has(b.ptr, "\"value\":\"pxelinux.0\"");
	t.address = "192.0.2.11";
	fails(ipam_option_set(db, &t, "boot-file-name", "x"), IPAM_ENOTFOUND, "no reservation of 192.0.2.11");
	/* a custom option, then set */
	OK(ipam_option_define(db, 4, 0, 224, "site-id", "uint16"));
	t.level = IPAM_OPTION_SCOPE;
	OK(ipam_option_set(db, &t, "site-id", "7"));
	fails(ipam_option_set(db, &t, "site-id", "70000"), IPAM_EINVAL, "site-id");
	/* inheritance shows in show: global, template, scope */
	OK(ipam_scope_show(&b, db, "lan"));
	has(b.ptr, "\"name\":\"domain-name\"");
	has(b.ptr, "\"value\":\"192.0.2.53\"");
	/* the template: change it once, the render follows */
	ipam_option_target tt = IPAM_OPTION_TARGET_INIT;
	tt.level = IPAM_OPTION_TEMPLATE;
	tt.name = "office";
	OK(ipam_option_set(db, &tt, "domain-name-servers", "192.0.2.54"));
	OK(ipam_dhcp_render(&b, db, IPAM_DHCP_FORMAT_KEA4, "kea-a", NULL));
	has(b.ptr, "192.0.2.54");
	lacks(b.ptr, "192.0.2.53");
	OK(ipam_option_template_list(&b, db));
	has(b.ptr, "\"scopes\":[\"lan\"]");
	fails(ipam_option_template_rm(db, "office"), IPAM_EINUSE, "scope lan uses it");
	OK(ipam_option_rm(db, &t, "routers"));
	fails(ipam_option_rm(db, &t, "routers"), IPAM_ENOTFOUND, "no option routers set");
	/* a template no scope uses goes */
	OK(ipam_option_template_add(db, "spare"));
	OK(ipam_option_template_rm(db, "spare"));
	fails(ipam_option_template_rm(db, "spare"), IPAM_ENOTFOUND, "no option template spare");
	ipam_buf_dispose(&b);
	ipam_db_free(db);
}
END_TEST

START_TEST(servers_sealed)
{
	ipam_db *db = sample();
	ipam_buf b = IPAM_BUF_INIT;
	OK(ipam_dhcp_server_list(&b, db));
	has(b.ptr, "\"name\":\"kea-a\"");
	has(b.ptr, "\"password\":\"(sealed)\"");
	lacks(b.ptr, "s3cret-pw");
	/* the DNS list does not show them, and a DNS server's name is taken */
	ipam_buf d = IPAM_BUF_INIT;
	OK(ipam_dns_server_list(&d, db));
	ck_assert_str_eq(d.ptr, "[]");
	ipam_dns_server_options dso = IPAM_DNS_SERVER_OPTIONS_INIT;
	dso.address = "127.0.0.1";
	OK(ipam_dns_server_add(db, "ns1", &dso, 0));
	ipam_dhcp_server_options so = IPAM_DHCP_SERVER_OPTIONS_INIT;
	fails(ipam_dhcp_server_add(db, "ns1", &so, 1), IPAM_EEXISTS, "server ns1 already exists");
	so.url = "ftp://x";
	fails(ipam_dhcp_server_add(db, "k", &so, 0), IPAM_EINVAL, "http:// or https://");
	so.url = "http://u:p@127.0.0.1/";
	fails(ipam_dhcp_server_add(db, "k", &so, 0), IPAM_EINVAL, "not in the URL");
	fails(ipam_dhcp_server_rm(db, "kea-a"), IPAM_EINUSE, "scope lan names it");
	fails(ipam_dhcp_push(NULL, db, "dhcpd-1", 0), IPAM_EINVAL, "ISC dhcpd");
	fails(ipam_dhcp_push(NULL, db, "ns1", 0), IPAM_EINVAL, "not a DHCP server");
	OK(ipam_dhcp_server_rm(db, "kea-b"));
	fails(ipam_dhcp_server_rm(db, "kea-b"), IPAM_ENOTFOUND, "no DHCP server kea-b");
	ipam_buf_dispose(&d);
	ipam_buf_dispose(&b);
	ipam_db_free(db);
}
END_TEST

START_TEST(renders_accepted)
{
	char dir[256];
	ck_assert_int_eq(dt_tmpdir(dir, "dhcp-api"), 0);
	ipam_db *db = sample();
	ipam_buf b = IPAM_BUF_INIT;
	ipam_scope_options o6 = IPAM_SCOPE_OPTIONS_INIT;
	o6.servers = "kea-a";
	OK(ipam_scope_add(db, "lan6", "2001:db8:1::/64", &o6));
	OK(ipam_pool_add(db, "lan6", "2001:db8:1::1000-2001:db8:1::1fff", NULL));
	OK(ipam_reservation_add(db, "lan6", "2001:db8:1::10", "duid:000100012b3c4d5e00005e005310", "ws6"));
	OK(ipam_dhcp_render(&b, db, IPAM_DHCP_FORMAT_KEA4, "kea-a", NULL));
	has(b.ptr, "\"192.0.2.100-192.0.2.149\"");
	accepted(dir, "kea4.json", &b, "kea-dhcp4 -t");
	OK(ipam_dhcp_render(&b, db, IPAM_DHCP_FORMAT_KEA6, "kea-a", NULL));
	has(b.ptr, "2001:db8:1::/64");
	accepted(dir, "kea6.json", &b, "kea-dhcp6 -t");
	OK(ipam_dhcp_render(&b, db, IPAM_DHCP_FORMAT_DHCPD, "dhcpd-1", NULL));
	has(b.ptr, "range 192.0.2.100 192.0.2.149;");
	accepted(dir, "dhcpd.conf", &b, "dhcpd -4 -t -q -cf");
	fails(ipam_dhcp_render(&b, db, IPAM_DHCP_FORMAT_KEA4, "ghost", NULL), IPAM_ENOTFOUND, "no DHCP server ghost");
	fails(ipam_dhcp_render(&b, db, 7, NULL, NULL), IPAM_EINVAL, "unknown format 7");
	ipam_buf_dispose(&b);
	ipam_db_free(db);
}
END_TEST

/* ISC failover: an HA pair of two dhcpd servers; each side's render holds
 * its peer declaration and the pools name it; dhcpd -t accepts both. */
START_TEST(dhcpd_failover)
{
	char dir[256];
	ck_assert_int_eq(dt_tmpdir(dir, "dhcp-failover"), 0);
	ipam_db *db = sample();
	ipam_dhcp_server_options d = IPAM_DHCP_SERVER_OPTIONS_INIT;
	d.type = IPAM_DHCP_DHCPD;
	d.failover_address = "127.0.0.1";
	OK(ipam_dhcp_server_add(db, "isc-a", &d, 0));
	d.failover_address = "127.0.0.2";
	d.failover_port = 847;
	OK(ipam_dhcp_server_add(db, "isc-b", &d, 0));
	ipam_scope_options o = IPAM_SCOPE_OPTIONS_INIT;
	o.ha_primary = "isc-a";
	o.ha_standby = "isc-b";
	OK(ipam_scope_add(db, "branch", "198.51.100.0/24", &o));
	OK(ipam_pool_add(db, "branch", "198.51.100.50-198.51.100.150", "198.51.100.100"));
	ipam_buf b = IPAM_BUF_INIT;
	OK(ipam_dhcp_render(&b, db, IPAM_DHCP_FORMAT_DHCPD, "isc-a", NULL));
	has(b.ptr, "failover peer \"isc-a-isc-b\" {\n\tprimary;\n\taddress 127.0.0.1;\n\tport 647;\n"
		   "\tpeer address 127.0.0.2;\n\tpeer port 847;\n");
	has(b.ptr, "\tsplit 128;\n");
	has(b.ptr, "\tpool {\n\t\tfailover peer \"isc-a-isc-b\";\n\t\trange 198.51.100.50 198.51.100.99;\n");
	lacks(b.ptr, "192.0.2.0"); /* lan is not theirs */
	accepted(dir, "isc-a.conf", &b, "dhcpd -4 -t -q -cf");
	OK(ipam_dhcp_render(&b, db, IPAM_DHCP_FORMAT_DHCPD, "isc-b", NULL));
	has(b.ptr, "\tsecondary;\n\taddress 127.0.0.2;\n\tport 847;\n");
	lacks(b.ptr, "split");
	accepted(dir, "isc-b.conf", &b, "dhcpd -4 -t -q -cf");
	/* a pair of one Kea and one dhcpd server, or a dhcpd one without its address, is refused */
	o.ha_primary = "kea-a";
	fails(ipam_scope_add(db, "mixed", "203.0.113.0/24", &o), IPAM_EINVAL, "or both ISC dhcpd servers");
	o.ha_primary = "dhcpd-1"; /* no failover address */
	o.ha_standby = "dhcpd-2";
	d.failover_address = NULL;
	OK(ipam_dhcp_server_add(db, "dhcpd-2", &d, 0));
	fails(ipam_scope_add(db, "mixed", "203.0.113.0/24", &o), IPAM_EINVAL, "HA pair dhcpd-1/dhcpd-2: both must be");
	ipam_dhcp_server_options k = IPAM_DHCP_SERVER_OPTIONS_INIT;
	k.failover_address = "127.0.0.3";
	fails(ipam_dhcp_server_add(db, "kea-c", &k, 0), IPAM_EINVAL, "for ISC dhcpd only");
	ipam_buf_dispose(&b);
	ipam_db_free(db);
}
END_TEST

START_TEST(scope_rm_takes_its_addresses)
{
	ipam_db *db = sample();
	char dir[256], path[400];
	ck_assert_int_eq(dt_tmpdir(dir, "dhcp-api-rm"), 0);
	snprintf(path, sizeof path, "%s/leases.csv", dir);
	ck_assert_int_eq(dt_write(path, "address,hwaddr,client_id,valid_lifetime,expire,subnet_id,fqdn_fwd,fqdn_rev,"
					"hostname,state,user_context\n"
					"192.0.2.120,00:00:5e:00:53:20,,43200,1999999999,1,0,0,,0,\n"
					"192.0.2.121,00:00:5e:00:53:21,,43200,1999999999,1,0,0,,0,\n"),
			 0);
	ipam_lease_sync_options lo = IPAM_LEASE_SYNC_OPTIONS_INIT;
	lo.path = path;
	ipam_lease_sync_stats st;
	OK(ipam_lease_sync(&st, NULL, db, &lo));
	ck_assert_uint_eq(st.added, 2);
	ck_assert_int_eq(status_of(db, "192.0.2.120"), IPAM_STATUS_DHCP);
	/* an address of nobody's stays */
	ipam_ip_options io = IPAM_IP_OPTIONS_INIT;
	ipam_addr a;
	OK(ipam_addr_parse(&a, "192.0.2.5"));
	OK(ipam_ip_add(db, &a, &io));
	OK(ipam_scope_rm(db, "lan", 0));
	ck_assert_uint_eq(ranges_in(db, "192.0.2.0/24"), 0);
	ck_assert_int_eq(status_of(db, "192.0.2.10"), -1);           /* the reservation's address */
	ck_assert_int_eq(status_of(db, "192.0.2.120"), IPAM_STATUS_DHCP); /* leases stay unless asked */
	ck_assert_int_eq(status_of(db, "192.0.2.5"), IPAM_STATUS_ACTIVE);
	fails(ipam_scope_rm(db, "lan", 0), IPAM_ENOTFOUND, "no scope lan");
	/* again, asking for the leases too */
	OK(ipam_scope_add(db, "lan", "192.0.2.0/24", NULL));
	OK(ipam_scope_rm(db, "lan", IPAM_SCOPE_RM_LEASES));
	ck_assert_int_eq(status_of(db, "192.0.2.120"), -1);
	ck_assert_int_eq(status_of(db, "192.0.2.121"), -1);
	ck_assert_int_eq(status_of(db, "192.0.2.5"), IPAM_STATUS_ACTIVE);
	ipam_db_free(db);
}
END_TEST

START_TEST(lease_sync_fixtures)
{
	ipam_db *db = sample();
	ipam_lease_sync_options lo = IPAM_LEASE_SYNC_OPTIONS_INIT;
	ipam_lease_sync_stats st;
	lo.path = FIXTURES "/kea-leases4.csv";
	OK(ipam_lease_sync(&st, NULL, db, &lo));
	/* 120 and 121 active in scope lan (122 expired-reclaimed, 130 deleted; 203.0.113.x in no scope) */
	ck_assert_uint_eq(st.added, 2);
	ck_assert_int_eq(status_of(db, "192.0.2.120"), IPAM_STATUS_DHCP);
	lo.path = FIXTURES "/isc_dhcpd.leases";
	lo.format = IPAM_LEASES_DHCPD;
	OK(ipam_lease_sync(&st, NULL, db, &lo));
	/* the same two, active in dhcpd's file too (the last entry wins) */
	ck_assert_uint_eq(st.updated, 2);
	ck_assert_uint_eq(st.released, 0);
	lo.path = FIXTURES "/kea-dhcp4.conf";
	lo.format = IPAM_LEASES_KEA_CSV;
	ck_assert_int_eq(ipam_lease_sync(&st, NULL, db, &lo), IPAM_EINVAL);
	has(ipam_error_last()->message, "kea-dhcp4.conf");
	lo.path = "/nonexistent/leases.csv";
	fails(ipam_lease_sync(&st, NULL, db, &lo), IPAM_EIO, "/nonexistent/leases.csv: cannot open it");
	lo.server = "kea-a";
	fails(ipam_lease_sync(&st, NULL, db, &lo), IPAM_EINVAL, "one of them");
	lo.server = NULL;
	lo.flags = IPAM_LEASE_SYNC_PUSH_DNS;
	fails(ipam_lease_sync(&st, NULL, db, &lo), IPAM_EINVAL, "needs its DNS server");
	ipam_db_free(db);
}
END_TEST

static char *slurp(const char *path, size_t *len)
{
	char *t = dt_read(path, len);
	ck_assert_ptr_nonnull(t);
	return t;
}

/* Adopting running servers: the fixtures' Kea config and dhcpd.conf into
 * the store, all or nothing, rendered back to configs the tools accept. */
START_TEST(import_running_configs)
{
	char dir[256];
	ck_assert_int_eq(dt_tmpdir(dir, "dhcp-import"), 0);
	ipam_db *db;
	OK(ipam_db_open(&db, "memory:", NULL));
	ipam_dhcp_server_options so = IPAM_DHCP_SERVER_OPTIONS_INIT;
	so.url = "http://127.0.0.1:8000/";
	OK(ipam_dhcp_server_add(db, "kea-a", &so, 0));
	size_t len, n = 0;
	char *text = slurp(FIXTURES "/kea-dhcp4.conf", &len);
	ipam_buf notes = IPAM_BUF_INIT, b = IPAM_BUF_INIT;
	ipam_dhcp_import_options io = IPAM_DHCP_IMPORT_OPTIONS_INIT;
	io.server = "kea-a";
	OK(ipam_dhcp_import(&notes, &n, db, text, len, "kea-dhcp4.conf", &io));
	ck_assert_uint_ge(n, 4);
	has(notes.ptr, "a reservation without an address (mac:00:00:5e:00:53:33)");
	OK(ipam_scope_show(&b, db, "kea4-10"));
	has(b.ptr, "\"prefix\":\"10.10.0.0/24\"");
	has(b.ptr, "\"servers\":[\"kea-a\"]");
	ck_assert_int_eq(status_of(db, "192.0.2.70"), IPAM_STATUS_RESERVED);
	OK(ipam_dhcp_render(&b, db, IPAM_DHCP_FORMAT_KEA4, "kea-a", NULL));
	has(b.ptr, "\"circuit-id\":\t\"'port-7'\"");
	has(b.ptr, "192.0.2.53, 198.51.100.53");
	accepted(dir, "kea-import.json", &b, "kea-dhcp4 -t");
	/* again: the names are taken, and nothing of the second try stays */
	OK(ipam_scope_list(&b, db));
	char *before = strdup(b.ptr);
	fails(ipam_dhcp_import(NULL, &n, db, text, len, "kea-dhcp4.conf", &io), IPAM_EEXISTS, "exists already");
	ck_assert_uint_eq(n, 0);
	OK(ipam_scope_list(&b, db));
	ck_assert_str_eq(b.ptr, before);
	free(before);
	free(text);
	/* a config error names the file and the place; unknown server or space */
	const char *bad = "{\"Dhcp4\": {\"subnet4\": [{\"id\": 1, \"subnet\": \"10.99.0.0/24\", \"option-data\": "
			  "[{\"name\": \"routers\", \"data\": \"10.0.0.999\"}]}]}}";
	fails(ipam_dhcp_import(NULL, NULL, db, bad, strlen(bad), "k.conf", &io), IPAM_EINVAL,
	      "k.conf: Dhcp4/subnet4[0]/option-data[0]: option routers (3)");
	io.server = "ghost";
	fails(ipam_dhcp_import(NULL, NULL, db, bad, strlen(bad), "k.conf", &io), IPAM_ENOTFOUND, "no DHCP server ghost");
	ipam_db_free(db);
	/* dhcpd.conf into an empty store, rendered for dhcpd */
	OK(ipam_db_open(&db, "memory:", NULL));
	ipam_dhcp_import_options id = IPAM_DHCP_IMPORT_OPTIONS_INIT;
	id.format = IPAM_DHCP_IMPORT_DHCPD;
	ipam_buf_dispose(&notes);
	/* text NULL: read from the path `file` names */
	fails(ipam_dhcp_import(NULL, NULL, db, NULL, 0, FIXTURES "/no-such.conf", &id), IPAM_EIO, "no-such.conf");
	fails(ipam_dhcp_import(NULL, NULL, db, NULL, 0, NULL, &id), IPAM_EINVAL, "no database, config or options");
	OK(ipam_dhcp_import(&notes, &n, db, NULL, 0, FIXTURES "/isc_dhcpd.conf", &id));
	ck_assert_uint_ge(n, 3);
	has(notes.ptr, "host printer-02: fixed-address printer-02.example.com is a name");
	OK(ipam_scope_show(&b, db, "net-192.0.2.0-24"));
	OK(ipam_dhcp_render(&b, db, IPAM_DHCP_FORMAT_DHCPD, NULL, NULL));
	accepted(dir, "dhcpd-import.conf", &b, "dhcpd -4 -t -q -cf");
	ipam_buf_dispose(&notes);
	ipam_buf_dispose(&b);
	ipam_db_free(db);
}
END_TEST

int main(void)
{
	if (!dt_have("kea-dhcp4") || !dt_have("kea-dhcp6") || !dt_have("dhcpd")) {
		fprintf(stderr, "kea-dhcp4, kea-dhcp6 or dhcpd is not installed\n");
		return 77;
	}
	Suite *s = suite_create("dhcp-api");
	TCase *t = tcase_create("api");
	tcase_set_timeout(t, 60);
	tcase_add_test(t, scopes_pools_reservations);
	tcase_add_test(t, options_and_templates);
	tcase_add_test(t, servers_sealed);
	tcase_add_test(t, renders_accepted);
	tcase_add_test(t, dhcpd_failover);
	tcase_add_test(t, scope_rm_takes_its_addresses);
	tcase_add_test(t, lease_sync_fixtures);
	tcase_add_test(t, import_running_configs);
	suite_add_tcase(s, t);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
