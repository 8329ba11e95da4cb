/* Keys and files: passphrases from the environment or asked on the
 * terminal without echo, key files, and atomic file writes.
 *
 * A passphrase lives in memory from libsodium's sodium_malloc() (guard
 * pages, locked when the system allows) and is wiped when released; the
 * environment's copy is wiped too. No message ever contains key material. */
#include "ipamctl.h"

#include <sodium.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

const char *uri_file(const char *uri)
{
	if (!uri || strncmp(uri, "memory:", 7) == 0 || strncmp(uri, "index:", 6) == 0)
		return NULL;
	/* PostgreSQL: postgresql://, postgres://, or libpq keyword=value pairs
	 * (no file, no key to ask for; the server has its own credentials) */
	if (strncmp(uri, "postgresql://", 13) == 0 || strncmp(uri, "postgres://", 11) == 0)
		return NULL;
	const char *p = uri;
	while (*p == ' ' || *p == '\t')
		p++;
	const char *k = p;
	while ((*p >= 'a' && *p <= 'z') || *p == '_')
		p++;
	while (p > k && (*p == ' ' || *p == '\t'))
		p++;
	if (p > k && *p == '=')
		return NULL;
	if (strncmp(uri, "file:", 5) == 0)
		return uri + 5;
	return uri;
}

void uri_redact(char *out, size_t size, const char *uri)
{
	size_t o = 0;
	const char *p = uri;
	const char *auth = NULL, *auth_end = NULL;
	if (strncmp(uri, "postgresql://", 13) == 0 || strncmp(uri, "postgres://", 11) == 0) {
		auth = strstr(uri, "://") + 3;
		auth_end = auth + strcspn(auth, "/?");
	}
	while (*p && o + 4 < size) {
		/* user:PASSWORD@host */
		if (auth && p == auth) {
			const char *at = memchr(auth, '@', (size_t)(auth_end - auth));
			const char *colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
			if (colon) {
				size_t n = (size_t)(colon - auth) + 1;
				if (o + n + 4 >= size)
					break;
				memcpy(out + o, auth, n);
				o += n;
				memcpy(out + o, "***", 3);
				o += 3;
				p = at;
				continue;
			}
		}
		/* password=VALUE (keyword strings, URI parameters) */
		if (strncmp(p, "password", 8) == 0 && (p == uri || p[-1] == ' ' || p[-1] == '?' || p[-1] == '&')) {
			const char *q = p + 8;
			while (*q == ' ')
				q++;
			if (*q == '=') {
				q++;
				while (*q == ' ')
					q++;
				if (o + 12 >= size)
					break;
				memcpy(out + o, "password=***", 12);
				o += 12;
				if (*q == '\'') {
					for (q++; *q && *q != '\''; q++)
						if (*q == '\\' && q[1])
							q++;
					if (*q)
						q++;
				} else {
					while (*q && *q != ' ' && *q != '&')
						q++;
				}
				p = q;
				continue;
			}
		}
		out[o++] = *p++;
	}
	out[o] = '\0';
}

void secret_wipe(struct secret *s)
{
	if (s->buf)
		sodium_free(s->buf); /* zeroes the memory first */
	s->buf = NULL;
	s->len = 0;
}

static int secret_alloc(struct ctl *c, struct secret *s)
{
	secret_wipe(s);
	if (sodium_init() < 0)
		return fail_as(c, "ERROR", "libsodium cannot be initialized");
	s->buf = sodium_malloc(SECRET_MAX + 1);
	if (!s->buf)
		return fail_nomem(c);
	s->buf[0] = '\0';
	return ST_OK;
}

int secret_from_env(struct ctl *c, struct secret *s, const char *var, bool *found)
{
	char *v = getenv(var);
	*found = false;
	if (!v || !*v)
		return ST_OK;
	size_t n = strlen(v);
	int st = ST_OK;
	if (n > SECRET_MAX)
		st = fail_inval(c, "$%s: the passphrase is longer than %d bytes", var, SECRET_MAX);
	else if ((st = secret_alloc(c, s)) == ST_OK) {
		memcpy(s->buf, v, n + 1);
		s->len = n;
		*found = true;
	}
	/* The environment's bytes are ours: wipe them, so that the key is not
	 * left in /proc/PID/environ or in a core file. */
	sodium_memzero(v, n);
	unsetenv(var);
	return st;
}

bool have_tty(void)
{
	return isatty(STDIN_FILENO) == 1;
}

/* ---- asking on the terminal ---- */

/* The signals that may arrive while echo is off. Each is caught only to
 * note it; once the terminal is restored it is sent again, so that it does
 * what it would have done (end the process, or stop it: then ask again). */
static const int tty_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGALRM, SIGPIPE, SIGTSTP, SIGTTIN, SIGTTOU };
#define NSIG_TTY (sizeof tty_signals / sizeof tty_signals[0])
static volatile sig_atomic_t tty_caught[NSIG_TTY];

static void tty_note(int sig)
{
	for (size_t i = 0; i < NSIG_TTY; i++)
		if (tty_signals[i] == sig)
			tty_caught[i] = 1;
}

static bool any_caught(void)
{
	for (size_t i = 0; i < NSIG_TTY; i++)
		if (tty_caught[i])
			return true;
	return false;
}

static void write_all(int fd, const char *s)
{
	size_t n = strlen(s);
	while (n) {
		ssize_t w = write(fd, s, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

enum ask_result { ASK_OK, ASK_EOF, ASK_TOOLONG, ASK_ERROR, ASK_SIGNAL };

/* One prompt and one line into s (which has room for SECRET_MAX bytes). */
static enum ask_result ask_once(int fd, const char *prompt, struct secret *s, bool *stopped)
{
	struct termios old, quiet;
	struct sigaction sa, saved[NSIG_TTY];
	bool tty = tcgetattr(fd, &old) == 0;
	enum ask_result res = ASK_OK;

	*stopped = false;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = tty_note;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0; /* no SA_RESTART: a signal ends the read() */
	for (size_t i = 0; i < NSIG_TTY; i++) {
		tty_caught[i] = 0;
		sigaction(tty_signals[i], &sa, &saved[i]);
	}
	if (tty) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHOE | ECHOK | ECHONL);
		quiet.c_lflag |= ICANON;
		tcsetattr(fd, TCSAFLUSH, &quiet);
	}
	write_all(fd, prompt);

	size_t n = 0;
	bool too_long = false;
	for (;;) {
		char ch;
		if (any_caught()) {
			res = ASK_SIGNAL;
			break;
		}
		ssize_t r = read(fd, &ch, 1);
		if (r < 0 && errno == EINTR)
			continue; /* any_caught() decides */
		if (r < 0) {
			res = ASK_ERROR;
			break;
		}
		if (r == 0) {
			res = n || too_long ? ASK_OK : ASK_EOF;
			break;
		}
		if (ch == '\n')
			break;
		if (n < SECRET_MAX)
			s->buf[n++] = ch;
		else
			too_long = true;
		ch = 0;
	}
	if (n && s->buf[n - 1] == '\r')
		n--;
	s->buf[n] = '\0';
	s->len = n;
	if (res == ASK_OK && too_long)
		res = ASK_TOOLONG;

	/* Restore the terminal first, on every path; then the handlers; then
	 * deliver what was caught. */
	if (tty)
		tcsetattr(fd, TCSAFLUSH, &old);
	write_all(fd, "\n");
	for (size_t i = 0; i < NSIG_TTY; i++)
		sigaction(tty_signals[i], &saved[i], NULL);
	for (size_t i = 0; i < NSIG_TTY; i++) {
		if (!tty_caught[i])
			continue;
		int sig = tty_signals[i];
		if (sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU)
			*stopped = true;
		kill(getpid(), sig);
	}
	if (res != ASK_OK) {
		sodium_memzero(s->buf, SECRET_MAX + 1);
		s->len = 0;
	}
	return res;
}

/* Ask until an answer comes: a stop signal (^Z) asks again after the
 * process is continued. */
static int ask(struct ctl *c, int fd, const char *prompt, struct secret *s)
{
	for (;;) {
		bool stopped;
		enum ask_result r = ask_once(fd, prompt, s, &stopped);
		switch (r) {
		case ASK_OK:
			return ST_OK;
		case ASK_SIGNAL:
			if (stopped)
				continue;
			return fail_as(c, "AUTH", "interrupted while reading the passphrase");
		case ASK_EOF:
			return fail_as(c, "AUTH", "no passphrase given (end of input on the terminal)");
		case ASK_TOOLONG:
			return fail_inval(c, "the passphrase is longer than %d bytes", SECRET_MAX);
		case ASK_ERROR:
			return fail_as(c, "IO", "cannot read the passphrase from the terminal: %s", strerror(errno));
		}
	}
}

int secret_ask(struct ctl *c, struct secret *s, const char *prompt, bool twice, bool new_key)
{
	struct secret again = { 0 };
	int st;

	fflush(c->out);
	int fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return fail_as(c, "AUTH", "no key given and no terminal to ask for the passphrase on (/dev/tty: %s)",
		               strerror(errno));
	if ((st = secret_alloc(c, s)) || (st = ask(c, fd, prompt, s)))
		goto out;
	if (s->len == 0) {
		st = new_key ? fail_inval(c, "an empty passphrase is not allowed; nothing was changed")
		             : fail_as(c, "AUTH", "no passphrase given");
		goto out;
	}
	if (twice) {
		if ((st = secret_alloc(c, &again)) || (st = ask(c, fd, "Repeat the passphrase: ", &again)))
			goto out;
		if (again.len != s->len || sodium_memcmp(again.buf, s->buf, s->len) != 0)
			st = fail_inval(c, "the two passphrases do not match; nothing was changed");
	}
out:
	secret_wipe(&again);
	if (st)
		secret_wipe(s);
	close(fd);
	return st;
}

/* ---- key files ---- */

int read_key_file(struct ctl *c, unsigned char *out, size_t n, const char *path, const char *what)
{
	unsigned char buf[260];
	int st = ST_OK;

	if (2 * n + 3 > sizeof buf)
		return fail_inval(c, "%s: key too long", what);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail_as(c, "IO", "%s %.200s: %s", what, path, strerror(errno));
	size_t len = 0;
	for (;;) {
		ssize_t r = read(fd, buf + len, sizeof buf - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			st = fail_as(c, "IO", "%s %.200s: %s", what, path, strerror(errno));
			break;
		}
		if (r == 0)
			break;
		len += (size_t)r;
		if (len == sizeof buf)
			break;
	}
	close(fd);
	if (st == ST_OK) {
		if (len == n) {
			memcpy(out, buf, n);
		} else {
			while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
				len--;
			size_t got = 0;
			if (len != 2 * n || sodium_hex2bin(out, n, (const char *)buf, len, NULL, &got, NULL) != 0 || got != n)
				st = fail_inval(c, "%s %.200s: expected %zu bytes or %zu hex digits", what, path, n, 2 * n);
		}
	}
	sodium_memzero(buf, sizeof buf);
	return st;
}

/* ---- atomic writes ---- */

int write_file_atomic(struct ctl *c, const char *path, const void *data, size_t len, unsigned int mode, bool excl)
{
	char *dcopy = strdup(path), *bcopy = strdup(path), *tmp = NULL;
	int st = ST_OK, fd = -1;

	if (!dcopy || !bcopy) {
		st = fail_nomem(c);
		goto out;
	}
	const char *dir = dirname(dcopy), *base = basename(bcopy);
	if (excl && access(path, F_OK) == 0) {
		st = fail_as(c, "EXISTS", "%.200s already exists; not overwriting it", path);
		goto out;
	}
	size_t tlen = strlen(dir) + strlen(base) + 16;
	if (!(tmp = malloc(tlen))) {
		st = fail_nomem(c);
		goto out;
	}
	snprintf(tmp, tlen, "%s/.%s.XXXXXX", dir, base);
	if ((fd = mkostemp(tmp, O_CLOEXEC)) < 0) {
		st = fail_as(c, "IO", "%.200s: cannot create a file next to it: %s", path, strerror(errno));
		free(tmp);
		tmp = NULL;
		goto out;
	}
	if (fchmod(fd, (mode_t)mode) != 0)
		goto io;
	for (const char *p = data; len;) {
		ssize_t w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			goto io;
		p += w;
		len -= (size_t)w;
	}
	if (fsync(fd) != 0)
		goto io;
	if (close(fd) != 0) {
		fd = -1;
		goto io;
	}
	fd = -1;
	if (excl) {
		/* link() refuses to replace: the no-clobber check and the
		 * publication are one step. */
		if (link(tmp, path) != 0) {
			if (errno == EEXIST) {
				st = fail_as(c, "EXISTS", "%.200s already exists; not overwriting it", path);
				goto out;
			}
			goto io;
		}
		unlink(tmp);
	} else if (rename(tmp, path) != 0) {
		goto io;
	}
	free(tmp);
	tmp = NULL;
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd); /* the rename itself reaches the disk */
		close(dfd);
	}
	goto out;
io:
	st = fail_as(c, "IO", "%.200s: %s", path, strerror(errno));
out:
	if (fd >= 0)
		close(fd);
	if (tmp) {
		unlink(tmp);
		free(tmp);
	}
	free(dcopy);
	free(bcopy);
	return st;
}
