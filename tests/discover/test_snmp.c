/* The SNMP probe against a real snmpd (Debian's net-snmp agent), started by
 * this test on 127.0.0.1 inside a private network namespace of its own
 * (unshare(CLONE_NEWNET)): a veth pair with fixed MACs, addresses and
 * permanent neighbour entries, so that ipNetToPhysicalTable and
 * ipAddressTable hold exactly what the test put there. The namespace and
 * the agent (PR_SET_PDEATHSIG) go away with the test process.
 *
 * Exits 77 only when snmpd is not installed or the kernel refuses a network
 * namespace. */
#include "ipam.h"
#include "ipam/discover.h"

#include "disc_test.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PORT 1161
#define AGENT "127.0.0.1:1161"
#define NOW 1700000000

static char dir[64];
static pid_t agent_pid;

static void cleanup(void)
{
	if (agent_pid > 0) {
		kill(agent_pid, SIGTERM);
		waitpid(agent_pid, NULL, 0);
		agent_pid = 0;
	}
	if (dir[0] && !getenv("DISC_KEEP")) {
		char cmd[128];
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", dir);
	}
}

static int sh(const char *cmd)
{
	int st = system(cmd);
	if (st != 0)
		fprintf(stderr, "failed (%d): %s\n", st, cmd);
	return st;
}

/* Whether something listens on UDP 127.0.0.1:port (we cannot bind it). */
static int udp_bound(int port)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int busy = bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 && errno == EADDRINUSE;
	close(fd);
	return busy;
}

static int start_agent(void)
{
	char conf[128], path[128];
	snprintf(conf, sizeof conf, "%s/snmpd.conf", dir);
	FILE *f = fopen(conf, "w");
	if (!f)
		return -1;
	fputs("rocommunity public 127.0.0.1\n"
	      "createUser ipamuser SHA \"authpass123\" AES \"privpass123\"\n"
	      "rouser ipamuser priv\n",
	      f);
	fclose(f);
	agent_pid = fork();
	if (agent_pid < 0)
		return -1;
	if (agent_pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		snprintf(path, sizeof path, "%s/snmpd.log", dir);
		int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		dup2(fd, 1);
		dup2(fd, 2);
		setenv("SNMP_PERSISTENT_DIR", dir, 1);
		setenv("MIBS", "", 1);
		snprintf(path, sizeof path, "%s/snmpd.pid", dir);
		execlp("snmpd", "snmpd", "-f", "-Lo", "-C", "-m", "", "-c", conf, "-p", path, "udp:127.0.0.1:1161",
		       (char *)NULL);
		_exit(127);
	}
	/* ready when it has bound its port (<= 10 s) */
	for (int i = 0; i < 1000; i++) {
		if (udp_bound(PORT))
			return 0;
		if (waitpid(agent_pid, NULL, WNOHANG) == agent_pid) {
			agent_pid = 0;
			return -1;
		}
		nanosleep(&(struct timespec){ 0, 10 * 1000 * 1000 }, NULL);
	}
	return -1;
}

/* What the agent's tables hold, as disc_lines() shows it. */
static const char *expected(const char *space)
{
	static char out[512];
	snprintf(out, sizeof out,
		 "snmp %s 10.99.0.1 02:00:00:00:00:01 " AGENT " ipamt0\n"
		 "snmp %s 10.99.0.5 02:00:00:00:00:05 " AGENT " ipamt0\n"
		 "snmp %s fd00:99::1 02:00:00:00:00:01 " AGENT " ipamt0\n"
		 "snmp %s fd00:99::5 02:00:00:00:00:06 " AGENT " ipamt0\n",
		 space, space, space, space);
	return out;
}

static ipam_snmp_target v2c(void)
{
	ipam_snmp_target t = { 0 };
	t.host = AGENT;
	t.snmp_version = IPAM_SNMP_V2C;
	t.community = "public";
	return t;
}

static ipam_snmp_target v3(const char *auth)
{
	ipam_snmp_target t = { 0 };
	t.host = AGENT;
	t.snmp_version = IPAM_SNMP_V3;
	t.user = "ipamuser";
	t.auth_pass = auth;
	t.priv_pass = "privpass123";
	return t;
}

static ipam_snmp_options opts(void)
{
	ipam_snmp_options o = IPAM_SNMP_OPTIONS_INIT;
	o.now = NOW;
	o.timeout_ms = 300;
	o.retries = 1;
	o.bulk_size = 3; /* several GETBULK rounds per column */
	return o;
}

/* One call with silent agents among the targets: IPAM_EIO naming the
 * first silent one, which timed out with its retries; the seconds it took. */
static double run_with_silent(ipam_obs_set *s, const ipam_snmp_target *t, size_t n, int *err,
			      const ipam_snmp_options *o, const char *first_silent)
{
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	ck_assert_int_eq(ipam_discover_snmp(s, t, n, err, o), IPAM_EIO);
	clock_gettime(CLOCK_MONOTONIC, &b);
	const char *m = ipam_error_last()->message;
	ck_assert_msg(strstr(m, first_silent) && strstr(m, "timed out after 2 tries"), "%s", m);
	return (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
}

/* The same agent and v3 user three times at concurrency 3, the middle one
 * with the authentication pass phrase `middle`: the call's result, err[]
 * filled, the observations left in *out. */
static int three_at_once(const char *middle, int err[3], ipam_obs_set **out)
{
	ipam_snmp_target t[3] = { v3("authpass123"), v3(middle), v3("authpass123") };
	ipam_snmp_options o = opts();
	o.concurrency = 3;
	ck_assert_int_eq(ipam_obs_set_new(out), 0);
	return ipam_discover_snmp(*out, t, 3, err, &o);
}

START_TEST(snmp_v2c)
{
	ipam_obs_set *s;
	ipam_snmp_target t = v2c();
	ipam_snmp_options o = opts();
	ck_assert_int_eq(ipam_obs_set_new(&s), 0);
	ck_assert_msg(ipam_discover_snmp(s, &t, 1, NULL, &o) == 0, "%s", ipam_error_last()->message);
	ck_assert_str_eq(disc_lines(s, NOW), expected("default"));
	ipam_obs_set_free(s);
}
END_TEST

START_TEST(snmp_v3_authpriv)
{
	ipam_obs_set *s;
	ipam_snmp_target t = v3("authpass123");
	t.space = "site-a";
	ipam_snmp_options o = opts();
	ck_assert_int_eq(ipam_obs_set_new(&s), 0);
	ck_assert_msg(ipam_discover_snmp(s, &t, 1, NULL, &o) == 0, "%s", ipam_error_last()->message);
	ck_assert_str_eq(disc_lines(s, NOW), expected("site-a"));
	ipam_obs_set_free(s);
}
END_TEST

START_TEST(snmp_v3_wrong_password)
{
	ipam_obs_set *s;
	ipam_snmp_target t = v3("wrongpass999");
	ipam_snmp_options o = opts();
	int err = 0;
	ck_assert_int_eq(ipam_obs_set_new(&s), 0);
	ck_assert_int_eq(ipam_discover_snmp(s, &t, 1, &err, &o), IPAM_EAUTH);
	ck_assert_int_eq(err, IPAM_EAUTH);
	const char *m = ipam_error_last()->message;
	ck_assert_msg(strstr(m, AGENT) && strstr(m, "uthentication"), "%s", m);
	ck_assert_msg(!strstr(m, "wrongpass999"), "the password leaked into: %s", m);
	ck_assert_uint_eq(ipam_obs_set_count(s), 0);
	ipam_obs_set_free(s);
}
END_TEST

/* The same agent and user twice in one call, the second time with a
 * wrong pass phrase, both open at once: the second must fail, not ride on
 * the keys net-snmp derived for the first (its USM user table is
 * process-wide). */
START_TEST(snmp_v3_wrong_password_beside_right_one)
{
	ipam_obs_set *s;
	int err[3] = { -1, -1, -1 };
	ck_assert_int_eq(three_at_once("wrongpass999", err, &s), IPAM_EAUTH);
	ck_assert_int_eq(err[0], 0);
	ck_assert_int_eq(err[1], IPAM_EAUTH);
	ck_assert_int_eq(err[2], 0);
	ipam_obs_set_free(s);
}
END_TEST

/* The same agent, user and pass phrases three times at once: the three
 * sessions share one USM user (engine, name) in net-snmp's list, and the
 * first to finish must not take it from the other two. */
START_TEST(snmp_v3_same_user_side_by_side)
{
	ipam_obs_set *s;
	int err[3] = { -1, -1, -1 };
	ck_assert_msg(three_at_once("authpass123", err, &s) == 0, "%s", ipam_error_last()->message);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(err[i], 0);
	ck_assert_str_eq(disc_lines(s, NOW), expected("default"));
	ipam_obs_set_free(s);
}
END_TEST

/* SNMPv3 agents are opened concurrently: the engine-ID probe goes out
 * asynchronously like the walks, so six v3 agents that never answer
 * (closed ports) beside two that do cost about ceil(6 / 3) = 2 rounds of
 * timeouts at concurrency 3 (2 x 2 tries x 300 ms = 1.2 s), not six (3.6 s,
 * what opening them one after another took), and the answering agents'
 * observations are exact. */
START_TEST(snmp_v3_silent_agents_concurrently)
{
	ipam_obs_set *s;
	ipam_snmp_target t[8];
	static const char *silent[6] = { "127.0.0.1:1163", "127.0.0.1:1164", "127.0.0.1:1165",
					 "127.0.0.1:1166", "127.0.0.1:1167", "127.0.0.1:1168" };
	for (int i = 0, k = 0; i < 8; i++) {
		t[i] = v3("authpass123");
		if (i != 1 && i != 4)
			t[i].host = silent[k++];
	}
	ipam_snmp_options o = opts();
	o.concurrency = 3;
	int err[8];
	ck_assert_int_eq(ipam_obs_set_new(&s), 0);
	double secs = run_with_silent(s, t, 8, err, &o, "127.0.0.1:1163");
	for (int i = 0; i < 8; i++)
		ck_assert_int_eq(err[i], i == 1 || i == 4 ? 0 : IPAM_EIO);
	ck_assert_str_eq(disc_lines(s, NOW), expected("default"));
	/* two rounds and some room for a loaded machine; one after another
	 * would be at least 3.6 s */
	ck_assert_msg(secs >= 1.15 && secs < 2.6, "took %.2f s", secs);
	ipam_obs_set_free(s);
}
END_TEST

/* Many agents with a bound: the working ones answer, a silent one times
 * out (its retries included) without holding up the others, and a bad
 * target is refused; errors[] says which. */
START_TEST(snmp_many_with_bound)
{
	ipam_obs_set *s;
	ipam_snmp_target t[7];
	for (int i = 0; i < 5; i++)
		t[i] = i % 2 ? v3("authpass123") : v2c();
	t[5] = v2c();
	t[5].host = "127.0.0.1:1162"; /* nobody there */
	t[6] = v2c();
	t[6].community = NULL;
	ipam_snmp_options o = opts();
	o.concurrency = 2;
	int err[7];
	ck_assert_int_eq(ipam_obs_set_new(&s), 0);
	double secs = run_with_silent(s, t, 7, err, &o, "127.0.0.1:1162");
	for (int i = 0; i < 5; i++)
		ck_assert_int_eq(err[i], 0);
	ck_assert_int_eq(err[5], IPAM_EIO);
	ck_assert_int_eq(err[6], IPAM_EINVAL);
	/* the same four things seen five times merge into four observations */
	ck_assert_str_eq(disc_lines(s, NOW), expected("default"));
	/* two tries of 300 ms for the silent agent, far less for the others */
	ck_assert_msg(secs >= 0.55 && secs < 3.0, "took %.2f s", secs);
	ipam_obs_set_free(s);
}
END_TEST

int main(void)
{
	if (system("command -v snmpd >/dev/null 2>&1") != 0) {
		fprintf(stderr, "snmpd is not installed (apt-get install snmpd): skipped\n");
		return 77;
	}
	if (unshare(CLONE_NEWNET) != 0) {
		fprintf(stderr, "no private network namespace (%s): skipped\n", strerror(errno));
		return 77;
	}
	snprintf(dir, sizeof dir, "%s/ipam-snmp.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	atexit(cleanup);
	signal(SIGTERM, exit);
	if (sh("ip link set lo up && ip link add ipamt0 type veth peer name ipamt1 && "
	       "ip link set ipamt0 address 02:00:00:00:00:01 && ip link set ipamt1 address 02:00:00:00:00:02 && "
	       "ip link set ipamt0 up && ip link set ipamt1 up && ip addr add 10.99.0.1/24 dev ipamt0 && "
	       "ip -6 addr add fd00:99::1/64 dev ipamt0 nodad && "
	       "ip neigh add 10.99.0.5 lladdr 02:00:00:00:00:05 dev ipamt0 nud permanent && "
	       "ip -6 neigh add fd00:99::5 lladdr 02:00:00:00:00:06 dev ipamt0 nud permanent") != 0)
		return 1;
	if (start_agent() != 0) {
		fprintf(stderr, "snmpd did not start; its log is in %s/snmpd.log\n", dir);
		setenv("DISC_KEEP", "1", 1);
		return 1;
	}
	Suite *s = suite_create("snmp");
	TCase *tc = tcase_create("snmp");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, snmp_v2c);
	tcase_add_test(tc, snmp_v3_authpriv);
	tcase_add_test(tc, snmp_v3_wrong_password);
	tcase_add_test(tc, snmp_v3_wrong_password_beside_right_one);
	tcase_add_test(tc, snmp_many_with_bound);
	tcase_add_test(tc, snmp_v3_same_user_side_by_side);
	tcase_add_test(tc, snmp_v3_silent_agents_concurrently);
	suite_add_tcase(s, tc);
	return disc_run(s);
}
