/* PTR queries to a resolver (src/dns/ptrq.c), for the reverse-DNS sweep
 * in src/discover: ldns stays in src/dns, and this header names none of it. */
#ifndef IPAM_DNS_PTRQ_H
#define IPAM_DNS_PTRQ_H

#include "ipam/addr.h"

#include <stdint.h>

/* ---- PTR queries (src/dns/ptrq.c: ldns stays in src/dns) ----------------------
 * A resolver for the reverse-DNS sweep: `server` (an address), port (0: 53),
 * timeout per query; UDP, recursion desired, two tries. The PTR target of
 * `a` with its final dot (free() it; NULL: no name, NXDOMAIN or NODATA), or
 * IPAM_EIO when nobody answered. */
typedef struct ipam__dns_ptrq ipam__dns_ptrq;
int ipam__dns_ptrq_new(ipam__dns_ptrq **out, const char *server, uint16_t port, unsigned timeout_ms, const char *what);
int ipam__dns_ptr_query(ipam__dns_ptrq *q, const ipam_addr *a, char **name);
void ipam__dns_ptrq_free(ipam__dns_ptrq *q);

#endif
