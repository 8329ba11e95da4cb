/* Observations kept in the database: stored objects of kind
 * IPAM_STORE_OBSERVATION (src/db/obj.h), one per (space, kind, address or
 * subnet, MAC, source), the object's parent its space (all zero for a
 * space that does not exist) and its attrs the observation's JSON as
 * ipam_obs_set_json() writes it. Saving merges with what is stored, so the
 * store holds when each thing was first and last seen, across runs. */
#include "discover/disc.h"
#include "db/obj.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>

static const uint8_t no_parent[16];

/* The object's name: what makes an observation itself in its space. */
static void key_of(char *out, size_t size, const ipam_observation *o, bool with_space)
{
	char t[IPAM_PREFIX_STRLEN], m[IPAM_MAC_STRLEN] = "-";
	if (o->kind == IPAM_OBS_SUBNET)
		ipam_prefix_format(t, sizeof t, &o->subnet);
	else
		ipam_addr_format(t, sizeof t, &o->addr);
	if (o->has_mac)
		ipam_mac_format(m, sizeof m, &o->mac);
	snprintf(out, size, "%s%s%s %s %s %.200s", with_space ? o->space : "", with_space ? " " : "",
		 o->kind == IPAM_OBS_SUBNET ? "subnet" : "address", t, m, o->source);
}

static bool same_str(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

/* Save one observation inside the open transaction. */
static int save_one(ipam_db *db, ipam_observation o)
{
	ipam__space *sp = ipam__space_find(db, o.space);
	ipam_error_clear();
	ipam__obj obj = { 0 };
	char name[400];
	key_of(name, sizeof name, &o, sp == NULL);
	obj.kind = IPAM_STORE_OBSERVATION;
	memcpy(obj.parent, sp ? sp->id : no_parent, 16);
	obj.name = name;
	cJSON *prev_doc = NULL;
	ipam__obj old;
	if (ipam__obj_get(db, IPAM_STORE_OBSERVATION, obj.parent, name, &old) == 0 && old.attrs &&
	    (prev_doc = cJSON_Parse(old.attrs))) {
		ipam_observation prev;
		if (ipam__disc_obs_from_json(&prev, prev_doc, name) == 0) {
			bool newer = o.last_seen >= prev.last_seen;
			ipam_observation m = o;
			m.first_seen = o.first_seen < prev.first_seen ? o.first_seen : prev.first_seen;
			m.last_seen = newer ? o.last_seen : prev.last_seen;
			m.name = newer && o.name ? o.name : prev.name;
			m.device = newer && o.device ? o.device : prev.device;
			if (m.first_seen == prev.first_seen && m.last_seen == prev.last_seen && same_str(m.name, prev.name) &&
			    same_str(m.device, prev.device)) {
				cJSON_Delete(prev_doc);
				return 0; /* nothing new: no write, no audit entry */
			}
			o = m;
		}
	}
	cJSON *j = ipam__disc_obs_to_json(&o);
	char *attrs = j ? cJSON_PrintUnformatted(j) : NULL;
	cJSON_Delete(j);
	cJSON_Delete(prev_doc); /* after: o's strings may borrow from it */
	if (!attrs)
		return ipam__enomem();
	obj.attrs = attrs;
	int rc = ipam__obj_put(db, &obj, 0, "observation.put");
	free(attrs);
	return rc;
}

int ipam_obs_save(ipam_db *db, const ipam_obs_set *set)
{
	if (!db || !set)
		return ipam__error(IPAM_EINVAL, "ipam_obs_save: db and observations are required");
	ipam__scope sc;
	int rc = ipam__enter(db, 1, &sc);
	if (rc)
		return rc;
	for (size_t i = 0; i < set->n && !rc; i++) {
		ipam_observation o;
		ipam_obs_set_get(&o, set, i);
		rc = save_one(db, o);
	}
	return ipam__leave(db, &sc, rc);
}

typedef struct load_ctx {
	ipam_obs_set *out;
	int64_t since;
} load_ctx;

static int load_one(void *vctx, const ipam__obj *obj)
{
	load_ctx *c = vctx;
	char where[460];
	snprintf(where, sizeof where, "stored observation \"%.400s\"", obj->name);
	cJSON *doc = obj->attrs ? cJSON_Parse(obj->attrs) : NULL;
	ipam_observation o;
	int rc = ipam__disc_obs_from_json(&o, doc, where);
	if (!rc && o.last_seen >= c->since)
		rc = ipam_obs_set_add(c->out, &o);
	cJSON_Delete(doc);
	return rc;
}

int ipam_obs_load(ipam_obs_set *out, ipam_db *db, const char *space, int64_t since)
{
	if (!out || !db)
		return ipam__error(IPAM_EINVAL, "ipam_obs_load: out and db are required");
	ipam__scope sc;
	int rc = ipam__enter(db, 0, &sc);
	if (rc)
		return rc;
	load_ctx c = { out, since };
	ipam__space *sp = space ? ipam__space_find(db, space) : NULL;
	if (space && !sp)
		rc = IPAM_ENOTFOUND;
	else
		rc = ipam__obj_each(db, IPAM_STORE_OBSERVATION, sp ? sp->id : NULL, load_one, &c);
	return ipam__leave(db, &sc, rc);
}
