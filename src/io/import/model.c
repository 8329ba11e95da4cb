/* The normalised import model: items keyed by (type, space, key) so that
 * files describing the same object merge, the bad rows, the notes, and the
 * model's view as the fixtures' normalised JSON. */
#include "io/import/imp.h"

#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

void ipam__imp_model_init(ipam__imp_model *m)
{
	memset(m, 0, sizeof *m);
}

static void item_free(ipam__imp_item *it)
{
	if (!it)
		return;
	free(it->space);
	free(it->kind);
	free(it->name);
	free(it->description);
	free(it->hostname);
	free(it->rd);
	free(it->rtype);
	free(it->rdata);
	free(it->parent);
	free(it->addr_space);
	cJSON_Delete(it->attrs);
	cJSON_Delete(it->extra);
	cJSON_Delete(it->exclusions);
	free(it);
}

void ipam__imp_model_dispose(ipam__imp_model *m)
{
	for (size_t i = 0; i < m->nitems; i++)
		item_free(m->items[i]);
	free(m->items);
	free(m->slots);
	for (size_t i = 0; i < m->nfiles; i++)
		free(m->files[i]);
	free(m->files);
	for (size_t i = 0; i < m->nerrors; i++) {
		free(m->errors[i].field);
		free(m->errors[i].value);
		free(m->errors[i].message);
	}
	free(m->errors);
	for (size_t i = 0; i < m->nnotes; i++)
		free(m->notes[i]);
	free(m->notes);
	ipam__imp_pending_clear(m);
	cJSON_Delete(m->map);
	memset(m, 0, sizeof *m);
}

int ipam__imp_pending_add(ipam__imp_model *m, const char *file, const char *data, size_t len)
{
	ipam__imp_pending *p = realloc(m->pending, (m->npending + 1) * sizeof *p);
	if (!p)
		return ipam__enomem();
	m->pending = p;
	if (!(p[m->npending].data = malloc(len ? len : 1)))
		return ipam__enomem();
	if (len)
		memcpy(p[m->npending].data, data, len);
	p[m->npending].file = file;
	p[m->npending++].len = len;
	return 0;
}

void ipam__imp_pending_clear(ipam__imp_model *m)
{
	for (size_t i = 0; i < m->npending; i++)
		free(m->pending[i].data);
	free(m->pending);
	m->pending = NULL;
	m->npending = 0;
}

const char *ipam__imp_file(ipam__imp_model *m, const char *name)
{
	for (size_t i = 0; i < m->nfiles; i++)
		if (strcmp(m->files[i], name) == 0)
			return m->files[i];
	char **f = realloc(m->files, (m->nfiles + 1) * sizeof *f);
	if (!f)
		return ipam__enomem(), NULL;
	m->files = f;
	if (!(f[m->nfiles] = ipam__strdup(name)))
		return NULL;
	return f[m->nfiles++];
}

/* FNV-1a over the type, the space and the key. */
static uint64_t key_hash(enum ipam__imp_type type, const char *space, const char *key)
{
	uint64_t h = 1469598103934665603u ^ (uint64_t)type;
	for (const char *s = space ? space : ""; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	h = (h ^ 0xff) * 1099511628211u;
	for (const char *s = key; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return h;
}

static int same_space(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* The key of an item, rebuilt from it (so that the slots need not keep
 * strings): what ipam__imp_get was given. */
static void item_key(char *out, size_t size, const ipam__imp_item *it)
{
	char a[64], b[64];
	switch (it->type) {
	case IMP_SPACE:
	case IMP_ZONE:
		snprintf(out, size, "%s", it->name ? it->name : "");
		break;
	case IMP_PREFIX:
		ipam_prefix_format(out, size, &it->prefix);
		break;
	case IMP_RANGE:
		ipam__imp_addr_text(a, &it->first);
		ipam__imp_addr_text(b, &it->last);
		snprintf(out, size, "%s-%s", a, b);
		break;
	case IMP_ADDRESS:
		ipam__imp_addr_text(a, &it->first);
		snprintf(out, size, "%s", a);
		break;
	default:
		snprintf(out, size, "%s %s %s", it->name ? it->name : "", it->rtype ? it->rtype : "",
		         it->rdata ? it->rdata : "");
		break;
	}
}

/* The slots are placed by each item's hash, kept from when it was made:
 * growing the table rebuilds no key. */
static int rehash(ipam__imp_model *m)
{
	size_t n = m->nslots ? m->nslots * 2 : 256;
	struct ipam__imp_slot *s = calloc(n, sizeof *s);
	if (!s)
		return ipam__enomem();
	for (size_t i = 0; i < m->nitems; i++) {
		uint64_t hash = m->items[i]->hash;
		size_t h = (size_t)hash & (n - 1);
		while (s[h].i)
			h = (h + 1) & (n - 1);
		s[h].i = i + 1;
		s[h].hash = hash;
	}
	free(m->slots);
	m->slots = s;
	m->nslots = n;
	return 0;
}

/* The slot of (type, space, key): its item's index + 1, or 0 at the free
 * slot where it would go (*slot). */
static size_t lookup(const ipam__imp_model *m, enum ipam__imp_type type, const char *space, const char *key,
                     uint64_t hash, size_t *slot)
{
	char k[1024];
	size_t h = (size_t)hash & (m->nslots - 1);
	for (; m->slots[h].i; h = (h + 1) & (m->nslots - 1)) {
		if (m->slots[h].hash != hash)
			continue;
		const ipam__imp_item *it = m->items[m->slots[h].i - 1];
		if (it->type != type || !same_space(it->space, space))
			continue;
		item_key(k, sizeof k, it);
		if (strcmp(k, key) == 0)
			break;
	}
	*slot = h;
	return m->slots[h].i;
}

ipam__imp_item *ipam__imp_find(const ipam__imp_model *m, enum ipam__imp_type type, const char *space,
                               const char *key)
{
	size_t slot, i = m->nslots ? lookup(m, type, space, key, key_hash(type, space, key), &slot) : 0;
	return i ? m->items[i - 1] : NULL;
}

ipam__imp_item *ipam__imp_get(ipam__imp_model *m, enum ipam__imp_type type, const char *space, const char *key,
                              const char *file, unsigned long line, int *is_new)
{
	size_t h;
	uint64_t hash = key_hash(type, space, key);
	*is_new = 0;
	if ((m->nitems + 1) * 2 > m->nslots && rehash(m))
		return NULL;
	size_t i = lookup(m, type, space, key, hash, &h);
	if (i)
		return m->items[i - 1];
	if (m->nitems == m->citems) {
		size_t n = m->citems ? m->citems * 2 : 64;
		ipam__imp_item **v = realloc(m->items, n * sizeof *v);
		if (!v)
			return ipam__enomem(), NULL;
		m->items = v;
		m->citems = n;
	}
	ipam__imp_item *it = calloc(1, sizeof *it);
	if (!it)
		return ipam__enomem(), NULL;
	it->type = type;
	it->hash = hash;
	it->file = file;
	it->line = line;
	it->ttl = -1;
	it->vlan = -1;
	it->attrs = cJSON_CreateObject();
	it->extra = cJSON_CreateObject();
	it->exclusions = cJSON_CreateArray();
	if (!it->attrs || !it->extra || !it->exclusions || (space && !(it->space = ipam__strdup(space)))) {
		item_free(it);
		return ipam__enomem(), NULL;
	}
	m->items[m->nitems++] = it;
	m->slots[h].i = m->nitems;
	m->slots[h].hash = hash;
	*is_new = 1;
	return it;
}

int ipam__imp_err(ipam__imp_model *m, const char *file, unsigned long line, const char *field, const char *value,
                  const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (m->nerrors == m->cerrors) {
		size_t n = m->cerrors ? m->cerrors * 2 : 16;
		ipam__imp_error *v = realloc(m->errors, n * sizeof *v);
		if (!v)
			return ipam__enomem();
		m->errors = v;
		m->cerrors = n;
	}
	ipam__imp_error *e = &m->errors[m->nerrors];
	memset(e, 0, sizeof *e);
	e->file = file;
	e->line = line;
	if ((field && !(e->field = ipam__strdup(field))) || (value && !(e->value = ipam__strdup(value))) ||
	    !(e->message = ipam__strdup(msg))) {
		free(e->field);
		free(e->value);
		return IPAM_ENOMEM;
	}
	m->nerrors++;
	return 0;
}

int ipam__imp_note(ipam__imp_model *m, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	for (size_t i = 0; i < m->nnotes; i++)
		if (strcmp(m->notes[i], msg) == 0)
			return 0;
	char **v = realloc(m->notes, (m->nnotes + 1) * sizeof *v);
	if (!v)
		return ipam__enomem();
	m->notes = v;
	if (!(v[m->nnotes] = ipam__strdup(msg)))
		return IPAM_ENOMEM;
	m->nnotes++;
	return 0;
}

int ipam__imp_set(char **field, const char *s)
{
	if (!s || !*s)
		return 0;
	char *c = ipam__strdup(s);
	if (!c)
		return IPAM_ENOMEM;
	free(*field);
	*field = c;
	return 0;
}

int ipam__imp_attr(cJSON *attrs, const char *key, cJSON *v)
{
	if (!v)
		return ipam__enomem();
	if (cJSON_GetObjectItemCaseSensitive(attrs, key)) {
		if (!cJSON_ReplaceItemInObjectCaseSensitive(attrs, key, v)) {
			cJSON_Delete(v);
			return ipam__enomem();
		}
		return 0;
	}
	if (!cJSON_AddItemToObject(attrs, key, v)) {
		cJSON_Delete(v);
		return ipam__enomem();
	}
	return 0;
}

int ipam__imp_attr_str(cJSON *attrs, const char *key, const char *s)
{
	if (!s || !*s)
		return 0;
	return ipam__imp_attr(attrs, key, cJSON_CreateString(s));
}

int ipam__imp_attr_list(cJSON *attrs, const char *key, const char *s)
{
	if (!s || !*s)
		return 0;
	cJSON *arr = cJSON_CreateArray();
	if (!arr)
		return ipam__enomem();
	const char *p = s;
	while (*p) {
		const char *e = strchr(p, ',');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		while (n && (*p == ' ' || *p == '\t'))
			p++, n--;
		while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if (n) {
			char *w = malloc(n + 1);
			cJSON *v = w ? (memcpy(w, p, n), w[n] = '\0', cJSON_CreateString(w)) : NULL;
			free(w);
			if (!v || !cJSON_AddItemToArray(arr, v)) {
				cJSON_Delete(v);
				cJSON_Delete(arr);
				return ipam__enomem();
			}
		}
		p += (e ? (size_t)(e - p) + 1 : strlen(p));
		if (!e)
			break;
	}
	if (!cJSON_GetArraySize(arr)) {
		cJSON_Delete(arr);
		return 0;
	}
	return ipam__imp_attr(attrs, key, arr);
}

int ipam__imp_attr_merge(cJSON *dst, const cJSON *src)
{
	for (const cJSON *c = src ? src->child : NULL; c; c = c->next) {
		int rc = ipam__imp_attr(dst, c->string, cJSON_Duplicate(c, 1));
		if (rc)
			return rc;
	}
	return 0;
}

ipam__imp_item *ipam__imp_range(ipam__imp_model *m, const char *space, const ipam_addr *first,
                                const ipam_addr *last, const char *file, unsigned long line)
{
	char key[140], ta[64], tb[64];
	int is_new;
	ipam__imp_addr_text(ta, first);
	ipam__imp_addr_text(tb, last);
	snprintf(key, sizeof key, "%s-%s", ta, tb);
	ipam__imp_item *it = ipam__imp_get(m, IMP_RANGE, space, key, file, line, &is_new);
	if (it) {
		it->first = *first;
		it->last = *last;
	}
	return it;
}

ipam__imp_item *ipam__imp_address(ipam__imp_model *m, const char *space, const ipam_addr *a, const ipam_mac *mac,
                                  const char *file, unsigned long line)
{
	char key[64];
	int is_new;
	ipam__imp_addr_text(key, a);
	ipam__imp_item *it = ipam__imp_get(m, IMP_ADDRESS, space, key, file, line, &is_new);
	if (it) {
		it->first = *a;
		if (mac) {
			it->has_mac = 1;
			it->mac = *mac;
		}
	}
	return it;
}

/* ---- values ---- */

int ipam__imp_addr(ipam_addr *out, int *len, const char *s)
{
	const char *slash = strchr(s, '/');
	*len = -1;
	if (!slash)
		return ipam_addr_parse(out, s) ? -1 : 0;
	char *end;
	const char *l = slash + 1;
	if (*l < '0' || *l > '9')
		return -1;
	long v = strtol(l, &end, 10);
	if (*end || v < 0 || v > 128)
		return -1;
	if (ipam_addr_parse_n(out, s, (size_t)(slash - s)))
		return -1;
	if (v > (out->family == IPAM_AF_INET ? 32 : 128))
		return -1;
	*len = (int)v;
	return 0;
}

void ipam__imp_addr_text(char out[64], const ipam_addr *a)
{
	if (ipam_addr_format(out, 64, a) < 0)
		strcpy(out, "?");
}

int ipam__imp_netmask(const char *s)
{
	ipam_addr a;
	if (ipam_addr_parse(&a, s) || a.family != IPAM_AF_INET)
		return -1;
	uint32_t v = (uint32_t)ipam_addr_value(&a).lo;
	int n = 0;
	while (n < 32 && (v & (0x80000000u >> n)))
		n++;
	if (n < 32 && (v << n) != 0)
		return -1;
	return n;
}

int ipam__imp_bool(const char *s)
{
	if (!strcasecmp(s, "true") || !strcasecmp(s, "yes") || !strcmp(s, "1"))
		return 1;
	if (!strcasecmp(s, "false") || !strcasecmp(s, "no") || !strcmp(s, "0"))
		return 0;
	return -1;
}

int ipam__imp_utf8(const char *file, const char *data, size_t len)
{
	size_t i = 0;
	unsigned long line = 1;
	if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	while (i < len) {
		unsigned char c = (unsigned char)data[i];
		size_t n = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
		if (c == '\n')
			line++;
		if (c == 0)
			return ipam__error(IPAM_EINVAL, "%s:%lu: a NUL byte; the file is not text", file, line);
		int ok = n && i + n <= len && !(n == 2 && c < 0xC2) && !(n == 4 && c > 0xF4);
		for (size_t k = 1; ok && k < n; k++)
			ok = ((unsigned char)data[i + k] & 0xC0) == 0x80;
		if (ok && n == 3) {
			unsigned char d = (unsigned char)data[i + 1];
			ok = !(c == 0xE0 && d < 0xA0) && !(c == 0xED && d >= 0xA0);
		}
		if (ok && n == 4) {
			unsigned char d = (unsigned char)data[i + 1];
			ok = !(c == 0xF0 && d < 0x90) && !(c == 0xF4 && d >= 0x90);
		}
		if (!ok)
			return ipam__error(IPAM_EINVAL, "%s:%lu: byte 0x%02x is not UTF-8 (convert the file to UTF-8)", file,
			                   line, c);
		i += n;
	}
	return 0;
}

/* ---- the normalised view ---- */

static cJSON *str_or_null(const char *s)
{
	return s ? cJSON_CreateString(s) : cJSON_CreateNull();
}

static int add(cJSON *o, const char *k, cJSON *v)
{
	if (!v || !cJSON_AddItemToObject(o, k, v)) {
		cJSON_Delete(v);
		return -1;
	}
	return 0;
}

static cJSON *item_json(const ipam__imp_item *it, const char *global)
{
	cJSON *o = cJSON_CreateObject();
	char a[64], b[64];
	const char *vrf = it->space ? it->space : global;
	int bad = !o;
	switch (it->type) {
	case IMP_SPACE:
		bad = bad || add(o, "name", cJSON_CreateString(it->name ? it->name : global)) ||
		      add(o, "rd", str_or_null(it->rd));
		break;
	case IMP_PREFIX:
		ipam_prefix_format(a, sizeof a, &it->prefix);
		bad = bad || add(o, "prefix", cJSON_CreateString(a)) || add(o, "vrf", cJSON_CreateString(vrf)) ||
		      add(o, "kind", str_or_null(it->kind)) || add(o, "description", str_or_null(it->description)) ||
		      add(o, "vlan", it->vlan >= 0 ? cJSON_CreateNumber((double)it->vlan) : cJSON_CreateNull()) ||
		      add(o, "attributes", cJSON_Duplicate(it->attrs, 1)) ||
		      add(o, "parent", str_or_null(it->parent));
		break;
	case IMP_RANGE:
		ipam__imp_addr_text(a, &it->first);
		ipam__imp_addr_text(b, &it->last);
		bad = bad || add(o, "start", cJSON_CreateString(a)) || add(o, "end", cJSON_CreateString(b)) ||
		      add(o, "vrf", cJSON_CreateString(vrf)) || add(o, "kind", str_or_null(it->kind)) ||
		      add(o, "name", str_or_null(it->name)) || add(o, "exclusions", cJSON_Duplicate(it->exclusions, 1)) ||
		      add(o, "description", str_or_null(it->description)) ||
		      add(o, "attributes", cJSON_Duplicate(it->attrs, 1));
		break;
	case IMP_ADDRESS:
		ipam__imp_addr_text(a, &it->first);
		if (it->has_mac)
			ipam_mac_format(b, sizeof b, &it->mac);
		bad = bad || add(o, "address", cJSON_CreateString(a)) || add(o, "vrf", cJSON_CreateString(vrf)) ||
		      add(o, "hostname", str_or_null(it->hostname)) ||
		      add(o, "mac", it->has_mac ? cJSON_CreateString(b) : cJSON_CreateNull()) ||
		      add(o, "kind", str_or_null(it->kind)) || add(o, "description", str_or_null(it->description)) ||
		      add(o, "attributes", cJSON_Duplicate(it->attrs, 1)) ||
		      (it->name && add(o, "name", cJSON_CreateString(it->name)));
		break;
	case IMP_ZONE:
		bad = bad || add(o, "zone", str_or_null(it->name)) || add(o, "file", cJSON_CreateString(it->file)) ||
		      add(o, "ttl", it->ttl >= 0 ? cJSON_CreateNumber((double)it->ttl) : cJSON_CreateNull()) ||
		      add(o, "settings", cJSON_Duplicate(it->attrs, 1)) ||
		      (it->space && add(o, "view", cJSON_CreateString(it->space)));
		break;
	default:
		bad = bad || add(o, "name", str_or_null(it->name)) || add(o, "type", str_or_null(it->rtype)) ||
		      add(o, "data", str_or_null(it->rdata)) ||
		      add(o, "ttl", it->ttl >= 0 ? cJSON_CreateNumber((double)it->ttl) : cJSON_CreateNull());
		if (!bad && it->space)
			bad = add(o, "view", cJSON_CreateString(it->space));
		break;
	}
	if (bad) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

int ipam__imp_model_json(ipam_buf *out, const ipam__imp_model *m, const char *global)
{
	static const char *const names[IMP_NTYPES] = { "vrfs", "prefixes", "ranges", "addresses", "dns_records", "zones" };
	cJSON *root = cJSON_CreateObject();
	cJSON *arr[IMP_NTYPES] = { 0 };
	int rc = IPAM_ENOMEM;
	if (!root)
		return ipam__enomem();
	for (int t = 0; t < IMP_NTYPES; t++)
		if (!(arr[t] = cJSON_AddArrayToObject(root, names[t])))
			goto out;
	/* The global table first when anything lives in it, then the spaces in
	 * the order the source named them. */
	int global_used = 0, global_listed = 0;
	for (size_t i = 0; i < m->nitems; i++) {
		const ipam__imp_item *it = m->items[i];
		if (it->type == IMP_SPACE && it->name && strcmp(it->name, global) == 0)
			global_listed = 1;
		if (it->type != IMP_SPACE && it->type != IMP_RECORD && it->type != IMP_ZONE && !it->space)
			global_used = 1;
	}
	if (global_used && !global_listed) {
		cJSON *g = cJSON_CreateObject();
		if (add(g, "name", cJSON_CreateString(global)) || add(g, "rd", cJSON_CreateNull()) ||
		    !cJSON_AddItemToArray(arr[IMP_SPACE], g)) {
			cJSON_Delete(g);
			goto out;
		}
	}
	for (size_t i = 0; i < m->nitems; i++) {
		cJSON *o = item_json(m->items[i], global);
		if (!o || !cJSON_AddItemToArray(arr[m->items[i]->type], o)) {
			cJSON_Delete(o);
			goto out;
		}
	}
	char *s = cJSON_Print(root);
	if (!s)
		goto out;
	rc = ipam__buf_put(out, s, strlen(s));
	cJSON_free(s);
out:
	cJSON_Delete(root);
	return rc ? ipam__enomem() : 0;
}
