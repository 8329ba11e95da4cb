/* Many writers on one PostgreSQL database, and a server that crashes under
 * them. Run by tests/pg/with-pg.sh, which starts a private PostgreSQL 15
 * (every transaction SERIALIZABLE, as on CockroachDB) and says where in
 * IPAM_TEST_PG.
 *
 * writers: 8 processes allocate 2,000 addresses each from one /16 while 4
 * processes carve 1,000 /24s each from one /8, all started at once, each
 * reported only after its commit: the addresses one per ipam_db_run()
 * transaction, the /24s by single ipam_prefix_alloc() calls (no
 * transaction of the caller's: a call that loses a race runs again by
 * itself; before that, the first conflict killed the carver). Afterwards: every process finished; nothing reported twice;
 * the database holds exactly what was reported; the audit chain is one
 * chain that verifies, with one entry per change; the store's own check
 * passes. The conflicts and retries the processes saw are reported.
 *
 * crash: 4 processes allocate 1,000 addresses each while the server is
 * stopped in immediate mode (a crash: no checkpoint, recovery at the next
 * start) and started again 1 s later. Each process reports failures with
 * their message and goes on. Afterwards: every allocation reported
 * committed is in the database (none lost), none twice; anything else in
 * the database is accounted for by an "outcome unknown" report; the chain
 * verifies. */
#include "st_common.h"
#include "st_child.h"

#include <check.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NALLOC 8
#define PER_ALLOC 2000
#define NCARVE 4
#define PER_CARVE 1000
#define NET "172.20.0.0/16"
#define BIG "10.0.0.0/8"

static char store_uri[1200];
static char keyfile[300];
static char dir[256];

static void admin(const char *sql)
{
	const char *base = getenv("IPAM_TEST_PG");
	ck_assert_msg(base && *base, "IPAM_TEST_PG is not set: run under tests/pg/with-pg.sh");
	PGconn *c = PQconnectdb(base);
	ck_assert_msg(PQstatus(c) == CONNECTION_OK, "connect: %s", PQerrorMessage(c));
	PGresult *r = PQexec(c, sql);
	ck_assert_msg(PQresultStatus(r) == PGRES_COMMAND_OK, "%s: %s", sql, PQerrorMessage(c));
	PQclear(r);
	PQfinish(c);
}

/* A new database `name` with the libipam schema and the given prefixes. */
static void new_store(const char *name, const char *const *nets, int nnets)
{
	char sql[128];
	snprintf(sql, sizeof sql, "CREATE DATABASE %s", name);
	admin(sql);
	ck_assert_int_eq(st_tmpdir(dir, name), 0);
	snprintf(keyfile, sizeof keyfile, "%s/key", dir);
	ck_assert_int_eq(st_make_key(keyfile), 0);
	/* the last dbname in a keyword string wins */
	snprintf(store_uri, sizeof store_uri, "%s dbname=%s", getenv("IPAM_TEST_PG"), name);
	ipam_db *db = NULL;
	ck_assert_msg(st_open(&db, store_uri, keyfile, IPAM_OPEN_CREATE) == 0, "%s", st_why());
	for (int i = 0; i < nnets; i++) {
		ipam_prefix p;
		ck_assert_int_eq(ipam_prefix_parse(&p, nets[i], IPAM_PARSE_DEFAULT), 0);
		ck_assert_msg(ipam_prefix_add(db, &p, NULL) == 0, "%s", st_err());
	}
	ipam_db_free(db);
}

typedef struct totals {
	unsigned long long commits, conflicts, retries, lock_waits, reconnects;
} totals;

static void add_stats(totals *t, const char *line)
{
	unsigned long long v[5];
	ck_assert_msg(sscanf(line, "T %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3], &v[4]) == 5,
	              "stats line \"%s\"", line);
	t->commits += v[0];
	t->conflicts += v[1];
	t->retries += v[2];
	t->lock_waits += v[3];
	t->reconnects += v[4];
}

static void start_all(st_child *ch, int n)
{
	ck_assert_msg(st_pump(ch, n, st_started, 120000) == 0, "%s", st_why());
	for (int i = 0; i < n; i++) {
		ck_assert_msg(ch[i].len >= 2 && memcmp(ch[i].buf, "S\n", 2) == 0, "helper %d did not start: %s", i,
		              st_err_text(ch[i].err));
		ck_assert_int_eq(write(ch[i].in, "g", 1), 1);
		close(ch[i].in);
	}
}

static void reap_all(st_child *ch, int n)
{
	for (int i = 0; i < n; i++) {
		int status;
		ck_assert_int_eq(waitpid(ch[i].pid, &status, 0), ch[i].pid);
		ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "helper %d: status 0x%x: %s", i, status,
		              st_err_text(ch[i].err));
		close(ch[i].out);
	}
}

static void spawn(st_child *c, int i, const char *mode, const char *net, const char *a, const char *b)
{
	char tag[16];
	snprintf(tag, sizeof tag, "p%d", i);
	snprintf(c->err, sizeof c->err, "%s/err.%d", dir, i);
	if (b) {
		char *argv[] = { (char *)st_helper_path(), (char *)mode, store_uri, keyfile, (char *)net, (char *)a,
		                 (char *)b, tag, NULL };
		ck_assert_msg(st_child_spawn(c, argv) == 0, "%s", st_why());
	} else {
		char *argv[] = { (char *)st_helper_path(), (char *)mode, store_uri, keyfile, (char *)net, (char *)a, tag,
		                 NULL };
		ck_assert_msg(st_child_spawn(c, argv) == 0, "%s", st_why());
	}
}

static uint64_t audit_entries(ipam_db *db)
{
	ipam_audit_report rep = IPAM_AUDIT_REPORT_INIT;
	ck_assert_msg(ipam_audit_verify(&rep, db, NULL) == 0, "verify: %s", st_err());
	ck_assert_uint_eq(rep.first_bad, 0);
	ck_assert_uint_eq(rep.entries, rep.head_seq);
	return rep.entries;
}

START_TEST(writers)
{
	const char *nets[] = { NET, BIG };
	new_store("writers", nets, 2);

	double t0 = st_now_ms();
	st_child ch[NALLOC + NCARVE];
	memset(ch, 0, sizeof ch);
	char count[16], carve[16];
	snprintf(count, sizeof count, "%d", PER_ALLOC);
	snprintf(carve, sizeof carve, "%d", PER_CARVE);
	for (int i = 0; i < NALLOC; i++)
		spawn(&ch[i], i, "alloc", NET, count, NULL);
	for (int i = 0; i < NCARVE; i++)
		spawn(&ch[NALLOC + i], NALLOC + i, "carve", BIG, "24", carve);
	int n = NALLOC + NCARVE;
	start_all(ch, n);
	ck_assert_msg(st_pump(ch, n, st_never, 120000) == 0, "%s", st_why());
	reap_all(ch, n);
	double t1 = st_now_ms();

	st_set addrs = { 0 }, blocks = { 0 };
	totals t = { 0 };
	for (int i = 0; i < n; i++) {
		int got = 0, stats = 0;
		char *save = NULL;
		for (char *line = strtok_r(ch[i].buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			uint32_t a;
			if (!strcmp(line, "S"))
				continue;
			if (line[0] == 'T') {
				add_stats(&t, line);
				stats++;
			} else if (i < NALLOC) {
				ck_assert_msg(!strncmp(line, "A ", 2) && st_parse_v4(&a, line + 2) == 0, "helper %d said \"%s\"", i,
				              line);
				ck_assert_msg(a >> 16 == (172u << 8 | 20u), "helper %d got %s, outside " NET, i, line + 2);
				st_set_add(&addrs, a);
				got++;
			} else {
				char *slash = strchr(line, '/');
				ck_assert_msg(!strncmp(line, "B ", 2) && slash && !strcmp(slash, "/24"), "helper %d said \"%s\"",
				              i, line);
				*slash = '\0';
				ck_assert_msg(st_parse_v4(&a, line + 2) == 0 && a >> 24 == 10, "helper %d: \"%s\"", i, line);
				st_set_add(&blocks, a);
				got++;
			}
		}
		ck_assert_msg(got == (i < NALLOC ? PER_ALLOC : PER_CARVE), "helper %d reported %d", i, got);
		ck_assert_int_eq(stats, 1);
		free(ch[i].buf);
	}
	st_set_sort(&addrs);
	st_set_sort(&blocks);
	uint32_t dup;
	char b[16];
	ck_assert_msg(st_set_dups(&addrs, &dup) == 0, "%s was handed out twice", st_fmt_v4(dup, b));
	ck_assert_msg(st_set_dups(&blocks, &dup) == 0, "%s/24 was handed out twice", st_fmt_v4(dup, b));

	/* the database, opened afresh */
	ipam_db *db = NULL;
	ck_assert_msg(st_open(&db, store_uri, keyfile, 0) == 0, "%s", st_why());
	ck_assert_msg(ipam_db_check(db) == 0, "check: %s", st_err());
	st_set got = { 0 };
	ck_assert_msg(st_list(db, NET, &got, NULL) == 0, "%s", st_why());
	ck_assert_uint_eq(got.n, NALLOC * PER_ALLOC);
	for (size_t i = 0; i < got.n; i++)
		ck_assert_msg(st_set_has(&addrs, got.v[i]), "%s is stored but nobody reported it", st_fmt_v4(got.v[i], b));
	for (size_t i = 0; i < blocks.n; i++) {
		ipam_prefix p;
		ipam_prefix_info info = IPAM_PREFIX_INFO_INIT;
		ipam_addr_from_v4(&p.addr, blocks.v[i]);
		p.len = 24;
		memset(p.reserved, 0, sizeof p.reserved);
		ck_assert_msg(ipam_prefix_get(&info, db, NULL, &p) == 0, "%s/24 reported but not stored: %s",
		              st_fmt_v4(blocks.v[i], b), st_err());
		ipam_prefix_info_dispose(&info);
	}
	ipam_db_stats ds = IPAM_DB_STATS_INIT;
	ck_assert_int_eq(ipam_db_stats_get(&ds, db), 0);
	ck_assert_uint_eq(ds.prefixes, 2 + NCARVE * PER_CARVE);
	ck_assert_uint_eq(ds.addresses, NALLOC * PER_ALLOC);
	/* one chain, one entry per change */
	ck_assert_uint_eq(audit_entries(db), 2 + NALLOC * PER_ALLOC + NCARVE * PER_CARVE);
	ipam_db_free(db);
	ck_assert_uint_eq(t.commits, NALLOC * PER_ALLOC + NCARVE * PER_CARVE);

	double secs = (t1 - t0) / 1000.0;
	fprintf(stderr,
	        "pg-writers: %d x %d addresses + %d x %d /24s in %.1f s: %.0f commits/s; conflicts %llu, retries %llu "
	        "(%.1f/s), lock waits %llu, reconnects %llu\n",
	        NALLOC, PER_ALLOC, NCARVE, PER_CARVE, secs, (NALLOC * PER_ALLOC + NCARVE * PER_CARVE) / secs, t.conflicts,
	        t.retries, t.retries / secs, t.lock_waits, t.reconnects);
	st_set_free(&addrs);
	st_set_free(&blocks);
	st_set_free(&got);
	st_rmrf(dir);
}
END_TEST

#define NSURV 4
#define PER_SURV 1000

START_TEST(crash)
{
	const char *nets[] = { NET };
	new_store("crash", nets, 1);
	const char *ctl = getenv("IPAM_TEST_PG_CTL");
	ck_assert_ptr_nonnull(ctl);

	st_child ch[NSURV];
	memset(ch, 0, sizeof ch);
	char count[16];
	snprintf(count, sizeof count, "%d", PER_SURV);
	for (int i = 0; i < NSURV; i++)
		spawn(&ch[i], i, "survive", NET, count, NULL);
	start_all(ch, NSURV);

	/* Let them get going, then crash the server under them. */
	usleep(700 * 1000);
	char cmd[400];
	snprintf(cmd, sizeof cmd, "%s crash", ctl);
	ck_assert_int_eq(system(cmd), 0);
	usleep(1000 * 1000);
	snprintf(cmd, sizeof cmd, "%s start", ctl);
	ck_assert_int_eq(system(cmd), 0);

	ck_assert_msg(st_pump(ch, NSURV, st_never, 120000) == 0, "%s", st_why());
	reap_all(ch, NSURV);

	st_set addrs = { 0 };
	totals t = { 0 };
	unsigned unknown = 0, errors = 0;
	for (int i = 0; i < NSURV; i++) {
		int got = 0;
		char *save = NULL;
		for (char *line = strtok_r(ch[i].buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			uint32_t a;
			if (!strcmp(line, "S"))
				continue;
			if (line[0] == 'T') {
				add_stats(&t, line);
			} else if (line[0] == 'U') {
				unknown++;
				fprintf(stderr, "pg-crash: helper %d: %s\n", i, line);
			} else if (line[0] == 'E') {
				/* a clear error: it says what and which server, never a password */
				ck_assert_msg(strstr(line, "postgresql://") != NULL, "helper %d: unclear error \"%s\"", i, line);
				if (errors++ < 5)
					fprintf(stderr, "pg-crash: helper %d: %s\n", i, line);
			} else {
				ck_assert_msg(!strncmp(line, "A ", 2) && st_parse_v4(&a, line + 2) == 0, "helper %d said \"%s\"", i,
				              line);
				st_set_add(&addrs, a);
				got++;
			}
		}
		ck_assert_msg(got == PER_SURV, "helper %d reported %d allocations", i, got);
		free(ch[i].buf);
	}
	st_set_sort(&addrs);
	uint32_t dup;
	char b[16];
	ck_assert_msg(st_set_dups(&addrs, &dup) == 0, "%s was handed out twice", st_fmt_v4(dup, b));

	ipam_db *db = NULL;
	ck_assert_msg(st_open(&db, store_uri, keyfile, 0) == 0, "%s", st_why());
	ck_assert_msg(ipam_db_check(db) == 0, "check: %s", st_err());
	st_set got = { 0 };
	ck_assert_msg(st_list(db, NET, &got, NULL) == 0, "%s", st_why());
	for (size_t i = 0; i < addrs.n; i++)
		ck_assert_msg(st_set_has(&got, addrs.v[i]), "%s was reported committed but is not stored (lost)",
		              st_fmt_v4(addrs.v[i], b));
	size_t extra = got.n - addrs.n;
	ck_assert_msg(extra <= unknown, "%zu stored addresses nobody reported, but only %u outcomes were unknown", extra,
	              unknown);
	ck_assert_uint_eq(audit_entries(db), 1 + got.n);
	ipam_db_free(db);
	ck_assert_msg(t.reconnects > 0 || errors > 0, "the crash went unnoticed: no reconnect, no error");
	fprintf(stderr,
	        "pg-crash: %d x %d allocations across a server crash: %u errors reported and retried, %u unknown "
	        "outcomes (%zu of them committed), %llu reconnects, %llu retries\n",
	        NSURV, PER_SURV, errors, unknown, extra, t.reconnects, t.retries);
	st_set_free(&addrs);
	st_set_free(&got);
	st_rmrf(dir);
}
END_TEST

/* One row of one column from the admin connection, as a number. */
static long admin_count(const char *sql)
{
	PGconn *c = PQconnectdb(getenv("IPAM_TEST_PG"));
	ck_assert_msg(PQstatus(c) == CONNECTION_OK, "connect: %s", PQerrorMessage(c));
	PGresult *r = PQexec(c, sql);
	ck_assert_msg(PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1, "%s: %s", sql, PQerrorMessage(c));
	long n = strtol(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	PQfinish(c);
	return n;
}

typedef struct single_arg {
	ipam_db *db;
	ipam_prefix parent, got;
	int rc;
	char msg[512];
} single_arg;

static void *single_carve(void *p)
{
	single_arg *a = p;
	ipam_prefix_alloc_options o = IPAM_PREFIX_ALLOC_OPTIONS_INIT;
	o.length = 24;
	a->rc = ipam_prefix_alloc(&a->got, a->db, &a->parent, &o);
	snprintf(a->msg, sizeof a->msg, "%s", a->rc ? ipam_error_last()->message : "");
	return NULL;
}

/* single: a single call (no transaction of the caller's) beside an open
 * transaction on the same parent. Handle A carves the first /24 of a /8 in
 * an open transaction; handle B, in another thread, carves one by a single
 * call and waits (seen waiting in pg_stat_activity: writers queue on the
 * head's lock at begin, so on PostgreSQL B does not even lose a race); A
 * commits; B goes on from A's change and gets the next /24, not an error
 * and not the same /24. (The retry of a single call that does lose a race,
 * as on CockroachDB, is tested in unit/db with a store that loses commits.) */
START_TEST(single_call_waits_its_turn)
{
	const char *nets[] = { BIG };
	new_store("single", nets, 1);
	ipam_db *a = NULL;
	single_arg b;
	memset(&b, 0, sizeof b);
	ck_assert_msg(st_open(&a, store_uri, keyfile, 0) == 0, "%s", st_why());
	ck_assert_msg(st_open(&b.db, store_uri, keyfile, 0) == 0, "%s", st_why());
	ck_assert_int_eq(ipam_prefix_parse(&b.parent, BIG, IPAM_PARSE_DEFAULT), 0);
	long waiting0 = admin_count("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'");
	ck_assert_int_eq(ipam_db_begin(a), 0);
	ipam_prefix ga;
	ipam_prefix_alloc_options o = IPAM_PREFIX_ALLOC_OPTIONS_INIT;
	o.length = 24;
	ck_assert_msg(ipam_prefix_alloc(&ga, a, &b.parent, &o) == 0, "%s", st_err());
	pthread_t th;
	ck_assert_int_eq(pthread_create(&th, NULL, single_carve, &b), 0);
	long waiting = waiting0;
	for (int i = 0; i < 1000 && waiting <= waiting0; i++) { /* 20 s */
		struct timespec ts = { 0, 20 * 1000 * 1000 };
		nanosleep(&ts, NULL);
		waiting = admin_count("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'");
	}
	ck_assert_msg(waiting > waiting0, "handle B never waited on handle A's lock");
	ck_assert_msg(ipam_db_commit(a) == 0, "%s", st_err());
	ck_assert_int_eq(pthread_join(th, NULL), 0);
	ck_assert_msg(b.rc == 0, "the single call failed: %s", b.msg);
	char ta[IPAM_PREFIX_STRLEN], tb[IPAM_PREFIX_STRLEN];
	ipam_prefix_format(ta, sizeof ta, &ga);
	ipam_prefix_format(tb, sizeof tb, &b.got);
	ck_assert_str_eq(ta, "10.0.0.0/24");
	ck_assert_str_eq(tb, "10.0.1.0/24");
	ipam_db_free(a);
	ipam_db_free(b.db);
	st_rmrf(dir);
}
END_TEST

/* One statement on the test's own database (store_uri); a count when it has rows. */
static long in_store(const char *sql)
{
	PGconn *c = PQconnectdb(store_uri);
	ck_assert_msg(PQstatus(c) == CONNECTION_OK, "connect: %s", PQerrorMessage(c));
	PGresult *r = PQexec(c, sql);
	ExecStatusType st = PQresultStatus(r);
	ck_assert_msg(st == PGRES_COMMAND_OK || (st == PGRES_TUPLES_OK && PQntuples(r) == 1), "%s: %s", sql,
	              PQerrorMessage(c));
	long n = st == PGRES_TUPLES_OK ? strtol(PQgetvalue(r, 0, 0), NULL, 10) : 0;
	PQclear(r);
	PQfinish(c);
	return n;
}

/* The db layer's new rows are sent with COMMIT (late writes): while the
 * transaction is open nothing of it is on the server, and a row that turns
 * out to exist by then makes the commit a conflict that names it, with
 * nothing of the transaction kept. The row is written behind the index's
 * back (no change record), as a writer that bypassed libipam would. With
 * one allocation the transaction's writes are one statement (the
 * one-statement commit); with two, separate statements: both say which. */
/* A new database `name` holding NET, a handle on it, NET parsed. */
static ipam_db *late_setup(const char *name, ipam_prefix *p)
{
	const char *nets[] = { NET };
	new_store(name, nets, 1);
	ipam_db *db = NULL;
	ck_assert_msg(st_open(&db, store_uri, keyfile, 0) == 0, "%s", st_why());
	ck_assert_int_eq(ipam_prefix_parse(p, NET, IPAM_PARSE_DEFAULT), 0);
	return db;
}

static void late_insert_refused(int allocs)
{
	ipam_prefix p;
	ipam_db *db = late_setup(allocs == 1 ? "late1" : "late2", &p);
	long commits0 = in_store("SELECT count(*) FROM ipam_commits");
	long audit0 = in_store("SELECT count(*) FROM ipam_audit");
	ck_assert_int_eq(ipam_db_begin(db), 0);
	ipam_addr a;
	for (int i = 0; i < allocs; i++)
		ck_assert_msg(ipam_ip_alloc(&a, db, &p, NULL) == 0, "%s", st_err());
	char at[IPAM_ADDR_STRLEN], sql[512];
	ipam_addr_format(at, sizeof at, &a);
	/* not on the server yet: this insert does not wait for the transaction */
	snprintf(sql, sizeof sql, "INSERT INTO ipam_addresses (space, addr, id, created, revision, status, version, updated)"
	         " SELECT id, '%s', gen_random_uuid(), 0, 0, 0, 0, 0 FROM ipam_spaces WHERE name = 'default'", at);
	in_store(sql);
	int rc = ipam_db_commit(db);
	ck_assert_msg(rc == IPAM_ECONFLICT, "commit: %d %s", rc, st_err());
	ck_assert_msg(strstr(ipam_error_last()->message, at) != NULL, "the message does not name %s: %s", at,
	              ipam_error_last()->message);
	ck_assert_int_eq(in_store("SELECT count(*) FROM ipam_commits"), commits0);
	ck_assert_int_eq(in_store("SELECT count(*) FROM ipam_audit"), audit0);
	ck_assert_msg(ipam_db_check(db) == 0, "check: %s", st_err());
	ipam_db_free(db);
	st_rmrf(dir);
}

START_TEST(late_write_refused_at_commit)
{
	late_insert_refused(1);
	late_insert_refused(2);
}
END_TEST

/* The bump of the prefix an allocation was made in goes with COMMIT too
 * (in the one-statement commit): a prefix that another writer removed
 * meanwhile makes the commit a conflict (under SERIALIZABLE the server
 * reports the concurrent delete, SQLSTATE 40001), with nothing kept. */
START_TEST(late_bump_refused_at_commit)
{
	ipam_prefix p;
	ipam_db *db = late_setup("bump", &p);
	long addrs0 = in_store("SELECT count(*) FROM ipam_addresses");
	long audit0 = in_store("SELECT count(*) FROM ipam_audit");
	ck_assert_int_eq(ipam_db_begin(db), 0);
	ipam_addr a;
	ck_assert_msg(ipam_ip_alloc(&a, db, &p, NULL) == 0, "%s", st_err());
	char sql[256];
	snprintf(sql, sizeof sql, "DELETE FROM ipam_prefixes WHERE prefix = '%s'", NET);
	in_store(sql);
	int rc = ipam_db_commit(db);
	ck_assert_msg(rc == IPAM_ECONFLICT, "commit: %d %s", rc, st_err());
	ck_assert_msg(strstr(ipam_error_last()->message, "run the transaction again") != NULL, "%s",
	              ipam_error_last()->message);
	ck_assert_int_eq(in_store("SELECT count(*) FROM ipam_addresses"), addrs0);
	ck_assert_int_eq(in_store("SELECT count(*) FROM ipam_audit"), audit0);
	ipam_db_free(db);
	st_rmrf(dir);
}
END_TEST

/* begin fetches the changes of the next 1,000 revisions with the head
 * (PF_MAX in postgres.c); a handle that was away for longer catches up by
 * the db layer's own paged reads. Handle A allocates, handle B commits
 * 1,001 allocations, A allocates again: the next free address, and A's
 * index agrees with the tables. */
START_TEST(catch_up_past_the_prefetch)
{
	const char *nets[] = { NET };
	new_store("behind", nets, 1);
	ipam_db *a = NULL, *b = NULL;
	ck_assert_msg(st_open(&a, store_uri, keyfile, 0) == 0, "%s", st_why());
	ck_assert_msg(st_open(&b, store_uri, keyfile, 0) == 0, "%s", st_why());
	ipam_prefix p;
	ck_assert_int_eq(ipam_prefix_parse(&p, NET, IPAM_PARSE_DEFAULT), 0);
	ipam_addr got;
	char t[IPAM_ADDR_STRLEN];
	ck_assert_msg(ipam_ip_alloc(&got, a, &p, NULL) == 0, "%s", st_err());
	ipam_addr_format(t, sizeof t, &got);
	ck_assert_str_eq(t, "172.20.0.1");
	for (int i = 0; i < 1001; i++)
		ck_assert_msg(ipam_ip_alloc(&got, b, &p, NULL) == 0, "B's allocation %d: %s", i, st_err());
	ck_assert_msg(ipam_ip_alloc(&got, a, &p, NULL) == 0, "%s", st_err());
	ipam_addr_format(t, sizeof t, &got);
	ck_assert_str_eq(t, "172.20.3.235"); /* the 1,003rd address: 3 * 256 + 235 */
	ck_assert_msg(ipam_db_check(a) == 0, "check: %s", st_err());
	ipam_db_free(a);
	ipam_db_free(b);
	st_rmrf(dir);
}
END_TEST

int main(int argc, char **argv)
{
	Suite *s = suite_create("pg");
	TCase *tc = tcase_create("pg");
	tcase_set_timeout(tc, 600);
	if (argc < 2 || !strcmp(argv[1], "writers")) {
		tcase_add_test(tc, single_call_waits_its_turn);
		tcase_add_test(tc, late_write_refused_at_commit);
		tcase_add_test(tc, late_bump_refused_at_commit);
		tcase_add_test(tc, catch_up_past_the_prefetch);
		tcase_add_test(tc, writers);
	}
	if (argc < 2 || !strcmp(argv[1], "crash"))
		tcase_add_test(tc, crash);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_VERBOSE);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
