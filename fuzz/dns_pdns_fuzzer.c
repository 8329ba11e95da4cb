/* Fuzz the readers of PowerDNS API replies: a zone from a GET reply
 * (ipam__dns_pdns_parse_zone) and the message of an error reply. A refusal
 * is IPAM_EBACKEND (or ENOMEM) with a message naming the reply; an accepted
 * zone is sorted, diffs to nothing with itself, and its records print. The
 * error message is printable ASCII within the buffer. */
#include "dns_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 200000)
		return 0;
	char msg[80];
	ipam__dns_pdns_error_message(msg, sizeof msg, (const char *)data, size);
	size_t ml = strnlen(msg, sizeof msg);
	FUZZ_CHECK(ml < sizeof msg);
	for (size_t i = 0; i < ml; i++)
		FUZZ_CHECK(msg[i] >= 0x20 && msg[i] < 0x7f);

	ipam__dns_zone *z = NULL;
	int rc = ipam__dns_pdns_parse_zone(&z, (const char *)data, size, "fuzz-reply");
	if (rc) {
		FUZZ_CHECK(z == NULL);
		FUZZ_CHECK(rc == IPAM_ENOMEM || rc == IPAM_EBACKEND);
		FUZZ_CHECK(rc == IPAM_ENOMEM || strncmp(ipam_error_last()->message, "fuzz-reply: ", 12) == 0);
		return 0;
	}
	FUZZ_CHECK(z->sorted);
	ipam__dns_diff d;
	FUZZ_CHECK(ipam__dns_diff_make(&d, z, z) == 0);
	FUZZ_CHECK(d.n == 0);
	ipam__dns_diff_dispose(&d);
	ipam_buf t = IPAM_BUF_INIT;
	for (size_t i = 0; i < z->n; i++)
		FUZZ_CHECK(ipam__dns_rr_put(&t, z->rr[i], NULL) == 0);
	ipam_buf_dispose(&t);
	ipam__dns_zone_free(z);
	return 0;
}
