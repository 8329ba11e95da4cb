/* Running a storage proof's check suite (separate from st_common, which
 * must not use check: its helpers also run in forked children). */
#ifndef ST_RUN_H
#define ST_RUN_H

#include <check.h>

/* Run every test of `s` in this process (no fork: the proofs fork their
 * own children) and free it; the exit status for main: 0 when all passed. */
int st_run_suite(Suite *s);

#endif
