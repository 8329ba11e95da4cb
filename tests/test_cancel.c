/* Cancellation tokens (include/ipam/cancel.h): the token itself, triggered
 * from another thread and from a signal handler, and a cloud inventory call
 * to an HTTP server that never answers (a listening socket of this test that
 * accepts nothing: the request is sent, no reply ever comes), stopped by the
 * token within a few milliseconds, with the store unchanged.
 *
 * Then every other loop that waits: each call would run for many seconds
 * (a rate-limited sweep, a resolver, SNMP agents and a DNS server that never
 * answer: sockets of this test that take requests and send nothing; a
 * transaction that always conflicts; a large import). Another thread
 * triggers the calling thread's token ~100 ms in (or, for the import, once
 * its apply has begun: a readiness check), and the call returns
 * IPAM_ECANCELED within a bound, with what it did kept or rolled back as
 * documented. The measured stop times are printed ("stopped: WHAT N ms
 * after the trigger") for docs/bindings.md. */
#include "ipam.h"

#include "cancel.h"
#include "dns/dns.h"

#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
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

/* A socket of 127.0.0.1 that takes what is sent and never answers: UDP
 * (bound), or TCP (listening, never accepting: connections complete in the
 * kernel's backlog and requests are never answered). */
static int silent(int type, uint16_t *port)
{
	int s = socket(AF_INET, type | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(s, 0);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof sa;
	ck_assert_int_eq(bind(s, (struct sockaddr *)&sa, sizeof sa), 0);
	if (type == SOCK_STREAM)
		ck_assert_int_eq(listen(s, 16), 0);
	ck_assert_int_eq(getsockname(s, (struct sockaddr *)&sa, &len), 0);
	*port = ntohs(sa.sin_port);
	return s;
}

/* The same over TCP, as an HTTP URL. */
static int silent_server(char *url, size_t size)
{
	uint16_t port;
	int s = silent(SOCK_STREAM, &port);
	snprintf(url, size, "http://127.0.0.1:%u/", (unsigned)port);
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

/* ---- the other loops that wait ------------------------------------------------------ */

#define OK(x) ck_assert_msg((x) == 0, "%s: %s", #x, ipam_error_last()->message)
/* Seconds from the trigger to the return, at most: 1, or CANCEL_BOUND_S
 * (to look for leaks under valgrind, where everything is ~50 times slower). */
static double bound(void)
{
	const char *e = getenv("CANCEL_BOUND_S");
	return e && atof(e) > 0 ? atof(e) : 1.0;
}

/* A call on a thread of its own with a token attached. */
typedef struct job {
	int (*fn)(struct job *);
	void *arg;
	ipam_cancel *tok;
	atomic_int ready; /* set when the call is well under way (the import, from its progress) */
	int rc;
	char message[512];
	double returned;
} job;

static void *job_main(void *p)
{
	job *j = p;
	ck_assert_int_eq(ipam_cancel_attach(j->tok), 0);
	j->rc = j->fn(j);
	j->returned = now_s();
	snprintf(j->message, sizeof j->message, "%s", ipam_error_last()->message);
	ipam_cancel_detach();
	return NULL;
}

/* Run fn, trigger after `ms` (0: once it says it is ready), and check that
 * it stopped with IPAM_ECANCELED within bound(); the stop time in seconds. */
static double stop(job *j, long ms, const char *what)
{
	ck_assert_int_eq(ipam_cancel_new(&j->tok), 0);
	pthread_t t;
	double start = now_s();
	ck_assert_int_eq(pthread_create(&t, NULL, job_main, j), 0);
	if (ms)
		sleep_ms(ms);
	else
		while (!atomic_load(&j->ready) && now_s() - start < 30)
			sleep_ms(1);
	double trig = now_s();
	ipam_cancel_trigger(j->tok);
	ck_assert_int_eq(pthread_join(t, NULL), 0);
	double took = j->returned - trig;
	printf("stopped: %s %.1f ms after the trigger (%s)\n", what, took * 1000, j->message);
	ck_assert_msg(j->rc == IPAM_ECANCELED, "%s: %d %s", what, j->rc, j->message);
	ck_assert_msg(strstr(j->message, "canceled"), "%s: %s", what, j->message);
	ck_assert_msg(took < bound(), "%s returned %.3f s after the trigger", what, took);
	ipam_cancel_free(j->tok);
	return took;
}

/* ---- sweeps -------------------------------------------------------------------------- */

typedef struct sweep_arg {
	ipam_obs_set *set;
	uint16_t port;
} sweep_arg;

static int sweep_call(job *j)
{
	sweep_arg *a = j->arg;
	ipam_prefix p;
	ck_assert_int_eq(ipam_prefix_parse(&p, "127.0.0.0/24", 0), 0);
	ipam_sweep_options o = IPAM_SWEEP_OPTIONS_INIT;
	o.tcp_ports = &a->port;
	o.ntcp_ports = 1;
	o.rate = 20; /* 254 addresses: 12.7 s */
	o.timeout_ms = 10000;
	return ipam_discover_sweep(a->set, &p, &o);
}

/* 127.0.0.1 listens and is seen at once; the rest of the /24 refuses, but
 * the rate holds the sweep for 12.7 s: the trigger ends it, and what it saw
 * stays in the set. */
START_TEST(sweep_stops)
{
	sweep_arg a;
	int l = silent(SOCK_STREAM, &a.port);
	ck_assert_int_eq(ipam_obs_set_new(&a.set), 0);
	job j = { .fn = sweep_call, .arg = &a };
	stop(&j, 300, "TCP sweep");
	ck_assert_uint_eq(ipam_obs_set_count(a.set), 1);
	ipam_observation ob;
	OK(ipam_obs_set_get(&ob, a.set, 0));
	ck_assert_str_eq(ob.source, "tcp");
	ipam_obs_set_free(a.set);
	close(l);
}
END_TEST

typedef struct rdns_arg {
	ipam_obs_set *set;
	uint16_t port;
	unsigned rate;
} rdns_arg;

static int rdns_call(job *j)
{
	rdns_arg *a = j->arg;
	ipam_prefix p;
	ck_assert_int_eq(ipam_prefix_parse(&p, "192.0.2.0/28", 0), 0);
	ipam_rdns_options o = IPAM_RDNS_OPTIONS_INIT;
	o.server = "127.0.0.1";
	o.port = a->port;
	o.timeout_ms = 10000; /* two tries: 20 s for the first address */
	o.rate = a->rate;
	return ipam_discover_rdns(a->set, &p, &o);
}

/* A resolver that never answers: the PTR query's wait ends on the token. */
START_TEST(rdns_stops)
{
	rdns_arg a = { NULL, 0, 0 };
	int u = silent(SOCK_DGRAM, &a.port);
	ck_assert_int_eq(ipam_obs_set_new(&a.set), 0);
	job j = { .fn = rdns_call, .arg = &a };
	stop(&j, 100, "reverse-DNS sweep (silent resolver)");
	ck_assert_uint_eq(ipam_obs_set_count(a.set), 0);
	ipam_obs_set_free(a.set);
	close(u);
}
END_TEST

/* ---- SNMP ---------------------------------------------------------------------------- */

typedef struct snmp_arg {
	ipam_obs_set *set;
	char hosts[3][32];
	int errors[3];
} snmp_arg;

static int snmp_call(job *j)
{
	snmp_arg *a = j->arg;
	ipam_snmp_target t[3];
	for (int i = 0; i < 3; i++)
		t[i] = (ipam_snmp_target){ .host = a->hosts[i], .snmp_version = IPAM_SNMP_V2C, .community = "public" };
	ipam_snmp_options o = IPAM_SNMP_OPTIONS_INIT;
	o.timeout_ms = 5000;
	o.retries = 2;      /* 15 s an agent */
	o.concurrency = 2; /* the third is not asked before the others end */
	return ipam_discover_snmp(a->set, t, 3, a->errors, &o);
}

/* Three agents that never answer, two asked at once: the trigger closes
 * the two sessions (no leak under ASan), and errors[] says that none
 * finished. */
START_TEST(snmp_stops)
{
	snmp_arg a;
	int u[3];
	for (int i = 0; i < 3; i++) {
		uint16_t port;
		u[i] = silent(SOCK_DGRAM, &port);
		snprintf(a.hosts[i], sizeof a.hosts[i], "127.0.0.1:%u", port);
		a.errors[i] = 1;
	}
	ck_assert_int_eq(ipam_obs_set_new(&a.set), 0);
	job j = { .fn = snmp_call, .arg = &a };
	stop(&j, 100, "SNMP walk (silent agents)");
	ck_assert_msg(strstr(j.message, "0 of 3 agents finished"), "%s", j.message);
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(a.errors[i], IPAM_ECANCELED);
		close(u[i]);
	}
	ck_assert_uint_eq(ipam_obs_set_count(a.set), 0);
	ipam_obs_set_free(a.set);
}
END_TEST

/* ---- RFC 2136 push and AXFR ------------------------------------------------------------ */

typedef struct dns_arg {
	ipam__dns_server srv;
	ipam__dns_zone *last, *cur;
	ipam__dns_push_result res;
} dns_arg;

static int push_call(job *j)
{
	dns_arg *a = j->arg;
	return ipam__dns_push(&a->res, &a->srv, a->last, a->cur, NULL);
}

static int axfr_call(job *j)
{
	dns_arg *a = j->arg;
	ipam__dns_zone *z = NULL;
	int rc = ipam__dns_axfr(&z, &a->srv, "example.test.");
	ck_assert_ptr_null(z);
	return rc;
}

/* A server that takes the connection and the message and never answers:
 * the push stops, nothing of it counts as pushed (the state to remember is
 * the last one), and the AXFR stops the same way. */
START_TEST(push_and_axfr_stop)
{
	dns_arg a;
	memset(&a, 0, sizeof a);
	uint16_t port;
	int l = silent(SOCK_STREAM, &port);
	a.srv = (ipam__dns_server){ "silent", "127.0.0.1", port, 30000,
				    { "k", "hmac-sha256", "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTI=" } };
	OK(ipam__dns_zone_new(&a.last, "example.test."));
	a.last->mname = ldns_dname_new_frm_str("ns.example.test.");
	a.last->rname = ldns_dname_new_frm_str("hostmaster.example.test.");
	a.last->serial = 7;
	OK(ipam__dns_zone_add(a.last, "@ 60 IN NS ns", NULL));
	OK(ipam__dns_zone_add(a.last, "ns 60 IN A 192.0.2.53", NULL));
	OK(ipam__dns_zone_clone(&a.cur, a.last));
	OK(ipam__dns_zone_add(a.cur, "new 60 IN A 192.0.2.2", NULL));
	job j = { .fn = push_call, .arg = &a };
	stop(&j, 100, "RFC 2136 push (silent server)");
	ck_assert_uint_eq(a.res.applied, 0);
	ck_assert_uint_eq(a.res.changes_applied, 0);
	ck_assert_ptr_nonnull(a.res.state);
	ldns_rdf *fresh = ldns_dname_new_frm_str("new.example.test.");
	ck_assert(!ipam__dns_zone_has_name(a.res.state, fresh));
	ck_assert(ipam__dns_zone_has_name(a.cur, fresh));
	ldns_rdf_deep_free(fresh);
	ipam__dns_push_result_dispose(&a.res);
	job x = { .fn = axfr_call, .arg = &a };
	stop(&x, 100, "AXFR (silent server)");
	ipam__dns_zone_free(a.last);
	ipam__dns_zone_free(a.cur);
	close(l);
}
END_TEST

/* ---- ipam_db_run's retries --------------------------------------------------------------- */

static int always_conflicts(ipam_db *db, void *ctx)
{
	atomic_int *tries = ctx;
	atomic_fetch_add(tries, 1);
	int rc = ipam_space_add(db, "half-written", NULL);
	return rc ? rc : ipam__error(IPAM_ECONFLICT, "a race lost, again");
}

typedef struct run_arg {
	ipam_db *db;
	atomic_int tries;
} run_arg;

static int run_call(job *j)
{
	run_arg *a = j->arg;
	return ipam_db_run(a->db, always_conflicts, &a->tries);
}

/* 50 tries with pauses up to 150 ms: ~4.5 s; the trigger ends the pause,
 * no try after it, and each try was rolled back. */
START_TEST(db_run_retries_stop)
{
	run_arg a;
	atomic_init(&a.tries, 0);
	OK(ipam_db_open(&a.db, "memory:", NULL));
	job j = { .fn = run_call, .arg = &a };
	stop(&j, 100, "ipam_db_run retrying");
	int tries = atomic_load(&a.tries);
	ck_assert_int_gt(tries, 1);
	ck_assert_int_lt(tries, 50);
	ipam_space_info si = { .version = IPAM_SPACE_INFO_VERSION };
	ck_assert_int_eq(ipam_space_get(&si, a.db, "half-written"), IPAM_ENOTFOUND);
	ipam_db_free(a.db);
}
END_TEST

/* ---- imports ------------------------------------------------------------------------------ */

typedef struct import_arg {
	ipam_db *db;
	ipam_import *imp;
} import_arg;

static void on_progress(void *ctx, const char *phase, uint64_t done, uint64_t total)
{
	(void)total;
	job *j = ctx;
	if (!strcmp(phase, "apply") && done >= 2048)
		atomic_store(&j->ready, 1);
}

static int import_call(job *j)
{
	import_arg *a = j->arg;
	ipam_import_set_progress(a->imp, on_progress, j);
	return ipam_import_apply(a->imp, a->db);
}

/* 40,000 addresses (and their prefix) in one transaction: triggered once
 * the apply is under way, the import fails and the store is as before. */
START_TEST(import_stops_and_rolls_back)
{
	import_arg a;
	OK(ipam_db_open(&a.db, "memory:", NULL));
	ipam_db_stats before = IPAM_DB_STATS_INIT, after = IPAM_DB_STATS_INIT;
	OK(ipam_db_stats_get(&before, a.db));
	ipam_buf csv = IPAM_BUF_INIT;
	OK(ipam__buf_put(&csv, "address,status\n", 15));
	for (int i = 0; i < 40000; i++) {
		char line[64];
		int n = snprintf(line, sizeof line, "10.%d.%d.%d/8,active\n", i / 65536, (i / 256) % 256, i % 256 + 1);
		OK(ipam__buf_put(&csv, line, (size_t)n));
	}
	OK(ipam_import_new(&a.imp, IPAM_IMPORT_NETBOX_CSV, NULL));
	OK(ipam_import_add_buffer(a.imp, "ip_addresses.csv", csv.ptr, csv.size));
	OK(ipam_import_add_buffer(a.imp, "prefixes.csv", "prefix,status\n10.0.0.0/8,active\n", 32));
	job j = { .fn = import_call, .arg = &a };
	stop(&j, 0, "import of 40,000 addresses");
	OK(ipam_db_stats_get(&after, a.db));
	ck_assert_uint_eq(after.commits, before.commits);
	ck_assert_uint_eq(after.addresses, before.addresses);
	ck_assert_uint_eq(after.prefixes, before.prefixes);
	ipam_import_free(a.imp);
	ipam_buf_dispose(&csv);
	ipam_db_free(a.db);
}
END_TEST

/* A zone file is read before anything is written: a token triggered by
 * then ends the read with IPAM_ECANCELED (checked every 2048 records). */
START_TEST(zone_import_stops)
{
	ipam_buf z = IPAM_BUF_INIT;
	OK(ipam__buf_put(&z, "$ORIGIN example.test.\n$TTL 60\n@ IN SOA ns hm 1 2 3 4 5\n", 55));
	OK(ipam__buf_put(&z, "$GENERATE 1-60000 h$ IN A 192.0.2.1\n", 36));
	ipam_cancel *t;
	ck_assert_int_eq(ipam_cancel_new(&t), 0);
	ipam_import *imp;
	OK(ipam_import_new(&imp, IPAM_IMPORT_BIND_ZONE, NULL));
	ck_assert_int_eq(ipam_cancel_attach(t), 0);
	ipam_cancel_trigger(t);
	int rc = ipam_import_add_buffer(imp, "example.test.zone", z.ptr, z.size);
	ipam_cancel_detach();
	ck_assert_msg(rc == IPAM_ECANCELED, "%d %s", rc, ipam_error_last()->message);
	ck_assert_str_eq(ipam_error_last()->message, "zone import: canceled");
	ipam_import_free(imp);
	ipam_cancel_free(t);
	ipam_buf_dispose(&z);
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
	tcase_add_test(t, sweep_stops);
	tcase_add_test(t, rdns_stops);
	tcase_add_test(t, snmp_stops);
	tcase_add_test(t, push_and_axfr_stop);
	tcase_add_test(t, db_run_retries_stop);
	tcase_add_test(t, import_stops_and_rolls_back);
	tcase_add_test(t, zone_import_stops);
	suite_add_tcase(s, t);
	SRunner *r = srunner_create(s);
	srunner_run_all(r, CK_NORMAL);
	int failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? 1 : 0;
}
