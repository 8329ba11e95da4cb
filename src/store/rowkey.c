/* The natural keys of rows and their order. */
#include "store/store.h"

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
		return 0;
	}
}
