/**
 * @file ipam/dns.h
 * DNS: zones and records stored with the addresses, rendered for and pushed
 * to real servers.
 *
 * A zone is stored in the database like a prefix or an address. Its records
 * are of two sorts:
 * - records typed by hand (ipam_record_add): A, AAAA, PTR, CNAME, MX, TXT,
 *   SRV, NS, CAA ..., checked when they are added;
 * - records derived from addresses: every address of the zone's space that
 *   has a host name inside the zone gives an A or AAAA record, and in a
 *   reverse zone (in-addr.arpa, including RFC 2317 classless zones, and
 *   ip6.arpa) its PTR record. They are computed from the addresses whenever
 *   the zone is read, rendered or pushed, so allocating, renaming, moving
 *   or releasing an address changes its records in the same transaction and
 *   the two can never drift apart. A host name goes to the most specific
 *   zone of the view that holds it; no zone holding it, no record.
 *
 * The SOA serial follows the zone's content: when what the zone holds
 * changed since the serial was last set, reading it for a render or a push
 * takes the next serial (YYYYMMDDnn by default, or +1) and stores it.
 *
 * Servers (ipam_dns_server_add) are stored objects too; their TSIG secrets
 * and API keys are sealed before they are stored (see docs/storage.md) and
 * never printed. A push sends only what changed since the last successful
 * push to that server (tracked per server and zone), with prerequisites so
 * that a change made on the server from outside is detected, not
 * overwritten; a dry run shows the exact change and sends nothing. Every
 * push that changed the server writes an audit entry ("zone.push").
 *
 * Errors are IPAM_E* codes with a message (ipam_error_last()) naming the
 * zone, the record or the server. See docs/dns.md.
 */
#ifndef IPAM_DNS_H
#define IPAM_DNS_H

#include "common.h"
#include "db.h"
#include "addr.h"

IPAM_BEGIN_DECL

/** SOA serial policies. */
typedef enum ipam_serial_policy {
	IPAM_SERIAL_DATE = 0,      /**< YYYYMMDDnn (RFC 1912), the default */
	IPAM_SERIAL_INCREMENT = 1, /**< the old serial + 1 */
} ipam_serial_policy;

/** How a zone is made (ipam_zone_add). */
typedef struct ipam_zone_options {
	unsigned int version;     /**< IPAM_ZONE_OPTIONS_VERSION */
	const char *view;         /**< the DNS view; NULL: "default" */
	const char *space;        /**< the space whose addresses give derived records; NULL: "default" */
	int no_derive;            /**< non-zero: hand records only, nothing derived from addresses */
	const char *ns;           /**< the apex name servers, comma-separated absolute names (required) */
	const char *mname;        /**< SOA MNAME; NULL: the first name server */
	const char *rname;        /**< SOA RNAME (DNS form, "hostmaster.example.com."); NULL: hostmaster.ZONE */
	uint32_t ttl;             /**< default TTL (also of derived records); 0: 3600 */
	uint32_t refresh, retry, expire, minimum; /**< SOA timers; 0: 3600, 900, 1209600, 300 */
	int serial_policy;        /**< ipam_serial_policy */
	const char *template_name; /**< a zone template (ipam_zone_template_set) whose settings and standard
	                                records the zone takes, where it does not set them itself; or NULL */
	int refuse_unknown_addresses; /**< non-zero: refuse a hand A, AAAA or PTR record of an address the
	                                   zone's space does not have; 0 (default): take it, and flag it in
	                                   ipam_zone_show ("flag": "192.0.2.99 is not an address of space default") */
} ipam_zone_options;

#define IPAM_ZONE_OPTIONS_VERSION 1
#define IPAM_ZONE_OPTIONS_INIT { IPAM_ZONE_OPTIONS_VERSION, NULL, NULL, 0, NULL, NULL, NULL, 0, 0, 0, 0, 0, 0, NULL, 0 }

/** Initialize zone options to their defaults. @return 0 or IPAM_EINVAL @since 0.2 */
IPAM_EXTERN(int) ipam_zone_options_init(ipam_zone_options *opts, unsigned int version);

/**
 * Add a zone ("example.com", "2.0.192.in-addr.arpa", "0/26.2.0.192.in-addr.arpa").
 * @return 0; IPAM_EEXISTS when the view has it; IPAM_ENOTFOUND for an unknown space;
 *         IPAM_EINVAL for a bad name, name server or option (the message says which) @since 0.2
 */
IPAM_EXTERN(int) ipam_zone_add(ipam_db *db, const char *zone, const ipam_zone_options *opts);

/**
 * A zone template: name servers, SOA names and timers, TTL and standard records (relative to
 * each zone: "@ MX 10 mail.example.net.", "@ TXT \"v=spf1 -all\"") that many zones take. A zone
 * made with `template_name` takes every setting it does not give itself from its template, when
 * it is read: changing the template changes all its zones (their serials follow at the next
 * render or push, which sends the change).
 */
typedef struct ipam_zone_template {
	unsigned int version;        /**< IPAM_ZONE_TEMPLATE_VERSION */
	const char *ns;              /**< comma-separated absolute names, or NULL */
	const char *mname, *rname;   /**< or NULL */
	uint32_t ttl, refresh, retry, expire, minimum; /**< 0: not set */
	const char *const *records;  /**< standard records */
	size_t nrecords;
} ipam_zone_template;

#define IPAM_ZONE_TEMPLATE_VERSION 1
#define IPAM_ZONE_TEMPLATE_INIT { IPAM_ZONE_TEMPLATE_VERSION, NULL, NULL, NULL, 0, 0, 0, 0, 0, NULL, 0 }

/** Initialize a template struct. @since 0.2 */
IPAM_EXTERN(int) ipam_zone_template_init(ipam_zone_template *t, unsigned int version);

/**
 * Create or replace a zone template. Every zone that uses it must still hold together with the
 * new one (a standard record that makes a CNAME clash in one zone is refused, naming it).
 * @return 0 or IPAM_EINVAL @since 0.2
 */
IPAM_EXTERN(int) ipam_zone_template_set(ipam_db *db, const char *name, const ipam_zone_template *t);

/** Remove a zone template: IPAM_EINUSE while a zone uses it. @since 0.2 */
IPAM_EXTERN(int) ipam_zone_template_rm(ipam_db *db, const char *name);

/** Remove a zone with its hand records and push states. @return 0 or IPAM_ENOTFOUND @since 0.2 */
IPAM_EXTERN(int) ipam_zone_rm(ipam_db *db, const char *zone, const char *view);

/**
 * The zones as a JSON array, one object per zone (name, view, space, serial, name servers,
 * counts of hand and derived records), in (view, name) order. @since 0.2
 */
IPAM_EXTERN(int) ipam_zone_list(ipam_buf *out, ipam_db *db);

/**
 * One zone as a JSON object: its settings and every record, each
 * {"record": "www.example.com. 3600 IN A 192.0.2.10", "source": "hand" | "address" | "zone"}
 * ("zone": the apex NS records of the zone's settings),
 * in canonical order. @return 0, IPAM_ENOTFOUND, or the zone's first error @since 0.2
 */
IPAM_EXTERN(int) ipam_zone_show(ipam_buf *out, ipam_db *db, const char *zone, const char *view);

/**
 * Add a record typed by hand, in presentation format with the owner relative to the zone
 * unless it ends in a dot: "www 300 IN A 192.0.2.1", "mail MX 10 mx1", "@ TXT \"v=spf1 -all\"".
 * The record is checked alone and with the rest of the zone (a CNAME beside other data,
 * a name outside the zone, a bad label are refused, naming the records).
 * @return 0, IPAM_EEXISTS (the same record is there), IPAM_ENOTFOUND (no such zone) or IPAM_EINVAL @since 0.2
 */
IPAM_EXTERN(int) ipam_record_add(ipam_db *db, const char *zone, const char *view, const char *record);

/**
 * Add a hand record to whichever zone of `view` (NULL: "default") holds its owner (the most
 * specific one); the owner is absolute whether or not it ends in a dot ("www.example.com 300 A
 * 192.0.2.1"). For importers: the record being there already is no error.
 * @param added receives 1 when the record was added, 0 when it was there (may be NULL)
 * @return 0, IPAM_ENOTFOUND (no zone holds the owner), or ipam_record_add's errors @since 0.2
 */
IPAM_EXTERN(int) ipam_record_put(ipam_db *db, const char *view, const char *record, int *added);

/** Remove a hand record (the same text, or any text that parses to the same record). @since 0.2 */
IPAM_EXTERN(int) ipam_record_rm(ipam_db *db, const char *zone, const char *view, const char *record);

/**
 * The zone file (BIND, Knot, CoreDNS's file plugin), byte-stable for the same content.
 * May store the zone's next serial (see above). @since 0.2
 */
IPAM_EXTERN(int) ipam_zone_render(ipam_buf *out, ipam_db *db, const char *zone, const char *view);

/**
 * The DNS records an address has, and why it has none where it has none: a JSON object
 * {"address", "space", "records": ["www.example.com. A 192.0.2.10 (zone example.com., view default)", ...],
 *  "notes": ["view default: no reverse zone holds 192.0.2.10: no PTR record", ...]}.
 * @return 0 or IPAM_ENOTFOUND (no such address) @since 0.2
 */
IPAM_EXTERN(int) ipam_ip_dns(ipam_buf *out, ipam_db *db, const char *space, const ipam_addr *addr);

/** A DNS server's kind. */
typedef enum ipam_dns_server_type {
	IPAM_DNS_RFC2136 = 0, /**< RFC 2136 dynamic update and AXFR (BIND, Knot, PowerDNS) */
	IPAM_DNS_PDNS_API = 1, /**< the PowerDNS Authoritative HTTP API */
} ipam_dns_server_type;

/** How a DNS server is reached (ipam_dns_server_add). Secrets are sealed before they are stored. */
typedef struct ipam_dns_server_options {
	unsigned int version;       /**< IPAM_DNS_SERVER_OPTIONS_VERSION */
	int type;                   /**< ipam_dns_server_type */
	const char *address;        /**< RFC 2136: the server's IPv4 or IPv6 address (required) */
	unsigned int port;          /**< RFC 2136: 0: 53 */
	const char *tsig_name;      /**< RFC 2136: the TSIG key's name; NULL: unsigned messages */
	const char *tsig_algorithm; /**< "hmac-sha256" (NULL), "hmac-sha512", "hmac-sha1", "hmac-md5" */
	const char *tsig_secret;    /**< the key in base64 (sealed at once; never printed) */
	const char *api_url;        /**< PowerDNS API: "http://127.0.0.1:8081" (required) */
	const char *api_key;        /**< PowerDNS API: the X-API-Key (sealed at once) */
	const char *server_id;      /**< PowerDNS API: NULL: "localhost" */
	unsigned int timeout_ms;    /**< per message or request; 0: 5000 (RFC 2136), 10000 (API) */
} ipam_dns_server_options;

#define IPAM_DNS_SERVER_OPTIONS_VERSION 1
#define IPAM_DNS_SERVER_OPTIONS_INIT { IPAM_DNS_SERVER_OPTIONS_VERSION, 0, NULL, 0, NULL, NULL, NULL, NULL, NULL, NULL, 0 }

/** Initialize server options to their defaults. @return 0 or IPAM_EINVAL @since 0.2 */
IPAM_EXTERN(int) ipam_dns_server_options_init(ipam_dns_server_options *opts, unsigned int version);

/** Add (or with `replace`, replace) a DNS server. @return 0, IPAM_EEXISTS, IPAM_EINVAL, IPAM_EPERM (no sealing key) @since 0.2 */
IPAM_EXTERN(int) ipam_dns_server_add(ipam_db *db, const char *name, const ipam_dns_server_options *opts, int replace);

/** Remove a DNS server and what it was last pushed. @since 0.2 */
IPAM_EXTERN(int) ipam_dns_server_rm(ipam_db *db, const char *name);

/** The DNS servers as a JSON array; secrets appear as "(sealed)". @since 0.2 */
IPAM_EXTERN(int) ipam_dns_server_list(ipam_buf *out, ipam_db *db);

/** ipam_zone_push flags */
#define IPAM_PUSH_DRY_RUN 0x1u

/**
 * Push a zone to a server: what changed since the last successful push to it (the whole
 * zone the first time). `report` (may be NULL) receives the change in nsupdate syntax
 * (RFC 2136) or as rrsets (API), then a summary line. With IPAM_PUSH_DRY_RUN nothing is
 * sent and nothing stored.
 * @return 0; IPAM_ECONFLICT (the zone was changed on the server from outside: nothing
 *         overwritten), IPAM_EAUTH (key refused), IPAM_EIO (unreachable), IPAM_EPERM
 *         (refused), each naming server and zone; IPAM_ECANCELED when the calling thread's
 *         cancellation token (ipam/cancel.h) was triggered (the wait for an answer ends at
 *         once; no message is sent after it); a failed push marks nothing as pushed
 *         beyond the messages the server accepted. @since 0.2
 */
IPAM_EXTERN(int) ipam_zone_push(ipam_buf *report, ipam_db *db, const char *zone, const char *view,
                                const char *server, unsigned int flags);

/**
 * Compare the zone as the server holds it (AXFR, or the API) with what IPAM holds: one line
 * per RRset, "only-server: ...", "only-ipam: ...", "different: ...".
 * @param ndrift receives how many RRsets differ (may be NULL)
 * @return 0, or the transfer's error: IPAM_ECANCELED when the calling thread's cancellation
 *         token (ipam/cancel.h) was triggered during it @since 0.2
 */
IPAM_EXTERN(int) ipam_zone_diff(ipam_buf *report, size_t *ndrift, ipam_db *db, const char *zone, const char *view,
                                const char *server);

/**
 * Adopt the records only the server has (zone diff's "only-server" RRsets) as hand records of the
 * zone, in one transaction: all of them or none (a record the zone cannot take, a CNAME beside
 * other data say, fails the call naming it). DNSSEC records and the SOA stay the server's.
 * @param report receives one line per record, "adopted: ..." or "skipped (the server's own): ..."
 * @param nadopted receives how many records were adopted (may be NULL)
 * @return 0, or the error of the transfer or of the first record refused @since 0.2
 */
IPAM_EXTERN(int) ipam_zone_adopt(ipam_buf *report, size_t *nadopted, ipam_db *db, const char *zone,
                                 const char *view, const char *server);

/**
 * A response-policy zone (RPZ, for BIND, Unbound, Knot Resolver, PowerDNS Recursor) from a list
 * of policies, one a line ("#" starts a comment):
 *
 *     qname bad.example.com nxdomain
 *     qname *.ads.example.com nodata
 *     qname ok.ads.example.com passthru
 *     qname moved.example.com local A 192.0.2.80; AAAA 2001:db8::80
 *     response-ip 198.51.100.64/26 nxdomain
 *     client-ip 10.9.0.0/16 drop
 *
 * @param policies the text, `len` bytes; `file` names it in messages ("policies.txt:3: ...")
 * @param ttl      the records' TTL; 0: 60
 * @return 0, or IPAM_EINVAL naming the file, line and what is wrong @since 0.2
 */
IPAM_EXTERN(int) ipam_rpz_render(ipam_buf *out, const char *origin, const char *policies, size_t len,
                                 const char *file, uint32_t ttl);

/**
 * Store a response policy in the policy zone `zone` (made by its first policy), in the policy
 * file's form (see ipam_rpz_render): "qname bad.example.com nxdomain", "qname *.ads.example.com
 * nodata", "qname ok.ads.example.com passthru", "qname moved.example.com local A 192.0.2.80;
 * AAAA 2001:db8::80", "client-ip 10.9.0.0/16 drop", "response-ip 198.51.100.64/26 nxdomain".
 * A trigger has one policy: names compare without case and final dot, prefixes as parsed.
 * The policy zone's SOA serial goes up by one with every change.
 * @param replace non-zero: a policy the trigger has already is replaced
 * @return 0; IPAM_EEXISTS (the trigger has a policy, named in the message); IPAM_EINVAL naming
 *         the zone and what is wrong (a bad name, prefix, action or local record) @since 0.2
 */
IPAM_EXTERN(int) ipam_rpz_add(ipam_db *db, const char *zone, const char *policy, int replace);

/**
 * Remove the policy of a trigger ("qname bad.example.com", "client-ip 10.9.0.0/16", or a whole
 * policy line: its trigger counts); the policy zone goes with its last policy.
 * @return 0, IPAM_ENOTFOUND (no such policy zone or no policy for the trigger) or IPAM_EINVAL @since 0.2
 */
IPAM_EXTERN(int) ipam_rpz_rm(ipam_db *db, const char *zone, const char *trigger);

/**
 * The stored policies as a JSON array of {"zone": "rpz.example.", "trigger": "qname bad.example.com",
 * "policy": "qname bad.example.com nxdomain"}, in (zone, trigger) order; of one policy zone, or of
 * all when `zone` is NULL. @return 0, IPAM_ENOTFOUND (no such policy zone) @since 0.2
 */
IPAM_EXTERN(int) ipam_rpz_list(ipam_buf *out, ipam_db *db, const char *zone);

/**
 * The policy zone of the stored policies, as ipam_rpz_render makes it from a file, with the
 * zone's serial. @param ttl the records' TTL; 0: 60
 * @return 0 or IPAM_ENOTFOUND (no such policy zone) @since 0.2
 */
IPAM_EXTERN(int) ipam_rpz_zone_render(ipam_buf *out, ipam_db *db, const char *zone, uint32_t ttl);

/** What ipam_dns_config renders. */
typedef enum ipam_dns_config_format {
	IPAM_DNS_CONFIG_NAMED = 0,    /**< named.conf zone stanzas, in `view` blocks when views are used */
	IPAM_DNS_CONFIG_COREFILE = 1  /**< a CoreDNS Corefile (`file` plugin) for the zones of one view */
} ipam_dns_config_format;

/** Options of ipam_dns_config. */
typedef struct ipam_dns_config_options {
	unsigned int version;     /**< IPAM_DNS_CONFIG_OPTIONS_VERSION */
	int format;               /**< ipam_dns_config_format */
	const char *dir;          /**< the directory of the zone files as the server sees it; NULL: relative names */
	const char *update_key;   /**< named: a TSIG key name (defined elsewhere in named.conf) allowed to update
	                               and transfer every zone; NULL: none */
	const char *const *view_match; /**< named: "VIEW=LIST", in the order named should try the views; LIST is
	                                    comma-separated addresses, prefixes, "any", "none", "localhost",
	                                    "localnets", "key:NAME", each optionally after "!". Every view other
	                                    than "default" that has zones needs one; "default" comes last and
	                                    matches any client unless given */
	size_t nview_match;
	const char *view;         /**< Corefile: the view whose zones to serve; NULL: "default" */
	unsigned int port;        /**< Corefile: the port; 0: 53 */
	const char *listen;       /**< Corefile: the one address CoreDNS listens on (its `bind` plugin),
	                               "127.0.0.1", "::1"; NULL: every address */
} ipam_dns_config_options;

#define IPAM_DNS_CONFIG_OPTIONS_VERSION 1
#define IPAM_DNS_CONFIG_OPTIONS_INIT { IPAM_DNS_CONFIG_OPTIONS_VERSION, 0, NULL, NULL, NULL, 0, NULL, 0, NULL }

/**
 * The server configuration for every stored zone: named.conf zone stanzas (one `view` block per
 * view when any zone is in a view other than "default", each with its match-clients list), or a
 * CoreDNS Corefile for the zones of one view. Each zone's file is `dir`/ipam_zone_file_name; write
 * the files with ipam_zone_render. Byte-stable: zones in (view, name) order.
 * @return 0; IPAM_EINVAL for a bad option or a view without a match list (the message names it)
 * @since 0.2
 */
IPAM_EXTERN(int) ipam_dns_config(ipam_buf *out, ipam_db *db, const ipam_dns_config_options *opts);

/**
 * The file name ipam_dns_config gives a zone: the origin without its final dot, "/" (RFC 2317
 * names) written as "_", then "@VIEW" for a view other than "default", then ".zone"
 * ("example.com.zone", "0_26.2.0.192.in-addr.arpa@inside.zone").
 * @return 0 or IPAM_EINVAL for a bad zone or view name @since 0.2
 */
IPAM_EXTERN(int) ipam_zone_file_name(ipam_buf *out, const char *zone, const char *view);

IPAM_END_DECL

#endif
