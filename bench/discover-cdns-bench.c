/* discover-cdns-bench: writing a cloud DNS zone into the stored DNS model.
 *
 *   [N]  a zone of N A records (default 2,000; a Route 53 zone as read,
 *        apex NS and SOA included) written into a memory store: the first
 *        read (every RRset added) and a second (every RRset unchanged),
 *        each timed. The reader's HTTP is left out: this is the comparison
 *        and the write (src/discover/cloud_dns.c), which puts each record
 *        into a scratch zone one ipam_record_add at a time.
 *
 * Not a test: run it in a release build (docs/BENCHMARKS.md). Internal API
 * (the zone as the readers leave it), so it includes the sources' headers. */
#include "discover/disc.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "discover-bench.h"

/* The zone as Route 53's reader leaves it. */
static void zone_of(ipam__cdns *c, unsigned long n)
{
	int rc = ipam__cdns_zone_add(c, "bench.example.", "Z1", false, "bench");
	rc = rc ? rc : ipam__cdns_rec_add(&c->z[0], "bench.example.", "SOA", 900, "ns1.bench.example. h.bench.example. 1 2 3 4 5", NULL);
	rc = rc ? rc : ipam__cdns_rec_add(&c->z[0], "bench.example.", "NS", 3600, "ns1.bench.example.", NULL);
	for (unsigned long i = 0; i < n && !rc; i++) {
		char owner[64], data[32];
		snprintf(owner, sizeof owner, "h%lu.bench.example.", i);
		snprintf(data, sizeof data, "10.%lu.%lu.%lu", (i >> 16) & 255, (i >> 8) & 255, i & 255);
		rc = ipam__cdns_rec_add(&c->z[0], owner, "A", 300, data, NULL);
	}
	if (rc)
		die("zone", rc);
}

int main(int argc, char **argv)
{
	unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 10) : 2000;
	ipam_db *db;
	int rc = ipam_db_open(&db, "memory:", NULL);
	if (rc)
		die("open", rc);
	double t[3];
	for (int run = 0; run < 2; run++) {
		ipam__cdns c = { 0 };
		zone_of(&c, n);
		ipam_buf rep = IPAM_BUF_INIT;
		t[run] = now_s();
		ipam_cloud_dns_options co = IPAM_CLOUD_DNS_OPTIONS_INIT;
		if ((rc = ipam__cdns_ingest(&rep, db, &c, &co, "aws")))
			die("ingest", rc);
		t[run + 1] = now_s();
		t[run] = t[run + 1] - t[run];
		if (!strstr(rep.ptr, run ? "\"unchanged\":" : "\"added\":"))
			die("report", -1);
		ipam_buf_dispose(&rep);
		ipam__cdns_dispose(&c);
	}
	printf("cloud DNS zone of %lu A records: first read (all added) %.3f s, second read (all unchanged) %.3f s\n",
	       n, t[0], t[1]);
	ipam_db_free(db);
	return 0;
}
