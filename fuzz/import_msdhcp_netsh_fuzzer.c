/* Fuzz the Microsoft DHCP netsh dump importer: see
 * import_fuzz.h for what is checked on every input. */
#include "import_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	import_fuzz(IPAM_IMPORT_MSDHCP_NETSH, data, size);
	return 0;
}
