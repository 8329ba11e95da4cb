/* Cancellation, the inside of include/ipam/cancel.h: what a loop that waits
 * asks of the calling thread's token. Internal.
 *
 * A loop that waits checks ipam__cancel_check() before each wait and, if it
 * polls descriptors, adds ipam__cancel_fd() to them (readable once the token
 * is triggered), so that it wakes at once rather than at its next timeout. */
#ifndef IPAM_SRC_CANCEL_H
#define IPAM_SRC_CANCEL_H

#include <stdint.h>

/* 1 when the calling thread has a token and it is triggered, else 0. */
int ipam__cancelled(void);

/* A descriptor that polls readable once the calling thread's token is
 * triggered; -1 when the thread has no token (or the platform no such
 * descriptor: then poll in short steps and ask ipam__cancelled()). */
int ipam__cancel_fd(void);

/* IPAM_ECANCELED with "WHAT: canceled" as the message when the calling
 * thread's token is triggered, else 0. */
int ipam__cancel_check(const char *what);

/* Wait up to timeout_ms (-1: no limit) for `events` on fd (fd -1: only
 * the timeout, a pause), waking at once when the calling thread's token is
 * triggered: 1 when fd is ready (revents in *revents when not NULL), 0 at
 * the timeout, IPAM_ECANCELED ("WHAT: canceled") when triggered, IPAM_EIO
 * when poll(2) fails. EINTR waits on for the time left. */
int ipam__cancel_wait(int fd, short events, int timeout_ms, short *revents, const char *what);

/* A pause of `ns` nanoseconds that the calling thread's token ends at once:
 * 0 after the pause, IPAM_ECANCELED ("WHAT: canceled") when triggered.
 * Without a token it sleeps to the nanosecond; with one, in whole
 * milliseconds rounded up (poll's unit). */
int ipam__cancel_sleep_ns(int64_t ns, const char *what);

#endif
