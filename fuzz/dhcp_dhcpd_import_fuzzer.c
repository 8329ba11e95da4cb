/* Fuzz the dhcpd.conf importer (ipam__dhcp_import_dhcpd). A refusal is
 * IPAM_EINVAL (or ENOMEM, EEXISTS) naming the file and line; an
 * accepted config renders to dhcpd.conf and to Kea JSON, and the dhcpd.conf
 * it renders imports again to the same number of scopes. */
#include "dhcp/dhcp.h"
#include "dns_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 100000)
		return 0;
	ipam__dhcp_config *c = NULL;
	FUZZ_CHECK(ipam__dhcp_config_new(&c) == 0);
	int rc = ipam__dhcp_import_dhcpd(c, (const char *)data, size, "fuzz.conf", NULL);
	if (rc) {
		FUZZ_CHECK(rc == IPAM_ENOMEM || rc == IPAM_EINVAL || rc == IPAM_EEXISTS ||
			   rc == IPAM_EEXHAUSTED);
		FUZZ_CHECK(rc == IPAM_ENOMEM || strncmp(ipam_error_last()->message, "fuzz.conf:", 10) == 0);
	} else {
		ipam_buf a = IPAM_BUF_INIT, k = IPAM_BUF_INIT;
		FUZZ_CHECK(ipam__dhcp_render_dhcpd(&a, c, NULL) == 0);
		FUZZ_CHECK(ipam__dhcp_render_kea(&k, c, IPAM_AF_INET, NULL, NULL) == 0);
		ipam__dhcp_config *again = NULL;
		FUZZ_CHECK(ipam__dhcp_config_new(&again) == 0);
		FUZZ_CHECK(ipam__dhcp_import_dhcpd(again, a.ptr, a.size, "rendered", NULL) == 0);
		FUZZ_CHECK(again->nscopes == c->nscopes);
		ipam__dhcp_config_free(again);
		ipam_buf_dispose(&a);
		ipam_buf_dispose(&k);
	}
	ipam__dhcp_config_free(c);
	return 0;
}
