/* EC2 Query API answers (XML, read by xml.c) turned into observations.
 * Pure (no I/O) and fuzzed (fuzz/discover_ec2_fuzzer.c): the text is
 * whatever a server sent. */
#include "discover/disc.h"

#include <stdio.h>
#include <stdlib.h>

enum rec { R_NONE, R_VPC, R_SUBNET, R_ENI };

typedef struct parser {
	ipam__xmlsax x; /* first: the callbacks get it */
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

static int bad(parser *p, const char *why)
{
	return ipam__xmlsax_bad(&p->x, why);
}

/* The path below the current item: "a/b/c" of stack[rec_depth+1..depth). */
static bool rel_is(const parser *p, const char *path)
{
	return ipam__xmlsax_at(&p->x, p->rec_depth + 1, path);
}

#define copy ipam__xmlsax_copy

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
	const char *v = p->x.val;
	const char *name = p->x.stack[p->x.depth - 1];
	if (p->x.depth == 2 && strcmp(name, "nextToken") == 0) {
		free(p->page->next_token);
		return (p->page->next_token = ipam__strdup(v)) ? 0 : IPAM_ENOMEM;
	}
	if (p->x.depth == 4 && strcmp(p->x.stack[1], "Errors") == 0 && strcmp(p->x.stack[2], "Error") == 0) {
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
	const char *set = p->x.stack[p->x.depth - 2];
	p->rec = strcmp(set, "vpcSet") == 0 ? R_VPC : strcmp(set, "subnetSet") == 0 ? R_SUBNET
					     : strcmp(set, "networkInterfaceSet") == 0 ? R_ENI : R_NONE;
	if (p->rec == R_NONE)
		return;
	p->rec_depth = p->x.depth - 1;
	p->id[0] = p->vpc[0] = p->owner[0] = p->subnet[0] = p->mac[0] = '\0';
	p->ncidr = p->naddr = 0;
}

static int on_open(ipam__xmlsax *x)
{
	parser *p = (parser *)x;
	if (p->rec == R_NONE && x->depth == 3 && strcmp(x->stack[2], "item") == 0)
		start_item(p);
	return 0;
}

static int on_close(ipam__xmlsax *x)
{
	parser *p = (parser *)x;
	if (p->rec == R_NONE || x->depth - 1 != p->rec_depth)
		return 0;
	int rc = item_done(p);
	p->rec = R_NONE;
	return rc;
}

static int on_leaf(ipam__xmlsax *x)
{
	return leaf((parser *)x);
}

int ipam__disc_ec2_parse(ipam__ec2_page *page, const char *xml, size_t len, const char *what)
{
	parser *p = calloc(1, sizeof *p);
	if (!p)
		return ipam__enomem();
	p->x = (ipam__xmlsax){ .text = xml, .len = len, .what = what, .open = on_open, .close = on_close, .leaf = on_leaf };
	p->page = page;
	int rc = ipam__xmlsax_parse(&p->x);
	free(p);
	return rc;
}

void ipam__disc_ec2_page_dispose(ipam__ec2_page *page)
{
	free(page->next_token);
	page->next_token = NULL;
	ipam__disc_spaces_dispose(&page->spaces);
}
