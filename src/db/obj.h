/* Stored objects: zones, records, servers, credentials, templates, DHCP
 * scopes and option sets, deployment state, observations. Internal; not
 * installed.
 *
 * Every kind from IPAM_STORE_OBJECT_MIN on has one shape: the natural key
 * (kind, parent, name), where the parent is the id of the object's owner (a
 * space, a zone, a server ...; all zero: none) and the name is unique under
 * it; the kind's own fields are a JSON object in `attrs`. The store knows
 * nothing more of them; the capability that owns a kind (src/dns,
 * src/dhcp, src/discover) gives the fields their meaning and checks them.
 *
 * The handle caches every object, as it caches prefixes and addresses: a
 * transaction first catches up with the change feed, so processes sharing
 * a store see each other's objects; a rollback puts the cache back. Each
 * put or delete writes the store row and exactly one audit entry (action as
 * the caller names it, before/after as JSON) in the open transaction.
 *
 * Call these between ipam__enter and ipam__leave (put and del in a write
 * transaction), as src/db/prefix.c does. Costs: get, put and del O(1)
 * expected (a hash of the key, and the two indexes below); each under a
 * parent O(k log k) over the parent's k objects of the kind (a list per
 * parent), each_unordered O(k), each_owner O(the owner's records). */
#ifndef IPAM_DB_OBJ_H
#define IPAM_DB_OBJ_H

#include "db/db.h"

typedef struct ipam__obj {
	unsigned kind;           /* IPAM_STORE_ZONE ... IPAM_STORE_OBSERVATION */
	uint8_t id[16];          /* put: kept when the object exists; else this one, or a new one when zero */
	uint8_t parent[16];      /* the owner's id; all zero: none */
	const char *name;        /* unique per (kind, parent): 1..1024 bytes of UTF-8, no control characters */
	const char *description; /* or NULL */
	const char *attrs;       /* a JSON object with the kind's fields, or NULL for {} */
	uint64_t revision, version;
	int64_t created, updated;
} ipam__obj;

/* put: the object must not exist yet (IPAM_EEXISTS if it does) */
#define IPAM__OBJ_NEW 1u
/* put: the object must exist already (IPAM_ENOTFOUND if it does not) */
#define IPAM__OBJ_REPLACE 2u

/* Create or replace an object; `action` names the change in the audit
 * entry ("zone.add"). Replacing keeps the id and created time and bumps
 * the version. On success `o` gets the id, version and times it was
 * stored with (its strings stay the caller's). IPAM_EINVAL (a bad name or
 * attrs, with a message naming the field), IPAM_EEXISTS / IPAM_ENOTFOUND
 * per the flags, or a store error (which dooms the transaction). */
int ipam__obj_put(ipam_db *db, ipam__obj *o, unsigned flags, const char *action);

/* Delete an object: 0 or IPAM_ENOTFOUND (with a message), or a store error. */
int ipam__obj_del(ipam_db *db, unsigned kind, const uint8_t parent[16], const char *name, const char *action);

/* The object with this key: 0 or IPAM_ENOTFOUND (no message is set: a miss
 * is an answer here). The strings are borrowed until the next write on the
 * handle or the end of the caller's ipam__enter scope. */
int ipam__obj_get(ipam_db *db, unsigned kind, const uint8_t parent[16], const char *name, ipam__obj *out);

/* Every object of `kind` (under `parent`, or all of them when it is NULL),
 * in (parent, name) order (names by bytes). A non-zero return of `cb` stops
 * the walk and is returned. The callback may read objects but must not put
 * or delete any. */
int ipam__obj_each(ipam_db *db, unsigned kind, const uint8_t *parent,
                   int (*cb)(void *ctx, const ipam__obj *o), void *ctx);
/* As ipam__obj_each, in no particular order and without a copy of the
 * list: for callers that sort what they read anyway. `cb` must not add or
 * remove objects of the kind. */
int ipam__obj_each_unordered(ipam_db *db, unsigned kind, const uint8_t *parent,
                             int (*cb)(void *ctx, const ipam__obj *o), void *ctx);
/* The records (kind IPAM_STORE_RECORD, the one kind with this index) of
 * one owner under `parent` (a zone), in no particular order: those whose
 * name's first word (up to a blank) is `owner`'s first word, ASCII letters
 * in either case. A record's name is its canonical text, owner first, so
 * this is every record at that name. `cb` as for ipam__obj_each_unordered.
 * IPAM_EINVAL for another kind. */
int ipam__obj_each_owner(ipam_db *db, unsigned kind, const uint8_t parent[16], const char *owner,
                         int (*cb)(void *ctx, const ipam__obj *o), void *ctx);

/* ---- secrets ----------------------------------------------------------------
 * A secret (a TSIG key, an API token, a password) is sealed before it goes
 * into an object's attrs: XSalsa20-Poly1305 (libsodium secretbox) under the
 * handle's sealing key, as the text "sealed:v1:" + base64(nonce | box). The
 * sealing key: the 32 bytes of ipam_open_options.secret_key_file when the
 * caller gave one; otherwise, for a store that is itself encrypted at rest
 * or lives in memory (file:, memory:), a random key made on first use and
 * kept in the store's meta table (inside the encrypted file); any other
 * store (PostgreSQL) refuses to seal or unseal without the caller's key
 * (IPAM_EPERM), so that no database operator can read a secret. Secrets
 * never reach a message. Seal needs a write transaction the first time. */
int ipam__seal(ipam_db *db, const void *secret, size_t len, char **out_text);
/* Seal `secret` (NULL: nothing, 0) and add it to the JSON object `o` as the
 * string member `key`; the sealed text is wiped after the copy. */
struct cJSON;
int ipam__seal_json(ipam_db *db, struct cJSON *o, const char *key, const char *secret);
/* The secret back: *out (len bytes and a NUL, wiped and freed with
 * ipam__unsealed_free). IPAM_EAUTH when the text was sealed under another
 * key or altered; IPAM_EINVAL when it is no sealed text. */
int ipam__unseal(ipam_db *db, const char *text, void **out, size_t *out_len);
void ipam__unsealed_free(void *secret, size_t len);
/* Is this text a sealed secret (by its form; says nothing of the key)? */
int ipam__is_sealed(const char *text);

/* ---- for the db layer ---- */
/* The cache: put a row into it (insert or replace), delete a key from it. */
int ipam__objs_apply_put(ipam_db *db, const ipam_store_row *row);
int ipam__objs_apply_del(ipam_db *db, const ipam_store_row *key);
/* Empty the cache and free it. */
void ipam__objs_free(ipam_db *db);

#endif
