/* Fuzz ipam_obs_set_add_json (the observations' JSON, as saved by
 * ipam_obs_set_json and kept in the store): any text is read or refused
 * with IPAM_EINVAL; what is read writes out as JSON that reads back to the
 * same set. */
#include "discover_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ipam_obs_set *s, *t;
	FUZZ_CHECK(ipam_obs_set_new(&s) == 0 && ipam_obs_set_new(&t) == 0);
	int rc = ipam_obs_set_add_json(s, (const char *)data, size, "fuzz");
	FUZZ_CHECK(rc == 0 || rc == IPAM_EINVAL || rc == IPAM_ENOMEM);
	if (rc == 0) {
		ipam_buf a = IPAM_BUF_INIT, b = IPAM_BUF_INIT;
		FUZZ_CHECK(ipam_obs_set_json(&a, s) == 0);
		FUZZ_CHECK(ipam_obs_set_add_json(t, a.ptr, a.size, "again") == 0);
		FUZZ_CHECK(ipam_obs_set_json(&b, t) == 0);
		FUZZ_CHECK(strcmp(a.ptr, b.ptr) == 0);
		ipam_buf_dispose(&a);
		ipam_buf_dispose(&b);
	}
	ipam_obs_set_free(s);
	ipam_obs_set_free(t);
	return 0;
}
