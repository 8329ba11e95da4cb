/* The natural keys of rows, their order and checks, and the buffer that
 * the SQL stores hand rows out of. */
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>

static int bytes_cmp(const uint8_t *a, const uint8_t *b, size_t n)
{
	int c = memcmp(a, b, n);
	return (c > 0) - (c < 0);
}

static int addr_cmp(const ipam_addr *a, const ipam_addr *b)
{
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	return bytes_cmp(a->bytes, b->bytes, 16);
}

static int str_cmp(const char *a, const char *b)
{
	int c = strcmp(a ? a : "", b ? b : "");
	return (c > 0) - (c < 0);
}

int ipam__store_key_cmp(const ipam_store_row *a, const ipam_store_row *b)
{
	int c;
	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	switch (a->kind) {
	case IPAM_STORE_TENANT:
	case IPAM_STORE_SPACE:
		return str_cmp(a->name, b->name);
	case IPAM_STORE_PREFIX:
		if ((c = bytes_cmp(a->space, b->space, 16)) || (c = addr_cmp(&a->addr, &b->addr)))
			return c;
		return a->len == b->len ? 0 : a->len < b->len ? -1 : 1;
	case IPAM_STORE_RANGE:
		if ((c = bytes_cmp(a->space, b->space, 16)) || (c = addr_cmp(&a->addr, &b->addr)))
			return c;
		return addr_cmp(&a->last, &b->last);
	case IPAM_STORE_ADDRESS:
		if ((c = bytes_cmp(a->space, b->space, 16)))
			return c;
		return addr_cmp(&a->addr, &b->addr);
	default:
		if (!IPAM_STORE_IS_OBJECT(a->kind))
			return 0;
		if ((c = bytes_cmp(a->space, b->space, 16)))
			return c;
		return str_cmp(a->name, b->name);
	}
}

const char *ipam__store_kind_name(unsigned kind)
{
	switch (kind) {
	case IPAM_STORE_TENANT: return "tenant";
	case IPAM_STORE_SPACE: return "space";
	case IPAM_STORE_PREFIX: return "prefix";
	case IPAM_STORE_RANGE: return "range";
	case IPAM_STORE_ADDRESS: return "address";
	case IPAM_STORE_ZONE: return "zone";
	case IPAM_STORE_RECORD: return "record";
	case IPAM_STORE_SERVER: return "server";
	case IPAM_STORE_CREDENTIAL: return "credential";
	case IPAM_STORE_TEMPLATE: return "template";
	case IPAM_STORE_SCOPE: return "scope";
	case IPAM_STORE_OPTION_SET: return "option set";
	case IPAM_STORE_STATE: return "state";
	case IPAM_STORE_OBSERVATION: return "observation";
	default: return "row";
	}
}

void ipam__store_addr_text(char out[IPAM_ADDR_STRLEN], const ipam_addr *a)
{
	if (ipam_addr_format(out, IPAM_ADDR_STRLEN, a) < 0)
		snprintf(out, IPAM_ADDR_STRLEN, "(invalid address)");
}

int ipam__store_key_in_space(unsigned kind)
{
	return kind == IPAM_STORE_PREFIX || kind == IPAM_STORE_RANGE || kind == IPAM_STORE_ADDRESS;
}

void ipam__store_key_words(char *out, size_t size, const ipam_store_row *r, const char *space)
{
	char a[IPAM_ADDR_STRLEN], b[IPAM_ADDR_STRLEN];
	if (!ipam__store_key_in_space(r->kind)) {
		if (r->kind >= 1 && r->kind <= IPAM_STORE_KIND_MAX)
			snprintf(out, size, "%s \"%.200s\"", ipam__store_kind_name(r->kind), r->name ? r->name : "");
		else
			snprintf(out, size, "row of kind %u", r->kind);
		return;
	}
	ipam__store_addr_text(a, &r->addr);
	switch (r->kind) {
	case IPAM_STORE_PREFIX:
		snprintf(out, size, "prefix %s/%u in space %s", a, (unsigned)r->len, space);
		break;
	case IPAM_STORE_RANGE:
		ipam__store_addr_text(b, &r->last);
		snprintf(out, size, "range %s-%s in space %s", a, b, space);
		break;
	default:
		snprintf(out, size, "address %s in space %s", a, space);
		break;
	}
}

int ipam__store_check_key(const ipam_store_row *row)
{
	if (!row || row->kind < 1 || row->kind > IPAM_STORE_KIND_MAX)
		return ipam_store_error(IPAM_EINVAL, "store: unknown row kind %u", row ? row->kind : 0);
	const char *what = ipam__store_kind_name(row->kind);
	if (row->kind == IPAM_STORE_TENANT || row->kind == IPAM_STORE_SPACE) {
		if (!row->name)
			return ipam_store_error(IPAM_EINVAL, "store: %s row without a name", what);
		return 0;
	}
	if (IPAM_STORE_IS_OBJECT(row->kind)) {
		if (!row->name || !*row->name)
			return ipam_store_error(IPAM_EINVAL, "store: %s row without a name", what);
		return 0;
	}
	if (row->addr.family != IPAM_AF_INET && row->addr.family != IPAM_AF_INET6)
		return ipam_store_error(IPAM_EINVAL, "store: %s row with address family %u (not 4 or 6)", what,
			row->addr.family);
	if (row->kind == IPAM_STORE_RANGE && row->last.family != row->addr.family)
		return ipam_store_error(IPAM_EINVAL, "store: a range whose ends are of two families");
	return 0;
}

int ipam__store_hand_out(char **buf, size_t *cap, ipam_store_row *out, ipam_store_row *r)
{
	const char **strs[3] = { &r->name, &r->description, &r->attrs };
	size_t need = 0;
	for (int i = 0; i < 3; i++)
		if (*strs[i])
			need += strlen(*strs[i]) + 1;
	/* The key handed in may point into the buffer of an earlier get: a
	 * bigger buffer is a fresh one, and the old one goes after the copy. */
	char *old = NULL;
	if (need > *cap) {
		size_t c = *cap ? *cap : 256;
		while (c < need)
			c *= 2;
		char *nb = malloc(c);
		if (!nb)
			return ipam__enomem();
		old = *buf;
		*buf = nb;
		*cap = c;
	}
	char *p = *buf;
	for (int i = 0; i < 3; i++) {
		if (*strs[i]) {
			size_t n = strlen(*strs[i]) + 1;
			memmove(p, *strs[i], n);
			*strs[i] = p;
			p += n;
		}
	}
	free(old);
	*out = *r;
	return 0;
}
