package ipam

/*
#include <ipam.h>
*/
import "C"

import (
	"context"
	"iter"
	"net/netip"
)

// Prefix is a prefix of a space as the database holds it.
type Prefix struct {
	Prefix      netip.Prefix
	Space       string
	Status      Status
	Pool        bool // every address is usable (no network/broadcast)
	Description string
	Attrs       map[string]any // the free attributes; nil when none
	Parent      netip.Prefix   // the most specific prefix that holds it; zero when none
	Depth       int            // how many prefixes hold it
}

func goPrefixInfo(i *C.ipam_prefix_info) Prefix {
	p := Prefix{
		Prefix:      goPrefix(&i.prefix),
		Space:       goString(i.space),
		Status:      Status(i.status),
		Pool:        i.pool != 0,
		Description: goString(i.description),
		Attrs:       goAttrs(i.attrs_json),
		Depth:       int(i.depth),
	}
	if i.has_parent != 0 {
		p.Parent = goPrefix(&i.parent)
	}
	return p
}

// PrefixOptions are the options of AddPrefix; nil: an active prefix of
// the space "default".
type PrefixOptions struct {
	Space       string
	Status      Status // StatusActive (the zero value), StatusContainer, StatusReserved or StatusDeprecated
	Pool        bool
	Description string
	Attrs       map[string]any
	// Exclusive refuses the prefix (ErrExists) when any prefix of the
	// space overlaps it.
	Exclusive bool
}

// AddPrefix adds a prefix to a space.
func (db *DB) AddPrefix(ctx context.Context, p netip.Prefix, o *PrefixOptions) error {
	return db.prefixCall(ctx, p, o, func(c *C.ipam_db, cp *C.ipam_prefix, opts *C.ipam_prefix_options) C.int {
		return C.ipam_prefix_add(c, cp, opts)
	})
}

// prefixCall runs a C call on p with o as its options (nil: the defaults).
func (db *DB) prefixCall(ctx context.Context, p netip.Prefix, o *PrefixOptions,
	call func(*C.ipam_db, *C.ipam_prefix, *C.ipam_prefix_options) C.int) error {
	cp, err := cPrefix(p)
	if err != nil {
		return err
	}
	var opts C.ipam_prefix_options
	C.ipam_prefix_options_init(&opts, C.IPAM_PREFIX_OPTIONS_VERSION)
	var cs cstrings
	defer cs.free()
	if o != nil {
		attrs, err := jsonText(o.Attrs)
		if err != nil {
			return err
		}
		opts.space = cs.str(o.Space)
		opts.status = C.ipam_status(o.Status)
		opts.pool = cbool(o.Pool)
		opts.description = cs.str(o.Description)
		opts.attrs_json = cs.str(attrs)
		opts.exclusive = cbool(o.Exclusive)
	}
	c, err := db.enter(ctx)
	if err != nil {
		return err
	}
	return db.leave(call(c, &cp, &opts))
}

func cbool(b bool) C.int {
	if b {
		return 1
	}
	return 0
}

// Prefix looks a prefix up exactly.
func (db *DB) Prefix(ctx context.Context, space string, p netip.Prefix) (Prefix, error) {
	cp, err := cPrefix(p)
	if err != nil {
		return Prefix{}, err
	}
	var info C.ipam_prefix_info
	info.version = C.IPAM_PREFIX_INFO_VERSION
	defer C.ipam_prefix_info_dispose(&info)
	if err := db.call(ctx, space, func(c *C.ipam_db, sp *C.char) C.int { return C.ipam_prefix_get(&info, c, sp, &cp) }); err != nil {
		return Prefix{}, err
	}
	return goPrefixInfo(&info), nil
}

// RemovePrefix removes a prefix; what lies inside it stays.
func (db *DB) RemovePrefix(ctx context.Context, space string, p netip.Prefix) error {
	cp, err := cPrefix(p)
	if err != nil {
		return err
	}
	return db.call(ctx, space, func(c *C.ipam_db, sp *C.char) C.int { return C.ipam_prefix_rm(c, sp, &cp) })
}

// Match is the longest-prefix match: the most specific prefix of the space
// that covers target or equals it. For an address pass
// netip.PrefixFrom(a, a.BitLen()).
func (db *DB) Match(ctx context.Context, space string, target netip.Prefix) (netip.Prefix, error) {
	cp, err := cPrefix(target)
	if err != nil {
		return netip.Prefix{}, err
	}
	var out C.ipam_prefix
	if err := db.call(ctx, space, func(c *C.ipam_db, sp *C.char) C.int { return C.ipam_prefix_match(&out, c, sp, &cp) }); err != nil {
		return netip.Prefix{}, err
	}
	return goPrefix(&out), nil
}

// AllocPrefixOptions are the options of AllocPrefix; nil: first-fit, an
// active prefix of the space "default".
type AllocPrefixOptions struct {
	Space       string
	Policy      Policy // FirstFit (the zero value) or BestFit
	Status      Status
	Pool        bool
	Description string
	Attrs       map[string]any
}

// AllocPrefix allocates a free block of the given length inside the
// prefix parent and adds it. ErrExhausted when none is free.
func (db *DB) AllocPrefix(ctx context.Context, parent netip.Prefix, length int, o *AllocPrefixOptions) (netip.Prefix, error) {
	cp, err := cPrefix(parent)
	if err != nil {
		return netip.Prefix{}, err
	}
	if length < 0 || length > 128 {
		return netip.Prefix{}, errorf(ErrInvalid, "a prefix length must be 0..128")
	}
	var opts C.ipam_prefix_alloc_options
	C.ipam_prefix_alloc_options_init(&opts, C.IPAM_PREFIX_ALLOC_OPTIONS_VERSION)
	opts.length = C.uint(length)
	var cs cstrings
	defer cs.free()
	if o != nil {
		attrs, err := jsonText(o.Attrs)
		if err != nil {
			return netip.Prefix{}, err
		}
		opts.space = cs.str(o.Space)
		opts.policy = C.ipam_policy(o.Policy)
		opts.status = C.ipam_status(o.Status)
		opts.pool = cbool(o.Pool)
		opts.description = cs.str(o.Description)
		opts.attrs_json = cs.str(attrs)
	}
	c, err := db.enter(ctx)
	if err != nil {
		return netip.Prefix{}, err
	}
	var out C.ipam_prefix
	if err := db.leave(C.ipam_prefix_alloc(&out, c, &cp, &opts)); err != nil {
		return netip.Prefix{}, err
	}
	return goPrefix(&out), nil
}

// PrefixQuery says which prefixes Prefixes walks: all of the space, those
// Within a prefix (itself included), or those Covering a prefix (least
// specific first). Family 4 or 6 limits a walk of all to one family.
type PrefixQuery struct {
	Space    string
	Within   netip.Prefix
	Covering netip.Prefix
	Family   int
}

// Prefixes iterates over prefixes in order: IPv4 before IPv6, then address,
// then length (a parent before its children).
func (db *DB) Prefixes(ctx context.Context, q PrefixQuery) iter.Seq2[Prefix, error] {
	k := prefixCursor{space: q.Space}
	var err error
	switch {
	case q.Within.IsValid() && q.Covering.IsValid():
		err = errorf(ErrInvalid, "prefix query: Within or Covering, not both")
	case q.Within.IsValid():
		k.walk, k.hasTarget = C.IPAM_WALK_WITHIN, true
		k.target, err = cPrefix(q.Within)
	case q.Covering.IsValid():
		k.walk, k.hasTarget = C.IPAM_WALK_COVERING, true
		k.target, err = cPrefix(q.Covering)
	case q.Family == 4:
		k.family = C.IPAM_AF_INET
	case q.Family == 6:
		k.family = C.IPAM_AF_INET6
	case q.Family != 0:
		err = errorf(ErrInvalid, "prefix query: Family must be 0, 4 or 6")
	}
	if err != nil {
		return func(yield func(Prefix, error) bool) { yield(Prefix{}, err) }
	}
	return rows(ctx, db, func() cursor[Prefix] { c := k; return &c })
}

type prefixCursor struct {
	space     string
	walk      C.ipam_prefix_walk
	family    C.int
	target    C.ipam_prefix
	hasTarget bool
	it        *C.ipam_prefix_iter
	info      C.ipam_prefix_info
}

func (k *prefixCursor) start(c *C.ipam_db) C.int {
	var cs cstrings
	defer cs.free()
	cq := C.ipam_prefix_query{version: C.IPAM_PREFIX_QUERY_VERSION, space: cs.str(k.space), walk: k.walk, family: k.family}
	var pin pinned
	defer pin.Unpin()
	if k.hasTarget {
		cq.target = pin.prefix(&k.target)
	}
	k.info.version = C.IPAM_PREFIX_INFO_VERSION
	return C.ipam_prefix_iter_new(&k.it, c, &cq)
}

func (k *prefixCursor) next() (Prefix, C.int) {
	rc := C.ipam_prefix_iter_next(&k.info, k.it)
	return goPrefixInfo(&k.info), rc
}

func (k *prefixCursor) free() {
	C.ipam_prefix_info_dispose(&k.info)
	C.ipam_prefix_iter_free(k.it)
}

// Utilization is how much of a CIDR is used, read from the index without a
// scan: by prefixes strictly inside it, addresses and ranges.
type Utilization struct {
	Total, Used, Free Uint128
	Free64s           Uint128 // IPv6: fully free aligned /64 blocks inside
	UsedPercent       float64
}

// Utilization of any CIDR of a space (a stored prefix or not).
func (db *DB) Utilization(ctx context.Context, space string, p netip.Prefix) (Utilization, error) {
	cp, err := cPrefix(p)
	if err != nil {
		return Utilization{}, err
	}
	var u C.ipam_util
	u.version = C.IPAM_UTIL_VERSION
	if err := db.call(ctx, space, func(c *C.ipam_db, sp *C.char) C.int { return C.ipam_prefix_util(&u, c, sp, &cp) }); err != nil {
		return Utilization{}, err
	}
	return Utilization{u128(u.total), u128(u.used), u128(u.free), u128(u.free_64s), float64(u.used_percent)}, nil
}

// PrefixField names what UpdatePrefix changes (a bit mask).
type PrefixField uint

// The fields UpdatePrefix can change alone.
const (
	PrefixStatus      PrefixField = C.IPAM_PREFIX_SET_STATUS
	PrefixPool        PrefixField = C.IPAM_PREFIX_SET_POOL
	PrefixDescription PrefixField = C.IPAM_PREFIX_SET_DESCRIPTION
	PrefixAttrs       PrefixField = C.IPAM_PREFIX_SET_ATTRS // replaced as a whole
)

// UpdatePrefix changes a prefix in place: the fields named in set take
// their values from o ("" clears the description), the others stay; the
// prefix keeps its id and creation time and what lies inside it.
// o.Space names the space; o.Exclusive is not used.
func (db *DB) UpdatePrefix(ctx context.Context, p netip.Prefix, set PrefixField, o PrefixOptions) error {
	o.Exclusive = false
	return db.prefixCall(ctx, p, &o, func(c *C.ipam_db, cp *C.ipam_prefix, opts *C.ipam_prefix_options) C.int {
		return C.ipam_prefix_update(c, cp, C.uint(set), opts)
	})
}
