/* The database handle, spaces, record tables and shared validation. */
#include "db/db.h"
#include "db/obj.h"

#include "db/check.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <errno.h>

#include <sodium.h>

#include "store/store.h"

#include <stddef.h>
#include "io/io.h"

/* ---- locking ------------------------------------------------------------- */

void ipam__db_lock(ipam_db *db)
{
	pthread_mutex_lock(&db->lock);
}

void ipam__db_unlock(ipam_db *db)
{
	pthread_mutex_unlock(&db->lock);
}

/* ---- record tables ------------------------------------------------------- */

uint32_t ipam__table_take(ipam__table *t)
{
	if (t->nfree)
		return t->free_ids[--t->nfree];
	if (t->n == 0)
		t->n = 1;
	if (t->n >= t->cap) {
		uint64_t cap = t->cap < 64 ? 64 : (uint64_t)t->cap * 2;
		if (cap > UINT32_MAX / 2) {
			ipam__error(IPAM_ENOMEM, "too many records");
			return 0;
		}
		void *p = realloc(t->rows, (size_t)cap * t->row_size);
		if (!p) {
			ipam__enomem();
			return 0;
		}
		t->rows = p;
		t->cap = (uint32_t)cap;
	}
	uint32_t id = t->n++;
	memset((char *)t->rows + (size_t)id * t->row_size, 0, t->row_size);
	return id;
}

void ipam__table_give(ipam__table *t, uint32_t id)
{
	if (t->nfree == t->cfree) {
		uint32_t c = t->cfree ? t->cfree * 2 : 64;
		uint32_t *p = realloc(t->free_ids, (size_t)c * sizeof *p);
		if (!p)
			return; /* the id leaks; nothing breaks */
		t->free_ids = p;
		t->cfree = c;
	}
	memset((char *)t->rows + (size_t)id * t->row_size, 0, t->row_size);
	t->free_ids[t->nfree++] = id;
}

static void table_free(ipam__table *t)
{
	free(t->rows);
	free(t->free_ids);
	memset(t, 0, sizeof *t);
}

/* ---- iterator snapshots ---------------------------------------------------- */

int ipam__snap_push(ipam__snap *sn, int family, ipam__u128 key, unsigned len)
{
	if (sn->n == sn->cap) {
		size_t c = sn->cap ? sn->cap * 2 : 64;
		ipam__snap_key *p = realloc(sn->keys, c * sizeof *p);
		if (!p)
			return ipam__enomem();
		sn->keys = p;
		sn->cap = c;
	}
	sn->keys[sn->n].key = key;
	sn->keys[sn->n].len = (uint8_t)len;
	sn->keys[sn->n].family = (uint8_t)family;
	sn->n++;
	return 0;
}

int ipam__snap_walk(ipam__snap *sn, const ipam__trie *t, int family, ipam__u128 key, unsigned len, int what)
{
	ipam__trie_walk w;
	ipam__trie_hit h;
	int rc = 0;
	ipam__trie_walk_init(&w, t, key, len, what);
	while (!rc && ipam__trie_walk_next(&w, &h) == 0)
		rc = ipam__snap_push(sn, family, h.key, h.len);
	return rc;
}

int ipam__snap_next(ipam__snap *sn, void *out, uint32_t (*exists)(ipam__space *s, const ipam__snap_key *k),
                    int (*fill)(void *out, ipam_db *db, ipam__space *s, const ipam__snap_key *k, uint32_t id))
{
	int rc = IPAM_ITEROVER;
	ipam__db_lock(sn->db);
	ipam__space *s = ipam__space_find(sn->db, sn->space);
	while (s && sn->i < sn->n) {
		const ipam__snap_key *k = &sn->keys[sn->i++];
		uint32_t id = exists(s, k);
		if (id) {
			rc = fill(out, sn->db, s, k, id);
			break;
		}
	}
	ipam__db_unlock(sn->db);
	if (rc == IPAM_ITEROVER)
		ipam_error_clear();
	return rc;
}

void ipam__snap_free(ipam__snap *sn)
{
	free(sn->keys);
	free(sn->space);
	memset(sn, 0, sizeof *sn);
}

/* ---- text for messages --------------------------------------------------- */

ipam__txt ipam__addr_txt(const ipam_addr *a)
{
	ipam__txt t;
	if (ipam_addr_format(t.s, sizeof t.s, a) < 0)
		snprintf(t.s, sizeof t.s, "(invalid address)");
	return t;
}

ipam__txt ipam__prefix_txt(const ipam_prefix *p)
{
	ipam__txt t;
	if (ipam_prefix_format(t.s, sizeof t.s, p) < 0)
		snprintf(t.s, sizeof t.s, "(invalid prefix)");
	return t;
}

ipam__txt ipam__key_txt(int family, ipam__u128 key, int len)
{
	ipam_prefix p;
	ipam__key_addr(&p.addr, family, key);
	if (len < 0)
		return ipam__addr_txt(&p.addr);
	p.len = (uint8_t)len;
	p.reserved[0] = p.reserved[1] = p.reserved[2] = 0;
	return ipam__prefix_txt(&p);
}

void ipam__prefix_of(ipam_prefix *out, int family, ipam__u128 key, unsigned len)
{
	memset(out, 0, sizeof *out);
	ipam__key_addr(&out->addr, family, key);
	out->len = (uint8_t)len;
}

/* ---- validation ---------------------------------------------------------- */

int ipam__check_version(unsigned int got, unsigned int max, const char *what)
{
	if (got == 0 || got > max)
		return ipam__error(IPAM_EINVAL, "%s: unsupported struct version %u (this library knows 1..%u)", what, got, max);
	return 0;
}

int ipam__check_addr(const ipam_addr *a, const char *what)
{
	if (!a)
		return ipam__error(IPAM_EINVAL, "%s: no address given", what);
	if (a->family != IPAM_AF_INET && a->family != IPAM_AF_INET6)
		return ipam__error(IPAM_EINVAL, "%s: address family %u is neither 4 nor 6", what, a->family);
	if (a->family == IPAM_AF_INET) {
		uint32_t x;
		uint64_t y;
		memcpy(&x, a->bytes + 4, 4);
		memcpy(&y, a->bytes + 8, 8);
		if (x | y)
			return ipam__error(IPAM_EINVAL, "%s: IPv4 address with bytes past the fourth", what);
	}
	return 0;
}

int ipam__check_prefix(const ipam_prefix *p, const char *what)
{
	if (!p)
		return ipam__error(IPAM_EINVAL, "%s: no prefix given", what);
	int rc = ipam__check_addr(&p->addr, what);
	if (rc)
		return rc;
	unsigned w = ipam__width(p->addr.family);
	if (p->len > w)
		return ipam__error(IPAM_EINVAL, "%s: length %u out of range for IPv%u (0..%u)", what, p->len,
		                   p->addr.family, w);
	ipam__u128 k = ipam__addr_key(&p->addr);
	if (k & ~ipam__mask(p->len)) {
		ipam_prefix fixed = *p;
		ipam__key_addr(&fixed.addr, p->addr.family, k & ipam__mask(p->len));
		return ipam__error(IPAM_EINVAL, "%s/%u: host bits set; did you mean %s?", ipam__addr_txt(&p->addr).s,
		                   p->len, ipam__prefix_txt(&fixed).s);
	}
	return 0;
}

int ipam__norm_attrs(char **out, const char *json, const char *what)
{
	*out = NULL;
	if (!json)
		return 0;
	const char *end = NULL;
	cJSON *v = cJSON_ParseWithOpts(json, &end, 1);
	if (!v) {
		size_t off = end && end >= json ? (size_t)(end - json) : 0;
		return ipam__error(IPAM_EINVAL, "%s: invalid JSON at offset %zu", what, off);
	}
	if (!cJSON_IsObject(v)) {
		cJSON_Delete(v);
		return ipam__error(IPAM_EINVAL, "%s: must be a JSON object", what);
	}
	if (v->child == NULL) {
		cJSON_Delete(v);
		return 0;
	}
	char *s = cJSON_PrintUnformatted(v);
	cJSON_Delete(v);
	if (!s)
		return ipam__enomem();
	*out = ipam__strdup(s);
	cJSON_free(s);
	return *out ? 0 : IPAM_ENOMEM;
}

/* Host names: DNS names of labels 1..63 characters of letters, digits, '-'
 * and '_' (not starting or ending with '-'), 253 characters at most, one
 * optional final dot. Stored in lower case without the final dot. */
int ipam__norm_hostname(char **out, const char *name)
{
	*out = NULL;
	if (!name)
		return 0;
	size_t n = strlen(name);
	if (n && name[n - 1] == '.')
		n--;
	if (n == 0)
		return ipam__error(IPAM_EINVAL, "hostname: empty");
	if (n > 253)
		return ipam__error(IPAM_EINVAL, "hostname: %zu characters, more than 253", n);
	size_t lab = 0;
	for (size_t i = 0; i <= n; i++) {
		char c = i < n ? name[i] : '.';
		if (c == '.') {
			if (lab == 0)
				return ipam__error(IPAM_EINVAL, "hostname \"%.*s\": empty label at character %zu", (int)n, name, i + 1);
			if (name[i - 1] == '-')
				return ipam__error(IPAM_EINVAL, "hostname \"%.*s\": label ends with '-' at character %zu", (int)n, name, i);
			lab = 0;
			continue;
		}
		if (!(isalnum((unsigned char)c) || c == '-' || c == '_'))
			return ipam__error(IPAM_EINVAL, "hostname \"%.*s\": character %zu (0x%02x) is not a letter, digit, '-' or '_'",
			                   (int)(n > 64 ? 64 : n), name, i + 1, (unsigned char)c);
		if (lab == 0 && c == '-')
			return ipam__error(IPAM_EINVAL, "hostname \"%.*s\": label starts with '-' at character %zu", (int)n, name, i + 1);
		if (++lab > 63)
			return ipam__error(IPAM_EINVAL, "hostname \"%.*s\": label longer than 63 characters", (int)(n > 64 ? 64 : n), name);
	}
	char *s = malloc(n + 1);
	if (!s)
		return ipam__enomem();
	for (size_t i = 0; i < n; i++)
		s[i] = (char)tolower((unsigned char)name[i]);
	s[n] = '\0';
	*out = s;
	return 0;
}

static int check_space_name(const char *name)
{
	size_t n = name ? strlen(name) : 0;
	if (n == 0 || n > 63)
		return ipam__error(IPAM_EINVAL, "space name: must be 1..63 characters (got %zu)", n);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];
		if (!(isalnum(c) || strchr("-_.:/", c)))
			return ipam__error(IPAM_EINVAL, "space name \"%s\": character %zu (0x%02x) is not a letter, digit or one of - _ . : /",
			                   name, i + 1, c);
	}
	return 0;
}

static int norm_labels(char **out, const char *json)
{
	*out = NULL;
	if (!json)
		return 0;
	int rc = ipam__norm_attrs(out, json, "labels");
	if (rc || !*out)
		return rc;
	cJSON *v = cJSON_Parse(*out);
	if (!v)
		return ipam__enomem();
	for (cJSON *c = v->child; c; c = c->next) {
		if (!cJSON_IsString(c)) {
			int erc = ipam__error(IPAM_EINVAL, "labels: value of \"%.64s\" must be a string", c->string);
			cJSON_Delete(v);
			free(*out);
			*out = NULL;
			return erc;
		}
	}
	cJSON_Delete(v);
	return 0;
}

/* ---- spaces ---------------------------------------------------------------- */

static size_t space_pos(ipam_db *db, const char *name, int *found)
{
	size_t lo = 0, hi = db->nspaces;
	*found = 0;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(db->spaces[mid]->name, name);
		if (c == 0) {
			*found = 1;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

ipam__space *ipam__space_find(ipam_db *db, const char *name)
{
	if (!name || (name[0] == 'd' && strcmp(name, "default") == 0))
		return db->def;
	int found;
	size_t i = space_pos(db, name, &found);
	if (!found) {
		ipam__error(IPAM_ENOTFOUND, "space \"%.64s\" not found", name);
		return NULL;
	}
	return db->spaces[i];
}

static void space_free(ipam_db *db, ipam__space *s)
{
	if (!s)
		return;
	(void)db;
	ipam__trie_free(&s->trie[0]);
	ipam__trie_free(&s->trie[1]);
	for (size_t i = 0; i < s->nrange; i++) {
		free(s->ranges[i].description);
		free(s->ranges[i].attrs);
	}
	free(s->ranges);
	free(s->name);
	free(s->labels);
	free(s);
}

static int space_insert(ipam_db *db, const uint8_t id[16], const char *name, char *labels, ipam__space **out)
{
	int found;
	size_t pos = space_pos(db, name, &found);
	if (found)
		return ipam__error(IPAM_EEXISTS, "space \"%s\" already exists", name);
	if (db->nspaces == db->cspaces) {
		size_t c = db->cspaces ? db->cspaces * 2 : 8;
		ipam__space **p = realloc(db->spaces, c * sizeof *p);
		if (!p)
			return ipam__enomem();
		db->spaces = p;
		db->cspaces = c;
	}
	ipam__space *s = calloc(1, sizeof *s);
	if (!s || !(s->name = ipam__strdup(name))) {
		free(s);
		return ipam__enomem();
	}
	s->labels = labels;
	memcpy(s->id, id, 16);
	ipam__trie_init(&s->trie[0], 32);
	ipam__trie_init(&s->trie[1], 128);
	memmove(db->spaces + pos + 1, db->spaces + pos, (db->nspaces - pos) * sizeof *db->spaces);
	db->spaces[pos] = s;
	db->nspaces++;
	if (out)
		*out = s;
	return 0;
}

int ipam__space_put(ipam_db *db, const uint8_t id[16], const char *name, const char *labels)
{
	char *l = NULL;
	if (labels && !(l = ipam__strdup(labels)))
		return IPAM_ENOMEM;
	int found;
	size_t pos = space_pos(db, name, &found);
	if (found || strcmp(name, "default") == 0) {
		ipam__space *s = found ? db->spaces[pos] : db->def;
		free(s->labels);
		s->labels = l;
		memcpy(s->id, id, 16);
		return 0;
	}
	int rc = space_insert(db, id, name, l, NULL);
	if (rc)
		free(l);
	return rc;
}

int ipam__space_del(ipam_db *db, const char *name)
{
	int found;
	size_t i = space_pos(db, name, &found);
	if (!found || strcmp(name, "default") == 0)
		return IPAM_ENOTFOUND;
	ipam__space *s = db->spaces[i];
	if (s->nprefix || s->naddr || s->nrange)
		return ipam__error(IPAM_EINUSE, "space \"%s\" still holds %llu prefixes, %llu addresses and %zu ranges",
		                   name, (unsigned long long)s->nprefix, (unsigned long long)s->naddr, s->nrange);
	memmove(db->spaces + i, db->spaces + i + 1, (db->nspaces - i - 1) * sizeof *db->spaces);
	db->nspaces--;
	space_free(db, s);
	return 0;
}

static int space_add_once(ipam_db *db, const char *name, const char *labels_json)
{
	if (!db)
		return ipam__error(IPAM_EINVAL, "space add: no database");
	int rc = check_space_name(name);
	if (rc)
		return rc;
	char *labels;
	if ((rc = norm_labels(&labels, labels_json)))
		return rc;
	uint8_t id[16];
	ipam__scope sc;
	if ((rc = ipam__enter(db, 1, &sc))) {
		free(labels);
		return rc;
	}
	ipam__space *s = NULL;
	ipam__db_uuid(db, id);
	rc = space_insert(db, id, name, labels, &s);
	if (rc) {
		free(labels);
	} else {
		ipam_store_row row;
		ipam__row_space(&row, s);
		rc = ipam__log(db, "space.add", IPAM_STORE_PUT, &row, NULL);
	}
	return ipam__leave(db, &sc, rc);
}

int ipam_space_add(ipam_db *db, const char *name, const char *labels_json)
{
	/* lost a race with another writer: again, as ipam_db_run would */
	IPAM__SINGLE(db, space_add_once(db, name, labels_json));
}

static int space_rm_once(ipam_db *db, const char *name)
{
	if (!db)
		return ipam__error(IPAM_EINVAL, "space rm: no database");
	if (!name || strcmp(name, "default") == 0)
		return ipam__error(IPAM_EPERM, "space \"default\" cannot be removed");
	ipam__scope sc;
	int rc = ipam__enter(db, 1, &sc);
	if (rc)
		return rc;
	int found;
	size_t i = space_pos(db, name, &found);
	if (!found) {
		rc = ipam__error(IPAM_ENOTFOUND, "space \"%.64s\" not found", name);
	} else {
		ipam__space *s = db->spaces[i];
		if (s->nprefix || s->naddr || s->nrange) {
			rc = ipam__error(IPAM_EINUSE, "space \"%s\" still holds %llu prefixes, %llu addresses and %zu ranges",
			                 name, (unsigned long long)s->nprefix, (unsigned long long)s->naddr, s->nrange);
		} else {
			ipam_store_row row;
			ipam__row_space(&row, s);
			rc = ipam__log(db, "space.rm", IPAM_STORE_DEL, &row, NULL);
			if (!rc)
				rc = ipam__space_del(db, name);
		}
	}
	return ipam__leave(db, &sc, rc);
}

int ipam_space_rm(ipam_db *db, const char *name)
{
	/* lost a race with another writer: again, as ipam_db_run would */
	IPAM__SINGLE(db, space_rm_once(db, name));
}

void ipam_space_info_dispose(ipam_space_info *info)
{
	if (!info)
		return;
	free(info->name);
	free(info->labels_json);
	info->name = info->labels_json = NULL;
}

static int space_fill(ipam_space_info *out, const ipam__space *s)
{
	out->name = ipam__strdup(s->name);
	out->labels_json = ipam__strdup(s->labels ? s->labels : "{}");
	if (!out->name || !out->labels_json) {
		ipam_space_info_dispose(out);
		return ipam__enomem();
	}
	return 0;
}

int ipam_space_get(ipam_space_info *out, ipam_db *db, const char *name)
{
	if (!out || !db)
		return ipam__error(IPAM_EINVAL, "space get: no database or output");
	int rc = ipam__check_version(out->version, IPAM_SPACE_INFO_VERSION, "ipam_space_info");
	if (rc)
		return rc;
	out->name = out->labels_json = NULL;
	ipam__scope sc;
	if ((rc = ipam__enter(db, 0, &sc)))
		return rc;
	ipam__space *s = ipam__space_find(db, name);
	rc = s ? space_fill(out, s) : IPAM_ENOTFOUND;
	return ipam__leave(db, &sc, rc);
}

struct ipam_space_iter {
	ipam_db *db;
	char **names;
	size_t n, i;
};

int ipam_space_iter_new(ipam_space_iter **out, ipam_db *db)
{
	if (!out || !db)
		return ipam__error(IPAM_EINVAL, "space iterator: no database or output");
	ipam_space_iter *it = calloc(1, sizeof *it);
	if (!it)
		return ipam__enomem();
	it->db = db;
	ipam__scope sc;
	int rc = ipam__enter(db, 0, &sc);
	if (rc) {
		free(it);
		return rc;
	}
	it->names = calloc(db->nspaces ? db->nspaces : 1, sizeof *it->names);
	rc = it->names ? 0 : ipam__enomem();
	for (size_t i = 0; !rc && i < db->nspaces; i++) {
		if (!(it->names[i] = ipam__strdup(db->spaces[i]->name)))
			rc = IPAM_ENOMEM;
		it->n = i + 1;
	}
	rc = ipam__leave(db, &sc, rc);
	if (rc) {
		ipam_space_iter_free(it);
		return rc;
	}
	*out = it;
	return 0;
}

int ipam_space_iter_next(ipam_space_info *out, ipam_space_iter *it)
{
	if (!out || !it)
		return ipam__error(IPAM_EINVAL, "space iterator: no iterator or output");
	int rc = ipam__check_version(out->version, IPAM_SPACE_INFO_VERSION, "ipam_space_info");
	if (rc)
		return rc;
	ipam_space_info_dispose(out);
	ipam__db_lock(it->db);
	rc = IPAM_ITEROVER;
	while (it->i < it->n) {
		int found;
		size_t pos = space_pos(it->db, it->names[it->i++], &found);
		if (found) {
			rc = space_fill(out, it->db->spaces[pos]);
			break;
		}
	}
	ipam__db_unlock(it->db);
	return rc;
}

void ipam_space_iter_free(ipam_space_iter *it)
{
	if (!it)
		return;
	for (size_t i = 0; i < it->n; i++)
		free(it->names[i]);
	free(it->names);
	free(it);
}

/* ---- the handle -------------------------------------------------------------- */

int ipam_open_options_init(ipam_open_options *opts, unsigned int version)
{
	if (!opts)
		return ipam__error(IPAM_EINVAL, "open options: NULL");
	int rc = ipam__check_version(version, IPAM_OPEN_OPTIONS_VERSION, "ipam_open_options");
	if (rc)
		return rc;
	/* a caller built against an older header has the shorter struct: write
	 * that version's fields only, and say which version they are */
	static const size_t size[] = { 0, offsetof(ipam_open_options, flags),
	                               offsetof(ipam_open_options, secret_key_file), sizeof(ipam_open_options) };
	ipam_open_options d = IPAM_OPEN_OPTIONS_INIT;
	d.version = version;
	memcpy(opts, &d, size[version]);
	return 0;
}

static char *default_actor(void)
{
	struct passwd pw, *res = NULL;
	char buf[1024];
	if (getpwuid_r(geteuid(), &pw, buf, sizeof buf, &res) == 0 && res && res->pw_name)
		return ipam__strdup(res->pw_name);
	char tmp[32];
	snprintf(tmp, sizeof tmp, "uid:%u", (unsigned)geteuid());
	return ipam__strdup(tmp);
}

static void free_records(ipam_db *db)
{
	ipam__pfx_rec *p = db->pfx.rows;
	for (uint32_t i = 1; i < db->pfx.n; i++) {
		free(p[i].description);
		free(p[i].attrs);
	}
	ipam__ip_rec *a = db->ips.rows;
	for (uint32_t i = 1; i < db->ips.n; i++) {
		free(a[i].hostname);
		free(a[i].description);
		free(a[i].attrs);
	}
}

static void index_free(ipam_db *db)
{
	for (size_t i = 0; i < db->nspaces; i++)
		space_free(db, db->spaces[i]);
	free(db->spaces);
	db->spaces = NULL;
	db->nspaces = db->cspaces = 0;
	db->def = NULL;
	free_records(db);
	ipam__objs_free(db);
	table_free(&db->pfx);
	table_free(&db->ips);
}

/* Empty the index: the default space alone and the shared bare record. */
int ipam__index_reset(ipam_db *db)
{
	index_free(db);
	db->pfx.row_size = sizeof(ipam__pfx_rec);
	db->ips.row_size = sizeof(ipam__ip_rec);
	int rc = space_insert(db, ipam__default_space, "default", NULL, &db->def);
	/* the shared bare address record takes id 1 */
	if (!rc && ipam__table_take(&db->ips) != IPAM__BARE_IP)
		rc = IPAM_ENOMEM;
	return rc;
}

/* A raw key from a file: 32 bytes, or 64 hex digits and maybe a newline. */
int ipam__read_key_file(uint8_t key[32], const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return ipam__error(IPAM_EIO, "key file %.200s: %s", path, strerror(errno));
	uint8_t buf[80];
	size_t n = fread(buf, 1, sizeof buf, f);
	int err = ferror(f);
	fclose(f);
	int rc = 0;
	if (err) {
		rc = ipam__error(IPAM_EIO, "key file %.200s: cannot read it", path);
	} else if (n == 32) {
		memcpy(key, buf, 32);
	} else {
		while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
			n--;
		char hex[65];
		if (n == 64) {
			memcpy(hex, buf, 64);
			hex[64] = '\0';
		}
		if (n != 64 || ipam__unhex(key, 32, hex) != 0)
			rc = ipam__error(IPAM_EINVAL, "key file %.200s: expected 32 bytes or 64 hex digits", path);
		sodium_memzero(hex, sizeof hex);
	}
	sodium_memzero(buf, sizeof buf);
	return rc;
}

int ipam__uri_is_postgres(const char *uri)
{
	if (!strncmp(uri, "postgresql://", 13) || !strncmp(uri, "postgres://", 11))
		return 1;
	/* keyword=value pairs, as libpq takes them: "host=db1 dbname=ipam" */
	const char *p = uri;
	while (*p == ' ' || *p == '\t')
		p++;
	const char *k = p;
	while ((*p >= 'a' && *p <= 'z') || *p == '_')
		p++;
	if (p == k)
		return 0;
	while (*p == ' ' || *p == '\t')
		p++;
	return *p == '=';
}

static int db_new(ipam_db **out, const char *uri, const ipam_open_options *opts)
{
	*out = NULL;
	/* libsodium picks its fastest BLAKE2b/ChaCha20 code for this CPU only
	 * in sodium_init() (without it every audit hash ran the portable code,
	 * ~2x slower); it is idempotent and safe from many threads. */
	if (sodium_init() < 0)
		return ipam__error(IPAM_ERROR, "db open: libsodium could not start");
	ipam_db *db = calloc(1, sizeof *db);
	if (!db)
		return ipam__enomem();
	pthread_mutexattr_t ma;
	pthread_mutexattr_init(&ma);
	pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_RECURSIVE);
	int bad = pthread_mutex_init(&db->lock, &ma);
	pthread_mutexattr_destroy(&ma);
	if (bad) {
		free(db);
		return ipam__error(IPAM_ERROR, "db open: cannot create the handle's lock");
	}
	if (opts && opts->actor && (ipam__utf8_bad(opts->actor) >= 0 || strlen(opts->actor) > 256 || !*opts->actor)) {
		pthread_mutex_destroy(&db->lock);
		free(db);
		return ipam__error(IPAM_EINVAL, "db open: the actor must be 1..256 bytes of UTF-8");
	}
	db->uri = ipam__strdup(uri);
	db->actor = opts && opts->actor ? ipam__strdup(opts->actor) : default_actor();
	db->retry_max = opts && opts->version >= 2 && opts->retry_max ? opts->retry_max : 50;
	int rc = (!db->uri || !db->actor) ? IPAM_ENOMEM : 0;
	if (!rc && opts && opts->version >= 3 && opts->secret_key_file) {
		if (!(rc = ipam__read_key_file(db->seal_key, opts->secret_key_file)))
			db->seal_state = 1;
	}
	if (!rc)
		rc = ipam__index_reset(db);
	if (rc) {
		ipam_db_free(db);
		return rc;
	}
	*out = db;
	return 0;
}

static int check_open_options(const ipam_open_options *opts)
{
	if (!opts)
		return 0;
	return ipam__check_version(opts->version, IPAM_OPEN_OPTIONS_VERSION, "ipam_open_options");
}

int ipam_db_open_store(ipam_db **out, ipam_store *store, const ipam_open_options *opts)
{
	if (!out || !store)
		return ipam__error(IPAM_EINVAL, "db open: no output pointer or store");
	*out = NULL;
	int rc = check_open_options(opts);
	if (!rc && (store->version < 1 || !store->begin || !store->commit || !store->rollback || !store->put ||
	            !store->del || !store->get || !store->scan || !store->bump || !store->revision || !store->changes ||
	            !store->audit_head || !store->audit_append || !store->audit_scan || !store->meta_get ||
	            !store->meta_put || !store->free))
		rc = ipam__error(IPAM_EINVAL, "db open: store version %u or a required method missing", store->version);
	ipam_db *db = NULL;
	if (!rc)
		rc = db_new(&db, store->scheme ? store->scheme : "store:", opts);
	if (rc) {
		if (store->free)
			store->free(store);
		return rc;
	}
	db->store = store;
	store->owner = db;
	if ((rc = ipam__db_load(db))) {
		ipam_db_free(db);
		return rc;
	}
	*out = db;
	return 0;
}

int ipam_db_open(ipam_db **out, const char *uri, const ipam_open_options *opts)
{
	if (!out)
		return ipam__error(IPAM_EINVAL, "db open: no output pointer");
	*out = NULL;
	if (!uri)
		uri = "memory:";
	int rc = check_open_options(opts);
	if (rc)
		return rc;
	ipam__store_open_fn open_fn;
	ipam__store_args args;
	memset(&args, 0, sizeof args);
	if (strncmp(uri, "index:", 6) == 0) {
		open_fn = NULL;
	} else if (strncmp(uri, "memory:", 7) == 0) {
		open_fn = ipam__store_memory_open;
		args.path = uri + 7;
	} else if (strncmp(uri, "file:", 5) == 0) {
		open_fn = ipam__store_sqlcipher_open;
		args.path = uri + 5;
	} else if (ipam__uri_is_postgres(uri)) {
		open_fn = ipam__store_postgres_open;
		args.path = uri;
	} else if (strstr(uri, "://") || uri[0] == '\0') {
		/* not the URI itself: it may carry a password */
		const char *c = strstr(uri, "://");
		return ipam__error(IPAM_EINVAL, "db open: unknown store \"%.*s://...\" (this build knows file:PATH or a path, "
		                   "postgresql://..., postgres://..., libpq keyword=value strings, memory:, index:)",
		                   c ? (int)(c - uri < 32 ? c - uri : 32) : 0, uri);
	} else {
		open_fn = ipam__store_sqlcipher_open;
		args.path = uri;
	}
	if (open_fn == ipam__store_sqlcipher_open && args.path[0] == '\0')
		return ipam__error(IPAM_EINVAL, "db open \"%.200s\": no file name", uri);
	if (!open_fn) {
		ipam_db *db;
		if ((rc = db_new(&db, uri, opts)))
			return rc;
		*out = db;
		return 0;
	}
	uint8_t key[32];
	if (opts && opts->version >= 2) {
		args.flags = opts->flags;
		args.passphrase = opts->passphrase;
		args.busy_timeout_ms = opts->busy_timeout_ms;
		if (opts->key_file) {
			if ((rc = ipam__read_key_file(key, opts->key_file)))
				return rc;
			args.raw_key = key;
			args.raw_len = sizeof key;
		}
	}
	ipam_store *st = NULL;
	rc = open_fn(&st, &args);
	sodium_memzero(key, sizeof key);
	if (rc)
		return rc;
	ipam_db *db;
	if ((rc = ipam_db_open_store(&db, st, opts)))
		return rc;
	free(db->uri);
	/* Messages name the handle by db->uri: never a password. */
	if (!(db->uri = ipam__strdup(open_fn == ipam__store_postgres_open ? ipam__store_postgres_name(st) : uri))) {
		ipam_db_free(db);
		return IPAM_ENOMEM;
	}
	*out = db;
	return 0;
}

void ipam_db_free(ipam_db *db)
{
	if (!db)
		return;
	if (db->txn)
		ipam__txn_abort(db);
	if (db->store)
		db->store->free(db->store);
	index_free(db);
	ipam__txn_free(db);
	free(db->uri);
	free(db->actor);
	sodium_memzero(db->uuid_key, sizeof db->uuid_key);
	sodium_memzero(db->seal_key, sizeof db->seal_key);
	pthread_mutex_destroy(&db->lock);
	free(db);
}

int ipam_db_stats_get(ipam_db_stats *out, ipam_db *db)
{
	if (!out || !db)
		return ipam__error(IPAM_EINVAL, "db stats: no database or output");
	int rc = ipam__check_version(out->version, IPAM_DB_STATS_VERSION, "ipam_db_stats");
	if (rc)
		return rc;
	unsigned v = out->version;
	/* a caller built against version 1 has the shorter struct */
	memset(out, 0, v >= 2 ? sizeof *out : offsetof(ipam_db_stats, commits));
	out->version = v;
	ipam__db_lock(db);
	if (v >= 2) {
		out->commits = db->n_commits;
		out->conflicts = db->n_conflicts;
		out->retries = db->n_retries;
		if (db->store && db->store->scheme && !strcmp(db->store->scheme, "postgresql"))
			ipam__store_postgres_counts(db->store, &out->lock_waits, &out->reconnects);
	}
	out->spaces = db->nspaces;
	for (size_t i = 0; i < db->nspaces; i++) {
		ipam__space *s = db->spaces[i];
		out->prefixes += s->nprefix;
		out->addresses += s->naddr;
		out->ranges += s->nrange;
		for (int f = 0; f < 2; f++) {
			uint64_t n, b, r;
			ipam__trie_stats(&s->trie[f], &n, &b, &r);
			out->index_nodes += n;
			out->index_bytes += b;
			out->index_reserved += r;
		}
	}
	ipam__db_unlock(db);
	return 0;
}

static int count_items(const ipam__trie *t, int what, uint64_t *n)
{
	ipam__trie_walk w;
	ipam__trie_hit h;
	ipam__trie_walk_init(&w, t, 0, 0, what);
	while (ipam__trie_walk_next(&w, &h) == 0)
		(*n)++;
	return 0;
}

int ipam__db_check(ipam_db *db)
{
	int rc = 0;
	ipam__db_lock(db);
	for (size_t i = 0; !rc && i < db->nspaces; i++) {
		ipam__space *s = db->spaces[i];
		uint64_t np = 0, na = 0;
		for (int f = 0; !rc && f < 2; f++) {
			rc = ipam__trie_check(&s->trie[f]);
			count_items(&s->trie[f], IPAM__WALK_PREFIXES, &np);
			count_items(&s->trie[f], IPAM__WALK_ADDRS, &na);
		}
		if (!rc && (np != s->nprefix || na != s->naddr))
			rc = ipam__error(IPAM_ERROR, "space \"%s\": %llu prefixes and %llu addresses in the index, %llu and %llu counted",
			                 s->name, (unsigned long long)np, (unsigned long long)na,
			                 (unsigned long long)s->nprefix, (unsigned long long)s->naddr);
		if (!rc && i > 0 && strcmp(db->spaces[i - 1]->name, s->name) >= 0)
			rc = ipam__error(IPAM_ERROR, "spaces out of order");
	}
	ipam__db_unlock(db);
	return rc;
}
