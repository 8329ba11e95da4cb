/* Fuzz the decoder of the SQLCipher store's packed change feed (one
 * `feed` row: src/store/sqlcipher.c, "the packed change feed"). Whatever
 * the bytes, it hands out only changes it could read in full, with a known
 * op and kind, names that end inside the row and v4/v6 keys, or says the
 * row is damaged; it never reads past the row. */
#include "store/sqlcipher_feed.h"

#include <stdlib.h>
#include <string.h>

static int seen(void *ctx, const ipam_store_change *c)
{
	size_t *n = ctx;
	if (c->op != IPAM_STORE_PUT && c->op != IPAM_STORE_DEL)
		abort();
	if (c->key.kind < 1 || c->key.kind > IPAM_STORE_KIND_MAX)
		abort();
	if (c->key.name)
		*n += strlen(c->key.name);
	if (c->key.kind >= IPAM_STORE_PREFIX && c->key.kind <= IPAM_STORE_ADDRESS &&
	    c->key.addr.family != IPAM_AF_INET && c->key.addr.family != IPAM_AF_INET6)
		abort();
	(*n)++;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 1000000)
		return 0;
	/* a copy of exactly `size` bytes, so that a read past the row is caught */
	uint8_t *row = malloc(size ? size : 1);
	if (!row)
		return 0;
	if (size)
		memcpy(row, data, size);
	size_t n = 0;
	int bad = 0;
	if (ipam__sqlcipher_feed_each(7, size ? row : NULL, size, seen, &n, &bad) != 0)
		abort();
	free(row);
	return 0;
}
