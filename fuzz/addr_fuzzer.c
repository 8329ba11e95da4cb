/* Fuzz ipam_addr_parse / ipam_addr_parse_n: both entry points agree, and a
 * parsed address formats, re-parses to itself and is already canonical. */
#include "ipam.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_CHECK(cond)                                                                         \
	do {                                                                                     \
		if (!(cond)) {                                                                   \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
			abort();                                                                 \
		}                                                                                \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Exact-size copy for _n (no NUL, so ASan sees any over-read) and a
	 * NUL-terminated one for the plain call. */
	char *exact = malloc(size ? size : 1);
	char *cstr = malloc(size + 1);
	if (!exact || !cstr)
		abort();
	memcpy(exact, data, size);
	memcpy(cstr, data, size);
	cstr[size] = '\0';

	ipam_addr a, b;
	int rn = ipam_addr_parse_n(&a, exact, size);
	if (rn != 0) {
		FUZZ_CHECK(rn == IPAM_EINVAL);
		FUZZ_CHECK(ipam_error_last()->code == IPAM_EINVAL);
		FUZZ_CHECK(strlen(ipam_error_last()->message) > 0);
	}
	int rs = ipam_addr_parse(&b, cstr);
	if (!memchr(data, 0, size)) {
		FUZZ_CHECK(rn == rs);
		if (rn == 0)
			FUZZ_CHECK(memcmp(&a, &b, sizeof a) == 0);
	}

	if (rn == 0) {
		FUZZ_CHECK(a.family == IPAM_AF_INET || a.family == IPAM_AF_INET6);
		char buf[IPAM_ADDR_STRLEN], buf2[IPAM_ADDR_STRLEN];
		int n = ipam_addr_format(buf, sizeof buf, &a);
		FUZZ_CHECK(n > 0 && (size_t)n == strlen(buf));
		ipam_addr c;
		FUZZ_CHECK(ipam_addr_parse(&c, buf) == 0);
		FUZZ_CHECK(memcmp(&a, &c, sizeof a) == 0);
		/* canonical text formats to itself */
		FUZZ_CHECK(ipam_addr_format(buf2, sizeof buf2, &c) == n);
		FUZZ_CHECK(strcmp(buf, buf2) == 0);
		/* a buffer one byte short fails without writing past it */
		FUZZ_CHECK(ipam_addr_format(buf2, (size_t)n, &a) == IPAM_EINVAL);

		char rev[IPAM_REVERSE_STRLEN];
		FUZZ_CHECK(ipam_addr_reverse_name(rev, sizeof rev, &a) > 0);

		ipam_addr d;
		if (ipam_addr_next(&d, &a) == 0) {
			FUZZ_CHECK(ipam_addr_cmp(&d, &a) > 0);
			FUZZ_CHECK(ipam_addr_prev(&c, &d) == 0);
			FUZZ_CHECK(ipam_addr_cmp(&c, &a) == 0);
		}
	}
	free(exact);
	free(cstr);
	return 0;
}
