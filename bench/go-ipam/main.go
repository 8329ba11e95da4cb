// go-ipam peer: W1, W2, W5A and W5B of bench-peers/workloads.py on
// github.com/metal-stack/go-ipam with its in-memory storage, printing one
// JSON line per measured phase like the Python peers (peer "go-ipam").
//
// go-ipam's cost grows with every allocation (each AcquireIP scans the
// prefix from its start and deep-copies the prefix's ip map on read and on
// write; each AcquireChildPrefix rebuilds an IPSet of all children), so
// W1, W2 and W5A are run like the Python peers: the first GO_WIN_FIRST
// allocations are timed on an empty prefix, the last GO_WIN_LAST on a prefix
// preloaded (with go-ipam's own Load of a JSON dump) to n - GO_WIN_LAST
// allocations, and the total is extrapolated with workloads.extrapolate's
// linear per-op model. Runs of at most GO_FULL_MAX (10,000: W5B) allocations
// and all runs with GO_FULL=1 are timed in full.
// Sizes: W1_N, W2_N, W5_N64, W5_NADDR as in workloads.py.
//
// usage: go-ipam-bench [W1 W2 W5A W5B]...
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"strconv"
	"syscall"
	"time"

	ipam "github.com/metal-stack/go-ipam"
)

const peer = "go-ipam-v1.14.10"

func envInt(name string, def int) int {
	if s := os.Getenv(name); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil {
			fmt.Fprintf(os.Stderr, "bad %s=%s\n", name, s)
			os.Exit(2)
		}
		return v
	}
	return def
}

var (
	w1N      = envInt("W1_N", 65534)
	w2N      = envInt("W2_N", 65536)
	w5N64    = envInt("W5_N64", 65536)
	w5NAddr  = envInt("W5_NADDR", 10000)
	winFirst = envInt("GO_WIN_FIRST", 2000)
	winLast  = envInt("GO_WIN_LAST", 500)
	full     = envInt("GO_FULL", 0) != 0
	fullMax  = envInt("GO_FULL_MAX", 10000) // runs of at most this many allocations are timed in full
	failed   = false
)

func peakRSSKB() int64 {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return ru.Maxrss
}

func emit(kv map[string]any) {
	if ops, ok := kv["ops"].(int); ok {
		if secs, ok := kv["secs"].(float64); ok && secs > 0 {
			kv["ops_s"] = float64(int64(float64(ops)/secs*10)) / 10
			kv["us_per_op"] = secs / float64(ops) * 1e6
		}
	}
	kv["peer"] = peer
	kv["peak_rss_kb"] = peakRSSKB()
	b, _ := json.Marshal(kv)
	fmt.Println(string(b))
}

func fail(format string, a ...any) {
	fmt.Fprintf(os.Stderr, "go-ipam peer: VERIFY FAILED: "+format+"\n", a...)
	failed = true
}

// workloads.extrapolate
func extrapolate(n, k1 int, t1 float64, k2 int, t2 float64) float64 {
	tf, tl := t1/float64(k1), t2/float64(k2)
	x1, x2 := float64(k1)/2, float64(n)-float64(k2)/2
	b := (tl - tf) / (x2 - x1)
	return float64(n) * (tf + b*(float64(n)/2-x1))
}

// prefixJSON is go-ipam's dump format (json.go, prefixJSON).
type prefixJSON struct {
	Cidr                   string          `json:"Cidr"`
	ParentCidr             string          `json:"ParentCidr"`
	Namespace              string          `json:"Namespace"`
	AvailableChildPrefixes map[string]bool `json:"AvailableChildPrefixes"`
	ChildPrefixLength      int             `json:"ChildPrefixLength"`
	IsParent               bool            `json:"IsParent"`
	IPs                    map[string]bool `json:"IPs"`
	Version                int64           `json:"Version"`
}

func netBcast(p netip.Prefix) map[string]bool {
	m := map[string]bool{p.Addr().String(): true}
	if p.Addr().Is4() {
		a4 := p.Addr().As4()
		v := uint32(a4[0])<<24 | uint32(a4[1])<<16 | uint32(a4[2])<<8 | uint32(a4[3])
		v |= (1 << (32 - p.Bits())) - 1
		last := netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
		m[last.String()] = true
	}
	return m
}

func mustLoad(ipm ipam.Ipamer, pfxs []prefixJSON) {
	b, err := json.Marshal(pfxs)
	if err != nil {
		panic(err)
	}
	if err := ipm.Load(context.Background(), string(b)); err != nil {
		panic(err)
	}
}

// ---- next free IP: W1 (10.0.0.0/16), W5B (2001:db8::/64) ----

func runIP(name, cidr string, n int, exhaust bool) {
	ctx := context.Background()
	parent := netip.MustParsePrefix(cidr)
	first := parent.Addr().Next() // go-ipam blocks the first address (and the IPv4 broadcast)
	expect := func(i int) netip.Addr {
		a := first
		for ; i > 0; i-- {
			a = a.Next()
		}
		return a
	}
	alloc := func(ipm ipam.Ipamer, k int, startIdx int) (float64, netip.Addr) {
		var last netip.Addr
		want := expect(startIdx)
		t0 := time.Now()
		got := make([]netip.Addr, 0, k)
		for i := 0; i < k; i++ {
			ip, err := ipm.AcquireIP(ctx, cidr)
			if err != nil {
				fail("%s: AcquireIP %d: %v", name, startIdx+i, err)
				return time.Since(t0).Seconds(), last
			}
			got = append(got, ip.IP)
		}
		secs := time.Since(t0).Seconds()
		for i, a := range got {
			if a != want {
				fail("%s: allocation %d is %s, expected %s", name, startIdx+i, a, want)
				break
			}
			want = want.Next()
			last = a
		}
		return secs, last
	}
	checkNext := func(ipm ipam.Ipamer) string {
		_, err := ipm.AcquireIP(ctx, cidr)
		if errors.Is(err, ipam.ErrNoIPAvailable) {
			return "NoIPAvailable"
		}
		fail("%s: allocation after the last: %v, expected ErrNoIPAvailable", name, err)
		return fmt.Sprint(err)
	}
	if full || n <= fullMax || n <= winFirst+winLast {
		ipm := ipam.New(ctx)
		if _, err := ipm.NewPrefix(ctx, cidr); err != nil {
			panic(err)
		}
		secs, last := alloc(ipm, n, 0)
		kv := map[string]any{"workload": name, "phase": "full", "ops": n, "secs": secs, "last": last.String()}
		if exhaust {
			kv["next_alloc"] = checkNext(ipm)
		}
		emit(kv)
		return
	}
	k1, k2 := winFirst, winLast
	ipm := ipam.New(ctx)
	if _, err := ipm.NewPrefix(ctx, cidr); err != nil {
		panic(err)
	}
	t1, _ := alloc(ipm, k1, 0)
	emit(map[string]any{"workload": name, "phase": fmt.Sprintf("first%d", k1), "ops": k1, "secs": t1})
	// preload n-k2 allocations through go-ipam's Load
	ips := netBcast(parent)
	a := first
	for i := 0; i < n-k2; i++ {
		ips[a.String()] = true
		a = a.Next()
	}
	ipm = ipam.New(ctx)
	mustLoad(ipm, []prefixJSON{{Cidr: parent.String(), Namespace: "root", AvailableChildPrefixes: map[string]bool{}, IPs: ips}})
	t2, last := alloc(ipm, k2, n-k2)
	kv := map[string]any{"workload": name, "phase": fmt.Sprintf("last%d", k2), "ops": k2, "secs": t2, "last": last.String()}
	if exhaust {
		kv["next_alloc"] = checkNext(ipm)
	}
	emit(kv)
	emit(map[string]any{"workload": name, "phase": "extrapolated_total", "ops": n, "secs": extrapolate(n, k1, t1, k2, t2),
		"note":            "linear per-op model from first/last windows",
		"first_ns_per_op": t1 / float64(k1) * 1e9, "last_ns_per_op": t2 / float64(k2) * 1e9})
}

// ---- next free block: W2 (/24 in 10.0.0.0/8), W5A (/64 in 2001:db8::/48) ----

func nthChild(parent netip.Prefix, length int, i int) netip.Prefix {
	if parent.Addr().Is4() {
		a4 := parent.Addr().As4()
		v := uint32(a4[0])<<24 | uint32(a4[1])<<16 | uint32(a4[2])<<8 | uint32(a4[3])
		v += uint32(i) << (32 - length)
		return netip.PrefixFrom(netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}), length)
	}
	a16 := parent.Addr().As16()
	// length <= 64 here: add i << (64 - length) to the upper 64 bits
	var hi uint64
	for j := 0; j < 8; j++ {
		hi = hi<<8 | uint64(a16[j])
	}
	hi += uint64(i) << (64 - length)
	for j := 7; j >= 0; j-- {
		a16[j] = byte(hi)
		hi >>= 8
	}
	return netip.PrefixFrom(netip.AddrFrom16(a16), length)
}

func runPrefix(name, cidr string, length, n int) {
	ctx := context.Background()
	parent := netip.MustParsePrefix(cidr)
	alloc := func(ipm ipam.Ipamer, k, startIdx int) (float64, string) {
		got := make([]string, 0, k)
		t0 := time.Now()
		for i := 0; i < k; i++ {
			p, err := ipm.AcquireChildPrefix(ctx, cidr, uint8(length))
			if err != nil {
				fail("%s: AcquireChildPrefix %d: %v", name, startIdx+i, err)
				break
			}
			got = append(got, p.Cidr)
		}
		secs := time.Since(t0).Seconds()
		last := ""
		for i, c := range got {
			if want := nthChild(parent, length, startIdx+i).String(); c != want {
				fail("%s: allocation %d is %s, expected %s", name, startIdx+i, c, want)
				break
			}
			last = c
		}
		return secs, last
	}
	checkNext := func(ipm ipam.Ipamer) string {
		_, err := ipm.AcquireChildPrefix(ctx, cidr, uint8(length))
		if err == nil {
			fail("%s: allocation after the last succeeded", name)
			return "ok"
		}
		return "error"
	}
	exhaust := n == 1<<(length-parent.Bits())
	if full || n <= fullMax || n <= winFirst+winLast {
		ipm := ipam.New(ctx)
		if _, err := ipm.NewPrefix(ctx, cidr); err != nil {
			panic(err)
		}
		secs, last := alloc(ipm, n, 0)
		kv := map[string]any{"workload": name, "phase": "full", "ops": n, "secs": secs, "last": last}
		if exhaust {
			kv["next_alloc"] = checkNext(ipm)
		}
		emit(kv)
		return
	}
	k1, k2 := winFirst, winLast
	ipm := ipam.New(ctx)
	if _, err := ipm.NewPrefix(ctx, cidr); err != nil {
		panic(err)
	}
	t1, _ := alloc(ipm, k1, 0)
	emit(map[string]any{"workload": name, "phase": fmt.Sprintf("first%d", k1), "ops": k1, "secs": t1})
	// preload: the parent with n-k2 children taken, and the children themselves
	avail := make(map[string]bool, n-k2)
	pfxs := make([]prefixJSON, 0, n-k2+1)
	for i := 0; i < n-k2; i++ {
		c := nthChild(parent, length, i)
		avail[c.String()] = false
		pfxs = append(pfxs, prefixJSON{Cidr: c.String(), ParentCidr: parent.String(), Namespace: "root",
			AvailableChildPrefixes: map[string]bool{}, IPs: netBcast(c)})
	}
	pfxs = append(pfxs, prefixJSON{Cidr: parent.String(), Namespace: "root", AvailableChildPrefixes: avail,
		IsParent: true, IPs: netBcast(parent)})
	ipm = ipam.New(ctx)
	mustLoad(ipm, pfxs)
	t2, last := alloc(ipm, k2, n-k2)
	kv := map[string]any{"workload": name, "phase": fmt.Sprintf("last%d", k2), "ops": k2, "secs": t2, "last": last}
	if exhaust {
		kv["next_alloc"] = checkNext(ipm)
	}
	emit(kv)
	emit(map[string]any{"workload": name, "phase": "extrapolated_total", "ops": n, "secs": extrapolate(n, k1, t1, k2, t2),
		"note":            "linear per-op model from first/last windows",
		"first_ns_per_op": t1 / float64(k1) * 1e9, "last_ns_per_op": t2 / float64(k2) * 1e9})
}

func main() {
	sel := os.Args[1:]
	if len(sel) == 0 {
		sel = []string{"W1", "W2", "W5A", "W5B"}
	}
	for _, w := range sel {
		switch w {
		case "W1":
			runIP("W1", "10.0.0.0/16", w1N, w1N == 65534)
		case "W2":
			runPrefix("W2-/24", "10.0.0.0/8", 24, w2N)
		case "W5A":
			runPrefix("W5-/64", "2001:db8::/48", 64, w5N64)
		case "W5B":
			runIP("W5-addr-in-/64", "2001:db8::/64", w5NAddr, false)
		default:
			fmt.Fprintln(os.Stderr, "usage: go-ipam-bench [W1 W2 W5A W5B]...")
			os.Exit(2)
		}
	}
	if failed {
		os.Exit(1)
	}
}
