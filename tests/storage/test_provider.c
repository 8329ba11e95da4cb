/* The crypto provider (src/store/sqlcipher_provider.c) keeps SQLCipher's
 * page format: a file written with it opens with SQLCipher's stock OpenSSL
 * provider, and the other way round.
 *
 * "Stock" here is two things that share no code with ours: Debian's
 * `sqlcipher` command-line shell (a process of its own: it reads the whole
 * file, checks it and VACUUMs it, which rewrites every page), and this test
 * executable run again with IPAM_SQLCIPHER_PROVIDER=stock (libipam with the
 * stock provider: it writes a store and reads one back through the
 * library). Each side checks every address, host name, the audit chain and
 * SQLite's integrity_check. */
#include "st_common.h"
#include "st_run.h"
#include "st_raw.h"
#include "common.h"
#include "store/sqlcipher_provider.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define KEY_HEX "404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f"
#define FIRST 200 /* addresses the writer allocates */
#define MORE 50   /* and the reader after it */

typedef struct {
	char dir[256], file[300], key[300];
} paths;

static void paths_init(paths *p, const char *tag)
{
	ck_assert_msg(st_tmpdir(p->dir, tag) == 0, "%s", st_why());
	snprintf(p->file, sizeof p->file, "%s/ipam.db", p->dir);
	snprintf(p->key, sizeof p->key, "%s/key", p->dir);
	ck_assert_msg(st_write_file(p->key, KEY_HEX, strlen(KEY_HEX), 0600) == 0, "%s", st_why());
}

/* Allocate n (>= 2) addresses with host names h<i>.compat.example (i from
 * `from`) in 10.61.0.0/20: half in one transaction, half one commit each. */
static int write_some(ipam_db *db, int from, int n)
{
	ipam_prefix p;
	if (ipam_prefix_parse(&p, "10.61.0.0/20", 0))
		return -1;
	ipam_ip_options io = IPAM_IP_OPTIONS_INIT;
	char host[64];
	if (ipam_db_begin(db))
		return -1;
	for (int i = from; i < from + n; i++) {
		if (i == from + n / 2 && ipam_db_commit(db))
			return -1;
		snprintf(host, sizeof host, "h%d.compat.example", i);
		io.hostname = host;
		ipam_addr a;
		if (ipam_ip_alloc(&a, db, &p, &io))
			return -1;
	}
	return 0;
}

/* The store holds exactly n addresses 10.61.0.1.. with their host names,
 * passes ipam_db_check and its audit chain verifies. NULL or what is wrong. */
static const char *holds(ipam_db *db, int n)
{
	static _Thread_local char why[300];
	st_set set = { 0 };
	char **hosts = NULL;
	const char *bad = NULL;
	if (st_list(db, NULL, &set, &hosts))
		return st_why();
	if (set.n != (size_t)n) {
		snprintf(why, sizeof why, "%zu addresses, not %d", set.n, n);
		bad = why;
	}
	for (size_t i = 0; !bad && i < set.n; i++) {
		char want[64];
		snprintf(want, sizeof want, "h%zu.compat.example", i);
		if (set.v[i] != (10u << 24 | 61u << 16) + (uint32_t)i + 1 || !hosts[i] || strcmp(hosts[i], want) != 0) {
			snprintf(why, sizeof why, "address %zu: host %s, not %s", i, hosts[i] ? hosts[i] : "(none)", want);
			bad = why;
		}
	}
	for (size_t i = 0; i < set.n; i++)
		free(hosts[i]);
	free(hosts);
	st_set_free(&set);
	ipam_audit_report rep = IPAM_AUDIT_REPORT_INIT;
	if (!bad && ipam_db_check(db)) {
		snprintf(why, sizeof why, "check: %s", st_err());
		bad = why;
	}
	if (!bad && ipam_audit_verify(&rep, db, NULL)) {
		snprintf(why, sizeof why, "audit: %s", st_err());
		bad = why;
	}
	return bad;
}

/* ---- the stock side ----------------------------------------------------- */

/* Run SQL through Debian's sqlcipher shell on the file; its output (the
 * results, one a line) in out. 0, or -1 when the shell failed. */
static int shell(const paths *p, const char *sql, char *out, size_t size)
{
	char in[320], res[320], cmd[1200];
	snprintf(in, sizeof in, "%s/shell.sql", p->dir);
	snprintf(res, sizeof res, "%s/shell.out", p->dir);
	FILE *f = fopen(in, "w");
	if (!f)
		return -1;
	fprintf(f, "PRAGMA key = \"x'%s'\";\nPRAGMA cipher_page_size = 4096;\n%s\n", KEY_HEX, sql);
	fclose(f);
	snprintf(cmd, sizeof cmd, "sqlcipher -batch -bail '%s' < '%s' > '%s' 2>&1", p->file, in, res);
	int rc = system(cmd);
	size_t len = 0;
	uint8_t *text = st_read_file(res, &len);
	snprintf(out, size, "%s", text ? (char *)text : "");
	free(text);
	return rc == 0 ? 0 : -1;
}

/* This executable again, with the stock provider: "stock-write DIR" or
 * "stock-read DIR N". Its exit status. */
static int run_stock(const char *mode, const paths *p, int n)
{
	char self[4096], count[16];
	ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
	if (len <= 0)
		return -1;
	self[len] = 0;
	snprintf(count, sizeof count, "%d", n);
	pid_t pid = fork();
	if (pid == 0) {
		setenv("IPAM_SQLCIPHER_PROVIDER", "stock", 1);
		execl(self, self, mode, p->dir, count, (char *)NULL);
		_exit(127);
	}
	int st;
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* The child of run_stock(). */
static int stock_main(const char *mode, const char *dir, int n)
{
	paths p;
	snprintf(p.dir, sizeof p.dir, "%s", dir);
	snprintf(p.file, sizeof p.file, "%s/ipam.db", dir);
	snprintf(p.key, sizeof p.key, "%s/key", dir);
	ipam_db *db;
	int create = strcmp(mode, "stock-write") == 0;
	if (st_open(&db, p.file, p.key, create ? IPAM_OPEN_CREATE : 0)) {
		fprintf(stderr, "%s: open: %s\n", mode, st_why());
		return 1;
	}
	const char *why;
	if (ipam__sqlcipher_provider_active(&why)) {
		fprintf(stderr, "%s: our provider is active, not the stock one\n", mode);
		return 1;
	}
	const char *bad = NULL;
	if (create) {
		ipam_prefix pf;
		if (ipam_prefix_parse(&pf, "10.61.0.0/20", 0) || ipam_prefix_add(db, &pf, NULL) ||
		    write_some(db, 0, n))
			bad = st_err();
	}
	if (!bad)
		bad = holds(db, n);
	ipam_db_free(db);
	if (bad) {
		fprintf(stderr, "%s (%s): %s\n", mode, why, bad);
		return 1;
	}
	return 0;
}

/* ---- the proofs ----------------------------------------------------------- */

START_TEST(ours_is_registered)
{
	const char *why;
	ck_assert_msg(ipam__sqlcipher_provider_active(&why), "the stock provider is in use: %s", why);
	/* and SQLCipher reports it for a keyed connection of libipam's */
	paths p;
	paths_init(&p, "provider-name");
	ipam_db *db;
	ck_assert_msg(st_open(&db, p.file, p.key, IPAM_OPEN_CREATE) == 0, "%s", st_why());
	ipam_db_free(db);
	char keybin[320];
	uint8_t raw_key[32];
	snprintf(keybin, sizeof keybin, "%s/key.bin", p.dir);
	ck_assert(ipam__unhex(raw_key, sizeof raw_key, KEY_HEX) == 0);
	ck_assert_msg(st_write_file(keybin, raw_key, sizeof raw_key, 0600) == 0, "%s", st_why());
	sqlite3 *raw;
	sqlite3_stmt *q;
	ck_assert_msg(st_raw_open(&raw, p.file, keybin, 0) == 0, "%s", st_why());
	ck_assert_int_eq(sqlite3_prepare_v2(raw, "PRAGMA cipher_provider", -1, &q, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(q), SQLITE_ROW);
	ck_assert_str_eq((const char *)sqlite3_column_text(q, 0), IPAM__SQLCIPHER_PROVIDER_NAME);
	sqlite3_finalize(q);
	sqlite3_close(raw);
	/* the shell, our control, has the stock one */
	char out[512];
	ck_assert_msg(shell(&p, "PRAGMA cipher_provider;", out, sizeof out) == 0, "sqlcipher: %s", out);
	ck_assert_msg(strstr(out, "openssl") != NULL, "the shell's own provider: %s", out);
	st_rmrf(p.dir);
}
END_TEST

START_TEST(ours_then_stock)
{
	paths p;
	paths_init(&p, "provider-ours");
	ipam_db *db;
	ipam_prefix pf;
	ck_assert_msg(st_open(&db, p.file, p.key, IPAM_OPEN_CREATE) == 0, "%s", st_why());
	ck_assert(ipam_prefix_parse(&pf, "10.61.0.0/20", 0) == 0);
	ck_assert_msg(ipam_prefix_add(db, &pf, NULL) == 0, "%s", st_err());
	ck_assert_msg(write_some(db, 0, FIRST) == 0, "%s", st_err());
	ipam_db_free(db);

	/* the stock shell reads every page of it */
	char out[4096];
	ck_assert_msg(shell(&p,
	                    "PRAGMA integrity_check;\n"
	                    "SELECT count(*) FROM addresses;\n"
	                    "SELECT count(*) FROM audit;",
	                    out, sizeof out) == 0,
	              "sqlcipher: %s", out);
	char want[64];
	snprintf(want, sizeof want, "ok\n%d\n%d\n", FIRST, FIRST + 1);
	ck_assert_msg(strcmp(out, want) == 0, "the stock shell read: %s", out);
	/* libipam with the stock provider reads it, through the library */
	ck_assert_int_eq(run_stock("stock-read", &p, FIRST), 0);

	/* the shell rewrites every page (VACUUM), and ours reads them */
	ck_assert_msg(shell(&p, "VACUUM;\nPRAGMA integrity_check;", out, sizeof out) == 0, "sqlcipher: %s", out);
	ck_assert_msg(strcmp(out, "ok\n") == 0, "after VACUUM: %s", out);
	ck_assert_msg(st_open(&db, p.file, p.key, 0) == 0, "%s", st_why());
	const char *bad = holds(db, FIRST);
	ck_assert_msg(!bad, "%s", bad ? bad : "");
	ipam_db_free(db);
	st_rmrf(p.dir);
}
END_TEST

START_TEST(stock_then_ours)
{
	paths p;
	paths_init(&p, "provider-stock");
	/* written with the stock provider... */
	ck_assert_int_eq(run_stock("stock-write", &p, FIRST), 0);
	/* ...read and written on with ours... */
	ipam_db *db;
	ck_assert_msg(st_open(&db, p.file, p.key, 0) == 0, "%s", st_why());
	const char *bad = holds(db, FIRST);
	ck_assert_msg(!bad, "%s", bad ? bad : "");
	ck_assert_msg(write_some(db, FIRST, MORE) == 0, "%s", st_err());
	bad = holds(db, FIRST + MORE);
	ck_assert_msg(!bad, "%s", bad ? bad : "");
	ipam_db_free(db);
	/* ...and read back with the stock one, and by the shell */
	ck_assert_int_eq(run_stock("stock-read", &p, FIRST + MORE), 0);
	char out[512];
	ck_assert_msg(shell(&p, "PRAGMA integrity_check;", out, sizeof out) == 0, "sqlcipher: %s", out);
	ck_assert_msg(strcmp(out, "ok\n") == 0, "the stock shell: %s", out);
	st_rmrf(p.dir);
}
END_TEST

int main(int argc, char **argv)
{
	if (argc == 4 && strncmp(argv[1], "stock-", 6) == 0)
		return stock_main(argv[1], argv[2], atoi(argv[3]));
	Suite *s = suite_create("storage-provider");
	TCase *tc = tcase_create("provider");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, ours_is_registered);
	tcase_add_test(tc, ours_then_stock);
	tcase_add_test(tc, stock_then_ours);
	suite_add_tcase(s, tc);
	return st_run_suite(s);
}
