package ipam

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"slices"
	"strings"
	"testing"
	"time"
)

var now = time.Unix(1700000000, 0)

func newObs(t *testing.T) *Observations {
	s, err := NewObservations()
	must(t, err)
	t.Cleanup(s.Close)
	return s
}

func TestObservations(t *testing.T) {
	s := newObs(t)
	mac, _ := net.ParseMAC("00:11:22:33:44:55")
	must(t, s.Add(Observation{Source: "icmp", Addr: addr("192.0.2.5"), FirstSeen: now.Add(-10 * time.Second), LastSeen: now}))
	must(t, s.Add(Observation{Source: "snmp", Addr: addr("192.0.2.6"), MAC: mac, Name: "h6", Device: "10.0.0.1 eth0", LastSeen: now}))
	must(t, s.Add(Observation{Kind: ObsSubnet, Source: "aws", Subnet: pfx("10.0.0.0/16"), LastSeen: now}))
	must(t, s.Add(Observation{Source: "icmp", Addr: addr("192.0.2.5"), FirstSeen: now.Add(-20 * time.Second), LastSeen: now}))
	if s.Len() != 3 {
		t.Fatalf("%d observations", s.Len())
	}
	o, err := s.At(0)
	must(t, err)
	if o.Addr != addr("192.0.2.5") || !o.FirstSeen.Equal(now.Add(-20*time.Second)) || o.Space != "default" {
		t.Fatalf("%+v", o)
	}
	if o, _ := s.At(1); o.MAC.String() != "00:11:22:33:44:55" || o.Name != "h6" || o.Device != "10.0.0.1 eth0" {
		t.Fatalf("%+v", o)
	}
	if o, _ := s.At(2); o.Kind != ObsSubnet || o.Subnet != pfx("10.0.0.0/16") {
		t.Fatalf("%+v", o)
	}
	_, err = s.At(3)
	wantErr(t, err, ErrNotFound)
	n := 0
	for range s.All() {
		n++
	}
	text, err := s.JSON()
	must(t, err)
	var doc []map[string]any
	must(t, json.Unmarshal([]byte(text), &doc))
	if n != 3 || len(doc) != 3 || doc[2]["source"] != "aws" {
		t.Fatal(n, text)
	}
	c := newObs(t)
	must(t, c.AddJSON([]byte(text), "scan.json"))
	if c.Len() != 3 {
		t.Fatal(c.Len())
	}
	wantErr(t, c.AddJSON([]byte(`[{"kind": "address"}]`), "scan.json"), ErrInvalid, "scan.json")
	wantErr(t, c.Add(Observation{Addr: addr("192.0.2.1")}), ErrInvalid, "source")
	wantErr(t, c.Add(Observation{Source: "x", Addr: addr("192.0.2.1"), MAC: net.HardwareAddr{1, 2}}), ErrInvalid)
	c.Close()
	c.Close()
	wantErr(t, c.Add(Observation{Source: "x", Addr: addr("192.0.2.1")}), ErrClosed)
}

func TestReconcile(t *testing.T) {
	db := open(t, "memory:")
	must(t, db.AddPrefix(bg, pfx("192.0.2.0/24"), nil))
	must(t, db.AddAddress(bg, addr("192.0.2.10"), &AddressOptions{Hostname: "a.example.test", MAC: "00:00:5e:00:53:01"}))
	must(t, db.AddAddress(bg, addr("192.0.2.11"), nil))
	s := newObs(t)
	seen, _ := net.ParseMAC("00:00:5e:00:53:99")
	must(t, s.Add(Observation{Source: "snmp", Addr: addr("192.0.2.10"), MAC: seen, LastSeen: now}))
	must(t, s.Add(Observation{Source: "icmp", Addr: addr("192.0.2.12"), LastSeen: now}))
	must(t, s.Add(Observation{Source: "icmp", Addr: addr("198.51.100.1"), LastSeen: now}))
	must(t, db.SaveObservations(bg, s))
	kept := newObs(t)
	must(t, db.LoadObservations(bg, kept, "", time.Time{}))
	later := newObs(t)
	must(t, db.LoadObservations(bg, later, "", now.Add(time.Second)))
	wantErr(t, db.LoadObservations(bg, later, "nope", time.Time{}), ErrNotFound)
	if kept.Len() != 3 || later.Len() != 0 {
		t.Fatal(kept.Len(), later.Len())
	}
	r, err := db.Reconcile(bg, kept, &ReconcileOptions{Now: now})
	must(t, err)
	want := map[Drift]int{DriftUnrecorded: 1, DriftUnseen: 1, DriftMACDiffers: 1, DriftOutside: 1, DriftNameDiffers: 0,
		DriftMACConflict: 0, DriftSubnetMissing: 0, DriftSubnetDiffers: 0}
	for k, v := range want {
		if r.Counts[k] != v {
			t.Fatalf("%s: %d, want %d (%+v)", k, r.Counts[k], v, r.Counts)
		}
	}
	if len(r.Items) != 4 || r.Applied() != 0 || !strings.Contains(r.JSON, `"mac-differs"`) {
		t.Fatalf("%+v", r)
	}
	for _, d := range r.Items {
		if d.Drift == DriftMACDiffers && (d.Addr != addr("192.0.2.10") || d.RecordedMAC.String() != "00:00:5e:00:53:01" ||
			d.SeenMAC.String() != "00:00:5e:00:53:99" || d.Drift.String() != "mac-differs") {
			t.Fatalf("%+v", d)
		}
	}
	r, err = db.Reconcile(bg, kept, &ReconcileOptions{Now: now, Apply: true, Space: "default", UnseenDays: 1})
	must(t, err)
	if r.Applied() != 1 {
		t.Fatalf("%+v", r)
	}
	a, err := db.Address(bg, "", addr("192.0.2.12"))
	must(t, err)
	if a.Attrs["source"] != "discovery" {
		t.Fatalf("%+v", a)
	}
}

func TestSweepAndRDNSErrors(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	defer l.Close()
	port := uint16(l.Addr().(*net.TCPAddr).Port)
	s := newObs(t)
	live, stop := context.WithCancel(bg) // a context that can be cancelled: the probe runs on its own goroutine
	defer stop()
	must(t, Sweep(live, s, pfx("127.0.0.1/32"), &SweepOptions{TCPPorts: []uint16{port}, Timeout: time.Second, Now: now}))
	if o, _ := s.At(0); s.Len() != 1 || o.Source != "tcp" || o.Addr != addr("127.0.0.1") || !o.LastSeen.Equal(now) {
		t.Fatalf("%d %+v", s.Len(), o)
	}
	// ICMP: an echo to 127.0.0.1 (a raw socket as root, a ping socket where the kernel allows one)
	icmp := newObs(t)
	switch err := Sweep(bg, icmp, pfx("127.0.0.1/32"), &SweepOptions{ICMP: true, Timeout: time.Second}); {
	case errors.Is(err, ErrPermission):
		t.Log("ICMP not permitted here:", err)
	case err != nil:
		t.Fatal(err)
	default:
		if o, _ := icmp.At(0); icmp.Len() != 1 || o.Source != "icmp" || o.Addr != addr("127.0.0.1") {
			t.Fatalf("%d %+v", icmp.Len(), o)
		}
	}
	wantErr(t, Sweep(bg, s, pfx("127.0.0.1/32"), nil), ErrInvalid)
	wantErr(t, Sweep(bg, s, pfx("10.0.0.0/8"), &SweepOptions{TCPPorts: []uint16{80}, MaxAddresses: 256}), ErrInvalid)
	wantErr(t, DiscoverRDNS(bg, s, pfx("192.0.2.0/30"), nil), ErrInvalid) // no server
	ctx, cancel := context.WithCancel(bg)
	cancel()
	if err := Sweep(ctx, s, pfx("127.0.0.1/32"), &SweepOptions{TCPPorts: []uint16{port}}); !errors.Is(err, context.Canceled) {
		t.Fatal(err)
	}
}

func TestClouds(t *testing.T) {
	url := startClouds(t)
	db := open(t, "memory:")
	s := newObs(t)
	live, stop := context.WithCancel(bg) // the probe on its own goroutine, the DB held until it ends
	defer stop()
	must(t, DiscoverAWS(live, s, db, &AWSOptions{Region: "eu-west-1", Endpoint: url + "/", AccessKey: cloudKey,
		SecretKey: cloudSecret, Now: now}))
	if s.Len() != 10 {
		t.Fatal(s.Len())
	}
	if sp, err := db.Space(bg, "aws/111122223333/eu-west-1/vpc-bbb"); err != nil || sp.Labels["vpc"] != "vpc-bbb" {
		t.Fatalf("%+v %v", sp, err)
	}
	err := DiscoverAWS(bg, newObs(t), nil, &AWSOptions{Region: "eu-west-1", Endpoint: url + "/", AccessKey: cloudKey,
		SecretKey: "not-the-secret"})
	wantErr(t, err, ErrAuth, "SignatureDoesNotMatch")
	if strings.Contains(err.Error(), "not-the-secret") {
		t.Fatal(err)
	}

	az := newObs(t)
	must(t, DiscoverAzure(bg, az, nil, &AzureOptions{Subscription: "0f1e2d3c-aaaa-bbbb-cccc-000000000001",
		Tenant: "tenant-1", ClientID: "app-1", ClientSecret: "s3cret +&=", LoginEndpoint: url, ARMEndpoint: url, Now: now}))
	if az.Len() != 6 {
		t.Fatal(az.Len())
	}
	wantErr(t, DiscoverAzure(bg, newObs(t), nil, &AzureOptions{Subscription: "0f1e2d3c-aaaa-bbbb-cccc-000000000001",
		Tenant: "tenant-1", ClientID: "app-1", ClientSecret: "wrong", LoginEndpoint: url, ARMEndpoint: url}), ErrAuth, "invalid_client")

	g := newObs(t)
	must(t, DiscoverGCP(bg, g, db, &GCPOptions{Project: "proj-1", AccessToken: "gcp-token", Endpoint: url, Now: now}))
	if sp, err := db.Space(bg, "gcp/proj-1/default"); g.Len() == 0 || err != nil || sp.Labels["provider"] != "gcp" {
		t.Fatalf("%d %+v %v", g.Len(), sp, err)
	}
	wantErr(t, DiscoverGCP(bg, newObs(t), nil, &GCPOptions{Project: "proj-1", AccessToken: "bad", Endpoint: url}), ErrAuth)
	wantErr(t, DiscoverGCP(bg, newObs(t), nil, &GCPOptions{Project: "p", AccessToken: "t", Endpoint: "http://127.0.0.1:1",
		Timeout: time.Second}), ErrIO)
}

func TestSNMP(t *testing.T) {
	host := startSnmpd(t)
	silent, err := net.ListenPacket("udp", "127.0.0.1:0")
	must(t, err)
	defer silent.Close()
	gone := silent.LocalAddr().String()
	s := newObs(t)
	errs, err := DiscoverSNMP(bg, s, []SNMPTarget{
		{Host: host, Community: "public"},
		{Host: host, Version: 3, User: "ipamuser", AuthPass: "authpass123", PrivPass: "privpass123", Space: "lab"},
		{Host: gone, Community: "public"},
	}, &SNMPOptions{Timeout: 500 * time.Millisecond, Now: now})
	wantErr(t, err, ErrIO, gone)
	if len(errs) != 3 || errs[0] != nil || errs[1] != nil || !errors.Is(errs[2], ErrIO) {
		t.Fatalf("%v", errs)
	}
	for o := range s.All() {
		if o.Source != "snmp" || !o.LastSeen.Equal(now) {
			t.Fatalf("%+v", o)
		}
	}
	// a wrong pass phrase in a call of its own (see the Python test)
	errs, err = DiscoverSNMP(bg, newObs(t), []SNMPTarget{{Host: host, Version: 3, User: "ipamuser",
		AuthPass: "wrongpass999", PrivPass: "privpass123"}}, &SNMPOptions{Timeout: 500 * time.Millisecond})
	wantErr(t, err, ErrAuth)
	if !errors.Is(errs[0], ErrAuth) {
		t.Fatal(errs)
	}
}

// A cancelled context returns at once from a probe that is still waiting
// on the network; the probe ends in the background and its observations
// are dropped.
func TestProbeCancel(t *testing.T) {
	silent, err := net.ListenPacket("udp", "127.0.0.1:0")
	must(t, err)
	defer silent.Close()
	s := newObs(t)
	ctx, cancel := context.WithTimeout(bg, 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	err = DiscoverRDNS(ctx, s, pfx("192.0.2.0/30"), &RDNSOptions{Server: addr("127.0.0.1"),
		Port: uint16(silent.LocalAddr().(*net.UDPAddr).Port), Timeout: 400 * time.Millisecond, Rate: 1000})
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 300*time.Millisecond {
		t.Fatalf("%v after %v", err, time.Since(start))
	}
	if s.Len() != 0 {
		t.Fatal(s.Len())
	}
	time.Sleep(time.Second) // the C call ends (400 ms, one retry) and frees its set
	if s.Len() != 0 {
		t.Fatal("a cancelled probe's observations reached the set")
	}
}

func TestCloudDNS(t *testing.T) {
	url := startClouds(t)
	db := open(t, "memory:")
	must(t, db.AddSpace(bg, "edge", nil))
	aws := &AWSOptions{Endpoint: url + "/", AccessKey: cloudKey, SecretKey: cloudSecret, Now: now}
	dry, err := db.CloudDNSAWS(bg, aws, &CloudDNSOptions{Space: "edge", DryRun: true})
	must(t, err)
	if zs, _ := db.Zones(bg); !dry.DryRun || dry.Added != 6 || len(zs) != 0 {
		t.Fatalf("dry run: %+v, zones %v", dry, zs)
	}
	r, err := db.CloudDNSAWS(bg, aws, &CloudDNSOptions{Space: "edge"})
	must(t, err)
	if r.Provider != "aws" || r.Added != 6 || r.Skipped != 5 || len(r.Zones) != 1 || r.Zones[0].Zone != "example.com." ||
		!slices.Contains(r.Zones[0].Added, "www.example.com. AAAA") || !r.Zones[0].Created {
		t.Fatalf("report: %+v", r)
	}
	text, err := db.RenderZone(bg, "example.com", "")
	must(t, err)
	if !strings.Contains(text, "\nwww\t300\tIN\tA\t192.0.2.10\n") {
		t.Fatal(text)
	}
	again, err := db.CloudDNSAWS(bg, aws, &CloudDNSOptions{Space: "edge"})
	must(t, err)
	if again.Added != 0 || again.Changed != 0 || again.Unchanged != 6 {
		t.Fatalf("second read: %+v", again)
	}
	_, err = db.CloudDNSAWS(bg, &AWSOptions{Endpoint: url + "/", AccessKey: cloudKey, SecretKey: "not-the-secret"}, nil)
	wantErr(t, err, ErrAuth)
	if strings.Contains(err.Error(), "not-the-secret") {
		t.Fatal(err)
	}
	g, err := db.CloudDNSGCP(bg, &GCPOptions{Project: "proj-1", AccessToken: "gcp-token", Endpoint: url, Now: now}, nil)
	must(t, err)
	if g.Provider != "gcp" || g.Added != 3 || g.Zones[0].Zone != "example.org." {
		t.Fatalf("gcp: %+v", g)
	}
	a, err := db.CloudDNSAzure(bg, &AzureOptions{Subscription: "0f1e2d3c-aaaa-bbbb-cccc-000000000001", Tenant: "tenant-1",
		ClientID: "app-1", ClientSecret: "s3cret +&=", LoginEndpoint: url, ARMEndpoint: url, Now: now},
		&CloudDNSOptions{Zone: "example.net"})
	must(t, err)
	if len(a.Zones) != 1 || a.Zones[0].Zone != "example.net." || !slices.Contains(a.Zones[0].Added, "example.net. CAA") {
		t.Fatalf("azure: %+v", a)
	}
}

func TestCredentials(t *testing.T) {
	db := open(t, "memory:")
	must(t, db.AddCredential(bg, "lab", Credential{Type: "snmpv3", ID: "ipamuser", Secret: "authpass123", Secret2: "privpass123"}, false))
	must(t, db.AddCredential(bg, "acct", Credential{Type: "aws", ID: "AKIDEXAMPLE", Secret: "wJalrXUtnFEMI"}, false))
	wantErr(t, db.AddCredential(bg, "lab", Credential{Type: "snmpv3", ID: "ipamuser", Secret: "other-pass"}, false), ErrExists)
	err := db.AddCredential(bg, "bad", Credential{Type: "ftp", Secret: "s3cret-value"}, false)
	wantErr(t, err, ErrInvalid)
	if strings.Contains(err.Error(), "s3cret-value") {
		t.Fatal(err)
	}
	list, err := db.Credentials(bg)
	must(t, err)
	if len(list) != 2 || list[0].Name != "acct" || list[1].Name != "lab" || list[1].ID != "ipamuser" {
		t.Fatalf("list: %+v", list)
	}
	got, err := db.Credential(bg, "lab")
	must(t, err)
	if got != (Credential{Type: "snmpv3", ID: "ipamuser", Secret: "authpass123", Secret2: "privpass123"}) {
		t.Fatalf("credential: %+v", got)
	}
	must(t, db.RemoveCredential(bg, "acct"))
	_, err = db.Credential(bg, "acct")
	wantErr(t, err, ErrNotFound)
}
