/* Fuzz the decoder of the PostgreSQL store's row images (the `img` of a
 * change record: src/store/postgres.c, "row images"). The first byte picks
 * the row kind, the rest is the image. Whatever the bytes, the decoder
 * either says the image is damaged or hands out a row of that kind whose
 * strings end inside its scratch buffer and whose key passes the store's
 * checks; it never reads past the image (the input is copied to a buffer
 * of its exact size). */
#include "store/pg_image.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 1000000)
		return 0;
	unsigned kind = data[0] % (IPAM_STORE_KIND_MAX + 2);
	size_t len = size - 1;
	char *img = malloc(len ? len : 1);
	if (!img)
		return 0;
	if (len)
		memcpy(img, data + 1, len);
	char *scratch = NULL;
	size_t cap = 0;
	ipam_store_row row;
	int rc = ipam__pg_image_decode(kind, len ? img : NULL, len, &row, &scratch, &cap);
	if (rc == 0) {
		if (row.kind != kind || kind == IPAM_STORE_PREFIX || ipam__store_check_key(&row) != 0)
			abort();
		const char *s[3] = { row.name, row.description, row.attrs };
		for (int i = 0; i < 3; i++)
			if (s[i] && (s[i] < scratch || s[i] + strlen(s[i]) >= scratch + cap))
				abort();
	} else if (rc != 1 && rc != IPAM_ENOMEM) {
		abort();
	}
	free(scratch);
	free(img);
	return 0;
}
