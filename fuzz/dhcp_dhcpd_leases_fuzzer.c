/* Fuzz the ISC dhcpd.leases reader (ipam__dhcp_leases_dhcpd). A refusal is
 * IPAM_EINVAL (or ENOMEM) with a message that starts with the file name; an
 * accepted file leaves one IPv4 lease per address, active exactly when its
 * binding state is "active" (or absent). */
#include "dhcp/dhcp.h"
#include "dns_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 200000)
		return 0;
	ipam__dhcp_leases l = {0};
	int rc = ipam__dhcp_leases_dhcpd(&l, (const char *)data, size, "fuzz.leases");
	if (rc) {
		FUZZ_CHECK(rc == IPAM_ENOMEM || rc == IPAM_EINVAL);
		FUZZ_CHECK(rc == IPAM_ENOMEM || strncmp(ipam_error_last()->message, "fuzz.leases:", 12) == 0);
	} else {
		for (size_t i = 0; i < l.n; i++) {
			const ipam__dhcp_lease *x = &l.v[i];
			FUZZ_CHECK(x->addr.family == IPAM_AF_INET);
			FUZZ_CHECK(x->active == (!x->binding[0] || strcmp(x->binding, "active") == 0));
			FUZZ_CHECK(x->ends >= -1);
			for (size_t j = i + 1; j < l.n && j < i + 64; j++)
				FUZZ_CHECK(ipam_addr_cmp(&x->addr, &l.v[j].addr) != 0);
		}
	}
	ipam__dhcp_leases_free(&l);
	return 0;
}
