/* What SNMP agents answer, turned into observations. No net-snmp here: the
 * probe (snmp.c) hands over each varbind's index and value, so the parsing
 * of agent-controlled data is a pure function that fuzz/discover_snmp_fuzzer.c
 * drives with arbitrary rows. */
#include "discover/disc.h"

#include <stdio.h>
#include <stdlib.h>

static const char *const col_names[IPAM__SNMP_NCOLS] = {
	"ipNetToPhysicalPhysAddress", "ipAddressIfIndex", "ifDescr", "ifPhysAddress", "ifName",
};

static int bad(int col, const unsigned long *sub, size_t n, const char *why)
{
	char idx[96];
	size_t u = 0;
	idx[0] = '\0';
	for (size_t i = 0; i < n && u < sizeof idx - 24; i++)
		u += (size_t)snprintf(idx + u, sizeof idx - u, ".%lu", sub[i]);
	if (n && u >= sizeof idx - 24)
		snprintf(idx + u, sizeof idx - u, "...");
	return ipam__error(IPAM_EINVAL, "SNMP %s%s: %s", col_names[col], idx, why);
}

/* An InetAddressType and a length-prefixed InetAddress (RFC 4001) from sub;
 * returns how many sub-identifiers it used, or 0 when malformed. */
static size_t inet_address(const unsigned long *sub, size_t n, ipam_addr *out)
{
	if (n < 2)
		return 0;
	unsigned long type = sub[0], len = sub[1];
	size_t want = type == 1 ? 4 : type == 2 ? 16 : type == 3 ? 8 : type == 4 ? 20 : 0;
	if (!want || len != want || n < 2 + len)
		return 0;
	memset(out, 0, sizeof *out);
	out->family = (type == 1 || type == 3) ? IPAM_AF_INET : IPAM_AF_INET6;
	size_t bytes = out->family == IPAM_AF_INET ? 4 : 16;
	for (size_t i = 0; i < len; i++) {
		if (sub[2 + i] > 255)
			return 0;
		if (i < bytes)
			out->bytes[i] = (uint8_t)sub[2 + i];
	}
	return 2 + len;
}

static ipam__snmp_if *iface(ipam__snmp_walk *w, long index)
{
	for (size_t i = w->nifs; i-- > 0;)
		if (w->ifs[i].index == index)
			return &w->ifs[i];
	if (w->nifs == w->cifs) {
		size_t c = w->cifs ? w->cifs * 2 : 16;
		ipam__snmp_if *v = realloc(w->ifs, c * sizeof *v);
		if (!v)
			return NULL;
		w->ifs = v;
		w->cifs = c;
	}
	ipam__snmp_if *f = &w->ifs[w->nifs++];
	memset(f, 0, sizeof *f);
	f->index = index;
	return f;
}

static int add_host(ipam__snmp_walk *w, long ifindex, const ipam_addr *a, const ipam_mac *mac)
{
	if (w->nhosts == w->chosts) {
		size_t c = w->chosts ? w->chosts * 2 : 32;
		ipam__snmp_host *v = realloc(w->hosts, c * sizeof *v);
		if (!v)
			return ipam__enomem();
		w->hosts = v;
		w->chosts = c;
	}
	ipam__snmp_host *h = &w->hosts[w->nhosts++];
	memset(h, 0, sizeof *h);
	h->ifindex = ifindex;
	h->addr = *a;
	if (mac)
		h->mac = *mac;
	return 0;
}

/* A display string: printable ASCII kept, anything else '?'. */
static void text(char *dst, size_t size, const uint8_t *s, size_t len)
{
	size_t i = 0;
	for (; i < len && i + 1 < size; i++)
		dst[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? (char)s[i] : '?';
	dst[i] = '\0';
}

int ipam__disc_snmp_take(ipam__snmp_walk *w, int col, const unsigned long *sub, size_t n, const uint8_t *octets,
			 size_t len, long integer)
{
	ipam_addr a;
	ipam_mac mac = { 0 };
	size_t used;
	if (col < 0 || col >= IPAM__SNMP_NCOLS)
		return ipam__error(IPAM_EINVAL, "SNMP: column %d unknown", col);
	switch (col) {
	case IPAM__SNMP_NET_PHYS:
		if (n < 1 || sub[0] > 0x7fffffff)
			return bad(col, sub, n, "no ifIndex");
		if (!(used = inet_address(sub + 1, n - 1, &a)) || 1 + used != n)
			return bad(col, sub, n, "not an InetAddressType and InetAddress index");
		if (!octets)
			return bad(col, sub, n, "value is not an OCTET STRING");
		if (len == 0)
			return 0; /* an incomplete entry: no MAC yet */
		if (len != 6 && len != 8)
			return bad(col, sub, n, "a physical address of neither 6 nor 8 octets");
		mac.len = (uint8_t)len;
		memcpy(mac.bytes, octets, len);
		return add_host(w, (long)sub[0], &a, &mac);
	case IPAM__SNMP_ADDR_IF:
		if (!(used = inet_address(sub, n, &a)) || used != n)
			return bad(col, sub, n, "not an InetAddressType and InetAddress index");
		if (octets)
			return bad(col, sub, n, "value is not an INTEGER");
		return add_host(w, integer, &a, NULL);
	default:
		break;
	}
	/* the interface columns: index is ifIndex alone */
	if (n != 1 || sub[0] > 0x7fffffff)
		return bad(col, sub, n, "index is not one ifIndex");
	if (!octets)
		return bad(col, sub, n, "value is not an OCTET STRING");
	ipam__snmp_if *f = iface(w, (long)sub[0]);
	if (!f)
		return ipam__enomem();
	if (col == IPAM__SNMP_IF_DESCR)
		text(f->descr, sizeof f->descr, octets, len);
	else if (col == IPAM__SNMP_IF_NAME)
		text(f->name, sizeof f->name, octets, len);
	else if (len == 6 || len == 8) { /* ifPhysAddress: empty for loopback and tunnels */
		f->mac.len = (uint8_t)len;
		memcpy(f->mac.bytes, octets, len);
	}
	return 0;
}

/* Loopback, link-local, multicast and unspecified addresses say nothing
 * about the network's records. */
static bool worth_keeping(const ipam_addr *a)
{
	const uint8_t *b = a->bytes;
	if (a->family == IPAM_AF_INET)
		return b[0] != 127 && b[0] != 0 && !(b[0] == 169 && b[1] == 254) && b[0] < 224;
	static const uint8_t zero[15] = { 0 };
	if (memcmp(b, zero, 15) == 0)
		return false; /* :: and ::1 */
	return !(b[0] == 0xfe && (b[1] & 0xc0) == 0x80) && b[0] != 0xff;
}

int ipam__disc_snmp_emit(const ipam__snmp_walk *w, ipam_obs_set *set, const char *host, const char *space,
			 int64_t now)
{
	for (size_t i = 0; i < w->nhosts; i++) {
		const ipam__snmp_host *h = &w->hosts[i];
		if (!worth_keeping(&h->addr))
			continue;
		const ipam__snmp_if *f = NULL;
		for (size_t k = 0; k < w->nifs && !f; k++)
			if (w->ifs[k].index == h->ifindex)
				f = &w->ifs[k];
		char dev[200];
		const char *ifn = f ? (f->name[0] ? f->name : f->descr) : "";
		if (*ifn)
			snprintf(dev, sizeof dev, "%s %s", host, ifn);
		else
			snprintf(dev, sizeof dev, "%s ifIndex %ld", host, h->ifindex);
		ipam_observation o = IPAM_OBSERVATION_INIT;
		o.space = space;
		o.addr = h->addr;
		if (h->mac.len) {
			o.has_mac = 1;
			o.mac = h->mac;
		} else if (f && f->mac.len) {
			o.has_mac = 1;
			o.mac = f->mac;
		}
		o.source = "snmp";
		o.device = dev;
		o.first_seen = o.last_seen = now;
		int rc = ipam_obs_set_add(set, &o);
		if (rc)
			return rc;
	}
	return 0;
}

void ipam__disc_snmp_walk_free(ipam__snmp_walk *w)
{
	free(w->ifs);
	free(w->hosts);
	memset(w, 0, sizeof *w);
}
