/* Fuzz the RPZ policy reader (src/dns/rpzfile.c, ipam_rpz_render). Whatever
 * the input:
 * - refused: IPAM_EINVAL (or IPAM_ENOMEM), a message that starts with the
 *   file name, the output untouched;
 * - accepted: the zone it renders reads back and renders to the same bytes. */
#include "dns_fuzz.h"
#include "ipam/dns.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 65536)
		return 0;
	ipam_buf out = IPAM_BUF_INIT;
	int rc = ipam_rpz_render(&out, "rpz.fuzz.", (const char *)data, size, "fuzz.rpz", 60);
	if (rc) {
		FUZZ_CHECK(rc == IPAM_EINVAL || rc == IPAM_ENOMEM);
		FUZZ_CHECK(out.ptr == NULL);
		FUZZ_CHECK(rc == IPAM_ENOMEM || strncmp(ipam_error_last()->message, "fuzz.rpz", 8) == 0);
		return 0;
	}
	ipam__dns_zone *back = NULL;
	FUZZ_CHECK(ipam__dns_zone_parse(&back, out.ptr, out.size, NULL, "rendered.rpz") == 0);
	ipam_buf again = IPAM_BUF_INIT;
	FUZZ_CHECK(ipam__dns_render_zone(&again, back) == 0);
	FUZZ_CHECK(again.size == out.size && memcmp(again.ptr, out.ptr, out.size) == 0);
	ipam_buf_dispose(&again);
	ipam_buf_dispose(&out);
	ipam__dns_zone_free(back);
	return 0;
}
