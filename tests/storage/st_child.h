/* The parent's side of st_helper children: their stdout collected into a
 * buffer, read from many children at once with poll(2). No check here
 * (as in st_common.h): functions return -1 and leave a message in st_why(). */
#ifndef ST_CHILD_H
#define ST_CHILD_H

#include <stddef.h>
#include <sys/types.h>

#define ST_MAXCHILD 32

typedef struct st_child {
	pid_t pid;
	int in, out;     /* its stdin (the start signal), its stdout */
	char *buf;       /* what it printed so far, NUL-terminated */
	size_t len, cap;
	int eof;
	char err[300];   /* the file its stderr goes to */
} st_child;

/* Spawn `argv` (argv[0]: the helper) with stderr to c->err. */
int st_child_spawn(st_child *c, char *const argv[]);

/* Read every child's stdout until done(c) holds for all of them or they
 * reached end of file; -1 when none said anything for `quiet_ms`. */
int st_pump(st_child *ch, int n, int (*done)(const st_child *), int quiet_ms);

/* done() predicates: it printed its first line ("S\n"); never (read to EOF). */
int st_started(const st_child *c);
int st_never(const st_child *c);

/* The first 2 KiB of a file (a child's stderr), for messages; a static buffer. */
const char *st_err_text(const char *path);

#endif
