/* The public DHCP API (include/ipam/dhcp.h), its model half: scopes,
 * pools, reservations, options, option templates. Every change is one
 * transaction: read the stored model (world.c), change it with the model's
 * own checks (model.c), check the whole config, and store what changed
 * (store.c: a scope with its ranges and addresses, or the option sets). */
#include "dhcp/world.h"
#include "io/io.h"

#include <cjson/cJSON.h>
#include <ipam/dhcp.h>
#include <stdio.h>
#include <stdlib.h>

static const uint8_t no_parent[16];

/* One change: `fn` changes the world and says what to store. */
typedef struct change change;
struct change {
	int (*fn)(ipam_db *db, ipam__dhcp_world *w, change *ch);
	const char *name, *text, *text2, *text3;
	const ipam_scope_options *sopts;
	const ipam_option_target *target;
	const void *arg;
	unsigned flags;
	/* what to store afterwards */
	ipam__dhcp_scope *save;
	bool sets;
};

static int change_txn(ipam_db *db, void *vctx)
{
	change *ch = vctx;
	ipam__scope sc;
	ipam__dhcp_world w;
	int rc = ipam__enter(db, 1, &sc);
	if (rc)
		return rc;
	ch->save = NULL;
	ch->sets = false;
	/* a change to one scope reads the others shallow; options at the global
	 * or template level change what every scope sends: read them whole */
	const char *only = ch->target ? (ch->target->level >= IPAM_OPTION_SCOPE && ch->target->name ? ch->target->name : NULL)
				      : ch->name ? ch->name : "";
	if (!(rc = ipam__dhcp_world_load(db, &w, only))) {
		rc = ch->fn(db, &w, ch);
		if (!rc && (ch->save || ch->sets))
			rc = ipam__dhcp_config_check(w.c);
		if (!rc && ch->sets)
			rc = ipam__dhcp_option_sets_save(db, w.c);
		if (!rc && ch->save)
			rc = ipam__dhcp_scope_save(db, ch->save, ipam__dhcp_world_space(&w, ch->save->name));
		ipam__dhcp_world_free(&w);
	}
	return ipam__leave(db, &sc, rc);
}

static int run_change(ipam_db *db, change *ch)
{
	if (!db)
		return ipam__error(IPAM_EINVAL, "DHCP: no database");
	return ipam__dhcp_run(db, change_txn, ch);
}

/* Read the world for a query; `fn` builds the answer. */
static int query(ipam_db *db, int (*fn)(ipam_db *, ipam__dhcp_world *, void *), void *ctx)
{
	if (!db)
		return ipam__error(IPAM_EINVAL, "DHCP: no database");
	ipam__scope sc;
	ipam__dhcp_world w;
	int rc = ipam__enter(db, 0, &sc);
	if (rc)
		return rc;
	if (!(rc = ipam__dhcp_world_load(db, &w, NULL))) {
		rc = fn(db, &w, ctx);
		ipam__dhcp_world_free(&w);
	}
	return ipam__leave(db, &sc, rc);
}

/* ---- scopes ------------------------------------------------------------------------- */

int ipam_scope_options_init(ipam_scope_options *opts, unsigned int version)
{
	if (!opts)
		return ipam__error(IPAM_EINVAL, "scope options: NULL");
	int rc = ipam__check_version(version, IPAM_SCOPE_OPTIONS_VERSION, "ipam_scope_options");
	if (rc)
		return rc;
	ipam_scope_options d = IPAM_SCOPE_OPTIONS_INIT;
	*opts = d;
	return 0;
}

static int set_text(char **field, const char *value)
{
	char *v = value && *value ? ipam__strdup(value) : NULL;
	if (value && *value && !v)
		return ipam__enomem();
	free(*field);
	*field = v;
	return 0;
}

#define SCOPE_SET_ALL 0x1ffu

/* The settings of `o` onto a scope: those o->fields names, all of them when
 * it is 0 (NULL and 0 clear). A named template or server must exist. */
static int apply_settings(const ipam__dhcp_world *w, ipam__dhcp_scope *s, const ipam_scope_options *o)
{
	unsigned int f = o->fields ? o->fields : SCOPE_SET_ALL;
	if (f & ~SCOPE_SET_ALL)
		return ipam__error(IPAM_EINVAL, "scope %s: unknown setting bits 0x%x", s->name, f & ~SCOPE_SET_ALL);
	const char *tpl = o->template_name && *o->template_name ? o->template_name : NULL;
	int rc;
	if ((f & IPAM_SCOPE_SET_TEMPLATE) && tpl && !ipam__dhcp_template_find(w->c, tpl))
		return ipam__error(IPAM_ENOTFOUND, "scope %s: no option template %s", s->name, tpl);
	if (((f & IPAM_SCOPE_SET_TEMPLATE) && ipam__dhcp_scope_template(s, tpl)) ||
	    ((f & IPAM_SCOPE_SET_DESCRIPTION) && (rc = set_text(&s->description, o->description))) ||
	    ((f & IPAM_SCOPE_SET_SHARED_NETWORK) && (rc = set_text(&s->shared_network, o->shared_network))))
		return ipam__enomem();
	if (f & IPAM_SCOPE_SET_SERVERS)
		ipam__dhcp_scope_unserve(s);
	for (const char *p = f & IPAM_SCOPE_SET_SERVERS ? o->servers : NULL; p && *p;) {
		p += strspn(p, " ,");
		size_t n = strcspn(p, ",");
		while (n && p[n - 1] == ' ')
			n--;
		char name[256];
		if (n >= sizeof name)
			return ipam__error(IPAM_EINVAL, "scope %s: servers: a name is too long", s->name);
		if (n) {
			memcpy(name, p, n);
			name[n] = 0;
			if (!ipam__dhcp_server_find(w->c, name))
				return ipam__error(IPAM_ENOTFOUND, "scope %s: no server %s", s->name, name);
			if (ipam__dhcp_scope_serve(s, name))
				return ipam__enomem();
		}
		p += n;
		p += strspn(p, " ");
	}
	const char *pri = o->ha_primary && *o->ha_primary ? o->ha_primary : NULL;
	const char *sby = o->ha_standby && *o->ha_standby ? o->ha_standby : NULL;
	if ((f & IPAM_SCOPE_SET_HA) && (rc = ipam__dhcp_scope_ha(s, pri, sby)))
		return rc;
	if (f & IPAM_SCOPE_SET_VALID)
		s->valid = o->valid;
	if (f & IPAM_SCOPE_SET_RENEW)
		s->renew = o->renew;
	if (f & IPAM_SCOPE_SET_REBIND)
		s->rebind = o->rebind;
	if (f & IPAM_SCOPE_SET_PREFERRED)
		s->preferred = o->preferred;
	return 0;
}

static int check_opts(const ipam_scope_options *o)
{
	return o ? ipam__check_version(o->version, IPAM_SCOPE_OPTIONS_VERSION, "ipam_scope_options") : 0;
}

static int scope_add_fn(ipam_db *db, ipam__dhcp_world *w, change *ch)
{
	const ipam_scope_options *o = ch->sopts;
	ipam__dhcp_scope *s;
	if (!ipam__space_find(db, o->space))
		return ipam__error(IPAM_ENOTFOUND, "scope %s: no space %s", ch->name, o->space ? o->space : "default");
	int rc = ipam__dhcp_scope_add(w->c, ch->name, ch->text ? ch->text : "", o->id, &s);
	if (!rc && !(rc = apply_settings(w, s, o)) && !(rc = ipam__dhcp_world_place(w, ch->name, o->space)))
		ch->save = s;
	return rc;
}

int ipam_scope_add(ipam_db *db, const char *name, const char *prefix, const ipam_scope_options *opts)
{
	ipam_scope_options d = IPAM_SCOPE_OPTIONS_INIT;
	int rc = check_opts(opts);
	if (rc)
		return rc;
	if (opts) {
		d = *opts;
		d.fields = 0; /* a new scope takes every setting */
	}
	change ch = {.fn = scope_add_fn, .name = name, .text = prefix, .sopts = &d};
	return run_change(db, &ch);
}

static int scope_set_fn(ipam_db *db, ipam__dhcp_world *w, change *ch)
{
	(void)db;
	ipam__dhcp_scope *s;
	int rc = ipam__dhcp_world_scope(w, ch->name, &s);
	if (!rc && ch->sopts->space && strcmp(ch->sopts->space, ipam__dhcp_world_space(w, ch->name)))
		rc = ipam__error(IPAM_EINVAL, "scope %s: its space cannot change (remove it and add it again)", ch->name);
	if (!rc && ch->sopts->id && ch->sopts->id != s->id)
		rc = ipam__error(IPAM_EINVAL, "scope %s: its subnet id %u cannot change", ch->name, (unsigned)s->id);
	if (!rc && !(rc = apply_settings(w, s, ch->sopts)))
		ch->save = s;
	return rc;
}

int ipam_scope_set(ipam_db *db, const char *name, const ipam_scope_options *opts)
{
	ipam_scope_options d = IPAM_SCOPE_OPTIONS_INIT;
	int rc = check_opts(opts);
	if (rc)
		return rc;
	change ch = {.fn = scope_set_fn, .name = name, .sopts = opts ? opts : &d};
	return run_change(db, &ch);
}

static int scope_rm_fn(ipam_db *db, ipam__dhcp_world *w, change *ch)
{
	ipam__dhcp_scope *s;
	int rc = ipam__dhcp_world_scope(w, ch->name, &s);
	return rc ? rc
		  : ipam__dhcp_scope_remove(db, s, ipam__dhcp_world_space(w, ch->name),
					    (ch->flags & IPAM_SCOPE_RM_LEASES) != 0);
}

int ipam_scope_rm(ipam_db *db, const char *name, unsigned int flags)
{
	change ch = {.fn = scope_rm_fn, .name = name, .flags = flags};
	return run_change(db, &ch);
}

/* A scope's stored form as a cJSON object, with its name and space. */
static cJSON *scope_obj(const ipam__dhcp_world *w, const ipam__dhcp_scope *s)
{
	char *text = NULL;
	if (ipam__dhcp_scope_to_json(&text, s))
		return NULL;
	cJSON *j = cJSON_Parse(text);
	free(text);
	if (j && (!cJSON_AddStringToObject(j, "name", s->name) ||
		  !cJSON_AddStringToObject(j, "space", ipam__dhcp_world_space(w, s->name)))) {
		cJSON_Delete(j);
		return NULL;
	}
	return j;
}

/* The "options" array of an option set, as a cJSON array. */
static cJSON *options_arr(const ipam__dhcp_optset *set)
{
	char *text = NULL;
	if (ipam__dhcp_optset_to_json(&text, set))
		return NULL;
	cJSON *j = cJSON_Parse(text);
	free(text);
	cJSON *arr = cJSON_DetachItemFromObjectCaseSensitive(j, "options");
	cJSON_Delete(j);
	return arr;
}

static int scope_list_fn(ipam_db *db, ipam__dhcp_world *w, void *vout)
{
	(void)db;
	cJSON *arr = cJSON_CreateArray();
	for (size_t i = 0; arr && i < w->c->nscopes; i++) {
		const ipam__dhcp_scope *s = w->c->scopes[i];
		cJSON *full = scope_obj(w, s), *e = cJSON_CreateObject();
		static const char *const keep[] = {"name", "space", "prefix", "id", "template", "description", "servers"};
		for (size_t k = 0; full && e && k < sizeof keep / sizeof *keep; k++) {
			cJSON *v = cJSON_DetachItemFromObjectCaseSensitive(full, keep[k]);
			if (v)
				cJSON_AddItemToObject(e, keep[k], v);
		}
		cJSON_Delete(full);
		if (!full || !e || !cJSON_AddItemToArray(arr, e) || !cJSON_AddNumberToObject(e, "pools", (double)s->npools) ||
		    !cJSON_AddNumberToObject(e, "reservations", (double)s->nresv)) {
			if (!full)
				cJSON_Delete(e);
			cJSON_Delete(arr);
			return ipam__enomem();
		}
	}
	return arr ? ipam__json_to_buf(vout, arr) : ipam__enomem();
}

int ipam_scope_list(ipam_buf *out, ipam_db *db)
{
	if (!out)
		return ipam__error(IPAM_EINVAL, "scope list: no output");
	return query(db, scope_list_fn, out);
}

typedef struct show_ctx {
	ipam_buf *out;
	const char *name;
} show_ctx;

static int scope_show_fn(ipam_db *db, ipam__dhcp_world *w, void *vctx)
{
	(void)db;
	show_ctx *x = vctx;
	ipam__dhcp_scope *s;
	int rc = ipam__dhcp_world_scope(w, x->name, &s);
	if (rc)
		return rc;
	ipam__dhcp_optset eff = {0};
	cJSON *j = scope_obj(w, s), *arr = NULL;
	if (!(rc = ipam__dhcp_scope_options(w->c, s, &eff)))
		arr = options_arr(&eff);
	ipam__dhcp_optset_free(&eff);
	if (!rc && (!j || !arr || !cJSON_AddItemToObject(j, "effective_options", arr))) {
		if (j)
			cJSON_Delete(arr);
		rc = ipam__enomem();
	}
	if (rc) {
		cJSON_Delete(j);
		return rc;
	}
	return ipam__json_to_buf(x->out, j);
}

int ipam_scope_show(ipam_buf *out, ipam_db *db, const char *name)
{
	if (!out)
		return ipam__error(IPAM_EINVAL, "scope show: no output");
	show_ctx x = {out, name};
	return query(db, scope_show_fn, &x);
}

/* ---- pools and reservations ------------------------------------------------------------- */

static int pool_add_fn(ipam_db *db, ipam__dhcp_world *w, change *ch)
{
	(void)db;
	ipam__dhcp_scope *s;
	ipam__dhcp_pool *p;
	int rc = ipam__dhcp_world_scope(w, ch->name, &s);
	if (!rc)
		rc = ipam__dhcp_pool_add(s, ch->text ? ch->text : "", &p);
	for (const char *e = ch->text2; !rc && e && *e;) {
		e += strspn(e, " ,");
		size_t n = strcspn(e, ",");
		char one[128];
		if (n >= sizeof one)
			return ipam__error(IPAM_EINVAL, "scope %s: exclusion \"%.40s...\" is too long", s->name, e);
		memcpy(one, e, n);
		one[n] = 0;
		if (*one)
			rc = ipam__dhcp_pool_exclude(s, p, one);
		e += n;
	}
	if (!rc)
		ch->save = s;
	return rc;
}

int ipam_pool_add(ipam_db *db, const char *scope, const char *range, const char *exclude)
{
	change ch = {.fn = pool_add_fn, .name = scope, .text = range, .text2 = exclude};
	return run_change(db, &ch);
}

/* The start of "A-B" or "A". */
static int range_start(ipam_addr *out, const char *text, const char *what)
{
	ipam__dhcp_range r;
	int rc = ipam__dhcp_range_parse(&r, text ? text : "", what);
	if (!rc)
		*out = r.start;
	return rc;
}

static int pool_rm_fn(ipam_db *db, ipam__dhcp_world *w, change *ch)
{
	(void)db;
	ipam__dhcp_scope *s;
	ipam_addr a;
	char what[300];
	snprintf(what, sizeof what, "scope %s: pool", ch->name ? ch->name : "");
	int rc = ipam__dhcp_world_scope(w, ch->name, &s);
	if (!rc && !(rc = range_start(&a, ch->text, what)) && !(rc = ipam__dhcp_pool_del(s, &a)))
		ch->save = s;
	return rc;
}

int ipam_pool_rm(ipam_db *db, const char *scope, const char *range)
{
	change ch = {.fn = pool_rm_fn, .name = scope, .text = range};
	return run_change(db, &ch);
}

static int resv_add_fn(ipam_db *db, ipam__dhcp_world *w, change *ch)
{
	(void)db;
	ipam__dhcp_scope *s;
	int rc = ipam__dhcp_world_scope(w, ch->name, &s);
	if (!rc && !(rc = ipam__dhcp_resv_add(s, ch->text ? ch->text : "", ch->text2 ? ch->text2 : "",
					     ch->text3 && *ch->text3 ? ch->text3 : NULL, NULL)))
		ch->save = s;
	return rc;
}

int ipam_reservation_add(ipam_db *db, const char *scope, const char *address, const char *ident,
			 const char *hostname)
{
	change ch = {.fn = resv_add_fn, .name = scope, .text = address, .text2 = ident, .text3 = hostname};
	return run_change(db, &ch);
}

static int parse_addr(ipam_addr *a, const char *text, const char *scope)
{
	if (!text || ipam_addr_parse(a, text))
		return ipam__error(IPAM_EINVAL, "scope %s: \"%.60s\" is not an address", scope ? scope : "",
				   text ? text : "");
	return 0;
}

static int resv_rm_fn(ipam_db *db, ipam__dhcp_world *w, change *ch)
{
	(void)db;
	ipam__dhcp_scope *s;
	ipam_addr a;
	int rc = ipam__dhcp_world_scope(w, ch->name, &s);
	if (!rc && !(rc = parse_addr(&a, ch->text, ch->name)) && !(rc = ipam__dhcp_resv_del(s, &a)))
		ch->save = s;
	return rc;
}

int ipam_reservation_rm(ipam_db *db, const char *scope, const char *address)
{
	change ch = {.fn = resv_rm_fn, .name = scope, .text = address};
	return run_change(db, &ch);
}

static int resv_list_fn(ipam_db *db, ipam__dhcp_world *w, void *vctx)
{
	(void)db;
	show_ctx *x = vctx;
	ipam__dhcp_scope *s;
	int rc = ipam__dhcp_world_scope(w, x->name, &s);
	if (rc)
		return rc;
	cJSON *j = scope_obj(w, s);
	cJSON *arr = cJSON_DetachItemFromObjectCaseSensitive(j, "reservations");
	cJSON_Delete(j);
	return arr ? ipam__json_to_buf(x->out, arr) : ipam__enomem();
}

int ipam_reservation_list(ipam_buf *out, ipam_db *db, const char *scope)
{
	if (!out)
		return ipam__error(IPAM_EINVAL, "reservation list: no output");
	show_ctx x = {out, scope};
	return query(db, resv_list_fn, &x);
}

/* ---- options --------------------------------------------------------------------------- */

int ipam_option_target_init(ipam_option_target *t, unsigned int version)
{
	if (!t)
		return ipam__error(IPAM_EINVAL, "option target: NULL");
	int rc = ipam__check_version(version, IPAM_OPTION_TARGET_VERSION, "ipam_option_target");
	if (rc)
		return rc;
	ipam_option_target d = IPAM_OPTION_TARGET_INIT;
	*t = d;
	return 0;
}

/* The option set a target names, its family, and its owner for messages;
 * says in `ch` what to store once it changed. */
static int target_find(ipam__dhcp_world *w, const ipam_option_target *t, ipam__dhcp_optset **set, unsigned *family,
		       char what[300], change *ch)
{
	int rc = ipam__check_version(t ? t->version : 0, IPAM_OPTION_TARGET_VERSION, "ipam_option_target");
	if (rc)
		return rc;
	if (t->family != 0 && t->family != 4 && t->family != 6)
		return ipam__error(IPAM_EINVAL, "option target: family %d is not 4 or 6", t->family);
	*family = t->family == 6 ? IPAM_AF_INET6 : IPAM_AF_INET;
	if (t->level == IPAM_OPTION_GLOBAL) {
		snprintf(what, 300, "global DHCPv%c options", t->family == 6 ? '6' : '4');
		*set = t->family == 6 ? &w->c->global6 : &w->c->global4;
		ch->sets = true;
		return 0;
	}
	if (t->level == IPAM_OPTION_TEMPLATE) {
		ipam__dhcp_template *tp = t->name ? ipam__dhcp_template_find(w->c, t->name) : NULL;
		if (!tp)
			return ipam__error(IPAM_ENOTFOUND, "no option template %s", t->name ? t->name : "(none)");
		snprintf(what, 300, "option template %s", tp->name);
		*set = &tp->opts;
		ch->sets = true;
		return 0;
	}
	if (t->level < IPAM_OPTION_SCOPE || t->level > IPAM_OPTION_RESERVATION)
		return ipam__error(IPAM_EINVAL, "option target: unknown level %d", t->level);
	ipam__dhcp_scope *s;
	if ((rc = ipam__dhcp_world_scope(w, t->name, &s)))
		return rc;
	*family = s->prefix.addr.family;
	ch->save = s;
	snprintf(what, 300, "scope %s", s->name);
	if (t->level == IPAM_OPTION_SCOPE) {
		*set = &s->opts;
		return 0;
	}
	ipam_addr a;
	if (t->level == IPAM_OPTION_POOL) {
		if ((rc = range_start(&a, t->pool, what)))
			return rc;
		for (size_t i = 0; i < s->npools; i++)
			if (ipam_addr_cmp(&s->pools[i].range.start, &a) == 0) {
				*set = &s->pools[i].opts;
				snprintf(what, 300, "scope %s pool %s", s->name, t->pool);
				return 0;
			}
		return ipam__error(IPAM_ENOTFOUND, "scope %s: no pool starts at %s", s->name, t->pool);
	}
	if ((rc = parse_addr(&a, t->address, s->name)))
		return rc;
	for (size_t i = 0; i < s->nresv; i++)
		if (ipam_addr_cmp(&s->resv[i].addr, &a) == 0) {
			*set = &s->resv[i].opts;
			snprintf(what, 300, "scope %s reservation %s", s->name, t->address);
			return 0;
		}
	return ipam__error(IPAM_ENOTFOUND, "scope %s: no reservation of %s", s->name, t->address);
}

static int option_set_fn(ipam_db *db, ipam__dhcp_world *w, change *ch)
{
	(void)db;
	ipam__dhcp_optset *set = NULL;
	unsigned family = 0;
	char what[300];
	int rc = target_find(w, ch->target, &set, &family, what, ch);
	if (!rc && (!ch->text || !ch->text2))
		rc = ipam__error(IPAM_EINVAL, "%s: an option needs its name and value", what);
	return rc ? rc : ipam__dhcp_opt_set(w->c, set, family, ch->target->vendor, ch->text, ch->text2, what);
}

int ipam_option_set(ipam_db *db, const ipam_option_target *t, const char *option, const char *value)
{
	change ch = {.fn = option_set_fn, .target = t, .text = option, .text2 = value};
	return run_change(db, &ch);
}

static int option_rm_fn(ipam_db *db, ipam__dhcp_world *w, change *ch)
{
	(void)db;
	ipam__dhcp_optset *set = NULL;
	unsigned family = 0;
	char what[300];
	int rc = target_find(w, ch->target, &set, &family, what, ch);
	if (rc)
		return rc;
	const ipam__dhcp_optdef *d = ch->text ? ipam__dhcp_def_find(w->c, family, ch->target->vendor, ch->text) : NULL;
	if (!d || !ipam__dhcp_optset_del(set, ch->target->vendor, d->code))
		return ipam__error(IPAM_ENOTFOUND, "%s: no option %s set", what, ch->text ? ch->text : "(none)");
	return 0;
}

int ipam_option_rm(ipam_db *db, const ipam_option_target *t, const char *option)
{
	change ch = {.fn = option_rm_fn, .target = t, .text = option};
	return run_change(db, &ch);
}

typedef struct list_ctx {
	ipam_buf *out;
	const ipam_option_target *t;
} list_ctx;

static int option_list_fn(ipam_db *db, ipam__dhcp_world *w, void *vctx)
{
	(void)db;
	list_ctx *x = vctx;
	change ch = {0};
	ipam__dhcp_optset *set = NULL;
	unsigned family = 0;
	char what[300];
	int rc = target_find(w, x->t, &set, &family, what, &ch);
	if (rc)
		return rc;
	cJSON *arr = options_arr(set);
	return arr ? ipam__json_to_buf(x->out, arr) : ipam__enomem();
}

int ipam_option_list(ipam_buf *out, ipam_db *db, const ipam_option_target *t)
{
	if (!out)
		return ipam__error(IPAM_EINVAL, "option list: no output");
	list_ctx x = {out, t};
	return query(db, option_list_fn, &x);
}

typedef struct def_args {
	int family;
	uint32_t vendor;
	unsigned code;
} def_args;

static int define_fn(ipam_db *db, ipam__dhcp_world *w, change *ch)
{
	(void)db;
	const def_args *d = ch->arg;
	if (d->family != 4 && d->family != 6)
		return ipam__error(IPAM_EINVAL, "option %s: family %d is not 4 or 6", ch->text ? ch->text : "", d->family);
	if (d->code < 1 || d->code > (d->family == 4 ? 254u : 65535u))
		return ipam__error(IPAM_EINVAL, "option %s: code %u is out of range", ch->text ? ch->text : "", d->code);
	ch->sets = true;
	return ipam__dhcp_def_add(w->c, d->family == 6 ? IPAM_AF_INET6 : IPAM_AF_INET, d->vendor, (uint16_t)d->code,
				  ch->text ? ch->text : "", ch->text2 ? ch->text2 : "");
}

int ipam_option_define(ipam_db *db, int family, uint32_t vendor, unsigned int code, const char *name,
		       const char *type)
{
	def_args d = {family, vendor, code};
	change ch = {.fn = define_fn, .text = name, .text2 = type, .arg = &d};
	return run_change(db, &ch);
}

/* ---- option templates ---------------------------------------------------------------------- */

static int template_add_fn(ipam_db *db, ipam__dhcp_world *w, change *ch)
{
	(void)db;
	if (ch->name && ipam__dhcp_template_find(w->c, ch->name))
		return ipam__error(IPAM_EEXISTS, "option template %s exists already", ch->name);
	ch->sets = true;
	return ipam__dhcp_template_add(w->c, ch->name ? ch->name : "", NULL);
}

int ipam_option_template_add(ipam_db *db, const char *name)
{
	change ch = {.fn = template_add_fn, .name = name};
	return run_change(db, &ch);
}

static int template_rm_fn(ipam_db *db, ipam__dhcp_world *w, change *ch)
{
	if (!ch->name || !ipam__dhcp_template_find(w->c, ch->name))
		return ipam__error(IPAM_ENOTFOUND, "no option template %s", ch->name ? ch->name : "(none)");
	for (size_t i = 0; i < w->c->nscopes; i++)
		if (w->c->scopes[i]->template_name && !strcmp(w->c->scopes[i]->template_name, ch->name))
			return ipam__error(IPAM_EINUSE, "option template %s: scope %s uses it", ch->name,
					   w->c->scopes[i]->name);
	return ipam__obj_del(db, IPAM_STORE_OPTION_SET, no_parent, ch->name, "option-set.rm");
}

int ipam_option_template_rm(ipam_db *db, const char *name)
{
	change ch = {.fn = template_rm_fn, .name = name};
	return run_change(db, &ch);
}

static int template_list_fn(ipam_db *db, ipam__dhcp_world *w, void *vout)
{
	(void)db;
	cJSON *arr = cJSON_CreateArray();
	for (size_t i = 0; arr && i < w->c->ntemplates; i++) {
		const ipam__dhcp_template *t = &w->c->templates[i];
		cJSON *e = cJSON_CreateObject(), *users, *opts = options_arr(&t->opts);
		if (!e || !cJSON_AddItemToArray(arr, e) || !cJSON_AddStringToObject(e, "name", t->name) || !opts ||
		    !cJSON_AddItemToObject(e, "options", opts) || !(users = cJSON_AddArrayToObject(e, "scopes"))) {
			cJSON_Delete(arr);
			return ipam__enomem();
		}
		for (size_t k = 0; k < w->c->nscopes; k++)
			if (w->c->scopes[k]->template_name && !strcmp(w->c->scopes[k]->template_name, t->name))
				cJSON_AddItemToArray(users, cJSON_CreateString(w->c->scopes[k]->name));
	}
	return arr ? ipam__json_to_buf(vout, arr) : ipam__enomem();
}

int ipam_option_template_list(ipam_buf *out, ipam_db *db)
{
	if (!out)
		return ipam__error(IPAM_EINVAL, "option template list: no output");
	return query(db, template_list_fn, out);
}
