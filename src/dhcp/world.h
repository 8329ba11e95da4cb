/* The public DHCP API's view of the store (world.c): everything a render,
 * push or change needs at once, read into one model. Internal. */
#ifndef IPAM_DHCP_WORLD_H
#define IPAM_DHCP_WORLD_H

#include "db/obj.h"
#include "dhcp/dhcp.h"

/* The stored DHCP model: option sets and definitions, the DHCP servers and
 * every scope of every space (scope names are unique across spaces: Kea
 * knows no spaces), with the space each scope is stored in. */
typedef struct ipam__dhcp_world {
	ipam__dhcp_config *c;
	struct {
		char *scope, *space;
	} *where;
	size_t nwhere;
} ipam__dhcp_world;

/* Read the world; call between ipam__enter and ipam__leave. With `only`,
 * every other scope is read shallow (name, prefix, id, template, servers,
 * HA pair: what the whole-config rules look at; no pools, reservations or
 * options): a change to one scope costs little per other scope. */
int ipam__dhcp_world_load(ipam_db *db, ipam__dhcp_world *w, const char *only);
void ipam__dhcp_world_free(ipam__dhcp_world *w);
/* The space scope `name` is stored in (NULL: not stored yet). */
const char *ipam__dhcp_world_space(const ipam__dhcp_world *w, const char *scope);
/* A stored scope, or IPAM_ENOTFOUND naming it. */
int ipam__dhcp_world_scope(const ipam__dhcp_world *w, const char *name, ipam__dhcp_scope **out);
/* Remember where a new scope is stored. */
int ipam__dhcp_world_place(ipam__dhcp_world *w, const char *scope, const char *space);

/* The object of a DHCP server (kind SERVER, attrs {"dhcp": ...}), or
 * IPAM_ENOTFOUND / IPAM_EINVAL (a DNS server of that name) naming it. */
int ipam__dhcp_server_obj(ipam_db *db, const char *name, ipam__obj *out);


#endif
