package ipam

/*
#include <ipam.h>
*/
import "C"

import (
	"context"
	"iter"
	"net/netip"
	"runtime"
)

// Range is a range First..Last of a space: a DHCP pool, reserved or excluded.
type Range struct {
	Space       string
	First, Last netip.Addr
	Purpose     Purpose
	Description string
	Attrs       map[string]any // nil when none
}

// Contains says whether a lies in the range.
func (r Range) Contains(a netip.Addr) bool {
	return a.BitLen() == r.First.BitLen() && r.First.Compare(a) <= 0 && a.Compare(r.Last) <= 0
}

func cBounds(first, last netip.Addr) (cf, cl C.ipam_addr, err error) {
	if cf, err = cAddr(first); err == nil {
		cl, err = cAddr(last)
	}
	return cf, cl, err
}

// RangeOptions are the options of AddRange; nil: a DHCP pool of the space
// "default".
type RangeOptions struct {
	Space       string
	Purpose     Purpose // PurposeDHCP (the zero value), PurposeReserved or PurposeExcluded
	Description string
	Attrs       map[string]any
}

// AddRange adds the range first..last; the allocator never hands out an
// address inside a range.
func (db *DB) AddRange(ctx context.Context, first, last netip.Addr, o *RangeOptions) error {
	cf, cl, err := cBounds(first, last)
	if err != nil {
		return err
	}
	var opts C.ipam_range_options
	C.ipam_range_options_init(&opts, C.IPAM_RANGE_OPTIONS_VERSION)
	var cs cstrings
	defer cs.free()
	if o != nil {
		attrs, err := jsonText(o.Attrs)
		if err != nil {
			return err
		}
		opts.space = cs.str(o.Space)
		opts.purpose = C.ipam_range_purpose(o.Purpose)
		opts.description = cs.str(o.Description)
		opts.attrs_json = cs.str(attrs)
	}
	c, err := db.enter(ctx)
	if err != nil {
		return err
	}
	return db.leave(C.ipam_range_add(c, &cf, &cl, &opts))
}

// Range reads one range: the one first..last, or with a zero last (the
// invalid netip.Addr), the innermost range that holds first (an excluded
// span inside a pool, not the pool). ErrNotFound when there is none.
func (db *DB) Range(ctx context.Context, space string, first, last netip.Addr) (Range, error) {
	cf, err := cAddr(first)
	if err != nil {
		return Range{}, err
	}
	var cl C.ipam_addr
	pl := &cl
	if !last.IsValid() {
		pl = nil
	} else if cl, err = cAddr(last); err != nil {
		return Range{}, err
	}
	k := rangeCursor{}
	k.info.version = C.IPAM_RANGE_INFO_VERSION
	defer C.ipam_range_info_dispose(&k.info)
	if err := db.call(ctx, space, func(c *C.ipam_db, sp *C.char) C.int { return C.ipam_range_get(&k.info, c, sp, &cf, pl) }); err != nil {
		return Range{}, err
	}
	r, _ := k.info2range(0)
	return r, nil
}

// RemoveRange removes the range with these bounds.
func (db *DB) RemoveRange(ctx context.Context, space string, first, last netip.Addr) error {
	cf, cl, err := cBounds(first, last)
	if err != nil {
		return err
	}
	return db.call(ctx, space, func(c *C.ipam_db, sp *C.char) C.int { return C.ipam_range_rm(c, sp, &cf, &cl) })
}

// Ranges iterates over the ranges of a space (those that overlap the
// prefix within; a zero within: all), ordered by first then last.
func (db *DB) Ranges(ctx context.Context, space string, within netip.Prefix) iter.Seq2[Range, error] {
	k := rangeCursor{withinCursor: withinCursor{space: space}}
	if err := k.set(within); err != nil {
		return func(yield func(Range, error) bool) { yield(Range{}, err) }
	}
	return rows(ctx, db, func() cursor[Range] { c := k; return &c })
}

type rangeCursor struct {
	withinCursor
	it   *C.ipam_range_iter
	info C.ipam_range_info
}

func (k *rangeCursor) start(c *C.ipam_db) C.int {
	var cs cstrings
	defer cs.free()
	q := C.ipam_range_query{version: C.IPAM_RANGE_QUERY_VERSION, space: cs.str(k.space)}
	var pin pinned
	defer pin.Unpin()
	if k.hasWithin {
		q.within = pin.prefix(&k.within)
	}
	k.info.version = C.IPAM_RANGE_INFO_VERSION
	return C.ipam_range_iter_new(&k.it, c, &q)
}

func (k *rangeCursor) next() (Range, C.int) {
	return k.info2range(C.ipam_range_iter_next(&k.info, k.it))
}

func (k *rangeCursor) info2range(rc C.int) (Range, C.int) {
	return Range{
		Space:       goString(k.info.space),
		First:       goAddr(&k.info.first),
		Last:        goAddr(&k.info.last),
		Purpose:     Purpose(k.info.purpose),
		Description: goString(k.info.description),
		Attrs:       goAttrs(k.info.attrs_json),
	}, rc
}

func (k *rangeCursor) free() {
	C.ipam_range_info_dispose(&k.info)
	C.ipam_range_iter_free(k.it)
}

// pinned pins the Go values a C query points to for the length of a call.
type pinned struct{ runtime.Pinner }

func (p *pinned) prefix(c *C.ipam_prefix) *C.ipam_prefix {
	p.Pin(c)
	return c
}
