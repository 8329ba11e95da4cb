package ipam

/*
#include <ipam.h>
*/
import "C"

import (
	"context"
	"iter"
)

// cursor is the state of one loop over a C iterator: start makes the
// iterator (the query is checked then), next fills one record (0) or ends
// (IPAM_ITEROVER), free releases the iterator and the record's strings.
type cursor[T any] interface {
	start(c *C.ipam_db) C.int
	next() (T, C.int)
	free()
}

// rows is the Go iterator over a C iterator: each loop gets a fresh cursor
// from mk, freed when the loop ends, however it ends. Each C call is a call
// of its own on the DB, so a DB closed during the loop ends it with
// ErrClosed.
func rows[T any](ctx context.Context, db *DB, mk func() cursor[T]) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		k := mk()
		c, err := db.enter(ctx)
		if err != nil {
			yield(zero, err)
			return
		}
		rc := k.start(c)
		defer k.free()
		if err := db.leave(rc); err != nil {
			yield(zero, err)
			return
		}
		for {
			if _, err := db.enter(ctx); err != nil {
				yield(zero, err)
				return
			}
			v, rc := k.next()
			if rc == C.IPAM_ITEROVER {
				db.leave(0)
				return
			}
			if err := db.leave(rc); err != nil {
				yield(zero, err)
				return
			}
			if !yield(v, nil) {
				return
			}
		}
	}
}

// Collect gathers what an iterator yields into a slice, stopping at the
// first error.
func Collect[T any](seq iter.Seq2[T, error]) ([]T, error) {
	var out []T
	for v, err := range seq {
		if err != nil {
			return out, err
		}
		out = append(out, v)
	}
	return out, nil
}
