/* Commands: zone *, record *, server * (include/ipam/dns.h). */
#include "ipamctl.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

/* Human output of a JSON answer: its compact text; JSON output: the object. */
static int out_json_text(struct ctl *c, const char *json, const char *human)
{
	cJSON *o = cJSON_Parse(json);
	if (!o)
		return fail_nomem(c);
	return out_item(c, K_TEXT, o, human ? human : json);
}

/* The answer of a change that returns nothing: the library's error, or
 * {k1: v1[, k2: v2]} (JSON) and the line `fmt` makes (human). */
static int out_done(struct ctl *c, int rc, const char *k1, const char *v1, const char *k2, const char *v2,
                    const char *fmt, ...) __attribute__((format(printf, 7, 8)));
static int out_done(struct ctl *c, int rc, const char *k1, const char *v1, const char *k2, const char *v2,
                    const char *fmt, ...)
{
	if (rc)
		return fail_lib(c, rc, NULL);
	cJSON *o = cJSON_CreateObject();
	json_str(o, k1, v1);
	if (k2)
		json_str(o, k2, v2);
	char text[600];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	return out_item(c, K_TEXT, o, text);
}

static int arg_u32(struct ctl *c, uint32_t *out, const char *text, const char *what)
{
	char *end;
	errno = 0;
	unsigned long v = text ? strtoul(text, &end, 10) : 0;
	if (!text || !*text || *end || errno || v > 2147483647ul || text[0] == '-')
		return fail_inval(c, "--%s: '%.100s' is not a number of seconds (0..2147483647)", what, text ? text : "");
	*out = (uint32_t)v;
	return ST_OK;
}

/* A secret from a file (the command line would show it to every user of
 * the machine): its first line, at most 4 KiB. The caller wipes and frees. */
static int read_secret(struct ctl *c, char **out, const char *path, const char *what)
{
	*out = NULL;
	if (sodium_init() < 0)
		return fail_as(c, "ERROR", "--%s: libsodium did not initialise", what);
	FILE *f = fopen(path, "rb");
	if (!f)
		return fail_as(c, "IO", "--%s: %.200s: %s", what, path, strerror(errno));
	char *buf = sodium_malloc(4097);
	if (!buf) {
		fclose(f);
		return fail_nomem(c);
	}
	size_t n = fread(buf, 1, 4096, f);
	fclose(f);
	buf[n] = '\0';
	char *nl = strpbrk(buf, "\r\n");
	if (nl)
		*nl = '\0';
	if (!buf[0]) {
		sodium_free(buf);
		return fail_inval(c, "--%s: %.200s is empty", what, path);
	}
	*out = buf;
	return ST_OK;
}

int cmd_zone_add(struct ctl *c, const struct args *a)
{
	ipam_zone_options o = IPAM_ZONE_OPTIONS_INIT;
	int st;
	o.view = a->val[OPT_VIEW];
	o.space = a->val[OPT_SPACE];
	o.ns = a->val[OPT_NS];
	o.mname = a->val[OPT_MNAME];
	o.rname = a->val[OPT_RNAME];
	o.no_derive = a->seen[OPT_NO_DERIVE];
	o.template_name = a->val[OPT_TEMPLATE];
	o.refuse_unknown_addresses = a->seen[OPT_REFUSE_UNKNOWN];
	if (a->val[OPT_TTL] && (st = arg_u32(c, &o.ttl, a->val[OPT_TTL], "ttl")))
		return st;
	const char *sp = a->val[OPT_SERIAL_POLICY];
	if (sp && strcmp(sp, "date") && strcmp(sp, "increment"))
		return fail_inval(c, "--serial-policy: '%.100s' is not date or increment", sp);
	o.serial_policy = sp && !strcmp(sp, "increment") ? IPAM_SERIAL_INCREMENT : IPAM_SERIAL_DATE;
	if (!o.ns && !o.template_name)
		return fail_usage(c, "zone add: give --ns NAME[,NAME...] (the zone's name servers) or a --template with them");
	int rc = ipam_zone_add(c->db, a->pos[0], &o);
	if (rc)
		return fail_lib(c, rc, NULL);
	ipam_buf b = IPAM_BUF_INIT;
	if ((rc = ipam_zone_show(&b, c->db, a->pos[0], o.view)))
		return fail_lib(c, rc, NULL);
	char text[400];
	snprintf(text, sizeof text, "zone %.200s added (view %.64s)", a->pos[0], o.view ? o.view : "default");
	st = out_json_text(c, b.ptr, text);
	ipam_buf_dispose(&b);
	return st;
}

/* A JSON array the library made, as a list of `k` items. */
static int out_json_list(struct ctl *c, enum kind k, int rc, ipam_buf *b)
{
	if (rc)
		return fail_lib(c, rc, NULL);
	cJSON *arr = cJSON_Parse(b->ptr);
	ipam_buf_dispose(b);
	if (!arr)
		return fail_nomem(c);
	int st = ST_OK;
	out_list_begin(c, k);
	for (cJSON *z = arr->child; st == ST_OK && z; z = z->next)
		st = out_list_add(c, cJSON_Duplicate(z, 1));
	out_list_end(c);
	cJSON_Delete(arr);
	return st;
}

int cmd_zone_list(struct ctl *c, const struct args *a)
{
	(void)a;
	ipam_buf b = IPAM_BUF_INIT;
	return out_json_list(c, K_ZONE, ipam_zone_list(&b, c->db), &b);
}

/* zone show and record list: the zone with its records */
static int show(struct ctl *c, const struct args *a, bool records_only)
{
	ipam_buf b = IPAM_BUF_INIT;
	int rc = ipam_zone_show(&b, c->db, a->pos[0], a->val[OPT_VIEW]);
	if (rc)
		return fail_lib(c, rc, NULL);
	cJSON *o = cJSON_Parse(b.ptr);
	ipam_buf_dispose(&b);
	if (!o)
		return fail_nomem(c);
	/* human: the zone's line, then one record a line with where it came from */
	const cJSON *recs = cJSON_GetObjectItemCaseSensitive(o, "records");
	if (!records_only && !c->json) {
		const cJSON *serial = cJSON_GetObjectItemCaseSensitive(o, "serial");
		char *ns = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(o, "ns"));
		fprintf(c->out, "zone %s view %s space %s serial %.0f ns %s\n",
		        cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "zone")),
		        cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "view")),
		        cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "space")),
		        cJSON_IsNumber(serial) ? serial->valuedouble : 0.0, ns ? ns : "[]");
		cJSON_free(ns);
	}
	int st = ST_OK;
	if (c->json) {
		st = out_item(c, K_TEXT, records_only ? cJSON_Duplicate(recs, 1) : cJSON_Duplicate(o, 1), NULL);
	} else {
		for (const cJSON *r = recs ? recs->child : NULL; r; r = r->next)
			fprintf(c->out, "%s\t; %s\n", cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "record")),
			        cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "source")));
	}
	cJSON_Delete(o);
	return st;
}

int cmd_zone_show(struct ctl *c, const struct args *a)
{
	return show(c, a, false);
}

int cmd_record_list(struct ctl *c, const struct args *a)
{
	return show(c, a, true);
}

int cmd_zone_rm(struct ctl *c, const struct args *a)
{
	return out_done(c, ipam_zone_rm(c->db, a->pos[0], a->val[OPT_VIEW]), "removed", a->pos[0], NULL, NULL,
	                "zone %.200s removed", a->pos[0]);
}

/* A zone file the library made: to stdout, or to `path` (atomically, then a
 * line saying so). Takes the buffer. */
static int out_zone_file(struct ctl *c, ipam_buf *b, const char *path, const char *what)
{
	int st = ST_OK;
	if (!path) {
		if (fwrite(b->ptr, 1, b->size, c->out) != b->size)
			st = fail_as(c, "IO", "%s: writing the zone file failed", what);
		ipam_buf_dispose(b);
		return st;
	}
	size_t size = b->size;
	st = write_file_atomic(c, path, b->ptr, b->size, 0644, false);
	ipam_buf_dispose(b);
	if (st)
		return st;
	cJSON *o = cJSON_CreateObject();
	json_str(o, "rendered", path);
	cJSON_AddNumberToObject(o, "bytes", (double)size);
	char text[300];
	snprintf(text, sizeof text, "wrote %zu bytes to %.200s", size, path);
	return out_item(c, K_TEXT, o, text);
}

int cmd_zone_render(struct ctl *c, const struct args *a)
{
	const char *fmt = a->val[OPT_FORMAT];
	/* BIND, Knot and CoreDNS's file plugin read the same zone file */
	if (fmt && strcmp(fmt, "bind") && strcmp(fmt, "knot") && strcmp(fmt, "coredns"))
		return fail_inval(c, "--format: '%.100s' is not bind, knot or coredns", fmt);
	const char *path = a->val[OPT_OUTPUT];
	if (!path && c->batch)
		return fail_usage(c, "zone render: in batch, write the zone file with -o FILE");
	ipam_buf b = IPAM_BUF_INIT;
	int rc = ipam_zone_render(&b, c->db, a->pos[0], a->val[OPT_VIEW]);
	if (rc)
		return fail_lib(c, rc, NULL);
	return out_zone_file(c, &b, path, "zone render");
}

/* zone conf / zone files: the options of ipam_dns_config from the words */
static int config_options(struct ctl *c, const struct args *a, ipam_dns_config_options *o, const char *dir)
{
	const char *fmt = a->val[OPT_FORMAT];
	if (fmt && strcmp(fmt, "named") && strcmp(fmt, "bind") && strcmp(fmt, "coredns"))
		return fail_inval(c, "--format: '%.100s' is not named (bind) or coredns", fmt);
	o->format = fmt && !strcmp(fmt, "coredns") ? IPAM_DNS_CONFIG_COREFILE : IPAM_DNS_CONFIG_NAMED;
	o->dir = dir;
	o->update_key = a->val[OPT_TSIG_NAME];
	o->view_match = a->kv;
	o->nview_match = a->nkv;
	o->view = a->val[OPT_VIEW];
	/* the Corefile's bind address */
	o->listen = a->val[OPT_ADDRESS];
	if (a->val[OPT_PORT]) {
		const char *t = a->val[OPT_PORT];
		char *end = NULL;
		unsigned long port = strtoul(t, &end, 10);
		if (!*t || *end || t[0] == '-' || port == 0 || port > 65535)
			return fail_inval(c, "--port: '%.100s' is not a port (1..65535)", t);
		o->port = (unsigned)port;
	}
	return ST_OK;
}

int cmd_zone_conf(struct ctl *c, const struct args *a)
{
	ipam_dns_config_options o = IPAM_DNS_CONFIG_OPTIONS_INIT;
	int st = config_options(c, a, &o, a->val[OPT_DIR]);
	if (st)
		return st;
	const char *path = a->val[OPT_OUTPUT];
	if (!path && c->batch)
		return fail_usage(c, "zone conf: in batch, write the configuration with -o FILE");
	ipam_buf b = IPAM_BUF_INIT;
	int rc = ipam_dns_config(&b, c->db, &o);
	if (rc)
		return fail_lib(c, rc, NULL);
	return out_zone_file(c, &b, path, "zone conf");
}

/* One zone's file into the directory: its name from the library. */
static int write_zone_file(struct ctl *c, const char *dir, const char *zone, const char *view)
{
	ipam_buf name = IPAM_BUF_INIT, text = IPAM_BUF_INIT;
	int rc = ipam_zone_file_name(&name, zone, view);
	if (!rc)
		rc = ipam_zone_render(&text, c->db, zone, view);
	if (rc) {
		ipam_buf_dispose(&name);
		return fail_lib(c, rc, NULL);
	}
	char path[4096];
	int st = ST_OK;
	if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name.ptr) >= sizeof path)
		st = fail_inval(c, "zone files: the path of %.200s is too long", name.ptr);
	if (!st)
		st = write_file_atomic(c, path, text.ptr, text.size, 0644, false);
	ipam_buf_dispose(&name);
	ipam_buf_dispose(&text);
	return st;
}

int cmd_zone_files(struct ctl *c, const struct args *a)
{
	const char *dir = a->pos[0];
	ipam_dns_config_options o = IPAM_DNS_CONFIG_OPTIONS_INIT;
	int st = config_options(c, a, &o, dir);
	if (st)
		return st;
	/* the configuration first: a bad option writes nothing */
	ipam_buf conf = IPAM_BUF_INIT, list = IPAM_BUF_INIT;
	int rc = ipam_dns_config(&conf, c->db, &o);
	if (!rc)
		rc = ipam_zone_list(&list, c->db);
	if (rc) {
		ipam_buf_dispose(&conf);
		return fail_lib(c, rc, NULL);
	}
	cJSON *zones = cJSON_Parse(list.ptr);
	ipam_buf_dispose(&list);
	size_t n = 0;
	const cJSON *z;
	cJSON_ArrayForEach(z, zones)
	{
		const char *zn = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(z, "zone"));
		const char *view = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(z, "view"));
		if (!zn)
			continue;
		/* the Corefile serves one view: only its files */
		if (o.format == IPAM_DNS_CONFIG_COREFILE && strcmp(view ? view : "default", o.view ? o.view : "default"))
			continue;
		if ((st = write_zone_file(c, dir, zn, view)))
			break;
		n++;
	}
	cJSON_Delete(zones);
	char path[4096];
	const char *cname = o.format == IPAM_DNS_CONFIG_COREFILE ? "Corefile" : "named.conf";
	if (!st && (size_t)snprintf(path, sizeof path, "%s/%s", dir, cname) >= sizeof path)
		st = fail_inval(c, "zone files: the directory name is too long");
	if (!st)
		st = write_file_atomic(c, path, conf.ptr, conf.size, 0644, false);
	ipam_buf_dispose(&conf);
	if (st)
		return st;
	cJSON *out = cJSON_CreateObject();
	json_str(out, "dir", dir);
	cJSON_AddNumberToObject(out, "zones", (double)n);
	json_str(out, "config", path);
	char text[4200];
	snprintf(text, sizeof text, "wrote %zu zone files and %s", n, path);
	return out_item(c, K_TEXT, out, text);
}

int cmd_zone_push(struct ctl *c, const struct args *a)
{
	if (!a->val[OPT_SERVER])
		return fail_usage(c, "zone push: --server NAME is required");
	ipam_buf r = IPAM_BUF_INIT;
	int rc = ipam_zone_push(&r, c->db, a->pos[0], a->val[OPT_VIEW], a->val[OPT_SERVER],
	                        a->seen[OPT_DRY_RUN] ? IPAM_PUSH_DRY_RUN : 0);
	if (rc) {
		/* what was sent before the failure is part of the answer */
		if (!c->json && r.ptr)
			fputs(r.ptr, c->out);
		ipam_buf_dispose(&r);
		return fail_lib(c, rc, NULL);
	}
	cJSON *o = cJSON_CreateObject();
	json_str(o, "zone", a->pos[0]);
	json_str(o, "server", a->val[OPT_SERVER]);
	cJSON_AddBoolToObject(o, "dry_run", a->seen[OPT_DRY_RUN]);
	json_str(o, "change", r.ptr ? r.ptr : "");
	int st = out_item(c, K_TEXT, o, r.ptr ? r.ptr : "");
	ipam_buf_dispose(&r);
	return st;
}

/* zone diff and zone adopt: a count and a report of lines */
static int drift_cmd(struct ctl *c, const struct args *a, bool adopt)
{
	const char *what = adopt ? "zone adopt" : "zone diff";
	if (!a->val[OPT_SERVER])
		return fail_usage(c, "%s: --server NAME is required", what);
	ipam_buf r = IPAM_BUF_INIT;
	size_t n = 0;
	int rc = adopt ? ipam_zone_adopt(&r, &n, c->db, a->pos[0], a->val[OPT_VIEW], a->val[OPT_SERVER])
	               : ipam_zone_diff(&r, &n, c->db, a->pos[0], a->val[OPT_VIEW], a->val[OPT_SERVER]);
	if (rc)
		return fail_lib(c, rc, NULL);
	cJSON *o = cJSON_CreateObject();
	json_str(o, "zone", a->pos[0]);
	json_str(o, "server", a->val[OPT_SERVER]);
	cJSON_AddNumberToObject(o, adopt ? "adopted" : "drift", (double)n);
	json_str(o, "report", r.ptr ? r.ptr : "");
	char text[64];
	snprintf(text, sizeof text, adopt ? "; %zu records adopted" : "; %zu RRsets differ", n);
	int st = out_item(c, K_TEXT, o, r.size ? r.ptr : text);
	ipam_buf_dispose(&r);
	return st;
}

int cmd_zone_diff(struct ctl *c, const struct args *a)
{
	return drift_cmd(c, a, false);
}

int cmd_zone_adopt(struct ctl *c, const struct args *a)
{
	return drift_cmd(c, a, true);
}

int cmd_record_add(struct ctl *c, const struct args *a)
{
	return out_done(c, ipam_record_add(c->db, a->pos[0], a->val[OPT_VIEW], a->pos[1]), "zone", a->pos[0], "added",
	                a->pos[1], "%.200s: added %.300s", a->pos[0], a->pos[1]);
}

int cmd_record_rm(struct ctl *c, const struct args *a)
{
	return out_done(c, ipam_record_rm(c->db, a->pos[0], a->val[OPT_VIEW], a->pos[1]), "zone", a->pos[0], "removed",
	                a->pos[1], "%.200s: removed %.300s", a->pos[0], a->pos[1]);
}

int cmd_server_add(struct ctl *c, const struct args *a)
{
	ipam_dns_server_options o = IPAM_DNS_SERVER_OPTIONS_INIT;
	const char *type = a->val[OPT_TYPE];
	if (!type)
		return fail_usage(c, "server add: --type rfc2136|pdns-api is required");
	if (!strcmp(type, "rfc2136") || !strcmp(type, "bind") || !strcmp(type, "knot"))
		o.type = IPAM_DNS_RFC2136;
	else if (!strcmp(type, "pdns-api"))
		o.type = IPAM_DNS_PDNS_API;
	else
		return fail_inval(c, "--type: '%.100s' is not rfc2136 or pdns-api", type);
	o.address = a->val[OPT_ADDRESS];
	if (a->val[OPT_PORT]) {
		char *end;
		unsigned long p = strtoul(a->val[OPT_PORT], &end, 10);
		if (*end || !a->val[OPT_PORT][0] || p == 0 || p > 65535)
			return fail_inval(c, "--port: '%.100s' is not a port (1..65535)", a->val[OPT_PORT]);
		o.port = (unsigned)p;
	}
	o.tsig_name = a->val[OPT_TSIG_NAME];
	o.tsig_algorithm = a->val[OPT_TSIG_ALGORITHM];
	o.api_url = a->val[OPT_API_URL];
	o.server_id = a->val[OPT_SERVER_ID];
	char *tsig = NULL, *key = NULL;
	int st = ST_OK;
	if (a->val[OPT_TSIG_SECRET_FILE])
		st = read_secret(c, &tsig, a->val[OPT_TSIG_SECRET_FILE], "tsig-secret-file");
	if (!st && a->val[OPT_API_KEY_FILE])
		st = read_secret(c, &key, a->val[OPT_API_KEY_FILE], "api-key-file");
	if (!st) {
		o.tsig_secret = tsig;
		o.api_key = key;
		int rc = ipam_dns_server_add(c->db, a->pos[0], &o, a->seen[OPT_REPLACE]);
		if (rc)
			st = fail_lib(c, rc, NULL);
	}
	if (tsig)
		sodium_free(tsig);
	if (key)
		sodium_free(key);
	if (st)
		return st;
	cJSON *j = cJSON_CreateObject();
	json_str(j, "server", a->pos[0]);
	json_str(j, "type", type);
	char text[300];
	snprintf(text, sizeof text, "server %.200s %s", a->pos[0], a->seen[OPT_REPLACE] ? "set" : "added");
	return out_item(c, K_TEXT, j, text);
}

int cmd_server_list(struct ctl *c, const struct args *a)
{
	(void)a;
	ipam_buf b = IPAM_BUF_INIT;
	return out_json_list(c, K_SERVER, ipam_dns_server_list(&b, c->db), &b);
}

int cmd_server_rm(struct ctl *c, const struct args *a)
{
	return out_done(c, ipam_dns_server_rm(c->db, a->pos[0]), "removed", a->pos[0], NULL, NULL,
	                "server %.200s removed", a->pos[0]);
}

int cmd_template_set(struct ctl *c, const struct args *a)
{
	ipam_zone_template t = IPAM_ZONE_TEMPLATE_INIT;
	int st;
	t.ns = a->val[OPT_NS];
	t.mname = a->val[OPT_MNAME];
	t.rname = a->val[OPT_RNAME];
	if (a->val[OPT_TTL] && (st = arg_u32(c, &t.ttl, a->val[OPT_TTL], "ttl")))
		return st;
	t.records = a->kv;
	t.nrecords = a->nkv;
	int rc = ipam_zone_template_set(c->db, a->pos[0], &t);
	if (rc)
		return fail_lib(c, rc, NULL);
	cJSON *o = cJSON_CreateObject();
	json_str(o, "template", a->pos[0]);
	cJSON_AddNumberToObject(o, "records", (double)a->nkv);
	char text[300];
	snprintf(text, sizeof text, "zone template %.200s set (%zu records)", a->pos[0], a->nkv);
	return out_item(c, K_TEXT, o, text);
}

int cmd_template_rm(struct ctl *c, const struct args *a)
{
	return out_done(c, ipam_zone_template_rm(c->db, a->pos[0]), "removed", a->pos[0], NULL, NULL,
	                "zone template %.200s removed", a->pos[0]);
}

int cmd_ip_dns(struct ctl *c, const struct args *a)
{
	ipam_addr addr;
	int st = arg_addr(c, &addr, a->pos[0], "ip dns");
	if (st)
		return st;
	ipam_buf b = IPAM_BUF_INIT;
	int rc = ipam_ip_dns(&b, c->db, a->val[OPT_SPACE], &addr);
	if (rc)
		return fail_lib(c, rc, NULL);
	cJSON *o = cJSON_Parse(b.ptr);
	ipam_buf_dispose(&b);
	if (!o)
		return fail_nomem(c);
	if (c->json)
		return out_item(c, K_TEXT, o, NULL);
	const char *lists[2] = { "records", "notes" };
	for (int i = 0; i < 2; i++)
		for (const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, lists[i])->child; x; x = x->next)
			fprintf(c->out, "%s%s\n", i ? "; " : "", x->valuestring);
	cJSON_Delete(o);
	return ST_OK;
}

int cmd_rpz_add(struct ctl *c, const struct args *a)
{
	return out_done(c, ipam_rpz_add(c->db, a->pos[0], a->pos[1], a->seen[OPT_REPLACE]), "zone", a->pos[0], "added",
	                a->pos[1], "%.200s: added %.300s", a->pos[0], a->pos[1]);
}

int cmd_rpz_rm(struct ctl *c, const struct args *a)
{
	return out_done(c, ipam_rpz_rm(c->db, a->pos[0], a->pos[1]), "zone", a->pos[0], "removed", a->pos[1],
	                "%.200s: removed the policy of %.300s", a->pos[0], a->pos[1]);
}

int cmd_rpz_list(struct ctl *c, const struct args *a)
{
	ipam_buf b = IPAM_BUF_INIT;
	int rc = ipam_rpz_list(&b, c->db, a->npos ? a->pos[0] : NULL);
	if (rc || c->json)
		return out_json_list(c, K_TEXT, rc, &b);
	/* one line a policy: ZONE POLICY */
	cJSON *arr = cJSON_Parse(b.ptr);
	ipam_buf_dispose(&b);
	if (!arr)
		return fail_nomem(c);
	for (const cJSON *p = arr->child; p; p = p->next)
		fprintf(c->out, "%s %s\n", cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(p, "zone")),
		        cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(p, "policy")));
	cJSON_Delete(arr);
	return ST_OK;
}

int cmd_rpz_render(struct ctl *c, const struct args *a)
{
	const char *path = a->val[OPT_POLICIES];
	uint32_t ttl = 0;
	int st;
	if (a->val[OPT_TTL] && (st = arg_u32(c, &ttl, a->val[OPT_TTL], "ttl")))
		return st;
	if (!path) {
		/* the stored policies of the zone */
		ipam_buf zone = IPAM_BUF_INIT;
		if ((st = ctl_open_db(c)))
			return st;
		int rc = ipam_rpz_zone_render(&zone, c->db, a->pos[0], ttl);
		if (rc)
			return fail_lib(c, rc, NULL);
		return out_zone_file(c, &zone, a->val[OPT_OUTPUT], "rpz render");
	}
	FILE *f = fopen(path, "rb");
	if (!f)
		return fail_as(c, "IO", "--policies: %.200s: %s", path, strerror(errno));
	ipam_buf text = IPAM_BUF_INIT, zone = IPAM_BUF_INIT;
	char chunk[4096];
	size_t n;
	st = ST_OK;
	while (st == ST_OK && (n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		size_t need = text.size + n + 1;
		if (need > text.asize) {
			char *p = realloc(text.ptr, need * 2);
			if (!p) {
				st = fail_nomem(c);
				break;
			}
			text.ptr = p;
			text.asize = need * 2;
		}
		memcpy(text.ptr + text.size, chunk, n);
		text.size += n;
		text.ptr[text.size] = '\0';
	}
	fclose(f);
	if (st == ST_OK) {
		int rc = ipam_rpz_render(&zone, a->pos[0], text.ptr ? text.ptr : "", text.size, path, ttl);
		if (rc)
			st = fail_lib(c, rc, NULL);
	}
	free(text.ptr);
	if (st)
		return st;
	return out_zone_file(c, &zone, a->val[OPT_OUTPUT], "rpz render");
}
