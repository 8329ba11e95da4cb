/* Fuzz the phpIPAM dump importer (and the SQL-dump reader under it): see
 * import_fuzz.h for what is checked on every input. */
#include "import_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	import_fuzz(IPAM_IMPORT_PHPIPAM_SQL, data, size);
	return 0;
}
