/* The process the storage proofs fork and exec: it opens a file store and
 * changes it, one ipam_db_run() transaction at a time, and reports each
 * transaction on stdout only after it committed, with one write(2) per
 * line (atomic on a pipe, nothing buffered in the process when it is
 * killed).
 *
 *   st_helper alloc FILE KEYFILE PREFIX COUNT TAG
 *       Open, print "S", wait for a byte on stdin (the start signal), then
 *       allocate COUNT addresses from PREFIX, one per transaction, and print
 *       each as "A ADDR". Exit 0 when done.
 *   st_helper create FILE KEYFILE PREFIX COUNT TAG
 *       The same, but wait for the start signal first, then open with
 *       IPAM_OPEN_CREATE (the file may not exist yet) and add PREFIX (which
 *       another process may have added already).
 *   st_helper churn FILE KEYFILE PREFIX ID DURABLE
 *       Open (IPAM_OPEN_DURABLE when DURABLE is 1), print "S", then until
 *       killed: transaction k allocates three addresses with host name
 *       "cID-tk.crash.example" (printed "A k ADDR ADDR ADDR"), or every
 *       fourth one releases the three addresses of an earlier transaction
 *       of this run (printed "r k TAG" before, "R k TAG" after the commit).
 *   st_helper rekey FILE KEYA KEYB
 *       Open with KEYA, print "S", then until killed change the key to KEYB,
 *       KEYA, KEYB, ... printing "k N" before rekey N and "K N" after it
 *       returned (N = 0, 1, ...; even N goes to KEYB).
 *
 *   st_helper carve STORE KEYFILE PARENT LEN COUNT TAG
 *       Open, print "S", wait for the start signal, then allocate COUNT
 *       prefixes of length LEN from PARENT, one per transaction, printing
 *       each as "B PREFIX".
 *   st_helper survive STORE KEYFILE PREFIX COUNT TAG
 *       As alloc, but a transaction that fails (the server went away) is
 *       reported and tried again 50 ms later, for up to 60 s: "E CODE
 *       message" for a failure that committed nothing, "U message" for one
 *       whose outcome is unknown (the connection broke during COMMIT).
 *
 * alloc, carve and survive end with "T commits conflicts retries
 * lock_waits reconnects" (ipam_db_stats) before they exit. STORE may be a
 * file or any URI ipam_db_open() takes (the PostgreSQL proofs pass one).
 *
 * Errors go to stderr as "ERR what: CODE: message" and exit 2. */
#include "st_common.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	char b[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(b, sizeof b, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof b)
		abort();
	const char *p = b;
	while (n > 0) {
		ssize_t w = write(1, p, (size_t)n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			_exit(3); /* the reader went away */
		p += w;
		n -= (int)w;
	}
}

static void die(const char *what)
{
	fprintf(stderr, "ERR %s: %s\n", what, st_err());
	fflush(stderr);
	exit(2);
}

/* ---- alloc ------------------------------------------------------------------ */

typedef struct {
	const ipam_prefix *within;
	const char *host;
	ipam_addr got[3];
	int n; /* addresses per transaction */
} alloc_ctx;

static int alloc_fn(ipam_db *db, void *ctx)
{
	alloc_ctx *c = ctx;
	ipam_ip_options o = IPAM_IP_OPTIONS_INIT;
	o.hostname = c->host;
	for (int i = 0; i < c->n; i++) {
		int rc = ipam_ip_alloc(&c->got[i], db, c->within, &o);
		if (rc)
			return rc;
	}
	return 0;
}

static int prefix_add_fn(ipam_db *db, void *ctx)
{
	return ipam_prefix_add(db, ctx, NULL);
}

static void say_stats(ipam_db *db)
{
	ipam_db_stats st = IPAM_DB_STATS_INIT;
	if (ipam_db_stats_get(&st, db) != 0)
		die("stats");
	say("T %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 "\n", st.commits, st.conflicts, st.retries,
	    st.lock_waits, st.reconnects);
}

/* Say "S", then wait for the parent's start signal (a byte on stdin). */
static void ready_and_wait(void)
{
	char go;
	say("S\n");
	if (read(0, &go, 1) != 1)
		die("start signal");
}

/* Open STORE with KEYFILE (argv[0], argv[1]), then ready_and_wait(). */
static ipam_db *open_and_wait(char **argv)
{
	ipam_db *db = NULL;
	if (st_open(&db, argv[0], argv[1], 0) != 0)
		die("open");
	ready_and_wait();
	return db;
}

static int cmd_alloc(char **argv, int create)
{
	ipam_db *db = NULL;
	ipam_prefix p;
	if (ipam_prefix_parse(&p, argv[2], IPAM_PARSE_DEFAULT) != 0)
		die("prefix");
	long count = strtol(argv[3], NULL, 10);
	if (create) {
		ready_and_wait();
		if (st_open(&db, argv[0], argv[1], IPAM_OPEN_CREATE) != 0)
			die("open");
		int rc = ipam_db_run(db, prefix_add_fn, &p);
		if (rc && rc != IPAM_EEXISTS)
			die("prefix add");
		if (rc == 0)
			say("P\n");
	} else {
		db = open_and_wait(argv);
	}
	char host[128];
	for (long i = 0; i < count; i++) {
		snprintf(host, sizeof host, "%s-%ld.conc.example", argv[4], i);
		alloc_ctx c = { &p, host, { { 0 } }, 1 };
		if (ipam_db_run(db, alloc_fn, &c) != 0)
			die("alloc");
		char a[IPAM_ADDR_STRLEN];
		ipam_addr_format(a, sizeof a, &c.got[0]);
		say("A %s\n", a);
	}
	say_stats(db);
	ipam_db_free(db);
	return 0;
}

/* ---- carve ------------------------------------------------------------------- */

static int cmd_carve(char **argv)
{
	ipam_db *db = NULL;
	ipam_prefix p;
	if (ipam_prefix_parse(&p, argv[2], IPAM_PARSE_DEFAULT) != 0)
		die("prefix");
	unsigned len = (unsigned)strtoul(argv[3], NULL, 10);
	long count = strtol(argv[4], NULL, 10);
	db = open_and_wait(argv);
	for (long i = 0; i < count; i++) {
		/* a single call, no ipam_db_run: a call that loses a race with
		 * another writer runs again by itself */
		ipam_prefix got;
		ipam_prefix_alloc_options o = IPAM_PREFIX_ALLOC_OPTIONS_INIT;
		o.length = len;
		if (ipam_prefix_alloc(&got, db, &p, &o) != 0)
			die("carve");
		char t[IPAM_PREFIX_STRLEN];
		ipam_prefix_format(t, sizeof t, &got);
		say("B %s\n", t);
	}
	say_stats(db);
	ipam_db_free(db);
	return 0;
}

/* ---- survive ----------------------------------------------------------------- */

static int cmd_survive(char **argv)
{
	ipam_db *db = NULL;
	ipam_prefix p;
	if (ipam_prefix_parse(&p, argv[2], IPAM_PARSE_DEFAULT) != 0)
		die("prefix");
	long count = strtol(argv[3], NULL, 10);
	db = open_and_wait(argv);
	char host[128];
	double until = st_now_ms() + 60000;
	for (long i = 0; i < count;) {
		snprintf(host, sizeof host, "%s-%ld.conc.example", argv[4], i);
		alloc_ctx c = { &p, host, { { 0 } }, 1 };
		int rc = ipam_db_run(db, alloc_fn, &c);
		if (rc == 0) {
			char a[IPAM_ADDR_STRLEN];
			ipam_addr_format(a, sizeof a, &c.got[0]);
			say("A %s\n", a);
			i++;
			continue;
		}
		const char *m = ipam_error_last()->message;
		if (strstr(m, "unknown"))
			say("U %.300s\n", m);
		else
			say("E %s %.300s\n", ipam_error_name(rc), m);
		if (st_now_ms() > until)
			die("survive: the server did not come back within 60 s");
		struct timespec ts = { 0, 50 * 1000000L };
		nanosleep(&ts, NULL);
	}
	say_stats(db);
	ipam_db_free(db);
	return 0;
}

/* ---- churn ------------------------------------------------------------------ */

typedef struct {
	ipam_addr a[3];
	long k;
} group;

typedef struct {
	const group *g;
} release_ctx;

static int release_fn(ipam_db *db, void *ctx)
{
	release_ctx *c = ctx;
	for (int i = 0; i < 3; i++) {
		int rc = ipam_ip_release(db, NULL, &c->g->a[i]);
		if (rc)
			return rc;
	}
	return 0;
}

static int cmd_churn(char **argv)
{
	ipam_db *db = NULL;
	ipam_prefix p;
	if (ipam_prefix_parse(&p, argv[2], IPAM_PARSE_DEFAULT) != 0)
		die("prefix");
	long id = strtol(argv[3], NULL, 10);
	unsigned flags = strcmp(argv[4], "1") == 0 ? IPAM_OPEN_DURABLE : 0;
	if (st_open(&db, argv[0], argv[1], flags) != 0)
		die("open");
	say("S\n");
	group *live = NULL;
	size_t nlive = 0, cap = 0;
	char host[128];
	for (long k = 1; k < 100000; k++) {
		if (k % 4 == 0 && nlive > 0) {
			size_t pick = (size_t)k * 7919u % nlive;
			group g = live[pick];
			say("r %ld c%ld-t%ld\n", k, id, g.k);
			release_ctx c = { &g };
			if (ipam_db_run(db, release_fn, &c) != 0)
				die("release");
			say("R %ld c%ld-t%ld\n", k, id, g.k);
			live[pick] = live[--nlive];
			continue;
		}
		snprintf(host, sizeof host, "c%ld-t%ld.crash.example", id, k);
		alloc_ctx c = { &p, host, { { 0 } }, 3 };
		if (ipam_db_run(db, alloc_fn, &c) != 0)
			die("alloc");
		char a[3][IPAM_ADDR_STRLEN];
		for (int i = 0; i < 3; i++)
			ipam_addr_format(a[i], sizeof a[i], &c.got[i]);
		say("A %ld %s %s %s\n", k, a[0], a[1], a[2]);
		if (nlive == cap) {
			cap = cap ? cap * 2 : 64;
			live = realloc(live, cap * sizeof *live);
			if (!live)
				abort();
		}
		memcpy(live[nlive].a, c.got, sizeof c.got);
		live[nlive++].k = k;
	}
	free(live);
	ipam_db_free(db);
	return 0;
}

/* ---- rekey ------------------------------------------------------------------- */

static int cmd_rekey(char **argv)
{
	ipam_db *db = NULL;
	if (st_open(&db, argv[0], argv[1], 0) != 0)
		die("open");
	say("S\n");
	for (long n = 0; n < 100000; n++) {
		say("k %ld\n", n);
		if (ipam_db_rekey(db, NULL, n % 2 == 0 ? argv[2] : argv[1]) != 0)
			die("rekey");
		say("K %ld\n", n);
	}
	ipam_db_free(db);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 7 && strcmp(argv[1], "alloc") == 0)
		return cmd_alloc(argv + 2, 0);
	if (argc == 7 && strcmp(argv[1], "create") == 0)
		return cmd_alloc(argv + 2, 1);
	if (argc == 7 && strcmp(argv[1], "churn") == 0)
		return cmd_churn(argv + 2);
	if (argc == 5 && strcmp(argv[1], "rekey") == 0)
		return cmd_rekey(argv + 2);
	if (argc == 8 && strcmp(argv[1], "carve") == 0)
		return cmd_carve(argv + 2);
	if (argc == 7 && strcmp(argv[1], "survive") == 0)
		return cmd_survive(argv + 2);
	fprintf(stderr, "usage: st_helper alloc FILE KEYFILE PREFIX COUNT TAG\n"
	                "       st_helper create FILE KEYFILE PREFIX COUNT TAG\n"
	                "       st_helper churn FILE KEYFILE PREFIX ID DURABLE\n"
	                "       st_helper rekey FILE KEYA KEYB\n"
	                "       st_helper carve STORE KEYFILE PARENT LEN COUNT TAG\n"
	                "       st_helper survive STORE KEYFILE PREFIX COUNT TAG\n");
	return 64;
}
