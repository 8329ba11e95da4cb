package ipam

/*
#include <ipam.h>
#include <stdlib.h>
#include <string.h>
*/
import "C"

import (
	"context"
	"encoding/json"
	"iter"
	"time"
	"unsafe"
)

// AuditEntry is one entry of the audit chain.
type AuditEntry struct {
	Seq    uint64
	Time   time.Time
	Actor  string
	Action string          // e.g. "address.alloc", "prefix.add"
	Object string          // e.g. "address default 10.0.0.5"
	Before json.RawMessage // the object before; nil when it was created
	After  json.RawMessage // the object after; nil when it was removed
	Hash   [32]byte
	Prev   [32]byte
}

func rawJSON(s *C.char) json.RawMessage {
	if s == nil {
		return nil
	}
	return json.RawMessage(C.GoString(s))
}

// Audit iterates over the audit entries with Seq >= fromSeq, oldest first
// (ErrPermission on "index:").
func (db *DB) Audit(ctx context.Context, fromSeq uint64) iter.Seq2[AuditEntry, error] {
	return rows(ctx, db, func() cursor[AuditEntry] { return &auditCursor{from: fromSeq} })
}

type auditCursor struct {
	from uint64
	it   *C.ipam_audit_iter
	e    C.ipam_audit_entry
}

func (k *auditCursor) start(c *C.ipam_db) C.int {
	k.e.version = C.IPAM_AUDIT_ENTRY_VERSION
	return C.ipam_audit_iter_new(&k.it, c, C.uint64_t(k.from))
}

func (k *auditCursor) next() (AuditEntry, C.int) {
	rc := C.ipam_audit_iter_next(&k.e, k.it)
	e := AuditEntry{
		Seq:    uint64(k.e.seq),
		Time:   time.UnixMicro(int64(k.e.time)).UTC(),
		Actor:  goString(k.e.actor),
		Action: goString(k.e.action),
		Object: goString(k.e.object),
		Before: rawJSON(k.e.before_json),
		After:  rawJSON(k.e.after_json),
	}
	e.Hash = *(*[32]byte)(unsafe.Pointer(&k.e.hash[0]))
	e.Prev = *(*[32]byte)(unsafe.Pointer(&k.e.prev[0]))
	return e, rc
}

func (k *auditCursor) free() {
	C.ipam_audit_entry_dispose(&k.e)
	C.ipam_audit_iter_free(k.it)
}

// AuditReport is what VerifyAudit checked.
type AuditReport struct {
	Entries     uint64
	HeadSeq     uint64
	HeadHash    [32]byte
	Checkpoints uint64 // signed checkpoints checked (0 without a public key)
	FirstBad    uint64 // the seq of the first bad entry, 0 when all are good
}

// VerifyAudit verifies the audit chain from its first entry and, with an
// Ed25519 public key (32 bytes; nil for none), its signed checkpoints. A
// broken chain is an ErrTamper naming the first bad entry; the report is
// returned with it.
func (db *DB) VerifyAudit(ctx context.Context, publicKey []byte) (AuditReport, error) {
	var key *C.uint8_t
	if publicKey != nil {
		if len(publicKey) != 32 {
			return AuditReport{}, errorf(ErrInvalid, "an Ed25519 public key has 32 bytes")
		}
		key = (*C.uint8_t)(C.CBytes(publicKey))
		defer C.free(unsafe.Pointer(key))
	}
	c, err := db.enter(ctx)
	if err != nil {
		return AuditReport{}, err
	}
	var r C.ipam_audit_report
	r.version = C.IPAM_AUDIT_REPORT_VERSION
	err = db.leave(C.ipam_audit_verify(&r, c, key))
	return AuditReport{
		Entries:     uint64(r.entries),
		HeadSeq:     uint64(r.head_seq),
		HeadHash:    *(*[32]byte)(unsafe.Pointer(&r.head_hash[0])),
		Checkpoints: uint64(r.checkpoints),
		FirstBad:    uint64(r.first_bad),
	}, err
}

// SignAudit signs the chain's head with an Ed25519 secret key (libsodium's
// 64-byte form, as crypto/ed25519.PrivateKey is) and keeps the checkpoint in
// the store. It returns the seq signed.
func (db *DB) SignAudit(ctx context.Context, secretKey []byte) (uint64, error) {
	if len(secretKey) != 64 {
		return 0, errorf(ErrInvalid, "an Ed25519 secret key has 64 bytes")
	}
	key := C.CBytes(secretKey)
	defer func() {
		C.memset(key, 0, 64)
		C.free(key)
	}()
	c, err := db.enter(ctx)
	if err != nil {
		return 0, err
	}
	var seq C.uint64_t
	err = db.leave(C.ipam_audit_sign(&seq, c, (*C.uint8_t)(key)))
	return uint64(seq), err
}

// Export is everything in the store, history included, as one canonical
// JSON document (ErrPermission on "index:").
func (db *DB) Export(ctx context.Context) ([]byte, error) {
	c, err := db.enter(ctx)
	if err != nil {
		return nil, err
	}
	var buf C.ipam_buf
	defer C.ipam_buf_dispose(&buf)
	if err := db.leave(C.ipam_export(&buf, c)); err != nil {
		return nil, err
	}
	return C.GoBytes(unsafe.Pointer(buf.ptr), C.int(buf.size)), nil
}

// Import imports a document made by Export into an empty store, all or
// nothing; name is what messages call the document ("" for none).
func (db *DB) Import(ctx context.Context, doc []byte, name string) error {
	cdoc := C.CBytes(doc)
	defer C.free(cdoc)
	var cs cstrings
	defer cs.free()
	n := cs.str(name)
	c, err := db.enter(ctx)
	if err != nil {
		return err
	}
	return db.leave(C.ipam_import_json(c, (*C.char)(cdoc), C.size_t(len(doc)), n))
}
