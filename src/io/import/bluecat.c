/* BlueCat Address Manager importEntities files, CSV or NDJSON (one JSON
 * object a line): IP4Address/IP6Address rows (addresses, a MAC, a host
 * record host_name.zone_fqdn in a DNS view with its PTR when
 * reverse_mapping is true) and IP4DHCPRange/IP6DHCPRange rows (a range
 * "a - b" or "a-b", its watermarks). BlueCat's configuration is not in the
 * file (importEntities takes it as a parameter): a "configuration" column
 * names it, else the file's name does as BAM's exports are named,
 * <anything>_<dataType>_<Configuration>.csv; otherwise the global table.
 * Every other column (user-defined fields) is an attribute, true/false as
 * booleans. One address with a MAC is a DHCP reservation; several
 * addresses with one MAC are each static (as BlueCat documents). */
#include "io/import/imp.h"

#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

typedef ipam__imp_row bc_row;
#define get ipam__imp_row_get
#define bad ipam__imp_row_bad

enum bc_kind { BC_ADDRESS, BC_RANGE };

/* The configuration a file's name gives, or NULL. */
static char *config_of_name(const char *file)
{
	static const char *const types[] = { "ip4address", "ip6address", "ip4dhcprange", "ip6dhcprange", NULL };
	const char *base = strrchr(file, '/');
	base = base ? base + 1 : file;
	const char *dot = strrchr(base, '.'), *end = dot ? dot : base + strlen(base);
	const char *us = NULL;
	for (const char *p = base; p < end; p++)
		if (*p == '_')
			us = p;
	if (!us || us + 1 == end)
		return NULL;
	const char *prev = us;
	while (prev > base && prev[-1] != '_')
		prev--;
	for (size_t i = 0; types[i]; i++)
		if (strlen(types[i]) == (size_t)(us - prev) && !strncasecmp(prev, types[i], (size_t)(us - prev)))
		{
			size_t l = (size_t)(end - us - 1);
			char *c = malloc(l + 1);
			if (c) {
				memcpy(c, us + 1, l);
				c[l] = '\0';
			}
			return c;
		}
	return NULL;
}

static int is_own(enum bc_kind k, const char *col)
{
	static const char *const own[][9] = {
		[BC_ADDRESS] = { "host_name", "addresses", "name", "zone_fqdn", "view", "reverse_mapping", "macaddress",
		                 "configuration", NULL },
		[BC_RANGE] = { "name", "range", "lowwatermark", "highwatermark", "configuration", NULL },
	};
	for (size_t i = 0; own[k][i]; i++)
		if (!strcasecmp(col, own[k][i]))
			return 1;
	return 0;
}

/* The user-defined fields: every column the kind does not read itself. */
static int udfs(ipam__imp_item *it, const bc_row *r, enum bc_kind k)
{
	int rc = 0;
	for (size_t i = 0; i < r->n && !rc; i++) {
		const char *c = r->keys[i], *v = r->vals[i];
		if (!*v || is_own(k, c))
			continue;
		if (!strcasecmp(v, "true") || !strcasecmp(v, "false"))
			rc = ipam__imp_attr(it->attrs, c, cJSON_CreateBool(!strcasecmp(v, "true")));
		else
			rc = ipam__imp_attr_str(it->attrs, c, v);
	}
	return rc;
}

/* The space item of the row's configuration (NULL: the global table). */
static int use_space(ipam__imp_model *m, const bc_row *r, const char *fconf, const char **out)
{
	int is_new;
	const char *conf = *get(r, "configuration") ? get(r, "configuration") : fconf;
	*out = conf;
	if (!conf)
		return 0;
	ipam__imp_item *s = ipam__imp_get(m, IMP_SPACE, NULL, conf, r->file, r->line, &is_new);
	if (!s)
		return IPAM_ENOMEM;
	return is_new ? ipam__imp_set(&s->name, conf) : 0;
}

/* The reverse-lookup name of an address (in-addr.arpa or ip6.arpa). */
static void reverse_name(char *out, size_t size, const ipam_addr *a)
{
	ipam_u128 v = ipam_addr_value(a);
	if (a->family == IPAM_AF_INET) {
		uint32_t x = (uint32_t)v.lo;
		snprintf(out, size, "%u.%u.%u.%u.in-addr.arpa", x & 255, (x >> 8) & 255, (x >> 16) & 255, x >> 24);
		return;
	}
	size_t n = 0;
	for (int i = 0; i < 32 && n + 2 < size; i++) {
		uint64_t w = i < 16 ? v.lo : v.hi;
		out[n++] = "0123456789abcdef"[(w >> (4 * (i % 16))) & 15];
		out[n++] = '.';
	}
	snprintf(out + n, size - n, "ip6.arpa");
}

static int record(ipam__imp_model *m, const bc_row *r, const char *view, const char *sp, const char *name,
                  const char *type, const char *data)
{
	char key[1024];
	int is_new, rc;
	snprintf(key, sizeof key, "%s %s %s", name, type, data);
	ipam__imp_item *it = ipam__imp_get(m, IMP_RECORD, view, key, r->file, r->line, &is_new);
	if (!it)
		return IPAM_ENOMEM;
	if ((rc = ipam__imp_set(&it->name, name)) || (rc = ipam__imp_set(&it->rtype, type)) ||
	    (rc = ipam__imp_set(&it->rdata, data)))
		return rc;
	return strcmp(type, "PTR") ? ipam__imp_set(&it->addr_space, sp ? sp : "default") : 0;
}

/* The addresses of a row, checked before any goes into the model. */
#define BC_MAXADDR 64

static int row_address(ipam__imp_model *m, const bc_row *r, const char *fconf)
{
	ipam_addr addrs[BC_MAXADDR];
	size_t n = 0;
	const char *list = get(r, "addresses"), *mt = get(r, "macaddress");
	char w[128];
	while (*list) {
		const char *e = strchr(list, ',');
		size_t l = e ? (size_t)(e - list) : strlen(list);
		const char *s = list;
		list += l + (e != NULL);
		while (l && *s == ' ')
			s++, l--;
		while (l && s[l - 1] == ' ')
			l--;
		if (!l)
			continue;
		if (n == BC_MAXADDR)
			return bad(m, r, "addresses", "more than 64 addresses in one row");
		if (l >= sizeof w)
			return bad(m, r, "addresses", "not an address list");
		memcpy(w, s, l);
		w[l] = '\0';
		if (ipam_addr_parse(&addrs[n++], w))
			return bad(m, r, "addresses", "not an address list");
	}
	if (!n)
		return bad(m, r, "addresses", "no address");
	ipam_mac mac;
	if (*mt && ipam_mac_parse(&mac, mt))
		return bad(m, r, "macaddress", "not a MAC address");
	int rev = 0;
	if (*get(r, "reverse_mapping") && (rev = ipam__imp_bool(get(r, "reverse_mapping"))) < 0)
		return bad(m, r, "reverse_mapping", "not true or false");
	const char *host = get(r, "host_name"), *zone = get(r, "zone_fqdn"), *view = get(r, "view");
	char fqdn[600];
	if (*host && *zone)
		snprintf(fqdn, sizeof fqdn, "%.255s.%.255s", host, zone);
	else
		snprintf(fqdn, sizeof fqdn, "%.255s", host);
	size_t fl = strlen(fqdn);
	if (fl && fqdn[fl - 1] == '.')
		fqdn[fl - 1] = '\0';
	const char *sp;
	int rc = use_space(m, r, fconf, &sp);
	for (size_t i = 0; i < n && !rc; i++) {
		char key[64], rname[128];
		ipam__imp_addr_text(key, &addrs[i]);
		ipam__imp_item *it = ipam__imp_address(m, sp, &addrs[i], *mt ? &mac : NULL, r->file, r->line);
		if (!it)
			return IPAM_ENOMEM;
		if ((rc = ipam__imp_set(&it->kind, *mt && n == 1 ? "dhcp_reservation" : "static")) ||
		    (rc = ipam__imp_set(&it->hostname, fqdn)) || (rc = ipam__imp_set(&it->name, get(r, "name"))) ||
		    (rc = udfs(it, r, BC_ADDRESS)))
			return rc;
		if (!*fqdn)
			continue;
		const char *dv = *view ? view : "default";
		rc = record(m, r, dv, sp, fqdn, addrs[i].family == IPAM_AF_INET ? "A" : "AAAA", key);
		if (!rc && rev) {
			reverse_name(rname, sizeof rname, &addrs[i]);
			rc = record(m, r, dv, sp, rname, "PTR", fqdn);
		}
	}
	if (!rc)
		m->rows++;
	return rc;
}

/* A watermark: a percentage, stored as a number. */
static int watermark(ipam__imp_model *m, const bc_row *r, ipam__imp_item *it, const char *col, int *rc)
{
	const char *v = get(r, col);
	char *end;
	if (!*v)
		return 0;
	long x = strtol(v, &end, 10);
	if (*end || x < 0 || x > 100) {
		*rc = bad(m, r, col, "not a percentage");
		return -1;
	}
	if (it)
		*rc = ipam__imp_attr(it->attrs, col, cJSON_CreateNumber((double)x));
	return 0;
}

static int row_range(ipam__imp_model *m, const bc_row *r, const char *fconf)
{
	const char *s = get(r, "range"), *dash = strchr(s, '-');
	ipam_addr a, b;
	char first[128], last[128];
	int rc = 0;
	if (!dash || (size_t)(dash - s) >= sizeof first || strlen(dash + 1) >= sizeof last)
		return bad(m, r, "range", "not a range 'first - last'");
	snprintf(first, sizeof first, "%.*s", (int)(dash - s), s);
	snprintf(last, sizeof last, "%s", dash + 1);
	char *f = first, *l = last;
	while (*f == ' ')
		f++;
	while (*l == ' ')
		l++;
	for (size_t k = strlen(f); k && f[k - 1] == ' ';)
		f[--k] = '\0';
	for (size_t k = strlen(l); k && l[k - 1] == ' ';)
		l[--k] = '\0';
	if (ipam_addr_parse(&a, f) || ipam_addr_parse(&b, l) || a.family != b.family || ipam_addr_cmp(&a, &b) > 0)
		return bad(m, r, "range", "not a range 'first - last'");
	if (watermark(m, r, NULL, "lowwatermark", &rc) || watermark(m, r, NULL, "highwatermark", &rc))
		return rc;
	const char *sp;
	if ((rc = use_space(m, r, fconf, &sp)))
		return rc;
	ipam__imp_item *it = ipam__imp_range(m, sp, &a, &b, r->file, r->line);
	if (!it)
		return IPAM_ENOMEM;
	if ((rc = ipam__imp_set(&it->kind, "dhcp")) || (rc = ipam__imp_set(&it->name, get(r, "name"))) ||
	    watermark(m, r, it, "lowwatermark", &rc) || watermark(m, r, it, "highwatermark", &rc) || rc ||
	    (rc = udfs(it, r, BC_RANGE)))
		return rc;
	m->rows++;
	return 0;
}

static int kind_of(const char *const *keys, size_t n, enum bc_kind *out)
{
	if (ipam__csv_col(keys, n, "range") >= 0)
		*out = BC_RANGE;
	else if (ipam__csv_col(keys, n, "addresses") >= 0)
		*out = BC_ADDRESS;
	else
		return -1;
	return 0;
}

static int row(ipam__imp_model *m, const bc_row *r, const char *fconf)
{
	enum bc_kind k;
	if (kind_of(r->keys, r->n, &k))
		return ipam__imp_err(m, r->file, r->line, NULL, NULL,
		                     "neither 'addresses' (IP4Address) nor 'range' (IP4DHCPRange): not a BlueCat entity");
	return k == BC_RANGE ? row_range(m, r, fconf) : row_address(m, r, fconf);
}

/* ---- NDJSON ---- */

/* One object's members as (key, text) pairs: strings as they are,
 * booleans true/false, numbers in decimal; others are refused. */
static int ndjson_line(ipam__imp_model *m, const char *file, unsigned long line, const char *s, size_t len,
                       const char *fconf)
{
	cJSON *o = cJSON_ParseWithLength(s, len);
	const cJSON *v;
	int rc = 0;
	if (!cJSON_IsObject(o)) {
		cJSON_Delete(o);
		return ipam__imp_err(m, file, line, NULL, NULL, "not a JSON object");
	}
	size_t n = (size_t)cJSON_GetArraySize(o), i = 0;
	const char **keys = calloc(n ? n : 1, sizeof *keys);
	char **vals = calloc(n ? n : 1, sizeof *vals);
	if (!keys || !vals)
		rc = ipam__enomem();
	cJSON_ArrayForEach(v, (rc ? NULL : o))
	{
		char num[64];
		const char *t = NULL;
		if (cJSON_IsString(v))
			t = v->valuestring;
		else if (cJSON_IsBool(v))
			t = cJSON_IsTrue(v) ? "true" : "false";
		else if (cJSON_IsNumber(v)) {
			snprintf(num, sizeof num, "%.17g", v->valuedouble);
			t = num;
		} else if (cJSON_IsNull(v))
			t = "";
		if (!t) {
			rc = ipam__imp_err(m, file, line, v->string, NULL, "%.100s: not a string, number or boolean",
			                   v->string);
			goto out;
		}
		keys[i] = v->string;
		if (!(vals[i++] = ipam__strdup(t))) {
			rc = IPAM_ENOMEM;
			goto out;
		}
	}
	if (!rc) {
		bc_row r = { keys, (const char *const *)vals, n, file, line };
		rc = row(m, &r, fconf);
	}
out:
	for (size_t k = 0; vals && k < n; k++)
		free(vals[k]);
	free(vals);
	free(keys);
	cJSON_Delete(o);
	return rc;
}

static int ndjson(ipam__imp_model *m, const char *file, const char *data, size_t len, const char *fconf)
{
	size_t pos = (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) ? 3 : 0;
	unsigned long line = 1;
	int rc = 0;
	while (pos < len && !rc) {
		const char *nl = memchr(data + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - data) : len, s = pos;
		while (s < end && (data[s] == ' ' || data[s] == '\t' || data[s] == '\r'))
			s++;
		if (s < end)
			rc = ndjson_line(m, file, line, data + s, end - s, fconf);
		pos = end + 1;
		line++;
	}
	return rc;
}

/* ---- CSV ---- */

static const char *header_ok(const char *const *hdr, size_t n, void *ctx)
{
	enum bc_kind k;
	(void)ctx;
	return kind_of(hdr, n, &k) ? "it names neither 'addresses' nor 'range'" : NULL;
}

static int csv_row(ipam__imp_model *m, const ipam__imp_row *r, void *ctx)
{
	return row(m, r, ctx);
}

int ipam__imp_bluecat(ipam__imp_model *m, const char *file, const char *data, size_t len)
{
	char *fconf = config_of_name(file);
	int rc = ipam__imp_looks_json(data, len)
	                 ? ndjson(m, file, data, len, fconf)
	                 : ipam__imp_csv_rows(m, file, data, len, ',', "BlueCat importEntities", header_ok, csv_row, fconf);
	free(fconf);
	return rc;
}
