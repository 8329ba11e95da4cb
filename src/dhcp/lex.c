/* The tokens of ISC dhcpd's files (dhcpd.conf, dhcpd.leases): words,
 * quoted strings with their escapes, and { } ; = , as single tokens;
 * '#' comments. */
#include "dhcp/dhcp.h"

#include <ctype.h>
#include <stdio.h>

int ipam__dhcp_lex(ipam__dhcp_lexer *x)
{
	for (;;) {
		while (x->p < x->end && isspace((unsigned char)*x->p)) {
			if (*x->p == '\n')
				x->line++;
			x->p++;
		}
		if (x->p < x->end && *x->p == '#') {
			while (x->p < x->end && *x->p != '\n')
				x->p++;
			continue;
		}
		break;
	}
	x->len = 0;
	x->string = false;
	if (x->p >= x->end)
		return 0;
	char ch = *x->p;
	if (strchr("{};=,", ch)) {
		x->tok[x->len++] = ch;
		x->p++;
	} else if (ch == '"') {
		x->string = true;
		x->p++;
		for (;;) {
			if (x->p >= x->end || *x->p == '\n')
				return ipam__error(IPAM_EINVAL, "%s:%zu: a string does not end", x->file, x->line);
			char c = *x->p++;
			if (c == '"')
				break;
			if (c == '\\' && x->p < x->end) {
				c = *x->p++;
				if (c >= '0' && c <= '7') { /* \NNN octal */
					int v = c - '0';
					for (int k = 0; k < 2 && x->p < x->end && *x->p >= '0' && *x->p <= '7'; k++)
						v = v * 8 + (*x->p++ - '0');
					c = (char)v;
				} else if (c == 'n') {
					c = '\n';
				} else if (c == 't') {
					c = '\t';
				}
			}
			if (x->len + 1 >= sizeof x->tok)
				return ipam__error(IPAM_EINVAL, "%s:%zu: a string is too long", x->file, x->line);
			x->tok[x->len++] = c;
		}
	} else {
		while (x->p < x->end && !isspace((unsigned char)*x->p) && !strchr("{};=,\"#", *x->p)) {
			if (x->len + 1 >= sizeof x->tok)
				return ipam__error(IPAM_EINVAL, "%s:%zu: a word is too long", x->file, x->line);
			x->tok[x->len++] = *x->p++;
		}
	}
	x->tok[x->len] = '\0';
	return 1;
}

bool ipam__dhcp_lex_is(const ipam__dhcp_lexer *x, const char *word)
{
	return !x->string && strcmp(x->tok, word) == 0;
}

int ipam__dhcp_lex_expect(ipam__dhcp_lexer *x, const char *what)
{
	int rc = ipam__dhcp_lex(x);
	if (rc < 0)
		return rc;
	if (rc == 0)
		return ipam__error(IPAM_EINVAL, "%s:%zu: the file ends inside %s", x->file, x->line, what);
	return 0;
}

int ipam__dhcp_lex_skip(ipam__dhcp_lexer *x)
{
	size_t depth = 0;
	for (;;) {
		if (ipam__dhcp_lex_is(x, "{"))
			depth++;
		else if (ipam__dhcp_lex_is(x, "}")) {
			if (depth == 0)
				return ipam__error(IPAM_EINVAL, "%s:%zu: unexpected '}'", x->file, x->line);
			if (--depth == 0)
				return 0;
		} else if (ipam__dhcp_lex_is(x, ";") && depth == 0)
			return 0;
		int rc = ipam__dhcp_lex_expect(x, "a statement");
		if (rc)
			return rc;
	}
}

