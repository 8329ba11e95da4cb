/* Output: results as JSON lines or aligned human text, and errors.
 *
 * A command builds one cJSON object per result; JSON modes print it, human
 * mode renders it as a row of a table by its kind. So the two outputs cannot
 * drift apart. In batch mode a list is collected and printed as one line
 * {"items": [...]}; with --json it streams, one object per line. */
#include "ipamctl.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* ---- errors ---- */

__attribute__((format(printf, 3, 0))) static void set_error(struct ctl *c, const char *code, const char *fmt,
                                                              va_list ap)
{
	snprintf(c->err_code, sizeof c->err_code, "%s", code);
	vsnprintf(c->err_msg, sizeof c->err_msg, fmt, ap);
}

int fail_lib(struct ctl *c, int rc, const char *context)
{
	const ipam_error *e = ipam_error_last();
	const char *msg = e && e->message ? e->message : "unknown error";
	snprintf(c->err_code, sizeof c->err_code, "%s", ipam_error_name(rc));
	if (context)
		snprintf(c->err_msg, sizeof c->err_msg, "%s: %s", context, msg);
	else
		snprintf(c->err_msg, sizeof c->err_msg, "%s", msg);
	return ST_ERROR;
}

int fail_inval(struct ctl *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	set_error(c, "INVAL", fmt, ap);
	va_end(ap);
	return ST_ERROR;
}

int fail_usage(struct ctl *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	set_error(c, "USAGE", fmt, ap);
	va_end(ap);
	return ST_USAGE;
}

int fail_as(struct ctl *c, const char *code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	set_error(c, code, fmt, ap);
	va_end(ap);
	return ST_ERROR;
}

int fail_nomem(struct ctl *c)
{
	snprintf(c->err_code, sizeof c->err_code, "NOMEM");
	snprintf(c->err_msg, sizeof c->err_msg, "out of memory");
	return ST_ERROR;
}

static void print_json(struct ctl *c, cJSON *obj)
{
	char *s = cJSON_PrintUnformatted(obj);
	if (s) {
		fputs(s, c->out);
		putc('\n', c->out);
		free(s);
	} else {
		fputs("{\"error\":{\"code\":\"NOMEM\",\"message\":\"out of memory\"}}\n", c->out);
	}
}

void out_error(struct ctl *c, int status)
{
	if (c->json && (c->batch || status != ST_USAGE)) {
		cJSON *obj = cJSON_CreateObject();
		cJSON *err = cJSON_AddObjectToObject(obj, "error");
		if (err && json_str(err, "code", c->err_code) && json_str(err, "message", c->err_msg) &&
		    (!c->batch || cJSON_AddNumberToObject(obj, "line", (double)c->line)) &&
		    (!c->atomic || cJSON_AddBoolToObject(obj, "rolled_back", 1))) {
			print_json(c, obj);
		} else {
			fputs("{\"error\":{\"code\":\"NOMEM\",\"message\":\"out of memory\"}}\n", c->out);
		}
		cJSON_Delete(obj);
		return;
	}
	fflush(c->out);
	fprintf(stderr, "ipamctl: error: %s\n", c->err_msg);
	if (status == ST_USAGE) {
		if (c->cmd)
			fprintf(stderr, "usage: ipamctl [GLOBAL OPTIONS] %s\n", c->cmd->synopsis);
		else
			fprintf(stderr, "Run 'ipamctl --help' for the list of commands.\n");
	}
}

/* ---- JSON values ---- */

/* The length of the valid UTF-8 sequence at p, or 0 when it is not one. */
static size_t utf8_seq(const unsigned char *p)
{
	unsigned char b = p[0];
	size_t k = b < 0x80 ? 1 : (b & 0xE0) == 0xC0 ? 2 : (b & 0xF0) == 0xE0 ? 3 : (b & 0xF8) == 0xF0 ? 4 : 0;
	if (k == 0 || (k == 2 && b < 0xC2) || (k == 4 && b > 0xF4))
		return 0;
	for (size_t j = 1; j < k; j++)
		if ((p[j] & 0xC0) != 0x80) /* also stops at the NUL */
			return 0;
	if (k == 3) {
		unsigned int cp = ((b & 0x0Fu) << 12) | ((p[1] & 0x3Fu) << 6);
		if (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))
			return 0;
	}
	if (k == 4) {
		unsigned int cp = ((b & 0x07u) << 18) | ((p[1] & 0x3Fu) << 12);
		if (cp < 0x10000 || cp > 0x10FFFF)
			return 0;
	}
	return k;
}

/* JSON strings must be valid UTF-8: s itself, or a copy with each bad byte
 * replaced by U+FFFD (*copy is then set; free it). NULL when out of memory. */
static const char *utf8_clean(const char *s, char **copy)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t bad = 0, n = 0;
	*copy = NULL;
	while (p[n]) {
		size_t k = utf8_seq(p + n);
		bad += k == 0;
		n += k ? k : 1;
	}
	if (!bad)
		return s;
	char *d = malloc(n + 2 * bad + 1);
	if (!d)
		return NULL;
	size_t o = 0;
	for (size_t i = 0; i < n;) {
		size_t k = utf8_seq(p + i);
		if (k) {
			memcpy(d + o, p + i, k);
			o += k;
			i += k;
		} else {
			memcpy(d + o, "\xEF\xBF\xBD", 3);
			o += 3;
			i++;
		}
	}
	d[o] = '\0';
	*copy = d;
	return d;
}

bool json_str(cJSON *obj, const char *key, const char *s)
{
	if (!s)
		return cJSON_AddNullToObject(obj, key) != NULL;
	char *copy;
	const char *clean = utf8_clean(s, &copy);
	if (!clean)
		return false;
	bool ok = cJSON_AddStringToObject(obj, key, clean) != NULL;
	free(copy);
	return ok;
}

bool json_u128(cJSON *obj, const char *key, ipam_u128 v)
{
	char buf[48];
	if (ipam_u128_format(buf, sizeof buf, v) < 0)
		return false;
	/* JSON numbers are exact in every common parser only below 2^53. */
	cJSON *item = (v.hi == 0 && v.lo < (UINT64_C(1) << 53)) ? cJSON_CreateRaw(buf) : cJSON_CreateString(buf);
	if (!item)
		return false;
	return cJSON_AddItemToObject(obj, key, item);
}

bool json_attrs(cJSON *obj, const char *key, const char *text)
{
	cJSON *item;
	if (!text || strcmp(text, "{}") == 0) {
		item = cJSON_CreateObject();
	} else {
		const char *end = NULL;
		item = cJSON_ParseWithOpts(text, &end, 1);
		if (!item) /* not JSON after all: keep the text rather than lose it */
			return json_str(obj, key, text);
	}
	if (!item)
		return false;
	return cJSON_AddItemToObject(obj, key, item);
}

bool json_addr(cJSON *obj, const char *key, const ipam_addr *a)
{
	char buf[IPAM_ADDR_STRLEN];
	if (!a || ipam_addr_format(buf, sizeof buf, a) < 0)
		return cJSON_AddNullToObject(obj, key) != NULL;
	return cJSON_AddStringToObject(obj, key, buf) != NULL;
}

bool json_prefix(cJSON *obj, const char *key, const ipam_prefix *p)
{
	char buf[IPAM_PREFIX_STRLEN];
	if (!p || ipam_prefix_format(buf, sizeof buf, p) < 0)
		return cJSON_AddNullToObject(obj, key) != NULL;
	return cJSON_AddStringToObject(obj, key, buf) != NULL;
}

bool json_hex(cJSON *obj, const char *key, const unsigned char *bytes, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	char buf[129];
	if (2 * n + 1 > sizeof buf)
		return false;
	for (size_t i = 0; i < n; i++) {
		buf[2 * i] = digits[bytes[i] >> 4];
		buf[2 * i + 1] = digits[bytes[i] & 15];
	}
	buf[2 * n] = '\0';
	return cJSON_AddStringToObject(obj, key, buf) != NULL;
}

static cJSON *done(cJSON *obj, bool ok)
{
	if (ok)
		return obj;
	cJSON_Delete(obj);
	return NULL;
}

cJSON *json_space(const ipam_space_info *s)
{
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return NULL;
	return done(o, json_str(o, "space", s->name) && json_attrs(o, "labels", s->labels_json));
}

cJSON *json_prefix_info(const ipam_prefix_info *p)
{
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return NULL;
	bool ok = json_prefix(o, "prefix", &p->prefix) && json_str(o, "space", p->space) &&
	          json_str(o, "status", ipam_status_name(p->status)) &&
	          cJSON_AddBoolToObject(o, "pool", p->pool != 0) && json_str(o, "description", p->description) &&
	          json_attrs(o, "attrs", p->attrs_json) && json_prefix(o, "parent", p->has_parent ? &p->parent : NULL) &&
	          cJSON_AddNumberToObject(o, "depth", p->depth);
	return done(o, ok);
}

cJSON *json_ip_info(const ipam_ip_info *ip)
{
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return NULL;
	bool ok = json_addr(o, "address", &ip->addr) && json_str(o, "space", ip->space) &&
	          json_prefix(o, "prefix", ip->has_prefix ? &ip->prefix : NULL) && json_str(o, "hostname", ip->hostname);
	if (ok) {
		char mac[IPAM_MAC_STRLEN];
		if (ip->has_mac && ipam_mac_format(mac, sizeof mac, &ip->mac) >= 0)
			ok = json_str(o, "mac", mac);
		else
			ok = json_str(o, "mac", NULL);
	}
	ok = ok && json_str(o, "status", ipam_status_name(ip->status)) &&
	     json_str(o, "description", ip->description) && json_attrs(o, "attrs", ip->attrs_json);
	return done(o, ok);
}

cJSON *json_range_info(const ipam_range_info *r)
{
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return NULL;
	ipam_u128 size = { 0, 0 };
	if (ipam_addr_diff(&size, &r->last, &r->first) == 0 && !(size.hi == UINT64_MAX && size.lo == UINT64_MAX)) {
		/* size = last - first + 1; the full IPv6 space reports 2^128 - 1
		 * like ipam_prefix_size() does. */
		if (++size.lo == 0)
			size.hi++;
	}
	bool ok = json_addr(o, "first", &r->first) && json_addr(o, "last", &r->last) && json_str(o, "space", r->space) &&
	          json_str(o, "purpose", ipam_range_purpose_name(r->purpose)) && json_u128(o, "size", size) &&
	          json_str(o, "description", r->description) && json_attrs(o, "attrs", r->attrs_json);
	return done(o, ok);
}

/* ---- human tables ---- */

#define MAX_COLS 8

struct table {
	char **cells; /* rows * MAX_COLS, NULL for missing */
	size_t rows, crows;
	size_t width[MAX_COLS];
};

static double jnum(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

static const char *jtext(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	if (!v)
		return NULL;
	if (cJSON_IsString(v) || cJSON_IsRaw(v))
		return v->valuestring;
	return NULL;
}

static const char *dash(const char *s)
{
	return s && *s ? s : "-";
}

static int table_row(struct table *t, const char *const cols[MAX_COLS])
{
	if (t->rows == t->crows) {
		size_t n = t->crows ? t->crows * 2 : 64;
		char **cells = realloc(t->cells, n * MAX_COLS * sizeof *cells);
		if (!cells)
			return -1;
		t->cells = cells;
		t->crows = n;
	}
	char **row = t->cells + t->rows * MAX_COLS;
	for (int i = 0; i < MAX_COLS; i++) {
		row[i] = NULL;
		if (cols[i]) {
			row[i] = strdup(cols[i]);
			if (!row[i]) {
				while (i-- > 0)
					free(row[i]);
				return -1;
			}
			size_t w = strlen(cols[i]);
			if (w > t->width[i])
				t->width[i] = w;
		}
	}
	t->rows++;
	return 0;
}

static void table_print(struct table *t, FILE *out)
{
	for (size_t r = 0; r < t->rows; r++) {
		char **row = t->cells + r * MAX_COLS;
		int last = -1;
		for (int i = 0; i < MAX_COLS; i++)
			if (row[i])
				last = i;
		for (int i = 0; i <= last; i++) {
			const char *s = row[i] ? row[i] : "";
			if (i < last)
				fprintf(out, "%-*s  ", (int)t->width[i], s);
			else
				fputs(s, out);
		}
		putc('\n', out);
	}
}

static void table_free(struct table *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->rows * MAX_COLS; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t);
}

static char *labels_text(const cJSON *labels)
{
	size_t n = 1;
	const cJSON *it;
	cJSON_ArrayForEach(it, labels)
	{
		if (it->string)
			n += strlen(it->string) + 2 + (cJSON_IsString(it) ? strlen(it->valuestring) : 0);
	}
	char *s = malloc(n);
	if (!s)
		return NULL;
	size_t o = 0;
	cJSON_ArrayForEach(it, labels)
	{
		if (!it->string)
			continue;
		o += (size_t)sprintf(s + o, "%s%s=%s", o ? "," : "", it->string, cJSON_IsString(it) ? it->valuestring : "");
	}
	s[o] = '\0';
	return s;
}

/* The cells of one item. Returns -1 when out of memory. */
static int render(struct table *t, enum kind k, const cJSON *o)
{
	const char *cols[MAX_COLS] = { 0 };
	char buf[IPAM_PREFIX_STRLEN + 300];
	char *tmp = NULL;
	int rc;

	switch (k) {
	case K_SPACE:
		tmp = labels_text(cJSON_GetObjectItemCaseSensitive(o, "labels"));
		if (!tmp)
			return -1;
		cols[0] = jtext(o, "space");
		cols[1] = tmp[0] ? tmp : NULL;
		break;
	case K_PREFIX:
	case K_FIND: {
		const cJSON *d = cJSON_GetObjectItemCaseSensitive(o, "depth");
		int depth = cJSON_IsNumber(d) ? d->valueint : 0;
		int i = 0;
		if (depth > 100)
			depth = 100;
		if (k == K_FIND)
			cols[i++] = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "longest_match")) ? "*" : " ";
		snprintf(buf, sizeof buf, "%*s%s", 2 * depth, "", dash(jtext(o, "prefix")));
		cols[i++] = buf;
		cols[i++] = dash(jtext(o, "status"));
		cols[i++] = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "pool")) ? "pool" : "-";
		cols[i++] = jtext(o, "description");
		break;
	}
	case K_IP:
		cols[0] = dash(jtext(o, "address"));
		cols[1] = dash(jtext(o, "status"));
		cols[2] = dash(jtext(o, "hostname"));
		cols[3] = dash(jtext(o, "mac"));
		cols[4] = dash(jtext(o, "prefix"));
		cols[5] = jtext(o, "description");
		break;
	case K_RANGE:
		cols[0] = dash(jtext(o, "first"));
		cols[1] = dash(jtext(o, "last"));
		cols[2] = dash(jtext(o, "purpose"));
		cols[3] = dash(jtext(o, "size"));
		cols[4] = jtext(o, "description");
		break;
	case K_UTIL: {
		const cJSON *pct = cJSON_GetObjectItemCaseSensitive(o, "used_percent");
		const char *f64 = jtext(o, "free_64s");
		int n = snprintf(buf, sizeof buf, "%s  total %s  used %s (%.2f%%)  free %s", dash(jtext(o, "cidr")),
		                 dash(jtext(o, "total")), dash(jtext(o, "used")), cJSON_IsNumber(pct) ? pct->valuedouble : 0.0,
		                 dash(jtext(o, "free")));
		if (f64 && n > 0 && (size_t)n < sizeof buf)
			snprintf(buf + n, sizeof buf - (size_t)n, "  free /64s %s", f64);
		cols[0] = buf;
		break;
	}
	case K_AUDIT:
		cols[0] = dash(jtext(o, "seq"));
		cols[1] = dash(jtext(o, "time"));
		cols[2] = dash(jtext(o, "actor"));
		cols[3] = dash(jtext(o, "action"));
		cols[4] = dash(jtext(o, "object"));
		break;
	case K_ZONE: {
		char serial[24];
		snprintf(serial, sizeof serial, "%.0f", jnum(o, "serial"));
		cols[0] = dash(jtext(o, "zone"));
		cols[1] = dash(jtext(o, "view"));
		cols[2] = dash(jtext(o, "space"));
		cols[3] = serial;
		snprintf(buf, sizeof buf, "%.0f hand, %.0f derived", jnum(o, "hand_records"), jnum(o, "derived_records"));
		cols[4] = buf;
		rc = table_row(t, cols);
		return rc;
	}
	case K_SERVER:
		cols[0] = dash(jtext(o, "name"));
		cols[1] = dash(jtext(o, "dns"));
		cols[2] = jtext(o, "url") ? jtext(o, "url") : dash(jtext(o, "address"));
		if (jnum(o, "port") > 0) {
			snprintf(buf, sizeof buf, "%.0f", jnum(o, "port"));
			cols[3] = buf;
		}
		cols[4] = jtext(o, "tsig_name");
		break;
	case K_TEXT:
	case K_NONE:
		return 0;
	}
	rc = table_row(t, cols);
	free(tmp);
	return rc;
}

/* ---- items and lists ---- */

int out_item(struct ctl *c, enum kind k, cJSON *obj, const char *human)
{
	if (!obj)
		return fail_nomem(c);
	if (c->json) {
		print_json(c, obj);
	} else if (human) {
		fputs(human, c->out);
		putc('\n', c->out);
	} else {
		struct table *t = calloc(1, sizeof *t);
		if (!t || render(t, k, obj) < 0) {
			table_free(t);
			cJSON_Delete(obj);
			return fail_nomem(c);
		}
		table_print(t, c->out);
		table_free(t);
	}
	cJSON_Delete(obj);
	return ST_OK;
}

void out_list_begin(struct ctl *c, enum kind k)
{
	c->in_list = true;
	c->list_kind = k;
	c->list_items = NULL;
	c->table = NULL;
}

int out_list_add(struct ctl *c, cJSON *obj)
{
	if (!obj)
		return fail_nomem(c);
	if (c->batch) {
		if (!c->list_items && !(c->list_items = cJSON_CreateArray())) {
			cJSON_Delete(obj);
			return fail_nomem(c);
		}
		cJSON_AddItemToArray(c->list_items, obj);
		return ST_OK;
	}
	if (c->json) {
		print_json(c, obj);
		cJSON_Delete(obj);
		return ST_OK;
	}
	if (!c->table && !(c->table = calloc(1, sizeof *c->table))) {
		cJSON_Delete(obj);
		return fail_nomem(c);
	}
	int rc = render(c->table, c->list_kind, obj);
	cJSON_Delete(obj);
	return rc < 0 ? fail_nomem(c) : ST_OK;
}

void out_list_end(struct ctl *c)
{
	if (!c->in_list)
		return;
	if (c->batch) {
		cJSON *obj = cJSON_CreateObject();
		cJSON *items = c->list_items ? c->list_items : cJSON_CreateArray();
		c->list_items = NULL;
		if (obj && items && cJSON_AddItemToObject(obj, "items", items)) {
			print_json(c, obj);
		} else {
			cJSON_Delete(items);
			fputs("{\"error\":{\"code\":\"NOMEM\",\"message\":\"out of memory\"}}\n", c->out);
		}
		cJSON_Delete(obj);
	} else if (c->table) {
		table_print(c->table, c->out);
	}
	out_list_abort(c);
}

void out_list_abort(struct ctl *c)
{
	cJSON_Delete(c->list_items);
	table_free(c->table);
	c->list_items = NULL;
	c->table = NULL;
	c->in_list = false;
}

void out_text(struct ctl *c, const char *key, const char *text)
{
	if (c->json) {
		cJSON *obj = cJSON_CreateObject();
		if (obj && json_str(obj, key, text))
			print_json(c, obj);
		cJSON_Delete(obj);
	} else {
		fputs(text, c->out);
	}
}
