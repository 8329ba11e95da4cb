/* The packed change feed of the SQLCipher store (src/store/sqlcipher.c):
 * the decoder of one `feed` row, internal, and exposed for its fuzz target
 * (fuzz/store_feed_fuzzer.c). The layout is described in sqlcipher.c. */
#ifndef IPAM_STORE_SQLCIPHER_FEED_H
#define IPAM_STORE_SQLCIPHER_FEED_H

#include "store/store.h"

/* Hand every change packed in the row `p` (len bytes) of revision
 * `revision` to cb, oldest first: 0 or the callback's return. A damaged
 * row (cut short, an unknown format, op, kind or family, a name without
 * its end) sets *bad and returns 0, after the changes before the damage.
 * Names handed out point into `p`. */
int ipam__sqlcipher_feed_each(uint64_t revision, const uint8_t *p, size_t len, ipam_store_change_cb cb, void *ctx,
                              int *bad);

#endif
