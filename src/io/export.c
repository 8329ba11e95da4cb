/* The export document: everything in the store as one canonical JSON text,
 * and its import into an empty store, all or nothing. Schema: docs/export.md.
 *
 * Canonical means: one layout (one object per line inside each array), keys
 * in a fixed order (ipam__row_to_json), objects in a fixed order (tenants and
 * spaces by name; prefixes, ranges and addresses by space name, family,
 * address bytes, then length or last address; the audit chain by seq). So
 * export, import into an empty store, export again gives the same bytes. */
#include "io/io.h"
#include "db/db.h"
#include "store/store.h"
#include "ipam/export.h"

#include <cjson/cJSON.h>

#include <stdio.h>
#include <stdlib.h>

#define FORMAT_NAME "libipam-export"
/* 2: the "objects" array (stored objects); a version 1 document (no
 * objects) still imports. */
#define FORMAT_VERSION 2

/* The document's arrays: one per row kind, and one ("objects") for every
 * stored-object kind, which share slot OBJ. */
#define OBJ IPAM_STORE_OBJECT_MIN
#define NKIND (OBJ + 1)

static const char *const array_names[NKIND] = {
	NULL, "tenants", "spaces", "prefixes", "ranges", "addresses", "objects",
};

static unsigned slot_of(unsigned kind)
{
	return IPAM_STORE_IS_OBJECT(kind) ? OBJ : kind;
}

/* The kinds in the order the document holds them (and import puts them). */
static const unsigned kind_order[] = {
	IPAM_STORE_TENANT, IPAM_STORE_SPACE, IPAM_STORE_PREFIX, IPAM_STORE_RANGE, IPAM_STORE_ADDRESS, OBJ,
};

static const uint8_t zero32[32];

static int is_default_tenant(const uint8_t id[16])
{
	return memcmp(id, ipam__default_tenant, 16) == 0;
}

static int is_default_space(const uint8_t id[16])
{
	return memcmp(id, ipam__default_space, 16) == 0;
}

/* ---- export ----------------------------------------------------------------------- */

typedef struct xspace {
	uint8_t id[16];
	char *name;
	uint32_t rank; /* position in name order */
} xspace;

/* One row's line in its kind's text, and what it sorts by. */
typedef struct xitem {
	size_t off, len;
	char *name;     /* tenants, spaces */
	uint32_t rank;  /* the others: the space's rank */
	uint8_t family, plen;
	uint8_t a[16], b[16];
} xitem;

typedef struct xkind {
	ipam_buf text;
	xitem *items;
	size_t n, cap;
} xkind;

typedef struct xctx {
	xkind k[NKIND];
	xspace *spaces; /* sorted by id once loaded */
	size_t nspaces, cspaces;
	unsigned kind;
	ipam_buf audit;
	uint64_t naudit;
} xctx;

static int name_cmp(const void *a, const void *b)
{
	return strcmp(((const xspace *)a)->name, ((const xspace *)b)->name);
}

static int id_cmp(const void *a, const void *b)
{
	return memcmp(((const xspace *)a)->id, ((const xspace *)b)->id, 16);
}

static int item_name_cmp(const void *a, const void *b)
{
	return strcmp(((const xitem *)a)->name, ((const xitem *)b)->name);
}

/* objects: by kind (in family), parent id (in a), then name */
static int item_obj_cmp(const void *pa, const void *pb)
{
	const xitem *a = pa, *b = pb;
	int c;
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	if ((c = memcmp(a->a, b->a, 16)))
		return c;
	return strcmp(a->name, b->name);
}

static int item_key_cmp(const void *pa, const void *pb)
{
	const xitem *a = pa, *b = pb;
	int c;
	if (a->rank != b->rank)
		return a->rank < b->rank ? -1 : 1;
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	if ((c = memcmp(a->a, b->a, 16)))
		return c;
	if (a->plen != b->plen)
		return a->plen < b->plen ? -1 : 1;
	return memcmp(a->b, b->b, 16);
}

static const xspace *space_of(const xctx *x, const uint8_t id[16])
{
	size_t lo = 0, hi = x->nspaces;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = memcmp(x->spaces[mid].id, id, 16);
		if (c == 0)
			return &x->spaces[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static xitem *item_add(xkind *k)
{
	if (k->n == k->cap) {
		size_t cap = k->cap ? k->cap * 2 : 64;
		xitem *it = realloc(k->items, cap * sizeof *it);
		if (!it)
			return NULL;
		k->items = it;
		k->cap = cap;
	}
	xitem *it = &k->items[k->n++];
	memset(it, 0, sizeof *it);
	return it;
}

static int export_row(void *ctx, const ipam_store_row *row)
{
	xctx *x = ctx;
	if (row->kind != x->kind)
		return ipam__error(IPAM_EBACKEND, "export: the store returned a row of kind %u in a scan of kind %u",
		                   row->kind, x->kind);
	xkind *k = &x->k[slot_of(row->kind)];
	const char *space_name = NULL;
	uint32_t rank = 0;
	if (row->kind >= IPAM_STORE_PREFIX && !IPAM_STORE_IS_OBJECT(row->kind)) {
		const xspace *s = space_of(x, row->space);
		if (!s) {
			char id[37];
			ipam__uuid_format(id, row->space);
			return ipam__error(IPAM_EBACKEND, "export: a %s row refers to space %s, which does not exist",
			                   array_names[row->kind], id);
		}
		space_name = s->name;
		rank = s->rank;
	}
	xitem *it = item_add(k);
	if (!it)
		return ipam__enomem();
	it->off = k->text.size;
	int rc = ipam__row_to_json(&k->text, row, space_name);
	if (rc) {
		k->n--;
		if (rc == IPAM_EINVAL) {
			char m[700];
			snprintf(m, sizeof m, "%s", ipam_error_last()->message);
			return ipam__error(IPAM_EBACKEND, "export: a stored %s row cannot be written: %s",
			                   array_names[slot_of(row->kind)], m);
		}
		return rc;
	}
	it->len = k->text.size - it->off;
	it->rank = rank;
	switch (row->kind) {
	case IPAM_STORE_TENANT:
	case IPAM_STORE_SPACE:
		it->name = ipam__strdup(row->name ? row->name : "");
		if (!it->name)
			return IPAM_ENOMEM;
		if (row->kind == IPAM_STORE_SPACE) {
			if (x->nspaces == x->cspaces) {
				size_t cap = x->cspaces ? x->cspaces * 2 : 16;
				xspace *s = realloc(x->spaces, cap * sizeof *s);
				if (!s)
					return ipam__enomem();
				x->spaces = s;
				x->cspaces = cap;
			}
			xspace *s = &x->spaces[x->nspaces++];
			memcpy(s->id, row->id, 16);
			s->name = it->name;
			s->rank = 0;
		}
		break;
	case IPAM_STORE_PREFIX:
	case IPAM_STORE_ADDRESS:
		it->plen = row->kind == IPAM_STORE_PREFIX ? row->len : 0;
		it->family = row->addr.family;
		memcpy(it->a, row->addr.bytes, 16);
		break;
	case IPAM_STORE_RANGE:
		it->family = row->addr.family;
		memcpy(it->a, row->addr.bytes, 16);
		memcpy(it->b, row->last.bytes, 16);
		break;
	default: /* a stored object */
		it->family = (uint8_t)row->kind;
		memcpy(it->a, row->space, 16);
		if (!(it->name = ipam__strdup(row->name ? row->name : "")))
			return IPAM_ENOMEM;
		break;
	}
	return 0;
}

/* Is `s` one JSON value with no whitespace around it? */
static int is_json_value(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || (unsigned char)s[0] <= 32 || (unsigned char)s[n - 1] <= 32)
		return 0;
	cJSON *v = cJSON_ParseWithOpts(s, NULL, 1);
	if (!v)
		return 0;
	cJSON_Delete(v);
	return 1;
}

static int put_hex(ipam_buf *b, const uint8_t *bytes, size_t n)
{
	char h[65];
	ipam__hex(h, bytes, n);
	int rc = ipam__buf_put(b, "\"", 1);
	if (!rc)
		rc = ipam__buf_put(b, h, 2 * n);
	if (!rc)
		rc = ipam__buf_put(b, "\"", 1);
	return rc;
}

#define PUT_LIT(b, s) ipam__buf_put((b), (s), sizeof(s) - 1)

static int export_audit(void *ctx, const ipam_store_audit *e)
{
	xctx *x = ctx;
	ipam_buf *b = &x->audit;
	char t[IPAM__TIME_STRLEN];
	int rc;
	if (e->seq != x->naudit + 1)
		return ipam__error(IPAM_EBACKEND, "export: the store returned audit entry %llu after %llu",
		                   (unsigned long long)e->seq, (unsigned long long)x->naudit);
	if (ipam__time_format(t, e->time))
		return ipam__error(IPAM_EBACKEND, "export: audit entry %llu: time %lld us is outside years 0000..9999",
		                   (unsigned long long)e->seq, (long long)e->time);
	if ((e->before && !is_json_value(e->before)) || (e->after && !is_json_value(e->after)))
		return ipam__error(IPAM_EBACKEND, "export: audit entry %llu: its %s image is not one JSON value",
		                   (unsigned long long)e->seq, e->before && !is_json_value(e->before) ? "before" : "after");
	x->naudit++;
	if (b->size)
		rc = PUT_LIT(b, ",\n");
	else
		rc = 0;
	if (!rc)
		rc = ipam__buf_printf(b, "{\"seq\":%llu,\"time\":\"%s\",\"actor\":", (unsigned long long)e->seq, t);
	if (!rc)
		rc = ipam__json_str(b, e->actor);
	if (!rc)
		rc = PUT_LIT(b, ",\"action\":");
	if (!rc)
		rc = ipam__json_str(b, e->action);
	if (!rc)
		rc = PUT_LIT(b, ",\"object\":");
	if (!rc)
		rc = ipam__json_str(b, e->object);
	if (!rc)
		rc = PUT_LIT(b, ",\"before\":");
	if (!rc)
		rc = e->before ? ipam__buf_put(b, e->before, strlen(e->before)) : PUT_LIT(b, "null");
	if (!rc)
		rc = PUT_LIT(b, ",\"after\":");
	if (!rc)
		rc = e->after ? ipam__buf_put(b, e->after, strlen(e->after)) : PUT_LIT(b, "null");
	if (!rc)
		rc = PUT_LIT(b, ",\"prev\":");
	if (!rc)
		rc = put_hex(b, e->prev, 32);
	if (!rc)
		rc = PUT_LIT(b, ",\"hash\":");
	if (!rc)
		rc = put_hex(b, e->hash, 32);
	if (!rc)
		rc = PUT_LIT(b, "}");
	return rc;
}

static void xctx_free(xctx *x)
{
	for (unsigned k = 1; k < NKIND; k++) {
		for (size_t i = 0; i < x->k[k].n; i++)
			free(x->k[k].items[i].name);
		free(x->k[k].items);
		ipam_buf_dispose(&x->k[k].text);
	}
	free(x->spaces);
	ipam_buf_dispose(&x->audit);
}

static int export_read(xctx *x, ipam_store *st, uint64_t *head_seq, uint8_t head_hash[32])
{
	int rc;
	/* spaces first: the other rows name theirs */
	x->kind = IPAM_STORE_SPACE;
	if ((rc = st->scan(st, IPAM_STORE_SPACE, export_row, x)))
		return rc;
	if (!x->nspaces)
		return ipam__error(IPAM_EBACKEND, "export: the store has no spaces (not even \"default\")");
	qsort(x->spaces, x->nspaces, sizeof *x->spaces, name_cmp);
	for (size_t i = 0; i < x->nspaces; i++) {
		if (i && strcmp(x->spaces[i - 1].name, x->spaces[i].name) == 0)
			return ipam__error(IPAM_EBACKEND, "export: two spaces are named %s", ipam__quote(x->spaces[i].name).s);
		x->spaces[i].rank = (uint32_t)i;
	}
	qsort(x->spaces, x->nspaces, sizeof *x->spaces, id_cmp);
	for (size_t i = 1; i < x->nspaces; i++)
		if (memcmp(x->spaces[i - 1].id, x->spaces[i].id, 16) == 0)
			return ipam__error(IPAM_EBACKEND, "export: two spaces have one id (%s and %s)",
			                   ipam__quote(x->spaces[i - 1].name).s, ipam__quote(x->spaces[i].name).s);
	static const unsigned rest[] = { IPAM_STORE_TENANT, IPAM_STORE_PREFIX, IPAM_STORE_RANGE, IPAM_STORE_ADDRESS };
	for (size_t i = 0; i < sizeof rest / sizeof rest[0]; i++) {
		x->kind = rest[i];
		if ((rc = st->scan(st, rest[i], export_row, x)))
			return rc;
	}
	for (unsigned k = IPAM_STORE_OBJECT_MIN; k <= IPAM_STORE_KIND_MAX; k++) {
		x->kind = k;
		if ((rc = st->scan(st, k, export_row, x)))
			return rc;
	}
	if ((rc = st->audit_scan(st, 1, export_audit, x)))
		return rc;
	if ((rc = st->audit_head(st, head_seq, head_hash)))
		return rc;
	if (*head_seq != x->naudit)
		return ipam__error(IPAM_EBACKEND, "export: the audit head is at seq %llu but the store returned %llu entries",
		                   (unsigned long long)*head_seq, (unsigned long long)x->naudit);
	return 0;
}

static int export_write(ipam_buf *doc, xctx *x, uint64_t head_seq, const uint8_t head_hash[32])
{
	int rc = ipam__buf_printf(doc, "{\"format\":\"%s\",\"format_version\":%d", FORMAT_NAME, FORMAT_VERSION);
	for (size_t o = 0; !rc && o < sizeof kind_order / sizeof kind_order[0]; o++) {
		unsigned kind = kind_order[o];
		xkind *k = &x->k[kind];
		if (k->n)
			qsort(k->items, k->n, sizeof *k->items,
			      kind <= IPAM_STORE_SPACE ? item_name_cmp : kind == OBJ ? item_obj_cmp : item_key_cmp);
		rc = ipam__buf_printf(doc, ",\n\"%s\":[", array_names[kind]);
		for (size_t i = 0; !rc && i < k->n; i++) {
			rc = ipam__buf_put(doc, i ? ",\n" : "\n", i ? 2 : 1);
			if (!rc)
				rc = ipam__buf_put(doc, k->text.ptr + k->items[i].off, k->items[i].len);
		}
		if (!rc)
			rc = k->n ? PUT_LIT(doc, "\n]") : PUT_LIT(doc, "]");
	}
	if (!rc)
		rc = PUT_LIT(doc, ",\n\"audit\":[");
	if (!rc && x->audit.size) {
		rc = PUT_LIT(doc, "\n");
		if (!rc)
			rc = ipam__buf_put(doc, x->audit.ptr, x->audit.size);
		if (!rc)
			rc = PUT_LIT(doc, "\n");
	}
	if (!rc)
		rc = ipam__buf_printf(doc, "],\n\"audit_head\":{\"seq\":%llu,\"hash\":", (unsigned long long)head_seq);
	if (!rc)
		rc = put_hex(doc, head_hash, 32);
	if (!rc)
		rc = PUT_LIT(doc, "}}\n");
	return rc;
}

int ipam_export(ipam_buf *out, ipam_db *db)
{
	if (!out || !db)
		return ipam__error(IPAM_EINVAL, "export: %s is NULL", !out ? "out" : "db");
	ipam_store *st = ipam__db_store(db);
	if (!st)
		return ipam__error(IPAM_EPERM, "export: an index: handle has no store");
	xctx x;
	memset(&x, 0, sizeof x);
	uint64_t head_seq = 0;
	uint8_t head_hash[32] = { 0 };
	ipam__scope sc;
	int rc = ipam__enter(db, IPAM__SNAPSHOT, &sc);
	if (rc)
		return rc;
	rc = export_read(&x, st, &head_seq, head_hash);
	rc = ipam__leave(db, &sc, rc);
	ipam_buf doc = IPAM_BUF_INIT;
	if (!rc)
		rc = export_write(&doc, &x, head_seq, head_hash);
	xctx_free(&x);
	if (rc) {
		ipam_buf_dispose(&doc);
		return rc;
	}
	ipam_buf_dispose(out);
	*out = doc;
	return 0;
}

/* ---- import: the raw text of audit images ------------------------------------------
 * An audit entry's hash covers the exact bytes of its before and after
 * images, which the document holds as JSON values. cJSON would hand them
 * back re-serialised, so the import takes their text from the document
 * itself: this small walker (run after cJSON accepted the document, so the
 * syntax is known good) finds where each image lies. It keeps a depth
 * counter, not a stack, and never recurses. */

typedef struct span {
	const char *p;
	size_t n;
} span;

static const char *skip_ws(const char *p)
{
	/* as cJSON: every byte 1..32 is white space */
	while (*p && (unsigned char)*p <= 32)
		p++;
	return p;
}

static const char *skip_string(const char *p)
{
	p++;
	while (*p && *p != '"') {
		if (*p == '\\' && p[1])
			p++;
		p++;
	}
	return *p ? p + 1 : p;
}

static const char *skip_value(const char *p)
{
	if (*p == '"')
		return skip_string(p);
	if (*p == '{' || *p == '[') {
		size_t depth = 0;
		while (*p) {
			if (*p == '"') {
				p = skip_string(p);
				continue;
			}
			if (*p == '{' || *p == '[')
				depth++;
			else if ((*p == '}' || *p == ']') && --depth == 0)
				return p + 1;
			p++;
		}
		return p;
	}
	while (*p && (unsigned char)*p > 32 && *p != ',' && *p != ']' && *p != '}')
		p++;
	return p;
}

static int key_is(const char *k, const char *end, const char *name)
{
	size_t n = strlen(name);
	return (size_t)(end - k) == n + 2 && memcmp(k + 1, name, n) == 0;
}

/* Fill spans[i][0] (before) and spans[i][1] (after) of audit entry i < n. */
static void find_spans(const char *doc, span (*spans)[2], size_t n)
{
	const char *p = doc;
	if ((unsigned char)p[0] == 0xEF && (unsigned char)p[1] == 0xBB && (unsigned char)p[2] == 0xBF)
		p += 3;
	p = skip_ws(p);
	if (*p != '{')
		return;
	p++;
	for (;;) {
		p = skip_ws(p);
		if (*p != '"')
			return;
		const char *k = p;
		p = skip_string(p);
		const char *kend = p;
		p = skip_ws(p);
		if (*p != ':')
			return;
		p = skip_ws(p + 1);
		if (key_is(k, kend, "audit") && *p == '[') {
			size_t i = 0;
			p = skip_ws(p + 1);
			while (*p == '{') {
				p = skip_ws(p + 1);
				while (*p == '"') {
					const char *ek = p;
					p = skip_string(p);
					const char *ekend = p;
					p = skip_ws(p);
					if (*p != ':')
						return;
					p = skip_ws(p + 1);
					const char *v = p;
					p = skip_value(p);
					int which = key_is(ek, ekend, "before") ? 0 : key_is(ek, ekend, "after") ? 1 : -1;
					if (which >= 0 && i < n && !spans[i][which].p) {
						spans[i][which].p = v;
						spans[i][which].n = (size_t)(p - v);
					}
					p = skip_ws(p);
					if (*p == ',')
						p = skip_ws(p + 1);
				}
				if (*p != '}')
					return;
				i++;
				p = skip_ws(p + 1);
				if (*p == ',')
					p = skip_ws(p + 1);
			}
			if (*p != ']')
				return;
			p++;
		} else
			p = skip_value(p);
		p = skip_ws(p);
		if (*p != ',')
			return;
		p++;
	}
}

/* The span without the white space between tokens. */
static char *minify(const span *s)
{
	char *o = malloc(s->n + 1), *q = o;
	if (!o)
		return NULL;
	int in = 0;
	for (size_t i = 0; i < s->n; i++) {
		char c = s->p[i];
		if (in) {
			*q++ = c;
			if (c == '\\' && i + 1 < s->n)
				*q++ = s->p[++i];
			else if (c == '"')
				in = 0;
		} else if ((unsigned char)c > 32) {
			*q++ = c;
			if (c == '"')
				in = 1;
		}
	}
	*q = '\0';
	return o;
}

static char *span_dup(const span *s)
{
	char *o = malloc(s->n + 1);
	if (o) {
		memcpy(o, s->p, s->n);
		o[s->n] = '\0';
	}
	return o;
}

/* ---- import ------------------------------------------------------------------------ */

typedef struct jaudit {
	ipam_store_audit e;
	/* the images: as the document holds them minus white space, and
	 * verbatim (NULL when the same); e.before/e.after point at the one
	 * whose hash verifies */
	char *img[2], *raw[2];
	int is_null[2];
} jaudit;

typedef struct imp {
	const char *name;
	char *doc;          /* NUL-terminated copy */
	size_t len;
	cJSON *root;
	ipam__jrow *rows[NKIND];
	size_t nrows[NKIND];
	jaudit *audit;
	size_t naudit;
	int has_head;
	uint64_t head_seq;
	uint8_t head_hash[32];
} imp;

static void imp_free(imp *m)
{
	for (unsigned k = 1; k < NKIND; k++) {
		for (size_t i = 0; i < m->nrows[k]; i++)
			ipam__jrow_dispose(&m->rows[k][i]);
		free(m->rows[k]);
	}
	for (size_t i = 0; i < m->naudit; i++)
		for (int j = 0; j < 2; j++) {
			free(m->audit[i].img[j]);
			free(m->audit[i].raw[j]);
		}
	free(m->audit);
	cJSON_Delete(m->root);
	free(m->doc);
}

/* Does the text stop inside a string or an object or array? */
static int ends_early(const imp *m)
{
	size_t depth = 0;
	int in = 0;
	for (size_t i = 0; i < m->len; i++) {
		char c = m->doc[i];
		if (in) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in = 0;
		} else if (c == '"')
			in = 1;
		else if (c == '{' || c == '[')
			depth++;
		else if ((c == '}' || c == ']') && depth)
			depth--;
	}
	return in || depth;
}

static int offset_error(const imp *m, size_t off, const char *what)
{
	size_t line = 1, col = 1;
	for (size_t i = 0; i < off && i < m->len; i++) {
		if (m->doc[i] == '\n') {
			line++;
			col = 1;
		} else
			col++;
	}
	return ipam__error(IPAM_EINVAL, "%s: %s at offset %zu (line %zu, column %zu)%s", m->name, what, off, line, col,
	                   off >= m->len || ends_early(m) ? ": the document ends early (truncated?)" : "");
}

/* cJSON decodes \u0000 into a NUL that would silently cut a string short. */
static int check_nul_escapes(const imp *m)
{
	int in = 0;
	for (size_t i = 0; i < m->len; i++) {
		char c = m->doc[i];
		if (!in) {
			in = c == '"';
			continue;
		}
		if (c == '"')
			in = 0;
		else if (c == '\\') {
			if (i + 5 < m->len && memcmp(m->doc + i + 1, "u0000", 5) == 0)
				return offset_error(m, i, "\\u0000 (a NUL character) in a string");
			i++;
		}
	}
	return 0;
}

static int u64_of(const cJSON *v, uint64_t *out)
{
	if (!cJSON_IsNumber(v))
		return -1;
	double d = v->valuedouble;
	if (!(d >= 0 && d <= 9007199254740992.0) || d != (double)(uint64_t)d)
		return -1;
	*out = (uint64_t)d;
	return 0;
}

static int hash_of(const cJSON *v, uint8_t out[32])
{
	if (!cJSON_IsString(v) || !v->valuestring || strlen(v->valuestring) != 64)
		return -1;
	return ipam__unhex(out, 32, v->valuestring) ? -1 : 0;
}

static int read_header(imp *m)
{
	const cJSON *fmt = NULL, *ver = NULL;
	for (const cJSON *c = m->root->child; c; c = c->next) {
		if (!fmt && strcmp(c->string, "format") == 0)
			fmt = c;
		else if (!ver && strcmp(c->string, "format_version") == 0)
			ver = c;
	}
	if (!fmt)
		return ipam__error(IPAM_EINVAL, "%s: not a libipam export: no \"format\" field", m->name);
	if (!cJSON_IsString(fmt) || strcmp(fmt->valuestring, FORMAT_NAME) != 0)
		return ipam__error(IPAM_EINVAL, "%s: format: %s, expected \"" FORMAT_NAME "\"", m->name,
		                   cJSON_IsString(fmt) ? ipam__quote(fmt->valuestring).s : "not a string");
	uint64_t v;
	if (!ver)
		return ipam__error(IPAM_EINVAL, "%s: format_version: missing", m->name);
	if (u64_of(ver, &v) || v < 1)
		return ipam__error(IPAM_EINVAL, "%s: format_version: expected a positive integer", m->name);
	if (v > FORMAT_VERSION)
		return ipam__error(IPAM_EINVAL,
		                   "%s: format_version %llu is newer than this libipam %s reads (%d): "
		                   "import it with a newer libipam",
		                   m->name, (unsigned long long)v, IPAM_VERSION, FORMAT_VERSION);
	return 0;
}

static int read_rows(imp *m, unsigned kind, const cJSON *arr)
{
	if (!cJSON_IsArray(arr))
		return ipam__error(IPAM_EINVAL, "%s: %s: expected an array", m->name, array_names[kind]);
	size_t n = (size_t)cJSON_GetArraySize(arr);
	m->rows[kind] = calloc(n ? n : 1, sizeof(ipam__jrow));
	if (!m->rows[kind])
		return ipam__enomem();
	size_t i = 0;
	for (const cJSON *c = arr->child; c; c = c->next, i++) {
		char where[300];
		snprintf(where, sizeof where, "%s: %s[%zu]", m->name, array_names[kind], i);
		m->nrows[kind] = i + 1;
		int rc = ipam__row_from_json(&m->rows[kind][i], kind, c, where);
		if (rc)
			return rc;
	}
	return 0;
}

static const char *const audit_fields[] = {
	"seq", "time", "actor", "action", "object", "before", "after", "prev", "hash",
};
#define NAUDIT_FIELDS 9

static int read_audit_entry(imp *m, size_t i, const cJSON *o, const span sp[2])
{
	jaudit *a = &m->audit[i];
	char where[300];
	snprintf(where, sizeof where, "%s: audit[%zu]", m->name, i);
	if (!cJSON_IsObject(o))
		return ipam__error(IPAM_EINVAL, "%s: expected an object", where);
	const cJSON *f[NAUDIT_FIELDS] = { NULL };
	for (const cJSON *c = o->child; c; c = c->next) {
		int j;
		for (j = 0; j < NAUDIT_FIELDS; j++)
			if (strcmp(c->string, audit_fields[j]) == 0)
				break;
		if (j == NAUDIT_FIELDS)
			return ipam__error(IPAM_EINVAL, "%s: unknown field %s in an audit entry", where, ipam__quote(c->string).s);
		if (f[j])
			return ipam__error(IPAM_EINVAL, "%s.%s: given twice", where, audit_fields[j]);
		f[j] = c;
	}
	for (int j = 0; j < NAUDIT_FIELDS; j++)
		if (!f[j])
			return ipam__error(IPAM_EINVAL, "%s.%s: missing", where, audit_fields[j]);
	if (u64_of(f[0], &a->e.seq) || a->e.seq == 0)
		return ipam__error(IPAM_EINVAL, "%s.seq: expected an integer in 1..2^53", where);
	if (!cJSON_IsString(f[1]))
		return ipam__error(IPAM_EINVAL, "%s.time: expected an RFC 3339 time", where);
	const char *why = ipam__time_parse(&a->e.time, f[1]->valuestring);
	if (why)
		return ipam__error(IPAM_EINVAL, "%s.time: %s: %s", where, ipam__quote(f[1]->valuestring).s, why);
	const char **str[3] = { &a->e.actor, &a->e.action, &a->e.object };
	for (int j = 0; j < 3; j++) {
		const cJSON *v = f[2 + j];
		if (cJSON_IsNull(v)) {
			*str[j] = NULL;
			continue;
		}
		if (!cJSON_IsString(v))
			return ipam__error(IPAM_EINVAL, "%s.%s: expected a string or null", where, audit_fields[2 + j]);
		long b = ipam__utf8_bad(v->valuestring);
		if (b >= 0)
			return ipam__error(IPAM_EINVAL, "%s.%s: byte %ld is not valid UTF-8", where, audit_fields[2 + j], b + 1);
		*str[j] = v->valuestring; /* lives as long as the cJSON tree */
	}
	for (int j = 0; j < 2; j++) {
		if (!sp[j].p)
			return ipam__error(IPAM_EINVAL, "%s.%s: cannot find its text in the document (a key written with escapes?)",
			                   where, audit_fields[5 + j]);
		a->is_null[j] = cJSON_IsNull(f[5 + j]);
		a->raw[j] = span_dup(&sp[j]);
		a->img[j] = a->is_null[j] ? NULL : minify(&sp[j]);
		if (!a->raw[j] || (!a->is_null[j] && !a->img[j]))
			return ipam__enomem();
		if (a->img[j] && strcmp(a->img[j], a->raw[j]) == 0) {
			free(a->raw[j]);
			a->raw[j] = NULL;
		}
		long b = ipam__utf8_bad(a->raw[j] ? a->raw[j] : a->img[j] ? a->img[j] : "");
		if (b >= 0)
			return ipam__error(IPAM_EINVAL, "%s.%s: byte %ld is not valid UTF-8", where, audit_fields[5 + j], b + 1);
	}
	a->e.before = a->img[0];
	a->e.after = a->img[1];
	if (hash_of(f[7], a->e.prev))
		return ipam__error(IPAM_EINVAL, "%s.prev: expected 64 hex digits", where);
	if (hash_of(f[8], a->e.hash))
		return ipam__error(IPAM_EINVAL, "%s.hash: expected 64 hex digits", where);
	return 0;
}

static int read_audit(imp *m, const cJSON *arr)
{
	if (!cJSON_IsArray(arr))
		return ipam__error(IPAM_EINVAL, "%s: audit: expected an array", m->name);
	size_t n = (size_t)cJSON_GetArraySize(arr);
	m->audit = calloc(n ? n : 1, sizeof *m->audit);
	span (*spans)[2] = calloc(n ? n : 1, sizeof *spans);
	if (!m->audit || !spans) {
		free(spans);
		return ipam__enomem();
	}
	find_spans(m->doc, spans, n);
	int rc = 0;
	size_t i = 0;
	for (const cJSON *c = arr->child; c && !rc; c = c->next, i++) {
		m->naudit = i + 1;
		rc = read_audit_entry(m, i, c, spans[i]);
	}
	free(spans);
	return rc;
}

static int read_head(imp *m, const cJSON *o)
{
	const cJSON *seq = NULL, *hash = NULL;
	if (!cJSON_IsObject(o))
		return ipam__error(IPAM_EINVAL, "%s: audit_head: expected an object", m->name);
	for (const cJSON *c = o->child; c; c = c->next) {
		if (strcmp(c->string, "seq") == 0 && !seq)
			seq = c;
		else if (strcmp(c->string, "hash") == 0 && !hash)
			hash = c;
		else
			return ipam__error(IPAM_EINVAL, "%s: audit_head: unexpected field %s", m->name, ipam__quote(c->string).s);
	}
	if (!seq || u64_of(seq, &m->head_seq))
		return ipam__error(IPAM_EINVAL, "%s: audit_head.seq: expected an integer in 0..2^53", m->name);
	if (!hash || hash_of(hash, m->head_hash))
		return ipam__error(IPAM_EINVAL, "%s: audit_head.hash: expected 64 hex digits", m->name);
	m->has_head = 1;
	return 0;
}

static int read_doc(imp *m)
{
	int rc;
	if (m->len == 0)
		return ipam__error(IPAM_EINVAL, "%s: empty document", m->name);
	const char *nul = memchr(m->doc, '\0', m->len);
	if (nul)
		return offset_error(m, (size_t)(nul - m->doc), "a NUL byte");
	const char *end = NULL;
	m->root = cJSON_ParseWithOpts(m->doc, &end, 1);
	if (!m->root) {
		size_t off = end && end >= m->doc ? (size_t)(end - m->doc) : 0;
		return offset_error(m, off, "invalid JSON");
	}
	if ((rc = check_nul_escapes(m)))
		return rc;
	if (!cJSON_IsObject(m->root))
		return ipam__error(IPAM_EINVAL, "%s: not a libipam export: the document is not a JSON object", m->name);
	if ((rc = read_header(m)))
		return rc;
	/* every field once, known ones only; then the arrays in their order */
	const cJSON *arrays[NKIND] = { NULL }, *audit = NULL, *head = NULL;
	int seen_fmt = 0, seen_ver = 0;
	for (const cJSON *c = m->root->child; c; c = c->next) {
		const cJSON **slot = NULL;
		int *flag = NULL;
		for (unsigned k = 1; k < NKIND; k++)
			if (strcmp(c->string, array_names[k]) == 0)
				slot = &arrays[k];
		if (strcmp(c->string, "audit") == 0)
			slot = &audit;
		else if (strcmp(c->string, "audit_head") == 0)
			slot = &head;
		else if (strcmp(c->string, "format") == 0)
			flag = &seen_fmt;
		else if (strcmp(c->string, "format_version") == 0)
			flag = &seen_ver;
		if (!slot && !flag)
			return ipam__error(IPAM_EINVAL, "%s: unknown field %s at the top level", m->name, ipam__quote(c->string).s);
		if ((slot && *slot) || (flag && *flag))
			return ipam__error(IPAM_EINVAL, "%s: %s: given twice", m->name, c->string);
		if (slot)
			*slot = c;
		else
			*flag = 1;
	}
	for (unsigned k = 1; k < NKIND; k++)
		if (arrays[k] && (rc = read_rows(m, k, arrays[k])))
			return rc;
	if (audit && (rc = read_audit(m, audit)))
		return rc;
	if (head && (rc = read_head(m, head)))
		return rc;
	return 0;
}

/* ---- import: checks across objects --------------------------------------------- */

typedef struct idref {
	const uint8_t *id;
	unsigned kind;
	size_t i;
} idref;

static int idref_cmp(const void *a, const void *b)
{
	return memcmp(((const idref *)a)->id, ((const idref *)b)->id, 16);
}

typedef struct keyref {
	const ipam_store_row *row;
	size_t i;
} keyref;

static int keyref_cmp(const void *a, const void *b)
{
	const keyref *x = a, *y = b;
	int c = ipam__store_key_cmp(x->row, y->row);
	if (c)
		return c;
	return x->i < y->i ? -1 : x->i > y->i;
}

static const ipam__jrow *find_by_name(const imp *m, unsigned kind, const char *name)
{
	for (size_t i = 0; i < m->nrows[kind]; i++)
		if (strcmp(m->rows[kind][i].name, name) == 0)
			return &m->rows[kind][i];
	return NULL;
}

static int tenant_known(const imp *m, const uint8_t id[16])
{
	if (is_default_tenant(id))
		return 1;
	for (size_t i = 0; i < m->nrows[IPAM_STORE_TENANT]; i++)
		if (memcmp(m->rows[IPAM_STORE_TENANT][i].row.id, id, 16) == 0)
			return 1;
	return 0;
}

static const char *key_text(char *buf, size_t size, const ipam_store_row *r)
{
	char a[IPAM_PREFIX_STRLEN], b[IPAM_ADDR_STRLEN];
	ipam_prefix p;
	switch (r->kind) {
	case IPAM_STORE_PREFIX:
		memset(&p, 0, sizeof p);
		p.addr = r->addr;
		p.len = r->len;
		ipam_prefix_format(a, sizeof a, &p);
		snprintf(buf, size, "prefix %s", a);
		break;
	case IPAM_STORE_RANGE:
		ipam_addr_format(a, sizeof a, &r->addr);
		ipam_addr_format(b, sizeof b, &r->last);
		snprintf(buf, size, "range %s-%s", a, b);
		break;
	case IPAM_STORE_ADDRESS:
		ipam_addr_format(a, sizeof a, &r->addr);
		snprintf(buf, size, "address %s", a);
		break;
	default:
		snprintf(buf, size, "name %s", ipam__quote(r->name).s);
	}
	return buf;
}

/* Resolve the names, check the fixed ids, and that no id or natural key
 * appears twice (the store would say so too, with less context). */
static int check_doc(imp *m)
{
	int rc = 0;
	/* the fixed ids and names */
	for (size_t i = 0; i < m->nrows[IPAM_STORE_TENANT]; i++) {
		const ipam__jrow *t = &m->rows[IPAM_STORE_TENANT][i];
		if (is_default_tenant(t->row.id) != (strcmp(t->name, "default") == 0))
			return ipam__error(IPAM_EINVAL, "%s: tenants[%zu]: the tenant named \"default\" and only it has the id "
			                   "00000000-0000-0000-0000-000000000000", m->name, i);
	}
	for (size_t i = 0; i < m->nrows[IPAM_STORE_SPACE]; i++) {
		const ipam__jrow *s = &m->rows[IPAM_STORE_SPACE][i];
		if (is_default_space(s->row.id) != (strcmp(s->name, "default") == 0))
			return ipam__error(IPAM_EINVAL, "%s: spaces[%zu]: the space named \"default\" and only it has the id "
			                   "00000000-0000-0000-0000-000000000001", m->name, i);
		if (!tenant_known(m, s->row.tenant))
			return ipam__error(IPAM_EINVAL, "%s: spaces[%zu].tenant: no such tenant in the document", m->name, i);
	}
	/* references: the space by name (the default space exists in every store) */
	for (unsigned k = IPAM_STORE_PREFIX; k < OBJ; k++) {
		for (size_t i = 0; i < m->nrows[k]; i++) {
			ipam__jrow *r = &m->rows[k][i];
			const ipam__jrow *s = find_by_name(m, IPAM_STORE_SPACE, r->space_name);
			if (s)
				memcpy(r->row.space, s->row.id, 16);
			else if (strcmp(r->space_name, "default") == 0)
				memcpy(r->row.space, ipam__default_space, 16);
			else
				return ipam__error(IPAM_EINVAL, "%s: %s[%zu].space: no space %s in the document", m->name,
				                   array_names[k], i, ipam__quote(r->space_name).s);
			if (!tenant_known(m, r->row.tenant))
				return ipam__error(IPAM_EINVAL, "%s: %s[%zu].tenant: no such tenant in the document", m->name,
				                   array_names[k], i);
		}
	}
	/* ids, over all kinds */
	size_t n = 0;
	for (unsigned k = 1; k < NKIND; k++)
		n += m->nrows[k];
	idref *ids = malloc((n ? n : 1) * sizeof *ids);
	if (!ids)
		return ipam__enomem();
	n = 0;
	for (unsigned k = 1; k < NKIND; k++)
		for (size_t i = 0; i < m->nrows[k]; i++)
			ids[n++] = (idref){ m->rows[k][i].row.id, k, i };
	qsort(ids, n, sizeof *ids, idref_cmp);
	/* an object's parent: none (zeros), or something in the document or in every store */
	for (size_t i = 0; i < m->nrows[OBJ] && !rc; i++) {
		const ipam__jrow *o = &m->rows[OBJ][i];
		idref key = { o->row.space, 0, 0 };
		static const uint8_t none[16];
		if (!tenant_known(m, o->row.tenant))
			rc = ipam__error(IPAM_EINVAL, "%s: objects[%zu].tenant: no such tenant in the document", m->name, i);
		else if (memcmp(o->row.space, none, 16) && !is_default_space(o->row.space) &&
		         !bsearch(&key, ids, n, sizeof *ids, idref_cmp))
			rc = ipam__error(IPAM_EINVAL, "%s: objects[%zu].parent: no object with that id in the document",
			                 m->name, i);
	}
	for (size_t i = 1; i < n && !rc; i++) {
		if (memcmp(ids[i - 1].id, ids[i].id, 16) == 0) {
			const idref *a = &ids[i - 1], *b = &ids[i];
			if (a->kind > b->kind || (a->kind == b->kind && a->i > b->i)) {
				const idref *t = a;
				a = b;
				b = t;
			}
			char id[37];
			ipam__uuid_format(id, b->id);
			rc = ipam__error(IPAM_EINVAL, "%s: %s[%zu].id: %s is also the id of %s[%zu]", m->name,
			                 array_names[b->kind], b->i, id, array_names[a->kind], a->i);
		}
	}
	free(ids);
	if (rc)
		return rc;
	/* natural keys, kind by kind */
	for (unsigned k = 1; k < NKIND && !rc; k++) {
		size_t nk = m->nrows[k];
		keyref *keys = malloc((nk ? nk : 1) * sizeof *keys);
		if (!keys)
			return ipam__enomem();
		for (size_t i = 0; i < nk; i++)
			keys[i] = (keyref){ &m->rows[k][i].row, i };
		qsort(keys, nk, sizeof *keys, keyref_cmp);
		for (size_t i = 1; i < nk && !rc; i++) {
			if (ipam__store_key_cmp(keys[i - 1].row, keys[i].row) == 0) {
				char t[320];
				const ipam__jrow *r = &m->rows[k][keys[i].i];
				if (k >= IPAM_STORE_PREFIX && k != OBJ)
					rc = ipam__error(IPAM_EINVAL, "%s: %s[%zu]: %s in space %s is also %s[%zu]", m->name,
					                 array_names[k], keys[i].i, key_text(t, sizeof t, keys[i].row),
					                 ipam__quote(r->space_name).s, array_names[k], keys[i - 1].i);
				else
					rc = ipam__error(IPAM_EINVAL, "%s: %s[%zu].name: %s is also the name of %s[%zu]", m->name,
					                 array_names[k], keys[i].i, ipam__quote(r->name).s, array_names[k],
					                 keys[i - 1].i);
			}
		}
		free(keys);
	}
	return rc;
}

/* The chain the document carries: seqs 1..n, each prev the hash before,
 * each hash its entry's. The first bad entry is IPAM_ETAMPER. */
static int verify_chain(imp *m)
{
	const uint8_t *prev = zero32;
	for (size_t i = 0; i < m->naudit; i++) {
		jaudit *a = &m->audit[i];
		uint64_t seq = a->e.seq;
		if (seq != i + 1)
			return ipam__error(IPAM_ETAMPER,
			                   "%s: audit chain broken at seq %llu: audit[%zu] should be seq %zu "
			                   "(entries were removed, inserted or reordered)",
			                   m->name, (unsigned long long)seq, i, i + 1);
		if (memcmp(a->e.prev, prev, 32) != 0)
			return ipam__error(IPAM_ETAMPER,
			                   "%s: audit chain broken at seq %llu: its prev is not the hash of %s", m->name,
			                   (unsigned long long)seq, i ? "the entry before" : "nothing (all zeros)");
		uint8_t h[32];
		int rc = ipam__audit_hash(h, &a->e);
		if (rc)
			return rc;
		if (memcmp(h, a->e.hash, 32) != 0 && (a->raw[0] || a->raw[1])) {
			/* the images as the document holds them, white space and all */
			ipam_store_audit e = a->e;
			if (a->raw[0])
				e.before = a->raw[0];
			if (a->raw[1])
				e.after = a->raw[1];
			if ((rc = ipam__audit_hash(h, &e)))
				return rc;
			if (memcmp(h, a->e.hash, 32) == 0)
				a->e = e;
		}
		if (memcmp(h, a->e.hash, 32) != 0)
			return ipam__error(IPAM_ETAMPER,
			                   "%s: audit chain broken at seq %llu: its hash does not match its contents "
			                   "(the entry was altered)",
			                   m->name, (unsigned long long)seq);
		prev = a->e.hash;
	}
	if (m->has_head) {
		uint64_t seq = m->naudit ? m->audit[m->naudit - 1].e.seq : 0;
		if (m->head_seq != seq || memcmp(m->head_hash, prev, 32) != 0)
			return ipam__error(IPAM_ETAMPER,
			                   "%s: audit chain broken: audit_head (seq %llu) is not the last entry (seq %llu): "
			                   "entries were removed from the end or the head was altered",
			                   m->name, (unsigned long long)m->head_seq, (unsigned long long)seq);
	}
	return 0;
}

/* ---- import: the transaction ----------------------------------------------------- */

typedef struct counter {
	uint64_t n;
	unsigned kind;
} counter;

static int count_row(void *ctx, const ipam_store_row *row)
{
	counter *c = ctx;
	if (c->kind == IPAM_STORE_TENANT && is_default_tenant(row->id))
		return 0;
	if (c->kind == IPAM_STORE_SPACE && is_default_space(row->id))
		return 0;
	c->n++;
	return 0;
}

static int check_empty(ipam_store *st)
{
	counter c[IPAM_STORE_KIND_MAX + 1];
	uint64_t seq = 0, total = 0, objects = 0;
	uint8_t hash[32];
	int rc;
	for (unsigned k = 1; k <= IPAM_STORE_KIND_MAX; k++) {
		c[k].n = 0;
		c[k].kind = k;
		if ((rc = st->scan(st, k, count_row, &c[k])))
			return rc;
		total += c[k].n;
		if (IPAM_STORE_IS_OBJECT(k))
			objects += c[k].n;
	}
	if ((rc = st->audit_head(st, &seq, hash)))
		return rc;
	if (total || seq)
		return ipam__error(IPAM_EEXISTS,
		                   "import: the store is not empty (%llu spaces, %llu prefixes, %llu ranges, "
		                   "%llu addresses, %llu objects, %llu tenants besides the defaults; %llu audit entries)",
		                   (unsigned long long)c[IPAM_STORE_SPACE].n, (unsigned long long)c[IPAM_STORE_PREFIX].n,
		                   (unsigned long long)c[IPAM_STORE_RANGE].n, (unsigned long long)c[IPAM_STORE_ADDRESS].n,
		                   (unsigned long long)objects, (unsigned long long)c[IPAM_STORE_TENANT].n,
		                   (unsigned long long)seq);
	return 0;
}

/* Prefix the store's message with the object it was about. */
static int store_error(int rc, const imp *m, const char *what, size_t i)
{
	if (rc == IPAM_ENOMEM)
		return rc;
	char msg[700];
	snprintf(msg, sizeof msg, "%s", ipam_error_last()->message);
	if (what)
		return ipam__error(rc, "%s: %s[%zu]: %s", m->name, what, i, msg);
	return ipam__error(rc, "%s: %s", m->name, msg);
}

/* Keep a copy of a row the store handed out (its strings live only until the
 * next call on the store). */
static int keep_row(ipam__jrow *dst, const ipam_store_row *src)
{
	memset(dst, 0, sizeof *dst);
	dst->row = *src;
	if ((src->name && !(dst->name = ipam__strdup(src->name))) ||
	    (src->description && !(dst->description = ipam__strdup(src->description))) ||
	    (src->attrs && !(dst->attrs = ipam__strdup(src->attrs))))
		return IPAM_ENOMEM;
	dst->row.name = dst->name;
	dst->row.description = dst->description;
	dst->row.attrs = dst->attrs;
	return 0;
}

/* The default tenant and space exist in every store from its creation. A
 * plain put would keep the stored rows' created times, and the next export
 * would differ from the document; so they are replaced whole: delete the
 * space, then the tenant (the space names it), and put both anew. A default
 * row the document does not hold is put back as it was. */
static int replace_defaults(imp *m, ipam_store *st)
{
	const ipam__jrow *dt = NULL, *ds = NULL;
	ipam__jrow ks;
	int rc = 0;
	memset(&ks, 0, sizeof ks);
	for (size_t i = 0; i < m->nrows[IPAM_STORE_TENANT]; i++)
		if (is_default_tenant(m->rows[IPAM_STORE_TENANT][i].row.id))
			dt = &m->rows[IPAM_STORE_TENANT][i];
	for (size_t i = 0; i < m->nrows[IPAM_STORE_SPACE]; i++)
		if (is_default_space(m->rows[IPAM_STORE_SPACE][i].row.id))
			ds = &m->rows[IPAM_STORE_SPACE][i];
	if (!dt && !ds)
		return 0;
	ipam_store_row key;
	if (!ds) { /* the tenant goes, so the space must go and come back */
		memset(&key, 0, sizeof key);
		key.kind = IPAM_STORE_SPACE;
		key.name = "default";
		if ((rc = st->get(st, &key)) || (rc = keep_row(&ks, &key)))
			goto done;
		ds = &ks;
	}
	memset(&key, 0, sizeof key);
	key.kind = IPAM_STORE_SPACE;
	key.name = "default";
	if ((rc = st->del(st, &key)) && rc != IPAM_ENOTFOUND)
		goto done;
	if (dt) {
		memset(&key, 0, sizeof key);
		key.kind = IPAM_STORE_TENANT;
		key.name = "default";
		if ((rc = st->del(st, &key)) && rc != IPAM_ENOTFOUND)
			goto done;
		if ((rc = st->put(st, &dt->row, IPAM_STORE_PUT_NEW)))
			goto done;
	}
	rc = st->put(st, &ds->row, IPAM_STORE_PUT_NEW);
done:
	if (rc)
		rc = store_error(rc, m, NULL, 0);
	ipam__jrow_dispose(&ks);
	return rc;
}

static int import_txn(imp *m, ipam_db *db, ipam_store *st)
{
	int rc = check_empty(st);
	if (rc || (rc = replace_defaults(m, st)))
		return rc;
	for (size_t o = 0; o < sizeof kind_order / sizeof kind_order[0]; o++) {
		unsigned k = kind_order[o];
		for (size_t i = 0; i < m->nrows[k]; i++) {
			const ipam_store_row *row = &m->rows[k][i].row;
			if ((k == IPAM_STORE_TENANT && is_default_tenant(row->id)) ||
			    (k == IPAM_STORE_SPACE && is_default_space(row->id)))
				continue;
			if ((rc = st->put(st, row, IPAM_STORE_PUT_NEW)))
				return store_error(rc, m, array_names[k], i);
		}
	}
	for (size_t i = 0; i < m->naudit; i++)
		if ((rc = st->audit_append(st, &m->audit[i].e)))
			return store_error(rc, m, "audit", i);
	if ((rc = ipam__db_reload(db)))
		return store_error(rc, m, NULL, 0);
	/* The index now holds what this transaction wrote. A rollback cannot
	 * replay a reload backwards: txn.c rebuilds the index then (the
	 * reload marked the transaction). */
	db->wrote = 1;
	return 0;
}

int ipam_import_json(ipam_db *db, const char *json, size_t len, const char *name)
{
	imp m;
	memset(&m, 0, sizeof m);
	m.name = name ? name : "import";
	if (!db || (!json && len))
		return ipam__error(IPAM_EINVAL, "%s: %s is NULL", m.name, !db ? "db" : "json");
	ipam_store *st = ipam__db_store(db);
	if (!st)
		return ipam__error(IPAM_EPERM, "%s: an index: handle has no store to import into", m.name);
	m.len = len;
	m.doc = malloc(len + 1);
	if (!m.doc)
		return ipam__enomem();
	if (len)
		memcpy(m.doc, json, len);
	m.doc[len] = '\0';
	int rc = read_doc(&m);
	if (!rc)
		rc = check_doc(&m);
	if (!rc)
		rc = verify_chain(&m);
	if (!rc) {
		ipam__scope sc;
		rc = ipam__enter(db, 1, &sc);
		if (!rc) {
			rc = import_txn(&m, db, st);
			rc = ipam__leave(db, &sc, rc);
		}
	}
	imp_free(&m);
	return rc;
}
