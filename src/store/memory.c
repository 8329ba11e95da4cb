/* The memory: store: rows in RAM, for tests and throwaway use.
 *
 * Layout and costs (n rows of a kind, c changes, a audit entries, m meta):
 * - rows: one chained hash table per kind, keyed by the natural key. A row
 *   is one allocation: the node, then its strings packed behind it. put,
 *   get, del and bump cost O(1) expected (one hash, one short chain); the
 *   table doubles when it holds as many rows as buckets and never shrinks;
 *   scan is O(buckets + n), in bucket order (the contract says any order).
 * - the change feed: an array in revision order; changes(since) finds its
 *   start by binary search, O(log c) plus the changes it reports.
 * - audit entries: an array indexed by seq - 1; head and the start of a
 *   scan are O(1).
 * - meta: a short list searched linearly; it holds a handful of values.
 *
 * Transactions: a write frees nothing it replaces or deletes: the old node
 * (or meta value) goes to the undo log, the new one takes its place in the
 * table. Commit frees the old nodes; rollback walks the log backwards,
 * unlinking each new node and relinking the old one, and truncates the
 * change feed and the audit array to their lengths at begin. Every write
 * reserves its undo slot (and its change slot) before it touches anything,
 * so a write that fails for lack of memory leaves no trace, and rollback
 * itself never allocates.
 *
 * Revisions: the rows a write transaction puts get committed + 1, and so
 * do its changes; commit makes that number the committed revision only if
 * the transaction put or deleted a row. A transaction that only bumps,
 * appends audit entries or sets meta values takes no revision (as in the
 * sqlcipher store), so the change feed has an entry for every revision.
 * bump changes the version alone, not the row's revision. changes()
 * reports committed transactions only, never the open one's own changes.
 *
 * Lifetimes: the strings of a row, change or audit entry handed out point
 * into the store's own memory, valid until the next call on the store.
 * Callers must count on no more (in fact a row's live until a transaction
 * that replaces or deletes the row ends, the others until the store is
 * freed or the transaction that wrote them rolls back).
 *
 * Callbacks of scan, changes and audit_scan may read the store (get,
 * meta_get, revision, audit_head, another scan) but not write it: a write
 * from a callback is IPAM_EINVAL, and a rollback from one is done when the
 * walk returns.
 *
 * Every method but revision and free needs an open transaction
 * (IPAM_EINVAL outside one), and the writing ones a write transaction.
 * The open arguments are ignored: there is no path and no key (rekey is
 * NULL); check verifies the tables, the feed and the audit sequence.
 */
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>

typedef struct mem_node {
	struct mem_node *next; /* the bucket's chain */
	uint64_t hash;         /* of the natural key */
	ipam_store_row row;    /* strings point into text[] */
	char text[];
} mem_node;

typedef struct mem_table {
	mem_node **buckets; /* NULL until the first insert */
	size_t nbuckets;    /* a power of two */
	size_t count;
} mem_table;

typedef struct mem_meta {
	struct mem_meta *next;
	char *value; /* points into name[] behind the name */
	char name[];
} mem_meta;

/* One change, compact: the natural key only (a million of them in a big
 * store). `name` is owned; it is set for tenants and spaces. */
typedef struct mem_change {
	uint64_t revision;
	uint8_t op;
	uint8_t kind;
	uint8_t len;
	uint8_t space[16];
	ipam_addr addr;
	ipam_addr last;
	char *name;
} mem_change;

typedef struct mem_audit {
	ipam_store_audit e; /* strings point into text[] */
	char text[];
} mem_audit;

enum { UNDO_ROW, UNDO_BUMP, UNDO_META };

/* One write to undo. UNDO_ROW: `old` left the table (NULL: none was there),
 * `new` entered it (NULL: a delete). UNDO_BUMP: `new` is the node whose
 * version was `version`. UNDO_META: as UNDO_ROW for meta nodes. */
typedef struct mem_undo {
	unsigned int what;
	unsigned int kind;
	void *old;
	void *new;
	uint64_t version;
} mem_undo;

typedef struct mem_store {
	ipam_store base;
	mem_table rows[IPAM_STORE_KIND_MAX + 1]; /* by kind; [0] unused */
	mem_meta *meta;
	mem_change *changes;
	size_t nchanges, changes_cap;
	mem_audit **audit;
	size_t naudit, audit_cap;
	uint64_t committed; /* the newest committed revision */

	/* the open transaction */
	int in_txn;
	int write;
	int busy;              /* walks under way (a callback may start another): depth */
	int rollback_pending;  /* a callback asked for a rollback */
	uint64_t txn_rev;      /* committed + 1: the revision of this transaction's rows */
	size_t changes0, audit0;
	mem_undo *undo;
	size_t nundo, undo_cap;
} mem_store;

#define MEM_MIN_BUCKETS 16

/* ---- helpers --------------------------------------------------------------- */

/* Make room for `need` elements of `size` bytes: the array, perhaps moved,
 * or NULL (the old one untouched) when memory runs out. */
static void *grow(void *arr, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return arr;
	size_t n = *cap ? *cap : 16;
	while (n < need) {
		if (n > SIZE_MAX / 2 / size) {
			ipam__enomem();
			return NULL;
		}
		n *= 2;
	}
	void *p = realloc(arr, n * size);
	if (!p) {
		ipam__enomem();
		return NULL;
	}
	*cap = n;
	return p;
}

static int valid_kind(unsigned int kind)
{
	return kind >= 1 && kind <= IPAM_STORE_KIND_MAX;
}

/* The space's name for a message, or its UUID when no space has that id.
 * A scan of the spaces, which are few: for error paths only. */
static void space_text(char *out, size_t size, const mem_store *m, const uint8_t id[16])
{
	const mem_table *t = &m->rows[IPAM_STORE_SPACE];
	for (size_t i = 0; t->buckets && i < t->nbuckets; i++) {
		for (const mem_node *n = t->buckets[i]; n; n = n->next) {
			if (memcmp(n->row.id, id, 16) == 0) {
				snprintf(out, size, "\"%.100s\"", n->row.name);
				return;
			}
		}
	}
	char u[37];
	ipam__uuid_format(u, id);
	snprintf(out, size, "%s", u);
}

/* The natural key in words, for messages: `address 10.0.0.5 in space "blue"`. */
static void key_text(char *buf, size_t size, const mem_store *m, const ipam_store_row *r)
{
	char sp[110] = "";
	if (ipam__store_key_in_space(r->kind))
		space_text(sp, sizeof sp, m, r->space);
	ipam__store_key_words(buf, size, r, sp);
}

#define KEY_TEXT_MAX 320

/* ---- hashing the natural key ---------------------------------------------- */

static uint64_t hash_bytes(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;
	while (n >= 8) {
		uint64_t w;
		memcpy(&w, s, 8);
		h = (h ^ w) * 0x9e3779b97f4a7c15ull;
		h ^= h >> 32;
		s += 8;
		n -= 8;
	}
	uint64_t w = (uint64_t)n << 56;
	for (size_t i = 0; i < n; i++)
		w |= (uint64_t)s[i] << (8 * i);
	h = (h ^ w) * 0x9e3779b97f4a7c15ull;
	return h ^ (h >> 32);
}

static uint64_t hash_addr(uint64_t h, const ipam_addr *a)
{
	h = hash_bytes(h, &a->family, 1);
	return hash_bytes(h, a->bytes, 16);
}

/* Consistent with ipam__store_key_cmp: equal keys hash alike (a NULL name
 * is "", unused fields are left out). */
static uint64_t key_hash(const ipam_store_row *r)
{
	uint64_t h = 0x243f6a8885a308d3ull ^ r->kind;
	switch (r->kind) {
	case IPAM_STORE_TENANT:
	case IPAM_STORE_SPACE: {
		const char *n = r->name ? r->name : "";
		h = hash_bytes(h, n, strlen(n));
		break;
	}
	case IPAM_STORE_PREFIX:
		h = hash_bytes(h, r->space, 16);
		h = hash_addr(h, &r->addr);
		h = hash_bytes(h, &r->len, 1);
		break;
	case IPAM_STORE_RANGE:
		h = hash_bytes(h, r->space, 16);
		h = hash_addr(h, &r->addr);
		h = hash_addr(h, &r->last);
		break;
	case IPAM_STORE_ADDRESS:
		h = hash_bytes(h, r->space, 16);
		h = hash_addr(h, &r->addr);
		break;
	default:
		if (IPAM_STORE_IS_OBJECT(r->kind)) {
			const char *n = r->name ? r->name : "";
			h = hash_bytes(h, r->space, 16);
			h = hash_bytes(h, n, strlen(n));
		}
		break;
	}
	/* the murmur3 finalizer: the bucket index takes the low bits */
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 33;
	return h;
}

/* ---- the row tables -------------------------------------------------------- */

/* The link that points to the row with this key, or NULL. */
static mem_node **table_find(mem_table *t, const ipam_store_row *key, uint64_t h)
{
	if (!t->buckets)
		return NULL;
	mem_node **link = &t->buckets[h & (t->nbuckets - 1)];
	for (; *link; link = &(*link)->next)
		if ((*link)->hash == h && ipam__store_key_cmp(&(*link)->row, key) == 0)
			return link;
	return NULL;
}

static void table_link(mem_table *t, mem_node *n)
{
	mem_node **head = &t->buckets[n->hash & (t->nbuckets - 1)];
	n->next = *head;
	*head = n;
	t->count++;
}

/* Unlink this very node (it is in the table). */
static void table_unlink(mem_table *t, mem_node *n)
{
	mem_node **link = &t->buckets[n->hash & (t->nbuckets - 1)];
	while (*link != n)
		link = &(*link)->next;
	*link = n->next;
	n->next = NULL;
	t->count--;
}

/* Room for one more row. Only the first allocation can fail the caller:
 * when doubling fails the chains just grow longer. */
static int table_reserve(mem_table *t)
{
	if (!t->buckets) {
		t->buckets = calloc(MEM_MIN_BUCKETS, sizeof *t->buckets);
		if (!t->buckets)
			return ipam__enomem();
		t->nbuckets = MEM_MIN_BUCKETS;
		return 0;
	}
	if (t->count < t->nbuckets || t->nbuckets > SIZE_MAX / 2 / sizeof *t->buckets)
		return 0;
	size_t nb = t->nbuckets * 2;
	mem_node **b = calloc(nb, sizeof *b);
	if (!b)
		return 0;
	for (size_t i = 0; i < t->nbuckets; i++) {
		mem_node *n = t->buckets[i];
		while (n) {
			mem_node *next = n->next;
			n->next = b[n->hash & (nb - 1)];
			b[n->hash & (nb - 1)] = n;
			n = next;
		}
	}
	free(t->buckets);
	t->buckets = b;
	t->nbuckets = nb;
	return 0;
}

static void table_free(mem_table *t)
{
	for (size_t i = 0; t->buckets && i < t->nbuckets; i++) {
		mem_node *n = t->buckets[i];
		while (n) {
			mem_node *next = n->next;
			free(n);
			n = next;
		}
	}
	free(t->buckets);
	memset(t, 0, sizeof *t);
}

/* ---- rows ------------------------------------------------------------------ */

static int check_row(const mem_store *m, const ipam_store_row *r)
{
	char k[KEY_TEXT_MAX];
	switch (r->kind) {
	case IPAM_STORE_TENANT:
	case IPAM_STORE_SPACE:
		if (!r->name || !*r->name)
			return ipam_store_error(IPAM_EINVAL, "memory store: a %s needs a name", ipam__store_kind_name(r->kind));
		return 0;
	case IPAM_STORE_PREFIX:
	case IPAM_STORE_RANGE:
	case IPAM_STORE_ADDRESS:
		break;
	default:
		if (!IPAM_STORE_IS_OBJECT(r->kind))
			return ipam_store_error(IPAM_EINVAL, "memory store: unknown row kind %u", r->kind);
		if (!r->name || !*r->name)
			return ipam_store_error(IPAM_EINVAL, "memory store: a %s needs a name", ipam__store_kind_name(r->kind));
		return 0;
	}
	if (r->addr.family != IPAM_AF_INET && r->addr.family != IPAM_AF_INET6)
		return ipam_store_error(IPAM_EINVAL, "memory store: %s row: address family %u",
			ipam__store_kind_name(r->kind), (unsigned)r->addr.family);
	const char *bad = NULL;
	if (r->kind == IPAM_STORE_PREFIX && r->len > (r->addr.family == IPAM_AF_INET ? 32 : 128))
		bad = "length out of range";
	else if (r->kind == IPAM_STORE_RANGE && r->last.family != r->addr.family)
		bad = "the ends differ in family";
	else if (r->kind == IPAM_STORE_ADDRESS && r->maclen != 0 && r->maclen != 6 && r->maclen != 8)
		bad = "the MAC length is neither 6 nor 8";
	if (!bad)
		return 0;
	key_text(k, sizeof k, m, r);
	return ipam_store_error(IPAM_EINVAL, "memory store: %s: %s", k, bad);
}

static char *pack(char **at, const char *s)
{
	if (!s)
		return NULL;
	size_t n = strlen(s) + 1;
	char *d = memcpy(*at, s, n);
	*at += n;
	return d;
}

/* A node holding a deep copy of the fields `src`'s kind uses (the header
 * says which; the others stay zero, as a SQL backend with one column per
 * field gives them back). The description is kept for every kind, as the
 * sqlcipher store keeps it. */
static mem_node *node_new(const ipam_store_row *src, uint64_t h)
{
	unsigned int k = src->kind;
	int obj = IPAM_STORE_IS_OBJECT(k);
	const char *name = (k == IPAM_STORE_TENANT || k == IPAM_STORE_SPACE || k == IPAM_STORE_ADDRESS || obj) ? src->name : NULL;
	const char *descr = src->description;
	size_t total = (name ? strlen(name) + 1 : 0) + (descr ? strlen(descr) + 1 : 0) +
		(src->attrs ? strlen(src->attrs) + 1 : 0);
	mem_node *n = malloc(sizeof *n + total);
	if (!n) {
		ipam__enomem();
		return NULL;
	}
	memset(n, 0, sizeof *n);
	n->hash = h;
	ipam_store_row *r = &n->row;
	char *at = n->text;
	r->kind = k;
	memcpy(r->id, src->id, 16);
	if (k != IPAM_STORE_TENANT)
		memcpy(r->tenant, src->tenant, 16);
	r->version = src->version;
	r->created = src->created;
	r->updated = src->updated;
	r->name = pack(&at, name);
	r->description = pack(&at, descr);
	r->attrs = pack(&at, src->attrs);
	if (obj)
		memcpy(r->space, src->space, 16);
	if (k == IPAM_STORE_PREFIX || k == IPAM_STORE_RANGE || k == IPAM_STORE_ADDRESS) {
		memcpy(r->space, src->space, 16);
		r->addr.family = src->addr.family;
		memcpy(r->addr.bytes, src->addr.bytes, 16);
	}
	if (k == IPAM_STORE_PREFIX) {
		r->len = src->len;
		r->status = src->status;
		r->pool = src->pool;
	}
	if (k == IPAM_STORE_RANGE) {
		r->last.family = src->last.family;
		memcpy(r->last.bytes, src->last.bytes, 16);
		r->purpose = src->purpose;
	}
	if (k == IPAM_STORE_ADDRESS) {
		r->status = src->status;
		r->maclen = src->maclen;
		memcpy(r->mac, src->mac, src->maclen);
	}
	return n;
}

/* ---- transactions ---------------------------------------------------------- */

static int need_txn(mem_store *m, const char *what)
{
	if (!m->in_txn)
		return ipam_store_error(IPAM_EINVAL, "memory store: %s outside a transaction", what);
	return 0;
}

static int need_write(mem_store *m, const char *what)
{
	int rc = need_txn(m, what);
	if (rc < 0)
		return rc;
	if (!m->write)
		return ipam_store_error(IPAM_EINVAL, "memory store: %s in a read transaction", what);
	if (m->busy)
		return ipam_store_error(IPAM_EINVAL, "memory store: %s from a scan's callback", what);
	return 0;
}

static int undo_reserve(mem_store *m)
{
	mem_undo *p = grow(m->undo, &m->undo_cap, m->nundo + 1, sizeof *p);
	if (!p)
		return IPAM_ENOMEM;
	m->undo = p;
	return 0;
}

static void undo_push(mem_store *m, unsigned int what, unsigned int kind, void *old, void *new_)
{
	mem_undo *u = &m->undo[m->nundo++];
	memset(u, 0, sizeof *u); /* version: only UNDO_BUMP sets it */
	u->what = what;
	u->kind = kind;
	u->old = old;
	u->new = new_;
}

/* Reserve a change slot and, for named kinds, a copy of the name. */
static int change_reserve(mem_store *m, const ipam_store_row *r, char **name)
{
	*name = NULL;
	mem_change *p = grow(m->changes, &m->changes_cap, m->nchanges + 1, sizeof *p);
	if (!p)
		return IPAM_ENOMEM;
	m->changes = p;
	if (r->kind == IPAM_STORE_TENANT || r->kind == IPAM_STORE_SPACE || IPAM_STORE_IS_OBJECT(r->kind)) {
		*name = ipam__strdup(r->name ? r->name : "");
		if (!*name)
			return IPAM_ENOMEM;
	}
	return 0;
}

static void change_push(mem_store *m, unsigned int op, const ipam_store_row *r, char *name)
{
	mem_change *c = &m->changes[m->nchanges++];
	memset(c, 0, sizeof *c);
	c->revision = m->txn_rev;
	c->op = (uint8_t)op;
	c->kind = (uint8_t)r->kind;
	c->len = r->len;
	memcpy(c->space, r->space, 16);
	c->addr = r->addr;
	c->last = r->last;
	c->name = name;
}

static void meta_free_list(mem_meta *mt)
{
	while (mt) {
		mem_meta *next = mt->next;
		free(mt);
		mt = next;
	}
}

static void meta_unlink(mem_store *m, mem_meta *mt)
{
	mem_meta **link = &m->meta;
	while (*link && *link != mt)
		link = &(*link)->next;
	if (*link)
		*link = mt->next;
	mt->next = NULL;
}

static int mem_begin(ipam_store *st, int write)
{
	mem_store *m = (mem_store *)st;
	if (m->in_txn)
		return ipam_store_error(IPAM_EINVAL, "memory store: a transaction is already open");
	m->in_txn = 1;
	m->write = write != 0;
	m->txn_rev = m->committed + 1;
	m->changes0 = m->nchanges;
	m->audit0 = m->naudit;
	m->nundo = 0;
	return 0;
}

/* After a big transaction, give the log's memory back. */
static void undo_trim(mem_store *m)
{
	m->nundo = 0;
	if (m->undo_cap > 4096) {
		free(m->undo);
		m->undo = NULL;
		m->undo_cap = 0;
	}
}

static int mem_commit(ipam_store *st)
{
	mem_store *m = (mem_store *)st;
	int rc = need_txn(m, "commit");
	if (rc < 0)
		return rc;
	if (m->busy)
		return ipam_store_error(IPAM_EINVAL, "memory store: commit from a scan's callback");
	for (size_t i = 0; i < m->nundo; i++) {
		mem_undo *u = &m->undo[i];
		if (u->what == UNDO_ROW || u->what == UNDO_META)
			free(u->old); /* it left the table, for good now */
	}
	undo_trim(m);
	if (m->nchanges > m->changes0)
		m->committed = m->txn_rev;
	m->in_txn = 0;
	m->write = 0;
	return 0;
}

static void rollback_now(mem_store *m)
{
	for (size_t i = m->nundo; i-- > 0;) {
		mem_undo *u = &m->undo[i];
		switch (u->what) {
		case UNDO_ROW: {
			mem_table *t = &m->rows[u->kind];
			mem_node *nw = u->new, *old = u->old;
			if (nw) {
				table_unlink(t, nw);
				free(nw);
			}
			if (old)
				table_link(t, old); /* no allocation: the buckets are there */
			break;
		}
		case UNDO_BUMP: {
			mem_node *n = u->new;
			n->row.version = u->version;
			break;
		}
		case UNDO_META: {
			mem_meta *nw = u->new, *old = u->old;
			if (nw) {
				meta_unlink(m, nw);
				free(nw);
			}
			if (old) {
				old->next = m->meta;
				m->meta = old;
			}
			break;
		}
		}
	}
	undo_trim(m);
	while (m->nchanges > m->changes0)
		free(m->changes[--m->nchanges].name);
	while (m->naudit > m->audit0)
		free(m->audit[--m->naudit]);
	m->in_txn = 0;
	m->write = 0;
	m->rollback_pending = 0;
}

static void mem_rollback(ipam_store *st)
{
	mem_store *m = (mem_store *)st;
	if (!m->in_txn)
		return;
	if (m->busy) {
		/* the scan still walks the rows; it stops and rolls back on return */
		m->rollback_pending = 1;
		return;
	}
	rollback_now(m);
}

/* Bracket a callback-driven walk. */
static void walk_begin(mem_store *m)
{
	m->busy++;
}

static void walk_end(mem_store *m)
{
	if (--m->busy == 0 && m->rollback_pending)
		rollback_now(m);
}

/* ---- rows: put, del, get, scan, bump -------------------------------------- */

static int mem_put(ipam_store *st, const ipam_store_row *row, unsigned int flags)
{
	mem_store *m = (mem_store *)st;
	char k[KEY_TEXT_MAX], *cname;
	int rc;
	if ((rc = need_write(m, "put")) < 0)
		return rc;
	if (!row)
		return ipam_store_error(IPAM_EINVAL, "memory store: put of no row");
	if ((rc = check_row(m, row)) < 0)
		return rc;
	if (flags & ~IPAM_STORE_PUT_NEW)
		return ipam_store_error(IPAM_EINVAL, "memory store: put: unknown flags 0x%x", flags);

	mem_table *t = &m->rows[row->kind];
	uint64_t h = key_hash(row);
	mem_node **link = table_find(t, row, h);
	mem_node *old = link ? *link : NULL;
	if (old && (flags & IPAM_STORE_PUT_NEW)) {
		key_text(k, sizeof k, m, row);
		return ipam_store_error(IPAM_EEXISTS, "memory store: %s already exists", k);
	}
	/* everything that can fail, before anything changes */
	if ((rc = undo_reserve(m)) < 0 || (!old && (rc = table_reserve(t)) < 0))
		return rc;
	if ((rc = change_reserve(m, row, &cname)) < 0)
		return rc;
	mem_node *n = node_new(row, h);
	if (!n) {
		free(cname);
		return IPAM_ENOMEM;
	}
	n->row.revision = m->txn_rev;
	if (old) {
		memcpy(n->row.id, old->row.id, 16);
		n->row.created = old->row.created;
		n->next = old->next;
		*link = n; /* the same bucket: same key, same hash */
		old->next = NULL;
	} else {
		table_link(t, n); /* table_reserve may have moved the buckets: link afresh */
	}
	undo_push(m, UNDO_ROW, row->kind, old, n);
	change_push(m, IPAM_STORE_PUT, &n->row, cname);
	return 0;
}

static int key_lookup(mem_store *m, const ipam_store_row *key, const char *what, mem_node ***link)
{
	char k[KEY_TEXT_MAX];
	if (!key)
		return ipam_store_error(IPAM_EINVAL, "memory store: %s of no row", what);
	if (!valid_kind(key->kind))
		return ipam_store_error(IPAM_EINVAL, "memory store: %s: unknown row kind %u", what, key->kind);
	*link = table_find(&m->rows[key->kind], key, key_hash(key));
	if (!*link) {
		key_text(k, sizeof k, m, key);
		return ipam_store_error(IPAM_ENOTFOUND, "memory store: %s not found", k);
	}
	return 0;
}

static int mem_del(ipam_store *st, const ipam_store_row *key)
{
	mem_store *m = (mem_store *)st;
	mem_node **link;
	char *cname;
	int rc;
	if ((rc = need_write(m, "del")) < 0 || (rc = key_lookup(m, key, "del", &link)) < 0)
		return rc;
	mem_node *old = *link;
	if ((rc = undo_reserve(m)) < 0 || (rc = change_reserve(m, &old->row, &cname)) < 0)
		return rc;
	*link = old->next;
	old->next = NULL;
	m->rows[key->kind].count--;
	undo_push(m, UNDO_ROW, key->kind, old, NULL);
	change_push(m, IPAM_STORE_DEL, &old->row, cname);
	return 0;
}

static int mem_get(ipam_store *st, ipam_store_row *row)
{
	mem_store *m = (mem_store *)st;
	mem_node **link;
	int rc;
	if ((rc = need_txn(m, "get")) < 0 || (rc = key_lookup(m, row, "get", &link)) < 0)
		return rc;
	*row = (*link)->row;
	return 0;
}

static int mem_bump(ipam_store *st, const ipam_store_row *key)
{
	mem_store *m = (mem_store *)st;
	mem_node **link;
	int rc;
	if ((rc = need_write(m, "bump")) < 0 || (rc = key_lookup(m, key, "bump", &link)) < 0)
		return rc;
	if ((rc = undo_reserve(m)) < 0)
		return rc;
	mem_node *n = *link;
	undo_push(m, UNDO_BUMP, key->kind, NULL, n);
	m->undo[m->nundo - 1].version = n->row.version;
	n->row.version++;
	return 0;
}

static int mem_scan(ipam_store *st, unsigned int kind, ipam_store_row_cb cb, void *ctx)
{
	mem_store *m = (mem_store *)st;
	int rc;
	if ((rc = need_txn(m, "scan")) < 0)
		return rc;
	if (!valid_kind(kind))
		return ipam_store_error(IPAM_EINVAL, "memory store: scan: unknown row kind %u", kind);
	if (!cb)
		return ipam_store_error(IPAM_EINVAL, "memory store: scan without a callback");
	mem_table *t = &m->rows[kind];
	rc = 0;
	walk_begin(m);
	/* writes are refused while we walk, so the buckets stay put */
	for (size_t i = 0; t->buckets && i < t->nbuckets && !rc && !m->rollback_pending; i++)
		for (mem_node *n = t->buckets[i]; n && !rc && !m->rollback_pending; n = n->next)
			rc = cb(ctx, &n->row);
	walk_end(m);
	return rc;
}

/* ---- the change feed --------------------------------------------------------- */

static int mem_revision(ipam_store *st, uint64_t *out)
{
	mem_store *m = (mem_store *)st;
	if (!out)
		return ipam_store_error(IPAM_EINVAL, "memory store: revision: no output");
	*out = m->committed;
	return 0;
}

static int mem_changes(ipam_store *st, uint64_t since, ipam_store_change_cb cb, void *ctx)
{
	mem_store *m = (mem_store *)st;
	int rc;
	if ((rc = need_txn(m, "changes")) < 0)
		return rc;
	if (!cb)
		return ipam_store_error(IPAM_EINVAL, "memory store: changes without a callback");
	/* Committed changes only: the open transaction's own come after
	 * changes0 and are no transaction "committed after since" yet. */
	size_t end = m->write ? m->changes0 : m->nchanges;
	size_t lo = 0, hi = end;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (m->changes[mid].revision <= since)
			lo = mid + 1;
		else
			hi = mid;
	}
	rc = 0;
	walk_begin(m);
	for (size_t i = lo; i < end && !rc && !m->rollback_pending; i++) {
		const mem_change *c = &m->changes[i]; /* by index: nothing appends while we walk */
		ipam_store_change ch;
		memset(&ch, 0, sizeof ch);
		ch.revision = c->revision;
		ch.op = c->op;
		ch.key.kind = c->kind;
		ch.key.name = c->name;
		if (IPAM_STORE_IS_OBJECT(c->kind)) {
			memcpy(ch.key.space, c->space, 16);
		} else if (c->kind != IPAM_STORE_TENANT && c->kind != IPAM_STORE_SPACE) {
			memcpy(ch.key.space, c->space, 16);
			ch.key.addr = c->addr;
			ch.key.last = c->last;
			ch.key.len = c->len;
		}
		rc = cb(ctx, &ch);
	}
	walk_end(m);
	return rc;
}

/* ---- audit ------------------------------------------------------------------- */

static int mem_audit_head(ipam_store *st, uint64_t *seq, uint8_t hash[32])
{
	mem_store *m = (mem_store *)st;
	int rc;
	if ((rc = need_txn(m, "audit_head")) < 0)
		return rc;
	const mem_audit *last = m->naudit ? m->audit[m->naudit - 1] : NULL;
	if (seq)
		*seq = last ? last->e.seq : 0;
	if (hash) {
		if (last)
			memcpy(hash, last->e.hash, 32);
		else
			memset(hash, 0, 32);
	}
	return 0;
}

static size_t slen(const char *s)
{
	return s ? strlen(s) + 1 : 0;
}

static int mem_audit_append(ipam_store *st, const ipam_store_audit *e)
{
	mem_store *m = (mem_store *)st;
	int rc;
	if ((rc = need_write(m, "audit_append")) < 0)
		return rc;
	if (!e)
		return ipam_store_error(IPAM_EINVAL, "memory store: audit_append of no entry");
	/* The db layer hashes the seq, so it must already be the right one;
	 * 0 asks the store to number the entry. */
	uint64_t seq = (uint64_t)m->naudit + 1;
	if (e->seq != 0 && e->seq != seq)
		return ipam_store_error(IPAM_EINVAL, "memory store: audit entry %llu does not follow the head %llu",
			(unsigned long long)e->seq, (unsigned long long)m->naudit);
	mem_audit **arr = grow(m->audit, &m->audit_cap, m->naudit + 1, sizeof *arr);
	if (!arr)
		return IPAM_ENOMEM;
	m->audit = arr;
	size_t total = slen(e->actor) + slen(e->action) + slen(e->object) + slen(e->before) + slen(e->after);
	mem_audit *a = malloc(sizeof *a + total);
	if (!a)
		return ipam__enomem();
	char *at = a->text;
	a->e = *e;
	a->e.seq = seq;
	a->e.actor = pack(&at, e->actor);
	a->e.action = pack(&at, e->action);
	a->e.object = pack(&at, e->object);
	a->e.before = pack(&at, e->before);
	a->e.after = pack(&at, e->after);
	m->audit[m->naudit++] = a;
	return 0;
}

static int mem_audit_scan(ipam_store *st, uint64_t from, ipam_store_audit_cb cb, void *ctx)
{
	mem_store *m = (mem_store *)st;
	int rc;
	if ((rc = need_txn(m, "audit_scan")) < 0)
		return rc;
	if (!cb)
		return ipam_store_error(IPAM_EINVAL, "memory store: audit_scan without a callback");
	rc = 0;
	walk_begin(m);
	for (uint64_t i = from ? from - 1 : 0; i < m->naudit && !rc && !m->rollback_pending; i++)
		rc = cb(ctx, &m->audit[i]->e);
	walk_end(m);
	return rc;
}

/* ---- meta -------------------------------------------------------------------- */

static mem_meta *meta_find(mem_store *m, const char *name)
{
	for (mem_meta *mt = m->meta; mt; mt = mt->next)
		if (strcmp(mt->name, name) == 0)
			return mt;
	return NULL;
}

static int mem_meta_get(ipam_store *st, const char *name, char **value)
{
	mem_store *m = (mem_store *)st;
	int rc;
	if ((rc = need_txn(m, "meta_get")) < 0)
		return rc;
	if (!name || !value)
		return ipam_store_error(IPAM_EINVAL, "memory store: meta_get needs a name and an output");
	*value = NULL;
	mem_meta *mt = meta_find(m, name);
	if (!mt)
		return ipam_store_error(IPAM_ENOTFOUND, "memory store: no meta value \"%.200s\"", name);
	*value = ipam__strdup(mt->value);
	return *value ? 0 : IPAM_ENOMEM;
}

static int mem_meta_put(ipam_store *st, const char *name, const char *value)
{
	mem_store *m = (mem_store *)st;
	int rc;
	if ((rc = need_write(m, "meta_put")) < 0)
		return rc;
	if (!name || !*name)
		return ipam_store_error(IPAM_EINVAL, "memory store: meta_put needs a name");
	mem_meta *old = meta_find(m, name), *nw = NULL;
	if (!old && !value)
		return 0; /* removing what is not there */
	if ((rc = undo_reserve(m)) < 0)
		return rc;
	if (value) {
		size_t ln = strlen(name) + 1, lv = strlen(value) + 1;
		nw = malloc(sizeof *nw + ln + lv);
		if (!nw)
			return ipam__enomem();
		memcpy(nw->name, name, ln);
		nw->value = memcpy(nw->name + ln, value, lv);
	}
	if (old)
		meta_unlink(m, old);
	if (nw) {
		nw->next = m->meta;
		m->meta = nw;
	}
	undo_push(m, UNDO_META, 0, old, nw);
	return 0;
}

/* ---- check and free -------------------------------------------------------------- */

static int mem_check(ipam_store *st)
{
	mem_store *m = (mem_store *)st;
	char k[KEY_TEXT_MAX];
	if (m->in_txn)
		return ipam_store_error(IPAM_EINVAL, "memory store: check inside a transaction");
	for (unsigned int kind = 1; kind <= IPAM_STORE_KIND_MAX; kind++) {
		mem_table *t = &m->rows[kind];
		size_t count = 0;
		for (size_t i = 0; t->buckets && i < t->nbuckets; i++) {
			for (mem_node *n = t->buckets[i]; n; n = n->next, count++) {
				const char *bad = NULL;
				mem_node **link;
				if (n->row.kind != kind || n->hash != key_hash(&n->row) || (n->hash & (t->nbuckets - 1)) != i)
					bad = "is misfiled";
				else if (!(link = table_find(t, &n->row, n->hash)) || *link != n)
					bad = "is there twice";
				else if (n->row.revision > m->committed)
					bad = "has a revision past the committed one";
				if (bad) {
					key_text(k, sizeof k, m, &n->row);
					return ipam_store_error(IPAM_EBACKEND, "memory store check: %s %s", k, bad);
				}
			}
		}
		if (count != t->count)
			return ipam_store_error(IPAM_EBACKEND, "memory store check: %zu %s rows counted as %zu",
				count, ipam__store_kind_name(kind), t->count);
	}
	for (size_t i = 0; i < m->nchanges; i++)
		if (m->changes[i].revision > m->committed || (i && m->changes[i].revision < m->changes[i - 1].revision))
			return ipam_store_error(IPAM_EBACKEND, "memory store check: change %zu is out of order", i);
	for (size_t i = 0; i < m->naudit; i++)
		if (m->audit[i]->e.seq != i + 1)
			return ipam_store_error(IPAM_EBACKEND, "memory store check: audit entry %zu has seq %llu",
				i + 1, (unsigned long long)m->audit[i]->e.seq);
	return 0;
}

static void mem_free(ipam_store *st)
{
	mem_store *m = (mem_store *)st;
	if (!m)
		return;
	if (m->in_txn)
		rollback_now(m);
	for (unsigned int kind = 1; kind <= IPAM_STORE_KIND_MAX; kind++)
		table_free(&m->rows[kind]);
	meta_free_list(m->meta);
	for (size_t i = 0; i < m->nchanges; i++)
		free(m->changes[i].name);
	free(m->changes);
	for (size_t i = 0; i < m->naudit; i++)
		free(m->audit[i]);
	free(m->audit);
	free(m->undo);
	free(m);
}

int ipam__store_memory_open(ipam_store **out, const ipam__store_args *args)
{
	(void)args; /* no path, no key: there is nothing to open */
	if (!out)
		return ipam_store_error(IPAM_EINVAL, "memory store: open without an output");
	*out = NULL;
	mem_store *m = calloc(1, sizeof *m);
	if (!m)
		return ipam__enomem();
	ipam_store *s = &m->base;
	s->version = IPAM_STORE_VERSION;
	s->scheme = "memory";
	s->begin = mem_begin;
	s->commit = mem_commit;
	s->rollback = mem_rollback;
	s->put = mem_put;
	s->del = mem_del;
	s->get = mem_get;
	s->scan = mem_scan;
	s->bump = mem_bump;
	s->revision = mem_revision;
	s->changes = mem_changes;
	s->audit_head = mem_audit_head;
	s->audit_append = mem_audit_append;
	s->audit_scan = mem_audit_scan;
	s->meta_get = mem_meta_get;
	s->meta_put = mem_meta_put;
	s->free = mem_free;
	s->rekey = NULL; /* no key to change */
	s->check = mem_check;
	*out = s;
	return 0;
}
