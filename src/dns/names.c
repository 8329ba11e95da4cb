/* Names: reverse zones of prefixes (in-addr.arpa with RFC 2317, nibble
 * ip6.arpa), where a PTR goes, which zone holds a name, and SOA serials. */
#include "dns/dns.h"

#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <time.h>

void ipam__dns_strv_free(char **v)
{
	if (!v)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

/* Labels of the first `units` octets (v4) or nibbles (v6) of a, reversed,
 * then the arpa suffix. */
static int rev_name(char *out, size_t size, const uint8_t *bytes, int family, unsigned units, const char *first)
{
	size_t k = 0;
	int n;
	if (first) {
		n = snprintf(out, size, "%s.", first);
		if (n < 0 || (size_t)n >= size)
			return IPAM_EINVAL;
		k = (size_t)n;
	}
	for (unsigned i = units; i-- > 0;) {
		if (family == IPAM_AF_INET)
			n = snprintf(out + k, size - k, "%u.", bytes[i]);
		else
			n = snprintf(out + k, size - k, "%x.", (i & 1) ? (bytes[i / 2] & 15u) : (bytes[i / 2] >> 4));
		if (n < 0 || (size_t)n >= size - k)
			return IPAM_EINVAL;
		k += (size_t)n;
	}
	n = snprintf(out + k, size - k, "%s", family == IPAM_AF_INET ? "in-addr.arpa." : "ip6.arpa.");
	return n < 0 || (size_t)n >= size - k ? IPAM_EINVAL : 0;
}

static int check_prefix(const ipam_prefix *p)
{
	if (!p || (p->addr.family != IPAM_AF_INET && p->addr.family != IPAM_AF_INET6))
		return ipam__error(IPAM_EINVAL, "reverse zones: not an IPv4 or IPv6 prefix");
	if (p->len > (p->addr.family == IPAM_AF_INET ? 32 : 128))
		return ipam__error(IPAM_EINVAL, "reverse zones: prefix length %u", p->len);
	return 0;
}

/* The RFC 2317 first label of an IPv4 prefix longer than /24. */
static void classless_label(char out[16], const ipam_prefix *p, int style)
{
	unsigned first = p->addr.bytes[3], size = 1u << (32 - p->len);
	if (style == IPAM__DNS_2317_DASH)
		snprintf(out, 16, "%u-%u", first, first + size - 1);
	else
		snprintf(out, 16, "%u/%u", first, p->len);
}

int ipam__dns_reverse_zones(char ***out, size_t *n, const ipam_prefix *p, int style)
{
	*out = NULL;
	*n = 0;
	int rc = check_prefix(p);
	if (rc)
		return rc;
	bool v4 = p->addr.family == IPAM_AF_INET;
	unsigned unit = v4 ? 8 : 4;
	size_t count = 1;
	unsigned units;
	char first[16] = { 0 };
	if (v4 && p->len > 24) {
		units = 3;
		classless_label(first, p, style);
	} else {
		units = (p->len + unit - 1) / unit;
		count = (size_t)1 << (units * unit - p->len);
	}
	char **v = calloc(count + 1, sizeof *v);
	if (!v)
		return ipam__enomem();
	uint8_t bytes[16];
	memcpy(bytes, p->addr.bytes, 16);
	for (size_t i = 0; i < count; i++) {
		/* the i-th sub-block at the boundary: add i to the unit just
		 * below the prefix's bits */
		if (i) {
			unsigned bit = units * unit; /* bits of the zone */
			/* increment the address at bit position `bit` (from the left) */
			for (int b = (int)bit - 1; b >= 0; b--) {
				unsigned byte = (unsigned)b / 8, sh = 7 - (unsigned)b % 8;
				bytes[byte] ^= (uint8_t)(1u << sh);
				if (bytes[byte] & (1u << sh))
					break;
			}
		}
		char name[128];
		if (rev_name(name, sizeof name, bytes, p->addr.family, units, first[0] ? first : NULL) ||
		    !(v[i] = ipam__strdup(name))) {
			ipam__dns_strv_free(v);
			return ipam__enomem();
		}
	}
	*out = v;
	*n = count;
	return 0;
}

int ipam__dns_rfc2317_parent(ipam__dns_zone *parent, const ipam_prefix *p, int style, const char *const *ns,
			     size_t nns, uint32_t ttl)
{
	int rc = check_prefix(p);
	if (rc)
		return rc;
	if (p->addr.family != IPAM_AF_INET || p->len <= 24)
		return ipam__error(IPAM_EINVAL, "RFC 2317: needs an IPv4 prefix longer than /24");
	if (nns == 0)
		return ipam__error(IPAM_EINVAL, "RFC 2317: the child zone needs at least one NS");
	char label[16], parent_name[64], child[96], line[1200];
	classless_label(label, p, style);
	rev_name(parent_name, sizeof parent_name, p->addr.bytes, IPAM_AF_INET, 3, NULL);
	ldns_rdf *want = ldns_dname_new_frm_str(parent_name);
	bool same = want && ldns_dname_compare(want, parent->origin) == 0;
	ldns_rdf_deep_free(want);
	if (!same) {
		ipam_buf b = IPAM_BUF_INIT;
		ipam__dns_name_put(&b, parent->origin);
		rc = ipam__error(IPAM_EINVAL, "RFC 2317: zone %s is not the parent of the classless zone %s.%s",
				 b.ptr ? b.ptr : "?", label, parent_name);
		ipam_buf_dispose(&b);
		return rc;
	}
	snprintf(child, sizeof child, "%s.%s", label, parent_name);
	for (size_t i = 0; i < nns; i++) {
		if (!ns[i] || strlen(ns[i]) > 1000)
			return ipam__error(IPAM_EINVAL, "RFC 2317: NS %zu is missing or too long", i + 1);
		snprintf(line, sizeof line, "%s %u IN NS %s", child, ttl, ns[i]);
		if ((rc = ipam__dns_zone_add(parent, line, "RFC 2317 delegation")))
			return rc;
	}
	unsigned firstaddr = p->addr.bytes[3], size = 1u << (32 - p->len);
	for (unsigned a = firstaddr; a < firstaddr + size; a++) {
		snprintf(line, sizeof line, "%u.%s %u IN CNAME %u.%s", a, parent_name, ttl, a, child);
		if ((rc = ipam__dns_zone_add(parent, line, "RFC 2317 CNAME")))
			return rc;
	}
	return 0;
}

/* ---- which zone holds a name ------------------------------------------------------- */

/* Length of s without its final dot. */
static size_t bare_len(const char *s)
{
	size_t n = strlen(s);
	return n && s[n - 1] == '.' ? n - 1 : n;
}

int ipam__dns_zone_match(const char *name, const char *const *zones, size_t n)
{
	if (!name)
		return ipam__error(IPAM_EINVAL, "zone match: no name");
	size_t nl = bare_len(name);
	int best = -1;
	size_t best_len = 0;
	for (size_t i = 0; i < n && i < INT32_MAX; i++) {
		if (!zones[i])
			continue;
		size_t zl = bare_len(zones[i]);
		bool hit;
		if (zl == 0)
			hit = true; /* the root holds everything */
		else if (zl == nl)
			hit = strncasecmp(name, zones[i], nl) == 0;
		else
			hit = zl < nl && name[nl - zl - 1] == '.' && strncasecmp(name + nl - zl, zones[i], zl) == 0;
		if (hit && (best < 0 || zl > best_len)) {
			best = (int)i;
			best_len = zl;
		}
	}
	if (best < 0)
		return ipam__error(IPAM_ENOTFOUND, "no zone holds %.*s", (int)nl, name);
	return best;
}

/* The range an RFC 2317 first label covers ("0/26", "0-63"), or false. */
static bool classless_range(const char *label, size_t len, unsigned *lo, unsigned *hi)
{
	char t[16];
	if (len == 0 || len >= sizeof t)
		return false;
	memcpy(t, label, len);
	t[len] = '\0';
	unsigned a, b;
	char sep, extra;
	if (sscanf(t, "%u%c%u%c", &a, &sep, &b, &extra) != 3)
		return false;
	if (sep == '/' && b > 24 && b <= 32 && a < 256 && (a & ((1u << (32 - b)) - 1)) == 0) {
		*lo = a;
		*hi = a + (1u << (32 - b)) - 1;
		return true;
	}
	if (sep == '-' && a <= b && b < 256) {
		*lo = a;
		*hi = b;
		return true;
	}
	return false;
}

int ipam__dns_ptr_owner(char *out, size_t size, size_t *zone_index, const ipam_addr *a,
			const char *const *zones, size_t n)
{
	if (!a || (a->family != IPAM_AF_INET && a->family != IPAM_AF_INET6))
		return ipam__error(IPAM_EINVAL, "PTR owner: not an address");
	char std[128];
	rev_name(std, sizeof std, a->bytes, a->family, a->family == IPAM_AF_INET ? 4 : 32, NULL);
	if (a->family == IPAM_AF_INET) {
		char parent[64];
		rev_name(parent, sizeof parent, a->bytes, IPAM_AF_INET, 3, NULL);
		size_t pl = bare_len(parent);
		for (size_t i = 0; i < n; i++) {
			const char *z = zones[i];
			if (!z)
				continue;
			const char *dot = strchr(z, '.');
			unsigned lo, hi;
			if (!dot || bare_len(dot + 1) != pl || strncasecmp(dot + 1, parent, pl) != 0 ||
			    !classless_range(z, (size_t)(dot - z), &lo, &hi))
				continue;
			if (a->bytes[3] < lo || a->bytes[3] > hi)
				continue;
			int k = snprintf(out, size, "%u.%.*s.", a->bytes[3], (int)bare_len(z), z);
			if (k < 0 || (size_t)k >= size)
				return ipam__error(IPAM_EINVAL, "PTR owner: buffer too small");
			*zone_index = i;
			return 0;
		}
	}
	int m = ipam__dns_zone_match(std, zones, n);
	if (m < 0)
		return m;
	if (strlen(std) >= size)
		return ipam__error(IPAM_EINVAL, "PTR owner: buffer too small");
	memcpy(out, std, strlen(std) + 1);
	*zone_index = (size_t)m;
	return 0;
}

/* ---- serials -------------------------------------------------------------------------- */

int ipam__dns_serial_cmp(uint32_t a, uint32_t b)
{
	if (a == b)
		return 0;
	uint32_t d = b - a; /* modulo 2^32 */
	if (d == 0x80000000u)
		return 2;
	return d < 0x80000000u ? -1 : 1;
}

uint32_t ipam__dns_serial_next(uint32_t old, int policy, int64_t now)
{
	if (policy == IPAM__DNS_SERIAL_DATE) {
		time_t t = (time_t)now;
		struct tm tm;
		if (gmtime_r(&t, &tm)) {
			uint64_t day = (uint64_t)(tm.tm_year + 1900) * 10000u + (uint64_t)(tm.tm_mon + 1) * 100u + (uint64_t)tm.tm_mday;
			uint64_t cand = day * 100u;
			if (cand <= UINT32_MAX && ipam__dns_serial_cmp((uint32_t)cand, old) == 1)
				return (uint32_t)cand;
		}
	}
	return old + 1u; /* wraps modulo 2^32, which RFC 1982 calls greater */
}
