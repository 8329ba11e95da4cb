/* What the discovery fuzz targets share: the module's internal header and
 * an invariant check that survives -Db_ndebug (abort, not assert). */
#ifndef IPAM_FUZZ_DISCOVER_FUZZ_H
#define IPAM_FUZZ_DISCOVER_FUZZ_H

#include "discover/disc.h"

#include <stdio.h>
#include <stdlib.h>

#define FUZZ_CHECK(cond)                                                                         \
	do {                                                                                     \
		if (!(cond)) {                                                                   \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
			abort();                                                                 \
		}                                                                                \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
