/* Fuzz the Kea config importer (ipam__dhcp_import_kea). A refusal is
 * IPAM_EINVAL (or ENOMEM) naming the file; an accepted config renders back
 * to Kea JSON for both families, and rendering over that output once more
 * gives the same text (subnet ids are stable). */
#include "dhcp/dhcp.h"
#include "dns_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 100000)
		return 0;
	ipam__dhcp_config *c = NULL;
	FUZZ_CHECK(ipam__dhcp_config_new(&c) == 0);
	int rc = ipam__dhcp_import_kea(c, (const char *)data, size, "fuzz.conf", NULL);
	if (rc) {
		FUZZ_CHECK(rc == IPAM_ENOMEM || rc == IPAM_EINVAL || rc == IPAM_EEXISTS ||
			   rc == IPAM_EEXHAUSTED);
		FUZZ_CHECK(rc == IPAM_ENOMEM || strncmp(ipam_error_last()->message, "fuzz.conf", 9) == 0);
	} else {
		static const unsigned families[] = {IPAM_AF_INET, IPAM_AF_INET6};
		for (size_t f = 0; f < 2; f++) {
			unsigned fam = families[f];
			ipam_buf a = IPAM_BUF_INIT, b = IPAM_BUF_INIT;
			if (ipam__dhcp_render_kea(&a, c, fam, NULL, NULL) == 0) {
				FUZZ_CHECK(ipam__dhcp_render_kea(&b, c, fam, NULL, a.ptr) == 0);
				FUZZ_CHECK(strcmp(a.ptr, b.ptr) == 0);
			}
			ipam_buf_dispose(&a);
			ipam_buf_dispose(&b);
		}
	}
	ipam__dhcp_config_free(c);
	return 0;
}
