package ipam

/*
#include <ipam.h>
*/
import "C"

import (
	"encoding/json"
	"math/big"
	"net"
	"net/netip"
	"strconv"
	"unsafe"
)

// Status of a prefix or an address.
type Status int

// The statuses (see Status.String for their names).
const (
	StatusActive     Status = C.IPAM_STATUS_ACTIVE     // in use (prefixes and addresses)
	StatusContainer  Status = C.IPAM_STATUS_CONTAINER  // holds other prefixes (prefixes only)
	StatusReserved   Status = C.IPAM_STATUS_RESERVED   // set aside
	StatusDeprecated Status = C.IPAM_STATUS_DEPRECATED // being retired
	StatusDHCP       Status = C.IPAM_STATUS_DHCP       // leased by DHCP (addresses only)
)

// String is the status's name ("active", "container", ...).
func (s Status) String() string {
	if n := C.ipam_status_name(C.int(s)); n != nil {
		return C.GoString(n)
	}
	return "Status(" + strconv.Itoa(int(s)) + ")"
}

// Purpose of a range.
type Purpose int

// The purposes of ranges.
const (
	PurposeDHCP     Purpose = C.IPAM_RANGE_DHCP     // a DHCP pool
	PurposeReserved Purpose = C.IPAM_RANGE_RESERVED // set aside
	PurposeExcluded Purpose = C.IPAM_RANGE_EXCLUDED // excluded from a pool
)

// String is the purpose's name ("dhcp", "reserved", "excluded").
func (p Purpose) String() string {
	if n := C.ipam_range_purpose_name(C.int(p)); n != nil {
		return C.GoString(n)
	}
	return "Purpose(" + strconv.Itoa(int(p)) + ")"
}

// Policy of prefix allocation.
type Policy int

// The allocation policies.
const (
	FirstFit Policy = C.IPAM_POLICY_FIRST_FIT // the lowest free aligned block
	BestFit  Policy = C.IPAM_POLICY_BEST_FIT  // carve from the smallest free block that fits
)

// Uint128 is an unsigned 128-bit count: Hi * 2^64 + Lo.
type Uint128 struct{ Hi, Lo uint64 }

// Big is the count as a big.Int.
func (u Uint128) Big() *big.Int {
	b := new(big.Int).SetUint64(u.Hi)
	b.Lsh(b, 64)
	return b.Or(b, new(big.Int).SetUint64(u.Lo))
}

func (u Uint128) String() string { return u.Big().String() }

func u128(v C.ipam_u128) Uint128 { return Uint128{uint64(v.hi), uint64(v.lo)} }

// cAddr is the C form of a; an invalid (zero) netip.Addr is ErrInvalid.
func cAddr(a netip.Addr) (C.ipam_addr, error) {
	var c C.ipam_addr
	b := (*[16]byte)(unsafe.Pointer(&c.bytes[0]))
	switch {
	case a.Is4():
		c.family = C.IPAM_AF_INET
		v4 := a.As4()
		copy(b[:], v4[:])
	case a.Is6():
		if a.Zone() != "" {
			return c, errorf(ErrInvalid, a.String()+": an address with a zone")
		}
		c.family = C.IPAM_AF_INET6
		*b = a.As16()
	default:
		return c, errorf(ErrInvalid, "an invalid (zero) netip.Addr")
	}
	return c, nil
}

func goAddr(c *C.ipam_addr) netip.Addr {
	b := (*[16]byte)(unsafe.Pointer(&c.bytes[0]))
	if c.family == C.IPAM_AF_INET {
		return netip.AddrFrom4([4]byte(b[:4]))
	}
	return netip.AddrFrom16(*b)
}

// cPrefix is the C form of p, which must be a network (no host bits set).
func cPrefix(p netip.Prefix) (C.ipam_prefix, error) {
	var c C.ipam_prefix
	if !p.IsValid() {
		return c, errorf(ErrInvalid, "an invalid (zero) netip.Prefix")
	}
	if p.Masked() != p {
		return c, errorf(ErrInvalid, p.String()+": host bits set; did you mean "+p.Masked().String()+"?")
	}
	a, err := cAddr(p.Addr())
	if err != nil {
		return c, err
	}
	c.addr = a
	c.len = C.uint8_t(p.Bits())
	return c, nil
}

func goPrefix(c *C.ipam_prefix) netip.Prefix {
	return netip.PrefixFrom(goAddr(&c.addr), int(c.len))
}

func goMAC(has C.int, m *C.ipam_mac) net.HardwareAddr {
	if has == 0 {
		return nil
	}
	b := (*[8]byte)(unsafe.Pointer(&m.bytes[0]))
	return net.HardwareAddr(append([]byte(nil), b[:m.len]...))
}

// goString copies an owned C string; NULL is "".
func goString(s *C.char) string {
	if s == nil {
		return ""
	}
	return C.GoString(s)
}

// goAttrs decodes a JSON object of attributes; "{}" and NULL are nil.
func goAttrs(s *C.char) map[string]any {
	if s == nil {
		return nil
	}
	text := C.GoString(s)
	if text == "{}" {
		return nil
	}
	var m map[string]any
	if json.Unmarshal([]byte(text), &m) != nil {
		return map[string]any{"": text} // never: the library writes JSON objects
	}
	return m
}

// jsonText is v as JSON for an attrs_json or labels_json field; nil is "".
func jsonText[T any](v map[string]T) (string, error) {
	if v == nil {
		return "", nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "", errorf(ErrInvalid, "attributes: "+err.Error())
	}
	return string(b), nil
}
