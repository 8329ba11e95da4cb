/* Proof 1: many processes allocating from one prefix in one file.
 *
 * Eight processes (the st_helper binary, forked and exec'd) open the same
 * encrypted file and each allocate 2,000 addresses from one /16, one
 * allocation per ipam_db_run() transaction, all starting at once. Each
 * reports an address only after its transaction committed. Afterwards the
 * file, opened again, holds exactly the 16,000 reported addresses: none
 * lost, none handed to two processes, each with the host name of the
 * process that reported it; and the audit chain verifies with exactly one
 * entry per change. (A second test, run as a known failure, has the
 * eight create one new file at once.) */
#include "st_common.h"
#include "st_run.h"
#include "st_raw.h"
#include "st_child.h"

#include <check.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define NPROC 8
#define PER_PROC 2000
#define NET "10.20.0.0/16"

START_TEST(eight_processes_one_prefix)
{
	char dir[256], file[300], key[300];
	ck_assert_msg(st_new_store(dir, "conc", file, key, NET) == 0, "%s", st_why());
	ipam_db *db = NULL;

	double t0 = st_now_ms();
	st_child ch[NPROC];
	memset(ch, 0, sizeof ch);
	for (int i = 0; i < NPROC; i++) {
		char count[16], tag[16];
		snprintf(count, sizeof count, "%d", PER_PROC);
		snprintf(tag, sizeof tag, "p%d", i);
		snprintf(ch[i].err, sizeof ch[i].err, "%s/err.%d", dir, i);
		char *argv[] = { (char *)st_helper_path(), "alloc", file, key, NET, count, tag, NULL };
		ck_assert_msg(st_child_spawn(&ch[i], argv) == 0, "%s", st_why());
	}
	/* all open, then all start at once */
	ck_assert_msg(st_pump(ch, NPROC, st_started, 120000) == 0, "%s", st_why());
	for (int i = 0; i < NPROC; i++) {
		ck_assert_msg(ch[i].len >= 2 && memcmp(ch[i].buf, "S\n", 2) == 0, "helper %d did not start: %s", i,
		              st_err_text(ch[i].err));
		ck_assert_int_eq(write(ch[i].in, "g", 1), 1);
		close(ch[i].in);
	}
	ck_assert_msg(st_pump(ch, NPROC, st_never, 120000) == 0, "%s", st_why());
	for (int i = 0; i < NPROC; i++) {
		int status;
		ck_assert_int_eq(waitpid(ch[i].pid, &status, 0), ch[i].pid);
		ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "helper %d: status 0x%x: %s", i, status,
		              st_err_text(ch[i].err));
		close(ch[i].out);
	}
	double t1 = st_now_ms();

	/* what each process reported, and who reported it */
	st_set all = { 0 };
	uint32_t *owner = calloc(1u << 16, sizeof *owner); /* by the low 16 bits: reporter + 1 */
	ck_assert_ptr_nonnull(owner);
	for (int i = 0; i < NPROC; i++) {
		int n = 0;
		char *save = NULL;
		for (char *line = strtok_r(ch[i].buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			if (strcmp(line, "S") == 0 || line[0] == 'T')
				continue;
			uint32_t a;
			ck_assert_msg(strncmp(line, "A ", 2) == 0 && st_parse_v4(&a, line + 2) == 0, "helper %d said \"%s\"", i,
			              line);
			ck_assert_msg((a >> 16) == (10u << 8 | 20u), "helper %d got %s, outside " NET, i, line + 2);
			char b[16];
			ck_assert_msg(owner[a & 0xffff] == 0, "%s was handed to helper %u and to helper %d",
			              st_fmt_v4(a, b), owner[a & 0xffff] - 1, i);
			owner[a & 0xffff] = (uint32_t)i + 1;
			st_set_add(&all, a);
			n++;
		}
		ck_assert_msg(n == PER_PROC, "helper %d reported %d allocations, not %d", i, n, PER_PROC);
		free(ch[i].buf);
	}
	st_set_sort(&all);
	ck_assert_uint_eq(st_set_dups(&all, NULL), 0);
	ck_assert_uint_eq(all.n, NPROC * PER_PROC);

	/* the file, opened afresh, holds exactly those, with their owners' names */
	ck_assert_msg(st_open(&db, file, key, 0) == 0, "%s", st_why());
	ck_assert_msg(ipam_db_check(db) == 0, "check: %s", st_err());
	st_set got = { 0 };
	char **hosts = NULL;
	ck_assert_msg(st_list(db, NET, &got, &hosts) == 0, "%s", st_why());
	ck_assert_uint_eq(got.n, NPROC * PER_PROC);
	for (size_t i = 0; i < got.n; i++) {
		char b[16], want[16];
		uint32_t a = got.v[i];
		ck_assert_msg(st_set_has(&all, a), "%s is in the file but nobody reported it", st_fmt_v4(a, b));
		snprintf(want, sizeof want, "p%u-", owner[a & 0xffff] - 1);
		ck_assert_msg(hosts[i] && strncmp(hosts[i], want, strlen(want)) == 0,
		              "%s: host name %s, but helper %u reported it", st_fmt_v4(a, b), hosts[i] ? hosts[i] : "(none)",
		              owner[a & 0xffff] - 1);
		free(hosts[i]);
	}
	free(hosts);
	for (size_t i = 0; i < all.n; i++) {
		char b[16];
		ck_assert_msg(st_set_has(&got, all.v[i]), "%s was reported committed but is not in the file",
		              st_fmt_v4(all.v[i], b));
	}

	/* one audit entry per change: the prefix and the 16,000 allocations */
	ipam_audit_report rep = IPAM_AUDIT_REPORT_INIT;
	ck_assert_msg(ipam_audit_verify(&rep, db, NULL) == 0, "verify: %s", st_err());
	ck_assert_uint_eq(rep.entries, 1 + NPROC * PER_PROC);
	ck_assert_uint_eq(rep.head_seq, 1 + NPROC * PER_PROC);
	ck_assert_uint_eq(rep.first_bad, 0);
	st_audit_counts ac;
	ck_assert_msg(st_audit_count(db, &ac) == 0, "%s", st_why());
	ck_assert_uint_eq(ac.total, 1 + NPROC * PER_PROC);
	ck_assert_uint_eq(ac.alloc, NPROC * PER_PROC);
	ck_assert_uint_eq(ac.prefix, 1);
	/* and each allocation entry names one of the addresses, once */
	ipam_audit_iter *it = NULL;
	ck_assert_int_eq(ipam_audit_iter_new(&it, db, 1), 0);
	ipam_audit_entry e = IPAM_AUDIT_ENTRY_INIT;
	uint8_t *seen = calloc(1u << 16, 1);
	while (ipam_audit_iter_next(&e, it) == 0) {
		if (strcmp(e.action, "address.alloc") != 0)
			continue;
		const char *sp = strrchr(e.object, ' ');
		uint32_t a;
		ck_assert_msg(sp && st_parse_v4(&a, sp + 1) == 0, "entry %llu: object \"%s\"", (unsigned long long)e.seq,
		              e.object);
		ck_assert_msg(st_set_has(&all, a) && !seen[a & 0xffff], "entry %llu: \"%s\" unknown or logged twice",
		              (unsigned long long)e.seq, e.object);
		seen[a & 0xffff] = 1;
		ck_assert_str_eq(e.actor, "st-test");
	}
	ipam_audit_entry_dispose(&e);
	ipam_audit_iter_free(it);
	free(seen);
	ipam_db_free(db);

	fprintf(stderr, "concurrency: %d processes x %d allocations in %.0f ms (%.0f commits/s)\n", NPROC, PER_PROC,
	        t1 - t0, NPROC * PER_PROC / ((t1 - t0) / 1000.0));
	st_set_free(&all);
	st_set_free(&got);
	free(owner);
	st_rmrf(dir);
}
END_TEST

/* Eight processes create the same new file at once (IPAM_OPEN_CREATE, the
 * file does not exist when they start), each adds the same prefix through
 * ipam_db_run (one wins, the others see IPAM_EEXISTS) and allocates from
 * it: every open succeeds, the file has one schema, one default space, one
 * prefix, and all the allocations. Ten rounds, on ten new files.
 *
 * Known bug: this failed at first in the file store (two processes
 * initialised the empty file at once: "wrong key", and a creator that
 * failed unlinked the file under the others); src/store/sqlcipher.c now
 * builds the file aside and links it into place under a flock, and that
 * part passes. What still fails is the db layer's race below
 * (eight_processes_first_open): a process that loses it cannot add the
 * prefix ("lost a race with other writers 50 times"). */
#define CREATE_PER_PROC 100

/* One round: eight helpers in "create" mode, started at once on `file`.
 * Checks what must hold whatever the state of the file before; returns
 * only when every helper succeeded. */
static void create_round(const char *dir, const char *file, const char *key, int per_proc, const char *what)
{
	st_child ch[NPROC];
	memset(ch, 0, sizeof ch);
	for (int i = 0; i < NPROC; i++) {
		char count[16], tag[16];
		snprintf(count, sizeof count, "%d", per_proc);
		snprintf(tag, sizeof tag, "p%d", i);
		snprintf(ch[i].err, sizeof ch[i].err, "%s/err.%d", dir, i);
		char *argv[] = { (char *)st_helper_path(), "create", (char *)file, (char *)key, "10.60.0.0/16", count, tag,
			         NULL };
		ck_assert_msg(st_child_spawn(&ch[i], argv) == 0, "%s", st_why());
	}
	ck_assert_msg(st_pump(ch, NPROC, st_started, 120000) == 0, "%s", st_why());
	for (int i = 0; i < NPROC; i++) {
		ck_assert_int_eq(write(ch[i].in, "g", 1), 1);
		close(ch[i].in);
	}
	ck_assert_msg(st_pump(ch, NPROC, st_never, 120000) == 0, "%s", st_why());
	int adders = 0;
	st_set all = { 0 };
	for (int i = 0; i < NPROC; i++) {
		int status;
		ck_assert_int_eq(waitpid(ch[i].pid, &status, 0), ch[i].pid);
		close(ch[i].out);
	}
	for (int i = 0; i < NPROC; i++) {
		ck_assert_msg(ch[i].eof, "helper %d", i);
		char *save = NULL;
		for (char *line = strtok_r(ch[i].buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			uint32_t a;
			if (strcmp(line, "S") == 0 || line[0] == 'T')
				continue;
			if (strcmp(line, "P") == 0) {
				adders++;
				continue;
			}
			ck_assert_msg(strncmp(line, "A ", 2) == 0 && st_parse_v4(&a, line + 2) == 0, "helper %d said %s", i,
			              line);
			st_set_add(&all, a);
		}
		free(ch[i].buf);
		const char *e = st_err_text(ch[i].err);
		ck_assert_msg(strncmp(e, "(no stderr)", 11) == 0 || e[0] == '\0', "%s: helper %d: %s", what, i, e);
	}
	ck_assert_int_eq(adders, 1);
	st_set_sort(&all);
	ck_assert_uint_eq(all.n, (size_t)NPROC * per_proc);
	ck_assert_uint_eq(st_set_dups(&all, NULL), 0);
	ipam_db *db = NULL;
	ck_assert_msg(st_open(&db, file, key, 0) == 0, "%s: %s", what, st_why());
	ck_assert_msg(ipam_db_check(db) == 0, "%s: %s", what, st_err());
	ipam_db_stats stats = IPAM_DB_STATS_INIT;
	ck_assert_int_eq(ipam_db_stats_get(&stats, db), 0);
	ck_assert_uint_eq(stats.spaces, 1);
	ck_assert_uint_eq(stats.prefixes, 1);
	ck_assert_uint_eq(stats.addresses, (size_t)NPROC * per_proc);
	ipam_audit_report rep = IPAM_AUDIT_REPORT_INIT;
	ck_assert_msg(ipam_audit_verify(&rep, db, NULL) == 0, "%s: %s", what, st_err());
	ck_assert_uint_eq(rep.entries, 1 + (size_t)NPROC * per_proc);
	ipam_db_free(db);
	st_set_free(&all);
}

START_TEST(eight_processes_create_one_file)
{
	char dir[256], file[300], key[300];
	ck_assert_msg(st_tmpdir(dir, "create") == 0, "%s", st_why());
	snprintf(file, sizeof file, "%s/ipam.db", dir);
	snprintf(key, sizeof key, "%s/key", dir);
	ck_assert_msg(st_make_key(key) == 0, "%s", st_why());
	for (int round = 0; round < 10; round++) {
		char what[64];
		snprintf(file, sizeof file, "%s/ipam-%d.db", dir, round);
		snprintf(what, sizeof what, "create at once, round %d", round);
		ck_assert_msg(access(file, F_OK) != 0, "the file exists before the start");
		create_round(dir, file, key, CREATE_PER_PROC, what);
	}
	st_rmrf(dir);
}
END_TEST

/* The db layer's half of the same race, without the file's: the file
 * exists with its schema, but no default space yet (the state a new store
 * is in between its creation and the first ipam__db_load). Eight processes
 * open it at once; each may create the default space; then they add one
 * prefix (through ipam_db_run) and allocate.
 *
 * Known bug (src/db/txn.c, ipam__db_load): a process that creates the
 * default space does so in a write transaction of its own after the load,
 * then sets db->rev to the store's newest revision without replaying what
 * other processes committed in between. Its index has lost those changes
 * for good: here, the prefix another process added; ipam_prefix_add then
 * conflicts with the store's row on every try, and ipam_db_run gives up
 * ("lost a race with other writers 50 times"). The window is narrow, so
 * the test runs up to 40 rounds. */
START_TEST(eight_processes_first_open)
{
	char dir[256], file[300], key[300], what[64];
	ck_assert_msg(st_tmpdir(dir, "first") == 0, "%s", st_why());
	snprintf(file, sizeof file, "%s/ipam.db", dir);
	snprintf(key, sizeof key, "%s/key", dir);
	ck_assert_msg(st_make_key(key) == 0, "%s", st_why());
	for (int round = 0; round < 40; round++) {
		char side[320];
		unlink(file);
		snprintf(side, sizeof side, "%s-wal", file);
		unlink(side);
		snprintf(side, sizeof side, "%s-shm", file);
		unlink(side);
		ipam_db *db = NULL;
		ck_assert_msg(st_open(&db, file, key, IPAM_OPEN_CREATE) == 0, "%s", st_why());
		ipam_db_free(db);
		/* back to no default space (the change feed keeps the puts of the
		 * rows deleted here: replaying it skips rows that are gone) */
		ck_assert_msg(st_raw_run(file, key, "DELETE FROM spaces; DELETE FROM tenants") == 0, "%s", st_why());
		snprintf(what, sizeof what, "round %d", round);
		create_round(dir, file, key, 10, what);
	}
	st_rmrf(dir);
}
END_TEST

/* With the argument "create-race" or "first-open-race", only that test
 * runs: both fail today (see their comments) and meson runs them as tests
 * that should fail, so that a fix shows as an unexpected pass. */
int main(int argc, char **argv)
{
	Suite *s = suite_create("storage-concurrency");
	TCase *tc = tcase_create("concurrency");
	tcase_set_timeout(tc, 300);
	if (argc > 1 && strcmp(argv[1], "create-race") == 0)
		tcase_add_test(tc, eight_processes_create_one_file);
	else if (argc > 1 && strcmp(argv[1], "first-open-race") == 0)
		tcase_add_test(tc, eight_processes_first_open);
	else
		tcase_add_test(tc, eight_processes_one_prefix);
	suite_add_tcase(s, tc);
	return st_run_suite(s);
}
