/* The canonical JSON of rows and audit entries (src/io/rowjson.c), used by
 * the export document (src/io/export.c) and by the audit chain's before and
 * after images (src/db). Internal; not installed. Schema: docs/export.md. */
#ifndef IPAM_IO_IO_H
#define IPAM_IO_IO_H

#include "common.h"
#include "ipam/sys/store.h"

struct cJSON;

/* ---- rows ------------------------------------------------------------------
 * One compact JSON object per row, keys in a fixed order per kind, every key
 * always present (an absent string is null, absent attrs are {}), times in
 * RFC 3339 UTC with six fractional digits, strings escaped so that the
 * output is valid UTF-8 JSON whatever the input bytes (a byte that is not
 * part of a well-formed UTF-8 sequence becomes U+FFFD). `attrs` are embedded
 * verbatim: they must be a normalised JSON object (as ipam__norm_attrs makes).
 *
 * `space_name` names the space of a prefix, range or address (required for
 * those kinds, ignored for the others). Appends to `out`; on failure `out`
 * is as it was. 0, IPAM_EINVAL (a field the JSON cannot hold: unknown kind
 * or status, bad family, a time outside years 0000..9999) or IPAM_ENOMEM. */
int ipam__row_to_json(ipam_buf *out, const ipam_store_row *row, const char *space_name);

/* A stored object's kind in JSON ("zone", "option_set" ...), and back (0: none). */
const char *ipam__object_kind_name(unsigned kind);
unsigned ipam__object_kind_parse(const char *name);

/* A row read back from JSON, with its strings owned here. `row`'s string
 * pointers point at the fields below. For a prefix, range or address
 * `row.space` is left zero and `space_name` holds the name the object gave:
 * the caller resolves it. */
typedef struct ipam__jrow {
	ipam_store_row row;
	char *space_name;
	char *name;        /* tenant, space: the name; address: the host name */
	char *description;
	char *attrs;       /* normalised; NULL for {} */
} ipam__jrow;

/* Read one object of `kind` (an ipam_store_kind). `where` names it in
 * messages ("export.json: addresses[12]"): every error is
 * "<where>.<field>: <what is wrong>" and IPAM_EINVAL (or IPAM_ENOMEM).
 * Validates every field. `out` is overwritten; dispose of it afterwards,
 * also on failure. */
/* Print `j` (unformatted) into *out, replacing what it held, and delete j
 * whatever happens. 0 or IPAM_ENOMEM (then *out is as it was). */
int ipam__json_to_buf(ipam_buf *out, struct cJSON *j);
int ipam__row_from_json(ipam__jrow *out, unsigned int kind, const struct cJSON *obj, const char *where);
/* The same from text holding exactly one JSON object. */
int ipam__row_from_text(ipam__jrow *out, unsigned int kind, const char *json, size_t len, const char *where);
void ipam__jrow_dispose(ipam__jrow *r);

/* ---- the audit chain -------------------------------------------------------
 * BLAKE2b-256 (no key) over: seq (8 bytes, big-endian), time (8 bytes,
 * big-endian two's complement), prev (32 bytes), then actor, action,
 * object, before, after, each as a 4-byte big-endian length
 * (0xFFFFFFFF for NULL) followed by its bytes. `e->hash` is not read. */
int ipam__audit_hash(uint8_t out[32], const ipam_store_audit *e);

/* ---- pieces shared with the export ----------------------------------------- */
/* "YYYY-MM-DDTHH:MM:SS.ffffffZ" and its NUL (28 bytes). 0 or IPAM_EINVAL
 * when the time lies outside years 0000..9999. */
#define IPAM__TIME_STRLEN 28
int ipam__time_format(char out[IPAM__TIME_STRLEN], int64_t us);
/* Parse RFC 3339 (date, 'T', time, optional fraction of at most six digits,
 * 'Z' or a +hh:mm/-hh:mm offset). NULL on success, else what is wrong. */
const char *ipam__time_parse(int64_t *out, const char *s);
/* Append a JSON string (NULL: null), escaped as ipam__row_to_json does. */
int ipam__json_str(ipam_buf *out, const char *s);
/* The offset of the first byte of `s` that is not well-formed UTF-8, or -1. */
long ipam__utf8_bad(const char *s);
/* Quote `s` for a message: at most 48 bytes of it, non-printable bytes as
 * \xNN, "..." when cut, in double quotes; NULL as null. */
typedef struct { char s[48 * 4 + 8]; } ipam__qtxt;
ipam__qtxt ipam__quote(const char *s);

#endif
