/* The row images of the PostgreSQL store's change feed (src/store/postgres.c,
 * "row images"): internal, and exposed for the decoder's fuzz target
 * (fuzz/store_pg_image_fuzzer.c). */
#ifndef IPAM_STORE_PG_IMAGE_H
#define IPAM_STORE_PG_IMAGE_H

#include "store/store.h"

#include <stddef.h>

/* Read the image `img` (len bytes, not NUL-terminated) of a row of `kind`
 * into `row` (zeroed by the call; kind set). The strings of the row point
 * into *scratch, which the call allocates (or reuses: *cap its size) and
 * the caller frees. 0; 1 when the image is damaged or is not one of a row
 * of `kind` (a prefix has none); IPAM_ENOMEM. */
int ipam__pg_image_decode(unsigned kind, const char *img, size_t len, ipam_store_row *row, char **scratch,
                          size_t *cap);

#endif
