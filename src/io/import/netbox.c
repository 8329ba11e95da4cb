/* NetBox: the CSV bulk-import formats (vrfs, prefixes, ip-ranges,
 * ip-addresses, custom fields as cf_*) and the REST API's paged list
 * documents ({count, next, previous, results}). Both become one flat row of
 * (column, text) pairs, named as the CSV names them, which one function
 * maps to the model, so the two spellings of an object merge exactly. */
#include "io/import/imp.h"

#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

enum nb_kind { NB_VRF, NB_PREFIX, NB_RANGE, NB_ADDRESS };

typedef ipam__imp_row nb_row;
#define get ipam__imp_row_get
#define bad ipam__imp_row_bad

/* The columns a kind reads itself; every other column is kept as an extra
 * attribute (cf_* as attributes), so no field of the source is lost. */
static int known(enum nb_kind k, const char *col)
{
	static const char *const common[] = { "vrf", "tenant", "status", "role", "description", "tags", NULL };
	static const char *const own[][8] = {
		[NB_VRF] = { "name", "rd", "enforce_unique", NULL },
		[NB_PREFIX] = { "prefix", "is_pool", "mark_utilized", "vlan", "vlan_vid", NULL },
		[NB_RANGE] = { "start_address", "end_address", NULL },
		[NB_ADDRESS] = { "address", "dns_name", NULL },
	};
	if (strncasecmp(col, "cf_", 3) == 0)
		return 1;
	for (size_t i = 0; own[k][i]; i++)
		if (!strcasecmp(col, own[k][i]))
			return 1;
	if (k == NB_VRF)
		return !strcasecmp(col, "description") || !strcasecmp(col, "tags") || !strcasecmp(col, "tenant");
	for (size_t i = 0; common[i]; i++)
		if (!strcasecmp(col, common[i]))
			return 1;
	return 0;
}

/* The space item a VRF name stands for (none for the global table). */
static int use_space(ipam__imp_model *m, const nb_row *r, const char *vrf)
{
	int is_new;
	if (!*vrf)
		return 0;
	ipam__imp_item *s = ipam__imp_get(m, IMP_SPACE, NULL, vrf, r->file, r->line, &is_new);
	if (!s)
		return IPAM_ENOMEM;
	return is_new ? ipam__imp_set(&s->name, vrf) : 0;
}

/* What every kind but a VRF shares: tenant, status, role, tags, cf_*, extras. */
static int common_attrs(ipam__imp_item *it, const nb_row *r, enum nb_kind k, const char *role_key)
{
	int rc = 0;
	if ((rc = ipam__imp_attr_str(it->attrs, "status", get(r, "status"))) ||
	    (rc = ipam__imp_attr_str(it->attrs, "role", get(r, role_key))) ||
	    (rc = ipam__imp_attr_str(it->attrs, "tenant", get(r, "tenant"))) ||
	    (rc = ipam__imp_attr_list(it->attrs, "tags", get(r, "tags"))) ||
	    (rc = ipam__imp_set(&it->description, get(r, "description"))))
		return rc;
	for (size_t i = 0; i < r->n && !rc; i++) {
		const char *c = r->keys[i], *v = r->vals[i];
		if (!*v)
			continue;
		if (strncasecmp(c, "cf_", 3) == 0 && !(k == NB_ADDRESS && !strcasecmp(c + 3, "mac_address")))
			rc = ipam__imp_attr_str(it->attrs, c + 3, v);
		else if (!known(k, c))
			rc = ipam__imp_attr_str(it->extra, c, v);
	}
	return rc;
}

static int row_vrf(ipam__imp_model *m, const nb_row *r)
{
	int is_new;
	const char *name = get(r, "name");
	if (!*name)
		return bad(m, r, "name", "a VRF needs a name");
	ipam__imp_item *it = ipam__imp_get(m, IMP_SPACE, NULL, name, r->file, r->line, &is_new);
	if (!it)
		return IPAM_ENOMEM;
	int rc;
	if ((rc = ipam__imp_set(&it->name, name)) || (rc = ipam__imp_set(&it->rd, get(r, "rd"))) ||
	    (rc = ipam__imp_attr_str(it->extra, "description", get(r, "description"))) ||
	    (rc = ipam__imp_attr_str(it->extra, "enforce_unique", get(r, "enforce_unique"))))
		return rc;
	m->rows++;
	return 0;
}

static int row_prefix(ipam__imp_model *m, const nb_row *r)
{
	ipam_addr a;
	ipam_prefix p;
	int len, is_new, rc;
	const char *text = get(r, "prefix");

	if (ipam__imp_addr(&a, &len, text) || len < 0)
		return bad(m, r, "prefix", "not a prefix");
	if (ipam_prefix_from(&p, &a, (unsigned)len, IPAM_PARSE_NORMALIZE))
		return bad(m, r, "prefix", "not a prefix");
	if (ipam_addr_cmp(&a, &p.addr) != 0) {
		char fixed[64];
		ipam_prefix_format(fixed, sizeof fixed, &p);
		if ((rc = ipam__imp_note(m, "%s:%lu: prefix %s has host bits set; NetBox stores it as %s, and so does "
		                            "this import",
		                         r->file, r->line, text, fixed)))
			return rc;
	}
	int pool = 0;
	if (*get(r, "is_pool") && (pool = ipam__imp_bool(get(r, "is_pool"))) < 0)
		return bad(m, r, "is_pool", "not true or false");
	int mu = 0;
	if (*get(r, "mark_utilized") && (mu = ipam__imp_bool(get(r, "mark_utilized"))) < 0)
		return bad(m, r, "mark_utilized", "not true or false");
	const char *vl = *get(r, "vlan_vid") ? get(r, "vlan_vid") : get(r, "vlan");
	long vlan = -1;
	if (*vl) {
		char *end;
		vlan = strtol(vl, &end, 10);
		if (*end || vlan < 1 || vlan > 4094)
			return ipam__imp_err(m, r->file, r->line, "vlan", vl, "vlan: %s is not a VLAN id (1..4094)", vl);
	}
	const char *vrf = get(r, "vrf");
	char key[64];
	ipam_prefix_format(key, sizeof key, &p);
	if ((rc = use_space(m, r, vrf)))
		return rc;
	ipam__imp_item *it = ipam__imp_get(m, IMP_PREFIX, *vrf ? vrf : NULL, key, r->file, r->line, &is_new);
	if (!it)
		return IPAM_ENOMEM;
	it->prefix = p;
	const char *st = get(r, "status");
	if ((rc = ipam__imp_set(&it->kind, !strcasecmp(st, "container") ? "container" : "network")) ||
	    (rc = common_attrs(it, r, NB_PREFIX, "role")))
		return rc;
	if (pool)
		it->pool = 1;
	if (mu && (rc = ipam__imp_attr(it->extra, "mark_utilized", cJSON_CreateTrue())))
		return rc;
	if (vlan >= 0)
		it->vlan = vlan;
	m->rows++;
	return 0;
}

static int row_range(ipam__imp_model *m, const nb_row *r)
{
	ipam_addr a, b;
	int la, lb, is_new, rc;
	if (ipam__imp_addr(&a, &la, get(r, "start_address")))
		return bad(m, r, "start_address", "not an address");
	if (ipam__imp_addr(&b, &lb, get(r, "end_address")))
		return bad(m, r, "end_address", "not an address");
	if (a.family != b.family || ipam_addr_cmp(&a, &b) > 0)
		return bad(m, r, "end_address", "before start_address, or of another family");
	char key[140], ta[64], tb[64];
	ipam__imp_addr_text(ta, &a);
	ipam__imp_addr_text(tb, &b);
	snprintf(key, sizeof key, "%s-%s", ta, tb);
	const char *vrf = get(r, "vrf");
	if ((rc = use_space(m, r, vrf)))
		return rc;
	ipam__imp_item *it = ipam__imp_get(m, IMP_RANGE, *vrf ? vrf : NULL, key, r->file, r->line, &is_new);
	if (!it)
		return IPAM_ENOMEM;
	it->first = a;
	it->last = b;
	if ((rc = ipam__imp_set(&it->kind, "range")) || (rc = common_attrs(it, r, NB_RANGE, "role")))
		return rc;
	m->rows++;
	return 0;
}

static const char *address_kind(const char *status, int has_mac)
{
	if (!strcasecmp(status, "reserved"))
		return has_mac ? "dhcp_reservation" : "reserved";
	if (!strcasecmp(status, "dhcp"))
		return "dhcp_lease";
	if (!strcasecmp(status, "deprecated"))
		return "deprecated";
	if (!strcasecmp(status, "slaac"))
		return "slaac";
	return "static";
}

static int row_address(ipam__imp_model *m, const nb_row *r)
{
	ipam_addr a;
	ipam_mac mac;
	int len, rc;
	if (ipam__imp_addr(&a, &len, get(r, "address")))
		return bad(m, r, "address", "not an address");
	const char *mt = get(r, "cf_mac_address");
	if (*mt && ipam_mac_parse(&mac, mt))
		return bad(m, r, "cf_mac_address", "not a MAC address");
	const char *vrf = get(r, "vrf");
	if ((rc = use_space(m, r, vrf)))
		return rc;
	ipam__imp_item *it = ipam__imp_address(m, *vrf ? vrf : NULL, &a, *mt ? &mac : NULL, r->file, r->line);
	if (!it)
		return IPAM_ENOMEM;
	if ((rc = ipam__imp_set(&it->kind, address_kind(get(r, "status"), it->has_mac))) ||
	    (rc = ipam__imp_set(&it->hostname, get(r, "dns_name"))) || (rc = common_attrs(it, r, NB_ADDRESS, "role")))
		return rc;
	if (len >= 0 && (rc = ipam__imp_attr(it->attrs, "prefix_length", cJSON_CreateNumber(len))))
		return rc;
	m->rows++;
	return 0;
}

static int row(ipam__imp_model *m, enum nb_kind k, const nb_row *r)
{
	switch (k) {
	case NB_VRF:
		return row_vrf(m, r);
	case NB_PREFIX:
		return row_prefix(m, r);
	case NB_RANGE:
		return row_range(m, r);
	default:
		return row_address(m, r);
	}
}

/* Which object a header (or a result's keys) describes. */
static int kind_of(const char *const *keys, size_t n, enum nb_kind *out)
{
	if (ipam__csv_col(keys, n, "start_address") >= 0 && ipam__csv_col(keys, n, "end_address") >= 0)
		*out = NB_RANGE;
	else if (ipam__csv_col(keys, n, "prefix") >= 0)
		*out = NB_PREFIX;
	else if (ipam__csv_col(keys, n, "address") >= 0)
		*out = NB_ADDRESS;
	else if (ipam__csv_col(keys, n, "name") >= 0 && ipam__csv_col(keys, n, "rd") >= 0)
		*out = NB_VRF;
	else
		return -1;
	return 0;
}

static const char *header_ok(const char *const *hdr, size_t n, void *ctx)
{
	return kind_of(hdr, n, ctx) ? "it names none of prefix, address, start_address/end_address, name/rd" : NULL;
}

static int csv_row(ipam__imp_model *m, const nb_row *r, void *ctx)
{
	return row(m, *(enum nb_kind *)ctx, r);
}

int ipam__imp_netbox_csv(ipam__imp_model *m, const char *file, const char *data, size_t len)
{
	enum nb_kind k;
	/* an API document among the CSV files merges with them */
	if (ipam__imp_looks_json(data, len))
		return ipam__imp_netbox_json(m, file, data, len);
	return ipam__imp_csv_rows(m, file, data, len, ipam__csv_sniff(data, len), "NetBox CSV", header_ok, csv_row, &k);
}

/* ---- the REST API documents ---- */

/* The physical line of each object directly inside the top-level
 * "results" array, in order (a small scan of the JSON text: strings and
 * nesting only; cJSON has checked the syntax). */
static unsigned long *result_lines(const char *d, size_t len, size_t count)
{
	unsigned long *lines = calloc(count ? count : 1, sizeof *lines);
	if (!lines)
		return NULL;
	unsigned long line = 1;
	int depth = 0, in_results = 0;
	size_t k = 0, key_start = 0, key_len = 0;
	for (size_t i = 0; i < len; i++) {
		char ch = d[i];
		if (ch == '\n') {
			line++;
		} else if (ch == '"') {
			size_t s = ++i;
			while (i < len && d[i] != '"') {
				if (d[i] == '\\')
					i++;
				else if (d[i] == '\n')
					line++;
				i++;
			}
			key_start = s;
			key_len = i - s;
		} else if (ch == '{' || ch == '[') {
			if (depth == 1 && ch == '[' && key_len == 7 && memcmp(d + key_start, "results", 7) == 0)
				in_results = 1;
			else if (depth == 2 && in_results && ch == '{' && k < count)
				lines[k++] = line;
			depth++;
		} else if (ch == '}' || ch == ']') {
			depth--;
			if (depth == 1)
				in_results = 0;
		}
	}
	return lines;
}

/* A brief nested object's text: its `field` ("name", "vid", "slug", "value"). */
static const char *nested(const cJSON *v, const char *field, char *buf, size_t size)
{
	if (cJSON_IsString(v))
		return v->valuestring;
	if (cJSON_IsNumber(v)) {
		snprintf(buf, size, "%.0f", v->valuedouble);
		return buf;
	}
	if (cJSON_IsBool(v))
		return cJSON_IsTrue(v) ? "true" : "false";
	if (!cJSON_IsObject(v))
		return "";
	return nested(cJSON_GetObjectItemCaseSensitive(v, field), field, buf, size);
}

#define NB_MAXCOLS 64

/* One result object flattened into CSV columns. */
typedef struct nb_flat {
	const char *keys[NB_MAXCOLS];
	const char *vals[NB_MAXCOLS];
	char *owned[NB_MAXCOLS * 2];
	size_t n, nowned;
} nb_flat;

static int flat_add(nb_flat *f, const char *k, const char *v, int own)
{
	if (f->n == NB_MAXCOLS)
		return 0;
	if (own) {
		char *c = ipam__strdup(v);
		if (!c)
			return IPAM_ENOMEM;
		f->owned[f->nowned++] = c;
		v = c;
	}
	f->keys[f->n] = k;
	f->vals[f->n++] = v;
	return 0;
}

static int flatten(nb_flat *f, const cJSON *o, enum nb_kind k)
{
	static const char *const plain[] = { "prefix", "address", "start_address", "end_address", "dns_name",
		                             "description", "name", "rd", NULL };
	char buf[64];
	int rc;
	for (size_t i = 0; plain[i]; i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, plain[i]);
		if (cJSON_IsString(v) && (rc = flat_add(f, plain[i], v->valuestring, 0)))
			return rc;
	}
	const cJSON *v;
	if ((v = cJSON_GetObjectItemCaseSensitive(o, "vrf")) && (rc = flat_add(f, "vrf", nested(v, "name", buf, sizeof buf), 1)))
		return rc;
	if ((v = cJSON_GetObjectItemCaseSensitive(o, "tenant")) &&
	    (rc = flat_add(f, "tenant", nested(v, "name", buf, sizeof buf), 1)))
		return rc;
	if ((v = cJSON_GetObjectItemCaseSensitive(o, "status")) &&
	    (rc = flat_add(f, "status", nested(v, "value", buf, sizeof buf), 1)))
		return rc;
	/* a prefix's role is an object (its name), an address's a choice (its value) */
	if ((v = cJSON_GetObjectItemCaseSensitive(o, "role")) &&
	    (rc = flat_add(f, "role", nested(v, k == NB_ADDRESS ? "value" : "name", buf, sizeof buf), 1)))
		return rc;
	if ((v = cJSON_GetObjectItemCaseSensitive(o, "vlan")) && (rc = flat_add(f, "vlan", nested(v, "vid", buf, sizeof buf), 1)))
		return rc;
	static const char *const flags[] = { "is_pool", "mark_utilized", "enforce_unique", NULL };
	for (size_t i = 0; flags[i]; i++)
		if ((v = cJSON_GetObjectItemCaseSensitive(o, flags[i])) && cJSON_IsBool(v) &&
		    (rc = flat_add(f, flags[i], cJSON_IsTrue(v) ? "true" : "false", 0)))
			return rc;
	ipam_buf tags = IPAM_BUF_INIT;
	const cJSON *t;
	cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(o, "tags"))
	{
		const char *s = nested(t, "slug", buf, sizeof buf);
		if (*s && ((tags.size && ipam__buf_put(&tags, ",", 1)) || ipam__buf_put(&tags, s, strlen(s)))) {
			ipam_buf_dispose(&tags);
			return IPAM_ENOMEM;
		}
	}
	rc = flat_add(f, "tags", tags.ptr ? tags.ptr : "", 1);
	ipam_buf_dispose(&tags);
	if (rc)
		return rc;
	cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(o, "custom_fields"))
	{
		if (cJSON_IsNull(t) || !t->string || f->n >= NB_MAXCOLS)
			continue;
		char key[128];
		snprintf(key, sizeof key, "cf_%s", t->string);
		char *val = cJSON_IsString(t) ? NULL : cJSON_PrintUnformatted(t);
		const char *s = val ? val : t->valuestring;
		char *kc = ipam__strdup(key);
		if (!kc || !s) {
			free(kc);
			cJSON_free(val);
			return IPAM_ENOMEM;
		}
		f->owned[f->nowned++] = kc;
		rc = flat_add(f, kc, s, 1);
		cJSON_free(val);
		if (rc)
			return rc;
	}
	return 0;
}

static void flat_free(nb_flat *f)
{
	for (size_t i = 0; i < f->nowned; i++)
		free(f->owned[i]);
}

int ipam__imp_netbox_json(ipam__imp_model *m, const char *file, const char *data, size_t len)
{
	const char *end = NULL;
	if (!ipam__imp_looks_json(data, len))
		return ipam__imp_netbox_csv(m, file, data, len);
	size_t off = (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) ? 3 : 0;
	cJSON *doc = cJSON_ParseWithLengthOpts(data + off, len - off, &end, 0);
	if (!doc) {
		unsigned long line = 1;
		for (const char *p = data; end && p < end && p < data + len; p++)
			line += *p == '\n';
		return ipam__error(IPAM_EINVAL, "%s:%lu: not JSON", file, line);
	}
	const cJSON *results = cJSON_GetObjectItemCaseSensitive(doc, "results");
	if (!cJSON_IsArray(results) && cJSON_IsArray(doc))
		results = doc;
	if (!cJSON_IsArray(results)) {
		cJSON_Delete(doc);
		return ipam__error(IPAM_EINVAL, "%s:1: not a NetBox API list: no \"results\" array", file);
	}
	const cJSON *next = cJSON_GetObjectItemCaseSensitive(doc, "next");
	int rc = 0;
	if (cJSON_IsString(next) && (rc = ipam__imp_note(m, "%s: the list continues at %s: give that page's file too",
	                                                 file, next->valuestring))) {
		cJSON_Delete(doc);
		return rc;
	}
	size_t count = (size_t)cJSON_GetArraySize(results);
	unsigned long *lines = result_lines(data + off, len - off, count);
	if (!lines) {
		cJSON_Delete(doc);
		return ipam__enomem();
	}
	size_t i = 0;
	const cJSON *o;
	cJSON_ArrayForEach(o, results)
	{
		nb_flat f = { 0 };
		enum nb_kind k = NB_ADDRESS;
		unsigned long line = lines[i++];
		const char *keys[NB_MAXCOLS];
		size_t nk = 0;
		for (const cJSON *c = o->child; c && nk < NB_MAXCOLS; c = c->next)
			if (c->string)
				keys[nk++] = c->string;
		if (!cJSON_IsObject(o) || kind_of(keys, nk, &k)) {
			if ((rc = ipam__imp_err(m, file, line, NULL, NULL,
			                        "results[%zu] is not a NetBox VRF, prefix, IP range or IP address", i - 1)))
				break;
			continue;
		}
		if (!(rc = flatten(&f, o, k))) {
			nb_row r = { f.keys, f.vals, f.n, file, line };
			rc = row(m, k, &r);
		}
		flat_free(&f);
		if (rc)
			break;
	}
	free(lines);
	cJSON_Delete(doc);
	return rc;
}
