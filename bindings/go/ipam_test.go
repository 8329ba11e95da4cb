package ipam

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var bg = context.Background()

func pfx(s string) netip.Prefix { return netip.MustParsePrefix(s) }
func addr(s string) netip.Addr  { return netip.MustParseAddr(s) }

func open(t testing.TB, uri string) *DB {
	t.Helper()
	db, err := Open(bg, uri, nil)
	if err != nil {
		t.Fatalf("Open(%q): %v", uri, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// wantErr checks that err is an *Error of code with a message containing
// each of parts.
func wantErr(t testing.TB, err error, code Code, parts ...string) {
	t.Helper()
	if !errors.Is(err, code) {
		t.Fatalf("error %v: want %s", err, code.Name())
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is no *ipam.Error", err, err)
	}
	for _, p := range parts {
		if !strings.Contains(e.Message, p) {
			t.Fatalf("message %q does not contain %q", e.Message, p)
		}
	}
}

func TestVersion(t *testing.T) {
	if Version() != BindingVersion {
		t.Fatalf("library %s, bindings %s", Version(), BindingVersion)
	}
	if v := os.Getenv("IPAM_VERSION"); v != "" && v != BindingVersion {
		t.Fatalf("meson project version %s, BindingVersion %s", v, BindingVersion)
	}
}

func TestSpaces(t *testing.T) {
	db := open(t, "memory:")
	must(t, db.AddSpace(bg, "lab", map[string]string{"site": "ams", "env": "test"}))
	must(t, db.AddSpace(bg, "aws", nil))
	wantErr(t, db.AddSpace(bg, "lab", nil), ErrExists, "lab")
	wantErr(t, db.AddSpace(bg, "bad name!", nil), ErrInvalid)

	s, err := db.Space(bg, "lab")
	must(t, err)
	if s.Name != "lab" || s.Labels["site"] != "ams" || s.Labels["env"] != "test" {
		t.Fatalf("space: %+v", s)
	}
	d, err := db.Space(bg, "")
	must(t, err)
	if d.Name != "default" || d.Labels != nil {
		t.Fatalf("default space: %+v", d)
	}
	_, err = db.Space(bg, "nope")
	wantErr(t, err, ErrNotFound, "nope")

	all, err := Collect(db.Spaces(bg))
	must(t, err)
	var names []string
	for _, s := range all {
		names = append(names, s.Name)
	}
	if !slices.Equal(names, []string{"aws", "default", "lab"}) {
		t.Fatalf("spaces: %v", names)
	}

	must(t, db.AddPrefix(bg, pfx("10.0.0.0/8"), &PrefixOptions{Space: "lab"}))
	wantErr(t, db.RemoveSpace(bg, "lab"), ErrInUse)
	wantErr(t, db.RemoveSpace(bg, ""), ErrPermission)
	must(t, db.RemoveSpace(bg, "aws"))
	wantErr(t, db.RemoveSpace(bg, "aws"), ErrNotFound)
}

func TestPrefixes(t *testing.T) {
	db := open(t, "memory:")
	must(t, db.AddPrefix(bg, pfx("10.0.0.0/8"), &PrefixOptions{Status: StatusContainer, Description: "all",
		Attrs: map[string]any{"owner": "netops", "n": 3}}))
	wantErr(t, db.AddPrefix(bg, pfx("10.0.0.0/8"), nil), ErrExists, "10.0.0.0/8")
	wantErr(t, db.AddPrefix(bg, netip.PrefixFrom(addr("10.1.2.3"), 24), nil), ErrInvalid, "did you mean 10.1.2.0/24")
	wantErr(t, db.AddPrefix(bg, netip.Prefix{}, nil), ErrInvalid)
	wantErr(t, db.AddPrefix(bg, pfx("10.0.0.0/8"), &PrefixOptions{Space: "nope"}), ErrNotFound)

	p, err := db.Prefix(bg, "", pfx("10.0.0.0/8"))
	must(t, err)
	if p.Status != StatusContainer || p.Status.String() != "container" || p.Description != "all" ||
		p.Attrs["owner"] != "netops" || p.Attrs["n"] != float64(3) || p.Parent.IsValid() || p.Depth != 0 {
		t.Fatalf("prefix: %+v", p)
	}

	// first-fit and best-fit
	a, err := db.AllocPrefix(bg, pfx("10.0.0.0/8"), 24, nil)
	must(t, err)
	b, err := db.AllocPrefix(bg, pfx("10.0.0.0/8"), 24, &AllocPrefixOptions{Pool: true, Description: "b"})
	must(t, err)
	if a != pfx("10.0.0.0/24") || b != pfx("10.0.1.0/24") {
		t.Fatalf("first-fit: %s %s", a, b)
	}
	must(t, db.AddPrefix(bg, pfx("10.0.4.0/22"), nil)) // leaves 10.0.2.0/23 free below it
	c, err := db.AllocPrefix(bg, pfx("10.0.0.0/8"), 25, &AllocPrefixOptions{Policy: BestFit})
	must(t, err)
	if c != pfx("10.0.2.0/25") {
		t.Fatalf("best-fit: %s", c)
	}
	_, err = db.AllocPrefix(bg, pfx("10.0.0.0/24"), 16, nil)
	wantErr(t, err, ErrInvalid)
	_, err = db.AllocPrefix(bg, pfx("10.0.0.0/24"), 24, nil)
	wantErr(t, err, ErrInvalid)
	must(t, db.AddPrefix(bg, pfx("192.0.2.0/30"), nil))
	_, err = db.AllocPrefix(bg, pfx("192.0.2.0/30"), 31, nil)
	must(t, err)
	_, err = db.AllocPrefix(bg, pfx("192.0.2.0/30"), 31, nil)
	must(t, err)
	_, err = db.AllocPrefix(bg, pfx("192.0.2.0/30"), 31, nil)
	wantErr(t, err, ErrExhausted, "192.0.2.0/30")

	bp, err := db.Prefix(bg, "default", b)
	must(t, err)
	if !bp.Pool || bp.Parent != pfx("10.0.0.0/8") || bp.Depth != 1 || bp.Description != "b" {
		t.Fatalf("allocated prefix: %+v", bp)
	}

	m, err := db.Match(bg, "", netip.PrefixFrom(addr("10.0.1.77"), 32))
	must(t, err)
	if m != pfx("10.0.1.0/24") {
		t.Fatalf("match: %s", m)
	}
	_, err = db.Match(bg, "", pfx("172.16.0.0/12"))
	wantErr(t, err, ErrNotFound)

	list := func(q PrefixQuery) []netip.Prefix {
		t.Helper()
		var out []netip.Prefix
		for p, err := range db.Prefixes(bg, q) {
			must(t, err)
			out = append(out, p.Prefix)
		}
		return out
	}
	must(t, db.AddPrefix(bg, pfx("2001:db8::/32"), nil))
	within := list(PrefixQuery{Within: pfx("10.0.0.0/16")})
	if len(within) != 4 || within[0] != pfx("10.0.0.0/24") || within[3] != pfx("10.0.4.0/22") {
		t.Fatalf("within: %v", within)
	}
	cov := list(PrefixQuery{Covering: netip.PrefixFrom(addr("10.0.1.1"), 32)})
	if !slices.Equal(cov, []netip.Prefix{pfx("10.0.0.0/8"), pfx("10.0.1.0/24")}) {
		t.Fatalf("covering: %v", cov)
	}
	v6 := list(PrefixQuery{Family: 6})
	if !slices.Equal(v6, []netip.Prefix{pfx("2001:db8::/32")}) {
		t.Fatalf("family 6: %v", v6)
	}
	if all := list(PrefixQuery{}); len(all) != 9 || all[8] != pfx("2001:db8::/32") {
		t.Fatalf("all: %v", all)
	}
	for _, q := range []PrefixQuery{{Family: 5}, {Within: pfx("10.0.0.0/8"), Covering: pfx("10.0.0.0/8")},
		{Within: netip.PrefixFrom(addr("10.0.0.1"), 8)}, {Space: "nope"}} {
		_, err := Collect(db.Prefixes(bg, q))
		if q.Space == "nope" {
			wantErr(t, err, ErrNotFound)
		} else {
			wantErr(t, err, ErrInvalid)
		}
	}

	u, err := db.Utilization(bg, "", pfx("10.0.0.0/16"))
	must(t, err)
	// 10.0.0.0/24 + 10.0.1.0/24 + 10.0.2.0/25 + 10.0.4.0/22 = 256+256+128+1024
	if u.Total.String() != "65536" || u.Used.Lo != 1664 || u.Free.Lo != 65536-1664 || u.UsedPercent <= 2.5 {
		t.Fatalf("utilization: %+v", u)
	}
	u6, err := db.Utilization(bg, "", pfx("2001:db8::/32"))
	must(t, err)
	if u6.Free64s.Lo != 1<<32 || u6.Total.Hi != 1<<32 || u6.Total.Big().BitLen() != 97 {
		t.Fatalf("v6 utilization: %+v", u6)
	}

	must(t, db.RemovePrefix(bg, "", pfx("10.0.4.0/22")))
	wantErr(t, db.RemovePrefix(bg, "", pfx("10.0.4.0/22")), ErrNotFound)

	must(t, db.AddPrefix(bg, pfx("172.16.0.0/12"), &PrefixOptions{Exclusive: true}))
	wantErr(t, db.AddPrefix(bg, pfx("172.16.1.0/24"), &PrefixOptions{Exclusive: true}), ErrExists, "172.16.0.0/12")
}

func TestAddresses(t *testing.T) {
	db := open(t, "memory:")
	net := pfx("192.0.2.0/29")
	must(t, db.AddPrefix(bg, net, nil))
	var got []netip.Addr
	for {
		a, err := db.AllocAddress(bg, net, nil)
		if errors.Is(err, ErrExhausted) {
			wantErr(t, err, ErrExhausted, "192.0.2.0/29", "default")
			break
		}
		must(t, err)
		got = append(got, a)
	}
	// never the network (.0) nor the broadcast (.7) address
	if len(got) != 6 || got[0] != addr("192.0.2.1") || got[5] != addr("192.0.2.6") {
		t.Fatalf("allocated: %v", got)
	}
	must(t, db.ReleaseAddress(bg, "", addr("192.0.2.3")))
	wantErr(t, db.ReleaseAddress(bg, "", addr("192.0.2.3")), ErrNotFound)
	a, err := db.AllocAddress(bg, net, &AddressOptions{Hostname: "web3.example.net", MAC: "52-54-00-AB-CD-EF",
		Description: "web", Attrs: map[string]any{"rack": "r1"}})
	must(t, err)
	if a != addr("192.0.2.3") {
		t.Fatalf("re-allocated %s", a)
	}
	info, err := db.Address(bg, "", a)
	must(t, err)
	if info.Hostname != "web3.example.net" || info.MAC.String() != "52:54:00:ab:cd:ef" || info.Description != "web" ||
		info.Prefix != net || info.Status != StatusActive || info.Attrs["rack"] != "r1" || info.Space != "default" {
		t.Fatalf("address: %+v", info)
	}
	_, err = db.AllocAddress(bg, net, &AddressOptions{Hostname: "bad..name"})
	wantErr(t, err, ErrInvalid)
	_, err = db.AllocAddress(bg, pfx("198.51.100.0/24"), nil)
	wantErr(t, err, ErrNotFound)

	// add, status, IPv6, no prefix
	must(t, db.AddAddress(bg, addr("2001:db8::1"), &AddressOptions{Status: StatusReserved}))
	wantErr(t, db.AddAddress(bg, addr("2001:db8::1"), nil), ErrExists)
	wantErr(t, db.AddAddress(bg, netip.Addr{}, nil), ErrInvalid)
	wantErr(t, db.AddAddress(bg, addr("fe80::1%eth0"), nil), ErrInvalid, "zone")
	v6, err := db.Address(bg, "", addr("2001:db8::1"))
	must(t, err)
	if v6.Status != StatusReserved || v6.Prefix.IsValid() || v6.MAC != nil || v6.Hostname != "" {
		t.Fatalf("v6 address: %+v", v6)
	}
	// an IPv4-mapped IPv6 address stays IPv6
	must(t, db.AddAddress(bg, addr("::ffff:192.0.2.9"), nil))
	mapped, err := db.Address(bg, "", addr("::ffff:192.0.2.9"))
	must(t, err)
	if !mapped.Addr.Is4In6() {
		t.Fatalf("mapped address came back as %s", mapped.Addr)
	}
	_, err = db.Address(bg, "", addr("192.0.2.9"))
	wantErr(t, err, ErrNotFound)

	var inNet []netip.Addr
	for a, err := range db.Addresses(bg, "", net) {
		must(t, err)
		inNet = append(inNet, a.Addr)
	}
	if len(inNet) != 6 || inNet[2] != addr("192.0.2.3") {
		t.Fatalf("addresses within: %v", inNet)
	}
	all, err := Collect(db.Addresses(bg, "", netip.Prefix{}))
	must(t, err)
	if len(all) != 8 || all[7].Addr != addr("2001:db8::1") {
		t.Fatalf("all addresses: %d", len(all))
	}
}

func TestRanges(t *testing.T) {
	db := open(t, "memory:")
	net := pfx("192.0.2.0/24")
	must(t, db.AddPrefix(bg, net, nil))
	must(t, db.AddRange(bg, addr("192.0.2.1"), addr("192.0.2.99"), &RangeOptions{Purpose: PurposeReserved,
		Description: "infra", Attrs: map[string]any{"why": "routers"}}))
	must(t, db.AddRange(bg, addr("192.0.2.100"), addr("192.0.2.199"), nil))
	wantErr(t, db.AddRange(bg, addr("192.0.2.100"), addr("192.0.2.199"), nil), ErrExists)
	wantErr(t, db.AddRange(bg, addr("192.0.2.9"), addr("192.0.2.1"), nil), ErrInvalid)
	wantErr(t, db.AddRange(bg, addr("192.0.2.9"), addr("2001:db8::1"), nil), ErrInvalid)

	a, err := db.AllocAddress(bg, net, nil)
	must(t, err)
	if a != addr("192.0.2.200") {
		t.Fatalf("allocated inside a range: %s", a)
	}
	rs, err := Collect(db.Ranges(bg, "", netip.Prefix{}))
	must(t, err)
	if len(rs) != 2 || rs[0].Purpose != PurposeReserved || rs[0].Purpose.String() != "reserved" ||
		rs[0].Description != "infra" || rs[0].Attrs["why"] != "routers" || rs[1].Purpose != PurposeDHCP ||
		!rs[1].Contains(addr("192.0.2.150")) || rs[1].Contains(addr("192.0.2.200")) || rs[1].Space != "default" {
		t.Fatalf("ranges: %+v", rs)
	}
	// one range: by its bounds, or the innermost that holds an address
	must(t, db.AddRange(bg, addr("192.0.2.100"), addr("192.0.2.109"), &RangeOptions{Purpose: PurposeExcluded}))
	for _, c := range []struct{ first, last, want string }{{"192.0.2.100", "192.0.2.199", "192.0.2.199"},
		{"192.0.2.105", "", "192.0.2.109"}, {"192.0.2.150", "", "192.0.2.199"}, {"192.0.2.1", "", "192.0.2.99"}} {
		var last netip.Addr
		if c.last != "" {
			last = addr(c.last)
		}
		r, err := db.Range(bg, "", addr(c.first), last)
		if err != nil || r.Last != addr(c.want) || r.Space != "default" {
			t.Fatalf("range %s %s: %+v %v", c.first, c.last, r, err)
		}
	}
	_, err = db.Range(bg, "", addr("192.0.2.250"), netip.Addr{})
	wantErr(t, err, ErrNotFound, "no range holds 192.0.2.250")
	_, err = db.Range(bg, "", addr("192.0.2.1"), addr("192.0.2.98"))
	wantErr(t, err, ErrNotFound)
	_, err = db.Range(bg, "nope", addr("192.0.2.1"), netip.Addr{})
	wantErr(t, err, ErrNotFound)
	must(t, db.RemoveRange(bg, "", addr("192.0.2.100"), addr("192.0.2.109")))
	some, err := Collect(db.Ranges(bg, "", pfx("192.0.2.96/28")))
	must(t, err)
	if len(some) != 2 {
		t.Fatalf("ranges within: %+v", some)
	}
	must(t, db.RemoveRange(bg, "", addr("192.0.2.1"), addr("192.0.2.99")))
	wantErr(t, db.RemoveRange(bg, "", addr("192.0.2.1"), addr("192.0.2.99")), ErrNotFound)
}

func TestErrors(t *testing.T) {
	if ErrExhausted.Error() != "ipam: exhausted" || ErrNotFound.Name() != "NOTFOUND" || ErrClosed.Name() != "CLOSED" {
		t.Fatalf("code texts: %q %q", ErrExhausted.Error(), ErrNotFound.Name())
	}
	db := open(t, "memory:")
	_, err := db.Address(bg, "", addr("10.9.9.9"))
	if !errors.Is(err, ErrNotFound) || errors.Is(err, ErrExists) {
		t.Fatalf("errors.Is: %v", err)
	}
	if !strings.HasPrefix(err.Error(), "ipam: ") || !strings.Contains(err.Error(), "10.9.9.9") {
		t.Fatalf("message: %q", err)
	}
	// an error raised on one goroutine is not seen by another
	done := make(chan error)
	go func() {
		_, err := db.Prefix(bg, "", pfx("10.0.0.0/8"))
		done <- err
	}()
	wantErr(t, <-done, ErrNotFound, "10.0.0.0/8")

	ctx, cancel := context.WithCancel(bg)
	cancel()
	if err := db.AddSpace(ctx, "x", nil); !errors.Is(err, context.Canceled) {
		t.Fatalf("canceled context: %v", err)
	}
	if _, err := Open(ctx, "memory:", nil); !errors.Is(err, context.Canceled) {
		t.Fatalf("canceled open: %v", err)
	}
	_, err = Open(bg, "file:/nonexistent/ipam.db", nil)
	wantErr(t, err, ErrNotFound, "/nonexistent/ipam.db")

	must(t, db.Close())
	must(t, db.Close())
	_, err = db.Revision(bg)
	wantErr(t, err, ErrClosed)
	_, err = Collect(db.Spaces(bg))
	wantErr(t, err, ErrClosed)
}

func TestStatsAndRevision(t *testing.T) {
	db := open(t, "memory:")
	r0, err := db.Revision(bg)
	must(t, err)
	must(t, db.AddPrefix(bg, pfx("10.0.0.0/24"), nil))
	_, err = db.AllocAddress(bg, pfx("10.0.0.0/24"), nil)
	must(t, err)
	r1, err := db.Revision(bg)
	must(t, err)
	if r1 != r0+2 {
		t.Fatalf("revision %d -> %d", r0, r1)
	}
	s, err := db.Stats(bg)
	must(t, err)
	if s.Spaces != 1 || s.Prefixes != 1 || s.Addresses != 1 || s.IndexBytes == 0 || s.IndexNodes == 0 {
		t.Fatalf("stats: %+v", s)
	}
	must(t, db.Check(bg))
}

func TestFileStore(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ipam.db")
	uri := "file:" + path
	_, err := Open(bg, uri, &Options{Passphrase: "pw"})
	wantErr(t, err, ErrNotFound)
	db, err := Open(bg, uri, &Options{Passphrase: "pw", Create: true, Exclusive: true, Actor: "alice",
		BusyTimeout: 2e9, MaxRetries: 5, Durable: true})
	must(t, err)
	must(t, db.AddPrefix(bg, pfx("10.20.0.0/16"), nil))
	a, err := db.AllocAddress(bg, pfx("10.20.0.0/16"), &AddressOptions{Hostname: "db1.example.net"})
	must(t, err)
	must(t, db.Check(bg))
	_, err = Open(bg, uri, &Options{Passphrase: "pw", Create: true, Exclusive: true})
	wantErr(t, err, ErrExists)

	// the audit chain, signed and verified
	entries, err := Collect(db.Audit(bg, 1))
	must(t, err)
	if len(entries) != 2 || entries[1].Action != "address.alloc" || entries[1].Actor != "alice" ||
		entries[1].Before != nil || !json.Valid(entries[1].After) || entries[1].Prev != entries[0].Hash ||
		entries[1].Time.IsZero() || !strings.Contains(entries[1].Object, a.String()) {
		t.Fatalf("audit: %+v", entries)
	}
	pub, sec, err := ed25519.GenerateKey(nil)
	must(t, err)
	seq, err := db.SignAudit(bg, sec)
	must(t, err)
	rep, err := db.VerifyAudit(bg, pub)
	must(t, err)
	if seq != 2 || rep.Entries != 2 || rep.HeadSeq != 2 || rep.HeadHash != entries[1].Hash || rep.Checkpoints != 1 ||
		rep.FirstBad != 0 {
		t.Fatalf("verify: seq %d %+v", seq, rep)
	}
	other, _, _ := ed25519.GenerateKey(nil)
	_, err = db.VerifyAudit(bg, other)
	wantErr(t, err, ErrTamper)
	_, err = db.VerifyAudit(bg, []byte("short"))
	wantErr(t, err, ErrInvalid)
	_, err = db.SignAudit(bg, []byte("short"))
	wantErr(t, err, ErrInvalid)

	// export, then import into an empty store gives the same document
	doc, err := db.Export(bg)
	must(t, err)
	mem := open(t, "memory:")
	must(t, mem.Import(bg, doc, "doc.json"))
	doc2, err := mem.Export(bg)
	must(t, err)
	if string(doc) != string(doc2) {
		t.Fatal("export, import, export differ")
	}
	wantErr(t, mem.Import(bg, doc, "doc.json"), ErrExists)
	wantErr(t, open(t, "memory:").Import(bg, []byte("{"), "broken.json"), ErrInvalid, "broken.json")

	must(t, db.Rekey(bg, "new pw", ""))
	must(t, db.Close())
	_, err = Open(bg, uri, &Options{Passphrase: "pw"})
	wantErr(t, err, ErrAuth)
	db, err = Open(bg, uri, &Options{Passphrase: "new pw"})
	must(t, err)
	got, err := db.Address(bg, "", a)
	must(t, err)
	if got.Hostname != "db1.example.net" || db.URI() != uri {
		t.Fatalf("reopened %s: %+v", db.URI(), got)
	}
	// a raw key in a file
	keyFile := filepath.Join(dir, "key")
	must(t, os.WriteFile(keyFile, []byte(strings.Repeat("ab", 32)+"\n"), 0o600))
	must(t, db.Rekey(bg, "", keyFile))
	must(t, db.Close())
	_, err = Open(bg, uri, &Options{Passphrase: "new pw"})
	wantErr(t, err, ErrAuth)
	db, err = Open(bg, uri, &Options{KeyFile: keyFile})
	must(t, err)
	_, err = db.Address(bg, "", a)
	must(t, err)
	must(t, db.Close())

	// no audit, no export on index:
	idx := open(t, "index:")
	_, err = Collect(idx.Audit(bg, 1))
	wantErr(t, err, ErrPermission)
	_, err = idx.Export(bg)
	wantErr(t, err, ErrPermission)
}

func TestIteratorEnds(t *testing.T) {
	db := open(t, "memory:")
	must(t, db.AddPrefix(bg, pfx("10.0.0.0/24"), nil))
	for i := 0; i < 10; i++ {
		_, err := db.AllocAddress(bg, pfx("10.0.0.0/24"), nil)
		must(t, err)
	}
	n := 0
	for _, err := range db.Addresses(bg, "", netip.Prefix{}) {
		must(t, err)
		if n++; n == 3 {
			break // the C iterator is freed (ASan/LSan would see a leak)
		}
	}
	// an iterator can be ranged again, and sees a snapshot per loop
	seq := db.Addresses(bg, "", netip.Prefix{})
	a, _ := Collect(seq)
	must(t, db.ReleaseAddress(bg, "", addr("10.0.0.1")))
	b, _ := Collect(seq)
	if len(a) != 10 || len(b) != 9 {
		t.Fatalf("re-ranged: %d then %d", len(a), len(b))
	}
	// closing the DB inside a loop ends the loop with ErrClosed
	var last error
	for _, err := range db.Addresses(bg, "", netip.Prefix{}) {
		if err != nil {
			last = err
			break
		}
		must(t, db.Close())
	}
	wantErr(t, last, ErrClosed)
}

func TestUpdateInPlace(t *testing.T) {
	db := open(t, "memory:")
	net := pfx("192.0.2.0/30")
	must(t, db.AddPrefix(bg, net, &PrefixOptions{Description: "link", Attrs: map[string]any{"site": "a"}}))
	a, err := db.AllocAddress(bg, net, &AddressOptions{Hostname: "old.example.test", MAC: "52:54:00:ab:cd:ef",
		Description: "printer"})
	must(t, err)
	must(t, db.UpdateAddress(bg, a, AddressHostname, AddressOptions{Hostname: "new.example.test"}))
	info, err := db.Address(bg, "", a)
	must(t, err)
	if info.Hostname != "new.example.test" || info.Description != "printer" || info.MAC == nil {
		t.Fatalf("after rename: %+v", info)
	}
	must(t, db.UpdateAddress(bg, a, AddressDescription|AddressStatus, AddressOptions{Status: StatusReserved}))
	info, err = db.Address(bg, "", a)
	must(t, err)
	if info.Description != "" || info.Status != StatusReserved || info.Hostname != "new.example.test" {
		t.Fatalf("after clearing: %+v", info)
	}
	wantErr(t, db.UpdateAddress(bg, a, 0, AddressOptions{}), ErrInvalid)
	wantErr(t, db.UpdateAddress(bg, addr("192.0.2.2"), AddressStatus, AddressOptions{}), ErrNotFound)
	must(t, db.UpdatePrefix(bg, net, PrefixPool, PrefixOptions{Pool: true}))
	p, err := db.Prefix(bg, "", net)
	must(t, err)
	if !p.Pool || p.Description != "link" || p.Attrs["site"] != "a" {
		t.Fatalf("prefix after pool: %+v", p)
	}
	if got, err := db.AllocAddress(bg, net, nil); err != nil || got != addr("192.0.2.0") {
		t.Fatalf("a pool hands out its first address: %v %v", got, err)
	}
	wantErr(t, db.UpdatePrefix(bg, pfx("198.51.100.0/24"), PrefixPool, PrefixOptions{Pool: true}), ErrNotFound)
	var actions []string
	for e, err := range db.Audit(bg, 1) {
		must(t, err)
		if strings.HasSuffix(e.Action, ".update") {
			var b, f struct{ ID string }
			must(t, json.Unmarshal(e.Before, &b))
			must(t, json.Unmarshal(e.After, &f))
			if b.ID == "" || b.ID != f.ID {
				t.Fatalf("%s: id %q became %q", e.Action, b.ID, f.ID)
			}
			actions = append(actions, e.Action)
		}
	}
	if strings.Join(actions, " ") != "address.update address.update prefix.update" {
		t.Fatalf("audit: %v", actions)
	}
}
