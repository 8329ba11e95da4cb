/* Fuzz the server-configuration options (src/dns/config.c): the input's
 * lines are `view_match` lists ("VIEW=LIST") for ipam_dns_config over a
 * handle with zones in two views, its first line also a zone name and a
 * view for ipam_zone_file_name. Whatever the input:
 * - refused: IPAM_EINVAL (or IPAM_ENOMEM) with a message, the output untouched;
 * - accepted: braces balance, no line break or quote comes from the input
 *   outside a checked name, every view block has a match list, and the same
 *   options render the same bytes; a file name ends in ".zone" and holds no "/". */
#include "dns_fuzz.h"
#include "ipam.h"

static ipam_db *handle(void)
{
	/* built once: a fuzzer process runs many inputs (the harness, not the library, keeps it) */
	static ipam_db *db;
	if (db)
		return db;
	ipam_zone_options zo = IPAM_ZONE_OPTIONS_INIT;
	zo.ns = "ns1.example.test.";
	FUZZ_CHECK(ipam_db_open(&db, "memory:", NULL) == 0);
	FUZZ_CHECK(ipam_space_add(db, "dmz", NULL) == 0);
	FUZZ_CHECK(ipam_zone_add(db, "example.test", &zo) == 0);
	FUZZ_CHECK(ipam_zone_add(db, "0/26.2.0.192.in-addr.arpa", &zo) == 0);
	zo.view = "outside";
	zo.space = "dmz";
	FUZZ_CHECK(ipam_zone_add(db, "example.test", &zo) == 0);
	return db;
}

static size_t count(const char *s, char c)
{
	size_t n = 0;
	for (; *s; s++)
		n += *s == c;
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 4096 || memchr(data, '\0', size))
		return 0;
	ipam_db *db = handle();
	char *text = malloc(size + 1);
	FUZZ_CHECK(text != NULL);
	memcpy(text, data, size);
	text[size] = '\0';
	const char *lines[8];
	size_t n = 0;
	for (char *p = text, *e; p && n < 8; p = e ? e + 1 : NULL) {
		e = strchr(p, '\n');
		if (e)
			*e = '\0';
		lines[n++] = p;
	}
	ipam_dns_config_options o = IPAM_DNS_CONFIG_OPTIONS_INIT;
	o.view_match = lines;
	o.nview_match = n;
	o.dir = "/srv/dns";
	ipam_buf out = IPAM_BUF_INIT, again = IPAM_BUF_INIT;
	int rc = ipam_dns_config(&out, db, &o);
	if (rc) {
		FUZZ_CHECK(rc == IPAM_EINVAL || rc == IPAM_ENOMEM);
		FUZZ_CHECK(out.ptr == NULL && ipam_error_last()->message[0]);
	} else {
		FUZZ_CHECK(count(out.ptr, '{') == count(out.ptr, '}'));
		FUZZ_CHECK(count(out.ptr, '"') % 2 == 0);
		/* one match list per view block; every line ends a statement or opens a block */
		size_t views = 0, matches = 0;
		for (const char *p = out.ptr; (p = strstr(p, "view \"")); p++)
			views++;
		for (const char *p = out.ptr; (p = strstr(p, "\tmatch-clients { ")); p++)
			matches++;
		FUZZ_CHECK(views >= 2 && views == matches);
		for (const char *l = out.ptr, *e; *l; l = e + 1) {
			e = strchr(l, '\n');
			FUZZ_CHECK(e && e > l && (e[-1] == ';' || e[-1] == '{'));
		}
		FUZZ_CHECK(strstr(out.ptr, "view \"outside\" {\n\tmatch-clients {") != NULL);
		FUZZ_CHECK(ipam_dns_config(&again, db, &o) == 0);
		FUZZ_CHECK(again.size == out.size && memcmp(again.ptr, out.ptr, out.size) == 0);
	}
	ipam_buf_dispose(&out);
	ipam_buf_dispose(&again);
	rc = ipam_zone_file_name(&out, lines[0], n > 1 ? lines[1] : NULL);
	if (rc) {
		FUZZ_CHECK(rc == IPAM_EINVAL || rc == IPAM_ENOMEM);
	} else {
		FUZZ_CHECK(out.size > 5 && strcmp(out.ptr + out.size - 5, ".zone") == 0);
		FUZZ_CHECK(strchr(out.ptr, '/') == NULL && strchr(out.ptr, '\n') == NULL);
	}
	ipam_buf_dispose(&out);
	free(text);
	return 0;
}
