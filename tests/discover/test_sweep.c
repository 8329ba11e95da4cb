/* Sweeps in a private network namespace (unshare(CLONE_NEWNET)): a dummy
 * interface holds 10.98.0.1-3 and fd00:98::1-2, which answer ICMP; a TCP
 * listener on 10.98.0.2:PORT answers TCP; every other address of the
 * prefixes swallows packets. The sweep must find exactly those, through an
 * unprivileged ping socket and through a raw one, stay inside the prefix
 * named, and hold its rate. Exits 77 only when the kernel refuses the
 * namespace. */
#include "ipam.h"
#include "ipam/discover.h"

#include "disc_test.h"

#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define PORT 8080
#define NOW 1700000000

static ipam_prefix P(const char *s)
{
	ipam_prefix p;
	ck_assert_msg(ipam_prefix_parse(&p, s, 0) == 0, "parse %s", s);
	return p;
}

static double since(const struct timespec *a)
{
	struct timespec b;
	clock_gettime(CLOCK_MONOTONIC, &b);
	return (double)(b.tv_sec - a->tv_sec) + (double)(b.tv_nsec - a->tv_nsec) / 1e9;
}

static const uint16_t ports[] = { PORT, PORT + 1 };

static void sweep_both(const char *ping_range)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "sysctl -q -w net.ipv4.ping_group_range='%s'", ping_range);
	ck_assert_int_eq(system(cmd), 0);
	ipam_obs_set *s;
	ck_assert_int_eq(ipam_obs_set_new(&s), 0);
	ipam_sweep_options o = IPAM_SWEEP_OPTIONS_INIT;
	o.space = "lab";
	o.icmp = 1;
	o.tcp_ports = ports;
	o.ntcp_ports = 2;
	o.rate = 2000;
	o.concurrency = 48;
	o.timeout_ms = 150;
	o.now = NOW;
	ipam_prefix p = P("10.98.0.0/28");
	ck_assert_msg(ipam_discover_sweep(s, &p, &o) == 0, "%s", ipam_error_last()->message);
	p = P("fd00:98::/125");
	o.ntcp_ports = 0;
	ck_assert_msg(ipam_discover_sweep(s, &p, &o) == 0, "%s", ipam_error_last()->message);
	ck_assert_str_eq(disc_lines(s, NOW), "icmp lab 10.98.0.1 - -\n"
					     "icmp lab 10.98.0.2 - -\n"
					     "icmp lab 10.98.0.3 - -\n"
					     "icmp lab fd00:98::1 - -\n"
					     "icmp lab fd00:98::2 - -\n"
					     "tcp lab 10.98.0.2 - -\n");
	ipam_obs_set_free(s);
}

START_TEST(sweep_ping_socket)
{
	sweep_both("0 2147483647");
}
END_TEST

START_TEST(sweep_raw_socket)
{
	sweep_both("1 0");
}
END_TEST

/* 10.98.0.3 answers, but it is the broadcast address of 10.98.0.0/30: not
 * swept. Nothing outside the prefix is either. */
START_TEST(sweep_stays_inside)
{
	ipam_obs_set *s;
	ck_assert_int_eq(ipam_obs_set_new(&s), 0);
	ipam_sweep_options o = IPAM_SWEEP_OPTIONS_INIT;
	o.icmp = 1;
	o.timeout_ms = 200;
	o.rate = 1000;
	o.now = NOW;
	ipam_prefix p = P("10.98.0.0/30");
	ck_assert_int_eq(ipam_discover_sweep(s, &p, &o), 0);
	ck_assert_str_eq(disc_lines(s, NOW), "icmp default 10.98.0.1 - -\nicmp default 10.98.0.2 - -\n");
	p = P("10.98.0.3/32");
	ck_assert_int_eq(ipam_discover_sweep(s, &p, &o), 0);
	ck_assert_uint_eq(ipam_obs_set_count(s), 3);

	p = P("10.0.0.0/8");
	ck_assert_int_eq(ipam_discover_sweep(s, &p, &o), IPAM_EINVAL);
	ck_assert_ptr_nonnull(strstr(ipam_error_last()->message, "max_addresses"));
	o.icmp = 0;
	p = P("10.98.0.0/30");
	ck_assert_int_eq(ipam_discover_sweep(s, &p, &o), IPAM_EINVAL);
	ipam_obs_set_free(s);
}
END_TEST

/* The progress callback: calls, the last done and total, done never going back. */
typedef struct prog {
	unsigned calls;
	uint64_t done, total;
	int backwards;
} prog;

static void on_progress(void *ctx, const char *what, uint64_t done, uint64_t total)
{
	prog *p = ctx;
	ck_assert_str_eq(what, "sweep");
	p->backwards |= done < p->done;
	p->calls++;
	p->done = done;
	p->total = total;
}

/* 62 probes at 200 a second cannot take less than 61/200 s; the progress
 * callback sees each of them finish. */
START_TEST(sweep_rate_holds)
{
	prog pr = { 0 };
	ipam_obs_set *s;
	ck_assert_int_eq(ipam_obs_set_new(&s), 0);
	ipam_sweep_options o = IPAM_SWEEP_OPTIONS_INIT;
	o.tcp_ports = ports;
	o.ntcp_ports = 1;
	o.rate = 200;
	o.concurrency = 64;
	o.timeout_ms = 50;
	o.now = NOW;
	o.progress = on_progress;
	o.progress_ctx = &pr;
	ipam_prefix p = P("10.98.0.0/26");
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_int_eq(ipam_discover_sweep(s, &p, &o), 0);
	double secs = since(&t0);
	ck_assert_msg(secs >= 61.0 / 200 && secs < 61.0 / 200 + 0.5, "took %.3f s", secs);
	ck_assert_str_eq(disc_lines(s, NOW), "tcp default 10.98.0.2 - -\n");
	ck_assert_uint_eq(pr.calls, 62);
	ck_assert_uint_eq(pr.done, 62);
	ck_assert_uint_eq(pr.total, 62);
	ck_assert_int_eq(pr.backwards, 0);
	ipam_obs_set_free(s);
}
END_TEST

int main(void)
{
	if (unshare(CLONE_NEWNET) != 0) {
		fprintf(stderr, "no private network namespace (%s): skipped\n", strerror(errno));
		return 77;
	}
	if (system("ip link set lo up && ip link add ipams0 type veth peer name ipams1 && ip link set ipams0 up && ip link set ipams1 up && "
		   "ip addr add 10.98.0.1/26 dev ipams0 && ip addr add 10.98.0.2/26 dev ipams0 && "
		   "ip addr add 10.98.0.3/26 dev ipams0 && ip -6 addr add fd00:98::1/120 dev ipams0 nodad && "
		   "ip -6 addr add fd00:98::2/120 dev ipams0 nodad") != 0) {
		fprintf(stderr, "could not set the namespace up\n");
		return 1;
	}
	int l = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(PORT) };
	sa.sin_addr.s_addr = htonl(0x0a620002); /* 10.98.0.2 */
	if (bind(l, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(l, 64) != 0) {
		perror("listen");
		return 1;
	}
	Suite *s = suite_create("sweep");
	TCase *tc = tcase_create("sweep");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, sweep_ping_socket);
	tcase_add_test(tc, sweep_raw_socket);
	tcase_add_test(tc, sweep_stays_inside);
	tcase_add_test(tc, sweep_rate_holds);
	suite_add_tcase(s, tc);
	int st = disc_run(s);
	close(l);
	return st;
}
