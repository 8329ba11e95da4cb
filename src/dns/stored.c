/* The stored DNS model (include/ipam/dns.h): zones, hand records, servers
 * and push states as stored objects (src/db/obj.h), and the zone content
 * built from them and from the addresses for every read, render and push.
 *
 * Objects:
 * - zone: kind ZONE, no parent, name "ORIGIN" in the default view and
 *   "ORIGIN VIEW" in another (a DNS name holds no space, so the key is
 *   unambiguous); attrs: origin, view, space, derive, ns, mname, rname,
 *   ttl and SOA timers, serial, serial policy, and the digest of the content
 *   the serial was set for.
 * - record: kind RECORD, parent the zone's id, name the record in the
 *   renderer's presentation format with absolute names and one space
 *   between fields ("www.example.com. 300 IN A 192.0.2.1"): one text per
 *   record, so the same record cannot be stored twice.
 * - server: kind SERVER, attrs {"dns": "rfc2136" | "pdns-api", address,
 *   port, tsig name and algorithm, the secret sealed; or url, server_id, the
 *   API key sealed}.
 * - push state: kind STATE, parent the server's id, name the zone's key;
 *   attrs {"zone": the zone file of what the server holds of ours}.
 *
 * Derived records are never stored: they are a function of the addresses
 * and the zones, computed when the zone is read. That is what keeps
 * addresses and records from drifting: writing the address is writing its
 * records. */
#include "dns/dns.h"
#include "db/obj.h"
#include "io/io.h"
#include "ipam/dns.h"
#include "ipam/ip.h"
#include "ipam/space.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <time.h>

#define DEFAULT_VIEW "default"
#define KEY_MAX 600

static const uint8_t no_parent[16];

/* ---- zone settings -------------------------------------------------------------- */

typedef struct zattrs {
	char origin[300];
	char view[64];
	char space[64];
	int derive;
	char **ns;
	size_t nns;
	char mname[320], rname[320];
	uint32_t ttl, refresh, retry, expire, minimum, serial;
	int policy;
	char digest[65];
	char tmpl[64];          /* the zone template, or "" */
	int refuse_unknown;     /* refuse hand A/AAAA/PTR records of addresses the space lacks */
	char **trec;            /* the template's records (relative to the zone) */
	size_t ntrec;
	/* what the zone itself sets (the rest comes from its template or the defaults) */
	cJSON *own;
} zattrs;

static void strv_free(char ***v, size_t *n)
{
	for (size_t i = 0; i < *n; i++)
		free((*v)[i]);
	free(*v);
	*v = NULL;
	*n = 0;
}

static void zattrs_free(zattrs *za)
{
	strv_free(&za->ns, &za->nns);
	strv_free(&za->trec, &za->ntrec);
	cJSON_Delete(za->own);
	za->own = NULL;
}

/* A JSON array of strings into a new vector. */
static int strv_of(char ***v, size_t *n, const cJSON *arr, const char *what)
{
	*v = NULL;
	*n = 0;
	size_t k = cJSON_IsArray(arr) ? (size_t)cJSON_GetArraySize(arr) : 0;
	if (!k)
		return 0;
	if (!(*v = calloc(k, sizeof **v)))
		return ipam__enomem();
	for (const cJSON *c = arr->child; c; c = c->next) {
		if (!cJSON_IsString(c)) {
			strv_free(v, n);
			return ipam__error(IPAM_EBACKEND, "%s: a damaged list", what);
		}
		if (!((*v)[(*n)++] = ipam__strdup(c->valuestring))) {
			strv_free(v, n);
			return IPAM_ENOMEM;
		}
	}
	return 0;
}

int ipam__dns_check_view(const char *view)
{
	size_t n = strlen(view);
	if (n == 0 || n > 63)
		return ipam__error(IPAM_EINVAL, "view \"%.80s\": a view name has 1 to 63 characters", view);
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)view[i]) && !strchr("-_.", view[i]))
			return ipam__error(IPAM_EINVAL, "view \"%.80s\": character %zu is not a letter, digit or one of -_.",
			                   view, i + 1);
	return 0;
}

/* The zone's origin, absolute and in lower case; IPAM_EINVAL for a bad name. */
int ipam__dns_canon_origin(char *out, size_t size, const char *zone)
{
	ipam__dns_zone *z = NULL;
	int rc = ipam__dns_zone_new(&z, zone);
	if (rc)
		return rc;
	ipam_buf b = IPAM_BUF_INIT;
	rc = ipam__dns_name_put(&b, z->origin);
	if (!rc) {
		if (b.size >= size)
			rc = ipam__error(IPAM_EINVAL, "zone %.80s...: the name is too long", zone);
		else
			for (size_t i = 0; i <= b.size; i++)
				out[i] = (char)tolower((unsigned char)b.ptr[i]);
	}
	ipam_buf_dispose(&b);
	ipam__dns_zone_free(z);
	return rc;
}

static void zone_key(char *out, size_t size, const char *origin, const char *view)
{
	if (!view || !strcmp(view, DEFAULT_VIEW))
		snprintf(out, size, "%s", origin);
	else
		snprintf(out, size, "%s %s", origin, view);
}

static uint32_t num(const cJSON *o, const char *k, uint32_t def)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble <= 4294967295.0 ? (uint32_t)v->valuedouble : def;
}

static void str(char *out, size_t size, const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	snprintf(out, size, "%s", cJSON_IsString(v) && v->valuestring ? v->valuestring : "");
}

/* A number the zone sets, else its template, else the default. */
static uint32_t num2(const cJSON *own, const cJSON *t, const char *k, uint32_t def)
{
	return num(own, k, num(t, k, def));
}

static void str2(char *out, size_t size, const cJSON *own, const cJSON *t, const char *k)
{
	str(out, size, own, k);
	if (!out[0] && t)
		str(out, size, t, k);
}

/* The zone's settings: what it sets itself, then its template's, then the
 * defaults. */
static int zattrs_read(ipam_db *db, zattrs *za, const ipam__obj *zo)
{
	memset(za, 0, sizeof *za);
	cJSON *o = zo->attrs ? cJSON_Parse(zo->attrs) : NULL;
	if (!o)
		return ipam__error(IPAM_EBACKEND, "zone %s: the stored settings are damaged", zo->name);
	za->own = o;
	str(za->origin, sizeof za->origin, o, "origin");
	str(za->view, sizeof za->view, o, "view");
	str(za->space, sizeof za->space, o, "space");
	str(za->digest, sizeof za->digest, o, "digest");
	str(za->tmpl, sizeof za->tmpl, o, "template");
	cJSON *t = NULL;
	int rc = 0;
	if (za->tmpl[0]) {
		ipam__obj to;
		if (ipam__obj_get(db, IPAM_STORE_TEMPLATE, no_parent, za->tmpl, &to) || !to.attrs ||
		    !(t = cJSON_Parse(to.attrs)))
			rc = ipam__error(IPAM_EBACKEND, "zone %s: its template %s is missing or damaged", zo->name, za->tmpl);
	}
	str2(za->mname, sizeof za->mname, o, t, "mname");
	str2(za->rname, sizeof za->rname, o, t, "rname");
	za->derive = !cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(o, "derive"));
	za->refuse_unknown = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "refuse_unknown_addresses"));
	za->ttl = num2(o, t, "ttl", 3600);
	za->refresh = num2(o, t, "refresh", 3600);
	za->retry = num2(o, t, "retry", 900);
	za->expire = num2(o, t, "expire", 1209600);
	za->minimum = num2(o, t, "minimum", 300);
	za->serial = num(o, "serial", 1);
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(o, "serial_policy");
	za->policy = cJSON_IsString(p) && !strcmp(p->valuestring, "increment") ? IPAM__DNS_SERIAL_INCREMENT
	                                                                        : IPAM__DNS_SERIAL_DATE;
	const cJSON *ns = cJSON_GetObjectItemCaseSensitive(o, "ns");
	if (!rc && (!cJSON_IsArray(ns) || !cJSON_GetArraySize(ns)) && t)
		ns = cJSON_GetObjectItemCaseSensitive(t, "ns");
	if (!rc)
		rc = strv_of(&za->ns, &za->nns, ns, zo->name);
	if (!rc && t)
		rc = strv_of(&za->trec, &za->ntrec, cJSON_GetObjectItemCaseSensitive(t, "records"), za->tmpl);
	cJSON_Delete(t);
	if (!rc && (!za->origin[0] || !za->view[0] || !za->space[0] || !za->nns))
		rc = ipam__error(IPAM_EBACKEND, "zone %s: the stored settings lack a field", zo->name);
	if (!rc && !za->mname[0])
		snprintf(za->mname, sizeof za->mname, "%s", za->ns[0]);
	if (!rc && !za->rname[0]) {
		/* hostmaster at the zone; at the name server's domain when the
		 * zone's name is no host name (RFC 2317 "0/26...": named's
		 * check-names refuses such a mailbox and with it the zone) */
		const char *dom = za->origin, *dot = strchr(za->mname, '.');
		if (za->origin[strspn(za->origin, "abcdefghijklmnopqrstuvwxyz0123456789-.")] && dot && dot[1])
			dom = dot + 1;
		snprintf(za->rname, sizeof za->rname, "hostmaster.%s", dom);
	}
	if (rc)
		zattrs_free(za);
	return rc;
}

/* The zone's own settings with the serial and digest of za. */
static char *zattrs_json(const zattrs *za)
{
	cJSON *o = cJSON_Duplicate(za->own, 1);
	char *s = NULL;
	if (o) {
		cJSON_DeleteItemFromObjectCaseSensitive(o, "serial");
		cJSON_DeleteItemFromObjectCaseSensitive(o, "digest");
		if (cJSON_AddNumberToObject(o, "serial", za->serial) && cJSON_AddStringToObject(o, "digest", za->digest))
			s = cJSON_PrintUnformatted(o);
	}
	cJSON_Delete(o);
	if (!s)
		ipam__enomem();
	return s;
}

/* The zone object of (zone, view) and its settings. */
static int zone_find(ipam_db *db, const char *zone, const char *view, ipam__obj *zo, zattrs *za)
{
	char origin[300], key[KEY_MAX];
	int rc;
	if (!zone)
		return ipam__error(IPAM_EINVAL, "zone: no name");
	if (!view)
		view = DEFAULT_VIEW;
	if ((rc = ipam__dns_check_view(view)) || (rc = ipam__dns_canon_origin(origin, sizeof origin, zone)))
		return rc;
	zone_key(key, sizeof key, origin, view);
	if (ipam__obj_get(db, IPAM_STORE_ZONE, no_parent, key, zo))
		return ipam__error(IPAM_ENOTFOUND, "zone %s not found in view %s", origin, view);
	return za ? zattrs_read(db, za, zo) : 0;
}

/* ---- the content ---------------------------------------------------------------- */

/* The origins of the zones of one view, and of one space when `space` is
 * set (derived records go to the most specific of them). */
typedef struct origins {
	char **v;
	size_t n, cap;
	const char *view, *space;
	ipam_db *db;
} origins;

static int collect_origin(void *ctx, const ipam__obj *o)
{
	origins *l = ctx;
	zattrs za;
	int rc = zattrs_read(l->db, &za, o);
	if (rc)
		return rc;
	if (!strcmp(za.view, l->view) && (!l->space || !strcmp(za.space, l->space))) {
		if (l->n == l->cap) {
			size_t c = l->cap ? l->cap * 2 : 16;
			char **p = realloc(l->v, c * sizeof *p);
			if (!p) {
				zattrs_free(&za);
				return ipam__enomem();
			}
			l->v = p;
			l->cap = c;
		}
		if (!(l->v[l->n] = ipam__strdup(za.origin))) {
			zattrs_free(&za);
			return IPAM_ENOMEM;
		}
		l->n++;
	}
	zattrs_free(&za);
	return 0;
}

static void origins_free(origins *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);
	return n >= k && !strcasecmp(s + n - k, suffix) && (n == k || s[n - k - 1] == '.');
}

static bool is_reverse(const char *origin, int *family)
{
	if (ends_with(origin, "in-addr.arpa.")) {
		*family = IPAM_AF_INET;
		return true;
	}
	if (ends_with(origin, "ip6.arpa.")) {
		*family = IPAM_AF_INET6;
		return true;
	}
	return false;
}

typedef struct hand_ctx {
	ipam__dns_zone *z;
	size_t n;
} hand_ctx;

/* The apex NS records go in with line 3, hand records with line 1, the
 * template's with line 2, derived ones with line 0: the zone's sort keeps the first of two equal
 * records, and line says where each of the rest came from. */
static int add_hand(void *ctx, const ipam__obj *o)
{
	hand_ctx *h = ctx;
	ldns_rr *rr = NULL;
	ldns_rdf *prev = NULL;
	ldns_status st = ldns_rr_new_frm_str(&rr, o->name, h->z->ttl, h->z->origin, &prev);
	ldns_rdf_deep_free(prev);
	if (st != LDNS_STATUS_OK || !rr) {
		ldns_rr_free(rr);
		return ipam__error(IPAM_EBACKEND, "a stored record does not parse: \"%.200s\": %s", o->name,
		                   ldns_get_errorstr_by_id(st));
	}
	h->n++;
	return ipam__dns_zone_add_rr(h->z, rr, 1, NULL);
}

/* A and AAAA (forward zone) or PTR (reverse zone) of every address of the
 * space with a host name that belongs to this zone, each to `cb` with its
 * owner (absolute); with `only`, those of that owner. It walks every
 * address of the space: O(addresses) whatever `only` is (no index by host
 * name), which is why a run of records keeps them (derived_cache). */
typedef int (*derived_cb)(void *ctx, const char *owner, const char *line);

static int each_derived(ipam_db *db, const zattrs *za, const char *only, derived_cb cb, void *ctx)
{
	origins l = { NULL, 0, 0, za->view, za->space, db };
	int rc = ipam__obj_each(db, IPAM_STORE_ZONE, no_parent, collect_origin, &l);
	size_t self = SIZE_MAX;
	for (size_t i = 0; !rc && i < l.n; i++)
		if (!strcmp(l.v[i], za->origin))
			self = i;
	if (rc || self == SIZE_MAX) {
		origins_free(&l);
		return rc;
	}
	int family = 0;
	bool rev = is_reverse(za->origin, &family);
	ipam_ip_query q = IPAM_IP_QUERY_INIT;
	q.space = za->space;
	ipam_ip_iter *it = NULL;
	if ((rc = ipam_ip_iter_new(&it, db, &q))) {
		origins_free(&l);
		return rc;
	}
	ipam_ip_info info = IPAM_IP_INFO_INIT;
	char line[1200], owner[300], a[IPAM_ADDR_STRLEN];
	while ((rc = ipam_ip_iter_next(&info, it)) == 0) {
		if (!info.hostname)
			continue;
		ipam_addr_format(a, sizeof a, &info.addr);
		if (!rev) {
			snprintf(owner, sizeof owner, "%s.", info.hostname);
			int zi = ipam__dns_zone_match(owner, (const char *const *)l.v, l.n);
			if (zi < 0 || (size_t)zi != self)
				continue;
			snprintf(line, sizeof line, "%s %u IN %s %s", owner, za->ttl,
			         info.addr.family == IPAM_AF_INET ? "A" : "AAAA", a);
		} else {
			size_t zi;
			if (info.addr.family != family ||
			    ipam__dns_ptr_owner(owner, sizeof owner, &zi, &info.addr, (const char *const *)l.v, l.n) ||
			    zi != self)
				continue;
			snprintf(line, sizeof line, "%s %u IN PTR %s.", owner, za->ttl, info.hostname);
		}
		if (only && strcasecmp(owner, only) != 0)
			continue;
		if ((rc = cb(ctx, owner, line)))
			break;
	}
	if (rc == IPAM_ITEROVER)
		rc = 0;
	ipam_ip_info_dispose(&info);
	ipam_ip_iter_free(it);
	origins_free(&l);
	return rc;
}

typedef struct derived_add {
	ipam__dns_zone *z;
	size_t n;
} derived_add;

/* A derived record into the zone; a host name that is no DNS host name
 * (an '_' in it) gives no record. */
static int derived_to_zone(void *ctx, const char *owner, const char *line)
{
	derived_add *d = ctx;
	(void)owner;
	int rc = ipam__dns_zone_add(d->z, line, NULL);
	if (rc == IPAM_EINVAL)
		return 0;
	d->n += !rc;
	return rc;
}

/* The derived records of one zone by owner, read once for a run of
 * records going into it (ipam__dns_recput): the addresses do not change
 * during the run, so neither do these. Sorted by owner in lower case. */
typedef struct dline {
	char *owner, *line;
} dline;

typedef struct derived_cache {
	dline *v;
	size_t n, cap;
} derived_cache;

static void lower(char *s)
{
	for (; *s; s++)
		*s = (char)tolower((unsigned char)*s);
}

static int derived_keep(void *ctx, const char *owner, const char *line)
{
	derived_cache *c = ctx;
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;
		dline *v = realloc(c->v, cap * sizeof *v);
		if (!v)
			return ipam__enomem();
		c->v = v;
		c->cap = cap;
	}
	dline *d = &c->v[c->n];
	if (!(d->owner = ipam__strdup(owner)) || !(d->line = ipam__strdup(line))) {
		free(d->owner);
		return IPAM_ENOMEM;
	}
	lower(d->owner);
	c->n++;
	return 0;
}

static int dline_cmp(const void *x, const void *y)
{
	const dline *a = x, *b = y;
	return strcmp(a->owner, b->owner); /* the zone sorts one owner's records itself */
}

static void derived_cache_free(derived_cache *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->v[i].owner);
		free(c->v[i].line);
	}
	free(c->v);
	memset(c, 0, sizeof *c);
}

static int derived_cache_build(derived_cache *c, ipam_db *db, const zattrs *za)
{
	int rc = za->derive ? each_derived(db, za, NULL, derived_keep, c) : 0;
	if (rc) {
		derived_cache_free(c);
		return rc;
	}
	if (c->n > 1)
		qsort(c->v, c->n, sizeof *c->v, dline_cmp);
	return 0;
}

/* The cache's records of `only` (absolute) into the zone, as
 * each_derived(only) with derived_to_zone would put them. */
static int derived_from_cache(const derived_cache *c, const char *only, derived_add *d)
{
	char key[300];
	snprintf(key, sizeof key, "%s", only);
	lower(key);
	size_t lo = 0, hi = c->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(c->v[mid].owner, key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	int rc = 0;
	for (size_t i = lo; i < c->n && !rc && !strcmp(c->v[i].owner, key); i++)
		rc = derived_to_zone(d, c->v[i].owner, c->v[i].line);
	return rc;
}

/* The zone's whole content with the stored serial; sorted. With `only`
 * (an absolute owner name), the settings' records, the template's, and of
 * the hand and derived records only those of that owner: enough to check
 * one record going in, as every rule of a zone is about one owner (and the
 * apex NS), without reading every record of the zone (the owner index of
 * src/db/obj.c gives the hand records; `dc`, when given, the derived).
 * `with`: one more hand record (canonical text) not stored yet, as if it
 * were: the zone a record going in would make. */
static int zone_build_only(ipam_db *db, const ipam__obj *zo, const zattrs *za, ipam__dns_zone **out, size_t *nhand,
                           size_t *nderived, const char *only, const derived_cache *dc, const char *with)
{
	ipam__dns_zone *z = NULL;
	int rc = ipam__dns_zone_new(&z, za->origin);
	if (rc)
		return rc;
	z->ttl = za->ttl;
	rc = ipam__dns_zone_set_soa(z, za->mname, za->rname, za->serial, za->refresh, za->retry, za->expire,
	                            za->minimum);
	for (size_t i = 0; !rc && i < za->nns; i++)
		rc = ipam__dns_zone_add_ns(z, za->ns[i]);
	for (size_t i = 0; !rc && i < z->n; i++)
		z->line[i] = 3; /* from the zone's settings */
	hand_ctx h = { z, 0 };
	/* the zone sorts its records itself; one owner's from the owner index */
	if (!rc)
		rc = only ? ipam__obj_each_owner(db, IPAM_STORE_RECORD, zo->id, only, add_hand, &h)
		          : ipam__obj_each_unordered(db, IPAM_STORE_RECORD, zo->id, add_hand, &h);
	if (!rc && with) {
		ipam__obj w = { .kind = IPAM_STORE_RECORD, .name = with };
		rc = add_hand(&h, &w);
	}
	/* the template's standard records, relative to this zone */
	for (size_t i = 0; !rc && i < za->ntrec; i++) {
		char where[400];
		snprintf(where, sizeof where, "zone %s, template %s", za->origin, za->tmpl);
		size_t before = z->n;
		if (!(rc = ipam__dns_zone_add(z, za->trec[i], where)) && z->n > before)
			z->line[z->n - 1] = 2;
	}
	derived_add d = { z, 0 };
	if (!rc && za->derive)
		rc = only && dc ? derived_from_cache(dc, only, &d) : each_derived(db, za, only, derived_to_zone, &d);
	if (!rc)
		rc = ipam__dns_zone_sort(z);
	if (rc) {
		ipam__dns_zone_free(z);
		return rc;
	}
	if (nhand)
		*nhand = h.n;
	if (nderived)
		*nderived = d.n;
	*out = z;
	return 0;
}

static int zone_build(ipam_db *db, const ipam__obj *zo, const zattrs *za, ipam__dns_zone **out, size_t *nhand,
                      size_t *nderived)
{
	return zone_build_only(db, zo, za, out, nhand, nderived, NULL, NULL, NULL);
}

/* BLAKE2b of what the serial stands for: the SOA fields but the serial,
 * the TTL, every record. */
static int content_digest(char out[65], const ipam__dns_zone *z)
{
	crypto_generichash_state st;
	uint8_t h[32];
	crypto_generichash_init(&st, NULL, 0, sizeof h);
	ipam_buf b = IPAM_BUF_INIT;
	int rc = ipam__dns_name_put(&b, z->mname);
	if (!rc)
		rc = ipam__dns_name_put(&b, z->rname);
	if (!rc)
		rc = ipam__buf_printf(&b, "%u %u %u %u %u\n", z->refresh, z->retry, z->expire, z->minimum, z->ttl);
	for (size_t i = 0; !rc && i < z->n; i++) {
		crypto_generichash_update(&st, (const unsigned char *)b.ptr, b.size);
		b.size = 0;
		rc = ipam__dns_rr_put(&b, z->rr[i], NULL);
	}
	if (!rc)
		crypto_generichash_update(&st, (const unsigned char *)(b.ptr ? b.ptr : ""), b.size);
	crypto_generichash_final(&st, h, sizeof h);
	ipam_buf_dispose(&b);
	ipam__hex(out, h, sizeof h);
	return rc;
}

/* Build the zone and, when its content changed since the serial was set,
 * take and store the next serial (needs a write transaction). */
static int zone_current(ipam_db *db, ipam__obj *zo, zattrs *za, ipam__dns_zone **out)
{
	ipam__dns_zone *z = NULL;
	char digest[65];
	int rc = zone_build(db, zo, za, &z, NULL, NULL);
	if (!rc)
		rc = content_digest(digest, z);
	if (!rc && strcmp(digest, za->digest) != 0) {
		za->serial = ipam__dns_serial_next(za->serial, za->policy, (int64_t)time(NULL));
		memcpy(za->digest, digest, sizeof digest);
		z->serial = za->serial;
		char *attrs = zattrs_json(za);
		if (!attrs) {
			rc = IPAM_ENOMEM;
		} else {
			ipam__obj n = *zo;
			n.attrs = attrs;
			rc = ipam__obj_put(db, &n, IPAM__OBJ_REPLACE, "zone.serial");
			cJSON_free(attrs);
		}
	}
	if (rc) {
		ipam__dns_zone_free(z);
		return rc;
	}
	*out = z;
	return 0;
}

/* ---- zones ------------------------------------------------------------------------ */

int ipam_zone_options_init(ipam_zone_options *opts, unsigned int version)
{
	if (!opts)
		return ipam__error(IPAM_EINVAL, "zone options: NULL");
	int rc = ipam__check_version(version, IPAM_ZONE_OPTIONS_VERSION, "ipam_zone_options");
	if (rc)
		return rc;
	ipam_zone_options d = IPAM_ZONE_OPTIONS_INIT;
	*opts = d;
	return 0;
}

/* Split "a,b , c" into a JSON array of absolute names, each checked as an
 * NS target (`what` names the owner in messages). */
static int parse_ns(cJSON **out, const char *list, const char *what)
{
	*out = NULL;
	char *copy = ipam__strdup(list);
	cJSON *arr = cJSON_CreateArray();
	ipam__dns_zone *probe = NULL;
	int rc = !copy || !arr ? ipam__enomem() : ipam__dns_zone_new(&probe, "ns.invalid.");
	size_t n = 0;
	for (char *save = NULL, *t = rc ? NULL : strtok_r(copy, ", \t", &save); !rc && t;
	     t = strtok_r(NULL, ", \t", &save)) {
		size_t tl = strlen(t);
		char name[300];
		snprintf(name, sizeof name, "%s%s", t, tl && t[tl - 1] == '.' ? "" : ".");
		if ((rc = ipam__dns_zone_add_ns(probe, name))) {
			char why[600];
			snprintf(why, sizeof why, "%s", ipam_error_last()->message);
			rc = ipam__error(IPAM_EINVAL, "%s: name server %.200s: %s", what, t, why);
		} else if (!cJSON_AddItemToArray(arr, cJSON_CreateString(name))) {
			rc = ipam__enomem();
		}
		n++;
	}
	ipam__dns_zone_free(probe);
	free(copy);
	if (!rc && !n)
		rc = ipam__error(IPAM_EINVAL, "%s: the name server list is empty", what);
	if (rc) {
		cJSON_Delete(arr);
		return rc;
	}
	*out = arr;
	return 0;
}

/* The settings a zone or a template sets itself, into `o`: NS, SOA names,
 * TTL and timers (only those given). */
static int own_settings(cJSON *o, const char *ns, const char *mname, const char *rname, const uint32_t num5[5],
                        const char *what)
{
	static const char *const keys[5] = { "ttl", "refresh", "retry", "expire", "minimum" };
	int rc = 0;
	if (ns) {
		cJSON *arr;
		if ((rc = parse_ns(&arr, ns, what)))
			return rc;
		cJSON_AddItemToObject(o, "ns", arr);
	}
	ipam__dns_zone *probe = NULL;
	if ((mname || rname) && !(rc = ipam__dns_zone_new(&probe, "soa.invalid.")))
		rc = ipam__dns_zone_set_soa(probe, mname ? mname : "ns.invalid.", rname ? rname : "hostmaster.invalid.", 1,
		                            1, 1, 1, 1);
	ipam__dns_zone_free(probe);
	if (rc) {
		char why[600];
		snprintf(why, sizeof why, "%s", ipam_error_last()->message);
		return ipam__error(IPAM_EINVAL, "%s: SOA names: %s", what, why);
	}
	if ((mname && !cJSON_AddStringToObject(o, "mname", mname)) || (rname && !cJSON_AddStringToObject(o, "rname", rname)))
		return ipam__enomem();
	for (int i = 0; i < 5; i++) {
		if (num5[i] > 2147483647u)
			return ipam__error(IPAM_EINVAL, "%s: %s %u is above 2147483647", what, keys[i], num5[i]);
		if (num5[i] && !cJSON_AddNumberToObject(o, keys[i], num5[i]))
			return ipam__enomem();
	}
	return 0;
}

int ipam_zone_add(ipam_db *db, const char *zone, const ipam_zone_options *opts)
{
	ipam_zone_options d = IPAM_ZONE_OPTIONS_INIT;
	int rc;
	if (!db || !zone)
		return ipam__error(IPAM_EINVAL, "zone add: no database or zone");
	if (!opts)
		opts = &d;
	else if ((rc = ipam__check_version(opts->version, IPAM_ZONE_OPTIONS_VERSION, "ipam_zone_options")))
		return rc;
	char origin[300], what[400];
	const char *view = opts->view ? opts->view : DEFAULT_VIEW;
	if ((rc = ipam__dns_canon_origin(origin, sizeof origin, zone)) || (rc = ipam__dns_check_view(view)))
		return rc;
	snprintf(what, sizeof what, "zone %s", origin);
	if (!opts->ns && !opts->template_name)
		return ipam__error(IPAM_EINVAL, "%s: no name servers: give them (ns) or a template that has them", what);
	int policy = opts->serial_policy == IPAM_SERIAL_INCREMENT ? IPAM__DNS_SERIAL_INCREMENT : IPAM__DNS_SERIAL_DATE;
	uint32_t num5[5] = { opts->ttl, opts->refresh, opts->retry, opts->expire, opts->minimum };
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return ipam__enomem();
	if (!cJSON_AddStringToObject(o, "origin", origin) || !cJSON_AddStringToObject(o, "view", view) ||
	    !cJSON_AddStringToObject(o, "space", opts->space ? opts->space : "default") ||
	    !cJSON_AddBoolToObject(o, "derive", !opts->no_derive) ||
	    !cJSON_AddBoolToObject(o, "refuse_unknown_addresses", opts->refuse_unknown_addresses != 0) ||
	    !cJSON_AddStringToObject(o, "serial_policy", policy == IPAM__DNS_SERIAL_INCREMENT ? "increment" : "date") ||
	    !cJSON_AddNumberToObject(o, "serial", ipam__dns_serial_next(0, policy, (int64_t)time(NULL))) ||
	    !cJSON_AddStringToObject(o, "digest", "") ||
	    (opts->template_name && !cJSON_AddStringToObject(o, "template", opts->template_name)))
		rc = ipam__enomem();
	if (!rc)
		rc = own_settings(o, opts->ns, opts->mname, opts->rname, num5, what);
	char *attrs = rc ? NULL : cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (rc || !attrs)
		return rc ? rc : ipam__enomem();
	ipam__scope sc;
	if ((rc = ipam__enter(db, 1, &sc))) {
		cJSON_free(attrs);
		return rc;
	}
	ipam_space_info si = IPAM_SPACE_INFO_INIT;
	ipam__obj to;
	if (opts->template_name && ipam__obj_get(db, IPAM_STORE_TEMPLATE, no_parent, opts->template_name, &to))
		rc = ipam__error(IPAM_ENOTFOUND, "%s: no zone template %s", what, opts->template_name);
	else
		rc = ipam_space_get(&si, db, opts->space ? opts->space : "default");
	char key[KEY_MAX];
	zone_key(key, sizeof key, origin, view);
	if (!rc) {
		ipam__obj zo;
		memset(&zo, 0, sizeof zo);
		zo.kind = IPAM_STORE_ZONE;
		zo.name = key;
		zo.attrs = attrs;
		rc = ipam__obj_put(db, &zo, IPAM__OBJ_NEW, "zone.add");
		if (rc == IPAM_EEXISTS)
			rc = ipam__error(IPAM_EEXISTS, "zone %s already exists in view %s", origin, view);
	}
	/* with its template: it must have the name servers, and the content must hold */
	zattrs za;
	ipam__obj zo;
	ipam__dns_zone *z = NULL;
	if (!rc) {
		rc = zone_find(db, origin, view, &zo, &za);
		if (rc == IPAM_EBACKEND)
			rc = ipam__error(IPAM_EINVAL, "%s: no name servers: give them (ns) or a template that has them", what);
		if (!rc) {
			if (!(rc = zone_build(db, &zo, &za, &z, NULL, NULL)))
				rc = ipam__dns_zone_check(z);
			zattrs_free(&za);
		}
	}
	ipam__dns_zone_free(z);
	ipam_space_info_dispose(&si);
	cJSON_free(attrs);
	return ipam__leave(db, &sc, rc);
}

typedef struct key_list {
	char **v;
	uint8_t (*parent)[16];
	size_t n, cap;
	const char *only; /* names equal to it (states) or NULL (all) */
} key_list;

static int collect_key(void *ctx, const ipam__obj *o)
{
	key_list *l = ctx;
	if (l->only && strcmp(o->name, l->only))
		return 0;
	if (l->n == l->cap) {
		size_t c = l->cap ? l->cap * 2 : 16;
		char **v = realloc(l->v, c * sizeof *v);
		if (!v)
			return ipam__enomem();
		l->v = v;
		uint8_t(*p)[16] = realloc(l->parent, c * sizeof *p);
		if (!p)
			return ipam__enomem();
		l->parent = p;
		l->cap = c;
	}
	if (!(l->v[l->n] = ipam__strdup(o->name)))
		return IPAM_ENOMEM;
	memcpy(l->parent[l->n], o->parent, 16);
	l->n++;
	return 0;
}

static void key_list_free(key_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	free(l->parent);
}

int ipam_zone_rm(ipam_db *db, const char *zone, const char *view)
{
	if (!db)
		return ipam__error(IPAM_EINVAL, "zone rm: no database");
	ipam__scope sc;
	int rc = ipam__enter(db, 1, &sc);
	if (rc)
		return rc;
	ipam__obj zo;
	char key[KEY_MAX];
	key_list recs = { 0 }, states = { 0 };
	if (!(rc = zone_find(db, zone, view, &zo, NULL))) {
		snprintf(key, sizeof key, "%s", zo.name);
		uint8_t zid[16];
		memcpy(zid, zo.id, 16);
		states.only = key;
		if (!(rc = ipam__obj_each(db, IPAM_STORE_RECORD, zid, collect_key, &recs)))
			rc = ipam__obj_each(db, IPAM_STORE_STATE, NULL, collect_key, &states);
		for (size_t i = 0; !rc && i < recs.n; i++)
			rc = ipam__obj_del(db, IPAM_STORE_RECORD, zid, recs.v[i], "record.rm");
		for (size_t i = 0; !rc && i < states.n; i++)
			rc = ipam__obj_del(db, IPAM_STORE_STATE, states.parent[i], states.v[i], "zone.forget");
		if (!rc)
			rc = ipam__obj_del(db, IPAM_STORE_ZONE, no_parent, key, "zone.rm");
	}
	key_list_free(&recs);
	key_list_free(&states);
	return ipam__leave(db, &sc, rc);
}

static cJSON *zone_json(ipam_db *db, const ipam__obj *zo, const zattrs *za, ipam__dns_zone **keep)
{
	ipam__dns_zone *z = NULL;
	size_t nh = 0, nd = 0;
	if (zone_build(db, zo, za, &z, &nh, &nd))
		return NULL;
	cJSON *o = cJSON_CreateObject(), *ns = cJSON_CreateArray();
	if (!o || !ns) {
		cJSON_Delete(o);
		cJSON_Delete(ns);
		ipam__dns_zone_free(z);
		ipam__enomem();
		return NULL;
	}
	cJSON_AddStringToObject(o, "zone", za->origin);
	cJSON_AddStringToObject(o, "view", za->view);
	cJSON_AddStringToObject(o, "space", za->space);
	if (za->tmpl[0])
		cJSON_AddStringToObject(o, "template", za->tmpl);
	cJSON_AddBoolToObject(o, "derive", za->derive);
	cJSON_AddBoolToObject(o, "refuse_unknown_addresses", za->refuse_unknown);
	cJSON_AddNumberToObject(o, "serial", za->serial);
	cJSON_AddStringToObject(o, "serial_policy", za->policy == IPAM__DNS_SERIAL_INCREMENT ? "increment" : "date");
	cJSON_AddNumberToObject(o, "ttl", za->ttl);
	cJSON_AddStringToObject(o, "mname", za->mname);
	cJSON_AddStringToObject(o, "rname", za->rname);
	for (size_t i = 0; i < za->nns; i++)
		cJSON_AddItemToArray(ns, cJSON_CreateString(za->ns[i]));
	cJSON_AddItemToObject(o, "ns", ns);
	cJSON_AddNumberToObject(o, "hand_records", (double)nh);
	cJSON_AddNumberToObject(o, "derived_records", (double)nd);
	if (keep)
		*keep = z;
	else
		ipam__dns_zone_free(z);
	return o;
}

typedef struct list_ctx {
	ipam_db *db;
	cJSON *arr;
} list_ctx;

static int list_one(void *ctx, const ipam__obj *o)
{
	list_ctx *l = ctx;
	zattrs za;
	int rc = zattrs_read(l->db, &za, o);
	if (rc)
		return rc;
	cJSON *j = zone_json(l->db, o, &za, NULL);
	zattrs_free(&za);
	if (!j)
		return ipam_error_last()->code ? ipam_error_last()->code : IPAM_ENOMEM;
	cJSON_AddItemToArray(l->arr, j);
	return 0;
}

int ipam_zone_list(ipam_buf *out, ipam_db *db)
{
	if (!out || !db)
		return ipam__error(IPAM_EINVAL, "zone list: no database or output");
	list_ctx l = { db, cJSON_CreateArray() };
	if (!l.arr)
		return ipam__enomem();
	ipam__scope sc;
	int rc = ipam__enter(db, 0, &sc);
	if (!rc)
		rc = ipam__leave(db, &sc, ipam__obj_each(db, IPAM_STORE_ZONE, no_parent, list_one, &l));
	if (rc) {
		cJSON_Delete(l.arr);
		return rc;
	}
	return ipam__json_to_buf(out, l.arr);
}

/* The address an A, AAAA or PTR record speaks of (a PTR's from its owner
 * name in in-addr.arpa or ip6.arpa); false for other records and for
 * owners that are no plain reverse name (RFC 2317 children). */
static bool record_addr(const ldns_rr *rr, ipam_addr *out)
{
	ldns_rr_type t = ldns_rr_get_type(rr);
	char buf[300];
	if ((t == LDNS_RR_TYPE_A || t == LDNS_RR_TYPE_AAAA) && ldns_rr_rd_count(rr) == 1) {
		char *txt = ldns_rdf2str(ldns_rr_rdf(rr, 0));
		bool okp = txt && ipam_addr_parse(out, txt) == 0;
		free(txt);
		return okp;
	}
	if (t != LDNS_RR_TYPE_PTR)
		return false;
	ipam_buf b = IPAM_BUF_INIT;
	bool okp = ipam__dns_name_put(&b, ldns_rr_owner(rr)) == 0 && b.size < sizeof buf;
	if (okp)
		memcpy(buf, b.ptr, b.size + 1);
	ipam_buf_dispose(&b);
	if (!okp)
		return false;
	for (char *p = buf; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	char addr[64] = "";
	char *labels[40];
	size_t n = 0;
	for (char *save = NULL, *l = strtok_r(buf, ".", &save); l && n < 40; l = strtok_r(NULL, ".", &save))
		labels[n++] = l;
	if (n == 6 && !strcmp(labels[4], "in-addr") && !strcmp(labels[5], "arpa")) {
		snprintf(addr, sizeof addr, "%s.%s.%s.%s", labels[3], labels[2], labels[1], labels[0]);
	} else if (n == 34 && !strcmp(labels[32], "ip6") && !strcmp(labels[33], "arpa")) {
		size_t k = 0;
		for (int i = 31; i >= 0; i--) {
			if (strlen(labels[i]) != 1)
				return false;
			addr[k++] = labels[i][0];
			if (i && i % 4 == 0)
				addr[k++] = ':';
		}
		addr[k] = '\0';
	} else {
		return false;
	}
	return ipam_addr_parse(out, addr) == 0;
}

/* Why a hand record is suspect: it speaks of an address the zone's space
 * does not have; NULL when it is fine. */
static const char *addr_flag(ipam_db *db, const zattrs *za, const ldns_rr *rr, char *buf, size_t size)
{
	ipam_addr a;
	if (!record_addr(rr, &a))
		return NULL;
	ipam_ip_info info = IPAM_IP_INFO_INIT;
	int rc = ipam_ip_get(&info, db, za->space, &a);
	ipam_ip_info_dispose(&info);
	if (rc == 0)
		return NULL;
	char t[IPAM_ADDR_STRLEN];
	ipam_addr_format(t, sizeof t, &a);
	snprintf(buf, size, "%s is not an address of space %s", t, za->space);
	return buf;
}

/* The zone's delegations: the owners of NS records below the apex. */
static size_t delegations(const ipam__dns_zone *z, const ldns_rdf ***out)
{
	size_t n = 0;
	*out = NULL;
	for (size_t i = 0; i < z->n; i++) {
		const ldns_rdf *o = ldns_rr_owner(z->rr[i]);
		if (ldns_rr_get_type(z->rr[i]) != LDNS_RR_TYPE_NS || ldns_dname_compare(o, z->origin) == 0)
			continue;
		if (n && ldns_dname_compare((*out)[n - 1], o) == 0)
			continue; /* the zone is sorted: an NS set is together */
		const ldns_rdf **p = realloc((void *)*out, (n + 1) * sizeof *p);
		if (!p)
			break; /* then fewer flags; the show itself goes on */
		*out = p;
		p[n++] = o;
	}
	return n;
}

/* Occluded data: a record at or below a delegation point that a server
 * never answers from this zone (it refers to the child instead), other
 * than the NS and DS sets at the point and the glue (an A or AAAA whose
 * name an NS of the delegation names). */
static bool occluded(const ipam__dns_zone *z, size_t i, const ldns_rdf *const *del, size_t nd, char *why,
                     size_t size)
{
	const ldns_rr *rr = z->rr[i];
	const ldns_rdf *o = ldns_rr_owner(rr);
	ldns_rr_type t = ldns_rr_get_type(rr);
	for (size_t k = 0; k < nd; k++) {
		bool at = ldns_dname_compare(o, del[k]) == 0;
		if (!at && !ldns_dname_is_subdomain(o, del[k]))
			continue;
		if (at && (t == LDNS_RR_TYPE_NS || t == LDNS_RR_TYPE_DS))
			return false;
		if (t == LDNS_RR_TYPE_A || t == LDNS_RR_TYPE_AAAA) {
			bool glue = false;
			for (size_t j = 0; j < z->n && !glue; j++)
				glue = ldns_rr_get_type(z->rr[j]) == LDNS_RR_TYPE_NS &&
				       ldns_dname_compare(ldns_rr_owner(z->rr[j]), del[k]) == 0 &&
				       ldns_dname_compare(ldns_rr_rdf(z->rr[j], 0), o) == 0;
			if (glue)
				return false;
		}
		ipam_buf b = IPAM_BUF_INIT;
		if (ipam__dns_name_put(&b, del[k]) == 0)
			snprintf(why, size, "occluded: below the delegation at %s (servers refer to the child zone)", b.ptr);
		else
			snprintf(why, size, "occluded: below a delegation");
		ipam_buf_dispose(&b);
		return true;
	}
	return false;
}

int ipam_zone_show(ipam_buf *out, ipam_db *db, const char *zone, const char *view)
{
	if (!out || !db)
		return ipam__error(IPAM_EINVAL, "zone show: no database or output");
	ipam__scope sc;
	int rc = ipam__enter(db, 0, &sc);
	if (rc)
		return rc;
	ipam__obj zo;
	zattrs za;
	cJSON *j = NULL;
	ipam__dns_zone *z = NULL;
	bool have_za = false;
	if (!(rc = zone_find(db, zone, view, &zo, &za))) {
		have_za = true;
		if (!(j = zone_json(db, &zo, &za, &z)))
			rc = ipam_error_last()->code ? ipam_error_last()->code : IPAM_ENOMEM;
	}
	cJSON *recs = rc ? NULL : cJSON_AddArrayToObject(j, "records");
	const ldns_rdf **del = NULL;
	size_t nd = recs ? delegations(z, &del) : 0;
	ipam_buf b = IPAM_BUF_INIT;
	for (size_t i = 0; recs && !rc && i < z->n; i++) {
		b.size = 0;
		if ((rc = ipam__dns_rr_put(&b, z->rr[i], NULL)))
			break;
		if (b.size && b.ptr[b.size - 1] == '\n')
			b.ptr[--b.size] = '\0';
		for (char *p = b.ptr; *p; p++)
			if (*p == '\t')
				*p = ' ';
		cJSON *r = cJSON_CreateObject();
		cJSON_AddStringToObject(r, "record", b.ptr);
		static const char *const src[] = { "address", "hand", "template", "zone" };
		cJSON_AddStringToObject(r, "source", src[z->line[i] < 4 ? z->line[i] : 0]);
		char why[200], occ[400];
		bool af = z->line[i] == 1 && addr_flag(db, &za, z->rr[i], why, sizeof why);
		bool of = nd && occluded(z, i, del, nd, occ, sizeof occ);
		if (af && of) {
			char both[620];
			snprintf(both, sizeof both, "%s; %s", why, occ);
			cJSON_AddStringToObject(r, "flag", both);
		} else if (af || of) {
			cJSON_AddStringToObject(r, "flag", af ? why : occ);
		}
		cJSON_AddItemToArray(recs, r);
	}
	free((void *)del);
	if (have_za)
		zattrs_free(&za);
	rc = ipam__leave(db, &sc, rc);
	ipam_buf_dispose(&b);
	ipam__dns_zone_free(z);
	if (rc) {
		cJSON_Delete(j);
		return rc;
	}
	return ipam__json_to_buf(out, j);
}

/* The record in canonical text (absolute names, tabs), checked alone. */
static int canon_record(char **out, const zattrs *za, const char *record)
{
	*out = NULL;
	ipam__dns_zone *z = NULL;
	int rc = ipam__dns_zone_new(&z, za->origin);
	if (rc)
		return rc;
	z->ttl = za->ttl;
	char where[400];
	snprintf(where, sizeof where, "zone %s", za->origin);
	if (!record || !*record)
		rc = ipam__error(IPAM_EINVAL, "%s: no record", where);
	else if (strchr(record, '\n'))
		rc = ipam__error(IPAM_EINVAL, "%s: a record is one line", where);
	else
		rc = ipam__dns_zone_add(z, record, where);
	ipam_buf b = IPAM_BUF_INIT;
	if (!rc)
		rc = ipam__dns_rr_put(&b, z->rr[0], NULL);
	ipam__dns_zone_free(z);
	if (rc) {
		ipam_buf_dispose(&b);
		return rc;
	}
	if (b.size && b.ptr[b.size - 1] == '\n')
		b.ptr[--b.size] = '\0';
	for (char *p = b.ptr; *p; p++)
		if (*p == '\t')
			*p = ' ';
	*out = b.ptr;
	return 0;
}

static int record_put(ipam_db *db, const ipam__obj *zo, const zattrs *za, const char *record, const char *text,
                      const derived_cache *dc);
static int record_del(ipam_db *db, const ipam__obj *zo, const zattrs *za, const char *record, const char *text);

/* Add (add != 0) or remove a hand record, in one write transaction. */
static int record_change(ipam_db *db, const char *zone, const char *view, const char *record, int add)
{
	if (!db)
		return ipam__error(IPAM_EINVAL, "record %s: no database", add ? "add" : "rm");
	ipam__scope sc;
	int rc = ipam__enter(db, 1, &sc);
	if (rc)
		return rc;
	ipam__obj zo;
	zattrs za;
	if ((rc = zone_find(db, zone, view, &zo, &za)))
		return ipam__leave(db, &sc, rc);
	char *text = NULL;
	if ((rc = canon_record(&text, &za, record)) == 0)
		rc = add ? record_put(db, &zo, &za, record, text, NULL) : record_del(db, &zo, &za, record, text);
	free(text);
	zattrs_free(&za);
	return ipam__leave(db, &sc, rc);
}

static int record_put(ipam_db *db, const ipam__obj *zo, const zattrs *za, const char *record, const char *text,
                      const derived_cache *dc)
{
	int rc = 0;
	if (za->refuse_unknown) {
		ldns_rr *rr = NULL;
		ldns_rdf *prev = NULL;
		char why[200];
		if (ldns_rr_new_frm_str(&rr, text, za->ttl, NULL, &prev) == LDNS_STATUS_OK &&
		    addr_flag(db, za, rr, why, sizeof why))
			rc = ipam__error(IPAM_EINVAL, "zone %s: %s: %s (the zone refuses records of addresses IPAM does not have)",
			                 za->origin, record, why);
		ldns_rr_free(rr);
		ldns_rdf_deep_free(prev);
	}
	ipam__obj o;
	if (!rc && ipam__obj_get(db, IPAM_STORE_RECORD, zo->id, text, &o) == 0)
		rc = ipam__error(IPAM_EEXISTS, "zone %s: the record %s is there already", za->origin, record);
	/* the zone's rules at its owner with the record, before it is stored:
	 * CNAME beside other data, one TTL per RRset ... (the rest of the zone
	 * held together before); a record refused here leaves no trace, also
	 * inside a caller's transaction (an import's) */
	ipam__dns_zone *z = NULL;
	char owner[300];
	size_t ol = strcspn(text, " \t");
	if (!rc && ol >= sizeof owner)
		rc = ipam__error(IPAM_EINVAL, "zone %s: %s: the owner name is too long", za->origin, record);
	if (!rc) {
		memcpy(owner, text, ol);
		owner[ol] = '\0';
		if (!(rc = zone_build_only(db, zo, za, &z, NULL, NULL, owner, dc, text)))
			rc = ipam__dns_zone_check(z);
	}
	ipam__dns_zone_free(z);
	if (!rc) {
		memset(&o, 0, sizeof o);
		o.kind = IPAM_STORE_RECORD;
		memcpy(o.parent, zo->id, 16);
		o.name = text;
		rc = ipam__obj_put(db, &o, IPAM__OBJ_NEW, "record.add");
		if (rc == IPAM_EEXISTS)
			rc = ipam__error(IPAM_EEXISTS, "zone %s: the record %s is there already", za->origin, record);
	}
	return rc;
}

static int record_del(ipam_db *db, const ipam__obj *zo, const zattrs *za, const char *record, const char *text)
{
	ipam__obj got;
	if (ipam__obj_get(db, IPAM_STORE_RECORD, zo->id, text, &got))
		return ipam__error(IPAM_ENOTFOUND, "zone %s: no hand record %s", za->origin, record);
	return ipam__obj_del(db, IPAM_STORE_RECORD, zo->id, text, "record.rm");
}

/* The most specific zone of `view` that holds `owner` (absolute), as
 * ipam__dns_zone_match picks it among every origin of the view: the
 * owner's suffixes looked up by key, longest first, O(labels) instead of a
 * read of every zone. Its origin (the key's, lower case) into `origin`. */
static int zone_holding(ipam_db *db, const char *owner, const char *view, char origin[300], ipam__obj *zo)
{
	char low[300], key[KEY_MAX];
	snprintf(low, sizeof low, "%s", owner);
	lower(low);
	for (const char *s = low;;) {
		zone_key(key, sizeof key, s, view);
		if (ipam__obj_get(db, IPAM_STORE_ZONE, no_parent, key, zo) == 0) {
			snprintf(origin, 300, "%s", s);
			return 0;
		}
		if (!strcmp(s, "."))
			break;
		const char *dot = strchr(s, '.');
		s = dot && dot[1] ? dot + 1 : ".";
	}
	return ipam__error(IPAM_ENOTFOUND, "view %s: no zone holds %s (add the zone first)", view, owner);
}

/* The record's owner (its first word, made absolute) into `owner`, and
 * the record again with that owner into `t`. */
static int record_owner(char owner[300], ipam_buf *t, const char *record)
{
	size_t k = 0;
	while (record[k] && record[k] != ' ' && record[k] != '\t' && k + 2 < 300) {
		owner[k] = record[k];
		k++;
	}
	owner[k] = '\0';
	if (!k || (record[k] && record[k] != ' ' && record[k] != '\t'))
		return ipam__error(IPAM_EINVAL, "record %s: no owner name, or one too long", ipam__quote(record).s);
	if (owner[k - 1] != '.') {
		owner[k] = '.';
		owner[k + 1] = '\0';
	}
	return ipam__buf_printf(t, "%s%s", owner, record + k);
}

/* One zone of a run of records (ipam__dns_recput): its settings read once
 * and its derived records kept by owner. */
typedef struct rzone {
	uint8_t id[16];
	zattrs za;
	derived_cache dc;
} rzone;

struct ipam__dns_recrun {
	ipam_db *db;
	rzone *z;
	size_t n, cap;
};

int ipam__dns_recput_new(ipam__dns_recrun **out, ipam_db *db)
{
	if (!(*out = calloc(1, sizeof **out)))
		return ipam__enomem();
	(*out)->db = db;
	return 0;
}

void ipam__dns_recput_free(ipam__dns_recrun *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++) {
		zattrs_free(&s->z[i].za);
		derived_cache_free(&s->z[i].dc);
	}
	free(s->z);
	free(s);
}

/* The run's entry for the zone `zo`, made on its first record. */
static int recput_zone(ipam__dns_recrun *s, const ipam__obj *zo, rzone **out)
{
	for (size_t i = 0; i < s->n; i++)
		if (!memcmp(s->z[i].id, zo->id, 16)) {
			*out = &s->z[i];
			return 0;
		}
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 8;
		rzone *v = realloc(s->z, cap * sizeof *v);
		if (!v)
			return ipam__enomem();
		s->z = v;
		s->cap = cap;
	}
	rzone *r = &s->z[s->n];
	memset(r, 0, sizeof *r);
	memcpy(r->id, zo->id, 16);
	int rc = zattrs_read(s->db, &r->za, zo);
	if (!rc && (rc = derived_cache_build(&r->dc, s->db, &r->za)))
		zattrs_free(&r->za);
	if (rc)
		return rc;
	s->n++;
	*out = r;
	return 0;
}

/* ipam_record_put, with the run's zones (NULL: none, everything read for
 * this one record). */
static int record_put_view(ipam_db *db, const char *view, const char *record, int *added, ipam__dns_recrun *run)
{
	if (!db || !record)
		return ipam__error(IPAM_EINVAL, "record put: no database or record");
	if (added)
		*added = 0;
	if (!view)
		view = DEFAULT_VIEW;
	char owner[300], origin[300];
	ipam_buf t = IPAM_BUF_INIT;
	int rc = record_owner(owner, &t, record);
	if (rc) {
		ipam_buf_dispose(&t);
		return rc;
	}
	ipam__scope sc;
	if ((rc = ipam__enter(db, 1, &sc))) {
		ipam_buf_dispose(&t);
		return rc;
	}
	ipam__obj zo;
	rzone *rz = NULL;
	if (!(rc = zone_holding(db, owner, view, origin, &zo))) {
		if (!run) {
			rc = record_change(db, origin, view, t.ptr, 1);
		} else if (!(rc = recput_zone(run, &zo, &rz))) {
			char *text = NULL;
			if (!(rc = canon_record(&text, &rz->za, t.ptr)))
				rc = record_put(db, &zo, &rz->za, t.ptr, text, &rz->dc);
			free(text);
		}
		if (rc == IPAM_EEXISTS)
			rc = 0;
		else if (!rc && added)
			*added = 1;
	}
	ipam_buf_dispose(&t);
	return ipam__leave(db, &sc, rc);
}

int ipam__dns_recput(ipam__dns_recrun *run, const char *view, const char *record, int *added)
{
	return record_put_view(run->db, view, record, added, run);
}

int ipam_record_put(ipam_db *db, const char *view, const char *record, int *added)
{
	return record_put_view(db, view, record, added, NULL);
}

int ipam_record_add(ipam_db *db, const char *zone, const char *view, const char *record)
{
	return record_change(db, zone, view, record, 1);
}

int ipam_record_rm(ipam_db *db, const char *zone, const char *view, const char *record)
{
	return record_change(db, zone, view, record, 0);
}

int ipam_zone_render(ipam_buf *out, ipam_db *db, const char *zone, const char *view)
{
	if (!out || !db)
		return ipam__error(IPAM_EINVAL, "zone render: no database or output");
	ipam__scope sc;
	int rc = ipam__enter(db, 1, &sc);
	if (rc)
		return rc;
	ipam__obj zo;
	zattrs za;
	ipam__dns_zone *z = NULL;
	if (!(rc = zone_find(db, zone, view, &zo, &za))) {
		rc = zone_current(db, &zo, &za, &z);
		zattrs_free(&za);
	}
	rc = ipam__leave(db, &sc, rc);
	ipam_buf b = IPAM_BUF_INIT;
	if (!rc)
		rc = ipam__dns_render_zone(&b, z);
	ipam__dns_zone_free(z);
	if (rc) {
		ipam_buf_dispose(&b);
		return rc;
	}
	ipam_buf_dispose(out);
	*out = b;
	return 0;
}

/* ---- the records of one address ---------------------------------------------------------- */

typedef struct views {
	char **v;
	size_t n;
	const char *space;
	ipam_db *db;
} views;

static int collect_view(void *ctx, const ipam__obj *o)
{
	views *l = ctx;
	zattrs za;
	int rc = zattrs_read(l->db, &za, o);
	if (rc)
		return rc;
	bool have = strcmp(za.space, l->space) != 0;
	for (size_t i = 0; !have && i < l->n; i++)
		have = !strcmp(l->v[i], za.view);
	if (!have) {
		char **p = realloc(l->v, (l->n + 1) * sizeof *p);
		if (!p || !(p[l->n] = ipam__strdup(za.view))) {
			if (p)
				l->v = p;
			zattrs_free(&za);
			return ipam__enomem();
		}
		l->v = p;
		l->n++;
	}
	zattrs_free(&za);
	return 0;
}

int ipam_ip_dns(ipam_buf *out, ipam_db *db, const char *space, const ipam_addr *addr)
{
	if (!out || !db || !addr)
		return ipam__error(IPAM_EINVAL, "ip dns: no database, output or address");
	ipam_ip_info info = IPAM_IP_INFO_INIT;
	int rc = ipam_ip_get(&info, db, space, addr);
	if (rc)
		return rc;
	cJSON *o = cJSON_CreateObject(), *recs = cJSON_CreateArray(), *notes = cJSON_CreateArray();
	if (!o || !recs || !notes) {
		cJSON_Delete(o);
		cJSON_Delete(recs);
		cJSON_Delete(notes);
		ipam_ip_info_dispose(&info);
		return ipam__enomem();
	}
	char a[IPAM_ADDR_STRLEN], text[700];
	ipam_addr_format(a, sizeof a, addr);
	cJSON_AddStringToObject(o, "address", a);
	cJSON_AddStringToObject(o, "space", info.space);
	cJSON_AddItemToObject(o, "records", recs);
	cJSON_AddItemToObject(o, "notes", notes);
	ipam__scope sc;
	views vl = { NULL, 0, info.space, db };
	if (!info.hostname) {
		cJSON_AddItemToArray(notes, cJSON_CreateString("no host name: no A, AAAA or PTR record"));
	} else if (!(rc = ipam__enter(db, 0, &sc))) {
		rc = ipam__obj_each(db, IPAM_STORE_ZONE, no_parent, collect_view, &vl);
		if (!rc && !vl.n) {
			snprintf(text, sizeof text, "no zone is bound to space %s: no record for %s", info.space, info.hostname);
			cJSON_AddItemToArray(notes, cJSON_CreateString(text));
		}
		for (size_t v = 0; !rc && v < vl.n; v++) {
			origins l = { NULL, 0, 0, vl.v[v], info.space, db };
			if ((rc = ipam__obj_each(db, IPAM_STORE_ZONE, no_parent, collect_origin, &l)))
				break;
			char fq[300], owner[300];
			snprintf(fq, sizeof fq, "%s.", info.hostname);
			int zi = ipam__dns_zone_match(fq, (const char *const *)l.v, l.n);
			int fam = 0;
			if (zi >= 0 && !is_reverse(l.v[zi], &fam)) {
				snprintf(text, sizeof text, "%s %s %s (zone %s, view %s)", fq, addr->family == IPAM_AF_INET ? "A" : "AAAA",
				         a, l.v[zi], vl.v[v]);
				cJSON_AddItemToArray(recs, cJSON_CreateString(text));
			} else {
				snprintf(text, sizeof text, "view %s: no forward zone holds %s: no %s record", vl.v[v], fq,
				         addr->family == IPAM_AF_INET ? "A" : "AAAA");
				cJSON_AddItemToArray(notes, cJSON_CreateString(text));
			}
			size_t ri;
			if (ipam__dns_ptr_owner(owner, sizeof owner, &ri, addr, (const char *const *)l.v, l.n) == 0 &&
			    is_reverse(l.v[ri], &fam)) {
				snprintf(text, sizeof text, "%s PTR %s (zone %s, view %s)", owner, fq, l.v[ri], vl.v[v]);
				cJSON_AddItemToArray(recs, cJSON_CreateString(text));
			} else {
				snprintf(text, sizeof text, "view %s: no reverse zone holds %s: no PTR record", vl.v[v], a);
				cJSON_AddItemToArray(notes, cJSON_CreateString(text));
			}
			origins_free(&l);
		}
		rc = ipam__leave(db, &sc, rc);
	}
	for (size_t i = 0; i < vl.n; i++)
		free(vl.v[i]);
	free(vl.v);
	ipam_ip_info_dispose(&info);
	if (rc) {
		cJSON_Delete(o);
		return rc;
	}
	return ipam__json_to_buf(out, o);
}

/* ---- zone templates ------------------------------------------------------------------ */

int ipam_zone_template_init(ipam_zone_template *t, unsigned int version)
{
	if (!t)
		return ipam__error(IPAM_EINVAL, "zone template: NULL");
	int rc = ipam__check_version(version, IPAM_ZONE_TEMPLATE_VERSION, "ipam_zone_template");
	if (rc)
		return rc;
	ipam_zone_template d = IPAM_ZONE_TEMPLATE_INIT;
	*t = d;
	return 0;
}

typedef struct users {
	ipam_db *db;
	const char *tmpl;
	size_t n;
	int check; /* build and check each zone that uses it */
} users;

static int zone_user(void *ctx, const ipam__obj *o)
{
	users *u = ctx;
	cJSON *a = o->attrs ? cJSON_Parse(o->attrs) : NULL;
	const cJSON *t = a ? cJSON_GetObjectItemCaseSensitive(a, "template") : NULL;
	int uses = cJSON_IsString(t) && !strcmp(t->valuestring, u->tmpl);
	cJSON_Delete(a);
	if (!uses)
		return 0;
	u->n++;
	if (!u->check)
		return 0;
	zattrs za;
	ipam__dns_zone *z = NULL;
	int rc = zattrs_read(u->db, &za, o);
	if (!rc) {
		if (!(rc = zone_build(u->db, o, &za, &z, NULL, NULL)))
			rc = ipam__dns_zone_check(z);
		zattrs_free(&za);
	}
	ipam__dns_zone_free(z);
	return rc;
}

int ipam_zone_template_set(ipam_db *db, const char *name, const ipam_zone_template *t)
{
	int rc;
	if (!db || !name || !t)
		return ipam__error(IPAM_EINVAL, "zone template: no database, name or template");
	if ((rc = ipam__check_version(t->version, IPAM_ZONE_TEMPLATE_VERSION, "ipam_zone_template")))
		return rc;
	char what[200];
	snprintf(what, sizeof what, "zone template %.100s", name);
	uint32_t num5[5] = { t->ttl, t->refresh, t->retry, t->expire, t->minimum };
	cJSON *o = cJSON_CreateObject(), *recs = cJSON_CreateArray();
	if (!o || !recs) {
		cJSON_Delete(o);
		cJSON_Delete(recs);
		return ipam__enomem();
	}
	cJSON_AddItemToObject(o, "records", recs);
	rc = own_settings(o, t->ns, t->mname, t->rname, num5, what);
	/* each record parses relative to any zone */
	ipam__dns_zone *probe = NULL;
	if (!rc && t->nrecords && !(rc = ipam__dns_zone_new(&probe, "template.invalid.")))
		probe->ttl = t->ttl ? t->ttl : 3600;
	for (size_t i = 0; !rc && i < t->nrecords; i++) {
		char where[300];
		snprintf(where, sizeof where, "%s: record %zu", what, i + 1);
		if (!t->records || !t->records[i])
			rc = ipam__error(IPAM_EINVAL, "%s: no record", where);
		else if (strchr(t->records[i], '\n'))
			rc = ipam__error(IPAM_EINVAL, "%s: a record is one line", where);
		else if (!(rc = ipam__dns_zone_add(probe, t->records[i], where)) &&
		         !cJSON_AddItemToArray(recs, cJSON_CreateString(t->records[i])))
			rc = ipam__enomem();
	}
	ipam__dns_zone_free(probe);
	char *attrs = rc ? NULL : cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (rc || !attrs)
		return rc ? rc : ipam__enomem();
	ipam__scope sc;
	if ((rc = ipam__enter(db, 1, &sc))) {
		cJSON_free(attrs);
		return rc;
	}
	ipam__obj to;
	memset(&to, 0, sizeof to);
	to.kind = IPAM_STORE_TEMPLATE;
	to.name = name;
	to.attrs = attrs;
	rc = ipam__obj_put(db, &to, 0, "template.set");
	/* every zone that uses it must still hold together */
	users u = { db, name, 0, 1 };
	if (!rc)
		rc = ipam__obj_each(db, IPAM_STORE_ZONE, no_parent, zone_user, &u);
	cJSON_free(attrs);
	return ipam__leave(db, &sc, rc);
}

int ipam_zone_template_rm(ipam_db *db, const char *name)
{
	if (!db || !name)
		return ipam__error(IPAM_EINVAL, "zone template rm: no database or name");
	ipam__scope sc;
	int rc = ipam__enter(db, 1, &sc);
	if (rc)
		return rc;
	users u = { db, name, 0, 0 };
	ipam__obj to;
	if (ipam__obj_get(db, IPAM_STORE_TEMPLATE, no_parent, name, &to))
		rc = ipam__error(IPAM_ENOTFOUND, "zone template %s not found", name);
	else if (!(rc = ipam__obj_each(db, IPAM_STORE_ZONE, no_parent, zone_user, &u)) && u.n)
		rc = ipam__error(IPAM_EINUSE, "zone template %s is used by %zu zone%s", name, u.n, u.n == 1 ? "" : "s");
	if (!rc)
		rc = ipam__obj_del(db, IPAM_STORE_TEMPLATE, no_parent, name, "template.rm");
	return ipam__leave(db, &sc, rc);
}

/* ---- servers ------------------------------------------------------------------------ */

int ipam_dns_server_options_init(ipam_dns_server_options *opts, unsigned int version)
{
	if (!opts)
		return ipam__error(IPAM_EINVAL, "DNS server options: NULL");
	int rc = ipam__check_version(version, IPAM_DNS_SERVER_OPTIONS_VERSION, "ipam_dns_server_options");
	if (rc)
		return rc;
	ipam_dns_server_options d = IPAM_DNS_SERVER_OPTIONS_INIT;
	*opts = d;
	return 0;
}


int ipam_dns_server_add(ipam_db *db, const char *name, const ipam_dns_server_options *opts, int replace)
{
	int rc;
	if (!db || !name || !opts)
		return ipam__error(IPAM_EINVAL, "DNS server add: no database, name or options");
	if ((rc = ipam__check_version(opts->version, IPAM_DNS_SERVER_OPTIONS_VERSION, "ipam_dns_server_options")))
		return rc;
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return ipam__enomem();
	ipam__scope sc;
	if ((rc = ipam__enter(db, 1, &sc))) {
		cJSON_Delete(o);
		return rc;
	}
	if (opts->type == IPAM_DNS_RFC2136) {
		ipam_addr a;
		if (!opts->address || ipam_addr_parse(&a, opts->address))
			rc = ipam__error(IPAM_EINVAL, "DNS server %s: address: %s is not an IP address", name,
			                 opts->address ? opts->address : "(none)");
		else if (opts->port > 65535)
			rc = ipam__error(IPAM_EINVAL, "DNS server %s: port %u is above 65535", name, opts->port);
		else if (opts->tsig_algorithm && !ipam__dns_tsig_algorithm(opts->tsig_algorithm))
			rc = ipam__error(IPAM_EINVAL, "DNS server %s: TSIG algorithm \"%.40s\" is not one of hmac-sha256, "
			                 "hmac-sha512, hmac-sha1, hmac-md5", name, opts->tsig_algorithm);
		else if (!opts->tsig_name != !opts->tsig_secret)
			rc = ipam__error(IPAM_EINVAL, "DNS server %s: a TSIG key needs both its name and its secret", name);
		else if (opts->tsig_secret) {
			uint8_t bin[512];
			size_t blen = 0;
			if (sodium_base642bin(bin, sizeof bin, opts->tsig_secret, strlen(opts->tsig_secret), NULL, &blen, NULL,
			                      sodium_base64_VARIANT_ORIGINAL) != 0 || blen == 0)
				rc = ipam__error(IPAM_EINVAL, "DNS server %s: the TSIG secret is not base64", name);
			sodium_memzero(bin, sizeof bin);
		}
		char ab[IPAM_ADDR_STRLEN];
		if (!rc) {
			ipam_addr_format(ab, sizeof ab, &a);
			if (!cJSON_AddStringToObject(o, "dns", "rfc2136") || !cJSON_AddStringToObject(o, "address", ab) ||
			    !cJSON_AddNumberToObject(o, "port", opts->port ? opts->port : 53) ||
			    !cJSON_AddNumberToObject(o, "timeout_ms", opts->timeout_ms))
				rc = ipam__enomem();
		}
		if (!rc && opts->tsig_name) {
			if (!cJSON_AddStringToObject(o, "tsig_name", opts->tsig_name) ||
			    !cJSON_AddStringToObject(o, "tsig_algorithm",
			                             opts->tsig_algorithm ? opts->tsig_algorithm : "hmac-sha256"))
				rc = ipam__enomem();
			else
				rc = ipam__seal_json(db, o, "tsig_secret", opts->tsig_secret);
		}
	} else if (opts->type == IPAM_DNS_PDNS_API) {
		if (!opts->api_url || (strncmp(opts->api_url, "http://", 7) && strncmp(opts->api_url, "https://", 8)))
			rc = ipam__error(IPAM_EINVAL, "DNS server %s: api_url must be an http:// or https:// URL", name);
		else if (!opts->api_key || !*opts->api_key)
			rc = ipam__error(IPAM_EINVAL, "DNS server %s: the PowerDNS API needs its key (api_key)", name);
		else if (!cJSON_AddStringToObject(o, "dns", "pdns-api") || !cJSON_AddStringToObject(o, "url", opts->api_url) ||
		         !cJSON_AddStringToObject(o, "server_id", opts->server_id ? opts->server_id : "localhost") ||
		         !cJSON_AddNumberToObject(o, "timeout_ms", opts->timeout_ms))
			rc = ipam__enomem();
		else
			rc = ipam__seal_json(db, o, "api_key", opts->api_key);
	} else {
		rc = ipam__error(IPAM_EINVAL, "DNS server %s: unknown type %d", name, opts->type);
	}
	if (!rc) {
		char *attrs = cJSON_PrintUnformatted(o);
		ipam__obj so;
		memset(&so, 0, sizeof so);
		so.kind = IPAM_STORE_SERVER;
		so.name = name;
		so.attrs = attrs;
		rc = attrs ? ipam__obj_put(db, &so, replace ? 0 : IPAM__OBJ_NEW, replace ? "server.set" : "server.add")
		           : ipam__enomem();
		if (rc == IPAM_EEXISTS)
			rc = ipam__error(IPAM_EEXISTS, "server %s already exists", name);
		cJSON_free(attrs);
	}
	cJSON_Delete(o);
	return ipam__leave(db, &sc, rc);
}

int ipam_dns_server_rm(ipam_db *db, const char *name)
{
	if (!db || !name)
		return ipam__error(IPAM_EINVAL, "DNS server rm: no database or name");
	ipam__scope sc;
	int rc = ipam__enter(db, 1, &sc);
	if (rc)
		return rc;
	ipam__obj so;
	key_list states = { 0 };
	if (ipam__obj_get(db, IPAM_STORE_SERVER, no_parent, name, &so)) {
		rc = ipam__error(IPAM_ENOTFOUND, "server %s not found", name);
	} else {
		uint8_t sid[16];
		memcpy(sid, so.id, 16);
		rc = ipam__obj_each(db, IPAM_STORE_STATE, sid, collect_key, &states);
		for (size_t i = 0; !rc && i < states.n; i++)
			rc = ipam__obj_del(db, IPAM_STORE_STATE, sid, states.v[i], "zone.forget");
		if (!rc)
			rc = ipam__obj_del(db, IPAM_STORE_SERVER, no_parent, name, "server.rm");
	}
	key_list_free(&states);
	return ipam__leave(db, &sc, rc);
}

static int list_server(void *ctx, const ipam__obj *o)
{
	cJSON *arr = ctx;
	cJSON *a = o->attrs ? cJSON_Parse(o->attrs) : NULL;
	if (!a || !cJSON_GetObjectItemCaseSensitive(a, "dns")) {
		cJSON_Delete(a);
		return 0; /* not a DNS server (a DHCP one) */
	}
	static const char *const secrets[] = { "tsig_secret", "api_key" };
	for (size_t i = 0; i < 2; i++)
		if (cJSON_GetObjectItemCaseSensitive(a, secrets[i]))
			cJSON_ReplaceItemInObjectCaseSensitive(a, secrets[i], cJSON_CreateString("(sealed)"));
	cJSON_AddStringToObject(a, "name", o->name);
	cJSON_AddItemToArray(arr, a);
	return 0;
}

int ipam_dns_server_list(ipam_buf *out, ipam_db *db)
{
	if (!out || !db)
		return ipam__error(IPAM_EINVAL, "DNS server list: no database or output");
	cJSON *arr = cJSON_CreateArray();
	if (!arr)
		return ipam__enomem();
	ipam__scope sc;
	int rc = ipam__enter(db, 0, &sc);
	if (!rc)
		rc = ipam__leave(db, &sc, ipam__obj_each(db, IPAM_STORE_SERVER, no_parent, list_server, arr));
	if (rc) {
		cJSON_Delete(arr);
		return rc;
	}
	return ipam__json_to_buf(out, arr);
}

/* ---- pushing ---------------------------------------------------------------------------- */

/* A server as the module's push functions take it, with its secret opened. */
typedef struct target {
	int api;
	uint8_t id[16];
	char name[256], address[IPAM_ADDR_STRLEN], tsig_name[256], tsig_alg[32], url[512], server_id[128];
	unsigned port, timeout_ms;
	char *secret; /* unsealed: wiped and freed by target_free */
	size_t secret_len;
	ipam__dns_server srv;
	ipam__dns_pdns pdns;
} target;

static void target_free(target *t)
{
	ipam__unsealed_free(t->secret, t->secret_len);
	t->secret = NULL;
}

static int target_load(ipam_db *db, const char *server, target *t)
{
	memset(t, 0, sizeof *t);
	ipam__obj so;
	if (!server || ipam__obj_get(db, IPAM_STORE_SERVER, no_parent, server, &so))
		return ipam__error(IPAM_ENOTFOUND, "server %s not found", server ? server : "(none)");
	memcpy(t->id, so.id, 16);
	snprintf(t->name, sizeof t->name, "%s", server);
	cJSON *a = so.attrs ? cJSON_Parse(so.attrs) : NULL;
	const cJSON *kind = a ? cJSON_GetObjectItemCaseSensitive(a, "dns") : NULL;
	int rc = 0;
	if (!cJSON_IsString(kind)) {
		rc = ipam__error(IPAM_EINVAL, "server %s is not a DNS server", server);
	} else if (!strcmp(kind->valuestring, "pdns-api")) {
		t->api = 1;
		str(t->url, sizeof t->url, a, "url");
		str(t->server_id, sizeof t->server_id, a, "server_id");
		const cJSON *k = cJSON_GetObjectItemCaseSensitive(a, "api_key");
		rc = cJSON_IsString(k) ? ipam__unseal(db, k->valuestring, (void **)&t->secret, &t->secret_len)
		                       : ipam__error(IPAM_EBACKEND, "server %s: no API key stored", server);
	} else {
		str(t->address, sizeof t->address, a, "address");
		str(t->tsig_name, sizeof t->tsig_name, a, "tsig_name");
		str(t->tsig_alg, sizeof t->tsig_alg, a, "tsig_algorithm");
		t->port = num(a, "port", 53);
		const cJSON *k = cJSON_GetObjectItemCaseSensitive(a, "tsig_secret");
		if (t->tsig_name[0])
			rc = cJSON_IsString(k) ? ipam__unseal(db, k->valuestring, (void **)&t->secret, &t->secret_len)
			                       : ipam__error(IPAM_EBACKEND, "server %s: no TSIG secret stored", server);
	}
	t->timeout_ms = a ? num(a, "timeout_ms", 0) : 0;
	cJSON_Delete(a);
	if (rc) {
		target_free(t);
		return rc;
	}
	t->srv.name = t->name;
	t->srv.address = t->address;
	t->srv.port = (uint16_t)t->port;
	t->srv.timeout_ms = t->timeout_ms;
	t->srv.tsig.name = t->tsig_name[0] ? t->tsig_name : NULL;
	t->srv.tsig.algorithm = t->tsig_alg[0] ? t->tsig_alg : NULL;
	t->srv.tsig.secret = t->secret;
	t->pdns.url = t->url;
	t->pdns.server_id = t->server_id[0] ? t->server_id : NULL;
	t->pdns.api_key = t->api ? t->secret : NULL;
	t->pdns.timeout_ms = t->timeout_ms;
	return 0;
}

/* Read the zone (taking the next serial if its content changed), the
 * server, and what was last pushed to it. */
static int push_prepare(ipam_db *db, const char *zone, const char *view, const char *server, int write,
                        ipam__dns_zone **cur, ipam__dns_zone **last, target *t, char key[KEY_MAX])
{
	*cur = *last = NULL;
	memset(t, 0, sizeof *t); /* freed on every error below, loaded or not */
	ipam__scope sc;
	int rc = ipam__enter(db, write, &sc);
	if (rc)
		return rc;
	ipam__obj zo, st;
	zattrs za;
	if ((rc = zone_find(db, zone, view, &zo, &za)))
		return ipam__leave(db, &sc, rc);
	snprintf(key, KEY_MAX, "%s", zo.name);
	rc = write ? zone_current(db, &zo, &za, cur) : zone_build(db, &zo, &za, cur, NULL, NULL);
	if (!rc)
		rc = target_load(db, server, t);
	if (!rc && ipam__obj_get(db, IPAM_STORE_STATE, t->id, key, &st) == 0) {
		cJSON *a = st.attrs ? cJSON_Parse(st.attrs) : NULL;
		const cJSON *text = a ? cJSON_GetObjectItemCaseSensitive(a, "zone") : NULL;
		char where[400];
		snprintf(where, sizeof where, "what was last pushed of zone %s to server %s", za.origin, server);
		rc = cJSON_IsString(text) ? ipam__dns_zone_parse(last, text->valuestring, strlen(text->valuestring),
		                                                 za.origin, where)
		                          : ipam__error(IPAM_EBACKEND, "%s is damaged", where);
		cJSON_Delete(a);
	}
	zattrs_free(&za);
	rc = ipam__leave(db, &sc, rc);
	if (rc) {
		ipam__dns_zone_free(*cur);
		ipam__dns_zone_free(*last);
		*cur = *last = NULL;
		target_free(t);
	}
	return rc;
}

static int store_state(ipam_db *db, const target *t, const char *key, ipam__dns_zone *state, size_t changes,
                       const char *action)
{
	ipam_buf text = IPAM_BUF_INIT;
	int rc = ipam__dns_render_zone(&text, state);
	cJSON *a = rc ? NULL : cJSON_CreateObject();
	char *attrs = NULL;
	if (!rc && (!a || !cJSON_AddStringToObject(a, "zone", text.ptr) ||
	            !cJSON_AddNumberToObject(a, "changes", (double)changes) ||
	            !(attrs = cJSON_PrintUnformatted(a))))
		rc = ipam__enomem();
	cJSON_Delete(a);
	ipam_buf_dispose(&text);
	ipam__scope sc;
	if (!rc && !(rc = ipam__enter(db, 1, &sc))) {
		ipam__obj o;
		memset(&o, 0, sizeof o);
		o.kind = IPAM_STORE_STATE;
		memcpy(o.parent, t->id, 16);
		o.name = key;
		o.attrs = attrs;
		rc = ipam__leave(db, &sc, ipam__obj_put(db, &o, 0, action));
	}
	cJSON_free(attrs);
	return rc;
}

/* The first push to a server that already serves the zone: what it holds
 * of the RRsets IPAM has is the baseline (those RRsets are replaced, with
 * prerequisites on what the server had); the RRsets IPAM does not have are
 * none of its business and stay as they are. */
static int baseline(ipam__dns_zone **out, const target *t, ipam__dns_zone *cur)
{
	*out = NULL;
	char origin[300];
	ipam_buf ob = IPAM_BUF_INIT;
	int rc = ipam__dns_name_put(&ob, cur->origin);
	if (!rc)
		snprintf(origin, sizeof origin, "%s", ob.ptr);
	ipam_buf_dispose(&ob);
	ipam__dns_zone *live = NULL, *base = NULL;
	if (!rc)
		rc = t->api ? ipam__dns_pdns_get_zone(&live, &t->pdns, origin) : ipam__dns_axfr(&live, &t->srv, origin);
	if (!rc)
		rc = ipam__dns_zone_new(&base, origin);
	if (!rc) {
		base->ttl = live->ttl;
		rc = ipam__dns_zone_set_soa(base, "invalid.", "invalid.", live->serial, live->refresh, live->retry,
		                            live->expire, live->minimum);
		if (!rc && live->mname && cur->mname) {
			ldns_rdf_deep_free(base->mname);
			ldns_rdf_deep_free(base->rname);
			base->mname = ldns_rdf_clone(live->mname);
			base->rname = ldns_rdf_clone(live->rname);
			if (!base->mname || !base->rname)
				rc = ipam__enomem();
		}
	}
	if (!rc)
		rc = ipam__dns_zone_sort(live);
	for (size_t i = 0; !rc && live && i < live->n; i++) {
		size_t first;
		if (ipam__dns_zone_rrset(cur, ldns_rr_owner(live->rr[i]), ldns_rr_get_type(live->rr[i]), &first) == 0)
			continue;
		ldns_rr *c = ldns_rr_clone(live->rr[i]);
		rc = c ? ipam__dns_zone_add_raw(base, c, 0) : ipam__enomem();
	}
	ipam__dns_zone_free(live);
	if (rc) {
		ipam__dns_zone_free(base);
		return rc;
	}
	*out = base;
	return 0;
}

int ipam_zone_push(ipam_buf *report, ipam_db *db, const char *zone, const char *view, const char *server,
                   unsigned int flags)
{
	if (!db)
		return ipam__error(IPAM_EINVAL, "zone push: no database");
	bool dry = (flags & IPAM_PUSH_DRY_RUN) != 0;
	ipam__dns_zone *cur = NULL, *last = NULL;
	target t;
	char key[KEY_MAX];
	int rc = push_prepare(db, zone, view, server, !dry, &cur, &last, &t, key);
	if (rc)
		return rc;
	ipam__dns_push_result res;
	memset(&res, 0, sizeof res);
	if (!last && (rc = baseline(&last, &t, cur))) {
		ipam__dns_zone_free(cur);
		target_free(&t);
		return rc;
	}
	if (t.api) {
		rc = ipam__dns_pdns_push(&res, &t.pdns, last, cur, dry);
	} else {
		ipam__dns_push_options po = { 0, dry };
		rc = ipam__dns_push(&res, &t.srv, last, cur, &po);
	}
	/* keep the push's own error across what follows */
	char msg[1024];
	snprintf(msg, sizeof msg, "%s", rc ? ipam_error_last()->message : "");
	if (!dry && res.state && res.changes_applied > 0) {
		int src = store_state(db, &t, key, res.state, res.changes_applied, "zone.push");
		if (!rc)
			rc = src;
	}
	if (report) {
		ipam_buf_dispose(report);
		if (res.text.ptr) {
			*report = res.text;
			memset(&res.text, 0, sizeof res.text);
		}
		ipam__buf_printf(report, "; %s: %zu of %zu changes in %zu of %zu messages%s\n", t.name, res.changes_applied,
		                 res.changes, res.applied, res.messages, dry ? " (dry run: nothing sent)" : "");
	}
	if (rc && msg[0])
		ipam__error(rc, "%s", msg);
	ipam__dns_push_result_dispose(&res);
	ipam__dns_zone_free(cur);
	ipam__dns_zone_free(last);
	target_free(&t);
	return rc;
}

/* The drift between the zone as `server` holds it (AXFR, or the API) and
 * as IPAM holds it; the zones go with it (free both, dispose d). */
typedef struct drift_ctx {
	ipam__dns_drift d;
	ipam__dns_zone *cur, *live, *last; /* last: what the server took of ours, or NULL */
	target t;
	char key[KEY_MAX];
} drift_ctx;

static void drift_free(drift_ctx *x)
{
	ipam__dns_drift_dispose(&x->d);
	ipam__dns_zone_free(x->cur);
	ipam__dns_zone_free(x->live);
	ipam__dns_zone_free(x->last);
	target_free(&x->t);
}

static int drift_of(ipam_db *db, const char *zone, const char *view, const char *server, drift_ctx *x)
{
	memset(x, 0, sizeof *x);
	int rc = push_prepare(db, zone, view, server, 0, &x->cur, &x->last, &x->t, x->key);
	if (rc)
		return rc;
	char origin[300];
	ipam_buf ob = IPAM_BUF_INIT;
	if (!(rc = ipam__dns_name_put(&ob, x->cur->origin)))
		snprintf(origin, sizeof origin, "%s", ob.ptr);
	ipam_buf_dispose(&ob);
	if (!rc)
		rc = x->t.api ? ipam__dns_pdns_get_zone(&x->live, &x->t.pdns, origin)
		              : ipam__dns_axfr(&x->live, &x->t.srv, origin);
	if (!rc)
		rc = ipam__dns_drift_check(&x->d, x->live, x->cur);
	return rc;
}

int ipam_zone_diff(ipam_buf *report, size_t *ndrift, ipam_db *db, const char *zone, const char *view,
                   const char *server)
{
	if (!db || !report)
		return ipam__error(IPAM_EINVAL, "zone diff: no database or report");
	drift_ctx x;
	int rc = drift_of(db, zone, view, server, &x);
	if (!rc) {
		ipam_buf_dispose(report);
		rc = ipam__dns_drift_text(report, &x.d);
		if (ndrift)
			*ndrift = x.d.only_server + x.d.only_ipam + x.d.different;
	}
	drift_free(&x);
	return rc;
}

/* Records a server signs or keeps for itself: never adopted. */
static bool server_own_type(ldns_rr_type t)
{
	return t == LDNS_RR_TYPE_RRSIG || t == LDNS_RR_TYPE_NSEC || t == LDNS_RR_TYPE_NSEC3 ||
	       t == LDNS_RR_TYPE_NSEC3PARAM || t == LDNS_RR_TYPE_DNSKEY || t == LDNS_RR_TYPE_CDS ||
	       t == LDNS_RR_TYPE_CDNSKEY || t == LDNS_RR_TYPE_SOA || (unsigned)t == 65534u;
}

int ipam_zone_adopt(ipam_buf *report, size_t *nadopted, ipam_db *db, const char *zone, const char *view,
                    const char *server)
{
	if (!db || !report)
		return ipam__error(IPAM_EINVAL, "zone adopt: no database or report");
	drift_ctx x;
	size_t n = 0;
	ipam_buf out = IPAM_BUF_INIT, text = IPAM_BUF_INIT;
	int rc = drift_of(db, zone, view, server, &x);
	const ipam__dns_diff *dd = &x.d.diff;
	ipam__scope sc;
	if (!rc && !(rc = ipam__enter(db, 1, &sc))) {
		ipam__obj zo;
		zattrs za;
		if (!(rc = zone_find(db, zone, view, &zo, &za))) {
			for (size_t i = 0; !rc && i < dd->n; i++) {
				const ipam__dns_change *c = &dd->c[i];
				if (ldns_rr_list_rr_count(c->after))
					continue; /* IPAM has this RRset: not the server's extra */
				for (size_t k = 0; !rc && k < ldns_rr_list_rr_count(c->before); k++) {
					const ldns_rr *rr = ldns_rr_list_rr(c->before, k);
					ipam_buf_dispose(&text);
					if ((rc = ipam__dns_rr_put(&text, rr, NULL)))
						break;
					if (text.size && text.ptr[text.size - 1] == '\n')
						text.ptr[--text.size] = '\0';
					if (server_own_type(ldns_rr_get_type(rr))) {
						rc = ipam__buf_printf(&out, "skipped (the server's own): %s\n", text.ptr);
						continue;
					}
					char *canon = NULL;
					if (!(rc = canon_record(&canon, &za, text.ptr)) &&
					    !(rc = record_put(db, &zo, &za, text.ptr, canon, NULL)))
						rc = ipam__buf_printf(&out, "adopted: %s\n", text.ptr);
					free(canon);
					n += rc == 0;
					/* the server has it: what it holds of ours has it too, so the
					 * next push neither sends nor expects it to be unused */
					ldns_rr *copy = NULL;
					if (!rc && x.last && !(copy = ldns_rr_clone(rr)))
						rc = ipam__enomem();
					if (copy)
						rc = ipam__dns_zone_add_raw(x.last, copy, 0);
				}
			}
			if (!rc && n && x.last && !(rc = ipam__dns_zone_sort(x.last)))
				rc = store_state(db, &x.t, x.key, x.last, n, "zone.adopt");
			zattrs_free(&za);
		}
		rc = ipam__leave(db, &sc, rc);
	}
	ipam_buf_dispose(&text);
	drift_free(&x);
	if (rc) {
		ipam_buf_dispose(&out);
		return rc;
	}
	if (!out.ptr)
		ipam__buf_put(&out, "", 0);
	ipam_buf_dispose(report);
	*report = out;
	if (nadopted)
		*nadopted = n;
	return 0;
}
