/*
 * c-bench: the C side of the bindings' benchmark (bench/bindings/run.sh).
 * The same loops as w1.py and go/main.go, straight on the C API, so that
 * a binding's cost per call is its time per operation minus this one's.
 *
 * usage: c-bench [ROUNDS]
 * environment: W1_N (default 65534), BENCH_URIS (default "index: memory:"),
 *              BENCH_CALL=0 to leave out the call loop
 * One JSON line per measured round on stdout:
 * - W1 on "index:" and "memory:": a fresh database, 10.0.0.0/16 added, then
 *   65,534 ipam_ip_alloc() calls, results kept in an array and checked
 *   (10.0.0.1 ... 10.0.255.254, then IPAM_EEXHAUSTED);
 * - "call": 1,000,000 ipam_db_revision() calls on "index:" (a call that
 *   does next to nothing: what a binding adds to every call).
 */
#include <ipam.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define W1_MAX 65534
static int W1_N = W1_MAX;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int die(const char *what)
{
	fprintf(stderr, "c-bench: %s: %s\n", what, ipam_error_last()->message);
	exit(1);
}

static void w1(const char *uri, int round)
{
	static ipam_addr got[W1_MAX];
	ipam_db *db = NULL;
	ipam_prefix net;
	ipam_addr extra;

	if (ipam_db_open(&db, uri, NULL) < 0)
		die("open");
	if (ipam_prefix_parse(&net, "10.0.0.0/16", 0) < 0 || ipam_prefix_add(db, &net, NULL) < 0)
		die("prefix");
	double t0 = now();
	for (int i = 0; i < W1_N; i++)
		if (ipam_ip_alloc(&got[i], db, &net, NULL) < 0)
			die("alloc");
	double secs = now() - t0;
	int ok = W1_N < W1_MAX || ipam_ip_alloc(&extra, db, &net, NULL) == IPAM_EEXHAUSTED;
	for (int i = 0; ok && i < W1_N; i++) {
		uint32_t v = 0x0A000001u + (uint32_t)i;
		ok = got[i].family == IPAM_AF_INET && got[i].bytes[0] == (v >> 24) && got[i].bytes[1] == ((v >> 16) & 255) &&
		     got[i].bytes[2] == ((v >> 8) & 255) && got[i].bytes[3] == (v & 255);
	}
	printf("{\"peer\": \"libipam-c\", \"workload\": \"W1\", \"uri\": \"%s\", \"round\": %d, \"ops\": %d, "
	       "\"secs\": %.6f, \"ops_s\": %.1f, \"ns_per_op\": %.1f, \"verified\": %s}\n",
	       uri, round, W1_N, secs, W1_N / secs, secs / W1_N * 1e9, ok ? "true" : "false");
	ipam_db_free(db);
	if (!ok) {
		fprintf(stderr, "c-bench: W1 on %s: wrong addresses\n", uri);
		exit(1);
	}
}

static void call(int round)
{
	const int n = 1000000;
	ipam_db *db = NULL;
	uint64_t rev = 0, sum = 0;

	if (ipam_db_open(&db, "index:", NULL) < 0)
		die("open");
	double t0 = now();
	for (int i = 0; i < n; i++) {
		if (ipam_db_revision(&rev, db) < 0)
			die("revision");
		sum += rev;
	}
	double secs = now() - t0;
	printf("{\"peer\": \"libipam-c\", \"workload\": \"call\", \"call\": \"ipam_db_revision\", \"round\": %d, "
	       "\"ops\": %d, \"secs\": %.6f, \"ns_per_op\": %.1f, \"sum\": %llu}\n",
	       round, n, secs, secs / n * 1e9, (unsigned long long)sum);
	ipam_db_free(db);
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 5;
	const char *n = getenv("W1_N"), *uris = getenv("BENCH_URIS"), *calls = getenv("BENCH_CALL");
	if (n && (W1_N = atoi(n)) > W1_MAX)
		W1_N = W1_MAX;
	if (!uris)
		uris = "index: memory:";
	for (int r = 1; r <= rounds; r++) {
		if (strstr(uris, "index:"))
			w1("index:", r);
		if (strstr(uris, "memory:"))
			w1("memory:", r);
		if (!calls || strcmp(calls, "0") != 0)
			call(r);
	}
	return 0;
}
