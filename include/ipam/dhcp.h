/**
 * @file ipam/dhcp.h
 * DHCP: scopes, pools, reservations and option sets stored with the
 * addresses, rendered for Kea and ISC dhcpd, pushed to Kea, and leases
 * synced back.
 *
 * A scope sits on a prefix of a space (v4 or v6). Its pools are stored as
 * ranges of purpose dhcp (their exclusions as ranges of purpose excluded)
 * and its reservations as addresses of status reserved, in the same
 * transaction as the scope: allocation and DHCP share one index, so a
 * static allocation never lands in a pool and a reservation never takes an
 * address in use (IPAM_EINUSE, naming the address).
 *
 * Options are checked by name or code and type when they are set
 * (ipam_option_set), never at render time, and inherit global → option
 * template → scope → pool → reservation. Changing a template changes every
 * scope that uses it at the next render or push.
 *
 * Servers (ipam_dhcp_server_add) are stored objects like the DNS servers
 * (their names share one namespace); the control agent's password is sealed
 * before it is stored and never printed. Each push writes the state of what
 * was pushed (a digest per server and family) and one audit entry
 * ("dhcp.push").
 *
 * Every call is one transaction. Errors are IPAM_E* codes with a message
 * (ipam_error_last()) naming the scope, pool, reservation, option and
 * value. Lists come back as JSON text in an ipam_buf, so that every
 * binding can read them without new structs. See docs/dhcp.md.
 */
#ifndef IPAM_DHCP_H
#define IPAM_DHCP_H

#include "common.h"
#include "db.h"

IPAM_BEGIN_DECL

/** How a scope is made (ipam_scope_add) or changed (ipam_scope_set). */
typedef struct ipam_scope_options {
	unsigned int version;       /**< IPAM_SCOPE_OPTIONS_VERSION */
	const char *space;          /**< the space of its prefix; NULL: "default" */
	const char *template_name;  /**< an option template (ipam_option_template_add), or NULL */
	const char *description;    /**< or NULL */
	const char *shared_network; /**< Kea shared network / dhcpd shared-network, or NULL */
	const char *servers;        /**< the servers that serve it, comma-separated names, or NULL */
	const char *ha_primary;     /**< an HA pair (two Kea servers: Kea's HA hook; two dhcpd servers with
	                                 failover addresses: ISC failover): the primary server, or NULL */
	const char *ha_standby;     /**< ... and the standby server (both or neither) */
	uint32_t id;                /**< Kea subnet id; 0: the next free one (kept for life) */
	uint32_t valid, renew, rebind, preferred; /**< lease times in seconds; 0: inherited */
	unsigned int fields;        /**< ipam_scope_set only: the IPAM_SCOPE_SET_* settings it changes (the
	                                 others are kept); 0: every one (NULL and 0 clear) */
} ipam_scope_options;

#define IPAM_SCOPE_OPTIONS_VERSION 1
#define IPAM_SCOPE_OPTIONS_INIT { IPAM_SCOPE_OPTIONS_VERSION, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, 0, 0, 0, 0 }

/** ipam_scope_options.fields: which settings ipam_scope_set changes. @since 0.2 */
#define IPAM_SCOPE_SET_TEMPLATE 0x001u       /**< template_name */
#define IPAM_SCOPE_SET_DESCRIPTION 0x002u    /**< description */
#define IPAM_SCOPE_SET_SHARED_NETWORK 0x004u /**< shared_network */
#define IPAM_SCOPE_SET_SERVERS 0x008u        /**< servers */
#define IPAM_SCOPE_SET_HA 0x010u             /**< ha_primary and ha_standby (a pair: both or neither) */
#define IPAM_SCOPE_SET_VALID 0x020u          /**< valid */
#define IPAM_SCOPE_SET_RENEW 0x040u          /**< renew */
#define IPAM_SCOPE_SET_REBIND 0x080u         /**< rebind */
#define IPAM_SCOPE_SET_PREFERRED 0x100u      /**< preferred */

/** Initialize scope options to their defaults. @return 0 or IPAM_EINVAL @since 0.2 */
IPAM_EXTERN(int) ipam_scope_options_init(ipam_scope_options *opts, unsigned int version);

/**
 * Add a scope on `prefix` ("192.0.2.0/24", "2001:db8:1::/64"; at most /30 or /126). Scope names
 * are unique across spaces (Kea knows no spaces); prefixes must not overlap another scope's.
 * @return 0; IPAM_EEXISTS (name, overlap or subnet id taken); IPAM_ENOTFOUND (space, option
 *         template or server unknown); IPAM_EINVAL (bad name, prefix or setting) @since 0.2
 */
IPAM_EXTERN(int) ipam_scope_add(ipam_db *db, const char *name, const char *prefix, const ipam_scope_options *opts);

/**
 * Change a scope's settings. With `opts->fields` 0, every setting of `opts` replaces the
 * scope's (NULL and 0 clear it); otherwise only those its IPAM_SCOPE_SET_* bits name (NULL,
 * "" or 0 there clear it), and the others are kept, so changing one setting needs no reading
 * back. `id` (0 or the scope's own) and `space` (NULL or the scope's own) are always kept: they
 * cannot change. Pools, reservations and options stay.
 * @return 0; IPAM_ENOTFOUND (no such scope, or an unknown option template or server);
 *         IPAM_EINVAL (a bad setting, an unknown bit in `fields`, or a change of `id` or `space`)
 * @since 0.2
 */
IPAM_EXTERN(int) ipam_scope_set(ipam_db *db, const char *name, const ipam_scope_options *opts);

/** ipam_scope_rm flags: also release the addresses of status dhcp (leases) inside the scope. */
#define IPAM_SCOPE_RM_LEASES 0x1u

/**
 * Remove a scope, its pool and exclusion ranges and its reservation addresses in one
 * transaction. Leases stay as addresses of status dhcp unless `flags` has IPAM_SCOPE_RM_LEASES.
 * @return 0 or IPAM_ENOTFOUND @since 0.2
 */
IPAM_EXTERN(int) ipam_scope_rm(ipam_db *db, const char *name, unsigned int flags);

/**
 * The scopes as a JSON array in name order, one object each: {"name", "space", "prefix", "id",
 * "template", "servers", "pools", "reservations"} (the last two are counts). @since 0.2
 */
IPAM_EXTERN(int) ipam_scope_list(ipam_buf *out, ipam_db *db);

/**
 * One scope as a JSON object: its settings, pools (with exclusions and options), reservations
 * and own options as stored, plus "space" and "effective_options": what the scope sends after
 * inheritance (global, template, scope), one {"name", "code", "value"} each.
 * @return 0 or IPAM_ENOTFOUND @since 0.2
 */
IPAM_EXTERN(int) ipam_scope_show(ipam_buf *out, ipam_db *db, const char *name);

/**
 * Add a pool "START-END" inside the scope, not overlapping its other pools, with `exclude`
 * (NULL, or comma-separated "ADDR" / "START-END" inside the pool) left out of it.
 * @return 0; IPAM_EINUSE (an address in the pool is in use and is no lease); IPAM_EEXISTS
 *         (overlap); IPAM_EINVAL; IPAM_ENOTFOUND (no such scope) @since 0.2
 */
IPAM_EXTERN(int) ipam_pool_add(ipam_db *db, const char *scope, const char *range, const char *exclude);

/** Remove the pool that starts at `range`'s start ("START-END" or "START"). @since 0.2 */
IPAM_EXTERN(int) ipam_pool_rm(ipam_db *db, const char *scope, const char *range);

/**
 * Reserve `address` (inside the scope) for one client. `ident` is "mac:aa:bb:cc:dd:ee:ff",
 * "client-id:01aabb..." (v4), "duid:000100..." (v6), "circuit-id:TEXT" (v4), or a bare MAC.
 * `hostname` may be NULL.
 * @return 0; IPAM_EINUSE (the address is in use); IPAM_EEXISTS (address or identifier reserved
 *         already in the scope); IPAM_EINVAL; IPAM_ENOTFOUND @since 0.2
 */
IPAM_EXTERN(int) ipam_reservation_add(ipam_db *db, const char *scope, const char *address, const char *ident,
                                      const char *hostname);

/** Remove a reservation (and its address). @return 0 or IPAM_ENOTFOUND @since 0.2 */
IPAM_EXTERN(int) ipam_reservation_rm(ipam_db *db, const char *scope, const char *address);

/**
 * The reservations of a scope as a JSON array: {"address", "mac" | "client_id" | "duid" |
 * "circuit_id", "hostname", "options"}. @since 0.2
 */
IPAM_EXTERN(int) ipam_reservation_list(ipam_buf *out, ipam_db *db, const char *scope);

/** Where an option is set (ipam_option_target.level). */
typedef enum ipam_option_level {
	IPAM_OPTION_GLOBAL = 0,      /**< every scope of `family` */
	IPAM_OPTION_TEMPLATE = 1,    /**< the option template `name` (may hold v4 and v6 options) */
	IPAM_OPTION_SCOPE = 2,       /**< the scope `name` */
	IPAM_OPTION_POOL = 3,        /**< the pool of scope `name` that starts at `pool` */
	IPAM_OPTION_RESERVATION = 4, /**< the reservation of `address` in scope `name` */
} ipam_option_level;

/** The owner of an option (ipam_option_set, ipam_option_rm, ipam_option_list). */
typedef struct ipam_option_target {
	unsigned int version;  /**< IPAM_OPTION_TARGET_VERSION */
	int level;             /**< ipam_option_level */
	int family;            /**< 4 or 6 for the global and template levels (0: 4); the scope's own otherwise */
	uint32_t vendor;       /**< enterprise number of a vendor option; 0: the standard space */
	const char *name;      /**< the template or scope name */
	const char *pool;      /**< IPAM_OPTION_POOL: "START-END" or "START" */
	const char *address;   /**< IPAM_OPTION_RESERVATION: the reserved address */
} ipam_option_target;

#define IPAM_OPTION_TARGET_VERSION 1
#define IPAM_OPTION_TARGET_INIT { IPAM_OPTION_TARGET_VERSION, 0, 0, 0, NULL, NULL, NULL }

/** Initialize an option target (global, v4). @since 0.2 */
IPAM_EXTERN(int) ipam_option_target_init(ipam_option_target *t, unsigned int version);

/**
 * Set (or replace) an option by Kea name or decimal code: "routers", "domain-name-servers",
 * "6", "dns-servers" (v6). The value is checked against the option's type: "10.0.0.1, 10.0.0.2",
 * "true", "example.com", "0a:1b" ...
 * @return 0; IPAM_EINVAL naming the owner, option and value ("scope lan: option routers (3):
 *         \"10.0.0.300\" is not an IPv4 address"), or an option that is not defined;
 *         IPAM_ENOTFOUND (no such owner) @since 0.2
 */
IPAM_EXTERN(int) ipam_option_set(ipam_db *db, const ipam_option_target *t, const char *option, const char *value);

/** Remove an option from its owner. @return 0 or IPAM_ENOTFOUND @since 0.2 */
IPAM_EXTERN(int) ipam_option_rm(ipam_db *db, const ipam_option_target *t, const char *option);

/** The options set at one owner as a JSON array: {"name", "code", "family", "vendor", "value"}. @since 0.2 */
IPAM_EXTERN(int) ipam_option_list(ipam_buf *out, ipam_db *db, const ipam_option_target *t);

/**
 * Define a custom (vendor 0) or vendor option so that it can be set: `family` 4 or 6, `code`,
 * `name` new in its space, `type` one of "ip", "ip[]", "string", "uint8", "uint16", "uint32",
 * "bool", "fqdn", "fqdn[]", "binary". @return 0, IPAM_EEXISTS or IPAM_EINVAL @since 0.2
 */
IPAM_EXTERN(int) ipam_option_define(ipam_db *db, int family, uint32_t vendor, unsigned int code, const char *name,
                                    const char *type);

/** Create an empty option template. @return 0, IPAM_EEXISTS or IPAM_EINVAL @since 0.2 */
IPAM_EXTERN(int) ipam_option_template_add(ipam_db *db, const char *name);

/** Remove an option template: IPAM_EINUSE while a scope uses it. @since 0.2 */
IPAM_EXTERN(int) ipam_option_template_rm(ipam_db *db, const char *name);

/** The option templates as a JSON array: {"name", "options": [...], "scopes": [names]}. @since 0.2 */
IPAM_EXTERN(int) ipam_option_template_list(ipam_buf *out, ipam_db *db);

/** A DHCP server's kind. */
typedef enum ipam_dhcp_server_type {
	IPAM_DHCP_KEA = 0,   /**< Kea, pushed through kea-ctrl-agent */
	IPAM_DHCP_DHCPD = 1, /**< ISC dhcpd: rendered only (dhcpd.conf) */
} ipam_dhcp_server_type;

/** How a DHCP server is reached (ipam_dhcp_server_add). The password is sealed before it is stored. */
typedef struct ipam_dhcp_server_options {
	unsigned int version;     /**< IPAM_DHCP_SERVER_OPTIONS_VERSION */
	int type;                 /**< ipam_dhcp_server_type */
	const char *url;          /**< Kea: the control agent, "http://127.0.0.1:8000/" (needed to push) */
	const char *user;         /**< the agent's HTTP basic auth user, or NULL */
	const char *password;     /**< ... and its password (sealed at once; never printed) */
	const char *write_dir;    /**< Kea: the folder (on the server's host) where config-write writes
	                               kea-dhcp4.conf / kea-dhcp6.conf after a push; NULL: "/etc/kea" */
	unsigned int timeout_ms;  /**< per request; 0: 10000 */
	const char *failover_address; /**< ISC dhcpd: the IPv4 address it speaks failover on, or NULL. A scope
	                                   whose HA pair is two dhcpd servers with failover addresses is
	                                   rendered with ISC failover ("failover peer" in its pools) */
	unsigned int failover_port;   /**< ISC dhcpd: its failover port; 0: 647 */
} ipam_dhcp_server_options;

#define IPAM_DHCP_SERVER_OPTIONS_VERSION 1
#define IPAM_DHCP_SERVER_OPTIONS_INIT { IPAM_DHCP_SERVER_OPTIONS_VERSION, 0, NULL, NULL, NULL, NULL, 0, NULL, 0 }

/** Initialize server options to their defaults. @return 0 or IPAM_EINVAL @since 0.2 */
IPAM_EXTERN(int) ipam_dhcp_server_options_init(ipam_dhcp_server_options *opts, unsigned int version);

/**
 * Add (or with `replace`, replace) a DHCP server.
 * @return 0, IPAM_EEXISTS (a DNS or DHCP server has the name), IPAM_EINVAL, IPAM_EPERM (no
 *         sealing key for the password) @since 0.2
 */
IPAM_EXTERN(int) ipam_dhcp_server_add(ipam_db *db, const char *name, const ipam_dhcp_server_options *opts,
                                      int replace);

/** Remove a DHCP server and its push states: IPAM_EINUSE while a scope names it. @since 0.2 */
IPAM_EXTERN(int) ipam_dhcp_server_rm(ipam_db *db, const char *name);

/**
 * The DHCP servers as a JSON array: {"name", "dhcp": "kea" | "dhcpd", "url", "user", "password": "(sealed)",
 * "write_file", "pushed": {"dhcp4": {"digest", "time", "result"}, ...}}. @since 0.2
 */
IPAM_EXTERN(int) ipam_dhcp_server_list(ipam_buf *out, ipam_db *db);

/** What ipam_dhcp_render writes. */
typedef enum ipam_dhcp_format {
	IPAM_DHCP_FORMAT_KEA4 = 0,  /**< Kea {"Dhcp4": ...} */
	IPAM_DHCP_FORMAT_KEA6 = 1,  /**< Kea {"Dhcp6": ...} */
	IPAM_DHCP_FORMAT_DHCPD = 2, /**< ISC dhcpd.conf (v4 scopes) */
} ipam_dhcp_format;

/**
 * Render the config for `server` (NULL: every scope of the family). Kea: merged into `base`
 * (a whole Kea config text, or NULL for an empty one): only what libipam manages is replaced.
 * `base` is ignored for dhcpd. @return 0, IPAM_ENOTFOUND, IPAM_EINVAL @since 0.2
 */
IPAM_EXTERN(int) ipam_dhcp_render(ipam_buf *out, ipam_db *db, int format, const char *server, const char *base);

/** ipam_dhcp_push flags: send nothing, report the diff */
#define IPAM_DHCP_PUSH_DRY_RUN 0x1u

/**
 * Push to a Kea server through its control agent, for each family it serves scopes of:
 * config-get, merge, config-test, config-set, config-write. A config Kea refuses leaves the
 * running one as it was (IPAM_EINVAL with Kea's text). Records the push state (digest, time,
 * result) and one audit entry "dhcp.push" per family pushed. `report` (may be NULL) gets, per
 * family, a summary line, or with IPAM_DHCP_PUSH_DRY_RUN the line diff ("-old", "+new").
 * @return 0, IPAM_ENOTFOUND, IPAM_EINVAL (refused; not a Kea server), IPAM_EIO (unreachable),
 *         IPAM_EAUTH @since 0.2
 */
IPAM_EXTERN(int) ipam_dhcp_push(ipam_buf *report, ipam_db *db, const char *server, unsigned int flags);

/** Lease sources (ipam_lease_sync_options.format). */
typedef enum ipam_lease_format {
	IPAM_LEASES_KEA_CSV = 0, /**< Kea memfile CSV, v4 or v6 */
	IPAM_LEASES_DHCPD = 1,   /**< ISC dhcpd.leases */
} ipam_lease_format;

/** ipam_lease_sync_options.flags: after the sync, push every DNS zone whose records the changed
 *  leases touch to `dns_server` */
#define IPAM_LEASE_SYNC_PUSH_DNS 0x1u

/** What a lease sync reads and does. */
typedef struct ipam_lease_sync_options {
	unsigned int version;   /**< IPAM_LEASE_SYNC_OPTIONS_VERSION */
	const char *space;      /**< where the leases' addresses are; NULL: "default" */
	const char *path;       /**< a lease file to read, or NULL ... */
	int format;             /**< ... in this format (ipam_lease_format) */
	const char *server;     /**< ... or a Kea server (lease4-get-all and lease6-get-all) */
	unsigned int flags;     /**< IPAM_LEASE_SYNC_* */
	const char *dns_server; /**< IPAM_LEASE_SYNC_PUSH_DNS: the DNS server (ipam_dns_server_add) */
	const char *dns_view;   /**< its view; NULL: "default" */
} ipam_lease_sync_options;

#define IPAM_LEASE_SYNC_OPTIONS_VERSION 1
#define IPAM_LEASE_SYNC_OPTIONS_INIT { IPAM_LEASE_SYNC_OPTIONS_VERSION, NULL, NULL, 0, NULL, 0, NULL, NULL }

/** Initialize lease sync options to their defaults. @since 0.2 */
IPAM_EXTERN(int) ipam_lease_sync_options_init(ipam_lease_sync_options *opts, unsigned int version);

/** What a lease sync did. */
typedef struct ipam_lease_sync_stats {
	size_t added;       /**< new addresses of status dhcp */
	size_t updated;     /**< leases already there, refreshed */
	size_t released;    /**< addresses of status dhcp whose lease is gone or inactive */
	size_t skipped;     /**< leases on addresses of another status (never touched) */
	size_t zones_pushed; /**< DNS zones pushed afterwards */
} ipam_lease_sync_stats;

/**
 * Sync leases into the store in one transaction, for the stored scopes: an active lease
 * becomes (or updates) an address of status dhcp with its MAC, host name and lease times; an
 * address of status dhcp whose lease is gone or inactive is released; other addresses are
 * never touched. With a host name the address's DNS records follow (docs/dns.md); with
 * IPAM_LEASE_SYNC_PUSH_DNS the zones they touch are pushed after the sync.
 * @param stats  may be NULL
 * @param report may be NULL: the DNS pushes' reports
 * @return 0, IPAM_EINVAL (the file's error as FILE:LINE), IPAM_EIO, or a push's error (the
 *         sync itself stays done) @since 0.2
 */
IPAM_EXTERN(int) ipam_lease_sync(ipam_lease_sync_stats *stats, ipam_buf *report, ipam_db *db,
                                 const ipam_lease_sync_options *opts);

/** What a running server's config is (ipam_dhcp_import_options.format). */
typedef enum ipam_dhcp_import_format {
	IPAM_DHCP_IMPORT_KEA = 0,   /**< a Kea config ({"Dhcp4": ...} or {"Dhcp6": ...}; comments allowed) */
	IPAM_DHCP_IMPORT_DHCPD = 1, /**< an ISC dhcpd.conf */
} ipam_dhcp_import_format;

/** How a running server's config is adopted (ipam_dhcp_import). */
typedef struct ipam_dhcp_import_options {
	unsigned int version; /**< IPAM_DHCP_IMPORT_OPTIONS_VERSION */
	int format;           /**< ipam_dhcp_import_format */
	const char *space;    /**< where the scopes' pools and reservations go; NULL: "default" */
	const char *server;   /**< a stored DHCP server that serves every imported scope, or NULL */
} ipam_dhcp_import_options;

#define IPAM_DHCP_IMPORT_OPTIONS_VERSION 1
#define IPAM_DHCP_IMPORT_OPTIONS_INIT { IPAM_DHCP_IMPORT_OPTIONS_VERSION, 0, NULL, NULL }

/** Initialize import options to their defaults. @since 0.2 */
IPAM_EXTERN(int) ipam_dhcp_import_options_init(ipam_dhcp_import_options *opts, unsigned int version);

/**
 * Adopt a running server: its config's scopes (Kea subnet ids kept; named by the subnet's
 * user-context libipam.scope, else "kea4-ID" / "kea6-ID" / "net-ADDR-LEN"), pools, reservations,
 * options, option definitions and global lease time, stored in one transaction: all of it or
 * nothing. What libipam does not model is skipped, one line each in `notes`.
 * @param notes   may be NULL
 * @param nscopes receives how many scopes were imported (may be NULL)
 * @param text    the config, `len` bytes; `file` names it in messages ("kea-dhcp4.conf:
 *                Dhcp4/subnet4[0]/pools[0]: ...", "dhcpd.conf:12: ..."). NULL: the config is
 *                read from the file whose path is `file` (which its messages then name)
 * @return 0; IPAM_EINVAL (the config's first error); IPAM_EEXISTS (a scope's name, prefix or
 *         subnet id is taken); IPAM_EINUSE (a pool over, or a reservation of, an address in use);
 *         IPAM_ENOTFOUND (space or server); IPAM_EIO (the file cannot be read) @since 0.2
 */
IPAM_EXTERN(int) ipam_dhcp_import(ipam_buf *notes, size_t *nscopes, ipam_db *db, const char *text, size_t len,
                                  const char *file, const ipam_dhcp_import_options *opts);

IPAM_END_DECL

#endif
