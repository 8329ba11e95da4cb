/* Proof 2: a process killed at any moment loses nothing it committed and
 * leaves a file that opens, checks and verifies.
 *
 * 200 times, the st_helper binary opens the file and changes it in a loop
 * (transactions of three allocations, and every fourth one a transaction
 * that releases three addresses of an earlier one), reporting each
 * transaction on a pipe after its commit returned; the driver kills it with
 * SIGKILL at a random moment: mostly while it commits, sometimes while it
 * is still starting or opening the file. After each kill the driver opens
 * the file and checks:
 * - ipam_db_check passes (SQLite's integrity_check, then the index);
 * - every transaction the child reported is in the file whole: its three
 *   addresses with its host name (or, for a release, none of them);
 * - anything else in the file is exactly the child's one transaction in
 *   flight (committed, killed before it could report): all of it or none;
 * - the audit chain verifies and has exactly one entry per change made.
 * Every third child opens with IPAM_OPEN_DURABLE.
 *
 * Then a second driver kills a process that changes the file's key over and
 * over (ipam_db_rekey rewrites every page): after each kill the file opens
 * with the key of the last rekey reported done or, when one was under way,
 * with one of the two keys, and it checks and holds everything. */
#include "st_common.h"
#include "st_run.h"

#include <check.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#define NET "10.30.0.0/16"
#define ROUNDS 200

typedef struct {
	int id;       /* the child (round) that made it */
	long k;       /* its transaction number there */
	uint32_t a[3];
	int live;
} group;

static group *groups;
static size_t ngroups, cgroups;

static size_t group_add(int id, long k, const uint32_t a[3])
{
	if (ngroups == cgroups) {
		cgroups = cgroups ? cgroups * 2 : 1024;
		groups = realloc(groups, cgroups * sizeof *groups);
		ck_assert_ptr_nonnull(groups);
	}
	group *g = &groups[ngroups];
	g->id = id;
	g->k = k;
	memcpy(g->a, a, sizeof g->a);
	g->live = 1;
	return ngroups++;
}

static group *group_find(int id, long k)
{
	for (size_t i = ngroups; i-- > 0;)
		if (groups[i].id == id && groups[i].k == k)
			return &groups[i];
	return NULL;
}

static int parse_tag(const char *s, int *id, long *k)
{
	char *end;
	if (!s || s[0] != 'c')
		return -1;
	*id = (int)strtol(s + 1, &end, 10);
	if (end[0] != '-' || end[1] != 't')
		return -1;
	*k = strtol(end + 2, &end, 10);
	return *end == '\0' || *end == '.' ? 0 : -1;
}

static void sleep_us(unsigned us)
{
	struct timespec ts = { (time_t)(us / 1000000u), (long)(us % 1000000u) * 1000L };
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* Read until EOF (the child is dead) or until a line "S" came (wait_start). */
static size_t drain(int fd, char **buf, size_t *len, size_t *cap, int wait_start)
{
	for (;;) {
		if (wait_start && *len >= 2)
			return *len;
		struct pollfd pf = { fd, POLLIN, 0 };
		int r = poll(&pf, 1, 30000);
		ck_assert_msg(r > 0, "the helper said nothing for 30 s");
		if (*len + 4096 > *cap) {
			*cap = *cap ? *cap * 2 : 65536;
			*buf = realloc(*buf, *cap + 1);
		}
		ssize_t n = read(fd, *buf + *len, *cap - *len);
		if (n < 0 && errno == EINTR)
			continue;
		ck_assert_msg(n >= 0, "read: %s", strerror(errno));
		if (n == 0)
			return *len;
		*len += (size_t)n;
		(*buf)[*len] = 0;
	}
}

typedef struct {
	double kill_ms, check_ms;
	unsigned early_kills;   /* before the child had opened the file */
	unsigned in_flight;     /* kills that left a committed, unreported transaction */
	unsigned release_inflight;
	unsigned txns;          /* transactions reported */
} crash_stats;

START_TEST(kill_nine_200_times)
{
	char dir[256], file[300], key[300], errp[300];
	ck_assert_msg(st_new_store(dir, "crash", file, key, NET) == 0, "%s", st_why());
	ipam_db *db = NULL;
	snprintf(errp, sizeof errp, "%s/stderr", dir);

	uint64_t changes = 1; /* audit entries expected: the prefix */
	size_t live_addrs = 0;
	crash_stats s;
	memset(&s, 0, sizeof s);
	char *buf = NULL;
	size_t cap = 0;
	double t0 = st_now_ms();

	for (int round = 0; round < ROUNDS; round++) {
		char id[16], durable[4];
		snprintf(id, sizeof id, "%d", round);
		snprintf(durable, sizeof durable, "%d", round % 3 == 0);
		char *argv[] = { (char *)st_helper_path(), "churn", file, key, NET, id, durable, NULL };
		pid_t pid;
		int in, out;
		size_t len = 0;
		double k0 = st_now_ms();
		ck_assert_msg(st_spawn(&pid, &in, &out, errp, argv) == 0, "%s", st_why());
		close(in);
		if (round % 8 == 7) {
			/* early: while it execs, opens, recovers the file */
			sleep_us(randombytes_uniform(15000));
		} else {
			drain(out, &buf, &len, &cap, 1);
			sleep_us(randombytes_uniform(25000));
		}
		kill(pid, SIGKILL);
		int status;
		ck_assert_int_eq(waitpid(pid, &status, 0), pid);
		drain(out, &buf, &len, &cap, 0);
		close(out);
		if (buf)
			buf[len] = 0;
		s.kill_ms += st_now_ms() - k0;
		if (!(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)) {
			size_t n;
			uint8_t *e = st_read_file(errp, &n);
			ck_abort_msg("round %d: the helper ended on its own (status 0x%x): %s", round, status,
			             e ? (char *)e : "");
		}

		/* what it reported */
		long last_k = 0;
		group *pending = NULL; /* a release announced but not confirmed */
		int started = 0;
		char *save = NULL;
		for (char *line = buf ? strtok_r(buf, "\n", &save) : NULL; line; line = strtok_r(NULL, "\n", &save)) {
			long k;
			int gid;
			long gk;
			char tag[64], a[3][64];
			if (strcmp(line, "S") == 0) {
				started = 1;
			} else if (sscanf(line, "A %ld %63s %63s %63s", &k, a[0], a[1], a[2]) == 4) {
				uint32_t v[3];
				for (int i = 0; i < 3; i++)
					ck_assert_msg(st_parse_v4(&v[i], a[i]) == 0, "%s", st_why());
				group_add(round, k, v);
				changes += 3;
				live_addrs += 3;
				last_k = k;
				s.txns++;
			} else if (sscanf(line, "r %ld %63s", &k, tag) == 2) {
				ck_assert_msg(parse_tag(tag, &gid, &gk) == 0, "bad tag %s", tag);
				pending = group_find(gid, gk);
				ck_assert_msg(pending && pending->live, "round %d: release of unknown group %s", round, tag);
				last_k = k;
			} else if (sscanf(line, "R %ld %63s", &k, tag) == 2) {
				ck_assert_msg(parse_tag(tag, &gid, &gk) == 0, "bad tag %s", tag);
				group *g = group_find(gid, gk);
				ck_assert_msg(g && g->live && g == pending, "round %d: release of %s not announced", round, tag);
				g->live = 0;
				pending = NULL;
				changes += 3;
				live_addrs -= 3;
				last_k = k;
				s.txns++;
			} else {
				/* a line cut by the kill cannot happen: one write(2) < PIPE_BUF each */
				ck_abort_msg("round %d: helper said \"%s\"", round, line);
			}
		}
		if (!started)
			s.early_kills++;

		/* the file after the kill */
		double c0 = st_now_ms();
		ck_assert_msg(st_open(&db, file, key, 0) == 0, "round %d: %s", round, st_why());
		ck_assert_msg(ipam_db_check(db) == 0, "round %d: check: %s", round, st_err());
		st_set got = { 0 };
		char **hosts = NULL;
		ck_assert_msg(st_list(db, NET, &got, &hosts) == 0, "%s", st_why());
		/* every address in the file: a live group's, or the one in flight */
		uint32_t extra[3];
		int nextra = 0, pending_seen = 0;
		for (size_t i = 0; i < got.n; i++) {
			int gid;
			long gk;
			char b[16];
			ck_assert_msg(parse_tag(hosts[i], &gid, &gk) == 0, "round %d: %s has host name %s", round,
			              st_fmt_v4(got.v[i], b), hosts[i] ? hosts[i] : "(none)");
			group *g = group_find(gid, gk);
			if (g) {
				int j = 0;
				while (j < 3 && g->a[j] != got.v[i])
					j++;
				ck_assert_msg(j < 3, "round %d: %s is in the file as %s, which the child reported with other addresses",
				              round, st_fmt_v4(got.v[i], b), hosts[i]);
				ck_assert_msg(g->live || g == pending, "round %d: %s (%s) was released (committed) but is in the file",
				              round, st_fmt_v4(got.v[i], b), hosts[i]);
				pending_seen += g == pending;
			} else {
				ck_assert_msg(gid == round && gk == last_k + 1 && !pending && nextra < 3,
				              "round %d: %s (%s) is in the file, but no transaction of it was reported "
				              "(last reported: %ld)",
				              round, st_fmt_v4(got.v[i], b), hosts[i], last_k);
				extra[nextra++] = got.v[i];
			}
			free(hosts[i]);
		}
		free(hosts);
		ck_assert_msg(nextra == 0 || nextra == 3, "round %d: %d addresses of the transaction in flight: torn", round,
		              nextra);
		ck_assert_msg(pending_seen == 0 || pending_seen == 3, "round %d: %d of the 3 addresses being released: torn",
		              round, pending_seen);
		if (nextra == 3) {
			group_add(round, last_k + 1, extra);
			changes += 3;
			live_addrs += 3;
			s.in_flight++;
		}
		if (pending && pending_seen == 0) {
			pending->live = 0;
			changes += 3;
			live_addrs -= 3;
			s.release_inflight++;
		}
		/* nothing committed is missing: the counts agree, and each live address is there */
		ck_assert_msg(got.n == live_addrs, "round %d: %zu addresses in the file, %zu committed", round, got.n,
		              live_addrs);
		for (size_t i = 0; i < ngroups; i++)
			if (groups[i].live)
				for (int j = 0; j < 3; j++) {
					char b[16];
					ck_assert_msg(st_set_has(&got, groups[i].a[j]),
					              "round %d: %s of c%d-t%ld was reported committed but is not in the file", round,
					              st_fmt_v4(groups[i].a[j], b), groups[i].id, groups[i].k);
				}
		st_set_free(&got);

		ipam_audit_report rep = IPAM_AUDIT_REPORT_INIT;
		ck_assert_msg(ipam_audit_verify(&rep, db, NULL) == 0, "round %d: verify: %s", round, st_err());
		ck_assert_msg(rep.entries == changes, "round %d: %llu audit entries, %llu changes", round,
		              (unsigned long long)rep.entries, (unsigned long long)changes);
		ipam_db_free(db);
		s.check_ms += st_now_ms() - c0;
	}
	/* the audit entries say the same as the data */
	ck_assert_msg(st_open(&db, file, key, 0) == 0, "%s", st_why());
	st_audit_counts ac;
	ck_assert_msg(st_audit_count(db, &ac) == 0, "%s", st_why());
	ck_assert_uint_eq(ac.total, changes);
	ck_assert_uint_eq(ac.alloc - ac.release, live_addrs);
	ipam_db_free(db);

	fprintf(stderr,
	        "crash: %d kills in %.1f s (children %.1f s, checks %.1f s); %u transactions reported, %u kills before "
	        "the open, %u left a committed allocation unreported, %u a committed release; %zu addresses, %llu audit "
	        "entries\n",
	        ROUNDS, (st_now_ms() - t0) / 1000, s.kill_ms / 1000, s.check_ms / 1000, s.txns, s.early_kills,
	        s.in_flight, s.release_inflight, live_addrs, (unsigned long long)changes);
	/* the kills must have hit running transactions, not only start-ups */
	ck_assert_msg(s.txns >= ROUNDS, "only %u transactions in %d rounds: the kills came too early", s.txns, ROUNDS);
	free(buf);
	free(groups);
	st_rmrf(dir);
}
END_TEST

/* $ST_REKEY_ROUNDS overrides (for a longer hunt by hand) */
static int rekey_rounds(void)
{
	const char *e = getenv("ST_REKEY_ROUNDS");
	return e && atoi(e) > 0 ? atoi(e) : 30;
}
#define REKEY_ADDRS 5000

START_TEST(kill_nine_during_rekey)
{
	char dir[256], file[300], ka[300], kb[300], errp[300];
	ck_assert_msg(st_tmpdir(dir, "rekey") == 0, "%s", st_why());
	snprintf(file, sizeof file, "%s/ipam.db", dir);
	snprintf(ka, sizeof ka, "%s/key-a", dir);
	snprintf(kb, sizeof kb, "%s/key-b", dir);
	snprintf(errp, sizeof errp, "%s/stderr", dir);
	ck_assert_msg(st_make_key(ka) == 0 && st_make_key(kb) == 0, "%s", st_why());
	/* a file of some size, so that a rekey takes a while */
	ipam_db *db = NULL;
	ck_assert_msg(st_open(&db, file, ka, IPAM_OPEN_CREATE) == 0, "%s", st_why());
	ipam_prefix net;
	ck_assert_int_eq(ipam_prefix_parse(&net, NET, IPAM_PARSE_DEFAULT), 0);
	ck_assert_msg(ipam_prefix_add(db, &net, NULL) == 0, "%s", st_err());
	ck_assert_int_eq(ipam_db_begin(db), 0);
	for (int i = 0; i < REKEY_ADDRS; i++) {
		ipam_addr a;
		ipam_ip_options o = IPAM_IP_OPTIONS_INIT;
		o.hostname = "rekey.crash.example";
		ck_assert_msg(ipam_ip_alloc(&a, db, &net, &o) == 0, "%s", st_err());
	}
	ck_assert_msg(ipam_db_commit(db) == 0, "%s", st_err());
	ipam_db_free(db);

	const char *cur = ka; /* the key the file has, as far as the driver knows */
	char *buf = NULL;
	size_t cap = 0;
	unsigned mid = 0, switched = 0, done = 0, wrong_first = 0, hot = 0;
	double t0 = st_now_ms();
	for (int round = 0; round < rekey_rounds(); round++) {
		const char *other = cur == ka ? kb : ka;
		char *argv[] = { (char *)st_helper_path(), "rekey", file, (char *)cur, (char *)other, NULL };
		pid_t pid;
		int in, out;
		size_t len = 0;
		ck_assert_msg(st_spawn(&pid, &in, &out, errp, argv) == 0, "%s", st_why());
		close(in);
		drain(out, &buf, &len, &cap, 1);
		sleep_us(randombytes_uniform(300000));
		kill(pid, SIGKILL);
		int status;
		ck_assert_int_eq(waitpid(pid, &status, 0), pid);
		drain(out, &buf, &len, &cap, 0);
		close(out);
		buf[len] = 0;
		if (!(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)) {
			size_t n;
			uint8_t *e = st_read_file(errp, &n);
			ck_abort_msg("round %d: the helper ended on its own (status 0x%x): %s", round, status,
			             e ? (char *)e : "");
		}
		/* the helper's keys: argv[3] is its KEYA (the current one), argv[4] KEYB */
		const char *a = cur, *b = other;
		int pending = 0;
		char *save = NULL;
		for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			long n;
			if (sscanf(line, "k %ld", &n) == 1) {
				pending = 1;
			} else if (sscanf(line, "K %ld", &n) == 1) {
				pending = 0;
				cur = n % 2 == 0 ? b : a;
				done++;
			} else {
				ck_assert_msg(strcmp(line, "S") == 0, "round %d: helper said \"%s\"", round, line);
			}
		}
		mid += pending;
		/* The file opens with the key it must have or, a rekey under way,
		 * with one of the two. Every other such round tries the new key
		 * first: when the rekey had not finished, that is a wrong key on a
		 * file with a hot journal, which must harm nothing. */
		char journal[320];
		snprintf(journal, sizeof journal, "%s-journal", file);
		hot += access(journal, F_OK) == 0;
		const char *alt = cur == ka ? kb : ka;
		const char *try1 = pending && round % 2 ? alt : cur, *try2 = try1 == cur ? alt : cur, *opened = NULL;
		int rc = st_open(&db, file, try1, 0);
		if (rc == 0) {
			opened = try1;
		} else if (rc == IPAM_EAUTH && pending) {
			wrong_first += try1 == alt; /* the rekey had not taken effect */
			if ((rc = st_open(&db, file, try2, 0)) == 0)
				opened = try2;
		}
		ck_assert_msg(rc == 0, "round %d: the file opens with neither key after a kill%s: %s", round,
		              pending ? " during a rekey" : "", st_why());
		if (opened != cur) {
			cur = opened;
			switched++;
		}
		ck_assert_msg(ipam_db_check(db) == 0, "round %d: check: %s", round, st_err());
		ipam_db_stats stats = IPAM_DB_STATS_INIT;
		ck_assert_int_eq(ipam_db_stats_get(&stats, db), 0);
		ck_assert_uint_eq(stats.addresses, REKEY_ADDRS);
		ipam_audit_report rep = IPAM_AUDIT_REPORT_INIT;
		ck_assert_msg(ipam_audit_verify(&rep, db, NULL) == 0, "round %d: verify: %s", round, st_err());
		ck_assert_uint_eq(rep.entries, 1 + REKEY_ADDRS);
		ipam_db_free(db);
		/* and not with the other key */
		const char *wrong = cur == ka ? kb : ka;
		ipam_db *no = NULL;
		ck_assert_int_eq(st_open(&no, file, wrong, 0), IPAM_EAUTH);
	}
	fprintf(stderr, "rekey crash: %d kills in %.1f s; %u rekeys completed, %u kills during a rekey (%u of them "
	        "after it had taken effect; %u left a hot journal; %u times the wrong key was tried first)\n",
	        rekey_rounds(), (st_now_ms() - t0) / 1000, done, mid, switched, hot, wrong_first);
	ck_assert_msg(mid >= (unsigned)rekey_rounds() / 3, "only %u of %d kills came during a rekey", mid, rekey_rounds());
	free(buf);
	st_rmrf(dir);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("storage-crash");
	TCase *tc = tcase_create("crash");
	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, kill_nine_200_times);
	suite_add_tcase(s, tc);
	tc = tcase_create("rekey"); /* CK_RUN_CASE=rekey runs it alone */
	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, kill_nine_during_rekey);
	suite_add_tcase(s, tc);
	return st_run_suite(s);
}
