/* Response policy zones (draft-vixie-dnsop-dns-rpz): QNAME triggers are the
 * name below the policy zone's origin; IP triggers are
 * "LEN.reversed-address.rpz-ip" (answer addresses) or ".rpz-client-ip"
 * (client addresses), IPv6 as reversed 16-bit words in hex with the longest
 * run of zero words written "zz". Actions are CNAME targets (".", "*.",
 * "rpz-passthru.", "rpz-drop.") or local data. */
#include "dns/dns.h"

#include <stdio.h>
#include <stdlib.h>

int ipam__dns_rpz_ip_owner(char *out, size_t size, const ipam_prefix *p, int trigger)
{
	const char *suffix = trigger == IPAM__RPZ_CLIENT_IP ? "rpz-client-ip" : "rpz-ip";
	if (!p || (trigger != IPAM__RPZ_CLIENT_IP && trigger != IPAM__RPZ_RESPONSE_IP))
		return ipam__error(IPAM_EINVAL, "RPZ: not an IP trigger");
	size_t k = 0;
	int n;
	if (p->addr.family == IPAM_AF_INET) {
		if (p->len > 32)
			return ipam__error(IPAM_EINVAL, "RPZ: IPv4 prefix length %u", p->len);
		n = snprintf(out, size, "%u.%u.%u.%u.%u.%s", p->len, p->addr.bytes[3], p->addr.bytes[2], p->addr.bytes[1],
			     p->addr.bytes[0], suffix);
		return n < 0 || (size_t)n >= size ? ipam__error(IPAM_EINVAL, "RPZ: buffer too small") : 0;
	}
	if (p->addr.family != IPAM_AF_INET6 || p->len > 128)
		return ipam__error(IPAM_EINVAL, "RPZ: not an IPv4 or IPv6 prefix");
	unsigned w[8];
	for (int i = 0; i < 8; i++)
		w[i] = (unsigned)p->addr.bytes[2 * i] << 8 | p->addr.bytes[2 * i + 1];
	/* the longest run of two or more zero words (the first of equals) */
	int best = -1, blen = 0;
	for (int i = 0; i < 8;) {
		if (w[i]) {
			i++;
			continue;
		}
		int j = i;
		while (j < 8 && w[j] == 0)
			j++;
		if (j - i > blen && j - i >= 2) {
			best = i;
			blen = j - i;
		}
		i = j;
	}
	n = snprintf(out, size, "%u", p->len);
	if (n < 0 || (size_t)n >= size)
		return ipam__error(IPAM_EINVAL, "RPZ: buffer too small");
	k = (size_t)n;
	for (int i = 7; i >= 0; i--) {
		if (best >= 0 && i == best + blen - 1) {
			n = snprintf(out + k, size - k, ".zz");
			i = best;
		} else {
			n = snprintf(out + k, size - k, ".%x", w[i]);
		}
		if (n < 0 || (size_t)n >= size - k)
			return ipam__error(IPAM_EINVAL, "RPZ: buffer too small");
		k += (size_t)n;
	}
	n = snprintf(out + k, size - k, ".%s", suffix);
	return n < 0 || (size_t)n >= size - k ? ipam__error(IPAM_EINVAL, "RPZ: buffer too small") : 0;
}

int ipam__dns_rpz_build(ipam__dns_zone **out, const char *origin, const ipam__dns_rpz_policy *p, size_t n,
			uint32_t ttl)
{
	*out = NULL;
	ipam__dns_zone *z = NULL;
	int rc = ipam__dns_zone_new(&z, origin);
	if (rc)
		return rc;
	z->ttl = ttl;
	if ((rc = ipam__dns_zone_set_soa(z, "localhost.", "hostmaster.localhost.", 1, 3600, 600, 86400, ttl)) ||
	    (rc = ipam__dns_zone_add_ns(z, "localhost.")))
		goto out;
	for (size_t i = 0; !rc && i < n; i++) {
		char owner[1100], where[1300], line[2400];
		const ipam__dns_rpz_policy *q = &p[i];
		if (q->trigger == IPAM__RPZ_QNAME) {
			if (!q->name || !*q->name || strlen(q->name) > 1000) {
				rc = ipam__error(IPAM_EINVAL, "RPZ policy %zu: a QNAME trigger without a name", i);
				break;
			}
			size_t l = strlen(q->name);
			snprintf(owner, sizeof owner, "%.*s", (int)(q->name[l - 1] == '.' ? l - 1 : l), q->name);
		} else if ((rc = ipam__dns_rpz_ip_owner(owner, sizeof owner, &q->prefix, q->trigger))) {
			char m[600];
			snprintf(m, sizeof m, "%s", ipam_error_last()->message);
			rc = ipam__error(rc, "RPZ policy %zu: %s", i, m);
			break;
		}
		snprintf(where, sizeof where, "RPZ policy %zu (%s)", i, owner);
		static const char *const target[] = { [IPAM__RPZ_NXDOMAIN] = ".", [IPAM__RPZ_NODATA] = "*.",
						      [IPAM__RPZ_PASSTHRU] = "rpz-passthru.", [IPAM__RPZ_DROP] = "rpz-drop." };
		switch (q->action) {
		case IPAM__RPZ_NXDOMAIN:
		case IPAM__RPZ_NODATA:
		case IPAM__RPZ_PASSTHRU:
		case IPAM__RPZ_DROP:
			snprintf(line, sizeof line, "%s %u IN CNAME %s", owner, ttl, target[q->action]);
			rc = ipam__dns_zone_add(z, line, where);
			break;
		case IPAM__RPZ_LOCAL_DATA:
			if (q->ndata == 0) {
				rc = ipam__error(IPAM_EINVAL, "%s: local data without records", where);
				break;
			}
			for (size_t k = 0; !rc && k < q->ndata; k++) {
				if (!q->data[k] || strlen(q->data[k]) > 1200) {
					rc = ipam__error(IPAM_EINVAL, "%s: record %zu is missing or too long", where, k + 1);
					break;
				}
				snprintf(line, sizeof line, "%s %u IN %s", owner, ttl, q->data[k]);
				rc = ipam__dns_zone_add(z, line, where);
			}
			break;
		default:
			rc = ipam__error(IPAM_EINVAL, "%s: unknown action %d", where, q->action);
		}
	}
	if (!rc)
		rc = ipam__dns_zone_check(z);
out:
	if (rc) {
		ipam__dns_zone_free(z);
		return rc;
	}
	*out = z;
	return 0;
}
