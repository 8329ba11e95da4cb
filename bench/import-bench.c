/* import-bench: a generated Infoblox NIOS CSV export of N networks (2000)
 * and H host records (50000, one address each, spread over the networks)
 * imported into a fresh SQLCipher file (raw key, no passphrase KDF) in one
 * transaction, then again (everything unchanged). Prints the parse and
 * apply times of each run. Goal (issue 8): the first import in <= 2 s.
 * FORMAT picks another importer for the same networks and hosts:
 * phpipam-csv (a subnets file and an addresses file), csv (the mapped CSV:
 * the addresses with a mapping) or bind-zone (one zone file with H A
 * records, so no networks). bind-zone-linked: the store has the N networks
 * first, so each A record becomes an address (derived), and each host
 * also has a TXT record (a hand record beside the derived A).
 *
 * usage: import-bench [DIR [NETWORKS [HOSTS [FORMAT]]]] */
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

/* The same networks and hosts for another format: file 0 and, for
 * phpipam-csv, file 1 (the addresses). */
static char *generate_other(size_t *len, unsigned nets, unsigned hosts, const char *fmt, int file, int linked)
{
	size_t cap = (size_t)(nets + hosts) * 160 + 4096, n = 0;
	char *s = malloc(cap);
	if (!s)
		exit(1);
	if (!strcmp(fmt, "bind-zone")) {
		n += (size_t)snprintf(s + n, cap - n,
		                      "$TTL 3600\n$ORIGIN example.com.\n@ SOA ns1 hostmaster ( 1 3h 15m 2w 5m )\n  NS ns1\n"
		                      "ns1 A 192.0.2.53\n");
		for (unsigned h = 0; h < hosts; h++) {
			unsigned net = h % nets, host = 1 + h / nets;
			n += (size_t)snprintf(s + n, cap - n, "h%u A 10.%u.%u.%u\n", h, net / 256, net % 256, host);
			if (linked)
				n += (size_t)snprintf(s + n, cap - n, "h%u TXT \"host %u\"\n", h, h);
		}
	} else if (!strcmp(fmt, "phpipam-csv") && file == 0) {
		n += (size_t)snprintf(s + n, cap - n, "Section;Subnet;Mask;Description;VLAN;Domain;VRF;Site\n");
		for (unsigned i = 0; i < nets; i++)
			n += (size_t)snprintf(s + n, cap - n, "Corp;10.%u.%u.0;24;net %u;%u;default;;Site%u\n", i / 256,
			                      i % 256, i, 1 + i % 4000, i % 7);
	} else {
		n += (size_t)snprintf(s + n, cap - n, "Section,IP address,Hostname,Description,VRF,Subnet,MAC,Owner,Tag\n");
		for (unsigned h = 0; h < hosts; h++) {
			unsigned net = h % nets, host = 1 + h / nets;
			n += (size_t)snprintf(s + n, cap - n, "Corp,10.%u.%u.%u,h%u.example.com,\"host %u, generated\",,"
			                                      "10.%u.%u.0/24,,team%u,Used\n",
			                      net / 256, net % 256, host, h, h, net / 256, net % 256, h % 13);
		}
	}
	*len = n;
	return s;
}

static const char csv_map[] = "{\"object\": \"address\", \"columns\": {\"IP address\": \"address\", "
                              "\"Hostname\": \"hostname\", \"Description\": \"description\", \"VRF\": \"space\", "
                              "\"Tag\": \"status\", \"Owner\": {\"field\": \"attr\", \"name\": \"owner\"}}}";

static void run(ipam_db *db, const char *const *text, const size_t *len, int nfiles, ipam_import_format fmt,
                const char *label)
{
	ipam_import *imp;
	double t0 = now(), c0 = cpu();
	if (ipam_import_new(&imp, fmt, NULL) || (fmt == IPAM_IMPORT_CSV && ipam_import_set_mapping(imp, csv_map)))
		die("parse");
	for (int i = 0; i < nfiles; i++)
		if (ipam_import_add_buffer(imp, fmt == IPAM_IMPORT_BIND_ZONE ? "db.example.com" : "bench.csv", text[i], len[i]))
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
	const char *fname = argc > 4 ? argv[4] : "infoblox";
	int linked = !strcmp(fname, "bind-zone-linked");
	if (linked)
		fname = "bind-zone";
	ipam_import_format fmt;
	if (ipam_import_format_parse(&fmt, fname) ||
	    !(fmt == IPAM_IMPORT_INFOBLOX || fmt == IPAM_IMPORT_PHPIPAM_CSV || fmt == IPAM_IMPORT_CSV ||
	      fmt == IPAM_IMPORT_BIND_ZONE)) {
		fprintf(stderr, "import-bench: FORMAT is infoblox, phpipam-csv, csv, bind-zone or bind-zone-linked\n");
		return 2;
	}
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
	size_t len[2] = { 0, 0 };
	char *text[2] = { NULL, NULL };
	int nfiles = fmt == IPAM_IMPORT_PHPIPAM_CSV ? 2 : 1;
	for (int i = 0; i < nfiles; i++)
		text[i] = fmt == IPAM_IMPORT_INFOBLOX ? generate(&len[i], nets, hosts)
		                                      : generate_other(&len[i], nets, hosts, fname, i, linked);
	printf("import-bench: %s%s, %u networks, %u hosts, %zu bytes, into %s (SQLCipher)\n", fname,
	       linked ? " (linked)" : "", nets, hosts, len[0] + len[1], path);
	ipam_db *db;
	ipam_open_options o = IPAM_OPEN_OPTIONS_INIT;
	o.flags = IPAM_OPEN_CREATE;
	o.key_file = keyf;
	if (ipam_db_open(&db, path, &o))
		die("open");
	if (linked) {
		ipam_prefix_options po = IPAM_PREFIX_OPTIONS_INIT;
		char p[64];
		if (ipam_db_begin(db))
			die("begin");
		for (unsigned i = 0; i < nets; i++) {
			ipam_prefix pf;
			snprintf(p, sizeof p, "10.%u.%u.0/24", i / 256, i % 256);
			if (ipam_prefix_parse(&pf, p, 0) || ipam_prefix_add(db, &pf, &po))
				die("prefix");
		}
		if (ipam_db_commit(db))
			die("commit");
	}
	run(db, (const char *const *)text, len, nfiles, fmt, "first");
	run(db, (const char *const *)text, len, nfiles, fmt, "again");
	ipam_db_free(db);
	free(text[0]);
	free(text[1]);
	char side[4300];
	unlink(path);
	snprintf(side, sizeof side, "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof side, "%s-shm", path);
	unlink(side);
	unlink(keyf);
	return 0;
}
