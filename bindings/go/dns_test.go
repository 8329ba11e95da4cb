package ipam

import (
	"net"
	"net/netip"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestZonesRecordsRender(t *testing.T) {
	db := open(t, "memory:")
	must(t, db.AddZone(bg, "example.test", &ZoneOptions{NS: []string{"ns1.example.test.", "ns2.example.test."}, TTL: 300}))
	wantErr(t, db.AddZone(bg, "example.test", &ZoneOptions{NS: []string{"ns1.example.test."}}), ErrExists, "already exists")
	wantErr(t, db.AddZone(bg, "bad..test", &ZoneOptions{NS: []string{"ns1.example.test."}}), ErrInvalid)
	must(t, db.AddZone(bg, "inc.test", &ZoneOptions{View: "internal", NS: []string{"ns1.inc.test."},
		SerialPolicy: SerialIncrement, NoDerive: true}))
	zones, err := db.Zones(bg)
	must(t, err)
	if len(zones) != 2 || zones[0].Name != "example.test." || zones[1].View != "internal" ||
		zones[1].SerialPolicy != "increment" || zones[1].Derive || !slices.Equal(zones[0].NS, []string{"ns1.example.test.", "ns2.example.test."}) {
		t.Fatalf("zones %+v", zones)
	}

	if name, err := ZoneFileName("0/26.2.0.192.in-addr.arpa", ""); err != nil || name != "0_26.2.0.192.in-addr.arpa.zone" {
		t.Fatal(name, err)
	}
	if name, _ := ZoneFileName("inc.test", "internal"); name != "inc.test@internal.zone" {
		t.Fatal(name)
	}
	_, err = ZoneFileName("example.test", "in side")
	wantErr(t, err, ErrInvalid)
	_, err = db.DNSConfig(bg, nil)
	wantErr(t, err, ErrInvalid, "internal")
	conf, err := db.DNSConfig(bg, &DNSConfigOptions{Dir: "/var/lib/bind", UpdateKey: "k1", ViewMatch: []string{"internal=10.0.0.0/8"}})
	must(t, err)
	if !strings.Contains(conf, `view "internal" {`) || !strings.Contains(conf, "/var/lib/bind/example.test.zone") {
		t.Fatal(conf)
	}
	core, err := db.DNSConfig(bg, &DNSConfigOptions{Format: Corefile, Port: 5353})
	must(t, err)
	if !strings.Contains(core, "example.test.:5353 {") || strings.Contains(core, "inc.test") {
		t.Fatal(core)
	}

	must(t, db.AddRecord(bg, "example.test", "", "www 300 IN A 192.0.2.10"))
	wantErr(t, db.AddRecord(bg, "example.test", "", "www 300 A 192.0.2.10"), ErrExists)
	wantErr(t, db.AddRecord(bg, "example.test", "", "www CNAME other"), ErrInvalid, "CNAME")
	wantErr(t, db.AddRecord(bg, "nope.test", "", "www A 192.0.2.1"), ErrNotFound)
	added, err := db.PutRecord(bg, "", "ftp.example.test 300 A 192.0.2.11")
	must(t, err)
	again, err := db.PutRecord(bg, "", "ftp.example.test. 300 A 192.0.2.11")
	must(t, err)
	if !added || again {
		t.Fatalf("PutRecord: %v, then %v", added, again)
	}
	_, err = db.PutRecord(bg, "", "www.elsewhere.test 300 A 192.0.2.1")
	wantErr(t, err, ErrNotFound)
	must(t, db.RemoveRecord(bg, "example.test", "", "ftp 300 IN A 192.0.2.11"))
	wantErr(t, db.RemoveRecord(bg, "example.test", "", "ftp 300 IN A 192.0.2.11"), ErrNotFound)

	must(t, db.AddPrefix(bg, pfx("192.0.2.0/24"), nil))
	must(t, db.AddAddress(bg, addr("192.0.2.20"), &AddressOptions{Hostname: "db1.example.test"}))
	z, err := db.Zone(bg, "EXAMPLE.test.", "")
	must(t, err)
	if z.Name != "example.test." || z.TTL != 300 || !slices.Contains(z.Records, ZoneRecord{"db1.example.test. 300 IN A 192.0.2.20", "address"}) ||
		!slices.Contains(z.Records, ZoneRecord{"www.example.test. 300 IN A 192.0.2.10", "hand"}) {
		t.Fatalf("zone %+v", z)
	}
	_, err = db.Zone(bg, "nope.test", "")
	wantErr(t, err, ErrNotFound, "nope.test")
	text, err := db.RenderZone(bg, "example.test", "")
	must(t, err)
	if !strings.HasPrefix(text, "$ORIGIN example.test.") || !strings.Contains(text, "db1\t300\tIN\tA\t192.0.2.20") {
		t.Fatal(text)
	}
	if again, _ := db.RenderZone(bg, "example.test", ""); again != text {
		t.Fatal("a render is not byte-stable")
	}
	info, err := db.AddressDNS(bg, "", addr("192.0.2.20"))
	must(t, err)
	if info.Address != "192.0.2.20" || len(info.Records) != 1 || len(info.Notes) == 0 {
		t.Fatalf("%+v", info)
	}
	_, err = db.AddressDNS(bg, "", addr("192.0.2.99"))
	wantErr(t, err, ErrNotFound)

	must(t, db.RemoveZone(bg, "example.test", ""))
	wantErr(t, db.RemoveZone(bg, "example.test", ""), ErrNotFound)
	must(t, db.RemoveZone(bg, "inc.test", "internal"))
}

func TestZoneTemplates(t *testing.T) {
	db := open(t, "memory:")
	must(t, db.SetZoneTemplate(bg, "std", &ZoneTemplate{NS: []string{"ns1.example.net."}, TTL: 120,
		Records: []string{"@ MX 10 mail.example.net."}}))
	must(t, db.AddZone(bg, "t1.test", &ZoneOptions{Template: "std"}))
	z, err := db.Zone(bg, "t1.test", "")
	must(t, err)
	if !slices.Equal(z.NS, []string{"ns1.example.net."}) || !slices.ContainsFunc(z.Records, func(r ZoneRecord) bool {
		return strings.HasPrefix(r.Record, "t1.test. 120 IN MX 10 mail.example.net.")
	}) {
		t.Fatalf("%+v", z)
	}
	wantErr(t, db.RemoveZoneTemplate(bg, "std"), ErrInUse)
	must(t, db.SetZoneTemplate(bg, "std", &ZoneTemplate{NS: []string{"ns9.example.net."}}))
	if z, _ := db.Zone(bg, "t1.test", ""); !slices.Equal(z.NS, []string{"ns9.example.net."}) {
		t.Fatalf("the template's change did not reach the zone: %v", z.NS)
	}
	must(t, db.RemoveZone(bg, "t1.test", ""))
	must(t, db.RemoveZoneTemplate(bg, "std"))
	wantErr(t, db.RemoveZoneTemplate(bg, "std"), ErrNotFound)
}

func TestRPZ(t *testing.T) {
	text, err := RenderRPZ("rpz.test", "qname bad.example.com nxdomain\n", "", 30)
	must(t, err)
	if !strings.Contains(text, "bad.example.com\t30\tIN\tCNAME\t.") {
		t.Fatal(text)
	}
	_, err = RenderRPZ("rpz.test", "qname ok.test passthru\nqname bad.test explode\n", "policies.txt", 0)
	wantErr(t, err, ErrInvalid, "policies.txt:2")
}

// Pushes, diffs and the reverse-DNS sweep against named on 127.0.0.1.
func TestDNSWithBind(t *testing.T) {
	db := open(t, "memory:") // it keeps a key of its own to seal the TSIG key with
	for _, z := range []string{"example.test", "2.0.192.in-addr.arpa"} {
		must(t, db.AddZone(bg, z, &ZoneOptions{NS: []string{"ns1.example.test."}, RName: "hostmaster.example.test.", TTL: 60}))
	}
	must(t, db.AddRecord(bg, "example.test", "", "ns1 A 192.0.2.53"))
	zones := map[string]string{}
	for _, z := range []string{"example.test.", "2.0.192.in-addr.arpa."} {
		text, err := db.RenderZone(bg, z, "")
		must(t, err)
		zones[z] = text
	}
	ns := startNamed(t, zones)
	lo := addr("127.0.0.1")
	srv := &DNSServer{Address: lo, Port: uint16(ns.port), TSIGName: ns.keyName, TSIGSecret: ns.secret, Timeout: 2 * time.Second}
	must(t, db.AddDNSServer(bg, "bind1", srv, false))
	wantErr(t, db.AddDNSServer(bg, "bind1", srv, false), ErrExists)
	must(t, db.AddDNSServer(bg, "bind1", srv, true))
	servers, err := db.DNSServers(bg)
	must(t, err)
	if len(servers) != 1 || servers[0].Name != "bind1" || servers[0].Type != "rfc2136" || servers[0].TSIGSecret != "(sealed)" ||
		servers[0].Port != ns.port {
		t.Fatalf("%+v", servers)
	}

	must(t, db.AddPrefix(bg, pfx("192.0.2.0/24"), nil))
	ip, err := db.AllocAddress(bg, pfx("192.0.2.0/24"), &AddressOptions{Hostname: "web1.example.test"})
	must(t, err)
	dry, err := db.PushZone(bg, "example.test", "", "bind1", true)
	must(t, err)
	if !strings.Contains(dry, "web1.example.test.") {
		t.Fatal(dry)
	}
	if _, n, err := db.DiffZone(bg, "example.test", "", "bind1"); err != nil || n == 0 {
		t.Fatalf("after a dry run: drift %d, %v", n, err)
	}
	for _, z := range []string{"example.test", "2.0.192.in-addr.arpa"} {
		if _, err := db.PushZone(bg, z, "", "bind1", false); err != nil {
			t.Fatal(err)
		}
	}
	if rep, n, err := db.DiffZone(bg, "example.test", "", "bind1"); err != nil || n != 0 {
		t.Fatalf("after a push: drift %d, %v\n%s", n, err, rep)
	}

	obs, err := NewObservations()
	must(t, err)
	defer obs.Close()
	must(t, DiscoverRDNS(bg, obs, pfx("192.0.2.0/29"), &RDNSOptions{Server: lo, Port: uint16(ns.port),
		Timeout: 500 * time.Millisecond, Rate: 1000}))
	if o, err := obs.At(0); obs.Len() != 1 || err != nil || o.Addr != ip || o.Name != "web1.example.test." || o.Source != "rdns" {
		t.Fatalf("rdns: %d observations, first %+v %v", obs.Len(), o, err)
	}

	// records made on the server from outside, adopted as hand records
	upd := exec.Command("nsupdate", "-y", "hmac-sha256:"+ns.keyName+":"+ns.secret)
	upd.Stdin = strings.NewReader("server 127.0.0.1 " + strconv.Itoa(ns.port) + "\nzone example.test.\n" +
		"update add extra.example.test. 60 TXT \"hello\"\nsend\n")
	if out, err := upd.CombinedOutput(); err != nil {
		t.Fatalf("nsupdate: %v\n%s", err, out)
	}
	rep, n, err := db.AdoptZone(bg, "example.test", "", "bind1")
	must(t, err)
	z, _ := db.Zone(bg, "example.test", "")
	if n < 1 || !strings.Contains(rep, "extra.example.test.") || !slices.Contains(z.Records, ZoneRecord{`extra.example.test. 60 IN TXT "hello"`, "hand"}) {
		t.Fatalf("adopted %d\n%s\n%+v", n, rep, z.Records)
	}

	bad := *srv
	bad.TSIGSecret = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
	must(t, db.AddDNSServer(bg, "bad-key", &bad, false))
	_, err = db.PushZone(bg, "2.0.192.in-addr.arpa", "", "bad-key", false)
	wantErr(t, err, ErrAuth, "bad-key")
	silent, err := net.ListenPacket("udp", "127.0.0.1:0")
	must(t, err)
	defer silent.Close()
	gone := &DNSServer{Address: lo, Port: uint16(silent.LocalAddr().(*net.UDPAddr).Port), Timeout: 200 * time.Millisecond}
	must(t, db.AddDNSServer(bg, "gone", gone, false))
	_, err = db.PushZone(bg, "example.test", "", "gone", false)
	wantErr(t, err, ErrIO, "gone")
	must(t, db.RemoveDNSServer(bg, "gone"))
	wantErr(t, db.RemoveDNSServer(bg, "gone"), ErrNotFound)
	_ = netip.Addr{}
}

func TestRPZStored(t *testing.T) {
	db := open(t, "memory:")
	must(t, db.AddRPZPolicy(bg, "rpz.test", "qname bad.example.com nxdomain", false))
	must(t, db.AddRPZPolicy(bg, "rpz.test", "client-ip 10.9.0.0/16 drop", false))
	wantErr(t, db.AddRPZPolicy(bg, "rpz.test", "qname BAD.example.com. nodata", false), ErrExists, "qname bad.example.com")
	must(t, db.AddRPZPolicy(bg, "rpz.test", "qname bad.example.com nodata", true))
	wantErr(t, db.AddRPZPolicy(bg, "rpz.test", "qname x.example.com explode", false), ErrInvalid, "rpz.test")
	got, err := db.RPZPolicies(bg, "")
	must(t, err)
	want := []RPZPolicy{{"rpz.test.", "client-ip 10.9.0.0/16", "client-ip 10.9.0.0/16 drop"},
		{"rpz.test.", "qname bad.example.com", "qname bad.example.com nodata"}}
	if !slices.Equal(got, want) {
		t.Fatalf("policies: %+v", got)
	}
	text, err := db.RenderRPZZone(bg, "rpz.test", 30)
	must(t, err)
	if !strings.Contains(text, "bad.example.com\t30\tIN\tCNAME\t*.") || !strings.Contains(text, "16.0.0.9.10.rpz-client-ip") {
		t.Fatal(text)
	}
	must(t, db.RemoveRPZPolicy(bg, "rpz.test", "qname bad.example.com"))
	must(t, db.RemoveRPZPolicy(bg, "rpz.test", "client-ip 10.9.0.0/16"))
	if got, err := db.RPZPolicies(bg, ""); err != nil || len(got) != 0 {
		t.Fatalf("after removal: %v %v", got, err)
	}
	_, err = db.RenderRPZZone(bg, "rpz.test", 0)
	wantErr(t, err, ErrNotFound)
}
