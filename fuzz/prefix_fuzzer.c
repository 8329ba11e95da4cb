/* Fuzz ipam_prefix_parse / ipam_prefix_parse_n under every flag
 * combination: a parsed prefix formats and re-parses to itself, NORMALIZE
 * agrees with the strict parse where both succeed, and the derived values
 * (first, last, size, reverse zone) are consistent. */
#include "ipam.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_CHECK(cond)                                                                         \
	do {                                                                                     \
		if (!(cond)) {                                                                   \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
			abort();                                                                 \
		}                                                                                \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_prefix(const ipam_prefix *p)
{
	char buf[IPAM_PREFIX_STRLEN], buf2[IPAM_PREFIX_STRLEN];
	int n = ipam_prefix_format(buf, sizeof buf, p);
	FUZZ_CHECK(n > 0 && (size_t)n == strlen(buf));
	ipam_prefix q;
	FUZZ_CHECK(ipam_prefix_parse(&q, buf, IPAM_PARSE_DEFAULT) == 0);
	FUZZ_CHECK(memcmp(p, &q, sizeof q) == 0);
	FUZZ_CHECK(ipam_prefix_format(buf2, sizeof buf2, &q) == n);
	FUZZ_CHECK(strcmp(buf, buf2) == 0);
	FUZZ_CHECK(ipam_prefix_format(buf2, (size_t)n, p) == IPAM_EINVAL);

	ipam_addr first, last;
	ipam_prefix_first(&first, p);
	ipam_prefix_last(&last, p);
	FUZZ_CHECK(memcmp(&first, &p->addr, sizeof first) == 0);
	FUZZ_CHECK(ipam_prefix_contains(p, &first) == 1);
	FUZZ_CHECK(ipam_prefix_contains(p, &last) == 1);
	FUZZ_CHECK(ipam_prefix_covers(p, p) == 1);
	FUZZ_CHECK(ipam_prefix_cmp(p, &q) == 0);
	ipam_u128 diff, size = ipam_prefix_size(p);
	FUZZ_CHECK(ipam_addr_diff(&diff, &last, &first) == 0);
	/* size == diff + 1, except that 2^128 saturates */
	if (diff.hi == UINT64_MAX && diff.lo == UINT64_MAX)
		FUZZ_CHECK(size.hi == UINT64_MAX && size.lo == UINT64_MAX);
	else
		FUZZ_CHECK(size.lo == diff.lo + 1 && size.hi == diff.hi + (diff.lo == UINT64_MAX));
	ipam_addr out;
	if (ipam_addr_next(&out, &last) == 0)
		FUZZ_CHECK(ipam_prefix_contains(p, &out) == 0);
	if (ipam_addr_prev(&out, &first) == 0)
		FUZZ_CHECK(ipam_prefix_contains(p, &out) == 0);

	char rz[IPAM_REVERSE_STRLEN];
	FUZZ_CHECK(ipam_prefix_reverse_zone(rz, sizeof rz, p) > 0);
	ipam_prefix r;
	FUZZ_CHECK(ipam_prefix_from(&r, &p->addr, p->len, 0) == 0);
	FUZZ_CHECK(memcmp(p, &r, sizeof r) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *exact = malloc(size ? size : 1);
	char *cstr = malloc(size + 1);
	if (!exact || !cstr)
		abort();
	memcpy(exact, data, size);
	memcpy(cstr, data, size);
	cstr[size] = '\0';
	int has_nul = memchr(data, 0, size) != NULL;

	ipam_prefix res[4];
	int rc[4];
	for (unsigned flags = 0; flags < 4; flags++) {
		ipam_prefix p, q;
		int rn = ipam_prefix_parse_n(&p, exact, size, flags);
		int rs = ipam_prefix_parse(&q, cstr, flags);
		if (rn != 0) {
			FUZZ_CHECK(rn == IPAM_EINVAL);
			FUZZ_CHECK(ipam_error_last()->code == IPAM_EINVAL);
			FUZZ_CHECK(strlen(ipam_error_last()->message) > 0);
		}
		if (!has_nul) {
			FUZZ_CHECK(rn == rs);
			if (rn == 0)
				FUZZ_CHECK(memcmp(&p, &q, sizeof p) == 0);
		}
		rc[flags] = rn;
		if (rn == 0) {
			res[flags] = p;
			check_prefix(&p);
		}
	}
	/* the flags only ever widen what is accepted, and agree where both parse */
	for (unsigned f = 0; f < 4; f++)
		for (unsigned g = 0; g < 4; g++)
			if ((f & g) == f && rc[f] == 0) {
				FUZZ_CHECK(rc[g] == 0);
				FUZZ_CHECK(memcmp(&res[f], &res[g], sizeof res[f]) == 0);
			}
	free(exact);
	free(cstr);
	return 0;
}
