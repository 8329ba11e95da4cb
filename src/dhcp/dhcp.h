/* The DHCP capability: scopes, pools, option sets, reservations and leases,
 * and everything done with them that does not need the store: checking,
 * rendering Kea Dhcp4/Dhcp6 JSON and ISC dhcpd.conf, merging into a server's
 * existing config, and reading lease files. Internal (hidden symbols, not
 * installed); docs/dhcp.md says how the pieces fit and what the stored model
 * has to feed in.
 *
 * cJSON builds and reads Kea's JSON (kea.c); nothing here writes JSON by
 * hand. Errors follow the library's convention: 0 or a negative IPAM_E*
 * code, and a message through ipam__error() naming the scope, pool or
 * reservation, the option and the value (file:line when read from a file). */
#ifndef IPAM_DHCP_DHCP_H
#define IPAM_DHCP_DHCP_H

#include "common.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* ---- options ----------------------------------------------------------------
 * An option definition: the standard ones are built in (ipam__dhcp_optdef_find
 * by name or code), custom and vendor ones are added to a config. A vendor
 * option lives in the space of its enterprise number (vendor != 0): Kea's
 * "vendor-N" space, sent in option 125 (v4) or 17 (v6). */
typedef enum ipam__dhcp_type {
	IPAM__DHCP_IP,      /* one address of the scope's family */
	IPAM__DHCP_STRING,  /* printable text, 1..255 bytes */
	IPAM__DHCP_U8,
	IPAM__DHCP_U16,
	IPAM__DHCP_U32,
	IPAM__DHCP_BOOL,    /* true/false (yes/no, on/off, 1/0 read too) */
	IPAM__DHCP_FQDN,    /* one domain name */
	IPAM__DHCP_BINARY,  /* hex octets, "0a:1b" or "0a1b" */
} ipam__dhcp_type;

typedef struct ipam__dhcp_optdef {
	const char *name;   /* Kea's name */
	uint16_t code;
	uint8_t family;     /* IPAM_AF_INET or IPAM_AF_INET6 */
	uint8_t type;       /* ipam__dhcp_type */
	bool array;         /* a comma-separated list of `type` */
	uint32_t vendor;    /* enterprise number, 0: the standard space */
	const char *dhcpd;  /* dhcpd's name when it differs, or NULL */
} ipam__dhcp_optdef;

/* The built-in definition of `name` (or of the decimal code in `name`) for
 * a family; NULL if there is none. */
const ipam__dhcp_optdef *ipam__dhcp_optdef_builtin(unsigned family, const char *name);
const char *ipam__dhcp_type_name(unsigned type);
int ipam__dhcp_type_parse(unsigned *type, bool *array, const char *text);

/* One option value: the definition it was checked against and the value in
 * its normal form (lists "a, b", bools "true"/"false", hex lower-case
 * without separators, strings as given). */
typedef struct ipam__dhcp_opt {
	const ipam__dhcp_optdef *def;
	char *value;
} ipam__dhcp_opt;

/* An option set: at most one value per (family, vendor, code), in the order
 * set (a template or the stored global set may hold both families). get
 * and del take the first of the two families when both have the code. */
typedef struct ipam__dhcp_optset {
	ipam__dhcp_opt *v;
	size_t n, cap;
} ipam__dhcp_optset;

void ipam__dhcp_optset_free(ipam__dhcp_optset *s);
/* Set (replace) an option of `s`: `what` names the owner in messages
 * ("scope office"). */
int ipam__dhcp_optset_put(ipam__dhcp_optset *s, const ipam__dhcp_optdef *def, const char *value,
			  const char *what);
const ipam__dhcp_opt *ipam__dhcp_optset_get(const ipam__dhcp_optset *s, uint32_t vendor, uint16_t code);
bool ipam__dhcp_optset_del(ipam__dhcp_optset *s, uint32_t vendor, uint16_t code);
/* Overlay `top` on `base` into `out` (emptied first): what inheritance does
 * one level at a time. family != 0 keeps only that family's options (an
 * option template may hold v4 and v6 options; each scope takes its own). */
int ipam__dhcp_optset_overlay(ipam__dhcp_optset *out, const ipam__dhcp_optset *base,
			      const ipam__dhcp_optset *top, unsigned family);
/* Check `value` against `def` and put its normal form in *out (free it).
 * IPAM_EINVAL: "`what`: option NAME (CODE): REASON". */
int ipam__dhcp_opt_check(char **out, const ipam__dhcp_optdef *def, const char *value, const char *what);

/* ---- the model --------------------------------------------------------------
 * One config holds what is rendered for servers: servers, option templates,
 * global options, custom option definitions and scopes. Every text field is
 * owned by the config. */
typedef struct ipam__dhcp_range {
	ipam_addr start, end;
} ipam__dhcp_range;

typedef struct ipam__dhcp_pool {
	ipam__dhcp_range range;
	ipam__dhcp_range *excl; /* inside the pool, never rendered as leasable */
	size_t nexcl;
	ipam__dhcp_optset opts;
	char *extra;            /* Kea pool keys libipam does not model (JSON object) or NULL */
} ipam__dhcp_pool;

typedef struct ipam__dhcp_resv {
	ipam_addr addr;
	char *hostname;   /* or NULL */
	/* the identifier: exactly one of them */
	ipam_mac mac;     /* len 0: none */
	char *client_id;  /* v4 client-id, hex without separators, or NULL */
	char *duid;       /* v6 DUID, hex without separators, or NULL */
	char *circuit_id; /* v4 relay circuit-id as Kea writes it ('text' or hex), or NULL */
	ipam__dhcp_optset opts;
} ipam__dhcp_resv;

typedef struct ipam__dhcp_scope {
	char *name;
	uint32_t id;            /* Kea subnet id: 0 until ipam__dhcp_scope_add gives one; kept for life */
	ipam_prefix prefix;
	char *template_name;    /* option template, or NULL */
	char *description;      /* or NULL */
	char *shared_network;   /* Kea shared network / dhcpd shared-network it sits in, or NULL */
	char *extra;            /* Kea subnet keys libipam does not model (JSON object: next-server ...) or NULL */
	uint32_t valid, renew, rebind, preferred; /* seconds; 0: inherited */
	char **servers;         /* names of the servers that serve it */
	size_t nservers;
	char *ha_primary, *ha_standby; /* HA pair (server names) or NULL */
	ipam__dhcp_pool *pools;
	size_t npools;
	ipam__dhcp_resv *resv;
	size_t nresv;
	ipam__dhcp_optset opts;
} ipam__dhcp_scope;

typedef struct ipam__dhcp_template {
	char *name; /* its options may be of both families */
	ipam__dhcp_optset opts;
} ipam__dhcp_template;

typedef enum { IPAM__DHCP_KEA, IPAM__DHCP_DHCPD } ipam__dhcp_server_kind;

typedef struct ipam__dhcp_server {
	char *name;
	unsigned kind;  /* ipam__dhcp_server_kind */
	char *url;      /* kea-ctrl-agent, e.g. http://127.0.0.1:8000/ (HA peers too), or NULL */
	ipam_addr failover;    /* dhcpd: the address it talks failover on (family 0: none) */
	unsigned failover_port; /* dhcpd: its failover port (0: 647) */
} ipam__dhcp_server;

typedef struct ipam__dhcp_config {
	ipam__dhcp_server *servers;
	size_t nservers;
	ipam__dhcp_template *templates;
	size_t ntemplates;
	ipam__dhcp_optdef *defs;   /* custom and vendor definitions (name, dhcpd owned) */
	size_t ndefs;
	ipam__dhcp_optset global4, global6;
	uint32_t valid4, valid6;   /* global lease times, 0: the server's default */
	ipam__dhcp_scope **scopes; /* sorted by name */
	size_t nscopes;
	ipam__dhcp_scope **by_prefix; /* the same, sorted by (family, address): the overlap check is
					 O(log n), as scope prefixes never overlap */
	char *hooks_dir;           /* where Kea's hook libraries are; NULL: Debian's */
} ipam__dhcp_config;

int ipam__dhcp_config_new(ipam__dhcp_config **out);
void ipam__dhcp_config_free(ipam__dhcp_config *c);

int ipam__dhcp_server_add(ipam__dhcp_config *c, const char *name, unsigned kind, const char *url);
const ipam__dhcp_server *ipam__dhcp_server_find(const ipam__dhcp_config *c, const char *name);
/* The failover address and port of a dhcpd server (an HA pair of two
 * dhcpd servers is rendered as ISC failover: "failover peer"). */
int ipam__dhcp_server_failover(ipam__dhcp_config *c, const char *name, const char *address, unsigned port);

/* Define a custom (vendor 0) or vendor option: the name and code must be
 * new in its space; the type as ipam__dhcp_type_parse reads it
 * ("ip", "ip[]", "string", "uint8", "uint16", "uint32", "bool", "fqdn",
 * "fqdn[]", "binary"). */
int ipam__dhcp_def_add(ipam__dhcp_config *c, unsigned family, uint32_t vendor, uint16_t code, const char *name,
		       const char *type);
/* The definition of an option by name or decimal code: built-in, then
 * custom, in the given vendor space (0: standard). */
const ipam__dhcp_optdef *ipam__dhcp_def_find(const ipam__dhcp_config *c, unsigned family, uint32_t vendor,
					     const char *name);

/* Set an option by name or code in an option set of `c` (owner in messages). */
int ipam__dhcp_opt_set(const ipam__dhcp_config *c, ipam__dhcp_optset *s, unsigned family, uint32_t vendor,
		       const char *name, const char *value, const char *what);

int ipam__dhcp_template_add(ipam__dhcp_config *c, const char *name, ipam__dhcp_template **out);
ipam__dhcp_template *ipam__dhcp_template_find(const ipam__dhcp_config *c, const char *name);

/* A new scope on `prefix` (text, host bits zero). The name must be new and
 * the prefix must not overlap another scope's. id 0: the next free id. */
int ipam__dhcp_scope_add(ipam__dhcp_config *c, const char *name, const char *prefix, uint32_t id,
			 ipam__dhcp_scope **out);
ipam__dhcp_scope *ipam__dhcp_scope_find(const ipam__dhcp_config *c, const char *name);
int ipam__dhcp_scope_del(ipam__dhcp_config *c, const char *name);
int ipam__dhcp_scope_serve(ipam__dhcp_scope *s, const char *server);
int ipam__dhcp_scope_ha(ipam__dhcp_scope *s, const char *primary, const char *standby);
int ipam__dhcp_scope_template(ipam__dhcp_scope *s, const char *template_name);
/* A pool "START-END" inside the scope, not overlapping its other pools. */
int ipam__dhcp_pool_add(ipam__dhcp_scope *s, const char *range, ipam__dhcp_pool **out);
/* Exclude "ADDR" or "START-END" (inside the pool) from a pool. */
int ipam__dhcp_pool_exclude(ipam__dhcp_scope *s, ipam__dhcp_pool *p, const char *range);
/* A reservation of `addr` inside the scope for one identifier:
 * "mac:aa:bb:..", "client-id:01aabb..", "duid:0001...", "circuit-id:TEXT"
 * (v4; 'quoted' text or hex, as Kea takes it), or a bare MAC. */
int ipam__dhcp_resv_add(ipam__dhcp_scope *s, const char *addr, const char *ident, const char *hostname,
			ipam__dhcp_resv **out);

/* Remove the pool that starts at `start`, the reservation of `addr`
 * (IPAM_ENOTFOUND naming the scope); forget the servers a scope names. */
int ipam__dhcp_pool_del(ipam__dhcp_scope *s, const ipam_addr *start);
int ipam__dhcp_resv_del(ipam__dhcp_scope *s, const ipam_addr *addr);
void ipam__dhcp_scope_unserve(ipam__dhcp_scope *s);

/* Whole-config rules: template and server names resolve, HA peers are two
 * Kea servers with URLs or two dhcpd servers with failover addresses (v4), a server serves scopes of one HA pair at
 * most, reservations and identifiers are unique per scope, v4 identifiers
 * in v4 scopes and DUIDs in v6 scopes. */
int ipam__dhcp_config_check(const ipam__dhcp_config *c);

/* The options a scope sends (global, then its template, then its own): what
 * inheritance resolves to before pool and reservation options. */
int ipam__dhcp_scope_options(const ipam__dhcp_config *c, const ipam__dhcp_scope *s, ipam__dhcp_optset *out);

/* Parse "A-B" (or "A" alone) into a range of one family, start <= end. */
int ipam__dhcp_range_parse(ipam__dhcp_range *r, const char *text, const char *what);

/* ---- rendering ------------------------------------------------------------------
 * Kea: the "Dhcp4" (family IPAM_AF_INET) or "Dhcp6" config for `server`
 * (NULL: every scope), merged into `base` (a whole Kea config text
 * {"Dhcp4": {...}} or NULL for an empty one). What libipam manages is
 * replaced: subnets marked with user-context "libipam" or on the prefix of
 * a scope, global options and definitions it sets, the HA hook; everything
 * else in `base` is kept as it was. Output: the whole config, pretty. */
int ipam__dhcp_render_kea(ipam_buf *out, const ipam__dhcp_config *c, unsigned family, const char *server,
			  const char *base);
/* ISC dhcpd.conf (v4 scopes only) for `server` (NULL: every v4 scope). */
int ipam__dhcp_render_dhcpd(ipam_buf *out, const ipam__dhcp_config *c, const char *server);

/* ---- stored form (attrs.c) --------------------------------------------------------
 * A scope as the JSON `attrs` of an IPAM_STORE_SCOPE object (its name is the
 * object's name), an option set (a template, the global options) as those
 * of an IPAM_STORE_OPTION_SET object. Reading back checks everything again,
 * as building by hand does; definitions, templates and servers must be in
 * `c` first. On an error nothing is added to `c`. */
int ipam__dhcp_scope_to_json(char **out, const ipam__dhcp_scope *s);
int ipam__dhcp_scope_from_json(ipam__dhcp_config *c, const char *name, const char *json, ipam__dhcp_scope **out);
int ipam__dhcp_optset_to_json(char **out, const ipam__dhcp_optset *s);
int ipam__dhcp_optset_from_json(const ipam__dhcp_config *c, ipam__dhcp_optset *set, const char *json,
				const char *what);

/* ---- import -------------------------------------------------------------------
 * Adopt a running server: its config into `c` (normally a new one; on an
 * error `c` may hold part of it: throw it away). Scopes keep Kea's subnet
 * ids; a scope is named by the subnet's user-context libipam.scope, else
 * "kea4-ID" / "kea6-ID" (Kea) or "net-ADDR-LEN" (dhcpd). `notes` (may be
 * NULL) gets one line for each thing that is not modelled and was skipped.
 * Errors name the file and the place (a JSON path for Kea, file:line for
 * dhcpd). */
/* One line "FILE[:LINE]: MESSAGE" into `notes` (NULL: nothing). */
int ipam__dhcp_vnote(ipam_buf *notes, const char *file, size_t line, const char *fmt, va_list ap)
	IPAM__PRINTF(4, 0);
int ipam__dhcp_import_kea(ipam__dhcp_config *c, const char *text, size_t len, const char *file, ipam_buf *notes);
int ipam__dhcp_import_dhcpd(ipam__dhcp_config *c, const char *text, size_t len, const char *file, ipam_buf *notes);

/* ---- ISC dhcpd's tokens (lex.c) ---------------------------------------------------- */
typedef struct ipam__dhcp_lexer {
	const char *p, *end, *file;
	size_t line;
	char tok[512]; /* the current token: a word, a string's text, or one of { } ; = , */
	size_t len;
	bool string;   /* the token was a quoted string */
} ipam__dhcp_lexer;

/* The next token: 0 at the end, 1 with a token, <0 on error (file:line). */
int ipam__dhcp_lex(ipam__dhcp_lexer *x);
/* Whether the current token is the word (not a quoted string). */
bool ipam__dhcp_lex_is(const ipam__dhcp_lexer *x, const char *word);
/* The next token, which must be there (the end is an error naming `what`). */
int ipam__dhcp_lex_expect(ipam__dhcp_lexer *x, const char *what);
/* From the current token to the end of its statement (';') or block
 * ('{ ... }', nested blocks counted, not recursed). */
int ipam__dhcp_lex_skip(ipam__dhcp_lexer *x);

/* ---- pushing to Kea -----------------------------------------------------------
 * Through kea-ctrl-agent (src/net/http.h): config-get, merge
 * (ipam__dhcp_render_kea over what the server runs), config-test,
 * config-set, config-write to write_file (always given: without it Kea
 * overwrites the file it started from). A refusal at any step is
 * IPAM_EINVAL with Kea's text; since config-test comes before config-set, a
 * config Kea refuses leaves the running one untouched. Dry run: only
 * config-get; `report` gets the line diff of the merged config against the
 * running one ("-old", "+new" lines). */
typedef struct ipam__dhcp_push {
	const char *url;        /* the control agent, http://127.0.0.1:8000/ */
	const char *userpwd;    /* basic auth "user:password", or NULL */
	const char *write_file; /* config-write's file name (not needed for a dry run) */
	unsigned timeout_ms;    /* each request; 0: 10 s */
	bool dry_run;
	ipam_buf *merged;       /* or NULL: gets the config that was set (not for a dry run) */
} ipam__dhcp_push;

int ipam__dhcp_push_kea(const ipam__dhcp_config *c, unsigned family, const char *server,
			const ipam__dhcp_push *o, ipam_buf *report);
/* The line diff of two texts ("-" and "+" lines only). */
int ipam__dhcp_diff(ipam_buf *out, const char *before, const char *after);

/* ---- leases -----------------------------------------------------------------
 * One lease as a server wrote it. A file is a journal: the last entry for an
 * address wins and keeps the place of the first one; a Kea row with
 * valid_lifetime 0 deletes the address's lease (it is dropped). `active`
 * says whether the address is in use: Kea state 0 (default) or 1
 * (declined), dhcpd "binding state active"; the rest (Kea state 2,
 * expired-reclaimed; dhcpd free, expired, released, abandoned ...) free the
 * address again. */
typedef struct ipam__dhcp_lease {
	ipam_addr addr;
	ipam_mac mac;         /* len 0: none */
	char *client_id;      /* hex octets with ':' (v4 client-id; v6 DUID) or NULL */
	char *hostname;       /* or NULL */
	char *user_context;   /* Kea's user context (JSON text) or NULL */
	char *vendor_class;   /* dhcpd "set vendor-class-identifier" or NULL */
	int64_t starts;       /* Unix seconds: Kea expire - valid_lifetime (cltt), dhcpd starts */
	int64_t ends;         /* Unix seconds; -1: never */
	uint32_t subnet_id;   /* Kea; 0 for dhcpd */
	uint32_t valid;       /* Kea valid_lifetime */
	int state;            /* Kea state (0 default, 1 declined, 2 expired-reclaimed); dhcpd: -1 */
	char binding[16];     /* dhcpd binding state ("active", "free" ...); "" for Kea */
	bool bootp;           /* dhcpd dynamic-bootp */
	bool active;
	bool gone;            /* private: deleted while reading (dropped at the end of the read) */
} ipam__dhcp_lease;

typedef struct ipam__dhcp_leases {
	ipam__dhcp_lease *v;
	size_t n, cap;
	void *index; /* private: address -> position */
} ipam__dhcp_leases;

void ipam__dhcp_leases_free(ipam__dhcp_leases *l);
/* The lease of an address, or NULL. */
const ipam__dhcp_lease *ipam__dhcp_leases_find(const ipam__dhcp_leases *l, const ipam_addr *a);
/* Kea memfile CSV, v4 or v6 (columns by header name, so newer Kea's extra
 * columns are fine; '&#x2c' is a comma). `file` names it in messages:
 * "FILE:LINE: COLUMN: REASON". Appends to `out` (a second file continues
 * the journal). */
int ipam__dhcp_leases_kea_csv(ipam__dhcp_leases *out, const char *text, size_t len, const char *file);
/* The "arguments" of Kea's lease4-get-all / lease6-get-all answer
 * ({"leases": [...]}); `what` names it in messages. */
int ipam__dhcp_leases_kea_json(ipam__dhcp_leases *out, const char *text, size_t len, const char *what);
/* lease4-get-all (family IPAM_AF_INET) or lease6-get-all through the
 * control agent of `o` (url, userpwd, timeout_ms). */
int ipam__dhcp_leases_kea_get(ipam__dhcp_leases *out, unsigned family, const ipam__dhcp_push *o);
/* ISC dhcpd.leases (v4 "lease" blocks; other blocks are skipped). */
int ipam__dhcp_leases_dhcpd(ipam__dhcp_leases *out, const char *text, size_t len, const char *file);

/* ---- in the store (store.c) ---------------------------------------------------------
 * Save a scope into `space` (NULL: "default") in one transaction: the scope
 * object (kind 11, parent the space, audit action "scope.save"), its pools
 * as ranges of purpose dhcp and its exclusions of purpose excluded, its
 * reservations as addresses of status reserved with MAC and hostname; all
 * marked attrs {"scope": NAME}, and what a previous save of the scope left
 * is replaced. IPAM_EINUSE when a pool would cover an address that is
 * not a lease or a reservation would take an address in use (nothing is
 * written then). Load reads the scope object back into `c`. */
typedef struct ipam_db ipam_db;
int ipam__dhcp_scope_save(ipam_db *db, const ipam__dhcp_scope *s, const char *space);
int ipam__dhcp_scope_load(ipam_db *db, ipam__dhcp_config *c, const char *space, const char *name,
			  ipam__dhcp_scope **out);

/* Lease sync, in one transaction, for the scopes of `c`: an active lease
 * becomes (or updates) an address of status dhcp with its MAC, hostname
 * and attrs {"lease": {starts, ends, subnet_id}}; an address of status
 * dhcp whose lease is gone or inactive is released. Addresses of another
 * status are never touched (counted as skipped). */
typedef struct ipam__dhcp_sync_stats {
	size_t added, updated, released, skipped;
	ipam_buf *changed; /* read: the caller's buffer or NULL (so zero the struct first); one line "ADDR [HOSTNAME]" per host name a
			      changed lease had before or has now (what DNS pushes follow) */
} ipam__dhcp_sync_stats;
int ipam__dhcp_lease_sync(ipam_db *db, const ipam__dhcp_config *c, const char *space, const ipam__dhcp_leases *l,
			  ipam__dhcp_sync_stats *stats);

/* Run fn in the caller's open transaction, or in one of its own
 * (ipam_db_run, retried on conflicts). */
int ipam__dhcp_run(ipam_db *db, int (*fn)(ipam_db *, void *), void *ctx);

/* The whole of a file (a lease file, a config to import) into `out`: IPAM_EIO naming it. */
int ipam__dhcp_read_file(const char *path, ipam_buf *out);

/* Remove a scope from the store: its object, its pool and exclusion ranges
 * and its reservation addresses (what ipam__dhcp_scope_save wrote); with
 * `leases` also the addresses of status dhcp inside its prefix. */
int ipam__dhcp_scope_remove(ipam_db *db, const ipam__dhcp_scope *s, const char *space, bool leases);

/* The global option set (both families' options, the global lease times,
 * the custom and vendor definitions) as the IPAM_STORE_OPTION_SET object
 * "(global)", and each option template as one of its own name; one
 * transaction, an audit entry each ("option-set.save"). Load reads them
 * into a config that has none yet (definitions first). */
int ipam__dhcp_option_sets_save(ipam_db *db, const ipam__dhcp_config *c);
int ipam__dhcp_option_sets_load(ipam_db *db, ipam__dhcp_config *c);

#endif
