#include "disc_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int line_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

const char *disc_lines(const ipam_obs_set *s, int64_t now)
{
	static char out[8192];
	char *v[256];
	size_t n = ipam_obs_set_count(s);
	ck_assert_uint_le(n, 256);
	for (size_t i = 0; i < n; i++) {
		ipam_observation o;
		char a[IPAM_PREFIX_STRLEN], m[IPAM_MAC_STRLEN] = "-";
		ck_assert_int_eq(ipam_obs_set_get(&o, s, i), 0);
		ck_assert_int_eq(o.last_seen, now);
		if (o.kind == IPAM_OBS_SUBNET)
			ipam_prefix_format(a, sizeof a, &o.subnet);
		else
			ipam_addr_format(a, sizeof a, &o.addr);
		if (o.has_mac)
			ipam_mac_format(m, sizeof m, &o.mac);
		v[i] = malloc(256);
		ck_assert_ptr_nonnull(v[i]);
		snprintf(v[i], 256, "%s %s %s %s %s", o.source, o.space, a, m, o.device ? o.device : "-");
	}
	qsort(v, n, sizeof *v, line_cmp);
	size_t u = 0;
	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		u += (size_t)snprintf(out + u, sizeof out - u, "%s\n", v[i]);
		free(v[i]);
	}
	return out;
}

int disc_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
