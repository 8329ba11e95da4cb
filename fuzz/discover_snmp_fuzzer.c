/* Fuzz what SNMP agents answer (src/discover/snmp_walk.c): the input is a
 * sequence of varbinds as the probe hands them over, each encoded as
 *   column (1 byte, mod 5), index count n (1 byte, <= 40), n sub-identifiers
 *   (1 byte each, 0xff meaning 2^32-1), value kind (1 byte: even OCTET
 *   STRING, odd INTEGER), length (1 byte) and that many octets / 4 octets.
 * Every row either lands or is refused with IPAM_EINVAL and a message
 * naming the column; the observations made of what landed are valid. */
#include "discover_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ipam__snmp_walk w = { 0 };
	size_t i = 0;
	while (i + 2 <= size) {
		int col = data[i] % IPAM__SNMP_NCOLS;
		size_t n = data[i + 1] % 41;
		i += 2;
		if (i + n + 2 > size)
			break;
		unsigned long sub[40];
		for (size_t k = 0; k < n; k++)
			sub[k] = data[i + k] == 0xff ? 0xfffffffful : data[i + k];
		i += n;
		int octet_kind = (data[i] & 1) == 0;
		size_t len = data[i + 1];
		i += 2;
		if (len > size - i)
			len = size - i;
		long integer = 0;
		for (size_t k = 0; k < len && k < 4; k++)
			integer = integer * 256 + data[i + k];
		int rc = ipam__disc_snmp_take(&w, col, sub, n, octet_kind ? data + i : NULL, octet_kind ? len : 0,
					      integer);
		i += len;
		if (rc) {
			FUZZ_CHECK(rc == IPAM_EINVAL || rc == IPAM_ENOMEM);
			FUZZ_CHECK(strstr(ipam_error_last()->message, "SNMP ") != NULL);
		}
	}
	ipam_obs_set *set;
	FUZZ_CHECK(ipam_obs_set_new(&set) == 0);
	FUZZ_CHECK(ipam__disc_snmp_emit(&w, set, "192.0.2.1:161", NULL, 1) == 0);
	for (size_t k = 0; k < ipam_obs_set_count(set); k++) {
		ipam_observation o;
		char t[IPAM_ADDR_STRLEN];
		FUZZ_CHECK(ipam_obs_set_get(&o, set, k) == 0);
		FUZZ_CHECK(ipam_addr_format(t, sizeof t, &o.addr) > 0);
		FUZZ_CHECK(!o.has_mac || o.mac.len == 6 || o.mac.len == 8);
		FUZZ_CHECK(o.device && strncmp(o.device, "192.0.2.1:161 ", 14) == 0);
	}
	ipam_obs_set_free(set);
	ipam__disc_snmp_walk_free(&w);
	return 0;
}
