/* Reconciliation: observations against the records, through the public API
 * only (spaces, prefixes, addresses), so that it sees exactly what any
 * other caller sees and needs nothing from the db layer's insides.
 *
 * Per space, the address observations are sorted and merge-joined with the
 * space's addresses in address order (one pass over each, O(n log n) for
 * the sort): a million observations against a million records is one sort
 * and two sequential walks, not a million lookups in each direction.
 * Findings come out in the order space, address, category; the subnet
 * findings of a space follow its address findings. */
#include "discover/disc.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <time.h>

struct ipam_reconcile_report {
	ipam_drift_item *v;
	size_t n, cap;
	char **str; /* every string the items point at */
	size_t nstr, cstr;
	size_t counts[IPAM_DRIFT_SUBNET_DIFFERS + 1];
	size_t applied;
};

static const char *const drift_names[] = {
	[IPAM_DRIFT_UNRECORDED] = "unrecorded",
	[IPAM_DRIFT_UNSEEN] = "unseen",
	[IPAM_DRIFT_MAC_DIFFERS] = "mac-differs",
	[IPAM_DRIFT_NAME_DIFFERS] = "name-differs",
	[IPAM_DRIFT_MAC_CONFLICT] = "mac-conflict",
	[IPAM_DRIFT_OUTSIDE] = "outside",
	[IPAM_DRIFT_SUBNET_MISSING] = "subnet-missing",
	[IPAM_DRIFT_SUBNET_DIFFERS] = "subnet-differs",
};

const char *ipam_drift_name(int drift)
{
	if (drift < IPAM_DRIFT_UNRECORDED || drift > IPAM_DRIFT_SUBNET_DIFFERS)
		return "unknown";
	return drift_names[drift];
}

int ipam_reconcile_options_init(ipam_reconcile_options *opts, unsigned int version)
{
	if (version < 1 || version > IPAM_RECONCILE_OPTIONS_VERSION)
		return ipam__error(IPAM_EINVAL, "ipam_reconcile_options: unknown version %u", version);
	*opts = (ipam_reconcile_options)IPAM_RECONCILE_OPTIONS_INIT;
	opts->version = version;
	return 0;
}

/* A copy of s owned by the report (NULL stays NULL; NULL with *err set on ENOMEM). */
static const char *keep(ipam_reconcile_report *r, const char *s, int *err)
{
	if (!s)
		return NULL;
	/* consecutive items share their space: reuse the last copy */
	if (r->nstr && strcmp(r->str[r->nstr - 1], s) == 0)
		return r->str[r->nstr - 1];
	if (r->nstr == r->cstr) {
		size_t c = r->cstr ? r->cstr * 2 : 64;
		char **v = realloc(r->str, c * sizeof *v);
		if (!v) {
			*err = ipam__enomem();
			return NULL;
		}
		r->str = v;
		r->cstr = c;
	}
	char *d = ipam__strdup(s);
	if (!d) {
		*err = IPAM_ENOMEM;
		return NULL;
	}
	r->str[r->nstr++] = d;
	return d;
}

static ipam_drift_item *push(ipam_reconcile_report *r, ipam_drift drift)
{
	if (r->n == r->cap) {
		size_t c = r->cap ? r->cap * 2 : 64;
		ipam_drift_item *v = realloc(r->v, c * sizeof *v);
		if (!v)
			return NULL;
		r->v = v;
		r->cap = c;
	}
	ipam_drift_item *it = &r->v[r->n++];
	memset(it, 0, sizeof *it);
	it->drift = drift;
	r->counts[drift]++;
	return it;
}

/* Host names match when they are equal ignoring case and a final dot, or
 * when one is the other's first label (a recorded "web1" and a PTR
 * "web1.example.com."). */
static bool name_match(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la && a[la - 1] == '.')
		la--;
	if (lb && b[lb - 1] == '.')
		lb--;
	size_t m = la < lb ? la : lb;
	if (strncasecmp(a, b, m) != 0)
		return false;
	if (la == lb)
		return true;
	const char *longer = la > lb ? a : b;
	return longer[m] == '.' && memchr(la < lb ? a : b, '.', m) == NULL;
}

/* What the observations of one address say, summed up. */
typedef struct group {
	const ipam__disc_obs *latest;   /* the one seen last */
	const ipam__disc_obs *with_mac; /* the latest with a MAC */
	const ipam__disc_obs *with_name; /* the latest with a name */
	size_t nmacs;                   /* distinct MACs */
	char macs[160];                 /* "aa:..., bb:..." for the conflict detail */
} group;

static void summarise(group *g, const ipam__disc_obs *const *o, size_t n)
{
	memset(g, 0, sizeof *g);
	const ipam__disc_obs *distinct[8];
	for (size_t i = 0; i < n; i++) {
		const ipam__disc_obs *x = o[i];
		if (!g->latest || x->last_seen > g->latest->last_seen)
			g->latest = x;
		if (x->name && (!g->with_name || x->last_seen > g->with_name->last_seen))
			g->with_name = x;
		if (!x->has_mac)
			continue;
		if (!g->with_mac || x->last_seen > g->with_mac->last_seen)
			g->with_mac = x;
		bool seen = false;
		for (size_t k = 0; k < g->nmacs && k < 8; k++)
			seen = seen || (distinct[k]->mac.len == x->mac.len &&
					memcmp(distinct[k]->mac.bytes, x->mac.bytes, x->mac.len) == 0);
		if (seen)
			continue;
		if (g->nmacs < 8)
			distinct[g->nmacs] = x;
		g->nmacs++;
	}
	size_t used = 0;
	for (size_t k = 0; k < g->nmacs && k < 8; k++) {
		char t[IPAM_MAC_STRLEN];
		ipam_mac_format(t, sizeof t, &distinct[k]->mac);
		int w = snprintf(g->macs + used, sizeof g->macs - used, "%s%s (%s)", k ? ", " : "", t,
				 distinct[k]->source);
		if (w < 0 || (size_t)w >= sizeof g->macs - used)
			break;
		used += (size_t)w;
	}
}

typedef struct run {
	ipam_reconcile_report *r;
	ipam_db *db;
	int64_t cutoff;
	unsigned days;
	int err;
} run;

static ipam_drift_item *item(run *x, ipam_drift d, const char *space, const ipam_addr *a, const group *g,
			     const ipam_ip_info *rec, const char *fmt, ...) IPAM__PRINTF(7, 8);

static ipam_drift_item *item(run *x, ipam_drift d, const char *space, const ipam_addr *a, const group *g,
			     const ipam_ip_info *rec, const char *fmt, ...)
{
	ipam_drift_item *it = push(x->r, d);
	if (!it) {
		x->err = ipam__enomem();
		return NULL;
	}
	it->kind = IPAM_OBS_ADDRESS;
	it->space = keep(x->r, space, &x->err);
	it->addr = *a;
	if (rec) {
		it->has_recorded_mac = rec->has_mac;
		it->recorded_mac = rec->mac;
		it->recorded_name = keep(x->r, rec->hostname, &x->err);
	}
	if (g && g->latest) {
		it->source = keep(x->r, g->latest->source, &x->err);
		it->last_seen = g->latest->last_seen;
		if (g->with_mac) {
			it->has_seen_mac = 1;
			it->seen_mac = g->with_mac->mac;
		}
		if (g->with_name)
			it->seen_name = keep(x->r, g->with_name->name, &x->err);
	}
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	it->detail = keep(x->r, buf, &x->err);
	return it;
}

/* The findings of one address: `o` its observations (n may be 0), `rec`
 * its record or NULL. */
static void judge(run *x, const char *space, bool space_exists, const ipam_addr *a,
		  const ipam__disc_obs *const *o, size_t n, const ipam_ip_info *rec)
{
	group g;
	summarise(&g, o, n);
	char sm[IPAM_MAC_STRLEN], rm[IPAM_MAC_STRLEN];
	if (!rec) {
		ipam_prefix host, hit;
		ipam_prefix_from(&host, a, a->family == IPAM_AF_INET ? 32 : 128, 0);
		bool inside = space_exists && ipam_prefix_match(&hit, x->db, space, &host) == 0;
		ipam_error_clear();
		if (inside)
			item(x, IPAM_DRIFT_UNRECORDED, space, a, &g, NULL, "seen by %s, not recorded (inside %s)",
			     g.latest->source, ipam__disc_prefix_txt(&hit).s);
		if (g.nmacs > 1)
			item(x, IPAM_DRIFT_MAC_CONFLICT, space, a, &g, NULL, "seen with %zu MACs: %s", g.nmacs, g.macs);
		if (!space_exists)
			item(x, IPAM_DRIFT_OUTSIDE, space, a, &g, NULL, "seen by %s in space %s, which does not exist",
			     g.latest->source, space);
		else if (!inside)
			item(x, IPAM_DRIFT_OUTSIDE, space, a, &g, NULL, "seen by %s outside every prefix of space %s",
			     g.latest->source, space);
		return;
	}
	if (!n || g.latest->last_seen < x->cutoff) {
		if (n)
			item(x, IPAM_DRIFT_UNSEEN, space, a, &g, rec, "recorded, last seen %lld (more than %u days ago)",
			     (long long)g.latest->last_seen, x->days);
		else
			item(x, IPAM_DRIFT_UNSEEN, space, a, NULL, rec, "recorded, never seen");
	}
	if (!n)
		return;
	if (rec->has_mac && g.with_mac && g.nmacs == 1 &&
	    (rec->mac.len != g.with_mac->mac.len || memcmp(rec->mac.bytes, g.with_mac->mac.bytes, rec->mac.len))) {
		ipam_mac_format(sm, sizeof sm, &g.with_mac->mac);
		ipam_mac_format(rm, sizeof rm, &rec->mac);
		item(x, IPAM_DRIFT_MAC_DIFFERS, space, a, &g, rec, "recorded MAC %s, seen %s by %s", rm, sm,
		     g.with_mac->source);
	}
	if (rec->hostname && g.with_name && !name_match(rec->hostname, g.with_name->name))
		item(x, IPAM_DRIFT_NAME_DIFFERS, space, a, &g, rec, "recorded name %s, seen %s by %s", rec->hostname,
		     g.with_name->name, g.with_name->source);
	if (g.nmacs > 1)
		item(x, IPAM_DRIFT_MAC_CONFLICT, space, a, &g, rec, "seen with %zu MACs: %s", g.nmacs, g.macs);
}

static int obs_cmp(const void *pa, const void *pb)
{
	const ipam__disc_obs *a = *(const ipam__disc_obs *const *)pa, *b = *(const ipam__disc_obs *const *)pb;
	int c = strcmp(a->space, b->space);
	if (c)
		return c;
	if (a->kind != b->kind)
		return a->kind - b->kind;
	if (a->kind == IPAM_OBS_SUBNET)
		return ipam_prefix_cmp(&a->subnet, &b->subnet);
	return ipam_addr_cmp(&a->addr, &b->addr);
}

/* The address findings of one space: observations o[0..n) (sorted, all of
 * this space) merge-joined with its addresses. */
static int reconcile_addrs(run *x, const char *space, bool exists, const ipam__disc_obs *const *o, size_t n)
{
	ipam_ip_iter *it = NULL;
	ipam_ip_info rec = IPAM_IP_INFO_INIT;
	ipam_ip_query q = IPAM_IP_QUERY_INIT;
	q.space = space;
	int rc = exists ? ipam_ip_iter_new(&it, x->db, &q) : IPAM_ITEROVER;
	if (rc && rc != IPAM_ITEROVER)
		return rc;
	bool have = exists && (rc = ipam_ip_iter_next(&rec, it)) == 0;
	if (exists && rc && rc != IPAM_ITEROVER)
		goto out;
	rc = 0;
	size_t i = 0;
	while ((i < n || have) && !x->err) {
		int c = i == n ? 1 : !have ? -1 : ipam_addr_cmp(&o[i]->addr, &rec.addr);
		size_t j = i;
		if (c <= 0)
			while (j < n && ipam_addr_cmp(&o[j]->addr, &o[i]->addr) == 0)
				j++;
		judge(x, space, exists, c <= 0 ? &o[i]->addr : &rec.addr, o + i, j - i, c >= 0 ? &rec : NULL);
		i = j;
		if (c >= 0) {
			rc = ipam_ip_iter_next(&rec, it);
			have = rc == 0;
			if (rc && rc != IPAM_ITEROVER)
				goto out;
			rc = 0;
		}
	}
out:
	ipam_ip_info_dispose(&rec);
	ipam_ip_iter_free(it);
	return rc ? rc : x->err;
}

static int reconcile_subnets(run *x, const char *space, bool exists, const ipam__disc_obs *const *o, size_t n)
{
	for (size_t i = 0; i < n && !x->err;) {
		size_t j = i;
		while (j < n && ipam_prefix_cmp(&o[j]->subnet, &o[i]->subnet) == 0)
			j++;
		const ipam__disc_obs *s = o[i];
		for (size_t k = i; k < j; k++)
			if (o[k]->last_seen > s->last_seen)
				s = o[k];
		i = j;
		char inside[256] = "";
		size_t ninside = 0;
		bool same = false;
		if (exists) {
			ipam_prefix_query q = IPAM_PREFIX_QUERY_INIT;
			q.space = space;
			q.walk = IPAM_WALK_WITHIN;
			q.target = &s->subnet;
			ipam_prefix_iter *it = NULL;
			ipam_prefix_info p = IPAM_PREFIX_INFO_INIT;
			int rc = ipam_prefix_iter_new(&it, x->db, &q);
			if (rc)
				return rc;
			while ((rc = ipam_prefix_iter_next(&p, it)) == 0) {
				if (ipam_prefix_cmp(&p.prefix, &s->subnet) == 0) {
					same = true;
					break;
				}
				if (ninside++ < 3) {
					size_t u = strlen(inside);
					snprintf(inside + u, sizeof inside - u, "%s%s", u ? ", " : "",
						 ipam__disc_prefix_txt(&p.prefix).s);
				}
			}
			ipam_prefix_info_dispose(&p);
			ipam_prefix_iter_free(it);
			if (rc && rc != IPAM_ITEROVER)
				return rc;
		}
		if (same)
			continue;
		ipam_drift_item *it = push(x->r, ninside ? IPAM_DRIFT_SUBNET_DIFFERS : IPAM_DRIFT_SUBNET_MISSING);
		if (!it)
			return x->err = ipam__enomem();
		char buf[512];
		if (ninside)
			snprintf(buf, sizeof buf, "subnet seen by %s is not a prefix; the records split it: %s%s",
				 s->source, inside, ninside > 3 ? ", ..." : "");
		else
			snprintf(buf, sizeof buf, "subnet seen by %s%s%s is missing from the records", s->source,
				 s->name ? " as " : "", s->name ? s->name : "");
		it->kind = IPAM_OBS_SUBNET;
		it->space = keep(x->r, space, &x->err);
		it->subnet = s->subnet;
		it->seen_name = keep(x->r, s->name, &x->err);
		it->source = keep(x->r, s->source, &x->err);
		it->last_seen = s->last_seen;
		it->detail = keep(x->r, buf, &x->err);
	}
	return x->err;
}

/* Adopt the unrecorded addresses, all in one transaction. */
static int apply(run *x)
{
	ipam_reconcile_report *r = x->r;
	if (!r->counts[IPAM_DRIFT_UNRECORDED])
		return 0;
	int rc = ipam_db_begin(x->db);
	if (rc)
		return rc;
	for (size_t i = 0; i < r->n; i++) {
		ipam_drift_item *it = &r->v[i];
		if (it->drift != IPAM_DRIFT_UNRECORDED)
			continue;
		char mac[IPAM_MAC_STRLEN], name[256] = "", attrs[300];
		ipam_ip_options o = IPAM_IP_OPTIONS_INIT;
		o.space = it->space;
		if (it->has_seen_mac && ipam_mac_format(mac, sizeof mac, &it->seen_mac) > 0)
			o.mac = mac;
		if (it->seen_name) {
			snprintf(name, sizeof name, "%s", it->seen_name);
			size_t l = strlen(name);
			if (l && name[l - 1] == '.')
				name[l - 1] = '\0';
			o.hostname = name;
		}
		cJSON *a = cJSON_CreateObject();
		char *txt = NULL;
		if (a && cJSON_AddStringToObject(a, "source", "discovery") &&
		    cJSON_AddStringToObject(a, "discovered_by", it->source))
			txt = cJSON_PrintUnformatted(a);
		cJSON_Delete(a);
		if (!txt) {
			rc = ipam__enomem();
			break;
		}
		snprintf(attrs, sizeof attrs, "%s", txt);
		free(txt);
		o.attrs_json = attrs;
		o.description = "adopted by reconciliation";
		rc = ipam_ip_add(x->db, &it->addr, &o);
		if (rc == IPAM_EINVAL && o.hostname) {
			/* a name seen on the network that the records do not accept as a host name */
			o.hostname = NULL;
			rc = ipam_ip_add(x->db, &it->addr, &o);
		}
		if (rc)
			break;
		it->applied = 1;
		r->applied++;
	}
	if (rc) {
		ipam_db_rollback(x->db);
		for (size_t i = 0; i < r->n; i++)
			r->v[i].applied = 0;
		r->applied = 0;
		return rc;
	}
	return ipam_db_commit(x->db);
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int ipam_reconcile(ipam_reconcile_report **out, ipam_db *db, const ipam_obs_set *set,
		   const ipam_reconcile_options *opts)
{
	ipam_reconcile_options o = IPAM_RECONCILE_OPTIONS_INIT;
	if (opts) {
		if (opts->version < 1 || opts->version > IPAM_RECONCILE_OPTIONS_VERSION)
			return ipam__error(IPAM_EINVAL, "ipam_reconcile_options: unknown version %u", opts->version);
		o = *opts;
	}
	if (!out || !db || !set)
		return ipam__error(IPAM_EINVAL, "ipam_reconcile: out, db and observations are required");
	*out = NULL;
	ipam_reconcile_report *r = calloc(1, sizeof *r);
	const ipam__disc_obs **sorted = malloc((set->n ? set->n : 1) * sizeof *sorted);
	char **spaces = NULL;
	size_t nspaces = 0, cspaces = 0;
	int rc = 0;
	if (!r || !sorted) {
		rc = ipam__enomem();
		goto done;
	}
	run x = { r, db, 0, o.unseen_days ? o.unseen_days : 30, 0 };
	int64_t now = o.now ? o.now : (int64_t)time(NULL);
	x.cutoff = now - (int64_t)x.days * 86400;

	/* the spaces to look at: the one asked for, or every space of the db
	 * and of the observations */
	ipam_space_info si = IPAM_SPACE_INFO_INIT;
	if (o.space) {
		if ((rc = ipam_space_get(&si, db, o.space)))
			goto done;
		ipam_space_info_dispose(&si);
	}
	size_t n = 0;
	for (size_t i = 0; i < set->n; i++)
		if (set->v[i].last_seen >= o.since && (!o.space || strcmp(set->v[i].space, o.space) == 0))
			sorted[n++] = &set->v[i];
	qsort(sorted, n, sizeof *sorted, obs_cmp);
	ipam_space_iter *sit = NULL;
	if (!o.space && (rc = ipam_space_iter_new(&sit, db)))
		goto done;
	for (size_t i = 0;;) {
		const char *name = NULL;
		if (o.space) {
			name = i++ ? NULL : o.space;
		} else if ((rc = ipam_space_iter_next(&si, sit)) == 0) {
			name = si.name;
		} else if (rc != IPAM_ITEROVER) {
			ipam_space_iter_free(sit);
			goto done;
		}
		if (!name)
			break;
		if (nspaces == cspaces) {
			cspaces = cspaces ? cspaces * 2 : 16;
			char **v = realloc(spaces, cspaces * sizeof *v);
			if (!v) {
				rc = ipam__enomem();
				break;
			}
			spaces = v;
		}
		if (!(spaces[nspaces] = ipam__strdup(name))) {
			rc = IPAM_ENOMEM;
			break;
		}
		nspaces++;
	}
	ipam_space_info_dispose(&si);
	ipam_space_iter_free(sit);
	if (rc && rc != IPAM_ITEROVER)
		goto done;
	rc = 0;
	size_t ndb = nspaces;
	qsort(spaces, ndb, sizeof *spaces, name_cmp);

	/* walk the union of the db's spaces and the observations' spaces in name order */
	size_t i = 0, k = 0;
	while ((i < n || k < ndb) && !rc) {
		int c = i == n ? 1 : k == ndb ? -1 : strcmp(sorted[i]->space, spaces[k]);
		const char *space = c <= 0 ? sorted[i]->space : spaces[k];
		size_t a = i, e = i;
		if (c <= 0)
			while (e < n && sorted[e]->space == sorted[i]->space)
				e++;
		size_t s = a;
		while (s < e && sorted[s]->kind == IPAM_OBS_ADDRESS)
			s++;
		rc = reconcile_addrs(&x, space, c >= 0, sorted + a, s - a);
		if (!rc)
			rc = reconcile_subnets(&x, space, c >= 0, sorted + s, e - s);
		i = e;
		if (c >= 0)
			k++;
	}
	if (!rc && (o.flags & IPAM_RECONCILE_APPLY))
		rc = apply(&x);
done:
	for (size_t j = 0; j < nspaces; j++)
		free(spaces[j]);
	free(spaces);
	free(sorted);
	if (rc) {
		ipam_reconcile_report_free(r);
		return rc;
	}
	*out = r;
	return 0;
}

size_t ipam_reconcile_report_count(const ipam_reconcile_report *r)
{
	return r ? r->n : 0;
}

size_t ipam_reconcile_report_count_of(const ipam_reconcile_report *r, int drift)
{
	if (!r)
		return 0;
	if (drift == 0)
		return r->n;
	if (drift < IPAM_DRIFT_UNRECORDED || drift > IPAM_DRIFT_SUBNET_DIFFERS)
		return 0;
	return r->counts[drift];
}

const ipam_drift_item *ipam_reconcile_report_item(const ipam_reconcile_report *r, size_t index)
{
	return r && index < r->n ? &r->v[index] : NULL;
}

static bool add_str(cJSON *j, const char *k, const char *v)
{
	return v ? cJSON_AddStringToObject(j, k, v) != NULL : cJSON_AddNullToObject(j, k) != NULL;
}

static bool add_mac(cJSON *j, const char *k, int has, const ipam_mac *m)
{
	char t[IPAM_MAC_STRLEN];
	return add_str(j, k, has && ipam_mac_format(t, sizeof t, m) > 0 ? t : NULL);
}

int ipam_reconcile_report_json(ipam_buf *out, const ipam_reconcile_report *r)
{
	cJSON *root = cJSON_CreateObject(), *counts = NULL, *items = NULL;
	bool ok = root && (counts = cJSON_AddObjectToObject(root, "counts")) &&
		  cJSON_AddNumberToObject(root, "applied", r ? (double)r->applied : 0) &&
		  (items = cJSON_AddArrayToObject(root, "items"));
	for (int d = IPAM_DRIFT_UNRECORDED; ok && d <= IPAM_DRIFT_SUBNET_DIFFERS; d++)
		ok = cJSON_AddNumberToObject(counts, drift_names[d], r ? (double)r->counts[d] : 0) != NULL;
	for (size_t i = 0; ok && r && i < r->n; i++) {
		const ipam_drift_item *it = &r->v[i];
		char t[IPAM_PREFIX_STRLEN];
		cJSON *j = cJSON_CreateObject();
		ok = j && cJSON_AddItemToArray(items, j);
		if (!ok) {
			cJSON_Delete(j);
			break;
		}
		if (it->kind == IPAM_OBS_SUBNET)
			ipam_prefix_format(t, sizeof t, &it->subnet);
		else
			ipam_addr_format(t, sizeof t, &it->addr);
		ok = add_str(j, "category", drift_names[it->drift]) && add_str(j, "space", it->space) &&
		     add_str(j, it->kind == IPAM_OBS_SUBNET ? "subnet" : "address", t) &&
		     add_mac(j, "recorded_mac", it->has_recorded_mac, &it->recorded_mac) &&
		     add_mac(j, "seen_mac", it->has_seen_mac, &it->seen_mac) &&
		     add_str(j, "recorded_name", it->recorded_name) && add_str(j, "seen_name", it->seen_name) &&
		     add_str(j, "source", it->source) &&
		     cJSON_AddNumberToObject(j, "last_seen", (double)it->last_seen) &&
		     add_str(j, "detail", it->detail) && cJSON_AddBoolToObject(j, "applied", it->applied);
	}
	if (!ok) {
		cJSON_Delete(root);
		return ipam__enomem();
	}
	return ipam__disc_json_out(out, root);
}

void ipam_reconcile_report_free(ipam_reconcile_report *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nstr; i++)
		free(r->str[i]);
	free(r->str);
	free(r->v);
	free(r);
}
