/* The generic CSV importer: a mapping (JSON, see docs/import.md) names
 * what each column is, with transforms; every column it does not name is
 * kept as an attribute of that name, so no field is lost. And the
 * suggestion: a mapping guessed from the header and the first rows, for a
 * person to review before importing with it.
 *
 *   {"delimiter": ",", "object": "address", "space": "corp",
 *    "columns": {"IP": "address", "Mask": {"field": "length", "transform": "netmask"},
 *                "Owner": {"field": "attr", "name": "owner"}, "Junk": "ignore"}}
 */
#include "io/import/imp.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

enum fld {
	F_IGNORE, F_ADDRESS, F_PREFIX, F_NETWORK, F_LENGTH, F_START, F_END, F_RANGE, F_HOSTNAME, F_MAC,
	F_DESCRIPTION, F_NAME, F_SPACE, F_STATUS, F_VLAN, F_ATTR, F_N
};
static const char *const fld_names[F_N] = { "ignore",      "address", "prefix", "network", "length", "start",
	                                    "end",         "range",   "hostname", "mac",   "description", "name",
	                                    "space",       "status",  "vlan",     "attr" };

enum xf { X_NONE, X_LOWER, X_UPPER, X_NETMASK, X_SPLIT, X_BOOL, X_N };
static const char *const xf_names[X_N] = { "none", "lower", "upper", "netmask", "split", "bool" };

enum obj { O_ADDRESS, O_PREFIX, O_RANGE };

static int lookup(const char *const *names, int n, const char *s)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(names[i], s))
			return i;
	return -1;
}

/* A column's mapping entry: a string (the field) or an object. */
static int entry(const cJSON *e, enum fld *f, enum xf *x, const char **name, const char **sep)
{
	const cJSON *fv = cJSON_IsString(e) ? e : cJSON_GetObjectItemCaseSensitive(e, "field");
	const cJSON *xv = cJSON_IsObject(e) ? cJSON_GetObjectItemCaseSensitive(e, "transform") : NULL;
	const cJSON *nv = cJSON_IsObject(e) ? cJSON_GetObjectItemCaseSensitive(e, "name") : NULL;
	const cJSON *sv = cJSON_IsObject(e) ? cJSON_GetObjectItemCaseSensitive(e, "sep") : NULL;
	int fi = cJSON_IsString(fv) ? lookup(fld_names, F_N, fv->valuestring) : -1;
	int xi = xv ? (cJSON_IsString(xv) ? lookup(xf_names, X_N, xv->valuestring) : -1) : X_NONE;
	if (fi < 0 || xi < 0 || (nv && !cJSON_IsString(nv)) || (sv && (!cJSON_IsString(sv) || !*sv->valuestring)))
		return -1;
	*f = (enum fld)fi;
	*x = (enum xf)xi;
	*name = nv ? nv->valuestring : NULL;
	*sep = sv ? sv->valuestring : NULL;
	return 0;
}

/* The object the mapping describes: explicit, or from the fields it maps. */
static int object_of(const cJSON *map, enum obj *out)
{
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(map, "object"), *c;
	int has[F_N] = { 0 };
	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(map, "columns"))
	{
		enum fld f;
		enum xf x;
		const char *n, *s;
		if (!entry(c, &f, &x, &n, &s))
			has[f] = 1;
	}
	if (o) {
		static const char *const objs[] = { "address", "prefix", "range" };
		int i = cJSON_IsString(o) ? lookup(objs, 3, o->valuestring) : -1;
		if (i < 0)
			return -1;
		*out = (enum obj)i;
	} else if (has[F_RANGE] || has[F_START] || has[F_END]) {
		*out = O_RANGE;
	} else if (has[F_PREFIX] || has[F_NETWORK]) {
		*out = O_PREFIX;
	} else if (has[F_ADDRESS]) {
		*out = O_ADDRESS;
	} else {
		return -1;
	}
	return 0;
}

/* Why a column's mapping entry is refused, naming the value. */
static int entry_error(const cJSON *e)
{
	const cJSON *fv = cJSON_IsString(e) ? e : cJSON_GetObjectItemCaseSensitive(e, "field");
	const cJSON *xv = cJSON_IsObject(e) ? cJSON_GetObjectItemCaseSensitive(e, "transform") : NULL;
	const cJSON *sv = cJSON_IsObject(e) ? cJSON_GetObjectItemCaseSensitive(e, "sep") : NULL;
	if (!cJSON_IsString(fv))
		return ipam__error(IPAM_EINVAL, "mapping: column '%.100s': no field (a string, or an object with "
		                                "\"field\")",
		                   e->string);
	if (lookup(fld_names, F_N, fv->valuestring) < 0)
		return ipam__error(IPAM_EINVAL,
		                   "mapping: column '%.100s': '%.100s' is not a field (address, prefix, network, length, "
		                   "start, end, range, hostname, mac, description, name, space, status, vlan, attr, "
		                   "ignore)",
		                   e->string, fv->valuestring);
	if (xv && (!cJSON_IsString(xv) || lookup(xf_names, X_N, xv->valuestring) < 0))
		return ipam__error(IPAM_EINVAL,
		                   "mapping: column '%.100s': transform '%.100s' is not one of lower, upper, netmask, "
		                   "split, bool",
		                   e->string, cJSON_IsString(xv) ? xv->valuestring : "(not a string)");
	if (sv && (!cJSON_IsString(sv) || !*sv->valuestring))
		return ipam__error(IPAM_EINVAL, "mapping: column '%.100s': \"sep\" is not a non-empty string", e->string);
	return ipam__error(IPAM_EINVAL, "mapping: column '%.100s': \"name\" is not a string", e->string);
}

int ipam__imp_map_check(const cJSON *map)
{
	const cJSON *cols = cJSON_GetObjectItemCaseSensitive(map, "columns"), *c, *d;
	enum obj o;
	if (!cJSON_IsObject(map) || !cJSON_IsObject(cols))
		return ipam__error(IPAM_EINVAL, "mapping: an object with \"columns\": {\"COLUMN\": \"FIELD\", ...} was expected");
	cJSON_ArrayForEach(c, cols)
	{
		enum fld f;
		enum xf x;
		const char *n, *s;
		if (entry(c, &f, &x, &n, &s))
			return entry_error(c);
		if (f == F_ATTR && !n)
			return ipam__error(IPAM_EINVAL, "mapping: column '%.100s': an attr needs a \"name\"", c->string);
	}
	d = cJSON_GetObjectItemCaseSensitive(map, "delimiter");
	if (d && (!cJSON_IsString(d) || strlen(d->valuestring) != 1 || !strchr(",;\t|", d->valuestring[0])))
		return ipam__error(IPAM_EINVAL, "mapping: \"delimiter\" is one of \",\", \";\", \"\\t\", \"|\"");
	d = cJSON_GetObjectItemCaseSensitive(map, "space");
	if (d && !cJSON_IsString(d))
		return ipam__error(IPAM_EINVAL, "mapping: \"space\" is a space name");
	if (object_of(map, &o))
		return ipam__error(IPAM_EINVAL, "mapping: \"object\" is address, prefix or range, or the columns map an "
		                                "address, a prefix (or network) or a range (or start and end)");
	return 0;
}

/* ---- a row ---- */

typedef struct mrow {
	ipam_buf text[F_N]; /* joined values of the text fields */
	const char *col[F_N]; /* the first column of each field, for messages */
} mrow;

static void xform(char *v, enum xf x)
{
	for (char *p = v; *p && (x == X_LOWER || x == X_UPPER); p++)
		*p = (char)(x == X_LOWER ? tolower((unsigned char)*p) : toupper((unsigned char)*p));
}

static int put_attr(ipam__imp_item *it, const char *name, const char *v, enum xf x, const char *sep)
{
	if (!*v)
		return 0;
	if (x == X_BOOL && ipam__imp_bool(v) >= 0)
		return ipam__imp_attr(it->attrs, name, cJSON_CreateBool(ipam__imp_bool(v)));
	if (x != X_SPLIT)
		return ipam__imp_attr_str(it->attrs, name, v);
	cJSON *arr = cJSON_CreateArray();
	const char *s = sep ? sep : ",";
	size_t sl = strlen(s);
	for (const char *p = v; arr && p;) {
		const char *e = strstr(p, s);
		size_t n = e ? (size_t)(e - p) : strlen(p);
		while (n && *p == ' ')
			p++, n--;
		while (n && p[n - 1] == ' ')
			n--;
		char *w = malloc(n + 1);
		if (!w) {
			cJSON_Delete(arr);
			return ipam__enomem();
		}
		memcpy(w, p, n);
		w[n] = '\0';
		if (n && !cJSON_AddItemToArray(arr, cJSON_CreateString(w))) {
			free(w);
			cJSON_Delete(arr);
			return ipam__enomem();
		}
		free(w);
		p = e ? e + sl : NULL;
	}
	return ipam__imp_attr(it->attrs, name, arr);
}

typedef struct mctx {
	const cJSON *map;
	enum obj obj;
} mctx;

static const char *field_text(const mrow *mr, enum fld f)
{
	return mr->text[f].ptr ? mr->text[f].ptr : "";
}

static int bad_field(ipam__imp_model *m, const ipam__imp_row *r, const mrow *mr, enum fld f, const char *what)
{
	const char *col = mr->col[f] ? mr->col[f] : fld_names[f];
	return ipam__imp_err(m, r->file, r->line, col, field_text(mr, f), "%s: %s: '%.200s'", col, what, field_text(mr, f));
}

/* The prefix of a row: "a/len", or network + length. 0, -1 bad (reported). */
static int row_prefix(ipam__imp_model *m, const ipam__imp_row *r, const mrow *mr, ipam_prefix *out, int *rc)
{
	ipam_addr a;
	int len;
	enum fld f = mr->col[F_PREFIX] ? F_PREFIX : F_NETWORK;
	if (ipam__imp_addr(&a, &len, field_text(mr, f))) {
		*rc = bad_field(m, r, mr, f, "not a prefix");
		return -1;
	}
	if (len < 0) {
		char *end;
		const char *l = field_text(mr, F_LENGTH);
		long v = strtol(l, &end, 10);
		len = !*l ? -1 : !*end ? (int)v : -1;
		if (*l && *end)
			len = ipam__imp_netmask(l);
		if (len < 0 || len > (a.family == IPAM_AF_INET ? 32 : 128)) {
			*rc = bad_field(m, r, mr, F_LENGTH, "not a prefix length or netmask");
			return -1;
		}
	}
	if (ipam_prefix_from(out, &a, (unsigned)len, 0)) {
		*rc = bad_field(m, r, mr, f, "host bits set for the length");
		return -1;
	}
	return 0;
}

static int row_item(ipam__imp_model *m, const ipam__imp_row *r, const mrow *mr, enum obj obj, const char *sp,
                    ipam__imp_item **out)
{
	int rc = 0, is_new;
	const char *status = field_text(mr, F_STATUS);
	char low[64];
	snprintf(low, sizeof low, "%s", status);
	xform(low, X_LOWER);
	*out = NULL;
	if (obj == O_ADDRESS) {
		ipam_addr a;
		ipam_mac mac;
		int len;
		const char *mt = field_text(mr, F_MAC);
		if (ipam__imp_addr(&a, &len, field_text(mr, F_ADDRESS)))
			return bad_field(m, r, mr, F_ADDRESS, "not an address");
		if (*mt && ipam_mac_parse(&mac, mt))
			return bad_field(m, r, mr, F_MAC, "not a MAC address");
		if (!(*out = ipam__imp_address(m, sp, &a, *mt ? &mac : NULL, r->file, r->line)))
			return IPAM_ENOMEM;
		return ipam__imp_set(&(*out)->kind, *low ? low : "static");
	}
	if (obj == O_PREFIX) {
		ipam_prefix p;
		char key[64];
		if (row_prefix(m, r, mr, &p, &rc))
			return rc;
		ipam_prefix_format(key, sizeof key, &p);
		if (!(*out = ipam__imp_get(m, IMP_PREFIX, sp, key, r->file, r->line, &is_new)))
			return IPAM_ENOMEM;
		(*out)->prefix = p;
		return ipam__imp_set(&(*out)->kind, !strcmp(low, "container") ? "container" : "network");
	}
	char first[128], last[128];
	ipam_addr a, b;
	if (mr->col[F_RANGE]) {
		const char *s = field_text(mr, F_RANGE), *dash = strchr(s, '-');
		if (!dash || (size_t)(dash - s) >= sizeof first || strlen(dash + 1) >= sizeof last)
			return bad_field(m, r, mr, F_RANGE, "not a range 'first-last'");
		snprintf(first, sizeof first, "%.*s", (int)(dash - s), s);
		snprintf(last, sizeof last, "%s", dash + 1);
	} else {
		snprintf(first, sizeof first, "%s", field_text(mr, F_START));
		snprintf(last, sizeof last, "%s", field_text(mr, F_END));
	}
	char *f = first, *l = last;
	while (*f == ' ')
		f++;
	while (*l == ' ')
		l++;
	f[strcspn(f, " ")] = '\0';
	l[strcspn(l, " ")] = '\0';
	enum fld at = mr->col[F_RANGE] ? F_RANGE : F_START;
	if (ipam_addr_parse(&a, f))
		return bad_field(m, r, mr, at, "not an address");
	if (ipam_addr_parse(&b, l) || a.family != b.family || ipam_addr_cmp(&a, &b) > 0)
		return bad_field(m, r, mr, mr->col[F_RANGE] ? F_RANGE : F_END, "not an address at or after the start");
	if (!(*out = ipam__imp_range(m, sp, &a, &b, r->file, r->line)))
		return IPAM_ENOMEM;
	return ipam__imp_set(&(*out)->kind, !strcmp(low, "reserved") ? "reserved" : "dhcp");
}

static int map_row(ipam__imp_model *m, const ipam__imp_row *r, void *ctx)
{
	mctx *c = ctx;
	const cJSON *cols = cJSON_GetObjectItemCaseSensitive(c->map, "columns");
	mrow mr;
	int rc = 0;
	memset(&mr, 0, sizeof mr);
	/* the text fields first (several columns of one field are joined) */
	for (size_t i = 0; i < r->n && !rc; i++) {
		const cJSON *e = cJSON_GetObjectItemCaseSensitive(cols, r->keys[i]);
		enum fld f;
		enum xf x;
		const char *name, *sep;
		if (!e || entry(e, &f, &x, &name, &sep) || f == F_ATTR || f == F_IGNORE)
			continue;
		char *v = ipam__strdup(r->vals[i]);
		if (!v)
			return IPAM_ENOMEM;
		xform(v, x);
		if (x == X_NETMASK && *v) {
			int l = ipam__imp_netmask(v);
			if (l >= 0)
				snprintf(v, strlen(v) + 1, "%d", l);
		}
		if (!mr.col[f])
			mr.col[f] = r->keys[i];
		if (*v)
			rc = ipam__buf_printf(&mr.text[f], "%s%s", mr.text[f].size ? (sep ? sep : " ") : "", v);
		free(v);
	}
	const cJSON *fixed = cJSON_GetObjectItemCaseSensitive(c->map, "space");
	const char *sp = *field_text(&mr, F_SPACE) ? field_text(&mr, F_SPACE) : fixed ? fixed->valuestring : NULL;
	ipam__imp_item *it = NULL;
	if (!rc)
		rc = row_item(m, r, &mr, c->obj, sp, &it);
	if (!rc && it && sp) {
		int is_new;
		ipam__imp_item *s = ipam__imp_get(m, IMP_SPACE, NULL, sp, r->file, r->line, &is_new);
		rc = !s ? IPAM_ENOMEM : is_new ? ipam__imp_set(&s->name, sp) : 0;
	}
	if (!rc && it) {
		const char *vl = field_text(&mr, F_VLAN);
		char *end;
		long vlan = strtol(vl, &end, 10);
		if (*vl && (*end || vlan < 1 || vlan > 4094))
			rc = bad_field(m, r, &mr, F_VLAN, "not a VLAN number (1-4094)");
		else if (*vl && c->obj == O_PREFIX)
			it->vlan = vlan;
		else
			rc = ipam__imp_attr_str(it->attrs, "vlan", vl);
		rc = rc ? rc : ipam__imp_set(&it->description, field_text(&mr, F_DESCRIPTION));
		rc = rc ? rc : ipam__imp_set(&it->name, field_text(&mr, F_NAME));
		rc = rc ? rc : ipam__imp_attr_str(it->attrs, "status", field_text(&mr, F_STATUS));
		if (!rc && c->obj == O_ADDRESS)
			rc = ipam__imp_set(&it->hostname, field_text(&mr, F_HOSTNAME));
		else if (!rc)
			rc = ipam__imp_attr_str(it->attrs, "hostname", field_text(&mr, F_HOSTNAME));
	}
	/* a field the object has no place for is an attribute of its column */
	static const enum fld placed[][6] = {
		[O_ADDRESS] = { F_PREFIX, F_NETWORK, F_LENGTH, F_START, F_END, F_RANGE },
		[O_PREFIX] = { F_ADDRESS, F_START, F_END, F_RANGE, F_MAC, F_IGNORE },
		[O_RANGE] = { F_ADDRESS, F_PREFIX, F_NETWORK, F_LENGTH, F_MAC, F_IGNORE },
	};
	for (int k = 0; k < 6 && !rc && it; k++) {
		enum fld f = placed[c->obj][k];
		if (f != F_IGNORE && mr.col[f])
			rc = ipam__imp_attr_str(it->attrs, mr.col[f], field_text(&mr, f));
	}
	/* attributes: the attr columns, and every column the mapping does not name */
	for (size_t i = 0; i < r->n && !rc && it; i++) {
		const cJSON *e = cJSON_GetObjectItemCaseSensitive(cols, r->keys[i]);
		enum fld f = F_ATTR;
		enum xf x = X_NONE;
		const char *name = r->keys[i], *sep = NULL;
		if (e && entry(e, &f, &x, &name, &sep))
			continue;
		if (f == F_ATTR)
			rc = put_attr(it, name, r->vals[i], x, sep);
	}
	if (!rc && it)
		m->rows++;
	for (int f = 0; f < F_N; f++)
		ipam_buf_dispose(&mr.text[f]);
	return rc;
}

int ipam__imp_mapped_csv(ipam__imp_model *m, const char *file, const char *data, size_t len)
{
	if (!m->map)
		return ipam__error(IPAM_EINVAL, "%s: the csv format needs a mapping (ipamctl import csv --map FILE; "
		                                "ipamctl import suggest FILE writes one to review)",
		                   file);
	mctx c = { m->map, O_ADDRESS };
	if (object_of(m->map, &c.obj))
		return ipam__error(IPAM_EINVAL, "mapping: no object");
	const cJSON *d = cJSON_GetObjectItemCaseSensitive(m->map, "delimiter");
	char delim = cJSON_IsString(d) ? d->valuestring[0] : ipam__csv_sniff(data, len);
	return ipam__imp_csv_rows(m, file, data, len, delim, "mapped CSV", NULL, map_row, &c);
}

/* ---- suggest ---- */

#define SUGGEST_ROWS 20

/* What the values of one column look like: counts over the sample. */
typedef struct colstat {
	int n, addr, prefix, mask, len, mac, range, host, num, boolean;
} colstat;

static int has_word(const char *h, const char *const *words)
{
	for (size_t i = 0; words[i]; i++)
		if (strstr(h, words[i]))
			return 1;
	return 0;
}

static void observe(colstat *s, const char *v)
{
	ipam_addr a;
	ipam_mac mac;
	int len;
	char *end;
	if (!*v)
		return;
	s->n++;
	if (!ipam__imp_addr(&a, &len, v)) {
		if (len >= 0)
			s->prefix++;
		else if (ipam__imp_netmask(v) >= 0 && strchr(v, '.') && strncmp(v, "0.", 2))
			s->mask++;
		else
			s->addr++;
	}
	if (!ipam_mac_parse(&mac, v) && strlen(v) >= 12)
		s->mac++;
	const char *dash = strchr(v, '-');
	if (dash) {
		char f[128];
		snprintf(f, sizeof f, "%.*s", (int)(dash - v), v);
		char *t = f + strlen(f);
		while (t > f && t[-1] == ' ')
			*--t = '\0';
		const char *l = dash + 1;
		while (*l == ' ')
			l++;
		if (!ipam_addr_parse(&a, f) && !ipam_addr_parse(&a, l))
			s->range++;
	}
	long x = strtol(v, &end, 10);
	if (!*end) {
		s->num++;
		if (x >= 0 && x <= 128)
			s->len++;
	}
	if (ipam__imp_bool(v) >= 0 && !s->num)
		s->boolean++;
	if (strchr(v, '.') && !strchr(v, ' ') && isalpha((unsigned char)v[0]))
		s->host++;
}

/* The field for a column, and why. */
static const char *guess(const char *header, const colstat *s, const char **xf, const char **why)
{
	char h[128];
	snprintf(h, sizeof h, "%s", header);
	xform(h, X_LOWER);
	static const char *const w_mask[] = { "mask", "netmask", NULL }, *const w_len[] = { "len", "cidr", "bits", NULL },
	                         *const w_host[] = { "host", "fqdn", "dns", NULL },
	                         *const w_desc[] = { "desc", "comment", "note", "remark", NULL },
	                         *const w_space[] = { "vrf", "space", "view", NULL }, *const w_vlan[] = { "vlan", NULL },
	                         *const w_status[] = { "status", "state", NULL },
	                         *const w_start[] = { "start", "first", "from", "begin", NULL },
	                         *const w_end[] = { "end", "last", "to", NULL }, *const w_name[] = { "name", NULL };
	/* most of the sample values: bad rows must not hide a column's kind */
#define MOST(k) (s->n > 0 && (k) * 2 > s->n)
	int all = s->n > 0;
	*xf = NULL;
	if (MOST(s->prefix))
		return *why = "most sample values are prefixes", "prefix";
	if (MOST(s->range))
		return *why = "most sample values are 'first-last'", "range";
	if (MOST(s->mask)) {
		*xf = "netmask";
		return *why = "most sample values are dotted netmasks", "length";
	}
	if (MOST(s->mac))
		return *why = "most sample values are MAC addresses", "mac";
	if (MOST(s->addr)) {
		if (has_word(h, w_start))
			return *why = "addresses, and the header says start", "start";
		if (has_word(h, w_end))
			return *why = "addresses, and the header says end", "end";
		if (has_word(h, (const char *const[]){ "net", "subnet", NULL }))
			return *why = "addresses, and the header says network", "network";
		return *why = "most sample values are addresses", "address";
	}
	if (MOST(s->len) && (has_word(h, w_len) || has_word(h, w_mask)))
		return *why = "numbers 0-128, and the header says length", "length";
	if (has_word(h, w_vlan) && (!all || s->num == s->n))
		return *why = "the header says VLAN", "vlan";
	if (has_word(h, w_host) && (!all || s->host * 2 >= s->n))
		return *why = "the header says host name", "hostname";
	if (has_word(h, w_desc))
		return *why = "the header says description", "description";
	if (has_word(h, w_space))
		return *why = "the header says VRF or space", "space";
	if (has_word(h, w_status))
		return *why = "the header says status", "status";
	if (!strcmp(h, "name") || (has_word(h, w_name) && all && s->host * 2 >= s->n))
		return *why = all && s->host * 2 >= s->n ? "host names under a name header" : "the header says name",
		       all && s->host * 2 >= s->n ? "hostname" : "name";
	if (all && s->boolean == s->n)
		*xf = "bool";
	return *why = "not recognised: kept as an attribute", "attr";
#undef MOST
}

int ipam__imp_suggest(ipam_buf *out, const char *name, const char *data, size_t len)
{
	ipam__csv c;
	char delim = ipam__csv_sniff(data, len);
	int rc = ipam__imp_utf8(name, data, len);
	if (rc)
		return rc;
	ipam__csv_init(&c, data, len, delim);
	if ((rc = ipam__csv_next(&c)) <= 0) {
		ipam__csv_dispose(&c);
		return rc < 0 ? ipam__imp_in_file(rc, name) : ipam__error(IPAM_EINVAL, "%s: empty file: no header", name);
	}
	size_t n = c.nfields;
	char **hdr = calloc(n, sizeof *hdr);
	colstat *st = calloc(n, sizeof *st);
	cJSON *root = cJSON_CreateObject(), *cols = NULL, *review = NULL;
	rc = hdr && st && root ? 0 : ipam__enomem();
	for (size_t i = 0; i < n && !rc; i++)
		if (!(hdr[i] = ipam__strdup(c.fields[i])))
			rc = IPAM_ENOMEM;
	for (int k = 0; k < SUGGEST_ROWS && !rc && (rc = ipam__csv_next(&c)) == 1; k++, rc = 0)
		for (size_t i = 0; i < n && i < c.nfields; i++)
			observe(&st[i], c.fields[i]);
	if (rc < 0 && rc != IPAM_ENOMEM)
		rc = ipam__imp_in_file(rc, name);
	else if (rc == 1)
		rc = 0;
	char d[2] = { delim, 0 };
	if (!rc && (!cJSON_AddStringToObject(root, "delimiter", d) || !(cols = cJSON_AddObjectToObject(root, "columns")) ||
	            !(review = cJSON_AddArrayToObject(root, "review"))))
		rc = ipam__enomem();
	int seen[F_N] = { 0 };
	for (size_t i = 0; i < n && !rc; i++) {
		const char *xf, *why, *f = guess(hdr[i], &st[i], &xf, &why);
		int fi = lookup(fld_names, F_N, f);
		char note[400];
		/* a field taken twice: the second is an attribute */
		if (fi != F_ATTR && fi != F_DESCRIPTION && seen[fi]++) {
			f = "attr";
			xf = NULL;
			why = "a second column of a field already taken: kept as an attribute";
		}
		cJSON *e = cJSON_CreateObject();
		char an[128];
		snprintf(an, sizeof an, "%s", hdr[i]);
		for (char *p = an; *p; p++)
			*p = isalnum((unsigned char)*p) ? (char)tolower((unsigned char)*p) : '_';
		if (!e || !cJSON_AddItemToObject(cols, hdr[i], e) || !cJSON_AddStringToObject(e, "field", f) ||
		    (xf && !cJSON_AddStringToObject(e, "transform", xf)) ||
		    (!strcmp(f, "attr") && !cJSON_AddStringToObject(e, "name", an))) {
			if (e && !cJSON_GetObjectItemCaseSensitive(cols, hdr[i]))
				cJSON_Delete(e);
			rc = ipam__enomem();
			break;
		}
		snprintf(note, sizeof note, "column '%.100s': %s (%d sample values)", hdr[i], why, st[i].n);
		if (!cJSON_AddItemToArray(review, cJSON_CreateString(note)))
			rc = ipam__enomem();
	}
	enum obj o;
	if (!rc && object_of(root, &o) &&
	    !cJSON_AddItemToArray(review, cJSON_CreateString("no column looks like an address, a prefix or a range: "
	                                                     "set one column's field before importing")))
		rc = ipam__enomem();
	if (!rc) {
		char *s = cJSON_Print(root);
		rc = s ? ipam__buf_printf(out, "%s\n", s) : ipam__enomem();
		cJSON_free(s);
	}
	for (size_t i = 0; hdr && i < n; i++)
		free(hdr[i]);
	free(hdr);
	free(st);
	cJSON_Delete(root);
	ipam__csv_dispose(&c);
	return rc;
}
