// Several goroutines allocate addresses from one encrypted libipam file
// through one shared DB, each allocation with its DNS name in a retrying
// transaction, and the program prints what each got, then renders the
// zone example.net, which holds their A records (derived from the addresses).
//
// usage: go run . FILE [GOROUTINES [EACH]]
//
// FILE is created if missing; its passphrase comes from $IPAM_KEY.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"

	"libipam.invalid/ipam"
)

var subnet = netip.MustParsePrefix("10.50.0.0/24")

type got struct {
	addr netip.Addr
	name string
}

func run(ctx context.Context, args []string, out io.Writer) error {
	if len(args) < 1 || len(args) > 3 {
		return errors.New("usage: go run . FILE [GOROUTINES [EACH]]")
	}
	workers, each := 4, 3
	var err error
	if len(args) > 1 {
		if workers, err = strconv.Atoi(args[1]); err != nil || workers < 1 {
			return fmt.Errorf("GOROUTINES: %q is not a positive number", args[1])
		}
	}
	if len(args) > 2 {
		if each, err = strconv.Atoi(args[2]); err != nil || each < 1 {
			return fmt.Errorf("EACH: %q is not a positive number", args[2])
		}
	}
	db, err := ipam.Open(ctx, "file:"+args[0], &ipam.Options{Passphrase: os.Getenv("IPAM_KEY"), Create: true,
		Actor: "examples/go"})
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.AddPrefix(ctx, subnet, &ipam.PrefixOptions{Description: "example workers"}); err != nil &&
		!errors.Is(err, ipam.ErrExists) {
		return err
	}

	err = db.AddZone(ctx, "example.net", &ipam.ZoneOptions{NS: []string{"ns1.example.net."}, TTL: 300})
	if err != nil && !errors.Is(err, ipam.ErrExists) {
		return err
	}

	results := make([][]got, workers)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				name := fmt.Sprintf("worker%d-%d.example.net", w+1, i+1)
				var a netip.Addr
				err := db.Run(ctx, func(tx *ipam.Tx) (err error) {
					a, err = tx.AllocAddress(ctx, subnet, &ipam.AddressOptions{Hostname: name})
					return err
				})
				if err != nil {
					errs[w] = err
					return
				}
				results[w] = append(results[w], got{a, name})
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}

	var all []netip.Addr
	for w, r := range results {
		fmt.Fprintf(out, "goroutine %d:", w+1)
		for _, g := range r {
			fmt.Fprintf(out, " %s=%s", g.addr, g.name)
			all = append(all, g.addr)
		}
		fmt.Fprintln(out)
	}
	slices.SortFunc(all, netip.Addr.Compare)
	distinct := len(slices.Compact(slices.Clone(all))) == len(all)
	u, err := db.Utilization(ctx, "", subnet)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "%d addresses from %s to %s, distinct: %v; %s now has %s of %s in use\n",
		len(all), all[0], all[len(all)-1], distinct, subnet, u.Used, u.Total)

	// The zone file for BIND, Knot or CoreDNS: every worker's name is in it.
	zone, err := db.RenderZone(ctx, "example.net", "")
	if err != nil {
		return err
	}
	var records []string
	for _, l := range strings.Split(zone, "\n") {
		if strings.Contains(l, "\tIN\tA\t") {
			records = append(records, strings.ReplaceAll(l, "\t", " "))
		}
	}
	fmt.Fprintf(out, "zone example.net.: %d A records, the first %q\n", len(records), records[0])
	return nil
}

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "example:", err)
		os.Exit(1)
	}
}
