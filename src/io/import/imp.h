/* The importers' shared pieces: the normalised model every source parses
 * into, the CSV reader, the report, and the apply step (src/io/import/).
 * Internal; not installed. See docs/import.md. */
#ifndef IPAM_IO_IMPORT_IMP_H
#define IPAM_IO_IMPORT_IMP_H

#include "common.h"
#include "ipam/import.h"

#include <cjson/cJSON.h>

/* ---- the model ------------------------------------------------------------ */

enum ipam__imp_type { IMP_SPACE, IMP_PREFIX, IMP_RANGE, IMP_ADDRESS, IMP_RECORD, IMP_ZONE, IMP_NTYPES };

/* One object of the source. Strings are owned; NULL when absent. `space`
 * is the source's space name (VRF, network view), NULL for its global
 * table. `attrs` are the free attributes compared with the expected
 * results; `extra` are fields kept in the store beside them (NetBox's
 * mark_utilized) that the normalised view does not list. */
typedef struct ipam__imp_item {
	enum ipam__imp_type type;
	uint64_t hash;         /* of (type, space, key) as ipam__imp_get was given them */
	const char *file;      /* borrowed from the model's file list */
	unsigned long line;    /* physical line where the record starts */
	char *space;
	char *kind;            /* prefix: container/network; range: range/dhcp/reserved; address: static/... */
	char *name;            /* space: its name; range, address: its name; record: owner name; zone: origin */
	char *description;
	char *hostname;        /* address */
	char *rd;              /* space: route distinguisher */
	char *rtype, *rdata;   /* record: type and data */
	char *parent;          /* prefix: the source's parent prefix, when it names one (phpIPAM) */
	char *addr_space;      /* record: the source space of the address an A/AAAA was made from, when
	                          it is not the DNS view's name (BlueCat: configuration vs view) */
	long ttl;              /* record, zone (its default): -1 none */
	long vlan;             /* prefix: -1 none */
	int pool;              /* prefix: NetBox is_pool */
	ipam_prefix prefix;    /* prefix */
	ipam_addr first, last; /* range; address: first */
	int has_mac;
	ipam_mac mac;
	cJSON *attrs;          /* object, never NULL; zone: "ns" [names], "mname", "rname", SOA timers */
	cJSON *extra;          /* object, never NULL */
	cJSON *exclusions;     /* range: array of {"start","end","comment"}; never NULL */
	int linked;            /* record (apply): derived from an address now: 1 as before, 2 newly */
	int applied;           /* address (apply): in the store as the model has it (not refused) */
} ipam__imp_item;

/* One row the import could not take. */
typedef struct ipam__imp_error {
	const char *file;
	unsigned long line;
	char *field, *value, *message;
} ipam__imp_error;

typedef struct ipam__imp_counts {
	uint64_t n[IMP_NTYPES];
} ipam__imp_counts;

/* A file kept whole until the source's finish step (sources whose files
 * refer to each other: phpIPAM CSV). */
typedef struct ipam__imp_pending {
	const char *file; /* the model's copy */
	char *data;
	size_t len;
} ipam__imp_pending;

typedef struct ipam__imp_model {
	ipam__imp_item **items;
	size_t nitems, citems;
	/* (type, space, key) -> item index + 1 (0: free) and its hash, open addressing */
	struct ipam__imp_slot {
		size_t i;
		uint64_t hash;
	} *slots;
	size_t nslots;
	char **files;
	size_t nfiles;
	ipam__imp_error *errors;
	size_t nerrors, cerrors;
	char **notes;
	size_t nnotes;
	/* how many rows were parsed into items */
	uint64_t rows;
	ipam__imp_pending *pending;
	size_t npending;
	cJSON *map; /* the mapped CSV's mapping, or NULL */
	int link_records; /* BIND zones: A/AAAA/PTR records become addresses' host names (link.c) */
	/* progress reports (ipam_import_set_progress), or NULL */
	ipam_import_progress_fn progress;
	void *progress_ctx;
} ipam__imp_model;

void ipam__imp_model_init(ipam__imp_model *m);
void ipam__imp_model_dispose(ipam__imp_model *m);

/* Keep a copy of a file's bytes for the finish step; 0 or IPAM_ENOMEM. */
int ipam__imp_pending_add(ipam__imp_model *m, const char *file, const char *data, size_t len);
void ipam__imp_pending_clear(ipam__imp_model *m);

/* Remember a file name; returns the model's copy or NULL (ENOMEM set). */
const char *ipam__imp_file(ipam__imp_model *m, const char *name);

/* The item of (type, space, key), created empty when new (*is_new set).
 * `key` is the canonical text of the prefix, range ("first-last"),
 * address, space name or record ("name type data"). NULL on ENOMEM. */
ipam__imp_item *ipam__imp_get(ipam__imp_model *m, enum ipam__imp_type type, const char *space, const char *key,
                              const char *file, unsigned long line, int *is_new);

/* The range item first-last of `space` (bounds set), as ipam__imp_get. */
ipam__imp_item *ipam__imp_range(ipam__imp_model *m, const char *space, const ipam_addr *first,
                                const ipam_addr *last, const char *file, unsigned long line);

/* The address item of `space` (address set, and the MAC when mac is not
 * NULL), as ipam__imp_get. */
ipam__imp_item *ipam__imp_address(ipam__imp_model *m, const char *space, const ipam_addr *a, const ipam_mac *mac,
                                  const char *file, unsigned long line);

/* The item of (type, space, key), or NULL. */
ipam__imp_item *ipam__imp_find(const ipam__imp_model *m, enum ipam__imp_type type, const char *space,
                               const char *key);

/* Record a bad row; the message is formatted. 0 or IPAM_ENOMEM. */
int ipam__imp_err(ipam__imp_model *m, const char *file, unsigned long line, const char *field, const char *value,
                  const char *fmt, ...) IPAM__PRINTF(6, 7);
/* A note (normalisations made, what is not stored), once per text. */
int ipam__imp_note(ipam__imp_model *m, const char *fmt, ...) IPAM__PRINTF(2, 3);

/* Item setters: replace the field with a copy of s when s is non-empty
 * (merging: a later file fills in and overrides, never clears). */
int ipam__imp_set(char **field, const char *s);
/* attrs[key] = string s (non-empty s only), a copy. */
int ipam__imp_attr_str(cJSON *attrs, const char *key, const char *s);
/* attrs[key] = v, taking v. */
int ipam__imp_attr(cJSON *attrs, const char *key, cJSON *v);
/* attrs[key] = the comma-separated words of s as an array (when any). */
int ipam__imp_attr_list(cJSON *attrs, const char *key, const char *s);
/* Merge every member of src into dst (src's values win). */
int ipam__imp_attr_merge(cJSON *dst, const cJSON *src);

/* The model as the fixtures' normalised JSON: {"vrfs", "prefixes",
 * "ranges", "addresses", "dns_records"}. `global` names the source's global
 * table in "vrf" fields ("global" for NetBox, "default" for Infoblox).
 * Appends to out. */
int ipam__imp_model_json(ipam_buf *out, const ipam__imp_model *m, const char *global);
/* The same for an import (tests, fuzzers). */
int ipam__import_model_json(ipam_buf *out, ipam_import *imp, const char *global);

/* ---- readers --------------------------------------------------------------- */

/* A CSV reader over a buffer: RFC 4180 quoting (doubled quotes, delimiters
 * and newlines inside quotes), a UTF-8 BOM skipped, CRLF or LF. Each record
 * knows the physical line it starts on. Empty lines are skipped. */
typedef struct ipam__csv {
	const char *data;
	size_t len, pos;
	unsigned long line; /* the physical line at pos, from 1 */
	char delim;
	/* the current record */
	char *buf;          /* the unquoted fields, each NUL-terminated */
	size_t cbuf;
	size_t *offs;       /* field offsets into buf */
	size_t nfields, coffs;
	unsigned long rec_line;
	const char **fields; /* nfields pointers into buf, valid until the next call */
	size_t cfields;
} ipam__csv;

void ipam__csv_init(ipam__csv *c, const char *data, size_t len, char delim);
/* The next record: 1, 0 at the end, or IPAM_EINVAL (an unterminated
 * quote, text after a closing quote: the message names the line) /
 * IPAM_ENOMEM. */
int ipam__csv_next(ipam__csv *c);
void ipam__csv_dispose(ipam__csv *c);
/* Put "FILE: " before the reader's message (the last error); returns rc. */
int ipam__imp_in_file(int rc, const char *file);
/* ',' or ';': whichever occurs more outside quotes on the first line. */
char ipam__csv_sniff(const char *data, size_t len);

/* The column of `name` in a header record (case-insensitive, a trailing
 * '*' as Infoblox marks required columns ignored), or -1. */
int ipam__csv_col(const char *const *hdr, size_t n, const char *name);

/* The INSERT rows of a MySQL dump (src/io/import/sql.c): fn gets each
 * VALUES tuple with its table, columns and values (NULL for SQL NULL) and
 * the line where the tuple starts; cols and vals are NULL when the tuple's
 * count (n) differs from the column list's. 0, what fn returned, or
 * IPAM_EINVAL naming the file and line of a syntax error. */
typedef int (*ipam__sql_row_fn)(void *ctx, const char *table, const char *const *cols, const char *const *vals,
                                size_t n, unsigned long line);
int ipam__sql_each_insert(const char *file, const char *data, size_t len, ipam__sql_row_fn fn, void *ctx);

/* One record as (column, text) pairs: a CSV row under its header, or a
 * JSON object flattened to the CSV's column names. */
typedef struct ipam__imp_row {
	const char *const *keys;
	const char *const *vals;
	size_t n;
	const char *file;
	unsigned long line;
} ipam__imp_row;

/* The text of a column (as ipam__csv_col matches names), "" when absent. */
const char *ipam__imp_row_get(const ipam__imp_row *r, const char *key);
/* Report the row as bad: "<field>: <what>: '<value>'". 0 or IPAM_ENOMEM. */
int ipam__imp_row_bad(ipam__imp_model *m, const ipam__imp_row *r, const char *field, const char *what);

/* Check that the buffer is UTF-8 (after an optional BOM). 0, or
 * IPAM_EINVAL naming the file and line of the first bad byte. */
int ipam__imp_utf8(const char *file, const char *data, size_t len);

/* A CSV file of one header and its rows (src/io/import/rows.c). hdr_ok
 * says why the header is not of the format (NULL when it is); fn gets each
 * row with as many fields as the header (other rows are reported and
 * skipped). `what` names the format in messages. 0, IPAM_EINVAL (not the
 * format, a quoting error naming file and line), what fn returned. */
typedef const char *(*ipam__imp_hdr_fn)(const char *const *hdr, size_t n, void *ctx);
typedef int (*ipam__imp_row_fn)(ipam__imp_model *m, const ipam__imp_row *r, void *ctx);
int ipam__imp_csv_rows(ipam__imp_model *m, const char *file, const char *data, size_t len, char delim,
                       const char *what, ipam__imp_hdr_fn hdr_ok, ipam__imp_row_fn fn, void *ctx);
/* Does the text (after a BOM and blanks) start as JSON does ('{' or '[')? */
int ipam__imp_looks_json(const char *d, size_t len);

/* A small strict XML reader (src/io/import/xml.c): the element tree,
 * each element's text (entities resolved, CDATA kept, blanks at both ends
 * trimmed, NULL when none) and the line where it starts. Attributes are
 * checked, not kept. */
typedef struct ipam__xml {
	char *name;
	char *text;
	struct ipam__xml **kids;
	size_t nkids;
	unsigned long line;
} ipam__xml;
/* 0, or IPAM_EINVAL naming the file and line / IPAM_ENOMEM. */
int ipam__xml_parse(ipam__xml **out, const char *file, const char *data, size_t len);
void ipam__xml_free(ipam__xml *n);
/* The first child element called `name`, or NULL (n may be NULL). */
const ipam__xml *ipam__xml_child(const ipam__xml *n, const char *name);
/* The text of child `name` (n itself when name is NULL); "" when absent. */
const char *ipam__xml_text(const ipam__xml *n, const char *name);

/* ---- value parsers: 0, or -1 (the caller reports the row) ---- */
/* "ADDR" or "ADDR/LEN" (the length goes to *len, -1 when none). */
int ipam__imp_addr(ipam_addr *out, int *len, const char *s);
/* Canonical text of an address, a prefix, a MAC. */
void ipam__imp_addr_text(char out[64], const ipam_addr *a);
/* A dotted netmask to a length; -1 when not contiguous. */
int ipam__imp_netmask(const char *s);
/* true/false, TRUE/FALSE, yes/no, 1/0 -> 1/0; -1 otherwise */
int ipam__imp_bool(const char *s);

/* ---- the sources ------------------------------------------------------------
 * Each parses one file's bytes into the model; rows it cannot read go to
 * the model's errors. 0, IPAM_EINVAL when the file is not of the format,
 * IPAM_ENOMEM. */
int ipam__imp_netbox_csv(ipam__imp_model *m, const char *file, const char *data, size_t len);
int ipam__imp_netbox_json(ipam__imp_model *m, const char *file, const char *data, size_t len);
int ipam__imp_infoblox(ipam__imp_model *m, const char *file, const char *data, size_t len);
int ipam__imp_phpipam_sql(ipam__imp_model *m, const char *file, const char *data, size_t len);
int ipam__imp_bluecat(ipam__imp_model *m, const char *file, const char *data, size_t len);
/* phpIPAM CSV: each file's header is checked and the file kept; the
 * finish step reads them all (a VRF given by its RD in one file and by its
 * name in the other is one space). */
int ipam__imp_phpipam_csv(ipam__imp_model *m, const char *file, const char *data, size_t len);
int ipam__imp_phpipam_csv_finish(ipam__imp_model *m);
int ipam__imp_bind_zone(ipam__imp_model *m, const char *file, const char *data, size_t len);
int ipam__imp_msdhcp_xml(ipam__imp_model *m, const char *file, const char *data, size_t len);
int ipam__imp_msdhcp_netsh(ipam__imp_model *m, const char *file, const char *data, size_t len);
/* The mapped CSV (src/io/import/csvmap.c): m->map is the mapping. */
int ipam__imp_mapped_csv(ipam__imp_model *m, const char *file, const char *data, size_t len);
/* 0 when the mapping is usable, else IPAM_EINVAL saying why. */
int ipam__imp_map_check(const cJSON *map);
/* ipam_import_suggest. */
int ipam__imp_suggest(ipam_buf *out, const char *name, const char *data, size_t len);

/* ---- apply ------------------------------------------------------------------ */

typedef struct ipam__imp_result {
	ipam__imp_counts imported, updated, unchanged, skipped;
} ipam__imp_result;

/* How a source space maps to a space of the database. */
typedef struct ipam__imp_spaces {
	const char *all;            /* every object into this one, or NULL */
	const char *const *map;     /* "SOURCE=SPACE" words */
	size_t nmap;
} ipam__imp_spaces;

/* Write the model to db inside the caller's transaction, counting into r;
 * refused objects are added to m's errors. 0 or a store error. */
int ipam__imp_apply(ipam_db *db, ipam__imp_model *m, const ipam__imp_spaces *sp, ipam__imp_result *r);

/* A store error (ends the apply), not a refusal of one object. */
int ipam__imp_fatal(int rc);
/* Host names as the database keeps them: any case, one final dot or none. */
int ipam__imp_host_differs(const char *a, const char *b);

/* BIND zones (src/io/import/link.c): the A, AAAA and PTR records of
 * addresses inside the prefixes of `space` become those addresses' host
 * names where the store then derives exactly those records; each such
 * record's `linked` is set, the addresses counted into r, and what stays
 * a hand record and why goes to the notes. Inside the apply transaction,
 * after the zones and before the records. */
int ipam__imp_link(ipam_db *db, ipam__imp_model *m, const char *space, ipam__imp_result *r);

#endif
