/* Cancellation tokens (include/ipam/cancel.h): the token itself, triggered
 * from another thread and from a signal handler, and a cloud inventory call
 * to an HTTP server that never answers (a listening socket of this test that
 * accepts nothing: the request is sent, no reply ever comes), stopped by the
 * token within a few milliseconds, with the store unchanged. */
#include "ipam.h"

#include "cancel.h"

#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) != 0)
		;
}

/* A TCP listener on 127.0.0.1 that never accepts: connections complete in
 * the kernel's backlog and requests are never answered. */
static int silent_server(char *url, size_t size)
{
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(s, 0);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof sa;
	ck_assert_int_eq(bind(s, (struct sockaddr *)&sa, sizeof sa), 0);
	ck_assert_int_eq(listen(s, 16), 0);
	ck_assert_int_eq(getsockname(s, (struct sockaddr *)&sa, &len), 0);
	snprintf(url, size, "http://127.0.0.1:%u/", (unsigned)ntohs(sa.sin_port));
	return s;
}

typedef struct call {
	const char *url;
	ipam_db *db;
	ipam_cancel *attach; /* attached by the calling thread, or NULL */
	unsigned timeout_ms;
	int rc;
	char message[256];
	size_t observations;
	double returned;
} call;

static void *aws_call(void *arg)
{
	call *c = arg;
	if (c->attach)
		ck_assert_int_eq(ipam_cancel_attach(c->attach), 0);
	ipam_obs_set *set;
	ck_assert_int_eq(ipam_obs_set_new(&set), 0);
	ipam_aws_options o = IPAM_AWS_OPTIONS_INIT;
	o.region = "eu-west-1";
	o.endpoint = c->url;
	o.access_key = "AKIDEXAMPLE";
	o.secret_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
	o.timeout_ms = c->timeout_ms;
	c->rc = ipam_discover_aws(set, c->db, &o);
	c->returned = now_s();
	snprintf(c->message, sizeof c->message, "%s", ipam_error_last()->message);
	c->observations = ipam_obs_set_count(set);
	ipam_obs_set_free(set);
	ipam_cancel_detach();
	return NULL;
}

START_TEST(token)
{
	ipam_cancel *t;
	ck_assert_int_eq(ipam_cancel_new(NULL), IPAM_EINVAL);
	ck_assert_int_eq(ipam_cancel_new(&t), 0);
	ck_assert_int_eq(ipam_cancel_triggered(t), 0);
	ck_assert_int_eq(ipam_cancel_triggered(NULL), 0);
	ck_assert_int_eq(ipam_cancel_attach(NULL), IPAM_EINVAL);
	ck_assert_int_eq(ipam_cancel_attach(t), 0);
	ck_assert_int_eq(ipam__cancel_check("work"), 0);
	ipam_cancel_trigger(t);
	ipam_cancel_trigger(t); /* twice is once */
	ck_assert_int_eq(ipam_cancel_triggered(t), 1);
	ck_assert_int_eq(ipam__cancel_check("work"), IPAM_ECANCELED);
	ck_assert_str_eq(ipam_error_last()->message, "work: canceled");
	ck_assert_str_eq(ipam_error_name(IPAM_ECANCELED), "CANCELED");
	ipam_cancel_reset(t);
	ck_assert_int_eq(ipam_cancel_triggered(t), 0);
	ck_assert_int_eq(ipam__cancel_check("work"), 0);
	ipam_cancel_trigger(t);
	ipam_cancel_detach(); /* a detached thread is not cancelled */
	ck_assert_int_eq(ipam__cancelled(), 0);
	ck_assert_int_eq(ipam__cancel_fd(), -1);
	ipam_cancel_trigger(NULL);
	ipam_cancel_reset(NULL);
	ipam_cancel_free(t);
	ipam_cancel_free(NULL);
}
END_TEST

/* Another thread triggers; only the thread it is attached to stops, and
 * an HTTP call already started (in the cloud probe) ends at once. */
START_TEST(http_call_stops_when_another_thread_triggers)
{
	char url[64];
	int srv = silent_server(url, sizeof url);
	ipam_db *db;
	ck_assert_int_eq(ipam_db_open(&db, "memory:", NULL), 0);
	ipam_db_stats before = IPAM_DB_STATS_INIT, after = IPAM_DB_STATS_INIT;
	ck_assert_int_eq(ipam_db_stats_get(&before, db), 0);
	ipam_cancel *t;
	ck_assert_int_eq(ipam_cancel_new(&t), 0);
	/* one call with the token, one on a thread without a token (its own timeout ends it) */
	call with = { url, db, t, 10000, 0, "", 0, 0 }, without = { url, NULL, NULL, 600, 0, "", 0, 0 };
	pthread_t a, b;
	double start = now_s();
	ck_assert_int_eq(pthread_create(&a, NULL, aws_call, &with), 0);
	ck_assert_int_eq(pthread_create(&b, NULL, aws_call, &without), 0);
	sleep_ms(200);
	double trig = now_s();
	ipam_cancel_trigger(t);
	ck_assert_int_eq(pthread_join(a, NULL), 0);
	ck_assert_int_eq(with.rc, IPAM_ECANCELED);
	ck_assert_msg(strstr(with.message, "canceled"), "%s", with.message);
	ck_assert_msg(with.returned - trig < 0.1, "returned %.3f s after the trigger", with.returned - trig);
	ck_assert_uint_eq(with.observations, 0);
	ck_assert_int_eq(pthread_join(b, NULL), 0);
	ck_assert_int_eq(without.rc, IPAM_EIO); /* the token is not its thread's */
	ck_assert_msg(without.returned - start >= 0.55, "the untokened call ended after %.3f s",
		      without.returned - start);
	ck_assert_int_eq(ipam_db_stats_get(&after, db), 0);
	ck_assert_uint_eq(after.spaces, before.spaces);
	ck_assert_uint_eq(after.commits, before.commits);
	/* triggered before the call: it does not start */
	with.rc = 0;
	ck_assert_int_eq(pthread_create(&a, NULL, aws_call, &with), 0);
	ck_assert_int_eq(pthread_join(a, NULL), 0);
	ck_assert_int_eq(with.rc, IPAM_ECANCELED);
	ipam_cancel_free(t);
	ipam_db_free(db);
	close(srv);
}
END_TEST

/* From a signal handler, as Python's SIGINT handler does it. */
static ipam_cancel *signal_token;

static void on_signal(int sig)
{
	(void)sig;
	ipam_cancel_trigger(signal_token);
}

START_TEST(http_call_stops_when_a_signal_handler_triggers)
{
	char url[64];
	int srv = silent_server(url, sizeof url);
	ck_assert_int_eq(ipam_cancel_new(&signal_token), 0);
	struct sigaction sa, old;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	ck_assert_int_eq(sigaction(SIGUSR1, &sa, &old), 0);
	call c = { url, NULL, signal_token, 10000, 0, "", 0, 0 };
	pthread_t a;
	ck_assert_int_eq(pthread_create(&a, NULL, aws_call, &c), 0);
	sleep_ms(200);
	double trig = now_s();
	ck_assert_int_eq(pthread_kill(a, SIGUSR1), 0);
	ck_assert_int_eq(pthread_join(a, NULL), 0);
	ck_assert_int_eq(c.rc, IPAM_ECANCELED);
	ck_assert_msg(c.returned - trig < 0.1, "returned %.3f s after the signal", c.returned - trig);
	ck_assert_int_eq(sigaction(SIGUSR1, &old, NULL), 0);
	ipam_cancel_free(signal_token);
	close(srv);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("cancel");
	TCase *t = tcase_create("cancel");
	tcase_set_timeout(t, 60);
	tcase_add_test(t, token);
	tcase_add_test(t, http_call_stops_when_another_thread_triggers);
	tcase_add_test(t, http_call_stops_when_a_signal_handler_triggers);
	suite_add_tcase(s, t);
	SRunner *r = srunner_create(s);
	srunner_run_all(r, CK_NORMAL);
	int failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? 1 : 0;
}
