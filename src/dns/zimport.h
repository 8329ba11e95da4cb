/* Zone files for the importers (src/io/import/bind.c): a master file read
 * record by record with every directive BIND knows ($ORIGIN, $TTL,
 * $INCLUDE, $GENERATE), a bad record reported at its file and line and
 * skipped, the rest delivered as text. Keeps ldns inside src/dns/. */
#ifndef IPAM_DNS_ZIMPORT_H
#define IPAM_DNS_ZIMPORT_H

#include "common.h"

/* One record: absolute owner (final dot), TTL in seconds, the type's
 * mnemonic and the rdata in presentation format with absolute names. */
typedef struct ipam__zimp_rr {
	const char *file;
	unsigned long line;
	const char *owner;
	uint32_t ttl;
	const char *type;
	const char *rdata;
} ipam__zimp_rr;

typedef struct ipam__zimp_cb {
	/* each record; a non-zero return ends the read with it */
	int (*rr)(void *ctx, const ipam__zimp_rr *rr);
	/* each bad record or directive (skipped); a non-zero return ends the read */
	int (*bad)(void *ctx, const char *file, unsigned long line, const char *text, const char *message);
	void *ctx;
} ipam__zimp_cb;

/* Read the zone file `data` named `file`. `origin` (absolute or not, may be
 * NULL) is the origin in effect at the start, as named.conf gives it.
 * $INCLUDE names a file relative to the including file's folder (at most
 * 8 deep); its $ORIGIN changes do not leak back. 0, what a callback
 * returned, or IPAM_ENOMEM. */
int ipam__dns_zimport(const char *file, const char *data, size_t len, const char *origin, const ipam__zimp_cb *cb);

#endif
