/* Fuzz the zone file reader (src/dns/zonefile.c). Whatever the input:
 * - a refused text gets IPAM_EINVAL (or IPAM_ENOMEM) and a message that
 *   starts with the file name, and no zone;
 * - an accepted one renders, its rendering reads back, and renders to the
 *   same bytes (the renderer and the reader agree on every record ldns
 *   lets through). */
#include "dns_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 65536)
		return 0;
	ipam__dns_zone *z = NULL;
	int rc = ipam__dns_zone_parse(&z, (const char *)data, size, NULL, "fuzz.zone");
	if (rc) {
		FUZZ_CHECK(rc == IPAM_EINVAL || rc == IPAM_ENOMEM);
		FUZZ_CHECK(z == NULL);
		FUZZ_CHECK(rc == IPAM_ENOMEM || strncmp(ipam_error_last()->message, "fuzz.zone", 9) == 0);
		return 0;
	}
	ipam_buf a = IPAM_BUF_INIT, b = IPAM_BUF_INIT;
	FUZZ_CHECK(ipam__dns_render_zone(&a, z) == 0);
	ipam__dns_zone *back = NULL;
	FUZZ_CHECK(ipam__dns_zone_parse(&back, a.ptr, a.size, NULL, "rendered.zone") == 0);
	FUZZ_CHECK(ipam__dns_render_zone(&b, back) == 0);
	FUZZ_CHECK(a.size == b.size && memcmp(a.ptr, b.ptr, a.size) == 0);
	/* and the zone diffs to nothing against its reading */
	ipam__dns_diff d;
	FUZZ_CHECK(ipam__dns_diff_make(&d, z, back) == 0);
	FUZZ_CHECK(d.n == 0);
	ipam__dns_diff_dispose(&d);
	ipam_buf_dispose(&a);
	ipam_buf_dispose(&b);
	ipam__dns_zone_free(back);
	ipam__dns_zone_free(z);
	return 0;
}
