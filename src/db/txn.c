/* Transactions, the retry loop, catching up with the store, and the log of
 * every change (store row, parent version, audit entry, undo).
 *
 * The index is a cache of the store's rows. A transaction opens a store
 * transaction, then replays the change feed since the revision the index
 * last saw, so that it starts from what every other writer committed. A
 * change is made to the index first (that is where allocation happens),
 * then written to the store by ipam__log, which also remembers how to undo
 * it: when the transaction rolls back, the undo entries put the index back
 * as it was, newest first. A store error inside a transaction dooms it: the
 * store may hold half of a change, so the only way on is to roll back. */
#include "cancel.h"
#include "db/db.h"

#include "io/io.h"
#include "store/store.h"

#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include <sodium.h>

ipam_store *ipam__db_store(ipam_db *db)
{
	return db->store;
}

/* ---- undo ---------------------------------------------------------------- */

static int undo_push(ipam_db *db, unsigned op, const ipam_store_row *row)
{
	if (db->nundo == db->cundo) {
		size_t c = db->cundo ? db->cundo * 2 : 64;
		ipam__undo *p = realloc(db->undo, c * sizeof *p);
		if (!p)
			return ipam__enomem();
		db->undo = p;
		db->cundo = c;
	}
	ipam__undo *u = &db->undo[db->nundo];
	u->op = op;
	if (op == IPAM_STORE_DEL) { /* undo a creation: the key is enough */
		u->row = *row;
		u->row.name = u->row.description = u->row.attrs = NULL;
		if ((row->kind == IPAM_STORE_SPACE || IPAM_STORE_IS_OBJECT(row->kind)) &&
		    !(u->row.name = ipam__strdup(row->name)))
			return IPAM_ENOMEM;
	} else if (ipam__row_copy(&u->row, row)) {
		return IPAM_ENOMEM;
	}
	db->nundo++;
	return 0;
}

static void undo_clear(ipam_db *db)
{
	for (size_t i = 0; i < db->nundo; i++)
		ipam__row_free(&db->undo[i].row);
	db->nundo = 0;
	db->bhashed = 0;
	db->nbumped = 0;
	db->audit_known = 0;
	db->doomed = 0;
	db->wrote = 0;
	db->reloaded = 0;
}

/* Put the index back as it was when the transaction began. A transaction
 * that rebuilt the index from the store (an import) cannot be undone entry
 * by entry: the index is rebuilt again before the next call. */
static void undo_apply(ipam_db *db)
{
	if (db->reloaded) {
		db->stale = 1;
		undo_clear(db);
		return;
	}
	for (size_t i = db->nundo; i-- > 0;) {
		ipam__undo *u = &db->undo[i];
		int rc = u->op == IPAM_STORE_PUT ? ipam__apply_put(db, &u->row) : ipam__apply_del(db, &u->row);
		if (rc && rc != IPAM_ENOTFOUND)
			db->stale = 1; /* rebuilt from the store before the next call */
	}
	undo_clear(db);
}

void ipam__txn_free(ipam_db *db)
{
	undo_clear(db);
	free(db->undo);
	free(db->bumped);
	free(db->bslot);
	db->undo = NULL;
	db->bumped = NULL;
	db->bslot = NULL;
	db->nbslot = 0;
	db->cundo = db->cbumped = 0;
	for (int i = 0; i < 3; i++)
		ipam_buf_dispose(&db->scratch[i]);
}

/* ---- loading and catching up ---------------------------------------------- */

static int load_cb(void *ctx, const ipam_store_row *row)
{
	return ipam__apply_put(ctx, row);
}

int ipam__db_reload(ipam_db *db)
{
	ipam_store *st = db->store;
	uint64_t r;
	int rc = ipam__index_reset(db);
	if (!rc)
		rc = st->revision(st, &r);
	static const unsigned kinds[] = { IPAM_STORE_SPACE, IPAM_STORE_PREFIX, IPAM_STORE_RANGE, IPAM_STORE_ADDRESS };
	for (size_t i = 0; !rc && i < sizeof kinds / sizeof kinds[0]; i++)
		rc = st->scan(st, kinds[i], load_cb, db);
	for (unsigned k = IPAM_STORE_OBJECT_MIN; !rc && k <= IPAM_STORE_KIND_MAX; k++)
		rc = st->scan(st, k, load_cb, db);
	if (rc) {
		ipam__index_reset(db);
		db->stale = 1;
		return rc;
	}
	db->rev = r;
	db->stale = 0;
	if (db->txn)
		db->reloaded = 1;
	return 0;
}

typedef struct {
	ipam_store_change *v;
	size_t n, cap;
} change_list;

static int change_cb(void *ctx, const ipam_store_change *c)
{
	change_list *l = ctx;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		ipam_store_change *p = realloc(l->v, cap * sizeof *p);
		if (!p)
			return ipam__enomem();
		l->v = p;
		l->cap = cap;
	}
	ipam_store_change *d = &l->v[l->n];
	d->revision = c->revision;
	d->op = c->op;
	if (ipam__row_copy(&d->key, &c->key))
		return IPAM_ENOMEM;
	l->n++;
	return 0;
}

/* Inside a store transaction: replay what other writers committed since the
 * index last looked. Rows are read again at their current state, so a row
 * changed many times is simply put many times. Anything the index cannot
 * take is a sign that it diverged: rebuild it from the store instead. */
static int catch_up(ipam_db *db)
{
	ipam_store *st = db->store;
	if (db->stale)
		return ipam__db_reload(db);
	uint64_t r;
	int rc = st->revision(st, &r);
	if (rc == IPAM_EBACKEND) /* e.g. the server lost commits the index holds: rebuild it */
		return ipam__db_reload(db);
	if (rc || r == db->rev)
		return rc;
	change_list l = { NULL, 0, 0 };
	rc = st->changes(st, db->rev, change_cb, &l);
	for (size_t i = 0; !rc && i < l.n; i++) {
		ipam_store_change *c = &l.v[i];
		if (c->revision > r)
			r = c->revision;
		if (c->op == IPAM_STORE_DEL) {
			int e = ipam__apply_del(db, &c->key);
			if (e && e != IPAM_ENOTFOUND)
				rc = e;
			continue;
		}
		ipam_store_row row = c->key;
		int e = st->get(st, &row);
		if (e == IPAM_ENOTFOUND)
			continue; /* deleted by a later change */
		rc = e ? e : ipam__apply_put(db, &row);
	}
	for (size_t i = 0; i < l.n; i++)
		ipam__row_free(&l.v[i].key);
	free(l.v);
	if (rc == IPAM_EBACKEND || rc == IPAM_EINUSE || rc == IPAM_EEXISTS)
		return ipam__db_reload(db);
	if (!rc)
		db->rev = r;
	return rc;
}

int ipam__db_load(ipam_db *db)
{
	ipam_store *st = db->store;
	int rc = st->begin(st, 0);
	if (rc)
		return rc;
	rc = ipam__db_reload(db);
	ipam_store_row def;
	memset(&def, 0, sizeof def);
	def.kind = IPAM_STORE_SPACE;
	def.name = "default";
	int have = rc ? 0 : st->get(st, &def) == 0;
	if (rc)
		st->rollback(st);
	else if ((rc = st->commit(st)))
		st->rollback(st);
	if (rc || have)
		return rc;
	/* A new store: the default tenant and space, with fixed ids, are part of
	 * it from the start (they are not changes anybody made: no audit). */
	if ((rc = st->begin(st, 1)))
		return rc;
	int64_t now = ipam__now_us();
	ipam_store_row t;
	memset(&t, 0, sizeof t);
	t.kind = IPAM_STORE_TENANT;
	memcpy(t.id, ipam__default_tenant, 16);
	t.name = "default";
	t.created = t.updated = now;
	def.name = "default";
	memcpy(def.id, ipam__default_space, 16);
	memcpy(def.tenant, ipam__default_tenant, 16);
	def.created = def.updated = now;
	rc = st->put(st, &t, 0);
	if (!rc)
		rc = st->put(st, &def, 0);
	if (!rc)
		rc = st->commit(st);
	if (rc) {
		st->rollback(st);
		return rc;
	}
	/* db->rev stays where the load left it: the next call replays what
	 * this and any other process committed since (others may have been
	 * creating the same store at the same moment). */
	return 0;
}

/* ---- transactions ----------------------------------------------------------- */

static int store_begin(ipam_db *db, int write)
{
	ipam_store *st = db->store;
	int rc = st->begin(st, write);
	if (rc)
		return rc;
	if ((rc = catch_up(db))) {
		int keep = rc;
		st->rollback(st);
		return keep;
	}
	db->rev_begin = db->rev;
	return 0;
}

static void txn_rollback(ipam_db *db)
{
	if (db->store)
		db->store->rollback(db->store);
	undo_apply(db);
	db->txn = 0;
}

static int txn_commit(ipam_db *db)
{
	if (db->doomed) {
		int rc = db->doomed;
		txn_rollback(db);
		return rc;
	}
	ipam_store *st = db->store;
	if (st) {
		int rc = st->commit(st);
		if (rc) {
			txn_rollback(db);
			return rc;
		}
		/* The next revision after the one we began from is ours: no need to
		 * replay our own changes. Anything else: replay from where we were. */
		uint64_t r;
		if (db->wrote && st->revision(st, &r) == 0 && r == db->rev_begin + 1)
			db->rev = r;
		if (db->wrote)
			db->n_commits++;
	}
	undo_clear(db);
	db->txn = 0;
	return 0;
}

void ipam__txn_abort(ipam_db *db)
{
	txn_rollback(db);
}

int ipam__enter(ipam_db *db, int write, ipam__scope *sc)
{
	ipam__db_lock(db);
	sc->own = 0;
	if (db->txn) {
		/* ours: the lock is recursive and a transaction holds it */
		if (db->doomed) {
			int rc = db->doomed;
			ipam__db_unlock(db);
			return ipam__error(rc, "the transaction already failed at the store (%s); roll it back",
			                   ipam_error_name(rc));
		}
		return 0;
	}
	if (!db->store)
		return 0;
	int rc;
	if (write == 1) { /* not IPAM__SNAPSHOT: that one only reads */
		if ((rc = store_begin(db, 1)) == 0) {
			db->txn = 1;
			sc->own = 1;
			return 0;
		}
	} else if (write == IPAM__SNAPSHOT) {
		if ((rc = store_begin(db, 0)) == 0) {
			db->txn = 1;
			sc->own = 1;
			return 0;
		}
	} else {
		uint64_t r;
		rc = db->store->revision(db->store, &r);
		if (!rc && (r != db->rev || db->stale) && (rc = store_begin(db, 0)) == 0) {
			if ((rc = db->store->commit(db->store)))
				db->store->rollback(db->store);
		}
		if (!rc)
			return 0;
	}
	ipam__db_unlock(db);
	return rc;
}

int ipam__leave(ipam_db *db, ipam__scope *sc, int rc)
{
	if (sc->own) {
		if (rc == 0) {
			rc = txn_commit(db);
		} else {
			/* keep the call's message: rolling back must not replace it */
			txn_rollback(db);
		}
		if (rc == IPAM_ECONFLICT)
			db->n_conflicts++;
	}
	ipam__db_unlock(db);
	return rc;
}

int ipam_db_begin(ipam_db *db)
{
	if (!db)
		return ipam__error(IPAM_EINVAL, "begin: no database");
	ipam__db_lock(db);
	if (db->txn) {
		ipam__db_unlock(db);
		return ipam__error(IPAM_EINVAL, "begin: a transaction is already open on this handle (they do not nest)");
	}
	int rc = db->store ? store_begin(db, 1) : 0;
	if (rc) {
		ipam__db_unlock(db);
		return rc;
	}
	db->txn = 2; /* the lock stays held until commit or rollback */
	return 0;
}

int ipam_db_commit(ipam_db *db)
{
	if (!db)
		return ipam__error(IPAM_EINVAL, "commit: no database");
	ipam__db_lock(db);
	if (db->txn != 2) {
		ipam__db_unlock(db);
		return ipam__error(IPAM_EINVAL, "commit: no transaction is open on this handle");
	}
	int rc = txn_commit(db);
	ipam__db_unlock(db);
	ipam__db_unlock(db); /* the one ipam_db_begin took */
	return rc;
}

void ipam_db_rollback(ipam_db *db)
{
	if (!db)
		return;
	ipam__db_lock(db);
	if (db->txn != 2) {
		ipam__db_unlock(db);
		return;
	}
	txn_rollback(db);
	ipam__db_unlock(db);
	ipam__db_unlock(db);
}

/* The retry loop. A transaction that lost a race is run again from the
 * start after a jittered, growing pause (1 ms doubling up to 100 ms, each
 * drawn uniformly from [d/2, 3d/2)) so that writers that collided do not
 * collide again in lockstep. */
/* Jittered exponential wait before try `i + 2`: 0.5-1.5 ms, doubling, at
 * most 50-150 ms. The wait polls the calling thread's cancellation token
 * (src/cancel.h): IPAM_ECANCELED as soon as it is triggered, else 0. */
static int backoff(unsigned i)
{
	uint32_t d = i < 7 ? 1000u << i : 100000u;
	if (d > 100000u)
		d = 100000u;
	uint32_t us = d / 2 + randombytes_uniform(d);
	return ipam__cancel_sleep_ns((int64_t)us * 1000, "run: retrying");
}

int ipam_db_run(ipam_db *db, ipam_txn_fn fn, void *ctx)
{
	if (!db || !fn)
		return ipam__error(IPAM_EINVAL, "run: no database or function");
	unsigned tries = db->retry_max;
	for (unsigned i = 0;; i++) {
		int rc = ipam_db_begin(db);
		if (!rc) {
			rc = fn(db, ctx);
			if (rc == 0) {
				rc = ipam_db_commit(db);
			} else {
				ipam__db_lock(db);
				int doomed = db->doomed;
				ipam__db_unlock(db);
				ipam_db_rollback(db);
				if (doomed == IPAM_ECONFLICT)
					rc = IPAM_ECONFLICT;
			}
		}
		if (rc != IPAM_ECONFLICT)
			return rc;
		ipam__db_lock(db);
		db->n_conflicts++;
		if (i + 1 < tries)
			db->n_retries++;
		ipam__db_unlock(db);
		if (i + 1 >= tries)
			return ipam__error(IPAM_ECONFLICT, "run: the transaction lost a race with other writers %u times; gave up",
			                   tries);
		if ((rc = backoff(i)))
			return rc;
	}
}

bool ipam__retry_single(ipam_db *db, unsigned attempt)
{
	if (!db)
		return false;
	ipam__db_lock(db);
	/* inside the caller's transaction the whole transaction must go again:
	 * that is ipam_db_run's (or the caller's) business */
	bool again = !db->txn && attempt + 1 < db->retry_max;
	db->n_retries += again; /* the conflict itself is counted where it ended the transaction */
	ipam__db_unlock(db);
	if (again)
		backoff(attempt);
	return again;
}

int ipam_db_revision(uint64_t *out, ipam_db *db)
{
	if (!out || !db)
		return ipam__error(IPAM_EINVAL, "revision: no database or output");
	ipam__scope sc;
	int rc = ipam__enter(db, 0, &sc);
	if (rc)
		return rc;
	*out = db->rev;
	return ipam__leave(db, &sc, 0);
}

/* ---- the log of a change ---------------------------------------------------- */

/* Words joined by single spaces, without printf: this runs once per change
 * (vsnprintf twice was a fifth of an allocation's cost on memory:). */
static int words(ipam_buf *b, const char *const *w, size_t n)
{
	int rc = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		if (i)
			rc = ipam__buf_put(b, " ", 1);
		if (!rc)
			rc = ipam__buf_put(b, w[i], strlen(w[i]));
	}
	return rc;
}

/* "address default 10.0.0.5", "prefix blue 10.0.0.0/8", "space blue" */
static int object_text(ipam_buf *b, const ipam_store_row *row, const char *space)
{
	char a[IPAM_ADDR_STRLEN + 4] = "", l[IPAM_ADDR_STRLEN] = "";
	b->size = 0;
	if (b->ptr)
		b->ptr[0] = '\0';
	const char *kind = ipam__store_kind_name(row->kind);
	const char *name = row->name ? row->name : "";
	switch (row->kind) {
	case IPAM_STORE_SPACE:
	case IPAM_STORE_TENANT:
		return words(b, (const char *const[]){ kind, name }, 2);
	case IPAM_STORE_PREFIX: {
		int n = ipam_addr_format(a, IPAM_ADDR_STRLEN, &row->addr);
		if (n < 0)
			n = 0;
		a[n++] = '/';
		if (row->len >= 100)
			a[n++] = (char)('0' + row->len / 100);
		if (row->len >= 10)
			a[n++] = (char)('0' + row->len / 10 % 10);
		a[n++] = (char)('0' + row->len % 10);
		a[n] = '\0';
		return words(b, (const char *const[]){ "prefix", space, a }, 3);
	}
	case IPAM_STORE_RANGE: {
		ipam_addr_format(a, IPAM_ADDR_STRLEN, &row->addr);
		ipam_addr_format(l, sizeof l, &row->last);
		size_t n = strlen(a);
		a[n] = '-';
		a[n + 1] = '\0';
		int rc = words(b, (const char *const[]){ "range", space, a }, 3);
		return rc ? rc : ipam__buf_put(b, l, strlen(l));
	}
	default:
		if (IPAM_STORE_IS_OBJECT(row->kind))
			return words(b, (const char *const[]){ kind, name }, 2);
		ipam_addr_format(a, IPAM_ADDR_STRLEN, &row->addr);
		return words(b, (const char *const[]){ kind, space, a }, 3);
	}
}

/* The store may hold half of this change: the transaction can only roll back. */
static int doom(ipam_db *db, int rc)
{
	if (rc)
		db->doomed = rc;
	return rc;
}

static size_t bumped_hash(const uint8_t space[16], const ipam_addr *a, unsigned len)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */
	for (int i = 0; i < 16; i++)
		h = (h ^ space[i]) * 1099511628211ull;
	for (int i = 0; i < 16; i++)
		h = (h ^ a->bytes[i]) * 1099511628211ull;
	return (size_t)((h ^ len) * 1099511628211ull);
}

static int bumped_is(const ipam__bumped *b, const uint8_t space[16], const ipam_prefix *p)
{
	return b->len == p->len && memcmp(b->space, space, 16) == 0 && ipam_addr_cmp(&b->addr, &p->addr) == 0;
}

/* The slot of `p` in the index of bumped prefixes: its entry, or the free
 * slot where it goes. */
static uint32_t *bumped_slot(ipam_db *db, const uint8_t space[16], const ipam_prefix *p)
{
	size_t m = db->nbslot - 1, i = bumped_hash(space, &p->addr, p->len) & m;
	while (db->bslot[i] && !bumped_is(&db->bumped[db->bslot[i] - 1], space, p))
		i = (i + 1) & m;
	return &db->bslot[i];
}

/* Whether this transaction bumped `p` already. A few bumps are looked at
 * one by one; past 16 (an import touching thousands of networks) through
 * the index, built on first need and kept in step with the list. */
static int bumped_already(ipam_db *db, const uint8_t space[16], const ipam_prefix *p)
{
	if (db->nbumped > 16 && !db->bhashed) {
		size_t n = 64;
		while (n < 4 * db->nbumped)
			n *= 2;
		if (n > db->nbslot) {
			uint32_t *t = realloc(db->bslot, n * sizeof *t);
			if (t) {
				db->bslot = t;
				db->nbslot = n;
			}
		}
		if (db->nbslot >= 2 * db->nbumped + 2) {
			memset(db->bslot, 0, db->nbslot * sizeof *db->bslot);
			for (size_t i = 0; i < db->nbumped; i++) {
				ipam_prefix q = { db->bumped[i].addr, db->bumped[i].len, { 0 } };
				*bumped_slot(db, db->bumped[i].space, &q) = (uint32_t)(i + 1);
			}
			db->bhashed = 1;
		}
	}
	if (db->bhashed)
		return *bumped_slot(db, space, p) != 0;
	for (size_t i = db->nbumped; i-- > 0;)
		if (bumped_is(&db->bumped[i], space, p))
			return 1;
	return 0;
}

static int bump_parent(ipam_db *db, const ipam_store_row *row, const ipam_prefix *parent)
{
	if (bumped_already(db, row->space, parent))
		return 0;
	ipam_store_row key;
	memset(&key, 0, sizeof key);
	key.kind = IPAM_STORE_PREFIX;
	memcpy(key.space, row->space, 16);
	key.addr = parent->addr;
	key.len = parent->len;
	int rc = db->store->bump(db->store, &key);
	if (rc)
		return rc;
	if (db->nbumped == db->cbumped) {
		size_t c = db->cbumped ? db->cbumped * 2 : 8;
		ipam__bumped *p = realloc(db->bumped, c * sizeof *p);
		if (!p)
			return 0; /* only means a second bump later */
		db->bumped = p;
		db->cbumped = c;
	}
	ipam__bumped *b = &db->bumped[db->nbumped++];
	memcpy(b->space, row->space, 16);
	b->addr = parent->addr;
	b->len = parent->len;
	if (db->bhashed) {
		if (db->nbslot >= 2 * db->nbumped + 2)
			*bumped_slot(db, b->space, parent) = (uint32_t)db->nbumped;
		else
			db->bhashed = 0; /* rebuilt, larger, at the next look */
	}
	return 0;
}

/* UUIDs are version 7 (RFC 9562): 48 bits of Unix milliseconds, then
 * random bits. Time-ordered ids keep the stores' UNIQUE(id) indexes
 * append-mostly (random v4 ids halved SQLCipher's insert rate at 1M rows);
 * the random part comes from a ChaCha20 stream keyed once per handle. */
void ipam__db_uuid(ipam_db *db, uint8_t id[16])
{
	if (db->uuid_left < 16) {
		if (db->uuid_nonce == 0)
			randombytes_buf(db->uuid_key, sizeof db->uuid_key);
		uint8_t nonce[crypto_stream_chacha20_NONCEBYTES];
		uint64_t n = ++db->uuid_nonce;
		for (size_t i = 0; i < sizeof nonce; i++)
			nonce[i] = (uint8_t)(n >> (8 * i));
		crypto_stream_chacha20(db->uuid_buf, sizeof db->uuid_buf, nonce, db->uuid_key);
		db->uuid_left = sizeof db->uuid_buf;
	}
	memcpy(id, db->uuid_buf + sizeof db->uuid_buf - db->uuid_left, 16);
	sodium_memzero(db->uuid_buf + sizeof db->uuid_buf - db->uuid_left, 16);
	db->uuid_left -= 16;
	/* The handle's ids ascend (RFC 9562, 6.2 method 1): within one
	 * millisecond (or when the clock steps back) a 12-bit counter in
	 * rand_a counts up from a random start below 2^11; when it runs out
	 * the id borrows the next millisecond. So the ids a transaction makes
	 * go into the stores' id indexes as appends, not at random places. */
	uint64_t ms = (uint64_t)(ipam__now_us() / 1000);
	if (ms > db->uuid_ms) {
		db->uuid_ms = ms;
		db->uuid_seq = ((unsigned)id[6] << 8 | id[7]) & 0x7ff;
	} else if (++db->uuid_seq > 0xfff) {
		db->uuid_ms++;
		db->uuid_seq = ((unsigned)id[6] << 8 | id[7]) & 0x7ff;
	}
	ms = db->uuid_ms;
	for (int i = 0; i < 6; i++)
		id[i] = (uint8_t)(ms >> (40 - 8 * i));
	id[6] = (uint8_t)(0x70 | (db->uuid_seq >> 8)); /* version 7 */
	id[7] = (uint8_t)db->uuid_seq;
	id[8] = (uint8_t)((id[8] & 0x3f) | 0x80); /* RFC 9562 variant */
}

static int is_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

/* The audit entry of the change whose object text and before/after images
 * are in db->scratch. */
static int audit_add(ipam_db *db, const char *action, int64_t now)
{
	ipam_store *st = db->store;
	ipam_buf *before = &db->scratch[0], *after = &db->scratch[1], *obj = &db->scratch[2];
	int rc;
	if (!db->audit_known) {
		if ((rc = st->audit_head(st, &db->audit_seq, db->audit_hash)))
			return doom(db, rc);
		db->audit_known = 1;
	}
	ipam_store_audit e;
	memset(&e, 0, sizeof e);
	e.seq = db->audit_seq + 1;
	e.time = now;
	e.actor = db->actor;
	e.action = action;
	e.object = obj->ptr;
	e.before = before->size ? before->ptr : NULL;
	e.after = after->size ? after->ptr : NULL;
	memcpy(e.prev, db->audit_hash, 32);
	if ((rc = ipam__audit_hash(e.hash, &e)) || (rc = st->audit_append(st, &e)))
		return doom(db, rc);
	db->audit_seq = e.seq;
	memcpy(db->audit_hash, e.hash, 32);
	return 0;
}

/* The start of a change's log: the object's text in scratch[2], both images
 * emptied, the space's name in *space. */
static int log_start(ipam_db *db, const ipam_store_row *row, const char **space)
{
	db->wrote = 1;
	const ipam__space *sp = row->kind == IPAM_STORE_SPACE ? NULL : ipam__space_by_id(db, row->space);
	*space = sp ? sp->name : "";
	db->scratch[0].size = db->scratch[1].size = 0;
	return object_text(&db->scratch[2], row, *space);
}

/* The stored row with the key of *b, and its image as the "before" of the
 * change (scratch[0]); gone meanwhile is a lost race. */
static int log_before(ipam_db *db, ipam_store_row *b, const char *space)
{
	int rc = db->store->get(db->store, b);
	if (rc == IPAM_ENOTFOUND)
		rc = ipam__error(IPAM_ECONFLICT, "%s was removed by another writer meanwhile; run the transaction again",
		                 db->scratch[2].ptr);
	return rc ? rc : ipam__row_to_json(&db->scratch[0], b, space);
}

int ipam__log(ipam_db *db, const char *action, unsigned op, ipam_store_row *row, const ipam_prefix *parent)
{
	int rc;
	if (db->txn && (rc = undo_push(db, op == IPAM_STORE_PUT ? IPAM_STORE_DEL : IPAM_STORE_PUT, row)))
		return doom(db, rc);
	ipam_store *st = db->store;
	if (!st)
		return 0;
	const char *space;
	int64_t now = ipam__now_us();
	if ((rc = log_start(db, row, &space)))
		return doom(db, rc);
	if (op == IPAM_STORE_PUT) {
		if (is_zero(row->id, 16))
			ipam__db_uuid(db, row->id);
		row->created = row->updated = now;
		rc = st->put(st, row, IPAM_STORE_PUT_NEW);
		if (rc == IPAM_EEXISTS)
			rc = ipam__error(IPAM_ECONFLICT, "%s was created by another writer meanwhile; run the transaction again",
			                 db->scratch[2].ptr);
		if (!rc)
			rc = ipam__row_to_json(&db->scratch[1], row, space);
		if (!rc && parent)
			rc = bump_parent(db, row, parent);
	} else {
		ipam_store_row b = *row;
		if (!(rc = log_before(db, &b, space)))
			rc = st->del(st, row);
	}
	if (rc)
		return doom(db, rc);
	return audit_add(db, action, now);
}

int ipam__log_update(ipam_db *db, const char *action, const ipam_store_row *old, ipam_store_row *row)
{
	int rc;
	/* undo: the old row back in the index */
	if (db->txn && (rc = undo_push(db, IPAM_STORE_PUT, old)))
		return doom(db, rc);
	ipam_store *st = db->store;
	if (!st)
		return 0;
	const char *space;
	int64_t now = ipam__now_us();
	ipam_store_row b = *row;
	if (!(rc = log_start(db, row, &space)) && !(rc = log_before(db, &b, space))) {
		/* the same object: its id, creation time and version stay */
		memcpy(row->id, b.id, 16);
		row->created = b.created;
		row->version = b.version;
		row->updated = now;
		if (!(rc = st->put(st, row, 0)))
			rc = ipam__row_to_json(&db->scratch[1], row, space);
	}
	if (rc)
		return doom(db, rc);
	return audit_add(db, action, now);
}

int ipam__log_obj(ipam_db *db, const char *action, const ipam_store_row *old, const ipam_store_row *row)
{
	int rc;
	const ipam_store_row *key = row ? row : old;
	/* undo: put the old object back, or remove the new one */
	if (db->txn && (rc = old ? undo_push(db, IPAM_STORE_PUT, old) : undo_push(db, IPAM_STORE_DEL, row)))
		return doom(db, rc);
	ipam_store *st = db->store;
	if (!st)
		return 0;
	db->wrote = 1;
	ipam_buf *before = &db->scratch[0], *after = &db->scratch[1], *obj = &db->scratch[2];
	before->size = after->size = 0;
	int64_t now = ipam__now_us();
	if ((rc = object_text(obj, key, "")))
		return doom(db, rc);
	if (old && (rc = ipam__row_to_json(before, old, NULL)))
		return doom(db, rc);
	if (row) {
		rc = st->put(st, row, old ? 0 : IPAM_STORE_PUT_NEW);
		if (rc == IPAM_EEXISTS)
			rc = ipam__error(IPAM_ECONFLICT, "%s was created by another writer meanwhile; run the transaction again",
			                 obj->ptr);
		if (!rc)
			rc = ipam__row_to_json(after, row, NULL);
	} else {
		rc = st->del(st, old);
		if (rc == IPAM_ENOTFOUND)
			rc = ipam__error(IPAM_ECONFLICT, "%s was removed by another writer meanwhile; run the transaction again",
			                 obj->ptr);
	}
	if (rc)
		return doom(db, rc);
	return audit_add(db, action, now);
}

/* ---- maintenance ------------------------------------------------------------ */

int ipam_db_rekey(ipam_db *db, const char *passphrase, const char *key_file)
{
	if (!db)
		return ipam__error(IPAM_EINVAL, "rekey: no database");
	ipam__db_lock(db);
	int rc;
	ipam_store *st = db->store;
	if (db->txn)
		rc = ipam__error(IPAM_EINVAL, "rekey: a transaction is open on this handle; commit or roll it back first");
	else if (!st || st->version < 1 || !st->rekey)
		rc = ipam__error(IPAM_EPERM, "rekey: the store \"%s\" is not encrypted", db->uri);
	else if ((!passphrase) == (!key_file))
		rc = ipam__error(IPAM_EINVAL, "rekey: give a passphrase or a key file (one of them)");
	else if (passphrase && !*passphrase)
		rc = ipam__error(IPAM_EINVAL, "rekey: the passphrase is empty");
	else {
		uint8_t key[32];
		rc = key_file ? ipam__read_key_file(key, key_file) : 0;
		if (!rc)
			rc = st->rekey(st, passphrase, key_file ? key : NULL, key_file ? sizeof key : 0);
		sodium_memzero(key, sizeof key);
	}
	ipam__db_unlock(db);
	return rc;
}

int ipam__db_check(ipam_db *db);

int ipam_db_check(ipam_db *db)
{
	if (!db)
		return ipam__error(IPAM_EINVAL, "check: no database");
	ipam__db_lock(db);
	int rc = 0;
	ipam_store *st = db->store;
	if (db->txn)
		rc = ipam__error(IPAM_EINVAL, "check: a transaction is open on this handle; commit or roll it back first");
	else if (st && st->check)
		rc = st->check(st);
	ipam__db_unlock(db);
	if (!rc)
		rc = ipam__db_check(db);
	return rc;
}
