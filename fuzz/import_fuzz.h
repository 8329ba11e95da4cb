/* What every importer fuzz target checks, whatever the input: reading it
 * never crashes and either fails with a message or fills the model; the
 * model then applies to a memory: store in one transaction that leaves a
 * consistent index; the report is JSON; a second apply of the same input
 * changes nothing. */
#ifndef IPAM_FUZZ_IMPORT_FUZZ_H
#define IPAM_FUZZ_IMPORT_FUZZ_H

#include "ipam.h"

#include "db/check.h"

#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define IMPORT_FUZZ_CHECK(cond)                                                                              \
	do {                                                                                                 \
		if (!(cond)) {                                                                               \
			fprintf(stderr, "%s:%d: check failed: %s (last error: %s)\n", __FILE__, __LINE__, #cond, \
			        ipam_error_last()->message);                                                 \
			abort();                                                                             \
		}                                                                                            \
	} while (0)

/* One import of the input; `map` is the mapped CSV's mapping (NULL for
 * the other formats). */
static int import_fuzz_once(ipam_db *db, ipam_import_format fmt, const char *map, const uint8_t *data, size_t size,
                            uint64_t *rev)
{
	ipam_import *imp = NULL;
	ipam_buf b = IPAM_BUF_INIT;
	IMPORT_FUZZ_CHECK(ipam_import_new(&imp, fmt, NULL) == 0);
	int rc = map ? ipam_import_set_mapping(imp, map) : 0;
	if (rc == 0)
		rc = ipam_import_add_buffer(imp, "fuzz", (const char *)data, size);
	IMPORT_FUZZ_CHECK(rc == 0 || (rc == IPAM_EINVAL && ipam_error_last()->message[0]));
	if (rc == 0) {
		IMPORT_FUZZ_CHECK(ipam_import_apply(imp, db) == 0);
		IMPORT_FUZZ_CHECK(ipam__db_check(db) == 0);
		IMPORT_FUZZ_CHECK(ipam_import_report(&b, imp) == 0);
		cJSON *j = cJSON_Parse(b.ptr);
		IMPORT_FUZZ_CHECK(j != NULL);
		cJSON_Delete(j);
		IMPORT_FUZZ_CHECK(ipam_db_revision(rev, db) == 0);
	}
	ipam_buf_dispose(&b);
	ipam_import_free(imp);
	return rc;
}

/* As import_fuzz_map, into a store that `setup` (when not NULL) prepares. */
static void import_fuzz_into(ipam_import_format fmt, const char *map, const uint8_t *data, size_t size,
                             void (*setup)(ipam_db *db))
{
	ipam_db *db = NULL;
	uint64_t r1 = 0, r2 = 0;
	IMPORT_FUZZ_CHECK(ipam_db_open(&db, "memory:", NULL) == 0);
	if (setup)
		setup(db);
	if (import_fuzz_once(db, fmt, map, data, size, &r1) == 0) {
		/* idempotent: the second run writes nothing */
		import_fuzz_once(db, fmt, map, data, size, &r2);
		IMPORT_FUZZ_CHECK(r1 == r2);
	}
	ipam_db_free(db);
}

static void import_fuzz_map(ipam_import_format fmt, const char *map, const uint8_t *data, size_t size)
{
	import_fuzz_into(fmt, map, data, size, NULL);
}

static inline void import_fuzz(ipam_import_format fmt, const uint8_t *data, size_t size)
{
	import_fuzz_map(fmt, NULL, data, size);
}

#endif
