/* Fuzz ipam_import_json on a memory: store. Whatever the input:
 * - a failed import leaves the store exactly as it was (all or nothing), with
 *   an error message set;
 * - a successful one leaves a consistent index, and its export imports into
 *   another empty store and exports to the same bytes (the round trip). */
#include "ipam.h"
#include "ipam/export.h"

#include "db/check.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_CHECK(cond)                                                                         \
	do {                                                                                     \
		if (!(cond)) {                                                                   \
			fprintf(stderr, "%s:%d: check failed: %s (last error: %s)\n", __FILE__, __LINE__, \
			        #cond, ipam_error_last()->message);                              \
			abort();                                                                 \
		}                                                                                \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ipam_db *db = NULL;
	FUZZ_CHECK(ipam_db_open(&db, "memory:", NULL) == 0);
	ipam_buf before = IPAM_BUF_INIT, after = IPAM_BUF_INIT;
	FUZZ_CHECK(ipam_export(&before, db) == 0);

	int rc = ipam_import_json(db, (const char *)data, size, "fuzz.json");
	if (rc != 0) {
		FUZZ_CHECK(rc < 0 && rc != IPAM_ITEROVER);
		FUZZ_CHECK(ipam_error_last()->code == rc);
		FUZZ_CHECK(strncmp(ipam_error_last()->message, "fuzz.json: ", 11) == 0 ||
		           strncmp(ipam_error_last()->message, "import: ", 8) == 0 || rc == IPAM_ENOMEM);
		FUZZ_CHECK(ipam_export(&after, db) == 0);
		FUZZ_CHECK(after.size == before.size && memcmp(after.ptr, before.ptr, before.size) == 0);
	} else {
		FUZZ_CHECK(ipam__db_check(db) == 0);
		FUZZ_CHECK(ipam_export(&after, db) == 0);
		ipam_db *db2 = NULL;
		ipam_buf again = IPAM_BUF_INIT;
		FUZZ_CHECK(ipam_db_open(&db2, "memory:", NULL) == 0);
		FUZZ_CHECK(ipam_import_json(db2, after.ptr, after.size, "export.json") == 0);
		FUZZ_CHECK(ipam_export(&again, db2) == 0);
		FUZZ_CHECK(again.size == after.size && memcmp(again.ptr, after.ptr, after.size) == 0);
		ipam_buf_dispose(&again);
		ipam_db_free(db2);
	}
	ipam_buf_dispose(&before);
	ipam_buf_dispose(&after);
	ipam_db_free(db);
	return 0;
}
