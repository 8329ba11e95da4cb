/* Commands: discover snmp|sweep|rdns|aws|azure|gcp, reconcile.
 *
 * A probe's observations are saved in the database (merged with what was
 * seen before) and listed; `reconcile` compares what is saved with the
 * records. Secrets come from the environment only, never from the command
 * line (which shells keep in their history and `ps` shows). */
#include "ipamctl.h"

#include <ipam/discover.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Save the observations, then list them (a JSON array in JSON modes). */
static int saved(struct ctl *c, ipam_obs_set *s, int rc, const char *what)
{
	if (rc == 0 || ipam_obs_set_count(s) > 0) {
		int src = rc;
		char msg[1024] = "";
		if (src)
			snprintf(msg, sizeof msg, "%s", ipam_error_last()->message);
		int sv = ipam_obs_save(c->db, s);
		if (sv) {
			ipam_obs_set_free(s);
			return fail_lib(c, sv, what);
		}
		if (src) {
			size_t n = ipam_obs_set_count(s);
			ipam_obs_set_free(s);
			return fail_as(c, ipam_error_name(src), "%s (%zu observations saved)", msg, n);
		}
	}
	if (rc) {
		ipam_obs_set_free(s);
		return fail_lib(c, rc, what);
	}
	ipam_buf b = IPAM_BUF_INIT;
	if (ipam_obs_set_json(&b, s)) {
		ipam_obs_set_free(s);
		return fail_nomem(c);
	}
	cJSON *arr = cJSON_Parse(b.ptr);
	ipam_buf_dispose(&b);
	cJSON *o = cJSON_CreateObject();
	if (!arr || !o || !cJSON_AddNumberToObject(o, "observations", (double)ipam_obs_set_count(s)) ||
	    !cJSON_AddItemToObject(o, "items", arr)) {
		cJSON_Delete(arr);
		cJSON_Delete(o);
		ipam_obs_set_free(s);
		return fail_nomem(c);
	}
	/* human: one line an observation */
	size_t n = ipam_obs_set_count(s), cap = 64 + n * 160, used = 0;
	char *text = malloc(cap);
	if (!text) {
		cJSON_Delete(o);
		ipam_obs_set_free(s);
		return fail_nomem(c);
	}
	used += (size_t)snprintf(text, cap, "%s: %zu observation%s saved", what, n, n == 1 ? "" : "s");
	for (size_t i = 0; i < n && used < cap; i++) {
		ipam_observation ob;
		char t[IPAM_PREFIX_STRLEN], m[IPAM_MAC_STRLEN] = "-";
		ipam_obs_set_get(&ob, s, i);
		if (ob.kind == IPAM_OBS_SUBNET)
			ipam_prefix_format(t, sizeof t, &ob.subnet);
		else
			ipam_addr_format(t, sizeof t, &ob.addr);
		if (ob.has_mac)
			ipam_mac_format(m, sizeof m, &ob.mac);
		used += (size_t)snprintf(text + used, cap - used, "\n  %-8s %-40.60s %-17s %.40s%s%.60s", ob.source, t, m,
					 ob.space, ob.name ? "  " : "", ob.name ? ob.name : "");
	}
	ipam_obs_set_free(s);
	int st = out_item(c, K_TEXT, o, text);
	free(text);
	return st;
}

static int new_set(struct ctl *c, ipam_obs_set **s)
{
	return ipam_obs_set_new(s) ? fail_nomem(c) : ST_OK;
}

int cmd_discover_snmp(struct ctl *c, const struct args *a)
{
	ipam_snmp_target t = { 0 };
	t.host = a->pos[0];
	t.space = a->val[OPT_SPACE];
	if (a->val[OPT_USER]) {
		t.snmp_version = IPAM_SNMP_V3;
		t.user = a->val[OPT_USER];
		t.auth_pass = getenv("IPAM_SNMP_AUTH_PASS");
		t.priv_pass = getenv("IPAM_SNMP_PRIV_PASS");
		if (!t.auth_pass || !t.priv_pass)
			return fail_usage(c, "discover snmp --user: set IPAM_SNMP_AUTH_PASS and IPAM_SNMP_PRIV_PASS");
	} else {
		t.snmp_version = IPAM_SNMP_V2C;
		t.community = getenv("IPAM_SNMP_COMMUNITY") ? getenv("IPAM_SNMP_COMMUNITY") : "public";
	}
	ipam_obs_set *s;
	int st = new_set(c, &s);
	return st ? st : saved(c, s, ipam_discover_snmp(s, &t, 1, NULL, NULL), "discover snmp");
}

static int parse_uint(struct ctl *c, unsigned *out, const char *text, const char *what, unsigned max)
{
	char *end;
	errno = 0;
	unsigned long v = text ? strtoul(text, &end, 10) : 0;
	if (!text || !*text || *end || errno || v == 0 || v > max)
		return fail_inval(c, "--%s %.40s: a number from 1 to %u", what, text ? text : "", max);
	*out = (unsigned)v;
	return ST_OK;
}

int cmd_discover_sweep(struct ctl *c, const struct args *a)
{
	ipam_prefix p;
	int st = arg_prefix(c, &p, a->pos[0], "CIDR");
	if (st)
		return st;
	ipam_sweep_options o = IPAM_SWEEP_OPTIONS_INIT;
	uint16_t ports[64];
	o.space = a->val[OPT_SPACE];
	o.icmp = a->seen[OPT_ICMP];
	if (a->val[OPT_RATE] && (st = parse_uint(c, &o.rate, a->val[OPT_RATE], "rate", 1000000)))
		return st;
	for (const char *pp = a->val[OPT_PORTS]; pp && *pp;) {
		char num[8];
		size_t n = strcspn(pp, ",");
		unsigned v;
		snprintf(num, sizeof num, "%.*s", (int)(n < 7 ? n : 7), pp);
		if (o.ntcp_ports == 64 || n > 5 || (st = parse_uint(c, &v, num, "ports", 65535)))
			return st ? st : fail_inval(c, "--ports: at most 64 ports of 1..65535, comma-separated");
		ports[o.ntcp_ports++] = (uint16_t)v;
		pp += n + (pp[n] == ',');
	}
	o.tcp_ports = ports;
	if (!o.icmp && !o.ntcp_ports)
		return fail_usage(c, "discover sweep: give --icmp, --ports or both");
	ipam_obs_set *s;
	if ((st = new_set(c, &s)))
		return st;
	return saved(c, s, ipam_discover_sweep(s, &p, &o), "discover sweep");
}

int cmd_discover_rdns(struct ctl *c, const struct args *a)
{
	ipam_prefix p;
	int st = arg_prefix(c, &p, a->pos[0], "CIDR");
	if (st)
		return st;
	if (!a->val[OPT_SERVER])
		return fail_usage(c, "discover rdns: --server ADDR[#PORT] is required");
	ipam_rdns_options o = IPAM_RDNS_OPTIONS_INIT;
	char server[64];
	snprintf(server, sizeof server, "%.63s", a->val[OPT_SERVER]);
	char *hash = strchr(server, '#');
	unsigned port = 53;
	if (hash) {
		*hash = '\0';
		if ((st = parse_uint(c, &port, hash + 1, "server port", 65535)))
			return st;
	}
	o.server = server;
	o.port = (uint16_t)port;
	o.space = a->val[OPT_SPACE];
	if (a->val[OPT_RATE] && (st = parse_uint(c, &o.rate, a->val[OPT_RATE], "rate", 1000000)))
		return st;
	ipam_obs_set *s;
	if ((st = new_set(c, &s)))
		return st;
	return saved(c, s, ipam_discover_rdns(s, &p, &o), "discover rdns");
}

int cmd_discover_aws(struct ctl *c, const struct args *a)
{
	ipam_aws_options o = IPAM_AWS_OPTIONS_INIT;
	o.region = a->pos[0];
	o.access_key = getenv("AWS_ACCESS_KEY_ID");
	o.secret_key = getenv("AWS_SECRET_ACCESS_KEY");
	o.session_token = getenv("AWS_SESSION_TOKEN");
	o.endpoint = getenv("IPAM_AWS_ENDPOINT");
	if (!o.access_key || !o.secret_key)
		return fail_usage(c, "discover aws: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
	ipam_obs_set *s;
	int st = new_set(c, &s);
	return st ? st : saved(c, s, ipam_discover_aws(s, c->db, &o), "discover aws");
}

int cmd_discover_azure(struct ctl *c, const struct args *a)
{
	ipam_azure_options o = IPAM_AZURE_OPTIONS_INIT;
	o.subscription = a->pos[0];
	o.tenant = getenv("AZURE_TENANT_ID");
	o.client_id = getenv("AZURE_CLIENT_ID");
	o.client_secret = getenv("AZURE_CLIENT_SECRET");
	o.access_token = getenv("AZURE_ACCESS_TOKEN");
	o.login_endpoint = getenv("IPAM_AZURE_LOGIN_ENDPOINT");
	o.arm_endpoint = getenv("IPAM_AZURE_ARM_ENDPOINT");
	ipam_obs_set *s;
	int st = new_set(c, &s);
	return st ? st : saved(c, s, ipam_discover_azure(s, c->db, &o), "discover azure");
}

int cmd_discover_gcp(struct ctl *c, const struct args *a)
{
	ipam_gcp_options o = IPAM_GCP_OPTIONS_INIT;
	o.project = a->pos[0];
	o.access_token = getenv("GOOGLE_OAUTH_ACCESS_TOKEN");
	o.endpoint = getenv("IPAM_GCP_ENDPOINT");
	if (!o.access_token)
		return fail_usage(c, "discover gcp: set GOOGLE_OAUTH_ACCESS_TOKEN");
	ipam_obs_set *s;
	int st = new_set(c, &s);
	return st ? st : saved(c, s, ipam_discover_gcp(s, c->db, &o), "discover gcp");
}

int cmd_reconcile(struct ctl *c, const struct args *a)
{
	if (a->seen[OPT_JSON])
		c->json = true;
	ipam_reconcile_options o = IPAM_RECONCILE_OPTIONS_INIT;
	o.space = a->val[OPT_SPACE];
	if (a->val[OPT_SINCE]) {
		char *end;
		errno = 0;
		long long v = strtoll(a->val[OPT_SINCE], &end, 10);
		if (!*a->val[OPT_SINCE] || *end || errno || v < 0)
			return fail_inval(c, "--since %.40s: Unix seconds", a->val[OPT_SINCE]);
		o.since = v;
	}
	if (a->seen[OPT_APPLY])
		o.flags |= IPAM_RECONCILE_APPLY;
	ipam_obs_set *s;
	int st = new_set(c, &s);
	if (st)
		return st;
	int rc = ipam_obs_load(s, c->db, o.space, o.since);
	ipam_reconcile_report *r = NULL;
	if (!rc)
		rc = ipam_reconcile(&r, c->db, s, &o);
	ipam_obs_set_free(s);
	if (rc)
		return fail_lib(c, rc, "reconcile");
	ipam_buf b = IPAM_BUF_INIT;
	cJSON *doc = NULL;
	if (ipam_reconcile_report_json(&b, r) == 0)
		doc = cJSON_Parse(b.ptr);
	ipam_buf_dispose(&b);
	size_t n = ipam_reconcile_report_count(r), cap = 128 + n * 200, used = 0;
	char *text = malloc(cap);
	if (!doc || !text) {
		cJSON_Delete(doc);
		free(text);
		ipam_reconcile_report_free(r);
		return fail_nomem(c);
	}
	used += (size_t)snprintf(text, cap, "%zu finding%s", n, n == 1 ? "" : "s");
	for (size_t i = 0; i < n && used < cap; i++) {
		const ipam_drift_item *it = ipam_reconcile_report_item(r, i);
		char t[IPAM_PREFIX_STRLEN];
		if (it->kind == IPAM_OBS_SUBNET)
			ipam_prefix_format(t, sizeof t, &it->subnet);
		else
			ipam_addr_format(t, sizeof t, &it->addr);
		used += (size_t)snprintf(text + used, cap - used, "\n  %-14s %-30.40s %-24.60s %.100s%s",
					 ipam_drift_name(it->drift), it->space, t, it->detail, it->applied ? " (adopted)" : "");
	}
	ipam_reconcile_report_free(r);
	st = out_item(c, K_TEXT, doc, text);
	free(text);
	return st;
}
