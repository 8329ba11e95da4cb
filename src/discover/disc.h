/* Discovery: the observation set, reconciliation, and the probes that fill
 * the set. Internal (hidden symbols, not installed); docs/discovery.md says
 * how the pieces fit.
 *
 * One library per probe, used here only: net-snmp in snmp.c (its
 * single-session API, never the global session list). Parsers of what
 * agents answer are separate from the I/O so that they can be fuzzed
 * (fuzz/discover_snmp_fuzzer.c). */
#ifndef IPAM_DISCOVER_DISC_H
#define IPAM_DISCOVER_DISC_H

#include "common.h"

#include "ipam/discover.h"

/* One observation as the set keeps it: strings are owned (name) or interned
 * in the set (space, source, device: few distinct values). */
typedef struct ipam__disc_obs {
	uint8_t kind;
	uint8_t has_mac;
	ipam_addr addr;
	ipam_prefix subnet;
	ipam_mac mac;
	const char *space, *source, *device; /* interned */
	char *name;
	int64_t first_seen, last_seen;
} ipam__disc_obs;

struct ipam_obs_set {
	ipam__disc_obs *v;
	size_t n, cap;
	uint32_t *slot; /* open addressing: index + 1, 0 empty */
	size_t nslot;   /* a power of two, > 2n */
	char **str;     /* interned strings */
	size_t nstr, cstr;
};

/* Print `doc` (taken, NULL: ENOMEM) into `out`, replacing what it held. */
struct cJSON;
int ipam__disc_json_out(ipam_buf *out, struct cJSON *doc);

/* The interned copy of `s` (NULL stays NULL). */
const char *ipam__disc_intern(ipam_obs_set *set, const char *s);

/* ---- SNMP answers (snmp_parse.c): pure, fuzzed ----------------------------
 * The index of an ipNetToPhysicalTable or ipAddressTable row after the
 * column's OID: ifIndex (ipNetToPhysical only), then InetAddressType and
 * an InetAddress of length-prefixed octets (RFC 4001: type 1 ipv4 with 4
 * octets, 2 ipv6 with 16; the z-types 3/4 carry 4 more zone octets).
 * `sub` are the sub-identifiers after the column, `n` their count. */
int ipam__disc_snmp_net_index(const unsigned long *sub, size_t n, int with_ifindex, long *ifindex, ipam_addr *out);
/* A MAC from an OCTET STRING (6 or 8 octets; others: IPAM_EINVAL). */
int ipam__disc_snmp_mac(const uint8_t *octets, size_t len, ipam_mac *out);

#endif
