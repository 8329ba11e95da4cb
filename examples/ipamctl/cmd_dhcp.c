/* Commands: scope *, pool *, option *, reserve *, dhcp render|push|server,
 * lease sync (include/ipam/dhcp.h). The library answers lists and shows in
 * JSON; --json prints them as they are, the human form is one line an item. */
#include "ipamctl.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

/* A JSON answer of the library: parsed, or an error. */
static int parse_answer(struct ctl *c, int rc, ipam_buf *b, cJSON **out)
{
	*out = NULL;
	if (rc) {
		ipam_buf_dispose(b);
		return fail_lib(c, rc, NULL);
	}
	*out = cJSON_Parse(b->ptr ? b->ptr : "");
	ipam_buf_dispose(b);
	return *out ? ST_OK : fail_nomem(c);
}

static const char *jstr(const cJSON *o, const char *key)
{
	const char *s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
	return s ? s : "-";
}

/* A list: JSON items, or one human line each made by `line`. */
static int out_dhcp_list(struct ctl *c, int rc, ipam_buf *b, void (*line)(FILE *f, const cJSON *item))
{
	cJSON *arr;
	int st = parse_answer(c, rc, b, &arr);
	if (st)
		return st;
	if (!c->json) {
		for (const cJSON *x = arr->child; x; x = x->next)
			line(c->out, x);
		cJSON_Delete(arr);
		return ST_OK;
	}
	out_list_begin(c, K_TEXT);
	for (cJSON *x = arr->child; st == ST_OK && x; x = x->next)
		st = out_list_add(c, cJSON_Duplicate(x, 1));
	out_list_end(c);
	cJSON_Delete(arr);
	return st;
}

/* A change that answers nothing: {"key": value, "done": what} and a line. */
static int out_changed(struct ctl *c, int rc, const char *key, const char *value, const char *what)
{
	if (rc)
		return fail_lib(c, rc, NULL);
	cJSON *o = cJSON_CreateObject();
	json_str(o, key, value);
	json_str(o, "done", what);
	char text[600];
	snprintf(text, sizeof text, "%s %.200s %s", key, value, what);
	return out_item(c, K_TEXT, o, text);
}

static int arg_seconds(struct ctl *c, uint32_t *out, const char *text, const char *what)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(text, &end, 10);
	if (!*text || *end || errno || v > 2147483647ul || text[0] == '-')
		return fail_inval(c, "--%s: '%.100s' is not a number of seconds", what, text);
	*out = (uint32_t)v;
	return ST_OK;
}

/* ---- scopes ------------------------------------------------------------------------ */

static int scope_opts(struct ctl *c, const struct args *a, ipam_scope_options *o, char pair_buf[256])
{
	o->space = a->val[OPT_SPACE];
	o->template_name = a->val[OPT_TEMPLATE];
	o->description = a->val[OPT_DESCRIPTION];
	o->servers = a->val[OPT_SERVER];
	const char *ha = a->val[OPT_HA];
	if (ha) { /* PRIMARY,STANDBY into a buffer of the caller's */
		const char *comma = strchr(ha, ',');
		size_t n = comma ? (size_t)(comma - ha) : 0;
		if (!comma || !n || !comma[1] || strchr(comma + 1, ',') || n >= 256)
			return fail_inval(c, "--ha: '%.100s' is not PRIMARY,STANDBY", ha);
		memcpy(pair_buf, ha, n);
		pair_buf[n] = '\0';
		o->ha_primary = pair_buf;
		o->ha_standby = comma + 1;
	}
	return a->val[OPT_TTL] ? arg_seconds(c, &o->valid, a->val[OPT_TTL], "ttl") : ST_OK;
}

static int out_scope(struct ctl *c, const char *name, const char *verb)
{
	ipam_buf b = IPAM_BUF_INIT;
	cJSON *o;
	int st = parse_answer(c, ipam_scope_show(&b, c->db, name), &b, &o);
	if (st)
		return st;
	char text[400];
	snprintf(text, sizeof text, "scope %.200s %s (%s, subnet id %.0f)", name, verb, jstr(o, "prefix"),
		 cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(o, "id")));
	return out_item(c, K_TEXT, o, text);
}

int cmd_scope_add(struct ctl *c, const struct args *a)
{
	ipam_scope_options o = IPAM_SCOPE_OPTIONS_INIT;
	char primary[256];
	int st = scope_opts(c, a, &o, primary);
	if (st)
		return st;
	int rc = ipam_scope_add(c->db, a->pos[0], a->pos[1], &o);
	return rc ? fail_lib(c, rc, NULL) : out_scope(c, a->pos[0], "added");
}

/* scope set: the options given replace those settings, the others stay
 * ("" clears a text setting). */
int cmd_scope_set(struct ctl *c, const struct args *a)
{
	ipam_scope_options o = IPAM_SCOPE_OPTIONS_INIT;
	char primary[256];
	int st = scope_opts(c, a, &o, primary);
	if (st)
		return st;
	o.space = NULL; /* a scope keeps its space */
	static const struct {
		int opt;
		unsigned int field;
	} given[] = {{OPT_TEMPLATE, IPAM_SCOPE_SET_TEMPLATE}, {OPT_DESCRIPTION, IPAM_SCOPE_SET_DESCRIPTION},
		     {OPT_SERVER, IPAM_SCOPE_SET_SERVERS}, {OPT_HA, IPAM_SCOPE_SET_HA}, {OPT_TTL, IPAM_SCOPE_SET_VALID}};
	for (size_t i = 0; i < sizeof given / sizeof *given; i++)
		if (a->val[given[i].opt])
			o.fields |= given[i].field;
	if (!o.fields)
		return out_scope(c, a->pos[0], "set"); /* nothing to change */
	int rc = ipam_scope_set(c->db, a->pos[0], &o);
	return rc ? fail_lib(c, rc, NULL) : out_scope(c, a->pos[0], "set");
}

static void scope_line(FILE *f, const cJSON *s)
{
	char *servers = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(s, "servers"));
	fprintf(f, "%s\t%s\t%s\tid %.0f\ttemplate %s\tpools %.0f\treservations %.0f\tservers %s\n", jstr(s, "name"),
		jstr(s, "space"), jstr(s, "prefix"), cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(s, "id")),
		jstr(s, "template"), cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(s, "pools")),
		cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(s, "reservations")), servers ? servers : "[]");
	cJSON_free(servers);
}

int cmd_scope_list(struct ctl *c, const struct args *a)
{
	(void)a;
	ipam_buf b = IPAM_BUF_INIT;
	return out_dhcp_list(c, ipam_scope_list(&b, c->db), &b, scope_line);
}

int cmd_scope_show(struct ctl *c, const struct args *a)
{
	ipam_buf b = IPAM_BUF_INIT;
	cJSON *o;
	int st = parse_answer(c, ipam_scope_show(&b, c->db, a->pos[0]), &b, &o);
	if (st || c->json)
		return st ? st : out_item(c, K_TEXT, o, NULL);
	char *text = cJSON_Print(o); /* human: the same, indented */
	cJSON_Delete(o);
	if (!text)
		return fail_nomem(c);
	fprintf(c->out, "%s\n", text);
	cJSON_free(text);
	return ST_OK;
}

int cmd_scope_rm(struct ctl *c, const struct args *a)
{
	return out_changed(c, ipam_scope_rm(c->db, a->pos[0], a->seen[OPT_LEASES] ? IPAM_SCOPE_RM_LEASES : 0), "scope",
			   a->pos[0], a->seen[OPT_LEASES] ? "removed with its leases" : "removed");
}

/* ---- pools and reservations ------------------------------------------------------------ */

int cmd_pool_add(struct ctl *c, const struct args *a)
{
	int rc = ipam_pool_add(c->db, a->pos[0], a->pos[1], a->val[OPT_EXCLUDE]);
	return rc ? fail_lib(c, rc, NULL) : out_changed(c, 0, "pool", a->pos[1], "added");
}

int cmd_pool_rm(struct ctl *c, const struct args *a)
{
	return out_changed(c, ipam_pool_rm(c->db, a->pos[0], a->pos[1]), "pool", a->pos[1], "removed");
}

int cmd_reserve_add(struct ctl *c, const struct args *a)
{
	const char *kinds[3] = {"mac:", "client-id:", "duid:"};
	const char *vals[3] = {a->val[OPT_MAC], a->val[OPT_CLIENT_ID], a->val[OPT_DUID]};
	int n = 0, k = 0;
	for (int i = 0; i < 3; i++)
		if (vals[i])
			n++, k = i;
	if (n != 1)
		return fail_usage(c, "reserve add: give one of --mac, --client-id, --duid");
	char ident[600];
	snprintf(ident, sizeof ident, "%s%.500s", kinds[k], vals[k]);
	int rc = ipam_reservation_add(c->db, a->pos[0], a->pos[1], ident, a->val[OPT_HOSTNAME]);
	return rc ? fail_lib(c, rc, NULL) : out_changed(c, 0, "reservation", a->pos[1], "added");
}

/* reserve ADDR --mac M: in the scope given, else the one whose prefix holds ADDR */
int cmd_reserve_addr(struct ctl *c, const struct args *a)
{
	ipam_addr addr;
	int st = arg_addr(c, &addr, a->pos[0], "reserve");
	if (st)
		return st;
	char scope[256] = "";
	if (a->val[OPT_SCOPE]) {
		snprintf(scope, sizeof scope, "%s", a->val[OPT_SCOPE]);
	} else {
		ipam_buf b = IPAM_BUF_INIT;
		int rc = ipam_scope_list(&b, c->db);
		if (rc)
			return fail_lib(c, rc, NULL);
		cJSON *list = cJSON_Parse(b.ptr);
		ipam_buf_dispose(&b);
		unsigned best = 0;
		const cJSON *s;
		cJSON_ArrayForEach(s, list)
		{
			ipam_prefix p;
			const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(s, "name"));
			const char *pfx = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(s, "prefix"));
			if (name && pfx && ipam_prefix_parse(&p, pfx, IPAM_PARSE_DEFAULT) == 0 && ipam_prefix_contains(&p, &addr) &&
			    (!scope[0] || p.len > best)) {
				snprintf(scope, sizeof scope, "%s", name);
				best = p.len;
			}
		}
		cJSON_Delete(list);
		if (!scope[0])
			return fail_as(c, "NOTFOUND", "reserve: no scope holds %.100s (add one with scope add, or give --scope)",
			               a->pos[0]);
	}
	struct args b = *a;
	b.pos[0] = scope;
	b.pos[1] = a->pos[0];
	b.npos = 2;
	return cmd_reserve_add(c, &b);
}

int cmd_reserve_rm(struct ctl *c, const struct args *a)
{
	return out_changed(c, ipam_reservation_rm(c->db, a->pos[0], a->pos[1]), "reservation", a->pos[1], "removed");
}

static void resv_line(FILE *f, const cJSON *r)
{
	static const char *const ids[] = {"mac", "client_id", "duid", "circuit_id"};
	const char *id = "-", *kind = "";
	for (size_t i = 0; i < 4 && !strcmp(id, "-"); i++)
		if (strcmp(jstr(r, ids[i]), "-"))
			id = jstr(r, ids[i]), kind = ids[i];
	fprintf(f, "%s\t%s %s\t%s\n", jstr(r, "address"), kind, id, jstr(r, "hostname"));
}

int cmd_reserve_list(struct ctl *c, const struct args *a)
{
	ipam_buf b = IPAM_BUF_INIT;
	return out_dhcp_list(c, ipam_reservation_list(&b, c->db, a->pos[0]), &b, resv_line);
}

/* ---- options ------------------------------------------------------------------------ */

/* --scope S [--pool --address START | --address A] | --template T | neither
 * (global); --family 4|6 for the global and template levels. */
static int option_target(struct ctl *c, const struct args *a, ipam_option_target *t)
{
	const char *fam = a->val[OPT_FAMILY];
	if (fam && strcmp(fam, "4") && strcmp(fam, "6"))
		return fail_inval(c, "--family: '%.20s' is not 4 or 6", fam);
	t->family = fam ? atoi(fam) : 4;
	if (a->val[OPT_SCOPE] && a->val[OPT_TEMPLATE])
		return fail_usage(c, "%s: --scope or --template, not both", c->cmd->name);
	if ((a->seen[OPT_POOL] || a->val[OPT_ADDRESS]) && !a->val[OPT_SCOPE])
		return fail_usage(c, "%s: --pool and --address need --scope", c->cmd->name);
	if (a->seen[OPT_POOL] && !a->val[OPT_ADDRESS])
		return fail_usage(c, "%s: --pool needs --address (the pool's first address)", c->cmd->name);
	t->name = a->val[OPT_SCOPE] ? a->val[OPT_SCOPE] : a->val[OPT_TEMPLATE];
	t->level = a->val[OPT_TEMPLATE] ? IPAM_OPTION_TEMPLATE
		   : !a->val[OPT_SCOPE]  ? IPAM_OPTION_GLOBAL
		   : a->seen[OPT_POOL]   ? IPAM_OPTION_POOL
		   : a->val[OPT_ADDRESS] ? IPAM_OPTION_RESERVATION
					 : IPAM_OPTION_SCOPE;
	t->pool = t->address = a->val[OPT_ADDRESS];
	return ST_OK;
}

int cmd_option_set(struct ctl *c, const struct args *a)
{
	ipam_option_target t = IPAM_OPTION_TARGET_INIT;
	int st = option_target(c, a, &t);
	if (st)
		return st;
	int rc = ipam_option_set(c->db, &t, a->pos[0], a->pos[1]);
	return rc ? fail_lib(c, rc, NULL) : out_changed(c, 0, "option", a->pos[0], "set");
}

int cmd_option_rm(struct ctl *c, const struct args *a)
{
	ipam_option_target t = IPAM_OPTION_TARGET_INIT;
	int st = option_target(c, a, &t);
	return st ? st : out_changed(c, ipam_option_rm(c->db, &t, a->pos[0]), "option", a->pos[0], "removed");
}

static void option_line(FILE *f, const cJSON *o)
{
	fprintf(f, "%s (%.0f)\t%s\n", jstr(o, "name"), cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(o, "code")),
		jstr(o, "value"));
}

int cmd_option_list(struct ctl *c, const struct args *a)
{
	ipam_option_target t = IPAM_OPTION_TARGET_INIT;
	int st = option_target(c, a, &t);
	if (st)
		return st;
	ipam_buf b = IPAM_BUF_INIT;
	return out_dhcp_list(c, ipam_option_list(&b, c->db, &t), &b, option_line);
}

int cmd_option_define(struct ctl *c, const struct args *a)
{
	char *end;
	unsigned long code = strtoul(a->pos[1], &end, 10);
	if (!a->pos[1][0] || *end || code > 65535)
		return fail_inval(c, "option define: code '%.20s' is not a number from 1 to 65535", a->pos[1]);
	const char *fam = a->val[OPT_FAMILY];
	if (fam && strcmp(fam, "4") && strcmp(fam, "6"))
		return fail_inval(c, "--family: '%.20s' is not 4 or 6", fam);
	return out_changed(c, ipam_option_define(c->db, fam ? atoi(fam) : 4, 0, (unsigned)code, a->pos[0], a->pos[2]),
			   "option", a->pos[0], "defined");
}

static void template_line(FILE *f, const cJSON *t)
{
	char *users = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(t, "scopes"));
	fprintf(f, "%s\t%d options\tscopes %s\n", jstr(t, "name"),
		cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(t, "options")), users ? users : "[]");
	cJSON_free(users);
}

int cmd_option_template(struct ctl *c, const struct args *a)
{
	const char *act = a->pos[0];
	if (!strcmp(act, "list")) {
		if (a->npos != 1)
			return fail_usage(c, "option template list: no NAME");
		ipam_buf b = IPAM_BUF_INIT;
		return out_dhcp_list(c, ipam_option_template_list(&b, c->db), &b, template_line);
	}
	if (a->npos != 2 || (strcmp(act, "add") && strcmp(act, "rm")))
		return fail_usage(c, "usage: ipamctl %s", c->cmd->synopsis);
	bool add = !strcmp(act, "add");
	return out_changed(c, add ? ipam_option_template_add(c->db, a->pos[1]) : ipam_option_template_rm(c->db, a->pos[1]),
			   "option template", a->pos[1], add ? "added" : "removed");
}

/* ---- servers, render, push, lease sync --------------------------------------------------- */

/* The first line of a file (the password: the command line would show it
 * to every user of the machine), in guarded memory the caller frees. */
static int read_password(struct ctl *c, char **out, const char *path)
{
	*out = NULL;
	if (sodium_init() < 0)
		return fail_as(c, "ERROR", "--password-file: libsodium did not initialise");
	FILE *f = fopen(path, "rb");
	if (!f)
		return fail_as(c, "IO", "--password-file: %.200s: %s", path, strerror(errno));
	char *buf = sodium_malloc(1025);
	size_t n = buf ? fread(buf, 1, 1024, f) : 0;
	fclose(f);
	if (!buf)
		return fail_nomem(c);
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	if (!buf[0]) {
		sodium_free(buf);
		return fail_inval(c, "--password-file: %.200s is empty", path);
	}
	*out = buf;
	return ST_OK;
}

static void server_line(FILE *f, const cJSON *s)
{
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(s, "pushed");
	fprintf(f, "%s\t%s\t%s\tuser %s\tpushed", jstr(s, "name"), jstr(s, "dhcp"), jstr(s, "url"), jstr(s, "user"));
	for (const cJSON *x = p ? p->child : NULL; x; x = x->next)
		fprintf(f, " %s:%.12s", x->string, jstr(x, "digest"));
	fputc('\n', f);
}

int cmd_dhcp_server(struct ctl *c, const struct args *a)
{
	const char *act = a->pos[0];
	if (!strcmp(act, "list") && a->npos == 1) {
		ipam_buf b = IPAM_BUF_INIT;
		return out_dhcp_list(c, ipam_dhcp_server_list(&b, c->db), &b, server_line);
	}
	if (a->npos != 2 || (strcmp(act, "add") && strcmp(act, "rm")))
		return fail_usage(c, "usage: ipamctl %s", c->cmd->synopsis);
	if (!strcmp(act, "rm"))
		return out_changed(c, ipam_dhcp_server_rm(c->db, a->pos[1]), "DHCP server", a->pos[1], "removed");
	ipam_dhcp_server_options o = IPAM_DHCP_SERVER_OPTIONS_INIT;
	const char *type = a->val[OPT_TYPE] ? a->val[OPT_TYPE] : "kea";
	if (strcmp(type, "kea") && strcmp(type, "dhcpd"))
		return fail_inval(c, "--type: '%.40s' is not kea or dhcpd", type);
	o.type = strcmp(type, "kea") ? IPAM_DHCP_DHCPD : IPAM_DHCP_KEA;
	o.url = a->val[OPT_API_URL];
	o.user = a->val[OPT_USER];
	o.write_dir = a->val[OPT_WRITE_DIR];
	o.failover_address = a->val[OPT_ADDRESS];
	if (a->val[OPT_PORT]) {
		char *end;
		unsigned long p = strtoul(a->val[OPT_PORT], &end, 10);
		if (*end || !a->val[OPT_PORT][0] || p == 0 || p > 65535)
			return fail_inval(c, "--port: '%.100s' is not a port (1..65535)", a->val[OPT_PORT]);
		o.failover_port = (unsigned)p;
	}
	char *pw = NULL;
	int st = a->val[OPT_PASSWORD_FILE] ? read_password(c, &pw, a->val[OPT_PASSWORD_FILE]) : ST_OK;
	if (st)
		return st;
	o.password = pw;
	int rc = ipam_dhcp_server_add(c->db, a->pos[1], &o, a->seen[OPT_REPLACE]);
	if (pw)
		sodium_free(pw);
	return out_changed(c, rc, "DHCP server", a->pos[1], a->seen[OPT_REPLACE] ? "set" : "added");
}

/* A whole file into `out` (NUL-terminated; free(out->ptr)). */
static int read_text(struct ctl *c, ipam_buf *out, const char *path, const char *what)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return fail_as(c, "IO", "%s: %.200s: %s", what, path, strerror(errno));
	char chunk[8192];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		char *p = realloc(out->ptr, out->size + n + 1);
		if (!p) {
			fclose(f);
			free(out->ptr);
			out->ptr = NULL;
			return fail_nomem(c);
		}
		memcpy(p + out->size, chunk, n);
		out->ptr = p;
		out->size += n;
		out->ptr[out->size] = '\0';
	}
	fclose(f);
	return ST_OK;
}

int cmd_dhcp_import(struct ctl *c, const struct args *a)
{
	ipam_dhcp_import_options o = IPAM_DHCP_IMPORT_OPTIONS_INIT;
	if (strcmp(a->pos[0], "kea") && strcmp(a->pos[0], "dhcpd"))
		return fail_usage(c, "dhcp import: FORMAT is kea or dhcpd, not '%.40s'", a->pos[0]);
	o.format = strcmp(a->pos[0], "kea") ? IPAM_DHCP_IMPORT_DHCPD : IPAM_DHCP_IMPORT_KEA;
	o.space = a->val[OPT_SPACE];
	o.server = a->val[OPT_SERVER];
	ipam_buf text = IPAM_BUF_INIT, notes = IPAM_BUF_INIT;
	int st = read_text(c, &text, a->pos[1], "dhcp import");
	if (st)
		return st;
	size_t n = 0;
	int rc = ipam_dhcp_import(&notes, &n, c->db, text.ptr ? text.ptr : "", text.size, a->pos[1], &o);
	free(text.ptr);
	if (rc) {
		ipam_buf_dispose(&notes);
		return fail_lib(c, rc, NULL);
	}
	if (!c->json && notes.ptr)
		fputs(notes.ptr, c->out);
	cJSON *j = cJSON_CreateObject();
	cJSON_AddNumberToObject(j, "scopes", (double)n);
	json_str(j, "notes", notes.ptr ? notes.ptr : "");
	ipam_buf_dispose(&notes);
	char line[300];
	snprintf(line, sizeof line, "%zu scopes imported from %.200s", n, a->pos[1]);
	return out_item(c, K_TEXT, j, line);
}

int cmd_dhcp_render(struct ctl *c, const struct args *a)
{
	static const char *const names[] = {"kea4", "kea6", "dhcpd"};
	const char *fmt = a->val[OPT_FORMAT];
	int format = -1;
	for (int i = 0; fmt && i < 3; i++)
		if (!strcmp(fmt, names[i]))
			format = i;
	if (format < 0)
		return fail_usage(c, "dhcp render: --format kea4, kea6 or dhcpd is required");
	if (!a->val[OPT_OUTPUT] && c->batch)
		return fail_usage(c, "dhcp render: in batch, write the config with -o FILE");
	ipam_buf base = IPAM_BUF_INIT, out = IPAM_BUF_INIT;
	int st = a->val[OPT_FROM] ? read_text(c, &base, a->val[OPT_FROM], "--from") : ST_OK;
	if (st)
		return st;
	int rc = ipam_dhcp_render(&out, c->db, format, a->val[OPT_SERVER], base.ptr);
	free(base.ptr);
	if (rc)
		return fail_lib(c, rc, NULL);
	if (!a->val[OPT_OUTPUT]) {
		if (fwrite(out.ptr, 1, out.size, c->out) != out.size)
			st = fail_as(c, "IO", "dhcp render: writing failed");
		if (!st && out.size && out.ptr[out.size - 1] != '\n')
			fputc('\n', c->out);
	} else if (!(st = write_file_atomic(c, a->val[OPT_OUTPUT], out.ptr, out.size, 0644, false))) {
		char text[300];
		snprintf(text, sizeof text, "wrote %zu bytes to %.200s", out.size, a->val[OPT_OUTPUT]);
		cJSON *o = cJSON_CreateObject();
		json_str(o, "rendered", a->val[OPT_OUTPUT]);
		cJSON_AddNumberToObject(o, "bytes", (double)out.size);
		st = out_item(c, K_TEXT, o, text);
	}
	ipam_buf_dispose(&out);
	return st;
}

int cmd_dhcp_push(struct ctl *c, const struct args *a)
{
	if (!a->val[OPT_SERVER])
		return fail_usage(c, "dhcp push: --server NAME is required");
	ipam_buf r = IPAM_BUF_INIT;
	int rc = ipam_dhcp_push(&r, c->db, a->val[OPT_SERVER], a->seen[OPT_DRY_RUN] ? IPAM_DHCP_PUSH_DRY_RUN : 0);
	if (rc) {
		if (!c->json && r.ptr) /* what was done before the failure */
			fputs(r.ptr, c->out);
		ipam_buf_dispose(&r);
		return fail_lib(c, rc, NULL);
	}
	cJSON *o = cJSON_CreateObject();
	json_str(o, "server", a->val[OPT_SERVER]);
	cJSON_AddBoolToObject(o, "dry_run", a->seen[OPT_DRY_RUN]);
	json_str(o, "report", r.ptr ? r.ptr : "");
	size_t n = r.size;
	while (n && r.ptr[n - 1] == '\n')
		r.ptr[--n] = '\0';
	int st = out_item(c, K_TEXT, o, r.ptr ? r.ptr : "");
	ipam_buf_dispose(&r);
	return st;
}

int cmd_lease_sync(struct ctl *c, const struct args *a)
{
	ipam_lease_sync_options o = IPAM_LEASE_SYNC_OPTIONS_INIT;
	o.space = a->val[OPT_SPACE];
	if (a->npos && a->val[OPT_FILE])
		return fail_usage(c, "lease sync: give the lease file once (FILE or --file PATH)");
	o.path = a->npos ? a->pos[0] : a->val[OPT_FILE];
	o.server = a->val[OPT_SERVER];
	if (!o.path == !o.server)
		return fail_usage(c, "lease sync: give a lease FILE or --server NAME");
	const char *fmt = a->val[OPT_FORMAT];
	if (fmt && strcmp(fmt, "kea-csv") && strcmp(fmt, "dhcpd"))
		return fail_inval(c, "--format: '%.40s' is not kea-csv or dhcpd", fmt);
	o.format = fmt && !strcmp(fmt, "dhcpd") ? IPAM_LEASES_DHCPD : IPAM_LEASES_KEA_CSV;
	if (a->val[OPT_PUSH_DNS]) {
		o.flags |= IPAM_LEASE_SYNC_PUSH_DNS;
		o.dns_server = a->val[OPT_PUSH_DNS];
		o.dns_view = a->val[OPT_VIEW];
	}
	ipam_lease_sync_stats s;
	ipam_buf r = IPAM_BUF_INIT;
	int rc = ipam_lease_sync(&s, &r, c->db, &o);
	if (rc) {
		if (!c->json && r.ptr)
			fputs(r.ptr, c->out);
		ipam_buf_dispose(&r);
		return fail_lib(c, rc, NULL);
	}
	cJSON *j = cJSON_CreateObject();
	cJSON_AddNumberToObject(j, "added", (double)s.added);
	cJSON_AddNumberToObject(j, "updated", (double)s.updated);
	cJSON_AddNumberToObject(j, "released", (double)s.released);
	cJSON_AddNumberToObject(j, "skipped", (double)s.skipped);
	cJSON_AddNumberToObject(j, "zones_pushed", (double)s.zones_pushed);
	json_str(j, "dns_report", r.ptr ? r.ptr : "");
	if (!c->json && r.ptr)
		fputs(r.ptr, c->out);
	ipam_buf_dispose(&r);
	char text[300];
	snprintf(text, sizeof text, "leases: %zu added, %zu updated, %zu released, %zu skipped; %zu DNS zones pushed",
		 s.added, s.updated, s.released, s.skipped, s.zones_pushed);
	return out_item(c, K_TEXT, j, text);
}
