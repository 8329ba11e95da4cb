/* The built-in storage backends and how the db layer opens them. Internal.
 * The vtable itself is public: include/ipam/sys/store.h. */
#ifndef IPAM_STORE_STORE_H
#define IPAM_STORE_STORE_H

#include "common.h"
#include "ipam/sys/store.h"

/* What ipam_db_open() hands a backend's open function. The key material is
 * borrowed for the call; a backend must not keep it longer than it needs it,
 * and must wipe its own copies (sodium_memzero) before freeing them. */
typedef struct ipam__store_args {
	const char *path;         /* the URI with its scheme removed ("file:x" -> "x") */
	const char *passphrase;   /* NULL: none */
	const uint8_t *raw_key;   /* NULL: none; else raw_len bytes (32) */
	size_t raw_len;
	unsigned int flags;       /* IPAM_OPEN_CREATE, IPAM_OPEN_EXCL, IPAM_OPEN_DURABLE */
	unsigned int busy_timeout_ms;
} ipam__store_args;

typedef int (*ipam__store_open_fn)(ipam_store **out, const ipam__store_args *args);

/* memory: rows in RAM (src/store/memory.c) */
int ipam__store_memory_open(ipam_store **out, const ipam__store_args *args);
/* file: SQLCipher (src/store/sqlcipher.c) */
int ipam__store_sqlcipher_open(ipam_store **out, const ipam__store_args *args);
/* postgresql://, postgres:// or a libpq keyword string (src/store/postgres.c);
 * args->path is the whole connection string */
int ipam__store_postgres_open(ipam_store **out, const ipam__store_args *args);
/* The server as messages name it: no password. */
const char *ipam__store_postgres_name(const ipam_store *st);
/* How often begin waited for another writer, and reconnected. */
void ipam__store_postgres_counts(const ipam_store *st, uint64_t *lock_waits, uint64_t *reconnects);
/* Is `uri` a libpq connection string: postgresql://, postgres://, or
 * keyword=value pairs? */
int ipam__uri_is_postgres(const char *uri);

/* Compare the natural keys of two rows of the same kind (<0, 0, >0): the
 * order the stores and the export use. */
int ipam__store_key_cmp(const ipam_store_row *a, const ipam_store_row *b);

/* "tenant", "space", "prefix", "range", "address", "zone" ... (messages). */
const char *ipam__store_kind_name(unsigned kind);

/* An address for a message ("(invalid address)" when it is none). */
void ipam__store_addr_text(char out[IPAM_ADDR_STRLEN], const ipam_addr *a);
/* Whether the words of a row's key name its space (prefix, range, address). */
int ipam__store_key_in_space(unsigned kind);
/* A row's natural key in words, for messages: `address 10.0.0.5 in space
 * "blue"`, `zone "example.com."`. `space` is how the backend names the
 * row's space (its quoted name, or its UUID), used when the key has one. */
void ipam__store_key_words(char *out, size_t size, const ipam_store_row *r, const char *space);

/* A row handed to a store has a known kind and a usable natural key:
 * 0 or IPAM_EINVAL with a message. */
int ipam__store_check_key(const ipam_store_row *row);

/* Hand the row `r` out as `*out`, its strings copied into the store's
 * buffer (*buf, *cap), where they live until the next call. */
int ipam__store_hand_out(char **buf, size_t *cap, ipam_store_row *out, ipam_store_row *r);

#endif
