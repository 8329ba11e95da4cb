/* Cancellation tokens (include/ipam/cancel.h, src/cancel.h).
 *
 * A token is an atomic flag and, on Linux, an eventfd: triggering stores the
 * flag and writes the eventfd (both async-signal-safe), so that a loop
 * polling descriptors wakes at once. The thread's token is a thread-local
 * pointer, as the last error is: state of the calling thread, not global. */
#include "cancel.h"
#include "common.h"

#include <errno.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/eventfd.h>
#endif

_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "a signal handler may only store a lock-free atomic");

struct ipam_cancel {
	atomic_int triggered;
	int fd; /* an eventfd, or -1 */
};

static _Thread_local ipam_cancel *tls_token;

int ipam_cancel_new(ipam_cancel **out)
{
	if (!out)
		return ipam__error(IPAM_EINVAL, "ipam_cancel_new: no output");
	*out = NULL;
	ipam_cancel *c = malloc(sizeof *c);
	if (!c)
		return ipam__enomem();
	atomic_init(&c->triggered, 0);
	c->fd = -1;
#if defined(__linux__)
	if ((c->fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0) {
		int e = errno;
		free(c);
		return ipam__error(IPAM_EIO, "cancellation token: eventfd: %s", strerror(e));
	}
#endif
	*out = c;
	return 0;
}

void ipam_cancel_free(ipam_cancel *c)
{
	if (!c)
		return;
	if (tls_token == c)
		tls_token = NULL;
	if (c->fd >= 0)
		close(c->fd);
	free(c);
}

void ipam_cancel_trigger(ipam_cancel *c)
{
	if (!c)
		return;
	int saved = errno; /* a signal handler must leave errno as it was */
	atomic_store_explicit(&c->triggered, 1, memory_order_release);
	if (c->fd >= 0) {
		uint64_t one = 1;
		ssize_t n = write(c->fd, &one, sizeof one); /* EAGAIN only when already far past readable */
		(void)n;
	}
	errno = saved;
}

int ipam_cancel_triggered(const ipam_cancel *c)
{
	return c ? atomic_load_explicit(&((ipam_cancel *)c)->triggered, memory_order_acquire) : 0;
}

void ipam_cancel_reset(ipam_cancel *c)
{
	if (!c)
		return;
	atomic_store_explicit(&c->triggered, 0, memory_order_release);
	if (c->fd >= 0) {
		uint64_t v;
		ssize_t n = read(c->fd, &v, sizeof v); /* EAGAIN when it was not triggered */
		(void)n;
	}
}

int ipam_cancel_attach(ipam_cancel *c)
{
	if (!c)
		return ipam__error(IPAM_EINVAL, "ipam_cancel_attach: no token (ipam_cancel_detach detaches)");
	tls_token = c;
	return 0;
}

void ipam_cancel_detach(void)
{
	tls_token = NULL;
}

int ipam__cancelled(void)
{
	return ipam_cancel_triggered(tls_token);
}

int ipam__cancel_fd(void)
{
	return tls_token ? tls_token->fd : -1;
}

int ipam__cancel_check(const char *what)
{
	return ipam__cancelled() ? ipam__error(IPAM_ECANCELED, "%s: canceled", what) : 0;
}

static int64_t mono_ms(void)
{
	return ipam__mono_ns() / 1000000;
}

int ipam__cancel_wait(int fd, short events, int timeout_ms, short *revents, const char *what)
{
	int64_t deadline = timeout_ms < 0 ? INT64_MAX : mono_ms() + timeout_ms;
	int cfd = ipam__cancel_fd();
	for (;;) {
		int rc = ipam__cancel_check(what);
		if (rc)
			return rc;
		struct pollfd p[2];
		nfds_t n = 0;
		if (fd >= 0)
			p[n++] = (struct pollfd){ .fd = fd, .events = events };
		if (cfd >= 0)
			p[n++] = (struct pollfd){ .fd = cfd, .events = POLLIN };
		int64_t left = deadline == INT64_MAX ? -1 : deadline - mono_ms();
		if (deadline != INT64_MAX && left < 0)
			left = 0;
		int k = poll(p, n, left > INT32_MAX ? INT32_MAX : (int)left);
		if (k < 0 && errno != EINTR)
			return ipam__error(IPAM_EIO, "%s: poll: %s", what, strerror(errno));
		if (k > 0 && fd >= 0 && p[0].revents) {
			if ((rc = ipam__cancel_check(what)))
				return rc;
			if (revents)
				*revents = p[0].revents;
			return 1;
		}
		if (k == 0) /* the time is up */
			return ipam__cancel_check(what);
	}
}

int ipam__cancel_sleep_ns(int64_t ns, const char *what)
{
	if (ns <= 0)
		return ipam__cancel_check(what);
	if (ipam__cancel_fd() >= 0) /* whole milliseconds, rounded up: the token wakes it */
		return ipam__cancel_wait(-1, 0, (int)((ns + 999999) / 1000000 > INT32_MAX ? INT32_MAX : (ns + 999999) / 1000000),
		                         NULL, what);
	struct timespec ts = { (time_t)(ns / 1000000000), (long)(ns % 1000000000) };
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
	return 0;
}
