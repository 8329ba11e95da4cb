/* A push canceled halfway, against a real named on 127.0.0.1: the push is
 * cut into two messages (one owner name each), and reaches named through a
 * relay of this test that passes the first message and its answer on and
 * holds the second (it reads it and never answers). Once the second
 * message is held (a readiness check, no sleep), another thread triggers
 * the push's token: the push returns IPAM_ECANCELED at once, counts the
 * first message as applied and the second not, and the state it gives to
 * remember has the first name only, as named has. */
#include "ipam.h"

#include "cancel.h"
#include "dns/dns.h"
#include "dns_test.h"

#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define OK(call) ck_assert_msg((call) == 0, "%s: %s", #call, ipam_error_last()->message)

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- the relay ------------------------------------------------------------------------- */

typedef struct relay {
	int listener;
	uint16_t port;   /* the relay's */
	int server_port; /* named's */
	atomic_int held; /* the second message has come and is held */
	atomic_int stop;
} relay;

static int read_all(int fd, uint8_t *b, size_t n)
{
	for (size_t got = 0; got < n;) {
		ssize_t k = read(fd, b + got, n - got);
		if (k <= 0)
			return -1;
		got += (size_t)k;
	}
	return 0;
}

/* One length-prefixed DNS message from fd into b (65537 bytes): its size
 * with the prefix, or -1. */
static ssize_t read_msg(int fd, uint8_t *b)
{
	if (read_all(fd, b, 2))
		return -1;
	size_t n = (size_t)b[0] << 8 | b[1];
	return read_all(fd, b + 2, n) ? -1 : (ssize_t)(n + 2);
}

static void *relay_main(void *arg)
{
	relay *r = arg;
	static uint8_t buf[65537];
	/* the first connection: passed on to named and back */
	int c = accept(r->listener, NULL, NULL);
	ck_assert_int_ge(c, 0);
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
				  .sin_port = htons((uint16_t)r->server_port) };
	ck_assert_int_eq(connect(s, (struct sockaddr *)&sa, sizeof sa), 0);
	ssize_t n = read_msg(c, buf);
	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(write(s, buf, (size_t)n), n);
	n = read_msg(s, buf);
	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(write(c, buf, (size_t)n), n);
	close(s);
	close(c);
	/* the second: read and held until the client goes */
	c = accept(r->listener, NULL, NULL);
	ck_assert_int_ge(c, 0);
	ck_assert_int_gt(read_msg(c, buf), 0);
	atomic_store(&r->held, 1);
	struct pollfd p = { c, POLLIN, 0 };
	while (!atomic_load(&r->stop) && poll(&p, 1, 100) == 0)
		;
	close(c);
	return NULL;
}

/* ---- the push ------------------------------------------------------------------------- */

typedef struct push {
	ipam_cancel *tok;
	ipam__dns_server srv;
	ipam__dns_zone *last, *cur;
	ipam__dns_push_result res;
	int rc;
	char message[512];
	double returned;
} push;

static void *push_main(void *arg)
{
	push *p = arg;
	ck_assert_int_eq(ipam_cancel_attach(p->tok), 0);
	ipam__dns_push_options o = { 1, false }; /* one owner name a message */
	p->rc = ipam__dns_push(&p->res, &p->srv, p->last, p->cur, &o);
	p->returned = now_s();
	snprintf(p->message, sizeof p->message, "%s", ipam_error_last()->message);
	ipam_cancel_detach();
	return NULL;
}

static bool has(const ipam__dns_zone *z, const char *name)
{
	ldns_rdf *n = ldns_dname_new_frm_str(name);
	bool yes = ipam__dns_zone_has_name(z, n);
	ldns_rdf_deep_free(n);
	return yes;
}

START_TEST(push_canceled_between_messages)
{
	ipam__dns_zone *last = NULL;
	OK(ipam__dns_zone_new(&last, "example.test."));
	OK(ipam__dns_zone_set_soa(last, "ns1.example.test.", "hostmaster.example.test.", 2026010100, 3600, 900, 1209600, 60));
	last->ttl = 60;
	OK(ipam__dns_zone_add_ns(last, "ns1.example.test."));
	OK(ipam__dns_zone_add(last, "ns1 A 127.0.0.1", NULL));
	ipam_buf text = IPAM_BUF_INIT;
	OK(ipam__dns_render_zone(&text, last));
	dt_zone zone = { "example.test.", text.ptr };
	dt_server named;
	ck_assert_msg(dt_start(&named, DT_BIND, &zone, 1, NULL) == 0, "%s", dt_why());

	relay r = { .server_port = named.port };
	atomic_init(&r.held, 0);
	atomic_init(&r.stop, 0);
	r.listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t sl = sizeof sa;
	ck_assert(bind(r.listener, (struct sockaddr *)&sa, sizeof sa) == 0 && listen(r.listener, 4) == 0);
	ck_assert(getsockname(r.listener, (struct sockaddr *)&sa, &sl) == 0);
	pthread_t rt;
	ck_assert_int_eq(pthread_create(&rt, NULL, relay_main, &r), 0);

	push p = { 0 };
	p.srv = (ipam__dns_server){ "relayed", "127.0.0.1", ntohs(sa.sin_port), 30000,
				    { named.key_name, "hmac-sha256", named.key_secret } };
	p.last = last;
	OK(ipam__dns_zone_clone(&p.cur, last));
	OK(ipam__dns_zone_add(p.cur, "a 60 IN A 192.0.2.1", NULL));
	OK(ipam__dns_zone_add(p.cur, "b 60 IN A 192.0.2.2", NULL));
	ck_assert_int_eq(ipam_cancel_new(&p.tok), 0);
	pthread_t pt;
	double start = now_s();
	ck_assert_int_eq(pthread_create(&pt, NULL, push_main, &p), 0);
	while (!atomic_load(&r.held) && now_s() - start < 20)
		nanosleep(&(struct timespec){ 0, 1000000L }, NULL);
	ck_assert_msg(atomic_load(&r.held), "the second message never came");
	double trig = now_s();
	ipam_cancel_trigger(p.tok);
	ck_assert_int_eq(pthread_join(pt, NULL), 0);
	atomic_store(&r.stop, 1);
	ck_assert_int_eq(pthread_join(rt, NULL), 0);
	printf("stopped: RFC 2136 push between messages %.1f ms after the trigger (%s)\n", (p.returned - trig) * 1000,
	       p.message);

	ck_assert_msg(p.rc == IPAM_ECANCELED, "%d %s", p.rc, p.message);
	ck_assert_msg(strstr(p.message, "message 2 of 2") && strstr(p.message, "canceled"), "%s", p.message);
	ck_assert_msg(p.returned - trig < 1.0, "returned %.3f s after the trigger", p.returned - trig);
	ck_assert_uint_eq(p.res.messages, 2);
	ck_assert_uint_eq(p.res.applied, 1);
	ck_assert_uint_eq(p.res.changes_applied, 1);
	ck_assert_ptr_nonnull(p.res.state);
	ck_assert(has(p.res.state, "a.example.test.") && !has(p.res.state, "b.example.test."));
	/* named took the first message and never saw the second */
	char out[256];
	ck_assert_int_eq(dt_query("127.0.0.1", named.port, "a.example.test.", "A", out, sizeof out), LDNS_RCODE_NOERROR);
	ck_assert_str_eq(out, "192.0.2.1");
	ck_assert_int_eq(dt_query("127.0.0.1", named.port, "b.example.test.", "A", out, sizeof out), LDNS_RCODE_NXDOMAIN);

	ipam__dns_push_result_dispose(&p.res);
	ipam__dns_zone_free(p.cur);
	ipam__dns_zone_free(last);
	ipam_cancel_free(p.tok);
	ipam_buf_dispose(&text);
	close(r.listener);
	dt_stop(&named);
}
END_TEST

int main(void)
{
	if (!dt_have("named")) {
		fprintf(stderr, "named is not installed: skipped\n");
		return 77;
	}
	Suite *s = suite_create("dns-cancel");
	TCase *t = tcase_create("dns-cancel");
	tcase_set_timeout(t, 60);
	tcase_add_test(t, push_canceled_between_messages);
	suite_add_tcase(s, t);
	SRunner *r = srunner_create(s);
	srunner_run_all(r, CK_NORMAL);
	int failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? 1 : 0;
}
