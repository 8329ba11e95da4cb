/* Helpers of the DNS tests: scratch directories, files, commands, free
 * loopback ports, and real servers (named, knotd, pdns_server, unbound)
 * started on 127.0.0.1 and stopped by PID, also when a test fails: every
 * server is started with PR_SET_PDEATHSIG, so it dies with the test process
 * whatever way that ends, and an atexit handler (and a SIGTERM, SIGINT and
 * SIGABRT handler: meson's timeout, a sanitizer's abort) stops the ones still
 * running and removes the scratch directories.
 *
 * Nothing here uses check; helpers return 0 / -1 and say why in dt_why(). */
#ifndef DNS_TEST_H
#define DNS_TEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

const char *dt_why(void);

/* A fresh directory under $TMPDIR (removed at exit unless $DT_KEEP). */
int dt_tmpdir(char out[256], const char *tag);
int dt_write(const char *path, const char *text);
/* The whole file, NUL-terminated (free it); NULL if unreadable. */
char *dt_read(const char *path, size_t *len);
/* Run a shell command; its stdout+stderr go to *output (free it; may be
 * NULL). Returns the exit status (or -1). */
int dt_sh(char **output, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A TCP+UDP port on 127.0.0.1 that is free now. */
int dt_free_port(void);
/* Whether a program is on PATH (or an absolute path that exists). */
bool dt_have(const char *prog);

/* Render each zone {name, view (NULL: default)} of `db` into `dir` under
 * the name ipam_zone_file_name gives it, after checking that `conf` (a
 * named.conf or Corefile; NULL: no check) names that path. 0 or -1. */
struct ipam_db;
int dt_write_zone_files(struct ipam_db *db, const char *dir, const char *const (*zones)[2], size_t n,
                        const char *conf);

/* A TSIG secret: 32 random bytes in base64 (45 bytes with the NUL). */
void dt_secret(char out[64]);

typedef enum { DT_BIND, DT_KNOT, DT_PDNS, DT_UNBOUND, DT_COREDNS } dt_kind;

typedef struct dt_server {
	dt_kind kind;
	pid_t pid;
	int port;      /* DNS */
	int http_port; /* PowerDNS API */
	char dir[256];
	char key_name[64];
	char key_secret[64];
	char api_key[64];
	char log[320];
} dt_server;

/* One zone the server should serve, from a zone file. */
typedef struct dt_zone {
	const char *origin; /* "example.com." */
	const char *text;   /* its zone file */
} dt_zone;

/* Start a server on a free port serving `zones` (authoritative, dynamic
 * updates allowed with a hmac-sha256 key made here: key_name/key_secret),
 * and wait until it answers SOA queries for each zone (<= 10 s). For
 * unbound, `conf` is the extra configuration text (zones are ignored); for
 * BIND, text put first in named.conf that defines acl "extra" (allowed to
 * update too) and its keys; ignored by the others.
 * Returns 0 or -1 (dt_why() says why, with the server's log). */
int dt_start(dt_server *s, dt_kind kind, const dt_zone *zones, size_t nzones, const char *conf);
/* Start named on a free port with `body` (zone stanzas or view blocks,
 * file names absolute) after its own key and options; ready once it
 * answers a SOA query for `probe` (any rcode). 0 or -1 (dt_why()). */
int dt_start_named(dt_server *s, const char *body, const char *probe);
/* Start CoreDNS (the binary `coredns`) with `corefile` (its text: zone
 * files by absolute path, listening on `port` of 127.0.0.1); ready once it
 * answers a SOA query for the zone `probe` with data. 0 or -1 (dt_why()). */
int dt_start_coredns(dt_server *s, const char *coredns, const char *corefile, int port, const char *probe);
/* Stop it (SIGTERM, then SIGKILL after 5 s) and wait for it. */
void dt_stop(dt_server *s);

/* Query the server (UDP, no recursion): the answer's rcode and its answer
 * section's RRs of `type`, each as rdata text, joined by ' ' in canonical
 * order, into out. Returns the rcode (>= 0) or -1 on no answer. */
int dt_query(const char *addr, int port, const char *name, const char *type, char *out, size_t size);
/* The same from a given source address (127.0.0.2 ...). */
int dt_query_from(const char *src, const char *addr, int port, const char *name, const char *type, char *out,
		  size_t size);

#endif
