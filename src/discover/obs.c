/* The observation set: what probes saw, merged by (space, kind, address or
 * subnet, MAC, source) so that seeing the same thing again only moves its
 * last_seen. A hash table of indexes keeps adding O(1), so a probe of a
 * large network or a reconciliation benchmark of a million observations
 * does not go quadratic. */
#include "discover/disc.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>

int ipam_obs_set_new(ipam_obs_set **out)
{
	ipam_obs_set *s = calloc(1, sizeof *s);
	if (!s)
		return ipam__enomem();
	*out = s;
	return 0;
}

void ipam_obs_set_free(ipam_obs_set *set)
{
	if (!set)
		return;
	for (size_t i = 0; i < set->n; i++)
		free(set->v[i].name);
	for (size_t i = 0; i < set->nstr; i++)
		free(set->str[i]);
	free(set->v);
	free(set->slot);
	free(set->str);
	free(set);
}

const char *ipam__disc_intern(ipam_obs_set *set, const char *s)
{
	if (!s)
		return NULL;
	/* few distinct values (spaces, probes, agents): newest first */
	for (size_t i = set->nstr; i-- > 0;)
		if (strcmp(set->str[i], s) == 0)
			return set->str[i];
	if (set->nstr == set->cstr) {
		size_t c = set->cstr ? set->cstr * 2 : 8;
		char **v = realloc(set->str, c * sizeof *v);
		if (!v)
			return NULL;
		set->str = v;
		set->cstr = c;
	}
	char *d = ipam__strdup(s);
	if (d)
		set->str[set->nstr++] = d;
	return d;
}

static uint64_t mix(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ull;
	return h;
}

/* Interned strings compare by pointer, so they hash by pointer too. */
static uint64_t obs_hash(const ipam__disc_obs *o)
{
	uint64_t h = 0xcbf29ce484222325ull;
	h = mix(h, &o->space, sizeof o->space);
	h = mix(h, &o->source, sizeof o->source);
	h = mix(h, &o->kind, 1);
	if (o->kind == IPAM_OBS_SUBNET)
		h = mix(h, &o->subnet, sizeof o->subnet);
	else
		h = mix(h, &o->addr, sizeof o->addr);
	if (o->has_mac)
		h = mix(h, o->mac.bytes, o->mac.len);
	return h ^ (h >> 29);
}

static bool obs_same(const ipam__disc_obs *a, const ipam__disc_obs *b)
{
	if (a->space != b->space || a->source != b->source || a->kind != b->kind || a->has_mac != b->has_mac)
		return false;
	if (a->has_mac && (a->mac.len != b->mac.len || memcmp(a->mac.bytes, b->mac.bytes, a->mac.len) != 0))
		return false;
	if (a->kind == IPAM_OBS_SUBNET)
		return ipam_prefix_cmp(&a->subnet, &b->subnet) == 0;
	return ipam_addr_cmp(&a->addr, &b->addr) == 0;
}

static void find_slot(const ipam_obs_set *set, const ipam__disc_obs *o, size_t *pos)
{
	size_t mask = set->nslot - 1;
	size_t i = (size_t)obs_hash(o) & mask;
	while (set->slot[i] && !obs_same(&set->v[set->slot[i] - 1], o))
		i = (i + 1) & mask;
	*pos = i;
}

static int grow(ipam_obs_set *set)
{
	if (set->n == set->cap) {
		size_t c = set->cap ? set->cap * 2 : 64;
		ipam__disc_obs *v = realloc(set->v, c * sizeof *v);
		if (!v)
			return ipam__enomem();
		set->v = v;
		set->cap = c;
	}
	if (2 * (set->n + 1) < set->nslot)
		return 0;
	size_t ns = set->nslot ? set->nslot * 2 : 128;
	uint32_t *slot = calloc(ns, sizeof *slot);
	if (!slot)
		return ipam__enomem();
	free(set->slot);
	set->slot = slot;
	set->nslot = ns;
	for (size_t k = 0; k < set->n; k++) {
		size_t pos;
		find_slot(set, &set->v[k], &pos);
		set->slot[pos] = (uint32_t)(k + 1);
	}
	return 0;
}

static int check_obs(const ipam_observation *o)
{
	if (!o || o->version < 1 || o->version > IPAM_OBSERVATION_VERSION)
		return ipam__error(IPAM_EINVAL, "observation: unknown version %u", o ? o->version : 0);
	if (o->kind != IPAM_OBS_ADDRESS && o->kind != IPAM_OBS_SUBNET)
		return ipam__error(IPAM_EINVAL, "observation: kind %d is neither address nor subnet", (int)o->kind);
	char tmp[IPAM_PREFIX_STRLEN];
	if (o->kind == IPAM_OBS_ADDRESS && ipam_addr_format(tmp, sizeof tmp, &o->addr) < 0)
		return ipam__error(IPAM_EINVAL, "observation: addr: not a valid address");
	if (o->kind == IPAM_OBS_SUBNET) {
		ipam_prefix p;
		if (ipam_prefix_from(&p, &o->subnet.addr, o->subnet.len, 0) != 0)
			return ipam__error(IPAM_EINVAL, "observation: subnet: not a valid prefix");
	}
	if (o->space && (!*o->space || strlen(o->space) > 63))
		return ipam__error(IPAM_EINVAL, "observation: space: must be 1..63 characters");
	if (!o->source || !*o->source)
		return ipam__error(IPAM_EINVAL, "observation: source: required");
	if (o->has_mac && o->mac.len != 6 && o->mac.len != 8)
		return ipam__error(IPAM_EINVAL, "observation: mac: length %u (must be 6 or 8)", o->mac.len);
	if (o->last_seen < o->first_seen)
		return ipam__error(IPAM_EINVAL, "observation: last_seen %lld is before first_seen %lld",
				   (long long)o->last_seen, (long long)o->first_seen);
	return 0;
}

int ipam_obs_set_add(ipam_obs_set *set, const ipam_observation *obs)
{
	int rc = check_obs(obs);
	if (rc)
		return rc;
	ipam__disc_obs o = { 0 };
	o.kind = (uint8_t)obs->kind;
	o.has_mac = obs->has_mac != 0;
	if (o.kind == IPAM_OBS_SUBNET)
		o.subnet = obs->subnet;
	else
		o.addr = obs->addr;
	if (o.has_mac)
		o.mac = obs->mac;
	o.space = ipam__disc_intern(set, obs->space ? obs->space : "default");
	o.source = ipam__disc_intern(set, obs->source);
	o.device = ipam__disc_intern(set, obs->device);
	if (!o.space || !o.source || (obs->device && !o.device))
		return ipam__enomem();
	o.first_seen = obs->first_seen;
	o.last_seen = obs->last_seen;
	if ((rc = grow(set)))
		return rc;
	size_t pos;
	find_slot(set, &o, &pos);
	if (set->slot[pos]) {
		ipam__disc_obs *old = &set->v[set->slot[pos] - 1];
		if (o.first_seen < old->first_seen)
			old->first_seen = o.first_seen;
		if (o.last_seen >= old->last_seen) {
			old->last_seen = o.last_seen;
			if (obs->name) {
				char *nm = ipam__strdup(obs->name);
				if (!nm)
					return ipam__enomem();
				free(old->name);
				old->name = nm;
			}
			if (o.device)
				old->device = o.device;
		}
		return 0;
	}
	if (obs->name && !(o.name = ipam__strdup(obs->name)))
		return ipam__enomem();
	set->v[set->n++] = o;
	set->slot[pos] = (uint32_t)set->n;
	return 0;
}

size_t ipam_obs_set_count(const ipam_obs_set *set)
{
	return set ? set->n : 0;
}

int ipam_obs_set_get(ipam_observation *out, const ipam_obs_set *set, size_t index)
{
	if (!set || index >= set->n)
		return ipam__error(IPAM_ENOTFOUND, "observation %zu: no such observation", index);
	const ipam__disc_obs *o = &set->v[index];
	ipam_observation r = IPAM_OBSERVATION_INIT;
	r.kind = (ipam_obs_kind)o->kind;
	r.space = o->space;
	r.addr = o->addr;
	r.subnet = o->subnet;
	r.has_mac = o->has_mac;
	r.mac = o->mac;
	r.name = o->name;
	r.source = o->source;
	r.device = o->device;
	r.first_seen = o->first_seen;
	r.last_seen = o->last_seen;
	*out = r;
	return 0;
}

cJSON *ipam__disc_obs_to_json(const ipam_observation *o)
{
	char t[IPAM_PREFIX_STRLEN];
	cJSON *j = cJSON_CreateObject();
	bool ok = j && cJSON_AddStringToObject(j, "kind", o->kind == IPAM_OBS_SUBNET ? "subnet" : "address") &&
		  cJSON_AddStringToObject(j, "space", o->space ? o->space : "default");
	if (o->kind == IPAM_OBS_SUBNET) {
		ipam_prefix_format(t, sizeof t, &o->subnet);
		ok = ok && cJSON_AddStringToObject(j, "subnet", t);
	} else {
		ipam_addr_format(t, sizeof t, &o->addr);
		ok = ok && cJSON_AddStringToObject(j, "address", t);
	}
	if (o->has_mac) {
		ipam_mac_format(t, sizeof t, &o->mac);
		ok = ok && cJSON_AddStringToObject(j, "mac", t);
	} else {
		ok = ok && cJSON_AddNullToObject(j, "mac");
	}
	ok = ok && (o->name ? cJSON_AddStringToObject(j, "name", o->name) : cJSON_AddNullToObject(j, "name")) &&
	     cJSON_AddStringToObject(j, "source", o->source) &&
	     (o->device ? cJSON_AddStringToObject(j, "device", o->device) : cJSON_AddNullToObject(j, "device")) &&
	     cJSON_AddNumberToObject(j, "first_seen", (double)o->first_seen) &&
	     cJSON_AddNumberToObject(j, "last_seen", (double)o->last_seen);
	if (!ok) {
		cJSON_Delete(j);
		return NULL;
	}
	return j;
}

/* A string member, NULL for null or absent; -1 for another type. */
static int opt_str(const cJSON *j, const char *key, const char **out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, key);
	*out = cJSON_IsString(v) ? v->valuestring : NULL;
	return v && !cJSON_IsString(v) && !cJSON_IsNull(v) ? -1 : 0;
}

static int seconds(const cJSON *j, const char *key, int64_t *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, key);
	if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > 253402300799.0 ||
	    v->valuedouble != (double)(int64_t)v->valuedouble)
		return -1;
	*out = (int64_t)v->valuedouble;
	return 0;
}

int ipam__disc_obs_from_json(ipam_observation *o, const cJSON *j, const char *where)
{
	ipam_observation r = IPAM_OBSERVATION_INIT;
	const char *kind, *addr, *subnet, *mac, *field = NULL;
	if (!cJSON_IsObject(j))
		return ipam__error(IPAM_EINVAL, "%s: not an object", where);
	if (opt_str(j, "kind", &kind) || (kind && strcmp(kind, "address") && strcmp(kind, "subnet")))
		field = "kind";
	else if (opt_str(j, "space", &r.space) || opt_str(j, "name", &r.name) || opt_str(j, "device", &r.device))
		field = "space, name or device (strings)";
	else if (opt_str(j, "source", &r.source) || !r.source)
		field = "source";
	else if (opt_str(j, "address", &addr) || opt_str(j, "subnet", &subnet) || opt_str(j, "mac", &mac))
		field = "address, subnet or mac (strings)";
	else if (seconds(j, "first_seen", &r.first_seen) || seconds(j, "last_seen", &r.last_seen))
		field = "first_seen or last_seen (whole seconds)";
	if (field)
		return ipam__error(IPAM_EINVAL, "%s: %s: missing or of the wrong type", where, field);
	r.kind = kind && strcmp(kind, "subnet") == 0 ? IPAM_OBS_SUBNET : IPAM_OBS_ADDRESS;
	const char *what = r.kind == IPAM_OBS_SUBNET ? "subnet" : "address";
	const char *text = r.kind == IPAM_OBS_SUBNET ? subnet : addr;
	if (!text)
		return ipam__error(IPAM_EINVAL, "%s: %s: missing", where, what);
	if (r.kind == IPAM_OBS_SUBNET ? ipam_prefix_parse(&r.subnet, text, 0) : ipam_addr_parse(&r.addr, text))
		return ipam__error(IPAM_EINVAL, "%s: %s: %s", where, what, ipam_error_last()->message);
	if (mac) {
		if (ipam_mac_parse(&r.mac, mac))
			return ipam__error(IPAM_EINVAL, "%s: mac: %s", where, ipam_error_last()->message);
		r.has_mac = 1;
	}
	*o = r;
	return 0;
}

int ipam_obs_set_add_json(ipam_obs_set *set, const char *text, size_t len, const char *where)
{
	const char *w = where ? where : "observations";
	const char *end = NULL;
	cJSON *doc = cJSON_ParseWithLengthOpts(text, len, &end, 0);
	if (!doc)
		return ipam__error(IPAM_EINVAL, "%s: not JSON (byte %zu)", w, end && end >= text ? (size_t)(end - text) : 0);
	if (!cJSON_IsArray(doc)) {
		cJSON_Delete(doc);
		return ipam__error(IPAM_EINVAL, "%s: not a JSON array of observations", w);
	}
	const cJSON *it;
	size_t i = 0;
	int rc = 0;
	cJSON_ArrayForEach(it, doc)
	{
		char at[160];
		snprintf(at, sizeof at, "%.120s: observation %zu", w, i++);
		ipam_observation o;
		if ((rc = ipam__disc_obs_from_json(&o, it, at)))
			break;
		if ((rc = ipam_obs_set_add(set, &o))) {
			rc = ipam__error(rc, "%s: %s", at, ipam_error_last()->message);
			break;
		}
	}
	cJSON_Delete(doc);
	return rc;
}

int ipam_obs_set_json(ipam_buf *out, const ipam_obs_set *set)
{
	cJSON *arr = cJSON_CreateArray();
	if (!arr)
		return ipam__enomem();
	for (size_t i = 0; set && i < set->n; i++) {
		ipam_observation o;
		ipam_obs_set_get(&o, set, i);
		cJSON *j = ipam__disc_obs_to_json(&o);
		if (!j || !cJSON_AddItemToArray(arr, j)) {
			cJSON_Delete(j);
			cJSON_Delete(arr);
			return ipam__enomem();
		}
	}
	return ipam__disc_json_out(out, arr);
}

int ipam__disc_json_out(ipam_buf *out, cJSON *doc)
{
	char *text = doc ? cJSON_PrintUnformatted(doc) : NULL;
	cJSON_Delete(doc);
	if (!text)
		return ipam__enomem();
	ipam_buf_dispose(out);
	int rc = ipam__buf_put(out, text, strlen(text));
	free(text);
	return rc;
}
