/* EC2 Query API answers (XML) turned into observations. Pure (no I/O) and
 * fuzzed (fuzz/discover_ec2_fuzzer.c): the text is whatever a server sent.
 *
 * The XML read here is the subset EC2 writes: a prolog, elements with
 * attributes, text with the five predefined entities and numeric character
 * references, comments. No DTDs, no CDATA: an answer with them is refused.
 * Nesting is bounded (IPAM__EC2_DEPTH); an explicit stack, no recursion. */
#include "discover/disc.h"

#include <stdio.h>
#include <stdlib.h>

#define IPAM__EC2_DEPTH 24

enum rec { R_NONE, R_VPC, R_SUBNET, R_ENI };

typedef struct parser {
	const char *text;
	size_t len, pos;
	const char *what;
	char stack[IPAM__EC2_DEPTH][48];
	int depth;
	char val[1024]; /* the text of the element being read */
	size_t nval;
	bool val_over;
	/* the item being read */
	enum rec rec;
	int rec_depth;
	char id[64], vpc[64], owner[32], subnet[64], mac[32];
	ipam_prefix cidrs[16];
	size_t ncidr;
	ipam_addr addrs[32];
	char names[32][256];
	size_t naddr;
	ipam__ec2_page *page;
} parser;

static int line_of(const parser *p)
{
	int line = 1;
	for (size_t i = 0; i < p->pos && i < p->len; i++)
		line += p->text[i] == '\n';
	return line;
}

static int bad(parser *p, const char *why)
{
	return ipam__error(IPAM_EINVAL, "%s: line %d: %s", p->what, line_of(p), why);
}

/* The path below the current item: "a/b/c" of stack[rec_depth+1..depth). */
static bool rel_is(const parser *p, const char *path)
{
	int d = p->rec_depth + 1;
	for (;;) {
		size_t n = strcspn(path, "/");
		if (d >= p->depth || strlen(p->stack[d]) != n || memcmp(p->stack[d], path, n) != 0)
			return false;
		d++;
		if (!path[n])
			return d == p->depth;
		path += n + 1;
	}
}

/* Ids, MACs and messages into their fixed fields (cut at the field's size). */
static void copy(char *dst, size_t size, const char *v)
{
	size_t n = strlen(v);
	if (n >= size)
		n = size - 1;
	memcpy(dst, v, n);
	dst[n] = '\0';
}

static int take_cidr(parser *p, const char *v)
{
	if (p->ncidr == sizeof p->cidrs / sizeof p->cidrs[0])
		return 0;
	if (ipam_prefix_parse(&p->cidrs[p->ncidr], v, 0) != 0)
		return bad(p, "a CIDR block that is not a prefix");
	p->ncidr++;
	return 0;
}

static int take_addr(parser *p, const char *v)
{
	if (p->naddr == sizeof p->addrs / sizeof p->addrs[0])
		return 0;
	if (ipam_addr_parse(&p->addrs[p->naddr], v) != 0)
		return bad(p, "a private address that is not an address");
	p->names[p->naddr][0] = '\0';
	p->naddr++;
	return 0;
}

/* The end of a leaf element whose text is p->val. */
static int leaf(parser *p)
{
	const char *v = p->val;
	const char *name = p->stack[p->depth - 1];
	if (p->depth == 2 && strcmp(name, "nextToken") == 0) {
		free(p->page->next_token);
		return (p->page->next_token = ipam__strdup(v)) ? 0 : IPAM_ENOMEM;
	}
	if (p->depth == 4 && strcmp(p->stack[1], "Errors") == 0 && strcmp(p->stack[2], "Error") == 0) {
		if (strcmp(name, "Code") == 0)
			copy(p->page->error_code, sizeof p->page->error_code, v);
		else if (strcmp(name, "Message") == 0)
			copy(p->page->error_message, sizeof p->page->error_message, v);
		return 0;
	}
	if (p->rec == R_NONE)
		return 0;
	if (rel_is(p, "vpcId"))
		copy(p->vpc, sizeof p->vpc, v);
	else if (rel_is(p, "ownerId"))
		copy(p->owner, sizeof p->owner, v);
	else if (rel_is(p, "subnetId"))
		copy(p->rec == R_SUBNET ? p->id : p->subnet, p->rec == R_SUBNET ? sizeof p->id : sizeof p->subnet, v);
	else if (rel_is(p, "networkInterfaceId"))
		copy(p->id, sizeof p->id, v);
	else if (rel_is(p, "macAddress"))
		copy(p->mac, sizeof p->mac, v);
	else if (p->rec != R_ENI && (rel_is(p, "cidrBlock") || rel_is(p, "cidrBlockAssociationSet/item/cidrBlock") ||
				     rel_is(p, "ipv6CidrBlockAssociationSet/item/ipv6CidrBlock")))
		return take_cidr(p, v);
	else if (p->rec == R_ENI && (rel_is(p, "privateIpAddressesSet/item/privateIpAddress") ||
				     rel_is(p, "ipv6AddressesSet/item/ipv6Address")))
		return take_addr(p, v);
	else if (p->rec == R_ENI && rel_is(p, "privateIpAddressesSet/item/privateDnsName") && p->naddr)
		copy(p->names[p->naddr - 1], sizeof p->names[0], v);
	return 0;
}

static int space_of(parser *p, char *out, size_t size)
{
	if (!p->vpc[0])
		return bad(p, "an item without a vpcId");
	const char *owner = p->owner[0] ? p->owner : p->page->account ? p->page->account : "unknown";
	int w = snprintf(out, size, "aws/%s/%s/%s", owner, p->page->region, p->vpc);
	if (w < 0 || (size_t)w >= size || !ipam__disc_space_name_ok(out))
		return bad(p, "account, region and VPC id make no space name (1..63 of letters, digits, -_.:/)");
	const char *const labels[] = { "provider", "aws", "account", owner, "region", p->page->region, "vpc", p->vpc,
				       NULL };
	return ipam__disc_space_note(&p->page->spaces, out, labels);
}

/* The end of an item: its observations. */
static int item_done(parser *p)
{
	char space[80];
	int rc = space_of(p, space, sizeof space);
	if (rc)
		return rc;
	ipam_observation o = IPAM_OBSERVATION_INIT;
	o.space = space;
	o.source = "aws";
	o.first_seen = o.last_seen = p->page->now;
	if (p->rec != R_ENI) {
		o.kind = IPAM_OBS_SUBNET;
		o.device = p->rec == R_VPC ? p->vpc : p->id;
		for (size_t i = 0; i < p->ncidr && !rc; i++) {
			o.subnet = p->cidrs[i];
			rc = ipam_obs_set_add(p->page->out, &o);
		}
		return rc;
	}
	o.device = p->id[0] ? p->id : NULL;
	if (p->mac[0]) {
		if (ipam_mac_parse(&o.mac, p->mac) != 0)
			return bad(p, "a macAddress that is not a MAC");
		o.has_mac = 1;
	}
	for (size_t i = 0; i < p->naddr && !rc; i++) {
		o.addr = p->addrs[i];
		o.name = p->names[i][0] ? p->names[i] : NULL;
		rc = ipam_obs_set_add(p->page->out, &o);
	}
	return rc;
}

static void start_item(parser *p)
{
	const char *set = p->stack[p->depth - 2];
	p->rec = strcmp(set, "vpcSet") == 0 ? R_VPC : strcmp(set, "subnetSet") == 0 ? R_SUBNET
					     : strcmp(set, "networkInterfaceSet") == 0 ? R_ENI : R_NONE;
	if (p->rec == R_NONE)
		return;
	p->rec_depth = p->depth - 1;
	p->id[0] = p->vpc[0] = p->owner[0] = p->subnet[0] = p->mac[0] = '\0';
	p->ncidr = p->naddr = 0;
}

/* Append text to the value, decoding entities. */
static int text(parser *p, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '&') {
			size_t e = i + 1;
			while (e < n && e < i + 12 && s[e] != ';')
				e++;
			if (e >= n || s[e] != ';')
				return bad(p, "an unterminated entity");
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
					c = '?'; /* ids and addresses are ASCII */
				else
					c = (char)cp;
			} else {
				return bad(p, "an unknown entity");
			}
			i = e;
		}
		if (p->nval + 1 < sizeof p->val)
			p->val[p->nval++] = c;
		else
			p->val_over = true;
	}
	p->val[p->nval] = '\0';
	return 0;
}

int ipam__disc_ec2_parse(ipam__ec2_page *page, const char *xml, size_t len, const char *what)
{
	parser *p = calloc(1, sizeof *p);
	if (!p)
		return ipam__enomem();
	p->text = xml;
	p->len = len;
	p->what = what;
	p->page = page;
	int rc = 0, roots = 0;
	while (p->pos < len && !rc) {
		const char *s = xml + p->pos;
		size_t left = len - p->pos;
		if (*s != '<') {
			size_t n = 0;
			while (n < left && s[n] != '<')
				n++;
			if (p->depth == 0) {
				for (size_t i = 0; i < n; i++)
					if (!strchr(" \t\r\n", s[i]))
						rc = bad(p, "text outside the root element");
			} else {
				rc = text(p, s, n);
			}
			p->pos += n;
			continue;
		}
		if (left >= 4 && !memcmp(s, "<!--", 4)) {
			const char *e = memmem(s + 4, left - 4, "-->", 3);
			if (!e)
				rc = bad(p, "an unterminated comment");
			else
				p->pos += (size_t)(e - s) + 3;
			continue;
		}
		if (left >= 2 && s[1] == '?') {
			const char *e = memmem(s, left, "?>", 2);
			if (!e)
				rc = bad(p, "an unterminated processing instruction");
			else
				p->pos += (size_t)(e - s) + 2;
			continue;
		}
		if (left >= 2 && s[1] == '!') {
			rc = bad(p, "a DTD or CDATA section (EC2 sends neither)");
			continue;
		}
		/* a tag: find its end, outside quoted attribute values */
		size_t e = 1;
		char q = 0;
		while (e < left && (q || s[e] != '>')) {
			if (q && s[e] == q)
				q = 0;
			else if (!q && (s[e] == '"' || s[e] == '\''))
				q = s[e];
			e++;
		}
		if (e >= left) {
			rc = bad(p, "an unterminated tag");
			continue;
		}
		bool closing = s[1] == '/', empty = !closing && s[e - 1] == '/';
		const char *name = s + (closing ? 2 : 1);
		size_t nl = 0;
		while (name + nl < s + e && !strchr(" \t\r\n/>", name[nl]))
			nl++;
		if (!nl) {
			rc = bad(p, "a tag without a name");
			continue;
		}
		/* namespace prefixes are dropped: "<ec2:item>" is "item" */
		const char *colon = memchr(name, ':', nl);
		if (colon) {
			nl -= (size_t)(colon + 1 - name);
			name = colon + 1;
		}
		if (closing) {
			if (!p->depth || strlen(p->stack[p->depth - 1]) != nl || memcmp(p->stack[p->depth - 1], name, nl)) {
				rc = bad(p, "a closing tag that does not match the open one");
				continue;
			}
			if (p->val_over)
				rc = bad(p, "a value longer than 1023 bytes");
			else if (p->nval)
				rc = leaf(p);
			if (!rc && p->rec != R_NONE && p->depth - 1 == p->rec_depth) {
				rc = item_done(p);
				p->rec = R_NONE;
			}
			p->depth--;
		} else {
			if (p->depth == IPAM__EC2_DEPTH) {
				rc = bad(p, "elements nested deeper than 24");
				continue;
			}
			if (p->depth == 0 && roots++) {
				rc = bad(p, "a second root element");
				continue;
			}
			snprintf(p->stack[p->depth], sizeof p->stack[0], "%.*s", (int)nl, name);
			p->depth++;
			if (p->rec == R_NONE && p->depth == 3 && strcmp(p->stack[2], "item") == 0)
				start_item(p);
			if (empty) {
				if (p->rec != R_NONE && p->depth - 1 == p->rec_depth) {
					rc = item_done(p);
					p->rec = R_NONE;
				}
				p->depth--;
			}
		}
		p->nval = 0;
		p->val[0] = '\0';
		p->val_over = false;
		p->pos += e + 1;
	}
	if (!rc && (p->depth || !roots))
		rc = bad(p, p->depth ? "the document ends inside an element" : "no root element");
	free(p);
	return rc;
}

void ipam__disc_ec2_page_dispose(ipam__ec2_page *page)
{
	free(page->next_token);
	page->next_token = NULL;
	ipam__disc_spaces_dispose(&page->spaces);
}
