/*
 * A program built outside the tree, from what `meson install` put in place,
 * with nothing but `pkg-config --cflags --libs libipam`. It prints
 * "VERSION PREFIX ADDRESS" or the library's error.
 */
#include <stdio.h>
#include <ipam.h>

int main(void)
{
	ipam_db *db = NULL;
	ipam_prefix p;
	ipam_addr a;
	char ptext[IPAM_PREFIX_STRLEN], atext[IPAM_ADDR_STRLEN];
	const ipam_error *e;

	if (ipam_db_open(&db, "memory:", NULL) == 0 &&
	    ipam_prefix_parse(&p, "2001:db8:10::/64", IPAM_PARSE_DEFAULT) == 0 &&
	    ipam_prefix_add(db, &p, NULL) == 0 &&
	    ipam_ip_alloc(&a, db, &p, NULL) == 0 &&
	    ipam_prefix_format(ptext, sizeof(ptext), &p) > 0 &&
	    ipam_addr_format(atext, sizeof(atext), &a) > 0) {
		printf("%s %s %s\n", ipam_version(), ptext, atext);
		ipam_db_free(db);
		return 0;
	}
	e = ipam_error_last();
	fprintf(stderr, "outside: %s: %s\n", ipam_error_name(e->code), e->message);
	ipam_db_free(db);
	return 1;
}
