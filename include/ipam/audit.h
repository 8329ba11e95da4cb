/**
 * @file ipam/audit.h
 * @brief The audit chain: who changed what, when, tamper-evident.
 *
 * Every committed change writes exactly one audit entry in its own
 * transaction: a sequence number, the time, the actor (the principal the
 * handle was opened with), the action, the object, and the object's JSON
 * before and after. Each entry carries a BLAKE2b-256 hash over its fields
 * and the hash of the entry before it, so that editing, deleting,
 * inserting or reordering entries breaks the chain at that entry.
 * Checkpoints of the chain may be signed with an Ed25519 key the caller
 * holds; verification with the public key then also proves that nobody
 * rewrote the whole chain after the checkpoint. See docs/storage.md.
 *
 * A handle opened on `index:` has no store and no audit chain.
 */
#ifndef IPAM_AUDIT_H
#define IPAM_AUDIT_H

#include "common.h"
#include "db.h"

IPAM_BEGIN_DECL

/** One audit entry. Strings are owned; release with ipam_audit_entry_dispose(). */
typedef struct ipam_audit_entry {
	unsigned int version; /**< IPAM_AUDIT_ENTRY_VERSION */
	uint64_t seq;         /**< 1, 2, 3, ... */
	int64_t time;         /**< microseconds since the Unix epoch */
	char *actor;          /**< who */
	char *action;         /**< e.g. "address.alloc", "prefix.add", "space.rm" */
	char *object;         /**< e.g. "address default 10.0.0.5" */
	char *before_json;    /**< the object before (NULL when it was created) */
	char *after_json;     /**< the object after (NULL when it was removed) */
	uint8_t hash[32];     /**< BLAKE2b-256 of the entry */
	uint8_t prev[32];     /**< the hash of the entry before */
} ipam_audit_entry;

#define IPAM_AUDIT_ENTRY_VERSION 1
#define IPAM_AUDIT_ENTRY_INIT { IPAM_AUDIT_ENTRY_VERSION, 0, 0, NULL, NULL, NULL, NULL, NULL, {0}, {0} }

/** Release the strings of an entry; NULL-safe. @since 0.2 */
IPAM_EXTERN(void) ipam_audit_entry_dispose(ipam_audit_entry *e);

/** An iterator over audit entries (opaque). */
typedef struct ipam_audit_iter ipam_audit_iter;

/**
 * Iterate the entries with seq >= from_seq, oldest first. The iterator
 * reads the entries when it is made (a snapshot).
 * @return 0; IPAM_EPERM on an `index:` handle @since 0.2
 */
IPAM_EXTERN(int) ipam_audit_iter_new(ipam_audit_iter **out, ipam_db *db, uint64_t from_seq);
/** The next entry (disposing of what `out` held): 0 or IPAM_ITEROVER. @since 0.2 */
IPAM_EXTERN(int) ipam_audit_iter_next(ipam_audit_entry *out, ipam_audit_iter *it);
/** NULL-safe. @since 0.2 */
IPAM_EXTERN(void) ipam_audit_iter_free(ipam_audit_iter *it);

/** What ipam_audit_verify() found. */
typedef struct ipam_audit_report {
	unsigned int version;  /**< IPAM_AUDIT_REPORT_VERSION */
	uint64_t entries;      /**< entries checked */
	uint64_t head_seq;     /**< the last entry's seq */
	uint8_t head_hash[32]; /**< the last entry's hash */
	uint64_t checkpoints;  /**< signed checkpoints checked (0 without a public key) */
	uint64_t first_bad;    /**< the seq of the first bad entry, 0 when all are good */
} ipam_audit_report;

#define IPAM_AUDIT_REPORT_VERSION 1
#define IPAM_AUDIT_REPORT_INIT { IPAM_AUDIT_REPORT_VERSION, 0, 0, {0}, 0, 0 }

/**
 * Verify the chain from its first entry: sequence without gaps, each
 * entry's hash, each link to the entry before; with a public key, every
 * signed checkpoint's signature and that the chain still passes through it.
 *
 * @param out        the report (may be NULL)
 * @param public_key a 32-byte Ed25519 public key, or NULL
 * With a public key at least one checkpoint signed by it must be in the
 * store (else IPAM_ETAMPER): a forger holding the database key could
 * otherwise rewrite the chain and delete the checkpoints with it. For the
 * strongest check also keep the last signed seq outside the store and
 * compare it with out->checkpoints / the entries.
 *
 * @return 0 when the chain verifies; IPAM_ETAMPER with a message naming the
 *         first bad entry (edited, deleted, inserted or reordered) and out->first_bad set @since 0.2
 */
IPAM_EXTERN(int) ipam_audit_verify(ipam_audit_report *out, ipam_db *db, const uint8_t *public_key);

/**
 * Sign the chain's current head with an Ed25519 secret key (libsodium's
 * 64-byte form) and keep the checkpoint (seq, hash, public key, signature)
 * in the store. Signing is not a change to the data and writes no entry.
 * @param seq_out receives the seq signed (may be NULL)
 * @return 0; IPAM_ENOTFOUND for an empty chain; IPAM_EPERM on `index:` @since 0.2
 */
IPAM_EXTERN(int) ipam_audit_sign(uint64_t *seq_out, ipam_db *db, const uint8_t secret_key[64]);

IPAM_END_DECL

#endif
