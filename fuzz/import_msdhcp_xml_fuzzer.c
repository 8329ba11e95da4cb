/* Fuzz the Microsoft DHCP Export-DhcpServer XML importer (and the XML reader under it): see
 * import_fuzz.h for what is checked on every input. */
#include "import_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	import_fuzz(IPAM_IMPORT_MSDHCP_XML, data, size);
	return 0;
}
