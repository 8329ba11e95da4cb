/* Discovery: the observation set, reconciliation, and the probes that fill
 * the set. Internal (hidden symbols, not installed); docs/discovery.md says
 * how the pieces fit.
 *
 * One library per probe, used here only: net-snmp in snmp.c (its
 * single-session API, never the global session list). Parsers of what
 * agents answer are separate from the I/O so that they can be fuzzed
 * (fuzz/discover_snmp_fuzzer.c). */
#ifndef IPAM_DISCOVER_DISC_H
#define IPAM_DISCOVER_DISC_H

#include "common.h"

#include "ipam/discover.h"

#include <time.h>

/* One observation as the set keeps it: strings are owned (name) or interned
 * in the set (space, source, device: few distinct values). */
typedef struct ipam__disc_obs {
	uint8_t kind;
	uint8_t has_mac;
	ipam_addr addr;
	ipam_prefix subnet;
	ipam_mac mac;
	const char *space, *source, *device; /* interned */
	char *name;
	int64_t first_seen, last_seen;
} ipam__disc_obs;

struct ipam_obs_set {
	ipam__disc_obs *v;
	size_t n, cap;
	uint32_t *slot; /* open addressing: index + 1, 0 empty */
	size_t nslot;   /* a power of two, > 2n */
	char **str;     /* interned strings */
	size_t nstr, cstr;
};

/* Print `doc` (taken, NULL: ENOMEM) into `out`, replacing what it held. */
struct cJSON;
int ipam__disc_json_out(ipam_buf *out, struct cJSON *doc);

/* A probe's progress (ipam_progress_fn): step() counts one more step done. */
typedef struct ipam__disc_prog {
	ipam_progress_fn fn;
	void *ctx;
	const char *what;
	uint64_t done, total;
} ipam__disc_prog;

static inline void ipam__disc_step(ipam__disc_prog *p)
{
	p->done++;
	if (p->fn)
		p->fn(p->ctx, p->what, p->done, p->total);
}

/* Text of an address or prefix for messages (empty when invalid). */
typedef struct { char s[IPAM_PREFIX_STRLEN]; } ipam__disc_txt;
static inline ipam__disc_txt ipam__disc_addr_txt(const ipam_addr *a)
{
	ipam__disc_txt t;
	if (ipam_addr_format(t.s, sizeof t.s, a) < 0)
		t.s[0] = '\0';
	return t;
}
static inline ipam__disc_txt ipam__disc_prefix_txt(const ipam_prefix *p)
{
	ipam__disc_txt t;
	if (ipam_prefix_format(t.s, sizeof t.s, p) < 0)
		t.s[0] = '\0';
	return t;
}

/* One observation as JSON (the elements of ipam_obs_set_json), and back:
 * `where` names it in messages; the strings of *o borrow from j. */
struct cJSON *ipam__disc_obs_to_json(const ipam_observation *o);
int ipam__disc_obs_from_json(ipam_observation *o, const struct cJSON *j, const char *where);

/* The interned copy of `s` (NULL stays NULL). */
const char *ipam__disc_intern(ipam_obs_set *set, const char *s);

/* ---- SNMP answers (snmp_walk.c): pure, no net-snmp, fuzzed ----------------
 * The probe walks five columns; each varbind that comes back (the
 * sub-identifiers after the column's OID, and an OCTET STRING or an INTEGER
 * value) is handed to ipam__disc_snmp_take, which keeps what it means. When
 * every walk is done, ipam__disc_snmp_emit turns it into observations. */
enum {
	IPAM__SNMP_NET_PHYS,  /* ipNetToPhysicalPhysAddress 1.3.6.1.2.1.4.35.1.4 */
	IPAM__SNMP_ADDR_IF,   /* ipAddressIfIndex 1.3.6.1.2.1.4.34.1.3 */
	IPAM__SNMP_IF_DESCR,  /* ifDescr 1.3.6.1.2.1.2.2.1.2 */
	IPAM__SNMP_IF_PHYS,   /* ifPhysAddress 1.3.6.1.2.1.2.2.1.6 */
	IPAM__SNMP_IF_NAME,   /* ifName 1.3.6.1.2.1.31.1.1.1.1 */
	IPAM__SNMP_NCOLS
};

typedef struct ipam__snmp_if {
	long index;
	char descr[64], name[64];
	ipam_mac mac; /* len 0: none */
} ipam__snmp_if;

typedef struct ipam__snmp_host {
	long ifindex;
	ipam_addr addr;
	ipam_mac mac; /* neighbours: the MAC; own addresses: len 0 */
} ipam__snmp_host;

typedef struct ipam__snmp_walk {
	ipam__snmp_if *ifs;
	size_t nifs, cifs;
	ipam__snmp_host *hosts; /* neighbours and own addresses */
	size_t nhosts, chosts;
} ipam__snmp_walk;

/* One varbind of column `col`: `sub[0..n)` the index after the column's OID;
 * `octets`/`len` an OCTET STRING value (NULL when it was not one), `integer`
 * an INTEGER value (when octets is NULL). IPAM_EINVAL with a message naming
 * the column and the index for a malformed row (RFC 4001 InetAddress: type 1
 * with 4 octets, 2 with 16, the zoned types 3/4 with 4 more). */
int ipam__disc_snmp_take(ipam__snmp_walk *w, int col, const unsigned long *sub, size_t n, const uint8_t *octets,
			 size_t len, long integer);
/* Add what the walks found to `set` (source "snmp", device "HOST IFNAME"). */
int ipam__disc_snmp_emit(const ipam__snmp_walk *w, ipam_obs_set *set, const char *host, const char *space,
			 int64_t now);
void ipam__disc_snmp_walk_free(ipam__snmp_walk *w);

/* ---- XML (xml.c): what AWS answers, read as a stream -------------------------
 * ipam__xmlsax_parse walks the text: after each element is opened (pushed on
 * stack[], depth counting it) open() is called; at its end leaf() when it
 * held text (in val, entities decoded) and then close(), before it is
 * popped. A callback's non-zero return stops the walk. Callers embed the
 * struct first in their own and cast back. */
#define IPAM__XML_DEPTH 24
typedef struct ipam__xmlsax {
	const char *text;
	size_t len, pos;
	const char *what; /* names the document in messages: "WHAT: line N: ..." */
	int (*open)(struct ipam__xmlsax *x);
	int (*leaf)(struct ipam__xmlsax *x);
	int (*close)(struct ipam__xmlsax *x);
	char stack[IPAM__XML_DEPTH][48];
	int depth;
	char val[4096];
	size_t nval;
	bool val_over;
} ipam__xmlsax;

int ipam__xmlsax_parse(ipam__xmlsax *x);
/* IPAM_EINVAL "WHAT: line N: why". */
int ipam__xmlsax_bad(const ipam__xmlsax *x, const char *why);
/* Whether stack[from..depth) is exactly the "a/b/c" path. */
bool ipam__xmlsax_at(const ipam__xmlsax *x, int from, const char *path);
/* v into a fixed field, cut at its size. */
void ipam__xmlsax_copy(char *dst, size_t size, const char *v);

/* ---- clouds ------------------------------------------------------------------
 * AWS Signature Version 4 (sigv4.c): the Authorization header value for one
 * request. `headers` are the "Name: value" lines to sign (NULL-terminated;
 * host and x-amz-date among them), `query` the URI-encoded query string (or
 * NULL), `amz_date` "YYYYMMDDTHHMMSSZ". */
typedef struct ipam__sigv4 {
	const char *method, *path, *query;
	const char *const *headers;
	const char *payload;
	size_t payload_len;
	const char *access_key, *secret_key, *region, *service, *amz_date;
} ipam__sigv4;
int ipam__disc_sigv4(char *out, size_t size, const ipam__sigv4 *r);

/* EC2 answers (ec2_xml.c): one page of DescribeVpcs, DescribeSubnets or
 * DescribeNetworkInterfaces read into `out` (observations in the spaces
 * "aws/OWNER/REGION/VPC", each space noted once in spaces[]), its
 * nextToken, or the error code and message of an error answer. `what`
 * names the answer in messages. */
/* The spaces a cloud inventory maps its networks to (cloud.c): noted while
 * reading, created with their labels at the end. */
typedef struct ipam__cloud_space {
	char name[64];
	char *labels; /* a JSON object */
} ipam__cloud_space;

typedef struct ipam__cloud_spaces {
	ipam__cloud_space *v;
	size_t n, cap;
} ipam__cloud_spaces;

/* Append s percent-encoded (RFC 3986: unreserved characters kept, the rest
 * %XX), as SigV4 and form bodies want it. */
int ipam__disc_urlencode(ipam_buf *b, const char *s);
/* Whether a name is one a space may have (1..63 of letters, digits, -_.:/). */
int ipam__disc_space_name_ok(const char *name);
/* Note a space once; labels: NULL-terminated key, value pairs. */
int ipam__disc_space_note(ipam__cloud_spaces *l, const char *name, const char *const *labels);
/* Create the noted spaces in db (those that exist are left as they are). */
int ipam__disc_spaces_create(const ipam__cloud_spaces *l, ipam_db *db);
void ipam__disc_spaces_dispose(ipam__cloud_spaces *l);

/* One request whose answer is JSON: 0 and the document (delete it), or the
 * error: a non-200 status with the cloud's {"error": ...} document (401/403
 * and OAuth2's invalid_client: IPAM_EAUTH; others IPAM_EIO), an answer that
 * is not JSON (IPAM_EINVAL). `bearer` (may be NULL) goes in an
 * Authorization header; `form` (may be NULL) is a urlencoded body. */
struct cJSON;
int ipam__disc_get_json(struct cJSON **out, const char *what, const char *method, const char *url,
			const char *bearer, const char *form, unsigned timeout_ms);

typedef struct ipam__ec2_page {
	ipam_obs_set *out;
	const char *region;
	const char *account; /* when an item names no ownerId; may be NULL */
	int64_t now;
	char *next_token;    /* owned */
	char error_code[64], error_message[512];
	ipam__cloud_spaces spaces;
} ipam__ec2_page;

int ipam__disc_ec2_parse(ipam__ec2_page *page, const char *xml, size_t len, const char *what);
void ipam__disc_ec2_page_dispose(ipam__ec2_page *page);

/* Azure Resource Manager and Google Compute listings (cloud_json.c), one
 * page each: observations into `out` (source `provider`), spaces noted,
 * `next` the nextLink / nextPageToken (owned; NULL at the end). */
enum { IPAM__AZ_VNETS, IPAM__AZ_NICS, IPAM__GCP_NETWORKS, IPAM__GCP_SUBNETS, IPAM__GCP_INSTANCES };

typedef struct ipam__disc_cloud {
	ipam_obs_set *out;
	const char *provider; /* "azure" or "gcp" */
	const char *account;  /* the subscription or project */
	int64_t now;
	ipam__cloud_spaces spaces;
	char *next;
} ipam__disc_cloud;

int ipam__disc_cloud_parse(ipam__disc_cloud *c, int kind, const struct cJSON *doc, const char *what);

/* ---- cloud DNS ------------------------------------------------------------------
 * What a provider's DNS holds, read page by page (r53_xml.c: Route 53's
 * XML; cdns_json.c: Azure DNS and Google Cloud DNS JSON; both pure and
 * fuzzed by fuzz/cloud_dns_fuzzer.c) into zones of presentation-format
 * records, then compared with the stored DNS model (cloud_dns.c). A record
 * IPAM does not take (the SOA, the apex NS, an alias, a routing policy, a
 * control character) is kept with the reason in `skip`. */
typedef struct ipam__cdns_rec {
	char *text; /* "OWNER. TTL IN TYPE RDATA" */
	char *skip; /* why it is not taken, or NULL */
} ipam__cdns_rec;

typedef struct ipam__cdns_zone {
	char *origin; /* with its final dot */
	char *id;     /* Route 53 "Z...", the Azure resource id, the Google zone name */
	bool private_zone;
	ipam__cdns_rec *rec;
	size_t n, cap;
} ipam__cdns_zone;

typedef struct ipam__cdns {
	ipam__cdns_zone *z;
	size_t n, cap;
	/* the next page: Route 53 NextMarker, or NextRecordName, NextRecordType,
	 * NextRecordIdentifier; Azure nextLink; Google nextPageToken (owned) */
	char *next[3];
	char error_code[64], error_message[512];
} ipam__cdns;

enum { IPAM__CDNS_AZURE, IPAM__CDNS_GCP };

int ipam__cdns_r53_zones(ipam__cdns *c, const char *xml, size_t len, const char *what);
int ipam__cdns_r53_rrsets(ipam__cdns *c, ipam__cdns_zone *z, const char *xml, size_t len, const char *what);
int ipam__cdns_json_zones(ipam__cdns *c, int provider, const struct cJSON *doc, const char *what);
int ipam__cdns_json_rrsets(ipam__cdns *c, ipam__cdns_zone *z, int provider, const struct cJSON *doc,
			   const char *what);
/* A zone (origin: a DNS name; IPAM_EINVAL naming `what` otherwise). */
int ipam__cdns_zone_add(ipam__cdns *c, const char *origin, const char *id, bool private_zone, const char *what);
/* One record of z; `skip` (may be NULL) says why it is not taken, and the
 * SOA and apex NS are skipped here. */
int ipam__cdns_rec_add(ipam__cdns_zone *z, const char *owner, const char *type, long long ttl, const char *rdata,
		       const char *skip);
void ipam__cdns_next_clear(ipam__cdns *c);
void ipam__cdns_dispose(ipam__cdns *c);
/* Write what was read into db (cloud_dns.c: canonical forms, then one
 * transaction) and report it; the zones of c are reordered (wanted first). */
int ipam__cdns_ingest(ipam_buf *report, ipam_db *db, ipam__cdns *c, const ipam_cloud_dns_options *o,
		      const char *provider);

/* The clouds' requests, shared by the inventories and the DNS readers:
 * one Signature V4 signed AWS request (aws.c); every page of an Azure
 * (nextLink) or Google (pageToken) listing, `page` reading each (and
 * setting *next, owned, NULL at the end) (azure_gcp.c); an Azure token. */
typedef struct ipam__aws_call {
	const char *method, *url, *path, *query, *body;
	const char *service, *region, *amz_date, *what;
} ipam__aws_call;
struct ipam__http_resp;
int ipam__disc_aws_send(const ipam_aws_options *o, const ipam__aws_call *c, struct ipam__http_resp *resp);
/* The error of an AWS error answer: IPAM_EAUTH for the authentication codes. */
int ipam__disc_aws_fail(const char *what, long status, const char *code, const char *message);
/* "YYYYMMDDTHHMMSSZ" of now (0: the clock) */
void ipam__disc_amz_date(char out[20], int64_t now);

typedef int (*ipam__disc_page_fn)(void *ctx, const struct cJSON *doc, const char *what, char **next);
int ipam__disc_json_pages(int azure, const char *url, const char *token, unsigned timeout_ms, unsigned max_pages,
			  const char *what, ipam__disc_page_fn page, void *ctx, ipam__disc_prog *prog);
int ipam__disc_azure_token(char **out, const ipam_azure_options *o);
/* Ids that go into URLs: letters, digits, '-', '_', '.' (and '/' when
 * `slash`) only; IPAM_EINVAL naming `what` otherwise. */
int ipam__disc_url_safe(const char *s, const char *what, bool slash);

/* PTR queries (the reverse-DNS sweep): src/dns/ptrq.h */
#include "dns/ptrq.h"

#endif
