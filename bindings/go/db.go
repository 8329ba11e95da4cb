package ipam

/*
#cgo pkg-config: libipam
#include <ipam.h>
#include <stdlib.h>
*/
import "C"

import (
	"context"
	"runtime"
	"sync/atomic"
	"time"
	"unsafe"
)

// BindingVersion is the version of these bindings: the libipam release
// they come with. Version gives the library's.
const BindingVersion = "0.2.0"

// Version is the version of the libipam library linked in (ipam_version()).
func Version() string {
	return C.GoString(C.ipam_version())
}

// Options of Open. The zero value (or nil) opens with the defaults.
type Options struct {
	// Actor is who the audit chain records for every change; "": the OS user.
	Actor string
	// Passphrase of an encrypted file (a KDF derives the key).
	Passphrase string
	// KeyFile holds a raw 256-bit key: 32 bytes, or 64 hex digits.
	KeyFile string
	// Create the store if it does not exist; with Exclusive, fail with
	// ErrExists if it does.
	Create, Exclusive bool
	// Durable: every commit reaches the disk before it returns.
	Durable bool
	// BusyTimeout is how long a call waits for another process's write
	// transaction; 0: 10 s.
	BusyTimeout time.Duration
	// MaxRetries is how often Run runs a transaction that lost a race; 0: 50.
	MaxRetries int
	// SecretKeyFile holds the 256-bit key that seals stored secrets (TSIG
	// keys, API keys); an encrypted file or memory: store without it keeps
	// a key of its own.
	SecretKeyFile string
}

// DB is an open libipam database. It is safe for concurrent use by many
// goroutines (see the package documentation).
type DB struct {
	c       *C.ipam_db
	uri     string
	state   atomic.Int64 // calls in flight and open transactions, and closedBit once Close ran
	freed   atomic.Bool
	cleanup runtime.Cleanup
}

const closedBit = 1 << 62

// Open opens a database: "file:PATH" or a path (one encrypted SQLCipher
// file), "memory:" (rows in RAM, with the audit chain) or "index:" (the
// index alone, no store). Close it when done.
func Open(ctx context.Context, uri string, o *Options) (*DB, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var opts C.ipam_open_options
	C.ipam_open_options_init(&opts, C.IPAM_OPEN_OPTIONS_VERSION)
	var cs cstrings
	defer cs.free()
	if o != nil {
		opts.actor = cs.str(o.Actor)
		opts.passphrase = cs.str(o.Passphrase)
		opts.key_file = cs.str(o.KeyFile)
		opts.secret_key_file = cs.str(o.SecretKeyFile)
		if o.Create {
			opts.flags |= C.IPAM_OPEN_CREATE
		}
		if o.Exclusive {
			opts.flags |= C.IPAM_OPEN_EXCL
		}
		if o.Durable {
			opts.flags |= C.IPAM_OPEN_DURABLE
		}
		if o.BusyTimeout > 0 {
			opts.busy_timeout_ms = C.uint(max(1, o.BusyTimeout.Milliseconds()))
		}
		if o.MaxRetries > 0 {
			opts.retry_max = C.uint(o.MaxRetries)
		}
	}
	curi := C.CString(uri)
	defer C.free(unsafe.Pointer(curi))

	var c *C.ipam_db
	runtime.LockOSThread()
	rc := C.ipam_db_open(&c, curi, &opts)
	err := errorOf(rc)
	runtime.UnlockOSThread()
	if err != nil {
		return nil, err
	}
	db := &DB{c: c, uri: uri}
	// The safety net: a DB dropped without Close is freed by the GC.
	db.cleanup = runtime.AddCleanup(db, func(c *C.ipam_db) { C.ipam_db_free(c) }, c)
	return db, nil
}

// URI is what the DB was opened on.
func (db *DB) URI() string { return db.uri }

// Close closes the database at once: later calls fail with ErrClosed.
// Calls in flight on other goroutines finish, and an open transaction can
// only roll back (Commit returns ErrClosed); the handle is freed when the
// last of them ends, or now when none is in flight. Close never waits.
// Closing twice is a no-op.
func (db *DB) Close() error {
	for {
		s := db.state.Load()
		if s&closedBit != 0 {
			return nil
		}
		if db.state.CompareAndSwap(s, s|closedBit) {
			if s == 0 {
				db.free()
			}
			return nil
		}
	}
}

// free frees the C handle, once, whoever gets here first: Close, or the
// last call or transaction to end after it.
func (db *DB) free() {
	if db.freed.CompareAndSwap(false, true) {
		db.cleanup.Stop()
		C.ipam_db_free(db.c)
	}
}

// enter begins a call: it checks the context and that the DB is open,
// counts the call and pins the goroutine to its OS thread, so that the C
// library's thread-local error read after a failure is this call's. Every
// successful enter is followed by leave.
func (db *DB) enter(ctx context.Context) (*C.ipam_db, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if db.state.Add(1)&closedBit != 0 {
		db.release()
		return nil, errorf(ErrClosed, "the database is closed")
	}
	runtime.LockOSThread()
	return db.c, nil
}

// leave ends a call with the C return code rc: the error (read on the
// call's thread), then the thread and the count are released.
func (db *DB) leave(rc C.int) error {
	err := errorOf(rc)
	runtime.UnlockOSThread()
	db.release()
	return err
}

// cancellable runs one C call between enter and leave with a cancellation
// token attached for ctx (see canceller): a call that waits stops when ctx
// is done and returns ctx.Err().
func (db *DB) cancellable(ctx context.Context, fn func(c *C.ipam_db) C.int) error {
	c, err := db.enter(ctx)
	if err != nil {
		return err
	}
	k := attachCancel(ctx)
	err = k.detach(ctx, fn(c))
	runtime.UnlockOSThread()
	db.release()
	return err
}

func (db *DB) release() {
	if db.state.Add(-1) == closedBit {
		db.free()
	}
}

// call runs one C call that takes a space name ("" is NULL: "default").
func (db *DB) call(ctx context.Context, space string, fn func(c *C.ipam_db, space *C.char) C.int) error {
	var cs cstrings
	defer cs.free()
	sp := cs.str(space)
	return db.cancellable(ctx, func(c *C.ipam_db) C.int { return fn(c, sp) })
}

func errorOf(rc C.int) error {
	if rc < 0 {
		return lastError(rc)
	}
	return nil
}

// cstrings are C copies of Go strings, freed together.
type cstrings []unsafe.Pointer

// str is a C copy of s, or NULL for "".
func (cs *cstrings) str(s string) *C.char {
	if s == "" {
		return nil
	}
	p := C.CString(s)
	*cs = append(*cs, unsafe.Pointer(p))
	return p
}

func (cs *cstrings) free() {
	for _, p := range *cs {
		C.free(p)
	}
}

// Revision is the newest revision of the store the handle has caught up with.
func (db *DB) Revision(ctx context.Context) (uint64, error) {
	var rev C.uint64_t
	err := db.call(ctx, "", func(c *C.ipam_db, _ *C.char) C.int { return C.ipam_db_revision(&rev, c) })
	return uint64(rev), err
}

// Stats are figures about a database's in-memory index.
type Stats struct {
	Spaces, Prefixes, Addresses, Ranges uint64
	IndexNodes                          uint64 // trie nodes in use
	IndexBytes                          uint64 // bytes of trie nodes in use
	IndexReserved                       uint64 // bytes of trie arenas reserved
}

// Stats reads the figures of the index.
func (db *DB) Stats(ctx context.Context) (Stats, error) {
	var s C.ipam_db_stats
	s.version = C.IPAM_DB_STATS_VERSION
	err := db.call(ctx, "", func(c *C.ipam_db, _ *C.char) C.int { return C.ipam_db_stats_get(&s, c) })
	return Stats{uint64(s.spaces), uint64(s.prefixes), uint64(s.addresses), uint64(s.ranges),
		uint64(s.index_nodes), uint64(s.index_bytes), uint64(s.index_reserved)}, err
}

// Check checks the store and the index against it; an ErrBackend names
// the first problem.
func (db *DB) Check(ctx context.Context) error {
	return db.call(ctx, "", func(c *C.ipam_db, _ *C.char) C.int { return C.ipam_db_check(c) })
}

// Rekey changes the key of an encrypted file: give a new passphrase or a
// key file.
func (db *DB) Rekey(ctx context.Context, passphrase, keyFile string) error {
	var cs cstrings
	defer cs.free()
	p, k := cs.str(passphrase), cs.str(keyFile)
	c, err := db.enter(ctx)
	if err != nil {
		return err
	}
	return db.leave(C.ipam_db_rekey(c, p, k))
}
