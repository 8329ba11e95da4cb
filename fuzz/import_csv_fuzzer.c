/* Fuzz the mapped CSV importer and the mapping suggestion: the input is
 * read by ipam_import_suggest(); when that gives a mapping, the input is
 * imported with it and checked as import_fuzz.h checks every importer (no
 * crash, a consistent store, a JSON report, a second import that changes
 * nothing). */
#include "import_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ipam_buf map = IPAM_BUF_INIT;
	int rc = ipam_import_suggest(&map, "fuzz", (const char *)data, size);
	IMPORT_FUZZ_CHECK(rc == 0 || (rc == IPAM_EINVAL && ipam_error_last()->message[0]));
	if (rc == 0) {
		cJSON *j = cJSON_Parse(map.ptr);
		IMPORT_FUZZ_CHECK(j != NULL);
		cJSON_Delete(j);
		import_fuzz_map(IPAM_IMPORT_CSV, map.ptr, data, size);
	}
	ipam_buf_dispose(&map);
	return 0;
}
