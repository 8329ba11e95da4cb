/* Fuzz the BIND zone file importer (and src/dns/zimport.c under it: directives, parentheses, $GENERATE): see
 * import_fuzz.h for what is checked on every input. */
#include "import_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	import_fuzz(IPAM_IMPORT_BIND_ZONE, data, size);
	return 0;
}
