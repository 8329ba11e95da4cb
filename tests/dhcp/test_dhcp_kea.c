/* src/dhcp against real Kea servers on 127.0.0.1, started here once for the
 * whole executable: kea-dhcp4 and kea-dhcp6 (lease_cmds hook, memfile
 * leases in the scratch directory) behind one kea-ctrl-agent. Every server
 * gets PR_SET_PDEATHSIG, so it dies with this process whatever way it ends;
 * an atexit handler stops them first in the ordinary case.
 *
 * push            render, push v4 and v6, config-get shows scopes, pools,
 *                 options and reservations; config-write wrote the file;
 *                 a template change reaches both servers; a dry run shows
 *                 the diff and changes nothing; a bad option value never
 *                 leaves the model; a config Kea refuses leaves Kea's
 *                 running config as it was and returns Kea's message.
 * leases          lease4-add / lease6-add / lease4-del through the agent;
 *                 the memfile CSVs Kea writes and lease4/6-get-all read
 *                 back the same leases (a deleted one is gone). */
#include "dhcp/dhcp.h"
#include "dns_test.h"
#include "net/http.h"

#include <check.h>
#include <cjson/cJSON.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define OK(call) ck_assert_msg((call) == 0, "%s: %s", #call, ipam_error_last()->message)
#define HOOKS "/usr/lib/x86_64-linux-gnu/kea/hooks"

/* The servers of this process (stopped at exit) and where they live. */
static struct {
	pid_t pid[3];
	char dir[256];
	char url[64];
} kea;

static void stop_all(void)
{
	for (int i = 0; i < 3; i++)
		if (kea.pid[i] > 0) {
			kill(kea.pid[i], SIGTERM);
			waitpid(kea.pid[i], NULL, 0);
			kea.pid[i] = 0;
		}
}

static pid_t spawn(const char *log, char *const argv[])
{
	pid_t pid = fork();
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		FILE *f = freopen(log, "a", stdout);
		if (!f || !freopen(log, "a", stderr))
			_exit(127);
		setenv("KEA_PIDFILE_DIR", kea.dir, 1);
		setenv("KEA_LOCKFILE_DIR", kea.dir, 1);
		execvp(argv[0], argv);
		_exit(127);
	}
	return pid;
}

/* One command through the agent; the answer's first element (owned by *root). */
static const cJSON *agent(cJSON **root, const char *service, const char *command, const char *args)
{
	char body[4096];
	snprintf(body, sizeof body, "{\"command\": \"%s\", \"service\": [\"%s\"]%s%s}", command, service,
		 args ? ", \"arguments\": " : "", args ? args : "");
	static const char *const hdr[] = {"Content-Type: application/json", NULL};
	ipam__http_req r = {.what = command, .method = "POST", .url = kea.url, .headers = hdr, .body = body,
			    .timeout_ms = 2000};
	ipam__http_resp resp;
	*root = NULL;
	if (ipam__http(&r, &resp) == 0 && resp.body.ptr)
		*root = cJSON_Parse(resp.body.ptr);
	ipam_buf_dispose(&resp.body);
	return cJSON_IsArray(*root) ? cJSON_GetArrayItem(*root, 0) : NULL;
}

static int result_of(const cJSON *ans)
{
	const cJSON *r = cJSON_GetObjectItem(ans, "result");
	return cJSON_IsNumber(r) ? r->valueint : -1;
}

static int start_kea(void)
{
	char path[400], text[2048], log[400];
	int p4 = dt_free_port(), p6 = dt_free_port(), pa = dt_free_port();
	if (dt_tmpdir(kea.dir, "kea") || p4 < 0 || p6 < 0 || pa < 0)
		return -1;
	atexit(stop_all);
	for (int v6 = 0; v6 < 2; v6++) {
		char fam = v6 ? '6' : '4';
		snprintf(text, sizeof text,
			 "{\"Dhcp%c\": {\"interfaces-config\": {\"interfaces\": [\"lo\"]%s},"
			 " \"control-socket\": {\"socket-type\": \"unix\", \"socket-name\": \"%s/k%c.sock\"},"
			 " \"lease-database\": {\"type\": \"memfile\", \"persist\": true, \"lfc-interval\": 0,"
			 " \"name\": \"%s/leases%c.csv\"},"
			 " \"hooks-libraries\": [{\"library\": \"" HOOKS "/libdhcp_lease_cmds.so\"}],%s"
			 " \"subnet%c\": [{\"id\": 500, \"subnet\": \"%s\"}],"
			 " \"loggers\": [{\"name\": \"kea-dhcp%c\", \"severity\": \"WARN\","
			 " \"output_options\": [{\"output\": \"stdout\"}]}]}}",
			 fam, v6 ? "" : ", \"dhcp-socket-type\": \"udp\"", kea.dir, fam, kea.dir, fam,
			 v6 ? " \"server-id\": {\"type\": \"EN\", \"enterprise-id\": 32473, \"identifier\": \"0102\","
			      " \"persist\": false}," : "",
			 fam,
			 v6 ? "2001:db8:ffff::/64" : "203.0.113.0/24", fam);
		snprintf(path, sizeof path, "%s/kea-dhcp%c.conf", kea.dir, fam);
		snprintf(log, sizeof log, "%s/kea-dhcp%c.log", kea.dir, fam);
		char port[16];
		snprintf(port, sizeof port, "%d", v6 ? p6 : p4);
		char prog[16];
		snprintf(prog, sizeof prog, "kea-dhcp%c", fam);
		char *argv[] = {prog, "-c", path, "-p", port, NULL};
		if (dt_write(path, text) || (kea.pid[v6] = spawn(log, argv)) < 0)
			return -1;
	}
	snprintf(text, sizeof text,
		 "{\"Control-agent\": {\"http-host\": \"127.0.0.1\", \"http-port\": %d, \"control-sockets\": {"
		 "\"dhcp4\": {\"socket-type\": \"unix\", \"socket-name\": \"%s/k4.sock\"},"
		 "\"dhcp6\": {\"socket-type\": \"unix\", \"socket-name\": \"%s/k6.sock\"}},"
		 " \"loggers\": [{\"name\": \"kea-ctrl-agent\", \"severity\": \"WARN\","
		 " \"output_options\": [{\"output\": \"stdout\"}]}]}}",
		 pa, kea.dir, kea.dir);
	snprintf(path, sizeof path, "%s/kea-ctrl-agent.conf", kea.dir);
	snprintf(log, sizeof log, "%s/kea-ctrl-agent.log", kea.dir);
	char *argv[] = {"kea-ctrl-agent", "-c", path, NULL};
	if (dt_write(path, text) || (kea.pid[2] = spawn(log, argv)) < 0)
		return -1;
	snprintf(kea.url, sizeof kea.url, "http://127.0.0.1:%d/", pa);
	/* ready when the agent reaches both servers */
	for (int i = 0; i < 400; i++) {
		cJSON *a = NULL, *b = NULL;
		int ready = result_of(agent(&a, "dhcp4", "list-commands", NULL)) == 0 &&
			    result_of(agent(&b, "dhcp6", "list-commands", NULL)) == 0;
		cJSON_Delete(a);
		cJSON_Delete(b);
		if (ready)
			return 0;
		struct timespec ts = {0, 25 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	fprintf(stderr, "Kea did not come up; logs in %s\n", kea.dir);
	return -1;
}

/* The running config of a service, compact. */
static char *running(const char *service)
{
	cJSON *root;
	const cJSON *ans = agent(&root, service, "config-get", NULL);
	ck_assert_int_eq(result_of(ans), 0);
	cJSON *args = cJSON_GetObjectItem(ans, "arguments");
	cJSON_DeleteItemFromObject(args, "hash");
	char *text = cJSON_PrintUnformatted(args);
	cJSON_Delete(root);
	return text;
}

static void has(const char *text, const char *part)
{
	ck_assert_msg(text && strstr(text, part), "\"%s\" not found in the text (%zu bytes)", part,
		      text ? strlen(text) : 0);
}

static ipam__dhcp_config *model(ipam__dhcp_template **tpl)
{
	ipam__dhcp_config *c;
	ipam__dhcp_scope *s;
	ipam__dhcp_pool *p;
	OK(ipam__dhcp_config_new(&c));
	OK(ipam__dhcp_server_add(c, "kea", IPAM__DHCP_KEA, kea.url));
	OK(ipam__dhcp_template_add(c, "site", tpl));
	OK(ipam__dhcp_opt_set(c, &(*tpl)->opts, IPAM_AF_INET, 0, "domain-name-servers", "192.0.2.53", "site"));
	OK(ipam__dhcp_opt_set(c, &(*tpl)->opts, IPAM_AF_INET6, 0, "dns-servers", "2001:db8::53", "site"));
	OK(ipam__dhcp_scope_add(c, "office4", "192.0.2.0/24", 0, &s));
	OK(ipam__dhcp_scope_template(s, "site"));
	OK(ipam__dhcp_scope_serve(s, "kea"));
	OK(ipam__dhcp_opt_set(c, &s->opts, IPAM_AF_INET, 0, "routers", "192.0.2.1", "office4"));
	OK(ipam__dhcp_pool_add(s, "192.0.2.100-192.0.2.150", &p));
	OK(ipam__dhcp_pool_exclude(s, p, "192.0.2.120"));
	OK(ipam__dhcp_resv_add(s, "192.0.2.10", "mac:00:11:22:33:44:55", "printer", NULL));
	OK(ipam__dhcp_scope_add(c, "office6", "2001:db8:1::/64", 0, &s));
	OK(ipam__dhcp_scope_template(s, "site"));
	OK(ipam__dhcp_scope_serve(s, "kea"));
	OK(ipam__dhcp_pool_add(s, "2001:db8:1::100-2001:db8:1::1ff", NULL));
	OK(ipam__dhcp_resv_add(s, "2001:db8:1::10", "duid:00:01:00:01:aa:bb:cc:dd", "ws1", NULL));
	return c;
}

static void push(const ipam__dhcp_config *c, unsigned family, bool dry, ipam_buf *report)
{
	char file[400];
	snprintf(file, sizeof file, "%s/written-%c.json", kea.dir, family == IPAM_AF_INET ? '4' : '6');
	ipam__dhcp_push o = {.url = kea.url, .write_file = file, .dry_run = dry, .timeout_ms = 5000};
	OK(ipam__dhcp_push_kea(c, family, "kea", &o, report));
}

START_TEST(push_to_kea)
{
	ipam__dhcp_template *tpl;
	ipam__dhcp_config *c = model(&tpl);
	ipam_buf report = IPAM_BUF_INIT;
	push(c, IPAM_AF_INET, false, &report);
	push(c, IPAM_AF_INET6, false, &report);
	has(report.ptr, "dhcp4: config set and written to");
	ipam_buf_dispose(&report);

	char *r4 = running("dhcp4"), *r6 = running("dhcp6");
	has(r4, "\"subnet\":\"192.0.2.0/24\"");
	has(r4, "\"pool\":\"192.0.2.100-192.0.2.119\"");
	has(r4, "\"pool\":\"192.0.2.121-192.0.2.150\"");
	has(r4, "\"hw-address\":\"00:11:22:33:44:55\"");
	has(r4, "\"data\":\"192.0.2.53\"");
	has(r4, "\"data\":\"192.0.2.1\"");
	has(r4, "\"subnet\":\"203.0.113.0/24\""); /* the server's own subnet is kept */
	has(r6, "\"subnet\":\"2001:db8:1::/64\"");
	has(r6, "\"duid\":\"00:01:00:01:aa:bb:cc:dd\"");
	has(r6, "\"data\":\"2001:db8::53\"");
	has(r6, "\"subnet\":\"2001:db8:ffff::/64\"");
	char path[400];
	snprintf(path, sizeof path, "%s/written-4.json", kea.dir);
	char *written = dt_read(path, NULL);
	has(written, "192.0.2.0/24");
	free(written);

	/* a template change reaches both servers on the next push */
	OK(ipam__dhcp_opt_set(c, &tpl->opts, IPAM_AF_INET, 0, "domain-name-servers", "192.0.2.54", "site"));
	OK(ipam__dhcp_opt_set(c, &tpl->opts, IPAM_AF_INET6, 0, "dns-servers", "2001:db8::54", "site"));
	/* a dry run shows it and changes nothing */
	ipam_buf diff = IPAM_BUF_INIT;
	push(c, IPAM_AF_INET, true, &diff);
	ck_assert_str_eq(diff.ptr, "-\t\t\t\t\t\t\"data\":\t\"192.0.2.53\"\n"
				   "+\t\t\t\t\t\t\"data\":\t\"192.0.2.54\"\n");
	ipam_buf_dispose(&diff);
	char *still = running("dhcp4");
	ck_assert_msg(strcmp(still, r4) == 0, "a dry run changed the server");
	free(still);
	push(c, IPAM_AF_INET, false, NULL);
	push(c, IPAM_AF_INET6, false, NULL);
	free(r4);
	free(r6);
	r4 = running("dhcp4");
	r6 = running("dhcp6");
	has(r4, "\"data\":\"192.0.2.54\"");
	has(r6, "\"data\":\"2001:db8::54\"");
	ck_assert_ptr_null(strstr(r4, "192.0.2.53"));

	/* a bad value never gets into the model, so nothing can be sent */
	ck_assert_int_eq(ipam__dhcp_opt_set(c, &tpl->opts, IPAM_AF_INET, 0, "routers", "192.0.2.999", "site"),
			 IPAM_EINVAL);
	has(ipam_error_last()->message, "site: option routers (3): \"192.0.2.999\" is not an IPv4 address");

	/* Kea refuses a vendor-4491 code 2 under another name (it has its own
	 * definition): the running config stays as it was, Kea's text comes back */
	OK(ipam__dhcp_def_add(c, IPAM_AF_INET, 4491, 2, "my-tftp", "ip"));
	OK(ipam__dhcp_opt_set(c, &ipam__dhcp_scope_find(c, "office4")->opts, IPAM_AF_INET, 4491, "my-tftp",
			      "192.0.2.5", "office4"));
	char file[400];
	snprintf(file, sizeof file, "%s/written-4.json", kea.dir);
	ipam__dhcp_push o = {.url = kea.url, .write_file = file, .timeout_ms = 5000};
	ck_assert_int_eq(ipam__dhcp_push_kea(c, IPAM_AF_INET, "kea", &o, NULL), IPAM_EINVAL);
	has(ipam_error_last()->message, "kea config-test (dhcp4 at http://127.0.0.1:");
	has(ipam_error_last()->message, "Kea refused:");
	has(ipam_error_last()->message, "my-tftp");
	still = running("dhcp4");
	ck_assert_msg(strcmp(still, r4) == 0, "a refused config changed the server");
	free(still);
	free(r4);
	free(r6);
	ipam__dhcp_config_free(c);
}
END_TEST


static void agent_ok(const char *service, const char *command, const char *args)
{
	cJSON *root;
	const cJSON *ans = agent(&root, service, command, args);
	const cJSON *text = cJSON_GetObjectItem(ans, "text");
	ck_assert_msg(result_of(ans) == 0, "%s: %s", command, cJSON_IsString(text) ? text->valuestring : "no answer");
	cJSON_Delete(root);
}

static const ipam__dhcp_lease *find_lease(const ipam__dhcp_leases *l, const char *addr)
{
	ipam_addr a;
	ck_assert_int_eq(ipam_addr_parse(&a, addr), 0);
	return ipam__dhcp_leases_find(l, &a);
}

START_TEST(leases_from_kea)
{
	ipam__dhcp_template *tpl;
	ipam__dhcp_config *c = model(&tpl);
	push(c, IPAM_AF_INET, false, NULL);
	push(c, IPAM_AF_INET6, false, NULL);
	agent_ok("dhcp4", "lease4-add",
		 "{\"ip-address\": \"192.0.2.101\", \"hw-address\": \"1a:1b:1c:1d:1e:1f\", \"hostname\": \"host-a\","
		 " \"valid-lft\": 3600, \"subnet-id\": 1}");
	agent_ok("dhcp4", "lease4-add",
		 "{\"ip-address\": \"192.0.2.102\", \"hw-address\": \"1a:1b:1c:1d:1e:20\", \"hostname\": \"b,c\","
		 " \"valid-lft\": 3600, \"subnet-id\": 1, \"user-context\": {\"note\": \"x, y\"}}");
	agent_ok("dhcp4", "lease4-add",
		 "{\"ip-address\": \"192.0.2.103\", \"hw-address\": \"1a:1b:1c:1d:1e:21\", \"valid-lft\": 3600,"
		 " \"subnet-id\": 1}");
	agent_ok("dhcp4", "lease4-del", "{\"ip-address\": \"192.0.2.103\"}");
	agent_ok("dhcp6", "lease6-add",
		 "{\"ip-address\": \"2001:db8:1::150\", \"duid\": \"00:01:00:01:aa:bb:cc:ee\", \"iaid\": 7,"
		 " \"hostname\": \"ws2\", \"valid-lft\": 4000, \"subnet-id\": 1}");

	/* what Kea wrote to its memfile */
	char path[400];
	size_t len;
	snprintf(path, sizeof path, "%s/leases4.csv", kea.dir);
	char *text = dt_read(path, &len);
	ck_assert_ptr_nonnull(text);
	ipam__dhcp_leases file = {0};
	OK(ipam__dhcp_leases_kea_csv(&file, text, len, path));
	free(text);
	const ipam__dhcp_lease *a = find_lease(&file, "192.0.2.101"), *b = find_lease(&file, "192.0.2.102");
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	ck_assert_str_eq(a->hostname, "host-a");
	ck_assert_str_eq(b->hostname, "b,c");
	ck_assert_ptr_nonnull(strstr(b->user_context, "x, y"));
	ck_assert(a->active && a->valid == 3600 && a->subnet_id == 1 && a->ends - a->starts == 3600);
	ck_assert_ptr_null(find_lease(&file, "192.0.2.103")); /* deleted: valid_lifetime 0 */

	/* the same through the agent */
	ipam__dhcp_push o = {.url = kea.url, .timeout_ms = 5000};
	ipam__dhcp_leases got = {0};
	OK(ipam__dhcp_leases_kea_get(&got, IPAM_AF_INET, &o));
	ck_assert_uint_eq(got.n, file.n);
	for (size_t i = 0; i < file.n; i++) {
		const ipam__dhcp_lease *x = &file.v[i];
		char t[64];
		ipam_addr_format(t, sizeof t, &x->addr);
		const ipam__dhcp_lease *y = find_lease(&got, t);
		ck_assert_msg(y && y->ends == x->ends && y->mac.len == x->mac.len &&
				      !memcmp(y->mac.bytes, x->mac.bytes, x->mac.len) &&
				      !strcmp(y->hostname ? y->hostname : "", x->hostname ? x->hostname : ""),
			      "lease %s differs between the file and lease4-get-all", t);
	}
	ipam__dhcp_leases_free(&got);
	ipam__dhcp_leases_free(&file);

	snprintf(path, sizeof path, "%s/leases6.csv", kea.dir);
	text = dt_read(path, &len);
	OK(ipam__dhcp_leases_kea_csv(&file, text, len, path));
	free(text);
	a = find_lease(&file, "2001:db8:1::150");
	ck_assert_ptr_nonnull(a);
	ck_assert_str_eq(a->client_id, "00:01:00:01:aa:bb:cc:ee");
	ck_assert_str_eq(a->hostname, "ws2");
	OK(ipam__dhcp_leases_kea_get(&got, IPAM_AF_INET6, &o));
	ck_assert_ptr_nonnull(find_lease(&got, "2001:db8:1::150"));
	ipam__dhcp_leases_free(&got);
	ipam__dhcp_leases_free(&file);
	ipam__dhcp_config_free(c);
}
END_TEST

int main(void)
{
	if (!dt_have("kea-dhcp4") || !dt_have("kea-dhcp6") || !dt_have("kea-ctrl-agent")) {
		fprintf(stderr, "Kea is not installed\n");
		return 77;
	}
	if (start_kea())
		return 1;
	Suite *s = suite_create("dhcp-kea");
	TCase *t = tcase_create("kea");
	tcase_set_timeout(t, 60);
	tcase_add_test(t, push_to_kea);
	tcase_add_test(t, leases_from_kea);
	suite_add_tcase(s, t);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	stop_all();
	return failed ? 1 : 0;
}
