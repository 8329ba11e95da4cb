/* Fuzz the Kea memfile lease reader (ipam__dhcp_leases_kea_csv). A refusal
 * is IPAM_EINVAL (or ENOMEM) with a message that starts with the file name;
 * an accepted file leaves one lease per address (the journal's last word),
 * none of them deleted. */
#include "dhcp/dhcp.h"
#include "dns_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 200000)
		return 0;
	ipam__dhcp_leases l = {0};
	int rc = ipam__dhcp_leases_kea_csv(&l, (const char *)data, size, "fuzz.csv");
	if (rc) {
		FUZZ_CHECK(rc == IPAM_ENOMEM || rc == IPAM_EINVAL);
		FUZZ_CHECK(rc == IPAM_ENOMEM || strncmp(ipam_error_last()->message, "fuzz.csv:", 9) == 0);
	} else {
		for (size_t i = 0; i < l.n; i++) {
			FUZZ_CHECK(l.v[i].valid != 0);
			for (size_t j = i + 1; j < l.n && j < i + 64; j++)
				FUZZ_CHECK(ipam_addr_cmp(&l.v[i].addr, &l.v[j].addr) != 0);
		}
	}
	ipam__dhcp_leases_free(&l);
	return 0;
}
