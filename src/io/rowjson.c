/* The canonical JSON of a row, and the audit hash. Written for speed: the db
 * layer formats a row for every change it audits, so the output is formatted
 * by hand into a small stack buffer (no cJSON, no printf); reading goes
 * through cJSON since it only runs on import. */
#include "io/io.h"
#include "db/db.h"

#include <cjson/cJSON.h>
#include <sodium.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>

/* ---- a writer: a stack buffer flushed to the ipam_buf ------------------------ */

typedef struct jw {
	ipam_buf *out;
	int rc;
	size_t n;
	char b[1024];
} jw;

static void jw_flush(jw *w)
{
	if (w->n && !w->rc)
		w->rc = ipam__buf_put(w->out, w->b, w->n);
	w->n = 0;
}

static inline void jw_raw(jw *w, const void *s, size_t n)
{
	if (IPAM__UNLIKELY(n > sizeof w->b - w->n)) {
		jw_flush(w);
		if (n > sizeof w->b) {
			if (!w->rc)
				w->rc = ipam__buf_put(w->out, s, n);
			return;
		}
	}
	memcpy(w->b + w->n, s, n);
	w->n += n;
}

/* room for n bytes written in place: at most sizeof w->b */
static inline char *jw_room(jw *w, size_t n)
{
	if (n > sizeof w->b - w->n)
		jw_flush(w);
	return w->b + w->n;
}

#define JW_LIT(w, s) jw_raw((w), (s), sizeof(s) - 1)

static const char hexd[] = "0123456789abcdef";

/* ---- UTF-8 ----------------------------------------------------------------------- */

/* Length of the well-formed UTF-8 sequence at p (its first byte >= 0x80), or 0
 * (Unicode 15, table 3-7: no overlongs, no surrogates, nothing past U+10FFFF).
 * Never reads past a NUL: a NUL is no continuation byte. */
static size_t utf8_seq(const unsigned char *p)
{
	unsigned c = p[0];
	unsigned lo = 0x80, hi = 0xBF;
	size_t n;
	if (c >= 0xC2 && c <= 0xDF)
		n = 2;
	else if (c >= 0xE0 && c <= 0xEF) {
		n = 3;
		if (c == 0xE0)
			lo = 0xA0;
		else if (c == 0xED)
			hi = 0x9F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4;
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;
	} else
		return 0;
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xBF)
			return 0;
	return n;
}

long ipam__utf8_bad(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		if (*p < 0x80) {
			p++;
			continue;
		}
		size_t k = utf8_seq(p);
		if (!k)
			return (long)(p - (const unsigned char *)s);
		p += k;
	}
	return -1;
}

/* A JSON string. Escapes: \" \\ \b \f \n \r \t, other bytes below 0x20 as
 * \u00xx (lower-case hex, as cJSON writes them, so that attrs normalised by
 * cJSON and our own text escape alike); '/' and DEL as they are; well-formed
 * UTF-8 as it is; any other byte >= 0x80 as U+FFFD. */
static void jw_str(jw *w, const char *s)
{
	const unsigned char *p = (const unsigned char *)s, *run = p;
	jw_raw(w, "\"", 1);
	for (;;) {
		unsigned c = *p;
		if (IPAM__LIKELY(c >= 0x20 && c < 0x80 && c != '"' && c != '\\')) {
			p++;
			continue;
		}
		if (c == 0)
			break;
		jw_raw(w, run, (size_t)(p - run));
		if (c >= 0x80) {
			size_t k = utf8_seq(p);
			if (k)
				jw_raw(w, p, k);
			else
				JW_LIT(w, "\xEF\xBF\xBD");
			p += k ? k : 1;
		} else {
			char e[6] = { '\\', 0, '0', '0', 0, 0 };
			size_t en = 2;
			switch (c) {
			case '"': e[1] = '"'; break;
			case '\\': e[1] = '\\'; break;
			case '\b': e[1] = 'b'; break;
			case '\f': e[1] = 'f'; break;
			case '\n': e[1] = 'n'; break;
			case '\r': e[1] = 'r'; break;
			case '\t': e[1] = 't'; break;
			default:
				e[1] = 'u';
				e[4] = hexd[c >> 4];
				e[5] = hexd[c & 15];
				en = 6;
			}
			jw_raw(w, e, en);
			p++;
		}
		run = p;
	}
	jw_raw(w, run, (size_t)(p - run));
	jw_raw(w, "\"", 1);
}

static void jw_str_or_null(jw *w, const char *s)
{
	if (s)
		jw_str(w, s);
	else
		JW_LIT(w, "null");
}

int ipam__json_str(ipam_buf *out, const char *s)
{
	jw w;
	w.out = out;
	w.rc = 0;
	w.n = 0;
	size_t start = out->size;
	jw_str_or_null(&w, s);
	jw_flush(&w);
	if (w.rc && out->asize) {
		out->size = start;
		out->ptr[start] = '\0';
	}
	return w.rc;
}

/* ---- fixed fields ------------------------------------------------------------- */

static void jw_uuid(jw *w, const uint8_t id[16])
{
	char *o = jw_room(w, 38), *p = o;
	*p++ = '"';
	for (int i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			*p++ = '-';
		*p++ = hexd[id[i] >> 4];
		*p++ = hexd[id[i] & 15];
	}
	*p++ = '"';
	w->n += (size_t)(p - o);
}

static void jw_u64(jw *w, uint64_t v)
{
	char t[20];
	size_t n = 0;
	do {
		t[sizeof t - ++n] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	jw_raw(w, t + sizeof t - n, n);
}

/* Days since 1970-01-01 of a proleptic Gregorian date and back (H. Hinnant,
 * "chrono-Compatible Low-Level Date Algorithms"). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

#define US_PER_DAY INT64_C(86400000000)
/* years 0000..9999 */
#define TIME_MIN (INT64_C(-719528) * US_PER_DAY)
#define TIME_MAX (INT64_C(2932897) * US_PER_DAY - 1)

static void put2(char *p, unsigned v)
{
	p[0] = (char)('0' + v / 10);
	p[1] = (char)('0' + v % 10);
}

int ipam__time_format(char out[IPAM__TIME_STRLEN], int64_t us)
{
	if (us < TIME_MIN || us > TIME_MAX)
		return IPAM_EINVAL;
	int64_t days = us / US_PER_DAY, rem = us % US_PER_DAY;
	if (rem < 0) {
		rem += US_PER_DAY;
		days--;
	}
	int64_t y;
	unsigned m, d;
	civil_from_days(days, &y, &m, &d);
	unsigned secs = (unsigned)(rem / 1000000), frac = (unsigned)(rem % 1000000);
	put2(out, (unsigned)(y / 100));
	put2(out + 2, (unsigned)(y % 100));
	out[4] = '-';
	put2(out + 5, m);
	out[7] = '-';
	put2(out + 8, d);
	out[10] = 'T';
	put2(out + 11, secs / 3600);
	out[13] = ':';
	put2(out + 14, secs / 60 % 60);
	out[16] = ':';
	put2(out + 17, secs % 60);
	out[19] = '.';
	for (int i = 25; i >= 20; i--) {
		out[i] = (char)('0' + frac % 10);
		frac /= 10;
	}
	out[26] = 'Z';
	out[27] = '\0';
	return 0;
}

static int digits(const char *s, int n, unsigned *out)
{
	unsigned v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	*out = v;
	return 0;
}

const char *ipam__time_parse(int64_t *out, const char *s)
{
	static const unsigned char mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	unsigned y, mo, d, h, mi, se, frac = 0;
	if (digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) || s[7] != '-' || digits(s + 8, 2, &d))
		return "not an RFC 3339 time (YYYY-MM-DDTHH:MM:SS.ffffffZ)";
	if (s[10] != 'T' && s[10] != 't')
		return "not an RFC 3339 time: 'T' expected after the date";
	if (digits(s + 11, 2, &h) || s[13] != ':' || digits(s + 14, 2, &mi) || s[16] != ':' || digits(s + 17, 2, &se))
		return "not an RFC 3339 time (YYYY-MM-DDTHH:MM:SS.ffffffZ)";
	if (mo < 1 || mo > 12)
		return "month out of range";
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (d < 1 || d > mdays[mo - 1] || (mo == 2 && d == 29 && !leap))
		return "day out of range";
	if (h > 23 || mi > 59)
		return "hour or minute out of range";
	if (se > 59)
		return "second out of range (leap seconds are not kept)";
	const char *p = s + 19;
	if (*p == '.') {
		int n = 0;
		p++;
		while (*p >= '0' && *p <= '9') {
			if (++n > 6)
				return "more fractional digits than microseconds";
			frac = frac * 10 + (unsigned)(*p++ - '0');
		}
		if (n == 0)
			return "no digits after the decimal point";
		for (; n < 6; n++)
			frac *= 10;
	}
	int64_t off = 0;
	if (*p == 'Z' || *p == 'z')
		p++;
	else if (*p == '+' || *p == '-') {
		unsigned oh, om;
		if (digits(p + 1, 2, &oh) || p[3] != ':' || digits(p + 4, 2, &om) || oh > 23 || om > 59)
			return "bad UTC offset (Z, +hh:mm or -hh:mm)";
		off = ((int64_t)oh * 60 + om) * 60 * 1000000;
		if (*p == '-')
			off = -off;
		p += 6;
	} else
		return "no time zone (Z, +hh:mm or -hh:mm)";
	if (*p)
		return "trailing characters";
	int64_t us = days_from_civil(y, mo, d) * US_PER_DAY + ((int64_t)h * 3600 + mi * 60 + se) * 1000000 + frac - off;
	if (us < TIME_MIN || us > TIME_MAX)
		return "outside years 0000..9999 in UTC";
	*out = us;
	return NULL;
}

/* A quoted time into t (IPAM__TIME_STRLEN + 1 bytes written); 0 or IPAM_EINVAL. */
static int quoted_time(jw *w, char t[IPAM__TIME_STRLEN + 1], int64_t us)
{
	if (ipam__time_format(t + 1, us)) {
		if (!w->rc)
			w->rc = ipam__error(IPAM_EINVAL, "time %lld us is outside years 0000..9999", (long long)us);
		return IPAM_EINVAL;
	}
	t[0] = '"';
	t[IPAM__TIME_STRLEN] = '"';
	return 0;
}

static void jw_addr(jw *w, const ipam_addr *a, const char *field)
{
	char t[IPAM_ADDR_STRLEN + 2];
	int n = ipam_addr_format(t + 1, sizeof t - 1, a);
	if (n < 0) {
		if (!w->rc)
			w->rc = ipam__error(IPAM_EINVAL, "%s: address of family %u cannot be written", field, a->family);
		return;
	}
	t[0] = '"';
	t[n + 1] = '"';
	jw_raw(w, t, (size_t)n + 2);
}

static void jw_prefix(jw *w, const ipam_addr *a, unsigned len)
{
	char t[IPAM_PREFIX_STRLEN + 2];
	ipam_prefix p;
	memset(&p, 0, sizeof p);
	p.addr = *a;
	p.len = (uint8_t)len;
	int n = ipam_prefix_format(t + 1, sizeof t - 1, &p);
	if (n < 0) {
		char why[300];
		snprintf(why, sizeof why, "%s", ipam_error_last()->message);
		if (!w->rc)
			w->rc = ipam__error(IPAM_EINVAL, "prefix: cannot be written: %s", why);
		return;
	}
	t[0] = '"';
	t[n + 1] = '"';
	jw_raw(w, t, (size_t)n + 2);
}

static void jw_mac(jw *w, const uint8_t *mac, unsigned len)
{
	if (len == 0) {
		JW_LIT(w, "null");
		return;
	}
	char *o = jw_room(w, 3 * 8 + 2), *p = o;
	*p++ = '"';
	for (unsigned i = 0; i < len; i++) {
		if (i)
			*p++ = ':';
		*p++ = hexd[mac[i] >> 4];
		*p++ = hexd[mac[i] & 15];
	}
	*p++ = '"';
	w->n += (size_t)(p - o);
}

static void jw_attrs(jw *w, const char *attrs, const char *field)
{
	if (!attrs) {
		JW_LIT(w, "{}");
		return;
	}
	size_t n = strlen(attrs);
	if (n < 2 || attrs[0] != '{' || attrs[n - 1] != '}') {
		if (!w->rc)
			w->rc = ipam__error(IPAM_EINVAL, "%s: %s is not a JSON object", field, ipam__quote(attrs).s);
		return;
	}
	jw_raw(w, attrs, n);
}

static void jw_name(jw *w, const char *(*fn)(int), int v, const char *what)
{
	const char *name = fn(v);
	if (!name) {
		if (!w->rc)
			w->rc = ipam__error(IPAM_EINVAL, "%s %d is unknown", what, v);
		return;
	}
	jw_raw(w, "\"", 1);
	jw_raw(w, name, strlen(name));
	jw_raw(w, "\"", 1);
}

/* the tail every kind shares */
static void jw_tail(jw *w, const ipam_store_row *row)
{
	JW_LIT(w, ",\"version\":");
	jw_u64(w, row->version);
	char t[IPAM__TIME_STRLEN + 1];
	if (quoted_time(w, t, row->created))
		return;
	JW_LIT(w, ",\"created\":");
	jw_raw(w, t, sizeof t);
	/* a row that never changed: the same text twice */
	if (row->updated != row->created && quoted_time(w, t, row->updated))
		return;
	JW_LIT(w, ",\"updated\":");
	jw_raw(w, t, sizeof t);
	JW_LIT(w, "}");
}

static void jw_head(jw *w, const ipam_store_row *row, const char *space_name)
{
	JW_LIT(w, "{\"id\":");
	jw_uuid(w, row->id);
	JW_LIT(w, ",\"tenant\":");
	jw_uuid(w, row->tenant);
	JW_LIT(w, ",\"space\":");
	jw_str(w, space_name);
}

static const char *const object_kinds[IPAM_STORE_KIND_MAX - IPAM_STORE_OBJECT_MIN + 1] = {
	"zone", "record", "server", "credential", "template", "scope", "option_set", "state", "observation",
};

const char *ipam__object_kind_name(unsigned kind)
{
	return IPAM_STORE_IS_OBJECT(kind) ? object_kinds[kind - IPAM_STORE_OBJECT_MIN] : "row";
}

unsigned ipam__object_kind_parse(const char *name)
{
	for (unsigned k = IPAM_STORE_OBJECT_MIN; name && k <= IPAM_STORE_KIND_MAX; k++)
		if (strcmp(object_kinds[k - IPAM_STORE_OBJECT_MIN], name) == 0)
			return k;
	return 0;
}

int ipam__row_to_json(ipam_buf *out, const ipam_store_row *row, const char *space_name)
{
	jw w;
	w.out = out;
	w.rc = 0;
	w.n = 0;
	size_t start = out->size;
	switch (row->kind) {
	case IPAM_STORE_TENANT:
		JW_LIT(&w, "{\"id\":");
		jw_uuid(&w, row->id);
		JW_LIT(&w, ",\"name\":");
		jw_str_or_null(&w, row->name);
		JW_LIT(&w, ",\"attrs\":");
		jw_attrs(&w, row->attrs, "attrs");
		break;
	case IPAM_STORE_SPACE:
		JW_LIT(&w, "{\"id\":");
		jw_uuid(&w, row->id);
		JW_LIT(&w, ",\"tenant\":");
		jw_uuid(&w, row->tenant);
		JW_LIT(&w, ",\"name\":");
		jw_str_or_null(&w, row->name);
		JW_LIT(&w, ",\"labels\":");
		jw_attrs(&w, row->attrs, "labels");
		break;
	case IPAM_STORE_PREFIX:
		if (!space_name)
			goto no_space;
		jw_head(&w, row, space_name);
		JW_LIT(&w, ",\"prefix\":");
		jw_prefix(&w, &row->addr, row->len);
		JW_LIT(&w, ",\"status\":");
		jw_name(&w, ipam_status_name, row->status, "status");
		if (row->pool)
			JW_LIT(&w, ",\"pool\":true,\"description\":");
		else
			JW_LIT(&w, ",\"pool\":false,\"description\":");
		jw_str_or_null(&w, row->description);
		JW_LIT(&w, ",\"attrs\":");
		jw_attrs(&w, row->attrs, "attrs");
		break;
	case IPAM_STORE_RANGE:
		if (!space_name)
			goto no_space;
		jw_head(&w, row, space_name);
		JW_LIT(&w, ",\"first\":");
		jw_addr(&w, &row->addr, "first");
		JW_LIT(&w, ",\"last\":");
		jw_addr(&w, &row->last, "last");
		JW_LIT(&w, ",\"purpose\":");
		jw_name(&w, ipam_range_purpose_name, row->purpose, "purpose");
		JW_LIT(&w, ",\"description\":");
		jw_str_or_null(&w, row->description);
		JW_LIT(&w, ",\"attrs\":");
		jw_attrs(&w, row->attrs, "attrs");
		break;
	case IPAM_STORE_ADDRESS:
		if (!space_name)
			goto no_space;
		if (row->maclen != 0 && row->maclen != 6 && row->maclen != 8)
			return ipam__error(IPAM_EINVAL, "address row: MAC length %u", row->maclen);
		jw_head(&w, row, space_name);
		JW_LIT(&w, ",\"address\":");
		jw_addr(&w, &row->addr, "address");
		JW_LIT(&w, ",\"status\":");
		jw_name(&w, ipam_status_name, row->status, "status");
		JW_LIT(&w, ",\"hostname\":");
		jw_str_or_null(&w, row->name);
		JW_LIT(&w, ",\"mac\":");
		jw_mac(&w, row->mac, row->maclen);
		JW_LIT(&w, ",\"description\":");
		jw_str_or_null(&w, row->description);
		JW_LIT(&w, ",\"attrs\":");
		jw_attrs(&w, row->attrs, "attrs");
		break;
	default:
		if (!IPAM_STORE_IS_OBJECT(row->kind))
			return ipam__error(IPAM_EINVAL, "row of unknown kind %u", row->kind);
		JW_LIT(&w, "{\"id\":");
		jw_uuid(&w, row->id);
		JW_LIT(&w, ",\"tenant\":");
		jw_uuid(&w, row->tenant);
		JW_LIT(&w, ",\"kind\":");
		jw_str(&w, ipam__object_kind_name(row->kind));
		JW_LIT(&w, ",\"parent\":");
		jw_uuid(&w, row->space);
		JW_LIT(&w, ",\"name\":");
		jw_str_or_null(&w, row->name);
		JW_LIT(&w, ",\"description\":");
		jw_str_or_null(&w, row->description);
		JW_LIT(&w, ",\"attrs\":");
		jw_attrs(&w, row->attrs, "attrs");
		break;
	}
	jw_tail(&w, row);
	jw_flush(&w);
	if (w.rc) {
		if (out->asize) {
			out->size = start;
			out->ptr[start] = '\0';
		}
		return w.rc;
	}
	return 0;
no_space:
	return ipam__error(IPAM_EINVAL, "row of kind %u: no space name", row->kind);
}

/* ---- messages -------------------------------------------------------------------- */

ipam__qtxt ipam__quote(const char *s)
{
	ipam__qtxt q;
	char *p = q.s;
	if (!s) {
		memcpy(q.s, "null", 5);
		return q;
	}
	*p++ = '"';
	size_t i = 0;
	for (; s[i] && i < 48; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f || c == '"' || c == '\\') {
			*p++ = '\\';
			*p++ = 'x';
			*p++ = hexd[c >> 4];
			*p++ = hexd[c & 15];
		} else
			*p++ = (char)c;
	}
	if (s[i]) {
		memcpy(p, "...", 3);
		p += 3;
	}
	*p++ = '"';
	*p = '\0';
	return q;
}

/* ---- reading ---------------------------------------------------------------------- */

enum {
	F_ID, F_TENANT, F_NAME, F_SPACE, F_PREFIX, F_FIRST, F_LAST, F_ADDRESS, F_STATUS, F_POOL,
	F_PURPOSE, F_HOSTNAME, F_MAC, F_DESCRIPTION, F_ATTRS, F_LABELS, F_VERSION, F_CREATED, F_UPDATED,
	F_KIND, F_PARENT,
	F_COUNT
};

static const char *const field_names[F_COUNT] = {
	"id", "tenant", "name", "space", "prefix", "first", "last", "address", "status", "pool",
	"purpose", "hostname", "mac", "description", "attrs", "labels", "version", "created", "updated",
	"kind", "parent",
};

#define B(f) (1u << (f))
#define COMMON (B(F_ID) | B(F_VERSION) | B(F_CREATED) | B(F_UPDATED))
/* the fields of each kind, and the ones it must have */
static const uint32_t kind_fields[IPAM_STORE_KIND_MAX + 1] = {
	[IPAM_STORE_TENANT] = COMMON | B(F_NAME) | B(F_ATTRS),
	[IPAM_STORE_SPACE] = COMMON | B(F_TENANT) | B(F_NAME) | B(F_LABELS),
	[IPAM_STORE_PREFIX] = COMMON | B(F_TENANT) | B(F_SPACE) | B(F_PREFIX) | B(F_STATUS) | B(F_POOL) |
	                      B(F_DESCRIPTION) | B(F_ATTRS),
	[IPAM_STORE_RANGE] = COMMON | B(F_TENANT) | B(F_SPACE) | B(F_FIRST) | B(F_LAST) | B(F_PURPOSE) |
	                     B(F_DESCRIPTION) | B(F_ATTRS),
	[IPAM_STORE_ADDRESS] = COMMON | B(F_TENANT) | B(F_SPACE) | B(F_ADDRESS) | B(F_STATUS) | B(F_HOSTNAME) |
	                       B(F_MAC) | B(F_DESCRIPTION) | B(F_ATTRS),
#define OBJECT_FIELDS (COMMON | B(F_TENANT) | B(F_KIND) | B(F_PARENT) | B(F_NAME) | B(F_DESCRIPTION) | B(F_ATTRS))
	[IPAM_STORE_ZONE] = OBJECT_FIELDS, [IPAM_STORE_RECORD] = OBJECT_FIELDS, [IPAM_STORE_SERVER] = OBJECT_FIELDS,
	[IPAM_STORE_CREDENTIAL] = OBJECT_FIELDS, [IPAM_STORE_TEMPLATE] = OBJECT_FIELDS,
	[IPAM_STORE_SCOPE] = OBJECT_FIELDS, [IPAM_STORE_OPTION_SET] = OBJECT_FIELDS, [IPAM_STORE_STATE] = OBJECT_FIELDS,
	[IPAM_STORE_OBSERVATION] = OBJECT_FIELDS,
};
#define REQ (B(F_ID) | B(F_TENANT) | B(F_NAME) | B(F_SPACE) | B(F_PREFIX) | B(F_FIRST) | B(F_LAST) | \
             B(F_ADDRESS) | B(F_CREATED) | B(F_UPDATED) | B(F_KIND) | B(F_PARENT))

static const char *const kind_names[IPAM_STORE_KIND_MAX + 1] = {
	NULL, "a tenant", "a space", "a prefix", "a range", "an address",
	"an object", "an object", "an object", "an object", "an object", "an object", "an object", "an object",
	"an object",
};

typedef struct rd {
	const char *where;
	const char *field;
} rd;

static int bad(const rd *r, const char *fmt, ...) IPAM__PRINTF(2, 3);
static int bad(const rd *r, const char *fmt, ...)
{
	char msg[600];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (r->field)
		return ipam__error(IPAM_EINVAL, "%s.%s: %s", r->where, r->field, msg);
	return ipam__error(IPAM_EINVAL, "%s: %s", r->where, msg);
}

static const char *type_name(const cJSON *v)
{
	if (cJSON_IsString(v))
		return "a string";
	if (cJSON_IsNumber(v))
		return "a number";
	if (cJSON_IsBool(v))
		return "a boolean";
	if (cJSON_IsNull(v))
		return "null";
	if (cJSON_IsArray(v))
		return "an array";
	if (cJSON_IsObject(v))
		return "an object";
	return "not a JSON value";
}

/* A string field; NULL allowed when `nullable`. Checks UTF-8. */
static int get_str(const rd *r, const cJSON *v, int nullable, const char **out)
{
	if (nullable && cJSON_IsNull(v)) {
		*out = NULL;
		return 0;
	}
	if (!cJSON_IsString(v) || !v->valuestring)
		return bad(r, "%s, expected a string%s", type_name(v), nullable ? " or null" : "");
	long b = ipam__utf8_bad(v->valuestring);
	if (b >= 0)
		return bad(r, "%s: byte %ld is not valid UTF-8", ipam__quote(v->valuestring).s, b + 1);
	*out = v->valuestring;
	return 0;
}

static int dup_str(char **dst, const char *s)
{
	if (!s) {
		*dst = NULL;
		return 0;
	}
	*dst = ipam__strdup(s);
	return *dst ? 0 : IPAM_ENOMEM;
}

static int get_uuid(const rd *r, const cJSON *v, uint8_t out[16])
{
	const char *s = NULL;
	int rc = get_str(r, v, 0, &s);
	if (rc)
		return rc;
	if (ipam__uuid_parse(out, s))
		return bad(r, "%s is not a UUID (8-4-4-4-12 hex digits)", ipam__quote(s).s);
	return 0;
}

static int get_addr(const rd *r, const cJSON *v, ipam_addr *out)
{
	const char *s = NULL;
	int rc = get_str(r, v, 0, &s);
	if (rc)
		return rc;
	if (ipam_addr_parse(out, s)) {
		char why[300];
		snprintf(why, sizeof why, "%s", ipam_error_last()->message);
		return bad(r, "%s is not an IP address: %s", ipam__quote(s).s, why);
	}
	return 0;
}

/* A JSON object, normalised as ipam__norm_attrs does (compact, NULL for {}). */
static int get_object(const rd *r, const cJSON *v, int labels, char **out)
{
	*out = NULL;
	if (!cJSON_IsObject(v))
		return bad(r, "%s, expected a JSON object", type_name(v));
	for (const cJSON *c = v->child; c; c = c->next) {
		if (labels && !cJSON_IsString(c))
			return bad(r, "the value of %s is %s, expected a string", ipam__quote(c->string).s, type_name(c));
	}
	if (!v->child)
		return 0;
	char *s = cJSON_PrintUnformatted(v);
	if (!s)
		return ipam__enomem();
	long b = ipam__utf8_bad(s);
	if (b >= 0) {
		cJSON_free(s);
		return bad(r, "byte %ld of the object is not valid UTF-8", b + 1);
	}
	*out = ipam__strdup(s);
	cJSON_free(s);
	return *out ? 0 : IPAM_ENOMEM;
}

static int get_time(const rd *r, const cJSON *v, int64_t *out)
{
	const char *s = NULL;
	int rc = get_str(r, v, 0, &s);
	if (rc)
		return rc;
	const char *why = ipam__time_parse(out, s);
	if (why)
		return bad(r, "%s: %s", ipam__quote(s).s, why);
	return 0;
}

/* Space names, as ipam_space_add() takes them: 1..63 of letters, digits and "-_.:/". */
static int check_space_name(const rd *r, const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 63)
		return bad(r, "%s: a space name has 1 to 63 characters", ipam__quote(s).s);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!(isalnum(c) || strchr("-_.:/", c)))
			return bad(r, "%s: character %zu is not a letter, digit or one of -_.:/", ipam__quote(s).s, i + 1);
	}
	return 0;
}

void ipam__jrow_dispose(ipam__jrow *r)
{
	if (!r)
		return;
	free(r->space_name);
	free(r->name);
	free(r->description);
	free(r->attrs);
	memset(r, 0, sizeof *r);
}

static int read_field(ipam__jrow *o, unsigned kind, int f, const cJSON *v, const rd *r)
{
	ipam_store_row *row = &o->row;
	const char *s = NULL;
	int rc;
	switch (f) {
	case F_ID:
		return get_uuid(r, v, row->id);
	case F_TENANT:
		return get_uuid(r, v, row->tenant);
	case F_NAME:
		if ((rc = get_str(r, v, 0, &s)))
			return rc;
		if (kind == IPAM_STORE_SPACE && (rc = check_space_name(r, s)))
			return rc;
		if (kind == IPAM_STORE_TENANT && (s[0] == '\0' || strlen(s) > 255))
			return bad(r, "%s: a tenant name has 1 to 255 bytes", ipam__quote(s).s);
		if (IPAM_STORE_IS_OBJECT(kind) && (s[0] == '\0' || strlen(s) > 1024))
			return bad(r, "%s: an object's name has 1 to 1024 bytes", ipam__quote(s).s);
		return dup_str(&o->name, s);
	case F_SPACE:
		if ((rc = get_str(r, v, 0, &s)) || (rc = check_space_name(r, s)))
			return rc;
		return dup_str(&o->space_name, s);
	case F_PREFIX: {
		if ((rc = get_str(r, v, 0, &s)))
			return rc;
		ipam_prefix p;
		if (ipam_prefix_parse(&p, s, IPAM_PARSE_DEFAULT)) {
			char why[300];
			snprintf(why, sizeof why, "%s", ipam_error_last()->message);
			return bad(r, "%s is not a prefix: %s", ipam__quote(s).s, why);
		}
		row->addr = p.addr;
		row->len = p.len;
		return 0;
	}
	case F_FIRST:
		return get_addr(r, v, &row->addr);
	case F_LAST:
		return get_addr(r, v, &row->last);
	case F_ADDRESS:
		return get_addr(r, v, &row->addr);
	case F_STATUS: {
		if ((rc = get_str(r, v, 0, &s)))
			return rc;
		ipam_status st;
		if (ipam_status_parse(&st, s))
			return bad(r, "%s is not a status (active, container, reserved, deprecated, dhcp)", ipam__quote(s).s);
		if (kind == IPAM_STORE_PREFIX && st == IPAM_STATUS_DHCP)
			return bad(r, "\"dhcp\": a prefix is container, active, reserved or deprecated");
		if (kind == IPAM_STORE_ADDRESS && st == IPAM_STATUS_CONTAINER)
			return bad(r, "\"container\": an address is active, reserved, dhcp or deprecated");
		row->status = (uint8_t)st;
		return 0;
	}
	case F_POOL:
		if (!cJSON_IsBool(v))
			return bad(r, "%s, expected true or false", type_name(v));
		row->pool = cJSON_IsTrue(v) ? 1 : 0;
		return 0;
	case F_PURPOSE: {
		if ((rc = get_str(r, v, 0, &s)))
			return rc;
		ipam_range_purpose p;
		if (ipam_range_purpose_parse(&p, s))
			return bad(r, "%s is not a range purpose (dhcp, reserved, excluded)", ipam__quote(s).s);
		row->purpose = (uint8_t)p;
		return 0;
	}
	case F_HOSTNAME: {
		if ((rc = get_str(r, v, 1, &s)) || !s)
			return rc;
		if ((rc = ipam__norm_hostname(&o->name, s))) {
			if (rc == IPAM_EINVAL) {
				char why[300];
				snprintf(why, sizeof why, "%s", ipam_error_last()->message);
				return bad(r, "%s is not a host name: %s", ipam__quote(s).s, why);
			}
			return rc;
		}
		return 0;
	}
	case F_MAC: {
		if ((rc = get_str(r, v, 1, &s)) || !s)
			return rc;
		ipam_mac m;
		if (ipam_mac_parse(&m, s)) {
			char why[300];
			snprintf(why, sizeof why, "%s", ipam_error_last()->message);
			return bad(r, "%s is not a MAC address: %s", ipam__quote(s).s, why);
		}
		memcpy(row->mac, m.bytes, sizeof row->mac);
		row->maclen = m.len;
		return 0;
	}
	case F_DESCRIPTION:
		if ((rc = get_str(r, v, 1, &s)))
			return rc;
		return dup_str(&o->description, s);
	case F_ATTRS:
	case F_LABELS:
		free(o->attrs);
		o->attrs = NULL;
		return get_object(r, v, f == F_LABELS, &o->attrs);
	case F_VERSION: {
		double d = v->valuedouble;
		if (!cJSON_IsNumber(v))
			return bad(r, "%s, expected a number", type_name(v));
		/* integers that a double holds exactly */
		if (!(d >= 0 && d <= 9007199254740992.0) || d != (double)(uint64_t)d)
			return bad(r, "%.17g is not an integer in 0..2^53", d);
		row->version = (uint64_t)d;
		return 0;
	}
	case F_CREATED:
		return get_time(r, v, &row->created);
	case F_UPDATED:
		return get_time(r, v, &row->updated);
	case F_KIND: {
		if ((rc = get_str(r, v, 0, &s)))
			return rc;
		unsigned k = ipam__object_kind_parse(s);
		if (!k)
			return bad(r, "%s is not a kind of object (zone, record, server, credential, template, scope, "
			           "option_set, state, observation)", ipam__quote(s).s);
		row->kind = k;
		return 0;
	}
	case F_PARENT:
		return get_uuid(r, v, row->space);
	}
	return 0;
}

int ipam__row_from_json(ipam__jrow *out, unsigned int kind, const cJSON *obj, const char *where)
{
	memset(out, 0, sizeof *out);
	rd r = { where, NULL };
	if (kind < 1 || kind > IPAM_STORE_KIND_MAX)
		return ipam__error(IPAM_EINVAL, "%s: row of unknown kind %u", where, kind);
	if (!cJSON_IsObject(obj))
		return bad(&r, "%s, expected %s (an object)", type_name(obj), kind_names[kind]);
	out->row.kind = kind;
	uint32_t allowed = kind_fields[kind], seen = 0;
	for (const cJSON *c = obj->child; c; c = c->next) {
		int f;
		for (f = 0; f < F_COUNT; f++)
			if ((allowed & B(f)) && strcmp(c->string, field_names[f]) == 0)
				break;
		if (f == F_COUNT) {
			r.field = NULL;
			return bad(&r, "unknown field %s in %s", ipam__quote(c->string).s, kind_names[kind]);
		}
		r.field = field_names[f];
		if (seen & B(f))
			return bad(&r, "given twice");
		seen |= B(f);
		int rc = read_field(out, kind, f, c, &r);
		if (rc)
			return rc;
	}
	uint32_t missing = allowed & REQ & ~seen;
	if (missing) {
		int f = 0;
		while (!(missing & B(f)))
			f++;
		r.field = field_names[f];
		return bad(&r, "missing");
	}
	if (kind == IPAM_STORE_RANGE) {
		r.field = "last";
		if (out->row.addr.family != out->row.last.family)
			return bad(&r, "first and last are of different families");
		if (ipam_addr_cmp(&out->row.addr, &out->row.last) > 0)
			return bad(&r, "before first");
	}
	out->row.name = out->name;
	out->row.description = out->description;
	out->row.attrs = out->attrs;
	return 0;
}

int ipam__row_from_text(ipam__jrow *out, unsigned int kind, const char *json, size_t len, const char *where)
{
	memset(out, 0, sizeof *out);
	char *copy = malloc(len + 1);
	if (!copy)
		return ipam__enomem();
	memcpy(copy, json, len);
	copy[len] = '\0';
	if (memchr(json, '\0', len)) {
		free(copy);
		return ipam__error(IPAM_EINVAL, "%s: a NUL byte in the JSON text", where);
	}
	const char *end = NULL;
	cJSON *v = cJSON_ParseWithOpts(copy, &end, 1);
	if (!v) {
		size_t off = end && end >= copy ? (size_t)(end - copy) : 0;
		free(copy);
		return ipam__error(IPAM_EINVAL, "%s: invalid JSON at offset %zu", where, off);
	}
	int rc = ipam__row_from_json(out, kind, v, where);
	cJSON_Delete(v);
	free(copy);
	return rc;
}

/* ---- the audit hash ---------------------------------------------------------------- */

static void be64(uint8_t b[8], uint64_t v)
{
	for (int i = 7; i >= 0; i--) {
		b[i] = (uint8_t)v;
		v >>= 8;
	}
}

/* The chained hash of an entry: BLAKE2b-256 over seq and time (64-bit
 * big-endian), the previous hash, then actor, action, object, before and
 * after, each as a 32-bit big-endian length (0xFFFFFFFF for none) and its
 * bytes. An entry of up to 2 KiB is laid out once and hashed in one call
 * (a dozen small updates cost as much as the hashing itself); a larger one
 * is fed piece by piece, which gives the same hash. */
int ipam__audit_hash(uint8_t out[32], const ipam_store_audit *e)
{
	const char *f[5] = { e->actor, e->action, e->object, e->before, e->after };
	size_t len[5], total = 8 + 8 + 32;
	for (int i = 0; i < 5; i++) {
		len[i] = f[i] ? strlen(f[i]) : 0;
		if (len[i] >= 0xFFFFFFFFu)
			return ipam__error(IPAM_EINVAL, "audit entry %llu: a field of 4 GiB or more",
			                   (unsigned long long)e->seq);
		total += 4 + len[i];
	}
	uint8_t head[48];
	be64(head, e->seq);
	be64(head + 8, (uint64_t)e->time);
	memcpy(head + 16, e->prev, 32);
	uint8_t small[2048];
	crypto_generichash_state st;
	int one = total <= sizeof small;
	size_t at = 0;
	if (one) {
		memcpy(small, head, sizeof head);
		at = sizeof head;
	} else {
		if (crypto_generichash_init(&st, NULL, 0, 32) != 0)
			return ipam__error(IPAM_ERROR, "BLAKE2b could not start");
		crypto_generichash_update(&st, head, sizeof head);
	}
	for (int i = 0; i < 5; i++) {
		uint32_t l = f[i] ? (uint32_t)len[i] : 0xFFFFFFFFu;
		uint8_t lb[4] = { (uint8_t)(l >> 24), (uint8_t)(l >> 16), (uint8_t)(l >> 8), (uint8_t)l };
		if (one) {
			memcpy(small + at, lb, 4);
			if (len[i])
				memcpy(small + at + 4, f[i], len[i]);
			at += 4 + len[i];
		} else {
			crypto_generichash_update(&st, lb, 4);
			if (len[i])
				crypto_generichash_update(&st, (const unsigned char *)f[i], len[i]);
		}
	}
	if (one)
		return crypto_generichash(out, 32, small, at, NULL, 0) == 0
		               ? 0
		               : ipam__error(IPAM_ERROR, "BLAKE2b failed");
	crypto_generichash_final(&st, out, 32);
	return 0;
}

int ipam__json_to_buf(ipam_buf *out, cJSON *j)
{
	char *s = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	if (!s)
		return ipam__enomem();
	ipam_buf b = IPAM_BUF_INIT;
	int rc = ipam__buf_put(&b, s, strlen(s));
	cJSON_free(s);
	if (rc) {
		ipam_buf_dispose(&b);
		return rc;
	}
	ipam_buf_dispose(out);
	*out = b;
	return 0;
}
