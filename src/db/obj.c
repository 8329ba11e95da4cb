/* Stored objects in the handle (see obj.h): a chained hash table per kind
 * over (parent, name), filled from the store at load and from the change
 * feed when catching up; and sealing of secrets. */
#include "db/obj.h"

#include <cjson/cJSON.h>

#include "io/io.h"
#include "store/store.h"

#include <stdlib.h>

#include <sodium.h>

#define NOBJ (IPAM_STORE_KIND_MAX - IPAM_STORE_OBJECT_MIN + 1)
#define NAME_MAX_BYTES 1024

/* Two secondary indexes keep the walks of one zone's records linear in
 * what they read: every object sits in the list of its parent's objects
 * (IX_PARENT), and a record also in the list of its owner's records, by
 * (zone, the first word of its name, ASCII case folded) (IX_OWNER). A list
 * is a group in a chained hash table of its own; a group that empties is
 * freed, so the indexes never hold more than the objects do. */
enum { IX_PARENT, IX_OWNER, NIX };

struct objgroup;

typedef struct objnode {
	struct objnode *next; /* in the hash chain */
	uint64_t h;
	struct objnode *gnext[NIX], *gprev[NIX];
	struct objgroup *g[NIX];
	ipam_store_row row; /* strings owned */
} objnode;

typedef struct objgroup {
	struct objgroup *next; /* in the group table's chain */
	uint64_t h;
	objnode *head;
	size_t n;
} objgroup;

typedef struct grouptab {
	objgroup **b;
	size_t nb, n;
} grouptab;

typedef struct objtab {
	objnode **b;
	size_t nb, n;
	grouptab g[NIX];
} objtab;

struct ipam__objs {
	objtab t[NOBJ];
};

static uint64_t mix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	return h;
}

static uint64_t parent_hash(const uint8_t parent[16])
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (int i = 0; i < 16; i++)
		h = (h ^ parent[i]) * 0x100000001b3ull;
	return h;
}

static uint64_t key_hash(const uint8_t parent[16], const char *name)
{
	uint64_t h = parent_hash(parent);
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		h = (h ^ *p) * 0x100000001b3ull;
	return mix(h);
}

static int is_word_end(char c)
{
	return c == '\0' || c == ' ' || c == '\t';
}

static unsigned char fold(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

/* The owner of a name: its first word (up to a blank), case folded. */
static uint64_t owner_hash(const uint8_t parent[16], const char *name, size_t *len)
{
	uint64_t h = parent_hash(parent) ^ 0x9e3779b97f4a7c15ull;
	size_t i = 0;
	for (; !is_word_end(name[i]); i++)
		h = (h ^ fold((unsigned char)name[i])) * 0x100000001b3ull;
	*len = i;
	return mix(h);
}

static int same_owner(const char *a, const char *b, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (fold((unsigned char)a[i]) != fold((unsigned char)b[i]))
			return 0;
	return is_word_end(a[len]) && is_word_end(b[len]);
}

static int owner_indexed(unsigned kind)
{
	return kind == IPAM_STORE_RECORD;
}

/* The group of index `ix` that holds (parent, name) (its owner for
 * IX_OWNER); NULL when there is none. */
static objgroup **group_find(objtab *t, int ix, const uint8_t parent[16], const char *name, uint64_t *hp)
{
	size_t len = 0;
	uint64_t h = ix == IX_PARENT ? mix(parent_hash(parent)) : owner_hash(parent, name, &len);
	*hp = h;
	grouptab *gt = &t->g[ix];
	if (!gt->nb)
		return NULL;
	for (objgroup **l = &gt->b[h & (gt->nb - 1)]; *l; l = &(*l)->next) {
		const ipam_store_row *r = &(*l)->head->row;
		if ((*l)->h == h && memcmp(r->space, parent, 16) == 0 && (ix == IX_PARENT || same_owner(r->name, name, len)))
			return l;
	}
	return NULL;
}

static int group_grow(grouptab *gt)
{
	if (gt->n < gt->nb)
		return 0;
	size_t nb = gt->nb ? gt->nb * 2 : 16;
	objgroup **b = calloc(nb, sizeof *b);
	if (!b)
		return ipam__enomem();
	for (size_t i = 0; i < gt->nb; i++)
		for (objgroup *g = gt->b[i], *next; g; g = next) {
			next = g->next;
			g->next = b[g->h & (nb - 1)];
			b[g->h & (nb - 1)] = g;
		}
	free(gt->b);
	gt->b = b;
	gt->nb = nb;
	return 0;
}

static void group_unlink(objtab *t, int ix, objnode *n)
{
	objgroup *g = n->g[ix];
	if (!g)
		return;
	if (n->gprev[ix])
		n->gprev[ix]->gnext[ix] = n->gnext[ix];
	else
		g->head = n->gnext[ix];
	if (n->gnext[ix])
		n->gnext[ix]->gprev[ix] = n->gprev[ix];
	n->g[ix] = NULL;
	if (--g->n)
		return;
	/* the group's last member: the group goes too (its chain is found by
	 * its hash, as the node's key no longer reaches it through head) */
	grouptab *gt = &t->g[ix];
	for (objgroup **l = &gt->b[g->h & (gt->nb - 1)]; *l; l = &(*l)->next)
		if (*l == g) {
			*l = g->next;
			break;
		}
	gt->n--;
	free(g);
}

static int group_link(objtab *t, int ix, objnode *n)
{
	uint64_t h;
	objgroup **l = group_find(t, ix, n->row.space, n->row.name, &h), *g;
	if (l) {
		g = *l;
	} else {
		grouptab *gt = &t->g[ix];
		if (group_grow(gt) || !(g = calloc(1, sizeof *g)))
			return ipam__enomem();
		g->h = h;
		g->next = gt->b[h & (gt->nb - 1)];
		gt->b[h & (gt->nb - 1)] = g;
		gt->n++;
	}
	n->g[ix] = g;
	n->gprev[ix] = NULL;
	n->gnext[ix] = g->head;
	if (g->head)
		g->head->gprev[ix] = n;
	g->head = n;
	g->n++;
	return 0;
}

static void node_unlink_groups(objtab *t, objnode *n)
{
	for (int ix = 0; ix < NIX; ix++)
		group_unlink(t, ix, n);
}

static int node_link_groups(objtab *t, objnode *n)
{
	int rc = group_link(t, IX_PARENT, n);
	if (!rc && owner_indexed(n->row.kind))
		rc = group_link(t, IX_OWNER, n);
	if (rc)
		node_unlink_groups(t, n);
	return rc;
}

static objtab *tab_of(ipam_db *db, unsigned kind, int create)
{
	if (!IPAM_STORE_IS_OBJECT(kind))
		return NULL;
	if (!db->objs) {
		if (!create)
			return NULL;
		if (!(db->objs = calloc(1, sizeof *db->objs))) {
			ipam__enomem();
			return NULL;
		}
	}
	return &db->objs->t[kind - IPAM_STORE_OBJECT_MIN];
}

static objnode **find(objtab *t, const uint8_t parent[16], const char *name, uint64_t h)
{
	if (!t || !t->nb)
		return NULL;
	for (objnode **l = &t->b[h & (t->nb - 1)]; *l; l = &(*l)->next)
		if ((*l)->h == h && memcmp((*l)->row.space, parent, 16) == 0 && strcmp((*l)->row.name, name) == 0)
			return l;
	return NULL;
}

static int grow(objtab *t)
{
	if (t->n < t->nb)
		return 0;
	size_t nb = t->nb ? t->nb * 2 : 64;
	objnode **b = calloc(nb, sizeof *b);
	if (!b)
		return ipam__enomem();
	for (size_t i = 0; i < t->nb; i++) {
		for (objnode *n = t->b[i], *next; n; n = next) {
			next = n->next;
			n->next = b[n->h & (nb - 1)];
			b[n->h & (nb - 1)] = n;
		}
	}
	free(t->b);
	t->b = b;
	t->nb = nb;
	return 0;
}

static void node_free(objnode *n)
{
	ipam__row_free(&n->row);
	free(n);
}

int ipam__objs_apply_put(ipam_db *db, const ipam_store_row *row)
{
	if (!row->name || !*row->name)
		return ipam__error(IPAM_EBACKEND, "store: a %s row without a name", ipam__store_kind_name(row->kind));
	objtab *t = tab_of(db, row->kind, 1);
	if (!t)
		return IPAM_ENOMEM;
	uint64_t h = key_hash(row->space, row->name);
	objnode *n = calloc(1, sizeof *n);
	if (!n)
		return ipam__enomem();
	if (ipam__row_copy(&n->row, row)) {
		free(n);
		return IPAM_ENOMEM;
	}
	n->h = h;
	objnode **l = find(t, row->space, row->name, h);
	if (l) { /* replace in place: the same key, so the same groups */
		objnode *old = *l;
		n->next = old->next;
		for (int ix = 0; ix < NIX; ix++) {
			if (!(n->g[ix] = old->g[ix]))
				continue;
			n->gprev[ix] = old->gprev[ix];
			n->gnext[ix] = old->gnext[ix];
			if (n->gprev[ix])
				n->gprev[ix]->gnext[ix] = n;
			else
				n->g[ix]->head = n;
			if (n->gnext[ix])
				n->gnext[ix]->gprev[ix] = n;
		}
		*l = n;
		node_free(old);
		return 0;
	}
	if (grow(t) || node_link_groups(t, n)) {
		node_free(n);
		return IPAM_ENOMEM;
	}
	n->next = t->b[h & (t->nb - 1)];
	t->b[h & (t->nb - 1)] = n;
	t->n++;
	return 0;
}

int ipam__objs_apply_del(ipam_db *db, const ipam_store_row *key)
{
	if (!key->name)
		return IPAM_ENOTFOUND;
	objtab *t = tab_of(db, key->kind, 0);
	objnode **l = find(t, key->space, key->name, key_hash(key->space, key->name));
	if (!l)
		return IPAM_ENOTFOUND;
	objnode *n = *l;
	*l = n->next;
	node_unlink_groups(t, n);
	node_free(n);
	t->n--;
	return 0;
}

void ipam__objs_free(ipam_db *db)
{
	if (!db->objs)
		return;
	for (int k = 0; k < NOBJ; k++) {
		objtab *t = &db->objs->t[k];
		for (size_t i = 0; i < t->nb; i++)
			for (objnode *n = t->b[i], *next; n; n = next) {
				next = n->next;
				node_free(n);
			}
		free(t->b);
		for (int ix = 0; ix < NIX; ix++) {
			grouptab *gt = &t->g[ix];
			for (size_t i = 0; i < gt->nb; i++)
				for (objgroup *g = gt->b[i], *next; g; g = next) {
					next = g->next;
					free(g);
				}
			free(gt->b);
		}
	}
	free(db->objs);
	db->objs = NULL;
}

static void to_obj(ipam__obj *o, const ipam_store_row *r)
{
	memset(o, 0, sizeof *o);
	o->kind = r->kind;
	memcpy(o->id, r->id, 16);
	memcpy(o->parent, r->space, 16);
	o->name = r->name;
	o->description = r->description;
	o->attrs = r->attrs;
	o->revision = r->revision;
	o->version = r->version;
	o->created = r->created;
	o->updated = r->updated;
}

/* Names: 1..1024 bytes of well-formed UTF-8 without control characters. */
static int check_name(unsigned kind, const char *name)
{
	if (!name || !*name)
		return ipam__error(IPAM_EINVAL, "%s: the name is empty", ipam__store_kind_name(kind));
	size_t n = strlen(name);
	if (n > NAME_MAX_BYTES)
		return ipam__error(IPAM_EINVAL, "%s %s: the name is longer than %d bytes", ipam__store_kind_name(kind),
		                   ipam__quote(name).s, NAME_MAX_BYTES);
	long bad = ipam__utf8_bad(name);
	if (bad >= 0)
		return ipam__error(IPAM_EINVAL, "%s %s: byte %ld of the name is not valid UTF-8", ipam__store_kind_name(kind),
		                   ipam__quote(name).s, bad + 1);
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
			return ipam__error(IPAM_EINVAL, "%s %s: the name holds a control character at byte %zu",
			                   ipam__store_kind_name(kind), ipam__quote(name).s, i + 1);
	return 0;
}

int ipam__obj_get(ipam_db *db, unsigned kind, const uint8_t parent[16], const char *name, ipam__obj *out)
{
	static const uint8_t none[16];
	if (!parent)
		parent = none;
	if (!name)
		return IPAM_ENOTFOUND;
	objnode **l = find(tab_of(db, kind, 0), parent, name, key_hash(parent, name));
	if (!l)
		return IPAM_ENOTFOUND;
	to_obj(out, &(*l)->row);
	return 0;
}

int ipam__obj_put(ipam_db *db, ipam__obj *o, unsigned flags, const char *action)
{
	if (!IPAM_STORE_IS_OBJECT(o->kind))
		return ipam__error(IPAM_EINVAL, "internal: object of kind %u", o->kind);
	int rc = check_name(o->kind, o->name);
	if (rc)
		return rc;
	if (o->description && ipam__utf8_bad(o->description) >= 0)
		return ipam__error(IPAM_EINVAL, "%s %s: the description is not valid UTF-8", ipam__store_kind_name(o->kind),
		                   ipam__quote(o->name).s);
	char *attrs = NULL;
	char field[64];
	snprintf(field, sizeof field, "%s attrs", ipam__store_kind_name(o->kind));
	if ((rc = ipam__norm_attrs(&attrs, o->attrs, field)))
		return rc;
	if (attrs && ipam__utf8_bad(attrs) >= 0) {
		free(attrs);
		return ipam__error(IPAM_EINVAL, "%s %s: the attrs are not valid UTF-8", ipam__store_kind_name(o->kind),
		                   ipam__quote(o->name).s);
	}
	objtab *t = tab_of(db, o->kind, 0);
	objnode **l = find(t, o->parent, o->name, key_hash(o->parent, o->name));
	if (l && (flags & IPAM__OBJ_NEW)) {
		free(attrs);
		return ipam__error(IPAM_EEXISTS, "%s %s already exists", ipam__store_kind_name(o->kind), ipam__quote(o->name).s);
	}
	if (!l && (flags & IPAM__OBJ_REPLACE)) {
		free(attrs);
		return ipam__error(IPAM_ENOTFOUND, "%s %s not found", ipam__store_kind_name(o->kind), ipam__quote(o->name).s);
	}
	ipam_store_row old, row;
	memset(&row, 0, sizeof row);
	row.kind = o->kind;
	memcpy(row.tenant, ipam__default_tenant, 16);
	memcpy(row.space, o->parent, 16);
	row.name = o->name;
	row.description = o->description;
	row.attrs = attrs;
	int64_t now = ipam__now_us();
	if (l) {
		/* a copy: the log's undo entry and the cache both outlive the node */
		if (ipam__row_copy(&old, &(*l)->row)) {
			free(attrs);
			return IPAM_ENOMEM;
		}
		memcpy(row.id, old.id, 16);
		row.created = old.created;
		row.version = old.version + 1;
	} else {
		static const uint8_t zero[16];
		memcpy(row.id, o->id, 16);
		if (memcmp(row.id, zero, 16) == 0)
			ipam__db_uuid(db, row.id);
		row.version = 1;
		row.created = now;
	}
	row.updated = now;
	rc = ipam__log_obj(db, action, l ? &old : NULL, &row);
	if (!rc)
		rc = ipam__objs_apply_put(db, &row);
	if (!rc) {
		memcpy(o->id, row.id, 16);
		o->version = row.version;
		o->created = row.created;
		o->updated = row.updated;
	}
	if (l)
		ipam__row_free(&old);
	free(attrs);
	return rc;
}

int ipam__obj_del(ipam_db *db, unsigned kind, const uint8_t parent[16], const char *name, const char *action)
{
	static const uint8_t none[16];
	if (!parent)
		parent = none;
	objnode **l = name ? find(tab_of(db, kind, 0), parent, name, key_hash(parent, name)) : NULL;
	if (!l)
		return ipam__error(IPAM_ENOTFOUND, "%s %s not found", ipam__store_kind_name(kind), ipam__quote(name).s);
	ipam_store_row old;
	if (ipam__row_copy(&old, &(*l)->row))
		return IPAM_ENOMEM;
	int rc = ipam__log_obj(db, action, &old, NULL);
	if (!rc)
		rc = ipam__objs_apply_del(db, &old);
	ipam__row_free(&old);
	return rc;
}

typedef struct {
	const ipam_store_row **v;
	size_t n;
} objlist;

static int row_order(const void *pa, const void *pb)
{
	const ipam_store_row *a = *(const ipam_store_row *const *)pa, *b = *(const ipam_store_row *const *)pb;
	int c = memcmp(a->space, b->space, 16);
	return c ? c : strcmp(a->name, b->name);
}

/* The first node of the walk and the index it follows: the parent's
 * group, or every node of the table when parent is NULL (ix < 0). */
static objnode *walk_first(objtab *t, const uint8_t *parent, int *ix, size_t *bucket)
{
	*bucket = 0;
	if (parent) {
		uint64_t h;
		objgroup **g = group_find(t, IX_PARENT, parent, NULL, &h);
		*ix = IX_PARENT;
		return g ? (*g)->head : NULL;
	}
	*ix = -1;
	for (; *bucket < t->nb; (*bucket)++)
		if (t->b[*bucket])
			return t->b[*bucket];
	return NULL;
}

static objnode *walk_next(objtab *t, objnode *n, int ix, size_t *bucket)
{
	if (ix >= 0)
		return n->gnext[ix];
	if (n->next)
		return n->next;
	for ((*bucket)++; *bucket < t->nb; (*bucket)++)
		if (t->b[*bucket])
			return t->b[*bucket];
	return NULL;
}

int ipam__obj_each(ipam_db *db, unsigned kind, const uint8_t *parent, int (*cb)(void *ctx, const ipam__obj *o),
                   void *ctx)
{
	objtab *t = tab_of(db, kind, 0);
	if (!t || !t->n)
		return 0;
	int ix;
	size_t bucket;
	objnode *first = walk_first(t, parent, &ix, &bucket);
	if (!first)
		return 0;
	objlist l = { malloc((ix >= 0 ? first->g[ix]->n : t->n) * sizeof *l.v), 0 };
	if (!l.v)
		return ipam__enomem();
	for (objnode *n = first; n; n = walk_next(t, n, ix, &bucket))
		l.v[l.n++] = &n->row;
	qsort(l.v, l.n, sizeof *l.v, row_order);
	int rc = 0;
	ipam__obj o;
	for (size_t i = 0; i < l.n && !rc; i++) {
		to_obj(&o, l.v[i]);
		rc = cb(ctx, &o);
	}
	free(l.v);
	return rc;
}

int ipam__obj_each_unordered(ipam_db *db, unsigned kind, const uint8_t *parent,
                             int (*cb)(void *ctx, const ipam__obj *o), void *ctx)
{
	objtab *t = tab_of(db, kind, 0);
	if (!t || !t->n)
		return 0;
	int ix, rc = 0;
	size_t bucket;
	ipam__obj o;
	for (objnode *n = walk_first(t, parent, &ix, &bucket); n && !rc; n = walk_next(t, n, ix, &bucket)) {
		to_obj(&o, &n->row);
		rc = cb(ctx, &o);
	}
	return rc;
}

int ipam__obj_each_owner(ipam_db *db, unsigned kind, const uint8_t parent[16], const char *owner,
                         int (*cb)(void *ctx, const ipam__obj *o), void *ctx)
{
	objtab *t = tab_of(db, kind, 0);
	if (!t || !t->n || !owner)
		return 0;
	if (!owner_indexed(kind))
		return ipam__error(IPAM_EINVAL, "internal: %s objects have no owner index", ipam__store_kind_name(kind));
	uint64_t h;
	objgroup **g = group_find(t, IX_OWNER, parent, owner, &h);
	int rc = 0;
	ipam__obj o;
	for (objnode *n = g ? (*g)->head : NULL; n && !rc; n = n->gnext[IX_OWNER]) {
		to_obj(&o, &n->row);
		rc = cb(ctx, &o);
	}
	return rc;
}

/* ---- sealing ------------------------------------------------------------------ */

#define SEAL_PREFIX "sealed:v1:"
#define SEAL_META "seal.key"

int ipam__is_sealed(const char *text)
{
	return text && strncmp(text, SEAL_PREFIX, sizeof SEAL_PREFIX - 1) == 0;
}

/* The handle's sealing key into db->seal_key (see obj.h). `make`: create
 * it in the store when there is none yet (needs a write transaction). */
static int seal_key(ipam_db *db, int make)
{
	if (db->seal_state)
		return 0;
	ipam_store *st = db->store;
	int volatile_or_encrypted = !st || !strcmp(st->scheme, "file") || !strcmp(st->scheme, "memory");
	if (!volatile_or_encrypted)
		return ipam__error(IPAM_EPERM, "%s keeps secrets only sealed under a key the caller holds: "
		                   "open it with ipam_open_options.secret_key_file", db->uri);
	if (!st) { /* index: a key for this handle's life */
		randombytes_buf(db->seal_key, sizeof db->seal_key);
		db->seal_state = 2;
		return 0;
	}
	char *hex = NULL;
	int rc = st->meta_get(st, SEAL_META, &hex);
	if (rc == 0) {
		rc = hex && strlen(hex) == 64 && ipam__unhex(db->seal_key, 32, hex) == 0
			? 0 : ipam__error(IPAM_EBACKEND, "%s: the stored sealing key is damaged", db->uri);
		if (hex)
			sodium_memzero(hex, strlen(hex));
		free(hex);
		if (!rc)
			db->seal_state = 2;
		return rc;
	}
	if (rc != IPAM_ENOTFOUND)
		return rc;
	if (!make)
		return ipam__error(IPAM_EAUTH, "%s holds no sealing key, so it cannot open this secret "
		                   "(sealed elsewhere: open with that handle's secret_key_file)", db->uri);
	uint8_t k[32];
	char t[65];
	randombytes_buf(k, sizeof k);
	ipam__hex(t, k, 32);
	rc = st->meta_put(st, SEAL_META, t);
	sodium_memzero(t, sizeof t);
	if (!rc) {
		memcpy(db->seal_key, k, 32);
		db->seal_state = 2;
	}
	sodium_memzero(k, sizeof k);
	return rc;
}

int ipam__seal(ipam_db *db, const void *secret, size_t len, char **out_text)
{
	*out_text = NULL;
	if (len > (1u << 20))
		return ipam__error(IPAM_EINVAL, "a secret of more than 1 MiB");
	int rc = seal_key(db, 1);
	if (rc)
		return rc;
	size_t blen = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + len;
	unsigned char *box = malloc(blen);
	if (!box)
		return ipam__enomem();
	randombytes_buf(box, crypto_secretbox_NONCEBYTES);
	crypto_secretbox_easy(box + crypto_secretbox_NONCEBYTES, secret, len, box, db->seal_key);
	size_t tlen = sizeof SEAL_PREFIX - 1 + sodium_base64_ENCODED_LEN(blen, sodium_base64_VARIANT_ORIGINAL);
	char *t = malloc(tlen);
	if (!t) {
		free(box);
		return ipam__enomem();
	}
	memcpy(t, SEAL_PREFIX, sizeof SEAL_PREFIX - 1);
	sodium_bin2base64(t + sizeof SEAL_PREFIX - 1, tlen - (sizeof SEAL_PREFIX - 1), box, blen,
	                  sodium_base64_VARIANT_ORIGINAL);
	free(box);
	*out_text = t;
	return 0;
}

int ipam__seal_json(ipam_db *db, cJSON *o, const char *key, const char *secret)
{
	if (!secret)
		return 0;
	char *sealed = NULL;
	int rc = ipam__seal(db, secret, strlen(secret), &sealed);
	if (rc)
		return rc;
	rc = cJSON_AddStringToObject(o, key, sealed) ? 0 : ipam__enomem();
	sodium_memzero(sealed, strlen(sealed));
	free(sealed);
	return rc;
}

int ipam__unseal(ipam_db *db, const char *text, void **out, size_t *out_len)
{
	*out = NULL;
	*out_len = 0;
	if (!ipam__is_sealed(text))
		return ipam__error(IPAM_EINVAL, "not a sealed secret (it does not start with \"" SEAL_PREFIX "\")");
	const char *b64 = text + sizeof SEAL_PREFIX - 1;
	size_t n = strlen(b64);
	unsigned char *box = malloc(n + 1);
	if (!box)
		return ipam__enomem();
	size_t blen = 0;
	if (sodium_base642bin(box, n + 1, b64, n, NULL, &blen, NULL, sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    blen < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES) {
		free(box);
		return ipam__error(IPAM_EINVAL, "a sealed secret that is not base64 of a sealed box");
	}
	int rc = seal_key(db, 0);
	if (rc) {
		free(box);
		return rc;
	}
	size_t len = blen - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES;
	unsigned char *plain = malloc(len + 1);
	if (!plain) {
		free(box);
		return ipam__enomem();
	}
	if (crypto_secretbox_open_easy(plain, box + crypto_secretbox_NONCEBYTES, blen - crypto_secretbox_NONCEBYTES,
	                               box, db->seal_key) != 0) {
		free(box);
		free(plain);
		return ipam__error(IPAM_EAUTH, "a sealed secret does not open with this handle's sealing key "
		                   "(sealed under another key, or altered)");
	}
	free(box);
	plain[len] = '\0';
	*out = plain;
	*out_len = len;
	return 0;
}

void ipam__unsealed_free(void *secret, size_t len)
{
	if (!secret)
		return;
	sodium_memzero(secret, len);
	free(secret);
}
