/* Helpers shared by the storage proofs (tests/storage/): scratch
 * directories, raw key files, opening a file store, reading a file's bytes,
 * listing what a store holds and counting its audit entries.
 *
 * Nothing here uses check: the helpers are also called in forked children,
 * where a failed ck_assert would jump back into the parent's test runner.
 * They return 0 or -1 and leave a message in st_why(). */
#ifndef ST_COMMON_H
#define ST_COMMON_H

#include "ipam.h"
#include "ipam/audit.h"

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The message of the last helper that failed (thread-local). */
const char *st_why(void);

/* Set st_why() (for st_raw.c); returns -1. */
int st__set_why(const char *msg);

/* A fresh directory under $TMPDIR (or /tmp), 0755 so that a child that
 * drops to another uid can still reach it. `out` gets its path. It is
 * removed at exit (unless $ST_KEEP is set), also when the test failed. */
int st_tmpdir(char out[256], const char *tag);
/* Remove a directory tree (best effort; unmounts nothing); with $ST_KEEP set, keep it. */
void st_rmrf(const char *path);

/* Write 32 random bytes to `path` (mode 0600). */
int st_make_key(const char *path);

/* Open `path` as a file store with the raw key in `key_file` (no KDF). */
int st_open(ipam_db **out, const char *path, const char *key_file, unsigned flags);

/* A new store in a new temp dir (tag names it): `file` is DIR/ipam.db
 * with a raw key in DIR/key, holding the prefix `net` (one audit entry). */
int st_new_store(char dir[256], const char *tag, char file[300], char key[300], const char *net);

/* The whole content of a file (NUL-terminated for convenience; `len`
 * excludes the NUL). NULL when it cannot be read; *len = 0 and a NULL
 * return with errno ENOENT when it does not exist. free() it. */
uint8_t *st_read_file(const char *path, size_t *len);
int st_write_file(const char *path, const void *data, size_t len, mode_t mode);
int st_copy_file(const char *from, const char *to);
/* Copy a store: the file and its -wal (if any); removes a stale -shm at `to`. */
int st_copy_store(const char *from, const char *to);
/* memmem that also finds the needle in UTF-16LE form (ASCII needles). */
const uint8_t *st_find(const uint8_t *hay, size_t n, const char *needle);

/* IPv4 addresses as host-order integers, for set arithmetic. */
typedef struct st_set {
	uint32_t *v;
	size_t n, cap;
} st_set;
void st_set_add(st_set *s, uint32_t a);
void st_set_sort(st_set *s); /* sort; duplicates stay */
size_t st_set_dups(const st_set *s, uint32_t *first_dup); /* in a sorted set */
int st_set_has(const st_set *s, uint32_t a);               /* in a sorted set */
void st_set_free(st_set *s);

uint32_t st_v4(const ipam_addr *a);
int st_parse_v4(uint32_t *out, const char *text);
const char *st_fmt_v4(uint32_t a, char buf[16]);

/* Every address of the default space inside `within` (NULL: all), in
 * order. With `hosts`, a parallel array of owned host names (free each
 * and the array). */
int st_list(ipam_db *db, const char *within, st_set *out, char ***hosts);

/* Audit entries: the total and how many have each of a few actions. */
typedef struct st_audit_counts {
	uint64_t total;
	uint64_t alloc;   /* address.alloc */
	uint64_t release; /* address.release */
	uint64_t add;     /* address.add */
	uint64_t prefix;  /* prefix.* */
	uint64_t other;
} st_audit_counts;
int st_audit_count(ipam_db *db, st_audit_counts *out);

/* The last error of the library as "CODE: message". */
const char *st_err(void);

/* Case-insensitive strstr. */
const char *st_stristr(const char *hay, const char *needle);

/* Fork and exec argv[0] (a path) with stdin and stdout on pipes (the
 * parent's ends come back in *in_fd and *out_fd, close-on-exec) and stderr
 * to the file `err_path` (or inherited when NULL). */
int st_spawn(pid_t *pid, int *in_fd, int *out_fd, const char *err_path, char *const argv[]);
/* The path of the helper binary: $ST_HELPER. */
const char *st_helper_path(void);

/* Monotonic milliseconds. */
double st_now_ms(void);

#endif
