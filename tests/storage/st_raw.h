/* Opening a store's file directly with SQLCipher, as an attacker (or a
 * curious administrator) with the key would: for the tamper proofs and the
 * plain-SQLite controls. The key form is the backend's (src/store/
 * sqlcipher.c): a raw 256-bit key as the blob literal x'<64 hex digits>',
 * pages of 4096 bytes. */
#ifndef ST_RAW_H
#define ST_RAW_H

#define SQLITE_HAS_CODEC 1
#include <sqlite3.h>

/* Open `path` with the raw key in `key_file`, or as plain SQLite when
 * key_file is NULL; the first read has been done (a wrong key fails here).
 * 0 or -1 (st_why() says why). */
int st_raw_open(sqlite3 **out, const char *path, const char *key_file, int create);
/* Run SQL; 0 or -1. */
int st_raw_exec(sqlite3 *db, const char *sql);
/* Open, run, close. */
int st_raw_run(const char *path, const char *key_file, const char *sql);
/* One integer from a query, or -1 on error. */
long long st_raw_int(sqlite3 *db, const char *sql);

#endif
