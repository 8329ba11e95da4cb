/* RPZ policies as stored objects (include/ipam/dns.h: ipam_rpz_add ...).
 *
 * Objects:
 * - the policy zone: kind ZONE with the default space's id as its parent
 *   (the DNS zones are all under no parent, so they never see it; and an
 *   export's check that every parent is an object or the default space
 *   holds), name its canonical
 *   origin ("rpz.example."); attrs {"serial": N}, N + 1 on every change. It
 *   is made by its first policy and removed with its last.
 * - a policy: kind RECORD, parent the policy zone's id, name its trigger
 *   ("qname bad.example.com", "client-ip 10.9.0.0/16": one policy per
 *   trigger, as RPZ has one action per owner name); attrs {"policy": the
 *   policy line in canonical form (ipam__dns_rpz_canon)}.
 *
 * A policy is checked whole before it is stored (the zone it makes alone
 * must render), so rendering the stored policies cannot fail on one. */
#include "db/obj.h"
#include "dns/dns.h"
#include "io/io.h"
#include "ipam/dns.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>

/* the parent of every policy zone */
#define rpz_parent ipam__default_space

/* A policy object's line (NULL when damaged); *hold keeps it: cJSON_Delete it. */
static const char *policy_of(const ipam__obj *o, cJSON **hold)
{
	*hold = o->attrs ? cJSON_Parse(o->attrs) : NULL;
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(*hold, "policy"));
}

/* Store an object of ours (flags as ipam__obj_put's); its id into `id`. */
static int put(ipam_db *db, unsigned kind, const uint8_t parent[16], const char *name, const char *attrs,
               unsigned flags, const char *action, uint8_t id[16])
{
	ipam__obj o;
	memset(&o, 0, sizeof o);
	o.kind = kind;
	memcpy(o.parent, parent, 16);
	o.name = name;
	o.attrs = attrs;
	int rc = ipam__obj_put(db, &o, flags, action);
	if (!rc && id)
		memcpy(id, o.id, 16);
	return rc;
}

/* The zone's policy lines, "\n"-separated, in trigger order. */
static int add_line(void *ctx, const ipam__obj *o)
{
	cJSON *a;
	const char *p = policy_of(o, &a);
	int rc = p ? ipam__buf_printf(ctx, "%s\n", p) : ipam__error(IPAM_EBACKEND, "RPZ policy %s: damaged", o->name);
	cJSON_Delete(a);
	return rc;
}

static uint32_t serial_of(const ipam__obj *z)
{
	cJSON *a = z->attrs ? cJSON_Parse(z->attrs) : NULL;
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(a, "serial");
	uint32_t v = cJSON_IsNumber(s) && s->valuedouble >= 1 && s->valuedouble <= 4294967295.0 ? (uint32_t)s->valuedouble
												  : 1;
	cJSON_Delete(a);
	return v;
}

/* Store the policy zone with `serial` (a new one when `fresh`); its id into `id`. */
static int put_zone(ipam_db *db, const char *origin, uint32_t serial, bool fresh, uint8_t id[16])
{
	char attrs[64];
	snprintf(attrs, sizeof attrs, "{\"serial\":%u}", serial);
	return put(db, IPAM_STORE_ZONE, rpz_parent, origin, attrs, fresh ? IPAM__OBJ_NEW : IPAM__OBJ_REPLACE,
	           fresh ? "rpz.zone.add" : "rpz.zone.serial", id);
}

/* The next serial: +1, skipping 0 on the wrap. */
static uint32_t next_serial(uint32_t s)
{
	return s == 4294967295u ? 1 : s + 1;
}

/* The zone's canonical origin, "rpz ORIGIN" for messages, and (when `text`
 * is not NULL) the policy's trigger key and canonical line. */
static int names_of(const char *zone, const char *text, bool trigger_only, char origin[1100], char where[1200],
                    char **key, char **canon)
{
	int rc = ipam__dns_canon_origin(origin, 1100, zone);
	if (rc)
		return rc;
	snprintf(where, 1200, "rpz %s", origin);
	return text ? ipam__dns_rpz_canon(text, where, trigger_only, key, canon) : 0;
}

int ipam_rpz_add(ipam_db *db, const char *zone, const char *policy, int replace)
{
	if (!db || !zone || !policy)
		return ipam__error(IPAM_EINVAL, "rpz add: no database, zone or policy");
	char origin[1100], where[1200], *key = NULL, *canon = NULL;
	int rc = names_of(zone, policy, false, origin, where, &key, &canon);
	if (rc)
		return rc;
	/* the policy alone must make a zone (its local data parse, its owner fits) */
	ipam_buf probe = IPAM_BUF_INIT;
	rc = ipam__dns_rpz_render_text(&probe, origin, canon, strlen(canon), where, 60, 1);
	ipam_buf_dispose(&probe);
	char *attrs = NULL;
	if (!rc) {
		cJSON *a = cJSON_CreateObject();
		if (!a || !cJSON_AddStringToObject(a, "policy", canon) || !(attrs = cJSON_PrintUnformatted(a)))
			rc = ipam__enomem();
		cJSON_Delete(a);
	}
	ipam__scope sc;
	if (!rc && !(rc = ipam__enter(db, 1, &sc))) {
		ipam__obj z, old;
		uint8_t zid[16];
		if (ipam__obj_get(db, IPAM_STORE_ZONE, rpz_parent, origin, &z) == 0)
			rc = put_zone(db, origin, next_serial(serial_of(&z)), false, zid);
		else
			rc = put_zone(db, origin, 1, true, zid);
		if (!rc && !replace && ipam__obj_get(db, IPAM_STORE_RECORD, zid, key, &old) == 0) {
			cJSON *a;
			const char *p = policy_of(&old, &a);
			rc = ipam__error(IPAM_EEXISTS, "%s: %s has a policy already (%s); replace it to change it", where, key,
			                 p ? p : "?");
			cJSON_Delete(a);
		}
		if (!rc)
			rc = put(db, IPAM_STORE_RECORD, zid, key, attrs, 0, "rpz.add", NULL);
		rc = ipam__leave(db, &sc, rc);
	}
	cJSON_free(attrs);
	free(key);
	free(canon);
	return rc;
}

/* Counts a zone's policies. */
static int count_one(void *ctx, const ipam__obj *o)
{
	(void)o;
	(*(size_t *)ctx)++;
	return 0;
}

int ipam_rpz_rm(ipam_db *db, const char *zone, const char *trigger)
{
	if (!db || !zone || !trigger)
		return ipam__error(IPAM_EINVAL, "rpz rm: no database, zone or trigger");
	char origin[1100], where[1200], *key = NULL, *canon = NULL;
	int rc = names_of(zone, trigger, true, origin, where, &key, &canon);
	if (rc)
		return rc;
	ipam__scope sc;
	if (!(rc = ipam__enter(db, 1, &sc))) {
		ipam__obj z;
		memset(&z, 0, sizeof z);
		size_t left = 0;
		if (ipam__obj_get(db, IPAM_STORE_ZONE, rpz_parent, origin, &z))
			rc = ipam__error(IPAM_ENOTFOUND, "%s: no such policy zone", where);
		uint8_t zid[16];
		memcpy(zid, z.id, 16);
		uint32_t serial = rc ? 0 : serial_of(&z);
		if (!rc && ipam__obj_get(db, IPAM_STORE_RECORD, zid, key, &z))
			rc = ipam__error(IPAM_ENOTFOUND, "%s: no policy for %s", where, key);
		if (!rc)
			rc = ipam__obj_del(db, IPAM_STORE_RECORD, zid, key, "rpz.rm");
		if (!rc)
			rc = ipam__obj_each_unordered(db, IPAM_STORE_RECORD, zid, count_one, &left);
		/* the zone goes with its last policy */
		if (!rc)
			rc = left ? put_zone(db, origin, next_serial(serial), false, NULL)
			          : ipam__obj_del(db, IPAM_STORE_ZONE, rpz_parent, origin, "rpz.zone.rm");
		rc = ipam__leave(db, &sc, rc);
	}
	free(key);
	free(canon);
	return rc;
}

/* ipam_rpz_list: one entry per policy of a zone */
typedef struct list_ctx {
	cJSON *arr;
	const char *origin;
} list_ctx;

static int list_policy(void *ctx, const ipam__obj *o)
{
	list_ctx *l = ctx;
	cJSON *a;
	const char *p = policy_of(o, &a);
	cJSON *e = cJSON_CreateObject();
	int rc = 0;
	if (!p)
		rc = ipam__error(IPAM_EBACKEND, "RPZ policy %s: damaged", o->name);
	else if (!e || !cJSON_AddStringToObject(e, "zone", l->origin) || !cJSON_AddStringToObject(e, "trigger", o->name) ||
	         !cJSON_AddStringToObject(e, "policy", p) || !cJSON_AddItemToArray(l->arr, e))
		rc = ipam__enomem();
	else
		e = NULL;
	cJSON_Delete(e);
	cJSON_Delete(a);
	return rc;
}

typedef struct zones_ctx {
	char **v;
	uint8_t (*id)[16];
	size_t n, cap;
} zones_ctx;

static int collect_zone(void *ctx, const ipam__obj *o)
{
	zones_ctx *z = ctx;
	if (z->n == z->cap) {
		size_t c = z->cap ? z->cap * 2 : 8;
		char **v = realloc(z->v, c * sizeof *v);
		if (v)
			z->v = v;
		uint8_t(*id)[16] = v ? realloc(z->id, c * sizeof *id) : NULL;
		if (!id)
			return ipam__enomem();
		z->id = id;
		z->cap = c;
	}
	if (!(z->v[z->n] = ipam__strdup(o->name)))
		return IPAM_ENOMEM;
	memcpy(z->id[z->n++], o->id, 16);
	return 0;
}

int ipam_rpz_list(ipam_buf *out, ipam_db *db, const char *zone)
{
	if (!out || !db)
		return ipam__error(IPAM_EINVAL, "rpz list: no database or output");
	char origin[1100];
	int rc = zone ? ipam__dns_canon_origin(origin, sizeof origin, zone) : 0;
	if (rc)
		return rc;
	zones_ctx zs = { NULL, NULL, 0, 0 };
	list_ctx l = { cJSON_CreateArray(), NULL };
	if (!l.arr)
		return ipam__enomem();
	ipam__scope sc;
	if (!(rc = ipam__enter(db, 0, &sc))) {
		ipam__obj z;
		if (zone && ipam__obj_get(db, IPAM_STORE_ZONE, rpz_parent, origin, &z))
			rc = ipam__error(IPAM_ENOTFOUND, "rpz %s: no such policy zone", origin);
		else if (zone)
			rc = collect_zone(&zs, &z);
		else
			rc = ipam__obj_each(db, IPAM_STORE_ZONE, rpz_parent, collect_zone, &zs);
		for (size_t i = 0; !rc && i < zs.n; i++) {
			l.origin = zs.v[i];
			rc = ipam__obj_each(db, IPAM_STORE_RECORD, zs.id[i], list_policy, &l);
		}
		rc = ipam__leave(db, &sc, rc);
	}
	for (size_t i = 0; i < zs.n; i++)
		free(zs.v[i]);
	free(zs.v);
	free(zs.id);
	if (rc) {
		cJSON_Delete(l.arr);
		return rc;
	}
	return ipam__json_to_buf(out, l.arr);
}

int ipam_rpz_zone_render(ipam_buf *out, ipam_db *db, const char *zone, uint32_t ttl)
{
	if (!out || !db || !zone)
		return ipam__error(IPAM_EINVAL, "rpz render: no database, zone or output");
	char origin[1100], where[1200];
	int rc = names_of(zone, NULL, false, origin, where, NULL, NULL);
	if (rc)
		return rc;
	ipam_buf text = IPAM_BUF_INIT;
	uint32_t serial = 1;
	ipam__scope sc;
	if (!(rc = ipam__enter(db, 0, &sc))) {
		ipam__obj z;
		if (ipam__obj_get(db, IPAM_STORE_ZONE, rpz_parent, origin, &z))
			rc = ipam__error(IPAM_ENOTFOUND, "%s: no such policy zone", where);
		if (!rc) {
			serial = serial_of(&z);
			rc = ipam__obj_each(db, IPAM_STORE_RECORD, z.id, add_line, &text);
		}
		rc = ipam__leave(db, &sc, rc);
	}
	if (!rc)
		rc = ipam__dns_rpz_render_text(out, origin, text.ptr ? text.ptr : "", text.size, where, ttl, serial);
	ipam_buf_dispose(&text);
	return rc;
}
