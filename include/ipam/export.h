/**
 * @file ipam/export.h
 * @brief Lossless export and import: one JSON document of everything.
 *
 * The document (schema in docs/export.md, `"format": "libipam-export"`,
 * `"format_version": 1`) holds the tenants, spaces, prefixes, ranges and
 * addresses with their ids, times and attributes, and the audit chain. It
 * is canonical: objects in a fixed order, keys in a fixed order, one
 * formatting; so export, import into an empty store, export again gives
 * the same bytes. Secrets are never written in clear.
 */
#ifndef IPAM_EXPORT_H
#define IPAM_EXPORT_H

#include "common.h"
#include "db.h"

IPAM_BEGIN_DECL

/**
 * Export everything in the store to `out` (a JSON document ending in a
 * newline). On success what `out` held is released and replaced; on failure
 * `out` is left as it was.
 * @return 0; IPAM_EPERM on an `index:` handle; IPAM_EBACKEND @since 0.2
 */
IPAM_EXTERN(int) ipam_export(ipam_buf *out, ipam_db *db);

/**
 * Import a document made by ipam_export() into an empty store, all or
 * nothing: either every object (and the audit chain it carries, so the
 * history moves with the data) is there afterwards, or nothing is.
 *
 * @param json  the document
 * @param len   its length in bytes
 * @param name  what to call the document in messages (a file name), or NULL
 * @return 0; IPAM_EINVAL naming the object and field at fault; IPAM_EEXISTS
 *         when the store is not empty; IPAM_ETAMPER when the audit chain in
 *         the document does not verify @since 0.2
 */
IPAM_EXTERN(int) ipam_import_json(ipam_db *db, const char *json, size_t len, const char *name);

IPAM_END_DECL

#endif
