/* Fuzz the BlueCat importEntities importer (CSV and NDJSON): see
 * import_fuzz.h for what is checked on every input. */
#include "import_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	import_fuzz(IPAM_IMPORT_BLUECAT, data, size);
	return 0;
}
