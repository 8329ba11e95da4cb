/* Fuzz the readers of Azure Resource Manager and Google Compute listings
 * (src/discover/cloud_json.c): the first byte picks the listing (mod 5),
 * the rest is the answer. Any JSON is read or refused with IPAM_EINVAL;
 * what is read lands in a valid space of the provider. */
#include "discover_fuzz.h"

#include <cjson/cJSON.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	int kind = data[0] % 5;
	char *text = malloc(size);
	FUZZ_CHECK(text);
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	cJSON *doc = cJSON_ParseWithOpts(text, NULL, 0);
	free(text);
	ipam__disc_cloud c = { 0 };
	FUZZ_CHECK(ipam_obs_set_new(&c.out) == 0);
	c.provider = kind < 2 ? "azure" : "gcp";
	c.account = kind < 2 ? "0f1e2d3c-aaaa-bbbb-cccc-000000000001" : "proj-1";
	int rc = ipam__disc_cloud_parse(&c, kind, doc, "fuzz");
	FUZZ_CHECK(rc == 0 || rc == IPAM_EINVAL || rc == IPAM_ENOMEM);
	for (size_t i = 0; i < ipam_obs_set_count(c.out); i++) {
		ipam_observation o;
		FUZZ_CHECK(ipam_obs_set_get(&o, c.out, i) == 0);
		FUZZ_CHECK(strncmp(o.space, c.provider, strlen(c.provider)) == 0 && strlen(o.space) <= 63);
	}
	for (size_t i = 0; i < c.spaces.n; i++)
		FUZZ_CHECK(ipam__disc_space_name_ok(c.spaces.v[i].name));
	ipam__disc_spaces_dispose(&c.spaces);
	free(c.next);
	ipam_obs_set_free(c.out);
	cJSON_Delete(doc);
	return 0;
}
