/* Fuzz the cloud DNS readers (src/discover/r53_xml.c, cdns_json.c): the
 * first byte picks the answer (mod 6: Route 53 zones, Route 53 record sets,
 * Azure DNS zones, Azure record sets, Cloud DNS zones, Cloud DNS record
 * sets), the rest is the answer. Any text is read or refused with
 * IPAM_EINVAL naming it; what is read is one line a record, every zone
 * named with its final dot. */
#include "discover_fuzz.h"

#include <cjson/cJSON.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	int kind = data[0] % 6;
	char *text = malloc(size);
	FUZZ_CHECK(text);
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	ipam__cdns c = { 0 };
	FUZZ_CHECK(ipam__cdns_zone_add(&c, "example.com", "Z1", false, "fuzz") == 0);
	int rc;
	if (kind < 2) {
		rc = kind ? ipam__cdns_r53_rrsets(&c, &c.z[0], text, size - 1, "fuzz")
			  : ipam__cdns_r53_zones(&c, text, size - 1, "fuzz");
	} else {
		cJSON *doc = cJSON_ParseWithOpts(text, NULL, 0);
		int provider = kind < 4 ? IPAM__CDNS_AZURE : IPAM__CDNS_GCP;
		rc = kind % 2 ? ipam__cdns_json_rrsets(&c, &c.z[0], provider, doc, "fuzz")
			      : ipam__cdns_json_zones(&c, provider, doc, "fuzz");
		cJSON_Delete(doc);
	}
	free(text);
	FUZZ_CHECK(rc == 0 || rc == IPAM_EINVAL || rc == IPAM_ENOMEM);
	if (rc == IPAM_EINVAL)
		FUZZ_CHECK(strncmp(ipam_error_last()->message, "fuzz: ", 6) == 0);
	for (size_t i = 0; i < c.n; i++) {
		size_t n = strlen(c.z[i].origin);
		FUZZ_CHECK(n >= 2 && c.z[i].origin[n - 1] == '.' && c.z[i].id);
		for (size_t k = 0; k < c.z[i].n; k++) {
			FUZZ_CHECK(c.z[i].rec[k].text && !strchr(c.z[i].rec[k].text, '\n'));
			FUZZ_CHECK(c.z[i].rec[k].skip || strstr(c.z[i].rec[k].text, " IN ") != NULL);
		}
	}
	FUZZ_CHECK(strlen(c.error_code) < sizeof c.error_code);
	ipam__cdns_dispose(&c);
	return 0;
}
