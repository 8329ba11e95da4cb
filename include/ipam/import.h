/**
 * @file ipam/import.h
 * @brief Importers for other IPAM/DDI systems' exports, with partial success.
 *
 * An import reads one or more files of one format into a normalised model
 * (spaces, prefixes, ranges with exclusions, addresses, DNS records and free
 * attributes, each item remembering its file and physical line), then writes
 * the model to a database in one transaction, comparing it with what is
 * there: importing the same files again changes nothing and reports every
 * item as unchanged, and files that describe the same object merge.
 *
 * Bad rows are reported (file, 1-based physical line where the record
 * starts, field, value, message) and skipped; the rest is imported, unless
 * IPAM_IMPORT_ALL_OR_NOTHING is set. ipam_import_report() gives the report
 * as one JSON object:
 * `{"imported": {...}, "updated": {...}, "unchanged": {...}, "skipped": {...},
 *   "errors": [{"file", "line", "field", "value", "message"}], "notes": [...]}`
 * where each count object has "spaces", "prefixes", "ranges", "addresses"
 * and "records". See docs/import.md.
 *
 * Typical use:
 * @code
 * ipam_import *imp;
 * ipam_import_new(&imp, IPAM_IMPORT_NETBOX_CSV, NULL);
 * ipam_import_add_file(imp, "prefixes.csv");
 * ipam_import_apply(imp, db);
 * ipam_import_report(&buf, imp);
 * ipam_import_free(imp);
 * @endcode
 */
#ifndef IPAM_IMPORT_H
#define IPAM_IMPORT_H

#include "db.h"

IPAM_BEGIN_DECL

/** The source formats. @since 0.2 */
typedef enum ipam_import_format {
	IPAM_IMPORT_NETBOX_CSV = 1,  /**< NetBox CSV bulk import: vrfs, prefixes, ip-ranges, ip-addresses */
	IPAM_IMPORT_NETBOX_JSON = 2, /**< NetBox REST API list documents (paged) */
	IPAM_IMPORT_INFOBLOX = 3,    /**< Infoblox NIOS multi-section CSV (`header-*` rows) */
	IPAM_IMPORT_PHPIPAM_SQL = 4, /**< phpIPAM's MySQL dump (mysqldump --complete-insert) */
	IPAM_IMPORT_BLUECAT = 5,     /**< BlueCat importEntities CSV or NDJSON (IP4Address, IP4DHCPRange) @since 0.2 */
	IPAM_IMPORT_PHPIPAM_CSV = 6, /**< phpIPAM's subnet and address CSV imports (',' or ';') @since 0.2 */
	IPAM_IMPORT_BIND_ZONE = 7,   /**< BIND zone files ($ORIGIN, $TTL, $INCLUDE, $GENERATE) @since 0.2 */
	IPAM_IMPORT_MSDHCP_XML = 8,  /**< Microsoft DHCP Export-DhcpServer XML @since 0.2 */
	IPAM_IMPORT_MSDHCP_NETSH = 9, /**< Microsoft DHCP `netsh dhcp server dump` text @since 0.2 */
	IPAM_IMPORT_CSV = 10          /**< any CSV, read through a mapping (ipam_import_set_mapping()) @since 0.2 */
} ipam_import_format;

/**
 * Parse a format name as the CLI writes it: "netbox-csv", "netbox-json",
 * "infoblox", "phpipam-sql", "bluecat", "phpipam-csv", "bind-zone",
 * "msdhcp-xml", "msdhcp-netsh", "csv".
 * @return 0, or IPAM_EINVAL naming the formats known @since 0.2
 */
IPAM_EXTERN(int) ipam_import_format_parse(ipam_import_format *out, const char *name);

/** Only compute what would change: the database is left as it was. @since 0.2 */
#define IPAM_IMPORT_DRY_RUN 0x1u
/** Import nothing when any row is bad. @since 0.2 */
#define IPAM_IMPORT_ALL_OR_NOTHING 0x2u

/** Options for ipam_import_new(). Fields are only ever appended. */
typedef struct ipam_import_options {
	unsigned int version; /**< IPAM_IMPORT_OPTIONS_VERSION */
	unsigned int flags;   /**< IPAM_IMPORT_* flags */
	/** Put every object into this space (NULL: each source space maps to
	 * the space of the same name, the source's global table to "default"). */
	const char *space;
	/** `nspace_map` words "SOURCE=SPACE" naming the space for a source
	 * space (VRF, network view, configuration); others map as above. */
	const char *const *space_map;
	size_t nspace_map;
} ipam_import_options;

#define IPAM_IMPORT_OPTIONS_VERSION 1
#define IPAM_IMPORT_OPTIONS_INIT { IPAM_IMPORT_OPTIONS_VERSION, 0, NULL, NULL, 0 }

/** @return 0, or IPAM_EINVAL for an unknown version @since 0.2 */
IPAM_EXTERN(int) ipam_import_options_init(ipam_import_options *opts, unsigned int version);

/** One import: the files read so far, their model and the report (opaque). */
typedef struct ipam_import ipam_import;

/**
 * Start an import.
 * @param opts NULL for defaults; copied (the strings too)
 * @return 0; IPAM_EINVAL for an unknown format, version or a malformed
 *         space map; IPAM_ENOMEM
 * @since 0.2
 */
IPAM_EXTERN(int) ipam_import_new(ipam_import **out, ipam_import_format format, const ipam_import_options *opts);

/**
 * Read a file into the model. Bad rows go to the report and are skipped.
 * @return 0; IPAM_EIO when the file cannot be read; IPAM_EINVAL when it is
 *         not of the format at all (the message names file and line); the
 *         model keeps what earlier files gave either way; IPAM_ECANCELED when
 *         the calling thread's cancellation token (ipam/cancel.h) was triggered
 *         while a BIND zone file was read (checked every 2048 records; the
 *         model may hold part of that file: free the import, nothing was
 *         written)
 * @since 0.2
 */
IPAM_EXTERN(int) ipam_import_add_file(ipam_import *imp, const char *path);

/**
 * As ipam_import_add_file() for `len` bytes in memory; `name` is the file
 * name the report and messages use.
 * @since 0.2
 */
IPAM_EXTERN(int) ipam_import_add_buffer(ipam_import *imp, const char *name, const char *data, size_t len);

/**
 * Give an IPAM_IMPORT_CSV import its mapping, before its files: a JSON
 * object `{"delimiter": ",", "object": "address"|"prefix"|"range",
 * "space": "S", "columns": {"COLUMN": "FIELD" | {"field": "FIELD",
 * "transform": "lower"|"upper"|"netmask"|"split"|"bool", "name": "ATTR",
 * "sep": "SEP"}}}` where FIELD is one of address, prefix, network, length,
 * start, end, range, hostname, mac, description, name, space, status,
 * vlan, attr, ignore (see docs/import.md). Columns it does not name are
 * kept as attributes of their header's name.
 * @return 0; IPAM_EINVAL for another format, a mapping that is not JSON
 *         or names an unknown field or transform (the message says which
 *         column); IPAM_ENOMEM
 * @since 0.2
 */
IPAM_EXTERN(int) ipam_import_set_mapping(ipam_import *imp, const char *json);

/**
 * Guess a mapping for a CSV file from its header and first rows (values
 * that are addresses, prefixes, netmasks, MACs, ranges; header words),
 * for a person to review: the JSON that ipam_import_set_mapping() takes,
 * with a "review" array saying why each column got its field.
 * @param name the file's name for messages
 * @return 0; IPAM_EINVAL for an empty file, bad quoting or bytes that are
 *         not UTF-8 (naming the line); IPAM_ENOMEM
 * @since 0.2
 */
IPAM_EXTERN(int) ipam_import_suggest(ipam_buf *out, const char *name, const char *data, size_t len);

/**
 * How far an import is: `phase` is "read" (after each file: done files of
 * total) or "apply" (done objects of total, every few hundred and at the
 * end). Called on the importing thread; it must not use the import.
 * @since 0.2
 */
typedef void (*ipam_import_progress_fn)(void *ctx, const char *phase, uint64_t done, uint64_t total);

/**
 * Ask for progress reports (ipamctl draws a bar on a terminal); NULL stops
 * them. `total` of "read" is the files added so far. @since 0.2
 */
IPAM_EXTERN(void) ipam_import_set_progress(ipam_import *imp, ipam_import_progress_fn fn, void *ctx);

/**
 * Write the model to `db` in one transaction (ipam_db_run(): run again when
 * another writer wins a race), or with IPAM_IMPORT_DRY_RUN compute what
 * would change and roll back. Objects the database refuses are reported and
 * skipped (with IPAM_IMPORT_ALL_OR_NOTHING: nothing is written when any
 * row was bad). Call it once per import.
 * @return 0 (see ipam_import_status() for how much went in); IPAM_EINVAL
 *         when called inside an open transaction or twice; a store error
 *         (the database is as before); IPAM_ECANCELED when the calling
 *         thread's cancellation token (ipam/cancel.h) was triggered (checked
 *         every 256 objects: the whole import is rolled back, the database
 *         as before)
 * @since 0.2
 */
IPAM_EXTERN(int) ipam_import_apply(ipam_import *imp, ipam_db *db);

/**
 * The report as one JSON object (see the file comment), appended to `out`.
 * @return 0 or IPAM_ENOMEM @since 0.2
 */
IPAM_EXTERN(int) ipam_import_report(ipam_buf *out, const ipam_import *imp);

/**
 * How the import went, as the CLI's exit status: 0 when every row was
 * taken (imported, updated or unchanged), 3 when some rows were skipped,
 * 1 when nothing could be imported.
 * @since 0.2
 */
IPAM_EXTERN(int) ipam_import_status(const ipam_import *imp);

/** Free an import; NULL-safe. @since 0.2 */
IPAM_EXTERN(void) ipam_import_free(ipam_import *imp);

/** What ipam_export_csv() writes. @since 0.2 */
typedef enum ipam_export_csv_kind {
	IPAM_EXPORT_NETBOX_VRFS = 1,      /**< NetBox vrfs.csv: the spaces but "default" (name, rd, labels) */
	IPAM_EXPORT_NETBOX_PREFIXES = 2,  /**< NetBox prefixes.csv */
	IPAM_EXPORT_NETBOX_RANGES = 3,    /**< NetBox ip-ranges.csv (bounds with the mask of their prefix) */
	IPAM_EXPORT_NETBOX_ADDRESSES = 4, /**< NetBox ip-addresses.csv (with the mask of their prefix) */
	IPAM_EXPORT_INFOBLOX = 5          /**< one Infoblox NIOS CSV export (header-* sections) */
} ipam_export_csv_kind;

/**
 * Export the store as CSV that the other system's bulk import takes, and
 * that this library's importer for that format reads back to the same
 * spaces, prefixes, ranges and addresses. Attributes become columns
 * (NetBox `cf_<key>`, Infoblox `EA-<key>`), so none is lost. What a format
 * cannot say is listed in docs/import.md (Infoblox: an address that is
 * neither named nor reserved is written as a fixed address).
 * @param out  the CSV text is appended; release it with ipam_buf_dispose()
 * @return 0; IPAM_EINVAL for an unknown kind; IPAM_ENOMEM
 * @since 0.2
 */
IPAM_EXTERN(int) ipam_export_csv(ipam_buf *out, ipam_db *db, ipam_export_csv_kind what);

IPAM_END_DECL

#endif
