#include "st_raw.h"

#include "st_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

/* st_common.c keeps the message; this file reports through it. */
static int rfail(sqlite3 *db, const char *what)
{
	char b[600];
	snprintf(b, sizeof b, "%s: %s", what, db ? sqlite3_errmsg(db) : "no connection");
	return st__set_why(b);
}

int st_raw_open(sqlite3 **out, const char *path, const char *key_file, int create)
{
	sqlite3 *db = NULL;
	*out = NULL;
	int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);
	if (sqlite3_open_v2(path, &db, flags, NULL) != SQLITE_OK) {
		rfail(db, path);
		sqlite3_close(db);
		return -1;
	}
	if (key_file) {
		size_t n;
		uint8_t *key = st_read_file(key_file, &n);
		if (!key || n != 32) {
			free(key);
			sqlite3_close(db);
			return rfail(NULL, "key file is not 32 bytes");
		}
		char text[68];
		text[0] = 'x';
		text[1] = '\'';
		sodium_bin2hex(text + 2, 65, key, 32);
		text[66] = '\'';
		text[67] = 0;
		int rc = sqlite3_key(db, text, 67);
		sodium_memzero(key, n);
		sodium_memzero(text, sizeof text);
		free(key);
		if (rc != SQLITE_OK || st_raw_exec(db, "PRAGMA cipher_page_size = 4096") != 0) {
			rfail(db, "key");
			sqlite3_close(db);
			return -1;
		}
	}
	if (sqlite3_exec(db, "SELECT count(*) FROM sqlite_master", NULL, NULL, NULL) != SQLITE_OK) {
		rfail(db, "first read");
		sqlite3_close(db);
		return -1;
	}
	*out = db;
	return 0;
}

int st_raw_exec(sqlite3 *db, const char *sql)
{
	char *err = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
		char b[600];
		snprintf(b, sizeof b, "%s: %s", sql, err ? err : sqlite3_errmsg(db));
		sqlite3_free(err);
		return st__set_why(b);
	}
	return 0;
}

int st_raw_run(const char *path, const char *key_file, const char *sql)
{
	sqlite3 *db;
	if (st_raw_open(&db, path, key_file, 0) != 0)
		return -1;
	int rc = st_raw_exec(db, sql);
	if (sqlite3_close(db) != SQLITE_OK && rc == 0)
		rc = rfail(db, "close");
	return rc;
}

long long st_raw_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *q;
	if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK)
		return rfail(db, sql);
	long long v = -1;
	if (sqlite3_step(q) == SQLITE_ROW)
		v = sqlite3_column_int64(q, 0);
	else
		rfail(db, sql);
	sqlite3_finalize(q);
	return v;
}
