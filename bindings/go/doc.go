// Package ipam is libipam for Go: an embeddable IP address management
// engine, through cgo over the library's C ABI (pkg-config libipam).
//
//	db, err := ipam.Open(ctx, "memory:", nil)
//	if err != nil { ... }
//	defer db.Close()
//	if err := db.AddPrefix(ctx, netip.MustParsePrefix("192.0.2.0/24"), nil); err != nil { ... }
//	a, err := db.AllocAddress(ctx, netip.MustParsePrefix("192.0.2.0/24"),
//		&ipam.AddressOptions{Hostname: "web1.example.net"})   // 192.0.2.1
//
// # Values
//
// Addresses and prefixes are [netip.Addr] and [netip.Prefix], in and out.
// An IPv4-mapped IPv6 address (::ffff:192.0.2.1) stays IPv6, as libipam
// keeps families apart. Spaces are named by strings; "" is the space
// "default".
//
// # Errors
//
// Every failure is an [*Error] carrying the C library's message and its
// [Code]. The codes are errors themselves, so that
//
//	if errors.Is(err, ipam.ErrExhausted) { ... }
//
// works, and [errors.As] gives the *Error with its message.
//
// # Goroutines
//
// A [DB] is safe for use by many goroutines at once: the C library keeps one
// lock per handle and serializes the calls on it (this package adds no
// lock of its own). [DB.Close] returns at once and calls after it fail with
// [ErrClosed]; the handle is freed when the calls in flight and the open
// transaction have ended. One handle per goroutine is not needed, though
// separate handles on one file are independent writers, as separate
// processes are.
//
// A transaction belongs to the goroutine that began it: [DB.Begin] pins
// that goroutine to its OS thread (the C library ties a transaction to a
// thread) until [Tx.Commit] or [Tx.Rollback], and calls from other
// goroutines wait until then. Use the [Tx] (it embeds the DB) only on the
// goroutine that began it, and always end it (defer tx.Rollback(), a no-op
// after Commit). [DB.Run] is the simpler form: it runs a function in a
// transaction and runs it again when another writer won a race.
//
// # Contexts
//
// Every call that reaches the store takes a [context.Context]. It is
// checked before the call, and by [DB.Run] before every try; a C call that
// has started is not interrupted (a call waits at most the busy timeout
// of [Options] for another writer).
//
// # Memory
//
// [DB.Close] frees the handle; a DB that becomes unreachable without Close
// is freed by a cleanup as a safety net. Iterators ([DB.Prefixes] and the
// others) free their C state when the loop ends, however it ends.
package ipam
