/* What the discovery tests share: observations as sorted text, and running
 * a check suite. */
#ifndef DISC_TEST_H
#define DISC_TEST_H

#include "ipam.h"

#include <check.h>

/* "SOURCE SPACE ADDR MAC DEVICE" of every observation (ADDR the CIDR of a
 * subnet; "-" for none),
 * sorted, one a line; each must be stamped `now`. A static buffer. */
const char *disc_lines(const ipam_obs_set *s, int64_t now);

/* Run the suite (30 s a test); the process's exit status. */
int disc_run(Suite *s);

#endif
