/* Fuzz the reader of EC2 Query API answers (src/discover/ec2_xml.c): any
 * text is read or refused with IPAM_EINVAL and a message naming the line;
 * what it makes of a page is valid (observations in "aws/..." spaces, each
 * space noted once). */
#include "discover_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ipam__ec2_page pg = { 0 };
	FUZZ_CHECK(ipam_obs_set_new(&pg.out) == 0);
	pg.region = "eu-west-1";
	pg.now = 1;
	int rc = ipam__disc_ec2_parse(&pg, (const char *)data, size, "fuzz");
	if (rc) {
		FUZZ_CHECK(rc == IPAM_EINVAL || rc == IPAM_ENOMEM);
		FUZZ_CHECK(rc == IPAM_ENOMEM || strstr(ipam_error_last()->message, "fuzz: line ") != NULL);
	}
	for (size_t i = 0; i < ipam_obs_set_count(pg.out); i++) {
		ipam_observation o;
		FUZZ_CHECK(ipam_obs_set_get(&o, pg.out, i) == 0);
		FUZZ_CHECK(strncmp(o.space, "aws/", 4) == 0 && strlen(o.space) <= 63);
		FUZZ_CHECK(strcmp(o.source, "aws") == 0);
	}
	for (size_t i = 0; i < pg.spaces.n; i++)
		for (size_t k = i + 1; k < pg.spaces.n; k++)
			FUZZ_CHECK(strcmp(pg.spaces.v[i].name, pg.spaces.v[k].name) != 0);
	FUZZ_CHECK(strlen(pg.error_code) < sizeof pg.error_code);
	ipam__disc_ec2_page_dispose(&pg);
	ipam_obs_set_free(pg.out);
	return 0;
}
