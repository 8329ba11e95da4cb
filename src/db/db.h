/* The ipam_db handle: spaces, their tries, and the records the tries point
 * at. Internal; not installed. */
#ifndef IPAM_DB_DB_H
#define IPAM_DB_DB_H

#include "common.h"
#include "core/trie.h"

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

struct ipam_db {
	pthread_mutex_t lock;
	char *uri;
	char *actor;
	ipam__space **spaces; /* sorted by name */
	size_t nspaces, cspaces;
	ipam__space *def;     /* "default" */
	ipam__table pfx;      /* ipam__pfx_rec */
	ipam__table ips;      /* ipam__ip_rec */
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
