/* A small strict XML reader for the importers (no XML library is in the
 * allowed Debian packages): elements, attributes, text with the five
 * predefined entities and character references, CDATA, comments,
 * processing instructions and the XML declaration; no DTD. Anything else,
 * or a closing tag that does not match, is an error naming the line. */
#include "io/import/imp.h"

#include <stdlib.h>

#define XML_MAX_DEPTH 64

typedef struct xreader {
	const char *file;
	const char *d;
	size_t len, pos;
	unsigned long line;
} xreader;

static int xerr(const xreader *r, const char *what)
{
	return ipam__error(IPAM_EINVAL, "%s:%lu: not well-formed XML: %s", r->file, r->line, what);
}

static int peek_is(const xreader *r, const char *s)
{
	size_t n = strlen(s);
	return r->len - r->pos >= n && !memcmp(r->d + r->pos, s, n);
}

static void advance(xreader *r, size_t n)
{
	for (size_t i = 0; i < n && r->pos < r->len; i++)
		r->line += r->d[r->pos++] == '\n';
}

/* Skip to just past `end`; error when it never comes. */
static int skip_past(xreader *r, const char *end, const char *what)
{
	while (r->pos < r->len && !peek_is(r, end))
		advance(r, 1);
	if (r->pos >= r->len)
		return xerr(r, what);
	advance(r, strlen(end));
	return 0;
}

static void skip_space(xreader *r)
{
	while (r->pos < r->len && strchr(" \t\r\n", r->d[r->pos]))
		advance(r, 1);
}

static int is_name_char(char c, int first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' || (unsigned char)c >= 0x80 ||
	       (!first && ((c >= '0' && c <= '9') || c == '-' || c == '.'));
}

static int read_name(xreader *r, ipam_buf *out)
{
	out->size = 0;
	if (r->pos >= r->len || !is_name_char(r->d[r->pos], 1))
		return xerr(r, "a name was expected");
	while (r->pos < r->len && is_name_char(r->d[r->pos], 0)) {
		if (ipam__buf_put(out, r->d + r->pos, 1))
			return IPAM_ENOMEM;
		advance(r, 1);
	}
	return ipam__buf_put(out, "", 1) ? IPAM_ENOMEM : (out->size--, 0);
}

/* One UTF-8 code point. */
static int put_utf8(ipam_buf *out, unsigned long cp)
{
	char b[4];
	size_t n;
	if (cp < 0x80)
		b[0] = (char)cp, n = 1;
	else if (cp < 0x800)
		b[0] = (char)(0xC0 | (cp >> 6)), b[1] = (char)(0x80 | (cp & 0x3F)), n = 2;
	else if (cp < 0x10000)
		b[0] = (char)(0xE0 | (cp >> 12)), b[1] = (char)(0x80 | ((cp >> 6) & 0x3F)),
		b[2] = (char)(0x80 | (cp & 0x3F)), n = 3;
	else
		b[0] = (char)(0xF0 | (cp >> 18)), b[1] = (char)(0x80 | ((cp >> 12) & 0x3F)),
		b[2] = (char)(0x80 | ((cp >> 6) & 0x3F)), b[3] = (char)(0x80 | (cp & 0x3F)), n = 4;
	return ipam__buf_put(out, b, n);
}

/* An entity or character reference at '&' into out. */
static int entity(xreader *r, ipam_buf *out)
{
	static const struct {
		const char *name;
		char c;
	} named[] = { { "&amp;", '&' }, { "&lt;", '<' }, { "&gt;", '>' }, { "&quot;", '"' }, { "&apos;", '\'' } };
	for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
		if (peek_is(r, named[i].name)) {
			advance(r, strlen(named[i].name));
			return ipam__buf_put(out, &named[i].c, 1);
		}
	if (!peek_is(r, "&#"))
		return xerr(r, "an unknown entity (only &amp; &lt; &gt; &quot; &apos; and &#N;)");
	advance(r, 2);
	int hex = r->pos < r->len && r->d[r->pos] == 'x';
	if (hex)
		advance(r, 1);
	unsigned long cp = 0;
	size_t digits = 0;
	while (r->pos < r->len && r->d[r->pos] != ';' && digits < 8) {
		char c = r->d[r->pos];
		int v = c >= '0' && c <= '9' ? c - '0' : hex && c >= 'a' && c <= 'f' ? c - 'a' + 10
		                                       : hex && c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
		if (v < 0)
			return xerr(r, "a bad character reference");
		cp = cp * (hex ? 16 : 10) + (unsigned long)v;
		digits++;
		advance(r, 1);
	}
	if (!digits || r->pos >= r->len || r->d[r->pos] != ';' || cp == 0 || cp > 0x10FFFF ||
	    (cp >= 0xD800 && cp <= 0xDFFF))
		return xerr(r, "a bad character reference");
	advance(r, 1);
	return put_utf8(out, cp);
}

static ipam__xml *node_new(const char *name, unsigned long line)
{
	ipam__xml *n = calloc(1, sizeof *n);
	if (n && !(n->name = ipam__strdup(name))) {
		free(n);
		return NULL;
	}
	if (n)
		n->line = line;
	return n;
}

void ipam__xml_free(ipam__xml *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->nkids; i++)
		ipam__xml_free(n->kids[i]);
	free(n->kids);
	free(n->name);
	free(n->text);
	free(n);
}

static int add_kid(ipam__xml *p, ipam__xml *k)
{
	ipam__xml **v = realloc(p->kids, (p->nkids + 1) * sizeof *v);
	if (!v) {
		ipam__xml_free(k);
		return ipam__enomem();
	}
	p->kids = v;
	v[p->nkids++] = k;
	return 0;
}

/* Attributes up to '>' or '/>' (checked, not kept: the importers read
 * elements). *empty is set for '/>'. */
static int attributes(xreader *r, ipam_buf *tmp, int *empty)
{
	for (;;) {
		skip_space(r);
		if (peek_is(r, "/>")) {
			advance(r, 2);
			*empty = 1;
			return 0;
		}
		if (peek_is(r, ">")) {
			advance(r, 1);
			*empty = 0;
			return 0;
		}
		int rc = read_name(r, tmp);
		if (rc)
			return rc;
		skip_space(r);
		if (!peek_is(r, "="))
			return xerr(r, "an attribute without '='");
		advance(r, 1);
		skip_space(r);
		char q = r->pos < r->len ? r->d[r->pos] : 0;
		if (q != '"' && q != '\'')
			return xerr(r, "an attribute value without quotes");
		advance(r, 1);
		while (r->pos < r->len && r->d[r->pos] != q) {
			if (r->d[r->pos] == '<')
				return xerr(r, "'<' in an attribute value");
			advance(r, 1);
		}
		if (r->pos >= r->len)
			return xerr(r, "an attribute value is never closed");
		advance(r, 1);
	}
}

/* The content of element n up to its closing tag. */
static int content(xreader *r, ipam__xml *n, int depth)
{
	ipam_buf text = IPAM_BUF_INIT, name = IPAM_BUF_INIT;
	int rc = 0;
	if (depth > XML_MAX_DEPTH)
		return xerr(r, "elements nested too deep");
	while (!rc) {
		if (r->pos >= r->len) {
			rc = xerr(r, "the document ends inside an element");
		} else if (peek_is(r, "<!--")) {
			rc = skip_past(r, "-->", "a comment is never closed");
		} else if (peek_is(r, "<![CDATA[")) {
			advance(r, 9);
			size_t s = r->pos;
			if (!(rc = skip_past(r, "]]>", "a CDATA section is never closed")))
				rc = ipam__buf_put(&text, r->d + s, r->pos - 3 - s);
		} else if (peek_is(r, "<?")) {
			rc = skip_past(r, "?>", "a processing instruction is never closed");
		} else if (peek_is(r, "</")) {
			advance(r, 2);
			if (!(rc = read_name(r, &name))) {
				skip_space(r);
				if (strcmp(name.ptr, n->name))
					rc = xerr(r, "a closing tag that does not match the open element");
				else if (!peek_is(r, ">"))
					rc = xerr(r, "'>' expected");
				else {
					advance(r, 1);
					break;
				}
			}
		} else if (peek_is(r, "<!")) {
			rc = xerr(r, "a DTD or declaration (not read)");
		} else if (peek_is(r, "<")) {
			unsigned long line = r->line;
			int empty = 0;
			advance(r, 1);
			ipam__xml *k = NULL;
			if (!(rc = read_name(r, &name)) && !(k = node_new(name.ptr, line)))
				rc = ipam__enomem();
			if (!rc && (rc = add_kid(n, k)) == 0 && !(rc = attributes(r, &name, &empty)) && !empty)
				rc = content(r, k, depth + 1);
		} else if (peek_is(r, "&")) {
			rc = entity(r, &text);
		} else {
			rc = ipam__buf_put(&text, r->d + r->pos, 1);
			advance(r, 1);
		}
	}
	/* the text with blanks trimmed at both ends */
	size_t a = 0, e = text.size;
	while (a < e && strchr(" \t\r\n", text.ptr[a]))
		a++;
	while (e > a && strchr(" \t\r\n", text.ptr[e - 1]))
		e--;
	if (!rc && e > a && !(n->text = malloc(e - a + 1)))
		rc = ipam__enomem();
	if (!rc && e > a) {
		memcpy(n->text, text.ptr + a, e - a);
		n->text[e - a] = '\0';
	}
	ipam_buf_dispose(&text);
	ipam_buf_dispose(&name);
	return rc;
}

int ipam__xml_parse(ipam__xml **out, const char *file, const char *data, size_t len)
{
	xreader r = { file, data, len, 0, 1 };
	ipam_buf name = IPAM_BUF_INIT;
	int rc = 0, empty = 0;
	*out = NULL;
	if (len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3))
		r.pos = 3;
	/* the prolog: declaration, comments, blanks */
	for (;;) {
		skip_space(&r);
		if (peek_is(&r, "<?"))
			rc = skip_past(&r, "?>", "a processing instruction is never closed");
		else if (peek_is(&r, "<!--"))
			rc = skip_past(&r, "-->", "a comment is never closed");
		else
			break;
		if (rc)
			return rc;
	}
	if (peek_is(&r, "<!"))
		return xerr(&r, "a DTD or declaration (not read)");
	if (!peek_is(&r, "<"))
		return xerr(&r, "no root element");
	unsigned long line = r.line;
	advance(&r, 1);
	ipam__xml *root = NULL;
	if (!(rc = read_name(&r, &name)) && !(root = node_new(name.ptr, line)))
		rc = ipam__enomem();
	if (!rc && !(rc = attributes(&r, &name, &empty)) && !empty)
		rc = content(&r, root, 1);
	/* after the root: only comments, processing instructions, blanks */
	while (!rc) {
		skip_space(&r);
		if (r.pos >= r.len)
			break;
		if (peek_is(&r, "<!--"))
			rc = skip_past(&r, "-->", "a comment is never closed");
		else if (peek_is(&r, "<?"))
			rc = skip_past(&r, "?>", "a processing instruction is never closed");
		else
			rc = xerr(&r, "content after the root element");
	}
	ipam_buf_dispose(&name);
	if (rc) {
		ipam__xml_free(root);
		return rc;
	}
	*out = root;
	return 0;
}

const ipam__xml *ipam__xml_child(const ipam__xml *n, const char *name)
{
	for (size_t i = 0; n && i < n->nkids; i++)
		if (!strcmp(n->kids[i]->name, name))
			return n->kids[i];
	return NULL;
}

const char *ipam__xml_text(const ipam__xml *n, const char *name)
{
	const ipam__xml *k = name ? ipam__xml_child(n, name) : n;
	return k && k->text ? k->text : "";
}
