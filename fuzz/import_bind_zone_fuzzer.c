/* Fuzz the BIND zone file importer (and src/dns/zimport.c under it: directives, parentheses, $GENERATE): see
 * import_fuzz.h for what is checked on every input. The store holds 0.0.0.0/0 and ::/0, so every A, AAAA and
 * PTR record is a candidate to name its address (src/io/import/link.c), and the second import must find every
 * such address unchanged. */
#include "import_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void everything(ipam_db *db)
{
	static const char *const all[] = { "0.0.0.0/0", "::/0" };
	for (size_t i = 0; i < 2; i++) {
		ipam_prefix p;
		ipam_prefix_options o = IPAM_PREFIX_OPTIONS_INIT;
		IMPORT_FUZZ_CHECK(ipam_prefix_parse(&p, all[i], 0) == 0 && ipam_prefix_add(db, &p, &o) == 0);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	import_fuzz_into(IPAM_IMPORT_BIND_ZONE, NULL, data, size, everything);
	return 0;
}
