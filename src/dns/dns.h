/* The DNS capability: zone content and everything done with it that does not
 * need the store. Internal (hidden symbols, not installed); docs/dns.md says
 * how the pieces fit and what the stored model has to feed in.
 *
 * One library owns DNS here: ldns. Names are ldns_rdf (LDNS_RDF_TYPE_DNAME,
 * always absolute inside a zone), records are ldns_rr, wire messages are
 * ldns_pkt; nothing below encodes DNS by hand. libcurl and cJSON serve the
 * PowerDNS HTTP API only (pdns.c).
 *
 * Errors follow the library's convention: 0 or a negative IPAM_E* code, and
 * a message through ipam__error() that names the record (file:line when it
 * came from a file), the server and the zone. TSIG secrets and API keys never
 * reach a message, a dry run or a log. */
#ifndef IPAM_DNS_DNS_H
#define IPAM_DNS_DNS_H

#include "common.h"

#include <ldns/ldns.h>

/* ---- zone content -----------------------------------------------------------
 * A zone: origin, class IN, the SOA fields, a default TTL and a set of RRs
 * (the apex NS set included; the SOA is kept as fields, never in rr[]).
 * rr[] is a set: ipam__dns_zone_sort() puts it in canonical order (RFC 4034
 * 6.1 names, then type, then rdata) and drops exact duplicates; rendering,
 * diffing and checking sort first. line[i] is the source line of rr[i]
 * (0 when it was not read from a file). */
typedef struct ipam__dns_zone {
	ldns_rdf *origin;           /* absolute */
	ldns_rdf *mname, *rname;    /* absolute; NULL until set */
	uint32_t serial, refresh, retry, expire, minimum;
	uint32_t ttl;               /* default TTL ($TTL; also the SOA's TTL) */
	ldns_rr **rr;
	uint32_t *line;
	size_t n, cap;
	char *file;                 /* where the content came from, for messages */
	bool sorted;
	/* private: sort keys (ipam__dns_zone_sort) */
	void *keys;
} ipam__dns_zone;

/* A new empty zone at `origin` (text; a final dot is optional; the root is
 * refused). Defaults: serial 1, refresh 3600, retry 900, expire 1209600,
 * minimum 300, TTL 3600; mname and rname unset (required before rendering).
 * IPAM_EINVAL with the reason for a bad origin. */
int ipam__dns_zone_new(ipam__dns_zone **out, const char *origin);
void ipam__dns_zone_free(ipam__dns_zone *z);
/* A deep copy (sorted as `z` is). */
int ipam__dns_zone_clone(ipam__dns_zone **out, const ipam__dns_zone *z);

/* SOA fields; names are relative to the origin unless they end in a dot
 * (rname in its DNS form: "hostmaster.example.com."). */
int ipam__dns_zone_set_soa(ipam__dns_zone *z, const char *mname, const char *rname, uint32_t serial,
			   uint32_t refresh, uint32_t retry, uint32_t expire, uint32_t minimum);
/* Add an apex NS record (default TTL). */
int ipam__dns_zone_add_ns(ipam__dns_zone *z, const char *host);
/* Add one RR in presentation format, owner relative to the origin unless
 * absolute ("www 300 IN A 192.0.2.1", "mail MX 10 mx1"); TTL defaults to
 * the zone's. `where` (may be NULL) prefixes error messages. The RR is
 * checked alone (ipam__dns_rr_check); whole-zone rules wait for
 * ipam__dns_zone_check. */
int ipam__dns_zone_add(ipam__dns_zone *z, const char *rr_text, const char *where);
/* Add an RR the caller built; ownership passes to the zone (also on error). */
int ipam__dns_zone_add_rr(ipam__dns_zone *z, ldns_rr *rr, uint32_t line, const char *where);
/* Add an RR without the per-record rules (what a server holds is taken as
 * it is, for drift reports) except one: the owner must be inside the zone.
 * Ownership passes to the zone (also on error). */
int ipam__dns_zone_add_raw(ipam__dns_zone *z, ldns_rr *rr, uint32_t line);
/* Remove every RR of `owner`/`type` (type 0: every type); returns how many. */
size_t ipam__dns_zone_remove(ipam__dns_zone *z, const ldns_rdf *owner, ldns_rr_type type);

/* Per-record rules: class IN, TTL <= 2^31-1, owner inside the zone, owner
 * labels (letters, digits, '-', '_', '/', a leading '*' label), host names
 * where RFC 1123 wants them (A/AAAA owners, NS/MX/SRV/PTR targets), and the
 * rdata of A, AAAA, PTR, CNAME, MX, TXT, SRV, NS, CAA; SOA is refused (it is
 * the zone's fields). Other types ldns can parse are accepted as they are. */
int ipam__dns_rr_check(const ipam__dns_zone *z, const ldns_rr *rr, const char *where);
/* Whole-zone rules, after sorting: SOA names set, at least one apex NS,
 * a CNAME alone at its name (and not at the apex), one TTL per RRset.
 * The first problem found is the error, naming the record and its line. */
int ipam__dns_zone_check(ipam__dns_zone *z);
/* Canonical order, duplicates dropped. */
int ipam__dns_zone_sort(ipam__dns_zone *z);
/* The RRset owner/type in a sorted zone: index of its first RR and count
 * (0 when absent). */
size_t ipam__dns_zone_rrset(const ipam__dns_zone *z, const ldns_rdf *owner, ldns_rr_type type, size_t *first);

/* Walking sorted zones RRset by RRset: the end of the RRset starting at i;
 * the order of two RRsets (owner, type); whether two RRs are the same
 * (owner, type, rdata, TTL). */
size_t ipam__dns_zone_rrset_end(const ipam__dns_zone *z, size_t i);
int ipam__dns_zone_rrset_cmp(const ipam__dns_zone *a, size_t i, const ipam__dns_zone *b, size_t j);
bool ipam__dns_zone_rr_same(const ipam__dns_zone *a, size_t i, const ipam__dns_zone *b, size_t j);
/* Whether a sorted zone has any RR at `owner`. */
bool ipam__dns_zone_has_name(const ipam__dns_zone *z, const ldns_rdf *owner);

/* Text helpers shared by the module: a name in presentation format (with the
 * final dot), a type's mnemonic ("TYPE65534" for unknown ones), a whole RR in
 * the renderer's fixed format with absolute names. */
int ipam__dns_name_put(ipam_buf *out, const ldns_rdf *name);
const char *ipam__dns_type_name(ldns_rr_type t, char tmp[16]);
int ipam__dns_rr_put(ipam_buf *out, const ldns_rr *rr, const ldns_rdf *origin);
/* "www.example.com. A" style label for messages (static per thread). */
const char *ipam__dns_rr_label(const ldns_rr *rr);

/* ---- names -------------------------------------------------------------------
 * RFC 2317 label style for IPv4 prefixes longer than /24: "0/26" (the RFC's
 * own example, accepted by BIND, Knot, PowerDNS) or "0-63". */
enum { IPAM__DNS_2317_SLASH = 0, IPAM__DNS_2317_DASH = 1 };

/* The reverse zones that together hold exactly p's names, absolute, in
 * address order: one zone at an octet (nibble) boundary; the 2^k zones one
 * boundary down when p's length is not on one (192.0.0.0/22: four /24
 * zones; 2001:db8::/34: four /36 zones); an RFC 2317 zone for IPv4 longer
 * than /24. `*out` is a NULL-terminated array; free with ipam__dns_strv_free. */
int ipam__dns_reverse_zones(char ***out, size_t *n, const ipam_prefix *p, int style);
void ipam__dns_strv_free(char **v);
/* What the parent /24 zone needs for an RFC 2317 child: NS records
 * delegating the child zone to `ns` and one CNAME per address of p
 * ("5.2.0.192.in-addr.arpa. CNAME 5.0/26.2.0.192.in-addr.arpa."), added to
 * `parent` (which must be p's /24 reverse zone). */
int ipam__dns_rfc2317_parent(ipam__dns_zone *parent, const ipam_prefix *p, int style, const char *const *ns,
			     size_t nns, uint32_t ttl);
/* The zone (index into zones[]) that holds `name`: the longest origin that
 * is `name` or one of its parents; IPAM_ENOTFOUND when none does. Names are
 * text, compared case-insensitively, final dots optional. */
int ipam__dns_zone_match(const char *name, const char *const *zones, size_t n);
/* Where the PTR of `a` goes among `zones`: the index of the zone and the
 * owner name in it (absolute). An RFC 2317 zone in the set that covers the
 * address wins over its parent /24 ("5.0/26.2.0.192.in-addr.arpa.");
 * otherwise the longest match of the ordinary reverse name. */
int ipam__dns_ptr_owner(char *out, size_t size, size_t *zone_index, const ipam_addr *a,
			const char *const *zones, size_t n);

/* A run of hand records going into the stored zones (src/dns/stored.c),
 * for an importer: ipam__dns_recput is ipam_record_put (the same checks,
 * errors and result), but each zone's settings are read and its records
 * derived from addresses are computed once per run instead of once per
 * record, so a record costs O(its owner's records + log n). Use it inside
 * one write transaction in which no zone, template or address changes
 * while the run lives (the derived records it keeps would be stale). */
typedef struct ipam__dns_recrun ipam__dns_recrun;
int ipam__dns_recput_new(ipam__dns_recrun **out, ipam_db *db);
int ipam__dns_recput(ipam__dns_recrun *run, const char *view, const char *record, int *added);
void ipam__dns_recput_free(ipam__dns_recrun *run);

/* SOA serials. The date policy (the default) gives YYYYMMDDnn: today's
 * YYYYMMDD00 when that is greater than `old` in RFC 1982 arithmetic, else
 * old + 1; the increment policy gives old + 1. Both wrap modulo 2^32
 * (RFC 1982: 0xffffffff + 1 is 0, which is greater). `now` is Unix time. */
enum { IPAM__DNS_SERIAL_DATE = 0, IPAM__DNS_SERIAL_INCREMENT = 1 };
uint32_t ipam__dns_serial_next(uint32_t old, int policy, int64_t now);
/* RFC 1982 comparison: -1 a < b, 0 equal, 1 a > b, 2 undefined (a and b
 * 2^31 apart). */
int ipam__dns_serial_cmp(uint32_t a, uint32_t b);

/* ---- rendering ------------------------------------------------------------------
 * The zone file for BIND, Knot and CoreDNS's file plugin. Byte-stable: the
 * same content gives the same bytes (canonical order, one fixed layout:
 * "$ORIGIN", "$TTL", the SOA on one line, then one RR a line,
 * owner<TAB>ttl<TAB>IN<TAB>type<TAB>rdata, owners relative to the origin,
 * rdata names absolute). Checks the zone first (ipam__dns_zone_check). */
int ipam__dns_render_zone(ipam_buf *out, ipam__dns_zone *z);

typedef struct ipam__dns_conf_zone {
	const char *origin;  /* zone name */
	const char *file;    /* its zone file, as the server should open it */
} ipam__dns_conf_zone;
/* named.conf zone stanzas: type primary, the file, and (when `update_key`
 * is set) allow-update / allow-transfer for that TSIG key name. */
int ipam__dns_render_named_conf(ipam_buf *out, const ipam__dns_conf_zone *zones, size_t n,
				const char *update_key);
/* A view's name: 1 to 63 letters, digits and -_. (IPAM_EINVAL naming it). */
int ipam__dns_check_view(const char *view);
/* A named.conf `view` block: match-clients { match } (the list's text,
 * each element ending in ";"), then the zone stanzas as above. */
int ipam__dns_render_named_view(ipam_buf *out, const char *view, const char *match, const ipam__dns_conf_zone *zones,
                                size_t n, const char *update_key);
/* A CoreDNS Corefile: one server block a zone ("example.com.:PORT") with
 * `file PATH` (and `errors`, and `bind LISTEN` when `listen`, an IPv4 or
 * IPv6 address, is not NULL). port 0 means 53. */
int ipam__dns_render_corefile(ipam_buf *out, const ipam__dns_conf_zone *zones, size_t n, unsigned port,
                              const char *listen);

/* ---- reading zone files -----------------------------------------------------------
 * Parse a zone file (text of `len` bytes) with ldns into a zone: $ORIGIN,
 * $TTL, parentheses, relative names; exactly one SOA, at the origin; every
 * RR checked as ipam__dns_zone_add does; $INCLUDE refused. `origin` may be
 * NULL (then the file's $ORIGIN or its SOA owner decides). `file` names the
 * text in messages: "zone.db:12: ...". */
int ipam__dns_zone_parse(ipam__dns_zone **out, const char *text, size_t len, const char *origin,
			 const char *file);

/* ---- diffs ------------------------------------------------------------------------
 * The change of one RRset from `before` to `after` (either may be empty,
 * not both); lists of owned clones. The SOA is never part of a diff: the
 * servers keep their own serial on dynamic update. */
typedef struct ipam__dns_change {
	ldns_rr_list *before;
	ldns_rr_list *after;
} ipam__dns_change;

typedef struct ipam__dns_diff {
	ipam__dns_change *c;
	size_t n, cap;
} ipam__dns_diff;

/* The RRsets that differ between `from` (NULL: an empty zone) and `to`,
 * in canonical order of owner then type. Sorts both zones. */
int ipam__dns_diff_make(ipam__dns_diff *out, ipam__dns_zone *from, ipam__dns_zone *to);
void ipam__dns_diff_dispose(ipam__dns_diff *d);
/* Apply changes [first, first+count) of `d` to `z` (RRsets replaced). */
int ipam__dns_diff_apply(ipam__dns_zone *z, const ipam__dns_diff *d, size_t first, size_t count);
/* The SOA fields a push sends besides the RRsets: names, timers, TTL (the
 * serial is the server's business). */
bool ipam__dns_soa_differs(const ipam__dns_zone *a, const ipam__dns_zone *b);
/* The zone's SOA as an RR, with `serial`. */
int ipam__dns_soa_rr(ldns_rr **out, const ipam__dns_zone *z, uint32_t serial);
/* Copy those fields (not the serial) from one zone to another. */
int ipam__dns_soa_copy(ipam__dns_zone *to, const ipam__dns_zone *from);
/* Owner and type of a change. */
const ldns_rdf *ipam__dns_change_owner(const ipam__dns_change *c);
ldns_rr_type ipam__dns_change_type(const ipam__dns_change *c);

/* ---- servers, TSIG ------------------------------------------------------------------ */
typedef struct ipam__dns_tsig {
	const char *name;       /* key name; NULL: unsigned */
	const char *algorithm;  /* "hmac-sha256" (NULL), "hmac-sha1", "hmac-sha512", "hmac-md5";
				   ldns 1.8.3 signs no hmac-sha224, and its table spells
				   hmac-sha384 "hmac-shac384.", so neither is offered */
	const char *secret;     /* base64; never printed */
} ipam__dns_tsig;

typedef struct ipam__dns_server {
	const char *name;       /* how messages call it ("bind1"); NULL: the address */
	const char *address;    /* IPv4 or IPv6 literal */
	uint16_t port;          /* 0: 53 */
	unsigned timeout_ms;    /* per message; 0: 5000 */
	ipam__dns_tsig tsig;
} ipam__dns_server;

/* The ldns name of an algorithm ("hmac-sha256."), or NULL if unknown. */
const char *ipam__dns_tsig_algorithm(const char *name);

/* ---- RFC 2136 push -----------------------------------------------------------------------
 * One push sends the diff between `last` (what this server was last known
 * to hold after a successful push; NULL: nothing of ours yet) and `cur`, in
 * messages of whole owner names (all of a name's changes travel together),
 * each message at most max_rrs RRs (prerequisites + updates) and about
 * 60 KB on the wire (TCP). Every changed RRset carries a prerequisite:
 *  - it existed in `last`: value-dependent "RRset exists" with exactly the
 *    old RRs (RFC 2136 2.4.2), so an RRset changed from outside fails the
 *    message with NXRRSET instead of being overwritten;
 *  - it is new: "RRset does not exist" (2.4.3), and for a name that `last`
 *    did not have at all, "name is not in use" (2.4.5).
 * Updates: the old RRs that go away are deleted one by one (class NONE),
 * the new ones added; an RRset whose TTL changes is deleted whole (class
 * ANY; except the apex NS) and added again. Deletes precede adds.
 * Names that gain an A/AAAA are sent first (BIND refuses an MX/NS/SRV
 * whose in-zone target has no address yet). Messages are sent in order;
 * the first failure stops the push. */
typedef struct ipam__dns_push_options {
	size_t max_rrs;         /* 0: 1000 */
	bool dry_run;           /* nothing sent; result.text is the change */
} ipam__dns_push_options;

typedef struct ipam__dns_push_result {
	size_t messages;        /* planned */
	size_t applied;         /* messages the server accepted (0..messages) */
	size_t changes;         /* RRsets changed in all */
	size_t changes_applied; /* RRsets in the applied messages */
	int rcode;              /* the failing message's rcode, or -1 */
	ipam_buf text;          /* the change in nsupdate syntax (always filled) */
	ipam__dns_zone *state;  /* what the server holds of ours now: `last` with
				   the applied messages; the next push's `last` */
} ipam__dns_push_result;

void ipam__dns_push_result_dispose(ipam__dns_push_result *r);

/* Push `cur` to the zone `cur->origin` on `srv`. 0 when every message was
 * applied (or dry run); otherwise the error of the first failing message,
 * naming server, zone, the message's number and first owner, and what
 * failed: IPAM_EAUTH (TSIG refused: BADKEY/BADSIG, or an answer whose TSIG
 * does not verify), IPAM_EIO (unreachable, timeout), IPAM_ECONFLICT
 * (YXRRSET/NXRRSET/YXDOMAIN/NXDOMAIN: a prerequisite failed, the zone was
 * changed from outside), IPAM_EPERM (REFUSED, NOTAUTH), IPAM_EBACKEND
 * (others). `res` is filled in every case (dispose it). */
int ipam__dns_push(ipam__dns_push_result *res, const ipam__dns_server *srv, ipam__dns_zone *last,
		   ipam__dns_zone *cur, const ipam__dns_push_options *opts);

/* The ldns resolver for one server: TCP, no recursion, timeout, TSIG. */
int ipam__dns_resolver(ldns_resolver **out, const ipam__dns_server *srv, const char *what);
/* What the server holds of ours after `changes_applied` changes of `d`
 * (the first ones, in order): `last` with them, or `cur` when all were. */
int ipam__dns_push_state(ipam__dns_zone **out, ipam__dns_zone *last, ipam__dns_zone *cur, const ipam__dns_diff *d,
			 size_t changes_applied);

/* Check a wire answer to one update message (the fuzzable half of push):
 * parse it, its id must be `id`, opcode UPDATE, QR set; map its rcode.
 * `what` prefixes the message. */
int ipam__dns_update_answer(const uint8_t *wire, size_t len, uint16_t id, const char *what);

/* ---- AXFR and drift ----------------------------------------------------------------------- */
/* Transfer the zone `origin` from `srv` over TCP (TSIG-signed when the
 * server has a key; every signed answer message is verified). */
int ipam__dns_axfr(ipam__dns_zone **out, const ipam__dns_server *srv, const char *origin);

/* DNS over TCP (axfr.c), for the AXFR and the pushes: every wait polls the
 * calling thread's cancellation token (src/cancel.h). The connect sets the
 * error and returns a connected non-blocking socket, or IPAM_EIO, IPAM_EINVAL
 * or IPAM_ECANCELED. Write and read move one length-prefixed message (read:
 * into buf of 65535 bytes) and return 0, -ETIMEDOUT (deadline, in
 * ipam__mono_ns() / 1000000 time), -ECANCELED (the token) or another -errno,
 * setting no error. */
int ipam__dns_tcp_connect(const ipam__dns_server *srv, int64_t deadline, const char *what);
int ipam__dns_tcp_write(int fd, const uint8_t *wire, size_t len, int64_t deadline);
int ipam__dns_tcp_read(int fd, uint8_t *buf, size_t *len, int64_t deadline);
/* Whether a TSIG RR is of the algorithm named (as ipam__dns_tsig_algorithm
 * knows them): checked before verifying, as ldns 1.8.3 leaks on an unknown one. */
bool ipam__dns_tsig_alg_is(const ldns_rr *tsig, const char *alg);

/* The AXFR reader, one message at a time (the fuzzable half): start with
 * the zone's origin; feed each message's wire bytes; done becomes true at
 * the closing SOA. */
typedef struct ipam__dns_axfr_reader {
	ipam__dns_zone *zone;
	const char *what;       /* "server S zone Z" for messages */
	size_t messages;
	int soas;
	bool done;
	/* TSIG: verify with this key when name is set */
	ipam__dns_tsig tsig;
	ldns_rdf *mac;          /* previous MAC (request's first) */
	unsigned unsigned_run;  /* messages since the last signed one */
} ipam__dns_axfr_reader;

int ipam__dns_axfr_reader_init(ipam__dns_axfr_reader *r, const char *origin, const char *what);
int ipam__dns_axfr_reader_feed(ipam__dns_axfr_reader *r, const uint8_t *wire, size_t len);
void ipam__dns_axfr_reader_dispose(ipam__dns_axfr_reader *r);

/* Drift: the server's zone against ours, per RRset (SOA left out): only on
 * the server, only in IPAM, or different (same owner and type, other rdata
 * or TTL). */
typedef struct ipam__dns_drift {
	ipam__dns_diff diff;     /* before = server, after = IPAM */
	size_t only_server, only_ipam, different;
} ipam__dns_drift;

int ipam__dns_drift_check(ipam__dns_drift *out, ipam__dns_zone *server, ipam__dns_zone *ipam);
/* One line per record: "only-server: ...", "only-ipam: ...", "different: ..." */
int ipam__dns_drift_text(ipam_buf *out, const ipam__dns_drift *d);
void ipam__dns_drift_dispose(ipam__dns_drift *d);
/* Import the server's extra records (only-server RRsets) into `ipam`. */
int ipam__dns_drift_import(ipam__dns_zone *ipam, const ipam__dns_drift *d);

/* ---- PowerDNS HTTP API ---------------------------------------------------------------------- */
typedef struct ipam__dns_pdns {
	const char *url;        /* "http://127.0.0.1:8081" */
	const char *server_id;  /* NULL: "localhost" */
	const char *api_key;    /* never printed */
	unsigned timeout_ms;    /* 0: 10000 */
} ipam__dns_pdns;

/* Create the zone (kind Native) with all of `z`'s content. */
int ipam__dns_pdns_create_zone(const ipam__dns_pdns *api, ipam__dns_zone *z);
/* The zone as PowerDNS holds it. */
int ipam__dns_pdns_get_zone(ipam__dns_zone **out, const ipam__dns_pdns *api, const char *origin);
/* Push the diff `last` -> `cur` in one PATCH (REPLACE for new and changed
 * RRsets, DELETE for removed ones; PowerDNS applies a PATCH whole or not at
 * all). Before it, the touched RRsets are read back and compared with
 * `last`: one changed from outside is IPAM_ECONFLICT and nothing is sent.
 * The result is as for ipam__dns_push (one message). */
int ipam__dns_pdns_push(ipam__dns_push_result *res, const ipam__dns_pdns *api, ipam__dns_zone *last,
			ipam__dns_zone *cur, bool dry_run);
/* The fuzzable halves: a zone from a GET reply, and the message of an
 * error reply ({"error": "..."}) into `out` (empty when there is none). */
int ipam__dns_pdns_parse_zone(ipam__dns_zone **out, const char *json, size_t len, const char *where);
void ipam__dns_pdns_error_message(char *out, size_t size, const char *json, size_t len);

/* ---- RPZ ---------------------------------------------------------------------------------------- */
enum {
	IPAM__RPZ_QNAME = 0,      /* the query name (a leading "*." matches below it) */
	IPAM__RPZ_CLIENT_IP,      /* the client's address (rpz-client-ip) */
	IPAM__RPZ_RESPONSE_IP,    /* an address in the answer (rpz-ip) */
};
enum {
	IPAM__RPZ_NXDOMAIN = 0,   /* CNAME . */
	IPAM__RPZ_NODATA,         /* CNAME *. */
	IPAM__RPZ_PASSTHRU,       /* CNAME rpz-passthru. */
	IPAM__RPZ_DROP,           /* CNAME rpz-drop. */
	IPAM__RPZ_LOCAL_DATA,     /* the records in `data` */
};

typedef struct ipam__dns_rpz_policy {
	int trigger;
	const char *name;         /* IPAM__RPZ_QNAME */
	ipam_prefix prefix;       /* the IP triggers */
	int action;
	const char *const *data;  /* LOCAL_DATA: "A 192.0.2.1", "CNAME walled.example." ... */
	size_t ndata;
} ipam__dns_rpz_policy;

/* The RPZ zone `origin` (SOA with mname "localhost.", NS "localhost.")
 * holding the policies; the error names the policy by its index. */
int ipam__dns_rpz_build(ipam__dns_zone **out, const char *origin, const ipam__dns_rpz_policy *p, size_t n,
			uint32_t ttl);
/* The owner name of an IP trigger, relative ("24.0.2.0.192.rpz-ip",
 * "48.zz.db8.2001.rpz-client-ip"). */
int ipam__dns_rpz_ip_owner(char *out, size_t size, const ipam_prefix *p, int trigger);
/* ipam_rpz_render with the SOA serial given (ipam_rpz_render: 1). */
int ipam__dns_rpz_render_text(ipam_buf *out, const char *origin, const char *policies, size_t len, const char *file,
                              uint32_t ttl, uint32_t serial);
/* One policy line as the policy file has it: *key its trigger ("qname
 * bad.example.com", "client-ip 10.9.0.0/16": names in lower case without
 * the final dot, prefixes as ipam_prefix_format writes them) and *canon the
 * whole policy in that form ("qname bad.example.com local A 192.0.2.1;
 * AAAA 2001:db8::1"); free both. With `trigger_only` a trigger alone is
 * taken too (its key is what ipam_rpz_rm needs). IPAM_EINVAL naming `where`. */
int ipam__dns_rpz_canon(const char *policy, const char *where, bool trigger_only, char **key, char **canon);
/* The canonical origin of a zone name ("Example.COM" -> "example.com."),
 * IPAM_EINVAL for a bad name. */
int ipam__dns_canon_origin(char *out, size_t size, const char *zone);

#endif
