/* The public DHCP API (include/ipam/dhcp.h), its server half: DHCP servers
 * as stored objects (kind SERVER, attrs {"dhcp": "kea" | "dhcpd", ...},
 * the agent's password sealed), rendering, pushes with their state (kind
 * STATE under the server, one per family: digest, time, result; its put is
 * the push's audit entry "dhcp.push"), and lease sync with the DNS pushes
 * that may follow it. No lock is held while a server is talked to. */
#include "dhcp/world.h"
#include "io/io.h"

#include <cjson/cJSON.h>
#include <ipam/dhcp.h>
#include <ipam/dns.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static const uint8_t no_parent[16];

int ipam_dhcp_server_options_init(ipam_dhcp_server_options *opts, unsigned int version)
{
	if (!opts)
		return ipam__error(IPAM_EINVAL, "DHCP server options: NULL");
	int rc = ipam__check_version(version, IPAM_DHCP_SERVER_OPTIONS_VERSION, "ipam_dhcp_server_options");
	if (rc)
		return rc;
	ipam_dhcp_server_options d = IPAM_DHCP_SERVER_OPTIONS_INIT;
	*opts = d;
	return 0;
}

static int server_attrs(ipam_db *db, const char *name, const ipam_dhcp_server_options *o, char **out)
{
	int rc = 0;
	if (o->type != IPAM_DHCP_KEA && o->type != IPAM_DHCP_DHCPD)
		return ipam__error(IPAM_EINVAL, "DHCP server %s: unknown type %d", name, o->type);
	if (o->url && strncmp(o->url, "http://", 7) && strncmp(o->url, "https://", 8))
		return ipam__error(IPAM_EINVAL, "DHCP server %s: url must be an http:// or https:// URL", name);
	if (o->url && (strchr(o->url, '@') || strlen(o->url) > 1000))
		return ipam__error(IPAM_EINVAL, "DHCP server %s: url: give credentials as user and password, not in the URL",
				   name);
	if (o->type == IPAM_DHCP_DHCPD && (o->url || o->user))
		return ipam__error(IPAM_EINVAL, "DHCP server %s: ISC dhcpd has no control agent (no url or user)", name);
	if (!o->user != !o->password)
		return ipam__error(IPAM_EINVAL, "DHCP server %s: basic auth needs both user and password", name);
	if (o->user && strchr(o->user, ':'))
		return ipam__error(IPAM_EINVAL, "DHCP server %s: user: no ':' in a basic auth user", name);
	ipam_addr fa;
	if (o->failover_address && (o->type != IPAM_DHCP_DHCPD || ipam_addr_parse(&fa, o->failover_address) ||
				    fa.family != IPAM_AF_INET))
		return ipam__error(IPAM_EINVAL, "DHCP server %s: failover_address: an IPv4 address, for ISC dhcpd only", name);
	if (o->failover_port > 65535)
		return ipam__error(IPAM_EINVAL, "DHCP server %s: failover_port %u is above 65535", name, o->failover_port);
	if (o->write_dir && *o->write_dir != '/')
		return ipam__error(IPAM_EINVAL, "DHCP server %s: write_dir must be an absolute path", name);
	cJSON *a = cJSON_CreateObject();
	if (!a || !cJSON_AddStringToObject(a, "dhcp", o->type == IPAM_DHCP_KEA ? "kea" : "dhcpd") ||
	    (o->url && !cJSON_AddStringToObject(a, "url", o->url)) ||
	    (o->user && !cJSON_AddStringToObject(a, "user", o->user)) ||
	    (o->write_dir && !cJSON_AddStringToObject(a, "write_dir", o->write_dir)) ||
	    (o->failover_address && (!cJSON_AddStringToObject(a, "failover_address", o->failover_address) ||
				     !cJSON_AddNumberToObject(a, "failover_port", o->failover_port ? o->failover_port : 647))) ||
	    !cJSON_AddNumberToObject(a, "timeout_ms", o->timeout_ms))
		rc = ipam__enomem();
	if (!rc)
		rc = ipam__seal_json(db, a, "password", o->password);
	*out = rc ? NULL : cJSON_PrintUnformatted(a);
	cJSON_Delete(a);
	return rc ? rc : *out ? 0 : ipam__enomem();
}

int ipam_dhcp_server_add(ipam_db *db, const char *name, const ipam_dhcp_server_options *opts, int replace)
{
	if (!db || !name || !opts)
		return ipam__error(IPAM_EINVAL, "DHCP server add: no database, name or options");
	int rc = ipam__check_version(opts->version, IPAM_DHCP_SERVER_OPTIONS_VERSION, "ipam_dhcp_server_options");
	if (rc)
		return rc;
	ipam__scope sc;
	if ((rc = ipam__enter(db, 1, &sc)))
		return rc;
	char *attrs = NULL;
	ipam__obj so;
	if (ipam__obj_get(db, IPAM_STORE_SERVER, no_parent, name, &so) == 0 &&
	    (!replace || ipam__dhcp_server_obj(db, name, &so)))
		rc = ipam__error(IPAM_EEXISTS, "server %s already exists", name);
	if (!rc && !(rc = server_attrs(db, name, opts, &attrs))) {
		memset(&so, 0, sizeof so);
		so.kind = IPAM_STORE_SERVER;
		so.name = name;
		so.attrs = attrs;
		rc = ipam__obj_put(db, &so, replace ? 0 : IPAM__OBJ_NEW, replace ? "dhcp-server.set" : "dhcp-server.add");
	}
	cJSON_free(attrs);
	return ipam__leave(db, &sc, rc);
}

typedef struct key_list {
	char **v;
	size_t n;
} key_list;

static int collect_key(void *ctx, const ipam__obj *o)
{
	key_list *l = ctx;
	char **p = realloc(l->v, (l->n + 1) * sizeof *p);
	if (!p)
		return ipam__enomem();
	l->v = p;
	return (l->v[l->n] = ipam__strdup(o->name)) ? (l->n++, 0) : ipam__enomem();
}

static void key_list_free(key_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
}

static int server_rm_txn(ipam_db *db, void *vname)
{
	const char *name = vname;
	ipam__scope sc;
	ipam__dhcp_world w;
	int rc = ipam__enter(db, 1, &sc);
	if (rc)
		return rc;
	ipam__obj so;
	key_list states = {0};
	if (!(rc = ipam__dhcp_server_obj(db, name, &so)) && !(rc = ipam__dhcp_world_load(db, &w, ""))) {
		for (size_t i = 0; !rc && i < w.c->nscopes; i++)
			for (size_t j = 0; !rc && j < w.c->scopes[i]->nservers; j++)
				if (!strcmp(w.c->scopes[i]->servers[j], name))
					rc = ipam__error(IPAM_EINUSE, "DHCP server %s: scope %s names it", name,
							 w.c->scopes[i]->name);
		ipam__dhcp_world_free(&w);
		uint8_t sid[16];
		memcpy(sid, so.id, 16);
		if (!rc)
			rc = ipam__obj_each(db, IPAM_STORE_STATE, sid, collect_key, &states);
		for (size_t i = 0; !rc && i < states.n; i++)
			rc = ipam__obj_del(db, IPAM_STORE_STATE, sid, states.v[i], "dhcp.forget");
		if (!rc)
			rc = ipam__obj_del(db, IPAM_STORE_SERVER, no_parent, name, "dhcp-server.rm");
	}
	key_list_free(&states);
	return ipam__leave(db, &sc, rc);
}

int ipam_dhcp_server_rm(ipam_db *db, const char *name)
{
	if (!db || !name)
		return ipam__error(IPAM_EINVAL, "DHCP server rm: no database or name");
	return ipam__dhcp_run(db, server_rm_txn, (void *)name);
}

typedef struct list_ctx {
	ipam_db *db;
	cJSON *arr;
} list_ctx;

static int add_state(void *vctx, const ipam__obj *o)
{
	cJSON *pushed = vctx, *a = o->attrs ? cJSON_Parse(o->attrs) : NULL;
	return a && cJSON_AddItemToObject(pushed, o->name, a) ? 0 : (cJSON_Delete(a), ipam__enomem());
}

static int list_server(void *vctx, const ipam__obj *o)
{
	list_ctx *x = vctx;
	cJSON *a = o->attrs ? cJSON_Parse(o->attrs) : NULL, *pushed;
	if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(a, "dhcp"))) {
		cJSON_Delete(a);
		return 0; /* a DNS server */
	}
	if (cJSON_GetObjectItemCaseSensitive(a, "password"))
		cJSON_ReplaceItemInObjectCaseSensitive(a, "password", cJSON_CreateString("(sealed)"));
	if (!cJSON_AddStringToObject(a, "name", o->name) || !(pushed = cJSON_AddObjectToObject(a, "pushed")) ||
	    !cJSON_AddItemToArray(x->arr, a)) {
		cJSON_Delete(a);
		return ipam__enomem();
	}
	return ipam__obj_each(x->db, IPAM_STORE_STATE, o->id, add_state, pushed);
}

int ipam_dhcp_server_list(ipam_buf *out, ipam_db *db)
{
	if (!out || !db)
		return ipam__error(IPAM_EINVAL, "DHCP server list: no database or output");
	list_ctx x = {db, cJSON_CreateArray()};
	if (!x.arr)
		return ipam__enomem();
	ipam__scope sc;
	int rc = ipam__enter(db, 0, &sc);
	if (!rc)
		rc = ipam__leave(db, &sc, ipam__obj_each(db, IPAM_STORE_SERVER, no_parent, list_server, &x));
	if (rc) {
		cJSON_Delete(x.arr);
		return rc;
	}
	return ipam__json_to_buf(out, x.arr);
}

/* ---- render ---------------------------------------------------------------------------- */

typedef struct render_ctx {
	ipam_buf *out;
	int format;
	const char *server, *base;
} render_ctx;

static int render_txn(ipam_db *db, render_ctx *x)
{
	ipam__scope sc;
	ipam__dhcp_world w;
	int rc = ipam__enter(db, 0, &sc);
	if (rc)
		return rc;
	if (!(rc = ipam__dhcp_world_load(db, &w, NULL))) {
		ipam_buf b = IPAM_BUF_INIT;
		if (x->server && !ipam__dhcp_server_find(w.c, x->server))
			rc = ipam__error(IPAM_ENOTFOUND, "no DHCP server %s", x->server);
		if (!rc)
			rc = ipam__dhcp_config_check(w.c);
		if (!rc)
			rc = x->format == IPAM_DHCP_FORMAT_DHCPD
				     ? ipam__dhcp_render_dhcpd(&b, w.c, x->server)
				     : ipam__dhcp_render_kea(&b, w.c, x->format == IPAM_DHCP_FORMAT_KEA6 ? IPAM_AF_INET6 : IPAM_AF_INET,
							     x->server, x->base);
		if (!rc) {
			ipam_buf_dispose(x->out);
			*x->out = b;
		} else {
			ipam_buf_dispose(&b);
		}
		ipam__dhcp_world_free(&w);
	}
	return ipam__leave(db, &sc, rc);
}

int ipam_dhcp_render(ipam_buf *out, ipam_db *db, int format, const char *server, const char *base)
{
	if (!out || !db)
		return ipam__error(IPAM_EINVAL, "DHCP render: no database or output");
	if (format < IPAM_DHCP_FORMAT_KEA4 || format > IPAM_DHCP_FORMAT_DHCPD)
		return ipam__error(IPAM_EINVAL, "DHCP render: unknown format %d", format);
	render_ctx x = {out, format, server, base};
	return render_txn(db, &x);
}

/* ---- push -------------------------------------------------------------------------------- */

/* A Kea server as a push needs it, its password opened. */
typedef struct target {
	uint8_t id[16];
	char url[1024], write_dir[1024];
	char *userpwd; /* "user:password", wiped and freed */
	size_t userpwd_len;
	unsigned timeout_ms;
	bool families[2]; /* it serves (or was pushed) v4, v6 */
} target;

static void target_free(target *t)
{
	if (t->userpwd) {
		sodium_memzero(t->userpwd, t->userpwd_len);
		free(t->userpwd);
	}
	t->userpwd = NULL;
}

static void copy_str(char *out, size_t size, const cJSON *a, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(a, key);
	snprintf(out, size, "%s", cJSON_IsString(v) ? v->valuestring : "");
}

static int find_state(void *vctx, const ipam__obj *o)
{
	target *t = vctx;
	if (!strcmp(o->name, "dhcp4"))
		t->families[0] = true;
	else if (!strcmp(o->name, "dhcp6"))
		t->families[1] = true;
	return 0;
}

/* The server (Kea, with a control agent), its credentials opened, and the
 * families to push: those it serves scopes of, and those it was pushed
 * before (so that removing its last scope of a family reaches it). */
static int target_load(ipam_db *db, const ipam__dhcp_world *w, const char *server, target *t)
{
	memset(t, 0, sizeof *t);
	ipam__obj so;
	int rc = ipam__dhcp_server_obj(db, server, &so);
	if (rc)
		return rc;
	memcpy(t->id, so.id, 16);
	cJSON *a = so.attrs ? cJSON_Parse(so.attrs) : NULL;
	const cJSON *kind = cJSON_GetObjectItemCaseSensitive(a, "dhcp"), *pw = cJSON_GetObjectItemCaseSensitive(a, "password");
	const cJSON *to = cJSON_GetObjectItemCaseSensitive(a, "timeout_ms");
	copy_str(t->url, sizeof t->url, a, "url");
	copy_str(t->write_dir, sizeof t->write_dir, a, "write_dir");
	t->timeout_ms = cJSON_IsNumber(to) ? (unsigned)to->valuedouble : 0;
	if (!cJSON_IsString(kind) || strcmp(kind->valuestring, "kea"))
		rc = ipam__error(IPAM_EINVAL, "DHCP server %s is ISC dhcpd: render its dhcpd.conf and install it", server);
	else if (!t->url[0])
		rc = ipam__error(IPAM_EINVAL, "DHCP server %s has no control agent url", server);
	if (!rc && cJSON_IsString(pw)) {
		char user[256];
		void *secret = NULL;
		size_t len = 0;
		copy_str(user, sizeof user, a, "user");
		if (!(rc = ipam__unseal(db, pw->valuestring, &secret, &len))) {
			t->userpwd_len = strlen(user) + 1 + len + 1;
			if (!(t->userpwd = malloc(t->userpwd_len)))
				rc = ipam__enomem();
			else
				snprintf(t->userpwd, t->userpwd_len, "%s:%s", user, (const char *)secret);
			ipam__unsealed_free(secret, len);
		}
	}
	cJSON_Delete(a);
	for (size_t i = 0; !rc && i < w->c->nscopes; i++) {
		const ipam__dhcp_scope *s = w->c->scopes[i];
		for (size_t j = 0; j < s->nservers; j++)
			if (!strcmp(s->servers[j], server))
				t->families[s->prefix.addr.family == IPAM_AF_INET6] = true;
	}
	if (!rc)
		rc = ipam__obj_each(db, IPAM_STORE_STATE, t->id, find_state, t);
	if (rc)
		target_free(t);
	return rc;
}

/* The push state of one family: what was set (its digest), when, and how
 * many scopes; its put is the push's audit entry. */
static int store_push(ipam_db *db, const target *t, const char *service, const ipam_buf *merged, size_t nscopes)
{
	unsigned char h[crypto_hash_sha256_BYTES];
	char hex[2 * sizeof h + 1];
	crypto_hash_sha256(h, (const unsigned char *)merged->ptr, merged->size);
	sodium_bin2hex(hex, sizeof hex, h, sizeof h);
	cJSON *a = cJSON_CreateObject();
	char *attrs = NULL;
	int rc = 0;
	if (!a || !cJSON_AddStringToObject(a, "digest", hex) || !cJSON_AddNumberToObject(a, "time", (double)time(NULL)) ||
	    !cJSON_AddStringToObject(a, "result", "ok") || !cJSON_AddNumberToObject(a, "scopes", (double)nscopes) ||
	    !(attrs = cJSON_PrintUnformatted(a)))
		rc = ipam__enomem();
	cJSON_Delete(a);
	ipam__scope sc;
	if (!rc && !(rc = ipam__enter(db, 1, &sc))) {
		ipam__obj o;
		memset(&o, 0, sizeof o);
		o.kind = IPAM_STORE_STATE;
		memcpy(o.parent, t->id, 16);
		o.name = service;
		o.attrs = attrs;
		rc = ipam__leave(db, &sc, ipam__obj_put(db, &o, 0, "dhcp.push"));
	}
	cJSON_free(attrs);
	return rc;
}

int ipam_dhcp_push(ipam_buf *report, ipam_db *db, const char *server, unsigned int flags)
{
	if (!db || !server)
		return ipam__error(IPAM_EINVAL, "DHCP push: no database or server");
	ipam__scope sc;
	ipam__dhcp_world w;
	target t;
	int rc = ipam__enter(db, 0, &sc);
	if (rc)
		return rc;
	if (!(rc = ipam__dhcp_world_load(db, &w, NULL)) && (rc = target_load(db, &w, server, &t)))
		ipam__dhcp_world_free(&w);
	if (!rc && (rc = ipam__dhcp_config_check(w.c))) {
		target_free(&t);
		ipam__dhcp_world_free(&w);
	}
	if ((rc = ipam__leave(db, &sc, rc)))
		return rc;
	if (!t.families[0] && !t.families[1] && report)
		rc = ipam__buf_printf(report, "%s: serves no scope; nothing to push\n", server);
	for (int f = 0; !rc && f < 2; f++) {
		if (!t.families[f])
			continue;
		const char *service = f ? "dhcp6" : "dhcp4";
		char file[1100];
		snprintf(file, sizeof file, "%s/kea-%s.conf", t.write_dir[0] ? t.write_dir : "/etc/kea", service);
		ipam_buf merged = IPAM_BUF_INIT;
		ipam__dhcp_push o = {.url = t.url, .userpwd = t.userpwd, .write_file = file, .timeout_ms = t.timeout_ms,
				     .dry_run = (flags & IPAM_DHCP_PUSH_DRY_RUN) != 0, .merged = &merged};
		rc = ipam__dhcp_push_kea(w.c, f ? IPAM_AF_INET6 : IPAM_AF_INET, server, &o, report);
		if (!rc && !o.dry_run) {
			size_t n = 0;
			for (size_t i = 0; i < w.c->nscopes; i++)
				for (size_t j = 0; j < w.c->scopes[i]->nservers; j++)
					n += (w.c->scopes[i]->prefix.addr.family == IPAM_AF_INET6) == (f == 1) &&
					     !strcmp(w.c->scopes[i]->servers[j], server);
			rc = store_push(db, &t, service, &merged, n);
		}
		ipam_buf_dispose(&merged);
	}
	target_free(&t);
	ipam__dhcp_world_free(&w);
	return rc;
}

/* ---- lease sync ---------------------------------------------------------------------------- */

int ipam_lease_sync_options_init(ipam_lease_sync_options *opts, unsigned int version)
{
	if (!opts)
		return ipam__error(IPAM_EINVAL, "lease sync options: NULL");
	int rc = ipam__check_version(version, IPAM_LEASE_SYNC_OPTIONS_VERSION, "ipam_lease_sync_options");
	if (rc)
		return rc;
	ipam_lease_sync_options d = IPAM_LEASE_SYNC_OPTIONS_INIT;
	*opts = d;
	return 0;
}

int ipam__dhcp_read_file(const char *path, ipam_buf *out)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return ipam__error(IPAM_EIO, "%s: cannot open it", path);
	char chunk[65536];
	size_t n;
	int rc = 0;
	while (!rc && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
		rc = ipam__buf_put(out, chunk, n);
	if (!rc && ferror(f))
		rc = ipam__error(IPAM_EIO, "%s: read error", path);
	fclose(f);
	return rc;
}

static int read_leases(ipam_db *db, const ipam_lease_sync_options *o, const ipam__dhcp_world *w,
		       ipam__dhcp_leases *l)
{
	if (o->path) {
		ipam_buf text = IPAM_BUF_INIT;
		int rc = ipam__dhcp_read_file(o->path, &text);
		if (!rc)
			rc = o->format == IPAM_LEASES_DHCPD ? ipam__dhcp_leases_dhcpd(l, text.ptr ? text.ptr : "", text.size, o->path)
							    : ipam__dhcp_leases_kea_csv(l, text.ptr ? text.ptr : "", text.size, o->path);
		ipam_buf_dispose(&text);
		return rc;
	}
	target t;
	ipam__scope sc;
	int rc = ipam__enter(db, 0, &sc);
	if (!rc)
		rc = ipam__leave(db, &sc, target_load(db, w, o->server, &t));
	if (rc)
		return rc;
	ipam__dhcp_push p = {.url = t.url, .userpwd = t.userpwd, .timeout_ms = t.timeout_ms};
	for (int f = 0; !rc && f < 2; f++)
		if (t.families[f])
			rc = ipam__dhcp_leases_kea_get(l, f ? IPAM_AF_INET6 : IPAM_AF_INET, &p);
	target_free(&t);
	return rc;
}

/* Lower-case `s` without a final dot into out. */
static void norm_name(char *out, size_t size, const char *s)
{
	size_t n = 0;
	for (; s[n] && n + 1 < size; n++)
		out[n] = (char)(s[n] >= 'A' && s[n] <= 'Z' ? s[n] + 32 : s[n]);
	out[n] = 0;
	if (n && out[n - 1] == '.')
		out[n - 1] = 0;
}

/* Whether `zone` holds `name`: equal, or a suffix at a label boundary. */
static bool holds(const char *zone, const char *name)
{
	size_t z = strlen(zone), n = strlen(name);
	return z && n >= z && !strcmp(name + n - z, zone) && (n == z || name[n - z - 1] == '.');
}

/* Whether a changed lease line ("ADDR [HOSTNAME]") touches `zone`: its host
 * name or its reverse name lies in it (for an RFC 2317 zone "0/26.2.0.192
 * .in-addr.arpa", in the zone it is carved from: a push of a zone that did
 * not change sends nothing). */
static bool touches(const char *zone, const char *line, size_t len)
{
	char addr[IPAM_ADDR_STRLEN + 1], host[300], rev[IPAM_REVERSE_STRLEN], r[IPAM_REVERSE_STRLEN];
	size_t sp = 0;
	while (sp < len && line[sp] != ' ')
		sp++;
	if (sp >= sizeof addr)
		return false;
	memcpy(addr, line, sp);
	addr[sp] = 0;
	size_t hl = len > sp + 1 ? len - sp - 1 : 0;
	if (hl >= sizeof host)
		hl = sizeof host - 1;
	memcpy(host, line + sp + 1 < line + len ? line + sp + 1 : "", hl);
	host[hl] = 0;
	char h[300];
	norm_name(h, sizeof h, host);
	if (h[0] && holds(zone, h))
		return true;
	ipam_addr a;
	if (!h[0] || ipam_addr_parse(&a, addr))
		return false; /* no host name: no record */
	if (ipam_addr_reverse_name(r, sizeof r, &a) < 0) /* the length, or an error */
		return false;
	norm_name(rev, sizeof rev, r);
	const char *z = zone, *slash = strchr(zone, '/'), *dot = strchr(zone, '.');
	if (slash && dot && slash < dot)
		z = dot + 1;
	return holds(z, rev);
}

static int push_dns(ipam_lease_sync_stats *st, ipam_buf *report, ipam_db *db, const ipam_lease_sync_options *o,
		    const ipam_buf *changed)
{
	ipam_buf zl = IPAM_BUF_INIT;
	int rc = ipam_zone_list(&zl, db);
	cJSON *zones = rc ? NULL : cJSON_ParseWithLengthOpts(zl.ptr, zl.size, NULL, 0);
	ipam_buf_dispose(&zl);
	if (!rc && !zones)
		rc = ipam__enomem();
	const cJSON *z;
	cJSON_ArrayForEach(z, zones)
	{
		const cJSON *name = cJSON_GetObjectItemCaseSensitive(z, "zone"), *view = cJSON_GetObjectItemCaseSensitive(z, "view");
		if (rc || !cJSON_IsString(name) || (cJSON_IsString(view) && strcmp(view->valuestring, o->dns_view ? o->dns_view : "default")))
			continue;
		char zone[300];
		norm_name(zone, sizeof zone, name->valuestring);
		bool hit = false;
		for (const char *p = changed->ptr; p && *p && !hit;) {
			const char *e = strchr(p, '\n');
			size_t len = e ? (size_t)(e - p) : strlen(p);
			hit = touches(zone, p, len);
			p += len + (e != NULL);
		}
		if (!hit)
			continue;
		rc = ipam_zone_push(report, db, name->valuestring, o->dns_view, o->dns_server, 0);
		if (!rc)
			st->zones_pushed++;
	}
	cJSON_Delete(zones);
	return rc;
}

int ipam_lease_sync(ipam_lease_sync_stats *stats, ipam_buf *report, ipam_db *db, const ipam_lease_sync_options *opts)
{
	if (!db || !opts)
		return ipam__error(IPAM_EINVAL, "lease sync: no database or options");
	int rc = ipam__check_version(opts->version, IPAM_LEASE_SYNC_OPTIONS_VERSION, "ipam_lease_sync_options");
	if (rc)
		return rc;
	if (!opts->path == !opts->server)
		return ipam__error(IPAM_EINVAL, "lease sync: give a lease file (path) or a server, one of them");
	if (opts->path && opts->format != IPAM_LEASES_KEA_CSV && opts->format != IPAM_LEASES_DHCPD)
		return ipam__error(IPAM_EINVAL, "lease sync: unknown lease format %d", opts->format);
	bool dns = (opts->flags & IPAM_LEASE_SYNC_PUSH_DNS) != 0;
	if (dns && !opts->dns_server)
		return ipam__error(IPAM_EINVAL, "lease sync: a DNS push needs its DNS server (dns_server)");
	ipam__scope sc;
	ipam__dhcp_world w;
	if ((rc = ipam__enter(db, 0, &sc)))
		return rc;
	if ((rc = ipam__leave(db, &sc, ipam__dhcp_world_load(db, &w, NULL))))
		return rc;
	ipam__dhcp_leases l = {0};
	ipam_buf changed = IPAM_BUF_INIT;
	ipam__dhcp_sync_stats st = {0, 0, 0, 0, dns ? &changed : NULL};
	ipam_lease_sync_stats out = {0, 0, 0, 0, 0};
	if (!(rc = read_leases(db, opts, &w, &l)) && !(rc = ipam__dhcp_lease_sync(db, w.c, opts->space, &l, &st))) {
		out.added = st.added;
		out.updated = st.updated;
		out.released = st.released;
		out.skipped = st.skipped;
		if (dns && changed.size)
			rc = push_dns(&out, report, db, opts, &changed);
	}
	if (stats)
		*stats = out;
	ipam_buf_dispose(&changed);
	ipam__dhcp_leases_free(&l);
	ipam__dhcp_world_free(&w);
	return rc;
}
