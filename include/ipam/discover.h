/**
 * @file ipam/discover.h
 * @brief Discovery (what is really on the network) and reconciliation
 *        (where it disagrees with the records).
 *
 * Probes fill an observation set (ipam_obs_set): one entry per address (or
 * cloud subnet) seen, with the MAC and name seen with it, the probe that saw
 * it and when. ipam_reconcile() compares a set with the records of a
 * database and reports the differences by category. Nothing is ever deleted:
 * with IPAM_RECONCILE_APPLY the addresses seen but not recorded are added
 * (status active, attrs {"source": "discovery"}), each with its audit entry.
 */
#ifndef IPAM_DISCOVER_H
#define IPAM_DISCOVER_H

#include "addr.h"
#include "db.h"

IPAM_BEGIN_DECL

/** What an observation is about. */
typedef enum ipam_obs_kind {
	IPAM_OBS_ADDRESS = 0, /**< an address in use (ARP/ND entry, interface address, answer, PTR) */
	IPAM_OBS_SUBNET = 1   /**< a subnet that exists (a cloud VPC subnet, a connected network) */
} ipam_obs_kind;

/** One observation, as given to ipam_obs_set_add() and returned by ipam_obs_set_get(). */
typedef struct ipam_observation {
	unsigned int version;  /**< IPAM_OBSERVATION_VERSION */
	ipam_obs_kind kind;    /**< address or subnet */
	const char *space;     /**< NULL: "default" */
	ipam_addr addr;        /**< the address (IPAM_OBS_ADDRESS) */
	ipam_prefix subnet;    /**< the subnet (IPAM_OBS_SUBNET) */
	int has_mac;           /**< non-zero when `mac` holds the hardware address seen */
	ipam_mac mac;
	const char *name;      /**< a host name seen (interface name, PTR, instance name), or NULL */
	const char *source;    /**< the probe: "snmp", "icmp", "tcp", "rdns", "aws", ... (required) */
	const char *device;    /**< where it was seen ("10.0.0.1" for an SNMP agent), or NULL */
	int64_t first_seen;    /**< Unix seconds */
	int64_t last_seen;     /**< Unix seconds, >= first_seen */
} ipam_observation;

#define IPAM_OBSERVATION_VERSION 1
#define IPAM_OBSERVATION_INIT { IPAM_OBSERVATION_VERSION, IPAM_OBS_ADDRESS, NULL, { 0, { 0, 0, 0 }, { 0 } }, \
	{ { 0, { 0, 0, 0 }, { 0 } }, 0, { 0, 0, 0 } }, 0, { 0, { 0 } }, NULL, NULL, NULL, 0, 0 }

/** A set of observations (opaque). */
typedef struct ipam_obs_set ipam_obs_set;

/** A new empty set. @return 0 or IPAM_ENOMEM @since 0.2 */
IPAM_EXTERN(int) ipam_obs_set_new(ipam_obs_set **out);

/** Free a set; NULL-safe. @since 0.2 */
IPAM_EXTERN(void) ipam_obs_set_free(ipam_obs_set *set);

/**
 * Add an observation (its strings are copied). An observation of the same
 * space, kind, address (or subnet), MAC (or none) and source as one already
 * in the set is merged into it: first_seen is the earlier, last_seen the
 * later, and a name or device replaces the old one when the new observation
 * is the later one.
 * @return 0; IPAM_EINVAL (bad version, address, subnet, space name, empty
 *         source, last_seen < first_seen) with a message naming the field
 * @since 0.2
 */
IPAM_EXTERN(int) ipam_obs_set_add(ipam_obs_set *set, const ipam_observation *obs);

/** The number of observations in the set. @since 0.2 */
IPAM_EXTERN(size_t) ipam_obs_set_count(const ipam_obs_set *set);

/**
 * The observation at `index` (0 .. count-1), in the order they were first
 * added. Its strings are borrowed from the set until the next change to it.
 * @return 0 or IPAM_ENOTFOUND @since 0.2
 */
IPAM_EXTERN(int) ipam_obs_set_get(ipam_observation *out, const ipam_obs_set *set, size_t index);

/**
 * The set as JSON: an array of objects {"kind", "space", "address" or
 * "subnet", "mac", "name", "source", "device", "first_seen", "last_seen"}
 * (times as Unix seconds).
 * @return 0 or IPAM_ENOMEM @since 0.2
 */
IPAM_EXTERN(int) ipam_obs_set_json(ipam_buf *out, const ipam_obs_set *set);

/**
 * Add the observations of a JSON array as ipam_obs_set_json() writes it
 * (each merged as ipam_obs_set_add() does).
 * @param where names the text in messages ("scan.json"); NULL: "observations"
 * @return 0; IPAM_EINVAL naming the observation's index and field (those
 *         before it were added)
 * @since 0.2
 */
IPAM_EXTERN(int) ipam_obs_set_add_json(ipam_obs_set *set, const char *text, size_t len, const char *where);

/**
 * Keep observations in the database, as stored objects
 * (IPAM_STORE_OBSERVATION, under their space; one per space, kind,
 * address or subnet, MAC and source), merged with those stored before:
 * first_seen the earlier, last_seen the later. One transaction, one audit
 * entry per observation written; an observation the store already has with
 * the same times and fields is not written again.
 * @return 0, IPAM_EINVAL, or a store error (then nothing was written)
 * @since 0.2
 */
IPAM_EXTERN(int) ipam_obs_save(ipam_db *db, const ipam_obs_set *set);

/**
 * Add the stored observations to `out`: those of `space` (NULL: every
 * space, and those of spaces that do not exist) last seen at or after
 * `since` (0: all).
 * @return 0; IPAM_ENOTFOUND for an unknown space; IPAM_EINVAL for a stored
 *         observation that does not read back (the message names it)
 * @since 0.2
 */
IPAM_EXTERN(int) ipam_obs_load(ipam_obs_set *out, ipam_db *db, const char *space, int64_t since);

/** Reconciliation categories. */
typedef enum ipam_drift {
	IPAM_DRIFT_UNRECORDED = 1,     /**< seen, inside a prefix of its space, but not recorded */
	IPAM_DRIFT_UNSEEN = 2,         /**< recorded but not seen for `unseen_days` (or never) */
	IPAM_DRIFT_MAC_DIFFERS = 3,    /**< recorded with one MAC, seen with another */
	IPAM_DRIFT_NAME_DIFFERS = 4,   /**< recorded with one host name, seen (PTR, SNMP, cloud) with another */
	IPAM_DRIFT_MAC_CONFLICT = 5,   /**< one address seen with two or more MACs */
	IPAM_DRIFT_OUTSIDE = 6,        /**< seen outside every prefix of its space */
	IPAM_DRIFT_SUBNET_MISSING = 7, /**< a subnet seen that no prefix of its space covers or overlaps */
	IPAM_DRIFT_SUBNET_DIFFERS = 8  /**< a subnet seen that overlaps prefixes of its space but is none of them */
} ipam_drift;

/** The name of a category as in JSON ("unrecorded", "unseen", "mac-differs", "name-differs",
 * "mac-conflict", "outside", "subnet-missing", "subnet-differs"), "unknown" otherwise. @since 0.2 */
IPAM_EXTERN(const char *) ipam_drift_name(int drift);

/** Flags of ipam_reconcile_options. */
#define IPAM_RECONCILE_APPLY 0x1u /**< adopt the unrecorded addresses (one transaction) */

/** Options of ipam_reconcile(). */
typedef struct ipam_reconcile_options {
	unsigned int version;     /**< IPAM_RECONCILE_OPTIONS_VERSION */
	const char *space;        /**< only this space; NULL: every space */
	int64_t since;            /**< ignore observations last seen before this (Unix seconds); 0: none */
	int64_t now;              /**< the reference time for `unseen_days`; 0: the clock */
	unsigned int unseen_days; /**< "unseen" means no observation in this many days; 0: 30 */
	unsigned int flags;       /**< IPAM_RECONCILE_* */
} ipam_reconcile_options;

#define IPAM_RECONCILE_OPTIONS_VERSION 1
#define IPAM_RECONCILE_OPTIONS_INIT { IPAM_RECONCILE_OPTIONS_VERSION, NULL, 0, 0, 0, 0 }

/** @return 0, or IPAM_EINVAL for an unknown version @since 0.2 */
IPAM_EXTERN(int) ipam_reconcile_options_init(ipam_reconcile_options *opts, unsigned int version);

/** One finding of a reconciliation; strings are borrowed from the report. */
typedef struct ipam_drift_item {
	ipam_drift drift;         /**< the category */
	const char *space;        /**< the space */
	ipam_obs_kind kind;       /**< address or subnet */
	ipam_addr addr;           /**< the address (address findings) */
	ipam_prefix subnet;       /**< the subnet (subnet findings) */
	int has_recorded_mac;
	ipam_mac recorded_mac;
	int has_seen_mac;
	ipam_mac seen_mac;        /**< for mac-conflict: the first of the MACs; all are in `detail` */
	const char *recorded_name; /**< or NULL */
	const char *seen_name;     /**< or NULL */
	const char *source;        /**< the probe that saw it (NULL for unseen) */
	int64_t last_seen;         /**< 0 when never */
	const char *detail;        /**< a sentence for humans ("seen with 2 MACs: ..."), never NULL */
	int applied;               /**< non-zero: adopted into the records by this run */
} ipam_drift_item;

/** The result of ipam_reconcile() (opaque). */
typedef struct ipam_reconcile_report ipam_reconcile_report;

/**
 * Compare observations with the records (spaces, prefixes, addresses) and
 * report the differences, in the order space, then address, then category.
 * Observations of a space that does not exist are reported as "outside".
 * With IPAM_RECONCILE_APPLY, every unrecorded address is added in one
 * transaction (status active, the MAC and a valid name seen with it, attrs
 * {"source": "discovery", "discovered_by": SOURCE}); a second run finds
 * them recorded, so applying is idempotent. Nothing is ever removed.
 * @param out receives the report (free with ipam_reconcile_report_free)
 * @param opts NULL for defaults
 * @return 0; IPAM_ENOTFOUND for an unknown `opts->space`; IPAM_EINVAL; a
 *         store error when applying (then nothing was applied)
 * @since 0.2
 */
IPAM_EXTERN(int) ipam_reconcile(ipam_reconcile_report **out, ipam_db *db, const ipam_obs_set *obs,
				const ipam_reconcile_options *opts);

/** The number of findings. @since 0.2 */
IPAM_EXTERN(size_t) ipam_reconcile_report_count(const ipam_reconcile_report *r);

/** The number of findings of one category (0: all). @since 0.2 */
IPAM_EXTERN(size_t) ipam_reconcile_report_count_of(const ipam_reconcile_report *r, int drift);

/** The finding at `index`; borrowed until the report is freed; NULL past the end. @since 0.2 */
IPAM_EXTERN(const ipam_drift_item *) ipam_reconcile_report_item(const ipam_reconcile_report *r, size_t index);

/**
 * The report as JSON: {"counts": {CATEGORY: N, ...}, "applied": N,
 * "items": [{"category", "space", "address" or "subnet", "recorded_mac",
 * "seen_mac", "recorded_name", "seen_name", "source", "last_seen", "detail",
 * "applied"}, ...]}.
 * @return 0 or IPAM_ENOMEM @since 0.2
 */
IPAM_EXTERN(int) ipam_reconcile_report_json(ipam_buf *out, const ipam_reconcile_report *r);

/** Free a report; NULL-safe. @since 0.2 */
IPAM_EXTERN(void) ipam_reconcile_report_free(ipam_reconcile_report *r);

/** SNMP versions for ipam_snmp_target. */
/**
 * The progress of a long probe, for a progress bar: `done` of `total` steps
 * (addresses probed, agents finished; for the clouds, requests made, with
 * `total` 0: not known ahead). `what` names the probe ("sweep", "rdns",
 * "snmp", "aws", "azure", "gcp", "route53", "azure-dns", "cloud-dns").
 * Called on the calling thread, possibly often: keep it cheap.
 * @since 0.2
 */
typedef void (*ipam_progress_fn)(void *ctx, const char *what, uint64_t done, uint64_t total);

typedef enum ipam_snmp_version {
	IPAM_SNMP_V2C = 2, /**< community */
	IPAM_SNMP_V3 = 3   /**< USM authPriv: HMAC-SHA-1 authentication, AES-128 privacy */
} ipam_snmp_version;

/** One SNMP agent to ask. Secrets are used for the request only, never put in a message. */
typedef struct ipam_snmp_target {
	const char *host;      /**< "192.0.2.1", "[2001:db8::1]" or a name; with ":PORT" (default 161) */
	const char *space;     /**< the space its observations belong to; NULL: "default" */
	ipam_snmp_version snmp_version;
	const char *community; /**< v2c */
	const char *user;      /**< v3 security name */
	const char *auth_pass; /**< v3 SHA pass phrase (at least 8 characters) */
	const char *priv_pass; /**< v3 AES pass phrase (at least 8 characters) */
} ipam_snmp_target;

/** Options of ipam_discover_snmp(). */
typedef struct ipam_snmp_options {
	unsigned int version;      /**< IPAM_SNMP_OPTIONS_VERSION */
	unsigned int timeout_ms;   /**< per request; 0: 1000 */
	unsigned int retries;      /**< per request, after the first try */
	unsigned int concurrency;  /**< agents asked at once; 0: 8 */
	unsigned int bulk_size;    /**< GETBULK max-repetitions; 0: 25 */
	int64_t now;               /**< the time to stamp observations with; 0: the clock */
	ipam_progress_fn progress; /**< called as the probe goes, or NULL @since 0.2 */
	void *progress_ctx;        /**< its first argument */
} ipam_snmp_options;

#define IPAM_SNMP_OPTIONS_VERSION 1
#define IPAM_SNMP_OPTIONS_INIT { IPAM_SNMP_OPTIONS_VERSION, 0, 0, 0, 0, 0, NULL, NULL }

/** @return 0, or IPAM_EINVAL for an unknown version @since 0.2 */
IPAM_EXTERN(int) ipam_snmp_options_init(ipam_snmp_options *opts, unsigned int version);

/**
 * Ask SNMP agents for what they see: the ARP and neighbour caches
 * (ipNetToPhysicalTable: address and MAC) and their own addresses
 * (ipAddressTable, with the interface's MAC from ifTable), all with source
 * "snmp" and `device` "HOST IFNAME" (the agent as given and the interface,
 * ifName from ifXTable or else ifDescr). Loopback, link-local, multicast and
 * unspecified addresses are left out. Tables are read with GETBULK walks.
 * At most `concurrency` agents are asked at once, each through its own
 * net-snmp session, from the calling thread. net-snmp is not reentrant: calls
 * from several threads take turns (a process-wide lock).
 * @param errors receives, for each target, 0 or its error code (may be
 *        NULL); when some agents fail the others' observations are still
 *        added, and the call returns the first failure (its message names the
 *        agent): IPAM_EAUTH (v3 authentication), IPAM_EIO (timeout,
 *        unreachable), IPAM_EINVAL (a malformed answer or target)
 * @return as `errors` says, or IPAM_ECANCELED when the calling thread's
 *         cancellation token (ipam/cancel.h) was triggered: the open sessions
 *         are closed at once, the agents that had finished keep their
 *         observations in `out`, and `errors` is IPAM_ECANCELED for the others
 *         (those interrupted and those not yet asked)
 * @since 0.2
 */
IPAM_EXTERN(int) ipam_discover_snmp(ipam_obs_set *out, const ipam_snmp_target *targets, size_t n, int *errors,
				    const ipam_snmp_options *opts);

/** Options of ipam_discover_sweep(). */
typedef struct ipam_sweep_options {
	unsigned int version;        /**< IPAM_SWEEP_OPTIONS_VERSION */
	const char *space;           /**< the space of the observations; NULL: "default" */
	int icmp;                    /**< non-zero: ICMP / ICMPv6 echo to every address */
	const uint16_t *tcp_ports;   /**< TCP connect to these ports of every address */
	size_t ntcp_ports;
	unsigned int rate;           /**< probes started per second, at most; 0: 100 */
	unsigned int concurrency;    /**< probes in flight, at most; 0: 64 (at most 1024) */
	unsigned int timeout_ms;     /**< per probe; 0: 1000 */
	uint64_t max_addresses;      /**< refuse a larger prefix; 0: 65536 */
	int64_t now;                 /**< the time to stamp observations with; 0: the clock */
	ipam_progress_fn progress; /**< called as the probe goes, or NULL @since 0.2 */
	void *progress_ctx;        /**< its first argument */
} ipam_sweep_options;

#define IPAM_SWEEP_OPTIONS_VERSION 1
#define IPAM_SWEEP_OPTIONS_INIT { IPAM_SWEEP_OPTIONS_VERSION, NULL, 0, NULL, 0, 0, 0, 0, 0, 0, NULL, NULL }

/** @return 0, or IPAM_EINVAL for an unknown version @since 0.2 */
IPAM_EXTERN(int) ipam_sweep_options_init(ipam_sweep_options *opts, unsigned int version);

/**
 * Sweep a prefix: an ICMP echo and/or a TCP connect to each port, for every
 * address of `prefix` and no other (an IPv4 prefix shorter than /31 leaves
 * out its network and broadcast addresses). An address that answers an echo
 * is observed with source "icmp"; one that accepts a connection, with source
 * "tcp" (a refused connection is not counted: a firewall or the host's own
 * stack may refuse for addresses nobody uses). Probes start no faster than
 * `rate` a second and at most `concurrency` are in flight.
 *
 * ICMP uses an unprivileged ping socket where the kernel allows it
 * (net.ipv4.ping_group_range) and a raw socket otherwise (root or
 * CAP_NET_RAW).
 * @return 0; IPAM_EINVAL (bad prefix or options, no probe asked for, a
 *         prefix over max_addresses); IPAM_EPERM (ICMP asked for and neither
 *         socket allowed); IPAM_EIO; IPAM_ECANCELED when the calling thread's
 *         cancellation token (ipam/cancel.h) was triggered: the sweep stops at
 *         once, the addresses that had answered stay in `out`
 * @since 0.2
 */
IPAM_EXTERN(int) ipam_discover_sweep(ipam_obs_set *out, const ipam_prefix *prefix, const ipam_sweep_options *opts);

/** Options of ipam_discover_rdns(). */
typedef struct ipam_rdns_options {
	unsigned int version;     /**< IPAM_RDNS_OPTIONS_VERSION */
	const char *space;        /**< the space of the observations; NULL: "default" */
	const char *server;       /**< the resolver's IPv4 or IPv6 address (required) */
	uint16_t port;            /**< 0: 53 */
	unsigned int timeout_ms;  /**< per query; 0: 2000 */
	unsigned int rate;        /**< queries per second, at most; 0: 200 */
	uint64_t max_addresses;   /**< refuse a larger prefix; 0: 65536 */
	int64_t now;              /**< the time to stamp observations with; 0: the clock */
	ipam_progress_fn progress; /**< called as the probe goes, or NULL @since 0.2 */
	void *progress_ctx;        /**< its first argument */
} ipam_rdns_options;

#define IPAM_RDNS_OPTIONS_VERSION 1
#define IPAM_RDNS_OPTIONS_INIT { IPAM_RDNS_OPTIONS_VERSION, NULL, NULL, 0, 0, 0, 0, 0, NULL, NULL }

/** @return 0, or IPAM_EINVAL for an unknown version @since 0.2 */
IPAM_EXTERN(int) ipam_rdns_options_init(ipam_rdns_options *opts, unsigned int version);

/**
 * Reverse-DNS sweep: ask the resolver for the PTR of every address of
 * `prefix` (all of them, network and broadcast included: they may have
 * names) with recursion desired, and observe each name found (source
 * "rdns", `name` the PTR target with its final dot, `device` the server).
 * NXDOMAIN and NODATA are "no name"; one query that goes unanswered is
 * retried once.
 * @return 0; IPAM_EINVAL (bad prefix or options, a prefix over
 *         max_addresses); IPAM_EIO when the resolver answers none of the
 *         first queries (the message names it); IPAM_ECANCELED when the
 *         calling thread's cancellation token (ipam/cancel.h) was triggered:
 *         the query or the pause between queries ends at once, the names found
 *         stay in `out`
 * @since 0.2
 */
IPAM_EXTERN(int) ipam_discover_rdns(ipam_obs_set *out, const ipam_prefix *prefix, const ipam_rdns_options *opts);

/** Options of ipam_discover_aws(). Secrets are used for the requests only, never put in a message. */
typedef struct ipam_aws_options {
	unsigned int version;      /**< IPAM_AWS_OPTIONS_VERSION */
	const char *region;        /**< "eu-west-1" (required) */
	const char *endpoint;      /**< NULL: "https://ec2.REGION.amazonaws.com"; tests point it at a local server */
	const char *access_key;    /**< required */
	const char *secret_key;    /**< required */
	const char *session_token; /**< temporary credentials, or NULL */
	unsigned int timeout_ms;   /**< per request; 0: 10000 */
	unsigned int max_pages;    /**< per call kind; 0: 1000 */
	int64_t now;               /**< the time to stamp observations and sign with; 0: the clock */
	ipam_progress_fn progress; /**< called as the probe goes, or NULL @since 0.2 */
	void *progress_ctx;        /**< its first argument */
} ipam_aws_options;

#define IPAM_AWS_OPTIONS_VERSION 1
#define IPAM_AWS_OPTIONS_INIT { IPAM_AWS_OPTIONS_VERSION, NULL, NULL, NULL, NULL, NULL, 0, 0, 0, NULL, NULL }

/** @return 0, or IPAM_EINVAL for an unknown version @since 0.2 */
IPAM_EXTERN(int) ipam_aws_options_init(ipam_aws_options *opts, unsigned int version);

/**
 * Read an AWS account's EC2 inventory of one region: DescribeVpcs,
 * DescribeSubnets and DescribeNetworkInterfaces (Query API, Signature V4,
 * NextToken paging). Each VPC is its own space, "aws/ACCOUNT/REGION/VPC-ID",
 * so that overlapping VPC CIDRs never meet; VPC and subnet CIDRs (v4 and v6)
 * become subnet observations, the private addresses of network interfaces
 * address observations with the interface's MAC and private DNS name
 * (source "aws", device the VPC, subnet or interface id).
 * @param db when not NULL, the spaces are created there (when missing) with
 *        the labels {"provider": "aws", "account", "region", "vpc"}
 * @return 0; IPAM_EAUTH (AuthFailure, SignatureDoesNotMatch,
 *         UnauthorizedOperation ...: the message has AWS's code and text);
 *         IPAM_EIO (unreachable, another error answer); IPAM_EINVAL (a bad
 *         option, an answer that is not what EC2 sends, naming the line)
 * @since 0.2
 */
IPAM_EXTERN(int) ipam_discover_aws(ipam_obs_set *out, ipam_db *db, const ipam_aws_options *opts);

/** Options of ipam_discover_azure(). Secrets are used for the requests only, never put in a message. */
typedef struct ipam_azure_options {
	unsigned int version;       /**< IPAM_AZURE_OPTIONS_VERSION */
	const char *subscription;   /**< the subscription id (required) */
	const char *tenant;         /**< the directory (tenant) id, for client credentials */
	const char *client_id;      /**< OAuth2 client credentials ... */
	const char *client_secret;  /**< ... or: */
	const char *access_token;   /**< a bearer token already obtained */
	const char *login_endpoint; /**< NULL: "https://login.microsoftonline.com" */
	const char *arm_endpoint;   /**< NULL: "https://management.azure.com" */
	unsigned int timeout_ms;    /**< per request; 0: 10000 */
	unsigned int max_pages;     /**< per listing; 0: 1000 */
	int64_t now;                /**< the time to stamp observations with; 0: the clock */
	ipam_progress_fn progress; /**< called as the probe goes, or NULL @since 0.2 */
	void *progress_ctx;        /**< its first argument */
} ipam_azure_options;

#define IPAM_AZURE_OPTIONS_VERSION 1
#define IPAM_AZURE_OPTIONS_INIT { IPAM_AZURE_OPTIONS_VERSION, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, 0, NULL, NULL }

/** @return 0, or IPAM_EINVAL for an unknown version @since 0.2 */
IPAM_EXTERN(int) ipam_azure_options_init(ipam_azure_options *opts, unsigned int version);

/**
 * Read a subscription's virtual networks, subnets and network interfaces
 * from Azure Resource Manager (an OAuth2 client-credentials token, or the
 * token given; nextLink paging). Each virtual network is a space
 * "azure/SUB8/RESOURCE-GROUP/VNET" (SUB8: the subscription id's first 8
 * characters) with the labels {"provider": "azure", "account": the
 * subscription, "resource_group", "region", "vnet"}, created in `db` when
 * given; address spaces and subnet prefixes are subnet observations, NIC
 * private addresses address observations with the NIC's MAC (source
 * "azure").
 * @return 0; IPAM_EAUTH (the token was refused); IPAM_EIO; IPAM_EINVAL (a
 *         bad option, an answer not in ARM's format, names too long for a
 *         space)
 * @since 0.2
 */
IPAM_EXTERN(int) ipam_discover_azure(ipam_obs_set *out, ipam_db *db, const ipam_azure_options *opts);

/** Options of ipam_discover_gcp(). */
typedef struct ipam_gcp_options {
	unsigned int version;     /**< IPAM_GCP_OPTIONS_VERSION */
	const char *project;      /**< the project id (required) */
	const char *access_token; /**< an OAuth2 access token (required; never put in a message) */
	const char *endpoint;     /**< NULL: "https://compute.googleapis.com" */
	unsigned int timeout_ms;  /**< per request; 0: 10000 */
	unsigned int max_pages;   /**< per listing; 0: 1000 */
	int64_t now;              /**< the time to stamp observations with; 0: the clock */
	ipam_progress_fn progress; /**< called as the probe goes, or NULL @since 0.2 */
	void *progress_ctx;        /**< its first argument */
} ipam_gcp_options;

#define IPAM_GCP_OPTIONS_VERSION 1
#define IPAM_GCP_OPTIONS_INIT { IPAM_GCP_OPTIONS_VERSION, NULL, NULL, NULL, 0, 0, 0, NULL, NULL }

/** @return 0, or IPAM_EINVAL for an unknown version @since 0.2 */
IPAM_EXTERN(int) ipam_gcp_options_init(ipam_gcp_options *opts, unsigned int version);

/**
 * Read a project's VPC networks, subnetworks (all regions) and instances
 * from the Compute Engine API (pageToken paging). Each network is a space
 * "gcp/PROJECT/NETWORK" with the labels {"provider": "gcp", "account": the
 * project, "network"}, created in `db` when given; subnetwork ranges
 * (primary, secondary, IPv6) are subnet observations, instance interface
 * addresses address observations named after the instance (source "gcp").
 * @return as ipam_discover_azure() @since 0.2
 */
IPAM_EXTERN(int) ipam_discover_gcp(ipam_obs_set *out, ipam_db *db, const ipam_gcp_options *opts);

/** Options of the cloud DNS readers (ipam_cloud_dns_aws() and its siblings). */
typedef struct ipam_cloud_dns_options {
	unsigned int version; /**< IPAM_CLOUD_DNS_OPTIONS_VERSION */
	const char *space;    /**< the space a zone made by the read is bound to; NULL: "default" */
	const char *view;     /**< the DNS view of the zones; NULL: "default" */
	const char *zone;     /**< read only this zone ("example.com", final dot optional); NULL: every zone */
	int derive;           /**< zones made by the read derive A/AAAA/PTR from the space's addresses;
	                           0 (default): hand records only, as the cloud has them */
	int include_private;  /**< non-zero: private zones too (Route 53 private hosted zones, Azure
	                           private zone type, Cloud DNS private visibility); 0: public ones only */
	/* ---- version 2 ---- */
	int dry_run;          /**< non-zero: report what the read would create, add, change and remove,
	                           and write nothing (the changes are made in a transaction that is
	                           rolled back: no zone, record or audit entry remains) @since 0.2 */
} ipam_cloud_dns_options;

#define IPAM_CLOUD_DNS_OPTIONS_VERSION 2
#define IPAM_CLOUD_DNS_OPTIONS_INIT { IPAM_CLOUD_DNS_OPTIONS_VERSION, NULL, NULL, NULL, 0, 0, 0 }

/** @return 0, or IPAM_EINVAL for an unknown version @since 0.2 */
IPAM_EXTERN(int) ipam_cloud_dns_options_init(ipam_cloud_dns_options *opts, unsigned int version);

/**
 * Read an AWS account's Route 53 hosted zones (ListHostedZones,
 * ListResourceRecordSets; Signature V4; marker paging) into the stored DNS
 * model (ipam/dns.h), so that they can be pushed to on-premises
 * secondaries. A zone IPAM does not have is made (bound to opts->space,
 * its name servers the cloud's apex NS); then each RRset is compared with
 * the zone's hand records: one IPAM lacks is added, one that differs
 * (data or TTL) is replaced, an equal one left alone, so that a second read
 * of the same cloud changes nothing. Nothing the cloud lacks is removed.
 * The SOA, the apex NS (the zone's own settings), alias records and records
 * with a routing policy are skipped, as is a record the zone refuses (the
 * reason is reported). All zones are written in one transaction.
 *
 * `aws`: access_key, secret_key, session_token, timeout_ms, max_pages and
 * now as for ipam_discover_aws(); endpoint: the Route 53 API (NULL:
 * "https://route53.amazonaws.com"); region is not needed (Route 53 signs
 * for us-east-1).
 * @param report receives a JSON object: {"provider", "dry_run", "zones":
 *        [{"zone", "id", "created", "added": [RRSET...], "changed": [...],
 *        "unchanged": [...], "removed": [RECORD...], "skipped": [{"record",
 *        "reason"}]}], "added", "changed", "unchanged", "removed",
 *        "skipped": counts}; an RRSET is "OWNER. TYPE", a RECORD a hand
 *        record IPAM had in a changed RRset, in presentation format. With
 *        opts->dry_run, the same report of what would be done (may be NULL)
 * @return 0; IPAM_EAUTH; IPAM_EIO; IPAM_EINVAL (a bad option or answer);
 *         the store's errors (nothing written then)
 * @since 0.2
 */
IPAM_EXTERN(int) ipam_cloud_dns_aws(ipam_buf *report, ipam_db *db, const ipam_aws_options *aws,
                                    const ipam_cloud_dns_options *opts);

/**
 * Read a subscription's Azure DNS zones and record sets (ARM, nextLink
 * paging) as ipam_cloud_dns_aws() does; `azure` as for
 * ipam_discover_azure() (arm_endpoint the Resource Manager).
 * @since 0.2
 */
IPAM_EXTERN(int) ipam_cloud_dns_azure(ipam_buf *report, ipam_db *db, const ipam_azure_options *azure,
                                      const ipam_cloud_dns_options *opts);

/**
 * Read a project's Google Cloud DNS managed zones and resource record sets
 * (pageToken paging) as ipam_cloud_dns_aws() does; `gcp` as for
 * ipam_discover_gcp(), endpoint the Cloud DNS API (NULL:
 * "https://dns.googleapis.com").
 * @since 0.2
 */
IPAM_EXTERN(int) ipam_cloud_dns_gcp(ipam_buf *report, ipam_db *db, const ipam_gcp_options *gcp,
                                    const ipam_cloud_dns_options *opts);

/**
 * A credential for the probes, stored (ipam_credential_add) so that no
 * secret needs to be typed on a command line. Its secrets are sealed
 * before they are stored (see docs/storage.md: under the handle's sealing
 * key) and never printed: lists, exports and the audit trail show the
 * sealed text only.
 *
 * | type     | id                  | tenant    | secret         | secret2                          |
 * |----------|---------------------|-----------|----------------|----------------------------------|
 * | "aws"    | the access key id   | -         | the secret key | the session token, or NULL       |
 * | "azure"  | the client (app) id | the tenant| client secret  | -                                |
 * | "gcp"    | - (may name it)     | -         | an access token| -                                |
 * | "snmpv3" | the user            | -         | auth pass phrase | priv pass phrase (NULL: the auth one) |
 */
typedef struct ipam_credential {
	unsigned int version; /**< IPAM_CREDENTIAL_VERSION */
	const char *type;     /**< "aws", "azure", "gcp" or "snmpv3" */
	const char *id;       /**< the non-secret half (see the table), or NULL */
	const char *tenant;   /**< Azure: the directory (tenant) id, or NULL */
	const char *secret;   /**< required */
	const char *secret2;  /**< or NULL */
} ipam_credential;

#define IPAM_CREDENTIAL_VERSION 1
#define IPAM_CREDENTIAL_INIT { IPAM_CREDENTIAL_VERSION, NULL, NULL, NULL, NULL, NULL }

/**
 * Store a credential under `name` (or with `replace`, replace it); the
 * secrets are sealed at once, one audit entry ("credential.add" /
 * "credential.set") records the change without them.
 * @return 0; IPAM_EEXISTS; IPAM_EINVAL (an unknown type, a missing field:
 *         the message names it, never a secret); IPAM_EPERM (no sealing key)
 * @since 0.2
 */
IPAM_EXTERN(int) ipam_credential_add(ipam_db *db, const char *name, const ipam_credential *cred, int replace);

/** Remove a credential. @return 0 or IPAM_ENOTFOUND @since 0.2 */
IPAM_EXTERN(int) ipam_credential_rm(ipam_db *db, const char *name);

/**
 * The credentials as a JSON array of {"name", "type", "id", "tenant"},
 * in name order; no secret, sealed or not. @since 0.2
 */
IPAM_EXTERN(int) ipam_credential_list(ipam_buf *out, ipam_db *db);

/**
 * A credential with its secrets unsealed, for a probe: the strings of *out
 * point into `store`, which the caller must release with
 * ipam_credential_wipe() (it wipes the secrets) as soon as the probe is done.
 * @return 0; IPAM_ENOTFOUND; IPAM_EAUTH (sealed under another key);
 *         IPAM_EPERM (no sealing key) @since 0.2
 */
IPAM_EXTERN(int) ipam_credential_get(ipam_credential *out, ipam_buf *store, ipam_db *db, const char *name);

/** Wipe and release what ipam_credential_get() filled. NULL-safe. @since 0.2 */
IPAM_EXTERN(void) ipam_credential_wipe(ipam_buf *store);

IPAM_END_DECL

#endif
