/* Private to the zone files (zone.c, keys.c, rules.c): the canonical sort
 * keys of a zone's records, and the zone's name for messages. */
#ifndef IPAM_DNS_KEYS_H
#define IPAM_DNS_KEYS_H

#include "dns/dns.h"

typedef struct zkey {
	uint8_t *p;
	uint32_t len;
	uint32_t namelen; /* name part incl. its end marker */
} zkey;

typedef struct zkeys {
	zkey *k;
	uint8_t *bytes;
} zkeys;

/* memcmp order of two keys (shorter first on a common prefix). */
int ipam__dns_key_cmp(const zkey *a, const zkey *b);
/* Drop a zone's keys; it is no longer sorted. */
void ipam__dns_keys_free(ipam__dns_zone *z);
/* "zone example.com." (or the file the zone came from), for messages. */
const char *ipam__dns_zone_where(const ipam__dns_zone *z, char *buf, size_t size);

#endif
