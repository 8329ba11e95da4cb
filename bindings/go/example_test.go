package ipam_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/netip"

	"libipam.invalid/ipam"
)

// Allocate an address with its DNS name from a prefix.
func Example() {
	ctx := context.Background()
	db, err := ipam.Open(ctx, "memory:", nil)
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	net := netip.MustParsePrefix("192.0.2.0/24")
	if err := db.AddPrefix(ctx, net, nil); err != nil {
		log.Fatal(err)
	}
	a, err := db.AllocAddress(ctx, net, &ipam.AddressOptions{Hostname: "web1.example.net"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(a)
	// Output: 192.0.2.1
}

// Tell a full prefix from other failures, and read the library's message.
func ExampleCode() {
	ctx := context.Background()
	db, _ := ipam.Open(ctx, "index:", nil)
	defer db.Close()
	net := netip.MustParsePrefix("192.0.2.0/31")
	_ = db.AddPrefix(ctx, net, nil)
	for {
		_, err := db.AllocAddress(ctx, net, nil)
		if errors.Is(err, ipam.ErrExhausted) {
			fmt.Println(err)
			return
		}
	}
	// Output: ipam: no free address left in 192.0.2.0/31 (space "default")
}

// Run a transaction that is retried when another writer wins a race.
func ExampleDB_Run() {
	ctx := context.Background()
	db, _ := ipam.Open(ctx, "memory:", nil)
	defer db.Close()
	block := netip.MustParsePrefix("10.40.0.0/16")
	_ = db.AddPrefix(ctx, block, &ipam.PrefixOptions{Status: ipam.StatusContainer})
	var subnet netip.Prefix
	err := db.Run(ctx, func(tx *ipam.Tx) (err error) {
		if subnet, err = tx.AllocPrefix(ctx, block, 26, nil); err != nil {
			return err
		}
		_, err = tx.AllocAddress(ctx, subnet, &ipam.AddressOptions{Hostname: "web1.example.net"})
		return err
	})
	fmt.Println(subnet, err)
	// Output: 10.40.0.0/26 <nil>
}
