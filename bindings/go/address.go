package ipam

/*
#include <ipam.h>
*/
import "C"

import (
	"context"
	"iter"
	"net"
	"net/netip"
)

// Address is an address of a space as the database holds it.
type Address struct {
	Addr        netip.Addr
	Space       string
	Prefix      netip.Prefix // the most specific prefix that holds it; zero when none
	Status      Status
	Hostname    string
	MAC         net.HardwareAddr // nil when none
	Description string
	Attrs       map[string]any // nil when none
}

func goAddressInfo(i *C.ipam_ip_info) Address {
	a := Address{
		Addr:        goAddr(&i.addr),
		Space:       goString(i.space),
		Status:      Status(i.status),
		Hostname:    goString(i.hostname),
		MAC:         goMAC(i.has_mac, &i.mac),
		Description: goString(i.description),
		Attrs:       goAttrs(i.attrs_json),
	}
	if i.has_prefix != 0 {
		a.Prefix = goPrefix(&i.prefix)
	}
	return a
}

// AddressOptions are the options of AllocAddress and AddAddress; nil: an
// active address of the space "default" with no name.
type AddressOptions struct {
	Space       string
	Hostname    string // a DNS name
	MAC         string // in any usual notation (aa:bb:.., AA-BB-.., aabb.ccdd.eeff)
	Description string
	Status      Status // StatusActive (the zero value), StatusReserved, StatusDHCP or StatusDeprecated
	Attrs       map[string]any
}

// cIPOptions fills a C options struct from o (nil: NULL) with strings of cs.
func cIPOptions(o *AddressOptions, cs *cstrings, opts *C.ipam_ip_options) (*C.ipam_ip_options, error) {
	if o == nil {
		return nil, nil
	}
	attrs, err := jsonText(o.Attrs)
	if err != nil {
		return nil, err
	}
	C.ipam_ip_options_init(opts, C.IPAM_IP_OPTIONS_VERSION)
	opts.space = cs.str(o.Space)
	opts.hostname = cs.str(o.Hostname)
	opts.mac = cs.str(o.MAC)
	opts.description = cs.str(o.Description)
	opts.status = C.ipam_status(o.Status)
	opts.attrs_json = cs.str(attrs)
	return opts, nil
}

// AllocAddress allocates the lowest free address of the prefix within
// (never a taken address, one inside a range, an IPv4 network or
// broadcast address, or the IPv6 subnet-router anycast) and records it.
// ErrExhausted when none is left.
func (db *DB) AllocAddress(ctx context.Context, within netip.Prefix, o *AddressOptions) (netip.Addr, error) {
	// One heap object for everything C sees (the hot path: one allocation).
	var f struct {
		within C.ipam_prefix
		out    C.ipam_addr
		opts   C.ipam_ip_options
	}
	var err error
	if f.within, err = cPrefix(within); err != nil {
		return netip.Addr{}, err
	}
	var cs cstrings
	defer cs.free()
	opts, err := cIPOptions(o, &cs, &f.opts)
	if err != nil {
		return netip.Addr{}, err
	}
	c, err := db.enter(ctx)
	if err != nil {
		return netip.Addr{}, err
	}
	if err := db.leave(C.ipam_ip_alloc(&f.out, c, &f.within, opts)); err != nil {
		return netip.Addr{}, err
	}
	return goAddr(&f.out), nil
}

// AddAddress records a given address (ErrExists if the space has it).
func (db *DB) AddAddress(ctx context.Context, a netip.Addr, o *AddressOptions) error {
	return db.addrCall(ctx, a, o, func(c *C.ipam_db, ca *C.ipam_addr, opts *C.ipam_ip_options) C.int {
		return C.ipam_ip_add(c, ca, opts)
	})
}

// addrCall runs a C call on a with o as its options (nil: NULL).
func (db *DB) addrCall(ctx context.Context, a netip.Addr, o *AddressOptions,
	call func(*C.ipam_db, *C.ipam_addr, *C.ipam_ip_options) C.int) error {
	ca, err := cAddr(a)
	if err != nil {
		return err
	}
	var cs cstrings
	defer cs.free()
	var buf C.ipam_ip_options
	opts, err := cIPOptions(o, &cs, &buf)
	if err != nil {
		return err
	}
	c, err := db.enter(ctx)
	if err != nil {
		return err
	}
	return db.leave(call(c, &ca, opts))
}

// Address looks an address up (ErrNotFound if the space does not have it).
func (db *DB) Address(ctx context.Context, space string, a netip.Addr) (Address, error) {
	ca, err := cAddr(a)
	if err != nil {
		return Address{}, err
	}
	var info C.ipam_ip_info
	info.version = C.IPAM_IP_INFO_VERSION
	defer C.ipam_ip_info_dispose(&info)
	if err := db.call(ctx, space, func(c *C.ipam_db, sp *C.char) C.int { return C.ipam_ip_get(&info, c, sp, &ca) }); err != nil {
		return Address{}, err
	}
	return goAddressInfo(&info), nil
}

// ReleaseAddress releases (removes) an address.
func (db *DB) ReleaseAddress(ctx context.Context, space string, a netip.Addr) error {
	ca, err := cAddr(a)
	if err != nil {
		return err
	}
	return db.call(ctx, space, func(c *C.ipam_db, sp *C.char) C.int { return C.ipam_ip_release(c, sp, &ca) })
}

// Addresses iterates over the addresses of a space, or of the prefix
// within it (a zero within: all), in address order.
func (db *DB) Addresses(ctx context.Context, space string, within netip.Prefix) iter.Seq2[Address, error] {
	k := addressCursor{withinCursor: withinCursor{space: space}}
	if err := k.set(within); err != nil {
		return func(yield func(Address, error) bool) { yield(Address{}, err) }
	}
	return rows(ctx, db, func() cursor[Address] { c := k; return &c })
}

// withinCursor holds the (space, within) of an address or range query.
type withinCursor struct {
	space     string
	within    C.ipam_prefix
	hasWithin bool
}

func (w *withinCursor) set(within netip.Prefix) (err error) {
	if within.IsValid() {
		w.within, err = cPrefix(within)
		w.hasWithin = true
	}
	return err
}

type addressCursor struct {
	withinCursor
	it   *C.ipam_ip_iter
	info C.ipam_ip_info
}

func (k *addressCursor) start(c *C.ipam_db) C.int {
	var cs cstrings
	defer cs.free()
	q := C.ipam_ip_query{version: C.IPAM_IP_QUERY_VERSION, space: cs.str(k.space)}
	var pin pinned
	defer pin.Unpin()
	if k.hasWithin {
		q.within = pin.prefix(&k.within)
	}
	k.info.version = C.IPAM_IP_INFO_VERSION
	return C.ipam_ip_iter_new(&k.it, c, &q)
}

func (k *addressCursor) next() (Address, C.int) {
	rc := C.ipam_ip_iter_next(&k.info, k.it)
	return goAddressInfo(&k.info), rc
}

func (k *addressCursor) free() {
	C.ipam_ip_info_dispose(&k.info)
	C.ipam_ip_iter_free(k.it)
}

// AddressField names what UpdateAddress changes (a bit mask).
type AddressField uint

// The fields UpdateAddress can change alone.
const (
	AddressHostname    AddressField = C.IPAM_IP_SET_HOSTNAME
	AddressMAC         AddressField = C.IPAM_IP_SET_MAC
	AddressDescription AddressField = C.IPAM_IP_SET_DESCRIPTION
	AddressStatus      AddressField = C.IPAM_IP_SET_STATUS
	AddressAttrs       AddressField = C.IPAM_IP_SET_ATTRS // replaced as a whole
)

// UpdateAddress changes a recorded address in place: the fields named in
// set take their values from o ("" clears one), the others stay. The
// address keeps its id and creation time, and its DNS records follow a new
// host name. o.Space names the space.
func (db *DB) UpdateAddress(ctx context.Context, a netip.Addr, set AddressField, o AddressOptions) error {
	return db.addrCall(ctx, a, &o, func(c *C.ipam_db, ca *C.ipam_addr, opts *C.ipam_ip_options) C.int {
		return C.ipam_ip_update(c, ca, C.uint(set), opts)
	})
}
