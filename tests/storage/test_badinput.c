/* Proof 5: bad files and bad places give clear errors, never a crash, and
 * never harm a file.
 *
 * - a truncated store (cut on a page boundary, off one, to less than a
 *   page), a file of random bytes, a plain SQLite file, an encrypted SQLite
 *   file of somebody else's, a store from a newer schema, an empty file, a
 *   directory, a missing file: each is refused with its own code and a
 *   message that names the path and the cause, and the file is left byte
 *   for byte as it was (nothing is created where nothing was); a store with
 *   one byte flipped is refused, or opens and fails ipam_db_check, which
 *   names the page;
 * - a store in a read-only place (a read-only bind mount in a private
 *   mount namespace, with and without a write-ahead log left by a crash; a
 *   directory and file that uid 65534 cannot write, since as root chmod
 *   stops nothing; a file chmod 0444 read by uid 65534): opening it or
 *   writing to it fails clearly, and afterwards the store opens, checks
 *   and has every committed change (the bind mount is skipped where mount
 *   is not permitted);
 * - a full disk (RLIMIT_FSIZE in a forked child; a small tmpfs in a
 *   private mount namespace): the write that does not fit fails clearly
 *   and leaves nothing behind, and the store opens, checks and has every
 *   change committed before; on the full tmpfs, opening works or fails
 *   clearly, and creating a new store fails clearly and leaves no file.
 * Whatever might crash runs in a forked child, whose death would fail the
 * test rather than end it. */
#include "st_common.h"
#include "st_run.h"
#include "st_raw.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sodium.h>

#define NET "10.50.0.0/16"
#define BASE_ADDRS 300

static char dir[256], good[300], key[300];
static uint64_t good_entries;

/* A store with a prefix and BASE_ADDRS addresses, closed cleanly. */
static void make_store(const char *path, int extra)
{
	ipam_db *db = NULL;
	ck_assert_msg(st_open(&db, path, key, IPAM_OPEN_CREATE) == 0, "%s", st_why());
	ipam_prefix p;
	ipam_prefix_parse(&p, NET, IPAM_PARSE_DEFAULT);
	ck_assert_msg(ipam_prefix_add(db, &p, NULL) == 0, "%s", st_err());
	ck_assert_int_eq(ipam_db_begin(db), 0);
	for (int i = 0; i < BASE_ADDRS + extra; i++) {
		ipam_addr a;
		ipam_ip_options o = IPAM_IP_OPTIONS_INIT;
		o.hostname = "base.bad.example";
		ck_assert_msg(ipam_ip_alloc(&a, db, &p, &o) == 0, "%s", st_err());
	}
	ck_assert_msg(ipam_db_commit(db) == 0, "%s", st_err());
	ipam_db_free(db);
}

static void setup(void)
{
	ck_assert_msg(st_tmpdir(dir, "bad") == 0, "%s", st_why());
	snprintf(good, sizeof good, "%s/good.db", dir);
	snprintf(key, sizeof key, "%s/key", dir);
	ck_assert_msg(st_make_key(key) == 0, "%s", st_why());
	make_store(good, 0);
	good_entries = 1 + BASE_ADDRS;
}

static void teardown(void)
{
	st_rmrf(dir);
}

/* ---- files that are not (whole) stores ---------------------------------------- */

/* Opening `path` fails with one of the codes (0-terminated) and a message
 * naming the path and containing `words`; the file is left as it was. */
static void refuse(const char *path, unsigned flags, const int *codes, const char *words, const char *what)
{
	size_t n0 = 0, n1 = 0;
	uint8_t *b0 = st_read_file(path, &n0);
	int existed = b0 != NULL;
	ipam_db *db = (ipam_db *)1;
	int rc = st_open(&db, path, key, flags);
	const char *m = ipam_error_last()->message;
	int ok = 0;
	for (const int *c = codes; *c; c++)
		ok |= rc == *c;
	ck_assert_msg(ok, "%s: open returned %d (%s)", what, rc, st_err());
	ck_assert_ptr_null(db);
	ck_assert_msg(strstr(m, path), "%s: the message does not name the file: %s", what, m);
	ck_assert_msg(!words || st_stristr(m, words), "%s: the message does not say \"%s\": %s", what, words, m);
	fprintf(stderr, "  %-40s -> %s\n", what, st_err());
	uint8_t *b1 = st_read_file(path, &n1);
	if (existed)
		ck_assert_msg(b1 && n0 == n1 && memcmp(b0, b1, n0) == 0, "%s: the failed open changed the file", what);
	else
		ck_assert_msg(!b1 && errno == ENOENT, "%s: the failed open created the file", what);
	char side[320];
	snprintf(side, sizeof side, "%s-wal", path);
	ck_assert_msg(access(side, F_OK) != 0, "%s: the failed open left %s", what, side);
	snprintf(side, sizeof side, "%s-journal", path);
	ck_assert_msg(access(side, F_OK) != 0, "%s: the failed open left %s", what, side);
	free(b0);
	free(b1);
}

START_TEST(truncated_store)
{
	size_t n;
	uint8_t *b = st_read_file(good, &n);
	ck_assert_msg(b && n >= 8 * 4096, "the store is only %zu bytes", n);
	char cut[300];
	/* not IPAM_EAUTH: the key is right (SQLite says SQLITE_CORRUPT, not SQLITE_NOTADB) */
	static const int codes[] = { IPAM_EBACKEND, IPAM_EINVAL, 0 };
	/* cut at half a page boundary, at half the file, and to less than a page */
	size_t lens[] = { (n / 2 / 4096) * 4096, n / 2 + 100, 1000 };
	for (size_t i = 0; i < 3; i++) {
		snprintf(cut, sizeof cut, "%s/cut%zu.db", dir, i);
		ck_assert_int_eq(st_write_file(cut, b, lens[i], 0600), 0);
		ipam_db *db = NULL;
		int rc = st_open(&db, cut, key, 0);
		if (rc == 0) {
			/* the pages it read were whole: the check must find the rest */
			rc = ipam_db_check(db);
			ck_assert_msg(rc == IPAM_EBACKEND, "a store cut to %zu of %zu bytes opens and checks (%d)", lens[i], n,
			              rc);
			ipam_db_free(db);
			continue;
		}
		char what[64];
		snprintf(what, sizeof what, "store cut to %zu of %zu bytes", lens[i], n);
		refuse(cut, 0, codes, NULL, what);
		const char *m = ipam_error_last()->message;
		ck_assert_msg(st_stristr(m, "damaged") || st_stristr(m, "truncated") || st_stristr(m, "corrupt") ||
		                  st_stristr(m, "malformed"),
		              "%s: the message does not say the file is damaged: %s", what, m);
		refuse(cut, IPAM_OPEN_CREATE, codes, NULL, what);
	}
	free(b);
}
END_TEST

/* One byte changed in the middle of the file (a bad sector, a stray
 * write): the page no longer authenticates. Either the open refuses the
 * store (not blaming the key) or, when the open did not read that page,
 * ipam_db_check finds it and says where. */
START_TEST(flipped_byte)
{
	size_t n;
	uint8_t *b = st_read_file(good, &n);
	ck_assert_ptr_nonnull(b);
	char path[300];
	snprintf(path, sizeof path, "%s/flipped.db", dir);
	size_t at = (n / 4096 / 2) * 4096 + 1000; /* inside a page in the middle */
	b[at] ^= 0x20;
	ck_assert_int_eq(st_write_file(path, b, n, 0600), 0);
	free(b);
	ipam_db *db = NULL;
	int rc = st_open(&db, path, key, 0);
	if (rc == 0) {
		/* the page was not read on open (a free page?): the check reads all */
		rc = ipam_db_check(db);
		fprintf(stderr, "  %-40s -> opens; check: %s\n", "one byte flipped", st_err());
		ck_assert_msg(rc == IPAM_EBACKEND, "a store with a flipped byte at %zu opens and checks (%d)", at, rc);
		ck_assert_msg(strstr(ipam_error_last()->message, path), "%s", st_err());
		/* and says where: "integrity check: ... Page 34: ..." */
		ck_assert_msg(st_stristr(ipam_error_last()->message, "page "),
		              "the check does not say what is wrong: %s", st_err());
		ipam_db_free(db);
	} else {
		static const int codes[] = { IPAM_EBACKEND, 0 };
		refuse(path, 0, codes, "damaged", "one byte flipped");
	}
}
END_TEST

START_TEST(random_bytes)
{
	char path[300];
	uint8_t junk[65536];
	randombytes_buf(junk, sizeof junk);
	static const int codes[] = { IPAM_EAUTH, IPAM_EINVAL, 0 };
	/* a whole number of pages (looks like an encrypted file), and not */
	size_t lens[] = { sizeof junk, 10000 };
	for (size_t i = 0; i < 2; i++) {
		snprintf(path, sizeof path, "%s/junk%zu.db", dir, i);
		ck_assert_int_eq(st_write_file(path, junk, lens[i], 0600), 0);
		refuse(path, 0, codes, "not a libipam database", "random bytes");
		refuse(path, IPAM_OPEN_CREATE, codes, "not a libipam database", "random bytes, with create");
	}
}
END_TEST

START_TEST(plain_and_foreign_sqlite)
{
	char path[300];
	snprintf(path, sizeof path, "%s/plain.db", dir);
	sqlite3 *raw;
	ck_assert_msg(st_raw_open(&raw, path, NULL, 1) == 0, "%s", st_why());
	ck_assert_int_eq(st_raw_exec(raw, "CREATE TABLE hosts(name TEXT); INSERT INTO hosts VALUES('plain')"), 0);
	ck_assert_int_eq(sqlite3_close(raw), SQLITE_OK);
	static const int einval[] = { IPAM_EINVAL, 0 };
	refuse(path, 0, einval, "plain SQLite", "a plain SQLite file");
	refuse(path, IPAM_OPEN_CREATE, einval, "plain SQLite", "a plain SQLite file, with create");

	/* encrypted with our key, but not ours: somebody else's tables */
	snprintf(path, sizeof path, "%s/foreign.db", dir);
	ck_assert_msg(st_raw_open(&raw, path, key, 1) == 0, "%s", st_why());
	ck_assert_int_eq(st_raw_exec(raw, "CREATE TABLE meta(k, v); CREATE TABLE x(y)"), 0);
	ck_assert_int_eq(sqlite3_close(raw), SQLITE_OK);
	refuse(path, 0, einval, "not a libipam database", "an encrypted SQLite file of another schema");
	refuse(path, IPAM_OPEN_CREATE, einval, "not a libipam database", "the same, with create");

	/* a libipam store from the future */
	snprintf(path, sizeof path, "%s/future.db", dir);
	ck_assert_int_eq(st_copy_store(good, path), 0);
	ck_assert_msg(st_raw_run(path, key, "UPDATE meta SET value = '99' WHERE name = 'schema_version'") == 0, "%s",
	              st_why());
	refuse(path, 0, einval, "newer", "a store of schema 99");

	/* a store of schema 1 (before stored objects) is migrated when opened */
	snprintf(path, sizeof path, "%s/v1.db", dir);
	ck_assert_int_eq(st_copy_store(good, path), 0);
	ck_assert_msg(st_raw_run(path, key, "DROP TABLE objects; DROP TABLE feed;"
	                                    " CREATE TABLE changes(seq INTEGER PRIMARY KEY, revision INTEGER NOT NULL,"
	                                    " op INTEGER NOT NULL, kind INTEGER NOT NULL, name TEXT, space BLOB,"
	                                    " family INTEGER, addr BLOB, last BLOB, len INTEGER);"
	                                    " CREATE TABLE revisions(revision INTEGER PRIMARY KEY, first INTEGER NOT NULL);"
	                                    " INSERT INTO meta(name, value) VALUES('revision', '0');"
	                                    " UPDATE meta SET value = '1' WHERE name = 'schema_version'") == 0,
	              "%s", st_why());
	ipam_db *db = NULL;
	ck_assert_msg(st_open(&db, path, key, 0) == 0, "a schema 1 store: %s", st_why());
	ipam_buf doc = IPAM_BUF_INIT;
	ck_assert_msg(ipam_export(&doc, db) == 0, "export after the migration: %s", ipam_error_last()->message);
	ck_assert_ptr_nonnull(strstr(doc.ptr, "\"objects\":[]"));
	ipam_buf_dispose(&doc);
	ipam_db_free(db);
	ck_assert_msg(st_raw_run(path, key, "SELECT CASE WHEN value = '5' THEN 1 ELSE abs(-9223372036854775808) END"
	                                    " FROM meta WHERE name = 'schema_version'") == 0,
	              "the schema version after the migration is not 5: %s", st_why());
	ck_assert_msg(st_raw_run(path, key, "SELECT CASE WHEN count(*) = 0 THEN 1 ELSE abs(-9223372036854775808) END"
	                                    " FROM meta WHERE name = 'revision'") == 0,
	              "schema 5 keeps no revision in meta: %s", st_why());
}
END_TEST

START_TEST(empty_missing_directory)
{
	char path[300];
	static const int einval[] = { IPAM_EINVAL, 0 }, enotfound[] = { IPAM_ENOTFOUND, 0 }, eio[] = { IPAM_EIO, 0 };
	/* an empty file without create is not a store; with create it becomes one */
	snprintf(path, sizeof path, "%s/empty.db", dir);
	ck_assert_int_eq(st_write_file(path, "", 0, 0600), 0);
	refuse(path, 0, einval, "not a libipam database", "an empty file");
	ipam_db *db = NULL;
	ck_assert_msg(st_open(&db, path, key, IPAM_OPEN_CREATE) == 0, "%s", st_why());
	ipam_db_free(db);
	/* missing */
	snprintf(path, sizeof path, "%s/missing.db", dir);
	refuse(path, 0, enotfound, "no such file", "a missing file");
	snprintf(path, sizeof path, "%s/no/such/dir/x.db", dir);
	refuse(path, IPAM_OPEN_CREATE, eio, "No such file or directory", "create in a missing directory");
	/* a directory */
	snprintf(path, sizeof path, "%s/adir", dir);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	ck_assert_int_eq(st_open(&db, path, key, IPAM_OPEN_CREATE), IPAM_EIO);
	ck_assert_msg(strstr(ipam_error_last()->message, path) && st_stristr(ipam_error_last()->message, "directory"),
	              "%s", st_err());
	/* IPAM_OPEN_EXCL on an existing store */
	ck_assert_int_eq(st_open(&db, good, key, IPAM_OPEN_CREATE | IPAM_OPEN_EXCL), IPAM_EEXISTS);
	ck_assert_msg(strstr(ipam_error_last()->message, good), "%s", st_err());
}
END_TEST

/* ---- what a forked child saw ----------------------------------------------------- */

typedef struct {
	int setup_rc;          /* 0, or why the child could not set up (errno) */
	char setup_msg[256];
	int open_rc;
	char open_msg[512];
	int write_rc;          /* the first failed write, 0 if none failed */
	char write_msg[512];
	int write2_rc;         /* one more attempt after it */
	int check_rc;
	long addrs;            /* addresses the child saw */
	long committed;        /* writes it saw commit (and reported) */
} child_report;

static void copy_msg(char *dst, size_t size)
{
	snprintf(dst, size, "%s", ipam_error_last()->message);
}

/* Tell the parent that the allocation of `a` committed: "A ADDR\n". */
static void report_commit(child_report *r, int fd, const ipam_addr *a)
{
	char t[64];
	ipam_addr_format(t + 2, sizeof t - 2, a);
	t[0] = 'A';
	t[1] = ' ';
	strcat(t, "\n");
	if (write(fd, t, strlen(t)) < 0)
		_exit(3);
	r->committed++;
}

/* In the child: open `path`, count, and write until a write fails (or
 * `max_writes` succeed), reporting each commit as "A ADDR" on `fd`. */
static void child_session(child_report *r, const char *path, int fd, int max_writes, const char *desc)
{
	ipam_db *db = NULL;
	r->open_rc = st_open(&db, path, key, 0);
	if (r->open_rc) {
		copy_msg(r->open_msg, sizeof r->open_msg);
		return;
	}
	st_set s = { 0 };
	if (st_list(db, NET, &s, NULL) == 0)
		r->addrs = (long)s.n;
	st_set_free(&s);
	ipam_prefix p;
	ipam_prefix_parse(&p, NET, IPAM_PARSE_DEFAULT);
	for (int i = 0; i < max_writes; i++) {
		ipam_addr a;
		ipam_ip_options o = IPAM_IP_OPTIONS_INIT;
		o.hostname = "fill.bad.example";
		o.description = desc;
		int rc = ipam_ip_alloc(&a, db, &p, &o);
		if (rc) {
			r->write_rc = rc;
			copy_msg(r->write_msg, sizeof r->write_msg);
			r->write2_rc = ipam_ip_alloc(&a, db, &p, &o);
			if (r->write2_rc == 0)
				report_commit(r, fd, &a);
			break;
		}
		report_commit(r, fd, &a);
	}
	r->check_rc = ipam_db_check(db);
	ipam_db_free(db);
}

typedef void (*child_fn)(child_report *r, void *ctx, int fd);

/* Run fn in a forked child; its report, and the addresses it committed. */
static void run_child(child_fn fn, void *ctx, child_report *r, st_set *committed)
{
	int rp[2], ap[2];
	ck_assert_int_eq(pipe(rp), 0);
	ck_assert_int_eq(pipe(ap), 0);
	fflush(NULL);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(rp[0]);
		close(ap[0]);
		child_report cr;
		memset(&cr, 0, sizeof cr);
		fn(&cr, ctx, ap[1]);
		if (write(rp[1], &cr, sizeof cr) != (ssize_t)sizeof cr)
			_exit(3);
		_exit(0);
	}
	close(rp[1]);
	close(ap[1]);
	/* read the addresses while it runs (a pipe holds only so much) */
	char *buf = NULL;
	size_t len = 0, cap = 0;
	for (;;) {
		if (len + 4096 > cap) {
			cap = cap ? cap * 2 : 65536;
			buf = realloc(buf, cap + 1);
		}
		ssize_t k = read(ap[0], buf + len, cap - len);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		len += (size_t)k;
	}
	close(ap[0]);
	memset(r, 0, sizeof *r);
	ssize_t got = read(rp[0], r, sizeof *r);
	close(rp[0]);
	int status;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the child died: status 0x%x%s%s", status,
	              WIFSIGNALED(status) ? ", signal " : "", WIFSIGNALED(status) ? strsignal(WTERMSIG(status)) : "");
	ck_assert_int_eq(got, (ssize_t)sizeof *r);
	if (buf) {
		buf[len] = 0;
		char *save = NULL;
		for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			uint32_t a;
			ck_assert_msg(strncmp(line, "A ", 2) == 0 && st_parse_v4(&a, line + 2) == 0, "child said %s", line);
			st_set_add(committed, a);
		}
	}
	free(buf);
	ck_assert_uint_eq(committed->n, (size_t)r->committed);
}

/* The store at `path` opens, checks, holds exactly `before` plus
 * `committed`, and its chain verifies with one entry per change. */
static void assert_intact(const char *path, const st_set *before, const st_set *committed, uint64_t entries,
                          const char *what)
{
	ipam_db *db = NULL;
	ck_assert_msg(st_open(&db, path, key, 0) == 0, "%s: afterwards: %s", what, st_why());
	ck_assert_msg(ipam_db_check(db) == 0, "%s: afterwards: check: %s", what, st_err());
	st_set got = { 0 };
	ck_assert_msg(st_list(db, NET, &got, NULL) == 0, "%s", st_why());
	for (size_t i = 0; i < before->n; i++) {
		char b[16];
		ck_assert_msg(st_set_has(&got, before->v[i]), "%s: %s lost", what, st_fmt_v4(before->v[i], b));
	}
	for (size_t i = 0; i < committed->n; i++) {
		char b[16];
		ck_assert_msg(st_set_has(&got, committed->v[i]), "%s: %s was committed but is lost", what,
		              st_fmt_v4(committed->v[i], b));
	}
	ck_assert_msg(got.n == before->n + committed->n, "%s: %zu addresses, %zu expected (a failed write left some?)",
	              what, got.n, before->n + committed->n);
	ipam_audit_report rep = IPAM_AUDIT_REPORT_INIT;
	ck_assert_msg(ipam_audit_verify(&rep, db, NULL) == 0, "%s: verify: %s", what, st_err());
	ck_assert_msg(rep.entries == entries, "%s: %llu audit entries, %llu changes", what,
	              (unsigned long long)rep.entries, (unsigned long long)entries);
	st_set_free(&got);
	ipam_db_free(db);
}

static void list_store(const char *path, st_set *out)
{
	ipam_db *db = NULL;
	ck_assert_msg(st_open(&db, path, key, 0) == 0, "%s", st_why());
	ck_assert_msg(st_list(db, NET, out, NULL) == 0, "%s", st_why());
	st_set_sort(out);
	ipam_db_free(db);
}

/* ---- read-only places ---------------------------------------------------------- */

typedef struct {
	const char *store;   /* the store's path */
	const char *mount;   /* ro_bind: the directory to bind read-only; NULL otherwise */
	uid_t uid;           /* non-zero: drop to it first */
} ro_ctx;

static void ro_child(child_report *r, void *ctx, int fd)
{
	ro_ctx *c = ctx;
	if (c->mount) {
		if (unshare(CLONE_NEWNS) != 0 || mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) != 0 ||
		    mount(c->mount, c->mount, "none", MS_BIND, NULL) != 0 ||
		    mount("none", c->mount, "none", MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) != 0) {
			r->setup_rc = errno;
			snprintf(r->setup_msg, sizeof r->setup_msg, "read-only bind mount: %s", strerror(errno));
			return;
		}
	}
	if (c->uid && (setgroups(0, NULL) != 0 || setgid((gid_t)c->uid) != 0 || setuid(c->uid) != 0)) {
		r->setup_rc = errno;
		snprintf(r->setup_msg, sizeof r->setup_msg, "setuid %u: %s", (unsigned)c->uid, strerror(errno));
		return;
	}
	child_session(r, c->store, fd, 1, NULL);
}

/* What a read-only place must give: either a refused open or a refused
 * write, in words that say why; and nothing changed. */
static void check_ro(const child_report *r, const char *path, const char *what)
{
	fprintf(stderr, "  %-40s -> open %s: %s | write %s: %s\n", what, ipam_error_name(r->open_rc), r->open_msg,
	        ipam_error_name(r->write_rc), r->write_msg);
	if (r->open_rc) {
		ck_assert_msg(r->open_rc == IPAM_EIO || r->open_rc == IPAM_EPERM, "%s: open: %s: %s", what,
		              ipam_error_name(r->open_rc), r->open_msg);
		ck_assert_msg(strstr(r->open_msg, path), "%s: the message does not name the file: %s", what, r->open_msg);
		ck_assert_msg(st_stristr(r->open_msg, "read-only") || st_stristr(r->open_msg, "permission"),
		              "%s: the message does not say why: %s", what, r->open_msg);
		return;
	}
	ck_assert_msg(r->addrs == BASE_ADDRS, "%s: the child saw %ld addresses", what, r->addrs);
	ck_assert_msg(r->write_rc == IPAM_EIO || r->write_rc == IPAM_EPERM, "%s: a write in a read-only place: %s: %s",
	              what, ipam_error_name(r->write_rc), r->write_msg);
	ck_assert_msg(strstr(r->write_msg, path), "%s: the message does not name the file: %s", what, r->write_msg);
	ck_assert_msg(st_stristr(r->write_msg, "read-only") || st_stristr(r->write_msg, "permission"),
	              "%s: the message does not say why: %s", what, r->write_msg);
	ck_assert_msg(r->write2_rc != 0, "%s: the second write succeeded", what);
}

START_TEST(read_only_bind_mount)
{
	char sub[300], path[320];
	snprintf(sub, sizeof sub, "%s/ro", dir);
	ck_assert_int_eq(mkdir(sub, 0755), 0);
	snprintf(path, sizeof path, "%s/ipam.db", sub);
	ck_assert_int_eq(st_copy_store(good, path), 0);
	st_set before = { 0 }, committed = { 0 };
	list_store(path, &before);
	ro_ctx c = { path, sub, 0 };
	child_report r;
	run_child(ro_child, &c, &r, &committed);
	if (r.setup_rc == EPERM || r.setup_rc == EACCES) {
		/* no mount privilege here: the uid and chmod cases below cover it */
		fprintf(stderr, "  read-only bind mount: not possible here (%s); skipped\n", r.setup_msg);
		return;
	}
	ck_assert_msg(r.setup_rc == 0, "%s", r.setup_msg);
	check_ro(&r, path, "store on a read-only bind mount");
	assert_intact(path, &before, &committed, good_entries, "read-only bind mount");

	/* the same with a write-ahead log left by a process that died: the
	 * log's changes are committed and must be seen (or the open refused) */
	char src[300];
	snprintf(src, sizeof src, "%s/ro-src.db", dir);
	ck_assert_int_eq(st_copy_store(good, src), 0);
	ipam_db *db = NULL;
	ck_assert_msg(st_open(&db, src, key, 0) == 0, "%s", st_why());
	ipam_prefix p;
	ipam_prefix_parse(&p, NET, IPAM_PARSE_DEFAULT);
	ipam_addr a;
	ck_assert_msg(ipam_ip_alloc(&a, db, &p, NULL) == 0, "%s", st_err());
	ck_assert_int_eq(st_copy_store(src, path), 0); /* the file and its log, as a crash leaves them */
	ipam_db_free(db);
	char wal[340];
	snprintf(wal, sizeof wal, "%s-wal", path);
	ck_assert_msg(access(wal, F_OK) == 0, "no log to test with");
	st_set_free(&committed);
	run_child(ro_child, &c, &r, &committed);
	ck_assert_msg(r.setup_rc == 0, "%s", r.setup_msg);
	check_ro(&r, path, "store with a log on a read-only mount");
	if (r.open_rc == 0)
		ck_assert_msg(r.addrs == BASE_ADDRS + 1, "the child saw %ld addresses, not the one in the log", r.addrs);
	st_set_add(&committed, st_v4(&a));
	assert_intact(path, &before, &committed, good_entries + 1, "read-only mount with a log");
	st_set_free(&before);
	st_set_free(&committed);
}
END_TEST

START_TEST(read_only_as_another_user)
{
	/* As root, chmod does not stop writes: drop to nobody (65534) in the
	 * child. (a) the store and its directory belong to root and are not
	 * writable by nobody; (b) the directory is writable but the file is
	 * chmod 0444. */
	char sub[300], path[320], keycopy[320];
	if (geteuid() != 0) {
		fprintf(stderr, "  read-only as another user: needs root to switch uid; skipped\n");
		return;
	}
	for (int variant = 0; variant < 2; variant++) {
		snprintf(sub, sizeof sub, "%s/ro-uid%d", dir, variant);
		ck_assert_int_eq(mkdir(sub, 0755), 0);
		snprintf(path, sizeof path, "%s/ipam.db", sub);
		ck_assert_int_eq(st_copy_store(good, path), 0);
		/* nobody must be able to read the key (its file) and the store */
		snprintf(keycopy, sizeof keycopy, "%s/key", sub);
		ck_assert_int_eq(st_copy_file(key, keycopy), 0);
		ck_assert_int_eq(chown(keycopy, 65534, 65534), 0);
		ck_assert_int_eq(chmod(keycopy, 0400), 0);
		ck_assert_int_eq(chmod(path, variant == 0 ? 0644 : 0444), 0);
		ck_assert_int_eq(chmod(sub, variant == 0 ? 0755 : 0777), 0);
		st_set before = { 0 }, committed = { 0 };
		list_store(path, &before);
		char side[340];
		snprintf(side, sizeof side, "%s-shm", path);
		unlink(side); /* list_store's handle closed: it is gone, or stale */
		ro_ctx c = { path, NULL, 65534 };
		child_report r;
		/* the child reads the key from keycopy: swap the global for it */
		char saved[sizeof key];
		memcpy(saved, key, sizeof key);
		ck_assert_uint_lt(strlen(keycopy), sizeof key);
		memcpy(key, keycopy, strlen(keycopy) + 1);
		run_child(ro_child, &c, &r, &committed);
		memcpy(key, saved, sizeof key);
		ck_assert_msg(r.setup_rc == 0, "%s", r.setup_msg);
		check_ro(&r, path, variant == 0 ? "unwritable dir and file, uid 65534" : "file chmod 0444, uid 65534");
		ck_assert_int_eq(chmod(path, 0644), 0);
		assert_intact(path, &before, &committed, good_entries, variant == 0 ? "unwritable dir" : "chmod 0444");
		st_set_free(&before);
		st_set_free(&committed);
	}
}
END_TEST

/* ---- a full disk ------------------------------------------------------------------ */

typedef struct {
	const char *store;
	rlim_t fsize; /* 0: no limit */
	const char *desc;
} fill_ctx;

static void fill_child(child_report *r, void *ctx, int fd)
{
	fill_ctx *c = ctx;
	if (c->fsize) {
		signal(SIGXFSZ, SIG_IGN);
		struct rlimit rl = { c->fsize, c->fsize };
		if (setrlimit(RLIMIT_FSIZE, &rl) != 0) {
			r->setup_rc = errno;
			snprintf(r->setup_msg, sizeof r->setup_msg, "setrlimit: %s", strerror(errno));
			return;
		}
	}
	child_session(r, c->store, fd, 100000, c->desc);
}

static void check_full(const child_report *r, const char *path, const char *what)
{
	fprintf(stderr, "  %-40s -> %ld commits, then %s: %s (then %s)\n", what, r->committed, ipam_error_name(r->write_rc),
	        r->write_msg, ipam_error_name(r->write2_rc));
	ck_assert_msg(r->setup_rc == 0, "%s", r->setup_msg);
	ck_assert_msg(r->open_rc == 0, "%s: open: %s", what, r->open_msg);
	ck_assert_msg(r->committed > 0, "%s: nothing fitted: the test did not test", what);
	ck_assert_msg(r->write_rc == IPAM_EIO, "%s: %s: %s", what, ipam_error_name(r->write_rc), r->write_msg);
	ck_assert_msg(strstr(r->write_msg, path), "%s: the message does not name the file: %s", what, r->write_msg);
	ck_assert_msg(st_stristr(r->write_msg, "full") || st_stristr(r->write_msg, "too large") ||
	                  st_stristr(r->write_msg, "space"),
	              "%s: the message does not say the disk is full: %s", what, r->write_msg);
}

static char *long_desc(void)
{
	char *d = malloc(3001);
	for (int i = 0; i < 3000; i++)
		d[i] = (char)('a' + i % 26);
	d[3000] = 0;
	return d;
}

START_TEST(disk_full_rlimit)
{
	char path[300];
	snprintf(path, sizeof path, "%s/fsize.db", dir);
	ck_assert_int_eq(st_copy_store(good, path), 0);
	struct stat sb;
	ck_assert_int_eq(stat(path, &sb), 0);
	st_set before = { 0 }, committed = { 0 };
	list_store(path, &before);
	char *desc = long_desc();
	/* the log may grow to 160 KiB, the file by as much */
	fill_ctx c = { path, (rlim_t)sb.st_size + 40 * 4096, desc };
	child_report r;
	run_child(fill_child, &c, &r, &committed);
	check_full(&r, path, "RLIMIT_FSIZE");
	assert_intact(path, &before, &committed, good_entries + committed.n, "RLIMIT_FSIZE");
	free(desc);
	st_set_free(&before);
	st_set_free(&committed);
}
END_TEST

typedef struct {
	const char *store;
} open_ctx;

static void open_child(child_report *r, void *ctx, int fd)
{
	open_ctx *c = ctx;
	child_session(r, c->store, fd, 0, NULL);
}

typedef struct {
	const char *store;
} create_ctx;

static void create_child(child_report *r, void *ctx, int fd)
{
	create_ctx *c = ctx;
	(void)fd;
	ipam_db *db = NULL;
	r->open_rc = st_open(&db, c->store, key, IPAM_OPEN_CREATE);
	if (r->open_rc)
		copy_msg(r->open_msg, sizeof r->open_msg);
	ipam_db_free(db);
}

START_TEST(disk_full_tmpfs)
{
	/* A 1 MiB tmpfs, mounted in a mount namespace of this process alone. */
	char mnt[300], path[320], ballast[320];
	snprintf(mnt, sizeof mnt, "%s/tmpfs", dir);
	ck_assert_int_eq(mkdir(mnt, 0755), 0);
	if (unshare(CLONE_NEWNS) != 0 || mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) != 0 ||
	    mount("ipam-st-full", mnt, "tmpfs", 0, "size=1m,mode=0755") != 0) {
		fprintf(stderr, "  disk full on tmpfs: cannot mount here (%s); skipped (RLIMIT_FSIZE covers it)\n",
		        strerror(errno));
		return;
	}
	snprintf(path, sizeof path, "%s/ipam.db", mnt);
	snprintf(ballast, sizeof ballast, "%s/ballast", mnt);
	make_store(path, 0);
	/* The ballast is the room made later. It must hold what the file grows
	 * by when the log that filled the disk is checkpointed into it (about
	 * two new pages a commit here); else the log stays, the -shm file
	 * finds no room, and the write after making room fails. 256 KiB leaves
	 * the log room for ~11 commits at 5-6 pages each, whose checkpoint
	 * needs ~100 KiB. */
	enum { BALLAST = 256 * 1024 };
	char *zero = calloc(1, BALLAST);
	ck_assert_int_eq(st_write_file(ballast, zero, BALLAST, 0644), 0);
	free(zero);
	st_set before = { 0 }, committed = { 0 };
	list_store(path, &before);
	char *desc = long_desc();
	fill_ctx c = { path, 0, desc };
	child_report r;
	run_child(fill_child, &c, &r, &committed);
	check_full(&r, path, "tmpfs full");

	/* while the disk is still full: opening may fail, but clearly */
	open_ctx oc = { path };
	st_set none = { 0 };
	run_child(open_child, &oc, &r, &none);
	fprintf(stderr, "  %-40s -> open %s: %s; check %s\n", "open on the full tmpfs", ipam_error_name(r.open_rc),
	        r.open_msg, ipam_error_name(r.check_rc));
	if (r.open_rc)
		ck_assert_msg(strstr(r.open_msg, path) && r.open_rc == IPAM_EIO, "open on a full disk: %s: %s",
		              ipam_error_name(r.open_rc), r.open_msg);
	else
		ck_assert_msg(r.addrs == (long)(before.n + committed.n) && r.check_rc == 0,
		              "open on a full disk: %ld addresses, check %d", r.addrs, r.check_rc);

	/* creating a new store on the full disk fails clearly and leaves nothing */
	char path2[330];
	snprintf(path2, sizeof path2, "%s/new.db", mnt);
	create_ctx cc = { path2 };
	run_child(create_child, &cc, &r, &none);
	fprintf(stderr, "  %-40s -> %s: %s\n", "create on the full tmpfs", ipam_error_name(r.open_rc), r.open_msg);
	ck_assert_msg(r.open_rc == IPAM_EIO && strstr(r.open_msg, path2), "create on a full disk: %s: %s",
	              ipam_error_name(r.open_rc), r.open_msg);
	ck_assert_msg(st_stristr(r.open_msg, "full") || st_stristr(r.open_msg, "space"),
	              "create on a full disk: the message does not say why: %s", r.open_msg);
	char side[350];
	static const char *const suffix[] = { "", "-wal", "-shm", "-journal" };
	for (int i = 0; i < 4; i++) {
		snprintf(side, sizeof side, "%s%s", path2, suffix[i]);
		ck_assert_msg(access(side, F_OK) != 0, "a failed create left %s", side);
	}

	/* make room: everything committed is there, and writes work again */
	ck_assert_int_eq(unlink(ballast), 0);
	assert_intact(path, &before, &committed, 1 + BASE_ADDRS + committed.n, "tmpfs full");
	ipam_db *db = NULL;
	ck_assert_msg(st_open(&db, path, key, 0) == 0, "%s", st_why());
	ipam_prefix p;
	ipam_prefix_parse(&p, NET, IPAM_PARSE_DEFAULT);
	ipam_addr a;
	ck_assert_msg(ipam_ip_alloc(&a, db, &p, NULL) == 0, "a write after making room: %s", st_err());
	ipam_db_free(db);
	free(desc);
	st_set_free(&before);
	st_set_free(&committed);
	umount2(mnt, MNT_DETACH);
}
END_TEST

int main(int argc, char **argv)
{
	if (sodium_init() < 0)
		return 1;
	const struct {
		const char *name;
		const TTest *test;
	} tests[] = {
		{ "truncated_store", truncated_store },
		{ "flipped_byte", flipped_byte },
		{ "random_bytes", random_bytes },
		{ "plain_and_foreign_sqlite", plain_and_foreign_sqlite },
		{ "empty_missing_directory", empty_missing_directory },
		{ "read_only_bind_mount", read_only_bind_mount },
		{ "read_only_as_another_user", read_only_as_another_user },
		{ "disk_full_rlimit", disk_full_rlimit },
		{ "disk_full_tmpfs", disk_full_tmpfs },
	};
	const char *only = argc > 1 ? argv[1] : NULL; /* one test by name */
	Suite *s = suite_create("storage-badinput");
	TCase *tc = tcase_create("badinput");
	tcase_set_timeout(tc, 120);
	tcase_add_unchecked_fixture(tc, setup, teardown);
	int n = 0;
	for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++)
		if (!only || strcmp(only, tests[i].name) == 0) {
			tcase_add_test(tc, tests[i].test);
			n++;
		}
	if (n == 0) {
		fprintf(stderr, "no test named %s\n", only);
		return 2;
	}
	suite_add_tcase(s, tc);
	return st_run_suite(s);
}
