/* Fuzz what src/dns reads from servers on the wire. The first byte picks:
 *  0: an answer to an RFC 2136 update (ipam__dns_update_answer), id from
 *     the next two bytes;
 *  1: an AXFR stream: 2-byte big-endian lengths, each followed by one
 *     message, fed to the AXFR reader unsigned;
 *  2: the same with a TSIG key set (answers must verify).
 * Every refusal is an error code with a message naming the reader; an AXFR
 * that completes gives a zone that sorts and diffs to nothing with itself. */
#include "dns_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 200000)
		return 0;
	unsigned mode = data[0] % 3;
	data++;
	size--;
	if (mode == 0) {
		if (size < 2)
			return 0;
		uint16_t id = (uint16_t)(data[0] << 8 | data[1]);
		int rc = ipam__dns_update_answer(data + 2, size - 2, id, "fuzz-update");
		FUZZ_CHECK(rc <= 0);
		if (rc)
			FUZZ_CHECK(rc == IPAM_ENOMEM || strncmp(ipam_error_last()->message, "fuzz-update: ", 13) == 0);
		return 0;
	}
	ipam__dns_axfr_reader r;
	FUZZ_CHECK(ipam__dns_axfr_reader_init(&r, "example.com.", "fuzz-axfr") == 0);
	if (mode == 2) {
		r.tsig.name = "fuzz-key";
		r.tsig.algorithm = "hmac-sha256";
		r.tsig.secret = "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTI=";
	}
	int rc = 0;
	size_t at = 0;
	while (!rc && at + 2 <= size) {
		size_t n = (size_t)data[at] << 8 | data[at + 1];
		at += 2;
		if (n > size - at)
			n = size - at;
		rc = ipam__dns_axfr_reader_feed(&r, data + at, n);
		at += n;
		if (rc)
			FUZZ_CHECK(rc == IPAM_ENOMEM || strncmp(ipam_error_last()->message, "fuzz-axfr: ", 11) == 0);
	}
	if (!rc && r.done) {
		ipam__dns_diff d;
		FUZZ_CHECK(ipam__dns_diff_make(&d, r.zone, r.zone) == 0);
		FUZZ_CHECK(d.n == 0);
		ipam__dns_diff_dispose(&d);
		ipam_buf t = IPAM_BUF_INIT;
		/* a transferred zone renders unless it breaks a zone rule */
		if (ipam__dns_render_zone(&t, r.zone) != 0)
			FUZZ_CHECK(ipam_error_last()->code == IPAM_EINVAL || ipam_error_last()->code == IPAM_ENOMEM);
		ipam_buf_dispose(&t);
	}
	ipam__dns_axfr_reader_dispose(&r);
	return 0;
}
