/* store-bench: libipam on its encrypted SQLCipher file store (the storage
 * issue's figures). Not a unit test: run it in a release build,
 *   build-bench/bench/store-bench [DIR]
 * where DIR (default: a fresh directory under /tmp) is on the disk to
 * measure. It prints one line per figure:
 *   W1-txn       65,534 allocations of a /16 in one transaction
 *   W1-commit    one commit per allocation, not synced (synchronous=NORMAL):
 *                the CPU cost of a small transaction
 *   W1-durable   one durable (fdatasync'd) commit per allocation, and the
 *                disk's own fdatasync rate in the same directory beside it
 *   W1-8writers  8 processes x 2,000 allocations from one /16, one
 *                ipam_db_run transaction each, aggregate
 *   open-1M      a file of 1M addresses in 100k prefixes: open time and RSS
 *                per address, in a fresh process
 * Sizes: STORE_BENCH_DURABLE_N (2000; W1-commit and W1-durable),
 * STORE_BENCH_OPEN_N (1000000). STORE_BENCH_ONLY=txn,commit,durable,
 * writers,open runs only the named ones. IPAM_SQLCIPHER_PROVIDER=stock
 * runs with SQLCipher's stock crypto provider (docs/storage.md). */
#include <ipam.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void die(const char *what, int rc)
{
	fprintf(stderr, "store-bench: %s: %s (%s)\n", what, ipam_error_name(rc), ipam_error_last()->message);
	exit(1);
}

static char dir[512], keyfile[600];

static ipam_db *open_file(const char *name, unsigned flags)
{
	char path[700];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	ipam_open_options o = IPAM_OPEN_OPTIONS_INIT;
	o.flags = flags;
	o.key_file = keyfile;
	ipam_db *db;
	int rc = ipam_db_open(&db, path, &o);
	if (rc)
		die("open", rc);
	return db;
}

static ipam_prefix pfx(const char *s)
{
	ipam_prefix p;
	if (ipam_prefix_parse(&p, s, 0))
		die(s, IPAM_EINVAL);
	return p;
}

static long rss_kb(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kb = -1;
	while (f && fgets(line, sizeof line, f))
		if (sscanf(line, "VmRSS: %ld", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb;
}

static long env_n(const char *name, long def)
{
	const char *v = getenv(name);
	return v && *v ? atol(v) : def;
}

static void w1_txn(void)
{
	ipam_db *db = open_file("w1.db", IPAM_OPEN_CREATE | IPAM_OPEN_EXCL);
	ipam_prefix p = pfx("10.0.0.0/16");
	int rc = ipam_prefix_add(db, &p, NULL);
	if (rc)
		die("prefix add", rc);
	double t0 = now();
	if ((rc = ipam_db_begin(db)))
		die("begin", rc);
	ipam_addr a;
	for (int i = 0; i < 65534; i++)
		if ((rc = ipam_ip_alloc(&a, db, &p, NULL)))
			die("alloc", rc);
	if ((rc = ipam_db_commit(db)))
		die("commit", rc);
	double dt = now() - t0;
	printf("W1-txn       %8.0f allocs/s  (65534 in one transaction, %.3f s incl. commit)\n", 65534 / dt, dt);
	ipam_db_free(db);
}

static double fdatasync_rate(int n)
{
	char path[700];
	snprintf(path, sizeof path, "%s/fsync.probe", dir);
	int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0600);
	if (fd < 0)
		return 0;
	char buf[4096];
	memset(buf, 7, sizeof buf);
	double t0 = now();
	for (int i = 0; i < n; i++) {
		if (pwrite(fd, buf, sizeof buf, (off_t)(i % 16) * 4096) != (ssize_t)sizeof buf || fdatasync(fd) != 0)
			break;
	}
	double dt = now() - t0;
	close(fd);
	unlink(path);
	return n / dt;
}

/* One commit per allocation. durable: synchronous=FULL, each commit
 * fdatasync'd (W1-durable, with the disk's own fdatasync rate beside it);
 * otherwise synchronous=NORMAL, where a WAL commit does not sync
 * (W1-commit: what a small transaction costs the CPU). */
static void w1_commits(int durable)
{
	long n = env_n("STORE_BENCH_DURABLE_N", 2000);
	ipam_db *db = open_file(durable ? "durable.db" : "commit.db",
	                        IPAM_OPEN_CREATE | IPAM_OPEN_EXCL | (durable ? IPAM_OPEN_DURABLE : 0));
	ipam_prefix p = pfx("10.0.0.0/16");
	int rc = ipam_prefix_add(db, &p, NULL);
	if (rc)
		die("prefix add", rc);
	ipam_addr a;
	double t0 = now();
	clock_t c0 = clock();
	for (long i = 0; i < n; i++)
		if ((rc = ipam_ip_alloc(&a, db, &p, NULL)))
			die("alloc", rc);
	double dt = now() - t0;
	double cpu_us = (double)(clock() - c0) / CLOCKS_PER_SEC / (double)n * 1e6;
	double rate = (double)n / dt;
	if (!durable) {
		printf("W1-commit    %8.0f allocs/s  (one commit each, not synced, n=%ld; %.0f us CPU a commit)\n", rate, n,
		       cpu_us);
	} else {
		double fs = fdatasync_rate((int)n);
		printf("W1-durable   %8.0f allocs/s  (one durable commit each, n=%ld; %.0f us CPU a commit); fdatasync alone"
		       " %.0f/s; ratio %.2f\n",
		       rate, n, cpu_us, fs, fs > 0 ? rate / fs : 0);
	}
	ipam_db_free(db);
}

struct one {
	ipam_prefix *p;
};

static int alloc_one(ipam_db *db, void *ctx)
{
	ipam_addr a;
	return ipam_ip_alloc(&a, db, ((struct one *)ctx)->p, NULL);
}

static void w1_writers(void)
{
	ipam_db *db = open_file("writers.db", IPAM_OPEN_CREATE | IPAM_OPEN_EXCL);
	ipam_prefix p = pfx("10.0.0.0/16");
	int rc = ipam_prefix_add(db, &p, NULL);
	if (rc)
		die("prefix add", rc);
	ipam_db_free(db);
	double t0 = now();
	for (int w = 0; w < 8; w++) {
		pid_t pid = fork();
		if (pid == 0) {
			ipam_db *d = open_file("writers.db", 0);
			struct one o = { &p };
			for (int i = 0; i < 2000; i++)
				if ((rc = ipam_db_run(d, alloc_one, &o)))
					die("run", rc);
			ipam_db_free(d);
			_exit(0);
		}
	}
	int ok = 1, st;
	while (wait(&st) > 0)
		ok &= WIFEXITED(st) && WEXITSTATUS(st) == 0;
	double dt = now() - t0;
	db = open_file("writers.db", 0);
	ipam_db_stats s = IPAM_DB_STATS_INIT;
	ipam_db_stats_get(&s, db);
	printf("W1-8writers  %8.0f allocs/s  aggregate (8 processes x 2000, one ipam_db_run each; %llu addresses after, %s)\n",
	       16000 / dt, (unsigned long long)s.addresses, ok ? "all writers ok" : "A WRITER FAILED");
	ipam_db_free(db);
}

static void open_1m(void)
{
	long n = env_n("STORE_BENCH_OPEN_N", 1000000);
	long nprefix = n / 10;
	ipam_db *db = open_file("big.db", IPAM_OPEN_CREATE | IPAM_OPEN_EXCL);
	int rc;
	double t0 = now();
	if ((rc = ipam_db_begin(db)))
		die("begin", rc);
	ipam_prefix top = pfx("10.0.0.0/8");
	if ((rc = ipam_prefix_add(db, &top, NULL)))
		die("prefix add", rc);
	ipam_prefix_alloc_options po = IPAM_PREFIX_ALLOC_OPTIONS_INIT;
	po.length = 28;
	ipam_ip_options io = IPAM_IP_OPTIONS_INIT;
	char host[64];
	for (long i = 0; i < nprefix; i++) {
		ipam_prefix sub;
		ipam_addr a;
		if ((rc = ipam_prefix_alloc(&sub, db, &top, &po)))
			die("prefix alloc", rc);
		for (int j = 0; j < 10; j++) {
			/* one address in ten has a host name, the rest are bare */
			snprintf(host, sizeof host, "h%ld.example.net", i);
			io.hostname = j == 0 ? host : NULL;
			if ((rc = ipam_ip_alloc(&a, db, &sub, &io)))
				die("alloc", rc);
		}
	}
	if ((rc = ipam_db_commit(db)))
		die("commit", rc);
	double build = now() - t0;
	ipam_db_free(db);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		long before = rss_kb();
		double t1 = now();
		ipam_db *d = open_file("big.db", 0);
		double dt = now() - t1;
		long after = rss_kb();
		ipam_db_stats s = IPAM_DB_STATS_INIT;
		ipam_db_stats_get(&s, d);
		printf("open-1M      %8.3f s to open %llu addresses in %llu prefixes; RSS +%ld kB = %.0f B/address"
		       " (file built in %.1f s)\n",
		       dt, (unsigned long long)s.addresses, (unsigned long long)s.prefixes, after - before,
		       (double)(after - before) * 1024.0 / (double)(s.addresses ? s.addresses : 1), build);
		ipam_db_free(d);
		fflush(stdout);
		_exit(0);
	}
	int st;
	waitpid(pid, &st, 0);
}

int main(int argc, char **argv)
{
	if (argc > 1) {
		snprintf(dir, sizeof dir, "%s", argv[1]);
	} else {
		snprintf(dir, sizeof dir, "/tmp/store-bench.XXXXXX");
		if (!mkdtemp(dir)) {
			perror("mkdtemp");
			return 1;
		}
	}
	snprintf(keyfile, sizeof keyfile, "%s/key", dir);
	FILE *k = fopen(keyfile, "w");
	if (!k) {
		perror(keyfile);
		return 1;
	}
	fputs("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n", k);
	fclose(k);
	printf("store-bench in %s (libipam %s)\n", dir, ipam_version());
	const char *only = getenv("STORE_BENCH_ONLY");
	if (!only || strstr(only, "txn"))
		w1_txn();
	if (!only || strstr(only, "commit"))
		w1_commits(0);
	if (!only || strstr(only, "durable"))
		w1_commits(1);
	if (!only || strstr(only, "writers"))
		w1_writers();
	if (!only || strstr(only, "open"))
		open_1m();
	return 0;
}
