/* See dns_test.h. */
#include "dns_test.h"

#include "ipam.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ldns/ldns.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static _Thread_local char why[8192];

const char *dt_why(void)
{
	return why;
}

static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	return -1;
}

/* ---- cleanup at exit: servers still running, scratch directories ---------------------- */

#define MAX_TRACK 32
static pid_t running[MAX_TRACK];
static char dirs[MAX_TRACK][256];
static bool cleanup_set;

static void rmrf(const char *path)
{
	DIR *d = opendir(path);
	if (d) {
		struct dirent *e;
		while ((e = readdir(d)) != NULL) {
			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			char p[1024];
			snprintf(p, sizeof p, "%s/%s", path, e->d_name);
			struct stat st;
			if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
				rmrf(p);
			else
				unlink(p);
		}
		closedir(d);
	}
	rmdir(path);
}

static void stop_pid(pid_t pid)
{
	if (pid <= 0)
		return;
	kill(pid, SIGTERM);
	for (int i = 0; i < 500; i++) {
		if (waitpid(pid, NULL, WNOHANG) == pid)
			return;
		struct timespec ts = { 0, 10 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

static void at_exit(void)
{
	for (int i = 0; i < MAX_TRACK; i++)
		if (running[i] > 0) {
			stop_pid(running[i]);
			running[i] = 0;
		}
	if (getenv("DT_KEEP"))
		return;
	for (int i = 0; i < MAX_TRACK; i++)
		if (dirs[i][0])
			rmrf(dirs[i]);
}

/* A test that dies by a signal (meson's timeout sends SIGTERM, a sanitizer
 * report aborts) skips atexit: stop the servers and remove the directories
 * here, then die by the same signal. The servers would die anyway
 * (PR_SET_PDEATHSIG); this also takes their directories away. Not
 * async-signal-safe in the strict sense (opendir, unlink in rmrf): the
 * process is ending and nothing else runs in it. */
static void on_signal(int sig)
{
	for (int i = 0; i < MAX_TRACK; i++)
		if (running[i] > 0)
			kill(running[i], SIGKILL);
	if (!getenv("DT_KEEP"))
		for (int i = 0; i < MAX_TRACK; i++)
			if (dirs[i][0])
				rmrf(dirs[i]);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void track_setup(void)
{
	if (!cleanup_set) {
		atexit(at_exit);
		signal(SIGTERM, on_signal);
		signal(SIGINT, on_signal);
		signal(SIGABRT, on_signal);
		cleanup_set = true;
	}
}

int dt_tmpdir(char out[256], const char *tag)
{
	track_setup();
	const char *base = getenv("TMPDIR");
	snprintf(out, 256, "%s/ipam-dns-%s.XXXXXX", base && *base ? base : "/tmp", tag);
	if (!mkdtemp(out))
		return fail("mkdtemp %s: %s", out, strerror(errno));
	chmod(out, 0755);
	for (int i = 0; i < MAX_TRACK; i++)
		if (!dirs[i][0]) {
			snprintf(dirs[i], sizeof dirs[i], "%s", out);
			break;
		}
	return 0;
}

int dt_write(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return fail("open %s: %s", path, strerror(errno));
	size_t n = strlen(text);
	bool ok = fwrite(text, 1, n, f) == n;
	ok = fclose(f) == 0 && ok;
	return ok ? 0 : fail("write %s failed", path);
}

char *dt_read(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap + 1);
	while (buf) {
		size_t got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (n < cap)
			break;
		char *nb = realloc(buf, 2 * cap + 1);
		if (!nb) {
			free(buf);
			buf = NULL;
			break;
		}
		buf = nb;
		cap *= 2;
	}
	fclose(f);
	if (buf) {
		buf[n] = '\0';
		if (len)
			*len = n;
	}
	return buf;
}

int dt_sh(char **output, const char *fmt, ...)
{
	char cmd[8192], tmpl[] = "/tmp/ipam-dns-sh.XXXXXX";
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	int fd = mkstemp(tmpl);
	if (fd < 0)
		return -1;
	close(fd);
	char full[8400];
	snprintf(full, sizeof full, "( %s ) >%s 2>&1", cmd, tmpl);
	int st = system(full);
	if (output)
		*output = dt_read(tmpl, NULL);
	unlink(tmpl);
	if (st == -1 || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

bool dt_have(const char *prog)
{
	if (prog[0] == '/')
		return access(prog, X_OK) == 0;
	const char *path = getenv("PATH");
	char buf[4096];
	snprintf(buf, sizeof buf, "%s:/usr/sbin:/sbin", path ? path : "/usr/bin:/bin");
	for (char *save = NULL, *d = strtok_r(buf, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		char p[4200];
		snprintf(p, sizeof p, "%s/%s", d, prog);
		if (access(p, X_OK) == 0)
			return true;
	}
	return false;
}

static bool port_free(int type, int port)
{
	int fd = socket(AF_INET, type, 0);
	if (fd < 0)
		return false;
	struct sockaddr_in sa = { 0 };
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	bool ok = bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0;
	close(fd);
	return ok;
}

int dt_free_port(void)
{
	/* ask the kernel for a free TCP port, then check UDP too; a range
	 * away from the usual services */
	for (int tries = 0; tries < 200; tries++) {
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		if (fd < 0)
			return -1;
		struct sockaddr_in sa = { 0 };
		socklen_t sl = sizeof sa;
		sa.sin_family = AF_INET;
		sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		int port = -1;
		if (bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0 && getsockname(fd, (struct sockaddr *)&sa, &sl) == 0)
			port = ntohs(sa.sin_port);
		close(fd);
		if (port > 1024 && port_free(SOCK_STREAM, port) && port_free(SOCK_DGRAM, port))
			return port;
	}
	return -1;
}

void dt_secret(char out[64])
{
	uint8_t raw[32];
	int fd = open("/dev/urandom", O_RDONLY);
	if (fd < 0 || read(fd, raw, sizeof raw) != (ssize_t)sizeof raw) {
		for (size_t i = 0; i < sizeof raw; i++)
			raw[i] = (uint8_t)(rand() & 0xff);
	}
	if (fd >= 0)
		close(fd);
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t k = 0;
	for (size_t i = 0; i < 32; i += 3) {
		uint32_t v = (uint32_t)raw[i] << 16 | (i + 1 < 32 ? (uint32_t)raw[i + 1] << 8 : 0) | (i + 2 < 32 ? raw[i + 2] : 0);
		out[k++] = b64[v >> 18 & 63];
		out[k++] = b64[v >> 12 & 63];
		out[k++] = i + 1 < 32 ? b64[v >> 6 & 63] : '=';
		out[k++] = i + 2 < 32 ? b64[v & 63] : '=';
	}
	out[k] = '\0';
}

/* ---- queries ------------------------------------------------------------------------------- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int dt_query(const char *addr, int port, const char *name, const char *type, char *out, size_t size)
{
	return dt_query_from(NULL, addr, port, name, type, out, size);
}

int dt_query_from(const char *src, const char *addr, int port, const char *name, const char *type, char *out,
		  size_t size)
{
	out[0] = '\0';
	ldns_resolver *r = ldns_resolver_new();
	ldns_rdf *ns = ldns_rdf_new_frm_str(LDNS_RDF_TYPE_A, addr);
	ldns_rdf *qn = ldns_dname_new_frm_str(name);
	ldns_rdf *sa = NULL;
	int rcode = -1;
	if (!r || !ns || !qn || ldns_resolver_push_nameserver(r, ns) != LDNS_STATUS_OK)
		goto out;
	ldns_resolver_set_port(r, (uint16_t)port);
	ldns_resolver_set_recursive(r, true);
	if (src) {
		/* ldns_resolver_deep_free does not free the source: freed below */
		sa = ldns_rdf_new_frm_str(LDNS_RDF_TYPE_A, src);
		if (!sa)
			goto out;
		ldns_resolver_set_source(r, sa);
	}
	ldns_resolver_set_retry(r, 2);
	struct timeval tv = { 2, 0 };
	ldns_resolver_set_timeout(r, tv);
	ldns_rr_type t = ldns_get_rr_type_by_name(type);
	ldns_pkt *p = NULL;
	if (ldns_resolver_send(&p, r, qn, t, LDNS_RR_CLASS_IN, LDNS_RD) != LDNS_STATUS_OK || !p)
		goto out;
	rcode = (int)ldns_pkt_get_rcode(p);
	ldns_rr_list *an = ldns_pkt_answer(p);
	size_t n = ldns_rr_list_rr_count(an), m = 0;
	char **v = calloc(n ? n : 1, sizeof *v);
	for (size_t i = 0; v && i < n; i++) {
		ldns_rr *rr = ldns_rr_list_rr(an, i);
		if (ldns_rr_get_type(rr) != t)
			continue;
		char *s = ldns_rr2str(rr);
		char *p4 = s;
		for (int k = 0; k < 4 && p4; k++)
			p4 = strchr(p4, '\t') ? strchr(p4, '\t') + 1 : NULL;
		if (p4) {
			size_t l = strlen(p4);
			if (l && p4[l - 1] == '\n')
				p4[l - 1] = '\0';
			v[m++] = strdup(p4);
		}
		free(s);
	}
	if (v) {
		qsort(v, m, sizeof *v, cmp_str);
		size_t k = 0;
		for (size_t i = 0; i < m; i++) {
			int w = snprintf(out + k, size - k, "%s%s", i ? " " : "", v[i]);
			if (w > 0 && (size_t)w < size - k)
				k += (size_t)w;
			free(v[i]);
		}
		free(v);
	}
	ldns_pkt_free(p);
out:
	ldns_rdf_deep_free(ns);
	ldns_rdf_deep_free(qn);
	ldns_resolver_deep_free(r);
	ldns_rdf_deep_free(sa);
	return rcode;
}

/* ---- servers ---------------------------------------------------------------------------------- */

static pid_t spawn(const char *log, char *const argv[])
{
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid != 0)
		return pid;
	/* the server dies with the test, however the test ends */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(127);
	int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
	if (fd >= 0) {
		dup2(fd, 1);
		dup2(fd, 2);
		close(fd);
	}
	int devnull = open("/dev/null", O_RDONLY);
	if (devnull >= 0) {
		dup2(devnull, 0);
		close(devnull);
	}
	execvp(argv[0], argv);
	_exit(127);
}

static int wait_ready(dt_server *s, const dt_zone *zones, size_t nzones, const char *probe)
{
	char out[1024];
	for (int i = 0; i < 1000; i++) { /* 10 s */
		int st;
		if (waitpid(s->pid, &st, WNOHANG) == s->pid) {
			s->pid = 0;
			char *log = dt_read(s->log, NULL);
			fail("the server exited at start; its log:\n%s", log ? log : "(none)");
			free(log);
			return -1;
		}
		bool all = true;
		for (size_t z = 0; all && z < nzones; z++)
			all = dt_query("127.0.0.1", s->port, zones[z].origin, "SOA", out, sizeof out) == LDNS_RCODE_NOERROR &&
			      out[0];
		if (all && probe)
			all = dt_query("127.0.0.1", s->port, probe, "SOA", out, sizeof out) >= 0;
		if (all)
			return 0;
		struct timespec ts = { 0, 10 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	char *log = dt_read(s->log, NULL);
	fail("the server did not answer within 10 s; its log:\n%s", log ? log : "(none)");
	free(log);
	return -1;
}

static void track(pid_t pid)
{
	for (int i = 0; i < MAX_TRACK; i++)
		if (running[i] <= 0) {
			running[i] = pid;
			return;
		}
}

static void untrack(pid_t pid)
{
	for (int i = 0; i < MAX_TRACK; i++)
		if (running[i] == pid)
			running[i] = 0;
}

/* A zone's file name in the server's directory. */
static void zone_file(char *out, size_t size, const char *dir, const char *origin)
{
	char name[256];
	size_t k = 0;
	for (const char *p = origin; *p && k + 1 < sizeof name; p++)
		name[k++] = *p == '/' ? '_' : *p;
	if (k && name[k - 1] == '.')
		k--;
	name[k] = '\0';
	if ((size_t)snprintf(out, size, "%s/%s.zone", dir, name) >= size)
		out[0] = '\0'; /* too long: writing "" fails the test that asked */
}

static int start_bind(dt_server *s, const dt_zone *zones, size_t n, const char *extra)
{
	char conf[16384], path[512];
	int k = snprintf(conf, sizeof conf,
			 "%s"
			 "key \"%s\" { algorithm hmac-sha256; secret \"%s\"; };\n"
			 "options {\n\tdirectory \"%s\";\n\tlisten-on port %d { 127.0.0.1; };\n\tlisten-on-v6 { none; };\n"
			 "\tpid-file \"%s/named.pid\";\n\tsession-keyfile \"%s/session.key\";\n\trecursion no;\n"
			 "\tnotify no;\n\tallow-transfer { key \"%s\"; };\n};\ncontrols { };\n",
			 extra ? extra : "", s->key_name, s->key_secret, s->dir, s->port, s->dir, s->dir, s->key_name);
	for (size_t i = 0; i < n; i++) {
		zone_file(path, sizeof path, s->dir, zones[i].origin);
		if (dt_write(path, zones[i].text))
			return -1;
		k += snprintf(conf + k, sizeof conf - (size_t)k,
			      "zone \"%s\" { type primary; file \"%s\"; allow-update { key \"%s\"; %s}; };\n", zones[i].origin,
			      path, s->key_name, extra ? "\"extra\"; " : "");
	}
	snprintf(path, sizeof path, "%s/named.conf", s->dir);
	if (dt_write(path, conf))
		return -1;
	char *argv[] = { "named", "-g", "-c", path, "-n", "1", NULL };
	s->pid = spawn(s->log, argv);
	return s->pid > 0 ? 0 : fail("fork failed");
}

static int start_knot(dt_server *s, const dt_zone *zones, size_t n)
{
	char conf[8192], path[512];
	int k = snprintf(conf, sizeof conf,
			 "server:\n    listen: 127.0.0.1@%d\n    rundir: \"%s\"\n    pidfile: \"%s/knot.pid\"\n"
			 "log:\n  - target: stderr\n    any: info\n"
			 "database:\n    storage: \"%s/db\"\n"
			 "key:\n  - id: %s\n    algorithm: hmac-sha256\n    secret: %s\n"
			 "acl:\n  - id: ipam\n    key: %s\n    action: [update, transfer]\n"
			 "template:\n  - id: default\n    storage: \"%s\"\n    file: \"%%s.zone\"\n    zonefile-sync: -1\n"
			 "    zonefile-load: whole\n    journal-content: changes\n    acl: ipam\n"
			 "zone:\n",
			 s->port, s->dir, s->dir, s->dir, s->key_name, s->key_secret, s->key_name, s->dir);
	for (size_t i = 0; i < n; i++) {
		zone_file(path, sizeof path, s->dir, zones[i].origin);
		if (strchr(zones[i].origin, '/'))
			return fail("the Knot helper does not serve zones with '/' in the name");
		if (dt_write(path, zones[i].text))
			return -1;
		k += snprintf(conf + k, sizeof conf - (size_t)k, "  - domain: \"%s\"\n", zones[i].origin);
	}
	snprintf(path, sizeof path, "%s/db", s->dir);
	mkdir(path, 0755);
	snprintf(path, sizeof path, "%s/knot.conf", s->dir);
	if (dt_write(path, conf))
		return -1;
	char *argv[] = { "knotd", "-c", path, NULL };
	s->pid = spawn(s->log, argv);
	return s->pid > 0 ? 0 : fail("fork failed");
}

static int start_pdns(dt_server *s, const dt_zone *zones, size_t n)
{
	char conf[4096], path[512], *out = NULL;
	snprintf(conf, sizeof conf,
		 "launch=gsqlite3\ngsqlite3-database=%s/pdns.db\nlocal-address=127.0.0.1\nlocal-port=%d\n"
		 "socket-dir=%s\ndaemon=no\nguardian=no\ndisable-syslog=yes\nloglevel=6\n"
		 "api=yes\napi-key=%s\nwebserver=yes\nwebserver-address=127.0.0.1\nwebserver-port=%d\n"
		 "webserver-allow-from=127.0.0.1,::1\nsecurity-poll-suffix=\n"
		 "dnsupdate=yes\nallow-dnsupdate-from=127.0.0.0/8\ndisable-axfr=no\nallow-axfr-ips=127.0.0.0/8\n"
		 "default-soa-edit=\nzone-cache-refresh-interval=0\n",
		 s->dir, s->port, s->dir, s->api_key, s->http_port);
	snprintf(path, sizeof path, "%s/pdns.conf", s->dir);
	if (dt_write(path, conf))
		return -1;
	if (dt_sh(&out, "sqlite3 %s/pdns.db < /usr/share/pdns-backend-sqlite3/schema/schema.sqlite3.sql", s->dir) != 0) {
		fail("pdns schema: %s", out ? out : "");
		free(out);
		return -1;
	}
	free(out);
	if (dt_sh(&out, "pdnsutil --config-dir=%s import-tsig-key %s hmac-sha256 '%s'", s->dir, s->key_name, s->key_secret) != 0) {
		fail("pdnsutil import-tsig-key: %s", out ? out : "");
		free(out);
		return -1;
	}
	free(out);
	for (size_t i = 0; i < n; i++) {
		zone_file(path, sizeof path, s->dir, zones[i].origin);
		if (dt_write(path, zones[i].text))
			return -1;
		if (dt_sh(&out,
			  "pdnsutil --config-dir=%s load-zone %s %s && "
			  "pdnsutil --config-dir=%s set-meta %s TSIG-ALLOW-DNSUPDATE %s && "
			  "pdnsutil --config-dir=%s set-meta %s TSIG-ALLOW-AXFR %s",
			  s->dir, zones[i].origin, path, s->dir, zones[i].origin, s->key_name, s->dir, zones[i].origin,
			  s->key_name) != 0) {
			fail("pdnsutil load-zone %s: %s", zones[i].origin, out ? out : "");
			free(out);
			return -1;
		}
		free(out);
	}
	char cd[300];
	snprintf(cd, sizeof cd, "--config-dir=%s", s->dir);
	char *argv[] = { "pdns_server", cd, NULL };
	s->pid = spawn(s->log, argv);
	return s->pid > 0 ? 0 : fail("fork failed");
}

static int start_unbound(dt_server *s, const char *extra)
{
	char conf[8192], path[512];
	snprintf(conf, sizeof conf,
		 "server:\n    interface: 127.0.0.1\n    port: %d\n    do-ip6: no\n    username: \"\"\n    chroot: \"\"\n"
		 "    directory: \"%s\"\n    pidfile: \"%s/unbound.pid\"\n    use-syslog: no\n    logfile: \"\"\n"
		 "    verbosity: 1\n    module-config: \"respip validator iterator\"\n"
		 "    access-control: 127.0.0.0/8 allow\n    do-not-query-localhost: no\n    num-threads: 1\n"
		 "    local-zone: \"test.\" nodefault\n    so-reuseport: no\n%s",
		 s->port, s->dir, s->dir, extra ? extra : "");
	snprintf(path, sizeof path, "%s/unbound.conf", s->dir);
	if (dt_write(path, conf))
		return -1;
	char *out = NULL;
	if (dt_sh(&out, "unbound-checkconf %s", path) != 0) {
		fail("unbound-checkconf: %s", out ? out : "");
		free(out);
		return -1;
	}
	free(out);
	char *argv[] = { "unbound", "-d", "-c", path, NULL };
	s->pid = spawn(s->log, argv);
	return s->pid > 0 ? 0 : fail("fork failed");
}

int dt_start(dt_server *s, dt_kind kind, const dt_zone *zones, size_t nzones, const char *conf)
{
	static const char *const tags[] = { "bind", "knot", "pdns", "unbound" };
	memset(s, 0, sizeof *s);
	s->kind = kind;
	if (dt_tmpdir(s->dir, tags[kind]))
		return -1;
	snprintf(s->log, sizeof s->log, "%s/server.log", s->dir);
	snprintf(s->key_name, sizeof s->key_name, "ipam-test-key");
	dt_secret(s->key_secret);
	dt_secret(s->api_key);
	for (char *p = s->api_key; *p; p++)
		if (*p == '+' || *p == '/' || *p == '=')
			*p = 'x';
	s->port = dt_free_port();
	s->http_port = kind == DT_PDNS ? dt_free_port() : 0;
	if (s->port < 0 || (kind == DT_PDNS && (s->http_port < 0 || s->http_port == s->port)))
		return fail("no free port");
	int rc;
	switch (kind) {
	case DT_BIND:
		rc = start_bind(s, zones, nzones, conf);
		break;
	case DT_KNOT:
		rc = start_knot(s, zones, nzones);
		break;
	case DT_PDNS:
		rc = start_pdns(s, zones, nzones);
		break;
	default:
		rc = start_unbound(s, conf);
	}
	if (rc)
		return rc;
	track(s->pid);
	if (wait_ready(s, kind == DT_UNBOUND ? NULL : zones, kind == DT_UNBOUND ? 0 : nzones,
		       kind == DT_UNBOUND ? "example.test." : NULL)) {
		dt_stop(s);
		return -1;
	}
	if (kind == DT_PDNS) {
		/* the API comes up beside the DNS listener: wait for it too */
		for (int i = 0; i < 500; i++) {
			int fd = socket(AF_INET, SOCK_STREAM, 0);
			struct sockaddr_in sa = { 0 };
			sa.sin_family = AF_INET;
			sa.sin_port = htons((uint16_t)s->http_port);
			sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
			bool up = fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0;
			if (fd >= 0)
				close(fd);
			if (up)
				return 0;
			struct timespec ts = { 0, 20 * 1000 * 1000 };
			nanosleep(&ts, NULL);
		}
		dt_stop(s);
		return fail("the PowerDNS API did not come up");
	}
	return 0;
}

int dt_start_named(dt_server *s, const char *body, const char *probe)
{
	memset(s, 0, sizeof *s);
	s->kind = DT_BIND;
	if (dt_tmpdir(s->dir, "bind"))
		return -1;
	snprintf(s->log, sizeof s->log, "%s/server.log", s->dir);
	snprintf(s->key_name, sizeof s->key_name, "ipam-test-key");
	dt_secret(s->key_secret);
	if ((s->port = dt_free_port()) < 0)
		return fail("no free port");
	size_t size = strlen(body) + 2048;
	char *conf = malloc(size), path[512];
	if (!conf)
		return fail("out of memory");
	snprintf(conf, size,
		 "key \"%s\" { algorithm hmac-sha256; secret \"%s\"; };\n"
		 "options {\n\tdirectory \"%s\";\n\tlisten-on port %d { 127.0.0.1; };\n\tlisten-on-v6 { none; };\n"
		 "\tpid-file \"%s/named.pid\";\n\tsession-keyfile \"%s/session.key\";\n\trecursion no;\n"
		 "\tnotify no;\n};\ncontrols { };\n%s",
		 s->key_name, s->key_secret, s->dir, s->port, s->dir, s->dir, body);
	snprintf(path, sizeof path, "%s/named.conf", s->dir);
	int rc = dt_write(path, conf);
	free(conf);
	if (rc)
		return -1;
	char *argv[] = { "named", "-g", "-c", path, "-n", "1", NULL };
	if ((s->pid = spawn(s->log, argv)) <= 0)
		return fail("fork failed");
	track(s->pid);
	if (wait_ready(s, NULL, 0, probe)) {
		dt_stop(s);
		return -1;
	}
	return 0;
}

int dt_write_zone_files(ipam_db *db, const char *dir, const char *const (*zones)[2], size_t n, const char *conf)
{
	int rc = 0;
	for (size_t i = 0; !rc && i < n; i++) {
		ipam_buf name = IPAM_BUF_INIT, text = IPAM_BUF_INIT;
		char path[600];
		if (ipam_zone_file_name(&name, zones[i][0], zones[i][1]) ||
		    ipam_zone_render(&text, db, zones[i][0], zones[i][1]))
			rc = fail("zone %s: %s", zones[i][0], ipam_error_last()->message);
		else if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name.ptr) >= sizeof path)
			rc = fail("zone %s: the path is too long", zones[i][0]);
		else if (conf && !strstr(conf, path))
			rc = fail("the configuration does not name %s:\n%s", path, conf);
		else
			rc = dt_write(path, text.ptr);
		ipam_buf_dispose(&name);
		ipam_buf_dispose(&text);
	}
	return rc;
}

int dt_start_coredns(dt_server *s, const char *coredns, const char *corefile, int port, const char *probe)
{
	memset(s, 0, sizeof *s);
	s->kind = DT_COREDNS;
	if (dt_tmpdir(s->dir, "coredns"))
		return -1;
	snprintf(s->log, sizeof s->log, "%s/server.log", s->dir);
	s->port = port;
	char path[512];
	snprintf(path, sizeof path, "%s/Corefile", s->dir);
	if (dt_write(path, corefile))
		return -1;
	char *argv[] = { (char *)coredns, "-conf", path, NULL };
	if ((s->pid = spawn(s->log, argv)) <= 0)
		return fail("fork failed");
	track(s->pid);
	dt_zone z = { probe, NULL };
	if (wait_ready(s, &z, 1, NULL)) {
		dt_stop(s);
		return -1;
	}
	return 0;
}

void dt_stop(dt_server *s)
{
	if (s->pid > 0) {
		stop_pid(s->pid);
		untrack(s->pid);
	}
	s->pid = 0;
}
