/* The stored DHCP model read into one config: the option sets first (they
 * hold the definitions every option needs), then the DHCP servers, then
 * every scope of every space. Reading back checks everything again
 * (attrs.c), so a scope that was altered in the store is an error here,
 * naming it, rather than a bad config sent to a server. */
#include "dhcp/world.h"
#include "io/io.h"

#include <cjson/cJSON.h>
#include <stdlib.h>

static const uint8_t no_parent[16];

void ipam__dhcp_world_free(ipam__dhcp_world *w)
{
	ipam__dhcp_config_free(w->c);
	for (size_t i = 0; i < w->nwhere; i++) {
		free(w->where[i].scope);
		free(w->where[i].space);
	}
	free(w->where);
	memset(w, 0, sizeof *w);
}

int ipam__dhcp_world_place(ipam__dhcp_world *w, const char *scope, const char *space)
{
	void *p = realloc(w->where, (w->nwhere + 1) * sizeof *w->where);
	if (!p)
		return ipam__enomem();
	w->where = p;
	char *a = ipam__strdup(scope), *b = ipam__strdup(space ? space : "default");
	if (!a || !b) {
		free(a);
		free(b);
		return ipam__enomem();
	}
	w->where[w->nwhere].scope = a;
	w->where[w->nwhere].space = b;
	w->nwhere++;
	return 0;
}

const char *ipam__dhcp_world_space(const ipam__dhcp_world *w, const char *scope)
{
	for (size_t i = 0; i < w->nwhere; i++)
		if (!strcmp(w->where[i].scope, scope))
			return w->where[i].space;
	return NULL;
}

int ipam__dhcp_world_scope(const ipam__dhcp_world *w, const char *name, ipam__dhcp_scope **out)
{
	*out = name ? ipam__dhcp_scope_find(w->c, name) : NULL;
	return *out ? 0 : ipam__error(IPAM_ENOTFOUND, "no scope %s", name ? name : "(none)");
}

typedef struct load_ctx {
	ipam_db *db;
	ipam__dhcp_world *w;
	const char *only;
} load_ctx;

static int load_server(void *vctx, const ipam__obj *o)
{
	load_ctx *x = vctx;
	cJSON *a = o->attrs ? cJSON_Parse(o->attrs) : NULL;
	const cJSON *kind = cJSON_GetObjectItemCaseSensitive(a, "dhcp");
	const cJSON *url = cJSON_GetObjectItemCaseSensitive(a, "url");
	const cJSON *fa = cJSON_GetObjectItemCaseSensitive(a, "failover_address");
	const cJSON *fp = cJSON_GetObjectItemCaseSensitive(a, "failover_port");
	int rc = 0;
	if (cJSON_IsString(kind))
		rc = ipam__dhcp_server_add(x->w->c, o->name, strcmp(kind->valuestring, "dhcpd") ? IPAM__DHCP_KEA : IPAM__DHCP_DHCPD,
					   cJSON_IsString(url) ? url->valuestring : NULL);
	if (!rc && cJSON_IsString(kind) && cJSON_IsString(fa))
		rc = ipam__dhcp_server_failover(x->w->c, o->name, fa->valuestring,
						cJSON_IsNumber(fp) ? (unsigned)fp->valuedouble : 0);
	cJSON_Delete(a);
	return rc;
}

static const char *jstr(const cJSON *o, const char *key)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
}

/* A scope with what the whole-config rules need and nothing more. */
static int shallow(ipam__dhcp_config *c, const char *name, const char *attrs)
{
	cJSON *j = attrs ? cJSON_Parse(attrs) : NULL;
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(j, "id"), *e;
	ipam__dhcp_scope *s = NULL;
	int rc = jstr(j, "prefix") ? ipam__dhcp_scope_add(c, name, jstr(j, "prefix"),
							  cJSON_IsNumber(id) ? (uint32_t)id->valuedouble : 0, &s)
				   : ipam__error(IPAM_EINVAL, "scope %s: the stored scope has no prefix", name);
	if (!rc)
		rc = ipam__dhcp_scope_template(s, jstr(j, "template"));
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(j, "servers"))
	{
		if (!rc && cJSON_IsString(e))
			rc = ipam__dhcp_scope_serve(s, e->valuestring);
	}
	if (!rc && jstr(j, "ha_primary"))
		rc = ipam__dhcp_scope_ha(s, jstr(j, "ha_primary"), jstr(j, "ha_standby"));
	cJSON_Delete(j);
	return rc;
}

static int load_scope(void *vctx, const ipam__obj *o)
{
	load_ctx *x = vctx;
	ipam__space *sp = ipam__space_by_id(x->db, o->parent);
	if (!sp)
		return ipam__error(IPAM_EBACKEND, "scope %s: its space is gone", o->name);
	if (ipam__dhcp_scope_find(x->w->c, o->name))
		return ipam__error(IPAM_EEXISTS, "scope %s is stored in two spaces (%s and %s)", o->name,
				   ipam__dhcp_world_space(x->w, o->name), sp->name);
	int rc = !x->only || !strcmp(x->only, o->name) ? ipam__dhcp_scope_from_json(x->w->c, o->name, o->attrs, NULL)
						       : shallow(x->w->c, o->name, o->attrs);
	return rc ? rc : ipam__dhcp_world_place(x->w, o->name, sp->name);
}

int ipam__dhcp_world_load(ipam_db *db, ipam__dhcp_world *w, const char *only)
{
	memset(w, 0, sizeof *w);
	load_ctx x = {db, w, only};
	int rc = ipam__dhcp_config_new(&w->c);
	if (!rc)
		rc = ipam__dhcp_option_sets_load(db, w->c);
	if (!rc)
		rc = ipam__obj_each(db, IPAM_STORE_SERVER, no_parent, load_server, &x);
	if (!rc)
		rc = ipam__obj_each(db, IPAM_STORE_SCOPE, NULL, load_scope, &x);
	if (rc)
		ipam__dhcp_world_free(w);
	return rc;
}

int ipam__dhcp_server_obj(ipam_db *db, const char *name, ipam__obj *out)
{
	if (!name || ipam__obj_get(db, IPAM_STORE_SERVER, no_parent, name, out))
		return ipam__error(IPAM_ENOTFOUND, "no DHCP server %s", name ? name : "(none)");
	cJSON *a = out->attrs ? cJSON_Parse(out->attrs) : NULL;
	bool dhcp = cJSON_IsString(cJSON_GetObjectItemCaseSensitive(a, "dhcp"));
	cJSON_Delete(a);
	return dhcp ? 0 : ipam__error(IPAM_EINVAL, "server %s is not a DHCP server", name);
}

