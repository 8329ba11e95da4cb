/* The model as the JSON `attrs` of stored objects: a scope (kind 11) and an
 * option set (kind 12), to and from text. Reading back goes through the
 * same checks as building the model by hand, so stored text that was
 * tampered with cannot bring a bad option value or an overlapping pool in. */
#include "dhcp/dhcp.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>

static cJSON *opts_json(const ipam__dhcp_optset *s)
{
	cJSON *arr = cJSON_CreateArray();
	for (size_t i = 0; arr && i < s->n; i++) {
		const ipam__dhcp_opt *o = &s->v[i];
		cJSON *e = cJSON_CreateObject();
		if (!e || !cJSON_AddItemToArray(arr, e) || !cJSON_AddStringToObject(e, "name", o->def->name) ||
		    !cJSON_AddNumberToObject(e, "code", o->def->code) ||
		    !cJSON_AddNumberToObject(e, "family", o->def->family == IPAM_AF_INET ? 4 : 6) ||
		    (o->def->vendor && !cJSON_AddNumberToObject(e, "vendor", o->def->vendor)) ||
		    !cJSON_AddStringToObject(e, "value", o->value)) {
			cJSON_Delete(arr);
			return NULL;
		}
	}
	return arr;
}

static int range_json(cJSON *obj, const ipam__dhcp_range *r)
{
	char a[64], b[64];
	ipam_addr_format(a, sizeof a, &r->start);
	ipam_addr_format(b, sizeof b, &r->end);
	return cJSON_AddStringToObject(obj, "start", a) && cJSON_AddStringToObject(obj, "end", b) ? 0 : IPAM_ENOMEM;
}

/* Add `key` as raw JSON when `text` holds some (extra). */
static int add_raw(cJSON *obj, const char *key, const char *text)
{
	if (!text)
		return 0;
	cJSON *v = cJSON_Parse(text);
	return v && cJSON_AddItemToObject(obj, key, v) ? 0 : (cJSON_Delete(v), IPAM_ENOMEM);
}

static int add_str(cJSON *obj, const char *key, const char *v)
{
	return !v || cJSON_AddStringToObject(obj, key, v) ? 0 : IPAM_ENOMEM;
}

int ipam__dhcp_optset_to_json(char **out, const ipam__dhcp_optset *s)
{
	cJSON *root = cJSON_CreateObject(), *arr = opts_json(s);
	if (!root || !arr || !cJSON_AddItemToObject(root, "options", arr)) {
		cJSON_Delete(root);
		cJSON_Delete(arr);
		return ipam__enomem();
	}
	*out = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	return *out ? 0 : ipam__enomem();
}

int ipam__dhcp_scope_to_json(char **out, const ipam__dhcp_scope *s)
{
	char pfx[64];
	ipam_prefix_format(pfx, sizeof pfx, &s->prefix);
	cJSON *root = cJSON_CreateObject(), *arr, *e;
	int rc = root ? 0 : IPAM_ENOMEM;
	if (!rc && (!cJSON_AddStringToObject(root, "prefix", pfx) || !cJSON_AddNumberToObject(root, "id", s->id) ||
		    !cJSON_AddNumberToObject(root, "valid", s->valid) || !cJSON_AddNumberToObject(root, "renew", s->renew) ||
		    !cJSON_AddNumberToObject(root, "rebind", s->rebind) ||
		    !cJSON_AddNumberToObject(root, "preferred", s->preferred)))
		rc = IPAM_ENOMEM;
	if (!rc)
		rc = add_str(root, "template", s->template_name);
	if (!rc)
		rc = add_str(root, "description", s->description);
	if (!rc)
		rc = add_str(root, "shared_network", s->shared_network);
	if (!rc)
		rc = add_str(root, "ha_primary", s->ha_primary);
	if (!rc)
		rc = add_str(root, "ha_standby", s->ha_standby);
	if (!rc)
		rc = add_raw(root, "extra", s->extra);
	if (!rc && !(arr = cJSON_AddArrayToObject(root, "servers")))
		rc = IPAM_ENOMEM;
	for (size_t i = 0; !rc && i < s->nservers; i++)
		if (!cJSON_AddItemToArray(arr, cJSON_CreateString(s->servers[i])))
			rc = IPAM_ENOMEM;
	if (!rc && !cJSON_AddItemToObject(root, "options", opts_json(&s->opts)))
		rc = IPAM_ENOMEM;
	if (!rc && !(arr = cJSON_AddArrayToObject(root, "pools")))
		rc = IPAM_ENOMEM;
	for (size_t i = 0; !rc && i < s->npools; i++) {
		const ipam__dhcp_pool *p = &s->pools[i];
		cJSON *ex;
		if (!(e = cJSON_CreateObject()) || !cJSON_AddItemToArray(arr, e) || range_json(e, &p->range) ||
		    !(ex = cJSON_AddArrayToObject(e, "exclusions")) || !cJSON_AddItemToObject(e, "options", opts_json(&p->opts)) ||
		    add_raw(e, "extra", p->extra)) {
			rc = IPAM_ENOMEM;
			break;
		}
		for (size_t j = 0; !rc && j < p->nexcl; j++) {
			cJSON *x = cJSON_CreateObject();
			if (!x || !cJSON_AddItemToArray(ex, x) || range_json(x, &p->excl[j]))
				rc = IPAM_ENOMEM;
		}
	}
	if (!rc && !(arr = cJSON_AddArrayToObject(root, "reservations")))
		rc = IPAM_ENOMEM;
	for (size_t i = 0; !rc && i < s->nresv; i++) {
		const ipam__dhcp_resv *r = &s->resv[i];
		char a[64], mac[32];
		ipam_addr_format(a, sizeof a, &r->addr);
		if (r->mac.len)
			ipam_mac_format(mac, sizeof mac, &r->mac);
		if (!(e = cJSON_CreateObject()) || !cJSON_AddItemToArray(arr, e) || !cJSON_AddStringToObject(e, "address", a) ||
		    add_str(e, "mac", r->mac.len ? mac : NULL) || add_str(e, "client_id", r->client_id) ||
		    add_str(e, "duid", r->duid) || add_str(e, "circuit_id", r->circuit_id) ||
		    add_str(e, "hostname", r->hostname) || !cJSON_AddItemToObject(e, "options", opts_json(&r->opts)))
			rc = IPAM_ENOMEM;
	}
	*out = rc ? NULL : cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	if (rc || !*out)
		return ipam__enomem();
	return 0;
}

/* ---- reading back ------------------------------------------------------------ */

static const char *jstr(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static uint32_t ju32(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble <= UINT32_MAX ? (uint32_t)v->valuedouble : 0;
}

static int opts_from(const ipam__dhcp_config *c, ipam__dhcp_optset *set, const cJSON *arr, const char *what)
{
	const cJSON *e;
	cJSON_ArrayForEach(e, arr)
	{
		char code[16];
		snprintf(code, sizeof code, "%u", (unsigned)ju32(e, "code"));
		int rc = ipam__dhcp_opt_set(c, set, ju32(e, "family") == 6 ? IPAM_AF_INET6 : IPAM_AF_INET,
					    ju32(e, "vendor"), code, jstr(e, "value"), what);
		if (rc)
			return rc;
	}
	return 0;
}

static char *raw(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsObject(v) ? cJSON_PrintUnformatted(v) : NULL;
}

static int range_text(char *out, size_t size, const cJSON *o)
{
	const char *a = jstr(o, "start"), *b = jstr(o, "end");
	if (!a || !b)
		return ipam__error(IPAM_EINVAL, "a range without start or end");
	snprintf(out, size, "%s-%s", a, b);
	return 0;
}

int ipam__dhcp_optset_from_json(const ipam__dhcp_config *c, ipam__dhcp_optset *set, const char *json,
				const char *what)
{
	cJSON *root = cJSON_Parse(json ? json : "{}");
	if (!cJSON_IsObject(root)) {
		cJSON_Delete(root);
		return ipam__error(IPAM_EINVAL, "%s: the stored options are not a JSON object", what);
	}
	int rc = opts_from(c, set, cJSON_GetObjectItemCaseSensitive(root, "options"), what);
	cJSON_Delete(root);
	return rc;
}

int ipam__dhcp_scope_from_json(ipam__dhcp_config *c, const char *name, const char *json, ipam__dhcp_scope **out)
{
	cJSON *root = cJSON_Parse(json ? json : "");
	const char *pfx = jstr(root, "prefix");
	ipam__dhcp_scope *s = NULL;
	int rc;
	char what[200], text[200];
	snprintf(what, sizeof what, "scope %s", name);
	if (!cJSON_IsObject(root) || !pfx) {
		cJSON_Delete(root);
		return ipam__error(IPAM_EINVAL, "%s: the stored scope is not a JSON object with a prefix", what);
	}
	if ((rc = ipam__dhcp_scope_add(c, name, pfx, ju32(root, "id"), &s)))
		goto done;
	s->valid = ju32(root, "valid");
	s->renew = ju32(root, "renew");
	s->rebind = ju32(root, "rebind");
	s->preferred = ju32(root, "preferred");
	const char *strs[] = {jstr(root, "template"), jstr(root, "description"), jstr(root, "shared_network")};
	char **fields[] = {&s->template_name, &s->description, &s->shared_network};
	for (int i = 0; i < 3; i++)
		if (strs[i] && !(*fields[i] = ipam__strdup(strs[i]))) {
			rc = IPAM_ENOMEM;
			goto done;
		}
	s->extra = raw(root, "extra");
	const cJSON *e;
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(root, "servers"))
	{
		if (cJSON_IsString(e) && (rc = ipam__dhcp_scope_serve(s, e->valuestring)))
			goto done;
	}
	if (jstr(root, "ha_primary") && (rc = ipam__dhcp_scope_ha(s, jstr(root, "ha_primary"), jstr(root, "ha_standby"))))
		goto done;
	if ((rc = opts_from(c, &s->opts, cJSON_GetObjectItemCaseSensitive(root, "options"), what)))
		goto done;
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(root, "pools"))
	{
		ipam__dhcp_pool *p;
		const cJSON *x;
		if ((rc = range_text(text, sizeof text, e)) || (rc = ipam__dhcp_pool_add(s, text, &p)))
			goto done;
		cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(e, "exclusions"))
		{
			if ((rc = range_text(text, sizeof text, x)) || (rc = ipam__dhcp_pool_exclude(s, p, text)))
				goto done;
		}
		p->extra = raw(e, "extra");
		if ((rc = opts_from(c, &p->opts, cJSON_GetObjectItemCaseSensitive(e, "options"), what)))
			goto done;
	}
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(root, "reservations"))
	{
		static const char *const ids[][2] = {
			{"mac", "mac:"}, {"client_id", "client-id:"}, {"duid", "duid:"}, {"circuit_id", "circuit-id:"}};
		char ident[300] = "";
		for (size_t i = 0; i < 4 && !ident[0]; i++)
			if (jstr(e, ids[i][0]))
				snprintf(ident, sizeof ident, "%s%s", ids[i][1], jstr(e, ids[i][0]));
		ipam__dhcp_resv *r;
		if ((rc = ipam__dhcp_resv_add(s, jstr(e, "address") ? jstr(e, "address") : "", ident, jstr(e, "hostname"),
					      &r)) ||
		    (rc = opts_from(c, &r->opts, cJSON_GetObjectItemCaseSensitive(e, "options"), what)))
			goto done;
	}
done:
	cJSON_Delete(root);
	if (rc && s)
		ipam__dhcp_scope_del(c, name);
	else if (!rc && out)
		*out = s;
	return rc;
}
