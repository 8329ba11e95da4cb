/* What the DNS fuzz targets share: an invariant check that survives
 * -Db_ndebug (abort, not assert) and says the library's last error. */
#ifndef IPAM_FUZZ_DNS_FUZZ_H
#define IPAM_FUZZ_DNS_FUZZ_H

#include "dns/dns.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_CHECK(cond)                                                                         \
	do {                                                                                     \
		if (!(cond)) {                                                                   \
			fprintf(stderr, "%s:%d: check failed: %s (last error: %s)\n", __FILE__, __LINE__, \
			        #cond, ipam_error_last()->message);                              \
			abort();                                                                 \
		}                                                                                \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
