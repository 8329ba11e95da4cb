/* Commands: discover snmp|sweep|rdns|aws|azure|gcp|cloud-dns, reconcile.
 *
 * A probe's observations are saved in the database (merged with what was
 * seen before) and listed; `reconcile` compares what is saved with the
 * records; `discover cloud-dns` reads a cloud's DNS zones into the stored
 * DNS model. Secrets come from a stored credential (--credential NAME,
 * sealed in the database: see cmd_cred.c) or the environment, never from
 * the command line (which shells keep in their history and `ps` shows). */
#include "ipamctl.h"

#include <ipam/discover.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>
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

/* A progress bar on standard error, drawn only when it is a terminal (a
 * pipe or a log file gets nothing), at most ten times a second, and wiped
 * when the probe ends so that the result starts on a clean line. */
struct bar {
	bool drawn;
	struct timespec last;
};

static void bar_cb(void *ctx, const char *what, uint64_t done, uint64_t total)
{
	struct bar *b = ctx;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	long ms = (long)(now.tv_sec - b->last.tv_sec) * 1000 + (now.tv_nsec - b->last.tv_nsec) / 1000000;
	if (b->drawn && ms < 100 && done != total)
		return;
	b->last = now;
	b->drawn = true;
	if (total) {
		char fill[31];
		size_t n = (size_t)(done * 30 / total);
		memset(fill, '#', n);
		memset(fill + n, '.', 30 - n);
		fill[30] = '\0';
		fprintf(stderr, "\r%-9s [%s] %llu/%llu (%llu%%)", what, fill, (unsigned long long)done,
			(unsigned long long)total, (unsigned long long)(done * 100 / total));
	} else {
		fprintf(stderr, "\r%-9s %llu request%s", what, (unsigned long long)done, done == 1 ? "" : "s");
	}
	fflush(stderr);
}

/* Hand out the bar (NULL when standard error is no terminal). */
static void *bar_on(struct bar *b, ipam_progress_fn *fn)
{
	memset(b, 0, sizeof *b);
	*fn = isatty(STDERR_FILENO) ? bar_cb : NULL;
	return b;
}

static void bar_end(struct bar *b)
{
	if (b->drawn)
		fputs("\r\033[K", stderr);
	b->drawn = false;
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
	ipam_credential cr;
	ipam_buf store = IPAM_BUF_INIT;
	int st = ST_OK;
	if (a->val[OPT_CREDENTIAL]) {
		if ((st = cred_load(c, &cr, &store, a->val[OPT_CREDENTIAL], "snmpv3")))
			return st;
		t.snmp_version = IPAM_SNMP_V3;
		t.user = cr.id;
		t.auth_pass = cr.secret;
		t.priv_pass = cr.secret2 ? cr.secret2 : cr.secret;
	} else if (a->val[OPT_USER]) {
		t.snmp_version = IPAM_SNMP_V3;
		t.user = a->val[OPT_USER];
		t.auth_pass = getenv("IPAM_SNMP_AUTH_PASS");
		t.priv_pass = getenv("IPAM_SNMP_PRIV_PASS");
		if (!t.auth_pass || !t.priv_pass)
			return fail_usage(c, "discover snmp --user: set IPAM_SNMP_AUTH_PASS and IPAM_SNMP_PRIV_PASS, "
					     "or give --credential NAME");
	} else {
		t.snmp_version = IPAM_SNMP_V2C;
		t.community = getenv("IPAM_SNMP_COMMUNITY") ? getenv("IPAM_SNMP_COMMUNITY") : "public";
	}
	ipam_obs_set *s;
	ipam_snmp_options so = IPAM_SNMP_OPTIONS_INIT;
	struct bar bar;
	so.progress_ctx = bar_on(&bar, &so.progress);
	if (!(st = new_set(c, &s))) {
		int rc = ipam_discover_snmp(s, &t, 1, NULL, &so);
		bar_end(&bar);
		st = saved(c, s, rc, "discover snmp");
	}
	ipam_credential_wipe(&store);
	return st;
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
		unsigned v = 0;
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
	struct bar bar;
	o.progress_ctx = bar_on(&bar, &o.progress);
	int rc = ipam_discover_sweep(s, &p, &o);
	bar_end(&bar);
	return saved(c, s, rc, "discover sweep");
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
	struct bar bar;
	o.progress_ctx = bar_on(&bar, &o.progress);
	int rc = ipam_discover_rdns(s, &p, &o);
	bar_end(&bar);
	return saved(c, s, rc, "discover rdns");
}

/* A cloud's options from --credential NAME, or else the environment;
 * the credential's secrets live in `store` until it is wiped. */
static int aws_opts(struct ctl *c, const struct args *a, ipam_aws_options *o, ipam_buf *store)
{
	ipam_credential cr;
	if (a->val[OPT_CREDENTIAL]) {
		int st = cred_load(c, &cr, store, a->val[OPT_CREDENTIAL], "aws");
		o->access_key = cr.id;
		o->secret_key = cr.secret;
		o->session_token = cr.secret2;
		return st;
	}
	o->access_key = getenv("AWS_ACCESS_KEY_ID");
	o->secret_key = getenv("AWS_SECRET_ACCESS_KEY");
	o->session_token = getenv("AWS_SESSION_TOKEN");
	if (!o->access_key || !o->secret_key)
		return fail_usage(c, "%s: give --credential NAME, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY",
				  c->cmd->synopsis);
	return ST_OK;
}

static int azure_opts(struct ctl *c, const struct args *a, ipam_azure_options *o, ipam_buf *store)
{
	ipam_credential cr;
	o->login_endpoint = getenv("IPAM_AZURE_LOGIN_ENDPOINT");
	o->arm_endpoint = getenv("IPAM_AZURE_ARM_ENDPOINT");
	if (a->val[OPT_CREDENTIAL]) {
		int st = cred_load(c, &cr, store, a->val[OPT_CREDENTIAL], "azure");
		o->tenant = cr.tenant;
		o->client_id = cr.id;
		o->client_secret = cr.secret;
		return st;
	}
	o->tenant = getenv("AZURE_TENANT_ID");
	o->client_id = getenv("AZURE_CLIENT_ID");
	o->client_secret = getenv("AZURE_CLIENT_SECRET");
	o->access_token = getenv("AZURE_ACCESS_TOKEN");
	return ST_OK;
}

static int gcp_opts(struct ctl *c, const struct args *a, ipam_gcp_options *o, ipam_buf *store, const char *ep_var)
{
	ipam_credential cr;
	o->endpoint = getenv(ep_var);
	if (a->val[OPT_CREDENTIAL]) {
		int st = cred_load(c, &cr, store, a->val[OPT_CREDENTIAL], "gcp");
		o->access_token = cr.secret;
		return st;
	}
	o->access_token = getenv("GOOGLE_OAUTH_ACCESS_TOKEN");
	if (!o->access_token)
		return fail_usage(c, "%s: give --credential NAME, or set GOOGLE_OAUTH_ACCESS_TOKEN", c->cmd->synopsis);
	return ST_OK;
}

int cmd_discover_aws(struct ctl *c, const struct args *a)
{
	ipam_aws_options o = IPAM_AWS_OPTIONS_INIT;
	ipam_buf store = IPAM_BUF_INIT;
	ipam_obs_set *s;
	o.region = a->pos[0];
	o.endpoint = getenv("IPAM_AWS_ENDPOINT");
	int st = aws_opts(c, a, &o, &store);
	struct bar bar;
	o.progress_ctx = bar_on(&bar, &o.progress);
	if (!st && !(st = new_set(c, &s))) {
		int rc = ipam_discover_aws(s, c->db, &o);
		bar_end(&bar);
		st = saved(c, s, rc, "discover aws");
	}
	ipam_credential_wipe(&store);
	return st;
}

int cmd_discover_azure(struct ctl *c, const struct args *a)
{
	ipam_azure_options o = IPAM_AZURE_OPTIONS_INIT;
	ipam_buf store = IPAM_BUF_INIT;
	ipam_obs_set *s;
	o.subscription = a->pos[0];
	int st = azure_opts(c, a, &o, &store);
	struct bar bar;
	o.progress_ctx = bar_on(&bar, &o.progress);
	if (!st && !(st = new_set(c, &s))) {
		int rc = ipam_discover_azure(s, c->db, &o);
		bar_end(&bar);
		st = saved(c, s, rc, "discover azure");
	}
	ipam_credential_wipe(&store);
	return st;
}

int cmd_discover_gcp(struct ctl *c, const struct args *a)
{
	ipam_gcp_options o = IPAM_GCP_OPTIONS_INIT;
	ipam_buf store = IPAM_BUF_INIT;
	ipam_obs_set *s;
	o.project = a->pos[0];
	int st = gcp_opts(c, a, &o, &store, "IPAM_GCP_ENDPOINT");
	struct bar bar;
	o.progress_ctx = bar_on(&bar, &o.progress);
	if (!st && !(st = new_set(c, &s))) {
		int rc = ipam_discover_gcp(s, c->db, &o);
		bar_end(&bar);
		st = saved(c, s, rc, "discover gcp");
	}
	ipam_credential_wipe(&store);
	return st;
}

/* Text that grows (the library's buffer helpers are internal). */
struct text {
	char *p;
	size_t n, cap;
	bool failed;
};

static void text_add(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void text_add(struct text *t, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (t->failed || n < 0)
		return;
	if (t->n + (size_t)n + 1 > t->cap) {
		size_t cap = (t->n + (size_t)n + 1) * 2;
		char *p = realloc(t->p, cap);
		if (!p) {
			t->failed = true;
			return;
		}
		t->p = p;
		t->cap = cap;
	}
	va_start(ap, fmt);
	vsnprintf(t->p + t->n, (size_t)n + 1, fmt, ap);
	va_end(ap);
	t->n += (size_t)n;
}

/* The cloud DNS report, and in human mode a line a zone and one a name. */
static int cloud_dns_out(struct ctl *c, int rc, ipam_buf *rep)
{
	cJSON *doc = rc ? NULL : cJSON_Parse(rep->ptr);
	ipam_buf_dispose(rep);
	if (rc)
		return fail_lib(c, rc, "discover cloud-dns");
	struct text t = { NULL, 0, 0, doc == NULL };
	static const char *const keys[] = { "added", "changed", "unchanged", "removed", "skipped" };
	static const char *const mark[] = { "+", "~", "=", "x", "-" };
	const cJSON *z, *it;
	bool dry = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(doc, "dry_run"));
	if (dry)
		text_add(&t, "dry run: nothing written; a read would do this");
	cJSON_ArrayForEach(z, cJSON_GetObjectItemCaseSensitive(doc, "zones"))
	{
		text_add(&t, "%szone %s%s:", t.n ? "\n" : "",
					cJSON_GetObjectItemCaseSensitive(z, "zone")->valuestring,
					cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(z, "created")) ? " (created)" : "");
		for (size_t k = 0; k < 5; k++)
			text_add(&t, " %d %s", cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(z, keys[k])), keys[k]);
		for (size_t k = 0; k < 5; k++) {
			if (k == 2)
				continue; /* what did not change is counted, not listed */
			cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(z, keys[k]))
			{
				const cJSON *r = cJSON_GetObjectItemCaseSensitive(it, "record");
				const cJSON *why = cJSON_GetObjectItemCaseSensitive(it, "reason");
				text_add(&t, "\n  %s %.300s%s%.300s%s", mark[k], r ? r->valuestring : it->valuestring,
					 why ? "  (" : "", why ? why->valuestring : "", why ? ")" : "");
			}
		}
	}
	if (!cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(doc, "zones")))
		text_add(&t, "%sno zones", t.n ? "\n" : "");
	int st = t.failed ? fail_nomem(c) : out_item(c, K_TEXT, doc, t.p);
	if (t.failed)
		cJSON_Delete(doc);
	free(t.p);
	return st;
}

int cmd_discover_cloud_dns(struct ctl *c, const struct args *a)
{
	const char *prov = a->pos[0];
	ipam_cloud_dns_options co = IPAM_CLOUD_DNS_OPTIONS_INIT;
	co.space = a->val[OPT_SPACE];
	co.view = a->val[OPT_VIEW];
	co.zone = a->val[OPT_ZONE];
	co.include_private = a->seen[OPT_PRIVATE];
	co.dry_run = a->seen[OPT_DRY_RUN];
	ipam_buf store = IPAM_BUF_INIT, rep = IPAM_BUF_INIT;
	int st = ST_OK, rc = 0;
	bool aws = strcmp(prov, "aws") == 0;
	struct bar bar;
	ipam_progress_fn fn;
	void *bctx = bar_on(&bar, &fn);
	if (aws ? a->npos != 1 : a->npos != 2)
		return fail_usage(c, "discover cloud-dns aws | azure SUBSCRIPTION | gcp PROJECT");
	if (aws) {
		ipam_aws_options o = IPAM_AWS_OPTIONS_INIT;
		o.progress = fn;
		o.progress_ctx = bctx;
		o.endpoint = getenv("IPAM_ROUTE53_ENDPOINT");
		if (!(st = aws_opts(c, a, &o, &store)))
			rc = ipam_cloud_dns_aws(&rep, c->db, &o, &co);
	} else if (strcmp(prov, "azure") == 0) {
		ipam_azure_options o = IPAM_AZURE_OPTIONS_INIT;
		o.progress = fn;
		o.progress_ctx = bctx;
		o.subscription = a->pos[1];
		if (!(st = azure_opts(c, a, &o, &store)))
			rc = ipam_cloud_dns_azure(&rep, c->db, &o, &co);
	} else if (strcmp(prov, "gcp") == 0) {
		ipam_gcp_options o = IPAM_GCP_OPTIONS_INIT;
		o.progress = fn;
		o.progress_ctx = bctx;
		o.project = a->pos[1];
		if (!(st = gcp_opts(c, a, &o, &store, "IPAM_CLOUD_DNS_ENDPOINT")))
			rc = ipam_cloud_dns_gcp(&rep, c->db, &o, &co);
	} else {
		st = fail_usage(c, "discover cloud-dns: the provider is aws, azure or gcp, not \"%.20s\"", prov);
	}
	bar_end(&bar);
	ipam_credential_wipe(&store);
	if (st) {
		ipam_buf_dispose(&rep);
		return st;
	}
	return cloud_dns_out(c, rc, &rep);
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
