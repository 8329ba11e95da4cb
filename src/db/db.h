/* The ipam_db handle: spaces, their tries, and the records the tries point
 * at. Internal; not installed. */
#ifndef IPAM_DB_DB_H
#define IPAM_DB_DB_H

#include "common.h"
#include "core/trie.h"
#include "ipam/sys/store.h"
#include "ipam/audit.h"
#include "ipam/export.h"

#include <pthread.h>

/* Record ids are indexes into the tables below; 0 is never used. Address
 * id 1 is the shared "bare" record (active, no name, no MAC, nothing else),
 * so that an address with no metadata costs no record of its own. */
#define IPAM__BARE_IP 1u

typedef struct ipam__pfx_rec {
	char *description;
	char *attrs; /* normalised JSON object, NULL for {} */
	uint8_t status;
	uint8_t pool;
} ipam__pfx_rec;

typedef struct ipam__ip_rec {
	char *hostname;
	char *description;
	char *attrs;
	uint8_t mac[8];
	uint8_t maclen; /* 0: none */
	uint8_t status;
} ipam__ip_rec;

typedef struct ipam__range_rec {
	ipam__u128 first, last; /* keys */
	char *description;
	char *attrs;
	uint8_t family;
	uint8_t purpose;
} ipam__range_rec;

typedef struct ipam__space {
	uint8_t id[16];
	char *name;
	char *labels; /* normalised JSON object */
	ipam__trie trie[2]; /* IPv4, IPv6 */
	uint64_t nprefix, naddr;
	ipam__range_rec *ranges; /* sorted by (family, first, last) */
	size_t nrange, crange;
} ipam__space;

/* A growable table of records with a free list of ids. */
typedef struct ipam__table {
	void *rows;
	uint32_t n, cap; /* ids in use below n; cap rows allocated */
	uint32_t *free_ids;
	uint32_t nfree, cfree;
	size_t row_size;
} ipam__table;

/* What to do to the index to undo one change: put `row` back (a change
 * that deleted it) or delete it (a change that created it). */
typedef struct ipam__undo {
	unsigned op; /* IPAM_STORE_PUT: put row back; IPAM_STORE_DEL: delete row's key */
	ipam_store_row row; /* strings owned */
} ipam__undo;

typedef struct ipam__bumped {
	uint8_t space[16];
	ipam_addr addr;
	uint8_t len;
} ipam__bumped;

struct ipam_db {
	pthread_mutex_t lock; /* recursive: a transaction holds it across calls */
	char *uri;
	char *actor;
	ipam_store *store;    /* NULL for index: */
	uint64_t rev;         /* the store revision the index has caught up with */
	unsigned retry_max;
	uint64_t n_commits, n_conflicts, n_retries; /* ipam_db_stats version 2 */
	/* the open transaction */
	int txn;              /* 0 none, 1 implicit (one call), 2 explicit (ipam_db_begin) */
	int doomed;           /* a store error inside it: commit rolls back and returns this */
	int wrote;            /* it wrote to the store */
	int stale;            /* the index may differ from the store: rebuild before the next call */
	int reloaded;         /* the index was rebuilt inside the open transaction */
	uint64_t rev_begin;   /* the revision it began from */
	int audit_known;      /* audit_seq/audit_hash hold the head inside this transaction */
	uint64_t audit_seq;
	uint8_t audit_hash[32];
	ipam__undo *undo;
	size_t nundo, cundo;
	ipam__bumped *bumped;
	size_t nbumped, cbumped;
	/* an open-addressing index of bumped (1 + its position; 0 free) once a
	 * transaction has bumped many prefixes; nbslot a power of two, 0: none */
	uint32_t *bslot;
	size_t nbslot;
	int bhashed; /* bslot indexes exactly bumped[0..nbumped) */
	ipam_buf scratch[3];  /* before/after JSON, object text */
	/* UUIDs: a ChaCha20 stream keyed once from the OS at open (one
	 * getrandom per handle, not one per object) */
	uint8_t uuid_key[32];
	uint64_t uuid_nonce;
	uint8_t uuid_buf[256];
	unsigned uuid_left;
	uint64_t uuid_ms;  /* the newest id's millisecond ... */
	unsigned uuid_seq; /* ... and its 12-bit counter (RFC 9562 method 1) */
	ipam__space **spaces; /* sorted by name */
	size_t nspaces, cspaces;
	ipam__space *def;     /* "default" */
	ipam__table pfx;      /* ipam__pfx_rec */
	ipam__table ips;      /* ipam__ip_rec */
	struct ipam__objs *objs; /* stored objects (src/db/obj.c); NULL: none yet */
	/* the sealing key of secrets (src/db/obj.c): 0 not known yet, 1 the
	 * caller's (secret_key_file), 2 the store's own */
	int seal_state;
	uint8_t seal_key[32];
};

static inline ipam__trie *ipam__space_trie(ipam__space *s, int family)
{
	return &s->trie[family == IPAM_AF_INET6];
}

static inline ipam__pfx_rec *ipam__pfx(ipam_db *db, uint32_t id)
{
	return &((ipam__pfx_rec *)db->pfx.rows)[id];
}

static inline ipam__ip_rec *ipam__ip(ipam_db *db, uint32_t id)
{
	return &((ipam__ip_rec *)db->ips.rows)[id];
}

void ipam__db_lock(ipam_db *db);
void ipam__db_unlock(ipam_db *db);

/* ---- transactions (src/db/txn.c) ----
 * Every API call brackets its work with ipam__enter / ipam__leave. enter
 * locks the handle and, when no transaction is open, opens one on the store
 * (write: a write transaction) after which the index has caught up with the
 * store; leave commits (rc == 0) or rolls back what enter opened, unlocks,
 * and returns rc or the commit's error. Inside an explicit transaction they
 * only lock and unlock. On failure enter returns the error, unlocked.
 * `write`: 0 read from the index (no store transaction stays open);
 * 1 a write transaction; IPAM__SNAPSHOT a read transaction kept open until
 * leave, for callers that read the store itself (export, audit). */
#define IPAM__SNAPSHOT 2
typedef struct ipam__scope {
	int own; /* enter opened the transaction */
} ipam__scope;

int ipam__enter(ipam_db *db, int write, ipam__scope *sc);
/* A single call (one outside any transaction of the caller's) that lost a
 * race (IPAM_ECONFLICT: a serialization failure, a row made or removed by
 * another writer meanwhile) runs again, as ipam_db_run would run it: false
 * inside the caller's transaction or after db->retry_max tries, else it
 * waits the backoff and says true. */
bool ipam__retry_single(ipam_db *db, unsigned attempt);
#define IPAM__SINGLE(db, call)                                                           \
	do {                                                                             \
		for (unsigned a_ = 0;; a_++) {                                           \
			int rc_ = (call);                                                \
			if (rc_ != IPAM_ECONFLICT || !ipam__retry_single((db), a_))      \
				return rc_;                                              \
		}                                                                        \
	} while (0)
int ipam__leave(ipam_db *db, ipam__scope *sc, int rc);
ipam_store *ipam__db_store(ipam_db *db);
/* Inside a transaction: rebuild the index from the store's rows. */
int ipam__db_reload(ipam_db *db);
/* At open: load the index from the store (and create the default tenant and space in a new store). */
int ipam__db_load(ipam_db *db);
/* Roll back whatever transaction is open (when the handle is freed inside one). */
void ipam__txn_abort(ipam_db *db);
/* Free the transaction bookkeeping. */
void ipam__txn_free(ipam_db *db);
/* A new random (version 4) UUID from the handle's stream. */
void ipam__db_uuid(ipam_db *db, uint8_t id[16]);
/* Empty the index: the default space alone. */
int ipam__index_reset(ipam_db *db);
/* A raw key from a file: 32 bytes, or 64 hex digits and maybe a newline. */
int ipam__read_key_file(uint8_t key[32], const char *path);

/* Record one change made to the index inside the open transaction: write it
 * to the store, bump the parent prefix of an address or allocated prefix
 * (parent may be NULL), append the audit entry, and remember how to undo it.
 * op IPAM_STORE_PUT: `row` is the new object (its id, tenant and times are
 * filled here); IPAM_STORE_DEL: `row` is the object as the index held it.
 * A store error dooms the transaction. */
int ipam__log(ipam_db *db, const char *action, unsigned op, ipam_store_row *row, const ipam_prefix *parent);
/* Record the change of a stored row in place (`old` as the index had it, for
 * the undo; `row` the new one, whose id, created and version become the
 * stored row's). */
int ipam__log_update(ipam_db *db, const char *action, const ipam_store_row *old, ipam_store_row *row);
/* The same for a stored object (src/db/obj.c): `old` NULL creates `row`,
 * `row` NULL deletes `old`, both replace `old` by `row` (same key). */
int ipam__log_obj(ipam_db *db, const char *action, const ipam_store_row *old, const ipam_store_row *row);

/* ---- rows and the index (src/db/apply.c) ---- */
/* The fixed ids of the default tenant and space. */
extern const uint8_t ipam__default_tenant[16];
extern const uint8_t ipam__default_space[16];
ipam__space *ipam__space_by_id(ipam_db *db, const uint8_t id[16]);
/* Put a row into the index (insert or replace), or delete a row's key from it. */
int ipam__apply_put(ipam_db *db, const ipam_store_row *row);
int ipam__apply_del(ipam_db *db, const ipam_store_row *key);
/* Rows of what the index holds (strings borrowed from the index). */
void ipam__row_space(ipam_store_row *row, const ipam__space *s);
void ipam__row_prefix(ipam_store_row *row, const ipam__space *s, int family, ipam__u128 key, unsigned len,
                      const ipam__pfx_rec *r);
void ipam__row_ip(ipam_store_row *row, const ipam__space *s, int family, ipam__u128 key, const ipam__ip_rec *r);
void ipam__row_range(ipam_store_row *row, const ipam__space *s, const ipam__range_rec *r);
/* Deep copy and release of a row's strings. */
int ipam__row_copy(ipam_store_row *dst, const ipam_store_row *src);
void ipam__row_free(ipam_store_row *row);

/* Internal put/delete of each kind in the index (prefix.c, ip.c, range.c, db.c). */
int ipam__space_put(ipam_db *db, const uint8_t id[16], const char *name, const char *labels);
int ipam__space_del(ipam_db *db, const char *name);
int ipam__pfx_put(ipam_db *db, ipam__space *s, int family, ipam__u128 key, unsigned len, ipam__pfx_rec *f);
int ipam__pfx_del(ipam_db *db, ipam__space *s, int family, ipam__u128 key, unsigned len);
int ipam__ip_put(ipam_db *db, ipam__space *s, int family, ipam__u128 key, ipam__ip_rec *f);
int ipam__ip_del(ipam_db *db, ipam__space *s, int family, ipam__u128 key);
int ipam__range_put(ipam_db *db, ipam__space *s, ipam__range_rec *r);
int ipam__range_del(ipam_db *db, ipam__space *s, int family, ipam__u128 first, ipam__u128 last);

/* The space called `name` (NULL: default), or NULL with IPAM_ENOTFOUND set. */
ipam__space *ipam__space_find(ipam_db *db, const char *name);

/* Take a fresh id from a table (zeroed row), or 0 on ENOMEM. */
uint32_t ipam__table_take(ipam__table *t);
void ipam__table_give(ipam__table *t, uint32_t id);

/* Validation shared by the object kinds. Each sets a message naming the
 * field and returns IPAM_EINVAL, or 0. */
int ipam__check_version(unsigned int got, unsigned int max, const char *what);
int ipam__check_prefix(const ipam_prefix *p, const char *what);
int ipam__check_addr(const ipam_addr *a, const char *what);
int ipam__norm_attrs(char **out, const char *json, const char *what);
int ipam__norm_hostname(char **out, const char *name);

/* Text of an address or prefix for messages (a static-size buffer). */
typedef struct { char s[IPAM_PREFIX_STRLEN + 8]; } ipam__txt;
ipam__txt ipam__addr_txt(const ipam_addr *a);
ipam__txt ipam__prefix_txt(const ipam_prefix *p);
ipam__txt ipam__key_txt(int family, ipam__u128 key, int len); /* len < 0: address */

/* What an iterator works on: the space's name and the keys that matched
 * when it started. Each step looks its key up again and skips the ones
 * gone meanwhile, so the database may change while a caller iterates. */
typedef struct {
	ipam__u128 key;
	uint8_t len, family;
} ipam__snap_key;

typedef struct ipam__snap {
	ipam_db *db;
	char *space;
	ipam__snap_key *keys;
	size_t n, cap, i;
} ipam__snap;

int ipam__snap_push(ipam__snap *sn, int family, ipam__u128 key, unsigned len);
/* Push every item of kind `what` (IPAM__WALK_*) inside (key, len). */
int ipam__snap_walk(ipam__snap *sn, const ipam__trie *t, int family, ipam__u128 key, unsigned len, int what);
/* Lock, find the space (gone: IPAM_ITEROVER), and hand the next key whose
 * item still exists (per `exists`) to `fill`; then unlock. */
int ipam__snap_next(ipam__snap *sn, void *out,
                    uint32_t (*exists)(ipam__space *s, const ipam__snap_key *k),
                    int (*fill)(void *out, ipam_db *db, ipam__space *s, const ipam__snap_key *k, uint32_t id));
void ipam__snap_free(ipam__snap *sn);

/* Fill a prefix from a trie hit. */
void ipam__prefix_of(ipam_prefix *out, int family, ipam__u128 key, unsigned len);

#endif
