package ipam

import (
	"context"
	"net/netip"
	"testing"
)

// W1 (bench-peers/workloads.py): the 65,534 addresses of 10.0.0.0/16, in
// rounds of a fresh DB; b.N allocations in all.
func benchW1(b *testing.B, uri string) {
	ctx := context.Background()
	p := netip.MustParsePrefix("10.0.0.0/16")
	b.ReportAllocs()
	for done := 0; done < b.N; {
		b.StopTimer()
		db, err := Open(ctx, uri, nil)
		if err != nil {
			b.Fatal(err)
		}
		if err := db.AddPrefix(ctx, p, nil); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		for i := 0; i < 65534 && done < b.N; i++ {
			if _, err := db.AllocAddress(ctx, p, nil); err != nil {
				b.Fatal(err)
			}
			done++
		}
		b.StopTimer()
		db.Close()
	}
}

func BenchmarkW1Index(b *testing.B)  { benchW1(b, "index:") }
func BenchmarkW1Memory(b *testing.B) { benchW1(b, "memory:") }

// The cost of one call through the binding that does almost nothing in C.
func BenchmarkCallRevision(b *testing.B) {
	ctx := context.Background()
	db, err := Open(ctx, "index:", nil)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := db.Revision(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
