/* dtnamed: the DNS tests' named (tests/dns/dns_test.c, dt_start) for the
 * binding tests, which are not C. It starts BIND on a free port of
 * 127.0.0.1, authoritative for the zones given as ORIGIN FILE pairs with
 * dynamic updates allowed under a fresh hmac-sha256 key, prints one line
 * "PORT KEY_NAME KEY_SECRET" once it answers, and stops it when its stdin
 * closes (or when it is killed: the server dies with it).
 *
 * usage: dtnamed ORIGIN FILE [ORIGIN FILE ...]
 * exit status: 0; 77 when named is not installed; 1 when it did not start. */
#include "dns_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	dt_zone zones[16];
	size_t n = 0;
	dt_server s;
	char buf[64];

	if (argc < 3 || argc % 2 == 0 || (size_t)(argc - 1) / 2 > sizeof zones / sizeof zones[0]) {
		fprintf(stderr, "usage: dtnamed ORIGIN FILE [ORIGIN FILE ...] (at most 16 zones)\n");
		return 2;
	}
	if (!dt_have("named")) {
		fprintf(stderr, "dtnamed: named is not installed (apt-get install bind9)\n");
		return 77;
	}
	for (int i = 1; i + 1 < argc; i += 2) {
		char *text = dt_read(argv[i + 1], NULL);
		if (!text) {
			fprintf(stderr, "dtnamed: cannot read %s\n", argv[i + 1]);
			return 1;
		}
		zones[n].origin = argv[i];
		zones[n++].text = text;
	}
	if (dt_start(&s, DT_BIND, zones, n, NULL) != 0) {
		fprintf(stderr, "dtnamed: %s\n", dt_why());
		return 1;
	}
	printf("%d %s %s\n", s.port, s.key_name, s.key_secret);
	fflush(stdout);
	while (read(0, buf, sizeof buf) > 0)
		;
	dt_stop(&s);
	for (size_t i = 0; i < n; i++)
		free((char *)zones[i].text);
	return 0;
}
