package ipam

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func count(t *testing.T, db *DB) int {
	t.Helper()
	s, err := db.Stats(bg)
	must(t, err)
	return int(s.Addresses)
}

func TestTxCommitRollback(t *testing.T) {
	db := open(t, "memory:")
	net := pfx("10.0.0.0/24")
	must(t, db.AddPrefix(bg, net, nil))

	tx, err := db.Begin(bg)
	must(t, err)
	for i := 0; i < 3; i++ {
		_, err := tx.AllocAddress(bg, net, nil)
		must(t, err)
	}
	must(t, tx.Rollback())
	must(t, tx.Rollback()) // a no-op
	if n := count(t, db); n != 0 {
		t.Fatalf("rolled back, yet %d addresses", n)
	}
	wantErr(t, tx.Commit(), ErrInvalid, "ended")

	tx, err = db.Begin(bg)
	must(t, err)
	defer tx.Rollback()
	a, err := tx.AllocAddress(bg, net, nil)
	must(t, err)
	_, err = db.Begin(bg) // transactions do not nest
	wantErr(t, err, ErrInvalid)
	must(t, tx.Commit())
	if a != addr("10.0.0.1") || count(t, db) != 1 {
		t.Fatalf("committed %s, %d addresses", a, count(t, db))
	}
}

func TestRun(t *testing.T) {
	db := open(t, "memory:")
	net := pfx("10.0.0.0/24")
	must(t, db.AddPrefix(bg, net, nil))

	// a conflict is retried, with the first try rolled back
	tries := 0
	err := db.Run(bg, func(tx *Tx) error {
		tries++
		if _, err := tx.AllocAddress(bg, net, nil); err != nil {
			return err
		}
		if tries == 1 {
			return &Error{Code: ErrConflict, Message: "simulated"}
		}
		return nil
	})
	must(t, err)
	if tries != 2 || count(t, db) != 1 {
		t.Fatalf("tries %d, %d addresses", tries, count(t, db))
	}
	a, err := db.Address(bg, "", addr("10.0.0.1"))
	must(t, err)
	_ = a

	// an error of the body rolls back and comes out as it is
	mine := errors.New("mine")
	err = db.Run(bg, func(tx *Tx) error {
		_, _ = tx.AllocAddress(bg, net, nil)
		return fmt.Errorf("wrapped: %w", mine)
	})
	if !errors.Is(err, mine) || count(t, db) != 1 {
		t.Fatalf("body error: %v, %d addresses", err, count(t, db))
	}
	// a library error inside the body, unhandled, comes out with its message
	err = db.Run(bg, func(tx *Tx) error {
		return tx.AddPrefix(bg, net, nil)
	})
	wantErr(t, err, ErrExists, "10.0.0.0/24")
	// a bare Code works too
	err = db.Run(bg, func(tx *Tx) error { return ErrExhausted })
	if err != ErrExhausted {
		t.Fatalf("bare code: %v", err)
	}
	// Commit and Rollback belong to Run
	must(t, db.Run(bg, func(tx *Tx) error {
		wantErr(t, tx.Commit(), ErrInvalid)
		wantErr(t, tx.Rollback(), ErrInvalid)
		return nil
	}))

	// conflicts until the retries run out
	db2, err := Open(bg, "memory:", &Options{MaxRetries: 3})
	must(t, err)
	defer db2.Close()
	tries = 0
	err = db2.Run(bg, func(tx *Tx) error { tries++; return ErrConflict })
	if !errors.Is(err, ErrConflict) || tries != 3 {
		t.Fatalf("retries: %v after %d tries", err, tries)
	}

	// the context stops the retries
	ctx, cancel := context.WithCancel(bg)
	tries = 0
	err = db.Run(ctx, func(tx *Tx) error { tries++; cancel(); return ErrConflict })
	if !errors.Is(err, context.Canceled) || tries != 1 {
		t.Fatalf("canceled: %v after %d tries", err, tries)
	}

	// a panic rolls back and goes on, and the DB stays usable
	func() {
		defer func() {
			if p := recover(); p != "boom" {
				t.Fatalf("recovered %v", p)
			}
		}()
		_ = db.Run(bg, func(tx *Tx) error {
			_, _ = tx.AllocAddress(bg, net, nil)
			panic("boom")
		})
	}()
	if count(t, db) != 1 {
		t.Fatalf("after the panic: %d addresses", count(t, db))
	}
	_, err = db.AllocAddress(bg, net, nil)
	must(t, err)
}

// Many goroutines on one DB: every address is handed out once.
func TestConcurrentAlloc(t *testing.T) {
	for _, uri := range []string{"index:", "memory:"} {
		t.Run(uri, func(t *testing.T) {
			db := open(t, uri)
			net := pfx("10.0.0.0/20")
			must(t, db.AddPrefix(bg, net, nil))
			const workers, each = 8, 400
			var mu sync.Mutex
			seen := map[netip.Addr]bool{}
			var wg sync.WaitGroup
			for w := 0; w < workers; w++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := 0; i < each; i++ {
						a, err := db.AllocAddress(bg, net, nil)
						if err != nil {
							t.Error(err)
							return
						}
						mu.Lock()
						if seen[a] {
							t.Errorf("%s handed out twice", a)
						}
						seen[a] = true
						mu.Unlock()
					}
				}()
			}
			wg.Wait()
			if len(seen) != workers*each || count(t, db) != workers*each {
				t.Fatalf("%d distinct, %d stored", len(seen), count(t, db))
			}
		})
	}
}

// A transaction holds the handle: another goroutine's call waits for it,
// and sees what it committed.
func TestTxExcludesOtherGoroutines(t *testing.T) {
	db := open(t, "memory:")
	net := pfx("10.0.0.0/24")
	must(t, db.AddPrefix(bg, net, nil))
	tx, err := db.Begin(bg)
	must(t, err)
	_, err = tx.AllocAddress(bg, net, nil)
	must(t, err)
	var other atomic.Value
	done := make(chan struct{})
	go func() {
		a, err := db.AllocAddress(bg, net, nil) // waits for the transaction
		must(t, err)
		other.Store(a)
		close(done)
	}()
	time.Sleep(50 * time.Millisecond)
	select {
	case <-done:
		t.Fatal("a call of another goroutine ran inside the transaction")
	default:
	}
	_, err = tx.AllocAddress(bg, net, nil)
	must(t, err)
	must(t, tx.Commit())
	<-done
	if other.Load().(netip.Addr) != addr("10.0.0.3") {
		t.Fatalf("the waiting goroutine got %v", other.Load())
	}
}

// Close waits for calls in flight; later calls fail with ErrClosed.
func TestCloseWhileBusy(t *testing.T) {
	db, err := Open(bg, "memory:", nil)
	must(t, err)
	net := pfx("10.0.0.0/16")
	must(t, db.AddPrefix(bg, net, nil))
	var wg sync.WaitGroup
	var ok, closed atomic.Int64
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				_, err := db.AllocAddress(bg, net, nil)
				switch {
				case err == nil:
					ok.Add(1)
				case errors.Is(err, ErrClosed):
					closed.Add(1)
					return
				default:
					t.Error(err)
					return
				}
			}
		}()
	}
	for deadline := time.Now().Add(10 * time.Second); ok.Load() < 100 && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond) // let the callers get going, however loaded the machine
	}
	must(t, db.Close())
	wg.Wait()
	if ok.Load() == 0 || closed.Load() != 4 {
		t.Fatalf("%d allocations, %d goroutines saw the close", ok.Load(), closed.Load())
	}
}

// Writers on separate handles of one file: Run retries the losers.
func TestRunManyHandlesOneFile(t *testing.T) {
	uri := "file:" + filepath.Join(t.TempDir(), "shared.db")
	first, err := Open(bg, uri, &Options{Passphrase: "k", Create: true})
	must(t, err)
	net := pfx("10.1.0.0/24")
	must(t, first.AddPrefix(bg, net, nil))
	must(t, first.Close())
	const workers, each = 4, 10
	var wg sync.WaitGroup
	got := make(chan netip.Addr, workers*each)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			db, err := Open(bg, uri, &Options{Passphrase: "k"})
			if err != nil {
				t.Error(err)
				return
			}
			defer db.Close()
			for i := 0; i < each; i++ {
				err := db.Run(bg, func(tx *Tx) error {
					a, err := tx.AllocAddress(bg, net, nil)
					if err == nil {
						got <- a // the last try's address is the one kept
					}
					return err
				})
				if err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(got)
	db, err := Open(bg, uri, &Options{Passphrase: "k"})
	must(t, err)
	defer db.Close()
	if n := count(t, db); n != workers*each {
		t.Fatalf("%d addresses stored, want %d", n, workers*each)
	}
	last, err := Collect(db.Addresses(bg, "", net))
	must(t, err)
	if last[len(last)-1].Addr != addr(fmt.Sprintf("10.1.0.%d", workers*each)) {
		t.Fatalf("addresses are not the lowest ones: last %s", last[len(last)-1].Addr)
	}
}

// The cleanup frees a DB that was dropped without Close.
func TestCleanupFreesDroppedDB(t *testing.T) {
	freed := make(chan struct{}, 1)
	func() {
		db, err := Open(bg, "memory:", nil)
		must(t, err)
		runtime.AddCleanup(db, func(ch chan struct{}) { ch <- struct{}{} }, freed)
	}()
	for i := 0; i < 500; i++ { // up to 5 s on a loaded machine
		runtime.GC()
		select {
		case <-freed:
			return
		case <-time.After(10 * time.Millisecond):
		}
	}
	t.Fatal("a dropped DB was never cleaned up")
}

// Close during a transaction: it can only roll back, and the handle is
// freed when it ends (ASan would see a use after free or a leak).
func TestCloseDuringTransaction(t *testing.T) {
	uri := "file:" + filepath.Join(t.TempDir(), "c.db")
	o := &Options{Passphrase: "k"}
	db, err := Open(bg, uri, &Options{Passphrase: "k", Create: true})
	must(t, err)
	net := pfx("10.0.0.0/24")
	must(t, db.AddPrefix(bg, net, nil))
	must(t, db.Close())

	// closed by the goroutine of the transaction
	db, err = Open(bg, uri, o)
	must(t, err)
	tx, err := db.Begin(bg)
	must(t, err)
	_, err = tx.AllocAddress(bg, net, nil)
	must(t, err)
	must(t, db.Close())
	_, err = tx.AllocAddress(bg, net, nil)
	wantErr(t, err, ErrClosed)
	wantErr(t, tx.Commit(), ErrClosed, "rolled back")

	// closed by another goroutine
	db, err = Open(bg, uri, o)
	must(t, err)
	tx, err = db.Begin(bg)
	must(t, err)
	_, err = tx.AllocAddress(bg, net, nil)
	must(t, err)
	done := make(chan error)
	go func() { done <- db.Close() }()
	must(t, <-done) // Close does not wait for the transaction
	must(t, tx.Rollback())

	// closed inside Run
	db, err = Open(bg, uri, o)
	must(t, err)
	err = db.Run(bg, func(tx *Tx) error {
		if _, err := tx.AllocAddress(bg, net, nil); err != nil {
			return err
		}
		must(t, tx.Close())
		_, err := tx.AllocAddress(bg, net, nil)
		return err
	})
	wantErr(t, err, ErrClosed)

	db, err = Open(bg, uri, o)
	must(t, err)
	defer db.Close()
	if n := count(t, db); n != 0 {
		t.Fatalf("%d addresses survived the closes", n)
	}
}
