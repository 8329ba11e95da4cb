/* The CSV reader every CSV source shares: RFC 4180 quoting (a doubled quote
 * inside quotes, delimiters and newlines inside quotes), an optional UTF-8
 * BOM, CRLF or LF line ends, ',' or ';'. A record remembers the physical
 * line it starts on, so reports name the line an editor shows. */
#include "io/import/imp.h"

#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

void ipam__csv_init(ipam__csv *c, const char *data, size_t len, char delim)
{
	memset(c, 0, sizeof *c);
	c->data = data;
	c->len = len;
	c->line = 1;
	c->delim = delim;
	if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
		c->pos = 3;
}

void ipam__csv_dispose(ipam__csv *c)
{
	free(c->buf);
	free(c->offs);
	free(c->fields);
	memset(c, 0, sizeof *c);
}

static int put(ipam__csv *c, size_t *n, char ch)
{
	if (*n == c->cbuf) {
		size_t cap = c->cbuf ? c->cbuf * 2 : 256;
		char *b = realloc(c->buf, cap);
		if (!b)
			return ipam__enomem();
		c->buf = b;
		c->cbuf = cap;
	}
	c->buf[(*n)++] = ch;
	return 0;
}

static int end_field(ipam__csv *c, size_t *n, size_t start)
{
	if (c->nfields == c->coffs) {
		size_t cap = c->coffs ? c->coffs * 2 : 16;
		size_t *o = realloc(c->offs, cap * sizeof *o);
		if (!o)
			return ipam__enomem();
		c->offs = o;
		c->coffs = cap;
	}
	c->offs[c->nfields++] = start;
	return put(c, n, '\0');
}

/* At pos: a line end? Its length (1 for LF or a lone CR, 2 for CRLF), else 0. */
static size_t eol(const ipam__csv *c, size_t pos)
{
	if (pos >= c->len)
		return 0;
	if (c->data[pos] == '\n')
		return 1;
	if (c->data[pos] == '\r')
		return pos + 1 < c->len && c->data[pos + 1] == '\n' ? 2 : 1;
	return 0;
}

int ipam__csv_next(ipam__csv *c)
{
	size_t n = 0, e;
	int rc;

	/* skip empty lines */
	while ((e = eol(c, c->pos))) {
		c->pos += e;
		c->line++;
	}
	if (c->pos >= c->len)
		return 0;
	c->nfields = 0;
	c->rec_line = c->line;
	for (;;) {
		size_t start = n;
		if (c->pos < c->len && c->data[c->pos] == '"') {
			unsigned long qline = c->line;
			c->pos++;
			for (;;) {
				if (c->pos >= c->len)
					return ipam__error(IPAM_EINVAL, "line %lu: a quoted field is never closed", qline);
				char ch = c->data[c->pos];
				if (ch == '"') {
					if (c->pos + 1 < c->len && c->data[c->pos + 1] == '"') {
						if ((rc = put(c, &n, '"')))
							return rc;
						c->pos += 2;
						continue;
					}
					c->pos++;
					break;
				}
				if (ch == '\n' || (ch == '\r' && !(c->pos + 1 < c->len && c->data[c->pos + 1] == '\n')))
					c->line++;
				if ((rc = put(c, &n, ch)))
					return rc;
				c->pos++;
			}
			if (c->pos < c->len && c->data[c->pos] != c->delim && !eol(c, c->pos))
				return ipam__error(IPAM_EINVAL, "line %lu: text after the closing quote of a field", c->line);
		} else {
			while (c->pos < c->len && c->data[c->pos] != c->delim && !eol(c, c->pos)) {
				if ((rc = put(c, &n, c->data[c->pos])))
					return rc;
				c->pos++;
			}
		}
		if ((rc = end_field(c, &n, start)))
			return rc;
		if (c->pos < c->len && c->data[c->pos] == c->delim) {
			c->pos++;
			continue;
		}
		if ((e = eol(c, c->pos))) {
			c->pos += e;
			c->line++;
		}
		break;
	}
	if (c->nfields > c->cfields) {
		const char **f = realloc(c->fields, c->nfields * sizeof *f);
		if (!f)
			return ipam__enomem();
		c->fields = f;
		c->cfields = c->nfields;
	}
	for (size_t i = 0; i < c->nfields; i++)
		c->fields[i] = c->buf + c->offs[i];
	return 1;
}

char ipam__csv_sniff(const char *data, size_t len)
{
	size_t comma = 0, semi = 0;
	int q = 0;
	for (size_t i = 0; i < len; i++) {
		char ch = data[i];
		if (ch == '"')
			q = !q;
		else if (!q && (ch == '\n' || ch == '\r'))
			break;
		else if (!q && ch == ',')
			comma++;
		else if (!q && ch == ';')
			semi++;
	}
	return semi > comma ? ';' : ',';
}

int ipam__csv_col(const char *const *hdr, size_t n, const char *name)
{
	size_t len = strlen(name);
	for (size_t i = 0; i < n; i++) {
		const char *h = hdr[i];
		size_t hl = strlen(h);
		while (hl && (h[hl - 1] == '*' || h[hl - 1] == ' '))
			hl--;
		while (hl && *h == ' ')
			h++, hl--;
		if (hl == len && strncasecmp(h, name, len) == 0)
			return (int)i;
	}
	return -1;
}

int ipam__imp_in_file(int rc, const char *file)
{
	char msg[512];
	snprintf(msg, sizeof msg, "%s", ipam_error_last()->message);
	return ipam__error(rc, "%s: %s", file, msg);
}

const char *ipam__imp_row_get(const ipam__imp_row *r, const char *key)
{
	int i = ipam__csv_col(r->keys, r->n, key);
	return i < 0 ? "" : r->vals[i];
}

int ipam__imp_row_bad(ipam__imp_model *m, const ipam__imp_row *r, const char *field, const char *what)
{
	const char *v = ipam__imp_row_get(r, field);
	return ipam__imp_err(m, r->file, r->line, field, v, "%s: %s: '%.200s'", field, what, v);
}
