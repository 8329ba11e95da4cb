#include "st_common.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

static _Thread_local char why[1024];

const char *st_why(void)
{
	return why;
}

static int fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	return -1;
}

int st__set_why(const char *msg)
{
	snprintf(why, sizeof why, "%s", msg);
	return -1;
}

const char *st_err(void)
{
	static _Thread_local char b[1024];
	const ipam_error *e = ipam_error_last();
	snprintf(b, sizeof b, "%s: %s", ipam_error_name(e->code), e->message);
	return b;
}

/* Every directory st_tmpdir made, removed at exit: a test that failed
 * half-way (check jumps out of it) leaves nothing behind either. */
static char *made[64];
static int nmade;

static void rm_made(void)
{
	for (int i = 0; i < nmade; i++) {
		st_rmrf(made[i]);
		free(made[i]);
	}
	nmade = 0;
}

int st_tmpdir(char out[256], const char *tag)
{
	const char *base = getenv("TMPDIR");
	if (!base || !*base)
		base = "/tmp";
	snprintf(out, 256, "%s/ipam-st-%s-XXXXXX", base, tag);
	if (!mkdtemp(out))
		return fail("mkdtemp %s: %s", out, strerror(errno));
	if (chmod(out, 0755) != 0)
		return fail("chmod %s: %s", out, strerror(errno));
	if (nmade == 0)
		atexit(rm_made);
	if (nmade < (int)(sizeof made / sizeof made[0]))
		made[nmade++] = strdup(out);
	return 0;
}

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	remove(p);
	return 0;
}

void st_rmrf(const char *path)
{
	if (!path || !*path || access(path, F_OK) != 0)
		return;
	if (getenv("ST_KEEP")) { /* for a post-mortem: keep the files */
		fprintf(stderr, "kept %s\n", path);
		return;
	}
	nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

int st_write_file(const char *path, const void *data, size_t len, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0)
		return fail("open %s: %s", path, strerror(errno));
	const uint8_t *p = data;
	while (len) {
		ssize_t w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			int e = errno;
			close(fd);
			return fail("write %s: %s", path, strerror(e));
		}
		p += w;
		len -= (size_t)w;
	}
	if (fchmod(fd, mode) != 0 || close(fd) != 0)
		return fail("close %s: %s", path, strerror(errno));
	return 0;
}

int st_make_key(const char *path)
{
	uint8_t key[32];
	randombytes_buf(key, sizeof key);
	int rc = st_write_file(path, key, sizeof key, 0600);
	sodium_memzero(key, sizeof key);
	return rc;
}

int st_open(ipam_db **out, const char *path, const char *key_file, unsigned flags)
{
	ipam_open_options o = IPAM_OPEN_OPTIONS_INIT;
	o.key_file = key_file;
	o.flags = flags;
	o.actor = "st-test";
	int rc = ipam_db_open(out, path, &o);
	if (rc)
		fail("open %s: %s", path, st_err());
	return rc;
}

int st_new_store(char dir[256], const char *tag, char file[300], char key[300], const char *net)
{
	int rc = st_tmpdir(dir, tag);
	if (rc)
		return rc;
	snprintf(file, 300, "%s/ipam.db", dir);
	snprintf(key, 300, "%s/key", dir);
	if ((rc = st_make_key(key)))
		return rc;
	ipam_db *db = NULL;
	if ((rc = st_open(&db, file, key, IPAM_OPEN_CREATE)))
		return rc;
	ipam_prefix p;
	if ((rc = ipam_prefix_parse(&p, net, IPAM_PARSE_DEFAULT)) == 0 && (rc = ipam_prefix_add(db, &p, NULL)))
		fail("prefix add %s: %s", net, st_err());
	ipam_db_free(db);
	return rc;
}

uint8_t *st_read_file(const char *path, size_t *len)
{
	*len = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		fail("open %s: %s", path, strerror(e));
		errno = e;
		return NULL;
	}
	size_t cap = 1 << 16, n = 0;
	uint8_t *b = malloc(cap + 1);
	for (;;) {
		if (n == cap) {
			cap *= 2;
			b = realloc(b, cap + 1);
		}
		ssize_t r = read(fd, b + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			fail("read %s: %s", path, strerror(errno));
			free(b);
			close(fd);
			return NULL;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	b[n] = 0;
	*len = n;
	return b;
}

int st_copy_file(const char *from, const char *to)
{
	size_t n;
	uint8_t *b = st_read_file(from, &n);
	if (!b)
		return -1;
	int rc = st_write_file(to, b, n, 0644);
	free(b);
	return rc;
}

int st_copy_store(const char *from, const char *to)
{
	char f[512], t[512];
	if (st_copy_file(from, to))
		return -1;
	snprintf(f, sizeof f, "%s-wal", from);
	snprintf(t, sizeof t, "%s-wal", to);
	if (access(f, F_OK) == 0) {
		if (st_copy_file(f, t))
			return -1;
	} else {
		unlink(t);
	}
	snprintf(t, sizeof t, "%s-shm", to);
	unlink(t);
	return 0;
}

const uint8_t *st_find(const uint8_t *hay, size_t n, const char *needle)
{
	size_t m = strlen(needle);
	if (m == 0)
		return hay;
	const uint8_t *p = memmem(hay, n, needle, m);
	if (p)
		return p;
	uint8_t w[512];
	if (2 * m > sizeof w)
		return NULL;
	for (size_t i = 0; i < m; i++) {
		w[2 * i] = (uint8_t)needle[i];
		w[2 * i + 1] = 0;
	}
	return memmem(hay, n, w, 2 * m);
}

void st_set_add(st_set *s, uint32_t a)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 256;
		s->v = realloc(s->v, s->cap * sizeof *s->v);
		if (!s->v)
			abort();
	}
	s->v[s->n++] = a;
}

static int u32cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

void st_set_sort(st_set *s)
{
	if (s->n)
		qsort(s->v, s->n, sizeof *s->v, u32cmp);
}

size_t st_set_dups(const st_set *s, uint32_t *first_dup)
{
	size_t d = 0;
	for (size_t i = 1; i < s->n; i++)
		if (s->v[i] == s->v[i - 1]) {
			if (!d && first_dup)
				*first_dup = s->v[i];
			d++;
		}
	return d;
}

int st_set_has(const st_set *s, uint32_t a)
{
	return s->n && bsearch(&a, s->v, s->n, sizeof a, u32cmp) != NULL;
}

void st_set_free(st_set *s)
{
	free(s->v);
	s->v = NULL;
	s->n = s->cap = 0;
}

uint32_t st_v4(const ipam_addr *a)
{
	return (uint32_t)a->bytes[0] << 24 | (uint32_t)a->bytes[1] << 16 | (uint32_t)a->bytes[2] << 8 | a->bytes[3];
}

int st_parse_v4(uint32_t *out, const char *text)
{
	ipam_addr a;
	if (ipam_addr_parse(&a, text) != 0 || a.family != IPAM_AF_INET)
		return fail("not an IPv4 address: \"%s\"", text);
	*out = st_v4(&a);
	return 0;
}

const char *st_fmt_v4(uint32_t a, char buf[16])
{
	snprintf(buf, 16, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
	return buf;
}

int st_list(ipam_db *db, const char *within, st_set *out, char ***hosts)
{
	ipam_prefix p;
	ipam_ip_query q = IPAM_IP_QUERY_INIT;
	if (within) {
		if (ipam_prefix_parse(&p, within, IPAM_PARSE_DEFAULT) != 0)
			return fail("bad prefix %s", within);
		q.within = &p;
	}
	ipam_ip_iter *it = NULL;
	if (ipam_ip_iter_new(&it, db, &q) != 0)
		return fail("ip iter: %s", st_err());
	ipam_ip_info info = IPAM_IP_INFO_INIT;
	size_t hcap = 0;
	if (hosts)
		*hosts = NULL;
	int rc;
	while ((rc = ipam_ip_iter_next(&info, it)) == 0) {
		if (info.addr.family != IPAM_AF_INET)
			continue;
		if (hosts) {
			if (out->n == hcap) {
				hcap = hcap ? hcap * 2 : 256;
				*hosts = realloc(*hosts, hcap * sizeof **hosts);
			}
			(*hosts)[out->n] = info.hostname ? strdup(info.hostname) : NULL;
		}
		st_set_add(out, st_v4(&info.addr));
	}
	ipam_ip_info_dispose(&info);
	ipam_ip_iter_free(it);
	if (rc != IPAM_ITEROVER)
		return fail("ip iter next: %s", st_err());
	return 0;
}

int st_audit_count(ipam_db *db, st_audit_counts *out)
{
	memset(out, 0, sizeof *out);
	ipam_audit_iter *it = NULL;
	if (ipam_audit_iter_new(&it, db, 1) != 0)
		return fail("audit iter: %s", st_err());
	ipam_audit_entry e = IPAM_AUDIT_ENTRY_INIT;
	int rc;
	while ((rc = ipam_audit_iter_next(&e, it)) == 0) {
		out->total++;
		if (strcmp(e.action, "address.alloc") == 0)
			out->alloc++;
		else if (strcmp(e.action, "address.release") == 0)
			out->release++;
		else if (strcmp(e.action, "address.add") == 0)
			out->add++;
		else if (strncmp(e.action, "prefix.", 7) == 0)
			out->prefix++;
		else
			out->other++;
	}
	ipam_audit_entry_dispose(&e);
	ipam_audit_iter_free(it);
	if (rc != IPAM_ITEROVER)
		return fail("audit iter next: %s", st_err());
	return 0;
}

const char *st_stristr(const char *hay, const char *needle)
{
	if (!hay)
		return NULL;
	size_t m = strlen(needle);
	for (const char *p = hay; *p; p++)
		if (strncasecmp(p, needle, m) == 0)
			return p;
	return NULL;
}

double st_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

int st_spawn(pid_t *pid, int *in_fd, int *out_fd, const char *err_path, char *const argv[])
{
	int in[2], out[2];
	if (pipe2(in, O_CLOEXEC) != 0)
		return fail("pipe: %s", strerror(errno));
	if (pipe2(out, O_CLOEXEC) != 0) {
		close(in[0]);
		close(in[1]);
		return fail("pipe: %s", strerror(errno));
	}
	int err = -1;
	if (err_path && (err = open(err_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0)
		return fail("open %s: %s", err_path, strerror(errno));
	fflush(NULL);
	pid_t p = fork();
	if (p < 0)
		return fail("fork: %s", strerror(errno));
	if (p == 0) {
		if (dup2(in[0], 0) < 0 || dup2(out[1], 1) < 0 || (err >= 0 && dup2(err, 2) < 0))
			_exit(126);
		execv(argv[0], argv);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	if (err >= 0)
		close(err);
	*pid = p;
	*in_fd = in[1];
	*out_fd = out[0];
	return 0;
}

const char *st_helper_path(void)
{
	const char *h = getenv("ST_HELPER");
	return h && *h ? h : "./st_helper";
}
