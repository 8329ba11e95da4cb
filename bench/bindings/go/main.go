// The Go side of bench/bindings/run.sh: W1 through the Go package, and the
// cost of one call, as c-bench measures them in C.
//
// usage: go-bench [ROUNDS]
// environment: W1_N (default 65534), BENCH_URIS (default "index: memory:"),
// BENCH_VARIANTS (default "loop txn goroutines"), BENCH_CALL=0 to leave out
// the call loop
//
// One JSON line per measured round:
//   - W1 (bench-peers/workloads.py: the 65,534 addresses of 10.0.0.0/16)
//     on "index:" and "memory:", a fresh DB each round, one goroutine,
//     results kept in a slice and checked (10.0.0.1 ... 10.0.255.254, then
//     ErrExhausted); "txn" runs the same loop inside one transaction;
//   - W1 "goroutines": the same 65,534 allocations shared by 8
//     goroutines on one DB (the C handle serializes them);
//   - "call": 1,000,000 DB.Revision calls on "index:".
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"libipam.invalid/ipam"
)

const w1Max = 65534

var w1N = w1Max

var (
	ctx = context.Background()
	net = netip.MustParsePrefix("10.0.0.0/16")
)

func emit(kv map[string]any) {
	kv["peer"] = "libipam-go"
	b, _ := json.Marshal(kv)
	fmt.Println(string(b))
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "go-bench:", err)
		os.Exit(1)
	}
}

func verify(got []netip.Addr, db *ipam.DB) bool {
	slices.SortFunc(got, netip.Addr.Compare)
	want := netip.MustParseAddr("10.0.0.1")
	for _, a := range got {
		if a != want {
			return false
		}
		want = want.Next()
	}
	_, err := db.AllocAddress(ctx, net, nil)
	return len(got) == w1N && (w1N < w1Max || errors.Is(err, ipam.ErrExhausted))
}

func w1(uri, variant string, round int) {
	db, err := ipam.Open(ctx, uri, nil)
	check(err)
	defer db.Close()
	check(db.AddPrefix(ctx, net, nil))
	got := make([]netip.Addr, 0, w1N)
	t0 := time.Now()
	switch variant {
	case "loop":
		for i := 0; i < w1N; i++ {
			a, err := db.AllocAddress(ctx, net, nil)
			check(err)
			got = append(got, a)
		}
	case "txn":
		tx, err := db.Begin(ctx)
		check(err)
		for i := 0; i < w1N; i++ {
			a, err := tx.AllocAddress(ctx, net, nil)
			check(err)
			got = append(got, a)
		}
		check(tx.Commit())
	case "goroutines":
		var mu sync.Mutex
		var wg sync.WaitGroup
		for w := 0; w < 8; w++ {
			n := w1N / 8
			if w < w1N%8 {
				n++
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				mine := make([]netip.Addr, 0, n)
				for i := 0; i < n; i++ {
					a, err := db.AllocAddress(ctx, net, nil)
					check(err)
					mine = append(mine, a)
				}
				mu.Lock()
				got = append(got, mine...)
				mu.Unlock()
			}()
		}
		wg.Wait()
	}
	secs := time.Since(t0).Seconds()
	ok := verify(got, db)
	emit(map[string]any{"workload": "W1", "uri": uri, "variant": variant, "round": round, "ops": w1N, "secs": secs,
		"ops_s": float64(w1N) / secs, "ns_per_op": secs / float64(w1N) * 1e9, "verified": ok})
	if !ok {
		check(fmt.Errorf("W1 on %s (%s): wrong addresses", uri, variant))
	}
}

func call(round int) {
	const n = 1000000
	db, err := ipam.Open(ctx, "index:", nil)
	check(err)
	defer db.Close()
	t0 := time.Now()
	for i := 0; i < n; i++ {
		_, err := db.Revision(ctx)
		check(err)
	}
	secs := time.Since(t0).Seconds()
	emit(map[string]any{"workload": "call", "call": "DB.Revision", "round": round, "ops": n, "secs": secs,
		"ns_per_op": secs / n * 1e9})
}

func env(name, def string) []string {
	if v := os.Getenv(name); v != "" {
		return strings.Fields(v)
	}
	return strings.Fields(def)
}

func main() {
	rounds := 5
	if len(os.Args) > 1 {
		r, err := strconv.Atoi(os.Args[1])
		check(err)
		rounds = r
	}
	if n, err := strconv.Atoi(os.Getenv("W1_N")); err == nil {
		w1N = min(n, w1Max)
	}
	uris, variants := env("BENCH_URIS", "index: memory:"), env("BENCH_VARIANTS", "loop txn goroutines")
	for r := 1; r <= rounds; r++ {
		for _, uri := range uris {
			for _, v := range variants {
				w1(uri, v, r)
			}
		}
		if os.Getenv("BENCH_CALL") != "0" {
			call(r)
		}
	}
}
