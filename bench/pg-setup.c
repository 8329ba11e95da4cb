/* bench/pg-writers.sh's setup: create the libipam tables in the database
 * `uri` and add the given prefixes. */
#include <ipam.h>

#include <stdio.h>

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: pg-setup URI [PREFIX...]\n");
		return 2;
	}
	ipam_db *db;
	ipam_open_options o = IPAM_OPEN_OPTIONS_INIT;
	o.flags = IPAM_OPEN_CREATE;
	if (ipam_db_open(&db, argv[1], &o) != 0) {
		fprintf(stderr, "pg-setup: %s\n", ipam_error_last()->message);
		return 1;
	}
	for (int i = 2; i < argc; i++) {
		ipam_prefix p;
		if (ipam_prefix_parse(&p, argv[i], IPAM_PARSE_DEFAULT) != 0 || ipam_prefix_add(db, &p, NULL) != 0) {
			fprintf(stderr, "pg-setup: %s: %s\n", argv[i], ipam_error_last()->message);
			ipam_db_free(db);
			return 1;
		}
	}
	ipam_db_free(db);
	return 0;
}
