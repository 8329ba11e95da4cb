/* See st_child.h. */
#include "st_child.h"
#include "st_common.h"

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int st_child_spawn(st_child *c, char *const argv[])
{
	return st_spawn(&c->pid, &c->in, &c->out, c->err, argv);
}

static int child_read(st_child *c)
{
	if (c->len + 4096 > c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 65536;
		char *b = realloc(c->buf, cap + 1);
		if (!b)
			return st__set_why("out of memory");
		c->buf = b;
		c->cap = cap;
	}
	ssize_t r = read(c->out, c->buf + c->len, c->cap - c->len);
	if (r < 0 && errno == EINTR)
		return 0;
	if (r < 0)
		return st__set_why(strerror(errno));
	if (r == 0)
		c->eof = 1;
	c->len += (size_t)r;
	c->buf[c->len] = 0;
	return 0;
}

int st_pump(st_child *ch, int n, int (*done)(const st_child *), int quiet_ms)
{
	if (n > ST_MAXCHILD)
		return st__set_why("st_pump: too many children");
	for (;;) {
		struct pollfd pf[ST_MAXCHILD];
		int m = 0, map[ST_MAXCHILD];
		for (int i = 0; i < n; i++)
			if (!done(&ch[i]) && !ch[i].eof) {
				pf[m].fd = ch[i].out;
				pf[m].events = POLLIN;
				map[m++] = i;
			}
		if (m == 0)
			return 0;
		int r = poll(pf, (nfds_t)m, quiet_ms);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return st__set_why(r == 0 ? "the helpers said nothing for too long" : strerror(errno));
		for (int j = 0; j < m; j++)
			if (pf[j].revents && child_read(&ch[map[j]]))
				return -1;
	}
}

int st_started(const st_child *c)
{
	return c->len >= 2;
}

int st_never(const st_child *c)
{
	(void)c;
	return 0;
}

const char *st_err_text(const char *path)
{
	static char b[2048];
	size_t n;
	uint8_t *t = st_read_file(path, &n);
	snprintf(b, sizeof b, "%s", t ? (const char *)t : "(no stderr)");
	free(t);
	return b;
}
