/* import-bench: a generated Infoblox NIOS CSV export of N networks (2000)
 * and H host records (50000, one address each, spread over the networks)
 * imported into a fresh SQLCipher file (raw key, no passphrase KDF) in one
 * transaction, then again (everything unchanged). Prints the parse and
 * apply times of each run. Goal (issue 8): the first import in <= 2 s.
 *
 * usage: import-bench [DIR [NETWORKS [HOSTS]]] */
#include "ipam.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double clock_s(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double now(void)
{
	return clock_s(CLOCK_MONOTONIC);
}

/* CPU time of the process: the figure that holds on a loaded machine. */
static double cpu(void)
{
	return clock_s(CLOCK_PROCESS_CPUTIME_ID);
}

static void die(const char *what)
{
	fprintf(stderr, "import-bench: %s: %s\n", what, ipam_error_last()->message);
	exit(1);
}

/* Networks 10.x.y.0/24 (x.y from the index); host h in network h % n. */
static char *generate(size_t *len, unsigned nets, unsigned hosts)
{
	size_t cap = (size_t)(nets + hosts) * 160 + 4096, n = 0;
	char *s = malloc(cap);
	if (!s)
		exit(1);
	n += (size_t)snprintf(s + n, cap - n,
	                      "header-network,address*,netmask*,network_view,comment,EA-Site,EA-VLAN\n");
	for (unsigned i = 0; i < nets; i++)
		n += (size_t)snprintf(s + n, cap - n, "network,10.%u.%u.0,255.255.255.0,default,net %u,Site%u,%u\n",
		                      i / 256, i % 256, i, i % 7, 1 + i % 4000);
	n += (size_t)snprintf(s + n, cap - n,
	                      "header-hostrecord,fqdn*,view,network_view,addresses,configure_for_dns,comment,EA-Owner\n");
	for (unsigned h = 0; h < hosts; h++) {
		unsigned net = h % nets, host = 1 + h / nets;
		n += (size_t)snprintf(s + n, cap - n,
		                      "hostrecord,h%u.example.com,default,default,10.%u.%u.%u,TRUE,\"host %u, generated\",team%u\n",
		                      h, net / 256, net % 256, host, h, h % 13);
	}
	*len = n;
	return s;
}

static void run(ipam_db *db, const char *csv, size_t len, const char *label)
{
	ipam_import *imp;
	double t0 = now(), c0 = cpu();
	if (ipam_import_new(&imp, IPAM_IMPORT_INFOBLOX, NULL) || ipam_import_add_buffer(imp, "bench.csv", csv, len))
		die("parse");
	double t1 = now(), c1 = cpu();
	if (ipam_import_apply(imp, db))
		die("apply");
	double t2 = now(), c2 = cpu();
	ipam_buf b = IPAM_BUF_INIT;
	ipam_import_report(&b, imp);
	char *imported = strstr(b.ptr, "\"imported\"");
	char *unchanged = strstr(b.ptr, "\"unchanged\"");
	printf("%-8s wall: parse %.3f s  apply %.3f s  total %.3f s | cpu: parse %.3f s  apply %.3f s  total %.3f s\n",
	       label, t1 - t0, t2 - t1, t2 - t0, c1 - c0, c2 - c1, c2 - c0);
	printf("         %.*s", (int)(strchr(imported, '\n') - imported + 1), imported);
	printf("         %.*s", (int)(strchr(unchanged, '\n') - unchanged + 1), unchanged);
	ipam_buf_dispose(&b);
	ipam_import_free(imp);
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "/tmp";
	unsigned nets = argc > 2 ? (unsigned)atoi(argv[2]) : 2000;
	unsigned hosts = argc > 3 ? (unsigned)atoi(argv[3]) : 50000;
	if (nets == 0 || nets > 65536 || hosts / nets > 253) {
		fprintf(stderr, "import-bench: 1..65536 networks, at most 253 hosts per network\n");
		return 2;
	}
	char path[4096], keyf[4200];
	snprintf(path, sizeof path, "%s/import-bench-%ld.db", dir, (long)getpid());
	snprintf(keyf, sizeof keyf, "%s.key", path);
	FILE *f = fopen(keyf, "w");
	if (!f || fputs("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n", f) < 0 || fclose(f))
		return 1;
	size_t len;
	char *csv = generate(&len, nets, hosts);
	printf("import-bench: %u networks, %u host records, %zu bytes of CSV, into %s (SQLCipher)\n", nets, hosts, len,
	       path);
	ipam_db *db;
	ipam_open_options o = IPAM_OPEN_OPTIONS_INIT;
	o.flags = IPAM_OPEN_CREATE;
	o.key_file = keyf;
	if (ipam_db_open(&db, path, &o))
		die("open");
	run(db, csv, len, "first");
	run(db, csv, len, "again");
	ipam_db_free(db);
	free(csv);
	char side[4300];
	unlink(path);
	snprintf(side, sizeof side, "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof side, "%s-shm", path);
	unlink(side);
	unlink(keyf);
	return 0;
}
