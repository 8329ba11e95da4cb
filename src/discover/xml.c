/* The XML the AWS APIs write (EC2's Query API, Route 53's REST API), read
 * as a stream of element opens and leaf values: a prolog, elements with
 * attributes, text with the five predefined entities and numeric character
 * references, comments. No DTDs, no CDATA: an answer with them is refused.
 * Nesting is bounded (IPAM__XML_DEPTH); an explicit stack, no recursion.
 * Pure (no I/O) and fuzzed through its users (fuzz/discover_ec2_fuzzer.c,
 * fuzz/cloud_dns_fuzzer.c). */
#include "discover/disc.h"

#include <stdio.h>
#include <stdlib.h>

static int line_of(const ipam__xmlsax *x)
{
	int line = 1;
	for (size_t i = 0; i < x->pos && i < x->len; i++)
		line += x->text[i] == '\n';
	return line;
}

int ipam__xmlsax_bad(const ipam__xmlsax *x, const char *why)
{
	return ipam__error(IPAM_EINVAL, "%s: line %d: %s", x->what, line_of(x), why);
}

bool ipam__xmlsax_at(const ipam__xmlsax *x, int from, const char *path)
{
	int d = from;
	for (;;) {
		size_t n = strcspn(path, "/");
		if (d >= x->depth || strlen(x->stack[d]) != n || memcmp(x->stack[d], path, n) != 0)
			return false;
		d++;
		if (!path[n])
			return d == x->depth;
		path += n + 1;
	}
}

void ipam__xmlsax_copy(char *dst, size_t size, const char *v)
{
	size_t n = strlen(v);
	if (n >= size)
		n = size - 1;
	memcpy(dst, v, n);
	dst[n] = '\0';
}

/* Append text to the value, decoding entities. */
static int text(ipam__xmlsax *x, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '&') {
			size_t e = i + 1;
			while (e < n && e < i + 12 && s[e] != ';')
				e++;
			if (e >= n || s[e] != ';')
				return ipam__xmlsax_bad(x, "an unterminated entity");
			const char *ent = s + i + 1;
			size_t el = e - i - 1;
			unsigned long cp = 0;
			if (el == 3 && !memcmp(ent, "amp", 3))
				c = '&';
			else if (el == 2 && !memcmp(ent, "lt", 2))
				c = '<';
			else if (el == 2 && !memcmp(ent, "gt", 2))
				c = '>';
			else if (el == 4 && !memcmp(ent, "quot", 4))
				c = '"';
			else if (el == 4 && !memcmp(ent, "apos", 4))
				c = '\'';
			else if (el >= 2 && ent[0] == '#') {
				char *end;
				char num[12] = { 0 };
				memcpy(num, ent + 1, el - 1);
				cp = num[0] == 'x' ? strtoul(num + 1, &end, 16) : strtoul(num, &end, 10);
				if (*end || cp == 0 || cp > 0x7f)
					c = '?'; /* ids, names and addresses are ASCII */
				else
					c = (char)cp;
			} else {
				return ipam__xmlsax_bad(x, "an unknown entity");
			}
			i = e;
		}
		if (x->nval + 1 < sizeof x->val)
			x->val[x->nval++] = c;
		else
			x->val_over = true;
	}
	x->val[x->nval] = '\0';
	return 0;
}

/* A tag at s (left bytes, s[0] == '<'): how far it goes, or an error. */
static int tag(ipam__xmlsax *x, const char *s, size_t left, int *roots)
{
	size_t e = 1;
	char q = 0;
	while (e < left && (q || s[e] != '>')) {
		if (q && s[e] == q)
			q = 0;
		else if (!q && (s[e] == '"' || s[e] == '\''))
			q = s[e];
		e++;
	}
	if (e >= left)
		return ipam__xmlsax_bad(x, "an unterminated tag");
	bool closing = s[1] == '/', empty = !closing && s[e - 1] == '/';
	const char *name = s + (closing ? 2 : 1);
	size_t nl = 0;
	while (name + nl < s + e && !strchr(" \t\r\n/>", name[nl]))
		nl++;
	if (!nl)
		return ipam__xmlsax_bad(x, "a tag without a name");
	/* namespace prefixes are dropped: "<ec2:item>" is "item" */
	const char *colon = memchr(name, ':', nl);
	if (colon) {
		nl -= (size_t)(colon + 1 - name);
		name = colon + 1;
	}
	int rc = 0;
	if (closing) {
		if (!x->depth || strlen(x->stack[x->depth - 1]) != nl || memcmp(x->stack[x->depth - 1], name, nl))
			return ipam__xmlsax_bad(x, "a closing tag that does not match the open one");
		if (x->val_over)
			return ipam__xmlsax_bad(x, "a value longer than 4095 bytes");
		if (x->nval)
			rc = x->leaf(x);
		if (!rc)
			rc = x->close(x);
		x->depth--;
	} else {
		if (x->depth == IPAM__XML_DEPTH)
			return ipam__xmlsax_bad(x, "elements nested deeper than 24");
		if (x->depth == 0 && (*roots)++)
			return ipam__xmlsax_bad(x, "a second root element");
		snprintf(x->stack[x->depth], sizeof x->stack[0], "%.*s", (int)nl, name);
		x->depth++;
		rc = x->open(x);
		if (!rc && empty) {
			rc = x->close(x);
			x->depth--;
		}
	}
	x->nval = 0;
	x->val[0] = '\0';
	x->val_over = false;
	x->pos += e + 1;
	return rc;
}

int ipam__xmlsax_parse(ipam__xmlsax *x)
{
	int rc = 0, roots = 0;
	x->pos = 0;
	x->depth = 0;
	x->nval = 0;
	x->val_over = false;
	while (x->pos < x->len && !rc) {
		const char *s = x->text + x->pos;
		size_t left = x->len - x->pos;
		if (*s != '<') {
			size_t n = 0;
			while (n < left && s[n] != '<')
				n++;
			if (x->depth == 0) {
				for (size_t i = 0; i < n && !rc; i++)
					if (!strchr(" \t\r\n", s[i]))
						rc = ipam__xmlsax_bad(x, "text outside the root element");
			} else {
				rc = text(x, s, n);
			}
			x->pos += n;
		} else if (left >= 4 && !memcmp(s, "<!--", 4)) {
			const char *e = memmem(s + 4, left - 4, "-->", 3);
			if (!e)
				rc = ipam__xmlsax_bad(x, "an unterminated comment");
			else
				x->pos += (size_t)(e - s) + 3;
		} else if (left >= 2 && s[1] == '?') {
			const char *e = memmem(s, left, "?>", 2);
			if (!e)
				rc = ipam__xmlsax_bad(x, "an unterminated processing instruction");
			else
				x->pos += (size_t)(e - s) + 2;
		} else if (left >= 2 && s[1] == '!') {
			rc = ipam__xmlsax_bad(x, "a DTD or CDATA section (AWS sends neither)");
		} else {
			rc = tag(x, s, left, &roots);
		}
	}
	if (!rc && (x->depth || !roots))
		rc = ipam__xmlsax_bad(x, x->depth ? "the document ends inside an element" : "no root element");
	return rc;
}
