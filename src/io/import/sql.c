/* The SQL-dump reader: the INSERT statements of a MySQL/MariaDB dump
 * (mysqldump --complete-insert), one row per VALUES tuple, with the
 * physical line where the tuple starts. Strings take MySQL's escapes
 * (\' \" \\ \n \r \t \0 \Z, and '' inside quotes); NULL is a null value;
 * comments (-- , #, slash-star) and every other statement are skipped. */
#include "io/import/imp.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

typedef struct sql {
	const char *d;
	size_t len, pos;
	unsigned long line;
	const char *file;
} sql;

static int at_end(const sql *s)
{
	return s->pos >= s->len;
}

static char cur(const sql *s)
{
	return at_end(s) ? '\0' : s->d[s->pos];
}

static void adv(sql *s)
{
	if (!at_end(s) && s->d[s->pos++] == '\n')
		s->line++;
}

/* Blanks and comments. */
static void skip_ws(sql *s)
{
	for (;;) {
		while (!at_end(s) && isspace((unsigned char)cur(s)))
			adv(s);
		if (cur(s) == '#' || (cur(s) == '-' && s->pos + 1 < s->len && s->d[s->pos + 1] == '-')) {
			while (!at_end(s) && cur(s) != '\n')
				adv(s);
		} else if (cur(s) == '/' && s->pos + 1 < s->len && s->d[s->pos + 1] == '*') {
			adv(s);
			adv(s);
			while (!at_end(s) && !(cur(s) == '*' && s->pos + 1 < s->len && s->d[s->pos + 1] == '/'))
				adv(s);
			adv(s);
			adv(s);
		} else {
			return;
		}
	}
}

/* Skip to after the next ';' outside quotes. */
static void skip_statement(sql *s)
{
	char q = 0;
	while (!at_end(s)) {
		char c = cur(s);
		if (q) {
			if (c == '\\')
				adv(s);
			else if (c == q)
				q = 0;
		} else if (c == '\'' || c == '"' || c == '`') {
			q = c;
		} else if (c == ';') {
			adv(s);
			return;
		}
		adv(s);
	}
}

static int word(sql *s, const char *w)
{
	size_t n = strlen(w);
	if (s->pos + n > s->len || strncasecmp(s->d + s->pos, w, n) != 0 ||
	    (s->pos + n < s->len && (isalnum((unsigned char)s->d[s->pos + n]) || s->d[s->pos + n] == '_')))
		return 0;
	for (size_t i = 0; i < n; i++)
		adv(s);
	skip_ws(s);
	return 1;
}

/* A quoted value or identifier into b (NUL-terminated). */
static int quoted(sql *s, ipam_buf *b)
{
	char q = cur(s);
	unsigned long start = s->line;
	int rc = 0;
	b->size = 0;
	adv(s);
	for (;;) {
		if (at_end(s))
			return ipam__error(IPAM_EINVAL, "%s:%lu: a quoted value is never closed", s->file, start);
		char c = cur(s);
		if (c == '\\' && q != '`') {
			adv(s);
			char e = cur(s);
			c = e == 'n' ? '\n' : e == 'r' ? '\r' : e == 't' ? '\t' : e == '0' ? '\0' : e == 'Z' ? '\x1a' : e;
			if (c == '\0') /* a NUL cannot live in a C string: refuse the value */
				return ipam__error(IPAM_EINVAL, "%s:%lu: a NUL character (\\0) in a value", s->file, s->line);
		} else if (c == q) {
			adv(s);
			if (cur(s) != q)
				break;
		}
		if ((rc = ipam__buf_put(b, &c, 1)))
			return rc;
		adv(s);
	}
	skip_ws(s);
	return ipam__buf_put(b, "", 0);
}

/* An unquoted token (a number, NULL, a bare identifier) into b. */
static int bare(sql *s, ipam_buf *b)
{
	b->size = 0;
	while (!at_end(s) && (isalnum((unsigned char)cur(s)) || strchr("_.-+", cur(s)))) {
		char c = cur(s);
		if (ipam__buf_put(b, &c, 1))
			return IPAM_ENOMEM;
		adv(s);
	}
	if (!b->size)
		return ipam__error(IPAM_EINVAL, "%s:%lu: unexpected '%c'", s->file, s->line,
		                   isprint((unsigned char)cur(s)) ? cur(s) : '?');
	skip_ws(s);
	return ipam__buf_put(b, "", 0);
}

static int expect(sql *s, char c)
{
	if (cur(s) != c)
		return ipam__error(IPAM_EINVAL, "%s:%lu: expected '%c'", s->file, s->line, c);
	adv(s);
	skip_ws(s);
	return 0;
}

/* After an item of a parenthesised list: 1 when another follows (','),
 * 0 at the closing ')', else an error. */
static int list_more(sql *s)
{
	if (cur(s) == ',') {
		adv(s);
		skip_ws(s);
		return 1;
	}
	return expect(s, ')');
}

/* One string list (owned strings; NULL entries for SQL NULL). */
typedef struct strs {
	char **v;
	size_t n, cap;
} strs;

static void strs_clear(strs *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	l->n = 0;
}

static int strs_push(strs *l, const char *s)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		char **v = realloc(l->v, cap * sizeof *v);
		if (!v)
			return ipam__enomem();
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n] = NULL;
	if (s && !(l->v[l->n] = ipam__strdup(s)))
		return IPAM_ENOMEM;
	l->n++;
	return 0;
}

static int insert(sql *s, ipam__sql_row_fn fn, void *ctx, strs *cols, strs *vals, ipam_buf *b)
{
	int rc;
	char table[128];
	if (!word(s, "INTO"))
		return ipam__error(IPAM_EINVAL, "%s:%lu: INSERT without INTO", s->file, s->line);
	if ((rc = cur(s) == '`' ? quoted(s, b) : bare(s, b)))
		return rc;
	snprintf(table, sizeof table, "%s", b->ptr);
	strs_clear(cols);
	if (cur(s) != '(')
		return ipam__error(IPAM_EINVAL,
		                   "%s:%lu: INSERT INTO %s without a column list: dump with mysqldump --complete-insert",
		                   s->file, s->line, table);
	adv(s);
	skip_ws(s);
	for (;;) {
		if ((rc = cur(s) == '`' ? quoted(s, b) : bare(s, b)) || (rc = strs_push(cols, b->ptr)))
			return rc;
		if ((rc = list_more(s)) <= 0) {
			if (rc)
				return rc;
			break;
		}
	}
	if (!word(s, "VALUES") && !word(s, "VALUE"))
		return ipam__error(IPAM_EINVAL, "%s:%lu: expected VALUES", s->file, s->line);
	for (;;) {
		unsigned long line = s->line;
		strs_clear(vals);
		if ((rc = expect(s, '(')))
			return rc;
		for (;;) {
			if (cur(s) == '\'' || cur(s) == '"') {
				rc = quoted(s, b);
				rc = rc ? rc : strs_push(vals, b->ptr);
			} else {
				rc = bare(s, b);
				rc = rc ? rc : strs_push(vals, strcasecmp(b->ptr, "NULL") == 0 ? NULL : b->ptr);
			}
			if (rc || (rc = list_more(s)) < 0)
				return rc;
			if (!rc)
				break;
		}
		if (vals->n != cols->n) {
			if ((rc = fn(ctx, table, NULL, NULL, vals->n, line)))
				return rc;
		} else if ((rc = fn(ctx, table, (const char *const *)cols->v, (const char *const *)vals->v, cols->n, line))) {
			return rc;
		}
		if (cur(s) == ',') {
			adv(s);
			skip_ws(s);
			continue;
		}
		if (cur(s) == ';' || at_end(s)) {
			adv(s);
			return 0;
		}
		return ipam__error(IPAM_EINVAL, "%s:%lu: expected ',' or ';' after a row", s->file, s->line);
	}
}

int ipam__sql_each_insert(const char *file, const char *data, size_t len, ipam__sql_row_fn fn, void *ctx)
{
	sql s = { data, len, 0, 1, file };
	strs cols = { 0 }, vals = { 0 };
	ipam_buf b = IPAM_BUF_INIT;
	int rc = 0;
	if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
		s.pos = 3;
	while (!rc) {
		skip_ws(&s);
		if (at_end(&s))
			break;
		if (word(&s, "INSERT") || word(&s, "REPLACE"))
			rc = insert(&s, fn, ctx, &cols, &vals, &b);
		else
			skip_statement(&s);
	}
	strs_clear(&cols);
	strs_clear(&vals);
	free(cols.v);
	free(vals.v);
	ipam_buf_dispose(&b);
	return rc;
}
