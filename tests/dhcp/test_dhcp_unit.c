/* src/dhcp without running servers: the model and its rules, option checks
 * and inheritance, Kea rendering and merging (checked by kea-dhcp4 -t and
 * kea-dhcp6 -t), dhcpd.conf (checked by dhcpd -t). */
#include "dhcp/dhcp.h"
#include "dns_test.h"

#include <check.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define OK(call) ck_assert_msg((call) == 0, "%s: %s", #call, ipam_error_last()->message)

static void fails(int rc, int code, const char *part)
{
	const char *msg = ipam_error_last()->message;
	ck_assert_msg(rc == code, "rc %d, wanted %d (%s)", rc, code, msg);
	ck_assert_msg(msg && strstr(msg, part), "message \"%s\" lacks \"%s\"", msg ? msg : "(null)", part);
}

START_TEST(option_checks)
{
	const ipam__dhcp_optdef *d = ipam__dhcp_optdef_builtin(IPAM_AF_INET, "routers");
	ck_assert_ptr_nonnull(d);
	ck_assert_ptr_eq(ipam__dhcp_optdef_builtin(IPAM_AF_INET, "3"), d);
	ck_assert_ptr_null(ipam__dhcp_optdef_builtin(IPAM_AF_INET, "no-such-option"));
	char *v = NULL;
	OK(ipam__dhcp_opt_check(&v, d, " 10.0.0.1 ,10.0.0.2", "scope a"));
	ck_assert_str_eq(v, "10.0.0.1, 10.0.0.2");
	free(v);
	fails(ipam__dhcp_opt_check(&v, d, "10.0.0.300", "scope a"), IPAM_EINVAL,
	      "scope a: option routers (3): \"10.0.0.300\" is not an IPv4 address");
	fails(ipam__dhcp_opt_check(&v, d, "2001:db8::1", "s"), IPAM_EINVAL, "not an IPv4 address");
	fails(ipam__dhcp_opt_check(&v, d, "10.0.0.1,", "s"), IPAM_EINVAL, "an empty list item");
	d = ipam__dhcp_optdef_builtin(IPAM_AF_INET, "interface-mtu");
	fails(ipam__dhcp_opt_check(&v, d, "70000", "s"), IPAM_EINVAL, "not a number from 0 to 65535");
	OK(ipam__dhcp_opt_check(&v, d, "1500", "s"));
	free(v);
	d = ipam__dhcp_optdef_builtin(IPAM_AF_INET, "ip-forwarding");
	OK(ipam__dhcp_opt_check(&v, d, "No", "s"));
	ck_assert_str_eq(v, "false");
	free(v);
	fails(ipam__dhcp_opt_check(&v, d, "maybe", "s"), IPAM_EINVAL, "not true or false");
	d = ipam__dhcp_optdef_builtin(IPAM_AF_INET, "domain-search");
	OK(ipam__dhcp_opt_check(&v, d, "example.com., corp.example.com", "s"));
	ck_assert_str_eq(v, "example.com, corp.example.com");
	free(v);
	fails(ipam__dhcp_opt_check(&v, d, "bad..name", "s"), IPAM_EINVAL, "not a domain name");
	d = ipam__dhcp_optdef_builtin(IPAM_AF_INET, "tftp-server-name");
	fails(ipam__dhcp_opt_check(&v, d, "a\"b", "s"), IPAM_EINVAL, "a quote");
	d = ipam__dhcp_optdef_builtin(IPAM_AF_INET, "vendor-encapsulated-options");
	OK(ipam__dhcp_opt_check(&v, d, "01:04:C0:00:02:01", "s"));
	ck_assert_str_eq(v, "0104c0000201");
	free(v);
	fails(ipam__dhcp_opt_check(&v, d, "0", "s"), IPAM_EINVAL, "whole hex octets");
	d = ipam__dhcp_optdef_builtin(IPAM_AF_INET6, "dns-servers");
	fails(ipam__dhcp_opt_check(&v, d, "192.0.2.1", "s"), IPAM_EINVAL, "not an IPv6 address");
}
END_TEST

START_TEST(model_rules)
{
	ipam__dhcp_config *c;
	ipam__dhcp_scope *s, *t;
	ipam__dhcp_pool *p;
	OK(ipam__dhcp_config_new(&c));
	OK(ipam__dhcp_scope_add(c, "office", "10.1.0.0/24", 0, &s));
	ck_assert_uint_eq(s->id, 1);
	fails(ipam__dhcp_scope_add(c, "office", "10.2.0.0/24", 0, NULL), IPAM_EEXISTS, "scope office exists");
	fails(ipam__dhcp_scope_add(c, "big", "10.0.0.0/8", 0, NULL), IPAM_EEXISTS, "overlaps scope office");
	fails(ipam__dhcp_scope_add(c, "bad", "10.3.0.1/24", 0, NULL), IPAM_EINVAL, "is not a prefix");
	fails(ipam__dhcp_scope_add(c, "lab", "10.4.0.0/24", 1, NULL), IPAM_EEXISTS, "subnet id 1");
	OK(ipam__dhcp_scope_add(c, "lab", "10.4.0.0/24", 7, &t));
	OK(ipam__dhcp_scope_add(c, "guest", "10.5.0.0/24", 0, &t));
	ck_assert_uint_eq(t->id, 8);
	s = ipam__dhcp_scope_find(c, "office");
	fails(ipam__dhcp_pool_add(s, "10.1.1.10-10.1.1.20", NULL), IPAM_EINVAL, "not inside the scope's prefix");
	fails(ipam__dhcp_pool_add(s, "10.1.0.20-10.1.0.10", NULL), IPAM_EINVAL, "ends before it starts");
	OK(ipam__dhcp_pool_add(s, "10.1.0.100-10.1.0.199", &p));
	fails(ipam__dhcp_pool_add(s, "10.1.0.150-10.1.0.220", NULL), IPAM_EEXISTS,
	      "overlaps pool 10.1.0.100-10.1.0.199");
	OK(ipam__dhcp_pool_exclude(s, p, "10.1.0.150-10.1.0.159"));
	fails(ipam__dhcp_pool_exclude(s, p, "10.1.0.155"), IPAM_EEXISTS, "overlaps another exclusion");
	fails(ipam__dhcp_pool_exclude(s, p, "10.1.0.50"), IPAM_EINVAL, "not inside its pool");
	OK(ipam__dhcp_resv_add(s, "10.1.0.10", "mac:00:11:22:33:44:55", "printer", NULL));
	fails(ipam__dhcp_resv_add(s, "10.1.0.11", "00-11-22-33-44-55", NULL, NULL), IPAM_EEXISTS,
	      "the MAC is reserved already (10.1.0.10)");
	fails(ipam__dhcp_resv_add(s, "10.1.0.10", "client-id:01aa", NULL, NULL), IPAM_EEXISTS, "the address");
	fails(ipam__dhcp_resv_add(s, "10.9.0.10", "mac:00:11:22:33:44:56", NULL, NULL), IPAM_EINVAL,
	      "not an address inside");
	fails(ipam__dhcp_resv_add(s, "10.1.0.12", "duid:000102", NULL, NULL), IPAM_EINVAL,
	      "mac:MAC, client-id:HEX or circuit-id:TEXT");
	fails(ipam__dhcp_resv_add(s, "10.1.0.12", "mac:00:11:22:33:44:57", "bad_host", NULL), IPAM_EINVAL,
	      "not a host name");
	OK(ipam__dhcp_resv_add(s, "10.1.0.12", "client-id:01:AA:bb:cc", NULL, NULL));
	ck_assert_str_eq(s->resv[1].client_id, "01aabbcc");
	/* options: unknown names, definitions, vendor spaces */
	fails(ipam__dhcp_opt_set(c, &s->opts, IPAM_AF_INET, 0, "nope", "1", "scope office"), IPAM_EINVAL,
	      "scope office: unknown DHCPv4 option nope");
	OK(ipam__dhcp_def_add(c, IPAM_AF_INET, 0, 224, "site-flag", "uint8"));
	fails(ipam__dhcp_def_add(c, IPAM_AF_INET, 0, 3, "my-routers", "ip[]"), IPAM_EEXISTS, "defined already as routers");
	fails(ipam__dhcp_def_add(c, IPAM_AF_INET, 0, 225, "x", "float"), IPAM_EINVAL, "unknown option type");
	OK(ipam__dhcp_opt_set(c, &s->opts, IPAM_AF_INET, 0, "224", "7", "scope office"));
	fails(ipam__dhcp_opt_set(c, &s->opts, IPAM_AF_INET, 32473, "tftp", "1.2.3.4", "scope office"), IPAM_EINVAL,
	      "vendor 32473 option tftp is not defined");
	/* whole-config rules */
	OK(ipam__dhcp_scope_template(s, "nope"));
	fails(ipam__dhcp_config_check(c), IPAM_EINVAL, "scope office: no option template nope");
	OK(ipam__dhcp_scope_template(s, NULL));
	OK(ipam__dhcp_scope_serve(s, "kea1"));
	fails(ipam__dhcp_config_check(c), IPAM_EINVAL, "scope office: no server kea1");
	OK(ipam__dhcp_server_add(c, "kea1", IPAM__DHCP_KEA, NULL));
	OK(ipam__dhcp_server_add(c, "kea2", IPAM__DHCP_KEA, "http://127.0.0.1:8002/"));
	fails(ipam__dhcp_server_add(c, "kea3", IPAM__DHCP_KEA, "ftp://x"), IPAM_EINVAL, "is not http");
	OK(ipam__dhcp_scope_ha(s, "kea1", "kea2"));
	fails(ipam__dhcp_config_check(c), IPAM_EINVAL, "both must be Kea servers with a control agent url");
	fails(ipam__dhcp_scope_ha(s, "kea1", "kea1"), IPAM_EINVAL, "two different servers");
	OK(ipam__dhcp_scope_ha(s, NULL, NULL));
	OK(ipam__dhcp_config_check(c));
	OK(ipam__dhcp_scope_del(c, "lab"));
	fails(ipam__dhcp_scope_del(c, "lab"), IPAM_ENOTFOUND, "no scope lab");
	ck_assert_uint_eq(c->nscopes, 2);
	ipam__dhcp_config_free(c);
}
END_TEST

START_TEST(inheritance)
{
	ipam__dhcp_config *c;
	ipam__dhcp_scope *s;
	ipam__dhcp_template *t;
	ipam__dhcp_optset eff = {0};
	OK(ipam__dhcp_config_new(&c));
	OK(ipam__dhcp_opt_set(c, &c->global4, IPAM_AF_INET, 0, "domain-name-servers", "192.0.2.53", "global"));
	OK(ipam__dhcp_opt_set(c, &c->global4, IPAM_AF_INET, 0, "domain-name", "example.com", "global"));
	OK(ipam__dhcp_opt_set(c, &c->global4, IPAM_AF_INET, 0, "ntp-servers", "192.0.2.123", "global"));
	OK(ipam__dhcp_template_add(c, "branch", &t));
	OK(ipam__dhcp_opt_set(c, &t->opts, IPAM_AF_INET, 0, "domain-name", "branch.example.com", "template branch"));
	OK(ipam__dhcp_opt_set(c, &t->opts, IPAM_AF_INET, 0, "interface-mtu", "1400", "template branch"));
	/* one template, both families: v4 code 23 and v6 code 23 are two options */
	OK(ipam__dhcp_opt_set(c, &t->opts, IPAM_AF_INET, 0, "default-ip-ttl", "64", "template branch"));
	OK(ipam__dhcp_opt_set(c, &t->opts, IPAM_AF_INET6, 0, "dns-servers", "2001:db8::53", "template branch"));
	ck_assert_uint_eq(t->opts.n, 4);
	OK(ipam__dhcp_scope_add(c, "b1", "10.1.0.0/24", 0, &s));
	OK(ipam__dhcp_scope_template(s, "branch"));
	OK(ipam__dhcp_opt_set(c, &s->opts, IPAM_AF_INET, 0, "interface-mtu", "1300", "scope b1"));
	OK(ipam__dhcp_opt_set(c, &s->opts, IPAM_AF_INET, 0, "routers", "10.1.0.1", "scope b1"));
	OK(ipam__dhcp_scope_options(c, s, &eff));
	ck_assert_uint_eq(eff.n, 6); /* the v6 option of the template is not the v4 scope's */
	ck_assert_str_eq(ipam__dhcp_optset_get(&eff, 0, 6)->value, "192.0.2.53");          /* global */
	ck_assert_str_eq(ipam__dhcp_optset_get(&eff, 0, 15)->value, "branch.example.com"); /* template */
	ck_assert_str_eq(ipam__dhcp_optset_get(&eff, 0, 26)->value, "1300");               /* scope */
	ck_assert_str_eq(ipam__dhcp_optset_get(&eff, 0, 3)->value, "10.1.0.1");
	ck_assert(ipam__dhcp_optset_del(&s->opts, 0, 26));
	OK(ipam__dhcp_scope_options(c, s, &eff));
	ck_assert_str_eq(ipam__dhcp_optset_get(&eff, 0, 26)->value, "1400");
	ipam__dhcp_optset_free(&eff);
	ipam__dhcp_config_free(c);
}
END_TEST

static const char *hooks_dir(void)
{
	return "/usr/lib/x86_64-linux-gnu/kea/hooks";
}

/* A config with a bit of everything, v4 and v6, for servers kea-a, kea-b
 * (an HA pair) and dhcpd-1. */
static ipam__dhcp_config *sample(void)
{
	ipam__dhcp_config *c;
	ipam__dhcp_scope *s;
	ipam__dhcp_template *t;
	ipam__dhcp_pool *p;
	ipam__dhcp_resv *r;
	OK(ipam__dhcp_config_new(&c));
	OK(ipam__dhcp_server_add(c, "kea-a", IPAM__DHCP_KEA, "http://127.0.0.1:18001/"));
	OK(ipam__dhcp_server_add(c, "kea-b", IPAM__DHCP_KEA, "http://127.0.0.1:18002/"));
	OK(ipam__dhcp_server_add(c, "dhcpd-1", IPAM__DHCP_DHCPD, NULL));
	c->valid4 = 7200;
	OK(ipam__dhcp_opt_set(c, &c->global4, IPAM_AF_INET, 0, "domain-name-servers", "192.0.2.53, 192.0.2.54", "g"));
	OK(ipam__dhcp_opt_set(c, &c->global4, IPAM_AF_INET, 0, "domain-search", "example.com, corp.example.com", "g"));
	OK(ipam__dhcp_opt_set(c, &c->global6, IPAM_AF_INET6, 0, "dns-servers", "2001:db8::53", "g"));
	OK(ipam__dhcp_def_add(c, IPAM_AF_INET, 0, 224, "site-flag", "uint8"));
	OK(ipam__dhcp_def_add(c, IPAM_AF_INET, 32473, 2, "cm-tftp", "ip[]"));
	OK(ipam__dhcp_def_add(c, IPAM_AF_INET6, 0, 250, "site-name", "string"));
	OK(ipam__dhcp_template_add(c, "branch", &t));
	OK(ipam__dhcp_opt_set(c, &t->opts, IPAM_AF_INET, 0, "domain-name", "branch.example.com", "t"));
	OK(ipam__dhcp_opt_set(c, &t->opts, IPAM_AF_INET, 0, "ntp-servers", "192.0.2.123", "t"));
	OK(ipam__dhcp_opt_set(c, &t->opts, IPAM_AF_INET, 0, "tftp-server-name", "boot,server", "t"));

	OK(ipam__dhcp_scope_add(c, "office", "192.0.2.0/24", 0, &s));
	OK(ipam__dhcp_scope_template(s, "branch"));
	OK(ipam__dhcp_scope_ha(s, "kea-a", "kea-b"));
	OK(ipam__dhcp_scope_serve(s, "dhcpd-1"));
	s->valid = 3600;
	s->renew = 900;
	s->rebind = 1800;
	OK(ipam__dhcp_opt_set(c, &s->opts, IPAM_AF_INET, 0, "routers", "192.0.2.1", "s"));
	OK(ipam__dhcp_opt_set(c, &s->opts, IPAM_AF_INET, 0, "site-flag", "1", "s"));
	OK(ipam__dhcp_opt_set(c, &s->opts, IPAM_AF_INET, 32473, "cm-tftp", "192.0.2.5", "s"));
	OK(ipam__dhcp_pool_add(s, "192.0.2.100-192.0.2.199", &p));
	OK(ipam__dhcp_pool_exclude(s, p, "192.0.2.100"));
	OK(ipam__dhcp_pool_exclude(s, p, "192.0.2.150-192.0.2.159"));
	OK(ipam__dhcp_opt_set(c, &p->opts, IPAM_AF_INET, 0, "boot-file-name", "pxelinux.0", "p"));
	OK(ipam__dhcp_resv_add(s, "192.0.2.10", "mac:00:11:22:33:44:55", "printer", &r));
	OK(ipam__dhcp_opt_set(c, &r->opts, IPAM_AF_INET, 0, "ip-forwarding", "off", "r"));
	OK(ipam__dhcp_resv_add(s, "192.0.2.11", "client-id:01:00:11:22:33:44:66", NULL, NULL));

	OK(ipam__dhcp_scope_add(c, "lab", "198.51.100.0/25", 0, &s));
	OK(ipam__dhcp_scope_serve(s, "kea-a"));
	OK(ipam__dhcp_pool_add(s, "198.51.100.10-198.51.100.100", NULL));

	OK(ipam__dhcp_scope_add(c, "v6office", "2001:db8:1::/64", 0, &s));
	OK(ipam__dhcp_scope_serve(s, "kea-a"));
	s->preferred = 3000;
	s->valid = 4000;
	OK(ipam__dhcp_opt_set(c, &s->opts, IPAM_AF_INET6, 0, "site-name", "hq, floor 2", "s"));
	OK(ipam__dhcp_opt_set(c, &s->opts, IPAM_AF_INET6, 0, "domain-search", "example.com", "s"));
	OK(ipam__dhcp_pool_add(s, "2001:db8:1::1000-2001:db8:1::1fff", &p));
	OK(ipam__dhcp_pool_exclude(s, p, "2001:db8:1::1fff"));
	OK(ipam__dhcp_resv_add(s, "2001:db8:1::10", "duid:00:01:00:01:aa:bb:cc:dd", "ws1", NULL));
	OK(ipam__dhcp_resv_add(s, "2001:db8:1::11", "mac:00:11:22:33:44:77", NULL, NULL));
	free(c->hooks_dir);
	c->hooks_dir = strdup(hooks_dir());
	return c;
}

/* The base config a Kea server runs with: its own interfaces, lease file,
 * control socket and one subnet that is not libipam's. */
static char *kea_base(const char *dir, int v6, const char *extra_subnet)
{
	char *out = NULL;
	ck_assert(asprintf(&out,
			   "{\"Dhcp%c\": {\"interfaces-config\": {\"interfaces\": [\"lo\"]%s},"
			   "\"lease-database\": {\"type\": \"memfile\", \"persist\": true, \"name\": \"%s/leases%c.csv\"},"
			   "\"control-socket\": {\"socket-type\": \"unix\", \"socket-name\": \"%s/kea%c.sock\"},"
			   "\"option-data\": [{\"name\": \"%s\", \"data\": \"%s\"}],"
			   "\"subnet%c\": [%s],"
			   "\"loggers\": [{\"name\": \"kea-dhcp%c\", \"severity\": \"WARN\", \"output_options\": [{\"output\": \"stdout\"}]}]}}",
			   v6 ? '6' : '4', v6 ? "" : ", \"dhcp-socket-type\": \"udp\"", dir, v6 ? '6' : '4', dir,
			   v6 ? '6' : '4', v6 ? "sntp-servers" : "log-servers", v6 ? "2001:db8::1" : "203.0.113.53",
			   v6 ? '6' : '4', extra_subnet, v6 ? '6' : '4') > 0);
	return out;
}

static cJSON *parse(const char *text)
{
	cJSON *j = cJSON_ParseWithLengthOpts(text, strlen(text), NULL, 0);
	ck_assert_ptr_nonnull(j);
	return j;
}

/* subnet4/6 item of `root` whose "subnet" is `pfx`. */
static const cJSON *subnet(const cJSON *root, int v6, const char *pfx)
{
	const cJSON *list = cJSON_GetObjectItem(cJSON_GetObjectItem(root, v6 ? "Dhcp6" : "Dhcp4"), v6 ? "subnet6" : "subnet4");
	const cJSON *sn;
	cJSON_ArrayForEach(sn, list)
	{
		if (!strcmp(cJSON_GetObjectItem(sn, "subnet")->valuestring, pfx))
			return sn;
	}
	return NULL;
}

static void kea_check(const char *dir, int v6, const char *text)
{
	char path[400];
	snprintf(path, sizeof path, "%s/kea%c.json", dir, v6 ? '6' : '4');
	ck_assert_int_eq(dt_write(path, text), 0);
	char *out = NULL;
	int st = dt_sh(&out, "KEA_PIDFILE_DIR=%s KEA_LOCKFILE_DIR=%s kea-dhcp%c -t %s", dir, dir, v6 ? '6' : '4', path);
	if (st != 0)
		fprintf(stderr, "kea-dhcp%c -t refused %s:\n%s\n%s\n", v6 ? '6' : '4', path, out ? out : "", text);
	ck_assert_msg(st == 0, "kea-dhcp%c -t refused %s (see stderr)", v6 ? '6' : '4', path);
	free(out);
}

START_TEST(kea_render_and_merge)
{
	if (!dt_have("kea-dhcp4") || !dt_have("kea-dhcp6"))
		return; /* the suite's main() skips the whole executable first */
	char dir[256];
	ck_assert_int_eq(dt_tmpdir(dir, "kea-render"), 0);
	ipam__dhcp_config *c = sample();
	ipam_buf b = IPAM_BUF_INIT;
	/* a foreign subnet is kept, a stale libipam one and one on our prefix are replaced */
	char *base4 = kea_base(dir, 0,
			       "{\"id\": 100, \"subnet\": \"203.0.113.0/24\", \"pools\": [{\"pool\": \"203.0.113.10 - 203.0.113.20\"}]},"
			       "{\"id\": 101, \"subnet\": \"192.0.2.0/24\"},"
			       "{\"id\": 102, \"subnet\": \"198.18.0.0/24\", \"user-context\": {\"libipam\": {\"scope\": \"gone\"}}}");
	OK(ipam__dhcp_render_kea(&b, c, IPAM_AF_INET, "kea-a", base4));
	kea_check(dir, 0, b.ptr);
	cJSON *j = parse(b.ptr);
	const cJSON *d4 = cJSON_GetObjectItem(j, "Dhcp4");
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(d4, "subnet4")), 3);
	ck_assert_ptr_nonnull(subnet(j, 0, "203.0.113.0/24"));
	ck_assert_ptr_null(subnet(j, 0, "198.18.0.0/24"));
	const cJSON *office = subnet(j, 0, "192.0.2.0/24");
	ck_assert_int_eq(cJSON_GetObjectItem(office, "id")->valueint, 1);
	ck_assert_int_eq(cJSON_GetObjectItem(subnet(j, 0, "198.51.100.0/25"), "id")->valueint, 2);
	/* the exclusions cut the pool in two pieces */
	const cJSON *pools = cJSON_GetObjectItem(office, "pools");
	ck_assert_int_eq(cJSON_GetArraySize(pools), 2);
	ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(pools, 0), "pool")->valuestring,
			 "192.0.2.101-192.0.2.149");
	ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(pools, 1), "pool")->valuestring,
			 "192.0.2.160-192.0.2.199");
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(office, "reservations")), 2);
	/* global options: ours and the server's own one */
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(d4, "option-data")), 3);
	ck_assert_int_eq(cJSON_GetObjectItem(d4, "valid-lifetime")->valueint, 7200);
	/* the HA hook names this server and both peers */
	const cJSON *hooks = cJSON_GetObjectItem(d4, "hooks-libraries");
	ck_assert_int_eq(cJSON_GetArraySize(hooks), 2);
	char *hooks_text = cJSON_PrintUnformatted(hooks);
	ck_assert_msg(strstr(hooks_text, "\"this-server-name\":\"kea-a\"") &&
			      strstr(hooks_text, "\"url\":\"http://127.0.0.1:18002/\""),
		      "%s", hooks_text);
	free(hooks_text);

	/* rendering again over its own output changes nothing: ids are stable */
	ipam_buf again = IPAM_BUF_INIT;
	OK(ipam__dhcp_render_kea(&again, c, IPAM_AF_INET, "kea-a", b.ptr));
	if (strcmp(again.ptr, b.ptr) != 0)
		fprintf(stderr, "first:\n%s\nsecond:\n%s\n", b.ptr, again.ptr);
	ck_assert_msg(strcmp(again.ptr, b.ptr) == 0, "a second render differs");
	ipam_buf_dispose(&again);
	cJSON_Delete(j);

	/* a foreign subnet that takes an id of ours is refused, naming both */
	char *clash = kea_base(dir, 0, "{\"id\": 2, \"subnet\": \"203.0.113.0/24\"}");
	ipam_buf x = IPAM_BUF_INIT;
	fails(ipam__dhcp_render_kea(&x, c, IPAM_AF_INET, "kea-a", clash), IPAM_EEXISTS,
	      "subnet 203.0.113.0/24 (not libipam's) has id 2, scope lab's");
	ipam_buf_dispose(&x);
	free(clash);

	/* the HA standby gets only the HA scope */
	ipam_buf_dispose(&b);
	OK(ipam__dhcp_render_kea(&b, c, IPAM_AF_INET, "kea-b", base4));
	kea_check(dir, 0, b.ptr);
	j = parse(b.ptr);
	ck_assert_ptr_null(subnet(j, 0, "198.51.100.0/25"));
	ck_assert_ptr_nonnull(subnet(j, 0, "192.0.2.0/24"));
	cJSON_Delete(j);

	/* v6 */
	char *base6 = kea_base(dir, 1, "");
	ipam_buf_dispose(&b);
	OK(ipam__dhcp_render_kea(&b, c, IPAM_AF_INET6, "kea-a", base6));
	kea_check(dir, 1, b.ptr);
	j = parse(b.ptr);
	const cJSON *v6 = subnet(j, 1, "2001:db8:1::/64");
	ck_assert_ptr_nonnull(v6);
	ck_assert_int_eq(cJSON_GetObjectItem(v6, "preferred-lifetime")->valueint, 3000);
	ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(v6, "pools"), 0), "pool")->valuestring,
			 "2001:db8:1::1000-2001:db8:1::1ffe");
	cJSON_Delete(j);
	/* no base at all: a bare Dhcp6 object */
	ipam_buf_dispose(&b);
	OK(ipam__dhcp_render_kea(&b, c, IPAM_AF_INET6, NULL, NULL));
	j = parse(b.ptr);
	ck_assert_ptr_nonnull(subnet(j, 1, "2001:db8:1::/64"));
	cJSON_Delete(j);
	fails(ipam__dhcp_render_kea(&b, c, IPAM_AF_INET6, "nobody", NULL), IPAM_ENOTFOUND, "no server nobody");
	fails(ipam__dhcp_render_kea(&b, c, IPAM_AF_INET6, NULL, "[1,"), IPAM_EINVAL, "base config: not a JSON object");
	ipam_buf_dispose(&b);
	free(base4);
	free(base6);
	ipam__dhcp_config_free(c);
}
END_TEST

START_TEST(dhcpd_render)
{
	if (!dt_have("dhcpd"))
		return;
	char dir[256], path[400];
	ck_assert_int_eq(dt_tmpdir(dir, "dhcpd-render"), 0);
	ipam__dhcp_config *c = sample();
	ipam_buf b = IPAM_BUF_INIT;
	const char *servers[] = {"dhcpd-1", NULL};
	for (int i = 0; i < 2; i++) {
		ipam_buf_dispose(&b);
		OK(ipam__dhcp_render_dhcpd(&b, c, servers[i]));
		snprintf(path, sizeof path, "%s/dhcpd%d.conf", dir, i);
		ck_assert_int_eq(dt_write(path, b.ptr), 0);
		char *out = NULL;
		int st = dt_sh(&out, "dhcpd -4 -t -q -cf %s", path);
		if (st != 0)
			fprintf(stderr, "dhcpd -t refused %s:\n%s\n%s\n", path, out ? out : "", b.ptr);
		ck_assert_msg(st == 0, "dhcpd -t refused %s (see stderr)", path);
		free(out);
	}
	ck_assert_ptr_nonnull(strstr(b.ptr, "\t\trange 192.0.2.101 192.0.2.149;\n\t\trange 192.0.2.160 192.0.2.199;\n"));
	ck_assert_ptr_nonnull(strstr(b.ptr, "option domain-search \"example.com\", \"corp.example.com\";"));
	ck_assert_ptr_nonnull(strstr(b.ptr, "hardware ethernet 00:11:22:33:44:55;"));
	ck_assert_ptr_nonnull(strstr(b.ptr, "option dhcp-client-identifier 01:00:11:22:33:44:66;"));
	ck_assert_ptr_null(strstr(b.ptr, "2001:db8"));
	ipam_buf_dispose(&b);
	ipam__dhcp_config_free(c);
}
END_TEST


/* ---- leases: the fixtures and their expected results ---------------------- */

static char *fixture(const char *name, size_t *len)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", FIXTURES, name);
	char *text = dt_read(path, len);
	ck_assert_msg(text != NULL, "cannot read %s", path);
	return text;
}

static void iso(char out[32], int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static const ipam__dhcp_lease *lease_of(const ipam__dhcp_leases *l, const char *addr)
{
	ipam_addr a;
	ck_assert_int_eq(ipam_addr_parse(&a, addr), 0);
	return ipam__dhcp_leases_find(l, &a);
}

static void same_str(const char *got, const cJSON *want, const char *what)
{
	if (cJSON_IsNull(want) || !want)
		ck_assert_msg(got == NULL, "%s: got \"%s\", wanted null", what, got);
	else
		ck_assert_msg(got && !strcmp(got, want->valuestring), "%s: got \"%s\", wanted \"%s\"", what,
			      got ? got : "(null)", want->valuestring);
}

/* Every expected address, in order, with its fields. */
static void check_expected(const ipam__dhcp_leases *l, const char *expected_file, bool kea)
{
	char *text = fixture(expected_file, NULL);
	cJSON *j = cJSON_Parse(text);
	const cJSON *addrs = cJSON_GetObjectItem(j, "addresses"), *e;
	ck_assert_int_eq(cJSON_GetArraySize(addrs), (int)l->n);
	size_t i = 0;
	cJSON_ArrayForEach(e, addrs)
	{
		const char *a = cJSON_GetObjectItem(e, "address")->valuestring;
		const ipam__dhcp_lease *x = lease_of(l, a);
		ck_assert_msg(x == &l->v[i++], "%s missing or out of order", a);
		char mac[32] = "", when[32];
		if (x->mac.len)
			ipam_mac_format(mac, sizeof mac, &x->mac);
		same_str(x->hostname, cJSON_GetObjectItem(e, "hostname"), a);
		same_str(x->mac.len ? mac : NULL, cJSON_GetObjectItem(e, "mac"), a);
		const cJSON *at = cJSON_GetObjectItem(e, "attributes");
		if (kea) {
			ck_assert_int_eq(x->subnet_id, cJSON_GetObjectItem(at, "kea_subnet_id")->valueint);
			ck_assert_int_eq(x->state, cJSON_GetObjectItem(at, "state")->valueint);
			ck_assert(x->active == (x->state != 2));
			iso(when, x->ends);
			ck_assert_str_eq(when, cJSON_GetObjectItem(at, "expire")->valuestring);
			same_str(x->client_id, cJSON_GetObjectItem(at, "client_id"), a);
			const cJSON *uc = cJSON_GetObjectItem(at, "user_context");
			cJSON *got = x->user_context ? cJSON_Parse(x->user_context) : NULL;
			ck_assert_msg(uc ? cJSON_Compare(got, uc, true) : got == NULL, "%s: user context", a);
			cJSON_Delete(got);
		} else {
			ck_assert_str_eq(x->binding, cJSON_GetObjectItem(at, "binding_state")->valuestring);
			ck_assert(x->active == !strcmp(x->binding, "active"));
			iso(when, x->starts);
			ck_assert_str_eq(when, cJSON_GetObjectItem(at, "starts")->valuestring);
			const cJSON *ends = cJSON_GetObjectItem(at, "ends");
			if (cJSON_IsNull(ends)) {
				ck_assert(x->ends == -1);
			} else {
				iso(when, x->ends);
				ck_assert_str_eq(when, ends->valuestring);
			}
			same_str(x->vendor_class, cJSON_GetObjectItem(at, "vendor-class-identifier"), a);
			ck_assert(x->bootp == cJSON_IsTrue(cJSON_GetObjectItem(at, "dynamic_bootp")));
		}
	}
	cJSON_Delete(j);
	free(text);
}

START_TEST(kea_lease_file)
{
	size_t len;
	char *text = fixture("kea-leases4.csv", &len);
	ipam__dhcp_leases l = {0};
	OK(ipam__dhcp_leases_kea_csv(&l, text, len, "kea-leases4.csv"));
	check_expected(&l, "kea_leases4.expected.json", true);
	/* a later file continues the journal: a deletion, a new lease */
	const char *more = "address,hwaddr,client_id,valid_lifetime,expire,subnet_id,fqdn_fwd,fqdn_rev,hostname,"
			   "state,user_context,pool_id\n"
			   "192.0.2.121,00:00:5e:00:53:21,,0,1741618961,20,0,0,,0,,0\n"
			   "192.0.2.140,00:00:5e:00:53:40,,3600,1741620000,20,0,0,a&#x2cb,0,,0\n";
	OK(ipam__dhcp_leases_kea_csv(&l, more, strlen(more), "more.csv"));
	ck_assert_ptr_null(lease_of(&l, "192.0.2.121"));
	ck_assert_str_eq(lease_of(&l, "192.0.2.140")->hostname, "a,b");
	ck_assert_int_eq(l.n, 5);
	ipam__dhcp_leases_free(&l);
	/* errors name the file, the line and the column */
	const char *bad[][2] = {
		{"address,hwaddr\n", "x.csv:1: not a Kea lease file header"},
		{"address,valid_lifetime,expire\n192.0.2.1,10\n", "x.csv:2: 2 fields, the header has 3"},
		{"address,valid_lifetime,expire\n\n192.0.2.300,10,20\n", "x.csv:3: address: \"192.0.2.300\" is not valid"},
		{"address,valid_lifetime,expire\n192.0.2.1,-1,20\n", "x.csv:2: valid_lifetime: \"-1\" is not valid"},
		{"address,hwaddr,valid_lifetime,expire\n192.0.2.1,zz,1,20\n", "x.csv:2: hwaddr: \"zz\" is not valid"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		ipam__dhcp_leases e = {0};
		fails(ipam__dhcp_leases_kea_csv(&e, bad[i][0], strlen(bad[i][0]), "x.csv"), IPAM_EINVAL, bad[i][1]);
		ipam__dhcp_leases_free(&e);
	}
	free(text);
}
END_TEST

START_TEST(dhcpd_lease_file)
{
	size_t len;
	char *text = fixture("isc_dhcpd.leases", &len);
	ipam__dhcp_leases l = {0};
	OK(ipam__dhcp_leases_dhcpd(&l, text, len, "isc_dhcpd.leases"));
	check_expected(&l, "isc_dhcpd_leases.expected.json", false);
	ck_assert_str_eq(lease_of(&l, "192.0.2.120")->client_id, "01:00:00:5e:00:53:20");
	ipam__dhcp_leases_free(&l);
	const char *bad[][2] = {
		{"lease 192.0.2.1 {\n starts 1 2025/13/10 02:15:00;\n}\n", "d.leases:2: starts: \"2025/13/10 02:15:00\" is not a time"},
		{"lease 192.0.2.1 {\n hardware ethernet nope;\n}\n", "d.leases:2: hardware: \"nope\" is not a MAC address"},
		{"lease 2001:db8::1 {\n}\n", "d.leases:1: lease: \"2001:db8::1\" is not an IPv4 address"},
		{"lease 192.0.2.1 {\n client-hostname \"x;\n}\n", "d.leases:2: a string does not end"},
		{"lease 192.0.2.1 {\n binding state active;\n", "d.leases:3: the file ends inside a lease"},
		{"}\n", "d.leases:1: unexpected '}'"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		ipam__dhcp_leases e = {0};
		fails(ipam__dhcp_leases_dhcpd(&e, bad[i][0], strlen(bad[i][0]), "d.leases"), IPAM_EINVAL, bad[i][1]);
		ipam__dhcp_leases_free(&e);
	}
	free(text);
}
END_TEST

/* ---- import: the fixtures and their expected results ----------------------- */

static const ipam__dhcp_scope *scope_on(const ipam__dhcp_config *c, const char *pfx)
{
	ipam_prefix p;
	ck_assert_int_eq(ipam_prefix_parse(&p, pfx, IPAM_PARSE_DEFAULT), 0);
	for (size_t i = 0; i < c->nscopes; i++)
		if (ipam_prefix_cmp(&c->scopes[i]->prefix, &p) == 0)
			return c->scopes[i];
	return NULL;
}

static const ipam__dhcp_resv *resv_at(const ipam__dhcp_config *c, const char *addr)
{
	ipam_addr a;
	ck_assert_int_eq(ipam_addr_parse(&a, addr), 0);
	for (size_t i = 0; i < c->nscopes; i++)
		for (size_t j = 0; j < c->scopes[i]->nresv; j++)
			if (ipam_addr_cmp(&c->scopes[i]->resv[j].addr, &a) == 0)
				return &c->scopes[i]->resv[j];
	return NULL;
}

static bool has_pool(const ipam__dhcp_config *c, const char *start, const char *end)
{
	ipam_addr a, b;
	ck_assert_int_eq(ipam_addr_parse(&a, start), 0);
	ck_assert_int_eq(ipam_addr_parse(&b, end), 0);
	for (size_t i = 0; i < c->nscopes; i++)
		for (size_t j = 0; j < c->scopes[i]->npools; j++)
			if (!ipam_addr_cmp(&c->scopes[i]->pools[j].range.start, &a) &&
			    !ipam_addr_cmp(&c->scopes[i]->pools[j].range.end, &b))
				return true;
	return false;
}

/* The expected prefixes, ranges and reservations of an import fixture. */
static void check_import(const ipam__dhcp_config *c, const char *expected_file, size_t skip_addresses)
{
	char *text = fixture(expected_file, NULL);
	cJSON *j = cJSON_Parse(text), *e;
	size_t n = 0;
	cJSON_ArrayForEach(e, cJSON_GetObjectItem(j, "prefixes"))
	{
		const char *pfx = cJSON_GetObjectItem(e, "prefix")->valuestring;
		const ipam__dhcp_scope *s = scope_on(c, pfx);
		ck_assert_msg(s != NULL, "no scope on %s", pfx);
		const cJSON *at = cJSON_GetObjectItem(e, "attributes"), *o;
		const cJSON *id = cJSON_GetObjectItem(at, "kea_subnet_id");
		if (id)
			ck_assert_uint_eq(s->id, (unsigned)id->valueint);
		same_str(s->shared_network, cJSON_GetObjectItem(at, "shared_network"), pfx);
		same_str(s->description, cJSON_GetObjectItem(e, "description"), pfx);
		cJSON_ArrayForEach(o, cJSON_GetObjectItem(at, "options"))
		{
			const ipam__dhcp_optdef *d = ipam__dhcp_optdef_builtin(IPAM_AF_INET, o->string);
			ck_assert_ptr_nonnull(d);
			const ipam__dhcp_opt *got = ipam__dhcp_optset_get(&s->opts, 0, d->code);
			ck_assert_msg(got != NULL, "%s: option %s missing", pfx, o->string);
			if (d->code != 42) /* given as hex in the fixture; read as addresses */
				ck_assert_str_eq(got->value, o->valuestring);
			else
				ck_assert_str_eq(got->value, "192.0.2.123");
		}
		n++;
	}
	ck_assert_uint_eq(c->nscopes, n);
	n = 0;
	cJSON_ArrayForEach(e, cJSON_GetObjectItem(j, "ranges"))
	{
		ck_assert_msg(has_pool(c, cJSON_GetObjectItem(e, "start")->valuestring,
				       cJSON_GetObjectItem(e, "end")->valuestring),
			      "no pool %s", cJSON_GetObjectItem(e, "start")->valuestring);
		n++;
	}
	size_t pools = 0, resv = 0;
	for (size_t i = 0; i < c->nscopes; i++) {
		pools += c->scopes[i]->npools;
		resv += c->scopes[i]->nresv;
	}
	ck_assert_uint_eq(pools, n);
	n = 0;
	cJSON_ArrayForEach(e, cJSON_GetObjectItem(j, "addresses"))
	{
		const cJSON *addr = cJSON_GetObjectItem(e, "address");
		if (!cJSON_IsString(addr))
			continue; /* a reservation by DNS name: nothing to model */
		const ipam__dhcp_resv *r = resv_at(c, addr->valuestring);
		if (!r)
			continue; /* counted below */
		char mac[32];
		if (r->mac.len)
			ipam_mac_format(mac, sizeof mac, &r->mac);
		same_str(r->mac.len ? mac : NULL, cJSON_GetObjectItem(e, "mac"), addr->valuestring);
		same_str(r->hostname, cJSON_GetObjectItem(e, "hostname"), addr->valuestring);
		n++;
	}
	ck_assert_uint_eq(resv, n);
	ck_assert_uint_eq(n + skip_addresses, (size_t)cJSON_GetArraySize(cJSON_GetObjectItem(j, "addresses")));
	cJSON_Delete(j);
	free(text);
}

typedef int (*import_fn)(ipam__dhcp_config *c, const char *text, size_t len, const char *file, ipam_buf *notes);

/* Each bad input is refused with IPAM_EINVAL and its message. */
static void import_errors(import_fn fn, const char *const bad[][2], size_t n, const char *file)
{
	for (size_t i = 0; i < n; i++) {
		ipam__dhcp_config *c;
		OK(ipam__dhcp_config_new(&c));
		fails(fn(c, bad[i][0], strlen(bad[i][0]), file, NULL), IPAM_EINVAL, bad[i][1]);
		ipam__dhcp_config_free(c);
	}
}

START_TEST(kea_import)
{
	size_t len;
	char *text = fixture("kea-dhcp4.conf", &len);
	ipam__dhcp_config *c;
	ipam_buf notes = IPAM_BUF_INIT;
	OK(ipam__dhcp_config_new(&c));
	OK(ipam__dhcp_import_kea(c, text, len, "kea-dhcp4.conf", &notes));
	check_import(c, "kea_dhcp4_conf.expected.json", 0);
	ck_assert_uint_eq(c->valid4, 43200);
	ck_assert_str_eq(ipam__dhcp_optset_get(&c->global4, 0, 6)->value, "192.0.2.53, 198.51.100.53");
	ck_assert_str_eq(resv_at(c, "192.0.2.70")->client_id, "0100005e005370");
	ck_assert_str_eq(resv_at(c, "192.0.2.77")->circuit_id, "'port-7'");
	ck_assert_str_eq(ipam__dhcp_optset_get(&resv_at(c, "192.0.2.50")->opts, 0, 12)->value, "printer-01");
	const ipam__dhcp_scope *s = scope_on(c, "10.10.0.0/24");
	ck_assert_str_eq(s->name, "kea4-10");
	ck_assert_ptr_nonnull(strstr(s->extra, "\"vlan\":110"));
	ck_assert_ptr_nonnull(strstr(scope_on(c, "203.0.113.0/26")->extra, "\"next-server\":\"203.0.113.2\""));
	ck_assert_ptr_nonnull(strstr(notes.ptr, "a reservation without an address (mac:00:00:5e:00:53:33)"));
	/* rendered back, Kea takes it, with the user's keys where they were */
	char dir[256];
	ck_assert_int_eq(dt_tmpdir(dir, "kea-import"), 0);
	char *base = kea_base(dir, 0, "");
	ipam_buf b = IPAM_BUF_INIT;
	OK(ipam__dhcp_render_kea(&b, c, IPAM_AF_INET, NULL, base));
	kea_check(dir, 0, b.ptr);
	ck_assert_ptr_nonnull(strstr(b.ptr, "\"client-class\":\t\"KNOWN\""));
	ck_assert_ptr_nonnull(strstr(b.ptr, "\"circuit-id\":\t\"'port-7'\""));
	cJSON *j = parse(b.ptr);
	const cJSON *uc = cJSON_GetObjectItem(subnet(j, 0, "10.10.0.0/24"), "user-context");
	ck_assert_int_eq(cJSON_GetObjectItem(uc, "vlan")->valueint, 110);
	ck_assert_str_eq(cJSON_GetObjectItem(uc, "description")->valuestring, "Servers, DC1 row 4");
	cJSON_Delete(j);
	ipam_buf_dispose(&b);
	free(base);
	ipam__dhcp_config_free(c);
	ipam_buf_dispose(&notes);
	/* errors name the file and the place */
	const char *const bad[][2] = {
		{"{\"Dhcp4\": {\"subnet4\": [{\"id\": 1, \"subnet\": \"10.0.0.0/24\", \"option-data\": "
		 "[{\"name\": \"routers\", \"data\": \"10.0.0.999\"}]}]}}",
		 "k.conf: Dhcp4/subnet4[0]/option-data[0]: option routers (3): \"10.0.0.999\" is not an IPv4 address"},
		{"{\"Dhcp4\": {\"subnet4\": [{\"id\": 1, \"subnet\": \"10.0.0.0/24\", \"pools\": [{\"pool\": \"10.0.1.1-10.0.1.9\"}]}]}}",
		 "k.conf: Dhcp4/subnet4[0]/pools[0]: scope kea4-1: pool 10.0.1.1-10.0.1.9 is not inside"},
		{"{\"Dhcp4\": {\"option-data\": [{\"name\": \"nope\", \"data\": \"1\"}]}}",
		 "k.conf: Dhcp4/option-data[0]: option nope is not known"},
		{"// comment\n{\"Dhcp4\": {\n\"subnet4\": [,]}}", "k.conf:3: not a JSON object"},
		{"{\"Dhcp4\": {\"subnet4\": [{\"subnet\": \"10.0.0.0/24\"}]}}", "k.conf: Dhcp4/subnet4[0]: a subnet needs an id"},
	};
	import_errors(ipam__dhcp_import_kea, bad, sizeof bad / sizeof bad[0], "k.conf");
	free(text);
}
END_TEST

START_TEST(dhcpd_import)
{
	size_t len;
	char *text = fixture("isc_dhcpd.conf", &len);
	ipam__dhcp_config *c;
	ipam_buf notes = IPAM_BUF_INIT;
	OK(ipam__dhcp_config_new(&c));
	OK(ipam__dhcp_import_dhcpd(c, text, len, "isc_dhcpd.conf", &notes));
	/* printer-02 (a DNS name) and lab-sw01's second address are not modelled */
	check_import(c, "isc_dhcpd_conf.expected.json", 2);
	ck_assert_ptr_nonnull(strstr(notes.ptr, "host printer-02: fixed-address printer-02.example.com is a name"));
	ck_assert_ptr_nonnull(strstr(notes.ptr, "host lab-sw01: only its first address is reserved; 203.0.113.6"));
	ck_assert_uint_eq(c->valid4, 43200);
	ck_assert_str_eq(resv_at(c, "192.0.2.77")->client_id, "7468696e2d636c69656e742d37"); /* "thin-client-7" */
	const ipam__dhcp_scope *s = scope_on(c, "203.0.113.0/26");
	ck_assert_str_eq(s->extra, "{\"next-server\":\"203.0.113.2\",\"boot-file-name\":\"pxelinux.0\"}");
	s = scope_on(c, "192.0.2.0/24");
	ck_assert_str_eq(s->name, "net-192.0.2.0-24");
	ck_assert_ptr_null(s->pools[0].extra);
	ck_assert_str_eq(s->pools[1].extra, "{\"client-class\":\"KNOWN\"}");
	/* rendered for Kea and for dhcpd, both take it */
	char dir[256], path[400];
	ck_assert_int_eq(dt_tmpdir(dir, "dhcpd-import"), 0);
	char *base = kea_base(dir, 0, "");
	ipam_buf b = IPAM_BUF_INIT;
	OK(ipam__dhcp_render_kea(&b, c, IPAM_AF_INET, NULL, base));
	kea_check(dir, 0, b.ptr);
	ipam_buf_dispose(&b);
	OK(ipam__dhcp_render_dhcpd(&b, c, NULL));
	snprintf(path, sizeof path, "%s/dhcpd.conf", dir);
	ck_assert_int_eq(dt_write(path, b.ptr), 0);
	char *out = NULL;
	int st = dt_sh(&out, "dhcpd -4 -t -q -cf %s", path);
	if (st != 0)
		fprintf(stderr, "dhcpd -t refused %s:\n%s\n", path, out ? out : "");
	ck_assert_int_eq(st, 0);
	free(out);
	ipam_buf_dispose(&b);
	free(base);
	ipam__dhcp_config_free(c);
	ipam_buf_dispose(&notes);
	const char *const bad[][2] = {
		{"subnet 10.0.0.0 netmask 255.0.255.0 {\n}\n", "d.conf:1: netmask 255.0.255.0 is not contiguous"},
		{"subnet 10.0.0.0 netmask 255.255.255.0 {\n range 10.0.1.1 10.0.1.9;\n}\n", "d.conf:2: scope net-10.0.0.0-24: pool"},
		{"subnet 10.0.0.0 netmask 255.255.255.0 {\n option routers 10.0.0.300;\n}\n",
		 "d.conf:2: net-10.0.0.0-24: option routers (3): \"10.0.0.300\" is not an IPv4 address"},
		{"host a {\n hardware ethernet zz;\n}\n", "d.conf:2: hardware: \"zz\" is not a MAC address"},
		{"subnet 10.0.0.0 netmask 255.255.255.0 {\n", "d.conf:2: the file ends inside a block"},
		{"}\n", "d.conf:1: unexpected '}'"},
	};
	import_errors(ipam__dhcp_import_dhcpd, bad, sizeof bad / sizeof bad[0], "d.conf");
	free(text);
}
END_TEST

/* The stored form: every scope and the template of sample() to JSON and
 * back into a config with the same servers and definitions renders the
 * same Kea and dhcpd configs; tampered text is checked again. */
START_TEST(stored_form_round_trip)
{
	ipam__dhcp_config *c = sample(), *back;
	OK(ipam__dhcp_config_new(&back));
	for (size_t i = 0; i < c->nservers; i++)
		OK(ipam__dhcp_server_add(back, c->servers[i].name, c->servers[i].kind, c->servers[i].url));
	for (size_t i = 0; i < c->ndefs; i++) {
		const ipam__dhcp_optdef *d = &c->defs[i];
		char type[16];
		snprintf(type, sizeof type, "%s%s", ipam__dhcp_type_name(d->type), d->array ? "[]" : "");
		OK(ipam__dhcp_def_add(back, d->family, d->vendor, d->code, d->name, type));
	}
	back->valid4 = c->valid4;
	back->hooks_dir = strdup(c->hooks_dir);
	char *json;
	OK(ipam__dhcp_optset_to_json(&json, &c->global4));
	OK(ipam__dhcp_optset_from_json(back, &back->global4, json, "global"));
	free(json);
	OK(ipam__dhcp_optset_to_json(&json, &c->global6));
	OK(ipam__dhcp_optset_from_json(back, &back->global6, json, "global"));
	free(json);
	ipam__dhcp_template *t;
	OK(ipam__dhcp_template_add(back, "branch", &t));
	OK(ipam__dhcp_optset_to_json(&json, &ipam__dhcp_template_find(c, "branch")->opts));
	OK(ipam__dhcp_optset_from_json(back, &t->opts, json, "template branch"));
	free(json);
	for (size_t i = 0; i < c->nscopes; i++) {
		OK(ipam__dhcp_scope_to_json(&json, c->scopes[i]));
		OK(ipam__dhcp_scope_from_json(back, c->scopes[i]->name, json, NULL));
		free(json);
	}
	static const unsigned fams[] = {IPAM_AF_INET, IPAM_AF_INET6};
	for (int f = 0; f < 2; f++) {
		ipam_buf a = IPAM_BUF_INIT, b = IPAM_BUF_INIT;
		OK(ipam__dhcp_render_kea(&a, c, fams[f], "kea-a", NULL));
		OK(ipam__dhcp_render_kea(&b, back, fams[f], "kea-a", NULL));
		ck_assert_msg(strcmp(a.ptr, b.ptr) == 0, "Kea render differs after the stored form");
		ipam_buf_dispose(&a);
		ipam_buf_dispose(&b);
	}
	ipam_buf a = IPAM_BUF_INIT, b = IPAM_BUF_INIT;
	OK(ipam__dhcp_render_dhcpd(&a, c, NULL));
	OK(ipam__dhcp_render_dhcpd(&b, back, NULL));
	ck_assert_msg(strcmp(a.ptr, b.ptr) == 0, "dhcpd render differs after the stored form");
	ipam_buf_dispose(&a);
	ipam_buf_dispose(&b);
	/* tampered text: checked again, nothing added */
	size_t n = back->nscopes;
	fails(ipam__dhcp_scope_from_json(back, "x", "{\"prefix\": \"10.9.0.0/24\", \"options\": [{\"code\": 3, "
						   "\"family\": 4, \"value\": \"10.9.0.300\"}]}", NULL),
	      IPAM_EINVAL, "scope x: option routers (3): \"10.9.0.300\" is not an IPv4 address");
	fails(ipam__dhcp_scope_from_json(back, "y", "{\"prefix\": \"10.9.0.0/24\", \"pools\": [{\"start\": \"10.9.0.10\", "
						   "\"end\": \"10.9.0.20\"}, {\"start\": \"10.9.0.15\", \"end\": \"10.9.0.30\"}]}",
					 NULL),
	      IPAM_EEXISTS, "overlaps pool");
	fails(ipam__dhcp_scope_from_json(back, "z", "[]", NULL), IPAM_EINVAL, "not a JSON object with a prefix");
	ck_assert_uint_eq(back->nscopes, n);
	ipam__dhcp_config_free(back);
	ipam__dhcp_config_free(c);
}
END_TEST

/* A scope in the store (memory): pools become ranges the allocator skips,
 * reservations addresses of status reserved with their MAC; a pool over a
 * static address and a reservation on a used one are refused, and nothing
 * is written then; the scope reads back the same. */
START_TEST(scope_in_store)
{
	ipam_db *db;
	ipam_prefix p;
	ipam_addr a;
	OK(ipam_db_open(&db, "memory:", NULL));
	OK(ipam_prefix_parse(&p, "192.0.2.0/24", IPAM_PARSE_DEFAULT));
	OK(ipam_prefix_add(db, &p, NULL));
	ipam__dhcp_config *c = sample();
	ipam__dhcp_scope *s = ipam__dhcp_scope_find(c, "office");
	OK(ipam__dhcp_scope_save(db, s, NULL));
	OK(ipam__dhcp_scope_save(db, s, NULL)); /* again: replaces its own */
	ipam_ip_info info = IPAM_IP_INFO_INIT;
	OK(ipam_addr_parse(&a, "192.0.2.10"));
	OK(ipam_ip_get(&info, db, NULL, &a));
	ck_assert_int_eq(info.status, IPAM_STATUS_RESERVED);
	ck_assert(info.has_mac && info.mac.bytes[5] == 0x55);
	ck_assert_str_eq(info.hostname, "printer");
	ipam_ip_info_dispose(&info);
	/* the allocator skips the pools (100-199), the reservations and .0 */
	ipam_ip_options o = IPAM_IP_OPTIONS_INIT;
	for (int i = 0; i < 120; i++) {
		ipam_addr got;
		OK(ipam_ip_alloc(&got, db, &p, &o));
		ck_assert_msg(!(got.bytes[3] >= 100 && got.bytes[3] <= 199), "allocated %u in a pool", got.bytes[3]);
	}
	/* a static address in a new pool, a reservation on a used address */
	ipam__dhcp_pool *np;
	OK(ipam__dhcp_pool_add(s, "192.0.2.1-192.0.2.5", &np));
	fails(ipam__dhcp_scope_save(db, s, NULL), IPAM_EINUSE, "scope office: address 192.0.2.1 (active) lies in a pool");
	s->npools--;
	OK(ipam__dhcp_resv_add(s, "192.0.2.20", "mac:00:11:22:33:44:99", NULL, NULL));
	fails(ipam__dhcp_scope_save(db, s, NULL), IPAM_EINUSE, "reservation 192.0.2.20: the address is in use");
	/* the stored scope is the one saved before; option sets and
	 * definitions come back from their own objects */
	OK(ipam__dhcp_option_sets_save(db, c));
	ipam__dhcp_config *back;
	ipam__dhcp_scope *b;
	OK(ipam__dhcp_config_new(&back));
	for (size_t i = 0; i < c->nservers; i++)
		OK(ipam__dhcp_server_add(back, c->servers[i].name, c->servers[i].kind, c->servers[i].url));
	OK(ipam__dhcp_option_sets_load(db, back));
	ck_assert_uint_eq(back->ndefs, c->ndefs);
	ck_assert_uint_eq(back->valid4, 7200);
	ck_assert_str_eq(ipam__dhcp_optset_get(&back->global4, 0, 119)->value, "example.com, corp.example.com");
	ck_assert_str_eq(ipam__dhcp_optset_get(&back->global6, 0, 23)->value, "2001:db8::53");
	ck_assert_str_eq(ipam__dhcp_optset_get(&ipam__dhcp_template_find(back, "branch")->opts, 0, 66)->value,
			 "boot,server");
	OK(ipam__dhcp_scope_load(db, back, NULL, "office", &b));
	ck_assert_uint_eq(b->nresv, 2);
	ck_assert_uint_eq(b->npools, 1);
	ck_assert_uint_eq(b->id, s->id);
	fails(ipam__dhcp_scope_load(db, back, NULL, "nope", NULL), IPAM_ENOTFOUND, "no scope nope");
	ipam__dhcp_config_free(back);
	ipam__dhcp_config_free(c);
	ipam_db_free(db);
}
END_TEST

/* Leases into the store: the fixture's Kea leases in the scopes of its
 * config become addresses of status dhcp; a second sync with one lease
 * gone releases it; a static address is never touched. */
START_TEST(lease_sync)
{
	ipam_db *db;
	ipam_prefix p;
	ipam_addr a;
	OK(ipam_db_open(&db, "memory:", NULL));
	const char *pfx[] = {"192.0.2.0/24", "203.0.113.0/24"};
	ipam__dhcp_config *c;
	OK(ipam__dhcp_config_new(&c));
	for (int i = 0; i < 2; i++) {
		OK(ipam_prefix_parse(&p, pfx[i], IPAM_PARSE_DEFAULT));
		OK(ipam_prefix_add(db, &p, NULL));
		char name[8];
		snprintf(name, sizeof name, "s%d", i);
		OK(ipam__dhcp_scope_add(c, name, pfx[i], 0, NULL));
	}
	ipam_ip_options so = IPAM_IP_OPTIONS_INIT;
	OK(ipam_addr_parse(&a, "203.0.113.11"));
	OK(ipam_ip_add(db, &a, &so)); /* static: the lease for it is skipped */
	/* DNS in place: lease host names drive A and PTR like any address's */
	ipam_zone_options zo = IPAM_ZONE_OPTIONS_INIT;
	zo.ns = "ns1.example.com.";
	OK(ipam_zone_add(db, "example.com", &zo));
	OK(ipam_zone_add(db, "2.0.192.in-addr.arpa", &zo));
	size_t len;
	char *text = fixture("kea-leases4.csv", &len);
	ipam__dhcp_leases l = {0};
	OK(ipam__dhcp_leases_kea_csv(&l, text, len, "kea-leases4.csv"));
	ipam__dhcp_sync_stats st = {0};
	OK(ipam__dhcp_lease_sync(db, c, NULL, &l, &st));
	/* 120, 121 and 101 active (101 declined), 122 expired-reclaimed, 11 static */
	ck_assert_uint_eq(st.added, 3);
	ck_assert_uint_eq(st.skipped, 1);
	ipam_ip_info info = IPAM_IP_INFO_INIT;
	OK(ipam_addr_parse(&a, "192.0.2.120"));
	OK(ipam_ip_get(&info, db, NULL, &a));
	ck_assert_int_eq(info.status, IPAM_STATUS_DHCP);
	ck_assert_str_eq(info.hostname, "laptop-17.example.com");
	ck_assert(info.has_mac && info.mac.bytes[5] == 0x20);
	ipam_ip_info_dispose(&info);
	OK(ipam_addr_parse(&a, "192.0.2.122"));
	ck_assert_int_eq(ipam_ip_get(&info, db, NULL, &a), IPAM_ENOTFOUND);
	ipam_ip_info_dispose(&info);
	ipam_buf z = IPAM_BUF_INIT;
	OK(ipam_zone_render(&z, db, "example.com", NULL));
	ck_assert_msg(strstr(z.ptr, "laptop-17\t3600\tIN\tA\t192.0.2.120\n") && strstr(z.ptr, "desktop-q7\t3600\tIN\tA\t192.0.2.121\n"),
	              "%s", z.ptr);
	ipam_buf_dispose(&z);
	OK(ipam_zone_render(&z, db, "2.0.192.in-addr.arpa", NULL));
	ck_assert_msg(strstr(z.ptr, "121\t3600\tIN\tPTR\tdesktop-q7.example.com.\n"), "%s", z.ptr);
	ipam_buf_dispose(&z);
	/* the lease of .121 is deleted: the next sync releases the address */
	const char *del = "address,hwaddr,client_id,valid_lifetime,expire,subnet_id,fqdn_fwd,fqdn_rev,hostname,state,"
			  "user_context\n192.0.2.121,00:00:5e:00:53:21,,0,1741618961,20,0,0,,0,\n";
	OK(ipam__dhcp_leases_kea_csv(&l, del, strlen(del), "more.csv"));
	OK(ipam__dhcp_lease_sync(db, c, NULL, &l, &st));
	ck_assert_uint_eq(st.released, 1);
	ck_assert_uint_eq(st.updated, 2);
	OK(ipam_addr_parse(&a, "192.0.2.121"));
	ck_assert_int_eq(ipam_ip_get(&info, db, NULL, &a), IPAM_ENOTFOUND);
	ipam_ip_info_dispose(&info);
	/* and its records are gone with it */
	OK(ipam_zone_render(&z, db, "example.com", NULL));
	ck_assert_msg(!strstr(z.ptr, "desktop-q7") && strstr(z.ptr, "laptop-17\t"), "%s", z.ptr);
	ipam_buf_dispose(&z);
	OK(ipam_zone_render(&z, db, "2.0.192.in-addr.arpa", NULL));
	ck_assert_msg(!strstr(z.ptr, "desktop-q7"), "%s", z.ptr);
	ipam_buf_dispose(&z);
	OK(ipam_addr_parse(&a, "203.0.113.11"));
	OK(ipam_ip_get(&info, db, NULL, &a));
	ck_assert_int_eq(info.status, IPAM_STATUS_ACTIVE);
	ipam_ip_info_dispose(&info);
	ipam__dhcp_leases_free(&l);
	free(text);
	ipam__dhcp_config_free(c);
	ipam_db_free(db);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("dhcp-unit");
	TCase *t = tcase_create("model");
	tcase_set_timeout(t, 60);
	tcase_add_test(t, option_checks);
	tcase_add_test(t, model_rules);
	tcase_add_test(t, inheritance);
	tcase_add_test(t, kea_render_and_merge);
	tcase_add_test(t, dhcpd_render);
	tcase_add_test(t, kea_lease_file);
	tcase_add_test(t, dhcpd_lease_file);
	tcase_add_test(t, kea_import);
	tcase_add_test(t, dhcpd_import);
	tcase_add_test(t, stored_form_round_trip);
	tcase_add_test(t, scope_in_store);
	tcase_add_test(t, lease_sync);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	if (!dt_have("kea-dhcp4") || !dt_have("kea-dhcp6") || !dt_have("dhcpd")) {
		fprintf(stderr, "kea-dhcp4, kea-dhcp6 or dhcpd is not installed\n");
		return 77;
	}
	SRunner *sr = srunner_create(suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
