/* What the discovery benchmarks share: a monotonic clock in seconds, and
 * dying with the library's last message. */
#ifndef IPAM_BENCH_DISCOVER_BENCH_H
#define IPAM_BENCH_DISCOVER_BENCH_H

#include "ipam.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static inline double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static inline void die(const char *what, int rc)
{
	fprintf(stderr, "%s: %s (%d)\n", what, ipam_error_last()->message, rc);
	exit(1);
}

#endif
