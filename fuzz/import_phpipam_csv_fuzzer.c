/* Fuzz the phpIPAM CSV importer (subnets and addresses files, VRFs by name or RD): see
 * import_fuzz.h for what is checked on every input. */
#include "import_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	import_fuzz(IPAM_IMPORT_PHPIPAM_CSV, data, size);
	return 0;
}
