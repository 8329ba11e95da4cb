/* Rows and the index: the rows of what the index holds, and putting rows
 * into the index (at load, when catching up with other writers, and when a
 * transaction is undone). */
#include "db/db.h"
#include "db/obj.h"

#include <stdlib.h>

const uint8_t ipam__default_tenant[16] = { 0 };
const uint8_t ipam__default_space[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };

ipam__space *ipam__space_by_id(ipam_db *db, const uint8_t id[16])
{
	if (memcmp(db->def->id, id, 16) == 0)
		return db->def;
	for (size_t i = 0; i < db->nspaces; i++)
		if (memcmp(db->spaces[i]->id, id, 16) == 0)
			return db->spaces[i];
	return NULL;
}

static void row_base(ipam_store_row *row, unsigned kind, const ipam__space *s)
{
	memset(row, 0, sizeof *row);
	row->kind = kind;
	memcpy(row->tenant, ipam__default_tenant, 16);
	if (s && kind != IPAM_STORE_SPACE)
		memcpy(row->space, s->id, 16);
}

void ipam__row_space(ipam_store_row *row, const ipam__space *s)
{
	row_base(row, IPAM_STORE_SPACE, s);
	memcpy(row->id, s->id, 16);
	row->name = s->name;
	row->attrs = s->labels;
}

void ipam__row_prefix(ipam_store_row *row, const ipam__space *s, int family, ipam__u128 key, unsigned len,
                      const ipam__pfx_rec *r)
{
	row_base(row, IPAM_STORE_PREFIX, s);
	ipam__key_addr(&row->addr, family, key);
	row->len = (uint8_t)len;
	row->status = r->status;
	row->pool = r->pool;
	row->description = r->description;
	row->attrs = r->attrs;
}

void ipam__row_ip(ipam_store_row *row, const ipam__space *s, int family, ipam__u128 key, const ipam__ip_rec *r)
{
	row_base(row, IPAM_STORE_ADDRESS, s);
	ipam__key_addr(&row->addr, family, key);
	row->status = r->status;
	row->name = r->hostname;
	row->description = r->description;
	row->attrs = r->attrs;
	memcpy(row->mac, r->mac, sizeof row->mac);
	row->maclen = r->maclen;
}

void ipam__row_range(ipam_store_row *row, const ipam__space *s, const ipam__range_rec *r)
{
	row_base(row, IPAM_STORE_RANGE, s);
	ipam__key_addr(&row->addr, r->family, r->first);
	ipam__key_addr(&row->last, r->family, r->last);
	row->purpose = r->purpose;
	row->description = r->description;
	row->attrs = r->attrs;
}

int ipam__row_copy(ipam_store_row *dst, const ipam_store_row *src)
{
	*dst = *src;
	dst->name = dst->description = dst->attrs = NULL;
	char *n = src->name ? ipam__strdup(src->name) : NULL;
	char *d = src->description ? ipam__strdup(src->description) : NULL;
	char *a = src->attrs ? ipam__strdup(src->attrs) : NULL;
	if ((src->name && !n) || (src->description && !d) || (src->attrs && !a)) {
		free(n);
		free(d);
		free(a);
		return ipam__enomem();
	}
	dst->name = n;
	dst->description = d;
	dst->attrs = a;
	return 0;
}

void ipam__row_free(ipam_store_row *row)
{
	free((char *)row->name);
	free((char *)row->description);
	free((char *)row->attrs);
	row->name = row->description = row->attrs = NULL;
}

static int dup_opt(char **out, const char *s)
{
	*out = NULL;
	if (s && !(*out = ipam__strdup(s)))
		return IPAM_ENOMEM;
	return 0;
}

static ipam__space *row_space(ipam_db *db, const ipam_store_row *row)
{
	ipam__space *s = ipam__space_by_id(db, row->space);
	if (!s) {
		char u[37];
		ipam__uuid_format(u, row->space);
		ipam__error(IPAM_EBACKEND, "store row of kind %u names space %s, which the store does not hold", row->kind, u);
	}
	return s;
}

int ipam__apply_put(ipam_db *db, const ipam_store_row *row)
{
	ipam__space *s;
	int rc = 0;
	switch (row->kind) {
	case IPAM_STORE_TENANT:
		return 0; /* the index keeps no tenants yet */
	case IPAM_STORE_SPACE:
		if (!row->name)
			return ipam__error(IPAM_EBACKEND, "store: a space row without a name");
		return ipam__space_put(db, row->id, row->name, row->attrs);
	case IPAM_STORE_PREFIX: {
		if (!(s = row_space(db, row)))
			return IPAM_EBACKEND;
		ipam__pfx_rec f;
		memset(&f, 0, sizeof f);
		f.status = row->status;
		f.pool = row->pool ? 1 : 0;
		if ((rc = dup_opt(&f.description, row->description)) || (rc = dup_opt(&f.attrs, row->attrs))) {
			free(f.description);
			return rc;
		}
		return ipam__pfx_put(db, s, row->addr.family, ipam__addr_key(&row->addr), row->len, &f);
	}
	case IPAM_STORE_ADDRESS: {
		if (!(s = row_space(db, row)))
			return IPAM_EBACKEND;
		ipam__ip_rec r;
		memset(&r, 0, sizeof r);
		r.status = row->status;
		memcpy(r.mac, row->mac, sizeof r.mac);
		r.maclen = row->maclen;
		if ((rc = dup_opt(&r.hostname, row->name)) || (rc = dup_opt(&r.description, row->description)) ||
		    (rc = dup_opt(&r.attrs, row->attrs))) {
			free(r.hostname);
			free(r.description);
			return rc;
		}
		rc = ipam__ip_put(db, s, row->addr.family, ipam__addr_key(&row->addr), &r);
		free(r.hostname);
		free(r.description);
		free(r.attrs);
		return rc;
	}
	case IPAM_STORE_RANGE: {
		if (!(s = row_space(db, row)))
			return IPAM_EBACKEND;
		ipam__range_rec r;
		memset(&r, 0, sizeof r);
		r.family = row->addr.family;
		r.first = ipam__addr_key(&row->addr);
		r.last = ipam__addr_key(&row->last);
		r.purpose = row->purpose;
		if ((rc = dup_opt(&r.description, row->description)) || (rc = dup_opt(&r.attrs, row->attrs))) {
			free(r.description);
			return rc;
		}
		rc = ipam__range_put(db, s, &r);
		free(r.description);
		free(r.attrs);
		return rc;
	}
	default:
		if (IPAM_STORE_IS_OBJECT(row->kind))
			return ipam__objs_apply_put(db, row);
		return 0; /* kinds this version does not index */
	}
}

int ipam__apply_del(ipam_db *db, const ipam_store_row *key)
{
	ipam__space *s;
	switch (key->kind) {
	case IPAM_STORE_SPACE:
		return key->name ? ipam__space_del(db, key->name) : IPAM_ENOTFOUND;
	case IPAM_STORE_PREFIX:
		if (!(s = ipam__space_by_id(db, key->space)))
			return IPAM_ENOTFOUND;
		return ipam__pfx_del(db, s, key->addr.family, ipam__addr_key(&key->addr), key->len);
	case IPAM_STORE_ADDRESS:
		if (!(s = ipam__space_by_id(db, key->space)))
			return IPAM_ENOTFOUND;
		return ipam__ip_del(db, s, key->addr.family, ipam__addr_key(&key->addr));
	case IPAM_STORE_RANGE:
		if (!(s = ipam__space_by_id(db, key->space)))
			return IPAM_ENOTFOUND;
		return ipam__range_del(db, s, key->addr.family, ipam__addr_key(&key->addr), ipam__addr_key(&key->last));
	default:
		if (IPAM_STORE_IS_OBJECT(key->kind))
			return ipam__objs_apply_del(db, key);
		return 0;
	}
}
