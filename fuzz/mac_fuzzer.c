/* Fuzz ipam_mac_parse: a parsed MAC formats, re-parses to itself and its
 * canonical text formats to itself. ipam_mac_parse has no _n variant, so
 * the input is parsed as a NUL-terminated copy (up to its first NUL). */
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
	char *cstr = malloc(size + 1);
	if (!cstr)
		abort();
	memcpy(cstr, data, size);
	cstr[size] = '\0';

	ipam_mac m;
	int r = ipam_mac_parse(&m, cstr);
	if (r != 0) {
		FUZZ_CHECK(r == IPAM_EINVAL);
		FUZZ_CHECK(ipam_error_last()->code == IPAM_EINVAL);
		FUZZ_CHECK(strlen(ipam_error_last()->message) > 0);
	} else {
		FUZZ_CHECK(m.len == 6 || m.len == 8);
		for (unsigned i = m.len; i < 8; i++)
			FUZZ_CHECK(m.bytes[i] == 0);
		char buf[IPAM_MAC_STRLEN], buf2[IPAM_MAC_STRLEN];
		int n = ipam_mac_format(buf, sizeof buf, &m);
		FUZZ_CHECK(n == 3 * m.len - 1 && (size_t)n == strlen(buf));
		ipam_mac m2;
		FUZZ_CHECK(ipam_mac_parse(&m2, buf) == 0);
		FUZZ_CHECK(memcmp(&m, &m2, sizeof m) == 0);
		FUZZ_CHECK(ipam_mac_format(buf2, sizeof buf2, &m2) == n);
		FUZZ_CHECK(strcmp(buf, buf2) == 0);
		FUZZ_CHECK(ipam_mac_format(buf2, (size_t)n, &m) == IPAM_EINVAL);
	}
	free(cstr);
	return 0;
}
