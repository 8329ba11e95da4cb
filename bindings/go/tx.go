package ipam

/*
#include <ipam.h>
#include <stdint.h>
int ipam_go_run(ipam_db *db, uintptr_t state);
*/
import "C"

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"runtime/cgo"
)

// Tx is a transaction. It embeds the DB: its methods, called on the
// goroutine that began the transaction, run inside it. Calls from other
// goroutines wait until it ends. End every Tx with Commit or Rollback
// (defer tx.Rollback() right after Begin; it is a no-op after Commit).
type Tx struct {
	*DB
	done bool
	run  bool // the Tx of a Run body: Run commits it
}

// Begin begins a transaction and pins the calling goroutine to its OS
// thread until Commit or Rollback. Transactions do not nest. An open
// transaction holds the DB: Close meanwhile leaves it to roll back.
func (db *DB) Begin(ctx context.Context) (*Tx, error) {
	c, err := db.enter(ctx)
	if err != nil {
		return nil, err
	}
	rc := C.ipam_db_begin(c)
	if rc == 0 {
		runtime.LockOSThread() // held until Commit or Rollback
		db.state.Add(1)        // the transaction's hold on the DB
	}
	if err := db.leave(rc); err != nil {
		return nil, err
	}
	return &Tx{DB: db}, nil
}

var errTxDone = errorf(ErrInvalid, "the transaction has ended")
var errTxRun = errorf(ErrInvalid, "Run commits or rolls back its transaction itself")

// Commit commits the transaction. On ErrConflict it was rolled back: run
// it again (Run does that). If the DB was closed meanwhile, the
// transaction is rolled back and Commit returns ErrClosed.
func (tx *Tx) Commit() error {
	if tx.done && !tx.run {
		return errTxDone
	}
	return tx.end(true)
}

// Rollback rolls the transaction back; after Commit or Rollback it does
// nothing and returns nil.
func (tx *Tx) Rollback() error {
	if tx.done && !tx.run {
		return nil
	}
	return tx.end(false)
}

// end commits or rolls back, on the thread Begin pinned, then lets go of
// the thread and of the DB (which Close may have left to this to free).
func (tx *Tx) end(commit bool) error {
	if tx.run {
		return errTxRun
	}
	tx.done = true
	defer tx.release()
	defer runtime.UnlockOSThread()
	if tx.state.Load()&closedBit != 0 {
		C.ipam_db_rollback(tx.c)
		if commit {
			return errorf(ErrClosed, "the database was closed during the transaction: rolled back")
		}
		return nil
	}
	if commit {
		return errorOf(C.ipam_db_commit(tx.c))
	}
	C.ipam_db_rollback(tx.c)
	return nil
}

// runState is what a Run body's trampoline needs.
type runState struct {
	ctx   context.Context
	tx    *Tx
	fn    func(*Tx) error
	err   error // fn's error on the last try
	panic any   // fn's panic, raised again after the C call
	tries int
}

// Run runs fn in a transaction and commits it. When the transaction loses
// a race with another writer (ErrConflict from a call inside fn, or from
// the commit) it is rolled back and fn runs again after a short jittered
// pause, up to Options.MaxRetries times; fn must therefore have no effects
// outside the database that cannot be repeated. An error from fn rolls
// back and is returned as it is (an *Error's code decides whether it is
// retried); a panic rolls back and goes on. The context is checked before
// every try.
func (db *DB) Run(ctx context.Context, fn func(tx *Tx) error) error {
	c, err := db.enter(ctx)
	if err != nil {
		return err
	}
	st := &runState{ctx: ctx, tx: &Tx{DB: db, run: true}, fn: fn}
	h := cgo.NewHandle(st)
	rc := C.ipam_go_run(c, C.uintptr_t(h))
	h.Delete()
	cerr := db.leave(rc)
	if st.panic != nil {
		panic(st.panic)
	}
	if rc < 0 && st.err != nil {
		var e *Error
		if !errors.As(st.err, &e) || Code(rc) == e.Code || Code(rc) == ErrGeneric {
			return st.err // fn's own error, as fn returned it
		}
	}
	return cerr
}

//export ipamGoRunBody
func ipamGoRunBody(h C.uintptr_t) (rc C.int) {
	st := cgo.Handle(h).Value().(*runState)
	st.tries++
	st.err = nil
	if err := st.ctx.Err(); err != nil {
		st.err = err
		return C.IPAM_ERROR
	}
	defer func() {
		// A panic must not unwind through C: keep it for Run.
		if p := recover(); p != nil {
			st.panic = p
			st.err = fmt.Errorf("ipam: panic in a Run body: %v", p)
			rc = C.IPAM_ERROR
		}
	}()
	if err := st.fn(st.tx); err != nil {
		st.err = err
		var e *Error
		if errors.As(err, &e) && e.Code < 0 && e.Code > ErrClosed {
			return C.int(e.Code)
		}
		var code Code
		if errors.As(err, &code) && code < 0 && code > ErrClosed {
			return C.int(code)
		}
		return C.IPAM_ERROR
	}
	return 0
}
