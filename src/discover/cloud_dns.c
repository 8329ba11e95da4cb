/* Cloud DNS into the stored DNS model: read every zone of the provider
 * (Route 53, Azure DNS, Cloud DNS; the readers in r53_xml.c and
 * cdns_json.c), then compare RRset by RRset with the zone's hand records
 * and write what differs, all zones in one transaction.
 *
 * The comparison must see "192.0.2.1" and "192.000.2.1", "Mail.Example.com"
 * and "mail.example.com." as the same record, and this folder does not
 * speak DNS itself (ldns belongs to src/dns). So each cloud zone is first
 * put, record by record, into a scratch zone in a memory store, through the
 * same public calls: what ipam_zone_show gives back from there is the
 * cloud's zone in the very text the real zone's records have, and a record
 * the DNS model refuses is refused there, before anything is written. */
#include "discover/disc.h"
#include "net/http.h"

#include "ipam/dns.h"

#include <cjson/cJSON.h>
#include <sodium.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <time.h>

int ipam_cloud_dns_options_init(ipam_cloud_dns_options *opts, unsigned int version)
{
	if (version < 1 || version > IPAM_CLOUD_DNS_OPTIONS_VERSION)
		return ipam__error(IPAM_EINVAL, "ipam_cloud_dns_options: unknown version %u", version);
	*opts = (ipam_cloud_dns_options)IPAM_CLOUD_DNS_OPTIONS_INIT;
	opts->version = version;
	return 0;
}

/* Whether the caller asked for this zone (its record sets are read only then). */
static bool wanted(const ipam__cdns_zone *z, const ipam_cloud_dns_options *o)
{
	if (z->private_zone && !o->include_private)
		return false;
	if (!o->zone)
		return true;
	size_t n = strlen(o->zone), m = strlen(z->origin);
	if (n && o->zone[n - 1] == '.')
		n--;
	return m == n + 1 && strncasecmp(o->zone, z->origin, n) == 0;
}

/* ---- reading: Route 53 ------------------------------------------------------------ */

static int r53_page(const ipam_aws_options *o, const char *base, const char *path, const char *query,
		    ipam__cdns *c, ipam__cdns_zone *z, const char *amz_date, const char *what)
{
	char url[600];
	snprintf(url, sizeof url, "%s%s", base, path);
	ipam__aws_call call = { "GET", url, path, query && *query ? query : NULL, NULL, "route53", "us-east-1",
				amz_date, what };
	ipam__http_resp resp;
	int rc = ipam__disc_aws_send(o, &call, &resp);
	const char *body = resp.body.ptr ? resp.body.ptr : "";
	if (!rc && resp.status == 200) {
		rc = z ? ipam__cdns_r53_rrsets(c, z, body, resp.body.size, what)
		       : ipam__cdns_r53_zones(c, body, resp.body.size, what);
	} else if (!rc) {
		/* <ErrorResponse><Error><Type/><Code/><Message/></Error></ErrorResponse> */
		ipam__cdns err = { 0 };
		if (ipam__cdns_r53_zones(&err, body, resp.body.size, what) != 0)
			err.error_code[0] = '\0';
		rc = ipam__disc_aws_fail(what, resp.status, err.error_code, err.error_message);
		ipam__cdns_dispose(&err);
	}
	ipam_buf_dispose(&resp.body);
	return rc;
}

/* "k=v&k=v" of the next page's parameters (values percent-encoded). */
static int query_of(ipam_buf *q, const char *const *keys, char *const *vals, size_t n)
{
	int rc = 0;
	q->size = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		if (!vals[i])
			continue;
		rc = ipam__buf_printf(q, "%s%s=", q->size ? "&" : "", keys[i]);
		rc = rc ? rc : ipam__disc_urlencode(q, vals[i]);
	}
	return rc ? rc : ipam__buf_printf(q, "%s", "");
}

static int read_aws(ipam__cdns *c, const ipam_aws_options *o, const ipam_cloud_dns_options *co)
{
	if (!o || o->version < 1 || o->version > IPAM_AWS_OPTIONS_VERSION || !o->access_key || !o->secret_key)
		return ipam__error(IPAM_EINVAL, "Route 53: ipam_aws_options with access_key and secret_key are required");
	char base[300], amz_date[20];
	snprintf(base, sizeof base, "%s", o->endpoint ? o->endpoint : "https://route53.amazonaws.com");
	size_t bl = strlen(base);
	while (bl && base[bl - 1] == '/')
		base[--bl] = '\0';
	ipam__disc_amz_date(amz_date, o->now);
	unsigned max = o->max_pages ? o->max_pages : 1000;
	ipam_buf q = IPAM_BUF_INIT;
	int rc = 0;
	ipam__disc_prog prog = { o->progress, o->progress_ctx, "route53", 0, 0 };
	static const char *const zkeys[] = { "marker" };
	for (unsigned page = 0; !rc; page++) {
		if (page == max) {
			rc = ipam__error(IPAM_EIO, "Route 53 ListHostedZones: more than max_pages (%u) pages", max);
			break;
		}
		if (!(rc = query_of(&q, zkeys, c->next, 1)))
			rc = r53_page(o, base, "/2013-04-01/hostedzone", q.ptr, c, NULL, amz_date,
				      "Route 53 ListHostedZones");
		ipam__disc_step(&prog);
		if (!c->next[0])
			break;
	}
	static const char *const rkeys[] = { "name", "type", "identifier" };
	for (size_t i = 0; i < c->n && !rc; i++) {
		char path[300], what[360];
		if (!wanted(&c->z[i], co))
			continue;
		if ((rc = ipam__disc_url_safe(c->z[i].id, "Route 53: hosted zone id", false)))
			break;
		snprintf(path, sizeof path, "/2013-04-01/hostedzone/%s/rrset", c->z[i].id);
		snprintf(what, sizeof what, "Route 53 ListResourceRecordSets (%.200s)", c->z[i].origin);
		ipam__cdns_next_clear(c);
		for (unsigned page = 0; !rc; page++) {
			if (page == max) {
				rc = ipam__error(IPAM_EIO, "%s: more than max_pages (%u) pages", what, max);
				break;
			}
			if (!(rc = query_of(&q, rkeys, c->next, 3)))
				rc = r53_page(o, base, path, q.ptr, c, &c->z[i], amz_date, what);
			ipam__disc_step(&prog);
			if (!c->next[0])
				break;
		}
	}
	ipam_buf_dispose(&q);
	return rc;
}

/* ---- reading: Azure, Google --------------------------------------------------------- */

typedef struct json_read {
	ipam__cdns *c;
	ipam__cdns_zone *z; /* NULL: the zone listing */
	int provider;
} json_read;

static int json_page(void *ctx, const cJSON *doc, const char *what, char **next)
{
	json_read *r = ctx;
	int rc = r->z ? ipam__cdns_json_rrsets(r->c, r->z, r->provider, doc, what)
		      : ipam__cdns_json_zones(r->c, r->provider, doc, what);
	*next = r->c->next[0];
	r->c->next[0] = NULL;
	return rc;
}

/* The zone listing at `zones_url`, then each zone's record sets at
 * `prefix` + (Azure: the zone's resource id; Google: the zone's name) +
 * `suffix`. */
static int read_json(ipam__cdns *c, int provider, const char *token, const char *zones_url, const char *prefix,
		     const char *suffix, unsigned timeout, unsigned max_pages, const char *name, ipam__disc_prog *prog,
		     const ipam_cloud_dns_options *co)
{
	bool az = provider == IPAM__CDNS_AZURE;
	char what[360];
	snprintf(what, sizeof what, "%s zones", name);
	json_read r = { c, NULL, provider };
	int rc = ipam__disc_json_pages(az, zones_url, token, timeout, max_pages, what, json_page, &r, prog);
	for (size_t i = 0; i < c->n && !rc; i++) {
		if (!wanted(&c->z[i], co))
			continue;
		if ((rc = ipam__disc_url_safe(c->z[i].id, az ? "Azure DNS: zone id" : "Cloud DNS: zone name", az)))
			break;
		char url[1200];
		snprintf(url, sizeof url, "%s%s%s", prefix, c->z[i].id, suffix);
		snprintf(what, sizeof what, "%s record sets (%.200s)", name, c->z[i].origin);
		r.z = &c->z[i];
		rc = ipam__disc_json_pages(az, url, token, timeout, max_pages, what, json_page, &r, prog);
	}
	return rc;
}

static int read_azure(ipam__cdns *c, const ipam_azure_options *o, const ipam_cloud_dns_options *co)
{
	if (!o || o->version < 1 || o->version > IPAM_AZURE_OPTIONS_VERSION)
		return ipam__error(IPAM_EINVAL, "Azure DNS: ipam_azure_options: required, version 1");
	int rc = ipam__disc_url_safe(o->subscription, "Azure: subscription", false);
	char *token = NULL;
	if (!rc && !o->access_token)
		rc = ipam__disc_azure_token(&token, o);
	if (rc)
		return rc;
	const char *arm = o->arm_endpoint ? o->arm_endpoint : "https://management.azure.com";
	char zones[600];
	snprintf(zones, sizeof zones, "%s/subscriptions/%s/providers/Microsoft.Network/dnszones?api-version=2018-05-01",
		 arm, o->subscription);
	ipam__disc_prog prog = { o->progress, o->progress_ctx, "azure-dns", 0, 0 };
	rc = read_json(c, IPAM__CDNS_AZURE, token ? token : o->access_token, zones, arm,
		       "/recordsets?api-version=2018-05-01", o->timeout_ms, o->max_pages ? o->max_pages : 1000,
		       "Azure DNS", &prog, co);
	if (token) {
		sodium_memzero(token, strlen(token));
		free(token);
	}
	return rc;
}

static int read_gcp(ipam__cdns *c, const ipam_gcp_options *o, const ipam_cloud_dns_options *co)
{
	if (!o || o->version < 1 || o->version > IPAM_GCP_OPTIONS_VERSION)
		return ipam__error(IPAM_EINVAL, "Cloud DNS: ipam_gcp_options: required, version 1");
	int rc = ipam__disc_url_safe(o->project, "GCP: project", false);
	if (rc)
		return rc;
	if (!o->access_token || !*o->access_token)
		return ipam__error(IPAM_EINVAL, "GCP: access_token: required");
	const char *ep = o->endpoint ? o->endpoint : "https://dns.googleapis.com";
	char zones[600], prefix[620];
	snprintf(zones, sizeof zones, "%s/dns/v1/projects/%s/managedZones", ep, o->project);
	snprintf(prefix, sizeof prefix, "%s/", zones);
	ipam__disc_prog prog = { o->progress, o->progress_ctx, "cloud-dns", 0, 0 };
	return read_json(c, IPAM__CDNS_GCP, o->access_token, zones, prefix, "/rrsets", o->timeout_ms,
			 o->max_pages ? o->max_pages : 1000, "Cloud DNS", &prog, co);
}

/* ---- comparing and writing ------------------------------------------------------------ */

/* One hand record of a zone: "OWNER TYPE" and its canonical text. */
typedef struct line {
	char label[300];
	char *text;
} line;

typedef struct lines {
	line *v;
	size_t n;
} lines;

static void lines_dispose(lines *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].text);
	free(l->v);
	memset(l, 0, sizeof *l);
}

static int line_cmp(const void *a, const void *b)
{
	const line *x = a, *y = b;
	int c = strcasecmp(x->label, y->label);
	return c ? c : strcmp(x->text, y->text);
}

/* The hand records of a zone, sorted by RRset then text; IPAM_ENOTFOUND
 * when the view has no such zone. */
static int hand_lines(lines *out, ipam_db *db, const char *zone, const char *view)
{
	memset(out, 0, sizeof *out);
	ipam_buf b = IPAM_BUF_INIT;
	int rc = ipam_zone_show(&b, db, zone, view);
	cJSON *doc = rc ? NULL : cJSON_ParseWithLength(b.ptr, b.size);
	ipam_buf_dispose(&b);
	if (rc)
		return rc;
	const cJSON *recs = cJSON_GetObjectItemCaseSensitive(doc, "records"), *r;
	out->v = calloc((size_t)cJSON_GetArraySize(recs) + 1, sizeof *out->v);
	if (!doc || !out->v) {
		cJSON_Delete(doc);
		return ipam__enomem();
	}
	for (r = cJSON_IsArray(recs) ? recs->child : NULL; r && !rc; r = r->next) {
		const cJSON *t = cJSON_GetObjectItemCaseSensitive(r, "record");
		const cJSON *s = cJSON_GetObjectItemCaseSensitive(r, "source");
		if (!cJSON_IsString(t) || !cJSON_IsString(s) || strcmp(s->valuestring, "hand") != 0)
			continue;
		char owner[256] = "", type[20] = "";
		if (sscanf(t->valuestring, "%255s %*s %*s %19s", owner, type) != 2)
			continue;
		line *l = &out->v[out->n];
		snprintf(l->label, sizeof l->label, "%s %s", owner, type);
		if (!(l->text = ipam__strdup(t->valuestring)))
			rc = ipam__enomem();
		else
			out->n++;
	}
	cJSON_Delete(doc);
	qsort(out->v, out->n, sizeof *out->v, line_cmp);
	return rc;
}

/* The apex NS names of a cloud zone, comma-separated (the zone's name
 * servers when it is made). */
static int apex_ns(ipam_buf *out, const ipam__cdns_zone *z)
{
	out->size = 0;
	for (size_t i = 0; i < z->n; i++) {
		char owner[300], type[20], data[300];
		if (sscanf(z->rec[i].text, "%299s %*s %*s %19s %299s", owner, type, data) == 3 &&
		    strcasecmp(type, "NS") == 0 && strcasecmp(owner, z->origin) == 0) {
			size_t n = strlen(data);
			int rc = ipam__buf_printf(out, "%s%s%s", out->size ? "," : "", data,
						  n && data[n - 1] == '.' ? "" : ".");
			if (rc)
				return rc;
		}
	}
	return 0;
}

static int skipped(cJSON *zone, const char *record, const char *reason)
{
	cJSON *s = cJSON_CreateObject();
	if (!s || !cJSON_AddStringToObject(s, "record", record) || !cJSON_AddStringToObject(s, "reason", reason) ||
	    !cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(zone, "skipped"), s)) {
		cJSON_Delete(s);
		return ipam__enomem();
	}
	return 0;
}

/* The cloud zone in canonical text: put into a scratch zone in `scratch`;
 * refused records are reported skipped. */
static int canonical(lines *out, ipam_db *scratch, const ipam__cdns_zone *z, const char *ns, cJSON *zrep)
{
	ipam_zone_options zo = IPAM_ZONE_OPTIONS_INIT;
	zo.no_derive = 1;
	zo.ns = ns;
	int rc = ipam_zone_add(scratch, z->origin, &zo);
	for (size_t i = 0; i < z->n && !rc; i++) {
		if (z->rec[i].skip) {
			rc = skipped(zrep, z->rec[i].text, z->rec[i].skip);
			continue;
		}
		rc = ipam_record_add(scratch, z->origin, NULL, z->rec[i].text);
		if (rc == IPAM_EEXISTS)
			rc = 0;
		else if (rc == IPAM_EINVAL)
			rc = skipped(zrep, z->rec[i].text, ipam_error_last()->message);
	}
	return rc ? rc : hand_lines(out, scratch, z->origin, NULL);
}

typedef struct ingest {
	const ipam_cloud_dns_options *o;
	ipam__cdns *c;
	lines *cloud;    /* per zone: canonical text; v NULL: the zone is skipped */
	char **ns;       /* per zone: its apex NS */
	cJSON *zreps;    /* per zone reports, copied into each run's report */
	cJSON *report;   /* the run's (rebuilt by each try) */
} ingest;

static int note(cJSON *zrep, const char *key, const char *label)
{
	cJSON *s = cJSON_CreateString(label);
	if (!s || !cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(zrep, key), s)) {
		cJSON_Delete(s);
		return ipam__enomem();
	}
	return 0;
}

/* One RRset: cloud lines [a, ae), IPAM's [b, be), both of one label. */
static int rrset(ipam_db *db, const char *zone, const char *view, const line *a, size_t na, const line *b,
		 size_t nb, cJSON *zrep)
{
	bool same = na == nb;
	for (size_t i = 0; same && i < na; i++)
		same = strcmp(a[i].text, b[i].text) == 0;
	if (same)
		return note(zrep, "unchanged", a->label);
	int rc = 0;
	for (size_t i = 0, k = 0; i < nb && !rc; i++) { /* both sorted: what IPAM has that the cloud has not */
		while (k < na && strcmp(a[k].text, b[i].text) < 0)
			k++;
		if ((k == na || strcmp(a[k].text, b[i].text) != 0) && (rc = ipam_record_rm(db, zone, view, b[i].text)) == 0)
			rc = note(zrep, "removed", b[i].text);
	}
	for (size_t i = 0; i < na && !rc; i++) {
		rc = ipam_record_add(db, zone, view, a[i].text);
		if (rc == IPAM_EEXISTS)
			rc = 0;
		else if (rc == IPAM_EINVAL)
			return skipped(zrep, a[i].text, ipam_error_last()->message);
	}
	return rc ? rc : note(zrep, nb ? "changed" : "added", a->label);
}

static int ingest_zone(ipam_db *db, ingest *g, size_t zi, cJSON *zrep)
{
	const ipam__cdns_zone *z = &g->c->z[zi];
	const char *view = g->o->view;
	lines have;
	int rc = hand_lines(&have, db, z->origin, view);
	if (rc == IPAM_ENOTFOUND) {
		ipam_zone_options zo = IPAM_ZONE_OPTIONS_INIT;
		zo.view = view;
		zo.space = g->o->space;
		zo.no_derive = !g->o->derive;
		zo.ns = g->ns[zi];
		rc = ipam_zone_add(db, z->origin, &zo);
		cJSON_ReplaceItemInObjectCaseSensitive(zrep, "created", cJSON_CreateBool(rc == 0));
		if (!rc)
			rc = hand_lines(&have, db, z->origin, view);
	}
	const lines *want = &g->cloud[zi];
	for (size_t i = 0, k = 0; !rc && i < want->n;) {
		size_t ie = i, ke;
		while (ie < want->n && strcasecmp(want->v[ie].label, want->v[i].label) == 0)
			ie++;
		while (k < have.n && strcasecmp(have.v[k].label, want->v[i].label) < 0)
			k++;
		for (ke = k; ke < have.n && strcasecmp(have.v[ke].label, want->v[i].label) == 0;)
			ke++;
		rc = rrset(db, z->origin, view, &want->v[i], ie - i, &have.v[k], ke - k, zrep);
		i = ie;
		k = ke;
	}
	lines_dispose(&have);
	return rc;
}

static int ingest_all(ipam_db *db, void *ctx)
{
	ingest *g = ctx;
	cJSON_Delete(g->report);
	g->report = cJSON_CreateObject();
	cJSON *zs = g->report ? cJSON_AddArrayToObject(g->report, "zones") : NULL;
	if (!zs)
		return ipam__enomem();
	int rc = 0;
	size_t zi = 0;
	for (cJSON *t = g->zreps->child; t && !rc; t = t->next, zi++) {
		cJSON *zrep = cJSON_Duplicate(t, 1);
		if (!zrep || !cJSON_AddItemToArray(zs, zrep)) {
			cJSON_Delete(zrep);
			return ipam__enomem();
		}
		if (g->cloud[zi].v)
			rc = ingest_zone(db, g, zi, zrep);
	}
	return rc;
}

/* What the zones' reports add up to. */
static int totals(cJSON *report)
{
	static const char *const keys[] = { "added", "changed", "unchanged", "removed", "skipped" };
	for (size_t k = 0; k < 5; k++) {
		int n = 0;
		for (cJSON *z = cJSON_GetObjectItemCaseSensitive(report, "zones")->child; z; z = z->next)
			n += cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(z, keys[k]));
		if (!cJSON_AddNumberToObject(report, keys[k], n))
			return ipam__enomem();
	}
	return 0;
}

static cJSON *zone_report(const ipam__cdns_zone *z)
{
	cJSON *r = cJSON_CreateObject();
	if (!r || !cJSON_AddStringToObject(r, "zone", z->origin) || !cJSON_AddStringToObject(r, "id", z->id) ||
	    !cJSON_AddFalseToObject(r, "created") || !cJSON_AddArrayToObject(r, "added") ||
	    !cJSON_AddArrayToObject(r, "changed") || !cJSON_AddArrayToObject(r, "unchanged") ||
	    !cJSON_AddArrayToObject(r, "removed") || !cJSON_AddArrayToObject(r, "skipped")) {
		cJSON_Delete(r);
		return NULL;
	}
	return r;
}

/* Canonical forms first (no transaction: the scratch store), then every
 * zone written in one transaction. */
int ipam__cdns_ingest(ipam_buf *report, ipam_db *db, ipam__cdns *c, const ipam_cloud_dns_options *o,
		      const char *provider)
{
	ingest g = { o, c, calloc(c->n + 1, sizeof(lines)), calloc(c->n + 1, sizeof(char *)), cJSON_CreateArray(),
		     NULL };
	ipam_db *scratch = NULL;
	int rc = g.cloud && g.ns && g.zreps ? ipam_db_open(&scratch, "memory:", NULL) : ipam__enomem();
	size_t kept = 0;
	ipam_buf ns = IPAM_BUF_INIT;
	for (size_t i = 0; i < c->n && !rc; i++) {
		if (!wanted(&c->z[i], o))
			continue;
		ipam__cdns_zone t = c->z[kept]; /* the wanted zones to the front */
		c->z[kept] = c->z[i];
		c->z[i] = t;
		ipam__cdns_zone *z = &c->z[kept];
		cJSON *zrep = zone_report(z);
		if (!zrep || !cJSON_AddItemToArray(g.zreps, zrep)) {
			cJSON_Delete(zrep);
			rc = ipam__enomem();
			break;
		}
		rc = apex_ns(&ns, z);
		if (!rc && !ns.size) {
			rc = skipped(zrep, z->origin, "the zone has no apex NS records");
		} else if (!rc) {
			g.ns[kept] = ipam__strdup(ns.ptr);
			rc = g.ns[kept] ? canonical(&g.cloud[kept], scratch, z, ns.ptr, zrep) : IPAM_ENOMEM;
			/* refused (its name, its NS), or a second zone of that name
			 * (a private one beside a public one) */
			if (rc == IPAM_EINVAL || rc == IPAM_EEXISTS)
				rc = skipped(zrep, z->origin, ipam_error_last()->message);
		}
		kept++;
	}
	size_t all = c->n;
	ipam_buf_dispose(&ns);
	ipam_db_free(scratch);
	if (!rc && o->dry_run) { /* the very changes, then none of them */
		if ((rc = ipam_db_begin(db)) == 0) {
			rc = ingest_all(db, &g);
			ipam_db_rollback(db);
		}
	} else if (!rc) {
		rc = ipam_db_run(db, ingest_all, &g);
	}
	if (!rc && (rc = totals(g.report)) == 0 &&
	    (!cJSON_AddStringToObject(g.report, "provider", provider) ||
	     !cJSON_AddBoolToObject(g.report, "dry_run", o->dry_run != 0)))
		rc = ipam__enomem();
	if (!rc && report)
		rc = ipam__disc_json_out(report, g.report), g.report = NULL;
	for (size_t i = 0; g.cloud && i < all; i++)
		lines_dispose(&g.cloud[i]);
	for (size_t i = 0; g.ns && i < all; i++)
		free(g.ns[i]);
	free(g.cloud);
	free(g.ns);
	cJSON_Delete(g.zreps);
	cJSON_Delete(g.report);
	return rc;
}

static int run(ipam_buf *report, ipam_db *db, const ipam_cloud_dns_options *opts, const char *provider,
	       int (*read)(ipam__cdns *c, const void *o, const ipam_cloud_dns_options *co), const void *po)
{
	ipam_cloud_dns_options o = IPAM_CLOUD_DNS_OPTIONS_INIT;
	if (!db || (opts && (opts->version < 1 || opts->version > IPAM_CLOUD_DNS_OPTIONS_VERSION)))
		return ipam__error(IPAM_EINVAL, "cloud DNS: a database and ipam_cloud_dns_options version 1 or 2 are required");
	if (opts) /* a version 1 struct ends before dry_run */
		memcpy(&o, opts, opts->version == 1 ? offsetof(ipam_cloud_dns_options, dry_run) : sizeof o);
	ipam__cdns c = { 0 };
	int rc = read(&c, po, &o);
	if (!rc)
		rc = ipam__cdns_ingest(report, db, &c, &o, provider);
	ipam__cdns_dispose(&c);
	return rc;
}

static int read_aws_v(ipam__cdns *c, const void *o, const ipam_cloud_dns_options *co)
{
	return read_aws(c, o, co);
}

static int read_azure_v(ipam__cdns *c, const void *o, const ipam_cloud_dns_options *co)
{
	return read_azure(c, o, co);
}

static int read_gcp_v(ipam__cdns *c, const void *o, const ipam_cloud_dns_options *co)
{
	return read_gcp(c, o, co);
}

int ipam_cloud_dns_aws(ipam_buf *report, ipam_db *db, const ipam_aws_options *aws, const ipam_cloud_dns_options *opts)
{
	return run(report, db, opts, "aws", read_aws_v, aws);
}

int ipam_cloud_dns_azure(ipam_buf *report, ipam_db *db, const ipam_azure_options *azure,
			 const ipam_cloud_dns_options *opts)
{
	return run(report, db, opts, "azure", read_azure_v, azure);
}

int ipam_cloud_dns_gcp(ipam_buf *report, ipam_db *db, const ipam_gcp_options *gcp, const ipam_cloud_dns_options *opts)
{
	return run(report, db, opts, "gcp", read_gcp_v, gcp);
}
