/* Fuzz the RPZ policy reader (src/dns/rpzfile.c, ipam_rpz_render). Whatever
 * the input:
 * - refused: IPAM_EINVAL (or IPAM_ENOMEM), a message that starts with the
 *   file name, the output untouched;
 * - accepted: the zone it renders reads back and renders to the same bytes;
 * - as one policy (ipam_rpz_add's reader, ipam__dns_rpz_canon): refused
 *   naming the zone, or canonical text that canonicalises to itself. */
#include "dns_fuzz.h"
#include "ipam/dns.h"

/* One policy as ipam_rpz_add takes it: refused with the zone named, or
 * canonical, and its canonical form is its own (the same key and text). */
static void one_policy(const uint8_t *data, size_t size)
{
	char *line = malloc(size + 1);
	FUZZ_CHECK(line != NULL);
	memcpy(line, data, size);
	line[size] = '\0';
	for (int alone = 0; alone < 2; alone++) {
		char *key = NULL, *canon = NULL;
		int rc = ipam__dns_rpz_canon(line, "rpz fuzz.", alone, &key, &canon);
		if (rc) {
			FUZZ_CHECK(rc == IPAM_EINVAL || rc == IPAM_ENOMEM);
			FUZZ_CHECK(rc == IPAM_ENOMEM || strncmp(ipam_error_last()->message, "rpz fuzz.", 9) == 0);
			FUZZ_CHECK(key == NULL && canon == NULL);
			continue;
		}
		char *key2 = NULL, *canon2 = NULL;
		FUZZ_CHECK(ipam__dns_rpz_canon(canon, "again", 0, &key2, &canon2) == 0);
		FUZZ_CHECK(strcmp(key, key2) == 0 && strcmp(canon, canon2) == 0);
		free(key);
		free(canon);
		free(key2);
		free(canon2);
	}
	free(line);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 65536)
		return 0;
	if (!memchr(data, '\0', size))
		one_policy(data, size);
	ipam_buf out = IPAM_BUF_INIT;
	int rc = ipam_rpz_render(&out, "rpz.fuzz.", (const char *)data, size, "fuzz.rpz", 60);
	if (rc) {
		FUZZ_CHECK(rc == IPAM_EINVAL || rc == IPAM_ENOMEM);
		FUZZ_CHECK(out.ptr == NULL);
		FUZZ_CHECK(rc == IPAM_ENOMEM || strncmp(ipam_error_last()->message, "fuzz.rpz", 8) == 0);
		return 0;
	}
	ipam__dns_zone *back = NULL;
	FUZZ_CHECK(ipam__dns_zone_parse(&back, out.ptr, out.size, NULL, "rendered.rpz") == 0);
	ipam_buf again = IPAM_BUF_INIT;
	FUZZ_CHECK(ipam__dns_render_zone(&again, back) == 0);
	FUZZ_CHECK(again.size == out.size && memcmp(again.ptr, out.ptr, out.size) == 0);
	ipam_buf_dispose(&again);
	ipam_buf_dispose(&out);
	ipam__dns_zone_free(back);
	return 0;
}
